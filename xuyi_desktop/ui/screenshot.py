"""Grab the main window and the entity form to PNG files, to check by eye that Chinese renders and nothing is clipped.

    xvfb-run -a python -m xuyi_desktop.ui.screenshot --db /tmp/shots/demo.db --out /tmp/shots

An empty database is first filled with demo rows (services.demo_data) and a few entities registered through the
services, one of them edited, so the form shows licences and a change history. Window settings go to a temporary
INI file: the clerk's saved layout is neither used nor changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QDialog

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.demo_data import generate_demo_data
from xuyi_desktop.services.entities import count_entities, get_entity, register_entity, update_entity
from xuyi_desktop.services.errors import DuplicateIdentifierError
from xuyi_desktop.ui.entity_form import EntityForm
from xuyi_desktop.ui.screenshot_kit import SHOWCASE_ID, grab, ini_settings, open_window, output_folder, settle, shooting


def seed(ctx: AppContext, demo_rows: int) -> None:
    """Demo rows plus a showcase entity with categories, licences and two history entries."""
    if count_entities(ctx) == 0 and demo_rows:
        generate_demo_data(ctx, demo_rows, seed=2026)
    draft = EntityDraft(
        name="盱眙县顺达交通运输有限公司",
        identifier=SHOWCASE_ID,
        categories=("road_operator", "maintenance_unit"),
        legal_representative="王建国",
        address="江苏省淮安市盱眙县盱城街道五墩路88号",
        phone="13812345678",
        notes="2024年度道路运输企业质量信誉考核：AA",
        licences=(
            LicenceDraft(
                "道路运输经营许可证", "苏交运管许可淮字320830000123号", dt.date(2022, 3, 1), dt.date(2026, 2, 28)
            ),
        ),
    )
    try:
        detail = register_entity(ctx, draft, allow_similar=True)
    except DuplicateIdentifierError:
        return
    update_entity(ctx, detail.summary.id, replace(draft, phone="0517-88221234"), expected_version=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xuyi_desktop.ui.screenshot")
    parser.add_argument("--db", required=True, help="数据库文件（为空时自动填充演示数据）")
    parser.add_argument("--out", required=True, help="截图输出目录")
    parser.add_argument("--demo-rows", type=int, default=500, help="空数据库填充的演示主体数量")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    out = output_folder(args.out)

    with shooting(args.db) as (app, ctx, shots):
        seed(ctx, args.demo_rows)
        settings = ini_settings(Path(tempfile.mkdtemp()) / "ui.ini")
        window = open_window(ctx, settings, args.width, args.height)
        settle(app, 5)
        window.registry.select_row(0)
        window.statusBar().showMessage("已保存：盱眙县顺达交通运输有限公司")
        settle(app, 20)
        shots.append(grab(window, out / "main_window.png"))

        window.registry.search_edit.setText("顺达")  # the search state: ranked hits and the hit count line
        window.registry.search()
        while window.registry.model.searching:
            settle(app, 5)
        settle(app, 5)
        shots.append(grab(window, out / "main_window_search.png"))

        showcase = get_entity(ctx, SHOWCASE_ID)
        form = EntityForm(ctx, showcase.summary.id, window, settings)
        form.show()
        settle(app, 5)
        shots.append(grab(form, out / "entity_form.png"))
        form.close()

        blank = EntityForm(ctx, None, window, settings)  # the inline messages, as after a failed save
        blank.show()
        blank.identifier_edit.setText("91320830PYQLFT169U")
        blank.phone_edit.setText("12345")
        blank.save()
        settle(app, 5, wait_ms=5000)  # a save that reaches the service runs off the GUI thread
        shots.append(grab(blank, out / "entity_form_errors.png"))
        blank.done(QDialog.DialogCode.Rejected)  # without the discard question
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
