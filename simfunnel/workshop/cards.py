"""Team cards: one printable sheet with a card per team — the workshop, the team's name, its join code in large
type and, given the app's address, a QR code that opens the join page with the code filled in.

The trainer prints it (``simfunnel workshop codes --dir W --cards cards.html --url http://host:port/``), cuts
along the dashed lines and hands each team its card: trainees type the code (or scan the QR code) and their
name; nobody picks a team from a list. Six cards fill an A4 page. Every text is in zh or en; the QR code is
an inline SVG drawn by :mod:`segno`, so the file stands alone (no network, no image files).

Example:
    >>> import tempfile
    >>> from simfunnel.workshop.store import WorkshopStore
    >>> store = WorkshopStore.init(tempfile.mkdtemp(), teams=2, seed=7, accounts=30)
    >>> page = team_cards(store, lang="zh", url="http://10.0.0.5:8866/")
    >>> page.count('class="card"'), store.team_codes()["team1"] in page, "第 1 组" in page, "<svg" in page
    (2, True, True, True)
    >>> join_url("http://10.0.0.5:8866/", "K7MX2P")
    'http://10.0.0.5:8866/?code=K7MX2P'
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import segno

from simfunnel import i18n

if TYPE_CHECKING:
    from simfunnel.workshop.store import WorkshopStore

__all__ = ["CARD_TEXT", "team_cards", "write_cards", "join_url"]

CARD_TEXT: dict[str, tuple[str, str]] = {
    "title": ("小组卡片", "Team cards"),
    "code": ("加入码", "Join code"),
    "how_url": ("打开 {url}，输入加入码和你的名字，点“加入”。", "Open {url}, type the join code and your name, press Join."),
    "how": ("在讲师给的网址输入加入码和你的名字，点“加入”。",
            "At the address your trainer gives, type the join code and your name, press Join."),
    "scan": ("扫码加入", "Scan to join"),
    "keep": ("只给本组成员：别人拿到这个码就能替你们小组行动。", "For your team only: whoever has this code can act for your team."),
    "cut": ("沿虚线剪开", "Cut along the dashed lines"),
}

_CSS = """
* {box-sizing: border-box}
body {font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
      "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; color: #1d2733; margin: 12px}
h1 {font-size: 16px; font-weight: 600; margin: 0 0 8px; color: #556}
.sheet {display: grid; grid-template-columns: 1fr 1fr; gap: 0}
.card {border: 1.5px dashed #8a97a8; padding: 14px 16px; min-height: 88mm; display: flex; flex-direction: column;
       break-inside: avoid; page-break-inside: avoid}
.workshop {font-size: 13px; color: #556; letter-spacing: 0.02em}
.team {font-size: 30px; font-weight: 600; margin: 2px 0 8px}
.body {display: flex; align-items: center; gap: 14px; flex: 1}
.label {font-size: 13px; color: #556}
.code {font-family: "DejaVu Sans Mono", "Noto Sans Mono", Menlo, Consolas, monospace; font-size: 44px;
       font-weight: 700; letter-spacing: 0.14em; margin: 2px 0 6px; white-space: nowrap}
.qr {text-align: center; font-size: 11px; color: #556}
.qr svg {width: 34mm; height: 34mm; display: block}
.how {font-size: 13px; margin: 4px 0}
.keep {font-size: 11px; color: #8a4b3a; margin-top: auto}
.note {font-size: 11px; color: #889; margin: 6px 0 0}
@page {size: A4; margin: 10mm}
@media print {body {margin: 0} h1, .note {display: none} .card {min-height: 90mm}}
"""


def join_url(url: str, code: str) -> str:
    """The join page's address with the team's code in its query (``?code=…``): the page fills the code box.

    Raises:
        ValueError: not an ``http://`` or ``https://`` address.
    """
    text = str(url).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--url must be the app's address, like http://192.168.1.20:8866/, got {url!r}")
    return f"{text}{'&' if parts.query else '?'}code={code}"


def _qr_svg(address: str) -> str:
    """The QR code of ``address`` as inline SVG (no XML declaration, scalable)."""
    qr = segno.make(address, error="m")
    return qr.svg_inline(scale=4, border=2, dark="#111111", omitsize=True)


def team_cards(store: "WorkshopStore", lang: str | None = None, url: str | None = None,
               title: str | None = None) -> str:
    """The sheet of team cards as one HTML document (see the module's notes).

    Args:
        lang: ``"zh"`` or ``"en"``.
        url: the app's address (``http://host:port/``): each card gets a QR code of it with the team's code.
        title: the workshop's name on the cards (default: the workshop folder's name).

    Each card is a ``<section class="card" data-team="KEY">`` holding the team's name (``.team``) and its
    code (``.code``).
    """
    lang = i18n.resolve_language(lang)
    t = lambda key, **f: html.escape(i18n.text(CARD_TEXT[key], lang, **f))  # noqa: E731
    workshop = title if title is not None else store.path.parent.name
    names, codes = store.team_names(lang), store.team_codes()
    cards = []
    for team, name in names.items():
        code = codes[team]
        qr = ""
        if url:
            qr = f'<div class="qr">{_qr_svg(join_url(url, code))}{t("scan")}</div>'
        how = t("how_url", url=url.strip()) if url else t("how")
        cards.append(
            f'<section class="card" data-team="{html.escape(team)}">'
            f'<div class="workshop">{html.escape(workshop)}</div>'
            f'<div class="team">{html.escape(name)}</div>'
            f'<div class="body"><div><div class="label">{t("code")}</div><div class="code">{html.escape(code)}</div>'
            f'<div class="how">{how}</div></div>{qr}</div>'
            f'<div class="keep">{t("keep")}</div></section>')
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{t('title')} · {html.escape(workshop)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{t('title')} · {html.escape(workshop)}</h1>\n<div class=\"sheet\">\n" + "\n".join(cards)
            + f'\n</div>\n<p class="note">{t("cut")}</p>\n</body>\n</html>\n')


def write_cards(store: "WorkshopStore", path: str | os.PathLike, lang: str | None = None, url: str | None = None,
                title: str | None = None) -> Path:
    """Write :func:`team_cards` to ``path`` (its folder made if missing); returns the path."""
    path = Path(path)
    page = team_cards(store, lang, url, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
