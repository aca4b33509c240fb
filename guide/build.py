"""Build the trainer's printed package from one source (``guide/content.py`` and the lessons themselves):

    python guide/build.py [--out guide/build] [--no-pdf] [--address http://192.168.1.20:8866/]

writes, for zh and en:

- ``guide_<lang>.html`` — the facilitator guide (讲师手册): learning objectives, the half-day and full-day agendas
  (each block: notebook or console step, minutes, what to say, expected answers, discussion questions), the map
  from the course deck's chapters to the notebooks and the console, the room checklist, the opening and closing
  scripts, and the glossary;
- ``workbook_<lang>.html`` — the trainee workbook: every exercise of the lessons as the app shows it (the lessons
  are run by the app's own runner, so the questions are the lessons' own), with room to write; the formulas; the
  glossary;
- ``slides_<lang>.html`` — about ten opening slides (the funnel, the three indicators, the rules of the game),
  one HTML file with everything inside (charts as data, no CDN): arrow keys or a click move on;
- the same three as PDF, printed by Debian's Chromium (``/usr/bin/chromium --headless --print-to-pdf``) when it is
  installed; ``--no-pdf`` skips them. Everything is built offline.

``make guide`` runs it. The HTML pages carry print styles (A4; the slides: one 16:9 page per slide).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import content  # noqa: E402  (guide/content.py: the one source of the texts)

LANGS = ("zh", "en")
WORKBOOK_LESSONS = ("01", "02", "03", "04", "05", "06", "09")
LABELS = {
    "guide": ("讲师手册", "Facilitator guide"),
    "workbook": ("学员练习册", "Trainee workbook"),
    "slides": ("开场幻灯片", "Opening slides"),
    "objectives": ("学习目标", "Learning objectives"),
    "agendas": ("时间安排", "Agendas"),
    "time": ("时间", "Time"), "minutes": ("分钟", "Minutes"), "block": ("内容", "Block"), "where": ("在哪里", "Where"),
    "say": ("讲什么", "What to say"), "expected": ("预期答案", "Expected answers"),
    "questions": ("讨论题", "Discussion questions"), "total": ("合计 {m} 分钟", "Total {m} minutes"),
    "deck": ("课程章节与本工具的对应", "The course deck and the kit"), "chapter": ("课程章节", "Chapter"),
    "checklist": ("教室清单", "Room checklist"), "opening": ("开场", "Opening"), "closing": ("结束", "Closing"),
    "glossary": ("术语表", "Glossary"), "formulas": ("公式", "Formulas"),
    "notebook": ("第 {n} 课", "Lesson {n}"), "console": ("控制台：{w}", "Console: {w}"), "break": ("休息", "Break"),
    "answer": ("答：", "Answer:"), "several": ("（可多选）", "(tick all that apply)"),
    "live": ("在页面上的面板里完成，记下你的结果：", "Done in the page's panel; write down your result:"),
    "names": ("在页面上玩：记住几位客户的名字，再按职务认出他们。", "Played on the page: remember the names, then "
                                                               "recognise each person by their job."),
    "name_line": ("记下的名字：", "Names you remembered:"),
    "address": ("地址：{a}", "Address: {a}"), "address_blank": ("地址：__________________", "Address: ________________"),
    "keys": ("← → 翻页", "← → to move"),
}
CONSOLE_NAMES = {"test": ("课前/课后测验", "pre/post test"), "rounds": ("回合控制", "round control"),
                 "leaderboard": ("排行榜", "leaderboard"), "debrief": ("复盘面板", "debrief panel")}


def t(key: str, lang: str, **fields: object) -> str:
    pair = LABELS[key]
    return (pair[0] if lang == "zh" else pair[1]).format(**fields)


def tx(pair, lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def esc(text: str) -> str:
    """HTML-escaped, with `code` spans."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
     max-width:900px;margin:24px auto;padding:0 16px;color:#222;line-height:1.55;font-size:14px}
h1{font-size:26px;border-bottom:3px solid #1f5fa8;padding-bottom:6px} h2{font-size:20px;margin-top:28px;color:#1f5fa8}
h3{font-size:16px;margin:18px 0 4px 0} table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #c9d3e0;padding:4px 8px;vertical-align:top;text-align:left;font-size:13px}
th{background:#eef4fb;white-space:nowrap} code{background:#f2f5f9;padding:0 3px;border-radius:3px;font-size:12.5px}
.muted{color:#666} .q{margin:8px 0 12px 0;page-break-inside:avoid} .lines{border-bottom:1px solid #999;height:26px}
.box{display:inline-block;width:11px;height:11px;border:1px solid #555;margin-right:6px;vertical-align:-1px}
ol.opts{list-style:none;padding-left:14px;margin:2px 0} .ex{page-break-inside:avoid;margin-bottom:14px}
@media print{body{margin:0;max-width:none;font-size:12px} h2{page-break-after:avoid} a{color:inherit;text-decoration:none}
 .noprint{display:none}}
@page{size:A4;margin:16mm 14mm}
"""


def page(title: str, body: list[str], lang: str, css: str = CSS, script: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n" + "\n".join(body)
            + (f"\n<script>{script}</script>" if script else "") + "\n</body>\n</html>\n")


def where_text(where: str, lang: str) -> str:
    kind, _, name = where.partition(":")
    if kind == "notebook":
        return t("notebook", lang, n=name[:2]) + f" <code>{html.escape(name)}</code>"
    if kind == "console":
        return html.escape(t("console", lang, w=tx(CONSOLE_NAMES[name], lang)))
    return html.escape(t("break", lang))


def glossary_html(lang: str) -> list[str]:
    from simfunnel import i18n

    rows = "".join(f"<tr><td><b>{html.escape(g['zh'] if lang == 'zh' else g['en'])}</b>"
                   f"{'' if lang == 'zh' else ''}</td><td>{html.escape(g['def_zh'] if lang == 'zh' else g['def_en'])}</td></tr>"
                   for g in i18n.glossary())
    return [f"<h2>{t('glossary', lang)}</h2>", f"<table>{rows}</table>"]


def agenda_minutes(name: str) -> int:
    return sum(m for _, m in content.AGENDAS[name]["blocks"])


def guide_html(lang: str) -> str:
    body = [f"<h1>{t('guide', lang)}</h1>"]
    body.append(f"<h2>{t('objectives', lang)}</h2><ul>")
    for key, block in content.BLOCKS.items():
        if block["where"] != "break":
            body.append(f"<li><b>{esc(tx(block['title'], lang))}</b>：{esc(tx(block['objective'], lang))}</li>"
                        if lang == "zh" else
                        f"<li><b>{esc(tx(block['title'], lang))}</b>: {esc(tx(block['objective'], lang))}</li>")
    body.append("</ul>")
    body.append(f"<h2>{t('agendas', lang)}</h2>")
    for name, agenda in content.AGENDAS.items():
        body.append(f"<h3>{esc(tx(agenda['title'], lang))} · {t('total', lang, m=agenda_minutes(name))}</h3>")
        rows, clock = [], 0
        for key, minutes in agenda["blocks"]:
            block = content.BLOCKS[key]
            questions = "".join(f"<li>{esc(tx(q, lang))}</li>" for q in block["questions"])
            detail = ""
            if block["where"] != "break":
                detail = (f"<b>{t('say', lang)}</b> {esc(tx(block['say'], lang))}<br>"
                          f"<b>{t('expected', lang)}</b> {esc(tx(block['expected'], lang))}"
                          + (f"<br><b>{t('questions', lang)}</b><ul style='margin:0'>{questions}</ul>" if questions else ""))
            rows.append(f"<tr><td>{clock // 60}:{clock % 60:02d}</td><td>{minutes}</td>"
                        f"<td><b>{esc(tx(block['title'], lang))}</b><br><span class='muted'>"
                        f"{where_text(block['where'], lang)}</span></td><td>{detail}</td></tr>")
            clock += minutes
        body.append(f"<table><tr><th>{t('time', lang)}</th><th>{t('minutes', lang)}</th><th>{t('block', lang)}</th>"
                    f"<th>{t('say', lang)} · {t('expected', lang)}</th></tr>{''.join(rows)}</table>")
    body.append(f"<h2>{t('deck', lang)}</h2><table><tr><th>{t('chapter', lang)}</th><th>{t('where', lang)}</th></tr>")
    for chapter, wheres in content.DECK_MAP:
        body.append(f"<tr><td>{esc(tx(chapter, lang))}</td><td>{'<br>'.join(where_text(w, lang) for w in wheres)}</td></tr>")
    body.append("</table>")
    body.append(f"<h2>{t('checklist', lang)}</h2><ul>"
                + "".join(f"<li><span class='box'></span>{esc(tx(item, lang))}</li>" for item in content.CHECKLIST)
                + "</ul>")
    for key, script in (("opening", content.OPENING), ("closing", content.CLOSING)):
        body.append(f"<h2>{t(key, lang)}</h2>" + "".join(f"<p>{esc(tx(p, lang))}</p>" for p in script))
    body += glossary_html(lang)
    return page(t("guide", lang), body, lang)


def lesson_exercises(lang: str) -> list[tuple[str, list]]:
    """Each workbook lesson's title and its exercises in page order, from the app's own run of the lesson."""
    from simfunnel.app.lessons import LessonRun, catalogue, lesson
    from simfunnel.widgets.exercise import Exercise
    from simfunnel.widgets.names_game import NamesGame

    titles = {info.number: info.title(lang) for info in catalogue()}
    out = []
    for number in WORKBOOK_LESSONS:
        run = LessonRun(lesson(number, lang))
        try:
            run.run()
            found = run.shown_widgets(Exercise, NamesGame)
            out.append((f"{number} {titles[number]}", found))
        finally:
            run.close()
    return out


def question_html(n: int, q, lang: str) -> str:
    from simfunnel.widgets.exercise import Choice, Live, Number, Sort

    prompt = f"<b>{n}.</b> {esc(tx(q.prompt, lang))}"
    if isinstance(q, Choice):
        extra = f" <span class='muted'>{t('several', lang)}</span>" if q.several else ""
        short = max(len(tx(o, lang)) for o in q.options) <= (8 if lang == "zh" else 16)
        style = " style='display:inline-block;margin-right:22px'" if short else ""  # short options on one line
        opts = "".join(f"<li{style}><span class='box'></span>{esc(tx(o, lang))}</li>" for o in q.options)
        return f"<div class='q'>{prompt}{extra}<ol class='opts'>{opts}</ol></div>"
    if isinstance(q, Sort):
        head = "".join(f"<th>{esc(tx(b, lang))}</th>" for b in q.bins)
        rows = "".join(f"<tr><td>{esc(tx(c, lang))}</td>" + "<td><span class='box'></span></td>" * len(q.bins) + "</tr>"
                       for c, _ in q.cards)
        return f"<div class='q'>{prompt}<table><tr><th></th>{head}</tr>{rows}</table></div>"
    if isinstance(q, Number):
        unit = f" {esc(tx(q.unit, lang))}" if any(q.unit) else ""
        return f"<div class='q'>{prompt}<p>{t('answer', lang)} ____________________{unit}</p></div>"
    if isinstance(q, Live):
        return f"<div class='q'>{prompt}<p class='muted'>{t('live', lang)}</p><div class='lines'></div></div>"
    return f"<div class='q'>{prompt}<div class='lines'></div><div class='lines'></div></div>"


def workbook_html(lang: str, lessons: list[tuple[str, list]]) -> str:
    from simfunnel.widgets.names_game import NamesGame

    body = [f"<h1>{t('workbook', lang)}</h1>"]
    for title, exercises in lessons:
        body.append(f"<h2>{esc(title)}</h2>")
        for ex in exercises:
            if isinstance(ex, NamesGame):
                body.append(f"<div class='ex'><h3>{esc(tx(content_title(ex), lang))}</h3><p>{t('names', lang)}</p>"
                            f"<p>{t('name_line', lang)}</p>" + "<div class='lines'></div>" * 3 + "</div>")
                continue
            head = f"<h3>{esc(tx(ex.title, lang))}</h3>" if ex.title else ""
            body.append(f"<div class='ex'>{head}"
                        + "".join(question_html(n, q, lang) for n, q in enumerate(ex.questions, start=1)) + "</div>")
    body.append(f"<h2>{t('formulas', lang)}</h2><table>")
    for name, formula in content.FORMULAS:
        zh, en = formula.split(" | ")
        body.append(f"<tr><td><b>{esc(tx(name, lang))}</b></td><td>{esc(zh if lang == 'zh' else en)}</td></tr>")
    body.append("</table>")
    body += glossary_html(lang)
    return page(t("workbook", lang), body, lang)


def content_title(game) -> tuple[str, str]:
    from simfunnel.widgets.names_game import GAME_TEXT

    return GAME_TEXT["title"]


SLIDE_CSS = """
html,body{margin:0;padding:0;background:#222}
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
section{width:1280px;height:720px;box-sizing:border-box;padding:60px 80px;background:#fff;margin:20px auto;
        position:relative;overflow:hidden}
section h2{font-size:48px;color:#1f5fa8;margin:0 0 30px 0;border-bottom:4px solid #1f5fa8;padding-bottom:12px}
section li{font-size:30px;line-height:1.5;margin:10px 0} section img{max-height:460px;max-width:1100px;display:block;margin:0 auto}
section table{font-size:24px;border-collapse:collapse} section td{padding:4px 16px;border-bottom:1px solid #ddd}
.first{background:#1f5fa8;color:#fff} .first h2{color:#fff;border-color:#fff;font-size:60px;margin-top:160px}
.first li{list-style:none;font-size:32px} .num{position:absolute;right:30px;bottom:20px;color:#999;font-size:18px}
.hint{position:fixed;right:10px;top:6px;color:#bbb;font-size:13px}
@media screen{body.deck section{display:none;margin:0 auto} body.deck section.on{display:block}}
@media print{.hint{display:none} section{margin:0;page-break-after:always;display:block!important}}
@page{size:1280px 720px;margin:0}
"""
SLIDE_JS = """
const s=[...document.querySelectorAll('section')];let i=0;
if(location.hash!=='#all')document.body.classList.add('deck');
function go(k){i=Math.max(0,Math.min(s.length-1,k));s.forEach((e,j)=>e.classList.toggle('on',j===i));}
document.addEventListener('keydown',e=>{if(['ArrowRight','PageDown',' '].includes(e.key))go(i+1);
 if(['ArrowLeft','PageUp'].includes(e.key))go(i-1);});document.addEventListener('click',()=>go(i+1));go(0);
"""


def funnel_png(lang: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import simfunnel as sf
    from simfunnel import plots

    import matplotlib.pyplot as plt

    history = sf.Simulation(sf.generate(seed=2026), seed=2026).run(weeks=13)
    fig = plt.figure(figsize=(6.2, 3.9))  # small inches, big type: read from the back row
    ax = plots.funnel_chart(history, week=13, lang=lang, ax=fig.subplots())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def qr_svg(address: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(address, error="m").save(buf, kind="svg", scale=8, border=2)
    return buf.getvalue().decode()


def slides_html(lang: str, address: str | None) -> str:
    body = [f"<div class='hint'>{t('keys', lang)}</div>"]
    for n, slide in enumerate(content.SLIDES, start=1):
        cls = " class='first'" if n == 1 else ""
        parts = [f"<h2>{esc(tx(slide['title'], lang))}</h2>"]
        if "agenda" in slide:
            agenda = content.AGENDAS[slide["agenda"]]
            rows, clock = [], 0
            for key, minutes in agenda["blocks"]:
                rows.append(f"<tr><td>{clock // 60}:{clock % 60:02d}</td>"
                            f"<td>{esc(tx(content.BLOCKS[key]['title'], lang))}</td><td>{minutes}′</td></tr>")
                clock += minutes
            parts.append(f"<table>{''.join(rows)}</table>")
        if slide.get("chart") == "funnel":
            parts.append(f"<img alt='funnel' src='data:image/png;base64,{funnel_png(lang)}'>")
        if slide.get("points"):
            parts.append("<ul>" + "".join(f"<li>{esc(tx(p, lang))}</li>" for p in slide["points"]) + "</ul>")
        if slide.get("join"):
            parts.append(f"<p style='font-size:30px'>{esc(t('address', lang, a=address) if address else t('address_blank', lang))}</p>")
            if address:
                parts.append(f"<div style='position:absolute;right:80px;bottom:60px;width:220px'>{qr_svg(address)}</div>")
        body.append(f"<section{cls}>{''.join(parts)}<div class='num'>{n}</div></section>")
    return page(t("slides", lang), body, lang, css=SLIDE_CSS, script=SLIDE_JS)


def chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def print_pdf(browser: str, source: Path, target: Path) -> None:
    """``source`` (an HTML file) printed to ``target`` by headless Chromium, offline."""
    with tempfile.TemporaryDirectory(prefix="simfunnel-guide-") as profile:
        done = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                               f"--print-to-pdf={target}", source.resolve().as_uri()],
                              capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not target.exists() or target.stat().st_size < 1000:
        raise SystemExit(f"guide: Chromium could not print {source.name} to PDF:\n{done.stderr[-2000:]}")


def build(out: Path, pdf: bool = True, address: str | None = None, langs=LANGS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in langs:
        for name, text in (("guide", guide_html(lang)), ("workbook", workbook_html(lang, lesson_exercises(lang))),
                           ("slides", slides_html(lang, address))):
            path = out / f"{name}_{lang}.html"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    if pdf:
        browser = chromium()
        if browser is None:
            print("guide: no Chromium (Debian: sudo apt-get install chromium): HTML only; print it from a browser "
                  "for a PDF", file=sys.stderr)
        else:
            for html_path in list(written):
                target = html_path.with_suffix(".pdf")
                print_pdf(browser, html_path, target)
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "guide" / "build")
    parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    parser.add_argument("--address", help="the app's address for the join slide and its QR code")
    args = parser.parse_args(argv)
    for path in build(args.out, pdf=not args.no_pdf, address=args.address):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
