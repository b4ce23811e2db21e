"""Memory a long-running process gives back (issue 15: a server grew from 547 MB to ~2 GB
after ~700 passages ingested over HTTP, and stayed there).

Embedding a batch allocates tensors of tens to hundreds of MB and frees them. glibc serves
big allocations with mmap and returns them on free, but raises that threshold to the size
of each freed block (up to 32 MB), after which blocks that size come from per-thread
arenas and stay there; every thread that embeds (the server's worker threads) gets an
arena of its own. So the threshold is fixed at 256 KB (nothing larger is kept), the
arenas are limited to two, MKL's per-thread buffer cache is turned off, and oneDNN (the
bf16 kernels, where the CPU has native bf16) keeps 16 compiled kernels rather than 1,024:
batches come in many shapes, and each cached kernel keeps memory of its own.
docs/scaling.md and docs/reliability.md have the measurements. Linux with glibc only;
elsewhere a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024
ARENAS = 2
ONEDNN_KERNELS = 16


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        libc.mallopt  # noqa: B018 - musl and others lack it
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def tune() -> None:
    """Call first thing in a process that will live long and embed (before torch loads)."""
    os.environ.setdefault("MKL_DISABLE_FAST_MM", "1")
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_KERNELS))
    libc = _glibc()
    if libc is None:
        return
    for option, value, variable in (
        (_M_ARENA_MAX, ARENAS, "MALLOC_ARENA_MAX"),
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_"),
    ):
        if variable in os.environ:  # the operator's own choice
            continue
        if not libc.mallopt(option, value):
            log.warning("mallopt(%d, %d) was refused", option, value)


def release() -> None:
    """Return freed memory the allocator still holds to the system (after a big job)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
