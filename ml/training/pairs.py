"""Training pairs and their snapshot form: PII-masked JSON lines, sorted, named by their sha256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from jisik.errors import InvalidInput, TooLarge
from jisik.pii import scrub

__all__ = ["Pair", "decode_records", "decode_snapshot", "encode_records", "encode_snapshot", "parse_labelled_jsonl"]

MAX_TEXT_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Pair:
    """A question and a passage; ``label`` 1 when the passage answers it, 0 when it does not.
    ``source``: feedback, upload, title, heading or sentence."""

    query: str
    passage: str
    label: int
    source: str
    chunk_id: str = ""
    title: str = ""

    def masked(self) -> Pair:
        return Pair(scrub(self.query), scrub(self.passage), self.label, self.source, self.chunk_id, scrub(self.title))


def encode_records(owner: str, records: Iterable[dict[str, Any]]) -> tuple[str, bytes]:
    """(id, content) of ``records`` as sorted, distinct JSON lines; the id is the sha256 of the owner
    (the tenant, and what the records are for) and the content, so equal data gives the same id."""
    lines = sorted({json.dumps(record, ensure_ascii=False, sort_keys=True) for record in records})
    content = ("\n".join(lines) + "\n").encode() if lines else b""
    return hashlib.sha256(owner.encode() + b"\0" + content).hexdigest(), content


def decode_records(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.decode().splitlines() if line.strip()]


def encode_snapshot(tenant_id: str, pairs: Iterable[Pair]) -> tuple[str, bytes]:
    """(id, content) of the masked pairs (see :func:`encode_records`)."""
    return encode_records(tenant_id, (asdict(pair.masked()) for pair in pairs))


def decode_snapshot(content: bytes) -> list[Pair]:
    return [Pair(**record) for record in decode_records(content)]


def parse_labelled_jsonl(data: bytes, *, max_lines: int) -> list[Pair]:
    """Pairs from uploaded JSON lines ``{"query", "passage", "label"?}`` (label 1 by default).

    :raises InvalidInput: a line that is not such an object, naming its number.
    :raises TooLarge: more than ``max_lines`` pairs.
    """
    pairs: list[Pair] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the upload is not UTF-8 text", field="file") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number} is not JSON", field="file") from exc
        if not isinstance(row, dict):
            raise InvalidInput(f"line {number} is not a JSON object", field="file")
        query, passage, label = row.get("query"), row.get("passage"), row.get("label", 1)
        if not isinstance(query, str) or not query.strip() or not isinstance(passage, str) or not passage.strip():
            raise InvalidInput(f"line {number} needs non-empty \"query\" and \"passage\" strings", field="file")
        if label not in (0, 1):
            raise InvalidInput(f"line {number}: \"label\" must be 0 or 1", field="file")
        if len(query) > MAX_TEXT_CHARS or len(passage) > MAX_TEXT_CHARS:
            raise TooLarge(f"line {number} is longer than {MAX_TEXT_CHARS} characters", field="file")
        pairs.append(Pair(query.strip(), passage.strip(), int(label), "upload"))
        if len(pairs) > max_lines:
            raise TooLarge(f"more than {max_lines} pairs in one upload", field="file")
    if not pairs:
        raise InvalidInput("the upload holds no pairs", field="file")
    return pairs
