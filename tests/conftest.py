"""Shared fixtures: every test gets its own data folder and a real SQLite file; nothing touches the user's home."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parent / "support"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the per-user data folder and the default database into the test's temporary folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("XUYI_DATA_DIR", str(data))
    monkeypatch.delenv("XUYI_DB", raising=False)
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "xuyi-test.db"


@pytest.fixture
def ctx(db_path: Path) -> Iterator["object"]:
    """An application context on a fresh, migrated SQLite file."""
    from xuyi_desktop.services.context import open_context

    context = open_context(str(db_path))
    yield context
    context.close()


@pytest.fixture(scope="session")
def identifier_vectors() -> dict:
    """Test vectors from ../shared/fixtures (a copy ships in tests/support for clones without shared/)."""
    for folder in (SHARED_FIXTURES, LOCAL_FIXTURES):
        path = folder / "identifiers.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("identifiers.json test vectors not found")
