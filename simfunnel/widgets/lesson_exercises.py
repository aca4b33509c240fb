"""The exercises of lessons 01–06, answered through widgets (issue 14 point 1): nothing to edit, no cell to run.

- :func:`hand_forecast` (01) — the forecast of three deals by hand, typed as a number;
- :func:`reply_quiz` (02) — advance or continuation? The four response buttons for each reply;
- :func:`threshold_questions` (03) — what the explorer shows at ¥80,000, and how the error moves;
- :class:`StretchTarget` and :func:`stretch_questions` (04) — the chance of a stretch target week by week,
  with a target slider, then two questions read off it;
- :func:`rates_exercise` (05) — set the win-rate lab's sliders to the rates you propose; Check judges them
  by the Brier score against the assumed rates;
- :class:`ColumnTrial` and :func:`column_question` (06) — pick columns for the naive-Bayes score and see
  the Brier score; then say which column carries signal.

Each exercise's key comes from the kit's own figures (the lesson's trainer copy asserts the same numbers).
"""

from __future__ import annotations

import html
from typing import Any, Callable, Sequence

import ipywidgets as w
import numpy as np

from simfunnel import i18n
from simfunnel.analysis.montecarlo import montecarlo
from simfunnel.analysis.threshold import sweep as threshold_sweep
from simfunnel.model.replies import outcome_label
from simfunnel.widgets.base import Pair, Widget, held
from simfunnel.widgets.exercise import Choice, Exercise, Live, Number, response_question

__all__ = ["hand_forecast", "reply_quiz", "threshold_questions", "StretchTarget", "stretch_questions",
           "rates_exercise", "ColumnTrial", "column_question", "SCORE_COLUMNS"]


def _money(amount: float, lang: str, currency: str = "CNY") -> str:
    return i18n.format_money(float(amount), currency, lang)


def hand_forecast(three, history, lang: str | None = None) -> Exercise:
    """01: the forecast of the deals in ``three`` (amount × its stage's win rate, added up), to the yuan."""
    kit = float((three["amount"] * history.win_probability(three)).sum())
    money = {lg: _money(kit, lg, history.currency) for lg in ("zh", "en")}
    q = Number(("这三个商机的销售预计是多少？（四舍五入到元）",
                "What is the forecast of the three deals? (to the nearest yuan)"),
               round(kit), 1.0,
               (f"{money['zh']}：每个商机的金额乘以它所在阶段的赢率，再加起来。",
                f"{money['en']}: each deal's amount times its stage's win rate, added up."),
               unit=("元", "yuan"))
    return Exercise([q], title=("手算销售预计", "The forecast by hand"), lang=lang)


def reply_quiz(quiz, lang: str | None = None) -> Exercise:
    """02: for each reply of ``quiz`` (rows of :func:`simfunnel.model.replies.replies`, columns zh, en, outcome,
    why_zh, why_en), the four response buttons; the key is the reply's outcome."""
    questions = [
        response_question((f"“{row.zh}”", f"\u201c{row.en}\u201d"), row.outcome,
                          (f"{outcome_label(row.outcome, 'zh')}：{row.why_zh}",
                           f"{outcome_label(row.outcome, 'en')}: {row.why_en}"))
        for row in quiz.itertuples(index=False)]
    return Exercise(questions, title=("热身：推进还是延续？", "Warm-up: advance or continuation?"), lang=lang)


def threshold_questions(history, quota: float, lang: str | None = None, threshold: float = 80_000) -> Exercise:
    """03: read the explorer at ``threshold``: deals left in the funnel and records saved; then how the forecast
    error moves with the threshold, with and without the out-of-funnel run rate."""
    sweep = threshold_sweep(history, [0, threshold, 100_000], quota=quota).set_index("threshold")
    left = int(sweep.loc[threshold, "deals_in_funnel"])
    saved = 1 - sweep.loc[threshold, "records_entered"] / sweep.loc[0, "records_entered"]
    without = sweep["mean_abs_error_without_run_rate"]
    with_rate = sweep["mean_abs_error"]
    moves = (("变小", "It gets smaller"), ("基本不变", "It stays about the same"), ("变大", "It gets larger"))

    def how(change: float) -> int:
        return 0 if change < -0.02 else (2 if change > 0.02 else 1)

    t = {lg: _money(threshold, lg, history.currency) for lg in ("zh", "en")}
    return Exercise([
        Number((f"把探索器的门槛拖到 {t['zh']}：漏斗里还剩多少个商机？",
                f"Drag the explorer's threshold to {t['en']}: how many deals are left in the funnel?"),
               float(left), 0.0, (f"{left} 个：门槛以上的商机才留在漏斗里逐个管理。",
                                  f"{left}: only deals at or above the threshold stay in the funnel, managed one by one."),
               unit=("个", "deals")),
        Number(("同一个门槛下，录入的记录比不设门槛少了百分之几？",
                "At the same threshold, how many percent fewer records are entered than with no threshold?"),
               round(float(saved), 2), 0.011,
               (f"约 {saved:.0%}：小单不再逐条录入和更新。", f"About {saved:.0%}: small orders are no longer entered "
                                                         "and updated one by one."),
               unit=("%", "%"), percent=True),
        Choice(("不加漏斗外周均时，门槛从 0 提到 10 万元，销售预计的平均误差怎么变？",
                "Without the out-of-funnel run rate, how does the mean forecast error move as the threshold goes "
                "from 0 to ¥100,000?"),
               moves, how(float(without[100_000] - without[0])),
               (f"从 {without[0]:.0%} 到 {without[100_000]:.0%}：漏斗外的小单没人预计，门槛越高漏掉的越多。",
                f"From {without[0]:.0%} to {without[100_000]:.0%}: nobody forecasts the small orders outside the "
                "funnel, and the higher the threshold, the more is missed.")),
        Choice(("加上漏斗外周均以后呢？", "And with the out-of-funnel run rate added?"),
               moves, how(float(with_rate[100_000] - with_rate[0])),
               (f"从 {with_rate[0]:.0%} 到 {with_rate[100_000]:.0%}：用每周平均的漏斗外销售额补上小单，门槛没有让"
                "预计变得更不准，省下的录入工作却是实实在在的。",
                f"From {with_rate[0]:.0%} to {with_rate[100_000]:.0%}: the weekly run rate of small orders makes up "
                "for them, so the threshold does not make the forecast worse, while the entry work saved is real.")),
    ], title=("读门槛探索器", "Reading the threshold explorer"), lang=lang)


STRETCH_TEXT: dict[str, Pair] = {
    "target": ("目标", "Target"),
    "week": ("第 {week} 周", "Week {week}"),
    "title": ("每一周预测的：季度成交额达到 {target} 的概率", "The chance, as forecast each week, that the quarter "
                                                          "books {target}"),
}


class StretchTarget(Widget):
    """04: a target slider and, for each week of the quarter, the Monte Carlo chance of booking at least the
    target by the quarter's end as forecast that week (``montecarlo(..., as_of_week=week).p_quota``)."""

    TEXT = STRETCH_TEXT

    def __init__(self, history, chain, threshold: float, weeks: Sequence[int], target: float = 3_500_000,
                 trials: int = 2_000, seed: int = 1, lang: str | None = None) -> None:
        super().__init__(lang)
        self.history, self.chain, self.threshold = history, chain, float(threshold)
        self.weeks = [int(x) for x in weeks]
        self.trials, self.seed = int(trials), int(seed)
        self.currency = history.currency
        self.chances: dict[int, float] = {}
        self._slider = w.FloatSlider(value=float(target), min=1_000_000, max=6_000_000, step=100_000,
                                     continuous_update=False, readout=False, layout=w.Layout(width="420px"))
        self._label = w.HTML()
        self._bars = w.HTML()
        self._slider.observe(lambda _c: self.refresh(), names="value")
        self.root = w.VBox([w.HBox([self._slider, self._label], layout=w.Layout(align_items="center")), self._bars])
        self.refresh()

    @property
    def target(self) -> float:
        return float(self._slider.value)

    @target.setter
    def target(self, value: float) -> None:
        self._slider.value = float(value)

    def refresh(self) -> None:
        self.chances = {
            wk: float(montecarlo(self.history, chain=self.chain, quota=self.target, threshold=self.threshold,
                                 as_of_week=wk, trials=self.trials, seed=self.seed).p_quota)
            for wk in self.weeks}
        rows = "".join(
            f'<tr><td style="padding:0 8px 0 0">{html.escape(self.t("week", week=wk))}</td>'
            f'<td style="text-align:right;padding:0 8px 0 0">{p:.0%}</td>'
            f'<td><div style="background:{"#2e8b57" if p >= 0.8 else "#1f77b4"};height:12px;width:{p * 300:.0f}px">'
            f'</div></td></tr>' for wk, p in self.chances.items())
        with held(self.root):
            self._slider.description = self.t("target")
            self._label.value = f"<b>{html.escape(self.money(self.target))}</b>"
            self._bars.value = (f'<div style="font-size:13px;margin:4px 0">'
                                f'{html.escape(self.t("title", target=self.money(self.target)))}</div>'
                                f'<table style="font-size:13px;line-height:1.5">{rows}</table>')


def stretch_questions(chances: dict[int, float], target_text: Pair, first_week: int, lang: str | None = None) -> Exercise:
    """04: two questions read off :class:`StretchTarget` at the target: the chance in ``first_week``, and the
    week from which the chance stays at 80 % or more (``chances``: week → chance at that target)."""
    p0 = chances[first_week]
    weeks = sorted(chances)
    stays = next((wk for wk in weeks if all(chances[x] >= 0.8 for x in weeks if x >= wk)), None)
    if stays is None:
        raise ValueError("stretch_questions: the chance never stays at 80 % or more; choose a lower target")
    return Exercise([
        Number((f"第 {first_week} 周，达到 {target_text[0]} 的概率大约是百分之几？",
                f"In week {first_week}, what is the chance of reaching {target_text[1]}, in percent?"),
               round(p0, 2), 0.031,
               (f"约 {p0:.0%}：现在承诺，十有八九要落空。", f"About {p0:.0%}: commit now and you will most likely miss."),
               unit=("%", "%"), percent=True),
        Number(("从第几周起，这个概率一直保持在 80% 以上？", "From which week on does the chance stay at 80 % or more?"),
               float(stays), 0.0,
               (f"第 {stays} 周：中间还会回落，看的是之后一直不低于 80% 的那一周。",
                f"Week {stays}: it dips in between; what counts is the week after which it never falls below 80 %."),
               unit=("周", "week")),
    ], title=("能不能承诺更高的目标？", "Can we commit to the stretch target?"), lang=lang)


def rates_exercise(lab, assumed: Sequence[float], proposal: dict[str, float] | None = None,
                   watch: Sequence[str] = ("evaluation", "commitment"), lang: str | None = None) -> Exercise:
    """05: the rates are set on the win-rate lab's sliders; Check judges them by the Brier score (better than the
    ``assumed`` rates?), then which stages to watch (tick boxes over the funnel's stages)."""
    assumed = [float(x) for x in assumed]
    funnel = lab.funnel

    def brier_of(rates: Sequence[float]) -> float:
        kept = [s.value for s in lab.sliders]
        try:
            lab.set_rates(list(rates))
            return float(lab.brier)
        finally:
            lab.set_rates(kept)

    assumed_brier = brier_of(assumed)

    def judge() -> tuple[bool | None, Pair]:
        mine = float(lab.brier)
        rates = [s.value for s in lab.sliders]
        if np.allclose(rates, assumed, atol=1e-9):
            return None, ("还是原来的假设赢率：先拖动上面实验室里的滑块。", "These are still the assumed rates: move the "
                                                                      "lab's sliders above first.")
        better = mine < assumed_brier
        scores = (f"你的赢率：布里尔分数 {mine:.4f}；原假设 {assumed_brier:.4f}；实测赢率 {lab.brier_empirical:.4f}。",
                  f"Your rates: Brier score {mine:.4f}; assumed {assumed_brier:.4f}; measured {lab.brier_empirical:.4f}.")
        if better:
            return True, (scores[0] + "比原来的假设好。", scores[1] + " Better than the assumed rates.")
        return False, (scores[0] + "还没有比原来的假设好：看看上面的校准图。",
                       scores[1] + " Not better than the assumed rates yet: look at the calibration chart.")

    def solve() -> None:
        if proposal is not None:
            lab.set_rates(proposal)
        else:
            lab.fit_from_history()

    labels = tuple((funnel.label(k, "zh"), funnel.label(k, "en")) for k in funnel.keys)
    return Exercise([
        Live(("在上面的实验室里拖动滑块，设成你建议写进客户管理系统的赢率（整数百分比），然后点检查答案。",
              "Move the lab's sliders above to the rates you would put into the CRM (whole percents), then press "
              "Check answers."), judge, solve),
        Choice(("下个季度最要盯住哪些阶段？", "Which stages would you watch most closely next quarter?"),
               labels, tuple(funnel.keys.index(k) for k in watch),
               ("金额最大、区间最宽的阶段：它们的赢率一偏，销售预计偏得最多。",
                "The stages with the most money and the widest intervals: a wrong rate there moves the forecast most.")),
    ], title=("给客户管理系统提一套新的赢率", "Propose new rates for the CRM"), lang=lang)


SCORE_COLUMNS: list[tuple[str, Pair]] = [("owner", ("销售", "Seller")), ("product", ("产品", "Product"))]
COLUMN_TEXT: dict[str, Pair] = {
    "run": ("算布里尔分数", "Compute the Brier score"),
    "pick": ("和“阶段”一起用的字段：", "Columns used with the stage:"),
    "result": ("阶段 + {columns}：布里尔分数 {brier:.4f}（只用阶段：{stage:.4f}，差 {diff:+.4f}）",
               "Stage + {columns}: Brier score {brier:.4f} (stage only: {stage:.4f}, difference {diff:+.4f})"),
    "none": ("先勾选一个字段。", "Tick a column first."),
}


class ColumnTrial(Widget):
    """06: tick columns to add to the stage in the naive-Bayes score and compute its Brier score
    (``brier_with(columns)`` returns the calibration result, ``.brier``)."""

    TEXT = COLUMN_TEXT

    def __init__(self, brier_with: Callable[[tuple[str, ...]], Any], columns: Sequence[tuple[str, Pair]],
                 stage_only: float, lang: str | None = None) -> None:
        super().__init__(lang)
        self.brier_with, self.columns, self.stage_only = brier_with, list(columns), float(stage_only)
        self.last: float | None = None
        self._boxes = [w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto")) for _ in self.columns]
        self._pick = w.HTML()
        self._button = w.Button(button_style="primary", layout=w.Layout(width="auto", align_self="flex-start"))
        self._button.on_click(lambda _b: self.run())
        self._result = w.HTML()
        self.root = w.VBox([self._pick, w.HBox(self._boxes), self._button, self._result])
        self.refresh()

    def pick(self, *keys: str) -> None:
        for box, (key, _label) in zip(self._boxes, self.columns):
            box.value = key in keys

    def run(self) -> float | None:
        keys = tuple(k for box, (k, _l) in zip(self._boxes, self.columns) if box.value)
        if not keys:
            self.last = None
            self._result.value = f'<span class="sf-muted">{html.escape(self.t("none"))}</span>'
            return None
        self.last = float(self.brier_with(("stage",) + keys).brier)
        names = "、".join if self.lang == "zh" else ", ".join
        labels = names(i18n.text(lbl, self.lang) for k, lbl in self.columns if k in keys)
        self._result.value = "<b>" + html.escape(self.t("result", columns=labels, brier=self.last,
                                                           stage=self.stage_only, diff=self.last - self.stage_only)) + "</b>"
        return self.last

    def refresh(self) -> None:
        with held(self.root):
            self._pick.value = html.escape(self.t("pick"))
            for box, (_k, label) in zip(self._boxes, self.columns):
                box.description = i18n.text(label, self.lang)
            self._button.description = self.t("run")
            if self.last is not None:
                self.run()


def column_question(columns: Sequence[tuple[str, Pair]], lang: str | None = None) -> Exercise:
    """06: which column, added to the stage, lowers the Brier score clearly? (None of them, in the export.)"""
    options = tuple(label for _k, label in columns) + (("都没有明显降低", "None of them, clearly"),)
    return Exercise([Choice(
        ("加上哪个字段，布里尔分数明显降低了？", "Which column, added to the stage, clearly lowers the Brier score?"),
        options, len(options) - 1,
        ("都没有：降低不超过 0.001 左右。知道阶段以后，谁来卖、卖什么几乎不再提供赢单的信息；阶段（客户的行动）才是信号。",
         "None: none lowers it by more than about 0.001. Once the stage is known, who sells and what is sold say "
         "almost nothing more about winning; the stage (a customer action) is the signal."))],
        title=("哪个字段有预测力？", "Which column carries signal?"), lang=lang)
