"""What the workshop store refuses, and how it says so: its exceptions, their messages in zh and en, and
the checks of the arguments callers pass.

A trainee's refusal (a move on a deal that already has one, a week closed, a round whose time is up…)
is a :class:`MoveRefused` with ``exc.zh`` and ``exc.en``; every other problem of the store (a foreign
file, bad input, a store that stayed busy) is a :class:`StoreError`. Both are ``ValueError`` s.

Example:
    >>> exc = refusal(MoveRefused, "ended", end=26)
    >>> exc.en, exc.text("zh")
    ("The workshop's period ended at week 26: no more moves.", '本次工作坊的周期已在第 26 周结束，不能再行动。')
    >>> whole_number("week", 14.0)
    Traceback (most recent call last):
    ...
    simfunnel.workshop.errors.StoreError: week must be a whole number, got 14.0
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

__all__ = ["StoreError", "MoveRefused", "TEXT", "WHO", "MAX_NAME", "refusal", "whole_number", "clean_text"]

MAX_NAME = 60  # the longest team or trainee name

# Messages a trainee may meet: (zh, en).
TEXT: dict[str, tuple[str, str]] = {
    "taken": ("商机 {deal} 在第 {week} 周已有行动：{who_zh}已选择「{action_zh}」。每个商机每周只能有一个行动。",
              "Deal {deal} already has a move in week {week}: {who_en} chose '{action_en}'. "
              "One move per deal and week."),
    "closed": ("第 {week} 周已经结束（{who_zh}结束了这一周）；现在的行动属于第 {open} 周。",
               "Week {week} is closed ({who_en} closed it); moves now go into week {open}."),
    "not_open": ("第 {week} 周还没有开始：{team_zh}正在进行第 {open} 周。",
                 "Week {week} is not open yet: {team_en} is playing week {open}."),
    "ended": ("本次工作坊的周期已在第 {end} 周结束，不能再行动。",
              "The workshop's period ended at week {end}: no more moves."),
    "before": ("第 {week} 周在本次工作坊开始之前；行动从第 {first} 周开始。",
               "Week {week} comes before the workshop's play, which starts in week {first}."),
    "unknown_team": ("没有名为「{team}」的组；组名是：{teams}。",
                     "No team named {team!r}; the teams are: {teams}."),
    "no_move": ("商机 {deal} 在第 {week} 周没有行动。", "Deal {deal} has no move in week {week}."),
    "changed": ("记录这个行动的同时，讲师重置了回合或安排了市场事件：请看一下更新后的看板，再重新行动。",
                "While this move was being recorded the trainer reset the round or scheduled a market event: "
                "the workshop changed; look at the board again and make the move again."),
    "answered": ("商机 {deal} 在第 {week} 周的客户回复已判断为「{answer}」。",
                 "The reply on deal {deal} in week {week} is already classified as {answer!r}."),
    # rounds (weeks_per_round > 0)
    "no_round": ("现在没有进行中的回合：请等讲师开始下一回合。",
                 "No round is open: wait for the trainer to open the next round."),
    "round_week": ("{round_zh}的行动都在第 {first} 周（本回合模拟第 {first}–{last} 周），不在第 {week} 周。",
                   "In {round_en} moves go into week {first} (the round plays weeks {first}–{last}), not week {week}."),
    "time_up": ("{round_zh}的时间已到（截止时间 {deadline}），不能再行动。",
                "Time is up for {round_en} (the deadline was {deadline}): no more moves."),
    "submitted": ("{team_zh}已提交{round_zh}的决定（{who_zh}提交），不能再修改。",
                  "{team_en_cap} has submitted its decisions for {round_en} ({who_en} submitted them): "
                  "no more changes."),
    "not_yours": ("商机 {deal} 在第 {week} 周的行动是{who_zh}做的：只有{who_zh}本人可以直接撤回。请{who_zh}撤回，"
                  "或者点“请组员确认撤回”，由另一位组员确认。",
                  "The move on deal {deal} in week {week} is {who_en}'s: only {who_en} can undo it directly. "
                  "Ask {who_en} to undo it, or press “Ask to withdraw it” for another teammate to confirm."),
    "ask_own": ("商机 {deal} 在第 {week} 周的行动是你自己的：直接撤回即可。",
                "The move on deal {deal} in week {week} is your own: just undo it."),
    "answer_own": ("这是你自己提出的撤回请求：需要另一位组员确认。",
                   "You asked to withdraw this move yourself: another teammate must confirm it."),
    "no_request": ("这个撤回请求已经处理过了，或者已经不存在。", "That request to withdraw a move was answered already, or is gone."),
    # joining with a code (simfunnel.workshop.access)
    "name_taken": ("{team_zh}里已经有人用“{name}”这个名字从另一个浏览器加入了。请换一个名字；如果那就是你"
                   "（换了电脑或浏览器），请讲师允许你重新加入。",
                   "The name {name!r} is already used in {team_en} from another browser. Choose another name; "
                   "if it is you (another computer or browser), ask your trainer to let you rejoin."),
    "no_trainee": ("{team_zh}里没有叫“{name}”的学员加入过。", "Nobody named {name!r} has joined {team_en}."),
    "code_retired": ("讲师已经更换了{team_zh}的加入码：请用新的加入码重新加入。",
                     "The trainer replaced {team_en}'s join code: join again with the new code."),
    "name_moved": ("你的名字“{name}”已经在另一个浏览器上加入了{team_zh}（讲师允许了重新加入）：这个页面不能再行动。",
                   "Your name {name!r} has joined {team_en} from another browser (the trainer allowed a rejoin): "
                   "this page can no longer act."),
    "trainer_closes": ("本次工作坊按回合进行：讲师为所有组一起结束回合，各组不用自己结束一周。",
                       "This workshop plays in rounds: the trainer closes each round for every team; "
                       "teams do not close weeks themselves."),
    # the trainer's
    "round_open": ("{round_zh}还在进行中（第 {first}–{last} 周）：先结束它，再开始下一回合。",
                   "{round_cap} is still open (weeks {first}–{last}): close it before opening the next one."),
    "no_open_round": ("没有进行中的回合可以结束。", "No round is open to close."),
    "period_over": ("本次工作坊的周期已在第 {end} 周结束，不能再开始新回合。",
                    "The workshop's period ended at week {end}: no more rounds."),
    "free_play": ("本次工作坊是自由进行的（创建时没有设定每回合的周数），没有回合。",
                  "This workshop plays free (it was created without weeks per round): it has no rounds."),
    "no_practice": ("没有需要重置的练习回合。", "There is no practice round to reset."),
}
WHO = ("一位组员", "a teammate")


class StoreError(ValueError):
    """A workshop store problem: a missing or foreign file, bad input, a week not open, a store that stayed busy.

    ``str(exc)`` is the English message; ``exc.en`` and ``exc.zh`` hold both languages
    (``zh`` falls back to English for messages meant for the trainer or a developer).
    """

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


class MoveRefused(StoreError):
    """A move refused: the deal already has a move this week, or the week is not the team's open week."""


def refusal(cls: type[StoreError], key: str, **fields: Any) -> StoreError:
    """The message ``key`` of :data:`TEXT` in zh and en, its fields filled in, as an exception of class ``cls``."""
    zh, en = TEXT[key]
    return cls(en.format(**fields), zh.format(**fields))


def whole_number(name: str, value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int; refused (a :class:`StoreError` naming ``name``): not a whole number, below
    ``minimum`` or above ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise StoreError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise StoreError(f"{name} must be at least {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise StoreError(f"{name} must be at most {maximum:,}, got {value!r}")
    return int(value)


def hidden_controls(text: str) -> bool:
    """Whether ``text`` holds characters a person cannot see but that change what is shown: control characters,
    bidi overrides and isolates (U+202A–202E, U+2066–2069: "evil.exe" shown as "exe.live"), zero-width
    characters (U+200B–200D, U+2060, U+FEFF), line and paragraph separators.

    Example:
        >>> hidden_controls("李雷"), hidden_controls("li\u202eexe.live"), hidden_controls("a\u200bb")
        (False, True, True)
    """
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def clean_text(name: str, value: object, *, limit: int = 200, empty: bool = True) -> str:
    """``value`` stripped; refused (a :class:`StoreError` naming ``name``): not text, empty (unless ``empty``),
    longer than ``limit`` characters, or with control or invisible characters (:func:`hidden_controls`)."""
    if not isinstance(value, str):
        raise StoreError(f"{name} must be text, got {value!r}")
    value = value.strip()
    if not value and not empty:
        raise StoreError(f"{name} must not be empty")
    if len(value) > limit:
        raise StoreError(f"{name} is longer than {limit} characters: {value[:40]!r}…")
    if hidden_controls(value):
        raise StoreError(f"{name} contains control characters or invisible ones (bidi or zero-width): {value!r}",
                         f"{name} 含有控制字符或看不见的字符（双向或零宽字符）：{value!r}")
    return value
