"""Issue 21, finding 16: a name that looks like a registered entity's name but is other text (Cyrillic or Greek
letters, full-width letters, kana for ideographs) is refused, naming the registered entity; a reviewer may
register it with a reason, which is audited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.text_safety import load_confusables, looks_alike, skeleton
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import entities, users
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.entities import LookalikeNameError
from xuyi_desktop.services.errors import SimilarNameWarning
from xuyi_desktop.storage.models import AuditEntry, Entity

REAL = "盱眙ABC物流有限公司"
REAL_ID = "91320830PYQLFT169T"
OTHER_ID = "923208306JU6UCCY4U"
ADMIN_PW, CLERK_PW, REVIEWER_PW = "admin-secret-1", "clerk-secret-1", "review-secret-1"
TABLE = load_confusables(resource_path("security", "confusables.toml").read_text(encoding="utf-8"))


def test_the_table_folds_what_looks_alike_and_nothing_else() -> None:
    assert skeleton("盱眙АВС物流", TABLE) == "盱眙ABC物流"  # Cyrillic А В С
    assert skeleton("盱眙ＡＢＣ物流（淮安）", TABLE) == "盱眙ABC物流(淮安)"  # full-width, NFKC
    assert skeleton("\uf900\u2f1d", TABLE) == "豈口"  # a compatibility ideograph, a Kangxi radical
    assert skeleton("盱眙顺达運输", TABLE) != skeleton("盱眙顺达运输", TABLE)  # traditional ≠ simplified: another name
    assert looks_alike("江苏ロ岸物流", "江苏口岸物流", TABLE) and not looks_alike(REAL, REAL, TABLE)
    assert not looks_alike("盱眙abc物流有限公司", REAL, TABLE)  # case is a near-duplicate, not a disguise
    with pytest.raises(ValueError):
        load_confusables('[look_alike]\na = "а"\no = "а"\n')


@pytest.fixture
def staffed(database: str) -> str:
    ctx = open_context(database)
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN)
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK)
    users.create_user(ctx, "review01", REVIEWER_PW, Role.REVIEWER)
    entities.register_entity(ctx, EntityDraft(name=REAL, identifier=REAL_ID))
    ctx.close()
    return database


def _as(database: str, name: str, password: str) -> AppContext:
    ctx = open_context(database)
    users.login(ctx, name, password)
    return ctx


@pytest.mark.parametrize("fake", ["盱眙АВС物流有限公司", "盱眙ＡＢＣ物流有限公司", "盱眙ABС物流有限公司"])
def test_a_lookalike_is_refused_naming_the_registered_entity(staffed: str, fake: str) -> None:
    clerk = _as(staffed, "clerk01", CLERK_PW)
    with pytest.raises(LookalikeNameError) as refused:
        entities.register_entity(clerk, EntityDraft(name=fake, identifier=OTHER_ID), allow_similar=True)
    assert refused.value.message_zh.startswith(f"与已登记的“{REAL}”看起来相同") and "U+" in refused.value.message_zh
    assert refused.value.for_field("name")
    with pytest.raises(PermissionDenied):  # a clerk cannot give the reason
        entities.register_entity(clerk, EntityDraft(name=fake, identifier=OTHER_ID), lookalike_reason="确为另一企业")
    with clerk.transaction() as s:
        assert s.execute(select(Entity.name).where(Entity.identifier == OTHER_ID)).scalar_one_or_none() is None
    clerk.close()


def test_a_reviewer_registers_it_with_a_reason_and_it_is_audited(staffed: str) -> None:
    reviewer = _as(staffed, "review01", REVIEWER_PW)
    fake = "盱眙АВС物流有限公司"
    detail = entities.register_entity(reviewer, EntityDraft(name=fake, identifier=OTHER_ID), lookalike_reason="俄罗斯独资企业，名称本为西里尔字母")
    assert detail.summary.name == fake
    with reviewer.transaction() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "entity.lookalike_override")).scalar_one()
    assert entry.username == "review01" and entry.record_id == str(detail.summary.id)
    assert REAL in entry.summary and "俄罗斯独资企业" in entry.summary
    reviewer.close()


def test_renaming_into_a_lookalike_is_refused(staffed: str) -> None:
    clerk = _as(staffed, "clerk01", CLERK_PW)
    other = entities.register_entity(clerk, EntityDraft(name="盱眙顺通公路养护工程队", identifier=OTHER_ID))
    with pytest.raises(LookalikeNameError):
        entities.update_entity(clerk, other.summary.id, EntityDraft(name="盱眙AΒC物流有限公司", identifier=OTHER_ID),
                               expected_version=other.summary.version, allow_similar=True)
    with pytest.raises(SimilarNameWarning):  # the plain near-duplicate keeps its warning
        entities.update_entity(clerk, other.summary.id, EntityDraft(name="盱眙ABC物流公司", identifier=OTHER_ID),
                               expected_version=other.summary.version)
    clerk.close()


def _cli(db: str, user: str, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XUYI_USER": user, "XUYI_PASSWORD": password}
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_the_cli_refuses_and_a_reviewer_overrides(staffed: str) -> None:
    fake = "盱眙ΑΒC物流有限公司"  # Greek Α Β
    refused = _cli(staffed, "clerk01", CLERK_PW, "entity", "add", "--name", fake, "--id", OTHER_ID, "--allow-similar")
    assert refused.returncode == 1 and refused.stderr.startswith(f"错误：与已登记的“{REAL}”看起来相同")
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    done = _cli(staffed, "review01", REVIEWER_PW, "entity", "add", "--name", fake, "--id", OTHER_ID,
                "--lookalike-reason", "外资企业登记名称如此")
    assert done.returncode == 0, done.stderr


def test_a_ledger_import_refuses_a_lookalike_row(staffed: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from xuyi_desktop.services import ledger_demo
    from xuyi_desktop.services import ledger_exchange as lx

    src = ledger_demo.write_ledger_workbook(tmp_path / "台账.xlsx", entities=3)
    wb = load_workbook(src)
    ws = wb.worksheets[0]
    head = next(r for r in range(1, 11) if any(c.value == "名称" for c in ws[r]))
    col = next(c.column for c in ws[head] if c.value == "名称")
    ws.cell(head + 2, col, "盱眙АBC物流有限公司")  # Cyrillic А
    wb.save(src)
    clerk = _as(staffed, "clerk01", CLERK_PW)
    result = lx.import_ledger(clerk, src, valid_only=True)
    assert result.failed_rows == 1 and result.imported == 2
    (error,) = result.errors
    assert error.row == head + 2 and error.column == "名称" and error.message_zh.startswith(f"与已登记的“{REAL}”看起来相同")
    clerk.close()
