"""The alignment questions a :class:`~stancewatch.api.Project` answers: per actor and position,
one pair (rates, kappa and pi), breakdowns by topic or period, the press count, the ranking
against one actor and the matrix of every pair. A mixin over the project's stance table
(:meth:`stances`, statements and acts) and the pack's holders (:meth:`holders`); the
computations are the pure functions of :mod:`stancewatch.analytics.alignment` and
:mod:`stancewatch.analytics.counts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from stancewatch.analytics import agreement as _agreement
from stancewatch.analytics import alignment as _align
from stancewatch.analytics import counts as _counts
from stancewatch.errors import InputError
from stancewatch.packs import Pack
from stancewatch.records import as_date


class AlignmentQueries:
    """Alignment methods of :class:`~stancewatch.api.Project` (which provides ``pack``,
    ``stances`` and ``holders``)."""

    pack: Pack

    def stances(
        self, *, include_neutral: bool = True, include_actions: bool = True
    ) -> pd.DataFrame:
        raise NotImplementedError

    def holders(self) -> dict[str, list[str]]:
        raise NotImplementedError

    def actor_positions(
        self, since: date | str | None = None, until: date | str | None = None
    ) -> pd.DataFrame:
        return _align.actor_positions(self.stances(), as_date(since), as_date(until))

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
            since=as_date(since),
            until=as_date(until),
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
        window = {"since": as_date(since), "until": as_date(until)}
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

    def count(
        self,
        a: str,
        b: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
    ) -> _counts.Counts:
        """How many times ``a``'s statements and acts matched ``b``'s positions, per event
        (the same remark in five outlets is one), with the list and the opposite count; see
        :func:`stancewatch.analytics.counts.count_matches`."""
        self.pack.actor(a)
        self.pack.actor(b)
        return _counts.count_matches(
            self.stances(),
            a,
            b,
            holders=self.holders(),
            since=as_date(since),
            until=as_date(until),
        )

    def rank(
        self,
        with_actor: str,
        *,
        since: date | str | None = None,
        until: date | str | None = None,
        resamples: int = _agreement.BOOTSTRAP_RESAMPLES,
        seed: int = _agreement.BOOTSTRAP_SEED,
        by: str = "rate",
        interval: str = "wilson",
    ) -> pd.DataFrame:
        """Every actor who took a side, ranked by the lower end of the interval of the share
        of positions on which they took ``with_actor``'s side (``by="pi"`` or ``"kappa"``
        for the chance-corrected statistics); actors with nothing shared come last, unranked.
        See :func:`stancewatch.analytics.alignment.rank`."""
        self.pack.actor(with_actor)
        return _align.rank(
            self.stances(),
            with_actor,
            holders=self.holders(),
            since=as_date(since),
            until=as_date(until),
            resamples=resamples,
            seed=seed,
            by=by,  # type: ignore[arg-type]
            interval=interval,  # type: ignore[arg-type]
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
            stances, actors, holders=self.holders(), since=as_date(since), until=as_date(until)
        )
