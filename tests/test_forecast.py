import numpy as np
import pandas as pd
import pytest

from simfunnel import Funnel, History
from simfunnel.analysis.montecarlo import actual_bookings, montecarlo
from simfunnel.analysis.winrates import empirical_win_rates, stage_paths
from simfunnel.model.generate import generate
from simfunnel.model.simulate import Simulation


def simulated(seed, accounts=200):
    sim = Simulation(generate(accounts=accounts, seed=seed), seed=seed)
    return sim, sim.run()


def tiny():
    # need → approved → won; need → lost; approved → criteria (open); a deal skipping approved → criteria → won
    deals = pd.DataFrame({
        "deal_id": [1, 2, 3, 4], "account_id": [1, 1, 2, 2], "owner": ["a"] * 4,
        "amount": [100_000, 60_000, 80_000, 90_000], "created_week": [0, 0, 1, 1],
        "stage": ["won", "lost", "criteria", "won"], "status": ["won", "lost", "open", "won"],
        "closed_week": [4, 2, None, 6], "expected_close_week": [5, 5, 9, 8],
        "win_rate_override": [None] * 4, "paid_week": [None] * 4,
    })
    events = pd.DataFrame({
        "deal_id": [1, 1, 2, 3, 4, 4],
        "week": [2, 4, 2, 3, 2, 6],
        "from_stage": ["need", "approved", "need", "approved", "need", "criteria"],
        "to_stage": ["approved", "won", "lost", "criteria", "criteria", "won"],
        "outcome": ["advance", "order", "no_sale", "advance", "advance", "order"],
        "action": [None] * 6,
    })
    return History(deals, events, funnel=Funnel.preset("key-account"))


def test_stage_paths_by_hand():
    p = stage_paths(tiny())
    # need: deals 1 and 4 advanced, deal 2 lost.  approved: deal 1 (skip to won passes all), deal 3, deal 4 (skip).
    assert p.loc["need"].tolist()[:3] == [2, 1, 0]
    assert p.loc["approved"].tolist()[:3] == [3, 0, 0]
    assert p.loc["criteria"].tolist()[:3] == [2, 0, 1]  # 1 and 4 passed, 3 is still there
    assert p.loc["commitment"].tolist()[:3] == [2, 0, 0]


def test_empirical_win_rates_by_hand():
    r = empirical_win_rates(tiny(), min_observed=1)  # a hand-made history of four deals
    assert r.loc["need", "next_step"] == pytest.approx(2 / 3)
    assert r.loc["need", "win_rate"] == pytest.approx(2 / 3)  # later stages convert 2/2
    assert r.loc["criteria", "win_rate"] == pytest.approx(1.0)
    # naive: of deals that reached "need" and closed (1, 2, 4), 2 were won
    assert r.loc["need", ["reached", "closed", "won"]].tolist() == [3, 3, 2]
    # approved: deal 1, deal 3 (created there), deal 4 (skipped it on the way to won); 1 and 4 closed, both won
    assert r.loc["approved", ["reached", "closed", "won"]].tolist() == [3, 2, 2]
    assert (r.low <= r.win_rate + 1e-9).all() and (r.win_rate <= r.high + 1e-9).all()
    assert r.assumed.tolist() == [0.10, 0.25, 0.40, 0.60, 0.80]


def test_open_deals_are_not_losses():
    h = tiny()
    before = empirical_win_rates(h, min_observed=1).loc["approved", "win_rate"]
    assert before == pytest.approx(1.0)  # deal 3, still open at criteria, does not count as lost


def test_intervals_cover_true_rates_in_90_percent_of_50_seeds():
    true = np.array([0.10, 0.25, 0.40, 0.60, 0.80])
    covered = np.zeros(5)
    for seed in range(50):
        _, h = simulated(seed)
        r = empirical_win_rates(h)
        covered += (r.low.to_numpy() <= true) & (true <= r.high.to_numpy())
    assert (covered >= 45).all(), covered


def test_naive_share_is_biased_low_on_recent_deals_but_product_limit_is_not():
    # Losing is quicker than winning, so "won among closed" under-counts while deals are young.
    _, h = simulated(11, accounts=600)
    r = empirical_win_rates(h)
    assert r.loc["need", "naive_win_rate"] < r.loc["need", "win_rate"]
    assert abs(r.loc["need", "win_rate"] - 0.10) < 3 * (r.loc["need", "high"] - r.loc["need", "low"]) / 4


def test_montecarlo_p10_p90_holds_the_actual_outcome_70_to_90_percent():
    hits = 0
    for seed in range(20):
        sim, h = simulated(100 + seed)
        mc = montecarlo(h, trials=10_000, seed=seed, chain=sim.chain)
        actual = actual_bookings(h, mc.as_of_week, mc.horizon_weeks)
        hits += mc.p10 <= actual <= mc.p90
    assert 14 <= hits <= 18, hits


def test_montecarlo_reproducible_and_consistent():
    sim, h = simulated(5)
    a = montecarlo(h, trials=2_000, seed=3)
    b = montecarlo(h, trials=2_000, seed=3)
    c = montecarlo(h, trials=2_000, seed=4)
    assert np.array_equal(a.samples, b.samples) and not np.array_equal(a.samples, c.samples)
    assert a.p10 <= a.p50 <= a.p90
    # Without a chain each deal is won with its stage rate: the mean is Σ amount × rate + booked.
    expected = float((a.in_funnel.amount * a.in_funnel.p).sum()) + a.booked
    sd = float(np.sqrt((a.in_funnel.amount**2 * a.in_funnel.p * (1 - a.in_funnel.p)).sum()))
    assert abs(a.mean - expected) < 5 * sd / np.sqrt(2_000)
    assert set(a.in_funnel.p.round(2)) <= {0.10, 0.25, 0.40, 0.60, 0.80}
    # Within a 13-week horizon a deal wins less often than eventually.
    w = montecarlo(h, trials=2_000, seed=3, chain=sim.chain)
    assert w.mean < a.mean
    assert a.p_quota == pytest.approx((a.samples >= h.quota).mean())


def test_montecarlo_threshold_moves_small_deals_to_the_run_rate():
    _, h = simulated(6)
    mc = montecarlo(h, trials=1_000, seed=1, threshold=50_000, as_of_week=20)
    assert (mc.in_funnel.amount >= 50_000).all()
    assert mc.out_of_funnel_mean > 0
    assert mc.horizon_weeks == 13 + 13 - 20


def test_montecarlo_bad_arguments():
    _, h = simulated(7, accounts=30)
    with pytest.raises(ValueError, match="trials"):
        montecarlo(h, trials=0)
    with pytest.raises(ValueError, match="as_of_week 99"):
        montecarlo(h, as_of_week=99)
    with pytest.raises(ValueError, match="threshold"):
        montecarlo(h, threshold=-1)
    with pytest.raises(ValueError, match="funnel 'simple'"):
        montecarlo(h, funnel=Funnel.preset("simple"))


def test_indicators_and_montecarlo_use_the_measured_rates_when_asked():
    import simfunnel as sf
    from simfunnel.analysis.winrates import measured_history

    sim, h = simulated(3, accounts=80)
    q = 2_000_000
    measured, kept = measured_history(h)
    assert kept == [] and not np.allclose(measured.funnel.rates[:5], h.funnel.rates[:5])
    a, m = sf.indicators(h, quota=q), sf.indicators(h, quota=q, rates="measured")
    pd.testing.assert_frame_equal(m, sf.indicators(measured, quota=q))
    assert not np.isclose(a.forecast.iloc[0], m.forecast.iloc[0])
    assert montecarlo(h, quota=q, trials=300, rates="measured").p50 == montecarlo(measured, quota=q, trials=300).p50
    with pytest.raises(ValueError, match="rates must be 'assumed' or 'measured'"):
        sf.indicators(h, quota=q, rates="true")
