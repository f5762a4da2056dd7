"""Zip bombs: a package whose members (or whose signed content) inflate to more than 1 GiB is refused, exit 1,
while the importing process's peak memory (its own counter, getrusage in a child process) stays under 300 MB."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.sync import format as fmt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump, make_offices
from sync_packages import MIB, change, deflated_zip, forge, repeated_deflate

LIMIT_KIB = 300 * 1024
BIG = 1100  # MiB: more than 1 GiB once inflated

# The child's own high-water mark. getrusage's ru_maxrss would do, but Linux carries the parent's peak into a
# child started by vfork+exec (the pytest process here), so the kernel's per-process VmHWM is read where there
# is one, and the two are printed.
CHILD = textwrap.dedent("""
    import resource, sys
    from xuyi_desktop.cli import main
    code = main(sys.argv[1:])
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        hwm = rusage
    print("PEAK_KIB", hwm, rusage, flush=True)
    sys.exit(code)
""")


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("bomb")
    pair = make_offices(root / "offices", ["XYJ", "XYF1"])
    bureau, field = pair
    with bureau.active():
        svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T"))
        genuine = sync.export_package(bureau.ctx, "XYF1", root / "genuine.xsync").path
    yield bureau, field, genuine, root
    for o in pair:
        o.close()


def _import_in_child(field, path: Path) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, XUYI_DATA_DIR=str(field.folder / "data"))
    proc = subprocess.run([sys.executable, "-c", CHILD, "--db", field.db, "sync", "import", str(path)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    peak = next(int(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("PEAK_KIB"))
    print(next(line for line in proc.stdout.splitlines() if line.startswith("PEAK_KIB")))
    return proc.returncode, peak, proc.stderr


def _members(genuine: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(genuine) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.mark.parametrize("case", ["payload member", "three members", "signature member"])
def test_zip_level_bombs_are_refused_without_being_inflated(offices, case: str) -> None:  # type: ignore[no-untyped-def]
    bureau, field, genuine, root = offices
    body, crc = repeated_deflate(b"\0" * MIB, BIG, wrapper=False)
    real = _members(genuine)
    bomb = (fmt.PAYLOAD, body, crc, BIG * MIB)
    if case == "payload member":
        members = [(fmt.HEADER, *_stored(real[fmt.HEADER])), (fmt.SIGNATURE, *_stored(real[fmt.SIGNATURE])), bomb]
    elif case == "signature member":
        members = [(fmt.HEADER, *_stored(real[fmt.HEADER])), (fmt.SIGNATURE, body, crc, BIG * MIB),
                   (fmt.PAYLOAD, *_stored(real[fmt.PAYLOAD]))]
    else:
        members = [(name, body, crc, BIG * MIB) for name in (fmt.HEADER, fmt.SIGNATURE, fmt.PAYLOAD)]
    path = root / f"bomb-{case.replace(' ', '-')}.xsync"
    path.write_bytes(deflated_zip(members))
    assert path.stat().st_size < 5 * MIB
    before = business_dump(field.ctx)
    code, peak, err = _import_in_child(field, path)
    assert code == 1 and err.startswith("错误：") and "Traceback" not in err, err
    assert peak < LIMIT_KIB, f"peak {peak / 1024:.0f} MiB"
    assert business_dump(field.ctx) == before
    print(f"{case}: refused, peak {peak / 1024:.0f} MiB (floor 300 MiB)")


def _stored(data: bytes) -> tuple[bytes, int, int]:
    """A member given 'compressed' with DEFLATE level 0 equivalent: compressed for real, it is small anyway."""
    import zlib

    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)


@pytest.mark.parametrize(("claimed", "words"), [
    (4096, "超过包头中声明的大小"),  # signed content that says 4 KiB and inflates past 1 GiB: stopped while streaming
    (BIG * MIB, "上限"),  # says it honestly: more than the limit, refused before inflating
    (900 * MIB, "压缩比异常"),  # within the limit but 800 times its compressed size
])
def test_a_signed_bomb_is_refused_while_streaming(offices, claimed: int, words: str) -> None:  # type: ignore[no-untyped-def]
    bureau, field, _genuine, root = offices
    body, _crc = repeated_deflate((b"0" * 1023 + b"\n") * 1024, BIG, wrapper=True)
    path = forge(bureau, "XYF1", root / f"signed-bomb-{claimed}.xsync", [change("XYJ", 1)], content=body,
                 content_size=claimed)
    before = business_dump(field.ctx)
    code, peak, err = _import_in_child(field, path)
    assert code == 1 and words in err and "Traceback" not in err, err
    assert peak < LIMIT_KIB, f"peak {peak / 1024:.0f} MiB"
    assert business_dump(field.ctx) == before
    print(f"signed bomb claiming {claimed}: refused, peak {peak / 1024:.0f} MiB (floor 300 MiB)")


def test_the_genuine_package_imports_in_the_same_child(offices) -> None:  # type: ignore[no-untyped-def]
    """The measurement is of a process that can import: the genuine package, same child, same counter."""
    _bureau, field, genuine, _root = offices
    code, peak, err = _import_in_child(field, genuine)
    assert code == 0, err
    assert peak < LIMIT_KIB
    print(f"genuine package: peak {peak / 1024:.0f} MiB")
