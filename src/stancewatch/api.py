"""The Python API: one :class:`Project` per database, returning pandas DataFrames.

>>> from stancewatch import Project
>>> project = Project("corpus.db")              # creates or opens the SQLite file
>>> project.ingest(["articles/"])               # files, folders, URLs, feeds
>>> project.analyze()                           # attribution, stance, claims, verdicts
>>> project.actor_positions().head()            # who supports / opposes what
>>> project.align("trump", "putin", since="2025-01-20")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from stancewatch.analytics import alignment as _align
from stancewatch.analytics import echo as _echo
from stancewatch.analytics.queries import AlignmentQueries
from stancewatch.errors import NotFoundError
from stancewatch.ingest.inputs import IngestProblem, ingest
from stancewatch.narratives import tables as _narrative_tables
from stancewatch.packs import Pack, load_pack
from stancewatch.pipeline import Analyzer
from stancewatch.records import FALSE_VERDICTS, Document, as_date
from stancewatch.settings import Settings
from stancewatch.stance.base import StanceBackend
from stancewatch.store import results as _results
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


class Project(AlignmentQueries):
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
        :data:`~stancewatch.registry.STANCE_BACKENDS` (``"prototype"``, ``"nli:MODEL"``,
        ``"chat:MODEL@URL"``, ...) or any object with the
        :class:`~stancewatch.stance.base.StanceBackend` protocol; without one, the pack's own
        model (``stance_model`` in its pack.yaml) when it has one, else ``"prototype"``.
        """
        settings = settings or Settings()
        if pack is not None and not isinstance(pack, Pack):
            settings = settings.replace(pack=str(pack))
        if isinstance(stance, str):
            settings = settings.replace(stance=stance)
        self.settings = settings
        self.store = Store(db)
        self.pack = pack if isinstance(pack, Pack) else load_pack(settings.pack)
        self.stance: str | StanceBackend = stance or settings.stance_for(self.pack)
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
    def documents(self) -> pd.DataFrame:
        return pd.DataFrame(_results.document_rows(self.store))

    def statements(self, actor: str | None = None) -> pd.DataFrame:
        """Statements with speaker, actor, date and the document they come from.

        ``actor`` is the final actor: a reviewer's adjudicated speaker when there is one
        ("unknown" becomes null), else the machine's; ``machine_actor`` and ``actor_source``
        say which (see :mod:`stancewatch.store.results`).
        """
        return pd.DataFrame(_results.statement_rows(self.store, actor))

    def stances(
        self, *, include_neutral: bool = True, include_actions: bool = True
    ) -> pd.DataFrame:
        """One row per coded (statement, position) pair, with the statement's evidence.

        ``label`` is the final label: the latest adjudication from the review app when there
        is one, else the machine's; ``machine_label`` and ``label_source`` (machine /
        adjudicated) say which. With ``include_actions`` (the default) the pack's acts (see
        :meth:`actions`) come beside them, one row each, with ``kind`` ``act``,
        ``statement_id`` ``act-<id>``, ``label_source`` ``pack`` and the act's source as the
        document, so that every alignment, count and echo counts them as evidence.
        """
        rows = _results.stance_rows(self.store, include_neutral=include_neutral)
        if include_actions:
            rows += _results.action_stance_rows(self.store)
        frame = pd.DataFrame(rows)
        if frame.empty:
            frame = pd.DataFrame(
                columns=["statement_id", "position_id", "label", "actor", "date", "content"]
            )
        return frame

    def actions(self) -> pd.DataFrame:
        """The acts stored with the pack (votes, decisions, aid pauses): actor, date, kind,
        position_id, side, description, source, url, notes, and ``evidence_id`` (``act-<id>``),
        their id in the stance table and the report's evidence."""
        columns = [
            "evidence_id", "id", "actor", "actor_name", "date", "kind", "position_id",
            "proposition", "side", "description", "source", "url", "notes", "origin", "pack",
        ]  # fmt: skip
        return pd.DataFrame(_results.action_rows(self.store), columns=columns)

    def claims(self) -> pd.DataFrame:
        """Numeric claims with their verdicts and the facts they were checked against.

        ``verdict`` and ``claimant`` are final: a reviewer's adjudicated verdict or speaker
        when there is one; ``machine_verdict`` and ``verdict_source`` keep the machine's.
        """
        return pd.DataFrame(_results.claim_rows(self.store))

    def false_claims(self) -> pd.DataFrame:
        frame = self.claims()
        if frame.empty:
            return frame
        return frame[frame["verdict"].isin(FALSE_VERDICTS)]

    def actor_candidates(self, min_mentions: int = 1) -> pd.DataFrame:
        """Named speakers no pack actor matched: name, mentions, documents (names or ids)."""
        from stancewatch.attribution.candidates import actor_candidates

        rows = _results.unattributed_statement_rows(self.store)
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
        return pd.DataFrame(_results.pack_rows(self.store, "actors"))

    def positions(self) -> pd.DataFrame:
        return pd.DataFrame(_results.pack_rows(self.store, "positions"))

    def facts(self) -> pd.DataFrame:
        return pd.DataFrame(_results.pack_rows(self.store, "facts"))

    def holders(self) -> dict[str, list[str]]:
        """Position id → actor ids that advanced it, as stored with the analysis."""
        return _results.holders(self.store)

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
        stances = _align.sides_in_window(self.stances(), as_date(since), as_date(until))
        chains = _echo.position_chains(stances, position=position, min_actors=min_actors)
        return _echo.chains_frame(chains)

    def unmatched_statements(self) -> pd.DataFrame:
        """Statements by known actors that support or oppose no catalog position."""
        return pd.DataFrame(_results.unmatched_statement_rows(self.store))

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
        stances = _align.sides_in_window(self.stances(), as_date(since), as_date(until))
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
        from stancewatch.claims import consistency

        claims, dates, facts = _results.stored_claims(self.store)
        found = consistency.find_inconsistencies(claims, dates=dates, facts=facts)
        rows = consistency.inconsistency_rows(found, dates)
        return pd.DataFrame(rows, columns=list(consistency.INCONSISTENCY_COLUMNS))

    def check_worthy(self, limit: int | None = None) -> pd.DataFrame:
        """Stored statements ranked by check-worthiness (0–1), best first, with the reasons."""
        from stancewatch.claims.worthiness import rank

        rows = _results.check_worthy_rows(self.store)
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
        return _results.bank_claims(self.store)

    def narratives(self) -> pd.DataFrame:
        """The pack's known narratives with their example claims and debunks."""
        return _narrative_tables.narratives_frame(self.pack.narratives)

    def narrative_matches(
        self, *, relation: str | None = "repeats", kind: str | None = None
    ) -> pd.DataFrame:
        """Statements matched to a known narrative (``kind="narrative"``) or bank claim
        (``"bank"``), with the evidence, the score, the method and the debunk link.

        ``relation``: ``"repeats"`` (default), ``"rebuts"`` or None for both."""
        rows = _results.narrative_match_rows(self.store, relation=relation, kind=kind)
        return _narrative_tables.matches_frame(rows)

    def narrative_counts(self, *, kind: str = "narrative") -> pd.DataFrame:
        """Per actor and narrative (or bank label): repetitions, statements, first and last
        date; unattributed statements are counted under actor None."""
        return _narrative_tables.counts(self.narrative_matches(kind=kind))

    def narrative_timeline(self, *, freq: str = "month", kind: str = "narrative") -> pd.DataFrame:
        """Repetitions per narrative and period (``"month"``, ``"week"`` or ``"day"``)."""
        return _narrative_tables.timeline(self.narrative_matches(kind=kind), freq)

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
        return _narrative_tables.report(self.narrative_matches())
