"""People move deals (issue 5, point 1): each mechanism changes advance rates in the documented
direction by the documented amount, within sampling error; the default simulation is unchanged.

Every comparison is one week of a large world under common random numbers: the two runs draw
the same uniforms, so the difference is caused by the people alone and the ratio of advance
counts is tight. Its standard error is the delta method's for two nested Bernoulli counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simfunnel.model.generate import generate
from simfunnel.model.people import ACTION_RAISES, LEVEL_SHARES, PURCHASE_FACTORS, STEP_FACTORS, PeopleParams
from simfunnel.model.actions import people_actions_for
from simfunnel.model.simulate import Simulation
from simfunnel.model.actions import actions_for

SEED = 31
# The purchase factors and needs vs wants switched off: the coverage mechanisms alone.
COVERAGE_ONLY = {"purchase_factor_step": 1.0, "wants_only_factor": 1.0}


@pytest.fixture(scope="module")
def world():
    return generate(deals=400_000, weeks=4, seed=SEED)


@pytest.fixture(scope="module")
def tables(world):
    c, a, d = world.contacts, world.accounts, world.deals
    acc = a.set_index("account_id")
    start = d[d.created_week == 0].copy()  # the deals open in week 1
    start["stage"] = start["stage"].astype(str)
    start["existing"] = acc.existing_customer.reindex(start.account_id).to_numpy()
    start["state_owned"] = (acc.ownership.astype(str) == "state_owned").reindex(start.account_id).to_numpy()
    coach_accounts = set(c.account_id[c.coach])
    start["has_coach"] = start.account_id.isin(coach_accounts).to_numpy()
    return c, start


def advanced(events: pd.DataFrame) -> set:
    return set(events.deal_id[events.outcome.astype(str).isin(["advance", "order"])])


def ratio_and_se(with_ids: set, without_ids: set, deals) -> tuple[float, float]:
    """Ratio of advance shares among ``deals`` (with / without) and its standard error (paired draws)."""
    deals = set(deals)
    n = len(deals)
    x1, x0 = len(with_ids & deals), len(without_ids & deals)
    both = len(with_ids & without_ids & deals)
    p1, p0, p11 = x1 / n, x0 / n, both / n
    r = x1 / x0
    var = r**2 * ((1 - p1) / (n * p1) + (1 - p0) / (n * p0) - 2 * (p11 - p1 * p0) / (n * p1 * p0))
    return r, float(np.sqrt(max(var, 0.0)))


def assert_factor(with_ids, without_ids, deals, factor, min_deals=1000):
    assert len(deals) >= min_deals, len(deals)
    r, se = ratio_and_se(with_ids, without_ids, deals)
    print(f"factor {factor:.3f}: ratio {r:.3f} ± {se:.3f} over {len(deals)} deals")
    assert (r > 1) == (factor > 1), (r, factor)  # the documented direction
    assert abs(r - factor) < 3 * se, (r, factor, se)  # the documented size
    assert se < 0.1 * factor  # tight enough to mean something


def test_coach_raises_odds_at_project_approval(world, tables):
    contacts, start = tables
    p = PeopleParams(**COVERAGE_ONLY)
    base = advanced(Simulation(world, SEED).step())
    sim = Simulation(world, SEED, people=p)
    sim.meet(contacts.contact_id[contacts.coach])
    with_coach = advanced(sim.step())
    approved = start[(start.stage == "approved") & start.has_coach]
    # existing customers: the early factor alone; new customers: early × new-customer factor
    assert_factor(with_coach, base, approved.deal_id[approved.existing], p.coach_early_factor)
    assert_factor(with_coach, base, approved.deal_id[~approved.existing],
                  p.coach_early_factor * p.coach_new_customer_factor)
    # at need (customer_analysis): only new customers gain, by the new-customer factor
    need = start[(start.stage == "need") & start.has_coach]
    assert_factor(with_coach, base, need.deal_id[~need.existing], p.coach_new_customer_factor)
    same = set(need.deal_id[need.existing])
    assert with_coach & same == base & same
    # accounts without a coach: meeting everyone's coach changes nothing for them
    none = set(start.deal_id[(start.stage == "approved") & ~start.has_coach])
    assert with_coach & none == base & none


def test_no_decision_maker_stalls_commitment(world, tables):
    contacts, start = tables
    p = PeopleParams(**COVERAGE_ONLY)
    base = advanced(Simulation(world, SEED).step())
    nobody = advanced(Simulation(world, SEED, people=p).step())
    sim = Simulation(world, SEED, people=p)
    sim.meet(contacts.contact_id[contacts.buying_role == "decision_maker"])
    with_dm = advanced(sim.step())
    commit = start[(start.stage == "commitment") & ~(start.state_owned & (start.amount > p.collective_amount))]
    assert_factor(base, nobody, commit.deal_id, 1 / p.no_decision_maker_factor)
    ids = set(commit.deal_id)
    assert with_dm & ids == base & ids  # decision maker met: exactly the plain odds
    # other stages do not depend on the decision maker
    early = set(start.deal_id[start.stage.isin(["need", "approved", "criteria", "evaluation"])])
    assert nobody & early == base & early


def test_state_owned_large_deals_need_two_decision_level_contacts(world, tables):
    contacts, start = tables
    p = PeopleParams(collective_amount=1_000, **COVERAGE_ONLY)  # every deal counts as large, for sample size
    first = contacts.groupby("account_id").contact_id.first()  # rank 0: a decision maker at decision level
    decision = contacts[contacts.level.astype(str) == "decision"]
    n_decision = decision.groupby("account_id").size()
    one = Simulation(world, SEED, people=p)
    one.meet(first)
    two = Simulation(world, SEED, people=p)
    two.meet(decision.contact_id)
    two.meet(first)
    with_one, with_two = advanced(one.step()), advanced(two.step())
    accounts2 = set(n_decision.index[n_decision >= 2])
    sel = start[(start.stage == "commitment") & start.state_owned & (start.amount > p.collective_amount)
                & start.account_id.isin(accounts2)]
    assert_factor(with_one, with_two, sel.deal_id, p.collective_factor, min_deals=800)
    # not state-owned: one decision-level contact is enough
    private = set(start.deal_id[(start.stage == "commitment") & ~start.state_owned])
    assert with_one & private == with_two & private
    # the default threshold: small state-owned deals are decided as usual
    d = PeopleParams(**COVERAGE_ONLY)
    small = set(start.deal_id[(start.stage == "commitment") & start.state_owned & (start.amount <= d.collective_amount)])
    one_d = Simulation(world, SEED, people=d)
    one_d.meet(first)
    plain = advanced(Simulation(world, SEED).step())
    assert advanced(one_d.step()) & small == plain & small


def test_style_matching_the_brain_type(world, tables):
    contacts, start = tables
    p = PeopleParams(**COVERAGE_ONLY)
    brain = contacts.groupby("account_id").brain_type.first().astype(str)  # the decision maker's type
    ev = start[start.stage == "evaluation"]
    ids = ev.deal_id.tolist()
    actions = {i: "arrange_demo" for i in ids}
    match = dict(zip(ids, brain.reindex(ev.account_id).to_numpy()))
    other = {i: "ABCD"[("ABCD".index(s) + 1) % 4] for i, s in match.items()}
    base = advanced(Simulation(world, SEED).step(actions))
    matched = advanced(Simulation(world, SEED, people=p).step(actions, styles=match))
    mismatched = advanced(Simulation(world, SEED, people=p).step(actions, styles=other))
    assert_factor(matched, base, ids, p.style_match_factor)
    assert_factor(mismatched, base, ids, p.style_mismatch_factor)
    # naming the contact: present to a contact of the account in its own style
    i, acc = int(ev.deal_id.iloc[0]), int(ev.account_id.iloc[0])
    c = contacts[contacts.account_id == acc].iloc[-1]
    sim = Simulation(world, SEED, people=p)
    row = sim.preview({i: "arrange_demo"}, styles={i: (str(c.brain_type), int(c.contact_id))})
    assert len(row) == 1


def test_people_actions_meet_contacts_from_next_week():
    world = generate(accounts=40, seed=5)
    sim = Simulation(world, 5, people=PeopleParams())
    c = world.contacts
    d = world.deals[(world.deals.created_week == 0) & (world.deals.stage.astype(str) == "need")]
    coach_acc = set(c.account_id[c.coach])
    deal = d[d.account_id.isin(coach_acc)].iloc[0]
    other = d[~d.account_id.isin(coach_acc) | (d.account_id != deal.account_id)].iloc[0]
    sim.preview({int(deal.deal_id): "find_coach"})
    assert sim.coverage.met == frozenset()  # a preview meets nobody
    sim.step({int(deal.deal_id): "find_coach", int(other.deal_id): "meet_technical_gatekeeper"})
    coach = int(c.contact_id[c.coach & (c.account_id == deal.account_id)].iloc[0])
    tech = set(c.contact_id[(c.buying_role == "technical_gatekeeper") & (c.account_id == other.account_id)])
    assert sim.coverage.met == {coach} | tech
    # replay (and undo) reproduce the run, meetings included
    sim.meet(int(c.contact_id.iloc[0]))
    sim.run(5)
    again = sim.replay()
    pd.testing.assert_frame_equal(again.history.events, sim.history.events)
    assert again.coverage.met == sim.coverage.met
    assert sim.replay(0).coverage.met == frozenset()


def test_default_and_neutral_people_leave_the_simulation_unchanged():
    world = generate(accounts=120, seed=8)
    plain = Simulation(world, 8).run()
    neutral = PeopleParams(coach_early_factor=1, coach_new_customer_factor=1, no_decision_maker_factor=1,
                           collective_factor=1, **COVERAGE_ONLY)
    sim = Simulation(world, 8, people=neutral)
    sim.meet(world.contacts.contact_id)
    pd.testing.assert_frame_equal(sim.run().events, plain.events)
    pd.testing.assert_frame_equal(Simulation(world, 8, people=None).run().deals, plain.deals)


def test_bad_inputs_are_named():
    world = generate(accounts=150, seed=3)
    c = world.contacts
    sim = Simulation(world, 3, people=PeopleParams())
    with pytest.raises(ValueError, match="unknown contact 999999"):
        sim.meet(999999)
    stranger = int(c.contact_id[c.account_id == 2].iloc[0])
    with pytest.raises(ValueError, match=f"contact {stranger} belongs to account 2, not account 1"):
        sim.meet(stranger, account_id=1)
    d = world.deals
    ev = d[(d.created_week == 0) & (d.stage.astype(str) == "evaluation")].iloc[0]
    i, acc = int(ev.deal_id), int(ev.account_id)
    foreign = int(c.contact_id[c.account_id != acc].iloc[0])
    with pytest.raises(ValueError, match=f"contact {foreign} belongs to account"):
        sim.step({i: "arrange_demo"}, styles={i: ("A", foreign)})
    with pytest.raises(ValueError, match="unknown style 'E'"):
        sim.step({i: "arrange_demo"}, styles={i: "E"})
    with pytest.raises(ValueError, match="present-value actions, not 'send_brochure'"):
        sim.step({i: "send_brochure"}, styles={i: "A"})
    with pytest.raises(ValueError, match=f"deal {i}: a style needs a present-value action"):
        sim.step({}, styles={i: "A"})
    with pytest.raises(ValueError, match="styles need the people layer"):
        Simulation(world, 3).step({i: "arrange_demo"}, styles={i: "A"})
    with pytest.raises(ValueError, match="needs the people layer"):
        Simulation(world, 3).meet(int(c.contact_id.iloc[0]))
    with pytest.raises(ValueError, match="unknown action 'meet_technical_gatekeeper'"):
        Simulation(world, 3).step({i: "meet_technical_gatekeeper"})
    with pytest.raises(ValueError, match="coach_early_factor"):
        PeopleParams(coach_early_factor=-1)
    for bad, name in [({"wants_only_factor": 1.5}, "wants_only_factor must be between 0 and 1"),
                      ({"explicit_need_share": 2}, "explicit_need_share must be between 0 and 1"),
                      ({"factor_gain": 0.5}, "factor_gain must be a whole number"),
                      ({"coach_stall_weeks": 2.5}, "coach_stall_weeks must be a whole number"),
                      ({"purchase_factor_step": 0}, "purchase_factor_step must be > 0"),
                      ({"coach_at_risk_ratio": float("nan")}, "coach_at_risk_ratio must be a finite number")]:
        with pytest.raises(ValueError, match=name):
            PeopleParams(**bad)
    with pytest.raises(ValueError, match=r"purchase factors need the people layer.*PeopleParams"):
        _ = Simulation(world, 3).purchase_factors
    with pytest.raises(ValueError, match=r"coach report needs the people layer.*PeopleParams"):
        Simulation(world, 3).coach_report(1)
    assert sim.week == 0 and sim.coverage.met == frozenset()


# --- the five purchase factors, needs vs wants, the coach report ---------------------------------
def mean_level(pf: pd.DataFrame, step: str) -> pd.Series:
    """The mean level of the factors a key step weighs, per deal."""
    return pf[list(STEP_FACTORS[step])].mean(axis=1)


def test_purchase_factors_are_drawn_from_their_own_seeded_stream(world):
    pf = Simulation(world, SEED, people=PeopleParams()).purchase_factors
    assert list(pf.columns) == ["deal_id", *PURCHASE_FACTORS, "need_explicit"]
    assert len(pf) == int((world.deals.created_week <= 0).sum())  # the deals created by now
    n = len(pf)
    for name in PURCHASE_FACTORS:  # each level's share as documented
        share = pf[name].value_counts(normalize=True).sort_index()
        assert list(share.index) == [1, 2, 3, 4, 5]
        se = np.sqrt(np.array(LEVEL_SHARES) * (1 - np.array(LEVEL_SHARES)) / n)
        assert (abs(share.to_numpy() - LEVEL_SHARES) < 3 * se).all(), (name, share)
    p = PeopleParams().explicit_need_share
    assert abs(pf.need_explicit.mean() - p) < 3 * np.sqrt(p * (1 - p) / n)  # most needs start implicit
    again = Simulation(world, SEED, people=PeopleParams(explicit_need_share=0.5)).purchase_factors
    pd.testing.assert_frame_equal(again[list(PURCHASE_FACTORS)], pf[list(PURCHASE_FACTORS)])  # same seed, same levels
    assert (again.need_explicit >= pf.need_explicit).all()  # a larger share only adds explicit needs
    other = Simulation(world, SEED + 1, people=PeopleParams()).purchase_factors
    assert (other.value != pf.value).mean() > 0.5


def test_weak_and_strong_purchase_factors_at_their_key_step(world, tables):
    _, start = tables
    p = PeopleParams()
    on = Simulation(world, SEED, people=p)
    pf = on.purchase_factors.set_index("deal_id")
    off = advanced(Simulation(world, SEED, people=PeopleParams(purchase_factor_step=1.0)).step())
    with_factors = advanced(on.step())
    for stage in world.funnel.stages:
        step = stage.key_step
        ids = start.deal_id[start.stage == stage.key]
        level = mean_level(pf.loc[ids], step)
        weak, strong = (1, 5) if len(STEP_FACTORS[step]) == 1 else (2, 4)
        assert_factor(with_factors, off, level.index[level == weak], p.purchase_factor_step ** (weak - 3))
        assert_factor(with_factors, off, level.index[level == strong], p.purchase_factor_step ** (strong - 3))
        neutral = set(level.index[level == 3])
        assert with_factors & neutral == off & neutral


def test_an_action_raises_its_factor_and_later_advance_rates(world, tables):
    _, start = tables
    p = PeopleParams()
    ids = start.deal_id[start.stage == "need"].tolist()  # need identified: the key step weighs need only
    acts = {i: "needs_interview" for i in ids}
    raised = Simulation(world, SEED, people=p)
    flat = Simulation(world, SEED, people=PeopleParams(factor_gain=0))
    before = raised.purchase_factors.set_index("deal_id").need
    # the raise counts from the next week: this week's outcomes are the same
    pd.testing.assert_frame_equal(raised.step(acts), flat.step(acts))
    assert ((raised.purchase_factors.set_index("deal_id").need.loc[ids] - before.loc[ids])
            == (before.loc[ids] < 5).astype(int)).all()
    still = set(raised.history.deals.query("stage == 'need'").deal_id) & set(ids)  # at need after week 1
    w2_raised, w2_flat = advanced(raised.step()), advanced(flat.step())
    assert_factor(w2_raised, w2_flat, [i for i in still if before[i] < 5], p.purchase_factor_step)
    capped = {i for i in still if before[i] == 5}
    assert len(capped) > 1000 and w2_raised & capped == w2_flat & capped


def test_each_action_works_on_its_documented_factor():
    world = generate(accounts=300, seed=12)
    p = PeopleParams(factor_gain=2)
    sim = Simulation(world, 12, people=p)
    before = sim.purchase_factors.set_index("deal_id")
    opening = world.deals[world.deals.created_week == 0]
    acts, used = {}, set()
    for key in [*ACTION_RAISES, "send_brochure", "friendly_dinner"]:
        for deal_id, stage in zip(opening.deal_id, opening.stage.astype(str)):
            fits = [a.key for a in actions_for(world.funnel, stage)] + {
                "customer_analysis": ["meet_technical_gatekeeper", "meet_financial_gatekeeper"]}.get(
                world.funnel.stage(stage).key_step, [])
            if deal_id not in used and key in fits:
                acts[int(deal_id)] = key
                used.add(deal_id)
                break
    assert set(acts.values()) == set(ACTION_RAISES) | {"send_brochure", "friendly_dinner"}
    sim.preview(acts)
    pd.testing.assert_frame_equal(sim.purchase_factors.set_index("deal_id"), before)  # a preview changes nothing
    sim.step(acts)
    after = sim.purchase_factors.set_index("deal_id").loc[before.index]
    diff = after[list(PURCHASE_FACTORS)] - before[list(PURCHASE_FACTORS)]
    for deal_id, key in acts.items():
        want = pd.Series(0, index=list(PURCHASE_FACTORS))
        if key in ACTION_RAISES:
            name = ACTION_RAISES[key]
            want[name] = min(before.at[deal_id, name] + 2, 5) - before.at[deal_id, name]
        assert (diff.loc[deal_id] == want).all(), (key, diff.loc[deal_id])
    others = diff.index.difference(list(acts))
    assert (diff.loc[others] == 0).all().all()


def test_digging_makes_the_need_explicit():
    world = generate(accounts=300, seed=13)
    sim = Simulation(world, 13, people=PeopleParams(explicit_need_share=0.0))
    d = world.deals[world.deals.created_week == 0]
    by_stage = {s: d.deal_id[d.stage.astype(str) == s].tolist() for s in world.funnel.keys}
    dig = {by_stage["need"][0]: "needs_interview", by_stage["criteria"][0]: "needs_interview",
           by_stage["criteria"][1]: "arrange_demo", by_stage["criteria"][2]: "joint_plan"}
    not_dig = {by_stage["criteria"][3]: "send_brochure", by_stage["evaluation"][0]: "arrange_demo",
               by_stage["approved"][0]: "reference_visit", by_stage["commitment"][0]: "joint_plan"}
    assert not sim.purchase_factors.need_explicit.any()
    sim.step({**dig, **not_dig})
    explicit = set(sim.purchase_factors.query("need_explicit").deal_id)
    assert explicit == set(dig)


def test_present_value_to_wants_is_weaker(world, tables):
    _, start = tables
    p = PeopleParams()
    ev = start[start.stage == "evaluation"]
    acts = {i: "propose_trial" for i in ev.deal_id}
    sim = Simulation(world, SEED, people=p)
    explicit = set(sim.purchase_factors.query("need_explicit").deal_id)
    wants = advanced(sim.step(acts))
    needs = advanced(Simulation(world, SEED, people=PeopleParams(wants_only_factor=1.0)).step(acts))
    implicit_ids = [i for i in ev.deal_id if i not in explicit]
    assert_factor(wants, needs, implicit_ids, p.wants_only_factor)
    ex = explicit & set(ev.deal_id)
    assert len(ex) > 1000 and wants & ex == needs & ex
    # the same action at another stage (build trust) is not a presentation of value: not weakened
    ap = start.deal_id[start.stage == "approved"]
    visit = {i: "reference_visit" for i in ap}
    a = advanced(Simulation(world, SEED, people=p).step(visit))
    b = advanced(Simulation(world, SEED, people=PeopleParams(wants_only_factor=1.0)).step(visit))
    assert a == b


def random_moves(sim: Simulation, rng: np.random.Generator, k: int = 12) -> tuple[dict, dict]:
    """Up to k seeded actions on open deals (fitting their stage), a few with styles."""
    open_deals = sim.history.deals.query("status == 'open'")
    acts, styles = {}, {}
    for deal_id, stage in zip(*[open_deals[c].to_numpy() for c in ("deal_id", "stage")]):
        if len(acts) == k:
            break
        if rng.random() < 0.2:
            keys = [a.key for a in actions_for(sim.funnel, str(stage))]
            key = keys[int(rng.integers(len(keys)))]
            acts[int(deal_id)] = key
            if key in ("arrange_demo", "propose_trial", "reference_visit") and rng.random() < 0.5:
                styles[int(deal_id)] = "ABCD"[int(rng.integers(4))]
    return acts, styles


def test_replay_reproduces_purchase_factors_and_events():
    world = generate(accounts=150, seed=21)
    sim = Simulation(world, 21, people=PeopleParams())
    start = sim.purchase_factors
    rng = np.random.default_rng(21)
    at_10 = None
    for week in range(20):
        if week == 10:
            at_10 = sim.purchase_factors
        sim.step(*random_moves(sim, rng))
    changed = sim.purchase_factors.set_index("deal_id").loc[start.deal_id]
    assert (changed[list(PURCHASE_FACTORS)].to_numpy() != start[list(PURCHASE_FACTORS)].to_numpy()).any()
    assert changed.need_explicit.sum() > start.need_explicit.sum()
    again = sim.replay()
    pd.testing.assert_frame_equal(again.purchase_factors, sim.purchase_factors)
    pd.testing.assert_frame_equal(again.history.events, sim.history.events)
    pd.testing.assert_frame_equal(sim.replay(10).purchase_factors, at_10)


def test_coach_report_tells_the_true_coming_week():
    world = generate(accounts=600, seed=17)
    p = PeopleParams()
    sim = Simulation(world, 17, people=p)
    c = world.contacts
    coach_accounts = sorted(set(c.account_id[c.coach]))
    without = sorted(set(world.accounts.account_id) - set(coach_accounts))
    with pytest.raises(ValueError, match=f"account {coach_accounts[0]}: find a coach first"):
        sim.coach_report(coach_accounts[0])
    with pytest.raises(ValueError, match=f"account {without[0]}: it has no coach"):
        sim.coach_report(without[0])
    with pytest.raises(ValueError, match="unknown account 999999"):
        sim.coach_report(999999)
    assert not sim.coverage.coach_met(coach_accounts[0])
    rng = np.random.default_rng(17)
    for _ in range(8):  # some weeks of moves, so deals differ in factors, needs and time in stage
        sim.step(*random_moves(sim, rng, k=60))
    sim.meet(c.contact_id[c.coach])
    sim.meet(c.contact_id[(c.buying_role == "decision_maker") & (c.account_id % 2 == 0)])
    assert sim.coverage.coach_met(coach_accounts[0])
    report = pd.concat([sim.coach_report(a).assign(account_id=a) for a in coach_accounts], ignore_index=True)
    open_now = sim.history.deals.query("status == 'open'")
    assert set(report.deal_id) == set(open_now.deal_id[open_now.account_id.isin(coach_accounts)])
    assert list(report.columns[:-1]) == ["deal_id", "stage", "amount", "weeks_in_stage", "advance_chance",
                                         "loss_chance", "weakest_factor", "weakest_level", "need_explicit", "risk"]
    # the chances are the ones the simulation uses: the coming week's own uniforms decide exactly by them
    pos = pd.Index(world.deals.deal_id).get_indexer(report.deal_id)
    u = np.random.default_rng([17, sim.week + 1]).random(len(world.deals))[pos]
    events = sim.step().set_index("deal_id")
    outcome = events.outcome.astype(str).reindex(report.deal_id).fillna("stay").to_numpy()
    went = u < report.advance_chance.to_numpy()
    dropped = ~went & (u >= 1.0 - report.loss_chance.to_numpy())  # the monotone coupling: loss band at the top
    assert (np.isin(outcome, ["advance", "order"]) == went).all()
    assert ((outcome == "no_sale") == dropped).all()
    # the factors of the report are the state's
    pf = sim.purchase_factors.set_index("deal_id").loc[report.deal_id]
    levels = pf[list(PURCHASE_FACTORS)].to_numpy()
    assert (report.weakest_level.to_numpy() == levels.min(axis=1)).all()
    assert (np.array(PURCHASE_FACTORS)[levels.argmin(axis=1)] == report.weakest_factor.astype(str)).all()
    # the risk codes as documented, each one seen
    plain = world.chain.advance.reindex(report.stage.astype(str)).to_numpy()
    at_risk = report.advance_chance.to_numpy() < p.coach_at_risk_ratio * plain
    stalled = ~at_risk & (report.weeks_in_stage.to_numpy() >= p.coach_stall_weeks)
    want = np.where(at_risk, "at_risk", np.where(stalled, "stalled", "moving"))
    assert (report.risk.astype(str).to_numpy() == want).all()
    assert set(report.risk) == {"at_risk", "stalled", "moving"}
    # no decision maker met: commitment deals are at risk whatever their factors (≤ 0.5 × 1.44)
    met = c[c.contact_id.isin(sim.coverage.met)]
    dm_met = set(met.account_id[met.buying_role == "decision_maker"])
    commit = report[(report.stage == "commitment") & ~report.account_id.isin(dm_met)]
    assert len(commit) > 5 and (commit.risk == "at_risk").all()


def test_compare_meetings_equals_runs_by_hand():
    from simfunnel.model.generate import generate
    from simfunnel.analysis.meetings import compare_meetings
    from simfunnel.model.people import coverage_groups

    world = generate(accounts=60, seed=11)
    table = compare_meetings(world, seed=11, lang="en")
    groups = coverage_groups(world.contacts)
    assert list(table.index) == ["nobody met", "coaches only", "decision makers only", "coaches + decision level"]
    for (name, ids), (_, row) in zip(groups.items(), table.iterrows()):
        sim = Simulation(world, seed=11, people=PeopleParams())
        if ids:
            sim.meet(ids)
        d = sim.run().deals
        won = d["status"].astype(str) == "won"
        assert row.contacts_met == len(ids) and row.deals_won == won.sum()
        assert row.won_amount == d.loc[won, "amount"].sum()
    assert set(groups["coaches"]) <= set(groups["coaches_and_decision_level"])
    assert table.loc["coaches only", "approval_advance"] > table.loc["nobody met", "approval_advance"]
    custom = compare_meetings(world, {"one": groups["coaches"][:1]}, seed=11, lang="zh")
    assert list(custom.index) == ["one"] and custom.index.name == "拜访了谁"


def test_replay_reproduces_the_meeting_log_exactly():
    """A replay (an undo) rebuilds who was met *and* when, without logging a meeting twice."""
    world = generate(accounts=60, seed=5)
    c = world.contacts
    sim = Simulation(world, 5, people=PeopleParams())
    sim.meet(int(c.contact_id.iloc[0]))  # week 0, directly
    rng = np.random.default_rng(5)
    for week in range(1, 9):
        acts = {}
        for key in ("find_coach", "meet_decision_maker", "meet_technical_gatekeeper"):
            open_now = sim.history.deals.query("status == 'open'")
            for deal_id, stage in zip(open_now.deal_id, open_now.stage.astype(str)):
                fits = [a.key for a in actions_for(world.funnel, stage) + people_actions_for(world.funnel, stage)]
                if int(deal_id) not in acts and key in fits and rng.random() < 0.3:
                    acts[int(deal_id)] = key
                    break
        sim.step(acts)
        if week == 4:
            sim.meet(c.contact_id.iloc[3:5])  # directly, between weeks
    assert len(sim.coverage.log) == len(set(sim.coverage.log)) > 3
    again = sim.replay()
    assert again.coverage.log == sim.coverage.log
    assert again.replay().coverage.log == sim.coverage.log  # an undo of an undo: still no duplicates
    assert sim.replay(4).coverage.log == [e for e in sim.coverage.log if e[0] <= 4]


def test_approval_advance_is_the_share_of_weekly_draws_at_project_approval_that_advance():
    """compare_meetings' approval_advance, counted week by week: the deals at the build-trust stage
    when a week is drawn (end of the week before), and those that advance in that week."""
    from simfunnel.analysis.meetings import compare_meetings
    from simfunnel.model.people import coverage_groups

    world = generate(accounts=60, seed=11)
    coaches = coverage_groups(world.contacts)["coaches"]
    table = compare_meetings(world, {"coaches": coaches}, seed=11, lang="en")
    sim = Simulation(world, 11, people=PeopleParams())
    sim.meet(coaches)
    approval = [i for i, s in enumerate(world.funnel.stages) if s.key_step == "build_trust"]
    created = world.deals.created_week.to_numpy()
    draws = advances = 0
    for week in range(1, world.weeks + 1):
        draws += int(((created < week) & np.isin(sim.stage_codes(), approval)).sum())
        ev = sim.step()
        went = ev.from_stage.cat.codes.isin(approval) & (ev.outcome.astype(str) == "advance")
        advances += int(went.sum())
    assert draws > 100
    assert table["approval_advance"].iloc[0] == pytest.approx(advances / draws, rel=1e-12)
