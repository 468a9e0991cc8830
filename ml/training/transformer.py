"""Fine-tuning of a sentence-transformers bi-encoder on a tenant's question-passage pairs, with
MultipleNegativesRankingLoss (in-batch negatives), under a time budget: training stops at the budget
(or after its epochs) and the model is saved either way. Either every weight is trained (full) or only
LoRA adapters, merged into the weights before saving (see ``lora``).

Meant for a GPU (the trainer picks it when ``torch.cuda.is_available()``); on a CPU it runs too, slowly.
A tuned embedder puts questions and passages in a new space, so it is evaluated by embedding the
held-out questions and the tenant's passages with it, against the base model the same way.
"""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jisik.errors import InvalidInput

from .budget import epoch_batches, run_within_budget
from .bundle import checksum
from .lora import LoraShape, attach, merge

__all__ = ["FineTuned", "archive", "embed_with", "fine_tune", "unpacked"]


@dataclass(frozen=True, slots=True)
class FineTuned:
    path: Path
    steps: int
    pairs_seen: int
    seconds: float
    stopped_by_budget: bool
    device: str
    method: str  # "full" or "lora"
    trainable_params: int


def _load(path: Path, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device=device, local_files_only=True)


def embed_with(path: Path, texts: Sequence[str], device: str = "cpu") -> np.ndarray:
    """L2-normalised vectors of ``texts`` from the model saved at ``path``."""
    model = _load(path, device)
    return np.asarray(model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=32),
                      dtype=np.float32)


def fine_tune(
    base: Path,
    pairs: Sequence[tuple[str, str]],
    out: Path,
    *,
    budget_s: float,
    device: str,
    epochs: int = 1,
    batch_size: int = 16,
    learning_rate: float | None = None,
    lora: LoraShape | None = None,
    seed: int = 13,
    progress: Callable[[float], None] | None = None,
) -> FineTuned:
    """Fine-tune the model at ``base`` on (question, passage) ``pairs``; save it to ``out``. At least one
    step runs; after that, training stops once ``budget_s`` (counted from the start, loading included) is spent.
    With ``lora`` only low-rank adapters train (default learning rate 1e-3 instead of 2e-5: at 1e-4 a CPU
    budget of minutes barely moved them on KorQuAD), merged on save.

    :raises ValueError: fewer than two pairs (in-batch negatives need a batch).
    """
    if len(pairs) < 2:
        raise ValueError("fine-tuning needs at least two question-passage pairs")
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    torch.manual_seed(seed)
    started = time.perf_counter()
    model = _load(base, device)
    parameters = attach(model, lora) if lora is not None else list(model.parameters())
    model.train()
    loss = MultipleNegativesRankingLoss(model)
    rate = learning_rate if learning_rate is not None else (1e-3 if lora is not None else 2e-5)
    optimizer = torch.optim.AdamW(parameters, lr=rate)

    def step(batch: np.ndarray) -> int:
        columns = ([pairs[i][0] for i in batch], [pairs[i][1] for i in batch])
        features = [{k: v.to(device) if hasattr(v, "to") else v for k, v in model.preprocess(column).items()}
                    for column in columns]
        value = loss(features, None)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        return len(batch)

    run = run_within_budget(epoch_batches(len(pairs), batch_size, epochs, seed, smallest=2), step, started=started,
                            budget_s=budget_s, progress=progress)
    model.eval()
    if lora is not None:
        merge(model)
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return FineTuned(out, run.steps, run.seen, time.perf_counter() - started, run.stopped_by_budget, device,
                     "lora" if lora is not None else "full", sum(p.numel() for p in parameters))


def archive(path: Path) -> bytes:
    """The saved model directory as one zip (the registered artifact; stored, weights do not compress)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as bundle:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            bundle.write(file, file.relative_to(path).as_posix())
    return buffer.getvalue()


@contextmanager
def unpacked(artifact: bytes, expected_sha256: str, what: str) -> Iterator[Path]:
    """A registered model archive (checksum verified) unpacked into a temporary folder, removed on exit.

    :raises InvalidInput: the checksum does not match, it is not a zip, or it holds a path outside its folder.
    """
    if checksum(artifact) != expected_sha256:
        raise InvalidInput("the model artifact does not match its checksum", field="artifact")
    with tempfile.TemporaryDirectory(prefix="jisik-model-") as folder:
        root = Path(folder).resolve()
        try:
            with zipfile.ZipFile(io.BytesIO(artifact)) as bundle:
                for name in bundle.namelist():
                    if root not in (root / name).resolve().parents:
                        raise InvalidInput("the model archive holds a path outside its folder", field="artifact")
                bundle.extractall(root)
        except zipfile.BadZipFile as exc:
            raise InvalidInput(f"the model artifact is not a {what} archive", field="artifact") from exc
        yield root
