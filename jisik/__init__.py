"""jisik shared core: settings, database models, events, telemetry, gRPC stubs, the one typed client per
service (``jisik.clients``) and the embedded runtime."""

__version__ = "0.1.0"
