"""The report's charts as Vega-Lite specs (Altair), rendered to SVG or PNG by vl-convert.

Each ``*_spec`` function takes plain rows and returns a Vega-Lite dict, or ``None`` when there
is nothing to draw; :func:`to_svg` renders one for inline use in the HTML report (no
JavaScript, no network) and :func:`to_png` for papers. Pure: no files are written here.
Charts carry no links (vl-convert would resolve a relative ``href`` against a web address);
the tables beside them link every number to its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert

Spec = dict[str, Any]
SUPPORT, OPPOSE, NEUTRAL = "#1a7f37", "#b42318", "#f2f2f2"


def to_svg(spec: Spec) -> str:
    """The chart as a standalone ``<svg>`` element."""
    return str(vl_convert.vegalite_to_svg(spec))


def to_png(spec: Spec, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (``scale`` 2 gives print resolution for most journals)."""
    return bytes(vl_convert.vegalite_to_png(spec, scale=scale))


def matrix_spec(cells: Sequence[dict[str, Any]]) -> Spec | None:
    """Actors × positions heatmap: ``cells`` have ``actor``, ``position``, ``support``,
    ``oppose``. Colour is the net side; every cell is labelled with both counts."""
    if not cells:
        return None
    values = [
        {**c, "net": c["support"] - c["oppose"], "label": f"+{c['support']} / −{c['oppose']}"}
        for c in cells
    ]
    limit = max(1, max(abs(v["net"]) for v in values))
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("position:N", title="Position", axis=alt.Axis(labelAngle=-40, labelLimit=220)),
        y=alt.Y("actor:N", title=None, axis=alt.Axis(labelLimit=220)),
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "net:Q",
            title="support − oppose",
            scale=alt.Scale(domain=[-limit, limit], range=[OPPOSE, NEUTRAL, SUPPORT]),
        )
    )
    text = base.mark_text(fontSize=11).encode(text="label:N")
    n_positions = len({v["position"] for v in values})
    n_actors = len({v["actor"] for v in values})
    chart = (heat + text).properties(
        width=min(900, 70 * n_positions), height=min(1200, 26 * n_actors)
    )
    return chart.to_dict()


def alignment_heatmap_spec(cells: Sequence[dict[str, Any]]) -> Spec | None:
    """Actor × actor agreement: ``cells`` have ``a``, ``b``, ``pi`` (or None), ``agree``,
    ``shared``. Colour is Scott's pi; the label gives pi and agree / shared, or ``n/a``."""
    cells = [c for c in cells if c["shared"]]
    if not cells:
        return None
    values = [
        {
            **c,
            "label": (
                f"{c['pi']:.2f} ({c['agree']}/{c['shared']})"
                if c["pi"] is not None
                else f"n/a ({c['agree']}/{c['shared']})"
            ),
        }
        for c in cells
    ]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("b:N", title="compared with", axis=alt.Axis(labelAngle=-40, labelLimit=200)),
        y=alt.Y("a:N", title=None, axis=alt.Axis(labelLimit=200)),
    )
    heat = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "pi:Q",
            title="Scott's pi",
            scale=alt.Scale(domain=[-1, 1], range=[OPPOSE, NEUTRAL, SUPPORT]),
        )
    )
    text = base.mark_text(fontSize=10).encode(text="label:N")
    n = len({v["a"] for v in values} | {v["b"] for v in values})
    return (heat + text).properties(width=min(900, 78 * n), height=min(900, 26 * n)).to_dict()


def over_time_spec(points: Sequence[dict[str, Any]]) -> Spec | None:
    """Share of A's statements taking B's side per period: ``points`` have ``pair``,
    ``period`` (a label such as ``2025-02``, sorting in time order), ``share`` (0–1) and
    ``statements`` (the denominator)."""
    points = [p for p in points if p["statements"]]
    if not points:
        return None
    base = alt.Chart(alt.Data(values=list(points))).encode(
        x=alt.X("period:O", title="Month", sort="ascending", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "share:Q",
            title="Share of statements taking B's side",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        color=alt.Color("pair:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
    )
    line = base.mark_line()
    dots = base.mark_circle(opacity=0.9).encode(
        size=alt.Size("statements:Q", title="statements", scale=alt.Scale(range=[40, 400]))
    )
    n = len({p["period"] for p in points})
    return (line + dots).properties(width=max(240, min(720, 90 * n)), height=260).to_dict()


def cumulative_spec(points: Sequence[dict[str, Any]]) -> Spec | None:
    """Cumulative matches over time, one step line per actor: ``points`` have ``actor``,
    ``date`` (ISO) and ``matches`` (the running total of events on the reference actor's
    side up to that date)."""
    if not points:
        return None
    base = alt.Chart(alt.Data(values=list(points))).encode(
        x=alt.X("date:T", title="Date", axis=alt.Axis(format="%d %b %Y", labelAngle=0)),
        y=alt.Y("matches:Q", title="Matches (events), cumulative", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("actor:N", title=None, legend=alt.Legend(orient="bottom", columns=3)),
    )
    line = base.mark_line(interpolate="step-after")
    dots = base.mark_circle(size=50, opacity=0.9)
    return (line + dots).properties(width=640, height=260).to_dict()


def echo_timeline_spec(links: Sequence[dict[str, Any]]) -> Spec | None:
    """Echo chains on a time line: ``links`` have ``chain`` (a label), ``actor``, ``date``
    (ISO), ``origin`` (ISO date of the chain's first voice) and ``first``. One row per
    chain and actor, a bar from the first voice to the actor's first statement; first
    voices are squares, repeats circles."""
    if not links:
        return None
    values = [
        {
            **link,
            "row": f"{link['chain']} · {link['actor']}",
            "role": "first" if link["first"] else "repeated",
        }
        for link in links
    ]
    order = [v["row"] for v in values]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
    )
    bar = base.mark_rule(color="#8c959f").encode(
        x=alt.X("origin:T", title="First statement", axis=alt.Axis(format="%d %b %Y")),
        x2="date:T",
    )
    dots = base.mark_point(filled=True, size=80).encode(
        x="date:T",
        shape=alt.Shape(
            "role:N",
            title=None,
            scale=alt.Scale(domain=["first", "repeated"], range=["square", "circle"]),
        ),
        color=alt.Color(
            "role:N",
            title=None,
            scale=alt.Scale(domain=["first", "repeated"], range=["#0550ae", "#8250df"]),
        ),
    )
    return (bar + dots).properties(width=560, height=min(2400, 16 * len(values))).to_dict()
