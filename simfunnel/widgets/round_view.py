"""How the trainee's board shows a workshop run in rounds: the round box, the round's result, the market news.

:class:`RoundView` is a base class of :class:`simfunnel.widgets.workshop.TeamBoard` (next to
:class:`~simfunnel.widgets.deal_board.DealBoard`): it draws, from the round state the board last read from
the store (:class:`RoundState`) and the clock, what a team in a round needs to see:

- **the round box** — the round and the weeks it plays, a large countdown, and what to do now: plan your
  moves and let one of you press Submit; after the submit, wait for the trainer or the timer; between rounds,
  wait for the next one. Every line is computed at each render from the state, never left over from an
  earlier message;
- **the round's result** — once a round has been played, every week of it: the team's moves (who, which
  deal, which action) with their outcome and stage change, what then happened to the deals acted on, and the
  week's wins, losses and advances over all deals;
- **why the actions are locked** — no round open, the round's time up, or the team has submitted: the Act
  button, the action list and Undo are disabled, with the reason under the Act button;
- **the market news** that has hit the team (the store's texts name the board's own stages).

This module only draws; reading the store is the board's (``TeamBoard._sync_store``).
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any, NamedTuple

import pandas as pd

from simfunnel.widgets.moves import styled_span

__all__ = ["ROUND_CSS", "RoundState", "RoundView"]

ROUND_CSS = """
<style>
.sf-board .sf-round {display:flex; flex-wrap:wrap; align-items:center; gap:6px 18px; border:2px solid #2f6fbf;
  border-radius:8px; padding:8px 14px; margin:6px 0; background:#f5f8fc}
.sf-board .sf-round-text {flex:1 1 420px}
.sf-board .sf-request {border:1px solid #e0a43a; border-radius:6px; padding:4px 10px; margin:4px 0; background:#fff7e8;
  gap:8px}
.sf-board .sf-request-text {font-size:14px}
.sf-board .sf-round-name {font-size:19px; font-weight:600}
.sf-board .sf-round-todo {font-size:15px; line-height:1.55; margin-top:4px}
.sf-board .sf-round-clock {flex:0 0 auto; min-width:150px; text-align:center}
.sf-board .sf-round-time {font-size:46px; font-weight:700; line-height:1.05; font-variant-numeric:tabular-nums}
.sf-board .sf-round-wait {border-color:#c9d3e0; background:#f7f8fa}
.sf-board .sf-round-done {border-color:#1b7f3b; background:#f1f8f3}
.sf-board .sf-round-late {border-color:#b23a3a; background:#fdf3f3}
.sf-board .sf-round-urgent .sf-round-time, .sf-board .sf-round-late .sf-round-time {color:#b23a3a}
.sf-board .sf-result {border:1px solid #c9d3e0; border-radius:8px; padding:6px 12px; margin:4px 0; background:#fff}
.sf-board .sf-result summary {cursor:pointer; font-size:15px; font-weight:600; padding:2px 0}
.sf-board .sf-result-week {margin:6px 0 2px; font-weight:600}
.sf-board .sf-result ul {margin:2px 0; padding-left:20px}
.sf-board .sf-result li {margin:2px 0}
.sf-board .sf-locked {display:inline-block; color:#8a5a00; font-size:13px; border-left:3px solid #e0a800;
  padding:1px 6px; margin:2px 0; background:#fff8e1}
</style>
"""


class RoundState(NamedTuple):
    """What the board last read about the rounds: the open round, the last round played, the team's submit."""

    open: dict | None  # store.current_round(): number, kind, first_week, last_week, deadline (UTC datetime) …
    last: dict | None  # the last round closed (not reset): number, kind, first_week, last_week
    submitted_by: str | None  # None: the team has not submitted the open round; else who did ("" = unnamed)


def seconds_left(round_: dict | None, now: datetime | None = None) -> float | None:
    """Seconds to the open round's deadline (0 once passed); None without a round or a timer."""
    if round_ is None or round_.get("deadline") is None:
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (round_["deadline"] - now).total_seconds())


def clock_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour), rounded up: 0:00 only once the time is up.

    >>> clock_text(272.2), clock_text(0), clock_text(3601)
    ('4:33', '0:00', '1:00:01')
    """
    whole = int(-(-seconds // 1))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RoundView:
    """The drawing of a board in a workshop run in rounds (a base class of ``TeamBoard`` only).

    Reads the board's ``_rounds`` (a :class:`RoundState`), ``sim``, ``store``, ``_week_moves`` and the
    DealBoard's look-ups; writes the widgets ``_round_box``, ``_result_box``, ``_news_box``.
    """

    _rounds: RoundState

    # --- state ------------------------------------------------------------------------------------
    def _round_phase(self) -> str:
        """``wait`` (no round open), ``open``, ``submitted`` or ``late`` (the round's time is up)."""
        r = self._rounds.open
        if r is None:
            return "wait"
        if self._rounds.submitted_by is not None:
            return "submitted"
        left = seconds_left(r)
        return "late" if left is not None and left <= 0 else "open"

    def _act_block(self) -> tuple[str, dict] | None:
        """Why the team may not act nor undo now (a text key and its fields), or None: it may."""
        phase = self._round_phase()
        if phase == "wait":
            return "act_no_round", {}
        if phase == "late":
            return "act_time_up", {}
        if phase == "submitted":
            return "act_submitted", {"who": self._rounds.submitted_by or "—"}
        return None

    def _round_name(self, r: dict) -> str:
        return self.t("round_practice") if r["kind"] == "practice" else self.t("round_number", n=int(r["number"]))

    # --- the round box ------------------------------------------------------------------------------
    def _round_box_html(self) -> str:
        t, r, phase = self.t, self._rounds.open, self._round_phase()
        clock = ""
        if r is None:
            last = self._rounds.last
            if last is None:
                name, todo = t("round_none"), t("todo_wait_first")
            else:
                name = t("round_over", name=self._round_name(last))
                played = int(last["last_week"]) <= self.sim.week
                if self.sim.week >= self.store.end_week and played:
                    todo = t("todo_over")
                else:
                    todo = t("todo_wait_next", first=int(last["first_week"]), last=int(last["last_week"]))
        else:
            name = t("round_line", name=self._round_name(r), first=int(r["first_week"]), last=int(r["last_week"]))
            left = seconds_left(r)
            submitted = "todo_submitted" if left is not None else "todo_submitted_no_timer"
            todo = {"open": lambda: t("todo_plan"), "late": lambda: t("todo_time_up"),
                    "submitted": lambda: t(submitted, who=self._rounds.submitted_by or "—")}[phase]()
            time = t("round_no_timer") if left is None else clock_text(left)
            label = (t("round_no_timer_label") if left is None else t("round_clock_label") if left > 0
                     else t("round_time_up"))
            size = ' style="font-size:26px"' if left is None else ""
            clock = (f'<div class="sf-round-clock"><div class="sf-round-time"{size}>{html.escape(time)}</div>'
                     f'<div class="sf-muted">{html.escape(label)}</div></div>')
        css = {"wait": "sf-round-wait", "open": "", "submitted": "sf-round-done", "late": "sf-round-late"}[phase]
        left = seconds_left(r)
        if phase == "open" and left is not None and left < 60:
            css += " sf-round-urgent"
        return (f'<div class="sf-round {css}"><div class="sf-round-text">'
                f'<div class="sf-round-name">{html.escape(name)}</div>'
                f'<div class="sf-round-todo">{html.escape(todo)}</div></div>{clock}</div>')

    def _render_round(self) -> None:
        """The round box (cheap: no store read; the clock thread calls it every tick for the countdown)."""
        self._round_box.value = self._round_box_html()

    # --- the round's result -------------------------------------------------------------------------
    def _render_result(self) -> None:
        """Every week of the last round played: the team's moves and outcomes, then what happened next."""
        last = self._rounds.last
        if last is None or int(last["last_week"]) > self.sim.week:
            self._result_box.value = ""
            return
        t = self.t
        first, end = int(last["first_week"]), int(last["last_week"])
        events = self.sim.history.events
        events = events[(events["week"] >= first) & (events["week"] <= end)]
        moves = self._week_moves.get(first, [])
        acted = {m.deal_id for _, m in moves}
        body = []
        for week in range(first, end + 1):
            body.append(f'<div class="sf-result-week">{html.escape(t("result_week", week=week))}</div>')
            week_events = events[events["week"] == week]
            if week == first:
                items = [self._result_move_html(who, m) for who, m in moves]
                body.append(f"<ul>{''.join(items)}</ul>" if items else styled_span("sf-muted", t("result_no_moves")))
            else:
                body.append(styled_span("sf-muted", t("result_later_week", first=first)))
                if acted:
                    mine = week_events[week_events["deal_id"].isin(acted)]
                    if len(mine):
                        items = "".join(self._result_event_html(e) for e in mine.itertuples(index=False))
                        body.append(f'<div>{html.escape(t("result_followups"))}<ul>{items}</ul></div>')
                    else:
                        body.append("<br>" + styled_span("sf-muted", t("result_followups_none")))
            body.append(f'<div class="sf-muted">{html.escape(self._all_deals_line(week, week_events))}</div>')
        name = self._round_name(last)
        title = t("result_title", name=name, first=first, last=end)
        if self._rounds.open is not None:  # the next round is on: the last result stays at hand, folded
            title = t("result_earlier", name=name, first=first, last=end)
        folded = " open" if self._rounds.open is None else ""
        self._result_box.value = (f'<details class="sf-result"{folded}><summary>{html.escape(title)}</summary>'
                                  f'{"".join(body)}</details>')

    def _result_move_html(self, who: str, m: Any) -> str:
        p = self._pos(m.deal_id)
        mark = ""
        if m.answer is not None:
            mark = " " + styled_span("sf-good" if m.correct else "sf-bad",
                                     self.t("result_right" if m.correct else "result_wrong"))
        stage = self._stage_text(m)  # DealBoardView's
        return (f"<li><b>{html.escape(who or '—')}</b> · {html.escape(self._account(p))} "
                f"{styled_span('sf-muted', f'#{m.deal_id}')} · {html.escape(self._action_label(m.action))} "
                f"{self._badge(m.outcome)}{mark} · {html.escape(stage)}</li>")

    def _result_event_html(self, e: Any) -> str:
        p = self._pos(e.deal_id)
        frm, to = self.funnel.label(e.from_stage, self.lang), self.funnel.label(e.to_stage, self.lang)
        # what the week did to the deal (a stage move, not a customer's response: no response badge)
        return (f"<li>{html.escape(self._account(p))} {styled_span('sf-muted', f'#{e.deal_id}')} "
                f"{html.escape(frm)} → {html.escape(to)}</li>")

    def _all_deals_line(self, week: int, events: pd.DataFrame) -> str:
        outcome = events["outcome"].to_numpy()
        pos = self._index.get_indexer(events["deal_id"])
        won, lost = outcome == "order", outcome == "no_sale"
        return self.t("summary_all", won=int(won.sum()), won_amount=self._money(self._amount[pos[won]].sum()),
                      lost=int(lost.sum()), lost_amount=self._money(self._amount[pos[lost]].sum()),
                      advanced=int((outcome == "advance").sum()), new=int((self._created == week).sum()))

    # --- market news --------------------------------------------------------------------------------
    def _render_news(self, events: pd.DataFrame) -> None:
        """The market events that have hit the team (``events``: the store's, with their texts)."""
        if not len(events):
            self._news_box.value = ""
            return
        items = "".join(f"<li>{html.escape(str(text))}</li>" for text in events["text"])
        self._news_box.value = (f'<div class="sf-warn" style="margin:2px 0">{html.escape(self.t("news_title"))}'
                                f'<ul style="margin:0;padding-left:18px">{items}</ul></div>')
