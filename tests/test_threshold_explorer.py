"""ThresholdExplorer driven from code: the numbers it shows, its charts, its languages."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import simfunnel as sf  # noqa: E402
from simfunnel import History, i18n, plots  # noqa: E402
from simfunnel.analysis.metrics import indicators, records_entered  # noqa: E402
from simfunnel.analysis.threshold import sweep  # noqa: E402
from simfunnel.widgets import ThresholdExplorer  # noqa: E402

try:
    from chart_checks import PREVIEW, assert_language, closing_new_widgets, render_clean, save_widget_images
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import (PREVIEW, assert_language, closing_new_widgets, render_clean,
                                    save_widget_images)


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load("datasets/workshop")


@pytest.fixture(scope="module")
def simulated() -> History:
    return sf.Simulation(sf.generate(deals=3_000, seed=5), seed=5).run()


@pytest.fixture(autouse=True)
def _restore_language():
    lang = i18n.get_language()
    with closing_new_widgets():
        yield
    i18n.set_language(lang)


def shown_records(explorer: ThresholdExplorer) -> int:
    """The records-entered figure as the KPI box shows it."""
    label = explorer.t("records")
    text = re.sub(r"<[^>]+>", " ", explorer._kpi.value)
    match = re.search(re.escape(label) + r"\s+([\d,]+)", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def test_kpis_are_the_sweep_row(workshop):
    explorer = ThresholdExplorer(workshop, lang="en")
    at_zero = records_entered(workshop, threshold=0)
    for t in (0, 50_000, 100_000):
        explorer.threshold = t
        row = sweep(workshop, [t], workshop.quota).iloc[0]
        k = explorer.kpis
        assert k["threshold"] == t
        assert k["deals_in_funnel"] == row.deals_in_funnel
        assert k["records_entered"] == row.records_entered
        assert k["records_at_zero"] == at_zero
        assert k["records_saved_share"] == pytest.approx(1 - row.records_entered / at_zero)
        assert k["revenue_outside_funnel"] == pytest.approx(row.revenue_outside_funnel)
        assert k["share_outside"] == pytest.approx(row.share_outside)
        assert k["mean_abs_error"] == pytest.approx(row.mean_abs_error)
        assert k["mean_abs_error_without_run_rate"] == pytest.approx(row.mean_abs_error_without_run_rate)
        html = explorer._kpi.value
        assert f"{int(row.records_entered):,}" in html
        assert i18n.format_money(row.revenue_outside_funnel, lang="en", compact=True) in html
        assert f"{row.mean_abs_error:.1%}" in html
    explorer.threshold = 0
    assert explorer.kpis["records_saved_share"] == 0
    assert explorer.kpis["mean_abs_error"] == explorer.kpis["mean_abs_error_without_run_rate"]
    assert "0% fewer than at 0" in explorer._kpi.value


def test_raising_the_threshold_lowers_the_records_shown(workshop):
    explorer = ThresholdExplorer(workshop, lang="zh")
    steps = explorer.slider_control._values[::6]
    shown = []
    for t in steps:
        explorer.threshold = t
        shown.append(shown_records(explorer))
        # the current point sits on the curve at the records shown
        marker = plots.find_artist(explorer._ax_tradeoff, "current")
        assert marker.get_xdata()[0] == shown[-1]
        assert marker.get_ydata()[0] == pytest.approx(explorer.kpis["mean_abs_error"])
    assert shown == sorted(shown, reverse=True)
    assert shown[0] > shown[-1]
    assert shown[0] == records_entered(workshop, threshold=0)


def test_slider_moves_update_the_widget_and_read_as_money(workshop):
    explorer = ThresholdExplorer(workshop, lang="zh")
    labels = explorer.slider._options_labels
    assert all(label.startswith("¥") for label in labels)
    assert "¥5万" in labels and "¥0" in labels
    before = explorer.kpis["records_entered"]
    png = explorer._images["tradeoff"].value
    explorer.slider.value = 100_000.0  # as a person moving it would
    assert explorer.threshold == 100_000
    assert explorer.kpis["records_entered"] < before
    assert explorer._images["tradeoff"].value != png
    assert explorer.slider.label == "¥10万"


def test_a_threshold_off_the_steps_is_added_and_computed(workshop):
    explorer = ThresholdExplorer(workshop, thresholds=[0, 50_000, 100_000], lang="en")
    assert list(explorer.table.threshold) == [0, 50_000, 100_000]
    explorer.threshold = 80_000
    assert 80_000 in explorer.slider.options[2]  # ("¥80k", 80000.0)
    assert explorer.slider.value == 80_000
    row = sweep(workshop, [80_000], workshop.quota).iloc[0]
    assert explorer.kpis["records_entered"] == row.records_entered
    assert "At ¥80k" in " ".join(explorer.texts())


def test_weekly_chart_gap_is_the_forecast_error(workshop, simulated):
    for history in (workshop, simulated):
        explorer = ThresholdExplorer(history, lang="en")
        for t in (0, 50_000):
            explorer.threshold = t
            table = explorer.weekly()
            ind = indicators(history, history.quota, threshold=t)
            assert np.allclose(table.forecast, ind.forecast)
            assert np.allclose((table.forecast - table.actual) / history.quota, ind.forecast_error)
            ax = explorer._ax_weekly
            assert np.allclose(plots.find_artist(ax, "forecast").get_ydata(), table.forecast)
            assert np.allclose(plots.find_artist(ax, "actual").get_ydata(), table.actual)
            low, high = ax.get_ylim()
            assert low == 0 and high >= max(table.forecast.max(), table.actual.max())


def test_simulated_history_trade_off(simulated):
    explorer = ThresholdExplorer(simulated, quota=simulated.quota, lang="en")
    explorer.threshold = 0
    k0 = dict(explorer.kpis)
    assert k0["share_outside"] == 0 and k0["deals_outside"] == 0
    explorer.threshold = 100_000
    k1 = explorer.kpis
    assert k1["records_entered"] < k0["records_entered"]
    assert k1["deals_in_funnel"] < k0["deals_in_funnel"]
    assert k1["revenue_outside_funnel"] > 0
    # the out-of-funnel term only matters once the threshold leaves deals out
    assert k0["mean_abs_error_without_run_rate"] == k0["mean_abs_error"]
    assert k1["mean_abs_error_without_run_rate"] != k1["mean_abs_error"]


def test_bad_input_is_refused_clearly(workshop):
    explorer = ThresholdExplorer(workshop, thresholds=[0, 50_000], lang="en")
    for bad in (-1, float("nan"), float("inf"), "50000", True):
        with pytest.raises(ValueError, match="threshold"):
            explorer.threshold = bad
    no_quota = History(workshop.deals, workshop.events, workshop.snapshots, workshop.funnel, start_week=13)
    with pytest.raises(ValueError, match="quota"):
        ThresholdExplorer(no_quota)
    with pytest.raises(ValueError, match="quota"):
        ThresholdExplorer(workshop, quota=0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_texts_in_one_language_and_charts_render(workshop, lang, caplog):
    explorer = ThresholdExplorer(workshop, lang=lang)
    explorer.threshold = 80_000
    texts = explorer.texts()
    assert_language(texts, lang)
    joined = " ".join(texts)
    if lang == "zh":
        assert "录入记录" in joined and "漏斗外销售额" in joined and "¥8万" in joined
    else:
        assert "Records entered" in joined and "¥80k" in joined
    for name, fig in explorer.figures.items():
        render_clean(fig, PREVIEW / f"threshold_explorer_{name}_{lang}.png", caplog)
    save_widget_images(explorer, "threshold_explorer_shown_")


def test_follows_set_language(workshop):
    i18n.set_language("en")
    explorer = ThresholdExplorer(workshop)
    explorer.threshold = 50_000
    assert_language(explorer.texts(), "en")
    i18n.set_language("zh")
    assert explorer.lang == "zh"
    assert_language(explorer.texts(), "zh")
    assert explorer.threshold == 50_000 and explorer.slider.label == "¥5万"
    fixed = ThresholdExplorer(workshop, thresholds=[0, 50_000], lang="en")
    i18n.set_language("zh")
    assert_language(fixed.texts(), "en")
    explorer.close()  # stops following the language
    i18n.set_language("en")
    assert explorer.lang == "zh"
