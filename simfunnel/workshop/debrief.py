"""The debrief of a workshop: each team's timeline, the indicators round by round, what-if branches, a handout.

Everything is read from the workshop store (:class:`~simfunnel.workshop.store.WorkshopStore`):

- :func:`timeline` — one team's decisions, their outcomes, the replies as the trainees
  classified them, the market events that hit the team, default decisions, rounds
  opened and closed, moves withdrawn; each row with a sentence in zh or en.
- :func:`round_indicators` — the three indicators (销售预计 forecast, 已成交 booked and
  漏斗外销售额 out-of-funnel booked, 销售进展 progress against the benchmark) at the end of
  every round, for every team (round 0 = the start of play).
- :func:`branch` — a **what-if branch**: take a team at a round, change decisions of that
  round (another action on a deal, a move removed, a move added) or the threshold, and
  replay forward with the same random draws (common random numbers: week *w* draws the
  same uniform per deal whatever the actions). The difference from the original is caused
  by the change alone; a branch without a change reproduces the original to the cent.
- :func:`report` — a self-contained HTML handout (charts embedded as PNG) in zh or en.

**Rounds.** A store in rounds mode (``weeks_per_round > 0``) numbers its rounds itself;
rounds that were reset (the practice round) or are still open are not "played". A
free-play store (teams close their own weeks) treats each closed week as a round: round
*k* is week ``start_week + k``.

This module is pure: it imports matplotlib only inside :func:`report`.

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

import base64
import html
import io
import math
import numbers
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.analysis.metrics import INDICATOR_COLUMNS, indicators, records_entered

if TYPE_CHECKING:
    from simfunnel.model.history import History
    from simfunnel.model.simulate import Simulation
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["TEXT", "BranchError", "KNOWN_THEN", "TIMELINE_KINDS", "TIMELINE_COLUMNS", "ROUND_INDICATOR_COLUMNS",
           "SUMMARY_METRICS", "Branch", "rounds", "timeline", "round_indicators", "branch", "report"]

TIMELINE_KINDS = ("round_open", "event", "move", "withdrawn", "default", "round_close")
TIMELINE_COLUMNS = ("round", "round_kind", "week", "kind", "deal_id", "amount", "action", "style", "outcome",
                    "from_stage", "to_stage", "answer", "correct", "trainee", "at", "text")
ROUND_INDICATOR_COLUMNS = ("team", "round", "kind", "first_week", "week", "forecast", "booked",
                           "out_of_funnel_booked", "progress", "benchmark", "quota")
# The branch's summary: metric → higher is better? (None: neither). The forecast at the team's week, then the
# measures of WorkshopStore.leaderboard with its definitions.
SUMMARY_METRICS = {"forecast": None, "booked": True, "forecast_accuracy": True, "progress_vs_benchmark": True,
                   "records_entered": False}
_DIFF_COLUMNS = ("forecast", "booked", "out_of_funnel_booked", "progress")
# The indicator columns known at their week; forecast_error and censored look ahead (what the deals then brought).
KNOWN_THEN = [c for c in INDICATOR_COLUMNS if c not in ("forecast_error", "censored")]

# Every user-facing text of the debrief: (zh, en).
TEXT: dict[str, tuple[str, str]] = {
    # timeline sentences
    "move": ("商机 {deal}（{amount}，{stage}）：{action}{style} → {outcome}{move_to}；{reply}",
             "Deal {deal} ({amount}, {stage}): {action}{style} → {outcome}{move_to}; {reply}"),
    "move_to": ("，进入「{to}」", ", now {to}"),
    "style": ("（{style} 型风格）", " (style {style})"),
    "reply_right": ("回复判断为「{answer}」（正确）", "reply classified as {answer} (right)"),
    "reply_wrong": ("回复判断为「{answer}」（错误）", "reply classified as {answer} (wrong)"),
    "reply_none": ("回复未判断", "reply not classified"),
    "withdrawn": ("撤回：商机 {deal} 的「{action}」{why}", "Withdrawn: {action} on deal {deal}{why}"),
    "practice_reset": ("（练习回合重置）", " (practice round reset)"),
    "default": ("未提交：默认决策（不采取行动：延续）",
                "Nothing submitted: the default decision (no action: continuation)"),
    "round_open": ("{round_zh}开始（{weeks}）{timer}", "{round_cap} opened ({weeks}){timer}"),
    "weeks": ("第 {first}–{last} 周", "weeks {first}–{last}"),
    "one_week": ("第 {first} 周", "week {first}"),
    "practice_short": ("练习", "practice"),
    "timer": ("，限时至 {deadline}", ", timer until {deadline}"),
    "round_close": ("{round_zh}结束（{by}）", "{round_cap} closed by {by}"),
    "round_reset": ("练习回合已重置，不计分", "The practice round was reset: no trace in scores"),
    "week_close": ("第 {week} 周结束{by}", "Week {week} closed{by}"),
    "week_close_by": ("（{by}）", " by {by}"),
    "by_trainer": ("培训师", "the trainer"),
    "by_timer": ("计时器", "the timer"),
    "practice_round": ("练习回合", "the practice round"),
    "scored_round": ("第 {n} 回合", "round {n}"),
    "event": ("市场事件：{text}", "Market event: {text}"),
    # the report
    "title": ("研讨复盘", "Workshop debrief"),
    "meta": ("{teams} 个队 · 第 {first}–{last} 周 · {funnel} · 门槛 {threshold} · 种子 {seed} · 生成于 {time}",
             "{teams} teams · weeks {first}–{last} · {funnel} · threshold {threshold} · seed {seed} · made {time}"),
    "rounds_mode": ("每回合 {k} 周", "{k} weeks a round"),
    "free_play": ("自由进行（每结束一周算一回合）", "free play (each closed week is a round)"),
    "h_board": ("排行榜", "Leaderboard"),
    "h_rounds": ("三个指标：逐回合对比", "The three indicators, round by round"),
    "h_events": ("市场事件", "Market events"),
    "all_teams": ("所有队", "every team"),
    "teams": ("队", "Teams"),
    "h_branches": ("如果当初……：假设分支", "What if: branches"),
    "h_timelines": ("各队时间线", "Each team's timeline"),
    "rank": ("名次", "Rank"),
    "team": ("队", "Team"),
    "week": ("周", "Week"),
    "round": ("回合", "Round"),
    "round_n": ("第 {n} 回合", "Round {n}"),
    "details": ("说明", "Details"),
    "moves": ("行动数", "Moves"),
    "booked": ("已成交", "Booked"),
    "of_quota": ("占任务", "of quota"),
    "forecast": ("销售预计", "Forecast"),
    "out_of_funnel_booked": ("漏斗外销售额", "Out-of-funnel booked"),
    "forecast_accuracy": ("预测准确度", "Forecast accuracy"),
    "progress_vs_benchmark": ("进展 / 基准", "Progress / benchmark"),
    "records_entered": ("录入记录数", "Records entered"),
    "quiz_score": ("答题得分", "Quiz score"),
    "score": ("得分", "Score"),
    "weights": ("得分权重：{weights}（各项在各队之间按最小–最大缩放，最好 = 1；录入记录数越少越好）",
                "Score weights: {weights} (each metric scaled min–max across teams, best = 1; "
                "fewer records entered is better)"),
    "no_score": ("本研讨没有设定得分权重：按已成交排名。", "No score weights in this workshop: ranked by booked."),
    "board_note": ("已成交：本期已进行各周的成交额（漏斗内外）；预测准确度 = 1 − 平均|预测误差|；"
                   "进展 / 基准：平均每周销售进展除以基准进度（1 = 按进度完成任务）。",
                   "Booked: won in the weeks played (in and out of the funnel); forecast accuracy = "
                   "1 − mean |forecast error|; progress / benchmark: mean weekly progress over the benchmark "
                   "(1 = on pace for the quota)."),
    "rounds_note": ("每回合结束时的销售预计与已成交，以及每回合平均每周的销售进展（“开始” = 开始时）。",
                    "Forecast and booked at the end of each round, and each round's mean weekly progress "
                    "(\"start\" = the start of play)."),
    "progress_table": ("每回合平均每周销售进展（绿色 = 达到基准，红色 = 低于基准）",
                       "Mean weekly progress per round (green = at or above the benchmark, red = below)"),
    "benchmark": ("基准进度", "Benchmark"),
    "no_rounds": ("还没有结束的回合。", "No round has been played yet."),
    "no_branches": ("本报告没有假设分支。", "No what-if branch in this report."),
    "branch_head": ("{team}，{round_zh}（第 {week} 周起）", "Team {team}, {round_en} (from week {week})"),
    "change_action": ("商机 {deal}：「{old}」改为「{new}」", "deal {deal}: {old} → {new}"),
    "change_add": ("商机 {deal}：增加「{new}」", "deal {deal}: add {new}"),
    "change_remove": ("商机 {deal}：不做「{old}」", "deal {deal}: no {old}"),
    "change_threshold": ("门槛 {old} 改为 {new}", "threshold {old} → {new}"),
    "no_change": ("不做任何改变（检验：与原来完全相同）", "no change (a check: identical to the original)"),
    "changes": ("改变：{changes}", "Changed: {changes}"),
    "branch_note": ("同样的随机数（共同随机数）重放：差别只来自上面的改变。",
                    "Replayed with the same random draws (common random numbers): the difference is caused by "
                    "the change alone."),
    "metric": ("指标", "Metric"),
    "original": ("原来", "Original"),
    "branched": ("假设分支", "Branch"),
    "difference": ("差别", "Difference"),
    "skipped": ("分支中无法重放的后续行动：{moves}", "Later moves the branch could not replay: {moves}"),
    "skipped_move": ("第 {week} 周商机 {deal}「{action}」（{why}）", "week {week}, deal {deal}, {action} ({why})"),
    "why_closed": ("该商机在分支中已关闭", "the deal is closed in the branch"),
    "why_created": ("该商机在分支中还不存在", "the deal does not exist yet in the branch"),
    "why_stage": ("行动不适合分支中该商机的阶段「{stage}」", "the action does not fit its stage {stage} in the branch"),
    "what": ("事项", "What"),
    "trainee": ("学员", "Trainee"),
    "no_timeline": ("还没有记录。", "Nothing recorded yet."),
    "kind_round_open": ("开始", "opened"),
    "kind_event": ("市场事件", "market event"),
    "kind_move": ("行动", "move"),
    "kind_withdrawn": ("撤回", "withdrawn"),
    "kind_default": ("默认", "default"),
    "kind_round_close": ("结束", "closed"),
    "start": ("开始", "start"),
    "yes": ("是", "yes"),
    # a what-if refused (the English side is the ValueError's message)
    "err_unknown_deal": ("{team} 队的商机里没有编号 {deal}。", "changes: deal {deal} is not in team {team}'s world"),
    "err_no_move": ("商机 {deal} 在第 {week} 周（{round_zh}）没有行动可以去掉。",
                    "changes: deal {deal} has no move in week {week} (round {round}) to remove"),
    "err_obstacle": ("第 {week} 周不能对商机 {deal} 这样做：{why}。", "changes: deal {deal} in week {week}: {detail}"),
    "err_threshold": ("门槛必须是不小于 0 的金额（填的是 {value}）。", "threshold must be an amount ≥ 0, got {value!r}"),
}
_KIND_ORDER = {k: i for i, k in enumerate(TIMELINE_KINDS)}


def _t(key: str, lang: str, **fields: object) -> str:
    return i18n.text(TEXT[key], lang, **fields)


class BranchError(ValueError):
    """A what-if branch refused; ``str(exc)`` is English, ``exc.zh`` / ``exc.en`` (and :meth:`text`) both languages."""

    def __init__(self, key: str, **fields: object) -> None:
        self.en, self.zh = _t(key, "en", **fields), _t(key, "zh", **fields)
        super().__init__(self.en)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


def _round_names(number: int, kind: str | None = None) -> dict[str, str]:
    """A round's name for the texts' fields ``round_zh``, ``round_en``, ``round_cap`` (practice: round 0)."""
    if kind == "practice" or (kind is None and number == 0):
        zh, en = _t("practice_round", "zh"), _t("practice_round", "en")
    else:
        zh, en = _t("scored_round", "zh", n=number), _t("scored_round", "en", n=number)
    return {"round_zh": zh, "round_en": en, "round_cap": en[0].upper() + en[1:]}


# --- small checks -----------------------------------------------------------------------------
def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _whole(name: str, value: object) -> int:
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(float(value)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _threshold(value: object, name: str = "threshold") -> float:
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) < 0:
        raise ValueError(f"{name} must be an amount ≥ 0, got {value!r}")
    return float(value)


def _rounds_mode(store: "WorkshopStore") -> bool:
    return bool(getattr(store, "rounds_mode", False))


def _money(store: "WorkshopStore", value: float, lang: str, compact: bool = True) -> str:
    return i18n.format_money(value, store.config.get("currency", "CNY"), lang, compact=compact)


def _action_label(key: object, lang: str) -> str:
    from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY
    from simfunnel.model.actions import ACTIONS_BY_KEY

    if not isinstance(key, str):
        return "—"
    act = ACTIONS_BY_KEY.get(key) or PEOPLE_ACTIONS_BY_KEY.get(key)
    return act.label(lang) if act is not None else key


def _outcome_label(outcome: object, lang: str) -> str:
    from simfunnel.model.replies import OUTCOME_LABELS

    return i18n.text(OUTCOME_LABELS[outcome], lang) if outcome in OUTCOME_LABELS else "—"


# --- rounds -------------------------------------------------------------------------------------
def rounds(store: "WorkshopStore", team: str | None = None) -> pd.DataFrame:
    """The rounds played, in order: round, kind ('practice' | 'scored'), first_week, last_week.

    Rounds mode: the store's closed rounds (reset and open ones are not played). Free play:
    round *k* is week ``start_week + k``, for every week closed (by ``team``, or by any team).
    With ``team``, only the rounds the team has reached (``last_week ≤ store.week(team)``).
    """
    s = store.start_week
    if _rounds_mode(store):
        table = store.rounds()
        table = table[table["status"].astype(str) == "closed"]
        out = pd.DataFrame({"round": table["number"].astype(np.int64).to_numpy(),
                            "kind": table["kind"].astype(str).to_numpy(),
                            "first_week": table["first_week"].astype(np.int64).to_numpy(),
                            "last_week": table["last_week"].astype(np.int64).to_numpy()})
        if team is not None:
            out = out[out["last_week"] <= store.week(team)]
        return out.sort_values("first_week", kind="stable").reset_index(drop=True)
    played = store.week(team) - s if team is not None else max((store.week(t) - s for t in store.teams), default=0)
    k = np.arange(1, played + 1, dtype=np.int64)
    return pd.DataFrame({"round": k, "kind": ["scored"] * len(k), "first_week": s + k, "last_week": s + k})


def _round_of_weeks(played: pd.DataFrame) -> dict[int, int]:
    return {int(w): int(r) for r, a, b in zip(played["round"], played["first_week"], played["last_week"])
            for w in range(int(a), int(b) + 1)}


def _round_row(played: pd.DataFrame, at_round: object) -> pd.Series:
    r = _whole("at_round", at_round)
    hit = played[played["round"] == r]
    if not len(hit):
        listed = ", ".join(str(int(x)) for x in played["round"]) or "none yet"
        raise ValueError(f"at_round {r} is not a round this team has played (played: {listed})")
    return hit.iloc[0]


# --- the timeline -------------------------------------------------------------------------------
def _closed_weeks(store: "WorkshopStore", team: str) -> list[tuple[int, str, str]]:
    """Free play: (week, closed_at, closed_by) of the team's closed weeks."""
    reader = getattr(store, "closed_weeks", None)
    if callable(reader):
        table = reader(team)
        return [(int(w), str(a), str(b or "")) for w, a, b in zip(table["week"], table["closed_at"],
                                                                   table["closed_by"])]
    return store._transaction(lambda c: c.execute(  # the store keeps them in its weeks table
        "SELECT week, closed_at, closed_by FROM weeks WHERE team = ? ORDER BY week", (team,)).fetchall(), write=False)


def _defaults(store: "WorkshopStore", team: str) -> list[tuple[int, str, object]]:
    """Rounds mode: (round, trainee, recorded_at) of the team's default decisions (no move, no submission)."""
    table = store.submissions()
    table = table[(table["team"] == team) & table["is_default"].astype(bool)]
    return list(zip(table["round"].astype(int), table["trainee"].fillna(""), table["submitted_at"]))


def _by_label(by: object, lang: str) -> str:
    text = "" if by is None or (isinstance(by, float) and math.isnan(by)) else str(by)
    if text == "trainer":
        return _t("by_trainer", lang)
    if text == "timer":
        return _t("by_timer", lang)
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
    all_rounds = store.rounds() if _rounds_mode(store) else None
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
        action = _action_label(m["action"], lang)
        common = {k: m[k] for k in ("deal_id", "action", "style", "outcome", "from_stage", "to_stage", "answer",
                                    "correct", "trainee")}
        common["amount"] = amount
        if m["withdrawn"]:
            why = _t("practice_reset", lang) if m.get("withdrawn_by") == "practice reset" else ""
            add("withdrawn", m["week"], m.get("round"), at=_stamp(m["withdrawn_at"]),
                text=_t("withdrawn", lang, deal=m["deal_id"], action=action, why=why), **common)
            continue
        if m["answer"] is None or pd.isna(m["answer"]):
            reply = _t("reply_none", lang)
        else:
            reply = _t("reply_right" if bool(m["correct"]) else "reply_wrong", lang,
                       answer=_outcome_label(m["answer"], lang))
        style = m["style"]
        style_text = "" if style is None else _t("style", lang, style=style[0] if isinstance(style, tuple) else style)
        moved = m["from_stage"] != m["to_stage"]
        add("move", m["week"], m.get("round"), at=_stamp(m["created_at"]), **common,
            text=_t("move", lang, deal=m["deal_id"], amount=_money(store, amount, lang), stage=stage(m["from_stage"]),
                    action=action, style=style_text, outcome=_outcome_label(m["outcome"], lang), reply=reply,
                    move_to=_t("move_to", lang, to=stage(m["to_stage"])) if moved else ""))

    events = getattr(store, "events", None)
    if callable(events):
        for e in events(team, hidden=False, lang=lang).to_dict("records"):
            add("event", e["week"], None, at=_stamp(e.get("created_at")), text=_t("event", lang, text=e["text"]))

    if all_rounds is not None:
        for r in all_rounds.to_dict("records"):
            number, kind = int(r["number"]), str(r["kind"])
            deadline = _stamp(r.get("deadline"))
            timer = "" if pd.isna(deadline) else _t("timer", lang,
                                                     deadline=deadline.to_pydatetime().astimezone().strftime("%H:%M"))
            add("round_open", r["first_week"], number, at=_stamp(r.get("opened_at")),
                text=_t("round_open", lang, **_round_names(number, kind), timer=timer,
                        weeks=_t("weeks" if r["last_week"] > r["first_week"] else "one_week", lang,
                                 first=int(r["first_week"]), last=int(r["last_week"]))))
            if str(r["status"]) in ("closed", "reset") and not pd.isna(_stamp(r.get("closed_at"))):
                add("round_close", r["last_week"], number, at=_stamp(r.get("closed_at")),
                    text=_t("round_close", lang, **_round_names(number, kind), by=_by_label(r.get("closed_by"), lang)))
            if str(r["status"]) == "reset":
                add("round_close", r["last_week"], number, at=pd.NaT, text=_t("round_reset", lang))
        first_weeks = dict(zip(all_rounds["number"].astype(int), all_rounds["first_week"].astype(int)))
        for number, trainee, at in _defaults(store, team):
            add("default", first_weeks.get(number), number, at=_stamp(at), trainee=trainee, text=_t("default", lang))
    else:
        for week, closed_at, closed_by in _closed_weeks(store, team):
            by = _t("week_close_by", lang, by=_by_label(closed_by, lang)) if closed_by else ""
            add("round_close", week, None, at=_stamp(closed_at), trainee=closed_by,
                text=_t("week_close", lang, week=week, by=by))

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
def _period(store: "WorkshopStore") -> tuple[int, int]:
    return store.start_week, int(store.config["period_weeks"])


def _indicators(store: "WorkshopStore", history: "History", quota: float, threshold: float) -> pd.DataFrame:
    s, n = _period(store)
    return indicators(history, quota, threshold, start_week=s, period_weeks=n)


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
    T = _threshold(threshold) if threshold is not None else float(store.config["threshold"])
    s, _ = _period(store)
    out = []
    for team in store.teams:
        quota = float(store.scenario(team)["quota"])
        table = _indicators(store, store.simulation(team).history, quota, T).set_index("week")
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


# --- what-if branches -------------------------------------------------------------------------
@dataclass
class Branch:
    """A what-if branch of one team's play and the original it departs from.

    Attributes:
        team, at_round: where it departs; ``change_week``: the round's first week (the
            branch equals the original before it).
        changes: deal_id → the new action of that round's move (``None``: no move).
        threshold: the threshold from ``change_week`` on (``None``: unchanged);
            ``base_threshold``: the workshop's.
        original, branched: the two :func:`~simfunnel.analysis.metrics.indicators` tables (weeks
            ``start_week … the team's week``); with a threshold change the branched rows from
            ``change_week`` on are those computed with the new threshold. Before ``change_week``
            the columns known then (:data:`KNOWN_THEN`) are equal; ``forecast_error`` and
            ``censored`` look ahead to what the deals brought later, so a change reaches them.
        original_history, branched_history: the two replayed histories.
        skipped: later moves of the original the branch could not make (the deal closed, or
            at a stage the action does not fit): week, deal_id, action, reason. Never silent.
        quota, currency, start_week, period_weeks: of the team's scenario.
    """

    team: str
    at_round: int
    change_week: int
    changes: dict[int, str | None]
    threshold: float | None
    base_threshold: float
    original: pd.DataFrame
    branched: pd.DataFrame
    original_history: "History" = field(repr=False)
    branched_history: "History" = field(repr=False)
    skipped: pd.DataFrame = field(repr=False)
    previous: dict[int, str | None] = field(repr=False, default_factory=dict)
    round_kind: str = "scored"
    quota: float = math.nan
    currency: str = "CNY"
    start_week: int = 0
    period_weeks: int = 13

    def difference(self) -> pd.DataFrame:
        """Week by week: ``week`` and, for forecast, booked, out_of_funnel_booked and progress,
        ``<col>_original``, ``<col>_branch`` and ``<col>_difference`` (branch − original)."""
        out = pd.DataFrame({"week": self.original["week"].to_numpy()})
        for col in _DIFF_COLUMNS:
            a = self.original[col].to_numpy(dtype=float)
            b = self.branched[col].to_numpy(dtype=float)
            out[f"{col}_original"] = a
            out[f"{col}_branch"] = b
            out[f"{col}_difference"] = b - a
        return out

    def _records(self, history: "History", threshold: float | None) -> int:
        s, n, cw = self.start_week, self.period_weeks, self.change_week
        if threshold is None:
            return records_entered(history, self.base_threshold, s, n)
        before = records_entered(history, self.base_threshold, s, cw - 1 - s) if cw - 1 > s else 0
        return before + records_entered(history, threshold, cw - 1, s + n - (cw - 1))

    def summary(self) -> pd.DataFrame:
        """The original and the branch at the team's week: the forecast, then the leaderboard's measures
        (definitions of ``WorkshopStore.leaderboard``; records entered with the branch's threshold from the
        change week on). One row per metric of :data:`SUMMARY_METRICS`; columns metric, original, branched,
        difference (branch − original)."""
        def measures(table: pd.DataFrame, history: "History", threshold: float | None) -> dict[str, float]:
            bench = table["benchmark"].to_numpy(dtype=float)
            progress = table["progress"].to_numpy(dtype=float)[1:]
            if not len(progress) or (bench <= 0).any():
                pace = math.nan
            elif (bench == bench[0]).all():  # as the leaderboard: the mean progress over the benchmark
                pace = float(progress.mean()) / float(bench[0])
            else:  # another threshold from the change week on: each week against its own benchmark
                pace = float((progress / bench[1:]).mean())
            return {"forecast": float(table["forecast"].iloc[-1]), "booked": float(table["booked"].iloc[-1]),
                    "forecast_accuracy": max(0.0, 1.0 - float(table["forecast_error"].abs().mean())),
                    "progress_vs_benchmark": pace,
                    "records_entered": float(self._records(history, threshold))}

        a = measures(self.original, self.original_history, None)
        b = measures(self.branched, self.branched_history, self.threshold)
        return pd.DataFrame({"metric": list(SUMMARY_METRICS), "original": [a[m] for m in SUMMARY_METRICS],
                             "branched": [b[m] for m in SUMMARY_METRICS],
                             "difference": [b[m] - a[m] for m in SUMMARY_METRICS]})

    def describe(self, lang: str | None = None) -> str:
        """What the branch changed, in ``lang``."""
        lang = i18n.resolve_language(lang)
        parts = []
        for deal, new in self.changes.items():
            old = self.previous.get(deal)
            if new is None:
                parts.append(_t("change_remove", lang, deal=deal, old=_action_label(old, lang)))
            elif old is None:
                parts.append(_t("change_add", lang, deal=deal, new=_action_label(new, lang)))
            else:
                parts.append(_t("change_action", lang, deal=deal, old=_action_label(old, lang),
                                new=_action_label(new, lang)))
        if self.threshold is not None:
            parts.append(_t("change_threshold", lang, old=i18n.format_money(self.base_threshold, self.currency, lang),
                            new=i18n.format_money(self.threshold, self.currency, lang)))
        if not parts:
            return _t("no_change", lang)
        return _t("changes", lang, changes=("；" if lang == "zh" else "; ").join(parts))


def _obstacle(sim: "Simulation", ids: pd.Index, deal_id: int, action: str, week: int) -> tuple[str, str, str] | None:
    """Why the move cannot be made in the simulation's coming week: (reason key, stage key, message), or None.

    ``ids``: the world's deal ids in order (positions in the simulation's arrays)."""
    from simfunnel.model.actions import people_actions_for
    from simfunnel.model.actions import actions_for

    pos = int(ids.get_loc(deal_id))
    created = int(sim.world.deals["created_week"].iloc[pos])
    code = int(sim.stage_codes()[pos])
    key = sim.funnel.all_keys[code]
    if created >= week:
        return "why_created", key, (f"the deal is created in week {created}; "
                                    f"it can be acted on from week {created + 1}")
    if code >= len(sim.funnel):
        return "why_closed", key, f"the deal is already closed ({key})"
    fitting = [a.key for a in actions_for(sim.funnel, key)]
    if sim.people is not None:
        fitting += [a.key for a in people_actions_for(sim.funnel, key)]
    if action in fitting:
        return None
    return "why_stage", key, f"action {action!r} does not fit stage {key!r}; try {', '.join(fitting)}"


def branch(store: "WorkshopStore", team: str, at_round: int, changes: Mapping[int, str | None] | None = None,
           threshold: float | None = None) -> Branch:
    """Replay ``team`` from round ``at_round`` with its decisions changed, with the same random draws.

    The team's simulation is replayed (same world, seed, market events) up to the week before the
    round's first week ``c``; week ``c`` is stepped with the round's moves changed by ``changes``
    (deal_id → another action, a new move on a deal not acted on, or ``None`` to remove the
    move), then every later week with the team's own moves up to the team's current week. Each
    week draws the same uniforms per deal as the original (common random numbers), so a deal
    nobody changed moves exactly as it did, unless the change reaches it (with the people layer,
    a meeting changes the odds of the account's other deals). A later move that no longer fits
    (its deal closed, or at another stage) is skipped and listed in ``Branch.skipped``.
    ``threshold`` recomputes the indicators with another threshold from week ``c`` on. With no
    change at all the branch reproduces the original exactly (to the cent).

    Raises:
        ValueError: an unknown team, a round the team has not played, a change naming an unknown
            deal or action, removing a move that was not made, or an action that does not fit
            the deal's stage in week ``c``.
    """
    scenario = store.scenario(team)
    s, n = _period(store)
    played = rounds(store, team)
    row = _round_row(played, at_round)
    cw = int(row["first_week"])
    if changes is None:
        changes = {}
    if not isinstance(changes, Mapping):
        raise ValueError(f"changes must map deal_id → action key or None, got {type(changes).__name__}")
    try:
        new_threshold = None if threshold is None else _threshold(threshold)
    except ValueError:
        raise BranchError("err_threshold", value=threshold) from None
    base_T = float(store.config["threshold"])
    quota = float(scenario["quota"])

    original_sim = store.simulation(team)
    acts, styles = store.actions(team)
    if len(acts) != original_sim.week - s:
        raise ValueError(f"team {team}: the store's moves cover {len(acts)} weeks but its simulation "
                         f"is at week {original_sim.week}")
    known_ids = pd.Index(original_sim.world.deals["deal_id"])
    clean: dict[int, str | None] = {}
    for deal, new in changes.items():
        d = _whole("changes: deal_id", deal)
        if known_ids.get_indexer([d])[0] < 0:
            raise BranchError("err_unknown_deal", deal=d, team=team)
        if new is not None:
            if not isinstance(new, str):
                raise ValueError(f"changes: deal {d}: the action must be an action key or None, got {new!r}")
            _check_action_key(new)
        clean[d] = new
    week_acts = dict(acts[cw - s - 1])
    previous = {d: week_acts.get(d) for d in clean}
    for d, new in clean.items():
        if new is None and d not in week_acts:
            raise BranchError("err_no_move", deal=d, week=cw, round=int(row["round"]),
                              **_round_names(int(row["round"]), str(row["kind"])))

    sim = original_sim.replay(cw - 1)
    skipped = []
    for week in range(cw, original_sim.week + 1):
        a = dict(acts[week - s - 1])
        st = dict(styles[week - s - 1])
        if week == cw:
            for d, new in clean.items():
                if new == a.get(d):
                    continue  # the same decision: nothing changes (its style stays)
                st.pop(d, None)
                if new is None:
                    a.pop(d)
                    continue
                obstacle = _obstacle(sim, known_ids, d, new, week)
                if obstacle is not None:
                    why = _t(obstacle[0], "zh", stage=sim.funnel.label(obstacle[1], "zh"))
                    raise BranchError("err_obstacle", deal=d, week=week, detail=obstacle[2], why=why)
                a[d] = new
        else:
            for d, key in list(a.items()):
                obstacle = _obstacle(sim, known_ids, d, key, week)
                if obstacle is not None:
                    skipped.append({"week": week, "deal_id": d, "action": key, "reason": obstacle[0],
                                    "stage": obstacle[1]})
                    a.pop(d)
                    st.pop(d, None)
        sim.step(a, st if sim.people is not None else None)
    original = _indicators(store, original_sim.history, quota, base_T)
    branched = _indicators(store, sim.history, quota, base_T)
    if new_threshold is not None:
        other = _indicators(store, sim.history, quota, new_threshold)
        later = branched["week"].to_numpy() >= cw
        branched = pd.concat([branched[~later], other[later]], ignore_index=True)
    skipped_df = pd.DataFrame(skipped, columns=["week", "deal_id", "action", "reason", "stage"])
    return Branch(team=team, at_round=int(row["round"]), change_week=cw, changes=clean, threshold=new_threshold,
                  base_threshold=base_T, original=original, branched=branched,
                  original_history=original_sim.history, branched_history=sim.history, skipped=skipped_df,
                  previous=previous, round_kind=str(row["kind"]), quota=quota,
                  currency=str(store.config.get("currency", "CNY")),
                  start_week=s, period_weeks=n)


def _check_action_key(key: str) -> None:
    from simfunnel.model.actions import PEOPLE_ACTIONS_BY_KEY
    from simfunnel.model.actions import ACTIONS_BY_KEY

    if key not in ACTIONS_BY_KEY and key not in PEOPLE_ACTIONS_BY_KEY:
        known = ", ".join(list(ACTIONS_BY_KEY) + list(PEOPLE_ACTIONS_BY_KEY))
        raise ValueError(f"changes: unknown action {key!r}; actions are {known}")


# --- the handout ------------------------------------------------------------------------------
_CSS = """
body {font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial,
      sans-serif; color: #222; margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.45}
h1 {font-size: 26px; font-weight: 600; margin: 0 0 4px}
h2 {font-size: 20px; font-weight: 600; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #c9d3e0}
h3 {font-size: 16px; font-weight: 600; margin: 22px 0 6px}
p.meta, p.note {color: #555; font-size: 13px; margin: 4px 0 10px}
img {max-width: 100%; height: auto; display: block; margin: 8px 0}
table {border-collapse: collapse; font-size: 13px; margin: 6px 0 12px}
th {text-align: right; padding: 4px 10px; border-bottom: 2px solid #c9d3e0; font-weight: 600; color: #33404d;
    white-space: nowrap}
td {text-align: right; padding: 3px 10px; border-bottom: 1px solid #e5e9ef; vertical-align: top}
td.l, th.l {text-align: left}
td.team {text-align: left; white-space: nowrap}
table.compact th, table.compact td {padding: 3px 6px}
td.text {text-align: left; max-width: 700px}
tr.first td {background: #eef6ee}
tr.k-event td {background: #fff6e0}
tr.k-round_open td, tr.k-round_close td {color: #555; background: #f4f6f9}
tr.k-withdrawn td, tr.k-default td {color: #777}
td.up {color: #1e7b45} td.down {color: #b03a2e}
td.good {background: #e3f3e6} td.bad {background: #f8e1df}
span.dot {display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 6px}
@media print {body {margin: 0; max-width: none} h2 {page-break-after: avoid} tr, img {page-break-inside: avoid}}
"""


def _png(fig) -> str:
    """A figure as a base64 PNG (no pyplot: the figure is dropped afterwards)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _pct(value: float, digits: int = 0) -> str:
    return "—" if value is None or not math.isfinite(float(value)) else f"{float(value):.{digits}%}"


def _ratio(value: float) -> str:
    return "—" if value is None or not math.isfinite(float(value)) else f"{float(value):.2f}"


def _table(heads: Sequence[tuple[str, str]], rows: Sequence[Sequence[tuple[str, str]]],
           row_classes: Sequence[str] | None = None, klass: str = "") -> str:
    """An HTML table: heads and cells are (text already escaped, css class)."""
    head = "".join(f'<th class="{c}">{h}</th>' for h, c in heads)
    body = []
    for i, cells in enumerate(rows):
        row_class = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        body.append(f"<tr{row_class}>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
                                            for v, c in cells) + "</tr>")
    table = f'<table class="{klass}">' if klass else "<table>"
    return f"{table}<tr>{head}</tr>{''.join(body)}</table>"


def _team_cell(team: str, color: str) -> tuple[str, str]:
    return f'<span class="dot" style="background:{color}"></span>{html.escape(team)}', "team"


def _board_section(store: "WorkshopStore", board: pd.DataFrame, lang: str) -> list[str]:
    from matplotlib.figure import Figure

    from simfunnel import plots

    t = lambda key, **f: html.escape(_t(key, lang, **f))  # noqa: E731
    fig = Figure(figsize=(12, 0.9 + 0.42 * max(len(board), 4)), layout="constrained")
    plots.team_chart(board, axes=fig.subplots(1, 4), lang=lang)  # teams in the store's order: their colours
    chart = _img(fig, _t("h_board", lang))
    colors = dict(zip(board["team"].astype(str), plots.team_colors(len(board))))
    has_score = "score" in board.columns
    if has_score:
        board = board.sort_values(["rank", "team"] if "rank" in board.columns else ["score"],
                                  ascending=[True, True] if "rank" in board.columns else [False], kind="stable")
    else:
        board = board.sort_values("booked", ascending=False, kind="stable")
    board = board.reset_index(drop=True)
    heads = [(t("rank"), ""), (t("team"), "l"), (t("week"), ""), (t("moves"), ""), (t("booked"), ""),
             (t("forecast_accuracy"), ""), (t("progress_vs_benchmark"), ""), (t("records_entered"), ""),
             (t("quiz_score"), "")] + ([(t("score"), "")] if has_score else [])
    rows = []
    for i, r in board.iterrows():
        rank = int(r["rank"]) if has_score and "rank" in board.columns else i + 1
        cells = [(str(rank), ""), _team_cell(str(r["team"]), colors[str(r["team"])]), (str(int(r["week"])), ""),
                 (str(int(r["moves"])), ""),
                 (html.escape(_money(store, r["booked"], lang)) + f" ({t('of_quota')} {_pct(r['booked_vs_quota'])})",
                  ""),
                 (_pct(r["forecast_accuracy"]), ""), (_ratio(r["progress_vs_benchmark"]), ""),
                 (f"{int(r['records_entered']):,}", ""), (_pct(r["quiz_score"]), "")]
        if has_score:
            cells.append(("—" if not math.isfinite(float(r["score"])) else f"{float(r['score']):.0f}", ""))
        rows.append(cells)
    out = [f"<h2>{t('h_board')}</h2>", _table(heads, rows, ["first"] + [""] * (len(rows) - 1))]
    weights = getattr(store, "weights", None) if has_score else None
    if isinstance(weights, Mapping) and weights:
        listed = ("，" if lang == "zh" else ", ").join(f"{_t(k, lang) if k in TEXT else k} {v:g}"
                                                     for k, v in weights.items())
        out.append(f'<p class="note">{t("weights", weights=listed)}</p>')
    else:
        out.append(f'<p class="note">{t("no_score")}</p>')
    out.append(f'<p class="note">{t("board_note")}</p>')
    return out + [chart]


def _rounds_section(store: "WorkshopStore", table: pd.DataFrame, lang: str, colors: dict[str, str]) -> list[str]:
    from matplotlib.figure import Figure

    from simfunnel import plots

    t = lambda key, **f: html.escape(_t(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_rounds')}</h2>", f'<p class="note">{t("rounds_note")}</p>']
    if not (table["round"] > 0).any():
        return out + [f'<p class="note">{t("no_rounds")}</p>']
    fig = Figure(figsize=(13, 4.0), layout="constrained")
    plots.round_chart(table, axes=fig.subplots(1, 3), lang=lang, currency=store.config.get("currency", "CNY"))
    out.append(_img(fig, _t("h_rounds", lang)))
    numbers = sorted(int(r) for r in table["round"].unique() if r > 0)
    heads = [(t("team"), "l")] + [(t("round_n", n=n), "") for n in numbers] + [(t("benchmark"), "")]
    rows = []
    for team, rows_of in table.groupby("team", sort=False):
        by_round = rows_of.set_index("round")
        bench = float(rows_of["benchmark"].iloc[0])
        cells = [_team_cell(str(team), colors[str(team)])]
        for n in numbers:
            if n not in by_round.index:
                cells.append(("", ""))
                continue
            p = float(by_round.loc[n, "progress"])
            cells.append((_pct(p, 1), "good" if p >= bench else "bad"))
        cells.append((_pct(bench, 1), ""))
        rows.append(cells)
    out += [f'<h3>{t("progress_table")}</h3>', _table(heads, rows, klass="compact" if len(numbers) > 6 else "")]
    return out


def _events_section(store: "WorkshopStore", lang: str) -> list[str]:
    """The market events that have hit (what the trainees met), if any."""
    reader = getattr(store, "events", None)
    if not callable(reader):
        return []
    events = reader(lang=lang)
    events = events[events["hit"].astype(bool)]
    if not len(events):
        return []
    t = lambda key, **f: html.escape(_t(key, lang, **f))  # noqa: E731
    rows = [[(str(int(e["round"])), ""), (str(int(e["week"])), ""),
             (t("all_teams") if e["team"] is None else html.escape(str(e["team"])), "l"),
             (html.escape(str(e["text"])), "text")] for e in events.to_dict("records")]
    return [f"<h2>{t('h_events')}</h2>",
            _table([(t("round"), ""), (t("week"), ""), (t("teams"), "l"), (t("details"), "l")], rows)]


def _branch_section(store: "WorkshopStore", branches: Sequence[Branch], lang: str) -> list[str]:
    from matplotlib.figure import Figure

    from simfunnel import plots

    t = lambda key, **f: html.escape(_t(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_branches')}</h2>"]
    if not branches:
        return out + [f'<p class="note">{t("no_branches")}</p>']
    out.append(f'<p class="note">{t("branch_note")}</p>')
    for b in branches:
        names = _round_names(b.at_round, b.round_kind)
        out.append(f"<h3>{t('branch_head', team=b.team, week=b.change_week, **names)}</h3>")
        out.append(f"<p>{html.escape(b.describe(lang))}</p>")
        fig = Figure(figsize=(9, 3.6), layout="constrained")
        plots.branch_chart(b, ax=fig.subplots(), lang=lang)
        out.append(_img(fig, b.describe(lang)))
        rows = []
        for r in b.summary().to_dict("records"):
            m, better = r["metric"], SUMMARY_METRICS[r["metric"]]
            if m in ("booked", "forecast"):
                fmt = lambda v: html.escape(_money(store, v, lang))  # noqa: E731
                diff = ("+" if r["difference"] > 0 else "") + fmt(r["difference"])
            elif m == "records_entered":
                fmt = lambda v: f"{int(v):,}"  # noqa: E731
                diff = f"{int(r['difference']):+,}"
            elif m == "progress_vs_benchmark":
                fmt, diff = _ratio, ("—" if not math.isfinite(r["difference"]) else f"{r['difference']:+.2f}")
            else:
                fmt, diff = _pct, ("—" if not math.isfinite(r["difference"]) else f"{r['difference'] * 100:+.1f}"
                                   + ("个百分点" if lang == "zh" else " pts"))
            d = r["difference"]
            if d == 0:
                diff = fmt(0.0)
            klass = "" if better is None or not math.isfinite(d) or d == 0 else ("up" if (d > 0) == better else "down")
            rows.append([(t(m), "l"), (fmt(r["original"]), ""), (fmt(r["branched"]), ""), (diff, klass)])
        out.append(_table([(t("metric"), "l"), (t("original"), ""), (t("branched"), ""), (t("difference"), "")],
                          rows))
        if len(b.skipped):
            listed = ("；" if lang == "zh" else "; ").join(
                _t("skipped_move", lang, week=int(s["week"]), deal=int(s["deal_id"]),
                   action=_action_label(s["action"], lang),
                   why=_t(s["reason"], lang, stage=store.world(b.team).funnel.label(s["stage"], lang)))
                for s in b.skipped.to_dict("records"))
            out.append(f'<p class="note">{t("skipped", moves=listed)}</p>')
    return out


def _timeline_section(store: "WorkshopStore", lang: str, colors: dict[str, str]) -> list[str]:
    t = lambda key, **f: html.escape(_t(key, lang, **f))  # noqa: E731
    out = [f"<h2>{t('h_timelines')}</h2>"]
    for team in store.teams:
        out.append(f'<h3>{_team_cell(team, colors[team])[0]}</h3>')
        table = timeline(store, team, lang)
        if not len(table):
            out.append(f'<p class="note">{t("no_timeline")}</p>')
            continue
        rows, classes = [], []
        for r in table.to_dict("records"):
            number = "" if pd.isna(r["round"]) else str(int(r["round"]))
            rows.append([(t("practice_short") if r["round_kind"] == "practice" else number, ""),
                         ("" if pd.isna(r["week"]) else str(int(r["week"])), ""),
                         (t("kind_" + r["kind"]), "l"), (html.escape(r["text"] or ""), "text"),
                         (html.escape(r["trainee"] or "") if r["kind"] in ("move", "withdrawn", "default") else "",
                          "l")])
            classes.append(f"k-{r['kind']}")
        heads = [(t("round"), ""), (t("week"), ""), (t("what"), "l"), (t("details"), "l"), (t("trainee"), "l")]
        out.append(_table(heads, rows, classes))
    return out


def report(store: "WorkshopStore", path: str | Path, lang: str = "en", branches: Sequence[Branch] = ()) -> Path:
    """Write the debrief as one self-contained HTML file (charts embedded as base64 PNG) to hand out.

    Sections: the leaderboard (with the score and its weights when the store scores), charts
    comparing teams, the three indicators round by round across teams (chart, and each round's
    progress against the benchmark), the what-if ``branches`` given (chart and the leaderboard's
    measures, original vs branch), each team's timeline (decisions, outcomes, replies, market
    events that hit it, defaults, rounds). Every text is in ``lang`` (zh or en); only team and
    trainee names and currency codes stay as they are. Print it to PDF from any browser.

    Returns:
        the path written (its folder is created if missing).

    Raises:
        ValueError: an unknown language, or a branch that is not a :class:`Branch` of this store's teams.
    """
    lang = i18n.resolve_language(lang)
    branches = list(branches)
    for b in branches:
        if not isinstance(b, Branch):
            raise ValueError(f"branches: expected Branch objects (debrief.branch(...)), got {type(b).__name__}")
        if b.team not in store.teams:
            raise ValueError(f"branches: team {b.team!r} is not a team of this workshop")
    from simfunnel import plots

    i18n.setup_cjk_font()
    path = Path(path)
    colors = dict(zip(store.teams, plots.team_colors(len(store.teams))))
    c = store.config
    funnel = store.world(store.teams[0]).funnel
    mode = _t("rounds_mode", lang, k=int(c["weeks_per_round"])) if _rounds_mode(store) else _t("free_play", lang)
    meta = _t("meta", lang, teams=len(store.teams), first=store.start_week + 1, last=store.end_week,
              funnel=funnel.label_zh if lang == "zh" else funnel.label_en,
              threshold=i18n.format_money(float(c["threshold"]), c.get("currency", "CNY"), lang), seed=c["seed"],
              time=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"))
    parts = [f"<h1>{html.escape(_t('title', lang))}</h1>", f'<p class="meta">{html.escape(meta)} · '
             f"{html.escape(mode)}</p>"]
    parts += _board_section(store, store.leaderboard(), lang)
    parts += _rounds_section(store, round_indicators(store), lang, colors)
    parts += _events_section(store, lang)
    parts += _branch_section(store, branches, lang)
    parts += _timeline_section(store, lang, colors)
    doc = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{html.escape(_t('title', lang))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
           + "\n".join(parts) + "\n</body>\n</html>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(doc, encoding="utf-8")
    tmp.replace(path)
    return path
