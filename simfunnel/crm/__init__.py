"""Import real CRM exports (Salesforce, HubSpot, Pipedrive, Odoo, any CSV/xlsx) into a History.

``crm.load(path, source=...)`` gives an :class:`ImportResult`: every data row imported or rejected
with its reason. The modules, lowest layer first:

- :mod:`simfunnel.crm.cells` — parsing cells: amounts (thousands separators, currency symbols),
  dates (day-/month-first detection, caches), flags, probabilities, names.
- :mod:`simfunnel.crm.readers` — reading files: encodings (UTF-8, BOM, GBK/GB18030), separators,
  .xlsx and sheets; :class:`CRMImportError`, the price table.
- :mod:`simfunnel.crm.sources` — the :class:`Source` dataclass and the per-CRM definitions
  (:data:`SOURCES`: column aliases, default stages, status values), columns and stages matched.
- :mod:`simfunnel.crm.importer` — :func:`load`, :class:`ImportResult`, the rejects report,
  :func:`write_rejects`, :func:`neutralise`, the History built.
- :mod:`simfunnel.crm.maven` — the worked example on the Maven CRM export (:func:`maven_example`).
"""

from simfunnel.crm.importer import REJECT_COLUMNS, CRMImportError, ImportResult, load, neutralise, write_rejects
from simfunnel.crm.maven import MAVEN_FOLDER, MAVEN_FUNNEL, maven_example
from simfunnel.crm.sources import FIELDS, SOURCES, Source
from simfunnel.crm.zh import reason_zh, warning_zh

__all__ = [
    "FIELDS",
    "MAVEN_FOLDER",
    "MAVEN_FUNNEL",
    "REJECT_COLUMNS",
    "SOURCES",
    "CRMImportError",
    "ImportResult",
    "Source",
    "load",
    "maven_example",
    "neutralise",
    "reason_zh",
    "warning_zh",
    "write_rejects",
]
