"""The office's hybrid logical clock (HLC) that orders changes, and the PC clock it starts from.

A stamp is an integer of microseconds since 1970 (UTC). A local change gets
    max(its physical time, the office clock + 1, the record's greatest stamp + 1)
and the office clock is raised to every stamp this office gives or receives. So a change made after another
office's change was seen here is always ordered after it, whatever either PC's clock says: a PC running 30
days fast can win only over edits made without knowledge of its change (concurrent edits, which the field
merge then orders by stamp and logs as conflicts), never over a later, informed edit.

The office clock lives in app_setting (`sync.clock`), in the same transaction as the changes it stamps.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import AppSetting

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
KEY = "sync.clock"
DAY_US = 86400 * 10**6

# Tests simulate a PC whose clock is wrong by setting this (microseconds added to the real time).
offset_us = 0


def physical_us() -> int:
    """This PC's clock, in microseconds since 1970 UTC."""
    return time.time_ns() // 1000 + offset_us


def physical_now() -> dt.datetime:
    return from_us(physical_us())


def micros(at: dt.datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


class OfficeClock:
    """The HLC of one transaction: read once, advanced in memory, written back by save()."""

    def __init__(self, session: Session) -> None:
        self.session = session
        row = session.get(AppSetting, KEY)
        self.value = int(row.value) if row is not None and row.value.isdigit() else 0
        self._start = self.value

    def observe(self, stamp: int) -> None:
        """A stamp received from another office."""
        if stamp > self.value:
            self.value = stamp

    def tick(self, at_us: int, floor: int = 0) -> int:
        """A stamp for a local change made at physical time at_us on a record whose greatest stamp is floor."""
        stamp = max(at_us, self.value + 1, floor + 1)
        self.value = stamp
        return stamp

    def now(self) -> int:
        """The clock's reading for a package being written (not a change)."""
        self.value = max(self.value, physical_us())
        return self.value

    def save(self) -> None:
        if self.value == self._start:
            return
        row = self.session.get(AppSetting, KEY)
        if row is None:
            self.session.add(AppSetting(key=KEY, value=str(self.value)))
        else:
            row.value = str(self.value)
        self._start = self.value


def days(us: int) -> float:
    return us / DAY_US
