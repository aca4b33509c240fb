"""Trust that pays later: the amount won by three sellers, with intervals (:func:`trust_chart`).

Drawn from :func:`simfunnel.analysis.trust.compare_trust`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simfunnel import i18n
from simfunnel.plots.style import MUTED, TEXT_COLOR, money_formatter, new_axes, plain_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

TRUST_TEXT = {
    "title": ("新客户的成交额：{weeks} 周，每周 {actions} 个行动（{seeds} 个随机种子的平均）",
              "Won in new accounts: {weeks} weeks, {actions} actions a week (mean of {seeds} seeds)"),
    "advance_only": ("只做推进类行动", "Advance actions only"),
    "mix": ("先建立信赖，再推进", "Trust first, then advance"),
    "relationship_only": ("只做关系类行动", "Relationship actions only"),
    "axis": ("成交额", "Amount won"),
    "interval": ("细线：95% 区间", "Thin lines: 95% interval"),
    "diff": ("“先建立信赖，再推进”比“只做推进”多 {mean}（95% 区间 {low} 至 {high}）",
             "Trust first, then advance wins {mean} more than advance only (95% interval {low} to {high})"),
    "assumption": ("信赖的作用大小是本工具的假设，不是课程给出的数字", "The size of trust's effect is a kit assumption, "
                   "not a figure from the course"),
}
TRUST_COLORS = {"advance_only": "#1f5fa8", "mix": "#2a9d55", "relationship_only": "#c8ccd2"}


def trust_chart(result, ax: "Axes | None" = None, lang: str | None = None, currency: str = "CNY") -> "Axes":
    """Mean amount won in new accounts by each strategy, with its 95 % interval, and the mix's gain over advance
    actions alone (the paired difference, with its interval) written under the bars.

    Args:
        result: a :class:`~simfunnel.analysis.trust.TrustComparison`.
        ax: the Axes to draw on (``None``: a new 8×5 inch figure).
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: the world's currency, for the amounts.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from simfunnel.model.generate import generate
        >>> from simfunnel.analysis.trust import compare_trust
        >>> r = compare_trust(generate(accounts=40, seed=3), seeds=range(3), weeks=8, actions_per_week=4)
        >>> [t.get_text() for t in trust_chart(r, lang="en").get_yticklabels()]
        ['Advance actions only', 'Trust first, then advance', 'Relationship actions only']
    """
    if not all(hasattr(result, a) for a in ("summary", "differences", "settings")):
        raise ValueError(f"trust_chart: result must be a TrustComparison (simfunnel.analysis.trust.compare_trust), "
                         f"got {type(result).__name__}")
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    summary = result.summary
    names = list(summary.index)
    y = np.arange(len(names))[::-1].astype(float)
    mean = summary["mean"].to_numpy(dtype=float)
    low, high = summary["low"].to_numpy(dtype=float), summary["high"].to_numpy(dtype=float)
    ax.barh(y, mean, height=0.55, color=[TRUST_COLORS.get(n, MUTED) for n in names], gid="trust-bars")
    err = np.vstack([mean - low, high - mean])
    ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="none", ecolor=TEXT_COLOR, elinewidth=1.2, capsize=5,
                gid="trust-intervals")

    def money(v: float) -> str:
        return i18n.format_money(float(v), currency, lang, compact=True)

    for yi, m, h in zip(y, mean, high):
        ax.annotate(money(m), (h if np.isfinite(h) else m, yi), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=9, color=TEXT_COLOR)
    ax.set_yticks(y, [i18n.text(TRUST_TEXT[n], lang) if n in TRUST_TEXT else n for n in names])
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(money_formatter(currency, lang))
    ax.set_xlabel(i18n.text(TRUST_TEXT["axis"], lang))
    ax.set_xlim(0, float(np.nanmax(high)) * 1.22 if np.isfinite(np.nanmax(high)) else None)
    s = result.settings
    ax.set_title(i18n.text(TRUST_TEXT["title"], lang).format(weeks=s["weeks"], actions=s["actions_per_week"],
                                                             seeds=len(s["seeds"])), loc="left", fontsize=11)
    d = result.differences.iloc[0]
    note = i18n.text(TRUST_TEXT["diff"], lang).format(mean=money(d["mean"]), low=money(d["low"]),
                                                      high=money(d["high"]))
    ax.text(0.0, -0.2, note + "\n" + i18n.text(TRUST_TEXT["interval"], lang) + " · "
            + i18n.text(TRUST_TEXT["assumption"], lang), transform=ax.transAxes, fontsize=8.5, color=MUTED,
            va="top", gid="trust-note")
    plain_axes(ax)
    return ax
