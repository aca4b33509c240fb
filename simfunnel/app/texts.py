"""Every text of the room app's own pages, as (zh, en) pairs; the boards bring their own.

>>> text("join", "zh"), text("join", "en")
('加入', 'Join')
"""

from __future__ import annotations

from simfunnel import i18n

__all__ = ["TEXT", "html_lang", "text"]

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("销售漏斗工作坊", "Sales funnel workshop"),
    "demo_title": ("演示工作坊", "Demo workshop"),
    "intro": ("输入小组卡片上的加入码和你的名字，然后点“加入”。",
              "Enter the join code on your team's card and your name, then press Join."),
    "demo": (("演示模式：讲师没有指定工作坊（make app WORKSHOP=…），这是这台服务器上的一个临时演示工作坊，"
              "关闭后即删除。加入码：{codes}"),
             ("Demo: no workshop was given (make app WORKSHOP=…), so this is a temporary demo workshop on this "
              "server, deleted when it stops. Join codes: {codes}")),
    "code": ("加入码", "Join code"),
    "code_hint": ("例如 K7M-X2P", "e.g. K7M-X2P"),
    "name": ("你的名字", "Your name"),
    "name_hint": ("例如：李雷", "e.g. Li Lei"),
    "join": ("加入", "Join"),
    "leave": ("离开", "Leave"),
    "store_error": ("工作坊暂时无法打开：{error}", "The workshop cannot be opened right now: {error}"),
    "switch_to": ("English", "中文"),
    "too_many_codes": ("输错的加入码太多了。请 {seconds} 秒后再试，或向讲师确认你们组的加入码。",
                       "Too many wrong join codes. Try again in {seconds} s, or ask your trainer for your team's code."),
    # the trainee lessons (simfunnel.app.lesson_page)
    "lessons": ("课程", "Lessons"),
    "lessons_link": ("课程：先读再练", "Lessons: read before you play"),
    "lessons_intro": ("每一课和笔记本的学员版内容相同：讲解、图表和可以操作的面板，代码由服务器替你运行。",
                      ("Each lesson is the trainee notebook: explanations, charts and panels to click; "
                       "the server runs the code for you.")),
    "lesson_note": ("练习直接在页面里作答：点选或输入，再点“检查答案”。这里不显示代码；想看代码，请在 JupyterLab 里"
                    "打开同一课的笔记本。",
                    ("Answer the exercises right on the page: click or type, then press Check answers. No code is "
                     "shown here; to see it, open the same lesson's notebook in JupyterLab.")),
    "lesson_running": ("正在运行这一课……", "Running the lesson…"),
    "lesson_cell_failed": ("这一部分没能显示出来（{error}），其余部分不受影响。",
                           "This part of the lesson could not be shown ({error}); the rest is not affected."),
    "lesson_unknown": ("没有这一课：{number}。", "There is no lesson {number}."),
    "lessons_missing": ("这台服务器上没有课程的源文件（notebooks/src）。", "This server has no lesson sources (notebooks/src)."),
    "all_lessons": ("← 全部课程", "← All lessons"),
    "workshop_page": ("工作坊", "Workshop"),
    "previous_lesson": ("← 上一课：{title}", "← Previous: {title}"),
    "next_lesson": ("下一课：{title} →", "Next: {title} →"),
}


def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` (``"zh"`` or ``"en"``), ``{fields}`` filled."""
    return i18n.text(TEXT[key], lang, **fields)


def html_lang(lang: str) -> str:
    """The page's ``<html lang>``: ``zh-CN`` (so browsers pick a Simplified Chinese face) or ``en``."""
    return "zh-CN" if lang == "zh" else "en"
