"""The workshop store (issue 6, point 1): scenarios per team, moves committed with their random state,
refusals with a clear message in zh and en, replay to the cent, leaderboard, Excel-safe export, and
files that are not a store refused and left untouched. Faults (killed writers, 30 concurrent writers)
are in test_store_faults.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simfunnel.workshop import moves as moves_module
from simfunnel.workshop import schema as schema_module
from simfunnel.model.generate import generate
from simfunnel.analysis.metrics import indicators, records_entered
from simfunnel.model.replies import is_correct
from simfunnel.model.simulate import Simulation
from simfunnel.model.actions import actions_for
from simfunnel.workshop.store import APPLICATION_ID, STORE_FILE, MoveRefused, StoreError, WorkshopStore

ROOT = Path(__file__).resolve().parents[1]
EVIL = "=cmd|' /C calc'!A0"


def open_deals(sim: Simulation) -> list[tuple[int, str]]:
    """(deal_id, stage) of every deal that can be acted on in the coming week, by deal id."""
    d = sim.world.deals
    codes = sim.stage_codes()
    pos = np.flatnonzero((d.created_week.to_numpy() < sim.week + 1) & (codes < len(sim.funnel)))
    return [(int(d.deal_id.iloc[p]), sim.funnel.keys[codes[p]]) for p in pos]


def play(store: WorkshopStore, team: str, weeks: int, per_week: int, seed: int, trainee: str = "") -> Simulation:
    """Play ``weeks`` weeks the way a board does: preview, record, classify some, withdraw one, step, close."""
    rng = np.random.default_rng(seed)
    sim = store.simulation(team)
    for _ in range(weeks):
        week = sim.week + 1
        deals = open_deals(sim)
        picks = rng.choice(len(deals), per_week, replace=False)
        planned: dict[int, str] = {}
        for j, k in enumerate(picks):
            deal, stage = deals[k]
            fitting = actions_for(sim.funnel, stage)
            action = fitting[int(rng.integers(len(fitting)))].key
            pv = sim.preview({deal: action})
            store.record_move(team, week, deal, action, outcome=str(pv.response.iloc[0]), from_stage=stage,
                              to_stage=str(pv.to_stage.iloc[0]), trainee=trainee, reply_id=f"r{j}")
            planned[deal] = action
            if j % 2 == 0:
                answer = str(rng.choice(["order", "advance", "continuation", "no_sale"]))
                store.classify(team, week, deal, answer, is_correct(answer, str(pv.response.iloc[0])))
        undone = next(iter(planned))
        store.withdraw(team, week, undone, trainee=trainee)
        del planned[undone]
        sim.step(planned)
        assert store.close_week(team, week, trainee=trainee) is True
    return sim


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=["red", "blue"], seed=11, accounts=60)
    yield store
    store.close()


# --- init and scenarios ------------------------------------------------------------------------
def test_init_creates_a_wal_store_with_a_scenario_per_team(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=3, seed=2026, accounts=40, threshold=20_000)
    assert store.path == tmp_path / "w" / STORE_FILE and store.teams == ["team1", "team2", "team3"]
    assert sorted(p.name for p in (tmp_path / "w").iterdir() if not p.name.startswith(STORE_FILE)) == []
    raw = sqlite3.connect(store.path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert dict(raw.execute("SELECT key, value FROM meta").fetchall())["schema_version"] == "6"
    raw.close()
    seeds = [(store.scenario(t)["world_seed"], store.scenario(t)["sim_seed"]) for t in store.teams]
    expected = [tuple(int(x) for x in np.random.SeedSequence([2026, i]).generate_state(2)) for i in range(3)]
    assert seeds == expected and len({s for pair in seeds for s in pair}) == 6
    sc = store.scenario("team2")
    assert sc["threshold"] == 20_000 and sc["start_week"] == 13 and sc["end_week"] == 26 and sc["accounts"] == 40
    assert sc["quota"] == store.world("team2").quota > 0
    assert store.world("team2") is store.world("team2")
    assert store.world("team2").deals.equals(generate(40, seed=seeds[1][0]).deals)
    assert [store.week(t) for t in store.teams] == [13, 13, 13] and store.open_week("team1") == 14
    with pytest.raises(StoreError, match="already exists"):
        WorkshopStore.init(tmp_path / "w", teams=2)


def test_same_world_plays_the_workshop_datasets_world_with_the_same_luck(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["a", "b"], seed=2026, same_world=True)
    assert store.world("a") is store.world("b")
    assert store.scenario("a")["sim_seed"] == store.scenario("b")["sim_seed"] == 2026
    plain = Simulation(generate(200, seed=2026), seed=2026)
    for _ in range(13):
        plain.step()
    sim = store.simulation("b")
    assert sim.week == 13 and np.array_equal(sim.stage_codes(), plain.stage_codes())


@pytest.mark.parametrize("kwargs,message", [
    ({"teams": 0}, "teams must be between 1"),
    ({"teams": ["a", "A"]}, "given twice"),
    ({"teams": ["ok", " "]}, "must not be empty"),
    ({"teams": ["a\nb"]}, "control characters"),
    ({"preset": "nope"}, "preset must be one of"),
    ({"start_week": 45}, "exceeds the world's 52 weeks"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"seed": 2**63, "same_world": True}, "seed must be at most 9223372036854775807"),  # SQLite's INTEGER
    ({"seed": 2**63}, "seed must be at most 9223372036854775807"),
    ({"threshold": -5}, "threshold must be an amount"),
])
def test_init_refuses_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(StoreError, match=message):
        WorkshopStore.init(tmp_path / "w", **kwargs)
    assert not (tmp_path / "w" / STORE_FILE).exists()


def test_init_refuses_a_stale_wal_file(tmp_path):
    (tmp_path / f"{STORE_FILE}-wal").write_bytes(b"old")
    with pytest.raises(StoreError, match="left over from an earlier store"):
        WorkshopStore.init(tmp_path, teams=2)
    assert not (tmp_path / STORE_FILE).exists() and (tmp_path / f"{STORE_FILE}-wal").read_bytes() == b"old"


# --- files that are not a store ----------------------------------------------------------------
def _foreign_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('application', 'simfunnel-workshop')")  # a look-alike
    con.commit()
    con.close()


@pytest.mark.parametrize("kind", ["text", "empty", "binary", "sqlite", "sqlite_as_folder_file"])
def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(tmp_path, kind):
    path = tmp_path / (STORE_FILE if kind != "sqlite" else "crm.db")
    if kind == "text":
        path.write_text("deal_id,amount\n1,100\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    else:
        _foreign_sqlite(path)
    before = sha(path)
    listing = sorted(p.name for p in tmp_path.iterdir())
    target = tmp_path if kind in ("text", "empty", "binary", "sqlite_as_folder_file") else path
    with pytest.raises(StoreError) as info:
        WorkshopStore.open(target)
    assert str(path) in str(info.value) and "not a simfunnel workshop store" in str(info.value)
    assert sha(path) == before and sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal/-shm either


def test_missing_store_and_interrupted_init_are_refused_clearly(tmp_path):
    with pytest.raises(StoreError, match=f"{tmp_path / 'nowhere' / STORE_FILE}: no workshop store here"):
        WorkshopStore.open(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="no workshop store here"):
        WorkshopStore.open(tmp_path)
    half = tmp_path / STORE_FILE  # our application id, but no tables: an init that never finished
    con = sqlite3.connect(half)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("CREATE TABLE x (y)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a complete workshop store"):
        WorkshopStore.open(half)


def test_other_schema_versions_are_refused_and_older_ones_upgraded(tmp_path, monkeypatch):
    store = WorkshopStore.init(tmp_path, teams=2, accounts=30)
    store.close()
    raw = sqlite3.connect(store.path)
    raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.commit()
    with pytest.raises(StoreError, match=r"schema version 99; this simfunnel reads version 6 \(made by a newer"):
        WorkshopStore.open(tmp_path)
    # a version-5 store (before the pre/post test) is upgraded: its table appears, empty
    raw.execute("DROP TABLE knowledge_tests")
    raw.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()
    five = WorkshopStore.open(tmp_path)
    assert five.test_scores().empty and five.test_phase() is None
    five.close()
    # A later version adds a table: opening a version-6 store upgrades it in one transaction.
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", 7)
    monkeypatch.setitem(schema_module.MIGRATIONS, 6, ("CREATE TABLE later (number INTEGER PRIMARY KEY, weeks INTEGER)",))
    upgraded = WorkshopStore.open(tmp_path)
    assert upgraded.teams == ["team1", "team2"]
    upgraded.close()
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("7",)
    assert raw.execute("SELECT COUNT(*) FROM later").fetchone() == (0,)
    raw.close()
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", 8)  # no migration from 7 to 8
    with pytest.raises(StoreError, match="schema version 7; this simfunnel reads version 8 \\(no upgrade path"):
        WorkshopStore.open(tmp_path)


# --- moves --------------------------------------------------------------------------------------
def test_a_move_is_stored_with_its_outcome_and_random_state(small):
    sim = small.simulation("red")
    deal, stage = open_deals(sim)[3]
    action = actions_for(sim.funnel, stage)[0].key
    pv = sim.preview({deal: action})
    move_id = small.record_move("red", 14, deal, action, trainee="李雷", reply_id="a03")
    m = small.moves("red").set_index("id").loc[move_id]
    assert (m.team, m.week, m.deal_id, m.action, m.trainee, m.reply_id) == ("red", 14, deal, action, "李雷", "a03")
    assert (m.outcome, m.from_stage, m.to_stage) == (pv.outcome.iloc[0], stage, pv.to_stage.iloc[0])
    sim_seed = small.scenario("red")["sim_seed"]
    pos = sim.world.deals.deal_id.tolist().index(deal)
    assert m.sim_seed == sim_seed and m.draw == np.random.default_rng([sim_seed, 14]).random(len(sim.world.deals))[pos]
    assert pd.isna(m.correct) and not m.withdrawn and m.created_at.tzinfo is not None
    assert small.moves("blue").empty and list(small.moves().columns) == list(moves_module.MOVE_COLUMNS)


def test_a_second_move_on_a_deal_is_refused_naming_who_and_what(small):
    sim = small.simulation("red")
    in_blue = {d for d, _ in open_deals(small.simulation("blue"))}
    deal, stage = next((d, s) for d, s in open_deals(sim) if d in in_blue)
    small.record_move("red", 14, deal, "courtesy_call", trainee="Wang Fang")
    with pytest.raises(MoveRefused) as info:
        small.record_move("red", 14, deal, actions_for(sim.funnel, stage)[0].key, trainee="Li")
    e = info.value
    assert isinstance(e, StoreError) and isinstance(e, ValueError)
    assert e.en == str(e) == (f"Deal {deal} already has a move in week 14: Wang Fang chose 'Courtesy call'. "
                              "One move per deal and week.")
    assert "Wang Fang" in e.zh and "礼节性回访" in e.zh and f"商机 {deal}" in e.zh and e.text("zh") == e.zh
    small.record_move("blue", 14, deal, "courtesy_call")  # another team: its own state
    assert len(small.moves()) == 2


def test_moves_outside_the_open_week_are_refused(small):
    sim = small.simulation("red")
    (deal, stage), (other, _) = open_deals(sim)[:2]
    small.record_move("red", 14, deal, "courtesy_call")
    assert small.close_week("red", 14, trainee="Zhao Min") is True
    with pytest.raises(MoveRefused) as info:
        small.record_move("red", 14, other, "courtesy_call")
    assert info.value.en == "Week 14 is closed (Zhao Min closed it); moves now go into week 15."
    assert "Zhao Min" in info.value.zh and "第 15 周" in info.value.zh
    with pytest.raises(MoveRefused, match="Week 17 is not open yet: team red is playing week 15"):
        small.record_move("red", 17, other, "courtesy_call")
    with pytest.raises(MoveRefused, match="before the workshop's play, which starts in week 14"):
        small.record_move("red", 10, other, "courtesy_call")
    with pytest.raises(StoreError, match="Week 16 is not open yet"):
        small.close_week("red", 16)
    assert small.close_week("red", 14) is False and small.week("red") == 14 and small.week("blue") == 13


def test_the_workshop_ends_with_its_period(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=1, accounts=30, start_week=10, period_weeks=2)
    assert store.close_week("team1", 11) and store.close_week("team1", 12)
    with pytest.raises(MoveRefused, match="period ended at week 12"):
        store.record_move("team1", 13, 1, "courtesy_call")
    with pytest.raises(StoreError, match="period ended at week 12"):
        store.close_week("team1", 13)


@pytest.mark.parametrize("change,message", [
    ({"team": "green"}, "No team named 'green'; the teams are: red, blue"),
    ({"deal_id": 10**9}, "no such deal in the team's world"),
    ({"deal_id": "later"}, "is created in week"),
    ({"action": "bribe"}, "unknown action 'bribe'"),
    ({"action": "unfit"}, "does not fit stage"),
    ({"outcome": "wrong"}, "does not match the simulation's"),
    ({"style": "A"}, "styles need the people layer"),
    ({"week": 14.0}, "week must be a whole number"),
])
def test_bad_moves_get_a_clear_error_and_store_nothing(small, change, message):
    sim = small.simulation("red")
    deal, stage = open_deals(sim)[0]
    args = {"team": "red", "week": 14, "deal_id": deal, "action": "courtesy_call"}
    kw: dict = {}
    if change.get("deal_id") == "later":
        d = sim.world.deals
        change = {"deal_id": int(d.deal_id[d.created_week == 20].iloc[0])}
    if change.get("action") == "unfit":
        fits = {a.key for a in actions_for(sim.funnel, stage)}
        change = {"action": next(a for a in ("propose_trial", "needs_interview") if a not in fits)}
    if change.get("outcome") == "wrong":
        true = str(sim.preview({deal: "courtesy_call"}).outcome.iloc[0])
        kw["outcome"] = "order" if true != "order" else "advance"
        change = {}
    if "style" in change:
        kw["style"] = change.pop("style")
    args.update(change)
    with pytest.raises(StoreError, match=message):
        small.record_move(args["team"], args["week"], args["deal_id"], args["action"], **kw)
    assert small.moves().empty


def test_withdraw_keeps_the_move_and_frees_the_deal(small):
    sim = small.simulation("red")
    deal, stage = open_deals(sim)[0]
    first = small.record_move("red", 14, deal, "courtesy_call", trainee="Li")
    small.withdraw("red", 14, deal, trainee="Li")
    with pytest.raises(StoreError, match=f"Deal {deal} has no move in week 14"):
        small.withdraw("red", 14, deal)
    action = actions_for(sim.funnel, stage)[0].key
    second = small.record_move("red", 14, deal, action)
    m = small.moves().set_index("id")
    assert m.loc[first, "withdrawn"] and m.loc[first, "withdrawn_by"] == "Li" and pd.notna(m.loc[first, "withdrawn_at"])
    assert not m.loc[second, "withdrawn"]
    small.close_week("red", 14)
    assert small.actions("red") == ([{deal: action}], [{}])
    with pytest.raises(MoveRefused, match="Week 14 is closed"):
        small.withdraw("red", 14, deal)


def test_classify_checks_the_answer_and_stores_it_once(small):
    sim = small.simulation("red")
    deal, _ = open_deals(sim)[0]
    small.record_move("red", 14, deal, "courtesy_call")
    outcome = str(sim.preview({deal: "courtesy_call"}).outcome.iloc[0])
    wrong = "order" if outcome != "order" else "no_sale"
    with pytest.raises(StoreError, match="does not match answer"):
        small.classify("red", 14, deal, wrong, True)
    with pytest.raises(StoreError, match="answer must be one of"):
        small.classify("red", 14, deal, "maybe", False)
    small.classify("red", 14, deal, wrong, False)
    small.classify("red", 14, deal, wrong)  # the same answer again: nothing changes
    with pytest.raises(StoreError, match="already classified"):
        small.classify("red", 14, deal, outcome, True)
    m = small.moves().iloc[0]
    assert m.answer == wrong and m.correct == False and pd.notna(m.answered_at)  # noqa: E712
    board = small.leaderboard().set_index("team")
    assert board.loc["red", "quiz_answered"] == 1 and board.loc["red", "quiz_score"] == 0.0
    assert board.loc["blue", "quiz_answered"] == 0 and np.isnan(board.loc["blue", "quiz_score"])


def test_threads_share_one_store_object(small):
    deals = [d for d, _ in open_deals(small.simulation("red"))][:48]
    errors: list[BaseException] = []
    ids: list[int] = []

    def writer(chunk):
        try:
            ids.extend(small.record_move("red", 14, d, "courtesy_call", trainee="t") for d in chunk)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(deals[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(ids) == sorted(small.moves().id) and len(ids) == 48


def test_a_busy_database_is_waited_for_never_surfaced(tmp_path):
    WorkshopStore.init(tmp_path, teams=1, accounts=30).close()
    store = WorkshopStore.open(tmp_path, busy_timeout=0.05)  # SQLite gives up fast: the store's retry must carry on
    deal = open_deals(store.simulation("team1"))[0][0]
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.6, lambda: blocker.execute("COMMIT")).start()
    t0 = time.perf_counter()
    store.record_move("team1", 14, deal, "courtesy_call")
    assert time.perf_counter() - t0 >= 0.5 and len(store.moves()) == 1
    impatient = WorkshopStore.open(tmp_path, busy_timeout=0.05, busy_deadline=0.3)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreError) as info:
        impatient.close_week("team1", 14)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert "stayed busy for 0.3 s" in str(info.value) and "database is locked" not in str(info.value)
    assert store.week("team1") == 13


# --- replay, leaderboard, export ----------------------------------------------------------------
REPLAY_CHECK = """
import sys, numpy as np
from simfunnel.workshop.store import WorkshopStore
from simfunnel.analysis.metrics import indicators
store = WorkshopStore.open(sys.argv[1])
sc = store.scenario("red")
table = indicators(store.simulation("red").history, sc["quota"], sc["threshold"], start_week=13)
np.save(sys.argv[2], table.to_numpy(dtype=float), allow_pickle=False)
"""


def test_replay_reproduces_the_indicators_to_the_cent_after_reopening(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=["red", "blue"], seed=3, accounts=80, threshold=30_000)
    played = {"red": play(store, "red", 6, 7, seed=1, trainee="Li"), "blue": play(store, "blue", 3, 5, seed=2)}
    store.close()
    again = WorkshopStore.open(tmp_path / "w" / STORE_FILE)  # a fresh object, as after a kernel restart
    tables = {}
    for team, sim in played.items():
        sc = again.scenario(team)
        expected = indicators(sim.history, sc["quota"], sc["threshold"], start_week=13)
        rebuilt = again.simulation(team)
        assert rebuilt.week == again.week(team) == sim.week
        assert rebuilt.actions_taken == sim.actions_taken
        pd.testing.assert_frame_equal(indicators(rebuilt.history, sc["quota"], sc["threshold"], start_week=13),
                                      expected, check_exact=True)
        tables[team] = expected
    out = tmp_path / "red.npy"  # and in a fresh process
    run = subprocess.run([sys.executable, "-c", REPLAY_CHECK, str(tmp_path / "w"), str(out)], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert np.array_equal(np.load(out), tables["red"].to_numpy(dtype=float), equal_nan=True)

    # The leaderboard's documented definitions, recomputed from the played simulations.
    board = again.leaderboard().set_index("team")
    moves = again.moves()
    for team, sim in played.items():
        row, t = board.loc[team], tables[team]
        sc = again.scenario(team)
        mine = moves[(moves.team == team) & ~moves.withdrawn]
        answered = mine[mine.answer.notna()]
        assert row.week == sim.week and row.weeks_played == sim.week - 13 and row.moves == len(mine)
        assert row.booked == t.booked.iloc[-1] == sim.history.deals.query(
            "status == 'won' and closed_week > 13").amount.sum()
        assert row.booked_vs_quota == row.booked / sc["quota"]
        assert row.forecast_accuracy == max(0.0, 1 - t.forecast_error.abs().mean())
        assert row.progress_vs_benchmark == t.progress.iloc[1:].mean() / t.benchmark.iloc[0]
        assert row.records_entered == records_entered(sim.history, sc["threshold"], start_week=13) > 0
        assert row.quiz_answered == len(answered) > 0
        assert row.quiz_score == answered.correct.astype(bool).mean()
    assert list(again.status().moves) == [len(moves[(moves.team == t) & ~moves.withdrawn]) for t in again.teams]


def test_people_layer_moves_and_styles_replay(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["red"], seed=5, accounts=80, people=True)
    sim = store.simulation("red")
    assert sim.people is not None
    present = [(d, s) for d, s in open_deals(sim) if s == "evaluation"]
    meet = [(d, s) for d, s in open_deals(sim) if s == "approved"]
    deal, other = present[0][0], present[1][0]
    account = int(sim.world.deals.set_index("deal_id").account_id[other])
    contact = int(sim.world.contacts.query("account_id == @account").contact_id.iloc[0])
    store.record_move("red", 14, deal, "arrange_demo", style="A")
    store.record_move("red", 14, other, "propose_trial", style=("B", contact))
    store.record_move("red", 14, meet[0][0], "meet_decision_maker")
    sim.step({deal: "arrange_demo", other: "propose_trial", meet[0][0]: "meet_decision_maker"},
             {deal: "A", other: ("B", contact)})
    store.close_week("red", 14)
    acts, styles = store.actions("red")
    assert styles == [{deal: "A", other: ("B", contact)}] and acts[0][meet[0][0]] == "meet_decision_maker"
    rebuilt = WorkshopStore.open(tmp_path).simulation("red")
    q = store.scenario("red")["quota"]
    pd.testing.assert_frame_equal(indicators(rebuilt.history, q, 0, start_week=13),
                                  indicators(sim.history, q, 0, start_week=13), check_exact=True)
    assert rebuilt.coverage.met == sim.coverage.met


def test_export_is_safe_to_open_in_excel(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=["+red", "@blue"], seed=9, accounts=40)
    play(store, "+red", 1, 3, seed=4, trainee=EVIL)
    store.record_move("@blue", 14, open_deals(store.simulation("@blue"))[0][0], "courtesy_call", trainee="-1+1")
    (xlsx,) = store.export(tmp_path / "out" / "workshop.xlsx")
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["moves", "leaderboard"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    moves = book["moves"]
    header = [c.value for c in moves[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in moves.iter_rows(min_row=2)]
    assert len(rows) == len(store.moves())
    assert {r["trainee"] for r in rows} == {"'" + EVIL, "'-1+1"} and {r["team"] for r in rows} == {"'+red", "'@blue"}
    assert all(isinstance(r["deal_id"], int) and isinstance(r["draw"], float) and isinstance(r["week"], int)
               for r in rows)
    board = book["leaderboard"]
    assert [c.value for c in board[1]][:3] == ["team", "week", "weeks_played"]
    assert [board.cell(row=i, column=1).value for i in (2, 3)] == ["'+red", "'@blue"]
    assert isinstance(board.cell(row=2, column=5).value, (int, float))  # booked: a number, not text

    written = store.export(tmp_path / "out" / "moves.csv")
    assert [p.name for p in written] == ["moves.csv", "moves-leaderboard.csv"]
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    with open(written[0], encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert {r["trainee"] for r in got} == {"'" + EVIL, "'-1+1"}
    assert all(float(r["draw"]) < 1 and not r["draw"].startswith("'") for r in got)
    with pytest.raises(StoreError, match="export to .csv or .xlsx"):
        store.export(tmp_path / "out.json")


def test_status_reports_weeks_moves_and_last_activity(small):
    deal = open_deals(small.simulation("red"))[0][0]
    small.record_move("red", 14, deal, "courtesy_call")
    small.classify("red", 14, deal, "continuation")
    s = small.status().set_index("team")
    assert list(s.columns) == ["week", "open_week", "moves", "withdrawn", "classified", "last_activity"]
    assert s.loc["red"].tolist()[:5] == [13, 14, 1, 0, 1] and pd.notna(s.loc["red", "last_activity"])
    assert s.loc["blue"].tolist()[:5] == [13, 14, 0, 0, 0] and pd.isna(s.loc["blue", "last_activity"])
    assert json.loads(sqlite3.connect(small.path).execute("SELECT value FROM meta WHERE key='config'").fetchone()[0]
                      )["accounts"] == 60


def test_move_records_are_the_moves_a_board_reads(tmp_path):
    """``move_records`` (a board's clock reads it at every teammate's move) holds what ``moves()`` holds for the
    team: withdrawn moves flagged, answers and their judgement, styles parsed, oldest first."""
    store = WorkshopStore.init(tmp_path, teams=["red", "blue"], seed=5, accounts=80, people=True)
    sim = store.simulation("red")
    present = [d for d, s in open_deals(sim) if s == "evaluation"]
    store.record_move("red", 14, present[0], "arrange_demo", style="A", trainee="Li")
    store.record_move("red", 14, present[1], "arrange_demo", trainee="Wang")
    store.record_move("blue", 14, open_deals(store.simulation("blue"))[0][0], "courtesy_call", trainee="Zhao")
    store.classify("red", 14, present[0], "advance")
    store.withdraw("red", 14, present[1], trainee="Wang")
    records = store.move_records("red")
    frame = store.moves("red")
    assert [r.id for r in records] == frame["id"].tolist() and len(records) == 2
    for r, row in zip(records, frame.itertuples(index=False)):
        assert (r.week, r.deal_id, r.action, r.style, r.outcome, r.trainee, r.withdrawn) == (
            row.week, row.deal_id, row.action, row.style, row.outcome, row.trainee, row.withdrawn)
        assert r.answer == (None if pd.isna(row.answer) else row.answer)
        assert r.correct == (None if pd.isna(row.correct) else bool(row.correct))
    assert records[0].style == "A" and records[0].answer == "advance" and isinstance(records[0].correct, bool)
    assert records[1].withdrawn and records[1].correct is None
    with pytest.raises(StoreError):
        store.move_records("green")
