"""The analyzer over a stream of documents: memory that does not grow with the corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stancewatch.packs import load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import Document, content_hash

pytestmark = pytest.mark.models


def _documents(start: int, count: int) -> list[Document]:
    # Every document brings words spaCy has not seen (made-up names and numbers).
    texts = [
        f"Minister Zorvath{i}x said on Monday that talks with Quellbrin{i}q would resume, "
        f"according to officials in Vantorez{i}k."
        for i in range(start, start + count)
    ]
    return [Document(id=content_hash(t), text=t, language="en") for t in texts]


def test_new_words_of_a_batch_leave_the_vocabulary_afterwards(nlp) -> None:  # type: ignore[no-untyped-def]
    analyzer = Analyzer(load_pack())
    list(analyzer.analyze(_documents(0, 4)))  # warm up: the pack's own strings
    before = len(analyzer.nlp.vocab.strings)
    results = list(analyzer.analyze(_documents(100, 40), batch_size=8))
    assert len(results) == 40 and any(r.statements for r in results)
    assert len(analyzer.nlp.vocab.strings) == before
    # Without the zone the same words stay: the check above can tell the two apart.
    list(analyzer.nlp.pipe(d.text for d in _documents(200, 5)))
    assert len(analyzer.nlp.vocab.strings) > before
    # Results carry plain text, still readable after the zone freed the words.
    statement = next(s for r in results for s in r.statements)
    assert "Quellbrin" in statement.content or "Zorvath" in (statement.speaker or "")


def _demo_documents() -> list[Document]:
    from stancewatch.ingest import ingest
    from stancewatch.packs import demo_corpus_path

    return [d for d in ingest([demo_corpus_path()]) if isinstance(d, Document)]


def _polnear_documents() -> list[Document]:
    from conftest import shared_data

    from stancewatch.ingest import ingest

    folder = shared_data("polnear", "dev", "text")
    paths = sorted(folder.glob("*.txt"))[:12]
    return [d for d in ingest(paths) if isinstance(d, Document)]


@pytest.mark.parametrize("corpus", ["demo", "polnear"])
def test_a_batch_gives_each_document_what_it_gets_alone(corpus: str) -> None:
    """The encoders and scorers run once per batch of documents, and a batch may be parsed in
    several processes; every statement, stance, claim, verdict and narrative match must be
    what the document gets analysed on its own, in one process."""
    documents = _demo_documents() if corpus == "demo" else _polnear_documents()
    # two batches, parsed in two worker processes (the second while the first is analysed),
    # against each document alone in this one
    half = -(-len(documents) // 2)
    together = list(Analyzer(load_pack(), parse_processes=2).analyze(documents, batch_size=half))
    alone = list(Analyzer(load_pack(), parse_processes=1).analyze(documents, batch_size=1))
    assert sum(len(r.stances) for r in together) > 50  # many stances are coded
    assert sum(len(r.verdicts) for r in together) > 10
    assert [r.document_id for r in together] == [d.id for d in documents]
    for a, b in zip(together, alone, strict=True):
        assert a == b, a.document_id


def test_parse_processes_are_chosen_per_batch(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import multiprocessing

    from stancewatch.parsing import PARALLEL_PARSE_CHARS, processes_for

    long = ["x" * (PARALLEL_PARSE_CHARS // 4)] * 8
    cores = len(os.sched_getaffinity(0))
    assert processes_for(["A short text."] * 8) == 1  # not worth the processes
    assert processes_for(long) == max(1, min(cores, 4))
    assert processes_for(long[:3]) == 1  # at least two texts per process
    assert processes_for(long, 3) == 3  # set: for any batch of six texts or more
    assert processes_for(["A short text."] * 8, 3) == 3
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert processes_for(long) == 1  # a daemon may not start processes


def test_parse_workers_last_the_run_and_parse_as_this_process_does(nlp) -> None:  # type: ignore[no-untyped-def]
    """One pool of workers serves every batch of a run (its processes are the same from one
    batch to the next), batches are parsed ahead while the caller works, and the Docs read
    back are those of a parse in this process."""
    from stancewatch.parsing import Parser

    texts = [d.text for d in _documents(300, 12)]
    with nlp.memory_zone():
        expected = [doc.to_json() for doc in nlp.pipe(texts)]
    with Parser(nlp, processes=2) as parser:
        first = parser.submit(texts[:6])
        second = parser.submit(texts[6:])  # submitted before the first is read
        pool = parser._pool
        processes = list(pool._processes.values())
        with nlp.memory_zone():
            got = [doc.to_json() for doc in first() + second()]
        third = parser.submit(texts[:4])
        with nlp.memory_zone():
            assert [doc.to_json() for doc in third()] == expected[:4]
        assert parser._pool is pool and list(pool._processes.values()) == processes
    assert got == expected
    assert parser._pool is None  # closed with the run
    assert len(processes) == 2 and all(not p.is_alive() for p in processes)


def test_load_builds_the_narrative_index_only_when_something_can_match() -> None:
    from dataclasses import replace

    pack = load_pack()
    assert pack.narratives  # the bundled pack has narratives: its index is built at load
    assert Analyzer(pack).load().matches_narratives
    bare = Analyzer(replace(pack, narratives=())).load()
    assert not bare.matches_narratives
    assert bare._narrative_index is None  # nothing to match: no index, no gate fitted
    assert bare.match_narratives(_statements_of(bare)) == []


def _statements_of(analyzer: Analyzer) -> list:  # type: ignore[type-arg]
    [result] = analyzer.analyze(_documents(900, 1))
    assert result.statements
    return list(result.statements)


RESULT_TABLES = ("statements", "stances", "claims", "verdicts", "narrative_matches")
WHEN_COLUMNS = {"coded_at", "checked_at", "matched_at", "run_id"}


def _stored(db) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def,type-arg]
    import sqlite3

    with sqlite3.connect(db) as connection:
        out = {}
        for table in RESULT_TABLES:
            names = [r[1] for r in connection.execute(f"pragma table_info({table})")]
            kept = ", ".join(f'"{n}"' for n in names if n not in WHEN_COLUMNS)
            out[table] = sorted(connection.execute(f"SELECT {kept} FROM {table}"), key=repr)
    return out


def test_a_process_that_reads_the_cache_stores_what_one_that_filled_it_did(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The codebook's vectors and the narrative gate are computed by the first process and
    read back from the on-disk cache by the next: the stored results are the same, bit for
    bit (both runs are fresh `stancewatch analyze` processes)."""
    import subprocess
    import sys

    from stancewatch.nlp import CACHE_ENV
    from stancewatch.packs import demo_corpus_path

    corpus = sorted(p for p in demo_corpus_path().iterdir() if p.is_file())[:4]
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache"), "PYTHONWARNINGS": "ignore"}
    cli = [str(Path(sys.executable).with_name("stancewatch"))]
    stored = []
    for name in ("cold", "warm"):
        db = tmp_path / f"{name}.db"
        subprocess.run([*cli, "ingest", *map(str, corpus), "--db", str(db)], env=env, check=True)
        subprocess.run([*cli, "analyze", "--db", str(db)], env=env, check=True)
        stored.append(_stored(db))
        if name == "cold":  # the first process filled the cache
            assert len(list((tmp_path / "cache" / "embeddings").iterdir())) >= 2
            assert len(list((tmp_path / "cache" / "narrative-gates").iterdir())) == 1
    cold, warm = stored
    assert cold["statements"] and cold["stances"]
    assert cold == warm


def test_a_parse_worker_is_replaced_after_its_shares_and_the_parses_stay_the_same(  # type: ignore[no-untyped-def]
    nlp, monkeypatch
) -> None:
    from stancewatch import parsing

    monkeypatch.setattr(parsing, "SHARES_PER_WORKER", 1)
    texts = [d.text for d in _documents(400, 4)]
    with nlp.memory_zone():
        expected = [doc.to_json() for doc in nlp.pipe(texts)]
    seen: set[int] = set()
    with parsing.Parser(nlp, processes=2) as parser:
        for _ in range(3):
            parsing_ = parser.submit(texts)
            with nlp.memory_zone():
                assert [doc.to_json() for doc in parsing_()] == expected
            seen.update(parser._pool._processes)
    assert len(seen) > 2  # workers were replaced along the way


def test_a_batch_asking_for_more_processes_leaves_the_pending_one_parsing(nlp) -> None:  # type: ignore[no-untyped-def]
    """The pool has as many workers as any batch may ask for from the start: a later batch
    that wants more shares than the first does not replace the workers still parsing it."""
    import threading

    from stancewatch.parsing import Parser

    texts = [d.text for d in _documents(500, 8)]
    with nlp.memory_zone():
        expected = [doc.to_json() for doc in nlp.pipe(texts)]
    got: list = []  # type: ignore[type-arg]
    with Parser(nlp, processes=3) as parser:
        first = parser.submit(texts[:4])  # two shares (two texts a process at least)
        second = parser.submit(texts)  # three shares

        def read() -> None:
            with nlp.memory_zone():
                got.extend(doc.to_json() for doc in first() + second())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(120)
        assert not reader.is_alive(), "a pending batch was never parsed"
    assert got == expected[:4] + expected


def test_a_parse_worker_that_dies_stops_the_run_with_a_clear_error(nlp) -> None:  # type: ignore[no-untyped-def]
    """A worker killed mid-batch (by the kernel when memory runs out, say) ends the run with
    an error that says what happened, instead of a run waiting for ever."""
    import signal

    from stancewatch.errors import StancewatchError
    from stancewatch.parsing import Parser

    texts = [d.text for d in _documents(600, 400)]
    with Parser(nlp, processes=2) as parser:
        parsing_ = parser.submit(texts)
        os.kill(next(iter(parser._pool._processes)), signal.SIGKILL)
        with (
            pytest.raises(StancewatchError, match="parse worker process stopped"),
            nlp.memory_zone(),
        ):
            parsing_()


def test_a_statement_inside_a_longer_one_of_the_same_actor_is_coded_once() -> None:
    from datetime import date

    text = (
        "Donald Trump wrote that the two teams would begin negotiating immediately, and that "
        "he would call Volodymyr Zelensky to tell him about the conversation."
    )
    document = Document(
        id=content_hash(text), text=text, language="en", published=date(2025, 2, 12)
    )
    [result] = Analyzer(load_pack()).analyze([document])
    trump = [s for s in result.statements if s.actor == "trump"]
    inner = [
        s
        for s in trump
        if any(
            o is not s and o.content_start <= s.content_start and s.content_end <= o.content_end
            for o in trump
        )
    ]
    assert inner, [s.content for s in trump]  # the sentence holds a statement inside Trump's
    coded = {st.statement_id for st in result.stances}
    assert coded and not coded & {s.id for s in inner}


def test_nested_in_own_names_only_what_a_longer_statement_of_the_same_actor_holds() -> None:
    from stancewatch.records import Statement
    from stancewatch.stance.coding import nested_in_own

    def said(sid: str, start: int, end: int, actor: str | None) -> Statement:
        return Statement(sid, "d", "indirect", "x" * (end - start), start, end, actor=actor)

    statements = [
        said("outer", 0, 100, "trump"),
        said("inner", 50, 80, "trump"),  # inside Trump's own: coded once, with the outer
        said("other", 60, 70, "putin"),  # inside Trump's, but Putin's
        said("unknown", 10, 20, None),  # no actor: nothing to count twice
        said("twin", 0, 100, "trump"),  # the same span: neither holds the other
    ]
    assert nested_in_own(statements) == {"inner"}
