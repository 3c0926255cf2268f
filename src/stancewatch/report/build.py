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

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from stancewatch.analytics import echo as _echo
from stancewatch.records import as_date
from stancewatch.report import analytics as _analytics_module
from stancewatch.report.charts import to_png, to_svg
from stancewatch.report.formatting import (
    format_ratio,
    md_escape,
    md_link,
)
from stancewatch.report.sections import (
    DEFAULT_RIVAL,
    MAX_QUOTES,
    Evidence,
    actor_sections,
    claims_section,
    corpus_section,
    default_pairs,
    frame_records,
    group_stances,
    in_window,
    matrix_section,
    methods_section,
    narratives_section,
)

if TYPE_CHECKING:
    from stancewatch.api import Project

TEMPLATE = "report.html.j2"
REVIEW_NOTE = (
    "Stances come from an automatic first-pass method and should be reviewed by a person "
    "before publication; statements whose speaker could not be linked to a known actor are "
    "left out of every per-actor figure."
)


# -- frames ---------------------------------------------------------------------------------
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
    since_d, until_d = as_date(since), as_date(until)
    for pair in focus:
        for actor_id in pair:
            project.pack.actor(actor_id)  # raises KeyError listing the known actors
    actor_names = {a.id: a.name for a in project.pack.actors}
    actors_frame = project.actors()
    if not actors_frame.empty:
        actor_names.update(dict(zip(actors_frame["id"], actors_frame["name"], strict=True)))
    positions = {p["id"]: p for p in frame_records(project.positions())}
    for p in project.pack.positions:
        positions.setdefault(p.id, {"id": p.id, "topic": p.topic, "proposition": p.proposition})

    evidence = Evidence(project.statements(), project.actions())
    all_stances = project.stances(include_neutral=False)
    stances = in_window(all_stances, "date", since_d, until_d)
    grouped = group_stances(stances)

    context: dict[str, Any] = {
        "title": title or f"stancewatch report: {project.pack.name}",
        "since": since_d.isoformat() if since_d else None,
        "until": until_d.isoformat() if until_d else None,
        "corpus": corpus_section(project),
        "review_note": REVIEW_NOTE,
        "max_quotes": MAX_QUOTES,
    }
    context["actors"] = actor_sections(grouped, positions, actor_names, evidence)
    context["matrix"] = matrix_section(grouped, positions, actor_names, evidence)
    pairs = list(focus) or default_pairs(project, grouped)
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
    context["claims"] = claims_section(project, since_d, until_d, evidence)
    context["narratives"] = narratives_section(project, since_d, until_d, evidence)
    context["methods"] = methods_section(project)
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
    compared = [
        _analytics_module.alignment_pair(stances, a, b, **window, **shared) for a, b in pairs
    ]

    # A pair with no position in common and no statement on the other's positions has no
    # figure to give: it is named once, apart, never printed as "0 of 0".
    def comparable(al: dict[str, Any]) -> bool:
        return bool(al["shared"] or al["statement_rate"] or al["count"]["matches"])

    context["alignments"] = [al for al in compared if comparable(al)]
    context["alignments_apart"] = [al for al in compared if not comparable(al)]
    known = {a.id for a in project.pack.actors}
    rival = rival or (DEFAULT_RIVAL if DEFAULT_RIVAL in known else (pairs[0][1] if pairs else None))
    context["ranking"] = (
        _analytics_module.ranking(stances, rival, **window, **shared) if rival else None
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
        "matches-cumulative": _analytics_module.cumulative_spec(context["alignments"]),
        "echo-timeline": context["echo"]["timeline"],
    }
    context["charts"] = {name: spec for name, spec in specs.items() if spec is not None}
    context["svg"] = {name: to_svg(spec) for name, spec in context["charts"].items()}


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("stancewatch.report", "templates"),
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
        loader=PackageLoader("stancewatch.report", "templates"),
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
