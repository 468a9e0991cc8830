"""jisik shared core: settings, database models, events, telemetry, gRPC stubs and the embedded runtime."""

__version__ = "0.1.0"
