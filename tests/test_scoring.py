"""The workshop score (issue 12, point 4): every part on an absolute scale, never min–max across the teams; the
formula written out in zh and en; and stand-in teams — idle, random, sensible — ranked by what they did.

What a trainer saw with the min–max score: after round 1 the team that made no moves ranked 2nd and the team with
the most moves and the best forecast accuracy last; 180 against 182 records was a whole point's difference; an
unanswered quiz scored like 0 %.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from chart_checks import chinese, closing_new_widgets, english_words

from simfunnel.analysis.metrics import records_entered
from simfunnel.model.actions import actions_for
from simfunnel.model.history import OUTCOMES
from simfunnel.model.replies import is_correct
from simfunnel.widgets import WorkshopLeaderboard
from simfunnel.workshop.scoring import DEFAULT_WEIGHTS, RATIO_CAP, SCORE_TEXT, score_formula, score_parts, scores
from simfunnel.workshop.store import StoreError, WorkshopStore, play_demo


def board(**columns) -> pd.DataFrame:
    """A leaderboard with the columns the score reads: one team on pace with a fair forecast, unless told."""
    base = {"moves": 8, "booked": 100_000.0, "quota_to_date": 100_000.0, "forecast_accuracy": 0.8,
            "progress_vs_benchmark": 1.0, "quiz_correct": 6, "records_entered": 180,
            "records_without_threshold": 400}
    n = max((len(v) for v in columns.values() if isinstance(v, list)), default=1)
    return pd.DataFrame({k: columns.get(k, v) if isinstance(columns.get(k, v), list) else [columns.get(k, v)] * n
                         for k, v in base.items()})


# --- the parts, one by one ------------------------------------------------------------------------------
def test_a_team_scores_the_same_whoever_else_plays():
    alone = board()
    others = board(booked=[100_000.0, 0.0, 900_000.0], records_entered=[180, 10, 399], quiz_correct=[6, 0, 8],
                   progress_vs_benchmark=[1.0, -2.0, 9.0], forecast_accuracy=[0.8, 0.0, 1.0])
    assert scores(alone).score.iloc[0] == scores(others).score.iloc[0] == scores(others.iloc[[0, 2]]).score.iloc[0]
    # and no team gets the whole range for being the better of two close ones
    close = scores(board(records_entered=[180, 182]))
    assert 0 < close.score.iloc[0] - close.score.iloc[1] < 0.1 and close["rank"].tolist() == [1, 2]


def test_records_180_or_182_are_nearly_the_same_points():
    parts = score_parts(board(records_entered=[180, 182], records_without_threshold=[400, 400]))
    assert parts.records_entered.round(4).tolist() == [0.55, 0.545]  # the share of data entry the threshold saved
    # fewer records for the same deals is better; with no threshold nothing is saved: 0 for everyone
    assert score_parts(board(records_entered=400, records_without_threshold=400)).records_entered.iloc[0] == 0
    assert math.isnan(score_parts(board(records_entered=0, records_without_threshold=0)).records_entered.iloc[0])


def test_booked_counts_against_the_quota_of_the_weeks_played():
    # the same pace at week 2 and at week 8 earns the same points: mid-quarter is judged on the weeks played
    week2 = board(booked=2 / 13 * 1_300_000, quota_to_date=2 / 13 * 1_300_000)
    week8 = board(booked=8 / 13 * 1_300_000, quota_to_date=8 / 13 * 1_300_000)
    assert score_parts(week2).booked.iloc[0] == pytest.approx(score_parts(week8).booked.iloc[0]) \
        == pytest.approx(1 / RATIO_CAP)  # on pace: 2/3 of the points
    ratios = [0.0, 0.5, 1.0, RATIO_CAP, 3.0, 40.0]
    parts = score_parts(board(booked=[r * 100_000 for r in ratios], quota_to_date=[100_000.0] * 6)).booked
    assert parts.round(4).tolist() == [0.0, 0.3333, 0.6667, 1.0, 1.0, 1.0]  # one lucky deal cannot run away
    assert math.isnan(score_parts(board(quota_to_date=0.0)).booked.iloc[0])  # no week played yet


def test_progress_below_zero_counts_zero_and_is_capped():
    parts = score_parts(board(progress_vs_benchmark=[-3.0, 0.0, 0.75, 1.0, 1.5, 6.0, float("nan")]))
    assert parts.progress_vs_benchmark.round(4).tolist()[:6] == [0.0, 0.0, 0.5, 0.6667, 1.0, 1.0]
    assert math.isnan(parts.progress_vs_benchmark.iloc[6])


def test_the_quiz_counts_correct_answers_against_moves_made():
    parts = score_parts(board(moves=[8, 2, 8, 0], quiz_correct=[6, 2, 8, 0])).quiz_score
    assert parts.tolist() == [0.75, 1.0, 1.0, 0.0]
    # 8 moves, only the 2 sure replies answered (2 right): 2/8, below 6 right of 8 — the share among the answered
    # (quiz_score: 100 % against 75 %) would have ranked them the other way round
    assert score_parts(board(moves=8, quiz_correct=2)).quiz_score.iloc[0] == 0.25
    # a team without a move has made no judgement: 0, not left out (else doing nothing would beat trying: its
    # booked, accuracy and records are those of its market left alone, as good as a busy team's)
    idle, tried = scores(board(moves=[0, 8], quiz_correct=[0, 2])).score
    assert idle < tried


def test_a_part_with_nothing_to_measure_is_left_out_with_its_weight():
    week0 = board(quota_to_date=0.0, progress_vs_benchmark=float("nan"), records_entered=0,
                  records_without_threshold=0, moves=[4, 0], quiz_correct=[3, 0], forecast_accuracy=[0.9, 0.9])
    assert scores(week0).score.round(6).tolist() == [(2 * 0.9 + 2 * 0.75) / 4 * 100, 2 * 0.9 / 4 * 100]
    nothing = board(quota_to_date=0.0, progress_vs_benchmark=float("nan"), forecast_accuracy=float("nan"),
                    records_without_threshold=0, moves=0, quiz_correct=0)
    only_quiz = {**{k: 0.0 for k in DEFAULT_WEIGHTS}, "booked": 1.0}
    result = scores(pd.concat([nothing, board()], ignore_index=True), only_quiz)
    assert math.isnan(result.score.iloc[0]) and result["rank"].tolist() == [2, 1]  # nothing measured: last


def test_weights_count_and_ties_share_the_better_rank():
    b = board(booked=[150_000.0, 0.0, 150_000.0], quiz_correct=[0, 8, 0])
    assert scores(b, {**{k: 0.0 for k in DEFAULT_WEIGHTS}, "booked": 1.0}).score.tolist() == [100.0, 0.0, 100.0]
    assert scores(b, {**{k: 0.0 for k in DEFAULT_WEIGHTS}, "quiz_score": 1.0}).score.tolist() == [0.0, 100.0, 0.0]
    assert scores(b)["rank"].tolist() == [1, 3, 1]
    with pytest.raises(StoreError, match="must not all be 0"):
        scores(b, {k: 0.0 for k in DEFAULT_WEIGHTS})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_formula_is_written_out_with_its_weights(lang):
    lines = score_formula({**DEFAULT_WEIGHTS, "booked": 4.5, "records_entered": 0.0}, lang, period_weeks=12)
    assert len(lines) == 1 + len(DEFAULT_WEIGHTS) == 1 + len(SCORE_TEXT) - 1
    weight = "权重 {}" if lang == "zh" else "weight {}"
    for line, w in zip(lines[1:], [4.5, 2, 2, 2, 0]):
        assert weight.format(f"{w:g}") in line
    assert "12" in lines[1] and "150%" in lines[1] and "67%" in lines[1]  # quota × weeks played ÷ 12; the cap
    if lang == "zh":
        assert not english_words(lines) and len(chinese(lines)) == len(lines)
    else:
        assert not chinese(lines)


# --- the leaderboard's columns the score reads -------------------------------------------------------------
def test_the_leaderboard_gives_what_the_score_reads(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["red", "blue", "idle"], seed=3, accounts=50, same_world=True)
    play_demo(store, weeks=3, seed=2, moves_per_week=[4, 2, 0], skill=[0.9, 0.4, 0.5])
    b = store.leaderboard()
    moves = store.moves()
    for row in b.itertuples():
        sc, history = store.scenario(row.team), store.simulation(row.team).history
        mine = moves[(moves.team == row.team) & ~moves.withdrawn]
        assert row.quota_to_date == pytest.approx(sc["quota"] * 3 / 13)
        assert row.records_without_threshold == records_entered(history, 0, start_week=13) >= row.records_entered
        assert row.quiz_correct == int((mine.answer.notna() & (mine.correct == True)).sum())
    pd.testing.assert_frame_equal(b[["score", "rank"]], scores(b, store.weights))
    assert b.set_index("team").loc["idle", "moves"] == 0 and math.isnan(b.set_index("team").loc["idle", "quiz_score"])


def test_the_leaderboard_shows_unanswered_replies_as_such(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["red", "blue"], seed=3, accounts=50, same_world=True)
    sim = store.simulation("red")
    deals = sim.history.deals.query("status == 'open'")
    for deal, stage in list(zip(deals.deal_id, deals.stage.astype(str)))[:3]:
        store.record_move("red", 14, int(deal), actions_for(sim.funnel, stage)[0].key)
    outcome = store.moves("red").outcome.iloc[0]
    store.classify("red", 14, int(deals.deal_id.iloc[0]), outcome)
    with closing_new_widgets():
        for lang, red, blue in (("en", "100% (1 answered, 2 unanswered)", "— (no moves)"),
                                ("zh", "100%（答 1 题，未答 2 题）", "—（无行动）")):
            table = WorkshopLeaderboard(store, lang=lang).table_html.value
            assert red in table and blue in table
    assert score_parts(store.leaderboard()).quiz_score.round(4).tolist() == [0.3333, 0.0]


# --- stand-in teams ---------------------------------------------------------------------------------------
MOVES_PER_WEEK = 4
WEEKS = 6
SEEDS = range(20)


def _open(store: WorkshopStore, team: str):
    sim = store.simulation(team)
    deals = sim.history.deals
    return sim, deals[deals["status"].astype(str) == "open"]


def _sensible(store: WorkshopStore, team: str, week: int, rng: np.random.Generator) -> None:
    """The biggest in-funnel deals, each with the strongest advance action that fits its stage; replies judged right."""
    sim, deals = _open(store, team)
    deals = deals[deals.amount >= store.config["threshold"]].sort_values(["amount", "deal_id"],
                                                                          ascending=[False, True])
    for deal, stage in list(zip(deals.deal_id, deals.stage.astype(str)))[:MOVES_PER_WEEK]:
        best = max((a for a in actions_for(sim.funnel, stage) if a.kind == "advance"),
                   key=lambda a: (a.advance_factor, -a.loss_factor))
        store.record_move(team, week, int(deal), best.key, trainee="sensible")
    for m in store.moves(team).query("week == @week").itertuples():
        store.classify(team, week, int(m.deal_id), m.outcome)


def _random(store: WorkshopStore, team: str, week: int, rng: np.random.Generator) -> None:
    """Random open deals, any action that fits the stage (continuations too); 60 % of the replies answered at random."""
    sim, deals = _open(store, team)
    picks = deals.iloc[rng.choice(len(deals), min(MOVES_PER_WEEK, len(deals)), replace=False)]
    for deal, stage in zip(picks.deal_id, picks.stage.astype(str)):
        fitting = actions_for(sim.funnel, stage)
        store.record_move(team, week, int(deal), fitting[int(rng.integers(len(fitting)))].key, trainee="random")
    for m in store.moves(team).query("week == @week").itertuples():
        if rng.random() < 0.6:
            answer = str(rng.choice(OUTCOMES))
            store.classify(team, week, int(m.deal_id), answer, is_correct(answer, m.outcome))


POLICIES = {"idle": None, "random": _random, "sensible": _sensible}


def _held_back(store: WorkshopStore) -> list[tuple[int, str, int]]:
    """Deals the idle team won that the random team did not, where the random team had put a continuation action
    (advance chance × 0 for that week) on them no later than the week idle won them: (deal, action, week)."""
    s = store.start_week
    idle, rand = (store.simulation(t).history.deals.set_index("deal_id") for t in ("idle", "random"))
    lost = idle.index[(idle.status.astype(str) == "won") & (idle.closed_week > s) & (rand.status.astype(str) != "won")]
    moves = store.moves("random")
    held = moves[moves.deal_id.isin(lost) & (moves.outcome == "continuation")]
    return [(int(m.deal_id), m.action, int(m.week)) for m in held.itertuples() if m.week <= idle.closed_week[m.deal_id]]


def test_stand_in_teams_rank_sensible_then_random_then_idle(tmp_path):
    """Three teams in the same world with the same luck (``same_world``: only decisions differ), fast pace, six weeks
    of free play, four moves a week for the random and the sensible team.

    Measured (20 seeds, default weights): mean score idle 50.1, random 51.9, sensible 81.6; mean parts
    (booked, accuracy, progress, quiz, records) idle 0.51 0.76 0.63 0 0.69, random 0.49 0.75 0.64 0.13 0.69,
    sensible 0.75 0.76 0.88 1 0.64. The sensible team is first in every seed and after every week. Random beats
    idle in 17 of 20 seeds; the three exceptions (seeds 5, 15, 18) are the random team's own doing, and the score
    is right to rank it below idle there: a continuation action (here each time a friendly dinner) holds a deal in
    its stage for the week, and it landed on deals the idle team then won — the random team booked less than the
    idle one (90,500 against 125,500; 558,900 against 967,900; 156,800 against 483,400). The test counts the
    exceptions and checks each has that cause.
    """
    final, parts, exceptions = [], [], []
    for seed in SEEDS:
        store = WorkshopStore.init(tmp_path / f"s{seed}", teams=list(POLICIES), seed=seed, same_world=True,
                                   accounts=60, pace="fast")
        rng = np.random.default_rng(seed)
        for _ in range(WEEKS):
            for team, policy in POLICIES.items():
                week = store.open_week(team)
                if policy is not None:
                    policy(store, team, week, rng)
                store.close_week(team, week)
            score = store.leaderboard().set_index("team").score
            assert score["sensible"] > max(score["random"], score["idle"]), (seed, store.week("idle"), score)
        b = store.leaderboard().set_index("team")
        final.append(b.score.rename(seed))
        parts.append(score_parts(b).assign(seed=seed))
        if not b.score["random"] > b.score["idle"]:
            held = _held_back(store)
            assert b.booked["random"] < b.booked["idle"] and held, (seed, b.T)  # the one explained cause
            exceptions.append((seed, held))
    final = pd.DataFrame(final)
    assert len(exceptions) <= 3, exceptions  # measured: seeds 5, 15 and 18
    mean = final.mean()
    assert mean["sensible"] > mean["random"] > mean["idle"], mean
    assert mean["sensible"] - mean["idle"] > 20  # not a close call
    by_team = pd.concat(parts).groupby(level=0).mean()
    assert by_team.quiz_score.to_dict() == pytest.approx({"idle": 0.0, "random": by_team.quiz_score["random"],
                                                          "sensible": 1.0})
    assert 0 < by_team.quiz_score["random"] < 0.5  # random answers to some replies: a few right
    assert by_team.booked["sensible"] > by_team.booked["idle"]  # acting on the big deals books more
    assert by_team.progress_vs_benchmark["sensible"] > by_team.progress_vs_benchmark["idle"]
