"""The import graph follows the layer order declared in ARCHITECTURE.md.

Every import counts, at module level or inside a function (only ``if TYPE_CHECKING:``
blocks are left out: they never run).  A module may import its own package and any
package of a lower layer, never one of its own layer or above; no two modules may
import each other, directly or around a cycle.  The order is declared for the design
(ARCHITECTURE.md, the ``layers`` block), not read back from the code.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "smtp_tutor"


def declared_layers() -> list[set[str]]:
    """Lowest first: each a set of package names (root modules by their own name)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```text layers\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no ```text layers block"
    rows = [line.split("#")[0].split() for line in block.group(1).splitlines()]
    return [set(row) for row in reversed(rows) if row]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def unit(module: str) -> str:
    """The package a module belongs to for layering (``smtp_tutor.x`` for root modules)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "smtp_tutor"
    if len(parts) == 2 and not (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return parts[1]


def imports(known: dict[str, Path]) -> set[tuple[str, str]]:
    edges = set()
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for inner in ast.walk(node)}
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != module and not module.startswith(target + "."):
                    edges.add((module, target))
    return edges


@functools.cache
def package_imports() -> frozenset[tuple[str, str]]:
    """The package's import graph, read once for the tests of this file."""
    return frozenset(imports(modules()))


def test_every_import_goes_down_the_declared_layers():
    layers = declared_layers()
    rank = {name: index for index, layer in enumerate(layers) for name in layer}
    known = modules()
    missing = {unit(module) for module in known} - set(rank)
    assert not missing, f"packages with no layer in ARCHITECTURE.md: {sorted(missing)}"
    wrong = sorted(f"{a} -> {b}" for a, b in package_imports()
                   if unit(a) != unit(b) and rank[unit(b)] >= rank[unit(a)])
    assert wrong == []


def test_no_module_cycle():
    known = modules()
    graph: dict[str, set[str]] = {module: set() for module in known}
    for source, target in package_imports():
        graph[source].add(target)
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]))
            elif nxt not in state:
                visit(nxt, path + [node] if nxt not in path else path)
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    """A core module importing a face lazily, in a function: caught, as upward."""
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from smtp_tutor.faces import arguments\n", encoding="utf-8")
    known = modules() | {"smtp_tutor.protocol.fake": fake}
    assert ("smtp_tutor.protocol.fake", "smtp_tutor.faces.arguments") in imports(known)
    rank = {name: index for index, layer in enumerate(declared_layers()) for name in layer}
    assert rank["protocol"] < rank["faces"]
