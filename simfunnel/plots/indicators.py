"""Charts of the three indicators week by week, from :func:`simfunnel.analysis.metrics.indicators`.

:func:`indicator_chart` (forecast, booked and their sum against the quota) and :func:`progress_chart`
(weekly progress against the benchmark), whose bars :func:`progress_bars` redraws for a widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from simfunnel import i18n
from simfunnel.plots.style import (
    BOOKED_COLOR,
    FORECAST_COLOR,
    GREEN,
    QUOTA_COLOR,
    RED,
    TOTAL_COLOR,
    money_formatter,
    new_axes,
    require_indicator_columns,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _weeks(table: pd.DataFrame) -> np.ndarray:
    col = "week" if "week" in table.columns else "t"
    return table[col].to_numpy(dtype=float)


def indicator_chart(
    table: pd.DataFrame,
    quota: float | None = None,
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    currency: str | None = None,
) -> "Axes":
    """Forecast, booked and forecast + booked per week against the quota.

    Args:
        table: the DataFrame of :func:`simfunnel.analysis.metrics.indicators` (needs
            ``forecast``, ``booked`` and ``week`` or ``t``).
        quota: the period's quota, drawn as a dashed line (default:
            ``table.attrs["quota"]`` when present, else no line).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: for the amount axis (default ``table.attrs["currency"]`` or CNY).
    """
    lang = i18n.resolve_language(lang)
    require_indicator_columns(table, ("forecast", "booked"), "indicator_chart")
    i18n.setup_cjk_font()
    quota = table.attrs.get("quota") if quota is None else quota
    currency = currency or table.attrs.get("currency") or "CNY"
    ax = new_axes(ax)
    x = _weeks(table)
    forecast = table["forecast"].to_numpy(dtype=float)
    booked = table["booked"].to_numpy(dtype=float)
    ax.plot(x, forecast, color=FORECAST_COLOR, marker="o", ms=3.5, lw=1.8, label=i18n.label("forecast", lang))
    ax.plot(x, booked, color=BOOKED_COLOR, marker="s", ms=3.5, lw=1.8, label=i18n.label("booked", lang))
    ax.plot(x, forecast + booked, color=TOTAL_COLOR, lw=2.8, label=i18n.label("forecast_plus_booked", lang))
    if quota is not None and np.isfinite(float(quota)):
        quota = float(quota)
        ax.axhline(
            quota, color=QUOTA_COLOR, ls="--", lw=1.4,
            label=f"{i18n.label('quota', lang)} {i18n.format_money(quota, currency, lang, compact=True)}",
        )
    values = np.concatenate([forecast, booked, forecast + booked, [quota or 0.0]])
    if np.nanmin(values) >= 0:
        ax.set_ylim(bottom=0, top=max(np.nanmax(values) * 1.08, 1.0))
    ax.yaxis.set_major_formatter(money_formatter(currency, lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(i18n.label("week", lang))
    ax.set_ylabel(i18n.label("amount", lang))
    ax.set_title(i18n.label("indicator_title", lang), loc="left", fontsize=13)
    ax.grid(axis="y", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax


def progress_bars(ax: "Axes", table: pd.DataFrame) -> list:
    """Draw (or redraw) the weekly progress bars of :func:`progress_chart` on ``ax``; returns the bars.

    Bars are green at or above the week's benchmark and red below, with gid
    ``progress_bar``; bars drawn before by this function are removed first, so a widget
    can swap them without redrawing the rest of the chart.
    """
    for old in [c for c in ax.containers if getattr(c, "_progress_bars", False)]:
        old.remove()
    x = _weeks(table)
    progress = table["progress"].to_numpy(dtype=float)
    benchmark = table["benchmark"].to_numpy(dtype=float)
    has = ~np.isnan(progress)
    good = has & (progress >= benchmark - 1e-12)
    up = ax.bar(x[good], progress[good], width=0.7, color=GREEN, zorder=2, gid="progress_bar")
    down = ax.bar(x[has & ~good], progress[has & ~good], width=0.7, color=RED, zorder=2, gid="progress_bar")
    up._progress_bars = down._progress_bars = True
    return list(up.patches) + list(down.patches)


def progress_chart(table: pd.DataFrame, ax: "Axes | None" = None, lang: str | None = None) -> "Axes":
    """Weekly progress (change of forecast + booked, over quota) against the benchmark.

    Bars are green at or above the week's benchmark and red below; the
    benchmark is the dashed line. Week ``t = 0`` has no progress and no bar.

    Args:
        table: the DataFrame of :func:`simfunnel.analysis.metrics.indicators` (needs
            ``progress``, ``benchmark`` and ``week`` or ``t``).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
    """
    lang = i18n.resolve_language(lang)
    require_indicator_columns(table, ("progress", "benchmark"), "progress_chart")
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    x = _weeks(table)
    benchmark = table["benchmark"].to_numpy(dtype=float)
    progress_bars(ax, table)
    bench = benchmark[~np.isnan(benchmark)]
    constant = bench.size > 0 and np.allclose(bench, bench[0])
    if constant:
        ax.axhline(bench[0], color=QUOTA_COLOR, ls="--", lw=1.5, zorder=3, gid="benchmark")
    else:
        ax.step(x, benchmark, where="mid", color=QUOTA_COLOR, ls="--", lw=1.5, zorder=3, gid="benchmark")
    ax.axhline(0, color="#888888", lw=0.8, zorder=1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(x):
        ax.set_xlim(np.nanmin(x) - 0.6, np.nanmax(x) + 0.6)
    bench_text = f" {bench[0]:.1%}" if constant else ""
    handles = [
        Patch(color=GREEN, label=i18n.label("at_or_above_benchmark", lang)),
        Patch(color=RED, label=i18n.label("below_benchmark", lang)),
        plt.Line2D([], [], color=QUOTA_COLOR, ls="--", lw=1.5, label=i18n.label("benchmark", lang) + bench_text),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    ax.set_xlabel(i18n.label("week", lang))
    ax.set_ylabel(f"{i18n.label('progress', lang)}（{i18n.label('progress_axis', lang)}）" if lang == "zh"
                  else f"{i18n.label('progress', lang)} ({i18n.label('progress_axis', lang).lower()})")
    ax.set_title(i18n.label("progress_title", lang), loc="left", fontsize=13)
    ax.grid(axis="y", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
