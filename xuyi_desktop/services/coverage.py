"""`xuyi stats coverage`: per evaluation category, the share of live entities with a rating in force or any credit
record (rating, 行政处罚, dishonesty, commitment, list entry, credit points, 治超抄报), and registry completeness (the
required and recommended fields of domain/coverage.py filled). A few grouped queries, so a million entities stay
cheap; the indicator page will show the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xuyi_desktop.domain.coverage import RECOMMENDED_FIELDS, REQUIRED_FIELDS, CategoryCoverage, share
from xuyi_desktop.domain.entities import CATEGORIES
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.queries import coverage as coverage_queries


@dataclass(frozen=True)
class Coverage:
    as_of: dt.date
    categories: tuple[CategoryCoverage, ...]
    entities: int  # live entities in any category
    covered: int

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "entities": self.entities, "covered": self.covered,
                "coverage": share(self.covered, self.entities), "categories": [c.to_json() for c in self.categories]}


def coverage(ctx: AppContext, *, today: dt.date | None = None) -> Coverage:
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    fields = sorted({f for fs in (*REQUIRED_FIELDS.values(), *RECOMMENDED_FIELDS.values()) for f in fs})
    out = []
    with ctx.transaction() as session:
        for code, (label, _kind) in CATEGORIES.items():
            c = CategoryCoverage(code, label)
            for kind, n, r, w, cov, *filled in coverage_queries.category_counts(session, code, today, fields):
                c.kinds[kind] = int(n)
                c.entities += int(n)
                c.rated += int(r or 0)
                c.with_record += int(w or 0)
                c.covered += int(cov or 0)
                wanted = set(REQUIRED_FIELDS[kind]) | set(RECOMMENDED_FIELDS[kind])
                for f, v in zip(fields, filled):
                    if f in wanted:
                        c.filled[f] = c.filled.get(f, 0) + int(v or 0)
            out.append(c)
        total, covered = coverage_queries.totals(session, today)
    return Coverage(today, tuple(out), int(total), int(covered or 0))

