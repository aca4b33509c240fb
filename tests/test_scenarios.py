"""Scenario sweeps: a grid of scenarios on any executor, one tidy table back, failures reported."""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simfunnel as sf
from simfunnel.analysis import scenarios, threshold
from simfunnel.analysis.scenarios import assumed_funnel, expand, simulate_scenario, sweep


# --- runs: top level, so process pools and dask workers can import them ---------------------
def add(a, b=0):
    return {"total": a + b, "twice": 2 * a}


def square(x):
    return x * x


def table_run(n, label="x"):
    return pd.DataFrame({"k": range(n), "label": [label] * n})


def indexed_run(n):
    return pd.DataFrame({"value": [10.0 * n, 20.0 * n]}, index=pd.Index(["low", "high"], name="case"))


def fails_on_three(seed, scale=1.0):
    if seed == 3:
        raise ValueError(f"seed {seed} is cursed")
    rng = np.random.default_rng(seed)
    return {"draw": float(rng.random() * scale)}


def unpicklable_on_two(seed):
    if seed == 2:
        return {"f": lambda: None}  # cannot travel back from a worker process
    return {"value": seed}


def flaky(folder, i):
    """Fails the first time it sees ``i`` (a marker file per scenario), succeeds after."""
    marker = Path(folder) / f"seen-{i}"
    if not marker.exists():
        marker.touch()
        raise RuntimeError(f"flaky first run of {i}")
    return {"i": i}


def rates_run(seed, win_rates=None):
    return {"n_keys": len(win_rates or {}), "first": (win_rates or {}).get("need", float("nan"))}


def slow_square(x):
    time.sleep(0.01)
    return {"y": x * x}


GRID = {"win_rates": [None, "hubspot"], "threshold": [0, 50_000], "seed": [1, 2, 3]}
SMALL = {"accounts": [60]}  # keeps each simulate_scenario at a few milliseconds


def _grid():
    return {**GRID, **SMALL}


@pytest.fixture(scope="module")
def serial():
    return sweep(_grid(), simulate_scenario, executor="serial", progress=False)


# --- the tidy table --------------------------------------------------------------------------
def test_dict_grid_is_the_cartesian_product_in_order():
    table = sweep({"a": [1, 2, 3], "b": range(2)}, add, executor="serial", progress=False)
    assert list(table.columns) == ["scenario", "a", "b", "total", "twice", "status", "error"]
    assert table.shape == (6, 7)
    assert table.scenario.tolist() == list(range(6))
    assert table.a.tolist() == [1, 1, 2, 2, 3, 3] and table.b.tolist() == [0, 1] * 3
    assert table.total.tolist() == [1, 2, 2, 3, 3, 4]
    assert (table.status == "ok").all() and table.error.isna().all()
    assert table.attrs["sweep"]["scenarios"] == 6 and table.attrs["tracebacks"] == {}


def test_list_grid_keys_may_differ_and_defaults_apply():
    table = sweep([{"a": 1}, {"a": 2, "b": 5}, {"b": 1, "a": 0}], add, executor="serial", progress=False)
    assert list(table.columns) == ["scenario", "a", "b", "total", "twice", "status", "error"]
    assert table.total.tolist() == [1, 7, 1]
    assert math.isnan(table.b[0]) and table.b[1] == 5


def test_dataframe_grid_rows_are_scenarios_and_missing_cells_take_the_default():
    grid = pd.DataFrame({"a": [1, 2, 3], "b": [10.0, np.nan, 30.0]})
    table = sweep(grid, add, executor="serial", progress=False)
    assert list(table.columns) == ["scenario", "a", "b", "total", "twice", "status", "error"]
    assert table.shape == (3, 7)
    assert table.total.tolist() == [11.0, 2.0, 33.0]
    assert expand(grid)[1] == {"a": 2}
    assert type(expand(grid)[0]["a"]) is int  # numpy scalars arrive as Python numbers


def test_dataframe_result_is_expanded_with_the_parameters_repeated():
    table = sweep({"n": [2, 3], "label": ["p", "q"]}, table_run, executor="serial", progress=False)
    # scenarios (2,p) (2,q) (3,p) (3,q): 2 + 2 + 3 + 3 rows; the result's "label" column meets the parameter
    assert len(table) == 10
    assert list(table.columns) == ["scenario", "n", "label", "k", "label_result", "status", "error"]
    assert table.scenario.tolist() == [0, 0, 1, 1, 2, 2, 2, 3, 3, 3]
    assert table.k.tolist() == [0, 1, 0, 1, 0, 1, 2, 0, 1, 2]
    assert (table.label == table.label_result).all()
    named = sweep({"n": [1, 2]}, indexed_run, executor="serial", progress=False)
    assert list(named.columns) == ["scenario", "n", "case", "value", "status", "error"]
    assert named.case.tolist() == ["low", "high"] * 2


def test_empty_dataframe_result_keeps_the_scenario():
    table = sweep({"n": [0, 1]}, table_run, executor="serial", progress=False)
    assert table.scenario.tolist() == [0, 1] and table.status.tolist() == ["ok", "ok"]
    assert math.isnan(table.k[0]) and table.k[1] == 0


def test_scalar_result_goes_to_a_result_column():
    table = sweep({"x": [1, 2, 3]}, square, executor="serial", progress=False)
    assert list(table.columns) == ["scenario", "x", "result", "status", "error"]
    assert table.result.tolist() == [1, 4, 9]


def test_dict_parameters_reach_run_intact_and_show_as_json():
    grid = {"seed": [0], "win_rates": [None, {"need": 0.2, "approved": 0.3}]}
    table = sweep(grid, rates_run, executor="serial", progress=False)
    assert table.n_keys.tolist() == [0, 2] and table.first[1] == 0.2
    assert table.win_rates[1] == '{"need": 0.2, "approved": 0.3}'
    assert table.groupby("win_rates", dropna=False).size().tolist() == [1, 1]


# --- executors -------------------------------------------------------------------------------
def test_serial_table_shape(serial):
    assert len(serial) == 12 and (serial.status == "ok").all()
    assert list(serial.columns[:6]) == ["scenario", "win_rates", "threshold", "seed", "accounts", "deals"]
    ok = serial.set_index(["win_rates", "threshold", "seed"], drop=False)
    # the threshold saves records; the hubspot rates are optimistic against the true key-account rates
    assert (serial.records_entered[serial.threshold == 50_000].to_numpy()
            < serial.records_entered[serial.threshold == 0].to_numpy()).all()
    assert (ok.rate_bias[ok.win_rates == "hubspot"] > 0.05).all()
    assert np.allclose(serial.rate_error[serial.win_rates.isna()], 0.0)


@pytest.mark.parametrize("chunksize", [1, 4])
def test_same_table_on_process_and_thread_pools(serial, chunksize):
    with ProcessPoolExecutor(2) as pool:
        procs = sweep(_grid(), simulate_scenario, executor=pool, progress=False, chunksize=chunksize)
    with ProcessPoolExecutor(1) as pool:
        one = sweep(_grid(), simulate_scenario, executor=pool, progress=False, chunksize=chunksize)
    with ThreadPoolExecutor(3) as pool:
        threads = sweep(_grid(), simulate_scenario, executor=pool, progress=False, chunksize=chunksize)
    for other in (procs, one, threads):
        pd.testing.assert_frame_equal(other, serial)


def test_default_executor_is_a_process_pool_and_a_tiny_grid_runs_serially(serial):
    table = sweep(_grid(), simulate_scenario, progress=False)
    pd.testing.assert_frame_equal(table, serial)
    assert table.attrs["sweep"]["executor"].startswith("ProcessPoolExecutor")
    tiny = sweep({"x": [3]}, square, progress=False)
    assert tiny.attrs["sweep"]["executor"] == "serial" and tiny.result.tolist() == [9]


def test_order_is_stable_when_workers_finish_out_of_order():
    with ThreadPoolExecutor(4) as pool:
        table = sweep({"x": list(range(12))[::-1]}, slow_square, executor=pool, progress=False)
    assert table.scenario.tolist() == list(range(12)) and table.x.tolist() == list(range(12))[::-1]


# --- failures --------------------------------------------------------------------------------
@pytest.mark.parametrize("executor", ["serial", "process", "thread"])
def test_a_failing_scenario_is_reported_and_the_others_kept(executor):
    grid = {"seed": [1, 2, 3, 4], "scale": [1.0, 2.0]}
    expected = [float(np.random.default_rng(s).random() * k) for s in (1, 2, 3, 4) for k in (1.0, 2.0)]
    pools = {"serial": None, "process": ProcessPoolExecutor(2), "thread": ThreadPoolExecutor(2)}
    pool = pools[executor]
    try:
        with pytest.warns(RuntimeWarning, match=r"2 of 8 scenarios failed.*scenario 4 \{'seed': 3, 'scale': 1.0\}"):
            table = sweep(grid, fails_on_three, executor=pool or "serial", progress=False)
    finally:
        for p in pools.values():
            if p is not None:
                p.shutdown()
    assert len(table) == 8 and table.scenario.tolist() == list(range(8))
    bad = table[table.status == "error"]
    assert bad.scenario.tolist() == [4, 5]
    assert bad.seed.tolist() == [3, 3] and bad.scale.tolist() == [1.0, 2.0]
    assert (bad.error == "ValueError: seed 3 is cursed").all()
    assert bad.draw.isna().all()
    good = table[table.status == "ok"]
    assert good.error.isna().all()
    assert good.draw.tolist() == [x for i, x in enumerate(expected) if i not in (4, 5)]
    assert sorted(table.attrs["tracebacks"]) == [4, 5]
    assert "fails_on_three" in table.attrs["tracebacks"][4] and "cursed" in table.attrs["tracebacks"][4]


def test_a_failed_chunk_is_split_so_one_bad_result_does_not_take_its_neighbours():
    with ProcessPoolExecutor(2) as pool, pytest.warns(RuntimeWarning, match="1 of 6"):
        table = sweep({"seed": range(6)}, unpicklable_on_two, executor=pool, progress=False, chunksize=3)
    assert table.status.tolist() == ["ok", "ok", "error", "ok", "ok", "ok"]
    assert table.value.tolist()[:2] == [0, 1] and table.value.tolist()[3:] == [3, 4, 5]
    assert "pickle" in table.error[2].lower()


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_retries_run_a_failing_scenario_again(tmp_path, executor):
    def run(retries, folder):
        folder.mkdir()
        if executor == "serial":
            return sweep({"folder": [str(folder)], "i": [0, 1, 2]}, flaky, executor="serial", progress=False,
                         retries=retries)
        with ProcessPoolExecutor(2) as pool:
            return sweep({"folder": [str(folder)], "i": [0, 1, 2]}, flaky, executor=pool, progress=False,
                         retries=retries)

    with pytest.warns(RuntimeWarning, match="3 of 3"):
        once = run(0, tmp_path / "a")
    assert (once.status == "error").all() and once.error[0] == "RuntimeError: flaky first run of 0"
    again = run(1, tmp_path / "b")
    assert (again.status == "ok").all() and again.i.tolist() == [0, 1, 2]


# --- progress --------------------------------------------------------------------------------
def test_progress_off_prints_nothing(capsys):
    sweep({"x": [1, 2, 3]}, square, executor="serial", progress=False)
    with ThreadPoolExecutor(2) as pool:
        sweep({"x": [1, 2, 3]}, square, executor=pool, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_on_writes_a_tqdm_bar_to_stderr(capsys):
    sweep({"x": [1, 2, 3, 4]}, square, executor="serial", progress=True)
    out = capsys.readouterr()
    assert out.out == ""
    assert "scenarios" in out.err and "4/4" in out.err and "100%" in out.err
    with ThreadPoolExecutor(2) as pool, pytest.warns(RuntimeWarning):
        sweep({"seed": [2, 3]}, fails_on_three, executor=pool, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "errors=1" in err


def test_progress_label_follows_the_language(capsys):
    sf.set_language("zh")
    try:
        sweep({"x": [1]}, square, executor="serial")
    finally:
        sf.set_language("en")
    assert "场景" in capsys.readouterr().err


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "grid, match",
    [
        ({}, r"grid: empty dict"),
        ([], r"grid: empty list"),
        (pd.DataFrame(), r"grid: the DataFrame has no rows"),
        ({"x": []}, r"grid\['x'\]: empty list"),
        ({"x": 3}, r"grid\['x'\]: give a list of values, got int 3"),
        ({"x": "abc"}, r"grid\['x'\]: give a list of values, got str"),
        ({"x": {1, 2}}, r"grid\['x'\]: .*a set has no stable order"),
        ({"x": {"a": 1}}, r"grid\['x'\]: give a list of values, got dict"),
        ({"x": np.zeros((2, 2))}, r"grid\['x'\]: give a flat list"),
        ({"x": [1], "y": [2]}, r"parameter 'y' is not an argument of run square\(\); it takes x"),
        ([{"x": 1}, {"z": 2}], r"parameter 'z' is not an argument of run square"),
        ([{"x": 1}, {}], r"scenario 1 \{\} lacks 'x', which run square\(\) needs"),
        ([{"x": 1}, 5], r"grid\[1\]: each scenario must be a dict"),
        ({"status": [1]}, r"'status' is reserved"),
        ({"not a name": [1]}, r"'not a name' is not a keyword name"),
        ("x", r"grid: give a dict of lists"),
    ],
)
def test_bad_grid_names_the_problem(grid, match):
    with pytest.raises(ValueError, match=match):
        sweep(grid, square, executor="serial", progress=False)


def test_bad_run_executor_and_options_are_refused():
    with pytest.raises(ValueError, match="run: expected a function"):
        sweep({"x": [1]}, 42, executor="serial")
    with pytest.raises(ValueError, match="executor: 'dask' is not an executor"):
        sweep({"x": [1]}, square, executor="dask")
    with pytest.raises(ValueError, match="executor: expected None"):
        sweep({"x": [1]}, square, executor=3)
    with pytest.raises(ValueError, match="chunksize"):
        sweep({"x": [1]}, square, executor="serial", chunksize=0)
    with pytest.raises(ValueError, match="retries"):
        sweep({"x": [1]}, square, executor="serial", retries=-1)


def test_a_run_a_process_pool_cannot_import_is_refused_before_the_sweep():
    def local(x):
        return x

    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(ValueError, match=r"run: .*local cannot be sent to a process pool.*executor='serial'"):
            sweep({"x": [1, 2]}, local, executor=pool, progress=False)
        with pytest.raises(ValueError, match=r"run: .*lambda"):
            sweep({"x": [1, 2]}, lambda x: x, progress=False)
    # threads and the serial path take any function
    assert sweep({"x": [1, 2]}, local, executor="serial", progress=False).result.tolist() == [1, 2]
    with ThreadPoolExecutor(2) as pool:
        assert sweep({"x": [1, 2]}, lambda x: -x, executor=pool, progress=False).result.tolist() == [-1, -2]


# --- dask ------------------------------------------------------------------------------------
def test_same_table_and_failures_on_a_local_dask_cluster(serial):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        on_client = sweep(_grid(), simulate_scenario, executor=client, progress=False)
        pd.testing.assert_frame_equal(on_client, serial)
        on_executor = sweep(_grid(), simulate_scenario, executor=client.get_executor(), progress=False, chunksize=5)
        pd.testing.assert_frame_equal(on_executor, serial)
        with pytest.warns(RuntimeWarning, match="1 of 4"):
            table = sweep({"seed": [1, 2, 3, 4]}, fails_on_three, executor=client, progress=False, retries=1)
        assert table.status.tolist() == ["ok", "ok", "error", "ok"]
        assert table.error[2] == "ValueError: seed 3 is cursed" and table.seed[2] == 3
        assert table.draw[0] == float(np.random.default_rng(1).random())
    finally:
        client.close()
        cluster.close()


# --- the ready-made run and the names ---------------------------------------------------------
def test_simulate_scenario_is_reproducible_and_reads_its_parameters():
    a = simulate_scenario(seed=5, threshold=50_000, accounts=80)
    assert a == simulate_scenario(seed=5, threshold=50_000, accounts=80)
    assert a.keys() >= {"mean_abs_error", "mean_abs_error_without_run_rate", "records_entered", "booked", "p_quota"}
    zero = simulate_scenario(seed=5, threshold=0, accounts=80)
    assert zero["records_entered"] > a["records_entered"] and zero["revenue_outside_funnel"] == 0
    assert zero["mean_abs_error"] == pytest.approx(zero["mean_abs_error_without_run_rate"])
    assert 0 <= a["p_quota"] <= 1 and 0 <= a["p_quota_true"] <= 1
    assert a["hit_quota"] == (a["booked"] >= a["quota"])
    high = simulate_scenario(seed=5, threshold=50_000, accounts=80, win_rates={"need": 0.2})
    assert high["rate_bias"] == pytest.approx(0.02) and high["forecast_start"] > a["forecast_start"]
    slower = simulate_scenario(seed=5, accounts=80, exit_hazard=0.15)
    assert slower["deals"] > zero["deals"]  # slower stages: a larger opening pipeline (its steady state)
    own = simulate_scenario(seed=5, accounts=80, quota=1_000_000, funnel="simple")
    assert own["quota"] == 1_000_000 and own["rate_error"] == 0


def test_assumed_win_rates():
    f = sf.Funnel.preset("key-account")
    assert assumed_funnel(f) is f
    assert assumed_funnel(f, "key-account").rates.tolist() == f.rates.tolist()
    assert [s.win_rate for s in assumed_funnel(f, [0.1, 0.2, 0.3, 0.4, 0.5]).stages] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert assumed_funnel(f, {"commitment": 0.9}).win_rate("commitment") == 0.9
    with pytest.raises(ValueError, match="funnel 'salesforce' has 8 stages, funnel 'key-account' has 5"):
        assumed_funnel(f, "salesforce")
    with pytest.raises(ValueError, match="unknown funnel preset 'nope'"):
        assumed_funnel(f, "nope")
    with pytest.raises(ValueError, match="unknown stage 'bogus'"):
        assumed_funnel(f, {"bogus": 0.5})


def test_public_names():
    assert sf.sweep is scenarios.sweep
    assert sf.threshold_sweep is threshold.sweep
    assert sf.simulate_scenario is simulate_scenario
    assert {"sweep", "threshold_sweep", "simulate_scenario"} <= set(sf.__all__)
