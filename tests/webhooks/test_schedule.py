"""Retry schedule: exponential backoff with jitter, capped, given up after about three days; 410 and 429."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from jisik.settings import WebhookSettings
from jisik.webhooks.delivery import Outcome, parse_retry_after
from jisik.webhooks.schedule import backoff_s, decide

SETTINGS = WebhookSettings()
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(1)
    first, second, third = (backoff_s(n, SETTINGS, rng) for n in (1, 2, 3))
    assert 4 <= first <= 6 and 8 <= second <= 12 and 16 <= third <= 24
    assert backoff_s(40, SETTINGS, rng) <= SETTINGS.backoff_max_s * 1.2
    spread = {round(backoff_s(5, SETTINGS, random.Random(seed)), 3) for seed in range(20)}
    assert len(spread) > 10  # jittered, so retries of many messages do not arrive together


def test_a_failing_message_is_retried_for_about_three_days_then_given_up() -> None:
    rng = random.Random(2)
    created, now, attempts = NOW, NOW, 0
    failed = Outcome("failed", 5.0, 500)
    while True:
        attempts += 1
        decision = decide(failed, attempts=attempts, created_at=created, now=now, settings=SETTINGS, rng=rng)
        if decision.status != "pending":
            break
        now = decision.next_attempt_at
    assert decision.status == "failed" and not decision.disable_reason
    assert timedelta(days=2) < now - created <= timedelta(days=3)
    assert 10 <= attempts <= 30


def test_gone_fails_the_message_and_disables_the_endpoint() -> None:
    decision = decide(Outcome("failed", 1.0, 410), attempts=1, created_at=NOW, now=NOW, settings=SETTINGS,
                      rng=random.Random())
    assert decision.status == "failed" and "410" in decision.disable_reason


def test_too_many_requests_waits_for_retry_after_within_a_bound() -> None:
    busy = Outcome("failed", 1.0, 429, retry_after_s=120)
    decision = decide(busy, attempts=1, created_at=NOW, now=NOW, settings=SETTINGS, rng=random.Random())
    assert decision.next_attempt_at == NOW + timedelta(seconds=120)
    greedy = Outcome("failed", 1.0, 429, retry_after_s=10 * 86400)
    decision = decide(greedy, attempts=1, created_at=NOW, now=NOW, settings=SETTINGS, rng=random.Random())
    assert decision.next_attempt_at == NOW + timedelta(seconds=SETTINGS.max_retry_after_s)  # bounded


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("30", NOW) == 30
    assert parse_retry_after("Sun, 06 Dec 2026 12:01:00 GMT", NOW) == 60
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
