"""Attached files reach every office by sync and every counter of a shared database: the bytes are in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from pathlib import Path

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.services import attachments, ratings, sync
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models import AttachmentContent

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from sync_offices import make_offices

UNIT = "91320830PYQLFT169T"


def _rating(ctx):  # type: ignore[no-untyped-def]
    svc.register_entity(ctx, EntityDraft(name="盱眙路桥工程有限公司", identifier=UNIT, categories=("construction_unit",)))
    return ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=dt.date.today().year,
                                                       score=94.9, evaluating_organ="盱眙县交通运输局"))


def _file(folder: Path, name: str, size: int = 50_000) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    head = b"%PDF-1.4\n" if name.endswith(".pdf") else b"\xff\xd8\xff\xe0"  # what the content check looks for
    path.write_bytes(head + hashlib.sha256(name.encode()).digest() * (size // 32))
    return path


def test_an_attachment_travels_with_the_sync_package_and_opens_at_the_other_office(tmp_path: Path) -> None:
    a, b = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        scan = _file(tmp_path / "scans", "评定结果通知书.pdf")
        with a.active():
            view = _rating(a.ctx)
            att_id = ratings.attach_file(a.ctx, view.id, scan)
            package = sync.export_package(a.ctx, "XYF1", tmp_path / "a.xsync").path
        with b.active():
            result = sync.import_package(b.ctx, package)
            assert result.conflicts == 0
            listed = attachments.list_attachments(b.ctx, view.id)
            assert [(v.id, v.name, v.in_database) for v in listed] == [(att_id, "评定结果通知书.pdf", True)]
            opened = attachments.attachment_file(b.ctx, att_id)  # written from the database into b's own data folder
            assert str(opened).startswith(str(b.folder)) and opened.read_bytes() == scan.read_bytes()
            # the same file attached again at b is the same content record: nothing doubles, nothing conflicts
            ratings.attach_file(b.ctx, view.id, scan)
            back = sync.export_package(b.ctx, "XYJ", tmp_path / "b.xsync").path
        with a.active():
            assert sync.import_package(a.ctx, back).conflicts == 0
            assert len(attachments.list_attachments(a.ctx, view.id)) == 2
        with a.ctx.transaction() as session:
            assert session.query(AttachmentContent).count() == 1
    finally:
        a.close()
        b.close()


def test_every_counter_of_a_shared_database_opens_what_another_attached(database: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUYI_DATA_DIR", str(tmp_path / "pc1"))
    pc1 = open_context(database)
    view = _rating(pc1)
    scan = _file(tmp_path / "scans", "现场核查照片.jpg")
    att_id = ratings.attach_file(pc1, view.id, scan)
    pc1.close()
    monkeypatch.setenv("XUYI_DATA_DIR", str(tmp_path / "pc2"))  # another counter PC: its own, empty data folder
    pc2 = open_context(database)
    try:
        opened = attachments.attachment_file(pc2, att_id)
        assert str(opened).startswith(str(tmp_path / "pc2")) and opened.read_bytes() == scan.read_bytes()
        opened.write_bytes(b"altered on disk")  # a damaged cache copy is replaced from the database
        assert attachments.attachment_file(pc2, att_id).read_bytes() == scan.read_bytes()
        with pytest.raises(NotFoundError):
            attachments.attachment_file(pc2, view.id)  # not an attachment id
    finally:
        pc2.close()


def test_a_file_over_the_limit_is_refused_in_chinese_and_nothing_is_written(ctx, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(attachments, "MAX_BYTES", 10_000)
    view = _rating(ctx)
    with pytest.raises(ValidationError) as refused:
        ratings.attach_file(ctx, view.id, _file(tmp_path, "大文件.pdf", 20_000))
    assert "不能超过" in refused.value.message_zh
    assert attachments.list_attachments(ctx, view.id) == []
    with pytest.raises(ValidationError):
        ratings.attach_file(ctx, view.id, tmp_path / "不存在.pdf")


def test_cli_attaches_lists_and_saves(database: str, tmp_path: Path) -> None:
    import json
    import subprocess

    ctx = open_context(database)
    view = _rating(ctx)
    ctx.close()
    scan = _file(tmp_path, "scan.pdf")

    def xuyi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xuyi_desktop", "--db", database, *args], capture_output=True, text=True,
                              env=dict(os.environ), timeout=120, check=False)

    assert xuyi("rating", "attach", str(view.id), str(scan)).returncode == 0
    listed = json.loads(xuyi("rating", "attachments", str(view.id), "--json").stdout)
    assert [(x["name"], x["size"], x["in_database"]) for x in listed] == [("scan.pdf", scan.stat().st_size, True)]
    out = tmp_path / "saved.pdf"
    assert xuyi("rating", "attachment-save", listed[0]["id"], "--out", str(out)).returncode == 0
    assert out.read_bytes() == scan.read_bytes()


def _attach_as_version_0009_did(ctx, rating_id, source: Path):  # type: ignore[no-untyped-def]
    """An attachment as the previous version made it: the file in the data folder, the record and its change-log
    entry, and no bytes in the database."""
    from xuyi_desktop.paths import data_dir
    from xuyi_desktop.services import audit
    from xuyi_desktop.storage.models import RatingAttachment
    from xuyi_desktop.storage.snapshots import row_image

    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    target = attachments.write_cache(attachments.cache_path(sha, source.suffix), data)
    with ctx.transaction() as session:
        att = RatingAttachment(rating_id=rating_id, original_name=source.name, stored_path=str(target.relative_to(data_dir())),
                               sha256=sha, size=len(data), created_office=ctx.office_code, updated_office=ctx.office_code)
        session.add(att)
        session.flush()
        audit.record_business_change(session, ctx, table_name="rating_attachment", record_id=att.id, action="insert",
                                     record_version=att.version, before=None, after=row_image(att), summary=f"附件 {source.name}")
        return att.id, target


def test_files_attached_before_the_bytes_were_in_the_database_reach_the_other_office(tmp_path: Path) -> None:
    """The next export copies in what this PC holds, with change-log entries, so the package carries it; a file
    this PC no longer has is copied in when it is back and opened."""
    a, b = make_offices(tmp_path / "o", ["XYJ", "XYF1"])
    try:
        here, away = _file(tmp_path, "早先的附件.pdf"), _file(tmp_path, "后来找回的附件.pdf")
        with a.active():
            view = _rating(a.ctx)
            here_id, _ = _attach_as_version_0009_did(a.ctx, view.id, here)
            away_id, away_cache = _attach_as_version_0009_did(a.ctx, view.id, away)
            parked = away_cache.rename(tmp_path / "parked")  # that file is not on this PC now
            assert {v.id: v.in_database for v in attachments.list_attachments(a.ctx, view.id)} == {here_id: False, away_id: False}
            package = sync.export_package(a.ctx, "XYF1", tmp_path / "1.xsync").path
        with b.active():
            assert sync.import_package(b.ctx, package).held == 0
            assert attachments.attachment_file(b.ctx, here_id).read_bytes() == here.read_bytes()
            with pytest.raises(NotFoundError) as missing:
                attachments.attachment_file(b.ctx, away_id)
            assert "只在添加它的电脑上" in missing.value.message_zh
        with a.active():
            parked.rename(away_cache)  # the file is back: opening it there copies it in
            assert attachments.attachment_file(a.ctx, away_id).read_bytes() == away.read_bytes()
            package = sync.export_package(a.ctx, "XYF1", tmp_path / "2.xsync").path
        with b.active():
            sync.import_package(b.ctx, package)
            assert attachments.attachment_file(b.ctx, away_id).read_bytes() == away.read_bytes()
    finally:
        a.close()
        b.close()
