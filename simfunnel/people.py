"""People move deals: the seller's coverage of an account changes the odds of an advance.

An **opt-in** layer of the :class:`~simfunnel.simulate.Simulation`:
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

Meeting people: :meth:`Simulation.meet` (``sim.meet(contact_id)``), or the people
actions on a deal — ``find_coach`` meets the account's coach (if it has one),
``meet_decision_maker`` its decision makers, ``meet_technical_gatekeeper`` and
``meet_financial_gatekeeper`` its gatekeepers of that kind. A meeting counts from
the following week; the action's own factor counts in its week, as for every action.

Example:
    >>> from simfunnel.generate import generate
    >>> from simfunnel.simulate import Simulation
    >>> world = generate(accounts=30, seed=4)
    >>> sim = Simulation(world, seed=4, people=PeopleParams())
    >>> coach = int(world.contacts.contact_id[world.contacts.coach].iloc[0])
    >>> sim.meet(coach)
    >>> coach in sim.coverage.met
    True
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .funnel import Funnel
from .simulate import Action

BRAIN_STYLES = ("A", "B", "C", "D")


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
    """

    coach_early_factor: float = 1.5
    coach_new_customer_factor: float = 1.3
    no_decision_maker_factor: float = 0.5
    collective_amount: float = 500_000.0
    collective_min_decision: int = 2
    collective_factor: float = 0.3
    style_match_factor: float = 1.4
    style_mismatch_factor: float = 0.8

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise ValueError(f"PeopleParams.{f.name} must be a finite number ≥ 0, got {v!r}")
        if int(self.collective_min_decision) != self.collective_min_decision:
            raise ValueError(f"PeopleParams.collective_min_decision must be a whole number, got "
                             f"{self.collective_min_decision!r}")


# Actions that only exist with people on: meeting someone. Their own weekly factor is neutral (1.0):
# what they change is the coverage, from the next week.
PEOPLE_ACTIONS: tuple[Action, ...] = (
    Action("meet_technical_gatekeeper", "拜访技术把关者", "Meet the technical gatekeeper", "advance",
           ("customer_analysis", "dig_for_needs", "present_value"), 1.0, 1.0,
           "技术把关者（驴）决定我们是否符合标准。",
           "The technical gatekeeper (donkey) decides whether we meet the criteria."),
    Action("meet_financial_gatekeeper", "拜访财务把关者", "Meet the financial gatekeeper", "advance",
           ("customer_analysis", "build_trust", "win_commitment"), 1.0, 1.0,
           "财务把关者（驴）守着预算。",
           "The financial gatekeeper (donkey) guards the budget."),
)
PEOPLE_ACTIONS_BY_KEY = {a.key: a for a in PEOPLE_ACTIONS}

# Which contacts an action meets: (column, value) of the deal's account's contacts.
MEETS = {
    "find_coach": ("coach", True),
    "meet_decision_maker": ("buying_role", "decision_maker"),
    "meet_technical_gatekeeper": ("buying_role", "technical_gatekeeper"),
    "meet_financial_gatekeeper": ("buying_role", "financial_gatekeeper"),
}
# Present-value actions: the ones a style applies to.
STYLE_STEP = "present_value"


def people_actions_for(funnel: Funnel, stage_key: str) -> list[Action]:
    """The people-only actions (meeting gatekeepers) that fit this open stage."""
    if stage_key not in funnel.keys:
        return []
    step = funnel.stage(stage_key).key_step
    return [a for a in PEOPLE_ACTIONS if step in a.key_steps]


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

    def meet_role(self, account_pos: int, column: str, value, week: int = 0) -> list[int]:
        """Meet every contact of the account (by position) whose ``column`` equals ``value``; their ids."""
        hit = np.flatnonzero((self._c_acc == account_pos) & (self._contacts[column].to_numpy() == value))
        for pos in hit:  # the few contacts of one account
            self._met[pos] = True
            self.log.append((int(week), int(self._cid[pos])))
        return [int(self._cid[p]) for p in hit]

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


def parse_style(value) -> tuple[str, int | None]:
    """``"A"`` or ``("A", contact_id)`` → (style, contact_id or None); ValueError otherwise."""
    if isinstance(value, str):
        style, contact = value, None
    elif isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[0], str):
        style, contact = value[0], value[1]
    else:
        raise ValueError(f"a style is 'A'…'D' or (style, contact_id), got {value!r}")
    if style not in BRAIN_STYLES:
        raise ValueError(f"unknown style {style!r}; styles are {', '.join(BRAIN_STYLES)}")
    return style, contact
