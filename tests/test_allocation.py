"""The resource-allocation exercise: seller weeks per segment → a simulated year; and its widget driven from code."""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import simfunnel as sf  # noqa: E402
from simfunnel import History, i18n  # noqa: E402
from simfunnel.analysis.allocation import (
    RESULT_COLUMNS,
    AllocationParams,
    AllocationResult,
    best_action,
    simulate_allocation,
)
from simfunnel.model.segments import segment_accounts  # noqa: E402
from simfunnel.widgets import AllocationExercise  # noqa: E402

try:
    from chart_checks import assert_language, closing_new_widgets, render_clean
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import assert_language, closing_new_widgets, render_clean

SEEDS = range(5)


@pytest.fixture(scope="module")
def world():
    return sf.generate(seed=2026)  # the workshop world: 200 accounts, 1,848 deals, 8 sellers


@pytest.fixture(scope="module")
def worlds():
    return {seed: sf.generate(seed=seed) for seed in SEEDS}


@pytest.fixture(autouse=True)
def _restore_language():
    lang = i18n.get_language()
    with closing_new_widgets():
        yield
    i18n.set_language(lang)


# --- the year -------------------------------------------------------------------------------
def test_zero_allocation_is_the_plain_simulation(world):
    plain = sf.Simulation(world, seed=2026).run(52)
    r = simulate_allocation(world, {}, seed=2026)
    pd.testing.assert_frame_equal(r.history.events, plain.events)
    pd.testing.assert_frame_equal(r.history.deals, plain.deals)
    t = r.totals
    won = plain.deals[plain.deals.status == "won"]
    assert t["revenue"] == pytest.approx(won.amount.sum()) == pytest.approx(t["revenue_no_time"])
    assert t["deals_won"] == len(won)
    assert t["weeks_used"] == t["acquisition_cost"] == t["retention_cost"] == 0
    assert t["churned_customers"] == t["churned_no_time"]
    assert t["revenue_gain"] == 0 and math.isnan(r.cost_ratio)


def test_the_workshop_dataset_gives_the_same_year_as_its_world(world):
    """A History (datasets/workshop) is rebuilt into its world: zero time reproduces the dataset's events."""
    dataset = History.load("datasets/workshop")
    r0 = simulate_allocation(dataset, {}, seed=2026)
    pd.testing.assert_frame_equal(r0.history.events.reset_index(drop=True), dataset.events.reset_index(drop=True))
    a = {"attack": 120, "defend": 90, "maintain": 20}
    pd.testing.assert_frame_equal(simulate_allocation(dataset, a, seed=2026).table,
                                  simulate_allocation(world, a, seed=2026).table)


def test_same_seed_same_year_another_seed_another(world):
    a = {"attack": 150, "defend": 100, "monitor": 30}
    r1, r2 = simulate_allocation(world, a, seed=7), simulate_allocation(world, a, seed=7)
    pd.testing.assert_frame_equal(r1.table, r2.table)
    pd.testing.assert_frame_equal(r1.accounts, r2.accounts)
    pd.testing.assert_frame_equal(r1.history.events, r2.history.events)
    r3 = simulate_allocation(world, a, seed=8)
    assert not r1.history.events.equals(r3.history.events)


def test_the_table_has_every_documented_column_and_adds_up(world):
    r = simulate_allocation(world, {"attack": 100, "defend": 100, "maintain": 100, "monitor": 68}, seed=2026)
    assert list(r.table.columns) == [c for c, *_ in RESULT_COLUMNS]
    assert list(r.table.index) == [*r.segmentation.keys, "total"]
    segs = r.table.drop(index="total")
    for col in ("revenue", "revenue_no_time", "deals_won", "new_customers", "retained_customers", "churned_customers",
                "acquisition_cost", "retention_cost", "development_cost", "idle_cost", "weeks_used", "accounts"):
        assert r.totals[col] == pytest.approx(segs[col].sum()), col
    seg = segment_accounts(world.accounts)
    counts = seg.segment.value_counts()
    for key in r.segmentation.keys:
        assert r.table.loc[key, "accounts"] == counts[key]
        assert r.table.loc[key, "customers_at_start"] == int((seg.existing_customer & (seg.segment == key)).sum())
    t = r.totals
    assert t["retained_customers"] + t["churned_customers"] == t["customers_at_start"]
    assert t["revenue_gain"] == pytest.approx(t["revenue"] - t["revenue_no_time"])
    # every action event of the year is one of the allocation's deal actions
    acts = r.history.events[r.history.events.action.notna()]
    visits = int(r.accounts.visits.sum())
    assert len(acts) == t["care_actions"] - visits + t["deal_actions"]
    # revenue per segment is the won amount of the segment's deals
    d = r.history.deals.merge(seg[["account_id", "segment"]], on="account_id")
    won = d[d.status == "won"].groupby("segment", observed=False).amount.sum()
    for key in r.segmentation.keys:
        assert r.table.loc[key, "revenue"] == pytest.approx(won[key])


def test_time_is_spent_as_documented(world):
    p = AllocationParams()
    a = {"attack": 100.4, "defend": 61, "maintain": 368 - 161.4 - 1, "monitor": 0}
    r = simulate_allocation(world, a, seed=2026, params=p)
    for key, weeks in r.allocation.items():
        row = r.table.loc[key]
        spent = row["care_actions"] + row["deal_actions"] + row["weeks_idle"] * p.actions_per_seller_week
        assert spent == pytest.approx(math.floor(weeks * p.actions_per_seller_week + 1e-9)), key
        assert row["weeks_used"] + row["weeks_idle"] <= weeks + 1e-9
    # the costs: every action is paid, care is retention, deal actions split by customer status
    per_action = p.cost_per_seller_week / p.actions_per_seller_week
    t = r.totals
    assert t["acquisition_cost"] + t["retention_cost"] + t["development_cost"] + t["idle_cost"] == pytest.approx(
        (t["care_actions"] + t["deal_actions"] + t["weeks_idle"] * p.actions_per_seller_week) * per_action)
    assert t["retention_cost"] == pytest.approx(t["care_actions"] * per_action)
    assert t["cost_per_extra_new_customer"] == pytest.approx(
        t["acquisition_cost"] / (t["new_customers"] - t["new_customers_no_time"]))
    assert t["cost_per_customer_saved"] == pytest.approx(
        t["retention_cost"] / (t["churned_no_time"] - t["churned_customers"]))
    assert r.cost_ratio == pytest.approx(t["cost_per_extra_new_customer"] / t["cost_per_customer_saved"])
    # each action is the fitting advance action with the largest factor
    acts = r.history.events[r.history.events.action.notna()]
    expected = {k: best_action(world.funnel, k) for k in world.funnel.keys}
    assert (acts.action.to_numpy() == acts.from_stage.astype(str).map(expected).to_numpy()).all()
    assert expected["criteria"] == "joint_plan" and expected["need"] == "needs_interview"


def test_week_one_cares_for_customers_then_works_the_largest_deals(world):
    """Week 1 of 'attack' with 104 weeks = 10 actions: one care action per customer (due at once), the rest
    on the segment's largest open deals."""
    p = AllocationParams()
    r = simulate_allocation(world, {"attack": 104}, seed=2026, params=p)
    seg = segment_accounts(world.accounts)
    attack = seg[seg.segment == "attack"]
    d = world.deals[world.deals.account_id.isin(attack.account_id) & (world.deals.created_week < 1)]
    d = d.sort_values(["amount", "deal_id"], ascending=[False, True])
    customers = attack[attack.existing_customer].assign(value=lambda x: x.potential * x.share_of_wallet)
    customers = customers.sort_values(["value", "account_id"], ascending=[False, True])
    cap = math.floor(104 * p.actions_per_seller_week / 52)
    assert len(customers) < cap
    care = [d[d.account_id == a].deal_id.iloc[0] for a in customers.account_id if (d.account_id == a).any()]
    rest = [x for x in d.deal_id if x not in care][: cap - len(customers)]
    ev = r.history.events
    acted = set(ev[(ev.week == 1) & ev.action.notna()].deal_id)
    assert acted == set(care) | set(rest)


def test_more_attack_time_wins_more_new_customers_and_costs_more(worlds):
    base = {"defend": 60, "maintain": 20, "monitor": 20}
    new_without, new_with = [], []
    for seed, w in worlds.items():
        r0 = simulate_allocation(w, base, seed=seed)
        r1 = simulate_allocation(w, {**base, "attack": 200}, seed=seed)
        assert r0.table.loc["attack", "acquisition_cost"] < r1.table.loc["attack", "acquisition_cost"]
        assert r1.totals["acquisition_cost"] > r0.totals["acquisition_cost"]
        new_without.append(int(r0.table.loc["attack", "new_customers"]))
        new_with.append(int(r1.table.loc["attack", "new_customers"]))
        assert r1.table.loc["attack", "revenue"] > r0.table.loc["attack", "revenue"]
    gain = np.array(new_with) - np.array(new_without)
    # the direction, beyond sampling: more new customers in most seeds and on average by several accounts
    assert (gain > 0).sum() >= 4, gain
    assert gain.mean() > 3, gain


def test_defend_time_keeps_more_customers(worlds):
    lost_without, lost_with = 0, 0
    for seed, w in worlds.items():
        r0 = simulate_allocation(w, {"attack": 100}, seed=seed)
        r1 = simulate_allocation(w, {"attack": 100, "defend": 100}, seed=seed)
        # common random numbers: a customer kept without defend time is kept with it
        churned0 = set(r0.accounts.account_id[r0.accounts.churned])
        churned1 = set(r1.accounts.account_id[r1.accounts.churned])
        defend = set(r1.accounts.account_id[r1.accounts.segment == "defend"])
        assert churned1 & defend <= churned0 & defend
        assert r1.table.loc["defend", "retention_rate"] >= r0.table.loc["defend", "retention_rate"]
        assert r1.table.loc["defend", "retention_cost"] > 0 == r0.table.loc["defend", "retention_cost"]
        lost_without += int(r0.table.loc["defend", "churned_customers"])
        lost_with += int(r1.table.loc["defend", "churned_customers"])
    # defend customers untouched churn at 25%, cared for at 5%: far fewer lost over five worlds
    assert lost_with < 0.5 * lost_without, (lost_with, lost_without)


def test_churn_follows_the_documented_rule(world):
    p = AllocationParams(churn_unattended=0.4, churn_cared=0.1, care_actions_to_keep=4)
    r = simulate_allocation(world, {"defend": 30, "maintain": 10}, seed=11, params=p)
    acc = r.accounts
    ex = acc[acc.existing_customer]
    expected = 0.1 + 0.3 * np.maximum(0, 1 - ex.touches / 4)
    np.testing.assert_allclose(ex.churn_chance, expected)
    assert acc[~acc.existing_customer].churn_chance.isna().all() and not acc[~acc.existing_customer].churned.any()
    u = np.random.default_rng([11, 0, 5]).random(len(acc))
    np.testing.assert_array_equal(acc.churned, acc.existing_customer & (u < acc.churn_chance.fillna(0)))
    lost = acc[acc.churned].merge(world.accounts[["account_id", "potential", "share_of_wallet"]], on="account_id")
    assert r.totals["sales_lost_to_churn"] == pytest.approx((lost.potential * lost.share_of_wallet).sum())
    assert (ex.touches == 0).any() and (ex.touches >= 4).any()  # both ends of the rule are exercised


def test_a_segment_without_enough_work_leaves_time_idle(world):
    r = simulate_allocation(world, {"maintain": 368}, seed=2026)
    row = r.table.loc["maintain"]
    assert row["weeks_idle"] > 100  # 21 small accounts cannot absorb a whole team
    assert row["weeks_used"] + row["weeks_idle"] == pytest.approx(368)
    assert row["idle_cost"] == pytest.approx(row["weeks_idle"] * AllocationParams().cost_per_seller_week)
    assert row["churned_customers"] <= r.table.loc["maintain", "churned_no_time"]


def test_capacity_is_the_worlds_sellers_unless_given(world):
    assert AllocationParams().capacity(world) == 8 * 46
    assert AllocationParams(sellers=2, weeks_per_seller=40).capacity(world) == 80
    r = simulate_allocation(world, {"attack": 46}, seed=1, params=AllocationParams(sellers=1))
    assert (r.capacity, r.sellers, r.weeks_left) == (46.0, 1, 0.0)


def test_to_frame_labels_in_both_languages(world):
    r = simulate_allocation(world, {"attack": 10}, seed=1)
    assert list(r.to_frame("zh").label) == ["防守", "进攻", "维持", "观察", "合计"]
    assert list(r.to_frame("en").label) == ["Defend", "Attack", "Maintain", "Monitor", "Total"]
    assert isinstance(r, AllocationResult) and r.table.attrs["currency"] == "CNY"


@pytest.mark.parametrize(
    ("weeks", "message"),
    [
        ({"attak": 10}, "unknown segment 'attak'"),
        ({"attack": -1}, "'attack'"),
        ({"attack": float("nan")}, "'attack'"),
        ({"attack": "10"}, "'attack'"),
        ({"attack": 300, "defend": 100}, "400 seller weeks allocated, over the capacity of 368 (8 sellers × 46 weeks)"),
        ([("attack", 10)], "mapping"),
    ],
)
def test_bad_allocations_say_what_is_wrong(world, weeks, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        simulate_allocation(world, weeks, seed=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sellers": 0}, "sellers"),
        ({"sellers": 1.5}, "sellers"),
        ({"weeks_per_seller": 60}, "weeks_per_seller"),
        ({"actions_per_seller_week": 0}, "actions_per_seller_week"),
        ({"cost_per_seller_week": -1}, "cost_per_seller_week"),
        ({"churn_unattended": 1.2}, "churn_unattended"),
        ({"churn_cared": 0.3, "churn_unattended": 0.2}, "churn_cared"),
        ({"folk_acquisition_cost_ratio": (10, 5)}, "folk_acquisition_cost_ratio"),
        ({"folk_profit_gain": (0.25,)}, "folk_profit_gain"),
        ({"care_actions_to_keep": float("inf")}, "care_actions_to_keep"),
    ],
)
def test_bad_params_say_which(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AllocationParams(**kwargs)


def test_other_bad_input(world):
    with pytest.raises(ValueError, match="the year needs 52"):
        simulate_allocation(sf.generate(accounts=20, weeks=20, seed=1), {}, seed=1)
    with pytest.raises(ValueError, match="seed"):
        simulate_allocation(world, {}, seed=1.5)
    with pytest.raises(ValueError, match="World"):
        simulate_allocation(pd.DataFrame(), {}, seed=1)
    broken = sf.generate(accounts=20, seed=1)
    broken.deals.loc[3, "account_id"] = 999
    with pytest.raises(ValueError, match=r"deal 4: its account 999 is not in world.accounts"):
        simulate_allocation(broken, {"attack": 1}, seed=1)


# --- the widget -----------------------------------------------------------------------------
def _plain_texts(ex: AllocationExercise) -> str:
    return " ".join(ex.texts())


def test_widget_shows_the_numbers_of_its_result(world):
    ex = AllocationExercise(world, seed=2026, lang="en")
    first = ex.result
    assert first.allocation == {k: 92.0 for k in ("defend", "attack", "maintain", "monitor")}
    assert ex.previous is None and "The first run is an even split" in _plain_texts(ex)
    ex.set_allocation({"attack": 200, "defend": 120, "maintain": 30, "monitor": 18})
    r = ex.run()
    assert ex.result is r and ex.previous is first
    pd.testing.assert_frame_equal(r.table, simulate_allocation(world, ex.allocation, seed=2026).table)
    t = r.totals
    k = ex.kpis
    assert k["revenue"] == t["revenue"] and k["new_customers"] == t["new_customers"]
    assert k["churned_customers"] == t["churned_customers"] and k["cost_ratio"] == pytest.approx(r.cost_ratio)
    text = _plain_texts(ex)
    assert f"Revenue {ex.money(t['revenue'], compact=True)}" in text
    assert f"New customers won {int(t['new_customers'])} {int(t['new_customers_no_time'])} with no seller time" in text
    assert f"Customers retained {int(t['retained_customers'])} {int(t['churned_customers'])} lost" in text
    assert f"{r.cost_ratio:.1f}×" in text
    assert "This allocation: Defend 120 · Attack 200 · Maintain 30 · Monitor 18" in text
    assert (f"Your last allocation: Defend 92 · Attack 92 · Maintain 92 · Monitor 92 → revenue "
            f"{ex.money(first.totals['revenue'], compact=True)}, {int(first.totals['new_customers'])} new customers"
            in text)
    # the table: one row per segment and the total, with the result's figures
    table = re.sub(r"<[^>]+>", " ", ex._table.value)
    used = f"{r.table.loc['attack', 'weeks_used']:,.0f}"
    revenue = re.escape(ex.money(float(r.table.loc["attack", "revenue"]), compact=True))
    assert re.search(rf"Attack\s+200\s+{used}\s+{revenue}\s", table), table
    for key in ("defend", "attack", "total"):
        assert ex.money(float(r.table.loc[key, "revenue"]), compact=True) in table
    # the chart shows this run and the last one
    titles = [a.get_title(loc="left") for a in ex.figures["allocation"].axes]
    assert titles == ["Revenue by segment", "Customers", "What a customer cost"]
    assert ex._images["allocation"].value[:8] == b"\x89PNG\r\n\x1a\n"


def test_widget_over_capacity_shows_a_message_and_does_not_run(world):
    ex = AllocationExercise(world, seed=2026, lang="en")
    before = ex.result
    ex.sliders["attack"].value = 300  # as a trainee drags it: 300 + 3 × 92 = 576
    assert ex.message == "Over capacity by 208 seller weeks: move a slider down"
    assert ex.message in _plain_texts(ex) and ex.run_button.disabled
    assert ex.run() is None and ex.result is before
    ex.sliders["defend"].value = 0
    ex.sliders["maintain"].value = 0
    ex.sliders["monitor"].value = 60
    assert ex.message == "" and not ex.run_button.disabled
    assert "Allocated 360 of 368 seller weeks · 8 left" in _plain_texts(ex)
    ex.run_button.click()
    assert ex.result.allocation == {"defend": 0.0, "attack": 300.0, "maintain": 0.0, "monitor": 60.0}
    assert ex.previous is before


def test_widget_even_split_and_bad_input(world):
    ex = AllocationExercise(world, seed=3, lang="en", allocation={"attack": 10})
    assert ex.allocation == {"defend": 0.0, "attack": 10.0, "maintain": 0.0, "monitor": 0.0}
    ex._even_button.click()
    assert ex.allocation == {k: 92.0 for k in ex.sliders}
    for bad, message in (({"atack": 1}, "unknown segment"), ({"attack": -5}, "between 0 and 368"),
                         ({"attack": 400}, "between 0 and 368"), ({"attack": "x"}, "'attack'")):
        with pytest.raises(ValueError, match=message):
            ex.set_allocation(bad)
    with pytest.raises(ValueError, match="AllocationParams"):
        AllocationExercise(world, params={"sellers": 1})


def test_widget_speaks_one_language_and_switches(world, tmp_path, caplog):
    ex = AllocationExercise(world, seed=2026, params=AllocationParams(sellers=4), lang="zh")
    ex.set_allocation({"attack": 100, "defend": 84})
    ex.run()
    assert_language(ex.texts(), "zh")
    text = _plain_texts(ex)
    assert "团队今年有 184 个销售人周（4 名销售 × 46 周）" in text
    assert "上次分配：防守 46 · 进攻 46 · 维持 46 · 观察 46" in text
    render_clean(ex.figures["allocation"], tmp_path / "allocation_zh.png", caplog)
    ex.set_language("en")
    assert_language(ex.texts(), "en")
    assert "Your team has 184 seller weeks this year (4 sellers × 46 weeks)" in _plain_texts(ex)
    render_clean(ex.figures["allocation"], tmp_path / "allocation_en.png", caplog)
    follower = AllocationExercise(world, seed=2026, params=AllocationParams(sellers=1))
    sf.set_language("zh")
    assert_language(follower.texts(), "zh")
    assert follower.sliders["attack"].description == "进攻"


def test_part_of_an_action_left_over_counts_as_idle_so_the_costs_add_up(world):
    """2.3 seller weeks buy 11.5 actions: 11 are spent, the half left over is idle time. Time used and
    idle add up to the weeks allocated and the four costs to their price, as documented."""
    params = AllocationParams(actions_per_seller_week=5)
    r = simulate_allocation(world, {"defend": 2.3, "attack": 40.7, "monitor": 0.1}, seed=2026, params=params)
    for key, row in r.table.iterrows():
        assert row["weeks_used"] + row["weeks_idle"] == pytest.approx(row["weeks_allocated"]), key
        costs = row[["acquisition_cost", "retention_cost", "development_cost", "idle_cost"]].sum()
        assert costs == pytest.approx(row["weeks_allocated"] * params.cost_per_seller_week), key
    assert r.table.loc["defend", "care_actions"] + r.table.loc["defend", "deal_actions"] == 11
    assert r.table.loc["monitor", "weeks_idle"] == pytest.approx(0.1)  # half an action: none spent
