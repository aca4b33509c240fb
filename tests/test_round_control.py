"""The trainer's RoundControl and the trainee's board in rounds mode, driven from code; the stand-in teams of play_demo_round."""

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from simfunnel.workshop.store import WorkshopStore, play_demo_round  # noqa: E402
from simfunnel.widgets import RoundControl  # noqa: E402
from simfunnel.widgets.workshop import TeamBoard  # noqa: E402

from chart_checks import assert_language, closing_new_widgets  # noqa: E402


@pytest.fixture
def store(tmp_path):
    return WorkshopStore.init(tmp_path / "w", teams=["red", "blue", "gold"], seed=2026, same_world=True, accounts=80,
                              weeks_per_round=3)


def test_a_workshop_run_from_the_widget(store):
    with closing_new_widgets():
        control = RoundControl(store, lang="en")
        assert "No round is open" in control.state.value and control.close_button.disabled
        # practice round: played, closed, reset — no trace
        control.open_round(practice=True)
        assert control.open_button.disabled and not control.close_button.disabled
        assert "The practice round is open: weeks 14–16" in control.state.value
        play_demo_round(store, seed=1)
        control.reload()
        assert list(control.status.submitted) == [True, True, True] and "3 of 3 teams" in control.state.value
        control.close_round()
        assert [store.week(t) for t in store.teams] == [16] * 3
        withdrawn = control.reset_practice()
        assert withdrawn == len(store.moves()) > 0 and [store.week(t) for t in store.teams] == [13] * 3
        assert "every team back at week 13" in control.note.value
        # round 1 with a late team, an event for round 2, weights
        control.open_round(timer_minutes=10)
        assert control.auto.value  # a timer: the widget watches the clock
        control.auto.value = False
        assert "Round 1 is open: weeks 14–16" in control.state.value and "left" in control.state.value
        play_demo_round(store, seed=2, late=["gold"])
        control.add_event("price_cut", team="blue")
        assert "Scheduled: Week 17, team blue" in control.note.value
        assert "not yet hit" in control.events_list.value
        control.close_round()
        status = control.status.set_index("team")
        assert status.loc["gold", "is_default"] and not status.loc["red", "is_default"]
        assert "none submitted: no action (continuation)" in control.table.value
        control.set_weights(booked=1, forecast_accuracy=0, progress_vs_benchmark=0, quiz_score=0, records_entered=0)
        assert store.weights["booked"] == 1 and control.weight_fields["booked"].value == 1
        board = store.leaderboard()
        assert list(board.sort_values("rank").team)[0] == board.loc[board.booked_vs_quota.idxmax(), "team"]


def test_errors_show_in_the_note_and_raise(store):
    with closing_new_widgets():
        control = RoundControl(store, lang="zh")
        with pytest.raises(ValueError):
            control.close_round()  # no round open
        assert "未完成" in control.note.value and "sf-warn" in control.note.value
        control.open_round()
        with pytest.raises(ValueError):
            control.open_round()  # one at a time
        control.open_button.click()  # the button does the same, and shows the refusal instead of raising
        assert "未完成" in control.note.value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refusals_the_console_meets_are_in_its_language(tmp_path, lang):
    """What the trainer's buttons can run into: an event during the practice round, an event after the last
    week, all weights 0 — each refusal in the console's language only."""
    store = WorkshopStore.init(tmp_path / "w", teams=["red", "blue"], seed=3, accounts=30, weeks_per_round=6,
                               period_weeks=12)
    zero = dict.fromkeys(("booked", "forecast_accuracy", "progress_vs_benchmark", "quiz_score", "records_entered"), 0)
    with closing_new_widgets():
        control = RoundControl(store, lang=lang)
        control.open_round(practice=True)
        notes = []
        for call in (lambda: control.add_event("price_cut"), lambda: control.set_weights(**zero)):
            with pytest.raises(ValueError):
                call()
            notes.append(control.note.value)
        control.reset_practice()
        for _ in range(2):
            control.open_round()
            control.close_round()
        with pytest.raises(ValueError):
            control.add_event("price_cut", team="blue")
        notes.append(control.note.value)
        for note in notes:
            assert "sf-warn" in note
            assert_language([note.replace("sf-warn", "").replace("span", "").replace("class", "")], lang)
        if lang == "en":
            assert "week 26 is after the workshop&#x27;s last week (25)" in notes[2]


def test_the_timer_closes_the_round_on_a_refresh(store):
    with closing_new_widgets():
        control = RoundControl(store, lang="en")
        control.open_round(timer_minutes=0.002)  # 0.12 s
        control.auto.value = False
        import time

        time.sleep(0.3)
        control.reload()  # what auto-refresh runs: tick() closes and plays the expired round
        assert control.round is None and [store.week(t) for t in store.teams] == [16] * 3
        assert "Time is up: Round 1 was closed and played" in control.note.value
        assert store.rounds().iloc[-1]["closed_by"] == "timer"


def test_a_round_closed_elsewhere_replaces_the_consoles_last_message(store):
    """Seen in the rehearsal: a board's clock closed the round on time, and the console still said "Opened:
    Round 1" under "No round is open"; a round opened from elsewhere (the CLI) leaves no old message either."""
    with closing_new_widgets():
        control = RoundControl(store, lang="en")
        control.open_round(timer_minutes=0.002)
        control.auto.value = False
        assert "Opened: Round 1" in control.note.value
        import time

        time.sleep(0.3)
        assert store.tick()  # a trainee's board ticked first: the console's own tick finds nothing to close
        control.reload()
        assert control.round is None and "Time is up: Round 1 was closed and played" in control.note.value
        store.open_round()  # the CLI
        control.reload()
        assert control.round is not None and control.note.value == ""
        store.close_round(by="trainer")
        control.reload()
        assert "Closed and played: Round 2" in control.note.value


def test_trainee_board_in_rounds_mode(store):
    with closing_new_widgets():
        control = RoundControl(store, lang="en")
        red = TeamBoard(store, "red", trainee="Li", lang="en")
        assert red._btn_next.description.startswith("Submit") and red._btn_next.disabled
        assert "Waiting for the trainer to open the first round" in red._round_box.value
        with pytest.raises(ValueError, match="(?i)round"):
            red.act(red.page("criteria")[0], "arrange_demo")  # no round open: refused by the store
        control.open_round(timer_minutes=5)
        control.auto.value = False
        red.refresh()
        assert "Round 1 · weeks 14–16" in red._round_box.value and not red._btn_next.disabled
        deal = red.page("criteria")[0]
        move = red.act(deal, "arrange_demo")
        red.classify(move.outcome)
        red.next_week()  # = submit
        assert red._btn_next.disabled and "Li submitted the round" in red._round_box.value
        assert store.round_status().set_index("team").loc["red", "submitted"]
        with pytest.raises(ValueError):
            red.act(red.page("need")[0], "needs_interview")  # submitted: final
        control.add_event("market_down")
        control.close_round()
        red.refresh()
        assert red.week == 16 and "Round 1 results (weeks 14–16)" in red._result_box.value
        assert "Market news" not in red._news_box.value  # hidden until its round opens
        control.open_round()
        red.refresh()
        assert red.week == 16 and "Market news" in red._news_box.value and "Market turns down" in red._news_box.value
        # the board's indicators are the store's replay, to the cent
        replay = store.simulation("red").history
        pd.testing.assert_frame_equal(red.sim.history.events, replay.events)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language(store, lang):
    with closing_new_widgets():
        control = RoundControl(store, lang=lang)
        control.open_round(practice=True)
        play_demo_round(store, seed=3, late=["gold"])
        control.close_round()
        control.reset_practice()
        control.add_event("large_tender")
        team_names = set(store.teams)
        texts = [t for t in control.texts() if t not in team_names]
        shown = " ".join(texts).replace("red", "").replace("blue", "").replace("gold", "")
        for code in store.team_codes().values():  # the join codes are codes in every language
            shown = shown.replace(code, "")
        assert_language([shown], lang)


def test_bad_arguments(tmp_path, store):
    free = WorkshopStore.init(tmp_path / "free", teams=2, seed=1, accounts=30)
    with pytest.raises(ValueError, match="free-play"):
        RoundControl(free)
    with pytest.raises(ValueError, match="WorkshopStore"):
        RoundControl("W")
    with pytest.raises(ValueError, match="auto_seconds"):
        RoundControl(store, auto_seconds=0)
    store.open_round()
    with pytest.raises(ValueError, match="late: unknown team"):
        play_demo_round(store, late=["nobody"])


def test_the_board_follows_the_round_by_itself(store):
    import time

    with closing_new_widgets():
        red = TeamBoard(store, "red", trainee="Li", lang="en", poll_seconds=0.2)
        assert red.poll is not None and red.poll.on and red.poll.timer.is_alive()
        store.open_round(timer_minutes=0.005)  # 0.3 s
        deadline = time.monotonic() + 5  # the clock ticks on its own in the kernel: the round line appears …
        while not ("Round 1" in red._round_box.value or red.week == 16) and time.monotonic() < deadline:
            time.sleep(0.05)  # (a loaded machine may take more than a tick or two to draw it)
        assert "Round 1" in red._round_box.value or red.week == 16
        deadline = time.monotonic() + 10
        # … and the expired round is played, no click (the clock's thread may still be drawing it: wait for the text)
        while (red.week != 16 or "Round 1 results" not in " ".join(red.texts())) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert red.week == 16 and store.rounds().iloc[-1]["closed_by"] == "timer"
        assert "Round 1 results (weeks 14–16)" in " ".join(red.texts())
        assert "Round 1 is over" in red._round_box.value
        red.close()
        assert red.poll.timer.finished.is_set()
        free = WorkshopStore.init(store.path.parent.parent / "free", teams=2, seed=1, accounts=30)
        board = TeamBoard(free, free.teams[0], lang="en")
        assert board.poll is not None and board.poll.on  # free play too: teammates' moves show without a click


def test_the_clock_ticks_every_second_in_a_timed_rounds_last_minute(store):
    """The rehearsal: the countdown jumped in 4-second steps and still read 0:02 after the deadline. In the last
    minute of a timed round the board's clock ticks every second; otherwise every ``poll_seconds``."""
    with closing_new_widgets():
        red = TeamBoard(store, "red", trainee="Li", lang="en", poll_seconds=4)
        red.tick()
        assert red.poll.timer.interval == 4  # no round open
        store.open_round(timer_minutes=10)
        red.tick()
        red.tick()
        assert red.poll.timer.interval == 4  # ten minutes left
        store.close_round()
        store.open_round(timer_minutes=0.5)
        red.tick()
        red.tick()
        assert red.poll.timer.interval == 1.0  # thirty seconds left
        store.close_round()
        red.tick()
        red.tick()
        assert red.poll.timer.interval == 4
        red.close()
