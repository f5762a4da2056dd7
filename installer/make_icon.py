"""Draw the application icon (installer/build/xuyi_desktop.ico) — no download, no binary in git.

A blue rounded square with 信 (credit) in white, drawn with Pillow (already installed: ReportLab needs it)
in the shipped AR PL UMing font. Sizes 16-256; the small ones as classic bitmaps so every tool (NSIS, the
Windows shell, PyInstaller) accepts the file.

    python installer/make_icon.py [OUT.ico]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = HERE / "build" / "xuyi_desktop.ico"
WINDOW_ICON = ROOT / "resources" / "icons" / "xuyi_desktop.png"
SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
BLUE, WHITE = (21, 101, 192, 255), (255, 255, 255, 255)


def draw(size: int = 256) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BLUE)
    font = ImageFont.truetype(str(ROOT / "resources" / "fonts" / "uming.ttc"), int(size * 0.72), index=0)
    # stroke the outline a little: the Ming face is thin, the icon must read at 16 px
    pen.text((size / 2, size / 2), "信", font=font, fill=WHITE, anchor="mm", stroke_width=max(1, size // 40), stroke_fill=WHITE)
    return image


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    WINDOW_ICON.parent.mkdir(parents=True, exist_ok=True)
    image = draw()
    try:
        image.save(out, format="ICO", sizes=SIZES, bitmap_format="bmp")
    except TypeError:  # an old Pillow without bitmap_format: PNG-compressed entries (Windows Vista and later)
        image.save(out, format="ICO", sizes=SIZES)
    image.save(out.with_suffix(".png"))
    # The running program's window and taskbar icon (ui/app.py), the same drawing at 128 px, kept in git
    # (a few KiB) so a source checkout shows it without running this script.
    draw(128).save(WINDOW_ICON)
    print(f"icon: {out} ({out.stat().st_size // 1024} KiB), window icon {WINDOW_ICON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
