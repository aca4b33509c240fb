"""One chart and the control that picks what it shows: a week slider, or buttons for a few choices.

Lessons used to say "change the number in the next cell and run it again"; in the no-code app there is no
cell to run. :class:`ChartPicker` draws ``draw(ax, value, lang)`` for the value the trainee picks, and draws
again when the pick changes (charts of a value already drawn are kept).

Example:
    >>> picker = ChartPicker(lambda ax, v, lang: ax.set_title(f"week {v}"), weeks=(0, 52), value=20,
    ...                      label=("周", "Week"), lang="en")
    >>> picker.value = 30
    >>> picker.figures["chart"].axes[0].get_title()
    'week 30'
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import ipywidgets as w

from simfunnel import i18n
from simfunnel.widgets.base import Pair, Widget, figure_png, held
from simfunnel.widgets.controls import new_figure

__all__ = ["ChartPicker"]


class ChartPicker(Widget):
    """A chart with its picker.

    Args:
        draw: ``draw(ax, value, lang)`` draws the chart of ``value`` on ``ax``.
        weeks: ``(first, last)``: an integer slider; or give ``choices`` instead.
        choices: ``[(value, (zh, en)), …]``: one button each.
        value: what is shown first.
        label: the control's label, ``(zh, en)`` or ``{"zh": …, "en": …}`` (an entry of ``i18n.LABELS``).
        size: the figure's size in inches.
    """

    TEXT: dict[str, Pair] = {}

    def __init__(self, draw: Callable[[Any, Any, str], Any], *, weeks: tuple[int, int] | None = None,
                 choices: Sequence[tuple[Any, Pair]] | None = None, value: Any = None, label: Any = ("", ""),
                 size: tuple[float, float] = (8, 5), lang: str | None = None) -> None:
        super().__init__(lang)
        if (weeks is None) == (choices is None):
            raise ValueError("ChartPicker: give weeks=(first, last) or choices=[...], one of them")
        self.draw, self.label, self.size = draw, label, size
        self.choices = list(choices or [])
        if weeks is not None:
            self._control = w.IntSlider(value=int(value if value is not None else weeks[0]), min=int(weeks[0]),
                                        max=int(weeks[1]), continuous_update=False, layout=w.Layout(width="460px"))
        else:
            self._control = w.ToggleButtons(options=[(str(v), v) for v, _ in self.choices],
                                            value=value if value is not None else self.choices[0][0],
                                            style={"button_width": "auto"})
        self._image = w.Image(format="png", layout=w.Layout(width="100%", max_width="760px"))
        self._control.observe(lambda _c: self._redraw(), names="value")
        self.root = w.VBox([self._control, self._image], layout=w.Layout(width="100%"))
        self.refresh()

    @property
    def value(self) -> Any:
        return self._control.value

    @value.setter
    def value(self, new: Any) -> None:
        self._control.value = new

    def _redraw(self) -> None:
        fig = new_figure(*self.size)
        self.draw(fig.subplots(), self.value, self.lang)
        fig.tight_layout()
        self.figures["chart"] = fig
        self._image.value = figure_png(fig)

    def refresh(self) -> None:
        with held(self.root):
            self._control.description = i18n.text(self.label, self.lang) if any(self.label) else ""
            if self.choices:
                keep = self._control.value
                self._control.options = [(i18n.text(lbl, self.lang), v) for v, lbl in self.choices]
                self._control.value = keep
            self._redraw()
