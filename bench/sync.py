"""Time and size to export and import N entity changes (default 100,000), beside a floor measured in the same run.

    python bench/sync.py [N] [--runs 3] [--template DIR] [--slow-setup] [--profile export|import|reimport]
                         [--profile-out FILE]

Office A registers N entities (one insert change each), exports a package to office B, B imports it in one
transaction, then imports the same package again (everything already applied: the re-import). Prints seconds,
bytes and the process's peak memory (VmHWM); beside each wall time, the CPU time this process spent (on a machine
shared with other work the wall time swings 2-5x, the CPU time much less).

The set-up is built once and copied for each run (`--template DIR` keeps it between invocations): the N
entities are registered through the bulk path of the ledger imports (services.entities.EntityWriter inside
services.audit.batched: the same change-log rows and audit chain as one registration each), or one by one
through register_entity_in with --slow-setup (about 130 entities/s here).

The floor, measured in the same run on the same machine: the work no package import can avoid, done bare —
json.loads of the N change payloads read from A's sync_change, and one executemany of N rows of the same size
into a scratch table of a fresh SQLite file, committed. The goal of issue 17 is absolute (export + import of
100,000 changes < 30 s, re-import < 2 s); the ratio to the floor says how much of it is our own overhead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

CODES = ["XYJ", "XYF1"]


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


def build(root: Path, n: int, slow: bool) -> None:
    from sync_offices import make_offices

    from xuyi_desktop.domain.entities import EntityDraft, check_entity_draft
    from xuyi_desktop.services import audit
    from xuyi_desktop.services import entities as svc

    a, b = make_offices(root, CODES)
    t0 = time.perf_counter()
    with a.active():
        batch = 100 if slow else 5000
        for start in range(0, n, batch):
            with a.ctx.transaction() as s:
                if slow:
                    for i in range(start, min(n, start + batch)):
                        svc.register_entity_in(s, a.ctx, EntityDraft(name=f"测试运输有限公司{i:06d}", identifier=person(i)),
                                               allow_similar=True)
                    continue
                with audit.batched(s, a.ctx):
                    writer = svc.EntityWriter(s, a.ctx)
                    for i in range(start, min(n, start + batch)):
                        d = check_entity_draft(EntityDraft(name=f"测试运输有限公司{i:06d}", identifier=person(i))).draft
                        writer.register(d)
                    writer.flush()
    print(f"set-up: {n} entities registered in {time.perf_counter() - t0:.1f} s "
          f"({'one by one' if slow else 'bulk path of the ledger imports'})", flush=True)
    a.ctx.close()
    b.ctx.close()


def open_offices(root: Path) -> list:
    from databases import DatabaseFactory
    from sync_offices import TestOffice

    from xuyi_desktop.services.context import open_context

    offices = []
    for code in CODES:
        folder = root / code
        os.environ["XUYI_DATA_DIR"] = str(folder / "data")
        db = str(folder / "xuyi.db")
        offices.append(TestOffice(code, folder, open_context(db), db, DatabaseFactory(folder)))
    return offices


def floor(db: str, work: Path) -> float:
    """json.loads of every payload A holds and one executemany of as many rows into a fresh file."""
    con = sqlite3.connect(db)
    payloads = [p for (p,) in con.execute("SELECT payload FROM sync_change")]
    con.close()
    scratch = work / "floor.db"
    t0 = time.perf_counter()
    changes = [json.loads(p) for p in payloads]
    out = sqlite3.connect(scratch)
    out.execute("CREATE TABLE t (id TEXT PRIMARY KEY, office TEXT, seq INTEGER, body TEXT)")
    out.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                    ((c["id"], c["office"], c["seq"], p) for c, p in zip(changes, payloads, strict=True)))
    out.commit()
    out.close()
    return time.perf_counter() - t0


def one_run(template: Path, work: Path, profile: str | None, profile_out: Path | None = None) -> dict[str, float]:
    from xuyi_desktop.services import sync

    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(template, work)
    a, b = open_offices(work)
    profiler = cProfile.Profile()
    fig: dict[str, float] = {}
    with a.active():
        t0, c0 = time.perf_counter(), time.process_time()
        if profile == "export":
            profiler.enable()
        r = sync.export_package(a.ctx, "XYF1", work / "bench.xsync")
        profiler.disable()
        fig["export"], fig["cpu_export"] = time.perf_counter() - t0, time.process_time() - c0
    with b.active():
        t0, c0 = time.perf_counter(), time.process_time()
        if profile == "import":
            profiler.enable()
        res = sync.import_package(b.ctx, r.path)
        profiler.disable()
        fig["import"], fig["cpu_import"] = time.perf_counter() - t0, time.process_time() - c0
        assert res.applied == r.changes, res
        t0, c0 = time.perf_counter(), time.process_time()
        if profile == "reimport":
            profiler.enable()
        again = sync.import_package(b.ctx, r.path)
        profiler.disable()
        fig["reimport"], fig["cpu_reimport"] = time.perf_counter() - t0, time.process_time() - c0
        assert again.applied == 0 and again.status == "nothing_new", again
    a.ctx.close()
    b.ctx.close()
    c0 = time.process_time()
    fig["floor"] = floor(a.db, work)
    fig["cpu_floor"] = time.process_time() - c0
    fig["changes"], fig["size"] = r.changes, r.size
    if profile and profile_out is not None:
        profiler.dump_stats(str(profile_out))  # for pstats / snakeviz: callers and callees
    if profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return fig


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--template", type=Path, help="keep (or reuse) the set-up in this folder")
    parser.add_argument("--slow-setup", action="store_true", help="register one by one through the service")
    parser.add_argument("--profile", choices=["export", "import", "reimport"])
    parser.add_argument("--profile-out", type=Path, help="also write the profile's raw stats to this file")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="xuyi-bench-sync-"))
    template = args.template or base / "template"
    if not (template / "XYJ" / "xuyi.db").exists():
        build(template, args.n, args.slow_setup)
    runs = []
    for i in range(args.runs):
        fig = one_run(template, base / f"run{i}", args.profile, args.profile_out)
        runs.append(fig)
        total = fig["export"] + fig["import"]
        print(f"run {i + 1}: changes={fig['changes']:.0f} export={fig['export']:.1f}s import={fig['import']:.1f}s "
              f"(total {total:.1f}s) re-import={fig['reimport']:.2f}s size={fig['size'] / 1e6:.1f}MB | floor {fig['floor']:.2f}s "
              f"→ export+import = {total / fig['floor']:.1f}× the floor | CPU export={fig['cpu_export']:.1f}s "
              f"import={fig['cpu_import']:.1f}s re-import={fig['cpu_reimport']:.2f}s floor {fig['cpu_floor']:.2f}s",
              flush=True)
        shutil.rmtree(base / f"run{i}", ignore_errors=True)

    def med(k: str) -> float:
        return statistics.median(f[k] for f in runs)

    n = med("changes")
    total = statistics.median(f["export"] + f["import"] for f in runs)
    print(f"median of {len(runs)}: {n:.0f} changes: export {med('export'):.1f} s, import {med('import'):.1f} s, "
          f"total {total:.1f} s ({total / med('floor'):.1f}× the floor {med('floor'):.2f} s); "
          f"re-import {med('reimport'):.2f} s; {med('size') / max(1, n):.0f} B/change; "
          f"per 100,000 changes: total {total * 100_000 / n:.1f} s (goal < 30), re-import {med('reimport') * 100_000 / n:.2f} s "
          f"(goal < 2); peak MiB {peak_mib():.0f}; CPU (this process, less sensitive to a loaded machine): export "
          f"{med('cpu_export'):.1f} s, import {med('cpu_import'):.1f} s, re-import {med('cpu_reimport'):.2f} s, "
          f"floor {med('cpu_floor'):.2f} s")
    if not args.template:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
