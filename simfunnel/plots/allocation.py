"""Resource allocation across segments: what a year of seller time bought (:func:`allocation_chart`).

Drawn from :func:`simfunnel.analysis.allocation.simulate_allocation`, in three panels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simfunnel import i18n
from simfunnel.plots.style import MUTED, TEXT_COLOR, money_formatter, plain_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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
    plain_axes(ax)
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
    a_rev.yaxis.set_major_formatter(money_formatter(currency, lang))
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
    a_cost.yaxis.set_major_formatter(money_formatter(currency, lang))
    a_cost.yaxis.set_major_locator(MaxNLocator(5))
    a_cost.set_title(i18n.text(ALLOCATION_TEXT["costs"], lang), loc="left", fontsize=12)
    ratio = result.cost_ratio
    note = (i18n.text(ALLOCATION_TEXT["ratio"], lang, ratio=f"{ratio:.1f}×", lo=lo, hi=hi) if np.isfinite(ratio)
            else i18n.text(ALLOCATION_TEXT["ratio_none"], lang, lo=lo, hi=hi))
    a_cost.set_xlabel(note, fontsize=8.5, color=MUTED)
    return axes
