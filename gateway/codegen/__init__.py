"""Client code generated from the gateway's OpenAPI document: the web app's TypeScript types and the
Python SDK's models. ``scripts/openapi_clients.py`` writes them; a test regenerates and compares."""

from .spec import API_PREFIX, Operation, gateway_openapi, operations, schema_name

__all__ = ["API_PREFIX", "Operation", "gateway_openapi", "operations", "schema_name"]
