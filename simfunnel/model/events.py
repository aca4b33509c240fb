"""Market events: shocks a trainer injects between rounds, and the effects they have on the simulation.

A :class:`MarketEvent` names a kind from the catalogue (:data:`EVENT_KINDS`), the first simulation
week it hits, the team it hits (``None``: every team), overrides of the kind's parameters and its
own seed. :func:`apply_events` turns events into what the simulation understands:

* **effects** (:class:`Effect`): weekly advance and loss chances multiplied at some key steps, for
  some weeks, at some accounts — ``Simulation(world, seed, effects=...)`` applies them on top of
  the chain (and of the people layer), before the seller's actions;
* **world edits**: deals added (a large tender, a market upturn) or kept from arriving (a
  downturn). Every existing deal row stays in place and in order and new rows go at the end, so
  each existing deal keeps its weekly uniform — ``default_rng([seed, w]).random(n + k)[:n]`` equals
  ``default_rng([seed, w]).random(n)`` — and only what the event touches changes (common random
  numbers).

The catalogue, with the documented effect of each kind (defaults; a trainer may override them):

==============  ==========================================================================================
kind            effect
==============  ==========================================================================================
price_cut       a competitor cuts its price: weekly advance at the present-value stages (评估比较
                Evaluation in the key-account funnel) × 0.6, loss × 1.3, for 4 weeks
budget_freeze   budget freeze at state-owned accounts: weekly advance at the win-commitment stages × 0.3
                there (collective decisions, 三重一大, delay commitment), for 4 weeks
coach_leaves    a coach leaves the customer: in the given accounts (default: a seeded 25% of the accounts
                that have a coach) weekly advance at the customer-analysis and build-trust stages × 0.7
                from the event week on; with the people layer their coach no longer counts as met
large_tender    a large tender appears: one new deal (3,000,000) created in the event week at the first
                stage, in a seeded state-owned account (any account if there is none)
market_up       the market turns up: deal arrivals from the event week × 1.3 (extra deals drawn as the
                generator draws them, from the event's seed)
market_down     the market turns down: arrivals × 0.7 (a seeded 30% of the deals created from the event
                week on never arrive: their ``created_week`` moves past the horizon)
==============  ==========================================================================================

Example:
    >>> from simfunnel.model.generate import generate
    >>> from simfunnel.model.simulate import Simulation
    >>> world = generate(accounts=60, seed=5)
    >>> cut = MarketEvent("price_cut", week=10, params={"weeks": 2})
    >>> world2, effects = apply_events(world, [cut])
    >>> effects[0].first_week, effects[0].last_week, effects[0].advance_factor
    (10, 11, 0.6)
    >>> sim = Simulation(world2, seed=5, effects=effects)
    >>> print(describe(cut, lang="en"))
    Week 10, every team: Competitor's price cut — weekly advance at the Present value stages × 0.6, loss × 1.3, for 2 weeks (weeks 10–11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from simfunnel.i18n import resolve_language
from simfunnel.model.chain import MAX_ADVANCE
from simfunnel.model.funnel import KEY_STEP_LABELS, KEY_STEPS
from simfunnel.model.generate import draw_deals
from simfunnel.model.history import MAX_WEEKS

if TYPE_CHECKING:
    from simfunnel.model.funnel import Funnel
    from simfunnel.model.generate import World
    from simfunnel.model.people import Coverage



# --- the effect hook -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Effect:
    """A change of the weekly odds, for some weeks, at some stages, for some deals.

    Attributes:
        first_week, last_week: the simulation weeks it acts in (inclusive; week 1 is the first draw).
        key_steps: the key steps (六个关键步骤) of the stages it touches; ``()`` = every open stage.
        advance_factor: multiplies the weekly advance chance (capped like the seller's actions).
        loss_factor: multiplies the weekly loss chance.
        accounts: account ids whose deals it touches; ``None`` = every account.
        coach_leaves: with the people layer, the coaches of ``accounts`` stop counting as met at
            ``first_week`` (a meeting after that counts again: a new coach found).

    Example:
        >>> Effect(3, 6, ("present_value",), advance_factor=0.6).active(7)
        False
    """

    first_week: int
    last_week: int
    key_steps: tuple[str, ...] = ()
    advance_factor: float = 1.0
    loss_factor: float = 1.0
    accounts: frozenset[int] | None = None
    coach_leaves: bool = False

    def __post_init__(self) -> None:
        first, last = _integer("Effect.first_week", self.first_week), _integer("Effect.last_week", self.last_week)
        if first < 1 or last < first:
            raise ValueError(f"Effect weeks must satisfy 1 ≤ first_week ≤ last_week, got {first} … {last}")
        if isinstance(self.key_steps, str):
            steps = (self.key_steps,)
        elif isinstance(self.key_steps, Iterable):
            steps = tuple(self.key_steps)
        else:
            raise ValueError(f"Effect.key_steps must be key steps (() = every open stage), got {self.key_steps!r}")
        bad = [s for s in steps if s not in KEY_STEPS]
        if bad:
            raise ValueError(f"Effect.key_steps: {bad[0]!r} is not a key step; key steps are {', '.join(KEY_STEPS)}")
        for name in ("advance_factor", "loss_factor"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
                    math.isfinite(value) and value >= 0):
                raise ValueError(f"Effect.{name} must be a finite number ≥ 0, got {value!r}")
            object.__setattr__(self, name, float(value))
        accounts = self.accounts
        if accounts is not None:
            if isinstance(accounts, (str, bytes)) or not isinstance(accounts, Iterable):  # "12" ≠ accounts 1, 2
                raise ValueError(f"Effect.accounts must be a collection of account ids (None: every account), "
                                 f"got {accounts!r}")
            accounts = frozenset(_integer("Effect.accounts", a) for a in accounts)
        if self.coach_leaves and accounts is None:
            raise ValueError("Effect.coach_leaves needs the accounts whose coach leaves")
        object.__setattr__(self, "first_week", first)
        object.__setattr__(self, "last_week", last)
        object.__setattr__(self, "key_steps", steps)
        object.__setattr__(self, "accounts", accounts)
        object.__setattr__(self, "coach_leaves", bool(self.coach_leaves))

    def active(self, week: int) -> bool:
        """Whether the effect acts in simulation week ``week``."""
        return self.first_week <= week <= self.last_week


class EffectPlan:
    """The simulation's side of the effects: per effect, which stages and deals it touches.

    Built once by :class:`~simfunnel.model.simulate.Simulation`; each week :meth:`apply` multiplies the
    chances of the active deals in place, vectorised over deals.
    """

    def __init__(self, effects: Sequence[Effect], world: "World") -> None:
        self.max_advance = MAX_ADVANCE
        account_ids = world.deals["account_id"].to_numpy()
        known = set(world.accounts["account_id"].tolist())
        self.items: list[tuple[Effect, np.ndarray, np.ndarray | None]] = []
        self.leaving: list[tuple[int, np.ndarray]] = []  # (week, account positions whose coach leaves)
        for i, e in enumerate(effects):
            if not isinstance(e, Effect):
                raise ValueError(f"effects[{i}] must be an events.Effect, got {type(e).__name__}")
            stages = np.array([not e.key_steps or s.key_step in e.key_steps for s in world.funnel.stages])
            deals = None
            if e.accounts is not None:
                unknown = sorted(e.accounts - known)
                if unknown:
                    raise ValueError(f"effects[{i}]: unknown account {unknown[0]!r}")
                deals = np.isin(account_ids, np.fromiter(e.accounts, dtype=np.int64, count=len(e.accounts)))
                if e.coach_leaves:
                    positions = pd.Index(world.accounts["account_id"].to_numpy()).get_indexer(sorted(e.accounts))
                    self.leaving.append((e.first_week, positions))
            self.items.append((e, stages, deals))

    def apply(self, week: int, active: np.ndarray, st: np.ndarray, adv: np.ndarray, los: np.ndarray) -> None:
        """Multiply the chances ``adv``/``los`` of the deals at positions ``active`` (open stages ``st``) in place."""
        touched = np.zeros(len(active), dtype=bool)
        for e, stages, deals in self.items:  # a handful of effects
            if not e.active(week):
                continue
            hit = stages[st]
            if deals is not None:
                hit &= deals[active]
            adv[hit] *= e.advance_factor
            los[hit] *= e.loss_factor
            touched |= hit
        if touched.any():
            np.minimum(adv, self.max_advance, out=adv, where=touched & (adv > self.max_advance))
            over = adv + los > 1
            if over.any():
                scale = 1.0 / (adv[over] + los[over])
                adv[over] *= scale
                los[over] *= scale

    def coaches_leave(self, week: int, coverage: "Coverage | None") -> None:
        """People layer: the coaches of the accounts a ``coach_leaves`` effect names stop counting as met in its week.

        Called before every draw of ``week``; a preview puts the coverage back afterwards, so only the
        week played changes who is met (and a replay ends in the same state).
        """
        if coverage is None:
            return
        for first, positions in self.leaving:
            if first == week:
                coverage.coaches_leave(positions, week)


# --- the catalogue -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter of an event kind: its default, its bounds and what it means.

    ``kind`` is ``"int"``, ``"float"``, ``"account"`` (one account id; 0 = seeded) or ``"accounts"``
    (account ids; empty = seeded).
    """

    name: str
    default: float | int | tuple
    kind: str = "float"
    low: float = 0.0
    high: float = math.inf
    zh: str = ""
    en: str = ""

    def check(self, value, where: str):
        """The value normalised (int, float or a tuple of ints); ValueError names ``where`` and the bounds."""
        if self.kind == "accounts":
            if isinstance(value, str):
                value = [v for v in value.replace(";", ",").split(",") if v.strip()]
            elif np.ndim(value) == 0:
                value = [value]
            ids = tuple(sorted({_integer(where, v) for v in value}))
            if any(i < 1 for i in ids):
                raise ValueError(f"{where}: account ids are 1 or more, got {list(ids)}")
            return ids
        number = _number(where, value)
        if self.kind in ("int", "account"):
            if number != int(number):
                raise ValueError(f"{where} must be a whole number, got {value!r}")
            number = int(number)
        if not self.low <= number <= self.high:
            raise ValueError(f"{where} must be between {self.low:g} and {self.high:g}, got {value!r}")
        return number


@dataclass(frozen=True)
class EventKind:
    """A kind of market event: zh/en label and explanation, its parameters and their defaults.

    The documented effect is :meth:`effect` (text), built from the parameters.
    """

    key: str
    zh: str
    en: str
    explanation_zh: str
    explanation_en: str
    params: tuple[Param, ...]

    @property
    def defaults(self) -> dict:
        """Parameter name → default."""
        return {p.name: p.default for p in self.params}

    def label(self, lang: str | None = None) -> str:
        """The kind's label in ``lang`` (default: the kit's language)."""
        return self.zh if resolve_language(lang) == "zh" else self.en

    def explanation(self, lang: str | None = None) -> str:
        """What happens in the market, in ``lang``."""
        return self.explanation_zh if resolve_language(lang) == "zh" else self.explanation_en

    def check(self, params: Mapping | None) -> dict:
        """The given overrides validated and normalised; ValueError names an unknown parameter or a bad value.

        Numbers may come as text (``"0.5"``), as a command line gives them.
        """
        if params is None:
            return {}
        if not isinstance(params, Mapping):
            raise ValueError(f"{self.key}: params must be a mapping of name → value, got {type(params).__name__}")
        by_name = {p.name: p for p in self.params}
        out = {}
        for name, value in params.items():
            if name not in by_name:
                raise ValueError(f"{self.key}: unknown parameter {name!r}; its parameters are {', '.join(by_name)}")
            out[name] = by_name[name].check(value, f"{self.key}: parameter {name!r}")
        return out

    def settings(self, params: Mapping | None = None) -> dict:
        """Every parameter's value: the defaults, overridden by ``params`` (validated)."""
        return {**self.defaults, **self.check(params)}

    def effect(self, params: Mapping | None = None, lang: str | None = None, funnel: "Funnel | None" = None) -> str:
        """The documented effect on the simulation, with these parameters (default: the defaults).

        With ``funnel`` the stages it touches are named as that funnel's stages (the columns a trainee's board
        shows: 「评估比较」), else by their key steps (呈现价值).
        """
        return _EFFECT_TEXT[self.key](self.settings(params), resolve_language(lang) == "zh", funnel)


def _weeks_param(default: int, low: int = 1) -> Param:
    if low == 0:
        return Param("weeks", default, "int", 0, MAX_WEEKS, "持续周数（0 表示一直到模拟结束）",
                     "weeks it lasts (0: to the end of the simulation)")
    return Param("weeks", default, "int", low, MAX_WEEKS, "持续周数", "weeks it lasts")


EVENT_KINDS: dict[str, EventKind] = {
    k.key: k
    for k in (
        EventKind(
            "price_cut", "竞争对手降价", "Competitor's price cut",
            "竞争对手大幅降价：正在评估比较的客户重新比价，推进变慢，更多商机输给对手。",
            "A competitor cuts its price: customers comparing offers look again, fewer move on and more "
            "deals are lost to the competitor.",
            (_weeks_param(4),
             Param("advance", 0.6, "float", 0.0, 1.0, "推进机会的倍数", "factor on the weekly advance chance"),
             Param("loss", 1.3, "float", 1.0, 10.0, "丢单机会的倍数", "factor on the weekly loss chance")),
        ),
        EventKind(
            "budget_freeze", "国有客户预算冻结", "Budget freeze at state-owned accounts",
            "国有客户冻结预算：重大采购须经集体决策（三重一大），赢取承诺被推迟。",
            "State-owned customers freeze their budgets: large purchases need a collective decision "
            "(the 'three majors, one large' rule), so commitment is delayed.",
            (_weeks_param(4),
             Param("advance", 0.3, "float", 0.0, 1.0, "推进机会的倍数", "factor on the weekly advance chance")),
        ),
        EventKind(
            "coach_leaves", "向导离职", "A coach leaves the customer",
            "客户内部的向导离开了公司：我们失去了内部消息，客户分析和建立信任变慢，需要重新发展向导。",
            "The coach inside the customer leaves the company: we lose our inside information, customer "
            "analysis and building trust slow down until a new coach is found.",
            (_weeks_param(0, low=0),
             Param("advance", 0.7, "float", 0.0, 1.0, "推进机会的倍数", "factor on the weekly advance chance"),
             Param("share", 0.25, "float", 0.0, 1.0, "未指定客户时：受影响的有向导客户的比例",
                   "without accounts: the share of the accounts with a coach that lose theirs"),
             Param("accounts", (), "accounts", zh="受影响的客户编号（不填则随机选定）",
                   en="the account ids that lose their coach (empty: seeded)")),
        ),
        EventKind(
            "large_tender", "大型招标项目出现", "A large tender appears",
            "一家客户（优先国有客户）发布大型招标：漏斗的第一阶段出现一个大额新商机。",
            "A customer (a state-owned one if there is any) issues a large tender: a big new deal appears "
            "at the first stage of the funnel.",
            (Param("amount", 3_000_000, "float", 1.0, 1e12, "商机金额", "the deal's amount"),
             Param("account", 0, "account", 0, math.inf, "客户编号（0 表示随机选定）",
                   "the account id (0: seeded)")),
        ),
        EventKind(
            "market_up", "市场回暖", "Market turns up",
            "行业景气回升：客户的新需求增多，每周出现的新商机变多。",
            "The industry picks up: customers have more new needs and more new deals arrive each week.",
            (_weeks_param(0, low=0),
             Param("factor", 1.3, "float", 1.0, 10.0, "每周新商机数的倍数", "factor on the weekly arrivals")),
        ),
        EventKind(
            "market_down", "市场下行", "Market turns down",
            "行业景气下滑：客户推迟或取消新项目，每周出现的新商机变少。",
            "The industry slows down: customers postpone or drop new projects and fewer new deals arrive "
            "each week.",
            (_weeks_param(0, low=0),
             Param("factor", 0.7, "float", 0.0, 1.0, "每周新商机数的倍数", "factor on the weekly arrivals")),
        ),
    )
}
# Each kind draws from its own stream of the event's seed.
_STREAMS = {key: 7001 + i for i, key in enumerate(EVENT_KINDS)}


def event_kind(kind: str) -> EventKind:
    """Look up a kind of event; ValueError lists the known ones."""
    try:
        return EVENT_KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown event kind {kind!r}; kinds are {', '.join(EVENT_KINDS)}") from None


@dataclass(frozen=True)
class MarketEvent:
    """A market event: its kind, the first simulation week it hits, the team it hits, parameters and seed.

    Attributes:
        kind: a key of :data:`EVENT_KINDS`.
        week: the first simulation week it hits (1 or more).
        team: the team it hits; ``None`` = every team (the workshop store filters per team).
        params: overrides of the kind's defaults (validated and normalised on creation).
        seed: its own seed (the store derives it from the workshop seed and the event id).

    Raises:
        ValueError: an unknown kind or parameter, a value out of its bounds, a week before 1, a negative seed.
    """

    kind: str
    week: int
    team: str | None = None
    params: Mapping[str, float | int | tuple] = field(default_factory=dict, hash=False)
    seed: int = 0

    def __post_init__(self) -> None:
        spec = event_kind(self.kind)
        week = _integer(f"{self.kind}: week", self.week)
        if week < 1:
            raise ValueError(f"{self.kind}: week must be 1 or more (the first simulated week), got {self.week!r}")
        if self.team is not None and (not isinstance(self.team, str) or not self.team.strip()):
            raise ValueError(f"{self.kind}: team must be a team name or None (every team), got {self.team!r}")
        seed = _integer(f"{self.kind}: seed", self.seed)
        if seed < 0:
            raise ValueError(f"{self.kind}: seed must be 0 or more, got {self.seed!r}")
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "seed", seed)
        object.__setattr__(self, "params", spec.check(self.params))

    @property
    def settings(self) -> dict:
        """Every parameter's value: the kind's defaults overridden by ``params``."""
        return {**EVENT_KINDS[self.kind].defaults, **self.params}

    def last_week(self, horizon: int) -> int:
        """The last week it acts in, in a world of ``horizon`` weeks (events without ``weeks`` last to the end)."""
        weeks = self.settings.get("weeks", 0)
        return horizon if not weeks else min(horizon, self.week + weeks - 1)


# --- applying events -----------------------------------------------------------------------------
def apply_events(world: "World", events: Sequence[MarketEvent]) -> tuple["World", tuple[Effect, ...]]:
    """The world with the events' edits and the effects the simulation needs: ``Simulation(w, seed, effects=e)``.

    Events are applied in the order of their week (then of the catalogue, then of their seed), so the
    order they are given in does not matter and an event never moves the rows added by an earlier-week
    one. Existing deal rows keep their place and order; added deals go at the end with new ids; a
    downturn moves the ``created_week`` of the deals that never arrive to ``world.weeks + 1``. No
    events: the same world and no effects.

    Raises:
        ValueError: something not a :class:`MarketEvent`, an event past the world's horizon, an unknown
            account, or an account without a coach given to ``coach_leaves``.
    """
    events = tuple(events)
    for i, e in enumerate(events):
        if not isinstance(e, MarketEvent):
            raise ValueError(f"events[{i}] must be a MarketEvent, got {type(e).__name__}")
        if e.week > world.weeks:
            raise ValueError(f"events[{i}] ({e.kind}, week {e.week}) is past the world's horizon of {world.weeks} weeks")
    if not events:
        return world, ()
    kinds = list(EVENT_KINDS)
    ordered = sorted(events, key=lambda e: (e.week, kinds.index(e.kind), e.seed))
    edit = _WorldEdit(world)
    effects = []
    for e in ordered:
        effect = getattr(edit, e.kind)(e, e.settings, np.random.default_rng([e.seed, _STREAMS[e.kind], e.week]))
        if effect is not None:
            effects.append(effect)
    return edit.result(), tuple(effects)


class _WorldEdit:
    """The deal table being edited by events; one method per kind (returns its Effect, or None)."""

    def __init__(self, world: "World") -> None:
        self.world = world
        self.parts = [world.deals]
        self.next_id = int(world.deals["deal_id"].max()) + 1 if len(world.deals) else 1
        self.created = world.deals["created_week"].to_numpy(dtype=np.int64).copy()
        self.tenders: list[int] = []  # row positions of tender deals: a downturn never removes them
        acc = world.accounts
        self.account_ids = acc["account_id"].to_numpy()
        self.state_owned = self.account_ids[acc["ownership"].astype(str).to_numpy() == "state_owned"]
        coach_accounts = world.contacts["account_id"][world.contacts["coach"].to_numpy(dtype=bool)]
        self.coach_accounts = np.unique(coach_accounts.to_numpy())
        # the generator's draw needs the owners as categories (a world rebuilt from a dataset has them as text)
        self.draw_accounts = acc if isinstance(acc["owner"].dtype, pd.CategoricalDtype) else \
            acc.assign(owner=acc["owner"].astype("category"))

    def _check_accounts(self, ids, kind: str) -> None:
        unknown = sorted(set(ids) - set(self.account_ids.tolist()))
        if unknown:
            raise ValueError(f"{kind}: unknown account {unknown[0]!r}")

    def price_cut(self, e: MarketEvent, s: dict, rng) -> Effect:
        return Effect(e.week, e.last_week(self.world.weeks), ("present_value",), s["advance"], s["loss"])

    def budget_freeze(self, e: MarketEvent, s: dict, rng) -> Effect:
        return Effect(e.week, e.last_week(self.world.weeks), ("win_commitment",), s["advance"], 1.0,
                      frozenset(self.state_owned.tolist()))

    def coach_leaves(self, e: MarketEvent, s: dict, rng) -> Effect:
        if s["accounts"]:
            ids = list(s["accounts"])
            self._check_accounts(ids, e.kind)
            without = sorted(set(ids) - set(self.coach_accounts.tolist()))
            if without:
                raise ValueError(f"coach_leaves: account {without[0]} has no coach (向导) to lose")
        else:
            k = int(round(s["share"] * len(self.coach_accounts)))
            ids = np.sort(rng.choice(self.coach_accounts, k, replace=False)).tolist()
        return Effect(e.week, e.last_week(self.world.weeks), ("customer_analysis", "build_trust"), s["advance"],
                      1.0, frozenset(ids), coach_leaves=True)

    def large_tender(self, e: MarketEvent, s: dict, rng) -> None:
        if s["account"]:
            self._check_accounts([s["account"]], e.kind)
            account = s["account"]
        else:
            pool = self.state_owned if len(self.state_owned) else self.account_ids
            account = int(pool[rng.integers(len(pool))])
        row = self._draw(rng, np.array([e.week], dtype=np.int64))
        acc = self.world.accounts
        pos = int(np.flatnonzero(self.account_ids == account)[0])
        row["account_id"] = np.array([account], dtype=row["account_id"].dtype)
        row["owner"] = pd.Categorical([acc["owner"].iloc[pos]], dtype=self.draw_accounts["owner"].dtype)
        row["amount"] = float(s["amount"])
        self.tenders.append(len(self.created) - 1)

    def market_up(self, e: MarketEvent, s: dict, rng) -> None:
        last = e.last_week(self.world.weeks)
        n = int(rng.poisson((s["factor"] - 1.0) * self._arrival_rate() * (last - e.week + 1)))
        self._draw(rng, np.sort(rng.integers(e.week, last + 1, n)))

    def market_down(self, e: MarketEvent, s: dict, rng) -> None:
        last = e.last_week(self.world.weeks)
        u = rng.random(len(self.created))  # one per row: earlier rows keep their draw when rows are added
        drop = (self.created >= e.week) & (self.created <= last) & (u < 1.0 - s["factor"])
        drop[self.tenders] = False
        self.created[drop] = self.world.weeks + 1

    def _arrival_rate(self) -> float:
        if self.world.arrival_rate > 0:
            return float(self.world.arrival_rate)
        original = self.world.deals["created_week"].to_numpy()
        return float((original >= 1).sum()) / self.world.weeks  # a world rebuilt from a dataset

    def _draw(self, rng, created: np.ndarray) -> pd.DataFrame:
        w = self.world
        rows = draw_deals(rng, self.draw_accounts, w.funnel, w.chain, w.params, np.zeros(len(created), dtype=np.int32),
                          created, first_id=self.next_id)
        rows = rows[list(w.deals.columns)]  # the world's column order (a rebuilt world may have fewer)
        rows = rows.astype({c: t for c, t in w.deals.dtypes.items() if rows[c].dtype != t})  # and its types
        self.parts.append(rows)
        self.next_id += len(rows)
        self.created = np.concatenate([self.created, created])
        return rows

    def result(self) -> "World":
        if len(self.parts) == 1 and np.array_equal(self.created, self.world.deals["created_week"].to_numpy()):
            return self.world  # effects only: the world as it is
        deals = pd.concat(self.parts, ignore_index=True)
        deals["created_week"] = self.created
        return replace(self.world, deals=deals)


# --- texts ---------------------------------------------------------------------------------------
def _step(key: str, zh: bool) -> str:
    return KEY_STEP_LABELS[key][0 if zh else 1]


def _where(steps: tuple[str, ...], zh: bool, funnel: "Funnel | None") -> str:
    """The stages an effect touches, as a sentence names them: with ``funnel``, its own stages (the board's
    columns: 「评估比较」阶段 / the Evaluation stage); without, the key steps (呈现价值阶段 / the Present value
    stages)."""
    if funnel is None:
        if zh:
            return "和".join(_step(k, True) for k in steps) + "阶段"
        return "the " + " and ".join(_step(k, False) for k in steps) + " stages"
    labels = [s.label("zh" if zh else "en") for s in funnel.stages if s.key_step in steps]
    if not labels:
        return "（这个漏斗没有相应的阶段）" if zh else "no stage of this funnel"
    if zh:
        return "、".join(f"「{label}」" for label in labels) + "阶段"
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"the {names} stage{'s' if len(labels) > 1 else ''}"


def _lasting(s: dict, zh: bool) -> str:
    weeks = s.get("weeks", 0)
    if not weeks:
        return "从事件当周起一直有效" if zh else "from the event week on"
    return f"持续 {weeks} 周" if zh else f"for {weeks} week{'s' if weeks != 1 else ''}"


def _ids(ids) -> str:
    return ", ".join(str(i) for i in ids)


def _price_cut(s: dict, zh: bool, funnel: "Funnel | None" = None) -> str:
    where = _where(("present_value",), zh, funnel)
    if zh:
        return f"{where}每周推进机会 × {s['advance']:g}，丢单机会 × {s['loss']:g}，{_lasting(s, True)}"
    return f"weekly advance at {where} × {s['advance']:g}, loss × {s['loss']:g}, {_lasting(s, False)}"


def _budget_freeze(s: dict, zh: bool, funnel: "Funnel | None" = None) -> str:
    where = _where(("win_commitment",), zh, funnel)
    if zh:
        return f"国有客户{where}每周推进机会 × {s['advance']:g}，{_lasting(s, True)}"
    return f"at state-owned accounts, weekly advance at {where} × {s['advance']:g}, {_lasting(s, False)}"


def _coach_leaves(s: dict, zh: bool, funnel: "Funnel | None" = None) -> str:
    stages = _where(("customer_analysis", "build_trust"), zh, funnel)
    if zh:
        where = f"客户 {_ids(s['accounts'])}" if s["accounts"] else f"随机选定的 {s['share']:.0%} 有向导的客户"
        return (f"{where}：{stages}每周推进机会 × {s['advance']:g}，{_lasting(s, True)}；启用人员层时，"
                "这些客户的向导不再算作已见面")
    where = (f"in account{'s' if len(s['accounts']) > 1 else ''} {_ids(s['accounts'])}" if s["accounts"]
             else f"in a seeded {s['share']:.0%} of the accounts with a coach")
    return (f"{where}, weekly advance at {stages} × {s['advance']:g}, {_lasting(s, False)}; with the people "
            "layer their coach no longer counts as met")


def _large_tender(s: dict, zh: bool, funnel: "Funnel | None" = None) -> str:
    first = None if funnel is None else funnel.stages[0].label("zh" if zh else "en")
    if zh:
        where = f"客户 {s['account']}" if s["account"] else "随机选定的一家国有客户（没有国有客户时任一客户）"
        stage = "漏斗第一阶段" if first is None else f"第一阶段「{first}」"
        return f"在{where}新增一个金额 {s['amount']:,.0f} 的商机，当周出现在{stage}"
    where = f"account {s['account']}" if s["account"] else "a seeded state-owned account (any account if none)"
    stage = "the first stage" if first is None else f"the first stage, {first}"
    return f"one new deal of {s['amount']:,.0f} in {where}, created in the event week at {stage}"


def _market(s: dict, zh: bool, funnel: "Funnel | None" = None) -> str:
    f = s["factor"]
    if zh:
        extra = "（多出的商机按生成器的方式抽取）" if f >= 1 else f"（随机 {1 - f:.0%} 的新商机不再出现）"
        return f"每周新商机数 × {f:g}{extra}，{_lasting(s, True)}"
    extra = " (extra deals drawn like the generator's)" if f >= 1 else f" (a seeded {1 - f:.0%} of new deals never arrive)"
    return f"weekly deal arrivals × {f:g}{extra}, {_lasting(s, False)}"


_EFFECT_TEXT = {"price_cut": _price_cut, "budget_freeze": _budget_freeze, "coach_leaves": _coach_leaves,
                "large_tender": _large_tender, "market_up": _market, "market_down": _market}


def catalogue(lang: str | None = None, funnel: "Funnel | None" = None) -> pd.DataFrame:
    """The event catalogue in ``lang``: kind, label, explanation, effect (with the defaults), defaults (text).

    ``funnel``: name the stages an effect touches as that funnel's stages (see :func:`describe`).

    Example:
        >>> catalogue("en").kind.tolist()
        ['price_cut', 'budget_freeze', 'coach_leaves', 'large_tender', 'market_up', 'market_down']
        >>> catalogue("zh").set_index("kind").label["market_down"]
        '市场下行'
    """
    lang = resolve_language(lang)

    def shown(value) -> str:
        if value == ():
            return "—"
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    return pd.DataFrame(
        {
            "kind": list(EVENT_KINDS),
            "label": [k.label(lang) for k in EVENT_KINDS.values()],
            "explanation": [k.explanation(lang) for k in EVENT_KINDS.values()],
            "effect": [k.effect(lang=lang, funnel=funnel) for k in EVENT_KINDS.values()],
            "defaults": [", ".join(f"{p.name}={shown(p.default)}" for p in k.params) for k in EVENT_KINDS.values()],
        }
    )


def describe(event: MarketEvent, lang: str | None = None, team_name: str | None = None,
             funnel: "Funnel | None" = None) -> str:
    """One line for the trainer (and for trainees once it has hit): when, whom, what, and its effect.

    ``team_name``: the name people know the team by (the workshop's 第 1 组 / Team 1 or the trainer's name),
    written as it is instead of "小组 A" / "team A". ``funnel``: the funnel the teams play; the stages an
    effect touches are then named as its stages — the columns of the trainee's board (「评估比较」阶段) —
    rather than by their key steps (呈现价值阶段).

    Example:
        >>> print(describe(MarketEvent("market_down", week=20, team="A"), lang="zh"))
        第 20 周（小组 A）：市场下行——每周新商机数 × 0.7（随机 30% 的新商机不再出现），从事件当周起一直有效。
        >>> from simfunnel.model.funnel import Funnel
        >>> print(describe(MarketEvent("price_cut", week=14), lang="zh", funnel=Funnel.preset("key-account")))
        第 14 周（所有小组）：竞争对手降价——「评估比较」阶段每周推进机会 × 0.6，丢单机会 × 1.3，持续 4 周（第 14–17 周）。
    """
    if not isinstance(event, MarketEvent):
        raise ValueError(f"describe needs a MarketEvent, got {type(event).__name__}")
    zh = resolve_language(lang) == "zh"
    kind = EVENT_KINDS[event.kind]
    effect = _EFFECT_TEXT[event.kind](event.settings, zh, funnel)
    weeks = event.settings.get("weeks", 0)
    if zh:
        span = f"（第 {event.week}–{event.week + weeks - 1} 周）" if weeks > 1 else ""
        team = "所有小组" if event.team is None else team_name or f"小组 {event.team}"
        return f"第 {event.week} 周（{team}）：{kind.zh}——{effect}{span}。"
    span = f" (weeks {event.week}–{event.week + weeks - 1})" if weeks > 1 else ""
    team = "every team" if event.team is None else team_name or f"team {event.team}"
    return f"Week {event.week}, {team}: {kind.en} — {effect}{span}."


# --- small checks ------------------------------------------------------------------------------
def _number(where: str, value) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{where} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    return float(value)


def _integer(where: str, value) -> int:
    number = _number(where, value)
    if number != int(number):
        raise ValueError(f"{where} must be a whole number, got {value!r}")
    return int(number)
