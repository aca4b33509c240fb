"""AccountMap: one account's people as an org chart, and the course's guided path to work the account.

The map draws the account's contacts by level (决策层 / 管理层 / 操作层, rows) and function
(columns): each a node with the animal of its buying role (鹰 eagle = decision maker, 羊 sheep
= user, 驴 donkey = technical or financial gatekeeper, 狐 fox = purchaser), its whole-brain type
by colour (A blue, B green, C red, D yellow), the coach (向导) with a gold ★, contacts met solid
and filled, the others dashed (:func:`simfunnel.plots.org_chart`).

**The guided path** is the course's analysis order, each step with the actions that do it on
the deal chosen in the deal list:

1. *Find a coach* (发展向导) — ``find_coach``. Done once the coach is met, or once a try found
   that the account has nobody willing to be one.
2. *Gather information* (收集信息) — ``meet_decision_maker``, ``meet_technical_gatekeeper``,
   ``meet_financial_gatekeeper`` and the SPIN ``needs_interview``. Done once a decision maker
   and (when the account has any) a gatekeeper have been met.
3. *Analyse the organisation* (分析组织) — who decides and how; present value in the
   audience's whole-brain style (a present-value action with a style A–D, to the decision
   maker or a chosen contact). Done once a styled presentation has been played in the account
   and, for a state-owned account with a deal above the collective-decision amount (三重一大),
   enough decision-level contacts have been met.
4. *Judge the opportunity* (判断商机) — the coach's report on each open deal (the coming week's
   true chances and risk; only with the coach met) and the chosen deal's five purchase factors.
   The current step once 1–3 are done; it stays open.

The current step is the first not done; done steps are ticked. A step's actions stay usable
out of order: the path guides, it does not lock.

**What the seller can see** (unknown people are hidden information): names, levels and functions
are always shown (an org chart is public). A contact's buying role is shown once the seller has
met that contact, or for everyone once the account's coach has been met (the coach tells who
decides, who guards, who uses, who buys). A whole-brain type is shown only once that contact has
been met (a thinking style is read in a meeting). The coach is marked once met. ``reveal=True``
(for the trainer's debrief) shows everything.

**Actions are DealBoard moves.** ``AccountMap(board)`` plays every action through
:meth:`DealBoard.act <simfunnel.widgets.deal_board.DealBoard.act>`: it appears in the board's
"this week's actions" with the customer's reply to classify, and "Next week" (on the board or
the map) plays it in the simulation; the map follows the board (next week, undo, reset).
``AccountMap(sim)`` with a bare simulation builds its own board (``amap.board``, display it for
the deal cards and indicators) — the map then has the reply quiz for its own moves. Meetings count
from the week after they are played, so the chart changes after "Next week".

From code (tests drive it without a browser)::

    sim = Simulation(generate(seed=2026), seed=2026, people=PeopleParams())
    board = DealBoard(sim)
    amap = AccountMap(board, account_id=17)
    amap.select_deal(123)
    amap.find_coach()                      # a Move on the board
    amap.meet("technical_gatekeeper", deal_id=124)
    amap.next_week()                       # = board.next_week()
    amap.present_value("A", action="arrange_demo")
    amap.step                              # 1 … 4, the current guided step
    amap.people                            # what the map shows of each contact (None = unknown)
    amap.texts(); amap.chart_png()
"""

from __future__ import annotations

import html
from typing import Any, NamedTuple

import ipywidgets as w
import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.model.generate import BUYING_ROLES, INDUSTRIES, OWNERSHIP
from simfunnel.model.replies import OUTCOME_LABELS, OUTCOMES
from simfunnel.model.segments import DEFAULT_SEGMENTS
from simfunnel.model.simulate import Simulation
from simfunnel.widgets._base import CSS, Pair, Widget, figure_png
from simfunnel.widgets._shared import DPI, new_figure
from simfunnel.widgets.deal_board import ALL_ACTIONS_BY_KEY, DealBoard, Move, BoardError, plain_value

__all__ = ["AccountMap", "GuidedStep"]

MAP_CSS = """
<style>
.sf-map .sf-step {border:1px solid #c9d3e0; border-radius:6px; padding:4px 8px; margin:3px 0; background:#fff}
.sf-map .sf-step-current {border:2px solid #1f5fa8; background:#eef4fb}
.sf-map .sf-step-done {background:#f4faf5}
.sf-map .sf-step-title {font-size:13px}
.sf-map .sf-tick {color:#1b7f3b; font-weight:600}
.sf-map .sf-now {color:#1f5fa8; font-weight:600}
.sf-map .sf-step-body {font-size:12px; line-height:1.4}
.sf-map table.sf-report {border-collapse:collapse; font-size:12px; margin:3px 0}
.sf-map table.sf-report td, .sf-map table.sf-report th {border-bottom:1px solid #e3e8ef; padding:2px 8px;
  text-align:left; font-weight:normal}
.sf-map table.sf-report th {color:#6b7785}
.sf-map .sf-risk-at_risk {color:#b23a3a} .sf-map .sf-risk-stalled {color:#c98a0c} .sf-map .sf-risk-moving {color:#1b7f3b}
.sf-map .sf-dots {letter-spacing:1px; color:#2f6fbf}
.sf-map .sf-plan {color:#1b7f3b} .sf-map .sf-good {color:#1b7f3b} .sf-map .sf-bad {color:#b23a3a}
.sf-map .sf-reply {font-size:13px; padding:4px 8px; border-left:4px solid #2f6fbf; background:#f5f8fc; margin:3px 0}
</style>
"""

# The actions of each guided step (in the order offered).
STEP_ACTIONS: dict[int, tuple[str, ...]] = {
    1: ("find_coach",),
    2: ("meet_decision_maker", "meet_technical_gatekeeper", "meet_financial_gatekeeper", "needs_interview"),
    3: ("arrange_demo", "propose_trial", "reference_visit"),
    4: (),
}
STEP_KEYS = {1: "find_coach", 2: "gather_information", 3: "analyse_organisation", 4: "judge_opportunity"}
MEET_ROLES = ("decision_maker", "technical_gatekeeper", "financial_gatekeeper")
GATEKEEPERS = ("technical_gatekeeper", "financial_gatekeeper")


class GuidedStep(NamedTuple):
    """One step of the guided path: its number (1–4), key, whether it is done, and the current one."""

    number: int
    key: str
    done: bool
    current: bool


class _MapError(ValueError):
    """A ValueError whose message the map also shows in Chinese (``key`` into ``AccountMap.TEXT``)."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(AccountMap.TEXT[key][1].format(**fields))


class AccountMap(Widget):
    """One account's org chart, who the seller has met, and the guided path: coach → information → organisation → judgement.

    Args:
        board_or_sim: a :class:`~simfunnel.widgets.deal_board.DealBoard` whose simulation has the
            people layer (preferred: the map's actions become the board's moves), or such a
            :class:`~simfunnel.model.simulate.Simulation` (the map builds its own board, ``amap.board``).
        account_id: the account shown first (default: the account of the board's selected deal,
            else the one with the most open pipeline).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
        reveal: show every role, whole-brain type and the coach, known or not (the trainer's view).

    Raises:
        ValueError: not a board or simulation, a simulation without ``people=``, or a bad account.
    """

    TEXT: dict[str, Pair] = {
        "title": ("客户地图", "Account map"),
        "intro": (
            "看清客户的组织：谁决策（鹰）、谁使用（羊）、谁把关（驴）、谁采购（狐），各人是哪种全脑类型，"
            "你见过谁。按课程的分析顺序走：发展向导 → 收集信息 → 分析组织 → 判断商机。"
            "这里的行动会成为交易看板上本周的行动；见面从下一周起生效。",
            "See the customer's organisation: who decides (eagle), who uses (sheep), who guards (donkey), "
            "who buys (fox), each person's whole-brain type, and whom you have met. Follow the course's "
            "analysis order: find a coach → gather information → analyse the organisation → judge the "
            "opportunity. Actions here become this week's moves on the DealBoard; a meeting counts from the next week.",
        ),
        "account": ("客户", "Account"),
        "deal": ("商机", "Deal"),
        "next_week": ("下一周 ▶", "Next week ▶"),
        "next_tip": ("执行本周所有行动（包括交易看板上的），进入下一周",
                     "Apply this week's actions (the DealBoard's too) and move to the next week"),
        "week": ("第 {week} 周", "Week {week}"),
        "account_option": ("{name} · {segment} · {n} 个商机", "{name} · {segment} · {n} deals"),
        "account_option_one": ("{name} · {segment} · {n} 个商机", "{name} · {segment} · {n} deal"),
        "account_option_none": ("{name} · {segment} · 暂无在途商机", "{name} · {segment} · no open deals"),
        "deal_option": ("#{deal} · {stage} · {amount} · 本阶段 {weeks} 周", "#{deal} · {stage} · {amount} · {weeks} wk in stage"),
        "customer_existing": ("老客户（我方份额 {share}）", "existing customer ({share} share of wallet)"),
        "customer_new": ("新客户", "new customer"),
        "potential": ("采购潜力 {amount}", "potential {amount}"),
        "facts_met": ("已拜访 {met}/{n} 人", "met {met} of {n} people"),
        "open_deals": ("在途商机 {n} 个，{amount}", "{n} open deals worth {amount}"),
        "open_deal": ("在途商机 {n} 个，{amount}", "{n} open deal worth {amount}"),
        "no_open_deals": ("这个客户现在没有在途商机。", "This account has no open deal now."),
        "reveal_note": ("培训师视图：显示全部角色和类型（学员看不到未知信息）",
                        "Trainer's view: every role and type shown (trainees don't see what is unknown)"),
        # the guided path
        "path_title": ("分析路径", "Guided path"),
        "step_1": ("发展向导", "Find a coach"),
        "step_2": ("收集信息", "Gather information"),
        "step_3": ("分析组织", "Analyse the organisation"),
        "step_4": ("判断商机", "Judge the opportunity"),
        "do_1": ("在客户内部找到向导：他会告诉你谁决策、谁把关，以及项目的真实进展。",
                 "Find a coach inside the customer: they tell you who decides, who guards, and the project's real state."),
        "do_2": ("拜访决策者和把关者，用 SPIN 需求访谈把客户想要的变成明确的需求。",
                 "Meet the decision maker and the gatekeepers; a SPIN needs interview turns what the customer "
                 "wants into an explicit need."),
        "do_3": ("看清谁拍板、怎么拍板，再按听众的全脑类型呈现价值。",
                 "See who decides and how, then present value in the audience's whole-brain style."),
        "do_4": ("向导告诉你每个商机下周的真实机会和风险；再看五个购买要素，决定在哪里投入。",
                 "The coach tells you each deal's real chances next week and its risk; with the five purchase "
                 "factors, decide where to spend your time."),
        "done_mark": ("✓ 已完成", "✓ done"),
        "deal_busy": ("商机 #{deal} 本周已经安排了行动：选另一个商机，或者进入下一周。",
                      "Deal #{deal} already has an action this week: choose another deal, or play the week."),
        "now_mark": ("▶ 当前步骤", "▶ current step"),
        "coach_met": ("向导：{name}（{role}），第 {week} 周见面。", "Coach: {name} ({role}), met in week {week}."),
        "coach_none": ("第 {week} 周尝试过：这个客户里没有人愿意做向导，只能自己收集信息。",
                       "Tried in week {week}: nobody in this account will be your coach; gather information yourself."),
        "coach_not_yet": ("还没有向导。", "No coach yet."),
        "coach_left": ("向导在第 {week} 周离开了客户：重新发展向导。", "The coach left in week {week}: find a new one."),
        "planned": ("本周已安排：{what}", "Planned this week: {what}"),
        "met_summary": ("已拜访 {met}/{n} 人：{names}", "Met {met} of {n}: {names}"),
        "met_nobody": ("还没有拜访任何人。", "Nobody met yet."),
        "dm_met": ("决策者已见：{names}", "Decision maker met: {names}"),
        "dm_not_met": ("还没有见到决策者（鹰）：没有决策者，商机会卡在购买承诺。",
                       "Decision maker (eagle) not met yet: without one, deals stall at commitment."),
        "gk_met": ("把关者已见：{names}", "Gatekeeper met: {names}"),
        "gk_not_met": ("还没有见到把关者（驴）。", "No gatekeeper (donkey) met yet."),
        "gk_none": ("这个客户没有把关者。", "This account has no gatekeeper."),
        "need_explicit": ("这个商机的需求：明确（客户说出了需要什么）", "This deal's need: explicit (the customer said what they need)"),
        "need_implicit": ("这个商机的需求：隐性（客户只说了想要什么）：用 SPIN 需求访谈挖掘",
                          "This deal's need: implicit (the customer only said what they want): dig with a SPIN needs interview"),
        "deciders": ("决策层：{names}", "Decision level: {names}"),
        "collective": ("三重一大：国有客户金额超过 {amount} 的商机集体决策，需要见到至少 {k} 位决策层联系人（已见 {met} 位）。",
                       "Collective decision: at a state-owned account, deals above {amount} need at least {k} "
                       "decision-level contacts met ({met} met)."),
        "styled_done": ("已按风格呈现价值：{what}", "Value presented in a style: {what}"),
        "audience": ("听众", "Audience"),
        "audience_default": ("决策者（默认）", "the decision maker (default)"),
        "style": ("风格", "Style"),
        "style_choose": ("— 请选择风格 —", "— choose a style —"),
        "pv_action": ("行动", "Action"),
        "present": ("呈现价值", "Present value"),
        "present_tip": ("按选定的风格向听众呈现价值", "Present value to the audience in the chosen style"),
        "audience_brain": ("听众 {name}：{brain}", "Audience {name}: {brain}"),
        "audience_unknown": ("还不知道 {name} 的全脑类型：先见一面，或者猜。",
                             "You don't know {name}'s whole-brain type yet: meet them first, or guess."),
        "no_dm": ("这个客户没有决策者：请选一位听众。", "This account has no decision maker: choose an audience."),
        "fits_at": ("“{action}”适合这些阶段：{stages}；这个商机在“{stage}”。",
                    "“{action}” fits at {stages}; this deal is at {stage}."),
        "fits_other": ("本客户可用的商机：{deals}", "Deals of this account where it fits: {deals}"),
        "report_title": ("向导的报告（第 {week} 周）", "The coach's report (week {week})"),
        "report_deal": ("商机", "Deal"),
        "report_stage": ("阶段", "Stage"),
        "report_amount": ("金额", "Amount"),
        "report_advance": ("下周推进机会", "Advance next week"),
        "report_loss": ("下周丢单风险", "Loss next week"),
        "report_weakest": ("最弱要素", "Weakest factor"),
        "report_risk": ("判断", "Verdict"),
        "report_need": ("需求", "Need"),
        "report_need_yes": ("明确", "explicit"),
        "report_need_no": ("隐性", "implicit"),
        "report_find_coach": ("先找到向导：只有向导能告诉你商机的真实机会和风险。",
                              "Find a coach first: only a coach can tell you the deals' real chances and risk."),
        "report_no_coach": ("这个客户没有向导：只能根据自己见到的情况判断。",
                            "This account has no coach: judge from what you have seen yourself."),
        "report_none": ("没有在途商机。", "No open deals."),
        "factors_title": ("商机 #{deal} 的五个购买要素（1 很弱 … 5 很强）",
                          "Deal #{deal}'s five purchase factors (1 very weak … 5 very strong)"),
        "moves_title": ("本周在这个客户上的行动", "This week's actions on this account"),
        "move_line": ("#{deal} · {action}", "#{deal} · {action}"),
        "classify_here": ("这是哪种结果？看客户做了什么。", "Which outcome is this? Judge by what the customer does."),
        "no_moves": ("本周还没有在这个客户上安排行动。", "No action planned on this account this week."),
        "style_mark": ("风格 {style}", "style {style}"),
        "to_classify": ("待判断", "to classify"),
        # errors (raised as ValueError with the English text; shown in the map's language)
        "err_people": ("客户地图需要人员层：Simulation(world, seed, people=PeopleParams())",
                       "The AccountMap needs the people layer: Simulation(world, seed, people=PeopleParams())."),
        "err_source": ("请传入交易看板或模拟。", "Expected a DealBoard or a Simulation, got {got}."),
        "err_account": ("没有这个客户。", "There is no account {account!r}."),
        "err_no_open": ("这个客户现在没有在途商机。", "Account {account} has no open deal at week {week}."),
        "err_deal": ("没有这个商机。", "There is no deal {deal!r}."),
        "err_other_account": ("这个商机属于另一个客户。", "Deal {deal} belongs to account {other}, not to account {account}."),
        "err_deal_closed": ("这个商机已经关闭。", "Deal {deal} is closed ({stage}) and cannot be worked on."),
        "err_deal_later": ("这个商机还没有出现。", "Deal {deal} only appears in week {week}."),
        "err_deal_below": ("这个商机低于小单门槛，不在漏斗里。", "Deal {deal} is below the board's threshold: outside the funnel."),
        "err_no_deal": ("请先选择一个商机。", "Choose an open deal of the account first."),
        "err_action_unknown": ("没有这个行动。", "Unknown action {action!r}."),
        "err_role": ("没有这个角色。", "Unknown role {role!r}; roles to meet are {roles}."),
        "err_no_pv": ("这个商机的阶段没有呈现价值的行动。",
                      "No present-value action fits deal {deal} at stage {stage}; they fit at {stages}."),
        "err_pv_action": ("这不是呈现价值的行动。", "{action!r} is not a present-value action; they are {actions}."),
        "err_choose_style": ("请先选择风格。", "Choose a style (A, B, C or D) first."),
        "err_audience": ("听众必须是这个客户的联系人。", "The audience {contact!r} is not a contact of account {account}."),
        "err_audience_style": ("指定听众时也要指定风格。", "An audience needs a style: present_value(style, audience=...)."),
    }

    def __init__(self, board_or_sim: DealBoard | Simulation, account_id: Any = None, *, lang: str | None = None,
                 reveal: bool = False) -> None:
        if isinstance(board_or_sim, DealBoard):
            board = board_or_sim
        elif isinstance(board_or_sim, Simulation):
            if board_or_sim.people is None:
                raise _MapError("err_people")
            board = DealBoard(board_or_sim, lang=lang)
        else:
            raise _MapError("err_source", got=type(board_or_sim).__name__)
        if board.sim.people is None:
            raise _MapError("err_people")
        super().__init__(lang)
        self.board = board
        self.owns_board = board is not board_or_sim
        self._reveal = bool(reveal)
        world = board.world
        self.world = world
        self.funnel = board.funnel
        self.currency = board.currency
        self._accounts = world.accounts.reset_index(drop=True)
        self._acc_index = pd.Index(self._accounts["account_id"].to_numpy())
        d = world.deals
        self._deal_ids = d["deal_id"].to_numpy()
        self._deal_index = pd.Index(self._deal_ids)
        self._deal_acc = self._acc_index.get_indexer(d["account_id"].to_numpy())
        self._amount = d["amount"].to_numpy(dtype=float)
        self._created = d["created_week"].to_numpy(dtype=np.int64)
        contacts = world.contacts
        self._contacts_by_acc = {int(k): g for k, g in contacts.groupby(contacts["account_id"].to_numpy(), sort=False)}
        self.account_id: Any = None
        self.deal_id: Any = None
        self._note: tuple[str, dict, bool] | None = None
        self._chart_key: tuple | None = None
        self._quiet = False
        self._build_ui()
        self.select_account(self._default_account() if account_id is None else account_id)
        board.on_change(self._on_board)

    # --- state read from the board's simulation ------------------------------------------
    @property
    def sim(self) -> Simulation:
        """The simulation played (the board's: undo and reset replace it)."""
        return self.board.sim

    @property
    def reveal(self) -> bool:
        """Whether everything is shown, known or not (the trainer's view); setting it redraws."""
        return self._reveal

    @reveal.setter
    def reveal(self, value: bool) -> None:
        self._reveal = bool(value)
        self.refresh()

    def _open_mask(self) -> np.ndarray:
        """World deals open now, created by now and in the funnel (amount ≥ the board's threshold)."""
        sim = self.sim
        return ((self._created <= sim.week) & (sim.stage_codes() < len(self.funnel))
                & (self._amount >= self.board.threshold))

    def _account_pos(self, account_id: Any) -> int:
        try:
            pos = self._acc_index.get_indexer([account_id])[0]
        except (TypeError, ValueError):
            pos = -1
        if pos < 0:
            raise _MapError("err_account", account=account_id)
        return int(pos)

    def open_deals(self, account_id: Any = None) -> list:
        """The open in-funnel deals of an account (default: the one shown), largest first."""
        pos = self._account_pos(self.account_id if account_id is None else account_id)
        hit = np.flatnonzero(self._open_mask() & (self._deal_acc == pos))
        hit = hit[np.lexsort((self._deal_ids[hit], -self._amount[hit]))]
        return [plain_value(self._deal_ids[p]) for p in hit]

    def deal_for(self, action: str, account_id: Any = None) -> Any:
        """The largest open deal of the account where ``action`` fits its stage and no move is planned this week.

        ``None`` when there is none (e.g. "meet the decision maker" needs a deal at a
        build-trust or commitment stage). Example: ``amap.meet("decision_maker",
        deal_id=amap.deal_for("meet_decision_maker"))``.
        """
        key = action.key if hasattr(action, "key") else str(action)
        if key not in ALL_ACTIONS_BY_KEY:
            raise _MapError("err_action_unknown", action=key)
        planned = {m.deal_id for m in self.board.pending}
        keys = self.funnel.all_keys
        codes = self.sim.stage_codes()
        for deal in self.open_deals(account_id):
            stage = keys[int(codes[self._deal_index.get_loc(deal)])]
            if deal not in planned and any(a.key == key for a in self.board.fitting_actions(stage)):
                return deal
        return None

    def _default_account(self) -> Any:
        selected = self.board.selected
        if selected is not None:
            p = self._deal_index.get_loc(selected)
            if self._open_mask()[p] and self._deal_acc[p] >= 0:
                return plain_value(self._acc_index[self._deal_acc[p]])
        # A good account to learn on: it has a coach, and its open deals sit at stages where every
        # guided step's actions fit (find a coach, meet the decision maker, present value); then the biggest.
        mask = self._open_mask() & (self._deal_acc >= 0)
        n_acc = len(self._acc_index)
        amount = np.bincount(self._deal_acc[mask], weights=self._amount[mask], minlength=n_acc)
        steps = np.array([s.key_step for s in self.funnel.stages] + ["", ""], dtype=object)
        step_of = steps[self.sim.stage_codes()]
        score = np.zeros(n_acc)
        for needed in (("customer_analysis", "build_trust"), ("build_trust", "win_commitment"), ("present_value",)):
            hit = mask & np.isin(step_of, needed)
            score += np.bincount(self._deal_acc[hit], minlength=n_acc) > 0
        contacts = self.world.contacts
        role = contacts["buying_role"].astype(str)
        for rows in (contacts["coach"].to_numpy(dtype=bool), role.str.endswith("gatekeeper").to_numpy()):
            acc = self._acc_index.get_indexer(contacts.loc[rows, "account_id"])
            score[acc[acc >= 0]] += 1
        per_account = np.bincount(np.maximum(self._acc_index.get_indexer(contacts["account_id"]), 0), minlength=n_acc)
        score += per_account >= 5  # enough people to map
        best = np.lexsort((-amount, -score))[0]
        if amount[best] <= 0:
            best = int(np.argmax(amount))
        return plain_value(self._acc_index[int(best)])

    @property
    def contacts(self) -> pd.DataFrame:
        """The shown account's contacts (rows of ``World.contacts``)."""
        return self._contacts_by_acc.get(int(self.account_id), self.world.contacts.iloc[:0])

    def _met_weeks(self) -> dict[int, int]:
        """Contact id → week met, for the shown account's contacts met now (a coach who left is not)."""
        return self.sim.coverage.met_weeks(self.contacts["contact_id"].tolist())

    def _ever_met(self) -> set[int]:
        """The shown account's contacts met at some time: what they told the seller stays known."""
        ids = set(self.contacts["contact_id"].tolist())
        return {cid for _week, cid in self.sim.coverage.log if cid in ids}

    def _coach_left_week(self) -> int | None:
        """The last week a met coach of the shown account left (a market event), None if never."""
        coaches = set(self._coach_ids())
        weeks = [week for week, cid in self.sim.coverage.left if cid in coaches]
        return max(weeks) if weeks else None

    def _coach_ids(self) -> list[int]:
        c = self.contacts
        return c["contact_id"][c["coach"].to_numpy(dtype=bool)].tolist()

    def _coach_met(self, met: dict) -> bool:
        return any(c in met for c in self._coach_ids())

    def _known(self, met: dict) -> tuple[set, set, bool]:
        """(contact ids whose role is known, ids whose brain type is known, coach known)."""
        ids = set(self.contacts["contact_id"].tolist())
        if self._reveal:
            return ids, ids, True
        ever = self._ever_met()  # a coach who left has told the seller who is who all the same
        coach_met = any(c in ever for c in self._coach_ids())
        # a try that found nobody tells the seller there is no coach: every node shows "no coach"
        no_coach = not bool(self.contacts["coach"].any()) and self._tried_coach_week() is not None
        return (ids if coach_met else ever), ever, coach_met or no_coach

    @property
    def people(self) -> pd.DataFrame:
        """What the map shows of each contact of the account: contact_id, name, level, function,
        role, brain_type, coach, met, met_week — ``None`` where the seller does not know yet
        (see the module's notes on hidden information)."""
        c = self.contacts
        met = self._met_weeks()
        roles_known, brains_known, coach_known = self._known(met)
        ids = c["contact_id"].tolist()
        coach = c["coach"].to_numpy(dtype=bool)
        return pd.DataFrame({
            "contact_id": ids,
            "name": c[f"name_{self.lang}"].astype(str).tolist(),
            "level": c["level"].astype(str).tolist(),
            "function": c["function"].astype(str).tolist(),
            # dtype=object: pandas ≥ 3 would turn None into NaN in a str column
            "role": pd.Series([r if i in roles_known else None for i, r in zip(ids, c["buying_role"].astype(str))],
                              dtype=object),
            "brain_type": pd.Series([b if i in brains_known else None
                                     for i, b in zip(ids, c["brain_type"].astype(str))], dtype=object),
            "coach": pd.Series([bool(x) if coach_known else None for x in coach], dtype=object),
            "met": [i in met for i in ids],
            "met_week": pd.array([met.get(i) for i in ids], dtype="Int64"),
        })

    # --- the guided path ----------------------------------------------------------------
    def _tried_coach_week(self) -> int | None:
        """The first week a find_coach action was played on a deal of this account (None if never)."""
        pos = self._account_pos(self.account_id)
        for week, acts in enumerate(self.sim.actions_taken, start=1):
            for deal_id, key in acts.items():
                if key == "find_coach" and self._deal_acc[self._deal_index.get_loc(deal_id)] == pos:
                    return week
        return None

    def _styled_moves(self) -> list[Move]:
        """Present-value moves with a style played (weeks done) on deals of this account."""
        pos = self._account_pos(self.account_id)
        return [m for m in self.board.moves if m.style is not None and m.week <= self.sim.week
                and self._deal_acc[self._deal_index.get_loc(m.deal_id)] == pos]

    def _collective_need(self, met: dict) -> tuple[bool, int, int]:
        """(the 三重一大 rule applies to an open deal here, decision-level contacts needed, met)."""
        params = self.sim.people
        acc = self._accounts.iloc[self._account_pos(self.account_id)]
        big = any(self._amount[self._deal_index.get_loc(d)] > params.collective_amount for d in self.open_deals())
        applies = str(acc["ownership"]) == "state_owned" and big
        c = self.contacts
        decision = c["contact_id"][c["level"].astype(str).to_numpy() == "decision"].tolist()
        return applies, int(params.collective_min_decision), sum(1 for x in decision if x in met)

    def _done(self, met: dict) -> dict[int, bool]:
        c = self.contacts
        roles = c["buying_role"].astype(str).to_numpy()
        ids = c["contact_id"].to_numpy()
        has_coach = bool(c["coach"].any())
        step1 = self._coach_met(met) or (not has_coach and self._tried_coach_week() is not None)
        dm_met = any(i in met for i in ids[roles == "decision_maker"])
        gk = ids[np.isin(roles, GATEKEEPERS)]
        step2 = dm_met and (len(gk) == 0 or any(i in met for i in gk))
        applies, need, n_met = self._collective_need(met)
        step3 = bool(self._styled_moves()) and (not applies or n_met >= need)
        return {1: step1, 2: step2, 3: step3, 4: False}

    @property
    def steps(self) -> list[GuidedStep]:
        """The four steps of the guided path with their state (see the module's notes)."""
        done = self._done(self._met_weeks())
        current = next((k for k in (1, 2, 3) if not done[k]), 4)
        return [GuidedStep(k, STEP_KEYS[k], done[k], k == current) for k in (1, 2, 3, 4)]

    @property
    def step(self) -> int:
        """The current step of the guided path: the first not done (1 find a coach, 2 gather
        information, 3 analyse the organisation), else 4 (judge the opportunity)."""
        return next(s.number for s in self.steps if s.current)

    # --- the trainee's verbs ----------------------------------------------------------------
    def select_account(self, account_id: Any) -> None:
        """Show an account (it must have an open deal in the funnel); the deal list shows its open deals.

        Raises:
            ValueError: an unknown account, or one without an open deal now.
        """
        account_id = plain_value(account_id)
        pos = self._account_pos(account_id)
        deals = self.open_deals(account_id)
        if not deals:
            raise _MapError("err_no_open", account=account_id, week=self.sim.week)
        self.account_id = plain_value(self._acc_index[pos])
        if self.deal_id not in deals:  # a deal where the current step's first action fits, else the biggest
            fits = [self.deal_for(a) for a in STEP_ACTIONS.get(self.step, ())[:1]]
            self.deal_id = fits[0] if fits and fits[0] is not None else deals[0]
        self._note = None
        self.refresh()

    def select_deal(self, deal_id: Any) -> None:
        """Choose the account's deal the path's actions work on (an open deal in the funnel).

        Raises:
            ValueError: an unknown deal, one of another account, closed, not created yet or below the threshold.
        """
        self.deal_id = self._check_deal(deal_id)
        self._note = None
        self.refresh()

    def _target_deal(self, deal_id: Any) -> Any:
        """``deal_id``, else the chosen deal, checked (ValueError when there is none)."""
        target = self.deal_id if deal_id is None else deal_id
        if target is None:
            raise _MapError("err_no_deal")
        return self._check_deal(target)

    def _check_deal(self, deal_id: Any) -> Any:
        deal_id = plain_value(deal_id)
        try:
            p = self._deal_index.get_loc(deal_id)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            p = -1
        if not isinstance(p, (int, np.integer)) or p < 0:
            raise _MapError("err_deal", deal=deal_id)
        acc = self._acc_index[self._deal_acc[p]] if self._deal_acc[p] >= 0 else None
        if acc != self.account_id:
            raise _MapError("err_other_account", deal=deal_id, other=plain_value(acc), account=self.account_id)
        if self._created[p] > self.sim.week:
            raise _MapError("err_deal_later", deal=deal_id, week=int(self._created[p]))
        k = int(self.sim.stage_codes()[p])
        if k >= len(self.funnel):
            raise _MapError("err_deal_closed", deal=deal_id, stage=self.funnel.all_keys[k])
        if self._amount[p] < self.board.threshold:
            raise _MapError("err_deal_below", deal=deal_id)
        return plain_value(self._deal_ids[p])

    def act(self, action: str, style: str | None = None, audience: Any = None, deal_id: Any = None) -> Move:
        """Play an action on the chosen deal (or ``deal_id`` of this account) as a DealBoard move.

        Args:
            action: an action key (``find_coach``, ``meet_technical_gatekeeper``, ``arrange_demo``, …).
            style: whole-brain style ``"A"`` … ``"D"`` of a present-value action.
            audience: the contact presented to (default: the account's decision maker).

        Returns:
            The board's :class:`~simfunnel.widgets.deal_board.Move` (its reply is the customer's answer).

        Raises:
            ValueError: no open deal chosen, a deal of another account, an audience without a style or not
                of this account, and everything :meth:`DealBoard.act` refuses (an action that does not fit
                the stage, a second action on the deal this week, a style on an action that does not
                present value, …).
        """
        deal = self._target_deal(deal_id)
        audience = self._check_audience(audience, style)
        value = None if style is None else (style if audience is None else (style, audience))
        if deal_id is not None:
            self.deal_id = deal
        return self.board.act(deal, action, style=value)  # the board tells the map to redraw

    def _check_audience(self, audience: Any, style: str | None) -> Any:
        """The audience (a contact id of the account, or None); ValueError otherwise or without a style."""
        if audience is None:
            return None
        audience = plain_value(audience)
        if style is None:
            raise _MapError("err_audience_style")
        if audience not in set(self.contacts["contact_id"].tolist()):
            raise _MapError("err_audience", contact=audience, account=self.account_id)
        return audience

    def find_coach(self, deal_id: Any = None) -> Move:
        """Step 1: ``find_coach`` on the chosen deal (fits at the customer-analysis and build-trust stages)."""
        return self.act("find_coach", deal_id=deal_id)

    def meet(self, role: str, deal_id: Any = None) -> Move:
        """Step 2: meet the account's ``"decision_maker"``, ``"technical_gatekeeper"`` or
        ``"financial_gatekeeper"`` (``"coach"`` = :meth:`find_coach`)."""
        if role == "coach":
            return self.find_coach(deal_id)
        if role not in MEET_ROLES:
            raise _MapError("err_role", role=role, roles=", ".join(("coach",) + MEET_ROLES))
        return self.act(f"meet_{role}", deal_id=deal_id)

    def present_value(self, style: str | None, action: str | None = None, audience: Any = None,
                      deal_id: Any = None) -> Move:
        """Step 3: a present-value action in a whole-brain style (to the decision maker, or ``audience``).

        ``action`` defaults to the first present-value action that fits the deal's stage
        (``arrange_demo``, ``propose_trial``, ``reference_visit``).
        """
        if style is None:
            raise _MapError("err_choose_style")
        deal = self._target_deal(deal_id)
        self._check_audience(audience, style)
        fitting = [a for a in self._fitting(deal) if a in STEP_ACTIONS[3]]
        if action is None:
            if not fitting:
                raise _MapError("err_no_pv", deal=deal, stage=self._stage_key(deal),
                                stages=", ".join(self._stages_of(STEP_ACTIONS[3][0])))
            action = fitting[0]
        elif action not in STEP_ACTIONS[3]:
            raise _MapError("err_pv_action", action=action, actions=", ".join(STEP_ACTIONS[3]))
        return self.act(action, style=style, audience=audience, deal_id=deal)

    def classify(self, answer: str, deal_id: Any = None) -> bool:
        """Classify the customer's reply to a move on this account (the board's quiz: :meth:`DealBoard.classify`)."""
        if deal_id is None:
            waiting = [m for m in self._account_moves() if not m.revealed]
            deal_id = waiting[-1].deal_id if waiting else None
        return self.board.classify(answer, deal_id)

    def next_week(self) -> pd.DataFrame:
        """Play the week (every planned move, the board's too): :meth:`DealBoard.next_week`."""
        return self.board.next_week()

    def chart_png(self) -> bytes:
        """The org chart as PNG bytes (what the map shows)."""
        self._render_chart()
        return bytes(self._chart.value)

    @property
    def figure(self):
        """The org chart's matplotlib Figure."""
        self._render_chart()
        return self.figures["org"]

    # --- helpers --------------------------------------------------------------------------
    def _stage_key(self, deal_id: Any) -> str:
        return self.funnel.all_keys[int(self.sim.stage_codes()[self._deal_index.get_loc(deal_id)])]

    def _fitting(self, deal_id: Any) -> list[str]:
        return [a.key for a in self.board.fitting_actions(self._stage_key(deal_id))]

    def _stages_of(self, action: str) -> list[str]:
        """The open stages where an action fits (their keys)."""
        return [s.key for s in self.funnel.stages if action in [a.key for a in self.board.fitting_actions(s.key)]]

    def _account_moves(self) -> list[Move]:
        pos = self._account_pos(self.account_id)
        return [m for m in self.board.pending if self._deal_acc[self._deal_index.get_loc(m.deal_id)] == pos]

    def _name(self, contact_id: int) -> str:
        c = self.contacts
        return str(c[f"name_{self.lang}"][c["contact_id"] == contact_id].iloc[0])

    def _role_label(self, role: str) -> str:
        names = {k: (zh, en) for k, zh, en, *_ in BUYING_ROLES}
        from simfunnel.plots import role_icon

        label = i18n.text(names[role], self.lang)
        return f"{role_icon(role, self.lang)} · {label}" if self.lang == "en" else f"{role_icon(role, 'zh')}·{label}"

    def _action_label(self, key: str) -> str:
        return ALL_ACTIONS_BY_KEY[key].label(self.lang)

    def _join(self, items: list[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(items)

    # --- UI ------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        L = w.Layout
        self._title = w.HTML()
        self._account_dd = w.Dropdown(layout=L(width="420px"), style={"description_width": "initial"})
        self._deal_dd = w.Dropdown(layout=L(width="420px"), style={"description_width": "initial"})
        self._account_dd.observe(self._on_account, names="value")
        self._deal_dd.observe(self._on_deal, names="value")
        self._btn_next = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_next.on_click(lambda _b: self._ui(self.next_week))
        self._message = w.HTML()
        pickers = w.HBox([self._account_dd, self._deal_dd, self._btn_next],
                         layout=L(flex_flow="row wrap", align_items="center"))
        self._facts = w.HTML()
        self.figures["org"] = new_figure(8.2, 5.3)
        self._ax = self.figures["org"].add_axes((0, 0, 1, 1))
        self._chart = w.Image(format="png", layout=L(max_width="100%", height="auto"))
        self._path_title = w.HTML()
        self._step_html: dict[int, w.HTML] = {k: w.HTML() for k in (1, 2, 3, 4)}
        self._buttons: dict[str, w.Button] = {}
        for k in (1, 2):
            for key in STEP_ACTIONS[k]:
                b = w.Button(layout=L(width="auto"))
                b.on_click(lambda _b, key=key: self._ui(lambda: self.act(key)))
                self._buttons[key] = b
        self._audience_dd = w.Dropdown(layout=L(width="300px"), style={"description_width": "initial"})
        self._style_dd = w.Dropdown(layout=L(width="330px"), style={"description_width": "initial"})
        self._pv_dd = w.Dropdown(layout=L(width="260px"), style={"description_width": "initial"})
        self._audience_dd.observe(lambda _c: self._quiet or self._render_path(), names="value")
        self._btn_present = w.Button(button_style="primary", layout=L(width="auto"))
        self._btn_present.on_click(lambda _b: self._ui(self._ui_present))
        rows = {
            1: [w.HBox([self._buttons["find_coach"]])],
            2: [w.HBox([self._buttons[k] for k in STEP_ACTIONS[2]], layout=L(flex_flow="row wrap"))],
            3: [w.HBox([self._audience_dd, self._style_dd], layout=L(flex_flow="row wrap")),
                w.HBox([self._pv_dd, self._btn_present], layout=L(flex_flow="row wrap", align_items="center"))],
            4: [],
        }
        self._step_box = {k: w.VBox([self._step_html[k], *rows[k]]) for k in (1, 2, 3, 4)}
        for box in self._step_box.values():
            box.add_class("sf-step")
        self._moves_html = w.HTML()
        self._quiz_buttons = {o: w.Button(layout=L(width="auto")) for o in OUTCOMES}
        for o, b in self._quiz_buttons.items():
            b.on_click(lambda _b, o=o: self._ui(lambda: self.classify(o)))
        self._quiz_row = w.HBox(list(self._quiz_buttons.values()), layout=L(flex_flow="row wrap"))
        path = w.VBox([self._path_title, *self._step_box.values(), self._moves_html, self._quiz_row],
                      layout=L(flex="1 1 420px", min_width="360px", margin="0 0 0 8px"))
        self.root = w.VBox([self._title, pickers, self._message, self._facts,
                            w.HBox([w.VBox([self._chart], layout=L(flex="0 1 auto")), path],
                                   layout=L(flex_flow="row wrap", align_items="flex-start"))])
        self.root.add_class("sf-map")

    def _on_board(self, _board: DealBoard) -> None:
        if self.account_id is not None:
            self.refresh()

    def _on_account(self, change: dict) -> None:
        if self._quiet or change["new"] is None or change["new"] == self.account_id:
            return
        self._ui(lambda: self.select_account(change["new"]))

    def _on_deal(self, change: dict) -> None:
        if self._quiet or change["new"] is None or change["new"] == self.deal_id:
            return
        self._ui(lambda: self.select_deal(change["new"]))

    def _ui_present(self) -> None:
        if self._pv_dd.value is None:
            raise _MapError("err_no_pv", deal=self.deal_id, stage=self._stage_key(self.deal_id),
                            stages=", ".join(self._stages_of(STEP_ACTIONS[3][0])))
        self.present_value(self._style_dd.value or None, action=self._pv_dd.value,
                           audience=self._audience_dd.value or None)

    def _ui(self, call) -> None:
        """Run a control's action; a refused one shows its reason in the map's language, not a traceback."""
        try:
            call()
        except (_MapError, BoardError) as err:
            self._note = (err.key, dict(err.fields), isinstance(err, BoardError))
        else:
            self._note = None
        self._render_message()

    def _render_message(self) -> None:
        if self._note is None:
            self._message.value = ""
            return
        key, fields, from_board = self._note
        table = DealBoard.TEXT if from_board else self.TEXT
        if self.lang == "zh":
            text = table[key][0].format(**fields)
        else:
            text = str(BoardError(key, **fields) if from_board else _MapError(key, **fields))
        self._message.value = f'<span class="sf-warn">{html.escape(text)}</span>'

    # --- rendering ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every text and the chart in the map's language (after the simulation moved, too)."""
        if not hasattr(self, "_chart") or self.account_id is None:
            return
        if self.deal_id is not None:
            try:
                self._check_deal(self.deal_id)
            except _MapError:  # the deal closed (or an undo went back before it): the account's next one
                self.deal_id = None
        if self.deal_id is None:
            deals = self.open_deals()
            self.deal_id = deals[0] if deals else None
        self._title.value = (CSS + MAP_CSS + f"<h3 style='margin:4px 0'>{html.escape(self.t('title'))}</h3>"
                             f"<div style='max-width:900px'>{html.escape(self.t('intro'))}</div>")
        self._btn_next.description = self.t("next_week")
        self._btn_next.tooltip = self.t("next_tip")
        self._btn_next.disabled = self.sim.week >= self.world.weeks
        self._render_pickers()
        self._render_facts()
        self._render_chart()
        self._render_path()
        self._render_moves()
        self._render_message()

    def _render_pickers(self) -> None:
        mask = self._open_mask() & (self._deal_acc >= 0)
        n_acc = len(self._acc_index)
        counts = np.bincount(self._deal_acc[mask], minlength=n_acc)
        amount = np.bincount(self._deal_acc[mask], weights=self._amount[mask], minlength=n_acc)
        cur = self._account_pos(self.account_id)
        shown = np.flatnonzero(counts > 0)
        if cur not in set(shown.tolist()):
            shown = np.r_[shown, cur]
        shown = shown[np.lexsort((shown, -amount[shown]))]
        names = self._accounts[f"name_{self.lang}"].astype(str).to_numpy()
        seg_col = self._accounts["segment"].astype(str).to_numpy() if "segment" in self._accounts else None
        seg_names = {k: (zh, en) for k, zh, en in DEFAULT_SEGMENTS}
        options = []
        for p in shown:  # the accounts with open deals: a few hundred at most in a workshop
            seg = i18n.text(seg_names[seg_col[p]], self.lang) if seg_col is not None and seg_col[p] in seg_names \
                else "—"
            n = int(counts[p])
            key = "account_option_none" if n == 0 else ("account_option_one" if n == 1 else "account_option")
            options.append((self.t(key, name=names[p], segment=seg, n=n), plain_value(self._acc_index[p])))
        deals = self.open_deals()
        stage = self.sim.stage_codes()
        entered = self.sim.entered_weeks()
        deal_options = []
        for d in deals:
            p = self._deal_index.get_loc(d)
            deal_options.append((self.t("deal_option", deal=d, stage=self.funnel.all_stages[int(stage[p])].label(self.lang),
                                        amount=self.money(self._amount[p], compact=True),
                                        weeks=int(self.sim.week - entered[p])), d))
        self._quiet = True
        try:
            self._account_dd.description = self.t("account")
            if tuple(tuple(o) for o in self._account_dd.options) != tuple(options):
                self._account_dd.options = options
            self._account_dd.value = self.account_id
            self._deal_dd.description = self.t("deal")
            if tuple(tuple(o) for o in self._deal_dd.options) != tuple(deal_options):
                self._deal_dd.options = deal_options
            self._deal_dd.value = self.deal_id if deal_options else None
            self._deal_dd.disabled = not deal_options
        finally:
            self._quiet = False

    def _facts_text(self) -> tuple[str, str]:
        acc = self._accounts.iloc[self._account_pos(self.account_id)]
        lang = self.lang
        industry = {k: (zh, en) for k, zh, en, *_ in INDUSTRIES}.get(str(acc.get("industry")))
        ownership = {k: (zh, en) for k, zh, en, *_ in OWNERSHIP}.get(str(acc.get("ownership")))
        segment = {k: (zh, en) for k, zh, en in DEFAULT_SEGMENTS}.get(str(acc.get("segment")))
        parts = [i18n.text(x, lang) for x in (industry, ownership) if x]
        if bool(acc.get("existing_customer", False)):
            parts.append(self.t("customer_existing", share=f"{float(acc['share_of_wallet']):.0%}"))
        else:
            parts.append(self.t("customer_new"))
        if segment:
            parts.append(i18n.text(segment, lang))
        if "potential" in acc:
            parts.append(self.t("potential", amount=self.money(float(acc["potential"]), compact=True)))
        met = self._met_weeks()
        parts.append(self.t("facts_met", met=len(met), n=len(self.contacts)))
        return str(acc[f"name_{lang}"]), " · ".join(parts)

    def _render_facts(self) -> None:
        deals = self.open_deals()
        amount = float(sum(self._amount[self._deal_index.get_loc(d)] for d in deals))
        if deals:
            key = "open_deal" if len(deals) == 1 else "open_deals"
            line = self.t(key, n=len(deals), amount=self.money(amount, compact=True))
        else:
            line = self.t("no_open_deals")
        reveal = f"<br><span class='sf-warn'>{html.escape(self.t('reveal_note'))}</span>" if self._reveal else ""
        self._facts.value = (f"<span class='sf-muted'>{html.escape(self.t('week', week=self.sim.week))} · "
                             f"{html.escape(line)}</span>{reveal}")

    def _render_chart(self) -> None:
        met = self._met_weeks()
        # what the chart shows: the account, who is met when, what is known; a week without meetings here keeps it
        key = (self.account_id, self.lang, self._reveal, tuple(sorted(met.items())), tuple(sorted(self._ever_met())),
               self._tried_coach_week())
        if key == self._chart_key:
            return
        from simfunnel import plots

        roles_known, brains_known, coach_known = self._known(met)
        fig = self.figures["org"]
        fig.set_size_inches(*plots.org_chart_size(self.contacts))
        ax = self._ax
        ax.clear()
        title, subtitle = self._facts_text()
        plots.org_chart(self.contacts, met=met, ax=ax, lang=self.lang, roles_known=roles_known,
                        brains_known=brains_known, coach_known=coach_known, title=title, subtitle=subtitle)
        self._chart.value = figure_png(fig, dpi=DPI)
        self._chart_key = key

    def _render_path(self) -> None:
        met = self._met_weeks()
        steps = self.steps
        title = f"<b>{html.escape(self.t('path_title'))}</b>"
        if self.deal_id is not None and self.deal_id in {m.deal_id for m in self.board.pending}:
            title += f"<br><span class='sf-muted'>{html.escape(self.t('deal_busy', deal=self.deal_id))}</span>"
        self._path_title.value = title
        fitting = self._fitting(self.deal_id) if self.deal_id is not None else []
        pending = {m.deal_id: m for m in self.board.pending}
        can_act = (self.deal_id is not None and self.deal_id not in pending
                   and self.sim.week < self.world.weeks)
        self._render_present(fitting, can_act)
        for s in steps:
            box = self._step_box[s.number]
            for cls, on in (("sf-step-current", s.current), ("sf-step-done", s.done)):
                if on:
                    box.add_class(cls)
                else:
                    box.remove_class(cls)
            mark = (f" <span class='sf-tick'>{html.escape(self.t('done_mark'))}</span>" if s.done else
                    f" <span class='sf-now'>{html.escape(self.t('now_mark'))}</span>" if s.current else "")
            body = [html.escape(self.t(f"do_{s.number}"))]
            body += getattr(self, f"_findings_{s.number}")(met)
            self._step_html[s.number].value = (
                f"<div class='sf-step-title'>{s.number}. {html.escape(self.t(f'step_{s.number}'))}{mark}</div>"
                f"<div class='sf-step-body'>{'<br>'.join(body)}</div>")
        notes = []
        for key, b in self._buttons.items():
            b.description = self._action_label(key)
            fits = key in fitting
            b.disabled = not (can_act and fits)
            act = ALL_ACTIONS_BY_KEY[key]
            b.tooltip = act.why_zh if self.lang == "zh" else act.why_en
            if can_act and not fits and self.deal_id is not None:
                notes.append(key)
        for key in notes:  # why a button is off: where the action fits, and the account's deals there
            b = self._buttons[key]
            b.tooltip = self._fits_note(key)

    def _fits_note(self, action: str) -> str:
        stages = self._stages_of(action)
        labels = self._join([self.funnel.label(s, self.lang) for s in stages])
        note = self.t("fits_at", action=self._action_label(action), stages=labels,
                      stage=self.funnel.label(self._stage_key(self.deal_id), self.lang))
        others = [d for d in self.open_deals() if self._stage_key(d) in stages]
        if others:
            note += " " + self.t("fits_other", deals=self._join([f"#{d}" for d in others[:6]]))
        return note

    def _planned_line(self, keys: tuple[str, ...]) -> list[str]:
        out = []
        for m in self._account_moves():
            if m.action in keys:
                what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action))
                out.append(f"<span class='sf-plan'>{html.escape(self.t('planned', what=what))}</span>")
        return out

    def _findings_1(self, met: dict) -> list[str]:
        coach = [c for c in self._coach_ids() if c in met]
        if coach:
            role = str(self.contacts["buying_role"][self.contacts["contact_id"] == coach[0]].iloc[0])
            lines = [html.escape(self.t("coach_met", name=self._name(coach[0]), role=self._role_label(role),
                                        week=met[coach[0]]))]
        else:
            tried = self._tried_coach_week()
            has_coach = bool(self.contacts["coach"].any())
            left = self._coach_left_week()
            if tried is not None and not has_coach:
                lines = [html.escape(self.t("coach_none", week=tried))]
            elif left is not None:
                lines = [f"<span class='sf-warn'>{html.escape(self.t('coach_left', week=left))}</span>"]
            else:
                lines = [f"<span class='sf-muted'>{html.escape(self.t('coach_not_yet'))}</span>"]
        return lines + self._planned_line(STEP_ACTIONS[1])

    def _findings_2(self, met: dict) -> list[str]:
        c = self.contacts
        ids = c["contact_id"].to_numpy()
        roles = c["buying_role"].astype(str).to_numpy()
        names = [self._name(i) for i in ids if i in met]
        lines = [html.escape(self.t("met_summary", met=len(names), n=len(ids), names=self._join(names)))
                 if names else f"<span class='sf-muted'>{html.escape(self.t('met_nobody'))}</span>"]
        dm = [self._name(i) for i in ids[roles == "decision_maker"] if i in met]
        lines.append(html.escape(self.t("dm_met", names=self._join(dm))) if dm else
                     f"<span class='sf-warn'>{html.escape(self.t('dm_not_met'))}</span>")
        gk_ids = ids[np.isin(roles, GATEKEEPERS)]
        gk = [self._name(i) for i in gk_ids if i in met]
        if not len(gk_ids):
            lines.append(f"<span class='sf-muted'>{html.escape(self.t('gk_none'))}</span>")
        else:
            lines.append(html.escape(self.t("gk_met", names=self._join(gk))) if gk else
                         f"<span class='sf-muted'>{html.escape(self.t('gk_not_met'))}</span>")
        need = self._deal_factors()
        if need is not None:
            key = "need_explicit" if bool(need["need_explicit"]) else "need_implicit"
            lines.append(html.escape(self.t(key)))
        return lines + self._planned_line(STEP_ACTIONS[2])

    def _findings_3(self, met: dict) -> list[str]:
        c = self.contacts
        people = self.people
        decision = people[people["level"] == "decision"]
        from simfunnel.plots import brain_label

        def who(row) -> str:
            bits = [self._role_label(row["role"]) if row["role"] is not None else "?",
                    row["brain_type"] if row["brain_type"] is not None else "?"]
            return f"{row['name']}（{'，'.join(bits)}）" if self.lang == "zh" else f"{row['name']} ({', '.join(bits)})"

        lines = [html.escape(self.t("deciders", names=self._join([who(r) for _, r in decision.iterrows()])))]
        applies, need, n_met = self._collective_need(met)
        if applies:
            cls = "sf-good" if n_met >= need else "sf-warn"
            text = self.t("collective", amount=self.money(self.sim.people.collective_amount, compact=True), k=need,
                          met=n_met)
            lines.append(f"<span class='{cls}'>{html.escape(text)}</span>")
        audience = self._audience_dd.value or None
        if audience is None:
            dms = c["contact_id"][c["buying_role"].astype(str).to_numpy() == "decision_maker"].tolist()
            audience = dms[0] if dms else None
        if audience is None:
            lines.append(f"<span class='sf-warn'>{html.escape(self.t('no_dm'))}</span>")
        else:
            row = people[people["contact_id"] == audience].iloc[0]
            if row["brain_type"] is not None:
                lines.append(html.escape(self.t("audience_brain", name=row["name"],
                                                brain=brain_label(row["brain_type"], self.lang))))
            else:
                lines.append(f"<span class='sf-muted'>{html.escape(self.t('audience_unknown', name=row['name']))}</span>")
        for m in self._styled_moves():
            what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action)) + " · " + \
                self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            lines.append(f"<span class='sf-good'>{html.escape(self.t('styled_done', what=what))}</span>")
        return lines + self._planned_line(STEP_ACTIONS[3])

    def _findings_4(self, met: dict) -> list[str]:
        lines = []
        has_coach = bool(self.contacts["coach"].any())
        report = None
        if self._coach_met(met) and hasattr(self.sim, "coach_report"):
            report = self.sim.coach_report(self.account_id)
        if report is not None:
            lines.append(f"<b>{html.escape(self.t('report_title', week=self.sim.week))}</b>")
            lines.append(self._report_html(report))
        elif has_coach or self._tried_coach_week() is None:
            lines.append(f"<span class='sf-warn'>{html.escape(self.t('report_find_coach'))}</span>")
        else:
            lines.append(f"<span class='sf-muted'>{html.escape(self.t('report_no_coach'))}</span>")
        factors = self._deal_factors()
        if factors is not None:
            lines.append(self._factors_html(factors))
        return lines

    def _report_html(self, report: pd.DataFrame) -> str:
        from simfunnel.model import people as P

        keep = report[report["amount"].to_numpy(dtype=float) >= self.board.threshold]
        if keep.empty:
            return f"<span class='sf-muted'>{html.escape(self.t('report_none'))}</span>"
        factor_labels = getattr(P, "PURCHASE_FACTOR_LABELS", {})
        risk_labels = getattr(P, "RISK_CODES", {})
        heads = ["report_deal", "report_stage", "report_amount", "report_advance", "report_loss"]
        if "weakest_factor" in keep:
            heads.append("report_weakest")
        if "need_explicit" in keep:
            heads.append("report_need")
        if "risk" in keep:
            heads.append("report_risk")
        rows = []
        for _, r in keep.sort_values("amount", ascending=False).iterrows():
            cells = [f"#{r['deal_id']}", self.funnel.label(str(r["stage"]), self.lang),
                     self.money(float(r["amount"]), compact=True), f"{float(r['advance_chance']):.0%}",
                     f"{float(r['loss_chance']):.0%}"]
            if "weakest_factor" in keep:
                label = factor_labels.get(str(r["weakest_factor"]))
                cells.append(f"{i18n.text(label, self.lang) if label else r['weakest_factor']} {int(r['weakest_level'])}")
            if "need_explicit" in keep:
                cells.append(self.t("report_need_yes" if bool(r["need_explicit"]) else "report_need_no"))
            html_cells = "".join(f"<td>{html.escape(x)}</td>" for x in cells)
            if "risk" in keep:
                label = risk_labels.get(str(r["risk"]))
                text = i18n.text(label, self.lang) if label else str(r["risk"])
                html_cells += f"<td class='sf-risk-{html.escape(str(r['risk']))}'>{html.escape(text)}</td>"
            rows.append(f"<tr>{html_cells}</tr>")
        head = "".join(f"<th>{html.escape(self.t(h))}</th>" for h in heads)
        return f"<table class='sf-report'><tr>{head}</tr>{''.join(rows)}</table>"

    def _deal_factors(self) -> pd.Series | None:
        """The chosen deal's purchase factors (None without the people layer's purchase factors)."""
        if self.deal_id is None or not hasattr(type(self.sim), "purchase_factors"):
            return None
        table = self.sim.purchase_factors
        hit = table[table["deal_id"] == self.deal_id]
        return None if hit.empty else hit.iloc[0]

    def _factors_html(self, row: pd.Series) -> str:
        from simfunnel.model import people as P

        names = getattr(P, "PURCHASE_FACTORS", ())
        labels = getattr(P, "PURCHASE_FACTOR_LABELS", {})
        cells = []
        for name in names:
            level = int(row[name])
            dots = "●" * level + "○" * (5 - level)
            cells.append(f"<td>{html.escape(i18n.text(labels[name], self.lang))}</td>"
                         f"<td><span class='sf-dots'>{dots}</span> {level}</td>")
        body = "".join(f"<tr>{c}</tr>" for c in cells)
        return (f"<b>{html.escape(self.t('factors_title', deal=self.deal_id))}</b>"
                f"<table class='sf-report'>{body}</table>")

    def _render_present(self, fitting: list[str], can_act: bool) -> None:
        from simfunnel.plots import brain_label

        people = self.people
        # "" = the default audience / no style chosen (a value of None shows an empty list in the browser)
        audience_opts = [(self.t("audience_default"), "")]
        for _, r in people.iterrows():
            bits = [r["name"]]
            if r["role"] is not None:
                bits.append(self._role_label(r["role"]))
            bits.append(r["brain_type"] if r["brain_type"] is not None else "?")
            audience_opts.append((" · ".join(bits), int(r["contact_id"])))
        style_opts = [(self.t("style_choose"), "")] + [(brain_label(b, self.lang), b) for b in "ABCD"]
        pv = [k for k in STEP_ACTIONS[3] if k in fitting]
        pv_opts = [(self._action_label(k), k) for k in pv]
        self._quiet = True
        try:
            for dd, options, label in ((self._audience_dd, audience_opts, "audience"),
                                       (self._style_dd, style_opts, "style"), (self._pv_dd, pv_opts, "pv_action")):
                dd.description = self.t(label)
                if tuple(tuple(o) for o in dd.options) != tuple(options):
                    current = dd.value
                    dd.options = options
                    values = [v for _, v in options]
                    dd.value = current if current in values else (values[0] if values else None)
        finally:
            self._quiet = False
        self._btn_present.description = self.t("present")
        self._btn_present.tooltip = self.t("present_tip") if pv or not can_act else self._fits_note(STEP_ACTIONS[3][0])
        self._btn_present.disabled = not (can_act and pv)
        self._pv_dd.disabled = not pv

    def _render_moves(self) -> None:
        moves = self._account_moves()
        for o, b in self._quiz_buttons.items():
            b.description = OUTCOME_LABELS[o][0 if self.lang == "zh" else 1]
        if not moves:
            self._moves_html.value = f"<span class='sf-muted'>{html.escape(self.t('no_moves'))}</span>"
            self._quiz_row.layout.display = "none"
            return
        items = []
        for m in moves:
            what = self.t("move_line", deal=m.deal_id, action=self._action_label(m.action))
            if m.style is not None:
                what += " · " + self.t("style_mark", style=m.style if isinstance(m.style, str) else m.style[0])
            if m.revealed:
                label = OUTCOME_LABELS[m.outcome][0 if self.lang == "zh" else 1]
                mark = f'<span class="sf-badge sf-{m.outcome}">{html.escape(label)}</span>'
            else:
                mark = f"<span class='sf-muted'>{html.escape(self.t('to_classify'))}</span>"
            quote = ("「{}」" if self.lang == "zh" else "“{}”").format(m.reply.text(self.lang))
            items.append(f"<li>{html.escape(what)} {mark}<div class='sf-reply'>{html.escape(quote)}</div></li>")
        waiting = any(not m.revealed for m in moves)
        ask = f"<span class='sf-muted'>{html.escape(self.t('classify_here'))}</span>" if waiting else ""
        self._moves_html.value = (f"<b>{html.escape(self.t('moves_title'))}</b>"
                                  f"<ul style='margin:2px 0; padding-left:18px'>{''.join(items)}</ul>{ask}")
        self._quiz_row.layout.display = None if waiting else "none"
