"""The rating schemes and business types this installation runs on, loaded and validated once per process."""

from __future__ import annotations

from functools import lru_cache

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.rating_schemes import SchemeError, SchemeRegistry, load_registry
from xuyi_desktop.paths import resource_path


class SchemeFileError(DomainError):
    """A scheme file under resources/ is broken: the application refuses to guess."""

    def __init__(self, error: SchemeError) -> None:
        self.message_zh = f"评价规则文件有误：{error}"
        self.message_en = "a rating scheme file under resources/ is invalid"
        super().__init__(self.message_zh)


@lru_cache(maxsize=1)
def registry() -> SchemeRegistry:
    """Validated at first use, which the application and the CLI make at start."""
    try:
        return load_registry(resource_path())
    except SchemeError as exc:
        raise SchemeFileError(exc) from exc
