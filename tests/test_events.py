"""Market events (issue 7, point 2): each event changes the odds or the arrivals in its documented
direction by its documented amount, within sampling error; events change nothing before their
week; replays keep them; bad kinds and parameters are refused.

The odds are measured over one week of a large world under common random numbers: both runs draw
the same uniform per deal, so the ratio of advance (or loss) shares is tight; its standard error
is the delta method's for two paired Bernoulli indicators.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from simfunnel.model.events import (
    EVENT_KINDS,
    Effect,
    EffectPlan,
    MarketEvent,
    apply_events,
    catalogue,
    describe,
    event_kind,
)
from simfunnel.model.generate import generate
from simfunnel.model.people import PeopleParams
from simfunnel.model.chain import MAX_ADVANCE
from simfunnel.model.simulate import Simulation
from simfunnel.model.actions import actions_for

SEED = 47


@pytest.fixture(scope="module")
def big():
    """A large world whose opening pipeline gives tens of thousands of deals per stage in week 1."""
    return generate(deals=400_000, weeks=4, seed=SEED)


@pytest.fixture(scope="module")
def start(big):
    """The deals open in week 1, with their account's ownership and coach flag."""
    d = big.deals[big.deals.created_week == 0].copy()
    acc = big.accounts.set_index("account_id")
    d["stage"] = d["stage"].astype(str)
    d["state_owned"] = (acc.ownership.astype(str) == "state_owned").reindex(d.account_id).to_numpy()
    return d


@pytest.fixture(scope="module")
def base_week(big):
    return outcomes(Simulation(big, SEED).step())


@pytest.fixture(scope="module")
def year():
    return generate(accounts=300, seed=SEED)


def outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """deal_id → advanced (advance or order) and lost flags of one week's events."""
    o = events.outcome.astype(str)
    return pd.DataFrame({"advanced": o.isin(["advance", "order"]).to_numpy(), "lost": (o == "no_sale").to_numpy()},
                        index=events.deal_id.to_numpy())


def flags(week: pd.DataFrame, ids, column: str) -> np.ndarray:
    return week[column].reindex(ids, fill_value=False).to_numpy(dtype=float)


def assert_ratio(with_event: np.ndarray, without: np.ndarray, factor: float, min_deals: int = 2000,
                 tight: float = 0.05) -> None:
    """The share ratio with/without equals ``factor`` within 3 standard errors (paired indicators)."""
    n = len(with_event)
    assert n >= min_deals, n
    m1, m0 = with_event.mean(), without.mean()
    r = m1 / m0
    cov = np.cov(with_event, without)
    var = (cov[0, 0] / m0**2 + m1**2 * cov[1, 1] / m0**4 - 2 * m1 * cov[0, 1] / m0**3) / n
    se = float(np.sqrt(max(var, 0.0)))
    print(f"factor {factor:.3f}: ratio {r:.4f} ± {se:.4f} over {n} deals")
    if factor != 1:
        assert (r > 1) == (factor > 1), (r, factor)  # the documented direction
    assert abs(r - factor) < 3 * se + 1e-12, (r, factor, se)  # the documented size
    assert se < tight * factor  # tight enough to mean something


def one_week(world, events, **kwargs) -> pd.DataFrame:
    w2, effects = apply_events(world, events)
    return outcomes(Simulation(w2, SEED, effects=effects, **kwargs).step())


def assert_same(a: pd.DataFrame, b: pd.DataFrame, ids) -> None:
    ids = list(ids)
    assert len(ids) > 100
    pd.testing.assert_frame_equal(a.reindex(ids, fill_value=False), b.reindex(ids, fill_value=False))


# --- common random numbers -----------------------------------------------------------------------
@pytest.mark.parametrize("seed, week, n, k", [(2026, 1, 10, 1), (47, 30, 100_000, 3_000), (0, 52, 1, 999)])
def test_added_rows_leave_every_existing_deal_its_uniform(seed, week, n, k):
    """The claim apply_events rests on: drawing more uniforms leaves the first n as they were."""
    more = np.random.default_rng([seed, week]).random(n + k)
    assert np.array_equal(more[:n], np.random.default_rng([seed, week]).random(n))
    # the people layer draws a row of purchase-factor uniforms per deal: rows keep their values too
    rows = np.random.default_rng([seed, 3]).random((n + k, 6))
    assert np.array_equal(rows[:n], np.random.default_rng([seed, 3]).random((n, 6)))


def test_no_events_is_the_plain_simulation(year):
    w2, effects = apply_events(year, [])
    assert w2 is year and effects == ()
    plain, hooked = Simulation(year, SEED), Simulation(year, SEED, effects=())
    assert hooked.effects == ()
    deal = int(year.deals.deal_id[year.deals.created_week == 0].iloc[0])
    key = actions_for(year.funnel, str(year.deals.set_index("deal_id").stage[deal]))[0].key
    for sim in (plain, hooked):
        sim.step({deal: key})
        sim.run()
    pd.testing.assert_frame_equal(plain.history.events, hooked.history.events)
    pd.testing.assert_frame_equal(plain.history.deals, hooked.history.deals)


def test_effects_only_events_keep_the_world(year):
    w2, effects = apply_events(year, [MarketEvent("price_cut", 5), MarketEvent("budget_freeze", 9)])
    assert w2 is year and len(effects) == 2


# --- each event's documented effect --------------------------------------------------------------
def test_price_cut_slows_and_loses_deals_at_evaluation(big, start, base_week):
    cut = one_week(big, [MarketEvent("price_cut", 1)])
    ev = start.deal_id[start.stage == "evaluation"]
    p = EVENT_KINDS["price_cut"].defaults
    assert_ratio(flags(cut, ev, "advanced"), flags(base_week, ev, "advanced"), p["advance"])
    assert_ratio(flags(cut, ev, "lost"), flags(base_week, ev, "lost"), p["loss"])
    assert_same(cut, base_week, start.deal_id[start.stage != "evaluation"])  # other stages untouched


def test_price_cut_parameters_override_the_defaults(big, start, base_week):
    cut = one_week(big, [MarketEvent("price_cut", 1, params={"advance": "0.5", "loss": 2})])
    ev = start.deal_id[start.stage == "evaluation"]
    assert_ratio(flags(cut, ev, "advanced"), flags(base_week, ev, "advanced"), 0.5)
    assert_ratio(flags(cut, ev, "lost"), flags(base_week, ev, "lost"), 2.0)


def test_budget_freeze_delays_commitment_at_state_owned_accounts(big, start, base_week):
    frozen = one_week(big, [MarketEvent("budget_freeze", 1)])
    commit = start[start.stage == "commitment"]
    so = commit.deal_id[commit.state_owned]
    assert_ratio(flags(frozen, so, "advanced"), flags(base_week, so, "advanced"),
                 EVENT_KINDS["budget_freeze"].defaults["advance"])
    # the loss chance is unchanged (few losses at commitment: a wider interval)
    assert_ratio(flags(frozen, so, "lost"), flags(base_week, so, "lost"), 1.0, tight=0.1)
    assert_same(frozen, base_week, commit.deal_id[~commit.state_owned])
    assert_same(frozen, base_week, start.deal_id[(start.stage != "commitment") & start.state_owned])


def test_coach_leaves_slows_the_early_steps_of_a_quarter_of_the_coached_accounts(big, start, base_week):
    event = MarketEvent("coach_leaves", 1, seed=5)
    (effect,) = apply_events(big, [event])[1]
    coached = set(big.contacts.account_id[big.contacts.coach])
    assert effect.coach_leaves and effect.accounts <= coached
    assert len(effect.accounts) == round(0.25 * len(coached))
    assert apply_events(big, [MarketEvent("coach_leaves", 1, seed=6)])[1][0].accounts != effect.accounts  # seeded
    left = one_week(big, [event])
    hit = start.account_id.isin(effect.accounts)
    early = start.stage.isin(["need", "approved"])  # customer analysis, build trust
    assert_ratio(flags(left, start.deal_id[hit & early], "advanced"),
                 flags(base_week, start.deal_id[hit & early], "advanced"), 0.7)
    assert_same(left, base_week, start.deal_id[~hit | ~early])


def test_coach_leaves_named_accounts(year):
    coached = sorted(set(year.contacts.account_id[year.contacts.coach]))
    e = MarketEvent("coach_leaves", 3, params={"accounts": f"{coached[0]},{coached[1]}", "weeks": 2})
    (effect,) = apply_events(year, [e])[1]
    assert effect.accounts == {coached[0], coached[1]} and (effect.first_week, effect.last_week) == (3, 4)
    no_coach = sorted(set(year.accounts.account_id) - set(coached))[0]
    with pytest.raises(ValueError, match=f"account {no_coach} has no coach"):
        apply_events(year, [MarketEvent("coach_leaves", 3, params={"accounts": [no_coach]})])
    with pytest.raises(ValueError, match="unknown account 99999"):
        apply_events(year, [MarketEvent("coach_leaves", 3, params={"accounts": 99999})])


def test_coach_leaves_unmeets_the_coach_with_the_people_layer(year):
    c = year.contacts
    coaches = c[c.coach]
    gone = sorted(coaches.account_id.unique()[:40].tolist())
    stay_coaches = coaches.contact_id[~coaches.account_id.isin(gone)]
    p = PeopleParams()
    # A: every coach met at week 0, then the coaches of `gone` leave in week 1.
    world_a, effects = apply_events(year, [MarketEvent("coach_leaves", 1, params={"accounts": gone})])
    a = Simulation(world_a, SEED, people=p, effects=effects)
    a.meet(coaches.contact_id)
    # C: those coaches never met, the same odds effect without the leaving.
    plain_effect = Effect(1, year.weeks, ("customer_analysis", "build_trust"), 0.7, accounts=frozenset(gone))
    c_sim = Simulation(year, SEED, people=p, effects=[plain_effect])
    c_sim.meet(stay_coaches)
    # D: every coach stays: the people layer's coach factor shows, so the comparison can fail.
    d = Simulation(year, SEED, people=p, effects=[plain_effect])
    d.meet(coaches.contact_id)
    assert all(a.coverage.coach_met(acc) for acc in gone)
    ea, ec, ed = a.step(), c_sim.step(), d.step()
    pd.testing.assert_frame_equal(ea, ec)
    assert not ea.equals(ed)
    assert not any(a.coverage.coach_met(acc) for acc in gone)
    kept = sorted(set(coaches.account_id) - set(gone))
    assert all(a.coverage.coach_met(acc) for acc in kept)
    # a new meeting after the event counts again (a new coach found), and a replay ends the same
    a.meet(coaches.contact_id[coaches.account_id == gone[0]])
    a.run(weeks=5)
    assert a.coverage.coach_met(gone[0]) and not a.coverage.coach_met(gone[1])
    r = a.replay()
    assert r.effects == a.effects and r.coverage.met == a.coverage.met
    pd.testing.assert_frame_equal(r.history.events, a.history.events)


def test_large_tender_adds_one_big_deal_in_a_state_owned_account(year):
    world, effects = apply_events(year, [MarketEvent("large_tender", 12, seed=3)])
    assert effects == ()
    n = len(year.deals)
    assert len(world.deals) == n + 1
    pd.testing.assert_frame_equal(world.deals.iloc[:n], year.deals)  # every existing row in place
    tender = world.deals.iloc[n]
    assert tender.deal_id == year.deals.deal_id.max() + 1
    assert tender.amount == 3_000_000 and tender.created_week == 12 and tender.stage == year.funnel.keys[0]
    acc = year.accounts.set_index("account_id")
    assert acc.ownership[tender.account_id] == "state_owned" and tender.owner == acc.owner[tender.account_id]
    assert world.deals.dtypes.equals(year.deals.dtypes)
    named = apply_events(year, [MarketEvent("large_tender", 12, params={"account": 7, "amount": 5e6})])[0]
    assert named.deals.iloc[n].account_id == 7 and named.deals.iloc[n].amount == 5e6
    h = Simulation(world, SEED).run()
    snaps = h.snapshots
    assert snaps.week[snaps.deal_id == tender.deal_id].min() == 12  # it exists from the event week on


def test_market_up_adds_thirty_percent_more_arrivals():
    world = generate(accounts=3000, seed=SEED)
    up, effects = apply_events(world, [MarketEvent("market_up", 27, seed=8)])
    n = len(world.deals)
    pd.testing.assert_frame_equal(up.deals.iloc[:n], world.deals)
    extra = up.deals.iloc[n:]
    assert extra.deal_id.tolist() == list(range(n + 1, len(up.deals) + 1))
    assert extra.created_week.between(27, world.weeks).all() and (extra.stage == world.funnel.keys[0]).all()
    # Poisson with mean 0.3 × arrivals per week × 26 weeks: within 3 standard errors
    mu = 0.3 * world.arrival_rate * 26
    print(f"extra arrivals {len(extra)}, expected {mu:.0f} ± {np.sqrt(mu):.0f}")
    assert abs(len(extra) - mu) < 3 * np.sqrt(mu)
    arrivals = up.deals.created_week.value_counts()
    before = world.deals.created_week.value_counts()
    assert (arrivals.reindex(range(1, 27)) == before.reindex(range(1, 27))).all()  # nothing before the week
    # drawn like the generator's deals: the log amounts agree within 3 standard errors
    own = np.log(world.deals.amount)
    new = np.log(extra.amount)
    se = np.sqrt(own.var() / len(own) + new.var() / len(new))
    assert abs(own.mean() - new.mean()) < 3 * se
    short = apply_events(world, [MarketEvent("market_up", 27, params={"weeks": 4}, seed=8)])[0]
    assert short.deals.iloc[n:].created_week.between(27, 30).all()


def test_market_down_keeps_thirty_percent_of_arrivals_away():
    world = generate(accounts=3000, seed=SEED)
    down = apply_events(world, [MarketEvent("market_down", 27, seed=8)])[0]
    assert len(down.deals) == len(world.deals)
    pd.testing.assert_frame_equal(down.deals.drop(columns="created_week"), world.deals.drop(columns="created_week"))
    was, now = world.deals.created_week, down.deals.created_week
    candidates = was >= 27
    gone = now > world.weeks
    assert (now[~gone] == was[~gone]).all() and (now[gone] == world.weeks + 1).all()
    assert not (gone & ~candidates).any()
    share = gone.sum() / candidates.sum()
    se = np.sqrt(0.3 * 0.7 / candidates.sum())
    print(f"never arrive: {share:.4f} ± {se:.4f} of {candidates.sum()}")
    assert abs(share - 0.3) < 3 * se
    h = Simulation(down, SEED).run()
    missing = set(down.deals.deal_id[gone])
    assert not missing & set(h.deals.deal_id) and not missing & set(h.events.deal_id)


def test_a_downturn_never_removes_a_tender():
    world = generate(accounts=100, seed=SEED)
    events = [MarketEvent("large_tender", 20, seed=s) for s in range(30)]
    down = apply_events(world, events + [MarketEvent("market_down", 20, params={"factor": 0.0})])[0]
    tenders = down.deals.iloc[len(world.deals):]
    assert len(tenders) == 30 and (tenders.created_week == 20).all()
    assert (down.deals.created_week.iloc[: len(world.deals)][world.deals.created_week >= 20] == world.weeks + 1).all()


# --- timing, order, replay -----------------------------------------------------------------------
ALL_AT = [("price_cut", {}), ("budget_freeze", {}), ("coach_leaves", {}), ("large_tender", {}),
          ("market_up", {}), ("market_down", {})]


@pytest.mark.parametrize("people", [None, PeopleParams()])
def test_events_change_nothing_before_their_week(year, people):
    events = [MarketEvent(k, 20, params=p, seed=i) for i, (k, p) in enumerate(ALL_AT)]
    world, effects = apply_events(year, events)
    plain = Simulation(year, SEED, people=people)
    hit = Simulation(world, SEED, people=people, effects=effects)
    if people is not None:
        for sim in (plain, hit):
            sim.meet(year.contacts.contact_id[year.contacts.coach])
    h0, h1 = plain.run(), hit.run()
    e0, e1 = h0.events, h1.events
    pd.testing.assert_frame_equal(e0[e0.week < 20].reset_index(drop=True), e1[e1.week < 20].reset_index(drop=True))
    pd.testing.assert_frame_equal(h0.snapshots_between(0, 19), h1.snapshots_between(0, 19))
    assert not e0[e0.week >= 20].reset_index(drop=True).equals(e1[e1.week >= 20].reset_index(drop=True))


def test_a_later_event_leaves_the_weeks_before_it_alone(year):
    first = [MarketEvent("market_up", 10, seed=1)]
    later = first + [MarketEvent("market_down", 30, seed=2), MarketEvent("large_tender", 30, seed=3),
                     MarketEvent("price_cut", 30)]
    e0, e1 = (Simulation(w, SEED, effects=f).run().events for w, f in (apply_events(year, first),
                                                                           apply_events(year, later)))
    pd.testing.assert_frame_equal(e0[e0.week < 30].reset_index(drop=True), e1[e1.week < 30].reset_index(drop=True))


def test_the_order_events_are_given_in_does_not_matter(year):
    events = [MarketEvent(k, 15 + i % 3, params=p, seed=i) for i, (k, p) in enumerate(ALL_AT)]
    w1, f1 = apply_events(year, events)
    w2, f2 = apply_events(year, events[::-1])
    pd.testing.assert_frame_equal(w1.deals, w2.deals)
    assert f1 == f2


def test_replay_keeps_the_effects(year):
    events = [MarketEvent("price_cut", 3), MarketEvent("budget_freeze", 4), MarketEvent("market_up", 2, seed=4)]
    world, effects = apply_events(year, events)
    sim = Simulation(world, SEED, effects=effects)
    rng = np.random.default_rng(1)
    for _ in range(8):  # a few seller moves each week
        stages = sim.history.deals.set_index("deal_id")
        open_ = stages[stages.status == "open"]
        picks = rng.choice(open_.index.to_numpy(), 5, replace=False)
        sim.step({int(i): actions_for(world.funnel, str(open_.stage[i]))[0].key for i in picks})
    again = sim.replay()
    assert again.effects == effects
    pd.testing.assert_frame_equal(again.history.events, sim.history.events)
    shorter = sim.replay(weeks=5)
    e = sim.history.events
    pd.testing.assert_frame_equal(shorter.history.events, e[e.week <= 5].reset_index(drop=True))
    without = Simulation(world, SEED)
    for acts in sim.actions_taken:  # the same moves where they still fit (without the effects deals move otherwise)
        d = without.history.deals.set_index("deal_id")
        fits = {k: v for k, v in acts.items() if k in d.index and d.status[k] == "open"
                and v in {a.key for a in actions_for(world.funnel, str(d.stage[k]))}}
        without.step(fits)
    assert not without.history.events.equals(sim.history.events)  # the effects did something


def test_effects_multiply_and_are_capped():
    world = generate(accounts=20, seed=1)
    a = np.array([0.2, 0.2, 0.2, 0.5])
    los = np.array([0.1, 0.1, 0.1, 0.4])
    st = np.array([3, 3, 0, 3])  # evaluation (present value) or need
    plan = EffectPlan([Effect(1, 2, ("present_value",), 0.5, 2.0), Effect(2, 2, ("present_value",), 0.6),
                       Effect(1, 9, (), advance_factor=10.0, accounts=frozenset({1}))], world)
    pos = np.flatnonzero(world.deals.account_id.to_numpy() != 1)[:4]  # deals not of account 1
    adv, lo = a.copy(), los.copy()
    plan.apply(2, pos, st, adv, lo)
    np.testing.assert_allclose(adv, [0.2 * 0.5 * 0.6] * 2 + [0.2, 0.5 * 0.5 * 0.6])
    np.testing.assert_allclose(lo, [0.2, 0.2, 0.1, 0.8])
    one = np.flatnonzero(world.deals.account_id.to_numpy() == 1)[:1]
    adv, lo = np.array([0.3]), np.array([0.5])
    plan.apply(5, one, np.array([0]), adv, lo)  # × 10 on account 1: capped, and the chances still sum ≤ 1
    assert adv[0] + lo[0] <= 1 + 1e-12 and adv[0] == pytest.approx(MAX_ADVANCE / (MAX_ADVANCE + 0.5))


# --- refused clearly -----------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: MarketEvent("price_war", 3), "unknown event kind 'price_war'; kinds are price_cut, budget_freeze"),
    (lambda: MarketEvent("price_cut", 0), "week must be 1 or more"),
    (lambda: MarketEvent("price_cut", 2.5), "week must be a whole number"),
    (lambda: MarketEvent("price_cut", 3, params={"discount": 0.2}), "unknown parameter 'discount'; its parameters are weeks, advance, loss"),
    (lambda: MarketEvent("price_cut", 3, params={"advance": 1.5}), "parameter 'advance' must be between 0 and 1"),
    (lambda: MarketEvent("price_cut", 3, params={"weeks": 0}), "parameter 'weeks' must be between 1 and 520"),
    (lambda: MarketEvent("price_cut", 3, params={"weeks": 2.5}), "'weeks' must be a whole number"),
    (lambda: MarketEvent("price_cut", 3, params={"loss": "much"}), "'loss' must be a number, got 'much'"),
    (lambda: MarketEvent("price_cut", 3, params={"loss": True}), "'loss' must be a finite number"),
    (lambda: MarketEvent("market_up", 3, params={"factor": 0.5}), "'factor' must be between 1 and 10"),
    (lambda: MarketEvent("market_down", 3, params={"factor": 1.3}), "'factor' must be between 0 and 1"),
    (lambda: MarketEvent("large_tender", 3, params={"amount": -5}), "'amount' must be between 1"),
    (lambda: MarketEvent("coach_leaves", 3, params={"accounts": [0]}), "account ids are 1 or more"),
    (lambda: MarketEvent("price_cut", 3, team=""), "team must be a team name or None"),
    (lambda: MarketEvent("price_cut", 3, seed=-1), "seed must be 0 or more"),
    (lambda: MarketEvent("price_cut", 3, params=[("weeks", 2)]), "params must be a mapping"),
    (lambda: Effect(3, 2), "1 ≤ first_week ≤ last_week"),
    (lambda: Effect(1, 2, ("evaluation",)), "'evaluation' is not a key step"),
    (lambda: Effect(1, 2, advance_factor=-1), "advance_factor must be a finite number ≥ 0"),
    (lambda: Effect(1, 2, coach_leaves=True), "needs the accounts"),
    (lambda: Effect(1, 2, accounts="12"), "Effect.accounts must be a collection of account ids"),  # was {1, 2}
    (lambda: Effect(1, 2, accounts=12), "Effect.accounts must be a collection of account ids (None: every account), got 12"),
    (lambda: Effect(1, 2, key_steps=None), "Effect.key_steps must be key steps (() = every open stage), got None"),
])
def test_bad_events_are_refused_clearly(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_bad_inputs_to_apply_and_simulate(year):
    with pytest.raises(ValueError, match=re.escape("events[1] (market_up, week 60) is past the world's horizon of 52")):
        apply_events(year, [MarketEvent("price_cut", 3), MarketEvent("market_up", 60)])
    with pytest.raises(ValueError, match=re.escape("events[0] must be a MarketEvent, got dict")):
        apply_events(year, [{"kind": "price_cut", "week": 3}])
    with pytest.raises(ValueError, match="large_tender: unknown account 5000"):
        apply_events(year, [MarketEvent("large_tender", 3, params={"account": 5000})])
    with pytest.raises(ValueError, match=re.escape("effects[0] must be an events.Effect, got str")):
        Simulation(year, SEED, effects=["price_cut"])
    with pytest.raises(ValueError, match=re.escape("effects[0]: unknown account 5000")):
        Simulation(year, SEED, effects=[Effect(1, 3, accounts=frozenset({5000}))])
    with pytest.raises(ValueError, match="unknown event kind"):
        event_kind("tsunami")


def test_parameters_are_normalised():
    e = MarketEvent("coach_leaves", np.int64(4), team="A", params={"accounts": "9, 3,3", "weeks": "2", "share": 1})
    assert e.week == 4 and e.params == {"accounts": (3, 9), "weeks": 2, "share": 1.0}
    assert e.settings == {"weeks": 2, "advance": 0.7, "share": 1.0, "accounts": (3, 9)}
    assert e.last_week(52) == 5 and MarketEvent("market_up", 40).last_week(52) == 52
    assert MarketEvent("price_cut", 50).last_week(52) == 52  # cut at the horizon


# --- catalogue and texts -------------------------------------------------------------------------
def test_catalogue_in_both_languages():
    for lang in ("zh", "en"):
        cat = catalogue(lang)
        assert cat.kind.tolist() == list(EVENT_KINDS)
        assert list(cat.columns) == ["kind", "label", "explanation", "effect", "defaults"]
        assert cat[["label", "explanation", "effect"]].map(len).gt(3).all().all()
    zh, en = catalogue("zh").set_index("kind"), catalogue("en").set_index("kind")
    for col in ("label", "explanation", "effect"):
        assert not zh[col].str.contains("[A-Za-z]").any(), zh[col]  # no Latin words in the Chinese texts
        assert (zh[col] != en[col]).all()
    # the documented amounts are in the effect texts
    assert "× 0.6" in en.effect["price_cut"] and "× 1.3" in en.effect["price_cut"] and "4 weeks" in en.effect["price_cut"]
    assert "× 0.3" in zh.effect["budget_freeze"] and "3,000,000" in zh.effect["large_tender"]
    assert en.defaults["large_tender"] == "amount=3000000, account=0"


def test_describe_names_week_team_and_effect():
    e = MarketEvent("budget_freeze", 14, team="Team 2", params={"weeks": 3, "advance": 0.5})
    assert describe(e, "en") == ("Week 14, team Team 2: Budget freeze at state-owned accounts — at state-owned "
                                 "accounts, weekly advance at the Win commitment stages × 0.5, for 3 weeks (weeks 14–16).")
    assert describe(e, "zh") == "第 14 周（小组 Team 2）：国有客户预算冻结——国有客户赢取承诺阶段每周推进机会 × 0.5，持续 3 周（第 14–16 周）。"
    for kind in EVENT_KINDS:
        text = describe(MarketEvent(kind, 5), "zh")
        assert not re.search("[A-Za-z]", text), text
        assert describe(MarketEvent(kind, 5), "en").startswith(f"Week 5, every team: {EVENT_KINDS[kind].en} — ")
    with pytest.raises(ValueError, match="describe needs a MarketEvent"):
        describe("price_cut")
    with pytest.raises(ValueError, match="unknown language"):
        describe(e, "fr")


def test_a_preview_before_a_coach_leaves_changes_nobody_met(year):
    """The coach leaves in the week's draw: a preview of that week (the DealBoard previews every
    move) leaves the coverage, the coach report and a replay's state as they were."""
    c = year.contacts
    gone = sorted(c.account_id[c.coach].unique()[:5].tolist())
    world, effects = apply_events(year, [MarketEvent("coach_leaves", 3, params={"accounts": gone})])
    sim = Simulation(world, SEED, people=PeopleParams(), effects=effects)
    sim.meet(c.contact_id[c.coach])
    sim.run(2)
    open_now = sim.history.deals.query("status == 'open'")
    deal = int(open_now.deal_id.iloc[0])
    before = (sim.coverage.met, list(sim.coverage.log), sim.coach_report(gone[0]))
    sim.preview({deal: "courtesy_call"})
    assert sim.coverage.met == before[0] and sim.coverage.log == before[1]
    assert sim.coverage.coach_met(gone[0])
    pd.testing.assert_frame_equal(sim.coach_report(gone[0]), before[2])
    assert sim.replay().coverage.met == sim.coverage.met
    sim.step({deal: "courtesy_call"})  # the week itself: the coaches leave
    assert not any(sim.coverage.coach_met(a) for a in gone)
    assert sim.replay().coverage.met == sim.coverage.met


def test_the_coach_report_gives_the_chances_of_the_coming_week_with_its_events(year):
    """The coach report's chances decide the coming week exactly, market events included: a price
    cut running, and coaches who leave in that very week (the report is given while they are there)."""
    c = year.contacts
    coached = sorted(c.account_id[c.coach].unique().tolist())
    events = [MarketEvent("price_cut", 2, params={"advance": 0.5, "loss": 2.0}),
              MarketEvent("coach_leaves", 3, params={"accounts": coached[::2]})]
    world, effects = apply_events(year, events)
    sim = Simulation(world, SEED, people=PeopleParams(), effects=effects)
    plain = Simulation(world, SEED, people=PeopleParams())
    for s in (sim, plain):
        s.meet(c.contact_id[c.coach])
        s.run(2)
    report = pd.concat([sim.coach_report(a) for a in coached], ignore_index=True)
    without = pd.concat([plain.coach_report(a) for a in coached], ignore_index=True)
    both = report.merge(without, on=["deal_id", "stage"], suffixes=("", "_plain"))
    cut = both[both.stage.astype(str) == "evaluation"]
    assert len(report) > 100 and len(cut) > 10
    assert (cut.advance_chance < cut.advance_chance_plain).all() and (cut.loss_chance > cut.loss_chance_plain).all()
    pos = pd.Index(world.deals.deal_id).get_indexer(report.deal_id)
    u = np.random.default_rng([SEED, 3]).random(len(world.deals))[pos]
    outcome = sim.step().set_index("deal_id").outcome.astype(str).reindex(report.deal_id).fillna("stay").to_numpy()
    went = u < report.advance_chance.to_numpy()
    dropped = ~went & (u >= 1.0 - report.loss_chance.to_numpy())  # monotone coupling: the loss band at the top
    assert (np.isin(outcome, ["advance", "order"]) == went).all()
    assert ((outcome == "no_sale") == dropped).all()


def test_events_on_a_world_rebuilt_from_a_dataset():
    """A world rebuilt from a saved dataset (world_from_history: its tables as read from CSV) takes a
    tender and an upturn like a generated one (the extra deals' draw needed categorical owners)."""
    from pathlib import Path

    from simfunnel.model.generate import world_from_history
    from simfunnel.model.history import History

    world = world_from_history(History.load(Path(__file__).resolve().parents[1] / "datasets" / "workshop"), seed=3)
    events = [MarketEvent("large_tender", 5, seed=1), MarketEvent("market_up", 3, seed=1)]
    world2, effects = apply_events(world, events)
    n = len(world.deals)
    assert len(world2.deals) > n + 10 and effects == ()
    pd.testing.assert_frame_equal(world2.deals.iloc[:n], world.deals)  # every existing row in place
    assert dict(world2.deals.dtypes) == dict(world.deals.dtypes)
    added = world2.deals.iloc[n:]
    owners = world.accounts.set_index("account_id").owner
    assert (added.owner.astype(str).to_numpy() == owners.reindex(added.account_id).astype(str).to_numpy()).all()
    assert (added.amount == 3_000_000).sum() == 1
    Simulation(world2, 3, effects=effects).run(10)
