"""Simulation: the calibrated chain, weekly steps, actions and the History they produce."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from simfunnel.model.funnel import Funnel, preset_names
from simfunnel.model.generate import generate
from simfunnel.model.history import EVENT_COLUMNS, OUTCOMES, SNAPSHOT_COLUMNS, History
from simfunnel.model.actions import ACTIONS, actions_for
from simfunnel.model.simulate import Simulation
from simfunnel.model.chain import calibrated_chain, transition_matrix, true_win_rates, win_within

PRESETS = preset_names()


def test_all_four_presets_are_tested():
    assert set(PRESETS) >= {"key-account", "simple", "salesforce", "hubspot"}


# --- the chain -------------------------------------------------------------------------
@pytest.mark.parametrize("name", PRESETS)
def test_calibrated_chain_reproduces_preset_rates(name):
    f = Funnel.preset(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the presets' rates never fall: no warning
        chain = calibrated_chain(f)
    assert list(chain.index) == list(f.keys)
    np.testing.assert_allclose(chain[["advance", "lost", "stay"]].sum(axis=1), 1.0, atol=1e-12)
    assert (chain[["advance", "lost", "stay"]].to_numpy() >= 0).all()
    np.testing.assert_allclose(true_win_rates(chain).to_numpy(), [s.win_rate for s in f.stages], atol=1e-12)


@pytest.mark.parametrize("hazard", [0.1, 0.5, 1.0])
def test_calibration_does_not_depend_on_speed(hazard):
    f = Funnel.preset("key-account")
    rates = true_win_rates(calibrated_chain(f, exit_hazard=hazard))
    np.testing.assert_allclose(rates.to_numpy(), [0.1, 0.25, 0.4, 0.6, 0.8], atol=1e-12)


def test_bad_exit_hazard_raises():
    with pytest.raises(ValueError, match="exit_hazard"):
        calibrated_chain(Funnel.preset("simple"), exit_hazard=0.0)


def test_falling_rates_warn_and_cannot_be_matched():
    f = Funnel.preset("simple")
    with pytest.warns(UserWarning):
        bad = f.with_win_rates([0.1, 0.6, 0.5, 0.7])
    with pytest.warns(UserWarning, match="falls"):
        chain = calibrated_chain(bad)
    assert true_win_rates(chain)["need"] != pytest.approx(0.6)


@pytest.mark.parametrize("name", PRESETS)
def test_transition_matrix_rows_sum_to_one(name):
    m = transition_matrix(calibrated_chain(Funnel.preset(name)))
    n = len(Funnel.preset(name))
    assert m.shape == (n + 2, n + 2)
    assert (m >= 0).all()
    np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-12)
    assert m[n, n] == 1.0 and m[n + 1, n + 1] == 1.0  # won and lost absorb


@pytest.mark.parametrize("name", PRESETS)
def test_win_within_rises_to_the_true_win_rate(name):
    chain = calibrated_chain(Funnel.preset(name))
    w = win_within(chain, 400)
    assert w.shape == (len(chain), 401)
    assert (w[:, 0] == 0).all()
    assert (np.diff(w, axis=1) >= -1e-15).all()
    np.testing.assert_allclose(w[:, -1], true_win_rates(chain).to_numpy(), atol=1e-9)
    # Later stages are closer to an order: within one week only the last stage can be won.
    assert w[-1, 1] > 0 and (w[:-1, 1] == 0).all()


# --- runs --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    world = generate(accounts=60, seed=21)
    sim = Simulation(world, seed=21)
    return world, sim.run()


def test_same_seed_gives_identical_history():
    world = generate(accounts=80, seed=9)
    a = Simulation(world, seed=9).run()
    b = Simulation(world, seed=9).run()
    pd.testing.assert_frame_equal(a.deals, b.deals)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.snapshots, b.snapshots)
    c = Simulation(world, seed=10).run()
    assert not a.events.equals(c.events)


def test_run_in_pieces_equals_run_at_once():
    world = generate(accounts=50, seed=4)
    whole = Simulation(world, seed=4).run(30)
    sim = Simulation(world, seed=4)
    sim.run(10)
    for _ in range(5):
        sim.step()
    parts = sim.run(15)
    assert sim.week == 30
    pd.testing.assert_frame_equal(whole.events, parts.events)
    pd.testing.assert_frame_equal(whole.deals, parts.deals)


def test_first_stage_win_share_matches_true_rate():
    world = generate(deals=50_000, seed=3)
    h = Simulation(world, seed=3).run(52)
    first = world.funnel.keys[0]
    true_rate = float(true_win_rates(world.chain).iloc[0])
    d = h.deals
    # Only deals created by week 10: they have had >= 42 weeks to close, so nearly all have.
    # Counting late-created deals that happen to have closed would bias the share towards
    # lost: a loss can come at any stage, a win needs every stage, so the quick closers lose.
    early = (h.initial_stages() == first).to_numpy() & (d.created_week <= 10).to_numpy()
    closed = early & (d.status != "open").to_numpy()
    assert early.sum() > 5_000
    assert closed.sum() / early.sum() > 0.995
    n = int(closed.sum())
    share = float((d.status[closed] == "won").mean())
    se = np.sqrt(true_rate * (1 - true_rate) / n)
    assert abs(share - true_rate) < 3 * se, (share, true_rate, se, n)


def test_history_metadata(small):
    world, h = small
    assert isinstance(h, History)
    assert h.end_week == world.weeks == 52
    assert h.start_week == 13
    assert h.quota == world.quota
    assert h.funnel == world.funnel
    assert len(h.deals) == len(world.deals)  # every deal of a 52-week world exists by week 52


# --- events ------------------------------------------------------------------------------
def test_events_columns_and_outcomes(small):
    world, h = small
    e = h.events
    assert list(e.columns) == list(EVENT_COLUMNS)
    assert len(e) > 0
    assert set(e.outcome.astype(str)) <= set(OUTCOMES)
    assert e.week.between(1, h.end_week).all()
    keys = list(world.funnel.all_keys)
    n_open = len(world.funnel)
    fr = e.from_stage.astype(str).map(keys.index).to_numpy()
    to = e.to_stage.astype(str).map(keys.index).to_numpy()
    out = e.outcome.astype(str).to_numpy()
    assert (fr < n_open).all()  # only open deals move
    assert (((to == fr + 1) & (to < n_open)) == (out == "advance")).all()
    assert (to[out == "order"] == n_open).all() and (fr[out == "order"] == n_open - 1).all()
    assert (to[out == "no_sale"] == n_open + 1).all()
    assert (to[out == "continuation"] == fr[out == "continuation"]).all()
    assert e.action.isna().all()  # no actions in run()
    # A deal closes at most once and has no event after it closed.
    closing = e[e.to_stage.isin(["won", "lost"])]
    assert closing.deal_id.is_unique
    last = e.groupby("deal_id").week.max()
    assert (last.loc[closing.deal_id].to_numpy() == closing.week.to_numpy()).all()
    # Events happen after the deal's creation week, and deals' closed_week matches.
    created = h.deals.set_index("deal_id").created_week
    assert (e.week.to_numpy() > created.loc[e.deal_id].to_numpy()).all()
    closed_week = h.deals.set_index("deal_id").closed_week
    assert (closed_week.loc[closing.deal_id].to_numpy() == closing.week.to_numpy()).all()


# --- snapshots -----------------------------------------------------------------------------
def test_snapshot_rows_one_per_existing_deal_per_week(small):
    _, h = small
    s = h.snapshots
    assert list(s.columns) == list(SNAPSHOT_COLUMNS)
    expected = int((h.end_week - h.deals.created_week + 1).sum())
    assert len(s) == expected
    assert not s.duplicated(["deal_id", "week"]).any()
    first = s.groupby("deal_id").week.min()
    created = h.deals.set_index("deal_id").created_week
    assert (first.to_numpy() == created.loc[first.index].to_numpy()).all()
    assert (s.groupby("deal_id").week.max() == h.end_week).all()


def test_snapshot_stage_is_last_event_to_stage(small):
    world, h = small
    s = h.snapshots
    e = h.events.sort_values("week", kind="stable")
    moves: dict[int, list[tuple[int, str]]] = {}
    for deal_id, week, to in zip(e.deal_id.tolist(), e.week.tolist(), e.to_stage.astype(str).tolist()):
        moves.setdefault(deal_id, []).append((week, to))
    # Before its first event a deal is at the stage it was created with (the world's table).
    created_at = dict(zip(world.deals.deal_id.tolist(), world.deals.stage.astype(str).tolist()))
    want = []
    for deal_id, week in zip(s.deal_id.tolist(), s.week.tolist()):
        stage = created_at[deal_id]
        for w, to in moves.get(deal_id, ()):
            if w > week:
                break
            stage = to
        want.append(stage)
    got = s.stage.astype(str).tolist()
    assert len(got) == len(want) and got == want
    assert {"won", "lost", world.funnel.keys[0], world.funnel.keys[-1]} <= set(want)  # checked every kind of state
    # The last snapshot equals the deal's final state.
    last = s[s.week == h.end_week].set_index("deal_id")
    final = h.deals.set_index("deal_id")
    assert (last.stage.astype(str) == final.stage.astype(str).loc[last.index]).all()
    assert (last.status.astype(str) == final.status.astype(str).loc[last.index]).all()


def test_won_deals_are_paid_later_or_not_yet(small):
    world, h = small
    d = h.deals.merge(world.deals[["deal_id", "payment_delay_weeks"]], on="deal_id")
    won = d[d.status == "won"]
    assert len(won) > 0
    paid = won.paid_week.notna()
    assert (won.paid_week[paid] > won.closed_week[paid]).all()
    assert (won.paid_week[paid] <= h.end_week).all()
    due = won.closed_week + won.payment_delay_weeks
    assert (paid == (due <= h.end_week)).all()  # NA exactly when not yet paid by the end of history
    assert (won.paid_week[paid] == due[paid]).all()
    assert d.paid_week[d.status != "won"].isna().all()


# --- actions ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def action_world():
    return generate(deals=20_000, seed=5)


def _first_stage_deals(world) -> list[int]:
    d = world.deals
    return d.deal_id[(d.created_week == 0) & (d.stage == world.funnel.keys[0])].tolist()


def test_advance_action_raises_advance_share(action_world):
    ids = _first_stage_deals(action_world)
    assert len(ids) > 500
    plain = Simulation(action_world, seed=5).step()
    acted = Simulation(action_world, seed=5).step({i: "needs_interview" for i in ids})

    def advanced(ev: pd.DataFrame) -> set[int]:
        return set(ev.deal_id[ev.outcome.isin(["advance", "order"]) & ev.deal_id.isin(ids)])

    before, after = advanced(plain), advanced(acted)
    assert before <= after  # common random numbers: whoever advanced anyway still advances
    assert len(after) > 1.4 * len(before)
    # Every acted deal has an event naming its action; untouched deals are unchanged.
    mine = acted[acted.deal_id.isin(ids)]
    assert set(mine.deal_id) == set(ids) and (mine.action == "needs_interview").all()
    others = lambda ev: ev[~ev.deal_id.isin(ids)].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(others(plain), others(acted))


def test_relationship_actions_never_lower_the_week_and_build_trust_with_diminishing_returns(action_world):
    """A brochure, dinner or courtesy call never worsens the week of the deal it touches (compared with no
    action, same draws), and raises its account's trust by half of what is left to 1, from the next week."""
    sim = Simulation(action_world, seed=8)
    sim.run(3)
    d = sim.history.deals
    open_ids = d.deal_id[(d.status == "open") & (d.created_week < sim.week + 1)].tolist()
    keys = ["send_brochure", "friendly_dinner", "courtesy_call"]
    plan = {deal: keys[i % 3] for i, deal in enumerate(open_ids)}
    idle, acted = sim.replay(), sim.replay()
    idle.advance()
    ev = acted.step(plan)
    codes = action_world.deals.set_index("deal_id").index.get_indexer(open_ids)
    n_open = len(action_world.funnel)
    before, after = idle.stage_codes()[codes], acted.stage_codes()[codes]
    lost = n_open + 1
    assert not ((after == lost) & (before != lost)).any()  # no loss an idle week would not have had
    assert ((after >= before) | (before == lost)).all()  # and every advance of the idle week still happens
    mine = ev[ev.deal_id.isin(open_ids)]
    assert len(mine) == len(open_ids) and set(mine.action) == set(keys)
    assert set(mine.response) <= {"order", "advance", "continuation", "no_sale"}
    assert (mine.response == "continuation").mean() > 0.6 and (mine.response == "advance").any()
    accounts = action_world.deals.set_index("deal_id").account_id
    touched = set(accounts[open_ids])
    trust = acted.trust
    assert (trust[list(touched)] >= 0.5).all() and (trust.drop(list(touched)) == 0).all()
    assert (sim.trust == 0).all() and (idle.trust == 0).all()
    # a second relationship action on the same account closes half of the rest: 0.5 → 0.75 (one deal an account)
    first = {}
    for deal in open_ids:
        first.setdefault(accounts[deal], deal)
    again = acted.replay()
    again.advance({deal: "friendly_dinner" for deal in first.values() if again.stage_codes()[
        action_world.deals.set_index("deal_id").index.get_loc(deal)] < n_open})
    grew = again.trust[list(touched)] - acted.trust[list(touched)]
    assert (grew <= 0.25 + 1e-12).all() and ((again.trust[list(touched)] - 0.75).abs() < 1e-9).sum() > 0


def test_the_response_and_the_move_are_two_linked_events(action_world):
    """An order only when the deal is won, a no-sale only when it is lost; otherwise the customer's commitment:
    an advance that does not move the stage this week happens, and so does a move after a continuation;
    a commitment makes the move likelier; the share of commitments is the action's commit chance."""
    from simfunnel.model.actions import ACTIONS_BY_KEY

    ids = _first_stage_deals(action_world)
    ev = Simulation(action_world, seed=5).step({i: "needs_interview" for i in ids})
    mine = ev[ev.deal_id.isin(ids)]
    move, response = mine.outcome.astype(str), mine.response
    assert (response[move == "order"] == "order").all() and (response[move == "no_sale"] == "no_sale").all()
    assert set(response[move.isin(["advance", "continuation"])]) == {"advance", "continuation"}
    assert ((response == "advance") & (move == "continuation")).any()  # committed, the stage stays
    assert ((response == "continuation") & (move == "advance")).any()  # the buying process moved on its own
    committed = response == "advance"
    open_after = move.isin(["advance", "continuation"])
    moved = move == "advance"
    assert moved[committed].mean() > 2 * moved[open_after & ~committed].mean()
    share = committed[open_after].mean()
    p = ACTIONS_BY_KEY["needs_interview"].commit_chance
    se = (p * (1 - p) / open_after.sum()) ** 0.5
    assert abs(share - p) < 4 * se, (share, p, se)


def test_trust_makes_the_same_customer_commit_more_readily(action_world):
    """Common random numbers for the responses: after a week of dinners, every deal whose customer committed to
    a demo without them still commits, and more do — more in new accounts than in existing customers'."""
    sim = Simulation(action_world, seed=11)
    sim.run(12)
    d = sim.history.deals
    n_open = len(action_world.funnel)
    pos = action_world.deals.set_index("deal_id").index
    evaluation = action_world.funnel.keys.index("evaluation")
    ids = d.deal_id[(d.status == "open") & (d.stage == "evaluation") & (d.created_week < sim.week)].tolist()
    assert len(ids) > 150
    warm, cold = sim.replay(), sim.replay()
    warm.advance({i: "friendly_dinner" for i in ids})
    cold.advance()
    still = [i for i in ids if warm.stage_codes()[pos.get_loc(i)] == evaluation == cold.stage_codes()[pos.get_loc(i)]]
    assert len(still) > 100
    w = warm.step({i: "arrange_demo" for i in still}).set_index("deal_id").response
    c = cold.step({i: "arrange_demo" for i in still}).set_index("deal_id").response
    open_both = [i for i in still if w[i] in ("advance", "continuation") and c[i] in ("advance", "continuation")]
    assert all(w[i] == "advance" for i in open_both if c[i] == "advance")
    new = set(action_world.accounts.account_id[~action_world.accounts.existing_customer.astype(bool)])
    account = action_world.deals.set_index("deal_id").account_id

    def gain(group: list[int]) -> float:
        return np.mean([w[i] == "advance" for i in group]) - np.mean([c[i] == "advance" for i in group])

    in_new = [i for i in open_both if account[i] in new]
    in_old = [i for i in open_both if account[i] not in new]
    assert gain(in_new) > gain(in_old) > 0 and n_open == 5


def test_stores_played_before_keep_their_model(action_world):
    """``responses="moves"`` (stores made before the responses had their own draw): the response is the move, and
    a relationship action never advances its deal that week; replays keep the model."""
    sim = Simulation(action_world, seed=8, responses="moves")
    sim.run(3)
    for _ in range(3):
        d = sim.history.deals
        open_ids = d.deal_id[(d.status == "open") & (d.created_week < sim.week + 1)].tolist()
        ev = sim.step({i: "send_brochure" for i in open_ids})
        mine = ev[ev.deal_id.isin(open_ids)]
        assert set(mine.outcome.astype(str)) <= {"continuation", "no_sale"}
        assert (mine.response == mine.outcome.astype(str)).all()
    assert sim.replay().responses == "moves" and (sim.trust == 0).all()
    with pytest.raises(ValueError, match="responses must be one of"):
        Simulation(action_world, seed=8, responses="words")


def test_continuation_actions_fit_every_stage():
    f = Funnel.preset("key-account")
    kinds = {a.key: a.kind for a in ACTIONS}
    for key in f.keys:
        keys = {a.key for a in actions_for(f, key)}
        assert {"send_brochure", "friendly_dinner", "courtesy_call"} <= keys
        assert any(kinds[k] == "advance" for k in keys)
    assert actions_for(f, "won") == [] and actions_for(f, "lost") == []


def test_action_that_does_not_fit_stage_raises(action_world):
    sim = Simulation(action_world, seed=5)
    deal = _first_stage_deals(action_world)[0]  # at "need" (customer analysis)
    with pytest.raises(ValueError, match=r"propose_trial.*'need'|'need'.*propose_trial"):
        sim.step({deal: "propose_trial"})
    assert sim.week == 0  # a refused move changes nothing
    with pytest.raises(ValueError, match="no_such_action"):
        sim.step({deal: "no_such_action"})
    assert sim.week == 0
    # After the refusals the week runs exactly as in a fresh simulation.
    pd.testing.assert_frame_equal(sim.step(), Simulation(action_world, seed=5).step())


def test_acting_on_closed_unknown_or_future_deal_raises(action_world):
    sim = Simulation(action_world, seed=5)
    sim.run(4)
    d = sim.history.deals
    closed = int(d.deal_id[d.status == "lost"].iloc[0])
    with pytest.raises(ValueError, match=rf"deal {closed}\b.*closed"):
        sim.step({closed: "send_brochure"})
    with pytest.raises(ValueError, match="unknown deal"):
        sim.step({10**9: "send_brochure"})
    future = int(action_world.deals.deal_id[action_world.deals.created_week == 30].iloc[0])
    with pytest.raises(ValueError, match=rf"deal {future}\b.*created in week 30"):
        sim.step({future: "send_brochure"})
    assert sim.week == 4


def test_step_past_horizon_raises():
    world = generate(accounts=20, weeks=5, seed=2)
    sim = Simulation(world, seed=2)
    h = sim.run()
    assert sim.week == 5 and h.end_week == 5
    with pytest.raises(ValueError, match=re.escape("5 weeks")):
        sim.step()
    with pytest.raises(ValueError, match="week 6"):
        sim.run(1)
    assert sim.week == 5


def test_chain_must_match_funnel():
    world = generate(accounts=20, seed=2)
    other = calibrated_chain(Funnel.preset("simple"))
    with pytest.raises(ValueError, match="do not match"):
        Simulation(world, seed=1, chain=other)


def test_history_chain_is_the_chain_that_simulated_it():
    from simfunnel import History
    from simfunnel.model.chain import history_chain

    sim = Simulation(generate(accounts=30, seed=2), seed=2)
    h = sim.run()
    pd.testing.assert_frame_equal(history_chain(h), sim.chain)
    assert history_chain(History(h.deals, h.events, None, h.funnel)) is None


@pytest.mark.parametrize("coupling", ["monotone", "classic"])
def test_the_monotone_coupling_never_makes_an_action_worsen_the_deal_it_touches(coupling):
    from simfunnel.model.generate import generate
    from simfunnel.model.actions import ACTIONS, actions_for
    from simfunnel.model.simulate import Simulation

    rank = {"no_sale": 0, "continuation": 1, "advance": 2, "order": 3}
    world = generate(accounts=400, seed=8)
    sim = Simulation(world, seed=8, coupling=coupling)
    worse = better = 0
    for _ in range(6):
        deals = sim.history.deals
        open_ = deals[deals.status == "open"]
        # the strongest fitting advance action: advance factor > 1 and loss factor ≤ 1 for every action used
        acts = {int(d): max((a for a in actions_for(world.funnel, str(s)) if a.kind == "advance"),
                            key=lambda a: a.advance_factor).key
                for d, s in zip(open_.deal_id, open_.stage)}
        assert all(a.loss_factor <= 1 and a.advance_factor > 1 for a in ACTIONS if a.key in set(acts.values()))
        with_action = sim.preview(acts).set_index("deal_id")["outcome"].astype(str)
        alone = sim.replay()
        moved = alone.step().set_index("deal_id")["outcome"].astype(str)  # only stage changes are recorded
        without = pd.Series("continuation", index=with_action.index).where(~with_action.index.isin(moved.index),
                                                                           moved.reindex(with_action.index))
        delta = with_action.map(rank) - without.map(rank)
        worse += int((delta < 0).sum())
        better += int((delta > 0).sum())
        sim.step()
    assert better > 50
    if coupling == "monotone":
        assert worse == 0
    else:  # the classic layout: an action can turn a stay into a loss with the same draw
        assert worse > 0


def test_coupling_is_checked_and_kept_by_replay():
    from simfunnel.model.generate import generate
    from simfunnel.model.simulate import Simulation

    world = generate(accounts=30, seed=4)
    with pytest.raises(ValueError, match="coupling must be one of monotone, classic"):
        Simulation(world, seed=4, coupling="fair")
    sim = Simulation(world, seed=4, coupling="classic")
    sim.run(10)
    assert sim.replay().coupling == "classic" and sim.history.meta["coupling"] == "classic"
    assert Simulation(world, seed=4).coupling == "monotone"


def test_advance_ends_exactly_where_step_does_and_replays_use_it():
    """advance() is step() without building the week's event frame (replays drop it): same stages,
    same events, same history."""
    world = generate(accounts=60, seed=11)
    a, b = Simulation(world, seed=4), Simulation(world, seed=4)
    deal = int(world.deals.deal_id.iloc[0])
    for week in range(6):
        acts = {deal: "arrange_demo"} if week == 2 else None
        try:
            a.step(acts)
        except ValueError:
            acts = None
            a.step()
        b.advance(acts)
    assert np.array_equal(a.stage_codes(), b.stage_codes()) and a.week == b.week == 6
    pd.testing.assert_frame_equal(a.history.events, b.history.events)
    pd.testing.assert_frame_equal(a.replay().history.events, a.history.events)
    assert b.advance() is None
