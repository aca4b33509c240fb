"""Performance budgets of DESIGN.md ("Performance budgets"), each with its ratio to a baseline.

Run from the repository root::

    python benchmarks/run.py            # full sizes, median of 5 repeats -> benchmarks/results.json
    python benchmarks/run.py --quick    # smoke test: 1 repeat, smaller sizes -> benchmarks/results-quick.json

Every figure is the median wall-clock time (``time.perf_counter``) of a few
repeats, in seconds. Each line names its baseline, measured in the same run on
the same machine, and ``ratio = figure / baseline``. A line passes when the
figure is within its budget and, where DESIGN.md asks for one, the ratio is
within its bound (generate: ≥ 20× faster than the per-row loop, i.e. ratio ≤ 0.05;
Monte Carlo: within 2× of drawing the random numbers alone, i.e. ratio ≤ 2).

The budgets are written for a 2-core machine; ``results.json`` records the
machine the figures come from. In ``--quick`` mode the sizes are smaller than
the budgets assume, so pass/fail there only says the code runs.

The per-row generate baseline is timed once on the full million deals (15–20 s
on a 2-core machine, under the 40 s where scaling would be needed);
``--baseline-sample`` times it on 100,000 deals and scales ×10 instead. The
per-deal simulate baseline is timed on 10,000 deals and scaled ×10.

Two hooks, :func:`bench_montecarlo` and :func:`bench_indicators`, run as soon as
``simfunnel.analysis.montecarlo.montecarlo`` and ``simfunnel.analysis.metrics.indicators`` exist and
print "not yet available" until then.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as _dt
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simfunnel.model.funnel import Funnel  # noqa: E402
from simfunnel.model.generate import (
    BRAIN_TYPES,
    BUYING_ROLES,
    FUNCTIONS,
    GIVEN_NAMES,
    INDUSTRIES,
    LEVELS,
    NAME_PREFIXES,
    NAME_SUFFIXES,
    OWNERSHIP,
    PRODUCTS,
    REGIONS,
    SURNAMES,
    WorldParams,
    generate,
)
from simfunnel.model.history import History  # noqa: E402
from simfunnel.model.segments import DEFAULT_SEGMENTS as SEGMENTS  # noqa: E402  (generate's rule since 5abeeca)
from simfunnel.model.simulate import Simulation  # noqa: E402
from simfunnel.model.chain import calibrated_chain

MODULES_NOT_ON_IMPORT = ("matplotlib", "ipywidgets")


# --- results -------------------------------------------------------------------
@dataclass
class Result:
    """One line of the table (one line of ``results.json``)."""

    name: str
    figure: float | None  # seconds (median)
    budget: float | None  # seconds
    baseline_name: str
    baseline_figure: float | None  # seconds
    ratio: float | None  # figure / baseline
    passed: bool | None  # None: not measured (hook not yet available)
    max_ratio: float | None = None  # bound on ratio, when DESIGN.md sets one
    repeats: int = 0
    notes: list[str] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    sized: bool = True  # its size shrinks in --quick mode (then its pass/fail is no verdict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["pass"] = d.pop("passed")
        if self.max_ratio is not None and self.max_ratio < 1:  # "≥ N× faster than the baseline"
            d["speedup"] = None if not self.ratio else 1.0 / self.ratio
        return d


def _judge(figure: float, budget: float | None, ratio: float | None, max_ratio: float | None) -> bool:
    ok = budget is None or figure <= budget
    if max_ratio is not None:
        ok = ok and ratio is not None and ratio <= max_ratio
    return ok


def _median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def _line(name, figure, budget, base_name, base, *, max_ratio=None, repeats=0, notes=(), samples=()) -> Result:
    ratio = figure / base if base else None
    return Result(
        name=name,
        figure=figure,
        budget=budget,
        baseline_name=base_name,
        baseline_figure=base,
        ratio=ratio,
        passed=_judge(figure, budget, ratio, max_ratio),
        max_ratio=max_ratio,
        repeats=repeats,
        notes=list(notes),
        samples=list(samples),
    )


# --- 1. import simfunnel ---------------------------------------------------------
_IMPORT_PANDAS = "import time; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
_IMPORT_SIMFUNNEL = (
    "import json, sys, time; t = time.perf_counter(); import simfunnel; dt = time.perf_counter() - t; "
    "print(json.dumps({'seconds': dt, 'loaded': [m for m in %r if m in sys.modules]}))" % (MODULES_NOT_ON_IMPORT,)
)
# Pure computations never import matplotlib or ipywidgets (DESIGN.md, data flow).
PURE_MODULES = (
    "simfunnel.model.funnel", "simfunnel.model.history", "simfunnel.model.generate", "simfunnel.model.simulate",
    "simfunnel.analysis.metrics", "simfunnel.analysis.winrates", "simfunnel.analysis.montecarlo", "simfunnel.analysis.threshold", "simfunnel.model.segments",
    "simfunnel.crm", "simfunnel.workshop.store", "simfunnel.analysis.allocation",
)
_IMPORT_PURE = """
import importlib, importlib.util, json, sys
out = {}
for name in %r:
    if importlib.util.find_spec(name) is None:
        continue
    try:
        importlib.import_module(name)
    except Exception as exc:
        out[name] = 'import failed: ' + type(exc).__name__ + ': ' + str(exc)[:120]
        continue
    out[name] = [m for m in %r if m in sys.modules]
print(json.dumps(out))
""" % (PURE_MODULES, MODULES_NOT_ON_IMPORT)


def _fresh_python(code: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(ROOT))
    if done.returncode != 0:
        raise RuntimeError(f"fresh python failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip().splitlines()[-1]


def bench_import(repeats: int) -> list[Result]:
    """`import simfunnel` ≤ 0.1 s beyond `import pandas`, both timed in fresh interpreters."""
    _fresh_python(_IMPORT_PANDAS)  # warm the OS file cache; not counted
    _fresh_python(_IMPORT_SIMFUNNEL)
    pandas_s, simfunnel_s, loaded = [], [], set()
    for _ in range(repeats):  # interleaved, so drift in machine load hits both alike
        pandas_s.append(float(_fresh_python(_IMPORT_PANDAS)))
        got = json.loads(_fresh_python(_IMPORT_SIMFUNNEL))
        simfunnel_s.append(got["seconds"])
        loaded.update(got["loaded"])
    base = statistics.median(pandas_s)
    total = statistics.median(simfunnel_s)
    extra = total - base
    lines = [
        _line(
            "import simfunnel (beyond import pandas)",
            extra,
            0.1,
            "import pandas (fresh interpreter)",
            base,
            repeats=repeats,
            notes=[
                f"median import simfunnel {total:.3f} s minus median import pandas {base:.3f} s, "
                "each in its own fresh interpreter"
            ],
            samples=simfunnel_s,
        )
    ]
    lines[0].sized = False  # the same import in --quick mode, just fewer repeats
    lines.append(
        Result(
            name="import simfunnel loads no matplotlib / ipywidgets",
            figure=None,
            budget=None,
            baseline_name="-",
            baseline_figure=None,
            ratio=None,
            passed=not loaded,
            notes=[f"loaded: {', '.join(sorted(loaded))}" if loaded else "neither is in sys.modules"],
        )
    )
    pure = json.loads(_fresh_python(_IMPORT_PURE))
    bad = {k: v for k, v in pure.items() if isinstance(v, list) and v}
    failed = {k: v for k, v in pure.items() if isinstance(v, str)}
    notes = [f"checked: {', '.join(k for k in pure if k not in failed)}"]
    notes += [f"{k} imports {', '.join(v)}" for k, v in bad.items()]
    notes += [f"{k}: {v} (not judged)" for k, v in failed.items()]
    lines.append(
        Result(
            name="pure modules load no matplotlib / ipywidgets",
            figure=None,
            budget=None,
            baseline_name="-",
            baseline_figure=None,
            ratio=None,
            passed=not bad,
            notes=notes,
        )
    )
    return lines


# --- 2. generate -------------------------------------------------------------------
def per_row_generate(n_deals: int, seed: int, funnel: str = "key-account", weeks: int = 52) -> dict[str, pd.DataFrame]:
    """The baseline: the tables of ``generate(deals=n_deals)`` drawn one row at a time with ``random``.

    A plain implementation a careful analyst would write without numpy: the same
    columns and the same distributions as :func:`simfunnel.model.generate.generate`
    (accounts ≈ n/8; 3 + Binomial(5, ½) contacts per account; deals spread over
    the opening pipeline and weekly arrivals), drawn with ``random.Random(seed)``
    (``choices`` with precomputed cumulative weights, ``lognormvariate``,
    ``betavariate``, …) into lists of dicts, then one ``DataFrame`` per table.
    Columns that ``generate`` stores as categoricals are plain strings here
    (converting them would only add time). Per-stage arithmetic (the calibrated
    chain and its steady state) is shared with ``generate``: it is not per-row
    work. Account names are drawn independently (the large-world path of
    ``generate``; small workshop worlds draw distinct names, not needed at
    benchmark sizes).
    """
    rnd = random.Random(seed)
    p = WorldParams()
    f = Funnel.preset(funnel)
    chain = calibrated_chain(f, exit_hazard=p.exit_hazard)
    n_acc = max(1, n_deals // 8)

    # accounts
    ind_cw = list(np.cumsum([4, 2, 2, 2, 1, 2, 1, 2, 1.0]))
    own_cw = list(np.cumsum([o[3] for o in OWNERSHIP]))
    n_sellers = max(3, n_acc // p.sellers_per_accounts)
    seller_names = [
        f"{SURNAMES[(7 * i) % len(SURNAMES)][1]} {GIVEN_NAMES[(11 * i + 5) % len(GIVEN_NAMES)][1]}"
        for i in range(n_sellers)
    ]
    if len(set(seller_names)) < n_sellers:
        seller_names = [f"{name} {i + 1}" for i, name in enumerate(seller_names)]
    accounts: list[dict[str, Any]] = []
    log_pot = math.log(p.potential_median)
    for i in range(n_acc):
        ind = rnd.choices(INDUSTRIES, cum_weights=ind_cw)[0]
        prefix = rnd.choice(NAME_PREFIXES)
        suffix = rnd.choice(NAME_SUFFIXES)
        potential = round(rnd.lognormvariate(log_pot, 1.0), -4)
        existing = rnd.random() < p.existing_share
        share = round(rnd.betavariate(2.0, 4.0), 3) if existing else 0.0
        accounts.append(
            {
                "account_id": i + 1,
                "name_zh": prefix[0] + ind[3] + suffix[0],
                "name_en": f"{prefix[1]} {ind[4]} {suffix[1]}",
                "industry": ind[0],
                "region": rnd.choice(REGIONS)[0],
                "ownership": rnd.choices(OWNERSHIP, cum_weights=own_cw)[0][0],
                "potential": potential,
                "share_of_wallet": share,
                "existing_customer": existing,
                "segment": None,
                "owner": seller_names[rnd.randrange(n_sellers)],
            }
        )
    median_potential = statistics.median(a["potential"] for a in accounts)
    for a in accounts:  # attack/defend needs the median: a second pass
        high_p, high_s = a["potential"] >= median_potential, a["share_of_wallet"] >= 0.2
        a["segment"] = SEGMENTS[(0 if high_s else 1) if high_p else (2 if high_s else 3)][0]

    # contacts
    level_cw = list(np.cumsum([0.5, 0.35, 0.15]))
    role_cw = [
        list(np.cumsum(w))
        for w in ([0.0, 0.55, 0.15, 0.0, 0.30], [0.15, 0.15, 0.35, 0.30, 0.05], [0.85, 0.0, 0.05, 0.10, 0.0])
    ]
    role_function = {0: 0, 3: 2, 2: 3, 4: 1}
    contacts: list[dict[str, Any]] = []
    for a in accounts:
        size = 3 + sum(rnd.random() < 0.5 for _ in range(5))
        coach_rank = 1 + int(rnd.random() * (size - 1)) if rnd.random() < 0.6 else -1
        for rank in range(size):
            if rank == 0:
                level, role = 2, 0
            else:
                level = rnd.choices(range(3), cum_weights=level_cw)[0]
                role = rnd.choices(range(5), cum_weights=role_cw[level])[0]
            function = role_function.get(role)
            if function is None:
                function = rnd.choice((4, 5))
            surname, given = rnd.choice(SURNAMES), rnd.choice(GIVEN_NAMES)
            contacts.append(
                {
                    "contact_id": len(contacts) + 1,
                    "account_id": a["account_id"],
                    "name_zh": surname[0] + given[0],
                    "name_en": f"{surname[1]} {given[1]}",
                    "function": FUNCTIONS[function][0],
                    "level": LEVELS[level][0],
                    "buying_role": BUYING_ROLES[role][0],
                    "coach": rank == coach_rank,
                    "brain_type": rnd.choice(BRAIN_TYPES)[0],
                }
            )

    # deals: opening pipeline in the chain's steady state, then uniform weekly arrivals
    adv = chain["advance"].to_numpy()
    exit_rate = (chain["advance"] + chain["lost"]).to_numpy()
    reach = np.concatenate([[1.0], np.cumprod(adv / exit_rate)[:-1]])
    per_arrival = reach / exit_rate
    left = np.cumsum((1.0 / exit_rate)[::-1])[::-1].tolist()
    rate = n_deals / (weeks + per_arrival.sum())
    n_open = min(int(round(rate * per_arrival.sum())), n_deals)
    stage_cw = list(np.cumsum(per_arrival))
    account_cw = list(np.cumsum([a["potential"] * (0.3 + a["share_of_wallet"]) for a in accounts]))
    product_cw = list(np.cumsum([3, 3, 2, 2, 1, 1.0]))
    stages = range(len(f))
    keys = f.all_keys
    log_amount = math.log(p.amount_median)
    log_keep_paying = math.log(1.0 - p.payment_p)
    arrivals = sorted(rnd.randint(1, weeks) for _ in range(n_deals - n_open))
    deals: list[dict[str, Any]] = []
    for i in range(n_deals):
        if i < n_open:
            stage, created = rnd.choices(stages, cum_weights=stage_cw)[0], 0
        else:
            stage, created = 0, arrivals[i - n_open]
        a = accounts[bisect.bisect_right(account_cw, rnd.random() * account_cw[-1])]
        amount = max(round(rnd.lognormvariate(log_amount, p.amount_sigma), -2), p.amount_min)
        override = round(rnd.uniform(0.05, 0.95), 2) if rnd.random() < p.override_share else float("nan")
        delay = 1 + int(math.log(1.0 - rnd.random()) / log_keep_paying)  # geometric, ≥ 1
        deals.append(
            {
                "deal_id": i + 1,
                "account_id": a["account_id"],
                "owner": a["owner"],
                "amount": amount,
                "created_week": created,
                "stage": keys[stage],
                "status": "open",
                "closed_week": None,
                "expected_close_week": created + round(left[stage] * rnd.uniform(0.7, 1.3)),
                "win_rate_override": override,
                "paid_week": None,
                "product": rnd.choices(PRODUCTS, cum_weights=product_cw)[0][0],
                "payment_delay_weeks": delay,
            }
        )
    return {"accounts": pd.DataFrame(accounts), "contacts": pd.DataFrame(contacts), "deals": pd.DataFrame(deals)}


def bench_generate(n_deals: int, baseline_deals: int, repeats: int) -> Result:
    """generate(deals=n) ≤ 1 s and ≥ 20× faster than the per-row loop."""
    world = generate(deals=n_deals, seed=1)  # warm-up (imports, presets); not counted
    sizes = (len(world.accounts), len(world.contacts), len(world.deals))
    del world
    figure, samples = _median_time(lambda: generate(deals=n_deals, seed=1), repeats)
    t0 = time.perf_counter()
    tables = per_row_generate(baseline_deals, seed=1)
    measured = time.perf_counter() - t0
    scale = n_deals / baseline_deals
    base_sizes = tuple(len(tables[k]) for k in ("accounts", "contacts", "deals"))
    if scale == 1:
        how = f"per-row loop timed once on the full {baseline_deals:,} deals"
    else:
        how = (
            f"per-row loop timed once on {baseline_deals:,} deals ({measured:.2f} s) and scaled ×{scale:g} "
            f"(its work is linear in the number of rows)"
        )
    return _line(
        f"generate {n_deals:,} deals + accounts + contacts",
        figure,
        1.0,
        f"per_row_generate (random, lists of dicts) ×{scale:g}" if scale != 1 else "per_row_generate (random, lists of dicts)",
        measured * scale,
        max_ratio=1 / 20,
        repeats=repeats,
        notes=[
            how,
            f"generate: {sizes[0]:,} accounts, {sizes[1]:,} contacts, {sizes[2]:,} deals; "
            f"baseline: {base_sizes[0]:,} accounts, {base_sizes[1]:,} contacts, {base_sizes[2]:,} deals",
        ],
        samples=samples,
    )


# --- 3. simulate -------------------------------------------------------------------
def per_deal_simulate(world, weeks: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline: each deal walked week by week in Python with the same weekly Bernoulli steps.

    Each week a deal at open stage *i* advances with chance ``advance[i]`` (won
    from the last stage), is lost with chance ``lost[i]``, or stays; every change
    is an event (a dict). Ends with the deals and events DataFrames, as
    ``Simulation.run`` ends with a History.
    """
    rnd = random.Random(seed)
    f = world.funnel
    adv = world.chain["advance"].tolist()
    los = world.chain["lost"].tolist()
    n_open = len(f)
    won, lost = n_open, n_open + 1
    keys = f.all_keys
    d = world.deals
    events: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for deal_id, created, stage, amount, delay in zip(
        d.deal_id.tolist(), d.created_week.tolist(), d.stage.cat.codes.tolist(), d.amount.tolist(),
        d.payment_delay_weeks.tolist(),
    ):
        if created > weeks:
            continue
        closed = None
        for week in range(created + 1, weeks + 1):
            u = rnd.random()
            if u < adv[stage]:
                new, outcome = (won, "order") if stage == n_open - 1 else (stage + 1, "advance")
            elif u < adv[stage] + los[stage]:
                new, outcome = lost, "no_sale"
            else:
                continue
            events.append(
                {"deal_id": deal_id, "week": week, "from_stage": keys[stage], "to_stage": keys[new],
                 "outcome": outcome, "action": None}
            )
            stage = new
            if stage >= n_open:
                closed = week
                break
        paid = closed + delay if stage == won and closed + delay <= weeks else None
        rows.append(
            {"deal_id": deal_id, "amount": amount, "created_week": created, "stage": keys[stage],
             "status": "won" if stage == won else "lost" if stage == lost else "open",
             "closed_week": closed, "paid_week": paid}
        )
    return pd.DataFrame(rows), pd.DataFrame(events)


def bench_simulate(n_deals: int, baseline_deals: int, repeats: int) -> list[Result]:
    """Simulation(generate(deals=n)).run(52) ≤ 3 s (world generation not timed)."""
    world = generate(deals=n_deals, seed=1)
    Simulation(world, seed=1).run(52)  # warm-up
    figure, samples = _median_time(lambda: Simulation(world, seed=1).run(52), repeats)
    small = generate(deals=baseline_deals, seed=1)
    t0 = time.perf_counter()
    per_deal_simulate(small, 52, seed=1)
    measured = time.perf_counter() - t0
    scale = n_deals / baseline_deals
    base_name = f"per-deal Python loop ×{scale:g}" if scale != 1 else "per-deal Python loop"
    how = (
        f"per-deal loop timed once on {baseline_deals:,} deals ({measured:.2f} s) and scaled ×{scale:g}"
        if scale != 1 else f"per-deal loop timed once on {baseline_deals:,} deals"
    )
    lines = [
        _line(
            f"simulate {n_deals:,} deals × 52 weeks",
            figure,
            3.0,
            base_name,
            measured * scale,
            repeats=repeats,
            notes=[how, "run(52) returns the History; its snapshots are built lazily (next line)"],
            samples=samples,
        )
    ]

    def run_and_snapshot() -> None:
        Simulation(world, seed=1).run(52).snapshots

    figure2, samples2 = _median_time(run_and_snapshot, repeats)
    lines.append(
        _line(
            f"simulate {n_deals:,} deals × 52 weeks + build snapshots",
            figure2,
            3.0,
            base_name,
            measured * scale,
            repeats=repeats,
            notes=["same as above plus history.snapshots (one row per existing deal per week); "
                   "informative, the budget line is the one above"],
            samples=samples2,
        )
    )
    return lines


# --- 4. hooks: Monte Carlo and indicators ----------------------------------------------
def _open_history(n_open: int, seed: int = 1) -> History:
    """A simulated History holding exactly ``n_open`` open deals (and their events)."""
    n = max(1000, int(n_open * 9))  # about 11% of a 52-week world is still open at the end
    while True:
        h = Simulation(generate(deals=n, seed=seed), seed=seed).run(52)
        open_deals = h.deals[h.deals.status == "open"]
        if len(open_deals) >= n_open:
            break
        n = int(n * 1.3)
    keep = open_deals.iloc[:n_open]
    events = h.events[h.events.deal_id.isin(keep.deal_id)]
    # The default period starts at the last week, so a forecast "as of the period start"
    # (montecarlo's default) sees exactly these open deals.
    out = History(keep, events, None, h.funnel, h.currency, start_week=h.end_week, end_week=h.end_week,
                  quota=h.quota, meta=h.meta)
    snap = out.snapshots
    n_now = int(((snap.week == out.start_week) & (snap.status == "open")).sum())
    assert n_now == n_open, (n_now, n_open)
    return out


def bench_montecarlo(trials: int = 10_000, n_open: int = 10_000, repeats: int = 5) -> Result:
    """HOOK — Monte Carlo: 10,000 trials × 10,000 open deals ≤ 1 s, within 2× of drawing the random numbers alone.

    Runs when ``simfunnel.analysis.montecarlo.montecarlo`` exists. Figure: median of
    ``montecarlo(history, trials=trials, seed=1)`` on a simulated History with
    ``n_open`` open deals at its period start (``montecarlo``'s default as-of
    week). Baseline: ``np.random.default_rng(1).random((rows, n_open),
    dtype=np.float32)`` (into one preallocated buffer) for ``rows =
    simfunnel.analysis.montecarlo.chunk_trials(n_open)`` until ``trials`` rows
    are drawn — the same random numbers in the same chunks, and nothing else.
    """
    name = f"Monte Carlo {trials:,} trials × {n_open:,} open deals"
    try:
        from simfunnel.analysis import montecarlo as mc_module
        montecarlo = mc_module.montecarlo
    except (ImportError, AttributeError) as exc:
        return _not_available(name, 1.0, f"simfunnel.analysis.montecarlo.montecarlo: {exc}")
    chunk = mc_module.chunk_trials(n_open)
    history = _open_history(n_open)
    history.snapshots  # built once, as an analysis session would have it
    montecarlo(history, trials=trials, seed=1)  # warm-up
    figure, samples = _median_time(lambda: montecarlo(history, trials=trials, seed=1), repeats)

    buf = np.empty((min(chunk, trials), n_open), dtype=np.float32)

    def draw() -> None:  # into one preallocated buffer: the fastest way to draw them
        rng = np.random.default_rng(1)
        for start in range(0, trials, chunk):
            rng.random(out=buf[: min(chunk, trials - start)], dtype=np.float32)

    base, _ = _median_time(draw, repeats)
    return _line(
        name,
        figure,
        1.0,
        f"draw the same float32 uniforms alone (chunks of {chunk:,} trials)",
        base,
        max_ratio=2.0,
        repeats=repeats,
        notes=[f"chunk_trials({n_open:,}) = {chunk:,} trials drawn at once"],
        samples=samples,
    )


def bench_indicators(n_deals: int = 50_000, repeats: int = 7) -> Result:
    """HOOK — indicators on a 50,000-deal simulated history: ≤ 0.1 s median (the widget update budget).

    Runs when ``simfunnel.analysis.metrics.indicators`` exists. Figure: median of
    ``indicators(history, quota=history.quota, threshold=50_000)``, snapshots
    already built (a widget session builds them once). Baseline: one pass over
    ``history.snapshots`` reading every column to numpy (categoricals as their
    codes) and summing it — reading the columns once, the least any indicator
    computation must do.
    """
    name = f"indicators on {n_deals:,} deals (threshold 50,000)"
    try:
        from simfunnel.analysis.metrics import indicators
    except ImportError as exc:
        return _not_available(name, 0.1, f"simfunnel.analysis.metrics.indicators: {exc}")
    history = Simulation(generate(deals=n_deals, seed=1), seed=1).run(52)
    snaps = history.snapshots
    quota = history.quota
    t0 = time.perf_counter()
    indicators(history, quota=quota, threshold=50_000)
    first = time.perf_counter() - t0
    figure, samples = _median_time(lambda: indicators(history, quota=quota, threshold=50_000), repeats)

    def read_columns() -> None:
        for col in snaps.columns:
            s = snaps[col]
            arr = s.cat.codes.to_numpy() if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy(
                dtype=float, na_value=np.nan)
            np.nansum(arr)

    base, _ = _median_time(read_columns, repeats)
    return _line(
        name,
        figure,
        0.1,
        "read every history.snapshots column once",
        base,
        repeats=repeats,
        notes=[f"{len(snaps):,} snapshot rows; first call {first:.3f} s (included in no median)"],
        samples=samples,
    )


def bench_crm_import(n_rows: int = 100_000, repeats: int = 3, *, budget: float | None = 2.0,
                     max_ratio: float | None = None) -> Result:
    """Import of a 100,000-row Salesforce export (CSV, report labels, $ amounts, M/D/YYYY dates): ≤ 2 s.
    At 1,000,000 rows, issue 15's goal: ≤ 4× ``read_csv`` of the file (3.4× on 2026-12-07; DEVELOPERS.md).

    Baseline: ``pandas.read_csv`` of the same file (parsing it, nothing more).
    """
    import tempfile

    from simfunnel import crm

    rng = np.random.default_rng(7)
    stages = np.array(["Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
                       "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"])
    pick = rng.integers(0, len(stages), n_rows)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n_rows), unit="D")
    closed = created + pd.to_timedelta(rng.integers(1, 120, n_rows), unit="D")
    table = pd.DataFrame({
        "Opportunity ID": [f"006{i:012d}" for i in range(n_rows)],
        "Opportunity Name": [f"Deal {i}" for i in range(n_rows)],
        "Account Name": [f"Account {i % 5000}" for i in range(n_rows)],
        "Opportunity Owner": [f"Owner {i % 40}" for i in range(n_rows)],
        "Stage": stages[pick],
        "Amount": [f"${a:,.2f}" for a in np.round(rng.lognormal(10, 1.2, n_rows), 2)],
        "Created Date": [f"{d.month}/{d.day}/{d.year}" for d in created],
        "Close Date": [f"{d.month}/{d.day}/{d.year}" for d in closed],
    })
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "opportunities.csv"
        table.to_csv(path, index=False)
        figure, samples = _median_time(lambda: crm.load(path, source="salesforce"), repeats)
        result = crm.load(path, source="salesforce")
        base, _ = _median_time(lambda: pd.read_csv(path), repeats)
    s = result.summary
    return _line(f"import {n_rows:,} CSV rows (Salesforce report layout)", figure, budget,
                 "pandas.read_csv of the file", base, max_ratio=max_ratio, repeats=repeats, samples=samples,
                 notes=[f"rows read {s['rows_read']:,}: imported {s['imported']:,}, rejected {s['rejected']:,}"])


def bench_empirical(n_events: int = 1_000_000, repeats: int = 5) -> Result:
    """Empirical win rates over 1,000,000 events: ≤ 1 s and ≤ 3× a plain ``groupby`` of the events by
    (from_stage, to_stage) (issue 15's goal)."""
    from simfunnel.analysis.winrates import empirical_win_rates

    n_deals = n_events // 3
    history = Simulation(generate(deals=n_deals, seed=3), seed=3).run(52)
    while len(history.events) < n_events:  # top up to the million with a larger world
        n_deals = int(n_deals * n_events / max(1, len(history.events)) * 1.05)
        history = Simulation(generate(deals=n_deals, seed=3), seed=3).run(52)
    figure, samples = _median_time(lambda: empirical_win_rates(history), repeats)
    e = history.events

    base, _ = _median_time(lambda: e.groupby(["from_stage", "to_stage"], observed=True).size(), repeats)
    return _line(f"empirical win rates over {len(e):,} events", figure, 1.0, "groupby of the events by stage move",
                 base, max_ratio=3.0, repeats=repeats, samples=samples, notes=[f"{len(history.deals):,} deals"])


def bench_widgets(n_deals: int = 50_000, repeats: int = 15) -> list[Result]:
    """Each widget's update (a control changed → numbers + chart) on a 50,000-deal history: ≤ 0.1 s median.

    Figure: median over ``repeats`` updates, each a different value (a different week,
    threshold or set of rates), after the widget is built. Baseline: one
    ``indicators(history, quota, threshold)`` call on the same history — the
    computation every update needs at least once; the ratio is what the UI adds.
    """
    try:
        from simfunnel.analysis.metrics import indicators
        from simfunnel.widgets import DealBoard, ForecastDashboard, ThresholdExplorer, WinRateLab
    except ImportError as exc:
        return [_not_available("widgets", 0.1, str(exc))]
    world = generate(deals=n_deals, seed=1)
    sim = Simulation(world, seed=1)
    history = Simulation(world, seed=1).run(52)
    history.snapshots  # built once, as a widget session has them
    quota = history.quota
    base, _ = _median_time(lambda: indicators(history, quota=quota, threshold=50_000), repeats)
    base_name = "indicators(history, quota, threshold) once"
    out = []

    board = DealBoard(sim, threshold=50_000, lang="en")
    figure, samples = _median_time(board.next_week, repeats)
    out.append(_line(f"DealBoard next week on {n_deals:,} deals", figure, 0.1, base_name, base, repeats=repeats,
                     notes=["simulate a week, indicators of the quarter, cards, header and chart redrawn"],
                     samples=samples))

    explorer = ThresholdExplorer(history, lang="en")
    grid = list(explorer.slider_control._values)
    values = iter([grid[(3 * i + 1) % len(grid)] for i in range(repeats + 1)])
    figure, samples = _median_time(lambda: setattr(explorer, "threshold", next(values)), repeats)
    out.append(_line(f"ThresholdExplorer threshold moved on {n_deals:,} deals", figure, 0.1, base_name, base,
                     repeats=repeats, samples=samples))

    lab = WinRateLab(history, lang="en")
    rates = dict(lab.rates)
    steps = iter([{k: min(1.0, max(0.0, v + 0.01 * ((i % 5) - 2))) for k, v in rates.items()}
                  for i in range(repeats + 1)])
    figure, samples = _median_time(lambda: lab.set_rates(next(steps)), repeats)
    out.append(_line(f"WinRateLab rates changed on {n_deals:,} deals", figure, 0.1, base_name, base,
                     repeats=repeats, samples=samples))

    dash = ForecastDashboard(history, threshold=50_000, lang="en")
    weeks = iter([(i * 5) % 14 for i in range(1, repeats + 2)])
    figure, samples = _median_time(lambda: setattr(dash, "week", next(weeks)), repeats)
    out.append(_line(f"ForecastDashboard week moved on {n_deals:,} deals", figure, 0.1, base_name, base,
                     repeats=repeats, samples=samples))
    grid = list(dash.threshold_control._values)
    values = iter([grid[(3 * i + 2) % len(grid)] for i in range(repeats + 1)])
    figure, samples = _median_time(lambda: setattr(dash, "threshold", next(values)), repeats)
    out.append(_line(f"ForecastDashboard threshold moved on {n_deals:,} deals", figure, 0.1, base_name, base,
                     repeats=repeats, samples=samples))
    for widget in (board, explorer, lab, dash):
        widget.close()
    return out


def bench_allocation(repeats: int = 5) -> Result:
    """The allocation exercise's year on the workshop world (generate(seed=2026)): ≤ 1 s median (issue 5).

    Figure: ``simulate_allocation`` of a mixed allocation of the whole team's seller weeks (the
    allocated run plus its no-seller-time counterfactual). Baseline: a plain
    ``Simulation(world, seed).run(52)`` of the same world. A note gives the widget's run button
    end to end (simulate, KPIs, table, chart as PNG).
    """
    from simfunnel.analysis.allocation import AllocationParams, simulate_allocation

    world = generate(seed=2026)
    capacity = AllocationParams().capacity(world)
    allocation = {"attack": 0.45 * capacity, "defend": 0.3 * capacity, "maintain": 0.1 * capacity,
                  "monitor": 0.1 * capacity}
    figure, samples = _median_time(lambda: simulate_allocation(world, allocation, seed=2026), repeats)
    base, _ = _median_time(lambda: Simulation(world, seed=2026).run(52), repeats)
    notes = [f"{len(world.deals):,} deals, {len(world.accounts)} accounts, {capacity:g} seller weeks"]
    try:
        from simfunnel.widgets import AllocationExercise
    except ImportError as exc:  # pragma: no cover - widgets not installed
        notes.append(f"widget not measured: {exc}")
    else:
        exercise = AllocationExercise(world, seed=2026, lang="en")
        exercise.set_allocation(allocation)
        button, _ = _median_time(exercise.run_button.click, repeats)
        exercise.close()
        notes.append(f"AllocationExercise run button end to end: {button:.3f} s median")
    return _line("allocation year on the workshop world (simulate_allocation)", figure, 1.0,
                 "plain Simulation.run(52) of the same world", base, repeats=repeats, samples=samples, notes=notes)


def bench_notebooks() -> list[Result]:
    """Each trainee notebook ≤ 10 s on the workshop dataset; the whole suite (all four folders) ≤ 3 min.

    Figures from ``benchmarks/notebook_timings.py`` (nbclient, a fresh kernel per notebook).
    Baseline: a notebook of one ``import simfunnel`` cell — the kernel start and import every notebook pays.
    """
    import tempfile

    import nbformat

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import notebook_timings

    rows = notebook_timings.measure()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import simfunnel")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        base = notebook_timings.run_notebook(empty)["total"]
    out = []
    for row in rows:
        if row["budget"] is not None:
            out.append(_line(f"notebook {row['notebook']}", row["total"], row["budget"],
                             "kernel start + import simfunnel", base, repeats=1))
    suite = sum(r["total"] for r in rows)
    out.append(_line(f"notebook suite ({len(rows)} notebooks, four folders)", suite, notebook_timings.SUITE_BUDGET,
                     "kernel start + import simfunnel, × notebooks", base * len(rows), repeats=1))
    return out


def _not_available(name: str, budget: float, why: str) -> Result:
    print(f"  {name}: not yet available ({why})")
    return Result(name=name, figure=None, budget=budget, baseline_name="-", baseline_figure=None, ratio=None,
                  passed=None, notes=[f"not yet available: {why}"])


# --- report ------------------------------------------------------------------------------
def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "-" if x is None else format(x, spec)


def print_table(results: list[Result], quick: bool = False) -> None:
    head = ("benchmark", "figure s", "budget s", "baseline", "baseline s", "ratio", "result")
    rows = []
    for r in results:
        status = "n/a" if r.passed is None else ("PASS" if r.passed else "FAIL")
        if quick and r.sized and r.figure is not None and r.passed is not None:
            status = "(pass)" if r.passed else "(over)"  # smaller sizes: not a verdict
        ratio = _fmt(r.ratio, ".4f")
        if r.max_ratio is not None and r.ratio is not None:
            ratio += f" (≤ {r.max_ratio:g})"
        rows.append((r.name, _fmt(r.figure), _fmt(r.budget, "g"), r.baseline_name, _fmt(r.baseline_figure),
                     ratio, status))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*head))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    print()
    for r in results:
        for note in r.notes:
            print(f"  {r.name}: {note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 repeat, smaller sizes: a smoke test")
    ap.add_argument("--out", type=Path, default=None, help="results file (default benchmarks/results.json, "
                    "or benchmarks/results-quick.json with --quick)")
    ap.add_argument("--baseline-sample", action="store_true",
                    help="time the per-row generate baseline on 100,000 deals ×10 instead of the full million "
                    "(the full million takes 15–20 s on a 2-core machine)")
    args = ap.parse_args(argv)
    q = args.quick
    repeats = 1 if q else 5
    out = args.out or ROOT / "benchmarks" / ("results-quick.json" if q else "results.json")

    gen_n = 100_000 if q else 1_000_000
    gen_base = 10_000 if q else (100_000 if args.baseline_sample else gen_n)
    sim_n, sim_base = (10_000, 1_000) if q else (100_000, 10_000)

    results: list[Result] = []
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("import", lambda: bench_import(2 if q else 7)),
        ("generate", lambda: bench_generate(gen_n, gen_base, repeats)),
        ("simulate", lambda: bench_simulate(sim_n, sim_base, repeats)),
        ("montecarlo", lambda: bench_montecarlo(*((1_000, 1_000) if q else (10_000, 10_000)), repeats=repeats)),
        ("indicators", lambda: bench_indicators(5_000 if q else 50_000, repeats=1 if q else 7)),
        ("widgets", lambda: bench_widgets(5_000 if q else 50_000, repeats=3 if q else 15)),
        ("allocation", lambda: bench_allocation(1 if q else 5)),
        ("CRM import", lambda: bench_crm_import(10_000 if q else 100_000, repeats=1 if q else 3)),
        ("empirical", lambda: bench_empirical(100_000 if q else 1_000_000, repeats=1 if q else 5)),
    ]
    if not q:
        steps.append(("CRM import 1M", lambda: bench_crm_import(1_000_000, repeats=3, budget=None, max_ratio=4.0)))
        steps.append(("notebooks", bench_notebooks))
    for label, fn in steps:
        print(f"running {label} …", flush=True)
        got = fn()
        results.extend(got if isinstance(got, list) else [got])
    print()
    if q:
        print("QUICK smoke test: sizes are smaller than the budgets assume, so timings are shown as (pass)/(over),\n"
              "not as verdicts; the exit status reflects only the import lines.\n")
    print_table(results, quick=q)
    payload = {
        "quick": q,
        "when": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": [r.to_json() for r in results],
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    # In --quick mode only the size-independent checks (modules loaded on import) are verdicts.
    failed = [r.name for r in results if r.passed is False and not (q and r.sized and r.figure is not None)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
