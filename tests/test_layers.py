"""The architecture, checked: each package imports only from the layers below it, and no
module takes part in an import cycle (see docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

# Bottom to top. A package may import from its own layer's package and from lower layers;
# packages that share a layer never import each other.
LAYERS = [
    ["entries"],
    ["search", "registration", "open_data", "upkeep"],
    ["theme"],
    ["plugins", "service"],
    ["healthdir"],
]
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    found = {}
    for package in LAYER_OF:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project modules that ``name`` imports, wherever in the file the import is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def test_no_package_imports_against_the_layers() -> None:
    wrong = []
    for name, targets in graph().items():
        here = name.split(".")[0]
        for target in targets:
            there = target.split(".")[0]
            if there != here and LAYER_OF[there] >= LAYER_OF[here]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    edges = graph()
    cycles = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if target.startswith(node + "."):
                continue  # a package's __init__ re-exporting its own modules
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_every_package_says_what_it_holds() -> None:
    for package in LAYER_OF:
        tree = ast.parse((REPO / package / "__init__.py").read_text())
        assert ast.get_docstring(tree), f"{package}/__init__.py has no docstring"
