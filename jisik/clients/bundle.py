"""The service clients of one process, over channels opened once and closed together."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from jisik.grpc_server import grpc_channel
from jisik.settings import Settings

from .docreader import DocReaderClient
from .model import ModelClient
from .retriever import RetrieverClient

__all__ = ["ServiceClients"]


@dataclass
class ServiceClients:
    """Open with :meth:`open`; ``close`` once when the process stops."""

    docreader: DocReaderClient
    retriever: RetrieverClient
    model: ModelClient
    _channels: tuple[grpc.aio.Channel, ...]

    @classmethod
    def open(cls, settings: Settings, *, timeout_s: float, generation_timeout_s: float | None = None,
             rerank_timeout_s: float | None = None) -> ServiceClients:
        """Clients of the configured services; ``timeout_s`` bounds unary calls and document reads."""
        endpoints = settings.endpoints
        docreader, retriever, model = (
            grpc_channel(address, endpoints)
            for address in (endpoints.docreader_addr, endpoints.retriever_addr, endpoints.model_addr)
        )
        return cls(
            DocReaderClient(docreader, timeout_s=timeout_s),
            RetrieverClient(retriever, timeout_s=timeout_s),
            ModelClient(model, timeout_s=timeout_s, rerank_timeout_s=rerank_timeout_s or timeout_s,
                        stream_timeout_s=generation_timeout_s or timeout_s),
            (docreader, retriever, model),
        )

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
