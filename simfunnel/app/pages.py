"""The Solara entry point of the room app: ``solara run simfunnel.app.pages --production``.

:func:`Page` is each browser page at ``/``: the front page (:mod:`~simfunnel.app.front`) until the page has a
seat, then the team's board (:mod:`~simfunnel.app.board`); ``/lesson`` and ``/lesson/NN`` are the trainee
lessons (:mod:`~simfunnel.app.lesson_page`), both routes in :func:`Shell`. All a page knows lives in its own
component state and its URL query (:class:`~simfunnel.app.room.Address`: code, name, browser token, language), so

- a refresh, or a server restarted on the same store, re-joins from the address without retyping
  (same browser token: the store gives the name back to the browser that claimed it);
- the seat — session and board — is made by an effect and closed by that effect's cleanup, which
  Solara runs when the page's virtual kernel closes (the tab closed, or culled after
  ``SOLARA_KERNEL_CULL_TIMEOUT`` without a connection): the board's round clock stops with it;
- the page's ``<html lang>`` follows its language (``zh-CN`` / ``en``), and the browser keeps its token in
  ``localStorage`` (:class:`BrowserMemory`), so a trainee who closed the tab gets the name back by
  typing it again in the same browser.
"""

from __future__ import annotations

import logging

import ipyvue
import solara
import solara.lab
import solara.server.settings
import solara.server.starlette
import traitlets

from simfunnel.app.board import BoardPage
from simfunnel.app.compress import install as install_compress_once
from simfunnel.app.front import PAGE_STYLE, Front
from simfunnel.app.lesson_page import LessonRoute
from simfunnel.app.room import LOG, Address, Room, Seat, new_token, page_language, room
from simfunnel.app.sends import coalesced_sends
from simfunnel.app.shells import lighter_shells
from simfunnel.app.texts import html_lang, text
from simfunnel.workshop.session import JoinError
from simfunnel.workshop.store import StoreError

__all__ = ["BrowserMemory", "Page", "Shell", "routes"]

# The page is the app's, not Solara's: no banner, the app's name as the tab's title until a page sets one.
solara.server.settings.theme.show_banner = False
solara.server.settings.theme.title = "simfunnel"
solara.server.settings.theme.loader = "plain"
# Static files gzipped once per process, not once per browser (half the server's CPU for a page).
install_compress_once(solara.server.starlette.app)
# Each page's IPython shell builds no %%bash, %%perl … cell magics (their parsers: 19 % of a page's CPU).
lighter_shells()
# A page's messages leave in bursts from the event loop, not one thread hop each (most of a board's cost).
coalesced_sends()

# The app's log (seats taken and closed, joins refused) next to Solara's, on stderr.
if not LOG.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s simfunnel.app: %(message)s", "%H:%M:%S"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


class BrowserMemory(ipyvue.VueTemplate):
    """Invisible: sets the page's ``<html lang>`` and keeps the browser's token in ``localStorage``.

    ``token`` starts as the server's proposal; once mounted it is the browser's own (the one it kept,
    or the proposal, now kept).
    """

    lang = traitlets.Unicode("en").tag(sync=True)
    token = traitlets.Unicode("").tag(sync=True)
    template = traitlets.Unicode("""
<template><span style="display: none" class="sf-browser-memory"></span></template>
<script>
module.exports = {
  mounted() {
    document.documentElement.lang = this.lang;
    let kept = null;
    try { kept = window.localStorage.getItem("simfunnel-browser"); } catch (e) { kept = null; }
    if (!kept || !/^[A-Za-z0-9_-]{16,64}$/.test(kept)) {
      kept = this.token;
      try { window.localStorage.setItem("simfunnel-browser", kept); } catch (e) { /* private mode */ }
    }
    if (kept !== this.token) { this.token = kept; }
  },
  watch: {
    lang(value) { document.documentElement.lang = value; },
  },
};
</script>
""").tag(sync=True)


def _accept_language() -> str:
    headers = solara.lab.headers.value or {}
    values = headers.get("accept-language") or [""]
    return values[0]


def _room_or_refusal(lang: str) -> tuple[Room | None, str]:
    """The room, or why it cannot be served (a store that vanished or broke: a message, no traceback)."""
    try:
        return room(), ""
    except JoinError as err:
        return None, text("store_error", lang, error=err.text(lang))
    except (StoreError, OSError) as err:
        return None, text("store_error", lang, error=getattr(err, lang, "") or str(err))


@solara.component
def Page() -> None:
    """One trainee's page: front page or board, by its seat and its address."""
    router = solara.use_router()
    address = Address.parse(router.search)
    lang = page_language(address.lang, _accept_language())
    here, broken = _room_or_refusal(lang)
    proposal = solara.use_memo(new_token, [])
    browser_token, set_browser_token = solara.use_state("")
    seat, set_seat = solara.use_state(None)  # the page's Seat: made here, closed here, nowhere else
    refusal, set_refusal = solara.use_state(None)  # (zh, en) of the last refused join
    key = (address.code, address.name, address.token)

    def go(new: Address) -> None:
        router.push("/?" + new.search() if new.search() else "/")

    def take(wanted: Address) -> Seat | None:
        """Join and build the board; a refusal becomes the message next to Join."""
        try:
            taken = Seat.take(here.store, wanted)
        except JoinError as err:
            LOG.info("join refused: %s", err.en)
            set_refusal((err.zh, err.en))
            return None
        set_refusal(None)
        set_seat(taken)
        return taken

    def rejoin() -> None:
        """A page opened on a seat's address (a refresh, a restarted server): join again, nothing typed. An
        address that lost the seat while the page has one — the browser's location reported after Join pushed
        the seat's (a page that joins the moment it loaded) — gets the seat's address back: only Leave
        leaves (the room test saw 1 seat in 30 closed a second after Join when this set the seat aside)."""
        if here is not None and address.joined and (seat is None or seat.key != key):
            take(address._replace(lang=lang))
        elif not address.joined and seat is not None:
            go(seat.address._replace(lang=lang))

    solara.use_effect(rejoin, [key])
    # The seat is closed when it is replaced or left, and when the page's virtual kernel closes (Solara
    # unmounts the page: the tab closed, or culled after SOLARA_KERNEL_CULL_TIMEOUT without a connection).
    solara.use_effect(lambda: None if seat is None else seat.close, [seat])
    solara.use_effect(lambda: None if seat is None else seat.set_language(lang), [seat, lang])

    solara.Style(PAGE_STYLE)
    BrowserMemory.element(lang=html_lang(lang), token=proposal, on_token=set_browser_token)
    if here is None:
        solara.Error(broken)
        return

    def switch_language(new_lang: str) -> None:
        go(address._replace(lang=new_lang))

    def join(code: str, name: str) -> None:
        code, name = code.strip(), name.strip()
        if not code or not name:  # nothing to look up: say what is missing
            err = JoinError("no_code" if not code else "no_name")
            set_refusal((err.zh, err.en))
            return
        wanted = Address(code=code, name=name, token=address.token or browser_token or proposal, lang=lang)
        if take(wanted) is not None:
            go(wanted)  # the address keeps the seat: a refresh or a restart finds it again

    def leave() -> None:
        set_seat(None)  # the seat closes (the effect's cleanup), then the address forgets it
        go(Address(lang=lang))

    solara.Title(here.title(lang))
    if seat is not None and seat.key == key:
        BoardPage(here, seat, lang, on_lang=switch_language, on_leave=leave)
    else:
        message = "" if refusal is None else refusal[0 if lang == "zh" else 1]
        Front(here, lang, address.code, address.name, message, on_lang=switch_language, on_join=join)


@solara.component
def Shell(children: list = []) -> None:  # noqa: B006 — Solara's layout signature
    """Every route's frame: Solara's app layout without its route tabs (the pages link to each other)."""
    solara.AppLayout(children=children, navigation=False)


# ``/`` — the front page or the team's board (Page); ``/lesson`` — the trainee lessons (list, ``/lesson/02``).
routes = [
    solara.Route("/", component=Page, layout=Shell, label="simfunnel"),
    solara.Route("lesson", component=LessonRoute, label="lessons"),
]
