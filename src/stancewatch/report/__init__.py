"""The HTML report and the Markdown summary, with their sections, charts and templates."""

from stancewatch.registry import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "build_context": "build",
        "render_html": "build",
        "render_markdown": "build",
        "chart_files": "build",
    },
)
