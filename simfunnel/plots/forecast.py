"""Charts of the forecast against the outcome: week by week and as a Monte Carlo fan.

:func:`forecast_vs_actual_chart` (with :func:`forecast_vs_actual_note`, its mean error) and
:func:`fan_chart` (the period's final bookings as forecast each week, with :func:`fan_week_note`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simfunnel import i18n
from simfunnel.plots.style import (
    BOOKED_COLOR,
    FORECAST_COLOR,
    QUOTA_COLOR,
    RED,
    TEXT_COLOR,
    TOTAL_COLOR,
    chart_text,
    format_percent,
    money_formatter,
    new_axes,
    plain_axes,
    require_columns,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _period_x(table: pd.DataFrame, lang: str) -> tuple[np.ndarray, str]:
    """x values and axis label: period weeks ``t`` when the table has them, else snapshot weeks."""
    if "t" in table.columns:
        return table["t"].to_numpy(dtype=float), chart_text("period_week", lang)
    return table["week"].to_numpy(dtype=float), i18n.label("week", lang)


def forecast_vs_actual_chart(
    table: pd.DataFrame,
    quota: float | None = None,
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    currency: str = "CNY",
) -> "Axes":
    """Week by week, the forecast against what actually came of it.

    Args:
        table: one row per week with ``forecast`` and ``actual`` (amounts) and ``t``
            (period week) or ``week``; optional ``forecast_empirical`` (the forecast at the
            measured win rates) and ``forecast_true`` (at the simulation's true rates) are
            drawn dashed. The simfunnel widgets build it as: forecast = ``F′_t`` of
            :func:`~simfunnel.analysis.metrics.indicators`, actual = ``F′_t − forecast_error × Q``
            (the won amount of the deals in the forecast plus the out-of-funnel bookings of
            the rest of the period; deals still open at the end of the history count at
            their forecast).
        quota: when given, the mean |forecast − actual| / quota is shown above the chart.
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: for the amount axis.

    Artists with gids ``forecast``, ``actual``, ``gap`` and ``note`` can be updated by a widget.
    """
    lang = i18n.resolve_language(lang)
    require_columns(table, ("forecast", "actual"), "forecast_vs_actual_chart", "a forecast/actual table")
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    x, xlabel = _period_x(table, lang)
    f = table["forecast"].to_numpy(dtype=float)
    a = table["actual"].to_numpy(dtype=float)
    ax.fill_between(x, f, a, color=RED, alpha=0.13, lw=0, label=chart_text("fva_gap", lang), gid="gap")
    ax.plot(x, a, color="#222222", marker="s", ms=3.5, lw=2, label=chart_text("fva_actual", lang), gid="actual")
    ax.plot(x, f, color=FORECAST_COLOR, marker="o", ms=3.5, lw=2, label=chart_text("fva_forecast", lang),
            gid="forecast")
    extra = []
    if "forecast_empirical" in table.columns:
        e = table["forecast_empirical"].to_numpy(dtype=float)
        ax.plot(x, e, color="#e08214", ls="--", lw=1.5, label=chart_text("fva_empirical", lang), gid="empirical")
        extra.append(e)
    if "forecast_true" in table.columns:
        tr = table["forecast_true"].to_numpy(dtype=float)
        ax.plot(x, tr, color=TOTAL_COLOR, ls=":", lw=1.8, label=chart_text("fva_true", lang), gid="true")
        extra.append(tr)
    values = np.concatenate([f, a, *extra]) if len(x) else np.zeros(1)
    ax.set_ylim(0, max(float(np.nanmax(values)) * 1.12, 1.0) if np.isfinite(values).any() else 1.0)
    ax.yaxis.set_major_formatter(money_formatter(currency, lang))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(x):
        ax.set_xlim(np.nanmin(x) - 0.4, np.nanmax(x) + 0.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(i18n.label("amount", lang))
    note = forecast_vs_actual_note(f, a, quota, lang)
    ax.set_title(chart_text("fva_title", lang), loc="left", fontsize=13, pad=20 if note else 6)
    ax.text(0, 1.015, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=9, color=TEXT_COLOR, gid="note")
    plain_axes(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax


def forecast_vs_actual_note(forecast, actual, quota: float | None, lang: str | None = None) -> str:
    """``Mean |error| x% of quota`` for the forecast/actual chart ("" without a quota)."""
    if not quota:
        return ""
    gap = np.abs(np.asarray(forecast, dtype=float) - np.asarray(actual, dtype=float)) / float(quota)
    return chart_text("fva_note", lang, error=format_percent(float(np.nanmean(gap)) if gap.size else np.nan))


def fan_week_note(fan: pd.DataFrame, week: int, currency: str = "CNY", lang: str | None = None) -> str:
    """The summary line of one week of a fan: median, 80% range and P(hit quota)."""
    lang = i18n.resolve_language(lang)
    x = fan["t"] if "t" in fan.columns else fan["week"]
    row = fan[x.to_numpy() == week]
    if row.empty:
        return ""
    r = row.iloc[0]

    def money(v: float) -> str:
        return i18n.format_money(float(v), currency, lang, compact=True)

    text = chart_text("fan_week", lang, week=int(week), p50=money(r["p50"]), p10=money(r["p10"]), p90=money(r["p90"]))
    if "p_quota" in fan.columns and pd.notna(r["p_quota"]):
        text += chart_text("fan_week_quota", lang, p=f"{float(r['p_quota']):.0%}")
    return text


def fan_chart(
    fan: pd.DataFrame,
    quota: float | None = None,
    actual: float | None = None,
    week: int | None = None,
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    currency: str = "CNY",
) -> "Axes":
    """The period's final bookings as forecast week by week: a Monte Carlo fan.

    Args:
        fan: one row per week with ``p10``, ``p25``, ``p50``, ``p75``, ``p90`` (amounts) and
            ``t`` (period week) or ``week``; optional ``p_quota`` (chance of hitting quota).
            :class:`~simfunnel.widgets.forecast_dashboard.ForecastDashboard` builds it.
        quota: the period's quota, a dashed line.
        actual: the period's actual final bookings, a solid green line (when known).
        week: the week to mark (a vertical line and a summary above the chart).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: for the amount axis.

    The week marker and its summary carry gids ``week_marker`` and ``week_note``.
    """
    lang = i18n.resolve_language(lang)
    require_columns(fan, ("p10", "p25", "p50", "p75", "p90"), "fan_chart", "a Monte Carlo fan")
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    x, xlabel = _period_x(fan, lang)
    q = {c: fan[c].to_numpy(dtype=float) for c in ("p10", "p25", "p50", "p75", "p90")}
    ax.fill_between(x, q["p10"], q["p90"], color="#9ecae1", alpha=0.55, lw=0, label=chart_text("fan_outer", lang),
                    gid="band_outer")
    ax.fill_between(x, q["p25"], q["p75"], color="#4292c6", alpha=0.6, lw=0, label=chart_text("fan_inner", lang),
                    gid="band_inner")
    ax.plot(x, q["p50"], color="#08306b", lw=2.2, marker="o", ms=3.5, label=chart_text("fan_median", lang),
            gid="median")
    def money(v: float) -> str:
        return i18n.format_money(float(v), currency, lang, compact=True)

    values = [q["p10"], q["p90"]]
    if actual is not None and np.isfinite(float(actual)):
        ax.axhline(float(actual), color=BOOKED_COLOR, lw=2, label=chart_text("fan_actual", lang, amount=money(actual)),
                   gid="actual")
        values.append(np.array([float(actual)]))
    if quota is not None and np.isfinite(float(quota)):
        ax.axhline(float(quota), color=QUOTA_COLOR, ls="--", lw=1.4,
                   label=f"{i18n.label('quota', lang)} {money(quota)}", gid="quota")
        values.append(np.array([float(quota)]))
    allv = np.concatenate(values)
    allv = allv[np.isfinite(allv)]
    if allv.size:
        lo, hi = float(allv.min()), float(allv.max())
        pad = max((hi - lo) * 0.08, abs(hi) * 0.02, 1.0)
        ax.set_ylim(max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad)
    marked = week is not None
    ax.axvline(week if marked else (x[0] if len(x) else 0), color=TOTAL_COLOR, ls=":", lw=1.6, gid="week_marker",
               visible=marked, zorder=4)
    ax.text(0, 1.015, fan_week_note(fan, week, currency, lang) if marked else "", transform=ax.transAxes,
            ha="left", va="bottom", fontsize=9, color=TEXT_COLOR, gid="week_note")
    ax.yaxis.set_major_formatter(money_formatter(currency, lang))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(x):
        ax.set_xlim(np.nanmin(x) - 0.5, np.nanmax(x) + 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(i18n.label("amount", lang))
    ax.set_title(chart_text("fan_title", lang), loc="left", fontsize=13, pad=20)
    plain_axes(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax
