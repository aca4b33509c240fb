"""The import report under --lang zh is Chinese (issue 15 point 6, issue 14 point 6): every fixture of every
source imported, its report("zh") checked for English words outside what the export itself names (file, column
and stage names, quoted values), code (--flags, currency=) and currency codes."""

import json
import re
from pathlib import Path

import pytest


FIX = Path(__file__).resolve().parent / "fixtures" / "crm"
ALLOWED = {"CNY", "USD", "EUR", "GBP", "JPY", "CAD", "SPIN", "CSV", "Excel"}


def _cases():
    for folder in ("salesforce", "hubspot", "pipedrive", "odoo", "generic", "broken"):
        spec_file = FIX / folder / "expected.json"
        if not spec_file.exists():
            continue
        for name, spec in json.loads(spec_file.read_text("utf-8"))["files"].items():
            if isinstance(spec, dict) and "source" in spec and "raises" not in spec and "either" not in spec:
                yield pytest.param(folder, name, spec, id=f"{folder}/{name}")


def _english_words(report: str, funnel_line: str) -> set[str]:
    text = report.replace(funnel_line, " ")
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", text)  # quoted values and column names from the export
    text = re.sub(r"\S+\.(csv|tsv|xlsx|txt)\b", " ", text, flags=re.I)  # file names
    text = re.sub(r"--[\w-]+|\w+=\S*|\b\w+_\w+\b", " ", text)  # code: --trust-flags, currency=, created_assumed
    text = re.sub(r"（[^）]*?[A-Za-z][^）]*?）", lambda m: m[0] if re.search(r"[\u4e00-\u9fff]", m[0]) else " ", text)
    return set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED


@pytest.mark.parametrize("folder,name,spec", list(_cases()))
def test_the_zh_import_report_is_chinese(folder, name, spec, tmp_path):
    import test_crm_sources as t

    result = t._load(folder, name, spec)  # the fixtures refused whole ("raises", "either") are not collected
    report = result.report("zh")
    funnel_line = next((line for line in report.splitlines() if line.strip().startswith("漏斗")), "")
    f = result.history.funnel
    stage_names = {s.en for s in f.stages} | {s.zh for s in f.stages} | set(f.all_keys) | {f.name}
    path = Path(spec.get("load", {}).get("main") and FIX / spec["load"]["main"] or FIX / folder / spec.get("file", name))
    head = path.read_bytes()[:4000].decode("utf-8", errors="ignore") if path.suffix != ".xlsx" else ""
    header_words = set(re.findall(r"[A-Za-z]{3,}", head))  # the export's own column names and values
    words = _english_words(report, funnel_line)
    words -= {w for n in stage_names for w in re.findall(r"[A-Za-z]{3,}", n)} | header_words
    assert not words, (words, report)
