"""Rules about the shape of the code, read from the tree (no stack, no database).

The import rules (services never import one another, layers, a domain that knows neither
HTTP nor SQL) are import-linter contracts in pyproject.toml, run by ``make lint``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOTS = (ROOT / "shared" / "src", *sorted((ROOT / "services").glob("*/src")))
MAX_LINES = 400


def python_modules(roots: tuple[Path, ...] = SOURCE_ROOTS, base: Path = ROOT) -> dict[str, int]:
    """Every module under ``roots``, by path from ``base``, with its lines."""
    return {
        path.relative_to(base).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for source_root in roots
        for path in sorted(source_root.rglob("*.py"))
    }


def too_long(modules: dict[str, int]) -> dict[str, int]:
    """The modules over the limit, with their lines."""
    return {path: lines for path, lines in modules.items() if lines > MAX_LINES}


def test_the_tree_is_read_from_every_source_root() -> None:
    modules = python_modules()
    assert len(SOURCE_ROOTS) == 5
    for source_root in SOURCE_ROOTS:
        prefix = source_root.relative_to(ROOT).as_posix() + "/"
        assert any(path.startswith(prefix) for path in modules), f"no module under {prefix}"


def test_no_module_is_over_400_lines() -> None:
    """A module that grows past 400 lines becomes a package of smaller ones."""
    over = too_long(python_modules())
    assert not over, f"modules over {MAX_LINES} lines (split each into a package): " + ", ".join(
        f"{path} ({lines})" for path, lines in sorted(over.items())
    )


def test_the_length_rule_sees_a_module_one_line_over(tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (package / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert too_long(python_modules((tmp_path,), tmp_path)) == {"package/long.py": MAX_LINES + 1}


def commits_in(path: Path) -> list[int]:
    """The lines of ``path`` that call a ``commit()`` method."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_services_never_commit_the_unit_of_work_does() -> None:
    """A state change and its events commit together, once: in ``localrights.uow``."""
    committing = {
        path.relative_to(ROOT).as_posix(): lines
        for path in sorted((ROOT / "services").glob("*/src/**/*.py"))
        if (lines := commits_in(path))
    }
    assert not committing, f"commit() outside the unit of work: {committing}"


def test_the_commit_rule_sees_a_commit(tmp_path: Path) -> None:
    module = tmp_path / "use_case.py"
    module.write_text("async def f(session):\n    await session.commit()\n", encoding="utf-8")
    assert commits_in(module) == [2]


PACKAGES = (
    "localrights",
    "localrights_consultation",
    "localrights_notifications",
    "localrights_recommendations",
    "localrights_gateway",
)


def import_circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import one another in a circle (Tarjan's strongly connected
    components of the import graph, imports inside functions and TYPE_CHECKING included)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return circles


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False)
    assert len(graph.modules) > 200
    assert import_circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert import_circles(graph) == [["a.x", "a.y"]]
