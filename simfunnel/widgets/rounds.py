"""RoundControl: the trainer runs the rounds of a workshop — open, timer, who has submitted, close, market events, weights.

Below the rounds, the teams' join codes (:class:`~simfunnel.widgets.team_codes.TeamCodes`: a new code for a
team, a rejoin allowed). Teams are shown by their names for people (the store's ``team_name``).

Everything goes through the workshop store (:class:`~simfunnel.workshop.store.WorkshopStore`), the
same calls as the ``simfunnel workshop round|event|weights`` commands, so the CLI and the
notebook can be used side by side. With **auto-refresh** on, the widget re-reads the store
every few seconds and calls :meth:`~simfunnel.workshop.store.WorkshopStore.tick`, so a round whose
timer runs out is closed and processed even when nobody presses anything.

From code (tests drive it without a browser)::

    control = RoundControl(WorkshopStore.open("W"))
    control.open_round(practice=True)          # the practice round
    control.close_round(); control.reset_practice()
    control.open_round(timer_minutes=8)        # round 1, closed by the timer (or close_round())
    control.add_event("price_cut", team=None)  # hits at the next round
    control.set_weights(booked=3, quiz_score=2)
    control.status                             # who has submitted

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=3, accounts=30, weeks_per_round=2)
    >>> control = RoundControl(store, lang="en")
    >>> control.open_round()["number"]
    1
    >>> list(control.status.submitted)
    [False, False]
"""

from __future__ import annotations

import html
import math
import threading
from typing import Any

import ipywidgets as w
import pandas as pd

from simfunnel.widgets.base import CSS, Widget
from simfunnel.widgets.controls import AutoRefresh, AutoRefreshed, check_refresh_args
from simfunnel.widgets.team_codes import TeamCodes
from simfunnel.workshop.store import WorkshopStore
from simfunnel.model.events import EVENT_KINDS

__all__ = ["RoundControl", "WEIGHT_KEYS"]

WEIGHT_KEYS = ("booked", "forecast_accuracy", "progress_vs_benchmark", "quiz_score", "records_entered")


class RoundControl(AutoRefreshed, Widget):
    """The trainer's round controls over a workshop store in rounds mode (``--weeks-per-round``).

    Args:
        store: an open :class:`~simfunnel.workshop.store.WorkshopStore` made with ``weeks_per_round > 0``.
        auto_seconds: seconds between automatic refreshes (and timer checks) when auto-refresh is on.
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.

    Raises:
        ValueError: not a store, or a free-play store (no rounds).
    """

    TEXT = {
        "title": ("回合控制", "Rounds"),
        "none_open": ("现在没有进行中的回合。", "No round is open."),
        "open_line": ("{name}进行中：第 {first}–{last} 周", "{name} is open: weeks {first}–{last}"),
        "left": ("剩余 {time}", "{time} left"),
        "no_timer": ("不计时", "no timer"),
        "practice_name": ("练习回合", "The practice round"),
        "round_name": ("第 {n} 回合", "Round {n}"),
        "last_line": ("上一回合：{name}（第 {first}–{last} 周），{status}", "Last round: {name} (weeks {first}–{last}), {status}"),
        "status_closed": ("已结束", "closed"),
        "status_reset": ("已重置", "reset"),
        "progress": ("{n} 个组中已有 {k} 个提交", "{k} of {n} teams have submitted"),
        "open_practice": ("开始练习回合", "Open practice round"),
        "open_next": ("开始下一回合", "Open next round"),
        "timer": ("计时（分钟）", "Timer (min)"),
        "timer_tip": ("0 = 不计时；到时自动结束并处理本回合", "0 = no timer; when it runs out the round is closed and played"),
        "close": ("结束并处理本回合", "Close and play the round"),
        "reset": ("重置练习回合", "Reset practice"),
        "refresh": ("刷新", "Refresh"),
        "auto": ("自动刷新", "Auto-refresh"),
        "col_team": ("组", "Team"),
        "col_submitted": ("已提交", "Submitted"),
        "col_moves": ("本回合行动", "Moves this round"),
        "col_by": ("提交人", "By"),
        "col_default": ("默认决策", "Default decision"),
        "yes": ("✓", "✓"),
        "default_text": ("未提交：不行动（延续）", "none submitted: no action (continuation)"),
        "events_title": ("市场事件", "Market events"),
        "event_kind": ("事件", "Event"),
        "event_team": ("影响", "Hits"),
        "all_teams": ("所有组", "All teams"),
        "inject": ("加入下一回合", "Add to next round"),
        "event_hidden": ("未发生（学员看不到）", "not yet hit (hidden from trainees)"),
        "event_hit": ("已发生", "has hit"),
        "no_events": ("还没有安排市场事件。", "No market event scheduled yet."),
        "weights_title": ("计分权重", "Score weights"),
        "apply_weights": ("应用权重", "Apply weights"),
        "w_booked": ("已成交", "Booked"),
        "w_forecast_accuracy": ("预测准确度", "Forecast accuracy"),
        "w_progress_vs_benchmark": ("进展 / 基准", "Progress / benchmark"),
        "w_quiz_score": ("答题得分", "Quiz score"),
        "w_records_entered": ("录入记录（越少越好）", "Records entered (fewer is better)"),
        "done_open": ("已开始：{name}", "Opened: {name}"),
        "done_close": ("已结束并处理：{name}", "Closed and played: {name}"),
        "done_timer": ("时间到：{name}已自动结束并处理", "Time is up: {name} was closed and played"),
        "done_reset": ("练习回合已重置：撤回 {n} 个行动，各组回到第 {week} 周",
                       "Practice reset: {n} moves withdrawn, every team back at week {week}"),
        "done_event": ("已安排：{text}", "Scheduled: {text}"),
        "done_weights": ("新的权重已生效", "New weights in force"),
        "error": ("未完成：{error}", "Not done: {error}"),
    }

    def __init__(self, store: Any, *, auto_seconds: float = 5.0, lang: str | None = None) -> None:
        super().__init__(lang)
        check_refresh_args(store, auto_seconds, 1, WorkshopStore)
        if not store.rounds_mode:
            raise ValueError(f"{store.path}: a free-play workshop has no rounds (create one with --weeks-per-round)")
        self.store = store
        self.auto_seconds = float(auto_seconds)
        self.round: dict | None = None
        self.status = pd.DataFrame()
        self._note: tuple[str, dict, bool] | None = None
        self._lock = threading.Lock()
        self._build_ui()
        self.reload()

    # --- the trainer's verbs (each is what a button does) ---------------------------------------
    def open_round(self, practice: bool = False, timer_minutes: float | None = None) -> dict:
        """Open the practice round or the next scored round (with an optional timer); the round."""
        minutes = None if not timer_minutes else float(timer_minutes)
        row = self._do(lambda: self.store.open_round(practice=practice, timer_minutes=minutes))
        self._say("done_open", round=row)
        if minutes:
            self.auto.value = True  # someone must watch the clock
        return row

    def close_round(self) -> pd.DataFrame:
        """Close the open round and play it for every team (late teams get the default decision)."""
        current = self.round
        summary = self._do(self.store.close_round)
        self._say("done_close", round=current)
        return summary

    def reset_practice(self) -> int:
        """Undo the practice round: no trace in the scores."""
        n = self._do(self.store.reset_practice)
        self._say("done_reset", n=n, week=self.store.week(self.store.teams[0]))
        return n

    def add_event(self, kind: str, team: str | None = None, **params: float) -> int:
        """Schedule a market event from the catalogue for the next round (``team=None``: every team)."""
        event_id = self._do(lambda: self.store.add_event(kind, team=team, **params))
        self._say("done_event", event=event_id)
        return event_id

    def set_weights(self, **weights: float) -> dict[str, float]:
        """Set score weights (the leaderboard ranks by the weighted score)."""
        out = self._do(lambda: self.store.set_weights(**weights))
        self._say("done_weights")
        return out

    def tick(self) -> bool:
        """Let the store close a round whose timer ran out; True if it did (then reload)."""
        current = self.round
        closed = bool(self.store.tick())
        if closed:
            self._say("done_timer", round=current)
        return closed

    def reload(self) -> None:
        """Read the round, the submissions and the events again, and redraw."""
        with self._lock:
            self.tick()
            before = self.round
            self.round = self.store.current_round()
            if (before or {}).get("id") != (self.round or {}).get("id"):
                self._round_changed(before)
            self.status = self.store.round_status()
            self.events = self.store.events(lang=self.lang)
            self.events.attrs["lang"] = self.lang
            self.weights = self.store.weights
        self.refresh()

    def _round_changed(self, before: dict | None) -> None:
        """The open round changed since the last reload — maybe not here (a board's clock closed it on time, the
        CLI opened one): the last message is of the past; say how the round that was open ended."""
        self._note = None
        if before is not None:
            rounds = self.store.rounds()
            ended = rounds[rounds["id"] == before["id"]]
            if len(ended) and ended.iloc[0]["status"] == "closed":
                key = "done_timer" if ended.iloc[0]["closed_by"] == "timer" else "done_close"
                self._note = (key, {"round": ended.iloc[0].to_dict()}, False)
        self._render_note()

    # --- plumbing -------------------------------------------------------------------------------
    def _do(self, call):
        try:
            out = call()
        except ValueError as exc:
            text = exc.text(self.lang) if hasattr(exc, "text") else str(exc)
            self._note = ("error", {"error": text}, True)
            self.reload()
            raise
        self.reload()
        return out

    def _say(self, key: str, **fields: object) -> None:
        self._note = (key, fields, False)
        self._render_note()

    def _name(self, row: dict | None) -> str:
        if not row:
            return ""
        return self.t("practice_name") if row.get("kind") == "practice" else self.t("round_name", n=row["number"])

    # --- the view -------------------------------------------------------------------------------
    def _button(self, action, style: str = "") -> w.Button:
        button = w.Button(button_style=style, layout=w.Layout(width="auto"))

        def click(_):
            try:
                action()
            except ValueError:
                pass  # shown in the note

        button.on_click(click)
        return button

    def _build_ui(self) -> None:
        self.title = w.HTML()
        self.state = w.HTML()
        self.timer_field = w.BoundedFloatText(value=0, min=0, max=24 * 60, step=1, layout=w.Layout(width="220px"),
                                              style={"description_width": "initial"})
        self.open_practice_button = self._button(
            lambda: self.open_round(practice=True, timer_minutes=self.timer_field.value))
        self.open_button = self._button(lambda: self.open_round(timer_minutes=self.timer_field.value), "primary")
        self.close_button = self._button(self.close_round, "warning")
        self.reset_button = self._button(self.reset_practice)
        self.refresh_button = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.refresh_button.on_click(lambda _: self.reload())
        self._auto = AutoRefresh(self.auto_seconds, self.reload)
        self.note = w.HTML()
        self.table = w.HTML()
        self.events_title = w.HTML()
        self.event_kind = w.Dropdown(layout=w.Layout(width="260px"))
        self.event_kind.observe(lambda _: self._render_event_help(), names="value")
        self.event_team = w.Dropdown(layout=w.Layout(width="200px"))
        self.event_help = w.HTML()
        self.inject_button = self._button(lambda: self.add_event(self.event_kind.value, team=self.event_team.value or None))
        self.events_list = w.HTML()
        self.weights_title = w.HTML()
        self.weight_fields = {k: w.BoundedFloatText(min=0, max=10, step=0.5, layout=w.Layout(width="300px"),
                                                    style={"description_width": "170px"}) for k in WEIGHT_KEYS}
        self.weights_button = self._button(
            lambda: self.set_weights(**{k: f.value for k, f in self.weight_fields.items()}))
        self.codes = TeamCodes(self.store, lang=self._fixed_lang)
        row = w.Layout(align_items="center", flex_flow="row wrap")
        self.root = w.VBox([
            w.HTML(CSS), self.title, self.state,
            w.HBox([self.timer_field, self.open_practice_button, self.open_button, self.close_button,
                    self.reset_button, self.refresh_button, self.auto], layout=row),
            self.note, self.table,
            self.events_title, w.HBox([self.event_kind, self.event_team, self.inject_button], layout=row),
            self.event_help, self.events_list,
            self.weights_title, w.VBox(list(self.weight_fields.values())),
            w.HBox([self.weights_button]),  # in a VBox a button would stretch across the page
            self.codes.root,
        ])

    def refresh(self) -> None:
        t = self.t
        if hasattr(self, "events") and len(self.events) and self.events.attrs.get("lang") != self.lang:
            self.events = self.store.events(lang=self.lang)
            self.events.attrs["lang"] = self.lang
        self.title.value = f"<h3 style='margin:4px 0'>{html.escape(t('title'))}</h3>"
        self.timer_field.description = t("timer")
        self.timer_field.tooltip = t("timer_tip")
        self.open_practice_button.description = t("open_practice")
        self.open_button.description = t("open_next")
        self.close_button.description = t("close")
        self.reset_button.description = t("reset")
        self.refresh_button.description = t("refresh")
        self.auto.description = t("auto")
        is_open = self.round is not None
        self.open_button.disabled = self.open_practice_button.disabled = is_open
        self.close_button.disabled = not is_open
        self._render_state()
        self._render_note()
        self._render_table()
        self._render_events()
        self._render_weights()
        if hasattr(self, "codes"):  # the codes in the control's language, read again (the CLI may have changed them)
            if self.codes.lang != self.lang:
                self.codes.set_language(self.lang)
            else:
                self.codes.refresh()

    def close(self) -> None:
        self.codes.close()
        super().close()

    def _render_state(self) -> None:
        t = self.t
        if self.round is not None:
            r = self.round
            left = r.get("seconds_left")
            clock = t("no_timer") if left is None else t("left", time=f"{int(left) // 60}:{int(left) % 60:02d}")
            line = t("open_line", name=self._name(r), first=r["first_week"], last=r["last_week"]) + " · " + clock
        else:
            rounds = self.store.rounds()
            if len(rounds):
                last = rounds.iloc[-1].to_dict()
                status = t("status_reset") if last["status"] == "reset" else t("status_closed")
                line = t("none_open") + " " + t("last_line", name=self._name(last), first=last["first_week"],
                                                last=last["last_week"], status=status)
            else:
                line = t("none_open")
        done = int(self.status["submitted"].sum()) if len(self.status) else 0
        progress = t("progress", k=done, n=len(self.store.teams)) if self.round is not None else ""
        self.state.value = (f"<div style='font-size:14px'>{html.escape(line)}</div>"
                            f"<div class='sf-muted'>{html.escape(progress)}</div>")

    def _render_note(self) -> None:
        if self._note is None:
            self.note.value = ""
            return
        key, fields, error = self._note
        fields = dict(fields)
        if "round" in fields:  # names and texts in the language shown now
            fields["name"] = self._name(fields.pop("round"))
        if "event" in fields:
            event_id = fields.pop("event")
            texts = self.events.loc[self.events["id"] == event_id, "text"] if len(self.events) else []
            fields["text"] = texts.iloc[0] if len(texts) else ""
        cls = "sf-warn" if error else "sf-muted"
        self.note.value = f"<span class='{cls}'>{html.escape(self.t(key, **fields))}</span>"

    def _render_table(self) -> None:
        t = self.t
        if not len(self.status):
            self.table.value = ""
            return
        heads = "".join(f"<th style='text-align:left;padding:2px 10px'>{html.escape(t(k))}</th>"
                        for k in ("col_team", "col_submitted", "col_moves", "col_by", "col_default"))
        rows = []
        names = self.store.team_names(self.lang)
        for r in self.status.itertuples(index=False):
            cells = [html.escape(names.get(r.team, str(r.team))), t("yes") if r.submitted else "—", str(int(r.moves)),
                     html.escape(str(r.trainee or "")), html.escape(t("default_text")) if r.is_default else ""]
            rows.append("<tr>" + "".join(f"<td style='padding:2px 10px'>{c}</td>" for c in cells) + "</tr>")
        self.table.value = f"<table style='border-collapse:collapse;font-size:13px'><tr>{heads}</tr>{''.join(rows)}</table>"

    def _render_events(self) -> None:
        t = self.t
        self.events_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('events_title'))}</h4>"
        options = [(kind.label(self.lang), key) for key, kind in EVENT_KINDS.items()]
        if list(self.event_kind.options) != options:
            value = self.event_kind.value if self.event_kind.value in EVENT_KINDS else options[0][1]
            self.event_kind.options = options
            self.event_kind.value = value
        self.event_kind.description = t("event_kind")
        teams = [(t("all_teams"), "")] + [(name, team) for team, name in self.store.team_names(self.lang).items()]
        if list(self.event_team.options) != teams:
            value = self.event_team.value if self.event_team.value in self.store.teams else ""
            self.event_team.options = teams
            self.event_team.value = value
        self.event_team.description = t("event_team")
        self.inject_button.description = t("inject")
        self._render_event_help()
        events = getattr(self, "events", pd.DataFrame())
        if not len(events):
            self.events_list.value = f"<span class='sf-muted'>{html.escape(t('no_events'))}</span>"
            return
        items = [f"<li>{html.escape(str(e.text))} <span class='sf-muted'>· "
                 f"{html.escape(t('event_hit') if e.hit else t('event_hidden'))}</span></li>"
                 for e in events.itertuples(index=False)]
        self.events_list.value = f"<ul style='margin:2px 0;padding-left:18px'>{''.join(items)}</ul>"

    def _render_event_help(self) -> None:
        kind = EVENT_KINDS.get(self.event_kind.value)
        if kind is None:
            self.event_help.value = ""
            return
        self.event_help.value = (f"<div class='sf-muted' style='max-width:760px'>{html.escape(kind.explanation(self.lang))}"
                                 f"<br>{html.escape(kind.effect({}, self.lang, funnel=self.store.funnel))}</div>")

    def _render_weights(self) -> None:
        self.weights_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(self.t('weights_title'))}</h4>"
        weights = getattr(self, "weights", {})
        for key, field in self.weight_fields.items():
            field.description = self.t(f"w_{key}")
            value = float(weights.get(key, 0.0))
            if math.isfinite(value) and field.value != value:
                field.value = value
        self.weights_button.description = self.t("apply_weights")

