"""Bringing a test rating into effect the lawful way: publicity began long enough ago (SPEC §4: at least 10
working days), so 生效 today is allowed without a reviewer's override."""

from __future__ import annotations

import datetime as dt

from xuyi_desktop.domain.ratings import RatingStatus

PUBLICITY_BEGAN = dt.date.today() - dt.timedelta(days=40)


def step_day(status: RatingStatus | str) -> dt.date | None:
    """The `today` a workflow step is taken on: review and publicity 40 days ago, everything else today."""
    value = status.value if isinstance(status, RatingStatus) else status
    return PUBLICITY_BEGAN if value in ("reviewed", "publicity") else None
