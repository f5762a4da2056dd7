"""The indicator dashboard's figures: equal to a hand count and to the commands they repeat (`stats sgs`,
`commitment indicator`, `stats completeness`); the one-page PDF carries the same numbers; the year-end workbook
opens with openpyxl and LibreOffice and its totals are the indicators'."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from plan_fixture import AS_OF, HAND, YEAR, ZF, build

from xuyi_desktop.services.completeness import completeness, record_completeness
from xuyi_desktop.services.indicators import plan_indicators
from xuyi_desktop.services.sgs_stats import indicators as sgs_indicators

SHOTS = Path("/work/shots/plan")


def xuyi(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=180, check=False)


def _json(db: str, *args: str) -> object:
    out = xuyi(db, *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_figure_equals_the_hand_count(ctx) -> None:  # type: ignore[no-untyped-def]
    ids = build(ctx)
    report = plan_indicators(ctx, year=YEAR, as_of=AS_OF)
    f = report.figure
    h = HAND
    assert (f("sgs_report_rate").numerator, f("sgs_report_rate").denominator) == (h["reported"], h["due"])
    assert f("sgs_report_rate").actual == 5 / 6 and f("sgs_report_rate").met is False
    assert (f("sgs_compliance_rate").numerator, f("sgs_compliance_rate").denominator) == (h["compliant"], h["reported"])
    assert (f("city_timeliness").numerator, f("city_timeliness").denominator) == (h["on_time"], h["reported"])
    assert (f("city_valid_entry").numerator, f("city_valid_entry").denominator) == (h["valid"], h["records"])
    assert f("city_valid_entry").met is False  # 5/6 = 83 % < 95 %
    assert f("city_accuracy").actual == f("sgs_compliance_rate").actual
    assert f("commitment_areas").actual == h["commitment_areas"] and f("commitment_areas").met is True
    assert f("campaigns").actual == h["campaigns"] and f("campaigns").met is True
    assert f("trainings").actual == h["trainings"] and f("trainings").met is True
    assert f("scenarios").actual == h["scenarios"] and f("award_candidates").actual == h["awards"]
    assert (f("city_monthly_report").numerator, f("city_monthly_report").denominator) == (h["monthly_on_time"], h["monthly_due"])

    # completeness: every credit-record kind of the year — the 双公示 fields and the three commitments' fields
    sgs = sgs_indicators(ctx, date_from=AS_OF.replace(year=YEAR, month=1, day=1), date_to=AS_OF.replace(year=YEAR, month=12, day=31),
                         as_of=AS_OF)
    filled, total = h["commitment_fields"]
    rc = f("record_completeness")
    assert (rc.numerator, rc.denominator) == (sgs.fields_filled + filled, sgs.fields_total + total)
    assert {r.kind for r in rc.records} == {"sgs", "commitment"}  # L2's missing fields and C2's signer
    assert any(r.id == str(ids["c2"]) and "签署人" in r.note for r in rc.records)

    # the records behind each figure (what the dashboard opens)
    assert [r.id for r in f("sgs_report_rate").records] == [str(ids["p3"])]
    assert [r.id for r in f("city_timeliness").records] == [str(ids["p2"])]
    assert [r.id for r in f("city_valid_entry").records] == [str(ids["l1"])]
    assert {r.id for r in f("campaigns").records} == {str(ids["camp1"]), str(ids["camp2"]), str(ids["camp3"])}
    assert [r.kind for r in f("award_candidates").records] == ["model"]
    assert len(f("city_monthly_report").records) == 11  # February late, March–December missing

    unit = plan_indicators(ctx, year=YEAR, unit="执法大队", as_of=AS_OF)
    assert unit.unit == ZF
    u = HAND["unit"]
    assert (unit.figure("sgs_report_rate").numerator, unit.figure("sgs_report_rate").denominator) == (u["reported"], u["due"])
    assert unit.figure("campaigns").actual == u["campaigns"] and unit.figure("trainings").actual == u["trainings"]
    assert unit.figure("commitment_areas").actual == u["commitment_areas"] and unit.figure("scenarios").actual == u["scenarios"]


@pytest.mark.slow
def test_the_cli_figures_equal_the_commands_they_repeat(ctx, database: str) -> None:  # type: ignore[no-untyped-def]
    build(ctx)
    data = _json(database, "indicators", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--json")
    by = {i["code"]: i for i in data["indicators"]}
    stats = _json(database, "stats", "sgs", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--as-of", AS_OF.isoformat(), "--json")
    assert by["sgs_report_rate"]["actual"] == stats["report_rate"] and by["city_report_share"]["actual"] == stats["report_rate"]
    assert by["sgs_compliance_rate"]["actual"] == stats["compliance_rate"]
    assert by["city_timeliness"]["actual"] == stats["timeliness_rate"]
    assert by["city_completeness"]["actual"] == stats["completeness"]
    assert (by["sgs_report_rate"]["numerator"], by["sgs_report_rate"]["denominator"]) == (stats["reported"], stats["due"])
    areas = _json(database, "commitment", "indicator", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--json")
    assert by["commitment_areas"]["actual"] == areas["areas_with_commitments"] == HAND["commitment_areas"]
    comp = _json(database, "stats", "completeness", "--year", str(YEAR), "--json")
    assert by["record_completeness"]["actual"] == comp["rate"]
    assert (by["record_completeness"]["numerator"], by["record_completeness"]["denominator"]) == (comp["fields_filled"], comp["fields_total"])
    # and by unit
    unit = _json(database, "indicators", "--year", str(YEAR), "--unit", "执法大队", "--as-of", AS_OF.isoformat(), "--json")
    unit_stats = _json(database, "stats", "sgs", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--unit", "执法大队",
                       "--as-of", AS_OF.isoformat(), "--json")
    ub = {i["code"]: i for i in unit["indicators"]}
    assert ub["sgs_report_rate"]["actual"] == unit_stats["report_rate"] == 1.0 and unit_stats["records"] == 1
    unit_areas = _json(database, "commitment", "indicator", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--unit", ZF, "--json")
    assert ub["commitment_areas"]["actual"] == unit_areas["areas_with_commitments"] == 0
    # a bad year is a usage error, an unknown unit a one-line refusal
    assert xuyi(database, "indicators", "--year", "25").returncode == 2
    bad = xuyi(database, "indicators", "--year", "2025", "--unit", "不存在的科")
    assert bad.returncode == 1 and bad.stderr.startswith("错误：") and "Traceback" not in bad.stderr


def test_completeness_covers_every_record_kind(ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.completeness import completeness_rules

    build(ctx)
    start, end = AS_OF.replace(year=YEAR, month=1, day=1), AS_OF.replace(year=YEAR, month=12, day=31)
    got = completeness(ctx, date_from=start, date_to=end)
    kinds = {k.code for k in got.kinds}
    assert kinds == {r.code for r in completeness_rules()}
    assert {"entity", "licence", "rating", "sgs", "commitment", "dishonesty", "list_entry", "repair", "objection", "campaign",
            "training", "scenario", "model", "website"} <= kinds
    # registers are measured but not in the headline figure
    assert got.kind("campaign").records == 3 and got.kind("campaign").group == "register"
    assert got.kind("training").records == 2 and got.kind("training").rate == 1.0
    with ctx.transaction() as session:
        same = record_completeness(session, date_from=start, date_to=end)
    assert (same.fields_filled, same.fields_total) == (got.fields_filled, got.fields_total)
    # entities registered today count in today's year, with their missing fields named
    now = completeness(ctx, date_from=AS_OF.replace(year=2026, month=1, day=1), date_to=AS_OF.replace(year=2026, month=12, day=31))
    ent = now.kind("entity")
    assert ent.records == 2 and {m for i in ent.incomplete for m in i.missing} >= {"住所（地址）", "法定代表人"}


def test_the_one_page_pdf_carries_the_json_numbers(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build(ctx)
    pdf = tmp_path / "indicators.pdf"
    out = xuyi(database, "print", "indicators", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--out", str(pdf))
    assert out.returncode == 0, out.stderr
    data = _json(database, "indicators", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--json")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for item in data["indicators"]:
        assert item["actual_text"] in flat, item["code"]
        if item["numerator"] is not None and item["denominator"]:
            assert f"（{item['numerator']}/{item['denominator']}）" in flat, item["code"]
        assert "".join(item["name"].split()) in flat, item["name"]
    assert f"达标{data['met']}项（共考核{data['judged']}项）" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:] if line.strip()), fonts  # every font embedded
    verified = xuyi(database, "verify", str(pdf))
    assert verified.returncode == 0 and "建设指标完成情况" in verified.stdout
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, SHOTS / "indicators.pdf")
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(SHOTS / "indicators_pdf")], check=True)


def test_the_yearbook_opens_and_its_totals_are_the_indicators(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build(ctx)
    book = tmp_path / "yearbook.xlsx"
    out = xuyi(database, "export", "yearbook", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--out", str(book))
    assert out.returncode == 0, out.stderr
    data = _json(database, "indicators", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--json")
    by = {i["code"]: i for i in data["indicators"]}
    wb = load_workbook(book, read_only=True)
    assert {"指标", "市场主体", "信用等级", "行政处罚", "信用承诺", "信用核查", "信易+", "宣传活动", "信用培训", "诚信典型", "双公示报送",
            "建设任务"} <= set(wb.sheetnames)

    def rows(name: str) -> list[tuple]:  # type: ignore[type-arg]
        return [r for r in wb[name].iter_rows(min_row=3, values_only=True)]

    sheet = {r[1]: r for r in rows("指标")}
    for item in data["indicators"]:
        assert sheet[item["name"]][3] == item["actual_text"], item["code"]
    total = {r[0]: r for r in rows("宣传活动") if r[0] == "合计"}["合计"]
    assert total[1] == f"{int(by['campaigns']['actual'])}次"
    assert {r[0]: r for r in rows("信用培训")}["合计"][1] == f"{int(by['trainings']['actual'])}次"
    assert {r[0]: r for r in rows("信易+")}["合计"][1] == f"{int(by['scenarios']['actual'])}个场景"
    assert {r[0]: r for r in rows("信易+")}["合计"][5] == 12.5
    commitments = {r[0]: r for r in rows("信用承诺")}
    assert commitments["合计（未撤销）"][1] == f"{int(by['commitment_areas']['actual'])}个领域"
    sgs_total = {r[0]: r for r in rows("双公示报送")}["合计"]
    assert sgs_total[3:5] == (by["sgs_report_rate"]["denominator"], by["sgs_report_rate"]["numerator"])
    assert sgs_total[5] == by["sgs_report_rate"]["actual_text"] and sgs_total[7] == by["sgs_compliance_rate"]["actual_text"]
    penalties = {r[0]: r for r in rows("行政处罚")}
    assert penalties["合计（决定数）"][1] == 4  # P1–P4 in 2025 (P5 is 2024)
    assert len(rows("建设任务")) == 30
    wb.close()

    converted = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                                "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                               capture_output=True, text=True, timeout=240, check=False)
    assert converted.returncode == 0, converted.stderr
    pdf = tmp_path / "yearbook.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "建设指标" in text and "宣传活动" in text.replace(" ", "") or "诚信春运" in text
