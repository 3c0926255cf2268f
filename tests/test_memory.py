"""Allocator settings for long runs (stancewatch.scale.memory), in a fresh process each."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stancewatch.scale.memory import release_free_memory, resident_mb, tune_allocator

GLIBC = sys.platform.startswith("linux")

# Fill the heap with 1 kB blocks, free all but every 64th (so the heap cannot shrink from its
# top), and report resident MB before and after handing free pages back.
FRAGMENTED = """
import sys
from stancewatch.scale.memory import release_free_memory, resident_mb, tune_allocator
tune_allocator()
blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(200_000)]
kept = blocks[::64]
del blocks
before = resident_mb()
assert release_free_memory()
print(before, resident_mb())
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_release_free_memory_hands_back_a_fragmented_heap():
    run = subprocess.run(
        [sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, check=True
    )
    before, after = (float(x) for x in run.stdout.split())
    assert before - after > 100, (before, after)  # about 190 MB of the 200 MB were free


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
def test_tune_allocator_and_resident_memory_here():
    assert tune_allocator() is True
    assert release_free_memory() is True
    rss = resident_mb()
    assert rss is not None and rss > 10
