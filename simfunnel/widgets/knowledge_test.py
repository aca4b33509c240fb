"""The pre/post test on a trainee's page (:mod:`simfunnel.workshop.knowledge`): shown while the trainer has a
test open, ten questions answered with buttons, one Submit; the answers go to the workshop store.

The pre-test shows only the score after Submit (its answers are for after the workshop); the post-test shows
each answer's why and the trainee's own gain. A trainee who already took the open test sees the score.

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, accounts=30)
    >>> panel = KnowledgeTest(store, "team1", "Ana", lang="en")
    >>> panel.phase is None
    True
    >>> store.open_test("pre")
    >>> panel.sync()
    >>> panel.exercise.solve(); panel.exercise._pressed()
    >>> store.test_taken("team1", "Ana", "pre")
    10
"""

from __future__ import annotations

import html

import ipywidgets as w

from simfunnel import i18n
from simfunnel.widgets.base import Pair, Widget, held, show
from simfunnel.widgets.exercise import Choice, Exercise
from simfunnel.workshop.errors import StoreError
from simfunnel.workshop.knowledge import QUESTIONS, gain_html

__all__ = ["KnowledgeTest", "TestControl"]

TEST_TEXT: dict[str, Pair] = {
    "pre_title": ("课前测验（10 题）", "Pre-test (10 questions)"),
    "post_title": ("课后测验（10 题）", "Post-test (10 questions)"),
    "pre_intro": ("开始之前先做一做：不计入成绩。交卷后只显示得分；课后再做一次同样的题，看看学到了多少。",
                  "Before we start: it does not count. After Submit you see your score only; at the end you take "
                  "the same questions again and see what you learnt."),
    "post_intro": ("和课前同样的十道题。交卷后显示每题的答案和你的进步。",
                   "The same ten questions as at the start. After Submit you see each answer and your gain."),
    "submit": ("交卷", "Submit"),
    "unanswered": ("还有 {n} 题没答：答完再交卷。", "{n} questions are not answered yet: answer them, then submit."),
    "done_pre": ("课前测验已交卷：答对 {right} / 10 题。", "Pre-test submitted: {right} of 10 right."),
    "done_post": ("课后测验已交卷：答对 {right} / 10 题（课前 {pre}）。", "Post-test submitted: {right} of 10 right "
                                                                    "(before: {pre})."),
    "no_pre": ("没做", "not taken"),
    "failed": ("没能交卷：{error}", "Could not submit: {error}"),
}


class KnowledgeTest(Widget):
    """The open test for one trainee of one team (see the module). :meth:`sync` reads the store's open test
    (a board's clock calls it when the store changed)."""

    TEXT = TEST_TEXT

    def __init__(self, store, team: str, trainee: str, lang: str | None = None) -> None:
        super().__init__(lang)
        self.store, self.team, self.trainee = store, team, trainee
        self.phase: str | None = None
        self.exercise: Exercise | None = None
        # an empty, hidden box until a test opens: a room of boards pays nothing for a test nobody opened
        self.root = w.VBox(layout=w.Layout(border="2px solid #1f5fa8", padding="6px 10px", margin="0 0 8px 0"))
        self.root.add_class("sf-knowledge-test")
        show(self.root, False)
        self.sync()

    def _build(self) -> None:
        if not self.root.children:
            self._title, self._note, self._body = w.HTML(), w.HTML(), w.VBox()
            self.root.children = (self._title, self._note, self._body)

    def sync(self, phase: str | None | bool = False) -> None:
        """Follow the store: the open test (none: hidden), taken or not by this trainee.

        ``phase``: the open test when the caller knows it (a board reads it in its ``board_version``); by default
        it is read from the store. Nothing is read or redrawn while the open test stays the same."""
        if phase is False:
            try:
                phase = self.store.test_phase()
            except StoreError:
                return
        if phase == self.phase:
            return
        self.phase = phase
        if self.exercise is not None:
            self.exercise.close()
            self.exercise = None
        if phase is not None:
            self._build()
            if self.store.test_taken(self.team, self.trainee, phase) is None:
                questions = [Choice(q["prompt"], q["options"], q["key"],
                                    (f"答案：{q['options'][q['key']][0]}", f"Answer: {q['options'][q['key']][1]}"))
                             for q in QUESTIONS]
                with i18n.in_scope(self._scope):  # a board's clock may open it: it follows this page
                    self.exercise = Exercise(questions, lang=self._fixed_lang, reveal=phase == "post",
                                             button=TEST_TEXT["submit"], on_check=self._submit)
        self.refresh()

    def _submit(self, exercise: Exercise) -> None:
        missing = sum(v is None for v in exercise.values())
        if missing:
            self._note.value = f'<span class="sf-warn">{html.escape(self.t("unanswered", n=missing))}</span>'
            return
        answers = {q["id"]: v for q, v in zip(QUESTIONS, exercise.values())}
        try:
            self.store.record_test(self.team, self.trainee, self.phase, answers)
        except StoreError as err:
            self._note.value = f'<span class="sf-warn">{html.escape(self.t("failed", error=err.text(self.lang)))}</span>'
            return
        exercise.lock()
        self.refresh()

    def refresh(self) -> None:
        with held(self.root):
            show(self.root, self.phase is not None)
            if self.phase is None:
                return
            self._title.value = f"<b style='font-size:15px'>{html.escape(self.t(self.phase + '_title'))}</b>"
            right = self.store.test_taken(self.team, self.trainee, self.phase)
            if right is None:
                self._note.value = f'<span class="sf-muted">{html.escape(self.t(self.phase + "_intro"))}</span>'
                self._body.children = (self.exercise.root,) if self.exercise is not None else ()
                return
            if self.phase == "pre":
                note = self.t("done_pre", right=right)
            else:
                pre = self.store.test_taken(self.team, self.trainee, "pre")
                note = self.t("done_post", right=right, pre=self.t("no_pre") if pre is None else f"{pre} / 10")
            self._note.value = f"<b>{html.escape(note)}</b>"
            keep = self.exercise is not None and self.phase == "post"  # the answers and their why stay shown
            self._body.children = (self.exercise.root,) if keep else ()

    def texts(self) -> list[str]:
        out = super().texts()
        if self.exercise is not None:
            out.extend(self.exercise.texts())
        return out

    def close(self) -> None:
        if self.exercise is not None:
            self.exercise.close()
        super().close()


CONTROL_TEXT: dict[str, Pair] = {
    "title": ("课前 / 课后测验", "Pre/post test"),
    "open_pre": ("开始课前测验", "Open the pre-test"),
    "open_post": ("开始课后测验", "Open the post-test"),
    "close": ("结束测验", "Close the test"),
    "refresh": ("刷新", "Refresh"),
    "now": ("现在：{what}", "Now: {what}"),
    "none": ("没有进行中的测验", "no test open"),
    "pre": ("课前测验进行中", "the pre-test is open"),
    "post": ("课后测验进行中", "the post-test is open"),
}


class TestControl(Widget):
    """The trainer's side of the pre/post test: open or close it, and each team's and the room's scores and gain
    (points of the ten questions, post − pre) with the questions most often missed."""

    TEXT = CONTROL_TEXT
    __test__ = False  # not a pytest class

    def __init__(self, store, lang: str | None = None) -> None:
        super().__init__(lang)
        self.store = store
        self._buttons = {k: w.Button(layout=w.Layout(width="auto")) for k in ("open_pre", "open_post", "close", "refresh")}
        self._buttons["open_pre"].on_click(lambda _b: self._open("pre"))
        self._buttons["open_post"].on_click(lambda _b: self._open("post"))
        self._buttons["close"].on_click(lambda _b: self._open(None))
        self._buttons["refresh"].on_click(lambda _b: self.refresh())
        self._title = w.HTML()
        self._state = w.HTML()
        self._table = w.HTML()
        self.root = w.VBox([self._title, w.HBox(list(self._buttons.values())), self._state, self._table])
        self.refresh()

    def _open(self, phase: str | None) -> None:
        self.store.open_test(phase)
        self.refresh()

    def table_html(self) -> str:
        """Each team's and the room's pre, post and gain, and the most missed questions (HTML)."""
        return gain_html(self.store, self.lang)

    def refresh(self) -> None:
        phase = self.store.test_phase()
        with held(self.root):
            self._title.value = f"<h4 style='margin:4px 0'>{html.escape(self.t('title'))}</h4>"
            for key, button in self._buttons.items():
                button.description = self.t(key)
            self._buttons["open_pre"].button_style = "primary" if phase is None else ""
            self._state.value = html.escape(self.t("now", what=self.t(phase or "none")))
            self._table.value = self.table_html()
