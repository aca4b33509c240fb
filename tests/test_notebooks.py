"""The training notebooks: built from one source, complete, and in the right language.

``notebooks/src/NN_name.py`` builds four notebooks (``notebooks/build.py``). The drift
test below fails when a committed notebook differs from what its source builds. The
notebooks are committed without outputs (see build.py): nbval runs each of them in all
four folders (``make test`` passes ``--nbval-lax --nbval-current-env … notebooks``;
set-up in ``notebooks/conftest.py``), so a cell that raises, or a trainer copy whose
expected answer no longer holds, fails the run. Timing budgets (≤ 10 s per trainee
notebook, ≤ 3 min for all) are measured by ``benchmarks/notebook_timings.py``, not here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COURSE = (
    "00_start_here",
    "01_stages_and_win_rates",
    "02_moving_deals",
    "03_small_order_threshold",
    "04_forecast_and_progress",
    "05_testing_win_rate_assumptions",
    "06_real_crm_data",
    "07_accounts_and_people",
    "08_workshop_play",
    "09_relationships_and_trust",
)
# Trainer-only notebooks (notebooks/src/trainer_<name>.py → trainer/{en,zh}/<name>.ipynb).
TRAINER_ONLY = ("workshop",)
FOLDERS = {  # folder → (language, edition)
    "en": ("en", "trainee"),
    "zh": ("zh", "trainee"),
    "trainer/en": ("en", "trainer"),
    "trainer/zh": ("zh", "trainer"),
}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
TRAINER_WORDS = ("Solution", "Trainer note", "Expected answer", "参考答案", "讲师备注", "讲师版", "预期答案")


def _load_build():
    spec = importlib.util.spec_from_file_location("simfunnel_notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _load_build()


def _notebook(folder: str, stem: str) -> dict:
    return json.loads((NOTEBOOKS / folder / f"{stem}.ipynb").read_text("utf-8"))


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _stems(folder: str) -> tuple[str, ...]:
    return COURSE + TRAINER_ONLY if FOLDERS[folder][1] == "trainer" else COURSE


ALL = [(folder, stem) for folder in FOLDERS for stem in _stems(folder)]


# --- one source ----------------------------------------------------------------------
def test_committed_notebooks_equal_what_the_sources_build():
    problems = build.differences()
    assert not problems, "notebooks differ from notebooks/src — run `python notebooks/build.py`:\n" + "\n".join(
        problems
    )


def test_build_check_exits_1_and_lists_a_changed_notebook(tmp_path, capsys):
    root = tmp_path / "notebooks"
    (root / "src").mkdir(parents=True)
    source = NOTEBOOKS / "src" / "00_start_here.py"
    (root / "src" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    build.write_all(root)
    assert build.differences(root) == []
    changed = root / "zh" / "00_start_here.ipynb"
    changed.write_text(changed.read_text("utf-8").replace("销售漏斗", "销售管道"), "utf-8")
    (root / "en" / "99_orphan.ipynb").write_text("{}", "utf-8")
    assert build.differences(root) == [
        "zh/00_start_here.ipynb: differs from its source",
        "en/99_orphan.ipynb: no source in src/ (remove it)",
    ]
    build.write_all(root)
    assert build.differences(root) == [] and not (root / "en" / "99_orphan.ipynb").exists()


def test_the_sources_are_the_course():
    assert tuple(p.stem for p in build.sources()) == COURSE + tuple(f"trainer_{s}" for s in TRAINER_ONLY)


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_notebook_exists_in_every_folder_and_nothing_else(folder):
    assert sorted(p.stem for p in (NOTEBOOKS / folder).glob("*.ipynb")) == sorted(_stems(folder))


@pytest.mark.parametrize("folder,stem", ALL)
def test_notebook_is_valid_clean_and_deterministic(folder, stem):
    path = NOTEBOOKS / folder / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    lang, edition = FOLDERS[folder]
    assert (nb.metadata.simfunnel.language, nb.metadata.simfunnel.edition) == (lang, edition)
    ids = [c.id for c in nb.cells]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"{stem}-") for i in ids)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit notebooks without outputs"
    # byte for byte what nbformat itself would write: Jupyter re-saves it without a diff
    assert path.read_text("utf-8") == nbformat.writes(nb) + "\n"


# --- editions ------------------------------------------------------------------------
@pytest.mark.parametrize("folder,stem", [(f, s) for f, s in ALL if FOLDERS[f][1] == "trainee"])
def test_trainee_copies_hold_no_trainer_cells(folder, stem):
    for cell in _notebook(folder, stem)["cells"]:
        assert "trainer" not in cell["metadata"].get("tags", []), cell["id"]
        text = _text(cell)
        for word in TRAINER_WORDS:
            assert word not in text, f"{cell['id']}: {word!r} in a trainee copy"
        assert "NotImplementedError" not in text  # exercises run as they are
        assert not re.search(r"^\s*assert\b", text, flags=re.MULTILINE), f"{cell['id']}: a check belongs in the trainer copy"


@pytest.mark.parametrize("folder,stem", [(f, s) for f, s in ALL if FOLDERS[f][1] == "trainer"])
def test_trainer_copies_hold_notes_and_no_exercise_cells(folder, stem):
    cells = _notebook(folder, stem)["cells"]
    tags = [t for c in cells for t in c["metadata"].get("tags", [])]
    assert "exercise" not in tags
    notes = [c for c in cells if "trainer" in c["metadata"].get("tags", []) and c["cell_type"] == "markdown"]
    assert len(notes) >= 2, "a banner and at least one facilitation note"
    assert any(re.search(r"\d+ (min|分钟)", _text(c)) for c in notes), "the notes give the timing"


@pytest.mark.parametrize("stem", COURSE)
def test_every_exercise_has_a_trainer_solution_next_to_it(stem):
    cells = build.parse(NOTEBOOKS / "src" / f"{stem}.py")
    for i, cell in enumerate(cells):
        if cell.audience == "exercise":
            neighbours = [c for c in cells[max(0, i - 2) : i + 3] if c.audience == "trainer" and c.kind == "code"]
            assert neighbours, f"{stem}: exercise at line {cell.line_no} has no trainer solution beside it"


# --- languages -----------------------------------------------------------------------
@pytest.mark.parametrize("folder,stem", ALL)
def test_markdown_is_in_the_notebooks_language(folder, stem):
    lang, _ = FOLDERS[folder]
    for cell in _notebook(folder, stem)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _text(cell)
        if lang == "en":
            assert not CJK.search(text), f"{cell['id']}: Chinese in an English notebook: {CJK.search(text)[0]!r}"
        elif re.search(r"[A-Za-z]{3}", re.sub(r"`[^`]*`|\([^)]*\.ipynb\)", "", text)):
            assert CJK.search(text), f"{cell['id']}: a Chinese notebook's text cell has no Chinese"


@pytest.mark.parametrize("folder,stem", ALL)
def test_code_speaks_the_notebooks_language(folder, stem):
    lang, _ = FOLDERS[folder]
    code = [c for c in _notebook(folder, stem)["cells"] if c["cell_type"] == "code"]
    assert f'sf.set_language("{lang}")' in _text(code[0])
    if lang == "en":  # comments and printed words; the language switch names 中文 on purpose
        for cell in code:
            for line in _text(cell).splitlines():
                if not line.startswith("sf.set_language("):
                    assert not CJK.search(line), f"{cell['id']}: {line!r}"


# --- the source format ---------------------------------------------------------------
def _source(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "07_demo.py"
    path.write_text(text, "utf-8")
    return path


def test_source_format_languages_editions_and_inline_tags(tmp_path):
    path = _source(
        tmp_path,
        "# header, not built\n"
        "# %% [markdown] lang=en\n# # Title\n#\n# Two\n# lines.\n"
        "# %% [markdown] lang=zh\n# # 标题\n#\n# 两行\n# 中文。\n"
        "# %%\nimport simfunnel as sf\n# en: English comment\n# zh: 中文注释\n"
        'x = "en"  # lang=en\nx = "zh"  # lang=zh\n'
        "# %% exercise\nanswer = 0\n"
        "# %% trainer\nanswer = 42\nassert answer == 42\n",
    )
    zh = build.build_notebook(path, "zh", "trainee")
    assert ["".join(c["source"]) for c in zh["cells"]] == [
        "# 标题\n\n两行中文。",
        'import simfunnel as sf\nsf.set_language("zh")  # 界面语言："zh" 中文，"en" English\n# 中文注释\nx = "zh"',
        "answer = 0",
    ]
    en_trainer = build.build_notebook(path, "en", "trainer")
    texts = ["".join(c["source"]) for c in en_trainer["cells"]]
    assert texts[0].startswith("> **Trainer edition**")
    assert texts[1] == "# Title\n\nTwo\nlines."
    assert 'x = "en"' in texts[2] and "English comment" in texts[2] and "中文" not in texts[2].splitlines()[2]
    assert texts[3] == "answer = 42\nassert answer == 42"
    assert [c["id"] for c in en_trainer["cells"]] == ["07_demo-banner", "07_demo-00", "07_demo-02", "07_demo-04"]
    assert build.dumps(en_trainer) == build.dumps(build.build_notebook(path, "en", "trainer"))


def test_lab_cells_stay_in_the_notebooks_and_app_cells_only_on_the_app_s_page(tmp_path):
    path = _source(
        tmp_path,
        "# %%\nimport simfunnel as sf\n"
        "# %% [markdown] lab\n# Press Shift + Enter.\n"
        "# %% [markdown] app\n# Press Check answers.\n"
        "# %% exercise\nanswer = 0\n"
        "# %% trainer\nanswer = 42\n",
    )
    texts = {edition: ["".join(c["source"]) for c in build.build_notebook(path, "en", edition)["cells"]]
             for edition in ("trainee", "trainer", "app")}
    assert "Press Shift + Enter." in texts["trainee"] and "Press Shift + Enter." in texts["trainer"]
    assert "Press Check answers." not in texts["trainee"] + texts["trainer"]
    assert "Press Check answers." in texts["app"] and "Press Shift + Enter." not in texts["app"]
    assert "answer = 0" in texts["app"] and "answer = 42" not in texts["app"]  # the trainee's cells, not the trainer's
    lab = next(c for c in build.build_notebook(path, "en", "trainee")["cells"] if "Shift" in "".join(c["source"]))
    assert lab["metadata"]["tags"] == ["lab"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("# %% [markdown] lang=en\n# Only English\n# %%\nimport simfunnel as sf\n", "needs its lang=zh twin"),
        ("# %% lab app\nx = 1\n", "either 'lab' or 'app'"),
        ("# %% [markdown] lab lang=en\n# A\n# %% [markdown] lang=zh\n# 甲\n", "needs its lang=zh twin"),
        ("# %% [markdown] lang=fr\n# Bonjour\n", "language 'fr'"),
        ("# %% solution\nx = 1\n", "unknown tag 'solution'"),
        ("# %% trainer exercise\nx = 1\n", "either 'trainer' or 'exercise'"),
        ("# %% [markdown]\nno hash\n", "must start with '# '"),
        ("# %%\nimport pandas\n", "must hold 'import simfunnel as sf'"),
    ],
)
def test_source_errors_name_the_file_and_line(tmp_path, text, message):
    path = _source(tmp_path, text)
    with pytest.raises(build.SourceError, match=re.escape(message)) as err:
        build.build_notebook(path, "en", "trainee")
    assert str(err.value).startswith("07_demo.py")


@pytest.mark.parametrize("folder,stem", ALL)
def test_markdown_renders_without_stray_emphasis_marks(folder, stem):
    # CommonMark does not close **粗体：**后面 (a full-width colon before the closing marks and a
    # character right after them): the reader sees the asterisks. Write **粗体**：后面 instead.
    mistune = pytest.importorskip("mistune")
    render = mistune.create_markdown(plugins=["table", "math"])
    for cell in _notebook(folder, stem)["cells"]:
        if cell["cell_type"] == "markdown":
            html = re.sub(r"<code>.*?</code>|\$[^$]*\$", "", render(_text(cell)), flags=re.DOTALL)
            stray = re.search(r".{0,12}(?<![\\*])\*{1,2}(?!\*).{0,12}", html)
            assert not stray, f"{cell['id']}: unrendered emphasis near {stray[0]!r}"


@pytest.mark.parametrize("folder,stem", [(f, s) for f, s in ALL if f in ("zh", "trainer/zh")])
def test_chinese_paragraphs_have_no_spaces_from_line_breaks(folder, stem):
    # Markdown shows a line break inside a paragraph as a space: 一个 空格 between two characters.
    # build.py joins the wrapped lines of a Chinese paragraph; this checks that it did.
    gap = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef][*_]*(?: |\n(?!\n))[*_]*[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
    for cell in _notebook(folder, stem)["cells"]:
        if cell["cell_type"] == "markdown":
            hit = gap.search(_text(cell))
            assert not hit, f"{cell['id']}: a space between Chinese characters near {hit[0]!r}"
