"""The network behind the trained stance model: MiniLM with LoRA adapters and a small head.

Shared by training (:mod:`stancewatch.stance.training`) and inference
(:mod:`stancewatch.stance.model`), so both build exactly the same thing. Two designs:

- ``bi`` (bi-encoder): the text and the proposition are embedded separately (mean pooling)
  into ``u`` and ``v``; the head reads ``[u, v, |u - v|, u * v]``. Each statement is embedded
  once however many positions it is scored against.
- ``cross`` (cross-encoder): ``text [SEP] proposition`` in one pass; the head reads the mean
  pooled output. Usually more accurate, but every pair is a full forward pass.

LoRA (low-rank adaptation) adds ``scale * B @ A`` to the weight of every linear layer of the
encoder; only ``A``, ``B`` and the head are trained and shipped. At load time the product is
merged into the base weights, so inference needs nothing beyond torch and transformers.
Only torch is imported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

ARCHS: tuple[str, ...] = ("bi", "cross")
# Linear layers of a BERT encoder layer that get adapters (attention and feed-forward).
LORA_TARGETS: tuple[str, ...] = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LoRALinear(nn.Module):
    """``base(x) + scale * (dropout(x) @ A.T @ B.T)`` with ``base`` frozen."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        self.base = base
        self.rank = rank
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)
        for p in self.base.parameters():
            p.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        delta = self.dropout(x) @ self.lora_a.t() @ self.lora_b.t()
        return self.base(x) + self.scale * delta


def _lora_sites(encoder: nn.Module) -> Iterator[tuple[str, nn.Module, str]]:
    """(full name, parent module, attribute) of every linear layer that takes an adapter."""
    for name, _module in encoder.named_modules():
        if not name.startswith("encoder.layer.") and ".encoder.layer." not in name:
            continue
        for target in LORA_TARGETS:
            if name.endswith(target):
                parent_name, _, attr = name.rpartition(".")
                yield name, encoder.get_submodule(parent_name), attr


def add_lora(encoder: nn.Module, rank: int, alpha: float, dropout: float = 0.0) -> list[str]:
    """Freeze ``encoder`` and wrap its target linear layers with adapters; their names."""
    for p in encoder.parameters():
        p.requires_grad_(False)
    names = []
    for name, parent, attr in list(_lora_sites(encoder)):
        base = getattr(parent, attr)
        if isinstance(base, nn.Linear):
            setattr(parent, attr, LoRALinear(base, rank, alpha, dropout))
            names.append(name)
    if not names:
        raise ValueError("the encoder has no BERT-style linear layers to adapt")
    return names


def lora_tensors(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """The trained adapters as ``{"lora.NAME.A": ..., "lora.NAME.B": ...}``."""
    out = {}
    for name, module in encoder.named_modules():
        if isinstance(module, LoRALinear):
            out[f"lora.{name}.A"] = module.lora_a.detach().cpu().contiguous()
            out[f"lora.{name}.B"] = module.lora_b.detach().cpu().contiguous()
    return out


def merge_lora(encoder: nn.Module, tensors: dict[str, torch.Tensor], scale: float) -> int:
    """Add ``scale * B @ A`` to each plain linear layer named in ``tensors``; how many."""
    merged = 0
    for key, a in tensors.items():
        if not (key.startswith("lora.") and key.endswith(".A")):
            continue
        name = key[len("lora.") : -len(".A")]
        b = tensors[f"lora.{name}.B"]
        layer = encoder.get_submodule(name)
        if not isinstance(layer, nn.Linear):
            raise ValueError(f"{name} is not a linear layer of the base model")
        with torch.no_grad():
            delta = (b.float() @ a.float()) * scale
            layer.weight += delta.to(layer.weight.dtype)
        merged += 1
    return merged


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors under the attention mask."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-6)


class StanceNet(nn.Module):
    """Encoder plus head; logits in the order support, oppose, neutral."""

    def __init__(self, encoder: Any, arch: str, hidden: int = 256) -> None:
        super().__init__()
        if arch not in ARCHS:
            raise ValueError(f"unknown architecture {arch!r}; use one of: {', '.join(ARCHS)}")
        self.encoder = encoder
        self.arch = arch
        dim = int(encoder.config.hidden_size)
        self.dim = dim
        features = 4 * dim if arch == "bi" else dim
        self.head = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(features, hidden),
            nn.GELU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, 3),
        )

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Mean-pooled encoder output: the text vector of the bi-encoder."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return mean_pool(out.last_hidden_state, attention_mask)

    def pair_logits(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Bi-encoder head on text vectors ``u`` and proposition vectors ``v``."""
        return self.head(torch.cat([u, v, (u - v).abs(), u * v], dim=-1))

    def cross_logits(self, encoded: dict[str, torch.Tensor]) -> torch.Tensor:
        """Cross-encoder head on an encoded ``(text, proposition)`` batch."""
        out = self.encoder(**encoded)
        return self.head(mean_pool(out.last_hidden_state, encoded["attention_mask"]))
