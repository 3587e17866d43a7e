"""Data flows one way: routers → services → search/models. The check reads every module's
imports (the top-level ones and those inside functions) with the ast module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package → the packages it must never import
FORBIDDEN = {
    "app": ("indexer", "workers", "bench", "tests", "testkit"),
    "app.search": ("app.services", "app.routers", "app.cli"),
    "app.services": ("app.routers", "app.cli"),
    "app.models": ("app.services", "app.routers", "app.search", "app.cli"),
    "indexer": ("app.routers", "app.cli", "workers"),
    "workers": ("app.routers", "app.cli", "indexer"),
    "testkit": ("tests", "bench"),
    "bench": ("tests",),
}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    assert _violations(package, FORBIDDEN[package]) == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from indexer.worker import Indexer\n", encoding="utf-8")
    assert "indexer.worker" in _imports(module)
