"""One process, many pages: a trainee's team and language belong to the page, never to the process.

Two trainees are served from two threads of one Python process (as the room app serves its pages):
each joins a different team in a different language, acts, and reads back. Neither may see the
other's session, language or move; the main thread's language and session stay untouched.
"""

from __future__ import annotations

import contextvars
import threading
import warnings

import pytest

import simfunnel as sf
from simfunnel import i18n
from simfunnel.model.actions import actions_for
from simfunnel.widgets import DealBoard, ThresholdExplorer
from simfunnel.workshop.session import current_session, join, leave
from simfunnel.workshop.store import WorkshopStore

from chart_checks import assert_language, closing_new_widgets


@pytest.fixture(autouse=True)
def _closing():
    leave()
    with closing_new_widgets():
        yield
    leave()


def _run_in_threads(*targets):
    errors: list[BaseException] = []

    def guarded(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # reported by the test below, not lost in the thread
                errors.append(exc)
        return run

    threads = [threading.Thread(target=guarded(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a trainee thread hung"
    if errors:
        raise errors[0]


def test_two_sessions_in_one_process_never_see_each_others_team_or_language(tmp_path):
    folder = tmp_path / "w"
    WorkshopStore.init(folder, teams=2, seed=11, accounts=60)  # team1 (第 1 组), team2
    main_lang = sf.get_language()
    barrier = threading.Barrier(2, timeout=30)
    seen: dict[str, dict] = {}

    def trainee(team: str, name: str, lang: str) -> None:
        sf.set_language(lang)                       # this page's language, as the notebook would say it
        session = join(folder, team, name, lang=lang)
        barrier.wait()                              # both have joined and chosen a language
        board = DealBoard.for_team(session)
        follower = ThresholdExplorer.for_team(session)  # follows the page's language (no lang=)
        stage = board.funnel.keys[1]
        deal = board.page(stage)[0]
        move = board.act(deal, actions_for(board.funnel, stage)[0].key)
        board.classify(move.outcome)
        barrier.wait()                              # both have acted before either reads back
        seen[team] = {
            "session": current_session(),
            "language": sf.get_language(),
            "board": (board.team, board.trainee, board.lang),
            "follower_lang": follower.lang,
            "texts": board.texts() + follower.texts(),
            "deal": deal,
        }
        barrier.wait()
        board.close()
        follower.close()

    _run_in_threads(lambda: trainee("team1", "Li", "zh"), lambda: trainee("team2", "Wang", "en"))

    red, blue = seen["team1"], seen["team2"]
    assert (red["session"].team, red["session"].trainee, red["session"].lang) == ("team1", "Li", "zh")
    assert (blue["session"].team, blue["session"].trainee, blue["session"].lang) == ("team2", "Wang", "en")
    assert red["board"] == ("team1", "Li", "zh") and blue["board"] == ("team2", "Wang", "en")
    assert (red["language"], red["follower_lang"]) == ("zh", "zh")
    assert (blue["language"], blue["follower_lang"]) == ("en", "en")
    assert_language(red["texts"], "zh")
    assert_language(blue["texts"], "en")

    store = WorkshopStore.open(folder)
    red_moves, blue_moves = store.moves("team1"), store.moves("team2")
    assert red_moves[["deal_id", "trainee"]].values.tolist() == [[red["deal"], "Li"]]
    assert blue_moves[["deal_id", "trainee"]].values.tolist() == [[blue["deal"], "Wang"]]
    # the process itself (this thread) was never joined and kept its language
    assert current_session() is None and sf.get_language() == main_lang


def test_set_language_on_one_page_does_not_redraw_another_pages_widgets(tmp_path):
    history = sf.Simulation(sf.generate(accounts=40, seed=2), seed=2).run()
    made = threading.Event()
    switched = threading.Event()
    widgets: dict[str, ThresholdExplorer] = {}

    def page_a() -> None:
        i18n.use_language("en")
        widgets["a"] = ThresholdExplorer(history)   # follows page A's language
        made.set()
        assert switched.wait(30)

    def page_b() -> None:
        assert made.wait(30)
        i18n.use_language("en")
        widgets["b"] = ThresholdExplorer(history)
        sf.set_language("zh")                       # page B turns Chinese …
        switched.set()

    _run_in_threads(page_a, page_b)
    assert widgets["b"].lang == "zh"
    assert widgets["a"].lang == "en"                # … page A stays English
    assert_language(widgets["a"].texts(), "en")
    assert_language(widgets["b"].texts(), "zh")
    for widget in widgets.values():
        widget.close()


def test_a_context_copy_keeps_its_own_session_and_language(tmp_path):
    WorkshopStore.init(tmp_path, teams=2, seed=3, accounts=30)
    sf.set_language("en")
    session = join(tmp_path, "team1", "Li")

    def other_page():
        assert current_session() is session         # a copy starts from its parent's state …
        i18n.use_language()                         # (a new page takes a language scope of its own)
        sf.set_language("zh")
        join(tmp_path, "team2", "Wang")             # … and then goes its own way
        return current_session().team, sf.get_language()

    assert contextvars.copy_context().run(other_page) == ("team2", "zh")
    assert current_session() is session and sf.get_language() == "en"


def test_set_language_zh_makes_the_users_own_pyplot_chart_show_chinese(caplog):
    import logging

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcdefaults()
    sf.set_language("zh")
    try:
        assert matplotlib.rcParams["font.sans-serif"][0] in i18n.SYSTEM_CJK_FONTS + (i18n.MPLFONTS_FAMILY,)
        fig, ax = plt.subplots()
        ax.set_title("赢率")
        ax.plot([0, 1], [-1, 1])
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.canvas.draw()
        plt.close(fig)
        messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
        assert not [m for m in messages if "glyph" in m.lower()], messages
    finally:
        sf.set_language("en")
        matplotlib.rcdefaults()
