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
"""

from __future__ import annotations

from simfunnel.model.generate import World, WorldParams, generate
from simfunnel.model.history import PERIOD_WEEKS
from simfunnel.workshop.errors import StoreError, refusal
from simfunnel.workshop.schema import DEFAULT_EXIT_HAZARD

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

    @property
    def start_week(self) -> int:
        """The week play starts from."""
        return int(self.config["start_week"])

    @property
    def end_week(self) -> int:
        """The last week of the workshop's period (``start_week + period_weeks``)."""
        return int(self.config["start_week"]) + int(self.config["period_weeks"])

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
