"""jisik shared core: settings, database models, events, telemetry, gRPC stubs, the one typed client per
service (``jisik.clients``) and the embedded runtime."""

import os

# gRPC's fork handlers restart its poller thread in a forked child; Popen with a preexec_fn (the
# supervisor's parent-death signal) forks, closes that poller's epoll descriptor before exec, and the
# restarted poller aborts the child (SIGABRT) now and then while other threads use gRPC. jisik never
# uses gRPC across fork (parser workers are spawned), so the handlers are off unless asked for.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

__version__ = "0.1.0"
