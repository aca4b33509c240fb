"""The trainer's printed package (issue 14 points 2-4): `make guide` builds the facilitator guide, the trainee
workbook and the opening slides, zh and en, HTML and PDF, offline, from one source (guide/content.py) and the
lessons themselves."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import chromium
from chart_checks import ALLOWED_IN_ZH

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"simfunnel_guide_{name}", ROOT / "guide" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


content = _load("content")


def test_the_half_day_adds_up_to_210_minutes_and_every_block_exists():
    half = sum(m for _, m in content.AGENDAS["half_day"]["blocks"])
    assert abs(half - 210) <= 10, half
    console = (ROOT / "notebooks" / "src" / "trainer_workshop.py").read_text("utf-8")
    for name, agenda in content.AGENDAS.items():
        for key, minutes in agenda["blocks"]:
            assert minutes > 0 and key in content.BLOCKS, (name, key)
    wheres = [b["where"] for b in content.BLOCKS.values()] + [w for _, ws in content.DECK_MAP for w in ws]
    for where in wheres:
        kind, _, step = where.partition(":")
        if kind == "notebook":
            assert (ROOT / "notebooks" / "src" / f"{step}.py").is_file(), where
        elif kind == "console":
            widget = content.CONSOLE_STEPS[step]
            assert f"{widget}(store)" in console, f"{where}: the console notebook has no {widget}"
        else:
            assert where == "break", where
    half_where = {content.BLOCKS[k]["where"] for k, _ in content.AGENDAS["half_day"]["blocks"]}
    assert {"console:rounds", "console:test", "console:debrief"} <= half_where  # the workshop rounds are in it


def test_make_guide_runs_the_builder():
    done = subprocess.run(["make", "-n", "guide"], cwd=ROOT, capture_output=True, text=True)
    assert "guide/build.py --out guide/build" in done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    chromium()  # the PDFs need it: a missing browser skips (fails under CI) with the install command
    out = tmp_path_factory.mktemp("guide")
    done = subprocess.run([sys.executable, str(ROOT / "guide" / "build.py"), "--out", str(out),
                           "--address", "http://192.168.1.20:8866/"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _visible_text(page: str) -> str:
    no_code = re.sub(r"<code>.*?</code>|<style>.*?</style>|<script>.*?</script>|<svg.*?</svg>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", no_code)


@pytest.mark.parametrize("name", ["guide", "workbook", "slides"])
def test_each_piece_is_built_in_both_languages_as_html_and_pdf_offline(built, name):
    for lang in ("zh", "en"):
        page = (built / f"{name}_{lang}.html").read_text("utf-8")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
        assert not re.search(r"""(src|href)=["']https?://""", page), "everything inside the file: no CDN"
        text = _visible_text(page).replace("http://192.168.1.20:8866/", "")
        if lang == "zh":
            words = set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED_IN_ZH
            assert not words, words
        else:
            assert not CJK.search(text), CJK.findall(text)[:10]
        pdf = built / f"{name}_{lang}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    assert "@media print" in page


def test_the_guide_holds_objectives_agendas_the_deck_map_the_checklist_and_the_scripts(built):
    page = (built / "guide_zh.html").read_text("utf-8")
    for heading in ("学习目标", "时间安排", "课程章节与本工具的对应", "教室清单", "开场", "结束", "术语表"):
        assert f">{heading}<" in page, heading
    assert "合计 210 分钟" in page and "make app IP=0.0.0.0" in page
    assert page.count("<tr>") > 30


def test_the_workbook_holds_every_lesson_s_exercises_with_room_to_write(built):
    from simfunnel.model import replies

    page = (built / "workbook_zh.html").read_text("utf-8")
    for number in ("01", "02", "03", "04", "05", "06", "09"):
        assert f">{number} " in page, number
    assert replies.replies().set_index("id").loc["c03", "zh"] in page  # 02's warm-up, as the app asks it
    assert "关系营销4步骤" in page and "记住他人的名字" in page and "回收账款" in page  # lesson 09
    assert page.count("class='box'") > 100 and "公式" in page and "术语表" in page


def test_the_slides_are_about_ten_with_the_funnel_and_the_join_address(built):
    page = (built / "slides_en.html").read_text("utf-8")
    assert 8 <= page.count("<section") <= 14
    assert "data:image/png;base64," in page and "<svg" in page  # the funnel chart and the address's QR code
    assert "The three indicators" in page and "Rules of the game" in page
