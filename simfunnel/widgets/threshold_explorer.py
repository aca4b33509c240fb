"""ThresholdExplorer: move the small-order threshold, see the data entry it saves and the forecast error it costs.

    >>> import simfunnel as sf
    >>> from simfunnel.widgets import ThresholdExplorer
    >>> history = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2).run()
    >>> explorer = ThresholdExplorer(history, lang="en")
    >>> explorer.threshold = 80_000
    >>> explorer.kpis["records_entered"] < explorer.kpis["records_at_zero"]
    True
    >>> explorer.slider.label
    '¥80k'
"""

from __future__ import annotations

from typing import Iterable

import ipywidgets as w
import numpy as np
import pandas as pd

from simfunnel import plots
from simfunnel.model.history import PERIOD_WEEKS, History
from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.analysis.threshold import sweep
from simfunnel.widgets.base import CSS, Widget
from simfunnel.widgets.models import threshold_grid
from simfunnel.widgets.controls import (
    Blitter,
    MoneySlider,
    exact_money,
    finite,
    history_quota,
    image,
    kpi,
    new_figure,
    pct,
    relayout,
    widget_for_team,
)

DEFAULT_THRESHOLD = 50_000.0


class ThresholdExplorer(Widget):
    """A threshold slider → deals in the funnel, records entered, revenue outside the funnel, forecast error.

    Args:
        history: a simulated or imported :class:`~simfunnel.model.history.History`.
        quota: the period's quota (default: the history's; required when it has none).
        thresholds: the slider's money steps, which are also the points of the trade-off
            curve (one :func:`~simfunnel.analysis.threshold.sweep` at construction); default
            :func:`~simfunnel.widgets.models.threshold_grid` (0 to about the 90th
            percentile of amounts).
        lang: fix the language (default: follow :func:`simfunnel.set_language`).

    From code: ``explorer.threshold = 80_000`` updates everything (a value off the steps
    is added to the slider); ``explorer.kpis`` holds the numbers shown; ``explorer.slider``
    is the ipywidgets slider; ``explorer.table`` the sweep behind the curve.

    The weekly chart plots, per period week, the forecast ``F′_t`` (in funnel + expected
    out-of-funnel) against the actual outcome ``F′_t − forecast_error × Q``: the won
    amount of the deals forecast plus the out-of-funnel bookings of the rest of the period
    (deals still open at the end of the history count at their forecast).
    """

    TEXT = {
        "title": ("小额订单门槛：省下的录入工作与付出的预测误差",
                  "Small-order threshold: data entry saved vs forecast error"),
        "intro": (
            "金额低于门槛的商机不进漏斗：不录入、不跟踪阶段；成交后计为漏斗外销售额，"
            "用最近 4 周的周均来预计。拖动门槛，看省下多少录入工作、预测误差如何变化。",
            "Deals below the threshold stay out of the funnel: nobody enters them or their stage "
            "changes; once won they count as out-of-funnel sales, forecast from the last 4 weeks' "
            "run rate. Move the threshold to see the data entry it saves and what it does to the forecast error.",
        ),
        "period": ("本期：第 {a}–{b} 周 · 销售任务 {quota}", "Period: weeks {a}–{b} · quota {quota}"),
        "slider": ("门槛", "Threshold"),
        "deals": ("漏斗内商机", "Deals in the funnel"),
        "deals_note": ("门槛以下 {n} 个", "{n} below the threshold"),
        "records": ("录入记录", "Records entered"),
        "records_note": ("比门槛为 0 时少 {pct}", "{pct} fewer than at 0"),
        "outside": ("漏斗外销售额", "Revenue outside the funnel"),
        "outside_note": ("占本期成交 {pct}", "{pct} of the period's bookings"),
        "error": ("平均|预测误差|", "Mean |forecast error|"),
        "error_note": ("占销售任务；不含漏斗外预计时 {pct}", "of quota; {pct} without the out-of-funnel term"),
    }

    @classmethod
    def for_team(cls, store=None, team=None, **options) -> "ThresholdExplorer":
        """Over a workshop team's history (default: the joined session's team), with the workshop's quota."""
        return widget_for_team(cls, store, team, options)

    def __init__(
        self,
        history: History,
        *,
        quota: float | None = None,
        thresholds: Iterable[float] | None = None,
        lang: str | None = None,
    ) -> None:
        super().__init__(lang)
        self.history = history
        self.currency = history.currency
        self.quota = history_quota(history, quota, "ThresholdExplorer")
        steps = threshold_grid(history) if thresholds is None else thresholds
        grid = sorted({finite(t, "thresholds") for t in steps})
        if not grid:
            raise ValueError("thresholds: give at least one threshold")
        self.table: pd.DataFrame = sweep(history, grid, self.quota)
        self._rows: dict[float, pd.Series] = {float(r.threshold): r for _, r in self.table.iterrows()}
        self._tables: dict[float, pd.DataFrame] = {}
        self._records_at_zero = records_entered(history, threshold=0)
        start = min(grid, key=lambda t: abs(t - DEFAULT_THRESHOLD))
        self._threshold = float(start)
        self.kpis: dict[str, float] = {}

        self._title = w.HTML()
        self._kpi = w.HTML()
        self.slider_control = MoneySlider(grid, start, self._on_slider, lambda v: exact_money(self, v))
        self.slider = self.slider_control.widget
        self.figures["tradeoff"] = new_figure(9.2, 4.4)
        self.figures["forecast_vs_actual"] = new_figure(9.2, 3.5)
        self._ax_tradeoff = self.figures["tradeoff"].subplots()
        self._ax_weekly = self.figures["forecast_vs_actual"].subplots()
        gids = {"tradeoff": ("current", "current_without", "current_guide", "current_note"),
                "forecast_vs_actual": ("forecast", "actual", "gap", "note")}
        axes = {"tradeoff": self._ax_tradeoff, "forecast_vs_actual": self._ax_weekly}
        self._blit = {
            name: Blitter(fig, lambda ax=axes[name], g=gids[name]: [plots.find_artist(ax, x) for x in g])
            for name, fig in self.figures.items()
        }
        self._images = {name: image() for name in self.figures}
        self.root = w.VBox(
            [self._title, self.slider, self._kpi, self._images["tradeoff"], self._images["forecast_vs_actual"]],
            layout=w.Layout(width="100%"),
        )
        self.refresh()

    # --- public API ----------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        """The threshold shown; setting it updates the numbers and the charts."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._threshold = finite(value, "threshold")
        self.slider_control.set(self._threshold)
        self._update()

    def row(self, threshold: float | None = None) -> pd.Series:
        """The sweep row of a threshold (computed on demand for one off the steps)."""
        t = self._threshold if threshold is None else float(threshold)
        if t not in self._rows:
            self._rows[t] = sweep(self.history, [t], self.quota).iloc[0]
        return self._rows[t]

    def weekly(self, threshold: float | None = None) -> pd.DataFrame:
        """Per period week: ``t``, ``week``, ``forecast`` (F′_t) and ``actual`` at a threshold."""
        t = self._threshold if threshold is None else float(threshold)
        if t not in self._tables:
            ind = indicators(self.history, self.quota, threshold=t)
            forecast = ind["forecast"].to_numpy(dtype=float)
            actual = forecast - ind["forecast_error"].to_numpy(dtype=float) * self.quota
            self._tables[t] = pd.DataFrame({"t": ind["t"], "week": ind["week"], "forecast": forecast,
                                            "actual": actual})
        return self._tables[t]

    # --- drawing ---------------------------------------------------------------------------
    def _on_slider(self, value: float) -> None:
        self._threshold = value
        self._update()

    def refresh(self) -> None:
        """Redraw every text and chart in the widget's language."""
        s = self.history.start_week
        b = s + PERIOD_WEEKS
        self._title.value = (
            CSS + f"<h3 style='margin:4px 0'>{self.t('title')}</h3>"
            f"<div style='max-width:860px'>{self.t('intro')}</div>"
            f"<div class='sf-muted'>{self.t('period', a=s, b=b, quota=self.money(self.quota, compact=True))}</div>"
        )
        self.slider_control.relabel(self.t("slider"))
        ax = self._ax_tradeoff
        ax.clear()
        plots.tradeoff_chart(self.table, current=self.row(), ax=ax, lang=self.lang, currency=self.currency)
        relayout(self.figures["tradeoff"])
        ax = self._ax_weekly
        ax.clear()
        plots.forecast_vs_actual_chart(self.weekly(), quota=self.quota, ax=ax, lang=self.lang, currency=self.currency)
        relayout(self.figures["forecast_vs_actual"])
        self._update(full=True)

    def _update(self, full: bool = False) -> None:
        row = self.row()
        saved = 1 - row["records_entered"] / self._records_at_zero if self._records_at_zero else 0.0
        self.kpis = {
            "threshold": self._threshold,
            "deals_in_funnel": int(row["deals_in_funnel"]),
            "deals_outside": int(row["deals_outside"]),
            "records_entered": int(row["records_entered"]),
            "records_at_zero": int(self._records_at_zero),
            "records_saved_share": float(saved),
            "revenue_outside_funnel": float(row["revenue_outside_funnel"]),
            "share_outside": float(row["share_outside"]),
            "mean_abs_error": float(row["mean_abs_error"]),
            "mean_abs_error_without_run_rate": float(row["mean_abs_error_without_run_rate"]),
        }
        k = self.kpis
        self._kpi.value = "".join(
            [
                kpi(self.t("deals"), f"{k['deals_in_funnel']:,}", self.t("deals_note", n=f"{k['deals_outside']:,}")),
                kpi(self.t("records"), f"{k['records_entered']:,}", self.t("records_note", pct=pct(saved, 0))),
                kpi(self.t("outside"), self.money(k["revenue_outside_funnel"], compact=True),
                    self.t("outside_note", pct=pct(k["share_outside"]))),
                kpi(self.t("error"), pct(k["mean_abs_error"]),
                    self.t("error_note", pct=pct(k["mean_abs_error_without_run_rate"]))),
            ]
        )
        self._move_marker(row)
        rescaled = self._redraw_weekly()
        for name, blit in self._blit.items():
            redraw = full or (rescaled and name == "forecast_vs_actual")
            self._images[name].value = blit.full() if redraw else blit.fast()

    def _move_marker(self, row: pd.Series) -> None:
        ax = self._ax_tradeoff
        x = float(row["records_entered"])
        plots.find_artist(ax, "current").set_data([x], [float(row["mean_abs_error"])])
        plots.find_artist(ax, "current_without").set_data([x], [float(row["mean_abs_error_without_run_rate"])])
        guide = plots.find_artist(ax, "current_guide")
        guide.set_xdata([x, x])
        guide.set_visible(True)
        plots.find_artist(ax, "current_note").set_text(plots.tradeoff_current_note(row, self.currency, self.lang))

    def _redraw_weekly(self) -> bool:
        """Move the weekly lines; True when the amount axis had to be rescaled (a full redraw)."""
        ax = self._ax_weekly
        table = self.weekly()
        x = table["t"].to_numpy(dtype=float)
        f, a = table["forecast"].to_numpy(dtype=float), table["actual"].to_numpy(dtype=float)
        plots.find_artist(ax, "forecast").set_ydata(f)
        plots.find_artist(ax, "actual").set_ydata(a)
        plots.find_artist(ax, "gap").set_data(x, f, a)
        plots.find_artist(ax, "note").set_text(plots.forecast_vs_actual_note(f, a, self.quota, self.lang))
        top = max(float(np.nanmax(np.r_[f, a])) if len(x) else 1.0, 1.0)
        current = ax.get_ylim()[1]
        if top * 1.02 > current or top < 0.6 * current:  # keep the axis (and the fast redraw) when it still fits
            ax.set_ylim(0, top * 1.12)
            return True
        return False
