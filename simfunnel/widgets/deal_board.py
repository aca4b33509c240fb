"""DealBoard: move deals through the funnel week by week, and judge each customer reply.

A column per open stage holds deal cards (account, amount, weeks in stage, a ⚠ when
the deal has sat in its stage for ``rotting_weeks`` or more, a ✓ when an action is
planned this week), sorted by amount and paged. Select a card, choose an action that
fits its stage and press "Act": the customer's reply appears, and the trainee
classifies it — order, advance, continuation or no sale — before the outcome is
revealed as a coloured badge with the reason. "Next week" applies every planned
action; the three indicators, this week's progress against the benchmark and the
coverage of the remaining quota update at once, with a small weekly chart.

The reply is drawn from the reply bank (:mod:`simfunnel.model.replies`) with the outcome that
``sim.preview`` says the coming week will bring; the simulation's common random
numbers make that preview exact, so the revealed outcome is what "Next week" does.

**The period.** The board shows the quarter (13 weeks) that contains the current
week: snapshot weeks ``s … s + 13`` with ``s = 13 × ((week − 1) // 13)`` (``s = 0``
at week 0). Week 13 thus still shows the whole first quarter, ending at ``t = 13``;
week 14 opens the second quarter at ``t = 1``. The quota is ``quota=`` or the
world's expected quarterly bookings (``sim.world.quota``).

From code (tests drive it without a browser)::

    board = DealBoard(Simulation(generate(seed=2026)))
    board.select(17)
    move = board.act(17, "arrange_demo")     # move.reply: what the customer says
    board.classify("advance")                 # True / False; the outcome is revealed
    events = board.next_week()                # the week's events
    board.indicators                          # the quarter's indicator table
    board.undo(); board.reset()

**Workshop (store) mode.** ``DealBoard.for_team(store, team, trainee="Li")`` (defaults:
the session of :func:`simfunnel.widgets.workshop.join`) plays a team's scenario from a
:class:`~simfunnel.workshop.store.WorkshopStore`: every move is committed to the store before its
reply is shown, "Next week" closes the team's week for everyone in it, and the board
rebuilds itself from the store after a kernel restart or when a teammate moved on. See
:class:`simfunnel.widgets.workshop.TeamBoard`.
"""

from __future__ import annotations

import html
import math
import zlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import ipywidgets as w
import numpy as np
import pandas as pd

from simfunnel.model.funnel import KEY_STEP_LABELS, LOST, WON
from simfunnel.model.generate import PRODUCTS
from simfunnel.model.history import PERIOD_WEEKS
from simfunnel.analysis.metrics import indicators as compute_indicators
from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY, STYLE_STEP, parse_style, people_actions_for
from simfunnel.model.replies import OUTCOME_LABELS, OUTCOMES, Reply, is_correct, pick_reply
from simfunnel.model.actions import ACTIONS_BY_KEY, Action, actions_for
from simfunnel.model.simulate import Simulation
from simfunnel.widgets._base import CSS, Pair, Widget, figure_png

__all__ = ["DealBoard", "Move", "Score"]

# Every action a board may offer: the plain ones first (their positions seed the replies, unchanged),
# then the people layer's meetings (offered only when the simulation has ``people=``).
ALL_ACTIONS_BY_KEY: dict[str, Action] = {**ACTIONS_BY_KEY, **PEOPLE_ACTIONS_BY_KEY}
_ACTION_INDEX = {key: i for i, key in enumerate(ALL_ACTIONS_BY_KEY)}

# Extra styles of the board (the shared badge and card styles are in _base.CSS).
BOARD_CSS = """
<style>
.sf-board .sf-kpi {vertical-align:top}
.sf-board .sf-col-head {font-size:12px; line-height:1.35; padding:4px 6px; border-radius:6px; background:#e8eef6}
.sf-board .sf-col-head b {font-size:13px}
.sf-board .sf-card .widget-html, .sf-board .sf-card .widget-button {margin:0}
.sf-board .sf-card-body {font-size:12px; line-height:1.35}
.sf-board .sf-rot {color:#b23a3a; font-weight:600}
.sf-board .sf-plan {color:#1b7f3b; font-weight:600}
.sf-board .sf-good {color:#1b7f3b; font-weight:600}
.sf-board .sf-bad {color:#b23a3a; font-weight:600}
.sf-board .sf-reply {font-size:14px; padding:6px 10px; border-left:4px solid #2f6fbf; background:#f5f8fc; margin:4px 0}
.sf-board .sf-panel {border:1px solid #c9d3e0; border-radius:6px; padding:6px 8px}
.sf-board .sf-summary li {margin:1px 0}
</style>
"""

LIST_STYLE = 'style="margin:2px 0; padding-left:18px"'


class Score(NamedTuple):
    """The trainee's quiz score: replies classified correctly, replies classified."""

    correct: int
    answered: int


@dataclass(eq=False)
class Move:
    """An action planned on a deal for the coming week, and the customer's reply to it.

    ``outcome`` is what the week will bring (exact: it comes from ``sim.preview``); the
    board keeps it hidden until the trainee classifies ``reply`` (or the week is
    played), then ``revealed`` is true. ``answer`` and ``correct`` hold the trainee's
    classification (``None`` when the week was played without one).
    """

    deal_id: Any
    action: str
    week: int
    reply: Reply
    outcome: str = field(repr=False)
    from_stage: str = ""
    to_stage: str = field(default="", repr=False)
    answer: str | None = None
    correct: bool | None = None
    revealed: bool = False
    style: Any = None  # people layer: the whole-brain style of a present-value action, "A" or ("A", contact_id)

    def __repr__(self) -> str:  # the outcome stays out of sight until revealed (a notebook shows reprs)
        told = "outcome hidden until classified"
        if self.revealed:
            told = f"outcome={self.outcome!r}, answer={self.answer!r}"
        style = "" if self.style is None else f", style={self.style!r}"
        return f"Move(deal_id={self.deal_id!r}, action={self.action!r}, week={self.week}{style}, {told})"


class BoardError(ValueError):
    """A ValueError whose message the board can also show in Chinese (``key`` into ``DealBoard.TEXT``)."""

    def __init__(self, key: str, detail: str = "", **fields: object) -> None:
        self.key, self.fields = key, fields
        message = DealBoard.TEXT[key][1].format(**fields)
        super().__init__(f"{message} {detail}".strip())


class DealBoard(Widget):
    """A funnel board: deal cards per stage, actions, the reply quiz and the three indicators.

    Args:
        sim: the :class:`~simfunnel.model.simulate.Simulation` to play (usually at week 0).
            ``board.sim`` is the current one: undo and reset replace it.
        quota: the quarter's quota in the world's currency (default ``sim.world.quota``).
        threshold: the small-order threshold ``T``: deals below it stay out of the funnel —
            no card, no forecast — and count as out-of-funnel sales when won (default 0).
        page_size: cards shown per stage and page (≥ 1).
        rotting_weeks: weeks in a stage from which a card gets the ⚠ mark (≥ 1).
        seed: seeds the choice of customer replies (default the simulation's seed).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.

    Raises:
        ValueError: a bad quota, threshold, page size or rotting weeks.
    """

    TEXT: dict[str, Pair] = {
        # header
        "week": ("第 {week} 周", "Week {week}"),
        "quarter_week": ("本季度第 {t}/{n} 周", "week {t} of {n} this quarter"),
        "forecast": ("销售预计", "Forecast"),
        "booked": ("已成交", "Booked"),
        "out_of_funnel": ("漏斗外销售额", "Out-of-funnel booked"),
        "quota": ("本季度任务", "Quarter quota"),
        "progress": ("本周销售进展", "Progress this week"),
        "benchmark": ("基准 {value}", "benchmark {value}"),
        "progress_none": ("本季度尚未开始", "quarter just starting"),
        "coverage": ("剩余任务覆盖率", "Coverage of remaining quota"),
        "coverage_low": ("覆盖率低于 1：需要发现更多商机", "Below 1: find more opportunities"),
        "coverage_ok": ("销售预计足以覆盖剩余任务", "The forecast covers the remaining quota"),
        "quota_met": ("本季度任务已完成", "Quota met this quarter"),
        "score": ("答题得分", "Quiz score"),
        "threshold_note": (
            "小单门槛 {threshold}：低于门槛的商机不进漏斗",
            "Small-order threshold {threshold}: smaller deals stay out of the funnel",
        ),
        # columns and cards
        "win_rate": ("赢率 {rate}", "win rate {rate}"),
        "n_deals": ("{n} 个商机 · {amount}", "{n} deals · {amount}"),
        "n_deal": ("{n} 个商机 · {amount}", "{n} deal · {amount}"),
        "below": ("门槛以下另有 {n} 个（不在漏斗内）", "{n} more below the threshold (outside the funnel)"),
        "empty": ("暂无商机", "No deals"),
        "weeks_in_stage": ("本阶段 {n} 周", "{n} wk in stage"),
        "rotting": (
            "在本阶段已停留 {n} 周（≥ {limit} 周）：商机可能在变冷",
            "{n} weeks in this stage (≥ {limit}): the deal may be going cold",
        ),
        "planned_mark": ("✓ {action}", "✓ {action}"),
        "select": ("选择", "Select"),
        "selected": ("已选中", "Selected"),
        "page": ("第 {page}/{pages} 页", "page {page}/{pages}"),
        "prev_page": ("上一页", "Previous page"),
        "next_page": ("下一页", "Next page"),
        "unnamed": ("客户 #{deal}", "Account #{deal}"),
        # selected deal
        "no_selection": ("点击商机卡片上的“选择”，再为它安排本周的行动。",
                         "Click “Select” on a deal card, then choose this week's action for it."),
        "deal_stage": ("阶段：{stage}（赢率 {rate}）", "Stage: {stage} (win rate {rate})"),
        "deal_amount": ("金额：{amount}", "Amount: {amount}"),
        "deal_weeks": ("在本阶段：{n} 周", "In this stage: {n} weeks"),
        "deal_close": ("预计成交：第 {week} 周", "Expected close: week {week}"),
        "deal_product": ("产品：{product}", "Product: {product}"),
        "deal_step": ("关键步骤：{step}", "Key step: {step}"),
        "deal_won": ("这个商机已在第 {week} 周赢单。", "This deal was won in week {week}."),
        "deal_lost": ("这个商机已在第 {week} 周丢单。", "This deal was lost in week {week}."),
        "deal_planned": ("本周已安排：{action}", "Planned this week: {action}"),
        "action": ("行动", "Action"),
        "act": ("采取行动", "Act"),
        "act_tip": ("对选中的商机采取这个行动，看看客户怎么回复",
                    "Take this action on the selected deal and see how the customer replies"),
        "why": ("为什么：{why}", "Why: {why}"),
        # quiz
        "reply_title": ("客户回复（{account} · {action}）", "Customer reply ({account} · {action})"),
        "quiz_question": ("这是哪种结果？看客户做了什么，而不是说了什么。",
                          "Which outcome is this? Judge by what the customer does, not by what they say."),
        "more_to_classify": ("还有 {n} 条回复待判断", "{n} more replies to classify"),
        "one_more_to_classify": ("还有 1 条回复待判断", "1 more reply to classify"),
        "correct": ("✔ 判断正确", "✔ Correct"),
        "wrong": ("✘ 判断有误：你选了“{answer}”", "✘ Not quite: you chose “{answer}”"),
        "order_as_advance": (
            "订单是客户的最终行动，答“推进”也算对。",
            "An order is the customer's ultimate action, so “Advance” counts as correct too.",
        ),
        "not_classified": ("未判断", "not classified"),
        "to_classify": ("待判断", "to classify"),
        "moves_title": ("本周行动（{n}）", "This week's actions ({n})"),
        "no_moves_yet": ("本周还没有安排行动。", "No action planned this week yet."),
        # controls
        "next_week": ("下一周 ▶", "Next week ▶"),
        "next_tip": ("执行本周所有行动，进入下一周", "Apply this week's actions and move to the next week"),
        "undo": ("↶ 撤销", "↶ Undo"),
        "undo_tip": ("撤销本周最后一个行动；本周没有行动时退回上一周",
                     "Undo this week's last action; with none, go back one week"),
        "reset": ("重新开始", "Reset"),
        "reset_tip": ("回到第 0 周，清空所有行动和得分", "Back to week 0: clears every action and the score"),
        "reset_confirm": ("确定重新开始？再点一次", "Really reset? Click again"),
        # week summary
        "summary_title": ("第 {week} 周结果", "Week {week} results"),
        "summary_all": (
            "全部商机：赢单 {won} 个（{won_amount}） · 丢单 {lost} 个（{lost_amount}） · "
            "推进 {advanced} 个 · 新增 {new} 个",
            "All deals: {won} won ({won_amount}) · {lost} lost ({lost_amount}) · {advanced} advanced · {new} new",
        ),
        "summary_none": ("这一周你没有采取行动。", "You took no action that week."),
        "undone_move": ("已撤销：{account} 的“{action}”", "Undone: “{action}” on {account}"),
        "undone_week": ("已退回到第 {week} 周", "Back to week {week}"),
        "reset_done": ("已重新开始：第 0 周", "Started again: week 0"),
        # workshop (store) mode: simfunnel.widgets.workshop.TeamBoard
        "team_line": ("工作坊 · {team} · {trainee}", "Workshop · {team} · {trainee}"),
        "team_period": ("本次研讨：第 {first}–{end} 周", "Workshop weeks {first}–{end}"),
        "err_store": ("{zh}", "{en}"),
        "err_workshop_reset": ("工作坊里不能重新开始：每个行动都已记录在案。",
                               "No reset in a workshop: every move is on record."),
        "err_workshop_week": ("工作坊里已经结束的周不能撤销；本周你还没有可撤销的行动。",
                              "In a workshop a closed week cannot be undone, and you have no move this week to undo."),
        "err_caught_up": ("队友已经结束了第 {week} 周，看板已经更新：请重新查看后再操作。",
                          "A teammate closed week {week} and the board has caught up: look again, then act."),
        "caught_up": ("队友已经结束了第 {week} 周，看板已经更新。", "A teammate closed week {week}: the board has caught up."),
        "teammates_title": ("队友本周的行动（{n}）", "Teammates' actions this week ({n})"),
        "teammate_planned": ("队友{who}本周已安排：{action}", "{who} planned this week: {action}"),
        "undo_tip_team": ("撤销你本周最后一个行动", "Undo your last action this week"),
        "next_tip_team": ("为全组结束本周：执行全组本周的所有行动", "Close this week for the whole team: apply every teammate's actions"),
        # workshop rounds (the trainer opens and closes rounds)
        "submit": ("提交本回合决策 ✔", "Submit the round ✔"),
        "submit_tip": ("全组本回合的行动定稿：讲师结束回合时统一执行", "Your team's moves for this round are final: the trainer plays the round"),
        "submitted": ("已提交，等待讲师结束本回合", "Submitted: waiting for the trainer to close the round"),
        "submitted_by": ("{who}已为全组提交本回合决策", "{who} submitted the round for the team"),
        "round_line": ("{name} · 第 {first}–{last} 周", "{name} · weeks {first}–{last}"),
        "round_practice": ("练习回合", "Practice round"),
        "round_number": ("第 {n} 回合", "Round {n}"),
        "round_left": ("剩余 {time}", "{time} left"),
        "round_none": ("等待讲师开始下一回合", "Waiting for the trainer to open the next round"),
        "round_processed": ("本回合已执行：看板已更新到第 {week} 周", "The round has been played: the board is at week {week}"),
        "news_title": ("市场动态", "Market news"),
        # errors (also raised as ValueError with the English text)
        "err_unknown_deal": ("没有编号为 {deal} 的商机。", "There is no deal {deal!r}."),
        "err_not_created": ("这个商机第 {week} 周才出现。", "Deal {deal} only appears in week {week}."),
        "err_closed": ("这个商机已经关闭，不能再采取行动。", "Deal {deal} is closed and cannot be acted on."),
        "err_twice": (
            "本周已经对这个商机采取过行动了，下周再来。",
            "Deal {deal} has already been acted on this week; one action per deal per week.",
        ),
        "err_unknown_action": ("没有这个行动。", "Unknown action {action!r}."),
        "err_action": ("这个行动不适合“{stage}”阶段。", "Action {action!r} does not fit stage {stage!r}."),
        "err_no_selection": ("请先选择一个商机。", "Select a deal first."),
        "err_nothing_to_classify": ("没有待判断的客户回复：先对一个商机采取行动。",
                                    "No customer reply to classify: act on a deal first."),
        "err_answer": (
            "请选择订单、推进、延续或无法成交。",
            "The answer must be one of order, advance, continuation, no_sale; got {answer!r}.",
        ),
        "err_end": ("模拟已经到了最后一周（第 {week} 周）。", "The simulation has reached its last week ({week})."),
        "err_nothing_to_undo": ("已经在第 0 周，没有可以撤销的了。", "Already at week 0: nothing to undo."),
        "err_stage": ("没有这个阶段。", "Unknown open stage {stage!r}."),
        "err_page": ("没有这一页。", "Page {page!r} does not exist for stage {stage!r} (pages 1 to {pages})."),
        # people layer (Simulation(..., people=PeopleParams()))
        "style": ("风格", "Style"),
        "style_none": ("不指定风格", "no particular style"),
        "style_tip": ("按听众的全脑类型呈现价值：风格相符更易推进，不符则更难",
                      "Present value in the audience's whole-brain style: a match helps, a mismatch hurts"),
        "style_mark": ("风格 {style}", "style {style}"),
        "err_people_action": ("这个行动需要人员层。", "Action {action!r} needs the people layer "
                              "(Simulation(world, seed, people=PeopleParams()))."),
        "err_style_people": ("指定风格需要人员层。", "A style needs the people layer "
                             "(Simulation(world, seed, people=PeopleParams()))."),
        "err_style_action": ("只有呈现价值的行动才能指定风格。",
                             "A style applies to present-value actions only, not to {action!r}."),
        "err_style": ("风格不对：{why}", "Bad style: {why}"),
    }

    def __init__(
        self,
        sim: Simulation,
        *,
        quota: float | None = None,
        threshold: float = 0,
        page_size: int = 6,
        rotting_weeks: int = 4,
        seed: int | None = None,
        lang: str | None = None,
    ) -> None:
        super().__init__(lang)
        if not isinstance(sim, Simulation):
            raise ValueError(f"sim: expected a simfunnel Simulation, got {type(sim).__name__}")
        for name, value in (("page_size", page_size), ("rotting_weeks", rotting_weeks)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not threshold >= 0 \
                or not math.isfinite(float(threshold)):
            raise ValueError(f"threshold must be an amount ≥ 0, got {threshold!r}")
        q = sim.world.quota if quota is None else quota
        if isinstance(q, bool) or not isinstance(q, (int, float, np.number)) or not math.isfinite(float(q)) or q <= 0:
            whose = " (the world's quota)" if quota is None else ""
            raise ValueError(f"quota must be an amount > 0, got {q!r}{whose}")
        self.sim = sim
        self.world = sim.world
        self.funnel = sim.funnel
        self.currency = sim.world.currency
        self.quota = float(q)
        self.threshold = float(threshold)
        self.page_size = int(page_size)
        self.rotting_weeks = int(rotting_weeks)
        self.seed = sim.seed if seed is None else int(seed)
        self.moves: list[Move] = []
        self.selected: Any = None
        self._n_open = len(self.funnel)
        self._won, self._lost = self.funnel.index(WON), self.funnel.index(LOST)
        self._setup_deals()
        self._pages = [0] * self._n_open
        self._summary: tuple[int, pd.DataFrame, list[Move]] | None = None
        self._note: tuple[str, dict] | None = None  # (TEXT key, fields) of the last message
        self._note_error = False
        self._reset_armed = False
        self._last_classified: Move | None = None
        self._chart_key: tuple | None = None
        self._listeners: list = []
        self._rebuild_state()
        self._build_ui()
        self.refresh()

    def on_change(self, callback) -> None:
        """Call ``callback(board)`` after every act, classify, next week, undo and reset (a bound method is held weakly).

        Other views of the same simulation (the AccountMap) follow the board with it.
        """
        import weakref

        self._listeners.append(weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback))

    def _changed(self) -> None:
        for ref in list(self._listeners):
            callback = ref()
            if callback is None:
                self._listeners.remove(ref)
            else:
                callback(self)

    # --- static deal data -------------------------------------------------------------
    def _setup_deals(self) -> None:
        d = self.world.deals
        n = len(d)
        self._ids = d["deal_id"].to_numpy()
        self._index = pd.Index(self._ids)
        self._amount = d["amount"].to_numpy(dtype=float)
        self._created = d["created_week"].to_numpy(dtype=np.int64)
        self._big = self._amount >= self.threshold
        self._override = d["win_rate_override"].to_numpy(dtype=float, na_value=np.nan)
        self._expected_close = d["expected_close_week"].to_numpy(dtype=float, na_value=np.nan) \
            if "expected_close_week" in d else np.full(n, np.nan)
        stage = d["stage"]
        if isinstance(stage.dtype, pd.CategoricalDtype) and list(stage.cat.categories) == list(self.funnel.all_keys):
            self._initial = stage.cat.codes.to_numpy().astype(np.int16)
        else:
            self._initial = self.funnel.codes(stage.astype(str)).astype(np.int16)
        # the cards' order: amount descending, then deal id
        self._order = np.lexsort((np.arange(n), -self._amount))
        acc = self.world.accounts
        self._names: dict[str, np.ndarray] = {}
        if acc is not None and "account_id" in d and {"name_zh", "name_en"} <= set(acc.columns):
            pos = pd.Index(acc["account_id"]).get_indexer(d["account_id"])
            for lang in ("zh", "en"):
                names = acc[f"name_{lang}"].astype(object).to_numpy()
                self._names[lang] = np.where(pos >= 0, names[np.maximum(pos, 0)], None)
        self._product = d["product"].astype(object).to_numpy() if "product" in d else np.full(n, None)
        self._products = {k: (zh, en) for k, zh, en in PRODUCTS}

    # --- caches over the simulation's state ------------------------------------------------
    def _rebuild_state(self) -> None:
        """Forget what was computed for an earlier state of the simulation."""
        self._table: pd.DataFrame | None = None
        self._synced = (id(self.sim), self.sim.week)
        self._version = getattr(self, "_version", 0) + 1

    def _check_in_sync(self) -> None:
        """Catch up when someone stepped ``board.sim`` directly."""
        if self._synced != (id(self.sim), self.sim.week):
            self._rebuild_state()

    @property
    def week(self) -> int:
        """The current snapshot week (0 = the opening state)."""
        return self.sim.week

    @property
    def period_start(self) -> int:
        """First snapshot week of the quarter shown: ``13 × ((week − 1) // 13)``, 0 at week 0."""
        return PERIOD_WEEKS * (max(self.sim.week - 1, 0) // PERIOD_WEEKS)

    @property
    def indicators(self) -> pd.DataFrame:
        """The quarter's indicators up to this week (:func:`simfunnel.analysis.metrics.indicators`; a copy)."""
        return self._indicator_table().copy()

    def _indicator_table(self) -> pd.DataFrame:
        self._check_in_sync()
        if self._table is None:
            # The simulation's history builds only the quarter's open snapshot rows for this.
            self._table = compute_indicators(self.sim.history, self.quota, self.threshold,
                                             start_week=self.period_start, period_weeks=PERIOD_WEEKS)
        return self._table

    @property
    def score(self) -> Score:
        """(correct, answered) over the replies classified so far."""
        answered = [m for m in self.moves if m.answer is not None]
        return Score(sum(bool(m.correct) for m in answered), len(answered))

    @property
    def pending(self) -> list[Move]:
        """The moves planned for the coming week, in the order they were made."""
        return [m for m in self.moves if m.week == self.sim.week + 1]

    # --- look-ups ------------------------------------------------------------------
    def _pos(self, deal_id: Any) -> int:
        try:
            pos = self._index.get_loc(deal_id)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            pos = -1
        if not isinstance(pos, (int, np.integer)) or pos < 0:
            raise BoardError("err_unknown_deal", deal=deal_id)
        return int(pos)

    def _stage_code(self, pos: int) -> int:
        return int(self.sim.stage_codes()[pos])

    def _account(self, pos: int, lang: str | None = None) -> str:
        lang = lang or self.lang
        names = self._names.get(lang)
        name = None if names is None else names[pos]
        return str(name) if name is not None else self.t("unnamed", deal=self._ids[pos])

    def _action_label(self, key: str) -> str:
        return ALL_ACTIONS_BY_KEY[key].label(self.lang)

    def fitting_actions(self, stage_key: str) -> list[Action]:
        """The actions the board offers at an open stage: with people on, the meetings that fit too."""
        fitting = actions_for(self.funnel, stage_key)
        if self.sim.people is not None:
            fitting += people_actions_for(self.funnel, stage_key)
        return fitting

    def _check_style(self, key: str, style: Any) -> Any:
        """``style`` for action ``key``, checked (people on, a present-value action, ``"A"``… or (style, contact))."""
        if self.sim.people is None:
            raise BoardError("err_style_people")
        if not _styled(ALL_ACTIONS_BY_KEY[key]):
            raise BoardError("err_style_action", action=key)
        try:
            parse_style(style)
        except ValueError as err:
            raise BoardError("err_style", why=str(err)) from None
        return tuple(style) if isinstance(style, list) else style

    def _weeks_in_stage(self, pos: np.ndarray | int) -> np.ndarray | int:
        return self.sim.week - self.sim.entered_weeks()[pos]

    def _stage_members(self, k: int) -> np.ndarray:
        """Positions of the in-funnel open deals at stage ``k``, amount descending."""
        cur = self.sim.stage_codes()
        order = self._order
        keep = (cur[order] == k) & self._big[order] & (self._created[order] <= self.sim.week)
        return order[keep]

    def _stage_index(self, stage_key: str) -> int:
        if stage_key not in self.funnel.keys:
            raise BoardError("err_stage", detail=f"Stages are {', '.join(self.funnel.keys)}", stage=stage_key)
        return self.funnel.keys.index(stage_key)

    # --- the trainee's verbs -----------------------------------------------------------
    def select(self, deal_id: Any) -> None:
        """Select a deal (its card is highlighted and the panel shows it); turns its stage's page to it."""
        self._check_in_sync()
        pos = self._pos(deal_id)
        if self._created[pos] > self.sim.week:
            raise BoardError("err_not_created", deal=deal_id, week=int(self._created[pos]))
        self.selected = plain_value(self._ids[pos])
        k = self._stage_code(pos)
        if k < self._n_open:
            members = self._stage_members(k)
            hit = np.flatnonzero(members == pos)
            if hit.size:
                self._pages[k] = int(hit[0]) // self.page_size
        self._render_columns()
        self._render_panel()

    def act(self, deal_id: Any, action: str | Action, style: Any = None) -> Move:
        """Plan ``action`` on a deal for the coming week; returns the :class:`Move` with the customer's reply.

        The move's outcome is what the coming week will bring (``sim.preview``), hidden
        until :meth:`classify` or :meth:`next_week`.

        With the people layer on (``Simulation(..., people=PeopleParams())``) the board also
        offers the meetings that fit the stage (:func:`simfunnel.model.actions.people_actions_for`), and
        a present-value action takes ``style=``: the whole-brain style of the presentation,
        ``"A"`` … ``"D"``, or ``("A", contact_id)`` to present to that contact rather than the
        account's decision maker. The style is kept on the move, previewed and played.

        Raises:
            ValueError: an unknown or closed deal, a deal not created yet, a second action
                on the same deal this week, an action that does not fit the deal's stage,
                the world's last week reached, or a style without the people layer, on an
                action that does not present value, or not one of A–D (or naming a contact
                of another account).
        """
        self._check_in_sync()
        key = action.key if isinstance(action, Action) else action
        pos = self._pos(deal_id)
        deal_id = plain_value(self._ids[pos])
        week = self.sim.week
        if week >= self.world.weeks:
            raise BoardError("err_end", week=week)
        if self._created[pos] > week:
            raise BoardError("err_not_created", deal=deal_id, week=int(self._created[pos]))
        k = self._stage_code(pos)
        if k >= self._n_open:
            raise BoardError("err_closed", deal=deal_id)
        if any(m.deal_id == deal_id for m in self.pending):
            raise BoardError("err_twice", deal=deal_id)
        if key not in ALL_ACTIONS_BY_KEY:
            raise BoardError("err_unknown_action", detail=f"Actions are {', '.join(ACTIONS_BY_KEY)}", action=key)
        if key not in ACTIONS_BY_KEY and self.sim.people is None:
            raise BoardError("err_people_action", action=key)
        stage_key = self.funnel.keys[k]
        fitting = self.fitting_actions(stage_key)
        if ALL_ACTIONS_BY_KEY[key] not in fitting:
            raise BoardError("err_action", detail=f"Try: {', '.join(a.key for a in fitting)}",
                              action=key, stage=stage_key)
        styles = None if style is None else {deal_id: self._check_style(key, style)}
        try:
            preview = self.sim.preview({deal_id: key}, styles)
        except ValueError as err:  # the simulation's check of the style's audience (a contact of the account)
            if styles is None:
                raise
            raise BoardError("err_style", why=str(err)) from None
        outcome = str(preview["outcome"].iloc[0])
        step = self.funnel.stage(stage_key).key_step
        seed = [self.seed, week + 1, reply_seed(deal_id), _ACTION_INDEX[key]]
        move = Move(deal_id=deal_id, action=key, week=week + 1, reply=pick_reply(outcome, step, seed=seed),
                    outcome=outcome, from_stage=stage_key, to_stage=str(preview["to_stage"].iloc[0]),
                    style=None if styles is None else styles[deal_id])
        self._add_move(move)
        self.selected = deal_id
        self._note = None
        self._render_controls()
        self._render_columns()
        self._render_panel()
        self._render_header()
        self._changed()
        return move

    def classify(self, answer: str, deal_id: Any = None) -> bool:
        """Classify a customer reply as ``order``, ``advance``, ``continuation`` or ``no_sale``.

        Classifies the reply of this week's move on ``deal_id``, or by default the most
        recent move not classified yet; reveals its outcome and updates the score.
        Answering ``advance`` to an order counts as correct (:func:`simfunnel.model.replies.is_correct`).

        Returns:
            Whether the answer is correct.

        Raises:
            ValueError: an answer that is not one of the four outcomes, or no reply to classify.
        """
        if answer not in OUTCOMES:
            raise BoardError("err_answer", answer=answer)
        open_moves = [m for m in self.pending if not m.revealed]
        if deal_id is not None:
            open_moves = [m for m in open_moves if m.deal_id == deal_id]
        if not open_moves:
            detail = "" if deal_id is None else f"(deal {deal_id!r} has no unclassified reply this week)"
            raise BoardError("err_nothing_to_classify", detail=detail)
        move = open_moves[-1]
        move.answer = answer
        move.correct = is_correct(answer, move.outcome)
        move.revealed = True
        self._last_classified = move
        self._note = None
        self._render_header()
        self._render_controls()
        self._render_panel()
        self._changed()
        return move.correct

    def next_week(self) -> pd.DataFrame:
        """Apply every planned action and simulate one week; returns that week's events.

        Moves not classified are revealed without a score. The board shows a summary of
        the week: what happened to the deals acted on, and the week's wins, losses and
        advances over all deals.

        Raises:
            ValueError: the world has no more weeks.
        """
        self._check_in_sync()
        if self.sim.week >= self.world.weeks:
            raise BoardError("err_end", week=self.sim.week)
        moves = self.pending
        styles = {m.deal_id: m.style for m in moves if m.style is not None}
        events = self.sim.step({m.deal_id: m.action for m in moves}, styles or None)
        for m in moves:
            m.revealed = True
        self._rebuild_state()
        self._summary = (self.sim.week, events, moves)
        self._note = None
        self.refresh()
        self._changed()
        return events

    def undo(self) -> None:
        """Undo this week's last planned action; with none, go back one week.

        Going back replays the simulation to the week before (``sim.replay``) with the
        actions of the earlier weeks; the moves of the week undone, and their quiz
        answers, are removed.

        Raises:
            ValueError: at week 0 with nothing planned.
        """
        self._check_in_sync()
        pending = self.pending
        if pending:
            move = pending[-1]
            self.moves.remove(move)
            self._note = ("undone_move", {"deal": move.deal_id, "action": move.action})
            self._render_controls()
            self._render_columns()
            self._render_panel()
            self._render_header()
            self._changed()
            return
        week = self.sim.week
        if week == 0:
            raise BoardError("err_nothing_to_undo")
        self.sim = self.sim.replay(week - 1)
        self.moves = [m for m in self.moves if m.week < week]
        self._rebuild_state()
        self._summary = None
        self._note = ("undone_week", {"week": week - 1})
        self.refresh()
        self._changed()

    def _add_move(self, move: Move) -> None:
        """Keep a planned move (store mode commits it first, and may refuse it)."""
        self.moves.append(move)

    # The board of workshop mode (TeamBoard, in simfunnel.widgets.workshop) registers itself here, so that
    # for_team makes one without this module importing the workshop widgets (no import cycle).
    team_board_class: ClassVar[type | None] = None

    def __init_subclass__(cls, team_board: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if team_board:
            DealBoard.team_board_class = cls

    @classmethod
    def for_team(cls, session: Any = None, team: str | None = None, *, trainee: str | None = None,
                 **options: Any) -> "DealBoard":
        """A board in workshop mode: a team's scenario read from and written to a workshop store.

        ``session`` is the page's :class:`~simfunnel.workshop.session.Session` (from
        :func:`~simfunnel.workshop.session.join` or the join widget): the board plays for its team,
        as its trainee, in its language. A workshop store or folder with ``team`` works too; with
        nothing, the session joined in this context. Returns a
        :class:`simfunnel.widgets.workshop.TeamBoard`.

        Raises:
            ValueError: no session or store given and none joined, or an unknown team.
        """
        if DealBoard.team_board_class is None:  # simfunnel.widgets imports the workshop widgets: always set
            raise RuntimeError("the workshop board is not loaded: import simfunnel.widgets")
        return DealBoard.team_board_class(session, team, trainee=trainee, **options)

    def reset(self) -> None:
        """Back to week 0: a fresh simulation of the same world and seed; moves and score cleared."""
        self.sim = Simulation(self.world, seed=self.sim.seed, chain=self.sim.chain, people=self.sim.people,
                              effects=self.sim.effects, coupling=self.sim.coupling)
        self.moves = []
        self.selected = None
        self._pages = [0] * self._n_open
        self._summary = None
        self._rebuild_state()
        self._note = ("reset_done", {})
        self.refresh()
        self._changed()

    def page(self, stage_key: str, n: int | None = None) -> list:
        """Turn a stage's cards to page ``n`` (1 = the largest deals); returns the deal ids shown there.

        With ``n=None`` the page stays as it is.

        Raises:
            ValueError: an unknown stage or a page outside 1 … the stage's pages.
        """
        self._check_in_sync()
        k = self._stage_index(stage_key)
        members = self._stage_members(k)
        pages = max(1, math.ceil(len(members) / self.page_size))
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= pages:
                raise BoardError("err_page", page=n, stage=stage_key, pages=pages)
            self._pages[k] = int(n) - 1
            self._render_columns()
        page = min(self._pages[k], pages - 1)
        return [plain_value(self._ids[p]) for p in members[page * self.page_size:(page + 1) * self.page_size]]

    # --- UI ----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        L = w.Layout
        self._css = w.HTML(CSS + BOARD_CSS)
        self._header = w.HTML(layout=L(width="100%"))
        self._btn_next = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_undo = w.Button(layout=L(width="auto"))
        self._btn_reset = w.Button(layout=L(width="auto"))
        self._btn_next.on_click(lambda _b: self._ui(self.next_week))
        self._btn_undo.on_click(lambda _b: self._ui(self.undo))
        self._btn_reset.on_click(lambda _b: self._ui_reset())
        self._message = w.HTML()
        controls = w.HBox([self._btn_next, self._btn_undo, self._btn_reset, self._message],
                          layout=L(align_items="center", flex_flow="row wrap"))

        self._col_heads: list[w.HTML] = []
        self._col_notes: list[w.HTML] = []
        self._slots: list[list[tuple[w.VBox, w.HTML, w.Button]]] = []
        self._slot_deals: list[list[int]] = []
        self._pagers: list[tuple[w.HBox, w.Button, w.HTML, w.Button]] = []
        columns = []
        for k in range(self._n_open):
            head = w.HTML()
            note = w.HTML()
            slots = []
            for j in range(self.page_size):
                body = w.HTML()
                button = w.Button(layout=L(width="auto", height="24px", margin="2px 0 0 0"))
                button.on_click(lambda _b, k=k, j=j: self._ui_select_slot(k, j))
                card = w.VBox([body, button], layout=L(margin="3px 0"))
                card.add_class("sf-card")
                slots.append((card, body, button))
            prev = w.Button(description="◀", layout=L(width="34px", height="24px"))
            nxt = w.Button(description="▶", layout=L(width="34px", height="24px"))
            label = w.HTML()
            prev.on_click(lambda _b, k=k: self._ui_page(k, -1))
            nxt.on_click(lambda _b, k=k: self._ui_page(k, +1))
            pager = w.HBox([prev, label, nxt], layout=L(align_items="center", justify_content="space-between"))
            self._col_heads.append(head)
            self._col_notes.append(note)
            self._slots.append(slots)
            self._slot_deals.append([])
            self._pagers.append((pager, prev, label, nxt))
            columns.append(w.VBox([head, *[s[0] for s in slots], pager, note],
                                  layout=L(flex="1 1 0", min_width="150px", margin="0 3px")))
        self._columns = w.HBox(columns, layout=L(width="100%", flex_flow="row wrap", align_items="flex-start"))

        self._deal_html = w.HTML()
        self._action = w.Dropdown(layout=L(width="320px"))
        self._action.observe(lambda _c: self._render_why(), names="value")
        self._why = w.HTML()
        self._btn_act = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_act.on_click(lambda _b: self._ui_act())
        self._style = w.Dropdown(options=[("", "")], value="", layout=L(width="320px", display="none"))
        self._act_row = w.HBox([self._action, self._style, self._btn_act],
                               layout=L(align_items="center", flex_flow="row wrap"))
        self._reply = w.HTML()
        self._quiz_buttons = {o: w.Button(layout=L(width="auto")) for o in OUTCOMES}
        for o, b in self._quiz_buttons.items():
            b.on_click(lambda _b, o=o: self._ui(lambda: self.classify(o)))
        self._quiz_row = w.HBox(list(self._quiz_buttons.values()), layout=L(flex_flow="row wrap"))
        self._verdict = w.HTML()
        self._moves_html = w.HTML()
        panel = w.VBox([self._deal_html, self._act_row, self._why, self._reply, self._quiz_row, self._verdict,
                        self._moves_html], layout=L(flex="1 1 360px", min_width="320px", margin="0 8px 0 0"))
        panel.add_class("sf-panel")
        self._summary_html = w.HTML()

        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 2.9))
        fig.subplots_adjust(left=0.13, right=0.66, bottom=0.17, top=0.86)
        self._ax = fig.add_subplot()
        self.figures["indicators"] = fig
        self._chart = w.Image(format="png", layout=L(width="512px", height="auto"))
        right = w.VBox([self._chart, self._summary_html], layout=L(flex="1 1 420px"))
        self.root = w.VBox([self._css, self._header, controls, self._columns,
                            w.HBox([panel, right], layout=L(width="100%", flex_flow="row wrap", margin="8px 0 0 0"))])
        self.root.add_class("sf-board")

    def _ui(self, call) -> None:
        """Run a button's action; a refused action shows its reason in the board's language instead of a traceback."""
        self._reset_armed = False
        try:
            call()
        except BoardError as err:
            self._note = (err.key, err.fields)
            self._note_error = True
        else:
            self._note_error = False
        self._render_controls()

    def _ui_reset(self) -> None:
        if not self._reset_armed:
            self._reset_armed = True
            self._render_controls()
            return
        self._reset_armed = False
        self.reset()

    def _ui_select_slot(self, k: int, j: int) -> None:
        if j < len(self._slot_deals[k]):
            self._ui(lambda: self.select(self._ids[self._slot_deals[k][j]]))

    def _ui_page(self, k: int, step: int) -> None:
        self._reset_armed = False
        members = self._stage_members(k)
        pages = max(1, math.ceil(len(members) / self.page_size))
        self._pages[k] = min(max(self._pages[k] + step, 0), pages - 1)
        self._render_columns()
        self._render_controls()

    def _ui_act(self) -> None:
        def act() -> None:
            if self.selected is None or self._action.value is None:
                raise BoardError("err_no_selection")
            self.act(self.selected, self._action.value, style=self._style.value or None)

        self._ui(act)

    # --- rendering ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every text, card and the chart in the board's language."""
        if not hasattr(self, "_header"):
            return  # called by a language change before the UI exists
        self._check_in_sync()
        self._render_header()
        self._render_controls()
        self._render_columns()
        self._render_panel()
        self._render_summary()
        self._render_chart()

    def _money(self, amount: float, compact: bool = True) -> str:
        return self.money(amount, compact=compact)

    def _render_header(self) -> None:
        table = self._indicator_table()
        row = table.iloc[-1]
        t = int(row["t"])
        kpi = '<span class="sf-kpi">{label}<br><b>{value}</b>{extra}</span>'
        parts = [
            kpi.format(label=html.escape(self.t("week", week=self.sim.week)),
                       value=html.escape(self.t("quarter_week", t=t, n=PERIOD_WEEKS)), extra=""),
            kpi.format(label=html.escape(self.t("forecast")) + " F′", value=self._money(row["forecast"]), extra=""),
            kpi.format(label=html.escape(self.t("booked")) + " B", value=self._money(row["booked"]), extra=""),
            kpi.format(label=html.escape(self.t("out_of_funnel")), value=self._money(row["out_of_funnel_booked"]),
                       extra=""),
            kpi.format(label=html.escape(self.t("quota")), value=self._money(self.quota), extra=""),
        ]
        progress, bench = float(row["progress"]), float(row["benchmark"])
        if math.isnan(progress):
            value, cls = html.escape(self.t("progress_none")), "sf-muted"
        else:
            value, cls = f"{progress:+.1%}", "sf-good" if progress >= bench - 1e-12 else "sf-bad"
        parts.append(kpi.format(label=html.escape(self.t("progress")), value=f'<span class="{cls}">{value}</span>',
                                extra="<br>" + styled_span("sf-muted", self.t("benchmark", value=f"{bench:.1%}"))))
        coverage = float(row["coverage"])
        if math.isinf(coverage):
            cov, note = "∞", f'<span class="sf-good">{html.escape(self.t("quota_met"))}</span>'
        elif coverage < 1:
            cov, note = f'<span class="sf-bad">{coverage:.2f}</span>', \
                f'<span class="sf-warn">⚠ {html.escape(self.t("coverage_low"))}</span>'
        else:
            cov, note = f'<span class="sf-good">{coverage:.2f}</span>', \
                f'<span class="sf-muted">{html.escape(self.t("coverage_ok"))}</span>'
        parts.append(kpi.format(label=html.escape(self.t("coverage")), value=cov, extra=f"<br>{note}"))
        score = self.score
        parts.append(kpi.format(label=html.escape(self.t("score")), value=f"{score.correct}/{score.answered}",
                                extra=""))
        threshold = ""
        if self.threshold > 0:
            note = self.t("threshold_note", threshold=self._money(self.threshold))
            threshold = f'<div class="sf-muted">{html.escape(note)}</div>'
        self._header.value = f'<div>{"".join(parts)}</div>{threshold}'

    def _render_controls(self) -> None:
        self._btn_next.description = self.t("next_week")
        self._btn_next.tooltip = self.t("next_tip")
        self._btn_next.disabled = self.sim.week >= self.world.weeks
        self._btn_undo.description = self.t("undo")
        self._btn_undo.tooltip = self.t("undo_tip")
        self._btn_undo.disabled = self.sim.week == 0 and not self.pending
        self._btn_reset.description = self.t("reset_confirm" if self._reset_armed else "reset")
        self._btn_reset.tooltip = self.t("reset_tip")
        self._btn_reset.button_style = "danger" if self._reset_armed else ""
        if self._note is None:
            self._message.value = ""
        else:
            key, fields = self._note
            fields = dict(fields)
            if "action" in fields and fields["action"] in ALL_ACTIONS_BY_KEY:
                fields["action"] = self._action_label(fields["action"])
            if key == "undone_move":
                fields["account"] = self._account(self._pos(fields.pop("deal")))
            if key == "err_action":
                fields["stage"] = self.funnel.label(fields["stage"], self.lang)
            if key.startswith("err_"):
                text = self.TEXT[key][0].format(**fields) if self.lang == "zh" else str(BoardError(key, **fields))
                self._message.value = f'<span class="sf-warn">{html.escape(text)}</span>'
            else:
                self._message.value = f'<span class="sf-muted">{html.escape(self.t(key, **fields))}</span>'

    def _render_columns(self) -> None:
        week = self.sim.week
        cur = self.sim.stage_codes(week)
        exists = self._created <= week
        open_ = exists & (cur < self._n_open)
        inside = open_ & self._big
        counts = np.bincount(cur[inside], minlength=self._n_open + 2)
        amounts = np.bincount(cur[inside], weights=self._amount[inside], minlength=self._n_open + 2)
        below = np.bincount(cur[open_ & ~self._big], minlength=self._n_open + 2)
        planned = {m.deal_id: m.action for m in self.pending}
        selected_pos = None if self.selected is None else self._pos(self.selected)
        # one pass over the deals in card order, grouped by stage
        order = self._order
        keep = inside[order]
        members_all = order[keep]
        st = cur[members_all]
        for k, stage in enumerate(self.funnel.stages):
            n = int(counts[k])
            head = (f"<b>{html.escape(stage.label(self.lang))}</b><br>"
                    f"{html.escape(self.t('win_rate', rate=f'{stage.win_rate:.0%}'))}<br>"
                    f"{html.escape(self.t('n_deal' if n == 1 else 'n_deals', n=n, amount=self._money(amounts[k])))}")
            self._col_heads[k].value = f'<div class="sf-col-head">{head}</div>'
            members = members_all[st == k]
            pages = max(1, math.ceil(len(members) / self.page_size))
            self._pages[k] = min(self._pages[k], pages - 1)
            shown = members[self._pages[k] * self.page_size:(self._pages[k] + 1) * self.page_size]
            self._slot_deals[k] = [int(p) for p in shown]
            for j, (card, body, button) in enumerate(self._slots[k]):
                button.description = self.t("select")
                if j >= len(shown):
                    body.value = ""
                    card.layout.display = "none"
                    continue
                p = int(shown[j])
                card.layout.display = None
                body.value = self._card_html(p, planned.get(self._ids[p]))
                chosen = p == selected_pos
                button.description = self.t("selected" if chosen else "select")
                button.button_style = "info" if chosen else ""
                if chosen:
                    card.add_class("sf-selected")
                else:
                    card.remove_class("sf-selected")
            pager, prev, label, nxt = self._pagers[k]
            prev.tooltip, nxt.tooltip = self.t("prev_page"), self.t("next_page")
            label.value = html.escape(self.t("page", page=self._pages[k] + 1, pages=pages))
            prev.disabled = self._pages[k] == 0
            nxt.disabled = self._pages[k] >= pages - 1
            pager.layout.display = None if pages > 1 else "none"
            notes = []
            if n == 0:
                notes.append(f'<span class="sf-muted">{html.escape(self.t("empty"))}</span>')
            if self.threshold > 0 and below[k]:
                notes.append(f'<span class="sf-muted">{html.escape(self.t("below", n=int(below[k])))}</span>')
            self._col_notes[k].value = "<br>".join(notes)

    def _card_html(self, p: int, planned: str | None) -> str:
        weeks = int(self._weeks_in_stage(p))
        marks = ""
        if weeks >= self.rotting_weeks:
            tip = html.escape(self.t("rotting", n=weeks, limit=self.rotting_weeks), quote=True)
            marks += f' <span class="sf-rot" title="{tip}">⚠</span>'
        plan = ""
        if planned is not None:
            plan = "<br>" + styled_span("sf-plan", self.t("planned_mark", action=self._action_label(planned)))
        return (f'<div class="sf-card-body"><b>{html.escape(self._account(p))}</b> '
                f'<span class="sf-muted">#{html.escape(str(self._ids[p]))}</span><br>'
                f'<span class="sf-amount">{self._money(self._amount[p])}</span> · '
                f'<span class="{"sf-rot" if weeks >= self.rotting_weeks else "sf-muted"}">'
                f'{html.escape(self.t("weeks_in_stage", n=weeks))}</span>{marks}{plan}</div>')

    def _render_panel(self) -> None:
        self._btn_act.description = self.t("act")
        self._btn_act.tooltip = self.t("act_tip")
        self._action.description = self.t("action")
        if self.selected is None:
            self._deal_html.value = f'<span class="sf-muted">{html.escape(self.t("no_selection"))}</span>'
            self._act_row.layout.display = "none"
            self._action.options = []
            self._why.value = ""
        else:
            self._render_deal()
        self._render_quiz()

    def _render_deal(self) -> None:
        p = self._pos(self.selected)
        week = self.sim.week
        k = self._stage_code(p)
        stage = self.funnel.all_stages[k]
        lines = [f"<b>{html.escape(self._account(p))}</b> " + styled_span("sf-muted", f"#{self._ids[p]}")]
        rate = self._override[p] if not math.isnan(self._override[p]) else stage.win_rate
        lines.append(html.escape(self.t("deal_stage", stage=stage.label(self.lang), rate=f"{rate:.0%}")))
        lines.append(html.escape(self.t("deal_amount", amount=self._money(self._amount[p], compact=False))))
        product = self._products.get(self._product[p])
        if product:
            lines.append(html.escape(self.t("deal_product", product=product[0 if self.lang == "zh" else 1])))
        planned = next((m for m in self.pending if m.deal_id == self.selected), None)
        if k < self._n_open:
            lines.append(html.escape(self.t("deal_weeks", n=int(self._weeks_in_stage(p)))))
            if not math.isnan(self._expected_close[p]):
                lines.append(html.escape(self.t("deal_close", week=int(self._expected_close[p]))))
            step = KEY_STEP_LABELS[stage.key_step][0 if self.lang == "zh" else 1]
            lines.append(html.escape(self.t("deal_step", step=step)))
            if planned is not None:
                lines.append(styled_span("sf-plan", self.t("deal_planned", action=self._action_label(planned.action))))
        else:
            lines.append(html.escape(self.t("deal_won" if k == self._won else "deal_lost", week=int(self.sim.closed_weeks()[p]))))
        self._deal_html.value = "<br>".join(lines)
        can_act = k < self._n_open and planned is None and week < self.world.weeks
        self._act_row.layout.display = None if can_act else "none"
        options = tuple((a.label(self.lang), a.key) for a in self.fitting_actions(stage.key)) if can_act else ()
        if tuple(tuple(o) for o in self._action.options) != options:
            current = self._action.value
            self._action.options = options
            keys = [key for _, key in options]
            if keys:  # ipywidgets 8 leaves the value empty after new options
                self._action.value = current if current in keys else keys[0]
        self._btn_act.disabled = not can_act
        self._render_why()

    def _render_why(self) -> None:
        key = self._action.value
        if key is None or self._act_row.layout.display == "none":
            self._why.value = ""
            self._action.tooltip = None
            self._render_style(None)
            return
        act = ALL_ACTIONS_BY_KEY[key]
        why = act.why_zh if self.lang == "zh" else act.why_en
        self._action.tooltip = why
        self._why.value = f'<span class="sf-muted">{html.escape(self.t("why", why=why))}</span>'
        self._render_style(act)

    def _render_style(self, act: Action | None) -> None:
        """People layer: the style list, shown for a present-value action (default: no particular style)."""
        styled = act is not None and self.sim.people is not None and _styled(act)
        self._style.layout.display = None if styled else "none"
        if not styled:
            if tuple(tuple(o) for o in self._style.options) != (("", ""),):
                self._style.options = (("", ""),)  # no hidden labels left in another language
            self._style.value = ""
            return
        from simfunnel.plots import brain_label

        # "" = no particular style (a value of None would show an empty list in the browser)
        options = ((self.t("style_none"), ""),) + tuple((brain_label(b, self.lang), b) for b in "ABCD")
        if tuple(tuple(o) for o in self._style.options) != options:
            current = self._style.value
            self._style.options = options
            self._style.value = current
        self._style.description = self.t("style")
        self._style.tooltip = self.t("style_tip")

    def _render_quiz(self) -> None:
        """The reply waiting to be classified (newest first) and the verdict on the one classified last."""
        pending = self.pending
        waiting = [m for m in pending if not m.revealed]
        last = next((m for m in pending if m is self._last_classified), None)
        current = waiting[-1] if waiting else last
        for o, b in self._quiz_buttons.items():
            b.description = OUTCOME_LABELS[o][0 if self.lang == "zh" else 1]
        if current is None:
            self._reply.value = ""
        else:
            reply = self._reply_html(current)
            if not current.revealed:
                reply += f'<span class="sf-muted">{html.escape(self.t("quiz_question"))}</span>'
                if len(waiting) > 1:
                    more = self.t("one_more_to_classify") if len(waiting) == 2 else \
                        self.t("more_to_classify", n=len(waiting) - 1)
                    reply += f'<br><span class="sf-muted">{html.escape(more)}</span>'
            self._reply.value = reply
        self._quiz_row.layout.display = None if current is not None and not current.revealed else "none"
        if last is None:
            self._verdict.value = ""
        elif last is current:
            self._verdict.value = self._verdict_html(last)
        else:  # the next reply is already waiting: keep the verdict of the one just classified in view
            self._verdict.value = (f'<div class="sf-panel" style="margin-top:6px">{self._reply_html(last)}'
                                   f"{self._verdict_html(last)}</div>")
        self._render_moves()

    def _reply_html(self, move: Move) -> str:
        p = self._pos(move.deal_id)
        title = self.t("reply_title", account=self._account(p), action=self._action_label(move.action))
        quote = ("「{}」" if self.lang == "zh" else "“{}”").format(move.reply.text(self.lang))
        return f'<b>{html.escape(title)}</b><div class="sf-reply">{html.escape(quote)}</div>'

    def _badge(self, outcome: str) -> str:
        label = OUTCOME_LABELS[outcome][0 if self.lang == "zh" else 1]
        return f'<span class="sf-badge sf-{outcome}">{html.escape(label)}</span>'

    def _verdict_html(self, move: Move) -> str:
        out = [self._badge(move.outcome) + " " + html.escape(move.reply.why(self.lang))]
        if move.answer is not None:
            if move.correct:
                out.append(f'<span class="sf-good">{html.escape(self.t("correct"))}</span>')
                if move.answer != move.outcome:
                    out.append(f'<span class="sf-muted">{html.escape(self.t("order_as_advance"))}</span>')
            else:
                label = OUTCOME_LABELS[move.answer][0 if self.lang == "zh" else 1]
                out.append(f'<span class="sf-bad">{html.escape(self.t("wrong", answer=label))}</span>')
        return "<br>".join(out)

    def _render_moves(self) -> None:
        pending = self.pending
        if not pending:
            self._moves_html.value = f'<span class="sf-muted">{html.escape(self.t("no_moves_yet"))}</span>'
            return
        items = []
        for m in pending:
            p = self._pos(m.deal_id)
            mark = self._badge(m.outcome) if m.revealed else \
                f'<span class="sf-muted">{html.escape(self.t("to_classify"))}</span>'
            what = f"{self._account(p)} · {self._action_label(m.action)}"
            if m.style is not None:
                what += " · " + self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            items.append(f"<li>{html.escape(what)} {mark}</li>")
        self._moves_html.value = (f'<b>{html.escape(self.t("moves_title", n=len(pending)))}</b>'
                                  f'<ul class="sf-summary" {LIST_STYLE}>{"".join(items)}</ul>')

    def _render_summary(self) -> None:
        if self._summary is None or self._summary[0] != self.sim.week:
            self._summary_html.value = ""
            return
        week, events, moves = self._summary
        lines = []
        for m in moves:
            p = self._pos(m.deal_id)
            to = self.funnel.label(m.to_stage, self.lang)
            frm = self.funnel.label(m.from_stage, self.lang)
            result = "" if m.answer is None else (" ✔" if m.correct else " ✘")
            if m.answer is None:
                result = f' <span class="sf-muted">({html.escape(self.t("not_classified"))})</span>'
            lines.append(f"<li>{html.escape(self._account(p))} · {html.escape(self._action_label(m.action))} "
                         f"{self._badge(m.outcome)} {html.escape(frm)} → {html.escape(to)}{result}</li>")
        body = f'<ul class="sf-summary" {LIST_STYLE}>{"".join(lines)}</ul>' if lines else \
            f'<span class="sf-muted">{html.escape(self.t("summary_none"))}</span>'
        outcome = events["outcome"].to_numpy()
        pos = self._index.get_indexer(events["deal_id"])
        won, lost = outcome == "order", outcome == "no_sale"
        everyone = self.t("summary_all", won=int(won.sum()), won_amount=self._money(self._amount[pos[won]].sum()),
                          lost=int(lost.sum()), lost_amount=self._money(self._amount[pos[lost]].sum()),
                          advanced=int((outcome == "advance").sum()), new=int((self._created == week).sum()))
        self._summary_html.value = (f'<b>{html.escape(self.t("summary_title", week=week))}</b>{body}'
                                    f'<div class="sf-muted">{html.escape(everyone)}</div>')

    def _render_chart(self) -> None:
        key = (self._version, self.lang)
        if key == self._chart_key:
            return
        from simfunnel import plots

        self._ax.clear()
        plots.indicator_chart(self._indicator_table(), quota=self.quota, ax=self._ax, lang=self.lang,
                              currency=self.currency)
        start = self.period_start  # the whole quarter on the x axis: how far in we are, and what is left
        self._ax.set_xlim(start - 0.4, start + PERIOD_WEEKS + 0.4)
        self._chart.value = figure_png(self.figures["indicators"], dpi=80)
        self._chart_key = key

    # --- previews ------------------------------------------------------------------------
    def chart_png(self) -> bytes:
        """The weekly indicator chart as PNG bytes (what the board shows)."""
        self._render_chart()
        return bytes(self._chart.value)

    def html(self) -> str:
        """The board as one static HTML page (styles, header, columns, panel, chart), for a browser preview.

        Mirrors the widget tree: the values of its HTML widgets, buttons as ``<button>``,
        the action list as ``<select>`` and the chart as an inline PNG.
        """
        import base64

        def shown(widget: w.Widget) -> bool:
            return getattr(widget.layout, "display", None) != "none"

        def button(b: w.Button) -> str:
            style = {"primary": "#2f6fbf", "info": "#2f6fbf", "danger": "#b23a3a"}.get(b.button_style, "")
            css = f"background:{style};color:#fff;" if style else ""
            return f'<button style="{css}" {"disabled" if b.disabled else ""}>{html.escape(b.description)}</button>'

        columns = []
        for k in range(self._n_open):
            cards = "".join(
                f'<div class="sf-card{" sf-selected" if "sf-selected" in card._dom_classes else ""}">'
                f"{body.value}{button(b)}</div>"
                for card, body, b in self._slots[k] if shown(card)
            )
            pager, prev, label, nxt = self._pagers[k]
            paging = f'<div class="sf-pager">{button(prev)} {label.value} {button(nxt)}</div>' if shown(pager) else ""
            head, note = self._col_heads[k].value, self._col_notes[k].value
            columns.append(f'<div class="sf-col">{head}{cards}{paging}{note}</div>')
        select = ""
        if shown(self._act_row):
            options = "".join(f"<option{' selected' if key == self._action.value else ''}>{html.escape(label)}</option>"
                              for label, key in self._action.options)
            label = html.escape(self._action.description)
            select = f"<div>{label} <select>{options}</select> {button(self._btn_act)}</div>"
        quiz = " ".join(button(b) for b in self._quiz_buttons.values()) if shown(self._quiz_row) else ""
        chart = base64.b64encode(self.chart_png()).decode("ascii")
        extra = """<style>body{font-family:sans-serif;margin:12px;max-width:1200px}
.sf-cols{display:flex;gap:6px;align-items:flex-start;margin:8px 0}.sf-col{flex:1 1 0;min-width:150px}
.sf-row{display:flex;gap:12px;flex-wrap:wrap}.sf-row > div{flex:1 1 380px}
.sf-card button, .sf-pager button{font-size:11px;margin-top:2px}
.sf-pager{display:flex;justify-content:space-between}</style>"""
        return (
            f"<!doctype html><html lang='{self.lang}'><head><meta charset='utf-8'>{CSS}{BOARD_CSS}{extra}</head>"
            f"<body class='sf-board'>{self._header.value}"
            f"<div>{button(self._btn_next)} {button(self._btn_undo)} {button(self._btn_reset)} "
            f"{self._message.value}</div>"
            f"<div class='sf-cols'>{''.join(columns)}</div>"
            f"<div class='sf-row'><div class='sf-panel'><div>{self._deal_html.value}</div>{select}"
            f"<div>{self._why.value}</div><div>{self._reply.value}</div><div>{quiz}</div>"
            f"<div>{self._verdict.value}</div><div>{self._moves_html.value}</div></div>"
            f"<div><img src='data:image/png;base64,{chart}' style='width:512px'>"
            f"<div>{self._summary_html.value}</div></div></div>"
            "</body></html>"
        )


def _styled(act: Action) -> bool:
    """Whether a style applies: an action of the present-value key step (demo, trial, reference visit), not a meeting."""
    return act.key in ACTIONS_BY_KEY and STYLE_STEP in act.key_steps


def styled_span(css_class: str, text: str) -> str:
    """Text, escaped, in a styled span."""
    return f'<span class="{css_class}">{html.escape(text)}</span>'


def plain_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value (ids read back as 17, not np.int64(17))."""
    return value.item() if isinstance(value, np.generic) else value


def reply_seed(deal_id: Any) -> int:
    """A non-negative int for the reply seed (deal ids may be strings in imported data)."""
    if isinstance(deal_id, (int, np.integer)) and deal_id >= 0:
        return int(deal_id)
    return zlib.crc32(str(deal_id).encode("utf-8"))
