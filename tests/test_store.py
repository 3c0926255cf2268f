from __future__ import annotations

import sqlite3
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancewatch.records import Claim, Document, Stance, Statement, Verdict, content_hash
from stancewatch.store.database import Store, StoreError
from stancewatch.store.schema import SCHEMA_VERSION


def doc(text: str, **kw) -> Document:
    return Document.from_text(text, **kw)


def test_same_document_twice_is_stored_once(tmp_path):
    with Store(tmp_path / "s.db") as store:
        first = store.add_documents([doc("Peskov said the talks were useful.", title="A")])
        again = store.add_documents([doc("Peskov said the talks were useful.", title="B")])
        assert (first.added, first.skipped) == (1, 0)
        assert (again.added, again.skipped) == (0, 1)
        assert store.count("documents") == 1
        # The first stored metadata is kept.
        assert next(store.documents()).title == "A"


def test_duplicates_within_one_batch_and_line_endings(tmp_path):
    with Store(tmp_path / "s.db") as store:
        result = store.add_documents([doc("One.\r\nTwo."), doc("One.\nTwo.")])
        assert result.added == 1 and result.skipped == 1


def test_schema_version_and_reopen(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.add_document(doc("Text."))
    with Store(path) as store:  # reopening does not migrate again or lose data
        assert store.count("documents") == 1


def test_older_database_gains_birth_dates_and_keeps_its_actors(tmp_path):
    from stancewatch.packs import default_pack_path, load_pack
    from stancewatch.store.schema import MIGRATIONS, split_sql

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)  # a file written before actors had a birth date
    for script in MIGRATIONS[:-1]:
        for statement in split_sql(script):
            conn.execute(statement)
    conn.execute("INSERT INTO actors (id, name) VALUES ('trump', 'Donald Trump')")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [r["name"] for r in store.db.query("SELECT name FROM actors")] == ["Donald Trump"]
        store.save_pack(load_pack(default_pack_path()))
        born = {r["id"]: r["born"] for r in store.db.query("SELECT id, born FROM actors")}
    assert born["trump"] == "1946-06-14" and born["kremlin"] is None


def test_file_opens_in_pandas_and_plain_sqlite(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add_document(doc("Kallas said a deal without Europe will not work.", outlet="X"))
    conn = sqlite3.connect(path)
    frame = pd.read_sql("SELECT outlet FROM documents", conn)
    assert list(frame["outlet"]) == ["X"]
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='view'")}
    assert {"statement_evidence", "stance_evidence"} <= views


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"\x00\x01binary junk" * 100, "not a SQLite database"),
        (b"", None),  # an empty file is a new database
    ],
)
def test_bad_database_files(tmp_path, content, problem):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    if problem is None:
        Store(path).close()
        return
    with pytest.raises(StoreError, match=problem) as info:
        Store(path)
    assert str(path) in str(info.value)


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="other tables"):
        Store(path)


def _analysis(document_id: str):
    statement = Statement(
        id="s1",
        document_id=document_id,
        kind="indirect",
        content="elections must be held",
        content_start=0,
        content_end=22,
        speaker="Trump",
        actor="trump",
        date=date(2025, 2, 19),
        confidence=0.9,
        method="attribution.rules.v1",
    )
    stance = Stance("s1", "zelensky-illegitimate", "support", 0.8, 0.7, "stance.prototype.v1")
    claim = Claim(
        id="c1",
        document_id=document_id,
        statement_id="s1",
        text="4%",
        start=5,
        end=7,
        value=4.0,
        unit="percent",
        claimant="trump",
    )
    verdict = Verdict(
        "c1", "inaccurate", "Claimed 4% against 57%.", "factcheck.rules.v1", None, 0.07
    )
    return [statement], [stance], [claim], [verdict]


def test_reanalysis_replaces_machine_results_and_keeps_human_codings(tmp_path):
    with Store(tmp_path / "s.db") as store:
        d = doc("elections must be held, Trump said.")
        store.add_document(d)
        statements, stances, claims, verdicts = _analysis(d.id)
        store.save_analysis(
            d.id,
            run_id=None,
            statements=statements,
            stances=stances,
            claims=claims,
            verdicts=verdicts,
        )
        with store.db.conn:
            store.db["stances"].insert(
                {
                    "statement_id": "s1",
                    "position_id": "zelensky-illegitimate",
                    "label": "oppose",
                    "score": 1.0,
                    "similarity": None,
                    "method": "human",
                    "coder": "ana",
                    "coded_at": "2025-03-01T00:00:00+00:00",
                }
            )
        store.save_analysis(
            d.id,
            run_id=None,
            statements=statements,
            stances=stances,
            claims=claims,
            verdicts=verdicts,
        )
        assert store.count("statements") == 1
        assert store.count("claims") == 1 and store.count("verdicts") == 1
        coders = sorted(r["coder"] for r in store.query("SELECT coder FROM stances"))
        assert coders == ["ana", "machine"]


def test_failed_write_leaves_earlier_results(tmp_path):
    with Store(tmp_path / "s.db") as store:
        d = doc("elections must be held, Trump said.")
        store.add_document(d)
        statements, stances, claims, verdicts = _analysis(d.id)
        store.save_analysis(
            d.id,
            run_id=None,
            statements=statements,
            stances=stances,
            claims=claims,
            verdicts=verdicts,
        )
        broken = Stance("missing-statement", "p", "support", 1.0, 1.0, "m")  # violates the FK
        with pytest.raises(sqlite3.IntegrityError):
            store.save_analysis(
                d.id,
                run_id=None,
                statements=statements,
                stances=[broken],
                claims=claims,
                verdicts=verdicts,
            )
        assert store.count("stances") == 1
        assert store.query("SELECT statement_id FROM stances")[0]["statement_id"] == "s1"


texts = st.text(min_size=1, max_size=300).filter(lambda t: t.strip())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts, title=st.none() | st.text(max_size=40), when=st.none() | st.dates())
def test_document_round_trip(tmp_path_factory, text, title, when):
    path = tmp_path_factory.mktemp("rt") / "s.db"
    original = Document.from_text(text, title=title, published=when, metadata={"k": [1, "é"]})
    with Store(path) as store:
        store.add_document(original)
        back = store.document(original.id)
    assert back == original
    assert back.metadata == {"k": [1, "é"]}
    assert back.id == content_hash(text)


def test_document_ids_in_order_and_only_unanalyzed(tmp_path):
    with Store(tmp_path / "s.db") as store:
        late = doc("Later text.", published=date(2025, 3, 1))
        early = doc("Earlier text.", published=date(2025, 1, 1))
        store.add_documents([late, early])
        assert store.document_ids() == [early.id, late.id]
        store.save_analysis(
            early.id, run_id=None, statements=[], stances=[], claims=[], verdicts=[]
        )
        assert store.document_ids(only_unanalyzed=True) == [late.id]


KILLED_RUN = """
import os, signal, sys
from stancewatch.packs import load_pack
from stancewatch.store.database import Store

store = Store(sys.argv[1])
run = store.start_run(load_pack(None), {"method": "test"})
for document_id in sys.argv[2:]:
    store.save_analysis(
        document_id, run_id=run, statements=[], stances=[], claims=[], verdicts=[]
    )
os.kill(os.getpid(), signal.SIGKILL)  # killed before finish_run
"""


def test_a_killed_run_is_closed_with_its_true_counts_by_the_next(tmp_path):
    import os
    import subprocess
    import sys

    from stancewatch.packs import load_pack

    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add_documents([doc("One said this."), doc("Two said that."), doc("Three.")])
        ids = store.document_ids()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(path), *ids[:2]], env=env, timeout=120
    )
    assert killed.returncode == -9
    with Store(path) as store:
        [row] = store.runs()
        assert row["finished_at"] is None and row["status"] == "running"
        new = store.start_run(load_pack(None), {"method": "test"})
        old, current = store.runs()
        assert old["status"] == "interrupted" and old["documents"] == 2 and old["finished_at"]
        assert current["id"] == new and current["status"] == "running"
        # A run of this very process is alive: the next start leaves it open.
        store.start_run(load_pack(None), {"method": "test"})
        assert store.runs()[1]["status"] == "running"
        store.finish_run(new, 1)
        assert store.runs()[1]["status"] == "finished"
