"""What a run is analysed with: one :class:`Settings` object, passed as a parameter.

The same object travels every path — :class:`~stancewatch.api.Project`, ``stancewatch
analyze``, ``stancewatch run`` on one machine and each Ray worker — so two paths given the
same settings load the same pack, models and precision. Nothing is handed on through
environment variables: ``$STANCEWATCH_PRECISION`` is only the default a user sets for
``precision`` when none is given (see :func:`stancewatch.nlp.resolve_precision`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from stancewatch.registry import (
    CUE_MODELS,
    DEFAULT_CUE_MODEL,
    DEFAULT_EMBEDDER,
    DEFAULT_PARSER,
    DEFAULT_STANCE_BACKEND,
    STANCE_BACKENDS,
)

__all__ = ["Settings"]

# Documents analysed together: a batch closes at BATCH_SIZE documents or BATCH_CHARS
# characters, whichever comes first. The encoders work best on hundreds of texts at once
# (short posts bring one statement or none each), and a batch's parses stay in memory until
# it is done (256,000 characters: about fifty long articles). On PolNeAR dev, batches of
# 256,000 characters analyse about 10% faster than batches of 64,000 (fewer encoder passes
# left part-filled, see passes.pass_rows) for about 11% more peak memory
# (bench/pipeline_profile.py).
BATCH_SIZE = 256
BATCH_CHARS = 256_000
# `run` (both engines) closes batches at 64,000 characters: on the scale benchmark's mixed
# corpus, 256,000 ran 28% faster but raised the peak memory of the whole run by 27%, and a
# long run's memory, times its workers, is what a cluster is sized by (bench/scale.py, 3,000
# documents: 33.2 documents/s at 1,158 MB against 42.4 at 1,466).
RUN_BATCH_CHARS = 64_000


@dataclass(frozen=True)
class Settings:
    """The pack, the parts chosen from each registry and the encoder precision of a run.

    ``pack`` is a pack folder (None: the bundled pack); ``stance``, ``embedder``, ``parser``
    and ``cue_model`` are specs of :mod:`stancewatch.registry`; ``precision`` is ``fp32``,
    ``bf16``, ``auto`` or None (``$STANCEWATCH_PRECISION``, else ``auto``). ``stance`` None
    means none was chosen: the pack's own model when it carries one, else the default
    (:meth:`stance_for`).
    """

    pack: str | None = None
    stance: str | None = None
    precision: str | None = None
    embedder: str = DEFAULT_EMBEDDER
    parser: str = DEFAULT_PARSER
    cue_model: str = DEFAULT_CUE_MODEL

    def __post_init__(self) -> None:
        if isinstance(self.pack, Path):
            object.__setattr__(self, "pack", str(self.pack))
        if self.stance is not None:
            STANCE_BACKENDS.parse(self.stance)  # an unknown spec fails here, before any work
        CUE_MODELS.parse(self.cue_model)
        if self.precision is not None:
            from stancewatch.nlp import resolve_precision

            resolve_precision(self.precision)

    def stance_for(self, pack: Any) -> str:
        """The stance backend a run over ``pack`` uses: the one chosen; else the pack's own
        trained model (``stance_model`` in its pack.yaml) as ``model:DIR``; else
        :data:`~stancewatch.registry.DEFAULT_STANCE_BACKEND`."""
        if self.stance is not None:
            return self.stance
        own = getattr(pack, "stance_model", None)
        return f"model:{own}" if own is not None else DEFAULT_STANCE_BACKEND

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; values of None keep the current ones."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def resolved(self) -> Settings:
        """The same settings with ``precision`` fixed to what this machine resolves it to
        (``fp32`` or ``bf16``), so that workers elsewhere encode exactly alike."""
        from stancewatch.nlp import resolve_precision

        return replace(self, precision=resolve_precision(self.precision))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
