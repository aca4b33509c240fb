"""The trainee lessons in the app: read from ``notebooks/src`` by ``notebooks/build.py``, run with their code hidden.

One source per lesson still: :func:`lesson` asks ``notebooks/build.py`` (loaded as a library, its own
:func:`build_notebook`) for the **app** edition of a source in one language — the cells of
``notebooks/zh/`` or ``notebooks/en/`` without the JupyterLab-only ones (tag ``lab``), with the app-only ones
(tag ``app``), never a ``trainer`` cell — and keeps them as :class:`Cell`\\ s:
markdown converted to HTML (python-markdown, the converter behind ``solara.Markdown``, with formulas
drawn by matplotlib's mathtext: Solara's own math renderer, KaTeX, is fetched from a CDN the room may not
reach), code kept to be run. Lessons are read once per process (:func:`catalogue`, :func:`lesson`:
read-only, shared by every page).

:class:`LessonRun` is one page's run of one lesson: a namespace of its own (a fresh dict), its code cells
executed in order in a copy of the caller's context whose language scope is the page's
(:func:`simfunnel.i18n.use_language` first), and what each cell shows, as a notebook would show it
(:class:`Shown`): printed text, the value of its last expression (a widget, a table, a chart; not after a
``;``), anything passed to ``display``, and the pyplot figures it made. A cell that raises shows a short
note in zh and en; the traceback goes to the server's log only. :meth:`LessonRun.close` closes every
widget the run made (the kit's widgets with their language listeners and clocks) and drops the namespace.

Example (no browser, no Solara):

    >>> info = catalogue()[2]
    >>> info.number, info.title("en"), info.title("zh")
    ('02', 'Moving deals', '推动商机')
    >>> cells = lesson("02", "zh").cells
    >>> any("讲师备注" in c.html for c in cells), any("exercise" in c.tags for c in cells)
    (False, True)
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextvars
import functools
import html
import importlib.util
import io
import logging
import re
import sys
import threading
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from simfunnel import i18n
from simfunnel.app.texts import text
from simfunnel.widgets.base import Widget

__all__ = ["NOTEBOOKS", "REPLACED_BY_APP", "Cell", "Lesson", "LessonInfo", "LessonRun", "Shown", "catalogue",
           "lesson", "markdown_html", "notebook_build"]

LOG = logging.getLogger("simfunnel.app")
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
BUILD_MODULE = "simfunnel_notebook_build"  # the name tests/test_notebooks.py loads build.py under, too
# Numbered sources the app does not show as lessons: the app's own pages play them (the workshop page).
REPLACED_BY_APP = frozenset({"08_workshop_play"})
LESSON_NUMBER = re.compile(r"\d\d")

# Cells of all pages run one at a time: pyplot keeps its figures in one registry (Solara gives each page's
# kernel its own; a plain thread has the process's), and a cell's figures are the ones new after it.
# The lessons' code holds the GIL most of the time anyway: pages take turns cell by cell.
_CELL_LOCK = threading.Lock()
_LOADING = threading.Lock()  # the first pages may ask at once: build.py is loaded once


@functools.cache
def notebook_build() -> Any:
    """``notebooks/build.py`` as a module (loaded once): the one parser of the lesson sources."""
    with _LOADING:
        return _load_build()


def _load_build() -> Any:
    loaded = sys.modules.get(BUILD_MODULE)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(BUILD_MODULE, NOTEBOOKS / "build.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[BUILD_MODULE] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(BUILD_MODULE, None)
        raise
    return module


@dataclass(frozen=True)
class LessonInfo:
    """A lesson of the course: its number (``"02"``), its source's stem and its titles in zh and en."""

    number: str
    stem: str
    titles: tuple[str, str]  # (zh, en), from each trainee notebook's first heading, without the number

    def title(self, lang: str) -> str:
        return i18n.text(self.titles, lang)


@dataclass(frozen=True)
class Cell:
    """A cell of a trainee notebook: markdown (``html`` to show) or code (``source`` to run, never shown)."""

    index: int
    kind: str  # "markdown" or "code"
    source: str
    tags: tuple[str, ...] = ()
    html: str = ""


@dataclass(frozen=True)
class Lesson:
    """The trainee notebook of one lesson in one language, as cells."""

    info: LessonInfo
    lang: str
    cells: tuple[Cell, ...]

    @property
    def number(self) -> str:
        return self.info.number

    @property
    def title(self) -> str:
        return self.info.title(self.lang)


def _title(nb: dict, number: str) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    title = line.lstrip("#").strip()
                    return title[len(number):].strip() if title.startswith(number + " ") else title
    return number


@functools.cache
def catalogue() -> tuple[LessonInfo, ...]:
    """The lessons the app shows, in course order: every numbered source but those the app plays itself.

    Empty when the kit has no ``notebooks/`` folder (installed without its sources).
    """
    if not (NOTEBOOKS / "build.py").is_file():
        return ()
    build = notebook_build()
    out = []
    for path in build.sources(NOTEBOOKS / "src"):
        number = path.stem[:2]
        if not LESSON_NUMBER.fullmatch(number) or path.stem in REPLACED_BY_APP:
            continue
        titles = tuple(_title(build.build_notebook(path, lang, "app"), number) for lang in ("zh", "en"))
        out.append(LessonInfo(number, path.stem, titles))
    return tuple(out)


def find(number: str) -> LessonInfo | None:
    """The lesson numbered ``number`` (``"02"``), or ``None``."""
    return next((info for info in catalogue() if info.number == number), None)


@functools.lru_cache(maxsize=64)
def lesson(number: str, lang: str) -> Lesson:
    """The trainee cells of lesson ``number`` in ``lang`` (markdown ready as HTML); KeyError for no such lesson."""
    info = find(number)
    if info is None:
        raise KeyError(number)
    lang = i18n.resolve_language(lang)
    build = notebook_build()
    nb = build.build_notebook(NOTEBOOKS / "src" / f"{info.stem}.py", lang, "app")
    cells = []
    for index, raw in enumerate(nb["cells"]):
        source = "".join(raw["source"])
        tags = tuple(raw["metadata"].get("tags", ()))
        if "trainer" in tags:  # a trainee edition has none; never shown, whatever build.py does next
            continue
        if raw["cell_type"] == "markdown":
            cells.append(Cell(index, "markdown", source, tags, markdown_html(source, lang)))
        else:
            cells.append(Cell(index, "code", source, tags))
    return Lesson(info, lang, tuple(cells))


# --- markdown ------------------------------------------------------------------------------------------
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# $$display$$, or $inline$ as pandoc reads it: no space inside either end, no digit right after the closing
# $ (so "$55 to $26,768" stays money).
_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^\s$](?:[^$]*?[^\s$\\])?)\$(?!\d)", re.S)
_HOLE = "sfmathhole{}x"
_NOTEBOOK_LINK = re.compile(r'href="(?P<stem>(?P<number>\d\d)_[A-Za-z0-9_]+)\.ipynb"')


@functools.lru_cache(maxsize=512)
def _formula(tex: str, display: bool) -> str:
    """``tex`` drawn by matplotlib's mathtext as an inline SVG image, on the text's baseline."""
    from matplotlib import mathtext  # noqa: PLC0415 — matplotlib only when a lesson with formulas is read
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    buf = io.BytesIO()
    try:
        depth = mathtext.math_to_image(f"${tex}$", buf, prop=FontProperties(size=13 if display else 12),
                                       dpi=72, format="svg", color="#222222")
    except (ValueError, RuntimeError):  # a formula mathtext cannot draw: shown as typed, still readable
        return f'<code class="sf-math">{html.escape(tex)}</code>'
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    image = (f'<img class="sf-math" alt="" style="vertical-align: -{depth:.1f}pt" '
             f'src="data:image/svg+xml;base64,{data}">')
    return f'<div class="sf-math-display">{image}</div>' if display else image


def markdown_html(source: str, lang: str) -> str:
    """A markdown cell as HTML: tables, formulas as images, links to other notebooks turned into lesson pages.

    >>> page = markdown_html("**Forecast** $F_t$ — see [02](02_moving_deals.ipynb)", "zh")
    >>> page.startswith('<p><strong>Forecast</strong> <img class="sf-math"'), "$" in page
    (True, False)
    >>> 'href="/lesson/02?lang=zh"' in markdown_html("[02](02_moving_deals.ipynb)", "zh")
    True
    """
    formulas: list[str] = []

    def hole(match: re.Match) -> str:
        display = match["display"] is not None
        formulas.append(_formula((match["display"] if display else match["inline"]).strip(), display))
        return _HOLE.format(len(formulas) - 1)

    parts = []
    at = 0
    for code in _CODE_SPAN.finditer(source):  # no formulas inside `code`
        parts.append(_MATH.sub(hole, source[at:code.start()]) + code.group(0))
        at = code.end()
    parts.append(_MATH.sub(hole, source[at:]))
    out = markdown.markdown("".join(parts), extensions=["tables", "fenced_code"], output_format="html")
    for i, formula in enumerate(formulas):
        out = out.replace(_HOLE.format(i), formula)

    def link(match: re.Match) -> str:
        if match["stem"] in REPLACED_BY_APP:
            return f'href="/?lang={lang}"'
        return f'href="/lesson/{match["number"]}?lang={lang}"'

    return _NOTEBOOK_LINK.sub(link, out)


# --- running a lesson ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """One thing a cell shows: ``kind`` is "text" (printed), "html" (a table), "png" (a chart, bytes),
    "widget" (an ipywidget) or "error" (a (zh, en) note: the cell raised)."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Progress:
    """What a run has shown so far: the outputs of its cells run (cell index → outputs), and whether it is done."""

    key: tuple[str, str]  # (lesson number, language)
    outputs: dict[int, tuple[Shown, ...]] = field(default_factory=dict)
    done: bool = False
    failed: int = 0  # cells that raised


def _quiet(source: str) -> bool:
    """Whether the cell ends in ``;`` (its last value is not shown, as in IPython)."""
    last = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER,
                                  tokenize.INDENT, tokenize.DEDENT):
                last = token
    except (tokenize.TokenError, SyntaxError):
        return False
    return last is not None and last.type == tokenize.OP and last.string == ";"


def _figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


class _Cell:
    """What one cell shows while it runs: printed text and displayed things, in order."""

    def __init__(self, run: LessonRun) -> None:
        self.run = run
        self.shown: list[Shown] = []
        self.figures: list[Any] = []  # matplotlib figures to draw at the cell's end, in order
        self.drawn: list[Any] = []  # figures already shown (by ``plt.show()``): kept, so no id is reused

    def draw(self, fig: Any) -> None:
        """Show ``fig`` here, once (a chart that cannot be drawn is left out, logged)."""
        if any(seen is fig for seen in self.drawn):
            return
        self.drawn.append(fig)
        try:
            self.shown.append(Shown("png", _figure_png(fig)))
        except Exception:  # noqa: BLE001
            LOG.warning("lesson %s: a chart could not be drawn", self.run.lesson.number, exc_info=True)

    def write(self, piece: str) -> None:
        if self.shown and self.shown[-1].kind == "text":
            self.shown[-1] = Shown("text", self.shown[-1].value + piece)
        else:
            self.shown.append(Shown("text", piece))

    def print(self, *values: object, sep: str | None = " ", end: str | None = "\n", file: Any = None,
              flush: bool = False) -> None:
        if file is not None and file is not sys.stdout:
            builtins.print(*values, sep=sep, end=end, file=file, flush=flush)
            return
        self.write((" " if sep is None else sep).join(map(str, values)) + ("\n" if end is None else end))

    def display(self, *objs: Any, **_options: Any) -> None:
        for obj in objs:
            self.show(obj)

    def show(self, value: Any) -> None:
        """Show ``value`` as a notebook would (its widget, table, chart, else its repr)."""
        import ipywidgets  # noqa: PLC0415 — loaded by the widgets anyway; kept with the code that needs it
        from matplotlib.artist import Artist  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415

        if value is None:
            return
        root = getattr(value, "root", None)
        if isinstance(value, ipywidgets.Widget):
            self.run.remember(value)
            self.shown.append(Shown("widget", value))
        elif isinstance(root, ipywidgets.Widget):  # the kit's widgets
            self.run.remember(value)
            self.shown.append(Shown("widget", root))
        elif isinstance(value, Figure):
            self.figures.append(value)
        elif isinstance(value, Artist) or (isinstance(value, (list, tuple)) and value
                                            and all(isinstance(v, Artist) for v in value)):
            # an Axes, plt.plot's lines: their figure shows (never a repr such as "<Axes: …>")
            for artist in value if isinstance(value, (list, tuple)) else [value]:
                figure = artist.get_figure()
                if figure is not None:
                    self.figures.append(figure)
        elif hasattr(value, "_ipython_display_"):
            with self.run.capturing_ipython_display(self):
                value._ipython_display_()
        elif callable(getattr(value, "_repr_html_", None)) and (markup := value._repr_html_()):
            self.shown.append(Shown("html", markup))
        else:
            self.write(repr(value) + "\n")

    def take_bundle(self, data: dict) -> bool:
        """A display message from IPython's ``display`` (a cell importing it): shown by its richest form."""
        import ipywidgets  # noqa: PLC0415

        if "application/vnd.jupyter.widget-view+json" in data:
            out = ipywidgets.Output()
            out.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)
            self.run.remember(out)
            self.shown.append(Shown("widget", out))
        elif "image/png" in data:
            png = data["image/png"]
            self.shown.append(Shown("png", base64.b64decode(png) if isinstance(png, str) else png))
        elif "text/html" in data:
            self.shown.append(Shown("html", data["text/html"]))
        elif "text/plain" in data:
            self.write(str(data["text/plain"]) + "\n")
        else:
            return False
        return True


class LessonRun:
    """One page's run of one lesson: a namespace of its own, the outputs of its cells, and :meth:`close`.

    ``run()`` executes the code cells in order (in the calling thread, in a copy of its context with the
    page's language scope); ``on_progress(progress)`` after each cell. ``close()`` — from the page's cleanup,
    from any thread — stops the run after its current cell and closes every widget it made.
    """

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.namespace: dict[str, Any] = {}  # the page's own: never shared, never a module's globals
        self.progress = Progress((lesson.number, lesson.lang))
        self.scope: i18n.LanguageScope | None = None
        self.closed = False
        self._running = False
        self._made: list[Any] = []  # things shown or displayed: widgets to close
        self._lock = threading.Lock()

    # --- running ------------------------------------------------------------------------------------
    def run(self, on_progress: Callable[[Progress], None] | None = None) -> Progress:
        """Run every code cell (once); the final :class:`Progress`."""
        with self._lock:
            if self.closed or self._running or self.progress.done:
                return self.progress
            self._running = True
        try:
            contextvars.copy_context().run(self._run, on_progress)
        finally:
            with self._lock:
                self._running = False
                close_now = self.closed
            if close_now:
                self._close_all()
        return self.progress

    def _run(self, on_progress: Callable[[Progress], None] | None) -> None:
        self.scope = i18n.use_language(self.lesson.lang)  # the page's language, in this context only
        outputs: dict[int, tuple[Shown, ...]] = {}
        failed = 0
        for cell in self.lesson.cells:
            if cell.kind != "code":
                continue
            if self.closed:
                return
            shown, ok = self._execute(cell)
            failed += not ok
            outputs[cell.index] = shown
            self.progress = Progress(self.progress.key, dict(outputs), False, failed)
            if on_progress is not None and not self.closed:
                on_progress(self.progress)
        self.progress = Progress(self.progress.key, dict(outputs), True, failed)
        if on_progress is not None and not self.closed:
            on_progress(self.progress)

    def _execute(self, cell: Cell) -> tuple[tuple[Shown, ...], bool]:
        import matplotlib.pyplot as plt  # noqa: PLC0415 — the lessons' charts are pyplot's

        here = _Cell(self)
        ns = self.namespace
        ns.setdefault("__name__", "__lesson__")
        ns.setdefault("__builtins__", builtins)
        ns["print"], ns["display"] = here.print, here.display  # this cell's; kept after a cell rebinds them
        name = f"<lesson {self.lesson.number} cell {cell.index}>"
        ok = True
        with _CELL_LOCK:
            before = set(plt.get_fignums())
            # A cell starts on a figure of its own, as in a notebook (whose inline backend closed the last
            # cell's): plt.plot must never draw on a figure left open elsewhere in the process. Left empty, it
            # is closed unseen.
            fresh = plt.figure()

            def show(*_args: Any, **_kwargs: Any) -> None:
                # plt.show() as in a notebook: the cell's open figures show here, now, and close — whatever
                # backend the process has (the inline one closes them itself and draws nowhere we see)
                for n in [n for n in plt.get_fignums() if n not in before]:
                    fig = plt.figure(n)
                    if fig.axes:
                        here.draw(fig)
                    plt.close(fig)

            plt_show, plt.show = plt.show, show
            try:
                tree = ast.parse(cell.source, filename=name)
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body.pop().value)
                with self.capturing_ipython_display(here):
                    exec(compile(tree, name, "exec"), ns)  # noqa: S102 — the kit's own lesson sources
                    if last is not None:
                        value = eval(compile(last, name, "eval"), ns)  # noqa: S307 — likewise
                        if not _quiet(cell.source):
                            here.show(value)
            except Exception as exc:  # noqa: BLE001 — any error: a note on the page, the traceback in the log
                ok = False
                if self.closed:  # the page went while the cell ran (its kernel closed its widgets): no error
                    LOG.info("lesson %s (%s) stopped at cell %d: the page was closed", self.lesson.number,
                             self.lesson.lang, cell.index)
                else:
                    LOG.warning("lesson %s (%s) cell %d raised %s", self.lesson.number, self.lesson.lang,
                                cell.index, type(exc).__name__, exc_info=True)
                here.shown.append(Shown("error", (text("lesson_cell_failed", "zh", error=type(exc).__name__),
                                                  text("lesson_cell_failed", "en", error=type(exc).__name__))))
            finally:
                plt.show = plt_show
            new = [plt.figure(n) for n in plt.get_fignums() if n not in before]  # made by this cell
            for fig in [*here.figures, *new]:
                if fig is not fresh or fig.axes:
                    here.draw(fig)
            plt.close(fresh)
            for fig in new:
                plt.close(fig)
        return tuple(here.shown), ok

    def capturing_ipython_display(self, cell: _Cell) -> Any:
        """While open, what IPython's own ``display`` publishes (a cell that imported it) goes to ``cell``."""
        return _DisplayCapture(cell)

    def remember(self, value: Any) -> None:
        """Keep ``value`` to close with the run (a widget shown or displayed)."""
        self._made.append(value)

    # --- closing ------------------------------------------------------------------------------------
    def shown_widgets(self, *kinds: type) -> list:
        """The kit's widgets of ``kinds`` this run has shown, in page order (a lesson's exercises, for the workbook
        and the browser test): each found by its root among the shown outputs."""
        owners = {id(v.root): v for v in self.namespace.values() if isinstance(v, kinds)}
        return [owners[id(piece.value)] for index in sorted(self.progress.outputs)
                for piece in self.progress.outputs[index] if piece.kind == "widget" and id(piece.value) in owners]

    def close(self) -> None:
        """Close every widget the run made and drop its namespace (at once, or after the running cell)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            running = self._running
        if not running:
            self._close_all()

    def _close_all(self) -> None:
        import ipywidgets  # noqa: PLC0415

        things = [*self._made, *self.namespace.values()]
        kit: list[Widget] = []
        seen: set[int] = set()
        while things:
            value = things.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, (list, tuple, set, frozenset)):
                things.extend(value)
            elif isinstance(value, dict):
                things.extend(value.values())
            elif isinstance(value, Widget):  # the kit's: its parts (shown or kept aside) are looked at too
                kit.append(value)
                things.extend(v for v in vars(value).values()
                              if isinstance(v, (ipywidgets.Widget, list, tuple, dict, Widget)))
        roots = [*self._made, *self.namespace.values(), *(widget.root for widget in kit)]
        for widget in kit:
            widget.close()  # its language listener and clock stop, its tree closes
            for part in vars(widget).values():  # parts kept aside (a page of cards not shown)
                roots.extend(part if isinstance(part, (list, tuple)) else
                             part.values() if isinstance(part, dict) else [part])
        closed: set[int] = set()
        for value in roots:
            if isinstance(value, ipywidgets.Widget):
                _close_tree(value, closed)
        self.namespace.clear()
        self._made.clear()
        LOG.info("lesson %s (%s) closed: %d widgets", self.lesson.number, self.lesson.lang, len(closed))


def _close_tree(root: Any, closed: set[int]) -> None:
    """Close ``root`` and every widget it holds — children, layout, style (widgets too) — adding their ids to
    ``closed`` (a widget already there is not visited again)."""
    import ipywidgets  # noqa: PLC0415

    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in closed:
            continue
        closed.add(id(node))
        for name in node.keys:
            value = getattr(node, name, None)
            if isinstance(value, ipywidgets.Widget):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, ipywidgets.Widget))
        node.close()


class _DisplayCapture:
    """A hook on the page kernel's display publisher (Solara's, per page) for IPython's ``display``."""

    def __init__(self, cell: _Cell) -> None:
        self.cell = cell
        self.publisher = None

    def _hook(self, msg: dict) -> dict | None:
        if msg.get("msg_type") == "display_data" and self.cell.take_bundle(msg.get("content", {}).get("data", {})):
            return None
        return msg

    def __enter__(self) -> _DisplayCapture:
        from IPython import get_ipython  # noqa: PLC0415

        shell = get_ipython()
        publisher = getattr(shell, "display_pub", None)
        if publisher is not None and hasattr(publisher, "register_hook"):
            publisher.register_hook(self._hook)
            self.publisher = publisher
        return self

    def __exit__(self, *exc: object) -> None:
        if self.publisher is not None:
            self.publisher.unregister_hook(self._hook)
            self.publisher = None
