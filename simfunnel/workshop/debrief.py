"""The debrief of a workshop: each team's timeline, the indicators round by round, what-if branches, a handout.

Everything is read from the workshop store (:class:`~simfunnel.workshop.store.WorkshopStore`), through
its public API:

- :func:`timeline` — one team's decisions, their outcomes, the replies as the trainees
  classified them, the market events that hit the team, default decisions, rounds
  opened and closed, moves withdrawn; each row with a sentence in zh or en.
- :func:`round_indicators` — the three indicators (销售预计 forecast, 已成交 booked and
  漏斗外销售额 out-of-funnel booked, 销售进展 progress against the benchmark) at the end of
  every round, for every team (round 0 = the start of play).
- :func:`branch` — a **what-if branch** (:mod:`~simfunnel.workshop.whatif`): take a team at a round,
  change decisions of that round (another action on a deal, a move removed, a move added) or the
  threshold, and replay forward with the same random draws (common random numbers: week *w* draws the
  same uniform per deal whatever the actions). The difference from the original is caused
  by the change alone; a branch without a change reproduces the original to the cent.
- :func:`report` — a self-contained HTML handout (charts embedded as PNG) in zh or en
  (laid out by :mod:`~simfunnel.workshop.handout`).

**Rounds** (:func:`rounds`, :mod:`~simfunnel.workshop.played`). A store in rounds mode
(``weeks_per_round > 0``) numbers its rounds itself; rounds that were reset (the practice round) or are
still open are not "played". A free-play store (teams close their own weeks) treats each closed week as
a round: round *k* is week ``start_week + k``.

This module is pure: matplotlib is imported only while :func:`report` draws the handout. It is the
debrief's public face: the names of :mod:`~simfunnel.workshop.whatif` and :mod:`~simfunnel.workshop.played`
that callers use are importable from here.

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore, play_demo
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=["red", "blue"], seed=7, accounts=40)
    >>> _ = play_demo(store, weeks=2, seed=1)
    >>> list(round_indicators(store).query("team == 'red'")["round"])
    [0, 1, 2]
    >>> b = branch(store, "red", at_round=1)        # no change: the original, to the cent
    >>> b.original.equals(b.branched)
    True
    >>> deal = int(store.moves("red").deal_id.iloc[0])
    >>> b = branch(store, "red", at_round=1, changes={deal: None})   # what if we had not acted on it?
    >>> before = b.original.week < b.change_week                       # the change is in week 14
    >>> b.change_week, b.original[before][KNOWN_THEN].equals(b.branched[before][KNOWN_THEN])
    (14, True)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.model.replies import OUTCOME_LABELS
from simfunnel.workshop.handout import write_handout
from simfunnel.workshop.played import (
    TEXT,
    action_label,
    check_threshold,
    money,
    phrase,
    plays_in_rounds,
    round_names,
    rounds,
    team_indicators,
)
from simfunnel.workshop.whatif import KNOWN_THEN, SUMMARY_METRICS, Branch, BranchError, branch

if TYPE_CHECKING:
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["TEXT", "BranchError", "KNOWN_THEN", "TIMELINE_KINDS", "TIMELINE_COLUMNS", "ROUND_INDICATOR_COLUMNS",
           "SUMMARY_METRICS", "Branch", "rounds", "timeline", "round_indicators", "branch", "report", "phrase",
           "action_label", "round_names", "money"]

TIMELINE_KINDS = ("round_open", "event", "move", "withdrawn", "default", "round_close")
TIMELINE_COLUMNS = ("round", "round_kind", "week", "kind", "deal_id", "amount", "action", "style", "outcome",
                    "from_stage", "to_stage", "answer", "correct", "trainee", "at", "text")
ROUND_INDICATOR_COLUMNS = ("team", "round", "kind", "first_week", "week", "forecast", "booked",
                           "out_of_funnel_booked", "progress", "benchmark", "quota")
_KIND_ORDER = {k: i for i, k in enumerate(TIMELINE_KINDS)}


def _outcome_label(outcome: object, lang: str) -> str:
    return i18n.text(OUTCOME_LABELS[outcome], lang) if outcome in OUTCOME_LABELS else "—"


def _round_of_weeks(played: pd.DataFrame) -> dict[int, int]:
    return {int(w): int(r) for r, a, b in zip(played["round"], played["first_week"], played["last_week"])
            for w in range(int(a), int(b) + 1)}


# --- the timeline -------------------------------------------------------------------------------
def _closed_weeks(store: "WorkshopStore", team: str) -> list[tuple[int, pd.Timestamp, str]]:
    """Free play: (week, closed_at, closed_by) of the team's closed weeks (the store's ``closed_weeks``)."""
    table = store.closed_weeks(team)
    return [(int(w), a, str(b or "")) for w, a, b in zip(table["week"], table["closed_at"], table["closed_by"])]


def _defaults(store: "WorkshopStore", team: str) -> list[tuple[int, str, object]]:
    """Rounds mode: (round, trainee, recorded_at) of the team's default decisions (no move, no submission)."""
    table = store.submissions()
    table = table[(table["team"] == team) & table["is_default"].astype(bool)]
    return list(zip(table["round"].astype(int), table["trainee"].fillna(""), table["submitted_at"]))


def _by_label(by: object, lang: str) -> str:
    text = "" if by is None or (isinstance(by, float) and math.isnan(by)) else str(by)
    if text == "trainer":
        return phrase("by_trainer", lang)
    if text == "timer":
        return phrase("by_timer", lang)
    return text


def _stamp(value: object) -> pd.Timestamp:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return pd.NaT
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def timeline(store: "WorkshopStore", team: str, lang: str | None = None) -> pd.DataFrame:
    """One team's workshop, in order: rounds opened and closed, market events, moves, defaults, withdrawals.

    Columns (:data:`TIMELINE_COLUMNS`): ``round`` (its number; free play: week − start_week),
    ``round_kind`` ('practice' | 'scored'), ``week`` (the simulation week it belongs to),
    ``kind`` (:data:`TIMELINE_KINDS`), ``deal_id``, ``amount``, ``action`` (key), ``style``,
    ``outcome``, ``from_stage``, ``to_stage``, ``answer`` (the trainees' classification of the
    reply), ``correct``, ``trainee``, ``at`` (UTC time it happened) and ``text``: one sentence
    in ``lang`` (zh or en) saying what happened. Market events are listed once they have hit
    the team (what trainees may see); moves withdrawn once, as ``withdrawn``.

    Raises:
        ValueError: an unknown team or language.
    """
    lang = i18n.resolve_language(lang)
    store.scenario(team)  # checks the team
    world = store.world(team)
    funnel = world.funnel
    amounts = pd.Series(world.deals["amount"].to_numpy(dtype=float), index=world.deals["deal_id"].to_numpy())
    played = rounds(store, team)
    round_of = _round_of_weeks(played)
    kinds = dict(zip(played["round"], played["kind"]))
    all_rounds = store.rounds() if plays_in_rounds(store) else None
    if all_rounds is not None:
        kinds.update(zip(all_rounds["number"].astype(int), all_rounds["kind"].astype(str)))
    rows: list[dict[str, Any]] = []

    def add(kind: str, week: object, rnd: object = None, **values: Any) -> None:
        w = None if week is None else int(week)
        r = rnd if rnd is not None and not pd.isna(rnd) else round_of.get(w) if w is not None else None
        if r is None and w is not None and all_rounds is None and w > store.start_week:
            r = w - store.start_week  # free play: an open week is the round it will be
        rows.append({"round": None if r is None else int(r), "week": w, "kind": kind, **values})

    def stage(key: object) -> str:
        return funnel.label(str(key), lang) if isinstance(key, str) else "—"

    for m in store.moves(team).to_dict("records"):
        amount = float(amounts.get(m["deal_id"], math.nan))
        action = action_label(m["action"], lang)
        common = {k: m[k] for k in ("deal_id", "action", "style", "outcome", "from_stage", "to_stage", "answer",
                                    "correct", "trainee")}
        common["amount"] = amount
        if m["withdrawn"]:
            why = phrase("practice_reset", lang) if m.get("withdrawn_by") == "practice reset" else ""
            add("withdrawn", m["week"], m.get("round"), at=_stamp(m["withdrawn_at"]),
                text=phrase("withdrawn", lang, deal=m["deal_id"], action=action, why=why), **common)
            continue
        if m["answer"] is None or pd.isna(m["answer"]):
            reply = phrase("reply_none", lang)
        else:
            reply = phrase("reply_right" if bool(m["correct"]) else "reply_wrong", lang,
                           answer=_outcome_label(m["answer"], lang))
        style = m["style"]
        style_text = "" if style is None else phrase("style", lang,
                                                     style=style[0] if isinstance(style, tuple) else style)
        moved = m["from_stage"] != m["to_stage"]
        add("move", m["week"], m.get("round"), at=_stamp(m["created_at"]), **common,
            text=phrase("move", lang, deal=m["deal_id"], amount=money(store, amount, lang),
                        stage=stage(m["from_stage"]), action=action, style=style_text,
                        outcome=_outcome_label(m["outcome"], lang), reply=reply,
                        move_to=phrase("move_to", lang, to=stage(m["to_stage"])) if moved else ""))

    events = getattr(store, "events", None)
    if callable(events):
        for e in events(team, hidden=False, lang=lang).to_dict("records"):
            add("event", e["week"], None, at=_stamp(e.get("created_at")), text=phrase("event", lang, text=e["text"]))

    if all_rounds is not None:
        for r in all_rounds.to_dict("records"):
            number, kind = int(r["number"]), str(r["kind"])
            deadline = _stamp(r.get("deadline"))
            timer = "" if pd.isna(deadline) else phrase("timer", lang,
                                                        deadline=deadline.to_pydatetime().astimezone().strftime("%H:%M"))
            add("round_open", r["first_week"], number, at=_stamp(r.get("opened_at")),
                text=phrase("round_open", lang, **round_names(number, kind), timer=timer,
                            weeks=phrase("weeks" if r["last_week"] > r["first_week"] else "one_week", lang,
                                         first=int(r["first_week"]), last=int(r["last_week"]))))
            if str(r["status"]) in ("closed", "reset") and not pd.isna(_stamp(r.get("closed_at"))):
                add("round_close", r["last_week"], number, at=_stamp(r.get("closed_at")),
                    text=phrase("round_close", lang, **round_names(number, kind),
                                by=_by_label(r.get("closed_by"), lang)))
            if str(r["status"]) == "reset":
                add("round_close", r["last_week"], number, at=pd.NaT, text=phrase("round_reset", lang))
        first_weeks = dict(zip(all_rounds["number"].astype(int), all_rounds["first_week"].astype(int)))
        for number, trainee, at in _defaults(store, team):
            add("default", first_weeks.get(number), number, at=_stamp(at), trainee=trainee,
                text=phrase("default", lang))
    else:
        for week, closed_at, closed_by in _closed_weeks(store, team):
            by = phrase("week_close_by", lang, by=_by_label(closed_by, lang)) if closed_by else ""
            add("round_close", week, None, at=_stamp(closed_at), trainee=closed_by,
                text=phrase("week_close", lang, week=week, by=by))

    df = pd.DataFrame(rows, columns=["round", "week", "kind"] + [c for c in TIMELINE_COLUMNS
                                                                   if c not in ("round", "week", "kind", "round_kind")])
    df["round_kind"] = [kinds.get(r) if r is not None and not pd.isna(r) else None for r in df["round"]]
    df["_order"] = df["kind"].map(_KIND_ORDER)
    df["at"] = pd.to_datetime(df["at"], utc=True).astype("datetime64[us, UTC]")
    df = df.sort_values(["round", "week", "_order", "at"], kind="stable", na_position="last")
    df = df.drop(columns="_order").reset_index(drop=True)[list(TIMELINE_COLUMNS)]
    for col in ("round", "week", "deal_id"):
        df[col] = pd.array([None if v is None or pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    df["amount"] = df["amount"].astype(float)
    df["correct"] = pd.array([None if v is None or pd.isna(v) else bool(v) for v in df["correct"]], dtype="boolean")
    for col in ("round_kind", "kind", "action", "style", "outcome", "from_stage", "to_stage", "answer", "trainee",
                "text"):
        df[col] = pd.Series([None if not isinstance(v, (str, tuple)) else v for v in df[col]], index=df.index,
                            dtype=object)
    return df


# --- the indicators round by round ------------------------------------------------------------
def round_indicators(store: "WorkshopStore", threshold: float | None = None) -> pd.DataFrame:
    """The three indicators at the end of each round played, for every team (round 0 = the start of play).

    Each team's history is the store's replay; ``I = metrics.indicators(history, quota, T,
    start_week, period_weeks)`` with the store's threshold (or ``threshold``). A row per
    team and round: ``week`` = the round's last week (``start_week`` for round 0),
    ``forecast``, ``booked``, ``out_of_funnel_booked`` = I's row of that week, ``progress`` =
    the mean of I's weekly progress over the round's weeks (NaN for round 0), ``benchmark``
    (the weekly progress needed), ``quota``; ``kind`` and ``first_week`` of the round. A practice
    round is not shown (it leaves no trace; a scored round can only open after its reset).
    Columns: :data:`ROUND_INDICATOR_COLUMNS`.
    """
    T = check_threshold(threshold) if threshold is not None else float(store.config["threshold"])
    s = store.start_week
    out = []
    for team in store.teams:
        quota = float(store.scenario(team)["quota"])
        table = team_indicators(store, store.simulation(team).history, quota, T).set_index("week")
        played = rounds(store, team)
        played = played[played["kind"] != "practice"]  # practice leaves no trace (and is reset before round 1)
        marks = [(0, "start", s, s)] + list(zip(played["round"], played["kind"], played["first_week"],
                                                played["last_week"]))
        for number, kind, first, last in marks:
            row = table.loc[int(last)]
            progress = table.loc[int(first):int(last), "progress"].mean() if number else math.nan
            out.append({"team": team, "round": int(number), "kind": kind, "first_week": int(first),
                        "week": int(last), "forecast": float(row["forecast"]), "booked": float(row["booked"]),
                        "out_of_funnel_booked": float(row["out_of_funnel_booked"]), "progress": float(progress),
                        "benchmark": float(row["benchmark"]), "quota": quota})
    df = pd.DataFrame(out, columns=list(ROUND_INDICATOR_COLUMNS))
    return df.astype({"round": np.int64, "first_week": np.int64, "week": np.int64})


def saved_branches(store: "WorkshopStore") -> list[Branch]:
    """The what-if branches saved in the store (:meth:`~simfunnel.workshop.store.WorkshopStore.save_branch`),
    replayed now with the same draws, oldest first."""
    return [branch(store, r.team, int(r.round), r.changes, None if pd.isna(r.threshold) else float(r.threshold))
            for r in store.saved_branches().itertuples(index=False)]


def report(store: "WorkshopStore", path: str | Path, lang: str = "en", branches: Sequence[Branch] = (),
           *, include_saved: bool = True) -> Path:
    """Write the debrief as one self-contained HTML file (charts embedded as base64 PNG) to hand out.

    Sections: the leaderboard (with the score and its weights when the store scores), charts
    comparing teams, the three indicators round by round across teams (chart, and each round's
    progress against the benchmark), the what-if branches saved in the store (:func:`saved_branches`,
    unless ``include_saved`` is False) then the ``branches`` given (chart and the leaderboard's
    measures, original vs branch), each team's timeline (decisions, outcomes, replies, market
    events that hit it, defaults, rounds). Every text is in ``lang`` (zh or en); only team and
    trainee names and currency codes stay as they are. Print it to PDF from any browser.

    Returns:
        the path written (its folder is created if missing).

    Raises:
        ValueError: an unknown language, or a branch that is not a :class:`Branch` of this store's teams.
    """
    lang = i18n.resolve_language(lang)
    branches = (saved_branches(store) if include_saved else []) + list(branches)
    for b in branches:
        if not isinstance(b, Branch):
            raise ValueError(f"branches: expected Branch objects (debrief.branch(...)), got {type(b).__name__}")
        if b.team not in store.teams:
            raise ValueError(f"branches: team {b.team!r} is not a team of this workshop")
    return write_handout(store, path, lang, branches, indicators=round_indicators(store),
                         timelines={team: timeline(store, team, lang) for team in store.teams})
