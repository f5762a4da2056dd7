"""Sync settings as data: resources/sync/settings.toml (reminder days, clock tolerance, reading limits)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.paths import resource_path

MB, KB = 1024 * 1024, 1024


class SettingsError(DomainError):
    def __init__(self, path: Path, what: str) -> None:
        self.message_zh = f"同步设置文件 {path} 有误：{what}"
        self.message_en = f"sync settings {path}: {what}"
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class Limits:
    max_package: int
    max_header: int
    max_content: int
    max_ratio: int
    max_line: int
    max_changes: int


@dataclass(frozen=True)
class SyncSettings:
    silent_days: int
    warn_ahead_us: int
    max_future_us: int
    limits: Limits


_FIELDS = {
    ("reminders", "silent_days"): (1, 3650),
    ("clock", "warn_ahead_hours"): (1, 24 * 365),
    ("clock", "max_future_days"): (1, 3650),
    ("limits", "max_package_mb"): (1, 64 * 1024),
    ("limits", "max_header_kb"): (1, 1024),
    ("limits", "max_content_mb"): (1, 64 * 1024),
    ("limits", "max_ratio"): (2, 100000),
    ("limits", "max_line_mb"): (1, 1024),
    ("limits", "max_changes"): (1, 10**9),
}


def parse(text: str, path: Path) -> SyncSettings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, f"不是有效的 TOML：{exc}") from exc
    values: dict[str, int] = {}
    for (section, name), (lo, hi) in _FIELDS.items():
        value = (data.get(section) or {}).get(name)
        if type(value) is not int or not lo <= value <= hi:
            raise SettingsError(path, f"[{section}] {name} 应为 {lo}–{hi} 之间的整数")
        values[name] = value
    hour_us = 3600 * 10**6
    return SyncSettings(
        silent_days=values["silent_days"], warn_ahead_us=values["warn_ahead_hours"] * hour_us,
        max_future_us=values["max_future_days"] * 24 * hour_us,
        limits=Limits(values["max_package_mb"] * MB, values["max_header_kb"] * KB, values["max_content_mb"] * MB,
                      values["max_ratio"], values["max_line_mb"] * MB, values["max_changes"]),
    )


@cache
def settings() -> SyncSettings:
    path = resource_path("sync", "settings.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(path, "无法读取") from exc
    return parse(text, path)
