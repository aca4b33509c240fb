"""A deal board's quiz score and weekly progress, redrawn as the trainee plays (lesson 02's practice panel).

:class:`BoardProgress` follows a :class:`~simfunnel.widgets.DealBoard` (``board.on_change``): after every
judgement, week and undo it shows the replies judged right so far and the weekly progress chart of the
weeks played. Before the first week there is no progress to draw: it says so instead of an empty chart.

Example:
    >>> import simfunnel as sf
    >>> from simfunnel.widgets import DealBoard
    >>> board = DealBoard(sf.Simulation(sf.generate(accounts=40, seed=3), seed=3), lang="en")
    >>> panel = BoardProgress(board)
    >>> panel.score_line()
    '0 of 0 replies judged right · week 0'
    >>> _ = board.next_week()
    >>> panel.weeks_drawn
    1
"""

from __future__ import annotations

import html

import ipywidgets as w
from matplotlib.figure import Figure

from simfunnel.plots.indicators import progress_chart
from simfunnel.widgets.base import Pair, Widget, figure_png, held, show

__all__ = ["BoardProgress"]

PROGRESS_TEXT: dict[str, Pair] = {
    "score": ("答对 {correct} / {answered} 条回复 · 第 {week} 周", "{correct} of {answered} replies judged right · week {week}"),
    "no_week": ("还没有过完一周：在看板上点“下一周 ▶”，这里就会画出每周的销售进展。",
                "No week played yet: press Next week ▶ on the board and each week's progress appears here."),
}


class BoardProgress(Widget):
    """The board's score and its weekly progress chart, kept current (see the module)."""

    TEXT = PROGRESS_TEXT

    def __init__(self, board, lang: str | None = None) -> None:
        super().__init__(lang)
        self.board = board
        self.weeks_drawn = 0
        self._score = w.HTML()
        self._empty = w.HTML()
        self._image = w.Image(format="png", layout=w.Layout(width="100%", max_width="720px"))
        self.root = w.VBox([self._score, self._empty, self._image], layout=w.Layout(width="100%"))
        board.on_change(self._on_board)
        self.refresh()

    def _on_board(self, _board) -> None:
        self.refresh()

    def score_line(self) -> str:
        s = self.board.score
        return self.t("score", correct=s.correct, answered=s.answered, week=self.board.week - self.board.period_start)

    def refresh(self) -> None:
        table = self.board.indicators
        played = int((table["progress"].notna()).sum()) if "progress" in table else 0
        with held(self.root):
            self._score.value = f"<b>{html.escape(self.score_line())}</b>"
            self._empty.value = f'<span class="sf-muted">{html.escape(self.t("no_week"))}</span>'
            show(self._empty, played == 0)
            show(self._image, played > 0)
            if played > 0:
                fig = Figure(figsize=(7.2, 3.6))
                progress_chart(table, ax=fig.subplots(), lang=self.lang)
                fig.tight_layout()
                self.figures["progress"] = fig
                self._image.value = figure_png(fig)
            else:
                self.figures.pop("progress", None)
        self.weeks_drawn = played
