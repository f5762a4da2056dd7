"""Bulk imports write the change log and the audit chain in batches: the same rows, order, numbers and hashes as
one-by-one writes, and nothing at all when the import is rolled back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char
from xuyi_desktop.services import audit
from xuyi_desktop.services.entities import register_entity, register_entity_in
from xuyi_desktop.storage.models import AuditEntry, ChangeLog


def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def test_batched_writes_match_single_writes_in_order_numbers_and_chain(ctx, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(audit.AuditBatch, "FLUSH_EVERY", 3)  # several flushes inside one transaction
    register_entity(ctx, EntityDraft(name="单条登记运输有限公司", identifier=uscc(100)))  # before: the single path
    with ctx.transaction() as session, audit.batched(session, ctx):
        for i in range(7):
            register_entity_in(session, ctx, EntityDraft(name=f"批量{i}号运输有限公司", identifier=uscc(i)), allow_similar=True)
            if i == 3:
                audit.write(session, ctx, "test.marker", "批量中间的一条")
    register_entity(ctx, EntityDraft(name="之后登记运输有限公司", identifier=uscc(200)))  # after: the single path again

    report = audit.verify_chain(ctx)
    assert report.ok, report.reason_zh
    with ctx.transaction() as session:
        entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
        changes = {c.seq: c for c in session.execute(select(ChangeLog)).scalars()}
    actions = [e.action for e in entries if e.action != "office.provisional"]
    assert actions[-10:] == ["entity.insert"] * 5 + ["test.marker"] + ["entity.insert"] * 4
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert sorted(changes) == list(range(1, 10))  # 1 + 7 + 1 change-log rows, numbered without gaps
    inserts = [e for e in entries if e.action == "entity.insert"]
    for entry in inserts:  # every audit line points at its own change-log row
        change = changes[json.loads(entry.details_json)["change_seq"]]
        assert str(change.record_id) == entry.record_id and change.summary == entry.summary
    names = [json.loads(changes[json.loads(e.details_json)["change_seq"]].after_json)["name"] for e in inserts]
    assert names == ["单条登记运输有限公司"] + [f"批量{i}号运输有限公司" for i in range(7)] + ["之后登记运输有限公司"]


def test_a_rolled_back_batch_writes_nothing_and_takes_no_numbers(ctx) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="单条登记运输有限公司", identifier=uscc(100)))
    with ctx.transaction() as session:
        before = (session.query(AuditEntry).count(), session.query(ChangeLog).count())
    with pytest.raises(RuntimeError), ctx.transaction() as session, audit.batched(session, ctx):
        for i in range(5):
            register_entity_in(session, ctx, EntityDraft(name=f"批量{i}号运输有限公司", identifier=uscc(i)), allow_similar=True)
        raise RuntimeError("the clerk cancelled")
    with ctx.transaction() as session:
        assert (session.query(AuditEntry).count(), session.query(ChangeLog).count()) == before
    register_entity(ctx, EntityDraft(name="之后登记运输有限公司", identifier=uscc(200)))
    assert audit.verify_chain(ctx).ok
