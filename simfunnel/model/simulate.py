"""Weekly simulation of deals moving through a funnel: the true world behind the forecast.

Each week every open deal at stage *i* **advances** with chance ``advance[i]``
(from the last open stage that is an **order**: the deal is won), is **lost**
(无法成交, ``no_sale``) with chance ``lost[i]``, or **stays** (延续,
``continuation``). These weekly chances form the transition chain ``sim.chain``;
``true_win_rates(chain)`` gives each stage's eventual win rate (absorbing Markov
chain). The default chain is calibrated so its true win rates equal the funnel's
stage rates (:func:`calibrated_chain`), so for the ``key-account`` preset the
true rates are 10/25/40/60/80% to within floating-point error; what an analyst
measures from a finite history differs only by sampling error.

Sellers act on deals (``sim.step(actions={deal_id: "arrange_demo"})``). The customer's
**response** to an action (the course's call outcomes, what a trainee judges) and the deal's
**move** (what the week does to its stage) are two events, linked (see
:mod:`simfunnel.model.actions`): the customer commits to a concrete next step — an *advance* —
with the action's commit chance, raised by the account's **trust**; a commitment multiplies
the deal's weekly advance chance by the action's ``commit_factor`` (at most
:data:`MAX_ADVANCE`), a *continuation* leaves it as with no action; the loss chance is
multiplied by the action's ``loss_factor`` either way. The week's draw then moves the deal
(or not). A deal won that week answers with an *order*, a deal lost with a *no-sale*. The
response is the ``response`` column of :meth:`step` and :meth:`preview`; the ``outcome`` column
is the move (order = won, advance = moved a stage, continuation = stayed, no_sale = lost), as
in the history. Relationship actions (brochure, dinner, courtesy call) build the account's
trust (``sim.trust``) from the next week. With no actions the chain is untouched: the true
win rates stay the funnel's.

``responses="moves"`` (:data:`RESPONSE_MODELS`) is the model of stores played before the
responses had their own draw: the response *is* the move, an action multiplies the advance
chance by its ``advance_factor`` (a relationship action by 0: the deal cannot advance that
week) and there is no trust.

Randomness uses common random numbers: week *w* draws one uniform per deal from
``default_rng([seed, w])`` whatever the actions (and one per deal for the responses from
``default_rng([seed, w, RESPONSE_STREAM])``), so a changed decision changes
only what it touches. The uniform ``u`` of a deal with weekly chances ``a``
(advance) and ``l`` (loss) means: advance when ``u < a``, lost when ``u ≥ 1 − l``,
stay in between (:data:`COUPLINGS`: ``"monotone"``, the default). With the same
draws, an action that raises ``a`` and lowers ``l`` can only turn a week into a
better outcome for that deal (stay → advance, lost → stay), never a worse one; so
teams playing the same world with the same luck differ by their decisions, and a
what-if branch shows what a decision did. The ``"classic"`` layout (lost when
``a ≤ u < a + l``) has the same chances but lets an action turn a stay into a
loss; workshop stores made before the monotone layout replay with it.

Example:
    >>> from simfunnel.model.generate import generate
    >>> sim = Simulation(generate(accounts=30, seed=4), seed=4)
    >>> h = sim.run(weeks=20)
    >>> h.end_week
    20
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from simfunnel.model.actions import (
    MAX_COMMIT,
    MEETS,
    PEOPLE_ACTIONS_BY_KEY,
    STYLE_STEP,
    TRUST_BOOST_EXISTING,
    TRUST_BOOST_NEW,
    TRUST_GAIN,
    Action,
    action,
    actions_for,
    parse_style,
    people_actions_for,
)
from simfunnel.model.chain import MAX_ADVANCE, check_chain, true_win_rates
from simfunnel.model.events import Effect, EffectPlan
from simfunnel.model.history import PERIOD_WEEKS, History
from simfunnel.model.people import (
    RISK_CODES,
    PURCHASE_FACTORS,
    Coverage,
    PeopleParams,
    PurchaseFactors,
    people_factors,
)

if TYPE_CHECKING:
    from simfunnel.model.generate import World

__all__ = ["COUPLINGS", "RESPONSE_MODELS", "RESPONSES", "Simulation"]

# How a deal's weekly uniform maps to its outcome (see the module's notes); the first is the default.
COUPLINGS = ("monotone", "classic")
# How a customer's response relates to the week's move (see the module's notes); the first is the default.
RESPONSE_MODELS = ("commitments", "moves")
# The customer's responses (the course's call outcomes), in the order of the codes used inside.
RESPONSES = ("order", "advance", "continuation", "no_sale")
# The seeded stream of the responses' uniforms: default_rng([seed, week, RESPONSE_STREAM]).
RESPONSE_STREAM = 0x5245_5350


# --- the simulation -------------------------------------------------------------
class Simulation:
    """Moves a world's deals through its funnel week by week.

    Args:
        world: a :class:`~simfunnel.model.generate.World`.
        seed: seeds the weekly draws (the same seed and actions give the same history).
        chain: weekly transition chances (default: the world's calibrated chain).
        people: :class:`~simfunnel.model.people.PeopleParams` to switch on the people layer (who the
            seller has met and each deal's five purchase factors change the odds; see :mod:`simfunnel.model.people`). ``None`` (default):
            exactly the plain simulation.
        effects: :class:`~simfunnel.model.events.Effect` s — market events changing the weekly odds for
            some weeks (``events.apply_events`` makes them); applied after the people layer, before
            the actions. ``()`` (default): exactly the plain simulation. Kept by :meth:`replay`.
        coupling: how the weekly uniform maps to an outcome: ``"monotone"`` (default; an action
            never worsens the week of the deal it touches) or ``"classic"`` (stores made before it).
        responses: ``"commitments"`` (default: the customer's response has its own draw, trust counts)
            or ``"moves"`` (stores made before it: the response is the move). See the module's notes.

    Example:
        >>> from simfunnel.model.generate import generate
        >>> sim = Simulation(generate(accounts=30, seed=4), seed=4)
        >>> moves = sim.step()          # week 1, no actions
        >>> sim.week
        1
    """

    def __init__(self, world: "World", seed: int = 2026, chain: pd.DataFrame | None = None,
                 people: PeopleParams | None = None, effects: Sequence[Effect] = (),
                 coupling: str = "monotone", responses: str = "commitments") -> None:
        if coupling not in COUPLINGS:
            raise ValueError(f"coupling must be one of {', '.join(COUPLINGS)}, got {coupling!r}")
        if responses not in RESPONSE_MODELS:
            raise ValueError(f"responses must be one of {', '.join(RESPONSE_MODELS)}, got {responses!r}")
        self.coupling = coupling
        self.responses = responses
        self.world = world
        self.funnel = world.funnel
        self.seed = int(seed)
        self.chain = (world.chain if chain is None else chain).copy()
        if list(self.chain.index) != list(self.funnel.keys):
            raise ValueError(f"chain stages {list(self.chain.index)} do not match the funnel's {list(self.funnel.keys)}")
        self._al = check_chain(self.chain)
        d = world.deals
        self._ids = d["deal_id"].to_numpy()
        self._pos = pd.Index(self._ids)
        self._created = d["created_week"].to_numpy(dtype=np.int64)
        self._stage = d["stage"].cat.codes.to_numpy().astype(np.int16).copy()
        self._delay = d["payment_delay_weeks"].to_numpy(dtype=np.int64)
        self._closed = np.full(len(d), -1, dtype=np.int64)
        self._events: list[dict[str, np.ndarray]] = []
        self._actions: list[dict[int, str]] = []
        # The state at the end of each week (week 0 first): snapshots of any weeks come straight from it.
        self._stage_by_week: list[np.ndarray] = [self._stage.copy()]
        self._entered = np.maximum(self._created, 0)  # week each deal entered its current stage
        self._by_created = np.argsort(self._created, kind="stable")
        # Trust (信赖) per account, built by relationship actions; the boost it gives depends on whether the
        # account is a customer already (see simfunnel.model.actions)
        accounts = world.accounts
        self._account_ids = accounts["account_id"].to_numpy()
        self._deal_account = pd.Index(self._account_ids).get_indexer(d["account_id"].to_numpy())
        existing = accounts["existing_customer"].to_numpy(dtype=bool) if "existing_customer" in accounts else \
            np.zeros(len(accounts), dtype=bool)
        self._trust_boost = np.where(existing, TRUST_BOOST_EXISTING, TRUST_BOOST_NEW)
        self._trust = np.zeros(len(accounts))
        self._created_sorted = self._created[self._by_created]
        self.week = 0
        self._history: History | None = None
        self.people = people
        self.coverage: Coverage | None = None
        self._styles: list[dict] = []
        self._direct_meetings: list[tuple[int, int]] = []  # (week, contact_id) met with meet(), not by an action
        if people is not None:
            if not isinstance(people, PeopleParams):
                raise ValueError(f"people must be a PeopleParams or None, got {type(people).__name__}")
            self.coverage = Coverage(world.contacts, world.accounts)
            self._deal_acc = pd.Index(world.accounts["account_id"].to_numpy()).get_indexer(d["account_id"].to_numpy())
            if (self._deal_acc < 0).any():
                raise ValueError(f"deal {self._ids[int(np.flatnonzero(self._deal_acc < 0)[0])]!r} has an unknown account")
            self._amount = d["amount"].to_numpy(dtype=float)
            self._steps = np.array([s.key_step for s in self.funnel.stages], dtype=object)
            self._purchase = PurchaseFactors(len(d), self.seed, people, self._steps)
        self.effects: tuple[Effect, ...] = () if effects is None else tuple(effects)
        self._effects: EffectPlan | None = None
        if self.effects:
            self._effects = EffectPlan(self.effects, world)

    def true_win_rates(self) -> pd.Series:
        """Each stage's eventual win rate under this simulation's chain."""
        return true_win_rates(self.chain)

    def step(self, actions: Mapping[int, str] | None = None, styles: Mapping[int, object] | None = None) -> pd.DataFrame:
        """Simulate one more week; ``actions`` maps deal_id → action key.

        With people on (``people=PeopleParams()``), ``styles`` maps a deal acted on with a
        present-value action to the whole-brain style of the presentation, ``"A"`` … ``"D"``,
        or ``(style, contact_id)`` to present to that contact rather than the account's
        decision maker; people actions (``find_coach``, ``meet_decision_maker``,
        ``meet_technical_gatekeeper``, ``meet_financial_gatekeeper``) meet those contacts
        of the deal's account from the next week; every action also works on the deal's purchase
        factors and needs from the next week (:data:`simfunnel.model.people.ACTION_RAISES`).

        Returns:
            This week's events: deal_id, week, from_stage, to_stage, outcome (the move: order = won,
            advance = moved a stage, continuation = stayed, no_sale = lost), action, response (the
            customer's response to the action: order / advance / continuation / no_sale; None for a
            deal not acted on) — every stage change, and every deal acted on.

        Raises:
            ValueError: past the world's horizon, an unknown or closed deal, a deal
                not yet created, or an action that does not fit the deal's stage.
        """
        return self._event_frame([self._advance(actions, styles)])

    def advance(self, actions: Mapping[int, str] | None = None, styles: Mapping[int, object] | None = None) -> None:
        """:meth:`step` without its return value: for replays, which drop it (building the week's event frame
        was nine tenths of a replayed week's time). The simulation ends exactly as after :meth:`step`."""
        self._advance(actions, styles)

    def _advance(self, actions: Mapping[int, str] | None, styles: Mapping[int, object] | None) -> dict[str, np.ndarray]:
        week, active, st, new, go, drop, acted, act_keys, response = self._draw(actions, styles)
        n_open = len(self.funnel)
        record = go | drop | acted
        idx = active[record]
        self._stage[active] = new
        self._entered[active[new != st]] = week
        self._closed[active[go & (st == n_open - 1)]] = week
        self._closed[active[drop]] = week
        outcome = np.where(go, np.where(st == n_open - 1, 0, 1), np.where(drop, 3, 2))[record]
        ev = {
            "deal_id": self._ids[idx],
            "week": np.full(len(idx), week, dtype=np.int64),
            "from": st[record],
            "to": new[record],
            "outcome": outcome.astype(np.int8),
            "action": act_keys[record],
            "response": response[record],
        }
        self._events.append(ev)
        if self.responses == "commitments" and actions:
            self._build_trust(active[acted], act_keys[acted])
        self._actions.append(dict(actions or {}))
        if self.people is not None:
            self._styles.append(dict(styles or {}))
            self._meet_by_actions(actions or {}, week)
            self._purchase.apply(active[acted], st[acted], act_keys[acted])
        self._stage_by_week.append(self._stage.copy())
        self.week = week
        self._history = None
        return ev

    def preview(self, actions: Mapping[int, str], styles: Mapping[int, object] | None = None) -> pd.DataFrame:
        """What the coming week will do to these deals with these actions, without moving the week.

        The same random draws are used as by :meth:`step`, so ``step(actions)`` then gives
        exactly these outcomes for them (other deals' actions do not change them).

        Returns:
            deal_id, week, from_stage, to_stage, outcome, action — one row per deal in ``actions``.
        """
        saved = None if self.coverage is None else self.coverage.save_state()
        try:
            week, active, st, new, go, drop, acted, act_keys, response = self._draw(actions, styles)
        finally:  # a coach leaving in the coming week leaves with the week, not with its preview
            if saved is not None:
                self.coverage.restore_state(saved)
        n_open = len(self.funnel)
        outcome = np.where(go, np.where(st == n_open - 1, 0, 1), np.where(drop, 3, 2))
        ev = {
            "deal_id": self._ids[active[acted]],
            "week": np.full(int(acted.sum()), week, dtype=np.int64),
            "from": st[acted],
            "to": new[acted],
            "outcome": outcome[acted].astype(np.int8),
            "action": act_keys[acted],
            "response": response[acted],
        }
        return self._event_frame([ev])

    def _draw(self, actions: Mapping[int, str] | None, styles: Mapping[int, object] | None = None):
        """The coming week's moves: which deals are active, their stages, and what the draws do to them."""
        week = self.week + 1
        if week > self.world.weeks:
            raise ValueError(f"the world has arrivals for {self.world.weeks} weeks; generate(weeks=...) a longer one")
        n_open = len(self.funnel)
        won, lost = n_open, n_open + 1
        active = np.flatnonzero((self._created < week) & (self._stage < n_open))
        st = self._stage[active]
        adv = self._al[st, 0].copy()
        los = self._al[st, 1].copy()
        acted = np.zeros(len(active), dtype=bool)
        committed = np.zeros(len(active), dtype=bool)
        act_keys = np.full(len(active), None, dtype=object)
        if self._effects is not None:
            self._effects.coaches_leave(week, self.coverage)
        people = self.people
        if people is None:
            if styles:
                raise ValueError("styles need the people layer: Simulation(world, seed, people=PeopleParams())")
        else:
            extra = set(styles or {}) - set(actions or {})
            if extra:
                raise ValueError(f"deal {min(extra)!r}: a style needs a present-value action on the deal")
            adv, los = self._people_odds(active, st, adv, los)
        if self._effects is not None:
            self._effects.apply(week, active, st, adv, los)
        commitments = self.responses == "commitments"
        if actions and commitments:
            v = np.random.default_rng([self.seed, week, RESPONSE_STREAM]).random(len(self._ids))[active]
        if actions:
            where = np.searchsorted(active, self._deal_positions(actions.keys()))
            for (deal_id, key), j in zip(actions.items(), where):  # a handful of moves per week
                if j >= len(active) or active[j] != self._pos.get_loc(deal_id):
                    raise ValueError(self._why_not_active(deal_id, week))
                stage_key = self.funnel.keys[st[j]]
                if people is not None and key in PEOPLE_ACTIONS_BY_KEY:
                    act = PEOPLE_ACTIONS_BY_KEY[key]
                    fitting = actions_for(self.funnel, stage_key) + people_actions_for(self.funnel, stage_key)
                else:
                    act = action(key)
                    fitting = actions_for(self.funnel, stage_key)
                if act not in fitting:
                    raise ValueError(f"deal {deal_id}: action {key!r} does not fit stage {stage_key!r}; "
                                     f"try {', '.join(a.key for a in fitting)}")
                if commitments:  # the customer commits (an advance) or not (a continuation): see the notes
                    committed[j] = v[j] < self._commit_chance(act, int(active[j]))
                    factor = act.commit_factor if committed[j] else 1.0
                else:  # stores played before the responses had their own draw
                    factor = act.advance_factor if act.kind == "advance" else 0.0
                if people is not None and styles and deal_id in styles:
                    factor *= self._style_factor(deal_id, act, styles[deal_id], j, active)
                if people is not None:
                    factor *= self._purchase.action_factor(key, int(st[j]), int(active[j]))
                adv[j] = min(adv[j] * factor, MAX_ADVANCE) if factor else 0.0
                los[j] = los[j] * act.loss_factor
                if adv[j] + los[j] > 1:
                    scale = 1.0 / (adv[j] + los[j])
                    adv[j], los[j] = adv[j] * scale, los[j] * scale
                acted[j], act_keys[j] = True, key
        u = np.random.default_rng([self.seed, week]).random(len(self._ids))[active]
        go = u < adv
        if self.coupling == "monotone":  # the loss band sits at the top: see the module's notes
            drop = ~go & (u >= 1.0 - los)
        else:
            drop = ~go & (u < adv + los)
        new = np.where(go, st + 1, np.where(drop, lost, st)).astype(np.int16)
        new[go & (st == n_open - 1)] = won
        move = np.where(go, np.where(st == n_open - 1, 0, 1), np.where(drop, 3, 2)).astype(np.int8)
        if commitments:  # won: an order; lost: a no-sale; else what the customer committed to, or not
            response = np.where(move == 0, 0, np.where(move == 3, 3, np.where(committed, 1, 2))).astype(np.int8)
        else:
            response = move.copy()
        response[~acted] = -1
        return week, active, st, new, go, drop, acted, act_keys, response

    def _commit_chance(self, act: Action, pos: int) -> float:
        """The chance the customer commits to a next step on the deal at position ``pos``: the action's, × the
        trust of the deal's account (1 + boost · trust), at most ``MAX_COMMIT``."""
        acc = self._deal_account[pos]
        boost = 1.0 + self._trust_boost[acc] * self._trust[acc] if acc >= 0 else 1.0
        return min(act.commit_chance * boost, MAX_COMMIT)

    def _build_trust(self, pos: np.ndarray, keys: np.ndarray) -> None:
        """After a week: each relationship action closes ``TRUST_GAIN`` of its account's gap to full trust."""
        for p, key in zip(pos, keys):  # the week's moves: a handful
            act = PEOPLE_ACTIONS_BY_KEY.get(key) or action(key)
            acc = self._deal_account[p]
            if act.kind == "relationship" and acc >= 0:
                self._trust[acc] += TRUST_GAIN * (1.0 - self._trust[acc])

    @property
    def trust(self) -> pd.Series:
        """Each account's trust (信赖) built by relationship actions, 0 … 1 (0: none built), by account_id."""
        return pd.Series(self._trust.copy(), index=pd.Index(self._account_ids, name="account_id"), name="trust")

    @property
    def actions_taken(self) -> list[dict[int, str]]:
        """The actions of each simulated week (week 1 first): enough to replay the run exactly."""
        return [dict(a) for a in self._actions]

    def replay(self, weeks: int | None = None) -> "Simulation":
        """A new simulation of the same world and seed, stepped with the same actions up to ``weeks``.

        With the common random numbers it reproduces this run exactly; an undo is a replay one week shorter.
        """
        target = self.week if weeks is None else int(weeks)
        if not 0 <= target <= self.week:
            raise ValueError(f"weeks must be between 0 and {self.week}, got {weeks}")
        other = Simulation(self.world, seed=self.seed, chain=self.chain, people=self.people, effects=self.effects,
                           coupling=self.coupling, responses=self.responses)
        if self.people is None:
            for acts in self._actions[:target]:
                other.advance(acts)
            return other
        # The meetings made with meet() between weeks; the actions' meetings are made again by the steps,
        # so the replay's meeting log is this one's, entry for entry.
        direct = self._direct_meetings
        k = 0
        for w in range(target + 1):
            while k < len(direct) and direct[k][0] <= w:
                other.meet(direct[k][1])
                k += 1
            if w < target:
                other.advance(self._actions[w], self._styles[w])
        return other

    def meet(self, contact_ids, account_id: int | None = None) -> None:
        """People layer: mark a contact id (or an iterable of them) met, counting from the next week.

        Raises:
            ValueError: an unknown contact, one of another account than ``account_id``, or no ``people=``.
        """
        if self.coverage is None:
            raise ValueError("meeting people needs the people layer: Simulation(world, seed, people=PeopleParams())")
        n = len(self.coverage.log)
        self.coverage.meet(contact_ids, account_id, week=self.week)
        self._direct_meetings.extend(self.coverage.log[n:])

    def _people_odds(self, pos: np.ndarray, st: np.ndarray, adv: np.ndarray, los: np.ndarray):
        """People layer: the weekly chances of the deals at positions ``pos`` (open stages ``st``) with no
        action, after the people and purchase factors (``adv``, ``los``: the chain's, modified in place)."""
        pf = people_factors(self.people, self.coverage, self._steps[st], self._deal_acc[pos], self._amount[pos])
        pf *= self._purchase.factor(pos, st)
        touched = pf != 1.0
        adv[touched] = np.minimum(adv[touched] * pf[touched], MAX_ADVANCE)
        over = adv + los > 1
        if over.any():
            scale = 1.0 / (adv[over] + los[over])
            adv[over], los[over] = adv[over] * scale, los[over] * scale
        return adv, los

    @property
    def purchase_factors(self) -> pd.DataFrame:
        """People layer: every deal created by now with its purchase-factor levels (1 … 5) — value, need,
        price, trust, experience — and ``need_explicit`` (see :mod:`simfunnel.model.people`)."""
        if self.people is None:
            raise ValueError("purchase factors need the people layer: Simulation(world, seed, people=PeopleParams())")
        return self._purchase.frame(self._ids, np.flatnonzero(self._created <= self.week))

    def coach_report(self, account_id: int) -> pd.DataFrame:
        """People layer: what the account's coach (向导) tells the seller about each open deal of the account.

        Returns:
            deal_id, stage, amount, weeks_in_stage, advance_chance and loss_chance (the coming week's
            true chances with no action, after the people factors: what :meth:`step` will use),
            weakest_factor and weakest_level (lowest purchase factor; ties: the first of value, need,
            price, trust, experience), need_explicit, risk (``at_risk`` / ``stalled`` / ``moving``,
            see :mod:`simfunnel.model.people`).

        Raises:
            ValueError: no ``people=``, an unknown account, an account without a coach, or its coach not met yet.
        """
        if self.people is None:
            raise ValueError("the coach report needs the people layer: Simulation(world, seed, people=PeopleParams())")
        cov, params = self.coverage, self.people
        acc_pos = cov.account_position(account_id)
        if not cov.has_coach[acc_pos]:
            raise ValueError(f"account {account_id}: it has no coach (向导) among its contacts, so nobody keeps the "
                             "seller told")
        if not cov.coach_met(account_id):
            raise ValueError(f"account {account_id}: find a coach first — the coach report needs the account's coach "
                             "met (action find_coach, or self.meet(contact_id))")
        n_open = len(self.funnel)
        pos = np.flatnonzero((self._deal_acc == acc_pos) & (self._created <= self.week) & (self._stage < n_open))
        st = self._stage[pos]
        plain = self._al[st, 0]
        # The coming week's chances as Simulation._draw makes them: a coach leaving that week has left (for the
        # odds only: the report is given while the coach is there), then the people factors, then the events.
        week, effects = self.week + 1, self._effects
        saved = cov.save_state()
        try:
            if effects is not None:
                effects.coaches_leave(week, cov)
            adv, los = self._people_odds(pos, st, plain.copy(), self._al[st, 1].copy())
        finally:
            cov.restore_state(saved)
        if effects is not None:
            effects.apply(week, pos, st, adv, los)
        levels = self._purchase.levels[pos]
        weakest = levels.argmin(axis=1) if len(pos) else np.zeros(0, dtype=np.int64)
        weeks = self.week - self._entered[pos]
        at_risk = adv < params.coach_at_risk_ratio * plain
        risk = np.where(at_risk, "at_risk", np.where(weeks >= params.coach_stall_weeks, "stalled", "moving"))
        return pd.DataFrame(
            {
                "deal_id": self._ids[pos],
                "stage": pd.Categorical.from_codes(st.astype(np.int16), categories=list(self.funnel.all_keys)),
                "amount": self._amount[pos],
                "weeks_in_stage": weeks.astype(np.int64),
                "advance_chance": adv,
                "loss_chance": los,
                "weakest_factor": pd.Categorical.from_codes(weakest.astype(np.int8), categories=list(PURCHASE_FACTORS)),
                "weakest_level": levels[np.arange(len(pos)), weakest].astype(np.int8),
                "need_explicit": self._purchase.need_explicit[pos],
                "risk": pd.Categorical(risk, categories=list(RISK_CODES)),
            }
        )

    def _meet_by_actions(self, actions: Mapping[int, str], week: int) -> None:
        for deal_id, key in actions.items():  # a handful of moves per week
            if key in MEETS:
                column, value = MEETS[key]
                self.coverage.meet_role(int(self._deal_acc[self._pos.get_loc(deal_id)]), column, value, week=week)

    def _style_factor(self, deal_id: int, act: Action, value, j: int, active: np.ndarray) -> float:
        if STYLE_STEP not in act.key_steps:
            raise ValueError(f"deal {deal_id}: a style applies to present-value actions, not {act.key!r}")
        style, contact = parse_style(value)
        acc_pos = int(self._deal_acc[active[j]])
        if contact is None:
            brain = self.coverage.audience_brain(acc_pos)
            if brain is None:
                raise ValueError(f"deal {deal_id}: its account has no decision maker; name the contact: (style, contact_id)")
        else:
            account_id = int(self.world.accounts["account_id"].iloc[acc_pos])
            self.coverage.check(contact, account_id)
            brain = self.coverage.brain_of(contact)
        return self.people.style_match_factor if style == brain else self.people.style_mismatch_factor

    def weeks_in_stage(self) -> pd.Series:
        """For every deal created by now: weeks since it entered its current stage (or was created)."""
        exists = self._created <= self.week
        return pd.Series((self.week - self._entered)[exists], index=pd.Index(self._ids[exists], name="deal_id"))

    def stage_codes(self, week: int | None = None) -> np.ndarray:
        """Every world deal's stage at the end of ``week`` (default: now), as positions in ``funnel.all_keys``.

        Deals not yet created show the stage they will be created in. The array is shared: do not modify it.
        """
        w = self.week if week is None else int(week)
        if not 0 <= w <= self.week:
            raise ValueError(f"week must be between 0 and {self.week}, got {week}")
        return self._stage_by_week[w]

    def closed_weeks(self) -> np.ndarray:
        """Every world deal's closing week (won or lost), −1 while open. Do not modify it."""
        return self._closed

    def entered_weeks(self) -> np.ndarray:
        """Every world deal's week of entering its current stage (its creation week before any move)."""
        return self._entered

    def run(self, weeks: int | None = None) -> History:
        """Simulate ``weeks`` more weeks without actions (default: to the world's horizon) and return the history."""
        target = self.world.weeks if weeks is None else self.week + int(weeks)
        if target > self.world.weeks:
            raise ValueError(f"cannot run to week {target}: the world has arrivals for {self.world.weeks} weeks")
        while self.week < target:
            self.advance()
        return self.history

    def _deal_positions(self, deal_ids: Iterable[int]) -> np.ndarray:
        ids = list(deal_ids)
        pos = self._pos.get_indexer(ids)
        if (pos < 0).any():
            raise ValueError(f"unknown deal {ids[int(np.flatnonzero(pos < 0)[0])]!r}")
        return pos

    def _why_not_active(self, deal_id: int, week: int) -> str:
        i = self._pos.get_loc(deal_id)
        if self._created[i] >= week:
            return f"deal {deal_id} is created in week {self._created[i]}; it can be acted on from week {self._created[i] + 1}"
        return f"deal {deal_id} is already closed ({self.funnel.all_keys[self._stage[i]]}) and cannot be acted on"

    def _event_frame(self, chunks: list[dict[str, np.ndarray]], responses: bool = True) -> pd.DataFrame:
        keys = list(self.funnel.all_keys)
        outcomes = ["order", "advance", "continuation", "no_sale"]

        def cat(name: str) -> np.ndarray:
            return np.concatenate([c[name] for c in chunks]) if chunks else np.array([], dtype=np.int64)

        frame = pd.DataFrame(
            {
                "deal_id": cat("deal_id").astype(self._ids.dtype),
                "week": cat("week").astype(np.int64),
                "from_stage": pd.Categorical.from_codes(cat("from").astype(np.int16), categories=keys),
                "to_stage": pd.Categorical.from_codes(cat("to").astype(np.int16), categories=keys),
                "outcome": pd.Categorical.from_codes(cat("outcome").astype(np.int8), categories=outcomes),
                # dtype=object: pandas ≥ 3 would infer a str column (NaN for no action) whenever
                # some deal was acted on, object (None) otherwise, and History.events keeps object.
                "action": pd.Series(cat("action") if chunks else [], dtype=object),
            }
        )
        if responses:  # the customer's response to the action (RESPONSES; None: no action). Not in the history.
            frame["response"] = pd.Series([None if c < 0 else RESPONSES[c] for c in cat("response")], dtype=object)
        return frame

    @property
    def history(self) -> History:
        """The history so far: deals as of now, every event, snapshots of weeks 0 … ``week``."""
        if self._history is None:
            self._history = self._build_history()
        return self._history

    def _build_history(self) -> History:
        w = self.world
        n_open = len(self.funnel)
        d = w.deals.drop(columns=["payment_delay_weeks"]).copy()
        exists = self._created <= self.week
        d["stage"] = pd.Categorical.from_codes(self._stage, categories=list(self.funnel.all_keys))
        status = np.where(self._stage == n_open, 1, np.where(self._stage == n_open + 1, 2, 0)).astype(np.int8)
        d["status"] = pd.Categorical.from_codes(status, categories=["open", "won", "lost"])
        closed = self._closed >= 0
        d["closed_week"] = pd.arrays.IntegerArray(np.where(closed, self._closed, 0), ~closed)
        paid = (status == 1) & (self._closed + self._delay <= self.week)  # not yet paid: unknown
        d["paid_week"] = pd.arrays.IntegerArray(np.where(paid, self._closed + self._delay, 0), ~paid)
        d = d[exists].reset_index(drop=True)
        end = self.week
        history = History(
            d,
            self._event_frame(self._events, responses=False),
            None,
            self.funnel,
            w.currency,
            start_week=min(PERIOD_WEEKS, max(0, end - PERIOD_WEEKS)),
            end_week=end,
            quota=w.quota,
            accounts=w.accounts,
            contacts=w.contacts,
            meta={**w.describe(), "simulation_seed": self.seed, "coupling": self.coupling,
                  **({} if self.responses == "commitments" else {"responses": self.responses})},
            check=False,
            snapshot_source=self._snapshot_rows,
        )
        return history

    def _snapshot_rows(self, first_week: int, last_week: int, open_only: bool = False) -> pd.DataFrame:
        """Snapshot rows of weeks first … last from the stored weekly states (week-major order)."""
        weeks = list(range(max(0, first_week), min(self.week, last_week) + 1))
        n_open = len(self.funnel)
        pos_parts, week_parts, stage_parts = [], [], []
        for w in weeks:  # one slice per week, vectorised over deals
            k = int(np.searchsorted(self._created_sorted, w, side="right"))
            p = self._by_created[:k]
            st = self._stage_by_week[w][p]
            if open_only:
                p, st = p[st < n_open], st[st < n_open]
            pos_parts.append(p)
            stage_parts.append(st)
            week_parts.append(np.full(len(p), w, dtype=np.int64))
        pos = np.concatenate(pos_parts) if weeks else np.zeros(0, np.int64)
        week = np.concatenate(week_parts) if weeks else np.zeros(0, np.int64)
        stage = np.concatenate(stage_parts) if weeks else np.zeros(0, np.int16)
        status = np.where(stage == n_open, 1, np.where(stage == n_open + 1, 2, 0)).astype(np.int8)
        d = self.world.deals
        return pd.DataFrame(
            {
                "week": week,
                "deal_id": self._ids[pos],
                "account_id": d["account_id"].array.take(pos),
                "amount": d["amount"].to_numpy(dtype=float)[pos],
                "stage": pd.Categorical.from_codes(stage, categories=list(self.funnel.all_keys)),
                "status": pd.Categorical.from_codes(status, categories=["open", "won", "lost"]),
                "win_rate_override": d["win_rate_override"].to_numpy(dtype=float)[pos],
                "expected_close_week": pd.array(d["expected_close_week"].to_numpy(), dtype="Int64").take(pos),
            }
        )
