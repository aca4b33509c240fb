"""The board page: after joining, the team's board for the page's own seat, and a way back.

The board is the seat's :class:`~simfunnel.widgets.workshop.TeamBoard`, built for the page's session
(:meth:`simfunnel.app.room.Seat.take`): it only ever acts for the team whose code the page joined with.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from simfunnel.app.front import LanguageSwitch
from simfunnel.app.room import Room, Seat
from simfunnel.app.texts import text

__all__ = ["BoardPage"]


@solara.component
def BoardPage(room: Room, seat: Seat, lang: str, on_lang: Callable[[str], None], on_leave: Callable[[], None]) -> None:
    """The page bar (the workshop's name, the language switch, Leave) above the team's board."""
    with solara.Column(classes=["sf-app", "sf-board-page"], gap="4px"):
        with solara.Row(style={"align-items": "center"}, justify="space-between"):
            solara.Text(room.title(lang), classes=["sf-muted", "sf-workshop-name"])
            with solara.Row(style={"align-items": "center"}):
                LanguageSwitch(lang, on_lang)
                solara.Button(text("leave", lang), on_click=on_leave, text=True, classes=["sf-leave"])
        solara.Column(children=[seat.board.root])
