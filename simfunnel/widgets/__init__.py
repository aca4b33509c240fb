"""ipywidgets UIs of the kit, one module each; every widget is a class holding its state.

Widgets are usable from code (tests drive them without a browser) and display
themselves in Jupyter and Voilà. They follow :func:`simfunnel.set_language`
unless built with ``lang=``.

    >>> from simfunnel.widgets import DealBoard
    >>> DealBoard.__name__
    'DealBoard'

Importing this package loads ipywidgets and matplotlib; ``import simfunnel`` does not.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WIDGETS = {
    "DealBoard": "deal_board",
    "ThresholdExplorer": "threshold_explorer",
    "WinRateLab": "win_rate_lab",
    "ForecastDashboard": "forecast_dashboard",
    "AllocationExercise": "allocation",
    "AccountMap": "account_map",
    "WorkshopLeaderboard": "leaderboard",
    "RepliesPanel": "replies_panel",
    "RoundControl": "rounds",
    "DebriefPanel": "debrief",
    # workshop mode for trainees: join once (session), then the team's board from the store
    "JoinWidget": "workshop",
    "WorkshopPlay": "workshop",
    "TeamBoard": "workshop",
}

__all__ = list(_WIDGETS)

# The workshop widgets register the board of workshop mode with DealBoard (DealBoard.for_team).
import simfunnel.widgets.workshop  # noqa: E402,F401


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        return getattr(import_module(f".{_WIDGETS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
