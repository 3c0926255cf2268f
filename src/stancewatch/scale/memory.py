"""Keeping a long run's memory flat: the C allocator's settings for a process that analyses
shard after shard.

With its default settings glibc's ``malloc`` raises its mmap threshold each time a large
block (a batch's embeddings, a parse's arrays) is freed, so later large blocks come from the
heap, where freed memory is fragmented and kept. A run's resident memory then creeps up shard
after shard although nothing is alive. :func:`tune_allocator` fixes the thresholds (large
blocks are mapped and unmapped on their own; free memory at the top of the heap goes back to
the system), and :func:`release_free_memory` hands back free heap pages between shards.
Both do nothing where the C library is not glibc (macOS, Windows, musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache
from typing import Any

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, kept from growing
TRIM_THRESHOLD = 128 * 1024


@lru_cache(maxsize=1)
def _glibc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
        libc.mallopt  # noqa: B018
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def tune_allocator() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; False where that cannot be done."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def release_free_memory() -> bool:
    """Give free heap pages back to the system (glibc's ``malloc_trim``); False elsewhere."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def resident_mb() -> float | None:
    """This process's resident memory in MB, from /proc (None where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
