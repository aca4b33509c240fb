"""Checks shared by the widget and chart tests: language of texts, rendering without glyph warnings, previews."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import warnings
from pathlib import Path

import matplotlib

CJK = re.compile(r"[\u3400-\u9fff]")
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
# English words of 3+ letters allowed in Chinese texts: currency codes (shown with amounts)
# and product names (the preset labels "Salesforce 默认商机阶段", "HubSpot 默认交易阶段").
# Percentile names P10/P25/P50/P75/P90 have one letter and never match.
# SPIN is the name of the questioning method ("SPIN 需求访谈"), used as is in Chinese sales training.
ALLOWED_IN_ZH = {"CNY", "USD", "EUR", "Salesforce", "HubSpot", "SPIN", "Excel", "CSV", "HTML"}  # names of file formats too

PREVIEW = Path(os.environ.get("SIMFUNNEL_PREVIEW", Path(tempfile.gettempdir()) / "widget_preview"))


class closing_new_widgets:
    """Context manager: close the ipywidgets opened inside it (ipywidgets keeps them, and the kit's widgets
    holding them, alive; a widget following the language would redraw on every later set_language)."""

    def __enter__(self):
        from ipywidgets.widgets.widget import _instances

        self._before = set(_instances)
        return self

    def __exit__(self, *exc):
        from ipywidgets.widgets.widget import _instances

        for key in set(_instances) - self._before:
            widget = _instances.get(key)
            if widget is not None:
                widget.close()
        return False


def english_words(texts) -> set[str]:
    """ASCII words of 3+ letters in ``texts`` that are not allowed in Chinese."""
    return {w for t in texts for w in ASCII_WORD.findall(t)} - ALLOWED_IN_ZH


def chinese(texts) -> list[str]:
    """The texts that hold a CJK character."""
    return [t for t in texts if CJK.search(t)]


def assert_language(texts, lang: str) -> None:
    texts = list(texts)
    assert texts
    if lang == "zh":
        assert not english_words(texts), english_words(texts)
        assert chinese(texts)
    else:
        assert not chinese(texts), chinese(texts)


def render_clean(fig, path: Path, caplog) -> None:
    """Save ``fig`` to ``path``; fail on any glyph or font warning (warnings and matplotlib's logging)."""
    caplog.clear()
    cached = getattr(matplotlib.font_manager.fontManager, "_findfont_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()  # forget cached look-ups so this figure's are logged again
    path.parent.mkdir(parents=True, exist_ok=True)
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(path, dpi=90)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    bad = [m for m in messages if "glyph" in m.lower() or "font" in m.lower()]
    assert not bad, bad
    assert path.stat().st_size > 5_000


def save_widget_images(widget, prefix: str) -> list[Path]:
    """Write the PNGs a widget shows (its Image widgets' bytes) to the preview folder."""
    PREVIEW.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, img in widget._images.items():
        path = PREVIEW / f"{prefix}{name}_{widget.lang}.png"
        path.write_bytes(img.value)
        assert img.value[:8] == b"\x89PNG\r\n\x1a\n"
        paths.append(path)
    return paths
