"""ID-token validation (jisik.sso) against keys published by a real local HTTP server: every bad
token (audience, issuer, nonce, signature, expiry, algorithm, unknown key) is refused; a rotated key
is picked up; a discovery document naming another issuer is refused before any token is read."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from jisik.errors import Unauthenticated
from jisik.sso import ProviderDirectory, validate_id_token
from jisik.sso.flow import code_challenge

CLIENT = "jisik-client"
NONCE = "n-0S6_WzA2Mj"


@dataclass
class Issuer:
    url: str
    keys: list[RSAKey] = field(default_factory=list)
    claimed_issuer: str = ""

    def sign(self, key: RSAKey | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT, "sub": "248289761001", "exp": now + 300, "iat": now,
                  "nonce": NONCE, "email": "kim@example.com", "email_verified": True, "name": "Kim",
                  "groups": ["hr", "eng", "", 7]}
        claims.update(overrides)
        signer = key or self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, {k: v for k, v in claims.items() if v is not None},
                          signer)


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    """Serves /.well-known/openid-configuration and /jwks for the keys in ``issuer.keys``."""
    state = Issuer("", [RSAKey.generate_key(2048, parameters={"kid": "k1"})])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            if self.path == "/.well-known/openid-configuration":
                body: dict[str, Any] = {"issuer": state.claimed_issuer or state.url, "jwks_uri": f"{state.url}/jwks",
                                        "authorization_endpoint": f"{state.url}/auth",
                                        "token_endpoint": f"{state.url}/token"}
            elif self.path == "/jwks":
                body = {"keys": [key.as_dict(private=False) for key in state.keys]}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


async def _validate(issuer: Issuer, token: str, directory: ProviderDirectory | None = None) -> Any:
    async with httpx.AsyncClient() as http:
        return await validate_id_token(token, directory=directory or ProviderDirectory(http, ttl_s=300),
                                       issuer=issuer.url, client_id=CLIENT, nonce=NONCE, group_claim="groups")


class TestIdToken:
    async def test_a_good_token_gives_the_identity_and_its_groups(self, issuer: Issuer) -> None:
        identity = await _validate(issuer, issuer.sign())
        assert (identity.subject, identity.email, identity.email_verified) == ("248289761001", "kim@example.com", True)
        assert identity.groups == ("hr", "eng")

    @pytest.mark.parametrize(("overrides", "reason"), [
        ({"aud": "someone-else"}, "aud"),
        ({"aud": ["someone-else", "another"]}, "aud"),
        ({"aud": [CLIENT, "another"]}, "azp"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"nonce": "replayed"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"sub": None}, "sub"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"iat": int(time.time()) + 3600}, "iat"),
    ])
    async def test_wrong_claims_are_refused(self, issuer: Issuer, overrides: dict[str, Any], reason: str) -> None:
        with pytest.raises(Unauthenticated, match=reason):
            await _validate(issuer, issuer.sign(**overrides))

    async def test_a_signature_by_another_key_is_refused(self, issuer: Issuer) -> None:
        impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same key id, other key
        with pytest.raises(Unauthenticated, match="signature"):
            await _validate(issuer, issuer.sign(impostor))
        tampered = issuer.sign().split(".")
        tampered[1] = jwt.encode({"alg": "RS256"}, {"sub": "admin"}, impostor).split(".")[1]
        with pytest.raises(Unauthenticated, match="signature"):
            await _validate(issuer, ".".join(tampered))

    async def test_symmetric_and_unsigned_tokens_are_refused(self, issuer: Issuer) -> None:
        claims = {"iss": issuer.url, "aud": CLIENT, "sub": "x", "exp": int(time.time()) + 60,
                  "iat": int(time.time()), "nonce": NONCE}
        secret = OctKey.import_key("client-secret-known-to-the-client-" * 2)
        with pytest.raises(Unauthenticated, match="algorithm|key"):
            await _validate(issuer, jwt.encode({"alg": "HS256"}, claims, secret))
        header = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, issuer.keys[0]).split(".")
        unsigned = '{"alg":"none"}'
        header[0] = base64.urlsafe_b64encode(unsigned.encode()).rstrip(b"=").decode()
        with pytest.raises(Unauthenticated):
            await _validate(issuer, f"{header[0]}.{header[1]}.")

    async def test_a_rotated_key_is_fetched_and_an_unpublished_one_refused(self, issuer: Issuer) -> None:
        async with httpx.AsyncClient() as http:
            directory = ProviderDirectory(http, ttl_s=300)
            await validate_id_token(issuer.sign(), directory=directory, issuer=issuer.url, client_id=CLIENT,
                                    nonce=NONCE, group_claim="groups")
            rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
            issuer.keys.append(rotated)
            identity = await validate_id_token(issuer.sign(rotated), directory=directory, issuer=issuer.url,
                                               client_id=CLIENT, nonce=NONCE, group_claim="groups")
            assert identity.subject == "248289761001"
            stray = RSAKey.generate_key(2048, parameters={"kid": "k3"})
            with pytest.raises(Unauthenticated, match="does not publish"):
                await validate_id_token(issuer.sign(stray), directory=directory, issuer=issuer.url,
                                        client_id=CLIENT, nonce=NONCE, group_claim="groups")

    async def test_a_discovery_document_naming_another_issuer_is_refused(self, issuer: Issuer) -> None:
        issuer.claimed_issuer = "https://accounts.example.com"
        with pytest.raises(Unauthenticated, match="another issuer"):
            await _validate(issuer, issuer.sign())

    def test_the_pkce_challenge_is_rfc_7636s(self) -> None:
        # RFC 7636 appendix B
        assert code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
