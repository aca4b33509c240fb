"""Every widget and every chart, in zh and in en: one language only, and no missing glyph.

One place that walks all four widgets' descendants and their charts' texts (the
per-widget tests check the same for their own widget in more states).
"""

import inspect

import matplotlib
import pytest

matplotlib.use("Agg")

import simfunnel as sf  # noqa: E402
from simfunnel import plots  # noqa: E402
from simfunnel.model.actions import actions_for  # noqa: E402
from simfunnel.model.people import PeopleParams  # noqa: E402
from simfunnel.widgets import (
    AccountMap,
    AllocationExercise,
    DealBoard,
    ForecastDashboard,
    ThresholdExplorer,
    WinRateLab,
)

from chart_checks import assert_language, closing_new_widgets, render_clean  # noqa: E402


@pytest.fixture(scope="module")
def workshop():
    world = sf.generate(seed=2026)
    return world, sf.Simulation(world, seed=2026).run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_widget_speaks_one_language(workshop, lang, tmp_path, caplog):
    world, history = workshop
    with closing_new_widgets():
        board = DealBoard(sf.Simulation(world, seed=2026), lang=lang)
        deal = int(board.page(board.funnel.keys[2])[0])
        board.select(deal)
        board.act(deal, actions_for(board.funnel, board.funnel.keys[2])[0].key)
        board.classify("advance")
        board.next_week()
        widgets = [
            board,
            ThresholdExplorer(history, lang=lang),
            WinRateLab(history, lang=lang),
            ForecastDashboard(history, threshold=50_000, trials=300, lang=lang),
            AllocationExercise(world, seed=2026, lang=lang),
            AccountMap(sf.Simulation(world, seed=2026, people=PeopleParams()), lang=lang, reveal=True),
        ]
        for widget in widgets:
            texts = widget.texts()
            assert_language(texts, lang)
            for name, fig in widget.figures.items():
                render_clean(fig, tmp_path / f"{type(widget).__name__}_{name}_{lang}.png", caplog)


def test_set_language_switches_every_widget(workshop):
    world, history = workshop
    with closing_new_widgets():
        widgets = [DealBoard(sf.Simulation(world, seed=2026)), ThresholdExplorer(history), WinRateLab(history),
                   ForecastDashboard(history, trials=300), AllocationExercise(world, seed=2026),
                   AccountMap(sf.Simulation(world, seed=2026, people=PeopleParams()))]
        try:
            sf.set_language("zh")
            for widget in widgets:
                assert_language(widget.texts(), "zh")
            sf.set_language("en")
            for widget in widgets:
                assert_language(widget.texts(), "en")
        finally:
            sf.set_language("en")


CHARTS = [name for name, fn in inspect.getmembers(plots, inspect.isfunction)
          if name.endswith("_chart") and fn.__module__.startswith(plots.__name__ + ".")]


def test_the_chart_list_is_complete():
    assert {"funnel_chart", "indicator_chart", "progress_chart", "tradeoff_chart", "calibration_chart",
            "forecast_vs_actual_chart", "fan_chart"} <= set(CHARTS)


def test_a_zh_board_shows_no_latin_letters_but_spin(workshop):
    import re

    world, _history = workshop
    with closing_new_widgets():
        board = DealBoard(sf.Simulation(world, seed=2026), lang="zh")
        letters = {w for text in board.texts() for w in re.findall(r"[A-Za-z]+", text)} - {"SPIN"}
        assert not letters, letters
