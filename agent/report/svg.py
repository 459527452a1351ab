"""Inline SVG for the HTML report: a metric line chart with its onset and markers, and the causal chain.

Plain SVG elements only (no script, no external fonts or images), so the report stays one file that
prints and opens offline. Every text node is escaped: names and labels come from untrusted telemetry.
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime
from html import escape

from agent.report.model import Chart, TimelineEntry
from agent.report.view import threshold_text, unit_of, utc, zoom

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 46, 44
MARKER_COLOUR = {
    "change": "#6a3d9a",
    "alarm": "#d62728",
    "onset": "#d62728",
    "event": "#7f7f7f",
    "symptom": "#ff7f0e",
}
CAUSE_COLOUR = "#b30000"
OTHER_CHANGE_COLOUR = "#a0a0a0"
_TIME_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440]
LABEL_CHARS = 40


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_step(span: float, ticks: int) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _fmt_value(v: float) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def _y_range(values: list[float]) -> tuple[float, float, float]:
    """Axis bounds and tick step; the axis starts at zero for non-negative data so spikes read true."""
    lo, hi = min(values), max(values)
    lo = min(lo, 0.0) if lo >= 0 else lo
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    step = _nice_step(hi - lo, 4)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


THRESHOLD_COLOUR = "#d62728"
LABEL_ROWS = 5
CHAR_W = 6.2  # the marker label font's average advance, in viewBox units


def _rows(spans: list[tuple[float, float]]) -> list[int | None]:
    """A row for each label span (x0, x1) so that no two labels in a row overlap; None when every row
    is taken there (the marker keeps its line and its tooltip)."""
    ends: list[float] = [-1e9] * LABEL_ROWS
    rows: list[int | None] = []
    for x0, x1 in spans:
        row = next((i for i, end in enumerate(ends) if x0 > end + 4), None)
        if row is not None:
            ends[row] = x1
        rows.append(row)
    return rows


def _label_class(kind: str, is_cause: bool) -> str:
    """' cause' for the cause's label, ' other' for a change that is context (drawn grey)."""
    return " cause" if is_cause else (" other" if kind == "change" else "")


def line_chart(chart: Chart, cause: set[str] | frozenset[str] = frozenset()) -> str:
    """An SVG line chart of `chart`, zoomed on the incident, with time labels (UTC), the value's unit,
    the alarm's threshold when it is an alarm's chart, and the onset and markers as labelled lines whose
    labels never overlap; markers citing evidence in `cause` (the leading hypothesis') are drawn as the
    cause and labelled first, other changes faintly."""
    unit = chart.unit or unit_of(chart.title)
    title = _e(chart.title + (f" ({chart.unit})" if chart.unit else ""))
    points, kept, hidden = zoom(chart)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{LEFT}" y="18" class="chart-title">{title}</text>'
    )
    if not points:
        return (
            head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data points</text></svg>'
        )
    marks: list[TimelineEntry] = list(kept)
    if chart.onset is not None:
        what = "breach" if chart.threshold is not None else "onset"
        marks.append(TimelineEntry(time=chart.onset, what=what, kind="onset"))
    times = [t for t, _ in points] + [utc(m.time) for m in marks]
    t0, t1 = min(times), max(times)
    if t1 == t0:
        t1 = datetime.fromtimestamp(t0.timestamp() + 60, tz=t0.tzinfo)
    values = [v for _, v in points] + ([chart.threshold] if chart.threshold is not None else [])
    lo, hi, ystep = _y_range(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: datetime) -> float:
        return LEFT + (t.timestamp() - t0.timestamp()) / (t1.timestamp() - t0.timestamp()) * plot_w

    def y(v: float) -> float:
        return TOP + plot_h - (v - lo) / (hi - lo) * plot_h

    out = [head]
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" class="plot"/>')
    tick = lo
    while tick <= hi + ystep / 2:
        yy = y(tick)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" class="grid"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" class="tick">{_fmt_value(tick)}</text>'
        )
        tick += ystep
    span_min = (t1 - t0).total_seconds() / 60
    step_min = next((s for s in _TIME_STEPS_MIN if span_min / s <= 6), 2880)
    step_s = step_min * 60
    first = math.ceil(t0.timestamp() / step_s) * step_s
    with_date = t0.date() != t1.date()
    s = first
    while s <= t1.timestamp():
        t = datetime.fromtimestamp(s, tz=t0.tzinfo)
        label = t.strftime("%m-%d %H:%M" if with_date else "%H:%M")
        xx = x(t)
        out.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 5}" class="axis"/>'
        )
        out.append(
            f'<text x="{xx:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" class="tick">{label}</text>'
        )
        s += step_s
    out.append(f'<text x="{LEFT + plot_w}" y="{HEIGHT - 6}" text-anchor="end" class="tick">time (UTC)</text>')
    if hidden:
        earlier = f"{hidden} earlier event{'s' if hidden > 1 else ''} in the timeline, not drawn"
        out.append(f'<text x="{LEFT}" y="{HEIGHT - 6}" class="tick">{earlier}</text>')
    if unit:
        out.append(
            f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="end" class="tick unit">{_e(unit)}</text>'
        )
    if chart.threshold is not None:
        ty = y(chart.threshold)
        out.append(
            f'<g class="threshold"><line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" stroke-dasharray="8 4"/>'
            f'<text x="{LEFT + 4}" y="{ty - 5:.1f}" fill="{THRESHOLD_COLOUR}" '
            f'class="mlabel">{_e(threshold_text(chart))}</text></g>'
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for i, (t, v) in enumerate(points))
    out.append(f'<path d="{path}" class="series"/>')
    if len(points) == 1:
        t, v = points[0]
        out.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" class="point"/>')
    ordered = sorted(marks, key=lambda m: utc(m.time))
    is_cause = [m.evidence is not None and m.evidence in cause for m in ordered]
    labels: list[str] = []
    spans: list[tuple[float, float]] = []
    for m, c in zip(ordered, is_cause, strict=True):
        what = f"cause: {m.what}" if c else m.what
        label = _short(f"{utc(m.time):%H:%M} {what}", LABEL_CHARS)
        xx = x(utc(m.time))
        w = len(label) * CHAR_W
        end_anchor = xx > LEFT + plot_w * 0.7
        labels.append(label)
        spans.append((xx - 3 - w, xx - 3) if end_anchor else (xx + 3, xx + 3 + w))
    # The cause's labels take the first rows, so they are never the ones crowded out.
    order = sorted(range(len(ordered)), key=lambda i: not is_cause[i])
    placed = _rows([spans[i] for i in order])
    row_of = {i: placed[k] for k, i in enumerate(order)}
    for i, m in enumerate(ordered):
        xx = x(utc(m.time))
        colour = CAUSE_COLOUR if is_cause[i] else MARKER_COLOUR[m.kind]
        if m.kind == "change" and not is_cause[i]:
            colour = OTHER_CHANGE_COLOUR  # a change the verdict does not rest on is context, not a suspect
        dash = ' stroke-dasharray="5 3"' if m.kind == "onset" or colour == OTHER_CHANGE_COLOUR else ""
        row = row_of[i]
        text = ""
        if row is not None:
            anchor = "end" if spans[i][1] <= xx else "start"
            tx = xx - 3 if anchor == "end" else xx + 3
            text = (
                f'<text x="{tx:.1f}" y="{TOP + 12 + row * 13}" text-anchor="{anchor}" fill="{colour}"'
                f' class="mlabel mark-{m.kind}{_label_class(m.kind, is_cause[i])}">{_e(labels[i])}</text>'
            )
        out.append(
            f'<g class="marker marker-{m.kind}{" marker-cause" if is_cause[i] else ""}">'
            f"<title>{_e(m.kind)}: {_e(m.what)}</title>"
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{colour}"'
            f' stroke-width="{3 if is_cause[i] else 1.5}"{dash}/>{text}</g>'
        )
    out.append("</svg>")
    return "".join(out)


BOX_W, BOX_H, GAP, PER_ROW = 170, 58, 44, 4


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Break at the separators resource names use, so ARNs and paths wrap where they read well."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if len(rest) <= width:
            out.append(rest)
            rest = ""
            break
        cut = width
        for separators in ("/: ", "-_."):  # path, ARN and word breaks first; hyphens only if needed
            found = max(rest.rfind(c, 0, width) for c in separators)
            if found > width // 4:
                cut = found + 1
                break
        out.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        out[-1] = _short(out[-1] + rest, width)
    return out


def chain_graph(chain: list[str]) -> str:
    """The causal chain as boxes and arrows, root cause first, four to a row."""
    if not chain:
        return ""
    rows = math.ceil(len(chain) / PER_ROW)
    cols = min(len(chain), PER_ROW)
    width = cols * BOX_W + (cols - 1) * GAP + 20
    row_h = BOX_H + 46
    height = rows * row_h + 10
    out = [
        f'<svg class="chain" viewBox="0 0 {width} {height}" width="{min(width, 760)}" role="img" '
        f'aria-label="causal chain" xmlns="http://www.w3.org/2000/svg">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
    ]
    corners: list[tuple[int, int]] = []
    for i, node in enumerate(chain):
        row, col = divmod(i, PER_ROW)
        bx = 10 + col * (BOX_W + GAP)
        by = 22 + row * row_h
        corners.append((bx, by))
        role = "root cause" if i == 0 else ("symptom" if i == len(chain) - 1 else f"step {i + 1}")
        kind = "root" if i == 0 else ("symptom" if i == len(chain) - 1 else "step")
        lines = _wrap(node, 24, 3)
        text_y = by + BOX_H / 2 - (len(lines) - 1) * 7 + 4
        spans = "".join(
            f'<tspan x="{bx + BOX_W / 2}" y="{text_y + k * 14:.1f}">{_e(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(
            f'<g class="node node-{kind}"><title>{_e(node)}</title>'
            f'<text x="{bx + BOX_W / 2}" y="{by - 6}" text-anchor="middle" class="role">{role}</text>'
            f'<rect x="{bx}" y="{by}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            f'<text text-anchor="middle" class="name">{spans}</text></g>'
        )
    for (ax, ay), (bx, by) in itertools.pairwise(corners):
        if by == ay:
            out.append(
                f'<line x1="{ax + BOX_W}" y1="{ay + BOX_H / 2}" x2="{bx - 2}" y2="{by + BOX_H / 2}" '
                'class="edge" marker-end="url(#arrow)"/>'
            )
        else:
            # Next row: down from the end of this row, back to the first column, then into the box.
            mid = ay + BOX_H + 18
            out.append(
                f'<path d="M{ax + BOX_W / 2},{ay + BOX_H} V{mid} H{bx + BOX_W / 2} V{by - 16}" class="edge" '
                'fill="none" marker-end="url(#arrow)"/>'
            )
    out.append("</svg>")
    return "".join(out)


_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 60) -> str:
    """A one-line block-character sketch of a series, for text and Markdown renderings. Long series
    are bucketed by maximum, so a one-point spike still shows."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    if len(values) > width:
        size = len(values) / width
        buckets = [values[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)] for i in range(width)]
        values = [max((v for v in b if math.isfinite(v)), default=math.nan) for b in buckets]
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    return "".join(
        _BLOCKS[round((v - lo) / span * (len(_BLOCKS) - 1))] if math.isfinite(v) else " " for v in values
    )
