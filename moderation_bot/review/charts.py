"""Small SVG charts rendered on the server: no JavaScript, no plotting library.

Each chart is an ``<svg role="img">`` with a title and a one-sentence description for screen
readers; pages show the same numbers in a table beside it. Series differ by dash pattern and
marker as well as colour, so they stay apart for colour-blind readers and in black-and-white print.
Every text placed in the SVG is escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from moderation_bot.core.types import LABELS


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    colour: str
    dash: str
    marker: str  # "circle", "square", "diamond", "triangle"


STYLES: Mapping[str, SeriesStyle] = {
    "sextortion": SeriesStyle("#b3261e", "", "circle"),
    "image_request": SeriesStyle("#7a3ea1", "6 3", "square"),
    "grooming": SeriesStyle("#0b5cad", "2 3", "diamond"),
    "victim_disclosure": SeriesStyle("#2b7a3d", "9 3 2 3", "triangle"),
    "member_report": SeriesStyle("#8a5a00", "4 2", "square"),
}
_FALLBACK = SeriesStyle("#52606d", "4 4", "circle")


def style(label: str) -> SeriesStyle:
    return STYLES.get(label, _FALLBACK)


def _marker(kind: str, x: float, y: float, colour: str, size: float = 3.5) -> str:
    if kind == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}"'
                f' height="{2 * size:.1f}" fill="{colour}"/>')
    if kind == "diamond":
        s = size * 1.3
        return (f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f}'
                f' {x - s:.1f},{y:.1f}" fill="{colour}"/>')
    if kind == "triangle":
        s = size * 1.3
        return (f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y + s:.1f}'
                f' {x - s:.1f},{y + s:.1f}" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


def _frame(ident: str, width: int, height: int, title: str, desc: str,
           body: list[str]) -> Markup:
    n = escape(ident)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="chart-t{n} chart-d{n}" preserveAspectRatio="xMinYMin meet"'
        ' xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _legend(labels: Sequence[str], x0: float, y: float, width: float,
            *, swatches: bool = False) -> list[str]:
    parts, x = [], x0
    for label in labels:
        st = style(label)
        text = label.replace("_", " ")
        step = 34 + 7.2 * len(text)
        if x + step > width:
            x, y = x0, y + 18
        if swatches:
            parts.append(f'<rect x="{x + 5:.1f}" y="{y - 6:.1f}" width="12" height="12"'
                         f' fill="{st.colour}"/>')
        else:
            dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
            parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}"'
                         f' stroke="{st.colour}" stroke-width="2.5"{dash}/>')
            parts.append(_marker(st.marker, x + 11, y, st.colour))
        parts.append(f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" class="chart-text">'
                     f"{escape(text)}</text>")
        x += step
    return parts


def score_timeline(points: Sequence[Mapping[str, float]], flagged: Sequence[bool],
                   *, ident: str, title: str, threshold: float | None = None) -> Markup:
    """Scores per label over a sender's messages, oldest left; flagged messages get a tick."""
    width, height = 640, 250
    left, right, top, bottom = 40, 12, 12, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    body: list[str] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"'
                    ' class="chart-grid"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end"'
                    f' class="chart-text">{tick:.2f}</text>')
    if threshold is not None:
        y = top + plot_h * (1 - threshold)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"'
                    ' class="chart-threshold"/>')

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    for i, is_flagged in enumerate(flagged):
        if is_flagged:
            x = x_of(i)
            body.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}"'
                        f' y2="{top + plot_h + 6}" class="chart-flag"/>')
    for label in LABELS:
        st = style(label)
        coords = [(x_of(i), top + plot_h * (1 - min(1.0, max(0.0, p.get(label, 0.0)))))
                  for i, p in enumerate(points)]
        if not coords:
            continue
        dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{st.colour}"'
                        f' stroke-width="2"{dash}/>')
        if len(coords) <= 40:
            body.extend(_marker(st.marker, x, y, st.colour, 3) for x, y in coords)
    body.append(f'<text x="{left}" y="{top + plot_h + 20}" class="chart-text">oldest</text>')
    body.append(f'<text x="{width - right}" y="{top + plot_h + 20}" text-anchor="end"'
                ' class="chart-text">latest</text>')
    body += _legend(LABELS, left, height - 18, width - right)
    desc = (f"{n} messages from this sender, oldest on the left. Scores run from 0 to 1; "
            "ticks under the axis mark flagged messages. The table below gives the numbers.")
    return _frame(ident, width, height, title, desc, body)


def stacked_bars(categories: Sequence[str], series: Mapping[str, Sequence[int]],
                 *, ident: str, title: str, desc: str) -> Markup:
    """One bar per category (e.g. a day), stacked by series (e.g. label)."""
    width, height = 640, 250
    left, right, top, bottom = 34, 8, 12, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[s][i] for s in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    body: list[str] = []
    for tick in _nice_ticks(peak):
        y = top + plot_h * (1 - tick / peak)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"'
                    ' class="chart-grid"/>')
        body.append(f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end"'
                    f' class="chart-text">{tick}</text>')
    slot = plot_w / max(1, len(categories))
    bar = max(2.0, slot * 0.7)
    for i, _category in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        base = float(top + plot_h)
        for name, values in series.items():
            value = values[i]
            if not value:
                continue
            h = plot_h * value / peak
            base -= h
            body.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                        f' fill="{style(name).colour}" class="chart-bar"/>')
    step = max(1, len(categories) // 6)
    for i in range(0, len(categories), step):
        x = left + slot * i + slot / 2
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle"'
                    f' class="chart-text">{escape(categories[i])}</text>')
    body += _legend(list(series), left, height - 18, width - right, swatches=True)
    return _frame(ident, width, height, title, desc, body)


def horizontal_bars(rows: Sequence[tuple[str, float, str]], *, ident: str, title: str,
                    desc: str,
                    maximum: float = 1.0) -> Markup:
    """One bar per row: (name, value, text shown at the end of the bar)."""
    row_h, left, width = 28, 170, 640
    height = max(1, len(rows)) * row_h + 16
    plot_w = width - left - 120
    body: list[str] = []
    for i, (name, value, shown) in enumerate(rows):
        y = 8 + i * row_h
        w = plot_w * (min(max(value, 0.0), maximum) / maximum if maximum else 0.0)
        short = name if len(name) <= 24 else name[:23] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end"'
                    f' class="chart-text">{escape(short)}</text>')
        body.append(f'<rect x="{left}" y="{y + 2}" width="{plot_w}" height="18"'
                    ' class="chart-track"/>')
        body.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="18"'
                    ' class="chart-bar-single"/>')
        body.append(f'<text x="{left + plot_w + 8}" y="{y + 15}" class="chart-text">'
                    f"{escape(shown)}</text>")
    return _frame(ident, width, height, title, desc, body)


def _nice_ticks(peak: int) -> list[int]:
    if peak <= 5:
        return list(range(peak + 1))
    step = max(1, round(peak / 4))
    return list(range(0, peak + 1, step))
