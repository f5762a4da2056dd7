"""Search keys derived from a name: folded text, full pinyin, pinyin initials, and a key for near-duplicates."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Longest first, so 有限责任公司 is removed before 公司.
_LEGAL_FORM_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "合作社", "公司", "厂", "站")


def fold(text: str) -> str:
    """NFKC, lower case, letters and digits only: what search compares (full-width ＡＢ → ab, （）dropped)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, e.g. 盱眙交通 → ('xuyijiaotong', 'xyjt'); other letters kept as they are."""
    folded = fold(name)
    syllables = lazy_pinyin(folded, style=Style.NORMAL, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials


def name_key(name: str) -> str:
    """Key under which two names count as 'very similar': folded, without the legal-form suffix."""
    key = fold(name)
    for suffix in _LEGAL_FORM_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key
