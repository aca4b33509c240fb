"""The room load test: N Chromium pages, then a room's worth of sessions, each phase against ONE room-app process.

Run from the repository root (``make bench`` runs it after ``benchmarks/run.py``)::

    python benchmarks/room.py --pages 30                 # 10 minutes of play -> benchmarks/room-results.json
    python benchmarks/room.py --pages 5 --minutes 0.5 --close-wait 40 --sessions 6 --out /tmp/room.json

Each phase starts its own server exactly as ``make app`` does (the Makefile's target itself, through
``tests/browser_support.Server``: ``solara run simfunnel.app.pages --production`` with the Makefile's
environment, ``SOLARA_KERNEL_CULL_TIMEOUT=20s`` …) on a fresh store made with ``simfunnel workshop init
--teams 6 --seed 2026``; the join codes are ``store.team_codes()``.

**Pages** (``--pages N``, Debian's ``/usr/bin/chromium`` through Playwright's async API, a browser context
per page in one Chromium (two past 30 pages), opened in waves of ``--wave``, every request not to 127.0.0.1
aborted):

1. warm-up: one page joins, acts and leaves (the first page imports what every later page reuses); the
   server's RSS once it has gone is the *idle* RSS;
2. each page opens the front page, types its team's join code and a name of its own, presses Join, selects
   a deal, acts and judges the customer's reply (Advance) — *a page*;
3. every page plays for ``--minutes``: turns of select, Act, judge, a pause of about ``--think`` s, and —
   when its team's week is due — Next week (free play: a team closes a week every ``minutes × 60 / 12`` s, so
   the workshop's 13 weeks last the run). With ``--rounds`` the workshop runs in rounds: a page submits the
   round, and this script opens and closes the rounds as the trainer would;
4. half the pages close their tab (the browser's goodbye beacon), the rest vanish with their browser (a
   dropped connection, culled after ``SOLARA_KERNEL_CULL_TIMEOUT``); the script watches ``--close-wait`` s.

**Sessions** (``--sessions 200``): Chromium needs ~150–180 MiB a page on the browser's side (its PSS is
measured in phase 1), so 200 real pages do not fit a 24 GiB, 2-core machine beside the server. The 200
sessions — DESIGN's "100 trainees × board + lesson": half boards, half lesson pages (``--lesson-share``)
— are opened by a light client (``room_clients.LightSession``) that speaks the page's own protocol (Solara's
kernel websocket and the ``solara.control`` comm's ``run`` with the page's address), so the server builds for
each what it builds for a browser: a virtual kernel, the page, a seat joined with the code and the team's
board, or the lesson's run. Then ``--light-acting`` of the boards play for ``--light-minutes`` (select, Act,
Advance, Next week, by ipywidgets click messages): their action time is the server's alone (click sent →
the server's idle status for it), no browser drawing. Then they close as the pages did.

Every figure is the server's own (the browsers' CPU and memory never count): CPU = ``utime + stime`` of
``/proc/<server pid>/stat``; RSS = ``VmRSS`` of ``/proc/<server pid>/status``; sessions = Solara's own count of
virtual kernels (``/resourcez``, served by Solara itself) and the app's log lines (``seat taken`` /
``seat closed``, ``simfunnel/app/room.py``; ``lesson NN opened`` / ``closed``). Latencies of pages are the
trainee's view, timed inside the page: the page presses the button itself and the time runs from that press
to the DOM showing the answer (server, network and the page's drawing; not Playwright's checks before a click
nor its round trips to this script, which under 30 pages added their own queue), browsers and server sharing
the machine's cores; the machine's load and the CPU share of server and Chromium are recorded next to them.

Baselines are Voilà's last measured figures (Voilà is gone: a kernel per page): 145 MiB a session and 1.8 s CPU
a page (the trainer's rehearsal), 1,567 MiB for 10 pages (the spike). Budgets (DESIGN.md, "Performance
budgets"): 200 sessions ≤ 3 GB in total (read as 3·10⁹ bytes = 2,861 MiB, the stricter reading); growth
≤ 10 % after warm-up; ≤ 0.3 s server CPU per page; action p95 ≤ 300 ms with 30 acting; 0 sessions 2 min after
the pages close. With fewer pages, sessions or minutes than the budgets assume, those lines print
(pass)/(over): no verdict. Exit status (``cli``): 1 when a budget with a verdict fails, 2 without Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as _dt
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "tests", ROOT / "benchmarks"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from browser_support import CHROMIUM_ARGS, Server, chromium, font_env, free_port, jupyter_env  # noqa: E402
from room_clients import (  # noqa: E402
    LightSession,
    Room,
    Trainee,
    board_path,
    open_page,
    play,
    play_light,
    play_once,
)

MIB = 1024 * 1024
VENV = Path(sys.prefix)
OUT = ROOT / "benchmarks" / "room-results.json"

# Budgets (DESIGN.md) and the sizes they are written for.
BUDGET_TOTAL_MIB = 3e9 / MIB  # "200 sessions ≤ 3 GB": 3·10⁹ bytes = 2,861 MiB
BUDGET_GROWTH_PCT = 10.0
BUDGET_CPU_PER_PAGE = 0.3
BUDGET_ACTION_P95 = 0.3
BUDGET_SESSIONS_LEFT = 0
FULL_PAGES, FULL_SESSIONS, FULL_MINUTES, FULL_CLOSE_WAIT = 30, 200, 5.0, 120.0
# Voilà's last measured figures (the baseline).
VOILA_MIB_PER_SESSION = 145.0
VOILA_CPU_PER_PAGE = 1.8
VOILA_MIB_10_PAGES = 1567.0


# --- the server's own figures -----------------------------------------------------------------------------
class Probe:
    """The server process's CPU seconds, RSS and children, from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu(self) -> float:
        """utime + stime, seconds (every thread of the process)."""
        return cpu_seconds(self.pid, self.tick)

    def _status(self, key: str) -> str:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
        return ""

    def rss(self) -> float:
        """VmRSS, MiB."""
        return int(self._status("VmRSS").split()[0]) / 1024

    def hwm(self) -> float:
        """VmHWM (peak RSS), MiB."""
        return int(self._status("VmHWM").split()[0]) / 1024

    def threads(self) -> int:
        return int(self._status("Threads") or 0)

    def children(self) -> list[int]:
        """Child processes of the server (every thread's): none when it serves every page itself."""
        out: list[int] = []
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                out += [int(c) for c in (task / "children").read_text().split()]
        return out


def cpu_seconds(pid: int, tick: int | None = None) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / (tick or os.sysconf("SC_CLK_TCK"))  # fields 14, 15 of proc(5)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine (/proc/stat), every core."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def browser_processes(exclude: int) -> list[int]:
    """This script's Chromium processes: descendants of this process outside the server's tree (``exclude``)."""
    parent: dict[int, int] = {}
    names: dict[int, str] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (d / "stat").read_text()
            names[int(d.name)] = stat[stat.index("(") + 1:stat.rindex(")")]
            parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    mine, todo = set(), [os.getpid()]
    while todo:
        p = todo.pop()
        for child, par in parent.items():
            if par == p and child not in mine and child != exclude:
                mine.add(child)
                todo.append(child)
    return sorted(p for p in mine if "chrom" in names.get(p, ""))


def browser_pss_mib(pids: list[int]) -> float | None:
    """PSS of these processes, MiB (shared pages counted once across them)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total / 1024 if total else None


def browser_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += cpu_seconds(pid)
    return total


def resources(base: str) -> dict:
    """Solara's own count of its virtual kernels (``/resourcez``)."""
    with urllib.request.urlopen(f"{base}/resourcez", timeout=30) as r:
        return json.load(r)


def kernels(base: str) -> int:
    return int(resources(base)["kernels"]["total"])


SEAT_TAKEN = re.compile(r"seat taken: \S+ · (\S+) ")
SEAT_CLOSED = re.compile(r"seat closed: \S+ · (\S+?)(?: \(|$)", re.MULTILINE)
LESSON_OPENED = re.compile(r"lesson \w+ \(\w+\) opened")
LESSON_CLOSED = re.compile(r"lesson \w+ \(\w+\) closed")


def seats(log: str, prefix: str = "") -> tuple[int, int]:
    """(seats taken, seats closed) as the app logged them, for names starting with ``prefix``."""
    taken = sum(1 for m in SEAT_TAKEN.finditer(log) if m[1].startswith(prefix))
    closed = sum(1 for m in SEAT_CLOSED.finditer(log) if m[1].startswith(prefix))
    return taken, closed


def lesson_lines(log: str) -> tuple[int, int]:
    """(lessons opened, lessons closed) as the app logged them (``simfunnel/app/lesson_page.py``)."""
    return len(LESSON_OPENED.findall(log)), len(LESSON_CLOSED.findall(log))


def log_errors(log: str) -> list[str]:
    """Lines of the server's log that say something went wrong (tracebacks, ERROR lines)."""
    return [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line or line.startswith("ERROR")]


# --- the workshop and the server -------------------------------------------------------------------------
def make_workshop(folder: Path, *, rounds: bool, teams: int = 6, seed: int = 2026):
    """``simfunnel workshop init --teams 6`` (``--same-world --weeks-per-round 3`` with rounds); its store."""
    from simfunnel.workshop.store import WorkshopStore

    command = [str(VENV / "bin" / "simfunnel"), "workshop", "init", "--dir", str(folder), "--teams", str(teams),
               "--seed", str(seed)]
    if rounds:
        command += ["--same-world", "--weeks-per-round", "3"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"workshop init failed:\n{done.stderr[-2000:]}")
    return WorkshopStore.open(folder)


def app_server(folder: Path, work: Path, port: int) -> Server:
    """``make app`` as a trainer runs it (``-o``: the venv running this script is set up already)."""
    command = ["make", "-s", "-o", str(VENV / ".installed"), "app", f"VENV={VENV}", f"PORT={port}", "IP=127.0.0.1",
               f"WORKSHOP={folder}", f"APP_QR={work / 'app-address.png'}"]
    env = jupyter_env(work)
    env.pop("SIMFUNNEL_LANG", None)  # each page picks its language
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # under `make bench`: a make of its own for the app
        env.pop(var, None)
    return Server(command, env=env, log=work / "app.log", url=f"http://127.0.0.1:{port}/", child=True, timeout=120)


# --- helpers ------------------------------------------------------------------------------------------------
def _say(*parts: object) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, flush=True)


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (t, y), per second."""
    if len(points) < 3:
        return None
    mt = statistics.fmean(p[0] for p in points)
    my = statistics.fmean(p[1] for p in points)
    den = sum((p[0] - mt) ** 2 for p in points)
    return sum((p[0] - mt) * (p[1] - my) for p in points) / den if den else None


def _first_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {(str(err).splitlines() or [''])[0][:300]}"


async def _sample(probe: Probe, samples: list[tuple], t0: float, stop: asyncio.Event, every: float) -> None:
    """(seconds since t0, RSS MiB, server CPU s, machine busy s, machine total s) every ``every`` s until ``stop``."""
    while True:
        busy, total = machine_cpu()
        samples.append((time.monotonic() - t0, probe.rss(), probe.cpu(), busy, total))
        if stop.is_set():
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def _watch_close(app: Server, probe: Probe, base: str, prefix: str, wait: float, until_zero: bool) -> dict:
    """Kernels, seats, lessons and RSS every 5 s for ``wait`` s after the pages closed (or until none is left)."""
    t0 = time.monotonic()
    trace = []
    zero_at = None
    while True:
        elapsed = time.monotonic() - t0
        k = await asyncio.to_thread(kernels, base)
        log = app.log()
        taken, closed = seats(log, prefix)
        opened, ended = lesson_lines(log)
        trace.append({"t": round(elapsed, 1), "kernels": k, "seats_open": taken - closed, "lessons_open": opened - ended,
                      "rss_mib": round(probe.rss(), 1)})
        if k == 0 and taken == closed and opened == ended and zero_at is None:
            zero_at = elapsed
        if elapsed >= wait or (until_zero and zero_at is not None):
            break
        await asyncio.sleep(min(5.0, max(0.5, wait - elapsed)))
    last = trace[-1]
    return {"waited_s": last["t"], "kernels_left": last["kernels"], "seats_left": last["seats_open"],
            "lessons_left": last["lessons_open"], "zero_after_s": None if zero_at is None else round(zero_at, 1),
            "rss_after_mib": last["rss_mib"], "trace": trace}


async def _until_no_kernel(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while await asyncio.to_thread(kernels, base) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)


# --- phase 1: pages in Chromium -----------------------------------------------------------------------------
async def phase_pages(args: argparse.Namespace, work: Path, executable: Path) -> dict:
    from playwright.async_api import async_playwright

    store = make_workshop(work / "workshop", rounds=args.rounds)
    codes = store.team_codes()
    teams = list(codes)
    if args.rounds:
        store.open_round()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(args.seed)
    result: dict[str, Any] = {}
    shots = work / "errors" if args.keep else None
    with app_server(work / "workshop", work, port) as app:
        pid = app.server_pid()
        probe = Probe(pid)
        _say(f"pages: server pid {pid} at {base} (make app, one Solara process); RSS {probe.rss():.0f} MiB")
        result["server"] = {"pid": pid, "rss_start_mib": probe.rss()}
        aborted: list[str] = []
        env = {**os.environ, **font_env(work)}
        async with async_playwright() as pw:
            n_browsers = 1 if args.pages <= 30 else 2
            browsers = [await pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, env=env,
                                                 headless=True) for _ in range(n_browsers)]
            # 1. warm-up: the first page loads what every later page reuses; then it leaves
            result["warmup"] = {"ready_s": None, "cpu_s": 0.0, "rss_mib": probe.rss()}
            if args.warmup_page:
                cpu0 = probe.cpu()
                warm = Trainee(-1, "warm-up", teams[0], codes[teams[0]], "en", 0, 1)
                await open_page(browsers[0], base, warm, aborted)
                with contextlib.suppress(Exception):
                    await play_once(warm, Room(store, rounds=args.rounds, week_seconds=1e9))
                result["warmup"] = {"ready_s": warm.ready, "cpu_s": probe.cpu() - cpu0, "rss_mib": probe.rss()}
                await warm.page.close(run_before_unload=True)
                await _until_no_kernel(base)
                await warm.page.context.close()
                await asyncio.sleep(2)
            idle = probe.rss()
            result["idle"] = {"rss_mib": idle, "cpu_s": probe.cpu()}
            _say(f"warm-up page: board in {result['warmup']['ready_s'] or 0:.1f} s, {result['warmup']['cpu_s']:.2f} s "
                 f"server CPU; idle RSS after it left {idle:.0f} MiB")

            # 2. N pages in waves: front page, code, name, Join, select, Act, judge
            n = args.pages
            size = {team: sum(1 for i in range(n) if teams[i % len(teams)] == team) for team in teams}
            trainees = [Trainee(i, f"P{i:03d}", teams[i % len(teams)], codes[teams[i % len(teams)]],
                                "zh" if i % 3 == 2 else "en", i // len(teams), size[teams[i % len(teams)]],
                                shots=shots) for i in range(n)]
            loop_seconds = max(1.0, args.minutes * 60)
            weeks = store.end_week - store.start_week
            step = loop_seconds / (max(1, math.ceil(weeks / store.weeks_per_round)) if args.rounds else weeks - 1)
            room = Room(store, rounds=args.rounds, week_seconds=step)
            opening = Room(store, rounds=args.rounds, week_seconds=1e9)  # a page's first turn: act and judge only
            cpu0 = probe.cpu()
            t_open = time.monotonic()
            rss_at: dict[int, float] = {}
            cpu_pages = 0.0  # the server's CPU while pages opened and joined (their first turns apart)
            for w in range(0, n, args.wave):
                wave = trainees[w:w + args.wave]
                b = browsers[(w // args.wave) % n_browsers]
                c_wave = probe.cpu()
                got = await asyncio.gather(*(open_page(b, base, t, aborted) for t in wave), return_exceptions=True)
                cpu_pages += probe.cpu() - c_wave
                for t, g in zip(wave, got):
                    if isinstance(g, BaseException):
                        t.errors.append(f"open: {_first_line(g)}")
                got = await asyncio.gather(*(play_once(t, opening) for t in wave if t.ready), return_exceptions=True)
                for t, g in zip([t for t in wave if t.ready], got):
                    if isinstance(g, BaseException):
                        t.errors.append(f"first turn: {_first_line(g)}")
                joined = sum(1 for t in trainees[:w + len(wave)] if t.ready)
                rss_at[joined] = probe.rss()
                _say(f"wave {w // args.wave + 1}: {joined} pages on their boards; server RSS {rss_at[joined]:.0f} MiB")
            cpu_open = probe.cpu() - cpu0
            joined = [t for t in trainees if t.ready]
            chrome = browser_processes(app.proc.pid)
            result["open"] = {"pages": n, "joined": len(joined), "cpu_s": cpu_open, "cpu_pages_s": cpu_pages,
                              "wall_s": time.monotonic() - t_open,
                              "rss_mib": probe.rss(), "rss_by_pages": rss_at,
                              "kernels": await asyncio.to_thread(kernels, base), "server_children": probe.children(),
                              "threads": probe.threads(), "browser_processes": len(chrome),
                              "browser_pss_mib": browser_pss_mib(chrome)}
            op = result["open"]
            _say(f"{len(joined)}/{n} pages joined and acted in {op['wall_s']:.0f} s: server CPU {cpu_open:.1f} s, RSS "
                 f"{op['rss_mib']:.0f} MiB, {op['kernels']} kernels, child processes {op['server_children']}; "
                 f"Chromium: {len(chrome)} processes, PSS {op['browser_pss_mib'] or 0:.0f} MiB")

            # 3. every page plays for --minutes; RSS, server CPU and the machine's CPU sampled
            for t in trainees:
                t.loop_from = len(t.acts)
            stop = asyncio.Event()
            samples: list[tuple] = []
            t_loop = time.monotonic()
            chrome_cpu0 = browser_cpu(chrome)
            sampler = asyncio.create_task(_sample(probe, samples, t_loop, stop, 5.0 if loop_seconds > 60 else 2.0))
            room.restart()
            trainer = asyncio.create_task(room.trainer(stop))
            _say(f"playing {args.minutes:g} min: {len(joined)} pages, ~{args.think:g} s between turns, "
                 f"a {'round' if args.rounds else 'week'} every {step:.0f} s")
            until = time.monotonic() + loop_seconds
            await asyncio.gather(*(play(t, room, until, args.think, random.Random(rng.random())) for t in joined))
            stop.set()
            await sampler
            await trainer
            chrome_cpu = browser_cpu(chrome) - chrome_cpu0
            result["loop"] = _loop_figures(args, samples, joined, loop_seconds, chrome_cpu)
            result["loop"]["kernels_end"] = await asyncio.to_thread(kernels, base)
            result["loop"]["team_weeks"] = {team: store.week(team) for team in teams}
            result["loop"]["rounds_closed"] = room.rounds_closed
            lp = result["loop"]
            _say(f"played {lp['seconds'] / 60:.1f} min: {lp['acts']} actions ({lp['refusals']} refused or overtaken), "
                 f"{lp['weeks_closed']} weeks closed, {lp['errors']} errors; RSS {lp['rss_after_warmup_mib']:.0f} → "
                 f"{lp['rss_end_mib']:.0f} MiB; machine {lp['machine_busy_cores']:.2f} of {os.cpu_count()} cores busy "
                 f"(server {lp['server_cores']:.2f}, Chromium {lp['browser_cores']:.2f})")
            result["trainees"] = [
                {"name": t.name, "team": t.team, "lang": t.lang, "front_s": t.front, "ready_s": t.ready,
                 "acts": len(t.acts), "refusals": len(t.refusals), "weeks": len(t.weeks), "submits": len(t.submits),
                 "turns": t.cycles, "errors": t.errors[:5]} for t in trainees]
            result["latency"] = {
                "ready": [t.ready for t in joined], "front": [t.front for t in joined],
                "act_loop": [a for t in joined for a in t.acts[t.loop_from:]], "act_all": [a for t in joined for a in t.acts],
                "refused": [a for t in joined for a in t.refusals], "select": [a for t in joined for a in t.selects],
                "judge": [a for t in joined for a in t.judges], "week": [a for t in joined for a in t.weeks],
                "submit": [a for t in joined for a in t.submits]}

            # 4. the pages close: some their tab (the goodbye beacon), the rest vanish with their browser
            dropped = int(round(len(trainees) * args.drop_pages))
            for t in trainees[dropped:]:
                if t.page is not None:
                    with contextlib.suppress(Exception):
                        await t.page.close(run_before_unload=True)
            await asyncio.sleep(1)
            for b in browsers:
                await b.close()
            _say(f"pages closed ({len(trainees) - dropped} tabs closed, {dropped} dropped); watching {args.close_wait:g} s")
        result["aborted_requests"] = aborted[:20]
        result["close"] = await _watch_close(app, probe, base, "P", args.close_wait, args.until_zero)
        c = result["close"]
        _say(f"{c['waited_s']:.0f} s after the pages closed: {c['kernels_left']} kernels, {c['seats_left']} seats open "
             f"(none left after {c['zero_after_s']} s); RSS {c['rss_after_mib']:.0f} MiB")
        result["server"].update({"rss_end_mib": probe.rss(), "hwm_mib": probe.hwm(), "children_end": probe.children()})
        result["log"] = _log_summary(app.log())
    return result


def _loop_figures(args: argparse.Namespace, samples: list[tuple], joined: list[Trainee], loop_seconds: float,
                  chrome_cpu: float) -> dict:
    wall = samples[-1][0]
    warmup_s = args.warmup if args.warmup is not None else min(60.0, 0.2 * loop_seconds)
    after = [s for s in samples if s[0] >= warmup_s] or samples[-1:]
    base_rss, end_rss = after[0][1], samples[-1][1]
    peak = max(s[1] for s in after)
    slope = _slope([(s[0], s[1]) for s in after])
    busy = samples[-1][3] - samples[0][3]
    total = samples[-1][4] - samples[0][4]
    server_cpu = samples[-1][2] - samples[0][2]
    acts = sum(len(t.acts) - t.loop_from for t in joined)
    return {
        "seconds": wall, "warmup_s": warmup_s, "rss_after_warmup_mib": base_rss, "rss_end_mib": end_rss,
        "rss_peak_mib": peak, "growth_pct": 100 * (end_rss / base_rss - 1), "peak_growth_pct": 100 * (peak / base_rss - 1),
        "slope_mib_per_min": slope * 60 if slope is not None else None, "cpu_s": server_cpu,
        "server_cores": server_cpu / wall if wall else 0.0, "browser_cores": chrome_cpu / wall if wall else 0.0,
        "machine_busy_cores": busy / total * (os.cpu_count() or 1) if total else 0.0,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "acts": acts, "refusals": sum(len(t.refusals) for t in joined),
        "weeks_closed": sum(len(t.weeks) for t in joined), "submits": sum(len(t.submits) for t in joined),
        "errors": sum(len(t.errors) for t in joined), "turns": sum(t.cycles for t in joined),
        "samples": [(round(s[0], 1), round(s[1], 1), round(s[2], 2)) for s in samples],
    }


def _log_summary(log: str) -> dict:
    taken, closed = seats(log)
    opened, ended = lesson_lines(log)
    return {"seats_taken": taken, "seats_closed": closed, "lessons_opened": opened, "lessons_closed": ended,
            "clocks_stopped": log.count("round clock stopped"), "join_refused": log.count("join refused"),
            "errors": log_errors(log)[:20]}


# --- phase 2: a room's worth of sessions through the light client ------------------------------------------
def lesson_numbers() -> list[str]:
    """The trainee lessons the app serves at ``/lesson/NN`` (none when this checkout has no lesson pages)."""
    try:
        from simfunnel.app.lessons import catalogue
    except ImportError:
        return []
    return [info.number for info in catalogue()]


async def phase_sessions(args: argparse.Namespace, work: Path) -> dict:
    """``--sessions`` sessions (boards and lessons) on a server of their own; ``--light-acting`` boards then play."""
    store = make_workshop(work / "workshop", rounds=False, teams=args.session_teams)
    codes = store.team_codes()
    teams = list(codes)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    n = args.sessions
    numbers = lesson_numbers() if args.lesson_share > 0 else []
    n_lessons = int(round(n * args.lesson_share)) if numbers else 0
    kinds = ["board"] * n
    for j in range(n_lessons):  # spread among the boards
        kinds[min(n - 1, int((j + 0.5) * n / n_lessons))] = "lesson"
    sessions: list[LightSession] = []
    board_of: dict[int, tuple[str, int]] = {}  # session index → (team, place in the team)
    boards = lessons = 0
    for i, kind in enumerate(kinds):
        lang = "zh" if i % 3 == 2 else "en"
        if kind == "board":
            team = teams[boards % len(teams)]
            board_of[i] = (team, boards // len(teams))
            sessions.append(LightSession(base, board_path(codes[team], f"L{boards:03d}", lang), lang=lang))
            boards += 1
        else:
            number = numbers[lessons % len(numbers)]
            sessions.append(LightSession(base, f"/lesson/{number}?lang={lang}", b"sf-lesson-done", lang=lang))
            lessons += 1
    out: dict[str, Any] = {"sessions": n, "boards": boards, "lessons": lessons, "lesson_numbers": numbers}
    with app_server(work / "workshop", work, port) as app:
        probe = Probe(app.server_pid())
        _say(f"sessions: server pid {probe.pid} at {base}; RSS {probe.rss():.0f} MiB")
        # warm-up: one board and one lesson open and leave (the first ones import what the rest reuse)
        warm = [LightSession(base, board_path(codes[teams[0]], "warm-up", "en"))] if args.warmup_page else []
        warm += [LightSession(base, f"/lesson/{num}?lang=en", b"sf-lesson-done") for num in numbers[:len(warm)]]
        cpu0 = probe.cpu()
        for s in warm:
            await s.open()
            await s.close(beacon=True)
        await _until_no_kernel(base)
        await asyncio.sleep(2)
        idle = probe.rss()
        out["warmup_cpu_s"], out["idle_mib"] = probe.cpu() - cpu0, idle
        _say(f"warm-up board and lesson: idle RSS after they left {idle:.0f} MiB")

        lessons_before = lesson_lines(app.log())[0]  # the warm-up's
        cpu0 = probe.cpu()
        t0 = time.monotonic()
        failed: list[str] = []
        rss_at: dict[int, float] = {}
        wave = max(1, args.session_wave)
        for w in range(0, n, wave):
            part = sessions[w:w + wave]
            got = await asyncio.gather(*(s.open() for s in part), return_exceptions=True)
            failed += [f"{s.path.split('?')[0]}: {_first_line(g)}" for s, g in zip(part, got) if isinstance(g, BaseException)]
            rss_at[w + len(part)] = probe.rss()
            if (w // wave) % 5 == 4 or w + wave >= n:
                _say(f"{w + len(part)} sessions open; server RSS {rss_at[w + len(part)]:.0f} MiB")
        opened = [s for s in sessions if s.latency is not None]
        await asyncio.sleep(2)  # what the pages' effects still do after the board or the lesson arrived
        cpu = probe.cpu() - cpu0
        k = await asyncio.to_thread(kernels, base)
        rss = probe.rss()
        c1 = probe.cpu()
        await asyncio.sleep(args.idle_seconds)  # nobody clicks: what the open sessions cost by themselves
        idle_cores = (probe.cpu() - c1) / args.idle_seconds if args.idle_seconds else None
        log = app.log()
        out.update({"opened": len(opened), "seats_taken": seats(log, "L")[0], "lessons_opened": lesson_lines(log)[0] - lessons_before,
                    "kernels": k, "rss_mib": rss, "rss_by_sessions": rss_at, "cpu_s": cpu, "idle_cores": idle_cores,
                    "wall_s": time.monotonic() - t0, "children": probe.children(), "threads": probe.threads(),
                    "ready_board": [s.latency for s in opened if s.is_board],
                    "ready_lesson": [s.latency for s in opened if not s.is_board], "failed": failed[:10]})
        _say(f"{len(opened)}/{n} sessions open ({boards} boards: {out['seats_taken']} seats; {lessons} lessons: "
             f"{out['lessons_opened']} run), {k} kernels: server RSS {rss:.0f} MiB, CPU {cpu:.1f} s; "
             f"idle: {idle_cores or 0:.3f} cores")

        # --light-acting boards play (server-side action times), the other sessions stay open
        players = [i for i in board_of if sessions[i].latency is not None][:args.light_acting]
        if players and args.light_minutes > 0:
            team_size = {team: sum(1 for i in players if board_of[i][0] == team) for team in teams}
            seconds = args.light_minutes * 60
            room = Room(store, rounds=False, week_seconds=seconds / (store.end_week - store.start_week - 1))
            rng = random.Random(args.seed + 1)
            c2 = probe.cpu()
            r2 = probe.rss()
            stop = asyncio.Event()
            samples: list[tuple] = []
            sampler = asyncio.create_task(_sample(probe, samples, time.monotonic(), stop, 1.0))
            until = time.monotonic() + seconds
            await asyncio.gather(*(play_light(sessions[i], room, board_of[i][0], board_of[i][1] % max(1, team_size[board_of[i][0]]),
                                              team_size[board_of[i][0]], until, args.think, random.Random(rng.random()))
                                   for i in players))
            stop.set()
            await sampler
            acts = [a for i in players for a in sessions[i].acts]
            out["acting"] = {"sessions": len(players), "seconds": seconds, "acts": acts,
                             "rss_peak_mib": max(x[1] for x in samples), "turns_per_s": None,
                             "refused": [a for i in players for a in sessions[i].refusals],
                             "others": [a for i in players for a in sessions[i].others],
                             "errors": [e for i in players for e in sessions[i].errors][:10],
                             "cpu_s": probe.cpu() - c2, "rss_before_mib": r2, "rss_after_mib": probe.rss()}
            a = out["acting"]
            a["turns_per_s"] = (len(acts) + len(a["refused"])) / seconds
            _say(f"{len(players)} boards acted {args.light_minutes:g} min with {len(opened)} sessions open: {len(acts)} "
                 f"actions, server side p50 {pct(acts, 50) or 0:.3f} s, p95 {pct(acts, 95) or 0:.3f} s "
                 f"({len(a['refused'])} refused, {len(a['errors'])} errors)")

        drop = int(round(n * args.drop_sessions))
        await asyncio.gather(*(s.close(beacon=i >= drop) for i, s in enumerate(sessions)), return_exceptions=True)
        out["close"] = await _watch_close(app, probe, base, "L", args.close_wait, args.until_zero)
        c = out["close"]
        _say(f"{c['waited_s']:.0f} s after the sessions closed: {c['kernels_left']} kernels, {c['seats_left']} seats and "
             f"{c['lessons_left']} lessons open; RSS {c['rss_after_mib']:.0f} MiB")
        out["log"] = _log_summary(app.log())
    return out


# --- the table ------------------------------------------------------------------------------------------------
@dataclass
class Line:
    """One line of the table (one entry of ``results`` in room-results.json)."""

    name: str
    figure: float | None
    unit: str
    budget: float | None = None
    baseline_name: str = "-"
    baseline: float | None = None
    passed: bool | None = None  # None: no budget
    verdict: bool = True  # False: sizes below what the budget assumes (shown as (pass)/(over))
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.baseline:
            return None
        return self.figure / self.baseline

    def to_json(self) -> dict:
        return {"name": self.name, "figure": self.figure, "unit": self.unit, "budget": self.budget,
                "baseline_name": self.baseline_name, "baseline": self.baseline, "ratio": self.ratio,
                "pass": self.passed, "verdict": self.verdict, "note": self.note}


def judge(figure: float | None, budget: float | None) -> bool | None:
    if budget is None:
        return None
    return figure is not None and figure <= budget


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_table(lines: list[Line]) -> None:
    head = ("figure", "value", "unit", "budget", "baseline (Voilà)", "baseline", "ratio", "result")
    rows = []
    for r in lines:
        status = "-" if r.passed is None else ("PASS" if r.passed else "FAIL")
        if r.passed is not None and not r.verdict:
            status = "(pass)" if r.passed else "(over)"
        spec = {"MiB": ".0f", "sessions": ".0f", "%": ".1f", "cores": ".2f"}.get(r.unit, ".3f")
        if r.unit == "MiB" and r.figure is not None and r.figure < 100:
            spec = ".1f"
        rows.append((r.name, _fmt(r.figure, spec), r.unit, _fmt(r.budget, ".4g"), r.baseline_name,
                     _fmt(r.baseline, "g"), _fmt(r.ratio, ".3f"), status))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    print(fmt.format(*head))
    print(fmt.format(*("-" * w for w in widths)))
    for row in rows:
        print(fmt.format(*row))
    print()
    for r in lines:
        if r.note:
            print(f"  {r.name}: {r.note}")


def figures(r: dict, args: argparse.Namespace) -> list[Line]:
    """The table: each budget, with Voilà's figure as the baseline where there is one."""
    pages = r["pages"]
    lat, op, lp, idle = pages["latency"], pages["open"], pages["loop"], pages["idle"]["rss_mib"]
    n = op["joined"]
    full_pages, full_minutes = args.pages >= FULL_PAGES, args.minutes >= FULL_MINUTES
    acts = lat["act_loop"]
    machine = (f"machine {lp['machine_busy_cores']:.2f} of {os.cpu_count()} cores busy while playing: server "
               f"{lp['server_cores']:.2f}, this script's Chromium {lp['browser_cores']:.2f}, the rest other work; "
               f"load average {' '.join(lp['loadavg'])}")
    lines = [
        Line(f"page ready p50 (navigation → board), {n} pages", pct(lat["ready"], 50), "s",
             note=f"front page, code and name typed, Join, the board's first card; waves of {args.wave} pages at once; "
                  f"front page alone p50 {_fmt(pct(lat['front'], 50), '.2f')} s"),
        Line(f"page ready p95, {n} pages", pct(lat["ready"], 95), "s"),
        Line(f"action p50 (Act pressed → reply shown, in the page), {n} acting", pct(acts, 50), "s"),
        Line(f"action p95 (Act pressed → reply shown, in the page), {n} acting", pct(acts, 95), "s", BUDGET_ACTION_P95,
             passed=judge(pct(acts, 95), BUDGET_ACTION_P95), verdict=full_pages,
             note=f"{len(acts)} actions in {lp['seconds'] / 60:.1f} min, a turn every ~{args.think:g} s a page "
                  f"({lp['turns'] / lp['seconds']:.1f} turns/s) (+{len(lat['refused'])} refused or overtaken by "
                  f"a teammate); judge p95 {_fmt(pct(lat['judge'], 95), '.3f')} s, Next week p95 "
                  f"{_fmt(pct(lat['week'], 95), '.3f')} s; {lp['errors']} steps timed out; {machine}"),
        Line(f"server CPU per page (front page, join, the team's board), {n} pages",
             op.get("cpu_pages_s", op["cpu_s"]) / n if n else None, "s",
             BUDGET_CPU_PER_PAGE, "1.8 s a page", VOILA_CPU_PER_PAGE,
             judge(op.get("cpu_pages_s", op["cpu_s"]) / n if n else None, BUDGET_CPU_PER_PAGE), full_pages,
             note=f"{op.get('cpu_pages_s', op['cpu_s']):.1f} s for {n} pages, after a warm-up page "
                  f"({pages['warmup']['cpu_s']:.2f} s: the first page's imports); with each page's first turn "
                  f"(select, act, judge) {op['cpu_s'] / n:.3f} s a page; while playing "
                  f"{lp['cpu_s'] / max(1, lp['turns']):.3f} s per turn"),
    ]
    by_pages = {int(k): v for k, v in op["rss_by_pages"].items()}
    at10 = [k for k in sorted(by_pages) if k >= 10]
    if at10:
        lines.append(Line(f"server RSS, {at10[0]} pages", by_pages[at10[0]], "MiB", None, "10 pages (spike)",
                          VOILA_MIB_10_PAGES))
    per = (op["rss_mib"] - idle) / n if n else None
    c = pages["close"]
    left = max(c["kernels_left"], c["seats_left"])
    lines += [
        Line(f"server RSS, {n} pages joined (idle {idle:.0f} MiB)", op["rss_mib"], "MiB", None, f"{n} × 145 MiB",
             n * VOILA_MIB_PER_SESSION if n else None,
             note=f"one process: {op['kernels']} kernels, child processes {op['server_children'] or 'none'}; the browsers "
                  f"meanwhile: {op['browser_processes']} Chromium processes, PSS {_fmt(op['browser_pss_mib'], '.0f')} MiB"),
        Line(f"RSS per session, {n} pages", per, "MiB", None, "145 MiB a session", VOILA_MIB_PER_SESSION,
             note="(RSS with the pages joined − idle RSS after a warm-up page) ÷ pages"),
        Line(f"memory growth, {lp['seconds'] / 60:.1f} min of play after {lp['warmup_s']:.0f} s warm-up", lp["growth_pct"],
             "%", BUDGET_GROWTH_PCT, passed=judge(lp["growth_pct"], BUDGET_GROWTH_PCT), verdict=full_minutes,
             note=f"RSS {lp['rss_after_warmup_mib']:.0f} → {lp['rss_end_mib']:.0f} MiB (peak {lp['rss_peak_mib']:.0f}, "
                  f"trend {_fmt(lp['slope_mib_per_min'], '+.2f')} MiB/min) over {lp['acts']} actions and "
                  f"{lp['weeks_closed']} weeks closed"),
        Line(f"sessions left {c['waited_s']:.0f} s after {n} pages closed", left, "sessions", BUDGET_SESSIONS_LEFT,
             passed=judge(left, BUDGET_SESSIONS_LEFT),
             verdict=args.close_wait >= FULL_CLOSE_WAIT or c["zero_after_s"] is not None,
             note=f"{n - int(round(n * args.drop_pages))} closed their tab, {int(round(n * args.drop_pages))} dropped; "
                  f"Solara's kernels {c['kernels_left']}, seats open {c['seats_left']} (app log); none left after "
                  f"{c['zero_after_s']} s; RSS then {c['rss_after_mib']:.0f} MiB"),
    ]
    s = r.get("sessions")
    if s:
        m, idle_s = s["opened"], s["idle_mib"]
        what = f"{s['boards']} boards + {s['lessons']} lessons" if s["lessons"] else f"{s['boards']} boards"
        ready = s["ready_board"] + s["ready_lesson"]
        a = s.get("acting")
        total = max(s["rss_mib"], a["rss_peak_mib"]) if a else s["rss_mib"]
        lines += [
            Line(f"server RSS, {m} sessions ({what}, light client)" + (f", peak while {a['sessions']} act" if a else ""),
                 total, "MiB", BUDGET_TOTAL_MIB, f"{m} × 145 MiB", m * VOILA_MIB_PER_SESSION if m else None,
                 judge(total, BUDGET_TOTAL_MIB) if m == args.sessions else False, args.sessions >= FULL_SESSIONS,
                 note=f"{s['rss_mib']:.0f} MiB once all were open, {total:.0f} MiB at the peak of play; "
                      f"{m}/{args.sessions} opened through the page protocol, one process ({s['seats_taken']} seats "
                      f"taken, {s['lessons_opened']} lessons run, {s['kernels']} kernels, child processes "
                      f"{s['children'] or 'none'}); 3 GB = 2,861 MiB; ready p50/p95 {_fmt(pct(ready, 50), '.2f')}/"
                      f"{_fmt(pct(ready, 95), '.2f')} s" + (f"; failed: {s['failed'][:3]}" if s["failed"] else "")),
            Line(f"RSS per session, {m} sessions", (s["rss_mib"] - idle_s) / m if m else None, "MiB", None,
                 "145 MiB a session", VOILA_MIB_PER_SESSION,
                 note=f"(RSS with the sessions open − idle RSS {idle_s:.0f} MiB after a warm-up board and lesson) ÷ sessions"),
            Line(f"server CPU per session, {m} sessions (open + join, or lesson run)", s["cpu_s"] / m if m else None, "s",
                 None, "1.8 s a page", VOILA_CPU_PER_PAGE, note="no browser: the server's work to open the page"),
        ]
        if s["idle_cores"] is not None:
            lines.append(Line(f"server CPU while {m} sessions sit idle", s["idle_cores"], "cores",
                              note=f"nobody clicks for {args.idle_seconds:g} s: the boards' clocks and Solara's upkeep"))
        if a:
            lines.append(Line(f"action p95 server side (click → server idle), {a['sessions']} acting, {m} open",
                              pct(a["acts"], 95), "s", note=(
                                  f"light client, no browser: {len(a['acts'])} actions in {a['seconds'] / 60:.1f} min "
                                  f"({a['turns_per_s']:.1f} turns/s, server CPU {a['cpu_s'] / a['seconds']:.2f} cores), p50 "
                                  f"{_fmt(pct(a['acts'], 50), '.3f')} s (+{len(a['refused'])} refused); other clicks p95 "
                                  f"{_fmt(pct(a['others'], 95), '.3f')} s; RSS {a['rss_before_mib']:.0f} → "
                                  f"{a['rss_after_mib']:.0f} MiB")))
        cs = s["close"]
        left = max(cs["kernels_left"], cs["seats_left"], cs["lessons_left"])
        lines.append(Line(f"sessions left {cs['waited_s']:.0f} s after {m} sessions closed", left, "sessions",
                          BUDGET_SESSIONS_LEFT, passed=judge(left, BUDGET_SESSIONS_LEFT),
                          verdict=args.close_wait >= FULL_CLOSE_WAIT or cs["zero_after_s"] is not None,
                          note=f"{int(round(args.drop_sessions * 100))} % dropped, the rest sent the tab's beacon; kernels "
                               f"{cs['kernels_left']}, seats {cs['seats_left']}, lessons {cs['lessons_left']}; none left "
                               f"after {cs['zero_after_s']} s; RSS then {cs['rss_after_mib']:.0f} MiB"))
    if per is not None:
        lines.append(Line(f"200 boards extrapolated from {n} pages (idle + 200 × per session)", idle + 200 * per, "MiB",
                          note="an extrapolation, not a measurement: a cross-check of the light client's figure"))
    return lines


# --- the run --------------------------------------------------------------------------------------------------
def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=30, help="Chromium pages that join and play (30)")
    ap.add_argument("--minutes", type=float, default=10.0, help="minutes of play once they joined (10)")
    ap.add_argument("--sessions", type=int, default=200, help="sessions opened by the light client (200; 0: none)")
    ap.add_argument("--lesson-share", type=float, default=0.5,
                    help="share of those sessions on a lesson page, the rest on a board (0.5: 100 trainees × board + lesson)")
    ap.add_argument("--session-teams", type=int, default=20,
                    help="teams of the sessions' workshop (20: 100 trainees in teams of 5, as the pages' 30 in 6)")
    ap.add_argument("--light-acting", type=int, default=30, help="light boards that then play (30)")
    ap.add_argument("--light-minutes", type=float, default=2.0, help="minutes they play (2)")
    ap.add_argument("--close-wait", type=float, default=120.0, help="seconds watched after the pages close (120)")
    ap.add_argument("--until-zero", action="store_true", help="stop watching once no session is left")
    ap.add_argument("--think", type=float, default=10.0,
                    help="mean pause between a trainee's turns, seconds (10: a busy room; 2 is a stress test)")
    ap.add_argument("--wave", type=int, default=3, help="pages opened at once (3)")
    ap.add_argument("--session-wave", type=int, default=10, help="light sessions opened at once (10)")
    ap.add_argument("--drop-pages", type=float, default=0.5,
                    help="share of pages that vanish with their browser instead of closing their tab (0.5)")
    ap.add_argument("--drop-sessions", type=float, default=0.5, help="the same for the light sessions (0.5)")
    ap.add_argument("--idle-seconds", type=float, default=10.0, help="seconds the open sessions sit idle (10)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds of play before memory growth is measured (default: 20 %% of the run, at most 60)")
    ap.add_argument("--no-warmup", dest="warmup_page", action="store_false",
                    help="no warm-up page or session: the idle RSS is then the fresh server's (a quicker run)")
    ap.add_argument("--rounds", action="store_true", help="a rounds workshop: pages submit, this script plays the trainer")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--out", type=Path, default=OUT, help="results file (benchmarks/room-results.json)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (servers' logs, stores, screenshots)")
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be ≥ 1")
    return args


def main(argv: list[str] | None = None) -> dict:
    """Run the room load test; the payload written to ``--out`` (with ``failed``: budgets that failed).

    Raises pytest's skip (fail under ``CI``) when ``/usr/bin/chromium`` is missing, as the browser tests do."""
    args = parse(argv)
    executable = chromium()  # skips (fails under CI) without /usr/bin/chromium
    work = Path(tempfile.mkdtemp(prefix="simfunnel-room-"))
    started = time.monotonic()
    result: dict[str, Any] = {}
    try:
        (work / "pages").mkdir()
        result["pages"] = asyncio.run(phase_pages(args, work / "pages", executable))
        if args.sessions:
            (work / "sessions").mkdir()
            result["sessions"] = asyncio.run(phase_sessions(args, work / "sessions"))
    except BaseException:
        for log in sorted(work.glob("*/app.log")):
            print(f"{log} (end):\n" + log.read_text("utf-8", errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    lines = figures(result, args)
    print()
    print_table(lines)
    payload = {
        "when": _dt.datetime.now().isoformat(timespec="seconds"),
        "wall_s": round(time.monotonic() - started, 1),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "results": [line.to_json() for line in lines],
        "failed": [line.name for line in lines if line.passed is False and line.verdict],
        "raw": result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", "utf-8")
    shown = args.out.relative_to(ROOT) if args.out.resolve().is_relative_to(ROOT) else args.out
    print(f"\nwrote {shown} ({payload['wall_s'] / 60:.1f} min)")
    return payload


def cli(argv: list[str] | None = None) -> int:
    """``python benchmarks/room.py``: 0 when every budget with a verdict holds, 1 otherwise, 2 without Chromium."""
    import pytest

    try:
        payload = main(argv)
    except (pytest.skip.Exception, pytest.fail.Exception) as err:
        print(f"room load test not run: {err}", file=sys.stderr)
        return 2
    return 1 if payload["failed"] else 0


if __name__ == "__main__":
    sys.exit(cli())
