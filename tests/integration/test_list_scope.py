"""Lists limited to the user's unit (局属各单位) where the bureau wants that: 双公示 and 信用承诺, by service and CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role, list_unit
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import audit, list_scope, sgs, sgs_stats, users
from xuyi_desktop.services import commitments as cm
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.sgs_demo import ORGAN, penalty_raw

OTHER = "盱眙县公路事业发展中心"
PW = "unit-secret-1"
DAY = dt.date(2025, 3, 3)


def test_the_rule_spares_supervisors_and_users_without_a_unit() -> None:
    assert list_unit(Role.CLERK, ORGAN, restricted=True) == ORGAN
    assert list_unit(Role.VIEWER, f" {ORGAN} ", restricted=True) == ORGAN
    assert list_unit(Role.REVIEWER, ORGAN, restricted=True) is None
    assert list_unit(Role.ADMIN, ORGAN, restricted=True) is None
    assert list_unit(Role.CLERK, "", restricted=True) is None
    assert list_unit(Role.CLERK, ORGAN, restricted=False) is None


def _as(database: str, name: str) -> AppContext:
    ctx = open_context(database)
    users.login(ctx, name, PW)
    return ctx


@pytest.fixture
def hall(database: str):  # type: ignore[no-untyped-def]
    """Two units' records: two penalties and one commitment by ORGAN, one penalty and one commitment by OTHER."""
    ctx = open_context(database)
    users.create_user(ctx, "admin", PW, Role.ADMIN)
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "zf01", PW, Role.CLERK, unit=ORGAN)
    users.create_user(ctx, "gl01", PW, Role.CLERK, unit=OTHER)
    users.create_user(ctx, "sh01", PW, Role.REVIEWER, unit=OTHER)
    for i in (1, 2):
        sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(i, DAY), today=DAY)
    sgs.add_record(ctx, RecordKind.PENALTY, dict(penalty_raw(3, DAY), jg=OTHER), today=DAY)
    entity = register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier="91320830PYQLFT169T"))
    for organ in (ORGAN, OTHER):
        cm.add_commitment(ctx, cm.CommitmentInput(entity.summary.id, "approval_substitute", "licensing", "道路运输经营许可", 30,
                                                  organ=organ))
    yield ctx
    ctx.close()


def _seen(ctx: AppContext) -> tuple[list[str], list[str]]:
    return sorted(r.values["jg"] for r in sgs.list_records(ctx, today=DAY)), sorted(c.organ for c in cm.list_commitments(ctx))


def test_lists_show_every_unit_until_the_bureau_limits_them(hall: AppContext, database: str) -> None:
    clerk = _as(database, "zf01")
    try:
        assert _seen(clerk) == (sorted([ORGAN, ORGAN, OTHER]), sorted([ORGAN, OTHER]))
        with pytest.raises(PermissionDenied):
            list_scope.set_lists_restricted(clerk, True)  # a bureau setting, not a clerk's
        list_scope.set_lists_restricted(hall, True)
        assert _seen(clerk) == ([ORGAN, ORGAN], [ORGAN])
        figures = sgs_stats.indicators(clerk, date_from=DAY, date_to=DAY, as_of=DAY)
        assert figures.records == 2 and figures.unit == ORGAN
    finally:
        clerk.close()
    other, reviewer = _as(database, "gl01"), _as(database, "sh01")
    try:
        assert _seen(other) == ([OTHER], [OTHER])
        assert _seen(reviewer) == (sorted([ORGAN, ORGAN, OTHER]), sorted([ORGAN, OTHER]))  # reviewers check every unit
        # what a unit's clerk accepts without naming an organ is accepted by that unit, and so stays in its list
        added = cm.add_commitment(other, cm.CommitmentInput("91320830PYQLFT169T", "approval_substitute", "licensing", "超限运输许可", 15))
        assert added.organ == OTHER and added.id in {c.id for c in cm.list_commitments(other)}
    finally:
        other.close()
        reviewer.close()
    entries = [e for e in audit.list_entries(hall, action_prefix="settings.list_scope")]
    assert len(entries) == 1 and entries[0].username == "admin"


@pytest.mark.slow
def test_cli_turns_the_limit_on_and_refuses_a_clerk(hall: AppContext, database: str) -> None:
    def xuyi(user: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, XUYI_USER=user, XUYI_PASSWORD=PW)
        return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", database, *args], capture_output=True, text=True,
                              env=env, timeout=120, check=False)

    refused = xuyi("zf01", "user", "restrict-lists", "on")
    assert refused.returncode == 1 and "系统设置" in refused.stderr
    assert "全部单位" in xuyi("admin", "user", "restrict-lists", "show").stdout
    on = xuyi("admin", "user", "restrict-lists", "on")
    assert on.returncode == 0 and "本单位" in on.stdout
    listed = xuyi("gl01", "sgs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["values"]["jg"] if "values" in r else r["jg"] for r in __import__("json").loads(listed.stdout)] == [OTHER]
