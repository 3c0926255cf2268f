"""Parsing batches of texts with spaCy, in worker processes that last a whole run.

Starting processes for each batch costs a run more than it saves on short batches (spaCy's
``nlp.pipe(n_process=...)`` forks new ones per call). A :class:`Parser` forks its workers
once, when the first batch long enough to pay for them arrives, and keeps them until it is
closed; :meth:`Parser.submit` returns at once, so the workers parse the next batch while the
caller analyses this one. Each worker parses inside a spaCy memory zone and sends back
serialised Docs, which the caller reads into its own vocabulary inside its own memory zone:
neither side's memory grows with the corpus. The workers run the caller's pipeline (forked),
so the parses are those of one process, whatever the number of processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from types import TracebackType
from typing import Any

# A batch with fewer characters is parsed in this process: about 3,500 words, a second's
# parse on one core, pays for sending the texts and the parses between processes.
PARALLEL_PARSE_CHARS = 20_000

# A worker is replaced after parsing this many shares of batches: its heap keeps the size
# the largest batch it parsed needed, and a run of a million short documents should not
# carry that for its whole length. Forking a new one costs about what one batch's share does.
SHARES_PER_WORKER = 64

_PIPELINE: Any = None  # in a worker: the pipeline it parses with, inherited from its parent


def _start_worker(nlp: Any) -> None:
    global _PIPELINE
    _PIPELINE = nlp
    # Ctrl-C goes to the whole process group: the parent stops the run and closes the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_share(texts: list[str]) -> list[bytes]:
    """In a worker: the serialised parses of ``texts``."""
    with _PIPELINE.memory_zone():
        return [doc.to_bytes() for doc in _PIPELINE.pipe(texts)]


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def processes_for(texts: list[str], wanted: int | None = None) -> int:
    """How many processes parse ``texts``: ``wanted`` when set; else one per available core
    when the batch is long enough to pay for them (:data:`PARALLEL_PARSE_CHARS`), processes
    can be forked, and this process may have children (a daemon, such as a pool worker, may
    not). Never more than one per two texts."""
    if wanted is None:
        if (
            sum(map(len, texts)) < PARALLEL_PARSE_CHARS
            or multiprocessing.get_start_method() != "fork"
            or multiprocessing.current_process().daemon
        ):
            return 1
        wanted = available_cores()
    return max(1, min(wanted, len(texts) // 2))


class Parser:
    """Parses batches with ``nlp``: in this process, or in worker processes that last until
    :meth:`close` (use it as a context manager). ``processes`` fixes the number of processes
    for every batch (1: never fork); None chooses per batch (:func:`processes_for`)."""

    def __init__(self, nlp: Any, processes: int | None = None) -> None:
        self.nlp = nlp
        self.processes = processes
        self._pool: Any = None

    def submit(self, texts: list[str]) -> Callable[[], list[Any]]:
        """Start parsing ``texts``; the function returned gives their Docs, in order. Call
        it inside the memory zone the Docs are to live in: that is where they are read."""
        count = processes_for(texts, self.processes)
        if count < 2:
            return lambda: list(self.nlp.pipe(texts))
        pool = self._started()
        size = -(-len(texts) // count)  # one share of the batch per process
        pending = [
            pool.apply_async(_parse_share, (texts[start : start + size],))
            for start in range(0, len(texts), size)
        ]

        def docs() -> list[Any]:
            from spacy.tokens import Doc

            vocab = self.nlp.vocab
            return [Doc(vocab).from_bytes(data) for share in pending for data in share.get()]

        return docs

    def _started(self) -> Any:
        """The pool, forked on first use with as many workers as any batch may ask for (the
        set number, else one per core): it is never replaced while batches are pending."""
        if self._pool is None:
            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(
                self.processes or available_cores(),
                initializer=_start_worker,
                initargs=(self.nlp,),
                maxtasksperchild=SHARES_PER_WORKER,
            )
        return self._pool

    def close(self) -> None:
        """Stop the workers (any batch still being parsed is dropped)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Parser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
