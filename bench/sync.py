"""Time and size to export and import N changes (default 100,000): `python bench/sync.py [N]`.

Office A registers N entities (one insert change each, in batches), exports a package to office B, and B
imports it in one transaction. Prints seconds, bytes, and the process's peak memory (VmHWM) after each step."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from sync_offices import make_offices

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync


def person(i: int) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = f"3208{(i // 1000) % 100:02d}19{80 + (i // 100000) % 20}0101{i % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def peak_mib() -> float:
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="xuyi-bench-sync-"))
    a, b = make_offices(root, ["XYJ", "XYF1"])
    t0 = time.perf_counter()
    with a.active():
        batch = 100  # small transactions: the ORM session stays small (its cost grows with its size)
        for start in range(0, n, batch):
            with a.ctx.transaction() as s:
                for i in range(start, min(n, start + batch)):
                    svc.register_entity_in(s, a.ctx, EntityDraft(name=f"测试运输有限公司{i:06d}", identifier=person(i)),
                                           allow_similar=True)
    t1 = time.perf_counter()
    made = peak_mib()
    with a.active():
        r = sync.export_package(a.ctx, "XYF1", root / "bench.xsync")
    t2 = time.perf_counter()
    exported = peak_mib()
    with b.active():
        res = sync.import_package(b.ctx, r.path)
    t3 = time.perf_counter()
    print(f"changes={r.changes} make={t1 - t0:.1f}s export={t2 - t1:.1f}s size={r.size / 1e6:.1f}MB "
          f"({r.size / max(1, r.changes):.0f} B/change) import={t3 - t2:.1f}s applied={res.applied} "
          f"peak MiB: after make {made:.0f}, after export {exported:.0f}, after import {peak_mib():.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
