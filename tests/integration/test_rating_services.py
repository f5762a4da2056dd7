"""Ratings and the counter credit check on a real SQLite file, through the services and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rating_flow import step_day

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import credit_check, ratings, users
from xuyi_desktop.services.audit import PermissionDenied
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import register_entity

UNIT = "91320830PYQLFT169T"
UNIT2 = "923208306JU6UCCY4U"
PERSON = "320830199001011236"
THIS_YEAR = dt.date.today().year


def _unit(ctx, identifier: str = UNIT, name: str = "盱眙路桥工程有限公司"):  # type: ignore[no-untyped-def]
    return register_entity(ctx, EntityDraft(name=name, identifier=identifier, categories=("construction_unit",)))


def _effective(ctx, identifier: str, score: float, period: int = THIS_YEAR) -> ratings.RatingView:  # type: ignore[no-untyped-def]
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=identifier, domain="highway_construction", period=period, score=score, evaluating_organ="盱眙县交通运输局"))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        view = ratings.set_status(ctx, view.id, status, today=step_day(status))
    return view


def test_grade_is_derived_and_a_contradicting_grade_refused(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx)
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR - 1, score=94.9))
    assert view.grade == "A" and view.status is RatingStatus.DRAFT
    with pytest.raises(ValidationError):
        ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR - 1, score=94.9, grade="AA"))
    assert ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR - 1, score=95)).grade == "AA"
    with pytest.raises(ValidationError):  # a person cannot be rated as a construction unit
        register_entity(ctx, EntityDraft(name="张三", identifier=PERSON))
        ratings.add_rating(ctx, ratings.RatingInput(entity=PERSON, domain="highway_construction", period=THIS_YEAR, score=90))


def test_workflow_validity_supersession_and_history(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx)
    first = _effective(ctx, UNIT, 96)
    assert first.status is RatingStatus.EFFECTIVE and first.valid_from == dt.date.today()
    assert first.valid_until == first.valid_from.replace(year=first.valid_from.year + 1) - dt.timedelta(days=1)
    fix = ratings.correct_rating(ctx, first.id, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=90))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, fix.id, status, today=step_day(status))
    timeline = ratings.list_ratings(ctx, UNIT)
    assert {(v.grade, v.status) for v in timeline} == {("AA", RatingStatus.SUPERSEDED), ("A", RatingStatus.EFFECTIVE)}


def test_objection_blocks_effect_until_decided(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx)
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=80))
    ratings.set_status(ctx, view.id, RatingStatus.REVIEWED, today=step_day("reviewed"))
    ratings.set_status(ctx, view.id, RatingStatus.PUBLICITY, today=step_day("publicity"))
    objection = ratings.add_objection(ctx, view.id, objector="盱眙顺达路桥有限公司", content="扣分依据不充分")
    with pytest.raises(ValidationError, match="异议"):
        ratings.set_status(ctx, view.id, RatingStatus.EFFECTIVE)
    ratings.decide_objection(ctx, objection, upheld=False, note="经复核，扣分依据充分")
    assert ratings.set_status(ctx, view.id, RatingStatus.EFFECTIVE).status is RatingStatus.EFFECTIVE


def test_provisional_a_only_without_dishonesty(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx, UNIT, "诚信路桥有限公司")
    _unit(ctx, UNIT2, "失信路桥有限公司")
    add_dishonesty(ctx, UNIT2, occurred_on=dt.date(THIS_YEAR - 1, 6, 1), category="严重失信", description="提供虚假材料")
    honest = credit_check.run_check(ctx, UNIT, "tender")
    grade = next(g for g in honest.grades if g.domain == "highway_construction")
    assert grade.grade == "A" and grade.provisional and "暂定" in grade.note
    dishonest = credit_check.run_check(ctx, UNIT2, "tender")
    grade2 = next(g for g in dishonest.grades if g.domain == "highway_construction")
    assert grade2.grade is None and not grade2.provisional
    assert any("失信" in c.text for c in dishonest.consequences)


def test_expired_grade_is_not_replaced_by_provisional_a(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx)
    draft = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=96))
    ratings.set_status(ctx, draft.id, RatingStatus.REVIEWED, today=dt.date(THIS_YEAR - 1, 12, 10))
    ratings.set_status(ctx, draft.id, RatingStatus.PUBLICITY, today=dt.date(THIS_YEAR - 1, 12, 10))
    rated = ratings.set_status(ctx, draft.id, RatingStatus.EFFECTIVE, today=dt.date(THIS_YEAR, 1, 10))
    assert next(g for g in credit_check.run_check(ctx, UNIT, "tender").grades if g.domain == "highway_construction").grade == "AA"
    after_expiry = rated.valid_until + dt.timedelta(days=5)
    assert after_expiry.year - 1 == THIS_YEAR  # evaluated last period, so no 暂定A级 either
    grade = next(g for g in credit_check.check_entity(ctx, rated.entity_id, "tender", today=after_expiry).grades if g.domain == "highway_construction")
    assert grade.grade is None and not grade.provisional


def test_check_is_logged_with_a_serial(ctx) -> None:  # type: ignore[no-untyped-def]
    _unit(ctx)
    a = credit_check.run_check(ctx, "盱眙路桥", "licensing")
    b = credit_check.run_check(ctx, "xylq", "licensing")
    assert a.serial != b.serial and a.serial.endswith("000001") and b.serial.endswith("000002")
    assert a.entity["identifier"] == UNIT


def test_only_reviewers_move_ratings(database: str) -> None:
    ctx = open_context(database)
    users.create_user(ctx, "admin", "admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "admin-secret-1")
    users.create_user(ctx, "clerk", "clerk-secret-1", Role.CLERK)
    users.create_user(ctx, "rev", "reviewer-secret-1", Role.REVIEWER)
    clerk = open_context(database)
    users.login(clerk, "clerk", "clerk-secret-1")
    _unit(clerk)
    view = ratings.add_rating(clerk, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=88))
    with pytest.raises(PermissionDenied):
        ratings.set_status(clerk, view.id, RatingStatus.REVIEWED)
    reviewer = open_context(database)
    users.login(reviewer, "rev", "reviewer-secret-1")
    assert ratings.set_status(reviewer, view.id, RatingStatus.REVIEWED).status is RatingStatus.REVIEWED


def _cli(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=env or dict(os.environ), timeout=60)


@pytest.mark.slow
def test_cli_check_lists_incentive_for_aa_and_restriction_for_d(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("c")
    assert _cli(db, "entity", "add", "--name", "优秀路桥有限公司", "--id", UNIT, "--category", "construction_unit").returncode == 0
    assert _cli(db, "entity", "add", "--name", "失信路桥有限公司", "--id", UNIT2, "--category", "construction_unit").returncode == 0
    domains = json.loads(_cli(db, "rating", "domains", "--json").stdout)
    assert {"code", "name", "grades"} <= set(domains[0]) and any(d["code"] == "highway_construction" for d in domains)
    assert {b["code"] for b in json.loads(_cli(db, "businesses", "--json").stdout)} >= {"licensing", "tender", "fund_application", "awards"}
    for ident, score in ((UNIT, "96"), (UNIT2, "50")):
        added = json.loads(_cli(db, "rating", "add", "--entity", ident, "--domain", "highway_construction", "--period", str(THIS_YEAR), "--score", score, "--json").stdout)
        assert {"id", "grade", "status"} <= set(added) and added["status"] == "draft"
        for status in ("reviewed", "publicity"):
            assert _cli(db, "rating", "set-status", added["id"], status).returncode == 0
        early = _cli(db, "rating", "set-status", added["id"], "effective")
        assert early.returncode == 1 and "公示期满后" in early.stderr and early.stderr.count("\n") == 1
        assert _cli(db, "rating", "set-status", added["id"], "effective", "--override-reason", "上级督办，须提前生效").returncode == 0
    bad = _cli(db, "rating", "set-status", added["id"], "draft")
    assert bad.returncode == 1 and "不能从" in bad.stderr
    aa = json.loads(_cli(db, "check", "优秀路桥", "--business", "tender", "--json").stdout)
    assert {"entity", "grades", "consequences"} <= set(aa)
    grade = next(g for g in aa["grades"] if g["domain"] == "highway_construction")
    assert grade["grade"] == "AA" and grade["provisional"] is False and grade["valid_until"]
    assert any("保证金" in c["text"] and c["kind"] == "incentive" for c in aa["consequences"])
    d = json.loads(_cli(db, "check", UNIT2, "--business", "tender", "--json").stdout)
    assert any(c["kind"] == "restriction" and "限制" in c["text"] for c in d["consequences"])
    listed = json.loads(_cli(db, "rating", "list", UNIT, "--json").stdout)
    assert listed[0]["grade"] == "AA"
    typed = _cli(db, "rating", "add", "--entity", UNIT, "--domain", "highway_construction", "--period", str(THIS_YEAR), "--score", "94.9", "--grade", "AA")
    assert typed.returncode == 1 and "不一致" in typed.stderr


def test_cli_clerk_cannot_approve_a_rating(tmp_path: Path, new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("roles")
    ctx = open_context(db)
    users.create_user(ctx, "admin", "admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "admin-secret-1")
    users.create_user(ctx, "clerk", "clerk-secret-1", Role.CLERK)
    _unit(ctx)
    ctx.close()
    env = dict(os.environ, XUYI_USER="clerk", XUYI_PASSWORD="clerk-secret-1")
    added = _cli(db, "rating", "add", "--entity", UNIT, "--domain", "highway_construction", "--period", str(THIS_YEAR), "--score", "90", "--json", env=env)
    assert added.returncode == 0, added.stderr
    rid = json.loads(added.stdout)["id"]
    refused = _cli(db, "rating", "set-status", rid, "reviewed", env=env)
    assert refused.returncode == 1 and "没有“审核信用评价”的权限" in refused.stderr
    assert json.loads(_cli(db, "rating", "list", UNIT, "--json", env=env).stdout)[0]["status"] == "draft"
