"""Publication to an upper platform in its own format (信用交通江苏: ratings, commitments with fulfilment and 违诺,
lists, repairs): the rows of a period, through an export profile (resources/exchange/profiles, source ≠ 双公示).

Each source offers a fixed set of fields (SOURCE_FIELDS, what a profile may name); the profile chooses the
columns, header codes, code values and date format. Personal ID numbers are always masked (a publication is
public). A period without any row writes the profile's zero report. Nothing is marked: publication does not
change the records. Audited like every export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange.profile_workbook import write_profile_rows, write_zero_report
from xuyi_desktop.exchange.profiles import (
    SGS_LICENSE,
    SGS_PENALTY,
    ExportProfile,
    ProfileError,
    list_profiles,
    load_profile,
)
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs_exchange import period_text
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.queries import repair as repair_queries

_PARTY = ("xdr_mc", "xdr_lb", "xdr_dm", "frdb")
SOURCE_FIELDS: dict[str, frozenset[str]] = {
    "ratings": frozenset({*_PARTY, "domain", "domain_name", "period", "grade", "score", "organ", "decision_date", "document_no",
                          "valid_from", "valid_until", "publicity_start", "publicity_end", "status"}),
    "commitments": frozenset({*_PARTY, "serial", "type", "type_name", "area", "area_name", "business", "signed_on", "term_until",
                              "organ", "status", "outcome_on", "outcome_note", "violation_facts", "violation_handling",
                              "penalty_document_no"}),
    "lists": frozenset({*_PARTY, "list_type", "period", "status", "reason", "entered_on", "expires_on", "exit_on", "exit_reason",
                        "published_on"}),
    "repairs": frozenset({*_PARTY, "record_kind", "record_summary", "applied_on", "status", "decided_on", "decision_reason"}),
}


@dataclass(frozen=True)
class PublicationResult:
    path: Path
    profile: str
    rows: int
    zero_report: bool

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "profile": self.profile, "rows": self.rows, "zero_report": self.zero_report}


def publication_profile(name: str | ExportProfile) -> ExportProfile:
    profile = name if isinstance(name, ExportProfile) else load_profile(name, fields=SOURCE_FIELDS)
    if profile.source in (SGS_LICENSE, SGS_PENALTY):
        raise ProfileError(f"导出格式 {profile.name} 是双公示格式，请用“导出报送批次”（xuyi export sgs）",
                           f"{profile.name} is a 双公示 profile: use export sgs")
    return profile


def publication_profiles() -> list[ExportProfile]:
    return [p for p in list_profiles() if p.source not in (SGS_LICENSE, SGS_PENALTY)]


def _party(e: Entity) -> dict[str, Any]:
    person = e.kind == "person"
    return {"xdr_mc": e.name, "xdr_lb": e.kind, "xdr_dm": (mask_id_number(e.identifier) or "") if person else e.identifier,
            "frdb": "" if person else e.legal_representative}


def _ratings(session: Session, date_from: dt.date, date_to: dt.date) -> Iterator[dict[str, Any]]:
    from xuyi_desktop.services.schemes import registry

    reg = registry()
    for r, e in rating_queries.published_between(session, date_from, date_to):
        try:
            name = reg.for_period(r.domain, r.period).name
        except Exception:  # noqa: BLE001 - a scheme file removed since: the code is still a fact
            name = r.domain
        yield {**_party(e), "domain": r.domain, "domain_name": name, "period": str(r.period), "grade": r.grade,
               "score": "" if r.score is None else f"{r.score:g}", "organ": r.evaluating_organ, "decision_date": r.decision_date,
               "document_no": r.document_no, "valid_from": r.valid_from, "valid_until": r.valid_until,
               "publicity_start": r.publicity_start, "publicity_end": r.publicity_end, "status": r.status}


def _commitments(session: Session, date_from: dt.date, date_to: dt.date) -> Iterator[dict[str, Any]]:
    from xuyi_desktop.services.commitments import area_name, type_name

    for c, e in commitment_queries.signed_or_concluded_between(session, date_from, date_to):
        yield {**_party(e), "serial": c.serial, "type": c.type_code, "type_name": type_name(c.type_code), "area": c.area_code,
               "area_name": area_name(c.area_code), "business": c.business, "signed_on": c.signed_on, "term_until": c.term_until,
               "organ": c.organ, "status": c.status, "outcome_on": c.outcome_on, "outcome_note": c.outcome_note,
               "violation_facts": c.violation_facts, "violation_handling": c.violation_handling,
               "penalty_document_no": c.penalty_document_no}


def _lists(session: Session, date_from: dt.date, date_to: dt.date) -> Iterator[dict[str, Any]]:
    for x, e in list_queries.entered_or_exited_between(session, date_from, date_to):
        yield {**_party(e), "list_type": x.list_type, "period": x.period, "status": x.status, "reason": x.reason,
               "entered_on": x.entered_on, "expires_on": x.expires_on, "exit_on": x.exit_on, "exit_reason": x.exit_reason,
               "published_on": x.published_on}


def _repairs(session: Session, date_from: dt.date, date_to: dt.date) -> Iterator[dict[str, Any]]:
    for a, e in repair_queries.approved_between(session, date_from, date_to):
        yield {**_party(e), "record_kind": a.record_kind, "record_summary": a.record_summary, "applied_on": a.applied_on,
               "status": a.status, "decided_on": a.decided_on, "decision_reason": a.decision_reason}


_ROWS = {"ratings": _ratings, "commitments": _commitments, "lists": _lists, "repairs": _repairs}


def export_publication(
    ctx: AppContext, profile: str | ExportProfile, *, date_from: dt.date, date_to: dt.date, out: Path,
    unit: str | None = None, today: dt.date | None = None,
) -> PublicationResult:
    """The rows of the profile's source in the period, in the profile's format; the zero report when none."""
    audit.require(ctx, Permission.EXPORT)
    prof = publication_profile(profile)
    today = today or dt.date.today()
    written = False
    try:
        with ctx.transaction() as session:
            rows = [prof.row(values) for values in _ROWS[prof.source](session, date_from, date_to)]
            if rows:
                write_profile_rows(out, prof, rows)
            else:
                who = unit or (ctx.user.unit if ctx.user and ctx.user.unit else ctx.office_name)
                write_zero_report(out, prof, unit=who, period=period_text(date_from, date_to), made_on=f"{today:%Y/%m/%d}")
            written = True
            audit.write(
                session, ctx, "export.publication",
                f"导出{prof.title}：{len(rows)} 条" + ("（零报送）" if not rows else ""),
                details={"profile": prof.name, "from": date_from.isoformat(), "to": date_to.isoformat(), "rows": len(rows),
                         "file": out.name, "zero_report": not rows},
            )
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    return PublicationResult(out, prof.name, len(rows), not rows)
