"""simfunnel.model.segments (attack/defend model) and plots.segment_chart, in zh and en."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import simfunnel as sf
from simfunnel import History, i18n, plots
from simfunnel.analysis.scorecard import SCORECARD_INDICATORS, scorecard, segment_table
from simfunnel.model.segments import Segmentation, segment_accounts

try:
    from chart_checks import assert_language, render_clean
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import assert_language, render_clean

ROOT = Path(__file__).resolve().parents[1]
PREVIEW = Path("/tmp/segments_preview")


@pytest.fixture(autouse=True)
def _close():
    lang = i18n.get_language()
    yield
    i18n.set_language(lang)
    plt.close("all")


def hand_accounts() -> pd.DataFrame:
    # potentials 1,2,3,4,5 (millions): median 3. Account 3 sits exactly on the median and
    # account 4 exactly on the share cut-off 0.2: ties go to the high side.
    return pd.DataFrame({
        "account_id": [1, 2, 3, 4, 5],
        "potential": [1e6, 2e6, 3e6, 4e6, 5e6],
        "share_of_wallet": [0.0, 0.5, 0.1, 0.2, 0.19],
        "existing_customer": [False, True, True, True, True],
    })


def test_segments_by_hand_with_ties():
    out = segment_accounts(hand_accounts(), lang="en")
    assert list(out.segment) == ["monitor", "maintain", "attack", "defend", "attack"]
    assert list(out.label) == ["Monitor", "Maintain", "Attack", "Defend", "Attack"]
    assert out.attrs == {"potential_cutoff": 3e6, "share_cutoff": 0.2}
    assert list(segment_accounts(hand_accounts(), lang="zh").label) == ["观察", "维持", "进攻", "防守", "进攻"]


def test_custom_cutoffs_and_names():
    seg = Segmentation(potential_cutoff=2e6, share_cutoff=0.1,
                       segments=(("keep", "保持", "Keep"), ("win", "争取", "Win"),
                                 ("serve", "服务", "Serve"), ("watch", "留意", "Watch")))
    out = segment_accounts(hand_accounts(), seg, lang="zh")
    # account 2's potential equals the cut-off 2e6: high (ties go up)
    assert list(out.segment) == ["watch", "keep", "keep", "keep", "keep"]
    assert list(out.segment.cat.categories) == ["keep", "win", "serve", "watch"]
    assert out.label.iloc[0] == "留意"


@pytest.mark.parametrize("kwargs, word", [
    ({"share_cutoff": 1.5}, "share_cutoff"), ({"share_cutoff": float("nan")}, "share_cutoff"),
    ({"potential_cutoff": -1}, "potential_cutoff"), ({"potential_cutoff": "high"}, "potential_cutoff"),
    ({"segments": (("a", "甲", "A"),) * 4}, "differ"), ({"segments": (("a", "甲", "A"),)}, "four"),
])
def test_bad_segmentation(kwargs, word):
    with pytest.raises(ValueError, match=word):
        Segmentation(**kwargs)


def test_missing_column_and_bad_value():
    with pytest.raises(ValueError, match="'share_of_wallet'"):
        segment_accounts(hand_accounts().drop(columns="share_of_wallet"))
    bad = hand_accounts()
    bad.loc[2, "potential"] = np.nan
    with pytest.raises(ValueError, match=r"row 2, column 'potential'"):
        segment_accounts(bad)
    with pytest.raises(ValueError, match="no accounts"):
        segment_table(_no_accounts())


def _no_accounts() -> History:
    h = tiny_history()
    h.accounts = None
    return h


def tiny_history() -> History:
    """Five accounts (segments as in hand_accounts) and six deals, weeks 0-10, window weeks 2-10 (s=2)."""
    deals = pd.DataFrame({
        "deal_id": [1, 2, 3, 4, 5, 6],
        "account_id": [4, 4, 3, 1, 2, 99],  # deal 6: unknown account, in no segment
        "owner": ["Li"] * 6,
        "amount": [100_000, 50_000, 40_000, 30_000, 20_000, 7_000],
        "created_week": [1, 3, 1, 4, 0, 1],
        "stage": ["won", "lost", "won", "need", "won", "won"],
        "status": ["won", "lost", "won", "open", "won", "won"],
        "closed_week": [6, 8, 5, None, 2, 5],
        "expected_close_week": [6, 8, 5, 9, 2, 5],
        "win_rate_override": [None] * 6,
        "paid_week": [None] * 6,
    })
    events = pd.DataFrame({
        "deal_id": [1, 1, 2, 3, 5],
        "week": [2, 6, 8, 5, 2],
        "from_stage": ["need", "approved", "need", "need", "need"],
        "to_stage": ["approved", "won", "lost", "won", "won"],
        "outcome": ["advance", "order", "no_sale", "order", "order"],
        "action": [None] * 5,
    })
    contacts = pd.DataFrame({
        "contact_id": [1, 2, 3, 4, 5, 6],
        "account_id": [4, 4, 4, 3, 1, 2],
        "buying_role": ["decision_maker", "user", "purchaser", "user", "decision_maker", "user"],
        "coach": [False, True, False, True, False, False],
    })
    return History(deals, events, end_week=10, start_week=2, accounts=hand_accounts(), contacts=contacts)


def test_table_by_hand_and_totals_add_up():
    h = tiny_history()
    t = segment_table(h, lang="en")
    assert list(t.index) == ["defend", "attack", "maintain", "monitor"]
    assert list(t.accounts) == [1, 2, 1, 1]
    assert t.loc["attack", "potential"] == 8e6
    assert list(t.sales) == [100_000, 40_000, 20_000, 0]
    assert list(t.deals) == [2, 1, 1, 1]
    assert t.loc["defend", "win_rate"] == 0.5 and math.isnan(t.loc["monitor", "win_rate"])
    assert t.loc["monitor", "open_pipeline"] == 30_000
    assert t.loc["attack", "share_of_wallet_mean"] == pytest.approx(0.145)
    assert t.loc["defend", "sales_to_potential"] == pytest.approx(100_000 / 4e6)
    # the four rows make the whole (deal 6 has no known account)
    assert t.accounts.sum() == len(h.accounts) and t.account_share.sum() == pytest.approx(1)
    assert t.sales.sum() == 160_000 and t.deals.sum() == 5
    assert t.potential.sum() == h.accounts.potential.sum()


def test_scorecard_by_hand():
    h = tiny_history()
    sc = scorecard(h)  # window: closing weeks 3 … 10 (s = start_week 2)
    assert list(sc.columns) == [(p, i) for p, i, *_ in SCORECARD_INDICATORS]
    assert sc.columns.names == ["perspective", "indicator"]
    f, c, p, lg = sc["financial"], sc["customer"], sc["internal_process"], sc["learning_growth"]
    # defend (account 4): deal 1 won week 6 (100k, 5 weeks), deal 2 lost week 8
    assert f.loc["defend", "bookings"] == 100_000 and f.loc["defend", "avg_won_deal"] == 100_000
    # open at week 2: deal 1 (created 1) only; deal 2 created in week 3
    assert f.loc["defend", "pipeline_coverage"] == 1.0
    assert p.loc["defend", "win_rate"] == 0.5 and p.loc["defend", "cycle_weeks"] == 5
    # records in weeks 3…10: deal 2 created + events week 6 (deal 1) and week 8 (deal 2) = 3, per 1 won deal
    assert p.loc["defend", "records_per_won_deal"] == 3
    assert c.loc["defend", "accounts_won"] == 1 and c.loc["defend", "new_customers_won"] == 0
    assert c.loc["defend", "retention"] == 1.0
    assert lg.loc["defend", "coach_share"] == 1.0 and lg.loc["defend", "decision_maker_share"] == 1.0
    assert lg.loc["defend", "contacts_per_account"] == 3
    # attack (accounts 3 and 5): deal 3 won week 5 (40k, 4 weeks); both existing, one with a win
    assert f.loc["attack", "bookings"] == 40_000 and c.loc["attack", "retention"] == 0.5
    assert p.loc["attack", "records_per_won_deal"] == 1  # the event of week 5; deal 3 created week 1
    assert lg.loc["attack", "coach_share"] == 0.5 and lg.loc["attack", "decision_maker_share"] == 0
    assert lg.loc["attack", "contacts_per_account"] == 0.5
    # maintain (account 2): deal 5 won in week 2, before the window
    assert f.loc["maintain", "bookings"] == 0 and math.isnan(f.loc["maintain", "avg_won_deal"])
    assert c.loc["maintain", "retention"] == 0.0 and math.isnan(p.loc["maintain", "win_rate"])
    # monitor (account 1, a new account): deal 4 open since week 4, never moved: 6 weeks at week 10
    assert p.loc["monitor", "rotting_share"] == 1.0 and math.isnan(p.loc["defend", "rotting_share"])  # none open
    assert math.isnan(c.loc["monitor", "retention"]) and c.loc["monitor", "new_customers_won"] == 0
    # a shorter window: weeks 3 … 5 holds deal 3's win only
    short = scorecard(h, start_week=2, period_weeks=3)
    assert list(short[("financial", "bookings")]) == [0, 40_000, 0, 0]
    assert short.attrs["end_week"] == 5


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load(ROOT / "datasets" / "workshop")


def test_workshop_matches_generator(workshop):
    out = sf.segment_accounts(workshop.accounts)
    assert (out.segment.astype(str) == workshop.accounts.segment.astype(str)).all()
    t = segment_table(workshop)
    won = workshop.deals[workshop.deals.status == "won"]
    assert t.sales.sum() == pytest.approx(won.amount.sum())
    assert t.deals.sum() == len(workshop.deals)
    sc = sf.scorecard(workshop)
    assert sc.shape == (4, len(SCORECARD_INDICATORS)) and sc["financial"]["bookings"].gt(0).all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_renders_in_one_language(workshop, lang, caplog):
    i18n.set_language("en" if lang == "zh" else "zh")  # lang= must win over the current language
    ax = plots.segment_chart(workshop, lang=lang)
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert_language(shown, lang)
    assert ax.get_xscale() == "log"
    assert any(("防守" if lang == "zh" else "Defend") in s for s in shown)
    render_clean(ax.figure, PREVIEW / f"segment_chart_{lang}.png", caplog)


def test_chart_from_accounts_and_custom_names(caplog):
    seg = Segmentation(potential_cutoff=2.5e6, segments=(("keep", "保持", "Keep"), ("win", "争取", "Win"),
                                                          ("serve", "服务", "Serve"), ("watch", "留意", "Watch")))
    ax = plots.segment_chart(hand_accounts(), seg, lang="zh")
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert_language(shown, "zh")
    assert any("保持" in s for s in shown)
    render_clean(ax.figure, PREVIEW / "segment_chart_accounts_zh.png", caplog)


def test_scorecard_view_labels_and_formats_every_value():
    import numpy as np

    from simfunnel.model.generate import generate
    from simfunnel.analysis.scorecard import SCORECARD_INDICATORS, scorecard, scorecard_view
    from simfunnel.model.simulate import Simulation

    history = Simulation(generate(accounts=80, seed=5), seed=5).run()
    table = scorecard(history)
    for lang in ("zh", "en"):
        view = scorecard_view(table, lang=lang)
        assert view.shape == table.shape
        assert list(view.index) == [{"zh": z, "en": e}[lang] for _, z, e in
                                    [("defend", "防守", "Defend"), ("attack", "进攻", "Attack"),
                                     ("maintain", "维持", "Maintain"), ("monitor", "观察", "Monitor")]]
        for k, (p, i, unit, zh, en) in enumerate(SCORECARD_INDICATORS):
            assert view.columns[k][1] == (zh if lang == "zh" else en)
            for value, text in zip(table[(p, i)], view.iloc[:, k]):
                if not np.isfinite(value):
                    assert text == "—"
                elif unit == "share":
                    assert text == f"{value:.0%}"
                elif unit == "currency":
                    assert text.startswith("¥")


def test_an_account_listed_twice_is_named():
    """accounts.csv with an account on two rows: the table and the scorecard say which (pandas raised
    "Reindexing only valid with uniquely valued Index objects")."""
    h = tiny_history()
    h.accounts = pd.concat([hand_accounts(), hand_accounts().iloc[[3]]], ignore_index=True)
    for table in (segment_table, scorecard):
        with pytest.raises(ValueError, match=r"accounts: account 4 is on rows 3 and 5"):
            table(h)


def test_the_scorecard_of_an_import_without_accounts_is_one_row_of_what_the_deals_give():
    import simfunnel as sf
    from simfunnel import crm
    from simfunnel.analysis.scorecard import scorecard_view

    h = crm.maven_example().history
    t = sf.scorecard(h)
    assert list(t.index) == ["all"]
    d = h.deals
    won = d[d["status"].astype(str) == "won"]
    closed_in = pd.to_numeric(d["closed_week"]) > t.attrs["start_week"]
    assert t.loc["all", ("financial", "bookings")] == pytest.approx(won.loc[closed_in, "amount"].sum())
    assert np.isnan(t.loc["all", ("customer", "retention")]) and np.isnan(t.loc["all", ("learning_growth", "coach_share")])
    view = scorecard_view(t, lang="zh", currency=h.currency)
    assert list(view.index) == ["全部商机"] and "—" in view.to_string()
