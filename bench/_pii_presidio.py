"""Runs Presidio's analyzer over the texts in a JSON file (argv[1]) and writes hits and timing to argv[2].

Run with a Python that has ``presidio-analyzer`` (a private venv; jisik does not depend on it). No spaCy
model is downloaded: the NLP engine is a blank multilingual spaCy pipeline saved to a temporary folder, so
Presidio runs its pattern recognizers (with the Korean ones enabled) and has no NER (no PERSON)."""

from __future__ import annotations

import json
import sys
import tempfile
import time

import presidio_analyzer.predefined_recognizers as predefined
import spacy
import tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
)

# Presidio's e-mail check asks tldextract, which would fetch the public suffix list; use the bundled copy.
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())


def _engine(model_dir: str) -> AnalyzerEngine:
    spacy.blank("xx").to_disk(model_dir)
    nlp = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "ko", "model_name": model_dir}],
        }
    ).create_engine()
    registry = RecognizerRegistry(supported_languages=["ko"])
    korean = [
        getattr(predefined, name)
        for name in dir(predefined)
        if name.startswith("Kr") and name.endswith("Recognizer")
    ]
    for recognizer in korean:
        registry.add_recognizer(recognizer(supported_language="ko"))
    for recognizer in (EmailRecognizer, CreditCardRecognizer, IbanRecognizer):
        registry.add_recognizer(recognizer(supported_language="ko"))
    registry.add_recognizer(
        PhoneRecognizer(supported_language="ko", supported_regions=("KR", "US", "CN", "DE"))
    )
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["ko"])


def main() -> None:
    texts = json.load(open(sys.argv[1], encoding="utf-8"))
    with tempfile.TemporaryDirectory() as model_dir:
        engine = _engine(model_dir)
        engine.analyze("준비 010-0000-0000", language="ko")
        recognizers = sorted(r.name for r in engine.registry.recognizers)
        out = []
        started = time.perf_counter()
        for text in texts:
            results = engine.analyze(text, language="ko", score_threshold=0.0)
            out.append([(r.entity_type, r.start, r.end, r.score) for r in results])
        elapsed = time.perf_counter() - started
    json.dump({"hits": out, "seconds": elapsed, "recognizers": recognizers}, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
