"""The widget charts of simfunnel.plots: trade-off, forecast vs actual, calibration, fan — in zh and en."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from simfunnel import History, i18n, plots  # noqa: E402
from simfunnel.analysis.winrates import empirical_win_rates  # noqa: E402
from simfunnel.analysis.metrics import indicators  # noqa: E402
from simfunnel.model.chain import calibrated_chain, true_win_rates  # noqa: E402
from simfunnel.analysis.threshold import sweep  # noqa: E402

try:
    from chart_checks import PREVIEW, assert_language, render_clean
except ImportError:  # pragma: no cover - run from the repository root
    from tests.chart_checks import PREVIEW, assert_language, render_clean

LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def workshop() -> History:
    return History.load("datasets/workshop")


@pytest.fixture(scope="module")
def sweep_table(workshop) -> pd.DataFrame:
    return sweep(workshop, [0, 10_000, 20_000, 50_000, 100_000, 200_000], workshop.quota)


@pytest.fixture(autouse=True)
def _close():
    lang = i18n.get_language()
    yield
    i18n.set_language(lang)
    plt.close("all")


def texts(ax: Axes) -> list[str]:
    """Every text of the figure once drawn (tick labels get their text at draw time)."""
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]


def fan_table() -> pd.DataFrame:
    t = np.arange(14)
    mid = 2_600_000 + 120_000 * t
    half = 900_000 * (13 - t) / 13
    return pd.DataFrame({"t": t, "week": t + 13, "p10": mid - half, "p25": mid - half / 2, "p50": mid,
                         "p75": mid + half / 2, "p90": mid + half, "p_quota": np.linspace(0.4, 1.0, 14)})


@pytest.mark.parametrize("lang", LANGS)
def test_tradeoff_chart(sweep_table, lang, caplog):
    ax = plots.tradeoff_chart(sweep_table, current=50_000, lang=lang)
    assert isinstance(ax, Axes)
    shown = texts(ax)
    assert_language(shown, lang)
    joined = "\n".join(shown)
    row = sweep_table[sweep_table.threshold == 50_000].iloc[0]
    assert f"{int(row.records_entered):,}" in joined
    assert ("¥5万" if lang == "zh" else "¥50k") in joined  # the threshold as money
    assert ("¥20万" if lang == "zh" else "¥200k") in joined  # point labels
    assert "%" in ax.yaxis.get_major_formatter()(0.3, 0)
    marker = plots.find_artist(ax, "current")
    assert marker.get_xdata()[0] == row.records_entered
    assert marker.get_ydata()[0] == pytest.approx(row.mean_abs_error)
    lines = [l for l in ax.get_lines() if l.get_gid() is None]
    assert any(np.allclose(l.get_ydata(), sweep_table.mean_abs_error) for l in lines)
    assert any(np.allclose(l.get_ydata(), sweep_table.mean_abs_error_without_run_rate) for l in lines)
    render_clean(ax.figure, PREVIEW / f"plots_tradeoff_{lang}.png", caplog)


def test_tradeoff_chart_current_row_and_errors(sweep_table, workshop):
    row = sweep(workshop, [33_000], workshop.quota).iloc[0]
    ax = plots.tradeoff_chart(sweep_table, current=row, lang="en")
    assert "At ¥33k" in plots.find_artist(ax, "current_note").get_text()
    ax = plots.tradeoff_chart(sweep_table, lang="en")  # nothing marked
    assert not plots.find_artist(ax, "current_guide").get_visible()
    with pytest.raises(ValueError, match="33000"):
        plots.tradeoff_chart(sweep_table, current=33_000)
    with pytest.raises(ValueError, match="'records_entered'"):
        plots.tradeoff_chart(sweep_table.drop(columns="records_entered"))


@pytest.mark.parametrize("lang", LANGS)
def test_forecast_vs_actual_chart(workshop, lang, caplog):
    ind = indicators(workshop, workshop.quota, threshold=50_000)
    table = pd.DataFrame({"t": ind.t, "week": ind.week, "forecast": ind.forecast,
                          "actual": ind.forecast - ind.forecast_error * workshop.quota})
    table["forecast_empirical"] = table.forecast * 0.9
    table["forecast_true"] = table.forecast * 1.1
    ax = plots.forecast_vs_actual_chart(table, quota=workshop.quota, lang=lang)
    shown = texts(ax)
    assert_language(shown, lang)
    joined = "\n".join(shown)
    mean_error = f"{np.mean(np.abs(ind.forecast_error)):.1%}"
    assert mean_error in joined
    assert ("¥300万" if lang == "zh" else "¥3M") in joined  # amounts as money
    assert ("本期第几周" if lang == "zh" else "Week of the period") in joined
    assert np.allclose(plots.find_artist(ax, "forecast").get_ydata(), table.forecast)
    assert plots.find_artist(ax, "empirical") is not None and plots.find_artist(ax, "true") is not None
    render_clean(ax.figure, PREVIEW / f"plots_forecast_vs_actual_{lang}.png", caplog)
    ax = plots.forecast_vs_actual_chart(table[["week", "forecast", "actual"]], lang=lang)  # snapshot weeks, no quota
    assert ax.get_xlabel() == i18n.label("week", lang)
    assert plots.find_artist(ax, "note").get_text() == ""
    with pytest.raises(ValueError, match="'actual'"):
        plots.forecast_vs_actual_chart(table.drop(columns="actual"))


@pytest.mark.parametrize("lang", LANGS)
def test_calibration_chart(workshop, lang, caplog):
    rates = empirical_win_rates(workshop)
    true = true_win_rates(calibrated_chain(workshop.funnel))
    assumed = {"need": 0.2, "approved": 0.3, "criteria": 0.4, "evaluation": 0.5, "commitment": 0.6}
    ax = plots.calibration_chart(rates, lang=lang, assumed=assumed, true_rates=true)
    shown = texts(ax)
    assert_language(shown, lang)
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks == [stage.label(lang) for stage in workshop.funnel.stages]
    assert np.allclose(plots.calibration_assumed(ax), list(assumed.values()))
    plots.set_calibration_assumed(ax, [0.1, 0.2, 0.3, 0.4, 0.5])
    assert np.allclose(plots.calibration_assumed(ax), [0.1, 0.2, 0.3, 0.4, 0.5])
    assert np.allclose(plots.find_artist(ax, "true").get_ydata(), true.to_numpy())
    assert np.allclose(plots.find_artist(ax, "true").get_xdata(), np.arange(5) + plots.CALIBRATION_OFFSET)
    assert f"{rates.win_rate.iloc[2]:.0%}" in shown
    colours = {matplotlib.colors.to_hex(t.get_color()) for t in ax.get_xticklabels()}
    assert len(colours) == len(rates)  # stages told apart by colour
    render_clean(ax.figure, PREVIEW / f"plots_calibration_{lang}.png", caplog)


def test_calibration_chart_many_stages_and_errors(tmp_path, caplog):
    from simfunnel import Simulation
    from simfunnel.model.generate import generate

    history = Simulation(generate(deals=1_500, seed=4, funnel="salesforce"), seed=4).run()
    rates = empirical_win_rates(history)
    for lang in LANGS:
        ax = plots.calibration_chart(rates, lang=lang)
        assert_language(texts(ax), lang)
        render_clean(ax.figure, PREVIEW / f"plots_calibration_salesforce_{lang}.png", caplog)
    with pytest.raises(ValueError, match="3 values for 8 stages"):
        plots.calibration_chart(rates, assumed=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="'low'"):
        plots.calibration_chart(rates.drop(columns="low"))


@pytest.mark.parametrize("lang", LANGS)
def test_fan_chart(lang, caplog):
    fan = fan_table()
    ax = plots.fan_chart(fan, quota=3_500_000, actual=4_100_000, week=5, lang=lang)
    shown = texts(ax)
    assert_language(shown, lang)
    joined = "\n".join(shown)
    assert ("¥350万" if lang == "zh" else "¥3.5M") in joined  # quota as money
    assert ("¥410万" if lang == "zh" else "¥4.1M") in joined  # actual final bookings
    assert "P10–P90" in joined and "P25–P75" in joined
    note = plots.find_artist(ax, "week_note").get_text()
    assert note.startswith("第 5 周" if lang == "zh" else "Week 5:")
    assert f"{fan.p_quota.iloc[5]:.0%}" in note
    assert list(plots.find_artist(ax, "week_marker").get_xdata()) == [5, 5]
    assert np.allclose(plots.find_artist(ax, "median").get_ydata(), fan.p50)
    render_clean(ax.figure, PREVIEW / f"plots_fan_{lang}.png", caplog)


def test_fan_chart_without_marker_quota_or_actual():
    fan = fan_table().drop(columns=["p_quota"])
    ax = plots.fan_chart(fan, lang="en")
    assert not plots.find_artist(ax, "week_marker").get_visible()
    assert plots.find_artist(ax, "quota") is None and plots.find_artist(ax, "actual") is None
    assert plots.fan_week_note(fan, 3, lang="en") == "Week 3: median ¥2.96M, 80% range ¥2.27M–¥3.65M"
    with pytest.raises(ValueError, match="'p25'"):
        plots.fan_chart(fan.drop(columns="p25"))


def test_progress_bars_can_be_swapped(workshop):
    a = indicators(workshop, workshop.quota, threshold=0)
    b = indicators(workshop, workshop.quota, threshold=100_000)
    ax = plots.progress_chart(a, lang="en")
    bars = plots.progress_bars(ax, b)
    current = [p for p in ax.patches if p.get_gid() == "progress_bar"]
    assert current == bars and len(bars) == len(b) - 1
    assert sorted(p.get_height() for p in bars) == pytest.approx(sorted(b.progress.iloc[1:]))


def test_teams_with_the_same_numbers_stay_apart_on_the_team_charts():
    """Same-world teams draw the same line (the rehearsal: one line for six teams): each team's points are
    shifted a little sideways and carry a marker and dashes of their own."""
    import simfunnel as sf
    from simfunnel.analysis.metrics import indicators

    world = sf.generate(accounts=60, seed=5)
    table = indicators(sf.Simulation(world, seed=5).run(30), world.quota, 50_000, start_week=13).iloc[:6]
    tables = {f"team{i}": table for i in range(1, 5)}
    ax = plots.team_weeks_chart(tables, world.quota, lang="en")
    lines = [plots.find_artist(ax, f"team-weeks-{t}") for t in tables]
    xs = [tuple(line.get_xdata()) for line in lines]
    assert len(set(xs)) == 4 and all(abs(x - round(x)) <= 0.15 for x in sum(xs, ()))  # apart, near their week
    assert all(list(line.get_ydata()) == table["booked"].tolist() for line in lines)  # the numbers as they are
    assert len({line.get_marker() for line in lines}) == 4 and len({str(line.get_linestyle()) for line in lines}) > 1


def test_dollar_amounts_are_text_not_maths():
    import matplotlib

    matplotlib.use("Agg")
    from simfunnel import crm, plots

    h = crm.maven_example().history  # USD
    ax = plots.funnel_chart(h, week=h.end_week, lang="en")
    subtitle = next(t for t in ax.texts if t.get_text().count("$") >= 2)
    assert matplotlib.rcParams["text.parse_math"] is False  # "$3.14M · … $4.97M" is not read as maths
    renderer = ax.figure.canvas.get_renderer()
    assert subtitle._preprocess_math(subtitle.get_text())[1] is False
    assert subtitle.get_window_extent(renderer).width > 0
    matplotlib.pyplot.close(ax.figure)
