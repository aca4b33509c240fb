"""The attack/defend model (攻守模型): accounts by potential and share of wallet (:func:`segment_chart`).

The segments come from :mod:`simfunnel.model.segments`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.ticker import LogLocator, NullFormatter, PercentFormatter

from simfunnel import i18n
from simfunnel.model.segments import Segmentation, segment_accounts
from simfunnel.plots.style import MUTED, QUOTA_COLOR, money_formatter, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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
    ax = new_axes(ax)
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
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0) if hi / lo < 1e4 else (1.0,)))
    ax.xaxis.set_major_formatter(money_formatter(currency, lang))
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
