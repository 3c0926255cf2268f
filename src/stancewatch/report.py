"""The HTML report and the Markdown summary: every number links to its evidence.

:func:`build_context` gathers what the report shows from a :class:`~stancewatch.api.Project`
(reading only through the project); :func:`render_report` renders it into one self-contained
HTML page (inline CSS, charts as inline SVG, no network) and :func:`render_summary_markdown`
into Markdown for pasting into an article. Neither writes files: that is the CLI's job.

Every statement a number rests on is listed once in the evidence section with the anchor
``id="st-<statement_id>"`` (quote, speaker as written, actor, date, document title and URL,
character offsets), numbered E1, E2, ... in date order; counts link to the first of their
statements and list the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from . import align as _align
from . import echo as _echo
from . import report_analytics as _analytics_module
from .charts import matrix_spec, to_png, to_svg
from .records import FALSE_VERDICTS
from .report_format import (
    anchor,
    format_figure,
    format_ratio,
    md_escape,
    md_link,
    safe_url,
    unquote,
)

if TYPE_CHECKING:
    from .api import Project

TEMPLATE = "report.html.j2"
MAX_QUOTES = 5  # quotes shown per actor, position and side; the rest are linked
MAX_DEFAULT_PAIRS = 6  # alignment pairs shown when no focus is given and no US/Putin pairs
DEFAULT_RIVAL = "putin"
US_AFFILIATIONS = frozenset({"united states", "united states of america", "us", "usa"})
REVIEW_NOTE = (
    "Stances come from an automatic first-pass method and should be reviewed by a person "
    "before publication; statements whose speaker could not be linked to a known actor are "
    "left out of every per-actor figure."
)


# -- frames ---------------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """NaN, NA and NaT become ``None``; everything else is returned unchanged."""
    if value is None or isinstance(value, list | tuple | dict):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Invalid date {value!r}: expected YYYY-MM-DD") from None


def _window(
    frame: pd.DataFrame, column: str, since: date | None, until: date | None
) -> pd.DataFrame:
    """Rows whose ``column`` date lies in [since, until]; undated rows drop out of a window."""
    if frame.empty or (since is None and until is None):
        return frame
    dates = pd.to_datetime(frame[column], errors="coerce")
    keep = dates.notna()
    if since is not None:
        keep &= dates >= pd.Timestamp(since)
    if until is not None:
        keep &= dates <= pd.Timestamp(until)
    return frame[keep]


# -- evidence -------------------------------------------------------------------------------
class Evidence:
    """The statements the report cites; ``cited()`` numbers them E1, E2, ... by date."""

    def __init__(self, statements: pd.DataFrame) -> None:
        self._rows = (
            {row["id"]: row for row in _records(statements)} if not statements.empty else {}
        )
        self._cited: dict[str, dict[str, Any]] = {}

    def ref(self, statement_id: str) -> dict[str, Any] | None:
        """Cite one statement: its evidence entry, or None when it is not in the store."""
        if statement_id in self._cited:
            return self._cited[statement_id]
        row = self._rows.get(statement_id)
        if row is None:
            return None
        entry = {
            "id": statement_id,
            "anchor": anchor(statement_id),
            "label": "",  # numbered by cited(), once every citation is known
            "content": row.get("content") or "",
            "quote": unquote(row.get("content") or ""),
            "speaker": row.get("speaker"),
            "actor": row.get("actor"),
            "actor_name": row.get("actor_name"),
            "kind": row.get("kind"),
            "date": row.get("date"),
            "title": row.get("document_title") or row.get("document") or row.get("document_id"),
            "url": safe_url(row.get("document_url")),
            "raw_url": row.get("document_url"),
            "outlet": row.get("outlet"),
            "document_id": row.get("document_id"),
            "start": row.get("content_start"),
            "end": row.get("content_end"),
            "confidence": row.get("confidence"),
            "method": row.get("method"),
        }
        self._cited[statement_id] = entry
        return entry

    def refs(self, statement_ids: Iterable[str]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out = []
        for statement_id in statement_ids:
            if statement_id in seen:
                continue
            seen.add(statement_id)
            entry = self.ref(statement_id)
            if entry is not None:
                out.append(entry)
        return out

    def cited(self) -> list[dict[str, Any]]:
        """The cited statements in date order, labelled E1, E2, ... (labels set here)."""
        entries = sorted(
            self._cited.values(),
            key=lambda e: (e["date"] or "9999", str(e["document_id"]), e["start"] or 0, e["id"]),
        )
        for number, entry in enumerate(entries, start=1):
            entry["label"] = f"E{number}"
        return entries

    def speaker(self, statement_id: str | None) -> str | None:
        row = self._rows.get(statement_id) if statement_id else None
        return row.get("speaker") if row else None


# -- the context ----------------------------------------------------------------------------
def build_context(
    project: Project,
    *,
    title: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    focus: Sequence[tuple[str, str]] = (),
    rival: str | None = None,
    embedder: Any = None,
) -> dict[str, Any]:
    """Everything the report and the summary show, as plain dicts and lists.

    ``rival`` is the actor everyone is ranked against (default ``putin`` when the pack has
    that actor, else the second actor of the first pair). With an ``embedder`` (see
    :func:`stancewatch.nlp.load_embedder`) the echo section also chains near-identical
    statements that match no position. ``context["charts"]`` holds the Vega-Lite spec of
    every chart, for :func:`chart_files`.

    ``focus`` names the (A, B) actor pairs for the alignment section; unknown actor ids raise
    ``KeyError`` listing the known ones. By default every actor affiliated with the United
    States who took a side on anything is compared with ``putin`` when the pack has that
    actor, otherwise the most active pairs are shown.
    """
    since_d, until_d = _as_date(since), _as_date(until)
    for pair in focus:
        for actor_id in pair:
            project.pack.actor(actor_id)  # raises KeyError listing the known actors
    actor_names = {a.id: a.name for a in project.pack.actors}
    actors_frame = project.actors()
    if not actors_frame.empty:
        actor_names.update(dict(zip(actors_frame["id"], actors_frame["name"], strict=True)))
    positions = {p["id"]: p for p in _records(project.positions())}
    for p in project.pack.positions:
        positions.setdefault(p.id, {"id": p.id, "topic": p.topic, "proposition": p.proposition})

    evidence = Evidence(project.statements())
    all_stances = project.stances(include_neutral=False)
    stances = _window(all_stances, "date", since_d, until_d)
    grouped = _grouped(stances)

    context: dict[str, Any] = {
        "title": title or f"stancewatch report: {project.pack.name}",
        "since": since_d.isoformat() if since_d else None,
        "until": until_d.isoformat() if until_d else None,
        "corpus": _corpus(project),
        "review_note": REVIEW_NOTE,
        "max_quotes": MAX_QUOTES,
    }
    context["actors"] = _actor_sections(grouped, positions, actor_names, evidence)
    context["matrix"] = _matrix(grouped, positions, actor_names, evidence)
    pairs = list(focus) or _default_pairs(project, grouped)
    holders = project.holders()
    if rival is not None:
        project.pack.actor(rival)  # raises KeyError listing the known actors
    _analytics(
        context,
        project,
        all_stances,
        pairs=pairs,
        rival=rival,
        holders=holders,
        since=since_d,
        until=until_d,
        positions=positions,
        names=actor_names,
        evidence=evidence,
        embedder=embedder,
    )
    context["claims"] = _claims(project, since_d, until_d, evidence)
    context["narratives"] = _narratives(project, since_d, until_d, evidence)
    context["methods"] = _methods(project)
    context["methods"]["analytics"] = _analytics_module.parameters()
    context["evidence"] = evidence.cited()
    return context


def _analytics(
    context: dict[str, Any],
    project: Project,
    stances: pd.DataFrame,
    *,
    pairs: Sequence[tuple[str, str]],
    rival: str | None,
    holders: dict[str, list[str]],
    since: date | None,
    until: date | None,
    positions: dict[str, dict[str, Any]],
    names: dict[str, str],
    evidence: Evidence,
    embedder: Any,
) -> None:
    """Alignment per pair, ranking, heatmap, over time and echoes into ``context``."""
    if stances.empty:
        stances = pd.DataFrame(columns=["statement_id", "position_id", "label", "actor", "date"])
    window: dict[str, Any] = {"holders": holders, "since": since, "until": until}
    shared: dict[str, Any] = {"positions": positions, "names": names, "evidence": evidence}
    context["alignments"] = [
        _analytics_module.alignment_pair(stances, a, b, **window, **shared) for a, b in pairs
    ]
    known = {a.id for a in project.pack.actors}
    rival = rival or (DEFAULT_RIVAL if DEFAULT_RIVAL in known else (pairs[0][1] if pairs else None))
    context["ranking"] = (
        _analytics_module.ranking(stances, rival, **window, names=names, evidence=evidence)
        if rival
        else None
    )
    clusters: list[_echo.Chain] | None = None
    if embedder is not None:
        unmatched = project.unmatched_statements()
        clusters = []
        if not unmatched.empty:
            vectors = embedder.encode(list(unmatched["content"]))
            clusters = _echo.cluster_chains(unmatched, vectors)
    context["echo"] = _analytics_module.echoes(
        stances, since=since, until=until, pairs=pairs, clusters=clusters, **shared
    )
    specs = {
        "matrix": context["matrix"].pop("spec"),
        "alignment-heatmap": _analytics_module.heatmap_spec(stances, **window, names=names),
        "alignment-over-time": _analytics_module.over_time_spec(context["alignments"]),
        "echo-timeline": context["echo"]["timeline"],
    }
    context["charts"] = {name: spec for name, spec in specs.items() if spec is not None}
    context["svg"] = {name: to_svg(spec) for name, spec in context["charts"].items()}


def _corpus(project: Project) -> dict[str, Any]:
    documents = project.documents()
    statements = project.statements()
    published = (
        sorted(str(d) for d in documents["published"].dropna()) if not documents.empty else []
    )
    outlets: dict[str, int] = {}
    if not documents.empty:
        for outlet in documents["outlet"].dropna():
            outlets[str(outlet)] = outlets.get(str(outlet), 0) + 1
    runs = project.store.runs()
    latest = runs[-1] if runs else {}
    return {
        "documents": len(documents),
        "first": published[0] if published else None,
        "last": published[-1] if published else None,
        "undated": len(documents) - len(published),
        "outlets": sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
        "statements": len(statements),
        "with_actor": int(statements["actor"].notna().sum()) if not statements.empty else 0,
        "pack": project.pack.name,
        "pack_version": project.pack.version,
        "run_pack": latest.get("pack"),
        "run_pack_version": latest.get("pack_version"),
    }


def _side(support: int, oppose: int) -> str:
    return "support" if support > oppose else "oppose" if oppose > support else "mixed"


Grouped = list[tuple[str, str, list[str], list[str]]]


def _grouped(stances: pd.DataFrame) -> Grouped:
    """(actor, position, support statement ids, oppose statement ids), sorted, known actors."""
    cells: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    if stances.empty:
        return []
    columns = ["actor", "position_id", "label", "statement_id"]
    for actor, position, label, statement_id in stances[columns].itertuples(index=False):
        if _clean(actor) is None or label not in _align.SIDES:
            continue
        support, oppose = cells.setdefault((str(actor), str(position)), ([], []))
        (support if label == "support" else oppose).append(str(statement_id))
    return [(a, p, s, o) for (a, p), (s, o) in sorted(cells.items())]


def _position(positions: dict[str, dict[str, Any]], position_id: str) -> dict[str, Any]:
    found = positions.get(position_id) or {}
    return {
        "id": position_id,
        "topic": found.get("topic"),
        "proposition": found.get("proposition") or position_id,
    }


def _actor_sections(
    grouped: Grouped,
    positions: dict[str, dict[str, Any]],
    names: dict[str, str],
    evidence: Evidence,
) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for actor, position_id, support, oppose in grouped:
        section = sections.setdefault(
            actor,
            {
                "id": actor,
                "name": names.get(actor, actor),
                "support": [],
                "oppose": [],
                "mixed": [],
            },
        )
        entry = {
            **_position(positions, position_id),
            "support_count": len(support),
            "oppose_count": len(oppose),
            "support_quotes": evidence.refs(support),
            "oppose_quotes": evidence.refs(oppose),
        }
        section[_side(len(support), len(oppose))].append(entry)
    return sorted(sections.values(), key=lambda s: str(s["name"]).lower())


def _matrix(
    grouped: Grouped,
    positions: dict[str, dict[str, Any]],
    names: dict[str, str],
    evidence: Evidence,
) -> dict[str, Any]:
    position_ids = sorted({g[1] for g in grouped})
    actor_ids = sorted({g[0] for g in grouped}, key=lambda a: str(names.get(a) or a).lower())
    cells = {
        (actor, position): {
            "support": evidence.refs(support),
            "oppose": evidence.refs(oppose),
            "side": _side(len(support), len(oppose)),
        }
        for actor, position, support, oppose in grouped
    }
    rows = [
        {
            "actor": actor,
            "name": names.get(actor, actor),
            "cells": [cells.get((actor, p)) for p in position_ids],
        }
        for actor in actor_ids
    ]
    spec = matrix_spec(
        [
            {
                "actor": names.get(actor, actor),
                "position": position,
                "support": len(support),
                "oppose": len(oppose),
            }
            for actor, position, support, oppose in grouped
        ]
    )
    return {
        "positions": [_position(positions, p) for p in position_ids],
        "rows": rows,
        "spec": spec,
    }


def _is_us(affiliation: object) -> bool:
    return (
        isinstance(affiliation, str)
        and affiliation.replace(".", "").strip().lower() in US_AFFILIATIONS
    )


def _default_pairs(project: Project, grouped: Grouped) -> list[tuple[str, str]]:
    """US-affiliated actors vs Putin when both exist, else the pairs sharing most positions."""
    activity: dict[str, int] = {}
    by_actor: dict[str, set[str]] = {}
    for actor, position, support, oppose in grouped:
        activity[actor] = activity.get(actor, 0) + len(support) + len(oppose)
        by_actor.setdefault(actor, set()).add(position)
    known = {a.id for a in project.pack.actors}
    if DEFAULT_RIVAL in known:
        us = sorted(
            a.id
            for a in project.pack.actors
            if _is_us(a.affiliation) and a.id != DEFAULT_RIVAL and a.id in activity
        )
        if us:
            return [(a, DEFAULT_RIVAL) for a in us]
    top = sorted((a for a in activity if a in known), key=lambda a: (-activity[a], a))[:8]
    scored = [
        (len(by_actor[a] & by_actor[b]), a, b) for i, a in enumerate(top) for b in top[i + 1 :]
    ]
    scored = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1], s[2]))
    return [(a, b) for _, a, b in scored[:MAX_DEFAULT_PAIRS]]


def _narratives(
    project: Project, since: date | None, until: date | None, evidence: Evidence
) -> list[dict[str, Any]]:
    """Statements that repeat a known narrative or bank claim, with the debunk beside them."""
    frame = _window(project.narrative_report(), "date", since, until)
    rows = []
    for row in _records(frame):
        rows.append(
            {
                **row,
                "ref": evidence.ref(row["statement_id"]),
                "debunk_url_safe": safe_url(row.get("debunk_url")),
            }
        )
    return rows


def _claims(
    project: Project, since: date | None, until: date | None, evidence: Evidence
) -> dict[str, Any]:
    frame = project.claims()
    if frame.empty:
        return {"false": [], "other": [], "inconsistent": []}
    documents = project.documents()
    published = dict(zip(documents["id"], documents["published"], strict=True))
    frame = frame.assign(
        date=[
            d if isinstance(d, str) and d else published.get(doc)
            for d, doc in zip(frame["date"], frame["document_id"], strict=True)
        ]
    )
    frame = _window(frame, "date", since, until)
    frame = frame.sort_values(["date", "document_id", "start"], na_position="last", kind="stable")
    false: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for row in _records(frame):
        statement_id = row.get("statement_id")
        claim = {
            **row,
            "ref": evidence.ref(statement_id) if statement_id else None,
            "who": row.get("claimant_name")
            or row.get("claimant")
            or evidence.speaker(statement_id)
            or "unknown",
            "figure": format_figure(
                row.get("fact_value"),
                row.get("fact_value_high"),
                row.get("fact_unit"),
                row.get("fact_currency"),
            ),
            "ratio_text": format_ratio(row.get("ratio")),
            "source_url": safe_url(row.get("fact_url")),
            "document_url_safe": safe_url(row.get("document_url")),
            "verdict": row.get("verdict") or "not checked",
        }
        wrong = FALSE_VERDICTS
        (false if claim["verdict"] in wrong else other).append(claim)
    titles = dict(zip(documents["id"], documents["title"], strict=True))
    urls = dict(zip(documents["id"], documents["url"], strict=True))
    inconsistent = []
    for row in _records(project.inconsistencies()):
        dates = [d for d in (row.get("date_a"), row.get("date_b")) if d]
        if dates and not any(
            (since is None or d >= since.isoformat()) and (until is None or d <= until.isoformat())
            for d in dates
        ):
            continue
        for side in ("a", "b"):
            doc_id = row[f"document_id_{side}"]
            row[f"title_{side}"] = titles.get(doc_id) or doc_id
            row[f"raw_url_{side}"] = urls.get(doc_id)
            row[f"url_{side}"] = safe_url(urls.get(doc_id))
        inconsistent.append(row)
    return {"false": false, "other": other, "inconsistent": inconsistent}


def _methods(project: Project) -> dict[str, Any]:
    runs = project.store.runs()
    latest = runs[-1] if runs else None
    settings = [
        (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in sorted((latest or {}).get("settings", {}).items())
    ]
    query = project.store.query
    return {
        "run": {k: latest.get(k) for k in ("id", "started_at", "finished_at", "documents")}
        if latest
        else None,
        "runs": len(runs),
        "settings": settings,
        "stance_methods": query(
            "SELECT method, coder, count(*) AS n FROM stances GROUP BY method, coder ORDER BY n DESC"
        ),
        "statement_methods": query(
            "SELECT method, count(*) AS n FROM statements GROUP BY method ORDER BY n DESC"
        ),
        "verdict_methods": query(
            "SELECT method, count(*) AS n FROM verdicts GROUP BY method ORDER BY n DESC"
        ),
    }


# -- rendering ------------------------------------------------------------------------------
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("stancewatch", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ratio"] = format_ratio
    return env


def _statistic(value: float | None, digits: int = 2) -> str:
    """A kappa, pi or p-value for people: ``0.25``, ``−0.33``, or ``undefined``."""
    if value is None:
        return "undefined"
    return f"{value:.{digits}f}".replace("-", "−")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_html(context: dict[str, Any]) -> str:
    """The HTML page for a context from :func:`build_context`."""
    env = _environment()
    env.filters["stat"] = _statistic
    env.filters["percent"] = _percent
    return env.get_template(TEMPLATE).render(**context)


def render_markdown(context: dict[str, Any]) -> str:
    """The Markdown summary for a context from :func:`build_context`."""
    env = Environment(
        loader=PackageLoader("stancewatch", "templates"),
        autoescape=False,  # Markdown: values go through the ``md`` filter instead
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["stat"] = _statistic
    env.filters["percent"] = _percent
    env.globals["md_link"] = md_link
    return env.get_template("summary.md.j2").render(**context)


def chart_files(context: dict[str, Any], scale: float = 2.0) -> dict[str, bytes]:
    """Every chart of a context as ``NAME.svg`` and ``NAME.png`` bytes, for papers."""
    files: dict[str, bytes] = {}
    for name, spec in context.get("charts", {}).items():
        files[f"{name}.svg"] = context["svg"][name].encode("utf-8")
        files[f"{name}.png"] = to_png(spec, scale=scale)
    return files


def render_report(
    project: Project,
    *,
    title: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    focus: Sequence[tuple[str, str]] = (),
    rival: str | None = None,
) -> str:
    """One self-contained HTML page: corpus, positions per actor, matrix, alignment, echoes,
    claims, methods and the evidence every number links to. Works offline; writes no file."""
    context = build_context(
        project, title=title, since=since, until=until, focus=focus, rival=rival
    )
    return render_html(context)


def render_summary_markdown(
    project: Project,
    *,
    title: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    focus: Sequence[tuple[str, str]] = (),
    rival: str | None = None,
) -> str:
    """A Markdown summary for an article: headline figures, false claims with the sourced
    figures, alignment lines, each with a reference to its evidence. Writes no file."""
    context = build_context(
        project, title=title, since=since, until=until, focus=focus, rival=rival
    )
    return render_markdown(context)
