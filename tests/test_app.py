"""The room app without a browser: addresses, seats, the language of each page, the command's QR code.

The browser tests (tests/test_browser.py) drive the app served by Solara; these check its parts: a
page's :class:`~simfunnel.app.room.Seat` is bound to the team of the code it joined with, in its own
language, and two seats taken in two threads of one process never see each other's team or language.
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from chart_checks import closing_new_widgets

import simfunnel as sf
from simfunnel.app.room import Address, Seat, page_language
from simfunnel.app.serve import app_url, main, write_qr
from simfunnel.app.texts import TEXT
from simfunnel.model.actions import actions_for
from simfunnel.workshop.session import JoinError, current_session, leave
from simfunnel.workshop.store import WorkshopStore

TOKEN_A, TOKEN_B = "a" * 24, "b" * 24


@pytest.fixture(autouse=True)
def _closing():
    leave()
    with closing_new_widgets():
        yield
    leave()


@pytest.fixture
def store(tmp_path):
    return WorkshopStore.init(tmp_path / "w", teams=2, seed=11, accounts=60)


def test_every_app_text_has_both_languages():
    for key, pair in TEXT.items():
        assert len(pair) == 2 and all(p.strip() for p in pair), key
        zh = pair[0]
        assert any("\u4e00" <= c <= "\u9fff" for c in zh) or key == "switch_to", key


def test_an_address_keeps_a_seat_and_bounds_what_it_reads():
    address = Address(code="K7MX2P", name="李 雷", token="t" * 20, lang="zh")
    assert Address.parse(address.search()) == address and address.joined
    assert Address.parse("code=K7MX2P").joined is False  # a team card's QR code fills the code box only
    bad = Address.parse("code=" + "x" * 500 + "&name=Li&t=short&lang=fr")
    assert bad == Address(code="", name="Li", token="", lang=None)
    assert Address.parse("a=1&" * 400) == Address()  # too long: nothing read
    assert page_language(None, "zh-CN,zh;q=0.9") == "zh" and page_language("en", "zh-CN") == "en"


def test_a_seat_acts_only_for_the_team_of_its_code_in_its_own_language(store):
    codes = store.team_codes()
    seat = Seat.take(store, Address(code=codes["team2"].lower(), name="Li", token=TOKEN_A, lang="zh"))
    try:
        board = seat.board
        assert (board.team, board.trainee, board.lang) == ("team2", "Li", "zh")
        assert current_session() is None  # the join stayed in the seat's own context
        stage = board.funnel.keys[1]
        board.act(board.page(stage)[0], actions_for(board.funnel, stage)[0].key)
        assert store.moves("team2")["trainee"].tolist() == ["Li"] and store.moves("team1").empty
        seat.set_language("en")
        assert board.lang == "en" and "Next week ▶" in board.texts()
        assert sf.get_language() == "en"  # this context's language was never touched
    finally:
        seat.close()
    assert seat.board.poll is None or not seat.board.poll.on


def test_a_seat_is_a_few_hundred_models_and_closing_it_closes_every_one(store):
    """A page's cost in one server is mostly its widget models (each one opened, sent and kept): the board's
    like parts share layouts and styles (427 models before, per page of 6 cards a column), and a seat that
    closes — Leave, a culled page — leaves no model in the registry, layouts and styles included."""
    from ipywidgets.widgets import widget

    codes = store.team_codes()
    Seat.take(store, Address(code=codes["team1"], name="Warm", token=TOKEN_A, lang="zh")).close()
    before = set(widget._instances)
    seat = Seat.take(store, Address(code=codes["team2"], name="Li", token=TOKEN_A, lang="zh"))
    made = set(widget._instances) - before
    assert 100 < len(made) <= 260, len(made)
    kinds = [type(widget._instances[k]).__name__ for k in made]
    assert kinds.count("Layout") + kinds.count("HTMLStyle") + kinds.count("ButtonStyle") < 80
    seat.close()
    assert not set(widget._instances) - before


def test_guessing_join_codes_is_slowed_per_browser_and_for_the_server(store):
    """Five wrong codes from one browser: it waits a minute (even with the right code; joining in between
    forgives nothing); many from ever new browsers: a browser that never joined waits, one that joined (a
    refresh) does not."""
    from simfunnel.app.room import CodeGuard

    now = [0.0]
    guard = CodeGuard(per_browser=5, per_server=8, window=600, pause=60, clock=lambda: now[0])
    good = store.team_codes()["team1"]

    def take(code: str, token: str, name: str = "Li") -> Seat:
        return Seat.take(store, Address(code=code, name=name, token=token, lang="en"), guard=guard)

    take(good, "b" * 20, "Wang").close()  # a browser that joined once
    for _ in range(5):
        with pytest.raises(JoinError) as wrong:
            take("ZZZZZZ", TOKEN_A)
        assert wrong.value.key == "bad_code"
    with pytest.raises(JoinError) as paused:
        take(good, TOKEN_A)
    assert "Too many wrong join codes" in paused.value.en and "60 s" in paused.value.en and "秒" in paused.value.zh
    now[0] += 61  # a minute later: the right code works …
    take(good, TOKEN_A).close()
    with pytest.raises(JoinError, match="join code"):
        take("ZZZZZZ", TOKEN_A)  # … but joining forgives nothing: one more wrong code and it waits again
    with pytest.raises(JoinError, match="Too many"):
        take(good, TOKEN_A)
    now[0] += 601  # the window has passed: the wrong codes have expired
    take(good, TOKEN_A).close()
    for k in range(8):  # wrong codes from eight new browsers: the server is paused for newcomers
        with pytest.raises(JoinError):
            take("ZZZZZZ", f"new{k:02d}" + "x" * 16)
    with pytest.raises(JoinError, match="Too many"):
        take(good, "c" * 20, "Zhao")
    take(good, "b" * 20, "Wang").close()  # a browser that joined before comes back
    now[0] += 61
    take(good, "c" * 20, "Zhao").close()


@pytest.mark.parametrize("code", ["/etc/passwd", "../w/workshop.sqlite", "", "ZZZZZZ"])
def test_a_path_or_an_unknown_code_is_refused_in_both_languages(store, code):
    with pytest.raises(JoinError) as refused:
        Seat.take(store, Address(code=code, name="Li", token=TOKEN_A, lang="zh"))
    assert refused.value.zh and refused.value.en and "/" not in refused.value.zh.replace(code, "")


def test_a_name_taken_in_a_team_is_refused_to_another_browser_and_given_back_to_its_own(store):
    code = store.team_codes()["team1"]
    first = Seat.take(store, Address(code=code, name="Wang", token=TOKEN_A, lang="en"))
    first.close()
    with pytest.raises(JoinError) as refused:
        Seat.take(store, Address(code=code, name="wang", token=TOKEN_B, lang="zh"))
    assert "Wang" in refused.value.zh
    again = Seat.take(store, Address(code=code, name="Wang", token=TOKEN_A, lang="en"))  # a refresh, a restart
    assert (again.board.team, again.board.trainee) == ("team1", "Wang")
    again.close()


def test_two_seats_in_two_threads_of_one_process_never_share_team_or_language(store):
    codes = store.team_codes()
    barrier = threading.Barrier(2, timeout=60)
    seen: dict[str, tuple] = {}
    errors: list[BaseException] = []

    def page(team: str, name: str, lang: str, token: str) -> None:
        try:
            seat = Seat.take(store, Address(code=codes[team], name=name, token=token, lang=lang))
            barrier.wait()
            board = seat.board
            stage = board.funnel.keys[1]
            move = board.act(board.page(stage)[0], actions_for(board.funnel, stage)[0].key)
            board.classify(move.outcome)
            barrier.wait()
            seen[team] = (board.team, board.trainee, board.lang, sf.get_language(), current_session(),
                          " ".join(board.texts()))
            seat.close()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=page, args=("team1", "王芳", "zh", TOKEN_A)),
               threading.Thread(target=page, args=("team2", "Li", "en", TOKEN_B))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert seen["team1"][:3] == ("team1", "王芳", "zh") and seen["team2"][:3] == ("team2", "Li", "en")
    assert seen["team1"][3] == seen["team2"][3] == "en" and seen["team1"][4] is None is seen["team2"][4]
    assert "下一周 ▶" in seen["team1"][5] and "Next week ▶" not in seen["team1"][5]
    assert "Next week ▶" in seen["team2"][5] and "下一周" not in seen["team2"][5]
    moves = store.moves()
    assert sorted(map(tuple, moves[["team", "trainee"]].values.tolist())) == [("team1", "王芳"), ("team2", "Li")]


def test_the_address_for_the_room_and_its_qr_code(tmp_path, capsys):
    assert app_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/"
    room = app_url("0.0.0.0", 8866)
    assert room.startswith("http://") and "0.0.0.0" not in room
    png = write_qr("http://127.0.0.1:8866/", tmp_path / "qr.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["--host", "127.0.0.1", "--port", "8870", "--qr", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out
    assert "Open  http://127.0.0.1:8870/" in out and str((tmp_path / "a.png").resolve()) in out
    assert "demo workshop" in out and "演示工作坊" in out
    assert "Only this computer can open this address" in out and "IP=0.0.0.0" in out  # a trainer would forget
    assert main(["--host", "0.0.0.0", "--port", "8870"]) == 0
    assert "Only this computer" not in capsys.readouterr().out


# --- static files gzipped once (app/compress.py) ---------------------------------------------------------
def test_static_files_are_compressed_once_and_everything_else_as_before(tmp_path):
    """Solara gzipped its JavaScript again for each new browser (half the server's CPU for a page): a static
    file is now compressed once and served from memory; pages, answers, ranges and 304s are as before."""

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.testclient import TestClient

    from simfunnel.app.compress import CompressOnce, install

    (tmp_path / "main.js").write_text("console.log('simfunnel');\n" * 400)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + bytes(3000))
    app = Starlette(routes=[Route("/page", lambda r: PlainTextResponse("page " * 500)),
                            Mount("/static", app=StaticFiles(directory=tmp_path))],
                    middleware=[Middleware(GZipMiddleware, minimum_size=1000)])
    assert install(app) and install(app)  # once in place, it stays
    client = TestClient(app)
    first, second = client.get("/static/main.js"), client.get("/static/main.js")
    assert first.headers["content-encoding"] == "gzip" and first.text == second.text == (tmp_path / "main.js").read_text()
    assert int(first.headers["content-length"]) < 2000 and "accept-encoding" in first.headers["vary"].lower()
    middleware = app.middleware_stack
    while not isinstance(middleware, CompressOnce):
        middleware = middleware.app
    assert middleware.compressed == 1 and middleware.served == 1  # the second browser: from memory
    png = client.get("/static/logo.png")
    assert png.headers.get("content-encoding") is None and png.content[:4] == b"\x89PNG"  # compressed already
    assert client.get("/static/logo.png").content == png.content and middleware.compressed == 1
    page = client.get("/page")
    assert page.headers["content-encoding"] == "gzip" and page.text.startswith("page page")  # as GZipMiddleware did
    etag = first.headers["etag"]
    assert client.get("/static/main.js", headers={"if-none-match": etag}).status_code == 304
    assert client.get("/static/main.js", headers={"if-none-match": '"other"'}).text == first.text
    part = client.get("/static/main.js", headers={"range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == b"console.lo"
    plain = client.get("/static/main.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == first.text
    assert client.get("/static/missing.js").status_code == 404 and client.get("/static/missing.js").status_code == 404
    # an installed package's file does not change while the server runs: served as first read until a restart
    (tmp_path / "main.js").write_text("console.log('changed');\n" * 400)
    assert client.get("/static/main.js").text == first.text
    restarted = TestClient(Starlette(routes=[Mount("/static", app=StaticFiles(directory=tmp_path))],
                                     middleware=[Middleware(CompressOnce)]))
    assert restarted.get("/static/main.js").text.startswith("console.log('changed')")


def test_the_app_serves_static_files_through_compress_once():
    """In Solara's own server (a process of its own: importing it patches ipywidgets for the whole process)."""
    code = ("import solara.server.starlette as s, simfunnel.app.pages; "
            "print(' '.join(m.cls.__name__ for m in s.app.user_middleware)); "
            "w = s.WebsocketWrapper; print(w._sf_coalesced, w.send_text.__module__, w.close.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    middleware, patched = done.stdout.splitlines()[:2]
    kinds = middleware.split()
    assert "CompressOnce" in kinds and "GZipMiddleware" not in kinds
    # a page's messages go through the outbox (app/sends.py; tests/test_app_sends.py)
    assert patched.split() == ["True", "simfunnel.app.sends", "simfunnel.app.sends"]
