"""Win-rate calibration: per stage, the assumed rate, the measured one with its interval, the true one.

:func:`calibration_chart`; :func:`set_calibration_assumed` moves its assumed-rate bars and
:func:`calibration_assumed` reads them back (the WinRateLab widget does both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from simfunnel import i18n
from simfunnel.plots.style import (
    MUTED,
    chart_text,
    find_artist,
    new_axes,
    plain_axes,
    require_columns,
    stage_colors,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def calibration_chart(
    rates: pd.DataFrame,
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    assumed=None,
    true_rates=None,
    level: float = 0.95,
) -> "Axes":
    """Per stage: the assumed win rate, the rate measured in the history with its interval, and the true rate.

    Args:
        rates: the DataFrame of :func:`simfunnel.analysis.winrates.empirical_win_rates` (needs
            ``zh``, ``en``, ``win_rate``, ``low``, ``high``; ``assumed`` unless given).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        assumed: the assumed rates, in stage order or by stage key (default ``rates.assumed``).
        true_rates: the true eventual rates of simulated data (``true_win_rates(chain)``),
            drawn as hollow diamonds; ``None`` for real data.
        level: the interval level, for the legend.

    Stages are told apart by colour (the measured rate and its interval) and by position.
    Per stage, the assumed rate is a black bar across the stage's slot, the measured rate
    and its interval sit just left of centre and the true rate just right, so that none
    hides another when they agree. The assumed bars are one Line2D with gid ``assumed``;
    :func:`set_calibration_assumed` moves them.
    """
    lang = i18n.resolve_language(lang)
    require_columns(rates, ("zh", "en", "win_rate", "low", "high"), "calibration_chart",
                     "simfunnel.analysis.winrates.empirical_win_rates()")
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    k = len(rates)
    x = np.arange(k, dtype=float)
    colors = stage_colors(k)
    emp = rates["win_rate"].to_numpy(dtype=float)
    low = rates["low"].to_numpy(dtype=float)
    high = rates["high"].to_numpy(dtype=float)
    assumed_values = _stage_values(rates, assumed if assumed is not None else rates.get("assumed"), "assumed")
    left = x - CALIBRATION_OFFSET if true_rates is not None else x
    for i in range(k):
        if np.isfinite(low[i]) and np.isfinite(high[i]):
            ax.plot([left[i], left[i]], [low[i], high[i]], color=colors[i], lw=7, alpha=0.35, solid_capstyle="butt",
                    zorder=2)
        if np.isfinite(emp[i]):
            ax.plot([left[i]], [emp[i]], ls="none", marker="o", ms=8, color=colors[i], zorder=3)
            ax.annotate(f"{emp[i]:.0%}", (x[i] + CALIBRATION_HALF, emp[i]), xytext=(3, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8, color=colors[i])
        else:
            ax.text(x[i], 0.03, chart_text("calib_no_data", lang), ha="center", va="bottom", fontsize=8, color=MUTED)
    bx, by = _calibration_bars(assumed_values)
    ax.plot(bx, by, color="#222222", lw=2.6, solid_capstyle="butt", zorder=4, gid="assumed")
    handles = [
        plt.Line2D([], [], color="#222222", lw=2.6, label=chart_text("calib_assumed", lang)),
        plt.Line2D([], [], color="#8a8a8a", lw=7, alpha=0.45, marker="o", ms=7, mfc="#555555", mec="#555555",
                   label=chart_text("calib_empirical", lang, level=f"{level:.0%}")),
    ]
    if true_rates is not None:
        tv = _stage_values(rates, true_rates, "true_rates")
        ax.plot(x + CALIBRATION_OFFSET, tv, ls="none", marker="D", ms=7, mfc="none", mec="#111111", mew=1.4, zorder=5,
                gid="true")
        handles.append(plt.Line2D([], [], ls="none", marker="D", ms=7, mfc="none", mec="#111111", mew=1.4,
                                  label=chart_text("calib_true", lang)))
    labels = rates["zh" if lang == "zh" else "en"].astype(str).tolist()
    ax.set_xticks(x)
    if k <= 6:
        ax.set_xticklabels([_wrap(s, 5 if lang == "zh" else 12) for s in labels], fontsize=9)
    else:  # many stages: one slanted line each
        ax.set_xticklabels(labels, fontsize=8, rotation=30, ha="right", rotation_mode="anchor")
    for tick, c in zip(ax.get_xticklabels(), colors):
        tick.set_color(c)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, k - 0.4)
    ax.set_ylim(0, 1.02)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(chart_text("calib_axis", lang))
    ax.set_title(chart_text("calib_title", lang), loc="left", fontsize=13)
    plain_axes(ax)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax


CALIBRATION_HALF = 0.28  # half the width of an assumed-rate bar, in stage slots
CALIBRATION_OFFSET = 0.11  # measured rate left of centre, true rate right of it


def _calibration_bars(values) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the assumed-rate bars as one line: a segment per stage, NaN between them."""
    values = np.asarray(values, dtype=float)
    x = np.arange(values.size, dtype=float)
    bx = np.column_stack([x - CALIBRATION_HALF, x + CALIBRATION_HALF, np.full(values.size, np.nan)]).ravel()
    by = np.column_stack([values, values, np.full(values.size, np.nan)]).ravel()
    return bx, by


def set_calibration_assumed(ax: "Axes", assumed) -> None:
    """Move the assumed-rate bars of a :func:`calibration_chart` to new rates (stage order)."""
    find_artist(ax, "assumed").set_ydata(_calibration_bars(assumed)[1])


def calibration_assumed(ax: "Axes") -> np.ndarray:
    """The assumed rates a :func:`calibration_chart` shows, in stage order."""
    return np.asarray(find_artist(ax, "assumed").get_ydata(), dtype=float)[::3]


def _stage_values(rates: pd.DataFrame, values, what: str) -> np.ndarray:
    k = len(rates)
    if values is None:
        return np.full(k, np.nan)
    if isinstance(values, dict):
        values = pd.Series(values)
    if isinstance(values, pd.Series) and not isinstance(values.index, pd.RangeIndex):
        out = values.reindex(rates.index).to_numpy(dtype=float)
    else:
        out = np.asarray(values, dtype=float).ravel()
    if out.shape != (k,):
        raise ValueError(f"calibration_chart: {what} has {out.size} values for {k} stages")
    return out


def _wrap(label: str, width: int) -> str:
    """Break a stage label into lines of about ``width`` characters (words kept whole in English)."""
    if len(label) <= width:
        return label
    if " " not in label and "/" not in label:
        if label.isascii():
            return label  # one English word is never cut
        return "\n".join(label[i : i + width] for i in range(0, len(label), width))
    words, lines, line = label.replace("/", "/ ").split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines).replace("/ ", "/")
