"""The trainee's join form: the team's join code and a name (a page), or a folder and a team (trusted code).

:class:`JoinWidget` is the first thing a trainee sees on the workshop page (``WorkshopPlay``, notebook 08).

- **With a code** (the default): a *join code* box, a *name* box and "Join". The workshop is the
  server's — the folder given by the page's code, else ``$SIMFUNNEL_WORKSHOP`` — never shown, never typed:
  a trainee cannot point the page at a file. The code (from the team's card, any case, spaces and dashes
  ignored) picks the team; the name is bound to this browser in that team
  (:func:`~simfunnel.workshop.session.join_with_code`). The browser token is the page's: given by the app
  (``browser=``), else read from the page's request (:func:`page_browser_token`: Voilà passes the request's
  cookies with ``make app``), else one made for this form. A ``?code=…`` in the page's address (the QR code
  on the team's card) fills the code box.
- **With a folder** (``with_code=False``, a coder in JupyterLab, who is trusted): the folder, the team from a
  list, the name (:func:`~simfunnel.workshop.session.join`).

Every refusal (an unknown code, a name taken from another browser, a bad name, no workshop) is a message in
Chinese or English, never a traceback.

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> folder = tempfile.mkdtemp()
    >>> store = WorkshopStore.init(folder, teams=2, seed=7, accounts=30)
    >>> form = JoinWidget(folder, lang="en", browser="my-browser")
    >>> form.folder_field is None and form.team_field is None   # a code and a name, no folder, no team list
    True
    >>> session = form.join(code=store.team_codes()["team2"], trainee="Li")
    >>> session.team, session.trainee
    ('team2', 'Li')
    >>> form.close()
"""

from __future__ import annotations

import hashlib
import html
import os
import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Callable
from urllib.parse import parse_qs

import ipywidgets as w

from simfunnel.widgets.base import CSS, Pair, Widget
from simfunnel.workshop.session import (
    ENV,
    JOIN_TEXTS,
    JoinError,
    Session,
    join,
    join_with_code,
    open_workshop,
)
from simfunnel.workshop.store import WorkshopStore

__all__ = ["JoinWidget", "CJK_FONT_CSS", "page_browser_token", "page_code"]

# Chinese in a Simplified Chinese face. A page without a language (Voilà's, JupyterLab's) leaves
# the choice to the system, and Chromium on Linux then takes the Japanese Noto face: its
# full-width punctuation (：，) sits in the middle of the line. Latin text keeps its usual font.
CJK_FONT_CSS = """<style>
.jp-RenderedHTMLCommon, .jp-OutputArea-output, .jupyter-widgets, .jupyter-widgets input, .jupyter-widgets select,
.jupyter-widgets button {font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC",
"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif}
.sf-join .sf-code input {font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
letter-spacing: 0.15em; text-transform: uppercase}
</style>"""


def page_browser_token(environ: dict | None = None) -> str | None:
    """The page's browser token from its request, when the server passed it to this kernel, else None.

    ``make app`` runs Voilà with the request's cookies in the kernel's environment (``HTTP_COOKIE``); the
    Jupyter server gives every browser a long-lived identity cookie (``username-…``), so a reloaded page
    (a new kernel) of the same browser has the same token. Only a hash of the cookie is used.
    """
    raw = (environ if environ is not None else os.environ).get("HTTP_COOKIE", "")
    if not raw:
        return None
    try:
        cookies = SimpleCookie(raw)
    except CookieError:
        return None
    for name in sorted(cookies):
        if name.startswith("username-"):
            return "cookie:" + hashlib.sha256(cookies[name].value.encode("utf-8")).hexdigest()
    return None


def page_code(environ: dict | None = None) -> str:
    """The ``code=`` of the page's address (Voilà passes its query to the kernel), else ``""``."""
    query = (environ if environ is not None else os.environ).get("QUERY_STRING", "")
    values = parse_qs(query).get("code", [""]) if query else [""]
    return values[0][:20] if values else ""


class JoinWidget(Widget):
    """The join form; sets the page's session (see the module's notes).

    Args:
        folder: the workshop folder (the page's code gives it, default ``$SIMFUNNEL_WORKSHOP``). With a
            code it is never shown; with ``with_code=False`` it prefills the folder box.
        demo: the folder is a demo workshop (the form says so, and lists its codes).
        lang: ``"zh"`` or ``"en"``; default: follow :func:`simfunnel.set_language`.
        with_code: True (default): join code + name. False: folder + team + name (a trusted coder).
        browser: the page's browser token (the app's cookie); default :func:`page_browser_token`, else a
            token made for this form.
        code: prefill of the code box (default: ``?code=`` of the page's address).

    From code: :meth:`join` fills the fields given and presses "Join"; ``code_field``, ``name_field``,
    ``join_button`` (and ``folder_field``, ``team_field`` with a folder; else None) are the ipywidgets
    controls; :meth:`on_join` registers ``callback(session)``; ``store`` is the workshop's store (None when
    it cannot be opened).
    """

    TEXT: dict[str, Pair] = {
        "title": ("加入工作坊", "Join the workshop"),
        "intro": ("填写讲师给的工作坊文件夹，选择你的小组，写上你的名字，然后点“加入”。",
                  "Enter the workshop folder your trainer gives you, choose your team, write your name, then press Join."),
        "intro_code": ("填写讲师给你们小组的加入码（印在小组卡片上）和你的名字，然后点“加入”。",
                       "Type the join code your trainer gave your team (it is on your team's card) and your name, "
                       "then press Join."),
        "demo": ("演示模式：没有指定工作坊文件夹，这是一个只给你用的临时演示工作坊。正式工作坊时，讲师会给出文件夹。",
                 "Demo: no workshop folder was given, so this is a temporary demo workshop just for you. "
                 "In a workshop your trainer gives the folder."),
        "demo_code": ("演示模式：没有指定工作坊，这是一个只给你用的临时演示工作坊。加入码：{codes}。"
                      "正式工作坊时，讲师会给每个小组一个加入码。",
                      "Demo: no workshop was given, so this is a temporary demo workshop just for you. "
                      "Join codes: {codes}. In a workshop your trainer gives each team its code."),
        "folder": ("工作坊文件夹", "Workshop folder"),
        "folder_tip": ("讲师创建工作坊时用的文件夹", "The folder your trainer created the workshop in"),
        "team": ("小组", "Team"),
        "code": ("加入码", "Join code"),
        "code_hint": ("例如：K7M X2P", "e.g. K7M X2P"),
        "code_tip": ("6 个字母或数字，印在小组卡片上；不分大小写", "6 letters or digits, on your team's card; upper or lower case"),
        "name": ("你的名字", "Your name"),
        "name_hint": ("例如：李雷", "e.g. Li Lei"),
        "join": ("加入", "Join"),
        "join_tip": ("加入你的小组：你的行动会记录在工作坊里", "Join your team: your moves are recorded in the workshop"),
        "joined": ("已加入：{team} · {trainee}", "Joined: {team} · {trainee}"),
        "change": ("更换小组", "Change team"),
        "teams_found": ("找到 {n} 个小组，请选择你的小组。", "{n} teams found: choose yours."),
        **JOIN_TEXTS,
    }

    def __init__(self, folder: str | os.PathLike | None = None, *, demo: bool = False, lang: str | None = None,
                 with_code: bool = True, browser: str | None = None, code: str | None = None) -> None:
        super().__init__(lang)
        self.demo = bool(demo)
        self.with_code = bool(with_code)
        self.session: Session | None = None
        self.store: WorkshopStore | None = None
        self.browser = browser if browser is not None else (page_browser_token() or secrets.token_urlsafe(24))
        self._callbacks: list[Callable[[Session], None]] = []
        self._error: JoinError | None = None
        self._info: tuple[str, dict] | None = None
        L = w.Layout
        self._title = w.HTML()
        self.name_field = w.Text(layout=L(width="260px"), style={"description_width": "80px"})
        self.join_button = w.Button(button_style="primary", icon="sign-in", layout=L(width="auto"))
        self.change_button = w.Button(layout=L(width="auto", display="none"))
        self._message = w.HTML()
        self.join_button.on_click(lambda _b: self._ui_join())
        self.change_button.on_click(lambda _b: self._show_form(True))
        row = L(align_items="center", flex_flow="row wrap")
        if self.with_code:
            self.folder_field: w.Text | None = None
            self.team_field: w.Dropdown | None = None
            self.code_field = w.Text(value=code if code is not None else page_code(), layout=L(width="240px"),
                                     style={"description_width": "80px"})
            self.code_field.add_class("sf-code")
            self._form = w.VBox([w.HBox([self.code_field, self.name_field, self.join_button], layout=row)])
            self._open(str(folder) if folder is not None else os.environ.get(ENV, ""))
        else:
            self.code_field = None
            self.folder_field = w.Text(value=str(folder) if folder is not None else os.environ.get(ENV, ""),
                                       continuous_update=False, layout=L(width="560px"),
                                       style={"description_width": "110px"})
            self.team_field = w.Dropdown(options=[], layout=L(width="300px"), style={"description_width": "110px"})
            self.folder_field.observe(lambda _c: self._load_teams(), names="value")
            self._form = w.VBox([self.folder_field,
                                 w.HBox([self.team_field, self.name_field, self.join_button], layout=row)])
        self.root = w.VBox([w.HTML(CSS + CJK_FONT_CSS), self._title, self._form,
                            w.HBox([self._message, self.change_button], layout=L(align_items="center"))],
                           layout=L(border="1px solid #c9d3e0", padding="6px 10px", margin="0 0 8px 0"))
        self.root.add_class("sf-join")
        if not self.with_code:
            self._load_teams()
        self.refresh()

    # --- from code ------------------------------------------------------------------------
    def on_join(self, callback: Callable[[Session], None]) -> None:
        """Call ``callback(session)`` after every successful join."""
        self._callbacks.append(callback)

    def join(self, code: str | None = None, trainee: str | None = None, *, folder: str | None = None,
             team: str | None = None) -> Session:
        """Fill in the fields given, then join (what the "Join" button does).

        With a code: ``code`` and ``trainee``. With a folder (``with_code=False``): ``folder``, ``team``,
        ``trainee``.

        Raises:
            JoinError: with a code — no workshop, no code or an unknown one, no name, a name taken from
                another browser; with a folder — no folder, no workshop there, a foreign file, no team, no name.
            ValueError: a folder or a team given to a form that joins with a code (or a code to one that
                joins with a folder).
        """
        if self.with_code:
            if folder is not None or team is not None:
                raise ValueError("this form joins with a team's code: give code= and trainee=, not a folder or team")
            if code is not None:
                self.code_field.value = str(code)
            if trainee is not None:
                self.name_field.value = trainee
            if self.store is None:
                raise self._error or JoinError("no_workshop")
            session = join_with_code(self.store, self.code_field.value, self.name_field.value, lang=self.lang,
                                     browser=self.browser)
        else:
            if code is not None:
                raise ValueError("this form joins with a folder and a team (with_code=False): give folder= and team=")
            session = self._join_folder(folder, team, trainee)
        self.session = session
        self._error, self._info = None, None
        self._show_form(False)
        for callback in list(self._callbacks):
            callback(session)
        return session

    def show_joined(self, session: Session) -> None:
        """Show the form as joined with ``session`` (one joined earlier on this page), without joining again."""
        self.name_field.value = session.trainee
        if self.team_field is not None and self.store is not None and session.team in self.store.teams:
            self.team_field.value = session.team
        self.session = session
        self._error, self._info = None, None
        self._show_form(False)

    def _join_folder(self, folder: str | None, team: str | None, trainee: str | None) -> Session:
        assert self.folder_field is not None and self.team_field is not None
        if folder is not None and folder != self.folder_field.value:
            self.folder_field.value = str(folder)  # loads the teams
        if self.store is None:
            self._load_teams()
        if self.store is None:
            raise self._error or JoinError("no_folder")
        if team is not None:
            if team not in self.store.teams:
                raise JoinError("unknown_team", team=team)
            self.team_field.value = team
        if trainee is not None:
            self.name_field.value = trainee
        name = self.name_field.value.strip()
        if not self.team_field.value:
            raise JoinError("no_team")
        if not name:
            raise JoinError("no_name")
        return join(self.store, self.team_field.value, name, lang=self.lang)

    # --- UI -------------------------------------------------------------------------------
    def _ui_join(self) -> None:
        try:
            self.join()
        except JoinError as err:
            self._error = err
            self._render_message()

    def _open(self, folder: str) -> None:
        """With a code: open the server's workshop; a problem is said without its path (the page never sees it)."""
        try:
            self.store = open_workshop(folder)
        except JoinError:
            self.store, self._error = None, JoinError("no_workshop")

    def _load_teams(self) -> None:
        """With a folder: open the folder's store (when it changed) and list its teams; a problem becomes the message."""
        assert self.folder_field is not None and self.team_field is not None
        self.store, self._error, self._info = None, None, None
        try:
            self.store = open_workshop(self.folder_field.value)
        except JoinError as err:
            self._error = err if self.folder_field.value.strip() else None
            self.team_field.options = []
        else:
            names = self.store.team_names(self.lang)
            self.team_field.options = [(name, t) for t, name in names.items()]
            self.team_field.value = self.store.teams[0] if len(names) == 1 else None
            self._info = ("teams_found", {"n": len(names)})
        if hasattr(self, "_title"):
            self._render_message()

    def _show_form(self, show: bool) -> None:
        self._form.layout.display = None if show else "none"
        self._title.layout.display = None if show else "none"
        self.change_button.layout.display = "none" if show else None
        if show:
            self._info = None
        self._render_message()

    def refresh(self) -> None:
        if not hasattr(self, "_title"):
            return
        intro = f'<div class="sf-muted">{html.escape(self.t("intro_code" if self.with_code else "intro"))}</div>'
        if self.demo:
            if self.with_code and self.store is not None:
                names = self.store.team_names(self.lang)
                codes = " · ".join(f"{names[t]} {c}" for t, c in self.store.team_codes().items())
                intro += f'<div class="sf-warn">{html.escape(self.t("demo_code", codes=codes))}</div>'
            else:
                intro += f'<div class="sf-warn">{html.escape(self.t("demo"))}</div>'
        self._title.value = f'<b style="font-size:15px">{html.escape(self.t("title"))}</b>{intro}'
        if self.with_code:
            self.code_field.description = self.t("code")
            self.code_field.placeholder = self.t("code_hint")
            self.code_field.tooltip = self.t("code_tip")
        else:
            self.folder_field.description = self.t("folder")
            self.folder_field.tooltip = self.t("folder_tip")
            self.team_field.description = self.t("team")
            if self.store is not None:
                value = self.team_field.value
                self.team_field.options = [(name, t) for t, name in self.store.team_names(self.lang).items()]
                self.team_field.value = value
        self.name_field.description = self.t("name")
        self.name_field.placeholder = self.t("name_hint")
        self.join_button.description = self.t("join")
        self.join_button.tooltip = self.t("join_tip")
        self.change_button.description = self.t("change")
        self._render_message()

    def _render_message(self) -> None:
        if self._error is not None:
            self._message.value = f'<span class="sf-warn">⚠ {html.escape(self._error.text(self.lang))}</span>'
        elif self.session is not None and self._form.layout.display == "none":
            s = self.session
            text = self.t("joined", team=s.store.team_name(s.team, self.lang), trainee=s.trainee)
            self._message.value = f'<span class="sf-good">✔ {html.escape(text)}</span>'
        elif self._info is not None:
            self._message.value = f'<span class="sf-muted">{html.escape(self.t(self._info[0], **self._info[1]))}</span>'
        else:
            self._message.value = ""
