"""What the teams of a workshop played, as the debrief reads it from the store and says it.

The ground the debrief (:mod:`~simfunnel.workshop.debrief`), the what-if branches
(:mod:`~simfunnel.workshop.whatif`) and the handout (:mod:`~simfunnel.workshop.handout`) share:

- :func:`rounds` — the rounds played. A store in rounds mode (``weeks_per_round > 0``) numbers its rounds
  itself; rounds that were reset (the practice round) or are still open are not "played". A free-play
  store (teams close their own weeks) treats each closed week as a round: round *k* is week
  ``start_week + k``.
- :func:`team_indicators` — a team's indicators over the workshop's period.
- :data:`TEXT` and :func:`phrase` — every user-facing text of the debrief, in zh and en, with
  :func:`round_names`, :func:`action_label` and :func:`money` for the names and amounts in them.
- :func:`check_whole` and :func:`check_threshold` — the checks of the arguments the debrief is given.

Everything is read through the store's public API.

Example:
    >>> phrase("scored_round", "en", n=2), round_names(0)["round_zh"], check_threshold(30_000)
    ('round 2', '练习回合', 30000.0)
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.analysis.metrics import indicators
from simfunnel.model.actions import ACTIONS_BY_KEY, PEOPLE_ACTIONS_BY_KEY

if TYPE_CHECKING:
    from simfunnel.model.history import History
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["TEXT", "phrase", "round_names", "action_label", "money", "plays_in_rounds", "rounds",
           "team_indicators", "check_whole", "check_threshold"]

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
    "by_trainer": ("讲师", "the trainer"),
    "by_timer": ("计时器", "the timer"),
    "practice_round": ("练习回合", "the practice round"),
    "scored_round": ("第 {n} 回合", "round {n}"),
    "event": ("市场事件：{text}", "Market event: {text}"),
    # the report
    "title": ("工作坊复盘", "Workshop debrief"),
    "meta": ("{teams} 个组 · 第 {first}–{last} 周 · {funnel} · 门槛 {threshold} · 种子 {seed} · 生成于 {time}",
             "{teams} teams · weeks {first}–{last} · {funnel} · threshold {threshold} · seed {seed} · made {time}"),
    "rounds_mode": ("每回合 {k} 周", "{k} weeks a round"),
    "free_play": ("自由进行（每结束一周算一回合）", "free play (each closed week is a round)"),
    "h_board": ("排行榜", "Leaderboard"),
    "h_rounds": ("三个指标：逐回合对比", "The three indicators, round by round"),
    "h_events": ("市场事件", "Market events"),
    "all_teams": ("所有组", "every team"),
    "teams": ("组", "Teams"),
    "h_branches": ("如果当初……：假设分支", "What if: branches"),
    "h_timelines": ("各组时间线", "Each team's timeline"),
    "rank": ("名次", "Rank"),
    "team": ("组", "Team"),
    "week": ("周", "Week"),
    "round": ("回合", "Round"),
    "round_n": ("第 {n} 回合", "Round {n}"),
    "details": ("说明", "Details"),
    "moves": ("行动数", "Moves"),
    "booked": ("已成交", "Booked"),
    "of_quota": ("占任务", "of quota"),
    "to_date": ("按进度", "to date"),
    "forecast": ("销售预计", "Forecast"),
    "out_of_funnel_booked": ("漏斗外销售额", "Out-of-funnel booked"),
    "forecast_accuracy": ("预测准确度", "Forecast accuracy"),
    "progress_vs_benchmark": ("进展 / 基准", "Progress / benchmark"),
    "records_entered": ("录入记录数", "Records entered"),
    "quiz_score": ("答题得分", "Quiz score"),
    "quiz_n": ("（答 {n} 题）", " ({n} answered)"),
    "quiz_n_open": ("（答 {n} 题，未答 {open} 题）", " ({n} answered, {open} unanswered)"),
    "quiz_none": ("—（无行动）", "— (no moves)"),
    "score": ("得分", "Score"),
    "weights": ("得分权重：{weights}。得分怎么算：", "Score weights: {weights}. How the score is computed:"),
    "no_score": ("本工作坊没有设定得分权重：按已成交排名。", "No score weights in this workshop: ranked by booked."),
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
    "branch_head": ("{team_zh}，{round_zh}（第 {week} 周起）", "{team_en_cap}, {round_en} (from week {week})"),
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
    "err_unknown_deal": ("{team_zh}的商机里没有编号 {deal}。", "changes: deal {deal} is not in {team_en}'s world"),
    "err_no_move": ("商机 {deal} 在第 {week} 周（{round_zh}）没有行动可以去掉。",
                    "changes: deal {deal} has no move in week {week} (round {round}) to remove"),
    "err_obstacle": ("第 {week} 周不能对商机 {deal} 这样做：{why}。", "changes: deal {deal} in week {week}: {detail}"),
    "err_threshold": ("门槛必须是不小于 0 的金额（填的是 {value}）。", "threshold must be an amount ≥ 0, got {value!r}"),
}


def phrase(key: str, lang: str, **fields: object) -> str:
    """The debrief's text ``key`` (:data:`TEXT`) in ``lang``, its fields filled in."""
    return i18n.text(TEXT[key], lang, **fields)


def round_names(number: int, kind: str | None = None) -> dict[str, str]:
    """A round's name for the texts' fields ``round_zh``, ``round_en``, ``round_cap`` (practice: round 0)."""
    if kind == "practice" or (kind is None and number == 0):
        zh, en = phrase("practice_round", "zh"), phrase("practice_round", "en")
    else:
        zh, en = phrase("scored_round", "zh", n=number), phrase("scored_round", "en", n=number)
    return {"round_zh": zh, "round_en": en, "round_cap": en[0].upper() + en[1:]}


# --- small checks -----------------------------------------------------------------------------
def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_whole(name: str, value: object) -> int:
    """``value`` as an int; a ``ValueError`` naming ``name`` unless it is a whole number (``3.0`` is)."""
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) != int(float(value)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def check_threshold(value: object, name: str = "threshold") -> float:
    """``value`` as a float; a ``ValueError`` naming ``name`` unless it is an amount ≥ 0."""
    if not _is_number(value) or not math.isfinite(float(value)) or float(value) < 0:
        raise ValueError(f"{name} must be an amount ≥ 0, got {value!r}")
    return float(value)


def plays_in_rounds(store: "WorkshopStore") -> bool:
    """True when the store plays in rounds (the trainer's), False in free play (each closed week is a round)."""
    return bool(getattr(store, "rounds_mode", False))


def money(store: "WorkshopStore", value: float, lang: str, compact: bool = True) -> str:
    """An amount in the workshop's currency, as the debrief writes it in ``lang``."""
    return i18n.format_money(value, store.config.get("currency", "CNY"), lang, compact=compact)


def action_label(key: object, lang: str) -> str:
    """An action's label in ``lang`` (people actions too); "—" for no action, the key itself if unknown."""
    if not isinstance(key, str):
        return "—"
    act = ACTIONS_BY_KEY.get(key) or PEOPLE_ACTIONS_BY_KEY.get(key)
    return act.label(lang) if act is not None else key


# --- rounds -------------------------------------------------------------------------------------
def rounds(store: "WorkshopStore", team: str | None = None) -> pd.DataFrame:
    """The rounds played, in order: round, kind ('practice' | 'scored'), first_week, last_week.

    Rounds mode: the store's closed rounds (reset and open ones are not played). Free play:
    round *k* is week ``start_week + k``, for every week closed (by ``team``, or by any team).
    With ``team``, only the rounds the team has reached (``last_week ≤ store.week(team)``).
    """
    s = store.start_week
    if plays_in_rounds(store):
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


def team_indicators(store: "WorkshopStore", history: "History", quota: float, threshold: float) -> pd.DataFrame:
    """``metrics.indicators`` of a team's ``history`` over the workshop's period (``start_week``, ``period_weeks``)."""
    return indicators(history, quota, threshold, start_week=store.start_week,
                      period_weeks=int(store.config["period_weeks"]))
