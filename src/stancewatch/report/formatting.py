"""Text helpers for the report and the summary: safe links, anchors, figures, Markdown, charts.

Pure functions with no I/O. Everything that came from an article (a URL, a title, a quote)
goes through :func:`safe_url` before it becomes a link, and through :func:`md_escape` before
it goes into Markdown; the HTML template escapes the rest (Jinja2 autoescape).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from stancewatch.report.charts import matrix_spec, to_svg


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL, else ``None`` (render it as text)."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def anchor(statement_id: str) -> str:
    """The HTML id of a statement's evidence entry: ``st-<statement_id>``.

    Characters outside ``[A-Za-z0-9_-]`` (never in stancewatch's own ids) are hex-escaped so
    the id stays valid in an attribute and in a ``#fragment``.
    """
    return "st-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group()):x}_", statement_id)


_QUOTE_PAIRS = {'"': '"', "“": "”", "‘": "’", "'": "'", "«": "»", "„": "“"}


def unquote(text: str) -> str:
    """The text without one pair of enclosing quotation marks (display only).

    ``'"We will not trade our land," Zelensky'`` is left alone: the marks must enclose it all.
    """
    stripped = text.strip()
    if len(stripped) >= 2 and _QUOTE_PAIRS.get(stripped[0]) == stripped[-1]:
        inner = stripped[1:-1]
        if not any(mark in inner for mark in (stripped[0], stripped[-1])):
            return inner.strip()
    return stripped


def _number(value: float) -> str:
    """57 → '57', 2.5e6 → '2.5 million', 1234 → '1,234', 0.125 → '0.125'."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:.3g} {word}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) >= 1 else f"{value:.3g}"


def _missing(value: float | None) -> bool:
    """None, or the NaN pandas uses for a missing number."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_figure(
    value: float | None,
    value_high: float | None = None,
    unit: str | None = None,
    currency: str | None = None,
) -> str:
    """A sourced figure for people: ``57%``, ``USD 114 billion``, ``3–5 percentage points``."""
    if _missing(value):
        return ""
    assert value is not None
    text = _number(value)
    if not _missing(value_high) and value_high != value:
        assert value_high is not None
        text += "–" + _number(value_high)
    if unit == "percent":
        return text + "%"
    if unit == "percentage_point":
        return text + " percentage points"
    if unit == "multiple":
        return text + "×"
    if unit == "money":
        return f"{currency or ''} {text}".strip()
    return text


def format_ratio(ratio: float | None) -> str:
    if ratio is None or not math.isfinite(ratio):
        return ""
    return f"{ratio:,.0f}" if abs(ratio) >= 100 else f"{ratio:.3g}"


def matrix_chart_svg(cells: Sequence[dict[str, Any]]) -> str | None:
    """The actors × positions heatmap as inline SVG (None when there is nothing to draw);
    see :func:`stancewatch.report.charts.matrix_spec`."""
    spec = matrix_spec(cells)
    return None if spec is None else to_svg(spec)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: object) -> str:
    """Text safe to paste into Markdown: one line, Markdown and HTML characters escaped."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_link(title: object, url: object) -> str:
    """``[title](url)`` for http(s) URLs; the escaped title alone for anything else."""
    label = md_escape(title) or "untitled document"
    safe = safe_url(url)
    if safe is None:
        return label
    for char, code in (("(", "%28"), (")", "%29"), (" ", "%20"), ("<", "%3C"), (">", "%3E")):
        safe = safe.replace(char, code)
    return f"[{label}]({safe})"
