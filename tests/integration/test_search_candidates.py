"""On SQLite's FTS5 index, a fragment step that follows rows already taken reads the candidates' keys first and then
only the rows the list still needs, from the first `limit` candidates, and the rest of the step's window only when
those did not fill it (issue 17). Its answers must be those of the one statement that reads every candidate's row
(the path SQLAlchemy still runs): also when the index holds an entity that is no longer live, and when the
candidates run out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import text

from xuyi_desktop.domain.entities import EntityDraft, EntityKind
from xuyi_desktop.services import entities as svc
from xuyi_desktop.storage import entity_queries

pytestmark = pytest.mark.sqlite_only("SQLite's FTS5 index and its driver path")

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _person_id(i: int) -> str:
    body = f"32083019800101{i:03d}"
    total = sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


# The prefix step of "sd" takes the first six (initials sd…); the fragment step then looks among the others
# (initials …sd…), registered after them, so that they come later in search-key order.
FIRST = ["顺达甲", "顺达乙", "顺达丙", "顺达丁", "顺达戊", "顺达己"]
LATER = [f"王顺达{c}" for c in "金木水火土日月星辰风雨雷电霜雪"]


def _answers(ctx: Any, query: str, limit: int) -> list[str]:
    with ctx.transaction() as session:
        return [e.name for e in entity_queries.ranked_search(session, ctx.search_index, query, limit)]


def _one_statement_answers(ctx: Any, query: str, limit: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The same search with every step on SQLAlchemy's path (each fragment step one statement reading every row)."""
    with ctx.transaction() as session:
        dialect = session.connection().dialect
    stmts = entity_queries._statements(dialect)
    with monkeypatch.context() as patch:
        patch.setitem(entity_queries._STATEMENTS, dialect.name, dataclasses.replace(stmts, driver={}))
        return _answers(ctx, query, limit)


def test_the_rows_needed_after_a_prefix_step_are_those_every_row_gave(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for i, name in enumerate(FIRST + LATER):
        svc.register_entity(ctx, EntityDraft(name=name, identifier=_person_id(i), kind=EntityKind.PERSON),
                            allow_similar=True)
    queries = [("sd", 10), ("sd", 8), ("sd", 30), ("wsd", 4), ("顺达", 9), ("达", 12)]
    before = {q: _answers(ctx, *q) for q in queries}
    assert sorted(before[("sd", 10)][:6]) == sorted(FIRST) and before[("sd", 10)][6:] == LATER[:4]  # prefix, fragment
    for q in queries:
        assert before[q] == _one_statement_answers(ctx, *q, monkeypatch), q

    # Entities no longer live but still in the index (as an index that missed a deletion would hold them): among
    # the first `limit` candidates, so that the rest of the window is read.
    with ctx.transaction() as session:
        session.execute(text("UPDATE entity SET deleted_at = '2026-12-01 00:00:00.000000' WHERE name IN (:a, :b)"),
                        {"a": LATER[1], "b": LATER[2]})
    after = {q: _answers(ctx, *q) for q in queries}
    assert after[("sd", 10)][6:] == [LATER[0], LATER[3], LATER[4], LATER[5]]
    assert after[("sd", 30)][6:] == LATER[:1] + LATER[3:]  # the candidates run out
    for q in queries:
        assert after[q] == _one_statement_answers(ctx, *q, monkeypatch), q
