"""The credit profile (信用档案) of one entity on one date: every fact that bears on its credit, as plain data.

Every decision reads this and nothing else: the counter check and its sheet, 暂定A级, commitment acceptance,
public exports and the reports. The services assemble it from storage (services/profile.py); the rules that
read it (domain/consequences.py, domain/provisional.py) are pure functions of it, testable without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

VIOLATION_CATEGORY = "违反信用承诺"  # the dishonesty category a 违诺 writes (services.commitments)
PENDING_CLASS = "待定"  # a penalty whose publicity class a reviewer has still to set


class PenaltyState(str, Enum):
    """Where a penalty stands in its publicity on the profile's date."""

    IN_PUBLICITY = "in_publicity"
    EXPIRED = "expired"
    REPAIRED = "repaired"
    NOT_PUBLISHED = "not_published"
    WITHDRAWN = "withdrawn"
    PENDING_CLASS = "pending_class"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {
            "in_publicity": "公示中", "expired": "已到期", "repaired": "已修复", "not_published": "不公示",
            "withdrawn": "已撤销", "pending_class": "公示类别待定", "not_yet": "未到决定日期",
        }[self.value]


@dataclass(frozen=True)
class RatingFact:
    """The entity's standing in one evaluation domain: an effective grade, a provisional one (and why), or none."""

    domain: str
    domain_name: str
    grade: str | None
    status: str  # effective / provisional / none
    provisional: bool = False
    reason: str = ""  # why provisional, or why not
    period: int | None = None
    scheme_version: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    organ: str = ""
    decision_date: dt.date | None = None
    document_no: str = ""
    rating_id: str | None = None
    publicity_grade: str | None = None  # a newer rating in publicity
    publicity_period: int | None = None
    publicity_until: dt.date | None = None

    @property
    def status_label(self) -> str:
        return {"effective": "有效", "provisional": "暂定", "none": "未评价"}.get(self.status, self.status)


@dataclass(frozen=True)
class RatingHistoryFact:
    """One rating that stood or stands (生效 / 被取代 / 撤销): the entity's rating history, every domain."""

    rating_id: str
    domain: str
    domain_name: str
    period: int
    grade: str
    status: str  # effective / superseded / revoked
    scheme_version: str = ""
    score: float | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    organ: str = ""
    decision_date: dt.date | None = None
    document_no: str = ""
    grade_notes: str = ""  # e.g. 直接定为D级 and why
    standing: str = ""  # an effective one on the profile's date: in_force / expired / not_yet

    @property
    def status_label(self) -> str:
        if self.status == "effective":
            return {"expired": "已过有效期", "not_yet": "未到有效期"}.get(self.standing, "有效")
        return {"superseded": "被更正取代", "revoked": "已撤销"}.get(self.status, self.status)


@dataclass(frozen=True)
class PenaltyFact:
    """A 行政处罚 decision (双公示) against the entity, with its publicity on the profile's date."""

    record_id: str
    lineage_id: str
    document_no: str
    decided_on: dt.date | None
    categories: tuple[str, ...]
    publicity_class: str  # 轻微 / 一般 / 严重 / 待定
    class_source: str  # record (entered), rule (derived from the rule table), pending (a reviewer decides)
    state: PenaltyState
    publicity_end: dt.date | None  # the day publicity stops at the latest
    repair_from: dt.date | None  # the earliest day repair may be applied for
    rules_source: str  # which publicity rules (by decision date)
    deciding_organ: str = ""
    facts: str = ""  # 违法行为类型 / 违法事实 (short)
    content: str = ""  # 处罚内容
    fine: str = ""  # 万元
    repaired_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    simple_procedure: bool = False
    basis: str = ""  # 处罚依据 (short)

    @property
    def in_publicity(self) -> bool:
        return self.state is PenaltyState.IN_PUBLICITY

    def publicised_during(self, start: dt.date, end: dt.date) -> bool:
        """Whether its publicity overlapped [start, end] (repair ends it early, withdrawal erases it)."""
        if self.decided_on is None or self.state in (PenaltyState.WITHDRAWN, PenaltyState.NOT_PUBLISHED):
            return False
        stop = self.publicity_end
        if self.repaired_on is not None and (stop is None or self.repaired_on < stop):
            stop = self.repaired_on - dt.timedelta(days=1)
        if self.state is PenaltyState.PENDING_CLASS:
            stop = stop or end  # a class still to decide counts as published until decided
        return self.decided_on <= end and stop is not None and stop >= start


@dataclass(frozen=True)
class DishonestyFact:
    """A dishonesty record (失信记录): a 违诺, or another source (court, other authority, serious acts)."""

    record_id: str
    occurred_on: dt.date
    category: str
    description: str
    document_no: str
    source: str
    ends_on: dt.date | None
    active: bool
    end_reason: str = ""
    repaired_on: dt.date | None = None

    @property
    def is_violation(self) -> bool:
        return self.category == VIOLATION_CATEGORY


@dataclass(frozen=True)
class CommitmentFact:
    record_id: str
    serial: str
    type_code: str
    type_name: str
    area_name: str
    business: str
    signed_on: dt.date
    term_until: dt.date
    status: str  # active / fulfilled / violated / revoked
    status_label: str
    overdue: bool
    outcome_on: dt.date | None = None
    violation_facts: str = ""


@dataclass(frozen=True)
class LicenceFact:
    licence_type: str
    number: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    state: str  # 有效 / 已过期 / 未生效


@dataclass(frozen=True)
class ListMembership:
    """Membership of a red, black, watch or 治超 list (filled by the lists feature)."""

    list_type: str  # red / black / watch / overload
    list_name: str
    entered_on: dt.date
    expires_on: dt.date | None
    reason: str
    record_id: str = ""


@dataclass(frozen=True)
class RepairFact:
    """An approved credit repair (filled by the repair feature)."""

    record_kind: str
    record_id: str
    decided_on: dt.date
    summary: str


@dataclass(frozen=True)
class PointsFact:
    """The credit-point ledger (信用积分, 诚信港区 pilot): balance on the profile's date, its tier and the tier's
    differentiated service (resources/points/points.toml)."""

    balance: float
    tier_code: str
    tier_name: str
    services: tuple[str, ...]
    entries: int
    last_entry_on: dt.date
    scheme: str


@dataclass(frozen=True)
class CheckFact:
    serial: str
    at: dt.datetime
    business: str
    username: str


@dataclass(frozen=True)
class EntityFacts:
    id: str
    name: str
    kind: str
    kind_label: str
    identifier: str  # masked for persons unless revealed
    status: str  # active / cancelled / revoked
    status_label: str
    categories: tuple[str, ...]
    category_labels: tuple[str, ...]
    legal_representative: str
    address: str
    region_code: str


@dataclass(frozen=True)
class CreditProfile:
    """Everything on one date. Lists are ordered for reading: newest first, the active ones first."""

    entity: EntityFacts
    as_of: dt.date
    ratings: tuple[RatingFact, ...]
    penalties: tuple[PenaltyFact, ...]
    dishonesty: tuple[DishonestyFact, ...]
    commitments: tuple[CommitmentFact, ...]
    licences: tuple[LicenceFact, ...]
    lists: tuple[ListMembership, ...] = ()
    repairs: tuple[RepairFact, ...] = ()
    checks: tuple[CheckFact, ...] = ()
    rating_history: tuple[RatingHistoryFact, ...] = ()  # newest period first
    points: PointsFact | None = None  # None: no credit-point ledger
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. a missing holiday calendar

    # --- questions the rules ask ------------------------------------------------------------------------
    @property
    def penalties_in_publicity(self) -> tuple[PenaltyFact, ...]:
        return tuple(p for p in self.penalties if p.in_publicity)

    @property
    def active_dishonesty(self) -> tuple[DishonestyFact, ...]:
        return tuple(d for d in self.dishonesty if d.active)

    def violations_since(self, since: dt.date) -> tuple[DishonestyFact, ...]:
        """违诺 records that occurred on or after `since` (and not later than the profile's date)."""
        return tuple(d for d in self.dishonesty if d.is_violation and since <= d.occurred_on <= self.as_of)

    def dishonesty_during(self, start: dt.date, end: dt.date) -> tuple[DishonestyFact, ...]:
        return tuple(d for d in self.dishonesty if start <= d.occurred_on <= end)

    def penalties_publicised_during(self, start: dt.date, end: dt.date, classes: tuple[str, ...]) -> tuple[PenaltyFact, ...]:
        return tuple(p for p in self.penalties if p.publicity_class in classes and p.publicised_during(start, end))

    def active_lists(self) -> tuple[ListMembership, ...]:
        return tuple(m for m in self.lists if m.entered_on <= self.as_of and (m.expires_on is None or m.expires_on >= self.as_of))

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self)) | {
            "penalties": [_jsonable(asdict(p)) | {"state": p.state.value, "state_label": p.state.label} for p in self.penalties],
            "ratings": [_jsonable(asdict(r)) | {"status_label": r.status_label} for r in self.ratings],
            "rating_history": [_jsonable(asdict(r)) | {"status_label": r.status_label} for r in self.rating_history],
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
