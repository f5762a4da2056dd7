"""`xuyi office init/card/register/list` and `xuyi sync export/import` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xuyi_desktop.cli import main


def _run(monkeypatch: pytest.MonkeyPatch, data: Path, *argv: str) -> int:
    monkeypatch.setenv("XUYI_DATA_DIR", str(data))
    return main(list(argv))


def test_offices_and_a_package_by_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], new_db) -> None:  # type: ignore[no-untyped-def]
    a_db, b_db = new_db("a"), new_db("b")
    a_data, b_data = tmp_path / "a", tmp_path / "b"
    # a change made under the provisional code is rewritten to the real code by office init
    assert _run(monkeypatch, a_data, "--db", a_db, "entity", "add", "--name", "盱眙县顺达运输有限公司",
                "--id", "91320830PYQLFT169T") == 0
    assert _run(monkeypatch, a_data, "--db", a_db, "office", "init", "--code", "XYJ", "--name", "盱眙县交通运输局", "--role", "bureau") == 0
    assert _run(monkeypatch, b_data, "--db", b_db, "office", "init", "--code", "XYF1", "--name", "执法大队", "--role", "field") == 0
    assert _run(monkeypatch, a_data, "--db", a_db, "office", "init", "--code", "XYJ2", "--name", "x", "--role", "bureau") == 1
    assert _run(monkeypatch, a_data, "--db", a_db, "office", "card", "--out", str(tmp_path / "a.card")) == 0
    assert _run(monkeypatch, b_data, "--db", b_db, "office", "card", "--out", str(tmp_path / "b.card")) == 0
    assert _run(monkeypatch, a_data, "--db", a_db, "office", "register", str(tmp_path / "b.card")) == 0
    assert _run(monkeypatch, b_data, "--db", b_db, "office", "register", str(tmp_path / "a.card")) == 0
    capsys.readouterr()
    assert _run(monkeypatch, a_data, "--db", a_db, "office", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [o["code"] for o in listed] == ["XYJ", "XYF1"] and listed[0]["local"] is True
    assert listed[1]["exchange_key"].startswith("x25519:")
    assert _run(monkeypatch, a_data, "--db", a_db, "sync", "export", "--to", "XYF1", "--out", str(tmp_path / "p.xsync")) == 0
    capsys.readouterr()
    assert _run(monkeypatch, b_data, "--db", b_db, "sync", "import", str(tmp_path / "p.xsync"), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "applied" and out["applied"] == 1 and out["per_table"] == {"entity.insert": 1}
    assert _run(monkeypatch, b_data, "--db", b_db, "sync", "import", str(tmp_path / "p.xsync")) == 0
    assert "没有新的变更" in capsys.readouterr().out
    assert _run(monkeypatch, b_data, "--db", b_db, "sync", "snapshot", "--to", "XYJ", "--out", str(tmp_path)) == 0
