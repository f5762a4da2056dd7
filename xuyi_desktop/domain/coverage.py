"""Coverage figures (信用覆盖率): per category, the share of entities with a valid rating or a credit record, and
registry completeness (required and recommended fields filled). Pure arithmetic over counts the service gathers;
which fields are required or recommended is declared here once, per kind of entity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Fields a registration must have (the form refuses without them) and those the plan's data-quality target
# counts as well (SPEC §12: completeness ≥ 99 %). Per kind: organisations and persons differ.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "org": ("name", "identifier", "categories"),
    "person": ("name", "identifier", "categories"),
}
RECOMMENDED_FIELDS: dict[str, tuple[str, ...]] = {
    "org": ("legal_representative", "address", "phone", "region_code", "licences"),
    "person": ("phone", "region_code", "employer"),
}
FIELD_LABELS = {
    "name": "名称", "identifier": "证件号码", "categories": "主体类别", "legal_representative": "法定代表人",
    "address": "地址", "phone": "联系电话", "region_code": "行政区划", "licences": "证照", "employer": "所属单位",
}


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class CategoryCoverage:
    category: str
    label: str
    entities: int = 0
    rated: int = 0  # a rating in force (effective and valid today)
    with_record: int = 0  # a credit record of any kind: rating, penalty, dishonesty, commitment, list entry, points
    covered: int = 0  # rated or with a record
    filled: dict[str, int] = field(default_factory=dict)  # field -> entities that have it filled
    kinds: dict[str, int] = field(default_factory=dict)  # org/person -> entities

    def to_json(self) -> dict[str, Any]:
        required = {f: self.filled.get(f, 0) for k in self.kinds for f in REQUIRED_FIELDS[k]}
        recommended = {f: self.filled.get(f, 0) for k in self.kinds for f in RECOMMENDED_FIELDS[k]}
        slots_req = sum(n * len(REQUIRED_FIELDS[k]) for k, n in self.kinds.items())
        slots_rec = sum(n * len(RECOMMENDED_FIELDS[k]) for k, n in self.kinds.items())
        return {
            "category": self.category, "label": self.label, "entities": self.entities,
            "rated": self.rated, "rated_share": share(self.rated, self.entities),
            "with_record": self.with_record, "covered": self.covered, "coverage": share(self.covered, self.entities),
            "completeness": {
                "required": share(sum(required.values()), slots_req),
                "recommended": share(sum(recommended.values()), slots_rec),
                "fields": {f: {"label": FIELD_LABELS[f], "filled": n, "share": share(n, self._holders(f))}
                           for f, n in {**required, **recommended}.items()},
            },
        }

    def _holders(self, f: str) -> int:
        return sum(n for k, n in self.kinds.items() if f in REQUIRED_FIELDS[k] + RECOMMENDED_FIELDS[k])
