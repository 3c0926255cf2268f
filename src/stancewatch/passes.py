"""Encoder passes that give each text the same result in any company, on any engine.

A transformer's output for one text can change with what is computed beside it: with the
padding of its batch, with the number of rows in its pass (the matrix kernels split the rows
differently), and with the number of threads that share a pass (on CPUs with AMX, bfloat16
products are split across threads). stancewatch stores scores to four decimals and promises
that a rerun, a resumed run, another batch or shard size, and the Ray engine store the same
ones, so every encoder here runs its passes the same way:

- texts are padded to a multiple of :data:`PAD_MULTIPLE` tokens and batched only with texts
  of the same padded length (:func:`length_batches`);
- every pass over one padded length has the same number of rows (:func:`pass_rows`), filled
  with copies when fewer texts are left (:func:`fill_rows`, :func:`in_fixed_rows`);
- every pass runs on one thread, and the passes run side by side on as many threads as
  torch was given (:func:`run_passes`), which gives the same bits as a Ray worker's single
  thread and, on 2 cores, ran faster than one pass at a time on two threads (PolNeAR dev
  profile 3.5 -> 4.3 documents/s, ``bench/pipeline_profile.py``, docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Every text is padded to the next multiple of this many tokens above its own length, and
# batched only with texts padded to the same length. Its vector then never depends on which
# texts share its batch: in bfloat16 a different padding alone moves a vector by up to 1e-3,
# enough to change a stored score between a run and its rerun. Batching by token length
# also wastes less work on padding than sorting by characters (about 1.3x faster on long
# comments).
PAD_MULTIPLE = 8
# Texts per encoder pass unless a caller asks otherwise; every pass is filled to this many
# rows (see fill_rows).
ENCODE_ROWS = 32
# Padded tokens a pass holds (see pass_rows): measured on the demo and PolNeAR dev, 256
# to 1,024 differ by less than the noise; fewer rows per pass mean less filling for the
# few statements of one padded length, more mean fuller matrix kernels.
PASS_TOKENS = 512
# Rows a small head (a stance classifier on two vectors) takes at once, for the same reason.
HEAD_ROWS = 256


def pass_rows(padded: int, batch_size: int, tokens: int | None = None) -> int:
    """Rows in a pass over texts padded to ``padded`` tokens: as many as fill ``tokens``
    (PASS_TOKENS), from 1 to ``batch_size``. A function of the padded length alone, so that
    every pass a text can land in has the same shape (see :func:`fill_rows`)."""
    budget = PASS_TOKENS if tokens is None else tokens
    return max(1, min(batch_size, budget // max(padded, 1)))


def length_batches(
    lengths: Sequence[int], batch_size: int, multiple: int = PAD_MULTIPLE
) -> list[tuple[int, list[int]]]:
    """Batches of indices into ``lengths`` (token counts), each with the padded length its
    texts share: the next multiple of ``multiple`` at or above each text's own length, and
    at most :func:`pass_rows` texts.

    Which batch a text lands in and how many texts share it then change nothing in its
    padded input, and an encoder that fills each pass to :func:`pass_rows` rows
    (:func:`fill_rows`) gives each text the same result in any company.
    """
    if batch_size < 1 or multiple < 1:
        raise ValueError("batch_size and multiple must be at least 1")
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        groups.setdefault(-(-max(int(n), 1) // multiple) * multiple, []).append(i)
    return [
        (padded, members[start : start + size])
        for padded, members in sorted(groups.items())
        for size in [pass_rows(padded, batch_size)]
        for start in range(0, len(members), size)
    ]


def fill_rows(features: Mapping[str, Any], count: int) -> dict[str, Any]:
    """``features`` (tensors with one row per text) with copies of their first row appended
    up to ``count`` rows; entries that are not one row per text pass as they are.

    On some CPUs a forward pass gives a row slightly different results depending on how many
    rows share the pass (the matrix kernels split the rows differently), though never on
    what the other rows hold. An encoder that runs every pass on exactly ``count`` rows, and
    keeps the first rows of its output, gives each text the same vector in any company."""
    import torch

    n = len(features["attention_mask"])
    if n > count:
        raise ValueError(f"{n} rows do not fit in a pass of {count}")
    return {
        key: _filled(value, count)
        if isinstance(value, torch.Tensor) and value.ndim and len(value) == n
        else value
        for key, value in features.items()
    }


def _filled(rows: Any, count: int) -> Any:
    """A tensor's rows with copies of its first row appended up to ``count`` rows."""
    import torch

    if len(rows) >= count:
        return rows
    return torch.cat([rows, rows[:1].expand(count - len(rows), *rows.shape[1:])])


def in_fixed_rows(step: Any, *arrays: Any, rows: int = HEAD_ROWS) -> Any:
    """``step(*arrays)`` (torch tensors with one row per item) run on chunks of exactly
    ``rows`` rows, the last chunk filled with copies of the first row, and joined again:
    each item's output is the same whatever number of items it is computed with (see
    :func:`fill_rows`)."""
    import torch

    n = len(arrays[0])
    outputs = [step(*(a[:0] for a in arrays))]  # the output's shape, when there is no row
    for start in range(0, n, rows):
        size = min(rows, n - start)
        outputs.append(step(*(_filled(a[start : start + size], rows) for a in arrays))[:size])
    return torch.cat(outputs)


def batch_features(
    features: dict[str, Any], rows: list[int], width: int, pad_id: int
) -> dict[str, Any]:
    """The ``rows`` of tokenized ``features`` with every token column cut or padded to
    ``width`` (token ids padded with ``pad_id``, masks and type ids with 0)."""
    import torch

    count, columns = features["attention_mask"].shape
    batch: dict[str, Any] = {}
    for key, value in features.items():
        if not isinstance(value, torch.Tensor) or not value.ndim or value.shape[0] != count:
            batch[key] = value  # not one entry per text: passed as it is
        elif value.ndim == 2 and value.shape[1] == columns:  # one entry per token
            part = value[rows, :width]
            if part.shape[1] < width:
                pad = pad_id if key == "input_ids" else 0
                part = torch.nn.functional.pad(part, (0, width - part.shape[1]), value=pad)
            batch[key] = part
        else:
            batch[key] = value[rows]
    return batch


_threads_lock = threading.Lock()
_threads_held: list[int] = []  # the thread count torch had, while any caller holds it at one


@contextlib.contextmanager
def one_thread_per_op() -> Iterator[int]:
    """torch's operations each on one thread for the block; yields the threads torch had.
    Blocks that overlap (analyses in several threads of one process) share the setting,
    and the last to leave gives torch its threads back."""
    import torch

    with _threads_lock:
        before = _threads_held[0] if _threads_held else torch.get_num_threads()
        _threads_held.append(before)
        torch.set_num_threads(1)
    try:
        yield before
    finally:
        with _threads_lock:
            _threads_held.pop()
            if not _threads_held:
                torch.set_num_threads(before)


def run_passes(step: Callable[[T], R], passes: Sequence[T]) -> list[R]:
    """``step`` over each of ``passes``, in order: every pass on one thread, as many passes
    at once as torch had threads. ``step`` enters its own ``inference_mode`` and autocast
    (both hold for the thread that enters them)."""
    with one_thread_per_op() as threads:
        if threads <= 1 or len(passes) <= 1:
            return [step(p) for p in passes]
        with ThreadPoolExecutor(min(threads, len(passes)), "stancewatch-pass") as pool:
            return list(pool.map(step, passes))


def by_length(
    lengths: Sequence[int],
    batch_size: int,
    step: Callable[[int, list[int], int], R],
    *,
    threads: bool = True,
) -> list[tuple[list[int], R]]:
    """``step(padded, rows, count)`` over the :func:`length_batches` of ``lengths``, each
    pass to be filled to ``count`` rows (:func:`pass_rows`); pairs of each pass's rows and
    what ``step`` returned, in order. With ``threads`` (on the CPU) the passes run through
    :func:`run_passes`, else one after the other in this thread."""
    jobs = length_batches(lengths, batch_size)

    def one(job: tuple[int, list[int]]) -> R:
        padded, rows = job
        return step(padded, rows, pass_rows(padded, batch_size))

    outputs = run_passes(one, jobs) if threads else [one(job) for job in jobs]
    return [(rows, output) for (_, rows), output in zip(jobs, outputs, strict=True)]
