"""The layers, read from the source: every `import` under xuyi_desktop/ parsed with ast, as arrows between its
packages (domain, storage, services, sync, printing, exchange, ui, cli, and the top-level modules).

- no cycle between packages;
- nothing points up: domain → nothing of ours but the top-level helpers; storage → not services/ui/cli;
  sync/printing/exchange → not services (nor ui/cli); services → not ui/cli; ui → not storage (nor cli).

Imports under `if TYPE_CHECKING:` are annotations only (no import at run time) and are not arrows here. The arrows
that existed when this test was written and are not yet moved are listed in KNOWN, each with the file: the test
fails on any new arrow, and also when a listed one is gone (then delete its line, so the list only shrinks)."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "xuyi_desktop"

# (from package, to package, file) of arrows not yet moved; see the report of issue 18
KNOWN: set[tuple[str, str, str]] = set()

# who may not point at whom (besides: no cycle at all)
FORBIDDEN: dict[str, set[str]] = {
    "domain": {"storage", "services", "sync", "printing", "exchange", "ui", "cli"},
    "storage": {"services", "sync", "printing", "exchange", "ui", "cli"},
    "sync": {"services", "ui", "cli"},
    "printing": {"services", "ui", "cli"},
    "exchange": {"services", "ui", "cli"},
    "services": {"ui", "cli"},
    "ui": {"storage", "cli"},  # the window asks services; it never touches storage (nor SQL) itself
    "cli": {"ui"},
}


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem  # a top-level module is its own node


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of the statements inside `if TYPE_CHECKING:` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "xuyi_desktop":  # from xuyi_desktop import paths, __version__
            return [f"xuyi_desktop.{a.name}" for a in node.names]
        return [node.module]
    return []


@cache
def arrows() -> dict[tuple[str, str], set[str]]:
    """(from package, to package) → the files (relative to xuyi_desktop/) that make the arrow."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.relative_to(ROOT).parts:
            continue  # Alembic revisions are frozen history, run by storage only
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        typing_only = _type_checking_only(tree)
        here = _package(path)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in typing_only:
                continue
            for name in _targets(node):
                parts = name.split(".")
                if parts[0] != "xuyi_desktop" or len(parts) < 2:
                    continue
                target = parts[1]
                if not (ROOT / target).is_dir() and not (ROOT / f"{target}.py").is_file():
                    continue  # a name, not a module (__version__)
                if target != here:
                    found[(here, target)].add(path.relative_to(ROOT).as_posix())
    return found


def _cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _without_known(found: dict[tuple[str, str], set[str]]) -> dict[tuple[str, str], set[str]]:
    left = {}
    for (a, b), files in found.items():
        rest = {f for f in files if (a, b, f) not in KNOWN}
        if rest:
            left[(a, b)] = rest
    return left


def test_the_graph_is_read_from_the_source() -> None:
    found = arrows()
    assert ("services", "storage") in found and ("ui", "services") in found and ("cli", "services") in found
    assert ("domain", "services") not in found


def test_no_arrow_points_up() -> None:
    up = {f"{a} → {b}: {', '.join(sorted(files))}" for (a, b), files in _without_known(arrows()).items()
          if b in FORBIDDEN.get(a, set())}
    assert not up, "arrows up the layers:\n" + "\n".join(sorted(up))


def test_no_cycle_between_packages() -> None:
    cycle = _cycle(set(_without_known(arrows())))
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_known_arrows_are_still_there() -> None:
    """An arrow moved away must leave KNOWN too, so the list of exceptions only shrinks."""
    found = arrows()
    gone = {k for k in KNOWN if k[2] not in found.get((k[0], k[1]), set())}
    assert not gone, f"no longer imported, delete from KNOWN: {sorted(gone)}"
