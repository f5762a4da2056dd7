"""services.unit_of_work on a real database: a write, its change-log row and its audit entry commit together,
and roll back together (on an exception, and on uow.rollback() without one, also in bulk mode)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from xuyi_desktop.services.unit_of_work import unit_of_work
from xuyi_desktop.storage.models import AuditEntry, ChangeLog
from xuyi_desktop.storage.models_plan import PublicityCampaign as Campaign


def _counts(ctx) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Campaign, ChangeLog, AuditEntry))  # type: ignore[return-value]


def _entity(n: int) -> Campaign:
    return Campaign(held_on=dt.date(2026, 3, 15), kind="month", theme=f"诚信春运第{n}场")


def test_a_write_commits_with_its_change_log_row_and_audit_entry(ctx) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ctx)
    with unit_of_work(ctx) as uow:
        row = uow.add(_entity(1), summary="登记宣传活动")
        image = uow.before_image(row)
        row.place = "盱眙县汽车站"
        uow.record(row, image, summary="改地点")
        uow.change(row, verb="update", summary="再改地点", place="盱眙县客运码头")
        uow.log("test.note", "一条只审计的记录")
    assert _counts(ctx) == (before[0] + 1, before[1] + 3, before[2] + 4)
    with ctx.transaction() as s:
        logged = list(s.execute(select(ChangeLog).where(ChangeLog.record_id == row.id).order_by(ChangeLog.seq)).scalars())
    assert [c.action for c in logged] == ["insert", "update", "update"] and "盱眙县客运码头" in (logged[-1].after_json or "")


@pytest.mark.parametrize("bulk", [False, True])
def test_rollback_without_an_exception_writes_nothing(ctx, bulk: bool) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ctx)
    with unit_of_work(ctx, bulk=bulk) as uow:
        for n in range(3):
            uow.add(_entity(n), summary="登记宣传活动")
        uow.log("test.note", "导入摘要")
        uow.rollback()
    assert uow.rolled_back and _counts(ctx) == before
    with unit_of_work(ctx, bulk=bulk) as uow:  # the database is usable afterwards, the counters unharmed
        uow.add(_entity(9), summary="登记宣传活动")
    assert _counts(ctx) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_an_exception_rolls_everything_back(ctx) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ctx)
    with pytest.raises(RuntimeError), unit_of_work(ctx) as uow:
        uow.add(_entity(1), summary="登记宣传活动")
        raise RuntimeError("断电")
    assert _counts(ctx) == before
