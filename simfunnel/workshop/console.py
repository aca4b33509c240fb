"""What the trainer's console — the ``simfunnel workshop`` subcommands — says, in zh and en.

- :data:`TEXT` and :func:`say`: every sentence the subcommands print, ``(zh, en)``; the English side is the
  console's English as it always was, word for word.
- :func:`zh_table`: a table the console prints, in Chinese: its headers (:data:`COLUMNS`, the kit's names:
  销售预计, 已成交, 进展 / 基准 …), each team by its name for people, yes/no, kinds, metrics and events by
  their Chinese names; :func:`money` and :func:`clock` for amounts and times.
- :func:`key_for` (with :func:`metric_names`, :func:`event_names`, :func:`param_names`, :func:`action_names`):
  what a trainer types — a score weight, a market event, its parameter, an action — may be its Chinese
  name, as the console shows it in Chinese.
- :func:`one_line`, :func:`error_zh`, :func:`argparse_zh`: an error as one line; in Chinese the exception's
  own ``.zh`` (:class:`~simfunnel.workshop.errors.StoreError`, ``MoveRefused``, ``JoinError``, ``BranchError``),
  else the English message the store or argparse gives, translated; :class:`ConsoleError` for the console's own.

Command lines (``simfunnel workshop codes --dir W``), option names (``--cards``), file paths, join codes and
team keys without a name for people stay as they are typed in either language.

Example:
    >>> say("reset", "zh", n=6, week=13)
    '练习回合已重置：撤回 6 个行动，各组回到第 13 周'
    >>> one_line(KeyError("no column 'x'")), one_line(ValueError("got 'abc'"))
    ("no column 'x'", "got 'abc'")
    >>> argparse_zh("argument --teams: 'x' is not a whole number")
    '参数 --teams：「x」不是整数'
"""

from __future__ import annotations

import ast
import errno
import re
from collections.abc import Callable, Mapping
from datetime import datetime

import pandas as pd

from simfunnel import i18n
from simfunnel.model.actions import ACTIONS_BY_KEY, PEOPLE_ACTIONS_BY_KEY
from simfunnel.model.events import EVENT_KINDS
from simfunnel.workshop import played

__all__ = ["TEXT", "COLUMNS", "METRICS", "ConsoleError", "say", "money", "clock", "zh_table", "key_for",
           "metric_names", "event_names", "param_names", "action_names", "defaults_zh", "round_name", "status_word",
           "whatif_zh", "skipped_zh", "one_line", "error_zh", "argparse_zh"]

# Every sentence of the workshop subcommands: (zh, en).
TEXT: dict[str, tuple[str, str]] = {
    # init
    "init": ("已创建工作坊 {path}：{n} 个组（{teams}），种子 {seed}，漏斗「{preset}」，{world}，"
             "每个市场 {accounts} 个客户，第 {first}–{last} 周{rounds}{people}",
             "wrote {path}: {n} teams ({teams}), seed {seed}, preset {preset}, {world}, {accounts} accounts, "
             "weeks {first}-{last}{rounds}{people}"),
    "one_world": ("所有组同一个市场、同样的运气", "one world for all"),
    "world_per_team": ("每个组一个市场", "a world per team"),
    "rounds_of": ("，每回合 {k} 周", ", rounds of {k} weeks"),
    "free_play": ("，自由进行（各组自己结束每一周）", ", free play"),
    "pace": ("，节奏 {pace:g}（商机每周离开所在阶段的机会）",
             ", pace {pace:g} (a deal's weekly chance of leaving its stage)"),
    "people": ("，含人员层", ", people layer"),
    "join_codes": ("加入码：{codes}（打印小组卡片：{command}）",
                   "join codes: {codes} (team cards to print: {command})"),
    "sep": ("，", ", "),
    # status, rounds
    "status": ("{path}：{n} 个组，第 {first}–{last} 周", "{path}: {n} teams, weeks {first}-{last}"),
    "no_round": ("现在没有进行中的回合", "no round open"),
    "open": ("进行中：{line}", "open: {line}"),
    "practice_round": ("练习回合", "the practice round"),
    "round_n": ("第 {n} 回合", "round {n}"),
    "round_line": ("{name}：第 {first}–{last} 周，{status}", "{name}: weeks {first}-{last}, {status}"),
    "deadline": ("，截止时间 {time}（还剩 {minutes:.1f} 分钟）", ", deadline {time} ({minutes:.1f} min left)"),
    "opened": ("已开始{line}", "opened {line}"),
    "closed": ("已结束{name}：所有组都已模拟第 {first}–{last} 周",
               "closed {name}: weeks {first}-{last} played for every team"),
    "last_round": ("现在没有进行中的回合；上一回合：{line}", "no round open; the last one: {line}"),
    "no_round_yet": ("还没有进行过回合（开始一个回合：{command}）", "no round played yet (open one: {command})"),
    "reset": ("练习回合已重置：撤回 {n} 个行动，各组回到第 {week} 周",
              "practice round reset: {n} moves withdrawn, every team back at week {week}"),
    # leaderboard, weights, export
    "threshold": ("{path}：门槛 {threshold}", "{path}: threshold {threshold}"),
    "weights": ("得分权重：{weights}", "score weights: {weights}"),
    "wrote": ("已写入 {path}", "wrote {path}"),
    # market events
    "scheduled": ("已安排市场事件 {id}（第 {round} 回合）：{text}", "scheduled event {id} (round {round}): {text}"),
    "events": ("\n{path}：已安排 {n} 个市场事件", "\n{path}: {n} market events scheduled"),
    "every_team": ("所有组", "all"),
    # who may act for a team
    "codes_head": ("{n} 个小组的加入码（学员用本组的加入码和自己的名字加入）：",
                   "Join codes of {n} teams (trainees join with their team's code and their name):"),
    "codes_team": ("小组", "team"), "codes_name": ("名称", "name"), "codes_code": ("加入码", "code"),
    "new_code": ("{name}的新加入码：{code}（旧码已失效，用旧码加入的页面也不能再行动）。",
                 "{name} ({team}): new code {code}; the old one no longer works (nor do pages that joined with it)."),
    "cards": ("已写入 {n} 张小组卡片：{path}", "wrote {path}: {n} team cards"),
    "named": ("{old}现在叫「{zh}」", "{team} is now called {en} in English, {zh} in Chinese"),
    "unknown_team": ("没有名为「{team}」的组；各组是：{teams}。", "No team named {team!r}; the teams are: {teams}."),
    "allowed": ("{name}可以从另一个浏览器再加入{team_zh}一次；之前用的页面不能再行动",
                "{name} may join {team} ({team_en}) once more from another browser; "
                "the page they used before can no longer act"),
    # the debrief
    "report": ("已写入讲义 {path}（中文）：{teams} 个组，{total} 个假设分支"
               "（工作坊中保存的 {saved} 个，命令行给出的 {given} 个）",
               "wrote {path}: {teams} teams, {total} what-if branches ({saved} saved in the workshop, {given} from "
               "--branch), in {language}"),
    "whatif": ("{team}，{round}（第 {week} 周起）：{changes}", "{team}, {round} (from week {week}): {changes}"),
    "skipped": ("跳过：{move}", "skipped: week {week}, deal {deal}, {action} (the deal is {stage} in the branch)"),
    # errors
    "error": ("simfunnel {command}：错误：{message}", "simfunnel {command}: error: {message}"),
    "memory": ("内存不足，处理不了这么大的规模：请减少客户、商机或周数",
               "not enough memory for this size: give fewer accounts, deals or weeks"),
    "parser": ("simfunnel：错误：{message}（帮助：{command} --help）",
               "simfunnel: error: {message} (see '{command} --help')"),
}

# Table headers in Chinese: the kit's names (i18n.LABELS, the leaderboard's, the rounds', the debrief's).
COLUMNS: dict[str, str] = {
    "team": "组", "week": "当前周", "open_week": "行动周", "moves": "行动数", "withdrawn": "已撤回",
    "classified": "已判断回复", "last_activity": "最近活动", "weeks_played": "已练周数", "booked": "已成交",
    "quota": "销售任务", "quota_to_date": "按进度任务", "booked_vs_quota": "占任务", "forecast_accuracy": "预测准确度",
    "progress_vs_benchmark": "进展 / 基准", "records_entered": "录入记录数",
    "records_without_threshold": "不设门槛的记录数",
    "quiz_score": "答题得分", "quiz_answered": "已答题数", "quiz_correct": "答对题数", "score": "得分", "rank": "名次",
    "round": "回合", "kind": "类型", "first_week": "首周", "last_week": "末周", "submitted": "已提交",
    "is_default": "默认决策", "booked_round": "本回合成交", "forecast": "销售预计", "submitted_at": "提交时间",
    "trainee": "提交人", "metric": "指标", "weight": "权重", "original": "原来", "branched": "假设分支",
    "difference": "差别", "id": "编号", "hit": "已发生", "text": "说明", "label": "事件", "effect": "影响",
    "defaults": "默认参数", "forecast_original": "销售预计（原来）", "forecast_branch": "销售预计（假设分支）",
    "booked_original": "已成交（原来）", "booked_branch": "已成交（假设分支）", "booked_difference": "已成交差别",
}
# The score's parts and the what-if's measures, by their Chinese names.
METRICS: dict[str, str] = {"booked": "已成交", "forecast_accuracy": "预测准确度",
                           "progress_vs_benchmark": "进展 / 基准", "quiz_score": "答题得分",
                           "records_entered": "录入记录数", "forecast": "销售预计"}
_KINDS = {"practice": "练习", "scored": "计分"}
_STATUS = {"open": "进行中", "closed": "已结束", "reset": "已重置"}
_YES_NO = {True: "是", False: "否"}


def say(key: str, lang: str, **fields: object) -> str:
    """The sentence ``key`` of :data:`TEXT` in ``lang``, its fields filled in."""
    return TEXT[key][0 if lang == "zh" else 1].format(**fields)


class ConsoleError(ValueError):
    """A command line the console refuses; ``str(exc)`` is English, ``exc.zh`` / ``exc.en`` both languages."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


# --- values ---------------------------------------------------------------------------------------
def money(value: float, currency: str = "CNY") -> str:
    """An amount in Chinese: ``¥147,200`` (:func:`simfunnel.i18n.format_money`)."""
    return i18n.format_money(value, currency, lang="zh")


def clock(value: object) -> str:
    """A time as the room's clocks show it, HH:MM:SS (local), with its date when it is not today; "-" for none."""
    if value is None or pd.isna(value):
        return "-"
    local = pd.Timestamp(value).to_pydatetime().astimezone()
    return f"{local:%H:%M:%S}" if local.date() == datetime.now().astimezone().date() else f"{local:%Y-%m-%d %H:%M:%S}"


def round_name(number: int, lang: str) -> str:
    """The practice round (0) or round ``number``, in ``lang``."""
    return say("practice_round", lang) if number == 0 else say("round_n", lang, n=number)


def status_word(status: str, lang: str) -> str:
    """A round's status (open, closed, reset) in ``lang``."""
    return _STATUS.get(status, status) if lang == "zh" else status


def zh_table(table: pd.DataFrame, names: Mapping[str, str], *, columns: Mapping[str, str] | None = None,
             teams: tuple[str, ...] = ("team",)) -> pd.DataFrame:
    """``table`` with Chinese headers and values: each team (the ``teams`` columns) by its name for people in
    ``names`` (None: every team), yes/no as 是/否, round kinds, round status and metrics by their Chinese
    names; ``columns`` overrides headers of :data:`COLUMNS`. The English "name" column is dropped (a Chinese
    table names the teams as people do)."""
    out = table.drop(columns=["name"], errors="ignore").copy()
    for col in out.columns:
        values = out[col]
        if col in teams:
            out[col] = [say("every_team", "zh") if t is None or (not isinstance(t, str) and pd.isna(t))
                        else names.get(t, t) for t in values]
        elif values.dtype == bool:
            out[col] = [_YES_NO[bool(v)] for v in values]
        elif col == "kind":
            out[col] = [_KINDS.get(v, v) for v in values]
        elif col == "status":
            out[col] = [_STATUS.get(v, v) for v in values]
        elif col == "metric":
            out[col] = [METRICS.get(v, v) for v in values]
    return out.rename(columns={**COLUMNS, **(columns or {})})


def whatif_zh(summary: pd.DataFrame, weekly: pd.DataFrame, currency: str = "CNY") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A what-if branch's summary (metric, original, branched, difference) and its weekly table, in Chinese."""
    summary = summary.copy()
    for col in ("original", "branched", "difference"):
        summary[col] = [money(v, currency) if m in ("forecast", "booked") else f"{v:,.0f}" if m == "records_entered"
                        else f"{v:.3f}" for m, v in zip(summary["metric"], summary[col])]
    weekly = weekly.copy()
    for col in weekly.columns.drop("week"):
        weekly[col] = weekly[col].map(lambda v: money(v, currency))
    return zh_table(summary, {}), zh_table(weekly, {}, columns={"week": "周"})


def skipped_zh(row: Mapping, funnel) -> str:
    """A later move a what-if branch could not replay (a row of ``Branch.skipped``), in Chinese."""
    why = played.phrase(row["reason"], "zh", stage=funnel.label(row["stage"], "zh"))
    return played.phrase("skipped_move", "zh", week=row["week"], deal=row["deal_id"],
                         action=played.action_label(row["action"], "zh"), why=why)


# --- what a trainer types ------------------------------------------------------------------------------
def _plain(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).casefold()


def key_for(text: str, names: Mapping[str, object]) -> str:
    """The key a trainer means by ``text``: a key of ``names`` as it is, or one whose name (a str or a
    collection of them) matches without spaces or case; else ``text`` unchanged (the caller refuses it)."""
    if text in names:
        return text
    wanted = _plain(text)
    for key, known in names.items():
        if wanted in {_plain(n) for n in ([known] if isinstance(known, str) else known)}:
            return key
    return text


def metric_names() -> dict[str, str]:
    """Score weight → its Chinese name."""
    return {k: v for k, v in METRICS.items() if k != "forecast"}


def event_names() -> dict[str, tuple[str, str]]:
    """Market event kind → its labels (zh, en)."""
    return {key: (kind.zh, kind.en) for key, kind in EVENT_KINDS.items()}


def param_names(kind: str) -> dict[str, str]:
    """The parameters of market event ``kind`` → their Chinese names ({} for an unknown kind)."""
    found = EVENT_KINDS.get(kind)
    return {} if found is None else {p.name: p.zh for p in found.params}


def action_names() -> dict[str, tuple[str, str]]:
    """Action key → its labels (zh, en), people actions too."""
    return {key: (a.zh, a.en) for key, a in {**ACTIONS_BY_KEY, **PEOPLE_ACTIONS_BY_KEY}.items()}


def defaults_zh(kind: str) -> str:
    """Market event ``kind``'s parameters and defaults, by their Chinese names: 持续周数=4，…"""
    def shown(value) -> str:
        if value == ():
            return "—"
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    return "，".join(f"{p.zh}={shown(p.default)}" for p in EVENT_KINDS[kind].params)


# --- errors ---------------------------------------------------------------------------------------
def one_line(exc: BaseException) -> str:
    """The exception's message on one line. A message that is a quoted string as a whole (a ``KeyError``'s
    repr) is unwrapped; a quote that only ends or starts it (``got 'abc'``) stays."""
    text = exc.args[0] if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str) \
        else str(exc)
    message = " ".join(line.strip() for line in text.splitlines() if line.strip())
    if len(message) >= 2 and message[0] == message[-1] and message[0] in "'\"":
        try:
            inner = ast.literal_eval(message)
        except (ValueError, SyntaxError):
            inner = None
        if isinstance(inner, str) and repr(inner) == message:
            message = " ".join(line.strip() for line in inner.splitlines() if line.strip())
    return message


def _q(value: str) -> str:
    """A value quoted in an English message ('abc' or "it's") as the Chinese texts quote it: 「abc」."""
    try:
        inner = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        inner = value
    return f"「{inner}」"


def _listed(text: str) -> str:
    """argparse's list of choices ('a', 'b') as a Chinese list: a、b."""
    return "、".join(t.strip().strip("'") for t in text.split(",") if t.strip())


def _event(kind: str) -> str:
    found = EVENT_KINDS.get(kind)
    return found.zh if found is not None else kind


def _param(kind: str, name: str) -> str:
    return param_names(kind).get(name.strip("'"), name.strip("'"))


# (pattern of an English message, its Chinese: a template of the pattern's groups or a function of them)
_Zh = Callable[[dict], str]
_STORE_ZH: list[tuple[str, str | _Zh]] = [
    (r"(?P<p>.+): no workshop store here \(create one: (?P<c>.+)\)", "{p}：这里没有工作坊数据文件（创建一个：{c}）"),
    (r"(?P<p>.+): not a file", "{p}：不是文件"),
    (r"(?P<p>.+): not a folder", "{p}：不是文件夹"),
    (r"(?P<p>.+): not a simfunnel workshop store \(not an SQLite database\); left untouched",
     "{p}：不是工作坊数据文件（不是数据库文件）；文件没有改动"),
    (r"(?P<p>.+): an SQLite database, but not a simfunnel workshop store; left untouched",
     "{p}：是数据库文件，但不是工作坊数据文件；文件没有改动"),
    (r"(?P<p>.+): not a simfunnel workshop store \(meta names .*\)", "{p}：不是工作坊数据文件"),
    (r"(?P<p>.+): a workshop store already exists here(; open it, or choose another folder)?",
     "{p}：这里已经有一个工作坊数据文件；打开它，或者换一个文件夹"),
    (r"(?P<p>.+): left over from an earlier store; remove it before creating a new one",
     "{p}：是以前的工作坊留下的文件；先删除它，再创建新的工作坊"),
    (r"(?P<p>.+): cannot be read \((?P<why>.*)\)", "{p}：无法读取（{why}）"),
    (r"(?P<p>.+): the workshop store stayed busy for (?P<s>\S+) s; try again",
     "{p}：工作坊数据文件 {s} 秒内一直被占用；请再试一次"),
    (r"(?P<p>.+): export to \.csv or \.xlsx", "{p}：只能导出为 CSV 或 Excel 文件"),
    (r"give --teams N or --team-names a,b,\.\.\.", "请给出 --teams 组数，或者 --team-names 组名1,组名2,…"),
    (r"--teams (?P<n>\d+) but --team-names names (?P<k>\d+) teams", "--teams 是 {n}，但 --team-names 列了 {k} 个组"),
    (r"teams must be between 1 and (?P<m>\d+), got (?P<n>.+)", "组数必须在 1 到 {m} 之间（填的是 {n}）"),
    (r"give between 1 and (?P<m>\d+) team names, got (?P<n>\d+)", "请给出 1 到 {m} 个组名（给了 {n} 个）"),
    (r"team name (?P<v>.+) is given twice", lambda g: f"组名{_q(g['v'])}重复了"),
    (r"names: (?P<n>\d+) teams but (?P<k>\d+) names given", "--names：{n} 个组，却给了 {k} 个名称"),
    (r"(?P<f>team name|team display name|trainee) must not be empty", lambda g: f"{_FIELDS[g['f']]}不能是空的"),
    (r"(?P<f>team name|team display name|trainee) is longer than (?P<n>\d+) characters: .*",
     lambda g: f"{_FIELDS[g['f']]}最多 {g['n']} 个字"),
    (r"--pace must be normal, fast or a weekly chance in \(0, 1\], got (?P<v>.+)",
     lambda g: f"--pace 只能是 normal（正常）、fast（快）或 (0, 1] 之间的每周机会，不能是{_q(g['v'])}"),
    (r"pace must be .* or a weekly chance in \(0, 1\], got (?P<v>.+)",
     lambda g: f"--pace 只能是 normal（正常）、fast（快）或 (0, 1] 之间的每周机会，不能是{_q(g['v'])}"),
    (r"seed must be at most (?P<m>\d+), got (?P<v>.+)", "种子最大为 {m}（填的是 {v}）"),
    (r"start_week \+ period_weeks \((?P<a>\d+) \+ (?P<b>\d+)\) exceeds the world's (?P<w>\d+) weeks",
     "开始周加周期（{a} + {b}）超过了市场的 {w} 周"),
    (r"weeks_per_round \((?P<k>\d+)\) exceeds the period's (?P<n>\d+) weeks", "每回合周数（{k}）超过了周期的 {n} 周"),
    (r"unknown score weight (?P<v>.+); the weights are: .*",
     lambda g: f"没有{_q(g['v'])}这个得分权重；得分权重有：{'、'.join(metric_names().values())}"),
    (r"score weight (?P<k>\w+) must be a number ≥ 0, got (?P<v>.+)",
     lambda g: f"得分权重「{METRICS.get(g['k'], g['k'])}」必须是不小于 0 的数（填的是 {g['v']}）"),
    (r"weight (?P<k>[^:]+): (?P<v>.+) is not a number",
     lambda g: f"得分权重「{METRICS.get(g['k'], g['k'])}」：{_q(g['v'])}不是数字"),
    (r"unknown market event (?P<v>.+); the catalogue: .*",
     lambda g: f"没有{_q(g['v'])}这种市场事件；可以安排：{'、'.join(k.zh for k in EVENT_KINDS.values())}"),
    (r"market event (?P<k>\w+): \w+: unknown parameter (?P<v>.+); its parameters are .*",
     lambda g: f"市场事件「{_event(g['k'])}」没有参数{_q(g['v'])}；"
               f"它的参数有：{'、'.join(param_names(g['k']).values())}"),
    (r"market event (?P<k>\w+): \w+: parameter (?P<v>'\w+') must be between (?P<lo>\S+) and (?P<hi>\S+), got (?P<x>.+)",
     lambda g: f"市场事件「{_event(g['k'])}」的参数「{_param(g['k'], g['v'])}」必须在 {g['lo']} 到 {g['hi']} 之间"
               f"（填的是 {_q(g['x'])[1:-1]}）"),
    (r"market event (?P<k>\w+): \w+: parameter (?P<v>'\w+') must be a (?P<w>finite |whole )?number, got (?P<x>.+)",
     lambda g: f"市场事件「{_event(g['k'])}」的参数「{_param(g['k'], g['v'])}」"
               f"必须是{'整数' if g['w'] == 'whole ' else '数'}（填的是 {_q(g['x'])[1:-1]}）"),
    (r"--param names a parameter twice", "--param 把同一个参数给了两次"),
    (r"give the event's round or its week, not both", "事件的回合和周只能给一个"),
    (r"week must be at least (?P<m>\d+), got (?P<v>.+)", "周必须不小于第 {m} 周（填的是 {v}）"),
    (r"--url goes with --cards \(the QR codes are on the cards\)", "--url 要和 --cards 一起用（二维码印在卡片上）"),
    (r"at_round (?P<r>\d+) is not a round this team has played \(played: (?P<p>.*)\)",
     lambda g: f"第 {g['r']} 回合不是这个组进行过的回合（进行过的：{'还没有' if g['p'] == 'none yet' else g['p']}）"),
    (r"give one --action per --deal \((?P<d>\d+) deals, (?P<a>\d+) actions\)",
     "每个 --deal 要配一个 --action（{d} 个商机，{a} 个行动）"),
    (r"deal (?P<d>\d+) is both changed and removed", "商机 {d} 不能既改变行动又去掉行动"),
    (r"changes: unknown action (?P<v>.+); actions are .*",
     lambda g: f"没有{_q(g['v'])}这个行动；行动有：{'、'.join(a[0] for a in action_names().values())}"),
    (r"--branch (?P<s>'.*'|\".*\"): expected TEAM:ROUND or TEAM:ROUND:DEAL=ACTION,\.\.\.",
     lambda g: f"--branch{_q(g['s'])}：格式应为 组:回合 或 组:回合:商机=行动,…"),
    (r"--branch (?P<s>'.*'|\".*\"): round (?P<r>.+) is not a whole number",
     lambda g: f"--branch{_q(g['s'])}：回合{_q(g['r'])}不是整数"),
    (r"--branch (?P<s>'.*'|\".*\"): (?P<n>.+) is not a deal id \(nor threshold\)",
     lambda g: f"--branch{_q(g['s'])}：{_q(g['n'])}不是商机编号（也不是门槛）"),
    (r"--branch (?P<s>'.*'|\".*\"): give deal (?P<d>\d+) an action, or \d+=remove",
     lambda g: f"--branch{_q(g['s'])}：请给商机 {g['d']} 一个行动，或者写 {g['d']}=remove 去掉它的行动"),
    (r"--branch (?P<s>'.*'|\".*\"): (?P<m>.+)", lambda g: f"--branch{_q(g['s'])}：{argparse_zh(g['m'])}"),
]
_FIELDS = {"team name": "组名", "team display name": "组的名称", "trainee": "学员的名字"}
_OS_ZH = {errno.ENOENT: "没有这个文件或文件夹", errno.EACCES: "没有权限", errno.EPERM: "不允许这样操作",
          errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一部分不是文件夹", errno.ENOSPC: "磁盘空间不足",
          errno.EROFS: "磁盘是只读的", errno.EEXIST: "已经存在"}

# argparse's own messages (what the types of cli.py say, then argparse's sentences)
_ARGPARSE_ZH: list[tuple[str, str | _Zh]] = [
    (r"(?P<v>.+) is not a whole number", lambda g: f"{_q(g['v'])}不是整数"),
    (r"(?P<v>.+) is not a number", lambda g: f"{_q(g['v'])}不是数字"),
    (r"(?P<v>.+) must be at least 1", lambda g: f"{_q(g['v'])}不能小于 1"),
    (r"(?P<v>.+) must be 0 or more", lambda g: f"{_q(g['v'])}不能小于 0"),
    (r"(?P<v>.+) must be at most (?P<m>[\d,]+)", lambda g: f"{_q(g['v'])}不能大于 {g['m']}"),
    (r"(?P<v>.+) must be more than 0 minutes", lambda g: f"{_q(g['v'])}：分钟数必须大于 0"),
    (r"(?P<v>.+) is not name=value", lambda g: f"{_q(g['v'])}不是「名称=值」的形式"),
    (r"invalid int value: (?P<v>.+)", lambda g: f"{_q(g['v'])}不是整数"),
    (r"invalid choice: (?P<v>'[^']*'|\"[^\"]*\") \(choose from (?P<c>.*)\)",
     lambda g: f"无效的选择{_q(g['v'])}（可选：{_listed(g['c'])}）"),
    (r"expected one argument", "后面要跟一个值"),
    (r"the following arguments are required: (?P<a>.+)", "缺少必需的参数：{a}"),
    (r"unrecognized arguments: (?P<a>.+)", "无法识别的参数：{a}"),
    (r"ambiguous option: (?P<o>\S+) could match (?P<m>.+)", "有歧义的选项 {o}：可能是 {m}"),
    (r"argument (?P<a>[^:]+): not allowed with argument (?P<b>.+)", "参数 {a} 不能和参数 {b} 一起用"),
]


def _translate(message: str, table: list[tuple[str, str | _Zh]]) -> str | None:
    for pattern, zh in table:
        found = re.fullmatch(pattern, message)
        if found is not None:
            return zh(found.groupdict()) if callable(zh) else zh.format(**found.groupdict())
    return None


def argparse_zh(message: str) -> str:
    """One of argparse's error messages (with the messages of the console's argument types) in Chinese; the
    message as it is when it is not one of them."""
    arg = re.fullmatch(r"argument (?P<a>[^:]+): (?P<m>.+)", message)
    if arg is not None and not arg["m"].startswith("not allowed with"):
        name = "子命令" if arg["a"].endswith("_command") or arg["a"] == "command" else \
            "参数「名称=值」" if arg["a"] == "NAME=VALUE" else f"参数 {arg['a']}"
        return f"{name}：{argparse_zh(arg['m'])}"
    return _translate(message, _ARGPARSE_ZH) or message


def error_zh(exc: BaseException, message: str) -> str:
    """The Chinese of an error whose English one-line ``message`` is given: the exception's own ``zh`` when it
    has one, else the English of the store, the console or the operating system translated, else ``message``."""
    zh = getattr(exc, "zh", None)
    if isinstance(zh, str) and zh.strip() and zh != getattr(exc, "en", None):
        return one_line(ValueError(zh))
    if isinstance(exc, OSError) and exc.errno in _OS_ZH:
        where = f"{exc.filename}：" if exc.filename is not None else ""
        return f"{where}{_OS_ZH[exc.errno]}"
    found = _translate(message, _STORE_ZH)
    return found if found is not None else message
