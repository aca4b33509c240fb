"""Join codes and names: the short code a team's trainees type to join it, the team's name for people, the
names trainees give themselves.

A code is :data:`CODE_LENGTH` characters drawn with :mod:`secrets` from :data:`CODE_ALPHABET` — capital
letters and digits without the look-alikes 0/O, 1/I/L — so it is read off a card or a projector and typed
without a doubt. Entry is forgiving: lower case, spaces and dashes are accepted (:func:`normalize_code`).
A workshop's codes are unique, and a code once retired (:meth:`~simfunnel.workshop.access.AccessMixin.
regenerate_code`) is never handed out again, so an old card cannot open another team.

A trainee's name is compared by :func:`name_key` (Unicode NFKC, case folded, inner spaces collapsed):
"Li Lei", "li  lei" and "ＬＩ ＬＥＩ" are one name in a team.

A team has one name for people everywhere (:func:`default_team_name` unless the trainer gave one): the
team ``team3`` is 第 3 组 / Team 3 by language, any other key reads as written.

The store keeps the codes in its ``join_codes`` table; :func:`assign_codes` gives every team without a live
code one (``init`` and the schema's upgrade to version 3 call it inside their transaction).

Example:
    >>> normalize_code(" k7m-x2p "), normalize_code("K7MX2O"), normalize_code("")
    ('K7MX2P', None, None)
    >>> code = new_code()
    >>> len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    True
    >>> name_key(" Li   Lei "), name_key("ＬＩ ＬＥＩ")
    ('li lei', 'li lei')
    >>> default_team_name("team3", "zh"), default_team_name("team3", "en"), default_team_name("华东组", "en")
    ('第 3 组', 'Team 3', '华东组')
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import unicodedata
from typing import Container

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "new_code", "normalize_code", "name_key", "assign_codes",
           "default_team_name", "team_words"]

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: nothing to misread
CODE_LENGTH = 6  # 31**6 ≈ 887 million codes
_SEPARATORS = re.compile(r"[\s\-_.·•]+")
_SPACES = re.compile(r"\s+")
_TEAM_N = re.compile(r"team ?(\d+)", re.IGNORECASE)


def new_code(taken: Container[str] = ()) -> str:
    """A fresh code (:mod:`secrets`), not in ``taken``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normalize_code(text: object) -> str | None:
    """A code as typed → the code as stored (upper case, spaces and dashes dropped), or None if it cannot be one.

    Full-width characters (typed with a Chinese input method) are read as their ASCII twins.
    """
    if not isinstance(text, str):
        return None
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def name_key(name: str) -> str:
    """How two names are compared within a team: NFKC, case folded, spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def assign_codes(conn: sqlite3.Connection, now: str) -> dict[str, str]:
    """Give every team without a live code a new one (inside the caller's transaction); the codes given."""
    taken = {row[0] for row in conn.execute("SELECT code FROM join_codes")}
    missing = [row[0] for row in conn.execute(
        "SELECT team FROM teams WHERE team NOT IN (SELECT team FROM join_codes WHERE retired_at IS NULL) "
        "ORDER BY position")]
    given = {}
    for team in missing:
        code = new_code(taken)
        taken.add(code)
        conn.execute("INSERT INTO join_codes (code, team, created_at) VALUES (?, ?, ?)", (code, team, now))
        given[team] = code
    return given


def default_team_name(team: str, lang: str = "en") -> str:
    """A team's name for people when the trainer gave none: ``team3`` → 第 3 组 / Team 3; other keys as written."""
    found = _TEAM_N.fullmatch(team)
    if found:
        return f"第 {found[1]} 组" if lang == "zh" else f"Team {found[1]}"
    return team


def team_words(team: str, display_name: str | None) -> dict[str, str]:
    """The fields a sentence names a team with: ``team_zh``, ``team_en`` and ``team_en_cap`` (a sentence's start).

    A name for people (given, or 第 3 组 / Team 3) stands alone; a bare key reads "red 组" / "team red".

    >>> team_words("team3", None)["team_zh"], team_words("red", None)["team_en_cap"], team_words("red", "华东组")["team_en"]
    ('第 3 组', 'Team red', '华东组')
    """
    if display_name:
        return {"team_zh": display_name, "team_en": display_name, "team_en_cap": display_name}
    zh, en = default_team_name(team, "zh"), default_team_name(team, "en")
    if zh == team:  # a key, not a name: say it is a team
        zh, en = f"{team} 组", f"team {team}"
    return {"team_zh": zh, "team_en": en, "team_en_cap": en[:1].upper() + en[1:]}
