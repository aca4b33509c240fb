"""WinRateLab: test win-rate assumptions against what the history did.

    >>> import simfunnel as sf
    >>> from simfunnel.widgets import WinRateLab
    >>> sim = sf.Simulation(sf.generate(accounts=60, seed=2), seed=2)
    >>> lab = WinRateLab(sim.run(), chain=sim.chain, lang="zh")
    >>> lab.set_rates({"need": 0.5})
    >>> lab.brier > lab.brier_true
    True
    >>> lab.preset
    'custom'
"""

from __future__ import annotations

from typing import Iterable

import ipywidgets as w
import numpy as np
import pandas as pd

from simfunnel import plots
from simfunnel.analysis.winrates import empirical_win_rates
from simfunnel.model.funnel import Funnel, preset_names
from simfunnel.model.history import History
from simfunnel.model.chain import true_win_rates
from simfunnel.widgets.base import CSS, Widget
from simfunnel.widgets.models import RateModel
from simfunnel.widgets.controls import Blitter, image, kpi, new_figure, pct, relayout, widget_for_team

CUSTOM = "custom"
STEP = 0.01  # slider step: whole percentages


class WinRateLab(Widget):
    """A preset dropdown and one win-rate slider per stage → forecast vs actual, calibration, Brier score.

    Args:
        history: a simulated or imported :class:`~simfunnel.model.history.History`.
        funnel: the assumed funnel to start from (default: the history's own); it must
            have as many stages as the history's funnel (rates are taken in stage order).
        chain: the simulation's weekly transition chances (``sim.chain``): the true win
            rates (:func:`~simfunnel.model.chain.true_win_rates`) are then shown and scored.
        quota: the period's quota, for the forecast error (default: the history's).
        lang: fix the language (default: follow :func:`simfunnel.set_language`).

    Only presets with as many stages as the history's funnel are offered (their rates
    apply stage by stage); the others are named in a note as not applicable.

    From code: ``lab.set_rates({"need": 0.12, ...})``, ``lab.rates`` (stage key → rate),
    ``lab.fit_from_history()`` (the sliders take the measured rates, rounded to the
    slider's 1% step), ``lab.preset = "hubspot"``, ``lab.brier`` (of the assumed rates),
    ``lab.brier_empirical``, ``lab.brier_true``, ``lab.kpis``, ``lab.sliders``.

    The Brier score is the mean of ``(p − won)²`` over every (deal, week) snapshot row of
    an open deal that was eventually won (1) or lost (0), weeks 0 … end_week; deals still
    open at the end of the history are left out; ``p`` is the row's win-rate override when
    set, else the assumed rate of its stage (:func:`simfunnel.analysis.assumptions.brier_score`; see
    :class:`~simfunnel.widgets.models.RateModel`).
    The measured rates are scored on the same history they were measured on.
    """

    TEXT = {
        "title": ("赢率假设实验室", "Win-rate lab"),
        "intro": (
            "每个阶段的赢率都是一个假设。选择预设或拖动滑块，看销售预计与实际结果差多少；"
            "校准图把假设赢率与历史实测赢率对比。布里尔分数越低，赢率越准。",
            "Each stage's win rate is an assumption. Pick a preset or move the sliders and see how far "
            "the forecast lands from what happened; the calibration chart compares the assumed rates with "
            "the rates measured in the history. The lower the Brier score, the better the rates.",
        ),
        "preset": ("预设", "Preset"),
        "custom": ("自定义", "Custom"),
        "not_listed": ("未列出（阶段数不同，不适用）：{items}", "Not listed (another number of stages, not applicable): {items}"),
        "preset_item": ("{label}（{n} 个阶段）", "{label} ({n} stages)"),
        "fit": ("按历史数据拟合", "Fit from history"),
        "fit_tip": ("把滑块设为历史实测赢率", "Set the sliders to the win rates measured in the history"),
        "brier": ("布里尔分数（假设赢率）", "Brier score (assumed rates)"),
        "brier_emp": ("布里尔分数（历史实测赢率）", "Brier score (measured rates)"),
        "brier_true": ("布里尔分数（真实赢率）", "Brier score (true rates)"),
        "better": ("比实测赢率好", "better than the measured rates"),
        "worse": ("比实测赢率差 {d}", "{d} worse than the measured rates"),
        "same": ("与实测赢率相同", "same as the measured rates"),
        "emp_note": ("按实测赢率预计", "forecast at the measured rates"),
        "true_note": ("模拟数据的真实赢率", "the simulation's true rates"),
        "error": ("平均|预测误差|", "Mean |forecast error|"),
        "error_note": ("占销售任务；按实测赢率 {pct}", "of quota; {pct} at the measured rates"),
        "explain": (
            "布里尔分数 = 对 {rows} 个（商机, 周）快照行求（赢率 − 结果）² 的平均：商机当周在途、最终赢单（结果 1）"
            "或丢单（结果 0）；至今仍在途的 {left} 行没有结果，不计。",
            "Brier score = the mean of (win rate − outcome)² over {rows} (deal, week) snapshot rows of deals "
            "open that week and eventually won (outcome 1) or lost (0); the {left} rows of deals still open "
            "have no outcome and are left out.",
        ),
    }

    @classmethod
    def for_team(cls, store=None, team=None, **options) -> "WinRateLab":
        """Over a workshop team's history (default: the joined session's team), with the workshop's quota."""
        return widget_for_team(cls, store, team, options)

    def __init__(
        self,
        history: History,
        funnel: Funnel | None = None,
        *,
        chain: pd.DataFrame | None = None,
        quota: float | None = None,
        lang: str | None = None,
    ) -> None:
        super().__init__(lang)
        self.history = history
        self.currency = history.currency
        self.funnel = history.funnel
        keys = self.funnel.keys
        k = len(keys)
        start = funnel or history.funnel
        if len(start) != k:
            raise ValueError(f"funnel {start.name!r} has {len(start)} stages, the history's funnel has {k}")
        self.quota = history.quota if quota is None else float(quota)
        self.model = RateModel(history)
        self.empirical = empirical_win_rates(history)
        measured = self.empirical["win_rate"].to_numpy(dtype=float)
        # a stage without evidence keeps the history funnel's rate for the measured-rate forecast and score
        self._measured = np.where(np.isfinite(measured), measured, self.funnel.rates[:k])
        self.true_rates = None
        if chain is not None:
            if list(chain.index) != list(keys):
                raise ValueError(f"chain stages {list(chain.index)} do not match the history's {list(keys)}")
            self.true_rates = true_win_rates(chain)
        self._presets = {name: Funnel.preset(name) for name in preset_names()}
        self.applicable = [n for n, f in self._presets.items() if len(f) == k]
        self._rates = np.asarray(start.rates[:k], dtype=float)
        self._quiet = False

        self._title = w.HTML()
        self._dropdown = w.Dropdown(style={"description_width": "initial"}, layout=w.Layout(width="420px"))
        self._dropdown.observe(self._on_preset, "value")
        self._not_listed = w.HTML()
        colors = plots.stage_colors(k)
        self.sliders = [
            w.FloatSlider(min=0.0, max=1.0, step=STEP, value=float(r), readout_format=".0%", continuous_update=False,
                          style={"handle_color": c}, layout=w.Layout(width="460px"))
            for r, c in zip(self._rates, colors)
        ]
        for s in self.sliders:
            s.observe(self._on_slider, "value")
        self._fit = w.Button(layout=w.Layout(width="auto"))
        self._fit.on_click(lambda _b: self.fit_from_history())
        self._kpi = w.HTML()
        self._explain = w.HTML()
        self.figures["forecast_vs_actual"] = new_figure(9.2, 3.6)
        self.figures["calibration"] = new_figure(9.2, 4.0)
        self._ax_fva = self.figures["forecast_vs_actual"].subplots()
        self._ax_cal = self.figures["calibration"].subplots()
        self._blit = {
            "forecast_vs_actual": Blitter(self.figures["forecast_vs_actual"], lambda: [
                plots.find_artist(self._ax_fva, g) for g in ("gap", "actual", "forecast", "note")]),
            "calibration": Blitter(self.figures["calibration"], lambda: [plots.find_artist(self._ax_cal, "assumed")]),
        }
        self._images = {name: image() for name in self.figures}
        controls = w.VBox([self._dropdown, self._not_listed, *self.sliders, self._fit])
        self.root = w.VBox([self._title, controls, self._kpi, self._images["forecast_vs_actual"],
                            self._images["calibration"], self._explain], layout=w.Layout(width="100%"))
        self.kpis: dict[str, float | None] = {}
        self.refresh()

    # --- public API -------------------------------------------------------------------------
    @property
    def rates(self) -> dict[str, float]:
        """The assumed win rate of each stage (stage key → share)."""
        return {key: float(r) for key, r in zip(self.funnel.keys, self._rates)}

    def set_rates(self, rates: dict[str, float] | Iterable[float]) -> None:
        """Set some or all stage rates (by key, or all in stage order); each in [0, 1]. One update."""
        new = self._rates.copy()
        if isinstance(rates, dict):
            unknown = [key for key in rates if key not in self.funnel.keys]
            if unknown:
                raise ValueError(f"unknown stage {unknown[0]!r}; stages are {', '.join(self.funnel.keys)}")
            for key, value in rates.items():
                new[self.funnel.keys.index(key)] = value
        else:
            values = [float(v) for v in rates]
            if len(values) != len(new):
                raise ValueError(f"{len(values)} rates for {len(new)} stages")
            new = np.array(values)
        new = np.asarray(new, dtype=float)
        bad = ~np.isfinite(new) | (new < 0) | (new > 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"win rate of stage {self.funnel.keys[i]!r} must be between 0 and 1, got {new[i]!r}")
        self._rates = new
        self._sync_sliders()
        self._sync_dropdown()
        self._update()

    def fit_from_history(self) -> dict[str, float]:
        """Set the sliders to the win rates measured in the history (rounded to the 1% step); returns them."""
        fitted = np.round(np.round(self._measured / STEP) * STEP, 6)
        self.set_rates(np.clip(fitted, 0, 1))
        return self.rates

    @property
    def preset(self) -> str:
        """The preset whose rates are shown, or ``"custom"``; set a preset's name to apply its rates."""
        return self._dropdown.value

    @preset.setter
    def preset(self, name: str) -> None:
        if name == CUSTOM:
            return
        if name not in self._presets:
            raise ValueError(f"unknown preset {name!r}; presets are {', '.join(self._presets)}")
        if name not in self.applicable:
            raise ValueError(
                f"preset {name!r} has {len(self._presets[name])} stages, the history's funnel has "
                f"{len(self.funnel)}; applicable presets: {', '.join(self.applicable) or 'none'}"
            )
        self.set_rates(self._presets[name].rates[: len(self.funnel)])

    @property
    def brier(self) -> float:
        """Brier score of the assumed rates (see the class doc for what it averages)."""
        return self.model.brier(self._rates)

    @property
    def brier_empirical(self) -> float:
        """Brier score of the rates measured in the history."""
        return self.model.brier(self._measured)

    @property
    def brier_true(self) -> float | None:
        """Brier score of the true rates (None without a chain)."""
        return None if self.true_rates is None else self.model.brier(self.true_rates.to_numpy())

    def table(self) -> pd.DataFrame:
        """Per period week: ``forecast`` (assumed rates), ``actual``, ``forecast_empirical`` (and ``forecast_true``)."""
        return self.model.table(self._rates, empirical=self._measured,
                                true=None if self.true_rates is None else self.true_rates.to_numpy())

    # --- events --------------------------------------------------------------------------------
    def _on_slider(self, _change: dict) -> None:
        if self._quiet:
            return
        self._rates = np.array([s.value for s in self.sliders], dtype=float)
        self._sync_dropdown()
        self._update()

    def _on_preset(self, change: dict) -> None:
        if self._quiet or change["new"] == CUSTOM:
            return
        self.preset = change["new"]

    def _sync_sliders(self) -> None:
        self._quiet = True
        try:
            for s, r in zip(self.sliders, self._rates):
                s.value = float(r)
        finally:
            self._quiet = False

    def _sync_dropdown(self) -> None:
        match = CUSTOM
        for name in self.applicable:
            if np.allclose(self._presets[name].rates[: len(self.funnel)], self._rates, atol=1e-9):
                match = name
                break
        self._quiet = True
        try:
            if self._dropdown.value != match:
                self._dropdown.value = match
        finally:
            self._quiet = False

    # --- drawing ---------------------------------------------------------------------------------
    def _preset_label(self, name: str) -> str:
        f = self._presets[name]
        return (f.label_zh if self.lang == "zh" else f.label_en) or name

    def refresh(self) -> None:
        """Redraw every text and chart in the widget's language."""
        lang = self.lang
        self._title.value = (CSS + f"<h3 style='margin:4px 0'>{self.t('title')}</h3>"
                             f"<div style='max-width:860px'>{self.t('intro')}</div>")
        self._quiet = True
        try:
            value = self._dropdown.value
            options = [(self._preset_label(n), n) for n in self.applicable]
            self._dropdown.options = options + [(self.t("custom"), CUSTOM)]
            self._dropdown.value = value if value is not None else CUSTOM
            self._dropdown.description = self.t("preset")
        finally:
            self._quiet = False
        self._sync_dropdown()
        others = [n for n in self._presets if n not in self.applicable]
        join = "；".join if lang == "zh" else "; ".join
        items = join(self.t("preset_item", label=self._preset_label(n), n=len(self._presets[n])) for n in others)
        self._not_listed.value = f"<span class='sf-muted'>{self.t('not_listed', items=items)}</span>" if others else ""
        width = "6em" if lang == "zh" else "12em"
        for s, stage in zip(self.sliders, self.funnel.stages):
            s.description = stage.label(lang)
            s.style.description_width = width
        self._fit.description = self.t("fit")
        self._fit.tooltip = self.t("fit_tip")
        explain = self.t("explain", rows=f"{self.model.rows:,}", left=f"{self.model.rows_left_out:,}")
        self._explain.value = f"<div class='sf-muted' style='max-width:860px'>{explain}</div>"
        self._ax_fva.clear()
        plots.forecast_vs_actual_chart(self.table(), quota=self.quota, ax=self._ax_fva, lang=lang,
                                       currency=self.currency)
        relayout(self.figures["forecast_vs_actual"])
        self._ax_cal.clear()
        plots.calibration_chart(self.empirical, ax=self._ax_cal, lang=lang, assumed=self._rates,
                                true_rates=self.true_rates)
        relayout(self.figures["calibration"])
        self._update(full=True)

    def _update(self, full: bool = False) -> None:
        table = self.table()
        f, a = table["forecast"].to_numpy(dtype=float), table["actual"].to_numpy(dtype=float)
        q = self.quota
        err = float(np.mean(np.abs(f - a)) / q) if q and len(f) else float("nan")
        emp = table["forecast_empirical"].to_numpy(dtype=float)
        err_emp = float(np.mean(np.abs(emp - a)) / q) if q and len(f) else float("nan")
        self.kpis = {
            "brier": self.brier,
            "brier_empirical": self.brier_empirical,
            "brier_true": self.brier_true,
            "mean_abs_error": err,
            "mean_abs_error_empirical": err_emp,
        }
        b, be = self.kpis["brier"], self.kpis["brier_empirical"]
        d = b - be
        note = self.t("same") if abs(d) < 5e-5 else self.t("better") if d < 0 else self.t("worse", d=f"{d:.4f}")
        boxes = [kpi(self.t("brier"), f"{b:.4f}", note, warn=d >= 5e-5),
                 kpi(self.t("brier_emp"), f"{be:.4f}", self.t("emp_note"))]
        if self.kpis["brier_true"] is not None:
            boxes.append(kpi(self.t("brier_true"), f"{self.kpis['brier_true']:.4f}", self.t("true_note")))
        if q:
            boxes.append(kpi(self.t("error"), pct(err), self.t("error_note", pct=pct(err_emp))))
        self._kpi.value = "".join(boxes)

        ax = self._ax_fva
        x = table["t"].to_numpy(dtype=float)
        plots.find_artist(ax, "forecast").set_ydata(f)
        plots.find_artist(ax, "actual").set_ydata(a)
        plots.find_artist(ax, "gap").set_data(x, f, a)
        plots.find_artist(ax, "note").set_text(plots.forecast_vs_actual_note(f, a, q, self.lang))
        top = max(float(np.nanmax(np.r_[f, a, emp])) if len(x) else 1.0, 1.0)
        limit = ax.get_ylim()[1]
        rescale = top * 1.02 > limit or top < 0.6 * limit
        if rescale:
            ax.set_ylim(0, top * 1.12)
        plots.set_calibration_assumed(self._ax_cal, self._rates)
        fva = self._blit["forecast_vs_actual"]
        self._images["forecast_vs_actual"].value = fva.full() if full or rescale else fva.fast()
        cal = self._blit["calibration"]
        self._images["calibration"].value = cal.full() if full else cal.fast()
