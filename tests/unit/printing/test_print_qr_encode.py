"""The fast QR encoder draws exactly segno's symbol (issue 17): same version, same mask, every module."""

from __future__ import annotations

import datetime as dt
import random
import string

import pytest
import segno

from xuyi_desktop.printing import qr
from xuyi_desktop.printing.qr_encode import encode_rows, fast_path


def segno_rows(text: str) -> tuple[list[str], int]:
    code = segno.make_qr(text, error="m", boost_error=False)
    return ["".join("1" if v else "0" for v in row) for row in code.matrix], code.mask


def payload(i: int) -> str:
    rnd = random.Random(i)
    return qr.build_payload(
        "CERT", f"TMP-AB12CD-CERT-2026-{i:06d}", "TMP-AB12CD", dt.date(2026, 3, 5),
        {"u": "91320830PYQLFT169T", "d": "highway_construction", "g": "AA", "n": "江苏淮河水运集团盱眙县港口物流装卸服务有限公司"[: 5 + i % 20]},
        lambda body: rnd.randbytes(64),
    )


def test_payloads_are_segnos_symbols_mask_included() -> None:
    masks = set()
    for i in range(40):
        text = payload(i)
        data = fast_path(text)
        assert data is not None
        rows, mask = encode_rows(data)
        assert (rows, mask) == segno_rows(text)
        masks.add(mask)
    assert len(masks) > 1  # the mask really is chosen per code, not fixed


@pytest.mark.parametrize("length", [1, 14, 15, 16, 17, 30, 60, 106, 107, 108, 150, 213, 214, 279, 280, 400, 700, 1200])
def test_every_version_and_padding_case(length: int) -> None:
    rnd = random.Random(length)
    alphabet = string.ascii_letters + string.digits + "|;=~-_"
    for _ in range(3):
        text = "".join(rnd.choice(alphabet) for _ in range(length - 1)) + "|"
        assert encode_rows(fast_path(text))[0] == segno_rows(text)[0]  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0123456789", "HTTP://XY1/ABC", "名称", ""])
def test_other_modes_go_to_segno(text: str) -> None:
    assert fast_path(text) is None
    if text:
        assert qr.qr_rows(text) == segno_rows(text)[0]


def test_qr_matrix_unchanged() -> None:
    text = payload(7)
    assert qr.qr_matrix(text) == [[bool(v) for v in row] for row in segno.make_qr(text, error="m", boost_error=False).matrix]


def test_every_mask_scores_as_segno_scores_it() -> None:
    """Not only the chosen mask: each candidate's penalty (N1 to N4) equals segno's evaluate_mask, so the
    choice agrees on any data, ties included."""
    from segno import encoder

    from xuyi_desktop.printing import qr_encode as q

    rnd = random.Random(17)
    texts = [payload(i) for i in range(6)] + ["".join(rnd.choice("01|") for _ in range(n)) for n in (20, 90, 300)]
    for text in texts:
        data = fast_path(text)
        assert data is not None
        lay = q._layout(q._version_for(len(data)))
        bits = format(int.from_bytes(q._codewords(data, lay), "big"), f"0{lay.nbits}b") + "01"
        flat = "".join(lay.gather(bits))
        w = lay.width
        rows = [flat[k : k + w] for k in range(0, w * w, w)]
        for mask in lay.masks:
            cand = [format(int(r, 2) ^ m, f"0{w}b") for r, m in zip(rows, mask, strict=True)]
            expected = encoder.evaluate_mask(tuple(bytearray(int(v) for v in r) for r in cand), w, w)
            assert q._score(q._big(cand, ["".join(c) for c in zip(*cand)]), lay) == expected
