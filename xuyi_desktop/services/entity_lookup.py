"""The one entity picker's service: candidates for what the clerk typed, the one entity a text names, and the
party fields a form takes from the registry.

Every form that names a party (双公示, commitments, ratings, repairs) and every CLI command that resolves one go
through here. The search is services.entities.find_entities: identifier, name fragment or pinyin initials, best
match first; a role without the right to see full ID numbers matches whole identifiers only (a masked number
cannot be rebuilt by prefixes) and sees them masked; searches by identifier are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from xuyi_desktop.domain import sgs as sgs_rules
from xuyi_desktop.domain.entities import EntityKind, EntityStatus
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import find_entities, get_entity
from xuyi_desktop.services.entity_views import EntitySummary
from xuyi_desktop.services.errors import NotFoundError


@dataclass(frozen=True)
class PickedEntity:
    """One candidate as the picker lists it."""

    id: uuid.UUID
    name: str
    code: str  # USCC or ID number (a person's masked for roles without the reveal right)
    legal_representative: str
    status: str
    kind: str
    matched: str = ""  # why listed when not by its own name or number (a vehicle's plate …)

    @property
    def status_label(self) -> str:
        return EntityStatus(self.status).label

    @property
    def label(self) -> str:
        """One line of the popup: 名称　代码　法定代表人　状态."""
        parts = [self.name, self.code]
        if self.legal_representative:
            parts.append(f"法定代表人 {self.legal_representative}")
        if self.status != EntityStatus.ACTIVE.value:
            parts.append(self.status_label)
        if self.matched:
            parts.append(self.matched)
        return "　".join(p for p in parts if p)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["status_label"] = self.status_label
        return data


def _picked(s: EntitySummary) -> PickedEntity:
    return PickedEntity(s.id, s.name, s.identifier, s.legal_representative, s.status, s.kind, s.matched)


def pick_entities(ctx: AppContext, text: str, limit: int = 10) -> list[PickedEntity]:
    """The candidates for a typed text (name, fragment, pinyin initials, identifier, plate), best first; [] for an
    empty text."""
    if not text.strip():
        return []
    return [_picked(s) for s in find_entities(ctx, text.strip(), limit=limit)]


def resolve_entity(ctx: AppContext, text: str) -> uuid.UUID:
    """The one entity a text names: a UUID, an identifier, an exact name, or a fragment with exactly one hit.
    None found: NotFoundError; several: AmbiguousQueryError naming them (the clerk gives the identifier)."""
    from xuyi_desktop.services.credit_check import AmbiguousQueryError

    query = text.strip()
    try:
        return uuid.UUID(query)
    except ValueError:
        pass
    hits = find_entities(ctx, query, limit=20)
    if not hits:
        raise NotFoundError(f"与“{text}”匹配的市场主体")
    exact = [h for h in hits if h.identifier.upper() == query.upper() or h.name == query]
    if len(exact) == 1:
        return exact[0].id
    if len(hits) == 1:
        return hits[0].id
    raise AmbiguousQueryError(text, hits)


def relative_category(kind: str, identifier: str) -> str:
    """行政相对人类别 of a registered entity: a person is 自然人; an organisation whose USCC says 个体工商户
    (registration department 9, type 2) is one; every other organisation 法人及非法人组织."""
    if kind == EntityKind.PERSON.value:
        return sgs_rules.RELATIVE_PERSON
    if identifier.upper().startswith("92"):
        return sgs_rules.RELATIVE_INDIVIDUAL
    return sgs_rules.RELATIVE_ORG


def party_values(ctx: AppContext, entity_id: uuid.UUID) -> dict[str, str]:
    """The 双公示 party fields the registry holds for an entity: 行政相对人名称, 类别, 统一社会信用代码 or 证件类型
    and 证件号码, 法定代表人. A person's full ID number only for a role that may see it (the reveal is audited)."""
    reveal = ctx.can(Permission.REVEAL_PERSONAL)
    detail = get_entity(ctx, entity_id, reveal=reveal)
    s = detail.summary
    out = {"xdr_mc": s.name, "xdr_lb": relative_category(s.kind, s.identifier)}
    if s.kind == EntityKind.PERSON.value:
        out["xdr_zjlx"] = "身份证"
        if reveal:
            out["xdr_zjhm"] = s.identifier
    else:
        out["xdr_shxym"] = s.identifier
        if s.legal_representative:
            out["frdb"] = s.legal_representative
    return out
