"""Port checks: is a port free, and could a client's own ephemeral port collide with it.

A port inside the kernel's ephemeral range (``ip_local_port_range``) can be taken by any outgoing
connection; worse, a client connecting to a local port in that range while nothing listens can be
handed that very port as its source and connect to itself (TCP simultaneous open), holding the port.
"""

from __future__ import annotations

import socket
from pathlib import Path

__all__ = ["ephemeral_range", "in_ephemeral_range", "port_is_free"]

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LINUX_DEFAULT = (32768, 60999)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def ephemeral_range(source: Path = _RANGE_FILE) -> tuple[int, int]:
    """The kernel's range for outgoing source ports (the Linux default where it cannot be read)."""
    try:
        low, high = (int(part) for part in source.read_text().split())
    except (OSError, ValueError):
        return _LINUX_DEFAULT
    return low, high


def in_ephemeral_range(port: int) -> bool:
    low, high = ephemeral_range()
    return low <= port <= high
