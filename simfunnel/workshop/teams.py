"""The workshop store's teams and their scenarios: names, seeds, the worlds as drawn, the quotas.

**Scenarios.** Team *i* (0-based, in the order given) plays the world
``generate(accounts, seed=world_seed, funnel=preset, weeks=weeks)`` with
``Simulation(world, seed=sim_seed)`` (``people=PeopleParams()`` when ``people=True``),
where ``world_seed, sim_seed = SeedSequence([seed, i]).generate_state(2)``. With
``same_world=True`` every team plays the same world **and** the same simulation seed,
``world_seed = sim_seed = seed`` — the same market and the same luck (common random
numbers), so the leaderboard's differences are caused by the teams' decisions alone
(``pace="fast"`` draws the worlds with a weekly exit hazard of 0.5 instead of 0.3 — the same
win rates — so decisions show in a quarter's revenue);
with ``seed=2026`` and 200 accounts that is the world of ``datasets/workshop``.
A team's world with its market events is :mod:`simfunnel.workshop.market`'s.

**Names.** A team has a key (``team1``, or the names given to ``init``: the store's and the exports'
column) and one name for people, shown everywhere a person reads it (:meth:`TeamsMixin.team_name`): the
trainer's (``init(names=…)``, :meth:`TeamsMixin.set_team_name`), else 第 1 组 / Team 1 by language for
``team1`` …, else the key as written.
"""

from __future__ import annotations

import sqlite3

from simfunnel.i18n import resolve_language
from simfunnel.model.funnel import Funnel
from simfunnel.model.generate import World, WorldParams, generate
from simfunnel.model.history import PERIOD_WEEKS
from simfunnel.workshop.codes import default_team_name, team_words
from simfunnel.workshop.errors import MAX_NAME, StoreError, clean_text, refusal
from simfunnel.workshop.schema import DEFAULT_EXIT_HAZARD, check_display_name

__all__ = ["TeamsMixin"]


class TeamsMixin:
    """:class:`~simfunnel.workshop.store.WorkshopStore`'s teams and scenarios (the worlds as drawn, kept per object)."""

    @property
    def teams(self) -> list[str]:
        """Team names in the order given at ``init``."""
        return list(self._teams)

    def _team(self, team: object) -> dict:
        info = self._teams.get(team) if isinstance(team, str) else None
        if info is None:
            raise refusal(StoreError, "unknown_team", team=team, teams=", ".join(self._teams))
        return info

    # --- names for people -----------------------------------------------------------------------
    def _display_names(self, conn: sqlite3.Connection | None = None) -> dict[str, str | None]:
        """team → the trainer's name for it (None: none given), read now (another process may have set one)."""
        sql = "SELECT team, display_name FROM teams ORDER BY position"
        if conn is not None:
            return dict(conn.execute(sql).fetchall())
        return dict(self._transaction(lambda c: c.execute(sql).fetchall(), write=False))

    def team_name(self, team: str, lang: str | None = None) -> str:
        """The team's name for people in ``lang``: the trainer's, else 第 3 组 / Team 3 for ``team3``, else its key.

        Raises:
            StoreError: an unknown team.
        """
        self._team(team)
        given = self._display_names().get(team)
        return given or default_team_name(team, resolve_language(lang))

    def team_names(self, lang: str | None = None) -> dict[str, str]:
        """team → its name for people in ``lang`` (:meth:`team_name`), in the teams' order."""
        lang = resolve_language(lang)
        return {team: given or default_team_name(team, lang) for team, given in self._display_names().items()}

    def team_words(self, team: str, conn: sqlite3.Connection | None = None) -> dict[str, str]:
        """The fields the store's sentences name a team with: ``team_zh``, ``team_en``, ``team_en_cap``
        (:func:`simfunnel.workshop.codes.team_words`)."""
        self._team(team)
        return team_words(team, self._display_names(conn).get(team))

    def set_team_name(self, team: str, name: str | None) -> str:
        """Give the team a name for people (``None`` or ``""``: back to the default); returns its name in English.

        Raises:
            StoreError: an unknown team, a name longer than 60 characters or on several lines, or a name
                another team already has (its key, default or given name, without case).
        """
        self._team(team)
        name = None if name is None else clean_text("team display name", name, limit=MAX_NAME) or None

        def update(conn: sqlite3.Connection) -> None:
            if name is not None:
                check_display_name(name, [(t, d) for t, d in self._display_names(conn).items() if t != team])
            conn.execute("UPDATE teams SET display_name = ? WHERE team = ?", (name, team))

        self._transaction(update)
        return self.team_name(team, "en")

    def resolve_team(self, text: str) -> str:
        """The team a trainer means: its key, or its name for people in either language (without case).

        Raises:
            StoreError: no team goes by that name.
        """
        if isinstance(text, str) and text in self._teams:
            return text
        wanted = str(text).strip().casefold()
        for team, given in self._display_names().items():
            names = {team, given or "", default_team_name(team, "zh"), default_team_name(team, "en")}
            if wanted in {n.casefold() for n in names if n}:
                return team
        raise refusal(StoreError, "unknown_team", team=text, teams=", ".join(self._teams))

    @property
    def start_week(self) -> int:
        """The week play starts from."""
        return int(self.config["start_week"])

    @property
    def end_week(self) -> int:
        """The last week of the workshop's period (``start_week + period_weeks``)."""
        return int(self.config["start_week"]) + int(self.config["period_weeks"])

    @property
    def funnel(self) -> Funnel:
        """The funnel every team plays (the workshop's preset): its stages are the columns of the trainees' boards."""
        return Funnel.preset(self.config["preset"])

    def scenario(self, team: str) -> dict:
        """The team's scenario: seeds, preset, accounts, weeks, threshold, quota, people.

        ``quota`` is the world's expected quarterly bookings scaled to ``period_weeks``.
        """
        info = self._team(team)
        c = self.config
        return {
            "team": team, "position": info["position"], "world_seed": info["world_seed"],
            "sim_seed": info["sim_seed"], "preset": c["preset"], "accounts": c["accounts"], "weeks": c["weeks"],
            "start_week": c["start_week"], "period_weeks": c["period_weeks"], "end_week": self.end_week,
            "threshold": c["threshold"], "quota": self._quota(team), "people": c["people"],
            "same_world": c["same_world"], "currency": c["currency"],
        }

    def _quota(self, team: str) -> float:
        # the world as drawn (market events never move the target set before play)
        return float(self._base_world(team).quota) * int(self.config["period_weeks"]) / PERIOD_WEEKS

    def _base_world(self, team: str) -> "World":
        seed = self._team(team)["world_seed"]
        with self._lock:
            world = self._worlds.get(seed)
            if world is None:
                c = self.config
                hazard = c.get("exit_hazard", DEFAULT_EXIT_HAZARD)  # stores made before the pace: normal
                params = None if hazard == DEFAULT_EXIT_HAZARD else WorldParams(exit_hazard=hazard)
                world = generate(c["accounts"], seed=seed, funnel=c["preset"], weeks=c["weeks"],
                                 currency=c["currency"], params=params)
                self._worlds[seed] = world
            return world
