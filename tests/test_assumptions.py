"""Assumption testing (issue 4, point 4): naive-Bayes probabilities, calibration and the Brier score,
the forecast backtest, and the assumed / measured / true comparison.

Numbers are checked against hand computation on tiny hand-built histories (the arithmetic is
written out in the comments), then properties on simulated histories.
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest

import simfunnel as sf
from simfunnel import Funnel, History
from simfunnel.analysis.montecarlo import actual_bookings
from simfunnel.analysis.backtest import backtest
from simfunnel.analysis.assumptions import (
    brier_counts,
    brier_score,
    calibration,
    forecast_rows,
    frequency_table,
    naive_bayes_probability,
)
from simfunnel.analysis.winrates import compare_rates, empirical_win_rates, open_at
from simfunnel.analysis.metrics import indicators
from simfunnel.model.chain import calibrated_chain, history_chain, true_win_rates
from simfunnel.widgets.models import RateModel

KEY_ACCOUNT = Funnel.preset("key-account")  # need 10%, approved 25%, criteria 40%, evaluation 60%, commitment 80%


def deal_rows(rows: list[tuple]) -> pd.DataFrame:
    cols = ["deal_id", "account_id", "amount", "created_week", "stage", "closed_week", "product"]
    d = pd.DataFrame(rows, columns=cols)
    d["owner"] = "Li"
    d["status"] = d.stage.map(lambda s: s if s in ("won", "lost") else "open")
    d["expected_close_week"] = 9
    d["win_rate_override"] = None
    d["paid_week"] = None
    return d


def event_rows(rows: list[tuple]) -> pd.DataFrame:
    e = pd.DataFrame(rows, columns=["deal_id", "week", "from_stage", "to_stage"])
    e["outcome"] = [("order" if t == "won" else "no_sale" if t == "lost" else "advance") for t in e.to_stage]
    e["action"] = None
    return e


def scoring_history() -> History:
    """Five closed deals to learn from, four open ones to score (all created in week 0).

    deal  path                               outcome  product  account (segment)
    1     need → approved (w1) → won (w3)    won      A        1 (attack)
    2     approved → won (w4)                won      B        2 (defend)
    3     need → lost (w2)                   lost     A        1 (attack)
    4     need → approved (w1) → lost (w3)   lost     B        2 (defend)
    5     need → lost (w2)                   lost     A        2 (defend)
    6     need → approved (w2)               open     A        1 (attack)
    7     need                               open     B        none
    8     approved                           open     C        1
    9     criteria                           open     (none)   2
    """
    deals = deal_rows([
        (1, 1, 100, 0, "won", 3, "A"),
        (2, 2, 100, 0, "won", 4, "B"),
        (3, 1, 100, 0, "lost", 2, "A"),
        (4, 2, 100, 0, "lost", 3, "B"),
        (5, 2, 100, 0, "lost", 2, "A"),
        (6, 1, 100, 0, "approved", None, "A"),
        (7, None, 100, 0, "need", None, "B"),
        (8, 1, 100, 0, "approved", None, "C"),
        (9, 2, 100, 0, "criteria", None, None),
    ])
    events = event_rows([
        (1, 1, "need", "approved"), (1, 3, "approved", "won"),
        (2, 4, "approved", "won"),
        (3, 2, "need", "lost"),
        (4, 1, "need", "approved"), (4, 3, "approved", "lost"),
        (5, 2, "need", "lost"),
        (6, 2, "need", "approved"),
    ])
    accounts = pd.DataFrame({"account_id": [1, 2], "segment": ["attack", "defend"], "owner": ["Wang", "Zhao"]})
    return History(deals, events, funnel=KEY_ACCOUNT, end_week=6, accounts=accounts)


# --- naive Bayes ------------------------------------------------------------------------------------------
def test_frequency_table_of_stages_counts_every_stage_reached():
    t = frequency_table(scoring_history(), "stage")
    # need: won 1 (deal 1; deal 2 was created at approved), lost 3 (deals 3, 4, 5)
    # approved: won 1, 2; lost 4.  criteria … commitment: the two won deals passed them.
    assert t.won.tolist() == [1, 2, 2, 2, 2]
    assert t.lost.tolist() == [3, 1, 0, 0, 0]
    # α = 1, "reached it or not" has V = 2 values: P(need | won) = (1 + 1) / (2 + 2), P(need | lost) = (3 + 1) / (3 + 2)
    assert t.loc["need", "p_given_won"] == pytest.approx(1 / 2)
    assert t.loc["need", "p_given_lost"] == pytest.approx(4 / 5)
    assert t.loc["criteria", "likelihood_ratio"] == pytest.approx((3 / 4) / (1 / 5))
    assert t.loc["approved", "win_share"] == pytest.approx(2 / 3)


def test_frequency_table_of_a_column():
    t = frequency_table(scoring_history(), "product", alpha=0.5)
    # training deals: A → won 1 (deal 1), lost 2 (3, 5); B → won 1 (2), lost 1 (4). W = 2, L = 3, V = 2.
    assert t.loc["A", ["won", "lost", "closed"]].tolist() == [1, 2, 3]
    assert t.loc["B", ["won", "lost", "closed"]].tolist() == [1, 1, 2]
    assert t.loc["A", "p_given_won"] == pytest.approx((1 + 0.5) / (2 + 0.5 * 2))
    assert t.loc["B", "p_given_lost"] == pytest.approx((1 + 0.5) / (3 + 0.5 * 2))
    assert "C" not in t.index  # only open deals have it


def test_naive_bayes_stage_and_product_by_hand():
    p = naive_bayes_probability(scoring_history(), ["stage", "product"], alpha=1.0)
    assert p.index.tolist() == [6, 7, 8, 9] and p.name == "probability"
    # Prior, α = 1: P(won) = (2 + 1) / (5 + 2) = 3/7, P(lost) = (3 + 1) / (5 + 2) = 4/7.
    # Stage (reached it or not, V = 2): approved | won = (2+1)/(2+2) = 3/4, | lost = (1+1)/(3+2) = 2/5;
    #   need | won = (1+1)/4 = 1/2, | lost = (3+1)/5 = 4/5;  criteria | won = 3/4, | lost = (0+1)/5 = 1/5.
    # Product (V = 2: A, B): A | won = (1+1)/(2+2) = 1/2, A | lost = (2+1)/(3+2) = 3/5;
    #   B | won = (1+1)/4 = 1/2, B | lost = (1+1)/5 = 2/5.
    # deal 6 (approved, A): S_won = 3/7·3/4·1/2 = 9/56, S_lost = 4/7·2/5·3/5 = 24/175 → 75/139
    s_won, s_lost = Fr(3, 7) * Fr(3, 4) * Fr(1, 2), Fr(4, 7) * Fr(2, 5) * Fr(3, 5)
    assert s_won / (s_won + s_lost) == Fr(75, 139)
    assert p[6] == pytest.approx(75 / 139)
    # deal 7 (need, B): S_won = 3/7·1/2·1/2 = 3/28, S_lost = 4/7·4/5·2/5 = 32/175 → 75/203
    assert p[7] == pytest.approx(float(Fr(3, 28) / (Fr(3, 28) + Fr(32, 175))))
    assert p[7] == pytest.approx(75 / 203)
    # deal 8 (approved, C never seen among closed deals: no evidence, factor left out):
    #   S_won = 3/7·3/4 = 9/28, S_lost = 4/7·2/5 = 8/35 → 45/77
    assert p[8] == pytest.approx(45 / 77)
    # deal 9 (criteria, no product): S_won = 3/7·3/4 = 9/28, S_lost = 4/7·1/5 = 4/35 → 45/61
    assert p[9] == pytest.approx(45 / 61)


def test_naive_bayes_with_an_account_column_by_hand():
    h = scoring_history()
    p = naive_bayes_probability(h, ["stage", "segment"])
    # segment via account_id: won → attack 1 (deal 1), defend 1 (2); lost → attack 1 (3), defend 2 (4, 5).
    # attack | won = (1+1)/(2+2) = 1/2, attack | lost = (1+1)/(3+2) = 2/5.
    # deal 6 (approved, attack): S_won = 3/7·3/4·1/2 = 9/56, S_lost = 4/7·2/5·2/5 = 16/175 → 225/353
    assert p[6] == pytest.approx(225 / 353)
    # deal 7 has no account: only the prior and the stage: S_won = 3/7·1/2 = 3/14, S_lost = 4/7·4/5 = 16/35 → 15/47
    assert p[7] == pytest.approx(15 / 47)
    # "owner" is a deals column (all "Li": no information), "account.owner" the account's
    same = naive_bayes_probability(h, ["stage", "owner"])
    stage_only = naive_bayes_probability(h, ["stage"])
    # one value for every deal: (2+1)/(2+1) = 1 and (3+1)/(3+1) = 1 → no change
    assert np.allclose(same, stage_only)
    by_account_owner = naive_bayes_probability(h, ["stage", "account.owner"])
    assert np.allclose(by_account_owner, p)  # one owner per account here: the same split as the segment


def test_naive_bayes_as_of_a_week_learns_only_from_deals_closed_by_then():
    p = naive_bayes_probability(scoring_history(), "stage", as_of_week=2)
    # closed by week 2: deals 3 and 5 (lost at need). Open at week 2: 1, 2, 4, 6 (approved), 7 (need), 8, 9.
    assert sorted(p.index) == [1, 2, 4, 6, 7, 8, 9]
    # W = 0, L = 2. Prior: (0+1)/(2+2) = 1/4 won, 3/4 lost.
    # approved | won = (0+1)/(0+2) = 1/2, approved | lost = (0+1)/(2+2) = 1/4 → S_won = 1/8, S_lost = 3/16 → 2/5
    assert p[1] == pytest.approx(2 / 5) and p[6] == pytest.approx(2 / 5)
    # need | won = 1/2, need | lost = (2+1)/4 = 3/4 → S_won = 1/8, S_lost = 9/16 → 2/11
    assert p[7] == pytest.approx(2 / 11)


def test_naive_bayes_stage_only_without_smoothing_is_the_naive_share():
    p = naive_bayes_probability(scoring_history(), "stage", alpha=0)
    # approved: of the closed deals that reached it (1, 2, 4) two were won
    assert p[6] == pytest.approx(2 / 3) and p[8] == pytest.approx(2 / 3)
    assert p[7] == pytest.approx(1 / 4)  # need: deals 1, 3, 4, 5 → 1 won
    naive = empirical_win_rates(scoring_history()).naive_win_rate
    assert p[6] == pytest.approx(naive["approved"]) and p[7] == pytest.approx(naive["need"])


def test_naive_bayes_all_deals_and_bad_arguments():
    h = scoring_history()
    p = naive_bayes_probability(h, "stage", deals="all")
    assert p.index.tolist() == list(range(1, 10))
    assert p[[1, 2]].tolist() == [1.0, 1.0] and p[[3, 4, 5]].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="neither a deals column.*nor an accounts column"):
        naive_bayes_probability(h, ["stage", "colour"])
    with pytest.raises(ValueError, match="alpha"):
        naive_bayes_probability(h, alpha=-1)
    with pytest.raises(ValueError, match="as_of_week 99"):
        naive_bayes_probability(h, as_of_week=99)
    with pytest.raises(ValueError, match="deals must be"):
        naive_bayes_probability(h, deals="closed")


# --- calibration and the Brier score ------------------------------------------------------------------------
def test_calibration_with_one_bin_per_value_by_hand():
    c = calibration([0.1] * 6 + [0.25] * 8, [1, 0, 0, 0, 0, 0] + [1] * 6 + [0] * 2, bins="unique")
    # Brier: 0.1 → (0.9² + 5·0.1²) = 0.86; 0.25 → (6·0.75² + 2·0.25²) = 3.5; (0.86 + 3.5) / 14 = 109/350
    assert c.brier == pytest.approx(109 / 350)
    # base rate 7/14; bins: (0.1, 1/6, n 6), (0.25, 3/4, n 8)
    # reliability = (6·(0.1 − 1/6)² + 8·(0.25 − 0.75)²) / 14 = 76/525
    # resolution = (6·(1/6 − 1/2)² + 8·(3/4 − 1/2)²) / 14 = 1/12; uncertainty = 1/4
    assert c.reliability == pytest.approx(76 / 525)
    assert c.resolution == pytest.approx(1 / 12)
    assert c.uncertainty == pytest.approx(1 / 4)
    assert c.within_bin_variance == pytest.approx(0) and c.within_bin_covariance == pytest.approx(0)
    assert c.reliability - c.resolution + c.uncertainty == pytest.approx(c.brier)  # 76/525 − 1/12 + 1/4 = 109/350
    assert np.allclose(c.table[["mean_predicted", "observed", "count"]].to_numpy(dtype=float),
                       [[0.1, 1 / 6, 6], [0.25, 0.75, 8]])


def test_calibration_with_equal_bins_and_wilson_by_hand():
    c = calibration(np.array([0.1, 0.3, 0.7, 0.9]), [False, True, True, True], bins=2)
    # Brier = (0.1² + 0.7² + 0.3² + 0.1²) / 4 = 0.6 / 4 = 0.15
    assert c.brier == pytest.approx(0.15)
    # bin [0, 0.5): p̄ 0.2, ō 0.5; bin [0.5, 1]: p̄ 0.8, ō 1; base rate 0.75
    assert c.reliability == pytest.approx((2 * 0.3**2 + 2 * 0.2**2) / 4)  # 0.065
    assert c.resolution == pytest.approx((2 * 0.25**2 + 2 * 0.25**2) / 4)  # 0.0625
    assert c.uncertainty == pytest.approx(0.75 * 0.25)  # 0.1875
    assert c.within_bin_variance == pytest.approx(4 * 0.1**2 / 4)  # 0.01
    # 2·((−0.1)(0 − 0.5) + (0.1)(1 − 0.5) + (−0.1)(0) + (0.1)(0)) / 4 = 0.05
    assert c.within_bin_covariance == pytest.approx(0.05)
    # 0.065 − 0.0625 + 0.1875 + 0.01 − 0.05 = 0.15
    total = c.reliability - c.resolution + c.uncertainty + c.within_bin_variance - c.within_bin_covariance
    assert total == pytest.approx(c.brier)
    # Wilson 95% for 1 of 2: centre (0.5 + z²/4) / (1 + z²/2) = 0.5, half z·√(1/8 + z²/16) / (1 + z²/2)
    z = 1.959963985
    half = z * math.sqrt(0.125 + z * z / 16) / (1 + z * z / 2)
    row = c.table.iloc[0]
    assert (row.low, row.high, row["count"]) == (0.0, 0.5, 2)
    assert row.observed_low == pytest.approx(0.5 - half, abs=1e-6)  # 0.0945
    assert row.observed_high == pytest.approx(0.5 + half, abs=1e-6)  # 0.9055


def test_calibration_aligns_series_and_drops_missing():
    p = pd.Series([0.2, 0.9, 0.5], index=[10, 11, 12])
    y = pd.Series([True, False], index=[11, 10])  # deal 12 has no outcome yet
    c = calibration(p, y, bins=5)
    assert (c.n, c.dropped) == (2, 1)
    assert c.brier == pytest.approx((0.2**2 + 0.1**2) / 2)
    assert len(c.table) == 5 and c.table["count"].sum() == 2
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        calibration([1.2], [1])
    with pytest.raises(ValueError, match="0 or 1"):
        calibration([0.5], [2])
    with pytest.raises(ValueError, match="2 probabilities but 1 outcomes"):
        calibration([0.5, 0.5], [1])
    with pytest.raises(ValueError, match="do not cover"):
        calibration([0.9], [1], bins=[0, 0.5])


def test_brier_score_by_hand():
    h = scoring_history()
    # Rows of deals open that week and eventually closed, key-account rates:
    #   deal 1: w0 need 0.1, w1–w2 approved 0.25, won → 0.81 + 2·0.5625
    #   deal 2: w0–w3 approved, won → 4·0.5625
    #   deal 3: w0–w1 need, lost → 2·0.01;  deal 5 the same
    #   deal 4: w0 need, w1–w2 approved, lost → 0.01 + 2·0.0625
    # 14 rows, Σ = 1.935 + 2.25 + 0.02 + 0.135 + 0.02 = 4.36 → 4.36 / 14; open deals 6–9: 4 × 7 rows left out
    assert brier_score(h) == pytest.approx(4.36 / 14)
    counts = brier_counts(h)
    assert (counts.rows, counts.rows_left_out) == (14, 28)
    rows = forecast_rows(h)
    assert len(rows) == 14 and rows.p.tolist().count(0.1) == 6
    c = calibration(rows.p, rows.won, bins="unique")
    assert c.brier == pytest.approx(4.36 / 14)
    assert c.reliability == pytest.approx(76 / 525)  # the same rows as the first calibration test
    # other rates: a dict by stage, a list, a funnel with as many stages
    # need 0, approved 1: deal 1's need row (0 vs won) and deal 4's two approved rows (1 vs lost) miss fully → 3/14
    assert brier_score(h, {"need": 0.0, "approved": 1.0}) == pytest.approx(3 / 14)
    assert brier_score(h, [0.1, 0.25, 0.4, 0.6, 0.8]) == brier_score(h, Funnel.preset("hubspot").with_win_rates(
        [0.1, 0.25, 0.4, 0.6, 0.8]))
    with pytest.raises(ValueError, match="4 stages"):
        brier_score(h, Funnel.preset("simple"))


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load("datasets/workshop")


def test_brier_score_is_the_win_rate_labs(workshop):
    rates = [0.15, 0.3, 0.45, 0.65, 0.85]
    rows = forecast_rows(workshop, rates)
    expected = float(np.mean((rows.p - rows.won) ** 2))
    assert brier_score(workshop, rates) == pytest.approx(expected, rel=1e-12)
    assert RateModel(workshop).brier(rates) == pytest.approx(expected, rel=1e-12)
    assert calibration(rows.p, rows.won).brier == pytest.approx(expected, rel=1e-12)


# --- backtest ----------------------------------------------------------------------------------------------
def backtest_history() -> History:
    """Period weeks 0…3 (start 0, n = 3), history to week 10.

    deal  amount  stage (rate) at week 0      what happens
    X1    100     criteria (0.4)              won week 2
    X2    200     need (0.1)                  lost week 1
    X3     50     evaluation (0.6), created 1 won week 5 (after the period)
    X4     80     commitment (0.8)            still open at week 10 (censored)
    X5    300     evaluation (0.6)            lost week 3
    X6     30     commitment (0.8)            won week 2
    """
    deals = deal_rows([
        (1, 1, 100, 0, "won", 2, "A"),
        (2, 1, 200, 0, "lost", 1, "A"),
        (3, 1, 50, 1, "won", 5, "A"),
        (4, 1, 80, 0, "commitment", None, "A"),
        (5, 1, 300, 0, "lost", 3, "A"),
        (6, 1, 30, 0, "won", 2, "A"),
    ])
    events = event_rows([
        (1, 2, "criteria", "won"), (2, 1, "need", "lost"), (3, 5, "evaluation", "won"),
        (5, 3, "evaluation", "lost"), (6, 2, "commitment", "won"),
    ])
    return History(deals, events, funnel=KEY_ACCOUNT, start_week=0, end_week=10, quota=1_000)


def test_backtest_wape_and_bias_by_hand():
    bt = backtest(backtest_history(), period_weeks=3, trials=0)
    assert list(bt.index) == [0, 1, 2, 3, "overall"]
    weeks = bt.iloc[:4]
    # scored forecast (threshold 0, deals still open at the end left out — X4's 0.8·80 = 64 each week):
    #   t0: X1 40 + X2 20 + X5 180 + X6 24 = 264;  t1: X1 40 + X3 30 + X5 180 + X6 24 = 274
    #   t2: X3 30 + X5 180 = 210;  t3: X3 30
    assert weeks.scored_forecast.tolist() == pytest.approx([264, 274, 210, 30])
    assert weeks.censored_forecast.tolist() == pytest.approx([64, 64, 64, 64])
    assert weeks.forecast.tolist() == pytest.approx([328, 338, 274, 94])  # F′_t of indicators
    # actual A_t = final won amount of those deals: t0: X1 100 + X6 30; t1: X1 + X3 + X6; t2, t3: X3
    assert weeks.actual.tolist() == pytest.approx([130, 180, 50, 50])
    assert weeks.error.tolist() == pytest.approx([134, 94, 160, -20])
    assert weeks.wape.tolist() == pytest.approx([134 / 130, 94 / 180, 160 / 50, 20 / 50])
    assert weeks.bias.tolist() == pytest.approx([134 / 130, 94 / 180, 160 / 50, -20 / 50])
    # overall: Σ|e| = 408, Σe = 368, ΣA = 410
    assert bt.loc["overall", "wape"] == pytest.approx(408 / 410)
    assert bt.loc["overall", "bias"] == pytest.approx(368 / 410)
    assert bt.loc["overall", "actual"] == pytest.approx(410)
    assert bt.censored.tolist() == [1, 1, 1, 1, 4]
    # the definition of forecast_error: (scored forecast − actual) / Q
    ind = indicators(backtest_history(), quota=1_000, start_week=0, period_weeks=3)
    assert np.allclose(weeks.error / 1_000, ind.forecast_error)


def test_backtest_with_a_threshold_by_hand():
    bt = backtest(backtest_history(), threshold=90, period_weeks=3, trials=0)
    w = bt.iloc[:4]
    # in the funnel (≥ 90): X1, X2, X5. Out: X3, X4, X6 — X6's 30 is booked in week 2.
    # run rate (4 weeks, weeks ≥ 0): t0 0, t1 0, t2 30/3 = 10, t3 30/4; Ô_t = run rate × (3 − t): 0, 0, 10, 0
    # F′: t0 40 + 20 + 180 = 240; t1 40 + 180 = 220; t2 180 + 10 = 190; t3 0
    assert w.forecast.tolist() == pytest.approx([240, 220, 190, 0])
    # A_t = X1's 100 while open + out-of-funnel bookings of weeks t+1…3 (X6 in week 2): 130, 130, 0, 0
    assert w.actual.tolist() == pytest.approx([130, 130, 0, 0])
    assert w.wape.iloc[:2].tolist() == pytest.approx([110 / 130, 90 / 130])
    assert w.wape.iloc[2:].isna().all()  # nothing to compare with
    assert bt.loc["overall", "wape"] == pytest.approx((110 + 90 + 190 + 0) / 260)
    assert bt.loc["overall", "bias"] == pytest.approx(390 / 260)


def test_backtest_monte_carlo_columns():
    h = backtest_history()
    chain = calibrated_chain(KEY_ACCOUNT)
    bt = backtest(h, chain=chain, period_weeks=3, trials=500, seed=3)
    for t in range(4):
        assert bt.loc[t, "mc_actual"] == actual_bookings(h, t, 3 - t)
    # horizon 0: the forecast is what was booked
    assert bt.loc[3, "mc_p50"] == bt.loc[3, "mc_actual"] == bt.loc[3, "mc_booked"] == 130
    assert bt.loc[3, "mc_error"] == 0 and np.isnan(bt.loc[3, "mc_wape"])
    rest = bt.mc_actual.iloc[:4] - bt.mc_booked.iloc[:4]
    assert bt.loc["overall", "mc_wape"] == pytest.approx(bt.mc_abs_error.iloc[:4].sum() / rest.sum())
    with pytest.raises(ValueError, match="not both"):
        backtest(h, KEY_ACCOUNT, chain=chain)


def _pooled_z(seeds, rates_factor=1.0):
    """Σ error_0 / √Σ Var(A_0) over seeds: error at the period start against the Bernoulli variance
    Σ amount² p (1 − p) of the deals open then (independent seeds: ~ N(0, 1) when the rates are true)."""
    errors, variances, zs, overall = [], [], [], []
    for seed in seeds:
        sim = sf.Simulation(sf.generate(accounts=200, seed=seed), seed=seed)
        h = sim.run()
        chain = history_chain(h)
        true = true_win_rates(chain).to_numpy()
        if rates_factor == 1.0:
            bt = backtest(h, chain=chain, trials=0)
        else:
            bt = backtest(h, np.clip(true * rates_factor, 0, 1), trials=0)
        now = open_at(h, h.start_week)
        p, a = true[now.stage.cat.codes.to_numpy()], now.amount.to_numpy()
        var = float((a * a * p * (1 - p)).sum())
        errors.append(bt.loc[0, "error"])
        variances.append(var)
        zs.append(bt.loc[0, "error"] / math.sqrt(var))
        overall.append(bt.loc["overall", "bias"])
    return sum(errors) / math.sqrt(sum(variances)), np.array(zs), np.array(overall)


def test_backtest_with_the_true_chain_is_unbiased_within_sampling_error():
    pooled, zs, overall = _pooled_z(range(10))
    assert abs(pooled) < 3, (pooled, zs)
    assert (np.abs(zs) < 4).all(), zs
    # the overall bias of the whole period, seed to seed: its mean within 3 standard errors of 0
    assert abs(overall.mean()) < 3 * overall.std(ddof=1) / math.sqrt(len(overall)), overall
    # and it sees a funnel 50% too optimistic
    pooled_wrong, _, overall_wrong = _pooled_z(range(10), rates_factor=1.5)
    assert pooled_wrong > 3
    assert overall_wrong.mean() > overall.mean() + 0.3


# --- properties on simulated histories ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_sim():
    sim = sf.Simulation(sf.generate(accounts=400, weeks=156, seed=21), seed=21)
    return sim.run(), sim.chain


def test_naive_bayes_probabilities_are_probabilities(long_sim):
    h, _ = long_sim
    for alpha in (0.1, 1.0, 5.0):
        for as_of in (None, 20, 80):
            p = naive_bayes_probability(h, ["stage", "product", "segment", "amount", "owner"], alpha=alpha,
                                        as_of_week=as_of)
            assert p.notna().all() and p.between(0, 1).all()
            assert p.index.is_unique
    all_p = naive_bayes_probability(h, ["stage", "industry"], deals="all", as_of_week=80)
    assert all_p.between(0, 1).all() and len(all_p) == int((h.deals.created_week <= 80).sum())


def test_naive_bayes_stage_alone_ranks_later_stages_higher(long_sim):
    h, _ = long_sim
    p = naive_bayes_probability(h, "stage", alpha=0)
    stage = h.deals.set_index("deal_id").stage.reindex(p.index).astype(str)
    naive = empirical_win_rates(h).naive_win_rate
    assert np.allclose(p.to_numpy(), naive[stage].to_numpy())
    per_stage = p.groupby(stage.to_numpy()).first().reindex(list(h.funnel.keys))
    assert per_stage.is_monotonic_increasing


def test_true_rates_are_calibrated_and_a_wrong_funnel_is_not(long_sim):
    h, chain = long_sim
    true = true_win_rates(chain).to_numpy()
    rows = forecast_rows(h, true)
    c = calibration(rows.p, rows.won, bins="unique")
    assert c.reliability < 0.001
    assert c.resolution > 20 * c.reliability
    wrong = np.clip(true * 1.3, 0, 1)
    cw = calibration(forecast_rows(h, wrong).p, rows.won, bins="unique")
    assert cw.reliability > 10 * c.reliability
    assert brier_score(h, wrong) > brier_score(h, true)
    assert brier_score(h, [0.5] * 5) > brier_score(h, true)
    assert brier_score(h, true) == pytest.approx(c.brier)


def test_naive_bayes_probabilities_calibrate_out_of_sample(long_sim):
    # learn from deals closed by week 80, score the deals open then, compare with what happened
    h, _ = long_sim
    p = naive_bayes_probability(h, ["stage", "product"], as_of_week=80)
    status = h.deals.set_index("deal_id").status.astype(str)
    outcome = (status == "won").astype(float).where(status != "open")
    c = calibration(p, outcome, bins=5)
    assert c.dropped == int((status.reindex(p.index) == "open").sum())
    assert c.brier < c.uncertainty  # better than the base rate
    assert c.reliability < 0.02


def test_compare_rates_table(long_sim):
    h, chain = long_sim
    t = compare_rates(h, chain=chain)
    assert list(t.index) == list(h.funnel.keys)
    assert np.allclose(t.true, [0.1, 0.25, 0.4, 0.6, 0.8])
    assert np.allclose(t.assumed, [0.1, 0.25, 0.4, 0.6, 0.8])
    assert (t.low <= t.empirical).all() and (t.empirical <= t.high).all()
    # (coverage over many seeds is test_forecast's; here the flags mean what they say)
    assert (t.true_in_interval == ((t.low <= t.true) & (t.true <= t.high))).all()
    assert (t.empirical - t.true).abs().max() < 0.05
    assert np.allclose(t.empirical_minus_true, t.empirical - t.true)
    emp = empirical_win_rates(h)
    assert np.allclose(t.naive, emp.naive_win_rate) and (t.left == emp.advanced + emp.lost).all()
    wrong = compare_rates(h, [0.3, 0.25, 0.4, 0.6, 0.95])
    assert wrong.assumed_in_interval.tolist()[0] is False and wrong.assumed_in_interval.tolist()[-1] is False
    assert (wrong.assumed_in_interval == ((wrong.low <= wrong.assumed) & (wrong.assumed <= wrong.high))).all()
    assert wrong.true.isna().all() and wrong.true_in_interval.isna().all()
    assert wrong.loc["need", "assumed_minus_empirical"] == pytest.approx(0.3 - wrong.loc["need", "empirical"])


def test_compare_rates_by_hand():
    h = scoring_history()
    few = compare_rates(h, {"need": 0.5}, chain=calibrated_chain(KEY_ACCOUNT))  # 2-5 deals a stage: too few
    assert few["empirical"].isna().all() and few.loc["approved", "reason"].startswith("fewer than 5 deals")
    assert few.loc["need", "reason"] == "a later stage is not measurable, so neither is this one"
    t = compare_rates(h, {"need": 0.5}, chain=calibrated_chain(KEY_ACCOUNT), min_observed=1)
    assert t.assumed.tolist() == [0.5, 0.25, 0.4, 0.6, 0.8]
    # need: deals 1, 4 and 6 advanced, 3 and 5 lost → 3/5; approved: 1 and 2 won (advanced), 4 lost → 2/3;
    # later stages: 2 of 2 → product-limit need = 3/5 · 2/3 = 2/5
    assert t.loc["need", "empirical"] == pytest.approx(2 / 5)
    assert t.loc["approved", "empirical"] == pytest.approx(2 / 3)
    assert t.loc["need", "naive"] == pytest.approx(1 / 4)
    assert t.loc["need", "assumed_minus_true"] == pytest.approx(0.4)
    assert t.loc["need", "left"] == 5 and t.loc["approved", "open"] == 2  # deals 6 and 8 sit at approved
    with pytest.raises(ValueError, match="chain stages"):
        compare_rates(h, chain=calibrated_chain(Funnel.preset("simple")))


def test_exported_from_the_package():
    for name in ("naive_bayes_probability", "frequency_table", "calibration", "brier_score", "backtest",
                 "compare_rates"):
        assert getattr(sf, name) is not None and name in sf.__all__
