"""Scenario sweeps: run a grid of scenarios on any executor, get one tidy table back.

An analyst asks "what if": assumed win rates × thresholds × seeds × world
parameters. :func:`sweep` expands the grid, runs ``run(**scenario)`` for each
scenario — in a process pool by default, on any ``concurrent.futures.Executor``,
or on a ``dask.distributed`` cluster — and returns one row per scenario (or
several when ``run`` returns a table): the scenario's parameters as columns, the
fields ``run`` returned, and ``status`` / ``error``. A scenario that raises is
reported with its parameters; the others are kept.

Every random thing takes its seed from the scenario (``seed`` in the grid), so
the table is the same whatever the executor and the number of workers.

:func:`simulate_scenario` is a ready-made ``run`` for the common case: generate a
world, simulate it with the true chain, forecast with assumed win rates, and
report the threshold trade-off and the forecast's quality.

Example:
    >>> table = sweep({"seed": [1, 2], "threshold": [0, 50_000]}, simulate_scenario,
    ...               executor="serial", progress=False)
    >>> print(table[["scenario", "seed", "threshold", "status"]].to_string(index=False))
     scenario  seed  threshold status
            0     1          0     ok
            1     1      50000     ok
            2     2          0     ok
            3     2      50000     ok
    >>> bool((table.records_entered[table.threshold == 50_000].to_numpy()
    ...       < table.records_entered[table.threshold == 0].to_numpy()).all())
    True
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import inspect
import itertools
import json
import os
import pickle
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from simfunnel.analysis.montecarlo import montecarlo
from simfunnel.model.funnel import Funnel
from simfunnel.model.generate import WorldParams, generate
from simfunnel.i18n import get_language
from simfunnel.analysis.metrics import indicators
from simfunnel.model.simulate import Simulation
from simfunnel.model.chain import true_win_rates
from simfunnel.analysis.threshold import sweep as threshold_sweep

RESERVED = ("scenario", "status", "error")  # columns sweep adds itself
SERIAL = "serial"

__all__ = ["assumed_funnel", "expand", "simulate_scenario", "sweep"]


# --- the grid -------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (they pickle small and print as the user wrote them)."""
    return value.item() if isinstance(value, np.generic) else value


def _values(key: str, values: Any) -> list:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(
        values, (list, tuple, range, np.ndarray, pd.Series, pd.Index)
    ):
        hint = " (a set has no stable order)" if isinstance(values, (set, frozenset)) else ""
        raise ValueError(
            f"grid[{key!r}]: give a list of values, got {type(values).__name__} {values!r:.60}{hint}; "
            f"e.g. {{{key!r}: [{values!r:.30}]}} for a single value"
        )
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"grid[{key!r}]: give a flat list of values, got an array of shape {values.shape}")
    out = [_plain(v) for v in (values.tolist() if isinstance(values, (pd.Series, pd.Index)) else values)]
    if not out:
        raise ValueError(f"grid[{key!r}]: empty list, so the grid has no scenario")
    return out


def _key(key: Any, where: str) -> str:
    if not isinstance(key, str) or not key.isidentifier():
        raise ValueError(f"{where}: parameter name {key!r} is not a keyword name")
    if key in RESERVED:
        raise ValueError(f"{where}: parameter name {key!r} is reserved for sweep's own column")
    return key


def expand(grid: Mapping[str, Iterable] | Iterable[Mapping[str, Any]] | pd.DataFrame) -> list[dict[str, Any]]:
    """The scenarios of a grid, in the order :func:`sweep` runs and reports them (its ``scenario`` column).

    Args:
        grid: a dict of lists (the cartesian product, the last key varying fastest), a list of
            dicts (one scenario each; keys may differ), or a DataFrame (one scenario per row;
            missing cells are left out, so ``run``'s default applies).

    Raises:
        ValueError: an empty grid, a value that is not a list, a parameter name that is
            not a keyword name or is reserved (``scenario``, ``status``, ``error``).

    Example:
        >>> expand({"seed": range(2), "threshold": [0, 50_000]})
        [{'seed': 0, 'threshold': 0}, {'seed': 0, 'threshold': 50000}, {'seed': 1, 'threshold': 0}, {'seed': 1, 'threshold': 50000}]
    """
    if isinstance(grid, pd.DataFrame):
        if grid.empty:
            raise ValueError("grid: the DataFrame has no rows (or no columns), so the grid has no scenario")
        keys = [_key(c, "grid") for c in grid.columns]
        if len(set(keys)) < len(keys):
            raise ValueError("grid: the DataFrame has duplicate column names")
        out = []
        for row in grid.itertuples(index=False, name=None):
            out.append({k: _plain(v) for k, v in zip(keys, row) if not _missing(v)})
        return out
    if isinstance(grid, Mapping):
        if not grid:
            raise ValueError("grid: empty dict, so the grid has no scenario; give {name: [values], …}")
        keys = [_key(k, "grid") for k in grid]
        lists = [_values(k, grid[k]) for k in keys]
        return [dict(zip(keys, combo)) for combo in itertools.product(*lists)]
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise ValueError(f"grid: give a dict of lists, a list of dicts or a DataFrame, got {type(grid).__name__}")
    out = []
    for i, scenario in enumerate(grid):
        if not isinstance(scenario, Mapping):
            raise ValueError(f"grid[{i}]: each scenario must be a dict of parameters, got {type(scenario).__name__}")
        out.append({_key(k, f"grid[{i}]"): _plain(v) for k, v in scenario.items()})
    if not out:
        raise ValueError("grid: empty list, so the grid has no scenario")
    return out


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _check_run(run: Callable, scenarios: list[dict]) -> None:
    """Every parameter of the grid must be a keyword ``run`` takes, and every scenario must give what it needs."""
    if not callable(run):
        raise ValueError(f"run: expected a function run(**params), got {type(run).__name__}")
    name = getattr(run, "__name__", repr(run))
    try:
        sig = inspect.signature(run)
    except (TypeError, ValueError):  # some builtins have no signature: nothing to check
        return
    params = sig.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        known = None
    else:
        known = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    required = [
        p.name for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    seen: dict[str, None] = {}
    for s in scenarios:
        seen.update(dict.fromkeys(s))
    if known is not None:
        unknown = [k for k in seen if k not in known]
        if unknown:
            raise ValueError(
                f"grid: parameter {unknown[0]!r} is not an argument of run {name}(); "
                f"it takes {', '.join(sorted(known)) or 'none'}"
            )
    for i, s in enumerate(scenarios):
        lacking = [k for k in required if k not in s]
        if lacking:
            raise ValueError(f"grid: scenario {i} {s} lacks {lacking[0]!r}, which run {name}() needs")


def _label(value: Any) -> Any:
    """A parameter as a table cell: dicts and lists as their JSON text, so the column can be grouped on."""
    if isinstance(value, (Mapping, list, tuple, set, frozenset, np.ndarray)):
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=repr)
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return repr(value)
    if isinstance(value, Funnel):
        return value.name
    return value


# --- running --------------------------------------------------------------------------------
def _run_chunk(run: Callable, chunk: list[tuple[int, dict]]) -> list[tuple[int, bool, Any, str | None]]:
    """Run scenarios in a worker: ``(index, ok, result or error text, traceback)`` for each.

    Exceptions become text here, so nothing that cannot be pickled has to travel back.
    """
    out = []
    for i, params in chunk:
        try:
            out.append((i, True, run(**params), None))
        except Exception as exc:  # a failing scenario is reported, never lost
            out.append((i, False, _error_text(exc), traceback.format_exc()))
    return out


def _error_text(exc: BaseException) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _resolve_executor(executor: Any, n_tasks: int, run: Callable) -> tuple[cf.Executor | None, bool, str]:
    """(executor or None for serial, whether sweep owns it and must shut it down, a short description)."""
    if executor is None:
        workers = os.cpu_count() or 1
        if n_tasks < 2 or workers < 2:
            return None, False, SERIAL
        pool = cf.ProcessPoolExecutor(max_workers=min(workers, n_tasks))
        try:
            _check_process_run(pool, run)
        except ValueError:
            pool.shutdown()
            raise
        return pool, True, f"ProcessPoolExecutor({min(workers, n_tasks)})"
    if isinstance(executor, str):
        if executor == SERIAL:
            return None, False, SERIAL
        raise ValueError(f"executor: {executor!r} is not an executor; give 'serial', an Executor or a dask Client")
    if isinstance(executor, cf.Executor):
        if isinstance(executor, cf.ProcessPoolExecutor):
            _check_process_run(executor, run)
        return executor, False, type(executor).__name__
    get = getattr(executor, "get_executor", None)
    if callable(get):  # a dask.distributed Client: its concurrent.futures face
        try:
            ex = get(pure=False)  # never reuse a cached result: a retry must run again
        except TypeError:
            ex = get()
        return ex, False, type(executor).__name__
    raise ValueError(
        f"executor: expected None, 'serial', a concurrent.futures.Executor or a dask Client, got {type(executor).__name__}"
    )


def _check_process_run(pool: cf.ProcessPoolExecutor, run: Callable) -> None:
    """A process pool pickles ``run`` by reference: say so before the sweep starts, not once per scenario."""
    name = getattr(run, "__qualname__", repr(run))
    fix = "define it at the top level of a .py module, or use executor='serial' or a ThreadPoolExecutor"
    try:
        pickle.dumps(run)
    except Exception as exc:
        raise ValueError(f"run: {name} cannot be sent to a process pool ({_error_text(exc)}); {fix}") from None
    ctx = getattr(pool, "_mp_context", None)
    method = ctx.get_start_method() if ctx is not None else None
    main = sys.modules.get("__main__")
    if method not in (None, "fork") and getattr(run, "__module__", None) == "__main__" and not hasattr(main, "__file__"):
        raise ValueError(
            f"run: {name} is defined in this notebook or console, and worker processes started with "
            f"{method!r} cannot import it; {fix}"
        )


def sweep(
    grid: Mapping[str, Iterable] | Iterable[Mapping[str, Any]] | pd.DataFrame,
    run: Callable[..., Any],
    executor: Any = None,
    progress: bool = True,
    *,
    chunksize: int = 1,
    retries: int = 0,
) -> pd.DataFrame:
    """Run ``run(**scenario)`` for every scenario of ``grid`` and return one tidy table.

    Args:
        grid: a dict of lists — the cartesian product, e.g. ``{"win_rates": ["key-account",
            "hubspot"], "threshold": [0, 50_000], "seed": range(20), "exit_hazard": [0.2, 0.3]}``
            is 2 × 2 × 20 × 2 = 160 scenarios, the last key varying fastest — or a list of
            dicts, or a DataFrame with one scenario per row (see :func:`expand`).
        run: a function taking the parameters as keywords and returning a dict (one row), a
            DataFrame (its rows, with the scenario's parameters repeated) or a scalar (column
            ``result``). For a process pool or a cluster it must be picklable: a function at
            the top level of a module, such as :func:`simulate_scenario`.
        executor: ``None`` (default) — a ``ProcessPoolExecutor`` with ``os.cpu_count()``
            workers, or no pool when there is one scenario or one CPU; ``"serial"`` — in
            this process, one after the other; any ``concurrent.futures.Executor``
            (``ThreadPoolExecutor``, ``ProcessPoolExecutor(2)``, ``client.get_executor()``);
            or a ``dask.distributed.Client``. Executors you pass stay open.
        progress: show a tqdm progress bar (a widget in Jupyter, text on stderr elsewhere).
        chunksize: scenarios sent to a worker at once (more per task pays less overhead
            when each scenario is fast).
        retries: times a failing scenario is run again before it is reported (for workers
            that can die, e.g. on a cluster; a deterministic error fails every time).

    Returns:
        One row per scenario (per row of its result when ``run`` returns a DataFrame), in
        scenario order whatever the executor: ``scenario`` (its index in :func:`expand`),
        the parameters (dicts and lists as their JSON text, so the column can be grouped
        on; ``run`` received the originals; a None is a missing value in the table, so
        group with ``dropna=False``), the fields ``run`` returned (a field named like
        a parameter or a sweep column gets the suffix ``_result``), ``status`` (``"ok"`` or
        ``"error"``) and ``error`` (``"ExceptionType: message"``, None when ok). Failed rows
        have NaN fields. A result DataFrame with no rows keeps one row of NaN fields, so no
        scenario goes missing. ``table.attrs["tracebacks"]`` maps each failed scenario to its
        traceback; ``table.attrs["sweep"]`` says how the sweep ran.

    Raises:
        ValueError: naming the problem — an empty grid, a value that is not a list, a
            parameter that ``run`` does not take (or one it needs that a scenario lacks), a
            ``run`` a process pool cannot import, an unknown executor.

    Warns:
        RuntimeWarning: when some scenarios failed (they are in the table with ``status="error"``).

    Reproducibility: each scenario gets its parameters and nothing else, so a scenario
    that seeds all its randomness from a ``seed`` parameter gives the same row whatever
    the executor, the number of workers and the order in which they finish.
    """
    scenarios = expand(grid)
    _check_run(run, scenarios)
    if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
        raise ValueError(f"chunksize must be a whole number ≥ 1, got {chunksize!r}")
    if isinstance(retries, bool) or not isinstance(retries, (int, np.integer)) or retries < 0:
        raise ValueError(f"retries must be a whole number ≥ 0, got {retries!r}")
    chunksize, retries = int(chunksize), int(retries)
    n = len(scenarios)
    items = list(enumerate(scenarios))
    chunks = [items[lo : lo + chunksize] for lo in range(0, n, chunksize)]
    pool, owned, how = _resolve_executor(executor, len(chunks), run)

    outcomes: dict[int, tuple[bool, Any, str | None]] = {}
    bar = _Progress(n, progress)
    started = time.perf_counter()
    try:
        if pool is None:
            for item in enumerate(scenarios):
                for _ in range(retries + 1):
                    ((i, ok, value, tb),) = _run_chunk(run, [item])
                    if ok:
                        break
                outcomes[i] = (ok, value, tb)
                bar.tick(1, ok)
        else:
            _run_pool(pool, run, chunks, retries, outcomes, bar)
    finally:
        bar.close()
        if owned:
            pool.shutdown(wait=True, cancel_futures=True)
    seconds = time.perf_counter() - started
    table = _table(scenarios, outcomes)
    failed = {i: tb for i, (ok, _, tb) in sorted(outcomes.items()) if not ok}
    table.attrs["tracebacks"] = failed
    table.attrs["sweep"] = {"scenarios": n, "errors": len(failed), "executor": how, "seconds": round(seconds, 3)}
    if failed:
        first = min(failed)
        warnings.warn(
            f"sweep: {len(failed)} of {n} scenarios failed (status 'error'); the first, scenario {first} "
            f"{scenarios[first]}: {outcomes[first][1]}",
            RuntimeWarning,
            stacklevel=2,
        )
    return table


def _run_pool(pool: cf.Executor, run: Callable, chunks: list, retries: int, outcomes: dict, bar: _Progress) -> None:
    """Submit every chunk, collect as they finish; retry failures; a failed chunk is split so one bad
    scenario does not take its neighbours with it."""
    attempts: dict[int, int] = {}
    pending: dict[cf.Future, list] = {}

    def submit(chunk: list) -> None:
        try:
            pending[pool.submit(_run_chunk, run, chunk)] = chunk
        except Exception as exc:  # e.g. a broken pool: report the scenarios, keep going
            for i, _ in chunk:
                outcomes[i] = (False, _error_text(exc), traceback.format_exc())
            bar.tick(len(chunk), False)

    for chunk in chunks:
        submit(chunk)
    try:
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                chunk = pending.pop(fut)
                try:
                    results = fut.result()
                except BaseException as exc:  # the executor failed the task (a dead worker, unpicklable result)
                    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                        raise
                    if len(chunk) > 1:
                        for one in chunk:
                            submit([one])
                        continue
                    results = [(chunk[0][0], False, _error_text(exc), "".join(traceback.format_exception(exc)))]
                for i, ok, value, tb in results:
                    if not ok and attempts.get(i, 0) < retries:
                        attempts[i] = attempts.get(i, 0) + 1
                        submit([(i, dict(next(p for j, p in chunk if j == i)))])
                        continue
                    outcomes[i] = (ok, value, tb)
                    bar.tick(1, ok)
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise


class _Progress:
    """A tqdm bar (``tqdm.auto``: a widget in Jupyter, text on stderr elsewhere) counting scenarios and errors."""

    def __init__(self, total: int, show: bool) -> None:
        self.errors = 0
        self.bar = None
        if show:
            from tqdm.auto import tqdm  # imported on use: `import simfunnel` stays light

            desc = "场景" if get_language() == "zh" else "scenarios"
            self.bar = tqdm(total=total, desc=desc, unit="", dynamic_ncols=True)

    def tick(self, k: int = 1, ok: bool = True) -> None:
        if self.bar is None:
            return
        if not ok:
            self.errors += k
            self.bar.set_postfix(errors=self.errors, refresh=False)
        self.bar.update(k)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --- the table ------------------------------------------------------------------------------
def _rows(value: Any) -> list[dict[str, Any]]:
    """A run's result as rows of fields."""
    if isinstance(value, pd.DataFrame):
        frame = value
        if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
            frame = frame.reset_index()
        rows = frame.to_dict("records")
        return rows or [{}]
    if isinstance(value, pd.Series):
        return [value.to_dict()]
    if isinstance(value, Mapping):
        return [dict(value)]
    return [{"result": value}]


def _table(scenarios: list[dict], outcomes: dict[int, tuple[bool, Any, str | None]]) -> pd.DataFrame:
    params: dict[str, None] = {}
    for s in scenarios:
        params.update(dict.fromkeys(s))
    taken = set(params) | set(RESERVED)
    fields: dict[Any, str] = {}  # a result field → its column
    records = []
    for i, s in enumerate(scenarios):
        ok, value, _ = outcomes[i]
        base = {"scenario": i, **{k: _label(v) for k, v in s.items()}}
        if not ok:
            records.append({**base, "status": "error", "error": value})
            continue
        try:
            rows = _rows(value)
        except Exception as exc:  # a result the table cannot hold is this scenario's error
            records.append({**base, "status": "error", "error": _error_text(exc)})
            continue
        for row in rows:
            rec = dict(base)
            for k, v in row.items():
                col = fields.get(k)
                if col is None:
                    col = str(k)
                    while col in taken:
                        col = f"{col}_result"
                    fields[k] = col
                    taken.add(col)
                rec[col] = _plain(v)
            rec["status"], rec["error"] = "ok", None
            records.append(rec)
    columns = ["scenario", *params, *fields.values(), "status", "error"]
    table = pd.DataFrame.from_records(records, columns=columns)
    table["error"] = table["error"].astype(object).where(table["error"].notna(), None)
    return table


# --- a ready-made run -----------------------------------------------------------------------
def _funnel(funnel: Funnel | str | Mapping) -> Funnel:
    if isinstance(funnel, Funnel):
        return funnel
    if isinstance(funnel, str):
        return Funnel.preset(funnel)
    if isinstance(funnel, Mapping):
        return Funnel.from_dict(dict(funnel))
    raise ValueError(f"funnel: give a preset name, a Funnel or its dict, got {type(funnel).__name__}")


def assumed_funnel(funnel: Funnel, win_rates: Any = None) -> Funnel:
    """``funnel`` with the assumed win rates: None (its own), a preset name or Funnel (its rates in
    stage order; it must have as many stages), a dict by stage key (stages not named keep
    their rate) or a list of rates in stage order.

    Example:
        >>> f = assumed_funnel(Funnel.preset("key-account"), "hubspot")
        >>> [s.win_rate for s in f.stages]
        [0.2, 0.4, 0.6, 0.8, 0.9]
    """
    if win_rates is None:
        return funnel
    if isinstance(win_rates, str):
        win_rates = Funnel.preset(win_rates)
    if isinstance(win_rates, Funnel):
        if tuple(win_rates.keys) == tuple(funnel.keys):
            return win_rates
        if len(win_rates) != len(funnel):
            raise ValueError(
                f"win_rates: funnel {win_rates.name!r} has {len(win_rates)} stages, "
                f"funnel {funnel.name!r} has {len(funnel)}; give a dict by stage key or a list of {len(funnel)} rates"
            )
        return funnel.with_win_rates([s.win_rate for s in win_rates.stages])
    if isinstance(win_rates, Mapping):
        return funnel.with_win_rates(dict(win_rates))
    if isinstance(win_rates, (list, tuple, np.ndarray, pd.Series)):
        return funnel.with_win_rates(list(win_rates))
    raise ValueError(f"win_rates: give None, a preset name, a dict or a list of rates, got {type(win_rates).__name__}")


def simulate_scenario(
    seed: int,
    threshold: float = 0,
    win_rates: Any = None,
    exit_hazard: float = 0.3,
    accounts: int = 200,
    weeks: int = 52,
    quota: float | None = None,
    funnel: Funnel | str = "key-account",
    *,
    trials: int = 1_000,
    run_rate_weeks: int = 4,
) -> dict[str, float | int | bool]:
    """One scenario: a world, its simulated history, and how a forecast with assumed rates fares.

    The world (``generate(accounts, seed=seed, funnel=funnel, weeks=weeks)`` with
    ``WorldParams(exit_hazard=exit_hazard)``) is simulated with its true chain — the chain
    calibrated to the funnel's stage rates, leaving each stage with weekly chance
    ``exit_hazard``. The forecast uses the **assumed** rates ``win_rates`` (see
    :func:`assumed_funnel`; None = the funnel's, i.e. right on average). Everything is
    measured over the history's default period (weeks 13–26 of a 52-week run).

    Args:
        seed: seeds the world, the simulation and the Monte Carlo.
        threshold: ``T``, the small-order exclusion threshold.
        win_rates: the assumed stage win rates.
        exit_hazard: weekly chance that a deal leaves its stage (0.3 → 3.3 weeks per stage).
        accounts, weeks, funnel: the world's size, horizon and funnel.
        quota: the period's quota (default: the world's expected quarterly bookings).
        trials: Monte Carlo trials for ``p_quota``.
        run_rate_weeks: weeks averaged for the out-of-funnel run rate.

    Returns:
        A dict: ``deals`` (in the world), ``quota``, ``booked`` (the period's bookings),
        ``hit_quota``; from :func:`simfunnel.analysis.threshold.sweep` at ``threshold``:
        ``deals_in_funnel``, ``deals_outside``, ``records_entered``,
        ``revenue_outside_funnel``, ``share_outside``, ``mean_abs_error`` (mean
        |forecast_error|, share of quota) and ``mean_abs_error_without_run_rate``; ``mean_error``
        (signed: > 0 the forecast ran high); ``forecast_start`` (销售预计 F′ at the period
        start); ``p_quota`` and ``p50`` (Monte Carlo from the period start with the assumed
        rates, as the analyst would forecast); ``p_quota_true`` (the same with the true
        weekly chain: what a perfect model says); ``rate_bias`` and ``rate_error`` (mean
        assumed − true stage rate, and its absolute value).

    Example:
        >>> r = simulate_scenario(seed=3, threshold=50_000, win_rates={"need": 0.2})
        >>> r["rate_bias"] > 0, 0 <= r["p_quota"] <= 1
        (True, True)
    """
    f = _funnel(funnel)
    world = generate(accounts=accounts, seed=seed, funnel=f, weeks=weeks, params=WorldParams(exit_hazard=exit_hazard))
    history = Simulation(world, seed=seed).run()
    assumed = assumed_funnel(f, win_rates)
    q = world.quota if quota is None else float(quota)
    # The same history, forecast with the assumed rates (stage keys are the same, so its tables fit).
    seen = copy.copy(history)
    seen.funnel = assumed
    trade_off = threshold_sweep(seen, [threshold], quota=q, run_rate_weeks=run_rate_weeks).iloc[0]
    table = indicators(seen, q, threshold=threshold, run_rate_weeks=run_rate_weeks)
    err = table["forecast_error"].to_numpy(dtype=float)
    mc = montecarlo(history, funnel=assumed, trials=trials, seed=seed, quota=q, threshold=threshold,
                    run_rate_weeks=run_rate_weeks)
    mc_true = montecarlo(history, trials=trials, seed=seed, quota=q, threshold=threshold, chain=world.chain,
                         run_rate_weeks=run_rate_weeks)
    gap = np.round(np.array([s.win_rate for s in assumed.stages]) - true_win_rates(world.chain).to_numpy(), 12) + 0.0
    booked = float(table["booked"].iloc[-1])
    return {
        "deals": len(history.deals),
        "quota": q,
        "booked": booked,
        "hit_quota": bool(booked >= q),
        "deals_in_funnel": int(trade_off["deals_in_funnel"]),
        "deals_outside": int(trade_off["deals_outside"]),
        "records_entered": int(trade_off["records_entered"]),
        "revenue_outside_funnel": float(trade_off["revenue_outside_funnel"]),
        "share_outside": float(trade_off["share_outside"]),
        "mean_abs_error": float(trade_off["mean_abs_error"]),
        "mean_abs_error_without_run_rate": float(trade_off["mean_abs_error_without_run_rate"]),
        "mean_error": float(np.nanmean(err)),
        "forecast_start": float(table["forecast"].iloc[0]),
        "p_quota": float(mc.p_quota) if mc.p_quota is not None else float("nan"),
        "p50": mc.p50,
        "p_quota_true": float(mc_true.p_quota) if mc_true.p_quota is not None else float("nan"),
        "rate_bias": float(gap.mean()),
        "rate_error": float(np.abs(gap).mean()),
    }
