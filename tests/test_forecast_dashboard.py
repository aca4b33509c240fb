"""ForecastDashboard driven from code: the fan, P(hit quota), coverage, progress, languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simfunnel as sf  # noqa: E402
from simfunnel import History, i18n, plots  # noqa: E402
from simfunnel.analysis.montecarlo import actual_bookings, montecarlo  # noqa: E402
from simfunnel.analysis.metrics import indicators  # noqa: E402
from simfunnel.model.chain import calibrated_chain  # noqa: E402
from simfunnel.widgets import ForecastDashboard  # noqa: E402

try:
    from chart_checks import PREVIEW, assert_language, closing_new_widgets, render_clean, save_widget_images
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import (PREVIEW, assert_language, closing_new_widgets, render_clean,
                                    save_widget_images)

QUANTILES = ["p10", "p25", "p50", "p75", "p90"]


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load("datasets/workshop")


@pytest.fixture(scope="module")
def workshop_chain(workshop):
    """The workshop's true chain: the calibrated chain of its funnel and exit hazard (dataset.json)."""
    return calibrated_chain(workshop.funnel, workshop.meta["params"]["exit_hazard"])


@pytest.fixture(scope="module")
def dash(workshop, workshop_chain) -> ForecastDashboard:
    return ForecastDashboard(workshop, chain=workshop_chain, lang="en")


@pytest.fixture(scope="module")
def sim():
    simulation = sf.Simulation(sf.generate(deals=4_000, seed=8), seed=8)
    return simulation.run(), simulation.chain


@pytest.fixture(autouse=True)
def _restore_language():
    lang = i18n.get_language()
    with closing_new_widgets():
        yield
    i18n.set_language(lang)


def check_fan(fan, quota_met_weeks=()):
    values = fan[QUANTILES].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-6).all(), "P10 ≤ P25 ≤ P50 ≤ P75 ≤ P90"
    assert ((fan.p_quota >= 0) & (fan.p_quota <= 1)).all()
    assert (fan.p10 >= fan.booked - 1e-6).all()  # nothing booked is ever lost


def test_fan_is_ordered_and_narrows_to_the_actual(dash, workshop):
    for t in (0, 50_000, 100_000):
        dash.threshold = t
        fan = dash.fan
        assert list(fan.t) == list(range(14)) and list(fan.week) == list(range(13, 27))
        check_fan(fan)
        width = (fan.p90 - fan.p10).to_numpy()
        slope = np.polyfit(fan.t, width, 1)[0]
        assert slope < 0, "the range narrows as weeks pass, on average"
        assert width[-3:].mean() < width[:3].mean()
        # at the period's end (with the chain, nothing more can be won in 0 weeks) the fan is the actual bookings
        assert fan.p10.iloc[-1] == pytest.approx(dash.actual_final)
        assert fan.p90.iloc[-1] == pytest.approx(dash.actual_final)
    assert dash.actual_final == pytest.approx(indicators(workshop, workshop.quota).booked.iloc[-1])


def test_fan_is_montecarlo_week_by_week(workshop, workshop_chain):
    dash = ForecastDashboard(workshop, chain=workshop_chain, trials=4_000, seed=3, lang="en")
    for t in (0, 50_000):
        dash.threshold = t
        fan = dash.fan
        for week in (0, 6):
            mc = montecarlo(workshop, trials=4_000, seed=99, chain=workshop_chain, threshold=t,
                            as_of_week=13 + week, horizon_weeks=13 - week)
            spread = mc.p90 - mc.p10
            assert fan.p50.iloc[week] == pytest.approx(mc.p50, abs=0.08 * spread)
            assert fan.p10.iloc[week] == pytest.approx(mc.p10, abs=0.1 * spread)
            assert fan.p90.iloc[week] == pytest.approx(mc.p90, abs=0.1 * spread)
            assert fan.p_quota.iloc[week] == pytest.approx(mc.p_quota, abs=0.04)
            assert fan.booked.iloc[week] == pytest.approx(mc.booked)
    # a threshold off the slider's steps is forecast by montecarlo itself
    dash.threshold = 33_333
    assert 33_333 in dash.threshold_control._values
    fan = dash.fan
    mc = montecarlo(workshop, trials=4_000, seed=3 + 4, chain=workshop_chain, threshold=33_333, as_of_week=17,
                    horizon_weeks=9)
    assert fan.p50.iloc[4] == pytest.approx(np.percentile(mc.samples, 50))
    check_fan(fan)


def test_week_moves_the_marker_and_the_numbers(dash, workshop):
    dash.threshold = 50_000
    ind = indicators(workshop, workshop.quota, threshold=50_000)
    for week in (0, 5, 13):
        dash.week = week
        fan = dash.fan
        assert dash.p_quota == fan.p_quota.iloc[week]
        assert 0 <= dash.p_quota <= 1
        k = dash.kpis
        assert k["week"] == week and k["p50"] == fan.p50.iloc[week]
        assert k["coverage"] == ind.coverage.iloc[week]  # inf == inf once the quota is met
        marker = plots.find_artist(dash._ax_fan, "week_marker")
        assert list(marker.get_xdata()) == [week, week]
        note = plots.find_artist(dash._ax_fan, "week_note").get_text()
        assert note.startswith(f"Week {week}:")
        assert f"{dash.p_quota:.0%}" in dash._kpi.value
        assert dash._highlight.get_x() == pytest.approx(week - 0.45)
    dash.week = 2
    assert dash.week_slider.value == 2
    dash.week_slider.value = 4  # as a person moving it
    assert dash.week == 4 and dash.kpis["week"] == 4
    assert i18n.format_money(dash.kpis["booked"], lang="en", compact=True) in dash._kpi.value


def test_threshold_redraws_the_progress_bars(dash, workshop):
    for t in (0, 100_000):
        dash.threshold = t
        ind = indicators(workshop, workshop.quota, threshold=t)
        bars = sorted(dash._bars, key=lambda b: b.get_x())
        assert len(bars) == len(ind) - 1
        assert np.allclose([b.get_height() for b in bars], ind.progress.iloc[1:])
        for bar, p, b in zip(bars, ind.progress.iloc[1:], ind.benchmark.iloc[1:]):
            assert matplotlib.colors.to_hex(bar.get_facecolor()) == (plots.GREEN if p >= b - 1e-12 else plots.RED)
        bench = plots.find_artist(dash._ax_progress, "benchmark")
        assert bench.get_ydata()[0] == pytest.approx(ind.benchmark.iloc[0])
        low, high = dash._ax_progress.get_ylim()
        assert low <= ind.progress.min() and high >= ind.progress.max()
        assert dash._ax_progress.get_legend().get_texts()[-1].get_text() == f"Benchmark {ind.benchmark.iloc[0]:.1%}"
    assert [p for p in dash._ax_progress.patches if p.get_gid() == "progress_bar"] == dash._bars
    dash.threshold_slider.value = 50_000.0  # as a person moving it
    assert dash.threshold == 50_000 and dash.kpis["threshold"] == 50_000


def test_simulated_history_and_no_chain(sim, workshop):
    history, chain = sim
    dash = ForecastDashboard(history, chain=chain, trials=500, lang="zh")
    check_fan(dash.fan)
    assert dash.fan.p10.iloc[-1] == pytest.approx(actual_bookings(history, 26, 0))
    # A simulated dataset brings the chain that made it; an import (no metadata) has none: stage rates.
    assert ForecastDashboard(workshop, trials=300, lang="en").chain is not None
    imported = History(workshop.deals, workshop.events, workshop.snapshots, workshop.funnel,
                       start_week=workshop.start_week, quota=workshop.quota)
    plain = ForecastDashboard(imported, trials=300, lang="en")
    assert plain.chain is None
    check_fan(plain.fan)
    assert "optimistic" in plain._title.value
    plain.week = 13
    assert 0 <= plain.p_quota <= 1


def test_bad_input_is_refused_clearly(dash, workshop):
    for bad in (-1, 14, 2.5, True):
        with pytest.raises(ValueError, match="week"):
            dash.week = bad
    with pytest.raises(ValueError, match="threshold"):
        dash.threshold = -5
    no_quota = History(workshop.deals, workshop.events, workshop.snapshots, workshop.funnel, start_week=13)
    with pytest.raises(ValueError, match="quota"):
        ForecastDashboard(no_quota)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_texts_in_one_language_and_charts_render(workshop, workshop_chain, lang, caplog):
    dash = ForecastDashboard(workshop, chain=workshop_chain, trials=500, lang=lang)
    dash.week = 5
    dash.threshold = 50_000
    texts = dash.texts()
    assert_language(texts, lang)
    joined = " ".join(texts)
    if lang == "zh":
        assert "达成任务概率" in joined and "覆盖率" in joined and "P10–P90" in joined and "第 5 周" in joined
    else:
        assert "Chance of hitting quota" in joined and "Coverage" in joined and "Week 5:" in joined
    for name, fig in dash.figures.items():
        render_clean(fig, PREVIEW / f"forecast_dashboard_{name}_{lang}.png", caplog)
    save_widget_images(dash, "forecast_dashboard_shown_")


def test_follows_set_language(workshop, workshop_chain):
    i18n.set_language("en")
    dash = ForecastDashboard(workshop, chain=workshop_chain, trials=300)
    dash.week = 3
    i18n.set_language("zh")
    assert_language(dash.texts(), "zh")
    assert dash.week == 3 and dash.week_slider.description == "本期第几周"
    i18n.set_language("en")
    assert_language(dash.texts(), "en")
    dash.close()
