"""TeamCodes: the trainer's list of join codes — each team's name and code, a new code, a rejoin allowed.

The same store calls as ``simfunnel workshop codes --regenerate TEAM`` and ``simfunnel workshop allow``:

- every team, by its name for people (the store's ``team_name``), with its live join code in large type;
- **New code** for a team: the old code stops working at once (for joins, and for the pages that joined
  with it) — when a code got out of the room;
- **Allow rejoin**: a trainee of that name may join the team once more from another browser (a new
  laptop, a lost cookie); the old page can no longer act.

It is part of :class:`~simfunnel.widgets.rounds.RoundControl` and of the trainer's workshop notebook.

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=3, accounts=30)
    >>> codes = TeamCodes(store, lang="en")
    >>> old = store.team_codes()["team1"]
    >>> codes.regenerate("team1") != old and store.team_for_code(old) is None
    True
    >>> codes.close()
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from simfunnel.widgets.base import CSS, Widget
from simfunnel.workshop.store import WorkshopStore

__all__ = ["TeamCodes"]


class TeamCodes(Widget):
    """The workshop's join codes for the trainer (see the module's notes).

    Args:
        store: an open :class:`~simfunnel.workshop.store.WorkshopStore`.
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
    """

    TEXT = {
        "title": ("加入码", "Join codes"),
        "help": ("学员用小组的加入码和自己的名字加入。加入码外泄了：点“换新码”，旧码立即失效。"
                 "学员换了电脑或浏览器：填写小组和名字，点“允许重新加入”。",
                 "Trainees join with their team's code and their name. A code got out: press New code, the old one "
                 "stops working at once. A trainee on another computer or browser: give the team and the name, "
                 "press Allow rejoin."),
        "col_team": ("小组", "Team"),
        "col_code": ("加入码", "Code"),
        "regenerate": ("换新码", "New code"),
        "regenerate_tip": ("给这个小组一个新的加入码：旧码立即失效", "Give this team a new code: the old one stops working"),
        "team": ("小组", "Team"),
        "name": ("学员名字", "Trainee"),
        "allow": ("允许重新加入", "Allow rejoin"),
        "done_code": ("{team} 的新加入码：{code}（旧码已失效）", "{team}'s new code: {code} (the old one no longer works)"),
        "done_allow": ("{name} 可以从另一个浏览器重新加入 {team} 一次", "{name} may rejoin {team} once from another browser"),
        "error": ("未完成：{error}", "Not done: {error}"),
    }

    def __init__(self, store: Any, *, lang: str | None = None) -> None:
        super().__init__(lang)
        if not isinstance(store, WorkshopStore):
            raise ValueError(f"store: expected a WorkshopStore, got {type(store).__name__}")
        self.store = store
        self._note: tuple[str, dict, bool] | None = None
        self.title = w.HTML()
        self.help = w.HTML()
        self.table = w.VBox()
        self.team_field = w.Dropdown(layout=w.Layout(width="220px"))
        self.name_field = w.Text(layout=w.Layout(width="240px"))
        self.allow_button = w.Button(layout=w.Layout(width="auto"))
        self.allow_button.on_click(lambda _b: self._ui(lambda: self.allow(self.team_field.value, self.name_field.value)))
        self.note = w.HTML()
        self._buttons: dict[str, w.Button] = {}
        self.root = w.VBox([w.HTML(CSS), self.title, self.help, self.table,
                            w.HBox([self.team_field, self.name_field, self.allow_button],
                                   layout=w.Layout(align_items="center", flex_flow="row wrap")), self.note])
        self.refresh()

    # --- the trainer's verbs -------------------------------------------------------------------
    def regenerate(self, team: str) -> str:
        """Give ``team`` a new join code (the old one stops working); the new code."""
        code = self.store.regenerate_code(team)
        self._note = ("done_code", {"team": team, "code": code}, False)
        self.refresh()
        return code

    def allow(self, team: str, trainee: str) -> str:
        """Let ``trainee`` rejoin ``team`` once from another browser; the name as stored."""
        name = self.store.allow_rejoin(team, trainee)
        self._note = ("done_allow", {"team": team, "name": name}, False)
        self.refresh()
        return name

    def _ui(self, call) -> None:
        try:
            call()
        except ValueError as exc:
            text = exc.text(self.lang) if hasattr(exc, "text") else str(exc)
            self._note = ("error", {"error": text}, True)
            self._render_note()

    # --- the view ---------------------------------------------------------------------------
    def refresh(self) -> None:
        t = self.t
        names = self.store.team_names(self.lang)
        codes = self.store.team_codes()
        self.title.value = f"<h4 style='margin:8px 0 2px'>{html.escape(t('title'))}</h4>"
        self.help.value = f"<div class='sf-muted' style='max-width:820px'>{html.escape(t('help'))}</div>"
        rows = []
        for team, name in names.items():
            button = self._buttons.get(team)
            if button is None:
                button = self._buttons[team] = w.Button(layout=w.Layout(width="auto"))
                button.on_click(lambda _b, team=team: self._ui(lambda: self.regenerate(team)))
            button.description, button.tooltip = t("regenerate"), t("regenerate_tip")
            cell = (f"<span style='display:inline-block;min-width:160px'>{html.escape(name)}</span>"
                    f"<code style='font-size:20px;letter-spacing:0.12em'>{html.escape(codes.get(team, '—'))}</code>")
            rows.append(w.HBox([w.HTML(cell), button], layout=w.Layout(align_items="center")))
        self.table.children = rows
        options = [(name, team) for team, name in names.items()]
        if list(self.team_field.options) != options:
            keep = self.team_field.value if self.team_field.value in names else self.store.teams[0]
            self.team_field.options = options
            self.team_field.value = keep
        self.team_field.description = t("team")
        self.name_field.description = t("name")
        self.allow_button.description = t("allow")
        self._render_note()

    def _render_note(self) -> None:
        if self._note is None:
            self.note.value = ""
            return
        key, fields, error = self._note
        fields = dict(fields)
        if "team" in fields:
            fields["team"] = self.store.team_name(fields["team"], self.lang)
        self.note.value = f"<span class='{'sf-warn' if error else 'sf-muted'}'>{html.escape(self.t(key, **fields))}</span>"
