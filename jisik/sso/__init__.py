"""OpenID Connect sign-in per tenant (authorization code with PKCE): the provider's metadata and keys,
the authorization request, the code exchange and the ID token's validation. Routes: gateway.routes.sso."""

from .flow import AuthorizationRequest, exchange_code, start_authorization
from .id_token import IdentityClaims, validate_id_token
from .provider import ProviderConnections, ProviderDirectory, ProviderMetadata

__all__ = [
    "AuthorizationRequest",
    "IdentityClaims",
    "ProviderConnections",
    "ProviderDirectory",
    "ProviderMetadata",
    "exchange_code",
    "start_authorization",
    "validate_id_token",
]
