"""Matplotlib charts of the funnel, the indicators, the widgets and the workshop, in Chinese or English.

Every chart takes ``ax=`` (a new 8×5 inch figure when ``None``; the multi-panel ones take a
sequence of Axes), draws in the current language (:func:`simfunnel.i18n.set_language`) or in
``lang=``, and returns the Axes. Chinese text renders with a CJK font set up by
:func:`simfunnel.i18n.setup_cjk_font`. The moving parts of the widget charts carry a ``gid``
(see :func:`~simfunnel.plots.style.find_artist`) so that a widget moves them without redrawing.

One module per family of charts; every public name is re-exported here, so callers write
``from simfunnel import plots; plots.funnel_chart(...)``:

- :mod:`~simfunnel.plots.style` — what the charts share: colours (``GREEN``, ``RED``,
  ``FORECAST_COLOR``, ``BOOKED_COLOR``, ``TOTAL_COLOR``, ``QUOTA_COLOR``, ``TEXT_COLOR``, ``MUTED``,
  :func:`stage_colors`), :func:`new_axes`, :func:`money_formatter`, :func:`plain_axes`, the widget
  charts' texts (``CHART_TEXT``, :func:`chart_text`), :func:`literal`, :func:`format_percent`,
  the column checks :func:`require_indicator_columns` / :func:`require_columns`, :func:`find_artist`.
- :mod:`~simfunnel.plots.funnel` — :func:`funnel_chart` (the open deals of a week, stage by stage).
- :mod:`~simfunnel.plots.indicators` — :func:`indicator_chart` (forecast, booked, quota),
  :func:`progress_chart` and its :func:`progress_bars` (weekly progress against the benchmark).
- :mod:`~simfunnel.plots.threshold` — :func:`tradeoff_chart` and :func:`tradeoff_current_note`
  (the small-order threshold: records entered against forecast error).
- :mod:`~simfunnel.plots.forecast` — :func:`forecast_vs_actual_chart`,
  :func:`forecast_vs_actual_note`, :func:`fan_chart` and :func:`fan_week_note` (Monte Carlo).
- :mod:`~simfunnel.plots.calibration` — :func:`calibration_chart` (win rates assumed, measured,
  true), :func:`set_calibration_assumed`, :func:`calibration_assumed`.
- :mod:`~simfunnel.plots.segments` — :func:`segment_chart` (the attack/defend model).
- :mod:`~simfunnel.plots.allocation` — :func:`allocation_chart` (seller time across segments).
- :mod:`~simfunnel.plots.trust` — :func:`trust_chart` (relationship work and advance actions compared).
- :mod:`~simfunnel.plots.collections` — :func:`collection_chart` (booked vs collected: 回收账款).
- :mod:`~simfunnel.plots.people` — :func:`org_chart` and :func:`org_chart_size` (an account's
  people), :func:`role_icon` (a buying role's animal), :func:`brain_label` (a whole-brain type).
- :mod:`~simfunnel.plots.workshop` — :func:`team_chart`, :func:`team_weeks_chart` (the trainer's
  leaderboard), :func:`round_chart`, :func:`branch_chart` (the debrief), :func:`team_colors`.

``import simfunnel`` does not import this package (nor matplotlib): import it when drawing.

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import simfunnel as sf
    >>> from simfunnel import plots
    >>> history = sf.Simulation(sf.generate(accounts=50, seed=7), seed=7).run()
    >>> ax = plots.funnel_chart(history, threshold=50_000, lang="zh")
    >>> table = sf.indicators(history, quota=2_000_000, threshold=50_000)
    >>> ax = plots.indicator_chart(table, quota=2_000_000)
    >>> ax = plots.progress_chart(table)
    >>> type(ax).__name__
    'Axes'
"""

from simfunnel import i18n  # noqa: F401  (callers reach it as plots.i18n, e.g. widgets.leaderboard)
from simfunnel.plots.allocation import ALLOCATION_COLORS, ALLOCATION_TEXT, allocation_chart
from simfunnel.plots.collections import COLLECTION_TEXT, collection_chart
from simfunnel.plots.calibration import (
    CALIBRATION_HALF,
    CALIBRATION_OFFSET,
    calibration_assumed,
    calibration_chart,
    set_calibration_assumed,
)
from simfunnel.plots.forecast import fan_chart, fan_week_note, forecast_vs_actual_chart, forecast_vs_actual_note
from simfunnel.plots.funnel import funnel_chart
from simfunnel.plots.indicators import indicator_chart, progress_bars, progress_chart
from simfunnel.plots.people import (
    BRAIN_COLORS,
    BRAIN_HINTS,
    ORG_TEXT,
    ROLE_SHORT,
    brain_label,
    org_chart,
    org_chart_size,
    role_icon,
)
from simfunnel.plots.segments import SEGMENT_COLORS, SEGMENT_TEXT, segment_chart
from simfunnel.plots.style import (
    BOOKED_COLOR,
    CHART_TEXT,
    FIGSIZE,
    FORECAST_COLOR,
    GREEN,
    MUTED,
    QUOTA_COLOR,
    RED,
    STAGE_COLORS,
    TEXT_COLOR,
    TOTAL_COLOR,
    chart_text,
    find_artist,
    format_percent,
    literal,
    money_formatter,
    new_axes,
    plain_axes,
    require_columns,
    require_indicator_columns,
    stage_colors,
)
from simfunnel.plots.threshold import tradeoff_chart, tradeoff_current_note
from simfunnel.plots.workshop import (
    DEBRIEF_TEXT,
    TEAM_COLORS,
    TEAM_PANELS,
    TEAM_TEXT,
    branch_chart,
    round_chart,
    team_chart,
    team_colors,
    team_weeks_chart,
)
from simfunnel.plots.trust import TRUST_COLORS, TRUST_TEXT, trust_chart

__all__ = [
    "ALLOCATION_COLORS", "ALLOCATION_TEXT", "BOOKED_COLOR", "BRAIN_COLORS", "BRAIN_HINTS", "CALIBRATION_HALF",
    "CALIBRATION_OFFSET", "CHART_TEXT", "COLLECTION_TEXT", "DEBRIEF_TEXT", "FIGSIZE", "FORECAST_COLOR", "GREEN", "MUTED", "ORG_TEXT",
    "QUOTA_COLOR", "RED", "ROLE_SHORT", "SEGMENT_COLORS", "SEGMENT_TEXT", "STAGE_COLORS", "TEAM_COLORS",
    "TEAM_PANELS", "TEAM_TEXT", "TEXT_COLOR", "TOTAL_COLOR", "TRUST_COLORS", "TRUST_TEXT", "allocation_chart", "brain_label", "branch_chart",
    "calibration_assumed", "calibration_chart", "collection_chart", "chart_text", "fan_chart", "fan_week_note", "find_artist",
    "forecast_vs_actual_chart", "forecast_vs_actual_note", "format_percent", "funnel_chart", "indicator_chart",
    "literal", "money_formatter", "new_axes", "org_chart", "org_chart_size", "plain_axes", "progress_bars",
    "progress_chart", "require_columns", "require_indicator_columns", "role_icon", "round_chart", "segment_chart",
    "set_calibration_assumed", "stage_colors", "team_chart", "team_colors", "team_weeks_chart", "tradeoff_chart",
    "tradeoff_current_note", "trust_chart",
]
