"""The trainer's console: WorkshopLeaderboard over a store, the stand-in teams of play_demo, the reply confusion table."""

import html
import re

import matplotlib
import numpy as np
import openpyxl
import pandas as pd
import pytest

matplotlib.use("Agg")

from simfunnel.model.replies import confusion_table, is_correct  # noqa: E402
from simfunnel.workshop.store import WorkshopStore, play_demo  # noqa: E402
from simfunnel.widgets import WorkshopLeaderboard  # noqa: E402
from simfunnel.workshop.scoring import score_formula  # noqa: E402

from chart_checks import assert_language, closing_new_widgets, render_clean  # noqa: E402


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    store = WorkshopStore.init(tmp_path_factory.mktemp("w"), teams=["red", "blue", "green"], seed=2026,
                               same_world=True, accounts=80)
    play_demo(store, weeks=3, seed=4)
    return store


def test_play_demo_is_seeded_and_goes_through_the_store(tmp_path):
    stores = [WorkshopStore.init(tmp_path / name, teams=2, seed=9, accounts=40) for name in ("a", "b")]
    a, b = (play_demo(s, weeks=2, seed=3) for s in stores)
    columns = ["team", "week", "deal_id", "action", "outcome", "answer", "correct"]
    pd.testing.assert_frame_equal(a[columns], b[columns])
    assert [len(a[a.team == t]) for t in stores[0].teams] == [2 * 2, 4 * 2]  # 2 and 4 moves a week
    assert all(is_correct(x, o) == c for x, o, c in zip(a.answer, a.outcome, a.correct))
    assert [stores[0].week(t) for t in stores[0].teams] == [stores[0].start_week + 2] * 2
    other = play_demo(WorkshopStore.init(tmp_path / "c", teams=2, seed=9, accounts=40), weeks=2, seed=4)
    assert list(other.action) != list(a.action)  # another seed, other choices
    with pytest.raises(ValueError, match="one value per team"):
        play_demo(stores[0], weeks=1, moves_per_week=[1])


def test_leaderboard_shows_the_store_ranked(played):
    with closing_new_widgets():
        board = WorkshopLeaderboard(played, lang="en")
        expected = played.leaderboard()
        assert board.rank_by == "score"  # the weighted score by default, its weights shown
        assert list(board.table.team) == list(expected.sort_values(["score", "team"], ascending=[False, True]).team) \
            or list(board.table.score) == sorted(expected.score, reverse=True)
        assert "weights: Score" not in board.info.value and "Booked 3" in board.info.value
        board.rank_by = "booked"
        table = board.table
        assert sorted(table.team) == sorted(expected.team)
        assert list(table["rank"]) == [1 + int((table.booked > b).sum()) for b in table.booked]  # ties share
        assert list(table.booked) == sorted(expected.booked, reverse=True)
        board.rank_by = "records_entered"  # fewer is better
        assert list(board.table.records_entered) == sorted(expected.records_entered)
        assert board.rank_select.value == "records_entered"
        board.rank_select.value = "quiz_score"  # the dropdown ranks too
        assert list(board.table.team) == list(expected.sort_values("quiz_score", ascending=False).team)
        html = board.table_html.value
        for _, row in expected.iterrows():
            assert row.team in html
            assert board.money(row.booked, compact=True) in html
            assert f"{row.quiz_score:.0%}" in html
        # each team's weekly line ends at its booked amount
        for team, weekly in board.weekly.items():
            assert weekly.booked.iloc[-1] == pytest.approx(float(expected.set_index("team").booked[team]))
        with pytest.raises(ValueError, match="rank_by"):
            board.rank_by = "luck"


def test_refresh_reads_new_moves(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=2, seed=5, accounts=40)
    with closing_new_widgets():
        board = WorkshopLeaderboard(store, lang="en")
        assert list(board.board.moves) == [0, 0]
        play_demo(store, weeks=1, seed=1)
        assert list(board.board.moves) == [0, 0]  # shows what it read …
        board.refresh_button.click()  # … until refreshed
        assert list(board.board.moves) == [2, 4]
        board.auto.value = True  # auto-refresh: a timer re-reads the store
        first = board._timer
        assert first is not None and first.is_alive() and first.interval == board.auto_seconds
        play_demo(store, weeks=1, seed=1)
        first.cancel()
        board._auto.tick()  # what the timer runs: re-read, then schedule the next tick
        assert list(board.board.moves) == [4, 8] and board._timer is not first
        board.auto.value = False
        assert board._timer.finished.is_set()  # cancelled


def test_export_writes_excel_and_csv_in_the_workshop_folder(played):
    with closing_new_widgets():
        board = WorkshopLeaderboard(played, lang="en")
        files = board.export("xlsx")
        assert files[0].parent == played.path.parent / "exports" and files[0].suffix == ".xlsx"
        book = openpyxl.load_workbook(files[0])
        assert {"moves", "leaderboard"} <= set(book.sheetnames)
        assert book["moves"].max_row == len(played.moves()) + 1
        assert "Download" in board.note.value and "data:application/octet-stream;base64," in board.note.value
        csv = board.export("csv")
        assert all(p.exists() and p.suffix == ".csv" for p in csv)
        with pytest.raises(ValueError, match="xlsx"):
            board.export("pdf")


@pytest.mark.parametrize("lang,teams", [("zh", ["华东组", "华南组"]), ("en", ["red", "blue"])])
def test_one_language_and_clean_charts(tmp_path, lang, teams, caplog):
    store = WorkshopStore.init(tmp_path / "w", teams=teams, seed=2026, same_world=True, accounts=60)
    play_demo(store, weeks=2, seed=2)
    with closing_new_widgets():
        board = WorkshopLeaderboard(store, lang=lang)
        path = str(store.path)
        assert_language([t.replace(path, "") for t in board.texts()], lang)
        # the score's formula is written out under the table, a line per part with its weight
        heading, *lines = score_formula(store.weights, lang)
        assert all(html.escape(text) in board.formula.value for text in [heading, *lines]) and len(lines) == 5
        assert board.formula.value.count("<li>") == 5
        for name, fig in board.figures.items():
            render_clean(fig, tmp_path / f"{name}_{lang}.png", caplog)


def test_bad_arguments(played):
    with pytest.raises(ValueError, match="WorkshopStore"):
        WorkshopLeaderboard("not a store")
    with pytest.raises(ValueError, match="rank_by"):
        WorkshopLeaderboard(played, rank_by="luck")
    with pytest.raises(ValueError, match="auto_seconds"):
        WorkshopLeaderboard(played, auto_seconds=0.5)


def test_confusion_table_counts_every_pair():
    outcomes = ["order", "advance", "continuation", "continuation", "no_sale"]
    answers = ["advance", "advance", "advance", "continuation", "no_sale"]
    t = confusion_table(outcomes, answers, lang="zh")
    assert t.index.name == "真实结果" and list(t.columns) == ["订单", "推进", "延续", "无法成交"]
    assert t.to_numpy().sum() == 5 and t.loc["延续", "推进"] == 1 and t.loc["订单", "推进"] == 1
    assert np.trace(t.to_numpy()) == 3
    with pytest.raises(ValueError, match="unknown answer 'maybe'"):
        confusion_table(["order"], ["maybe"])
    with pytest.raises(ValueError, match="1 outcomes but 2 answers"):
        confusion_table(["order"], ["order", "order"])


def test_tied_teams_share_their_rank_as_in_the_store(tmp_path):
    """Same world, same luck, nothing played: every measure equal, so every team is first (store: ties share
    the better rank); then a team with a missing measure comes last, after the tied ones."""
    store = WorkshopStore.init(tmp_path, teams=["red", "blue", "green"], seed=8, same_world=True, accounts=40)
    with closing_new_widgets():
        board = WorkshopLeaderboard(store, lang="en")
        assert list(store.leaderboard()["rank"]) == [1, 1, 1]
        assert list(board.table["rank"]) == [1, 1, 1]
        assert board.table_html.value.count("sf-first") == 3  # every leader highlighted, not the first listed
        board.rank_by = "booked"
        assert list(board.table["rank"]) == [1, 1, 1]
        board.board = board.board.assign(quiz_score=[0.5, float("nan"), 0.5])
        board.rank_by = "quiz_score"
        assert board.table[["team", "rank"]].values.tolist() == [["red", 1], ["green", 1], ["blue", 3]]


def test_team_names_with_dollar_signs_are_drawn_as_typed(tmp_path, caplog):
    store = WorkshopStore.init(tmp_path / "w", teams=["a$^$b", "$x$"], seed=2, same_world=True, accounts=40)
    play_demo(store, weeks=1, seed=1)
    with closing_new_widgets():
        board = WorkshopLeaderboard(store, lang="en")
        for name, fig in board.figures.items():
            render_clean(fig, tmp_path / f"{name}.png", caplog)  # matplotlib's math parser would raise
        labels = [t.get_text() for ax in board.figures["teams"].axes for t in ax.get_yticklabels()]
        assert r"a\$^\$b" in labels


def test_a_clock_ticks_on_one_thread_and_outlives_a_failed_reload():
    """One thread for a clock's life (a thread a tick piled up per-thread state in the server), and a reload
    that raises is logged, not the end of the clock."""
    import threading
    import time

    from simfunnel.widgets.controls import AutoRefresh

    seen: list[int] = []

    def reload() -> None:
        seen.append(threading.get_ident())
        if len(seen) == 2:
            raise RuntimeError("a store that was busy once")

    auto = AutoRefresh(0.02, reload)
    try:
        auto.checkbox.value = True
        deadline = time.monotonic() + 10
        while len(seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(seen) >= 6 and len(set(seen)) == 1 and auto.timer is not None and auto.timer.is_alive()
    finally:
        auto.checkbox.value = False
    auto.timer.join(2)
    assert not auto.timer.is_alive()
    n = len(seen)
    time.sleep(0.1)
    assert len(seen) == n
    auto.checkbox.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_replies_panel_follows_the_store_while_the_teams_play(tmp_path, lang):
    """The trainer notebook's "which replies fool the room" table was drawn once at Run All; the panel reads
    the store again on Refresh (and auto-refresh), and its counts are those of the moves answered."""
    from simfunnel.widgets.replies_panel import RepliesPanel

    store = WorkshopStore.init(tmp_path, teams=2, seed=5, accounts=40)
    with closing_new_widgets():
        panel = RepliesPanel(store, lang=lang)
        assert panel.judged == 0 and ("还没有判断过的回复" if lang == "zh" else "no reply judged yet") in panel.info.value
        moves = play_demo(store, weeks=2, seed=1)
        assert panel.judged == 0  # nothing is read until Refresh
        panel.refresh_button.click()
        answered = moves[~moves["withdrawn"] & moves["answer"].notna()]
        expected = confusion_table(answered["outcome"], answered["answer"], lang)
        assert panel.judged == len(answered) > 0 and panel.table.equals(expected)
        wrong = sum(not is_correct(a, o) for o, a in zip(answered["outcome"], answered["answer"]))
        n_text = f"已判断 {len(answered)} 条回复，判断错 {wrong} 条" if lang == "zh" else \
            f"{len(answered)} replies judged, {wrong} wrongly"
        assert n_text in panel.info.value
        cells = [int(x) for x in re.findall(r"<td style='[^']*'>(\d+)</td>", panel.table_html.value)]
        assert cells == expected.to_numpy().ravel().tolist()
        assert_language(panel.texts(), lang)
