"""The board's indicator chart as inline SVG: drawn by the browser, not by matplotlib.

A trainee's board redraws its chart whenever the team's week changes, and one server draws the boards of
a whole room. :func:`indicator_chart` (matplotlib, a PNG) cost the server 0.06–0.15 s a drawing — the
largest part of opening a board or of a week closed for five teammates. :func:`indicator_svg` writes the
same chart (forecast, booked, their sum and the quota, week by week) as SVG markup in about a millisecond;
the browser draws it with the page's own fonts, Chinese included. The matplotlib chart stays for
files and notebooks (``DealBoard.save_charts``, ``chart_png``).

    >>> import pandas as pd
    >>> table = pd.DataFrame({"t": [0, 1, 2], "forecast": [200_000.0, 250_000, 240_000],
    ...                       "booked": [0.0, 30_000, 90_000]})
    >>> svg = indicator_svg(table, quota=400_000, lang="en")
    >>> svg.startswith("<svg") and "Forecast + booked" in svg and "Quota ¥400k" in svg
    True
    >>> nice_ticks(0, 523_000)
    [0.0, 100000.0, 200000.0, 300000.0, 400000.0, 500000.0]
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simfunnel import i18n
from simfunnel.plots.style import BOOKED_COLOR, FORECAST_COLOR, QUOTA_COLOR, TEXT_COLOR, TOTAL_COLOR

__all__ = ["indicator_svg", "nice_ticks"]

GRID_COLOR, AXIS_COLOR = "#dddddd", "#555555"  # the light grid and axes of style.plain_axes


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × 10ⁿ apart) covering ``low`` … ``high``, at most ``most`` + 1 of them."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [float(low)] if math.isfinite(low) else []
    raw = (high - low) / max(1, most)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    first = math.ceil(low / step - 1e-9) * step
    count = math.floor((high - first) / step + 1e-9) + 1
    return [float(round(first + i * step, 10)) for i in range(count)]


def _text_width(text: str, size: float = 11.0) -> float:
    """About how wide ``text`` is in pixels at ``size`` px (a Chinese character is square, a digit about half)."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _paths(xs: np.ndarray, ys: np.ndarray, sx, sy) -> list[str]:
    """Polyline point lists for the finite runs of ``ys`` (a missing value breaks the line)."""
    runs, run = [], []
    for x, y in zip(xs, ys):
        if math.isfinite(y):
            run.append(f"{_num(sx(x))},{_num(sy(y))}")
        elif run:
            runs.append(" ".join(run))
            run = []
    if run:
        runs.append(" ".join(run))
    return runs


def indicator_svg(table: pd.DataFrame, quota: float | None = None, lang: str | None = None, *,
                  currency: str | None = None, weeks: Sequence[float] | None = None,
                  width: int = 512, height: int = 232) -> str:
    """Forecast, booked and forecast + booked per week against the quota, as an ``<svg>`` element.

    Args:
        table: the DataFrame of :func:`simfunnel.analysis.metrics.indicators` (``forecast``, ``booked``,
            ``week`` or ``t``).
        quota: the period's quota, a dashed line (default ``table.attrs["quota"]``; none when missing).
        lang: ``"zh"`` or ``"en"`` (default: the current language).
        currency: for the amounts (default ``table.attrs["currency"]`` or CNY).
        weeks: the x axis's first and last week (default: the table's weeks).
        width, height: the drawing's size in CSS pixels (it shrinks with a narrow page).
    """
    lang = i18n.resolve_language(lang)
    missing = [c for c in ("forecast", "booked") if c not in table.columns]
    if missing or not ({"week", "t"} & set(table.columns)):
        raise ValueError(f"indicator_svg: the table needs forecast, booked and week or t; missing "
                         f"{missing or ['week/t']}")
    quota = table.attrs.get("quota") if quota is None else quota
    currency = currency or table.attrs.get("currency") or "CNY"
    x = table["week" if "week" in table.columns else "t"].to_numpy(dtype=float)
    forecast = table["forecast"].to_numpy(dtype=float)
    booked = table["booked"].to_numpy(dtype=float)
    total = forecast + booked
    has_quota = quota is not None and math.isfinite(float(quota))

    # the frame: title on top, amounts on the left (as wide as their longest label), weeks below, the legend right
    right, top, bottom = width - 178.0, 30.0, height - 40.0
    x0, x1 = (float(weeks[0]), float(weeks[1])) if weeks is not None else (
        (float(np.nanmin(x)), float(np.nanmax(x))) if x.size else (0.0, 1.0))
    if x1 <= x0:
        x1 = x0 + 1
    x0, x1 = x0 - 0.4, x1 + 0.4
    values = np.concatenate([forecast, booked, total, [float(quota)] if has_quota else []])
    values = values[np.isfinite(values)]
    y0 = min(0.0, float(values.min())) if values.size else 0.0
    y1 = max(float(values.max()) * 1.08, 1.0) if values.size else 1.0

    ticks = [(v, i18n.format_money(v, currency, lang, compact=True)) for v in nice_ticks(y0, y1, 6)]
    left = 28.0 + max((_text_width(label) for _, label in ticks), default=30.0)

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * (right - left)

    def sy(v: float) -> float:
        return bottom - (v - y0) / (y1 - y0) * (bottom - top)

    title = i18n.label("indicator_title", lang)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="sf-chart-svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
           f'style="max-width:100%;height:auto;font-size:11px" fill="{TEXT_COLOR}">'),
           f"<title>{_esc(title)}</title>",
           f'<text x="4" y="17" font-size="14">{_esc(title)}</text>']
    # amounts: grid lines and labels
    for v, label in ticks:
        y = _num(sy(v))
        out.append(f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{y}" y2="{y}" stroke="{GRID_COLOR}"/>')
        out.append(f'<text x="{_num(left - 5)}" y="{y}" text-anchor="end" dominant-baseline="middle">{_esc(label)}</text>')
    # weeks: integer ticks, at most about eight
    first, last = math.ceil(x0), math.floor(x1)
    step = max(1, math.ceil((last - first + 1) / 8))
    if step > 1:
        step = next(s for s in (2, 4, 5, 10, 13, 20, 26, 52, 10**9) if s >= step)
    for wk in range(first, last + 1):
        if wk % step == 0:
            out.append(f'<text x="{_num(sx(wk))}" y="{_num(bottom + 15)}" text-anchor="middle">{wk}</text>')
            out.append(f'<line x1="{_num(sx(wk))}" x2="{_num(sx(wk))}" y1="{_num(bottom)}" y2="{_num(bottom + 4)}" '
                       f'stroke="{AXIS_COLOR}"/>')
    out.append(f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{_num(bottom)}" y2="{_num(bottom)}" '
               f'stroke="{AXIS_COLOR}"/>')
    out.append(f'<line x1="{_num(left)}" x2="{_num(left)}" y1="{_num(top)}" y2="{_num(bottom)}" stroke="{AXIS_COLOR}"/>')
    out.append(f'<text x="{_num((left + right) / 2)}" y="{height - 6}" text-anchor="middle">'
               f"{_esc(i18n.label('week', lang))}</text>")
    out.append(f'<text x="12" y="{_num((top + bottom) / 2)}" text-anchor="middle" '
               f'transform="rotate(-90 12 {_num((top + bottom) / 2)})">{_esc(i18n.label("amount", lang))}</text>')
    # the data
    if has_quota:
        y = _num(sy(float(quota)))
        out.append(f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{y}" y2="{y}" stroke="{QUOTA_COLOR}" '
                   f'stroke-width="1.4" stroke-dasharray="5 3"/>')
    for ys, color, lw in ((total, TOTAL_COLOR, 2.8), (forecast, FORECAST_COLOR, 1.8), (booked, BOOKED_COLOR, 1.8)):
        for points in _paths(x, ys, sx, sy):
            out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="{lw}" '
                       f'stroke-linejoin="round"/>')
    for xv, yv in zip(x, forecast):
        if math.isfinite(yv):
            out.append(f'<circle cx="{_num(sx(xv))}" cy="{_num(sy(yv))}" r="2.4" fill="{FORECAST_COLOR}"/>')
    for xv, yv in zip(x, booked):
        if math.isfinite(yv):
            out.append(f'<rect x="{_num(sx(xv) - 2.3)}" y="{_num(sy(yv) - 2.3)}" width="4.6" height="4.6" '
                       f'fill="{BOOKED_COLOR}"/>')
    # the legend
    entries = [(i18n.label("forecast", lang), FORECAST_COLOR, 1.8, ""),
               (i18n.label("booked", lang), BOOKED_COLOR, 1.8, ""),
               (i18n.label("forecast_plus_booked", lang), TOTAL_COLOR, 2.8, "")]
    if has_quota:
        entries.append((f"{i18n.label('quota', lang)} {i18n.format_money(float(quota), currency, lang, compact=True)}",
                        QUOTA_COLOR, 1.4, ' stroke-dasharray="5 3"'))
    lx = right + 14
    for i, (label, color, lw, dash) in enumerate(entries):
        y = top + 8 + 18 * i
        out.append(f'<line x1="{_num(lx)}" x2="{_num(lx + 22)}" y1="{y}" y2="{y}" stroke="{color}" '
                   f'stroke-width="{lw}"{dash}/>')
        out.append(f'<text x="{_num(lx + 28)}" y="{y}" dominant-baseline="middle">{_esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)
