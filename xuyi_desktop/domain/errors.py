"""Errors as types, so the UI can show a message beside its field and the CLI print it on one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One rule broken by one field, in the words a counter clerk reads (and an English gloss)."""

    field: str
    message_zh: str
    message_en: str = ""

    def __str__(self) -> str:
        return f"{self.message_zh} ({self.message_en})" if self.message_en else self.message_zh


class DomainError(Exception):
    """Base of every rejection the services raise on bad input; the CLI maps it to exit code 1."""

    message_zh: str = "输入被拒绝"
    message_en: str = "input rejected"

    def __str__(self) -> str:
        return f"{self.message_zh} ({self.message_en})"


class ValidationError(DomainError):
    """One or more fields break a rule; nothing was written."""

    def __init__(self, problems: list[FieldProblem] | FieldProblem) -> None:
        self.problems = [problems] if isinstance(problems, FieldProblem) else list(problems)
        super().__init__(str(self))

    @property
    def message_zh(self) -> str:  # type: ignore[override]
        return "；".join(p.message_zh for p in self.problems)

    @property
    def message_en(self) -> str:  # type: ignore[override]
        return "; ".join(p.message_en for p in self.problems if p.message_en)

    def for_field(self, field: str) -> list[FieldProblem]:
        return [p for p in self.problems if p.field == field]
