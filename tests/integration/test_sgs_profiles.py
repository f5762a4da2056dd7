"""Export profiles of the upper platforms (resources/exchange/profiles) and the platform's feedback file (issue 16).

The template and feedback fixtures in tests/support/platform were typed from SOURCES.md §3, not from our
profile files (see make_fixtures.py there), so the header comparisons can fail.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xuyi_desktop.domain.sgs import RecordKind, ReportStatus
from xuyi_desktop.exchange.profiles import ProfileError, list_profiles, load_profile
from xuyi_desktop.services import sgs
from xuyi_desktop.services.sgs_demo import license_raw, penalty_raw
from xuyi_desktop.services.sgs_exchange import NothingToReport, export_sgs, sgs_profile_fields
from xuyi_desktop.services.sgs_feedback import import_feedback

PLATFORM = Path(__file__).resolve().parents[1] / "support" / "platform"
TODAY = dt.date(2025, 12, 1)
NOV = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
DATE = re.compile(r"^\d{4}/\d{2}/\d{2}$")


def header(path: Path) -> list[str]:
    ws = load_workbook(path, read_only=True).worksheets[0]
    return [c for c in next(ws.iter_rows(values_only=True)) if c is not None]


def rows(path: Path) -> list[dict[str, str]]:
    ws = load_workbook(path, read_only=True).worksheets[0]
    it = ws.iter_rows(values_only=True)
    head = list(next(it))
    return [dict(zip(head, r)) for r in it]


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True, check=False,
                          timeout=120)


@pytest.mark.parametrize("kind, profile, fixture", [
    (RecordKind.PENALTY, "jiangsu_sgs_cf", "jiangsu_sgs_cf_template.xlsx"),
    (RecordKind.LICENSE, "jiangsu_sgs_xk", "jiangsu_sgs_xk_template.xlsx"),
])
def test_profile_export_has_exactly_the_templates_header_and_dates(tmp_path: Path, ctx, kind, profile, fixture) -> None:
    for i in (1, 2, 3):
        raw = penalty_raw(i, dt.date(2025, 11, 2 + i), person=i == 3) if kind is RecordKind.PENALTY else license_raw(i, dt.date(2025, 11, 2 + i))
        sgs.add_record(ctx, kind, raw, today=TODAY)
    sgs.add_record(ctx, RecordKind.PENALTY if kind is RecordKind.LICENSE else RecordKind.LICENSE,
                   (license_raw if kind is RecordKind.PENALTY else penalty_raw)(9, dt.date(2025, 11, 4)), today=TODAY)  # the other type
    out = tmp_path / "batch.xlsx"
    result = export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=out, profile=profile, batch_no="B-11", today=TODAY)
    assert header(out) == header(PLATFORM / fixture)  # the platform's columns, codes and order exactly
    assert "失信程度" not in str(header(out)) and not any("publicity" in h for h in header(out))
    data = rows(out)
    assert len(data) == 3 and result.rows == 3 and not result.zero_report
    prefix = kind.value
    for r in data:
        assert DATE.match(r[f"{prefix}_JDRQ"]), r[f"{prefix}_JDRQ"]
        assert r[f"{prefix}_XDR_LB"] in ("法人及非法人组织", "自然人", "个体工商户")
    assert data[0][f"{prefix}_JDRQ"] == "2025/11/03"
    if kind is RecordKind.PENALTY:
        assert data[0]["CF_NR_FK"] == "0.5" and data[0]["CF_CFLB"] == "罚款"
        assert all(DATE.match(r["CF_GSJZQ"]) for r in data)
        assert data[2]["CF_XDR_ZJHM"] and "*" not in data[2]["CF_XDR_ZJHM"]  # the platform gets the full number
    else:
        assert data[0]["XK_YXQZI"] == "2029/11/03" and data[0]["XK_ZT"] == "有效"
    # Only that type was marked reported, with the batch number.
    views = {v.document_no: v for v in sgs.list_records(ctx, today=TODAY)}
    assert {v.batch_no for v in views.values() if v.kind is kind} == {"B-11"}
    assert {v.batch_no for v in views.values() if v.kind is not kind} == {""}


def test_a_month_without_records_writes_the_zero_report_and_nothing_new_is_refused(tmp_path: Path, ctx) -> None:
    zero = tmp_path / "zero.xlsx"
    result = export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=zero, profile="jiangsu_sgs_xk", unit="盱眙县交通运输局", today=TODAY)
    assert result.zero_report and result.rows == 0 and result.batch_no == ""
    ws = load_workbook(zero).worksheets[0]
    assert ws.title == "零报送"
    lines = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert lines["报送单位"] == "盱眙县交通运输局" and lines["所属期"] == "2025年11月"
    assert lines["报送情况"].startswith("本月无数据") and lines["数据类别"] == "双公示·行政许可"

    sgs.add_record(ctx, RecordKind.LICENSE, license_raw(1, dt.date(2025, 11, 3)), today=TODAY)
    export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=tmp_path / "b1.xlsx", profile="jiangsu_sgs_xk", today=TODAY)
    again = tmp_path / "b2.xlsx"
    with pytest.raises(NothingToReport, match="均已报送"):  # decisions exist, all sent: not a zero report
        export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=again, profile="jiangsu_sgs_xk", today=TODAY)
    assert not again.exists()


def test_a_changed_template_is_a_new_data_file(tmp_path: Path, ctx) -> None:
    """A destination whose template has other columns, labels as headers and ISO dates: only a file."""
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 11, 3)), today=TODAY)
    text = (Path(load_profile("jiangsu_sgs_cf").path)).read_text(encoding="utf-8")  # type: ignore[arg-type]
    text = text.replace('name = "jiangsu_sgs_cf"', 'name = "city_cf"').replace('header = "code"', 'header = "label"')
    text = text.replace('date_format = "%Y/%m/%d"', 'date_format = "%Y-%m-%d"')
    text += '\n[values.cflb]\n"罚款" = "2"\n'
    custom = tmp_path / "city_cf.toml"
    custom.write_text(text, encoding="utf-8")
    out = tmp_path / "city.xlsx"
    export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=out, profile=str(custom), today=TODAY)
    assert header(out)[:3] == ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)"]
    row = rows(out)[0]
    assert row["处罚决定日期"] == "2025-11-03" and row["处罚类别"] == "2"

    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('field = "sy"', 'field = "shixiang"'), encoding="utf-8")
    with pytest.raises(ProfileError, match="shixiang"):
        export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=tmp_path / "x.xlsx", profile=str(bad), today=TODAY)
    assert not (tmp_path / "x.xlsx").exists()


def test_every_shipped_profile_loads_against_its_source() -> None:
    profiles = list_profiles(fields=sgs_profile_fields())
    names = {p.name for p in profiles}
    assert {"jiangsu_sgs_xk", "jiangsu_sgs_cf"} <= names
    for p in profiles:
        assert p.path is not None and p.path.stem == p.name  # the file is named after the profile


def test_feedback_marks_refused_records_then_a_correction_leaves_and_is_sent_again(tmp_path: Path, ctx) -> None:
    one = sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 11, 3)), today=TODAY)
    sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, dt.date(2025, 11, 4)), today=TODAY)
    export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=tmp_path / "b1.xlsx", profile="jiangsu_sgs_cf", batch_no="B1", today=TODAY)

    result = import_feedback(ctx, PLATFORM / "jiangsu_sgs_feedback.xlsx", today=TODAY)
    assert [m.document_no for m in result.marked] == ["盱交罚〔2025〕1号"]
    assert result.accepted == 1 and [u.document_no for u in result.unmatched] == ["盱交罚〔2020〕999号"]
    view = sgs.get_record(ctx, one.id, today=TODAY)
    assert view.resubmit_needed and view.status_text == "待重报"
    assert view.rejected_reason == "CF_NR_FK 罚款金额与处罚内容不一致" and view.rejected_on == TODAY

    # Not corrected: stays 待重报 and out of the batch (it would be refused again).
    with pytest.raises(NothingToReport, match="1 条平台退回待重报的记录尚未更正"):
        export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=tmp_path / "b2.xlsx", profile="jiangsu_sgs_cf", today=TODAY)
    fixed = sgs.correct_record(ctx, one.id, {"nr": "罚款人民币五千元整"}, reason="按平台反馈更正处罚内容", today=TODAY)
    assert fixed.status_text == "待重报" and fixed.rejected_reason == ""
    out = tmp_path / "b3.xlsx"
    export_sgs(ctx, date_from=NOV[0], date_to=NOV[1], out=out, profile="jiangsu_sgs_cf", batch_no="B3", today=TODAY)
    assert [r["CF_WSH"] for r in rows(out)] == ["盱交罚〔2025〕1号"]
    after = sgs.get_record(ctx, one.id, today=TODAY)
    assert not after.resubmit_needed and after.batch_no == "B3" and after.status_text == ReportStatus.LATE.label  # sent after its deadline


def test_feedback_with_code_headers_and_the_cli(tmp_path: Path, database: str) -> None:
    from xuyi_desktop.services.context import open_context

    ctx = open_context(database)
    try:
        sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(1, dt.date(2025, 11, 3)), today=TODAY)
        sgs.add_record(ctx, RecordKind.PENALTY, penalty_raw(2, dt.date(2025, 11, 4)), today=TODAY)
    finally:
        ctx.close()
    out = tmp_path / "cf.xlsx"
    done = xuyi(database, "export", "sgs", "--profile", "jiangsu_sgs_cf", "--month", "2025-11", "--out", str(out), "--batch", "B1",
                "--today", "2025-12-01")
    assert done.returncode == 0, done.stderr
    assert header(out) == header(PLATFORM / "jiangsu_sgs_cf_template.xlsx")
    fb = xuyi(database, "import", "sgs-feedback", str(PLATFORM / "jiangsu_sgs_feedback_codes.xlsx"))
    assert fb.returncode == 0, fb.stderr
    assert "退回待重报 1 条" in fb.stdout and "盱交罚〔2020〕999号" in fb.stderr
    listed = xuyi(database, "sgs", "list", "--json", "--today", "2025-12-01")
    import json

    marked = [r for r in json.loads(listed.stdout) if r["status_text"] == "待重报"]
    assert [r["values"]["wsh"] for r in marked] == ["盱交罚〔2025〕1号"]
    assert marked[0]["rejected_reason"].startswith("CF_NR_FK")
    # Usage and refusals: one line, nothing written.
    assert xuyi(database, "export", "sgs", "--profile", "jiangsu_sgs_cf", "--out", str(tmp_path / "n.xlsx")).returncode == 2
    nope = xuyi(database, "export", "sgs", "--profile", "nowhere", "--month", "2025-11", "--out", str(tmp_path / "n.xlsx"))
    assert nope.returncode == 1 and nope.stderr.startswith("错误：没有名为 nowhere 的导出格式") and len(nope.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "n.xlsx").exists()


def test_xyjt_commitments_publication_carries_fulfilment_and_violation(tmp_path: Path, ctx) -> None:
    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services import commitments
    from xuyi_desktop.services.commitments import CommitmentInput
    from xuyi_desktop.services.entities import register_entity
    from xuyi_desktop.services.platform_export import export_publication
    from xuyi_desktop.services.sgs_demo import uscc

    signed = dt.date.today() - dt.timedelta(days=10)
    made = []
    for n in (1, 2, 3):
        register_entity(ctx, EntityDraft(name=f"盱眙第{n}建设工程有限公司", identifier=uscc(300 + n), categories=("construction_unit",),
                                             legal_representative=f"张{n}"), allow_similar=True)
        made.append(commitments.add_commitment(ctx, CommitmentInput(uscc(300 + n), "approval_substitute", "licensing", "道路运输经营许可申请", 30,
                                                                    signed_on=signed)))
    commitments.fulfil(ctx, made[0].id, note="按期补齐材料")
    commitments.violate(ctx, made[1].id, facts="承诺的材料经核查不实", handling="撤销许可，记入失信记录")
    out = tmp_path / "commitments.xlsx"
    start, end = signed.replace(day=1), dt.date.today()
    result = export_publication(ctx, "xyjt_jiangsu_commitments", date_from=start, date_to=end, out=out)
    assert result.rows == 3 and not result.zero_report
    profile = load_profile("xyjt_jiangsu_commitments")
    assert header(out) == profile.headers and header(out)[0] == "承诺主体名称"
    data = {r["承诺主体名称"]: r for r in rows(out)}
    assert data["盱眙第1建设工程有限公司"]["履约状态"] == "已践诺" and data["盱眙第1建设工程有限公司"]["履约情况"] == "按期补齐材料"
    assert data["盱眙第2建设工程有限公司"]["履约状态"] == "违诺" and data["盱眙第2建设工程有限公司"]["违诺事实"] == "承诺的材料经核查不实"
    assert data["盱眙第3建设工程有限公司"]["履约状态"] == "履约中"
    assert DATE.match(data["盱眙第3建设工程有限公司"]["承诺日期"])
    zero = tmp_path / "zero.xlsx"
    assert export_publication(ctx, "xyjt_jiangsu_repairs", date_from=start, date_to=end, out=zero, unit="县交通运输局").zero_report
    assert load_workbook(zero).worksheets[0].title == "零报送"
    with pytest.raises(ProfileError, match="双公示格式"):
        export_publication(ctx, "jiangsu_sgs_cf", date_from=start, date_to=end, out=tmp_path / "x.xlsx")


def test_every_shipped_publication_profile_names_fields_its_source_has(tmp_path: Path, ctx) -> None:
    from xuyi_desktop.services.platform_export import SOURCE_FIELDS, export_publication, publication_profiles

    profiles = publication_profiles()
    assert {p.name for p in profiles} >= {"xyjt_jiangsu_ratings", "xyjt_jiangsu_commitments", "xyjt_jiangsu_lists", "xyjt_jiangsu_repairs"}
    for p in profiles:
        load_profile(p.name, fields=SOURCE_FIELDS)  # refuses a field the source lacks
        export_publication(ctx, p.name, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), out=tmp_path / f"{p.name}.xlsx")
