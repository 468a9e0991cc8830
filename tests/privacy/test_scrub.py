"""Logs and exported spans carry no personal data: the filter and the span processor mask every hit."""

from __future__ import annotations

import io
import logging

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from jisik.events import DocumentFailed
from jisik.pii.redaction import PiiLogFilter, PiiSpanProcessor, mask_root_log_handlers

SEEDED = ("850315-1234567", "010-2345-6789", "minjun.kim@example.co.kr", "4111 1111 1111 1111", "김민준")


def _capture(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_log_messages_arguments_and_tracebacks_are_masked() -> None:
    logger, stream = _capture("privacy.test.logs")
    logger.warning("upload from %s (%s), phone %s", SEEDED[2], SEEDED[0], SEEDED[1])
    logger.info("card %s for 담당자 %s 과장", SEEDED[3], SEEDED[4])
    try:
        raise ValueError(f"bad row: 주민번호 {SEEDED[0]}")
    except ValueError:
        logger.exception("parse failed")
    output = stream.getvalue()
    assert [value for value in SEEDED if value in output] == []
    assert "⟦EMAIL⟧" in output and "⟦RRN⟧" in output and "⟦NAME⟧" in output
    assert "ValueError: bad row" in output  # the traceback is kept, only the value is gone


def test_root_handlers_get_one_filter_however_often_it_is_installed() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        mask_root_log_handlers()
        mask_root_log_handlers()
        assert sum(isinstance(f, PiiLogFilter) for f in handler.filters) == 1
    finally:
        root.removeHandler(handler)


def test_exported_spans_have_masked_attributes_events_and_status() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(PiiSpanProcessor(SimpleSpanProcessor(exporter)))
    tracer = provider.get_tracer("privacy-test")
    with tracer.start_as_current_span("chat") as span:
        span.set_attribute("chat.query", f"{SEEDED[4]} 고객 전화 {SEEDED[1]}")
        span.set_attribute("chat.recipients", [SEEDED[2], "nobody"])
        span.set_attribute("chat.passages", 3)
        span.add_event("retry", {"reason": f"주민번호 {SEEDED[0]}"})
        span.set_status(Status(StatusCode.ERROR, f"card {SEEDED[3]} declined"))
    [exported] = exporter.get_finished_spans()
    text = repr(exported.attributes) + repr(exported.events[0].attributes) + str(exported.status.description)
    assert [value for value in SEEDED if value in text] == []
    assert exported.attributes is not None
    assert exported.attributes["chat.passages"] == 3
    assert exported.attributes["chat.recipients"] == ("⟦EMAIL⟧", "nobody")
    assert exported.name == "chat" and exported.context == span.get_span_context()


def test_a_dead_letter_reason_carries_no_personal_data() -> None:
    dead = DocumentFailed(
        tenant_id="t",
        knowledge_base_id="kb",
        knowledge_id="k",
        stage="validate",
        failed_topic="documents.parsed",
        reason=f"expected field 주민번호 {SEEDED[0]} does not match; contact {SEEDED[2]}",
    )
    payload = dead.model_dump_json()
    assert [value for value in SEEDED if value in payload] == []
    assert "expected field 주민번호 ⟦RRN⟧ does not match; contact ⟦EMAIL⟧" in payload
