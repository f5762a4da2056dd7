"""Credit commitments end to end: records and states, the CLI contract, the printed 信用承诺书 (fonts, layout,
serial on every page, QR code decoded from the rendered page and verified), the credit check, serial
uniqueness across offices, the overdue list and the public export with the plan's indicator.

Needs poppler-utils and zbar-tools for the printing tests (scripts/install --test), like test_printing.py."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.commitments import CommitmentStatus
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.identifiers import id_check_char, org_code_check_char, uscc_check_char
from xuyi_desktop.printing.output import PrintCancelled
from xuyi_desktop.services import commitments as svc
from xuyi_desktop.services import office_keys
from xuyi_desktop.services.commitments import CommitmentInput
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.credit_check import check_entity
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.storage.models import AuditEntry, ChangeLog, DishonestyRecord

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo", "zbarimg")
needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) and not os.environ.get("CI"),
    reason="poppler-utils and zbar-tools are needed (scripts/install --test)",
)
NAME = "盱眙县顺达建设工程有限公司"


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def id_number(n: int) -> str:
    first17 = f"32083019800101{n:03d}"
    return first17 + id_check_char(first17)


def org(ctx, n: int = 1, name: str = NAME):  # type: ignore[no-untyped-def]
    return register_entity(ctx, EntityDraft(
        name=name, identifier=uscc(n), categories=("construction_unit",), legal_representative="张建国",
        address="盱眙县盱城街道淮河北路8号", phone="0517-88881234",
    ), allow_similar=True)


def commit(ctx, entity, **kw):  # type: ignore[no-untyped-def]
    data = {"type_code": "approval_substitute", "area_code": "licensing", "business": "道路运输经营许可申请 XK-2026-0123", "term_days": 30}
    data.update(kw)
    return svc.add_commitment(ctx, CommitmentInput(entity, **data))


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", "-layout", str(path), "-")


def pages(pdf: Path) -> int:
    return int(next(line.split()[1] for line in run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))


def decode_qr(pdf: Path, tmp: Path, page: int = 1) -> str:
    png = tmp / f"qr-{uuid.uuid4().hex}"
    run("pdftoppm", "-r", "300", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(png))
    out = subprocess.run(["zbarimg", "-q", "--raw", f"{png}.png"], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, f"no QR code found: {out.stderr}"
    return out.stdout.strip()


def cli(db: Path, *args: str) -> list[str]:
    return ["--db", str(db), *args]


# --- records and states ---------------------------------------------------------------------------------
def test_add_fulfil_violate_revoke_with_full_row_images(ctx) -> None:  # type: ignore[no-untyped-def]
    e = org(ctx)
    a = commit(ctx, e.summary.id)
    assert a.status is CommitmentStatus.ACTIVE and a.serial.startswith(f"{ctx.office_code}-CN-{dt.date.today().year}-")
    assert a.term_until == dt.date.today() + dt.timedelta(days=30) and a.signer == "张建国" and len(a.items) == 3
    assert svc.fulfil(ctx, a.id, note="已补交材料").status is CommitmentStatus.FULFILLED
    with pytest.raises(ValidationError, match="已践诺"):
        svc.violate(ctx, a.id, facts="x")
    b = commit(ctx, uscc(1), area_code="fund_application", items=("1. 所报资金申请材料真实", "", "二、按规定使用资金"))
    assert b.items == ("所报资金申请材料真实", "按规定使用资金")
    with pytest.raises(ValidationError):
        svc.violate(ctx, b.id, facts="  ")
    v = svc.violate(ctx, b.serial, facts="资金申请材料虚假", handling="撤销补助", penalty_document_no="盱交罚〔2026〕7号")
    assert v.status is CommitmentStatus.VIOLATED and v.dishonesty_id is not None
    with pytest.raises(svc.CommitmentRefused, match="违诺") as refused:  # the check embedded in acceptance
        commit(ctx, e.summary.id)
    assert refused.value.serial.startswith(f"{ctx.office_code}-HC-")
    c = commit(ctx, e.summary.id, override_reason="县政府专题会议要求容缺办理")  # a reviewer's override, with a reason
    assert c.check_serial.startswith(f"{ctx.office_code}-HC-") and c.check_override_reason == "县政府专题会议要求容缺办理"
    assert a.check_serial and a.check_serial != c.check_serial and not a.check_override_reason
    assert svc.revoke(ctx, c.id, reason="申请人撤回申请").status is CommitmentStatus.REVOKED
    with ctx.transaction() as s:
        rec = s.get(DishonestyRecord, v.dishonesty_id)
        assert rec.category == "违反信用承诺" and rec.document_no == "盱交罚〔2026〕7号" and v.serial in rec.source
        changes = s.execute(select(ChangeLog).where(ChangeLog.table_name == "commitment").order_by(ChangeLog.seq)).scalars().all()
        assert [c.action for c in changes] == ["insert", "update", "insert", "update", "insert", "update"]
        after = json.loads(changes[-3].after_json)
        assert after["status"] == "violated" and after["dishonesty_id"] == str(v.dishonesty_id) and "serial" in after and "items_json" in after
        assert s.execute(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "dishonesty_record")).scalar_one() == 1
    for bad in ({"type_code": "nope"}, {"area_code": "nope"}, {"business": " "}, {"term_days": 0}):
        with pytest.raises(ValidationError):
            commit(ctx, e.summary.id, **bad)


def test_overdue_list_and_status_filters(ctx) -> None:  # type: ignore[no-untyped-def]
    e = org(ctx)
    today = dt.date.today()
    late = commit(ctx, e.summary.id, signed_on=today - dt.timedelta(days=40), term_days=30)
    due_today = commit(ctx, e.summary.id, signed_on=today - dt.timedelta(days=30), term_days=30)
    done = commit(ctx, e.summary.id, signed_on=today - dt.timedelta(days=50), term_days=10)
    svc.fulfil(ctx, done.id)
    overdue = svc.overdue_commitments(ctx)
    assert [v.id for v in overdue] == [late.id] and overdue[0].overdue
    assert not svc.get_commitment(ctx, due_today.id).overdue
    assert {v.id for v in svc.list_commitments(ctx, status="履约中")} == {late.id, due_today.id}
    assert [v.id for v in svc.list_commitments(ctx, entity=uscc(1), status=CommitmentStatus.FULFILLED)] == [done.id]


def test_serials_never_repeat_also_across_offices(new_db) -> None:  # type: ignore[no-untyped-def]
    first, second = open_context(new_db("a")), open_context(new_db("b"))
    try:
        assert first.office_code != second.office_code
        serials = []
        for ctx in (first, second):
            e = org(ctx)
            serials += [commit(ctx, e.summary.id).serial for _ in range(5)]
        assert len(set(serials)) == 10
        assert all(s.endswith(f"-{n:06d}") for s, n in zip(serials, [1, 2, 3, 4, 5] * 2, strict=True))
    finally:
        first.close()
        second.close()


# --- credit check ---------------------------------------------------------------------------------------
def test_a_violated_commitment_changes_the_credit_check(ctx) -> None:  # type: ignore[no-untyped-def]
    e = org(ctx)
    c = commit(ctx, e.summary.id)
    before = check_entity(ctx, e.summary.id, "licensing")
    assert [x["serial"] for x in before.commitments] == [c.serial] and before.commitments[0]["status_label"] == "履约中"
    assert not any("违诺" in line.text for line in before.consequences) and not before.dishonesty
    svc.violate(ctx, c.id, facts="未在期限内补交安全生产管理制度材料")
    after = check_entity(ctx, e.summary.id, "licensing")
    assert after.commitments[0]["status"] == "violated"
    assert any("违诺" in line.text and c.serial in line.source and line.kind == "restriction" for line in after.consequences)
    assert after.dishonesty and after.dishonesty[0]["category"] == "违反信用承诺"
    assert after.to_json()["commitments"][0]["serial"] == c.serial


# --- printing -------------------------------------------------------------------------------------------
@needs_tools
def test_form_pdf_fonts_layout_and_qr_verifies(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    e = org(ctx)
    c = commit(ctx, e.summary.id)
    out = svc.print_commitment(ctx, c.id, tmp_path / "form.pdf")
    text = pdf_text(out)
    for needle in ("信用承诺书（告知承诺）", NAME, uscc(1), c.serial, "张建国", "道路运输经营许可申请", "承诺主体（盖章）", "法定代表人（签字）",
                   "盱眙县交通运输局", "— 1 —", "一、本单位", "三、所填写"):
        assert needle in text, needle
    assert "${" not in text
    fonts = run("pdffonts", str(out)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert pages(out) == 1
    payload = decode_qr(out, tmp_path)
    assert payload.startswith(f"XY1|CN|{c.serial}|{ctx.office_code}|")
    result = office_keys.verify_payload(ctx, payload)
    assert result.valid and result.doc_type == "CN" and result.doc_type_label == "信用承诺书"
    assert result.facts["n"] == NAME and result.facts["t"] == "approval_substitute" and result.facts["a"] == "licensing"
    i = payload.index("t=") + 2
    changed = payload[:i] + ("b" if payload[i] != "b" else "c") + payload[i + 1 :]
    assert len(changed) == len(payload) and not office_keys.verify_payload(ctx, changed).valid
    for j in (5, len(payload) - 5):
        flipped = payload[:j] + ("A" if payload[j] != "A" else "B") + payload[j + 1 :]
        assert not office_keys.verify_payload(ctx, flipped).valid
    with ctx.transaction() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "print.commitment")).scalar_one() == 1


@needs_tools
def test_long_form_has_serial_and_page_number_on_every_page_and_person_masked(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = register_entity(ctx, EntityDraft(name="王建国", identifier=id_number(11), categories=("key_personnel",)))
    items = tuple(f"第{i}项：按照《盱眙县交通运输信用管理办法》的规定，如实报送经营与安全生产信息，接受监督检查，不弄虚作假。" for i in range(1, 16))
    c = commit(ctx, p.summary.id, type_code="missing_materials", items=items, business="从业资格证补办")
    out = svc.print_commitment(ctx, c.id, tmp_path / "long.pdf")
    n = pages(out)
    assert n >= 2
    for page in range(1, n + 1):
        page_text = run("pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(out), "-")
        assert c.serial in page_text and f"— {page} —" in page_text
    text = pdf_text(out)
    assert id_number(11) not in text and "320830" in text and "承诺人（签字）" in text and "十五、" in text
    payload = decode_qr(out, tmp_path, page=n)
    verified = office_keys.verify_payload(ctx, payload)
    assert verified.valid and "*" in verified.facts["u"]
    svc.print_commitment(ctx, c.id, tmp_path / "revealed.pdf", reveal=True)
    assert id_number(11) in pdf_text(tmp_path / "revealed.pdf")


@needs_tools
def test_batch_into_one_pdf_with_progress_and_cancel(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(12):
        e = org(ctx, 100 + i, f"盱眙县第{i}运输有限公司")
        ids.append(commit(ctx, e.summary.id, area_code=("licensing", "awards")[i % 2]).id)
    seen: list[tuple[int, int]] = []
    out = svc.print_commitments(ctx, ids, tmp_path / "batch.pdf", progress=lambda d, t: seen.append((d, t)))
    assert pages(out) == 12 and seen[-1] == (12, 12) and len(seen) == 12
    text = pdf_text(out)
    assert text.count("— 1 —") == 12  # page numbers count within each form
    last = svc.get_commitment(ctx, ids[-1]).serial
    last_page = run("pdftotext", "-enc", "UTF-8", "-f", "12", "-l", "12", str(out), "-")
    assert last in last_page
    with pytest.raises(PrintCancelled):
        svc.print_commitments(ctx, ids, tmp_path / "cancel.pdf", cancelled=lambda: len(seen) > 14,
                              progress=lambda d, t: seen.append((d, t)))
    assert not (tmp_path / "cancel.pdf").exists()


@needs_tools
def test_preview_has_no_serial_and_no_code(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = commit(ctx, org(ctx).summary.id)
    out = svc.print_commitment(ctx, c.id, tmp_path / "p.pdf", preview=True)
    text = pdf_text(out)
    assert "样张" in text and c.serial not in text


# --- CLI contract ---------------------------------------------------------------------------------------
@needs_tools
def test_cli_contract(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    org(ctx)
    assert main(cli(database, "commitment", "types", "--json")) == 0
    types = json.loads(capsys.readouterr().out)
    assert {"code", "name"} <= set(types[0]) and {t["code"] for t in types} >= {"approval_substitute", "missing_materials", "credit_repair"}
    assert main(cli(database, "commitment", "areas", "--json")) == 0
    areas = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in areas][:3] == ["行政许可", "资金申请", "评优评先"]

    assert main(cli(database, "commitment", "add", "--entity", uscc(1), "--type", "approval_substitute", "--area", "licensing",
                    "--business", "道路运输经营许可申请 XK-2026-0001", "--term-days", "30", "--json")) == 0
    added = json.loads(capsys.readouterr().out)
    assert {"id", "serial", "status"} <= set(added) and added["status"] == "active"
    assert main(cli(database, "commitment", "add", "--entity", uscc(1), "--type", "voluntary", "--area", "awards",
                    "--business", "2026年度诚信单位评选", "--term-days", "365", "--json")) == 0
    second = json.loads(capsys.readouterr().out)
    assert main(cli(database, "commitment", "add", "--entity", uscc(1), "--type", "bogus", "--area", "awards",
                    "--business", "x", "--term-days", "3")) == 1
    assert capsys.readouterr().err.startswith("错误：")

    assert main(cli(database, "commitment", "list", "--entity", uscc(1), "--json")) == 0
    assert {v["serial"] for v in json.loads(capsys.readouterr().out)} == {added["serial"], second["serial"]}
    assert main(cli(database, "commitment", "fulfil", second["id"])) == 0
    assert "已践诺" in capsys.readouterr().out
    assert main(cli(database, "commitment", "violate", added["id"], "--facts", "未按期提交材料")) == 0
    assert "违诺" in capsys.readouterr().out
    assert main(cli(database, "commitment", "list", "--status", "violated", "--json")) == 0
    assert [v["id"] for v in json.loads(capsys.readouterr().out)] == [added["id"]]
    assert main(cli(database, "commitment", "fulfil", added["id"])) == 1
    capsys.readouterr()

    out = tmp_path / "cn.pdf"
    assert main(cli(database, "print", "commitment", added["id"], "--out", str(out))) == 0
    capsys.readouterr()
    payload = decode_qr(out, tmp_path)
    (tmp_path / "code.txt").write_text(payload + "\r\n", encoding="utf-8")
    assert main(cli(database, "verify", str(tmp_path / "code.txt"))) == 0
    said = capsys.readouterr().out
    assert "有效：信用承诺书" in said and added["serial"] in said and ctx.office_code in said and NAME in said
    assert main(cli(database, "verify", payload, "--json")) == 0
    assert json.loads(capsys.readouterr().out)["doc_type"] == "CN"
    i = payload.index("|", 4) + 3  # a digit of the serial
    tampered = payload[:i] + ("7" if payload[i] != "7" else "8") + payload[i + 1 :]
    assert main(cli(database, "verify", tampered)) == 1
    assert "无效" in capsys.readouterr().out

    assert main(cli(database, "print", "commitments", added["id"], second["id"], "--out", str(tmp_path / "two.pdf"))) == 0
    assert "打印进度 2/2" in capsys.readouterr().err and pages(tmp_path / "two.pdf") == 2


# --- publicity ------------------------------------------------------------------------------------------
def test_public_export_masks_persons_and_counts_areas(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    e = org(ctx)
    p = register_entity(ctx, EntityDraft(name="王建国", identifier=id_number(12), categories=("key_personnel",)))
    today = dt.date.today()
    commit(ctx, e.summary.id)
    commit(ctx, p.summary.id, area_code="fund_application", business="客运车辆更新补助")
    revoked = commit(ctx, e.summary.id, area_code="awards", business="评优")
    svc.revoke(ctx, revoked.id, reason="撤回")
    commit(ctx, e.summary.id, area_code="tender", business="旧项目", signed_on=today - dt.timedelta(days=400), term_days=30)
    start = today - dt.timedelta(days=30)
    count, indicator = svc.export_publicity(ctx, tmp_path / "pub.xlsx", start, today)
    assert count == 2 and indicator.count == 2 and [a[1] for a in indicator.areas] == ["行政许可", "资金申请"]
    rows = [r for r in load_workbook(tmp_path / "pub.xlsx").active.iter_rows(values_only=True)]
    flat = "\n".join(str(c) for r in rows for c in r if c is not None)
    assert id_number(12) not in flat and "王建国" in flat and uscc(1) in flat and "320830" in flat
    assert rows[1][:4] == ("序号", "承诺编号", "承诺主体", "统一社会信用代码/身份证号码")
    assert "有信用承诺的应用领域 2 个" in flat
    assert main(cli(database, "commitment", "indicator", "--from", start.isoformat(), "--to", today.isoformat(), "--json")) == 0
    assert json.loads(capsys.readouterr().out)["areas_with_commitments"] == 2
    assert main(cli(database, "commitment", "export", "--from", (today - dt.timedelta(days=500)).isoformat(), "--to", today.isoformat(),
                    "--out", str(tmp_path / "all.xlsx"))) == 0
    assert "有信用承诺的应用领域 3 个" in capsys.readouterr().out


def test_the_list_filter_ignores_letter_case_on_every_database(ctx) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL's LIKE is case-sensitive where SQLite's is not: a clerk typing “cn-2026” finds the same rows on both."""
    made = commit(ctx, org(ctx).summary.id, business="Road transport licence XK-2026-0123")
    year = str(dt.date.today().year)
    for typed in (f"cn-{year}", "road TRANSPORT", "xk-2026"):
        assert [v.id for v in svc.list_commitments(ctx, text=typed)] == [made.id], typed
    assert svc.list_commitments(ctx, text="100%") == []  # a literal %, not a wildcard


def test_a_clerk_may_not_revoke_and_the_refusal_names_the_right_permission(ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users
    from xuyi_desktop.services.audit import PermissionDenied

    users.create_user(ctx, "admin", "admin-pass-2026", Role.ADMIN)
    users.login(ctx, "admin", "admin-pass-2026")
    users.create_user(ctx, "clerk01", "clerk-pass-2026", Role.CLERK)
    users.create_user(ctx, "reviewer01", "review-pass-2026", Role.REVIEWER)
    c = commit(ctx, org(ctx).summary.id)
    users.logout(ctx)
    users.login(ctx, "clerk01", "clerk-pass-2026")
    with pytest.raises(PermissionDenied) as refused:
        svc.revoke(ctx, c.id, reason="申请人撤回")
    assert "审核信用信息" in refused.value.message_zh and "审核信用评价" not in refused.value.message_zh
    users.logout(ctx)
    users.login(ctx, "reviewer01", "review-pass-2026")
    assert svc.revoke(ctx, c.id, reason="申请人撤回").status is CommitmentStatus.REVOKED
