"""Printing use cases: rating certificates (one or a batch), the credit-check result sheet and the publicity
list; every printed document carries a serial number and a signed QR code that verifies offline.

Rules:
- Only an effective rating gets a certificate. Its serial (`Rating.certificate_serial`) is assigned on the
  first print, in the same transaction as the audit entry, and recorded as a change of the rating (the
  change log ships it to the other offices); reprints reuse it, so a certificate keeps one number.
- Every print writes an audit entry (print.certificate, print.credit_check, print.publicity_list).
- Files are written atomically: a temporary file beside the target, renamed over it when complete.
- A batch renders outside any database transaction (other clerks must not wait for a thousand pages).
  Its serials are assigned first, in one short transaction; cancelling afterwards leaves those numbers
  assigned to their ratings (a number belongs to its rating once given) but writes no file and records
  nothing as printed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import EntityKind
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import RatingStatus, direct_grade_of, score_text
from xuyi_desktop.printing import qr
from xuyi_desktop.printing.certificate import PERSON_LABEL, PREVIEW_SERIAL, CertificateData, render_certificates
from xuyi_desktop.printing.check_sheet import render_check_sheet
from xuyi_desktop.printing.fonts import DocumentFonts, register_fonts
from xuyi_desktop.printing.layout import cn_date
from xuyi_desktop.printing.output import Cancelled, PrintCancelled, Progress, atomic_output, check_writable
from xuyi_desktop.printing.publicity import PublicityRow, publicity_list_pdf, shown_identifier
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.credit_check import CreditCheckResult
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.office_keys import VerifyResult, print_key, verify_payload
from xuyi_desktop.services.offices import PROVISIONAL_NAME
from xuyi_desktop.services.print_settings import before_numbered_print
from xuyi_desktop.services.ratings import TABLE as RATING_TABLE
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.serials import next_serial
from xuyi_desktop.services.unit_of_work import UnitOfWork
from xuyi_desktop.storage.models import Entity, Rating
from xuyi_desktop.storage.queries import ratings as rating_queries

__all__ = [
    "DEFAULT_ORGAN", "NotPrintableError", "NothingToPrintError", "PdfUnreadableError", "PrintCancelled",
    "VerifyResult", "issuing_organ", "payloads_in_pdf", "print_certificate", "print_certificates",
    "print_certificates_batch", "print_credit_check", "render_credit_check", "print_publicity_list", "verify_payload", "verify_pdf",
]

DEFAULT_ORGAN = "盱眙县交通运输局"


class NotPrintableError(DomainError):
    """A certificate was asked for a rating that is not in force."""

    def __init__(self, entity_name: str, status: RatingStatus) -> None:
        self.message_zh = (
            f"“{entity_name}”的这条信用评价处于“{status.label}”状态，只有已生效的评价才能打印信用等级证书"
            "（如需核对内容，可打印样张）"
        )
        self.message_en = f"only effective ratings get a certificate (status: {status.value}); a preview is possible"
        super().__init__(self.message_zh)


class NothingToPrintError(DomainError):
    def __init__(self, what: str) -> None:
        self.message_zh = f"没有可打印的内容：{what}"
        self.message_en = "nothing to print"
        super().__init__(self.message_zh)


def issuing_organ(ctx: AppContext, evaluating_organ: str = "") -> str:
    """Who issues: the rating's evaluating organ, else the organ set for prints (本单位设置), else this office,
    else (office not yet set up) the bureau."""
    if evaluating_organ.strip():
        return evaluating_organ.strip()
    from xuyi_desktop.services.print_settings import get_print_settings

    configured = get_print_settings(ctx).organ_name
    if configured:
        return configured
    if ctx.office_provisional or not ctx.office_name or ctx.office_name == PROVISIONAL_NAME:
        return DEFAULT_ORGAN
    return ctx.office_name


def _scheme(domain: str, period: int):
    try:
        return registry().for_period(domain, period)
    except ValueError as exc:  # SchemeError: unknown code, or no version for the period
        raise ValidationError(FieldProblem("domain", f"未知的评价领域或该年度无评价办法：{domain}", f"unknown domain {domain}")) from exc


def _actor_name(ctx: AppContext) -> str:
    if ctx.user is not None:
        return ctx.user.display_name or ctx.user.username
    return "系统（初始设置）"


def real_name(display_name: str, username: str) -> str:
    """The person's name as it is printed where they sign: the 姓名 recorded for the account, never the login
    name (an account created without a 姓名 has its login name there: printed blank, to be signed by hand)."""
    name = (display_name or "").strip()
    return "" if not name or name == username else name


def checker_name(ctx: AppContext, result: CreditCheckResult) -> str:
    """核查人 on the sheet: the real name recorded with the check, else the current user's if it is theirs."""
    if result.checked_by_name:
        return real_name(result.checked_by_name, result.checked_by)
    if ctx.user is not None and result.checked_by == ctx.actor:
        return real_name(ctx.user.display_name, ctx.user.username)
    return ""


# --- certificates ---------------------------------------------------------------------------------------
@dataclass
class _Loaded:
    rating: Rating
    entity: Entity
    domain_name: str


def _load(session: Session, rating_ids: Sequence[uuid.UUID]) -> list[_Loaded]:
    found = {r.id: (r, e) for r, e in rating_queries.with_entities(session, rating_ids) if r.deleted_at is None}
    reg = registry()
    out = []
    for rid in rating_ids:
        if rid not in found:
            raise NotFoundError(f"信用评价 {rid}")
        r, e = found[rid]
        out.append(_Loaded(r, e, reg.for_period(r.domain, r.period).name))
    return out


def _assign_serial(session: Session, ctx: AppContext, item: _Loaded, today: dt.date) -> bool:
    """Give the rating its certificate serial if it has none; True when it was assigned now."""
    r = item.rating
    if r.certificate_serial:
        return False
    serial = next_serial(session, ctx, "CERT", today.year)
    UnitOfWork(session, ctx).change(r, verb="update", certificate_serial=serial,
                                    summary=f"分配信用等级证书编号 {serial}：{item.entity.name} {r.period}年度 {r.grade}级")
    return True


def _certificate_data(ctx: AppContext, item: _Loaded, key: Ed25519PrivateKey | None, *, reveal: bool, preview: bool,
                      fallback_organ: str | None = None) -> CertificateData:
    """`fallback_organ`: issuing_organ(ctx) read once by a batch, for the ratings that name no organ."""
    r, e = item.rating, item.entity
    person = e.kind == EntityKind.PERSON.value
    ident = e.identifier if reveal or not person else (mask_id_number(e.identifier) or "")
    # The certificate's date: when the rating took effect (a decision dated earlier is not yet a grade in force).
    issued_on = max((d for d in (r.decision_date, r.valid_from) if d), default=dt.date.today())
    serial = r.certificate_serial if not preview and r.certificate_serial else PREVIEW_SERIAL
    payload = None
    if key is not None and not preview:
        # Masked for persons even when revealed on paper: anyone may scan the code.
        facts = {
            "u": e.identifier if not person else (mask_id_number(e.identifier) or ""), "d": r.domain, "p": r.period,
            "g": r.grade, "fr": r.valid_from.isoformat() if r.valid_from else "",
            "to": r.valid_until.isoformat() if r.valid_until else "", "n": e.name,
        }
        payload = qr.build_payload("CERT", serial, ctx.office_code, issued_on, facts, key.sign)
    return CertificateData(
        serial=serial, entity_name=e.name, identifier=ident,
        identifier_label=PERSON_LABEL if person else "统一社会信用代码", domain_name=item.domain_name,
        period=r.period, grade=r.grade, valid_from=r.valid_from, valid_until=r.valid_until,
        organ=issuing_organ(ctx, r.evaluating_organ) if fallback_organ is None else (r.evaluating_organ.strip() or fallback_organ),
        issued_on=issued_on, document_no=r.document_no,
        qr_payload=payload, preview=preview,
    )


def print_certificate(
    ctx: AppContext, rating_id: uuid.UUID, out: str | Path, *, reveal: bool = False, preview: bool = False,
    today: dt.date | None = None,
) -> Path:
    """Print the rating's certificate to `out` (PDF). Only effective ratings; `preview=True` prints any
    rating as a watermarked, unnumbered 样张 without a code. `reveal` prints a person's full ID number
    (needs the right to see it; the QR code keeps it masked)."""
    audit.require(ctx, Permission.PRINT)
    if not preview:
        before_numbered_print(ctx)  # under a provisional office code the window asks first
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    out = Path(out)
    today = today or dt.date.today()
    fonts = register_fonts()
    key = None if preview else print_key(ctx)
    # The file is renamed into place only after the transaction committed (serial and audit entry).
    with atomic_output(out) as tmp, ctx.transaction() as session:
        (item,) = _load(session, [rating_id])
        status = RatingStatus(item.rating.status)
        if status is not RatingStatus.EFFECTIVE and not preview:
            raise NotPrintableError(item.entity.name, status)
        first = False if preview else _assign_serial(session, ctx, item, today)
        data = _certificate_data(ctx, item, key, reveal=reveal, preview=preview)
        render_certificates([data], tmp, fonts=fonts)
        what = "打印信用等级证书样张" if preview else ("打印信用等级证书" if first else "补打信用等级证书")
        audit.write(
            session, ctx, "print.certificate_preview" if preview else "print.certificate",
            f"{what} {'' if preview else data.serial + ' '}{item.entity.name} {item.rating.period}年度 {item.rating.grade}级",
            record_table=RATING_TABLE, record_id=item.rating.id,
            details={"serial": None if preview else data.serial, "reprint": not first and not preview, "revealed": reveal, "file": out.name},
        )
    return out


def print_certificates(
    ctx: AppContext, rating_ids: Sequence[uuid.UUID], out: str | Path, *, progress: Progress | None = None,
    cancelled: Cancelled | None = None, today: dt.date | None = None,
) -> Path:
    """Many certificates into one PDF, one page each, in the order given. Every rating must be effective
    (otherwise nothing is printed). progress(done, total) after each page; cancelled() → PrintCancelled."""
    audit.require(ctx, Permission.PRINT)
    before_numbered_print(ctx)  # under a provisional office code the window asks first
    out = Path(out)
    if not rating_ids:
        raise NothingToPrintError("未选择信用评价")
    check_writable(out)
    today = today or dt.date.today()
    fonts = register_fonts()
    key = print_key(ctx)
    with ctx.transaction() as session:
        items = _load(session, list(rating_ids))
        bad = [i for i in items if i.rating.status != RatingStatus.EFFECTIVE.value]
        if bad:
            raise NotPrintableError(bad[0].entity.name, RatingStatus(bad[0].rating.status))
        with audit.batched(session, ctx):  # the change-log rows and audit lines of the serials: one write, same rows
            new = {i.rating.id for i in items if _assign_serial(session, ctx, i, today)}
        fallback = issuing_organ(ctx)  # the print settings, read once for the batch, not once a certificate
        data = [_certificate_data(ctx, i, key, reveal=False, preview=False, fallback_organ=fallback) for i in items]
    with atomic_output(out) as tmp:
        render_certificates(data, tmp, fonts=fonts, progress=progress, cancelled=cancelled)
        with ctx.transaction() as session, audit.batched(session, ctx):  # one chain append for the batch
            for item, d in zip(items, data, strict=True):
                first = item.rating.id in new
                audit.write(
                    session, ctx, "print.certificate",
                    f"{'打印' if first else '补打'}信用等级证书 {d.serial} {d.entity_name} {d.period}年度 {d.grade}级（批量，共{len(items)}份）",
                    record_table=RATING_TABLE, record_id=item.rating.id,
                    details={"serial": d.serial, "reprint": not first, "batch": len(items), "file": out.name},
                )
    return out


def effective_rating_ids(ctx: AppContext, period: int, domain: str) -> list[uuid.UUID]:
    """Effective ratings of one period and domain, best grade first, then by name."""
    audit.require(ctx, Permission.VIEW)
    scheme = _scheme(domain, period)
    rank = {g: i for i, g in enumerate(scheme.grades)}
    with ctx.transaction() as session:
        rows = [(r.id, r.grade, e.name) for r, e in rating_queries.of_period(session, period, scheme.code, (RatingStatus.EFFECTIVE,))]
    rows.sort(key=lambda r: (rank.get(r[1], 99), r[2]))
    return [rid for rid, _, _ in rows]


def print_certificates_batch(
    ctx: AppContext, period: int, domain: str, out: str | Path, *, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Every effective certificate of a period and domain into one PDF."""
    ids = effective_rating_ids(ctx, period, domain)
    if not ids:
        name = _scheme(domain, period).name
        raise NothingToPrintError(f"{period}年度“{name}”没有已生效的信用评价")
    return print_certificates(ctx, ids, out, progress=progress, cancelled=cancelled)


# --- credit check sheet ---------------------------------------------------------------------------------
def check_facts(result: CreditCheckResult) -> dict[str, object]:
    """What the sheet's code vouches for: who, which business, the grade per domain (* = provisional)."""
    grades = "+".join(f"{g.domain}:{(g.grade or '-')}{'*' if g.provisional else ''}" for g in result.grades)
    return {
        "u": result.entity.get("identifier", ""), "b": result.business, "g": grades,
        "x": len(result.dishonesty), "n": result.entity.get("name", ""),
    }


def render_credit_check(ctx: AppContext, result: CreditCheckResult, target: str | Path, *,
                        key: Ed25519PrivateKey | None = None, fonts: DocumentFonts | None = None) -> int:
    """Draw the result sheet of a check into `target` (signed code included); no audit entry: the caller
    records the print (one sheet here, or each sheet of a batch once the whole file is written)."""
    key = key or print_key(ctx)
    try:
        issued_on = dt.datetime.fromisoformat(result.checked_at).astimezone().date()
    except ValueError:
        issued_on = dt.date.today()
    payload = qr.build_payload("HC", result.serial, ctx.office_code, issued_on, check_facts(result), key.sign)
    return render_check_sheet(
        result, target, organ=issuing_organ(ctx),
        checked_by=checker_name(ctx, result),
        issued_on=issued_on, qr_payload=payload, fonts=fonts,
    )


def print_credit_check(ctx: AppContext, result: CreditCheckResult, out: str | Path) -> Path:
    """Print the result sheet of a credit check (its serial was given when the check ran)."""
    audit.require(ctx, Permission.PRINT)
    before_numbered_print(ctx)  # under a provisional office code the window asks first
    out = Path(out)
    key = print_key(ctx)
    with atomic_output(out) as tmp:
        pages = render_credit_check(ctx, result, tmp, key=key)
        with ctx.transaction() as session:
            audit.write(
                session, ctx, "print.credit_check",
                f"打印信用核查结果单 {result.serial} {result.entity.get('name', '')}（{result.business_name}）",
                record_table="entity", record_id=result.entity.get("id", ""),
                details={"serial": result.serial, "pages": pages, "file": out.name},
            )
    return out


# --- publicity list -------------------------------------------------------------------------------------
def rows_digest(rows: Sequence[PublicityRow]) -> str:
    """16 hex digits of SHA-256 over the printed rows: the code binds the list's content, not only its count."""
    h = hashlib.sha256()
    for r in rows:
        h.update(f"{r.name}\t{shown_identifier(r)}\t{r.grade}\t{score_text(r.score, r.direct_grade)}\n".encode())
    return h.hexdigest()[:16]


def print_publicity_list(
    ctx: AppContext, period: int, domain: str, out: str | Path, *,
    statuses: Sequence[RatingStatus] = (RatingStatus.PUBLICITY,), today: dt.date | None = None,
) -> Path:
    """The publicity list of a period and domain (ratings in publicity by default) as a PDF."""
    audit.require(ctx, Permission.PRINT)
    before_numbered_print(ctx)  # under a provisional office code the window asks first
    out = Path(out)
    check_writable(out)
    today = today or dt.date.today()
    scheme = _scheme(domain, period)
    rank = {g: i for i, g in enumerate(scheme.grades)}
    key = print_key(ctx)
    with ctx.transaction() as session:
        found = rating_queries.of_period(session, period, scheme.code, statuses)
        if not found:
            raise NothingToPrintError(f"{period}年度“{scheme.name}”没有{'、'.join(s.label for s in statuses)}的信用评价")
        found = sorted(found, key=lambda re: (rank.get(re[0].grade, 99), -(re[0].score or 0), re[1].name))
        rows = [PublicityRow(e.name, e.identifier, r.grade, r.score, e.kind == EntityKind.PERSON.value,
                             direct_grade_of(scheme, json.loads(r.deductions_json or "[]"))) for r, e in found]
        starts = [r.publicity_start for r, _ in found if r.publicity_start]
        ends = [r.publicity_end for r, _ in found if r.publicity_end]
        organs = {r.evaluating_organ for r, _ in found if r.evaluating_organ}
        serial = next_serial(session, ctx, "GS", today.year)
    organ = issuing_organ(ctx, organs.pop() if len(organs) == 1 else "")
    unit = "人" if rows and all(r.is_person for r in rows) else "家"
    intro = f"现将{period}年度{scheme.name}信用评价结果予以公示（共{len(rows)}{unit}）。"
    if starts and ends and RatingStatus.PUBLICITY in statuses:
        intro += f"公示期自{cn_date(min(starts))}至{cn_date(max(ends))}。公示期内如有异议，请以书面形式向{organ}反映。"
    from xuyi_desktop.services.print_settings import get_print_settings

    contact = get_print_settings(ctx).objection_contact()
    facts = {"d": scheme.code, "p": period, "c": len(rows), "h": rows_digest(rows)}
    payload = qr.build_payload("GS", serial, ctx.office_code, today, facts, key.sign)
    title = f"{period}年度{scheme.name}\n信用评价结果公示名单"
    publicity_list_pdf(rows, out, title=title, intro=intro, organ=organ, issued_on=today, serial=serial, qr_payload=payload,
                       contact=f"异议受理：{organ}；{contact}" if contact else f"异议受理：{organ}（联系方式请向本单位窗口查询）")
    with ctx.transaction() as session:
        audit.write(
            session, ctx, "print.publicity_list", f"打印公示名单 {serial}：{title.replace(chr(10), '')}（{len(rows)}{unit}）",
            details={"serial": serial, "period": period, "domain": scheme.code, "rows": len(rows), "file": out.name},
        )
    return out


# --- verification ---------------------------------------------------------------------------------------
class PdfUnreadableError(DomainError):
    """The file is not a PDF, or is damaged or encrypted so its text cannot be read."""

    def __init__(self, path: Path, why: str) -> None:
        self.message_zh = f"无法读取 PDF 文件 {path.name}：{why}"
        self.message_en = f"cannot read the PDF {path.name}: {why}"
        super().__init__(self.message_zh)


def is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(1024).lstrip().startswith(b"%PDF-")
    except OSError:
        return False


def payloads_in_pdf(path: str | Path) -> list[str]:
    """Every verification code printed in a PDF of this system: each QR code carries its payload as
    invisible text (printing.qr.draw_payload_text), so plain text extraction finds it, no image tools
    needed. In page order, duplicates dropped; empty if there is none (an old or foreign PDF, a scan)."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    path = Path(path)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported below, not logged
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise PdfUnreadableError(path, "文件已加密")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except PdfUnreadableError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PdfUnreadableError(path, type(exc).__name__) from exc
    return qr.find_payloads(text)


def verify_pdf(ctx: AppContext, path: str | Path) -> list[tuple[str, VerifyResult]]:
    """Verify every code found in a PDF: (payload, result) in page order; empty if the file holds none."""
    audit.require(ctx, Permission.VIEW)
    return [(text, verify_payload(ctx, text)) for text in payloads_in_pdf(path)]


def describe_facts(doc_type: str, facts: dict[str, str]) -> list[tuple[str, str]]:
    """The facts in a verified code as (label, text) for a clerk to compare with the paper."""
    reg = registry()

    def domain_name(code: str) -> str:
        try:
            return reg.latest(code).name
        except (KeyError, LookupError, ValueError, DomainError):
            return code

    out: list[tuple[str, str]] = []
    if facts.get("n"):
        out.append(("名称", facts["n"]))
    if facts.get("u"):
        out.append(("证件号码", facts["u"]))
    if doc_type in ("CERT", "GS") and facts.get("d"):
        out.append(("评价领域", domain_name(facts["d"])))
    if facts.get("p"):
        out.append(("评价年度", f"{facts['p']}年度"))
    if doc_type == "CERT" and facts.get("g"):
        out.append(("信用等级", f"{facts['g']}级"))
    if facts.get("fr") or facts.get("to"):
        out.append(("有效期", f"{facts.get('fr', '')} 至 {facts.get('to', '')}".strip()))
    if doc_type == "HC":
        if facts.get("b"):
            try:
                out.append(("核查业务", reg.business(facts["b"]).name))
            except (KeyError, LookupError, ValueError, DomainError):
                out.append(("核查业务", facts["b"]))
        for part in filter(None, facts.get("g", "").split("+")):
            code, _, grade = part.partition(":")
            provisional = grade.endswith("*")
            grade = grade.rstrip("*")
            out.append((domain_name(code), "无有效等级" if grade in ("", "-") else f"{grade}级{'（暂定）' if provisional else ''}"))
        if "x" in facts:
            out.append(("有效失信记录", f"{facts['x']}条"))
    if doc_type == "CN":
        from xuyi_desktop.services.commitments import catalogue

        cat = catalogue()
        for key, label, lookup in (("t", "承诺类型", cat.type), ("a", "应用领域", cat.area)):
            if facts.get(key):
                try:
                    out.append((label, lookup(facts[key]).name))
                except (KeyError, LookupError, ValueError, DomainError):
                    out.append((label, facts[key]))
        if facts.get("b"):
            out.append(("涉及业务", facts["b"]))
        if facts.get("tm"):
            out.append(("履约期限至", facts["tm"]))
    if doc_type == "GS":
        if facts.get("c"):
            out.append(("名单条数", facts["c"]))
        if facts.get("h"):
            out.append(("内容摘要", facts["h"]))
    if doc_type in ("XB", "ZX"):
        from xuyi_desktop.services.reports import describe_report_facts

        out.extend(describe_report_facts(doc_type, facts))
    if doc_type in ("XF", "MD"):
        from xuyi_desktop.services.credit_prints import describe_print_facts

        out.extend(describe_print_facts(doc_type, facts))
    if doc_type == "JF":
        from xuyi_desktop.services.points import describe_statement_facts

        out.extend(describe_statement_facts(facts))
    return out
