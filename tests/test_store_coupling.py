"""Workshop stores replay with the coupling they were played with (simulate.COUPLINGS)."""

import json
import sqlite3

from simfunnel.store import WorkshopStore


def test_a_new_store_plays_monotone_and_one_without_the_key_replays_classic(tmp_path):
    store = WorkshopStore.init(tmp_path / "w", teams=2, seed=3, accounts=30)
    assert store.config["coupling"] == "monotone" and store.simulation(store.teams[0]).coupling == "monotone"
    store.close()
    conn = sqlite3.connect(tmp_path / "w" / "workshop.sqlite")  # as a store made before the key existed
    config = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()[0])
    del config["coupling"]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'config'", (json.dumps(config, sort_keys=True),))
    conn.commit()
    conn.close()
    old = WorkshopStore.open(tmp_path / "w")
    assert old.simulation(old.teams[0]).coupling == "classic"
