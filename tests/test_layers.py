"""The package's layers: a module may import its own layer and the layers below it, never above.

The order is the README's package map (Development section). Imports inside
functions and under ``TYPE_CHECKING`` count too: a lazy import of a higher layer
is still a dependency pointing backwards.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graph"
# Lowest first. The bare package `graph` (its public face) stands with the API.
LAYERS = [
    ("base", ("graph.errors", "graph.paths", "graph.text")),
    ("model", ("graph.model",)),
    ("dataset", ("graph.dataset",)),
    ("cypher", ("graph.cypher",)),
    ("backends", ("graph.backends",)),
    ("analysis", ("graph.analysis",)),
    ("lists", ("graph.lists",)),
    ("outputs", ("graph.outputs",)),
    ("api", ("graph.api", "graph")),
    ("cli", ("graph.cli", "graph.__main__")),
]
# Engines sit side by side: neither knows the other.
SIBLINGS = [("graph.backends.ladybug", "graph.backends.neo4j")]


def layer_of(module: str) -> int:
    """Index in LAYERS of the most specific prefix naming ``module``."""
    best, length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and the README's map")
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def graph_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a ``graph`` module anywhere in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "graph"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "graph":
            found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_module_imports_a_higher_layer(path):
    here = module_name(path)
    mine = layer_of(here)
    backwards = [
        f"{path.name}:{line}: {here} ({LAYERS[mine][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for line, target in graph_imports(path)
        if layer_of(target) > mine
    ]
    for a, b in SIBLINGS:
        for x, y in ((a, b), (b, a)):
            if here.startswith(x):
                backwards += [f"{path.name}:{line}: {here} imports its sibling {target}" for line, target in graph_imports(path) if target.startswith(y)]
    assert not backwards, "\n".join(backwards)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_module_is_over_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


def test_the_layer_check_catches_a_backwards_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from graph.cli import cli\n    import graph.api\n", encoding="utf-8")
    assert graph_imports(planted) == [(2, "graph.cli"), (3, "graph.api")]
    assert layer_of("graph.model.schema") < layer_of("graph.cli") and layer_of("graph") == layer_of("graph.api")


def test_every_layer_is_in_the_readme_map():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            if prefix != "graph":
                assert f"`{prefix.replace('.', '/')}" in readme, f"{prefix} is missing from the README's package map"
