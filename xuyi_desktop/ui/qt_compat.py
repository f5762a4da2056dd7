"""Guard against a reference bug in PySide6 6.12.0 on Python < 3.12.

That build hands back `None` from every void Qt method (setText, processEvents, …) and `True` from
`Signal.emit()` without owning a reference: each call takes one reference away from the singleton. On Python 3.12+
these objects are immortal and nothing happens; on 3.11 the count reaches zero after a few thousand calls and the
interpreter aborts ("none_dealloc: deallocating None" / "bool_dealloc"). A counter window open all day would crash.

`protect_singletons()` measures whether the running binding has the bug and, only then, gives None, True and False
the same headroom Python 3.12 gives immortal objects (2**40 references, never used up at any plausible call rate).
The real fix is a binding without the bug or Python 3.12+; this keeps clerks' windows alive meanwhile.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

_PROBES = 64
_HEADROOM = 1 << 40
_protected = False


def binding_steals_references() -> bool:
    """Do void Qt calls lower the reference count of None? (Measured with a few harmless calls.)"""
    if sys.version_info >= (3, 12):
        return False
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before <= -_PROBES // 2


def protect_singletons() -> bool:
    """Make None, True and False effectively immortal if this binding needs it; True if protection is on."""
    global _protected
    if not _protected and binding_steals_references():
        for singleton in (None, True, False):
            # ob_refcnt is the first field of every object in release builds of CPython 3.11 and earlier.
            ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
        _protected = True
    return _protected
