"""Shared fixtures: every test gets its own data folder and a real database of its own (an SQLite file, or a
database on the test PostgreSQL server when XUYI_TEST_POSTGRESQL is set), copied from one template migrated once
per run; nothing touches the user's home."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parent / "support"
sys.path.insert(0, str(LOCAL_FIXTURES))

import databases  # noqa: E402  (tests/support)


def pytest_report_header(config: pytest.Config) -> str:
    return f"xuyi database backend: {databases.BACKEND}" + (f" ({databases.ADMIN_URL})" if databases.on_postgresql() else "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """sqlite_only tests are about the file itself and are skipped on the PostgreSQL run, and the reverse."""
    other = "sqlite_only" if databases.on_postgresql() else "postgresql_only"
    for item in items:
        marker = item.get_closest_marker(other)
        if marker is not None:
            why = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"{other.replace('_', ' ')}: {why}"))


@pytest.fixture(scope="session", autouse=True)
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Migrate once per run; each test's database is a copy (SQLite file) or a clone (PostgreSQL) of it."""
    if not databases.on_postgresql():
        databases.use_template_folder(tmp_path_factory.mktemp("template"))  # the file is made on first use
        yield
        return
    databases.make_migrated_template()
    yield
    databases.drop(databases.MIGRATED_TEMPLATE)


@pytest.fixture
def new_db(tmp_path: Path) -> Iterator[databases.NewDatabase]:
    """Factory of fresh databases for tests that need several (offices, before/after)."""
    factory = databases.DatabaseFactory(tmp_path)
    yield factory.new
    factory.drop_all()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the per-user data folder and the default database into the test's temporary folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("XUYI_DATA_DIR", str(data))
    monkeypatch.delenv("XUYI_DB", raising=False)
    return data


@pytest.fixture(autouse=True)
def _cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at the program's parameters (64 MiB, 3 passes, 4 lanes) costs ~0.3 s a hash and as much a check, and
    the fixtures that create users do several per test. Hashes made in tests use argon2's cheapest profile; a check
    reads the parameters from the stored hash, so the CLI processes a test starts check them cheaply as well (and
    rehash once at login, at the program's cost). test_database_template.py checks the program's own parameters."""
    if "unit" in request.node.path.parts:
        return  # pure modules: no users, and no reason to import the services
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from xuyi_desktop.services import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture
def database(new_db: databases.NewDatabase) -> str:
    """What `--db` takes for this test's database: a file path (SQLite) or a URL (PostgreSQL)."""
    return new_db("xuyi-test")


@pytest.fixture
def ctx(database: str) -> Iterator[object]:
    """An application context on a fresh, migrated database."""
    from xuyi_desktop.services.context import open_context

    context = open_context(database)
    yield context
    context.close()


@pytest.fixture
def offices(tmp_path: Path) -> Iterator[list]:  # type: ignore[type-arg]
    """Two offices that trust each other's cards, each on its own database: the bureau XYJ and the field office
    XYF1 (tests/support/sync_offices.py), closed after the test."""
    from sync_offices import make_offices

    pair = make_offices(tmp_path / "offices", ["XYJ", "XYF1"])
    yield pair
    for o in pair:
        o.close()


@pytest.fixture(scope="session")
def identifier_vectors() -> dict:
    """Test vectors from ../shared/fixtures (a copy ships in tests/support for clones without shared/)."""
    for folder in (SHARED_FIXTURES, LOCAL_FIXTURES):
        path = folder / "identifiers.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("identifiers.json test vectors not found")
