"""The trainer's console notebook (issue 14 point 7): Run All in rehearsal mode runs cleanly, plays the
rehearsal, and writes a handout with content. The checks live here, not in the trainer's cells: the test runs
the committed notebook as a trainer would (every cell, in order, one kernel), then asks that kernel."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

CHECKS = r'''
import json, re
rounds = store.rounds()
defaults = store.submissions().query("is_default == 1")
html_text = report.read_text("utf-8")
print(json.dumps({
    "top_rank": int(leaderboard.table.iloc[0]["rank"]),
    "top_team_known": leaderboard.table.iloc[0]["team"] in store.teams,
    "rounds": list(rounds["status"]),
    "weeks": [int(w) for w in store.status()["week"]],
    "start_week": int(store.start_week),
    "defaults": [list(x) for x in zip(defaults["team"], defaults["round"])],
    "confusion": int(replies.table.to_numpy().sum()),
    "answered": int(replies.judged),
    "quiz_answered": int(store.leaderboard()["quiz_answered"].sum()),
    "report_bytes": report.stat().st_size,
    "images": len(re.findall(r"<img|<svg", html_text)),
    "tables": html_text.count("<table"),
    "teams_named": all(t in html_text for t in store.teams),
    "gain_in_handout": "sf-test-gain" in html_text,
    "room_gain": float(store.test_gain().set_index("team").loc["", "gain"]),
    "gain_in_console": "sf-test-gain" in tests._table.value,
    "branch_same_before": bool(branch.original[branch.original.week < branch.change_week][KNOWN_THEN].equals(
        branch.branched[branch.branched.week < branch.change_week][KNOWN_THEN])) if ranked else None,
}))
'''


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_console_runs_all_in_rehearsal_and_writes_a_handout_with_content(lang, tmp_path, monkeypatch):
    monkeypatch.delenv("SIMFUNNEL_WORKSHOP", raising=False)
    nb = nbformat.read(ROOT / "notebooks" / "trainer" / lang / "workshop.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("from simfunnel.workshop.debrief import KNOWN_THEN\n" + CHECKS))
    env_before = dict(os.environ)
    try:
        os.environ["MPLBACKEND"] = "Agg"
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    asserts = [c for c in nb.cells[:-1] if c.cell_type == "code" and re.search(r"^\s*assert ", c.source, re.M)]
    assert not asserts, "the trainer's cells hold asserts: they belong in the test suite"
    out = json.loads(nb.cells[-1].outputs[-1]["text"].strip().splitlines()[-1])
    assert out["top_rank"] == 1 and out["top_team_known"]
    assert out["rounds"] == ["reset", "closed", "closed", "closed"]  # a practice round reset, three played
    assert out["weeks"] == [out["start_week"] + 9] * 4
    assert out["defaults"] == [["gold", 2]]  # gold was late in round 2: the default decision, recorded
    assert out["confusion"] == out["answered"] == out["quiz_answered"] > 0
    assert out["branch_same_before"] in (True, None)  # a what-if replays the weeks before the change to the cent
    # the handout has content: charts, tables, every team
    # the pre/post test: taken before and after by the stand-in trainees, the gain in the console and the handout
    assert out["room_gain"] > 0.1 and out["gain_in_handout"] and out["gain_in_console"]
    assert out["report_bytes"] > 50_000 and out["images"] >= 3 and out["tables"] >= 2 and out["teams_named"]
    text = "\n".join(o.get("text", "") for c in nb.cells[:-1] if c.cell_type == "code" for o in c.get("outputs", []))
    assert ("讲义" in text or "handout" in text.lower() or ".html" in text)
