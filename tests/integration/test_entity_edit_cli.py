"""`xuyi entity edit` and `xuyi entity delete`: the entity form's and the registry's services from a script — only
the fields given change (an empty value clears one), a newer version is not overwritten, a refusal is one 错误 line
with nothing written, and each change leaves its audit entry and history version."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.services.entities import entity_history, get_entity, register_entity, update_entity
from xuyi_desktop.storage.models import AuditEntry

USCC = "91320830PYQLFT169T"
NAME = "盱眙顺达运输有限公司"


@pytest.fixture
def entity(ctx):  # type: ignore[no-untyped-def]
    return register_entity(ctx, EntityDraft(
        name=NAME, identifier=USCC, categories=("road_operator",), legal_representative="张三", phone="13812345678",
        address="盱眙县淮河北路8号", notes="老客户",
        licences=(LicenceDraft("道路运输经营许可证", "320830000001"),),
    ))


def run(ctx, capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(["--db", ctx.location, "entity", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def audit_actions(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    with ctx.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_edit_changes_only_the_fields_given_and_an_empty_value_clears(ctx, entity, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(ctx, capsys, "edit", USCC, "--legal-rep", "", "--address", "盱眙县东阳路1号", "--category", "道路运输经营者",
                         "--category", "公路水运工程建设从业单位", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["legal_representative"] == "" and shown["address"] == "盱眙县东阳路1号" and shown["version"] == 2
    assert sorted(shown["categories"]) == ["construction_unit", "road_operator"]
    # The full record is read inside the service and nothing personal is shown: no reveal is logged.
    assert audit_actions(ctx) == ["entity.insert", "entity.update"]
    detail = get_entity(ctx, entity.summary.id, reveal=True)
    # untouched: name, phone, notes, the licence
    assert (detail.summary.name, detail.summary.phone, detail.notes) == (NAME, "13812345678", "老客户")
    assert [(lic.licence_type, lic.number) for lic in detail.licences] == [("道路运输经营许可证", "320830000001")]
    assert entity_history(ctx, entity.summary.id)[-1].summary.startswith("修改 ")

    code, out, err = run(ctx, capsys, "edit", str(entity.summary.id), "--notes", "", "--category", "")
    assert code == 0 and out.startswith("已修改")
    detail = get_entity(ctx, entity.summary.id)
    assert detail.notes == "" and detail.summary.categories == ()

    code, out, _ = run(ctx, capsys, "edit", USCC, "--notes", "")  # the same value: no new version
    assert code == 0 and out.startswith("未改变") and get_entity(ctx, USCC).summary.version == 3


def test_edit_refusals_are_one_line_and_write_nothing(ctx, entity, capsys) -> None:  # type: ignore[no-untyped-def]
    before = audit_actions(ctx)
    for args, words in (
        (("edit", USCC), "未给出要修改的字段"),
        (("edit", USCC, "--phone", "12345"), "联系电话"),
        (("edit", USCC, "--name", ""), "名称"),
        (("edit", "91320830PYQLFT169U", "--notes", "x"), "未找到"),
    ):
        code, out, err = run(ctx, capsys, *args)
        assert code == 1 and out == "", args
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：") and words in lines[0] and "(" in lines[0], err
    assert get_entity(ctx, USCC).summary.version == 1 and audit_actions(ctx) == before

    # Someone saved meanwhile: an edit of the version read before is refused, not laid over theirs.
    update_entity(ctx, entity.summary.id, EntityDraft(name=NAME, identifier=USCC, categories=("road_operator",), phone="13812345678",
                                                       licences=(LicenceDraft("道路运输经营许可证", "320830000001"),)),
                  expected_version=1)
    code, _out, err = run(ctx, capsys, "edit", USCC, "--expected-version", "1", "--notes", "我的修改")
    assert code == 1 and "已被他人修改" in err and get_entity(ctx, USCC).notes == ""
    assert run(ctx, capsys, "edit", USCC, "--bogus", "x")[0] == 2  # usage


def test_delete_needs_a_reason_and_is_audited(ctx, entity, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(ctx, capsys, "delete", USCC)[0] == 2  # --reason is required
    code, _out, err = run(ctx, capsys, "delete", USCC, "--reason", "  ")
    assert code == 1 and err.strip() == "错误：请填写删除理由（--reason） (a reason is required)"
    assert not get_entity(ctx, entity.summary.id).deleted

    code, out, err = run(ctx, capsys, "delete", USCC, "--reason", "重复登记")
    assert code == 0 and out.startswith("已删除") and NAME in out, err
    assert get_entity(ctx, entity.summary.id).deleted
    assert audit_actions(ctx)[-1] == "entity.delete"
    assert entity_history(ctx, entity.summary.id)[-1].summary == f"删除 {NAME}：重复登记"

    code, _out, err = run(ctx, capsys, "delete", USCC, "--reason", "重复登记")  # gone: not found, nothing written
    assert code == 1 and "未找到" in err and len(err.strip().splitlines()) == 1
    code, _out, err = run(ctx, capsys, "edit", str(entity.summary.id), "--notes", "x")
    assert code == 1 and len(err.strip().splitlines()) == 1
