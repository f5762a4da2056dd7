"""The two prints of issue 13 from an empty database: the 信用修复告知书 served with a penalty decision (两书同达: the
period and the earliest repair day under the rules of the decision date, the serial kept on the penalty, a reprint
with the same serial, serving recorded) and the list publication PDF (members in force, persons masked, marked
published); both with fonts embedded, the serial and the long name in the text, and `xuyi verify` passing on the
file and failing after one changed character.

Needs poppler-utils (pdftotext, pdffonts, pdfinfo); scripts/install --test installs it."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import credit_lists, credit_prints, printing, sgs
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.printing import NothingToPrintError
from xuyi_desktop.services.sgs_demo import id_card, penalty_raw
from xuyi_desktop.storage.models import AuditEntry
from xuyi_desktop.storage.models_credit import ListEntry

D = dt.date
AS_OF = D(2026, 12, 2)
PORT_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"
PORT_ID = "91320830PYQLFT169T"
TOOLS = ("pdftotext", "pdffonts", "pdfinfo")
pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) and not os.environ.get("CI"),
    reason="poppler-utils is needed (scripts/install --test)",
)


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


def text_of(path: Path) -> str:
    """The whole text without spaces and line breaks: what wraps over lines reads whole."""
    return re.sub(r"\s+", "", run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"))


def pages(path: Path) -> int:
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


def tamper_pdf(src: Path, dst: Path, old: str, new: str) -> None:
    """A forger's edit of the payload in the text layer (ASCII stands literally in the content stream)."""
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


def port(ctx) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=PORT_NAME, identifier=PORT_ID, categories=("port_operator",),
                                     legal_representative="王建国"))


def penalty(ctx, n: int, decided: dt.date, klass: str = "严重", **changes: str):  # type: ignore[no-untyped-def]
    raw = penalty_raw(n, decided)
    raw.update(xdr_mc=PORT_NAME, xdr_shxym=PORT_ID, publicity_class=klass, wfxw="未按规定进行安全检查，发生装卸作业事故",
               sy="港口装卸作业违法", nr="罚款人民币二十万元", fk="20")
    raw.update(changes)
    return sgs.add_record(ctx, RecordKind.PENALTY, raw, today=AS_OF)


# --- the 信用修复告知书 ---------------------------------------------------------------------------------------------

def test_the_notice_states_the_period_and_the_earliest_day_under_the_rules_of_its_decision_date(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    new = penalty(ctx, 1, D(2026, 5, 6))  # 2026 rules: 严重 at least one year, at most three
    old = penalty(ctx, 2, D(2025, 6, 2), "一般", wfxw="违反安全生产管理规定")  # 2023 trial measures: 安全生产 one year

    printed = credit_prints.print_repair_notice(ctx, new.id, tmp_path / "new.pdf", today=AS_OF)
    assert re.fullmatch(r".+-XF-2026-000001", printed.serial) and not printed.reprint
    f = text_of(printed.path)
    assert "行政处罚信息信用修复告知书" in f and f"{PORT_NAME}：" in f and printed.serial in f
    assert new.document_no in f and "2026年5月6日被盱眙县交通运输局给予行政处罚" in f
    assert "该行政处罚信息属严重失信信息" in f and "《信用修复管理办法》（国家发展改革委令第36号）" in f
    assert "最短1年、最长3年，最迟于2029年5月6日自动停止公示" in f
    assert "即自2027年5月6日起方可提出申请" in f
    assert "信用修复承诺书" in f and "信用修复培训证明（要求参加培训的）（按需提交）" in f  # the checklist of repair.toml
    assert "www.creditchina.gov.cn" in f and "国办发〔2025〕22号" in f and "送达回执" in f
    assert_fonts_embedded(printed.path)
    assert pages(printed.path) == 2  # the notice with its receipt: two pages, not three

    earlier = credit_prints.print_repair_notice(ctx, old.id, tmp_path / "old.pdf", today=AS_OF)
    g = text_of(earlier.path)
    assert "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）" in g
    assert "最短1年、最长1年" in g and "即自2026年6月2日起方可提出申请" in g
    assert earlier.serial != printed.serial

    # the serial is kept on the penalty (a recorded, synced change); a reprint carries it, audited as 补打
    state = credit_prints.notice_state(ctx, new.id, today=AS_OF)
    assert state.serial == printed.serial and state.served_on is None and state.printable
    again = credit_prints.print_repair_notice(ctx, new.lineage_id, tmp_path / "again.pdf", today=AS_OF)
    assert again.serial == printed.serial and again.reprint
    entries = audit_entries(ctx, "print.repair_notice")
    assert [json.loads(e.details_json)["reprint"] for e in entries] == [False, False, True]
    assert entries[-1].summary.startswith(f"补打信用修复告知书 {printed.serial}")


def test_a_minor_penalty_notice_says_it_is_not_published_and_some_decisions_get_none(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    minor = penalty(ctx, 3, D(2026, 6, 1), "轻微", cflb="警告", nr="警告", fk="")
    f = text_of(credit_prints.print_repair_notice(ctx, minor.id, tmp_path / "minor.pdf", today=AS_OF).path)
    assert "属轻微失信信息" in f and "原则上不在信用网站公示，无需申请信用修复" in f and "最短" not in f
    pending = penalty(ctx, 4, D(2026, 11, 20), "待定")
    with pytest.raises(ValidationError, match="公示类别）待定"):
        credit_prints.print_repair_notice(ctx, pending.id, tmp_path / "pending.pdf", today=AS_OF)
    gone = penalty(ctx, 5, D(2026, 7, 1))
    sgs.withdraw_record(ctx, gone.id, on=D(2026, 8, 1), reason="行政复议撤销", today=AS_OF)
    with pytest.raises(ValidationError, match="已撤销"):
        credit_prints.print_repair_notice(ctx, gone.id, tmp_path / "gone.pdf", today=AS_OF)
    assert not (tmp_path / "pending.pdf").exists() and not (tmp_path / "gone.pdf").exists()
    assert credit_prints.notice_state(ctx, pending.id, today=AS_OF).serial == ""  # no number used up


def test_the_notice_verifies_and_fails_after_one_changed_character(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    view = penalty(ctx, 6, D(2026, 5, 6))
    out = credit_prints.print_repair_notice(ctx, view.id, tmp_path / "notice.pdf", today=AS_OF).path
    assert main(["--db", database, "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "有效：信用修复告知书" in said and PORT_NAME in said and PORT_ID in said
    assert f"行政处罚决定书文号：{view.document_no}" in said and "最早可申请信用修复之日：2027-05-06" in said

    (payload,) = printing.payloads_in_pdf(out)
    assert ";rf=2027-05-06;" in payload
    forged = tmp_path / "forged.pdf"
    tamper_pdf(out, forged, payload, payload.replace(";rf=2027-05-06;", ";rf=2027-05-05;"))
    assert main(["--db", database, "verify", str(forged)]) == 1
    assert "无效：签名不符" in capsys.readouterr().out


def test_the_cli_prints_the_notice_and_records_it_served(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    view = penalty(ctx, 7, D(2026, 5, 6))
    out = tmp_path / "cli.pdf"
    assert main(["--db", database, "print", "repair-notice", str(view.id), "--out", str(out), "--served", "--on", "2026-05-08"]) == 0
    said = capsys.readouterr().out
    state = credit_prints.notice_state(ctx, view.id)
    assert state.serial and state.serial in said and state.served_on == D(2026, 5, 8)
    assert "随处罚决定书送达（2026-05-08）" in said and out.is_file()
    # a served date without --served is a usage error; a withdrawn decision one 错误 line, no file
    assert main(["--db", database, "print", "repair-notice", str(view.id), "--out", str(tmp_path / "u.pdf"), "--on", "2026-05-08"]) == 2
    capsys.readouterr()
    sgs.withdraw_record(ctx, view.id, on=D(2026, 8, 1), reason="行政复议撤销", today=AS_OF)
    missing = tmp_path / "withdrawn.pdf"
    assert main(["--db", database, "print", "repair-notice", str(view.id), "--out", str(missing)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：该处罚决定已撤销") and not missing.exists()


# --- the list publication -------------------------------------------------------------------------------------

def test_the_list_publication_masks_persons_verifies_and_marks_the_members_published(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    person = id_card(77)
    register_entity(ctx, EntityDraft(name="张某某", identifier=person, categories=("road_practitioner",)))
    start = D(2026, 3, 1)
    for ident, case in ((PORT_ID, "3"), (person, "2")):
        entry = credit_lists.add_entry(ctx, ident, "overload", reason="一年内超限运输4次", case_code=case)
        credit_lists.confirm(ctx, entry.id, reason="依法列入", entered_on=start, today=start)
    credit_lists.add_entry(ctx, PORT_ID, "watch", reason="另一名单的提名不在其中")

    printed = credit_prints.print_list_publication(ctx, "overload", tmp_path / "治超.pdf", today=AS_OF)
    assert printed.count == 2 and re.fullmatch(r".+-MD-2026-000001", printed.serial)
    f = text_of(printed.path)
    assert "严重违法失信超限超载运输当事人名单" in f and printed.serial in f and PORT_NAME in f and "张某某" in f
    assert person not in f and f"{person[:6]}********{person[-4:]}" in f and PORT_ID in f
    assert "情形3：道路运输企业一年内违法超限运输" in f and "2026-03-01至2028-02-29" in f
    assert "个人身份证号码已隐去中间部分" in f and "共2个" in f
    assert_fonts_embedded(printed.path)
    with ctx.transaction() as s:
        published = {(m.list_type, m.published_on) for m in s.execute(select(ListEntry)).scalars()}
    assert published == {("overload", AS_OF), ("watch", None)}
    (entry,) = audit_entries(ctx, "print.list_publication")
    assert json.loads(entry.details_json)["count"] == 2

    assert main(["--db", database, "verify", str(printed.path)]) == 0
    said = capsys.readouterr().out
    assert "有效：名单公布" in said and "公布对象数：2个" in said and "治超黑名单" in said
    (payload,) = printing.payloads_in_pdf(printed.path)
    forged = tmp_path / "forged.pdf"
    tamper_pdf(printed.path, forged, payload, payload.replace(";c=2;", ";c=1;"))
    assert main(["--db", database, "verify", str(forged)]) == 1


def test_the_cli_publishes_a_pdf_by_its_suffix_and_refuses_an_empty_list(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    port(ctx)
    entry = credit_lists.add_entry(ctx, PORT_ID, "black", reason="法院判决认定串通投标")
    credit_lists.confirm(ctx, entry.id, reason="依法列入")
    out = tmp_path / "黑名单.pdf"
    assert main(["--db", database, "list", "publish", "--type", "black", "--out", str(out)]) == 0
    assert "已公布名单" in capsys.readouterr().out and PORT_NAME in text_of(out)
    xlsx = tmp_path / "黑名单.xlsx"
    assert main(["--db", database, "list", "publish", "--type", "black", "--out", str(xlsx)]) == 0 and xlsx.is_file()
    capsys.readouterr()
    empty = tmp_path / "红名单.pdf"
    assert main(["--db", database, "list", "publish", "--type", "red", "--out", str(empty)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：没有可打印的内容") and not empty.exists()
    with pytest.raises(NothingToPrintError):
        credit_prints.print_list_publication(ctx, "watch", tmp_path / "w.pdf")
