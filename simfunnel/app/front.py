"""The front page: the language switch, the workshop's name, a join code box, a name box, Join, and a link
to the lessons.

Never a file list, never a server path: the trainee types the code on the team's card and a name.
A refusal (an unknown or retired code, a path typed as a code, a name taken from another browser…)
shows in the page's language next to the Join button; the page keeps what was typed.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from simfunnel.app.room import Room
from simfunnel.app.texts import text

__all__ = ["PAGE_STYLE", "Front", "LanguageSwitch"]

# The app's own look: Chinese in a Simplified Chinese face first (Chromium on Linux otherwise takes the
# Japanese one), the board's width, no Solara banner.
PAGE_STYLE = """
.v-application, .jupyter-widgets, .jupyter-widgets input, .jupyter-widgets select, .jupyter-widgets button,
.v-application input, .v-application .v-btn {
  font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC", "Source Han Sans SC",
    "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif !important;
}
.sf-app {max-width: 1500px; margin: 0 auto; padding: 8px 16px}
.sf-app .v-btn {text-transform: none; letter-spacing: normal}
.sf-front {max-width: 640px}
.sf-error {color: #b23a3a}
.sf-muted {color: #6b7785}
.sf-app a {color: #1a5fb4}
"""


@solara.component
def LanguageSwitch(lang: str, on_lang: Callable[[str], None]) -> None:
    """One button: 中文 on an English page, English on a Chinese one."""
    other = "en" if lang == "zh" else "zh"
    solara.Button(text("switch_to", lang), on_click=lambda: on_lang(other), text=True, classes=["sf-lang-switch"])


@solara.component
def Front(room: Room, lang: str, code: str, name: str, error: str,
          on_lang: Callable[[str], None], on_join: Callable[[str, str], None]) -> None:
    """The front page in ``lang``; ``on_join(code, name)`` when Join is pressed, ``error`` shown next to it."""
    typed_code = solara.use_reactive(code)
    typed_name = solara.use_reactive(name)
    with solara.Column(classes=["sf-app", "sf-front"], gap="12px"):
        with solara.Row(justify="end"):
            LanguageSwitch(lang, on_lang)
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(room.title(lang)), classes=["sf-title"])
        solara.Text(text("intro", lang), classes=["sf-muted"])
        if room.demo:
            solara.Text(text("demo", lang, codes=room.demo_codes(lang)), classes=["sf-demo"])
        solara.InputText(text("code", lang), value=typed_code, continuous_update=True, classes=["sf-code"],
                         placeholder=text("code_hint", lang))
        solara.InputText(text("name", lang), value=typed_name, continuous_update=True, classes=["sf-name"],
                         placeholder=text("name_hint", lang))
        with solara.Row(style={"align-items": "center"}):
            solara.Button(text("join", lang), color="primary", classes=["sf-join"],
                          on_click=lambda: on_join(typed_code.value, typed_name.value))
            if error:
                solara.Text("⚠ " + error, classes=["sf-error"])
        # the trainee lessons (simfunnel.app.lesson_page): read before the workshop, or between rounds
        solara.HTML(tag="a", unsafe_innerHTML=html.escape(text("lessons_link", lang)),
                    attributes={"href": f"/lesson?lang={lang}"}, classes=["sf-lessons-link"])

