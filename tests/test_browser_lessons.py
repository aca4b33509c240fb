"""Browser tests of the lessons' exercises and the pre/post test (issue 14), in a file of their own so that
`make test` (pytest -n 2 --dist loadfile) runs them beside tests/test_browser.py, not after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import Server, chromium, free_port, open_browser
from test_browser import (  # the helpers and the workshop fixture, not its tests
    LESSONS,
    _app_env,
    _board,
    _front,
    _join,
    _make_app,
    _wait,
    _whole_page_screenshot,
    workshop,  # noqa: F401  (a fixture)
)


def _answer_in_page(block, exercise) -> int:
    """Answer every question of ``exercise`` (the lesson's own, run in this process: the same keys) in its block
    of the page by clicking and typing; returns how many can be right (a ``Live`` question is answered in
    another panel of the page, not here)."""
    from simfunnel.widgets.exercise import Choice, Live, Number, Sort

    questions = block.locator(".sf-q")
    assert questions.count() == len(exercise.questions)
    answerable = 0
    for i, q in enumerate(exercise.questions):
        box = questions.nth(i)
        if isinstance(q, Live):
            continue
        answerable += 1
        if isinstance(q, Sort):
            rows = box.locator(".sf-sort-row")
            for j, (_card, right) in enumerate(q.cards):
                rows.nth(j).locator("button").nth(right).click()
        elif isinstance(q, Choice) and q.several:
            for k in q.answer:
                box.locator("input[type=checkbox]").nth(k).check()
        elif isinstance(q, Choice):
            radios = box.locator("input[type=radio]")
            (radios.nth(q.answer).check() if radios.count() else box.locator("button").nth(q.answer).click())
        elif isinstance(q, Number):  # as a trainee writes it: 358,100 or 30%
            box.locator("input[type=text]").fill(f"{q.answer * 100:.0f}%" if q.percent else f"{q.answer:,.0f}")
        else:
            raise AssertionError(f"no way to answer {type(q).__name__} in the page yet")
    return answerable


def _lesson_exercises(number: str, lang: str) -> list:
    """The exercises a lesson's page shows, in page order, from the lesson run in this process (the app's own
    runner: same cells, same seeds, same keys). A names game counts as its recall, made as its button makes it."""
    from simfunnel.app.lessons import LessonRun, lesson
    from simfunnel.widgets.exercise import Exercise
    from simfunnel.widgets.names_game import NamesGame

    run = LessonRun(lesson(number, lang))
    run.run()
    found = []
    for widget in run.shown_widgets(Exercise, NamesGame):
        if isinstance(widget, NamesGame):
            widget.start_recall()
            found.append(("names", widget.recall))
        else:
            found.append(("exercise", widget))
    return found, run


def test_every_lesson_s_exercises_are_answered_by_clicking_and_typing_in_the_app(tmp_path):
    """Every trainee lesson in the app, zh and en: each exercise answered through its buttons, tick boxes and
    number boxes with the key of the lesson's own exercise, Check pressed, the score and the feedback shown
    (Check before answering says what is missing); the names game turns its cards over and scores the recall;
    a question answered on another panel (05's lab) says what to do first; 02's practice panel follows the
    board to week 1. A screenshot of each answered page is saved."""
    chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _app_env(tmp_path)
    env.pop("SIMFUNNEL_WORKSHOP", None)
    command = [*_make_app(tmp_path, port, Path("x"))[:-2], "WORKSHOP=", f"APP_QR={tmp_path / 'qr.png'}"]
    answered = {}
    with Server(command, env=env, log=tmp_path / "app.log", url=f"{base}/", child=True) as app, \
            open_browser(tmp_path) as browser:
        page = browser.new(viewport=(1300, 1000))
        for number in LESSONS:
            for lang in ("zh", "en"):
                exercises, run = _lesson_exercises(number, lang)
                try:
                    page.goto(f"{base}/lesson/{number}?lang={lang}", timeout=60_000)
                    page.locator(".sf-lesson-done").wait_for(state="attached", timeout=60_000)
                    if any(kind == "names" for kind, _ in exercises):
                        page.get_by_role("button", name="记住了，考考我" if lang == "zh" else "Got them, test me").click()
                    blocks = page.locator(".sf-exercise")
                    _wait(page, lambda: blocks.count() == len(exercises), 10, f"lesson {number}'s exercises")
                    for n, (_kind, exercise) in enumerate(exercises):
                        block = blocks.nth(n)
                        if n == 0:  # a wrong answer first: ✗ and the why
                            block.locator(".sf-check").click()
                            block.locator(".sf-feedback").first.wait_for(timeout=10_000)
                        right = _answer_in_page(block, exercise)
                        block.locator(".sf-check").click()
                        total = len(exercise.questions)
                        done = f"答对 {right} / {total} 题" if lang == "zh" else f"{right} of {total} right"
                        block.get_by_text(done).wait_for(timeout=20_000)
                        assert block.locator(".sf-feedback").count() == total
                        text = block.inner_text()
                        assert text.count("✓") >= right and ("✗" not in text), (number, lang, n, text[-400:])
                        if right < total:  # 05: the rates are set on the lab's sliders first
                            assert ("先拖动上面实验室里的滑块" if lang == "zh" else "move the lab's sliders") in text
                    if number == "02":  # the practice panel under the board follows the play
                        page.get_by_role("button", name="下一周 ▶" if lang == "zh" else "Next week ▶").click()
                        page.get_by_text("答对 0 / 0 条回复 · 第 1 周" if lang == "zh"
                                         else "0 of 0 replies judged right · week 1").wait_for(timeout=20_000)
                    body = page.locator("body").inner_text()
                    assert "Traceback" not in body and not page.locator(".sf-lesson-error").count()
                    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
                    _whole_page_screenshot(page, tmp_path / f"lesson_{number}_answered_{lang}.png")
                    answered[number, lang] = len(exercises)
                finally:
                    run.close()
        assert not browser.aborted, browser.aborted
        assert "Traceback" not in app.log()
    # every lesson with an exercise in the notebooks has one in the app (00 and 07 are panels only)
    assert {n for (n, _lang), k in answered.items() if k} == {"01", "02", "03", "04", "05", "06", "09"}, answered


def test_a_trainee_takes_the_pre_and_post_test_on_the_board_page(tmp_path, workshop):
    """The trainer opens the pre-test: it appears above the team's board within a clock tick, is answered by
    clicking and submitted once (score only); the post-test shows the answers and the gain, which the
    store counts."""
    chromium()
    from simfunnel.workshop.knowledge import QUESTIONS
    from simfunnel.workshop.store import WorkshopStore

    store = WorkshopStore.open(workshop)
    codes = store.team_codes()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with Server(_make_app(tmp_path, port, workshop), env=_app_env(tmp_path), log=tmp_path / "app.log",
                url=f"{base}/", child=True) as app, open_browser(tmp_path) as browser:
        page = browser.new()
        _front(page, base, "zh")
        _join(page, codes["team1"], "李雷", lang="zh")
        _board(page)
        assert not page.locator(".sf-knowledge-test:visible").count()
        for phase, first_right in (("pre", 5), ("post", 9)):
            store.open_test(phase)
            test = page.locator(".sf-knowledge-test")
            test.get_by_text("课前测验（10 题）" if phase == "pre" else "课后测验（10 题）").wait_for(timeout=20_000)
            questions = test.locator(".sf-q")
            assert questions.count() == 10
            for i, q in enumerate(QUESTIONS):
                pick = q["key"] if i < first_right else (q["key"] + 1) % len(q["options"])
                box = questions.nth(i)
                radios = box.locator("input[type=radio]")
                (radios.nth(pick).check() if radios.count() else box.locator("button").nth(pick).click())
            test.get_by_role("button", name="交卷").click()
            done = f"课前测验已交卷：答对 {first_right} / 10 题。" if phase == "pre" else \
                f"课后测验已交卷：答对 {first_right} / 10 题（课前 5 / 10）。"
            test.get_by_text(done).wait_for(timeout=20_000)
            assert (test.locator(".sf-feedback:visible").count() == 10) == (phase == "post")
            test.screenshot(path=str(tmp_path / f"app_test_{phase}_zh.png"))
        gain = store.test_gain().set_index("team")
        assert gain.loc["team1", "gain"] == pytest.approx(0.4) and gain.loc["", "both_n"] == 1
        store.open_test(None)
        page.locator(".sf-knowledge-test").wait_for(state="hidden", timeout=20_000)
        assert "Traceback" not in app.log()
