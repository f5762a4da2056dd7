"""What a package may carry: the declared, versioned list of record kinds that sync, in ONE place.

A change whose table is not listed here, or whose before/after image names a field the listed table does not
have, is refused with the whole package (nothing written, an audited refusal); the office's later packages are
not blocked by it (see services/sync.py). Local changes of a table not listed here stay local.

HOW TO MAKE A NEW RECORD KIND SYNC (one entry):

    SyncedTable("my_table", "中文名称"),

added to RECORDS below, and RECORDS_VERSION raised by one. The table's model must use RecordMixin (UUID id,
timestamps, office codes, version, deleted_at) and write its changes with audit.record_business_change(...,
before=row_image(row), after=row_image(row)); its fields are then the model's columns, read from the model,
so a column added later travels without another edit here. `exclude` keeps columns that must never leave
the office (none so far). A record kind that must NOT sync goes into NOT_SYNCED with the reason, so that
tests/integration/test_sync_records.py can tell a forgotten entry from a deliberate one.

`entity` is the one aggregate: its image (storage/entity_writes.snapshot) carries categories and licences, so its
fields are listed by hand in ENTITY_FIELDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeGuard

from xuyi_desktop.storage.entity_writes import ENTITY_SCALARS

RECORDS_VERSION = 2  # 2: dictionary_entry (字典)

ENTITY_FIELDS = frozenset({"id", "version", "deleted", "categories", "licences", *ENTITY_SCALARS})
LICENCE_FIELDS = frozenset({"id", "licence_type", "number", "valid_from", "valid_to", "deleted"})


@dataclass(frozen=True)
class SyncedTable:
    table: str
    label: str  # what the clerk reads (preview, conflicts)
    exclude: frozenset[str] = field(default_factory=frozenset)

    @property
    def fields(self) -> frozenset[str]:
        return _fields(self)


RECORDS: dict[str, SyncedTable] = {t.table: t for t in (
    SyncedTable("entity", "市场主体"),
    SyncedTable("entity_relation", "人员关联"),
    SyncedTable("rating", "信用评价"),
    SyncedTable("rating_objection", "评价异议"),
    SyncedTable("rating_attachment", "评价附件"),
    SyncedTable("attachment_content", "附件内容"),
    SyncedTable("dishonesty_record", "失信记录"),
    SyncedTable("commitment", "信用承诺"),
    SyncedTable("sgs_record", "双公示记录"),
    SyncedTable("repair_application", "信用修复申请"),
    SyncedTable("credit_objection", "信息异议"),
    SyncedTable("list_entry", "名单记录"),
    SyncedTable("third_party_report", "第三方信用报告"),
    SyncedTable("signing_key", "签名密钥"),
    SyncedTable("vehicle", "车辆"),
    SyncedTable("vessel", "船舶"),
    SyncedTable("practitioner_qualification", "从业资格"),
    SyncedTable("overload_notice", "治超抄报"),
    SyncedTable("point_entry", "信用积分"),
    SyncedTable("plan_task_report", "建设任务进展"),
    SyncedTable("plan_attachment", "任务佐证材料"),
    SyncedTable("publicity_campaign", "宣传活动"),
    SyncedTable("credit_training", "信用培训"),
    SyncedTable("training_attendee", "培训人员"),
    SyncedTable("credit_scenario", "信易+场景"),
    SyncedTable("scenario_benefit", "信易+受益"),
    SyncedTable("integrity_model", "诚信典型"),
    SyncedTable("website_item", "网站信息"),
    SyncedTable("sgs_monthly_report", "双公示月报"),
    SyncedTable("sync_decision", "冲突处理决定"),
    SyncedTable("dictionary_entry", "字典"),
)}

# Record kinds with RecordMixin that deliberately do not travel as their own changes, and why.
NOT_SYNCED = {
    "licence": "随市场主体一起同步（主体的变更记录中包含其许可证）",
}


@cache
def _fields(t: SyncedTable) -> frozenset[str]:
    if t.table == "entity":
        return ENTITY_FIELDS - t.exclude
    model = model_for(t.table)
    if model is None:
        return frozenset()
    return frozenset(c.key for c in model.__table__.columns) - t.exclude


@cache
def model_for(table: str) -> Any:
    """The mapped class of a synced table (never of any other table)."""
    if table not in RECORDS:
        return None
    from xuyi_desktop.storage.all_models import Base

    return next((m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == table), None)


def label(table: str) -> str:
    t = RECORDS.get(table)
    return t.label if t is not None else table


# --- checking one received change ----------------------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
STREAM = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}(~[0-9A-F]{6})?$")
_ACTION = re.compile(r"^[a-z_]{1,32}$")
MAX_INT = 2**62


class BadChange(ValueError):
    """A change that this program may not apply; `zh`/`en` say why, `table` names an unknown table."""

    def __init__(self, zh: str, en: str, *, table: str = "") -> None:
        super().__init__(en)
        self.zh, self.en, self.table = zh, en, table


def _int(value: Any, lo: int = 0) -> bool:
    return type(value) is int and lo <= value <= MAX_INT


def _str(value: Any, limit: int) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) <= limit


def _scalar(value: Any) -> bool:
    return value is None or type(value) in (str, int, float, bool)


_SCALARS = frozenset({str, int, float, bool, type(None)})


@cache
def _fields_of(name: str) -> frozenset[str]:
    """The fields of a synced table by its name: a plain cached lookup per image, without hashing the SyncedTable."""
    return RECORDS[name].fields


_SPECIAL = ("categories", "licences")


def _image_ok(entity: bool, image: dict[Any, Any]) -> bool:
    """Whether every value of an image is of its allowed shape (what _image's loop checks key by key): decided
    at C speed in the common case; the loop then only runs to name the first bad field."""
    if not entity:
        return _SCALARS.issuperset(map(type, image.values()))
    rest = dict(image)
    cats, lics = rest.pop("categories", _MISSING), rest.pop("licences", _MISSING)
    if not _SCALARS.issuperset(map(type, rest.values())):
        return False
    if cats is not _MISSING and not (isinstance(cats, list) and (not cats or all(_str(v, 64) for v in cats))):
        return False
    return lics is _MISSING or (isinstance(lics, list) and (not lics or all(
        isinstance(v, dict) and set(v) <= LICENCE_FIELDS and all(_scalar(x) for x in v.values()) for v in lics)))


_MISSING = object()


def _image(table: SyncedTable, image: Any, what: str) -> None:
    if image is None:
        return
    if not isinstance(image, dict):
        raise BadChange(f"同步包中{table.label}的变更内容格式不对", f"{what} image is not an object")
    fields = _fields_of(table.table)  # once per image: 100,000 changes a package
    if not fields.issuperset(image):
        unknown = sorted(str(k) for k in image if k not in fields)
        raise BadChange(f"同步包中{table.label}的变更含有本程序不认识的字段“{unknown[0][:40]}”",
                        f"unknown field {unknown[0][:40]!r} in {table.table}")
    entity = table.table == "entity"
    if _image_ok(entity, image):
        return
    for key, value in image.items():
        if type(value) in _SCALARS and not (entity and key in _SPECIAL):
            continue  # the common case, decided without a call
        if entity and key == "categories":
            ok = isinstance(value, list) and all(_str(v, 64) for v in value)
        elif entity and key == "licences":
            ok = isinstance(value, list) and all(
                isinstance(v, dict) and set(v) <= LICENCE_FIELDS and all(_scalar(x) for x in v.values()) for v in value)
        else:
            ok = _scalar(value)
        if not ok:
            raise BadChange(f"同步包中{table.label}的字段“{key}”格式不对", f"field {key} of {table.table} has a bad value")


def _s(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def check_change(c: Any, max_stamp: int) -> None:
    """Raise BadChange unless `c` is a well-formed change of a synced table and field set."""
    if not isinstance(c, dict):
        raise BadChange("同步包中有无法识别的变更", "a change is not an object")
    get = c.get
    table_name = get("table")
    if not _str(table_name, 64):
        raise BadChange("同步包中有无法识别的变更", "change without a table")
    table = RECORDS.get(table_name)
    if table is None or not _fields_of(table_name):
        raise BadChange(f"同步包中含有不允许同步的记录类型“{str(table_name)[:40]}”", f"table {table_name!r} may not be synced",
                        table=str(table_name)[:64])
    # The same checks as one chain of calls did (see _str, _int), inlined: 100,000 changes a package.
    cid, rid, office, seq, stamp, version = get("id"), get("record_id"), get("office"), get("seq"), get("stamp"), get("version", 0)
    action = get("action")
    ok = (
        isinstance(cid, str) and len(cid) <= 40 and _UUID.match(cid) is not None
        and isinstance(rid, str) and len(rid) <= 40 and _UUID.match(rid) is not None
        and isinstance(office, str) and len(office) <= 32 and _CODE.match(office) is not None
        and type(seq) is int and 1 <= seq <= MAX_INT and type(stamp) is int and 0 <= stamp <= MAX_INT
        and type(version) is int and 0 <= version <= MAX_INT
        and isinstance(action, str) and len(action) <= 32 and _ACTION.match(action) is not None
        and _s(get("at"), 40) and _s(get("actor", ""), 100) and _s(get("summary", ""), 4000)
        and ("stream" not in c or (_str(c["stream"], 64) and bool(STREAM.match(c["stream"]))))
        and ("pos" not in c or _int(c["pos"], 1))
    )
    if not ok:
        raise BadChange("同步包中有格式不对的变更", "a change has missing or malformed fields")
    if c["stamp"] > max_stamp:
        raise BadChange("同步包中变更的时间远在本机时间之后（对方或本机的系统时间有误），已拒绝：请核对两台电脑的日期",
                        "a change is stamped too far in the future")
    _image(table, get("before"), "before")
    after = get("after")
    _image(table, after, "after")
    if after is None:
        raise BadChange(f"同步包中{table.label}的变更缺少内容", "change without an after image")
    if table.table == "signing_key" and after.get("office_code") != office_of_stream(stream_of(c)):
        # An office speaks only for its own PCs' keys: another office's package may not approve or revoke them.
        raise BadChange("同步包中含有其他单位签名密钥的变更，已拒绝", "a signing key change for another office")


def stream_of(c: dict[str, Any]) -> str:
    """The sequence a change belongs to: its office's code, or code~xxxxxx after that office restored a backup."""
    return str(c.get("stream") or c["office"])


def pos_of(c: dict[str, Any]) -> int:
    return int(c.get("pos") or c["seq"])


def office_of_stream(stream: str) -> str:
    return stream.split("~", 1)[0]
