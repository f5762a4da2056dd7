"""The installer files (fast checks, no PyInstaller or makensis run) and `xuyi-desktop --self-test` from source.

The frozen build itself is proved by installer/build.sh (it runs the self-test of the built folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import xuyi_desktop

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "xuyi_desktop.spec"
NSI = INSTALLER / "xuyi_desktop.nsi"


def test_installer_files_exist() -> None:
    for name in ("xuyi_desktop.spec", "xuyi_desktop.nsi", "build.sh", "build.ps1", "README.md", ".gitignore",
                 "make_icon.py", "entry_gui.py", "entry_cli.py"):
        assert (INSTALLER / name).is_file(), name
    ignored = (INSTALLER / ".gitignore").read_text(encoding="utf-8")
    assert "/build/" in ignored and "/dist/" in ignored


def test_spec_bundles_resources_migrations_and_both_programs() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    compile(spec, str(SPEC), "exec")  # at least valid Python
    assert '(str(ROOT / "resources"), "resources")' in spec  # resource_path() looks in _MEIPASS/resources
    for needed in ("env.py", "script.py.mako", '"versions"', "xuyi_desktop/storage/migrations/versions"):
        assert needed in spec, needed
    assert 'analysis("entry_gui.py")' in spec and 'analysis("entry_cli.py")' in spec
    assert '"xuyi-desktop", console=False' in spec and '"xuyi", console=True' in spec
    assert "xuyi_desktop.__version__" in spec and "make_icon.py" in spec
    assert "from xuyi_desktop.ui.app import main" in (INSTALLER / "entry_gui.py").read_text(encoding="utf-8")
    assert "from xuyi_desktop.cli import main" in (INSTALLER / "entry_cli.py").read_text(encoding="utf-8")


def test_every_resource_folder_the_code_reads_exists() -> None:
    """The spec ships resources/ whole; what the code asks resource_path() for must be there."""
    from xuyi_desktop.paths import resource_path

    wanted = set()
    for path in (ROOT / "xuyi_desktop").rglob("*.py"):
        wanted |= set(re.findall(r'resource_path\("([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"fonts", "holidays"} <= wanted
    for name in wanted - {"i18n"}:  # i18n: optional catalogues (Chinese is the source language)
        assert resource_path(name).exists(), name
    assert (resource_path("fonts") / "uming.ttc").is_file()


def test_pyinstaller_is_an_optional_dependency_only() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any("pyinstaller" in dep.lower() for dep in project["dependencies"])
    assert any("pyinstaller" in dep.lower() for dep in project["optional-dependencies"]["installer"])


def test_nsis_script_installs_per_machine_and_never_touches_the_data_folder() -> None:
    nsi = NSI.read_text(encoding="utf-8-sig")
    assert NSI.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: makensis reads the Chinese text right
    assert "Unicode true" in nsi and "RequestExecutionLevel admin" in nsi
    assert "$PROGRAMFILES64" in nsi and "SetShellVarContext all" in nsi
    assert "$SMPROGRAMS" in nsi and "$DESKTOP" in nsi
    assert "WriteUninstaller" in nsi and 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall' in nsi
    assert "InstallDirRegKey" in nsi and "VersionCompare" in nsi  # upgrade in place, no downgrade
    code = [line.split(";")[0] for line in nsi.splitlines()]
    deletes = [line for line in code if re.match(r"\s*(Delete|RMDir)\b", line)]
    assert deletes
    for line in deletes:
        assert "APPDATA" not in line.upper() and "$PROFILE" not in line.upper(), line
        # nothing is removed recursively but our own _internal folder
        if "/r" in line:
            assert line.strip().endswith('"$INSTDIR\\_internal"'), line
    assert not any(re.search(r"\$(LOCALAPPDATA|APPDATA)", line) for line in code)


@pytest.mark.skipif(not os.environ.get("XUYI_TEST_MAKENSIS") and not __import__("shutil").which("makensis"),
                    reason="makensis not installed")
def test_makensis_compiles_the_script_against_a_stub_payload(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    (payload / "_internal").mkdir(parents=True)
    for name in ("xuyi-desktop.exe", "xuyi.exe", "_internal/stub.txt"):
        (payload / name).write_text("stub", encoding="utf-8")
    icon = tmp_path / "icon.ico"
    subprocess.run([sys.executable, str(INSTALLER / "make_icon.py"), str(icon)], check=True, capture_output=True)
    done = subprocess.run(
        ["makensis", "-V2", f"-DVERSION={xuyi_desktop.__version__}", f"-DPAYLOAD={payload}", f"-DICON={icon}",
         f"-DOUTDIR={tmp_path}", str(NSI)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / f"xuyi_desktop-setup-{xuyi_desktop.__version__}.exe").stat().st_size > 50_000


def test_self_test_runs_from_source(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path), "TEMP": str(tmp_path)}
    env.pop("XUYI_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from xuyi_desktop.ui.app import main; sys.exit(main(['--self-test']))"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in ("resources", "database", "window", "register", "check", "print", "pdf"):
        assert any(line.startswith(f"self-test: [ok] {step}:") for line in lines), (step, done.stdout)
    assert lines[-1].startswith("self-test: PASSED")
    assert "embedded font" in done.stdout
    assert (tmp_path / "xuyi_desktop-self-test.log").read_text(encoding="utf-8").splitlines() == lines
    assert not list(tmp_path.glob("xuyi-self-test-*"))  # the temporary data folder is removed


def test_self_test_reports_the_failing_step(tmp_path: Path) -> None:
    """A broken installation (here: no business type 'licensing') fails with the step named, exit code 1."""
    code = (
        "import sys\n"
        "import xuyi_desktop.ui.self_test as st\n"
        "st.TEST_BUSINESS = 'no_such_business'\n"
        "sys.exit(st.run([]))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path), "TEMP": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", env=env, timeout=180, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "self-test: FAILED at check:" in done.stdout
    assert "self-test: [ok] register:" in done.stdout and "PASSED" not in done.stdout
