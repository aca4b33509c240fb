"""DebriefPanel: the trainer's debrief — each team's timeline, the indicators round by round, what-if branches, the handout.

It shows what :mod:`simfunnel.workshop.debrief` computes from the workshop store:

- **Timeline** of the team picked: rounds, market events that hit it, every move with its
  outcome and how the team classified the customer's reply, default decisions, withdrawals.
- **Round by round**: the three indicators at each round's end, a line per team.
- **What if?** Pick a team, a round, one of its moves (or another deal) and another action
  (or "no action"), or another threshold from that round on, and press *Replay*: the team's
  play is replayed with the same random draws, so the difference shown is caused by the
  change alone. The branches made are kept for the handout.
- **Handout**: a self-contained HTML report in zh or en, written to ``<workshop>/exports/``
  with a download link (print it to PDF from the browser).

From code (tests drive it without a browser)::

    panel = DebriefPanel(WorkshopStore.open("W"))
    panel.show_team("red")
    b = panel.what_if("red", 2, changes={17: "arrange_demo"})   # or threshold=80_000
    panel.write_report("zh")
"""

from __future__ import annotations

import base64
import html
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import ipywidgets as w
import pandas as pd

from simfunnel.workshop import debrief
from simfunnel import i18n, plots
from simfunnel.model.actions import ACTIONS
from simfunnel.widgets.base import CSS, Widget, figure_png
from simfunnel.widgets.controls import AutoRefresh, AutoRefreshed, image, new_figure, relayout
from simfunnel.workshop.errors import StoreError
from simfunnel.workshop.whatif import fitting_actions
from simfunnel.workshop.store import WorkshopStore

__all__ = ["DebriefPanel"]

NO_ACTION = "__none__"  # the action dropdown's "no action" (remove the move)


class DebriefPanel(AutoRefreshed, Widget):
    """The debrief of a workshop store.

    Args:
        store: an open :class:`~simfunnel.workshop.store.WorkshopStore`.
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
    """

    TEXT = {
        "title": ("复盘", "Debrief"),
        "team": ("组", "Team"),
        "timeline_title": ("时间线", "Timeline"),
        "rounds_title": ("逐回合的三个指标", "The three indicators, round by round"),
        "whatif_title": ("如果当时……？", "What if?"),
        "whatif_help": ("选一个组、一个回合、一个商机，换一个行动（或不行动），或者从那个回合起换一个门槛，再点“重放”："
                        "用同样的随机数重放，差别只来自这个改动。",
                        "Pick a team, a round, a deal and another action (or none), or another threshold from that "
                        "round on, then press Replay: the same random draws are replayed, so the difference comes "
                        "from the change alone."),
        "round": ("回合", "Round"),
        "deal": ("商机", "Deal"),
        "action": ("改为", "Instead"),
        "no_action": ("不行动", "no action"),
        "keep": ("（不改行动）", "(keep the moves)"),
        "auto": ("自动刷新（回合结束时更新）", "Auto refresh (updates when a round closes)"),
        "not_saved": ("这个假设分支没能存进工作坊（{error}），只在本页的讲义里。",
                      "This what-if could not be saved in the workshop ({error}); only this page's handout has it."),
        "no_fit": ("这个商机在该回合开始时已关闭或还没有出现：没有可换的行动。",
                   "This deal was closed or not yet created when the round began: no action to change to."),
        "threshold": ("门槛", "Threshold"),
        "threshold_same": ("不变", "unchanged"),
        "replay": ("重放", "Replay"),
        "no_rounds": ("还没有打完的回合。", "No round played yet."),
        "no_deal": ("这个回合没有行动；可以输入其他商机编号。", "No move this round; type another deal id."),
        "deal_other": ("其他商机编号", "Other deal id"),
        "move_label": ("#{deal} {action}", "#{deal} {action}"),
        "report_title": ("讲义", "Handout"),
        "report_lang": ("语言", "Language"),
        "write": ("生成讲义（HTML）", "Write the handout (HTML)"),
        "written": ("已生成：{path}", "Written: {path}"),
        "download": ("下载 {name}", "Download {name}"),
        "error": ("未完成：{error}", "Not done: {error}"),
        "metric": ("指标", "Measure"),
        "original": ("原来", "Original"),
        "branched": ("重放", "Branch"),
        "difference": ("差别", "Difference"),
        "skipped": ("之后有 {n} 个原来的行动在重放里做不了（商机已关闭或阶段不对），已列出。",
                    "{n} later moves of the original could not be made in the branch (deal closed or another stage)."),
    }

    def __init__(self, store: Any, *, lang: str | None = None, auto_seconds: float = 5.0) -> None:
        super().__init__(lang)
        if not isinstance(store, WorkshopStore):
            raise ValueError(f"store: expected a WorkshopStore, got {type(store).__name__}")
        self.store = store
        self.currency = store.config.get("currency", "CNY")
        self.team = store.teams[0]
        self.branches: list[debrief.Branch] = []
        self.branch: debrief.Branch | None = None
        self.report_path: Path | None = None
        self._note: tuple[str, dict, bool] | None = None
        self._unsaved: list[debrief.Branch] = []  # branches the store could not keep (a read-only store)
        self._seen: tuple = ()
        # A clock: when a round closes (or a team's week moves on) the charts and the round list follow.
        self._auto = AutoRefresh(auto_seconds, self.follow_store)
        self._build_ui()
        self.reload()
        self._auto.checkbox.value = True

    # --- verbs ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the store again (new rounds, moves) and redraw."""
        try:
            self.store.tick()  # a round whose timer ran out is closed first (reads never close it)
        except ValueError:
            pass  # a store this kernel cannot write: shown as it is
        self.rounds_table = debrief.round_indicators(self.store)
        self._seen = self._store_state()
        self.refresh()

    def _store_state(self) -> tuple:
        """What changes when a round closes or a week is played: every team's week and the rounds' states."""
        rounds = self.store.rounds() if self.store.rounds_mode else None
        return (tuple(self.store.week(team) for team in self.store.teams),
                () if rounds is None else tuple(map(tuple, rounds[["number", "status"]].astype(str).values)))

    def follow_store(self) -> None:
        """A tick of the panel's clock: reload only when the store moved on (a round closed, weeks played)."""
        try:
            self.store.tick()
        except ValueError:
            pass
        if self._store_state() != self._seen:
            self.reload()

    def show_team(self, team: str) -> None:
        """Show this team's timeline (and make it the what-if team)."""
        if team not in self.store.teams:
            raise ValueError(f"unknown team {team!r}; the teams are {', '.join(self.store.teams)}")
        self.team = team
        if self.team_select.value != team:
            self.team_select.value = team  # its observer redraws
        else:
            self.refresh()

    @property
    def timeline(self) -> pd.DataFrame:
        """The shown team's timeline (:func:`simfunnel.workshop.debrief.timeline` in the panel's language)."""
        return debrief.timeline(self.store, self.team, self.lang)

    def what_if(self, team: str, at_round: int, changes: Mapping[int, str | None] | None = None,
                threshold: float | None = None) -> debrief.Branch:
        """Replay ``team`` from ``at_round`` with ``changes`` (deal → action or None) or ``threshold``; kept for the handout."""
        try:
            branch = debrief.branch(self.store, team, at_round, changes, threshold)
        except ValueError as exc:
            self._note = ("error", {"error": _error_text(exc, self.lang)}, True)
            self.refresh()
            raise
        self.branch = branch
        self.branches.append(branch)
        self._note = None
        try:  # kept in the store: every handout, the CLI's too, shows it
            self.store.save_branch(team, at_round, changes, threshold, by="trainer")
        except StoreError as exc:
            self._unsaved.append(branch)
            self._note = ("not_saved", {"error": _error_text(exc, self.lang)}, True)
        self.refresh()
        return branch

    def write_report(self, lang: str | None = None) -> Path:
        """Write the handout (HTML, with the branches made) to ``<workshop>/exports/``; its path."""
        lang = lang or self.report_lang.value
        folder = Path(self.store.path).parent / "exports"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.report_path = debrief.report(self.store, folder / f"debrief-{lang}-{stamp}.html", lang=lang,
                                          branches=self._unsaved)  # the saved ones come from the store
        self._note = ("written", {"path": str(self.report_path)}, False)
        self._render_note()
        return self.report_path

    # --- the view -------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.title = w.HTML()
        self.team_select = w.Dropdown(options=self._team_options(), value=self.team, layout=w.Layout(width="240px"))
        self.team_select.observe(self._on_team, names="value")
        self.timeline_title = w.HTML()
        self.timeline_html = w.HTML()
        self.rounds_title = w.HTML()
        self.rounds_image = image()
        self.figures["rounds"] = new_figure(12, 3.6)
        self.whatif_title = w.HTML()
        self.whatif_help = w.HTML()
        self.round_select = w.Dropdown(layout=w.Layout(width="200px"))
        self.round_select.observe(lambda _: self._fill_deals(), names="value")
        self.deal_select = w.Dropdown(layout=w.Layout(width="300px"))
        self.deal_select.observe(lambda _: self._fill_actions(), names="value")
        self.deal_other = w.IntText(value=0, layout=w.Layout(width="220px"), style={"description_width": "initial"})
        self.deal_other.observe(lambda _: self._fill_actions(), names="value")
        self.action_select = w.Dropdown(layout=w.Layout(width="300px"))
        self.threshold_field = w.FloatText(value=float(self.store.config["threshold"]), layout=w.Layout(width="220px"))
        self.threshold_change = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.replay_button = w.Button(button_style="primary", layout=w.Layout(width="auto"))
        self.replay_button.on_click(lambda _: self._ui_replay())
        self.branch_html = w.HTML()
        self.branch_image = image()
        self.figures["branch"] = new_figure(9, 4)
        self.report_title = w.HTML()
        self.report_lang = w.Dropdown(options=[("中文", "zh"), ("English", "en")], value=self.lang,
                                      layout=w.Layout(width="200px"))
        self.write_button = w.Button(icon="file", layout=w.Layout(width="auto"))
        self.write_button.on_click(lambda _: self._ui(self.write_report))
        self.note = w.HTML()
        row = w.Layout(align_items="center", flex_flow="row wrap")
        self.root = w.VBox([
            w.HTML(CSS), self.title, self.team_select, self.timeline_title, self.timeline_html,
            self.rounds_title, self.rounds_image,
            self.whatif_title, self.whatif_help,
            w.HBox([self.round_select, self.deal_select, self.deal_other], layout=row),
            w.HBox([self.action_select, self.threshold_change, self.threshold_field, self.replay_button], layout=row),
            self.note, self.branch_html, self.branch_image,
            self.report_title, w.HBox([self.report_lang, self.write_button], layout=row),
            self._auto.checkbox,
        ])

    def _ui(self, call) -> None:
        try:
            call()
        except ValueError as exc:
            self._note = ("error", {"error": _error_text(exc, self.lang)}, True)
            self._render_note()

    def _on_team(self, change: dict) -> None:
        self.team = change["new"]
        self.refresh()

    def _ui_replay(self) -> None:
        if self.round_select.value is None:
            return
        deal = self.deal_select.value if self.deal_select.value not in (None, 0) else int(self.deal_other.value or 0)
        action = self.action_select.value
        changes = {} if action in (None, "") or not deal else {int(deal): None if action == NO_ACTION else action}
        threshold = float(self.threshold_field.value) if self.threshold_change.value else None
        self._ui(lambda: self.what_if(self.team, int(self.round_select.value), changes, threshold))

    def _team_options(self) -> list[tuple[str, str]]:
        """The team list: each team's name for people in the panel's language, its key as the value."""
        return [(name, team) for team, name in self.store.team_names(self.lang).items()]

    def refresh(self) -> None:
        t = self.t
        self.title.value = f"<h3 style='margin:4px 0'>{html.escape(t('title'))}</h3>"
        options = self._team_options()
        if list(self.team_select.options) != options:
            with self.team_select.hold_trait_notifications():
                self.team_select.options = options
                self.team_select.value = self.team
        self.team_select.description = t("team")
        self.timeline_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('timeline_title'))}</h4>"
        self._render_timeline()
        self.rounds_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('rounds_title'))}</h4>"
        self._render_rounds()
        self.whatif_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('whatif_title'))}</h4>"
        self.whatif_help.value = f"<div class='sf-muted' style='max-width:820px'>{html.escape(t('whatif_help'))}</div>"
        self.round_select.description = t("round")
        self.deal_select.description = t("deal")
        self.deal_other.description = t("deal_other")
        self.action_select.description = t("action")
        self.threshold_change.description = t("threshold")
        self.replay_button.description = t("replay")
        self._fill_rounds()
        self._render_branch()
        self.report_title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('report_title'))}</h4>"
        self.report_lang.description = t("report_lang")
        self.write_button.description = t("write")
        self._auto.checkbox.description = t("auto")
        self._render_note()

    def _render_timeline(self) -> None:
        table = self.timeline
        if not len(table):
            self.timeline_html.value = f"<span class='sf-muted'>{html.escape(self.t('no_rounds'))}</span>"
            return
        rows = "".join(f"<tr><td style='padding:1px 8px;color:#6b7785'>{int(r.week)}</td>"
                       f"<td style='padding:1px 8px'>{html.escape(str(r.text))}</td></tr>"
                       for r in table.itertuples(index=False))
        self.timeline_html.value = (f"<div style='max-height:260px;overflow-y:auto;border:1px solid #e3e8ef'>"
                                    f"<table style='font-size:12px;border-collapse:collapse'>{rows}</table></div>")

    def _render_rounds(self) -> None:
        fig = self.figures["rounds"]
        fig.clear()
        axes = fig.subplots(1, 3)
        plots.round_chart(self.rounds_table, axes=axes, lang=self.lang, currency=self.currency,
                          names=self.store.team_names(self.lang))
        relayout(fig)
        self.rounds_image.value = figure_png(fig)

    def _fill_rounds(self) -> None:
        played = debrief.rounds(self.store, self.team)
        options = [(str(int(r)), int(r)) for r in played["round"]]
        if list(self.round_select.options) != options:
            keep = self.round_select.value if self.round_select.value in [v for _, v in options] else None
            self.round_select.options = options
            self.round_select.value = keep if keep is not None else (options[-1][1] if options else None)
        self._fill_deals()

    def _fill_deals(self) -> None:
        t = self.t
        deals: list[tuple[str, int]] = []
        if self.round_select.value is not None:
            played = debrief.rounds(self.store, self.team)
            row = played[played["round"] == self.round_select.value]
            if len(row):
                moves = self.store.moves(self.team)
                moves = moves[~moves["withdrawn"] & (moves["week"] == int(row["first_week"].iloc[0]))]
                deals = [(t("move_label", deal=int(m.deal_id), action=debrief.action_label(m.action, self.lang)),
                          int(m.deal_id)) for m in moves.itertuples(index=False)]  # people actions too
        options = deals + [(t("deal_other"), 0)]
        if list(self.deal_select.options) != options:
            self.deal_select.options = options
            self.deal_select.value = options[0][1]
        self._fill_actions()

    def _fill_actions(self) -> None:
        """Only the actions that fit the chosen deal at the round's start (its stage then), as the replay needs."""
        t = self.t
        labels = {a.key: a.label(self.lang) for a in ACTIONS}
        deal = self.deal_select.value if self.deal_select.value not in (None, 0) else int(self.deal_other.value or 0)
        week = None
        if self.round_select.value is not None:
            played = debrief.rounds(self.store, self.team)
            row = played[played["round"] == self.round_select.value]
            week = int(row["first_week"].iloc[0]) if len(row) else None
        listed = self.deal_select.value not in (None, 0)
        if listed and week is not None:  # a move of the round: only the actions that fit that deal then
            fitting = fitting_actions(self.store, self.team, week, int(deal))
        else:  # a deal id typed in: the whole catalogue; the replay says why one does not fit
            fitting = list(labels)
        actions = [(t("keep"), ""), (t("no_action"), NO_ACTION)] + [
            (labels.get(key) or debrief.action_label(key, self.lang), key) for key in fitting]
        if list(self.action_select.options) != actions:
            keep = self.action_select.value if self.action_select.value in [v for _, v in actions] else ""
            self.action_select.options = actions
            self.action_select.value = keep
        self.action_select.disabled = listed and week is not None and not fitting
        self.action_select.tooltip = t("no_fit") if self.action_select.disabled else ""

    def _render_branch(self) -> None:
        b = self.branch
        fig = self.figures["branch"]
        fig.clear()
        if b is None:
            self.branch_html.value = ""
            self.branch_image.value = b""
            self.branch_image.layout.display = "none"
            return
        self.branch_image.layout.display = None
        plots.branch_chart(b, ax=fig.subplots(), lang=self.lang)
        relayout(fig)
        self.branch_image.value = figure_png(fig)
        t = self.t
        summary = b.summary()
        rows = []
        for r in summary.itertuples(index=False):
            money = r.metric in ("forecast", "booked")

            def fmt(x: float) -> str:
                if pd.isna(x):
                    return "—"
                if money:
                    return self.money(x, compact=True)
                return f"{x:,.0f}" if r.metric == "records_entered" else f"{x:.2f}"

            rows.append(f"<tr><td style='padding:1px 10px'>{html.escape(i18n.text(debrief.TEXT.get(r.metric, (r.metric, r.metric)), self.lang))}</td>"
                        + "".join(f"<td style='padding:1px 10px;text-align:right'>{html.escape(fmt(v))}</td>"
                                  for v in (r.original, r.branched, r.difference)) + "</tr>")
        heads = "".join(f"<th style='padding:1px 10px'>{html.escape(t(k))}</th>"
                        for k in ("metric", "original", "branched", "difference"))
        skipped = ""
        if len(b.skipped):
            skipped = f"<div class='sf-muted'>{html.escape(t('skipped', n=len(b.skipped)))}</div>"
        self.branch_html.value = (f"<div><b>{html.escape(b.describe(self.lang))}</b></div>{skipped}"
                                  f"<table style='font-size:13px;border-collapse:collapse'><tr>{heads}</tr>"
                                  f"{''.join(rows)}</table>")

    def _render_note(self) -> None:
        if self._note is None:
            self.note.value = ""
            return
        key, fields, error = self._note
        text = html.escape(self.t(key, **fields))
        link = ""
        if key == "written" and self.report_path is not None and self.report_path.exists():
            data = base64.b64encode(self.report_path.read_bytes()).decode()
            name = html.escape(self.report_path.name)
            link = (f" <a download='{name}' href='data:text/html;base64,{data}'>"
                    f"{html.escape(self.t('download', name=self.report_path.name))}</a>")
        self.note.value = f"<span class='{'sf-warn' if error else 'sf-muted'}'>{text}</span>{link}"


def _error_text(exc: ValueError, lang: str) -> str:
    """A refusal in the panel's language when it has both (debrief.BranchError, the store's errors)."""
    text = getattr(exc, "text", None)
    return text(lang) if callable(text) else str(exc)
