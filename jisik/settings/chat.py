"""Chat pipeline settings (the nine stages and the SSE stream state)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class ChatSettings(JisikSettings):
    config_table = "chat"
    model_config = SettingsConfigDict(env_prefix="JISIK_CHAT_", extra="ignore", frozen=True)

    history_messages: int = Field(20, ge=0, description="Recent messages read to rebuild the history turns")
    generation_history_turns: int = Field(2, ge=0, description="History turns sent with the final prompt")
    rewrite_max_tokens: int = Field(64, ge=1, description="Token cap of the rewritten question")
    search_timeout_s: float = Field(10.0, gt=0, description="Deadline of one embed, analyze or search call")
    rerank_timeout_s: float = Field(20.0, gt=0, description="Deadline of one rerank call")
    generation_timeout_s: float = Field(120.0, gt=0, description="Deadline of the whole answer stream")
    max_passage_chars: int = Field(4000, ge=100, description="Longest passage put into the prompt")
    resume_grace_s: float = Field(
        10.0,
        ge=0,
        description="Seconds an answer keeps generating after its reader left, so a reloaded page can resume it "
        "with continue-stream; then generation stops and the partial answer is stored as interrupted (0 = at once)",
    )
    finished_stream_ttl_s: float = Field(300.0, ge=0, description="Seconds a finished stream stays replayable")
