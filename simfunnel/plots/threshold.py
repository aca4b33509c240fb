"""The small-order threshold's trade-off: records entered against forecast error (:func:`tradeoff_chart`).

Drawn from :func:`simfunnel.analysis.threshold.sweep`; :func:`tradeoff_current_note` is the one-line
summary of a threshold shown above it (the ThresholdExplorer widget moves both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simfunnel import i18n
from simfunnel.plots.style import (
    FORECAST_COLOR,
    MUTED,
    TEXT_COLOR,
    TOTAL_COLOR,
    chart_text,
    format_percent,
    new_axes,
    plain_axes,
    require_columns,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def tradeoff_current_note(row, currency: str = "CNY", lang: str | None = None) -> str:
    """The one-line summary of a threshold's point on the trade-off curve (shown above the chart)."""
    lang = i18n.resolve_language(lang)
    return chart_text(
        "current_note",
        lang,
        threshold=i18n.format_money(float(row["threshold"]), currency, lang, compact=True),
        records=f"{int(row['records_entered']):,}",
        error=format_percent(float(row["mean_abs_error"])),
        without=format_percent(float(row["mean_abs_error_without_run_rate"])),
    )


def tradeoff_chart(
    table: pd.DataFrame,
    current: "float | pd.Series | dict | None" = None,
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    currency: str = "CNY",
) -> "Axes":
    """The threshold trade-off: records entered (x) against mean |forecast error| (y), one point per threshold.

    Two curves from :func:`simfunnel.analysis.threshold.sweep`: the error of the forecast with the
    out-of-funnel term (run rate) and without it (in-funnel forecast only). Some points are
    labelled with their threshold; the ``current`` threshold is marked on both curves, with
    a dotted guide and a one-line summary above the chart.

    Args:
        table: the DataFrame of :func:`~simfunnel.analysis.threshold.sweep` (needs ``threshold``,
            ``records_entered``, ``mean_abs_error``, ``mean_abs_error_without_run_rate``).
        current: the threshold to mark — a value of ``table.threshold`` or a row of the
            same columns (e.g. ``sweep(h, [T]).iloc[0]``); ``None`` marks nothing.
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: of the thresholds.

    The marker artists carry gids ``current``, ``current_without``, ``current_guide`` and
    ``current_note`` (see :func:`~simfunnel.plots.style.find_artist`) so a widget can move them.
    """
    lang = i18n.resolve_language(lang)
    cols = ("threshold", "records_entered", "mean_abs_error", "mean_abs_error_without_run_rate")
    require_columns(table, cols, "tradeoff_chart", "simfunnel.analysis.threshold.sweep()")
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    t = table.sort_values("threshold")
    x = t["records_entered"].to_numpy(dtype=float)
    y1 = t["mean_abs_error"].to_numpy(dtype=float)
    y2 = t["mean_abs_error_without_run_rate"].to_numpy(dtype=float)
    ax.plot(x, y2, color="#9a9a9a", ls="--", marker="s", ms=3.5, lw=1.4, label=chart_text("without_oof", lang))
    ax.plot(x, y1, color=FORECAST_COLOR, marker="o", ms=4, lw=2, label=chart_text("with_oof", lang))
    # label a few points with their threshold, far enough apart not to collide
    span = float(np.nanmax(x) - np.nanmin(x)) if len(x) else 0.0
    last = None
    for i, (xi, yi, th) in enumerate(zip(x, y1, t["threshold"].to_numpy(dtype=float))):
        if last is not None and abs(xi - last) < 0.09 * span and i != len(x) - 1:
            continue
        if last is not None and i == len(x) - 1 and abs(xi - last) < 0.05 * span:
            continue
        ax.annotate(i18n.format_money(th, currency, lang, compact=True), (xi, yi), xytext=(0, -12),
                    textcoords="offset points", ha="center", va="top", fontsize=7.5, color=MUTED)
        last = xi
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top = float(np.nanmax(np.r_[y1, y2])) if len(x) else 1.0
    ax.set_ylim(0, max(top * 1.18, 0.01))
    if len(x):
        pad = max(span * 0.05, 1.0)
        ax.set_xlim(np.nanmin(x) - pad, np.nanmax(x) + pad)
    ax.set_xlabel(chart_text("records_axis", lang))
    ax.set_ylabel(chart_text("error_axis", lang))
    ax.set_title(chart_text("tradeoff_title", lang), loc="left", fontsize=13, pad=22)
    plain_axes(ax)

    row = None
    if current is not None:
        if isinstance(current, (pd.Series, dict)):
            row = current
        else:
            match = t[np.isclose(t["threshold"].to_numpy(dtype=float), float(current))]
            if match.empty:
                raise ValueError(f"tradeoff_chart: threshold {current!r} is not in the table; pass its sweep row")
            row = match.iloc[0]
    cx = float(row["records_entered"]) if row is not None else np.nan
    c1 = float(row["mean_abs_error"]) if row is not None else np.nan
    c2 = float(row["mean_abs_error_without_run_rate"]) if row is not None else np.nan
    ax.axvline(cx if row is not None else 0, color=TOTAL_COLOR, ls=":", lw=1.2, gid="current_guide",
               visible=row is not None, zorder=1)
    ax.plot([cx], [c2], ls="none", marker="o", ms=10, mfc="none", mec=TOTAL_COLOR, mew=1.8, gid="current_without",
            zorder=4)
    ax.plot([cx], [c1], ls="none", marker="o", ms=11, mfc=TOTAL_COLOR, mec="white", mew=1.5, gid="current",
            label=chart_text("current", lang), zorder=5)
    note = tradeoff_current_note(row, currency, lang) if row is not None else ""
    ax.text(0, 1.015, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=9, color=TEXT_COLOR,
            gid="current_note")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax
