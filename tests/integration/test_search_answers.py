"""The search box gives the same answers, in the same order, as the code the benchmark measured before it was made
faster (issue 17): a registry of demo entities (seeded, so every run builds the same names and numbers), the
benchmark's own query generator (bench/search.py: name fragments, identifier prefixes, pinyin initials) plus
one- and two-character queries and full pinyin, and the answers stored in tests/support/search_answers.json.

The fixture was computed by the search code as it was before the change (commit 5ab1d81). To compute it again
(only when an answer is meant to change, and say why in the commit):

    XUYI_WRITE_SEARCH_ANSWERS=1 .venv/bin/python -m pytest tests/integration/test_search_answers.py
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import random
import types
import uuid
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "support" / "search_answers.json"
BENCH = Path(__file__).resolve().parents[2] / "bench" / "search.py"
ENTITIES, SEED, QUERIES = 3000, 7, 150


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_search", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _queries(ctx: Any) -> list[list[str]]:
    """The benchmark's mixed queries, then short and pinyin ones drawn the same way from the data."""
    from sqlalchemy import select

    from xuyi_desktop.domain.search_keys import fold
    from xuyi_desktop.storage.models import Entity

    queries = [[kind, q] for kind, q in _bench().make_queries(ctx, QUERIES, SEED)]
    rng = random.Random(SEED)
    with ctx.transaction() as s:
        rows = s.execute(select(Entity.name, Entity.name_pinyin, Entity.identifier).order_by(Entity.search_key).limit(400)).all()
    for name, pinyin, _ident in rng.sample(rows, 40):
        folded = fold(name)
        i = rng.randrange(len(folded))
        queries.append(["one_char", folded[i]])
        queries.append(["two_chars", folded[i : i + 2] if i + 2 <= len(folded) else folded[-2:]])
        if len(pinyin) >= 6:
            j = rng.randrange(len(pinyin) - 5)
            queries.append(["pinyin", pinyin[j : j + rng.choice((3, 4, 6))]])
    queries += [["whole_name", rows[0].name], ["whole_identifier", rows[1].identifier], ["initials_two", "jt"],
                ["mixed_case", "YXGS"], ["blank", "  "], ["nothing", "不存在的名称"]]
    return queries


def _answer(summaries: list[Any]) -> list[str]:
    """Each hit's name and identifier in order, then a digest of every field a clerk sees of them (the id is random
    per build, the rest is not)."""
    seen = ["|".join([s.kind, s.name, s.identifier, s.status, s.region_code, s.legal_representative, s.phone,
                      ",".join(s.categories), str(s.version), "masked" if s.masked else "shown"]) for s in summaries]
    digest = hashlib.sha256("\n".join(seen).encode()).hexdigest()[:16]
    return [f"{s.name} {s.identifier}" for s in summaries] + ([f"sha256:{digest}"] if seen else [])


@pytest.mark.sqlite_only("the order of equal names follows the database's collation; the answers were stored on SQLite")
def test_search_answers_are_those_of_the_code_before_it_was_made_faster(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from xuyi_desktop.services import demo_data
    from xuyi_desktop.services.entities import find_entities

    # Equal names are ordered by id: seeded ids, so that the order of equal names is the same in every build.
    ids = random.Random(SEED)
    monkeypatch.setattr(demo_data, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=ids.getrandbits(128), version=4)))
    demo_data.generate_demo_data(ctx, ENTITIES, seed=SEED)
    queries = _queries(ctx)
    got = {f"{kind}:{q}": _answer(find_entities(ctx, q, limit=50)) for kind, q in queries}
    if os.environ.get("XUYI_WRITE_SEARCH_ANSWERS"):
        FIXTURE.write_text(json.dumps({"entities": ENTITIES, "seed": SEED, "answers": got}, ensure_ascii=False, indent=0),
                           encoding="utf-8")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))["answers"]
    assert list(got) == list(expected)  # the same queries (the generator and the data did not change)
    assert sum(1 for a in expected.values() if a) > len(expected) * 0.8  # most queries find something
    for key, answer in expected.items():
        assert got[key] == answer, key
