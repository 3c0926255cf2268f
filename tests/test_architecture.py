"""The package's layout rules (docs/architecture.md), checked on the source itself.

The import graph counts every import in a module, at the top, inside a function or under
``TYPE_CHECKING``: a lazy import is still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "stancewatch"

# The stages of the pipeline: each one's modules may import the shared top-level modules and
# their own stage, never another stage. The outer layers (pipeline, api, report, scale, cli,
# web, export) put the stages together.
STAGES = ("ingest", "attribution", "stance", "claims", "narratives", "analytics")
SHARED = {
    "stancewatch",
    "stancewatch.errors",
    "stancewatch.records",
    "stancewatch.packs",
    "stancewatch.nlp",
    "stancewatch.passes",
    "stancewatch.registry",
    "stancewatch.settings",
    "stancewatch.version",
}
MAX_TOP_MODULES = 12
MIN_SUBPACKAGES = 8
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every stancewatch import in ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text("utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "stancewatch":
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:  # `from stancewatch.stance import coding`
                    yield full, "", node.lineno
                else:
                    yield target, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "stancewatch":
                    yield alias.name, "", node.lineno


def graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _, _ in imports(name) if target != name and target in MODULES}
        for name in MODULES
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_has_no_cycle() -> None:
    assert find_cycle(graph()) is None


def test_no_private_name_is_imported_across_modules() -> None:
    crossing = [
        f"{name}:{line} imports {target}.{imported}"
        for name in MODULES
        for target, imported, line in imports(name)
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert crossing == []


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_itself_and_the_shared_modules(stage: str) -> None:
    prefix = f"stancewatch.{stage}"
    outside = [
        f"{name}:{line} imports {target}"
        for name in MODULES
        if name == prefix or name.startswith(prefix + ".")
        for target, _, line in imports(name)
        if target not in SHARED and target != prefix and not target.startswith(prefix + ".")
    ]
    assert outside == []


def test_the_top_of_the_package_is_a_few_shared_modules_beside_the_stages() -> None:
    top_modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    subpackages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert len(top_modules) + 1 <= MAX_TOP_MODULES, top_modules  # + the package's __init__
    assert len(subpackages) >= MIN_SUBPACKAGES
    assert set(STAGES) <= set(subpackages)


def test_no_module_is_over_the_size_limit() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def documented_surface() -> dict[str, list[str]]:
    """docs/architecture.md's Public API table: package → the names it documents."""
    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text("utf-8")
    section = text.split("## Public API", 1)[1]
    rows = re.findall(r"^\| `(stancewatch[\w.]*)` \| (.*) \|$", section, flags=re.M)
    return {package: re.findall(r"`(\w+)`", names) for package, names in rows}


def test_the_documented_public_surface_covers_every_package() -> None:
    packages = {"stancewatch"} | {
        f"stancewatch.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")
    }
    assert set(documented_surface()) == packages


@pytest.mark.parametrize("package", sorted(documented_surface()))
def test_each_package_exports_exactly_what_the_docs_name(package: str) -> None:
    module = importlib.import_module(package)
    documented = documented_surface()[package]
    assert sorted(module.__all__) == sorted(documented)
    for name in documented:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_importing_a_stage_loads_no_other_stage() -> None:
    code = (
        "import sys, stancewatch.claims.quantities\n"
        "loaded = sorted({m.split('.')[1] for m in sys.modules if m.startswith('stancewatch.')})\n"
        "print(' '.join(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) <= {"claims", "errors", "registry", "records", "version"}
