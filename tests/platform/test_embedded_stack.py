"""The whole platform as `jisik up` runs it: ready, authenticated, and honest about a service that is down."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from tests.stack import EmbeddedStack, JisikUp

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_for(predicate: Callable[[], bool], timeout_s: float = 60.0, what: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"condition not met in {timeout_s:.0f}s {what()}"
        time.sleep(0.3)


class TestEmbeddedStack:
    def test_ready_and_bootstrap_key_authenticates(self, embedded_stack: EmbeddedStack) -> None:
        ready = httpx.get(f"{embedded_stack.gateway_url}/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ok"
        headers = {"X-API-Key": embedded_stack.api_key}
        listed = httpx.get(f"{embedded_stack.gateway_url}/api/v1/knowledge-bases", headers=headers, timeout=10)
        assert listed.status_code == 200, listed.text
        wrong = httpx.get(
            f"{embedded_stack.gateway_url}/api/v1/knowledge-bases", headers={"X-API-Key": "sk-wrong"}, timeout=10
        )
        assert wrong.status_code == 401

    def test_killed_service_is_named_by_ready_and_comes_back(self, embedded_stack: EmbeddedStack) -> None:
        url = f"{embedded_stack.gateway_url}/ready"
        embedded_stack.kill("retriever")
        try:
            _wait_for(lambda: httpx.get(url, timeout=10).status_code == 503)
            body = httpx.get(url, timeout=10).json()
            assert body["down"] == ["retriever"]
            assert body["dependencies"]["retriever"]["reason"]
        finally:
            embedded_stack.start("retriever")
        # The retriever answers health now; the gateway's next checks see every dependency again.
        _wait_for(lambda: httpx.get(url, timeout=10).status_code == 200, what=lambda: httpx.get(url, timeout=10).text)


SECRET_WORD = "Hwangsoburi"


class TestTracing:
    def test_one_trace_crosses_gateway_kafka_and_grpc_without_secrets(self, embedded_stack: EmbeddedStack) -> None:
        trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
        url, key = embedded_stack.gateway_url, embedded_stack.api_key
        headers = {"X-API-Key": key}
        base = httpx.post(f"{url}/api/v1/knowledge-bases", json={"name": "traced"}, headers=headers, timeout=30)
        assert base.status_code == 201, base.text
        memo = {"title": "Memo", "content": f"# Memo\n\nThe code name is {SECRET_WORD}.\n", "status": "publish"}
        created = httpx.post(
            f"{url}/api/v1/knowledge-bases/{base.json()['data']['id']}/knowledge/manual",
            json=memo,
            headers={**headers, "traceparent": f"00-{trace_id}-{caller_span}-01"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        wanted = {"jisik-gateway", "jisik-ingest", "jisik-docreader"}
        _wait_for(
            lambda: wanted <= {span.service for span in embedded_stack.spans(trace_id)},
            timeout_s=120,
            what=lambda: str(sorted((s.service, s.name) for s in embedded_stack.spans(trace_id))),
        )

        spans = embedded_stack.spans(trace_id)
        gateway_root = [s for s in spans if s.service == "jisik-gateway" and s.parent_span_id == caller_span]
        assert gateway_root, "the gateway's server span continues the caller's trace"
        consumer = [s for s in spans if s.service == "jisik-ingest" and s.name.startswith("ingest.")]
        assert consumer, "an ingest Kafka consumer span joined the trace"
        assert any(s.service == "jisik-docreader" and "DocReader" in s.name for s in spans)
        for span in embedded_stack.spans():
            text = " ".join([span.name, *span.attributes.keys(), *span.attributes.values()])
            assert key not in text and SECRET_WORD not in text, (span.service, span.name)
        for service in ("gateway", "ingest", "docreader", "cdc"):
            log = embedded_stack.log_path(service).read_text(errors="replace")
            assert key not in log and SECRET_WORD not in log, service


class TestJisikUp:
    def test_prints_url_and_key_and_sigterm_stops_every_process(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="jisik-up-test-"))
        up = JisikUp(root)
        try:
            up.start()
            assert up.ready_line == f"jisik is ready at {up.gateway_url}"
            assert (root / "var" / "bootstrap_api_key").read_text().strip() == up.api_key
            signed_in = httpx.post(f"{up.gateway_url}/api/v1/auth/sign-in", timeout=10,
                                   json={"email": up.admin_email, "password": up.admin_password})
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["data"]["user"]["must_change_password"] is True
            assert signed_in.json()["data"]["role"] == "owner"
            assert up.process is not None
            tree = psutil.Process(up.process.pid).children(recursive=True)
            names = " ".join(" ".join(p.cmdline()) for p in tree)
            for service in ("docreader", "retriever", "model", "ingest", "cdc", "gateway", "postgres", "tansu"):
                assert service in names
            assert up.stop() == 0
            _, alive = psutil.wait_procs(tree, timeout=10)
            assert alive == []
        finally:
            up.stop()
            shutil.rmtree(root, ignore_errors=True)
