"""The document fonts, registered once per process.

On Windows the system's own official-document fonts are preferred when present: FangSong (simfang.ttf)
for body text, 方正小标宋 (if the office has it installed) or SimSun (simsun.ttc) for titles, SimHei
(simhei.ttf) for headings. Everywhere else, and for any role whose system font is missing or refuses
embedding, the free AR PL UMing CN (a Song/Ming face, Arphic Public License) shipped under
resources/fonts/ is used; titles and headings set in it are emboldened by stroking the outline, which
stands in for 小标宋 and 黑体.

Every font is a TrueType outline font that ReportLab embeds as a subset: no printed document relies on the
reader's fonts. Set XUYI_PRINT_FONTS=bundled to ignore the system fonts (identical output on every machine).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from xuyi_desktop.paths import resource_path

log = logging.getLogger(__name__)

BUNDLED_FILE = "uming.ttc"
BUNDLED_INDEX = 0  # AR PL UMing CN (glyph shapes after GB 18030); 1 HK, 2 TW, 3 TW MBE
BUNDLED_NAME = "AR PL UMing CN"

# Roles, and the ReportLab name of the shipped font (one registration serves every role).
BODY, TITLE, HEADING = "XY-Body", "XY-Title", "XY-Heading"
BUNDLED_FONT = "XY-UMingCN"


@dataclass(frozen=True)
class FontChoice:
    name: str  # the ReportLab name
    family: str  # what it is, for reports and the about box
    path: Path
    fake_bold: bool  # draw with a stroked outline (the face has no bold of its own)


@dataclass(frozen=True)
class DocumentFonts:
    body: FontChoice
    title: FontChoice
    heading: FontChoice


    @property
    def summary(self) -> str:
        return f"正文 {self.body.family}；标题 {self.title.family}；小标题 {self.heading.family}"


class FontMissingError(RuntimeError):
    """Neither a system font nor the shipped one could be loaded: the installation is damaged."""


_lock = threading.Lock()
_fonts: DocumentFonts | None = None


def _windows_font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")  # fonts installed for one user only
    return dirs


# Candidates per role: (file name, subfont index, family shown, fake bold).
_WINDOWS_CANDIDATES: dict[str, list[tuple[str, int, str, bool]]] = {
    BODY: [("simfang.ttf", 0, "仿宋 FangSong", False)],
    TITLE: [
        ("FZXBSJW.TTF", 0, "方正小标宋简体", False),
        ("simsun.ttc", 0, "宋体 SimSun", True),
        ("simhei.ttf", 0, "黑体 SimHei", False),
    ],
    HEADING: [("simhei.ttf", 0, "黑体 SimHei", False)],
}


_registered: dict[tuple[str, int], str] = {}


def _try_register(name: str, path: Path, index: int) -> str | None:
    """Register the face once under `name` and return the name it is known by (None if unusable).
    The same file and face asked for by two roles is registered, and embedded, only once."""
    key = (str(path), index)
    if key in _registered:
        return _registered[key]
    try:
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    except (TTFError, OSError, ValueError) as exc:  # restricted embedding, damaged or unreadable file
        log.warning("font %s (%s #%d) not usable: %s", name, path, index, exc)
        return None
    _registered[key] = name
    return name


def bundled_font_path() -> Path:
    return resource_path("fonts", BUNDLED_FILE)


def _bundled(fake_bold: bool) -> FontChoice:
    path = bundled_font_path()
    if not path.is_file():
        raise FontMissingError(f"找不到随程序提供的字体文件 {path}，请重新安装 (shipped font missing)")
    name = _try_register(BUNDLED_FONT, path, BUNDLED_INDEX)
    if name is None:
        raise FontMissingError(f"无法加载字体文件 {path}，请重新安装 (shipped font unreadable)")
    return FontChoice(name, BUNDLED_NAME, path, fake_bold)


def _choose(role: str, use_system: bool) -> FontChoice:
    if use_system:
        for file_name, index, family, fake_bold in _WINDOWS_CANDIDATES[role]:
            for folder in _windows_font_dirs():
                path = folder / file_name
                if path.is_file():
                    name = _try_register(f"{role}-{path.stem}", path, index)
                    if name is not None:
                        return FontChoice(name, family, path, fake_bold)
    return _bundled(fake_bold=role != BODY)


def fallback_for(font_name: str) -> str | None:
    """The shipped font (registered on first need) for characters a system font lacks; None for the
    shipped font itself."""
    if font_name == BUNDLED_FONT:
        return None
    try:
        return _bundled(False).name
    except FontMissingError:
        return None


def has_glyph(font_name: str, char: str) -> bool:
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    return face is None or ord(char) in face.charToGlyph


def register_fonts() -> DocumentFonts:
    """Register the body, title and heading fonts (once per process) and say which files they are."""
    global _fonts
    if _fonts is not None:
        return _fonts
    with _lock:
        if _fonts is None:
            use_system = sys.platform == "win32" and os.environ.get("XUYI_PRINT_FONTS", "").lower() != "bundled"
            _fonts = DocumentFonts(*(_choose(role, use_system) for role in (BODY, TITLE, HEADING)))
            log.info("document fonts: %s", _fonts.summary)
    return _fonts
