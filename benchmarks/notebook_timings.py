"""Notebook budgets of DESIGN.md: each trainee notebook ≤ 10 s on the workshop dataset, the suite ≤ 3 min.

Run from the repository root::

    python benchmarks/notebook_timings.py                 # every notebook in all four folders
    python benchmarks/notebook_timings.py notebooks/zh    # only these folders or files

Each notebook is executed top to bottom with nbclient in a fresh kernel of this
Python, as a trainee's "Run All" does (inline charts rendered, widgets built);
nothing is written back. ``total`` is the wall-clock time from starting the kernel
to the last cell; ``cells`` leaves the kernel start out. The budget applies to
``total`` of the trainee notebooks (``notebooks/en``, ``notebooks/zh``); trainer
copies are timed too and counted in the suite. Jupyter and IPython files go to a
temporary folder, not to ``$HOME``. :func:`measure` returns the figures for
``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
FOLDERS = ("en", "zh", "trainer/en", "trainer/zh")
NOTEBOOK_BUDGET = 10.0  # seconds, each trainee notebook
SUITE_BUDGET = 180.0  # seconds, every notebook of the four folders


def _quiet_jupyter_dirs() -> None:
    base = Path(tempfile.mkdtemp(prefix="simfunnel-nb-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        os.environ.setdefault(var, str(base / sub))


def run_notebook(path: Path, timeout: int = 120) -> dict[str, float]:
    """Execute one notebook in a fresh kernel; returns ``total`` and ``cells`` seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        t1 = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    t2 = time.perf_counter()
    return {"total": t2 - t0, "cells": t2 - t1}


def notebooks(targets: list[str] | None = None) -> list[Path]:
    """The notebooks to time: the given folders or files, default all four folders."""
    paths: list[Path] = []
    for t in targets or [str(NOTEBOOKS / f) for f in FOLDERS]:
        p = Path(t)
        paths.extend(sorted(p.glob("*.ipynb")) if p.is_dir() else [p])
    return paths


def measure(targets: list[str] | None = None) -> list[dict]:
    """One row per notebook: path, total and cell seconds, budget (trainee copies) and pass/fail."""
    _quiet_jupyter_dirs()
    rows = []
    for path in notebooks(targets):
        rel = path.resolve().relative_to(ROOT)
        trainee = rel.parts[1] in ("en", "zh")
        times = run_notebook(path)
        budget = NOTEBOOK_BUDGET if trainee else None
        rows.append({"notebook": str(rel), **times, "budget": budget,
                     "passed": budget is None or times["total"] <= budget})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="folders or notebooks (default: all four folders)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = measure(args.targets)
    suite = time.perf_counter() - t0
    width = max(len(r["notebook"]) for r in rows) if rows else 10
    print(f"{'notebook':<{width}}  total s  cells s  budget s  result")
    for r in rows:
        budget = f"{r['budget']:.0f}" if r["budget"] else "-"
        print(f"{r['notebook']:<{width}}  {r['total']:7.2f}  {r['cells']:7.2f}  {budget:>8}  "
              f"{'pass' if r['passed'] else 'OVER'}")
    ok = all(r["passed"] for r in rows) and suite <= SUITE_BUDGET
    print(f"suite: {len(rows)} notebooks in {suite:.1f} s (budget {SUITE_BUDGET:.0f} s) -> {'pass' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
