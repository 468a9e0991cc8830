"""A real OpenID Connect provider for the tests: oidc-provider-mock (authlib-based, from PyPI) in a process
of its own on a free port, with predefined users and their claims."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest


@contextmanager
def running_provider(users: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Yields the provider's URL (its issuer); ``users`` maps a subject to its claims. Nonces are required."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/.well-known/openid-configuration", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("oidc-provider-mock did not start")
                time.sleep(0.1)
        for subject, claims in users.items():
            httpx.put(f"{url}/users/{subject}", json=claims, timeout=5).raise_for_status()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
