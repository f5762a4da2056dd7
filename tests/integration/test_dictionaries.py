"""字典管理 (issue 16): the starter data loaded once, administrators edit (audited, change-logged), others read;
the 双公示 defaults from the user's unit and from a 权力事项; a dictionary change travels in a sync package;
the entity picker's service (whole identifiers only for roles without the reveal right)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, dictionaries, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.sgs_demo import uscc
from xuyi_desktop.storage.models import ChangeLog
from xuyi_desktop.storage.models_dictionaries import DictionaryEntry

PW = "dict-secret-1"
BUREAU_USCC = uscc(7, prefix="11320830")
SOURCE_USCC = uscc(8, prefix="11320830")


def _users(ctx) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", PW, Role.ADMIN)
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "zf", PW, Role.CLERK, unit="执法大队")
    users.create_user(ctx, "look", PW, Role.VIEWER)


def test_starter_data_is_loaded_once_and_marked_unchecked(ctx) -> None:  # type: ignore[no-untyped-def]
    towns = dictionaries.list_entries(ctx, "township")
    assert [t.name for t in towns][:3] == ["盱城街道", "太和街道", "古桑街道"] and len(towns) == 14
    assert all(t.starter and t.status_label == "初始数据，待核实" and t.code == "" for t in towns)
    items = dictionaries.power_items(ctx, "处罚")
    assert items and all(i.values["legal_basis"] for i in items)
    with ctx.transaction() as session:
        stored = session.execute(select(func.count()).select_from(DictionaryEntry)).scalar_one()
        logged = session.execute(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "dictionary_entry")).scalar_one()
    assert stored == len(dictionaries.starter_entries()) and logged == 0  # the same everywhere: nothing to sync
    dictionaries._SEEDED.clear()
    assert dictionaries.ensure_seeded(ctx) == 0  # already there: not loaded twice
    assert dictionaries.get_entry(ctx, "乡镇（街道）", "马坝镇").name == "马坝镇"  # by label and name


def test_administrators_edit_and_others_read(ctx) -> None:  # type: ignore[no-untyped-def]
    _users(ctx)
    town = dictionaries.edit_entry(ctx, "township", "马坝镇", {"code": "320830100000"})
    assert town.code == "320830100000" and not town.starter and town.version == 2
    with pytest.raises(ValidationError) as bad:
        dictionaries.edit_entry(ctx, "township", "马坝镇", {"code": "321000100000"})
    assert "320830" in bad.value.problems[0].message_zh
    with pytest.raises(ValidationError) as dup:
        dictionaries.add_entry(ctx, "township", {"name": "马坝镇"})
    assert "已有" in dup.value.problems[0].message_zh
    item = dictionaries.add_entry(ctx, "power_item", {"category": "处罚", "name": "未按规定维护道路运输车辆", "legal_basis": "《道路运输条例》",
                                                      "penalty_categories": "罚款", "publicity_class": "轻微"})
    with pytest.raises(ValidationError) as klass:
        dictionaries.add_entry(ctx, "power_item", {"category": "许可", "name": "X许可", "legal_basis": "Y", "publicity_class": "一般"})
    assert klass.value.problems[0].field == "publicity_class"
    ended = dictionaries.end_entry(ctx, "power_item", item.id, reason="并入其他事项", on=dt.date(2026, 1, 1))
    assert ended.ended_on == dt.date(2026, 1, 1) and item.id not in {i.id for i in dictionaries.power_items(ctx, "处罚")}
    assert item.id in {e.id for e in dictionaries.list_entries(ctx, "power_item", include_ended=True)}
    assert dictionaries.reopen_entry(ctx, "power_item", item.id).ended_on is None
    actions = [e.action for e in audit.list_entries(ctx)]
    assert {"dictionary_entry.update", "dictionary_entry.create", "dictionary_entry.end", "dictionary_entry.reopen"} <= set(actions)
    users.login(ctx, "zf", PW)
    assert dictionaries.list_entries(ctx, "organ")
    with pytest.raises(DomainError):
        dictionaries.add_entry(ctx, "township", {"name": "新镇"})
    with pytest.raises(DomainError):
        dictionaries.edit_entry(ctx, "township", "马坝镇", {"code": ""})


def test_sgs_defaults_come_from_the_users_unit(ctx) -> None:  # type: ignore[no-untyped-def]
    _users(ctx)
    organ = next(o for o in dictionaries.list_entries(ctx, "organ") if o.values["unit"] == "盱眙县交通运输综合行政执法大队")
    dictionaries.edit_entry(ctx, "organ", organ.id, {"code": BUREAU_USCC, "source_name": "盱眙县交通运输综合行政执法大队",
                                                     "source_code": SOURCE_USCC})
    with pytest.raises(ValidationError):
        dictionaries.edit_entry(ctx, "organ", organ.id, {"unit": "不存在的科"})
    users.login(ctx, "zf", PW)
    assert dictionaries.sgs_defaults(ctx) == {"jg": "盱眙县交通运输局", "jgdm": BUREAU_USCC,
                                              "lydw": "盱眙县交通运输综合行政执法大队", "lydwdm": SOURCE_USCC}
    users.login(ctx, "look", PW)  # no unit: the bureau's own entry (its codes not filled in yet)
    assert dictionaries.sgs_defaults(ctx) == {"jg": "盱眙县交通运输局", "lydw": "盱眙县交通运输局"}
    item = dictionaries.power_items(ctx, "处罚")[0]
    assert dictionaries.item_values(item) == {"wfxw": item.name, "yj": item.values["legal_basis"], "cflb": "罚款",
                                              "publicity_class": item.values["publicity_class"]}
    assert dictionaries.suggested_content("罚款；警告", "0.2") == "罚款人民币2000元；警告"
    assert dictionaries.suggested_content("罚款", "") == ""


def test_a_dictionary_change_travels_in_a_package(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from sync_offices import make_offices

    from xuyi_desktop.services import sync

    bureau, field = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    try:
        with bureau.active():
            dictionaries.edit_entry(bureau.ctx, "township", "马坝镇", {"code": "320830100000"})
            dictionaries.add_entry(bureau.ctx, "licence_type", {"name": "危险货物道路运输许可证"})
            sync.export_package(bureau.ctx, "XYF1", tmp_path / "p.xysync")
        with field.active():
            assert dictionaries.get_entry(field.ctx, "township", "马坝镇").code == ""  # seeded alike, not yet synced
            sync.import_package(field.ctx, tmp_path / "p.xysync")
            town = dictionaries.get_entry(field.ctx, "township", "马坝镇")
            assert town.code == "320830100000" and not town.starter
            assert "危险货物道路运输许可证" in {e.name for e in dictionaries.list_entries(field.ctx, "licence_type")}
    finally:
        bureau.close()
        field.close()


@pytest.mark.sqlite_only("a file made by the previous schema (the server variant is the same migration)")
def test_an_older_database_opens_with_the_dictionaries(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import alembic_config, current_revision, head_revision

    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0019")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
            "VALUES ('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', 'OLD01', '旧办公室', 'field', 1, 0, '2026-01-02 03:04:05.000000')"))
    engine.dispose()
    ctx = open_context(str(db))
    try:
        assert current_revision(ctx.engine) == head_revision() and ctx.office_code == "OLD01"
        assert len(dictionaries.list_entries(ctx, "township")) == 14
    finally:
        ctx.close()


def _xuyi(db: str, *args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    import os
    import subprocess

    env = dict(os.environ)
    if user:
        env.update(XUYI_USER=user, XUYI_PASSWORD=PW)
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", db, *args], capture_output=True, text=True, env=env,
                          timeout=180, check=False)


@pytest.mark.slow  # eight CLI runs (≈ 40 s here)
def test_the_cli_edits_dictionaries_and_enters_a_penalty_from_them(database: str) -> None:
    import json

    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services.entities import register_entity

    ctx = open_context(database)
    _users(ctx)
    firm = uscc(4321)
    register_entity(ctx, EntityDraft(name="盱眙县顺达货运有限公司", identifier=firm, legal_representative="王建国"))
    ctx.close()
    organ = f"--set=code={BUREAU_USCC}"
    ok = _xuyi(database, "dict", "edit", "organ", "盱眙县交通运输综合行政执法大队", organ, f"--set=数据来源单位统一社会信用代码={BUREAU_USCC}",
               user="admin")
    assert ok.returncode == 0, ok.stderr
    denied = _xuyi(database, "dict", "add", "township", "--set=name=新镇", user="zf")
    assert denied.returncode == 1 and denied.stderr.startswith("错误：") and denied.stderr.count("\n") == 1
    bad = _xuyi(database, "dict", "edit", "township", "马坝镇", "--set=colour=red", user="admin")
    assert bad.returncode == 1 and "colour" in bad.stderr
    listed = json.loads(_xuyi(database, "dict", "list", "organ", "--json", user="zf").stdout)
    assert any(o["values"]["code"] == BUREAU_USCC for o in listed)
    picked = json.loads(_xuyi(database, "pick", "顺达", "--json", user="zf").stdout)
    assert [(p["name"], p["code"], p["legal_representative"]) for p in picked] == [("盱眙县顺达货运有限公司", firm, "王建国")]
    item = "道路运输经营者不按规定携带车辆营运证"
    add = _xuyi(database, "sgs", "add", "--kind", "CF", "--party", "顺达", "--item", item, "--set=wsh=盱交罚〔2026〕12号",
                "--set=jdrq=2026-03-02", "--set=sy=未随车携带道路运输证", "--set=fk=0.01", "--json", user="zf")
    assert add.returncode == 0, add.stderr
    v = json.loads(add.stdout)["values"]
    assert (v["xdr_mc"], v["xdr_shxym"], v["frdb"], v["xdr_lb"]) == ("盱眙县顺达货运有限公司", firm, "王建国", "法人及非法人组织")
    assert (v["jg"], v["jgdm"], v["lydwdm"]) == ("盱眙县交通运输局", BUREAU_USCC, BUREAU_USCC)
    assert (v["wfxw"], v["publicity_class"], v["nr"]) == (item, "轻微", "罚款人民币100元")
    assert v["yj"].startswith("《中华人民共和国道路运输条例》")
    wrong = _xuyi(database, "sgs", "add", "--kind", "XK", "--item", item, user="zf")
    assert wrong.returncode == 1 and "处罚事项" in wrong.stderr


def test_the_picker_service_masks_and_matches_whole_numbers_for_roles_without_the_reveal_right(ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.entities import EntityDraft, EntityKind
    from xuyi_desktop.services import entity_lookup
    from xuyi_desktop.services.credit_check import AmbiguousQueryError
    from xuyi_desktop.services.entities import register_entity
    from xuyi_desktop.services.sgs_demo import id_card

    _users(ctx)
    number = id_card(7)
    person = register_entity(ctx, EntityDraft(name="张建军", identifier=number, kind=EntityKind.PERSON))
    register_entity(ctx, EntityDraft(name="盱眙县建军货运有限公司", identifier=uscc(8801), legal_representative="张建军"))
    masked = number[:6] + "*" * 8 + number[-4:]
    users.login(ctx, "zf", PW)  # a clerk may see full numbers: prefixes match; the list still shows them masked
    assert [p.code for p in entity_lookup.pick_entities(ctx, number[:10])] == [masked]
    assert entity_lookup.party_values(ctx, person.summary.id) == {"xdr_mc": "张建军", "xdr_lb": "自然人", "xdr_zjlx": "身份证",
                                                                 "xdr_zjhm": number}  # filling the form: an audited reveal
    with pytest.raises(AmbiguousQueryError):
        entity_lookup.resolve_entity(ctx, "建军")
    assert entity_lookup.resolve_entity(ctx, "张建军") == person.summary.id
    users.login(ctx, "look", PW)  # a viewer: whole numbers only, shown masked
    assert entity_lookup.pick_entities(ctx, number[:10]) == []
    [hit] = entity_lookup.pick_entities(ctx, number)
    assert hit.id == person.summary.id and hit.code == masked
    assert entity_lookup.pick_entities(ctx, "  ") == []
    assert entity_lookup.relative_category("org", "92320830MA0000000X") == "个体工商户"
    users.login(ctx, "admin", PW)
    reveals = [e for e in audit.list_entries(ctx) if e.action == "personal.reveal"]
    assert [e.username for e in reveals] == ["zf"]  # the form's fill, by the clerk


def test_one_organ_entry_per_unit(ctx) -> None:  # type: ignore[no-untyped-def]
    _users(ctx)
    with pytest.raises(ValidationError) as dup:
        dictionaries.add_entry(ctx, "organ", {"unit": "公路中心", "name": "盱眙县公路事业发展中心", "source_name": "盱眙县公路事业发展中心"})
    assert dup.value.problems[0].field == "unit" and "盱眙县公路事业发展中心" in dup.value.problems[0].message_zh
    dictionaries.end_entry(ctx, "organ", "公路中心", reason="改由中心自行决定")
    new = dictionaries.add_entry(ctx, "organ", {"unit": "公路中心", "name": "盱眙县公路事业发展中心", "source_name": "盱眙县公路事业发展中心"})
    assert dictionaries.get_entry(ctx, "organ", "公路中心").id == new.id  # the one in use
    assert dictionaries.sgs_defaults(ctx, "公路中心")["jg"] == "盱眙县公路事业发展中心"
    assert "道路运输证" in dictionaries.names(ctx, "licence_type")
