"""What the charts of :mod:`simfunnel.plots` share: colours, the figure, the axes, texts, checks.

- Colours: :data:`GREEN` / :data:`RED` (at or above / below a benchmark), :data:`FORECAST_COLOR`,
  :data:`BOOKED_COLOR`, :data:`TOTAL_COLOR`, :data:`QUOTA_COLOR`, :data:`TEXT_COLOR`, :data:`MUTED`,
  and :func:`stage_colors` (colours that tell stages apart).
- Figure and axes: :func:`new_axes` (the Axes of a new 8×5 inch figure when a chart gets ``ax=None``),
  :func:`money_formatter` (an amount axis in compact money), :func:`plain_axes` (light grid, no top
  or right spine).
- Texts: :data:`CHART_TEXT` and :func:`chart_text` (the widget charts' texts in zh and en),
  :func:`literal` (a name drawn as typed), :func:`format_percent` (a share, "—" when missing).
  Chinese text renders with the CJK font of :func:`simfunnel.i18n.setup_cjk_font`, which every
  chart calls before drawing.
- Checks and lookups: :func:`require_indicator_columns` and :func:`require_columns` (a chart's
  table has the columns it needs), :func:`find_artist` (a chart's moving part, by gid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from simfunnel import i18n

if TYPE_CHECKING:
    from matplotlib.axes import Axes


FIGSIZE = (8, 5)
GREEN = "#2e8b57"
RED = "#c0392b"
FORECAST_COLOR = "#1f77b4"
BOOKED_COLOR = "#2ca02c"
TOTAL_COLOR = "#7b3294"
QUOTA_COLOR = "#444444"
TEXT_COLOR = "#222222"
MUTED = "#666666"


# Qualitative colours that tell stages apart (dark enough for white backgrounds).
STAGE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
                "#bcbd22")


# Texts of the widget charts (threshold, forecast, calibration), as (zh, en) pairs.
CHART_TEXT: dict[str, tuple[str, str]] = {
    "tradeoff_title": ("门槛的权衡：录入工作量与预测误差", "Threshold trade-off: data entry vs forecast error"),
    "records_axis": ("本期录入的记录数", "Records entered in the period"),
    "error_axis": ("平均|预测误差|（占销售任务）", "Mean |forecast error| (share of quota)"),
    "with_oof": ("销售预计（含漏斗外预计）", "Forecast with the out-of-funnel term"),
    "without_oof": ("仅漏斗内预计（不含漏斗外）", "Forecast in funnel only"),
    "current": ("当前门槛", "Current threshold"),
    "current_note": (
        "当前门槛 {threshold}：录入 {records} 条记录，平均|误差| {error}（不含漏斗外 {without}）",
        "At {threshold}: {records} records entered, mean |error| {error} ({without} without the out-of-funnel term)",
    ),
    "fva_title": ("每周销售预计与实际结果", "Weekly forecast vs what was actually won"),
    "period_week": ("本期第几周", "Week of the period"),
    "fva_forecast": ("销售预计", "Forecast"),
    "fva_actual": ("实际结果", "Actual outcome"),
    "fva_empirical": ("按历史实测赢率的预计", "Forecast at measured win rates"),
    "fva_true": ("按真实赢率的预计（模拟）", "Forecast at true win rates (simulation)"),
    "fva_gap": ("误差", "Error"),
    "fva_note": ("平均|误差| {error}（占销售任务）", "Mean |error| {error} of quota"),
    "calib_title": ("赢率校准：假设赢率与历史实测", "Win-rate calibration: assumed vs measured"),
    "calib_axis": ("赢率", "Win rate"),
    "calib_assumed": ("假设赢率", "Assumed win rate"),
    "calib_empirical": ("历史实测赢率（{level} 区间）", "Measured win rate ({level} interval)"),
    "calib_true": ("真实赢率（模拟）", "True win rate (simulation)"),
    "calib_no_data": ("无数据", "no data"),
    "fan_title": ("本期最终成交额的蒙特卡洛预测", "Monte Carlo forecast of the period's final bookings"),
    "fan_outer": ("80% 区间（P10–P90）", "80% range (P10–P90)"),
    "fan_inner": ("50% 区间（P25–P75）", "50% range (P25–P75)"),
    "fan_median": ("中位数（P50）", "Median (P50)"),
    "fan_actual": ("实际最终成交额 {amount}", "Actual final bookings {amount}"),
    "fan_week": (
        "第 {week} 周：中位数 {p50}，80% 区间 {p10}–{p90}",
        "Week {week}: median {p50}, 80% range {p10}–{p90}",
    ),
    "fan_week_quota": ("，达成任务概率 {p}", ", chance of hitting quota {p}"),
}


def new_axes(ax: "Axes | None") -> "Axes":
    """``ax``, or the Axes of a new 8×5 inch figure (:data:`FIGSIZE`, constrained layout) when ``None``."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    return ax


def money_formatter(currency: str, lang: str) -> FuncFormatter:
    """A tick formatter writing amounts compactly in ``currency`` and ``lang`` (e.g. ``¥1.2M`` / ``¥120万``)."""
    return FuncFormatter(lambda v, _pos: i18n.format_money(v, currency, lang, compact=True))


def plain_axes(ax: "Axes") -> None:
    """The light look of most charts: a grey horizontal grid behind the data, no top or right spine."""
    ax.grid(axis="y", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def stage_colors(n: int) -> list[str]:
    """``n`` colours that tell stages apart (cycled beyond ten)."""
    return [STAGE_COLORS[i % len(STAGE_COLORS)] for i in range(n)]


def chart_text(key: str, lang: str | None = None, **fields: object) -> str:
    """A text of the widget charts (``CHART_TEXT``) in ``lang``."""
    return i18n.text(CHART_TEXT[key], lang, **fields)


def literal(name: object) -> str:
    """A name (a team's, a trainee's) drawn as typed: ``$`` would start matplotlib's math mode."""
    return str(name).replace("$", r"\$")


def format_percent(v: float, digits: int = 1) -> str:
    """A share as a percentage with ``digits`` decimals (``0.123`` → ``12.3%``); "—" when missing or not finite."""
    return "—" if v is None or not np.isfinite(v) else f"{v:.{digits}%}"


def find_artist(ax: "Axes", gid: str):
    """The artist of ``ax`` drawn with ``gid`` (widgets move these instead of redrawing), or None."""
    for artist in ax.get_children():
        if artist.get_gid() == gid:
            return artist
    return None


def require_indicator_columns(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise ValueError unless ``table`` is a DataFrame with ``columns``; ``what`` names the chart.

    The message names the table of :func:`simfunnel.analysis.metrics.indicators`, the usual input.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what}: expected the DataFrame of simfunnel.analysis.metrics.indicators(), got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: the table has no column {missing[0]!r} (needs {', '.join(columns)})")


def require_columns(table: pd.DataFrame, columns: tuple[str, ...], what: str, source: str) -> None:
    """Raise ValueError unless ``table`` is a DataFrame with ``columns``.

    ``what`` names the chart, ``source`` where its table comes from (both go into the message).
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what}: expected the DataFrame of {source}, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: the table has no column {missing[0]!r} (needs {', '.join(columns)})")
