"""The funnel chart: the open deals of one snapshot week, one bar per open stage (:func:`funnel_chart`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Polygon

from simfunnel import i18n
from simfunnel.plots.style import MUTED, TEXT_COLOR, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from simfunnel.model.history import History


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

    ax = new_axes(ax)
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
