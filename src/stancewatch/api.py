"""The Python API: one :class:`Project` per database, returning pandas DataFrames.

>>> from stancewatch import Project
>>> project = Project("corpus.db")              # creates or opens the SQLite file
>>> project.ingest(["articles/"])               # files, folders, URLs, feeds
>>> project.analyze()                           # attribution, stance, claims, verdicts
>>> project.actor_positions().head()            # who supports / opposes what
>>> project.align("trump", "putin", since="2025-01-20")
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import align as _align
from .backends import load_backend
from .ingest import IngestProblem, ingest
from .packs import Pack, load_pack
from .pipeline import Analyzer
from .records import Document
from .stance import StanceBackend
from .store import Store

Progress = Callable[[int], None]


@dataclass
class IngestReport:
    added: int = 0
    skipped: int = 0
    problems: list[IngestProblem] = field(default_factory=list)


@dataclass
class AnalyzeReport:
    documents: int = 0
    statements: int = 0
    stances: int = 0
    claims: int = 0
    run_id: int | None = None
    notices: list[str] = field(default_factory=list)


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class Project:
    """A stancewatch database together with the pack it is analysed against."""

    def __init__(
        self,
        db: str | Path,
        pack: str | Path | Pack | None = None,
        *,
        stance: str | StanceBackend = "prototype",
    ) -> None:
        """Open (or create) ``db`` with ``pack`` (default: the bundled pack).

        ``stance`` picks the stance backend: ``"prototype"`` (offline default),
        ``"nli:MODEL"``, ``"chat:MODEL@URL"`` (see :func:`stancewatch.backends.load_backend`)
        or any object with the :class:`~stancewatch.stance.StanceBackend` protocol.
        """
        self.store = Store(db)
        self.pack = pack if isinstance(pack, Pack) else load_pack(pack)
        self.stance = stance
        self._analyzer: Analyzer | None = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            backend = load_backend(self.stance) if isinstance(self.stance, str) else self.stance
            self._analyzer = Analyzer(self.pack, backend=backend)
        return self._analyzer

    # -- writing ------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        on_item: Callable[[Document | IngestProblem], None] | None = None,
        **options: Any,
    ) -> IngestReport:
        """Read files, folders, URLs or feeds and store new documents (idempotent)."""
        report = IngestReport()

        def documents() -> Iterable[Document]:
            for item in ingest(paths, **options):
                if on_item is not None:
                    on_item(item)
                if isinstance(item, IngestProblem):
                    report.problems.append(item)
                else:
                    yield item

        result = self.store.add_documents(documents())
        report.added, report.skipped = result.added, result.skipped
        return report

    def analyze(
        self, *, force: bool = False, on_document: Callable[[str], None] | None = None
    ) -> AnalyzeReport:
        """Analyse stored documents not analysed yet (all of them with ``force``)."""
        self.store.save_pack(self.pack)
        analyzer = self.analyzer
        report = AnalyzeReport()
        run_id = self.store.start_run(self.pack, analyzer.settings())
        report.run_id = run_id
        documents = list(self.store.documents(only_unanalyzed=not force))
        for result in analyzer.analyze(documents):
            if result.notice:
                report.notices.append(f"{result.document_id}: {result.notice}")
            self.store.save_analysis(
                result.document_id,
                run_id=run_id,
                statements=result.statements,
                stances=result.stances,
                claims=result.claims,
                verdicts=result.verdicts,
            )
            report.documents += 1
            report.statements += len(result.statements)
            report.stances += len(result.stances)
            report.claims += len(result.claims)
            if on_document is not None:
                on_document(result.document_id)
        self.store.finish_run(run_id, report.documents)
        return report

    def pending(self) -> int:
        """How many stored documents have not been analysed yet."""
        return sum(1 for _ in self.store.documents(only_unanalyzed=True))

    # -- reading ------------------------------------------------------------------------
    def _frame(self, sql: str, params: Any = ()) -> pd.DataFrame:
        return pd.DataFrame(self.store.query(sql, params))

    def documents(self) -> pd.DataFrame:
        return self._frame(
            "SELECT id, name, title, outlet, url, published, language, length(text) AS characters "
            "FROM documents ORDER BY published, rowid"
        )

    def statements(self, actor: str | None = None) -> pd.DataFrame:
        """Statements with speaker, actor, date and the document they come from."""
        sql = (
            "SELECT s.*, a.name AS actor_name, d.title AS document_title, d.name AS document, "
            "d.url AS document_url, d.outlet FROM statements s "
            "JOIN documents d ON d.id = s.document_id LEFT JOIN actors a ON a.id = s.actor"
        )
        params: list[Any] = []
        if actor is not None:
            sql += " WHERE s.actor = ?"
            params.append(actor)
        return self._frame(sql + " ORDER BY s.date, s.document_id, s.content_start", params)

    def stances(self, *, include_neutral: bool = True) -> pd.DataFrame:
        """One row per coded (statement, position) pair, with the statement's evidence."""
        sql = (
            "SELECT st.statement_id, st.position_id, p.topic, p.proposition, st.label, st.score, "
            "st.similarity, st.method, st.coder, s.actor, a.name AS actor_name, s.speaker, "
            "s.kind, s.content, s.date, s.document_id, s.content_start, s.content_end, "
            "d.title AS document_title, d.url AS document_url "
            "FROM stances st JOIN statements s ON s.id = st.statement_id "
            "JOIN documents d ON d.id = s.document_id "
            "LEFT JOIN positions p ON p.id = st.position_id "
            "LEFT JOIN actors a ON a.id = s.actor"
        )
        if not include_neutral:
            sql += " WHERE st.label != 'neutral'"
        frame = self._frame(sql + " ORDER BY s.date, st.position_id")
        if frame.empty:
            frame = pd.DataFrame(
                columns=["statement_id", "position_id", "label", "actor", "date", "content"]
            )
        return frame

    def claims(self) -> pd.DataFrame:
        """Numeric claims with their verdicts and the facts they were checked against."""
        return self._frame(
            "SELECT c.id AS claim_id, c.statement_id, c.text AS claim, c.value, c.value_high, c.unit, c.currency, "
            "c.approximation, c.measure, c.subject, c.claimant, a.name AS claimant_name, c.context, "
            'c.document_id, c.start, c."end", s.date, d.title AS document_title, '
            "d.url AS document_url, v.label AS verdict, v.ratio, v.explanation, v.fact_id, "
            "f.value AS fact_value, f.value_high AS fact_value_high, f.unit AS fact_unit, "
            "f.currency AS fact_currency, f.period AS fact_period, f.source AS fact_source, "
            "f.url AS fact_url "
            "FROM claims c JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN statements s ON s.id = c.statement_id "
            "LEFT JOIN actors a ON a.id = c.claimant "
            "LEFT JOIN verdicts v ON v.claim_id = c.id "
            "LEFT JOIN facts f ON f.id = v.fact_id ORDER BY s.date, c.document_id, c.start"
        )

    def false_claims(self) -> pd.DataFrame:
        frame = self.claims()
        if frame.empty:
            return frame
        return frame[frame["verdict"].isin(["inaccurate", "exaggerated", "understated"])]

    def actors(self) -> pd.DataFrame:
        frame = self._frame("SELECT * FROM actors ORDER BY id")
        for column in ("aliases", "roles"):
            if column in frame:
                frame[column] = frame[column].map(lambda v: json.loads(v or "[]"))
        return frame

    def positions(self) -> pd.DataFrame:
        frame = self._frame("SELECT * FROM positions ORDER BY topic, id")
        for column in ("holders", "supports", "opposes"):
            if column in frame:
                frame[column] = frame[column].map(lambda v: json.loads(v or "[]"))
        return frame

    def facts(self) -> pd.DataFrame:
        return self._frame("SELECT * FROM facts ORDER BY measure, period_start")

    def holders(self) -> dict[str, list[str]]:
        """Position id → actor ids that advanced it, as stored with the analysis."""
        return {
            row["id"]: json.loads(row["holders"] or "[]")
            for row in self.store.query("SELECT id, holders FROM positions")
        }

    def actor_positions(
        self, since: date | str | None = None, until: date | str | None = None
    ) -> pd.DataFrame:
        return _align.actor_positions(self.stances(), _as_date(since), _as_date(until))

    def align(
        self, a: str, b: str, *, since: date | str | None = None, until: date | str | None = None
    ) -> _align.Alignment:
        for actor in (a, b):
            self.pack.actor(actor)  # raises KeyError listing the known actors
        return _align.align(
            self.stances(),
            a,
            b,
            holders=self.holders(),
            since=_as_date(since),
            until=_as_date(until),
        )

    def alignment_matrix(
        self,
        actors: Iterable[str] | None = None,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
    ) -> pd.DataFrame:
        stances = self.stances()
        if actors is None:
            actors = sorted(a for a in stances["actor"].dropna().unique())
        return _align.alignment_matrix(
            stances, actors, holders=self.holders(), since=_as_date(since), until=_as_date(until)
        )
