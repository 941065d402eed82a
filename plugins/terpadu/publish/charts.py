"""Inline SVG charts for the readiness report: no JavaScript, no network, scale with the screen
(viewBox + width 100%), and readable when printed. Text is escaped; values are drawn as numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from markupsafe import Markup, escape

from terpadu.publish.forecast import format_date

_BLUE, _GREY, _RED, _GREEN = "#3465a4", "#8a93a6", "#c62828", "#2e7d32"
_INK = "#1d2430"  # text colour, explicit so a PDF renderer does not pick its own
_SHORT_LABEL = 18  # characters that fit left of a bar


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'style="max-width:{width}px;height:auto;font:12px system-ui,sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


# Colours with a meaning, used the same way in every chart of the report
OK, WARN, BAD, NEUTRAL, ACCENT = _GREEN, "#e0a800", _RED, _GREY, "#c0602a"


def bars(rows: list[tuple], title: str, color: str = _BLUE) -> Markup:
    """Horizontal bars: (label, value, text shown after the bar[, colour]); bars are scaled to the
    largest value. A row's own colour (e.g. red for "past the deadline") overrides `color`.

    400 units wide, so on a phone (about 360 px of content) 12px text stays about 11px tall. Short
    labels sit left of their bar; when any label is long, every label sits above its bar instead of
    being cut off."""
    if not rows:
        return Markup("")
    width, value_w = 400, 70
    stacked = any(len(row[0]) > _SHORT_LABEL for row in rows)
    label_w = 0 if stacked else 130
    bar_w, row_h = width - value_w - label_w, (34 if stacked else 24)
    height = row_h * len(rows) + 8
    top = max(max(row[1] for row in rows), 1e-9)
    body = []
    for i, (label, value, text, *own) in enumerate(rows):
        y = 4 + i * row_h
        w = max(value / top * bar_w, 0 if value <= 0 else 1.5)
        fill = own[0] if own and own[0] else color
        if stacked:
            short = label if len(label) <= 60 else label[:59] + "…"
            body.append(f'<text x="0" y="{y + 12}" fill="{_INK}">{escape(short)}</text>')
            bar_y = y + 16
        else:
            body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{_INK}">{escape(label)}</text>')
            bar_y = y + 3
        body.append(f'<rect x="{label_w}" y="{bar_y}" width="{w:.1f}" height="14" rx="3" fill="{fill}"/>'
                    f'<text x="{label_w + w + 5:.1f}" y="{bar_y + 12}" fill="{_INK}">{escape(text)}</text>')
    return _svg(width, height, body, title)


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _anchor(at: float, low: float, high: float) -> str:
    """A label at the plot's edge is anchored inwards so it is not cut off on a narrow screen."""
    if at > high - 80:
        return "end"
    if at < low + 80:
        return "start"
    return "middle"


def trend(points: list[dict], result: dict, title: str) -> Markup:
    """Readiness score per release, the target line, the deadline, and the forecast to the target."""
    if not points:
        return Markup("")
    width, height, left, right, top, bottom = 560, 240, 44, 16, 14, 40
    start = min(points[0]["at"], _as_datetime(result["deadline"]))  # a past deadline stays on the chart
    ends = [points[-1]["at"], _as_datetime(result["deadline"])]
    if result.get("eta"):
        ends.append(_as_datetime(result["eta"]))
    end = max(ends)
    if end <= start:
        end = start + timedelta(days=30)
    span = (end - start).total_seconds()
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(when: date | datetime) -> float:
        return left + (_as_datetime(when) - start).total_seconds() / span * plot_w

    def y(score: float) -> float:
        return top + (1 - min(max(score, 0.0), 1.0)) * plot_h

    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f7f9fc" stroke="#dde"/>']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                    f'stroke="#e6e9f0"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                    f'fill="{_GREY}">{tick * 100:.0f}%</text>')
    target = result["target"]
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                f'stroke="{_GREEN}" stroke-dasharray="6 4"/>'
                f'<text x="{left + 4}" y="{y(target) - 4:.1f}" fill="{_GREEN}">target {target * 100:.0f}%</text>')
    dx = x(result["deadline"])
    body.append(f'<line x1="{dx:.1f}" x2="{dx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{_RED}" '
                f'stroke-dasharray="3 3"/>'
                f'<text x="{dx + (-4 if dx > width / 2 else 4):.1f}" y="{top + plot_h + 28}" '
                f'text-anchor="{"end" if dx > width / 2 else "start"}" fill="{_RED}">'
                f'tenggat {escape(format_date(result["deadline"]))}</text>')
    coords = " ".join(f"{x(p['at']):.1f},{y(p['score']):.1f}" for p in points)
    body.append(f'<polyline points="{coords}" fill="none" stroke="{_BLUE}" stroke-width="2.5"/>')
    for p in points:
        body.append(f'<circle cx="{x(p["at"]):.1f}" cy="{y(p["score"]):.1f}" r="4" fill="{_BLUE}">'
                    f'<title>{escape(p["run_id"])}: {p["score"] * 100:.1f}%</title></circle>')
    if result.get("eta"):
        last = points[-1]
        body.append(f'<line x1="{x(last["at"]):.1f}" y1="{y(last["score"]):.1f}" x2="{x(result["eta"]):.1f}" '
                    f'y2="{y(target):.1f}" stroke="{_BLUE}" stroke-width="2" stroke-dasharray="5 4"/>'
                    f'<text x="{x(result["eta"]):.1f}" y="{top + plot_h + 14}" '
                    f'text-anchor="{_anchor(x(result["eta"]), left, left + plot_w)}" fill="{_BLUE}">'
                    f'perkiraan {escape(format_date(result["eta"]))}</text>')
    body.append(f'<text x="{left}" y="{top + plot_h + 14}" fill="{_GREY}">{escape(format_date(start.date()))}</text>')
    return _svg(width, height, body, title)
