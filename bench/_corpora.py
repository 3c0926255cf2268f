"""The corpora the pipeline benchmarks run on: the bundled demo, or PolNeAR dev articles
(../shared/data/polnear/dev/text; research-only, read but never copied)."""

from __future__ import annotations

import sys
from pathlib import Path

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "dev" / "text"
CORPORA = ("demo", "polnear")


def corpus_paths(corpus: str, limit: int | None = None) -> list[Path]:
    """The files of ``corpus`` in name order, the first ``limit`` of them when given; exits
    with a message when PolNeAR is not present."""
    if corpus == "polnear":
        if not POLNEAR.exists():
            sys.exit(f"{POLNEAR} is not present")
        return sorted(POLNEAR.glob("*.txt"))[:limit]
    from stancewatch.packs import demo_corpus_path

    return sorted(demo_corpus_path().glob("*.md"))[:limit]
