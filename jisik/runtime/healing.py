"""When to restart a crashed child: exponential backoff, and a crash-loop limit that gives up."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["CrashHistory", "CrashLoop", "RestartPolicy"]


class CrashLoop(Exception):
    """A child crashed too often in too short a time; restarting it again would not help."""


@dataclass(frozen=True)
class RestartPolicy:
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    crash_limit: int = 5
    crash_window_s: float = 120.0


@dataclass
class CrashHistory:
    """The crashes of one child, newest last."""

    name: str
    policy: RestartPolicy
    crashes: deque[float] = field(default_factory=deque)

    def record(self, now: float) -> float:
        """Count a crash at ``now`` (monotonic seconds); returns how long to wait before the restart.

        :raises CrashLoop: the child crashed ``crash_limit`` times within ``crash_window_s``.
        """
        policy = self.policy
        while self.crashes and now - self.crashes[0] > policy.crash_window_s:
            self.crashes.popleft()
        self.crashes.append(now)
        if len(self.crashes) >= policy.crash_limit:
            raise CrashLoop(
                f"{self.name} crashed {len(self.crashes)} times within {policy.crash_window_s:.0f}s "
                "(JISIK_CRASH_LOOP_LIMIT / JISIK_CRASH_LOOP_WINDOW_S); giving up"
            )
        return min(policy.backoff_max_s, policy.backoff_s * 2.0 ** (len(self.crashes) - 1))
