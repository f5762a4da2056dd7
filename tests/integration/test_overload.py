"""源头治超: the notification fixture's matched and unmatched counts, re-import skips, a manual match, an interview
that closes a notification, one left open past its deadline listed overdue, the deduction lowering the operator's
score, and the 治超 list proposed from more than three notifications a year."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.overload import NoticeState
from xuyi_desktop.services import credit_lists, ledger_demo, overload
from xuyi_desktop.services import ledger_exchange as lx
from xuyi_desktop.services.ratings import RatingInput, add_rating

TODAY = dt.date(2026, 6, 30)
OPERATOR = ledger_demo.operator_uscc(3)  # runs 苏H00003 (vehicle 3) in the ledger fixture
DRIVER = ledger_demo.driver_id(3)


def notice(i: int, plate: str, occurred: dt.date, **extra: Any) -> dict[str, Any]:
    return {"抄报文书编号": f"淮治超抄〔2026〕{i}号", "车牌号": plate, "超限日期": occurred, "检测地点": "G235盱眙治超检测站",
            "超限率(%)": 30 + i, "抄报单位": "淮安市治超办", "抄报日期": occurred + dt.timedelta(days=3), **extra}


@pytest.fixture
def registry(ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    assert lx.import_ledger(ctx, ledger_demo.write_ledger_workbook(tmp_path / "l.xlsx", entities=10, practitioners=10, vehicles=10)).ok
    return ctx


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    rows = [notice(i, "苏H00003", dt.date(2026, 1, 10) + dt.timedelta(days=25 * i), 驾驶员身份证号码=DRIVER) for i in range(5)]
    rows.append(notice(5, "苏 h·00004", dt.date(2026, 5, 2)))  # written loosely: still the registered 苏H00004
    rows.append(notice(6, "苏H90001", dt.date(2026, 5, 3), 运输企业名称="外地某运输公司"))  # not in the registry
    rows.append(notice(7, "苏H90002", dt.date(2026, 5, 4), 运输企业统一社会信用代码=OPERATOR))  # plate unknown, firm known
    return ledger_demo.write_overload_workbook(tmp_path / "抄报.xlsx", rows)


def test_fixture_counts_reimport_and_manual_match(registry, fixture_file: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = registry
    result = overload.import_overload(ctx, fixture_file, today=TODAY)
    assert result.ok and result.outcomes == {"created": 8, "matched": 7, "unmatched": 1, "driver_matched": 5}
    again = overload.import_overload(ctx, fixture_file, today=TODAY)
    assert again.ok and again.imported == 0 and again.outcomes == {"unchanged": 8}
    unmatched = overload.list_notices(ctx, state="unmatched", today=TODAY)
    assert [v.document_no for v in unmatched] == ["淮治超抄〔2026〕6号"] and "苏H90001 未登记" in unmatched[0].match_note
    by_firm = overload.get_notice(ctx, "淮治超抄〔2026〕7号", today=TODAY)
    assert by_firm.matched and by_firm.vehicle_id is None and by_firm.operator_identifier == OPERATOR
    with pytest.raises(ValidationError):  # an unmatched notice cannot be interviewed
        overload.interview(ctx, unmatched[0].id, on=TODAY, participants="张三", content="约谈", today=TODAY)
    resolved = overload.resolve(ctx, unmatched[0].id, operator=ledger_demo.operator_uscc(6), today=TODAY)
    assert resolved.matched and resolved.state is NoticeState.OPEN and "人工匹配" in resolved.match_note
    assert overload.list_notices(ctx, state="unmatched", today=TODAY) == []


def test_an_interview_closes_a_notice_and_one_left_open_is_overdue(registry, fixture_file: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = registry
    overload.import_overload(ctx, fixture_file, today=TODAY)
    first, second = "淮治超抄〔2026〕0号", "淮治超抄〔2026〕1号"
    closed = overload.interview(ctx, first, on=dt.date(2026, 1, 20), participants="企业负责人、执法大队", content="约谈并责令整改",
                                result="已卸载并整改", result_on=dt.date(2026, 1, 25), today=TODAY)
    assert closed.state is NoticeState.CLOSED and not closed.overdue
    rectifying = overload.interview(ctx, second, on=dt.date(2026, 2, 20), participants="企业负责人", content="约谈",
                                    rectify_by=dt.date(2026, 3, 31), today=TODAY)
    assert rectifying.state is NoticeState.RECTIFYING and rectifying.overdue  # deadline 2026-03-31 passed, no result
    overdue = {v.document_no for v in overload.list_notices(ctx, overdue=True, today=TODAY)}
    assert first not in overdue and second in overdue
    assert "淮治超抄〔2026〕4号" in overdue  # received 2026-04-23, interview due within 15 days: 2026-05-08
    assert "淮治超抄〔2026〕4号" not in {v.document_no for v in overload.list_notices(ctx, overdue=True, today=dt.date(2026, 5, 8))}
    assert "淮治超抄〔2026〕4号" in {v.document_no for v in overload.list_notices(ctx, overdue=True, today=dt.date(2026, 5, 9))}
    done = overload.record_result(ctx, second, result="已整改到位", on=dt.date(2026, 4, 2), today=TODAY)
    assert done.state is NoticeState.CLOSED and second not in {v.document_no for v in overload.list_notices(ctx, overdue=True, today=TODAY)}


def test_the_deduction_lowers_the_operators_score(registry, fixture_file: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = registry
    overload.import_overload(ctx, fixture_file, today=TODAY)
    items = overload.deductions_for(ctx, OPERATOR, 2026, today=TODAY)
    assert len(items) == 6  # five for 苏H00003 and the one matched by the firm's code
    plain = add_rating(ctx, RatingInput(OPERATOR, "road_water_operator", 2026, score=100, points=0))
    docked = add_rating(ctx, overload.with_overload_deductions(ctx, RatingInput(OPERATOR, "road_water_operator", 2026, points=0)))
    assert plain.score == 100 and docked.score == 100 - 6 * 2 and docked.grade == "A"
    assert [d["code"] for d in docked.deductions] == ["ZC-01"] * 6 and "淮治超抄〔2026〕0号" in docked.basis_notes


def test_more_than_three_a_year_proposes_the_vehicle_operator_and_the_driver(registry, fixture_file: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = registry
    overload.import_overload(ctx, fixture_file, today=TODAY)
    made = overload.propose_list_entries(ctx, today=TODAY)
    assert sorted((m.identifier, m.case_code) for m in made) == sorted([(OPERATOR, "1"), (DRIVER[:6] + "********" + DRIVER[-4:], "2")])
    assert all(m.status == "proposed" and m.list_type == "overload" for m in made)
    assert "苏H00003" in next(m for m in made if m.case_code == "1").reason
    assert overload.propose_list_entries(ctx, today=TODAY) == []  # once
    assert credit_lists.propose(ctx, "overload", today=TODAY) == []  # the list's own proposing counts them too, once


def test_cli_import_list_interview(registry, fixture_file: Path, database: str) -> None:  # type: ignore[no-untyped-def]
    def xuyi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", database, *args], capture_output=True, text=True,
                              env=dict(os.environ), timeout=300, check=False)

    run = xuyi("import", "overload", str(fixture_file), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert (data["matched"], data["unmatched"]) == (7, 1)
    listed = json.loads(xuyi("overload", "list", "--overdue", "--today", "2026-06-30", "--json").stdout)
    assert len(listed) == 8
    bad = xuyi("overload", "interview", "淮治超抄〔2026〕6号", "--date", "2026-06-01", "--participants", "张三", "--content", "约谈")
    assert bad.returncode == 1 and bad.stderr.startswith("错误：") and "待匹配" in bad.stderr
