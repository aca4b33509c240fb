"""The ``simfunnel`` command: generate, simulate, report.

Examples::

    simfunnel generate --seed 2026 --out datasets/workshop
    simfunnel simulate --dataset datasets/workshop --seed 7 --out /tmp/replay
    simfunnel report --dataset datasets/workshop --threshold 50000 --chart funnel.png
    simfunnel import opportunities.csv --source salesforce --out datasets/crm --rejects rejects.csv
    simfunnel workshop init --dir W --teams 6 --seed 2026    (then: status, leaderboard, export --out W.xlsx)

Bad arguments or files end with one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .funnel import preset_names
from .history import PERIOD_WEEKS, History


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        self.exit(2, f"simfunnel: error: {message} (see 'simfunnel {self.prog.split(maxsplit=1)[-1]} --help')\n")


def _nonnegative(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="simfunnel", description="Sales funnel training and simulation kit (销售漏斗管理).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    g = sub.add_parser("generate", help="draw a synthetic world and simulate its history into a dataset folder")
    g.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    g.add_argument("--out", required=True, type=Path, help="dataset folder to write")
    g.add_argument("--accounts", type=_positive_int, default=None, help="number of accounts (default 200)")
    g.add_argument("--deals", type=_positive_int, default=None, help="exact number of deals (default: ~8 per account per year)")
    g.add_argument("--weeks", type=_positive_int, default=52, help="weeks to simulate (default 52)")
    g.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel preset")
    g.add_argument("--currency", default="CNY", help="currency of the amounts (default CNY)")

    s = sub.add_parser("simulate", help="simulate a dataset's world again with another seed")
    s.add_argument("--dataset", type=Path, help="dataset folder (default: draw a new world)")
    s.add_argument("--seed", type=int, default=2026, help="random seed of the simulation")
    s.add_argument("--weeks", type=_positive_int, default=None, help="weeks to simulate (default: the world's)")
    s.add_argument("--accounts", type=_positive_int, default=None, help="accounts of a new world (without --dataset)")
    s.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel of a new world")
    s.add_argument("--out", type=Path, help="write the simulated history to this folder")

    r = sub.add_parser("report", help="print the weekly table of the three indicators and draw the funnel")
    r.add_argument("--dataset", required=True, type=Path, help="dataset folder (e.g. datasets/workshop)")
    r.add_argument("--threshold", type=_nonnegative, default=50_000, help="small-order threshold T (default 50,000)")
    r.add_argument("--quota", type=_nonnegative, default=None, help="quota Q (default: the dataset's)")
    r.add_argument("--start-week", type=int, default=None, help="first week of the period (default: the dataset's)")
    r.add_argument("--period-weeks", type=_positive_int, default=PERIOD_WEEKS, help="period length (default 13)")
    r.add_argument("--run-rate-weeks", type=_positive_int, default=4, help="weeks of the run rate (default 4)")
    r.add_argument("--lang", choices=["en", "zh"], default="en", help="chart language")
    r.add_argument("--chart", type=Path, default=Path("funnel.png"), help="funnel chart PNG (default funnel.png)")
    r.add_argument("--csv", type=Path, default=None, help="also write the table as CSV")

    i = sub.add_parser("import", help="import a CRM export (Salesforce, HubSpot, Pipedrive, Odoo, any CSV/xlsx)")
    i.add_argument("path", type=Path, nargs="?", default=None, help="the export: CSV, TSV or .xlsx")
    i.add_argument("--example", choices=["maven"], default=None,
                   help="the worked example on the real Maven CRM export shipped in datasets/maven-crm")
    i.add_argument("--source", default="generic", choices=["salesforce", "hubspot", "pipedrive", "odoo", "generic"],
                   help="the CRM that wrote it (default generic: needs --mapping)")
    i.add_argument("--mapping", type=Path, default=None,
                   help="JSON file: {kit field: column, ..., \"stages\": {stage name: funnel stage}}")
    i.add_argument("--preset", choices=preset_names(), default=None,
                   help="map stages onto this funnel preset (default: the source's, or the export's own stages)")
    i.add_argument("--history", type=Path, default=None, help="Salesforce Opportunity History export")
    i.add_argument("--currency", default=None, help="currency to keep when the file has several")
    order = i.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None,
                       help="read dates like 3/5/2024 as 3 May")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="read dates like 3/5/2024 as March 5")
    i.add_argument("--encoding", default=None, help="file encoding (default: UTF-8, else GB18030/GBK)")
    i.add_argument("--sheet", default=None, help="xlsx sheet name (default: the first)")
    i.add_argument("--prices", type=Path, default=None, help="price table for amounts the export lacks")
    i.add_argument("--price-key", default=None, help="column naming the product, in the export and the price table")
    i.add_argument("--price-column", default=None, help="price column of the price table")
    i.add_argument("--as-of", default=None, help="export date (YYYY-MM-DD): dates deals that have no created date")
    i.add_argument("--fill-zero", action="store_true", help="also take amounts of 0 from the price list")
    i.add_argument("--out", type=Path, default=None, help="write the imported dataset folder here")
    i.add_argument("--rejects", type=Path, default=None, help="write the rejected rows to this CSV")
    i.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the report")

    ws = sub.add_parser("workshop", help="a workshop store: team scenarios, moves, leaderboard, export")
    wsub = ws.add_subparsers(dest="workshop_command", required=True, parser_class=_Parser)
    wi = wsub.add_parser("init", help="create W/workshop.sqlite with a seeded scenario per team")
    wi.add_argument("--dir", required=True, type=Path, help="workshop folder")
    wi.add_argument("--teams", type=_positive_int, default=None, help="number of teams (or give --team-names)")
    wi.add_argument("--team-names", default=None, help="comma-separated team names, e.g. red,blue,green")
    wi.add_argument("--seed", type=int, required=True, help="the workshop's seed (every team's seeds derive from it)")
    wi.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel preset")
    wi.add_argument("--same-world", action="store_true", help="every team plays the same world with the same luck")
    wi.add_argument("--people", action="store_true", help="switch on the people layer (coach, decision maker, ...)")
    wi.add_argument("--accounts", type=_positive_int, default=200, help="accounts per world (default 200)")
    wi.add_argument("--start-week", type=int, default=13, help="week play starts from (default 13)")
    wi.add_argument("--threshold", type=_nonnegative, default=50_000, help="small-order threshold T (default 50,000)")
    for name, helptext in (("status", "teams, week, moves and last activity"),
                           ("leaderboard", "booked, forecast accuracy, progress, records entered, quiz score")):
        wp = wsub.add_parser(name, help=helptext)
        wp.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    we = wsub.add_parser("export", help="write the moves and the leaderboard to .csv or .xlsx (safe for Excel)")
    we.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    we.add_argument("--out", required=True, type=Path, help="file.csv or file.xlsx")
    return p


def _workshop(args: argparse.Namespace) -> int:
    from .store import WorkshopStore

    if args.workshop_command == "init":
        teams: int | list[str]
        if args.team_names is not None:
            teams = [t.strip() for t in args.team_names.split(",")]
            if args.teams is not None and args.teams != len(teams):
                raise ValueError(f"--teams {args.teams} but --team-names names {len(teams)} teams")
        elif args.teams is not None:
            teams = args.teams
        else:
            raise ValueError("give --teams N or --team-names a,b,...")
        store = WorkshopStore.init(args.dir, teams=teams, seed=args.seed, preset=args.preset,
                                   same_world=args.same_world, people=args.people, start_week=args.start_week,
                                   accounts=args.accounts, threshold=args.threshold)
        with store:
            c = store.config
            print(f"wrote {store.path}: {len(store.teams)} teams ({', '.join(store.teams)}), seed {c['seed']}, "
                  f"preset {c['preset']}, {'one world for all' if c['same_world'] else 'a world per team'}, "
                  f"{c['accounts']} accounts, weeks {store.start_week + 1}-{store.end_week}"
                  f"{', people layer' if c['people'] else ''}")
        return 0
    with WorkshopStore.open(args.dir) as store:
        if args.workshop_command == "status":
            table = store.status()
            table["last_activity"] = table["last_activity"].map(
                lambda v: "-" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S UTC"))
            print(f"{store.path}: {len(store.teams)} teams, weeks {store.start_week + 1}-{store.end_week}")
        elif args.workshop_command == "leaderboard":
            table = store.leaderboard()
            for col in ("booked", "quota"):
                table[col] = table[col].map(lambda v: f"{v:,.0f}")
            for col in ("booked_vs_quota", "forecast_accuracy", "quiz_score"):
                table[col] = table[col].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
            table["progress_vs_benchmark"] = table["progress_vs_benchmark"].map(
                lambda v: "" if pd.isna(v) else f"{v:.2f}")
            print(f"{store.path}: threshold {store.config['threshold']:,.0f} {store.config['currency']}")
        else:
            for written in store.export(args.out):
                print(f"wrote {written}")
            return 0
        with pd.option_context("display.width", 250, "display.max_columns", None):
            print(table.to_string(index=False))
    return 0


def _import(args: argparse.Namespace) -> int:
    import json

    from . import crm

    mapping = None
    price_mapping = None
    if args.mapping is not None:
        try:
            mapping = json.loads(args.mapping.read_text("utf-8"))
        except OSError as exc:
            raise ValueError(f"{args.mapping}: cannot be read ({exc.strerror or exc})") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{args.mapping}: not valid JSON ({exc})") from None
        if not isinstance(mapping, dict):
            raise ValueError(f"{args.mapping}: expected a JSON object of field -> column")
        price_mapping = mapping.pop("prices", None)
    if args.prices is not None:
        price_mapping = dict(price_mapping or {})
        if args.price_key:
            price_mapping.setdefault("key", args.price_key)
            price_mapping.setdefault("price_key", args.price_key)
        if args.price_column:
            price_mapping["price"] = args.price_column
        if args.fill_zero:
            price_mapping["fill_zero"] = True
    elif args.price_key or args.price_column or args.fill_zero:
        raise ValueError("--price-key, --price-column and --fill-zero need --prices")
    if args.example == "maven":
        result = crm.maven_example(args.path)
    elif args.path is None:
        raise ValueError("give the export's path, or --example maven")
    else:
        result = crm.load(args.path, source=args.source, funnel=args.preset, mapping=mapping, history=args.history,
                          currency=args.currency, dayfirst=args.dayfirst, encoding=args.encoding,
                          prices=args.prices, price_mapping=price_mapping, sheet=args.sheet, as_of=args.as_of)
    print(result.report(args.lang))
    if args.out is not None:
        result.history.save(args.out)
        print(f"wrote {args.out}")
    if args.rejects is not None:
        crm.write_rejects(result.rejects, args.rejects)
        print(f"wrote {args.rejects} ({len(result.rejects)} rejected rows)")
    return 0


def _load(path: Path) -> History:
    if not path.exists():
        raise ValueError(f"{path}: no such dataset folder")
    return History.load(path)


def _generate(args: argparse.Namespace) -> int:
    from .generate import generate
    from .simulate import Simulation

    world = generate(args.accounts, args.deals, seed=args.seed, funnel=args.preset, weeks=args.weeks,
                     currency=args.currency)
    history = Simulation(world, seed=args.seed).run()
    history.save(args.out)
    s = history.summary()
    print(f"wrote {args.out}: {len(world.accounts)} accounts, {len(world.contacts)} contacts, {s['deals']} deals "
          f"({s['won']} won, {s['lost']} lost, {s['open']} open), {s['events']} events, "
          f"{len(history.snapshots)} snapshot rows; quota {history.quota:,.0f} {history.currency}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from .generate import generate, world_from_history
    from .simulate import Simulation

    if args.dataset is not None:
        world = world_from_history(_load(args.dataset), seed=args.seed)
    else:
        world = generate(args.accounts, seed=args.seed, funnel=args.preset)
    history = Simulation(world, seed=args.seed).run(args.weeks)
    s = history.summary()
    print(f"simulated {history.end_week} weeks with seed {args.seed}: {s['deals']} deals, {s['won']} won "
          f"({s['won_amount']:,.0f} {s['currency']}), {s['lost']} lost, {s['open']} open")
    if args.out is not None:
        history.save(args.out)
        print(f"wrote {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .metrics import indicators, records_entered

    history = _load(args.dataset)
    quota = args.quota if args.quota is not None else history.quota
    if not quota:
        raise ValueError("the dataset has no quota; give --quota")
    table = indicators(history, quota=quota, threshold=args.threshold, run_rate_weeks=args.run_rate_weeks,
                       start_week=args.start_week, period_weeks=args.period_weeks)
    start = history.start_week if args.start_week is None else args.start_week
    print(f"{args.dataset}: funnel {history.funnel.name}, weeks {start}-{start + args.period_weeks}, "
          f"threshold {args.threshold:,.0f}, quota {quota:,.0f} {history.currency}")
    shown = table.copy()
    money = ["forecast_in_funnel", "booked_week", "out_of_funnel_booked_week", "booked", "out_of_funnel_booked",
             "run_rate", "expected_out_of_funnel", "forecast"]
    for col in money:
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    for col, spec in (("progress", "+.1%"), ("benchmark", ".1%"), ("forecast_error", "+.1%")):
        shown[col] = shown[col].map(lambda v, spec=spec: "" if pd.isna(v) else format(v, spec))
    shown["coverage"] = shown["coverage"].map(lambda v: "met" if np.isinf(v) else f"{v:.2f}")
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(shown.to_string(index=False))
    records = records_entered(history, threshold=args.threshold, start_week=args.start_week,
                              period_weeks=args.period_weeks)
    errors = table["forecast_error"].abs()
    print(f"records entered: {records:,}; mean |forecast error|: {errors.mean():.1%} of quota")
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    from . import plots

    ax = plots.funnel_chart(history, week=start, threshold=args.threshold, lang=args.lang)
    args.chart.parent.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(args.chart, dpi=120, bbox_inches="tight")
    print(f"wrote {args.chart}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simfunnel`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"generate": _generate, "simulate": _simulate, "report": _report, "import": _import,
                "workshop": _workshop}
    try:
        return handlers[args.command](args)
    except (ValueError, OSError, KeyError) as exc:
        message = str(exc).strip("'\"") or type(exc).__name__
        print(f"simfunnel {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
