"""The debrief: timelines, indicators round by round, what-if branches with common random numbers, the handout."""

import base64
import re
import struct
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from simfunnel.workshop import debrief  # noqa: E402
from simfunnel.workshop import handout  # noqa: E402
from simfunnel import plots
from simfunnel.workshop.debrief import KNOWN_THEN, branch, report, round_indicators, timeline  # noqa: E402
from simfunnel.analysis.metrics import indicators, records_entered  # noqa: E402
from simfunnel.model.replies import OUTCOME_LABELS  # noqa: E402
from simfunnel.model.actions import ACTIONS_BY_KEY, actions_for  # noqa: E402
from simfunnel.workshop.store import StoreError, WorkshopStore, play_demo  # noqa: E402
from simfunnel.workshop.scoring import score_formula  # noqa: E402

from chart_checks import assert_language, render_clean  # noqa: E402

TEAMS = ["red", "blue", "green"]


def _open_deals(store, team):
    sim = store.simulation(team)
    deals = sim.history.deals
    return sim, deals[deals["status"].astype(str) == "open"].sort_values("amount", ascending=False)


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """Free play: three teams, four weeks of stand-in moves; red withdraws a move in week 18, green plays a fifth
    week without moves; red's trainees call themselves by name."""
    store = WorkshopStore.init(tmp_path_factory.mktemp("w"), teams=TEAMS, seed=2026, accounts=80)
    play_demo(store, weeks=4, seed=1)
    sim, open_deals = _open_deals(store, "red")
    week = store.open_week("red")
    first, second = (int(d) for d in open_deals["deal_id"].iloc[:2])
    stage = str(open_deals["stage"].iloc[0])
    store.record_move("red", week, first, actions_for(sim.funnel, stage)[0].key, trainee="李雷")
    store.withdraw("red", week, first, trainee="李雷")
    store.record_move("red", week, second, "send_brochure", trainee="韩梅梅")
    store.close_week("red", week, trainee="韩梅梅")
    store.close_week("green", store.open_week("green"))
    return store


def _changeable_move(store, team, after=0):
    """The first live move after round ``after`` whose in-funnel deal moved a stage that week and would not have
    moved after a courtesy call instead (a relationship action leaves the week's chances as they were but for a
    rare commitment: most such moves qualify); ``.round`` is its round (free play: week − start_week)."""
    moves = store.moves(team)
    amounts = store.world(team).deals.set_index("deal_id")["amount"]
    live = moves[~moves["withdrawn"] & (moves["week"] > store.start_week + after)
                 & (moves["to_stage"] != moves["from_stage"]) & (moves["to_stage"] != "lost")]
    live = live[(amounts.reindex(live["deal_id"]).to_numpy() >= store.config["threshold"])]
    sim = store.simulation(team)
    for _, move in live.iterrows():
        before = sim.replay(int(move["week"]) - 1)
        instead = before.preview({int(move["deal_id"]): "courtesy_call"})
        if str(instead["to_stage"].iloc[0]) == str(move["from_stage"]):
            move = move.copy()
            move["round"] = int(move["week"]) - store.start_week
            return move
    raise AssertionError("the fixture needs a move on an in-funnel deal that only its action advanced")


# --- what-if branches ------------------------------------------------------------------------------
def test_unchanged_branch_reproduces_the_original_exactly(played):
    for team in TEAMS:
        s = played.start_week
        quota = played.scenario(team)["quota"]
        sim = played.simulation(team)
        expected = indicators(sim.history, quota, played.config["threshold"], start_week=s, period_weeks=13)
        for r in debrief.rounds(played, team)["round"]:
            b = branch(played, team, int(r))
            pd.testing.assert_frame_equal(b.original, expected, check_exact=True)
            pd.testing.assert_frame_equal(b.branched, b.original, check_exact=True)  # to the cent, every column
            pd.testing.assert_frame_equal(b.branched_history.events, b.original_history.events, check_exact=True)
            pd.testing.assert_frame_equal(b.branched_history.deals, b.original_history.deals, check_exact=True)
            assert b.skipped.empty and b.changes == {}
            assert (b.summary()["difference"] == 0).all()
            assert (b.difference().filter(like="_difference").fillna(0) == 0).all().all()
    board = played.leaderboard().set_index("team")
    for team in TEAMS:  # the branch's measures are the leaderboard's, to the last bit
        summary = branch(played, team, 1).summary().set_index("metric")["original"]
        for metric in ("booked", "forecast_accuracy", "progress_vs_benchmark", "records_entered"):
            assert summary[metric] == board.loc[team, metric], (team, metric)
    # the same decision given as a "change" is no change either
    move = _changeable_move(played, "green")
    same = branch(played, "green", move["round"], {int(move.deal_id): move.action})
    pd.testing.assert_frame_equal(same.branched, same.original, check_exact=True)


def test_changed_branch_equals_the_original_before_the_change_and_differs_after(played):
    s = played.start_week
    move = _changeable_move(played, "green", after=1)
    deal = int(move.deal_id)
    b = branch(played, "green", move["round"], {deal: "courtesy_call"})
    assert b.change_week == move.week > s + 1 and b.previous == {deal: move.action}
    before = b.original["week"] < b.change_week
    pd.testing.assert_frame_equal(b.branched.loc[before, KNOWN_THEN], b.original.loc[before, KNOWN_THEN],
                                  check_exact=True)
    at = b.original["week"] == b.change_week
    # the deal advanced in the original, not with the courtesy call: the week's forecast differs
    assert b.branched.loc[at, "forecast"].item() != b.original.loc[at, "forecast"].item()
    diff = b.difference().set_index("week")
    assert (diff.loc[: b.change_week - 1, "forecast_difference"] == 0).all()
    assert diff.loc[b.change_week, "forecast_difference"] != 0
    ev = b.branched_history.events
    mine = ev[(ev["deal_id"] == deal) & (ev["week"] == b.change_week)]
    assert mine["action"].tolist() == ["courtesy_call"] and mine["outcome"].item() in ("continuation", "no_sale")
    assert "→" in b.describe("en") and ACTIONS_BY_KEY["courtesy_call"].zh in b.describe("zh")


def test_a_change_touches_only_its_deal(played):
    s = played.start_week
    for team in ("green",):  # blue's moves all moved their deals without needing the action
        move = _changeable_move(played, team)
        deal, week = int(move.deal_id), int(move.week)
        b = branch(played, team, move["round"], {deal: "courtesy_call"})
        a_ev, b_ev = b.original_history.events, b.branched_history.events
        others = [ev[ev["deal_id"] != deal].reset_index(drop=True) for ev in (a_ev, b_ev)]
        pd.testing.assert_frame_equal(*others, check_exact=True)  # every other deal moved exactly as it did
        early = [ev[(ev["deal_id"] == deal) & (ev["week"] < week)].reset_index(drop=True) for ev in (a_ev, b_ev)]
        pd.testing.assert_frame_equal(*early, check_exact=True)
        assert not a_ev[a_ev["deal_id"] == deal].equals(b_ev[b_ev["deal_id"] == deal])
        # and the stages week by week: only the changed deal's column differs
        pos = int(np.flatnonzero(played.world(team).deals["deal_id"].to_numpy() == deal)[0])
        sim_a, sim_b = played.simulation(team), None
        for w in range(s, sim_a.week + 1):
            snap_a = b.original_history.snapshots_between(w, w)
            snap_b = b.branched_history.snapshots_between(w, w)
            keep_a, keep_b = snap_a["deal_id"] != deal, snap_b["deal_id"] != deal
            pd.testing.assert_frame_equal(snap_a[keep_a].reset_index(drop=True), snap_b[keep_b].reset_index(drop=True))
        assert pos >= 0 and sim_b is None


def test_people_layer_a_change_reaches_only_its_account(tmp_path):
    """With people on, a meeting changes the odds of the account's other deals: deals of other accounts move
    exactly as they did; an unchanged branch is still the original to the cent."""
    from simfunnel.model.actions import MEETS

    store = WorkshopStore.init(tmp_path, teams=["red"], seed=11, accounts=60, people=True)
    play_demo(store, weeks=3, seed=2, moves_per_week=[6])
    s = store.start_week
    for r in (1, 2, 3):
        b = branch(store, "red", r)
        pd.testing.assert_frame_equal(b.branched, b.original, check_exact=True)
        pd.testing.assert_frame_equal(b.branched_history.events, b.original_history.events, check_exact=True)
    moves = store.moves("red")
    meetings = moves[moves["action"].isin(list(MEETS)) & (moves["week"] < s + 3)]
    assert len(meetings), "the fixture needs a meeting before the last week"
    accounts = store.world("red").deals.set_index("deal_id")["account_id"]
    for m in meetings.itertuples():
        b = branch(store, "red", int(m.week) - s, {int(m.deal_id): None})
        account = accounts[m.deal_id]
        elsewhere = [ev[(accounts.reindex(ev["deal_id"]).to_numpy() != account)].reset_index(drop=True)
                     for ev in (b.original_history.events, b.branched_history.events)]
        pd.testing.assert_frame_equal(*elsewhere, check_exact=True)
        mine = b.branched_history.events
        assert not ((mine["deal_id"] == m.deal_id) & (mine["week"] == m.week) & mine["action"].notna()).any()


def test_later_moves_that_no_longer_fit_are_listed_not_dropped(played):
    """Change each move that has a later move on the same deal to a courtesy call: whenever the deal is closed or at
    a stage the later action does not fit in the branch, that later move is listed in ``skipped`` (never dropped
    silently); every other move of the team is replayed."""
    s = played.start_week
    seen_skipped = 0
    for team in TEAMS:
        moves = played.moves(team)
        moves = moves[~moves["withdrawn"]]
        again = moves[moves.duplicated("deal_id", keep="last")]  # a later move on the same deal follows
        for m in again.itertuples():
            b = branch(played, team, int(m.week) - s, {int(m.deal_id): "courtesy_call"})
            later = moves[(moves["deal_id"] == m.deal_id) & (moves["week"] > m.week)]
            stage = {w: b.branched_history.snapshots_between(w - 1, w - 1).set_index("deal_id")["stage"].astype(str)
                     for w in later["week"]}
            funnel = b.branched_history.funnel
            expected = [(int(x.week), int(x.deal_id)) for x in later.itertuples()
                        if stage[x.week][x.deal_id] not in funnel.keys
                        or x.action not in {a.key for a in actions_for(funnel, stage[x.week][x.deal_id])}]
            assert list(zip(b.skipped["week"], b.skipped["deal_id"])) == expected
            assert set(b.skipped["reason"]) <= {"why_closed", "why_stage"}
            acted = b.branched_history.events.dropna(subset=["action"])
            replayed = {(int(w), int(d)) for w, d in zip(acted["week"], acted["deal_id"])}
            made = {(int(w), int(d)) for w, d in zip(moves["week"], moves["deal_id"])} - set(expected)
            assert replayed == made  # every move the branch could make, it made (the changed one included)
            seen_skipped += len(expected)
    assert seen_skipped > 0, "no change made a later move impossible: pick another fixture"


def test_threshold_branch_recomputes_from_the_change_week(played):
    s = played.start_week
    T, new = played.config["threshold"], 20_000.0
    b = branch(played, "blue", 2, threshold=new)
    cw = b.change_week
    pd.testing.assert_frame_equal(b.branched_history.events, b.original_history.events, check_exact=True)
    quota = played.scenario("blue")["quota"]
    other = indicators(b.original_history, quota, new, start_week=s, period_weeks=13)
    before = b.branched["week"] < cw
    pd.testing.assert_frame_equal(b.branched[before], b.original[before], check_exact=True)
    pd.testing.assert_frame_equal(b.branched[~before].reset_index(drop=True),
                                  other[other["week"] >= cw].reset_index(drop=True), check_exact=True)
    # records entered: with T before the change week, with the new threshold from it on (counted by hand)
    deals, ev = b.original_history.deals.set_index("deal_id"), b.original_history.events

    def by_hand(threshold, lo, hi):
        big = deals["amount"] >= threshold
        created = deals["created_week"].between(lo, hi) & big
        events = ev[ev["week"].between(lo, hi)]
        return int(created.sum()) + int(big.reindex(events["deal_id"]).to_numpy().sum())

    expected = by_hand(T, s + 1, cw - 1) + by_hand(new, cw, s + 13)
    summary = b.summary().set_index("metric")
    assert summary.loc["records_entered", "branched"] == expected
    assert summary.loc["records_entered", "original"] == records_entered(b.original_history, T, s, 13)
    assert expected > summary.loc["records_entered", "original"]  # a lower threshold: more to enter
    assert "¥20,000" in b.describe("en") and "门槛" in b.describe("zh")


def test_branch_refuses_bad_changes_with_clear_errors(played):
    s = played.start_week
    moves = played.moves("blue")
    in_round = moves[(moves["week"] == s + 1) & ~moves["withdrawn"]]
    deal = int(in_round["deal_id"].iloc[0])
    sim = played.simulation("blue").replay(s)
    stages = sim.history.deals.set_index("deal_id")["stage"].astype(str)
    untouched = next(int(d) for d, st in stages.items() if st in sim.funnel.keys and d not in set(in_round.deal_id))
    with pytest.raises(ValueError, match="not a round this team has played"):
        branch(played, "blue", 9)
    with pytest.raises(ValueError, match="at_round must be a whole number"):
        branch(played, "blue", "one")
    with pytest.raises(StoreError, match="No team named"):
        branch(played, "purple", 1)
    with pytest.raises(ValueError, match="unknown action 'win_big'"):
        branch(played, "blue", 1, {deal: "win_big"})
    with pytest.raises(ValueError, match="not in team blue's world"):
        branch(played, "blue", 1, {10**9: "courtesy_call"})
    with pytest.raises(ValueError, match=f"deal {untouched} has no move in week {s + 1}"):
        branch(played, "blue", 1, {untouched: None})
    misfit = next(a.key for a in ACTIONS_BY_KEY.values()
                  if a.key not in {x.key for x in actions_for(sim.funnel, stages[untouched])})
    with pytest.raises(ValueError, match=f"deal {untouched} in week {s + 1}: action '{misfit}' does not fit"):
        branch(played, "blue", 1, {untouched: misfit})
    with pytest.raises(ValueError, match="threshold must be an amount"):
        branch(played, "blue", 1, threshold=-1)
    # adding a move on a deal nobody acted on is a change too
    fit = actions_for(sim.funnel, stages[untouched])[0].key
    added = branch(played, "blue", 1, {untouched: fit})
    ev = added.branched_history.events
    assert ev[(ev["deal_id"] == untouched) & (ev["week"] == s + 1)]["action"].tolist() == [fit]


# --- the indicators round by round -------------------------------------------------------------
def test_round_indicators_equal_the_indicators_at_each_rounds_end(played):
    s = played.start_week
    for T in (None, 0.0):
        table = round_indicators(played, threshold=T)
        assert list(table.columns) == list(debrief.ROUND_INDICATOR_COLUMNS)
        for team in TEAMS:
            mine = table[table["team"] == team]
            quota = played.scenario(team)["quota"]
            full = indicators(played.simulation(team).history, quota, played.config["threshold"] if T is None else T,
                              start_week=s, period_weeks=13).set_index("week")
            assert list(mine["round"]) == list(range(played.week(team) - s + 1))  # free play: a round a week
            assert list(mine["week"]) == list(range(s, played.week(team) + 1))
            for col in ("forecast", "booked", "out_of_funnel_booked", "benchmark"):
                assert mine[col].tolist() == full.loc[mine["week"], col].tolist()
            assert np.isnan(mine["progress"].iloc[0])
            assert mine["progress"].iloc[1:].tolist() == full.loc[mine["week"].iloc[1:], "progress"].tolist()
            assert (mine["quota"] == quota).all()
    assert round_indicators(played, threshold=0.0)["out_of_funnel_booked"].eq(0).all()  # nothing is out at T = 0
    with pytest.raises(ValueError, match="threshold"):
        round_indicators(played, threshold=float("nan"))


# --- the timeline --------------------------------------------------------------------------------
def test_timeline_lists_moves_withdrawals_and_closed_weeks(played):
    s = played.start_week
    moves = played.moves("red")
    for lang in ("en", "zh"):
        tl = timeline(played, "red", lang)
        assert list(tl.columns) == list(debrief.TIMELINE_COLUMNS)
        assert set(tl["kind"]) == {"move", "withdrawn", "round_close"}
        live = tl[tl["kind"] == "move"]
        assert len(live) == int((~moves["withdrawn"]).sum())
        columns = ["week", "deal_id", "action", "outcome", "answer"]
        mine, stored = live[columns].astype(object), moves.loc[~moves["withdrawn"], columns].astype(object)
        assert mine.where(mine.notna(), None).values.tolist() == stored.where(stored.notna(), None).values.tolist()
        assert (live["round"] == live["week"] - s).all()
        for row in live.itertuples():
            assert str(row.deal_id) in row.text
            assert ACTIONS_BY_KEY[row.action].label(lang) in row.text
            assert OUTCOME_LABELS[row.outcome][0 if lang == "zh" else 1] in row.text
            if row.answer is None:
                said = ("回复未判断", "reply not classified")
            else:
                said = ("（正确）", "(right)") if row.correct else ("（错误）", "(wrong)")
            assert said[0 if lang == "zh" else 1] in row.text
        gone = tl[tl["kind"] == "withdrawn"]
        assert len(gone) == 1 and gone["trainee"].item() == "李雷" and gone["week"].item() == s + 5
        closes = tl[tl["kind"] == "round_close"]
        assert closes["week"].tolist() == list(range(s + 1, played.week("red") + 1))
        assert "韩梅梅" in closes["text"].iloc[-1]
        # in order: each round's moves, then its close
        assert tl["round"].is_monotonic_increasing
        for r, rows in tl.groupby("round"):
            assert rows["kind"].iloc[-1] == "round_close"
        assert_language([t.replace("李雷", "").replace("韩梅梅", "").replace("demo-1", "") for t in tl["text"]], lang)
    assert timeline(played, "green", "en")["round"].max() == played.week("green") - s
    with pytest.raises(StoreError, match="No team named"):
        timeline(played, "purple")
    with pytest.raises(ValueError, match="unknown language"):
        timeline(played, "red", "fr")


def test_timeline_of_an_open_week_and_of_a_fresh_store(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["red"], seed=3, accounts=30)
    assert timeline(store, "red", "en").empty and list(debrief.rounds(store)["round"]) == []
    assert round_indicators(store)["round"].tolist() == [0]
    sim, open_deals = _open_deals(store, "red")
    deal, stage = int(open_deals["deal_id"].iloc[0]), str(open_deals["stage"].iloc[0])
    store.record_move("red", 14, deal, actions_for(sim.funnel, stage)[0].key)
    tl = timeline(store, "red", "zh")
    assert tl["kind"].tolist() == ["move"] and tl["round"].tolist() == [1] and tl["week"].tolist() == [14]
    assert "回复未判断" in tl["text"].item()
    with pytest.raises(ValueError, match=r"not a round this team has played \(played: none yet\)"):
        branch(store, "red", 1)  # the week is still open


# --- a workshop in rounds ------------------------------------------------------------------------
def _play_round(store, moves_per_team, trainee="组长"):
    """Every team acts on its largest open deals with the first advance action that fits, classifies each reply
    right, and submits; a team given 0 moves does nothing (no submission: the default decision)."""
    from simfunnel.model.replies import is_correct

    current = store.current_round()
    week = current["first_week"]
    for team, count in moves_per_team.items():
        if not count:
            continue
        sim, open_deals = _open_deals(store, team)
        for deal_id, stage in list(zip(open_deals["deal_id"], open_deals["stage"].astype(str)))[:count]:
            key = next(a.key for a in actions_for(sim.funnel, stage) if a.kind == "advance")
            store.record_move(team, week, int(deal_id), key, trainee=trainee)
            outcome = store.moves(team).iloc[-1]["outcome"]
            store.classify(team, week, int(deal_id), outcome, is_correct(outcome, outcome))
        store.submit(team, trainee=trainee)
    return store.close_round()


@pytest.fixture(scope="module")
def in_rounds(tmp_path_factory):
    """Rounds of two weeks: a practice round (played, reset), round 1 with a timer (blue does nothing), a price cut
    for every team in round 2, round 2 played."""
    store = WorkshopStore.init(tmp_path_factory.mktemp("r"), teams=TEAMS, seed=2026, accounts=80, weeks_per_round=2)
    store.open_round(practice=True)
    _play_round(store, {"red": 2, "blue": 2, "green": 2})
    store.reset_practice()
    store.open_round(timer_minutes=30)
    _play_round(store, {"red": 3, "blue": 0, "green": 5})
    store.add_event("price_cut", round=2)
    store.open_round()
    _play_round(store, {"red": 3, "blue": 2, "green": 5})
    return store


def test_rounds_mode_rounds_and_indicators(in_rounds):
    s = in_rounds.start_week
    played = debrief.rounds(in_rounds)
    assert played[["round", "kind", "first_week", "last_week"]].values.tolist() == [
        [1, "scored", s + 1, s + 2], [2, "scored", s + 3, s + 4]]  # the practice round was reset: not played
    table = round_indicators(in_rounds)
    for team in TEAMS:
        mine = table[table["team"] == team]
        assert mine["round"].tolist() == [0, 1, 2] and mine["week"].tolist() == [s, s + 2, s + 4]
        full = indicators(in_rounds.simulation(team).history, in_rounds.scenario(team)["quota"],
                          in_rounds.config["threshold"], start_week=s, period_weeks=13).set_index("week")
        assert mine["booked"].tolist() == full.loc[[s, s + 2, s + 4], "booked"].tolist()
        assert mine["forecast"].tolist() == full.loc[[s, s + 2, s + 4], "forecast"].tolist()
        assert mine["progress"].iloc[1] == full.loc[s + 1: s + 2, "progress"].mean()
        assert mine["progress"].iloc[2] == full.loc[s + 3: s + 4, "progress"].mean()


def test_rounds_mode_timeline_has_rounds_events_defaults_and_the_practice_reset(in_rounds):
    s = in_rounds.start_week
    for lang in ("en", "zh"):
        blue = timeline(in_rounds, "blue", lang)
        kinds = blue.groupby("round")["kind"].apply(list).to_dict()
        assert kinds[0][0] == "round_open" and set(kinds[0]) == {"round_open", "withdrawn", "round_close"}
        assert kinds[1] == ["round_open", "default", "round_close"]  # blue did nothing in round 1
        assert kinds[2][:2] == ["round_open", "event"] and kinds[2][-1] == "round_close"
        assert kinds[2].count("move") == 2
        practice = blue[(blue["round"] == 0) & (blue["kind"] == "withdrawn")]
        assert len(practice) == 2 and all(("练习回合重置" if lang == "zh" else "practice round reset") in t
                                          for t in practice["text"])
        assert blue["round_kind"].tolist()[:1] == ["practice"]
        assert set(blue[blue["round"] > 0]["round_kind"]) == {"scored"}
        opened = blue[(blue["kind"] == "round_open") & (blue["round"] == 1)]["text"].item()
        assert ("限时至" if lang == "zh" else "timer until") in opened and f"{s + 1}" in opened
        event = blue[blue["kind"] == "event"]
        assert event["week"].item() == s + 3
        assert in_rounds.events("blue", lang=lang)["text"].item() in event["text"].item()
        default = blue[blue["kind"] == "default"]
        assert default["week"].item() == s + 1
        assert_language(list(blue["text"].str.replace("组长", "")), lang)
    red = timeline(in_rounds, "red", "en")
    assert (red["kind"] == "move").sum() == 6 and "default" not in set(red["kind"])


def test_rounds_mode_branches_replay_the_events(in_rounds):
    s = in_rounds.start_week
    assert in_rounds.effects("green")  # the price cut is in green's simulation
    for r in (1, 2):
        b = branch(in_rounds, "green", r)
        pd.testing.assert_frame_equal(b.branched, b.original, check_exact=True)
        pd.testing.assert_frame_equal(b.branched_history.events, b.original_history.events, check_exact=True)
    moves = in_rounds.moves("green")
    mine = moves[~moves["withdrawn"] & (moves["round"] == 1) & moves["outcome"].isin(["advance", "order"])]
    deal = int(mine["deal_id"].iloc[0])
    b = branch(in_rounds, "green", 1, {deal: "courtesy_call"})
    assert b.change_week == s + 1
    start = b.original["week"] == s
    assert b.branched.loc[start, KNOWN_THEN].equals(b.original.loc[start, KNOWN_THEN])
    assert (b.difference().set_index("week").loc[s + 1:, "forecast_difference"] != 0).any()
    with pytest.raises(ValueError, match=r"not a round this team has played \(played: 1, 2\)"):
        branch(in_rounds, "green", 0)  # the practice round was reset


def test_rounds_mode_report(in_rounds, tmp_path):
    path = report(in_rounds, tmp_path / "r.html", lang="zh")
    page = _Page()
    page.feed(path.read_text("utf-8"))
    joined = " ".join(page.texts)
    assert "每回合 2 周" in joined and "练习回合" in joined and "默认决策" in joined and "市场事件" in joined
    progress = page.tables[1]
    assert progress[0][1:3] == ["第 1 回合", "第 2 回合"]
    events = page.tables[2]  # the market events that hit, after the rounds
    event = in_rounds.events(lang="zh").iloc[0]
    assert events[1] == ["2", str(event["week"]), "所有组", event["text"]]
    names = set(TEAMS) | {"组长"}
    assert_language([t for t in page.texts if t not in names], "zh")


# --- charts -------------------------------------------------------------------------------------------
def _figure_texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_round_and_branch_charts_speak_one_language(played, lang, tmp_path, caplog):
    table = round_indicators(played)
    fig = Figure(figsize=(13, 4), layout="constrained")
    axes = plots.round_chart(table, axes=fig.subplots(1, 3), lang=lang)
    for team in TEAMS:
        line = plots.find_artist(axes[1], f"round-booked-{team}")
        mine = table[table["team"] == team]
        assert list(line.get_ydata()) == mine["booked"].tolist()
    texts = [t for t in _figure_texts(fig) if t not in TEAMS]
    assert_language(texts, lang)
    render_clean(fig, tmp_path / f"rounds_{lang}.png", caplog)

    # after one round the x axes show whole rounds (MaxNLocator fell back to 0.7, 0.8 … labelled "1 1 1 1")
    one = table[table["round"] <= 1]
    fig = Figure(figsize=(13, 4), layout="constrained")
    axes = plots.round_chart(one, axes=fig.subplots(1, 3), lang=lang)
    assert [t.get_text() for t in axes[2].get_xticklabels()] == ["1"]
    assert list(axes[0].get_xticks()) == [0, 1]

    move = _changeable_move(played, "green")
    b = branch(played, "green", move["round"], {int(move.deal_id): "courtesy_call"})
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = plots.branch_chart(b, ax=fig.subplots(), lang=lang)
    assert list(plots.find_artist(ax, "branch-forecast-branch").get_ydata()) == b.branched["forecast"].tolist()
    assert list(plots.find_artist(ax, "branch-booked-original").get_ydata()) == b.original["booked"].tolist()
    assert_language([t.replace("green", "") for t in _figure_texts(fig)], lang)
    render_clean(fig, tmp_path / f"branch_{lang}.png", caplog)


# --- the handout --------------------------------------------------------------------------------
class _Page(HTMLParser):
    """Collects the visible texts, the images and the tables of a page."""

    def __init__(self):
        super().__init__()
        self.texts, self.images, self.tables, self._skip, self._cell = [], [], [], 0, None
        self.table_tags = []  # each <table …> start tag as written

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "table":
            self.tables.append([])
            self.table_tags.append(self.get_starttag_text())
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        if data.strip():
            self.texts.append(data.strip())
        if self._cell is not None:
            self._cell.append(data)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_is_a_self_contained_page_in_one_language(played, lang, tmp_path):
    move = _changeable_move(played, "green")
    branches = [branch(played, "green", move["round"], {int(move.deal_id): "courtesy_call"}),
                branch(played, "red", 1, threshold=20_000)]
    path = report(played, tmp_path / "out" / f"debrief_{lang}.html", lang=lang, branches=branches)
    assert path.exists() and not list(path.parent.glob(".*.tmp"))
    page = _Page()
    page.feed(path.read_text("utf-8"))
    # charts: the team bars, the rounds, one per branch — all embedded
    assert len(page.images) == 2 + len(branches)
    for img in page.images:
        src = img["src"]
        assert src.startswith("data:image/png;base64,") and img["alt"]
        width, height = _png_size(base64.b64decode(src.split(",", 1)[1]))
        assert width >= 800 and height >= 250
    assert not re.search(r'src="(?!data:)', path.read_text("utf-8"))  # nothing fetched from elsewhere
    # the leaderboard with every team, ranked by the score, the weights next to it
    board = page.tables[0]
    expected = played.leaderboard().sort_values("rank")
    assert [row[1] for row in board[1:]] == expected["team"].tolist()
    assert [row[0] for row in board[1:]] == [str(r) for r in expected["rank"]]
    assert [row[-1] for row in board[1:]] == [f"{v:.0f}" for v in expected["score"]]
    assert board[0][-1] == ("得分" if lang == "zh" else "Score")
    weights_line = next(t for t in page.texts if t.startswith(("得分权重", "Score weights")))
    for metric, weight in played.weights.items():
        assert f"{debrief.phrase(metric, lang)} {weight:g}" in weights_line
    heading, *lines = score_formula(played.weights, lang)  # the formula written out: a line per part
    assert heading in weights_line and all(line in page.texts for line in lines) and len(lines) == 5
    # the progress table: a row per team, a column per round
    progress = page.tables[1]
    assert [row[0] for row in progress[1:]] == TEAMS
    assert len(progress[0]) == 2 + int(debrief.rounds(played)["round"].max())
    # each branch: its comparison table; each team: its timeline
    assert len(page.tables) == 2 + len(branches) + len(TEAMS)
    timelines = page.tables[2 + len(branches):]
    assert all(re.fullmatch(r'<table( class="[\w-]+")?>', tag) for tag in page.table_tags), page.table_tags
    for team, table in zip(TEAMS, timelines):
        assert len(table) - 1 == len(timeline(played, team, lang))
    words = {"zh": ["排行榜", "假设分支", "各组时间线", "销售预计"],
             "en": ["Leaderboard", "What if", "timeline", "Forecast"]}
    joined = " ".join(page.texts)
    assert all(w in joined for w in words[lang])
    names = set(TEAMS) | {"李雷", "韩梅梅"} | {f"demo-{i}" for i in range(1, 4)}
    texts = [t for t in page.texts if t not in names]
    texts = [re.sub("|".join(map(re.escape, sorted(names, key=len, reverse=True))), "", t) for t in texts]
    assert_language(texts, lang)
    with pytest.raises(ValueError, match="expected Branch objects"):
        report(played, tmp_path / "x.html", lang=lang, branches=["red"])


def test_report_tables_keep_their_own_class_whatever_their_rows_have():
    """The progress table of many rounds is "compact"; a timeline's rows have classes, its table none."""
    rows = [[("1", "")], [("2", "")]]
    assert handout._table([("a", "")], rows, klass="compact").startswith('<table class="compact"><tr>')
    timeline_table = handout._table([("a", "")], rows, ["k-move", "k-event"])
    assert timeline_table.startswith("<table><tr>") and '<tr class="k-event">' in timeline_table

