"""Password rules for a government office: long enough, not common, not the user name (rules as data)."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from xuyi_desktop.domain.errors import FieldProblem


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int
    min_classes: int
    common: frozenset[str]


def load_policy(path: Path) -> PasswordPolicy:
    """Read resources/security/passwords.toml; refuses a weaker rule than 8 characters of 2 kinds."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    min_length, min_classes = int(data.get("min_length", 10)), int(data.get("min_classes", 2))
    if min_length < 8 or not 1 <= min_classes <= 4:
        raise ValueError(f"{path}: min_length must be at least 8 and min_classes 1–4")
    return PasswordPolicy(min_length, min_classes, frozenset(str(w).lower() for w in data.get("common", [])))


def _classes(password: str) -> int:
    """Kinds present: ASCII lower-case, upper-case, digits, and everything else (symbols, Chinese)."""
    found = set()
    for ch in password:
        if ch.isascii() and ch.islower():
            found.add(0)
        elif ch.isascii() and ch.isupper():
            found.add(1)
        elif ch.isascii() and ch.isdigit():
            found.add(2)
        else:
            found.add(3)
    return len(found)


def _core(password: str) -> str:
    """The word under "password2026!": trailing digits and punctuation taken off."""
    return password.lower().rstrip(string.digits + string.punctuation + " ")


def password_problems(password: str, username: str, policy: PasswordPolicy) -> list[FieldProblem]:
    """Why a new password is refused (empty: accepted). Messages name the rule, never the password."""
    problems: list[FieldProblem] = []
    if len(password) < policy.min_length:
        problems.append(FieldProblem("password", f"密码至少{policy.min_length}个字符", f"password shorter than {policy.min_length}"))
    if _classes(password) < policy.min_classes:
        problems.append(FieldProblem(
            "password", f"密码须包含小写字母、大写字母、数字、符号中的至少{policy.min_classes}种",
            f"password needs {policy.min_classes} kinds of characters"))
    lowered = password.lower()
    name = username.strip().lower()
    around = string.digits + string.punctuation + " "
    bare, name_bare = lowered.strip(around), name.strip(around)
    if name and (lowered in (name, name[::-1]) or bare in (name, name[::-1]) or (name_bare and bare == name_bare)):
        problems.append(FieldProblem("password", "密码不能是用户名（或用户名加数字、符号）", "password is the user name"))
    if lowered in policy.common or _core(password) in policy.common or len(set(lowered)) <= 2:
        problems.append(FieldProblem("password", "密码过于常见，容易被猜中，请换一个", "password is too common"))
    return problems
