"""Every clerk's action of the CLI has its button (issue 16): each button is clicked and its result compared with
what the `xuyi` command writes — the same sheets cell by cell, the same number of PDF pages whose codes verify,
the same rows changed. And Ctrl+1…9 move between the modules (issue 19)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog
from rating_flow import step_day
from ui_helpers import USCC_A, USCC_B, USCC_C

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.exchange.pipeline import ImportCancelled
from xuyi_desktop.services import commitments, users
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.dishonesty import add_dishonesty, list_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.printing import verify_pdf
from xuyi_desktop.services.ratings import RatingInput, add_rating, list_ratings, set_status
from xuyi_desktop.ui.commitment_page import CommitmentPage, DateRangeDialog
from xuyi_desktop.ui.dishonesty_page import Column, DishonestyPage
from xuyi_desktop.ui.rating_actions import YearDomainDialog
from xuyi_desktop.ui.rating_page import RatingPage

ORGS = {USCC_A: "江苏淮盱路桥工程有限公司", USCC_B: "盱眙县顺通公路养护工程队", USCC_C: "盱眙县交通工程建设中心"}
PERIOD = dt.date.today().year - 1
DOMAIN = "highway_construction"
PW = "Xuyi-Counter-2026"


# --- helpers --------------------------------------------------------------------------------------------
def register_orgs(ctx) -> None:  # type: ignore[no-untyped-def]
    for identifier, name in ORGS.items():
        register_entity(ctx, EntityDraft(name=name, identifier=identifier, categories=("construction_unit",), legal_representative="李明"))


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The clerk picks `path` in the save dialog."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def cli(database: str, *args: str) -> int:
    return main(["--db", database, *args])


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))  # type: ignore[union-attr]


def verified(ctx, path: Path) -> list[bool]:  # type: ignore[no-untyped-def]
    return [result.valid for _payload, result in verify_pdf(ctx, path)]


def results_sheet(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "评价结果"
    ws.append(["企业名称", "统一社会信用代码", "评价领域", "年度", "总分", "评价机关", "文号"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def rated(ctx, status: RatingStatus) -> None:  # type: ignore[no-untyped-def]
    """The three organisations rated for PERIOD and brought to `status` the lawful way."""
    for score, identifier in zip((96, 91, 82), ORGS, strict=True):
        rating = add_rating(ctx, RatingInput(entity=identifier, domain=DOMAIN, period=PERIOD, score=score,
                                             decision_date=dt.date.today(), document_no="盱交信〔2026〕3号"))
        steps = [RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE]
        for step in steps[: steps.index(status) + 1]:
            set_status(ctx, rating.id, step, today=step_day(step))


def rating_rows(ctx) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    return sorted((v.entity_name, v.domain, v.period, v.score, v.grade, v.status.value, v.evaluating_organ, v.document_no)
                  for identifier in ORGS for v in list_ratings(ctx, identifier))


@pytest.fixture
def rating_page(qtbot, ctx, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: True))  # no PDF viewer in tests
    register_orgs(ctx)
    page = RatingPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


# --- 信用评价 -------------------------------------------------------------------------------------------
def test_import_button_writes_the_rows_the_cli_writes(qtbot, ctx, rating_page, new_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [[name, identifier, "公路水运工程建设从业单位", PERIOD, score, "淮安市交通运输局", "淮交信〔2025〕12号"]
            for (identifier, name), score in zip(ORGS.items(), (96.5, 94.9, 80), strict=True)]
    good = results_sheet(tmp_path / "评价结果.xlsx", rows)

    rating_page.import_button.click()
    dialog = rating_page.import_dialog
    assert dialog is not None and dialog.isVisible() and dialog.source_edit.isHidden() and dialog.valid_only.isHidden()
    dialog.path_edit.setText(str(good))
    with qtbot.waitSignal(dialog.finished_import, timeout=20000) as done:
        dialog.start_button.click()
    assert done.args[0].ok, dialog.status.text()
    assert "导入完成：3 条评价（草稿）" in dialog.status.text()

    other = new_db("cli")
    cli_ctx = open_context(other)
    try:
        register_orgs(cli_ctx)
        assert cli(other, "import", "ratings", str(good)) == 0
        assert rating_rows(ctx) == rating_rows(cli_ctx)
        assert {r[0]: r[4] for r in rating_rows(ctx)} == dict(zip(ORGS.values(), ("AA", "A", "B"), strict=True))
    finally:
        cli_ctx.close()


def test_import_with_an_error_writes_the_clis_error_workbook_and_nothing_else(qtbot, ctx, rating_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [[ORGS[USCC_A], USCC_A, "公路水运工程建设从业单位", PERIOD, 96, "", ""],
            ["无此单位", "913208005FKB606W0G", "公路水运工程建设从业单位", PERIOD, "九十分", "", ""]]
    bad = results_sheet(tmp_path / "有误.xlsx", rows)
    rating_page.import_button.click()
    dialog = rating_page.import_dialog
    dialog.path_edit.setText(str(bad))
    with qtbot.waitSignal(dialog.finished_import, timeout=20000) as done:
        dialog.start_button.click()
    result = done.args[0]
    assert not result.ok and result.errors_path is not None and result.errors_path.exists()
    assert "1 行有误，未导入任何数据" in dialog.status.text() and not dialog.errors_button.isHidden()
    assert rating_rows(ctx) == []
    gui_report = cells(result.errors_path)

    cli_report = tmp_path / "cli.errors.xlsx"
    assert cli(ctx.location, "import", "ratings", str(bad), "--errors", str(cli_report)) == 1
    assert gui_report == cells(cli_report)
    assert rating_rows(ctx) == []


def test_import_cancelled_writes_nothing(qtbot, ctx, rating_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = results_sheet(tmp_path / "评价结果.xlsx", [[ORGS[USCC_A], USCC_A, "公路水运工程建设从业单位", PERIOD, 96, "", ""]])
    rating_page.import_button.click()
    dialog = rating_page.import_dialog
    with pytest.raises(ImportCancelled):  # the dialog's worker, cancelled when it reports progress
        dialog._runner(good, valid_only=False, source=None, mapping={}, progress=lambda d, t: None, cancel=lambda: True)
    assert rating_rows(ctx) == []
    dialog.cancel_button.click()  # not running: closes the dialog
    assert not dialog.isVisible()


def test_template_button_saves_the_clis_template(qtbot, ctx, rating_page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    save_to(monkeypatch, tmp_path / "模板")  # no extension typed: .xlsx is added
    rating_page.template_button.click()
    gui = tmp_path / "模板.xlsx"
    assert gui.exists()
    assert cli(ctx.location, "import", "ratings-template", "--out", str(tmp_path / "cli.xlsx")) == 0
    assert cells(gui) == cells(tmp_path / "cli.xlsx")
    assert any("统一社会信用代码/身份证号码" in row for row in cells(gui)["信用评价结果"])


def test_publicity_list_button_prints_what_the_cli_prints(qtbot, ctx, rating_page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rated(ctx, RatingStatus.PUBLICITY)
    asked: list[dict[str, Any]] = []

    def ask(_parent, _title, **kw):  # type: ignore[no-untyped-def]
        asked.append(kw)
        return PERIOD, DOMAIN, (RatingStatus.PUBLICITY,)

    monkeypatch.setattr(YearDomainDialog, "ask", staticmethod(ask))
    save_to(monkeypatch, tmp_path / "公示名单.pdf")
    rating_page.publicity_button.click()
    qtbot.waitUntil(lambda: rating_page.last_pdf is not None, timeout=20000)
    assert asked and asked[0]["with_statuses"]
    gui = rating_page.last_pdf
    assert cli(ctx.location, "print", "publicity", "--period", str(PERIOD), "--domain", DOMAIN, "--out", str(tmp_path / "cli.pdf")) == 0
    assert pages(gui) == pages(tmp_path / "cli.pdf") >= 1
    assert verified(ctx, gui) == verified(ctx, tmp_path / "cli.pdf") == [True]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(gui), "-"], capture_output=True, text=True).stdout
    assert all(name in text.replace("\n", "") for name in ORGS.values())


def test_publicity_list_saved_as_xlsx_is_the_clis_export(qtbot, ctx, rating_page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rated(ctx, RatingStatus.EFFECTIVE)
    monkeypatch.setattr(YearDomainDialog, "ask", staticmethod(lambda *_a, **_k: (PERIOD, DOMAIN, (RatingStatus.PUBLICITY,))))
    save_to(monkeypatch, tmp_path / "公示名单.xlsx")
    rating_page.publicity_button.click()
    qtbot.waitUntil(lambda: rating_page.last_sheet is not None, timeout=20000)
    assert cli(ctx.location, "export", "publicity", "--period", str(PERIOD), "--domain", DOMAIN, "--out", str(tmp_path / "cli.xlsx")) == 0
    gui = cells(rating_page.last_sheet)
    assert gui == cells(tmp_path / "cli.xlsx")
    assert sum(1 for sheet in gui.values() for row in sheet if any(name in row for name in ORGS.values())) == 3


def test_batch_certificates_button_prints_what_the_cli_prints(qtbot, ctx, rating_page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rated(ctx, RatingStatus.EFFECTIVE)
    monkeypatch.setattr(YearDomainDialog, "ask", staticmethod(lambda *_a, **_k: (PERIOD, DOMAIN, (RatingStatus.PUBLICITY,))))
    save_to(monkeypatch, tmp_path / "证书.pdf")
    rating_page.batch_button.click()
    qtbot.waitUntil(lambda: rating_page.last_pdf is not None, timeout=30000)
    assert not rating_page.batch_running and rating_page.batch_button.isEnabled()
    gui = rating_page.last_pdf
    assert cli(ctx.location, "print", "certificates", "--period", str(PERIOD), "--domain", DOMAIN, "--out", str(tmp_path / "cli.pdf")) == 0
    assert pages(gui) == pages(tmp_path / "cli.pdf") == 3
    assert verified(ctx, gui) == verified(ctx, tmp_path / "cli.pdf") == [True, True, True]


def test_nothing_to_print_is_said_in_chinese(qtbot, ctx, rating_page, dialogs, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(YearDomainDialog, "ask", staticmethod(lambda *_a, **_k: (PERIOD, DOMAIN, (RatingStatus.PUBLICITY,))))
    save_to(monkeypatch, tmp_path / "证书.pdf")
    rating_page.batch_button.click()
    qtbot.waitUntil(lambda: not rating_page.batch_running, timeout=20000)
    assert dialogs.texts("warning") and "没有已生效的信用评价" in dialogs.texts("warning")[-1]
    assert not (tmp_path / "证书.pdf").exists()


# --- 信用承诺 -------------------------------------------------------------------------------------------
@pytest.fixture
def commitment_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    register_orgs(ctx)
    for identifier, area in ((USCC_A, "licensing"), (USCC_B, "licensing"), (USCC_C, "tender")):
        commitments.add_commitment(ctx, commitments.CommitmentInput(identifier, "missing_materials", area, "道路运输经营许可申请", 15, ()))
    page = CommitmentPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_commitment_export_button_writes_the_clis_sheet(qtbot, ctx, commitment_page, dialogs, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    start, end = dt.date(dt.date.today().year, 1, 1), dt.date.today()
    monkeypatch.setattr(DateRangeDialog, "ask", staticmethod(lambda *_a, **_k: (start, end)))
    save_to(monkeypatch, tmp_path / "承诺公示.xlsx")
    commitment_page.export_button.click()
    qtbot.waitUntil(lambda: commitment_page.last_export is not None, timeout=20000)
    assert cli(ctx.location, "commitment", "export", "--from", start.isoformat(), "--to", end.isoformat(),
               "--out", str(tmp_path / "cli.xlsx")) == 0
    gui = cells(commitment_page.last_export)
    assert gui == cells(tmp_path / "cli.xlsx")
    assert sum(1 for sheet in gui.values() for row in sheet if any(name in row for name in ORGS.values())) == 3
    assert "已导出 3 条" in dialogs.texts("information")[-1]


def test_indicator_button_says_what_the_cli_says(qtbot, ctx, commitment_page, dialogs, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    start, end = dt.date(dt.date.today().year, 1, 1), dt.date.today()
    monkeypatch.setattr(DateRangeDialog, "ask", staticmethod(lambda *_a, **_k: (start, end)))
    commitment_page.indicator_button.click()
    shown = dialogs.texts("information")[-1]
    capsys.readouterr()
    assert cli(ctx.location, "commitment", "indicator", "--from", start.isoformat(), "--to", end.isoformat()) == 0
    assert shown == capsys.readouterr().out.strip()
    assert "有信用承诺的应用领域 2 个" in shown


# --- 失信记录 -------------------------------------------------------------------------------------------
@pytest.fixture
def dishonesty_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    register_orgs(ctx)
    page = DishonestyPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def comparable(views) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [{k: v for k, v in view.to_json().items() if k not in ("id", "entity_id")} for view in views]


def test_dishonesty_add_and_end_change_the_rows_the_cli_changes(qtbot, ctx, dishonesty_page, new_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = dishonesty_page
    occurred = dt.date.today() - dt.timedelta(days=30)
    assert page.table.rowCount() == 0 and not page.end_button.isEnabled()

    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()  # empty: the reason is shown, nothing saved
    assert dialog.saved is None and not dialog.error.isHidden() and "失信主体" in dialog.error.text()
    qtbot.keyClicks(dialog.entity_edit, USCC_B)
    dialog.date_edit.setDate(occurred)
    dialog.category_combo.setCurrentText("法院失信被执行人")
    dialog.description_edit.setPlainText("未履行生效判决")
    dialog.document_edit.setText("(2025)苏0830执123号")
    dialog.source_edit.setText("盱眙县人民法院")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None, dialog.error.text()
    assert page.table.rowCount() == 1 and page.current() is not None
    assert page.table.item(0, Column.ENTITY).text() == ORGS[USCC_B] and page.table.item(0, Column.STATE).text() == "有效"

    other = new_db("cli")
    cli_ctx = open_context(other)
    try:
        register_orgs(cli_ctx)
        assert cli(other, "dishonesty", "add", "--entity", USCC_B, "--date", occurred.isoformat(), "--category", "法院失信被执行人",
                   "--description", "未履行生效判决", "--doc-no", "(2025)苏0830执123号", "--source", "盱眙县人民法院") == 0
        assert comparable(list_dishonesty(ctx)) == comparable(list_dishonesty(cli_ctx))

        monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(lambda *a, **k: ("法院已裁定终结执行", True)))
        assert page.end_button.isEnabled()
        page.end_button.click()
        assert page.table.item(0, Column.ENDS).text() == dt.date.today().isoformat() and not page.end_button.isEnabled()
        record = list_dishonesty(cli_ctx)[0]
        assert cli(other, "dishonesty", "end", str(record.id), "--reason", "法院已裁定终结执行") == 0
        assert comparable(list_dishonesty(ctx)) == comparable(list_dishonesty(cli_ctx))
        assert list_dishonesty(ctx)[0].end_reason == "法院已裁定终结执行"
        assert not list_dishonesty(ctx, today=dt.date.today() + dt.timedelta(days=1))[0].active  # from tomorrow
    finally:
        cli_ctx.close()


def test_dishonesty_filter_and_permissions(qtbot, ctx, dishonesty_page, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = dishonesty_page
    add_dishonesty(ctx, USCC_A, occurred_on=dt.date.today() - dt.timedelta(days=9), category="严重失信主体名单", source="省交通运输厅")
    add_dishonesty(ctx, USCC_C, occurred_on=dt.date.today() - dt.timedelta(days=3), category="法院失信被执行人",
                   ends_on=dt.date.today() - dt.timedelta(days=1))
    page.reload()
    assert page.table.rowCount() == 2
    page.filter_edit.setText("法院")  # as typed: the list narrows at once
    assert [page.table.item(r, Column.ENTITY).text() for r in range(page.table.rowCount())] == [ORGS[USCC_C]]
    page.filter_edit.clear()
    page.active_check.setChecked(True)  # an ended record leaves the list of those in force
    assert [page.table.item(r, Column.ENTITY).text() for r in range(page.table.rowCount())] == [ORGS[USCC_A]]

    # Permissions are the service's: a clerk registers but does not end; a reviewer ends.
    users.create_user(ctx, "admin", PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "clerk01", PW, Role.CLERK, display_name="李经办")
    users.create_user(ctx, "reviewer01", PW, Role.REVIEWER, display_name="陈审核")
    users.login(ctx, "clerk01", PW)
    page.table.selectRow(0)
    assert page.add_button.isEnabled() and not page.end_button.isEnabled()
    users.login(ctx, "reviewer01", PW)
    page._update_buttons()
    assert page.end_button.isEnabled()


# --- module shortcuts -----------------------------------------------------------------------------------
def test_ctrl_number_opens_the_nth_module(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.credit_check_page import CreditCheckPage

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "信用核查"
    assert isinstance(window.pages.currentWidget(), CreditCheckPage)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "信用承诺"
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.registry
    titles = [a.text() for a in window.go_actions]
    assert titles[:4] == ["&1 市场主体", "&2 信用核查", "&3 信用评价", "&4 信用承诺"]
    assert len(titles) == window.nav.count() and any(t.endswith("失信记录") for t in titles)


def test_the_changed_pages_fit_a_counter_screen(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSize

    screen = QSize(1366, 768)
    window.resize(screen)
    for title in ("信用评价", "信用承诺", "失信记录"):
        page = window.show_page(title)
        assert page is not None and window.pages.currentWidget() is page
        hint = page.minimumSizeHint()
        assert hint.width() <= screen.width() - window.nav.width() and hint.height() <= screen.height() - 60, (title, hint)
