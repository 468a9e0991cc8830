"""Roles of people and the scopes that routes require.

A route declares one scope; a caller may call it when the scope is among the caller's scopes. A user's
scopes come from the role; an API key's are the key's own scopes cut down to its owner's role.
"""

from __future__ import annotations

from typing import Literal, get_args

from jisik.errors import InvalidInput

__all__ = ["ALL_SCOPES", "ROLES", "ROLE_SCOPES", "Role", "Scope", "checked_role", "checked_scopes", "outranks"]

Role = Literal["owner", "admin", "editor", "reviewer", "viewer"]
Scope = Literal["read", "write", "review", "admin"]

ROLES: tuple[Role, ...] = get_args(Role)
ALL_SCOPES: frozenset[Scope] = frozenset(get_args(Scope))

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    "owner": ALL_SCOPES,
    "admin": ALL_SCOPES,
    "editor": frozenset({"read", "write"}),
    "reviewer": frozenset({"read", "review"}),
    "viewer": frozenset({"read"}),
}


def checked_role(value: str) -> Role:
    """:raises InvalidInput: ``value`` names no role."""
    for role in ROLES:
        if value == role:
            return role
    raise InvalidInput(f"unknown role {value!r}; one of {', '.join(ROLES)}", field="role")


def checked_scopes(values: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """:raises InvalidInput: a value names no scope, or there is none."""
    unknown = sorted(set(values) - ALL_SCOPES)
    if unknown:
        raise InvalidInput(f"unknown scope {unknown[0]!r}; scopes are {', '.join(sorted(ALL_SCOPES))}", field="scopes")
    if not values:
        raise InvalidInput("a key needs at least one scope", field="scopes")
    return frozenset(scope for scope in ALL_SCOPES if scope in values)


def outranks(role: str, other: str) -> bool:
    """Whether ``role`` stands strictly above ``other`` (owner > admin > editor, reviewer > viewer)."""
    rank = {"owner": 3, "admin": 2, "editor": 1, "reviewer": 1, "viewer": 0}
    return rank[role] > rank[other]
