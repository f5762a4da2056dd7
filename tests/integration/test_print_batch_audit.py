"""A batch of certificates writes its serials' change-log rows and its audit lines in one go (issue 17), and
still gives every certificate its own serial, serial change and audit entry, on an intact audit chain."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rating_flow import step_day
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import audit, printing
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, get_rating, set_status
from xuyi_desktop.storage.models import AuditEntry, ChangeLog


def effective_rating(ctx, name: str, n: int):  # type: ignore[no-untyped-def]
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    entity = register_entity(ctx, EntityDraft(name=name, identifier=first17 + uscc_check_char(first17),
                                              categories=("construction_unit",)), allow_similar=True)
    rating = add_rating(ctx, RatingInput(entity=entity.summary.id, domain="highway_construction", period=2025, score=96,
                                         decision_date=dt.date.today(), document_no="盱交信〔2026〕3号"))
    for step in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        set_status(ctx, rating.id, step, today=step_day(step))
    return rating


def test_batch_gives_each_certificate_its_serial_change_and_audit_entry(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = [effective_rating(ctx, f"江苏淮河水运集团盱眙县港口物流装卸服务有限公司第{i}分公司", 300 + i).id for i in range(6)]
    printing.print_certificate(ctx, ids[0], tmp_path / "one.pdf")  # one already numbered: a reprint in the batch
    first_serial = get_rating(ctx, ids[0]).certificate_serial
    printing.print_certificates(ctx, ids, tmp_path / "batch.pdf")

    serials = [get_rating(ctx, rid).certificate_serial for rid in ids]
    assert serials[0] == first_serial and all(serials) and len(set(serials)) == len(ids)
    with ctx.transaction() as s:
        changes = s.execute(select(ChangeLog.record_id).where(ChangeLog.summary.contains("分配信用等级证书编号"))
                            .order_by(ChangeLog.seq)).scalars().all()
        prints = s.execute(select(AuditEntry).where(AuditEntry.action == "print.certificate")
                           .order_by(AuditEntry.seq)).scalars().all()
    assert sorted(map(str, changes)) == sorted(map(str, ids))  # every serial given once, as a change of its rating
    batch = prints[1:]
    assert [p.record_id for p in batch] == [str(rid) for rid in ids]  # one entry per certificate, in print order
    assert [p.summary.split()[1] for p in batch] == serials
    assert [p.summary.startswith("补打") for p in batch] == [True] + [False] * (len(ids) - 1)
    assert audit.verify_chain(ctx).ok
    assert (tmp_path / "batch.pdf").exists() and not list(tmp_path.glob("*.part"))
