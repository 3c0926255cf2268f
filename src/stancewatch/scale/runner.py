"""Batch runs over large corpora: inputs, deterministic shards, resume, the local engine.

``stancewatch run INPUT OUTPUT`` reads documents from files, folders, JSON Lines, CSV/TSV or
Parquet, local or on any filesystem pyarrow knows (``file://``, ``s3://``, ``gs://``,
``hdfs://``), cuts them into shards of ``shard_size`` documents in input order, analyses
each shard with :class:`stancewatch.pipeline.Analyzer` and writes its results as Parquet
(:mod:`stancewatch.scale.parquet`). A shard's id is a hash of the ids of its documents, so
the same input always gives the same shards; a shard whose marker exists is skipped, so a
rerun after a crash or kill does only the work that is left and writes nothing twice.

Memory stays flat: documents stream from the input, and at most one shard's documents and
results are held at a time. The same text twice in the input is analysed once (the first).

The local engine (:func:`run_local`) runs shards one after the other in this process; the
Ray engine (:mod:`stancewatch.scale.ray_engine`) runs the same :func:`run_shard` on a cluster.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stancewatch.errors import InputError
from stancewatch.ingest.inputs import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    document_from_bytes,
    read_bounded,
    regular_file,
)
from stancewatch.ingest.readers import IngestProblem, document_from_fields
from stancewatch.ingest.tables import TABLE_FORMATS
from stancewatch.ingest.tables import read_table as read_text_table
from stancewatch.packs import load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import Document, stable_id
from stancewatch.scale import parquet as parquet_store
from stancewatch.scale.memory import release_free_memory, tune_allocator
from stancewatch.settings import BATCH_SIZE, RUN_BATCH_CHARS, Settings

#: File extensions a run reads: those ``stancewatch ingest`` reads (feeds aside) and Parquet.
RUN_FORMATS: dict[str, str] = {
    **{ext: kind for ext, kind in FORMATS.items() if kind != "feed"},
    ".parquet": "parquet",
}
DEFAULT_SHARD_SIZE = 500
ENGINES = ("local", "ray")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class RunError(InputError):
    """A run cannot start or go on. The message says what is wrong and what is valid."""


@dataclass(frozen=True)
class Shard:
    """A run's unit of work: documents ``segments`` of the input, in order.

    ``segments`` are (source, first item, end item) ranges of the items read from each
    source (problems count as items); ``document_ids`` are the documents kept (duplicates of
    earlier texts left out). ``id`` is a hash of ``document_ids``.
    """

    id: str
    segments: tuple[tuple[str, int, int], ...]
    document_ids: tuple[str, ...]
    problems: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Shard:
        data = json.loads(text)
        return cls(
            data["id"],
            tuple(tuple(s) for s in data["segments"]),  # type: ignore[misc]
            tuple(data["document_ids"]),
            tuple(data.get("problems", ())),
        )


@dataclass
class RunReport:
    """What a run did: shards run and skipped (done before), rows written, problems."""

    engine: str
    shards: int = 0
    skipped: int = 0
    documents: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, counts: dict[str, int]) -> None:
        for table, count in counts.items():
            self.rows[table] = self.rows.get(table, 0) + count


# -- inputs -----------------------------------------------------------------------------------
def _filesystem(source: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path inside it) for a local path or a URI."""
    from pyarrow import fs

    if _SCHEME.match(source):
        try:
            return fs.FileSystem.from_uri(source)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
            raise RunError(f"{source}: cannot open this location ({exc})") from None
    return fs.LocalFileSystem(), os.path.abspath(source)


def _label(filesystem: Any, path: str, given: str) -> str:
    """How a source is named in shards: a local path, or the URI it came from."""
    from pyarrow import fs

    if isinstance(filesystem, fs.LocalFileSystem):
        return path
    scheme = _SCHEME.match(given)
    return f"{scheme.group(1)}://{path}" if scheme else path


def list_sources(inputs: list[str]) -> list[str]:
    """Every readable file named by ``inputs`` (files, folders, URIs), folders expanded and
    sorted by path, hidden and unsupported files left out."""
    from pyarrow import fs

    _parquet_check()
    sources: list[str] = []
    for given in inputs:
        filesystem, path = _filesystem(str(given))
        info = filesystem.get_file_info(path)
        if info.type == fs.FileType.NotFound:
            raise RunError(f"{given}: no such file or folder")
        if info.type == fs.FileType.Directory:
            found = filesystem.get_file_info(fs.FileSelector(path, recursive=True))
            files = sorted(
                f.path
                for f in found
                if f.type == fs.FileType.File
                and not any(part.startswith(".") for part in Path(f.path).relative_to(path).parts)
                and Path(f.path).suffix.lower() in RUN_FORMATS
            )
        else:
            if Path(path).suffix.lower() not in RUN_FORMATS:
                raise RunError(
                    f"{given}: unsupported file type {Path(path).suffix or '(none)'!r} "
                    f"(supported: {', '.join(RUN_FORMATS)})"
                )
            files = [path]
        sources.extend(_label(filesystem, f, str(given)) for f in files)
    if not sources:
        raise RunError(f"{', '.join(map(str, inputs))}: no files to read")
    return sources


def _parquet_check() -> None:
    parquet_store._pyarrow()


def read_items(source: str, text_column: str = "text") -> Iterator[Document | IngestProblem]:
    """The documents (and problems, in their place) of one source file, streamed."""
    filesystem, path = _filesystem(source)
    from pyarrow import fs

    remote = not isinstance(filesystem, fs.LocalFileSystem)
    if remote and RUN_FORMATS.get(Path(path).suffix.lower()) != "parquet":
        # Text formats are read by the same readers as `stancewatch ingest`, from a local copy.
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / Path(path).name
            with filesystem.open_input_stream(path) as stream, local.open("wb") as handle:
                shutil.copyfileobj(stream, handle)
            yield from _read_local(local, source, text_column, filesystem=None)
        return
    yield from _read_local(Path(path), source, text_column, filesystem=filesystem)


def _read_local(
    path: Path, source: str, text_column: str, filesystem: Any
) -> Iterator[Document | IngestProblem]:
    kind = RUN_FORMATS.get(path.suffix.lower())
    if kind == "parquet":
        yield from _read_parquet(filesystem, str(path), source, text_column)
    else:
        # Only regular files are read, and no more than the limit (see ingest.inputs).
        try:
            regular_file(path, source)
            if kind in TABLE_FORMATS:
                yield from read_text_table(path, source, kind, text_column, DEFAULT_MAX_BYTES)
                return
            data = read_bounded(path, source, DEFAULT_MAX_BYTES)
            yield document_from_bytes(data, kind or "text", source, path.stem)
        except Exception as exc:  # an unreadable file is a problem of that input only
            yield IngestProblem(source, str(getattr(exc, "reason", exc)))


def _read_parquet(
    filesystem: Any, path: str, source: str, text_column: str
) -> Iterator[Document | IngestProblem]:
    import pyarrow.parquet as pq
    from pyarrow import fs

    filesystem = filesystem or fs.LocalFileSystem()
    handle = pq.ParquetFile(filesystem.open_input_file(path))
    if text_column not in handle.schema_arrow.names:
        raise RunError(
            f"{source}: no {text_column!r} column (columns: {', '.join(handle.schema_arrow.names)}); "
            "pass --text-column"
        )
    number = 0
    for batch in handle.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            number += 1
            text = row.pop(text_column, None)
            if not isinstance(text, str) or not text.strip():
                yield IngestProblem(source, f"row {number}: the {text_column!r} field is empty")
                continue
            yield document_from_fields(
                text, row, source=source, name=f"{Path(path).stem}-{number}", use_name_keys=True
            )


# -- shards -----------------------------------------------------------------------------------
def iter_shards(
    sources: list[str], shard_size: int = DEFAULT_SHARD_SIZE, text_column: str = "text"
) -> Iterator[tuple[Shard, list[Document]]]:
    """Cut the input into shards of ``shard_size`` documents, in order, with their documents.

    Only one shard's documents are held at a time (and the set of ids seen, to leave out a
    text that came before).
    """
    if not isinstance(shard_size, int) or shard_size < 1:
        raise RunError(f"shard size must be a positive number of documents, got {shard_size!r}")
    seen: set[str] = set()
    documents: list[Document] = []
    segments: list[list[Any]] = []
    problems: list[str] = []

    def cut() -> tuple[Shard, list[Document]]:
        ids = tuple(d.id for d in documents)
        shard = Shard(
            stable_id("shard", *ids) if ids else stable_id("problems", *problems),
            tuple((s, a, b) for s, a, b in segments),
            ids,
            tuple(problems),
        )
        return shard, list(documents)

    for source in sources:
        for index, item in enumerate(read_items(source, text_column)):
            new = isinstance(item, Document) and item.id not in seen
            if new and len(documents) >= shard_size:
                # Cut when the next document comes, so that problems and repeated texts
                # after a full shard stay in it.
                yield cut()
                documents.clear()
                segments.clear()
                problems.clear()
            if segments and segments[-1][0] == source:
                segments[-1][2] = index + 1
            else:
                segments.append([source, index, index + 1])
            if isinstance(item, IngestProblem):
                problems.append(str(item))
            elif new:
                seen.add(item.id)
                documents.append(item)
    if documents or problems:
        yield cut()


def plan(
    sources: list[str], shard_size: int = DEFAULT_SHARD_SIZE, text_column: str = "text"
) -> list[Shard]:
    """Every shard of the input, without their documents: what a cluster run hands out."""
    return [shard for shard, _ in iter_shards(sources, shard_size, text_column)]


def read_shard(shard: Shard, text_column: str = "text") -> list[Document]:
    """A shard's documents, read again from its segments of the input."""
    wanted = set(shard.document_ids)
    found: dict[str, Document] = {}
    for source, start, end in shard.segments:
        for index, item in enumerate(read_items(source, text_column)):
            if index >= end:
                break
            if index >= start and isinstance(item, Document) and item.id in wanted:
                found.setdefault(item.id, item)
    missing = wanted - set(found)
    if missing:
        raise RunError(
            f"shard {shard.id}: {len(missing)} document(s) are no longer in the input; "
            "the input changed during the run (start again with a new OUTPUT)"
        )
    return [found[i] for i in shard.document_ids]


def run_shard(
    shard: Shard,
    documents: list[Document],
    analyzer: Analyzer,
    output: Path,
    *,
    batch_size: int = BATCH_SIZE,
    worker: str = "local",
) -> dict[str, int]:
    """Analyse one shard's documents and write its outputs; returns rows written per table."""
    results = list(analyzer.analyze(documents, batch_size=batch_size, batch_chars=RUN_BATCH_CHARS))
    rows = parquet_store.result_rows(documents, results, analyzer.pack, parquet_store.now())
    notices = [f"{r.document_id}: {r.notice}" for r in results if r.notice]
    info = {"worker": worker, "problems": list(shard.problems), "notices": notices}
    parquet_store.write_shard(Path(output), shard.id, rows, info)
    counts = {table: len(table_rows) for table, table_rows in rows.items()}
    del results, rows
    release_free_memory()  # the next shard starts from the same footprint
    return counts


def write_run_info(
    output: Path,
    inputs: list[str],
    settings: dict[str, Any],
    pack: str | Path | None,
    **options: Any,
) -> None:
    """Record what produced the output (read by ``stancewatch load``): the inputs, the pack
    folder (None: the bundled pack), the analyzer's settings and the run's options."""
    output.mkdir(parents=True, exist_ok=True)
    info = {
        "inputs": [str(i) for i in inputs],
        "pack": None if pack is None else str(Path(pack).resolve()),
        "settings": {**settings, **options},
    }
    tmp = output / (parquet_store.RUN_FILE + ".tmp")
    tmp.write_text(json.dumps(info, indent=1, default=str), "utf-8")
    os.replace(tmp, output / parquet_store.RUN_FILE)


def check_output(output: str | Path) -> Path:
    """The output folder as a local path (``file://`` URIs accepted)."""
    text = str(output)
    if text.startswith("file://"):
        text = text[len("file://") :]
    elif _SCHEME.match(text):
        raise RunError(
            f"{output}: OUTPUT must be a local or shared (mounted) folder; shards are renamed "
            "into place, which object stores cannot do atomically"
        )
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise RunError(f"{output}: is a file; OUTPUT is a folder")
    return path


def make_analyzer(settings: Settings) -> Analyzer:
    """An Analyzer for ``settings``: its pack (None: the bundled one), models, stance backend
    and encoder precision."""
    return Analyzer(load_pack(settings.pack), settings=settings)


def run_local(
    inputs: list[str],
    output: str | Path,
    *,
    settings: Settings | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    batch_size: int = BATCH_SIZE,
    text_column: str = "text",
    threads: int | None = None,
    on_shard: Callable[[Shard, dict[str, int] | None], None] | None = None,
    parse_processes: int | None = None,
) -> RunReport:
    """Run the analysis over ``inputs`` in this process, one shard at a time; shards done
    before (their marker exists) are skipped. ``threads`` sets torch's CPU threads (one is
    often fastest on a busy machine). ``settings`` chooses the pack, models, stance backend
    and precision (default: :class:`~stancewatch.settings.Settings`'s defaults);
    ``parse_processes`` how many processes parse each batch (default: chosen per batch, see
    :func:`~stancewatch.parsing.processes_for`)."""
    settings = settings or Settings()
    started = time.perf_counter()
    if threads is not None:
        if threads < 1:
            raise RunError(f"threads must be a positive number, got {threads!r}")
        import torch

        torch.set_num_threads(threads)
    out = check_output(output)
    sources = list_sources(inputs)
    tune_allocator()
    analyzer = make_analyzer(settings)
    analyzer.parse_processes = parse_processes
    write_run_info(out, inputs, analyzer.settings(), settings.pack, engine="local")
    report = RunReport("local")
    for shard, documents in iter_shards(sources, shard_size, text_column):
        report.problems.extend(shard.problems)
        if parquet_store.is_done(out, shard.id):
            report.skipped += 1
            if on_shard is not None:
                on_shard(shard, None)
            continue
        counts = run_shard(shard, documents, analyzer, out, batch_size=batch_size)
        report.shards += 1
        report.documents += counts["documents"]
        report.add(counts)
        if on_shard is not None:
            on_shard(shard, counts)
    report.seconds = time.perf_counter() - started
    return report
