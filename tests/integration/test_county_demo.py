"""`xuyi demo-data --scenario county`: the training set is believable (through the services, every rule held)
and never leaves the machine in a sync package."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sync_offices import make_offices

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import sync, users
from xuyi_desktop.services.county_demo import NotForTraining, generate_county, training_database
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.entity_file import registry_marks
from xuyi_desktop.services.profile import get_profile
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_sgs import SgsRecord

ADMIN_PW = "admin-pass-2026"


def _admin(ctx) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", ADMIN_PW)


@pytest.mark.slow
def test_county_set_is_believable_and_never_syncs(tmp_path):  # type: ignore[no-untyped-def]
    a, b = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        with a.active():
            _county_checks(a.ctx, tmp_path)
    finally:
        a.close()
        b.close()


def _county_checks(ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _admin(ctx)
    result = generate_county(ctx, seed=7)
    assert training_database(ctx)
    assert result.entities >= 50 and result.ratings >= 20 and result.penalties >= 10 and result.commitments >= 10
    assert result.list_members >= 3

    with ctx.transaction() as session:
        entities = list(session.execute(select(Entity)).scalars())
        records = list(session.execute(select(SgsRecord)).scalars())
    long_names = [e.name for e in entities if len(e.name) >= 20]
    assert "江苏淮河水运集团盱眙县港口物流装卸服务有限公司" in long_names and len(long_names) >= 3
    today = dt.date.today()
    unreported = [r for r in records if r.reported_on is None and r.jdrq is not None]
    assert any((today - r.jdrq).days >= 14 for r in unreported)  # overdue 双公示
    assert any((today - r.jdrq).days <= 3 for r in unreported)  # still due

    marks = registry_marks(ctx, [e.id for e in entities])
    assert any(" / " in m.grade_text for m in marks.values())  # several domains
    assert any(m.dishonest for m in marks.values()) and any(not m.dishonest and m.grades for m in marks.values())
    port = next(e for e in entities if e.name == "江苏淮河水运集团盱眙县港口物流装卸服务有限公司")
    profile = get_profile(ctx, port.id)
    assert {r.domain for r in profile.ratings if r.status == "effective"} >= {"port_operator", "road_water_operator"}
    statuses = {c.status for e in entities[:30] for c in get_profile(ctx, e.id).commitments}
    assert {"fulfilled", "violated"} <= statuses  # kept and broken

    # Never syncs: a package is refused before anything is written, whoever the receiver.
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError) as refused:
        sync.export_package(ctx, "XYF1", out)
    assert "培训数据库" in refused.value.problems[0].message_zh
    with pytest.raises(ValidationError):
        sync.export_package(ctx, "XYF1", out, snapshot=True)
    assert list(out.iterdir()) == []
    with pytest.raises(NotForTraining) as again:
        generate_county(ctx, seed=7)  # twice would double every record
    assert "培训数据已生成过" in again.value.message_zh


def test_county_set_refuses_a_database_with_real_entities(ctx):  # type: ignore[no-untyped-def]
    _admin(ctx)
    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier="91320830PYQLFT169T"))
    with pytest.raises(NotForTraining) as refused:
        generate_county(ctx)
    assert "不是培训数据库" in refused.value.message_zh
    assert not training_database(ctx)
    with ctx.transaction() as session:
        assert len(list(session.execute(select(Entity)).scalars())) == 1  # nothing added


def test_cli_refuses_a_real_database_in_one_line_and_needs_a_choice(ctx, database, capsys):  # type: ignore[no-untyped-def]
    from xuyi_desktop.cli import main

    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier="91320830PYQLFT169T"))
    assert main(["--db", database, "demo-data", "--scenario", "county"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：") and "不是培训数据库" in err[0]
    assert main(["--db", database, "demo-data"]) == 2  # neither --entities nor --scenario: a usage error
    assert not training_database(ctx)
