"""The package's layering: public names only across modules, and no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "cx_audit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` of every cx_audit import in ``path`` (names empty: the module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cx_audit"):
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names
                         if a.name.startswith("cx_audit"))
    return found


def test_no_module_imports_a_private_name_or_module_of_another() -> None:
    offences = []
    for name, path in MODULES.items():
        for module, names, line in _imports(path):
            parts = module.split(".")
            if any(_private(part) for part in parts):
                offences.append(f"{name}:{line} imports private module {module}")
            for imported in names:
                if _private(imported) and f"{module}.{imported}" not in MODULES:
                    offences.append(f"{name}:{line} imports {module}.{imported}")
                elif _private(imported):
                    offences.append(f"{name}:{line} imports private module {module}.{imported}")
    assert offences == []


def test_no_module_reads_a_private_attribute_of_another_module() -> None:
    """``other_module._name`` is as private as importing ``_name``."""
    offences = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                    "cx_audit"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in MODULES:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in MODULES:
                        aliases[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _private(node.attr)):
                offences.append(f"{name}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    assert offences == []


def _graph(level: int | None) -> nx.DiGraph[str]:
    """Imports between modules (``level`` None) or between packages cut at ``level`` parts."""
    def unit(module: str) -> str:
        return module if level is None else ".".join(module.split(".")[:level])

    graph: nx.DiGraph[str] = nx.DiGraph()
    for name, path in MODULES.items():
        for module, names, _ in _imports(path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES] or [module]
            for target in targets:
                if target in MODULES and unit(target) != unit(name):
                    graph.add_edge(unit(name), unit(target))
    return graph


def test_no_import_cycles_between_modules() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph(None)) if len(c) > 1]
    assert cycles == []


def test_no_import_cycles_between_packages() -> None:
    graph = _graph(2)
    assert "cx_audit.rules" in graph and "cx_audit.analysis" in graph  # the test sees the layers
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []
