"""What the rating pages share: colours for grades and consequences, and whether printing is installed."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QColor

from xuyi_desktop.domain.rating_schemes import RatingScheme

INCENTIVE = QColor("#2e7d32")
RESTRICTION = QColor("#c62828")
INFO = QColor("#37474f")
GREYED = QColor("#9e9e9e")
PROVISIONAL = QColor("#ef6c00")

CONSEQUENCE_STYLE = {
    "incentive": ("✔ 激励", INCENTIVE),
    "restriction": ("✘ 约束", RESTRICTION),
    "info": ("ℹ 提示", INFO),
}


def grade_colour(scheme: RatingScheme | None, grade: str | None) -> QColor:
    """Best grades green, the worst red, the middle dark: the clerk sees the standing before reading it."""
    if scheme is None or not grade or grade not in scheme.grades:
        return INFO
    rank, worst = scheme.rank(grade), len(scheme.grades) - 1
    if rank == worst:
        return RESTRICTION
    if rank <= 1 and worst >= 3:
        return INCENTIVE
    return INFO


def printing_function(name: str) -> Callable[..., Any] | None:
    """services.printing.<name> if the printing module is installed, else None (its buttons are left out)."""
    try:
        module = importlib.import_module("xuyi_desktop.services.printing")
    except ImportError:
        return None
    fn = getattr(module, name, None)
    return fn if callable(fn) else None
