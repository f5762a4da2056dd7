"""Grab the 信用核查 page (a long real name, a penalty in publicity, a restriction overriding an incentive), its
candidate list, and the 信用档案 view, at the counter's screen sizes, to check by eye that nothing is cut off.

    xvfb-run -a python -m xuyi_desktop.ui.credit_screenshots --out /tmp/shots --size 1366x768 --size 1600x1000

Works on a new temporary database (entities, a rating, penalties, a commitment, dishonesty entered through the
services); window settings go to a temporary INI file.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.commitments import CommitmentInput, add_commitment
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.dishonesty import add_dishonesty, end_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.ui.screenshot_kit import (
    SHOWCASE_ID,
    SHOWCASE_NAME,
    grab,
    grab_and_reject,
    make_effective,
    settle,
    shooting,
    sizes_args,
    wait_until,
    windows_at,
)


def seed(ctx: AppContext) -> None:
    today = dt.date.today()
    year = today.year - 1
    register_entity(ctx, EntityDraft(
        name=SHOWCASE_NAME, identifier=SHOWCASE_ID, categories=("construction_unit", "port_operator"),
        legal_representative="王建国", address="江苏省淮安市盱眙县盱城街道淮河北路港口作业区1号",
        licences=(
            LicenceDraft("港口经营许可证", "（苏淮）港经证（0123）号", dt.date(2021, 3, 1), dt.date(2024, 2, 28)),
            LicenceDraft("公路工程施工总承包资质证书", "D232083012", dt.date(2023, 5, 1), dt.date(2028, 4, 30)),
        ),
    ))
    for name, ident in (("盱眙县路桥工程有限公司", "923208306JU6UCCY4U"), ("盱眙县路桥养护有限公司", "12320830770000437A")):
        register_entity(ctx, EntityDraft(name=name, identifier=ident, categories=("construction_unit",)))
    view = add_rating(ctx, RatingInput(
        SHOWCASE_ID, "highway_construction", year, score=96, evaluating_organ="盱眙县交通运输局",
        decision_date=today - dt.timedelta(days=45), document_no=f"盱交〔{year + 1}〕12号",
    ))
    make_effective(ctx, view.id)
    # signed before the penalty was entered (afterwards the check would refuse it)
    add_commitment(ctx, CommitmentInput(SHOWCASE_ID, "approval_substitute", "licensing", "港口经营许可延续申请 XK-2026-0815", 30))
    raw = penalty_raw(17, dt.date(year, 9, 10))
    raw.update(xdr_mc=SHOWCASE_NAME, xdr_shxym=SHOWCASE_ID, publicity_class="严重", wfxw="未按规定进行安全生产检查，发生装卸作业事故",
               sy="港口装卸作业安全生产违法", cflb="罚款", nr="罚款人民币二十万元", fk="20")
    sgs.add_record(ctx, RecordKind.PENALTY, raw)
    pending = penalty_raw(18, today - dt.timedelta(days=20))
    pending.update(xdr_mc=SHOWCASE_NAME, xdr_shxym=SHOWCASE_ID, publicity_class="待定", cflb="罚款", nr="罚款人民币八千元", fk="0.8",
                   wfxw="港口作业场所未设置安全警示标志")
    sgs.add_record(ctx, RecordKind.PENALTY, pending)
    old = add_dishonesty(ctx, SHOWCASE_ID, occurred_on=dt.date(year, 3, 2), category="拖欠农民工工资",
                         description="被人社部门查实，已整改", document_no=f"盱人社监〔{year}〕3号", source="县人力资源和社会保障局")
    end_dishonesty(ctx, old, on=dt.date(year, 6, 30), reason="已全额支付并经人社部门确认")


def main(argv: list[str] | None = None) -> int:
    out, sizes = sizes_args("python -m xuyi_desktop.ui.credit_screenshots", argv)

    workdir = Path(tempfile.mkdtemp())
    with shooting(str(workdir / "shots.db")) as (app, ctx, shots):
        seed(ctx)
        for window, width, height in windows_at(app, ctx, workdir, sizes):
            page = window.extra_pages["信用核查"]
            window.nav.setCurrentRow(1)
            page.set_business("tender")
            settle(app)

            page.search_edit.setText("xyxlq")  # two 路桥 companies: the candidate list
            page.check()
            wait_until(app, lambda page=page: not page.busy)
            shots.append(grab(window, out / f"check_candidates_{width}x{height}.png"))

            page.search_edit.setText(SHOWCASE_ID)
            page.check()
            wait_until(app, lambda page=page: not page.busy and page.result is not None)
            shots.append(grab(window, out / f"check_result_{width}x{height}.png"))
            page.scroll.verticalScrollBar().setValue(page.scroll.verticalScrollBar().maximum())
            settle(app)
            shots.append(grab(window, out / f"check_result_scrolled_{width}x{height}.png"))

            dialog = page.open_profile()
            assert dialog is not None
            wait_until(app, lambda dialog=dialog: dialog.profile is not None)
            # the dialog's size is its own (fitted to the screen); grab it as the clerk would see it
            dialog.resize(min(dialog.width(), width - 24), min(dialog.height(), height - 48))
            settle(app, 20)
            shots.append(grab(dialog, out / f"profile_{width}x{height}.png"))
            dialog.scroll.verticalScrollBar().setValue(dialog.scroll.verticalScrollBar().maximum())
            settle(app)
            shots.append(grab(dialog, out / f"profile_scrolled_{width}x{height}.png"))
            dialog.reject()
            settle(app)

            # the commitment dialog refusing a 容缺受理 commitment (this set-up context may override)
            from xuyi_desktop.ui.commitment_dialog import CommitmentDialog

            commitment = CommitmentDialog(ctx, window)
            commitment.show()
            commitment.entity_edit.setText(SHOWCASE_ID)
            commitment.set_type("missing_materials")
            commitment.business_edit.setText("港口经营许可变更申请 XK-2026-0901")
            commitment.save()
            settle(app, 20, wait_ms=5000)  # the save runs off the GUI thread: let its refusal arrive first
            shots.append(grab_and_reject(app, commitment, out / f"commitment_refused_{width}x{height}.png"))

            # the 双公示 list with the publicity class column and the classify dialog
            window.nav.setCurrentRow(4)
            sgs_page = window.extra_pages["双公示"]
            wait_until(app, lambda sgs_page=sgs_page: sgs_page.table.rowCount() > 0)
            sgs_page.table.selectRow(0)
            shots.append(grab(window, out / f"sgs_{width}x{height}.png"))
            classify = sgs_page.classify_selected()
            shots.append(grab_and_reject(app, classify, out / f"sgs_classify_{width}x{height}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
