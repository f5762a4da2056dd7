"""The change-log image the bulk 双公示 import builds from the values is row_image of the ORM object those values
make (issue 17): same keys, same order, same JSON text; and the domain's per-type caches answer as before."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models_sgs import SgsRecord
from xuyi_desktop.storage.snapshots import row_image

_CTX = cast(AppContext, SimpleNamespace(office_code="OFFICE-1"))


def _values(kind: RecordKind) -> dict[str, Any]:
    values: dict[str, Any] = {
        "xdr_mc": "盱眙某某物流有限公司", "xdr_lb": rules.RELATIVE_ORG, "xdr_shxym": "91320830000001M0X0",
        "wsh": "盱交罚〔2025〕12号", "jdrq": dt.date(2025, 3, 11), "jg": "盱眙县交通运输局", "bz": "",
    }
    if kind is RecordKind.PENALTY:
        values |= {"cflb": ["警告", "罚款"], "fk": Decimal("0.50"), "publicity_class": "一般", "gsjzq": dt.date(2026, 3, 11),
                   "class_source": "rule", "simple_procedure": True}
    return values


def test_image_from_values_is_row_image_of_the_object() -> None:
    for kind in RecordKind:
        for entity in (None, uuid.uuid4()):
            cols = sgs._record_columns(_CTX, kind, _values(kind), [], entity_id=entity)
            ours, orm = sgs._image_of(cols), row_image(SgsRecord(**cols))
            assert list(ours) == list(orm)
            assert json.dumps(ours, ensure_ascii=False) == json.dumps(orm, ensure_ascii=False)
            assert ours["rejected_reason"] is None and ours["repair_notice_served_on"] is None  # unset: None, as before


def test_image_keeps_unusual_types_as_row_image_does() -> None:
    cols = sgs._record_columns(_CTX, RecordKind.LICENSE, _values(RecordKind.LICENSE), [], entity_id=None)
    cols["updated_at"] = dt.datetime(2025, 1, 2, 3, 4, 5)  # naive
    cols["bz"] = Decimal("1.5")  # a type neither kept nor converted: falls back to storage.snapshots
    assert sgs._image_of(cols) == row_image(SgsRecord(**cols))


def test_problems_json_of_a_draft_and_of_a_clean_record() -> None:
    problem = rules.FieldProblem("wsh", "行政处罚决定书文号：必填，不能为空", "required")
    clean = sgs._record_columns(_CTX, RecordKind.PENALTY, {}, [], entity_id=None)
    draft = sgs._record_columns(_CTX, RecordKind.PENALTY, {}, [problem], entity_id=None)
    assert clean["problems_json"] == json.dumps([], ensure_ascii=False)
    assert draft["problems_json"] == json.dumps([problem.message_zh], ensure_ascii=False)


def test_cached_field_sets_match_the_field_table() -> None:
    for kind in RecordKind:
        assert rules.fields_for(kind) == [f for f in rules.FIELDS if f.only in (None, kind)]
        assert rules.fields_for(kind) is not rules.fields_for(kind)  # a caller may change its list
    problems = rules.validate(RecordKind.LICENSE, {"xdr_lb": "外星人"}, today=dt.date(2025, 1, 1))
    assert any(p.field == "xdr_lb" and "不在代码表中" in p.message_zh for p in problems)


def test_uscc_problems_are_the_same_on_every_call() -> None:
    values = {"jgdm": "91320830000001M0X1", "lydwdm": "9132083000000"}  # wrong check character; too short
    first = rules.validate(RecordKind.PENALTY, values, today=dt.date(2025, 1, 1))
    again = rules.validate(RecordKind.PENALTY, values, today=dt.date(2025, 1, 1))
    assert first == again
    assert any(p.field == "jgdm" and "校验位错误" in p.message_zh for p in first)
    assert any(p.field == "lydwdm" and "应为18位" in p.message_zh for p in first)
