"""Thin routes, one module per resource; mounted under /api/v1 by gateway.app."""
