"""The one entity picker every form that names a party uses (双公示, commitments, ratings, repairs).

A line edit: the clerk types a name fragment, pinyin initials, a USCC, an ID number or a plate; the candidates
(services.entity_lookup.pick_entities — name, code, legal representative, status) drop down under it; Up/Down and
Enter pick one (Enter on a text that names exactly one entity picks it without the list). The picked entity is
shown as name and code under the field (the legal representative is in the popup and in the form's field). When nothing matches, 登记新主体… opens the registry's entity form with
what was typed, and the entity saved there is picked.

Roles without the right to see full ID numbers match whole identifiers only and see them masked (the service
decides; the widget shows what it gets).

EntityCandidates is the list part alone, for a line edit that lives in another widget (the record picker of the
repair and objection dialogs): the same candidates under that edit, `chosen` when one is picked."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.identifiers import looks_like_identifier
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entity_lookup import PickedEntity, pick_entities
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.ui.record_widgets import show_problem

SEARCH_DELAY_MS = 250


class EntityCandidates(QObject):
    """The candidates under a line edit as the clerk types (searched after a pause), Up/Down/Enter to pick.

    `chosen` carries the PickedEntity picked; `searched` the candidates of each search. Enter on a selected row of
    the list picks it; Enter on the text calls `on_enter` (the picker: pick the text's one candidate) and goes no
    further, or, without `on_enter` (an edit whose own Enter looks the text up), is passed on to the edit."""

    chosen = Signal(object)
    searched = Signal(list)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, edit: QLineEdit, *, limit: int = 10,
                 on_enter: Callable[[], object] | None = None) -> None:
        super().__init__(edit)
        self._ctx, self.edit, self._limit, self._on_enter = ctx, edit, limit, on_enter
        self.candidates: list[PickedEntity] = []
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(limit)
        self.completer.setWidget(edit)
        self.completer.popup().setMinimumWidth(560)  # name, code and legal representative on one line
        self.completer.activated[str].connect(self._activated_text)  # type: ignore[index]  # the overload by type
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_if_shown)
        edit.textEdited.connect(lambda _t: self._timer.start())
        edit.installEventFilter(self)

    def _search_if_shown(self) -> None:
        """The typing pause ended: look up only while the edit is on screen; a form closed (or never shown) in
        the meantime has no one to show candidates to, and its database may be gone by then."""
        if self.edit.isVisible():
            self.search_now()

    def search_now(self) -> list[PickedEntity]:
        self._timer.stop()
        text = self.edit.text().strip()
        if not text:
            self.candidates = []
        else:
            try:
                self.candidates = pick_entities(self._ctx, text, self._limit)
            except DomainError as exc:  # e.g. too many whole-identifier searches in an hour
                self.candidates = []
                self.failed.emit(exc.message_zh)
        self._model.setStringList([c.label for c in self.candidates])
        if self.candidates and self.edit.isVisible():
            self.completer.complete()
        else:
            self.completer.popup().hide()
        self.searched.emit(self.candidates)
        return self.candidates

    def choose(self, index: int) -> PickedEntity:
        """Pick the index-th candidate (what Enter on a row of the list does)."""
        entity = self.candidates[index]
        self.completer.popup().hide()
        self.chosen.emit(entity)
        return entity

    def _activated_text(self, text: str) -> None:
        labels = [c.label for c in self.candidates]
        if text in labels:
            self.choose(labels.index(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = self.completer.popup()
            row = popup.currentIndex().row() if popup.isVisible() else -1
            if 0 <= row < len(self.candidates):
                self.choose(row)
                return True
            popup.hide()
            self._timer.stop()
            if self._on_enter is not None:
                self._on_enter()
                return True  # Enter picks; it does not also press the dialog's default button
        return super().eventFilter(watched, event)


class EntityPicker(QWidget):
    """`picked` carries the PickedEntity chosen, or None when the clerk changes the text after picking."""

    picked = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, settings: QSettings | None = None, *,
                 limit: int = 10, allow_new: bool = True) -> None:
        super().__init__(parent)
        self._ctx, self._settings = ctx, settings
        self._allow_new = allow_new and ctx.can(Permission.ENTITY_EDIT)  # 登记新主体 only for who may register
        self.entity: PickedEntity | None = None
        self.form: QWidget | None = None  # the entity form opened by 登记新主体…
        self.edit = QLineEdit(self)
        self.edit.setObjectName("entityPickerEdit")
        self.edit.setPlaceholderText(self.tr("名称 / 拼音首字母 / 统一社会信用代码 / 身份证号码 / 车牌，回车选定"))
        self.edit.setClearButtonEnabled(True)
        self.list = EntityCandidates(ctx, self.edit, limit=limit, on_enter=self.accept_text)
        self.completer = self.list.completer
        self.list.chosen.connect(self.set_entity)
        self.list.searched.connect(self._searched)
        self.list.failed.connect(self._say)
        self.new_button = QPushButton(self.tr("登记新主体…"), self)
        self.new_button.setVisible(False)
        self.new_button.clicked.connect(self.register_new)
        self.chosen = QLabel(self)
        self.chosen.setObjectName("entityPickerChosen")
        self.chosen.setWordWrap(True)
        self.chosen.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)  # 没有匹配的主体 / 请从列表中选择
        self.status.setStyleSheet("color: #8a6d00;")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.new_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.chosen)
        column.addWidget(self.status)
        self.edit.textEdited.connect(self._edited)
        self.setFocusProxy(self.edit)
        self._show_chosen()

    @property
    def candidates(self) -> list[PickedEntity]:
        return self.list.candidates

    # --- typing and searching --------------------------------------------------------------------------

    def set_text(self, text: str) -> list[PickedEntity]:
        """What typing `text` does, at once (Chinese text cannot be typed by tests): the candidates listed."""
        self.edit.setText(text)
        self._edited(text)
        return self.search_now()

    def _edited(self, _text: str) -> None:
        if self.entity is not None:
            self.entity = None
            self._show_chosen()
            self.picked.emit(None)

    def search_now(self) -> list[PickedEntity]:
        self.status.setVisible(False)
        return self.list.search_now()

    def _searched(self, found: list[PickedEntity]) -> None:
        has_text = bool(self.edit.text().strip())
        self.new_button.setVisible(self._allow_new and has_text and not found)
        if has_text and not found and not self.status.isVisible():
            self._say(self.tr("没有匹配的主体") + ("，可点“登记新主体…”" if self._allow_new else ""))

    def _say(self, text: str) -> None:
        show_problem(self.status, text)

    # --- picking ---------------------------------------------------------------------------------------

    def choose(self, index: int) -> PickedEntity:
        """Pick the index-th candidate (what Enter on a row of the list does)."""
        return self.list.choose(index)

    def set_entity(self, entity: PickedEntity | None) -> None:
        self.entity = entity
        self.edit.setText(entity.name if entity else "")
        self.new_button.setVisible(False)
        self.status.setVisible(False)
        self._show_chosen()
        self.picked.emit(entity)

    def pick_id(self, entity_id: uuid.UUID) -> PickedEntity | None:
        """Pick an entity by id (a form opened on an existing record, a form's 登记新主体)."""
        from xuyi_desktop.services.entities import get_entity

        s = get_entity(self._ctx, entity_id).summary
        entity = PickedEntity(s.id, s.name, s.identifier, s.legal_representative, s.status, s.kind)
        self.set_entity(entity)
        return entity

    def accept_text(self) -> PickedEntity | None:
        """Enter without the list: the text's one candidate (or its exact name/identifier) is picked; otherwise the
        list opens for the clerk to choose."""
        if self.entity is not None and self.edit.text() == self.entity.name:
            return self.entity
        found = self.search_now()
        text = self.edit.text().strip()
        exact = [c for c in found if c.name == text or c.code.upper() == text.upper()]
        if len(exact) == 1:
            return self.choose(found.index(exact[0]))
        if len(found) == 1:
            return self.choose(0)
        if found:
            self._say(self.tr("匹配到{0}个主体，请用上下键选择后回车").format(len(found)))
        return None

    def _show_chosen(self) -> None:
        e = self.entity
        if e is None:
            self.chosen.setText(self.tr("未选定主体"))
            self.chosen.setStyleSheet("color: #777;")
            return
        state = "" if e.status == "active" else f"　（{e.status_label}）"
        self.chosen.setText(f"✓ {e.name}　{e.code}{state}")
        self.chosen.setStyleSheet("color: #1b5e20;")

    # --- a new entity ---------------------------------------------------------------------------------

    def register_new(self) -> QWidget:
        """登记新主体…: the registry's entity form, started with what was typed; the saved entity is picked."""
        from xuyi_desktop.ui.entity_form import EntityForm

        form = EntityForm(self._ctx, None, self.window(), self._settings)
        text = self.edit.text().strip()
        if text:
            (form.identifier_edit if looks_like_identifier(text) else form.name_edit).setText(text)
        form.saved.connect(self._registered)
        form.finished.connect(lambda _r: setattr(self, "form", None))
        self.form = form
        form.open()
        return form

    def _registered(self, summary: EntitySummary) -> None:
        self.pick_id(summary.id)
