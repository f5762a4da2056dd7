"""源头治超 follow-up rules: deadlines and states of an overload notification (抄报), and which vehicles and drivers
reach the 治超 list's "more than N times in a year" cases. Pure functions; the figures are data
(resources/overload/overload.toml)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.working_days import add_months


class OverloadFileError(DomainError):
    def __init__(self, message_zh: str) -> None:
        self.message_zh, self.message_en = message_zh, "resources/overload/overload.toml is invalid"
        super().__init__(message_zh)


@dataclass(frozen=True)
class OverloadRules:
    interview_within_days: int
    default_rectify_days: int
    window_months: int
    more_than: int
    vehicle_case: str
    driver_case: str
    rating_domain: str
    deduction_code: str


def parse_overload_rules(text: str, where: str = "overload.toml") -> OverloadRules:
    try:
        data = tomllib.loads(text)
        rules = OverloadRules(
            int(data["interview_within_days"]), int(data.get("default_rectify_days", 30)), int(data["list"]["window_months"]),
            int(data["list"]["more_than"]), str(data["list"]["vehicle_case"]), str(data["list"]["driver_case"]),
            str(data["rating"]["domain"]), str(data["rating"]["deduction_code"]),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise OverloadFileError(f"{where}：格式错误或缺少 {exc}") from exc
    if rules.interview_within_days <= 0 or rules.window_months <= 0 or rules.more_than < 0:
        raise OverloadFileError(f"{where}：期限和次数应为正数")
    return rules


class NoticeState(str, Enum):
    """Where a notification stands: not matched to the registry yet, awaiting its interview, rectifying, closed."""

    UNMATCHED = "unmatched"
    OPEN = "open"  # matched, no interview yet
    RECTIFYING = "rectifying"  # interviewed, rectification deadline set, no result yet
    CLOSED = "closed"  # interviewed and the rectification result recorded

    @property
    def label(self) -> str:
        return {"unmatched": "待匹配", "open": "待约谈", "rectifying": "整改中", "closed": "已办结"}[self.value]


def notice_state(*, matched: bool, interviewed_on: dt.date | None, result: str) -> NoticeState:
    if interviewed_on is not None and result.strip():
        return NoticeState.CLOSED
    if interviewed_on is not None:
        return NoticeState.RECTIFYING
    return NoticeState.OPEN if matched else NoticeState.UNMATCHED


def due_date(rules: OverloadRules, *, received_on: dt.date, interviewed_on: dt.date | None, rectify_by: dt.date | None) -> dt.date:
    """What the notice waits for next: the interview (N days after receipt) or, once interviewed, the rectification."""
    if interviewed_on is not None:
        return rectify_by or interviewed_on + dt.timedelta(days=rules.default_rectify_days)
    return received_on + dt.timedelta(days=rules.interview_within_days)


def is_overdue(state: NoticeState, due: dt.date, today: dt.date) -> bool:
    return state is not NoticeState.CLOSED and today > due


@dataclass(frozen=True)
class CountedNotice:
    """What the list count needs of one notification."""

    notice_id: str
    occurred_on: dt.date
    document_no: str
    vehicle_key: str | None  # the vehicle's id (or its plate when unmatched)
    operator_id: str | None
    driver_id: str | None


@dataclass(frozen=True)
class ListCandidate:
    """An entity that reached a 治超 list case: the operator of a vehicle, or a driver, with the notifications."""

    entity_id: str
    case_code: str
    subject: str  # the plate, or the driver
    notices: tuple[CountedNotice, ...]

    @property
    def reason(self) -> str:
        docs = "、".join(n.document_no or n.occurred_on.isoformat() for n in self.notices)
        return f"{self.subject}一年内被治超抄报{len(self.notices)}次（{docs}）"


def list_candidates(rules: OverloadRules, notices: Iterable[CountedNotice], today: dt.date,
                    plates: dict[str, str] | None = None) -> list[ListCandidate]:
    """Vehicles overloaded more than `more_than` times within `window_months` up to today (case 1, the vehicle's
    operator is the party listed) and drivers likewise (case 2). `plates` names vehicles by id for the reason."""
    since = add_months(today, -rules.window_months) + dt.timedelta(days=1)
    by_vehicle: dict[str, list[CountedNotice]] = defaultdict(list)
    by_driver: dict[str, list[CountedNotice]] = defaultdict(list)
    for n in notices:
        if not since <= n.occurred_on <= today:
            continue
        if n.vehicle_key and n.operator_id:
            by_vehicle[n.vehicle_key].append(n)
        if n.driver_id:
            by_driver[n.driver_id].append(n)
    out = []
    for key, items in sorted(by_vehicle.items()):
        if len(items) > rules.more_than:
            items.sort(key=lambda n: n.occurred_on)
            operator = items[-1].operator_id
            assert operator is not None
            out.append(ListCandidate(operator, rules.vehicle_case, f"货运车辆{(plates or {}).get(key, key)}", tuple(items)))
    for driver, items in sorted(by_driver.items()):
        if len(items) > rules.more_than:
            items.sort(key=lambda n: n.occurred_on)
            out.append(ListCandidate(driver, rules.driver_case, "驾驶人", tuple(items)))
    return out
