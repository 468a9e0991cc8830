"""The caller's read access (jisik.access) for a request (its SQL form: repositories.readable).

The access is resolved afresh for every request from the actor and the database, so removing a user
from a group, deleting a user or changing an access list applies to that user's very next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from jisik.access import Access, user_principal
from jisik.actors import Actor
from jisik.db.models import KnowledgeBase
from jisik.errors import Forbidden

from .deps import ActorDep

__all__ = ["AccessDep", "ChatOwnerDep", "access_of", "check_may_manage", "owner_label"]


def access_of(actor: Actor) -> Access:
    """Owners, admins, the tenant's own key and internal services read everything; anyone else (a
    signed-in user, or a key of a user or service account) reads what names them or their groups."""
    if actor.user_id is None or actor.role in ("owner", "admin"):
        return Access.all_documents()
    return Access(frozenset(actor.principals))


def _access(actor: ActorDep) -> Access:
    return access_of(actor)


AccessDep = Annotated[Access, Depends(_access)]


def _chat_owner(actor: ActorDep, access: AccessDep) -> str | None:
    return None if access.everything else owner_label(actor)


# Whose chat sessions the caller may open: None = every session of the tenant (owners, admins, the tenant
# key), else only the caller's own (their answers cite what their owner may read).
ChatOwnerDep = Annotated[str | None, Depends(_chat_owner)]


def owner_label(actor: Actor) -> str:
    """What a knowledge base records as its owner: the person (``user:<id>``, whether they used a
    session or one of their keys), else the actor itself (the tenant key, a service)."""
    return user_principal(actor.user_id) if actor.user_id else actor.label


def check_may_manage(actor: Actor, access: Access, knowledge_base: KnowledgeBase) -> None:
    """Only who reads everything (owners, admins, the tenant key) or the base's owner sets its lists.

    :raises Forbidden: anyone else.
    """
    if not (access.everything or (knowledge_base.owner and knowledge_base.owner == owner_label(actor))):
        raise Forbidden("only an admin or the knowledge base's owner may change its access lists", field="access")

