"""Check scale: time of `stancewatch check` (claim extraction and verdicts) by number of figures.

Usage:
    .venv/bin/python bench/check_scale.py [--sizes 1000,10000,100000] [--no-write]

Builds one text per size from a few sentence templates, each naming one figure (a percent,
an amount of money, a count, a percent with a period), varied by a seeded random number, and
checks it against the bundled pack without models (word windows and keyword overlap, as
`stancewatch check --no-models`), in this process, timing `stancewatch.pipeline.check_text`.
Reports seconds, figures per second and the time relative to the smallest size: linear work
keeps figures/s flat. Writes the table to docs/benchmarks.md (section `check-scale`).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

TEMPLATES = (
    "Zelensky has a {v}% approval rating.",
    "The United States gave ${v} billion in aid to Ukraine.",
    "About {v},000 soldiers were killed.",
    "Inflation in Russia reached {v}% in April 2020.",
)


def text_with(figures: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(
        TEMPLATES[i % len(TEMPLATES)].format(v=rng.randint(2, 90)) for i in range(figures)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    args = parser.parse_args()
    from stancewatch.packs import load_pack
    from stancewatch.pipeline import check_text

    pack = load_pack(None)
    check_text(text_with(50), pack)  # load the lexicons before timing
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        text = text_with(size)
        started = time.perf_counter()
        results = check_text(text, pack)
        seconds = time.perf_counter() - started
        rows.append({"figures": size, "claims": len(results), "seconds": seconds})
        print(f"{size:>7} figures: {len(results):>7} claims in {seconds:7.2f} s", flush=True)
    base = rows[0]["seconds"]
    lines = [
        "## Check scale",
        "",
        "`stancewatch check --no-models` (claim extraction and verdicts) on one text with N "
        "figures, built from four sentence templates. Linear work keeps figures/s flat; the "
        "last column is the time relative to the smallest text.",
        "",
        "| Figures | Claims | Seconds | Figures/s | × smallest |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['figures']:,} | {row['claims']:,} | {row['seconds']:.2f} | "
            f"{row['figures'] / row['seconds']:,.0f} | {row['seconds'] / base:.1f} |"
        )
    lines += [
        "",
        f"Load average of the machine (1 min) at the end: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores.",
    ]
    lines += ["", f"Command: `.venv/bin/python bench/check_scale.py --sizes {args.sizes}`"]
    print("\n".join(lines))
    if not args.no_write:
        update_section("check-scale", "\n".join(lines))


if __name__ == "__main__":
    main()
