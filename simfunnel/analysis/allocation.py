"""Where sellers spend their time: split seller weeks across the attack/defend segments, run a year.

The resource-allocation exercise of the attack/defend model (攻守模型, :mod:`simfunnel.model.segments`).
The trainee gives each segment a number of **seller weeks**; :func:`simulate_allocation` runs a
real :class:`~simfunnel.model.simulate.Simulation` of the world for a year (52 weeks) in which that time
is spent, week by week, as seller actions on the segment's deals and visits to its customers, and
reports what it bought: revenue, new customers won, customers kept and lost, and what winning a
new customer cost against keeping one.

**How the time is spent.** Capacity = ``sellers × weeks_per_seller`` seller weeks
(:meth:`AllocationParams.capacity`; the workshop world: 8 sellers × 46 = 368). A segment given
``W`` seller weeks has ``W × actions_per_seller_week`` customer actions for the year, spread
evenly over its weeks (week *w* gets ``⌊A·w/52⌋ − ⌊A·(w−1)/52⌋``). Each week, each segment
spends its actions in this order:

1. **Care (retention first).** Each existing customer of the segment that is behind its care
   schedule — fewer touches so far than ``care_actions_to_keep × w / 52`` — gets one visit,
   largest yearly sales with us first (``potential × share_of_wallet``, then account id). The
   visit is an action on the customer's largest open deal when it has one, else a relationship
   visit (no deal moves).
2. **Deals.** The rest works the segment's largest open deals (amount, then deal id) not yet
   acted on that week.
3. What is left — no deal to work, no customer due — is **idle** time (``weeks_idle``), and so is
   the part of an action that fractional weeks leave over (2.3 weeks × 5 = 11.5: 11 actions).

An action on a deal is the fitting advance action (:func:`~simfunnel.model.actions.actions_for`)
with the largest ``advance_factor`` (ties: the smaller ``loss_factor``): more time on a segment
really moves its deals, through the simulation's own odds. Every action or visit on an account
is a **touch**.

**Churn.** At the end of the year an existing customer is lost with chance
``churn_cared + (churn_unattended − churn_cared) × max(0, 1 − touches / care_actions_to_keep)``:
``churn_unattended`` with no seller time, ``churn_cared`` with full care. Churn is judged at the
year's end (the customer does not renew), so it does not change the year's deals; its price is
``sales_lost_to_churn``, the yearly sales with the customers lost (``potential × share_of_wallet``).

**Common random numbers.** The simulation draws week *w*'s uniforms from
``default_rng([seed, w])`` whatever the actions, and churn draws one uniform per account from its
own stream, ``default_rng([seed, 0, 5])``. So the same seed with another allocation differs only
by what the allocation changed; an allocation of zero weeks *is* the plain
``Simulation(world, seed).run(52)``, and every result carries that run's figures as the
"no seller time" counterfactual (``revenue_no_time``, ``new_customers_no_time``,
``churned_no_time``).

**Costs.** A seller week costs ``cost_per_seller_week``; an action costs a
``1/actions_per_seller_week`` share of it. Care actions are **retention** cost; deal actions at
accounts that are not customers yet **acquisition** cost; deal actions at existing customers
**development** cost (growing our share of their wallet); time left unused **idle** cost. The four
add up to ``weeks_allocated × cost_per_seller_week``. (Deal actions at a customer count as touches
against churn too, but are charged to development.) A customer is priced two ways:

- *average*, as a CRM report would: ``cost_per_new_customer`` = acquisition cost / new customers
  won, ``cost_per_retained_customer`` = retention cost / customers retained — the customers the
  world wins or keeps without any seller time dilute both;
- *causal*, against the same year with no seller time (exact, thanks to the common random
  numbers): ``cost_per_extra_new_customer`` = acquisition cost / (new customers − new customers
  with no seller time), ``cost_per_customer_saved`` = retention cost / (customers lost with no
  seller time − customers lost). NaN when the time gained none. :attr:`AllocationResult.cost_ratio`
  is the first over the second: the figure to hold against the course's 5–10×.

**Which figures are whose.** Every :class:`AllocationParams` field says whether it is a kit
default or a folk figure. The course's rules of thumb — existing customers convert ~50% vs ~15%
for new ones; keeping a customer costs 1/5–1/10 of winning one — and a sales folk figure the
course's text does not support — 5 points more retention → 25–60% more profit — are *labelled
references* the kit shows next to what the simulation
measured (``win_rate_existing`` / ``win_rate_new``, :attr:`AllocationResult.cost_ratio`,
``retention_rate``); they are not built into the simulated world. In the kit's world existing and
new accounts' deals follow the same funnel odds, which is itself a point for discussion.

The chart is :func:`simfunnel.plots.allocation_chart`, the widget
:class:`simfunnel.widgets.AllocationExercise`. This module draws nothing and imports only numpy
and pandas (and the kit's pure modules).

Example:
    >>> from simfunnel.model.generate import generate
    >>> world = generate(accounts=60, seed=3)
    >>> r = simulate_allocation(world, {"attack": 40, "defend": 30}, seed=3)
    >>> r.allocation
    {'defend': 30.0, 'attack': 40.0, 'maintain': 0.0, 'monitor': 0.0}
    >>> r.sellers, r.capacity, r.weeks_left
    (3, 138.0, 68.0)
    >>> int(r.totals["customers_at_start"]) == int(world.accounts.existing_customer.sum())
    True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.model.funnel import Funnel
from simfunnel.model.history import History
from simfunnel.model.segments import Segmentation, segment_accounts
from simfunnel.model.simulate import Simulation
from simfunnel.model.actions import actions_for
from simfunnel.model.generate import world_from_history

if TYPE_CHECKING:
    from simfunnel.model.generate import World

__all__ = ["RESULT_COLUMNS", "AllocationParams", "AllocationResult", "best_action", "simulate_allocation",
           "weeks_by_key"]

YEAR_WEEKS = 52
CHURN_STREAM = (0, 5)  # churn draws: default_rng([seed, 0, 5]), apart from the weekly [seed, w]
TOTAL = "total"
TOTAL_LABEL = ("合计", "Total")

# (column, unit, zh, en): the columns of AllocationResult.table, in order.
RESULT_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("accounts", "accounts", "客户数", "Accounts"),
    ("customers_at_start", "accounts", "年初老客户", "Customers at start"),
    ("weeks_allocated", "seller weeks", "分配的人周", "Seller weeks allocated"),
    ("weeks_used", "seller weeks", "用掉的人周", "Seller weeks used"),
    ("weeks_idle", "seller weeks", "闲置的人周", "Seller weeks idle"),
    ("care_actions", "actions", "客户维护动作", "Care actions"),
    ("deal_actions", "actions", "商机推进动作", "Deal actions"),
    ("revenue", "currency", "成交额", "Revenue"),
    ("revenue_no_time", "currency", "不投入时间时的成交额", "Revenue with no seller time"),
    ("revenue_gain", "currency", "时间带来的成交额", "Revenue gained"),
    ("deals_won", "deals", "赢单数", "Deals won"),
    ("new_customers", "accounts", "新赢得客户", "New customers won"),
    ("new_customers_no_time", "accounts", "不投入时间时的新客户", "New customers with no seller time"),
    ("repeat_buyers", "accounts", "再次购买的老客户", "Existing customers who bought"),
    ("retained_customers", "accounts", "保留的老客户", "Customers retained"),
    ("churned_customers", "accounts", "流失的老客户", "Customers lost"),
    ("churned_no_time", "accounts", "不投入时间时的流失", "Customers lost with no seller time"),
    ("retention_rate", "share", "老客户保留率", "Retention rate"),
    ("sales_lost_to_churn", "currency per year", "流失客户的年销售额", "Yearly sales of customers lost"),
    ("acquisition_cost", "currency", "获客成本", "Acquisition cost"),
    ("retention_cost", "currency", "保留成本", "Retention cost"),
    ("development_cost", "currency", "老客户增长成本", "Development cost"),
    ("idle_cost", "currency", "闲置时间成本", "Cost of idle time"),
    ("cost_per_new_customer", "currency per customer", "每个新客户的成本", "Cost per new customer"),
    ("cost_per_retained_customer", "currency per customer", "每个保留客户的成本", "Cost per retained customer"),
    ("cost_per_extra_new_customer", "currency per customer", "每个多赢得的新客户的成本",
     "Cost per extra new customer"),
    ("cost_per_customer_saved", "currency per customer", "每个多保住的老客户的成本", "Cost per customer saved"),
    ("win_rate_existing", "share", "老客户商机赢率", "Win rate, existing customers"),
    ("win_rate_new", "share", "新客户商机赢率", "Win rate, new accounts"),
)
# The columns of the allocation tables that count things (whole numbers); the others are amounts or shares.
COUNT_COLUMNS = ("accounts", "customers_at_start", "care_actions", "deal_actions", "deals_won", "new_customers",
           "new_customers_no_time", "repeat_buyers", "retained_customers", "churned_customers", "churned_no_time")


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(float(value))


@dataclass(frozen=True)
class AllocationParams:
    """The knobs of the allocation exercise. Each says whose figure it is.

    Kit defaults (the kit's own, not figures from the course; a trainer changes them):

    Attributes:
        sellers: sellers sharing the year's time; ``None`` (default) = the world's sellers (the
            distinct ``owner`` of its accounts: 8 in the workshop world).
        weeks_per_seller: selling weeks per seller per year (default 46: 52 less holidays,
            training and internal work).
        actions_per_seller_week: customer actions a seller week buys — a deal action or a care
            visit (default 5: one a working day).
        cost_per_seller_week: what a seller week costs, salary, travel and overhead, in the
            world's currency (default 10,000).
        churn_unattended: yearly chance that an existing customer who gets no seller time leaves
            (default 0.25).
        churn_cared: the same chance with full care (default 0.05).
        care_actions_to_keep: touches a year that give full care (default 6: one every two
            months); churn falls linearly from ``churn_unattended`` to ``churn_cared`` as the
            touches go from 0 to this.

    Folk figures from the course (labelled references shown next to what the simulation
    measured; the simulated world does not assume them):

    Attributes:
        folk_acquisition_cost_ratio: winning a new customer costs this many times keeping one
            (default ``(5, 10)``: keeping costs 1/5–1/10 of winning).
        folk_conversion_existing: share of an existing customer's opportunities that convert
            (default 0.50).
        folk_conversion_new: the same for a new customer (default 0.15).
        folk_retention_points: retention gain of the profit rule of thumb (default 0.05: 5 points).
        folk_profit_gain: the profit gain it brings (default ``(0.25, 0.60)``: 25–60% more profit; a sales
            folk figure, not from the course).

    Example:
        >>> AllocationParams(sellers=1).capacity()
        46.0
    """

    sellers: int | None = None
    weeks_per_seller: float = 46.0
    actions_per_seller_week: float = 5.0
    cost_per_seller_week: float = 10_000.0
    churn_unattended: float = 0.25
    churn_cared: float = 0.05
    care_actions_to_keep: float = 6.0
    folk_acquisition_cost_ratio: tuple[float, float] = (5.0, 10.0)
    folk_conversion_existing: float = 0.50
    folk_conversion_new: float = 0.15
    folk_retention_points: float = 0.05
    folk_profit_gain: tuple[float, float] = (0.25, 0.60)

    def __post_init__(self) -> None:
        if self.sellers is not None and (not _number(self.sellers) or int(self.sellers) != self.sellers
                                         or self.sellers < 1):
            raise ValueError(f"AllocationParams.sellers must be None (the world's sellers) or a whole number ≥ 1, "
                             f"got {self.sellers!r}")
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "sellers":
                continue
            items = v if isinstance(v, tuple) else (v,)
            if isinstance(v, tuple) and len(v) != 2:
                raise ValueError(f"AllocationParams.{f.name} must be a pair (low, high), got {v!r}")
            if not all(_number(x) and x >= 0 for x in items):
                raise ValueError(f"AllocationParams.{f.name} must be a finite number ≥ 0, got {v!r}")
            if isinstance(v, tuple):
                if v[0] > v[1]:
                    raise ValueError(f"AllocationParams.{f.name}: low {v[0]!r} is above high {v[1]!r}")
                object.__setattr__(self, f.name, (float(v[0]), float(v[1])))
        if not 0 < self.weeks_per_seller <= YEAR_WEEKS:
            raise ValueError(f"AllocationParams.weeks_per_seller must be in (0, {YEAR_WEEKS}], "
                             f"got {self.weeks_per_seller!r}")
        for name in ("actions_per_seller_week", "care_actions_to_keep", "folk_retention_points"):
            if getattr(self, name) <= 0:
                raise ValueError(f"AllocationParams.{name} must be more than 0, got {getattr(self, name)!r}")
        for name in ("churn_unattended", "churn_cared", "folk_conversion_existing", "folk_conversion_new"):
            if getattr(self, name) > 1:
                raise ValueError(f"AllocationParams.{name} is a share: between 0 and 1, got {getattr(self, name)!r}")
        if self.churn_cared > self.churn_unattended:
            raise ValueError(f"AllocationParams.churn_cared ({self.churn_cared}) must not exceed churn_unattended "
                             f"({self.churn_unattended}): care keeps customers")

    def sellers_of(self, world: Any = None) -> int:
        """The sellers sharing the time: ``sellers``, else the world's (distinct account owners, at least 1)."""
        if self.sellers is not None:
            return int(self.sellers)
        if world is None:
            raise ValueError("AllocationParams.sellers is None (the world's sellers): give the world")
        owner = world.accounts["owner"] if "owner" in world.accounts.columns else pd.Series([], dtype=object)
        return max(1, int(owner.nunique()))

    def capacity(self, world: Any = None) -> float:
        """Seller weeks available in the year: ``sellers × weeks_per_seller``."""
        return float(self.sellers_of(world) * self.weeks_per_seller)


def best_action(funnel: Funnel, stage_key: str) -> str:
    """The key of the fitting advance action with the largest advance factor (ties: the smaller loss factor).

    Example:
        >>> best_action(Funnel.preset("key-account"), "criteria")
        'joint_plan'
    """
    fitting = [a for a in actions_for(funnel, stage_key) if a.kind == "advance" and a.advance_factor > 0]
    if not fitting:
        raise ValueError(f"stage {stage_key!r}: no advance action fits it")
    return max(fitting, key=lambda a: (a.advance_factor, -a.loss_factor)).key


@dataclass(frozen=True)
class AllocationResult:
    """What a year with an allocation of seller weeks gave.

    Attributes:
        allocation: seller weeks per segment key (all keys, in quadrant order).
        table: one row per segment key plus ``"total"`` (index ``segment``); columns and units in
            :data:`RESULT_COLUMNS` (ratios are NaN where nothing divides).
        accounts: one row per account: ``account_id``, ``segment``, ``existing_customer``,
            ``touches`` (actions and visits), ``churn_chance``, ``churned``, ``revenue``,
            ``won`` (at least one deal won in the year).
        history: the simulated year (the actions are in ``history.events.action``).
        capacity: seller weeks available (``sellers × weeks_per_seller``); ``sellers``.
        seed, weeks, currency, params, segmentation: what produced it.
    """

    allocation: dict[str, float]
    table: pd.DataFrame
    accounts: pd.DataFrame
    history: History
    capacity: float
    sellers: int
    seed: int
    weeks: int
    currency: str
    params: AllocationParams = field(repr=False)
    segmentation: Segmentation = field(repr=False)

    @property
    def totals(self) -> pd.Series:
        """The ``"total"`` row of :attr:`table`."""
        return self.table.loc[TOTAL]

    @property
    def cost_ratio(self) -> float:
        """Cost per extra new customer ÷ cost per customer saved, over the whole book (the course's folk
        figure: 5–10, ``params.folk_acquisition_cost_ratio``); NaN when either is undefined."""
        new, kept = self.totals["cost_per_extra_new_customer"], self.totals["cost_per_customer_saved"]
        return float(new / kept) if np.isfinite(new) and np.isfinite(kept) and kept > 0 else float("nan")

    @property
    def weeks_left(self) -> float:
        """Seller weeks not allocated (capacity − allocated)."""
        return self.capacity - float(sum(self.allocation.values()))

    def label(self, key: str, lang: str | None = None) -> str:
        """The name of a segment key, or of ``"total"``, in ``lang``."""
        return i18n.text(TOTAL_LABEL, lang) if key == TOTAL else self.segmentation.label(key, lang)

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """:attr:`table` with a first column ``label``: each row's name in ``lang`` (default: the current one)."""
        out = self.table.copy()
        out.insert(0, "label", [self.label(k, lang) for k in out.index])
        return out


# --- validation ----------------------------------------------------------------------------
def weeks_by_key(weeks_by_segment: Mapping[str, float], keys: list[str], what: str,
                 most: float = math.inf) -> dict[str, float]:
    """Seller weeks for each of ``keys`` (missing → 0), each a finite number in [0, ``most``].

    ValueError names ``what`` and the segment: an unknown key, a value that is not such a number.

    Example:
        >>> weeks_by_key({"attack": 3}, ["defend", "attack"], "weeks")
        {'defend': 0.0, 'attack': 3.0}
    """
    if not isinstance(weeks_by_segment, Mapping):
        raise ValueError(f"{what}: give a mapping segment → seller weeks, e.g. {{'attack': 20}}, "
                         f"got {type(weeks_by_segment).__name__}")
    unknown = [k for k in weeks_by_segment if k not in keys]
    if unknown:
        raise ValueError(f"{what}: unknown segment {unknown[0]!r} (segments: {', '.join(keys)})")
    out = {}
    for key in keys:
        v = weeks_by_segment.get(key, 0.0)
        if not _number(v) or not 0 <= v <= most:
            raise ValueError(f"{what}[{key!r}]: seller weeks must be a number between 0 and {most:g}, got {v!r}")
        out[key] = float(v)
    return out


def _check_allocation(weeks_by_segment: Mapping[str, float], seg: Segmentation, capacity: float,
                      sellers: int, params: AllocationParams) -> dict[str, float]:
    out = weeks_by_key(weeks_by_segment, seg.keys, "weeks_by_segment")
    total = sum(out.values())
    if total > capacity + 1e-9:
        raise ValueError(f"weeks_by_segment: {total:g} seller weeks allocated, over the capacity of {capacity:g} "
                         f"({sellers} sellers × {params.weeks_per_seller:g} weeks) by {total - capacity:g}")
    return out


def as_world(world: Any, seed: int) -> World:
    """A :class:`~simfunnel.model.generate.World` as given, or rebuilt from a History (seeded); ValueError otherwise."""
    if isinstance(world, History):
        return world_from_history(world, seed=seed)
    for name in ("accounts", "deals", "funnel", "weeks"):
        if not hasattr(world, name):
            raise ValueError(f"world: expected a World (simfunnel.model.generate) or a History, got {type(world).__name__}")
    return world


# --- the year ----------------------------------------------------------------------------
class _Plan:
    """The world's deals and accounts as arrays, in the orders the weekly policy needs."""

    def __init__(self, world: World, codes: np.ndarray, params: AllocationParams) -> None:
        acc, d = world.accounts, world.deals
        self.n_acc = len(acc)
        self.acc_pos = pd.Index(acc["account_id"].to_numpy()).get_indexer(d["account_id"].to_numpy())
        if (self.acc_pos < 0).any():
            row = int(np.flatnonzero(self.acc_pos < 0)[0])
            bad, account = d["deal_id"].iloc[row], d["account_id"].iloc[row]
            raise ValueError(f"deal {bad}: its account {account} is not in world.accounts (the allocation needs every "
                             "deal's account)")
        self.existing = acc["existing_customer"].astype(str).str.lower().isin(["true", "1"]).to_numpy() \
            if "existing_customer" in acc.columns else np.zeros(self.n_acc, bool)
        self.codes = codes
        self.ids = d["deal_id"].to_numpy()
        self.created = d["created_week"].to_numpy(dtype=np.int64)
        self.amount = d["amount"].to_numpy(dtype=float)
        self.deal_seg = codes[self.acc_pos]
        order = np.lexsort((self.ids, -self.amount))  # largest first, then deal id
        self.seg_deals = [order[self.deal_seg[order] == s] for s in range(4)]
        value = acc["potential"].to_numpy(dtype=float) * acc["share_of_wallet"].to_numpy(dtype=float)
        acc_ids = acc["account_id"].to_numpy()
        acc_order = np.lexsort((acc_ids, -value))
        self.seg_customers = [acc_order[(codes[acc_order] == s) & self.existing[acc_order]] for s in range(4)]
        self.yearly_sales = value
        self.best = np.array([best_action(world.funnel, k) for k in world.funnel.keys], dtype=object)
        self.n_open = len(world.funnel)
        self.params = params


def _spend_year(sim: Simulation, plan: _Plan, actions_per_year: np.ndarray, weeks: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step ``sim`` through ``weeks`` weeks spending each segment's actions.

    Returns per account the care actions (a visit or an action on its largest deal) and the deal
    actions of the deal step, per segment the idle actions, and per account the relationship
    visits (care actions that moved no deal).
    """
    care = np.zeros(plan.n_acc, np.int64)
    work = np.zeros(plan.n_acc, np.int64)
    visits = np.zeros(plan.n_acc, np.int64)
    idle = np.zeros(4, float)
    target = plan.params.care_actions_to_keep
    done = np.zeros(4, np.int64)
    for w in range(1, weeks + 1):  # one step per week, vectorised over deals and accounts
        quota = np.floor(actions_per_year * w / weeks + 1e-9).astype(np.int64)
        caps, done = quota - done, quota
        cared: list[np.ndarray] = []
        worked: list[np.ndarray] = []
        stage = sim.stage_codes()
        if caps.any():
            active = (plan.created < w) & (stage < plan.n_open)
            touches = care + work
            for s in np.flatnonzero(caps):
                cap = int(caps[s])
                deals = plan.seg_deals[s][active[plan.seg_deals[s]]]
                customers = plan.seg_customers[s]
                due = customers[touches[customers] < target * w / weeks][:cap]
                picked = np.zeros(0, np.int64)
                if due.size:  # a due customer's largest open deal: its first in the largest-first order
                    accs, first = np.unique(plan.acc_pos[deals], return_index=True)
                    largest = np.full(plan.n_acc, -1, np.int64)
                    largest[accs] = deals[first]
                    picked = largest[due]
                    visits[due[picked < 0]] += 1
                    care[due] += 1
                    picked = picked[picked >= 0]
                    cap -= due.size
                rest = deals[~np.isin(deals, picked)][:cap] if cap > 0 else np.zeros(0, np.int64)
                idle[s] += cap - rest.size
                cared.append(picked)
                worked.append(rest)
        acts = np.concatenate(cared + worked) if cared else np.zeros(0, np.int64)
        if acts.size:
            if worked:
                np.add.at(work, plan.acc_pos[np.concatenate(worked)], 1)
            sim.step(dict(zip(plan.ids[acts].tolist(), plan.best[stage[acts]].tolist())))
        else:
            sim.step()
    idle += np.maximum(actions_per_year - done, 0.0)  # a part of an action left over (2.3 weeks × 5 = 11.5)
    return care, work, idle, visits


def _won(sim: Simulation, plan: _Plan) -> tuple[np.ndarray, np.ndarray]:
    stage = sim.stage_codes()
    return stage == plan.n_open, stage == plan.n_open + 1


def simulate_allocation(
    world: World | History,
    weeks_by_segment: Mapping[str, float],
    seed: int = 2026,
    params: AllocationParams | None = None,
    segmentation: Segmentation | None = None,
    *,
    weeks: int = YEAR_WEEKS,
) -> AllocationResult:
    """Run a year of the world with seller weeks allocated to segments; see module doc for the rules.

    Args:
        world: a :class:`~simfunnel.model.generate.World`, or a simulated :class:`~simfunnel.model.history.History`
            with accounts (rebuilt with :func:`~simfunnel.model.generate.world_from_history`).
        weeks_by_segment: seller weeks per segment key (``{"attack": 120, "defend": 80}``);
            missing keys get 0.
        seed: the simulation's seed (common random numbers: the same seed and another allocation
            differ only by what the allocation changed).
        params: :class:`AllocationParams` (capacity, costs, churn, folk references).
        segmentation: :class:`~simfunnel.model.segments.Segmentation` (default: the kit's cut-offs).
        weeks: length of the run (default 52, a year); the time is spread over these weeks.

    Returns:
        An :class:`AllocationResult`.

    Raises:
        ValueError: an unknown segment, negative or non-numeric weeks, a total over the capacity
            (with the numbers), a world shorter than ``weeks``, a deal whose account is unknown.
    """
    params = params or AllocationParams()
    if not isinstance(params, AllocationParams):
        raise ValueError(f"params must be an AllocationParams, got {type(params).__name__}")
    seg = segmentation or Segmentation()
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if not isinstance(weeks, numbers.Integral) or isinstance(weeks, bool) or weeks < 1:
        raise ValueError(f"weeks must be a whole number ≥ 1, got {weeks!r}")
    world = as_world(world, int(seed))
    weeks = int(weeks)
    if world.weeks < weeks:
        raise ValueError(f"the world has arrivals for {world.weeks} weeks; the year needs {weeks} "
                         f"(generate(weeks={weeks}) a longer one)")
    sellers = params.sellers_of(world)
    capacity = params.capacity(world)
    allocation = _check_allocation(weeks_by_segment, seg, capacity, sellers, params)
    table = segment_accounts(world.accounts, seg)
    codes = table["segment"].cat.codes.to_numpy().astype(np.int64)
    plan = _Plan(world, codes, params)

    per_year = np.array([allocation[k] * params.actions_per_seller_week for k in seg.keys])
    sim = Simulation(world, seed=int(seed))
    care, work, idle, visits = _spend_year(sim, plan, per_year, weeks)
    touches = care + work
    if per_year.sum() > 0:
        base = Simulation(world, seed=int(seed))
        base.run(weeks)
    else:
        base = sim  # zero seller time is the plain simulation

    p = params
    churn_chance = p.churn_cared + (p.churn_unattended - p.churn_cared) * np.maximum(
        0.0, 1.0 - touches / p.care_actions_to_keep)
    u = np.random.default_rng([int(seed), *CHURN_STREAM]).random(plan.n_acc)
    churned = plan.existing & (u < churn_chance)
    churned_base = plan.existing & (u < p.churn_unattended)

    won, lost = _won(sim, plan)
    won_b, _ = _won(base, plan)
    acc_revenue = np.bincount(plan.acc_pos[won], weights=plan.amount[won], minlength=plan.n_acc)
    acc_won = np.bincount(plan.acc_pos[won], minlength=plan.n_acc) > 0
    acc_won_b = np.bincount(plan.acc_pos[won_b], minlength=plan.n_acc) > 0
    dseg = plan.deal_seg
    ex_deal = plan.existing[plan.acc_pos]

    def seg_sum(values: np.ndarray, mask: np.ndarray | None = None, by: np.ndarray = codes) -> np.ndarray:
        m = np.ones(len(by), bool) if mask is None else mask
        return np.bincount(by[m], weights=np.asarray(values, dtype=float)[m] if values is not None else None,
                           minlength=4)[:4].astype(float)

    ones_acc = np.ones(plan.n_acc)
    ones_deal = np.ones(len(plan.ids))
    per_action = p.cost_per_seller_week / p.actions_per_seller_week
    weeks_alloc = np.array([allocation[k] for k in seg.keys])
    cols: dict[str, np.ndarray] = {
        "accounts": seg_sum(ones_acc),
        "customers_at_start": seg_sum(ones_acc, plan.existing),
        "weeks_allocated": weeks_alloc,
        "weeks_used": seg_sum(touches) / p.actions_per_seller_week,
        "weeks_idle": idle / p.actions_per_seller_week,
        "care_actions": seg_sum(care),
        "deal_actions": seg_sum(work),
        "revenue": seg_sum(plan.amount, won, dseg),
        "revenue_no_time": seg_sum(plan.amount, won_b, dseg),
        "deals_won": seg_sum(ones_deal, won, dseg),
        "new_customers": seg_sum(ones_acc, acc_won & ~plan.existing),
        "new_customers_no_time": seg_sum(ones_acc, acc_won_b & ~plan.existing),
        "repeat_buyers": seg_sum(ones_acc, acc_won & plan.existing),
        "retained_customers": seg_sum(ones_acc, plan.existing & ~churned),
        "churned_customers": seg_sum(ones_acc, churned),
        "churned_no_time": seg_sum(ones_acc, churned_base),
        "sales_lost_to_churn": seg_sum(plan.yearly_sales, churned),
        "acquisition_cost": seg_sum(work, ~plan.existing) * per_action,
        "retention_cost": seg_sum(care) * per_action,
        "development_cost": seg_sum(work, plan.existing) * per_action,
        "idle_cost": idle * per_action,
        "_won_ex": seg_sum(ones_deal, won & ex_deal, dseg),
        "_closed_ex": seg_sum(ones_deal, (won | lost) & ex_deal, dseg),
        "_won_new": seg_sum(ones_deal, won & ~ex_deal, dseg),
        "_closed_new": seg_sum(ones_deal, (won | lost) & ~ex_deal, dseg),
    }
    frame = pd.DataFrame(cols, index=pd.Index(seg.keys, name="segment"))
    frame.loc[TOTAL] = frame.sum()
    _ratios(frame)
    frame = frame[[c for c, *_ in RESULT_COLUMNS]]
    for c in COUNT_COLUMNS:
        frame[c] = frame[c].round().astype(np.int64)
    frame.attrs.update({"currency": world.currency, "seed": int(seed), "weeks": weeks})

    accounts = pd.DataFrame({
        "account_id": world.accounts["account_id"].to_numpy(),
        "segment": table["segment"].to_numpy(),
        "existing_customer": plan.existing,
        "touches": touches,
        "care_actions": care,
        "visits": visits,
        "churn_chance": np.where(plan.existing, churn_chance, np.nan),
        "churned": churned,
        "revenue": acc_revenue,
        "won": acc_won,
    })
    return AllocationResult(
        allocation=allocation, table=frame, accounts=accounts, history=sim.history, capacity=capacity,
        sellers=sellers, seed=int(seed), weeks=weeks, currency=world.currency, params=params, segmentation=seg,
    )


def _ratios(frame: pd.DataFrame) -> None:
    def ratio(a: str | np.ndarray, b: str) -> np.ndarray:
        num = frame[a].to_numpy(dtype=float) if isinstance(a, str) else a
        den = frame[b].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    frame["revenue_gain"] = frame["revenue"] - frame["revenue_no_time"]
    frame["retention_rate"] = ratio("retained_customers", "customers_at_start")
    frame["cost_per_new_customer"] = ratio("acquisition_cost", "new_customers")
    frame["cost_per_retained_customer"] = ratio("retention_cost", "retained_customers")
    frame["_extra_new"] = frame["new_customers"] - frame["new_customers_no_time"]
    frame["_saved"] = frame["churned_no_time"] - frame["churned_customers"]
    frame["cost_per_extra_new_customer"] = ratio("acquisition_cost", "_extra_new")
    frame["cost_per_customer_saved"] = ratio("retention_cost", "_saved")
    frame["win_rate_existing"] = ratio("_won_ex", "_closed_ex")
    frame["win_rate_new"] = ratio("_won_new", "_closed_new")
