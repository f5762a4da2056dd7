"""Credit points (诚信港区): a fixture's balance and tier equal a hand count, corrections are new entries, the rules'
evidence and subject checks, the profile and the counter show the tier's service, and the 积分明细 statement prints
with a code that verifies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.services import entities, points
from xuyi_desktop.services.credit_check import check_entity
from xuyi_desktop.services.printing import verify_pdf
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.services.sgs_demo import id_card, uscc
from xuyi_desktop.storage.models import ChangeLog
from xuyi_desktop.storage.models_fleet import PointEntry

DRIVER, FIRM = id_card(7), uscc(7)


@pytest.fixture
def subjects(ctx):  # type: ignore[no-untyped-def]
    entities.register_entity(ctx, EntityDraft(name="陈驾驶", identifier=DRIVER, categories=("road_practitioner",)))
    entities.register_entity(ctx, EntityDraft(name="盱眙诚信港区物流有限公司", identifier=FIRM, categories=("road_operator",)))
    entities.register_entity(ctx, EntityDraft(name="盱眙路桥工程有限公司", identifier=uscc(8), categories=("construction_unit",)))
    return ctx


def test_balance_and_tier_equal_a_hand_count_and_corrections_are_new_entries(subjects) -> None:  # type: ignore[no-untyped-def]
    ctx = subjects
    day = dt.date(2026, 3, 1)
    points.add_entry(ctx, DRIVER, "JF-02", reason="培训合格", evidence="培训证书001", on=day)  # opens with 100, then +2
    points.add_entry(ctx, DRIVER, "KF-01", reason="超限被抄报", evidence="淮治超抄〔2026〕1号", on=day + dt.timedelta(days=10))  # -10
    wrong = points.add_entry(ctx, DRIVER, "KF-02", reason="处罚", evidence="盱交罚〔2026〕9号", points=-15, on=day + dt.timedelta(days=20))
    points.add_entry(ctx, DRIVER, "JF-03", reason="拾金不昧", evidence="表彰通报", on=day + dt.timedelta(days=30))  # +5
    ledger = points.get_ledger(ctx, DRIVER)
    assert ledger.standing.balance == 100 + 2 - 10 - 15 + 5 == 82 and ledger.standing.tier.name == "诚信一般"
    fixed = points.correct_entry(ctx, wrong.id, reason="处罚决定已撤销")
    assert fixed.points == 15 and fixed.kind == "correction"
    ledger = points.get_ledger(ctx, DRIVER)
    assert ledger.standing.balance == 97 and [e.balance_after for e in ledger.entries] == [100, 102, 92, 77, 82, 97]
    assert next(e for e in ledger.entries if e.id == wrong.id).corrected_by == fixed.id  # kept, marked
    with pytest.raises(ValidationError):
        points.correct_entry(ctx, wrong.id, reason="再次")  # once
    with ctx.transaction() as s:
        assert s.execute(select(func.count()).select_from(PointEntry)).scalar_one() == 6
        logged = s.execute(select(ChangeLog.action).where(ChangeLog.table_name == "point_entry")).scalars().all()
    assert sorted(logged) == sorted(["open", "insert", "insert", "insert", "insert", "correct"])  # never an update
    # as of a date: the ledger then
    assert points.get_ledger(ctx, DRIVER, as_of=day + dt.timedelta(days=15)).standing.balance == 92


def test_rules_refuse_missing_evidence_wrong_subject_and_unknown_entities(subjects) -> None:  # type: ignore[no-untyped-def]
    ctx = subjects
    with pytest.raises(ValidationError) as exc:
        points.add_entry(ctx, DRIVER, "KF-01", reason="超限")
    assert "须填写证据" in exc.value.message_zh
    with pytest.raises(ValidationError):
        points.add_entry(ctx, FIRM, "JF-02", reason="培训", evidence="x")  # a driver's rule
    with pytest.raises(ValidationError) as exc:
        points.add_entry(ctx, uscc(8), "JF-01", reason="无违法")
    assert "不属于积分管理的主体类别" in exc.value.message_zh
    with pytest.raises(ValidationError):
        points.add_entry(ctx, DRIVER, "KF-02", reason="处罚", evidence="x", points=-50)  # outside the rule's range
    assert points.get_ledger(ctx, DRIVER).entries == ()  # nothing opened by refused entries


def test_profile_and_counter_show_the_tier_and_its_service(subjects) -> None:  # type: ignore[no-untyped-def]
    ctx = subjects
    points.add_entry(ctx, FIRM, "JF-01", reason="年度无违法", on=dt.date(2026, 1, 5))
    points.add_entry(ctx, FIRM, "JF-04", reason="公开承诺并履约", on=dt.date(2026, 2, 5))
    profile = get_profile(ctx, FIRM)
    assert profile.points is not None and profile.points.balance == 108 and profile.points.tier_name == "诚信良好"
    assert "港区通行绿色通道" in profile.points.services
    check = check_entity(ctx, entities.get_entity(ctx, FIRM).summary.id, "licensing")
    assert check.points is not None and check.points["tier_name"] == "诚信良好"
    assert get_profile(ctx, DRIVER).points is None


def test_the_statement_prints_numbered_and_verifies(subjects, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = subjects
    points.add_entry(ctx, DRIVER, "JF-02", reason="培训合格", evidence="培训证书001", on=dt.date(2026, 3, 1))
    points.add_entry(ctx, DRIVER, "KF-03", reason="港区内违规停放", evidence="照片20260401", on=dt.date(2026, 4, 1))
    out = points.print_statement(ctx, DRIVER, tmp_path / "积分明细.pdf")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(out).pages)  # table cells wrap
    for expected in ("信用积分明细", "陈驾驶", "诚信一般", "JF-02", "KF-03", "培训证书001", "99分"):  # 100 + 2 − 3
        assert expected in text, expected
    assert DRIVER not in text  # the ID number is masked on paper
    (_payload, verdict), = verify_pdf(ctx, out)
    assert verdict.valid and verdict.serial.endswith("-000001") and "-JF-" in verdict.serial
    second = points.print_statement(ctx, DRIVER, tmp_path / "again.pdf")
    assert verify_pdf(ctx, second)[0][1].serial.endswith("-000002")
