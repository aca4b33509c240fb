"""What every simfunnel widget shares: language, display, charts as PNG, and a walk over its texts."""

from __future__ import annotations

import contextlib
import html
import io
import re
from abc import ABC, abstractmethod
from typing import Any, Iterator

import ipywidgets as w
from ipywidgets.widgets.widget_button import ButtonStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from simfunnel import i18n

Pair = tuple[str, str]

CSS = """
<style>
.sf-card {border:1px solid #c9d3e0; border-radius:6px; padding:4px 6px; margin:2px 0; background:#fff;
          font-size:12px; line-height:1.35; cursor:pointer}
.sf-card.sf-selected {border:2px solid #1f5fa8; background:#eef4fb}
.sf-card .sf-amount {font-weight:600}
.sf-muted {color:#6b7785}
.sf-badge {display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px}
.sf-order {background:#1b7f3b} .sf-advance {background:#2f6fbf}
.sf-continuation {background:#c98a0c} .sf-no_sale {background:#b23a3a}
.sf-kpi {display:inline-block; vertical-align:top; min-width:96px; max-width:185px; padding:4px 10px; margin:2px; border-radius:6px; background:#f2f5f9}
.sf-kpi b {font-size:15px}
.sf-warn {color:#b23a3a}
.sf-hidden {display:none !important}
</style>
"""


def close_tree(*roots: w.Widget) -> None:
    """Close widget trees: every widget, its children, and its layout and style (ipywidgets closes neither:
    a server that opens and closes pages would keep them in its registry)."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        if not isinstance(node, w.Widget) or node.comm is None:
            continue
        stack.extend(getattr(node, "children", ()) or ())
        stack.extend(part for part in (getattr(node, "layout", None), getattr(node, "style", None))
                     if isinstance(part, w.Widget))
        node.close()


@contextlib.contextmanager
def held(root: w.Widget | None) -> Iterator[None]:
    """Changes made to a widget tree inside are sent once at the end: one message per widget changed, with
    its last values (a redraw sets a button's text, tip and state, and a kind of board may set them again:
    each change was a message of its own). Re-entrant: inside a hold of the same root, nothing more is done.

    What ipywidgets' ``hold_sync`` does, for a whole tree at once: a context manager per widget (~190 a
    board, a few of them a click and a teammate's tick) cost a third of a teammate's redraw.
    """
    held_here: list[w.Widget] = []
    if root is not None and not root._holding_sync:
        todo = [root]
        while todo:
            node = todo.pop()
            if not isinstance(node, w.Widget) or node._holding_sync or node.comm is None:
                continue  # a shared layout or style is met many times: held once
            node._holding_sync = True
            held_here.append(node)
            todo.extend(getattr(node, "children", ()) or ())
            todo.extend(part for part in (getattr(node, "layout", None), getattr(node, "style", None))
                        if isinstance(part, w.Widget))
    try:
        yield
    finally:
        for node in reversed(held_here):  # as hold_sync ends (in the order the nested holds ended): one message each
            node._holding_sync = False
            pending = node._states_to_send
            if pending:
                node.send_state(pending)
                pending.clear()


def shown(widget: w.Widget) -> bool:
    """Whether a widget is not hidden (:func:`show`, or its own layout's ``display``)."""
    return "sf-hidden" not in widget._dom_classes and getattr(widget.layout, "display", None) != "none"


def show(widget: w.Widget, visible: bool) -> None:
    """Show or hide a widget by a class (its layout may be shared with others: see :class:`Lean`)."""
    if visible:
        widget.remove_class("sf-hidden")
    else:
        widget.add_class("sf-hidden")


class Lean:
    """Shared layout and style models for the many like parts of one widget tree (a board's cards).

    ipywidgets gives every widget a Layout and (HTML, Button) a Style of its own: two more models to open,
    send and keep per part, most of a board's 427 models. Parts made here share them; a shared layout is
    never changed (hide a part with :func:`show`, a class of its own).
    """

    def __init__(self) -> None:
        self.layout = w.Layout()
        self.html_style = HTMLStyle()
        self.button_style = ButtonStyle()
        self._layouts: dict[tuple, w.Layout] = {(): self.layout}

    def layout_of(self, **css: str) -> w.Layout:
        """One shared Layout per set of properties."""
        key = tuple(sorted(css.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**css)
        return self._layouts[key]

    def html(self, value: str = "", **css: str) -> w.HTML:
        return w.HTML(value, style=self.html_style, layout=self.layout_of(**css))

    def button(self, description: str = "", tooltip: str = "", button_style: str = "", **css: str) -> w.Button:
        return w.Button(description=description, tooltip=tooltip or None, button_style=button_style,
                        style=self.button_style, layout=self.layout_of(**css))

    def vbox(self, children: list, classes: tuple[str, ...] = (), **css: str) -> w.VBox:
        return w.VBox(children, layout=self.layout_of(**css), _dom_classes=classes)

    def hbox(self, children: list, classes: tuple[str, ...] = (), **css: str) -> w.HBox:
        return w.HBox(children, layout=self.layout_of(**css), _dom_classes=classes)


def figure_png(fig: Any, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (light compression: widgets redraw often)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _strip(markup: str) -> str:
    no_style = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", no_style))


def widget_texts(root: w.Widget) -> Iterator[str]:
    """Every text a person can read in a widget tree: labels, values of HTML/Label, button and option texts."""
    for text in _widget_texts(root):
        text = " ".join(text.replace("\u200b", " ").split())
        if text:
            yield text


def _widget_texts(root: w.Widget) -> Iterator[str]:
    stack = [root]
    while stack:
        node = stack.pop()
        for attr in ("description", "tooltip", "placeholder"):
            value = getattr(node, attr, None)
            if isinstance(value, str) and value.strip():
                yield value
        if isinstance(node, (w.HTML, w.HTMLMath, w.Label)):
            yield _strip(node.value)
        if isinstance(node, (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select, w.SelectMultiple)):
            labels = getattr(node, "_options_labels", ())
            yield from (str(x) for x in labels)
        if isinstance(node, (w.Tab, w.Accordion)):
            yield from (t for t in getattr(node, "titles", ()) if t)
        stack.extend(getattr(node, "children", ()) or ())


def figure_texts(fig: Any) -> Iterator[str]:
    """Every text drawn in a matplotlib figure: titles, labels, tick labels, legends, annotations."""
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        if artist.get_visible() and artist.get_text().strip():
            yield artist.get_text()


class Widget(ABC):
    """Base of the kit's widgets.

    Subclasses set ``self.root`` (an ipywidgets container), keep their figures in
    ``self.figures`` (name → ``matplotlib.figure.Figure``, made without pyplot so
    nothing is drawn twice in a notebook; shown through ``ipywidgets.Image`` with
    :func:`figure_png`) and implement :meth:`refresh`,
    which redraws every text and chart in :attr:`lang`. ``TEXT`` maps keys to
    ``(zh, en)`` pairs; :meth:`t` picks one.
    """

    TEXT: dict[str, Pair] = {}

    def __init__(self, lang: str | None = None) -> None:
        self._fixed_lang = None if lang is None else i18n.resolve_language(lang)
        # The page's language scope (a notebook's, an app session's): the widget follows it, also when
        # a clock thread redraws it, and only that page's set_language redraws it.
        self._scope = i18n.language_scope()
        self.figures: dict[str, Any] = {}
        self.root: w.Widget = None  # type: ignore[assignment]  # each widget builds its own (no placeholder model)
        self._scope.add_listener(self._on_language)
        i18n.setup_cjk_font()

    # --- language ---------------------------------------------------------------
    @property
    def lang(self) -> str:
        """The widget's language: the one given at construction, else its page's (see :func:`simfunnel.set_language`)."""
        return self._fixed_lang or self._scope.lang

    def set_language(self, lang: str) -> None:
        """Fix this widget's language and redraw it."""
        self._fixed_lang = i18n.resolve_language(lang)
        self.refresh()

    def _on_language(self, lang: str) -> None:
        if self._fixed_lang is None:
            self.refresh()

    def t(self, key: str, **fields: object) -> str:
        """The text ``key`` of this widget in its language."""
        return i18n.text(self.TEXT[key], self.lang, **fields)

    def money(self, amount: float, compact: bool = False) -> str:
        """An amount in the widget's language and currency."""
        return i18n.format_money(amount, getattr(self, "currency", "CNY"), self.lang, compact=compact)

    # --- drawing ------------------------------------------------------------------
    @abstractmethod
    def refresh(self) -> None:
        """Redraw every text and chart in :attr:`lang`."""

    def texts(self) -> list[str]:
        """Every text a person sees: the widget tree and the texts of its charts."""
        out = list(widget_texts(self.root))
        self._ready_figures()
        for fig in self.figures.values():
            out.extend(figure_texts(fig))
        return out

    def _ready_figures(self) -> None:
        """Draw any figure of ``figures`` not drawn for what the widget shows (a kind of widget may show a cached
        picture instead): called before the figures are read or saved."""

    def save_charts(self, folder: Any, prefix: str = "") -> list[Any]:
        """Save each chart as PNG in ``folder``; returns the paths."""
        from pathlib import Path

        self._ready_figures()

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, fig in self.figures.items():
            path = out / f"{prefix}{name}_{self.lang}.png"
            fig.savefig(path, dpi=110)
            paths.append(path)
        return paths

    def close(self) -> None:
        """Close the widget's controls and stop following the kit's language.

        ipywidgets keeps every open widget alive, and with it this object and its
        language listener; after ``close()`` both can go.
        """
        self._fixed_lang = self.lang  # a fixed language: set_language no longer redraws it
        self._scope.remove_listener(self._on_language)
        close_tree(self.root, *self._kept_aside())

    def _kept_aside(self) -> list[w.Widget]:
        """Widgets of this one not in its tree (a clock's checkbox): closed with it. None by default."""
        return []

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.root)
