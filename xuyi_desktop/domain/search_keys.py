"""Search keys derived from a name: folded text, full pinyin, pinyin initials, and a key for near-duplicates."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import chain

from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

# Longest first, so 有限责任公司 is removed before 公司.
_LEGAL_FORM_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "合作社", "公司", "厂", "站")


def fold(text: str) -> str:
    """NFKC, lower case, letters and digits only: what search compares (full-width ＡＢ → ab, （）dropped)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# What pypinyin.lazy_pinyin(text, style=Style.NORMAL) builds on every call, built once.
_PINYIN = Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


def _keep(chars: str) -> list[str]:
    return list(chars)


@lru_cache(maxsize=65536)
def _word_syllables(words: str) -> tuple[str, ...]:
    """The syllables of one segment of a name: pypinyin converts each segment on its own (no context), so this is
    what lazy_pinyin gives for it inside any name. Names share most segments (运输, 有限公司, 盱眙): a bulk import or
    a sync package of 100,000 names converts each segment once instead of once per name."""
    return tuple(chain.from_iterable(_PINYIN._converter.convert(  # the stubs say errors returns str; a list is documented
        words, Style.NORMAL, False, _keep, strict=True)))  # type: ignore[arg-type]


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, e.g. 盱眙交通 → ('xuyijiaotong', 'xyjt'); other letters kept as they are.
    The same as lazy_pinyin(fold(name), style=Style.NORMAL, errors=list) (tests/unit/test_search_keys.py)."""
    folded = fold(name)
    syllables = [s for words in _PINYIN.seg(folded) for s in _word_syllables(words)]
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
