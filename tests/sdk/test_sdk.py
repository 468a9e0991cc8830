"""The Python SDK (sdk/python) against a real gateway, its webhook verifier against the Standard Webhooks
reference and jisik's signer, its package build, and the README's example against the whole stack."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import standardwebhooks
from jisik_sdk import ApiError, Jisik, WebhookVerificationError, verify_webhook
from jisik_sdk.streaming import sse_data
from pydantic import SecretStr

from jisik.runtime.tansu import EmbeddedTansu
from jisik.secret_box import SecretBox
from jisik.webhooks.signing import new_secret, signature_header
from tests.gateway.gateway_testkit import RunningGateway, gateway_settings, running_gateway

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "python"


class TestServerSentEvents:
    def test_message_data_is_joined_and_other_events_and_comments_skipped(self) -> None:
        lines = [": keep-alive", "data: {\"a\":", "data: 1}", "", "event: ping", "data: x", "", "data: last"]
        assert list(sse_data(lines)) == ['{"a":\n1}', "last"]


class TestWebhookVerification:
    BODY = json.dumps({"type": "document.indexed", "data": {"knowledge_id": "k1"}}).encode()

    def test_accepts_what_the_reference_signer_and_jisik_sign(self) -> None:
        secret = new_secret()
        now = int(time.time())
        reference = standardwebhooks.Webhook(secret).sign("msg_1", _datetime(now), self.BODY.decode())
        headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": reference}
        assert verify_webhook(self.BODY, headers, secret)["data"] == {"knowledge_id": "k1"}
        # During a rotation jisik signs with both secrets; a receiver holding either accepts it.
        old, new = new_secret(), new_secret()
        rotated = {**headers, "Webhook-Signature": signature_header([new, old], "msg_1", now, self.BODY)}
        del rotated["webhook-signature"]
        assert verify_webhook(self.BODY, rotated, old)["type"] == "document.indexed"
        assert verify_webhook(self.BODY, rotated, new)["type"] == "document.indexed"

    def test_refuses_a_tampered_body_a_wrong_secret_a_stale_timestamp_and_missing_headers(self) -> None:
        secret = new_secret()
        now = int(time.time())
        headers = {"webhook-id": "msg_2", "webhook-timestamp": str(now),
                   "webhook-signature": signature_header([secret], "msg_2", now, self.BODY)}
        with pytest.raises(WebhookVerificationError, match="no signature"):
            verify_webhook(self.BODY.replace(b"k1", b"k2"), headers, secret)
        with pytest.raises(WebhookVerificationError, match="no signature"):
            verify_webhook(self.BODY, headers, new_secret())
        with pytest.raises(WebhookVerificationError, match="too far"):
            verify_webhook(self.BODY, headers, secret, now=now + 301)
        with pytest.raises(WebhookVerificationError, match="missing header webhook-id"):
            verify_webhook(self.BODY, {k: v for k, v in headers.items() if k != "webhook-id"}, secret)
        # The reference verifier agrees with each refusal's opposite: the untouched request verifies.
        standardwebhooks.Webhook(secret).verify(self.BODY, headers)
        assert base64.b64decode(secret.removeprefix("whsec_"))


def _datetime(seconds: int):  # noqa: ANN202 - the reference signer takes a datetime
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC)


@pytest.fixture(scope="module")
async def gateway(module_database: str, kafka: EmbeddedTansu,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningGateway]:
    settings = gateway_settings(module_database, tmp_path_factory.mktemp("sdk-gateway"),
                                kafka_servers=kafka.bootstrap_servers,
                                endpoints={"encryption_key": SecretStr(SecretBox.generate_key())})
    async with running_gateway(settings) as running:
        yield running


@pytest.mark.integration
class TestAgainstTheGateway:
    async def test_knowledge_bases_documents_and_errors(self, gateway: RunningGateway, tmp_path: Path) -> None:
        # The SDK is synchronous; the gateway runs on this test's event loop, so the SDK runs in a thread.
        import asyncio

        def scenario() -> dict[str, object]:
            with Jisik(gateway.url, api_key=gateway.acme.api_key) as jisik:
                assert jisik.tenant().id == gateway.acme.id
                base = jisik.create_knowledge_base("계약서", description="2026")
                renamed = jisik.update_knowledge_base(base.id, name="계약서 2026")
                listed = [item.id for item in jisik.list_knowledge_bases()]
                (tmp_path / "note.md").write_text("# Note\n\nThe ferry leaves at 07:30.\n")
                document = jisik.upload(base.id, tmp_path / "note.md")
                page = jisik.list_documents(base.id)
                with pytest.raises(TimeoutError):
                    jisik.wait_until_indexed(document.id, timeout_s=0.3, poll_s=0.1)
                with pytest.raises(ApiError) as missing:
                    jisik.get_knowledge_base("00000000-0000-0000-0000-000000000000")
                with pytest.raises(ApiError) as invalid:
                    jisik.create_knowledge_base("")
                queue = jisik.review_queue()
                empty_schema = jisik.get_field_schema(base.id)
                schema = jisik.set_field_schema(base.id, {"fields": [
                    {"name": "total", "label": "합계금액", "type": "amount", "required": True}]})
                with pytest.raises(ApiError) as bad_schema:
                    jisik.set_field_schema(base.id, {"fields": [{"name": "code", "label": "코드", "type": "regex"}]})
                fields = jisik.document_fields(document.id)
                trail = jisik.audit(entity_type="knowledge_base", entity_id=base.id)
                jisik.delete_knowledge_base(base.id)
                return {"document_id": document.id, "renamed": renamed.name, "listed": base.id in listed, "document": document.file_name,
                        "page": (page.total, [item.id for item in page.items] == [document.id]),
                        "missing": (missing.value.status, missing.value.code), "invalid": invalid.value,
                        "queue": queue.total, "trail": trail.total,
                        "schemas": (empty_schema.version, schema.version, [f["name"] for f in schema.fields]),
                        "bad_schema": (bad_schema.value.status, bad_schema.value.field),
                        "fields": (fields.knowledge_id, fields.status, fields.fields)}

        with Jisik(gateway.url, api_key=gateway.globex.api_key) as other:
            other_bases = await asyncio.to_thread(other.list_knowledge_bases)
        result = await asyncio.to_thread(scenario)
        assert result["renamed"] == "계약서 2026" and result["listed"]
        assert result["document"] == "note.md" and result["page"] == (1, True)
        assert result["missing"] == (404, "not_found")
        invalid = result["invalid"]
        assert isinstance(invalid, ApiError) and invalid.status == 422 and invalid.field is not None
        assert result["queue"] == 0
        assert result["schemas"] == (0, 1, ["total"])
        assert result["bad_schema"] == (422, "fields.code")
        assert result["fields"] == (result["document_id"], "not_extracted", [])  # no ingest runs here
        assert result["trail"] == 0  # no cdc process runs here; tests/cdc/test_audit.py covers the trail
        assert other_bases == []

    async def test_webhook_endpoints_secrets_and_delivery_log(self, gateway: RunningGateway) -> None:
        import asyncio

        def scenario() -> None:  # asserts in the thread; a failure propagates through to_thread
            with Jisik(gateway.url, api_key=gateway.acme.api_key) as jisik:
                types = [item.model_dump().get("event_type") or item.model_dump().get("type")
                         for item in jisik.webhook_event_types()]
                assert "document.indexed" in types
                created = jisik.create_webhook("https://8.8.8.8/hooks/jisik", ["document.indexed"])
                assert created.secret.startswith("whsec_")
                [listed] = jisik.list_webhooks()
                assert listed.id == created.id and created.secret.startswith(listed.secret_prefix)
                assert "secret" not in listed.model_dump()  # shown once, at creation
                assert jisik.update_webhook(created.id, enabled=False).enabled is False
                rotated = jisik.rotate_webhook_secret(created.id)
                assert rotated.secret.startswith("whsec_") and rotated.secret != created.secret
                assert rotated.previous_secret_expires_at is not None
                assert jisik.webhook_deliveries(created.id).total == 0
                with pytest.raises(ApiError) as private:
                    jisik.create_webhook("http://127.0.0.1:9/hook", ["document.indexed"])
                assert (private.value.status, private.value.field) == (422, "url")
                jisik.delete_webhook(created.id)
                with pytest.raises(ApiError) as gone:
                    jisik.get_webhook(created.id)
                assert gone.value.status == 404
            # During the overlap jisik signs with both secrets; a receiver holding the old one accepts it.
            body, now = b'{"type":"document.indexed"}', int(time.time())
            headers = {"webhook-id": "msg_x", "webhook-timestamp": str(now),
                       "webhook-signature": signature_header([rotated.secret, created.secret], "msg_x", now, body)}
            assert verify_webhook(body, headers, created.secret) == {"type": "document.indexed"}

        await asyncio.to_thread(scenario)

    async def test_a_refused_stream_raises_before_any_event(self, gateway: RunningGateway) -> None:
        import asyncio

        def scenario() -> ApiError:
            with Jisik(gateway.url, api_key=gateway.acme.api_key) as jisik, pytest.raises(ApiError) as refused:
                list(jisik.chat("00000000-0000-0000-0000-000000000000", "hello"))
            return refused.value

        refused = await asyncio.to_thread(scenario)
        assert refused.status == 404

    async def test_a_wrong_key_is_an_api_error(self, gateway: RunningGateway) -> None:
        import asyncio

        def scenario() -> ApiError:
            with Jisik(gateway.url, api_key="sk-wrong") as jisik, pytest.raises(ApiError) as refused:
                jisik.list_knowledge_bases()
            return refused.value

        assert (await asyncio.to_thread(scenario)).status == 401


def test_the_package_builds_with_its_generated_models(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = shutil.copytree(SDK, tmp_path / "source", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w",
         str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=240, check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("jisik_sdk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"jisik_sdk/client.py", "jisik_sdk/models.py", "jisik_sdk/webhooks.py", "jisik_sdk/py.typed"} <= names


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- sdk-example:start -->\n```python\n(.*?)```\n<!-- sdk-example:end -->", text, re.S)
    assert found is not None, "README.md lost its SDK example markers"
    return found.group(1)


@pytest.mark.integration
@pytest.mark.slow
def test_the_readme_example_runs_against_the_stack(embedded_stack, tmp_path: Path) -> None:  # noqa: ANN001
    from jisik.runtime.bootstrap import new_tenant, run_coroutine

    _, key = run_coroutine(new_tenant(embedded_stack.settings.database.url, "sdk-readme"))
    (tmp_path / "timetable.md").write_text(
        "# Harbour timetable\n\nThe morning ferry from Mokpo to Jeju leaves at 07:30 from pier 3.\n"
        "The crossing takes four and a half hours.\n")
    (tmp_path / "example.py").write_text(_readme_example())
    env = {**os.environ, "JISIK_URL": embedded_stack.gateway_url, "JISIK_API_KEY": key,
           "PYTHONPATH": str(SDK)}
    run = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=280, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "07:30" in run.stdout
    # The example printed the document's trail as far as the cdc process had written it; its creation is
    # there once the cdc process has caught up with the ingest's changes.
    with Jisik(embedded_stack.gateway_url, api_key=key) as jisik:
        document_id = jisik.list_documents(jisik.list_knowledge_bases()[0].id).items[0].id
        for _ in range(120):
            entries = jisik.audit(document_id=document_id, page_size=100).items
            if any(entry.action == "created" and entry.actor.startswith("key:sk-") for entry in entries):
                break
            time.sleep(1)
        else:
            pytest.fail(f"no creation entry for the README's document: {[e.action for e in entries]}")
