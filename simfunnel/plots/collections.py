"""Booked is not collected: the amount won so far and the amount of it paid, week by week (:func:`collection_chart`).

Drawn from :func:`simfunnel.analysis.collections.booked_vs_collected`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simfunnel import i18n
from simfunnel.model.generate import person_name
from simfunnel.plots.style import BOOKED_COLOR, MUTED, TEXT_COLOR, money_formatter, new_axes, plain_axes, require_columns

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

COLLECTION_TEXT = {
    "title": ("签单不等于回款：第 {start}–{end} 周签下的订单", "Booked is not collected: orders won in weeks {start}–{end}"),
    "title_owner": ("签单不等于回款：{owner}在第 {start}–{end} 周签下的订单",
                    "Booked is not collected: {owner}'s orders won in weeks {start}–{end}"),
    "booked": ("已签单（累计）", "Booked (so far)"),
    "collected": ("已回款（累计）", "Collected (so far)"),
    "gap": ("已签单未回款", "Booked, not yet collected"),
    "week": ("周", "Week"),
    "end_note": ("第 {end} 周末：签单 {booked}，回款 {collected}，还有 {outstanding} 没收回",
                 "End of week {end}: {booked} booked, {collected} collected, {outstanding} still owed"),
}
COLLECTED_COLOR = "#1f5fa8"


def collection_chart(table: "pd.DataFrame", ax: "Axes | None" = None, lang: str | None = None,
                     currency: str = "CNY", owner: str | None = None) -> "Axes":
    """Booked and collected so far, week by week, with the gap between them shaded and the period's end written.

    Args:
        table: :func:`~simfunnel.analysis.collections.booked_vs_collected` (week, booked, collected, outstanding).
        ax: the Axes to draw on (``None``: a new 8×5 inch figure).
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: the amounts' currency.
        owner: the seller whose orders these are, for the title.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import pandas as pd
        >>> t = pd.DataFrame({"week": [0, 1, 2], "booked": [0.0, 100.0, 100.0], "collected": [0.0, 0.0, 100.0],
        ...                   "outstanding": [0.0, 100.0, 0.0]})
        >>> [l.get_text() for l in collection_chart(t, lang="en").get_legend().get_texts()]
        ['Booked (so far)', 'Collected (so far)', 'Booked, not yet collected']
    """
    require_columns(table, ("week", "booked", "collected", "outstanding"), "collection_chart",
                    "simfunnel.analysis.collections.booked_vs_collected")
    lang = i18n.resolve_language(lang)
    i18n.setup_cjk_font()
    ax = new_axes(ax)
    # each week's value holds to the next week: one more step so the last week's orders show
    weeks = np.append(table["week"].to_numpy(dtype=float), float(table["week"].iloc[-1]) + 1)
    booked = np.append(table["booked"].to_numpy(dtype=float), float(table["booked"].iloc[-1]))
    collected = np.append(table["collected"].to_numpy(dtype=float), float(table["collected"].iloc[-1]))

    def tx(key: str, **fields: object) -> str:
        return i18n.text(COLLECTION_TEXT[key], lang).format(**fields)

    ax.step(weeks, booked, where="post", color=BOOKED_COLOR, lw=2.2, label=tx("booked"), gid="booked")
    ax.step(weeks, collected, where="post", color=COLLECTED_COLOR, lw=2.2, ls="--", label=tx("collected"),
            gid="collected")
    ax.fill_between(weeks, collected, booked, step="post", color=BOOKED_COLOR, alpha=0.15, label=tx("gap"),
                    gid="gap")
    ax.yaxis.set_major_formatter(money_formatter(currency, lang))
    ax.set_xlabel(tx("week"))
    ax.set_xlim(weeks[0], weeks[-1])
    ax.axvline(weeks[-2], color=MUTED, lw=0.8, ls=":", gid="period-end")
    ax.set_ylim(0, max(float(np.nanmax(booked)) * 1.15, 1.0))
    start, end = int(weeks[0]) + 1, int(weeks[-2])
    title = tx("title_owner", owner=person_name(owner, lang), start=start, end=end) if owner else tx("title", start=start, end=end)
    ax.set_title(title, loc="left", fontsize=11)

    def money(v: float) -> str:
        return i18n.format_money(float(v), currency, lang, compact=True)

    last = table.iloc[-1]
    ax.text(0.0, -0.16, tx("end_note", end=end, booked=money(last["booked"]), collected=money(last["collected"]),
                           outstanding=money(last["outstanding"])),
            transform=ax.transAxes, fontsize=9, color=TEXT_COLOR, va="top", gid="collection-note")
    ax.legend(loc="upper left", frameon=False, fontsize=9, labelcolor=MUTED)
    plain_axes(ax)
    return ax
