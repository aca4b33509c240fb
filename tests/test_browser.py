"""The workshop in a real browser: `make app` (the room app, Solara) and JupyterLab, driven by Playwright in Chromium.

1. ``make app`` serves a fresh workshop store (``simfunnel workshop init``) from ONE Python process on
   127.0.0.1, offline (every request not to 127.0.0.1 is aborted). A trainee opens the front page, joins
   with the team's code and a name, selects a deal, acts, classifies the customer's reply and presses
   "Next week": the indicators change and the move is in the store, with the trainee's answer. A reload
   finds the board again without retyping. A second trainee, in Chinese, in another browser, joins
   another team; the two pages share neither team nor language. Cross-team attempts are refused: a path
   typed as a code, a name taken from another browser, a code that is no team's; the board only acts for
   the team of the code its page joined with.
2. In rounds mode the server is killed mid-round and started again on the same store: the reloaded page
   shows the same week and move; the round's timer plays the round and the page shows it by itself; pages
   gone end their seats (a closed tab at once, a vanished browser by Solara's cull) and no kernel is left.
3. JupyterLab opens the workshop notebook, runs it (Run All Cells, once the kernel is idle and
   connected), and the join form and the team's board render as widgets.

Screenshots go to the test's temporary folder (and to ``$SIMFUNNEL_SCREENSHOTS`` when set).
Without ``/usr/bin/chromium`` the set-up installs it with apt-get where it can; otherwise the
tests are skipped with the command to install it — except when ``CI`` is set, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import simfunnel as sf
from browser_support import ROOT, Server, chromium, free_port, jupyter_env, open_browser, open_page, save_screenshot

VENV = Path(sys.prefix)
NOTEBOOK = "08_workshop_play.ipynb"


def _kpis(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".sf-board .sf-kpi").all_inner_texts()]


def test_make_app_refuses_a_folder_that_is_not_a_workshop(tmp_path):
    (tmp_path / "empty").mkdir()
    done = subprocess.run(_make_app(tmp_path, free_port(), tmp_path / "empty"), cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=jupyter_env(tmp_path))
    assert done.returncode != 0
    assert "is not a workshop folder: create one with" in done.stderr and "simfunnel workshop init --dir" in done.stderr
    assert "Solara server is starting" not in done.stdout + done.stderr


@pytest.fixture
def workshop(tmp_path):
    folder = tmp_path / "workshop"
    done = subprocess.run([str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", "3",
                           "--seed", "2026"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (folder / "workshop.sqlite").is_file()
    return folder


def _make_app(tmp_path: Path, port: int, workshop: Path) -> list[str]:
    """``make app`` as a trainer runs it (``-o``: the venv running this test is set up already)."""
    return ["make", "-s", "-o", str(VENV / ".installed"), "app", f"VENV={VENV}", f"PORT={port}", "IP=127.0.0.1",
            f"WORKSHOP={workshop}", f"APP_QR={tmp_path / 'app-address.png'}"]


def _app_env(tmp_path: Path) -> dict[str, str]:
    env = jupyter_env(tmp_path)
    env.pop("SIMFUNNEL_LANG", None)  # each page picks its language
    return env


def _resources(base: str) -> dict:
    """Solara's own count of its virtual kernels (pages) and threads."""
    with urllib.request.urlopen(f"{base}/resourcez", timeout=10) as r:
        return json.load(r)


def _wait(page, condition, timeout: float, what: str) -> None:
    """Wait for ``condition()`` while Playwright serves the page (not time.sleep: see PITFALLS)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {timeout:.0f} s"
        page.wait_for_timeout(500)


def _front(page, base: str, lang: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    page.get_by_role("button", name="加入" if lang == "zh" else "Join", exact=True).wait_for(timeout=60_000)
    page.wait_for_function(f"() => document.documentElement.lang === '{'zh-CN' if lang == 'zh' else 'en'}'")


def _join(page, code: str, name: str, lang: str = "en") -> None:
    """Type the code and the name on the front page and press Join."""
    zh = lang == "zh"
    page.get_by_label("加入码" if zh else "Join code").fill(code)
    page.get_by_label("你的名字" if zh else "Your name").fill(name)
    page.get_by_role("button", name="加入" if zh else "Join", exact=True).click()


def _board(page) -> None:
    """Wait for the team's board (its first deal card)."""
    page.locator(".sf-board .sf-card").first.wait_for(timeout=60_000)


def _act_and_classify(page, lang: str = "en", nth: int = 0) -> int:
    """Select a deal, act on it and classify the reply; the deal's id."""
    zh = lang == "zh"
    card = page.locator(".sf-board .sf-card:visible").nth(nth)
    deal = int(re.search(r"#(\d+)", card.inner_text())[1])
    card.get_by_role("button", name="选择" if zh else "Select").click()
    page.get_by_role("button", name="采取行动" if zh else "Act", exact=True).click()
    page.locator(".sf-board .sf-reply").wait_for()
    page.get_by_role("button", name="推进" if zh else "Advance", exact=True).click()
    page.get_by_text(re.compile("✔ 判断正确|✘ 判断有误" if zh else "✔ Correct|✘ Not quite")).first.wait_for()
    return deal


def _seats(log: str) -> tuple[int, int]:
    """(seats taken, seats closed) as the app logged them."""
    return log.count("seat taken:"), log.count("seat closed:")


def test_app_trainee_joins_with_a_code_acts_classifies_and_plays_a_week(tmp_path, workshop):
    """One Solara process, offline: join with a code, act, classify, next week; the store has the move; a
    reload finds the board again; two pages in two languages share nothing; cross-team attempts are refused."""
    chromium()
    from simfunnel.workshop.store import WorkshopStore

    store = WorkshopStore.open(workshop)
    codes = store.team_codes()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Server(_make_app(tmp_path, port, workshop), env=_app_env(tmp_path), log=tmp_path / "app.log",
                url=f"{base}/", child=True) as app, open_browser(tmp_path) as browser:
        assert f"Open  http://127.0.0.1:{port}/" in app.log()
        qr = tmp_path / "app-address.png"
        assert str(qr) in app.log() and qr.read_bytes()[:4] == b"\x89PNG"
        page = browser.new()
        _front(page, base, "en")
        body = page.locator("body").inner_text()
        assert workshop.name in body and "Join code" in body  # the workshop's name, never its path
        assert str(workshop) not in page.content() and "workshop.sqlite" not in page.content()
        assert not page.locator("select").count()  # no team list, no file list
        save_screenshot(page, tmp_path / "app_front_en.png")

        # a path typed as a code is refused with a message; nothing is joined
        _join(page, str(workshop / "workshop.sqlite"), "Li Lei")
        page.get_by_text(re.compile("⚠ .*join code", re.IGNORECASE)).wait_for(timeout=30_000)
        assert store.trainees().empty

        _join(page, codes["team2"].lower(), "Li Lei")  # any case
        next_week = page.get_by_role("button", name="Next week ▶")
        _board(page)
        assert "Workshop · Team 2 · Li Lei" in page.locator("body").inner_text()
        query = parse_qs(urlsplit(page.url).query)
        assert query["name"] == ["Li Lei"] and query["lang"] == ["en"] and len(query["t"][0]) >= 16
        before = _kpis(page)
        assert before[0].startswith("Week 13") and any(k.startswith("Forecast F′") for k in before)

        card = page.locator(".sf-board .sf-card:visible").nth(1)  # a deal in the first stage
        deal = int(re.search(r"#(\d+)", card.inner_text())[1])
        card.get_by_role("button", name="Select").click()
        page.get_by_role("button", name="Act", exact=True).wait_for()
        action = page.get_by_label("Action").evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
        page.get_by_role("button", name="Act", exact=True).click()
        page.locator(".sf-board .sf-reply").wait_for()
        moves = store.moves("team2")  # in the store while the reply is on screen, not yet classified
        assert moves[["deal_id", "trainee"]].values.tolist() == [[deal, "Li Lei"]]
        assert moves["answer"].isna().all()
        page.get_by_role("button", name="Advance", exact=True).click()
        page.get_by_text(re.compile("✔ Correct|✘ Not quite")).first.wait_for()
        save_screenshot(page, tmp_path / "app_board_en_reply.png")

        next_week.click()
        page.get_by_text("Week 14 results").wait_for(timeout=30_000)
        # the week's redraw arrives as one burst of messages: the header may land a moment after the results
        page.wait_for_function("() => (document.querySelector('.sf-board .sf-kpi')?.innerText || '')"
                               ".trim().startsWith('Week 14')", timeout=10_000)
        after = _kpis(page)
        assert after[0].startswith("Week 14")
        assert {k for k, (b, a) in enumerate(zip(before, after)) if b != a} - {0}, f"nothing changed: {after}"
        assert "1/1" in after[-1] or "0/1" in after[-1]  # the quiz score counted the answer
        row = store.moves("team2").iloc[0]
        assert (row.deal_id, row.answer, bool(row.withdrawn)) == (deal, "advance", False)
        assert row.action in {a.key for a in sf.ACTIONS if a.label("en") == action}
        assert store.week("team2") == 14 and store.week("team1") == 13

        # a refresh (three of them) re-joins from the address: same board, to the cent, nothing typed
        for _ in range(3):
            page.reload()
            _board(page)
            assert _kpis(page) == after
        # the address losing the seat (the browser's location reported late, or Back) never drops the board:
        # the page puts the seat's address back; only Leave leaves
        seats_closed = app.log().count("seat closed: team2 · Li Lei")
        page.evaluate("() => { history.pushState({}, '', '/?lang=en'); dispatchEvent(new PopStateEvent('popstate')); }")
        page.wait_for_function("() => location.search.includes('name=')", timeout=15_000)
        _board(page)
        assert _kpis(page) == after and app.log().count("seat closed: team2 · Li Lei") == seats_closed

        # a second trainee, in Chinese, in another browser: another team, another language, nothing shared
        other = browser.new(viewport=(1400, 1700))  # Solara scrolls inside the page: tall enough to show it all
        other.goto(f"{base}/?code={codes['team1']}&lang=zh")  # a team card's QR code: the code box filled
        other.get_by_role("button", name="加入", exact=True).wait_for(timeout=60_000)
        assert other.get_by_label("加入码").input_value() == codes["team1"]
        _front(other, base, "zh")
        assert "加入码" in other.locator("body").inner_text()
        save_screenshot(other, tmp_path / "app_front_zh.png")
        _join(other, codes["team2"], "li lei", "zh")  # Li Lei's name in team 2, from another browser: refused
        other.get_by_text(re.compile("⚠ .*Li Lei")).wait_for(timeout=30_000)
        _join(other, codes["team1"], "王芳", "zh")
        _board(other)
        text = other.locator("body").inner_text()
        assert "工作坊 · 第 1 组 · 王芳" in text and "销售预计" in text and "第 13 周" in text
        assert other.evaluate("document.documentElement.lang") == "zh-CN"
        _act_and_classify(other, "zh")
        save_screenshot(other, tmp_path / "app_board_zh.png")
        assert store.moves("team1")[["trainee", "answer"]].values.tolist() == [["王芳", "advance"]]
        other.get_by_role("button", name="English").click()  # this page's language only
        other.get_by_role("button", name="Next week ▶").wait_for(timeout=30_000)
        other.wait_for_function("() => document.documentElement.lang === 'en'")
        assert "Workshop · Team 1 · 王芳" in other.locator("body").inner_text() and "lang=en" in other.url
        # the first page is still English and still team 2's
        assert page.evaluate("document.documentElement.lang") == "en" and _kpis(page)[0].startswith("Week 14")
        _act_and_classify(page, "en")
        assert store.moves("team2")["trainee"].tolist() == ["Li Lei", "Li Lei"]
        assert store.moves("team1")["trainee"].tolist() == ["王芳"]

        # the board acts only for the team of the code its page joined with: with team 1's code, the same
        # browser gets team 1's board; team 2's page beside it still acts for team 2 only
        third = browser.new()
        token = parse_qs(urlsplit(page.url).query)["t"][0]
        third.goto(f"{base}/?code={codes['team1']}&name=Li+Lei&t={token}&lang=en")
        _board(third)
        assert "Workshop · Team 1 · Li Lei" in third.locator("body").inner_text()
        _act_and_classify(third, "en", nth=2)
        assert store.moves("team1")["trainee"].tolist() == ["王芳", "Li Lei"]
        assert len(store.moves("team2")) == 2
        # an address with a code that is no team's opens no board
        third.goto(f"{base}/?code=ABCDEF&name=Li+Lei&t={token}&lang=en")
        third.get_by_text(re.compile("⚠ .*join code", re.IGNORECASE)).wait_for(timeout=30_000)
        assert not third.get_by_role("button", name="Next week ▶").count()

        # the tab closed and the front page opened again in the same browser: the code and name typed again
        # give the seat back (the browser kept its token in localStorage)
        again = page.context.new_page()
        _front(again, base, "en")
        _join(again, codes["team2"], "Li Lei")
        _board(again)
        assert _kpis(again)[0].startswith("Week 14") and len(store.trainees("team2")) == 1
        again.close(run_before_unload=True)

        # offline: every request the pages made went to this machine (the rest would have been aborted)
        assert all(not u.startswith(base) for u in browser.aborted)
        print("requests aborted (not to 127.0.0.1):", browser.aborted)
        # refreshes and the pages left piled nothing up: one kernel per open page, every other seat closed
        third.goto(f"{base}/?lang=en")
        _wait(page, lambda: _resources(base)["kernels"]["total"] == 3, 60, "3 kernels for 3 pages")
        _wait(page, lambda: _seats(app.log()) == (7, 5), 30, "seats: 7 taken, 5 closed")
        pid = app.server_pid()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_app_without_a_workshop_runs_a_demo_and_says_so(tmp_path):
    """No WORKSHOP: the app makes a demo workshop of its own, says so in both languages, and shows its codes."""
    chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _app_env(tmp_path)
    env.pop("SIMFUNNEL_WORKSHOP", None)
    command = [*_make_app(tmp_path, port, Path("x"))[:-2], "WORKSHOP=", f"APP_QR={tmp_path / 'qr.png'}",
               "TITLE=华东大客户训练营"]
    with Server(command, env=env, log=tmp_path / "app.log", url=f"{base}/", child=True) as app, \
            open_browser(tmp_path) as browser:
        assert "demo workshop" in app.log()
        page = browser.new()
        _front(page, base, "zh")
        page.get_by_text("演示模式").wait_for()
        body = page.locator("body").inner_text()
        assert "华东大客户训练营" in body and "演示工作坊" in body  # the trainer's title; the demo says so
        assert "/tmp" not in body and "simfunnel-demo" not in page.content()
        save_screenshot(page, tmp_path / "app_front_demo_zh.png")
        page.get_by_role("button", name="English").click()
        page.get_by_text(re.compile("^Demo: no workshop was given")).wait_for()
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert "lang=en" in page.url
        code = re.search(r"Team 1 ([A-Z2-9]{6})", page.locator("body").inner_text())[1]
        _join(page, code, "Ana")
        _board(page)
        assert "Workshop · Team 1 · Ana" in page.locator("body").inner_text()


LESSONS = ("00", "01", "02", "03", "04", "05", "06", "07", "09")


def _whole_page_screenshot(page, path: Path) -> None:
    """The whole lesson in one PNG: Solara scrolls inside the page, so the viewport is made as tall as it."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1300, "height": min(int(height) + 40, 30_000)})
    page.wait_for_timeout(300)
    save_screenshot(page, path)
    page.set_viewport_size({"width": 1300, "height": 1000})


def test_app_shows_every_trainee_lesson_in_zh_and_en_with_charts_and_panels_and_no_code(tmp_path):
    """The lessons 00–07 and 09 in the app (one server, one browser, offline): the front page links to the list, the
    list to each lesson; each lesson in zh and en shows its title and its charts or panels, no code, no
    traceback, no cell that failed; the language switch runs it again in the other language; pages gone
    close their lessons' widgets."""
    chromium()
    from simfunnel.app.lessons import catalogue

    titles = {info.number: info.titles for info in catalogue()}
    assert tuple(titles) == LESSONS
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _app_env(tmp_path)
    env.pop("SIMFUNNEL_WORKSHOP", None)
    command = [*_make_app(tmp_path, port, Path("x"))[:-2], "WORKSHOP=", f"APP_QR={tmp_path / 'qr.png'}"]
    with Server(command, env=env, log=tmp_path / "app.log", url=f"{base}/", child=True) as app, \
            open_browser(tmp_path) as browser:
        page = browser.new(viewport=(1300, 1000))
        _front(page, base, "en")
        page.get_by_role("link", name=re.compile("^Lessons: read before you play")).click()
        page.get_by_role("link", name="02 · Moving deals").click()
        page.locator(".sf-lesson-done").wait_for(state="attached", timeout=60_000)
        assert urlsplit(page.url).path == "/lesson/02"
        page.get_by_role("button", name="中文").click()  # this page's lesson again, in Chinese
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
        page.locator(".sf-lesson-done").wait_for(state="attached", timeout=60_000)
        page.get_by_role("button", name="下一周 ▶").wait_for(timeout=10_000)  # the board, run again in zh
        for number in LESSONS:
            for lang in ("zh", "en"):
                page.goto(f"{base}/lesson/{number}?lang={lang}", timeout=60_000)
                page.locator(".sf-lesson-done").wait_for(state="attached", timeout=60_000)
                page.wait_for_timeout(300)  # the last outputs drawn
                body = page.locator("body").inner_text()
                title = titles[number][0 if lang == "zh" else 1]
                assert title in body and title in page.title(), (number, lang)
                shown = page.locator("img.sf-lesson-chart, .sf-lesson-widget .jupyter-widgets").count()
                assert shown, f"lesson {number} ({lang}) shows no chart and no panel"
                assert "Traceback" not in body and "import simfunnel" not in body and 'sf.set_language("' not in body
                assert not page.locator(".sf-lesson-error").count(), (number, lang, body[-500:])
                assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
                assert ("讲师备注" not in body) if lang == "zh" else ("Trainer note" not in body)
                _whole_page_screenshot(page, tmp_path / f"lesson_{number}_{lang}.png")
        assert not browser.aborted, browser.aborted  # every request went to 127.0.0.1
        # each page left (a new address in the tab) closed its lesson: its kernel gone, its widgets closed
        page.goto(f"{base}/?lang=en")
        _wait(page, lambda: app.log().count(") closed: ") >= 2 * len(LESSONS) + 1, 60, "every lesson closed")
        _wait(page, lambda: _resources(base)["kernels"]["total"] == 1, 60, "one kernel for the one page")
        assert "lesson 07 (en) closed" in app.log() and "Traceback" not in app.log()


def test_app_round_survives_a_server_killed_mid_round_and_pages_gone_end_their_seats(tmp_path):
    """Rounds mode: act in round 1, the server is killed and started again on the same store, the page reloaded
    shows the same week and move; submit; the round's timer plays it and the page shows it by itself (its
    board's clock, a thread in the server); pages gone end their seats, their clocks stop, no kernel is left."""
    chromium()
    from simfunnel.workshop.store import WorkshopStore

    folder = tmp_path / "rounds"
    done = subprocess.run([str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", "2",
                           "--seed", "2026", "--same-world", "--weeks-per-round", "3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    store = WorkshopStore.open(folder)
    store.add_event("price_cut")  # hits round 1: news on the board once the round opens
    codes = store.team_codes()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = _make_app(tmp_path, port, folder)
    with open_browser(tmp_path) as browser:
        page = browser.new()
        with Server(command, env=_app_env(tmp_path), log=tmp_path / "app1.log", url=f"{base}/", child=True) as app:
            _front(page, base, "en")
            _join(page, codes["team1"], "Li Lei")
            submit = page.get_by_role("button", name="Submit the round ✔")
            submit.wait_for(timeout=60_000)
            assert submit.is_disabled() and "Waiting for the trainer to open the first round" in page.content()
            store.open_round(timer_minutes=1.5)  # time to act, restart and submit even on a loaded machine
            page.get_by_text("Round 1 · weeks 14–16").wait_for(timeout=30_000)
            assert re.fullmatch(r"\d:\d\d", page.locator(".sf-round-time").inner_text())  # the countdown
            assert "Market news" in page.locator("body").inner_text()
            deal = _act_and_classify(page, "en")
            before = _kpis(page)
            os.kill(app.server_pid(), signal.SIGKILL)  # mid-round, no goodbye
            app.proc.wait(timeout=30)
        with Server(command, env=_app_env(tmp_path), log=tmp_path / "app2.log", url=f"{base}/", child=True) as app:
            page.reload()  # the address re-joins: same browser token, so the name is still this trainee's
            submit.wait_for(timeout=60_000)
            assert _kpis(page) == before and _kpis(page)[0].startswith("This round plays weeks 14–16")
            assert "Workshop · Team 1 · Li Lei" in page.locator("body").inner_text()
            assert f"#{deal}" in page.locator(".sf-board").inner_text()  # this week's move, listed again
            submit.click()
            page.locator(".sf-round-todo", has_text="Li Lei submitted the round for the team").wait_for(timeout=30_000)
            assert "Li Lei submitted the round for the team: no more actions" in page.locator(".sf-locked").inner_text()
            save_screenshot(page, tmp_path / "app_round_submitted.png")
            # nobody clicks: the timer runs out, the board's clock plays the round, the page catches up
            page.get_by_text("Waiting for the trainer to open the next round").wait_for(timeout=150_000)
            assert _kpis(page)[0].startswith("Week 16")
            # a second page, in another browser, that then vanishes without a word (a laptop closed): no
            # beforeunload, so no goodbye to the server, only a dropped connection
            lost = browser.new()
            _front(lost, base, "zh")
            _join(lost, codes["team2"], "赵", "zh")
            _board(lost)
            lost.close()
            assert _resources(base)["kernels"]["total"] == 2
            page.close(run_before_unload=True)  # a tab closed: its kernel and seat end at once
            # the dropped page's kernel is culled (SOLARA_KERNEL_CULL_TIMEOUT=20s in make app), its seat closed
            deadline = time.monotonic() + 120
            while _resources(base)["kernels"]["total"] or _seats(app.log())[1] < 2:
                assert time.monotonic() < deadline, f"kernels left: {_resources(base)['kernels']}\n{app.log()[-2000:]}"
                time.sleep(1)  # no page open: nothing for Playwright to serve
            assert _seats(app.log()) == (2, 2) and app.log().count("round clock stopped") == 2
    assert store.rounds().iloc[-1]["closed_by"] == "timer" and store.week("team1") == 16 == store.week("team2")
    row = store.moves("team1").iloc[0]
    assert (row.deal_id, row.trainee, row["round"]) == (deal, "Li Lei", 1) and row.answer == "advance"
    subs = store.submissions().set_index("team")
    assert not subs.loc["team1", "is_default"] and subs.loc["team2", "is_default"]  # team 2 got the default


def test_app_round_board_of_two_teammates_in_zh(tmp_path):
    """Two pages of one team in Chinese, a round with a timer: one acts and the other sees the move within a few
    seconds without a click; the other cannot undo it, asks to withdraw it, and the first keeps it (the request
    shows on her page by itself); one submits and both are locked, saying why; the timer plays the round and both
    show every week of it. The market news names the board's own stage (「评估比较」)."""
    chromium()
    from simfunnel.workshop.store import WorkshopStore

    folder = tmp_path / "rounds-zh"
    done = subprocess.run([str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", "2",
                           "--seed", "2026", "--same-world", "--weeks-per-round", "3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    store = WorkshopStore.open(folder)
    store.add_event("price_cut")
    code = store.team_codes()["team1"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    shots = tmp_path / "round-shots"
    with open_browser(tmp_path) as browser, \
            Server(_make_app(tmp_path, port, folder), env=_app_env(tmp_path), log=tmp_path / "app.log",
                   url=f"{base}/", child=True):
        li, wang = browser.new(viewport=(1300, 2600)), browser.new(viewport=(1300, 2600))  # a PNG holds the page
        for page, name in ((li, "李雷"), (wang, "王芳")):
            _front(page, base, "zh")
            _join(page, code, name, "zh")
            _board(page)
            page.get_by_text("等待讲师开始第一个回合").wait_for(timeout=30_000)
        save_screenshot(li, shots / "0-before-the-round-li.png")
        store.open_round(timer_minutes=1.0)
        for page in (li, wang):  # each page's clock shows the round without a click
            page.get_by_text("第 1 回合 · 第 14–16 周").wait_for(timeout=15_000)
            assert re.fullmatch(r"[01]:\d\d", page.locator(".sf-round-time").inner_text())
            assert "「评估比较」阶段" in page.locator("body").inner_text()
        deal = _act_and_classify(li, "zh")
        wang.wait_for_timeout(6_000)  # nobody clicks on Wang's page
        body = wang.locator(".sf-board").inner_text()
        assert "组员本回合的行动（1）" in body and "李雷: " in body
        save_screenshot(li, shots / "1-acted-li.png")
        save_screenshot(wang, shots / "1-teammate-shows-wang.png")
        # Wang cannot undo Li's move himself: he asks, and Li's page shows the request by itself
        assert wang.get_by_role("button", name="↶ 撤销").is_disabled()
        wang.locator(".sf-board .sf-card", has_text="✓ 李雷").get_by_role("button", name="选择").click()
        wang.get_by_role("button", name="请组员确认撤回").click()
        wang.get_by_text("等另一位组员确认").first.wait_for(timeout=15_000)
        li.get_by_text("王芳请求撤回李雷在").wait_for(timeout=15_000)
        save_screenshot(li, shots / "1b-undo-request-li.png")
        assert wang.get_by_role("button", name="同意撤回").count() == 0 or not wang.get_by_role(
            "button", name="同意撤回").is_visible()  # not for the one who asked
        li.get_by_role("button", name="保留").click()
        li.get_by_text("已保留李雷的").wait_for(timeout=15_000)
        assert not bool(store.moves("team1").withdrawn.any())
        wang.get_by_role("button", name="提交本回合决策 ✔").click()
        wang.get_by_text("王芳已为全组提交本回合决策：行动已经定稿").wait_for(timeout=15_000)
        li.get_by_text("王芳已为全组提交本回合决策：行动已经定稿").wait_for(timeout=15_000)
        assert li.get_by_role("button", name="提交本回合决策 ✔").is_disabled()
        assert li.get_by_role("button", name="↶ 撤销").is_disabled()
        li.locator(".sf-board .sf-card:visible").nth(1).get_by_role("button", name="选择").click()
        li.get_by_text("不能再采取行动或撤销").first.wait_for(timeout=15_000)
        assert li.get_by_role("button", name="采取行动", exact=True).is_disabled()
        save_screenshot(li, shots / "2-submitted-li.png")
        save_screenshot(wang, shots / "2-submitted-wang.png")
        for page in (li, wang):  # the timer runs out: the round is played, both pages show it by themselves
            page.get_by_text("第 1 回合结果（第 14–16 周）").wait_for(timeout=120_000)
            result = page.locator(".sf-result").inner_text()
            assert all(f"第 {w} 周" in result for w in (14, 15, 16)) and f"#{deal}" in result and "李雷" in result
            assert "请等待讲师开始下一回合" in page.locator("body").inner_text()
        save_screenshot(li, shots / "3-result-li.png")
        save_screenshot(wang, shots / "3-result-wang.png")
    assert store.rounds().iloc[-1]["closed_by"] == "timer"


def test_jupyterlab_runs_the_workshop_notebook_and_renders_its_widgets(tmp_path, workshop):
    chromium()
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copy(ROOT / "notebooks" / "en" / NOTEBOOK, lab / NOTEBOOK)  # a copy: autosave never touches the repo
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(VENV / "bin" / "jupyter"), "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={lab}", "--ServerApp.port_retries=0", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # Jupyter refuses to start as root otherwise
        command.append("--allow-root")
    env = jupyter_env(tmp_path, SIMFUNNEL_WORKSHOP=str(workshop))
    with Server(command, env=env, log=tmp_path / "lab.log", url=f"{base}/api/status", timeout=90), \
            open_page(tmp_path) as page:
        page.goto(f"{base}/lab/tree/{NOTEBOOK}")
        page.locator(".jp-Notebook").wait_for(timeout=60_000)
        # a fresh JupyterLab ignores the first Run All until its kernel is idle and connected
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen(f"{base}/api/kernels", timeout=10) as r:
                kernels = json.load(r)
            if any(k["execution_state"] == "idle" and k.get("connections", 0) > 0 for k in kernels):
                break
            assert time.monotonic() < deadline, f"no idle connected kernel: {kernels}"
            page.wait_for_timeout(300)  # not time.sleep: Playwright's sync API routes requests only while called
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        join = page.locator(".jp-OutputArea .widget-button", has_text="Join")
        join.wait_for(timeout=60_000)
        from simfunnel.workshop.store import WorkshopStore

        code = WorkshopStore.open(workshop).team_codes()["team3"]  # the code on Team 3's card: no folder, no list
        assert page.locator(".jp-OutputArea .widget-dropdown select").count() == 0
        page.locator(".jp-OutputArea .widget-text input").nth(0).fill(code.lower())
        page.locator(".jp-OutputArea .widget-text input").nth(1).fill("Zhao")
        join.click()
        page.locator(".jp-OutputArea .widget-button", has_text="Next week ▶").wait_for(timeout=30_000)
        assert page.locator(".jp-OutputArea .sf-board .sf-card").count() >= 5
        save_screenshot(page, tmp_path / "browser_jupyterlab.png")
    assert WorkshopStore.open(workshop).moves().empty  # joining and looking records nothing
    assert WorkshopStore.open(workshop).trainees()[["team", "trainee"]].values.tolist() == [["team3", "Zhao"]]


def test_a_missing_browser_skips_with_the_install_command_but_fails_under_ci(monkeypatch, tmp_path):
    import browser_support as bs

    monkeypatch.setattr(bs, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(bs.shutil, "which", lambda name: None)  # no apt-get: nothing is installed here
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium fonts-noto-cjk"):
        bs.chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set and no browser"):
        bs.chromium()


def test_without_a_system_chinese_font_chromium_gets_the_noto_file_alone(monkeypatch, tmp_path):
    import browser_support as bs

    monkeypatch.setattr(bs.shutil, "which", lambda name: None)  # as if fontconfig knew no Chinese font
    env = bs.font_env(tmp_path)
    conf = Path(env["FONTCONFIG_FILE"]).read_text()
    assert "/etc/fonts/fonts.conf" in conf
    folder = Path(re.search(r"<dir>(.*)</dir>", conf)[1])
    assert [p.name for p in folder.iterdir()] == ["NotoSansCJKsc-Regular.otf"]  # not SimHei



def test_make_lab_lang_zh_opens_jupyterlab_in_chinese_without_the_news_pop_up(tmp_path):
    chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = ["make", "-s", "-o", str(VENV / ".installed"), "lab", f"VENV={VENV}", f"PORT={port}", "LANG=zh",
               "LAB_ARGS=--IdentityProvider.token= --ServerApp.password= --ServerApp.port_retries=0 --no-browser"]
    with Server(command, env=jupyter_env(tmp_path), log=tmp_path / "lab.log", url=f"{base}/api/status",
                child=True, timeout=90), open_page(tmp_path) as page:
        page.goto(f"{base}/lab")
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^文件$")).wait_for(timeout=60_000)
        labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "文件" in labels and "File" not in labels, labels
        page.wait_for_timeout(1500)
        assert not page.get_by_text(re.compile("news|新闻", re.IGNORECASE)).count()  # no news pop-up
        save_screenshot(page, tmp_path / "jupyterlab_zh.png")
    settings = VENV / "lab-settings" / "zh" / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    assert json.loads(settings.read_text())["locale"] == "zh_CN"
