"""People move deals: the seller's coverage of an account changes the odds of an advance.

An **opt-in** layer of the :class:`~simfunnel.model.simulate.Simulation`:
``Simulation(world, seed, people=PeopleParams())``. Without ``people`` (the
default) the simulation is exactly the plain one (the workshop dataset and the
notebooks depend on it). With it, the simulation keeps a :class:`Coverage` — which
contacts the seller has met — and each week multiplies every open deal's advance
chance by the people factors of its account (capped at ``MAX_ADVANCE`` as for
actions). The weekly uniforms are unchanged (common random numbers), so comparing
a run with people against one without shows what the people alone did.

The mechanisms (direction as the course teaches; sizes are the kit's defaults,
not figures from the course):

* **Coach (向导)** — matters most early and in new accounts. Once the account's
  coach is met, the advance chance at the ``build_trust`` key step (内部立项,
  project approval) is × ``coach_early_factor``; in an account that is not yet
  a customer it is also × ``coach_new_customer_factor`` at the early key steps
  (``customer_analysis`` and ``build_trust``).
* **Decision maker (决策者)** — at the ``win_commitment`` key step (购买承诺), a
  deal whose account has no decision-maker contact met advances ×
  ``no_decision_maker_factor``: it stalls.
* **Collective decision (三重一大)** — at ``win_commitment``, a state-owned
  account's deal above ``collective_amount`` needs at least
  ``collective_min_decision`` decision-level contacts met; otherwise ×
  ``collective_factor``. It stacks with the decision-maker factor.
* **Whole-brain style (全脑类型)** — a present-value action (the actions of the
  ``present_value`` key step: demo, trial, reference visit) done in a style
  (``styles={deal_id: "A"}``) that matches the audience's brain type advances
  × ``style_match_factor``; a mismatched style × ``style_mismatch_factor``. The
  audience is the account's decision maker unless a contact is named:
  ``styles={deal_id: ("A", contact_id)}``. A = data and ROI, B = process and low
  risk, C = relationship and trust, D = vision.

* **The five purchase factors (购买五要素)** — 价值 ``value``, 需求 ``need``, 价格
  ``price``, 信赖 ``trust``, 体验 ``experience``: each deal has a level 1 … 5 of each
  (1 very weak, 3 neutral, 5 very strong), drawn independently with shares
  :data:`LEVEL_SHARES` (10/20/40/20/10%). Each key step weighs some of them
  (:data:`STEP_FACTORS`): ``customer_analysis`` need, ``build_trust`` trust,
  ``dig_for_needs`` need, ``present_value`` value and experience, ``win_commitment``
  price and trust. Every week the deal's advance chance is ×
  ``purchase_factor_step ** (L − 3)``, ``L`` the mean level of its step's factors:
  with the default 1.2, level 1 ×0.69, 2 ×0.83, 3 ×1, 4 ×1.2, 5 ×1.44 — a weak
  factor holds the deal back, a strong one moves it.
* **Actions work on the factors** — each action raises one factor by
  ``factor_gain`` levels (default 1, at most 5) from the next week
  (:data:`ACTION_RAISES`): ``needs_interview`` and ``joint_plan`` need;
  ``arrange_demo`` and ``meet_technical_gatekeeper`` value; ``propose_trial``
  experience; ``reference_visit``, ``find_coach`` and ``meet_decision_maker`` trust;
  ``agree_budget`` and ``meet_financial_gatekeeper`` price; the relationship actions (brochure,
  dinner, courtesy call) trust too (besides the account's trust every simulation keeps:
  :mod:`simfunnel.model.actions`).
* **Implied vs explicit needs (SPIN's 隐性需求 / 明确需求)** — each deal's need starts explicit with
  chance ``explicit_need_share`` (0.3; most start implied: the customer speaks of problems and
  dissatisfaction, not yet of a clear want). This is SPIN's distinction, not the course's 需要 vs 想要.
  Digging for needs makes it explicit from the next week: ``needs_interview`` at any stage, or any advance action taken at a ``dig_for_needs`` stage (确定标准,
  criteria set). While it is implicit, a present-value action (``arrange_demo``,
  ``propose_trial``, ``reference_visit`` at a ``present_value`` stage) is ×
  ``wants_only_factor`` (0.6): a demo's ×2.0 becomes ×1.2 — the seller presents to
  an implied need, before the customer has stated what they want solved.
* **The coach keeps the seller told** — :meth:`Simulation.coach_report`
  (``sim.coach_report(account_id)``), once the account's coach is met: each open deal
  of the account with the coming week's true advance and loss chances with no action
  (exactly what :meth:`~Simulation.step` uses, market events included), its weakest purchase factor,
  ``need_explicit`` and a risk code (:data:`RISK_CODES`): ``at_risk`` — advance
  chance below ``coach_at_risk_ratio`` (0.8) × its stage's plain chance (a weak
  factor, no decision maker met, a collective decision not covered); else
  ``stalled`` — ``coach_stall_weeks`` (6) or more weeks in its stage; else
  ``moving``. Without a met coach it raises ValueError ("find a coach first"; check
  with ``sim.coverage.coach_met(account_id)``).

The purchase-factor state (``sim.purchase_factors``: deal_id, the five levels,
need_explicit) starts from its own seeded stream, ``default_rng([seed,
PURCHASE_STREAM])``, so the weekly uniforms ``default_rng([seed, week])`` are the
plain simulation's; afterwards it changes only through the actions, so
:meth:`Simulation.replay` rebuilds it exactly. All factors multiply the weekly
advance chance together (capped at ``MAX_ADVANCE``); loss chances are untouched
(rescaled only if advance + loss would pass 1).

Meeting people: :meth:`Simulation.meet` (``sim.meet(contact_id)``), or the people
actions on a deal — ``find_coach`` meets the account's coach (if it has one),
``meet_decision_maker`` its decision makers, ``meet_technical_gatekeeper`` and
``meet_financial_gatekeeper`` its gatekeepers of that kind. A meeting counts from
the following week; the action's own factor counts in its week, as for every action.

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> world = generate(accounts=30, seed=4)
    >>> sim = Simulation(world, seed=4, people=PeopleParams())
    >>> coach = world.contacts[world.contacts.coach].iloc[0]
    >>> sim.meet(int(coach.contact_id))
    >>> int(coach.contact_id) in sim.coverage.met
    True
    >>> list(sim.purchase_factors.columns)
    ['deal_id', 'value', 'need', 'price', 'trust', 'experience', 'need_explicit']
    >>> report = sim.coach_report(int(coach.account_id))
    >>> list(report.columns[4:6]), set(report.risk) <= set(RISK_CODES)
    (['advance_chance', 'loss_chance'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from simfunnel.model.actions import ACTIONS_BY_KEY, PEOPLE_ACTIONS_BY_KEY, STYLE_STEP


@dataclass(frozen=True)
class PeopleParams:
    """The people factors (multipliers of the weekly advance chance). Kit defaults, not course figures.

    Attributes:
        coach_early_factor: × at the ``build_trust`` key step (内部立项) when the account's coach
            has been met. > 1: a coach raises the odds early.
        coach_new_customer_factor: extra × at the early key steps (``customer_analysis``,
            ``build_trust``) when the coach has been met and the account is not an existing
            customer. > 1: a coach matters most in new accounts.
        no_decision_maker_factor: × at the ``win_commitment`` key step (购买承诺) when no
            decision-maker contact of the account has been met. < 1: the deal stalls.
        collective_amount: state-owned accounts decide collectively (三重一大) on deals above this
            amount (in the world's currency).
        collective_min_decision: decision-level contacts that must be met for such a deal.
        collective_factor: × at ``win_commitment`` for such a deal when fewer are met. < 1.
        style_match_factor: × for a present-value action in the audience's whole-brain style. > 1.
        style_mismatch_factor: × for a present-value action in another style. < 1.
        purchase_factor_step: × per level of a purchase factor above the neutral level 3 (÷ per
            level below), on the weekly advance chance at the key steps that weigh the factor
            (:data:`STEP_FACTORS`; the mean level when a step weighs two). > 1: strong factors move
            deals, weak ones hold them back. 1 switches the purchase factors off.
        factor_gain: levels an action adds to the purchase factor it works on (:data:`ACTION_RAISES`),
            capped at level 5, counting from the next week.
        explicit_need_share: share of deals whose need starts explicit (the rest start implied:
            the customer speaks of problems and dissatisfaction, not yet of a clear want; SPIN).
        wants_only_factor: × on a present-value action's factor while the deal's need is implicit
            (the seller presents value to a need the customer has not yet stated). ≤ 1.
        coach_at_risk_ratio: the coach report's ``at_risk`` code: a deal whose advance chance is below
            this share of its stage's plain (no-people) advance chance.
        coach_stall_weeks: the coach report's ``stalled`` code: a deal not at risk that has stayed in
            its stage this many weeks or more.
    """

    coach_early_factor: float = 1.5
    coach_new_customer_factor: float = 1.3
    no_decision_maker_factor: float = 0.5
    collective_amount: float = 500_000.0
    collective_min_decision: int = 2
    collective_factor: float = 0.3
    style_match_factor: float = 1.4
    style_mismatch_factor: float = 0.8
    purchase_factor_step: float = 1.2
    factor_gain: int = 1
    explicit_need_share: float = 0.3
    wants_only_factor: float = 0.6
    coach_at_risk_ratio: float = 0.8
    coach_stall_weeks: int = 6

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ValueError(f"PeopleParams.{f.name} must be a finite number ≥ 0, got {v!r}")
        for name in ("collective_min_decision", "factor_gain", "coach_stall_weeks"):
            if int(getattr(self, name)) != getattr(self, name):
                raise ValueError(f"PeopleParams.{name} must be a whole number, got {getattr(self, name)!r}")
        if self.purchase_factor_step <= 0:
            raise ValueError(f"PeopleParams.purchase_factor_step must be > 0 (1 = factors have no effect), "
                             f"got {self.purchase_factor_step!r}")
        for name in ("explicit_need_share", "wants_only_factor"):
            if getattr(self, name) > 1:
                raise ValueError(f"PeopleParams.{name} must be between 0 and 1, got {getattr(self, name)!r}")


class Coverage:
    """Which contacts of a world the seller has met, with per-account summaries for the simulation.

    Args:
        contacts: the world's contacts table (contact_id, account_id, level, buying_role, coach, brain_type).
        accounts: the world's accounts table (account_id, ownership, existing_customer).
    """

    def __init__(self, contacts: pd.DataFrame, accounts: pd.DataFrame) -> None:
        self._cid = pd.Index(contacts["contact_id"].to_numpy())
        self._acc_index = pd.Index(accounts["account_id"].to_numpy())
        self._c_acc = self._acc_index.get_indexer(contacts["account_id"].to_numpy())
        if (self._c_acc < 0).any():
            bad = contacts["contact_id"].to_numpy()[int(np.flatnonzero(self._c_acc < 0)[0])]
            raise ValueError(f"contact {bad!r} belongs to an unknown account")
        self._contacts = contacts
        self._coach = contacts["coach"].to_numpy(dtype=bool)
        role = contacts["buying_role"].astype(str).to_numpy()
        self._dm = role == "decision_maker"
        self._decision = contacts["level"].astype(str).to_numpy() == "decision"
        self._brain = contacts["brain_type"].astype(str).to_numpy()
        self._met = np.zeros(len(contacts), dtype=bool)
        n_acc = len(accounts)
        self.state_owned = accounts["ownership"].astype(str).to_numpy() == "state_owned"
        self.existing = accounts["existing_customer"].to_numpy(dtype=bool)
        self.has_coach = np.bincount(self._c_acc, weights=self._coach, minlength=n_acc) > 0
        # The default audience of a styled presentation: the account's first decision maker.
        first_dm = np.full(n_acc, -1, dtype=np.int64)
        dm_pos = np.flatnonzero(self._dm)[::-1]  # reversed: the first one is written last
        first_dm[self._c_acc[dm_pos]] = dm_pos
        self._first_dm = first_dm
        self.log: list[tuple[int, int]] = []  # (simulation week when met, contact_id)
        self.left: list[tuple[int, int]] = []  # (simulation week, contact_id): a met coach who left (coach_leaves)

    @property
    def met(self) -> frozenset[int]:
        """The contact ids met so far."""
        return frozenset(self._cid[self._met].tolist())

    def _position(self, contact_id: int) -> int:
        pos = self._cid.get_indexer([contact_id])[0]
        if pos < 0:
            raise ValueError(f"unknown contact {contact_id!r}")
        return int(pos)

    def account_of(self, contact_id: int) -> int:
        """The account id of a contact (ValueError for an unknown contact)."""
        return int(self._acc_index[self._c_acc[self._position(contact_id)]])

    def check(self, contact_id: int, account_id: int | None = None) -> int:
        """The contact's position; ValueError if unknown or (when given) of another account than ``account_id``."""
        if isinstance(contact_id, np.generic):
            contact_id = contact_id.item()
        pos = self._position(contact_id)
        if account_id is not None and self._acc_index[self._c_acc[pos]] != account_id:
            raise ValueError(f"contact {contact_id!r} belongs to account {int(self._acc_index[self._c_acc[pos]])}, "
                             f"not account {account_id!r}")
        return pos

    def meet(self, contact_ids, account_id: int | None = None, week: int = 0) -> None:
        """Mark one contact id, or an iterable of them, met.

        Raises:
            ValueError: naming an unknown contact, or one of another account than ``account_id``
                (then none is marked).
        """
        ids = [contact_ids] if np.ndim(contact_ids) == 0 else list(contact_ids)
        ids = [x.item() if isinstance(x, np.generic) else x for x in ids]
        pos = self._cid.get_indexer(ids)
        if (pos < 0).any():
            raise ValueError(f"unknown contact {ids[int(np.flatnonzero(pos < 0)[0])]!r}")
        if account_id is not None:
            wrong = np.flatnonzero(self._acc_index[self._c_acc[pos]] != account_id)
            if len(wrong):
                self.check(ids[int(wrong[0])], account_id)  # raises, naming the contact
        self._met[pos] = True
        self.log.extend((int(week), int(c)) for c in self._cid[pos])

    def met_weeks(self, contact_ids=None) -> dict[int, int]:
        """Contact id → the week of the meeting that counts now, for the contacts met now (of ``contact_ids``
        only, when given), in the order first met. A coach who left (:attr:`left`) counts again only from a
        meeting logged in or after the week they left."""
        wanted = None if contact_ids is None else {int(c) for c in contact_ids}
        gone = {cid: week for week, cid in self.left}  # chronological: the last departure wins
        out: dict[int, int] = {}
        for week, cid in self.log:  # the meetings so far: a few per week
            if cid not in out and (wanted is None or cid in wanted) and week >= gone.get(cid, week):
                out[cid] = week
        now = self._met[self._cid.get_indexer(list(out))] if out else np.zeros(0, dtype=bool)
        return {cid: week for (cid, week), on in zip(out.items(), now) if on}

    def coaches_leave(self, account_positions, week: int) -> None:
        """The met coaches of these accounts (positions) stop counting as met in ``week`` (logged in :attr:`left`)."""
        gone = np.flatnonzero(self._met & self._coach & np.isin(self._c_acc, account_positions))
        self._met[gone] = False
        self.left.extend((int(week), int(c)) for c in self._cid[gone])

    def save_state(self) -> tuple:
        """The state to put back after a look ahead (:meth:`restore_state`)."""
        return self._met.copy(), len(self.log), len(self.left)

    def restore_state(self, state: tuple) -> None:
        """Put back a state taken by :meth:`save_state`."""
        met, n_log, n_left = state
        self._met[:] = met
        del self.log[n_log:], self.left[n_left:]

    def meet_role(self, account_pos: int, column: str, value, week: int = 0) -> list[int]:
        """Meet every contact of the account (by position) whose ``column`` equals ``value``; their ids."""
        hit = np.flatnonzero((self._c_acc == account_pos) & (self._contacts[column].to_numpy() == value))
        for pos in hit:  # the few contacts of one account
            self._met[pos] = True
            self.log.append((int(week), int(self._cid[pos])))
        return [int(self._cid[p]) for p in hit]

    def account_position(self, account_id: int) -> int:
        """The account's position in the accounts table (ValueError for an unknown account)."""
        if isinstance(account_id, np.generic):
            account_id = account_id.item()
        pos = self._acc_index.get_indexer([account_id])[0]
        if pos < 0:
            raise ValueError(f"unknown account {account_id!r}")
        return int(pos)

    def coach_met(self, account_id: int) -> bool:
        """Whether the seller has met the account's coach (False when it has none; ValueError if unknown)."""
        pos = self.account_position(account_id)
        return bool((self._met & self._coach & (self._c_acc == pos)).any())

    def brain_of(self, contact_id: int) -> str:
        return str(self._brain[self._position(contact_id)])

    def audience_brain(self, account_pos: int) -> str | None:
        """Brain type of the account's first decision maker (None if it has none)."""
        p = self._first_dm[account_pos]
        return None if p < 0 else str(self._brain[p])

    def account_flags(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per account (in account order): coach met, a decision maker met, decision-level contacts met."""
        n = len(self.existing)
        coach_met = np.bincount(self._c_acc, weights=self._met & self._coach, minlength=n) > 0
        dm_met = np.bincount(self._c_acc, weights=self._met & self._dm, minlength=n) > 0
        n_decision = np.bincount(self._c_acc, weights=self._met & self._decision, minlength=n)
        return coach_met, dm_met, n_decision


def people_factors(params: PeopleParams, coverage: Coverage, steps: np.ndarray, account_pos: np.ndarray,
                   amount: np.ndarray) -> np.ndarray:
    """The advance multiplier of each deal (vectorised over deals).

    Args:
        steps: each deal's key step (of its current stage).
        account_pos: each deal's account position in the accounts table.
        amount: each deal's amount.
    """
    coach_met, dm_met, n_decision = coverage.account_flags()
    coach = coach_met[account_pos]
    new = ~coverage.existing[account_pos]
    commit = steps == "win_commitment"
    f = np.ones(len(steps))
    f *= np.where(coach & (steps == "build_trust"), params.coach_early_factor, 1.0)
    early = (steps == "customer_analysis") | (steps == "build_trust")
    f *= np.where(coach & new & early, params.coach_new_customer_factor, 1.0)
    f *= np.where(commit & ~dm_met[account_pos], params.no_decision_maker_factor, 1.0)
    collective = (commit & coverage.state_owned[account_pos] & (amount > params.collective_amount)
                  & (n_decision[account_pos] < params.collective_min_decision))
    f *= np.where(collective, params.collective_factor, 1.0)
    return f


# --- the five purchase factors (购买五要素) and needs vs wants -----------------------------------
PURCHASE_FACTORS = ("value", "need", "price", "trust", "experience")
PURCHASE_FACTOR_LABELS = {
    "value": ("价值", "Value"),
    "need": ("需求", "Need"),
    "price": ("价格", "Price"),
    "trust": ("信赖", "Trust"),
    "experience": ("体验", "Experience"),
}
LEVELS = (1, 2, 3, 4, 5)  # 1 very weak … 3 neutral … 5 very strong
NEUTRAL_LEVEL = 3
LEVEL_SHARES = (0.1, 0.2, 0.4, 0.2, 0.1)  # how a deal's starting levels are drawn (each factor independently)
# Which factors each key step weighs (the mean level when two).
STEP_FACTORS = {
    "customer_analysis": ("need",),
    "build_trust": ("trust",),
    "dig_for_needs": ("need",),
    "present_value": ("value", "experience"),
    "win_commitment": ("price", "trust"),
}
# Which factor each action works on (raised by ``factor_gain`` levels from the next week).
ACTION_RAISES = {
    "needs_interview": "need",
    "joint_plan": "need",
    "arrange_demo": "value",
    "meet_technical_gatekeeper": "value",
    "propose_trial": "experience",
    "reference_visit": "trust",
    "find_coach": "trust",
    "meet_decision_maker": "trust",
    "agree_budget": "price",
    "meet_financial_gatekeeper": "price",
    # relationship actions build 信赖 (issue 13): here the deal's trust factor, in every simulation the account's
    # trust (simfunnel.model.actions)
    "send_brochure": "trust",
    "friendly_dinner": "trust",
    "courtesy_call": "trust",
}
DIG_STEP = "dig_for_needs"
DIG_ACTION = "needs_interview"
# Present-value actions for needs vs wants: these, taken at a stage whose key step is present_value.
PRESENT_VALUE_ACTIONS = ("arrange_demo", "propose_trial", "reference_visit")
# The seeded stream of the starting levels: default_rng([seed, PURCHASE_STREAM]). Far above any week
# number, so it never meets the weekly draws default_rng([seed, week]).
PURCHASE_STREAM = 0x5046_0005
RISK_CODES = {
    "at_risk": ("有风险", "At risk"),
    "stalled": ("停滞", "Stalled"),
    "moving": ("推进中", "Moving"),
}


class PurchaseFactors:
    """Each deal's five purchase-factor levels and whether its need is explicit (the simulation's state).

    The starting state is drawn from its own stream, ``default_rng([seed, PURCHASE_STREAM])``: a
    ``(deals × 6)`` block of uniforms in world deal order — five levels by :data:`LEVEL_SHARES`, then
    need explicit with chance ``explicit_need_share``. It then changes only through the actions
    (:meth:`apply`), so a replay of the actions rebuilds it exactly.

    Args:
        n_deals: deals of the world (all of them, in world order).
        seed: the simulation's seed.
        params: the :class:`PeopleParams`.
        stage_steps: the key step of each open stage of the funnel, in order.
    """

    def __init__(self, n_deals: int, seed: int, params: PeopleParams, stage_steps) -> None:
        u = np.random.default_rng([int(seed), PURCHASE_STREAM]).random((int(n_deals), len(PURCHASE_FACTORS) + 1))
        cuts = np.cumsum(LEVEL_SHARES)[:-1]
        self.levels = (np.searchsorted(cuts, u[:, :-1], side="right") + LEVELS[0]).astype(np.int8)
        self.need_explicit = u[:, -1] < params.explicit_need_share
        self.params = params
        self.stage_steps = np.asarray(stage_steps, dtype=object)
        weights = np.zeros((len(self.stage_steps), len(PURCHASE_FACTORS)))
        for i, step in enumerate(self.stage_steps):  # the funnel's few stages
            names = STEP_FACTORS.get(step, ())
            for name in names:
                weights[i, PURCHASE_FACTORS.index(name)] = 1.0 / len(names)
        self._weights = weights
        self._log_step = float(np.log(params.purchase_factor_step))

    def factor(self, pos: np.ndarray, st: np.ndarray) -> np.ndarray:
        """The advance multiplier of deals at positions ``pos`` at open stages ``st``:
        ``purchase_factor_step ** (mean level of the stage's factors − 3)``; exactly 1 at the neutral level."""
        if self._log_step == 0.0:
            return np.ones(len(pos))
        mean = np.einsum("ij,ij->i", self.levels[pos].astype(float), self._weights[st])
        return np.exp((mean - NEUTRAL_LEVEL * self._weights[st].sum(axis=1)) * self._log_step)

    def action_factor(self, key: str, stage: int, position: int) -> float:
        """Needs vs wants: × ``wants_only_factor`` for a present-value action at a present-value
        stage while the deal's need is implicit; 1 otherwise."""
        if (key in PRESENT_VALUE_ACTIONS and self.stage_steps[stage] == STYLE_STEP
                and not self.need_explicit[position]):
            return self.params.wants_only_factor
        return 1.0

    def apply(self, pos: np.ndarray, st: np.ndarray, keys: np.ndarray) -> None:
        """After a week: the actions ``keys`` taken on deals ``pos`` (at stages ``st`` when acted on) raise
        their factor and dig for needs (``needs_interview`` anywhere, or any advance action at a
        dig-for-needs stage, makes the need explicit)."""
        kinds = {**{k: a.kind for k, a in ACTIONS_BY_KEY.items()}, **{k: a.kind for k, a in PEOPLE_ACTIONS_BY_KEY.items()}}
        for p, s, key in zip(pos, st, keys):  # the week's handful of actions
            name = ACTION_RAISES.get(key)
            if name is not None:
                j = PURCHASE_FACTORS.index(name)
                self.levels[p, j] = min(int(self.levels[p, j]) + int(self.params.factor_gain), LEVELS[-1])
            if key == DIG_ACTION or (self.stage_steps[s] == DIG_STEP and kinds.get(key) == "advance"):
                self.need_explicit[p] = True

    def frame(self, ids: np.ndarray, pos: np.ndarray) -> pd.DataFrame:
        """deal_id, the five levels and need_explicit of the deals at positions ``pos``."""
        out = pd.DataFrame({"deal_id": ids[pos]})
        for j, name in enumerate(PURCHASE_FACTORS):
            out[name] = self.levels[pos, j]
        out["need_explicit"] = self.need_explicit[pos]
        return out


# --- who to meet: a what-if over whole worlds ---------------------------------------------------
COVERAGE_GROUPS = {
    "nobody": ("没有拜访任何人", "nobody met"),
    "coaches": ("只见向导", "coaches only"),
    "decision_makers": ("只见决策者", "decision makers only"),
    "coaches_and_decision_level": ("向导 + 决策层", "coaches + decision level"),
}


def coverage_groups(contacts: pd.DataFrame) -> dict[str, list[int]]:
    """The contact ids of each group of :data:`COVERAGE_GROUPS` in a world's contacts table."""
    coach = contacts["coach"].to_numpy(dtype=bool)
    dm = contacts["buying_role"].astype(str).to_numpy() == "decision_maker"
    decision = contacts["level"].astype(str).to_numpy() == "decision"
    ids = contacts["contact_id"].to_numpy()
    return {"nobody": [], "coaches": ids[coach].tolist(), "decision_makers": ids[dm].tolist(),
            "coaches_and_decision_level": ids[coach | dm | decision].tolist()}
