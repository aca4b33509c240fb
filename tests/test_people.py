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

from simfunnel.generate import generate
from simfunnel.people import PeopleParams
from simfunnel.simulate import Simulation

SEED = 31


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
    p = PeopleParams()
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
    p = PeopleParams()
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
    p = PeopleParams(collective_amount=1_000)  # every deal counts as large, for sample size
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
    d = PeopleParams()
    small = set(start.deal_id[(start.stage == "commitment") & start.state_owned & (start.amount <= d.collective_amount)])
    one_d = Simulation(world, SEED, people=d)
    one_d.meet(first)
    plain = advanced(Simulation(world, SEED).step())
    assert advanced(one_d.step()) & small == plain & small


def test_style_matching_the_brain_type(world, tables):
    contacts, start = tables
    p = PeopleParams()
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
                           collective_factor=1)
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
    assert sim.week == 0 and sim.coverage.met == frozenset()
