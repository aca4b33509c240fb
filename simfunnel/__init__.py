"""simfunnel: a training and simulation kit for key-account (B2B) sales funnel management.

Generate or import deals, simulate them through funnel stages, and study the
three indicators of opportunity management: 销售预计 forecast, 销售进展 progress
and 漏斗外销售额 out-of-funnel sales.

Example:
    >>> import simfunnel as sf
    >>> world = sf.generate(accounts=50, seed=7)
    >>> history = sf.Simulation(world, seed=7).run(weeks=52)
    >>> table = sf.indicators(history, quota=world.quota, threshold=50_000)
    >>> len(table)
    14

Where sellers spend their time: ``sf.simulate_allocation(world, {"attack": 120, "defend": 80}, seed=2026)``
runs a year with seller weeks split across the attack/defend segments (:mod:`simfunnel.analysis.allocation`).

Sweeps: ``sf.threshold_sweep(history, thresholds)`` (one history, records entered vs
forecast error per threshold) and ``sf.sweep(grid, run)`` (a grid of scenarios —
assumed win rates × thresholds × seeds × world parameters — on any executor).

``import simfunnel`` loads numpy and pandas only; matplotlib and ipywidgets are
imported by ``simfunnel.plots`` and ``simfunnel.widgets`` when used.
"""

from importlib import import_module
from typing import Any

from simfunnel.i18n import get_language, set_language
from simfunnel.model.actions import ACTIONS
from simfunnel.model.chain import true_win_rates
from simfunnel.model.funnel import Funnel, Stage, preset_names
from simfunnel.model.generate import World, generate
from simfunnel.model.history import History
from simfunnel.model.segments import Segmentation, segment_accounts
from simfunnel.model.simulate import Simulation
from simfunnel.analysis.allocation import AllocationParams, simulate_allocation
from simfunnel.analysis.assumptions import brier_score, calibration, frequency_table, naive_bayes_probability
from simfunnel.analysis.backtest import backtest
from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.analysis.montecarlo import montecarlo
from simfunnel.analysis.scenarios import simulate_scenario, sweep
from simfunnel.analysis.scorecard import scorecard, segment_table
from simfunnel.analysis.threshold import sweep as threshold_sweep
from simfunnel.analysis.winrates import compare_rates, empirical_win_rates, overall_win_rate
from simfunnel.workshop.store import MoveRefused, StoreError, WorkshopStore

# Subpackages loaded on first use (``sf.crm.load(...)``, ``sf.plots.funnel_chart(...)``), so that
# ``import simfunnel`` stays light: matplotlib, ipywidgets and openpyxl only when needed.
_LAZY = ("crm", "plots", "widgets", "cli")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return import_module(f"simfunnel.{name}")
    raise AttributeError(f"module 'simfunnel' has no attribute {name!r}")


__all__ = [
    "ACTIONS",
    "AllocationParams",
    "Funnel",
    "History",
    "MoveRefused",
    "Segmentation",
    "Simulation",
    "Stage",
    "StoreError",
    "World",
    "WorkshopStore",
    "backtest",
    "brier_score",
    "calibration",
    "compare_rates",
    "empirical_win_rates",
    "overall_win_rate",
    "frequency_table",
    "generate",
    "get_language",
    "indicators",
    "montecarlo",
    "naive_bayes_probability",
    "preset_names",
    "records_entered",
    "scorecard",
    "segment_accounts",
    "segment_table",
    "set_language",
    "simulate_allocation",
    "simulate_scenario",
    "sweep",
    "threshold_sweep",
    "true_win_rates",
]
__version__ = "0.1.0"
