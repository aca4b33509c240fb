"""ForecastDashboard: the Monte Carlo range of the period's final bookings, week by week.

    >>> import simfunnel as sf
    >>> from simfunnel.widgets import ForecastDashboard
    >>> sim = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2)
    >>> dash = ForecastDashboard(sim.run(), chain=sim.chain, trials=500, lang="en")
    >>> dash.week = 5
    >>> 0 <= dash.p_quota <= 1
    True
    >>> list(dash.fan.columns[:7])
    ['t', 'week', 'p10', 'p25', 'p50', 'p75', 'p90']
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from simfunnel import i18n, plots
from simfunnel.model.history import PERIOD_WEEKS, History
from simfunnel.analysis.metrics import indicators
from simfunnel.model.chain import history_chain
from simfunnel.widgets.base import CSS, Widget
from simfunnel.widgets.models import FanModel, threshold_grid
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


class ForecastDashboard(Widget):
    """A week slider and a threshold control → the fan of final bookings, P(hit quota), coverage, progress.

    Args:
        history: a simulated or imported :class:`~simfunnel.model.history.History`.
        quota: the period's quota (default: the history's; required when it has none).
        threshold: the small-order threshold to start with (in the history's currency).
        chain: the simulation's weekly transition chances (``sim.chain``): each deal's
            chance is then that of a win *within* the rest of the period. Default: the chain
            a simulated dataset records (:func:`~simfunnel.model.chain.history_chain`); for
            imports, none: each deal's stage win rate (eventual, which over-forecasts what
            closes within the period).
        trials: Monte Carlo trials per week; ``seed``: the same seed, the same fan.
        lang: fix the language (default: follow :func:`simfunnel.set_language`).

    The fan is drawn once at construction for every week and every step of the threshold
    slider (:class:`~simfunnel.widgets.models.FanModel`), so moving either control only
    looks numbers up and redraws. A threshold off the slider's steps, set from code, is
    forecast with :func:`~simfunnel.analysis.montecarlo.montecarlo` week by week (slower, cached).

    From code: ``dash.week = 5`` (period week 0 … 13), ``dash.threshold = 50_000``,
    ``dash.p_quota`` (at the selected week), ``dash.fan`` (DataFrame: ``t``, ``week``,
    ``p10`` … ``p90``, ``mean``, ``p_quota``, ``booked``), ``dash.kpis``, ``dash.indicators``.
    """

    TEXT = {
        "title": ("销售预计的蒙特卡洛区间", "The forecast's range, by Monte Carlo"),
        "intro": (
            "每一周，把当时在途的漏斗内商机按赢单概率抽样 {trials} 次（赢或不赢），加上已成交和漏斗外的预计，"
            "得到本期最终成交额的可能范围（扇形图）。越接近期末，范围越窄。",
            "Each week, the in-funnel deals open at the time are drawn won or not {trials} times at their "
            "chances, plus what is booked and the out-of-funnel forecast: the range of the period's final "
            "bookings (the fan). The range narrows as the period closes.",
        ),
        "chain": ("赢单概率：本期内赢单的机会（按模拟的周转移概率）。",
                  "Chances: of a win within the period (from the simulation's weekly transitions)."),
        "no_chain": ("赢单概率：阶段赢率（最终赢率，不限于本期，因此偏乐观）。",
                     "Chances: the stage win rates (eventual, not only within the period, so optimistic)."),
        "period": ("本期：第 {a}–{b} 周 · 销售任务 {quota}", "Period: weeks {a}–{b} · quota {quota}"),
        "week": ("本期第几周", "Week of the period"),
        "threshold": ("门槛", "Threshold"),
        "p_quota": ("达成任务概率", "Chance of hitting quota"),
        "p_quota_note": ("第 {week} 周的预测", "forecast in week {week}"),
        "median": ("最终成交额中位数", "Median final bookings"),
        "range": ("80% 区间 {a}–{b}", "80% range {a}–{b}"),
        "coverage": ("覆盖率", "Coverage"),
        "coverage_low": ("低于 1：要找更多商机", "below 1: find more opportunities"),
        "coverage_ok": ("销售预计 ÷ 剩余任务", "forecast ÷ remaining quota"),
        "quota_met": ("任务已完成", "quota met"),
        "booked": ("本期已成交", "Booked so far"),
        "actual": ("本期实际最终 {amount}", "actual final {amount}"),
        "no_actual": ("本期尚未结束", "the period is not over"),
        "progress": ("本周销售进展", "Progress this week"),
        "progress_note": ("基准 {b}：{verdict}", "benchmark {b}: {verdict}"),
        "above": ("达到基准", "at or above"),
        "below": ("低于基准", "below"),
        "no_progress": ("期初没有进展", "none at the start"),
    }

    @classmethod
    def for_team(cls, store=None, team=None, **options) -> "ForecastDashboard":
        """Over a workshop team's history (default: the joined session's team), with the workshop's quota and threshold."""
        return widget_for_team(cls, store, team, options, threshold=True)

    def __init__(
        self,
        history: History,
        *,
        quota: float | None = None,
        threshold: float = 0,
        chain: pd.DataFrame | None = None,
        trials: int = 2_000,
        seed: int = 0,
        lang: str | None = None,
    ) -> None:
        super().__init__(lang)
        self.history = history
        self.currency = history.currency
        self.quota = history_quota(history, quota, "ForecastDashboard")
        threshold = finite(threshold, "threshold")
        # A simulated dataset records the chain that made it: use it, so chances are within the period.
        self.chain = history_chain(history) if chain is None else chain
        self.trials = int(trials)
        grid = sorted(set(threshold_grid(history)) | {threshold})
        self.model = FanModel(history, grid, quota=self.quota, chain=self.chain, trials=trials, seed=seed)
        self._threshold = threshold
        self._week = 0
        self._tables: dict[float, pd.DataFrame] = {}
        weeks = self.model.t
        complete = weeks[-1] == PERIOD_WEEKS
        self.actual_final = float(self.model.booked[-1]) if complete else None
        q = self.model._q
        lo = min(float(np.nanmin(q[0])), *(v for v in (self.quota, self.actual_final) if v is not None))
        hi = max(float(np.nanmax(q[-1])), *(v for v in (self.quota, self.actual_final) if v is not None))
        pad = max((hi - lo) * 0.08, abs(hi) * 0.02, 1.0)
        self._fan_ylim = (max(lo - pad, 0.0), hi + pad)
        self.kpis: dict[str, float | None] = {}

        self._title = w.HTML()
        self.week_slider = w.IntSlider(min=0, max=int(weeks[-1]), value=0, continuous_update=False,
                                       style={"description_width": "initial"}, layout=w.Layout(width="560px"))
        self.week_slider.observe(self._on_week, "value")
        self.threshold_control = MoneySlider(grid, threshold, self._on_threshold, lambda v: exact_money(self, v))
        self.threshold_slider = self.threshold_control.widget
        self._kpi = w.HTML()
        self.figures["fan"] = new_figure(9.2, 4.2)
        self.figures["progress"] = new_figure(9.2, 3.0)
        self._ax_fan = self.figures["fan"].subplots()
        self._ax_progress = self.figures["progress"].subplots()
        self._highlight = None
        self._bars: list = []
        fan_gids = ("band_outer", "band_inner", "median", "week_marker", "week_note")
        self._blit = {
            "fan": Blitter(self.figures["fan"], lambda: [plots.find_artist(self._ax_fan, g) for g in fan_gids]),
            "progress": Blitter(self.figures["progress"], self._progress_moving),
        }
        self._images = {name: image() for name in self.figures}
        self.root = w.VBox([self._title, self.week_slider, self.threshold_slider, self._kpi, self._images["fan"],
                            self._images["progress"]], layout=w.Layout(width="100%"))
        self.refresh()

    # --- public API --------------------------------------------------------------------------
    @property
    def week(self) -> int:
        """The selected period week (0 = the period's opening state)."""
        return self._week

    @week.setter
    def week(self, value: int) -> None:
        if isinstance(value, bool) or not float(value).is_integer() or not 0 <= int(value) <= self.week_slider.max:
            raise ValueError(f"week must be a whole week 0…{self.week_slider.max}, got {value!r}")
        self._week = int(value)
        self.week_slider.unobserve(self._on_week, "value")
        try:
            self.week_slider.value = self._week
        finally:
            self.week_slider.observe(self._on_week, "value")
        self._update_week()

    @property
    def threshold(self) -> float:
        """The small-order threshold of the forecast; setting it updates the fan and the indicators."""
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._threshold = finite(value, "threshold")
        self.threshold_control.set(self._threshold)
        self._update_threshold()

    @property
    def fan(self) -> pd.DataFrame:
        """The fan at the current threshold: one row per period week."""
        return self.model.fan(self._threshold)

    @property
    def p_quota(self) -> float:
        """Chance of hitting the quota, as forecast at the selected week (share of trials)."""
        return float(self.fan["p_quota"].iloc[self._week])

    @property
    def indicators(self) -> pd.DataFrame:
        """The three indicators at the current threshold (:func:`simfunnel.analysis.metrics.indicators`)."""
        t = self._threshold
        if t not in self._tables:
            self._tables[t] = indicators(self.history, self.quota, threshold=t)
        return self._tables[t]

    # --- events ----------------------------------------------------------------------------------
    def _on_week(self, change: dict) -> None:
        self._week = int(change["new"])
        self._update_week()

    def _on_threshold(self, value: float) -> None:
        self._threshold = value
        self._update_threshold()

    # --- drawing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every text and chart in the widget's language."""
        s = self.history.start_week
        self._title.value = (
            CSS + f"<h3 style='margin:4px 0'>{self.t('title')}</h3>"
            f"<div style='max-width:860px'>{self.t('intro', trials=f'{self.trials:,}')}"
            f"{'' if self.lang == 'zh' else ' '}{self.t('chain' if self.chain is not None else 'no_chain')}</div>"
            f"<div class='sf-muted'>"
            f"{self.t('period', a=s, b=s + PERIOD_WEEKS, quota=self.money(self.quota, compact=True))}</div>"
        )
        self.week_slider.description = self.t("week")
        self.threshold_control.relabel(self.t("threshold"))
        ax = self._ax_fan
        ax.clear()
        plots.fan_chart(self.fan, quota=self.quota, actual=self.actual_final, week=self._week, ax=ax, lang=self.lang,
                        currency=self.currency)
        ax.set_ylim(*self._fan_ylim)
        relayout(self.figures["fan"])
        self._draw_progress()
        self._align()
        self._update_week(full=True)

    def _align(self) -> None:
        """Give the fan and the progress bars the same week axis, one above the other."""
        fan, prog = self._ax_fan, self._ax_progress
        a, b = fan.get_position(), prog.get_position()
        left, right = max(a.x0, b.x0), min(a.x1, b.x1)
        fan.set_position([left, a.y0, right - left, a.height])
        prog.set_position([left, b.y0, right - left, b.height])
        prog.set_xlim(fan.get_xlim())

    def _progress_table(self) -> pd.DataFrame:
        return self.indicators.assign(week=lambda d: d["t"])  # period weeks on the x axis, as on the fan

    def _progress_moving(self) -> list:
        ax = self._ax_progress
        return [*self._bars, plots.find_artist(ax, "benchmark"), ax.get_legend(), self._highlight]

    def _draw_progress(self) -> None:
        ax = self._ax_progress
        ax.clear()
        plots.progress_chart(self._progress_table(), ax=ax, lang=self.lang)
        self._bars = [p for p in ax.patches if p.get_gid() == "progress_bar"]
        ax.set_xlim(ax.get_xlim())  # fixed limits: new bars must not rescale the axes behind the kept background
        ax.set_ylim(ax.get_ylim())
        ax.set_xlabel(plots.chart_text("period_week", self.lang))
        self._highlight = ax.axvspan(self._week - 0.45, self._week + 0.45, color=plots.TOTAL_COLOR, alpha=0.12, lw=0,
                                     zorder=0)
        relayout(self.figures["progress"])

    def _swap_progress(self) -> bool:
        """Swap the progress bars and the benchmark for the current threshold; True when the axis had to change."""
        ax = self._ax_progress
        table = self._progress_table()
        self._bars = plots.progress_bars(ax, table)
        bench = float(table["benchmark"].iloc[0])
        plots.find_artist(ax, "benchmark").set_ydata([bench, bench])
        legend = ax.get_legend()
        legend.get_texts()[-1].set_text(f"{i18n.label('benchmark', self.lang)} {bench:.1%}")
        progress = table["progress"].to_numpy(dtype=float)
        lo = min(0.0, float(np.nanmin(progress, initial=0.0)), bench)
        hi = max(float(np.nanmax(progress, initial=0.0)), bench)
        a, b = ax.get_ylim()
        if lo < a or hi > b or (hi - lo) < 0.5 * (b - a):
            pad = 0.05 * max(hi - lo, 1e-9)
            ax.set_ylim(lo - pad, hi + pad)
            return True
        return False

    def _update_threshold(self) -> None:
        fan = self.fan
        ax = self._ax_fan
        x = fan["t"].to_numpy(dtype=float)
        plots.find_artist(ax, "band_outer").set_data(x, fan["p10"].to_numpy(), fan["p90"].to_numpy())
        plots.find_artist(ax, "band_inner").set_data(x, fan["p25"].to_numpy(), fan["p75"].to_numpy())
        plots.find_artist(ax, "median").set_ydata(fan["p50"].to_numpy())
        lo, hi = float(fan["p10"].min()), float(fan["p90"].max())
        full = lo < self._fan_ylim[0] or hi > self._fan_ylim[1]  # an off-grid threshold outside the axis
        if full:
            pad = (hi - lo) * 0.08
            self._fan_ylim = (min(self._fan_ylim[0], max(lo - pad, 0.0)), max(self._fan_ylim[1], hi + pad))
            ax.set_ylim(*self._fan_ylim)
        rescaled = self._swap_progress()
        self._update_week(full_fan=full, full_progress=rescaled)

    def _update_week(self, full: bool = False, full_fan: bool = False, full_progress: bool = False) -> None:
        t = self._week
        fan = self.fan
        ind = self.indicators
        row = fan.iloc[t]
        irow = ind.iloc[t] if t < len(ind) else None
        coverage = float(irow["coverage"]) if irow is not None else float("nan")
        progress = float(irow["progress"]) if irow is not None else float("nan")
        benchmark = float(irow["benchmark"]) if irow is not None else float("nan")
        self.kpis = {
            "week": t,
            "threshold": self._threshold,
            "p_quota": float(row["p_quota"]),
            "p10": float(row["p10"]),
            "p50": float(row["p50"]),
            "p90": float(row["p90"]),
            "coverage": coverage,
            "booked": float(row["booked"]),
            "actual_final": self.actual_final,
            "progress": progress,
            "benchmark": benchmark,
        }
        money = lambda v: self.money(v, compact=True)  # noqa: E731
        if np.isinf(coverage):
            cov_value, cov_note, cov_warn = "∞", self.t("quota_met"), False
        else:
            cov_value = f"{coverage:.2f}" if np.isfinite(coverage) else "—"
            cov_warn = np.isfinite(coverage) and coverage < 1
            cov_note = self.t("coverage_low") if cov_warn else self.t("coverage_ok")
        if np.isnan(progress):
            prog_value, prog_note, prog_warn = "—", self.t("no_progress"), False
        else:
            good = progress >= benchmark - 1e-12
            prog_value = pct(progress)
            prog_note = self.t("progress_note", b=pct(benchmark), verdict=self.t("above" if good else "below"))
            prog_warn = not good
        if self.actual_final is not None:
            actual = self.t("actual", amount=money(self.actual_final))
        else:
            actual = self.t("no_actual")
        self._kpi.value = "".join([
            kpi(self.t("p_quota"), pct(self.kpis["p_quota"], 0), self.t("p_quota_note", week=t)),
            kpi(self.t("median"), money(row["p50"]), self.t("range", a=money(row["p10"]), b=money(row["p90"]))),
            kpi(self.t("coverage"), cov_value, cov_note, warn=cov_warn),
            kpi(self.t("booked"), money(row["booked"]), actual),
            kpi(self.t("progress"), prog_value, prog_note, warn=prog_warn),
        ])
        ax = self._ax_fan
        marker = plots.find_artist(ax, "week_marker")
        marker.set_xdata([t, t])
        marker.set_visible(True)
        plots.find_artist(ax, "week_note").set_text(plots.fan_week_note(fan, t, self.currency, self.lang))
        self._highlight.set_x(t - 0.45)
        fan_blit, prog_blit = self._blit["fan"], self._blit["progress"]
        self._images["fan"].value = fan_blit.full() if full or full_fan else fan_blit.fast()
        self._images["progress"].value = prog_blit.full() if full or full_progress else prog_blit.fast()
