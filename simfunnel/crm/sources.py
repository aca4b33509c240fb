"""The CRMs an export may come from, as data: one :class:`Source` each in :data:`SOURCES`.

A source is its column aliases, default stage names, status values and closed/won rules — no code
paths. Also how an export is matched to them: :func:`resolve_columns` (header -> kit field),
:func:`stage_lookup` (stage name -> funnel stage) and :func:`export_funnel` (a funnel built from the
export's own stages when no preset fits).
"""

from __future__ import annotations

import re
import unicodedata
import warnings as _warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simfunnel.crm.cells import match_key
from simfunnel.crm.readers import CRMImportError, Table
from simfunnel.model.funnel import LOST, WON, Funnel

__all__ = [
    "CLOSED_STAGE_NAMES", "FIELDS", "FLAG_FIELDS", "HISTORY_COLUMNS", "SOURCES", "STATUS_VALUES", "Source",
    "history_mapping",
    "export_funnel", "generic_aliases", "resolve_columns", "resolve_funnel", "resolve_source", "split_mapping",
    "stage_lookup",
]


# --- the sources --------------------------------------------------------------------------------

#: Kit fields an export may carry. ``closed`` is the actual close date of a closed deal and, in
#: exports without ``expected_close`` (Salesforce, HubSpot), the expected one of an open deal.
FIELDS = (
    "id", "name", "stage", "amount", "probability", "created", "closed", "expected_close", "won_time",
    "lost_time", "account", "owner", "currency", "status", "is_closed", "is_won", "forecast_category",
    "pipeline", "active", "lost_reason", "product", "days",
)
#: Fields read only when the mapping names their column (never guessed from a header): ``days`` is the days
#: in pipeline (created to close), which stands in for the one missing date of created and closed.
MAPPED_ONLY = frozenset({"days"})
CLOSE_FIELDS = ("closed", "won_time", "lost_time")
_FIELD_ALIASES = {"deal_id": "id", "account_id": "account", "title": "name", "stage_name": "stage",
                  "created_date": "created", "close_date": "closed", "closed_date": "closed",
                  "expected_close_date": "expected_close", "days_in_pipeline": "days"}
#: Fields read as flags: Odoo's ``False`` there is a value, not a blank.
FLAG_FIELDS = frozenset({"active", "is_won", "is_closed", "status"})

#: Stage names every source understands as closed.
CLOSED_STAGE_NAMES = {
    **{match_key(n): WON for n in ("won", "closed won", "closedwon", "赢单", "成交", "已成交", "赢得", "已赢单")},
    **{match_key(n): LOST for n in ("lost", "closed lost", "closedlost", "丢单", "输单", "已丢单", "失败", "已输单")},
}


@dataclass(frozen=True)
class Source:
    """How one CRM writes its export.

    Args:
        name: the ``source=`` name.
        columns: kit field -> the headers it may have (matched ignoring case and spacing).
        required: kit fields that must be present.
        stages: stage name (any case/spacing) -> funnel key, ``"won"`` or ``"lost"``.
        preset: the funnel preset its default stages belong to (used when ``funnel=None``).
        monthfirst: ambiguous dates like 3/5/2024 are read month-first (US reports).
        status_values: values of the ``status`` column -> ``open``/``won``/``lost``.
        flags_decide: a closed status/active flag closes a deal whose stage is still an open one
            (Pipedrive and Odoo keep the stage a deal was in when it was won or lost).
        id_fallback: without an id column, deals are named after their file line.
        stage_order: the vendor's default open stages in pipeline order (orders a funnel built from
            the export's own stages when all its stages are among them).
        false_is_blank: ``False`` in a non-flag column means empty (Odoo's API writes it for unset fields).
    """

    name: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ("stage", "created")
    stages: Mapping[str, str] = field(default_factory=dict)
    preset: str | None = None
    monthfirst: bool = False
    status_values: Mapping[str, str] = field(default_factory=dict)
    flags_decide: bool = False
    id_fallback: bool = True
    stage_order: tuple[str, ...] = ()
    false_is_blank: bool = False


#: Values of a ``status`` column -> ``open``/``won``/``lost`` (sources without their own ``status_values``).
STATUS_VALUES = {
    **{match_key(v): "open" for v in ("open", "进行中", "跟进中", "打开", "active")},
    **{match_key(v): "won" for v in ("won", "赢单", "成交", "赢得", "closed won")},
    **{match_key(v): "lost" for v in ("lost", "丢单", "输单", "失败", "closed lost")},
}

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            name="salesforce",
            columns={
                "id": ("Id", "Opportunity ID", "OpportunityId", "Opportunity ID (18)"),
                "name": ("Name", "Opportunity Name"),
                "account": ("AccountId", "Account Name", "Account ID", "Account"),
                "owner": ("OwnerId", "Opportunity Owner", "Owner", "Owner Name"),
                "stage": ("StageName", "Stage"),
                "amount": ("Amount", "Amount (converted)"),
                "probability": ("Probability", "Probability (%)"),
                "created": ("CreatedDate", "Created Date", "Create Date"),
                "closed": ("CloseDate", "Close Date"),
                "is_closed": ("IsClosed", "Closed"),
                "is_won": ("IsWon", "Won"),
                "forecast_category": ("ForecastCategoryName", "Forecast Category", "ForecastCategory"),
                "currency": ("CurrencyIsoCode", "Opportunity Currency", "Amount Currency", "Currency"),
            },
            stages={
                "Prospecting": "prospecting", "Qualification": "qualification", "Needs Analysis": "needs_analysis",
                "Value Proposition": "value_proposition", "Id. Decision Makers": "id_decision_makers",
                "Perception Analysis": "perception_analysis", "Proposal/Price Quote": "proposal_price_quote",
                "Negotiation/Review": "negotiation_review", "Closed Won": WON, "Closed Lost": LOST,
            },
            preset="salesforce",
            monthfirst=True,
        ),
        Source(
            name="hubspot",
            columns={
                "id": ("Record ID", "hs_object_id", "Deal ID", "dealId"),
                "name": ("Deal Name", "dealname"),
                "stage": ("Deal Stage", "dealstage"),
                "amount": ("Amount", "amount"),
                "created": ("Create Date", "createdate", "Created Date"),
                "closed": ("Close Date", "closedate"),
                "pipeline": ("Pipeline", "pipeline"),
                "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id", "Owner"),
                "currency": ("Currency", "Deal currency code", "deal_currency_code"),
                "probability": ("Deal probability", "hs_deal_stage_probability", "Deal Stage Probability"),
                "account": ("Associated Company", "Company name", "Associated Company IDs"),
                "forecast_category": ("Forecast category", "hs_manual_forecast_category"),
            },
            stages={
                **{k: k for k in ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                                  "decisionmakerboughtin", "contractsent")},
                "Appointment scheduled": "appointmentscheduled", "Qualified to buy": "qualifiedtobuy",
                "Presentation scheduled": "presentationscheduled",
                "Decision maker bought-in": "decisionmakerboughtin", "Decision maker bought in":
                "decisionmakerboughtin", "Contract sent": "contractsent",
                "closedwon": WON, "closedlost": LOST, "Closed won": WON, "Closed lost": LOST,
            },
            preset="hubspot",
            monthfirst=True,
        ),
        Source(
            name="pipedrive",
            columns={
                "id": ("Deal - ID", "ID", "Deal ID"),
                "name": ("Deal - Title", "Title"),
                "amount": ("Deal - Value", "Value"),
                "currency": ("Deal - Currency", "Currency", "Deal - Currency of Value"),
                "stage": ("Deal - Stage", "Stage"),
                "status": ("Deal - Status", "Status"),
                "created": ("Deal - Deal created", "Deal created", "Deal - Add time", "Add time"),
                "won_time": ("Deal - Won time", "Won time"),
                "lost_time": ("Deal - Lost time", "Lost time"),
                "closed": ("Deal - Deal closed on", "Deal closed on", "Deal - Close time", "Close time"),
                "expected_close": ("Deal - Expected close date", "Expected close date"),
                "account": ("Deal - Organization", "Organization", "Deal - Organization name"),
                "owner": ("Deal - Owner", "Owner", "Deal - Owner name"),
                "pipeline": ("Deal - Pipeline", "Pipeline"),
                "probability": ("Deal - Probability", "Probability"),
                "lost_reason": ("Deal - Lost reason", "Lost reason"),
            },
            status_values=STATUS_VALUES,
            flags_decide=True,
            stage_order=("Lead In", "Qualified", "Contact Made", "Demo Scheduled", "Needs Defined", "Proposal Made",
                         "Negotiations Started"),
        ),
        Source(
            name="odoo",
            columns={
                "id": ("ID", "id", "External ID"),
                "name": ("Opportunity", "name", "Name"),
                "stage": ("Stage", "stage_id", "stage_id/id", "Stage/Stage Name"),
                "amount": ("Expected Revenue", "expected_revenue", "Planned Revenue", "planned_revenue"),
                "probability": ("Probability", "probability"),
                "created": ("Created on", "create_date", "Creation Date"),
                "expected_close": ("Expected Closing", "date_deadline"),
                "closed": ("Closed Date", "date_closed"),
                "active": ("Active", "active"),
                "account": ("Customer", "partner_id", "partner_id/id", "Customer/Display Name"),
                "owner": ("Salesperson", "user_id", "user_id/id"),
                "currency": ("Currency", "company_currency", "company_currency/id"),
                "lost_reason": ("Lost Reason", "lost_reason_id", "lost_reason_id/id"),
            },
            stages={"Won": WON, "已赢得": WON, "赢得": WON, "stage_lead4": WON, "crm.stage_lead4": WON},
            flags_decide=True,
            stage_order=("New", "crm.stage_lead1", "Qualified", "crm.stage_lead2", "Proposition", "crm.stage_lead3"),
            false_is_blank=True,
        ),
        Source(
            name="generic",
            columns={f: () for f in FIELDS},
            required=("id", "stage", "created"),
            status_values=STATUS_VALUES,
            flags_decide=True,
            id_fallback=False,
        ),
    )
}


#: Columns of a Salesforce Opportunity History export (``history=``): kit field -> the headers it may have.
HISTORY_COLUMNS = {
    "id": ("Opportunity ID", "OpportunityId", "Opportunity ID (18)", "Opportunity: Opportunity ID"),
    "stage": ("To Stage", "StageName", "Stage", "Stage Name"),
    "from": ("From Stage",),
    "date": ("Last Modified", "Edit Date", "CreatedDate", "Last Modified Date", "Created Date", "Date",
             "Stage Change Date"),
}


# --- columns and stages ----------------------------------------------------------------------------------


def resolve_source(source: str | Source) -> Source:
    """The :class:`Source` a ``source=`` argument names (or the Source given)."""
    if isinstance(source, Source):
        return source
    if source not in SOURCES:
        raise CRMImportError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    return SOURCES[source]


def split_mapping(mapping: Mapping[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """(kit field -> column, stage name -> target) from a user mapping."""
    if mapping is None:
        return {}, {}
    if not isinstance(mapping, Mapping):
        raise CRMImportError(f"mapping: expected a dict of field -> column, got {type(mapping).__name__}")
    fields: dict[str, str] = {}
    stages: dict[str, str] = {}
    for key, value in mapping.items():
        if key == "history":  # the stage history's own columns: history_mapping()
            continue
        if key == "stages":
            if not isinstance(value, Mapping):
                raise CRMImportError("mapping 'stages': expected a dict of stage name -> funnel stage")
            stages = {str(k): str(v) for k, v in value.items()}
            continue
        if not isinstance(value, str) or not value.strip():
            raise CRMImportError(f"mapping {key!r}: expected a column name, got {value!r}")
        fields[_FIELD_ALIASES.get(key, key)] = value
    return fields, stages


def history_mapping(mapping: Mapping[str, Any] | None) -> dict[str, str]:
    """The stage history's field -> column from a user mapping's ``"history"`` object (``id``, ``stage``, ``from``,
    ``date``), e.g. ``{"history": {"id": "OppID", "stage": "StageName", "date": "CreatedDate"}}``."""
    if not mapping or "history" not in mapping:
        return {}
    value = mapping["history"]
    if not isinstance(value, Mapping):
        raise CRMImportError("mapping 'history': expected a dict of history field -> column "
                             f"({', '.join(HISTORY_COLUMNS)}), got {type(value).__name__}")
    out = {}
    for key, column in value.items():
        if key not in HISTORY_COLUMNS:
            raise CRMImportError(f"mapping 'history': unknown field {key!r}; history fields are "
                                 f"{', '.join(HISTORY_COLUMNS)}")
        if not isinstance(column, str) or not column.strip():
            raise CRMImportError(f"mapping 'history' {key!r}: expected a column name, got {column!r}")
        out[str(key)] = column
    return out


def generic_aliases(field_name: str) -> tuple[str, ...]:
    """The headers a generic export may give a kit field: its own name and its aliases."""
    return (field_name, *[a for a, f in _FIELD_ALIASES.items() if f == field_name])


def resolve_columns(table: Table, spec: Source, fields: dict[str, str], *, need_amount: bool,
                    name: str) -> dict[str, int]:
    """Kit field -> column index (:func:`_resolve_columns`); a workbook of several sheets read at its first says
    how to pick another, and a file with a header and no data rows is refused."""
    try:
        cols = _resolve_columns(table, spec, fields, need_amount=need_amount, name=name)
    except CRMImportError as err:
        if table.sheets:
            raise CRMImportError(f"{err} (read the first sheet {table.sheets[0]!r} of "
                                 f"{', '.join(map(repr, table.sheets))}: pick one with --sheet)") from None
        raise
    if not table.rows:
        raise CRMImportError(f"{name}: a header row and no data rows: nothing to import")
    return cols


def _resolve_columns(table: Table, spec: Source, fields: dict[str, str], *, need_amount: bool,
                    name: str) -> dict[str, int]:
    """Kit field -> column index: the user's mapping first, then the source's aliases; required fields checked."""
    found = {}
    for i, h in enumerate(table.header):
        found.setdefault(match_key(h), i)
    cols: dict[str, int] = {}
    shown = ", ".join(repr(h) for h in table.header if h) or "none"
    for f, column in fields.items():
        if match_key(column) not in found:
            raise CRMImportError(f"{name}: no column {column!r} (mapping {f!r}); columns found: {shown}")
        cols[f] = found[match_key(column)]
    for f in FIELDS:
        if f in cols or f in MAPPED_ONLY:
            continue
        aliases = spec.columns.get(f, ())
        if spec.name == "generic":
            aliases = generic_aliases(f)
        for a in aliases:
            if match_key(a) in found and found[match_key(a)] not in cols.values():
                cols[f] = found[match_key(a)]
                break
    required = list(spec.required) + (["amount"] if need_amount else [])
    if spec.name != "generic" and not spec.id_fallback:
        required.append("id")
    if "created" in required and "created" not in cols and (
            spec.name == "generic" or ("days" in cols and any(f in cols for f in CLOSE_FIELDS))):
        required.remove("created")  # an outcome-only file (win/loss, no dates): imported undated; or the days in
        # pipeline date it back from its close
    for f in required:
        if f not in cols:
            looked = spec.columns.get(f, ()) if spec.name != "generic" else ()
            what = {"created": "created (creation date)", "closed": "closed (close date)"}.get(f, f)
            hint = (f" (looked for {', '.join(repr(a) for a in looked)})" if looked
                    else f" (give mapping={{'{f}': '<column>'}})")
            raise CRMImportError(f"{name}: no {what} column{hint}; columns found: {shown}")
    return cols


def resolve_funnel(funnel: Funnel | str | None) -> Funnel | None:
    """The ``funnel=`` argument as a :class:`Funnel` (a preset name or a dict read), or None."""
    if funnel is None or isinstance(funnel, Funnel):
        return funnel
    try:
        if isinstance(funnel, str):
            return Funnel.preset(funnel)
        if isinstance(funnel, Mapping):
            return Funnel.from_dict(dict(funnel))
    except ValueError as exc:
        raise CRMImportError(f"funnel: {exc}") from None
    raise CRMImportError(f"funnel: expected a Funnel or a preset name, got {type(funnel).__name__}")


def stage_lookup(funnel: Funnel, spec: Source, user: dict[str, str]) -> dict[str, str]:
    """Stage name (normalised) -> funnel key / won / lost."""
    lk: dict[str, str] = {}
    for st in funnel.all_stages:
        for n in (st.key, st.en, st.zh):
            lk.setdefault(match_key(n), st.key)
    lk.update(CLOSED_STAGE_NAMES)
    for n, t in spec.stages.items():
        if t in funnel:
            lk[match_key(n)] = t
    for n, t in user.items():
        target = t if t in funnel else lk.get(match_key(t))
        if target is None:
            raise CRMImportError(
                f"mapping 'stages': {n!r} -> {t!r}, but {t!r} is not a stage of funnel {funnel.name!r} "
                f"({', '.join(funnel.all_keys)})")
        lk[match_key(n)] = target
    return lk


def _slug(name: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "stage"
    if base in (WON, LOST):
        base += "_stage"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def export_funnel(groups: list[tuple[str, str]], probs: dict[str, list[float]], user_keys: list[str],
                  source: str, known_order: tuple[str, ...] = ()) -> tuple[Funnel, dict[str, str], str]:
    """A funnel of the export's own open stages.

    ``groups``: (group id, label) in order: the stages of ``mapping['stages']`` first (group id = the
    user's key), then the export's other stage names in order of first appearance (group id = the
    normalised name). Order: the mapping's when it names every stage, else the vendor's default
    pipeline when every stage is in it, else by mean probability when every stage has one, else
    first appearance.
    """
    order = list(groups)
    known = {match_key(n): i for i, n in enumerate(known_order)}
    everyone_has_p = bool(order) and all(probs.get(g) for g, _ in order)
    by_user = bool(order) and all(g in user_keys for g, _ in order)
    by_vendor = not by_user and bool(order) and all(match_key(label) in known for _, label in order)
    by_p = not by_user and not by_vendor and everyone_has_p
    if by_vendor:
        order.sort(key=lambda g: known[match_key(g[1])])
    elif by_p:
        mean = {g: float(np.mean(probs[g])) for g, _ in order}
        order.sort(key=lambda g: mean[g[0]])  # stable: ties keep first appearance
    taken: set[str] = set(user_keys)
    stages, lookup = [], {}
    for gid, label in order:
        key = gid if gid in user_keys else _slug(label, taken)
        p = probs.get(gid)
        rate = min(1.0, max(0.0, float(np.mean(p)))) if p else 0.5
        stages.append({"key": key, "zh": label, "en": label, "win_rate": rate})
        lookup[match_key(label)] = key
        lookup[match_key(key)] = key
    if not stages:
        stages = [{"key": "open", "zh": "进行中", "en": "Open", "win_rate": 0.5}]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        funnel = Funnel.from_dict({"name": f"{source}-export", "stages": stages,
                                   "label": {"zh": "导出文件的阶段", "en": "stages of the export"}})
    chain = " → ".join(st["en"] for st in stages)
    how = {True: "in the order of mapping['stages']", False: ""}[by_user] or \
        (f"in {source}'s default pipeline order" if by_vendor else
         "ordered by their mean probability" if by_p else "in order of first appearance")
    rates = ("win rates are the export's mean probabilities of open deals, not measured" if everyone_has_p else
             "win rates are the export's mean probabilities where it has them, else 0.5 placeholders: measure them "
             "from the data" if probs else "win rates are 0.5 placeholders: measure them from the data")
    text = f"funnel built from the export's own open stages ({chain}), {how}; {rates}"
    return funnel, lookup, text
