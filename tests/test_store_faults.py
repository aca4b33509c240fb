"""Workshop store faults (issue 6, point 6): a writer killed with SIGKILL in the middle of a move, 30
concurrent writer processes, two writers racing for the same deal.

Writers are processes started by a ``multiprocessing`` fork server (forked from a single-threaded
server with simfunnel already imported, so they start fast and never inherit a lock another thread of
the test run held) that each open the store themselves and write through the public API.
The 30-writer test plays a world of 1,000 accounts, so each team has more than 500 deals open at
once and every move is a real one (checked against the team's simulation), on distinct deals.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import time

import numpy as np
import pytest

from simfunnel.model.actions import actions_for
from simfunnel.workshop.store import MoveRefused, StoreError, WorkshopStore

from test_store import open_deals

# forkserver, not fork: a worker of the test run may have threads (a widget's clock, SQLite's), and a child forked
# from a threaded process can inherit a lock held by another thread and hang; the fork server is single-threaded.
CTX = mp.get_context("forkserver")
CTX.set_forkserver_preload(["numpy", "pandas", "simfunnel.workshop.store", "simfunnel.model.simulate"])
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fault tests start writer processes from a fork server (POSIX only)")


# --- a writer killed with SIGKILL -----------------------------------------------------------------
def _endless_writer(path: str, team: str, conn, seed: int) -> None:
    """Record moves and close weeks until killed; report each committed move's id (and each closed week)."""
    store = WorkshopStore.open(path)
    rng = np.random.default_rng(seed)
    while True:
        week = store.open_week(team)
        sim = store.simulation(team)
        deals = open_deals(sim)
        for k in rng.permutation(len(deals))[:12]:
            deal, stage = deals[k]
            fitting = actions_for(sim.funnel, stage)
            try:
                move_id = store.record_move(team, week, deal, fitting[int(rng.integers(len(fitting)))].key,
                                            trainee=f"writer {seed}")
            except MoveRefused:  # a move on it survived the previous writer's death
                continue
            conn.send_bytes(f"move {move_id}\n".encode())  # one short write (header and bytes): atomic on a pipe
        if store.close_week(team, week, trainee=f"writer {seed}"):
            conn.send_bytes(f"closed {week}\n".encode())


def _read_lines(conn, buffer: bytearray) -> list[str]:
    buffer.extend(conn.recv_bytes())  # EOFError once the writer is gone and nothing is left
    *lines, rest = buffer.split(b"\n")
    buffer[:] = rest
    return [line.decode() for line in lines]


def test_a_writer_killed_mid_move_loses_no_committed_move_and_leaves_no_half_row(tmp_path):
    # 39 weeks of play (weeks 14–52): room for the up to 8 × 40 reported moves at ≤ 12 a week, so the writer
    # never reaches the period's end (where record_move refuses and the writer would die on its own)
    store = WorkshopStore.init(tmp_path, teams=["red"], seed=21, accounts=200, period_weeks=39)
    store.close()
    rng = np.random.default_rng(2026)
    reported: set[int] = set()
    closed: list[int] = []
    kills = 8
    for cycle in range(kills):
        read_conn, write_conn = CTX.Pipe(duplex=False)
        writer = CTX.Process(target=_endless_writer, args=(str(store.path), "red", write_conn, cycle))
        writer.start()
        write_conn.close()  # the writer holds the only write end: its death ends the pipe
        buffer = bytearray()
        target, got = int(rng.integers(5, 40)), 0
        try:
            while got < target:
                for line in _read_lines(read_conn, buffer):
                    kind, value = line.split()
                    (reported.add if kind == "move" else closed.append)(int(value))
                    got += kind == "move"
            time.sleep(float(rng.uniform(0, 0.002)))  # a random moment: almost always inside record_move
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            writer.join(10)
        try:
            while True:  # what the writer reported before it died
                for line in _read_lines(read_conn, buffer):
                    kind, value = line.split()
                    (reported.add if kind == "move" else closed.append)(int(value))
        except EOFError:
            read_conn.close()
        assert writer.exitcode == -signal.SIGKILL

    raw = sqlite3.connect(store.path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("SELECT COUNT(*) FROM weeks").fetchone()[0] == raw.execute(
        "SELECT weeks_closed FROM teams").fetchone()[0]
    raw.close()
    reopened = WorkshopStore.open(store.path)
    moves = reopened.moves()
    stored = set(moves.id)
    assert reported <= stored  # no committed move lost
    assert len(stored - reported) <= kills  # at most the one move in flight per kill: committed, not yet reported
    assert len(reported) >= 5 * kills
    # Weeks closed likewise: every one reported is closed, at most one per kill closed but not reported.
    week_now = reopened.week("red")
    assert closed == sorted(set(closed)) and set(closed) <= set(range(14, week_now + 1))
    assert 0 <= week_now - 13 - len(closed) <= kills

    # Every row complete and true: its draw is the week's uniform, its outcome the one the replay gives.
    required = ["team", "week", "deal_id", "action", "outcome", "from_stage", "to_stage", "sim_seed", "draw",
                "created_at"]
    assert moves[required].notna().all().all() and moves.trainee.str.startswith("writer ").all()
    sim = reopened.simulation("red")
    world = reopened.world("red")
    pos = world.deals.deal_id.to_numpy().searchsorted(moves.deal_id.to_numpy())
    seed = reopened.scenario("red")["sim_seed"]
    draws = {w: np.random.default_rng([seed, w]).random(len(world.deals)) for w in set(moves.week)}
    assert all(m.draw == draws[m.week][p] for m, p in zip(moves.itertuples(), pos))
    events = sim.history.events.dropna(subset=["action"]).set_index(["week", "deal_id"])
    done = moves[moves.week <= reopened.week("red")]
    assert len(events) == len(done)
    for m in done.itertuples():
        e = events.loc[(m.week, m.deal_id)]
        assert (e.action, e.from_stage, e.to_stage) == (m.action, m.from_stage, m.to_stage)
        # the stored outcome is the customer's response: an order when won, a no-sale when lost
        assert m.outcome in (("order",) if m.to_stage == "won" else ("no_sale",) if m.to_stage == "lost"
                             else ("advance", "continuation"))
    # and the store carries on
    week = reopened.open_week("red")
    deal = next(d for d, _ in open_deals(sim) if d not in set(moves.deal_id[moves.week == week]))
    assert reopened.record_move("red", week, deal, "courtesy_call") > max(stored)


# --- 30 writers at once ---------------------------------------------------------------------------
def _batch_writer(path: str, team: str, plan: list[tuple[int, str]], barrier, results, k: int) -> None:
    ids, errors = [], []
    try:
        store = WorkshopStore.open(path)
        week = store.open_week(team)
        store.world(team)
        barrier.wait(30)
        for deal, action in plan:
            try:
                ids.append(store.record_move(team, week, deal, action, trainee=f"writer {k}"))
            except Exception as exc:  # every error is reported, none swallowed
                errors.append(f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    results.put((k, ids, errors))


def test_thirty_writers_across_six_teams_store_every_move_exactly_once(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=6, seed=77, accounts=1000)
    plans = {}
    for team in store.teams:
        sim = store.simulation(team)
        deals = open_deals(sim)
        assert len(deals) >= 500
        plans[team] = [(d, actions_for(sim.funnel, s)[0].key) for d, s in deals[:500]]
    store.close()
    barrier, results = CTX.Barrier(30), CTX.Queue()
    writers = []
    for k in range(30):
        team = f"team{k % 6 + 1}"
        plan = plans[team][(k // 6) * 100:(k // 6 + 1) * 100]
        writers.append(CTX.Process(target=_batch_writer, args=(str(store.path), team, plan, barrier, results, k)))
    t0 = time.perf_counter()
    for w in writers:
        w.start()
    reports = [results.get(timeout=120) for _ in writers]
    for w in writers:
        w.join(30)
    elapsed = time.perf_counter() - t0
    assert [w.exitcode for w in writers] == [0] * 30
    assert [e for _, _, errs in reports for e in errs] == []
    ids = [i for _, got, _ in reports for i in got]
    assert len(ids) == len(set(ids)) == 3000

    moves = WorkshopStore.open(store.path).moves()
    assert len(moves) == 3000 and set(moves.id) == set(ids)
    assert not moves.duplicated(["team", "deal_id"]).any()
    assert moves.groupby("team").size().to_dict() == {f"team{i}": 500 for i in range(1, 7)}
    for team, plan in plans.items():
        mine = moves[moves.team == team].set_index("deal_id").action
        assert mine.sort_index().to_dict() == dict(sorted(plan))
    print(f"30 writers x 100 moves: {elapsed:.2f} s")


# --- two writers, one deal ----------------------------------------------------------------------
def _racer(path: str, team: str, deals: list[int], action: str, name: str, barrier, results) -> None:
    store = WorkshopStore.open(path)
    week = store.open_week(team)
    store.world(team)
    for deal in deals:
        barrier.wait(30)
        try:
            results.put((deal, name, "stored", store.record_move(team, week, deal, action, trainee=name), ""))
        except MoveRefused as exc:
            results.put((deal, name, "refused", exc.en, exc.zh))
        except StoreError as exc:  # pragma: no cover - would fail the test below
            results.put((deal, name, "error", str(exc), ""))


def test_two_writers_on_one_deal_one_stored_one_refused_with_the_clear_message(tmp_path):
    store = WorkshopStore.init(tmp_path, teams=["red"], seed=8, accounts=100)
    deals = [d for d, _ in open_deals(store.simulation("red"))][:12]
    store.close()
    barrier, results = CTX.Barrier(2), CTX.Queue()
    racers = [CTX.Process(target=_racer, args=(str(store.path), "red", deals, action, name, barrier, results))
              for action, name in (("courtesy_call", "Wang Fang"), ("send_brochure", "Li Lei"))]
    for r in racers:
        r.start()
    got = [results.get(timeout=60) for _ in range(2 * len(deals))]
    for r in racers:
        r.join(30)
    assert [r.exitcode for r in racers] == [0, 0]
    label = {"Wang Fang": ("Courtesy call", "礼节性回访"), "Li Lei": ("Send a brochure", "发送产品资料")}
    moves = WorkshopStore.open(store.path).moves().set_index("deal_id")
    assert len(moves) == len(deals)
    for deal in deals:
        pair = sorted((r for r in got if r[0] == deal), key=lambda r: r[2])  # refused, stored
        assert [r[2] for r in pair] == ["refused", "stored"], pair
        refused, stored = pair
        winner = stored[1]
        assert moves.loc[deal, "trainee"] == winner and moves.loc[deal, "id"] == stored[3]
        assert refused[3] == (f"Deal {deal} already has a move in week 14: {winner} chose '{label[winner][0]}'. "
                              "One move per deal and week.")
        assert winner in refused[4] and label[winner][1] in refused[4]


def test_threads_that_come_and_go_share_a_few_connections_and_none_is_left_open(tmp_path):
    """A server's threads come and go (a page's clock, Solara's workers): the store lends connections per
    transaction, never one per thread ever seen (issue 12's room test grew 81 MiB a minute that way)."""
    import threading

    from simfunnel.workshop.schema import MAX_IDLE_CONNECTIONS

    store = WorkshopStore.init(tmp_path / "ws", teams=2, seed=1, accounts=30)
    versions: list[int] = []
    start = threading.Barrier(8)

    def read(k: int) -> None:
        if k < 8:
            start.wait()  # eight at once: more than the idle connections kept
        versions.append(store.board_version(store.teams[k % 2]))

    for batch in (range(8), range(8, 208)):
        threads = [threading.Thread(target=read, args=(k,)) for k in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(versions) == 208
    assert len(store._connections) <= MAX_IDLE_CONNECTIONS and len(store._idle) == len(store._connections)
    opened = list(store._connections)
    store.close()
    assert not store._connections
    for conn in opened:  # closed, not just forgotten
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
