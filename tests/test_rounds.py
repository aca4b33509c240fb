"""Trainer controls in the workshop store (issue 7, points 1-4): rounds processed for every team at once
(late teams get the default decision), the timer closed by tick() exactly once across processes and
threads, refusals after a round's close or deadline in zh and en, a practice round that leaves no trace
once reset, market events stored with the round, hidden until they hit and played in the team's replay,
the leaderboard's weighted score, and the schema's upgrade from version 1 (issue 6's stores).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simfunnel.workshop import schema as schema_module
from simfunnel.workshop import store as store_module
from simfunnel.model.events import MarketEvent, apply_events
from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.model.simulate import Simulation
from simfunnel.model.actions import actions_for
from simfunnel.workshop.store import (
    DEFAULT_WEIGHTS,
    PRACTICE_RESET,
    MoveRefused,
    StoreError,
    WorkshopStore,
    play_demo,
)

from test_store import open_deals

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "workshop-v1"
# forkserver, not fork: forking a threaded test worker can hang a child on a lock another thread held
CTX = mp.get_context("forkserver") if hasattr(os, "fork") else None


def rounds_store(path, teams=("red", "blue", "green", "gold"), k=2, **kwargs) -> WorkshopStore:
    kwargs = {"seed": 31, "accounts": 80, "weeks_per_round": k, **kwargs}
    return WorkshopStore.init(path, teams=list(teams), **kwargs)


def plan(store: WorkshopStore, team: str, n: int, seed: int) -> dict[int, str]:
    """n seeded moves (deal → action that fits its stage) for the team's open week."""
    sim = store.simulation(team)
    deals = open_deals(sim)
    rng = np.random.default_rng(seed)
    out = {}
    for k in rng.choice(len(deals), n, replace=False):
        deal, stage = deals[k]
        fitting = actions_for(sim.funnel, stage)
        out[deal] = fitting[int(rng.integers(len(fitting)))].key
    return out


def record(store: WorkshopStore, team: str, moves: dict[int, str], trainee: str = "") -> None:
    week = store.open_week(team)
    for deal, action in moves.items():
        store.record_move(team, week, deal, action, trainee=trainee)


def plain(store: WorkshopStore, team: str, weeks: int, actions: dict[int, dict] | None = None) -> Simulation:
    """The team's simulation built by hand (world, seed, warm-up, actions by week) — no store involved."""
    sc = store.scenario(team)
    sim = Simulation(store.world(team), seed=sc["sim_seed"], **({"effects": store.effects(team)}
                                                                if store.effects(team) else {}))
    for _ in range(weeks):
        sim.step((actions or {}).get(sim.week + 1))
    return sim


def table(store: WorkshopStore, sim: Simulation) -> pd.DataFrame:
    sc = store.scenario(store.teams[0])
    return indicators(sim.history, sc["quota"], sc["threshold"], start_week=store.start_week)


def past(store: WorkshopStore) -> None:
    """Move the open round's deadline into the past (as if its minutes had run out)."""
    raw = sqlite3.connect(store.path)
    when = (datetime.now(timezone.utc) - timedelta(seconds=5)).isoformat(timespec="microseconds")
    raw.execute("UPDATE rounds SET deadline = ? WHERE status = 'open'", (when,))
    raw.commit()
    raw.close()


# --- rounds: processing, late teams, defaults ----------------------------------------------------------

def _week_replayed(store, team, week):
    """The acted deals' events of a closed ``week`` as the store's replay plays it again, with the customer's
    responses (the history keeps the moves only)."""
    sim = store.simulation(team)
    before = sim.replay(week - store.start_week + store.start_week - 1)
    return before.step(sim.actions_taken[week - 1]).query("action.notna()").reset_index(drop=True)

def test_a_round_is_processed_for_every_team_and_late_teams_get_the_default(tmp_path):
    store = rounds_store(tmp_path, k=3)
    assert store.rounds_mode and store.weeks_per_round == 3 and store.current_round() is None
    assert store.round_status().empty and store.rounds().empty
    r = store.open_round(by="Ms Zhou")
    assert (r["number"], r["kind"], r["first_week"], r["last_week"], r["status"], r["opened_by"]) == \
        (1, "scored", 14, 16, "open", "Ms Zhou")
    assert r["deadline"] is None and r["seconds_left"] is None and store.current_round()["id"] == r["id"]
    red, blue = plan(store, "red", 5, 1), plan(store, "blue", 3, 2)
    record(store, "red", red, trainee="Li")
    assert store.submit("red", "Li") is True and store.submit("red", "Wang") is False
    record(store, "blue", blue)                       # moves, never submitted: they count
    assert store.submit("green", "Zhao") is True      # submitted no move: continuation chosen
    status = store.round_status().set_index("team")  # gold: nothing at all
    assert status.loc["red", ["round", "submitted", "moves", "trainee", "is_default"]].tolist() == [1, True, 5, "Li",
                                                                                                    False]
    assert status.loc["blue", ["submitted", "moves"]].tolist() == [False, 3] and pd.isna(status.loc["blue",
                                                                                                   "submitted_at"])
    assert status.loc["gold", ["submitted", "moves", "is_default"]].tolist() == [False, 0, False]

    summary = store.close_round().set_index("team")
    assert store.current_round() is None and [store.week(t) for t in store.teams] == [16] * 4
    status = store.round_status().set_index("team")
    assert status.is_default.to_dict() == {"red": False, "blue": False, "green": False, "gold": True}
    assert status.submitted.to_dict() == {"red": True, "blue": False, "green": True, "gold": False}
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT team, trainee, is_default FROM submissions ORDER BY team").fetchall() == [
        ("gold", "", 1), ("green", "Zhao", 0), ("red", "Li", 0)]
    assert raw.execute("SELECT COUNT(*), MIN(week), MAX(week) FROM weeks WHERE closed_by = 'trainer'").fetchone() == \
        (12, 14, 16)
    assert raw.execute("SELECT DISTINCT round FROM moves").fetchall() == [(1,)]
    raw.close()
    rounds = store.rounds()
    assert rounds[["number", "kind", "status", "closed_by"]].values.tolist() == [[1, "scored", "closed", "trainer"]]
    assert rounds.closed_at.iloc[0] >= rounds.opened_at.iloc[0]

    # Each team's weeks: the first with its moves, the others without; a late team plays a plain replay.
    expected = {"red": {14: red}, "blue": {14: blue}, "green": {}, "gold": {}}
    for team, acts in expected.items():
        sim, by_hand = store.simulation(team), plain(store, team, 16, acts)
        assert sim.week == 16 and sim.actions_taken == by_hand.actions_taken
        assert sim.actions_taken[13:] == [acts.get(14, {}), {}, {}]
        pd.testing.assert_frame_equal(table(store, sim), table(store, by_hand), check_exact=True)
        t = table(store, by_hand)
        row = summary.loc[team]
        assert (row["round"], row["kind"], row["week"], row["moves"]) == (1, "scored", 16, len(acts.get(14, {})))
        assert row["booked"] == t.booked.iloc[3] and row["booked_round"] == t.booked.iloc[3] - t.booked.iloc[0]
        assert row["forecast"] == t.forecast.iloc[3]
    assert summary.is_default.to_dict() == status.is_default.to_dict()
    pd.testing.assert_frame_equal(store.round_summary(1).set_index("team"), summary, check_exact=True)
    pd.testing.assert_frame_equal(store.round_summary(), store.round_summary(1))

    # The next round: week 17 only, and the round before is final.
    r2 = store.open_round()
    assert (r2["number"], r2["first_week"], r2["last_week"]) == (2, 17, 19)
    deal = next(iter(plan(store, "gold", 1, 3)))
    with pytest.raises(MoveRefused, match="In round 2 moves go into week 17 \\(the round plays weeks 17–19\\), not week 14"):
        store.record_move("gold", 14, deal, "courtesy_call")
    store.record_move("gold", 17, deal, "courtesy_call")
    with pytest.raises(StoreError, match="Round 2 is still open \\(weeks 17–19\\)") as info:
        store.open_round()
    assert "第 2 回合还在进行中" in info.value.zh


def test_the_last_round_ends_with_the_period_and_no_round_follows(tmp_path):
    store = rounds_store(tmp_path, teams=["a"], k=5, accounts=30, period_weeks=7)
    assert [(store.open_round()["last_week"], store.close_round().week.iloc[0]) for _ in range(2)] == [(18, 18),
                                                                                                       (20, 20)]
    assert store.rounds().number.tolist() == [1, 2]
    with pytest.raises(StoreError, match="period ended at week 20: no more rounds"):
        store.open_round()


def test_moves_out_of_the_round_are_refused_in_zh_and_en(tmp_path):
    store = rounds_store(tmp_path, teams=["red", "blue"])
    deals = list(plan(store, "red", 3, 5).items())
    (deal, action), (other, other_action), (third, _) = deals
    with pytest.raises(MoveRefused) as info:
        store.record_move("red", 14, deal, action)
    assert info.value.en == "No round is open: wait for the trainer to open the next round."
    assert info.value.zh == "现在没有进行中的回合：请等讲师开始下一回合。"
    with pytest.raises(MoveRefused, match="No round is open"):
        store.submit("red")
    store.open_round(practice=True)
    with pytest.raises(MoveRefused) as info:
        store.record_move("red", 15, deal, action)
    assert info.value.en == "In the practice round moves go into week 14 (the round plays weeks 14–15), not week 15."
    assert "练习回合" in info.value.zh and "第 14 周" in info.value.zh
    store.record_move("red", 14, deal, action, trainee="Li")
    with pytest.raises(MoveRefused) as info:
        store.close_week("red", 14, trainee="Li")
    assert info.value.en.startswith("This workshop plays in rounds: the trainer closes each round")
    assert info.value.zh.startswith("本次工作坊按回合进行：讲师为所有组一起结束回合")
    store.submit("red", trainee="Li")
    for attempt in (lambda: store.record_move("red", 14, other, other_action),
                    lambda: store.withdraw("red", 14, deal, trainee="Li")):
        with pytest.raises(MoveRefused) as info:
            attempt()
        assert info.value.en == ("Team red has submitted its decisions for the practice round (Li submitted them): "
                                 "no more changes.")
        assert info.value.zh == "red 组已提交练习回合的决定（Li提交），不能再修改。"
    store.record_move("blue", 14, other, other_action)  # the other team plays on
    past(store)
    with pytest.raises(MoveRefused) as info:
        store.record_move("blue", 14, third, "courtesy_call")
    deadline = store.rounds().deadline.iloc[0].to_pydatetime().astimezone().strftime("%H:%M:%S")
    assert info.value.en == f"Time is up for the practice round (the deadline was {deadline}): no more moves."
    assert info.value.zh == f"练习回合的时间已到（截止时间 {deadline}），不能再行动。"
    with pytest.raises(MoveRefused, match="Time is up"):
        store.withdraw("blue", 14, other)
    with pytest.raises(MoveRefused, match="Time is up"):
        store.submit("blue")
    assert len(store.moves()) == 2
    assert store.tick() is True  # the timer's close
    with pytest.raises(MoveRefused, match="No round is open"):
        store.record_move("blue", 16, third, "courtesy_call")
    with pytest.raises(StoreError, match="No round is open to close"):
        store.close_round()


def test_free_play_stores_have_no_rounds_and_keep_issue_6s_rules(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["a", "b"], seed=3, accounts=30)
    assert not store.rounds_mode and store.weeks_per_round == 0 and store.config["weeks_per_round"] == 0
    assert store.tick() is False and store.current_round() is None
    for call in (store.open_round, store.close_round, store.reset_practice, store.round_status,
                 lambda: store.submit("a"), lambda: store.add_event("price_cut", round=1)):
        with pytest.raises(StoreError) as info:
            call()
        assert info.value.en == "This workshop plays free (it was created without weeks per round): it has no rounds."
        assert "没有回合" in info.value.zh
    deal, action = next(iter(plan(store, "a", 1, 1).items()))
    store.record_move("a", 14, deal, action)
    assert store.close_week("a", 14) and store.week("a") == 14 and store.moves()["round"].isna().all()
    with pytest.raises(StoreError, match="weeks_per_round \\(14\\) exceeds the period's 13 weeks"):
        WorkshopStore.init(tmp_path / "x", teams=1, weeks_per_round=14)


@pytest.mark.parametrize("minutes", [0, -1, float("nan"), 24 * 60 + 1, True, "5"])
def test_a_timer_must_be_some_minutes(tmp_path, minutes):
    store = rounds_store(tmp_path, teams=["a"], accounts=30)
    with pytest.raises(StoreError, match="timer_minutes must be a number of minutes above 0"):
        store.open_round(timer_minutes=minutes)
    assert store.rounds().empty


# --- the timer ---------------------------------------------------------------------------------------
def _ticker(path: str, barrier, results, threads: int) -> None:
    store = WorkshopStore.open(path)
    got: list[bool] = []
    errors: list[str] = []

    def tick() -> None:
        try:
            got.append(store.tick())
        except Exception as exc:  # every error reported
            errors.append(f"{type(exc).__name__}: {exc}")

    barrier.wait(30)
    pool = [threading.Thread(target=tick) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    results.put((got, errors))


@pytest.mark.skipif(CTX is None, reason="forks ticking processes (POSIX only)")
def test_tick_closes_an_expired_round_exactly_once_across_processes_and_threads(tmp_path):
    store = rounds_store(tmp_path, teams=["a", "b", "c"], k=3, accounts=40)
    r = store.open_round(timer_minutes=0.01)  # 0.6 s
    assert 0 < r["seconds_left"] <= 0.6 and store.tick() is False and store.current_round()["status"] == "open"
    deal, action = next(iter(plan(store, "a", 1, 4).items()))
    store.record_move("a", 14, deal, action)
    past(store)
    store.close()
    barrier, results = CTX.Barrier(4), CTX.Queue()
    procs = [CTX.Process(target=_ticker, args=(str(store.path), barrier, results, 3)) for _ in range(4)]
    for p in procs:
        p.start()
    reports = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0] * 4 and [e for _, errs in reports for e in errs] == []
    ticks = [t for got, _ in reports for t in got]
    assert len(ticks) == 12 and ticks.count(True) == 1

    again = WorkshopStore.open(tmp_path)
    rounds = again.rounds()
    assert rounds[["status", "closed_by"]].values.tolist() == [["closed", "timer"]]
    assert [again.week(t) for t in again.teams] == [16, 16, 16]
    raw = sqlite3.connect(again.path)
    assert raw.execute("SELECT COUNT(*), COUNT(DISTINCT team || week) FROM weeks WHERE closed_by = 'timer'"
                       ).fetchone() == (9, 9)
    assert raw.execute("SELECT team, is_default FROM submissions ORDER BY team").fetchall() == [("b", 1), ("c", 1)]
    raw.close()
    assert again.tick() is False and again.simulation("a").actions_taken[13] == {deal: action}


def test_a_real_timer_runs_out(tmp_path):
    import time

    store = rounds_store(tmp_path, teams=["a"], accounts=30)
    store.open_round(timer_minutes=0.005)  # 0.3 s
    time.sleep(0.35)
    store.tick()  # the timer's close (reading never closes a round)
    assert store.current_round() is None  # the timer closed it
    assert store.rounds().closed_by.tolist() == ["timer"] and store.week("a") == 15


def test_reads_leave_an_expired_round_as_it_is_and_tick_closes_it_once(tmp_path):
    """Reads do not write: current_round(), round_status(), status() and the other reads of a store whose timed
    round has run out change nothing (same file bytes, no commit, the round still open); tick() closes it, once."""
    store = rounds_store(tmp_path, teams=["a", "b"], accounts=30)
    opened = store.open_round(timer_minutes=5)
    record(store, "a", plan(store, "a", 2, 6))
    past(store)
    store.close()  # every connection closed: the WAL checkpointed into the file
    before = store.path.read_bytes()
    raw = sqlite3.connect(store.path)
    version = raw.execute("PRAGMA data_version").fetchone()[0]  # changes when another connection commits
    rounds_before = raw.execute("SELECT * FROM rounds").fetchall()

    reader = WorkshopStore.open(tmp_path)
    current = reader.current_round()
    assert (current["id"], current["status"], current["seconds_left"]) == (opened["id"], "open", 0.0)
    status = reader.round_status()
    assert status["round"].tolist() == [1, 1] and not status["is_default"].any()
    assert reader.status()["week"].tolist() == [13, 13]
    assert reader.rounds()["status"].tolist() == ["open"] and reader.submissions().empty
    assert reader.leaderboard()["week"].tolist() == [13, 13] and reader.events().empty
    assert len(reader.moves()) == 2 and reader.simulation("a").week == 13 and reader.world("b") is not None
    assert reader.current_round()["status"] == "open"  # asked again: still open
    reader.close()
    assert raw.execute("PRAGMA data_version").fetchone()[0] == version
    assert raw.execute("SELECT * FROM rounds").fetchall() == rounds_before
    assert store.path.read_bytes() == before

    ticker = WorkshopStore.open(tmp_path)
    assert ticker.tick() is True and ticker.tick() is False and WorkshopStore.open(tmp_path).tick() is False
    assert raw.execute("PRAGMA data_version").fetchone()[0] != version
    assert raw.execute("SELECT status, closed_by FROM rounds").fetchall() == [("closed", "timer")]
    assert ticker.current_round() is None and [ticker.week(t) for t in ticker.teams] == [15, 15]
    assert ticker.round_status().set_index("team")["is_default"].to_dict() == {"a": False, "b": True}
    raw.close()


def test_the_cli_ticks_before_it_shows_and_reads_on_when_the_store_cannot_be_written(tmp_path, capsys,
                                                                                       monkeypatch):
    from simfunnel.cli import main

    store = rounds_store(tmp_path, teams=["a", "b"], accounts=30)
    store.open_round(timer_minutes=5)
    past(store)

    def cannot_write(self):
        raise StoreError(f"{self.path}: attempt to write a readonly database")

    monkeypatch.setattr(WorkshopStore, "tick", cannot_write)  # a read-only copy of the store
    for command in (["status"], ["round", "status"], ["leaderboard"]):
        assert main(["workshop", *command, "--dir", str(tmp_path)]) == 0, command
    out = capsys.readouterr().out
    assert out.count("open: round 1: weeks 14-15, open") == 2 and store.rounds().status.tolist() == ["open"]
    monkeypatch.undo()
    assert main(["workshop", "round", "status", "--dir", str(tmp_path)]) == 0
    assert "no round open; the last one: round 1: weeks 14-15, closed" in capsys.readouterr().out
    assert store.rounds()[["status", "closed_by"]].values.tolist() == [["closed", "timer"]]


# --- the practice round ---------------------------------------------------------------------------
def play_rounds(store: WorkshopStore, rounds: int, seed: int, classify: bool = True) -> None:
    """Scored rounds with seeded moves for every team (some classified), closed by the trainer."""
    from simfunnel.model.history import OUTCOMES

    for r in range(rounds):
        store.open_round()
        for i, team in enumerate(store.teams):
            moves = plan(store, team, 2 + i, seed + 10 * r + i)
            record(store, team, moves, trainee=f"{team}-trainee")
            if classify:
                for j, deal in enumerate(moves):
                    store.classify(team, store.open_week(team), deal, OUTCOMES[(j + i) % 4])
        store.close_round()


def test_a_practice_round_reset_leaves_no_trace_in_the_scores(tmp_path):
    twin = rounds_store(tmp_path / "never", teams=["red", "blue", "green"])
    store = rounds_store(tmp_path / "practised", teams=["red", "blue", "green"])
    store.open_round(practice=True, timer_minutes=30)
    for i, team in enumerate(store.teams):
        moves = plan(store, team, 4, 100 + i)
        record(store, team, moves, trainee="practice")
        store.classify(team, 14, next(iter(moves)), "advance")
    store.submit("red")
    practice = store.close_round()
    assert practice.kind.tolist() == ["practice"] * 3 and practice["round"].tolist() == [0, 0, 0]
    assert [store.week(t) for t in store.teams] == [15] * 3
    assert store.leaderboard().moves.tolist() == [4, 4, 4]
    assert store.reset_practice(by="Ms Zhou") == 12
    assert [store.week(t) for t in store.teams] == [13] * 3
    with pytest.raises(StoreError, match="There is no practice round to reset"):
        store.reset_practice()
    for s in (store, twin):
        play_rounds(s, 3, seed=7)
    board, twin_board = store.leaderboard(), twin.leaderboard()
    assert board.weeks_played.tolist() == [6, 6, 6] and board.quiz_answered.tolist() == [6, 9, 12]
    pd.testing.assert_frame_equal(board, twin_board, check_exact=True)
    same = ["team", "week", "round", "deal_id", "action", "outcome", "from_stage", "to_stage", "trainee", "draw",
            "answer", "correct", "withdrawn"]
    moves = store.moves()
    practised = moves[moves.withdrawn_by == PRACTICE_RESET]
    assert len(practised) == 12 and practised.withdrawn.all() and (practised["round"] == 0).all()
    pd.testing.assert_frame_equal(moves[~moves.withdrawn][same].reset_index(drop=True), twin.moves()[same],
                                  check_exact=True)
    rounds = store.rounds()
    assert rounds[["number", "kind", "status"]].values.tolist() == [[0, "practice", "reset"], [1, "scored", "closed"],
                                                                    [2, "scored", "closed"], [3, "scored", "closed"]]
    assert rounds.reset_by.iloc[0] == "Ms Zhou" and pd.notna(rounds.reset_at.iloc[0])
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT COUNT(*) FROM submissions WHERE round = 0").fetchone() == (0,)
    raw.close()
    for team in store.teams:  # and every replay: as if the practice never happened
        pd.testing.assert_frame_equal(table(store, store.simulation(team)), table(twin, twin.simulation(team)),
                                      check_exact=True)


def test_opening_a_round_resets_a_practice_round_left_behind(tmp_path):
    store = rounds_store(tmp_path, teams=["a", "b"], accounts=40)
    sims = {t: store.simulation(t) for t in store.teams}  # the store's own copies are cached too
    store.leaderboard()
    store.open_round(practice=True)
    record(store, "a", plan(store, "a", 3, 1))
    store.close_round()
    assert store.leaderboard().week.tolist() == [15, 15]
    r = store.open_round()  # no reset asked: the practice is undone first
    assert (r["number"], r["first_week"]) == (1, 14)
    assert store.rounds().status.tolist() == ["reset", "open"] and store.leaderboard().moves.tolist() == [0, 0]
    store.close_round()
    for team, sim in sims.items():  # the cache of the practice weeks was not reused
        for _ in range(2):
            sim.step()
        pd.testing.assert_frame_equal(table(store, store.simulation(team)), table(store, sim), check_exact=True)
    assert store.leaderboard().week.tolist() == [15, 15]
    # an open practice round is reset as it is; a new practice round starts over
    store.open_round(practice=True)
    record(store, "b", plan(store, "b", 2, 2))
    assert store.reset_practice() == 2 and store.week("b") == 15 and store.current_round() is None
    store.open_round(practice=True)
    store.close_round()
    assert store.open_round(practice=True)["first_week"] == 16
    assert store.rounds().status.tolist() == ["reset", "closed", "reset", "reset", "open"]


# --- market events ---------------------------------------------------------------------------------
def test_events_are_stored_hidden_until_they_hit_and_played_from_their_week(tmp_path):
    store = rounds_store(tmp_path, teams=["hit", "calm"], same_world=True, seed=2026, accounts=200)
    with pytest.raises(StoreError, match="unknown market event 'bribe'; the catalogue: price_cut"):
        store.add_event("bribe")
    with pytest.raises(StoreError, match="market event price_cut: price_cut: parameter 'advance' must be between"):
        store.add_event("price_cut", advance=2)
    with pytest.raises(StoreError, match="No team named 'nobody'"):
        store.add_event("price_cut", team="nobody")

    def same_moves(n: int, seed: int) -> None:  # both teams: the same deals, the same actions
        moves = plan(store, "hit", n, seed)
        for t in store.teams:
            record(store, t, moves)

    store.open_round()
    same_moves(4, 3)
    store.close_round()
    store.open_round()
    same_moves(3, 9)
    with pytest.raises(StoreError, match="round 2 \\(week 16\\) has been played or is in the open round; events hit "
                                         "coming weeks only, from week 18"):
        store.add_event("price_cut", round=2)
    with pytest.raises(StoreError, match="week 30 is after the workshop's last week \\(26\\)"):
        store.add_event("market_up", week=30)
    first = store.add_event("price_cut", team="hit", by="Ms Zhou")  # the next round: 3, week 18
    tender = store.add_event("large_tender", team="hit", round=4, amount="2,500,000")
    # "hit" is the store with the events, "calm" the same store without: same world, same luck, same moves
    events = store.events()
    assert events[["id", "kind", "team", "week", "round", "hit"]].values.tolist() == [
        [first, "price_cut", "hit", 18, 3, False], [tender, "large_tender", "hit", 20, 4, False]]
    assert events.params.tolist() == [{}, {"amount": 2_500_000.0}] and events.created_by.tolist() == ["Ms Zhou",
                                                                                                      "trainer"]
    assert events.seed.tolist() == [int(np.random.SeedSequence([2026, i]).generate_state(1)[0])
                                    for i in (first, tender)]
    assert events.text.iloc[0].startswith("Week 18, team hit: Competitor's price cut")
    assert store.events("calm").empty and store.events("hit", hidden=False).empty
    assert store.events(lang="zh").text.iloc[1].startswith("第 20 周（小组 hit）：大型招标项目出现")
    assert len(store.world("hit").deals) == len(store.world("calm").deals) + 1
    assert [e.first_week for e in store.effects("hit")] == [18] and store.effects("calm") == ()

    store.close_round()
    assert store.events("hit", hidden=False).empty  # week 17: nothing has hit yet
    store.open_round()
    same_moves(2, 11)
    store.close_round()                               # weeks 18-19: the price cut hit
    assert store.events("hit", hidden=False).kind.tolist() == ["price_cut"]
    assert store.events(hidden=False).kind.tolist() == ["price_cut"]
    store.open_round()
    store.close_round()                               # weeks 20-21: the tender too
    assert store.events("hit", hidden=False).kind.tolist() == ["price_cut", "large_tender"]

    hit, calm = store.simulation("hit"), store.simulation("calm")
    assert hit.actions_taken == calm.actions_taken and hit.week == 21
    n = len(calm.world.deals)
    for w in range(22):  # identical up to week 17, different from the event week on
        same = np.array_equal(hit.stage_codes(w)[:n], calm.stage_codes(w))
        assert same == (w < 18), w
    th, tc = table(store, hit), table(store, calm)
    looking_ahead = ["forecast_error", "censored"]  # what the deals bring later: the event's weeks included
    pd.testing.assert_frame_equal(th.iloc[:5].drop(columns=looking_ahead), tc.iloc[:5].drop(columns=looking_ahead),
                                  check_exact=True)  # weeks 13-17
    assert (th.forecast.iloc[5:] != tc.forecast.iloc[5:]).any()
    tender_deal = hit.world.deals.iloc[-1]
    assert tender_deal.amount == 2_500_000 and tender_deal.created_week == 20
    # The replay is the events' own simulation, and survives reopening the store.
    events_hit = [MarketEvent(r.kind, r.week, r.team, r.params, r.seed) for r in store.events("hit").itertuples()]
    world, effects = apply_events(store.world("calm"), events_hit)
    by_hand = Simulation(world, seed=store.scenario("hit")["sim_seed"], effects=effects)
    for acts in hit.actions_taken:
        by_hand.step(acts)
    pd.testing.assert_frame_equal(table(store, by_hand), th, check_exact=True)
    again = WorkshopStore.open(tmp_path)
    pd.testing.assert_frame_equal(table(again, again.simulation("hit")), th, check_exact=True)
    board = again.leaderboard().set_index("team")
    assert board.loc["hit", "booked"] == th.booked.iloc[-1] and board.loc["calm", "booked"] == tc.booked.iloc[-1]


def test_free_play_events_never_hit_the_week_being_played(tmp_path):
    """Free play: the open week is in play (its moves are committed with the outcomes trainees saw), so an
    event hits the week after the most advanced team's open week at the earliest; the moves replay as stored."""
    store = WorkshopStore.init(tmp_path, teams=["a", "b"], seed=3, accounts=120)
    sim = store.simulation("a")
    d = sim.history.deals
    at_eval = d[(d.status.astype(str) == "open") & (d.stage.astype(str) == "evaluation")]
    assert len(at_eval) >= 5
    for deal, stage in zip(at_eval.deal_id, at_eval.stage.astype(str)):
        action = next(a.key for a in actions_for(sim.funnel, stage) if a.kind == "advance")
        store.record_move("a", 14, int(deal), action)
    store.close_week("b", 14)  # b is ahead: its open week is 15
    for kwargs, week in (({"team": "a", "week": 14}, 14), ({"week": 14}, 14), ({"week": 15}, 15),
                         ({"team": "b", "week": 15}, 15)):
        with pytest.raises(StoreError, match=f"market event price_cut: week {week} has been played or is the open "
                                             "week"):
            store.add_event("price_cut", advance=0.0, **kwargs)
    assert store.events().empty
    event = store.add_event("price_cut", team="a", advance=0.0)  # default: a's next week
    later = store.add_event("market_up")                         # every team: after b's open week
    assert store.events().week.tolist() == [15, 16]
    store.close_week("a", 14)
    replayed = _week_replayed(store, "a", 14)
    stored = store.moves("a").set_index("deal_id")
    assert len(replayed) == len(at_eval)
    assert [stored.outcome[d] for d in replayed.deal_id] == replayed.response.tolist()  # what the trainees saw
    assert [stored.to_stage[d] for d in replayed.deal_id] == replayed.to_stage.astype(str).tolist()
    assert store.replay_key("a") == (0, (event, later))


def test_a_move_previewed_before_a_reset_and_a_new_event_is_refused_not_stored_with_a_stale_outcome(tmp_path,
                                                                                                      monkeypatch):
    """The race: a trainee's move is previewed in the practice round; before it is written the trainer resets
    the practice, schedules an event for week 14 and opens round 1 (week 14 again). The move must not be
    stored with the outcome of the world without the event."""
    store = rounds_store(tmp_path, teams=["a", "b"], seed=3, accounts=120, k=2)
    trainer = WorkshopStore.open(tmp_path)
    store.open_round(practice=True)
    sim = store.simulation("a")
    d = sim.history.deals
    deal = int(d[(d.status.astype(str) == "open") & (d.stage.astype(str) == "evaluation")].deal_id.iloc[2])
    action = next(a.key for a in actions_for(sim.funnel, "evaluation") if a.kind == "advance")
    real_preview = Simulation.preview
    raced = []

    def preview_then_trainer_acts(self, *args, **kwargs):
        out = real_preview(self, *args, **kwargs)
        if not raced:
            raced.append(1)
            trainer.reset_practice()
            trainer.add_event("price_cut", week=14, advance=0.0, loss=3.0)
            trainer.open_round()
        return out

    monkeypatch.setattr(Simulation, "preview", preview_then_trainer_acts)
    with pytest.raises(MoveRefused) as info:
        store.record_move("a", 14, deal, action)
    assert "the workshop changed" in info.value.en and "重新行动" in info.value.zh
    monkeypatch.undo()
    assert store.moves("a").empty
    store.record_move("a", 14, deal, action)  # tried again: previewed in the world with the event
    assert store.moves("a").outcome.tolist() == ["no_sale"]  # (the stale preview said 'advance')
    # an event for a later round, scheduled during a preview, cannot change this week: the move is stored
    other = int(d[(d.status.astype(str) == "open") & (d.stage.astype(str) == "evaluation")].deal_id.iloc[4])

    def preview_then_event_for_round_2(self, *args, **kwargs):
        out = real_preview(self, *args, **kwargs)
        if len(raced) == 1:
            raced.append(2)
            trainer.add_event("market_down", round=2)
        return out

    monkeypatch.setattr(Simulation, "preview", preview_then_event_for_round_2)
    store.record_move("a", 14, other, action)
    monkeypatch.undo()
    assert raced == [1, 2] and len(store.moves("a")) == 2
    store.close_round()
    replayed = _week_replayed(store, "a", 14)
    assert replayed.response.tolist() == store.moves("a").outcome.tolist()


def test_events_during_a_practice_round_wait_for_its_reset(tmp_path):
    store = rounds_store(tmp_path, teams=["a", "b"], accounts=40, k=3)
    store.open_round(practice=True)
    with pytest.raises(StoreError, match="the practice round is still in play: reset it"):
        store.add_event("market_down")
    with pytest.raises(StoreError, match="round 1 \\(week 14\\) has been played or is in the open round.*reset the "
                                         "practice round"):
        store.add_event("market_down", round=1)
    assert store.add_event("market_down", round=2) > 0  # after the practice's weeks: allowed
    store.reset_practice()
    assert store.add_event("market_up", team="b") and store.events().week.tolist() == [17, 14]
    with pytest.raises(StoreError, match="give the event's round or its week, not both"):
        store.add_event("market_up", round=2, week=17)


# --- scoring -----------------------------------------------------------------------------------------
def test_weights_are_validated_and_the_score_is_the_documented_mix(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=4, seed=12, accounts=60)
    assert store.weights == DEFAULT_WEIGHTS == {"booked": 3.0, "forecast_accuracy": 2.0,
                                                "progress_vs_benchmark": 2.0, "quiz_score": 2.0,
                                                "records_entered": 1.0}
    for bad, message in (({"revenue": 1}, "unknown score weight 'revenue'; the weights are: booked"),
                         ({"booked": -1}, "score weight booked must be a number ≥ 0, got -1"),
                         ({"booked": float("nan")}, "must be a number ≥ 0"),
                         ({"booked": True}, "must be a number ≥ 0"),
                         ({"booked": "3"}, "must be a number ≥ 0"),
                         ({k: 0 for k in DEFAULT_WEIGHTS}, "must not all be 0")):
        with pytest.raises(StoreError, match=message):
            store.set_weights(**bad)
        assert store.weights == DEFAULT_WEIGHTS
    assert store.set_weights(booked=5, records_entered=0) == {**DEFAULT_WEIGHTS, "booked": 5.0,
                                                              "records_entered": 0.0}
    assert WorkshopStore.open(tmp_path).weights["booked"] == 5.0  # stored, for every process
    play_demo(store, weeks=3, seed=4, moves_per_week=[8, 2, 5, 0], skill=[0.9, 0.4, 0.7, 0.5])
    store.set_weights(quiz_score=1.5, records_entered=0.5)
    board = store.leaderboard()
    w = store.weights
    moves = store.moves()
    by_hand = []
    for _, row in board.iterrows():  # each part on its absolute scale (scoring.score_parts), never across teams
        mine = moves[(moves.team == row.team) & ~moves.withdrawn]
        to_date = store.scenario(row.team)["quota"] * row.weeks_played / 13  # the quota of the weeks played
        parts = {"booked": min(max(row.booked / to_date, 0.0), 1.5) / 1.5,
                 "forecast_accuracy": row.forecast_accuracy,
                 "progress_vs_benchmark": min(max(row.progress_vs_benchmark, 0.0), 1.5) / 1.5,
                 "quiz_score": int((mine.correct == True).sum()) / len(mine) if len(mine) else 0.0,  # noqa: E712
                 "records_entered": 1 - row.records_entered / records_entered(
                     store.simulation(row.team).history, 0, start_week=13)}
        by_hand.append(100 * sum(w[k] * x for k, x in parts.items()) / sum(w.values()))
    assert np.allclose(board.score, by_hand, rtol=0, atol=1e-9) and board.score.between(0, 100).all()
    assert board.quiz_score.isna().tolist() == [False, False, False, True]  # team4 made no move: its quiz counts 0
    order = sorted(range(4), key=lambda i: -by_hand[i])
    assert [board["rank"].iloc[i] for i in order] == [1, 2, 3, 4]
    # ties share the better rank
    best = int(board["rank"].to_numpy().argmin())
    tied = store_module.scores(pd.concat([board, board.iloc[[best]]], ignore_index=True), w)
    assert tied["rank"].iloc[best] == tied["rank"].iloc[4] == 1 and sorted(tied["rank"]) == [1, 1, 3, 4, 5]


# --- the schema's upgrade --------------------------------------------------------------------------
def _schema(path: Path) -> list:
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
                       ).fetchall()
    raw.close()
    return rows


def test_a_version_1_store_is_upgraded_in_one_transaction(tmp_path, monkeypatch):
    path = tmp_path / "old" / "workshop.sqlite"
    path.parent.mkdir()
    shutil.copy(FIXTURE / "workshop.sqlite", path)  # written by issue 6's code (tests/fixtures/workshop-v1/make.py)
    expected = json.loads((FIXTURE / "expected.json").read_text())
    assert dict(_raw_meta(path))["schema_version"] == "1" and "rounds" not in {n for _, n, _ in _schema(path)}

    # A failing upgrade changes nothing: one transaction.
    monkeypatch.setitem(schema_module.MIGRATIONS, 1, schema_module.MIGRATIONS[1] + ("CREATE TABLE teams (x)",))
    with pytest.raises(StoreError, match="table teams already exists"):
        WorkshopStore.open(path)
    assert dict(_raw_meta(path))["schema_version"] == "1" and "rounds" not in {n for _, n, _ in _schema(path)}
    monkeypatch.undo()

    store = WorkshopStore.open(path)
    meta = dict(_raw_meta(path))
    assert meta["schema_version"] == str(schema_module.SCHEMA_VERSION) and json.loads(meta["config"])["weeks_per_round"] == 0
    assert json.loads(meta["score_weights"]) == DEFAULT_WEIGHTS and store.weights == DEFAULT_WEIGHTS
    assert not store.rounds_mode and store.rounds().empty and store.events().empty
    fresh = WorkshopStore.init(tmp_path / "new", teams=1, accounts=30)
    assert _schema(path) == _schema(fresh.path)  # upgraded = created today
    moves = store.moves()
    assert moves["round"].isna().all() and len(moves) == 20 and moves.withdrawn.sum() == 5
    for team, want in expected.items():
        sc = store.scenario(team)
        t = indicators(store.simulation(team).history, sc["quota"], sc["threshold"], start_week=13)
        assert store.week(team) == want["week"] and int((~moves[moves.team == team].withdrawn).sum()) == want["moves"]
        assert t.forecast.round(6).tolist() == want["forecast"] and t.booked.round(6).tolist() == want["booked"]
    # and it plays on: the board gained its score
    deal, action = next(iter(plan(store, "blue", 1, 8).items()))
    store.record_move("blue", 16, deal, action)
    assert store.close_week("blue", 16) and store.leaderboard()["rank"].tolist() in ([1, 2], [2, 1], [1, 1])


def _raw_meta(path: Path) -> list:
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT key, value FROM meta").fetchall()
    raw.close()
    return rows


def test_submissions_and_the_replay_key_record_what_happened(tmp_path):
    store = rounds_store(tmp_path, teams=["a", "b"], accounts=40)
    key = store.replay_key("a")
    assert key == (0, ()) and store.submissions().empty
    store.open_round(practice=True)
    store.submit("a", "Li")
    store.close_round()
    subs = store.submissions()
    assert subs[["team", "round", "trainee", "is_default"]].values.tolist() == [["a", 0, "Li", False],
                                                                                 ["b", 0, "", True]]
    assert subs.submitted_at.is_monotonic_increasing and str(subs.submitted_at.dtype) == "datetime64[us, UTC]"
    assert store.replay_key("a") == key  # weeks closing leave it alone
    store.reset_practice()
    assert store.replay_key("a") == (1, ()) and store.submissions().empty
    event = store.add_event("market_down", team="b")
    assert store.replay_key("a") == (1, ()) and store.replay_key("b") == (1, (event,))
