"""generate(): seeded, vectorised synthetic worlds (accounts, contacts, deals)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from simfunnel.model.funnel import Funnel
from simfunnel.model.generate import World, amount_shape, generate
from simfunnel.model.history import DEAL_COLUMNS
from simfunnel.model.simulate import Simulation

ACCOUNT_COLUMNS = [
    "account_id", "name_zh", "name_en", "industry", "region", "ownership", "potential",
    "share_of_wallet", "existing_customer", "segment", "owner",
]
CONTACT_COLUMNS = [
    "contact_id", "account_id", "name_zh", "name_en", "function", "level", "buying_role", "coach", "brain_type",
]
WORLD_DEAL_COLUMNS = list(DEAL_COLUMNS) + ["product", "payment_delay_weeks"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def world() -> World:
    return generate(accounts=300, seed=11)


@pytest.fixture(scope="module")
def big_world() -> World:
    # 20,000 deals -> 2,500 accounts: the large-world path (names drawn independently).
    return generate(deals=20_000, seed=1)


# --- seeds -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"accounts": 100}, {"deals": 6_000}], ids=["workshop-size", "large-world"])
def test_same_seed_gives_identical_tables(kwargs):
    a = generate(seed=5, **kwargs)
    b = generate(seed=5, **kwargs)
    for name in ("accounts", "contacts", "deals"):
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)
    assert a.quota == b.quota
    pd.testing.assert_frame_equal(a.chain, b.chain)


def test_different_seed_gives_different_tables():
    a = generate(accounts=100, seed=5)
    b = generate(accounts=100, seed=6)
    for name in ("accounts", "contacts", "deals"):
        assert not a.tables[name].equals(b.tables[name]), name
    # Not just the sizes: the drawn values differ.
    n = min(len(a.deals), len(b.deals))
    assert not np.array_equal(a.deals.amount.to_numpy()[:n], b.deals.amount.to_numpy()[:n])


# --- sizes and columns ---------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 1_000, 12_345])
def test_deals_argument_gives_exactly_that_many_deals(n):
    w = generate(deals=n, seed=2)
    assert len(w.deals) == n
    assert w.deals.deal_id.tolist() == list(range(1, n + 1))
    assert len(w.accounts) == max(1, n // 8)


def test_deals_and_accounts_together():
    w = generate(accounts=40, deals=500, seed=2)
    assert len(w.accounts) == 40 and len(w.deals) == 500
    assert w.deals.account_id.isin(w.accounts.account_id).all()


def test_columns(world):
    assert list(world.accounts.columns) == ACCOUNT_COLUMNS
    assert list(world.contacts.columns) == CONTACT_COLUMNS
    assert list(world.deals.columns) == WORLD_DEAL_COLUMNS
    assert sorted(world.tables) == ["accounts", "contacts", "deals"]


def test_deals_start_open_and_consistent(world):
    d = world.deals
    assert (d.status == "open").all()
    assert d.closed_week.isna().all() and d.paid_week.isna().all()
    assert d.created_week.between(0, world.weeks).all()
    # Arrivals (created after week 0) enter at the first stage; the opening pipeline spreads over stages.
    assert (d.stage[d.created_week > 0] == world.funnel.keys[0]).all()
    assert d.stage[d.created_week == 0].nunique() > 1
    assert (d.amount >= world.params.amount_min).all() and (d.amount % 100 == 0).all()
    assert (d.payment_delay_weeks >= 1).all()
    assert d.account_id.isin(world.accounts.account_id).all()
    # A deal's owner is its account's owner.
    owners = world.accounts.set_index("account_id").owner.astype(str)
    assert (d.owner.astype(str).to_numpy() == owners.loc[d.account_id].to_numpy()).all()


def test_contacts_per_account_and_decision_makers(world, big_world):
    for w in (world, big_world):
        c = w.contacts
        assert c.contact_id.is_unique
        sizes = c.groupby("account_id").size().reindex(w.accounts.account_id, fill_value=0)
        assert sizes.between(3, 8).all()
        has_dm = (c.buying_role == "decision_maker").groupby(c.account_id).any()
        assert has_dm.reindex(w.accounts.account_id, fill_value=False).all()
        # At most one coach per account, never the decision maker placed first.
        assert c.coach.groupby(c.account_id).sum().max() <= 1
        assert not c.groupby("account_id").head(1).coach.any()


def test_names_zh_are_chinese_and_en_are_ascii(world, big_world):
    for w in (world, big_world):
        for table in (w.accounts, w.contacts):
            zh = table.name_zh.astype(str)
            en = table.name_en.astype(str)
            assert zh.map(lambda s: bool(CJK.search(s))).all()
            assert en.map(lambda s: s.isascii() and bool(s.strip())).all()
            assert not en.map(lambda s: bool(CJK.search(s))).any()
        assert w.accounts.owner.astype(str).map(str.isascii).all()


def test_workshop_world_has_distinct_account_names(world):
    assert world.accounts.name_zh.is_unique and world.accounts.name_en.is_unique


def test_categorical_values_are_known(world):
    a, c = world.accounts, world.contacts
    assert set(a.segment.unique()) <= {"defend", "attack", "maintain", "monitor"}
    assert set(a.ownership.unique()) <= {"state_owned", "private", "foreign"}
    assert set(c.level.unique()) <= {"operational", "management", "decision"}
    assert set(c.brain_type.unique()) <= {"A", "B", "C", "D"}
    # Share of wallet only for existing customers.
    assert (a.share_of_wallet[~a.existing_customer] == 0).all()
    assert a.share_of_wallet.between(0, 1).all()


# --- amounts ---------------------------------------------------------------------------
def test_amount_shape(big_world):
    amount = big_world.deals.amount.to_numpy()
    small = amount < 50_000
    deal_share = small.mean()
    value_share = amount[small].sum() / amount.sum()
    assert 0.60 <= deal_share <= 0.75
    assert 0.10 <= value_share <= 0.25
    shape = amount_shape(50_000)
    assert abs(deal_share - shape["deal_share_below"]) < 0.02
    assert abs(value_share - shape["value_share_below"]) < 0.02


def test_amount_shape_moves_with_threshold():
    low, high = amount_shape(10_000), amount_shape(200_000)
    assert low["deal_share_below"] < amount_shape()["deal_share_below"] < high["deal_share_below"]
    assert low["value_share_below"] < low["deal_share_below"]


# --- bad arguments ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"accounts": 0}, "accounts"),
        ({"accounts": -3}, "accounts"),
        ({"weeks": 0}, "weeks"),
        ({"deals": -1}, "deals"),
        ({"funnel": "no-such-preset"}, "no-such-preset"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        generate(seed=1, **kwargs)


def test_unknown_preset_message_names_the_funnel_argument():
    with pytest.raises(ValueError, match=r"funnel preset.*key-account"):
        generate(funnel="nope", seed=1)


def test_funnel_given_as_object_or_name():
    f = Funnel.preset("simple")
    a, b = generate(accounts=30, seed=3, funnel=f), generate(accounts=30, seed=3, funnel="simple")
    assert a.funnel == b.funnel
    assert list(a.chain.index) == list(f.keys)
    pd.testing.assert_frame_equal(a.deals, b.deals)


# --- quota ----------------------------------------------------------------------------------
def test_quota_is_positive_and_near_realised_quarterly_bookings():
    ratios = []
    weeks = 104
    for seed in (1, 2, 3):
        w = generate(accounts=2_000, weeks=weeks, seed=seed)
        assert w.quota > 0
        h = Simulation(w, seed=seed).run()
        won = h.deals[h.deals.status == "won"]
        assert won.closed_week.between(1, weeks).all()
        per_quarter = won.amount.sum() / weeks * 13
        ratios.append(per_quarter / w.quota)
    # Heavy-tailed amounts: each seed's ratio is noisy (~5%), their mean much less so.
    assert abs(np.mean(ratios) - 1) < 0.20, ratios


def test_quota_is_rounded_to_two_significant_figures(world):
    q = world.quota
    assert q > 0
    digits = f"{q:.0f}".rstrip("0")
    assert len(digits) <= 2
