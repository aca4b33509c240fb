"""Who may act for a team: the teams' join codes and the trainees' names bound to their browsers.

**Join codes** (:mod:`~simfunnel.workshop.codes`). ``init`` gives every team a short code; a trainee joins
with it (:func:`simfunnel.workshop.session.join_with_code`), never by picking a team from a list. The trainer
reads them (:meth:`AccessMixin.team_codes`, ``simfunnel workshop codes``) and can replace one
(:meth:`AccessMixin.regenerate_code`): the old code stops working at once — for new joins, and for the pages
that joined with it (their next action is refused: :meth:`AccessMixin.check_access`).

**Names.** The first trainee to join a team under a name owns it there: the store keeps the name with a
SHA-256 hash of the page's browser token (an opaque id the page keeps: a cookie, localStorage). The name
reconnects from the same browser only, or from another one once the trainer allows it
(:meth:`AccessMixin.allow_rejoin`, ``simfunnel workshop allow``) — the new browser then owns it and the old
page's next action is refused. A name claimed without a browser token can only be taken back with the
trainer's leave. Names are compared by :func:`~simfunnel.workshop.codes.name_key` ("Li" = "li").

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=7, accounts=30)
    >>> code = store.team_codes()["team2"]
    >>> store.team_for_code(code.lower()), store.team_for_code("ABC")
    ('team2', None)
    >>> store.claim_name("team2", "Li", browser="tab-1"), store.claim_name("team2", "li", browser="tab-1")
    ('Li', 'Li')
    >>> store.claim_name("team2", "Li", browser="tab-2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simfunnel.workshop.errors.StoreError: The name 'Li' is already used in Team 2 from another browser...
    >>> new = store.regenerate_code("team2"); store.team_for_code(code) is None and store.team_for_code(new)
    'team2'
"""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import pandas as pd

from simfunnel.workshop.codes import assign_codes, name_key, new_code, normalize_code
from simfunnel.workshop.errors import MAX_NAME, StoreError, clean_text, refusal
from simfunnel.workshop.schema import utc_now, utc_times

__all__ = ["AccessMixin", "browser_hash", "TRAINEE_COLUMNS"]

TRAINEE_COLUMNS = ("team", "trainee", "browser_bound", "rejoin_allowed", "joined_at", "last_joined_at")
MAX_TOKEN = 512


def browser_hash(browser: object) -> str | None:
    """The SHA-256 (hex) of a browser token as the store keeps it; None for no token.

    Raises:
        StoreError: a token that is not text, or longer than 512 characters.
    """
    if browser is None or browser == "":
        return None
    if not isinstance(browser, str) or len(browser) > MAX_TOKEN:
        raise StoreError(f"browser must be a text token of at most {MAX_TOKEN} characters")
    return hashlib.sha256(browser.encode("utf-8")).hexdigest()


class AccessMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s join codes and trainees."""

    # --- codes -----------------------------------------------------------------------------------
    def team_codes(self) -> dict[str, str]:
        """team → its live join code, in the teams' order (a team missing one gets it now)."""
        def read(conn: sqlite3.Connection) -> dict[str, str]:
            rows = dict(conn.execute("SELECT team, code FROM join_codes WHERE retired_at IS NULL").fetchall())
            return {team: rows[team] for team in self._teams if team in rows}

        codes = self._transaction(read, write=False)
        if len(codes) < len(self._teams):  # cannot happen after init or the upgrade; repaired if it does
            self._transaction(lambda c: assign_codes(c, utc_now()))
            codes = self._transaction(read, write=False)
        return codes

    def team_for_code(self, code: object) -> str | None:
        """The team whose live code this is (as typed: any case, spaces and dashes ignored), else None."""
        wanted = normalize_code(code)
        if wanted is None:
            return None
        row = self._transaction(lambda c: c.execute(
            "SELECT team FROM join_codes WHERE code = ? AND retired_at IS NULL", (wanted,)).fetchone(), write=False)
        return None if row is None else str(row[0])

    def regenerate_code(self, team: str) -> str:
        """Give the team a new join code; the old one stops working (pages joined with it can no longer act).

        Returns:
            The new code.

        Raises:
            StoreError: an unknown team.
        """
        self._team(team)

        def update(conn: sqlite3.Connection) -> str:
            now = utc_now()
            taken = {row[0] for row in conn.execute("SELECT code FROM join_codes")}
            conn.execute("UPDATE join_codes SET retired_at = ? WHERE team = ? AND retired_at IS NULL", (now, team))
            code = new_code(taken)
            conn.execute("INSERT INTO join_codes (code, team, created_at) VALUES (?, ?, ?)", (code, team, now))
            return code

        return str(self._transaction(update))

    # --- trainees --------------------------------------------------------------------------------
    def claim_name(self, team: str, trainee: str, browser: str | None = None) -> str:
        """Bind ``trainee`` to this browser in ``team`` (first join), or reconnect it; the name as first written.

        A name already bound to another browser (or claimed without a token) is refused unless the trainer
        allowed a rejoin (:meth:`allow_rejoin`): then this browser takes it over.

        Raises:
            StoreError: an unknown team, an empty or invalid name, a bad token, or the name taken (zh and en).
        """
        self._team(team)
        name = clean_text("trainee", trainee, limit=MAX_NAME, empty=False)
        key, token = name_key(name), browser_hash(browser)

        def update(conn: sqlite3.Connection) -> str:
            now = utc_now()
            row = conn.execute("SELECT trainee, browser, rejoin_allowed FROM trainees WHERE team = ? AND name_key = ?",
                               (team, key)).fetchone()
            if row is None:
                conn.execute("INSERT INTO trainees (team, name_key, trainee, browser, joined_at, last_joined_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (team, key, name, token, now, now))
                return name
            stored, bound, allowed = row
            if not allowed and (token is None or bound != token):
                raise refusal(StoreError, "name_taken", name=stored, **self.team_words(team, conn))
            conn.execute("UPDATE trainees SET browser = ?, rejoin_allowed = 0, last_joined_at = ? "
                         "WHERE team = ? AND name_key = ?", (token, now, team, key))
            return str(stored)

        return str(self._transaction(update))

    def allow_rejoin(self, team: str, trainee: str) -> str:
        """Let the next browser that joins ``team`` as ``trainee`` take the name over (a new laptop, a lost
        cookie); the old page can no longer act once it has. Returns the name as stored.

        Raises:
            StoreError: an unknown team, or nobody of that name has joined the team.
        """
        self._team(team)
        key = name_key(clean_text("trainee", trainee, limit=MAX_NAME, empty=False))

        def update(conn: sqlite3.Connection) -> str:
            row = conn.execute("SELECT trainee FROM trainees WHERE team = ? AND name_key = ?", (team, key)).fetchone()
            if row is None:
                raise refusal(StoreError, "no_trainee", name=trainee.strip(), **self.team_words(team, conn))
            conn.execute("UPDATE trainees SET rejoin_allowed = 1 WHERE team = ? AND name_key = ?", (team, key))
            return str(row[0])

        return str(self._transaction(update))

    def check_access(self, team: str, trainee: str, *, code: str, browser: str | None) -> None:
        """Refuse (a :class:`StoreError`, zh and en) when a page joined with ``code`` as ``trainee`` may no longer
        act for ``team``: the code was regenerated, or the name now belongs to another browser."""
        self._team(team)
        key, token = name_key(trainee), browser_hash(browser)

        def read(conn: sqlite3.Connection) -> tuple:
            live = conn.execute("SELECT 1 FROM join_codes WHERE team = ? AND code = ? AND retired_at IS NULL",
                                (team, code)).fetchone()
            bound = conn.execute("SELECT browser FROM trainees WHERE team = ? AND name_key = ?", (team, key)).fetchone()
            return live, bound, self.team_words(team, conn)

        live, bound, words = self._transaction(read, write=False)
        if live is None:
            raise refusal(StoreError, "code_retired", **words)
        if bound is None or bound[0] != token:
            raise refusal(StoreError, "name_moved", name=trainee, **words)

    def trainees(self, team: str | None = None) -> pd.DataFrame:
        """The trainees who joined with a code (all teams, or one), in order of joining.

        Columns (:data:`TRAINEE_COLUMNS`): team, trainee, browser_bound (a browser token is kept),
        rejoin_allowed (the trainer allowed another browser), joined_at, last_joined_at (UTC).
        """
        if team is not None:
            self._team(team)
        sql = ("SELECT team, trainee, browser IS NOT NULL, rejoin_allowed, joined_at, last_joined_at FROM trainees"
               + (" WHERE team = ?" if team is not None else "") + " ORDER BY joined_at, rowid")
        rows = self._transaction(lambda c: c.execute(sql, (team,) if team is not None else ()).fetchall(),
                                 write=False)
        df = pd.DataFrame(rows, columns=list(TRAINEE_COLUMNS), dtype=object)
        for col in ("browser_bound", "rejoin_allowed"):
            df[col] = df[col].astype(np.int64).astype(bool)
        for col in ("joined_at", "last_joined_at"):
            df[col] = utc_times(df[col])
        return df
