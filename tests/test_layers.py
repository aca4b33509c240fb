"""The package's shape: modules of one concept, no private name crossing a module, no run-time module state.

The layers themselves and import cycles are checked by ``lint-imports`` (``[tool.importlinter]`` in
pyproject.toml), which ``make test`` runs before pytest; these tests check what it cannot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simfunnel"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MAX_LINES = 900


def _name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base[: len(base) - level + (1 if is_package else 0)]
    return ".".join(base + ([module] if module else []))


def test_the_layout_of_design_md():
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {"model", "analysis", "crm", "plots", "workshop", "widgets"} <= subpackages
    for concept in ("model/funnel", "model/history", "model/generate", "model/chain", "model/actions",
                    "model/simulate", "model/people", "model/events", "model/replies", "model/segments",
                    "analysis/metrics", "analysis/threshold", "analysis/winrates", "analysis/montecarlo",
                    "analysis/assumptions", "analysis/scorecard", "analysis/scenarios", "analysis/allocation",
                    "crm/sources", "crm/readers", "crm/cells", "crm/importer", "crm/maven",
                    "workshop/store", "workshop/session", "workshop/debrief"):
        assert (PACKAGE / f"{concept}.py").is_file(), concept


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_900_lines(path):
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines: split it by concept"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_crosses_a_module(path):
    """No ``from simfunnel.x import _y``, and no ``x._y`` on a simfunnel module imported here."""
    importer = _name(path)
    tree = _tree(path)
    modules: set[str] = set()  # local names bound to simfunnel modules
    crossing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node.module, node.level, importer, path.name == "__init__.py")
            if not source.startswith("simfunnel"):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    crossing.append(f"line {node.lineno}: from {source} import {alias.name}")
                elif (PACKAGE.parent / source.replace(".", "/") / f"{alias.name}.py").is_file() or (
                        PACKAGE.parent / source.replace(".", "/") / alias.name / "__init__.py").is_file():
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("simfunnel") and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            crossing.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not crossing, f"{importer} reaches private names of other modules: {crossing}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_global_is_rebound_at_run_time(path):
    """One process serves many pages: state a user changes lives in their session or a ContextVar."""
    found = [f"line {node.lineno}: global {', '.join(node.names)}" for node in ast.walk(_tree(path))
             if isinstance(node, ast.Global)]
    assert not found, f"{_name(path)}: {found}"


def test_the_checks_above_can_fail(tmp_path):
    """The private-name check sees both forms it forbids (a guard against a check that passes on anything)."""
    probe = PACKAGE / "model" / "zz_probe_private.py"
    probe.write_text("from simfunnel.model.history import _check_deals\nfrom simfunnel.model import funnel\n"
                     "x = funnel._private\n", "utf-8")
    try:
        with pytest.raises(AssertionError, match=r"_check_deals.*funnel\._private"):
            test_no_private_name_crosses_a_module(probe)
    finally:
        probe.unlink()
