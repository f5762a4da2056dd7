"""Search hits carry their categories in their own row on SQLite since issue 17 (a subquery per hit instead of a
last query for all of them), and on SQLite's FTS5 index a fragment step's candidates are joined to their rows in one
statement. Every step must still give what the registry's ORM path gives for the same entities: the same fields,
and the categories in the database's ORDER BY category (SQLite's group_concat keeps no order: the search sorts them
as SQLite's BINARY collation does; PostgreSQL keeps the last query in its own collation). On both databases."""

from __future__ import annotations

from typing import Any

from xuyi_desktop.domain.entities import CATEGORIES, EntityDraft, EntityKind
from xuyi_desktop.services import entities as svc

ORG_LABELS = [label for label, kind in CATEGORIES.values() if kind.value == "org"]
PERSON_LABELS = [label for label, kind in CATEGORIES.values() if kind.value == "person"]


def _seen(summaries: list[Any]) -> list[tuple[Any, ...]]:
    return [(s.id, s.kind, s.name, s.identifier, s.status, s.region_code, s.legal_representative, s.phone, s.categories,
             s.updated_at, s.version, s.masked) for s in summaries]


def test_each_step_gives_the_rows_and_categories_the_registry_gives(ctx: Any) -> None:
    # categories given in the reverse of every order the database could keep them in
    svc.register_entity(ctx, EntityDraft(name="盱眙县顺达运输有限公司", identifier="91320830PYQLFT169T",
                                         categories=tuple(reversed(ORG_LABELS)), phone="13812345678",
                                         legal_representative="张三"))
    svc.register_entity(ctx, EntityDraft(name="淮安达顺物流有限公司", identifier="923208306JU6UCCY4U",
                                         categories=(ORG_LABELS[1], ORG_LABELS[0])))
    svc.register_entity(ctx, EntityDraft(name="王顺达", identifier="320830199001011236", kind=EntityKind.PERSON,
                                         categories=tuple(reversed(PERSON_LABELS)), phone="13900001111"))
    registry, _ = svc.page_entities(ctx, size=50)
    by_id = {s.id: s for s in registry}
    assert sorted(len(s.categories) for s in registry) == sorted([2, len(PERSON_LABELS), len(ORG_LABELS)])

    for query in ["盱眙", "盱眙县顺达运输有限公司", "顺达", "达顺物流", "顺", "xyx", "xsd", "shunda", "91320830",
                  "91320830PYQLFT169T", "淮安达顺物流有限公司", "王顺达", "wsd", "320830199001011236"]:
        hits = svc.find_entities(ctx, query)
        assert hits, query
        assert _seen(hits) == _seen([by_id[h.id] for h in hits]), query
