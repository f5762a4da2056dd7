"""Every audit action code in the code base has a Chinese name in resources/audit/actions.toml: a literal code
written by audit.write, and every "记录类型.动作" a business change can produce (record names × verbs)."""

from __future__ import annotations

import re
from pathlib import Path

from xuyi_desktop.services.audit_export import action_label, wording

ROOT = Path(__file__).resolve().parents[2] / "xuyi_desktop"
INFRASTRUCTURE = {"audit_log", "change_log", "counter", "sync_ack", "sync_aside", "sync_change", "sync_conflict",
                  "sync_package", "sync_peer", "sync_record_state"}


def _sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in ROOT.rglob("*.py") if not {"migrations", "cli"} & set(p.parts)]


def test_every_literal_action_code_has_a_chinese_name() -> None:
    codes: set[str] = set()
    for text in _sources():
        codes |= set(re.findall(r'audit\.write\(\s*\w+,\s*\w+,\s*"([^"]+)"', text))
        codes |= set(re.findall(r'\baction(?:, verb)? = \(?"([a-z_]+\.[a-z_.]+)"', text))
        codes |= set(re.findall(r'action(?:: str)? ?= ?"([a-z_]+\.[a-z_.]+)"', text))
        codes |= set(re.findall(r'\("(user\.[a-z_]+)", "', text))
    assert {"credit.check", "personal.reveal", "user.deactivate", "import.sgs", "demo_data.county"} <= codes
    missing = sorted(c for c in codes if action_label(c) == c)
    assert missing == []


def test_every_business_change_is_named_from_its_record_and_verb() -> None:
    w = wording()
    verbs: set[str] = set()
    tables: set[str] = set()
    for text in _sources():
        verbs |= set(re.findall(r'\b(?:verb|action)="([a-z_]+)"', text))
        tables |= set(re.findall(r'__tablename__ = "([a-z_]+)"', text))
    assert {"insert", "update", "confirm", "propose"} <= verbs
    assert sorted(verbs - set(w.verbs) - {"store_true", "store_false"}) == []  # argparse's, not audit verbs
    assert sorted(tables - INFRASTRUCTURE - set(w.records)) == []
    assert action_label("sgs_record.create") == "登记双公示记录"
    assert action_label("commitment.update") == "修改信用承诺"
    assert action_label("no_such.thing") == "no_such.thing"  # unknown codes are shown as stored, never hidden
