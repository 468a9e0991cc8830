"""The embedded PostgreSQL and Kafka broker a stack runs when no external ones are configured."""

from __future__ import annotations

import logging
from pathlib import Path

from jisik.settings import Settings

from .postgres import EmbeddedPostgres, EmbeddedPostgresError
from .processes import PidFiles
from .tansu import EmbeddedBrokerError, EmbeddedTansu

__all__ = ["EmbeddedInfrastructure", "InfrastructureError"]

logger = logging.getLogger(__name__)

POSTGRES = "postgres"
BROKER = "broker"


class InfrastructureError(RuntimeError):
    """An embedded server could not be started; the message names it and the setting to change."""


class EmbeddedInfrastructure:
    """Starts, watches and restarts the embedded servers; each one's pid is kept in the pid files."""

    def __init__(self, settings: Settings, data_dir: Path, logs_dir: Path, pid_files: PidFiles) -> None:
        self._pid_files = pid_files
        self.postgres = (
            None if settings.database.url else EmbeddedPostgres(data_dir / "pg", settings.database.embedded_port)
        )
        self.broker = (
            None if settings.kafka.bootstrap_servers
            else EmbeddedTansu(settings.kafka.embedded_port, logs_dir / "tansu.log")
        )

    @property
    def names(self) -> list[str]:
        """The embedded servers of this stack, in start order."""
        return [name for name, server in ((POSTGRES, self.postgres), (BROKER, self.broker)) if server is not None]

    def start(self, name: str) -> None:
        """Start one embedded server and wait until it answers."""
        server = self.postgres if name == POSTGRES else self.broker
        assert server is not None, name
        logger.info("starting embedded %s on port %d", name, server.port)
        try:
            server.start()
        except (EmbeddedPostgresError, EmbeddedBrokerError) as exc:
            raise InfrastructureError(str(exc)) from exc
        if server.pid is not None:
            self._pid_files.record(name, server.pid)

    def down(self) -> list[str]:
        """The embedded servers that are not running."""
        return [name for name in self.names if not self._server_running(name)]

    def _server_running(self, name: str) -> bool:
        server = self.postgres if name == POSTGRES else self.broker
        return server is not None and server.running()

    def stop(self) -> None:
        """Stop the broker, then PostgreSQL."""
        for name, server in ((BROKER, self.broker), (POSTGRES, self.postgres)):
            if server is not None:
                server.stop()
                self._pid_files.forget(name)

    def pids(self) -> list[int]:
        return [server.pid for server in (self.postgres, self.broker) if server is not None and server.pid]
