"""Several counters on one shared PostgreSQL database: each thread below is a counter PC with its own
connection pool (its own AppContext), all writing to the same server at the same time."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.services import audit, credit_check
from xuyi_desktop.services import entities as svc
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.errors import ConcurrentEditError

pytestmark = pytest.mark.postgresql_only("several counters writing to one server at once")

ORG = "91320830PYQLFT169T"
COUNTERS = 4


@pytest.fixture
def counters(database: str) -> Iterator[list[AppContext]]:
    """COUNTERS application contexts on the same database, as on COUNTERS PCs in one hall."""
    opened = [open_context(database) for _ in range(COUNTERS)]
    yield opened
    for c in opened:
        c.close()


def _in_parallel(work: list[Callable[[], Any]]) -> list[Any]:
    """Run every callable at once; re-raise the first failure."""
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return [f.result(timeout=120) for f in [pool.submit(w) for w in work]]


def test_two_counters_saving_the_same_entity_the_second_is_refused_and_both_versions_survive(
    counters: list[AppContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = counters[0], counters[1]
    created = svc.register_entity(first, EntityDraft(name="盱眙县顺达运输有限公司", identifier=ORG, phone="13812345678"))
    entity_id = created.summary.id
    # Both clerks opened version 1. Hold each save just after its version check, until both have passed it,
    # so the two writes really meet in the database (the race a plain version check cannot see).
    both_checked = threading.Barrier(2, timeout=30)
    real_load = svc._load_for_change

    def load_then_wait(session, eid, expected):  # type: ignore[no-untyped-def]
        entity = real_load(session, eid, expected)
        both_checked.wait()
        return entity

    monkeypatch.setattr(svc, "_load_for_change", load_then_wait)
    drafts = {
        "A": EntityDraft(name="盱眙县顺达客运有限公司", identifier=ORG, phone="13812345678"),
        "B": EntityDraft(name="盱眙县顺达运输有限公司", identifier=ORG, phone="13999990000"),
    }

    def save(ctx: AppContext, who: str) -> Callable[[], tuple[str, object]]:
        def run() -> tuple[str, object]:
            try:
                return who, svc.update_entity(ctx, entity_id, drafts[who], expected_version=1)
            except ConcurrentEditError as refused:
                return who, refused

        return run

    outcomes = dict(_in_parallel([save(first, "A"), save(second, "B")]))
    monkeypatch.setattr(svc, "_load_for_change", real_load)

    refused = [who for who, result in outcomes.items() if isinstance(result, ConcurrentEditError)]
    assert len(refused) == 1, outcomes
    loser = refused[0]
    winner = "A" if loser == "B" else "B"
    message = outcomes[loser].message_zh  # type: ignore[union-attr]
    assert "修改" in message and "未写入" in message  # what the clerk reads

    # Nothing of the winner's save was overwritten, and the refused transaction left nothing behind.
    now = svc.get_entity(first, entity_id, reveal=True)
    assert now.summary.version == 2 and now.summary.name == drafts[winner].name
    assert now.summary.phone == drafts[winner].phone
    history = svc.entity_history(second, entity_id)
    assert [h.action for h in history] == ["insert", "update"]
    assert history[1].before["name"] == "盱眙县顺达运输有限公司" and history[1].before["phone"] == "13812345678"

    # The loser's form still holds the edit; saving it over version 2 (the “以您填写的内容为准” answer) keeps
    # every version in the history: the original, the winner's and the loser's.
    loser_ctx = first if loser == "A" else second
    again = svc.update_entity(loser_ctx, entity_id, drafts[loser], expected_version=2)
    assert again.summary.version == 3
    history = svc.entity_history(first, entity_id)
    assert [h.version for h in history] == [1, 2, 3]
    assert history[1].after["phone"] == drafts[winner].phone and history[2].after["phone"] == drafts[loser].phone
    assert history[2].before["phone"] == drafts[winner].phone
    assert audit.verify_chain(first).ok


def test_serial_numbers_never_repeat_when_counters_check_and_print_at_once(counters: list[AppContext]) -> None:
    for i, ident in enumerate(["91320830PYQLFT169T", "923208306JU6UCCY4U"]):
        svc.register_entity(counters[0], EntityDraft(name=f"测试运输公司{i}", identifier=ident), allow_similar=True)
    per_counter = 15
    start = threading.Barrier(COUNTERS, timeout=30)  # the first serial of the year is taken by all at once

    def checks(ctx: AppContext) -> Callable[[], list[str]]:
        def run() -> list[str]:
            start.wait()
            return [credit_check.run_check(ctx, ORG, "tender").serial for _ in range(per_counter)]

        return run

    serials = [s for batch in _in_parallel([checks(c) for c in counters]) for s in batch]
    assert len(serials) == COUNTERS * per_counter
    assert len(set(serials)) == len(serials), sorted(serials)
    numbers = sorted(int(s.rsplit("-", 1)[1]) for s in serials)
    assert numbers == list(range(1, len(serials) + 1))  # no gaps either: nothing was reserved and lost


def test_audit_chain_stays_whole_under_concurrent_registrations(counters: list[AppContext]) -> None:
    per_counter = 12

    def register(ctx: AppContext, n: int) -> Callable[[], int]:
        def run() -> int:
            for i in range(per_counter):
                svc.register_entity(ctx, EntityDraft(name=f"并发登记{n}号柜台第{i}户运输有限公司", identifier=_uscc(n * 100 + i)),
                                    allow_similar=True)
            return per_counter

        return run

    assert sum(_in_parallel([register(c, n) for n, c in enumerate(counters)])) == COUNTERS * per_counter
    report = audit.verify_chain(counters[-1])
    assert report.ok, report.reason_zh
    assert report.checked >= COUNTERS * per_counter
    assert svc.count_entities(counters[0]) == COUNTERS * per_counter
    # every one of them is found by a fragment of its name, whichever counter registered it
    assert len(svc.find_entities(counters[2], "并发登记", limit=500)) == COUNTERS * per_counter


def _uscc(n: int) -> str:
    """A valid 统一社会信用代码 for a test entity numbered n."""
    from xuyi_desktop.domain.identifiers import uscc_check_char

    body = f"913208307{n:08d}"
    return body + uscc_check_char(body)


def test_registering_the_same_identifier_at_two_counters_at_once_keeps_one(counters: list[AppContext]) -> None:
    start = threading.Barrier(2, timeout=30)

    def register(ctx: AppContext, name: str) -> Callable[[], object]:
        def run() -> object:
            start.wait()
            try:
                return svc.register_entity(ctx, EntityDraft(name=name, identifier=ORG), allow_similar=True)
            except Exception as exc:  # noqa: BLE001 - which error the loser gets is what is checked below
                return exc

        return run

    results = _in_parallel([register(counters[0], "甲运输公司"), register(counters[1], "乙运输公司")])
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1, results
    assert getattr(failures[0], "message_zh", ""), repr(failures[0])  # a sentence for the clerk, not a driver error
    assert svc.count_entities(counters[0]) == 1
    assert audit.verify_chain(counters[0]).ok
    uuid.UUID(str(svc.find_entities(counters[3], ORG)[0].id))
