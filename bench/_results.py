"""Write benchmark results into docs/benchmarks.md, one section per benchmark.

Each benchmark replaces its own section (between HTML comment markers) and leaves the others
as they are, so the file always shows the latest numbers of every benchmark with the command
that produced them.
"""

from __future__ import annotations

import os
import platform
import re
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Speed and accuracy, measured by the scripts in `bench/`. Each section names the command that
reproduces it, the data it ran on and the machine. Accuracy is measured on public datasets
nobody on the project wrote (see `../shared/data/*/SOURCE.md`); their texts are research-only
and are not in this repository. Choices were made on train and dev splits only.
"""


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def update_section(name: str, body: str) -> None:
    """Replace (or append) the section called ``name`` in docs/benchmarks.md."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = (
        f"{start}\n{body.strip()}\n\n_Measured {date.today().isoformat()} on {machine()}._\n{end}"
    )
    text = BENCHMARKS.read_text("utf-8") if BENCHMARKS.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    BENCHMARKS.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS.write_text(text, "utf-8")
