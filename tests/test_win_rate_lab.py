"""WinRateLab driven from code: presets, sliders, Brier score, calibration, languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simfunnel as sf  # noqa: E402
from simfunnel import History, i18n, plots  # noqa: E402
from simfunnel.analysis.winrates import empirical_win_rates  # noqa: E402
from simfunnel.model.funnel import Funnel  # noqa: E402
from simfunnel.analysis.metrics import indicators  # noqa: E402
from simfunnel.model.chain import calibrated_chain, true_win_rates  # noqa: E402
from simfunnel.widgets import WinRateLab  # noqa: E402
from simfunnel.widgets.win_rate_lab import STEP  # noqa: E402

try:
    from chart_checks import PREVIEW, assert_language, closing_new_widgets, render_clean, save_widget_images
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import (PREVIEW, assert_language, closing_new_widgets, render_clean,
                                    save_widget_images)


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load("datasets/workshop")


@pytest.fixture(scope="module")
def sim():
    simulation = sf.Simulation(sf.generate(deals=4_000, seed=11), seed=11)
    return simulation.run(), simulation.chain


@pytest.fixture(autouse=True)
def _restore_language():
    lang = i18n.get_language()
    with closing_new_widgets():
        yield
    i18n.set_language(lang)


def brute_force_brier(history: History, rates) -> float:
    """Mean of (p − won)² over snapshot rows of open deals that were eventually won or lost."""
    snap = history.snapshots
    k = len(history.funnel)
    codes = snap.stage.cat.codes.to_numpy()
    status = snap.deal_id.map(history.deals.set_index("deal_id").status.astype(str)).to_numpy()
    rows = (codes < k) & np.isin(status, ["won", "lost"])
    override = snap.win_rate_override.to_numpy(dtype=float, na_value=np.nan)[rows]
    p = np.where(np.isnan(override), np.asarray(rates, dtype=float)[codes[rows]], override)
    won = (status[rows] == "won").astype(float)
    return float(np.mean((p - won) ** 2))


def test_presets_offered_are_those_with_as_many_stages(workshop):
    lab = WinRateLab(workshop, lang="en")
    assert sorted(lab.applicable) == ["hubspot", "key-account"]
    assert lab.preset == "key-account"
    labels = lab._dropdown._options_labels
    assert "HubSpot default deal stages" in labels and "Custom" in labels
    note = lab._not_listed.value
    assert "Simple funnel" in note and "(4 stages)" in note and "(8 stages)" in note
    with pytest.raises(ValueError, match=r"'simple' has 4 stages.*hubspot, key-account"):
        lab.preset = "simple"
    with pytest.raises(ValueError, match="unknown preset"):
        lab.preset = "nope"
    lab.preset = "hubspot"
    assert list(lab.rates.values()) == pytest.approx([0.2, 0.4, 0.6, 0.8, 0.9])
    assert [s.value for s in lab.sliders] == pytest.approx([0.2, 0.4, 0.6, 0.8, 0.9])
    lab._dropdown.value = "key-account"  # as a person choosing it
    assert lab.rates == {"need": 0.1, "approved": 0.25, "criteria": 0.4, "evaluation": 0.6, "commitment": 0.8}
    lab.sliders[0].value = 0.15  # a slider moved by hand: the rates are no preset's any more
    assert lab.preset == "custom" and lab.rates["need"] == 0.15


def test_simple_preset_on_a_four_stage_history():
    history = sf.Simulation(sf.generate(deals=800, seed=2, funnel="simple"), seed=2).run()
    lab = WinRateLab(history, lang="zh")
    assert lab.applicable == ["simple"]
    lab.set_rates([0.2, 0.3, 0.5, 0.7])
    assert lab.preset == "custom"
    lab.preset = "simple"
    assert list(lab.rates.values()) == pytest.approx([0.1, 0.3, 0.5, 0.7])
    assert "Salesforce" in lab._not_listed.value  # a product name, kept in Chinese text


def test_set_rates_and_brier_is_what_the_doc_says(workshop):
    lab = WinRateLab(workshop, lang="en")
    rates = workshop.funnel.rates[:5]
    assert lab.brier == pytest.approx(brute_force_brier(workshop, rates))
    lab.set_rates({"need": 0.3, "commitment": 0.5})
    new = [0.3, 0.25, 0.4, 0.6, 0.5]
    assert list(lab.rates.values()) == pytest.approx(new)
    assert [s.value for s in lab.sliders] == pytest.approx(new)
    assert lab.brier == pytest.approx(brute_force_brier(workshop, new))
    assert lab.kpis["brier"] == lab.brier
    assert f"{lab.brier:.4f}" in lab._kpi.value
    measured = empirical_win_rates(workshop).win_rate.to_numpy()
    assert lab.brier_empirical == pytest.approx(brute_force_brier(workshop, measured))
    assert lab.brier_true is None
    assert np.allclose(plots.calibration_assumed(lab._ax_cal), new)


def test_forecast_table_is_indicators_with_the_rates_replaced(workshop):
    lab = WinRateLab(workshop, lang="en")
    rates = [0.05, 0.2, 0.5, 0.7, 0.95]
    lab.set_rates(rates)
    table = lab.table()
    funnel = workshop.funnel.with_win_rates(rates)
    replaced = History(workshop.deals, workshop.events, workshop.snapshots, funnel, start_week=workshop.start_week,
                       end_week=workshop.end_week, quota=workshop.quota)
    ind = indicators(replaced, workshop.quota, threshold=0)
    assert np.allclose(table.forecast, ind.forecast_in_funnel)
    assert np.allclose((table.forecast - table.actual) / workshop.quota, ind.forecast_error)
    assert lab.kpis["mean_abs_error"] == pytest.approx(np.mean(np.abs(ind.forecast_error)))
    ax = lab._ax_fva
    assert np.allclose(plots.find_artist(ax, "forecast").get_ydata(), table.forecast)
    assert ax.get_ylim()[1] >= table.forecast.max()


def test_fit_from_history_sets_the_measured_rates(workshop):
    lab = WinRateLab(workshop, lang="zh")
    lab.set_rates([0.5] * 5)
    png = lab._images["calibration"].value
    lab._fit.click()  # the button, as a person presses it
    measured = empirical_win_rates(workshop).win_rate.to_numpy()
    assert [s.value for s in lab.sliders] == pytest.approx(measured, abs=STEP / 2 + 1e-9)
    assert list(lab.rates.values()) == pytest.approx(measured, abs=STEP / 2 + 1e-9)
    assert lab._images["calibration"].value != png
    assert abs(lab.brier - lab.brier_empirical) < 1e-3
    assert lab.fit_from_history() == lab.rates


def test_true_rates_score_better_than_wrong_ones(sim):
    history, chain = sim
    lab = WinRateLab(history, chain=chain, lang="en")
    true = true_win_rates(chain).to_numpy()
    assert lab.brier_true == pytest.approx(brute_force_brier(history, true))
    for wrong in (true * 0.5, np.clip(true + 0.25, 0, 1), true[::-1], np.full(5, 0.5)):
        lab.set_rates(wrong)
        assert lab.brier_true <= lab.brier
    lab.set_rates(true)
    assert lab.brier == pytest.approx(lab.brier_true)
    # the true rates are drawn, and the forecast at them
    assert plots.find_artist(lab._ax_cal, "true") is not None
    assert "forecast_true" in lab.table().columns
    assert "Brier score (true rates)" in lab._kpi.value


def test_bad_input_is_refused_clearly(workshop):
    lab = WinRateLab(workshop, lang="en")
    with pytest.raises(ValueError, match="unknown stage 'nope'"):
        lab.set_rates({"nope": 0.1})
    with pytest.raises(ValueError, match="'approved'.*between 0 and 1"):
        lab.set_rates({"approved": 1.5})
    with pytest.raises(ValueError, match="4 rates for 5 stages"):
        lab.set_rates([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="4 stages"):
        WinRateLab(workshop, Funnel.preset("simple"))
    with pytest.raises(ValueError, match="chain stages"):
        WinRateLab(workshop, chain=calibrated_chain(Funnel.preset("hubspot")))
    assert lab.rates["approved"] == 0.25  # nothing changed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_texts_in_one_language_and_charts_render(sim, lang, caplog):
    history, chain = sim
    lab = WinRateLab(history, chain=chain, lang=lang)
    lab.set_rates({"need": 0.2})
    texts = lab.texts()
    assert_language(texts, lang)
    joined = " ".join(texts)
    if lang == "zh":
        assert "布里尔分数" in joined and "发现需求" in joined and "按历史数据拟合" in joined
    else:
        assert "Brier score" in joined and "Need identified" in joined and "Fit from history" in joined
    for name, fig in lab.figures.items():
        render_clean(fig, PREVIEW / f"win_rate_lab_{name}_{lang}.png", caplog)
    save_widget_images(lab, "win_rate_lab_shown_")


def test_follows_set_language(workshop):
    i18n.set_language("zh")
    lab = WinRateLab(workshop)
    lab.set_rates({"need": 0.2})
    assert_language(lab.texts(), "zh")
    assert lab.sliders[0].description == "发现需求"
    i18n.set_language("en")
    assert_language(lab.texts(), "en")
    assert lab.sliders[0].description == "Need identified"
    assert lab.rates["need"] == 0.2 and lab.preset == "custom"
    lab.close()


def test_overrides_beat_the_stage_rates_everywhere(workshop):
    deals = workshop.deals.copy()
    deals["win_rate_override"] = deals["win_rate_override"].astype(float)
    deals.loc[deals.index[::7], "win_rate_override"] = 0.33
    history = History(deals, workshop.events, funnel=workshop.funnel, start_week=13, end_week=52,
                      quota=workshop.quota)
    lab = WinRateLab(history, lang="en")
    rates = [0.15, 0.3, 0.45, 0.65, 0.85]
    lab.set_rates(rates)
    assert lab.brier == pytest.approx(brute_force_brier(history, rates))
    funnel = history.funnel.with_win_rates(rates)
    replaced = History(deals, workshop.events, history.snapshots, funnel, start_week=13, end_week=52,
                       quota=workshop.quota)
    assert np.allclose(lab.table().forecast, indicators(replaced, workshop.quota).forecast_in_funnel)
