"""Identifier rules: 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999).

One place for each check: the entity form, the CLI, importers and sync all call these functions.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from xuyi_desktop.domain.errors import FieldProblem, ValidationError

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
# 3^(i-1) mod 31 for i = 1..17 (GB 32100-2015, 附录).
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes, plus 83 used by residence permits for Taiwan residents.
PROVINCE_CODES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"]
)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_·.]+")


class IdentifierKind(str, Enum):
    """What kind of identifier a string is; it decides whether the entity is an organisation or a person."""

    USCC = "uscc"
    ID_CARD = "id_card"


def normalise_identifier(raw: str) -> str:
    """Full-width to half-width, drop spaces and dashes, upper case: how clerks' input arrives."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _SEPARATORS.sub("", text).upper()


def looks_like_identifier(raw: str) -> bool:
    """Whether a search is by identifier (audited; for roles that may not see full ID numbers it matches whole
    identifiers only): after normalising, Latin letters and digits only, at least 6 of them digits."""
    text = normalise_identifier(raw)
    return text.isascii() and text.isalnum() and sum(ch.isdigit() for ch in text) >= 6


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC for its first 17 characters (which must be in the charset)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 organisation-code check character over positions 9–16 of a USCC (letters A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


@dataclass(frozen=True)
class UsccCheck:
    """Result of checking a USCC: the normalised value, hard problems, and soft warnings."""

    value: str
    problems: tuple[FieldProblem, ...]
    warnings: tuple[FieldProblem, ...]
    check_char_ok: bool | None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def format_ok(self) -> bool:
        """Well formed, whatever the check character says (check_char_ok is None when not reached)."""
        return self.check_char_ok is not None


def check_uscc(raw: str, field: str = "identifier") -> UsccCheck:
    """Check a 统一社会信用代码; a wrong check character is a problem of its own so it can be overridden."""
    value = normalise_identifier(raw)
    problems: list[FieldProblem] = []
    warnings: list[FieldProblem] = []
    if not value:
        problems.append(FieldProblem(field, "统一社会信用代码不能为空", "USCC is empty"))
        return UsccCheck(value, tuple(problems), (), None)
    if len(value) != 18:
        problems.append(
            FieldProblem(field, f"统一社会信用代码应为18位，实际为{len(value)}位", f"USCC must have 18 characters, got {len(value)}")
        )
        return UsccCheck(value, tuple(problems), (), None)
    bad = sorted({c for c in value if c not in _USCC_VALUE})
    if bad:
        problems.append(
            FieldProblem(
                field,
                f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）",
                f"USCC contains characters outside its charset: {', '.join(bad)}",
            )
        )
        return UsccCheck(value, tuple(problems), (), None)
    if not value[2:8].isdigit():
        problems.append(FieldProblem(field, "统一社会信用代码第3至8位应为行政区划代码（数字）", "USCC positions 3-8 must be a region code"))
        return UsccCheck(value, tuple(problems), (), None)
    expected = uscc_check_char(value[:17])
    check_ok = value[17] == expected
    if not check_ok:
        problems.append(
            FieldProblem(field, f"统一社会信用代码校验位错误（应为{expected}）", f"wrong USCC check character (expected {expected})")
        )
    body = value[8:16]
    if all(c.isdigit() or "A" <= c <= "Z" for c in body) and org_code_check_char(body) != value[16]:
        warnings.append(
            FieldProblem(field, "主体标识码（组织机构代码）校验位不符，请核对", "organisation code (positions 9-17) check fails")
        )
    return UsccCheck(value, tuple(problems), tuple(warnings), check_ok)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 18-digit ID number."""
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def convert_id15(id15: str) -> str:
    """Old 15-digit ID (YYMMDD, no check) to 18 digits: insert '19' and compute the check character."""
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + id_check_char(first17)


@dataclass(frozen=True)
class IdCardCheck:
    """Result of checking an ID number; converted_from_15 tells the clerk a conversion happened."""

    value: str
    problems: tuple[FieldProblem, ...]
    converted_from_15: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def birth_date(self) -> dt.date | None:
        return _parse_birth(self.value[6:14]) if self.ok else None


def _parse_birth(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def check_id_card(raw: str, field: str = "identifier", today: dt.date | None = None) -> IdCardCheck:
    """Check a 居民身份证号码. The region code is only checked for its province: codes change over time."""
    value = normalise_identifier(raw)
    today = today or dt.date.today()
    converted: str | None = None
    if len(value) == 15 and value.isdigit():
        converted, value = value, convert_id15(value)
    if not value:
        return IdCardCheck(value, (FieldProblem(field, "身份证号码不能为空", "ID number is empty"),))
    if len(value) != 18:
        return IdCardCheck(
            value, (FieldProblem(field, f"身份证号码应为18位，实际为{len(value)}位", f"ID number must have 18 characters, got {len(value)}"),)
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return IdCardCheck(
            value, (FieldProblem(field, "身份证号码前17位应为数字，末位为数字或X", "ID number: 17 digits then a digit or X"),)
        )
    problems: list[FieldProblem] = []
    if value[:2] not in PROVINCE_CODES:
        problems.append(FieldProblem(field, f"身份证号码前两位{value[:2]}不是省级行政区划代码", "ID number does not start with a province code"))
    birth = _parse_birth(value[6:14])
    if birth is None:
        problems.append(FieldProblem(field, f"身份证号码中的出生日期{value[6:14]}不是有效日期", "birth date in ID number is not a date"))
    elif birth > today:
        problems.append(FieldProblem(field, "身份证号码中的出生日期晚于今天", "birth date in ID number is in the future"))
    elif birth.year < 1880:
        problems.append(FieldProblem(field, "身份证号码中的出生日期过早", "birth date in ID number is implausibly early"))
    expected = id_check_char(value[:17])
    if value[17] != expected:
        problems.append(FieldProblem(field, f"身份证号码校验位错误（应为{expected}）", f"wrong ID check digit (expected {expected})"))
    return IdCardCheck(value, tuple(problems), converted)


def infer_kind(raw: str) -> IdentifierKind:
    """Organisation or person, from the identifier alone (used when the clerk does not say)."""
    value = normalise_identifier(raw)
    if len(value) == 15 and value.isdigit():
        return IdentifierKind.ID_CARD
    if check_id_card(value).ok:
        return IdentifierKind.ID_CARD
    if check_uscc(value).ok:
        return IdentifierKind.USCC
    # Neither is valid: guess by shape so the error message talks about the right identifier.
    if len(value) == 18 and value[:17].isdigit() and value[6:8] in ("18", "19", "20") and _parse_birth(value[6:14]):
        return IdentifierKind.ID_CARD
    return IdentifierKind.USCC


def require_valid_uscc(raw: str, field: str = "identifier", override_reason: str | None = None) -> UsccCheck:
    """Raise unless valid; a wrong check character alone passes only with a written override reason."""
    result = check_uscc(raw, field)
    if result.ok:
        return result
    # Only a wrong check character may be overridden (2015 pilot codes); a malformed code never.
    if result.format_ok and override_reason and override_reason.strip():
        return result
    raise ValidationError(list(result.problems))


def region_code_of(value: str, kind: IdentifierKind) -> str:
    """Region code carried inside an identifier (USCC positions 3–8, ID positions 1–6)."""
    return value[2:8] if kind is IdentifierKind.USCC else value[:6]
