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

This module holds the map's state and verbs; the guided path's rules and findings are
:class:`~simfunnel.widgets.guided_path.GuidedPath`, its drawing
:class:`~simfunnel.widgets.account_map_view.AccountMapView`, its texts and errors
:mod:`simfunnel.widgets.account_map_texts`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simfunnel import i18n, plots
from simfunnel.model.actions import ALL_ACTIONS_BY_KEY
from simfunnel.model.generate import BUYING_ROLES
from simfunnel.model.simulate import Simulation
from simfunnel.widgets.account_map_texts import MAP_TEXT, MapError
from simfunnel.widgets.account_map_view import AccountMapView
from simfunnel.widgets.base import Pair
from simfunnel.widgets.deal_board import DealBoard
from simfunnel.widgets.guided_path import MEET_ROLES, STEP_ACTIONS, GuidedPath, GuidedStep
from simfunnel.widgets.moves import Move, plain_value

__all__ = ["AccountMap", "GuidedStep"]


class AccountMap(GuidedPath, AccountMapView):
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

    TEXT: dict[str, Pair] = MAP_TEXT  # the texts are in simfunnel.widgets.account_map_texts

    def __init__(self, board_or_sim: DealBoard | Simulation, account_id: Any = None, *, lang: str | None = None,
                 reveal: bool = False) -> None:
        if isinstance(board_or_sim, DealBoard):
            board = board_or_sim
        elif isinstance(board_or_sim, Simulation):
            if board_or_sim.people is None:
                raise MapError("err_people")
            board = DealBoard(board_or_sim, lang=lang)
        else:
            raise MapError("err_source", got=type(board_or_sim).__name__)
        if board.sim.people is None:
            raise MapError("err_people")
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
            raise MapError("err_account", account=account_id)
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
            raise MapError("err_action_unknown", action=key)
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
            raise MapError("err_no_open", account=account_id, week=self.sim.week)
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
            raise MapError("err_no_deal")
        return self._check_deal(target)

    def _check_deal(self, deal_id: Any) -> Any:
        deal_id = plain_value(deal_id)
        try:
            p = self._deal_index.get_loc(deal_id)
        except (KeyError, TypeError, pd.errors.InvalidIndexError):
            p = -1
        if not isinstance(p, (int, np.integer)) or p < 0:
            raise MapError("err_deal", deal=deal_id)
        acc = self._acc_index[self._deal_acc[p]] if self._deal_acc[p] >= 0 else None
        if acc != self.account_id:
            raise MapError("err_other_account", deal=deal_id, other=plain_value(acc), account=self.account_id)
        if self._created[p] > self.sim.week:
            raise MapError("err_deal_later", deal=deal_id, week=int(self._created[p]))
        k = int(self.sim.stage_codes()[p])
        if k >= len(self.funnel):
            raise MapError("err_deal_closed", deal=deal_id, stage=self.funnel.all_keys[k])
        if self._amount[p] < self.board.threshold:
            raise MapError("err_deal_below", deal=deal_id)
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
            raise MapError("err_audience_style")
        if audience not in set(self.contacts["contact_id"].tolist()):
            raise MapError("err_audience", contact=audience, account=self.account_id)
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
            raise MapError("err_role", role=role, roles=", ".join(("coach",) + MEET_ROLES))
        return self.act(f"meet_{role}", deal_id=deal_id)

    def present_value(self, style: str | None, action: str | None = None, audience: Any = None,
                      deal_id: Any = None) -> Move:
        """Step 3: a present-value action in a whole-brain style (to the decision maker, or ``audience``).

        ``action`` defaults to the first present-value action that fits the deal's stage
        (``arrange_demo``, ``propose_trial``, ``reference_visit``).
        """
        if style is None:
            raise MapError("err_choose_style")
        deal = self._target_deal(deal_id)
        self._check_audience(audience, style)
        fitting = [a for a in self._fitting(deal) if a in STEP_ACTIONS[3]]
        if action is None:
            if not fitting:
                raise MapError("err_no_pv", deal=deal, stage=self._stage_key(deal),
                                stages=", ".join(self._stages_of(STEP_ACTIONS[3][0])))
            action = fitting[0]
        elif action not in STEP_ACTIONS[3]:
            raise MapError("err_pv_action", action=action, actions=", ".join(STEP_ACTIONS[3]))
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
        label = i18n.text(names[role], self.lang)
        return f"{plots.role_icon(role, self.lang)} · {label}" if self.lang == "en" else f"{plots.role_icon(role, 'zh')}·{label}"

    def _action_label(self, key: str) -> str:
        return ALL_ACTIONS_BY_KEY[key].label(self.lang)

    def _join(self, items: list[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(items)
