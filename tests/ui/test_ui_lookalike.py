"""A name that renders like a registered one (Cyrillic А for A) in the entity form: a clerk sees the refusal under
the name and nothing is written; a reviewer gives the reason in the form (the CLI's --lookalike-reason) and the
entity is registered with the override audited."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.permissions import Role
from xuyi_desktop.services import audit, users
from xuyi_desktop.services.entities import find_entities, register_entity
from xuyi_desktop.ui.entity_form import EntityForm

REAL = "盱眙ABC物流有限公司"
FAKE = "盱眙\u0410BC物流有限公司"  # Cyrillic А
REAL_ID, OTHER_ID = "91320830PYQLFT169T", "923208306JU6UCCY4U"


def _form(qtbot, ctx, settings) -> EntityForm:  # type: ignore[no-untyped-def]
    form = EntityForm(ctx, None, None, settings)
    qtbot.addWidget(form)
    form.name_edit.setText(FAKE)
    qtbot.keyClicks(form.identifier_edit, OTHER_ID)
    form.categories_list.item(0).setCheckState(Qt.CheckState.Checked)
    return form


def _saved(qtbot, form: EntityForm) -> bool:  # type: ignore[no-untyped-def]
    """form.save() and wait for its end (the write runs off the GUI thread): True written, False refused."""
    with qtbot.waitSignal(form.saveFinished, timeout=5000) as finished:
        form.save()
    return bool(finished.args[0])


def _registered(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e.name for e in find_entities(ctx, "物流有限公司"))


def test_clerk_is_refused_and_a_reviewer_overrides_with_a_reason(qtbot, ctx, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    users.create_user(ctx, "admin", "Admin-pass-2026", Role.ADMIN, display_name="王主任")
    users.login(ctx, "admin", "Admin-pass-2026")
    users.create_user(ctx, "ck", "Clerk-pass-2026", Role.CLERK, display_name="李窗口")
    users.create_user(ctx, "rv", "Review-pass-2026", Role.REVIEWER, display_name="张审核")
    register_entity(ctx, EntityDraft(name=REAL, identifier=REAL_ID, categories=("road_operator",)))
    asked: list[str] = []

    def answer(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(args[2])
        return "俄资企业，名称本为西里尔字母", True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(answer))

    users.login(ctx, "ck", "Clerk-pass-2026")
    clerk_form = _form(qtbot, ctx, settings)
    assert _saved(qtbot, clerk_form) is False and asked == []  # a clerk is not asked for a reason
    assert "看起来相同" in clerk_form.errors["name"].text()
    assert _registered(ctx) == [REAL]

    users.login(ctx, "rv", "Review-pass-2026")
    reviewer_form = _form(qtbot, ctx, settings)
    assert _saved(qtbot, reviewer_form) is True
    assert len(asked) == 1 and REAL in asked[0]
    assert _registered(ctx) == sorted([REAL, FAKE])
    users.login(ctx, "admin", "Admin-pass-2026")
    entries = audit.list_entries(ctx, action_prefix="entity.lookalike_override")
    assert len(entries) == 1 and "俄资企业" in entries[0].summary
