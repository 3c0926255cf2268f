"""The bundled demo corpus: short summaries written for the project from the public record
of January–March 2025 (see the corpus README)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_corpus_path() -> Path:
    """The folder holding the demo documents (Markdown with front matter)."""
    return Path(str(resources.files("stancewatch") / "demo_corpus"))
