"""Win rates that respect what was observed (issue 15 point 1): left truncation and censoring.

Hand-made histories where the right answer is known — deals created closed, deals first seen mid-funnel, stages
skipped, a stage nobody entered — and a property: relabelling or dropping the first events of deals never makes a
stage more certain than the data allow (its observed count never grows)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simfunnel as sf
from simfunnel import Funnel, History
from simfunnel.analysis.winrates import compare_rates, empirical_win_rates, overall_win_rate, stage_paths

KEYS = ["need", "approved", "criteria", "evaluation", "commitment"]


def history(paths, extra_closed=()):
    """paths: deal → list of stages it went through (its first is where it is first observed; its last may be
    won/lost). extra_closed: (deal, won/lost) first seen closed (no events)."""
    deals, events = [], []
    for deal, path in paths.items():
        last = path[-1]
        status = last if last in ("won", "lost") else "open"
        deals.append({"deal_id": deal, "stage": last, "status": status,
                      "closed_week": len(path) if status != "open" else None})
        for w, (a, b) in enumerate(zip(path, path[1:]), start=1):
            events.append({"deal_id": deal, "week": w, "from_stage": a, "to_stage": b,
                           "outcome": "order" if b == "won" else ("no_sale" if b == "lost" else "advance"),
                           "action": None})
    for deal, status in extra_closed:
        deals.append({"deal_id": deal, "stage": status, "status": status, "closed_week": 0})
    d = pd.DataFrame(deals)
    d = d.assign(account_id=1, owner="a", amount=10_000.0, created_week=0, expected_close_week=10,
                 win_rate_override=None, paid_week=None)
    e = pd.DataFrame(events, columns=["deal_id", "week", "from_stage", "to_stage", "outcome", "action"])
    initial = {deal: path[0] for deal, path in paths.items()}
    initial.update({deal: status for deal, status in extra_closed})
    h = History(d, e, funnel=Funnel.preset("key-account"))
    return h


def full(n_won, n_lost, start="need"):
    """Deals from ``start`` through every later stage to won, and deals lost at ``start``."""
    path = KEYS[KEYS.index(start):]
    out = {i: path + ["won"] for i in range(n_won)}
    out.update({1000 + i: [start, "lost"] for i in range(n_lost)})
    return out


def test_deals_first_seen_closed_count_in_the_overall_share_only():
    base = history(full(6, 6))
    silent = history(full(6, 6), extra_closed=[(5000 + i, "won") for i in range(30)])
    a, b = empirical_win_rates(base), empirical_win_rates(silent)
    assert b["win_rate"].tolist() == pytest.approx(a["win_rate"].tolist())  # 30 silent wins change no stage
    assert b.loc["need", "win_rate"] == pytest.approx(0.5)
    assert stage_paths(silent)["unknown_win"].iloc[0] == 30
    overall = overall_win_rate(silent)
    assert (overall["won"], overall["closed"]) == (36, 42) and overall["share"] == pytest.approx(36 / 42)
    assert overall["low"] < 36 / 42 < overall["high"]


def test_a_win_loss_file_with_no_stage_history_measures_no_stage():
    # 78,000-row style: outcomes only; the stage rates are not measurable, the won share is won ÷ closed
    h = history({}, extra_closed=[(i, "won" if i % 4 == 0 else "lost") for i in range(200)])
    r = empirical_win_rates(h)
    assert r["win_rate"].isna().all() and r["low"].isna().all()
    assert r.loc["commitment", "reason"] == "fewer than 5 deals observed leaving this stage (0): not measurable"
    assert r.loc["need", "reason_zh"] == "本阶段观察到离开的商机少于 5 个（0 个），无法测量"
    assert overall_win_rate(h)["share"] == pytest.approx(0.25)


def test_deals_first_seen_mid_funnel_count_from_there():
    paths = full(6, 6)
    late = {2000 + i: ["evaluation", "commitment", "won"] for i in range(10)}  # first seen at evaluation
    r = empirical_win_rates(history({**paths, **late}))
    base = empirical_win_rates(history(paths))
    assert r.loc["need", "observed"] == base.loc["need", "observed"] == 12  # not in need's risk set
    assert r.loc["evaluation", "observed"] == 16 and r.loc["evaluation", "win_rate"] == pytest.approx(1.0)
    assert r.loc["need", "win_rate"] == pytest.approx(0.5)


def test_a_skipped_stage_is_passed_through():
    paths = {i: ["need", "criteria", "evaluation", "commitment", "won"] for i in range(6)}  # skip approved
    paths.update({100 + i: ["approved", "lost"] for i in range(6)})
    r = empirical_win_rates(history(paths))
    assert r.loc["need", ["advanced", "lost"]].tolist() == [6, 0]
    assert r.loc["approved", ["advanced", "lost"]].tolist() == [6, 6]  # the skippers passed it
    assert r.loc["approved", "win_rate"] == pytest.approx(0.5)


def test_a_stage_nobody_entered_is_not_a_number_in_the_table_and_the_chart():
    import matplotlib

    matplotlib.use("Agg")
    from simfunnel import plots

    paths = {i: ["need", "approved", "lost"] for i in range(8)}
    paths.update({100 + i: ["need", "lost"] for i in range(8)})
    r = empirical_win_rates(history(paths))
    assert math.isnan(r.loc["criteria", "win_rate"]) and r.loc["criteria", "observed"] == 0
    assert r["win_rate"].isna().all()  # every rate runs through criteria
    ax = plots.calibration_chart(r, lang="en")  # drawn without a number for them
    texts = " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))
    assert "nan" not in texts.lower()
    t = compare_rates(history(paths))
    assert t["empirical"].isna().all() and (t["reason"] != "").all()


stage_paths_strategy = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 4), st.sampled_from(["won", "lost", "open"])), min_size=5, max_size=40)


@settings(max_examples=60, deadline=None)
@given(stage_paths_strategy, st.data())
def test_dropping_or_relabelling_first_events_never_makes_a_rate_more_certain(rows, data):
    paths = {}
    for i, (start, length, end) in enumerate(rows):
        stages = KEYS[start:min(5, start + 1 + length)]
        paths[i] = stages + ([end] if end != "open" else [])
    before = empirical_win_rates(history(paths))
    # drop the first event of some deals: they are first seen one stage later (relabelled as starting there)
    changed = {}
    for i, path in paths.items():
        if len(path) > 2 and data.draw(st.booleans(), label=f"drop {i}"):
            changed[i] = path[1:]
        else:
            changed[i] = path
    after = empirical_win_rates(history(changed))
    # the evidence of a stage (deals observed leaving it) never grows, so no stage becomes measurable that was not:
    # a rate is never more certain than the data allow (a binomial interval's width also moves with the share, so
    # the count of evidence is what can be compared)
    assert (after["observed"].to_numpy() <= before["observed"].to_numpy()).all()
    assert not (after["win_rate"].notna() & before["win_rate"].isna()).any()
    assert ((after["reason"] == "") == after["win_rate"].notna()).all()


def test_overall_win_rate_of_a_simulation_and_its_errors():
    h = sf.Simulation(sf.generate(accounts=60, seed=4), seed=4).run()
    r = overall_win_rate(h)
    d = h.deals["status"].astype(str)
    assert r["won"] == (d == "won").sum() and r["closed"] == d.isin(["won", "lost"]).sum()
    with pytest.raises(ValueError, match="level"):
        overall_win_rate(h, level=1.5)
    with pytest.raises(ValueError, match="min_observed"):
        empirical_win_rates(h, min_observed=0)
    assert np.isnan(overall_win_rate(history({i: ["need"] for i in range(3)}))["share"])
