"""Children spawned while other threads use gRPC start every time (no SIGABRT before exec)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The scenario runs in a fresh interpreter so that only `import jisik` decides gRPC's fork handling.
_SCENARIO = textwrap.dedent(
    """
    import tempfile, threading
    from pathlib import Path

    import jisik  # noqa: F401  - first, as every jisik process imports it before gRPC
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from jisik.runtime.processes import ChildProcess

    stub = health_pb2_grpc.HealthStub(grpc.insecure_channel("127.0.0.1:1"))

    def busy() -> None:
        while True:
            try:
                stub.Check(health_pb2.HealthCheckRequest(), timeout=0.01)
            except grpc.RpcError:
                pass

    for _ in range(4):
        threading.Thread(target=busy, daemon=True).start()
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        for number in range(200):
            child = ChildProcess(f"true-{number}", ["/bin/true"], Path(folder) / "child.log")
            child.start()
            assert child.process is not None
            failed += child.process.wait() != 0
    print(failed)
    """
)


def test_supervised_children_survive_spawning_while_grpc_is_busy() -> None:
    result = subprocess.run([sys.executable, "-c", _SCENARIO], capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.strip() == "0", f"children aborted before exec: {result.stdout.strip()}"
