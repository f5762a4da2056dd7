"""SIGKILL in the middle of an import leaves the database as it was; the same file then imports."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump, entity_state, make_offices

CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services import sync
    from xuyi_desktop.sync import apply as applier
    real, calls = applier.apply_change, [0]
    def dying(*a, **k):
        calls[0] += 1
        if calls[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    applier.apply_change = dying
    sync.BATCH = 1  # so the first changes have been written (uncommitted) before the kill
    ctx = open_context(sys.argv[1])
    sync.import_package(ctx, Path(sys.argv[2]))
""")


def test_sigkill_during_import_rolls_back(tmp_path: Path) -> None:
    a, b = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        with a.active():
            for i, ident in enumerate(["91320830PYQLFT169T", "923208306JU6UCCY4U", "320830199001011236"]):
                svc.register_entity(a.ctx, EntityDraft(name=f"测试主体{i}", identifier=ident), allow_similar=True)
            pkg = sync.export_package(a.ctx, "XYF1", tmp_path / "p.xsync").path
        before = business_dump(b.ctx)
        env = dict(os.environ, XUYI_DATA_DIR=str(b.folder / "data"))
        proc = subprocess.run([sys.executable, "-c", CHILD, b.db, str(pkg)], check=False, env=env,
                              capture_output=True, timeout=120)
        assert proc.returncode == -9, proc.stderr.decode()
        assert business_dump(b.ctx) == before
        if b.ctx.engine.dialect.name == "sqlite":
            with b.ctx.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with b.active():
            result = sync.import_package(b.ctx, pkg)
        assert result.applied == 3
        assert entity_state(a.ctx) == entity_state(b.ctx)
    finally:
        a.close()
        b.close()
