"""Process entry of the webhook delivery worker (``jisik serve webhooks``). No listening socket."""

from __future__ import annotations

import asyncio
import logging
import signal

from jisik.db.engine import create_engine, session_factory
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings import Settings

from .worker import DeliveryWorker

__all__ = ["run"]

logger = logging.getLogger(__name__)


async def run(settings: Settings, *, port: int | None = None) -> None:
    """Deliver webhook messages until SIGINT/SIGTERM."""
    del port  # the worker serves no port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    engine = create_engine(settings.database.dsn, pool_size=4)
    policy = AddressPolicy(settings.endpoints.egress_allow_list)
    logger.info("webhook delivery starting")
    try:
        box = SecretBox(settings.endpoints.encryption_key.get_secret_value())
        await DeliveryWorker(session_factory(engine), settings.webhooks, policy, box).run(stop)
    finally:
        await engine.dispose()
    logger.info("webhook delivery stopped")
