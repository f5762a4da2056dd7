"""Bulk work (sync packages, ledger imports) runs with fewer passes of Python's cyclic garbage collector.

A package of 100,000 changes or a ledger of 100,000 rows allocates millions of short-lived dicts that reference
counting frees; with the default first-generation threshold (700) the collector ran thousands of times over the
whole heap: 25.7 s of 126 s of a 20,000-change export and import in bench/sync.py (1.6 s after, peak memory
unchanged), and ~1,700 full passes, 100–200 µs of CPU a row, in a 10,000-row 双公示 import. One switch for every
caller, so that an import and a package running at once (worker threads) restore the threshold right. In the
window the collector itself runs on the GUI thread (ui/gui_gc.py); it follows the threshold set here."""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")
RAISED_THRESHOLD = 100_000
_lock = threading.Lock()
_users = 0
_saved: tuple[int, ...] = gc.get_threshold()


def fewer_gc_passes(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run fn with the collector's first generation raised to RAISED_THRESHOLD allocations (restored after)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        global _users, _saved
        with _lock:  # the first caller raises, the last restores
            if _users == 0:
                _saved = gc.get_threshold()
                gc.set_threshold(max(_saved[0], RAISED_THRESHOLD), *_saved[1:])
            _users += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with _lock:
                _users -= 1
                if _users == 0:
                    gc.set_threshold(*_saved)

    return wrapper
