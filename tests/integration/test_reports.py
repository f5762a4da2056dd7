"""The two reports printed from the credit profile, each test from an empty database: the 信用报告 (every penalty
with its state, the rating history, a person's ID masked unless revealed) and the 专项信用报告 (the period, the
areas, simple-procedure penalties in, withdrawn ones out, repaired ones marked, or a statement that there is none);
numbered on every page, fonts embedded, long names wrapped, and `xuyi verify` passing on the file and failing after
one changed character.

Needs poppler-utils (pdftotext, pdffonts, pdftoppm, pdfinfo) and zbar-tools (zbarimg); scripts/install --test
installs both."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from rating_flow import step_day  # tests/support
from sqlalchemy import func, select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft, EntityKind
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import printing, reports, sgs
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import id_card, penalty_raw, uscc
from xuyi_desktop.storage.models import AuditEntry
from xuyi_desktop.storage.models_sgs import SgsRecord

D = dt.date
AS_OF = D(2026, 12, 2)
PORT_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"  # 22 characters
LONG_NAME = "江苏省淮安市盱眙县交通运输综合服务集团有限公司淮河镇公路水运工程建设养护港口物流装卸危险货物道路运输分公司第一项目经理部"
TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo", "zbarimg")
pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) and not os.environ.get("CI"),
    reason="poppler-utils and zbar-tools are needed (scripts/install --test)",
)


# --- helpers --------------------------------------------------------------------------------------------
def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(path: Path, page: int | None = None) -> str:
    """pdftotext in drawing order (-raw): the lines of a table cell stay together, where the default layout
    analysis interleaves them with the neighbouring cells' lines."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-")


def flat(text: str) -> str:
    """Text without line breaks and spaces: a name wrapped over two lines in a cell reads whole again."""
    return re.sub(r"\s+", "", text)


def cells_text(path: Path) -> str:
    """The whole text flattened: a cell's text wrapped over lines reads whole."""
    return flat(pdf_text(path))


def page_count(path: Path) -> int:
    return int(next(line.split()[1] for line in run("pdfinfo", str(path)).splitlines() if line.startswith("Pages:")))


def assert_fonts_embedded(path: Path) -> None:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"
        assert "Helvetica" not in line and "STSong" not in line, line


def audit_entries(ctx, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).scalars())


def entity(ctx, name: str = PORT_NAME, n: int = 1, categories: tuple[str, ...] = ("port_operator",)):  # type: ignore[no-untyped-def]
    return register_entity(ctx, EntityDraft(
        name=name, identifier=uscc(1000 + n), categories=categories, legal_representative="李明",
        address="盱眙县盱城街道淮河北路88号",
    ), allow_similar=True).summary


def penalty(ctx, who, i: int, decided: dt.date, **changes: str):  # type: ignore[no-untyped-def]
    raw = penalty_raw(i, decided)
    raw.update(xdr_mc=who.name, xdr_shxym=who.identifier, **changes)
    return sgs.add_record(ctx, RecordKind.PENALTY, raw, today=AS_OF)


def set_repaired(ctx, record_id: uuid.UUID, on: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Credit repair is a later issue: set it on the record as the repair feature will."""
    with ctx.transaction() as s:
        s.get(SgsRecord, record_id).repaired_on = on


def three_penalties(ctx, who):  # type: ignore[no-untyped-def]
    """一般 penalties: one in publicity on AS_OF, one repaired, one whose publicity (at most 1 year) has ended."""
    live = penalty(ctx, who, 1, D(2026, 3, 3))
    repaired = penalty(ctx, who, 2, D(2025, 6, 3))
    set_repaired(ctx, repaired.id, D(2025, 10, 8))
    expired = penalty(ctx, who, 3, D(2024, 2, 5))
    return live, repaired, expired


def tamper_pdf(src: Path, dst: Path, old: str, new: str) -> None:
    """A forger's edit of the payload in the text layer (ASCII stands literally in subset 0 of the font)."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(src))
    changed = 0
    for page in writer.pages:
        contents = page.get_contents()
        data = contents.get_data()
        if old.encode() in data:
            contents.set_data(data.replace(old.encode(), new.encode()))
            page.replace_contents(contents)
            changed += 1
    assert changed, "payload not found literally in the content stream"
    writer.write(dst)


# --- the credit report ----------------------------------------------------------------------------------
def test_credit_report_shows_every_penalty_with_its_state(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx)
    live, repaired, expired = three_penalties(ctx, who)
    profile = get_profile(ctx, who.id, as_of=AS_OF)
    assert [p.state.label for p in profile.penalties] == ["公示中", "已修复", "已到期"]

    out = reports.print_credit_report(ctx, who.id, tmp_path / "xb.pdf", as_of=AS_OF)
    text = pdf_text(out)
    flat_text = cells_text(out)
    (entry,) = audit_entries(ctx, "print.credit_report")
    serial = entry.details_json and json.loads(entry.details_json)["serial"]
    assert re.fullmatch(r".+-XB-\d{4}-000001", serial)
    assert serial in text and PORT_NAME in text
    for doc in (live, repaired, expired):
        assert doc.values["wsh"] in flat_text
    assert "公示中（至2027-03-03）" in flat_text
    assert "已修复（2025-10-08）" in flat_text
    assert "已到期（2025-02-05止）" in flat_text
    assert "八、信用修复信息" in text and "信用修复，停止公示" in flat_text
    assert_fonts_embedded(out)
    for page in range(1, page_count(out) + 1):
        assert serial in pdf_text(out, page), f"serial missing on page {page}"

    assert main(["--db", database, "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "有效：信用报告" in said and serial in said and PORT_NAME in said
    assert "信息截止日期：2026-12-02" in said and "行政处罚：3条（公示中1条）" in said


def test_credit_report_lists_the_rating_history_and_withdrawn_penalties_not(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx, "盱眙县顺达公路工程有限公司", 2, ("construction_unit",))
    first = add_rating(ctx, RatingInput(entity=who.id, domain="highway_construction", period=2024, score=88,
                                        decision_date=D(2025, 3, 1), document_no="盱交信〔2025〕3号"))
    for step in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, first.id, step, today=step_day(step))
    withdrawn = penalty(ctx, who, 7, D(2026, 5, 6))
    sgs.withdraw_record(ctx, withdrawn.id, on=D(2026, 6, 1), reason="行政复议撤销", today=AS_OF)

    profile = get_profile(ctx, who.id, as_of=dt.date.today())
    assert [(h.period, h.grade, h.status) for h in profile.rating_history] == [(2024, "A", "effective")]

    text = cells_text(reports.print_credit_report(ctx, who.id, tmp_path / "xb.pdf"))
    assert "（二）信用评价记录" in text and "2024年度" in text and "盱交信〔2025〕3号" in text
    assert withdrawn.values["wsh"] not in text  # a withdrawn decision is erased from the report
    assert "本系统未记载该主体的行政处罚信息" in text


def test_person_id_masked_unless_revealed_and_never_in_the_code(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number = id_card(42)
    who = register_entity(ctx, EntityDraft(name="张小明", identifier=number, kind=EntityKind.PERSON,
                                           categories=("road_practitioner",))).summary
    masked = reports.print_credit_report(ctx, who.id, tmp_path / "masked.pdf", as_of=AS_OF)
    text = pdf_text(masked)
    assert number not in text and f"{number[:6]}********{number[-4:]}" in text and "公民身份号码已作脱敏处理" in flat(text)

    shown = reports.print_credit_report(ctx, who.id, tmp_path / "shown.pdf", as_of=AS_OF, reveal=True)
    assert number in pdf_text(shown)
    (payload,) = printing.payloads_in_pdf(shown)
    assert number not in payload and f"u={number[:6]}********{number[-4:]}" in payload
    revealed = [json.loads(e.details_json)["revealed"] for e in audit_entries(ctx, "print.credit_report")]
    assert revealed == [False, True]


# --- the special report ---------------------------------------------------------------------------------
def test_special_report_lists_the_period_and_marks_the_repaired_one(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx)
    live, repaired, expired = three_penalties(ctx, who)
    before = penalty(ctx, who, 4, D(2023, 11, 30))  # two days before the 3-year period
    simple = penalty(ctx, who, 5, D(2026, 8, 8), simple_procedure="是", publicity_class="轻微", cflb="警告",
                     nr="警告", fk="")
    gone = penalty(ctx, who, 6, D(2026, 5, 6))
    sgs.withdraw_record(ctx, gone.id, on=D(2026, 6, 1), reason="行政复议撤销", today=AS_OF)

    out = reports.print_special_report(ctx, who.id, tmp_path / "zx.pdf", years=3, as_of=AS_OF)
    text = pdf_text(out)
    f = cells_text(out)
    assert "报告期2023年12月2日至2026年12月2日（近3年）" in f
    for doc in (live, repaired, expired, simple):
        assert doc.values["wsh"] in f
    assert before.values["wsh"] not in f and gone.values["wsh"] not in f
    assert "已修复（2025-10-08）" in f and "（简易程序）" in f
    assert "本系统未记载行政强制措施信息" in f
    assert f"经查询，{PORT_NAME}在2023年12月2日至2026年12月2日期间（近3年）" in f
    assert "有行政处罚4条（其中简易程序1条），其中1条已修复" in f
    assert_fonts_embedded(out)

    (entry,) = audit_entries(ctx, "print.special_report")
    details = json.loads(entry.details_json)
    assert details["penalties"] == 4 and details["repaired"] == 1 and re.fullmatch(r".+-ZX-\d{4}-000001", details["serial"])
    assert details["serial"] in text

    assert main(["--db", database, "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "有效：专项信用报告" in said and details["serial"] in said and PORT_NAME in said
    assert "报告期：2023-12-02 至 2026-12-02（近3年）" in said and "行政处罚：4条" in said and "其中已修复：1条" in said

    # One changed character of the payload (the count of penalties 4 -> 2) and the code no longer verifies.
    (payload,) = printing.payloads_in_pdf(out)
    assert ";cf=4;" in payload
    forged = tmp_path / "forged.pdf"
    tamper_pdf(out, forged, payload, payload.replace(";cf=4;", ";cf=2;"))
    assert main(["--db", database, "verify", str(forged)]) == 1
    assert "无效：签名不符" in capsys.readouterr().out


def test_special_report_by_area(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx, categories=("port_operator", "road_operator"))
    road = penalty(ctx, who, 1, D(2026, 3, 3))  # 超限运输, 《公路法》: 道路运输 by its words
    port = penalty(ctx, who, 2, D(2026, 4, 9), wfxw="未经许可从事港口经营", sy="未取得港口经营许可从事装卸作业",
                   yj="《中华人民共和国港口法》第四十八条")
    vague = penalty(ctx, who, 3, D(2026, 5, 9), wfxw="其他违法行为", sy="未按规定报送材料", yj="有关规定")

    text = cells_text(reports.print_special_report(ctx, who.id, tmp_path / "port.pdf", years=1, domains=["港口"], as_of=AS_OF))
    assert "查询领域港口" in text
    assert port.values["wsh"] in text and "【港口】" in text
    assert road.values["wsh"] not in text
    # Two areas in the entity's categories and no telling word: listed anyway, never dropped from a limited report.
    assert vague.values["wsh"] in text and "【领域未能确定】" in text

    water = cells_text(reports.print_special_report(ctx, who.id, tmp_path / "water.pdf", years=1,
                                                    domains=["water_transport"], as_of=AS_OF))
    assert road.values["wsh"] not in water and port.values["wsh"] not in water and vague.values["wsh"] in water

    one = cells_text(reports.print_special_report(ctx, who.id, tmp_path / "one.pdf", years=1, domains="港口", as_of=AS_OF))
    assert "查询领域港口" in one and port.values["wsh"] in one

    with pytest.raises(ValidationError) as err:
        reports.print_special_report(ctx, who.id, tmp_path / "bad.pdf", years=1, domains=["航空"], as_of=AS_OF)
    assert "未知的领域“航空”" in err.value.message_zh and not (tmp_path / "bad.pdf").exists()
    with pytest.raises(ValidationError) as err:
        reports.print_credit_report(ctx, who.id, tmp_path / "later.pdf", as_of=dt.date.today() + dt.timedelta(days=1))
    assert "不能晚于今天" in err.value.message_zh and not (tmp_path / "later.pdf").exists()


def test_special_report_for_an_entity_with_nothing_says_so(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx, "盱眙县清风物流有限公司", 9, ("road_operator",))
    out = tmp_path / "none.pdf"
    assert main(["--db", database, "print", "special-report", who.identifier, "--years", "3", "--out", str(out),
                 "--date", "2026-12-02"]) == 0
    f = cells_text(out)
    assert ("经查询，盱眙县清风物流有限公司在2023年12月2日至2026年12月2日期间（近3年），在本系统记载的全部交通运输领域"
            "无行政处罚（含简易程序作出的行政处罚）、严重失信主体名单及失信记录。") in f
    assert "经查询，报告期内该主体在本系统记载的全部交通运输领域无行政处罚信息" in f
    assert "本系统未记载行政强制措施信息" in f
    capsys.readouterr()
    assert main(["--db", database, "verify", str(out)]) == 0
    assert "行政处罚：0条" in capsys.readouterr().out


def test_bad_period_is_one_line_and_writes_nothing(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx)
    out = tmp_path / "six.pdf"
    for years in ("6", "0"):
        assert main(["--db", database, "print", "special-report", who.identifier, "--years", years, "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("错误：") and "查询期限应为1至5年" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".six-*"))
    assert audit_entries(ctx, "print.special_report") == []
    assert main(["--db", database, "print", "special-report", who.identifier, "--years", "三", "--out", str(out)]) == 2


# --- layout -------------------------------------------------------------------------------------------------
def test_long_names_wrap_and_many_penalties_flow_over_numbered_pages(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert len(LONG_NAME) == 60
    who = entity(ctx, LONG_NAME, 5, ("road_operator",))
    for i in range(1, 41):
        penalty(ctx, who, i, D(2024, 1, 1) + dt.timedelta(days=17 * i))

    out = tmp_path / "many.pdf"
    assert main(["--db", database, "print", "report", who.identifier, "--out", str(out), "--date", "2026-12-02"]) == 0
    n = page_count(out)
    assert n >= 3
    serial = json.loads(audit_entries(ctx, "print.credit_report")[0].details_json)["serial"]
    for page in range(1, n + 1):
        text = pdf_text(out, page)
        assert serial in text, f"serial missing on page {page}"
        assert f"— {page} —" in text, f"page number missing on page {page}"
    assert LONG_NAME in flat(pdf_text(out))

    special = reports.print_special_report(ctx, who.id, tmp_path / "many-zx.pdf", years=5, as_of=AS_OF)
    assert page_count(special) >= 2 and LONG_NAME in flat(pdf_text(special)) and "有行政处罚40条" in flat(pdf_text(special))
    capsys.readouterr()
    assert main(["--db", database, "verify", str(special)]) == 0
    # The longest code (a 60-character name) still scans from the printed page at 300 dpi.
    last = page_count(special)
    run("pdftoppm", "-r", "300", "-f", str(last), "-l", str(last), "-png", "-singlefile", str(special), str(tmp_path / "qr"))
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "qr.png")], capture_output=True, text=True,
                             timeout=60, check=False)
    assert scanned.returncode == 0 and scanned.stdout.strip() == printing.payloads_in_pdf(special)[0]


def _text_lines(path: Path) -> list[tuple[float, float, str, float]]:
    """(x, y, text, font size) of every drawn line of page 1 in drawing order: the runs of one line (a font subset
    change starts a new run at the same line origin) joined."""
    from pypdf import PdfReader

    lines: list[tuple[float, float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        x = round(cm[0] * tm[4] + cm[2] * tm[5] + cm[4], 1)
        y = round(cm[1] * tm[4] + cm[3] * tm[5] + cm[5], 1)
        if lines and lines[-1][:2] == (x, y):
            lines[-1] = (x, y, lines[-1][2] + text.strip(), lines[-1][3])
        else:
            lines.append((x, y, text.strip(), size * tm[0] * cm[0]))

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return lines


def test_long_name_wraps_inside_its_cell(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The 60-character name breaks into lines that start at the same left edge of the value cell, one under the
    other, each no wider than the cell (a CJK glyph is one em wide): it never runs over the table's border."""
    from xuyi_desktop.printing import layout as L

    who = entity(ctx, LONG_NAME, 6, ("road_operator",))
    out = reports.print_special_report(ctx, who.id, tmp_path / "name.pdf", years=1, as_of=AS_OF)
    lines = _text_lines(out)
    start = next(i for i, (_, _, t, _) in enumerate(lines) if LONG_NAME.startswith(t) and len(t) > 10)
    name_lines, text = [], ""
    for line in lines[start:]:
        if text == LONG_NAME:
            break
        text += line[2]
        name_lines.append(line)
    assert text == LONG_NAME and len(name_lines) >= 2
    assert len({x for x, _, _, _ in name_lines}) == 1  # every line starts at the cell's left edge
    ys = [y for _, y, _, _ in name_lines]
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys)  # one under the other, never on top
    for x, _, t, size in name_lines:
        assert x + len(t) * size <= L.TEXT_RIGHT - 3.0, (t, x)
    assert LONG_NAME in flat(pdf_text(out))


def test_serials_count_per_kind(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    who = entity(ctx)
    for i in range(2):
        reports.print_credit_report(ctx, who.id, tmp_path / f"xb{i}.pdf")
        reports.print_special_report(ctx, who.id, tmp_path / f"zx{i}.pdf", years=1)
    xb = [json.loads(e.details_json)["serial"][-6:] for e in audit_entries(ctx, "print.credit_report")]
    zx = [json.loads(e.details_json)["serial"][-6:] for e in audit_entries(ctx, "print.special_report")]
    assert xb == ["000001", "000002"] and zx == ["000001", "000002"]
    with ctx.transaction() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("print.%"))).scalar_one() == 4
