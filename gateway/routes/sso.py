"""Single sign-on: a tenant's OpenID Connect settings (admins), and the browser's round trip through the
provider (authorization code with PKCE) that ends in a normal web session.

``GET /auth/sso/start?tenant=<id or name>`` stores a one-time sign-in (state, nonce, code verifier),
puts the state in an HttpOnly cookie and redirects to the provider. ``GET /auth/sso/callback`` uses the
sign-in up (once, even when it then fails), checks that the state matches this browser's cookie,
exchanges the code, validates the ID token (signature, issuer, audience, nonce, expiry), finds or
creates the user, syncs its groups from the group claim, starts a session and redirects to the app.
Every refusal is 401 and changes nothing but the used-up sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import delete, select
from sqlmodel import col

from jisik.accounts.roles import checked_role
from jisik.accounts.web_sessions import start_session
from jisik.db.models import SsoLogin, Tenant, TenantSso
from jisik.errors import InvalidInput, NotFound, Unauthenticated
from jisik.netguard import AddressPolicy
from jisik.sso import exchange_code, start_authorization, validate_id_token
from jisik.sso.accounts import user_for_identity

from ..auth_limits import counted_attempt
from ..deps import PUBLIC, ActorDep, ResourcesDep, SessionDep, require_scope
from ..schemas.common import Envelope
from ..schemas.sso import SsoSettingsPublic, SsoSettingsUpdate
from .auth import set_session_cookie

router = APIRouter(tags=["sso"])

STATE_COOKIE = "jisik-sso-state"
_CALLBACK = "/api/v1/auth/sso/callback"
_SIGNABLE_ROLES = ("viewer", "reviewer", "editor")


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _callback_url(request: Request, resources: ResourcesDep) -> str:
    base = resources.settings.sso.public_url or str(request.base_url)
    return base.rstrip("/") + _CALLBACK


def _public(config: TenantSso, request: Request, resources: ResourcesDep) -> dict[str, Any]:
    return {"success": True, "data": {
        "enabled": config.enabled, "issuer": config.issuer, "client_id": config.client_id,
        "has_client_secret": bool(config.client_secret_sealed), "group_claim": config.group_claim,
        "scopes": config.scopes, "default_role": config.default_role,
        "redirect_uri": _callback_url(request, resources),
    }}


@router.get("/tenant/sso", response_model=Envelope[SsoSettingsPublic], dependencies=[require_scope("admin")])
async def get_settings(request: Request, actor: ActorDep, session: SessionDep, resources: ResourcesDep) -> dict[str, Any]:
    """The tenant's OpenID Connect provider (the client secret is never returned)."""
    config = await session.get(TenantSso, actor.tenant_id) or TenantSso(tenant_id=actor.tenant_id)
    return _public(config, request, resources)


@router.put("/tenant/sso", response_model=Envelope[SsoSettingsPublic], dependencies=[require_scope("admin")])
async def put_settings(
    body: SsoSettingsUpdate, request: Request, actor: ActorDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Set the provider. ``client_secret`` null keeps the stored one; enabling needs issuer, client id
    and secret, and the provider's discovery document must name the issuer."""
    config = await session.get(TenantSso, actor.tenant_id, with_for_update=True)
    if config is None:
        config = TenantSso(tenant_id=actor.tenant_id)
        session.add(config)
    issuer = body.issuer.strip()
    if issuer:
        AddressPolicy(resources.settings.endpoints.egress_allow_list).check_url(issuer)
    if body.default_role not in _SIGNABLE_ROLES:
        raise InvalidInput(f"a first sign-in gets one of {', '.join(_SIGNABLE_ROLES)}", field="default_role")
    checked_role(body.default_role)
    if "openid" not in body.scopes.split():
        raise InvalidInput("the scopes must include openid", field="scopes")
    if body.client_secret is not None:
        config.client_secret_sealed = resources.seal_api_key(body.client_secret) if body.client_secret else ""
    config.issuer, config.client_id = issuer, body.client_id.strip()
    config.group_claim, config.scopes, config.default_role = body.group_claim.strip(), body.scopes, body.default_role
    config.enabled = body.enabled
    if config.enabled:
        if not (config.issuer and config.client_id and config.client_secret_sealed):
            raise InvalidInput("single sign-on needs an issuer, a client id and a client secret", field="enabled")
        resources.sso.directory.forget(config.issuer)
        await resources.sso.directory.metadata(config.issuer)
    await session.flush()
    return _public(config, request, resources)


async def _tenant(session: SessionDep, wanted: str) -> Tenant:
    by_id = await session.get(Tenant, wanted)
    if by_id is not None:
        return by_id
    named = list((await session.execute(select(Tenant).where(col(Tenant.name) == wanted).limit(2))).scalars())
    if len(named) != 1:
        raise NotFound("no organisation with single sign-on has this name", field="tenant")
    return named[0]


@router.get("/auth/sso/start", response_class=RedirectResponse, status_code=302, dependencies=[PUBLIC])
async def start(
    request: Request, resources: ResourcesDep, tenant: Annotated[str, Query(min_length=1, max_length=255)]
) -> RedirectResponse:
    """Send the browser to the tenant's provider (tenant: its id or exact name)."""
    sso, now = resources.settings.sso, datetime.now(UTC)
    async with resources.sessions() as session, session.begin():
        found = await _tenant(session, tenant.strip())
        config = await session.get(TenantSso, found.id)
        if config is None or not config.enabled:
            raise NotFound("no organisation with single sign-on has this name", field="tenant")
        metadata = await resources.sso.directory.metadata(config.issuer)
        redirect_uri = _callback_url(request, resources)
        request_ = start_authorization(metadata, client_id=config.client_id, redirect_uri=redirect_uri,
                                       scopes=config.scopes)
        await session.execute(delete(SsoLogin).where(col(SsoLogin.expires_at) < now))
        session.add(SsoLogin(state_hash=_state_hash(request_.state), tenant_id=found.id, nonce=request_.nonce,
                             code_verifier=request_.code_verifier, redirect_uri=redirect_uri,
                             expires_at=now + timedelta(seconds=sso.login_ttl_s)))
    response = RedirectResponse(request_.url, status_code=302)
    response.set_cookie(STATE_COOKIE, request_.state, max_age=int(sso.login_ttl_s), path="/api/v1/auth/sso",
                        secure=resources.settings.accounts.session_cookie_secure, httponly=True, samesite="lax")
    return response


async def _use_up(resources: ResourcesDep, state: str, now: datetime) -> SsoLogin:
    """The sign-in of ``state``, deleted in its own transaction: it works once, whatever happens next."""
    async with resources.sessions() as session, session.begin():
        login = (await session.execute(
            delete(SsoLogin).where(col(SsoLogin.state_hash) == _state_hash(state)).returning(SsoLogin)
        )).scalar_one_or_none()
    if login is None or login.expires_at <= now:
        raise Unauthenticated("this sign-in expired or was already used; start again")
    return login


@router.get("/auth/sso/callback", response_class=RedirectResponse, status_code=303, dependencies=[PUBLIC])
async def callback(
    request: Request,
    resources: ResourcesDep,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=4000)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> RedirectResponse:
    """Finish the sign-in the provider sent the browser back from; redirects to the app, signed in."""
    now, accounts = datetime.now(UTC), resources.settings.accounts
    with counted_attempt(request):
        expected = request.cookies.get(STATE_COOKIE, "")
        if not state or not expected or not hmac.compare_digest(state.encode(), expected.encode()):
            raise Unauthenticated("this sign-in was not started in this browser")
        login = await _use_up(resources, state, now)
        if error or not code:
            raise Unauthenticated("the identity provider did not sign this user in")
        async with resources.sessions() as session:
            config = await session.get(TenantSso, login.tenant_id)
        if config is None or not config.enabled:
            raise Unauthenticated("single sign-on is turned off for this organisation")
        directory = resources.sso.directory
        metadata = await directory.metadata(config.issuer)
        token = await exchange_code(
            resources.sso.http, metadata, client_id=config.client_id,
            client_secret=resources.unseal_secret(config.client_secret_sealed), code=code,
            redirect_uri=login.redirect_uri, code_verifier=login.code_verifier,
        )
        identity = await validate_id_token(token, directory=directory, issuer=config.issuer,
                                           client_id=config.client_id, nonce=login.nonce,
                                           group_claim=config.group_claim)
    async with resources.sessions() as session, session.begin():
        tenant = await session.get_one(Tenant, login.tenant_id)
        user = await user_for_identity(session, tenant, config, identity, resources.settings, now)
        started = await start_session(session, user, now, ttl=timedelta(hours=accounts.session_ttl_hours))
    response = RedirectResponse("/?signed_in=sso", status_code=303)  # the web app then asks who signed in
    set_session_cookie(response, accounts, started.token)
    response.delete_cookie(STATE_COOKIE, path="/api/v1/auth/sso")
    return response
