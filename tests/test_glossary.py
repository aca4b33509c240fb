"""One name per thing in Chinese (issue 14 point 6): the glossary of the kit's zh terms, and every zh text of the
kit — code, data, notebooks, the CLI's messages — checked against the names the glossary says to avoid."""

import json
from pathlib import Path

import pytest

from simfunnel import i18n

ROOT = Path(__file__).resolve().parents[1]
COURSE_WORDS = ("向导", "销售预计", "销售进展", "漏斗外销售额", "赢率")


def _zh_sources():
    for path in sorted((ROOT / "simfunnel").rglob("*")):
        if path.suffix in (".py", ".json") and path.name != "glossary.json" and "__pycache__" not in path.parts:
            yield path
    yield from sorted((ROOT / "notebooks" / "src").glob("*.py"))
    yield from sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
    yield from sorted((ROOT / "notebooks" / "trainer" / "zh").glob("*.ipynb"))
    yield from sorted((ROOT / "guide").glob("*.py"))


def test_the_glossary_names_each_thing_once_in_the_course_s_words():
    terms = i18n.glossary()
    assert len(terms) >= 25
    for t in terms:
        assert t["zh"] and t["en"] and t["def_zh"] and t["def_en"], t
    zh = [t["zh"] for t in terms]
    assert len(zh) == len(set(zh))
    assert set(COURSE_WORDS) <= set(zh)
    avoided = {a for t in terms for a in t.get("avoid", ())}
    assert not avoided & set(zh)  # a name to avoid is never a term's own name


@pytest.mark.parametrize("path", list(_zh_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_zh_text_uses_a_name_the_glossary_avoids(path):
    text = path.read_text("utf-8")
    if path.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    found = {(a, t["zh"]) for t in i18n.glossary() for a in t.get("avoid", ()) if a in text}
    assert not found, f"{path.name}: say the glossary's name instead of: " + ", ".join(f"{a} → {z}" for a, z in found)
