"""`xuyi verify FILE.pdf`: the QR payload is also on the page as invisible text in the embedded document font,
so a printed PDF verifies from the file alone (pypdf; no image tools on the clerk's PC)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

from rating_flow import step_day  # tests/support

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import printing
from xuyi_desktop.services.credit_check import check_entity
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, get_rating, set_status


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def make_rating(ctx, name: str, n: int):  # type: ignore[no-untyped-def]
    """An effective rating (as in test_printing.py)."""
    entity = register_entity(ctx, EntityDraft(name=name, identifier=uscc(n), categories=("construction_unit",)), allow_similar=True)
    rating = add_rating(ctx, RatingInput(
        entity=entity.summary.id, domain="highway_construction", period=2025, score=96,
        decision_date=dt.date.today(), document_no="盱交信〔2026〕3号",
    ))
    for step in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, rating.id, step, today=step_day(step))
    return entity, rating


def _fonts_all_embedded(path: Path) -> None:
    if shutil.which("pdffonts") is None:
        return
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        assert line.split()[-5] == "yes", line


def _rewrite_payload(src: Path, dst: Path, old: str, new: str) -> None:
    """A forger's edit of the text layer: in subset 0 of a ReportLab TrueType font ASCII codes are the
    characters themselves, so the payload stands literally in the (decompressed) page content."""
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


def test_certificate_pdf_verifies_from_the_file(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县顺达建设工程有限公司", 1)
    out = printing.print_certificate(ctx, rating.id, tmp_path / "cert.pdf")
    serial = get_rating(ctx, rating.id).certificate_serial

    payloads = printing.payloads_in_pdf(out)
    assert len(payloads) == 1 and payloads[0].startswith(f"XY1|CERT|{serial}|")
    _fonts_all_embedded(out)  # the invisible text is in the embedded body font, never a standard font

    assert main(["--db", database, "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "有效：信用等级证书" in said and serial in said and "盱眙县顺达建设工程有限公司" in said

    assert main(["--db", database, "verify", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] == 1 and data["valid"] and data["results"][0]["serial"] == serial


def test_batch_pdf_reports_every_code(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        make_rating(ctx, f"盱眙县第{i + 1}号建设工程有限公司", 100 + i)
    out = printing.print_certificates_batch(ctx, 2025, "highway_construction", tmp_path / "batch.pdf")
    found = printing.verify_pdf(ctx, out)
    assert len(found) == 3 and all(r.valid for _, r in found)
    assert len({r.serial for _, r in found}) == 3
    assert main(["--db", database, "verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "找到 3 个核验码，3 个有效" in said and said.count("有效：信用等级证书") == 3


def test_credit_check_sheet_pdf_verifies(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    entity, _ = make_rating(ctx, "盱眙县古桑物流有限公司", 300)
    result = check_entity(ctx, entity.summary.id, "licensing")
    out = printing.print_credit_check(ctx, result, tmp_path / "check.pdf")
    _fonts_all_embedded(out)
    assert main(["--db", database, "verify", str(out)]) == 0
    assert "有效：信用核查结果单" in capsys.readouterr().out


def test_altered_payload_text_fails(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县顺达建设工程有限公司", 1)
    out = printing.print_certificate(ctx, rating.id, tmp_path / "cert.pdf")
    payload = printing.payloads_in_pdf(out)[0]
    # Forge the grade in the text layer: AA -> AC ("C" is in the font subset already: "CERT").
    forged = payload.replace(";g=AA;", ";g=AC;")
    assert forged != payload
    bad = tmp_path / "forged.pdf"
    _rewrite_payload(out, bad, payload, forged)
    assert printing.payloads_in_pdf(bad) == [forged]
    assert main(["--db", database, "verify", str(bad)]) == 1
    assert "无效：签名不符" in capsys.readouterr().out


def test_pdf_without_a_code_says_so(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县天泉湖交通工程有限公司", 2)
    out = printing.print_certificate(ctx, rating.id, tmp_path / "preview.pdf", preview=True)  # no code on a preview
    assert printing.payloads_in_pdf(out) == []
    assert main(["--db", database, "verify", str(out)]) == 1
    assert "没有找到核验码" in capsys.readouterr().out

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\nnot really\n")
    assert main(["--db", database, "verify", str(junk)]) == 1
    assert "无法读取 PDF" in capsys.readouterr().err
