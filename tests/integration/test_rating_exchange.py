"""Rating import/export through real .xlsx files and a real SQLite file: tolerant headers, all-or-nothing with an
error report the clerk can open, the template's drop-downs, the masked publicity list, and the CLI's exit codes."""

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
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.exchange.columns import normalise_header
from xuyi_desktop.exchange.rating_import import rating_layout
from xuyi_desktop.exchange.workbooks import ERROR_FILL, FileProblem
from xuyi_desktop.services import entities, ratings
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.context import CurrentUser
from xuyi_desktop.services.rating_exchange import export_publicity, import_ratings, write_rating_template
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.storage.models import AuditEntry, Entity, Rating

# Construction units (公路水运工程建设从业单位) and key personnel (主要从业人员) of a real-looking county ledger.
ORGS = {
    "91320830PYQLFT169T": "江苏淮盱路桥工程有限公司",
    "923208306JU6UCCY4U": "盱眙县顺通公路养护工程队",
    "12320830770000437A": "盱眙县交通工程建设中心",
    "52320830325543353Y": "淮安市第一公路工程有限公司",
}
FIRST = next(iter(ORGS))
UNREGISTERED_ORG = "913208005FKB606W0G"
PERSON = "320830199001011236"
PERSON2 = "320830197512314563"
BAD_CHECK_CHAR = "91320830PYQLFT169U"  # 91320830PYQLFT169T with a wrong 18th character

LEDGER_HEADER = ["序号", "企业名称", "统一社会信用代码", "评价领域", "年度", "总分", "信用等级", "评价机关", "评定日期", "文号"]
ORGAN = "淮安市交通运输局"


def _ledger_rows() -> list[list[Any]]:
    """Four clean rows as the upper level writes them: mixed domain spellings, scores with units, typed grades."""
    ids = list(ORGS)
    return [
        [1, ORGS[ids[0]], ids[0], "公路水运工程建设从业单位", 2024, 96.5, "", ORGAN, dt.datetime(2025, 3, 15), "淮交信〔2025〕12号"],
        [2, ORGS[ids[1]], ids[1].lower(), "highway_construction", "2024年度", "94.9", None, ORGAN, "2025年3月15日", "淮交信〔2025〕12号"],
        [3, ORGS[ids[2]], ids[2], "公路水运工程建设从业单位", 2024, "80分", "B级", ORGAN, "2025/3/15", "淮交信〔2025〕12号"],
        [4, "王建国", PERSON, "主要从业人员", 2024, 88, "a", ORGAN, "2025-03-15", "淮交信〔2025〕13号"],
    ]


def _write_xlsx(path: Path, header: list[Any], rows: list[list[Any]], *, title: str | None = None, first_sheet: str | None = None) -> Path:
    """A workbook like the ones that arrive by e-mail: optionally a notes sheet first and a merged title row."""
    wb = Workbook()
    ws = wb.active
    if first_sheet:
        ws.title = first_sheet
        ws["A1"] = "填报说明：本表由市交通运输局汇总。"
        ws = wb.create_sheet("评价结果")
    else:
        ws.title = "评价结果"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["注：等级由市局评定，县局导入为草稿。"])
    wb.save(path)
    return path


@pytest.fixture
def county(ctx):  # type: ignore[no-untyped-def]
    """The registered entities the ledger refers to."""
    for ident, name in ORGS.items():
        entities.register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=("construction_unit",)), allow_similar=True)
    entities.register_entity(ctx, EntityDraft(name="王建国", identifier=PERSON, categories=("key_personnel",)))
    entities.register_entity(ctx, EntityDraft(name="李秀英", identifier=PERSON2, categories=("key_personnel",)))
    return ctx


def _count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _audit_actions(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def _grades(ctx, ident: str) -> list[tuple[int, str, str, str]]:  # type: ignore[no-untyped-def]
    return [(v.period, v.domain, v.grade, v.status.value) for v in ratings.list_ratings(ctx, ident)]


def _header_index(ws, row: int = 1) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {str(c.value): c.column for c in ws[row] if c.value is not None}


# --- import ----------------------------------------------------------------------------------------------

def test_clean_ledger_imports_every_row_in_one_go_with_derived_grades(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _write_xlsx(tmp_path / "2024年度评价结果.xlsx", LEDGER_HEADER, _ledger_rows(), title="2024年度公路水运工程建设市场信用评价结果")
    result = import_ratings(county, src)
    assert result.ok, result.errors
    assert (result.rows, result.imported, result.failed_rows, result.entities_created) == (4, 4, 0, 0)
    assert result.errors_path is None and not default_report(src).exists()
    assert result.ignored_columns == ["序号"]
    ids = list(ORGS)
    assert _grades(county, ids[0]) == [(2024, "highway_construction", "AA", "draft")]
    assert _grades(county, ids[1]) == [(2024, "highway_construction", "A", "draft")]  # 94.9 → A, derived
    assert _grades(county, ids[2]) == [(2024, "highway_construction", "B", "draft")]
    assert _grades(county, PERSON) == [(2024, "key_personnel", "A", "draft")]
    view = ratings.list_ratings(county, ids[1])[0]
    assert view.score == 94.9 and view.decision_date == dt.date(2025, 3, 15) and view.document_no == "淮交信〔2025〕12号"
    actions = _audit_actions(county)
    assert actions.count("rating.insert") == 4 and actions[-1] == "import.ratings"


def default_report(src: Path) -> Path:
    return src.with_name(src.stem + ".errors.xlsx")


@pytest.mark.parametrize(
    ("row_index", "column", "value", "header", "reason"),
    [
        (1, 6, "AA", "信用等级", "填写的等级AA与分数对应的等级A不一致"),  # typed AA against 94.9
        (2, 2, BAD_CHECK_CHAR, "统一社会信用代码", "校验位错误"),
        (0, 4, "2024年3月", "年度", "年度应为四位数字"),
    ],
    ids=["grade-contradicts-score", "wrong-check-character", "bad-period"],
)
def test_one_bad_row_writes_nothing_and_the_report_marks_the_cell(  # type: ignore[no-untyped-def]
    county, tmp_path: Path, row_index: int, column: int, value: str, header: str, reason: str
) -> None:
    rows = _ledger_rows()
    rows[row_index][column] = value
    src = _write_xlsx(tmp_path / "评价结果.xlsx", LEDGER_HEADER, rows, title="2024年度信用评价结果")
    before = _audit_actions(county)

    result = import_ratings(county, src)

    assert not result.ok and result.failed_rows == 1 and result.imported == 0
    assert _count(county, Rating) == 0 and _audit_actions(county) == before  # nothing written, not even the audit
    assert result.errors_path == default_report(src) and result.errors_path.exists()
    sheet_row = row_index + 3  # title, header, then data
    assert [(e.row, e.column) for e in result.errors] == [(sheet_row, header)]
    assert reason in result.errors[0].message_zh

    wb = load_workbook(result.errors_path)
    ws = wb["评价结果"]
    cols = _header_index(ws, 2)
    assert list(cols)[-1] == "原因" and cols["原因"] == len(LEDGER_HEADER) + 1
    bad = ws.cell(row=sheet_row, column=cols[header])
    assert bad.value is not None and bad.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb == "FFFFC7CE"
    assert reason in ws.cell(row=sheet_row, column=cols["原因"]).value
    for r in range(3, 3 + len(rows)):  # every other cell is untouched; every row is kept for re-import
        for c in range(1, len(LEDGER_HEADER) + 1):
            if (r, c) != (sheet_row, cols[header]):
                assert ws.cell(row=r, column=c).fill.fill_type is None
        if r != sheet_row:
            assert ws.cell(row=r, column=cols["原因"]).value is None
    assert ws.cell(row=1, column=1).value == "2024年度信用评价结果"
    assert ws.cell(row=3, column=cols["评定日期"]).value == dt.datetime(2025, 3, 15)  # dates stay dates
    summary = wb["错误汇总"]
    assert [c.value for c in summary[2]][:2] == [sheet_row, header]

    # The clerk corrects the report itself and imports it again: the 原因 column is ignored.
    wb2 = load_workbook(result.errors_path)
    wb2["评价结果"].cell(row=sheet_row, column=cols[header]).value = _ledger_rows()[row_index][column]
    wb2.save(tmp_path / "改正后.xlsx")
    again = import_ratings(county, tmp_path / "改正后.xlsx")
    assert again.ok and again.imported == 4 and "原因" in again.ignored_columns


def test_every_bad_row_is_reported_not_only_the_first(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _ledger_rows()
    rows[0][5] = "九十"  # not a number
    rows[1][3] = "港口经营人"  # no such domain
    rows[3][3] = "公路水运工程建设从业单位"  # a person in an organisations' domain
    rows.append([5, ORGS[list(ORGS)[2]], list(ORGS)[2], "公路水运工程建设从业单位", 2024, 70, "", ORGAN, "", ""])  # repeats row 3
    src = _write_xlsx(tmp_path / "多处错误.xlsx", LEDGER_HEADER, rows)
    result = import_ratings(county, src, errors_path=tmp_path / "out" / "报告.xlsx")
    assert result.failed_rows == 5 and _count(county, Rating) == 0
    assert result.errors_path == tmp_path / "out" / "报告.xlsx" and result.errors_path.exists()
    by_row = {e.row: e for e in result.errors}
    assert "应为数字" in by_row[2].message_zh and by_row[2].column == "总分"
    assert "未知的评价领域" in by_row[3].message_zh and by_row[3].column == "评价领域"
    assert "重复" in by_row[4].message_zh and "重复" in by_row[6].message_zh
    assert "不适用于个人" in by_row[5].message_zh


def test_unknown_entity_is_an_error_unless_create_missing(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _ledger_rows()
    rows.append([5, "盱眙县新建交通工程有限公司", UNREGISTERED_ORG, "公路水运工程建设从业单位", 2024, 91, "", ORGAN, "", ""])
    src = _write_xlsx(tmp_path / "含新主体.xlsx", LEDGER_HEADER, rows)

    refused = import_ratings(county, src)
    assert refused.failed_rows == 1 and "没有登记" in refused.errors[0].message_zh and refused.errors[0].column == "统一社会信用代码"
    assert _count(county, Rating) == 0 and _count(county, Entity) == 6

    accepted = import_ratings(county, src, create_missing=True)
    assert accepted.ok and accepted.imported == 5 and accepted.entities_created == 1
    detail = entities.get_entity(county, UNREGISTERED_ORG)
    assert detail.summary.name == "盱眙县新建交通工程有限公司" and detail.summary.categories == ("construction_unit",)
    assert _grades(county, UNREGISTERED_ORG) == [(2024, "highway_construction", "A", "draft")]


def test_create_missing_needs_a_name_and_a_valid_identifier(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [1, "盱眙县新建交通工程有限公司", UNREGISTERED_ORG, "公路水运工程建设从业单位", 2024, 91, "", ORGAN, "", ""],
        [2, "", "93320830B74P349P5F", "公路水运工程建设从业单位", 2024, 91, "", ORGAN, "", ""],
        [3, "盱眙县某某工程有限公司", "913208005FKB606W0H", "公路水运工程建设从业单位", 2024, 91, "", ORGAN, "", ""],
    ]
    result = import_ratings(county, _write_xlsx(tmp_path / "新主体.xlsx", LEDGER_HEADER, rows), create_missing=True)
    assert result.failed_rows == 2 and result.entities_created == 0
    assert _count(county, Entity) == 6  # the valid new entity of row 2 went with the rollback too
    by_row = {e.row: e for e in result.errors}
    assert set(by_row) == {3, 4}
    assert by_row[3].column == "企业名称" and "名称" in by_row[3].message_zh
    assert by_row[4].column == "统一社会信用代码" and "校验位" in by_row[4].message_zh


def test_full_width_headers_aliases_and_a_notes_sheet_first(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    header = ["＊名称", "统一社会信用代码（身份证号码）", " 评价 领域 ", "评价周期", "分数（分）", "等级", "评定机关", "发布日期", "发文文号"]
    ident = FIRST
    full_width_ident = "".join(chr(ord(ch) + 0xFEE0) for ch in ident)  # ９１３２… as typed with a Chinese IME
    rows = [
        [ORGS[ident], full_width_ident, "公路水运工程建设从业单位", "２０２４", "９５", "ＡＡ", ORGAN, "2025.3.15", "淮交信〔2025〕12号"],
        ["李秀英", PERSON2, "key_personnel", 2024, 59.5, "D", ORGAN, 45731, ""],  # 45731: a date cell formatted 常规
    ]
    src = _write_xlsx(tmp_path / "全角表头.xlsx", header, rows, first_sheet="填报说明")
    result = import_ratings(county, src)
    assert result.ok, result.errors
    assert result.sheet == "评价结果" and result.imported == 2
    assert _grades(county, ident) == [(2024, "highway_construction", "AA", "draft")]
    view = ratings.list_ratings(county, PERSON2)[0]
    assert (view.grade, view.score, view.decision_date) == ("D", 59.5, dt.date(2025, 3, 15))


def test_header_matching_is_declared_once_and_tolerant() -> None:
    layout = rating_layout(registry())
    found = layout.match_headers(["序号", "社会信用代码", "单位名称／姓名", "信用评价领域", "考核年度", "综合得分", "评定等级", "原因"], row=1)
    assert {f: cols[0] for f, cols in found.by_field.items()} == {
        "identifier": 1, "name": 2, "domain": 3, "period": 4, "score": 5, "grade": 6,
    }
    assert found.unknown == ["序号", "原因"]
    assert normalise_header(" ＊统一社会信用代码： ") == "统一社会信用代码"


def test_a_file_without_the_required_columns_is_refused_as_a_whole(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _write_xlsx(tmp_path / "缺列.xlsx", ["名称", "统一社会信用代码", "得分"], [[ORGS[FIRST], FIRST, 96]])
    with pytest.raises(FileProblem) as info:
        import_ratings(county, src)
    assert "评价领域" in info.value.message_zh and "评价年度" in info.value.message_zh
    # …unless the CLI gives them for the whole file.
    assert import_ratings(county, src, default_domain="公路水运工程建设从业单位", default_period=2024).imported == 1
    with pytest.raises(FileProblem):
        import_ratings(county, tmp_path / "不存在.xlsx")
    (tmp_path / "旧格式.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileProblem, match="另存为"):
        import_ratings(county, tmp_path / "旧格式.xls")


def test_importing_the_same_file_twice_is_refused(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _write_xlsx(tmp_path / "评价结果.xlsx", LEDGER_HEADER, _ledger_rows())
    assert import_ratings(county, src).ok
    again = import_ratings(county, src)
    assert again.failed_rows == 4 and all("已有" in e.message_zh for e in again.errors)
    assert _count(county, Rating) == 4


def test_identifier_stored_as_a_number_is_caught(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _ledger_rows()
    rows[3][2] = 320830199001011236  # what Excel makes of an ID typed into a 常规 cell (then 3.20830199001011E+17)
    result = import_ratings(county, _write_xlsx(tmp_path / "数字.xlsx", LEDGER_HEADER, rows))
    assert result.failed_rows == 1 and "文本" in result.errors[0].message_zh


# --- template --------------------------------------------------------------------------------------------

def test_template_has_notes_dropdowns_and_imports_back(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_rating_template(tmp_path / "模板.xlsx")
    wb = load_workbook(path)
    ws = wb["信用评价结果"]
    layout = rating_layout(registry())
    assert [c.value for c in ws[1]] == [c.header for c in layout.columns]
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    assert "必填" in ws["A1"].comment.text and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].number_format == "@" and ws.max_row == 1  # IDs typed there stay text
    cols = _header_index(ws)
    lists = {next(iter(dv.sqref.ranges)).min_col: dv for dv in ws.data_validations.dataValidation}
    assert set(lists) == {cols["评价领域"], cols["等级"]} and all(dv.type == "list" for dv in lists.values())
    options = wb["选项"]
    assert options.sheet_state == "hidden"

    def listed(dv) -> list[str]:  # type: ignore[no-untyped-def]
        ref = dv.formula1.split("!")[1].replace("$", "")
        return [c.value for row in options[ref] for c in row]

    assert "公路水运工程建设从业单位" in listed(lists[cols["评价领域"]])
    assert "道路运输企业质量信誉考核（旧）" not in listed(lists[cols["评价领域"]])  # history only
    assert listed(lists[cols["等级"]]) == ["AAA", "AA", "A", "B", "C", "D"]
    assert "填写说明" in wb.sheetnames

    ws.append([FIRST, ORGS[FIRST], "公路水运工程建设从业单位", 2024, 80, None, None, "B", ORGAN])
    ws.append([PERSON, "王建国", "主要从业人员", 2024, None, None, "RY-10； RY-11", None, ORGAN])
    wb.save(path)
    result = import_ratings(county, path)
    assert result.ok, result.errors
    assert result.imported == 2 and not result.ignored_columns
    assert _grades(county, FIRST) == [(2024, "highway_construction", "B", "draft")]
    person = ratings.list_ratings(county, PERSON)[0]
    assert (person.score, person.grade) == (92.0, "A")  # 100 − 5 − 3, from the deduction codes
    assert [d["code"] for d in person.deductions] == ["RY-10", "RY-11"]


# --- publicity list --------------------------------------------------------------------------------------

def _publicise(ctx, ident: str, *, effective: bool = False) -> None:  # type: ignore[no-untyped-def]
    view = ratings.list_ratings(ctx, ident)[0]
    ratings.set_status(ctx, view.id, RatingStatus.REVIEWED)
    ratings.set_status(ctx, view.id, RatingStatus.PUBLICITY, today=dt.date(2025, 4, 1))
    if effective:
        ratings.set_status(ctx, view.id, RatingStatus.EFFECTIVE, today=dt.date(2025, 4, 20))


def test_publicity_list_masks_id_numbers_and_is_print_ready(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _ledger_rows()
    rows.append([5, "李秀英", PERSON2, "主要从业人员", 2024, 97, "", ORGAN, "", ""])
    assert import_ratings(county, _write_xlsx(tmp_path / "结果.xlsx", LEDGER_HEADER, rows)).ok
    ids = list(ORGS)
    _publicise(county, ids[0], effective=True)
    _publicise(county, ids[1])  # ids[2] stays a draft: not public
    _publicise(county, PERSON)
    _publicise(county, PERSON2)

    out = tmp_path / "公示" / "公示名单.xlsx"
    result = export_publicity(county, period=2024, domain="highway_construction", out=out)
    assert result.rows == 2 and out.exists()
    ws = load_workbook(out)["公示名单"]
    assert ws["A1"].value == "2024年度公路水运工程建设从业单位信用评价结果公示名单"
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == ["序号", "名称", "统一社会信用代码/身份证号码", "等级", "得分", "评价机关", "公示期"]
    assert [c.value for c in ws[3]][:5] == [1, ORGS[ids[0]], ids[0], "AA", 96.5]  # organisations' codes are public
    assert [c.value for c in ws[4]][:4] == [2, ORGS[ids[1]], ids[1], "A"]
    assert ws["G3"].value == "2025-04-01至2025-04-16"
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.column_dimensions["B"].width > 30

    people = export_publicity(county, period=2024, domain="主要从业人员", out=tmp_path / "人员.xlsx")
    ws = load_workbook(people.path)["公示名单"]
    listed = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=4)]
    assert [r[1] for r in listed] == ["李秀英", "王建国"]  # AA (97) before A (88)
    assert [r[2] for r in listed] == ["320830********4563", "320830********1236"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(PERSON in c or PERSON2 in c for c in cells)  # the full number is nowhere in the file

    with county.transaction() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "export.publicity").order_by(AuditEntry.seq)).scalars().first()
    assert entry is not None and "公示名单" in entry.summary and json.loads(entry.details_json)["rows"] == 2


def test_publicity_export_needs_the_export_right(county, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county.user = CurrentUser("viewer", Role.VIEWER, "", "查询员")
    with pytest.raises(PermissionDenied):
        export_publicity(county, period=2024, domain="highway_construction", out=tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


# --- CLI -------------------------------------------------------------------------------------------------

def xuyi(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False
    )


@pytest.mark.slow
def test_cli_exit_codes(county, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county.close()
    rows = _ledger_rows()
    rows[1][6] = "AA"
    bad = _write_xlsx(tmp_path / "有误.xlsx", LEDGER_HEADER, rows)
    failed = xuyi(database, "import", "ratings", str(bad))
    assert failed.returncode == 1, failed.stderr
    assert "4 行中有 1 行有误" in failed.stderr and str(default_report(bad)) in failed.stderr and default_report(bad).exists()
    assert "第3行“信用等级”列" in failed.stderr

    good = _write_xlsx(tmp_path / "正确.xlsx", LEDGER_HEADER, _ledger_rows())
    ok = xuyi(database, "import", "ratings", str(good), "--json")
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert (report["ok"], report["imported"], report["failed_rows"], len(report["rating_ids"])) == (True, 4, 0, 4)

    template = xuyi(database, "import", "ratings-template", "--out", str(tmp_path / "模板.xlsx"))
    assert template.returncode == 0 and (tmp_path / "模板.xlsx").exists()

    export = xuyi(database, "export", "publicity", "--period", "2024", "--domain", "highway_construction", "--out", str(tmp_path / "公示.xlsx"))
    assert export.returncode == 0, export.stderr
    assert "0 条" in export.stdout  # drafts are not public yet

    unknown = xuyi(database, "export", "publicity", "--period", "2024", "--domain", "no_such", "--out", str(tmp_path / "x.xlsx"))
    assert unknown.returncode == 1 and unknown.stderr.startswith("错误：") and len(unknown.stderr.strip().splitlines()) == 1
    assert xuyi(database, "import", "ratings").returncode == 2  # usage: the file is missing
