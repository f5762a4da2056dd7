"""What the registry list and the entity's file show beside the register data: each listed entity's current
grade(s) and whether it is marked dishonest, read for one page of rows at a time (never the whole table), and the
licence expiry warning period (resources/registry/file.toml).

The marks are a summary for the list; the full reasoning (暂定A级, publicity ends, repairs) stays in the credit
profile (services.profile), which the entity's file and the credit check read.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.queries import dishonesty as dishonesty_queries
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.queries import sgs as sgs_queries


@dataclass(frozen=True)
class FileSettings:
    licence_warning_days: int
    dishonest_lists: tuple[str, ...]
    dishonest_penalty_classes: tuple[str, ...]


@lru_cache(maxsize=1)
def file_settings() -> FileSettings:
    """resources/registry/file.toml (read once per process)."""
    data = tomllib.loads(resource_path("registry", "file.toml").read_text(encoding="utf-8"))
    return FileSettings(
        int(data["licence_warning_days"]),
        tuple(data["dishonest_lists"]),
        tuple(data["dishonest_penalty_classes"]),
    )


@dataclass(frozen=True)
class GradeMark:
    domain: str
    domain_name: str
    grade: str


@dataclass(frozen=True)
class RegistryMark:
    """One registry row's credit columns: the grades in force (by domain) and the dishonesty reasons (empty: none)."""

    grades: tuple[GradeMark, ...] = ()
    dishonest: tuple[str, ...] = ()

    @property
    def grade_text(self) -> str:
        """Compact: "AA", or "AA / B" for two domains (the tooltip names them)."""
        return " / ".join(g.grade for g in self.grades)

    @property
    def grade_tip(self) -> str:
        return "；".join(f"{g.domain_name}：{g.grade}级" for g in self.grades)


def licence_expiry_state(valid_to: dt.date | None, as_of: dt.date) -> str:
    """"expired", "expiring" (within the warning period) or "" for a licence's end date."""
    if valid_to is None:
        return ""
    if valid_to < as_of:
        return "expired"
    if (valid_to - as_of).days <= file_settings().licence_warning_days:
        return "expiring"
    return ""


def _domain_name(code: str) -> str:
    from xuyi_desktop.services.schemes import registry

    try:
        return registry().latest(code).name
    except Exception:  # noqa: BLE001 - a scheme no longer shipped: the code is still the truth
        return code


def registry_marks(
    ctx: AppContext, entity_ids: Iterable[uuid.UUID], *, as_of: dt.date | None = None
) -> dict[uuid.UUID, RegistryMark]:
    """Grades in force and dishonesty marks for the given entities (one page of the registry, a few hundred ids)."""
    audit.require(ctx, Permission.VIEW)
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        return {}
    today = as_of or dt.date.today()
    settings = file_settings()
    grades: dict[uuid.UUID, list[GradeMark]] = {}
    reasons: dict[uuid.UUID, list[str]] = {}
    with ctx.transaction() as session:
        rows = rating_queries.grades_in_force(session, ids, today)
        seen: set[tuple[uuid.UUID, str]] = set()
        for entity_id, domain, grade, _period in rows:
            if (entity_id, domain) in seen:
                continue  # the latest period in force wins
            seen.add((entity_id, domain))
            grades.setdefault(entity_id, []).append(GradeMark(domain, _domain_name(domain), grade))

        for entity_id, category in dishonesty_queries.categories_in_force(session, ids, today):
            reasons.setdefault(entity_id, []).append(f"失信记录：{category}")

        if settings.dishonest_lists:
            from xuyi_desktop.services.credit_lists import list_definitions

            names = {code: d.name for code, d in list_definitions().items()}
            for entity_id, list_type in list_queries.memberships_in_force(session, ids, settings.dishonest_lists, today):
                reasons.setdefault(entity_id, []).append(f"列入{names.get(list_type, list_type)}")

        if settings.dishonest_penalty_classes:
            from xuyi_desktop.services.profile import penalty_fact

            penalties = sgs_queries.standing_penalties_of(session, ids, settings.dishonest_penalty_classes)
            for row in penalties:
                fact = penalty_fact(row, today)  # the publicity end under the rules of its decision date
                if fact.in_publicity and row.entity_id is not None:
                    reasons.setdefault(row.entity_id, []).append(f"{fact.publicity_class}失信行政处罚公示中：{fact.document_no}")
    return {
        entity_id: RegistryMark(tuple(grades.get(entity_id, ())), tuple(reasons.get(entity_id, ())))
        for entity_id in ids
        if entity_id in grades or entity_id in reasons
    }
