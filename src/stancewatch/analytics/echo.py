"""Echo detection: who voiced a position first, who repeated it and how many days later.

Three pure functions over tables the :class:`~stancewatch.api.Project` hands in:

- :func:`position_chains`: for each catalog position and side, the actors who took that side
  in date order, each with the days since the first voice and the statements behind it.
- :func:`cluster_chains`: the same chains for statements that match no catalog position,
  grouped into clusters of near-identical statements by embedding similarity (the caller
  passes the embeddings; see :func:`stancewatch.nlp.load_embedder`).
- :func:`echo_test`: whether actor B's statements on positions follow actor A's statements
  on the same position and side more closely than chance, by a permutation test that
  shuffles the dates among B's statements.

Dates have day resolution, so statements on the same day are tied: all actors on the first
day are listed as first voices (``days_after_first == 0``). Statements with no known actor
or no date take no part. No I/O here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from stancewatch.errors import InvalidValueError

SIDES = ("support", "oppose")
CLUSTER_THRESHOLD = 0.85  # cosine similarity of MiniLM embeddings for "near-identical"
ECHO_WINDOW_DAYS = 30
PERMUTATIONS = 2000
PERMUTATION_SEED = 20250120


@dataclass(frozen=True)
class Link:
    """One actor in a chain: first date on it, days after the first voice, the evidence."""

    actor: str
    first_date: date
    days_after_first: int
    statement_ids: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    """Actors voicing one position side (or one cluster of near-identical statements)."""

    kind: Literal["position", "cluster"]
    key: str  # the position id, or ``cluster-N`` numbered by first date
    side: str | None  # support / oppose for positions; None for clusters
    text: str  # the position id, or the content of the cluster's first statement
    links: tuple[Link, ...]

    @property
    def first(self) -> tuple[Link, ...]:
        """The actor(s) who voiced it first (several when tied on the first day)."""
        return tuple(link for link in self.links if link.days_after_first == 0)

    @property
    def repeaters(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.days_after_first > 0)


def _dated(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Rows with a known actor and a parseable date, with a ``day`` column of dates."""
    if frame.empty:
        return frame.assign(day=pd.Series(dtype=object))
    dates = pd.to_datetime(frame["date"], errors="coerce")
    keep = frame["actor"].notna() & dates.notna()
    out = frame[keep].assign(day=[d.date() for d in dates[keep]])
    return out.sort_values(["day", id_column], kind="stable")


def _links(rows: pd.DataFrame, id_column: str) -> tuple[Link, ...]:
    by_actor: dict[str, list[tuple[date, str]]] = {}
    for actor, day, statement_id in rows[["actor", "day", id_column]].itertuples(index=False):
        by_actor.setdefault(str(actor), []).append((day, str(statement_id)))
    origin = min(day for items in by_actor.values() for day, _ in items)
    links = [
        Link(
            actor=actor,
            first_date=items[0][0],
            days_after_first=(items[0][0] - origin).days,
            statement_ids=tuple(dict.fromkeys(sid for _, sid in items)),
        )
        for actor, items in by_actor.items()
    ]
    return tuple(sorted(links, key=lambda link: (link.first_date, link.actor)))


def position_chains(
    stances: pd.DataFrame, *, position: str | None = None, min_actors: int = 1
) -> list[Chain]:
    """One chain per (position, side) with at least ``min_actors`` actors, by first date.

    ``stances`` needs ``statement_id, position_id, label, actor, date`` (neutral codings and
    statements without actor or date are left out).
    """
    frame = stances[stances["label"].isin(SIDES)]
    if position is not None:
        frame = frame[frame["position_id"] == position]
    frame = _dated(frame, "statement_id")
    chains = []
    for (position_id, side), rows in frame.groupby(["position_id", "label"], sort=True):
        links = _links(rows, "statement_id")
        if len(links) >= min_actors:
            chains.append(Chain("position", str(position_id), str(side), str(position_id), links))
    return sorted(chains, key=lambda c: (c.links[0].first_date, c.key, c.side or ""))


def cluster_chains(
    statements: pd.DataFrame,
    embeddings: np.ndarray,
    *,
    threshold: float = CLUSTER_THRESHOLD,
    min_actors: int = 2,
) -> list[Chain]:
    """Chains over clusters of near-identical statements.

    ``statements`` has ``id, actor, date, content``; ``embeddings`` one row per statement, in
    the same order (normalised or not). Two statements are linked when their cosine
    similarity is at least ``threshold``; clusters are the connected groups (single linkage)
    holding statements of at least ``min_actors`` actors. Statements without actor or date
    are ignored.
    """
    if len(statements) != len(embeddings):
        raise ValueError(
            f"{len(statements)} statements but {len(embeddings)} embeddings: pass one each"
        )
    if not -1 <= threshold <= 1:
        raise InvalidValueError(f"threshold is a cosine similarity in [-1, 1], not {threshold}")
    frame = statements.reset_index(drop=True).assign(_row=range(len(statements)))
    frame = _dated(frame, "id")
    if len(frame) < 2:
        return []
    vectors = np.asarray(embeddings, dtype=float)[frame["_row"].to_numpy()]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1, norms)
    similar = vectors @ vectors.T >= threshold
    parent = list(range(len(frame)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(similar, k=1)), strict=True):
        parent[root(int(i))] = root(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(frame)):
        groups.setdefault(root(i), []).append(i)
    chains = []
    for members in groups.values():
        rows = frame.iloc[sorted(members)]
        if rows["actor"].nunique() < min_actors:
            continue
        first = rows.iloc[0]
        chains.append(Chain("cluster", "", None, str(first["content"]), _links(rows, "id")))
    chains.sort(key=lambda c: (c.links[0].first_date, c.text))
    return [Chain(c.kind, f"cluster-{n}", None, c.text, c.links) for n, c in enumerate(chains, 1)]


def chains_frame(chains: Sequence[Chain]) -> pd.DataFrame:
    """One row per link: kind, key, side, text, order, actor, first_date, days_after_first,
    first (voiced it first), statement_ids."""
    rows = [
        {
            "kind": chain.kind,
            "key": chain.key,
            "side": chain.side,
            "text": chain.text,
            "order": order,
            "actor": link.actor,
            "first_date": link.first_date.isoformat(),
            "days_after_first": link.days_after_first,
            "first": link.days_after_first == 0,
            "statement_ids": list(link.statement_ids),
        }
        for chain in chains
        for order, link in enumerate(chain.links, start=1)
    ]
    columns = ["kind", "key", "side", "text", "order", "actor", "first_date"]
    columns += ["days_after_first", "first", "statement_ids"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class EchoPair:
    """A follower statement and the latest leader statement on or before it."""

    follower_statement: str
    leader_statement: str | None
    position_id: str
    side: str
    lag_days: int | None  # None: the leader had not voiced it yet


@dataclass(frozen=True)
class EchoTest:
    """Permutation test of whether ``follower`` follows ``leader`` more closely than chance.

    The statistic is the mean lag in days from each of the follower's statements to the
    latest statement by the leader on the same position and side on or before that day,
    capped at ``window_days`` (also used when the leader had not voiced it yet). The null
    distribution shuffles the dates among the follower's statements; ``p_value`` is the
    share of shuffles with a mean lag no larger than observed (all ``n!`` orderings when
    that is at most ``permutations``: ``exact``; else ``(1 + k) / (1 + permutations)``).
    """

    leader: str
    follower: str
    n: int
    observed_mean_lag: float | None
    shuffled_mean_lag: float | None
    p_value: float | None
    permutations: int
    exact: bool
    seed: int
    window_days: int
    pairs: tuple[EchoPair, ...] = ()


def echo_test(
    stances: pd.DataFrame,
    leader: str,
    follower: str,
    *,
    window_days: int = ECHO_WINDOW_DAYS,
    permutations: int = PERMUTATIONS,
    seed: int = PERMUTATION_SEED,
) -> EchoTest:
    """Test whether ``follower``'s statements follow ``leader``'s on the same position side.

    Only the follower's statements on (position, side) pairs the leader voiced at some time
    in ``stances`` take part: on the others the lag is the cap whatever the dates, so they
    would only dilute the test. ``p_value`` is ``None`` with fewer than two such statements.
    """
    if window_days < 1 or permutations < 1:
        raise InvalidValueError(
            f"window_days and permutations must be at least 1, not {window_days} and {permutations}"
        )
    frame = _dated(stances[stances["label"].isin(SIDES)], "statement_id")
    frame = frame.drop_duplicates(["statement_id", "position_id", "label"])
    lead = frame[frame["actor"] == leader]
    voiced: dict[tuple[str, str], list[tuple[date, str]]] = {}
    for pos, side, day, sid in lead[["position_id", "label", "day", "statement_id"]].itertuples(
        index=False
    ):
        voiced.setdefault((str(pos), str(side)), []).append((day, str(sid)))
    follow = frame[frame["actor"] == follower]
    items = [
        (str(pos), str(side), day, str(sid))
        for pos, side, day, sid in follow[
            ["position_id", "label", "day", "statement_id"]
        ].itertuples(index=False)
        if (str(pos), str(side)) in voiced
    ]
    n = len(items)

    def latest(key: tuple[str, str], day: date) -> tuple[date, str] | None:
        before = [item for item in voiced[key] if item[0] <= day]
        return max(before) if before else None

    pairs = []
    for pos, side, day, sid in items:
        found = latest((pos, side), day)
        pairs.append(
            EchoPair(
                sid,
                found[1] if found else None,
                pos,
                side,
                (day - found[0]).days if found else None,
            )
        )
    result = EchoTest(
        leader, follower, n, None, None, None, 0, False, seed, window_days, tuple(pairs)
    )
    if n == 0:
        return result
    days = [item[2] for item in items]
    lags = np.empty((n, n))
    for i, (pos, side, _, _) in enumerate(items):
        for j, day in enumerate(days):
            found = latest((pos, side), day)
            lags[i, j] = min((day - found[0]).days, window_days) if found else window_days
    observed = float(np.trace(lags) / n)
    if n < 2:
        return EchoTest(**{**result.__dict__, "observed_mean_lag": observed})
    exact = math.factorial(n) <= permutations
    if exact:
        orders = np.array(list(itertools.permutations(range(n))))
    else:
        if seed < 0:  # numpy's generator takes no negative seed
            raise InvalidValueError(f"seed must be 0 or more, not {seed}")
        rng = np.random.default_rng(seed)
        orders = np.array([rng.permutation(n) for _ in range(permutations)])
    shuffled = lags[np.arange(n), orders].mean(axis=1)
    hits = int((shuffled <= observed + 1e-9).sum())
    p_value = hits / len(orders) if exact else (1 + hits) / (1 + permutations)
    return EchoTest(
        **{
            **result.__dict__,
            "observed_mean_lag": observed,
            "shuffled_mean_lag": float(shuffled.mean()),
            "p_value": p_value,
            "permutations": len(orders),
            "exact": exact,
        }
    )
