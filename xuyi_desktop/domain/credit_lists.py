"""The red, black, watch and 治超 lists as data (resources/lists/lists.toml): what each is called, how long an
entry lasts, and the criteria that propose candidates from a credit profile (the same condition language as the
consequence rules, domain/consequences.matches). A reviewer confirms every entry; criteria only propose."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xuyi_desktop.domain.consequences import CONDITION_KEYS, LIST_TYPES, matches
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.profile import CreditProfile
from xuyi_desktop.domain.working_days import add_months


class ListFileError(DomainError):
    def __init__(self, message_zh: str) -> None:
        self.message_zh, self.message_en = message_zh, "resources/lists/lists.toml is invalid"
        super().__init__(message_zh)


@dataclass(frozen=True)
class ListRule:
    code: str
    text: str
    when: Mapping[str, Any]


@dataclass(frozen=True)
class ListCase:
    code: str
    text: str


@dataclass(frozen=True)
class ListDefinition:
    type: str
    name: str
    validity_months: int
    rules: tuple[ListRule, ...]
    cases: tuple[ListCase, ...] = ()

    def expiry(self, entered: dt.date) -> dt.date:
        """The last day of an entry that began on `entered`."""
        return add_months(entered, self.validity_months) - dt.timedelta(days=1)

    def case(self, code: str) -> ListCase | None:
        return next((c for c in self.cases if c.code == code), None)


@dataclass(frozen=True)
class Candidate:
    rule: ListRule
    sources: tuple[str, ...]

    @property
    def criteria(self) -> str:
        return f"{self.rule.text}（{'；'.join(self.sources)}）"


def parse_lists(text: str, where: str = "lists.toml") -> dict[str, ListDefinition]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ListFileError(f"{where}：TOML 格式错误（{exc}）") from exc
    out: dict[str, ListDefinition] = {}
    for i, raw in enumerate(data.get("list", []), start=1):
        lw = f"{where} 第{i}个 list"
        kind = raw.get("type")
        if kind not in LIST_TYPES:
            raise ListFileError(f"{lw}：type 应为 {'/'.join(LIST_TYPES)} 之一")
        rules = []
        for j, r in enumerate(raw.get("rule", []), start=1):
            when = {k: v for k, v in r.items() if k not in ("code", "text")}
            bad = sorted(set(when) - CONDITION_KEYS)
            if bad or not when or not r.get("code") or not r.get("text"):
                raise ListFileError(f"{lw} 第{j}条 rule：code、text 必须填写，条件不能为空或未知 {bad}")
            rules.append(ListRule(str(r["code"]), str(r["text"]), when))
        cases = tuple(ListCase(str(c["code"]), str(c["text"])) for c in raw.get("cases", []))
        months = int(raw.get("validity_months", 0))
        if months <= 0 or not raw.get("name"):
            raise ListFileError(f"{lw}：name 和 validity_months（正整数）必须填写")
        out[kind] = ListDefinition(kind, str(raw["name"]), months, tuple(rules), cases)
    missing = set(LIST_TYPES) - set(out)
    if missing:
        raise ListFileError(f"{where}：缺少名单类型 {sorted(missing)}")
    return out


def candidate(definition: ListDefinition, profile: CreditProfile) -> Candidate | None:
    """The first rule of the list the profile meets (None: not a candidate)."""
    for rule in definition.rules:
        sources = matches(rule.when, profile)
        if sources is not None:
            return Candidate(rule, tuple(dict.fromkeys(sources)))
    return None
