"""The credit profile reaches the counter (issue 12): penalties, entity status, 违诺 and grades decide the check,
暂定A级 and commitment acceptance, through the services and the `xuyi` CLI, each test from an empty database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rating_flow import step_day
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft, EntityStatus
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import commitments, credit_check, ratings, sgs, users
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.sgs_demo import penalty_raw, uscc
from xuyi_desktop.storage.models import CreditCheck

TODAY = dt.date.today()
LAST_YEAR = TODAY.year - 1


def xuyi(db: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)


def unit(ctx: Any, n: int, name: str, *, status: EntityStatus = EntityStatus.ACTIVE, category: str = "construction_unit") -> str:
    ident = uscc(1000 + n)
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=(category,), legal_representative="王建军",
                                     status=status), allow_similar=True)
    return ident


def penalty(ctx: Any, n: int, decided: dt.date, klass: str, **extra: str) -> Any:
    raw = {**penalty_raw(n, decided), "publicity_class": klass, **extra}
    return sgs.add_record(ctx, RecordKind.PENALTY, raw, today=max(decided, TODAY))


def effective(ctx: Any, ident: str, score: float) -> None:
    view = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", LAST_YEAR, score=score))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))


def test_a_serious_penalty_reaches_the_cli_check_and_blocks_provisional_a(database: str, ctx: Any) -> None:
    ident = unit(ctx, 1, "盱眙县通达路桥工程有限公司")
    decided = dt.date(LAST_YEAR, 6, 10)
    penalty(ctx, 1, decided, "严重", cflb="罚款；吊销许可证件", zkdx="公路工程施工资质证书 D232083001")
    ctx.close()
    out = xuyi(database, "check", ident, "--business", "licensing", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    (grade,) = [g for g in result["grades"] if g["domain"] == "highway_construction"]
    assert grade["grade"] is None and grade["provisional"] is False and "公示期内" in grade["note"]
    (p,) = result["penalties"]
    rules_end = dt.date(LAST_YEAR + 3, 6, 10).isoformat()  # 严重: at most 3 years from the decision
    assert p["publicity_class"] == "严重" and p["publicity_end"] == rules_end and p["state"] == "in_publicity"
    kinds = [c["kind"] for c in result["consequences"]]
    assert "restriction" in kinds and "incentive" not in kinds
    assert any("严重失信行政处罚" in c["text"] and p["document_no"] in c["source"] for c in result["consequences"])
    assert result["verdict"] == "restriction"
    # the same from the profile command
    prof = json.loads(xuyi(database, "profile", ident, "--json").stdout)
    assert prof["penalties"][0]["state_label"] == "公示中" and prof["ratings"][0]["grade"] is None


def test_a_uuid_is_accepted_as_the_query(database: str, ctx: Any) -> None:
    ident = unit(ctx, 2, "盱眙县顺畅路桥有限公司")
    entity_id = credit_check.resolve_query(ctx, ident)
    ctx.close()
    out = xuyi(database, "check", str(entity_id), "--business", "tender", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["entity"]["identifier"] == ident


def test_a_revoked_or_cancelled_entity_gets_no_provisional_grade(ctx: Any) -> None:
    revoked = unit(ctx, 3, "盱眙县吊销路桥有限公司", status=EntityStatus.REVOKED)
    cancelled = unit(ctx, 4, "盱眙县注销路桥有限公司", status=EntityStatus.CANCELLED)
    honest = unit(ctx, 5, "盱眙县诚信路桥有限公司")
    for ident, label in ((revoked, "吊销"), (cancelled, "注销")):
        result = credit_check.run_check(ctx, ident, "licensing")
        (g,) = result.grades
        assert g.grade is None and not g.provisional and label in g.note
        assert not [c for c in result.consequences if c.kind == "incentive"]
        assert any("注销或被吊销" in c.text for c in result.consequences if c.kind == "restriction")
    (g,) = credit_check.run_check(ctx, honest, "licensing").grades
    assert g.grade == "A" and g.provisional


def test_provisional_a_only_where_the_scheme_gives_it(ctx: Any) -> None:
    port = unit(ctx, 6, "盱眙县港务物流有限公司", category="port_operator")
    (g,) = credit_check.run_check(ctx, port, "licensing").grades
    assert g.grade is None and not g.provisional and "不设暂定等级" in g.note


def test_a_violated_commitment_shows_only_the_restriction(ctx: Any) -> None:
    ident = unit(ctx, 7, "盱眙县守约路桥有限公司")
    before = credit_check.run_check(ctx, ident, "licensing")
    assert any("信易批" in c.text for c in before.consequences if c.kind == "incentive")  # 暂定A级's fast track
    c = commitments.add_commitment(ctx, commitments.CommitmentInput(ident, "voluntary", "licensing", "主动公开承诺", 30,
                                                                    signed_on=TODAY - dt.timedelta(days=20)))
    breach = TODAY - dt.timedelta(days=3)
    commitments.violate(ctx, c.id, facts="承诺期内发生违法分包", on=breach)
    after = credit_check.run_check(ctx, ident, "licensing")
    assert [x.kind for x in after.consequences if x.kind != "info"] == ["restriction"]
    assert not [x for x in after.consequences if x.kind == "incentive"]
    (sup,) = [s for s in after.suppressed if "信易批" in s["text"]]
    assert "违诺" in sup["reason"]
    assert after.dishonesty[0]["occurred_on"] == breach.isoformat()  # the breach date, not the day it was entered


@pytest.mark.slow
def test_commitment_for_a_d_unit_is_refused_unless_a_reviewer_overrides(database: str, ctx: Any) -> None:
    ident = unit(ctx, 8, "盱眙县低分路桥有限公司")
    effective(ctx, ident, 50)
    users.create_user(ctx, "admin", "Admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "Admin-secret-1")
    users.create_user(ctx, "clerk", "Clerk-secret-1", Role.CLERK)
    users.create_user(ctx, "rev", "Review-secret-1", Role.REVIEWER)
    ctx.close()
    args = ("commitment", "add", "--entity", ident, "--type", "missing_materials", "--area", "licensing",
            "--business", "道路运输经营许可 XK-2026-0999", "--term-days", "20", "--json")
    clerk = {"XUYI_USER": "clerk", "XUYI_PASSWORD": "Clerk-secret-1"}
    refused = xuyi(database, *args, env=clerk)
    assert refused.returncode == 1 and refused.stderr.startswith("错误：不予受理") and "D级" in refused.stderr
    assert refused.stderr.count("\n") == 1
    no_right = xuyi(database, *args, "--override-reason", "急需办理", env=clerk)
    assert no_right.returncode == 1 and "权限" in no_right.stderr
    reviewer = {"XUYI_USER": "rev", "XUYI_PASSWORD": "Review-secret-1"}
    done = xuyi(database, *args, "--override-reason", "县政府专题会议要求容缺办理", env=reviewer)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["check_serial"] and made["check_override_reason"] == "县政府专题会议要求容缺办理" and made["check_override_by"] == "rev"
    log = xuyi(database, "audit", "list", "--json", env={"XUYI_USER": "admin", "XUYI_PASSWORD": "Admin-secret-1"})
    assert any(e["action"] == "commitment.override" for e in json.loads(log.stdout))


def test_general_penalty_suppresses_incentives_and_repair_or_expiry_lifts_it(ctx: Any) -> None:
    ident = unit(ctx, 9, "盱眙县一般路桥有限公司")
    effective(ctx, ident, 96)  # AA
    decided = TODAY - dt.timedelta(days=40)
    view = penalty(ctx, 9, decided, "一般")
    tender = credit_check.run_check(ctx, ident, "tender")
    assert not [c for c in tender.consequences if c.kind == "incentive"]
    assert {s["text"] for s in tender.suppressed} >= {"减免投标保证金、履约保证金、质量保证金"}
    later = credit_check.check_entity(ctx, credit_check.resolve_query(ctx, ident), "tender", today=view.publicity_end + dt.timedelta(days=1))
    assert any(c.kind == "incentive" for c in later.consequences) or later.grades[0].grade != "AA"


def test_the_profile_lists_every_kind_of_record(ctx: Any) -> None:
    ident = unit(ctx, 10, "盱眙县全面路桥有限公司")
    penalty(ctx, 10, TODAY - dt.timedelta(days=10), "一般")
    commitments.add_commitment(ctx, commitments.CommitmentInput(ident, "voluntary", "licensing", "主动承诺", 30))
    credit_check.run_check(ctx, ident, "licensing")
    profile = get_profile(ctx, ident)
    assert profile.entity.status_label == "存续" and len(profile.penalties) == 1 and len(profile.commitments) == 1
    assert profile.checks and profile.penalties[0].rules_source.startswith("2026")
    assert profile.ratings[0].grade is None  # 一般 penalty in publicity since this period: no 暂定A级


def test_an_ambiguous_fragment_uses_no_serial(ctx: Any) -> None:
    unit(ctx, 11, "盱眙运达路桥有限公司")
    unit(ctx, 12, "盱眙运通路桥有限公司")
    with pytest.raises(credit_check.AmbiguousQueryError) as many:
        credit_check.run_check(ctx, "盱眙运", "licensing")
    assert len(many.value.hits) == 2
    with ctx.transaction() as s:
        assert s.execute(select(func.count()).select_from(CreditCheck)).scalar_one() == 0


def test_a_penalty_received_by_sync_changes_the_next_check(tmp_path: Path) -> None:
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    bureau, field = make_offices(tmp_path, ["320830", "320830-ZF"])
    try:
        with bureau.active():
            ident = unit(bureau.ctx, 13, "盱眙县同步路桥有限公司")
            first = sync.export_package(bureau.ctx, field.code, tmp_path / "1.xsync")
        with field.active():
            sync.import_package(field.ctx, first.path)
            before = credit_check.run_check(field.ctx, ident, "licensing")
            assert before.grades[0].provisional and not before.penalties
        with bureau.active():
            penalty(bureau.ctx, 13, dt.date(LAST_YEAR, 9, 1), "严重")
            second = sync.export_package(bureau.ctx, field.code, tmp_path / "2.xsync")
        with field.active():
            sync.import_package(field.ctx, second.path)
            after = credit_check.run_check(field.ctx, ident, "licensing")
        assert after.penalties and after.penalties[0]["publicity_class"] == "严重"
        assert not after.grades[0].provisional and after.verdict == "restriction"
    finally:
        bureau.close()
        field.close()


# --- 双公示 records other systems send, and a year without a holiday calendar -------------------------------

def national_workbook(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A 行政处罚 sheet with the national standard's CF_ code headers only — no 失信程度（公示类别） column."""
    from openpyxl import Workbook

    from xuyi_desktop.domain import sgs as rules

    fields = [f for f in rules.fields_for(RecordKind.PENALTY) if rules.field_code(RecordKind.PENALTY, f.name)]
    wb = Workbook()
    ws = wb.active
    ws.title = "行政处罚"
    ws.append([rules.field_code(RecordKind.PENALTY, f.name) for f in fields])
    for raw in rows:
        ws.append([raw.get(f.name) for f in fields])
    wb.save(path)
    return path


def test_a_national_workbook_without_a_class_column_imports(tmp_path: Path, ctx: Any) -> None:
    from xuyi_desktop.services.sgs_exchange import import_sgs

    decided_2025, decided_2026 = dt.date(2025, 11, 3), dt.date(2026, 5, 11)
    rows = [
        {**penalty_raw(21, decided_2025), "cflb": "罚款；吊销许可证件", "zkdx": "道路运输经营许可证 320830001"},
        {**penalty_raw(22, decided_2026), "cflb": "罚款", "fk": "2"},
        {**penalty_raw(23, decided_2026), "cflb": "其他", "fk": None, "nr": "责令改正"},
        {**penalty_raw(24, decided_2026), "cflb": "通报批评", "fk": None, "nr": "通报批评"},
    ]
    for r in rows:
        r.pop("publicity_class")
        for k in ("jdrq", "cf_yxq"):
            r[k] = r[k].replace("-", "/")  # the national files' YYYY/MM/DD
    path = national_workbook(tmp_path / "国家标准导出.xlsx", rows)
    result = import_sgs(ctx, path)
    assert result.ok and result.imported == 4, result.to_json()
    views = {v.document_no: v for v in sgs.list_records(ctx)}
    serious, general, pending, minor = (views[r["wsh"]] for r in rows)
    assert (serious.values["publicity_class"], serious.class_source) == ("严重", "rule")
    assert serious.publicity_end == dt.date(2028, 11, 3)  # decided in 2025: the 2023 trial measures' 3 years
    assert (general.values["publicity_class"], general.class_source) == ("一般", "rule")
    assert general.publicity_end == dt.date(2027, 5, 11)  # decided 2026-05: the 2026 order, 1 year
    assert (pending.values["publicity_class"], pending.class_source) == ("待定", "pending") and pending.publicity_end is None
    assert minor.values["publicity_class"] == "轻微" and minor.publicity_end is None
    reviewed = sgs.classify_record(ctx, pending.id, "一般", reason="经审核属一般失信行为")
    assert reviewed.values["publicity_class"] == "一般" and reviewed.publicity_end == dt.date(2027, 5, 11)


def test_the_rules_in_force_on_the_decision_date_set_the_periods(ctx: Any) -> None:
    from xuyi_desktop.services.profile import penalty_fact
    from xuyi_desktop.storage.models_sgs import SgsRecord

    old = penalty(ctx, 31, dt.date(2025, 3, 1), "一般", wfxw="违反安全生产管理规定")
    new = penalty(ctx, 32, dt.date(2026, 5, 6), "一般", wfxw="违反安全生产管理规定")
    with ctx.transaction() as s:
        f_old = penalty_fact(s.get(SgsRecord, old.id), TODAY)
        f_new = penalty_fact(s.get(SgsRecord, new.id), TODAY)
    assert "2023" in f_old.rules_source and "2026" in f_new.rules_source
    assert f_old.repair_from == dt.date(2026, 3, 1)  # the trial measures' one-year minimum for work safety
    assert f_new.repair_from == dt.date(2026, 8, 6)  # the 2026 order: three months


def test_a_year_without_a_calendar_gives_a_tentative_deadline_that_counts_and_is_recomputed(
    tmp_path: Path, database: str, ctx: Any,
) -> None:
    from xuyi_desktop.services import sgs_calendar, sgs_stats

    if 2027 in sgs_calendar.calendar().years:
        pytest.skip("the 2027 holiday notice is installed in this build")
    view = penalty(ctx, 41, dt.date(2026, 12, 28), "一般")
    assert view.deadline == dt.date(2027, 1, 6) and view.deadline_tentative  # 1 Jan counted as a working day
    assert view.to_json()["deadline_label"] == "2027-01-06（待确认）"
    stats = sgs_stats.indicators(ctx, date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 12, 31), as_of=dt.date(2027, 1, 8))
    assert stats.due == 1 and stats.reported == 0  # due, not overdue-forever-uncounted
    assert sgs_calendar.missing_calendar_notice(dt.date(2026, 11, 2)) and not sgs_calendar.missing_calendar_notice(dt.date(2026, 10, 31))
    ctx.close()
    year = tmp_path / "2027.toml"
    year.write_text(
        'year = 2027\nnotice = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"\npublished = 2026-11-20\n\n'
        '[[holiday]]\nname = "元旦"\nfrom = 2027-01-01\nto = 2027-01-03\nworkdays = []\n', encoding="utf-8")
    try:
        out = xuyi(database, "workdays", "install", str(year))
        assert out.returncode == 0 and "1条待确认的报送截止日" in out.stdout, out.stderr
        listed = json.loads(xuyi(database, "sgs", "list", "--json").stdout)
        assert listed[0]["deadline"] == "2027-01-07" and listed[0]["deadline_tentative"] is False
    finally:
        (sgs_calendar.user_holiday_dir() / "2027.toml").unlink(missing_ok=True)
        sgs_calendar.reload()  # the process-wide calendar must not keep this test's 2027


# --- rating rules that hold for every input -----------------------------------------------------------------

def test_direct_d_lasts_as_long_as_its_penalty_and_lists_say_so(tmp_path: Path, ctx: Any) -> None:
    from openpyxl import load_workbook

    from xuyi_desktop.services.rating_exchange import export_publicity

    ident = unit(ctx, 51, "盱眙县转包路桥有限公司")
    until = dt.date(TODAY.year + 2, 6, 30)
    view = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", LAST_YEAR, deductions=(("JC-02", None),),
                                                       penalty_until=until))
    assert view.grade == "D" and view.score == 100  # the deductions leave the score whole; the act decides
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY):
        ratings.set_status(ctx, view.id, status, today=step_day(status))
    out = export_publicity(ctx, period=LAST_YEAR, domain="highway_construction", out=tmp_path / "公示.xlsx")
    ws = load_workbook(out.path).active
    texts = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "直接定为D级" in texts and 100 not in texts and "100" not in texts
    done = ratings.set_status(ctx, view.id, RatingStatus.EFFECTIVE)
    assert done.valid_until == until and any("处罚期限" in w for w in done.warnings)
    with pytest.raises(Exception, match="直接定级"):
        ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", LAST_YEAR - 1, score=80, penalty_until=until))


def test_points_bands_have_exclusive_upper_bounds(ctx: Any) -> None:
    from xuyi_desktop.domain.ratings import derive_grade
    from xuyi_desktop.services.schemes import registry

    driver = registry().latest("road_driver")
    assert [derive_grade(driver, None, p).grade for p in (0, 0.5, 10, 10.5, 19, 19.5, 19.995, 20)] == [
        "AAA", "AA", "AA", "A", "A", "A", "A", "B"]
    operator = registry().latest("road_water_operator")
    assert derive_grade(operator, 45, 19.995).grade == "B" and derive_grade(operator, 45, 20).grade == "C"


def test_the_rise_looks_back_past_unrated_years_and_earlier_periods_use_the_scheme_then(ctx: Any) -> None:
    ident = unit(ctx, 52, "盱眙县爬坡路桥有限公司")
    old = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", TODAY.year - 3, score=65))  # C
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, old.id, status, today=step_day(status))
    jumped = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", TODAY.year - 1, score=98))
    assert jumped.grade == "B" and any("逐级上升" in w for w in jumped.warnings)  # C two years ago caps it at B
    operator = uscc(2053)
    register_entity(ctx, EntityDraft(name="盱眙县老牌客运有限公司", identifier=operator, categories=("road_operator",)))
    legacy = ratings.add_rating(ctx, ratings.RatingInput(operator, "road_water_operator", 2023, score=720))
    assert (legacy.domain, legacy.grade) == ("road_transport_quality_legacy", "AA")  # 1000-point scheme then in force
    with pytest.raises(Exception, match="已被“道路水路运输经营者”取代"):
        ratings.add_rating(ctx, ratings.RatingInput(operator, "road_transport_quality_legacy", 2025, score=720))
