"""Database access for the routes. Keyword-only functions; every query is filtered by tenant_id,
so another tenant's id is simply not found."""
