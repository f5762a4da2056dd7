"""Tender day (issue 13): the third-party credit report register in the tender check, the batch check of a
bidders' list (one serial and one sheet each, a summary naming the rows that matched nothing or several), and
the consortium check (the lowest member's grade, every member's restrictions) — services, CLI and files."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from rating_flow import step_day
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.domain.tender import TenderRuleError, parse_tender_rules, report_standing
from xuyi_desktop.services import credit_check, ratings, sgs, tender
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.sgs_demo import penalty_raw, uscc
from xuyi_desktop.storage.models import CreditCheck

TODAY = dt.date.today()
LAST_YEAR = TODAY.year - 1
LONG_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=180, check=False)


def unit(ctx: Any, n: int, name: str, category: str = "construction_unit") -> str:
    ident = uscc(1000 + n)  # penalty_raw(n, …) names the same identifier
    register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=(category,), legal_representative="王建军"),
                    allow_similar=True)
    return ident


def rated(ctx: Any, ident: str, score: float) -> None:
    view = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", LAST_YEAR, score=score))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))


def general_penalty(ctx: Any, n: int) -> Any:
    decided = TODAY - dt.timedelta(days=60)
    return sgs.add_record(ctx, RecordKind.PENALTY, {**penalty_raw(n, decided), "publicity_class": "一般"}, today=TODAY)


def serials_used(ctx: Any) -> int:
    with ctx.transaction() as session:
        return int(session.execute(select(func.count()).select_from(CreditCheck)).scalar_one())


def report(ctx: Any, ident: str, number: str, *, registered: bool = True, issued: dt.date | None = None,
           until: dt.date | None = None, agency: str = "江苏信用评估有限公司", grade: str = "AAA") -> tender.ReportView:
    issued = issued or TODAY - dt.timedelta(days=100)
    return tender.add_report(ctx, tender.ReportInput(
        ident, agency, registered, number, issued, until or issued + dt.timedelta(days=365), grade=grade,
        agency_registration_no="JSXY-2024-018" if registered else ""))


# --- the register ---------------------------------------------------------------------------------------

def test_report_standing_rules() -> None:
    day = dt.date(2026, 6, 1)
    ok = report_standing(registered=True, issued_on=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31), today=day)
    assert ok.valid and ok.label == "有效"
    soon = report_standing(registered=True, issued_on=dt.date(2025, 7, 1), valid_until=dt.date(2026, 6, 20), today=day)
    assert soon.valid and soon.state == "expiring" and "19天后到期" in soon.label
    last = report_standing(registered=True, issued_on=dt.date(2025, 6, 1), valid_until=day, today=day)
    assert last.valid and "今天到期" in last.label
    old = report_standing(registered=True, issued_on=dt.date(2024, 6, 1), valid_until=dt.date(2025, 5, 31), today=day)
    assert not old.valid and old.state == "expired" and "已过期" in old.label
    bad = report_standing(registered=False, issued_on=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31), today=day)
    assert not bad.valid and bad.state == "unregistered" and "未备案" in bad.label
    both = report_standing(registered=False, issued_on=dt.date(2024, 1, 1), valid_until=dt.date(2024, 12, 31), today=day)
    assert not both.valid and "未备案" in both.label and "已过期" in both.label


def test_rule_file_mistakes_are_named() -> None:
    codes = ["tender", "licensing"]
    with pytest.raises(TenderRuleError, match="businesses"):
        parse_tender_rules('[third_party_report]\nbusinesses = ["bidding"]', where="t.toml", business_codes=codes)
    with pytest.raises(TenderRuleError, match="grade"):
        parse_tender_rules('[consortium]\ngrade = "average"', where="t.toml", business_codes=codes)
    with pytest.raises(TenderRuleError, match="member_restrictions"):
        parse_tender_rules('[consortium]\nmember_restrictions = "yes"', where="t.toml", business_codes=codes)
    rules = parse_tender_rules("", where="t.toml", business_codes=codes)
    assert rules.reports.businesses == ("tender",) and rules.consortium.member_restrictions


def test_the_tender_check_shows_valid_expired_and_unregistered_reports_for_what_they_are(ctx: Any) -> None:
    ident = unit(ctx, 1, "盱眙县通达路桥工程有限公司")
    expired = report(ctx, ident, "XY-2023-001", issued=TODAY - dt.timedelta(days=800), until=TODAY - dt.timedelta(days=435))
    unregistered = report(ctx, ident, "ZX-2026-777", registered=False, agency="某某征信咨询工作室")
    valid = report(ctx, ident, "JSXY-2026-0042")
    assert valid.valid and not expired.valid and not unregistered.valid

    result = credit_check.run_check(ctx, ident, "tender")
    shown = result.third_party_reports
    assert shown is not None and [r["report_no"] for r in shown][0] == "JSXY-2026-0042"  # the valid one first
    by_no = {r["report_no"]: r for r in shown}
    assert by_no["JSXY-2026-0042"]["valid"] and by_no["JSXY-2026-0042"]["state_label"] == "有效"
    assert not by_no["XY-2023-001"]["valid"] and "已过期" in by_no["XY-2023-001"]["state_label"]
    assert not by_no["ZX-2026-777"]["valid"] and "未备案" in by_no["ZX-2026-777"]["state_label"]
    assert tender.report_summary(shown).startswith("江苏信用评估有限公司 JSXY-2026-0042")
    # the logged check keeps what was shown
    with ctx.transaction() as session:
        logged = session.execute(select(CreditCheck).where(CreditCheck.serial == result.serial)).scalar_one()
        assert len(json.loads(logged.result_json)["third_party_reports"]) == 3
    # other businesses do not look at them
    assert credit_check.run_check(ctx, ident, "licensing").third_party_reports is None
    # only the invalid ones: the check says there is no valid report and why
    tender.void_report(ctx, valid.id, reason="录入错误，报告属于另一家单位")
    again = credit_check.run_check(ctx, ident, "tender")
    assert not any(r["valid"] for r in again.third_party_reports or [])
    assert tender.report_summary(again.third_party_reports).startswith("无有效报告")
    assert [r.report_no for r in tender.list_reports(ctx, entity=ident, valid_only=True)] == []


def test_register_refuses_bad_input_and_the_same_report_twice(ctx: Any) -> None:
    from xuyi_desktop.domain.errors import ValidationError

    ident = unit(ctx, 2, "盱眙县顺畅路桥有限公司")
    report(ctx, ident, "JSXY-2026-0001")
    with pytest.raises(ValidationError, match="已登记"):
        report(ctx, ident, "JSXY-2026-0001")
    with pytest.raises(ValidationError, match="不能早于出具日期"):
        report(ctx, ident, "JSXY-2026-0002", issued=TODAY - dt.timedelta(days=10), until=TODAY - dt.timedelta(days=20))
    with pytest.raises(ValidationError, match="晚于今天"):
        report(ctx, ident, "JSXY-2026-0003", issued=TODAY + dt.timedelta(days=1))


@pytest.mark.slow
def test_tpr_cli_add_list_void(database: str, ctx: Any) -> None:
    ident = unit(ctx, 3, LONG_NAME, category="port_operator")
    ctx.close()
    issued = (TODAY - dt.timedelta(days=30)).isoformat()
    until = (TODAY + dt.timedelta(days=335)).isoformat()
    out = xuyi(database, "tpr", "add", "--entity", ident, "--agency", "江苏信用评估有限公司", "--registered",
               "--registration-no", "JSXY-2024-018", "--report-no", "JSXY-2026-0100", "--issued", issued,
               "--valid-until", until, "--grade", "AA", "--json")
    assert out.returncode == 0, out.stderr
    added = json.loads(out.stdout)
    assert added["valid"] and added["entity_name"] == LONG_NAME
    out = xuyi(database, "tpr", "add", "--entity", ident, "--agency", "无名咨询", "--not-registered",
               "--report-no", "WM-1", "--issued", issued, "--valid-until", until)
    assert out.returncode == 0, out.stderr
    assert "未备案" in out.stdout
    listed = json.loads(xuyi(database, "tpr", "list", "--entity", ident, "--json").stdout)
    assert [(r["report_no"], r["valid"]) for r in listed] == [("JSXY-2026-0100", True), ("WM-1", False)]
    assert [r["report_no"] for r in json.loads(xuyi(database, "tpr", "list", "--valid-only", "--json").stdout)] == ["JSXY-2026-0100"]
    text = xuyi(database, "tpr", "list").stdout
    assert "出具机构未备案" in text and "JSXY-2026-0100" in text
    # the check shows them
    check = xuyi(database, "check", ident, "--business", "tender")
    assert check.returncode == 0, check.stderr
    assert "第三方信用报告" in check.stdout and "JSXY-2026-0100" in check.stdout and "未备案" in check.stdout
    # one line errors, nothing written
    bad = xuyi(database, "tpr", "add", "--entity", ident, "--agency", "江苏信用评估有限公司", "--registered",
               "--report-no", "JSXY-2026-0101", "--issued", until, "--valid-until", issued)
    assert bad.returncode == 1 and bad.stderr.startswith("错误：") and len(bad.stderr.strip().splitlines()) == 1
    usage = xuyi(database, "tpr", "add", "--entity", ident, "--agency", "x", "--report-no", "1", "--issued", issued,
                 "--valid-until", until)  # neither --registered nor --not-registered
    assert usage.returncode == 2
    void = xuyi(database, "tpr", "void", added["id"], "--reason", "重复录入")
    assert void.returncode == 0, void.stderr
    assert [r["report_no"] for r in json.loads(xuyi(database, "tpr", "list", "--json").stdout)] == ["WM-1"]
    assert xuyi(database, "tpr", "void", added["id"], "--reason", "再次").returncode == 1


def test_a_report_entered_at_a_field_office_reaches_the_bureau_check(tmp_path: Path) -> None:
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    bureau, field, *_ = offices = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    try:
        with field.active():
            ident = unit(field.ctx, 4, "盱眙县港航工程有限公司")
            report(field.ctx, ident, "JSXY-2026-0200")
            package = sync.export_package(field.ctx, bureau.code, tmp_path / "f.xsync")
        with bureau.active():
            done = sync.import_package(bureau.ctx, package.path)
            assert done.per_table.get("third_party_report.insert") == 1, done.per_table
            shown = credit_check.run_check(bureau.ctx, ident, "tender").third_party_reports
            assert [(r["report_no"], r["valid"]) for r in shown or []] == [("JSXY-2026-0200", True)]
        # withdrawn at the bureau (a reviewer's act there): the tombstone reaches the field office
        with bureau.active():
            from xuyi_desktop.services.users import create_user, login

            create_user(bureau.ctx, "admin", "admin-pass-1", Role.ADMIN)
            login(bureau.ctx, "admin", "admin-pass-1")
            create_user(bureau.ctx, "clerk", "clerk-pass-1", Role.CLERK)
            create_user(bureau.ctx, "shen", "reviewer-pass-1", Role.REVIEWER)
            login(bureau.ctx, "clerk", "clerk-pass-1")
            (view,) = tender.list_reports(bureau.ctx, entity=ident)
            with pytest.raises(PermissionDenied):  # a clerk registers reports; withdrawing one is a reviewer's act
                tender.void_report(bureau.ctx, view.id, reason="x")
            login(bureau.ctx, "shen", "reviewer-pass-1")
            (view,) = tender.list_reports(bureau.ctx, entity=ident)
            tender.void_report(bureau.ctx, view.id, reason="报告属于另一家单位")
            back = sync.export_package(bureau.ctx, field.code, tmp_path / "b.xsync")
        with field.active():
            sync.import_package(field.ctx, back.path)
            assert credit_check.run_check(field.ctx, ident, "tender").third_party_reports == []
            assert tender.list_reports(field.ctx) == []
    finally:
        for o in offices:
            o.close()


# --- batch check ----------------------------------------------------------------------------------------

def bidders_list(path: Path, rows: list[tuple[str, str]], *, title: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["盱眙县某公路工程施工招标 投标人名单"])
    ws.append(["序号", "投标人名称", "统一社会信用代码", "标段"])
    for i, (name, ident) in enumerate(rows, start=1):
        ws.append([i, name, ident, "一标段"])
    ws.append(["注：以上名单按递交投标文件先后排列"])
    wb.save(path)
    return path


@pytest.fixture
def bidders(ctx: Any, tmp_path: Path) -> dict[str, Any]:
    aa = unit(ctx, 11, "盱眙县路桥工程有限公司")
    rated(ctx, aa, 96)
    c_unit = unit(ctx, 12, "盱眙县交通建设有限公司")
    rated(ctx, c_unit, 65)
    general_penalty(ctx, 12)
    port = unit(ctx, 13, LONG_NAME, category="port_operator")
    report(ctx, aa, "JSXY-2026-0300")
    unit(ctx, 14, "盱眙县宏达工程有限公司")  # two more 盱眙县…工程 names: the fragment below is not unique
    path = bidders_list(tmp_path / "投标人名单.xlsx", [
        ("盱眙县路桥工程有限公司", aa),            # by identifier (and the same name)
        ("盱眙县交通建设有限公司", ""),            # by the exact name
        ("江苏淮河水运集团盱眙县港口物流装卸服务有限公司", port),  # long name, by identifier
        ("淮安市不存在建设有限公司", ""),          # registered nowhere
        ("工程有限公司", ""),                      # a fragment of several names
    ])
    return {"aa": aa, "c": c_unit, "port": port, "path": path}


def test_a_batch_of_five_rows_checks_three_and_names_the_two_problem_rows(ctx: Any, bidders: dict[str, Any], tmp_path: Path) -> None:
    from pypdf import PdfReader

    from xuyi_desktop.services.printing import verify_pdf

    before = serials_used(ctx)
    steps: list[tuple[int, int]] = []
    out, summary = tmp_path / "核查结果.pdf", tmp_path / "汇总.xlsx"
    result = tender.batch_check(ctx, bidders["path"], "tender", out, summary=summary,
                                progress=lambda d, t: steps.append((d, t)))
    assert serials_used(ctx) - before == 3
    assert [r.status for r in result.rows] == ["checked", "checked", "checked", "not_found", "ambiguous"]
    assert [r.row for r in result.rows] == [3, 4, 5, 6, 7]  # sheet rows, under the title and the header
    assert steps[-1][0] == steps[-1][1] and [d for d, _ in steps] == sorted(d for d, _ in steps)
    by_name = {r.name: r for r in result.rows}
    assert by_name["盱眙县交通建设有限公司"].result.verdict == "restriction"
    assert "名称不唯一" == by_name["工程有限公司"].status_label and "匹配到" in by_name["工程有限公司"].message
    assert by_name["淮安市不存在建设有限公司"].status_label == "未找到"
    aa_row = by_name["盱眙县路桥工程有限公司"].result
    assert "JSXY-2026-0300" in tender.report_summary(aa_row.third_party_reports)

    # one PDF: the summary, then one sheet per entity, each with its own verifiable code
    reader = PdfReader(out)
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    assert "信用核查汇总表" in text and "未找到" in text and "名称不唯一" in text
    verified = verify_pdf(ctx, out)
    assert len(verified) == 3 and all(v.valid for _, v in verified)
    assert {r.result.serial for r in result.checked} == {v.serial for _, v in verified}
    assert result.pages == len(reader.pages) >= 4

    # the summary workbook opens again, in list order, the problem rows named
    ws = load_workbook(summary).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[5] for r in rows] == ["已核查", "已核查", "已核查", "未找到", "名称不唯一"]
    assert rows[2][6] == LONG_NAME and rows[0][13] == aa_row.serial
    assert "一般失信行政处罚" in rows[1][10] and rows[1][9] == "存在约束"
    assert "JSXY-2026-0300" in rows[0][12]
    assert rows[4][2] == "工程有限公司" and "统一社会信用代码" in rows[4][14]


def test_cancel_writes_no_file(ctx: Any, bidders: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "cancelled.pdf"
    seen: list[int] = []
    with pytest.raises(tender.BatchCancelled) as caught:
        tender.batch_check(ctx, bidders["path"], "tender", out, progress=lambda d, t: seen.append(d),
                           cancelled=lambda: len(seen) >= 1)
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert len(caught.value.done) == 1 and "已记录" in caught.value.message_zh
    with pytest.raises(tender.BatchCancelled, match="未做任何核查"):
        tender.batch_check(ctx, bidders["path"], "tender", out, cancelled=lambda: True)
    assert not out.exists()


def test_batch_reads_a_single_identifier_column_and_lists_duplicates(ctx: Any, tmp_path: Path) -> None:
    a = unit(ctx, 21, "盱眙县甲工程有限公司")
    wb = Workbook()
    ws = wb.active
    ws.append(["社会信用代码"])
    for value in (a, a.lower(), "91320830MA1XXXXXXX", 913208301234567800):
        ws.append([value])
    wb.save(tmp_path / "list.xlsx")
    result = tender.batch_check(ctx, tmp_path / "list.xlsx", "fund_application", tmp_path / "o.pdf")
    assert [r.status for r in result.rows] == ["checked", "duplicate", "not_found", "invalid"]
    assert "第2行" in result.rows[1].message and "数字" in result.rows[3].message
    assert result.rows[0].result.third_party_reports is None  # not a tender: no report column


@pytest.mark.slow
def test_batch_cli(database: str, ctx: Any, bidders: dict[str, Any], tmp_path: Path) -> None:
    ctx.close()
    out, summary = tmp_path / "cli.pdf", tmp_path / "cli.xlsx"
    run = xuyi(database, "check", "--batch", str(bidders["path"]), "--business", "tender", "--out", str(out),
               "--summary", str(summary), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["checked"] == 3 and data["problems"] == 2 and out.exists() and summary.exists()
    plain = xuyi(database, "check", "--batch", str(bidders["path"]), "--business", "tender", "--out", str(tmp_path / "p.pdf"))
    assert plain.returncode == 0 and "未找到" in plain.stdout and "名称不唯一" in plain.stdout
    assert xuyi(database, "check", "--batch", str(bidders["path"]), "--business", "tender").returncode == 2  # no --out
    assert xuyi(database, "check", "x", "--batch", str(bidders["path"]), "--business", "tender",
                "--out", str(tmp_path / "u.pdf")).returncode == 2
    missing = xuyi(database, "check", "--batch", str(tmp_path / "nope.xlsx"), "--business", "tender", "--out",
                   str(tmp_path / "m.pdf"))
    assert missing.returncode == 1 and missing.stderr.startswith("错误：") and len(missing.stderr.strip().splitlines()) == 1
    # the database check is still `xuyi check` without anything
    assert "数据库" in xuyi(database, "check").stdout


# --- consortium -----------------------------------------------------------------------------------------

def test_a_consortium_of_aa_a_and_c_takes_c_and_the_c_members_restrictions(ctx: Any) -> None:
    aa = unit(ctx, 31, "盱眙县一号路桥有限公司")
    rated(ctx, aa, 96)
    a = unit(ctx, 32, "盱眙县二号路桥有限公司")
    rated(ctx, a, 88)
    c = unit(ctx, 33, "盱眙县三号路桥有限公司")
    rated(ctx, c, 65)
    general_penalty(ctx, 33)
    before = serials_used(ctx)
    result = tender.check_consortium(ctx, [aa, a, c], "tender")
    assert serials_used(ctx) - before == 3 and len({m.serial for m in result.members}) == 3
    (g,) = result.grades
    assert (g.domain, g.grade, g.provisional) == ("highway_construction", "C", False)
    assert g.from_members == ("盱眙县三号路桥有限公司",)
    assert [m.grade for m in g.members] == ["AA", "A", "C"]
    restrictions = [x for x in result.consequences if x.kind == "restriction"]
    assert restrictions and all("盱眙县三号路桥有限公司" in x.source for x in restrictions)
    assert any("一般失信行政处罚" in x.text for x in restrictions)
    assert not [x for x in result.consequences if x.kind == "incentive"]
    assert result.verdict == "restriction" and result.verdict_label == "存在约束"
    # the AA member keeps its own incentives in its own result; the consortium does not get them
    aa_result = result.members[0]
    assert any("减免投标保证金" in x.text for x in aa_result.consequences if x.kind == "incentive")
    assert result.to_json()["grades"][0]["grade"] == "C"


def test_a_member_restriction_overrides_the_consortiums_incentives(ctx: Any) -> None:
    one = unit(ctx, 41, "盱眙县甲路桥有限公司")
    rated(ctx, one, 97)
    two = unit(ctx, 42, "盱眙县乙路桥有限公司")
    rated(ctx, two, 95)
    general_penalty(ctx, 42)
    result = tender.check_consortium(ctx, [one, two], "tender", name="甲乙联合体")
    (g,) = result.grades
    assert g.grade == "AA" and result.name == "甲乙联合体"
    assert not [x for x in result.consequences if x.kind == "incentive"]
    overridden = [s for s in result.suppressed if "减免投标保证金" in s["text"]]
    assert overridden and "盱眙县乙路桥有限公司" in overridden[0]["overridden_by_source"]
    # without the penalty the consortium of two AA units gets the AA incentives
    three = unit(ctx, 43, "盱眙县丙路桥有限公司")
    rated(ctx, three, 96)
    clean = tender.check_consortium(ctx, [one, three], "tender")
    assert any("减免投标保证金" in x.text for x in clean.consequences if x.kind == "incentive")


def test_a_provisional_a_ties_with_an_effective_a_as_effective(ctx: Any) -> None:
    a = unit(ctx, 51, "盱眙县丁路桥有限公司")
    rated(ctx, a, 88)
    new = unit(ctx, 52, "盱眙县戊路桥有限公司")  # never rated: 暂定A级
    mixed = tender.check_consortium(ctx, [a, new], "tender")
    assert (mixed.grades[0].grade, mixed.grades[0].provisional) == ("A", False)
    assert not [x for x in mixed.consequences if x.kind == "incentive"]  # an effective A gets no 优先推荐
    aa = unit(ctx, 53, "盱眙县己路桥有限公司")
    rated(ctx, aa, 96)
    with_provisional = tender.check_consortium(ctx, [aa, new], "tender")
    assert (with_provisional.grades[0].grade, with_provisional.grades[0].provisional) == ("A", True)
    assert any("暂定A级" in x.text for x in with_provisional.consequences if x.kind == "incentive")


@pytest.mark.slow
def test_consortium_cli(database: str, ctx: Any) -> None:
    aa = unit(ctx, 61, "盱眙县庚路桥有限公司")
    rated(ctx, aa, 96)
    c = unit(ctx, 62, "盱眙县辛路桥有限公司")
    rated(ctx, c, 62)
    unit(ctx, 63, "盱眙县壬路桥有限公司")
    ctx.close()
    run = xuyi(database, "check", "--consortium", f"{aa},{c}", "--business", "tender", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["grades"][0]["grade"] == "C" and len(data["members"]) == 2
    text = xuyi(database, "check", "--consortium", f"{aa}，{c}", "--business", "tender")
    assert text.returncode == 0 and "联合体" in text.stdout and "C级" in text.stdout
    one = xuyi(database, "check", "--consortium", aa, "--business", "tender")
    assert one.returncode == 1 and "至少需要2个成员" in one.stderr
    ambiguous = xuyi(database, "check", "--consortium", f"{aa},路桥有限公司", "--business", "tender")
    assert ambiguous.returncode == 1 and "匹配到" in ambiguous.stderr
    twice = xuyi(database, "check", "--consortium", f"{aa},{aa.lower()}", "--business", "tender")
    assert twice.returncode == 1 and "重复" in twice.stderr
    assert xuyi(database, "check", "--consortium", f"{aa},{c}").returncode == 2  # no --business
    again = json.loads(xuyi(database, "check", "--consortium", f"{aa},{c}", "--business", "tender", "--json").stdout)
    assert [m["serial"] for m in again["members"]] != [m["serial"] for m in data["members"]]


# --- migration ------------------------------------------------------------------------------------------

@pytest.mark.sqlite_only("rows written by the 0011 schema into its SQLite file")
def test_a_database_before_the_register_opens_without_loss(tmp_path: Path) -> None:
    """A file at revision 0011 (before the register) with an entity in it opens in this version: the entity is
    there, found and checked, and a report can be registered for it."""
    from alembic import command
    from sqlalchemy import text

    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.entities import find_entities
    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import alembic_config, current_revision, head_revision

    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0011")
    with engine.begin() as conn:  # rows as the 0011 version wrote them
        conn.execute(text(
            "INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
            "VALUES ('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', 'TMP-OLD011', '旧办公室', 'field', 1, 1, '2026-11-02 03:04:05.000000')"
        ))
        conn.execute(text(
            "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
            " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version)"
            " VALUES ('1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', 'org', '盱眙老字号运输有限公司', '91320830PYQLFT169T', '', '', '', '320830',"
            " 'active', '', 'xuyilaozihaoyunshuyouxiangongsi', 'xylzhysyxgs', '盱眙老字号运输', 1,"
            " '2026-11-02 03:04:05.000000', '2026-11-02 03:04:05.000000', 'TMP-OLD011', 'TMP-OLD011', 1)"
        ))
        conn.execute(text("INSERT INTO entity_fts(rowid, uni, bi, ini, py) VALUES (1, '盱 眙', '盱眙 眙老 老字 字号', 'xy yl', 'xuy uyi')"))
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 1)"))
    engine.dispose()

    ctx = open_context(str(db))
    try:
        assert current_revision(ctx.engine) == head_revision()
        assert [h.name for h in find_entities(ctx, "老字号")] == ["盱眙老字号运输有限公司"]
        assert credit_check.run_check(ctx, "91320830PYQLFT169T", "tender").third_party_reports == []
        assert report(ctx, "91320830PYQLFT169T", "JSXY-2026-0400").valid
        assert credit_check.run_check(ctx, "91320830PYQLFT169T", "tender").third_party_reports[0]["valid"]
    finally:
        ctx.close()
