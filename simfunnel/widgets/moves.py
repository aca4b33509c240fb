"""The DealBoard's moves: an action planned on a deal with the customer's reply, the quiz score, the board's errors.

Also the small pieces the board and the workshop board share to make and show a move: the plain
value of a deal id, the reply seed of a deal, whether an action takes a whole-brain style, and a
styled span of HTML.

    >>> reply_seed(17), plain_value(np.int64(17))
    (17, 17)
    >>> styled_span("sf-muted", "a < b")
    '<span class="sf-muted">a &lt; b</span>'
"""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from simfunnel.model.actions import ACTIONS_BY_KEY, STYLE_STEP, Action
from simfunnel.model.replies import Reply
from simfunnel.widgets.deal_board_texts import BOARD_TEXT

__all__ = ["BoardError", "Move", "Score", "plain_value", "reply_seed", "styled_span", "takes_style"]


class Score(NamedTuple):
    """The trainee's quiz score: replies classified correctly, replies classified."""

    correct: int
    answered: int


@dataclass(eq=False)
class Move:
    """An action planned on a deal for the coming week, and the customer's reply to it.

    ``outcome`` is what the week will bring (exact: it comes from ``sim.preview``); the
    board keeps it hidden until the trainee classifies ``reply`` (or the week is
    played), then ``revealed`` is true. ``answer`` and ``correct`` hold the trainee's
    classification (``None`` when the week was played without one).
    """

    deal_id: Any
    action: str
    week: int
    reply: Reply
    outcome: str = field(repr=False)
    from_stage: str = ""
    to_stage: str = field(default="", repr=False)
    answer: str | None = None
    correct: bool | None = None
    revealed: bool = False
    style: Any = None  # people layer: the whole-brain style of a present-value action, "A" or ("A", contact_id)

    def __repr__(self) -> str:  # the outcome stays out of sight until revealed (a notebook shows reprs)
        told = "outcome hidden until classified"
        if self.revealed:
            told = f"outcome={self.outcome!r}, answer={self.answer!r}"
        style = "" if self.style is None else f", style={self.style!r}"
        return f"Move(deal_id={self.deal_id!r}, action={self.action!r}, week={self.week}{style}, {told})"


class BoardError(ValueError):
    """A ValueError whose message the board can also show in Chinese (``key`` into ``DealBoard.TEXT``)."""

    def __init__(self, key: str, detail: str = "", **fields: object) -> None:
        self.key, self.fields = key, fields
        message = BOARD_TEXT[key][1].format(**fields)
        super().__init__(f"{message} {detail}".strip())


def takes_style(act: Action) -> bool:
    """Whether a style applies: an action of the present-value key step (demo, trial, reference visit), not a meeting."""
    return act.key in ACTIONS_BY_KEY and STYLE_STEP in act.key_steps


def styled_span(css_class: str, text: str) -> str:
    """Text, escaped, in a styled span."""
    return f'<span class="{css_class}">{html.escape(text)}</span>'


def plain_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value (ids read back as 17, not np.int64(17))."""
    return value.item() if isinstance(value, np.generic) else value


def reply_seed(deal_id: Any) -> int:
    """A non-negative int for the reply seed (deal ids may be strings in imported data)."""
    if isinstance(deal_id, (int, np.integer)) and deal_id >= 0:
        return int(deal_id)
    return zlib.crc32(str(deal_id).encode("utf-8"))
