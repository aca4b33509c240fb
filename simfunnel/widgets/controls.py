"""Controls and drawing pieces the widgets share: money sliders, KPI boxes, figures, the auto-refresh clock."""

from __future__ import annotations

import html
import logging
import math
import threading
from typing import Any, Callable, Iterable

import ipywidgets as w

from simfunnel import i18n
from simfunnel.workshop.session import team_history

LOG = logging.getLogger("simfunnel.widgets")
DPI = 90  # figures are made at the dpi they are shown at: no rescaling, text laid out once


def new_figure(width: float, height: float) -> Any:
    """A matplotlib Figure made without pyplot (nothing is shown twice in a notebook)."""
    from matplotlib.figure import Figure

    i18n.setup_cjk_font()
    return Figure(figsize=(width, height), dpi=DPI)


def relayout(fig: Any) -> None:
    """Lay the figure out once (constrained layout), then keep that layout for fast redraws.

    A layout engine costs a full extra draw on every save; the widgets only move markers
    and lines between relayouts (done after each full redraw, e.g. a language change).
    """
    fig.set_layout_engine("constrained", w_pad=0.06, h_pad=0.06)
    fig.draw_without_rendering()
    fig.set_layout_engine(None)


def image() -> w.Image:
    """An empty PNG image widget that scales down with the notebook's width."""
    return w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))


class Blitter:
    """Redraw only what moves: a figure's static parts are drawn once, its moving artists on top.

    :meth:`full` draws the whole figure (as :func:`~simfunnel.widgets.base.figure_png`
    does) and keeps a bitmap of it without the moving artists; :meth:`fast` pastes that
    bitmap and draws the moving artists again (``dynamic()`` lists them) — a marker or a
    line moves in a few milliseconds instead of re-laying out every tick label. Call
    :meth:`full` whenever anything static changes (texts, axis limits, language).
    Both return PNG bytes of the figure at its dpi, the same pixels as ``figure_png``.
    """

    def __init__(self, fig: Any, dynamic: Callable[[], list]) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.dynamic = dynamic
        self._background = None

    def full(self) -> bytes:
        moving = [a for a in self.dynamic() if a is not None]
        for artist in moving:
            artist.set_animated(True)
        try:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        finally:
            for artist in moving:
                artist.set_animated(False)
        return self.fast()

    def fast(self) -> bytes:
        if self._background is None:
            return self.full()
        self.canvas.restore_region(self._background)
        for artist in self.dynamic():
            if artist is not None and artist.get_visible():
                (artist.axes or self.fig).draw_artist(artist)
        return self._png()

    def _png(self) -> bytes:
        import io

        from PIL import Image

        width, height = self.canvas.get_width_height(physical=True)
        img = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def finite(value: object, name: str) -> float:
    """A finite number ≥ 0 (a threshold), else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a number of 0 or more, got {value!r}")
    if float(value) < 0:
        raise ValueError(f"{name} must be 0 or more, got {value!r}")
    return float(value)


class MoneySlider:
    """A slider over money steps whose readout is the amount as money (``¥5万`` / ``¥50k``).

    Wraps an ``ipywidgets.SelectionSlider`` (its labels are the readout). ``on_change``
    is called with the new value when a person moves it, not when code sets it.
    """

    def __init__(self, values: Iterable[float], value: float, on_change: Callable[[float], None],
                 money: Callable[[float], str]) -> None:
        self._values = sorted({float(v) for v in values} | {float(value)})
        self._money = money
        self._quiet = False
        self._on_change = on_change
        self.widget = w.SelectionSlider(
            options=self._options(), value=float(value), continuous_update=False,
            style={"description_width": "initial"}, layout=w.Layout(width="560px"),
        )
        self.widget.observe(self._observe, "value")

    def _options(self) -> list[tuple[str, float]]:
        return [(self._money(v), v) for v in self._values]

    def _observe(self, change: dict) -> None:
        if not self._quiet:
            self._on_change(float(change["new"]))

    @property
    def value(self) -> float:
        return float(self.widget.value)

    def set(self, value: float) -> None:
        """Move the slider without calling ``on_change`` (a value off the steps is added to them)."""
        value = float(value)
        self._quiet = True
        try:
            if value not in self._values:
                self._values = sorted(set(self._values) | {value})
                self.widget.options = self._options()
            self.widget.value = value
        finally:
            self._quiet = False

    def relabel(self, description: str) -> None:
        """Redo the readouts (after a language change) and the description, keeping the value."""
        value = self.value
        self._quiet = True
        try:
            self.widget.options = self._options()
            self.widget.value = value
            self.widget.description = description
        finally:
            self._quiet = False


def history_quota(history: Any, quota: Any, widget: str) -> float:
    """The quota a widget works with: ``quota`` or the history's; ValueError when neither or not > 0."""
    quota = history.quota if quota is None else quota
    if quota is None:
        raise ValueError(f"quota: the history has no quota; give one, e.g. {widget}(h, quota=2_000_000)")
    value = finite(quota, "quota")
    if value <= 0:
        raise ValueError(f"quota must be more than 0, got {quota!r}")
    return value


def exact_money(widget: Any, amount: float) -> str:
    """An amount compact (``¥5万``, ``¥50k``) when that shows it exactly, else in full (``¥27,500``)."""
    compact = widget.money(amount, compact=True)
    digits = str(int(round(amount))).rstrip("0")
    if widget.lang == "zh":
        exact = amount < 1e4 or (amount % 1_000 == 0 and amount < 1e8)
    else:
        exact = amount < 1e3 or len(digits) <= 3
    return compact if exact else widget.money(amount)


def kpi(label: str, value: str, note: str = "", warn: bool = False) -> str:
    """One KPI box (HTML): a label, the figure, a muted note."""
    cls = "sf-warn" if warn else "sf-muted"
    note_html = f"<br><span class='{cls}'>{html.escape(note)}</span>" if note else ""
    return (f"<div class='sf-kpi'><span class='sf-muted'>{html.escape(label)}</span><br>"
            f"<b>{html.escape(value)}</b>{note_html}</div>")


def pct(x: float, digits: int = 1) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}%}"


def widget_for_team(cls: Any, store: Any, team: Any, options: dict, threshold: bool = False) -> Any:
    """``cls(history, quota=…, [threshold=…,] **options)`` over a workshop team's history (see ``workshop.team_history``)."""
    history, quota, team_threshold = team_history(store, team)
    defaults: dict[str, Any] = {"quota": quota, **({"threshold": team_threshold} if threshold else {})}
    return cls(history, **{**defaults, **options})


class Ticker(threading.Thread):
    """The clock of one :class:`AutoRefresh`: a daemon thread that calls ``beat()`` every ``interval`` seconds
    until ``cancel()`` (``finished`` is then set).

    One thread for the clock's life, not a new timer thread a tick: a server's pages each have a clock, and
    a thread a tick meant a new thread (and whatever the thread set up: a store connection, Solara's
    context for it) every few seconds a page. The thread is made where the clock starts, so under Solara it
    runs in that page's context (Solara hands a new thread its creator's context).
    """

    def __init__(self, interval: float, beat: Callable[[], bool]) -> None:
        super().__init__(daemon=True, name="simfunnel-clock")
        self.interval = float(interval)
        self.finished = threading.Event()
        self._beat = beat

    def cancel(self) -> None:
        """Stop after the beat under way, if any (no further beat starts)."""
        self.finished.set()

    def run(self) -> None:
        while not self.finished.wait(self.interval):  # read each time: a beat may change it (a round's last minute)
            if not self._beat():
                self.finished.set()


class AutoRefresh:
    """A checkbox that, while ticked, calls ``reload`` every ``seconds`` on a daemon clock thread (:class:`Ticker`).

    ``auto.checkbox`` goes into the widget's controls; ``auto.stop()`` stops the clock (call
    it from the widget's ``close``); the clock also stops once the checkbox — or ``alive``, the
    widget it serves — is closed, so a widget dropped without ``close()`` does not tick forever.
    ipywidgets sends updates made from a thread to the page. A ``reload`` that raises is logged and the
    clock goes on.
    """

    def __init__(self, seconds: float, reload: Callable[[], None], alive: w.Widget | None = None) -> None:
        self.seconds = float(seconds)
        self.reload = reload
        self.timer: Ticker | None = None
        self.checkbox = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.checkbox.observe(self._on_change, names="value")
        self._alive = alive or self.checkbox  # the clock stops for good once this widget is closed

    @property
    def on(self) -> bool:
        """Ticking: switched on, and the widget it serves not closed (a re-run cell closes the old one)."""
        return bool(self.checkbox.value) and self._alive.comm is not None and self.checkbox.comm is not None

    def tick(self) -> None:
        """What the clock runs: reload (while on); then a clock that was stopped starts again while still on."""
        self._beat()
        if self.on and (self.timer is None or self.timer.finished.is_set()):
            self._schedule()

    def _beat(self) -> bool:
        """One beat of the clock: reload while on; whether to go on."""
        if not self.on:
            return False
        try:
            self.reload()
        except Exception:  # noqa: BLE001 — a clock outlives one failed reload (the page shows what it can)
            LOG.warning("a clock's reload failed", exc_info=True)
        return self.on

    def _schedule(self) -> None:
        if self.timer is not None and not self.timer.finished.is_set() and self.timer.is_alive():
            return
        self.timer = Ticker(self.seconds, self._beat)
        self.timer.start()

    def _on_change(self, change: dict) -> None:
        if change["new"]:
            self._schedule()
        else:
            self.stop()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


def check_refresh_args(store: Any, auto_seconds: Any, minimum: float, store_type: type) -> None:
    """The trainer widgets' common arguments: a workshop store, and auto-refresh seconds of at least ``minimum``."""
    if not isinstance(store, store_type):
        raise ValueError(f"store: expected a {store_type.__name__}, got {type(store).__name__}")
    if isinstance(auto_seconds, bool) or not isinstance(auto_seconds, (int, float)) or not auto_seconds >= minimum:
        raise ValueError(f"auto_seconds must be a number ≥ {minimum:g}, got {auto_seconds!r}")


class AutoRefreshed:
    """Mixin of widgets with an :class:`AutoRefresh` in ``self._auto``: ``auto`` (the checkbox), ``close`` stops it."""

    _auto: AutoRefresh

    @property
    def auto(self) -> w.Checkbox:
        """The auto-refresh checkbox (ticked: ``reload()`` every ``auto_seconds``)."""
        return self._auto.checkbox

    @property
    def _timer(self) -> Any:
        return self._auto.timer

    def close(self) -> None:
        self._auto.stop()
        super().close()  # type: ignore[misc]
