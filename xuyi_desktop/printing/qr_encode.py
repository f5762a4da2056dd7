"""A fast QR encoder for the verification codes: the same modules segno draws, in a fraction of the time.

segno chooses the data mask by applying all eight masks and scoring each in pure Python, module by
module: about 15 ms of the 20 ms a code took, which made the QR code most of a printed page's cost
(issue 17). This module builds the same symbol in about 1 ms: the function patterns, the placement order
of the data bits and the eight masks are computed once per version, the error correction works on the
remainder as one integer, and each candidate (all rows and columns as one integer) is scored with shifts,
ANDs and bit counts by the same rules (ISO/IEC 18004 7.8.3, N1 to N4, as segno's mask_scores counts them)
and the same tie-breaking (the first lowest score) as segno's `find_and_apply_best_mask`. The symbol is therefore identical module for module, mask
included (tests compare it with segno's on many payloads); only byte-mode text with error level M, as
the payloads are, takes this path: anything else goes to segno.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from segno import consts
from segno import encoder as _seg

_ERROR_M = consts.ERROR_LEVEL_M
_CAPACITY = cast("dict[int, dict[int, int]]", consts.SYMBOL_CAPACITY)  # bits a version holds at a level
_ECC = cast("dict[int, dict[int, tuple[Any, ...]]]", consts.ECC)  # its blocks: (count, total, data) codewords
_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
_N3 = "1011101"  # N3: dark, light, dark ×3, light, dark
_SEP = "2222"  # between rows and columns: never dark, as wide as N3's light area, so no rule sees across


def fast_path(text: str) -> bytes | None:
    """The bytes segno would encode in one byte-mode segment without ECI, or None when segno would choose
    another mode (all digits, or all QR alphanumerics) or another encoding (text outside ISO 8859-1)."""
    try:
        data = text.encode("iso-8859-1")
    except UnicodeError:
        return None
    if not data or all(b in _ALNUM for b in data):
        return None  # numeric or alphanumeric mode (or empty): segno's business
    return data


def _version_for(n: int) -> int:
    """The smallest version whose error-level-M capacity holds a byte segment of n bytes (segno's rule)."""
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if _CAPACITY[version][_ERROR_M] >= 4 + count_bits + 8 * n:
            return version
    raise ValueError("data too large for a QR code")


class _Version:
    """Everything about one version that does not depend on the data."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.width = w = version * 4 + 17
        m = _seg.make_matrix(w, w)
        _seg.add_finder_patterns(m, w, w)
        _seg.add_alignment_patterns(m, w, w)
        top = w - 1
        self.bits = [1 << (top - j) for j in range(w)]  # column j as a bit of its row's integer
        # The data region: where the codewords go and the masks apply (the reserved format and version
        # areas are light until the mask is chosen, as in segno's evaluation).
        region = [[row[j] == 0x2 for j in range(w)] for row in m]
        # Placement order (ISO/IEC 18004 7.7.3; segno's add_codewords): two-module columns from the right,
        # alternately upwards and downwards, the vertical timing pattern skipped.
        order: list[tuple[int, int]] = []
        for right in range(w - 1, 0, -2):
            if right <= 6:
                right -= 1
            for vertical in range(w):
                for z in (0, 1):
                    j = right - z
                    upwards = ((right & 2) == 0) ^ (j < 6)
                    i = (w - 1 - vertical) if upwards else vertical
                    if region[i][j]:
                        order.append((i, j))
        # The symbol as one string is then a gather from the message's bit string followed by "0" and "1":
        # each data module takes its bit (the remainder bits are light), each function module its colour.
        self.nbits = nbits = 8 * sum(e.num_blocks * e.num_total for e in _ECC[version][_ERROR_M])
        source = [nbits + (m[i][j] == 1) for i in range(w) for j in range(w)]
        for t, (i, j) in enumerate(order):
            source[i * w + j] = t if t < nbits else nbits
        self.gather = itemgetter(*source)
        fns = _seg.get_data_mask_functions(False)
        self.masks = [
            [sum(self.bits[j] for j in range(w) if region[i][j] and fn(i, j)) for i in range(w)] for fn in fns
        ]
        # Scoring works on all rows and then all columns as one integer, each row or column after a gap of
        # len(_SEP) zero bits (see _score): the module positions, each mask, and for N2 the modules (of rows
        # 1… and columns 1…) that close a 2 × 2 square with the row above and the column left.
        fmt = f"0{w}b"
        self.size = len(_SEP) + 2 * w * (w + len(_SEP))  # bits of the whole integer
        self.col_bits = w * (w + len(_SEP))  # the columns' part, the lowest bits
        self.all = (1 << self.size) - 1
        self.modules = _big(["1" * w] * w, ["1" * w] * w)
        self.mask_bits = []
        for mask in self.masks:
            lines = [format(r, fmt) for r in mask]
            self.mask_bits.append(_big(lines, ["".join(c) for c in zip(*lines)]))
        self.stride = w + len(_SEP)
        gap = "0" * len(_SEP)
        self.n2_where = int(gap + gap.join("0" * w if i == 0 else "0" + "1" * (w - 1) for i in range(w)) + gap, 2)
        self.ecc = _ECC[version][_ERROR_M]
        self.capacity = _CAPACITY[version][_ERROR_M]


@lru_cache(maxsize=8)
def _layout(version: int) -> _Version:
    return _Version(version)


@lru_cache(maxsize=64)
def _generator(ec_words: int) -> tuple[int, ...]:
    """For each leading coefficient, the generator polynomial times it, as one integer of ec_words bytes:
    the Reed-Solomon remainder is then a shift and an XOR per data byte."""
    gen, exp, log = consts.GEN_POLY[ec_words], consts.GALIOS_EXP, consts.GALIOS_LOG
    out = [0]
    for coef in range(1, 256):
        lc = log[coef]
        out.append(int.from_bytes(bytes(exp[lc + g] for g in gen[:ec_words]), "big"))
    return tuple(out)


def _ec_block(block: bytes, ec_words: int) -> bytes:
    table = _generator(ec_words)
    shift = 8 * (ec_words - 1)
    full = (1 << (8 * ec_words)) - 1
    rem = 0
    for b in block:
        coef = (rem >> shift) ^ b
        rem = ((rem << 8) & full) ^ table[coef]
    return rem.to_bytes(ec_words, "big")


def _codewords(data: bytes, lay: _Version) -> bytes:
    """Mode, count, data, terminator, padding, pad codewords; split into blocks, error correction added,
    both interleaved (ISO/IEC 18004 7.4 to 7.6)."""
    count_bits = 8 if lay.version < 10 else 16
    n = len(data)
    bits = 4 + count_bits + 8 * n
    value = (((0b0100 << count_bits) | n) << (8 * n)) | int.from_bytes(data, "big")
    term = min(lay.capacity - bits, 4)
    value <<= term
    bits += term
    pad = 8 - bits % 8  # segno always adds this (a whole zero byte when already on a boundary)
    value <<= pad
    bits += pad
    stream = value.to_bytes(bits // 8, "big")
    if len(stream) < lay.capacity // 8:
        fill = lay.capacity // 8 - len(stream)
        stream += (b"\xec\x11" * (fill // 2 + 1))[:fill]
    stream = stream[: lay.capacity // 8] if len(stream) > lay.capacity // 8 else stream
    data_blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    pos = 0
    for info in lay.ecc:
        ec_words = info.num_total - info.num_data
        for _ in range(info.num_blocks):
            block = stream[pos : pos + info.num_data]
            pos += info.num_data
            data_blocks.append(block)
            ec_blocks.append(_ec_block(block, ec_words))
    out = bytearray()
    for blocks in (data_blocks, ec_blocks):
        for k in range(max(len(b) for b in blocks)):
            out.extend(b[k] for b in blocks if k < len(b))
    return bytes(out)




# N3 as segno counts it: a 1011101 with four light modules before it or after it (the edge of the symbol,
# here _SEP, counts as light), scanned without overlap after a counted one (segno resumes 7 further on;
# after one not counted it resumes 4 further on, where the pattern cannot start any earlier anyway).
_N3_COUNTED = re.compile(f"{_N3}(?:(?=[02]{{4}})|(?<=[02]{{4}}{_N3}))")  # starts with the literal: a fast scan


def _n3(text: str) -> int:
    """segno's N3 over all rows and columns at once: `text` holds each after _SEP."""
    return 40 * len(_N3_COUNTED.findall(text))


_DARK = str.maketrans("012", "010")


def _big(rows: list[str], cols: list[str]) -> int:
    """Rows then columns of "0"/"1" as one integer, each after len(_SEP) zero bits and a gap at the end."""
    return int((_SEP + _SEP.join(rows) + _SEP + _SEP.join(cols) + _SEP).translate(_DARK), 2)


def _n1(x: int) -> int:
    """N1 for the runs of 1 bits in x: a run of L ≥ 5 scores L - 2 (rows are kept apart by zero gaps)."""
    y = x & (x >> 1) & (x >> 2) & (x >> 3) & (x >> 4)  # where five alike start: L - 4 bits for a run
    return y.bit_count() + 2 * (y & ~(y << 1)).bit_count()


def _score(dark: int, lay: _Version) -> int:
    """The penalty N1 + N2 + N3 + N4 of a masked symbol (before format and version information), as
    segno's mask_scores counts it, with `dark` its rows and columns as _big makes them."""
    light = ~dark & lay.modules
    score = _n1(dark) + _n1(light)
    # N3: 1011101 (its last module at bit e) with light or edge at e-1…e-4 (after) or e+7…e+10 (before).
    open_ = ~dark & lay.all
    found = dark & (light >> 1) & (dark >> 2) & (dark >> 3) & (dark >> 4) & (light >> 5) & (dark >> 6)
    counted = found & (((open_ << 1) & (open_ << 2) & (open_ << 3) & (open_ << 4))
                       | ((open_ >> 7) & (open_ >> 8) & (open_ >> 9) & (open_ >> 10)))
    if counted & ((counted >> 4) | (counted >> 6)):  # two overlap: segno's scan skips the second, count as it does
        score += _n3(format(dark, f"0{lay.size}b"))
    else:
        score += 40 * counted.bit_count()
    r = dark >> lay.col_bits  # the rows alone
    same = ~(r ^ (r >> lay.stride))  # a module like the one above it
    score += 3 * (same & (same >> 1) & ~(r ^ (r >> 1)) & lay.n2_where).bit_count()
    percent = float(r.bit_count()) / lay.width**2
    score += 10 * int(abs(percent * 100 - 50) / 5)
    return score


@lru_cache(maxsize=64)
def _format_and_version(version: int, mask: int) -> tuple[tuple[int, int], ...]:
    """The dark modules of the format information (error level M, the mask) and, from version 7, of the
    version information, as (row, bits to set) pairs."""
    w = version * 4 + 17
    m = tuple(bytearray(w) for _ in range(w))
    _seg.add_format_info(m, version, _ERROR_M, mask)
    _seg.add_version_info(m, version)
    out = tuple((i, int("".join("1" if v else "0" for v in row), 2)) for i, row in enumerate(m))
    return tuple((i, bits) for i, bits in out if bits)


def encode_rows(data: bytes) -> tuple[list[str], int]:
    """The symbol as rows of "0"/"1" (without quiet zone) and the mask chosen."""
    lay = _layout(_version_for(len(data)))
    message = _codewords(data, lay)
    flat = "".join(lay.gather(format(int.from_bytes(message, "big"), f"0{lay.nbits}b") + "01"))
    w = lay.width
    symbol = _big([flat[k : k + w] for k in range(0, w * w, w)], [flat[j::w] for j in range(w)])
    best, best_score = -1, 1 << 62
    for k, mask in enumerate(lay.mask_bits):
        score = _score(symbol ^ mask, lay)
        if score < best_score:
            best, best_score = k, score
    rows = [int(flat[k : k + w], 2) ^ m for k, m in zip(range(0, w * w, w), lay.masks[best])]
    for i, info in _format_and_version(lay.version, best):
        rows[i] |= info
    fmt = f"0{w}b"
    return [format(r, fmt) for r in rows], best
