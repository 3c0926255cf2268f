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
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any

from stancewatch.errors import StancewatchError

# A batch with fewer characters is parsed in this process: about 3,500 words, a second's
# parse on one core, pays for sending the texts and the parses between processes.
PARALLEL_PARSE_CHARS = 20_000

# The workers are replaced after parsing this many shares of batches each: a worker's heap
# keeps the size the largest batch it parsed needed, and a run of a million short documents
# should not carry that for its whole length. Forking new ones costs about one share's parse.
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
        self._pool: ProcessPoolExecutor | None = None
        self._shares = 0  # shares handed to the current pool

    def submit(self, texts: list[str]) -> Callable[[], list[Any]]:
        """Start parsing ``texts``; the function returned gives their Docs, in order. Call
        it inside the memory zone the Docs are to live in: that is where they are read."""
        count = processes_for(texts, self.processes)
        if count < 2:
            return lambda: list(self.nlp.pipe(texts))
        pool = self._started()
        size = -(-len(texts) // count)  # one share of the batch per process
        pending = [
            pool.submit(_parse_share, texts[start : start + size])
            for start in range(0, len(texts), size)
        ]
        self._shares += len(pending)

        def docs() -> list[Any]:
            from spacy.tokens import Doc

            vocab = self.nlp.vocab
            try:
                return [Doc(vocab).from_bytes(data) for share in pending for data in share.result()]
            except BrokenProcessPool as exc:
                raise StancewatchError(
                    "a parse worker process stopped before finishing its batch (killed, or "
                    "out of memory?); run again with --parse-processes 1 or fewer documents "
                    "per batch"
                ) from exc

        return docs

    def _started(self) -> ProcessPoolExecutor:
        """The workers, forked on first use with as many as any batch may ask for (the set
        number, else one per core), and forked anew after SHARES_PER_WORKER shares each:
        the old ones finish the shares they were given, then exit."""
        workers = self.processes or available_cores()
        if self._pool is not None and self._shares >= SHARES_PER_WORKER * workers:
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.nlp,),
            )
            self._shares = 0
        return self._pool

    def close(self) -> None:
        """Stop the workers (a batch still waiting to be parsed is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
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
