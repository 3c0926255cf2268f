"""Scale: throughput and peak memory of `stancewatch run` by corpus size, and Ray speed-up.

Usage:
    .venv/bin/python bench/scale.py [--sizes 1000,10000,100000] [--scaling-size 1000]
                                    [--mix articles=0.05,comments=0.35,tweets=0.60]

Generates corpora from the real texts in ../shared/data (PolNeAR news articles, VAST news
comments, RUW tweets; research-only, read but never copied into the repository), repeated
with variation (sentences rotated, two short neutral tags appended) so that every text is
distinct, as JSON Lines files of 1,000 documents in a temporary folder that is deleted
afterwards. For each size it runs the local engine (`stancewatch run --engine local`) in a
child process and measures wall time and the peak memory of the process tree: the sum of
its processes' proportional set sizes (PSS), sampled from /proc every 0.2 s, so that the
processes forked to parse a batch count what they add, not the pages they share. On the scaling size it also runs the Ray engine with 1
and 2 workers, beside the local engine, in the same run. Model loading is inside the timed
runs (each run is a fresh process); rates are documents/s and statements/s over the run.
Writes the table to docs/benchmarks.md (section `scale`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import update_section  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
KINDS = ("articles", "comments", "tweets")
TAGS = (
    "Reported by staff.", "Updated later.", "More to follow.", "Read more below.",
    "Shared widely.", "From the archive.", "Posted online.", "Seen by many.",
    "Discussed at length.", "Noted by readers.", "Via the wire.", "As published.",
    "First reported here.", "Filed overnight.", "Edited for length.", "Lightly edited.",
    "Translated.", "Excerpted.", "Summarised.", "Republished.", "Quoted in full.",
    "See also earlier coverage.", "Originally posted elsewhere.", "Reposted.", "Archived.",
)  # fmt: skip
STAMP = re.compile(r"\s+")


def base_texts() -> dict[str, list[str]]:
    """The real texts each kind of document is made from."""
    missing = [p for p in ("polnear", "vast", "ruw") if not (DATA / p).exists()]
    if missing:
        sys.exit(f"{DATA}: {', '.join(missing)} not present; the scale bench needs them")
    articles = [
        p.read_text("utf-8")
        for split in ("train", "dev")
        for p in sorted((DATA / "polnear" / split / "text").glob("*.txt"))
    ]
    csv.field_size_limit(10_000_000)
    comments = [
        row["Tweet"]
        for name in ("vast_dev.csv", "vast_train_subset10.csv")
        for row in csv.DictReader((DATA / "vast" / name).open(encoding="utf-8"))
    ]
    tweets = [
        row["Tweet"] for name in ("ruw_train.csv", "ruw_val.csv")
        for row in csv.DictReader((DATA / "ruw" / name).open(encoding="utf-8"))
    ]  # fmt: skip
    return {
        "articles": [t for t in articles if t.strip()],
        "comments": sorted({t for t in comments if t.strip()}),
        "tweets": sorted({t for t in tweets if t.strip()}),
    }


def variant(text: str, number: int) -> str:
    """The ``number``-th variation of a text: sentences rotated, two tags appended."""
    paragraphs = text.strip().split("\n\n")
    rotation = (number // (len(TAGS) ** 2)) % max(1, len(paragraphs))
    paragraphs = paragraphs[rotation:] + paragraphs[:rotation]
    first, second = TAGS[number % len(TAGS)], TAGS[(number // len(TAGS)) % len(TAGS)]
    return "\n\n".join(paragraphs) + f"\n\n{first} {second}"


def generate(folder: Path, size: int, mix: dict[str, float], seed: int = 7) -> dict[str, int]:
    """A corpus of ``size`` documents mixed as ``mix``, as JSONL files of 1,000 documents."""
    texts = base_texts()
    rng = random.Random(seed)
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=size)
    counts = dict.fromkeys(mix, 0)
    seen: dict[str, int] = {kind: 0 for kind in mix}
    folder.mkdir(parents=True, exist_ok=True)
    handle = None
    for index, kind in enumerate(kinds):
        if index % 1000 == 0:
            if handle is not None:
                handle.close()
            handle = (folder / f"part-{index // 1000:05d}.jsonl").open("w", encoding="utf-8")
        pool = texts[kind]
        number = seen[kind]
        seen[kind] += 1
        text = variant(pool[number % len(pool)], number // len(pool))
        assert handle is not None
        handle.write(json.dumps({"text": text, "kind": kind}, ensure_ascii=False) + "\n")
        counts[kind] += 1
    if handle is not None:
        handle.close()
    return counts


def _tree_rss(root: int) -> int:
    """Memory of ``root`` and all its descendants, in bytes: the sum of their proportional
    set sizes (PSS: each page shared by n processes counts 1/n in each), so that processes
    forked to parse a batch, which share the parent's pages, are not counted as copies of
    it. Where /proc has no smaps_rollup, resident set sizes are summed instead."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        total += _memory(pid)
    return total


def _memory(pid: int) -> int:
    """The PSS of ``pid`` in bytes (its RSS where the kernel gives no smaps_rollup)."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            lines = Path(f"/proc/{pid}/{name}").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def measure(args: list[str]) -> tuple[float, int, str]:
    """Run the CLI; (seconds, peak PSS of its process tree, its last output line)."""
    cli = str(Path(sys.executable).with_name("stancewatch"))
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [cli, "run", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        sys.exit(f"stancewatch run {' '.join(args)} failed:\n{output[-3000:]}")
    return seconds, peak, output.strip().splitlines()[-1]


def steady_rate(output: Path) -> float | None:
    """Documents/s once running: the documents of every shard but the first finished, over
    the time from the first shard's marker to the last (start-up and model loading left out)."""
    markers = sorted((p.stat().st_mtime, p) for p in (output / "_shards").glob("*.json"))
    if len(markers) < 2:
        return None
    documents = sum(json.loads(p.read_text())["rows"]["documents"] for _, p in markers[1:])
    return documents / (markers[-1][0] - markers[0][0])


def statements(summary: str) -> int:
    found = re.search(r"(\d+) statements", summary)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--scaling-size", type=int, default=1000)
    parser.add_argument("--mix", default="articles=0.02,comments=0.28,tweets=0.70")
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--no-ray", action="store_true", help="Skip the Ray runs.")
    parser.add_argument("--section", default="scale", help="Section of docs/benchmarks.md.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    if set(mix) - set(KINDS):
        sys.exit(f"--mix kinds must be among {', '.join(KINDS)}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="stancewatch-scale-") as tmp:
        runs: list[tuple[int, str, int]] = [(size, "local", 1) for size in sizes]
        if not args.no_ray:
            runs += [(args.scaling_size, "ray", 1), (args.scaling_size, "ray", 2)]
        corpora: dict[int, dict[str, int]] = {}
        for size, engine, workers in runs:
            corpus = Path(tmp) / f"corpus-{size}"
            if size not in corpora:
                corpora[size] = generate(corpus, size, mix)
            out = Path(tmp) / f"out-{size}-{engine}-{workers}"
            run_args = [
                str(corpus),
                str(out),
                "--engine",
                engine,
                "--shard-size",
                str(args.shard_size),
            ]
            if engine == "ray":
                run_args += ["--workers", str(workers), "--num-cpus", str(max(2, workers))]
            else:
                run_args += ["--threads", "1"]  # as each Ray worker; see docs/scaling.md
            seconds, peak, summary = measure(run_args)
            found = statements(summary)
            steady = steady_rate(out)
            row = {
                "size": size, "engine": engine, "workers": workers, "seconds": seconds,
                "docs_s": size / seconds, "statements": found, "statements_s": found / seconds,
                "peak_mb": peak / 2**20, "steady_docs_s": steady,
            }  # fmt: skip
            rows.append(row)
            print(json.dumps(row), flush=True)
    publish(rows, mix, args)


def publish(rows: list[dict], mix: dict[str, float], args: argparse.Namespace) -> None:
    mix_text = ", ".join(f"{kind} {share:.0%}" for kind, share in mix.items())
    lines = [
        f"## Scale: streaming runs and the Ray engine (`bench/scale.py`, {args.section})",
        "",
        f"`.venv/bin/python bench/scale.py --sizes {args.sizes} --scaling-size "
        f"{args.scaling_size} --mix {args.mix} --shard-size {args.shard_size}"
        + (" --no-ray" if args.no_ray else "")
        + (f" --section {args.section}`" if args.section != "scale" else "`"),
        "",
        f"Generated corpora: {mix_text} (PolNeAR articles, VAST comments, RUW tweets, repeated "
        f"with variation); shards of {args.shard_size}. Each run is a fresh `stancewatch run` "
        "process, model loading included; the local engine and each Ray worker use one torch "
        "thread. Peak memory is the proportional set size (PSS) of the whole process tree "
        "(parse processes; Ray: driver, raylet, GCS and workers): shared pages count once.",
        "",
        "| Documents | Engine | Workers | Seconds | Documents/s | Statements | Statements/s | "
        "Documents/s once running | Peak PSS (MB) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['engine']} | {r['workers']} | {r['seconds']:.0f} | "
            f"{r['docs_s']:.1f} | {r['statements']:,} | {r['statements_s']:.1f} | "
            f"{_number(r['steady_docs_s'])} | {r['peak_mb']:.0f} |"
        )
    local = {r["size"]: r for r in rows if r["engine"] == "local"}
    ray = {r["workers"]: r for r in rows if r["engine"] == "ray"}
    lines.append("")
    if len(local) >= 2:
        small, big = sorted(local)[-2:]
        growth = local[big]["peak_mb"] / local[small]["peak_mb"] - 1
        lines.append(
            f"Peak memory at {big:,} documents is {growth:+.1%} of that at {small:,} (local engine)."
        )
    if 1 in ray and 2 in ray:
        base = local.get(args.scaling_size)
        speedup = ray[1]["seconds"] / ray[2]["seconds"]
        text = (
            f"Ray speed-up from 1 to 2 workers at {args.scaling_size:,} documents: "
            f"{speedup:.2f}× in wall time"
        )
        if ray[1]["steady_docs_s"] and ray[2]["steady_docs_s"]:
            text += f", {ray[2]['steady_docs_s'] / ray[1]['steady_docs_s']:.2f}× once running"
        if base is not None:
            text += (
                "; Ray with 2 workers against the local engine: "
                f"{base['seconds'] / ray[2]['seconds']:.2f}× in wall time"
            )
        lines.append(text + ".")
    update_section(args.section, "\n".join(lines))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
