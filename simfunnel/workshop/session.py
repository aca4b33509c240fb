"""The trainee's session in a workshop: join with a team's code, bound to that team; no widgets here.

:func:`join_with_code` is how a trainee joins from a page (the app, the trainee notebook): the team's
**join code** (:mod:`~simfunnel.workshop.access`: given by the trainer, never a list of teams to pick from)
and a **name**, bound to the page's browser token. It returns a :class:`Session`
``(store, team, trainee, lang, code, browser)``: the object a page holds. The store is the server's (the
page never names a folder). A name already used in that team from another browser is refused unless the
trainer allowed a rejoin; a session whose code the trainer regenerated, or whose name another browser took
over, can no longer act (:func:`check_session`, called by the board before every write).
:func:`join` (a folder or store, a team, a name) is the trusted way for code: tests, a trainer's notebook,
a coder in JupyterLab; its session has no code and is not checked. The boards take it explicitly
(``DealBoard.for_team(session)``); :func:`current_session` is the session joined in the
current context (a notebook kernel, a thread, an app page: a :class:`contextvars.ContextVar`,
never a module global), the default when none is passed. :func:`team_history` gives the
analysis widgets a team's replayed history; :func:`team_label` a team key's default name for people
(the store's ``team_name`` is the team's name, the trainer's if given);
:func:`workshop_folder` the folder to join (``$SIMFUNNEL_WORKSHOP`` or a demo workshop).

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> folder = tempfile.mkdtemp()
    >>> store = WorkshopStore.init(folder, teams=2, seed=7, accounts=30)
    >>> code = store.team_codes()["team2"]
    >>> session = join_with_code(store, code.lower(), "Li", lang="zh", browser="cookie-1")
    >>> session.team, session.trainee, session.lang, current_session() is session
    ('team2', 'Li', 'zh', True)
    >>> join_with_code(store, code, "li", browser="cookie-2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simfunnel.workshop.session.JoinError: The name 'Li' is already used in Team 2 from another browser...
    >>> session = join(folder, "team2", trainee="Wang", lang="en")  # trusted code: a folder and a team
    >>> session.code is None and current_session() is session
    True
    >>> leave(); current_session() is None
    True
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from contextvars import ContextVar
from pathlib import Path
from typing import NamedTuple

from simfunnel.i18n import resolve_language
from simfunnel.workshop.codes import default_team_name, normalize_code
from simfunnel.workshop.errors import hidden_controls
from simfunnel.workshop.store import MAX_NAME, STORE_FILE, StoreError, WorkshopStore

__all__ = ["ENV", "JOIN_TEXTS", "JoinError", "Session", "check_session", "current_session", "join", "join_with_code",
           "leave", "open_workshop", "resolve_team", "same_folder", "team_history", "team_label", "trainee_name",
           "workshop_folder"]

ENV = "SIMFUNNEL_WORKSHOP"


class Session(NamedTuple):
    """Who plays on this page: the workshop store, the team, the trainee's name and the page's language.

    A page (a notebook kernel, an app session) holds its own; nothing about it is kept in a
    module global, so one process can serve many trainees. :func:`join_with_code` makes one from a
    page (``code``: the team's join code it joined with, ``browser``: the page's browser token);
    :func:`join` from trusted code (no code, no browser). A session is a tuple: it cannot be re-pointed
    at another team or name.
    """

    store: WorkshopStore
    team: str
    trainee: str
    lang: str = "en"
    code: str | None = None
    browser: str | None = None


# The session joined in the current context (a notebook kernel's, a thread's, an app page's):
# a ContextVar, so two trainees served by one process never see each other's session.
_joined: ContextVar[Session | None] = ContextVar("simfunnel_session", default=None)



def current_session() -> Session | None:
    """The session joined in this context (this notebook kernel, thread or app page), or ``None``."""
    return _joined.get()


def leave() -> None:
    """Forget this context's session (widgets made afterwards need a session or a store again)."""
    _joined.set(None)


# A (zh, en) pair per refusal of a join.
JOIN_TEXTS: dict[str, tuple[str, str]] = {
    "no_folder": ("请填写工作坊文件夹（讲师会告诉你）。", "Enter the workshop folder (your trainer tells you which)."),
    "not_found": ("找不到这个文件夹：{folder}", "There is no folder {folder}."),
    "no_store": ("这个文件夹里没有工作坊：{folder}。请向讲师确认文件夹。",
                 "There is no workshop in {folder}: check the folder with your trainer."),
    "foreign": ("这不是工作坊的数据文件：{path}（文件没有被改动）。请向讲师确认文件夹。",
                "{path} is not a workshop store (the file was left untouched): check the folder with your trainer."),
    "no_team": ("请选择你的小组。", "Choose your team."),
    "unknown_team": ("这个工作坊里没有“{team}”组。", "This workshop has no team {team!r}."),
    "no_name": ("请填写你的名字。", "Enter your name."),
    "bad_name": ("名字最多 {n} 个字，而且只能写在一行里。", "Your name: at most {n} characters, on one line."),
    "no_code": ("请填写讲师给你们小组的加入码。", "Enter the join code your trainer gave your team."),
    "bad_code": ("没有这个加入码。请核对讲师给的加入码：6 个字母或数字，不分大小写。",
                 "No team has this join code. Check the code your trainer gave you: 6 letters or digits, "
                 "upper or lower case."),
    "no_workshop": ("这里现在没有可以加入的工作坊：请告诉讲师。",
                    "There is no workshop to join here yet: tell your trainer."),
}


class JoinError(ValueError):
    """A workshop that cannot be joined; ``str(exc)`` is English, ``exc.zh`` / ``exc.en`` both languages."""

    def __init__(self, key: str | None = None, *, zh: str = "", en: str = "", **fields: object) -> None:
        if key is not None:
            zh, en = (text.format(**fields) for text in JOIN_TEXTS[key])
        super().__init__(en)
        self.key, self.zh, self.en = key, zh, en

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.zh if lang == "zh" else self.en


def open_workshop(folder: str | os.PathLike) -> WorkshopStore:
    """Open the workshop store in ``folder`` (or the ``workshop.sqlite`` file itself).

    Raises:
        JoinError: an empty name, no such folder, no workshop in it, or a file that is
            not a workshop store (left untouched), with the message in zh and en.
    """
    text = str(folder).strip() if folder is not None else ""
    if not text:
        raise JoinError("no_folder")
    path = Path(text).expanduser()
    if not path.exists():
        raise JoinError("not_found", folder=text)
    if path.is_dir() and not (path / STORE_FILE).exists():
        raise JoinError("no_store", folder=text)
    try:
        return WorkshopStore.open(path)
    except StoreError as err:
        if "not a" in err.en:  # a foreign or incomplete file: the store refused it from its header
            raise JoinError("foreign", path=str(path / STORE_FILE if path.is_dir() else path)) from None
        raise JoinError(zh=err.zh, en=err.en) from None


def join(folder: str | os.PathLike | WorkshopStore, team: str, trainee: str = "", lang: str | None = None) -> Session:
    """Join a workshop: open its store, check the team, and return the page's :class:`Session`.

    The session also becomes this context's :func:`current_session` (a notebook's kernel, the
    thread or app page that joined), the default of ``DealBoard.for_team()`` and its kin; pass
    the session to them explicitly wherever one process serves several pages.

    Args:
        lang: the page's language, ``"zh"`` or ``"en"`` (default: the context's, see
            :func:`simfunnel.set_language`).

    Raises:
        JoinError: the store cannot be opened (see :func:`open_workshop`) or has no such team.
    """
    store = folder if isinstance(folder, WorkshopStore) else open_workshop(folder)
    if not team:
        raise JoinError("no_team")
    if team not in store.teams:
        raise JoinError("unknown_team", team=team)
    session = Session(store, team, trainee_name(trainee), resolve_language(lang))
    _joined.set(session)
    return session


def join_with_code(store: WorkshopStore, code: str, trainee: str, *, lang: str | None = None,
                   browser: str | None = None) -> Session:
    """Join the team whose join code this is, as ``trainee``, from the page whose browser token is ``browser``.

    The store is the server's (a page never names a folder). The code is read as typed: any case, spaces
    and dashes ignored. The name is bound to the browser in that team (the store's ``claim_name``): it
    reconnects from the same browser (same week, same moves), and from another only after the trainer's
    ``allow_rejoin``. Without ``browser`` the session gets a random token of its own: it can never be
    reconnected from elsewhere without the trainer. The session becomes this context's
    :func:`current_session`.

    Args:
        lang: the page's language, ``"zh"`` or ``"en"`` (default: the context's).
        browser: an opaque token the page keeps (a cookie, a localStorage id); only its hash is stored.

    Raises:
        JoinError: no code or an unknown one, no name or an invalid one, or a name already used in that
            team from another browser — in zh and en (``exc.key``: ``no_code``, ``bad_code``, ``no_name``,
            ``bad_name``, ``name_taken``).
    """
    if not isinstance(store, WorkshopStore):
        raise TypeError(f"store: expected a WorkshopStore (the server's), got {type(store).__name__}")
    lang = resolve_language(lang)
    if not isinstance(code, str) or not code.strip():
        raise JoinError("no_code")
    wanted = normalize_code(code)
    team = store.team_for_code(wanted) if wanted is not None else None
    if team is None:
        raise JoinError("bad_code")
    name = trainee_name(trainee)
    if not name:
        raise JoinError("no_name")
    if browser is None:
        browser = secrets.token_urlsafe(24)
    try:
        name = store.claim_name(team, name, browser)
    except StoreError as err:
        refused = JoinError(zh=err.zh, en=err.en)
        refused.key = "name_taken"
        raise refused from None
    session = Session(store, team, name, lang, wanted, browser)
    _joined.set(session)
    return session


def check_session(session: Session) -> None:
    """Refuse (a :class:`JoinError`, zh and en) a session joined with a code that may no longer act: the trainer
    regenerated the team's code, or the name joined from another browser since. A session of :func:`join`
    (trusted code) always may."""
    if session.code is None:
        return
    try:
        session.store.check_access(session.team, session.trainee, code=session.code, browser=session.browser)
    except StoreError as err:
        refused = JoinError(zh=err.zh, en=err.en)
        refused.key = "session_ended"
        raise refused from None


def trainee_name(trainee: object) -> str:
    """The name as the store keeps it (every move carries it), else a JoinError now rather than on every move."""
    name = str(trainee or "").strip()
    if len(name) > MAX_NAME or hidden_controls(name):  # no bidi overrides or zero-width tricks either
        raise JoinError("bad_name", n=MAX_NAME)
    return name


def resolve_team(store: Session | WorkshopStore | str | os.PathLike | None,
                 team: str | None) -> tuple[WorkshopStore, str]:
    """The store (opened from a folder if need be) and team given, else the session's.

    ``store`` may be a :class:`Session` (its store and team); ``None`` means this context's
    :func:`current_session`.

    Raises:
        JoinError: no store given and no session joined, no team, or an unknown team.
    """
    session = current_session()
    if isinstance(store, Session):
        session, store = store, store.store
    if store is None:
        if session is None:
            raise JoinError(zh="还没有加入工作坊：先用加入表单（或 join()）加入。",
                            en="No workshop joined: join one first (the join form, or join(folder, team, trainee)).")
        store = session.store
    elif not isinstance(store, WorkshopStore):
        store = open_workshop(store)
    if team is None:
        if session is None or session.store is not store:
            raise JoinError("no_team")
        team = session.team
    if team not in store.teams:
        raise JoinError("unknown_team", team=team)
    return store, team


def team_history(store: Session | WorkshopStore | str | os.PathLike | None = None, team: str | None = None) -> tuple:
    """A team's history as the store rebuilds it, with the workshop's quota and threshold.

    ``store`` may be a :class:`Session`; without ``store`` and ``team``, this context's session (:func:`join`). The history's
    period is the workshop's (``store.start_week`` on), so the analysis widgets show the
    weeks the team plays: ``ThresholdExplorer.for_team()``, ``WinRateLab.for_team()``,
    ``ForecastDashboard.for_team()`` use it.

    Returns:
        ``(history, quota, threshold)``.

    Raises:
        JoinError: no store given and no session joined, or an unknown team.
    """
    store, team = resolve_team(store, team)
    history = store.simulation(team).history
    history.start_week = min(store.start_week, history.end_week)
    scenario = store.scenario(team)
    return history, float(scenario["quota"]), float(scenario["threshold"])


def team_label(team: str, lang: str = "en") -> str:
    """A team key's default name for people: ``team3`` → ``第 3 组`` / ``Team 3``; other keys as given. The
    team's name (the trainer's, if given) is the store's ``team_name(team, lang)``.

    >>> team_label("team3", "zh"), team_label("team3", "en"), team_label("华东组", "zh")
    ('第 3 组', 'Team 3', '华东组')
    """
    return default_team_name(team, lang)


_DEMOS: list[Path] = []


def workshop_folder(create_demo: bool = True) -> tuple[str, bool]:
    """The workshop folder to join: ``$SIMFUNNEL_WORKSHOP``, else a new demo workshop.

    Returns:
        ``(folder, demo)``; ``demo`` is True for a demo workshop made in a temporary folder
        (two teams, seed 2026; removed when Python exits). With ``create_demo=False`` and
        no variable set, ``("", False)``.
    """
    folder = os.environ.get(ENV, "").strip()
    if folder or not create_demo:
        return folder, False
    demo = Path(tempfile.mkdtemp(prefix="simfunnel-demo-workshop-"))
    if not _DEMOS:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _DEMOS])
    _DEMOS.append(demo)
    WorkshopStore.init(demo, teams=2, seed=2026, same_world=True)
    return str(demo), True


def same_folder(store: WorkshopStore, folder: str) -> bool:
    """Whether ``folder`` (a workshop folder or its store file) is where ``store`` lives."""
    try:
        path = Path(folder).expanduser()
        return (path if path.is_file() else path / STORE_FILE).resolve() == store.path.resolve()
    except OSError:
        return False
