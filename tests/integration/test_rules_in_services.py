"""Rules that once lived in one front end only, now made by the service: each checked through the CLI here
(the GUI half is in tests/ui/test_ui_rules_in_services.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from rating_flow import step_day

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import ratings
from xuyi_desktop.services.entities import register_entity

UNIT = "91320830PYQLFT169T"
THIS_YEAR = dt.date.today().year


def cli(db: str | Path, *args: str) -> list[str]:
    return ["--db", str(db), *args]


def _effective(ctx) -> ratings.RatingView:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name="盱眙路桥工程有限公司", identifier=UNIT, categories=("construction_unit",)))
    view = ratings.add_rating(ctx, ratings.RatingInput(entity=UNIT, domain="highway_construction", period=THIS_YEAR, score=96))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        view = ratings.set_status(ctx, view.id, status, today=step_day(status))
    return view


def _correct(database: str, rating_id: object) -> list[str]:
    return cli(database, "rating", "add", "--entity", UNIT, "--domain", "highway_construction", "--period", str(THIS_YEAR),
               "--score", "90", "--corrects", str(rating_id), "--json")


def test_cli_refuses_to_correct_a_revoked_or_superseded_rating(ctx, database: str, capsys) -> None:  # type: ignore[no-untyped-def]
    first = _effective(ctx)
    assert first.correctable
    # the live rating is corrected; once the correction takes effect the first is superseded
    assert main(_correct(database, first.id)) == 0
    fix = uuid.UUID(json.loads(capsys.readouterr().out)["id"])
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, fix, status, today=step_day(status))
    assert ratings.get_rating(ctx, first.id).status is RatingStatus.SUPERSEDED
    before = len(ratings.list_ratings(ctx, UNIT))
    assert main(_correct(database, first.id)) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "已被取代，不能更正" in err and err.count("\n") == 1
    # a revoked one neither
    ratings.set_status(ctx, fix, RatingStatus.REVOKED, note="评定有误")
    assert main(_correct(database, fix)) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "已撤销，不能更正" in err and err.count("\n") == 1
    assert len(ratings.list_ratings(ctx, UNIT)) == before  # nothing written


# --- a batch print of commitments leaves the revoked ones out, and says so --------------------------------
def _commitments(ctx) -> list:  # type: ignore[no-untyped-def,type-arg]
    from xuyi_desktop.services import commitments as svc

    made = []
    for n, name in enumerate(("盱眙县顺达建设工程有限公司", "盱眙县淮河运输有限公司", "盱眙县路桥工程有限公司"), start=1):
        e = register_entity(ctx, EntityDraft(name=name, identifier=_uscc(n), categories=("construction_unit",), legal_representative="张建国"))
        made.append(svc.add_commitment(ctx, svc.CommitmentInput(e.summary.id, "approval_substitute", "licensing", f"许可申请 XK-{n}", 30)))
    return made


def _uscc(n: int) -> str:
    from xuyi_desktop.domain.identifiers import org_code_check_char, uscc_check_char

    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def _printed(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from xuyi_desktop.storage.models import AuditEntry

    with ctx.transaction() as s:
        return list(s.execute(select(AuditEntry.record_id).where(AuditEntry.action == "print.commitment")).scalars())


def test_cli_batch_print_leaves_revoked_commitments_out_and_names_them(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import commitments as svc

    a, b, c = _commitments(ctx)
    svc.revoke(ctx, b.id, reason="申请人撤回申请")
    out = tmp_path / "batch.pdf"
    assert main(cli(database, "print", "commitments", str(a.id), str(b.id), str(c.id), "--out", str(out))) == 0
    said = capsys.readouterr().out
    assert "（2份）" in said and f"已撤销的 1 份未打印：{b.serial}（盱眙县淮河运输有限公司）" in said
    assert out.stat().st_size > 0 and sorted(_printed(ctx)) == sorted([str(a.id), str(c.id)])
    # only revoked ones chosen: nothing to print, refused in one line, no file, no audit entry
    assert main(cli(database, "print", "commitments", str(b.id), "--out", str(tmp_path / "none.pdf"))) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "均已撤销" in err and err.count("\n") == 1
    assert not (tmp_path / "none.pdf").exists() and len(_printed(ctx)) == 2
