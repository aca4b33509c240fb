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

This module holds the board's state and verbs; its drawing is
:class:`~simfunnel.widgets.deal_board_view.DealBoardView`, its texts
:mod:`simfunnel.widgets.deal_board_texts`, and :class:`Move`, :class:`Score` and
:class:`~simfunnel.widgets.moves.BoardError` are in :mod:`simfunnel.widgets.moves`.
"""

from __future__ import annotations

import math
import weakref
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from simfunnel.analysis.metrics import indicators as compute_indicators
from simfunnel.model.actions import (
    ACTIONS_BY_KEY,
    ALL_ACTIONS_BY_KEY,
    Action,
    actions_for,
    parse_style,
    people_actions_for,
)
from simfunnel.model.funnel import LOST, WON
from simfunnel.model.generate import PRODUCTS
from simfunnel.model.history import PERIOD_WEEKS
from simfunnel.model.replies import OUTCOMES, is_correct, pick_reply
from simfunnel.model.simulate import Simulation
from simfunnel.widgets.base import Pair
from simfunnel.widgets.deal_board_texts import BOARD_TEXT
from simfunnel.widgets.deal_board_view import DealBoardView
from simfunnel.widgets.moves import BoardError, Move, Score, plain_value, reply_seed, takes_style

__all__ = ["DealBoard", "Move", "Score"]

# Every action a board may offer (simfunnel.model.actions.ALL_ACTIONS_BY_KEY): the plain ones first (their
# positions seed the replies, unchanged), then the people layer's meetings (offered only when the simulation
# has ``people=``).
_ACTION_INDEX = {key: i for i, key in enumerate(ALL_ACTIONS_BY_KEY)}


class DealBoard(DealBoardView):
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

    TEXT: dict[str, Pair] = BOARD_TEXT  # the texts are in simfunnel.widgets.deal_board_texts

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
        self._note_where = "controls"  # beside which buttons a refusal shows: "controls" or "act" (DealBoardView._ui)
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
        # what a customer's reply may name: the account's industry and the deal's product (None: unknown)
        self._product = d["product"].astype(object).to_numpy() if "product" in d else np.full(n, None)
        accounts = getattr(self.world, "accounts", None)
        if accounts is not None and "industry" in accounts and "account_id" in d:
            self._industry = d["account_id"].map(accounts.set_index("account_id")["industry"]).astype(object).to_numpy()
        else:
            self._industry = np.full(n, None)
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
        if not takes_style(ALL_ACTIONS_BY_KEY[key]):
            raise BoardError("err_style_action", action=key)
        try:
            parse_style(style)
        except ValueError as err:
            raise BoardError("err_style", why=str(err)) from None
        return tuple(style) if isinstance(style, list) else style

    def _reply_context(self, pos: int) -> dict:
        """The deal's account industry and product, for a reply that fits them (``pick_reply``)."""
        industry, product = self._industry[pos], self._product[pos]
        return {"industry": industry if isinstance(industry, str) else None,
                "product": product if isinstance(product, str) else None}

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
        outcome = str(preview["response"].iloc[0])  # the customer's response: what the trainee judges
        step = self.funnel.stage(stage_key).key_step
        seed = [self.seed, week + 1, reply_seed(deal_id), _ACTION_INDEX[key]]
        reply = pick_reply(outcome, step, seed=seed, action=key, **self._reply_context(pos))
        move = Move(deal_id=deal_id, action=key, week=week + 1, reply=reply,
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
                              effects=self.sim.effects, coupling=self.sim.coupling, responses=self.sim.responses)
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
