"""Entity use cases on a real SQLite file: registration, duplicates, edits, deletes, history, search."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, RelationType
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.demo_data import generate_demo_data
from xuyi_desktop.services.errors import (
    ConcurrentEditError,
    DuplicateIdentifierError,
    NotFoundError,
    SimilarNameWarning,
)
from xuyi_desktop.storage.models import ChangeLog, Entity

ORG = "91320830PYQLFT169T"
ORG2 = "923208306JU6UCCY4U"
PERSON = "320830199001011236"


def _count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_register_and_read_back(ctx) -> None:  # type: ignore[no-untyped-def]
    detail = svc.register_entity(
        ctx,
        EntityDraft(
            name="盱眙县顺达运输有限公司",
            identifier=ORG.lower(),
            categories=("道路运输经营者",),
            phone="13812345678",
            licences=(LicenceDraft("道路运输经营许可证", "320830000001"),),
        ),
    )
    assert detail.summary.identifier == ORG
    shown = svc.get_entity(ctx, ORG)
    assert shown.summary.id == detail.summary.id
    assert shown.summary.phone == "138****5678"  # masked unless revealed
    assert svc.get_entity(ctx, str(detail.summary.id), reveal=True).summary.phone == "13812345678"
    assert [lic.number for lic in shown.licences] == ["320830000001"]
    with ctx.transaction() as s:
        entity = s.get(Entity, detail.summary.id)
        assert entity.created_office == ctx.office_code and entity.version == 1 and entity.deleted_at is None


def test_wrong_check_character_writes_nothing(ctx) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        svc.register_entity(ctx, EntityDraft(name="甲公司", identifier="91320830PYQLFT169U"))
    assert _count(ctx, Entity) == 0 and _count(ctx, ChangeLog) == 0


def test_override_with_reason_is_flagged_and_logged(ctx) -> None:  # type: ignore[no-untyped-def]
    detail = svc.register_entity(ctx, EntityDraft(name="甲公司", identifier="91320830PYQLFT169U"), override_reason="福建试点代码")
    assert detail.check_override_reason == "福建试点代码"
    assert "校验位" in svc.entity_history(ctx, detail.summary.id)[0].summary


def test_duplicate_identifier_points_at_the_existing_record(ctx) -> None:  # type: ignore[no-untyped-def]
    first = svc.register_entity(ctx, EntityDraft(name="甲公司", identifier=ORG))
    with pytest.raises(DuplicateIdentifierError) as info:
        svc.register_entity(ctx, EntityDraft(name="乙公司", identifier=" 91320830-pyqlft169t "))
    assert info.value.existing.id == first.summary.id
    assert _count(ctx, Entity) == 1


def test_similar_name_warns_and_can_be_overridden(ctx) -> None:  # type: ignore[no-untyped-def]
    svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=ORG))
    with pytest.raises(SimilarNameWarning):
        svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限责任公司", identifier=ORG2))
    svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限责任公司", identifier=ORG2), allow_similar=True)
    assert _count(ctx, Entity) == 2


def test_edit_keeps_history_and_refuses_stale_versions(ctx) -> None:  # type: ignore[no-untyped-def]
    created = svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier=ORG, phone="13812345678"))
    edited = svc.update_entity(
        ctx, created.summary.id, EntityDraft(name="盱眙县顺达客运有限公司", identifier=ORG, phone="13912345678"), expected_version=1
    )
    assert edited.summary.version == 2
    with pytest.raises(ConcurrentEditError):
        svc.update_entity(ctx, created.summary.id, EntityDraft(name="别的名字", identifier=ORG), expected_version=1)
    history = svc.entity_history(ctx, created.summary.id)
    assert [h.action for h in history] == ["insert", "update"]
    assert history[1].before["name"] == "盱眙县顺达运输有限公司" and history[1].after["name"] == "盱眙县顺达客运有限公司"
    assert history[1].office_code == ctx.office_code and history[1].actor
    # the search index follows the edit
    assert [h.name for h in svc.find_entities(ctx, "客运")] == ["盱眙县顺达客运有限公司"]
    assert svc.find_entities(ctx, "顺达运输") == []


def test_unchanged_save_makes_no_new_version(ctx) -> None:  # type: ignore[no-untyped-def]
    created = svc.register_entity(ctx, EntityDraft(name="甲公司", identifier=ORG))
    again = svc.update_entity(ctx, created.summary.id, EntityDraft(name="甲公司", identifier=ORG), expected_version=1)
    assert again.summary.version == 1 and len(svc.entity_history(ctx, created.summary.id)) == 1


def test_soft_delete_leaves_a_tombstone_and_frees_the_identifier(ctx) -> None:  # type: ignore[no-untyped-def]
    created = svc.register_entity(ctx, EntityDraft(name="甲公司", identifier=ORG))
    svc.delete_entity(ctx, created.summary.id, expected_version=1, reason="重复登记")
    assert svc.find_entities(ctx, "甲公司") == []
    assert svc.get_entity(ctx, created.summary.id).deleted  # still there, as a tombstone
    again = svc.register_entity(ctx, EntityDraft(name="甲公司", identifier=ORG))
    assert again.summary.id != created.summary.id
    assert svc.count_entities(ctx) == 1


def test_search_ranks_exact_identifier_first(ctx) -> None:  # type: ignore[no-untyped-def]
    generate_demo_data(ctx, 500, seed=3)
    target = svc.register_entity(ctx, EntityDraft(name="盱眙交通运输集团有限公司", identifier=ORG))
    assert svc.find_entities(ctx, ORG)[0].id == target.summary.id
    assert svc.find_entities(ctx, ORG[:8])  # identifier prefix
    assert target.summary.id in [h.id for h in svc.find_entities(ctx, "xyjt", limit=500)]  # pinyin initials
    assert target.summary.id in [h.id for h in svc.find_entities(ctx, "jiaotong", limit=500)]  # full pinyin
    assert target.summary.id in [h.id for h in svc.find_entities(ctx, "交通运输", limit=500)]
    two = svc.find_entities(ctx, "盱眙", limit=5)
    assert len(two) == 5 and all("盱眙" in h.name for h in two)  # two characters: below a trigram index's reach
    assert all("集" in h.name for h in svc.find_entities(ctx, "集"))


def test_person_id_is_masked_in_lists(ctx) -> None:  # type: ignore[no-untyped-def]
    svc.register_entity(ctx, EntityDraft(name="张三", identifier=PERSON, phone="13812345678"))
    hit = svc.find_entities(ctx, "张三")[0]
    assert hit.identifier == "320830********1236" and hit.phone == "138****5678"
    assert svc.find_entities(ctx, PERSON, reveal=True)[0].identifier == PERSON


def test_link_person_to_organisation(ctx) -> None:  # type: ignore[no-untyped-def]
    org = svc.register_entity(ctx, EntityDraft(name="甲运输公司", identifier=ORG))
    person = svc.register_entity(ctx, EntityDraft(name="张三", identifier=PERSON))
    rel = svc.link_person(ctx, person.summary.id, org.summary.id, RelationType.EMPLOYEE, title="驾驶员")
    assert isinstance(rel, uuid.UUID)
    with pytest.raises(ValidationError):
        svc.link_person(ctx, org.summary.id, person.summary.id, RelationType.EMPLOYEE)


def test_keyset_pages_cover_every_row_once(ctx) -> None:  # type: ignore[no-untyped-def]
    generate_demo_data(ctx, 1234, seed=5)
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        rows, cursor = svc.page_entities(ctx, after=cursor, size=100)
        seen += [r.id for r in rows]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 1234 == svc.count_entities(ctx)


def test_demo_identifiers_are_valid_and_unique(ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.identifiers import check_id_card, check_uscc

    generate_demo_data(ctx, 800, seed=11)
    with ctx.transaction() as s:
        rows = s.execute(select(Entity.kind, Entity.identifier)).all()
    assert len({r.identifier for r in rows}) == 800
    assert all((check_uscc if kind == "org" else check_id_card)(ident).ok for kind, ident in rows)


def test_data_survives_reopening(database) -> None:  # type: ignore[no-untyped-def]
    first = open_context(database)
    created = svc.register_entity(first, EntityDraft(name="甲公司", identifier=ORG))
    first.close()
    second = open_context(database)
    assert svc.get_entity(second, ORG).summary.id == created.summary.id
    assert second.office_code == first.office_code  # the office identity is stable across starts
    with pytest.raises(NotFoundError):
        svc.get_entity(second, "91110000600037341L")
    second.close()
