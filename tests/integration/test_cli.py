"""The `xuyi` command as a clerk's script would run it: real processes, a real SQLite file, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def xuyi(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "xuyi_desktop", "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def demo_db(new_db) -> str:  # type: ignore[no-untyped-def]
    db = new_db("x")
    assert xuyi(db, "init").returncode == 0
    result = xuyi(db, "demo-data", "--entities", "2000", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert "2000" in result.stdout
    return db


@pytest.mark.slow
def test_find_exact_identifier_first(demo_db: Path) -> None:
    listing = json.loads(xuyi(demo_db, "entity", "find", "9132", "--json", "--limit", "5").stdout)
    assert listing, "demo data should have organisations in 3208xx"
    target = listing[-1]
    hits = json.loads(xuyi(demo_db, "entity", "find", target["identifier"], "--json").stdout)
    assert isinstance(hits, list) and hits[0]["id"] == target["id"]
    shown = json.loads(xuyi(demo_db, "entity", "show", target["identifier"], "--json").stdout)
    assert shown["id"] == target["id"] and shown["name"] == target["name"]


@pytest.mark.slow
def test_add_then_duplicate_and_bad_check_char(demo_db: Path) -> None:
    before = json.loads(xuyi(demo_db, "entity", "find", "测试运输", "--json").stdout)
    bad = xuyi(demo_db, "entity", "add", "--name", "测试运输有限公司", "--id", "91320830PYQLFT169U")
    assert bad.returncode == 1
    assert "校验位" in bad.stderr and "check character" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert json.loads(xuyi(demo_db, "entity", "find", "测试运输", "--json").stdout) == before  # nothing written

    ok = xuyi(demo_db, "entity", "add", "--name", "测试运输有限公司", "--id", "91320830PYQLFT169T", "--category", "道路运输经营者", "--json")
    assert ok.returncode == 0, ok.stderr
    created = json.loads(ok.stdout)
    assert created["kind"] == "org" and created["categories"] == ["road_operator"]

    again = xuyi(demo_db, "entity", "add", "--name", "另一家公司", "--id", "91320830pyqlft169t")
    assert again.returncode == 1 and "已登记" in again.stderr


def test_person_kind_is_inferred_and_masked(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("p")
    added = xuyi(db, "entity", "add", "--name", "张三", "--id", "320830199001011236", "--phone", "13812345678", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["kind"] == "person"
    hit = json.loads(xuyi(db, "entity", "find", "张三", "--json").stdout)[0]
    assert hit["identifier"] == "320830********1236" and hit["phone"] == "138****5678"
    revealed = json.loads(xuyi(db, "entity", "find", "张三", "--json", "--reveal").stdout)[0]
    assert revealed["identifier"] == "320830199001011236"


def test_usage_errors_exit_2(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("u")
    assert xuyi(db, "entity", "add", "--name", "缺少证件号").returncode == 2
    assert xuyi(db, "no-such-command").returncode == 2
    assert xuyi(db, "entity", "show", "91110000600037341L").returncode == 1


def test_xuyi_db_environment_variable(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("env", empty=True)  # a first start: XUYI_DB names a file that does not exist yet
    env = dict(os.environ, XUYI_DB=db)
    result = subprocess.run([sys.executable, "-m", "xuyi_desktop", "init"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    if "://" in db:  # the server URL is shown without a password
        assert db.rsplit("/", 1)[1] in result.stdout
    else:
        assert db in result.stdout and Path(db).exists()


@pytest.mark.slow
def test_link_person_to_organisation_and_show_both_sides(new_db) -> None:  # type: ignore[no-untyped-def]
    db = new_db("l")
    assert xuyi(db, "entity", "add", "--name", "盱眙顺达运输有限公司", "--id", "91320830PYQLFT169T").returncode == 0
    assert xuyi(db, "entity", "add", "--name", "张三", "--id", "320830199001011236").returncode == 0
    assert xuyi(db, "entity", "link", "320830199001011236", "91320830PYQLFT169T", "--title", "驾驶员").returncode == 0
    org = json.loads(xuyi(db, "entity", "show", "91320830PYQLFT169T", "--json").stdout)
    assert [(r["name"], r["identifier"], r["title"]) for r in org["relations"]] == [("张三", "320830********1236", "驾驶员")]
    person = json.loads(xuyi(db, "entity", "show", "320830199001011236", "--json").stdout)
    assert person["relations"][0]["name"] == "盱眙顺达运输有限公司"
    assert xuyi(db, "entity", "link", "91320830PYQLFT169T", "320830199001011236").returncode == 1  # org → person is refused
