"""The lesson pages: ``/lesson`` lists the trainee lessons, ``/lesson/02?lang=zh`` shows one — text, charts,
tables and panels, never its code.

A lesson page reads its cells from :func:`simfunnel.app.lessons.lesson` (the trainee notebook that
``notebooks/build.py`` builds from the lesson's one source), shows the markdown at once, and runs the code
cells in a thread of the page (:class:`~simfunnel.app.lessons.LessonRun`: a namespace and a language scope
of the page's own), showing each cell's outputs as soon as the cell has run. The run is made by an effect
keyed on the lesson and the language, and closed by that effect's cleanup — when the page switches lesson
or language, and when Solara closes the page's virtual kernel (tab closed, or culled): every widget the
lesson made is closed then.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import ipyvue
import solara
import solara.lab
import traitlets

from simfunnel.app.front import PAGE_STYLE, LanguageSwitch
from simfunnel.app.lessons import LOG, Lesson, LessonInfo, LessonRun, Progress, Shown, catalogue, find, lesson
from simfunnel.app.room import Address, page_language
from simfunnel.app.texts import html_lang, text

__all__ = ["LESSON_STYLE", "LessonList", "LessonRoute", "LessonView", "PageLanguage", "ShownPiece"]

# The lesson's own look: text at reading width, tables and charts no wider than the page, printed text in
# a monospace face that falls back to the Simplified Chinese one (not the Japanese one) for Chinese.
LESSON_STYLE = """
.sf-lesson {max-width: 1100px}
.sf-lesson-text {font-size: 15px; line-height: 1.6; color: #222}
.sf-lesson-text h1 {font-size: 28px; margin: 12px 0 8px} .sf-lesson-text h2 {font-size: 22px; margin: 20px 0 6px}
.sf-lesson-text h3 {font-size: 18px; margin: 16px 0 4px}
.sf-lesson-text p, .sf-lesson-text ul, .sf-lesson-text ol {margin: 6px 0}
.sf-lesson-text ul, .sf-lesson-text ol {padding-left: 24px}
.sf-lesson-text code {background: #f3f4f6; padding: 0 3px; border-radius: 3px; font-size: 90%}
.sf-lesson-text table, .sf-lesson-table table {border-collapse: collapse; margin: 8px 0; font-size: 14px}
.sf-lesson-text th, .sf-lesson-text td, .sf-lesson-table th, .sf-lesson-table td {
  border: 1px solid #d9dde3; padding: 4px 8px; text-align: left; vertical-align: top}
.sf-lesson-text th, .sf-lesson-table th {background: #f5f6f8}
.sf-lesson-text blockquote {border-left: 3px solid #d9dde3; margin: 8px 0; padding: 2px 12px; color: #444}
.sf-lesson-table {overflow-x: auto; max-width: 100%}
.sf-lesson-print {white-space: pre-wrap; background: #f7f7f9; border-radius: 4px; padding: 8px 12px; margin: 6px 0;
  font-size: 13.5px; line-height: 1.5;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
    "Microsoft YaHei", monospace}
img.sf-lesson-chart {max-width: 100%; height: auto}
.sf-lesson-widget {margin: 6px 0; max-width: 100%; overflow-x: auto}
.sf-lesson-error {color: #b23a3a}
.sf-lesson-note {background: #f3f7fc; border-left: 3px solid #8fb3de; padding: 6px 12px; font-size: 14px}
.sf-lesson-list a, .sf-lesson-nav a {text-decoration: none}
.sf-lesson-list {padding-left: 24px} .sf-lesson-list li {margin: 6px 0; font-size: 16px}
"""


class PageLanguage(ipyvue.VueTemplate):
    """Invisible: sets the page's ``<html lang>`` (``zh-CN`` makes browsers pick a Simplified Chinese face)."""

    lang = traitlets.Unicode("en").tag(sync=True)
    template = traitlets.Unicode("""
<template><span style="display: none" class="sf-page-language"></span></template>
<script>
module.exports = {
  mounted() { document.documentElement.lang = this.lang; },
  watch: { lang(value) { document.documentElement.lang = value; } },
};
</script>
""").tag(sync=True)


def accept_language() -> str:
    """The browser's first ``Accept-Language`` value (the page's language when its address names none)."""
    headers = solara.lab.headers.value or {}
    values = headers.get("accept-language") or [""]
    return values[0]


@solara.component
def LessonRoute(number="") -> None:  # no annotation: Solara casts the path's part by it, and it is a string here
    """``/lesson`` (the list) or ``/lesson/NN`` (one lesson), in the address's language (``?lang=``)."""
    router = solara.use_router()
    lang = page_language(Address.parse(router.search).lang, accept_language())

    def switch_language(new_lang: str) -> None:
        router.push(f"{router.path}?lang={new_lang}")

    solara.Style(PAGE_STYLE + LESSON_STYLE)
    PageLanguage.element(lang=html_lang(lang))
    with solara.Column(classes=["sf-app", "sf-lesson"], gap="8px"):
        with solara.Row(style={"align-items": "center"}, justify="space-between", classes=["sf-lesson-nav"]):
            with solara.Row(style={"align-items": "center"}):
                if number:
                    solara.HTML(tag="a", unsafe_innerHTML=html.escape(text("all_lessons", lang)),
                                attributes={"href": f"/lesson?lang={lang}"}, classes=["sf-all-lessons"])
                solara.HTML(tag="a", unsafe_innerHTML=html.escape(text("workshop_page", lang)),
                            attributes={"href": f"/?lang={lang}"}, classes=["sf-workshop-link"])
            LanguageSwitch(lang, switch_language)
        if not number:
            LessonList(lang)
        elif find(number) is None:
            solara.Title(text("lessons", lang))
            solara.Error(text("lesson_unknown", lang, number=number[:8]))
        else:
            LessonView(lesson(number, lang))


@solara.component
def LessonList(lang: str) -> None:
    """Every lesson, with its number and title in ``lang``, linked to its page."""
    solara.Title(text("lessons", lang))
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(text("lessons", lang)), classes=["sf-title"])
    infos = catalogue()
    if not infos:
        solara.Warning(text("lessons_missing", lang))
        return
    solara.Text(text("lessons_intro", lang), classes=["sf-muted"])
    items = "".join(f'<li><a href="/lesson/{info.number}?lang={lang}">{info.number} · {html.escape(info.title(lang))}'
                    "</a></li>" for info in infos)
    solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["sf-lesson-list"])


def _neighbours(number: str) -> tuple[LessonInfo | None, LessonInfo | None]:
    infos = catalogue()
    at = next(i for i, info in enumerate(infos) if info.number == number)
    return (infos[at - 1] if at > 0 else None), (infos[at + 1] if at + 1 < len(infos) else None)


@solara.component
def LessonView(shown_lesson: Lesson) -> None:
    """One lesson: its markdown at once, each code cell's outputs once it has run (its code never)."""
    lang, number = shown_lesson.lang, shown_lesson.number
    key = (number, lang)
    progress, set_progress = solara.use_state(Progress(key))

    def start() -> Callable[[], None]:
        """Run the lesson in a thread of this page; the cleanup closes the run (and every widget it made)."""
        run = LessonRun(shown_lesson)

        def report(now: Progress) -> None:
            if not run.closed:
                set_progress(now)

        threading.Thread(target=run.run, kwargs={"on_progress": report}, daemon=True,
                         name=f"lesson-{number}-{lang}").start()
        LOG.info("lesson %s (%s) opened", number, lang)
        return run.close

    solara.use_effect(start, [number, lang])
    if progress.key != key:  # the previous lesson's (or language's) outputs: not this page's any more
        progress = Progress(key)

    solara.Title(f"{number} {shown_lesson.title}")
    solara.Text(text("lesson_note", lang), classes=["sf-lesson-note"])
    waiting = True  # the first code cell not run yet shows that the lesson is running
    with solara.Column(gap="2px", classes=["sf-lesson-cells"]):
        for cell in shown_lesson.cells:
            if cell.kind == "markdown":
                solara.HTML(tag="div", unsafe_innerHTML=cell.html, classes=["sf-lesson-text"])
            elif cell.index in progress.outputs:
                for piece in progress.outputs[cell.index]:
                    ShownPiece(piece, lang)
            elif waiting and not progress.done:
                waiting = False
                with solara.Row(style={"align-items": "center"}, classes=["sf-lesson-running"]):
                    solara.ProgressLinear(True)
                    solara.Text(text("lesson_running", lang), classes=["sf-muted"])
    if progress.done:
        solara.HTML(tag="span", unsafe_innerHTML="", classes=["sf-lesson-done"], style="display: none")
    previous, following = _neighbours(number)
    with solara.Row(justify="space-between", classes=["sf-lesson-nav"]):
        for info, key_text in ((previous, "previous_lesson"), (following, "next_lesson")):
            if info is None:
                solara.Text("")
            else:
                solara.HTML(tag="a", unsafe_innerHTML=html.escape(text(key_text, lang, title=info.title(lang))),
                            attributes={"href": f"/lesson/{info.number}?lang={lang}"})


@solara.component
def ShownPiece(piece: Shown, lang: str) -> None:
    """One output of a cell: printed text, a table, a chart, a widget, or the note of a cell that raised."""
    if piece.kind == "text":
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(piece.value.rstrip("\n")), classes=["sf-lesson-print"])
    elif piece.kind == "html":
        solara.HTML(tag="div", unsafe_innerHTML=piece.value, classes=["sf-lesson-table"])
    elif piece.kind == "png":
        solara.Image(piece.value, classes=["sf-lesson-chart"])
    elif piece.kind == "widget":
        solara.Column(children=[piece.value], classes=["sf-lesson-widget"])
    elif piece.kind == "error":
        solara.Text("⚠ " + piece.value[0 if lang == "zh" else 1], classes=["sf-lesson-error"])
