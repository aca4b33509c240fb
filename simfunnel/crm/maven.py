"""The worked example: the real Maven Analytics CRM export shipped in ``datasets/maven-crm``.

:func:`maven_example` imports it with :func:`simfunnel.crm.importer.load` (funnel :data:`MAVEN_FUNNEL`,
amounts the export lacks from its price list ``products.csv``) and rebuilds what the export does tell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simfunnel.crm.importer import ImportResult, load
from simfunnel.crm.readers import CRMImportError
from simfunnel.model.funnel import Funnel
from simfunnel.model.history import PERIOD_WEEKS, History

__all__ = ["MAVEN_FOLDER", "MAVEN_FUNNEL", "maven_example"]


# --- the worked example on a real export ----------------------------------------------------------
def _kit_folder(relative: str) -> Path:
    """``relative`` in the checkout holding this package (the nearest parent folder that has it)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / relative).is_dir():
            return parent / relative
    return here.parents[2] / relative  # where a checkout keeps it; the error reading it names this path


MAVEN_FOLDER = _kit_folder("datasets/maven-crm")  # in a checkout of the kit

MAVEN_FUNNEL = {
    "name": "maven-crm",
    "label": {"zh": "Maven CRM 自身的阶段", "en": "Maven CRM's own stages"},
    "note": "Built from the export's own open stages; win rates are placeholders until measured.",
    "stages": [
        {"key": "prospecting", "zh": "初步接触", "en": "Prospecting", "win_rate": 0.5,
         "forecast_category": "pipeline", "key_step": "customer_analysis"},
        {"key": "engaging", "zh": "跟进中", "en": "Engaging", "win_rate": 0.5,
         "forecast_category": "best_case", "key_step": "present_value"},
    ],
}


def maven_example(folder: str | Path | None = None, *, measured_rates: bool = True) -> ImportResult:
    """The worked example: the real Maven Analytics CRM export (8,800 opportunities, current stage only).

    What it does, openly (each point is also in ``result.warnings``):

    - **Funnel from its own stages**: Prospecting → Engaging, then Won / Lost.
    - **Amounts**: won deals keep ``close_value`` (what was really booked). Open deals
      have none, and lost deals carry 0 (lost revenue is not revenue, but a deal worth
      0 would sit below every threshold): both get their product's list price from
      ``products.csv`` (``amount_source = "price_list"``), with the product name
      ``GTXPro`` mapped to the price list's ``GTX Pro``. So open and lost amounts are
      list prices, not negotiated amounts.
    - **Dates**: ``engage_date`` (the day Engaging began) is the creation week of every
      dated deal. The 500 Prospecting deals carry no date at all: they are taken as
      created in the export's last week (they are in the pipeline now, with no past).
    - **Stage history**: the export keeps the current stage only. What the data does tell
      is rebuilt: a closed deal was at Engaging from its engage date until its close date,
      so it gets one closing event Engaging → Won/Lost. Whether a lost deal was ever
      lost at Prospecting cannot be seen: deals lost before engaging are not in the export.
    - **Accounts**: 1,425 open deals have no account; they are kept with an empty account.
    - **Win rates**: measured from the history (``measured_rates=True``): Engaging's is
      won / (won + lost); Prospecting's can only be Engaging's times the share of
      Prospecting deals that reach Engaging, which the export does not show — it is set
      equal to Engaging's and the warning says so.

    Args:
        folder: the folder with ``sales_pipeline.csv`` and ``products.csv`` (default: the
            kit's ``datasets/maven-crm``).
        measured_rates: put the measured win rates into the funnel (else 0.5 placeholders).
    """
    src = Path(folder) if folder is not None else MAVEN_FOLDER
    pipeline_file = src / "sales_pipeline.csv"
    if not pipeline_file.is_file():
        raise CRMImportError(f"{pipeline_file}: not found; give the folder of the Maven CRM export")
    raw = pd.read_csv(pipeline_file, dtype=str, keep_default_na=False)
    last_day = max(d for d in list(raw["engage_date"]) + list(raw["close_date"]) if d)
    undated = int((raw["engage_date"] == "").sum())
    n_lost_zero = int(((raw["deal_stage"] == "Lost") & (raw["close_value"].isin(["0", "0.0"]))).sum())
    funnel = Funnel.from_dict(MAVEN_FUNNEL)
    result = load(
        pipeline_file,
        source="generic",
        funnel=funnel,
        mapping={"id": "opportunity_id", "stage": "deal_stage", "amount": "close_value", "created": "engage_date",
                 "closed": "close_date", "account": "account", "owner": "sales_agent", "product": "product",
                 "stages": {"Prospecting": "prospecting", "Engaging": "engaging", "Won": "won", "Lost": "lost"}},
        currency="USD",
        prices=src / "products.csv",
        # Lost deals record 0: their list price stands in (fill_zero), flagged in amount_source.
        price_mapping={"key": "product", "price_key": "product", "price": "sales_price",
                       "aliases": {"GTXPro": "GTX Pro"}, "fill_zero": True},
        as_of=last_day,
    )
    h = result.history
    d = h.deals
    closed = d["status"].astype(str) != "open"
    events = pd.DataFrame({
        "deal_id": d.loc[closed, "deal_id"].to_numpy(),
        "week": d.loc[closed, "closed_week"].to_numpy(dtype=np.int64),
        "from_stage": "engaging",
        "to_stage": d.loc[closed, "stage"].astype(str).to_numpy(),
        "outcome": np.where(d.loc[closed, "status"].astype(str) == "won", "order", "no_sale"),
        "action": None,
    })
    won = (d["status"].astype(str) == "won").sum()
    n_lost = (d["status"].astype(str) == "lost").sum()
    rate = float(won / (won + n_lost)) if won + n_lost else 0.5
    if measured_rates:
        funnel = funnel.with_win_rates({"prospecting": rate, "engaging": rate})
    # No quota in the export: the mean quarterly bookings over the history stand in (said below).
    booked = float(d.loc[d["status"].astype(str) == "won", "amount"].sum())
    quota = round(booked / max(1.0, (h.end_week + 1) / PERIOD_WEEKS), -3)
    history = History(d.assign(stage=d["stage"].astype(str)), events, None, funnel, h.currency,
                      start_week=h.start_week, end_week=h.end_week, quota=quota, meta=dict(h.meta))
    notes = [
        f"Maven example: {undated} Prospecting deals have no date; taken as created in the export's "
        f"last week ({last_day}): they are in the pipeline now and have no past",
        f"Maven example: {n_lost_zero} lost deals record close_value 0; their product's list price stands in "
        "(amount_source = price_list), so lost amounts are list prices",
        f"Maven example: {int(closed.sum())} closing events rebuilt Engaging → Won/Lost at the close date (every closed "
        "deal has an engage date); deals lost before engaging are not in the export",
        f"Maven example: {int(d['account_id'].isna().sum())} deals have no account (all open); kept without one",
        f"Maven example: win rate measured at Engaging = won / closed = {rate:.1%}; Prospecting's cannot be measured "
        "(no Prospecting deal has closed yet) and is set equal to it" if measured_rates else
        "Maven example: win rates left at 0.5 placeholders",
    ]
    notes.append(f"Maven example: no quota in the export; the mean quarterly bookings stand in: {quota:,.0f} USD")
    kept = [w for w in result.warnings if not w.startswith("no stage history")]  # rebuilt above
    return ImportResult(history=history, rejects=result.rejects, warnings=kept + notes,
                        summary=dict(result.summary), source="generic", path=str(pipeline_file))
