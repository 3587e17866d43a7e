"""Charts drawn on the server as SVG: bars and a trend line. Each is an image with a title
and a description for screen readers; the page shows its data as a table beside it. Colours
and sizes are presentation attributes, not inline styles, so a strict CSP allows them."""

from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

BAR = "#0b4f9c"  # 8.0:1 on white: meets the 3:1 of WCAG 1.4.11 for graphics
AXIS = "#595959"
TEXT = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as printed next to the bar


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, one row per item, labels on the left, values at the bar's end."""
    row_h, label_w, bar_w, value_w = 26, 340, 300, 70
    width = label_w + bar_w + value_w
    height = max(1, len(bars)) * row_h + 8
    top = max((b.value for b in bars), default=0.0) or 1.0
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        length = 0.0 if bar.value <= 0 else max(1.0, bar_w * bar.value / top)
        label = bar.label if len(bar.label) <= 44 else bar.label[:42] + "…"
        parts += [
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"></rect>',
            f'<text x="{label_w + length + 6:.1f}" y="{y + 17}" font-size="13" '
            f'fill="{TEXT}">{escape(bar.shown)}</text>',
        ]
    parts.append(
        f'<line x1="{label_w}" y1="0" x2="{label_w}" y2="{height}" stroke="{AXIS}" '
        'stroke-width="1"></line>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: list[tuple[date, float | None]],
    day_label: str,
) -> Markup:
    """A trend over reporting days; days without a value leave a gap."""
    width, height, left, bottom, top_pad, right = 640, 220, 56, 34, 12, 16
    known = [v for _, v in points if v is not None]
    high = max(known, default=1.0) or 1.0
    plot_w = width - left - right
    plot_h = height - bottom - top_pad
    first = points[0][0] if points else date.today()
    last = points[-1][0] if points else first
    span = max(1, (last - first).days)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = left + plot_w * ((day - first).days / span if len(points) > 1 else 0.5)
        y = top_pad + plot_h * (1 - value / high)
        return x, y

    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" '
        f'y2="{top_pad + plot_h}" stroke="{AXIS}" stroke-width="1"></line>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" '
        f'stroke="{AXIS}" stroke-width="1"></line>',
        f'<text x="{left - 6}" y="{top_pad + 5}" text-anchor="end" font-size="12" '
        f'fill="{TEXT}">{escape(_short(high))}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="12" '
        f'fill="{TEXT}">0</text>',
        f'<text x="{left}" y="{height - 8}" font-size="12" fill="{TEXT}">'
        f"{escape(first.isoformat())}</text>",
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="12" '
        f'fill="{TEXT}">{escape(last.isoformat())}</text>',
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle" '
        f'font-size="12" fill="{TEXT}">{escape(day_label)}</text>',
    ]
    segment: list[str] = []
    segments: list[list[str]] = []
    for day, value in points:
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = xy(day, value)
        segment.append(f"{x:.1f},{y:.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BAR}" '
                'stroke-width="2.5"></polyline>'
            )
        for point in seg:
            cx, cy = point.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{BAR}"></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"
