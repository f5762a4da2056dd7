"""Every single-byte change of a genuine package (and of a snapshot) is either harmless (the bytes nobody reads)
or a refusal: never another exception, never a change to the data.

Each flip is one import with its audited refusal (about 25 ms here), so the default run sweeps a sample: every
3rd byte of the signed header and signature, every 11th byte of the rest, and the zip's end record. The sweep
over every byte of both packages (about 3,800 imports) runs with
    XUYI_SYNC_FUZZ_ALL=1 pytest tests/integration/test_sync_fuzz.py -m slow
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services import sync
from xuyi_desktop.storage.models import AuditEntry
from xuyi_desktop.sync import format as fmt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import business_dump, make_offices

SAMPLE_HEADER, SAMPLE_REST = 3, 11


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fuzz")
    pair = make_offices(root / "offices", ["XYJ", "XYF1"])
    bureau, field = pair
    with bureau.active():
        org = svc.register_entity(bureau.ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T",
                                                           address="淮河路1号")).summary.id
        svc.register_entity(bureau.ctx, EntityDraft(name="张三", identifier="320830199001011236"))
        svc.update_entity(bureau.ctx, org, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T",
                                                       address="东风路2号"), expected_version=None)
        delta = sync.export_package(bureau.ctx, "XYF1", root / "delta.xsync").path.read_bytes()
        snapshot = sync.export_package(bureau.ctx, "XYF1", root / "snapshot.xsync", snapshot=True).path.read_bytes()
    with field.active():
        sync.import_package(field.ctx, root / "delta.xsync")  # what a harmless flip would bring is already here
    yield field, {"delta": delta, "snapshot": snapshot}, root
    for o in pair:
        o.close()


def _important(data: bytes) -> set[int]:
    """Offsets of the signed header and the signature inside the file (every one of them is swept)."""
    import io

    out: set[int] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename in (fmt.HEADER, fmt.SIGNATURE):
                start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
                out |= set(range(info.header_offset, start + info.compress_size))
    return out


def _sweep(offices, which: str, offsets: list[int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    field, packages, root = offices
    data = packages[which]
    path = root / f"flipped-{which}.xsync"
    before = business_dump(field.ctx)
    with field.ctx.transaction() as s:
        audited = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "sync.refused")).scalar()
    outcome = {"refused": 0, "harmless": 0}
    with field.active():
        for i in offsets:
            flipped = bytearray(data)
            flipped[i] ^= 1 << (i % 8)
            path.write_bytes(bytes(flipped))
            try:
                result = sync.import_package(field.ctx, path)
            except sync.PackageRefused as exc:
                assert exc.message_zh and exc.message_en and "\n" not in exc.message_zh, (i, exc.message_zh)
                outcome["refused"] += 1
                continue
            except Exception as exc:  # noqa: BLE001 - the point of the test
                pytest.fail(f"byte {i} of the {which} package: {type(exc).__name__}: {exc}")
            assert result.applied == 0, (i, result.to_json())  # only bytes nobody reads may change: same package
            outcome["harmless"] += 1
    assert business_dump(field.ctx) == before
    with field.ctx.transaction() as s:
        now = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "sync.refused")).scalar()
    assert now - audited == outcome["refused"]  # every refusal audited
    return outcome


@pytest.mark.parametrize("which", ["delta", "snapshot"])
def test_byte_flips_sampled(offices, which: str) -> None:  # type: ignore[no-untyped-def]
    data = offices[1][which]
    important = sorted(_important(data))
    offsets = sorted(set(important[::SAMPLE_HEADER]) | set(range(0, len(data), SAMPLE_REST))
                     | set(range(len(data) - 22, len(data))))
    outcome = _sweep(offices, which, offsets)
    print(f"{which}: {len(data)} bytes, {len(offsets)} flips: {outcome}")
    assert outcome["refused"] > 0.9 * len(offsets)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("XUYI_SYNC_FUZZ_ALL"), reason="every byte: set XUYI_SYNC_FUZZ_ALL=1")
@pytest.mark.parametrize("which", ["delta", "snapshot"])
def test_byte_flips_every_byte(offices, which: str) -> None:  # type: ignore[no-untyped-def]
    data = offices[1][which]
    outcome = _sweep(offices, which, list(range(len(data))))
    print(f"{which}: every one of {len(data)} bytes: {outcome}")
