"""The ``simfunnel`` command: generate, simulate, report.

Examples::

    simfunnel generate --seed 2026 --out datasets/workshop
    simfunnel simulate --dataset datasets/workshop --seed 7 --out /tmp/replay
    simfunnel report --dataset datasets/workshop --threshold 50000 --chart funnel.png
    simfunnel import opportunities.csv --source salesforce --out datasets/crm --rejects rejects.csv
    simfunnel workshop init --dir W --teams 6 --seed 2026    (then: status, leaderboard, export --out W.xlsx)
    simfunnel workshop codes --dir W --cards cards.html --url http://192.168.1.20:8866/ --lang zh   (team cards)
    simfunnel workshop name --dir W team1 华东组       simfunnel workshop allow --dir W team1 李雷
    simfunnel workshop init --dir W --teams 6 --seed 2026 --weeks-per-round 4     (a workshop in rounds)
    simfunnel workshop round open --dir W --practice          (then: round status, round close, practice reset)
    simfunnel workshop event add price_cut --dir W --team red --param weeks=3
    simfunnel workshop round open --dir W --timer 15          (the timer closes it; or: round close)
    simfunnel workshop weights --dir W booked=4 quiz_score=1
    simfunnel workshop whatif --dir W --team red --round 2 --deal 1234 --action courtesy_call
    simfunnel workshop report --dir W --out debrief.html --lang zh --branch red:2:1234=courtesy_call

Every workshop subcommand takes ``--lang zh``: its sentences, tables and errors (argparse's too) in Chinese,
e.g. ``simfunnel workshop leaderboard --dir W --lang zh``; what is typed (names of weights, market events,
actions, teams) may then be the Chinese names it shows (simfunnel.workshop.console).

Bad arguments or files end with one clear line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from simfunnel.model.funnel import preset_names
from simfunnel.model.generate import MAX_ACCOUNTS, MAX_DEALS
from simfunnel.model.history import MAX_WEEKS, PERIOD_WEEKS, History
from simfunnel.workshop import console
from simfunnel.workshop.console import ConsoleError, say
from simfunnel.workshop.schema import MAX_WORKSHOP_ACCOUNTS


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, lang: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang  # "zh": a workshop command line with --lang zh

    def error(self, message: str) -> None:  # one line, no usage dump; in Chinese for a workshop command in zh
        if self.lang == "zh":
            message = console.argparse_zh(message)
        self.exit(2, say("parser", self.lang, message=message, command=self.prog) + "\n")


def _asks_zh(argv: Sequence[str]) -> bool:
    """A workshop command line with ``--lang zh``: argparse's own errors are then in Chinese too."""
    argv = list(argv)
    return argv[:1] == ["workshop"] and ("--lang=zh" in argv or any(
        a == "--lang" and b == "zh" for a, b in zip(argv, argv[1:])))


def _nonnegative(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _whole(text: str, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1" if minimum == 1 else f"{text!r} must be 0 or more")
    if maximum is not None and value > maximum:
        raise argparse.ArgumentTypeError(f"{text!r} must be at most {maximum:,}")
    return value


# Bounds of every count a user gives, checked while the arguments are read (before anything is allocated).
def _accounts(text: str) -> int:
    return _whole(text, 1, MAX_ACCOUNTS)


def _deals(text: str) -> int:
    return _whole(text, 0, MAX_DEALS)


def _weeks(text: str) -> int:
    return _whole(text, 1, MAX_WEEKS)


def _workshop_accounts(text: str) -> int:
    return _whole(text, 1, MAX_WORKSHOP_ACCOUNTS)


def _pace(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"--pace must be normal, fast or a weekly chance in (0, 1], got {text!r}") from None


def _positive_int(text: str) -> int:
    return _whole(text, 1)


def _nonnegative_int(text: str) -> int:
    return _whole(text, 0)


def _minutes(text: str) -> float:
    value = _nonnegative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 minutes")
    return value


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not name=value")
    return name.strip(), value.strip()


def _lang(parser: argparse.ArgumentParser, what: str = "language of the output") -> argparse.ArgumentParser:
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help=f"{what}: en (default) or zh")
    return parser


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    p = _Parser(prog="simfunnel", description="Sales funnel training and simulation kit (销售漏斗管理).", lang=lang)
    kind = partial(_Parser, lang=lang)
    sub = p.add_subparsers(dest="command", required=True, parser_class=kind)

    g = sub.add_parser("generate", help="draw a synthetic world and simulate its history into a dataset folder")
    g.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    g.add_argument("--out", required=True, type=Path, help="dataset folder to write")
    g.add_argument("--accounts", type=_accounts, default=None,
                   help=f"number of accounts, 1 to {MAX_ACCOUNTS:,} (default 200)")
    g.add_argument("--deals", type=_deals, default=None,
                   help=f"exact number of deals, 0 to {MAX_DEALS:,} (default: ~8 per account per year)")
    g.add_argument("--weeks", type=_weeks, default=52, help=f"weeks to simulate, 1 to {MAX_WEEKS} (default 52)")
    g.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel preset")
    g.add_argument("--currency", default="CNY", help="currency of the amounts (default CNY)")

    s = sub.add_parser("simulate", help="simulate a dataset's world again with another seed")
    s.add_argument("--dataset", type=Path, help="dataset folder (default: draw a new world)")
    s.add_argument("--seed", type=int, default=2026, help="random seed of the simulation")
    s.add_argument("--weeks", type=_weeks, default=None, help=f"weeks to simulate, 1 to {MAX_WEEKS} (default: the world's)")
    s.add_argument("--accounts", type=_accounts, default=None,
                   help=f"accounts of a new world (without --dataset), 1 to {MAX_ACCOUNTS:,}")
    s.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel of a new world")
    s.add_argument("--out", type=Path, help="write the simulated history to this folder")

    r = sub.add_parser("report", help="print the weekly table of the three indicators and draw the funnel")
    r.add_argument("--dataset", required=True, type=Path, help="dataset folder (e.g. datasets/workshop)")
    r.add_argument("--threshold", type=_nonnegative, default=50_000, help="small-order threshold T (default 50,000)")
    r.add_argument("--quota", type=_nonnegative, default=None, help="quota Q (default: the dataset's)")
    r.add_argument("--start-week", type=int, default=None, help="first week of the period (default: the dataset's)")
    r.add_argument("--period-weeks", type=_weeks, default=PERIOD_WEEKS,
                   help="period length in weeks, inside the dataset's weeks (default 13)")
    r.add_argument("--run-rate-weeks", type=_weeks, default=4, help="weeks of the run rate (default 4)")
    r.add_argument("--rates", choices=["assumed", "measured"], default="assumed",
                   help="win rates of the forecast: the funnel's assumed ones (default) or measured from the dataset")
    r.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the report's lines and chart")
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
    i.add_argument("--trust-flags", action="store_true",
                   help="reject rows whose IsWon/IsClosed/status flag contradicts the stage (default: the stage "
                        "decides, as in the CRM, and each kind of contradiction is counted in a warning)")
    i.add_argument("--fill-zero", action="store_true", help="also take amounts of 0 from the price list")
    i.add_argument("--out", type=Path, default=None, help="write the imported dataset folder here")
    i.add_argument("--rejects", type=Path, default=None, help="write the rejected rows to this CSV")
    i.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the report")

    ws = sub.add_parser("workshop", help="a workshop store: team scenarios, moves, leaderboard, export")
    wsub = ws.add_subparsers(dest="workshop_command", required=True, parser_class=kind)
    wi = _lang(wsub.add_parser("init", help="create W/workshop.sqlite with a seeded scenario per team"))
    wi.add_argument("--dir", required=True, type=Path, help="workshop folder")
    wi.add_argument("--teams", type=_positive_int, default=None, help="number of teams (or give --team-names)")
    wi.add_argument("--team-names", default=None, help="comma-separated team names, e.g. red,blue,green")
    wi.add_argument("--names", default=None,
                    help="comma-separated names for people, one per team, e.g. 华东组,华南组 (default: 第 1 组 / Team 1 ...)")
    wi.add_argument("--seed", type=int, required=True, help="the workshop's seed (every team's seeds derive from it)")
    wi.add_argument("--preset", choices=preset_names(), default="key-account", help="funnel preset")
    wi.add_argument("--same-world", action="store_true", help="every team plays the same world with the same luck")
    wi.add_argument("--people", action="store_true", help="switch on the people layer (coach, decision maker, ...)")
    wi.add_argument("--accounts", type=_workshop_accounts, default=200,
                    help=f"accounts per world, 1 to {MAX_WORKSHOP_ACCOUNTS:,} (default 200)")
    wi.add_argument("--start-week", type=int, default=13, help="week play starts from (default 13)")
    wi.add_argument("--threshold", type=_nonnegative, default=50_000, help="small-order threshold T (default 50,000)")
    wi.add_argument("--pace", default="normal",
                    help="how fast deals move: normal (default), fast (most deals close within a quarter's "
                         "workshop, so decisions show in revenue), or a deal's weekly chance of leaving its stage")
    wi.add_argument("--weeks-per-round", type=_nonnegative_int, default=0,
                    help="simulated weeks per round: the trainer runs rounds (default 0: free play, "
                         "each team closes its own weeks)")

    def with_dir(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
        return _lang(parser)

    for name, helptext in (("status", "teams, week, moves and last activity"),
                           ("leaderboard", "score and rank; booked, forecast accuracy, progress, records entered, "
                                           "quiz score")):
        with_dir(wsub.add_parser(name, help=helptext))
    we = with_dir(wsub.add_parser("export", help="write the moves and the leaderboard to .csv or .xlsx (safe for Excel)"))
    we.add_argument("--out", required=True, type=Path, help="file.csv or file.xlsx")

    wr = wsub.add_parser("round", help="rounds (workshops made with --weeks-per-round): open, close, status")
    rsub = wr.add_subparsers(dest="round_command", required=True, parser_class=kind)
    ro = with_dir(rsub.add_parser("open", help="open the next round for every team"))
    ro.add_argument("--practice", action="store_true", help="the practice round (reset it with: practice reset)")
    ro.add_argument("--timer", type=_minutes, default=None, metavar="MIN",
                    help="minutes until the deadline; then the round closes itself")
    with_dir(rsub.add_parser("close", help="close the open round and process it for every team"))
    with_dir(rsub.add_parser("status", help="the open round and which teams have submitted"))
    wpr = wsub.add_parser("practice", help="the practice round")
    psub = wpr.add_subparsers(dest="practice_command", required=True, parser_class=kind)
    with_dir(psub.add_parser("reset", help="undo the practice round: no trace of it in the scores"))

    wv = wsub.add_parser("event", help="market events: the catalogue, the events scheduled, schedule one")
    vsub = wv.add_subparsers(dest="event_command", required=True, parser_class=kind)
    vl = vsub.add_parser("list", help="the catalogue of market events (with --dir: also the events scheduled)")
    vl.add_argument("--dir", type=Path, default=None, help="workshop folder: also list its events")
    _lang(vl, "language of the labels")
    va = with_dir(vsub.add_parser("add", help="schedule a market event (default: the next round, every team)"))
    va.add_argument("kind", help="the event's kind (see: event list)")
    va.add_argument("--team", default=None, help="the team it hits (default: every team)")
    va.add_argument("--round", type=_positive_int, default=None, help="the round it hits (default: the next one)")
    va.add_argument("--week", type=_positive_int, default=None, help="or the week it hits")
    va.add_argument("--param", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                    help="override one of the kind's parameters (repeat for several)")

    ww = with_dir(wsub.add_parser("weights", help="show the score's weights, or set some: name=value ..."))
    ww.add_argument("assignments", nargs="*", type=_assignment, metavar="NAME=VALUE",
                    help="booked, forecast_accuracy, progress_vs_benchmark, quiz_score, records_entered")
    _access_parsers(wsub)
    _debrief_parsers(wsub)
    return p


def _workshop(args: argparse.Namespace) -> int:
    from simfunnel.workshop.store import WorkshopStore  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    if args.workshop_command == "init":
        return _init(args)
    if args.workshop_command in ("report", "whatif"):
        return _debrief(args)
    if args.workshop_command in ("codes", "name", "allow"):
        return _access(args)
    if args.workshop_command == "event" and args.event_command == "list":
        return _event_list(args)
    with WorkshopStore.open(args.dir) as store:
        if args.workshop_command in ("status", "leaderboard", "export") or getattr(args, "round_command", "") == "status":
            _tick(store)
        table = _workshop_table(store, args)
        if table is not None and args.lang == "zh":  # Chinese headers, teams by their names for people
            moves = {"moves": "本回合行动"} if args.workshop_command == "round" else None
            table = console.zh_table(table, store.team_names("zh"), columns=moves)
        elif table is not None:
            table = _named(store, table)
        _print_table(table)
    return 0


def _print_table(table: pd.DataFrame | None) -> None:
    if table is not None:
        with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_colwidth", 200,
                               "display.unicode.east_asian_width", True):
            print(table.to_string(index=False))


def _init(args: argparse.Namespace) -> int:
    from simfunnel.workshop.store import WorkshopStore  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    teams: int | list[str]
    if args.team_names is not None:
        teams = [t.strip() for t in args.team_names.split(",")]
        if args.teams is not None and args.teams != len(teams):
            raise ValueError(f"--teams {args.teams} but --team-names names {len(teams)} teams")
    elif args.teams is not None:
        teams = args.teams
    else:
        raise ValueError("give --teams N or --team-names a,b,...")
    names = None if args.names is None else [n.strip() for n in args.names.replace("，", ",").split(",")]
    store = WorkshopStore.init(args.dir, teams=teams, names=names, seed=args.seed, preset=args.preset,
                               same_world=args.same_world, people=args.people, start_week=args.start_week,
                               accounts=args.accounts, threshold=args.threshold,
                               weeks_per_round=args.weeks_per_round,
                               pace=args.pace if args.pace in ("normal", "fast") else _pace(args.pace))
    lang = args.lang
    with store:
        c = store.config
        rounds = say("rounds_of", lang, k=store.weeks_per_round) if store.rounds_mode else say("free_play", lang)
        if c.get("exit_hazard", 0.3) != 0.3:
            rounds += say("pace", lang, pace=c["exit_hazard"])
        names = store.team_names(lang)
        print(say("init", lang, path=store.path, n=len(store.teams), seed=c["seed"], accounts=c["accounts"],
                  teams=say("sep", lang).join(store.teams if lang == "en" else names.values()),
                  preset=c["preset"] if lang == "en" else store.funnel.label_zh,
                  world=say("one_world" if c["same_world"] else "world_per_team", lang),
                  first=store.start_week + 1, last=store.end_week, rounds=rounds,
                  people=say("people", lang) if c["people"] else ""))
        command = f"simfunnel workshop codes --dir {args.dir} --cards cards.html" + _zh_option(lang)
        print(say("join_codes", lang, command=command,
                  codes=say("sep", lang).join(f"{names[t]} {code}" for t, code in store.team_codes().items())))
    return 0


def _zh_option(lang: str) -> str:
    """What a command the console suggests takes to speak the trainer's language."""
    return " --lang zh" if lang == "zh" else ""


def _team(store, text: str) -> str:
    """The team a trainer means: its key, or its name in either language (refused in Chinese by the teams' names)."""
    try:
        return store.resolve_team(text)
    except ValueError as exc:
        if not str(exc).startswith("No team named"):
            raise
        raise ConsoleError(str(exc), say("unknown_team", "zh", team=text,
                                         teams="、".join(store.team_names("zh").values()))) from None


def _tick(store) -> None:
    """Before a command shows the store: close a round whose timer has run out (reads never close it, and a
    trainer expects it closed). A store this user cannot write (a read-only copy) is shown as it is."""
    try:
        store.tick()
    except ValueError:  # a StoreError: the file cannot be written (or stayed busy); reading goes on
        pass


def _round_line(r: dict, lang: str) -> str:
    line = say("round_line", lang, name=console.round_name(r["number"], lang), first=r["first_week"],
               last=r["last_week"], status=console.status_word(r["status"], lang))
    if r["deadline"] is not None and r["status"] == "open":
        line += say("deadline", lang, time=f"{r['deadline'].astimezone():%H:%M:%S}", minutes=r["seconds_left"] / 60)
    return line


def _workshop_table(store, args: argparse.Namespace) -> pd.DataFrame | None:
    """Run a workshop subcommand on an open store: print its lines, return the table to print (if any)."""
    command, lang = args.workshop_command, args.lang
    currency = store.config["currency"]
    amount = (lambda v: f"{v:,.0f}") if lang == "en" else (lambda v: console.money(v, currency))
    if command == "status":
        table = store.status()
        table["last_activity"] = table["last_activity"].map(
            lambda v: "-" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S UTC")) if lang == "en" else \
            table["last_activity"].map(console.clock)
        print(say("status", lang, path=store.path, n=len(store.teams), first=store.start_week + 1, last=store.end_week))
        if store.rounds_mode:
            current = store.current_round()
            print(say("open", lang, line=_round_line(current, lang)) if current else say("no_round", lang))
        return table
    if command == "leaderboard":
        table = store.leaderboard()
        for col in ("booked", "quota", "quota_to_date"):
            table[col] = table[col].map(amount)
        for col in ("booked_vs_quota", "forecast_accuracy", "quiz_score"):
            table[col] = table[col].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        table["progress_vs_benchmark"] = table["progress_vs_benchmark"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        table["score"] = table["score"].map(lambda v: f"{v:.1f}")
        threshold = store.config["threshold"]
        print(say("threshold", lang, path=store.path,
                  threshold=f"{threshold:,.0f} {currency}" if lang == "en" else console.money(threshold, currency)))
        names = console.METRICS if lang == "zh" else {}
        print(say("weights", lang, weights=say("sep", lang).join(f"{names.get(k, k)} {v:g}"
                                                                  for k, v in store.weights.items())))
        return table.sort_values("rank", kind="stable")
    if command == "export":
        for written in store.export(args.out):
            print(say("wrote", lang, path=written))
        return None
    if command == "round":
        return _round_table(store, args, amount)
    if command == "practice":
        withdrawn = store.reset_practice()
        print(say("reset", lang, n=withdrawn, week=store.week(store.teams[0])))
        return None
    if command == "event":
        kind = console.key_for(args.kind, console.event_names())  # its key, or its name (竞争对手降价)
        params = {console.key_for(name, console.param_names(kind)): value for name, value in args.param}
        if len(params) != len(args.param):
            raise ConsoleError("--param names a parameter twice", "--param 把同一个参数给了两次")
        team = None if args.team is None else _team(store, args.team)
        event_id = store.add_event(kind, team=team, round=args.round, week=args.week, **params)
        row = store.events(lang=lang).set_index("id").loc[event_id]
        print(say("scheduled", lang, id=event_id, round=row["round"], text=row["text"]))
        return None
    if command == "weights":
        if args.assignments:
            given = {}
            for name, value in args.assignments:
                name = console.key_for(name, console.metric_names())  # its key, or its name (已成交)
                try:
                    given[name] = float(value)
                except ValueError:
                    raise ValueError(f"weight {name}: {value!r} is not a number") from None
            store.set_weights(**given)
        return pd.DataFrame({"metric": list(store.weights), "weight": list(store.weights.values())})
    raise ValueError(f"unknown workshop command {command!r}")  # pragma: no cover - argparse refuses it first


def _round_table(store, args: argparse.Namespace, amount) -> pd.DataFrame | None:
    """workshop round open, close, status."""
    lang = args.lang
    if args.round_command == "open":
        r = store.open_round(practice=args.practice, timer_minutes=args.timer)
        print(say("opened", lang, line=_round_line(r, lang)))
        return None
    if args.round_command == "close":
        table = store.close_round()
        r = store.rounds().iloc[-1]
        print(say("closed", lang, name=console.round_name(r["number"], lang), first=r["first_week"],
                  last=r["last_week"]))
        for col in ("booked_round", "booked", "forecast"):
            table[col] = table[col].map(amount)
        return table
    current = store.current_round()
    table = store.round_status()
    if current is not None:
        print(say("open", lang, line=_round_line(current, lang)))
    elif len(table):
        played = store.rounds()
        print(say("last_round", lang, line=_round_line(played[played["status"] != "reset"].iloc[-1], lang)))
    else:
        print(say("no_round_yet", lang, command="simfunnel workshop round open" + _zh_option(lang)))
    if table.empty:
        return None  # the sentence above says it all: no table of nothing
    table["submitted_at"] = table["submitted_at"].map(
        lambda v: "-" if pd.isna(v) else f"{v.to_pydatetime().astimezone():%H:%M:%S}")
    return table


def _event_list(args: argparse.Namespace) -> int:
    from simfunnel.model.events import catalogue  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)
    from simfunnel.workshop.store import WorkshopStore  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    lang = args.lang
    table = catalogue(lang)[["kind", "label", "effect", "defaults"]]
    if lang == "zh":  # the parameters by their Chinese names (event add takes them, and the events' names, too)
        table = console.zh_table(table.assign(defaults=table["kind"].map(console.defaults_zh)), {},
                                 columns={"kind": "代号"})
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_colwidth", 200,
                           "display.unicode.east_asian_width", lang == "zh"):
        print(table.to_string(index=False))
        if args.dir is not None:
            with WorkshopStore.open(args.dir) as store:
                _tick(store)
                events = store.events(lang=lang)
                print(say("events", lang, path=store.path, n=len(events)))
                if len(events):
                    events = events[["id", "week", "round", "team", "hit", "text"]]
                    if lang == "zh":
                        events = console.zh_table(events, store.team_names("zh"), columns={"week": "周"})
                    else:
                        events = events.assign(team=events["team"].map(lambda t: "all" if t is None else t))
                    print(events.to_string(index=False))
    return 0


def _import(args: argparse.Namespace) -> int:
    import json

    from simfunnel import crm  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

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
                          prices=args.prices, price_mapping=price_mapping, sheet=args.sheet, as_of=args.as_of,
                          trust_flags=args.trust_flags)
    zh = args.lang == "zh"
    print(result.report(args.lang))
    if args.out is not None:
        result.history.save(args.out)
        print(f"已写入 {args.out}" if zh else f"wrote {args.out}")
    if args.rejects is not None:
        crm.write_rejects(result.rejects, args.rejects)
        print(f"已写入 {args.rejects}（拒收 {len(result.rejects)} 行）" if zh else
              f"wrote {args.rejects} ({len(result.rejects)} rejected rows)")
    return 0


def _load(path: Path) -> History:
    if not path.exists():
        raise ValueError(f"{path}: no such dataset folder")
    return History.load(path)


def _generate(args: argparse.Namespace) -> int:
    from simfunnel.model.generate import generate  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)
    from simfunnel.model.simulate import Simulation  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

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
    from simfunnel.model.generate import generate, world_from_history  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)
    from simfunnel.model.simulate import Simulation  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

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
    from simfunnel.analysis.metrics import indicators, records_entered  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    history = _load(args.dataset)
    quota = args.quota if args.quota is not None else history.quota
    quota_note = ""
    if not quota:
        from simfunnel.analysis.metrics import default_quota  # noqa: PLC0415

        quota = default_quota(history, args.period_weeks)
        if not quota:
            raise ValueError("the dataset has no quota and nothing won to take one from; give --quota")
        quota_note = (f" （销售任务取历史上每 {args.period_weeks} 周的平均成交额；用 --quota 指定）" if args.lang == "zh" else
                      f" (the history's mean bookings per {args.period_weeks} weeks; give --quota to set one)")
    start = history.start_week if args.start_week is None else args.start_week
    if 0 <= start <= history.end_week and start + args.period_weeks > history.end_week:  # a bad start: indicators says
        raise ValueError(f"the dataset has weeks 0-{history.end_week}: a period of {args.period_weeks} weeks from week "
                         f"{start} does not fit in it (give --start-week and --period-weeks inside it)")
    table = indicators(history, quota=quota, threshold=args.threshold, run_rate_weeks=args.run_rate_weeks,
                       start_week=args.start_week, period_weeks=args.period_weeks, rates=args.rates)
    if args.lang == "zh":
        print(f"{args.dataset}：漏斗 {history.funnel.name}，第 {start}-{start + args.period_weeks} 周，"
              f"门槛 {args.threshold:,.0f}，销售任务 {quota:,.0f} {history.currency}{quota_note}")
    else:
        print(f"{args.dataset}: funnel {history.funnel.name}, weeks {start}-{start + args.period_weeks}, "
              f"threshold {args.threshold:,.0f}, quota {quota:,.0f} {history.currency}{quota_note}")
    print(("赢率：漏斗里设定的赢率" if args.rates == "assumed" else "赢率：用这份数据实测的赢率") if args.lang == "zh" else
          ("rates: the funnel's assumed win rates (--rates measured uses the ones measured from the data)"
           if args.rates == "assumed" else "rates: measured from this dataset (product-limit, below)"))
    shown = table.copy()
    money = ["forecast_in_funnel", "booked_week", "out_of_funnel_booked_week", "booked", "out_of_funnel_booked",
             "run_rate", "expected_out_of_funnel", "forecast"]
    for col in money:
        shown[col] = shown[col].map(lambda v: f"{v:,.0f}")
    for col, spec in (("progress", "+.1%"), ("benchmark", ".1%"), ("forecast_error", "+.1%")):
        shown[col] = shown[col].map(lambda v, spec=spec: "—" if pd.isna(v) else format(v, spec))
    # a week whose in-funnel deals are all still open has no error to show yet: "—", not "+0.0%"
    open_in = _open_in_funnel(history, table["week"], args.threshold)
    unknown = (table["censored"].to_numpy() >= open_in) & (open_in > 0)
    shown.loc[unknown, "forecast_error"] = "—"
    met = "已完成" if args.lang == "zh" else "met"
    shown["coverage"] = shown["coverage"].map(lambda v: met if np.isinf(v) else f"{v:.2f}")
    if args.lang == "zh":
        shown = shown.rename(columns=REPORT_COLUMNS_ZH)
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(shown.to_string(index=False))
    records = records_entered(history, threshold=args.threshold, start_week=args.start_week,
                              period_weeks=args.period_weeks)
    errors = table["forecast_error"].abs()[~unknown]  # the weeks with something closed to measure against
    print(f"录入记录：{records:,} 条；销售预计平均误差（绝对值）：销售任务的 {errors.mean():.1%}" if args.lang == "zh" else
          f"records entered: {records:,}; mean |forecast error|: {errors.mean():.1%} of quota")
    _print_win_rates(history, args.lang)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
        print(f"已写入 {args.csv}" if args.lang == "zh" else f"wrote {args.csv}")
    from simfunnel import plots  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    ax = plots.funnel_chart(history, week=start, threshold=args.threshold, lang=args.lang)
    chart = args.chart
    if chart.is_dir() or str(chart).endswith(("/", "\\")):  # a folder: the chart goes into it
        chart = chart / "funnel.png"
    chart.parent.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(chart, dpi=120, bbox_inches="tight", format="png")
    print(f"已写入 {chart}" if args.lang == "zh" else f"wrote {chart}")
    return 0


REPORT_COLUMNS_ZH = {
    "t": "序", "week": "周", "forecast_in_funnel": "漏斗内预计", "booked_week": "本周成交", "out_of_funnel_booked_week":
    "本周漏斗外成交", "booked": "累计成交", "out_of_funnel_booked": "累计漏斗外成交", "run_rate": "漏斗外周均",
    "expected_out_of_funnel": "预计漏斗外", "forecast": "销售预计", "progress": "销售进展", "benchmark": "基准进度",
    "coverage": "覆盖率", "forecast_error": "预计误差", "censored": "未关闭",
}


def _open_in_funnel(history, weeks, threshold: float) -> np.ndarray:
    """Per week: the in-funnel deals (amount ≥ threshold) open at its end."""
    snap = history.snapshots_between(int(min(weeks)), int(max(weeks)), open_only=True)
    keep = (snap["status"].astype(str) == "open") & (snap["amount"] >= threshold) & \
        (snap["stage"].cat.codes.to_numpy() < len(history.funnel))
    counts = snap.loc[keep].groupby("week").size()
    return np.array([int(counts.get(int(w), 0)) for w in weeks])


def _print_win_rates(history, lang: str | None) -> None:
    """The overall won share (won ÷ closed, every deal) and the measured stage rates (product-limit: each deal from
    the stage where it was first observed), both with 95 % intervals; a stage not measurable shows "—" and why."""
    from simfunnel.analysis.winrates import empirical_win_rates, overall_win_rate  # noqa: PLC0415

    zh = (lang or "en") == "zh"
    o = overall_win_rate(history)
    if o["closed"]:
        print(f"总体赢单比例（赢单 ÷ 已关闭，全部商机）：{o['share']:.1%}（95% 区间 {o['low']:.1%}–{o['high']:.1%}，"
              f"{int(o['won'])} / {int(o['closed'])}）" if zh else
              f"overall won share (won ÷ closed, every deal): {o['share']:.1%} (95% interval {o['low']:.1%}–"
              f"{o['high']:.1%}; {int(o['won'])} of {int(o['closed'])})")
    else:
        print("总体赢单比例：— （还没有关闭的商机）" if zh else "overall won share: — (no deal has closed yet)")
    print("各阶段实测赢率（乘积极限估计，每个商机从第一次被观察到的阶段算起）：" if zh else
          "measured stage win rates (product-limit: each deal from the stage where it was first observed):")
    for key, r in empirical_win_rates(history).iterrows():
        label = r["zh"] if zh else r["en"]
        if pd.isna(r["win_rate"]):
            print(f"  {label}: — （{r['reason_zh']}）" if zh else f"  {label}: — ({r['reason']})")
        else:
            print(f"  {label}: {r['win_rate']:.1%}（95% 区间 {r['low']:.1%}–{r['high']:.1%}，{int(r['observed'])} 个商机）"
                  if zh else f"  {label}: {r['win_rate']:.1%} (95% interval {r['low']:.1%}–{r['high']:.1%}; "
                             f"{int(r['observed'])} deals)")


# --- who may act for a team: workshop codes, workshop name, workshop allow (simfunnel.workshop.access) -----------
def _access_parsers(wsub) -> None:
    wc = wsub.add_parser("codes", help="each team's name and join code; a new code; printable team cards")
    wc.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    wc.add_argument("--regenerate", metavar="TEAM", action="append", default=[],
                    help="give this team (key or name) a new code: the old one stops working (repeat for several)")
    wc.add_argument("--cards", type=Path, default=None, help="write a printable HTML sheet of team cards here")
    wc.add_argument("--url", default=None, help="the app's address (http://host:port/): a QR code on each card")
    wc.add_argument("--title", default=None, help="the workshop's name on the cards (default: the folder's name)")
    _lang(wc, "language of the list and the cards")
    wn = wsub.add_parser("name", help="give a team a name for people (shown everywhere instead of team1 ...)")
    wn.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    wn.add_argument("team", help="the team (its key, e.g. team1, or its current name)")
    wn.add_argument("name", help="its new name, e.g. 华东组 (\"\": back to 第 1 组 / Team 1)")
    _lang(wn)
    wa = wsub.add_parser("allow", help="let a trainee rejoin a team once from another browser (a new laptop)")
    wa.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    wa.add_argument("team", help="the team (its key or its name)")
    wa.add_argument("trainee", help="the trainee's name, as they joined")
    _lang(wa)


def _access(args: argparse.Namespace) -> int:
    from simfunnel.workshop.cards import write_cards  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)
    from simfunnel.workshop.store import WorkshopStore  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    lang = args.lang
    with WorkshopStore.open(args.dir) as store:
        if args.workshop_command == "name":
            team = _team(store, args.team)
            old = store.team_name(team, "zh")
            name = store.set_team_name(team, args.name or None)
            print(say("named", lang, team=team, en=name, zh=store.team_name(team, "zh"), old=old))
            return 0
        if args.workshop_command == "allow":
            team = _team(store, args.team)
            name = store.allow_rejoin(team, args.trainee)
            print(say("allowed", lang, name=name, team=team, team_en=store.team_name(team, "en"),
                      team_zh=store.team_name(team, "zh")))
            return 0
        names = store.team_names(lang)
        for wanted in args.regenerate:
            team = _team(store, wanted)
            print(say("new_code", lang, name=names[team], team=team, code=store.regenerate_code(team)))
        codes = store.team_codes()
        print(say("codes_head", lang, n=len(codes)))
        table = pd.DataFrame({say("codes_name", lang): [names[t] for t in codes],
                              say("codes_code", lang): list(codes.values())})
        if lang == "en":  # the keys (team1 ...) are for commands; a Chinese list names teams as people do
            table.insert(0, say("codes_team", lang), list(codes))
        with pd.option_context("display.unicode.east_asian_width", True):  # Chinese names line up
            print(table.to_string(index=False))
        if args.cards is not None:
            path = write_cards(store, args.cards, lang=lang, url=args.url, title=args.title)
            print(say("cards", lang, n=len(codes), path=path))
        elif args.url is not None:
            raise ConsoleError("--url goes with --cards (the QR codes are on the cards)",
                               "--url 要和 --cards 一起用（二维码印在卡片上）")
    return 0


def _named(store, table: pd.DataFrame | None) -> pd.DataFrame | None:
    """A workshop table with each team's name for people next to its key, when one differs from its key."""
    if table is None or "team" not in table.columns:
        return table
    names = store.team_names("en")
    if all(names.get(t, t) == t for t in table["team"]):
        return table
    table = table.copy()
    table.insert(int(table.columns.get_loc("team")) + 1, "name", [names.get(t, t) for t in table["team"]])
    return table


# --- the debrief: workshop report, workshop whatif (simfunnel.workshop.debrief) --------------------------------
def _debrief_parsers(wsub) -> None:
    wd = wsub.add_parser("report", help="write the debrief as a self-contained HTML handout (charts included)")
    wd.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    wd.add_argument("--out", required=True, type=Path, help="the HTML file to write (print it to PDF from a browser)")
    _lang(wd, "language of the handout and the output")
    wd.add_argument("--branch", action="append", default=[], metavar="TEAM:ROUND[:CHANGES]",
                    help="add a what-if branch, e.g. red:2:1234=courtesy_call,555=remove or red:2:threshold=20000 "
                         "(repeat for several)")
    wf = wsub.add_parser("whatif", help="replay a team from a round with a decision or the threshold changed")
    wf.add_argument("--dir", required=True, type=Path, help="workshop folder (or its workshop.sqlite)")
    wf.add_argument("--team", required=True, help="the team")
    wf.add_argument("--round", required=True, type=_positive_int, help="the round whose decisions change")
    wf.add_argument("--deal", type=int, action="append", default=[], help="a deal acted on in that round")
    wf.add_argument("--action", action="append", default=[], help="its new action (one per --deal)")
    wf.add_argument("--remove", type=int, action="append", default=[], metavar="DEAL",
                    help="remove the round's move on this deal")
    wf.add_argument("--threshold", type=_nonnegative, default=None, help="another threshold from that round on")
    _lang(wf)


def _branch_spec(text: str) -> tuple[str, int, dict, float | None]:
    """``TEAM:ROUND[:DEAL=ACTION,DEAL=remove,threshold=X]`` → (team, round, changes, threshold)."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0].strip():
        raise ValueError(f"--branch {text!r}: expected TEAM:ROUND or TEAM:ROUND:DEAL=ACTION,...")
    try:
        number = int(parts[1])
    except ValueError:
        raise ValueError(f"--branch {text!r}: round {parts[1]!r} is not a whole number") from None
    changes: dict[int, str | None] = {}
    threshold = None
    for item in (parts[2].split(",") if len(parts) == 3 and parts[2].strip() else []):
        try:
            name, value = _assignment(item) if "=" in item else (item, "")
            if name == "threshold":
                threshold = _nonnegative(value)
                continue
        except argparse.ArgumentTypeError as exc:  # not a ValueError: main() would let it through as a traceback
            raise ValueError(f"--branch {text!r}: {exc}") from None
        try:
            deal = int(name)
        except ValueError:
            raise ValueError(f"--branch {text!r}: {name!r} is not a deal id (nor threshold)") from None
        if not value:
            raise ValueError(f"--branch {text!r}: give deal {deal} an action, or {deal}=remove")
        changes[deal] = None if value == "remove" else value
    return parts[0].strip(), number, changes, threshold


def _debrief(args: argparse.Namespace) -> int:
    from simfunnel.workshop import debrief  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)
    from simfunnel.workshop.store import WorkshopStore  # noqa: PLC0415 — loaded for its subcommand only (a quick --help)

    lang = args.lang
    actions = console.action_names()  # an action by its key, or its name (礼节性回访)
    with WorkshopStore.open(args.dir) as store:
        _tick(store)
        if args.workshop_command == "report":
            specs = list(map(_branch_spec, args.branch))
            branches = [debrief.branch(store, _team(store, team), number,
                                       {d: a if a is None else console.key_for(a, actions) for d, a in changes.items()},
                                       threshold) for team, number, changes, threshold in specs]
            saved = len(store.saved_branches())
            path = debrief.report(store, args.out, lang=lang, branches=branches)
            print(say("report", lang, path=path, teams=len(store.teams), total=saved + len(branches), saved=saved,
                      given=len(branches), language="Chinese" if lang == "zh" else "English"))
            return 0
        if len(args.deal) != len(args.action):
            raise ValueError(f"give one --action per --deal ({len(args.deal)} deals, {len(args.action)} actions)")
        changes: dict[int, str | None] = {d: console.key_for(a, actions) for d, a in zip(args.deal, args.action)}
        for deal in args.remove:
            if deal in changes:
                raise ValueError(f"deal {deal} is both changed and removed")
            changes[deal] = None
        b = debrief.branch(store, _team(store, args.team), args.round, changes, args.threshold)
        print(say("whatif", lang, team=b.team_zh if lang == "zh" else b.team_en, week=b.change_week,
                  round=console.round_name(b.at_round, lang), changes=b.describe(lang)))
        summary = b.summary()
        weekly = b.difference()[["week", "forecast_original", "forecast_branch", "booked_original", "booked_branch",
                                 "booked_difference"]]
        if lang == "zh":
            summary, weekly = console.whatif_zh(summary, weekly, b.currency)
            _print_table(summary)
            print()
            _print_table(weekly)
            for row in b.skipped.to_dict("records"):
                print(say("skipped", lang, move=console.skipped_zh(row, store.funnel)))
            return 0
        for col in ("original", "branched", "difference"):
            summary[col] = [f"{v:,.0f}" if m in ("forecast", "booked", "records_entered") else f"{v:.3f}"
                            for m, v in zip(summary["metric"], summary[col])]
        with pd.option_context("display.width", 250, "display.max_columns", None, "display.float_format",
                               "{:,.0f}".format):
            print(summary.to_string(index=False))
            print()
            print(weekly.to_string(index=False))
        for row in b.skipped.to_dict("records"):
            print(say("skipped", lang, week=row["week"], deal=row["deal_id"], action=row["action"], stage=row["stage"]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simfunnel`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser("zh" if _asks_zh(argv) else "en").parse_args(argv)
    lang = getattr(args, "lang", "en") if args.command == "workshop" else "en"  # the other commands speak English
    handlers = {"generate": _generate, "simulate": _simulate, "report": _report, "import": _import,
                "workshop": _workshop}
    try:
        return handlers[args.command](args)
    except BrokenPipeError:  # `simfunnel … | head`: the reader has gone; nothing more to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's recipe: no error at exit
        return 0
    except MemoryError:
        print(say("error", lang, command=args.command, message=say("memory", lang)), file=sys.stderr)
        return 2
    except (ValueError, OSError, KeyError) as exc:
        message = console.one_line(exc) or type(exc).__name__  # one line, whatever raised it
        if lang == "zh":  # the exception's own Chinese (StoreError, MoveRefused, ...), else its English translated
            message = console.error_zh(exc, message)
        print(say("error", lang, command=args.command, message=message), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
