"""LoRA for the bi-encoder fine-tuning: low-rank adapters (peft) on the attention projections of a
sentence-transformers model's encoder, trained in place of all its weights, then merged into them so the
saved model is a plain sentence-transformers directory that serving loads like any other.

peft's own sentence-transformers path (``add_adapter``) is refused by transformers 5 for peft < 0.22, so
the encoder (``model[0].auto_model``) is wrapped with ``get_peft_model`` directly.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

__all__ = ["LoraShape", "attach", "merge"]


@dataclass(frozen=True, slots=True)
class LoraShape:
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.1


def _slot(encoder: Any) -> str:
    """Where the encoder module keeps its transformers model: sentence-transformers 5+ reads ``auto_model``
    through a property over ``model``; earlier versions store ``auto_model`` itself."""
    return "model" if isinstance(getattr(type(encoder), "auto_model", None), property) else "auto_model"


def attach(model: Any, shape: LoraShape) -> list[Any]:
    """Wrap the encoder of the sentence-transformers ``model`` with LoRA adapters; every other weight is
    frozen. Returns the trainable parameters (the adapters')."""
    from peft import LoraConfig, TaskType, get_peft_model

    encoder = model[0]
    config = LoraConfig(task_type=TaskType.FEATURE_EXTRACTION, r=shape.rank, lora_alpha=shape.alpha,
                        lora_dropout=shape.dropout)
    with warnings.catch_warnings():  # peft 0.21 asks transformers 5 a deprecated question; nothing to fix here
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
        setattr(encoder, _slot(encoder), get_peft_model(encoder.auto_model, config))
    return [parameter for parameter in model.parameters() if parameter.requires_grad]


def merge(model: Any) -> None:
    """Fold the trained adapters into the encoder's weights and drop the peft wrapper."""
    encoder = model[0]
    setattr(encoder, _slot(encoder), encoder.auto_model.merge_and_unload())
