"""Issue 19: the registry's 信用等级 and 失信 columns, the entity form as the entity's file (opening is not a
reveal; clicking 显示完整信息 is), the 操作日志 in the clerk's words, the shared error dialog, 生成培训数据."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from rating_flow import step_day
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from ui_helpers import ID_PERSON, USCC_A, USCC_B

from xuyi_desktop.domain.entities import EntityDraft, LicenceDraft, RelationType
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import audit, sgs, users
from xuyi_desktop.services.entities import link_person, register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, set_status
from xuyi_desktop.services.sgs_demo import penalty_raw
from xuyi_desktop.ui import error_dialog
from xuyi_desktop.ui.entity_table_model import Column
from xuyi_desktop.ui.registry_page import RegistryPage

ADMIN_PW, CLERK_PW = "admin-pass-2026", "clerk-pass-2026"
LONG_NAME = "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"
LAST_YEAR = dt.date.today().year - 1


def _users(ctx) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", ADMIN_PW, Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", ADMIN_PW)
    users.create_user(ctx, "clerk01", CLERK_PW, Role.CLERK, display_name="李经办")
    users.create_user(ctx, "reviewer01", ADMIN_PW, Role.REVIEWER, display_name="赵审核")


def _rated(ctx, entity_id, domain: str, score: float, points: float | None = None) -> None:  # type: ignore[no-untyped-def]
    view = add_rating(ctx, RatingInput(entity_id, domain, LAST_YEAR, score=score, points=points, evaluating_organ="盱眙县交通运输局"))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY):
        set_status(ctx, view.id, status, today=step_day(status))
    users.logout(ctx)
    users.login(ctx, "reviewer01", ADMIN_PW)  # 双人复核: another person brings it into effect
    set_status(ctx, view.id, RatingStatus.EFFECTIVE)
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)


def _county_bit(ctx):  # type: ignore[no-untyped-def]
    """A port company rated in two domains with licences expired and expiring; a road company with a 严重 penalty
    in publicity; a driver linked to the port company."""
    today = dt.date.today()
    port = register_entity(ctx, EntityDraft(
        name=LONG_NAME, identifier=USCC_A, categories=("port_operator", "road_operator"), phone="13812345678",
        licences=(LicenceDraft("港口经营许可证", "苏淮港经证（0001）号", today - dt.timedelta(days=1500), today - dt.timedelta(days=3)),
                  LicenceDraft("道路运输经营许可证", "苏交运管许可淮字320830000123号", today - dt.timedelta(days=1400), today + dt.timedelta(days=12)),
                  LicenceDraft("危险货物运输许可", "苏危运320830-09号", today - dt.timedelta(days=100), today + dt.timedelta(days=900))),
    )).summary
    road = register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier=USCC_B, categories=("road_operator",))).summary
    driver = register_entity(ctx, EntityDraft(name="张三", identifier=ID_PERSON, categories=("road_practitioner",), phone="13900001111")).summary
    link_person(ctx, driver.id, port.id, RelationType.EMPLOYEE, title="驾驶员")
    _rated(ctx, port.id, "port_operator", 92)
    _rated(ctx, port.id, "road_water_operator", 72, points=4.0)
    raw = penalty_raw(7, today - dt.timedelta(days=40))
    raw.update(xdr_mc=road.name, xdr_shxym=USCC_B, publicity_class="严重", wfxw="未取得道路运输经营许可擅自从事经营")
    sgs.add_record(ctx, RecordKind.PENALTY, raw)
    return port, road, driver


def _reveals(ctx) -> int:  # type: ignore[no-untyped-def]
    return len(audit.list_entries(ctx, action_prefix="personal.reveal"))


def test_registry_shows_grades_and_dishonesty_and_remembers_widths(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    _users(ctx)
    port, road, _driver = _county_bit(ctx)
    page = RegistryPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    model = page.model
    port_row, road_row = model.row_of(port.id), model.row_of(road.id)
    assert model.index(port_row, Column.GRADE).data() == "AA / B"  # 港口经营者 AA, 道路水路运输经营者 B
    tip = model.index(port_row, Column.GRADE).data(Qt.ItemDataRole.ToolTipRole)
    assert "港口经营者：AA级" in tip and "道路水路运输经营者：B级" in tip
    assert model.index(port_row, Column.DISHONEST).data() == ""
    assert model.index(road_row, Column.DISHONEST).data() == "失信"
    assert "严重失信行政处罚公示中" in model.index(road_row, Column.DISHONEST).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(road_row, Column.GRADE).data() == ""

    # Search hits carry the marks too (read for the hits shown, not the whole table).
    page.search_edit.setText("顺达")
    with qtbot.waitSignal(model.searchFinished, timeout=5000):
        page.search()
    assert model.index(0, Column.DISHONEST).data() == "失信"

    # Widths sized to content (the grade sample fits) and remembered across restarts.
    assert page.table.columnWidth(Column.GRADE) >= page.fontMetrics().horizontalAdvance("AAA / AA")
    page.table.setColumnWidth(Column.CATEGORIES, 333)
    page.save_state()
    again = RegistryPage(ctx, settings)
    qtbot.addWidget(again)
    assert again.table.columnWidth(Column.CATEGORIES) == 333


def test_entity_file_shows_the_record_and_only_a_click_reveals(qtbot, ctx, settings, dialogs):  # type: ignore[no-untyped-def]
    _users(ctx)
    port, _road, driver = _county_bit(ctx)
    users.logout(ctx)
    users.login(ctx, "clerk01", CLERK_PW)  # may edit and may see personal data: still, opening is not a reveal
    page = RegistryPage(ctx, settings)
    qtbot.addWidget(page)

    form = page.edit_entity(port.id)
    qtbot.waitUntil(lambda: not form.file_loading, timeout=5000)
    tabs = [form.tabs.tabText(i) for i in range(form.tabs.count())]
    assert tabs[0] == "基本信息" and "信用评价（2）" in tabs and "关联人员（1）" in tabs and "证照（3）" in tabs
    grades = {row[0]: row[1] for row in form.file_tables["ratings"].row_texts()}
    assert grades == {"港口经营者": "AA级", "道路水路运输经营者": "B级"}
    persons = form.file_tables["persons"].row_texts()
    assert persons[0][0] == "张三" and persons[0][1] == "320830********1236"  # masked in the file
    licences = form.file_tables["licences"]
    states = [licences.key(r) for r in range(licences.rowCount())]
    assert sorted(states) == ["", "expired", "expiring"]
    expired = states.index("expired")
    assert licences.item(expired, 4).text() == "已过期" and licences.item(expired, 4).foreground().color().name() == "#c62828"
    assert "天内到期" in licences.item(states.index("expiring"), 4).text()
    assert form.phone_edit.text() == "138****5678" and form.phone_edit.isReadOnly()
    form.reject()

    person_form = page.edit_entity(driver.id)
    qtbot.waitUntil(lambda: not person_form.file_loading, timeout=5000)
    assert person_form.identifier_edit.text() == "320830********1236"
    assert person_form.file_tables["persons"].row_texts()[0][0] == LONG_NAME
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    assert _reveals(ctx) == 0  # two entities opened, their files read: nothing revealed
    users.logout(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    person_form.reveal_button.click()  # 显示完整信息
    assert person_form.identifier_edit.text() == ID_PERSON
    users.logout(ctx)
    users.login(ctx, "admin", ADMIN_PW)
    reveals = audit.list_entries(ctx, action_prefix="personal.reveal")
    assert [(r.username, r.record_id) for r in reveals] == [("clerk01", str(driver.id))]
    person_form.reject()


def test_audit_log_speaks_the_clerks_words(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.audit_log_page import AuditLogPage

    _users(ctx)
    port, _road, _driver = _county_bit(ctx)
    page = AuditLogPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0, timeout=5000)
    shown = [(page.model.index(r, 4).data(), page.model.index(r, 5).data()) for r in range(page.model.rowCount())]
    assert ("登记主体", f"市场主体：{LONG_NAME}") in shown
    assert any(action == "登记双公示记录" and target.startswith("双公示记录：盱交罚") for action, target in shown)
    assert any(action == "信用评价状态变更" and target.startswith("信用评价：") for action, target in shown)
    codes = {page.model.row_at(r).action for r in range(page.model.rowCount())}
    assert "entity.insert" in codes  # stored as codes; shown in words
    assert not any("." in action and action.isascii() for action, _t in shown)
    assert not any(":" in target for _a, target in shown)  # no table:uuid
    assert page.width() <= 1366


def test_database_errors_reach_the_clerk_in_chinese_with_details_behind_a_button(qtbot, ctx):  # type: ignore[no-untyped-def]
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table_for_the_clerk"))
    except DBAPIError as exc:  # OperationalError on SQLite, ProgrammingError (UndefinedTable) on PostgreSQL
        error = exc
    else:  # pragma: no cover - the query must fail
        raise AssertionError("the query did not fail")
    message = error_dialog.clerk_message(error)
    assert message == "数据库版本与程序不一致，请联系系统管理员升级数据库"
    assert "SELECT" not in message and "no_such_table" not in message
    long_lead = "保存失败，本次未写入。" + "很长的说明" * 200
    box = error_dialog.show_error(None, "保存", long_lead, error)
    assert "no_such_table_for_the_clerk" in box.detailedText() and "SELECT" not in box.text()
    assert error_dialog.details_button(box).text() == "详情…"
    assert box.width() <= box.screen().availableGeometry().width()
    box.close()


def test_training_data_menu_is_for_administrators_and_refuses_a_real_database(qtbot, ctx, settings, dialogs):  # type: ignore[no-untyped-def]
    from xuyi_desktop.ui.main_window import MainWindow

    _users(ctx)
    register_entity(ctx, EntityDraft(name="盱眙县顺达交通运输有限公司", identifier=USCC_B))
    window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(window)
    assert window.training_data.action.isVisible()
    area = window.screen().availableGeometry()  # the first start (no saved geometry) fits the screen with its frame
    assert window.width() + 16 <= area.width() and window.height() + 40 <= area.height()
    error_dialog.SHOWN.clear()
    with qtbot.waitSignal(window.training_data.finished, timeout=10000):
        assert window.training_data.run()  # the confirmation is answered 是
    assert "培训数据" in dialogs.texts("question")[0] and "不能再导出同步包" in dialogs.texts("question")[0]
    assert "不是培训数据库" in error_dialog.SHOWN[-1].text()
    for box in error_dialog.SHOWN:
        box.close()

    dialogs.answers.append(QMessageBox.StandardButton.No)
    assert not window.training_data.run()  # 否: nothing starts
    users.logout(ctx)
    users.login(ctx, "clerk01", CLERK_PW)
    clerk_window = MainWindow(ctx, settings, idle_ms=0)
    qtbot.addWidget(clerk_window)
    assert not clerk_window.training_data.action.isVisible() and not clerk_window.training_data.run()


def _relations(db: str, org_identifier: str) -> list[tuple[str, str, str]]:
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.entities import entity_relations, find_entities

    other = open_context(db)
    try:
        org = find_entities(other, org_identifier)[0]
        return [(r.other.name, r.relation_type.value, r.title) for r in entity_relations(other, org.id)]
    finally:
        other.close()


def test_add_link_in_the_file_writes_what_entity_link_writes(qtbot, ctx, settings, new_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """添加关联… on the 关联人员 tab is `xuyi entity link` in the window: the same relation rows; a clerk without the
    right to edit does not see the button."""
    from xuyi_desktop.cli import main
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.entities import find_entities
    from xuyi_desktop.ui.entity_form import EntityForm

    twin = new_db("twin")
    for db in (ctx.location, twin):
        c = ctx if db == ctx.location else open_context(twin)
        register_entity(c, EntityDraft(name=LONG_NAME, identifier=USCC_A, categories=("port_operator",)))
        register_entity(c, EntityDraft(name="张三", identifier=ID_PERSON))
        if c is not ctx:
            c.close()
    assert main(["--db", twin, "entity", "link", ID_PERSON, USCC_A, "--type", "key_personnel", "--title", "安全负责人"]) == 0

    org = find_entities(ctx, USCC_A)[0]
    form = EntityForm(ctx, org.id, None, settings)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: not form.file_loading, timeout=10000)
    assert not form.link_button.isHidden()  # on the 关联人员 tab
    dialog = form.add_link(exec_dialog=False)
    qtbot.addWidget(dialog)
    assert dialog.save() is False and "请从列表中选定关联人员" in dialog.error.text()  # nothing picked: nothing written
    assert dialog.picker.set_text("张三")
    dialog.picker.choose(0)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("key_personnel"))
    dialog.title_edit.setText("安全负责人")
    assert dialog.save() is True
    assert _relations(ctx.location, USCC_A) == _relations(twin, USCC_A) == [("张三", "key_personnel", "安全负责人")]
    qtbot.waitUntil(lambda: not form.file_loading and form.file_tables["persons"].rowCount() == 1, timeout=10000)

    _users(ctx)
    users.create_user(ctx, "viewer01", CLERK_PW, Role.VIEWER, display_name="查询员")
    users.login(ctx, "viewer01", CLERK_PW)
    viewer = EntityForm(ctx, org.id, None, settings)
    qtbot.addWidget(viewer)
    assert viewer.link_button.isHidden() and viewer.add_link(exec_dialog=False) is None
