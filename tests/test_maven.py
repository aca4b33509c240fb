"""The worked example on the real Maven CRM export: every row accounted for, every trap handled openly."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import simfunnel as sf
from simfunnel import crm

ROOT = Path(__file__).resolve().parents[1]
MAVEN = ROOT / "datasets" / "maven-crm"


@pytest.fixture(scope="module")
def result():
    return crm.maven_example(MAVEN)


def test_every_row_accounted_for(result):
    raw = pd.read_csv(MAVEN / "sales_pipeline.csv")
    assert len(raw) == 8_800
    s = result.summary
    assert s["rows_read"] == 8_800 == s["imported"] + s["rejected"]
    assert len(result.history.deals) + len(result.rejects) == 8_800
    assert len(result.rejects) == 0 and set(result.history.deals.deal_id) == set(raw.opportunity_id)


def test_stage_counts_match_the_export(result):
    d = result.history.deals
    assert (d.status == "won").sum() == 4_238
    assert (d.status == "lost").sum() == 2_473
    assert (d.stage.astype(str) == "engaging").sum() == 1_589
    assert (d.stage.astype(str) == "prospecting").sum() == 500
    assert list(result.history.funnel.keys) == ["prospecting", "engaging"]


def test_traps_are_handled_openly(result):
    d = result.history.deals
    raw = pd.read_csv(MAVEN / "sales_pipeline.csv")
    prices = pd.read_csv(MAVEN / "products.csv").set_index("product").sales_price
    # open and lost amounts come from the price list (GTXPro read as GTX Pro); won keep what was booked
    by_id = d.set_index("deal_id")
    won = raw[raw.deal_stage == "Won"].set_index("opportunity_id")
    assert (by_id.loc[won.index, "amount"] == won.close_value).all()
    assert (by_id.loc[won.index, "amount_source"] == "export").all()
    gtxpro_open = raw[(raw["product"] == "GTXPro") & (raw.deal_stage != "Won")].opportunity_id
    assert len(gtxpro_open) > 0 and (by_id.loc[gtxpro_open, "amount"] == prices["GTX Pro"]).all()
    assert (by_id.loc[raw[raw.deal_stage == "Lost"].opportunity_id, "amount"] > 0).all()
    assert d.account_id.isna().sum() == 1_425
    text = " ".join(result.warnings)
    for needle in ("500 Prospecting deals have no date", "2473 lost deals record close_value 0",
                   "1425 deals have no account", "price list", "win rate measured at Engaging"):
        assert needle in text, needle
    assert not any(w.startswith("no stage history") for w in result.warnings)


def test_measured_win_rate_and_rebuilt_history(result):
    h = result.history
    rates = sf.empirical_win_rates(h)
    assert rates.loc["engaging", "win_rate"] == pytest.approx(4_238 / (4_238 + 2_473))
    assert rates.loc["engaging", "low"] < rates.loc["engaging", "win_rate"] < rates.loc["engaging", "high"]
    assert len(h.events) == 4_238 + 2_473 and set(h.events.from_stage.astype(str)) == {"engaging"}
    # a closed deal was open at Engaging until its close week, then closed
    deal = h.deals[h.deals.status == "won"].iloc[0]
    snaps = h.snapshots[h.snapshots.deal_id == deal.deal_id].set_index("week")
    assert snaps.loc[deal.closed_week - 1, "status"] == "open" if deal.closed_week > deal.created_week else True
    assert snaps.loc[deal.closed_week, "status"] == "won"
    table = sf.indicators(h, quota=h.quota, threshold=1_000)
    assert len(table) == 14 and table.forecast.notna().all()


def test_cli_runs_the_example(tmp_path):
    run = subprocess.run([sys.executable, "-m", "simfunnel", "import", "--example", "maven", "--out", str(tmp_path / "m")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "imported 8,800" in run.stdout
    back = sf.History.load(tmp_path / "m")
    assert len(back.deals) == 8_800
