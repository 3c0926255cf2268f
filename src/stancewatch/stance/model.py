"""The trained offline stance model, ``stance.minilm-lora.v3``.

The packaged all-MiniLM-L6-v2 plus LoRA adapters and a small head trained by
:mod:`stancewatch.stance.training` (model card: ``models/stance-v3/MODEL_CARD.md``). The
adapters are merged into the base weights when the model loads, on the CPU, so inference
needs only torch and transformers.

With the bi-encoder design each distinct statement and proposition is embedded once (and
cached), so scoring one statement against several shortlisted positions costs one forward
pass plus a tiny head per pair.

**Few-shot from the codebook.** When a position carries example phrasings (``supports`` /
``opposes``), each phrasing is used as one more proposition: a statement that supports a
support-phrasing supports the position, one that supports an oppose-phrasing opposes it.
The phrasings' verdicts are weighted by how close each phrasing is to the statement in the
tuned embedding space (nearest examples count most) and blended with the verdict on the
proposition itself; the more phrasings, the more they count. Analysts who add a position with
a handful of phrasings get it used at once, without retraining. Positions whose phrasings the
model was trained on (listed in its ``config.json`` as ``phrasing_propositions``, e.g. the
bundled pack's) skip the blend: they are in the weights already.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from stancewatch.errors import ModelError
from stancewatch.nlp import inference_precision, resolve_precision, warn_if_emulated
from stancewatch.passes import (
    ENCODE_ROWS,
    PAD_MULTIPLE,
    by_length,
    fill_rows,
    in_fixed_rows,
    one_thread_per_op,
)
from stancewatch.records import Position

MODEL_VERSION = "stance.minilm-lora.v3"
MODEL_DIR = "models/stance-v3"
# Phrasings count n / (n + FEW_SHOT_PRIOR) against the proposition's own verdict.
FEW_SHOT_PRIOR = 4.0
# Sharpness of the nearest-phrasing weights (cosine similarity times this, then softmax).
FEW_SHOT_TEMPERATURE = 20.0


class StanceModelError(ModelError):
    """The trained stance model cannot be loaded."""


def packaged_model_dir() -> Path:
    """The folder of the shipped weights (``stance.safetensors`` and ``config.json``)."""
    return Path(str(resources.files("stancewatch").joinpath(MODEL_DIR)))


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class MiniLMLoRAStance:
    """The trained stance backend (see the module docstring).

    ``model_dir`` holds ``stance.safetensors`` and ``config.json`` (default: the shipped
    model); ``base`` is the base model folder (default: the packaged MiniLM).
    ``few_shot_prior`` sets how fast codebook phrasings take over (``None`` ignores them).
    ``precision`` is the encoder's ("fp32", "bf16" or "auto"; see :data:`nlp.PRECISION_ENV`).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        base: str | Path | None = None,
        *,
        few_shot_prior: float | None = FEW_SHOT_PRIOR,
        batch_size: int = ENCODE_ROWS,
        cache_size: int = 20000,
        precision: str | None = None,
    ) -> None:
        import torch
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from stancewatch.stance.net import ARCHS, StanceNet, merge_lora

        hf_logging.disable_progress_bar()  # no "Loading weights" bars in the CLI's output

        folder = Path(model_dir) if model_dir else packaged_model_dir()
        weights, config_file = folder / "stance.safetensors", folder / "config.json"
        if not weights.is_file() or not config_file.is_file():
            raise StanceModelError(
                f"{folder} holds no trained stance model (stance.safetensors and config.json); "
                "train one with `stancewatch train-stance` or use --stance prototype"
            )
        try:
            self.config: dict[str, Any] = json.loads(config_file.read_text("utf-8"))
        except ValueError as exc:
            raise StanceModelError(f"{config_file} is not valid JSON: {exc}") from None
        keys = ("arch", "scale", "max_length", "hypothesis_length")
        if not isinstance(self.config, dict) or not set(keys) <= self.config.keys():
            raise StanceModelError(
                f"{config_file} is not a stance model config: it needs {', '.join(keys)}"
            )
        if self.config["arch"] not in ARCHS:
            raise StanceModelError(
                f"{config_file}: unknown architecture {self.config['arch']!r}; "
                f"expected one of {', '.join(ARCHS)}"
            )
        if base is None:
            from stancewatch.nlp import packaged_minilm_path

            base = packaged_minilm_path()
        tensors = load_file(str(weights))
        self.tokenizer = AutoTokenizer.from_pretrained(str(base))
        encoder = AutoModel.from_pretrained(str(base)).float()
        merged = merge_lora(encoder, tensors, float(self.config["scale"]))
        if not merged:
            raise StanceModelError(f"{weights} holds no LoRA adapters")
        self.net = StanceNet(
            encoder, self.config["arch"], hidden=int(tensors["head.1.weight"].shape[0])
        )
        head = {k[len("head.") :]: v.float() for k, v in tensors.items() if k.startswith("head.")}
        self.net.head.load_state_dict(head)
        self.net.eval()
        self.arch: str = self.config["arch"]
        self.max_length = int(self.config["max_length"])
        self.hypothesis_length = int(self.config["hypothesis_length"])
        self.few_shot_prior = few_shot_prior
        # Positions whose phrasings the model was trained on: blending them in again would
        # count them twice (on the bundled pack it costs 0.03 macro-F1 on stance-domain dev).
        self.trained_phrasings = frozenset(self.config.get("phrasing_propositions", ()))
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:10]
        self.name = f"{self.config.get('version', MODEL_VERSION)}:{self.arch}@{digest}"
        self._torch = torch
        self.precision = resolve_precision(precision)
        warn_if_emulated(self.precision)

    # -- embeddings (bi-encoder) ----------------------------------------------------------

    def embed(self, texts: Sequence[str], length: int | None = None) -> np.ndarray:
        """Tuned mean-pooled vectors, one row per text (cached; batched by length)."""
        length = length or self.max_length
        missing = [t for t in dict.fromkeys(texts) if (t, length) not in self._cache]
        # Batched by padded token length, so a text's vector is the same in any company.
        cut = {"truncation": True, "max_length": length}

        def one_pass(_: int, batch: list[int], count: int) -> np.ndarray:
            enc = fill_rows(self._padded([missing[r] for r in batch], **cut), count)
            with self._torch.inference_mode(), inference_precision(self.precision):
                out = self.net.embed(enc["input_ids"], enc["attention_mask"])
            return out[: len(batch)].float().numpy()

        counts = self._token_counts(missing, **cut)
        for batch, vectors in by_length(counts, self.batch_size, one_pass):
            for r, vec in zip(batch, vectors, strict=True):
                self._cache[(missing[r], length)] = vec
        rows = [self._cache[(t, length)] for t in texts]
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, self.net.dim), dtype=np.float32)
        return np.stack(rows)

    def _token_counts(self, *texts: Sequence[str], **cut: Any) -> list[int]:
        """How many tokens each text (or text pair) has after truncation."""
        if not texts[0]:
            return []
        return [len(ids) for ids in self.tokenizer(*map(list, texts), **cut)["input_ids"]]

    def _padded(self, *texts: Sequence[str], **cut: Any) -> Any:
        """Tensors of ``texts`` padded to the next multiple of ``PAD_MULTIPLE``: for a batch
        from one of :func:`length_batches`'s groups, exactly the group's length."""
        return self.tokenizer(
            *map(list, texts),
            **cut,
            padding=True,
            pad_to_multiple_of=PAD_MULTIPLE,
            return_tensors="pt",
        )

    def _pair_probs(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        with self._torch.inference_mode():
            pair = (self._torch.from_numpy(u), self._torch.from_numpy(v))
            with one_thread_per_op():
                logits = in_fixed_rows(self.net.pair_logits, *pair)
        return _softmax(logits.numpy().astype(np.float64)).astype(np.float32)

    def _cross_probs(self, texts: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        cut = {"truncation": "only_first", "max_length": self.max_length + self.hypothesis_length}

        def one_pass(_: int, rows: list[int], count: int) -> np.ndarray:
            enc = self._padded([texts[i] for i in rows], [hypotheses[i] for i in rows], **cut)
            enc = fill_rows(enc, count)
            with self._torch.inference_mode(), inference_precision(self.precision):
                logits = self.net.cross_logits(enc)[: len(rows)].float()
            return _softmax(logits.numpy().astype(np.float64))

        counts = self._token_counts(texts, hypotheses, **cut)
        for rows, probs in by_length(counts, self.batch_size, one_pass):
            out[rows] = probs
        return out

    def proposition_probs(self, texts: Sequence[str], hypotheses: Sequence[str]) -> np.ndarray:
        """``(n, 3)`` probabilities that ``texts[i]`` supports/opposes/is neutral toward the
        free-text ``hypotheses[i]``, without any codebook phrasings."""
        if not len(texts):
            return np.zeros((0, 3), dtype=np.float32)
        if self.arch == "cross":
            return self._cross_probs(texts, hypotheses)
        u = self.embed(texts)
        v = self.embed(hypotheses, self.hypothesis_length)
        return self._pair_probs(u, v)

    def prepare(self, positions: Sequence[Position]) -> None:
        """Embed what scoring reads of ``positions`` in every batch (the propositions; the
        phrasings of positions the model was not trained on), so that the first batch does
        not wait for them. Scores are the same with or without it."""
        if self.arch != "bi":
            return  # the cross-encoder reads each pair whole
        self.embed([p.proposition for p in positions], self.hypothesis_length)
        if self.few_shot_prior is not None:
            untrained = [p for p in positions if p.proposition not in self.trained_phrasings]
            self.embed([t for p in untrained for t in (*p.supports, *p.opposes)])

    # -- the StanceBackend protocol -------------------------------------------------------

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        """``(n, 3)`` probabilities (support, oppose, neutral) for ``texts[i]`` and
        ``positions[i]``, with the positions' codebook phrasings blended in."""
        if len(texts) != len(positions):
            raise ValueError(f"{len(texts)} texts but {len(positions)} positions")
        probs = self.proposition_probs(texts, [p.proposition for p in positions])
        if self.few_shot_prior is None:
            return probs
        for i, (text, position) in enumerate(zip(texts, positions, strict=True)):
            if position.proposition in self.trained_phrasings:
                continue
            share = self.few_shot_share(text, position)
            if share is None:
                continue
            n = len(position.supports) + len(position.opposes)
            weight = n / (n + self.few_shot_prior)
            sided = float(probs[i, 0] + probs[i, 1])
            own = float(probs[i, 0]) / sided if sided > 0 else 0.5
            r = (1 - weight) * own + weight * share
            probs[i, 0], probs[i, 1] = sided * r, sided * (1 - r)
        return probs

    def _features(self, texts: Sequence[str], proposition: str) -> np.ndarray:
        """Where the head places each (text, proposition) pair: its hidden layer for the
        bi-encoder (a space shaped by stance), the tuned text vector for the cross-encoder."""
        u = self.embed(texts)
        if self.arch != "bi":
            return u
        v = np.repeat(self.embed([proposition], self.hypothesis_length), len(texts), axis=0)
        feats = self._torch.from_numpy(np.hstack([u, v, np.abs(u - v), u * v]))
        with self._torch.inference_mode():
            with one_thread_per_op():
                hidden = in_fixed_rows(lambda x: self.net.head[2](self.net.head[1](x)), feats)
            return hidden.numpy()

    def few_shot_share(self, text: str, position: Position) -> float | None:
        """How far the position's example phrasings nearest to ``text`` lean to support
        (0 = all oppose, 1 = all support); None when the position has no phrasings.

        Direction only: whether the statement addresses the position at all stays the
        model's call on the proposition.
        """
        phrasings = [*position.supports, *position.opposes]
        if not position.supports and not position.opposes:
            return None
        sides = np.array([1.0] * len(position.supports) + [0.0] * len(position.opposes))
        feats = self._features([text, *phrasings], position.proposition)
        feats = feats / np.maximum(np.linalg.norm(feats, axis=1, keepdims=True), 1e-9)
        weights = _softmax((feats[1:] @ feats[0]) * FEW_SHOT_TEMPERATURE)
        return float(weights @ sides)
