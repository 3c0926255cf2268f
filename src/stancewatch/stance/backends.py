"""Stance backends for users with stronger models: a Hugging Face NLI model, or an
OpenAI-compatible chat endpoint (a local vLLM, Ollama or llama.cpp server, or a hosted API).

Both implement :class:`stancewatch.stance.base.StanceBackend`: ``score(texts, positions)`` returns
an ``(n, 3)`` array of probabilities for support, oppose, neutral. Stance is cast as
entailment: the statement is the premise and the position's proposition the hypothesis, so
entailment means support and contradiction means oppose.

Nothing here downloads anything by itself: a model name is passed to ``transformers`` as
given (a hub name needs internet; a local folder does not), and the LLM backend talks only
to the URL it is given.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from stancewatch.errors import BackendError
from stancewatch.passes import PAD_MULTIPLE, by_length, fill_rows
from stancewatch.records import Position
from stancewatch.registry import STANCE_BACKENDS, RegistryError
from stancewatch.stance.prototype import PrototypeStance

NLI_LABELS = {"entailment": 0, "contradiction": 1, "neutral": 2}


def _nli_columns(id2label: dict[int, str]) -> list[int]:
    """Model output index for support (entailment), oppose (contradiction), neutral."""
    by_name: dict[str, int] = {}
    for index, label in id2label.items():
        name = str(label).lower()
        for key in NLI_LABELS:
            if name.startswith(key[:7]):  # "entail", "contrad", "neutral"
                by_name[key] = int(index)
    missing = [k for k in NLI_LABELS if k not in by_name]
    if missing:
        labels = ", ".join(str(v) for v in id2label.values())
        raise BackendError(
            f"the model's labels ({labels}) do not name {', '.join(missing)}; an NLI model "
            "with entailment, neutral and contradiction labels is needed"
        )
    return [by_name["entailment"], by_name["contradiction"], by_name["neutral"]]


class NLIStance:
    """Any sequence-classification NLI model loadable by ``transformers``, by name or path."""

    def __init__(self, model: str, *, batch_size: int = 16, device: str = "cpu") -> None:
        try:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForSequenceClassification.from_pretrained(model)
        except Exception as exc:  # transformers raises OSError, ValueError, HTTP errors ...
            raise BackendError(f"cannot load NLI model {model!r}: {exc}") from exc
        self.model.eval().to(device)
        self.device = device
        self.batch_size = batch_size
        self.columns = _nli_columns(dict(self.model.config.id2label))
        revision = getattr(self.model.config, "_commit_hash", None) or "local"
        self.name = f"stance.nli.v1:{model}@{revision}"

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), 3), dtype=np.float32)
        if not len(texts):
            return out
        propositions = [p.proposition for p in positions]
        counts = [
            len(ids)
            for ids in self.tokenizer(list(texts), propositions, truncation=True)["input_ids"]
        ]
        # batched by padded length, every pass the same number of rows, each on one CPU
        # thread: a statement's probabilities do not depend on the statements scored with it

        def one_pass(_: int, rows: list[int], count: int) -> np.ndarray:
            encoded = self.tokenizer(
                [texts[i] for i in rows],
                [propositions[i] for i in rows],
                truncation=True,
                padding=True,
                pad_to_multiple_of=PAD_MULTIPLE,
                return_tensors="pt",
            )
            filled = fill_rows(encoded, count)
            with torch.inference_mode():
                logits = self.model(**{k: v.to(self.device) for k, v in filled.items()}).logits
            return torch.softmax(logits[: len(rows)].float(), dim=-1).cpu().numpy()

        on_cpu = self.device == "cpu"
        for rows, probs in by_length(counts, self.batch_size, one_pass, threads=on_cpu):
            out[rows] = probs[:, self.columns]
        return out


PROMPT = """You code political statements against a reference position.

Position: {proposition}
Statement: {text}

Does the statement support the position, oppose it, or neither (neutral)? Judge what the
statement asserts, not whether it is true. Answer with JSON only, in this form:
{{"stance": "support" | "oppose" | "neutral", "confidence": a number from 0 to 1}}"""

_JSON = re.compile(r"\{.*\}", re.S)


def parse_answer(content: str) -> tuple[str, float]:
    """The stance and confidence in a model's answer; BackendError when it has none."""
    match = _JSON.search(content or "")
    if not match:
        raise BackendError(f"the answer holds no JSON object: {content[:200]!r}")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise BackendError(f"the answer is not valid JSON ({exc.msg}): {content[:200]!r}") from None
    stance = str(data.get("stance", "")).strip().lower()
    if stance not in ("support", "oppose", "neutral"):
        raise BackendError(f"the answer's stance {stance!r} is not support, oppose or neutral")
    try:
        confidence = min(max(float(data.get("confidence", 1.0)), 0.0), 1.0)
    except (TypeError, ValueError):
        confidence = 1.0
    return stance, confidence


class ChatStance:
    """An OpenAI-compatible ``/chat/completions`` endpoint with a fixed prompt and JSON answers.

    Transient failures (timeouts, HTTP 429 and 5xx, unparseable answers) are retried with
    exponential back-off; after ``retries`` attempts a :class:`BackendError` names the last
    problem.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        retries: int = 3,
        timeout: float = 60.0,
        backoff: float = 1.0,
        client: Any = None,
    ) -> None:
        import httpx

        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.retries = max(1, retries)
        self.backoff = backoff
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = client or httpx.Client(timeout=timeout, headers=headers)
        self.name = f"stance.chat.v1:{model}"

    def _ask(self, text: str, position: Position) -> tuple[str, float]:
        import httpx

        payload = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {
                    "role": "user",
                    "content": PROMPT.format(proposition=position.proposition, text=text),
                }
            ],
        }
        problem = ""
        for attempt in range(self.retries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(self.url, json=payload)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise BackendError(
                    f"{self.url} answered HTTP {response.status_code}: {response.text[:200]}"
                )
            try:
                content = response.json()["choices"][0]["message"]["content"]
                return parse_answer(content)
            except (KeyError, IndexError, TypeError, ValueError, BackendError) as exc:
                problem = str(exc)
        raise BackendError(
            f"{self.url}: no usable answer after {self.retries} attempts ({problem})"
        )

    def score(self, texts: Sequence[str], positions: Sequence[Position]) -> np.ndarray:
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, (text, position) in enumerate(zip(texts, positions, strict=True)):
            stance, confidence = self._ask(text, position)
            # The chosen label keeps the top probability even when the model is unsure.
            chosen = max(confidence, 0.34)
            out[i] = (1.0 - chosen) / 2
            out[i, ("support", "oppose", "neutral").index(stance)] = chosen
        return out


def load_backend(
    spec: str | None = None, embedder: Any = None, *, precision: str | None = None, **options: Any
) -> Any:
    """The backend a spec names in :data:`stancewatch.registry.STANCE_BACKENDS` (default
    :data:`~stancewatch.registry.DEFAULT_STANCE_BACKEND`), as the CLI takes it:

    - ``prototype`` (the untrained codebook comparison, ``stance.prototype.v1``; the default
      for a pack's positions, which carry the example phrasings it compares with),
    - ``minilm-lora`` (the trained model shipped with stancewatch,
      :class:`stancewatch.stance.model.MiniLMLoRAStance`; the default for free-text targets,
      as in ``classify`` and ``eval stance``),
    - ``model:DIR`` (a stance model trained with ``stancewatch train-stance``, from its folder),
    - ``nli:MODEL`` (a Hugging Face NLI model name or local folder),
    - ``chat:MODEL@BASE_URL`` (an OpenAI-compatible endpoint; the key from ``api_key`` or
      the ``STANCEWATCH_API_KEY`` environment variable).

    ``embedder`` is the sentence encoder the prototype compares with (loaded when None);
    ``precision`` is the encoder precision of the offline backends (see
    :func:`stancewatch.nlp.resolve_precision`); the hub and chat backends run their own models.
    """
    try:
        plugin, argument = STANCE_BACKENDS.parse(STANCE_BACKENDS.default if spec is None else spec)
    except RegistryError as exc:
        raise BackendError(str(exc)) from None
    return plugin.build()(argument, embedder=embedder, precision=precision, **options)


def prototype_backend(
    argument: str | None, *, embedder: Any = None, precision: str | None = None
) -> PrototypeStance:
    """``prototype``: the offline codebook comparison."""
    if embedder is None:
        from stancewatch.nlp import load_embedder

        embedder = load_embedder(precision=precision)
    return PrototypeStance(embedder)


def trained_backend(
    argument: str | None, *, embedder: Any = None, precision: str | None = None, **options: Any
) -> Any:
    """``minilm-lora`` (the shipped model) or ``model:DIR`` (a model trained by
    ``stancewatch train-stance``)."""
    from stancewatch.stance.model import MiniLMLoRAStance, StanceModelError

    try:
        return MiniLMLoRAStance(argument, precision=precision, **options)
    except (StanceModelError, OSError) as exc:
        raise BackendError(str(exc)) from exc


def nli_backend(
    argument: str | None, *, embedder: Any = None, precision: str | None = None, **options: Any
) -> NLIStance:
    """``nli:MODEL``: a Hugging Face NLI model by name or folder."""
    return NLIStance(str(argument), **options)


def chat_backend(
    argument: str | None, *, embedder: Any = None, precision: str | None = None, **options: Any
) -> ChatStance:
    """``chat:MODEL@URL``: an OpenAI-compatible chat endpoint."""
    model, at, url = str(argument).partition("@")
    if not (model and at and url):
        raise BackendError(
            f"stance backend 'chat:{argument}' is malformed: write it as chat:MODEL@URL; "
            f"use one of: {STANCE_BACKENDS.choices()}"
        )
    options.setdefault("api_key", os.environ.get("STANCEWATCH_API_KEY"))
    return ChatStance(url, model, **options)
