"""The workshop in a real browser: `make app` (Voilà) and JupyterLab, driven by Playwright in Debian's Chromium.

1. ``make app`` serves the trainee notebooks of a fresh workshop store
   (``simfunnel workshop init``) on 127.0.0.1; a trainee opens ``en/08_workshop_play``,
   joins a team, selects a deal, acts, classifies the customer's reply and presses "Next
   week": the indicators on the page change and the move is in the store, with the
   trainee's answer. A second trainee joins another team in ``zh/08_workshop_play`` and
   sees the page in Chinese. The app serves only the trainee copies: no trainer copy, no
   source is reachable.
2. JupyterLab opens the same notebook, runs it (Run All Cells, once the kernel is idle and
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
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import simfunnel as sf
from browser_support import ROOT, Server, chromium, free_port, jupyter_env, open_page, save_screenshot

VENV = Path(sys.prefix)
NOTEBOOK = "08_workshop_play.ipynb"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def _kpis(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".sf-board .sf-kpi").all_inner_texts()]


def _no_loading(page) -> None:
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=30_000)


def _make_app(tmp_path: Path, port: int, workshop: Path) -> list[str]:
    """``make app`` as a trainer runs it (``-o``: the venv running this test is set up already)."""
    return ["make", "-s", "-o", str(VENV / ".installed"), "app", f"VENV={VENV}", f"PORT={port}", "IP=127.0.0.1",
            f"WORKSHOP={workshop}", f"APP_ROOT={tmp_path / 'app'}"]


def test_make_app_refuses_a_folder_that_is_not_a_workshop(tmp_path):
    (tmp_path / "empty").mkdir()
    done = subprocess.run(_make_app(tmp_path, free_port(), tmp_path / "empty"), cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=jupyter_env(tmp_path))
    assert done.returncode != 0
    assert "is not a workshop folder: create one with" in done.stderr and "simfunnel workshop init --dir" in done.stderr
    assert "Voilà is running" not in done.stdout + done.stderr


@pytest.fixture
def workshop(tmp_path):
    folder = tmp_path / "workshop"
    done = subprocess.run([str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", "3",
                           "--seed", "2026"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (folder / "workshop.sqlite").is_file()
    return folder


def test_make_app_trainee_joins_acts_classifies_and_plays_a_week(tmp_path, workshop):
    chromium()
    from simfunnel.workshop.store import WorkshopStore

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = _make_app(tmp_path, port, workshop)
    with Server(command, env=jupyter_env(tmp_path), log=tmp_path / "voila.log", url=f"{base}/", child=True) as app:
        assert f"Open  http://127.0.0.1:{port}/" in app.log()
        assert _status(f"{base}/voila/render/trainer/en/{NOTEBOOK}") == 404  # no solutions in the app
        assert _status(f"{base}/voila/render/zh/../trainer/zh/{NOTEBOOK}") == 404
        with open_page(tmp_path) as page:
            page.goto(f"{base}/voila/tree/")
            page.get_by_text("zh", exact=True).wait_for(timeout=30_000)
            listing = page.locator("body").inner_text()
            assert "en" in listing.split() and "trainer" not in listing and "src" not in listing.split()

            page.goto(f"{base}/voila/render/en/{NOTEBOOK}")
            join = page.get_by_role("button", name="Join")
            join.wait_for(timeout=60_000)
            assert page.get_by_label("Workshop folder").input_value() == str(workshop)  # from WORKSHOP=
            assert "import simfunnel" not in page.content()  # code hidden
            page.get_by_label("Team").select_option(label="Team 2")
            page.get_by_label("Your name").fill("Li Lei")
            join.click()
            next_week = page.get_by_role("button", name="Next week ▶")
            next_week.wait_for(timeout=30_000)
            _no_loading(page)
            page.get_by_text("Joined: Team 2 · Li Lei").wait_for()
            before = _kpis(page)
            assert before[0].startswith("Week 13") and any(k.startswith("Forecast F′") for k in before)

            card = page.locator(".sf-board .sf-card:visible").nth(1)  # a deal in the first stage
            deal = int(re.search(r"#(\d+)", card.inner_text())[1])
            card.get_by_role("button", name="Select").click()
            page.get_by_role("button", name="Act", exact=True).wait_for()
            action = page.get_by_label("Action").evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
            page.get_by_role("button", name="Act", exact=True).click()
            page.locator(".sf-board .sf-reply").wait_for()
            store = WorkshopStore.open(workshop)
            moves = store.moves("team2")  # in the store while the reply is on screen, not yet classified
            assert moves[["deal_id", "trainee"]].values.tolist() == [[deal, "Li Lei"]]
            assert moves["answer"].isna().all()
            page.get_by_role("button", name="Advance", exact=True).click()
            page.get_by_text(re.compile("✔ Correct|✘ Not quite")).first.wait_for()
            save_screenshot(page, tmp_path / "browser_voila_en_reply.png")

            next_week.click()
            page.get_by_text("Week 14 results").wait_for(timeout=30_000)
            after = _kpis(page)
            assert after[0].startswith("Week 14")
            changed = [k for k, (b, a) in enumerate(zip(before, after)) if b != a]
            assert set(changed) - {0}, f"no indicator changed: {before} → {after}"
            assert "1/1" in after[-1] or "0/1" in after[-1]  # the quiz score counted the answer
            save_screenshot(page, tmp_path / "browser_voila_en_week14.png")

            row = store.moves("team2").iloc[0]
            assert (row.deal_id, row.answer, bool(row.withdrawn)) == (deal, "advance", False)
            assert row.action in {a.key for a in sf.ACTIONS if a.label("en") == action}
            assert store.week("team2") == 14 and store.week("team1") == 13

            # the page reloaded (a new kernel): join again, and the board is where it was, to the cent
            page.reload()
            page.get_by_role("button", name="Join").wait_for(timeout=60_000)
            page.get_by_label("Team").select_option(label="Team 2")
            page.get_by_label("Your name").fill("Li Lei")
            page.get_by_role("button", name="Join").click()
            page.get_by_role("button", name="Next week ▶").wait_for(timeout=30_000)
            assert _kpis(page) == after

            # a second trainee, in Chinese, on another team
            page.goto(f"{base}/voila/render/zh/{NOTEBOOK}")
            page.get_by_role("button", name="加入").wait_for(timeout=60_000)
            page.get_by_label("小组").select_option(label="第 1 组")
            page.get_by_label("你的名字").fill("王芳")
            page.get_by_role("button", name="加入").click()
            page.get_by_role("button", name="下一周 ▶").wait_for(timeout=30_000)
            _no_loading(page)
            text = page.locator("body").inner_text()
            assert "工作坊 · 第 1 组 · 王芳" in text and "销售预计" in text and "第 13 周" in text
            page.locator(".sf-board .sf-card:visible").first.get_by_role("button", name="选择").click()
            page.get_by_role("button", name="采取行动").click()
            page.locator(".sf-board .sf-reply").wait_for()
            page.get_by_role("button", name="推进", exact=True).click()
            page.get_by_text(re.compile("✔ 判断正确|✘ 判断有误")).first.wait_for()
            page.locator(".sf-board .sf-reply").scroll_into_view_if_needed()
            save_screenshot(page, tmp_path / "browser_voila_zh.png")
            assert store.moves("team1")[["trainee", "answer"]].values.tolist() == [["王芳", "advance"]]
        pid = app.server_pid()
    assert "Kernel shutdown" in app.log(), app.log()[-2000:]  # SIGTERM to Voilà itself shut its kernels down
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


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
        page.locator(".jp-OutputArea .widget-dropdown select").select_option(label="Team 3")
        page.locator(".jp-OutputArea .widget-text input").nth(1).fill("Zhao")
        join.click()
        page.locator(".jp-OutputArea .widget-button", has_text="Next week ▶").wait_for(timeout=30_000)
        assert page.locator(".jp-OutputArea .sf-board .sf-card").count() >= 5
        save_screenshot(page, tmp_path / "browser_jupyterlab.png")
    from simfunnel.workshop.store import WorkshopStore

    assert WorkshopStore.open(workshop).moves().empty  # joining and looking records nothing


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


def test_a_round_in_the_browser_submit_then_the_timer_plays_it(tmp_path):
    """Rounds mode end to end: a trainee acts, classifies and submits; the round's timer runs out while
    nobody clicks; the page shows the played round by itself (the board's clock) and the store has the move."""
    chromium()
    from simfunnel.workshop.store import WorkshopStore

    folder = tmp_path / "rounds"
    done = subprocess.run([str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", "2",
                           "--seed", "2026", "--same-world", "--weeks-per-round", "3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    store = WorkshopStore.open(folder)
    store.add_event("price_cut")  # hits round 1: news on the board once the round opens
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Server(_make_app(tmp_path, port, folder), env=jupyter_env(tmp_path), log=tmp_path / "voila.log",
                url=f"{base}/", child=True), open_page(tmp_path) as page:
        page.goto(f"{base}/voila/render/en/{NOTEBOOK}")
        join = page.get_by_role("button", name="Join")
        join.wait_for(timeout=60_000)
        page.get_by_label("Team").select_option(label="Team 1")
        page.get_by_label("Your name").fill("Li Lei")
        join.click()
        submit = page.get_by_role("button", name="Submit the round ✔")
        submit.wait_for(timeout=30_000)
        _no_loading(page)
        assert submit.is_disabled() and "Waiting for the trainer to open the next round" in page.content()
        store.open_round(timer_minutes=0.5)  # round 1 with a 30-second timer: time to act even on a loaded machine
        page.get_by_text(re.compile(r"Round 1 · weeks 14–16 · 0:\d\d left")).wait_for(timeout=20_000)
        assert "Market news" in page.locator("body").inner_text()
        card = page.locator(".sf-board .sf-card:visible").first
        deal = int(re.search(r"#(\d+)", card.inner_text())[1])
        card.get_by_role("button", name="Select").click()
        page.get_by_role("button", name="Act", exact=True).click()
        page.locator(".sf-board .sf-reply").wait_for()
        page.get_by_role("button", name="Advance", exact=True).click()
        page.get_by_text(re.compile("✔ Correct|✘ Not quite")).first.wait_for()
        page.get_by_role("button", name="Submit the round ✔").click()
        page.get_by_text("Li Lei submitted the round for the team").wait_for(timeout=20_000)
        save_screenshot(page, tmp_path / "browser_round_submitted.png")
        # nobody clicks: the timer runs out, a tick closes and plays the round, the page catches up
        page.get_by_text("Waiting for the trainer to open the next round").wait_for(timeout=90_000)
        assert _kpis(page)[0].startswith("Week 16")
        save_screenshot(page, tmp_path / "browser_round_played.png")
    rounds = store.rounds()
    assert rounds.iloc[-1]["closed_by"] == "timer" and store.week("team1") == 16 == store.week("team2")
    row = store.moves("team1").iloc[0]
    assert (row.deal_id, row.trainee, row["round"]) == (deal, "Li Lei", 1) and row.answer == "advance"
    subs = store.submissions().set_index("team")
    assert not subs.loc["team1", "is_default"] and subs.loc["team2", "is_default"]  # team 2 got the default
