"""Issue 21, findings 1 and 10: signing keys an administrator approves, and verification that tells the
whole truth (未经授权, revoked key, revoked / superseded / expired documents: exit 1, never 有效)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from rating_flow import step_day  # tests/support

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.printing import qr
from xuyi_desktop.services import audit, office_keys, printing, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status

ADMIN_PW, CLERK_PW, REVIEWER_PW = "Xuyi-admin-2026", "Xuyi-clerk-2026", "Xuyi-review-2026"


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database: str, user: str, password: str,
        *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("XUYI_PASSWORD", password)
    capsys.readouterr()
    code = main(["--db", database, "--user", user, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def office(database: str):  # type: ignore[no-untyped-def]
    """admin (created on this PC: its key approved), a clerk and a reviewer, and one effective rating."""
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK, display_name="李经办")
    users.create_user(ctx, "review01", REVIEWER_PW, Role.REVIEWER, display_name="周审核")
    users.logout(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    entity = register_entity(ctx, EntityDraft(name="盱眙县顺达公路工程有限公司", identifier=uscc(7), categories=("construction_unit",)))
    rating = add_rating(ctx, RatingInput(entity=entity.summary.id, domain="highway_construction", period=2025, score=92,
                                         decision_date=dt.date.today(), document_no="盱交信〔2026〕9号"))
    users.logout(ctx)
    users.login(ctx, "review01", REVIEWER_PW)
    for step in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, rating.id, step, today=step_day(step))
    users.logout(ctx)
    yield ctx, rating
    ctx.close()


def test_first_administrator_approves_the_key_of_the_pc_it_is_created_on(office) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = office
    users.login(ctx, "admin", ADMIN_PW)
    (key,) = office_keys.list_keys(ctx)
    assert key.status is office_keys.KeyStatus.APPROVED and key.this_pc and key.approved_by == "admin"


def test_a_print_from_a_new_data_folder_verifies_only_after_an_administrator_approves_its_key(
    office, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, rating = office
    # The clerk prints with a data folder of their own: a new key, registered as pending, not adopted.
    monkeypatch.setenv("XUYI_DATA_DIR", str(tmp_path / "clerk-own-folder"))
    pdf = tmp_path / "cert.pdf"
    code, _, err = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "print", "certificate", str(rating.id), "--out", str(pdf))
    assert code == 0, err
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf))
    assert code == 1 and out.startswith("未经授权：") and "尚未经管理员批准" in out and "有效：" not in out
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf), "--json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and data["results"][0]["status"] == "unauthorised"

    # What the clerk signs offline with that key (an invented serial, grade AAA) is just as unauthorised.
    forged = qr.build_payload("CERT", f"{ctx.office_code}-CERT-2026-999999", ctx.office_code, dt.date.today(),
                              {"u": uscc(8), "d": "highway_construction", "p": 2025, "g": "AAA", "n": "伪造公司"},
                              office_keys.installation_key().sign)
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", forged)
    assert code == 1 and out.startswith("未经授权：")

    # The clerk cannot approve their own key; the refusal is audited.
    fp = office_keys.fingerprint(office_keys.installation_key().public_key())
    code, _, err = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "key", "approve", fp)
    assert code == 1 and err.startswith("错误：") and "管理密钥" in err
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "key", "show")
    assert code == 0 and fp in out and "待批准" in out

    # The administrator compares the fingerprint and approves it: now the print verifies, naming PC and approver.
    code, out, err = cli(monkeypatch, capsys, database, "admin", ADMIN_PW, "key", "approve", fp.replace(" ", "").lower())
    assert code == 0, err
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf))
    assert code == 0 and out.startswith("有效：")
    assert f"签发电脑：{office_keys.installation_name()}" in out and "密钥批准：管理员 王主任（admin）" in out

    # A revoked certificate verifies as 已撤销 with exit 1.
    users.login(ctx, "review01", REVIEWER_PW)
    set_status(ctx, rating.id, RatingStatus.REVOKED, note="评价依据有误")
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf))
    assert code == 1 and out.startswith("已撤销：") and "有效：" not in out
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf), "--json")
    result = json.loads(out)["results"][0]
    assert result["valid"] is False and result["status"] == "revoked"

    # Every decision about keys is audited.
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    actions = [r.action for r in audit.list_entries(ctx, limit=500)]
    assert "signing_key.insert" in actions and "signing_key.update" in actions and "permission.denied" in actions


def test_revoked_and_retired_keys(office, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    ctx, rating = office
    users.login(ctx, "clerk01", CLERK_PW)
    pdf = printing.print_certificate(ctx, rating.id, tmp_path / "c.pdf")
    key = office_keys.print_key(ctx)
    late = qr.build_payload("HC", f"{ctx.office_code}-HC-2099-000001", ctx.office_code, dt.date.today() + dt.timedelta(days=3),
                            {"x": 0}, key.sign)
    users.logout(ctx)
    fp = office_keys.fingerprint(key.public_key())
    assert cli(monkeypatch, capsys, database, "admin", ADMIN_PW, "key", "retire", fp)[0] == 0
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf))
    assert code == 0  # issued before the key was retired
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", late)
    assert code == 1 and out.startswith("密钥已停用：")
    code, _, err = cli(monkeypatch, capsys, database, "admin", ADMIN_PW, "key", "revoke", fp)
    assert code == 2  # --reason is required
    code, out, err = cli(monkeypatch, capsys, database, "admin", ADMIN_PW, "key", "revoke", fp, "--reason", "电脑丢失")
    assert code == 0, err
    code, out, _ = cli(monkeypatch, capsys, database, "clerk01", CLERK_PW, "verify", str(pdf))
    assert code == 1 and out.startswith("密钥已吊销：") and "电脑丢失" in out
    code, _, err = cli(monkeypatch, capsys, database, "admin", ADMIN_PW, "key", "approve", fp)
    assert code == 1 and "已吊销" in err  # a revoked key stays revoked


def test_superseded_and_expired_documents_are_not_valid(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx, rating = office
    users.login(ctx, "clerk01", CLERK_PW)
    key = office_keys.print_key(ctx)
    facts = {"u": uscc(7), "d": "highway_construction", "p": 2025, "g": "AA", "fr": "2025-01-01", "to": "2025-12-31"}
    expired = qr.build_payload("CERT", f"{ctx.office_code}-CERT-2025-000077", ctx.office_code, dt.date(2025, 1, 1), facts, key.sign)
    result = office_keys.verify_payload(ctx, expired, today=dt.date(2026, 3, 1))
    assert not result.valid and result.status == "expired" and "2025-12-31" in result.reason_zh
    assert office_keys.verify_payload(ctx, expired, today=dt.date(2025, 6, 1)).valid

    pdf_payload = printing.payloads_in_pdf(printing.print_certificate(ctx, rating.id, tmp_path / "c.pdf"))[0]
    with ctx.transaction() as s:
        from xuyi_desktop.storage.models import Rating

        s.get(Rating, rating.id).status = RatingStatus.SUPERSEDED.value
    result = office_keys.verify_payload(ctx, pdf_payload)
    assert not result.valid and result.status == "superseded" and result.status_label == "已被更正"


def test_key_management_needs_the_right(office) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = office
    users.login(ctx, "review01", REVIEWER_PW)
    with pytest.raises(audit.PermissionDenied):
        office_keys.list_keys(ctx)
    fp = office_keys.fingerprint(office_keys.installation_key().public_key())
    with pytest.raises(audit.PermissionDenied):
        office_keys.revoke_key(ctx, fp, "试试")


@pytest.mark.sqlite_only("builds the older file by hand")
def test_a_database_from_before_keys_were_approved_opens_without_loss(tmp_path: Path) -> None:
    """A file at revision 0010 whose office had adopted two keys (the last one printing is current, an earlier one
    retired): after the upgrade the current key is approved (its prints keep verifying, marked as carried
    over), the earlier one is pending (it verifies nothing until an administrator approves it)."""
    from alembic import command
    from sqlalchemy import text

    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import alembic_config

    current, earlier = office_keys.Ed25519PrivateKey.generate(), office_keys.Ed25519PrivateKey.generate()
    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
                          "VALUES ('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', 'XYJ', '盱眙县交通运输局', 'bureau', 1, 0, '2026-01-02 03:04:05')"))
        for key, value in (("office.public_key", office_keys.public_key_text(current.public_key())),
                           ("office.public_key.retired.1", office_keys.public_key_text(earlier.public_key())),
                           ("lists.restrict_to_unit", "1")):
            conn.execute(text("INSERT INTO app_setting (key, value) VALUES (:k, :v)"), {"k": key, "v": value})
    engine.dispose()

    ctx = open_context(str(db))
    try:
        keys = {v.fingerprint: v for v in office_keys.list_keys(ctx)}
        assert keys[office_keys.fingerprint(current.public_key())].status is office_keys.KeyStatus.APPROVED
        assert keys[office_keys.fingerprint(earlier.public_key())].status is office_keys.KeyStatus.PENDING
        assert "升级" in keys[office_keys.fingerprint(current.public_key())].note
        old_print = qr.build_payload("HC", "XYJ-HC-2026-000001", "XYJ", dt.date(2026, 3, 1), {"x": 0}, current.sign)
        forged = qr.build_payload("HC", "XYJ-HC-2026-000002", "XYJ", dt.date(2026, 3, 1), {"x": 0}, earlier.sign)
        assert office_keys.verify_payload(ctx, old_print).valid
        assert office_keys.verify_payload(ctx, forged).status == "unauthorised"
        from xuyi_desktop.services.list_scope import lists_restricted

        assert lists_restricted(ctx)  # the other settings are untouched
    finally:
        ctx.close()
