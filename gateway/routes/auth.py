"""Sign-in with a password, sign-out (here or everywhere), the caller's identity, password change and
accepting an invitation. The session cookie is HttpOnly, SameSite=Lax and (by default) Secure with a
``__Host-`` name; its CSRF token comes back in the body for the ``X-CSRF-Token`` header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from jisik.accounts.credentials import by_session_token
from jisik.accounts.people import accept_invitation, get_user
from jisik.accounts.principals import user_actor
from jisik.accounts.signin import SignIn, sign_in
from jisik.accounts.web_sessions import end_session, end_user_sessions, start_session
from jisik.actors import Actor
from jisik.db.models import Tenant, User, WebSession
from jisik.errors import InvalidInput, Unauthenticated
from jisik.settings import AccountSettings

from ..auth_limits import counted_attempt
from ..deps import PUBLIC, CallerDep, ResourcesDep, SessionDep, require_scope, session_cookie_name
from ..schemas.accounts import InvitationAccept, Me, PasswordChange, SignInRequest, UserPublic
from ..schemas.common import Envelope

router = APIRouter(prefix="/auth", tags=["auth"])


def set_session_cookie(response: Response, settings: AccountSettings, token: str) -> None:
    response.set_cookie(
        session_cookie_name(settings), token, max_age=int(settings.session_ttl_hours * 3600), path="/",
        secure=settings.session_cookie_secure, httponly=True, samesite="lax",
    )


def _ttl(settings: AccountSettings) -> timedelta:
    return timedelta(hours=settings.session_ttl_hours)


def _clear_cookie(response: Response, settings: AccountSettings) -> None:
    response.delete_cookie(
        session_cookie_name(settings), path="/", secure=settings.session_cookie_secure, httponly=True, samesite="lax"
    )


def _me(actor: Actor, tenant: Tenant, user: User | None, web_session: WebSession | None) -> dict[str, Any]:
    return {
        "success": True,
        "data": Me(
            actor=actor.label, tenant_id=tenant.id, tenant_name=tenant.name, role=actor.role,
            scopes=sorted(actor.scopes), principals=list(actor.principals),
            user=UserPublic.model_validate(user) if user else None,
            csrf_token=web_session.csrf_token if web_session else None,
            session_expires_at=web_session.expires_at if web_session else None,
        ),
    }


async def _signed_in(resources: ResourcesDep, signed: SignIn) -> dict[str, Any]:
    async with resources.sessions() as session:
        actor = await user_actor(session, signed.user, kind="user", actor_id=signed.user.id)
        tenant = await session.get_one(Tenant, signed.user.tenant_id)
    return _me(actor, tenant, signed.user, signed.session.row)


@router.post("/sign-in", response_model=Envelope[Me], dependencies=[PUBLIC])
async def sign_in_with_password(
    request: Request, response: Response, body: SignInRequest, resources: ResourcesDep
) -> dict[str, Any]:
    """Check the e-mail and password and start a browser session (a new token every time). Wrong
    passwords lock the account after ``accounts.signin_max_failures`` tries (429 while locked)."""
    accounts = resources.settings.accounts
    with counted_attempt(request):
        signed = await sign_in(
            resources.sessions, resources.passwords, accounts, datetime.now(UTC),
            email=body.email, password=body.password, tenant_id=body.tenant_id,
            replaced_token=request.cookies.get(session_cookie_name(accounts)),
        )
    set_session_cookie(response, accounts, signed.session.token)
    return await _signed_in(resources, signed)


@router.post("/invitations/accept", response_model=Envelope[Me], status_code=201, dependencies=[PUBLIC])
async def accept(request: Request, response: Response, body: InvitationAccept, resources: ResourcesDep) -> dict[str, Any]:
    """Join a tenant with an invitation's token and a new password; signs the new user in."""
    accounts = resources.settings.accounts
    password_hash = await resources.passwords.hash(body.password)
    now = datetime.now(UTC)
    with counted_attempt(request):
        async with resources.sessions() as session, session.begin():
            user = await accept_invitation(
                session, resources.settings, now, token=body.token, name=body.name, password_hash=password_hash
            )
            started = await start_session(session, user, now, ttl=_ttl(accounts))
    set_session_cookie(response, accounts, started.token)
    return await _signed_in(resources, SignIn(user, started))


@router.get("/session", response_model=Envelope[Me | None], dependencies=[PUBLIC])
async def current_session(request: Request, resources: ResourcesDep) -> dict[str, Any]:
    """Whether this browser is signed in: the caller as in ``/auth/me``, or null (never 401, so a web app
    can ask before showing the sign-in form)."""
    accounts = resources.settings.accounts
    token = request.cookies.get(session_cookie_name(accounts))
    if not token:
        return {"success": True, "data": None}
    try:
        async with resources.sessions() as session:
            caller = await by_session_token(
                session, token, datetime.now(UTC), idle=timedelta(minutes=accounts.session_idle_minutes)
            )
            user = await session.get(User, caller.actor.user_id)
    except Unauthenticated:
        return {"success": True, "data": None}
    return _me(caller.actor, caller.tenant, user, caller.web_session)


@router.get("/me", response_model=Envelope[Me], dependencies=[require_scope("read")])
async def me(caller: CallerDep, session: SessionDep) -> dict[str, Any]:
    """Who is calling; a browser session also gets its CSRF token here (after a reload)."""
    actor = caller.actor
    user = await session.get(User, actor.user_id) if actor.user_id else None
    return _me(actor, caller.tenant, user, caller.web_session)


@router.post("/sign-out", response_model=Envelope[None], dependencies=[require_scope("read")])
async def sign_out(request: Request, response: Response, caller: CallerDep, session: SessionDep,
                   resources: ResourcesDep) -> dict[str, Any]:
    """End this browser's session; its cookie no longer works anywhere."""
    accounts = resources.settings.accounts
    token = request.cookies.get(session_cookie_name(accounts))
    if caller.web_session is not None and token:
        await end_session(session, token, datetime.now(UTC))
    _clear_cookie(response, accounts)
    return {"success": True, "data": None}


@router.post("/sign-out-everywhere", response_model=Envelope[dict[str, int]], dependencies=[require_scope("read")])
async def sign_out_everywhere(response: Response, caller: CallerDep, session: SessionDep,
                              resources: ResourcesDep) -> dict[str, Any]:
    """End every browser session of the caller's user (API keys keep working; revoke those separately)."""
    if caller.actor.user_id is None:
        raise InvalidInput("this key belongs to no user, so it has no sessions")
    ended = await end_user_sessions(session, caller.actor.user_id, datetime.now(UTC))
    _clear_cookie(response, resources.settings.accounts)
    return {"success": True, "data": {"ended_sessions": ended}}


@router.post("/password", response_model=Envelope[Me], dependencies=[require_scope("read")])
async def change_password(
    request: Request, response: Response, body: PasswordChange, caller: CallerDep, session: SessionDep,
    resources: ResourcesDep,
) -> dict[str, Any]:
    """Change the caller's own password (the current one is required). Every session ends; this browser
    gets a new one."""
    if caller.actor.user_id is None or caller.actor.kind != "user":
        raise InvalidInput("sign in with your password to change it")
    user = await get_user(session, caller.tenant.id, caller.actor.user_id)
    with counted_attempt(request):
        if not await resources.passwords.verify(user.password_hash, body.current_password):
            raise Unauthenticated("the current password is wrong", field="current_password")
    user.password_hash = await resources.passwords.hash(body.new_password)
    user.must_change_password = False
    now = datetime.now(UTC)
    await end_user_sessions(session, user.id, now)
    started = await start_session(session, user, now, ttl=_ttl(resources.settings.accounts))
    set_session_cookie(response, resources.settings.accounts, started.token)
    return _me(caller.actor, caller.tenant, user, started.row)
