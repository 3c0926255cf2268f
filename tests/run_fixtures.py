"""A small corpus and helpers shared by the runner and Ray engine tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from stancewatch.scale import parquet as parquet_store

# Short texts written for these tests: attributed statements, a stance, a numeric claim.
TEXTS = (
    'Donald Trump said on Tuesday that "Ukraine will never join NATO."',
    "President Zelensky said his approval rating was 90 percent in February 2025.",
    '"We will not accept any deal without Ukraine at the table," Emmanuel Macron told '
    "reporters in Paris.",
    "Vladimir Putin said Russia would keep fighting until its goals were met.",
    "Keir Starmer said Britain was ready to put troops on the ground to keep a peace deal.",
    "Kremlin spokesman Dmitry Peskov said the talks in Riyadh had been useful.",
    "The weather in Kyiv was cold and grey all week.",
)

# Rows of each table that identify it, and the columns compared (timestamps left out).
KEYS = {
    "documents": ["id"],
    "statements": ["id"],
    "stances": ["statement_id", "position_id", "coder"],
    "claims": ["id"],
    "verdicts": ["claim_id", "method"],
}
STAMPS = {"ingested_at", "coded_at", "checked_at"}
CLI = [str(Path(sys.executable).with_name("stancewatch"))]


def write_corpus(folder: Path, copies: int = 1) -> Path:
    """A JSONL corpus of :data:`TEXTS` (``copies`` times, varied), plus one duplicate text and
    one row with no text."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.jsonl"
    rows = []
    for copy in range(copies):
        suffix = "" if copy == 0 else f" (Report {copy}.)"
        rows += [{"text": text + suffix, "outlet": "Test Wire"} for text in TEXTS]
    rows.append({"text": TEXTS[0]})  # the same text again: analysed once
    rows.append({"text": ""})  # a problem: no text
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def table(output: Path, name: str) -> pd.DataFrame:
    """One output table, timestamps dropped, sorted by its key, for comparing runs."""
    frame = parquet_store.read_table(output, name)
    frame = frame[[c for c in frame.columns if c not in STAMPS]]
    return frame.sort_values(KEYS[name]).reset_index(drop=True)


def duplicates(output: Path) -> dict[str, int]:
    """How many rows repeat a key, per table (all zero when nothing was written twice)."""
    return {
        name: int(parquet_store.read_table(output, name).duplicated(keys).sum())
        for name, keys in KEYS.items()
    }


def kill_midway(args: list[str], output: Path, timeout: float = 240) -> int:
    """Start ``stancewatch run ARGS`` and SIGKILL it (and its process group) once the first
    shard is finished; returns how many shards were done when it was killed."""
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    process = subprocess.Popen(
        [*CLI, "run", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if parquet_store.finished_shards(output):
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return len(parquet_store.finished_shards(output))
