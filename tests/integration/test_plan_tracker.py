"""The task tracker, the registers and the to-do list, through the services and the `xuyi` CLI: 30 tasks as in the
annex, progress reports with evidence, derived status, the printed summary; registers synced, audited, exported,
the website review step and a training certificate for a repair; one record of each due kind in `xuyi todo`."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.plan import TaskStatus
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.domain.working_days import add_months
from xuyi_desktop.services import audit, credit_lists, objections, plan_registers, plan_tasks, ratings, sgs, users
from xuyi_desktop.services import commitments as cm
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.record_details import describe_record
from xuyi_desktop.services.sgs_demo import penalty_raw, uscc
from xuyi_desktop.services.todo import KIND_LABELS, todo_items
from xuyi_desktop.storage.models import ChangeLog

SHOTS = Path("/work/shots/plan")
TODAY = dt.date.today()
PW = "plan-secret-1"


def xuyi(db: str, *args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if user:
        env.update(XUYI_USER=user, XUYI_PASSWORD=PW, XUYI_NEW_PASSWORD=PW + "-new")
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True, env=env,
                          timeout=180, check=False)


def test_task_list_is_the_annex(database: str) -> None:
    out = xuyi(database, "task", "list", "--json")
    assert out.returncode == 0, out.stderr
    tasks = json.loads(out.stdout)
    assert len(tasks) == 30
    assert Counter(t["section"] for t in tasks) == {"一": 5, "二": 5, "三": 12, "四": 8}
    by = {t["id"]: t for t in tasks}
    assert (by["1.1"]["deadline"], by["1.1"]["due"]) == ("2023", "2023-12-31")
    assert (by["3.4"]["deadline"], by["3.4"]["due"], by["3.4"]["responsible"]) == ("2024", "2024-12-31", "综合计划科")
    assert (by["3.6"]["deadline"], by["3.6"]["responsible"]) == ("2023-2024", "县交通运输执法大队")
    assert all(by[i]["deadline"] == "持续推进" and by[i]["continuous"] for i in ("1.3", "2.1", "3.12", "4.8"))
    assert by["2.5"]["content"].startswith("按照“谁生产、谁审核、谁负责”的原则")
    assert by["3.1"]["content"].endswith("信用承诺应用领域不少于2个。")
    by_unit = json.loads(xuyi(database, "task", "list", "--unit", "综合计划科", "--json").stdout)
    assert {t["id"] for t in by_unit} >= {"3.4", "3.7"} and "1.1" not in {t["id"] for t in by_unit}
    assert xuyi(database, "task", "report", "9.9", "--unit", "综合计划科", "--text", "x").returncode == 1


def test_progress_reports_drive_the_status(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes")
    on = dt.date(2023, 3, 1)
    day = dt.date(2023, 6, 1)
    first = plan_tasks.get_task(ctx, "一(2)", today=day)
    assert first.status is TaskStatus.NOT_STARTED and first.expected_units == 4
    view = plan_tasks.report_progress(ctx, "1.2", unit="执法大队", text="成立大队信用管理工作领导小组", percent=100,
                                      on=on, attachments=[evidence], today=day)
    assert view.completed and view.unit == "盱眙县交通运输综合行政执法大队" and [f.name for f in view.files] == ["会议纪要.pdf"]
    plan_tasks.report_progress(ctx, "1.2", unit="公路中心", text="正在起草", percent=40, on=on, today=day)
    task = plan_tasks.get_task(ctx, "1.2", today=day)
    assert task.status is TaskStatus.IN_PROGRESS and task.done_units == 1
    after = plan_tasks.get_task(ctx, "1.2", today=dt.date(2024, 1, 2))
    assert after.status is TaskStatus.OVERDUE and len(after.overdue_units) == 3
    warn = plan_tasks.warnings(ctx, today=dt.date(2024, 1, 2))
    assert any(w.task.id == "1.2" and w.unit == "盱眙县公路事业发展中心" for w in warn)
    for unit in ("公路中心", "港航中心", "邮政业发展中心"):
        plan_tasks.report_progress(ctx, "1.2", unit=unit, text="已完成", percent=100, on=dt.date(2023, 12, 20), today=day.replace(year=2024))
    assert plan_tasks.get_task(ctx, "1.2", today=dt.date(2024, 1, 2)).status is TaskStatus.DONE
    # refused: a unit the task does not name, a future date, a bad percentage
    with pytest.raises(ValidationError) as err:
        plan_tasks.report_progress(ctx, "3.4", unit="执法大队", text="x", today=day)
    assert "综合计划科" in err.value.message_zh
    with pytest.raises(ValidationError):
        plan_tasks.report_progress(ctx, "3.4", unit="综合计划科", text="x", on=day + dt.timedelta(days=1), today=day)
    with pytest.raises(ValidationError):
        plan_tasks.report_progress(ctx, "3.4", unit="综合计划科", text="x", percent=120, today=day)
    with ctx.transaction() as session:
        tables = {c.table_name for c in session.execute(select(ChangeLog)).scalars()}
    assert {"plan_task_report", "plan_attachment", "attachment_content"} <= tables  # they sync
    assert any(e.action == "plan_task_report.insert" for e in audit.list_entries(ctx))


@pytest.mark.slow
def test_a_clerk_reports_for_their_own_unit(database: str) -> None:
    ctx = open_context(database)
    users.create_user(ctx, "admin", PW, Role.ADMIN)
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "zf", PW, Role.CLERK, unit="执法大队")
    ctx.close()
    ok = xuyi(database, "task", "report", "2.1", "--unit", "执法大队", "--text", "归集处罚信息", "--percent", "30", user="zf")
    assert ok.returncode == 0, ok.stderr
    other = xuyi(database, "task", "report", "2.1", "--unit", "公路中心", "--text", "代报", user="zf")
    assert other.returncode == 1 and "只能报送本单位" in other.stderr and other.stderr.count("\n") == 1
    shown = json.loads(xuyi(database, "task", "show", "2.1", "--json", user="zf").stdout)
    assert shown["reports"][0]["unit"] == "盱眙县交通运输综合行政执法大队" and shown["reports"][0]["percent"] == 30
    viewer_users = xuyi(database, "user", "add", "bad", "--role", "clerk", "--unit", "不存在的科", user="admin")
    assert viewer_users.returncode == 1 and "单位字典" in viewer_users.stderr


def test_the_printed_summary_is_numbered_and_verifiable(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan_tasks.report_progress(ctx, "3.4", unit="综合计划科", text="已在招标文件范本中明确第三方信用报告的使用", percent=100,
                               on=dt.date(2024, 6, 1))
    pdf = tmp_path / "tasks.pdf"
    out = xuyi(database, "print", "tasks", "--out", str(pdf))
    assert out.returncode == 0, out.stderr
    text_ = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text_.split())
    assert "建设任务进展情况" in flat and "30项：已完成1项" in flat and "继续应用第三方信用报告" in flat
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    serials = re.findall(r"-RW-\d{4}-\d{6}", flat)
    assert len(serials) >= pages  # the serial on every page
    assert xuyi(database, "verify", str(pdf)).returncode == 0
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(SHOTS / "tasks_pdf_p1")],
                       check=True)


def _entity(ctx: Any, n: int, name: str, kind: str = "org") -> str:
    ident = uscc(3000 + n)
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=("road_operator",)), allow_similar=True)
    return ident


@pytest.mark.slow
def test_registers_review_step_certificates_and_export(database: str, tmp_path: Path) -> None:
    ctx = open_context(database)
    users.create_user(ctx, "admin", PW, Role.ADMIN)
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "clerk", PW, Role.CLERK, unit="综合计划科")
    users.create_user(ctx, "rev", PW, Role.REVIEWER, unit="综合计划科")
    ident = _entity(ctx, 1, "盱眙县诚信运输有限公司")
    ctx.close()
    # 谁生产、谁审核: the producer cannot approve, a reviewer can; only an approved item is published
    added = xuyi(database, "website", "add", "--kind", "工作动态", "--title", "我局开展诚信春运宣传", "--content", "1月20日……",
                 "--json", user="clerk")
    assert added.returncode == 0, added.stderr
    item = json.loads(added.stdout)["id"]
    early = xuyi(database, "website", "publish", item, user="clerk")
    assert early.returncode == 1 and "未经审核" in early.stderr
    assert xuyi(database, "website", "review", item, "--approve", user="clerk").returncode == 1  # not a reviewer
    ctx = open_context(database)
    users.login(ctx, "admin", PW)
    plan_registers.submit_website_item(ctx, kind="信用政策", title="自己报送", content="…")
    own = plan_registers.list_register(ctx, "website", status="submitted")
    mine = next(r for r in own if r["title"] == "自己报送")
    with pytest.raises(ValidationError) as err:
        plan_registers.review_website_item(ctx, mine["id"], approve=True)
    assert "谁生产、谁审核" in err.value.message_zh
    ctx.close()
    assert xuyi(database, "website", "review", item, "--return", user="rev").returncode == 1  # a return needs a note
    assert xuyi(database, "website", "review", item, "--approve", "--note", "同意发布", user="rev").returncode == 0
    assert xuyi(database, "website", "publish", item, "--url", "https://jtj.xuyi.gov.cn/x", user="clerk").returncode == 0
    rows = json.loads(xuyi(database, "website", "list", "--json", user="clerk").stdout)
    published = next(r for r in rows if r["id"] == item)
    assert (published["status"], published["reviewer"], published["producer"]) == ("published", "rev", "clerk")

    # a training certificate is what a repair asks for
    scan = tmp_path / "证明.jpg"
    scan.write_bytes(b"\xff\xd8\xff certificate scan")
    t = json.loads(xuyi(database, "training", "add", "--date", "2025-04-08", "--kind", "信用修复培训", "--topic", "信用修复政策解读",
                        "--trainer", "王伟", "--json", user="clerk").stdout)["id"]
    other = json.loads(xuyi(database, "training", "add", "--date", "2025-05-08", "--kind", "信用管理培训", "--topic", "信用管理",
                            "--json", user="clerk").stdout)["id"]
    assert xuyi(database, "training", "attendee", t, "--entity", ident, "--name", "张三", "--certificate", "XF-2025-001",
                "--certificate-file", str(scan), user="clerk").returncode == 0
    assert xuyi(database, "training", "attendee", other, "--entity", ident, "--certificate", "GL-2025-009", user="clerk").returncode == 0
    certs = json.loads(xuyi(database, "training", "certificates", ident, "--repair-only", "--json", user="clerk").stdout)
    assert [c["certificate_no"] for c in certs] == ["XF-2025-001"] and certs[0]["files"][0]["name"] == "证明.jpg"
    ctx = open_context(database)
    users.login(ctx, "clerk", PW)
    with ctx.transaction() as session:
        from xuyi_desktop.services.ratings import resolve_entity

        e = resolve_entity(session, ident)
        found = plan_registers.training_certificates(session, e.id, since=dt.date(2025, 5, 1))
    assert [c.certificate_no for c in found] == ["GL-2025-009"]  # the repair feature's question: issued since the penalty
    ctx.close()

    # refused: an unknown campaign kind (one line, exit 1), a missing theme (usage error)
    bad = xuyi(database, "campaign", "add", "--date", "2025-03-15", "--kind", "庆典", "--theme", "x", user="clerk")
    assert bad.returncode == 1 and bad.stderr.startswith("错误：活动类型应为")
    assert xuyi(database, "campaign", "add", "--date", "2025-03-15", "--kind", "诚信春运", user="clerk").returncode == 2
    assert xuyi(database, "campaign", "add", "--date", "2025-03-15", "--kind", "诚信春运", "--theme", "诚信春运", "--reach", "500",
                user="clerk").returncode == 0
    book = tmp_path / "campaigns.xlsx"
    assert xuyi(database, "campaign", "list", "--year", "2025", "--out", str(book), user="clerk").returncode == 0
    ws = load_workbook(book).active
    assert ws["A1"].value == "宣传活动台账（2025年）" and ws.cell(3, 4).value == "诚信春运" and ws.cell(3, 7).value == 500
    assert ws.cell(3, 6).value == "综合计划科"  # the clerk's unit by default


def test_registers_travel_by_sync(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    bureau, field = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    try:
        with field.active():
            ident = _entity(field.ctx, 2, "盱眙县顺风物流有限公司")
            t = plan_registers.add_training(field.ctx, held_on=dt.date(2025, 4, 8), kind="信用修复培训", topic="修复培训", unit="执法大队")
            plan_registers.add_attendee(field.ctx, t, entity=ident, certificate_no="XF-9")
            s = plan_registers.add_scenario(field.ctx, name="信易贷", business_type="信易贷", started_on=dt.date(2025, 1, 1))
            plan_registers.add_benefit(field.ctx, s, granted_on=dt.date(2025, 2, 1), measure="贷款优惠", entity=ident, amount_wan=3.5)
            plan_tasks.report_progress(field.ctx, "2.1", unit="执法大队", text="归集", percent=20, on=dt.date(2025, 3, 1))
            sync.export_package(field.ctx, "XYJ", tmp_path / "p.xysync")
        with bureau.active():
            sync.import_package(bureau.ctx, tmp_path / "p.xysync")
            trainings = plan_registers.list_register(bureau.ctx, "training", year=2025)
            assert [a["certificate_no"] for a in trainings[0]["attendee_list"]] == ["XF-9"]
            assert plan_registers.list_register(bureau.ctx, "scenario")[0]["amount_wan"] == 3.5
            assert plan_tasks.get_task(bureau.ctx, "2.1", today=dt.date(2025, 4, 1)).reports[0].percent == 20
    finally:
        bureau.close()
        field.close()


def _sgs_due_decision(today: dt.date) -> dt.date:
    """A decision day whose 7-working-day deadline falls within the next two working days."""
    from xuyi_desktop.services.sgs import deadline_for
    from xuyi_desktop.services.sgs_calendar import working_day_after

    horizon = working_day_after(today, 2)
    for back in range(1, 20):
        d = today - dt.timedelta(days=back)
        if today <= deadline_for(d) <= horizon:
            return d
    raise AssertionError("no decision day found")


def test_one_record_of_each_due_kind_is_on_the_todo_list(ctx, database: str) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.profile import penalty_fact
    from xuyi_desktop.storage.models_sgs import SgsRecord

    a = _entity(ctx, 10, "盱眙县待办运输有限公司")
    b = _entity(ctx, 11, "盱眙县名单运输有限公司")
    due = sgs.add_record(ctx, RecordKind.LICENSE, {**_licence(20, _sgs_due_decision(TODAY))}, today=TODAY)
    register_entity(ctx, EntityDraft(name="盱眙第21运输有限公司", identifier=uscc(1021)))  # an objection needs the party registered
    late = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(21, TODAY - dt.timedelta(days=40)), today=TODAY)
    decided = add_months(TODAY, -3)  # 一般: repair from three months after the decision
    repairable = sgs.add_record(ctx, RecordKind.PENALTY, {**penalty_raw(22, decided), "publicity_class": "一般"}, today=TODAY)
    sgs.mark_reported(ctx, [repairable.id], on=decided + dt.timedelta(days=1), batch_no="R", today=TODAY)
    with ctx.transaction() as session:
        fact = penalty_fact(session.get(SgsRecord, repairable.id), TODAY)
    assert fact.repair_from is not None and abs((fact.repair_from - TODAY).days) <= 14
    commitment = cm.add_commitment(ctx, cm.CommitmentInput(a, "voluntary", "licensing", "许可申请", 30, signer="李明",
                                                           signed_on=TODAY - dt.timedelta(days=25)), today=TODAY)
    rating = ratings.add_rating(ctx, ratings.RatingInput(a, "highway_construction", TODAY.year - 1, score=96))
    ratings.set_status(ctx, rating.id, RatingStatus.REVIEWED, today=TODAY - dt.timedelta(days=30))
    ratings.set_status(ctx, rating.id, RatingStatus.PUBLICITY, today=TODAY - dt.timedelta(days=30))
    entry = credit_lists.add_entry(ctx, b, "red", reason="守信")
    credit_lists.confirm(ctx, entry.id, reason="符合条件", entered_on=add_months(TODAY, -12) + dt.timedelta(days=10))
    objection = objections.add_objection(ctx, late.id, objector="盱眙第21运输有限公司", content="金额有误",
                                         received_on=TODAY - dt.timedelta(days=25), today=TODAY)

    out = xuyi(database, "todo", "--date", TODAY.isoformat(), "--json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    kinds = Counter(i["kind"] for i in items)
    records = {(i["kind"], i["record"]["id"]) for i in items}
    assert ("sgs_due", str(due.id)) in records
    assert ("sgs_overdue", str(late.id)) in records
    assert ("penalty_repair", str(repairable.id)) in records
    assert ("commitment_term", str(commitment.id)) in records
    assert ("rating_publicity", str(rating.id)) in records
    assert ("list_expiring", str(entry.id)) in records
    assert ("objection_deadline", str(objection.id)) in records
    assert kinds["task_due"] >= 1 and kinds["monthly_report"] == 1
    assert set(KIND_LABELS) - set(kinds) <= {"calendar_missing"}
    overdue_first = [i["overdue"] for i in items]
    assert overdue_first == sorted(overdue_first, reverse=True)
    # next year's holiday calendar missing, from 1 November
    november = todo_items(ctx, today=dt.date(2026, 11, 15))
    assert any(i.kind == "calendar_missing" and i.record_id == "2027" for i in november)
    # each item opens its record
    for i in items:
        detail = describe_record(ctx, i["record"]["kind"], i["record"]["id"], today=TODAY)
        assert detail.rows, i
    assert describe_record(ctx, "sgs", str(due.id)).page == "双公示"
    # the monthly report once recorded leaves the list
    from xuyi_desktop.services.indicators import add_monthly_report

    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    add_monthly_report(ctx, last_month, on=TODAY)
    assert not [i for i in todo_items(ctx, today=TODAY) if i.kind == "monthly_report"]


def _licence(i: int, decided: dt.date) -> dict[str, Any]:
    from xuyi_desktop.services.sgs_demo import license_raw

    return license_raw(i, decided)


@pytest.mark.sqlite_only("rows written at revision 0016 into its SQLite file")
def test_a_database_before_the_plan_tables_upgrades_without_loss(tmp_path: Path) -> None:
    from alembic import command

    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import alembic_config, current_revision, head_revision

    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0018")
    engine.dispose()
    ctx = open_context(str(db))  # the revision before the plan tables; this start upgrades
    ident = _entity(ctx, 30, "盱眙县老数据运输有限公司")
    view = cm.add_commitment(ctx, cm.CommitmentInput(ident, "voluntary", "licensing", "许可", 30, signer="甲"))
    ctx.close()
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0019")  # the later revisions have their own downgrades; 0019's tables go by hand
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0018')"))  # the revision before 0019
        for table in ("plan_task_report", "plan_attachment", "publicity_campaign", "credit_training", "training_attendee",
                      "credit_scenario", "scenario_benefit", "integrity_model", "website_item", "sgs_monthly_report"):
            conn.execute(text(f"DROP TABLE {table}"))
    engine.dispose()
    ctx = open_context(str(db))
    try:
        assert ctx.safety_copy is not None and current_revision(ctx.engine) == head_revision()
        assert cm.get_commitment(ctx, view.id).serial == view.serial
        plan_registers.add_campaign(ctx, held_on=dt.date(2025, 3, 15), kind="诚信春运", theme="升级后登记")
        assert len(plan_registers.list_register(ctx, "campaign")) == 1
    finally:
        ctx.close()
