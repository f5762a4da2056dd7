"""Rules the service makes, seen through the window (the CLI half is in
tests/integration/test_rules_in_services.py): the page asks the service, and what another counter changed in
between is refused by the service with its message."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from rating_flow import step_day
from ui_helpers import USCC_A

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.services import ratings
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.ui.rating_page import RatingPage

NAME = "盱眙县路桥工程有限公司"


@pytest.fixture
def rating_page(qtbot, ctx, settings):  # type: ignore[no-untyped-def]
    page = RatingPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _pick(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_edit.clear()
    with qtbot.waitSignal(page.searchFinished, timeout=5000):
        qtbot.keyClicks(page.search_edit, text)
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)


def test_a_rating_revoked_meanwhile_is_refused_by_the_service_in_the_form(qtbot, ctx, rating_page) -> None:  # type: ignore[no-untyped-def]
    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    year = dt.date.today().year - 1
    view = ratings.add_rating(ctx, ratings.RatingInput(USCC_A, "highway_construction", year, score=88))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))
    page = rating_page
    _pick(qtbot, page, USCC_A)
    assert page.correct_button.isEnabled()
    form = page.correct_selected()
    assert form is not None
    ratings.set_status(ctx, view.id, RatingStatus.REVOKED, note="评定有误")  # at another counter, while the form is open
    form.score_edit.setText("96")
    with qtbot.waitSignal(form.saveFinished, timeout=5000) as finished:  # the write runs off the GUI thread
        form.save()
    assert finished.args == [False]
    assert "已撤销，不能更正" in form.general_error.text() and form.general_error.isVisibleTo(form)
    assert len(ratings.list_ratings(ctx, USCC_A)) == 1  # nothing written
    form.reject()
    page.reload()
    page.table.selectRow(0)
    assert page.status_texts() == ["撤销"] and not page.correct_button.isEnabled()
    assert page.correct_selected() is None


def test_batch_print_on_the_page_names_the_revoked_commitments_it_left_out(qtbot, ctx, settings, dialogs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ui_helpers import USCC_B

    from xuyi_desktop.services import commitments as svc
    from xuyi_desktop.ui.commitment_page import CommitmentPage
    from xuyi_desktop.ui.operations import pending_operations

    made = []
    for identifier, name in ((USCC_A, NAME), (USCC_B, "盱眙县淮河运输有限公司")):
        e = register_entity(ctx, EntityDraft(name=name, identifier=identifier, categories=("construction_unit",), legal_representative="李明"))
        made.append(svc.add_commitment(ctx, svc.CommitmentInput(e.summary.id, "approval_substitute", "licensing", "许可申请 XK-1", 30)))
    svc.revoke(ctx, made[1].id, reason="申请人撤回申请")
    page = CommitmentPage(ctx, settings)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    messages: list[str] = []
    page.message.connect(messages.append)
    page.table.clearSelection()  # nothing selected: every listed one, the revoked one among them
    assert len(page.views) == 2
    out = tmp_path / "batch.pdf"
    page.print_batch(out)
    qtbot.waitUntil(lambda: not page.batch_running and pending_operations() == 0, timeout=20_000)
    assert page.last_batch is not None and page.last_batch.printed == 1
    assert page.last_batch.left_out == ((made[1].serial, "盱眙县淮河运输有限公司"),)
    said = f"已撤销的 1 份未打印：{made[1].serial}（盱眙县淮河运输有限公司）"
    assert any(said in m for m in messages) and any(said in t for t in dialogs.texts("information"))
    assert out.stat().st_size > 0 and not dialogs.texts("warning")


def test_the_credit_check_page_and_xuyi_check_compose_the_same_result(qtbot, ctx, settings, database, capsys) -> None:  # type: ignore[no-untyped-def]
    """The page runs the service's run_check (what `xuyi check` runs): same entity, same decision, one serial each."""
    import json

    from xuyi_desktop.cli import main
    from xuyi_desktop.ui.credit_check_page import CreditCheckPage

    register_entity(ctx, EntityDraft(name=NAME, identifier=USCC_A, categories=("construction_unit",)))
    view = ratings.add_rating(ctx, ratings.RatingInput(USCC_A, "highway_construction", dt.date.today().year - 1, score=96))
    for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
        ratings.set_status(ctx, view.id, status, today=step_day(status))
    page = CreditCheckPage(ctx, settings)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.set_business("tender")
    page.search_edit.setText("路桥工程")  # a fragment with one hit, resolved by the service as the CLI's query is
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.busy and page.result is not None, timeout=5000)
    shown = page.result.to_json()
    assert main(["--db", str(database), "check", "路桥工程", "--business", "tender", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert shown["serial"] != printed["serial"]  # two checks, two serials
    for key in ("verdict", "business", "grades", "consequences"):
        assert json.loads(json.dumps(shown[key], default=str)) == printed[key], key
    assert shown["entity"]["id"] == printed["entity"]["id"] and shown["verdict"] == "incentive"
