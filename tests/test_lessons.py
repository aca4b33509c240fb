"""The trainee lessons in the app (simfunnel.app.lessons, .lesson_page), without a browser.

- the list holds the lessons 00–07 and 09, titled in zh and en from each trainee notebook's first heading;
- a lesson page's content — its markdown and what its code cells show once run — has no trainer text and
  no code, in either language, and no cell of 00–07 and 09 fails;
- two lesson pages run in two threads of one process never share a namespace or a language;
- a page's run shows what a notebook shows (printed text, the last value unless after ``;``, ``display``,
  pyplot figures), a cell that raises shows a zh/en note, never a traceback; closing the page (its
  component unmounted, as when Solara closes the page's kernel) closes every widget the lesson made.

The browser test (tests/test_browser.py) opens every lesson in the app served by ``make app``.
"""

from __future__ import annotations

import html
import re
import threading
import time

import ipywidgets
import pytest

import simfunnel as sf
from simfunnel.app import lessons
from simfunnel.app.lessons import Cell, Lesson, LessonInfo, LessonRun, catalogue, lesson, markdown_html

COURSE = ("00", "01", "02", "03", "04", "05", "06", "07", "09")
CJK = re.compile(r"[\u4e00-\u9fff]")
TRAINER_TEXT = ("Trainer note", "Trainer edition", "Expected answer", "Ask the room", "讲师备注", "讲师版",
                "预期答案", "参考答案", "请大家回答")


def _open_widgets() -> set[str]:
    from ipywidgets.widgets import widget

    return set(widget._instances)


def _placeholder(model_id: str) -> bool:
    """The empty VBox (and its Layout) the kit's ``Widget.__init__`` makes before a widget sets its own root:
    nothing refers to it any more, so a page cannot find it; Solara closes it with the page's kernel."""
    from ipywidgets.widgets import widget

    found = widget._instances.get(model_id)
    return isinstance(found, ipywidgets.Layout) or (isinstance(found, ipywidgets.VBox) and not found.children)


def _plain(markup: str) -> str:
    no_style = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", no_style))


def _content(lesson_: Lesson, progress: lessons.Progress) -> str:
    """Every text a trainee reads on the page: markdown, printed text, tables, widgets' texts."""
    from simfunnel.widgets.base import widget_texts

    parts = [_plain(c.html) for c in lesson_.cells if c.kind == "markdown"]
    for shown in progress.outputs.values():
        for piece in shown:
            if piece.kind == "text":
                parts.append(piece.value)
            elif piece.kind == "html":
                parts.append(_plain(piece.value))
            elif piece.kind == "widget":
                parts.extend(widget_texts(piece.value))
            elif piece.kind == "error":
                parts.extend(piece.value)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def ran():
    """Every lesson run once in each language: (lesson, progress, content), then closed."""
    out = {}
    for number in COURSE:
        for lang in ("zh", "en"):
            run = LessonRun(lesson(number, lang))
            progress = run.run()
            out[number, lang] = (run.lesson, progress, _content(run.lesson, progress))
            run.close()
    return out


def test_the_lesson_list_holds_00_to_07_and_09_titled_in_zh_and_en():
    infos = catalogue()
    assert [i.number for i in infos] == list(COURSE)  # 08 (the workshop) is the app's own workshop page
    for info in infos:
        zh, en = info.title("zh"), info.title("en")
        assert CJK.search(zh) and not CJK.search(en), info
        build = lessons.notebook_build()
        for lang, title in (("zh", zh), ("en", en)):
            first = build.build_notebook(lessons.NOTEBOOKS / "src" / f"{info.stem}.py", lang, "trainee")["cells"][0]
            assert title in "".join(first["source"]).splitlines()[0]
    assert infos[2].titles == ("推动商机", "Moving deals")


def test_lessons_are_read_by_build_py_the_one_parser():
    build = lessons.notebook_build()
    assert build.__file__ == str(lessons.NOTEBOOKS / "build.py")
    nb = build.build_notebook(lessons.NOTEBOOKS / "src" / "02_moving_deals.py", "zh", "trainee")
    page = lesson("02", "zh")
    assert [c.source for c in page.cells] == ["".join(c["source"]) for c in nb["cells"]]
    assert any("exercise" in c.tags for c in page.cells) and not any("trainer" in c.tags for c in page.cells)
    assert 'sf.set_language("zh")' in page.cells[[c.kind for c in page.cells].index("code")].source


@pytest.mark.parametrize("number", COURSE)
def test_a_lesson_page_shows_no_trainer_text_no_code_and_no_failed_cell(ran, number):
    for lang in ("zh", "en"):
        page, progress, content = ran[number, lang]
        assert progress.done and progress.failed == 0, (number, lang)
        assert all(piece.kind != "error" for shown in progress.outputs.values() for piece in shown)
        for word in TRAINER_TEXT:
            assert word not in content, (number, lang, word)
        assert "import simfunnel" not in content and "Traceback" not in content
        code_lines = {line.strip() for c in page.cells if c.kind == "code" for line in c.source.splitlines()
                      if len(line.strip()) >= 20 and not line.strip().startswith("#")}
        shown = [line for line in code_lines if line in content]
        assert not shown, (number, lang, shown)
        assert page.title in content
        # every lesson shows at least a chart or a widget, as its notebook does
        kinds = {piece.kind for shown in progress.outputs.values() for piece in shown}
        assert kinds & {"png", "widget"}, (number, lang, kinds)


def test_a_lesson_speaks_its_page_language(ran):
    _, _, zh = ran["02", "zh"]
    _, _, en = ran["02", "en"]
    assert "判断" in zh and "推进" in zh and "Advance" not in zh
    assert "Next week ▶" in en and not CJK.search(en.replace("中文", ""))


def test_two_lesson_pages_in_two_threads_share_neither_namespace_nor_language():
    barrier = threading.Barrier(2, timeout=120)
    runs: dict[str, LessonRun] = {}
    seen: dict[str, tuple] = {}
    errors: list[BaseException] = []

    def page(lang: str) -> None:
        try:
            run = LessonRun(lesson("02", lang))
            runs[lang] = run
            barrier.wait()
            run.run()
            barrier.wait()
            ns = run.namespace
            seen[lang] = (ns["lang"], ns["board"].lang, run.scope.lang, sf.get_language(), id(ns), ns["board"])
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=page, args=(lang,)) for lang in ("zh", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    try:
        assert not errors, errors
        assert seen["zh"][:3] == ("zh", "zh", "zh") and seen["en"][:3] == ("en", "en", "en")
        assert seen["zh"][3] == seen["en"][3] == "en"  # each run's scope stayed in its copy of the thread's context
        assert seen["zh"][4] != seen["en"][4] and seen["zh"][5] is not seen["en"][5]
        assert runs["zh"].namespace.keys() & {"board", "world"} and not set(vars(lessons)) & {"board", "world"}
        texts = {lang: " ".join(runs[lang].namespace["board"].texts()) for lang in runs}
        assert "下一周 ▶" in texts["zh"] and "Next week ▶" not in texts["zh"]
        assert "Next week ▶" in texts["en"] and "下一周" not in texts["en"]
        assert sf.get_language() == "en"  # the test's own context was never touched
    finally:
        for run in runs.values():
            run.close()


def _lesson(*sources: str, lang: str = "en") -> Lesson:
    info = LessonInfo("99", "99_probe", ("探针", "Probe"))
    cells = [Cell(2 * i, "markdown", "# Probe", (), markdown_html("# Probe", lang)) for i in range(1)]
    cells += [Cell(10 + i, "code", source) for i, source in enumerate(sources)]
    return Lesson(info, lang, tuple(cells))


def test_a_cell_shows_what_a_notebook_shows_and_a_failing_cell_a_short_note():
    run = LessonRun(_lesson(
        "import simfunnel as sf\nx = 3\nprint('hello', x)\nx",  # printed text, then the last value
        "x + 1;  # a quiet cell: nothing",
        "import ipywidgets\nbutton = ipywidgets.Button(description='Go')\ndisplay(button)\nprint('after')",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
        "import pandas as pd\npd.DataFrame({'a': [1]})",
        "1 / 0",
        "print(x * 2)",  # later cells still run
    ))
    before = _open_widgets()
    progress = run.run()
    out = progress.outputs
    assert [(p.kind, p.value) for p in out[10]] == [("text", "hello 3\n3\n")]
    assert out[11] == ()
    assert [p.kind for p in out[12]] == ["widget", "text"] and out[12][0].value.description == "Go"
    assert [p.kind for p in out[13]] == ["png"] and out[13][0].value[:4] == b"\x89PNG"
    assert [p.kind for p in out[14]] == ["html"] and "<table" in out[14][0].value
    assert [p.kind for p in out[15]] == ["error"]
    zh, en = out[15][0].value
    assert "ZeroDivisionError" in en and CJK.search(zh) and "Traceback" not in zh + en and "1 / 0" not in zh + en
    assert out[16][0].value == "6\n" and progress.done and progress.failed == 1
    assert "print" not in vars(lessons) and run.namespace["x"] == 3
    run.close()
    assert not _open_widgets() - before and not run.namespace


@pytest.mark.parametrize("backend", ["agg", "module://matplotlib_inline.backend_inline"])
def test_plt_show_shows_the_chart_where_it_is_called_whatever_the_backend(backend):
    """The inline backend (a process that once loaded IPython's) closes figures in ``plt.show()`` and draws
    them nowhere a page sees: CI lost a lesson's chart that way. Run in a fresh process per backend."""
    import subprocess
    import sys

    probe = (
        "import matplotlib, json\n"
        f"matplotlib.use({backend!r})\n"
        "from tests.test_lessons import _lesson\n"
        "from simfunnel.app.lessons import LessonRun\n"
        "src = 'import matplotlib.pyplot as plt\\nprint(1)\\nplt.plot([1, 2])\\nplt.show()\\nprint(2)\\n"
        "plt.bar([1], [2])'\n"
        "out = LessonRun(_lesson(src)).run().outputs[10]\n"
        "print(json.dumps([(p.kind, p.value if p.kind == 'text' else p.value[:4].decode('latin-1')) "
        "for p in out]))\n"
        "print(json.dumps(matplotlib.get_backend()))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=str(__import__("pathlib").Path(__file__).parent.parent))
    shown, used = done.stdout.strip().splitlines()[-2:]
    import json

    assert backend in json.loads(used).lower() or json.loads(used).lower() == backend
    assert json.loads(shown) == [["text", "1\n"], ["png", "\x89PNG"], ["text", "2\n"], ["png", "\x89PNG"]]


def test_closing_a_lesson_page_closes_every_widget_its_lesson_made():
    """Solara unmounts a page when its kernel closes (a closed tab, a culled connection): the effect's cleanup
    closes the run — the kit's widgets (their language listeners, their clocks), their trees, their parts."""
    import solara
    import solara.widgets

    from simfunnel.app.lesson_page import LessonView

    before = _open_widgets()
    _box, rc = solara.render(LessonView(lesson("07", "en")), handle_error=False)

    def classes() -> list[str]:
        return [w.attributes.get("class", "") for w in rc.find(solara.widgets.HTML).widgets]

    deadline = time.monotonic() + 120
    while "sf-lesson-done" not in classes():
        assert time.monotonic() < deadline, "the lesson did not finish"
        time.sleep(0.2)
    assert "sf-lesson-text" in classes() and len(_open_widgets() - before) > 300  # boards, a map, an allocation
    rc.close()
    time.sleep(0.2)
    left = [key for key in _open_widgets() - before if not _placeholder(key)]
    assert not left, f"{len(left)} widgets left open"


def test_markdown_has_formulas_as_images_tables_and_lesson_links():
    out = markdown_html("| a | $F'_t = F_t + \\hat O_t$ |\n|---|---|\n| x | y |\n\n"
                        "see [03](03_small_order_threshold.ipynb) and [08](08_workshop_play.ipynb); "
                        "cost $55 to $26,768; `$x$` stays code", "zh")
    assert out.count('<img class="sf-math"') == 1 and "<table>" in out and "$F'_t" not in out
    assert 'href="/lesson/03?lang=zh"' in out and 'href="/?lang=zh"' in out
    assert "$55 to $26,768" in out and "<code>$x$</code>" in out


PAGE_KERNEL_PROBE = r'''
import os
os.environ.pop("MPLBACKEND", None)
import solara.server.app  # noqa: F401 — Solara's patches, as the server has them (display, widgets, pyplot)
from solara.server import kernel, kernel_context
from simfunnel.app.lessons import Cell, Lesson, LessonInfo, LessonRun

cells = (
    Cell(0, "code", "from IPython.display import HTML, display\nimport ipywidgets\n"
                    "display(ipywidgets.Button(description='B'))\ndisplay(HTML('<b>hi</b>'))"),
    Cell(1, "code", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('after')"),
    Cell(2, "code", "plt.plot([3, 1])"),
)
with kernel_context.VirtualKernelContext(id="probe", kernel=kernel.Kernel(), session_id="s"):
    run = LessonRun(Lesson(LessonInfo("99", "99_probe", ("探针", "Probe")), "en", cells))
    progress = run.run()
    print([[piece.kind for piece in progress.outputs[i]] for i in range(3)])
    run.close()
'''


def test_in_a_page_kernel_ipython_display_and_plt_show_are_shown_in_place():
    """In the server, a page's kernel has Solara's display publisher: IPython's own ``display`` (a cell that
    imported it) and ``plt.show()`` (the inline backend) land in the cell's outputs, in order; a cell whose
    last value is ``plt.plot``'s lines shows the chart, not their repr. (A fresh process: Solara patches
    ipywidgets and pyplot for the whole process.)"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PAGE_KERNEL_PROBE], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[['widget', 'html'], ['png', 'text'], ['png']]"


def test_a_cell_draws_on_a_figure_of_its_own_not_one_left_open_elsewhere():
    """pyplot's current figure is the process's: a figure left open (another page's code, a test) must not
    swallow a lesson's plt.plot (CI lost a lesson chart that way)."""
    import matplotlib.pyplot as plt

    stray = plt.figure()
    try:
        out = LessonRun(_lesson("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
                                "print('no chart')")).run().outputs
        assert [p.kind for p in out[10]] == ["png"] and [p.kind for p in out[11]] == ["text"]
        assert not stray.axes and plt.fignum_exists(stray.number)  # untouched, still open
    finally:
        plt.close(stray)
