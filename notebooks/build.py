"""Build the training notebooks from one source: two languages × trainee and trainer editions.

    python notebooks/build.py            write every notebook
    python notebooks/build.py --check    write nothing; exit 1 and list the notebooks that
                                         differ from what the sources build (or are missing,
                                         or have no source any more)

Each ``notebooks/src/NN_name.py`` gives four notebooks::

    notebooks/en/NN_name.ipynb            trainee, English
    notebooks/zh/NN_name.ipynb            trainee, Chinese
    notebooks/trainer/en/NN_name.ipynb    trainer, English (solutions, timing, discussion)
    notebooks/trainer/zh/NN_name.ipynb    trainer, Chinese

A source named ``notebooks/src/trainer_<name>.py`` is a **trainer-only** notebook (the
workshop console, for instance): it gives ``notebooks/trainer/en/<name>.ipynb`` and
``notebooks/trainer/zh/<name>.ipynb`` and no trainee copies.

Edit the sources, never the ``.ipynb`` files: ``tests/test_notebooks.py`` fails when a
committed notebook differs from what its source builds.

Source format
-------------
A source is a Python file in the percent format of jupytext/VS Code/Spyder. Lines
before the first cell marker are a header for the authors and are not built. A cell
starts at a marker line::

    # %% [markdown] <tags>       a markdown cell: every line is "# text" (or a bare "#")
    # %% <tags>                  a code cell

Tags, separated by spaces, in any order:

``lang=en`` / ``lang=zh``
    The cell goes into that language's notebooks only. Without it the cell is shared by
    both languages (code, or markdown without words such as a formula). A cell with a
    ``lang`` tag must sit next to its twin in the other language, with the same kind and
    the same edition tag: the build refuses a source where one language has a cell the
    other lacks.
``trainer``
    Trainer editions only: solutions, expected answers, timing, discussion questions.
``exercise``
    Trainee editions only: the exercise as the trainee meets it — code that runs as it
    is, with a value for the trainee to change (never ``NotImplementedError``). Its
    solution is the ``trainer`` cell next to it.
``lab`` / ``app``
    Where a trainee meets the cell: ``lab`` only in the notebooks (how to run a cell in
    JupyterLab), ``app`` only on the no-code app's lesson page (what to click there;
    ``build_notebook(..., "app")`` gives that page's cells). Untagged cells are in both.

In markdown, a line that ends in a Chinese character runs on into the next line of its
paragraph without a space (Markdown would show the line break as a space), so Chinese
text can be wrapped in the source like English.

Inside code cells, two line-level forms keep one code cell for both languages:

- a whole-line comment ``# zh: 中文说明`` or ``# en: English note`` is kept, as
  ``# 中文说明`` / ``# English note``, in that language only;
- a code line ending in ``# lang=zh`` or ``# lang=en`` is kept, without that ending, in
  that language only — for the few words a table or a printed line shows::

      columns = ["Stage", "Win rate"]  # lang=en
      columns = ["阶段", "赢率"]  # lang=zh

The first code cell of every source imports the kit (``import simfunnel as sf``); the
build inserts ``sf.set_language("zh")`` or ``sf.set_language("en")`` after that line, so
charts and widgets speak the notebook's language. Trainer editions open with a banner
cell saying so. Cells are tagged in their metadata (``trainer``, ``exercise``) so tools
and tests can find them.

Outputs and determinism
-----------------------
The notebooks are committed **without outputs**: diffs stay readable, a trainee opens a
clean notebook, and nothing in the repository depends on font hinting, pandas reprs or
widget model ids. The JSON is what ``nbformat`` writes (nbformat 4.5, kernelspec
``python3``, keys sorted, one-space indent, UTF-8), with no execution counts or
timestamps, and each cell id is ``<notebook>-<n>`` where ``n`` numbers the cells of the
source: the same source builds the same bytes, so the drift test compares files exactly.

Under nbval (``--nbval-lax``) every cell must run without error. The numbers that must
not change are checked where they are computed: trainer solution cells ``assert`` the
expected answer (hand forecast = the kit's forecast, and so on), so a trainer copy fails
the test run when the kit and the lesson disagree. Stored reference outputs were not
used: pandas tables, money formatting and widget reprs would make such checks brittle
without making them stronger.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
LANGS = ("en", "zh")
EDITIONS = ("trainee", "trainer")
AUDIENCE_TAGS = ("trainer", "exercise")
PLACE_TAGS = ("lab", "app")  # JupyterLab's notebooks only / the no-code app's lesson pages only
IMPORT_LINE = "import simfunnel as sf"
MARKER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<tags>(?: +\S+)*) *$")
LANG_COMMENT = re.compile(r"^(?P<indent>\s*)# (?P<lang>zh|en): ?(?P<text>.*)$")
CJK_END = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef][*_`]*$")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|[>|#]|\d+[.)]\s|```|\$\$)")
LANG_LINE = re.compile(r"^(?P<code>.*?)\s*# lang=(?P<lang>zh|en)\s*$")

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
SET_LANGUAGE = {
    "en": 'sf.set_language("en")  # the kit\'s language: "en" English, "zh" 中文',
    "zh": 'sf.set_language("zh")  # 界面语言："zh" 中文，"en" English',
}
BANNER = {
    "en": (
        "> **Trainer edition** — with solutions, expected answers and facilitation notes "
        "(cells tagged `trainer`). Trainees use `notebooks/en/`."
    ),
    "zh": "> **讲师版**——含参考答案、预期结果和讲师备注（标记为 `trainer` 的单元格）。学员请使用 `notebooks/zh/`。",
}

TRAINER_ONLY_BANNER = {
    "en": "> **Trainer notebook** — for the trainer's machine; trainees play in the app (`make app`) or in `notebooks/en/`.",
    "zh": "> **讲师专用**——在讲师的电脑上运行；学员在网页应用（`make app`）或 `notebooks/zh/` 中练习。",
}


class SourceError(ValueError):
    """A source file that cannot be built; the message names the file and line."""


@dataclass
class Cell:
    """One cell of a source file."""

    kind: str  # "markdown" or "code"
    lang: str | None  # None: both languages
    audience: str | None  # None: both editions; "trainer" or "exercise"
    lines: list[str]
    line_no: int  # of the marker, 1-based
    index: int = 0  # position among the source's cells
    place: str | None = None  # None: notebooks and app; "lab" or "app"
    tags: list[str] = field(default_factory=list)


def parse(path: Path) -> list[Cell]:
    """Split a source file into cells; SourceError names the file and line of a bad marker or cell."""
    text = path.read_text("utf-8")
    cells: list[Cell] = []
    current: Cell | None = None
    for no, line in enumerate(text.splitlines(), start=1):
        if line.startswith("# %%"):
            m = MARKER.match(line)
            if not m:
                raise SourceError(f"{path.name}, line {no}: cannot read the cell marker {line!r}")
            current = _cell(path, no, "markdown" if m["md"] else "code", m["tags"].split())
            cells.append(current)
        elif current is not None:
            current.lines.append(line)
    for i, cell in enumerate(cells):
        cell.index = i
        while cell.lines and not cell.lines[-1].strip():
            cell.lines.pop()
        while cell.lines and not cell.lines[0].strip():
            cell.lines.pop(0)
        if not cell.lines:
            raise SourceError(f"{path.name}, line {cell.line_no}: empty cell")
        if cell.kind == "markdown":
            bad = [ln for ln in cell.lines if ln and not (ln == "#" or ln.startswith("# "))]
            if bad:
                raise SourceError(
                    f"{path.name}, cell at line {cell.line_no}: markdown lines must start with '# ', got {bad[0]!r}"
                )
            cell.lines = _join_cjk([ln[2:] if ln.startswith("# ") else "" for ln in cell.lines])
    _check_twins(path, cells)
    return cells


def _join_cjk(lines: list[str]) -> list[str]:
    """Join a markdown line that ends in a Chinese character to the next line of its paragraph.

    Markdown turns a line break inside a paragraph into a space, which is right between
    English words and wrong between Chinese characters (一个 空格). Sources stay wrapped
    at a readable width; the built notebook gets one line per Chinese paragraph.
    """
    out: list[str] = []
    for line in lines:
        if out and CJK_END.search(out[-1]) and line.strip() and not BLOCK_START.match(line):
            rest = line.strip()
            visible = rest.lstrip("*_`[") or rest  # the first character a reader sees
            out[-1] += (" " if visible[0].isascii() else "") + rest  # 第 13 周: a space next to Latin text
        else:
            out.append(line)
    return out


def _cell(path: Path, no: int, kind: str, tags: list[str]) -> Cell:
    lang = audience = place = None
    for tag in tags:
        if tag.startswith("lang="):
            lang = tag[5:]
            if lang not in LANGS:
                raise SourceError(f"{path.name}, line {no}: language {lang!r} is not one of {', '.join(LANGS)}")
        elif tag in AUDIENCE_TAGS:
            if audience is not None:
                raise SourceError(f"{path.name}, line {no}: a cell is either 'trainer' or 'exercise', not both")
            audience = tag
        elif tag in PLACE_TAGS:
            if place is not None:
                raise SourceError(f"{path.name}, line {no}: a cell is either 'lab' or 'app', not both")
            place = tag
        else:
            raise SourceError(
                f"{path.name}, line {no}: unknown tag {tag!r}; tags are lang=en, lang=zh, trainer, exercise, lab, app"
            )
    return Cell(kind, lang, audience, [], no, tags=[t for t in (audience, place) if t], place=place)


def _check_twins(path: Path, cells: list[Cell]) -> None:
    """Every language-specific cell sits next to its twin in the other language (same kind and edition)."""
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.lang is None:
            i += 1
            continue
        twin = cells[i + 1] if i + 1 < len(cells) else None
        if twin is None or twin.lang in (None, cell.lang) or \
                (twin.kind, twin.audience, twin.place) != (cell.kind, cell.audience, cell.place):
            other = "zh" if cell.lang == "en" else "en"
            what = f"{cell.kind}{' ' + cell.audience if cell.audience else ''}{' ' + cell.place if cell.place else ''}"
            raise SourceError(
                f"{path.name}, line {cell.line_no}: this lang={cell.lang} {what} cell needs its lang={other} "
                f"twin right after it"
            )
        i += 2


def _code_lines(lines: list[str], lang: str) -> list[str]:
    out = []
    for line in lines:
        comment, tagged = LANG_COMMENT.match(line), LANG_LINE.match(line)
        if comment is not None:
            if comment["lang"] == lang:
                out.append(f"{comment['indent']}# {comment['text']}".rstrip())
        elif tagged is not None:
            if tagged["lang"] == lang:
                out.append(tagged["code"])
        else:
            out.append(line)
    return out


def _source(lines: list[str]) -> list[str]:
    """Lines as nbformat stores them: each ends in a newline except the last."""
    text = "\n".join(lines)
    return text.splitlines(keepends=True)


def build_notebook(path: Path, lang: str, edition: str) -> dict:
    """The notebook (as a JSON-ready dict) built from one source for one language and edition: ``trainee``,
    ``trainer``, or ``app`` (the trainee cells the no-code app shows: ``lab`` cells out, ``app`` cells in;
    never written to a file)."""
    stem = path.stem.removeprefix(TRAINER_ONLY)
    cells = parse(path)
    out: list[dict] = []
    if edition == "trainer":
        banner = TRAINER_ONLY_BANNER if path.stem.startswith(TRAINER_ONLY) else BANNER
        out.append(_md(f"{stem}-banner", [banner[lang]], ["trainer"]))
    injected = False
    for cell in cells:
        if cell.lang not in (None, lang):
            continue
        if cell.audience == "trainer" and edition != "trainer":
            continue
        if cell.audience == "exercise" and edition not in ("trainee", "app"):
            continue
        if (cell.place == "app") != (edition == "app") and cell.place is not None:
            continue  # a lab cell is not in the app's edition; an app cell is only there
        cell_id = f"{stem}-{cell.index:02d}"
        if cell.kind == "markdown":
            out.append(_md(cell_id, cell.lines, cell.tags))
            continue
        lines = _code_lines(cell.lines, lang)
        if not injected:
            if IMPORT_LINE not in lines:
                raise SourceError(f"{path.name}, line {cell.line_no}: the first code cell must hold '{IMPORT_LINE}'")
            at = lines.index(IMPORT_LINE) + 1
            lines = lines[:at] + [SET_LANGUAGE[lang]] + lines[at:]
            injected = True
        out.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": cell_id,
                "metadata": {"tags": cell.tags} if cell.tags else {},
                "outputs": [],
                "source": _source(lines),
            }
        )
    if not injected:
        raise SourceError(f"{path.name}: no code cell; the first code cell must hold '{IMPORT_LINE}'")
    return {
        "cells": out,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": LANGUAGE_INFO,
            "simfunnel": {
                "edition": edition,
                "language": lang,
                "source": f"notebooks/src/{path.name}",
                "note": "generated by notebooks/build.py; edit the source, not this file",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _md(cell_id: str, lines: list[str], tags: list[str]) -> dict:
    return {
        "cell_type": "markdown",
        "id": cell_id,
        "metadata": {"tags": tags} if tags else {},
        "source": _source(lines),
    }


def dumps(nb: dict) -> str:
    """The notebook's file text, as nbformat writes it (sorted keys, one-space indent, UTF-8)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


TRAINER_ONLY = "trainer_"


def target(root: Path, stem: str, lang: str, edition: str) -> Path:
    """Where the notebook of one source, language and edition lives under ``root`` (``notebooks/``)."""
    folder = root / lang if edition == "trainee" else root / "trainer" / lang
    return folder / f"{stem.removeprefix(TRAINER_ONLY)}.ipynb"


def editions(path: Path) -> tuple[str, ...]:
    """The editions a source builds: both, or only the trainer's for a ``trainer_*.py`` source."""
    return ("trainer",) if path.stem.startswith(TRAINER_ONLY) else EDITIONS


def sources(src: Path = SRC) -> list[Path]:
    """The notebook sources: the course in order, then the trainer-only notebooks."""
    return sorted(src.glob("[0-9][0-9]_*.py")) + sorted(src.glob(f"{TRAINER_ONLY}*.py"))


def build_all(root: Path = HERE) -> dict[Path, str]:
    """Every notebook path under ``root`` with the text its source builds."""
    out = {}
    for path in sources(root / "src"):
        for lang in LANGS:
            for edition in editions(path):
                out[target(root, path.stem, lang, edition)] = dumps(build_notebook(path, lang, edition))
    return out


def built_folders(root: Path = HERE) -> list[Path]:
    """The four folders that hold built notebooks."""
    return [root / "en", root / "zh", root / "trainer" / "en", root / "trainer" / "zh"]


def differences(root: Path = HERE) -> list[str]:
    """Notebooks that differ from what the sources build, are missing, or have no source (relative paths)."""
    wanted = build_all(root)
    problems = []
    for path, text in wanted.items():
        rel = path.relative_to(root)
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.read_text("utf-8") != text:
            problems.append(f"{rel}: differs from its source")
    for folder in built_folders(root):
        for path in sorted(folder.glob("*.ipynb")):
            if path not in wanted:
                problems.append(f"{path.relative_to(root)}: no source in src/ (remove it)")
    return problems


def write_all(root: Path = HERE) -> list[Path]:
    """Write every notebook whose text changed; remove built notebooks that lost their source."""
    wanted = build_all(root)
    changed = []
    for path, text in wanted.items():
        if not path.is_file() or path.read_text("utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            changed.append(path)
    for folder in built_folders(root):
        for path in folder.glob("*.ipynb"):
            if path not in wanted:
                path.unlink()
                changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing notebooks that differ")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = differences()
            for line in problems:
                print(line)
            if problems:
                print("run: python notebooks/build.py", file=sys.stderr)
            return 1 if problems else 0
        for path in write_all():
            print(f"wrote {path.relative_to(HERE)}" if path.exists() else f"removed {path.relative_to(HERE)}")
        return 0
    except SourceError as exc:
        print(f"notebooks/src/{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
