"""Grab the credit check page (with a result) and the rating form (with a derived grade) to PNG files.

    xvfb-run -a python -m xuyi_desktop.ui.rating_screenshots --out /tmp/shots

Works on a new temporary database (a few entities and ratings entered through the services); window settings
go to a temporary INI file.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QDialog

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating
from xuyi_desktop.ui.screenshot_kit import (
    SHOWCASE_ID,
    go_to,
    grab,
    ini_settings,
    make_effective,
    open_window,
    settle,
    shooting,
    window_args,
)


def seed(ctx: AppContext) -> None:
    year = dt.date.today().year - 1
    register_entity(ctx, EntityDraft(
        name="盱眙县路桥工程有限公司", identifier=SHOWCASE_ID, categories=("construction_unit", "maintenance_unit"),
    ))
    register_entity(ctx, EntityDraft(name="盱眙县路桥养护有限公司", identifier="923208306JU6UCCY4U", categories=("construction_unit",)))
    view = add_rating(ctx, RatingInput(
        SHOWCASE_ID, "highway_construction", year, score=96.5, evaluating_organ="盱眙县交通运输局",
        decision_date=dt.date.today(), document_no=f"盱交〔{year + 1}〕12号",
    ))
    make_effective(ctx, view.id)
    add_dishonesty(ctx, SHOWCASE_ID, occurred_on=dt.date.today() - dt.timedelta(days=40), category="拖欠农民工工资",
                   description="被人社部门查实，已整改", document_no="盱人社监〔2025〕3号")


def main(argv: list[str] | None = None) -> int:
    args, out = window_args("python -m xuyi_desktop.ui.rating_screenshots", argv, 1280, 800, "截图输出目录")
    folder = Path(tempfile.mkdtemp())
    with shooting(str(folder / "shots.db")) as (app, ctx, shots):
        seed(ctx)
        window = open_window(ctx, ini_settings(folder / "ui.ini"), args.width, args.height)
        settle(app)
        check = go_to(window, "信用核查")
        check.set_business("tender")
        check.search_edit.setText("xyxlq")
        check.check()
        while check.busy:
            settle(app, 1)
        settle(app, 20)
        shots.append(grab(window, out / "credit_check.png"))

        page = go_to(window, "信用评价")
        page.search_edit.setText(SHOWCASE_ID)
        page.search()
        while page.entity is None:
            settle(app, 1)
        settle(app)
        shots.append(grab(window, out / "rating_page.png"))
        form = page.new_rating()
        assert form is not None
        form.period_spin.setValue(dt.date.today().year)
        form.add_deduction("JC-12")
        form.add_deduction("JC-13")
        form.organ_edit.setText("盱眙县交通运输局")
        settle(app, 20)
        shots.append(grab(form, out / "rating_form.png"))
        form.done(QDialog.DialogCode.Rejected)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
