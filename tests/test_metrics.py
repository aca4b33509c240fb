"""Tests of simfunnel.analysis.metrics: hand-computed numbers, a slow reference, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simfunnel import Funnel, History
from simfunnel.model.history import build_snapshots
from simfunnel.analysis.metrics import (
    INDICATOR_COLUMNS,
    cycle_time,
    indicators,
    records_entered,
    rotting_deals,
    sales_velocity,
    stage_conversion,
    time_in_stage,
    win_rate,
)

try:
    from reference import reference_indicators
except ImportError:  # tests/ became a package
    from tests.reference import reference_indicators

FUNNEL = Funnel.preset("key-account")  # need .10, approved .25, criteria .40, evaluation .60, commitment .80


# --- a tiny history built by hand ----------------------------------------------------------
#
# deal  amount   created  path (event weeks)                               end
# A     100,000  0        need →1 approved →3 criteria →5 won              won, closed 5
# B     200,000  1        criteria (override 0.5) →2 criteria (continuation) →4 lost   lost, closed 4
# C      20,000  0        commitment →3 won                                won, closed 3
# D      10,000  0        commitment →1 won                                won, closed 1
# E      60,000  2        approved →4 evaluation                           open (censored)
# G      30,000  1        evaluation →2 won                                won, closed 2
#
# Snapshots (stage at the end of each week, end_week 6):
#   week  0         1          2          3          4          5         6
#   A     need      approved   approved   criteria   criteria   won       won
#   B     -         criteria   criteria   criteria   lost       lost      lost
#   C     commit.   commit.    commit.    won        won        won       won
#   D     commit.   won        won        won        won        won       won
#   E     -         -          approved   approved   evaluation evaluation evaluation
#   G     -         evaluation won        won        won        won       won
#
# Period: start_week s = 2, n = 3 → t = 0…3 is weeks 2…5. Quota 500,000.


def tiny_history(start_week: int = 2) -> History:
    deals = pd.DataFrame(
        {
            "deal_id": ["A", "B", "C", "D", "E", "G"],
            "account_id": ["a1", "a2", "a3", "a3", None, "a1"],
            "owner": ["li", "li", "wang", "wang", "li", "wang"],
            "amount": [100_000, 200_000, 20_000, 10_000, 60_000, 30_000],
            "created_week": [0, 1, 0, 0, 2, 1],
            "stage": ["won", "lost", "won", "won", "evaluation", "won"],
            "status": ["won", "lost", "won", "won", "open", "won"],
            "closed_week": [5, 4, 3, 1, None, 2],
            "expected_close_week": [6, 6, 3, 1, 8, 2],
            "win_rate_override": [None, 0.5, None, None, None, None],
            "paid_week": [None] * 6,
        }
    )
    events = pd.DataFrame(
        [
            ("A", 1, "need", "approved", "advance", "demo"),
            ("A", 3, "approved", "criteria", "advance", "meeting"),
            ("A", 5, "criteria", "won", "order", None),
            ("B", 2, "criteria", "criteria", "continuation", "call"),
            ("B", 4, "criteria", "lost", "no_sale", None),
            ("C", 3, "commitment", "won", "order", None),
            ("D", 1, "commitment", "won", "order", None),
            ("E", 4, "approved", "evaluation", "advance", "trial"),
            ("G", 2, "evaluation", "won", "order", None),
        ],
        columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"],
    )
    return History(deals, events, funnel=FUNNEL, start_week=start_week, end_week=6)


Q = 500_000


def test_tiny_snapshots_are_as_drawn():
    snap = tiny_history().snapshots
    stage = snap.pivot(index="deal_id", columns="week", values="stage").astype(object)
    assert list(stage.loc["A"]) == ["need", "approved", "approved", "criteria", "criteria", "won", "won"]
    assert list(stage.loc["E"].dropna()) == ["approved", "approved", "evaluation", "evaluation", "evaluation"]


def test_indicators_threshold_zero_by_hand():
    tab = indicators(tiny_history(), Q, threshold=0, run_rate_weeks=2, start_week=2, period_weeks=3)
    assert list(tab.columns) == list(INDICATOR_COLUMNS)
    assert list(tab.t) == [0, 1, 2, 3]
    assert list(tab.week) == [2, 3, 4, 5]
    # F_0 (week 2): A approved 100k×.25 + B criteria 200k×.5 (override) + C commitment 20k×.8
    #               + E approved 60k×.25 = 25,000 + 100,000 + 16,000 + 15,000 = 156,000
    # F_1 (week 3): A criteria 40,000 + B 100,000 + E 15,000 = 155,000 (C won in week 3)
    # F_2 (week 4): A 40,000 + E evaluation 60k×.6 = 36,000 → 76,000 (B lost)
    # F_3 (week 5): E 36,000 (A won)
    np.testing.assert_allclose(tab.forecast_in_funnel, [156_000, 155_000, 76_000, 36_000])
    # Won during weeks 2, 3, 4, 5: G 30k, C 20k, nothing, A 100k. B_t sums weeks 1…t.
    np.testing.assert_allclose(tab.booked_week, [30_000, 20_000, 0, 100_000])
    np.testing.assert_allclose(tab.booked, [0, 20_000, 20_000, 120_000])
    for col in ("out_of_funnel_booked_week", "out_of_funnel_booked", "run_rate", "expected_out_of_funnel"):
        assert (tab[col] == 0).all(), col
    np.testing.assert_allclose(tab.forecast, tab.forecast_in_funnel)
    # P_1 = (155,000 + 20,000 − 156,000) / 500,000 = 0.038
    # P_2 = (76,000 + 20,000 − 175,000) / 500,000 = −0.158
    # P_3 = (36,000 + 120,000 − 96,000) / 500,000 = 0.12
    assert math.isnan(tab.progress[0])
    np.testing.assert_allclose(tab.progress[1:], [0.038, -0.158, 0.12])
    np.testing.assert_allclose(tab.benchmark, 1 / 3)
    # coverage = F′ / (Q − B): 156/500, 155/480, 76/480, 36/380
    np.testing.assert_allclose(tab.coverage, [0.312, 155 / 480, 76 / 480, 36 / 380])
    # E is still open at the end → censored, left out of the error.
    # t0: F = 25k + 100k + 16k = 141,000; A = A won 100k + C won 20k = 120,000 → 21,000 / Q = 0.042
    # t1: F = 40k + 100k = 140,000; A = 100,000 → 0.08
    # t2: F = 40,000; A = 100,000 → −0.12
    # t3: F = 0; A = 0 → 0
    np.testing.assert_allclose(tab.forecast_error, [0.042, 0.08, -0.12, 0.0], atol=1e-12)
    assert list(tab.censored) == [1, 1, 1, 1]


def test_indicators_threshold_50k_by_hand():
    tab = indicators(tiny_history(), Q, threshold=50_000, run_rate_weeks=2, start_week=2, period_weeks=3)
    # In the funnel: A, B, E. Out of it: C 20k (won wk 3), D 10k (wk 1), G 30k (wk 2).
    # F: t0 25k + 100k + 15k = 140,000; then 155,000; 76,000; 36,000.
    np.testing.assert_allclose(tab.forecast_in_funnel, [140_000, 155_000, 76_000, 36_000])
    np.testing.assert_allclose(tab.booked_week, [30_000, 20_000, 0, 100_000])  # all amounts
    np.testing.assert_allclose(tab.out_of_funnel_booked_week, [30_000, 20_000, 0, 0])
    np.testing.assert_allclose(tab.booked, [0, 20_000, 20_000, 120_000])
    np.testing.assert_allclose(tab.out_of_funnel_booked, [0, 20_000, 20_000, 20_000])
    # run rate over 2 weeks: wk 1–2 (10k + 30k)/2 = 20,000; wk 2–3 25,000; wk 3–4 10,000; wk 4–5 0
    np.testing.assert_allclose(tab.run_rate, [20_000, 25_000, 10_000, 0])
    # Ô = run rate × (3 − t): 60,000; 50,000; 10,000; 0
    np.testing.assert_allclose(tab.expected_out_of_funnel, [60_000, 50_000, 10_000, 0])
    np.testing.assert_allclose(tab.forecast, [200_000, 205_000, 86_000, 36_000])
    # P_1 = (205k + 20k − 200k)/Q = 0.05; P_2 = (86k + 20k − 225k)/Q = −0.238; P_3 = (36k + 120k − 106k)/Q = 0.1
    np.testing.assert_allclose(tab.progress[1:], [0.05, -0.238, 0.1])
    # benchmark = (1 − 60,000 / 500,000) / 3
    np.testing.assert_allclose(tab.benchmark, 0.88 / 3)
    np.testing.assert_allclose(tab.coverage, [0.4, 205 / 480, 86 / 480, 36 / 380])
    # error: t0 F(no E) 125k + Ô 60k − (A 100k + out-of-funnel weeks 3–5: C 20k) = 65,000 → 0.13
    #        t1 140k + 50k − (100k + 0) = 90,000 → 0.18
    #        t2 40k + 10k − 100k = −50,000 → −0.1
    #        t3 0
    np.testing.assert_allclose(tab.forecast_error, [0.13, 0.18, -0.1, 0.0], atol=1e-12)
    assert list(tab.censored) == [1, 1, 1, 1]


def test_run_rate_reaches_back_over_available_weeks_only():
    # w = 4 at week 2 wants weeks −1…2; only 0, 1, 2 exist: (0 + 10k + 30k) / 3.
    tab = indicators(tiny_history(), Q, threshold=50_000, run_rate_weeks=4, start_week=2, period_weeks=3)
    assert tab.run_rate[0] == pytest.approx(40_000 / 3)
    # at week 0 only week 0 is available, and nothing was won in it
    tab0 = indicators(tiny_history(), Q, threshold=50_000, run_rate_weeks=4, start_week=0, period_weeks=2)
    assert list(tab0.run_rate) == pytest.approx([0.0, 5_000.0, 40_000 / 3])
    # forecast error over weeks 0…2 (period inside the history, out-of-funnel wins D wk 1, G wk 2):
    # t0: F = A need 10,000; Ô 0; A = A won 100k + D 10k + G 30k → (10k − 140k)/Q = −0.26
    # t1: F = A 25k + B 100k; Ô = 5,000 × 1; A = 100k + G 30k → 0
    # t2: F = A 25k + B 100k (E censored); Ô 0; A = 100k → 0.05
    np.testing.assert_allclose(tab0.forecast_error, [-0.26, 0.0, 0.05], atol=1e-12)
    assert list(tab0.censored) == [0, 0, 1]


def test_live_period_is_cut_at_end_week_and_n_stays():
    h = tiny_history(start_week=2)
    tab = indicators(h, Q, threshold=50_000, run_rate_weeks=2)  # default start 2, 13 weeks, end 6
    assert list(tab.week) == [2, 3, 4, 5, 6]
    np.testing.assert_allclose(tab.expected_out_of_funnel, tab.run_rate * (13 - tab.t))
    np.testing.assert_allclose(tab.benchmark, (1 - 20_000 * 13 / Q) / 13)
    pd.testing.assert_frame_equal(tab, reference_indicators(h, Q, 50_000, 2), check_exact=False)


def test_coverage_is_inf_once_quota_met():
    tab = indicators(tiny_history(), 100_000, threshold=0, start_week=2, period_weeks=3)
    # B_3 = 120,000 ≥ 100,000
    assert tab.coverage[3] == math.inf
    assert np.isfinite(tab.coverage[:3]).all()
    # quota met exactly (Q − B_3 = 0) also counts as met
    exact = indicators(tiny_history(), 120_000, threshold=0, start_week=2, period_weeks=3)
    assert exact.coverage[3] == math.inf
    assert exact.coverage[2] == pytest.approx(76_000 / 100_000)


def test_default_start_week_and_quota_from_history():
    h = tiny_history(start_week=1)
    assert indicators(h, Q).week[0] == 1
    # no quota anywhere: the mean quarterly bookings of the history, and a warning that says so (issue 15)
    from simfunnel.analysis.metrics import default_quota

    won = h.deals.loc[h.deals["status"].astype(str) == "won", "amount"].sum()
    assert default_quota(h) == pytest.approx(won / (max(h.end_week, 1) / 13))
    with pytest.warns(UserWarning, match="no quota given: using the mean quarterly bookings of the history"):
        table = indicators(h, None)
    pd.testing.assert_frame_equal(table, indicators(h, default_quota(h)))
    h.quota = 250_000.0
    pd.testing.assert_frame_equal(indicators(h, None), indicators(h, 250_000))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"quota": 0}, "quota"),
        ({"quota": -5}, "quota"),
        ({"quota": float("nan")}, "quota"),
        ({"quota": float("inf")}, "quota"),
        ({"quota": "1000"}, "quota"),
        ({"threshold": -1}, "threshold"),
        ({"threshold": float("nan")}, "threshold"),
        ({"run_rate_weeks": 0}, "run_rate_weeks"),
        ({"run_rate_weeks": 1.5}, "run_rate_weeks"),
        ({"period_weeks": 0}, "period_weeks"),
        ({"start_week": 7}, "start_week"),
        ({"start_week": -1}, "start_week"),
    ],
)
def test_indicators_bad_input_names_argument(kwargs, name):
    args = {"quota": Q, **kwargs}
    with pytest.raises(ValueError, match=name):
        indicators(tiny_history(), **args)


def test_other_functions_bad_input():
    h = tiny_history()
    with pytest.raises(ValueError, match="threshold"):
        records_entered(h, threshold=-1)
    with pytest.raises(ValueError, match="period_weeks"):
        records_entered(h, period_weeks=0)
    with pytest.raises(ValueError, match="start_week"):
        win_rate(h, start_week=9)
    with pytest.raises(ValueError, match="weeks"):
        rotting_deals(h, weeks=-1)
    with pytest.raises(ValueError, match="week"):
        rotting_deals(h, week=7)


# --- the other metrics on the tiny history ---------------------------------------------------
def test_records_entered_by_hand():
    h = tiny_history()
    # weeks 3…5, T = 50k: no big deal created; events A3, A5, B4, E4 → 4
    assert records_entered(h, threshold=50_000, start_week=2, period_weeks=3) == 4
    # T = 0 adds C's event in week 3 → 5
    assert records_entered(h, threshold=0, start_week=2, period_weeks=3) == 5
    # weeks 2…4, T = 50k: E created in week 2 (1) + events B2, A3, B4, E4 (4) → 5
    assert records_entered(h, threshold=50_000, start_week=1, period_weeks=3) == 5
    # weeks 1…13, T = 0: B, E, G created (3) + all 9 events → 12
    assert records_entered(h, threshold=0, start_week=0, period_weeks=13) == 12
    # T above every amount: nothing to enter
    assert records_entered(h, threshold=1e9, start_week=0) == 0


def test_win_rate_by_hand():
    h = tiny_history()
    assert win_rate(h) == pytest.approx(4 / 5)  # won A, C, D, G; lost B
    assert win_rate(h, start_week=2, period_weeks=3) == pytest.approx(2 / 3)  # weeks 3–5: A, C won; B lost
    assert win_rate(h, start_week=0, period_weeks=2) == 1.0  # weeks 1–2: D, G
    assert math.isnan(win_rate(h, start_week=5))  # week 6: nothing closed


def test_stage_conversion_by_hand():
    tab = stage_conversion(tiny_history())
    assert list(tab.index) == list(FUNNEL.keys)
    assert tab.loc["criteria", "zh"] == "确定标准" and tab.loc["criteria", "en"] == "Criteria set"
    # need: A. approved: A, E. criteria: A, B, E (E skipped it). evaluation: A (via won), E, G.
    # commitment: A, G (via won), C, D.
    assert list(tab.reached) == [1, 2, 3, 3, 4]
    assert list(tab.advanced) == [1, 2, 2, 2, 4]
    assert list(tab.lost) == [0, 0, 1, 0, 0]  # B lost at criteria
    assert list(tab.still_open) == [0, 0, 0, 1, 0]  # E at evaluation
    assert (tab.reached == tab.advanced + tab.lost + tab.still_open).all()
    np.testing.assert_allclose(tab.conversion, [1, 1, 2 / 3, 1, 1])
    np.testing.assert_allclose(tab.cumulative_conversion, [1, 1, 2 / 3, 2 / 3, 2 / 3])


def test_stage_conversion_backward_move_counts_at_highest_stage():
    deals = pd.DataFrame(
        {
            "deal_id": [1, 2],
            "account_id": [None, None],
            "owner": ["x", "x"],
            "amount": [1.0, 1.0],
            "created_week": [0, 0],
            "stage": ["lost", "need"],
            "status": ["lost", "open"],
            "closed_week": [3, None],
            "expected_close_week": [None, None],
            "win_rate_override": [None, None],
            "paid_week": [None, None],
        }
    )
    events = pd.DataFrame(
        [
            (1, 1, "need", "criteria", "advance", None),
            (1, 2, "criteria", "approved", "continuation", None),
            (1, 3, "approved", "lost", "no_sale", None),
        ],
        columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"],
    )
    tab = stage_conversion(History(deals, events, funnel=FUNNEL))
    # deal 1 reached need…criteria and is lost from criteria (its highest); deal 2 open at need
    assert list(tab.reached) == [2, 1, 1, 0, 0]
    assert list(tab.lost) == [0, 0, 1, 0, 0]
    assert list(tab.still_open) == [1, 0, 0, 0, 0]
    assert tab.conversion["need"] == 1.0 and math.isnan(tab.conversion["evaluation"])


def test_cycle_time_by_hand():
    tab = cycle_time(tiny_history())
    # won: A 5, C 3, D 1, G 1 weeks; lost: B 3 weeks
    assert tab.loc["won", "count"] == 4
    assert tab.loc["won", "mean_weeks"] == pytest.approx(2.5)
    assert tab.loc["won", "median_weeks"] == pytest.approx(2.0)
    assert tab.loc["lost", "count"] == 1
    assert tab.loc["lost", "mean_weeks"] == pytest.approx(3.0)
    assert tab.loc["lost", "zh"] == "丢单"


def test_sales_velocity_by_hand():
    h = tiny_history()
    v = sales_velocity(h, start_week=2, period_weeks=3)
    # open at week 2: A, B, C, E; weeks 3–5: win rate 2/3, won A 100k (5 wk) and C 20k (3 wk)
    # → 4 × 2/3 × 60,000 / 4 = 40,000 per week
    assert v["opportunities"] == 4
    assert v["win_rate"] == pytest.approx(2 / 3)
    assert v["mean_won_amount"] == pytest.approx(60_000)
    assert v["cycle_weeks"] == pytest.approx(4)
    assert v["velocity"] == pytest.approx(40_000)
    # threshold 50k: only A, B, E count → 30,000 per week
    assert sales_velocity(h, start_week=2, period_weeks=3, threshold=50_000)["velocity"] == pytest.approx(30_000)
    # nothing won in week 6 → undefined
    assert math.isnan(sales_velocity(h, start_week=5, period_weeks=1)["velocity"])


def test_time_in_stage_by_hand():
    tab = time_in_stage(tiny_history())
    # need: A 1. approved: A 2, E 2. criteria: A 2, B 3. evaluation: E 3, G 1. commitment: C 3, D 1.
    assert list(tab.deals) == [1, 2, 2, 2, 2]
    np.testing.assert_allclose(tab.mean_weeks, [1, 2, 2.5, 2, 2])
    np.testing.assert_allclose(tab.median_weeks, [1, 2, 2.5, 2, 2])
    assert tab.loc["need", "en"] == "Need identified"


def test_rotting_deals_by_hand():
    h = tiny_history()
    # week 6: E is open, in evaluation since week 4 → 2 weeks
    r = rotting_deals(h, weeks=2)
    assert list(r.columns) == ["deal_id", "stage", "weeks_in_stage", "amount"]
    assert list(r.deal_id) == ["E"] and list(r.weeks_in_stage) == [2] and list(r.amount) == [60_000]
    assert r.stage.astype(str).tolist() == ["evaluation"]
    assert rotting_deals(h, weeks=3).empty
    # week 3: A moved to criteria in week 3 (0), B in criteria since created in week 1 (2; its week-2
    # continuation call did not change the stage), E approved since 2 (1)
    r3 = rotting_deals(h, weeks=1, week=3)
    assert list(r3.deal_id) == ["B", "E"]
    assert list(r3.weeks_in_stage) == [2, 1]
    assert list(rotting_deals(h, weeks=0, week=3).deal_id) == ["B", "E", "A"]


# --- random histories against the reference ---------------------------------------------------
K = len(FUNNEL)
KEYS = list(FUNNEL.all_keys)
AMOUNTS = [0, 1_000, 5_000, 20_000, 50_000, 80_000]


@st.composite
def histories(draw):
    """Small valid histories: each deal walks a random stage path through nondecreasing weeks."""
    end = draw(st.integers(0, 12))
    rows, events = [], []
    for i in range(draw(st.integers(0, 10))):
        amount = draw(st.sampled_from(AMOUNTS))
        created = draw(st.integers(-3, end))
        stage = draw(st.integers(0, K - 1))
        week = created
        closed = None
        kind = draw(st.sampled_from(["events", "events", "events", "closed_no_events"]))
        if kind == "closed_no_events":  # e.g. an imported closed deal
            stage = draw(st.sampled_from([K, K + 1]))
            closed = draw(st.integers(created, end))
        else:
            for _ in range(draw(st.integers(0, 4))):
                week = draw(st.integers(week, end))
                move = draw(st.sampled_from(["advance", "skip", "back", "stay", "won", "won", "lost"]))
                new = {
                    "advance": min(stage + 1, K - 1),
                    "skip": min(stage + 2, K - 1),
                    "back": max(stage - 1, 0),
                    "stay": stage,
                    "won": K,
                    "lost": K + 1,
                }[move]
                outcome = {"won": "order", "lost": "no_sale", "stay": "continuation"}.get(move, "advance")
                events.append((i, week, KEYS[stage], KEYS[new], outcome, None))
                stage = new
                if new >= K:
                    closed = week
                    break
        status = "won" if stage == K else "lost" if stage == K + 1 else "open"
        override = draw(st.sampled_from([None, None, None, 0.0, 0.3, 1.0]))
        rows.append((i, f"acc{i % 3}", "o", amount, created, KEYS[stage], status, closed, None, override, None))
    deals = pd.DataFrame(
        rows,
        columns=[
            "deal_id",
            "account_id",
            "owner",
            "amount",
            "created_week",
            "stage",
            "status",
            "closed_week",
            "expected_close_week",
            "win_rate_override",
            "paid_week",
        ],
    )
    ev = pd.DataFrame(events, columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"])
    start = draw(st.integers(0, end))
    h = History(deals, ev, funnel=FUNNEL, start_week=start, end_week=end)
    if draw(st.booleans()) and len(h.snapshots):
        # amounts revised over time: snapshot amounts differ from the deal's final amount
        snap = build_snapshots(h.deals, h.events, FUNNEL, end).copy()
        factors = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=len(snap), max_size=len(snap)))
        snap["amount"] = snap.amount.to_numpy() * np.array(factors)
        h = History(h.deals, h.events, snapshots=snap, funnel=FUNNEL, start_week=start, end_week=end)
    return h


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=histories(),
    threshold=st.sampled_from([0, 1_000, 20_000, 50_000, 50_000, 60_000]),
    quota=st.sampled_from([1.0, 10_000.0, 20_000.0, 123_456.0, 1e6]),
    run_rate_weeks=st.integers(1, 6),
    period_weeks=st.integers(1, 15),
    data=st.data(),
)
def test_indicators_match_reference(h, threshold, quota, run_rate_weeks, period_weeks, data):
    start = data.draw(st.one_of(st.none(), st.integers(0, h.end_week)))
    s = h.start_week if start is None else start
    if data.draw(st.booleans()):  # half the time, a period that ends inside the history
        period_weeks = data.draw(st.integers(1, max(1, h.end_week - s)))
    got = indicators(h, quota, threshold, run_rate_weeks, start, period_weeks)
    want = reference_indicators(h, quota, threshold, run_rate_weeks, start, period_weeks)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-9)

    event(f"period inside history: {s + period_weeks <= h.end_week}")
    event(f"censored deals: {bool(got.censored.any())}")
    event(f"out-of-funnel bookings in the period: {bool(got.out_of_funnel_booked.any())}")
    event(f"coverage inf: {bool(np.isinf(got.coverage).any())}")

    # properties
    assert len(got) == min(period_weeks, h.end_week - s) + 1
    assert math.isnan(got.progress[0]) and got.progress[1:].notna().all()
    assert (np.diff(got.booked) >= 0).all() and (np.diff(got.out_of_funnel_booked) >= 0).all()
    snap = h.snapshots
    open_in = snap[(snap.status == "open") & (snap.amount >= threshold)]
    open_amount = open_in.groupby("week").amount.sum().reindex(got.week, fill_value=0).to_numpy()
    tol = 1e-9 * (1 + open_amount)
    assert (got.forecast >= -tol).all()
    assert (got.forecast <= open_amount + got.expected_out_of_funnel + tol).all()
    assert (got.censored >= 0).all()
    if threshold == 0:
        for col in ("out_of_funnel_booked_week", "out_of_funnel_booked", "run_rate", "expected_out_of_funnel"):
            assert (got[col] == 0).all()
        np.testing.assert_allclose(got.benchmark, 1 / period_weeks)


def test_threshold_zero_quarter_benchmark_is_one_thirteenth():
    h = tiny_history(start_week=0)
    tab = indicators(h, Q, threshold=0)
    np.testing.assert_allclose(tab.benchmark, 1 / 13)
    assert (tab.out_of_funnel_booked == 0).all() and (tab.expected_out_of_funnel == 0).all()
    assert (tab.forecast <= tab.forecast_in_funnel + 1e-9).all()


def test_indicators_do_not_change_the_history():
    h = tiny_history()
    deals, events, snap = h.deals.copy(), h.events.copy(), h.snapshots.copy()
    indicators(h, Q, threshold=50_000)
    stage_conversion(h), time_in_stage(h), rotting_deals(h), sales_velocity(h)
    pd.testing.assert_frame_equal(h.deals, deals)
    pd.testing.assert_frame_equal(h.events, events)
    pd.testing.assert_frame_equal(h.snapshots, snap)


def test_metrics_import_no_plotting_libraries():
    import subprocess
    import sys

    code = "import sys, simfunnel.analysis.metrics; print(any(m in sys.modules for m in ('matplotlib', 'ipywidgets')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
