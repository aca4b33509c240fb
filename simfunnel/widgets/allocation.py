"""AllocationExercise: split the team's seller weeks across the attack/defend segments and run a year.

    >>> import simfunnel as sf
    >>> from simfunnel.widgets import AllocationExercise
    >>> ex = AllocationExercise(sf.generate(accounts=60, seed=3), seed=3, lang="en")
    >>> ex.capacity
    138.0
    >>> ex.set_allocation({"attack": 80, "defend": 40})
    >>> result = ex.run()
    >>> result.allocation["attack"], ex.previous.allocation["attack"]
    (80.0, 34.0)
    >>> ex.set_allocation({"attack": 138, "defend": 10})
    >>> ex.run() is None, ex.message
    (True, 'Over capacity by 10 seller weeks: move a slider down')
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from simfunnel import i18n, plots
from simfunnel.analysis.allocation import (
    COUNT_COLUMNS,
    RESULT_COLUMNS,
    AllocationParams,
    AllocationResult,
    as_world,
    simulate_allocation,
    weeks_by_key,
)
from simfunnel.model.segments import Segmentation, segment_accounts
from simfunnel.widgets.base import CSS, Widget, figure_png
from simfunnel.widgets.controls import image, kpi, new_figure, pct, relayout

WEEK_STEP = 1.0  # slider step: whole seller weeks
TABLE_COLUMNS = ("weeks_allocated", "weeks_used", "revenue", "revenue_gain", "new_customers", "retained_customers",
                 "churned_customers", "acquisition_cost", "retention_cost", "development_cost")
_NAMES = {c: (zh, en) for c, _unit, zh, en in RESULT_COLUMNS}
# the totals shown in the KPI boxes (ex.kpis, with cost_ratio)
KPI_COLUMNS = ("revenue", "revenue_no_time", "revenue_gain", "new_customers", "new_customers_no_time",
               "retained_customers", "churned_customers", "churned_no_time", "retention_rate",
               "cost_per_extra_new_customer", "cost_per_customer_saved", "weeks_used", "weeks_idle")


class AllocationExercise(Widget):
    """One slider per segment (seller weeks) → a simulated year → revenue, customers won, kept and lost, costs.

    Args:
        world: a :class:`~simfunnel.model.generate.World` (``sf.generate(seed=2026)`` is the workshop
            world) or a simulated :class:`~simfunnel.model.history.History` with accounts (rebuilt with
            :func:`~simfunnel.model.generate.world_from_history`).
        seed: the year's seed; every run uses it, so two allocations differ only by what the
            allocation changed (common random numbers).
        params: :class:`~simfunnel.analysis.allocation.AllocationParams` (capacity, costs, churn, folk figures).
        segmentation: :class:`~simfunnel.model.segments.Segmentation` (default: the kit's cut-offs).
        allocation: the sliders' first position (default: the capacity split evenly, in whole weeks).
        lang: fix the language (default: follow :func:`simfunnel.set_language`).

    The widget runs the first allocation when built, so the trainee has a year to compare with;
    each later run keeps the one before as :attr:`previous` ("your last allocation", grey in
    the chart). Sliders may add up to more than the capacity: the widget then says by how much
    and does not run.

    From code: ``ex.set_allocation({"attack": 120, "defend": 80})`` (missing segments → 0),
    ``ex.allocation``, ``ex.run()`` (the :class:`~simfunnel.analysis.allocation.AllocationResult`, or
    ``None`` over capacity), ``ex.result``, ``ex.previous``, ``ex.kpis`` (the numbers shown),
    ``ex.message`` (the capacity warning, ``""`` when none), ``ex.sliders`` (segment key →
    ipywidgets slider), ``ex.run_button``, ``ex.texts()``.
    """

    TEXT = {
        "title": ("资源分配：把销售时间分给四类客户", "Resource allocation: split seller time across the segments"),
        "intro": (
            "团队今年有 {capacity} 个销售人周（{sellers} 名销售 × {weeks} 周）；一个人周可做 {actions} 次客户动作，"
            "成本 {cost}。用滑块分配时间，再运行一年：每周先拜访到期该维护的老客户，再推进该细分里金额最大的商机。"
            "同一个随机种子下，两次运行的差别只来自你的分配。",
            "Your team has {capacity} seller weeks this year ({sellers} sellers × {weeks} weeks); a seller week "
            "buys {actions} customer actions and costs {cost}. Split the weeks with the sliders, then run the year: "
            "each week the time first visits the segment's customers due for care, then works its largest open "
            "deals. With the same seed, two runs differ only by your allocation.",
        ),
        "segment_note": ("{accounts} 家客户，其中老客户 {customers} 家", "{accounts} accounts, {customers} customers"),
        "allocated": ("已分配 {used} / {capacity} 人周，剩余 {left} 人周",
                      "Allocated {used} of {capacity} seller weeks · {left} left"),
        "over": ("超出可用时间 {over} 人周：请把滑块调低", "Over capacity by {over} seller weeks: move a slider down"),
        "run": ("运行一年", "Run the year"),
        "run_tip": ("用当前分配模拟一年", "Simulate a year with this allocation"),
        "even": ("平均分配", "Even split"),
        "even_tip": ("把全部人周平均分给四类客户", "Split every seller week evenly across the segments"),
        "revenue": ("成交额", "Revenue"),
        "revenue_note": ("不投入时间时 {none}，时间带来 {gain}", "{none} with no seller time, {gain} gained"),
        "new": ("新赢得客户", "New customers won"),
        "new_note": ("不投入时间时 {n} 家", "{n} with no seller time"),
        "kept": ("保留的老客户", "Customers retained"),
        "kept_note": ("流失 {lost} 家（不投入时间时 {lost0} 家），保留率 {rate}",
                      "{lost} lost ({lost0} with no seller time), retention {rate}"),
        "ratio": ("赢得 ÷ 保住一个客户", "Winning ÷ keeping a customer"),
        "ratio_note": ("课程经验 {lo}–{hi} 倍；多赢得一个 {new}，多保住一个 {saved}",
                       "course: {lo}–{hi}×; {new} per extra new customer, {saved} per customer saved"),
        "used": ("用掉的人周", "Seller weeks used"),
        "used_note": ("闲置 {idle} 人周：那里没有更多商机或到期客户", "{idle} idle: nothing more to work there"),
        "used_all": ("全部用上", "all of them worked"),
        "none": ("无", "none"),
        "folk_retention": ("行业流传的说法（不是课程给出的数字）：老客户保留率每提高 {points} 个百分点，利润增加 "
                           "{lo}–{hi}。本次保留率 {rate}，不投入时间时 {rate0}。",
                           "A sales folk figure (not from the course): {points} points more retention → {lo}–{hi} "
                           "more profit. Retention this year {rate}; with no seller time {rate0}."),
        "folk_conversion": ("课程经验：老客户的商机约 {ex} 成交，新客户约 {new}。本次模拟：老客户 {ex_sim}，新客户 {new_sim}"
                            "（本工具的模拟世界对两者用同样的阶段赢率，可作讨论）。",
                            "Course's rule of thumb: existing customers' opportunities convert ~{ex}, new ones ~{new}. "
                            "This year: existing {ex_sim}, new {new_sim} (the kit's world gives both the same stage "
                            "odds: a point to discuss)."),
        "last": ("上次分配：{alloc} → 成交额 {revenue}，新客户 {new} 家，流失 {lost} 家",
                 "Your last allocation: {alloc} → revenue {revenue}, {new} new customers, {lost} lost"),
        "first": ("第一次运行用的是平均分配。调整滑块后再运行，与它比较。",
                  "The first run is an even split. Move the sliders and run again to compare."),
        "this": ("本次分配：{alloc}", "This allocation: {alloc}"),
        "segment": ("客户细分", "Segment"),
    }

    def __init__(
        self,
        world: Any,
        *,
        seed: int = 2026,
        params: AllocationParams | None = None,
        segmentation: Segmentation | None = None,
        allocation: Mapping[str, float] | None = None,
        lang: str | None = None,
    ) -> None:
        super().__init__(lang)
        self.params = params or AllocationParams()
        if not isinstance(self.params, AllocationParams):
            raise ValueError(f"params must be an AllocationParams, got {type(self.params).__name__}")
        self.segmentation = segmentation or Segmentation()
        self.seed = int(seed)
        self.world = as_world(world, self.seed)
        self.currency = self.world.currency
        self.sellers = self.params.sellers_of(self.world)
        self.capacity = self.params.capacity(self.world)
        table = segment_accounts(self.world.accounts, self.segmentation)
        existing = table["existing_customer"].astype(bool) if "existing_customer" in table.columns else None
        self._counts = {
            k: (int((table["segment"] == k).sum()),
                int(((table["segment"] == k) & existing).sum()) if existing is not None else 0)
            for k in self.segmentation.keys
        }
        self.result: AllocationResult | None = None
        self.previous: AllocationResult | None = None
        self.kpis: dict[str, float] = {}
        self.message = ""

        self._title = w.HTML()
        self.sliders: dict[str, w.FloatSlider] = {}
        self._slider_notes: dict[str, w.HTML] = {}
        rows = []
        for key in self.segmentation.keys:
            slider = w.FloatSlider(min=0.0, max=self.capacity, step=WEEK_STEP, value=0.0, readout_format=".0f",
                                   continuous_update=True, style={"description_width": "90px"},
                                   layout=w.Layout(width="460px"))
            slider.observe(self._on_slider, "value")
            note = w.HTML()
            self.sliders[key] = slider
            self._slider_notes[key] = note
            rows.append(w.HBox([slider, note], layout=w.Layout(align_items="center")))
        self._remaining = w.HTML()
        self.run_button = w.Button(button_style="primary", layout=w.Layout(width="auto"))
        self.run_button.on_click(lambda _b: self.run())
        self._even_button = w.Button(layout=w.Layout(width="auto"))
        self._even_button.on_click(lambda _b: self.set_allocation(self.even_split()))
        self._kpi = w.HTML()
        self._compare = w.HTML()
        self._folk = w.HTML()
        self._table = w.HTML()
        self.figures["allocation"] = new_figure(12.0, 4.4)
        self._axes = list(self.figures["allocation"].subplots(1, 3, gridspec_kw={"width_ratios": [1.45, 1.1, 0.95]}))
        self._images = {"allocation": image()}
        self.root = w.VBox(
            [self._title, *rows, w.HBox([self.run_button, self._even_button, self._remaining],
                                        layout=w.Layout(align_items="center")),
             self._kpi, self._compare, self._images["allocation"], self._folk, self._table],
            layout=w.Layout(width="100%"),
        )
        self.set_allocation(self.even_split() if allocation is None else allocation)
        self.run()  # a first year to compare with; refresh() draws everything

    # --- public API ----------------------------------------------------------------------
    @property
    def allocation(self) -> dict[str, float]:
        """Seller weeks per segment key, as the sliders show them."""
        return {k: float(s.value) for k, s in self.sliders.items()}

    @property
    def allocated(self) -> float:
        """Seller weeks on the sliders in all (may exceed :attr:`capacity`)."""
        return float(sum(self.allocation.values()))

    def even_split(self) -> dict[str, float]:
        """The capacity split evenly across the segments, in whole weeks (the rest left unallocated)."""
        each = math.floor(self.capacity / len(self.sliders) / WEEK_STEP) * WEEK_STEP
        return {k: float(each) for k in self.sliders}

    def set_allocation(self, weeks_by_segment: Mapping[str, float]) -> None:
        """Move the sliders: seller weeks per segment key; segments not given go to 0.

        The sliders may add up to more than the capacity (the widget then shows by how much and
        :meth:`run` does not run). Raises ValueError for an unknown segment, or weeks below 0,
        above the capacity or not a number.
        """
        values = weeks_by_key(weeks_by_segment, list(self.sliders), "set_allocation", most=self.capacity)
        self._quiet = True
        try:
            for key, v in values.items():
                self.sliders[key].value = v
        finally:
            self._quiet = False
        self._render_capacity()

    def run(self) -> AllocationResult | None:
        """Simulate the year with the sliders' allocation and show it; ``None`` (and the message) over capacity."""
        self._render_capacity()
        if self.message:
            return None
        result = simulate_allocation(self.world, self.allocation, seed=self.seed, params=self.params,
                                     segmentation=self.segmentation)
        if self.result is not None:
            self.previous = self.result
        self.result = result
        self.refresh()
        return result

    # --- drawing -------------------------------------------------------------------------
    def _on_slider(self, _change: dict) -> None:
        if not getattr(self, "_quiet", False):
            self._render_capacity()

    def _weeks(self, v: float) -> str:
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"

    def _render_capacity(self) -> None:
        used = self.allocated
        over = used - self.capacity
        self.message = self.t("over", over=self._weeks(over)) if over > 1e-9 else ""
        self.run_button.disabled = bool(self.message)
        if self.message:
            self._remaining.value = f"<span class='sf-warn'>&nbsp;{html.escape(self.message)}</span>"
        else:
            self._remaining.value = ("<span class='sf-muted'>&nbsp;" + html.escape(self.t(
                "allocated", used=self._weeks(used), capacity=self._weeks(self.capacity),
                left=self._weeks(self.capacity - used))) + "</span>")

    def _alloc_text(self, result: AllocationResult) -> str:
        return " · ".join(f"{result.label(k, self.lang)} {self._weeks(v)}" for k, v in result.allocation.items())

    def refresh(self) -> None:
        """Redraw every text and chart in the widget's language."""
        p = self.params
        intro = self.t("intro", capacity=self._weeks(self.capacity), sellers=self.sellers,
                       weeks=self._weeks(p.weeks_per_seller), actions=self._weeks(p.actions_per_seller_week),
                       cost=self.money(p.cost_per_seller_week))
        self._title.value = (CSS + f"<h3 style='margin:4px 0'>{html.escape(self.t('title'))}</h3>"
                             f"<div style='max-width:900px'>{html.escape(intro)}</div>")
        for key, slider in self.sliders.items():
            slider.description = self.segmentation.label(key, self.lang)
            accounts, customers = self._counts[key]
            note = self.t("segment_note", accounts=accounts, customers=customers)
            self._slider_notes[key].value = f"<span class='sf-muted'>{html.escape(note)}</span>"
        self.run_button.description = self.t("run")
        self.run_button.tooltip = self.t("run_tip")
        self._even_button.description = self.t("even")
        self._even_button.tooltip = self.t("even_tip")
        self._render_capacity()
        self._render_result()

    def _render_result(self) -> None:
        r = self.result
        if r is None:
            return
        tot = r.totals
        lo, hi = r.params.folk_acquisition_cost_ratio
        self.kpis = {c: (int(tot[c]) if c in COUNT_COLUMNS else float(tot[c])) for c in KPI_COLUMNS}
        self.kpis["cost_ratio"] = r.cost_ratio
        k = self.kpis
        none = self.t("none")

        def money(v: float) -> str:
            return self.money(v, compact=True) if math.isfinite(v) else none

        idle = k["weeks_idle"]
        self._kpi.value = "".join([
            kpi(self.t("revenue"), money(k["revenue"]),
                self.t("revenue_note", none=money(k["revenue_no_time"]), gain=money(k["revenue_gain"]))),
            kpi(self.t("new"), f"{k['new_customers']:,}", self.t("new_note", n=f"{k['new_customers_no_time']:,}")),
            kpi(self.t("kept"), f"{k['retained_customers']:,}",
                self.t("kept_note", lost=k["churned_customers"], lost0=k["churned_no_time"],
                       rate=pct(k["retention_rate"], 0))),
            kpi(self.t("ratio"), f"{k['cost_ratio']:.1f}×" if math.isfinite(k["cost_ratio"]) else none,
                self.t("ratio_note", lo=f"{lo:g}", hi=f"{hi:g}", new=money(k["cost_per_extra_new_customer"]),
                       saved=money(k["cost_per_customer_saved"]))),
            kpi(self.t("used"), f"{self._weeks(k['weeks_used'])} / {self._weeks(float(tot['weeks_allocated']))}",
                self.t("used_note", idle=self._weeks(idle)) if idle > 1e-9 else self.t("used_all"), warn=idle > 1e-9),
        ])
        lines = [self.t("this", alloc=self._alloc_text(r))]
        if self.previous is None:
            lines.append(self.t("first"))
        else:
            pt = self.previous.totals
            lines.append(self.t("last", alloc=self._alloc_text(self.previous), revenue=money(float(pt["revenue"])),
                                new=int(pt["new_customers"]), lost=int(pt["churned_customers"])))
        self._compare.value = "".join(f"<div>{html.escape(s)}</div>" for s in lines)
        p = r.params
        folk = [
            self.t("folk_retention", points=f"{p.folk_retention_points * 100:g}",
                   lo=pct(p.folk_profit_gain[0], 0), hi=pct(p.folk_profit_gain[1], 0),
                   rate=pct(k["retention_rate"], 0),
                   rate0=pct(1 - tot["churned_no_time"] / tot["customers_at_start"], 0)
                   if tot["customers_at_start"] else none),
            self.t("folk_conversion", ex=pct(p.folk_conversion_existing, 0), new=pct(p.folk_conversion_new, 0),
                   ex_sim=pct(float(tot["win_rate_existing"]), 0), new_sim=pct(float(tot["win_rate_new"]), 0)),
        ]
        self._folk.value = "".join(f"<div class='sf-muted' style='max-width:900px'>{html.escape(s)}</div>"
                                   for s in folk)
        self._table.value = self._table_html(r)
        for ax in self._axes:
            ax.clear()
        plots.allocation_chart(r, self.previous, ax=self._axes, lang=self.lang)
        relayout(self.figures["allocation"])
        self._images["allocation"].value = figure_png(self.figures["allocation"])

    def _table_html(self, r: AllocationResult) -> str:
        head = "".join(f"<th style='padding:2px 8px;text-align:right'>{html.escape(i18n.text(_NAMES[c], self.lang))}"
                       "</th>" for c in TABLE_COLUMNS)
        body = []
        for key, row in r.table.iterrows():
            cells = []
            for c in TABLE_COLUMNS:
                v = float(row[c])
                if c.startswith("weeks"):
                    text = self._weeks(v)
                elif c in ("revenue", "revenue_gain") or c.endswith("_cost"):
                    text = self.money(v, compact=True)
                else:
                    text = f"{v:,.0f}"
                cells.append(f"<td style='padding:2px 8px;text-align:right'>{html.escape(text)}</td>")
            style = " style='border-top:1px solid #999'" if key == "total" else ""
            body.append(f"<tr{style}><td style='padding:2px 8px'>{html.escape(r.label(key, self.lang))}</td>"
                        + "".join(cells) + "</tr>")
        return (f"<table style='border-collapse:collapse;font-size:12px;margin-top:6px'><tr>"
                f"<th style='padding:2px 8px;text-align:left'>{html.escape(self.t('segment'))}</th>{head}</tr>"
                + "".join(body) + "</table>")
