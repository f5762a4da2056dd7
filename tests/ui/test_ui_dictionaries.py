"""字典管理 and the one entity picker (issues 16 and 18), driven through their widgets: an administrator checks a
starter entry on the page; a clerk enters a 双公示 penalty typing only what is specific to the decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import dictionaries, sgs, users
from xuyi_desktop.services.entities import find_entities, register_entity
from xuyi_desktop.services.sgs_demo import uscc
from xuyi_desktop.ui.dictionaries_page import DictionariesPage
from xuyi_desktop.ui.main_window import MainWindow
from xuyi_desktop.ui.sgs_form import SgsRecordForm

PW = "dict-ui-secret-1"
TODAY = dt.date(2026, 3, 10)
ORGAN = uscc(11, prefix="11320830")
SOURCE = uscc(12, prefix="11320830")
SHOTS = Path("/work/shots/dict16")


def _people(ctx) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", PW, Role.ADMIN)
    users.login(ctx, "admin", PW)
    users.create_user(ctx, "zf", PW, Role.CLERK, unit="执法大队")


def _shot(widget, name: str, popup=None) -> None:  # type: ignore[no-untyped-def]
    """The widget as it looks, with an open popup list (a window of its own) drawn where it is."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()  # let the layout settle before the picture
    image = widget.grab()
    if popup is not None and popup.isVisible():
        painter = QPainter(image)
        painter.drawPixmap(popup.mapToGlobal(popup.rect().topLeft()) - widget.mapToGlobal(widget.rect().topLeft()), popup.grab())
        painter.end()
    image.save(str(SHOTS / name))


def test_an_administrator_checks_an_organ_on_the_page(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    _people(ctx)
    window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(window)
    window.show()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    window.nav.setCurrentRow(titles.index("字典管理"))
    page = window.extra_pages["字典管理"]
    assert isinstance(page, DictionariesPage)
    page.set_kind("organ")
    assert page.table.rowCount() == 4 and page.table.item(0, 2).text() == "待核实"
    page.filter_edit.setText("执法")
    assert page.count_label.text() == "共 1 条"
    assert page.select_name("盱眙县交通运输局")
    dialog = page.edit_selected()
    assert dialog is not None and dialog.inputs["unit"].text() == "盱眙县交通运输综合行政执法大队"
    dialog.inputs["code"].setText(ORGAN[:-1])  # one character short: refused beside the field
    assert not dialog.save() and "18位" in dialog.errors["code"].text()
    dialog.inputs["code"].setText(ORGAN)
    dialog.inputs["source_name"].setText("盱眙县交通运输综合行政执法大队")
    dialog.inputs["source_code"].setText(SOURCE)
    assert dialog.save()
    row = next(r for r in range(page.table.rowCount()) if not page.table.isRowHidden(r))
    assert page.table.item(row, 2).text() == ORGAN and page.table.item(row, 5).text() == "在用"
    page.filter_edit.clear()
    page.set_kind("power_item")
    window.resize(1366, 768)
    qtbot.wait(50)
    _shot(window, "dictionaries_page_1366x768.png")
    page.set_kind("township")
    assert page.select_name("天泉湖镇") and page.end_selected(reason="区划调整")
    assert "天泉湖镇" not in {v.name for v in dictionaries.list_entries(ctx, "township")}
    page.ended_check.setChecked(True)
    assert page.select_name("天泉湖镇") and page.reopen_selected()
    page.set_kind("units")  # 局属各单位: the unit dictionary, shown read-only
    assert page.table.rowCount() >= 11 and page.select_name("盱眙县公路事业发展中心")
    assert not page.add_button.isEnabled() and not page.edit_button.isEnabled() and page.edit_selected() is None
    assert "公路中心" in page.table.item(page.selected_row(), 2).text()
    users.login(ctx, "zf", PW)
    clerk_window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(clerk_window)
    assert "字典管理" not in [clerk_window.nav.item(i).text() for i in range(clerk_window.nav.count())]


def test_a_penalty_needs_only_the_fields_of_the_decision(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    _people(ctx)
    dictionaries.edit_entry(ctx, "organ", "执法大队", {"code": ORGAN, "source_code": SOURCE})
    firm = uscc(5150)
    register_entity(ctx, EntityDraft(name="盱眙县顺达货运有限公司", identifier=firm, legal_representative="王建国"))
    register_entity(ctx, EntityDraft(name="盱眙县顺达客运有限公司", identifier=uscc(5151), legal_representative="李四"))
    users.login(ctx, "zf", PW)
    form = SgsRecordForm(ctx, RecordKind.PENALTY, today=TODAY)
    qtbot.addWidget(form)
    form.resize(form.width(), 740)
    form.show()
    typed = 0
    # 1. the party: a few characters, the list opens, Down and Enter pick the first candidate
    hits = form.picker.set_text("顺达")
    typed += 1
    assert sorted(h.name for h in hits) == ["盱眙县顺达客运有限公司", "盱眙县顺达货运有限公司"]
    assert form.picker.completer.popup().isVisible()
    _shot(form, "sgs_form_picker_open.png", form.picker.completer.popup())
    qtbot.keyClick(form.picker.completer.popup(), Qt.Key.Key_Down)
    index = form.picker.completer.popup().currentIndex().row()
    qtbot.keyClick(form.picker.completer.popup(), Qt.Key.Key_Return)
    chosen = hits[max(index, 0)]
    assert form.picker.entity is not None and form.picker.entity.id == chosen.id
    form.picker.set_text("顺达货运")  # narrow it to one, Enter picks it without the list
    qtbot.keyClick(form.picker.edit, Qt.Key.Key_Return)
    assert form.picker.entity is not None and form.picker.entity.code == firm
    assert "盱眙县顺达货运有限公司" in form.picker.chosen.text() and firm in form.picker.chosen.text()
    # 2.–6. the decision
    form.inputs["wsh"].setText("盱交罚〔2026〕31号")
    typed += 1
    qtbot.keyClicks(form.inputs["jdrq"], "2026-03-02")
    typed += 1
    form.set_value("sy", "2026年3月1日，该公司车辆苏H·A1234未随车携带道路运输证从事货物运输")
    typed += 1
    assert form.pick_item("道路运输经营者不按规定携带车辆营运证")
    typed += 1
    qtbot.keyClicks(form.inputs["fk"], "0.02")
    typed += 1
    assert typed <= 6
    _shot(form, "sgs_form_filled.png")
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.buttons.button(form.buttons.StandardButton.Save).click()
    assert form.summary.isHidden(), form.summary.text()
    [saved] = sgs.list_records(ctx, today=TODAY)
    v = saved.values
    assert (v["xdr_mc"], v["xdr_shxym"], v["frdb"], v["xdr_lb"]) == ("盱眙县顺达货运有限公司", firm, "王建国", "法人及非法人组织")
    assert (v["jg"], v["jgdm"], v["lydw"], v["lydwdm"]) == ("盱眙县交通运输局", ORGAN, "盱眙县交通运输局", SOURCE)
    assert v["wfxw"] == "道路运输经营者不按规定携带车辆营运证" and v["yj"].startswith("《中华人民共和国道路运输条例》")
    assert v["publicity_class"] == "轻微" and v["cflb"] == ["罚款"] and v["nr"] == "罚款人民币200元"


def test_the_picker_registers_a_new_entity_when_none_matches(qtbot, ctx, settings) -> None:  # type: ignore[no-untyped-def]
    _people(ctx)
    users.login(ctx, "zf", PW)
    form = SgsRecordForm(ctx, RecordKind.PENALTY, today=TODAY, settings=settings)
    qtbot.addWidget(form)
    form.show()
    assert form.picker.set_text("盱眙县新来物流有限公司") == []
    assert form.picker.new_button.isVisible() and "没有匹配" in form.picker.status.text()
    entity_form = form.picker.register_new()
    assert entity_form.name_edit.text() == "盱眙县新来物流有限公司"
    entity_form.identifier_edit.setText(uscc(777))
    entity_form.legal_rep_edit.setText("赵六")
    with qtbot.waitSignal(entity_form.saveFinished, timeout=5000) as finished:  # the write runs off the GUI thread
        assert entity_form.save()
    assert finished.args == [True]
    assert form.picker.entity is not None and form.picker.entity.name == "盱眙县新来物流有限公司"
    assert form.values()["xdr_mc"] == "盱眙县新来物流有限公司" and form.values()["xdr_shxym"] == uscc(777)
    assert form.values()["frdb"] == "赵六"
    assert [e.name for e in find_entities(ctx, "新来")] == ["盱眙县新来物流有限公司"]


def test_the_commitment_dialog_takes_the_entity_from_the_picker(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.commitment_dialog import CommitmentDialog

    _people(ctx)
    register_entity(ctx, EntityDraft(name="盱眙县顺达货运有限公司", identifier=uscc(6150), legal_representative="王建国"))
    second = register_entity(ctx, EntityDraft(name="盱眙县顺达客运有限公司", identifier=uscc(6151)))
    users.login(ctx, "zf", PW)
    dialog = CommitmentDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    hits = dialog.picker.set_text("顺达")  # two match: typed alone it would be refused as ambiguous
    dialog.picker.choose([h.id for h in hits].index(second.summary.id))
    dialog.set_type("missing_materials")
    dialog.set_area("licensing")
    dialog.business_edit.setText("道路旅客运输经营许可申请")
    with qtbot.waitSignal(dialog.saveFinished, timeout=5000):  # the save runs off the GUI thread
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.saved is not None, dialog.error.text()
    assert dialog.saved.entity_id == second.summary.id and dialog.saved.entity_name == "盱眙县顺达客运有限公司"


def test_a_licence_form_takes_the_licensing_item_and_starts_valid(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    _people(ctx)
    users.login(ctx, "zf", PW)
    form = SgsRecordForm(ctx, RecordKind.LICENSE, today=TODAY)
    qtbot.addWidget(form)
    names = [form.item_combo.itemText(i) for i in range(1, form.item_combo.count())]
    assert "道路货物运输经营许可" in names and "车辆超限在公路上行驶" not in names  # licensing items only
    assert form.pick_item("道路货物运输经营许可")
    values = form.values()
    assert (values["xkws"], values["xklb"], values["xkzs"], values["zt"]) == (
        "道路货物运输经营许可决定书", "普通", "道路运输经营许可证", "有效")
    assert values["jg"] == "盱眙县交通运输局" and "jgdm" not in values  # the organ's code not filled in yet
    assert "待管理员" in form.defaults_note.text()


def test_the_repair_dialog_lists_candidates_under_its_entity_box(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.repair_dialogs import ObjectionDialog

    _people(ctx)
    register_entity(ctx, EntityDraft(name="盱眙县顺达货运有限公司", identifier=uscc(7150)))
    second = register_entity(ctx, EntityDraft(name="盱眙县顺达客运有限公司", identifier=uscc(7151)))
    dialog = ObjectionDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.picker.entity_edit.setText("顺达")
    hits = dialog.entity_list.search_now()
    assert len(hits) == 2 and dialog.entity_list.completer.popup().isVisible()
    dialog.entity_list.choose([h.id for h in hits].index(second.summary.id))
    assert dialog.picker.entity_id == str(second.summary.id) and dialog.picker.entity_edit.text() == "盱眙县顺达客运有限公司"
    assert dialog.objector_edit.text() == "盱眙县顺达客运有限公司"
