"""Workshop stores replay with the coupling they were played with (simulate.COUPLINGS)."""

import json
import sqlite3

from simfunnel.workshop.store import WorkshopStore



def _drop_config_key(folder, key: str) -> None:
    """Make the store in ``folder`` look made before its config had ``key``."""
    conn = sqlite3.connect(folder / "workshop.sqlite")
    config = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()[0])
    del config[key]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'config'", (json.dumps(config, sort_keys=True),))
    conn.commit()
    conn.close()

def test_a_new_store_plays_monotone_and_one_without_the_key_replays_classic(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=2, seed=3, accounts=30)
    assert store.config["coupling"] == "monotone" and store.simulation(store.teams[0]).coupling == "monotone"
    store.close()
    _drop_config_key(tmp_path / "w", "coupling")  # as a store made before the key existed
    old = WorkshopStore.open(tmp_path / "w")
    assert old.simulation(old.teams[0]).coupling == "classic"


def test_a_new_store_draws_responses_and_one_without_the_key_replays_responses_as_moves(tmp_path):
    """Issue 13: a store made before the customer's response had its own draw replays as it was played (the
    response was the move, relationship actions never advanced); a new store records the response."""
    store = WorkshopStore.init(tmp_path / "w", teams=["red"], seed=3, accounts=40)
    assert store.config["responses"] == "commitments" and store.simulation("red").responses == "commitments"
    store.close()
    _drop_config_key(tmp_path / "w", "responses")
    old = WorkshopStore.open(tmp_path / "w")
    sim = old.simulation("red")
    assert sim.responses == "moves"
    d = sim.history.deals
    deal = int(d.deal_id[(d.status == "open") & (d.created_week <= sim.week)].iloc[0])
    old.record_move("red", sim.week + 1, deal, "send_brochure")
    move = old.moves("red").iloc[-1]
    assert move.outcome == {"won": "order", "lost": "no_sale"}.get(move.to_stage, "continuation")
    assert move.to_stage in (move.from_stage, "lost")  # a relationship action never advanced then


def test_pace_sets_how_fast_deals_move_and_decisions_show_in_revenue(tmp_path):
    import pytest

    from simfunnel.model.generate import generate
    from simfunnel.workshop.store import StoreError, play_demo

    normal = WorkshopStore.init(tmp_path / "normal", teams=["idle", "busy"], seed=2026, same_world=True)
    fast = WorkshopStore.init(tmp_path / "fast", teams=["idle", "busy"], seed=2026, same_world=True, pace="fast")
    assert normal.config["exit_hazard"] == 0.3 and fast.config["exit_hazard"] == 0.5
    plain = generate(seed=2026)  # the normal pace is the kit's world, unchanged (datasets/workshop)
    assert normal.world("idle").deals.equals(plain.deals)
    assert fast.world("idle").chain["stay"].tolist() == [0.5] * 5  # leaves its stage with chance 0.5 a week
    assert (fast.world("idle").chain["advance"] / 0.5).round(12).tolist() == \
        (plain.chain["advance"] / 0.3).round(12).tolist()  # the same stage win rates
    booked = {}
    for name, store in (("normal", normal), ("fast", fast)):
        play_demo(store, weeks=9, seed=1, moves_per_week=[0, 12])
        lb = store.leaderboard().set_index("team")
        booked[name] = lb.booked["busy"] / lb.booked["idle"]
    # acting pays, and what it adds more than doubles in a fast world
    assert booked["normal"] > 1.0 and booked["fast"] - 1 > 2 * (booked["normal"] - 1)
    with pytest.raises(StoreError, match="pace must be 'normal' or 'fast' or a weekly chance"):
        WorkshopStore.init(tmp_path / "bad", teams=2, seed=1, pace="slow")
    with pytest.raises(StoreError, match="pace must be"):
        WorkshopStore.init(tmp_path / "bad2", teams=2, seed=1, pace=1.5)
    custom = WorkshopStore.init(tmp_path / "custom", teams=2, seed=1, accounts=30, pace=0.4)
    assert custom.config["exit_hazard"] == 0.4


def test_cli_pace(tmp_path, capsys):
    from simfunnel.cli import main

    assert main(["workshop", "init", "--dir", str(tmp_path / "w"), "--teams", "2", "--seed", "3", "--pace", "fast",
                 "--accounts", "30"]) == 0
    assert "pace 0.5" in capsys.readouterr().out
    assert main(["workshop", "init", "--dir", str(tmp_path / "v"), "--teams", "2", "--seed", "3", "--pace", "slow"]) == 2
    assert "--pace must be normal, fast or a weekly chance" in capsys.readouterr().err
