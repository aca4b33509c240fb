"""History: what simulations and imports produce and what every analysis takes.

A :class:`History` holds three tables (see DESIGN.md):

- ``deals``: deal_id, account_id (nullable), owner, amount, created_week, stage,
  status (open/won/lost), closed_week, expected_close_week, win_rate_override, paid_week;
- ``events``: deal_id, week, from_stage, to_stage, outcome, action;
- ``snapshots``: one row per existing deal per week (week 0 … end_week): week,
  deal_id, account_id, amount, stage, status, win_rate_override, expected_close_week.

Snapshots are rebuilt from deals and events when not given (vectorised, built
on first use). A deal's stage at the end of week ``w`` is the ``to_stage`` of its
last event in a week ≤ ``w``; before its first event it is that event's
``from_stage`` (or, without events, its current stage).

Example:
    >>> from simfunnel import generate, Simulation
    >>> sim = Simulation(generate(accounts=20, seed=1), seed=1)
    >>> h = sim.run(weeks=30)
    >>> int(h.snapshots.week.max())
    30
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from simfunnel.model.funnel import LOST, WON, Funnel

DEAL_COLUMNS = (
    "deal_id",
    "account_id",
    "owner",
    "amount",
    "created_week",
    "stage",
    "status",
    "closed_week",
    "expected_close_week",
    "win_rate_override",
    "paid_week",
)
EVENT_COLUMNS = ("deal_id", "week", "from_stage", "to_stage", "outcome", "action")
SNAPSHOT_COLUMNS = (
    "week",
    "deal_id",
    "account_id",
    "amount",
    "stage",
    "status",
    "win_rate_override",
    "expected_close_week",
)
OUTCOMES = ("order", "advance", "continuation", "no_sale")
STATUSES = ("open", "won", "lost")
PERIOD_WEEKS = 13
# Ten years of weeks: the bound of every count of weeks a user gives (a horizon, a period, an event's length),
# checked before anything is allocated.
MAX_WEEKS = 520
DEFAULT_CURRENCY = "CNY"


def _v(x: Any) -> str:
    """repr of a cell as a user wrote it (99, not np.int64(99))."""
    return repr(x.item() if isinstance(x, np.generic) else x)


def _require_columns(df: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table}: missing column {missing[0]!r} (needs {', '.join(columns)})")


def _int_column(df: pd.DataFrame, col: str, table: str, *, nullable: bool) -> pd.Series:
    s = df[col]
    if s.dtype == np.int64 or (nullable and s.dtype == "Int64"):  # whole weeks already (an Int64's NA: missing)
        return s
    try:
        num = pd.to_numeric(s, errors="raise")
    except (ValueError, TypeError):
        bad = pd.to_numeric(s, errors="coerce").isna() & s.notna()
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{table}: row {row}, column {col!r}: {s.iloc[row]!r} is not a week number") from None
    arr = num.to_numpy(dtype=float, na_value=np.nan)
    nan = np.isnan(arr)
    if not nullable and nan.any():
        row = int(np.flatnonzero(nan)[0])
        raise ValueError(f"{table}: row {row}, column {col!r}: missing week")
    frac = ~nan & (arr != np.round(arr))
    if frac.any():
        row = int(np.flatnonzero(frac)[0])
        raise ValueError(f"{table}: row {row}, column {col!r}: {arr[row]!r} is not a whole week")
    if nullable:
        return pd.Series(pd.arrays.IntegerArray(np.where(nan, 0, arr).astype(np.int64), nan), index=df.index)
    return pd.Series(arr.astype(np.int64), index=df.index)


def _check_deals(deals: pd.DataFrame, funnel: Funnel) -> pd.DataFrame:
    _require_columns(deals, DEAL_COLUMNS, "deals")
    # Extra columns (product, title, …) are kept after the required ones.
    extra = [c for c in deals.columns if c not in DEAL_COLUMNS]
    d = deals.loc[:, list(DEAL_COLUMNS) + extra].reset_index(drop=True)  # a new frame: never the caller's
    if d.deal_id.isna().any():
        row = int(np.flatnonzero(d.deal_id.isna().to_numpy())[0])
        raise ValueError(f"deals: row {row}, column 'deal_id': missing deal id")
    if not pd.Index(d.deal_id).is_unique:  # a hash table of the ids (marking no row) first: quicker
        dup = d.deal_id.duplicated()
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValueError(f"deals: row {row}, column 'deal_id': duplicate deal id {_v(d.deal_id.iloc[row])}")
    amount = pd.to_numeric(d.amount, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(amount) | (amount < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"deals: row {row}, column 'amount': {_v(d.amount.iloc[row])} is not a non-negative number "
            f"(deal {_v(d.deal_id.iloc[row])})"
        )
    d["amount"] = amount
    override = pd.to_numeric(d.win_rate_override, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = d.win_rate_override.notna().to_numpy()
    bad = given & (np.isnan(override) | (override < 0) | (override > 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"deals: row {row}, column 'win_rate_override': {_v(d.win_rate_override.iloc[row])} is outside [0, 1]"
        )
    d["win_rate_override"] = override
    codes = funnel.codes(d.stage, what="stage in deals column 'stage'")
    d["stage"] = pd.Categorical.from_codes(codes, categories=list(funnel.all_keys))
    status_codes = np.where(codes == funnel.index(WON), STATUSES.index("won"),
                            np.where(codes == funnel.index(LOST), STATUSES.index("lost"), STATUSES.index("open")))
    status = np.array(STATUSES, dtype=object)[status_codes]
    given_status = d.status.astype(object).to_numpy()
    mismatch = given_status != status
    if mismatch.any():
        row = int(np.flatnonzero(mismatch)[0])
        raise ValueError(
            f"deals: row {row}, column 'status': {given_status[row]!r} contradicts stage "
            f"{_v(d.stage.iloc[row])} (expected {status[row]!r})"
        )
    d["status"] = pd.Categorical.from_codes(status_codes, categories=list(STATUSES))
    d["created_week"] = _int_column(d, "created_week", "deals", nullable=False)
    for col in ("closed_week", "expected_close_week", "paid_week"):
        d[col] = _int_column(d, col, "deals", nullable=True)
    closed = status != "open"
    no_close = closed & d.closed_week.isna().to_numpy()
    if no_close.any():
        row = int(np.flatnonzero(no_close)[0])
        raise ValueError(f"deals: row {row}, column 'closed_week': closed deal {_v(d.deal_id.iloc[row])} has none")
    early = closed & (d.closed_week.fillna(0).to_numpy() < d.created_week.to_numpy())
    if early.any():
        row = int(np.flatnonzero(early)[0])
        raise ValueError(f"deals: row {row}, column 'closed_week': before created_week")
    d["owner"] = d.owner.astype("category") if d.owner.dtype != "category" else d.owner
    return d


def _check_events(events: pd.DataFrame, deals: pd.DataFrame, funnel: Funnel) -> pd.DataFrame:
    _require_columns(events, EVENT_COLUMNS, "events")
    e = events.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True).copy()
    cats = list(funnel.all_keys)
    e["from_stage"] = pd.Categorical.from_codes(
        funnel.codes(e.from_stage, what="stage in events column 'from_stage'"), categories=cats
    )
    e["to_stage"] = pd.Categorical.from_codes(
        funnel.codes(e.to_stage, what="stage in events column 'to_stage'"), categories=cats
    )
    e["week"] = _int_column(e, "week", "events", nullable=False)
    bad = ~e.outcome.isin(OUTCOMES).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"events: row {row}, column 'outcome': {_v(e.outcome.iloc[row])} is not one of {OUTCOMES}")
    e["outcome"] = pd.Categorical(e.outcome, categories=list(OUTCOMES))
    pos = pd.Index(deals.deal_id).get_indexer(e.deal_id)
    if (pos < 0).any():
        row = int(np.flatnonzero(pos < 0)[0])
        raise ValueError(f"events: row {row}, column 'deal_id': unknown deal {_v(e.deal_id.iloc[row])}")
    e["action"] = e.action.astype(object).where(e.action.notna(), None)
    return e


class History:
    """Deals, events and weekly snapshots of one funnel, in one currency.

    Args:
        deals, events: tables with the columns of DESIGN.md (validated; ValueError names row and column).
        snapshots: the weekly table, or ``None`` to build it from deals and events on first use.
        funnel: the :class:`~simfunnel.model.funnel.Funnel` whose stage keys the tables use
            (default: the ``key-account`` preset).
        currency: one currency for every amount (default ``CNY``).
        start_week: first snapshot week of the default period studied (week 13 for a
            simulated 52-week history, so the run rate has weeks to look back on).
        end_week: last snapshot week (default: the last week seen in the tables).
        quota: the period's quota in ``currency``, when known (the world's expected
            quarterly bookings for simulated data).
        accounts, contacts: the world's tables, when the history comes from one.
        meta: free-form facts kept with the dataset (seed, generator parameters).
        check: validate the tables (default); ``False`` only for tables valid by construction.
    """

    def __init__(
        self,
        deals: pd.DataFrame,
        events: pd.DataFrame,
        snapshots: pd.DataFrame | None = None,
        funnel: Funnel | None = None,
        currency: str = DEFAULT_CURRENCY,
        *,
        start_week: int | None = None,
        end_week: int | None = None,
        quota: float | None = None,
        accounts: pd.DataFrame | None = None,
        contacts: pd.DataFrame | None = None,
        meta: dict[str, Any] | None = None,
        check: bool = True,
        snapshot_source: Callable[[int, int, bool], pd.DataFrame] | None = None,
    ) -> None:
        funnel = Funnel.preset() if funnel is None else funnel
        if not isinstance(funnel, Funnel):
            raise ValueError(f"funnel: expected a Funnel, got {type(funnel).__name__}")
        if not isinstance(currency, str) or not currency:
            raise ValueError("currency: give one currency code, e.g. 'CNY'")
        self.funnel = funnel
        self.currency = currency
        # check=False is for producers whose tables are valid by construction (Simulation.history):
        # it skips the row-by-row checks, which cost ~20 ms on 50,000 deals at every simulated week.
        self.deals = _check_deals(deals, funnel) if check else deals
        self.events = _check_events(events, self.deals, funnel) if check else events
        weeks = [self.deals.created_week.max(), self.deals.closed_week.max(), self.events.week.max()]
        if snapshots is not None and "week" in snapshots:
            weeks.append(pd.to_numeric(snapshots["week"], errors="coerce").max())
        seen = max((int(w) for w in weeks if pd.notna(w)), default=0)
        self.end_week = seen if end_week is None else int(end_week)
        if self.end_week < seen:
            raise ValueError(f"end_week {self.end_week} is before week {seen} seen in the tables")
        self.start_week = 0 if start_week is None else int(start_week)
        if not 0 <= self.start_week <= self.end_week:
            raise ValueError(f"start_week {self.start_week} is outside the history's weeks 0…{self.end_week}")
        self.quota = None if quota is None or pd.isna(quota) else float(quota)
        self.accounts = accounts
        self.contacts = contacts
        self.meta = dict(meta or {})
        self._snapshots = None if snapshots is None else _check_snapshots(snapshots, self.deals, funnel)
        # A callable (first_week, last_week, open_only) -> snapshot rows (Simulation.history passes its own).
        self._snapshot_source = snapshot_source

    @property
    def snapshots(self) -> pd.DataFrame:
        """One row per existing deal per week; built from deals and events on first use."""
        if self._snapshots is None:
            if self._snapshot_source is not None:
                self._snapshots = self._snapshot_source(0, self.end_week, False)
            else:
                self._snapshots = build_snapshots(self.deals, self.events, self.funnel, self.end_week)
        return self._snapshots

    def snapshots_between(self, first_week: int, last_week: int, *, open_only: bool = False) -> pd.DataFrame:
        """Snapshot rows of weeks ``first_week … last_week`` (both included); only open deals' with ``open_only``.

        A simulation's history builds just those rows from its weekly states, so a
        widget that looks at one quarter of a long run does not pay for all of it.
        """
        lo, hi = max(0, int(first_week)), min(self.end_week, int(last_week))
        if self._snapshots is None and self._snapshot_source is not None:
            return self._snapshot_source(lo, hi, open_only)
        snap = self.snapshots
        week = snap.week.to_numpy()
        keep = (week >= lo) & (week <= hi)
        if open_only:
            keep &= snap.status.cat.codes.to_numpy() == STATUSES.index("open")
        return snap.iloc[np.flatnonzero(keep)]

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"History({s['deals']} deals: {s['open']} open, {s['won']} won, {s['lost']} lost; "
            f"{s['events']} events; weeks 0-{self.end_week}; funnel {self.funnel.name!r}; {self.currency})"
        )

    # --- conveniences ------------------------------------------------------
    @property
    def weeks(self) -> np.ndarray:
        """Snapshot weeks 0 … end_week."""
        return np.arange(0, self.end_week + 1)

    def win_probability(self, table: pd.DataFrame) -> np.ndarray:
        """``p`` for each row of a deals or snapshots table: the override where set, else the stage's rate."""
        rates = self.funnel.rates
        codes = table.stage.cat.codes.to_numpy() if hasattr(table.stage, "cat") else self.funnel.codes(table.stage)
        p = rates[codes]
        override = table.win_rate_override.to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(override), p, override)

    def initial_stages(self) -> pd.Series:
        """Each deal's stage when it was created (from its first event, else its current stage)."""
        return pd.Series(
            initial_stage_codes(self.deals, self.events, self.funnel), index=self.deals.index
        ).map(dict(enumerate(self.funnel.all_keys)))

    def summary(self) -> dict[str, Any]:
        """Counts and totals for a quick look (deals, open/won/lost, amounts, weeks)."""
        d = self.deals
        return {
            "deals": len(d),
            "open": int((d.status == "open").sum()),
            "won": int((d.status == "won").sum()),
            "lost": int((d.status == "lost").sum()),
            "won_amount": float(d.amount[d.status == "won"].sum()),
            "events": len(self.events),
            "weeks": self.end_week,
            "currency": self.currency,
            "funnel": self.funnel.name,
        }

    # --- files ---------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write ``deals.csv``, ``events.csv``, ``snapshots.csv`` (and accounts/contacts) plus ``dataset.json``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tables = {"deals": self.deals, "events": self.events, "snapshots": self.snapshots}
        if self.accounts is not None:
            tables["accounts"] = self.accounts
        if self.contacts is not None:
            tables["contacts"] = self.contacts
        for name, df in tables.items():
            df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n", float_format="%.10g")
        meta = {
            "funnel": self.funnel.to_dict(),
            "currency": self.currency,
            "start_week": self.start_week,
            "end_week": self.end_week,
            "quota": self.quota,
            **self.meta,
        }
        (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "History":
        """Read a dataset folder written by :meth:`save` (or ``simfunnel generate``)."""
        src = Path(directory)
        meta_file = src / "dataset.json"
        if not meta_file.is_file():
            raise ValueError(f"{src}: not a simfunnel dataset (no dataset.json)")
        try:
            meta = json.loads(meta_file.read_text("utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{meta_file}: not valid JSON ({exc})") from None
        funnel = Funnel.from_dict(meta.pop("funnel"))
        tables: dict[str, pd.DataFrame | None] = {}
        for name in ("deals", "events", "snapshots", "accounts", "contacts"):
            path = src / f"{name}.csv"
            if not path.is_file():
                if name in ("deals", "events"):
                    raise ValueError(f"{path}: missing")
                tables[name] = None
                continue
            try:
                tables[name] = pd.read_csv(path, keep_default_na=True, na_values=[""])
            except Exception as exc:  # noqa: BLE001 - re-raised with the file named
                raise ValueError(f"{path}: cannot be read ({exc})") from None
        try:
            return cls(
                deals=tables["deals"],
                events=tables["events"],
                snapshots=tables["snapshots"],
                funnel=funnel,
                currency=meta.pop("currency", DEFAULT_CURRENCY),
                start_week=meta.pop("start_week", None),
                end_week=meta.pop("end_week", None),
                quota=meta.pop("quota", None),
                accounts=tables["accounts"],
                contacts=tables["contacts"],
                meta=meta,
            )
        except ValueError as exc:
            raise ValueError(_name_file_line(str(exc), src)) from None


def _name_file_line(message: str, folder: Path) -> str:
    """Turn "deals: row 4, column 'amount': …" into "<folder>/deals.csv, line 6, column 'amount': …"."""
    m = re.match(r"(deals|events|snapshots): row (\d+)(.*)", message, flags=re.S)
    if m:
        return f"{folder / (m.group(1) + '.csv')}, line {int(m.group(2)) + 2}{m.group(3)}"
    m = re.match(r"(deals|events|snapshots): (.*)", message, flags=re.S)
    if m:
        return f"{folder / (m.group(1) + '.csv')}: {m.group(2)}"
    return f"{folder}: {message}"


def _check_snapshots(snapshots: pd.DataFrame, deals: pd.DataFrame, funnel: Funnel) -> pd.DataFrame:
    _require_columns(snapshots, SNAPSHOT_COLUMNS, "snapshots")
    s = snapshots.loc[:, list(SNAPSHOT_COLUMNS)].reset_index(drop=True).copy()
    s["week"] = _int_column(s, "week", "snapshots", nullable=False)
    codes = funnel.codes(s.stage, what="stage in snapshots column 'stage'")
    s["stage"] = pd.Categorical.from_codes(codes, categories=list(funnel.all_keys))
    status = np.where(codes == funnel.index(WON), 1, np.where(codes == funnel.index(LOST), 2, 0)).astype(np.int8)
    s["status"] = pd.Categorical.from_codes(status, categories=list(STATUSES))
    amount = pd.to_numeric(s.amount, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(amount) | (amount < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"snapshots: row {row}, column 'amount': {_v(s.amount.iloc[row])} is not a non-negative number")
    s["amount"] = amount
    s["win_rate_override"] = pd.to_numeric(s.win_rate_override, errors="coerce").astype(float)
    s["expected_close_week"] = _int_column(s, "expected_close_week", "snapshots", nullable=True)
    dup = s.duplicated(["week", "deal_id"]).to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise ValueError(f"snapshots: row {row}, column 'deal_id': deal {_v(s.deal_id.iloc[row])} appears twice "
                         f"in week {_v(s.week.iloc[row])}")
    unknown = pd.Index(deals.deal_id).get_indexer(s.deal_id) < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"snapshots: row {row}, column 'deal_id': unknown deal {_v(s.deal_id.iloc[row])}")
    return s


def deal_rows(deals: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Each event's row in ``deals`` (−1: no such deal). Integer ids in a compact range (a simulation's, most
    imports' line numbers) are looked up through an array; others through a hash index.

    >>> deal_rows(pd.DataFrame({"deal_id": [7, 3, 5]}), pd.DataFrame({"deal_id": [5, 7, 9, 3]})).tolist()
    [2, 0, -1, 1]
    """
    ids, wanted = deals.deal_id.to_numpy(), events.deal_id.to_numpy()
    if ids.dtype.kind in "iu" and wanted.dtype.kind in "iu" and len(ids):
        lo, hi = int(ids.min()), int(ids.max())
        if lo >= 0 and hi < 4 * len(ids) + 1024:
            table = np.full(hi + 2, -1, dtype=np.int64)  # the last cell answers every id out of range
            table[ids] = np.arange(len(ids))
            return table[np.clip(wanted, 0, hi + 1)] if len(wanted) else np.empty(0, dtype=np.int64)
    return pd.Index(deals.deal_id).get_indexer(events.deal_id)


def first_events(events: pd.DataFrame, pos: np.ndarray, n_deals: int) -> np.ndarray:
    """Per deal row, the row of its first event (earliest week, then file order), −1 without events.

    >>> e = pd.DataFrame({"week": [3, 1, 1, 2]})
    >>> first_events(e, np.array([0, 0, 2, 2]), 3).tolist()
    [1, -1, 2]
    """
    n = len(events)
    week = events.week.to_numpy()
    back = None
    rank = np.arange(n, dtype=np.int64)
    if n > 1 and not (week[1:] >= week[:-1]).all():  # not in week order: rank by week, file order kept
        back = np.argsort(week, kind="stable")
        rank[back] = np.arange(n, dtype=np.int64)
    first = np.full(n_deals + 1, n, dtype=np.int64)
    np.minimum.at(first, np.where(pos < 0, n_deals, pos), rank)
    first = first[:n_deals]
    found = first < n
    out = np.full(n_deals, -1, dtype=np.int64)
    out[found] = first[found] if back is None else back[first[found]]
    return out


def initial_stage_codes(deals: pd.DataFrame, events: pd.DataFrame, funnel: Funnel,
                        pos: np.ndarray | None = None) -> np.ndarray:
    """Each deal's stage code when created (its first event's from-stage, else its stage). ``pos``: each event's
    deal row, when the caller has it already."""
    init = deals.stage.cat.codes.to_numpy().astype(np.int16)
    if len(events):
        pos = deal_rows(deals, events) if pos is None else pos
        first = first_events(events, pos, len(deals))
        has = first >= 0
        init[has] = events.from_stage.cat.codes.to_numpy()[first[has]]
    return init


def build_snapshots(deals: pd.DataFrame, events: pd.DataFrame, funnel: Funnel, end_week: int) -> pd.DataFrame:
    """One row per existing deal per week 0 … ``end_week``, from deals and events (vectorised).

    A deal exists from ``max(created_week, 0)`` on; closed deals stay with status won or lost.
    """
    n = len(deals)
    created = np.maximum(deals.created_week.to_numpy(dtype=np.int64), 0)
    lengths = np.clip(end_week - created + 1, 0, None)
    total = int(lengths.sum())
    rep = np.repeat(np.arange(n, dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    week = created[rep] + (np.arange(total, dtype=np.int64) - np.repeat(starts, lengths))
    stage = initial_stage_codes(deals, events, funnel)[rep]
    if len(events):
        pos = deal_rows(deals, events).astype(np.int64)
        ew = events.week.to_numpy(dtype=np.int64)
        order = np.lexsort((np.arange(len(events)), ew, pos))
        span = end_week + 2
        ekey = pos[order] * span + np.clip(ew[order], -1, end_week + 1) + 1
        gkey = rep * span + week + 1
        hit = np.searchsorted(ekey, gkey, side="right") - 1
        ok = hit >= 0
        ok[ok] = pos[order][hit[ok]] == rep[ok]
        to = events.to_stage.cat.codes.to_numpy()[order]
        stage = np.where(ok, to[np.where(ok, hit, 0)], stage)
    won, lost = funnel.index(WON), funnel.index(LOST)
    status_codes = np.where(stage == won, 1, np.where(stage == lost, 2, 0)).astype(np.int8)
    out = pd.DataFrame(
        {
            "week": week,
            "deal_id": deals.deal_id.array.take(rep),
            "account_id": deals.account_id.array.take(rep),
            "amount": deals.amount.to_numpy()[rep],
            "stage": pd.Categorical.from_codes(stage, categories=list(funnel.all_keys)),
            "status": pd.Categorical.from_codes(status_codes, categories=list(STATUSES)),
            "win_rate_override": deals.win_rate_override.to_numpy()[rep],
            "expected_close_week": deals.expected_close_week.array.take(rep),
        }
    )
    return out
