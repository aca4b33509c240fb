"""Matplotlib charts of the funnel and the three indicators, in Chinese or English.

Every function takes ``ax=`` (a new 8×5 inch figure when ``None``), draws in
the current language (:func:`simfunnel.i18n.set_language`) or in ``lang=``, and
returns the Axes. Chinese text renders with a CJK font set up by
:func:`simfunnel.i18n.setup_cjk_font`.

Charts of the indicators: :func:`funnel_chart`, :func:`indicator_chart`,
:func:`progress_chart`. Charts of the widgets: :func:`tradeoff_chart` (threshold
sweep), :func:`forecast_vs_actual_chart`, :func:`calibration_chart` (win rates) and
:func:`fan_chart` (Monte Carlo). Their moving parts carry a ``gid`` (see
:func:`find_artist`) so that a widget moves them without redrawing the chart.

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

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Polygon
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from simfunnel import i18n

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from simfunnel.model.history import History

FIGSIZE = (8, 5)
GREEN = "#2e8b57"
RED = "#c0392b"
FORECAST_COLOR = "#1f77b4"
BOOKED_COLOR = "#2ca02c"
TOTAL_COLOR = "#7b3294"
QUOTA_COLOR = "#444444"
TEXT_COLOR = "#222222"
MUTED = "#666666"


def _new_axes(ax: "Axes | None") -> "Axes":
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    return ax


def _money_formatter(currency: str, lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: i18n.format_money(v, currency, lang, compact=True))


def _require(table: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what}: expected the DataFrame of simfunnel.analysis.metrics.indicators(), got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: the table has no column {missing[0]!r} (needs {', '.join(columns)})")


def _weeks(table: pd.DataFrame) -> np.ndarray:
    col = "week" if "week" in table.columns else "t"
    return table[col].to_numpy(dtype=float)


# --- funnel --------------------------------------------------------------------
def funnel_chart(
    history: "History",
    week: int | None = None,
    threshold: float = 0,
    ax: "Axes | None" = None,
    lang: str | None = None,
) -> "Axes":
    """The open deals at snapshot ``week`` as a funnel, one bar per open stage.

    Stages run top to bottom in funnel order; a bar's width is the amount open
    in the stage. Each bar is labelled with its deal count, amount and weighted
    amount (amount × win rate, the stage's contribution to the forecast), the
    weighted part drawn as a dark inner bar. With ``threshold > 0`` deals below
    it are a light fringe outside the funnel: they are not forecast and not
    counted in the labels (except in the "below threshold" note).

    Args:
        history: a :class:`~simfunnel.model.history.History`.
        week: snapshot week (default ``history.end_week``).
        threshold: the small-order exclusion threshold ``T`` in the history's currency.
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).

    Raises:
        ValueError: a week outside the history or a negative threshold.
    """
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    funnel = history.funnel
    week = history.end_week if week is None else week
    whole = isinstance(week, (int, np.integer)) or (isinstance(week, (float, np.floating)) and float(week).is_integer())
    if isinstance(week, bool) or not whole or not 0 <= week <= history.end_week:
        raise ValueError(f"week {week!r} is not one of the history's snapshot weeks 0…{history.end_week}")
    week = int(week)
    threshold = float(threshold)
    if not np.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold {threshold!r} must be a non-negative amount")
    currency = history.currency

    def money(v: float) -> str:
        return i18n.format_money(v, currency, lang, compact=True)

    snaps = history.snapshots
    snap = snaps[(snaps.week.to_numpy() == week) & (snaps.status.to_numpy() == "open")]
    k = len(funnel.stages)
    codes = snap.stage.cat.codes.to_numpy().astype(np.int64)
    amount = snap.amount.to_numpy(dtype=float)
    p = history.win_probability(snap) if len(snap) else np.zeros(0)
    inside = amount >= threshold
    nall = len(funnel.all_keys)

    def per_stage(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(codes[mask], weights=None if weights is None else weights[mask], minlength=nall)[:k]

    n_in = per_stage(inside).astype(int)
    n_out = per_stage(~inside).astype(int)
    amt_in = per_stage(inside, amount)
    amt_out = per_stage(~inside, amount)
    weighted = per_stage(inside, amount * p)
    total = amt_in + amt_out

    ax = _new_axes(ax)
    y = np.arange(k, dtype=float)
    height = 0.72 if k <= 6 else 0.66
    widest = float(total.max()) if k and total.max() > 0 else 1.0
    colors = plt.get_cmap("Blues")(np.linspace(0.42, 0.80, k))

    # funnel silhouette: light trapezoids joining consecutive in-funnel bars
    for i in range(k - 1):
        a, b = amt_in[i] / 2, amt_in[i + 1] / 2
        if a <= 0 and b <= 0:
            continue
        top, bottom = y[i] + height / 2, y[i + 1] - height / 2
        ax.add_patch(
            Polygon([(-a, top), (a, top), (b, bottom), (-b, bottom)], closed=True, color=colors[i], alpha=0.18, lw=0)
        )
    edge = np.where(amt_in > 0, 0.8, 0.0)  # no white hairline where a stage has nothing in the funnel
    ax.barh(y, amt_in, left=-amt_in / 2, height=height, color=colors, edgecolor="white", linewidth=edge, zorder=2)
    ax.barh(y, weighted, left=-weighted / 2, height=height * 0.42, color="#08306b", alpha=0.9, zorder=3)
    if threshold > 0:
        fringe = dict(height=height, color="#b8b8b8", alpha=0.55, linewidth=0, zorder=1)
        ax.barh(y, amt_out / 2, left=-amt_in / 2 - amt_out / 2, **fringe)
        ax.barh(y, amt_out / 2, left=amt_in / 2, **fringe)

    # layout: funnel in the left 54 % of the axes, a column of figures on the right
    share = 0.54
    left = -widest / 2 * 1.03
    ax.set_xlim(left, left + widest * 1.03 / share)
    ax.set_ylim(k - 0.5, -0.5 - (0.25 if k <= 6 else 0.15))
    fs = 9.5 if k <= 5 else 8.5 if k <= 8 else 7.5
    one, many = i18n.label("n_deal", lang), i18n.label("n_deals", lang)
    text_x = share + 0.02
    for i in range(k):
        deals = (one if n_in[i] == 1 else many).format(n=n_in[i])
        ax.text(
            text_x, y[i], f"{deals} · {money(amt_in[i])}", transform=ax.get_yaxis_transform(),
            ha="left", va="bottom", fontsize=fs, color=TEXT_COLOR,
        )
        second = f"{i18n.label('weighted', lang)} {money(weighted[i])}"
        if threshold > 0 and n_out[i]:
            count = (one if n_out[i] == 1 else many).format(n=n_out[i])
            second += f" · {i18n.label('below_short', lang)} {count} {money(amt_out[i])}"
        ax.text(
            text_x, y[i] + 0.04, second, transform=ax.get_yaxis_transform(),
            ha="left", va="top", fontsize=fs - 1, color=MUTED,
        )

    ax.set_yticks(y)
    rate = i18n.label("win_rate", lang)
    ax.set_yticklabels(
        [f"{s.label(lang)}\n{rate} {s.win_rate:.0%}" for s in funnel.stages], fontsize=fs + 0.5, linespacing=1.25
    )
    ax.tick_params(axis="y", length=0, pad=6)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)

    n_total = int(n_in.sum())
    summary = i18n.label(
        "funnel_total",
        lang,
        forecast=money(weighted.sum()),
        amount=money(amt_in.sum()),
        deals=(one if n_total == 1 else many).format(n=n_total),
    )
    n_below = int(n_out.sum())
    if threshold > 0 and n_below:
        summary += "\n" + i18n.label(
            "funnel_below", lang, amount=money(amt_out.sum()), deals=(one if n_below == 1 else many).format(n=n_below)
        )
    ax.text(0, 1.01, summary, transform=ax.transAxes, ha="left", va="bottom", fontsize=9.5, color=MUTED,
            linespacing=1.4)
    pad = 34 if "\n" in summary else 20
    ax.set_title(i18n.label("funnel_title", lang, week=week), loc="left", fontsize=13, pad=pad)
    if not len(snap):
        ax.text(0.28, 0.5, i18n.label("no_open_deals", lang), transform=ax.transAxes, ha="center", color=MUTED)

    handles = [
        Patch(color=colors[k // 2] if k else "#6baed6",
              label=i18n.label("in_funnel", lang, threshold=money(threshold)) if threshold > 0
              else i18n.label("open_amount", lang)),
        Patch(color="#08306b", label=i18n.label("weighted_amount", lang)),
    ]
    if threshold > 0:
        handles.append(Patch(color="#b8b8b8", alpha=0.55, label=i18n.label("below_threshold", lang, threshold=money(threshold))))
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=2 if threshold > 0 else 2,
        frameon=False, fontsize=8.5, handlelength=1.4, columnspacing=1.2, borderaxespad=0.3,
    )
    return ax


# --- indicators ----------------------------------------------------------------
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
    _require(table, ("forecast", "booked"), "indicator_chart")
    i18n.setup_cjk_font()
    quota = table.attrs.get("quota") if quota is None else quota
    currency = currency or table.attrs.get("currency") or "CNY"
    ax = _new_axes(ax)
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
    ax.yaxis.set_major_formatter(_money_formatter(currency, lang))
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
    _require(table, ("progress", "benchmark"), "progress_chart")
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
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


# --- charts of the widgets: threshold trade-off, forecast vs actual, calibration, fan ----------------
# Texts of the charts below, as (zh, en) pairs.
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

# Qualitative colours that tell stages apart (dark enough for white backgrounds).
STAGE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
                "#bcbd22")


def chart_text(key: str, lang: str | None = None, **fields: object) -> str:
    """A text of the widget charts (``CHART_TEXT``) in ``lang``."""
    return i18n.text(CHART_TEXT[key], lang, **fields)


def stage_colors(n: int) -> list[str]:
    """``n`` colours that tell stages apart (cycled beyond ten)."""
    return [STAGE_COLORS[i % len(STAGE_COLORS)] for i in range(n)]


def find_artist(ax: "Axes", gid: str):
    """The artist of ``ax`` drawn with ``gid`` (widgets move these instead of redrawing), or None."""
    for artist in ax.get_children():
        if artist.get_gid() == gid:
            return artist
    return None


def _plain(ax: "Axes") -> None:
    ax.grid(axis="y", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def literal(name: object) -> str:
    """A name (a team's, a trainee's) drawn as typed: ``$`` would start matplotlib's math mode."""
    return str(name).replace("$", r"\$")


def _pct(v: float, digits: int = 1) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{v:.{digits}%}"


def _period_x(table: pd.DataFrame, lang: str) -> tuple[np.ndarray, str]:
    """x values and axis label: period weeks ``t`` when the table has them, else snapshot weeks."""
    if "t" in table.columns:
        return table["t"].to_numpy(dtype=float), chart_text("period_week", lang)
    return table["week"].to_numpy(dtype=float), i18n.label("week", lang)


def tradeoff_current_note(row, currency: str = "CNY", lang: str | None = None) -> str:
    """The one-line summary of a threshold's point on the trade-off curve (shown above the chart)."""
    lang = i18n.resolve_language(lang)
    return chart_text(
        "current_note",
        lang,
        threshold=i18n.format_money(float(row["threshold"]), currency, lang, compact=True),
        records=f"{int(row['records_entered']):,}",
        error=_pct(float(row["mean_abs_error"])),
        without=_pct(float(row["mean_abs_error_without_run_rate"])),
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
    ``current_note`` (see :func:`find_artist`) so a widget can move them.
    """
    lang = i18n.resolve_language(lang)
    cols = ("threshold", "records_entered", "mean_abs_error", "mean_abs_error_without_run_rate")
    _require_columns(table, cols, "tradeoff_chart", "simfunnel.analysis.threshold.sweep()")
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
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
    _plain(ax)

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


def _require_columns(table: pd.DataFrame, columns: tuple[str, ...], what: str, source: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what}: expected the DataFrame of {source}, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: the table has no column {missing[0]!r} (needs {', '.join(columns)})")


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
    _require_columns(table, ("forecast", "actual"), "forecast_vs_actual_chart", "a forecast/actual table")
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
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
    ax.yaxis.set_major_formatter(_money_formatter(currency, lang))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(x):
        ax.set_xlim(np.nanmin(x) - 0.4, np.nanmax(x) + 0.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(i18n.label("amount", lang))
    note = forecast_vs_actual_note(f, a, quota, lang)
    ax.set_title(chart_text("fva_title", lang), loc="left", fontsize=13, pad=20 if note else 6)
    ax.text(0, 1.015, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=9, color=TEXT_COLOR, gid="note")
    _plain(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax


def forecast_vs_actual_note(forecast, actual, quota: float | None, lang: str | None = None) -> str:
    """``Mean |error| x% of quota`` for the forecast/actual chart ("" without a quota)."""
    if not quota:
        return ""
    gap = np.abs(np.asarray(forecast, dtype=float) - np.asarray(actual, dtype=float)) / float(quota)
    return chart_text("fva_note", lang, error=_pct(float(np.nanmean(gap)) if gap.size else np.nan))


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
        rates: the DataFrame of :func:`simfunnel.analysis.forecast.empirical_win_rates` (needs
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
    _require_columns(rates, ("zh", "en", "win_rate", "low", "high"), "calibration_chart",
                     "simfunnel.analysis.forecast.empirical_win_rates()")
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
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
    _plain(ax)
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
    _require_columns(fan, ("p10", "p25", "p50", "p75", "p90"), "fan_chart", "a Monte Carlo fan")
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
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
    ax.yaxis.set_major_formatter(_money_formatter(currency, lang))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(x):
        ax.set_xlim(np.nanmin(x) - 0.5, np.nanmax(x) + 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(i18n.label("amount", lang))
    ax.set_title(chart_text("fan_title", lang), loc="left", fontsize=13, pad=20)
    _plain(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return ax


# --- attack/defend segments -------------------------------------------------------
SEGMENT_COLORS = ("#2e8b57", "#c0392b", "#1f77b4", "#8a8a8a")  # quadrant order: defend, attack, maintain, monitor
SEGMENT_TEXT = {
    "segment_title": ("攻守模型：采购潜力 × 我方份额", "Attack/defend model: potential × share of wallet"),
    "segment_x": ("采购潜力（每年，对数刻度）", "Purchase potential per year (log scale)"),
    "segment_y": ("我方份额", "Our share of wallet"),
    "segment_count": ("{label}：{n} 家", "{label}: {n} accounts"),
    "segment_cuts": ("分界：潜力 {potential}，份额 {share}；点的大小 = 我方成交额",
                     "Cut-offs: potential {potential}, share {share}; marker size = our sales"),
    "segment_cuts_plain": ("分界：潜力 {potential}，份额 {share}", "Cut-offs: potential {potential}, share {share}"),
}


def segment_chart(
    history_or_accounts,
    segmentation=None,
    ax: "Axes | None" = None,
    lang: str | None = None,
    currency: str | None = None,
) -> "Axes":
    """The attack/defend model (攻守模型): each account by potential (x, log scale) and our share of wallet (y).

    Args:
        history_or_accounts: a :class:`~simfunnel.model.history.History` with ``accounts`` (marker
            size = our sales, the amount won per account) or an accounts table (one size).
        segmentation: a :class:`~simfunnel.model.segments.Segmentation` (default: the kit's defaults).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: for the potential axis (default: the history's, else CNY).

    Colours tell the four segments apart; dashed lines are the cut-offs; each quadrant is
    labelled with its segment's name and number of accounts. The points carry gid ``accounts``.
    """
    from simfunnel.model.segments import Segmentation, segment_accounts

    lang = i18n.resolve_language(lang)
    seg = segmentation or Segmentation()
    if isinstance(history_or_accounts, pd.DataFrame):
        accounts, sales = history_or_accounts, None
        currency = currency or "CNY"
    else:
        accounts = getattr(history_or_accounts, "accounts", None)
        if accounts is None:
            raise ValueError("segment_chart: the history has no accounts table; pass a History with accounts or one")
        currency = currency or history_or_accounts.currency
        d = history_or_accounts.deals
        won = d[d["status"].astype(str) == "won"]
        per_account = won.groupby(won["account_id"].to_numpy())["amount"].sum()
        sales = per_account.reindex(accounts["account_id"].to_numpy()).fillna(0.0).to_numpy(dtype=float)
    table = segment_accounts(accounts, seg, lang=lang)
    pc, sc = table.attrs["potential_cutoff"], table.attrs["share_cutoff"]
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
    x = table["potential"].to_numpy(dtype=float)
    y = table["share_of_wallet"].to_numpy(dtype=float)
    codes = table["segment"].cat.codes.to_numpy()
    positive = x[x > 0]
    lo = float(positive.min()) if positive.size else max(pc, 1.0) / 10
    hi = float(positive.max()) if positive.size else max(pc, 1.0) * 10
    lo, hi = min(lo, pc if pc > 0 else lo) / 1.6, max(hi, pc) * 1.6
    x = np.clip(x, lo, None)  # a potential of 0 sits on the left edge of the log axis
    if sales is not None and sales.size and sales.max() > 0:
        size = 14 + 260 * np.sqrt(sales / sales.max())
    else:
        size = np.full(len(x), 36.0)
    colors = np.array(SEGMENT_COLORS, dtype=object)[codes] if len(codes) else []
    ax.scatter(x, y, s=size, c=list(colors), alpha=0.6, edgecolors="white", linewidths=0.6, zorder=3, gid="accounts")
    ax.set_xscale("log")
    ymax = max(float(y.max()) if y.size else 0.0, sc) * 1.1 + 0.04
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.14 * ymax, ymax)  # a strip under 0% keeps the lower quadrant labels off the points
    ax.axvline(pc, color=QUOTA_COLOR, ls="--", lw=1.1, zorder=2)
    ax.axhline(sc, color=QUOTA_COLOR, ls="--", lw=1.1, zorder=2)
    counts = np.bincount(codes, minlength=4)
    corners = ((0.985, 0.975, "right", "top"), (0.985, 0.02, "right", "bottom"),
               (0.015, 0.975, "left", "top"), (0.015, 0.02, "left", "bottom"))
    for k, key in enumerate(seg.keys):
        cx, cy, ha, va = corners[k]
        ax.text(cx, cy, i18n.text(SEGMENT_TEXT["segment_count"], lang, label=seg.label(key, lang), n=int(counts[k])),
                transform=ax.transAxes, ha=ha, va=va, fontsize=10.5, color=SEGMENT_COLORS[k], zorder=5,
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85})
    key = "segment_cuts" if sales is not None else "segment_cuts_plain"
    note = i18n.text(SEGMENT_TEXT[key], lang, potential=i18n.format_money(pc, currency, lang, compact=True),
                     share=f"{sc:.0%}")
    ax.text(0, 1.015, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=9, color=MUTED)
    from matplotlib.ticker import LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0) if hi / lo < 1e4 else (1.0,)))
    ax.xaxis.set_major_formatter(_money_formatter(currency, lang))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(i18n.text(SEGMENT_TEXT["segment_x"], lang))
    ax.set_ylabel(i18n.text(SEGMENT_TEXT["segment_y"], lang))
    ax.set_title(i18n.text(SEGMENT_TEXT["segment_title"], lang), loc="left", fontsize=13, pad=20)
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


# --- the account's org chart (AccountMap) ---------------------------------------------------------
# Whole-brain colours as in Herrmann's model: A blue, B green, C red, D yellow (darkened for text on white).
BRAIN_COLORS = {"A": "#2f6fbf", "B": "#2e8b57", "C": "#c0392b", "D": "#c9970c"}
BRAIN_HINTS = {"A": ("数据与投资回报", "data & ROI"), "B": ("流程与低风险", "process & low risk"),
               "C": ("关系与信赖", "relationship & trust"), "D": ("愿景", "vision")}
# Short role names for the chart's nodes (the long ones are in generate.BUYING_ROLES).
ROLE_SHORT = {"decision_maker": ("决策者", "Decision maker"), "user": ("使用者", "User"),
              "technical_gatekeeper": ("技术把关者", "Tech. gatekeeper"),
              "financial_gatekeeper": ("财务把关者", "Fin. gatekeeper"), "purchaser": ("采购人员", "Purchaser")}
ORG_TEXT = {
    "unknown_role": ("角色？", "role ?"),
    "unknown_brain": ("类型？", "style ?"),
    "coach": ("向导", "coach"),
    "met": ("✓ 已见", "✓ met"),
    "met_week": ("✓ 第{week}周", "✓ wk {week}"),
    "legend_met": ("实线实心 = 已拜访", "solid, filled = met"),
    "legend_not_met": ("虚线空心 = 未拜访", "dashed, empty = not met yet"),
    "legend_unknown": ("？= 还不知道（拜访本人，或由向导告诉你）", "? = not known yet (meet them, or ask the coach)"),
    "no_contacts": ("这个客户还没有联系人资料", "No contacts on file for this account"),
}


def brain_label(brain: str, lang: str | None = None) -> str:
    """A whole-brain type with what that audience wants: ``'A 分析型 · 数据与投资回报'`` / ``'A analytical · data & ROI'``."""
    from simfunnel.model.generate import BRAIN_TYPES

    names = {k: (zh, en) for k, zh, en in BRAIN_TYPES}
    if brain not in names:
        raise ValueError(f"unknown whole-brain type {brain!r}; types are {', '.join(names)}")
    lang = i18n.resolve_language(lang)
    name, hint = i18n.text(names[brain], lang), i18n.text(BRAIN_HINTS[brain], lang)
    return f"{brain} {name if lang == 'zh' else name.lower()} · {hint}"


def role_icon(role: str, lang: str | None = None) -> str:
    """The animal of a buying role in the course's picture: 鹰 / eagle (decision maker), 羊 / sheep (user),
    驴 / donkey (gatekeepers), 狐 / fox (purchaser). Text, not emoji: the CJK font has no emoji glyphs."""
    from simfunnel.model.generate import BUYING_ROLES

    animals = {k: (a_zh, a_en) for k, _zh, _en, a_zh, a_en in BUYING_ROLES}
    if role not in animals:
        raise ValueError(f"unknown buying role {role!r}; roles are {', '.join(animals)}")
    return i18n.text(animals[role], lang)


_ORG = {"node_w": 1.6, "node_h": 0.74, "gap_x": 0.14, "gap_y": 0.2, "label_w": 0.95, "head_h": 0.34,
        "title_h": 0.72, "legend_h": 0.78, "margin": 0.12, "min_w": 8.2, "max_w": 10.8}


def _org_layout(contacts: pd.DataFrame) -> dict:
    """Where each contact goes: levels as rows (decision on top), functions present as columns.

    Contacts sharing a level and a function sit side by side (two per line) or stacked,
    whichever keeps the chart within ``max_w`` inches and smaller.
    """
    from simfunnel.model.generate import FUNCTIONS, LEVELS

    levels = [k for k, *_ in LEVELS][::-1]  # decision, management, operational
    functions = [k for k, *_ in FUNCTIONS if (contacts["function"].astype(str) == k).any()] if len(contacts) else []
    lv = contacts["level"].astype(str).to_numpy()
    fn = contacts["function"].astype(str).to_numpy()
    cells = {(a, b): np.flatnonzero((lv == a) & (fn == b)) for a in levels for b in functions}
    options = [_org_grid(levels, functions, cells, per) for per in (2, 1)]
    fitting = [o for o in options if o["width"] <= _ORG["max_w"]]
    if fitting:
        return min(fitting, key=lambda o: o["width"] * o["height"])
    return min(options, key=lambda o: o["width"])


def _org_grid(levels: list, functions: list, cells: dict, per: int) -> dict:
    g = _ORG
    sub_cols = {b: max([min(len(cells[a, b]), per) for a in levels] + [1]) for b in functions}
    sub_rows = {a: max([-(-len(cells[a, b]) // per) for b in functions] + [1]) for a in levels}
    col_w = {b: sub_cols[b] * (g["node_w"] + g["gap_x"]) + g["gap_x"] for b in functions}
    empty = {a: not any(len(cells[a, b]) for b in functions) for a in levels}
    row_h = {a: 0.5 if empty[a] else sub_rows[a] * (g["node_h"] + g["gap_y"]) + g["gap_y"] for a in levels}
    body_w = sum(col_w.values()) if functions else 4.0
    width = max(g["label_w"] + body_w + 2 * g["margin"], g["min_w"])
    height = g["title_h"] + g["head_h"] + sum(row_h.values()) + g["legend_h"]
    return {"levels": levels, "functions": functions, "cells": cells, "col_w": col_w, "row_h": row_h,
            "sub_cols": sub_cols, "width": width, "height": height}


def org_chart_size(contacts: pd.DataFrame) -> tuple[float, float]:
    """The figure size (inches) at which :func:`org_chart` draws ``contacts`` with nothing cramped."""
    layout = _org_layout(contacts)
    return layout["width"], layout["height"]


def org_chart(
    contacts: pd.DataFrame,
    met=(),
    ax: "Axes | None" = None,
    lang: str | None = None,
    *,
    roles_known=None,
    brains_known=None,
    coach_known: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
) -> "Axes":
    """One account's people as an org chart: levels as rows (决策层 on top), functions as columns.

    Each contact is a node with the animal of its buying role (鹰 eagle = decision maker,
    羊 sheep = user, 驴 donkey = gatekeeper, 狐 fox = purchaser; text, as the CJK font has
    no emoji), the name, the role and the whole-brain type, whose colour is the node's
    (A blue, B green, C red, D yellow). Contacts met are drawn solid and filled, the others
    dashed and empty. The coach (向导) carries a gold ★ tab. What the seller does not know
    yet is drawn as "?" and grey: pass ``roles_known`` / ``brains_known`` (contact ids) and
    ``coach_known`` to hide it; by default everything is shown (a plain chart of the data).

    Args:
        contacts: one account's rows of ``World.contacts`` (contact_id, name_zh, name_en,
            function, level, buying_role, coach, brain_type).
        met: contact ids met, or a mapping contact id → week met (shown on the node).
        ax: Axes to draw on. The chart is laid out in inches: give it a figure of
            :func:`org_chart_size` (the default, ``ax=None``, makes one) with the Axes filling it.
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        roles_known, brains_known: contact ids whose buying role / brain type the seller
            knows (``None``: all).
        coach_known: whether the coach is marked.
        title, subtitle: drawn at the top (e.g. the account's name and its facts).

    Raises:
        ValueError: a missing column, or contacts of more than one account.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import simfunnel as sf
        >>> from simfunnel import plots
        >>> people = sf.generate(accounts=5, seed=1).contacts.query("account_id == 1")
        >>> ax = plots.org_chart(people, met=[int(people.contact_id.iloc[0])], lang="en")
        >>> "eagle" in [t.get_text() for t in ax.texts]
        True
    """
    from matplotlib.patches import FancyBboxPatch, Rectangle

    from simfunnel.model.generate import FUNCTIONS, LEVELS

    need = ("contact_id", "name_zh", "name_en", "function", "level", "buying_role", "coach", "brain_type")
    if not isinstance(contacts, pd.DataFrame):
        raise ValueError(f"org_chart: expected a contacts DataFrame, got {type(contacts).__name__}")
    missing = [c for c in need if c not in contacts.columns]
    if missing:
        raise ValueError(f"org_chart: the contacts table has no column {missing[0]!r} (needs {', '.join(need)})")
    if "account_id" in contacts.columns and contacts["account_id"].nunique() > 1:
        raise ValueError("org_chart: draw one account at a time (the contacts belong to "
                         f"{contacts['account_id'].nunique()} accounts)")
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    met_weeks = dict(met) if isinstance(met, dict) else {c: None for c in met}
    ids = contacts["contact_id"].to_numpy()
    role_ok = np.ones(len(ids), bool) if roles_known is None else np.isin(ids, list(roles_known))
    brain_ok = np.ones(len(ids), bool) if brains_known is None else np.isin(ids, list(brains_known))
    layout = _org_layout(contacts)
    g = _ORG
    width, height = layout["width"], layout["height"]
    if ax is None:
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal", adjustable="box")
    t = lambda key, **f: i18n.text(ORG_TEXT[key], lang, **f)  # noqa: E731
    li = 0 if lang == "zh" else 1
    m = g["margin"]
    if title:
        ax.text(m, height - 0.12, title, ha="left", va="top", fontsize=13, color=TEXT_COLOR)
    if subtitle:
        ax.text(m, height - 0.44, subtitle, ha="left", va="top", fontsize=9, color=MUTED)
    fn_names = {k: (zh, en) for k, zh, en in FUNCTIONS}
    lv_names = {k: (zh, en) for k, zh, en in LEVELS}
    top = height - g["title_h"]
    x0 = m + g["label_w"]
    col_x, x = {}, x0
    for b in layout["functions"]:
        col_x[b] = x
        ax.text(x + layout["col_w"][b] / 2, top - g["head_h"] / 2, fn_names[b][li], ha="center", va="center",
                fontsize=9, color=TEXT_COLOR)
        x += layout["col_w"][b]
    right = max(x, x0 + 4.0)
    y = top - g["head_h"]
    if not layout["functions"]:
        ax.text(x0, y - 0.5, t("no_contacts"), ha="left", va="center", fontsize=10, color=MUTED)
    names = contacts[f"name_{lang}"].astype(str).to_numpy()
    roles = contacts["buying_role"].astype(str).to_numpy()
    brains = contacts["brain_type"].astype(str).to_numpy()
    coach = contacts["coach"].to_numpy(dtype=bool)
    nw, nh = g["node_w"], g["node_h"]
    for i, a in enumerate(layout["levels"]):
        h = layout["row_h"][a]
        ax.add_patch(Rectangle((m, y - h), right - m, h, fc="#f3f6fa" if i % 2 == 0 else "#ffffff", ec="none",
                               zorder=0))
        ax.text(m + 0.08, y - h / 2, lv_names[a][li], ha="left", va="center", fontsize=10, color=TEXT_COLOR)
        for b in layout["functions"]:
            members = layout["cells"][a, b]
            per = layout["sub_cols"][b]
            for j, p in enumerate(members):
                cx = col_x[b] + g["gap_x"] + (j % per) * (nw + g["gap_x"])
                cy = y - g["gap_y"] - (j // per) * (nh + g["gap_y"]) - nh
                _org_node(ax, cx, cy, nw, nh, name=names[p], role=roles[p] if role_ok[p] else None,
                          brain=brains[p] if brain_ok[p] else None, is_met=ids[p] in met_weeks,
                          week=met_weeks.get(ids[p]), coach=bool(coach[p]) and coach_known, lang=lang,
                          patch=FancyBboxPatch)
        y -= h
    _org_legend(ax, m, y - 0.12, right, lang)
    return ax


def _org_node(ax, x, y, w, h, *, name, role, brain, is_met, week, coach, lang, patch) -> None:
    """One contact: a rounded box coloured by brain type, the role's animal on the left, texts on the right."""
    t = lambda key, **f: i18n.text(ORG_TEXT[key], lang, **f)  # noqa: E731
    color = BRAIN_COLORS.get(brain, "#8a96a3") if brain else "#8a96a3"
    face = _tint(color, 0.78) if is_met else "white"
    ax.add_patch(patch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", fc=face, ec=color,
                       lw=2.0 if is_met else 1.3, ls="-" if is_met else (0, (3, 2)), zorder=2))
    icon = role_icon(role, lang) if role else "?"
    bx, by = x + 0.27, y + h / 2 + 0.07
    ax.add_patch(patch((bx - 0.22, by - 0.17), 0.44, 0.34, boxstyle="round,pad=0,rounding_size=0.1",
                       fc="#3d4a5c" if role else "#b8c0ca", ec="none", zorder=3))
    size = 11 if lang == "zh" or not role else (7 if len(icon) <= 5 else 6.3)
    ax.text(bx, by, icon, ha="center", va="center", fontsize=size, color="white", zorder=4)
    tx = x + 0.55
    ax.text(tx, y + h - 0.09, name, ha="left", va="top", fontsize=9, color=TEXT_COLOR, zorder=4)
    role_text = i18n.text(ROLE_SHORT[role], lang) if role else t("unknown_role")
    ax.text(tx, y + h / 2 - 0.02, role_text, ha="left", va="center", fontsize=7.5,
            color=TEXT_COLOR if role else MUTED, zorder=4)
    if brain:
        from simfunnel.model.generate import BRAIN_TYPES

        name_b = {k: (zh, en) for k, zh, en in BRAIN_TYPES}[brain]
        brain_text = f"{brain} {i18n.text(name_b, lang) if lang == 'zh' else name_b[1].lower()}"
    else:
        brain_text = t("unknown_brain")
    ax.text(tx, y + 0.08, brain_text, ha="left", va="bottom", fontsize=7.5, color=color if brain else MUTED,
            zorder=4)
    if is_met:
        mark = t("met") if week is None else t("met_week", week=week)
        ax.text(bx, y + 0.05, mark, ha="center", va="bottom", fontsize=6.5, color="#1b5e20", zorder=4)
    if coach:
        ax.text(x + w - 0.04, y + h + 0.01, "★ " + t("coach"), ha="right", va="center", fontsize=7.5,
                color="#6b4e00", zorder=5,
                bbox={"boxstyle": "round,pad=0.18", "fc": "#ffd54f", "ec": "#b8860b", "lw": 0.8})


def _tint(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white (``amount`` = share of white)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _org_legend(ax, x, y, right, lang) -> None:
    """Brain-type colours (two per line), then what filled, dashed, ★ and ? mean."""
    from matplotlib.patches import Rectangle

    t = lambda key: i18n.text(ORG_TEXT[key], lang)  # noqa: E731
    half = (right - x) / 2
    for k, brain in enumerate("ABCD"):
        lx, ly = x + (k % 2) * half, y - (k // 2) * 0.2
        ax.add_patch(Rectangle((lx, ly - 0.06), 0.16, 0.12, fc=_tint(BRAIN_COLORS[brain], 0.6),
                               ec=BRAIN_COLORS[brain], lw=1.2))
        ax.text(lx + 0.22, ly, brain_label(brain, lang), ha="left", va="center", fontsize=8, color=TEXT_COLOR)
    ly = y - 0.44
    note = f"{t('legend_met')}  ·  {t('legend_not_met')}  ·  ★ {i18n.text(ORG_TEXT['coach'], lang)}  ·  " \
           f"{t('legend_unknown')}"
    ax.text(x, ly, note, ha="left", va="center", fontsize=8, color=MUTED)


# --- resource allocation across segments ---------------------------------------------------------
ALLOCATION_TEXT = {
    "revenue": ("各细分的成交额", "Revenue by segment"),
    "customers": ("客户", "Customers"),
    "costs": ("一个客户的成本", "What a customer cost"),
    "this": ("本次分配", "This allocation"),
    "last": ("上次分配", "Last allocation"),
    "none": ("不投入时间", "No seller time"),
    "new": ("新赢得", "New won"),
    "retained": ("保留", "Retained"),
    "lost": ("流失", "Lost"),
    "per_new": ("每多赢得\n一个新客户", "Per extra\nnew customer"),
    "per_saved": ("每多保住\n一个老客户", "Per customer\nsaved"),
    "folk": ("课程经验：赢得一个\n是保住的 {lo:g}–{hi:g} 倍", "Course: winning one\ncosts {lo:g}–{hi:g}× keeping one"),
    "nothing": ("无", "none"),
    "ratio": ("赢得 ÷ 保住 = {ratio}（课程经验 {lo:g}–{hi:g}）", "Winning ÷ keeping = {ratio} (course: {lo:g}–{hi:g})"),
    "ratio_none": ("赢得 ÷ 保住：无法计算（课程经验 {lo:g}–{hi:g}）",
                   "Winning ÷ keeping: not defined (course: {lo:g}–{hi:g})"),
    "accounts": ("客户数", "Accounts"),
}
ALLOCATION_COLORS = {"this": "#1f5fa8", "last": "#c8ccd2", "none": "#222222", "folk": "#f0a030"}


def _allocation_bars(ax: "Axes", labels: list[str], this: np.ndarray, last: np.ndarray | None,
                     text, lang: str) -> np.ndarray:
    """Bars of this allocation (and the last one beside them), value labels on this one's; returns bar centres."""
    x = np.arange(len(labels), dtype=float)
    width = 0.38 if last is not None else 0.56
    shift = width / 2 if last is not None else 0.0
    if last is not None:
        ax.bar(x - shift, np.nan_to_num(last), width, color=ALLOCATION_COLORS["last"],
               label=i18n.text(ALLOCATION_TEXT["last"], lang), gid="last")
    ax.bar(x + shift, np.nan_to_num(this), width, color=ALLOCATION_COLORS["this"],
           label=i18n.text(ALLOCATION_TEXT["this"], lang), gid="this")
    for xi, v in zip(x + shift, this):
        label = text(v) if np.isfinite(v) else i18n.text(ALLOCATION_TEXT["nothing"], lang)
        ax.annotate(label, (xi, v if np.isfinite(v) else 0.0), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8, color=TEXT_COLOR)
    ax.set_xticks(x, labels)
    ax.tick_params(axis="x", length=0)
    _plain(ax)
    return x


def _no_time_marks(ax: "Axes", x: np.ndarray, values: np.ndarray, lang: str) -> None:
    ax.hlines(values, x - 0.42, x + 0.42, colors=ALLOCATION_COLORS["none"], linestyles=(0, (3, 2)), lw=1.3,
              label=i18n.text(ALLOCATION_TEXT["none"], lang), gid="no_time", zorder=4)


def allocation_chart(result, previous=None, ax=None, lang: str | None = None) -> list:
    """What a year of seller time bought, in three panels: revenue by segment, customers, cost of a customer.

    Args:
        result: an :class:`~simfunnel.analysis.allocation.AllocationResult`.
        previous: another one (the last allocation tried), drawn in grey beside it; ``None``: none.
        ax: three Axes to draw on (revenue, customers, costs); ``None``: a new 12×4.4 inch figure.
        lang: ``"zh"`` or ``"en"`` (default: the current language).

    Returns:
        The three Axes. Unlike the one-panel charts, ``ax`` is a sequence of three.

    Panels: (1) revenue of each segment this year, with a dashed mark at what the same year gave
    with no seller time (common random numbers: the gap is the time's doing); (2) customers new
    won, retained and lost, with the same marks; (3) the causal cost of a customer — seller time
    on new accounts per extra new customer, care per customer saved from churn — and the course's
    folk figure as a band: winning one costs 5–10× keeping one (``params.folk_acquisition_cost_ratio``
    times this year's cost per customer saved). Bars carry gid ``this`` and ``last``.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from simfunnel.model.generate import generate
        >>> from simfunnel.analysis.allocation import simulate_allocation
        >>> r = simulate_allocation(generate(accounts=40, seed=5), {"attack": 30, "defend": 20}, seed=5)
        >>> [a.get_title(loc="left") for a in allocation_chart(r, lang="en")]
        ['Revenue by segment', 'Customers', 'What a customer cost']
    """
    lang = i18n.resolve_language(lang)
    for value, name in ((result, "result"), (previous, "previous")):
        if value is not None and not all(hasattr(value, a) for a in ("table", "segmentation", "params")):
            raise ValueError(f"allocation_chart: {name} must be an AllocationResult "
                             f"(simfunnel.analysis.allocation.simulate_allocation), got {type(value).__name__}")
    i18n.setup_cjk_font()
    if ax is None:
        _, axes = plt.subplots(1, 3, figsize=(12, 4.4), layout="constrained",
                               gridspec_kw={"width_ratios": [1.45, 1.1, 0.95]})
        axes = list(axes)
    else:
        axes = list(ax) if not hasattr(ax, "plot") else [ax]
        if len(axes) != 3:
            raise ValueError(f"allocation_chart: ax must be three Axes (revenue, customers, costs), got {len(axes)}")
    a_rev, a_cust, a_cost = axes
    t, p = result.table, (previous.table if previous is not None else None)
    keys = result.segmentation.keys
    currency = result.currency

    def money(v: float) -> str:
        return i18n.format_money(float(v), currency, lang, compact=True)

    def col(table: pd.DataFrame, name: str, rows=keys) -> np.ndarray:
        return table.loc[list(rows), name].to_numpy(dtype=float)

    # (1) revenue by segment
    x = _allocation_bars(a_rev, [result.segmentation.label(k, lang) for k in keys], col(t, "revenue"),
                         None if p is None else col(p, "revenue"), money, lang)
    _no_time_marks(a_rev, x, col(t, "revenue_no_time"), lang)
    a_rev.yaxis.set_major_formatter(_money_formatter(currency, lang))
    a_rev.yaxis.set_major_locator(MaxNLocator(5))
    top = np.nanmax(np.r_[col(t, "revenue"), col(t, "revenue_no_time"), [] if p is None else col(p, "revenue"), 1.0])
    a_rev.set_ylim(0, top * 1.42)
    a_rev.set_title(i18n.text(ALLOCATION_TEXT["revenue"], lang), loc="left", fontsize=12)
    a_rev.legend(loc="upper left", frameon=False, fontsize=8.5, ncol=1)

    # (2) customers: new won, retained, lost
    def customers(table: pd.DataFrame) -> np.ndarray:
        tot = table.loc["total"]
        return np.array([tot["new_customers"], tot["retained_customers"], tot["churned_customers"]], dtype=float)

    tot = t.loc["total"]
    no_time = np.array([tot["new_customers_no_time"], tot["customers_at_start"] - tot["churned_no_time"],
                        tot["churned_no_time"]], dtype=float)
    labels = [i18n.text(ALLOCATION_TEXT[k], lang) for k in ("new", "retained", "lost")]
    x = _allocation_bars(a_cust, labels, customers(t), None if p is None else customers(p),
                         lambda v: f"{v:,.0f}", lang)
    _no_time_marks(a_cust, x, no_time, lang)
    top = np.nanmax(np.r_[customers(t), no_time, [] if p is None else customers(p), 1.0])
    a_cust.set_ylim(0, top * 1.18)
    a_cust.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    a_cust.set_ylabel(i18n.text(ALLOCATION_TEXT["accounts"], lang))
    a_cust.set_title(i18n.text(ALLOCATION_TEXT["customers"], lang), loc="left", fontsize=12)

    # (3) cost of a customer, with the course's folk band
    def costs(table: pd.DataFrame) -> np.ndarray:
        tot = table.loc["total"]
        return np.array([tot["cost_per_extra_new_customer"], tot["cost_per_customer_saved"]], dtype=float)

    lo, hi = result.params.folk_acquisition_cost_ratio
    labels = [i18n.text(ALLOCATION_TEXT[k], lang) for k in ("per_new", "per_saved")]
    this = costs(t)
    x = _allocation_bars(a_cost, labels, this, None if p is None else costs(p), money, lang)
    values = [this, [] if p is None else costs(p)]
    if np.isfinite(this[1]):
        band = (lo * this[1], hi * this[1])
        a_cost.fill_between([x[0] - 0.46, x[0] + 0.46], band[0], band[1], color=ALLOCATION_COLORS["folk"],
                            alpha=0.28, lw=0, zorder=0, gid="folk_band")
        a_cost.text(x[0] + 0.5, band[1], i18n.text(ALLOCATION_TEXT["folk"], lang, lo=lo, hi=hi), ha="left",
                    va="top", fontsize=8, color="#8a5a00")
        values.append(np.array(band))
    allv = np.concatenate([np.asarray(v, dtype=float) for v in values])
    allv = allv[np.isfinite(allv)]
    a_cost.set_ylim(0, (allv.max() if allv.size and allv.max() > 0 else 1.0) * 1.15)
    a_cost.set_xlim(-0.6, 1.6)
    a_cost.yaxis.set_major_formatter(_money_formatter(currency, lang))
    a_cost.yaxis.set_major_locator(MaxNLocator(5))
    a_cost.set_title(i18n.text(ALLOCATION_TEXT["costs"], lang), loc="left", fontsize=12)
    ratio = result.cost_ratio
    note = (i18n.text(ALLOCATION_TEXT["ratio"], lang, ratio=f"{ratio:.1f}×", lo=lo, hi=hi) if np.isfinite(ratio)
            else i18n.text(ALLOCATION_TEXT["ratio_none"], lang, lo=lo, hi=hi))
    a_cost.set_xlabel(note, fontsize=8.5, color=MUTED)
    return axes


# --- the workshop's teams (trainer's leaderboard) -------------------------------------------------
TEAM_TEXT = {
    "team_title": ("各队对比（第 {week} 周）", "Teams compared (week {week})"),
    "team_booked": ("已成交 / 任务", "Booked / quota"),
    "team_accuracy": ("预测准确度", "Forecast accuracy"),
    "team_progress": ("销售进展 / 基准", "Progress / benchmark"),
    "team_quiz": ("答题得分", "Quiz score"),
    "team_weeks_title": ("已成交（逐周累计）", "Booked, week by week"),
    "team_week_axis": ("本季度第几周", "Week of the quarter"),
    "team_quota": ("任务", "quota"),
    "team_none": ("还没有数据", "no data yet"),
}
TEAM_PANELS = (("booked_vs_quota", "team_booked", True), ("forecast_accuracy", "team_accuracy", True),
               ("progress_vs_benchmark", "team_progress", False), ("quiz_score", "team_quiz", True))
TEAM_COLORS = ("#1f5fa8", "#c0392b", "#2e8b57", "#c9970c", "#7b3294", "#16a2b8", "#8c564b", "#e377c2",
               "#555555", "#bcbd22")


def team_colors(n: int) -> list[str]:
    """A colour per team, the same in every team chart (cycled beyond ten teams)."""
    return [TEAM_COLORS[i % len(TEAM_COLORS)] for i in range(n)]


def team_chart(board: pd.DataFrame, axes=None, lang: str | None = None) -> list:
    """Four small bar charts comparing teams: booked / quota, forecast accuracy, progress / benchmark, quiz score.

    Args:
        board: :meth:`simfunnel.workshop.store.WorkshopStore.leaderboard` (columns team, week and the four).
        axes: four Axes to draw on (a new 12×3.4 inch figure when ``None``).
        lang: ``"zh"`` or ``"en"``.

    A missing value (no reply classified yet, no week played) shows as "—" without a bar.
    The bars carry gid ``team-<column>``. Returns the four Axes.
    """
    lang = i18n.resolve_language(lang)
    _require(board, ("team", "week") + tuple(c for c, _, _ in TEAM_PANELS), "team_chart")
    i18n.setup_cjk_font()
    if axes is None:
        _, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    axes = list(np.ravel(axes))
    if len(axes) != len(TEAM_PANELS):
        raise ValueError(f"team_chart: pass {len(TEAM_PANELS)} Axes, got {len(axes)}")
    teams = board["team"].astype(str).tolist()
    colors = team_colors(len(teams))
    y = np.arange(len(teams))
    for ax, (column, key, share) in zip(axes, TEAM_PANELS):
        values = board[column].to_numpy(dtype=float)
        shown = np.where(np.isfinite(values), values, 0.0)
        ax.barh(y, shown, color=colors, height=0.65, gid=f"team-{column}")
        top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, 1.0 if share else 1.2)
        for i, v in enumerate(values):
            label = "—" if not np.isfinite(v) else (f"{v:.0%}" if share else f"{v:.2f}")
            ax.text(max(v, 0.0) if np.isfinite(v) else 0.0, i, " " + label, va="center", fontsize=9, color=TEXT_COLOR)
        if column == "progress_vs_benchmark":
            ax.axvline(1.0, color=QUOTA_COLOR, ls="--", lw=1)
        ax.set_xlim(min(0.0, float(np.nanmin(shown)) * 1.2), top * 1.3)
        ax.set_yticks(y, [literal(t) for t in teams])
        ax.invert_yaxis()
        ax.set_title(i18n.text(TEAM_TEXT[key], lang), loc="left", fontsize=11)
        if share:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.xaxis.set_major_locator(MaxNLocator(3))
        _plain(ax)
    return axes


def team_weeks_chart(tables: dict, quota: float | dict, ax: "Axes | None" = None, lang: str | None = None,
                     currency: str = "CNY") -> "Axes":
    """Each team's booked amount ``B_t`` week by week of the quarter, against the quota.

    Args:
        tables: team → its :func:`~simfunnel.analysis.metrics.indicators` table (rows t = 0 … weeks played).
        quota: the quota (one for all, or team → quota; drawn once when all are equal).
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.

    Each team's line carries gid ``team-weeks-<team>``.
    """
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
    quotas = quota if isinstance(quota, dict) else {team: quota for team in tables}
    colors = team_colors(len(tables))
    n = 13
    for table in tables.values():
        _require(table, ("t", "booked"), "team_weeks_chart")
        n = max(n, int(table["t"].max()) if len(table) else 0)
    for color, (team, table) in zip(colors, tables.items()):
        ax.plot(table["t"], table["booked"], color=color, lw=2, marker="o", ms=3.5, label=literal(team),
                gid=f"team-weeks-{team}")
    values = sorted({float(q) for q in quotas.values()})
    if len(values) == 1:
        ax.axhline(values[0], color=QUOTA_COLOR, ls="--", lw=1)
        ax.text(n, values[0], i18n.text(TEAM_TEXT["team_quota"], lang) + " "
                + i18n.format_money(values[0], currency, lang, compact=True),
                ha="right", va="bottom", fontsize=9, color=QUOTA_COLOR)
    if not tables:
        ax.text(0.5, 0.5, i18n.text(TEAM_TEXT["team_none"], lang), transform=ax.transAxes, ha="center", color=MUTED)
    ax.set_xlim(0, n)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_money_formatter(currency, lang))
    ax.set_xlabel(i18n.text(TEAM_TEXT["team_week_axis"], lang))
    ax.set_title(i18n.text(TEAM_TEXT["team_weeks_title"], lang), loc="left", fontsize=12)
    if tables:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


# --- the debrief: indicators round by round, what-if branches (simfunnel.workshop.debrief) ---------------------
DEBRIEF_TEXT = {
    "round_forecast": ("每回合结束时的销售预计", "Forecast at each round's end"),
    "round_booked": ("每回合结束时的已成交", "Booked at each round's end"),
    "round_progress": ("每回合平均销售进展 / 基准（1 = 按进度）", "Mean progress per round / benchmark (1 = on pace)"),
    "round_axis": ("回合", "Round"),
    "round_start": ("开始", "start"),
    "round_quota": ("任务", "quota"),
    "branch_title": ("假设分支：{team}，第 {round} 回合", "What if: team {team}, round {round}"),
    "branch_forecast": ("销售预计（原来）", "Forecast (original)"),
    "branch_forecast_b": ("销售预计（假设分支）", "Forecast (branch)"),
    "branch_booked": ("已成交（原来）", "Booked (original)"),
    "branch_booked_b": ("已成交（假设分支）", "Booked (branch)"),
    "branch_change": ("改变", "change"),
}


def _debrief_axes(ax: "Axes") -> None:
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def round_chart(table: pd.DataFrame, axes=None, lang: str | None = None, currency: str = "CNY") -> list:
    """The three indicators round by round, a line per team: forecast and booked at each round's end,
    and each round's mean weekly progress over the benchmark (1 = on pace for the quota).

    Args:
        table: :func:`simfunnel.workshop.debrief.round_indicators` (team, round, forecast, booked, progress,
            benchmark, quota); round 0 is the start.
        axes: three Axes to draw on (a new 13×3.8 inch figure when ``None``).
        lang: ``"zh"`` or ``"en"``; currency: of the amounts.

    Lines carry gid ``round-<column>-<team>``. Returns the three Axes.
    """
    lang = i18n.resolve_language(lang)
    _require(table, ("team", "round", "forecast", "booked", "progress", "benchmark", "quota"), "round_chart")
    i18n.setup_cjk_font()
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    axes = list(np.ravel(axes))
    if len(axes) != 3:
        raise ValueError(f"round_chart: pass 3 Axes, got {len(axes)}")
    teams = list(dict.fromkeys(table["team"].astype(str)))
    colors = dict(zip(teams, team_colors(len(teams))))
    text = lambda key: i18n.text(DEBRIEF_TEXT[key], lang)  # noqa: E731
    last = int(table["round"].max()) if len(table) else 1
    for team in teams:
        rows = table[table["team"].astype(str) == team].sort_values("round")
        x = rows["round"].to_numpy(dtype=float)
        axes[0].plot(x, rows["forecast"], color=colors[team], lw=2, marker="o", ms=3.5, label=literal(team),
                     gid=f"round-forecast-{team}")
        axes[1].plot(x, rows["booked"], color=colors[team], lw=2, marker="o", ms=3.5, gid=f"round-booked-{team}")
        bench = rows["benchmark"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(bench > 0, rows["progress"].to_numpy(dtype=float) / bench, np.nan)
        axes[2].plot(x[1:], ratio[1:], color=colors[team], lw=2, marker="o", ms=3.5, gid=f"round-progress-{team}")
    quotas = sorted({float(q) for q in table["quota"]})
    if len(quotas) == 1:
        axes[1].axhline(quotas[0], color=QUOTA_COLOR, ls="--", lw=1)
        quota_text = f"{text('round_quota')} {i18n.format_money(quotas[0], currency, lang, compact=True)}"
        axes[1].text(0.02, quotas[0], quota_text, transform=axes[1].get_yaxis_transform(), ha="left", va="bottom",
                     fontsize=9, color=QUOTA_COLOR)
    axes[2].axhline(1.0, color=QUOTA_COLOR, ls="--", lw=1)
    for ax, key in zip(axes, ("round_forecast", "round_booked", "round_progress")):
        ax.set_title(text(key), loc="left", fontsize=11)
        ax.set_xlabel(text("round_axis"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: text("round_start") if v == 0 else f"{v:.0f}"))
        ax.set_xlim(-0.3 if ax is not axes[2] else 0.7, last + 0.3)
        _debrief_axes(ax)
    for ax in axes[:2]:
        ax.yaxis.set_major_formatter(_money_formatter(currency, lang))
        ax.set_ylim(bottom=0)
    if teams:
        axes[2].legend(*axes[0].get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       fontsize=9, frameon=False)
    return axes


def branch_chart(branch, ax: "Axes | None" = None, lang: str | None = None) -> "Axes":
    """A what-if branch against the original, week by week: forecast and booked, the change week marked.

    Args:
        branch: a :class:`simfunnel.workshop.debrief.Branch`.
        ax: Axes to draw on; a new 8×5 inch figure when ``None``.

    The original is drawn solid, the branch dashed (gid ``branch-<forecast|booked>-<original|branch>``);
    the two coincide before the change week, drawn as a dotted line (gid ``branch-change``).
    """
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = _new_axes(ax)
    text = lambda key, **f: i18n.text(DEBRIEF_TEXT[key], lang, **f)  # noqa: E731
    diff = branch.difference()
    x = diff["week"].to_numpy(dtype=float)
    for col, color, key in (("forecast", FORECAST_COLOR, "branch_forecast"), ("booked", BOOKED_COLOR, "branch_booked")):
        ax.plot(x, diff[f"{col}_original"], color=color, lw=2.2, marker="o", ms=3, label=text(key),
                gid=f"branch-{col}-original")
        ax.plot(x, diff[f"{col}_branch"], color=color, lw=2.2, ls="--", marker="s", ms=3, mfc="white",
                label=text(key + "_b"), gid=f"branch-{col}-branch")
    ax.axvline(branch.change_week - 0.5, color=MUTED, ls=":", lw=1.5, gid="branch-change")
    ax.text(branch.change_week - 0.45, 1.0, text("branch_change"), transform=ax.get_xaxis_transform(), ha="left",
            va="top", fontsize=9, color=MUTED)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_money_formatter(branch.currency, lang))
    ax.set_ylim(bottom=0)
    ax.set_xlabel(i18n.label("week", lang))
    ax.set_title(text("branch_title", team=literal(branch.team), round=branch.at_round), loc="left", fontsize=12)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    _debrief_axes(ax)
    return ax
