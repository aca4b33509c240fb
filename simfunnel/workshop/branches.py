"""What-if branches the trainer made, kept in the workshop store so that every handout shows them.

A branch is only its recipe — team, round, the changed decisions (deal → action, or ``None`` to remove
the move) and the threshold — never its numbers: :func:`simfunnel.workshop.whatif.branch` replays it
from the store with the same random draws whenever it is needed, so a saved branch always agrees with
the moves it changes.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping

import pandas as pd

from simfunnel.workshop.errors import StoreError, clean_text, whole_number
from simfunnel.workshop.schema import utc_now

__all__ = ["BranchesMixin", "BRANCH_COLUMNS"]

BRANCH_COLUMNS = ("id", "team", "round", "changes", "threshold", "made_at", "made_by")


class BranchesMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s saved what-if branches."""

    def save_branch(self, team: str, at_round: int, changes: Mapping[int, str | None] | None = None,
                    threshold: float | None = None, *, by: str = "") -> int:
        """Keep a what-if branch's recipe (the same branch twice is kept once); returns its id.

        Raises:
            StoreError: an unknown team, a round that is not a whole number ≥ 0, or a threshold < 0.
        """
        if team not in self.teams:
            raise StoreError(f"unknown team {team!r}; the teams are {', '.join(self.teams)}")
        at_round = whole_number("round", at_round, 0)
        recipe = {str(int(deal)): (None if action is None else str(action)) for deal, action in (changes or {}).items()}
        if threshold is not None and (not isinstance(threshold, (int, float)) or not math.isfinite(threshold)
                                      or threshold < 0):
            raise StoreError(f"threshold must be an amount ≥ 0, got {threshold!r}")
        text = json.dumps(recipe, sort_keys=True)
        by = clean_text("made_by", by, limit=60)

        def save(conn: sqlite3.Connection) -> int:
            found = conn.execute("SELECT id FROM whatifs WHERE team = ? AND round = ? AND changes = ? AND "
                                 "threshold IS ?", (team, at_round, text, threshold)).fetchone()
            if found:
                return int(found[0])
            return int(conn.execute("INSERT INTO whatifs (team, round, changes, threshold, made_at, made_by) "
                                    "VALUES (?, ?, ?, ?, ?, ?)",
                                    (team, at_round, text, threshold, utc_now(), by)).lastrowid)

        return self._transaction(save)

    def saved_branches(self) -> pd.DataFrame:
        """The saved branches, oldest first: id, team, round, changes (deal → action or None), threshold,
        made_at, made_by."""
        rows = self._transaction(lambda c: c.execute(
            "SELECT id, team, round, changes, threshold, made_at, made_by FROM whatifs ORDER BY id").fetchall(),
            write=False)
        out = pd.DataFrame(rows, columns=list(BRANCH_COLUMNS))
        out["changes"] = [{int(k): v for k, v in json.loads(text).items()} for text in out["changes"]]
        return out
