"""双公示 records through the services and the `xuyi` CLI: versions, withdrawal, status, deadline, indicators."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.sgs import RecordKind, ReportStatus
from xuyi_desktop.services import sgs, sgs_stats
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw
from xuyi_desktop.storage.models import ChangeLog

D = dt.date


def xuyi(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False
    )


def test_deadline_and_workdays_cli(tmp_path: Path, new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("x")
    # Friday 26 Sep 2025, before the 1–8 Oct holiday (Sun 28 Sep and Sat 11 Oct worked).
    assert xuyi(db, "workdays", "add", "2025-09-26", "7").stdout.strip() == "2025-10-13"
    assert xuyi(db, "sgs", "deadline", "2025-09-26").stdout.strip() == "2025-10-13"
    missing = xuyi(db, "workdays", "add", "2026-12-30", "3")
    assert missing.returncode == 1 and "2027年的节假日安排尚未载入" in missing.stderr
    bad = xuyi(db, "workdays", "add", "2025-13-01", "3")
    assert bad.returncode == 2


def test_add_correct_withdraw_report(ctx) -> None:
    today = D(2025, 10, 20)
    view = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, D(2025, 9, 26)), today=today)
    assert view.deadline == D(2025, 10, 13) and view.status is ReportStatus.OVERDUE
    assert view.publicity_end == D(2026, 9, 26)  # 一般: at most 1 year from the decision
    with pytest.raises(ValidationError) as err:
        sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, D(2025, 9, 26)), today=today)
    assert "已登记" in err.value.message_zh

    corrected = sgs.correct_record(ctx, view.id, {"fk": "0.6"}, reason="金额笔误", today=today)
    assert corrected.revision == 2 and corrected.lineage_id == view.lineage_id and str(corrected.values["fk"]) == "0.6"
    versions = sgs.history(ctx, view.id)
    assert [v.revision for v in versions] == [1, 2] and str(versions[0].values["fk"]) == "0.5"

    reported = sgs.mark_reported(ctx, [view.id], on=D(2025, 10, 14), batch_no="B-1", today=today)[0]
    assert reported.id == corrected.id and reported.status is ReportStatus.LATE and reported.batch_no == "B-1"
    withdrawn = sgs.withdraw_record(ctx, corrected.id, on=D(2025, 10, 16), reason="行政复议撤销", today=today)
    assert withdrawn.withdrawn_on == D(2025, 10, 16) and withdrawn.resubmit_needed
    assert len(sgs.list_records(ctx, today=today)) == 1  # still in the ledger
    with ctx.transaction() as session:
        actions = [c.action for c in session.execute(select(ChangeLog).where(ChangeLog.table_name == "sgs_record").order_by(ChangeLog.seq)).scalars()]
    assert actions == ["create", "supersede", "correct", "report", "withdraw"]


def test_person_relative_links_to_entity_by_id_number(ctx) -> None:
    from xuyi_desktop.domain.entities import EntityDraft, EntityKind
    from xuyi_desktop.services.entities import register_entity

    raw = penalty_raw(5, D(2025, 3, 3), person=True)
    entity = register_entity(ctx, EntityDraft(name="张5", identifier=raw["xdr_zjhm"], kind=EntityKind.PERSON))
    view = sgs.add_record(ctx, RecordKind.PENALTY, raw, today=D(2025, 3, 4))
    assert view.entity_id == entity.summary.id


def _fixture(ctx) -> None:
    """Six decisions in March 2025, as of 2025-04-30 (every deadline over):
    P1 reported on time, compliant, complete; P2 reported late; P3 not reported; L1 reported on time but kept as a
    draft with a bad organ code (non-compliant); L2 reported on time, missing 许可编号 and 许可证书名称;
    L3 decided on 2025-04-28 (deadline 2025-05-08 not over, not reported: not due)."""
    today = D(2025, 4, 30)
    p1 = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, D(2025, 3, 3)), today=today)
    p2 = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, D(2025, 3, 3)), today=today)
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(3, D(2025, 3, 3)), today=today)
    bad = license_raw(1, D(2025, 3, 10))
    bad["jgdm"] = bad["jgdm"][:-1] + ("1" if bad["jgdm"][-1] != "1" else "2")
    with pytest.raises(ValidationError):
        sgs.add_record(ctx, RecordKind.LICENSE, bad, today=today)
    l1 = sgs.add_record(ctx, RecordKind.LICENSE, bad, draft=True, today=today)
    l2raw = license_raw(2, D(2025, 3, 10))
    del l2raw["xkbh"], l2raw["xkzs"]
    l2 = sgs.add_record(ctx, RecordKind.LICENSE, l2raw, today=today)
    sgs.add_record(ctx, RecordKind.LICENSE, license_raw(3, D(2025, 4, 28)), today=today)
    # 3 Mar 2025 (Mon) + 7 working days = 12 Mar; 10 Mar + 7 = 19 Mar.
    sgs.mark_reported(ctx, [p1.id], on=D(2025, 3, 12), batch_no="B1", today=today)
    sgs.mark_reported(ctx, [p2.id], on=D(2025, 3, 13), batch_no="B2", today=today)
    sgs.mark_reported(ctx, [l1.id, l2.id], on=D(2025, 3, 19), batch_no="B3", today=today)


def test_indicators_equal_hand_counts(ctx, database: str) -> None:
    _fixture(ctx)
    got = sgs_stats.indicators(ctx, date_from=D(2025, 3, 1), date_to=D(2025, 4, 30), as_of=D(2025, 4, 30))
    assert (got.records, got.due, got.reported, got.compliant, got.on_time) == (6, 5, 4, 3, 3)
    assert got.report_rate == 4 / 5 and got.compliance_rate == 3 / 4 and got.timeliness_rate == 3 / 4
    # Completeness: each penalty (organisation) applies 18 mandatory + fk + 3 recommended (fr_zjlx, fr_zjhm, cf_yxq)
    # = 22 fields... counted by the same rule for all; L2 misses 2 of its fields, nothing else is missing.
    assert got.fields_total - got.fields_filled == 2
    assert [o.document_no for o in got.not_reported] == ["盱交罚〔2025〕3号"]
    assert [o.document_no for o in got.late] == ["盱交罚〔2025〕2号"]
    assert [o.document_no for o in got.non_compliant] == ["盱交许〔2025〕1号"]
    assert [o.document_no for o in got.incomplete] == ["盱交许〔2025〕2号"]

    # The CLI gives the same figures (and the records behind each).
    out = xuyi(database, "stats", "sgs", "--from", "2025-03-01", "--to", "2025-04-30", "--as-of", "2025-04-30", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {k: data[k] for k in ("due", "reported", "report_rate", "compliance_rate", "timeliness_rate")} == {
        "due": 5, "reported": 4, "report_rate": 0.8, "compliance_rate": 0.75, "timeliness_rate": 0.75}
    assert data["completeness"] == pytest.approx(got.completeness)
    assert [o["document_no"] for o in data["pulled_down_by"]["report_rate"]] == ["盱交罚〔2025〕3号"]
    by_unit = json.loads(xuyi(database, "stats", "sgs", "--from", "2025-03-01", "--to", "2025-04-30", "--unit", "别的局", "--json").stdout)
    assert by_unit["due"] == 0 and by_unit["report_rate"] is None


@pytest.mark.slow
def test_cli_add_list_mark_reported(database: str) -> None:
    assert xuyi(database, "init").returncode == 0
    raw = penalty_raw(7, D(2025, 9, 26))
    args = [a for k, v in raw.items() for a in ("--set", f"{k}={v}")]
    added = xuyi(database, "sgs", "add", "--kind", "CF", *args, "--json")
    assert added.returncode == 0, added.stderr
    record = json.loads(added.stdout)
    assert record["deadline"] == "2025-10-13"
    # Chinese labels and national codes work as field names; the error names the field and the rule.
    bad = xuyi(database, "sgs", "add", "--kind", "CF", *args, "--set", "CF_WSH=盱交罚〔2025〕8号", "--set", "处罚决定日期=2099-01-01")
    assert bad.returncode == 1 and "处罚决定日期：不能晚于今天" in bad.stderr
    overdue = json.loads(xuyi(database, "sgs", "list", "--status", "overdue", "--json").stdout)
    assert [r["id"] for r in overdue] == [record["id"]]
    done = xuyi(database, "sgs", "mark-reported", record["id"], "--on", "2025-10-13", "--batch", "B-7", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(xuyi(database, "sgs", "list", "--status", "已报送", "--json").stdout)
    assert listed[0]["batch_no"] == "B-7" and listed[0]["status_label"] == "已报送"
