"""Hostile text: characters refused in names, and escaping for terminals, logs and spreadsheets.

Control characters (ESC, BEL, NUL …) rewrite a terminal or break a spreadsheet file; format characters
(U+202E RIGHT-TO-LEFT OVERRIDE, zero-width joiners …) make one name look like another. Names (entity
names, login names) refuse them; text shown on a terminal or written to a file escapes them.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode general categories refused in names: controls, format (bidi overrides, zero-width), surrogates,
# private use, unassigned, and the line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Tab and newline are fine in free text (notes); elsewhere they are escaped too.
_TEXT_WHITESPACE = frozenset("\n\t")


def forbidden_characters(text: str) -> list[str]:
    """The refused characters of a name, each as U+XXXX with its Unicode name (for the message)."""
    seen: dict[str, None] = {}
    for ch in text:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            seen[describe(ch)] = None
    return list(seen)


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def name_problem(text: str) -> str | None:
    """Why a name is refused, in Chinese, or None."""
    bad = forbidden_characters(text)
    if not bad:
        return None
    return f"不能包含控制字符或不可见的格式字符（{'、'.join(bad[:3])}），请重新输入（从其他文件复制的文字常带有这类字符）"


def escape_unsafe(text: str, *, keep_whitespace: bool = True, keep: str = "") -> str:
    """Every refused character written as a visible escape (\\x1b, \\u202e), so a terminal, a log or a file
    shows it instead of obeying it. Newline and tab stay unless keep_whitespace is False; `keep` lists more."""
    out = []
    for ch in text:
        if (keep_whitespace and ch in _TEXT_WHITESPACE) or ch in keep or unicodedata.category(ch) not in _REFUSED_CATEGORIES:
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


FORMULA_STARTS = ("=", "+", "-", "@")


def needs_text_marker(value: str) -> bool:
    """A spreadsheet cell text that a spreadsheet program would take for a formula (or run on editing, or in a
    CSV made from it): it must be written as text, marked as Excel marks a typed leading quote."""
    return value.startswith(FORMULA_STARTS) and len(value) > 1


# What a terminal obeys instead of showing: C0/C1 controls (ESC starts escape sequences), bidi controls,
# zero-width characters, line/paragraph separators, the BOM. A quick test before the character-wise escape.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


def escape_for_terminal(text: str) -> str:
    """Text for a terminal: line breaks and tabs kept, everything a terminal would obey escaped."""
    if not _TERMINAL_UNSAFE.search(text):
        return text
    return escape_unsafe(text, keep="\r")


# --- look-alike names (issue 21, finding 16) ------------------------------------------------------------------
# Two names that render alike but differ in code points (Cyrillic а for Latin a, full-width Ａ, a compatibility
# ideograph, a kana ロ for 口): the new one may be meant to pass for the registered one. The table of look-alikes
# is data (resources/security/confusables.toml, read by load_confusables).

Confusables = dict[str, str]  # look-alike character → the character it passes for


def load_confusables(text: str) -> Confusables:
    """The [look_alike] table of confusables.toml as character → prototype; refuses a character listed twice."""
    import tomllib

    table: Confusables = {}
    for prototype, lookalikes in tomllib.loads(text).get("look_alike", {}).items():
        for ch in lookalikes:
            if ch in table and table[ch] != prototype:
                raise ValueError(f"confusables: {describe(ch)} listed for {table[ch]!r} and {prototype!r}")
            table[ch] = prototype
    return table


def skeleton(text: str, table: Confusables) -> str:
    """The text as it looks: invisible format characters removed, look-alikes replaced by what they pass for,
    NFKC (full-width → half-width, compatibility ideographs → unified). Two names with one skeleton look alike."""
    visible = "".join(table.get(ch, ch) for ch in text if unicodedata.category(ch) != "Cf")
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFKC", visible))


def looks_alike(a: str, b: str, table: Confusables) -> bool:
    """Different text that renders the same (identical text is a duplicate, not a look-alike)."""
    return a != b and skeleton(a, table) == skeleton(b, table)


def lookalike_detail(name: str, other: str, table: Confusables) -> str:
    """Which characters differ, for the message: “а”（U+0430）."""
    shown = [f"“{ch}”（U+{ord(ch):04X}）" for ch in dict.fromkeys(name)
             if ch not in other and (table.get(ch) or unicodedata.normalize("NFKC", ch) != ch or unicodedata.category(ch) == "Cf")]
    return "、".join(shown[:3])
