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

from stancewatch.analytics import agreement as _agreement
from stancewatch.analytics import alignment as _align
from stancewatch.analytics import echo as _echo
from stancewatch.errors import InputError, NotFoundError
from stancewatch.ingest.inputs import IngestProblem, ingest
from stancewatch.packs import Pack, load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import FALSE_VERDICTS, Document
from stancewatch.settings import Settings
from stancewatch.stance.base import StanceBackend
from stancewatch.store.database import Store

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


def _adjudicated(kind: str) -> str:
    """The latest adjudication per item of one kind (stance, speaker, verdict), as a table."""
    return (
        "(SELECT item_id, value FROM adjudications WHERE id IN "
        f"(SELECT max(id) FROM adjudications WHERE item_kind = '{kind}' GROUP BY item_id))"
    )


# A statement's actor after review: the adjudicated speaker ('unknown' → NULL), else the
# machine's. Needs the statement as ``s`` and the speaker adjudications as ``sp``.
_FINAL_ACTOR = (
    "(CASE WHEN sp.value IS NULL THEN s.actor WHEN sp.value = 'unknown' THEN NULL "
    "ELSE sp.value END)"
)


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"Invalid date {value!r}: expected YYYY-MM-DD") from None


class Project:
    """A stancewatch database together with the pack it is analysed against."""

    def __init__(
        self,
        db: str | Path,
        pack: str | Path | Pack | None = None,
        *,
        stance: str | StanceBackend | None = None,
        settings: Settings | None = None,
    ) -> None:
        """Open (or create) ``db`` with ``pack`` (default: the bundled pack).

        ``settings`` (:class:`~stancewatch.settings.Settings`) chooses the pack, models,
        stance backend and encoder precision the analysis runs with; ``pack`` and ``stance``
        override its fields. ``stance`` is a spec of
        :data:`~stancewatch.registry.STANCE_BACKENDS` (``"prototype"``, the default,
        ``"nli:MODEL"``, ``"chat:MODEL@URL"``, ...) or any object with the
        :class:`~stancewatch.stance.base.StanceBackend` protocol.
        """
        settings = settings or Settings()
        if pack is not None and not isinstance(pack, Pack):
            settings = settings.replace(pack=str(pack))
        if isinstance(stance, str):
            settings = settings.replace(stance=stance)
        self.settings = settings
        self.store = Store(db)
        self.pack = pack if isinstance(pack, Pack) else load_pack(settings.pack)
        self.stance: str | StanceBackend = stance if stance is not None else settings.stance
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
            backend = None if isinstance(self.stance, str) else self.stance
            self._analyzer = Analyzer(
                self.pack, settings=self.settings, backend=backend, bank=self.bank_claims()
            )
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
        self.store.save_narratives(self.pack)
        analyzer = self.analyzer
        report = AnalyzeReport()
        run_id = self.store.start_run(self.pack, analyzer.settings())
        report.run_id = run_id
        # Only the ids are held; texts are read one at a time while results are written, so
        # memory does not grow with the corpus.
        ids = self.store.document_ids(only_unanalyzed=not force)
        documents = (self.store.document(document_id) for document_id in ids)
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
            self.store.save_narrative_matches(result.document_id, result.narrative_matches, run_id)
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
        return len(self.store.document_ids(only_unanalyzed=True))

    def changed_settings(self) -> dict[str, tuple[Any, Any]]:
        """Settings (methods, models, thresholds, pack version) that differ between the latest
        run that analysed documents and what an analysis would use now, as ``{key: (stored,
        now)}``. Non-empty after an upgrade or a change of pack or backend: the stored results
        then come from another method than new ones would, and ``analyze(force=True)`` makes
        them one set again."""
        done = [run for run in self.store.runs() if run.get("documents")]
        if not done:
            return {}
        stored = done[-1]["settings"]
        current = self.analyzer.settings()
        return {
            key: (stored.get(key), value)
            for key, value in current.items()
            if key in stored and stored[key] != value
        }

    # -- reading ------------------------------------------------------------------------
    def _frame(self, sql: str, params: Any = ()) -> pd.DataFrame:
        return pd.DataFrame(self.store.query(sql, params))

    def documents(self) -> pd.DataFrame:
        return self._frame(
            "SELECT id, name, title, outlet, url, published, language, length(text) AS characters "
            "FROM documents ORDER BY published, rowid"
        )

    def statements(self, actor: str | None = None) -> pd.DataFrame:
        """Statements with speaker, actor, date and the document they come from.

        ``actor`` is the final actor: a reviewer's adjudicated speaker when there is one
        ("unknown" becomes null), else the machine's; ``machine_actor`` and ``actor_source``
        say which.
        """
        sql = (
            "SELECT s.id, s.document_id, s.kind, s.content, s.content_start, s.content_end, "
            "s.speaker, s.speaker_start, s.speaker_end, s.cue, s.cue_start, s.cue_end, "
            f"{_FINAL_ACTOR} AS actor, s.actor AS machine_actor, "
            "CASE WHEN sp.value IS NULL THEN 'machine' ELSE 'adjudicated' END AS actor_source, "
            "s.date, s.confidence, s.method, a.name AS actor_name, "
            "d.title AS document_title, d.name AS document, d.url AS document_url, d.outlet "
            "FROM statements s JOIN documents d ON d.id = s.document_id "
            f"LEFT JOIN {_adjudicated('speaker')} sp ON sp.item_id = s.id "
            f"LEFT JOIN actors a ON a.id = {_FINAL_ACTOR}"
        )
        params: list[Any] = []
        if actor is not None:
            sql += f" WHERE {_FINAL_ACTOR} = ?"
            params.append(actor)
        return self._frame(sql + " ORDER BY s.date, s.document_id, s.content_start", params)

    def stances(self, *, include_neutral: bool = True) -> pd.DataFrame:
        """One row per coded (statement, position) pair, with the statement's evidence.

        ``label`` is the final label: the latest adjudication from the review app when there
        is one, else the machine's; ``machine_label`` and ``label_source`` (machine /
        adjudicated) say which.
        """
        sql = (
            "SELECT st.statement_id, st.position_id, p.topic, p.proposition, "
            "COALESCE(adj.value, st.label) AS label, st.label AS machine_label, "
            "CASE WHEN adj.value IS NULL THEN 'machine' ELSE 'adjudicated' END AS label_source, "
            f"st.score, st.similarity, st.method, st.coder, {_FINAL_ACTOR} AS actor, "
            "a.name AS actor_name, "
            "s.speaker, s.kind, s.content, s.date, s.document_id, s.content_start, "
            "s.content_end, d.title AS document_title, d.url AS document_url "
            "FROM stances st JOIN statements s ON s.id = st.statement_id "
            "JOIN documents d ON d.id = s.document_id "
            "LEFT JOIN positions p ON p.id = st.position_id "
            f"LEFT JOIN {_adjudicated('speaker')} sp ON sp.item_id = s.id "
            f"LEFT JOIN actors a ON a.id = {_FINAL_ACTOR} "
            f"LEFT JOIN {_adjudicated('stance')} adj "
            "ON adj.item_id = st.statement_id || ':' || st.position_id"
        )
        if not include_neutral:
            sql += " WHERE COALESCE(adj.value, st.label) != 'neutral'"
        frame = self._frame(sql + " ORDER BY s.date, st.position_id")
        if frame.empty:
            frame = pd.DataFrame(
                columns=["statement_id", "position_id", "label", "actor", "date", "content"]
            )
        return frame

    def claims(self) -> pd.DataFrame:
        """Numeric claims with their verdicts and the facts they were checked against.

        ``verdict`` and ``claimant`` are final: a reviewer's adjudicated verdict or speaker
        when there is one; ``machine_verdict`` and ``verdict_source`` keep the machine's.
        """
        claimant = (
            "CASE WHEN sp.value IS NULL THEN c.claimant "
            "WHEN sp.value = 'unknown' THEN NULL ELSE sp.value END"
        )
        return self._frame(
            "SELECT c.id AS claim_id, c.statement_id, c.text AS claim, c.value, c.value_high, "
            "c.unit, c.currency, c.approximation, c.measure, c.subject, "
            f"{claimant} AS claimant, a.name AS claimant_name, c.context, "
            'c.document_id, c.start, c."end", s.date, d.title AS document_title, '
            "d.url AS document_url, COALESCE(vadj.value, v.label) AS verdict, "
            "v.label AS machine_verdict, "
            "CASE WHEN vadj.value IS NULL THEN 'machine' ELSE 'adjudicated' END AS verdict_source, "
            "v.ratio, v.explanation, v.fact_id, "
            "f.value AS fact_value, f.value_high AS fact_value_high, f.unit AS fact_unit, "
            "f.currency AS fact_currency, f.period AS fact_period, f.source AS fact_source, "
            "f.url AS fact_url "
            "FROM claims c JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN statements s ON s.id = c.statement_id "
            f"LEFT JOIN {_adjudicated('speaker')} sp ON sp.item_id = c.statement_id "
            f"LEFT JOIN actors a ON a.id = {claimant} "
            "LEFT JOIN verdicts v ON v.claim_id = c.id "
            f"LEFT JOIN {_adjudicated('verdict')} vadj ON vadj.item_id = c.id "
            "LEFT JOIN facts f ON f.id = v.fact_id ORDER BY s.date, c.document_id, c.start"
        )

    def false_claims(self) -> pd.DataFrame:
        frame = self.claims()
        if frame.empty:
            return frame
        return frame[frame["verdict"].isin(FALSE_VERDICTS)]

    def actor_candidates(self, min_mentions: int = 1) -> pd.DataFrame:
        """Named speakers no pack actor matched: name, mentions, documents (names or ids)."""
        from stancewatch.attribution.candidates import actor_candidates

        rows = self.store.query(
            "SELECT s.speaker, s.actor, coalesce(d.name, d.id) AS document FROM statements s "
            "JOIN documents d ON d.id = s.document_id WHERE s.actor IS NULL"
        )
        found = actor_candidates(
            ((r["speaker"], r["actor"], r["document"]) for r in rows), min_mentions=min_mentions
        )
        return pd.DataFrame(
            [
                {"name": c.name, "mentions": c.mentions, "documents": list(c.documents)}
                for c in found
            ],
            columns=["name", "mentions", "documents"],
        )

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
        self,
        a: str,
        b: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
        resamples: int = _agreement.BOOTSTRAP_RESAMPLES,
        seed: int = _agreement.BOOTSTRAP_SEED,
    ) -> _align.Alignment:
        """How often ``a`` took ``b``'s side, with kappa, pi and bootstrap intervals."""
        for actor in (a, b):
            self.pack.actor(actor)  # raises KeyError listing the known actors
        return _align.align(
            self.stances(),
            a,
            b,
            holders=self.holders(),
            since=_as_date(since),
            until=_as_date(until),
            resamples=resamples,
            seed=seed,
        )

    def alignment(
        self,
        a: str,
        b: str,
        *,
        by: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        resamples: int = _agreement.BOOTSTRAP_RESAMPLES,
        seed: int = _agreement.BOOTSTRAP_SEED,
    ) -> pd.DataFrame:
        """Alignment of ``a`` with ``b`` as a DataFrame: one row overall (``by=None``), or
        one per ``"topic"``, ``"month"`` or ``"week"`` (column ``group``), with counts,
        kappa, pi, their intervals and the statement ids behind them."""
        for actor in (a, b):
            self.pack.actor(actor)
        window = {"since": _as_date(since), "until": _as_date(until)}
        options: dict[str, Any] = {
            "holders": self.holders(),
            "resamples": resamples,
            "seed": seed,
            **window,
        }
        stances = self.stances()
        if by is None:
            groups = {"all": _align.align(stances, a, b, **options)}
        elif by == "topic":
            groups = _align.align_by_topic(stances, a, b, **options)
        elif by in _align.PERIODS:
            groups = _align.align_by_period(stances, a, b, by=by, **options)  # type: ignore[arg-type]
        else:
            raise InputError(f"Unknown grouping {by!r}; choose topic, month or week")
        rows = [{"group": g, **_align.summary_row(r)} for g, r in groups.items()]
        return pd.DataFrame(rows, columns=["group", *_align.SUMMARY_COLUMNS])

    def rank(
        self,
        with_actor: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
        resamples: int = _agreement.BOOTSTRAP_RESAMPLES,
        seed: int = _agreement.BOOTSTRAP_SEED,
        by: str = "pi",
    ) -> pd.DataFrame:
        """Every actor who took a side, ranked by Scott's pi (or ``by="kappa"``) with
        ``with_actor``; see :func:`stancewatch.analytics.alignment.rank`."""
        self.pack.actor(with_actor)
        return _align.rank(
            self.stances(),
            with_actor,
            holders=self.holders(),
            since=_as_date(since),
            until=_as_date(until),
            resamples=resamples,
            seed=seed,
            by=by,  # type: ignore[arg-type]
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

    # -- echoes -------------------------------------------------------------------------
    def echo_chains(
        self,
        *,
        position: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        min_actors: int = 1,
    ) -> pd.DataFrame:
        """Who voiced each position side first and who repeated it, one row per actor
        (see :func:`stancewatch.analytics.echo.chains_frame`)."""
        if position is not None and position not in {p.id for p in self.pack.positions}:
            known = ", ".join(sorted(p.id for p in self.pack.positions))
            raise NotFoundError(f"Unknown position {position!r}. Known positions: {known}")
        stances = _align.sides_in_window(self.stances(), _as_date(since), _as_date(until))
        chains = _echo.position_chains(stances, position=position, min_actors=min_actors)
        return _echo.chains_frame(chains)

    def unmatched_statements(self) -> pd.DataFrame:
        """Statements by known actors that support or oppose no catalog position."""
        return self._frame(
            "SELECT s.id, s.actor, s.date, s.content FROM statements s "
            "WHERE s.actor IS NOT NULL AND s.id NOT IN (SELECT statement_id FROM stances "
            "WHERE label IN ('support', 'oppose')) ORDER BY s.date, s.id"
        )

    def echo_clusters(
        self,
        *,
        threshold: float = _echo.CLUSTER_THRESHOLD,
        min_actors: int = 2,
        embedder: Any = None,
    ) -> pd.DataFrame:
        """Chains over clusters of near-identical statements that match no position,
        by MiniLM embedding similarity (loads the embedder unless one is passed)."""
        statements = self.unmatched_statements()
        if statements.empty:
            return _echo.chains_frame([])
        if embedder is None:
            from stancewatch.nlp import load_embedder

            embedder = load_embedder()
        vectors = embedder.encode(list(statements["content"]))
        chains = _echo.cluster_chains(
            statements, vectors, threshold=threshold, min_actors=min_actors
        )
        return _echo.chains_frame(chains)

    def echo_test(
        self,
        leader: str,
        follower: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
        window_days: int = _echo.ECHO_WINDOW_DAYS,
        permutations: int = _echo.PERMUTATIONS,
        seed: int = _echo.PERMUTATION_SEED,
    ) -> _echo.EchoTest:
        """Do ``follower``'s statements follow ``leader``'s more closely than chance?"""
        for actor in (leader, follower):
            self.pack.actor(actor)
        stances = _align.sides_in_window(self.stances(), _as_date(since), _as_date(until))
        return _echo.echo_test(
            stances,
            leader,
            follower,
            window_days=window_days,
            permutations=permutations,
            seed=seed,
        )

    # -- fact-checking (issue 5) ------------------------------------------------------
    def inconsistencies(self) -> pd.DataFrame:
        """Pairs of stored claims that give one measure for one subject different values,
        within a document and across the corpus, with both spans and the reason the figures
        may differ (``different periods``, ``different sources`` or ``conflict``)."""
        from stancewatch.claims.consistency import find_inconsistencies
        from stancewatch.store.results import stored_claims

        claims, dates, facts = stored_claims(self.store)
        found = find_inconsistencies(claims, dates=dates, facts=facts)
        columns = ["scope", "reason", "subject", "unit", "explanation"]
        sides = ["claim_id", "claim", "value", "value_high", "measure", "period", "claimant",
                 "document_id", "start", "end", "context", "date"]  # fmt: skip
        rows = []
        for item in found:
            row: dict[str, object] = {
                "scope": item.scope,
                "reason": item.reason,
                "subject": item.a.subject,
                "unit": item.a.unit,
                "explanation": item.explanation,
            }
            for side, c in (("a", item.a), ("b", item.b)):
                said = dates.get(c.id)
                values: list[object] = [c.id, c.text, c.value, c.value_high, c.measure, c.period, c.claimant,
                          c.document_id, c.start, c.end, c.context,
                          said.isoformat() if said else None]  # fmt: skip
                row.update({f"{k}_{side}": v for k, v in zip(sides, values, strict=True)})
            rows.append(row)
        return pd.DataFrame(rows, columns=columns + [f"{k}_{s}" for s in ("a", "b") for k in sides])

    def check_worthy(self, limit: int | None = None) -> pd.DataFrame:
        """Stored statements ranked by check-worthiness (0–1), best first, with the reasons."""
        from stancewatch.claims.worthiness import rank

        rows = self.store.query(
            "SELECT s.id AS statement_id, s.actor, s.speaker, s.content, s.date, s.document_id, "
            "s.content_start, s.content_end, d.title AS document_title, d.url AS document_url "
            "FROM statements s JOIN documents d ON d.id = s.document_id "
            "ORDER BY s.date, s.document_id, s.content_start"
        )
        ranked = rank(rows)[:limit] if limit is not None else rank(rows)
        columns = ["score", "reasons", "statement_id", "actor", "speaker", "content", "date",
                   "document_id", "content_start", "content_end", "document_title",
                   "document_url"]  # fmt: skip
        return pd.DataFrame(ranked, columns=columns)

    # -- known narratives and claim banks (stancewatch.narratives.matching) -----------------------
    def import_bank(self, path: str | Path, *, name: str | None = None, **options: Any) -> int:
        """Store a claim bank (CSV, JSONL or ClaimReview JSON; see :func:`banks.load_bank`),
        replacing a bank of the same name; matched on the next ``analyze(force=True)``."""
        from stancewatch.narratives.banks import load_bank

        claims = load_bank(path, name=name, **options)
        count = self.store.save_bank(name or Path(path).stem, claims)
        self._analyzer = None  # the next analysis matches against the new bank
        return count

    def bank_claims(self) -> tuple[Any, ...]:
        """The stored claim-bank claims as :class:`~stancewatch.records.BankClaim`."""
        from stancewatch.records import BankClaim

        return tuple(
            BankClaim(
                id=row["id"],
                text=row["text"],
                label=row["label"],
                verdict=row["verdict"],
                url=row["url"],
                date=_as_date(row["date"]),
                bank=row["bank"],
            )
            for row in self.store.query("SELECT * FROM bank_claims ORDER BY bank, rowid")
        )

    def narratives(self) -> pd.DataFrame:
        """The pack's known narratives with their example claims and debunks."""
        columns = ["id", "title", "description", "claims", "debunks"]
        rows = [
            {
                "id": n.id,
                "title": n.title,
                "description": n.description,
                "claims": list(n.claims),
                "debunks": [{"source": d.source, "url": d.url} for d in n.debunks],
            }
            for n in self.pack.narratives
        ]
        return pd.DataFrame(rows, columns=columns)

    def narrative_matches(
        self, *, relation: str | None = "repeats", kind: str | None = None
    ) -> pd.DataFrame:
        """Statements matched to a known narrative (``kind="narrative"``) or bank claim
        (``"bank"``), with the evidence, the score, the method and the debunk link.

        ``relation``: ``"repeats"`` (default), ``"rebuts"`` or None for both."""
        sql = (
            "SELECT m.statement_id, m.kind, m.target_id, m.label, "
            "COALESCE(n.title, m.label) AS narrative_title, m.matched_text, m.relation, m.score, "
            "m.similarity, m.method, m.url AS debunk_url, n.debunks, b.verdict, s.actor, "
            "a.name AS actor_name, s.speaker, s.content, s.date, s.document_id, "
            "s.content_start, s.content_end, d.title AS document_title, d.url AS document_url "
            "FROM narrative_matches m JOIN statements s ON s.id = m.statement_id "
            "JOIN documents d ON d.id = s.document_id LEFT JOIN actors a ON a.id = s.actor "
            "LEFT JOIN narratives n ON m.kind = 'narrative' AND n.id = m.target_id "
            "LEFT JOIN bank_claims b ON m.kind = 'bank' AND b.id = m.target_id"
        )
        where, params = [], []
        if relation is not None:
            where.append("m.relation = ?")
            params.append(relation)
        if kind is not None:
            where.append("m.kind = ?")
            params.append(kind)
        if where:
            sql += " WHERE " + " AND ".join(where)
        frame = self._frame(sql + " ORDER BY s.date, s.document_id, m.score DESC", params)
        if frame.empty:
            return pd.DataFrame(columns=["statement_id", "kind", "label", "actor", "date"])
        frame["debunks"] = frame["debunks"].map(
            lambda v: json.loads(v) if isinstance(v, str) else []
        )
        return frame

    def narrative_counts(self, *, kind: str = "narrative") -> pd.DataFrame:
        """Per actor and narrative (or bank label): repetitions, statements, first and last
        date; unattributed statements are counted under actor None."""
        columns = ["actor", "label", "repetitions", "first_date", "last_date", "statement_ids"]
        frame = self.narrative_matches(kind=kind)
        if frame.empty:
            return pd.DataFrame(columns=columns)
        frame = frame.assign(actor=frame["actor"].astype(object).where(frame["actor"].notna()))
        grouped = frame.groupby(["actor", "label"], dropna=False, sort=True)
        out = grouped.agg(
            repetitions=("statement_id", "nunique"),
            first_date=("date", "min"),
            last_date=("date", "max"),
            statement_ids=("statement_id", lambda ids: sorted(set(ids))),
        ).reset_index()
        return out.sort_values(["label", "first_date", "actor"], na_position="last")[columns]

    def narrative_timeline(self, *, freq: str = "month", kind: str = "narrative") -> pd.DataFrame:
        """Repetitions per narrative and period (``"month"``, ``"week"`` or ``"day"``)."""
        codes = {"month": "M", "week": "W", "day": "D"}
        if freq not in codes:
            raise InputError(f"Unknown period {freq!r}; choose month, week or day")
        frame = self.narrative_matches(kind=kind)
        columns = ["period", "label", "repetitions", "actors"]
        if frame.empty:
            return pd.DataFrame(columns=columns)
        dates = pd.to_datetime(frame["date"], errors="coerce")
        frame = frame[dates.notna()].assign(period=dates[dates.notna()].dt.to_period(codes[freq]))
        out = frame.groupby(["period", "label"], sort=True).agg(
            repetitions=("statement_id", "nunique"), actors=("actor", "nunique")
        )
        out = out.reset_index()
        out["period"] = out["period"].astype(str)
        return out[columns]

    def narrative_chains(self, *, min_actors: int = 1) -> pd.DataFrame:
        """Who repeated each narrative first and who followed, days later (echo analytics
        over narrative repetitions; see :func:`stancewatch.analytics.echo.chains_frame`)."""
        frame = self.narrative_matches(kind="narrative")
        if frame.empty:
            return _echo.chains_frame([])
        as_stances = frame.assign(position_id=frame["label"], label="support")
        chains = _echo.position_chains(as_stances, min_actors=min_actors)
        return _echo.chains_frame(chains).assign(kind="narrative", side=None)

    def narrative_report(self) -> pd.DataFrame:
        """What the report shows: one row per statement repeating a known narrative or bank
        claim (best match per statement and target kind), with actor, date, the quote and its
        document, the narrative title, score, and the debunk (source and URL)."""
        frame = self.narrative_matches()
        columns = ["statement_id", "actor", "actor_name", "date", "content", "kind", "label"]
        columns += ["narrative_title", "matched_text", "score", "debunk_source", "debunk_url"]
        columns += ["document_title", "document_url", "method"]
        if frame.empty:
            return pd.DataFrame(columns=columns)
        frame = frame.sort_values("score", ascending=False, kind="stable")
        frame = frame.drop_duplicates(["statement_id", "kind"]).sort_values(["date", "actor"])
        first = frame["debunks"].map(lambda d: d[0] if d else {})
        frame = frame.assign(
            debunk_source=[d.get("source") for d in first],
            debunk_url=[d.get("url") or u for d, u in zip(first, frame["debunk_url"], strict=True)],
        )
        return frame[columns].reset_index(drop=True)
