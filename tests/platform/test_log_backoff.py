"""Repeated warnings back off during an outage instead of flooding the log."""

from __future__ import annotations

import logging

import pytest

from jisik.runtime.log_backoff import RepeatBackoff


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def captured() -> tuple[logging.Logger, list[str], Clock]:
    clock = Clock()
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    handler.addFilter(RepeatBackoff(first_s=1.0, max_s=8.0, clock=clock))
    logger = logging.getLogger("test.log_backoff")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, lines, clock


def test_an_outage_of_a_minute_writes_a_handful_of_lines(captured: tuple[logging.Logger, list[str], Clock]) -> None:
    logger, lines, clock = captured
    for _ in range(600):  # a Kafka client retrying every 100 ms for a minute
        logger.error("Unable connect to node with id %s", 1)
        clock.now += 0.1
    assert 5 <= len(lines) <= 12
    assert lines[0] == "Unable connect to node with id 1"
    assert "more like this held back]" in lines[1]
    held_back = sum(int(line.rsplit("[", 1)[1].split()[0]) for line in lines[1:])
    assert held_back + len(lines) >= 600 - 80  # every held-back line is counted, bar the last window (8 s)


def test_different_lines_and_info_lines_pass(captured: tuple[logging.Logger, list[str], Clock]) -> None:
    logger, lines, clock = captured
    logger.warning("broker down")
    logger.warning("broker down")
    logger.warning("database down")
    logger.warning("document %s failed", "a")
    logger.warning("document %s failed", "b")
    logger.info("progress %d", 1)
    logger.info("progress %d", 1)
    assert lines == ["broker down", "database down", "document a failed", "document b failed", "progress 1",
                     "progress 1"]


def test_a_quiet_template_starts_over(captured: tuple[logging.Logger, list[str], Clock]) -> None:
    logger, lines, clock = captured
    logger.warning("broker down")
    clock.now += 9.0
    logger.warning("broker down")
    assert lines == ["broker down", "broker down"]
