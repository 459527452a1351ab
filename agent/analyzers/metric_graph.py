"""Fault localisation from metrics along a call graph, when nothing but metrics explains an incident.

Each component's latency and error series is judged against its own history (median and spread, at
the traffic level of the window when its traffic series shows levels). Walking from the symptom toward
its callees, a component is a candidate when it left its normal range and no callee left its own by
enough to account for it: a callee whose latency rose by a tenth of its caller's rise does not explain
the caller. Candidates rank by how far out of range they went, then by how closely they track the
symptom. A symptom that stays inside its own normal range is no incident at all.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent.analyzers import Draft
from agent.analyzers.metrics import signal_for
from tools.metric_history import HistorySeries, NamespaceHistory

MIN_HISTORY_POINTS = 100  # below this a component's "normal" is a guess: the localiser stays out
OUT_OF_RANGE_Z = 4.0  # robust z-score beyond which a point is out of its normal range ...
TAIL_SHARE = 0.01  # ... provided at most this share of the history was as bad
EXPLAINS_SHARE = 0.5  # a callee explains a caller when its own rise is at least this share of the caller's
LEVEL_FACTOR = 2.0  # history points whose traffic is within this factor of the window's form its level
MAX_CANDIDATES = 5


@dataclass
class Judged:
    """One latency or error series, judged against its own normal behaviour."""

    series: HistorySeries
    signal: str  # latency_up | error_rate_up
    worse: int  # +1 when higher is worse, -1 when lower is
    median: float
    spread: float
    history_points: int
    window: list[tuple[datetime, float]]
    z: float  # the worst point's robust z-score in the bad direction
    rise: float  # the worst point's distance from the median, in the metric's unit, bad direction positive
    onset: datetime | None  # first out-of-range point
    peak: tuple[datetime, float] | None
    out: tuple[datetime, ...] = ()  # every out-of-range point

    @property
    def out_of_range(self) -> bool:
        return self.onset is not None


def _signal(metric: str) -> tuple[str, int] | None:
    for direction, worse in (("up", 1), ("down", -1)):
        signal = signal_for(metric, direction)
        if signal in ("latency_up", "error_rate_up"):
            return signal, worse
    return None


def _is_traffic(metric: str) -> bool:
    return signal_for(metric, "up") == "traffic_up"


def _levelled(
    history: list[tuple[datetime, float]], traffic: dict[datetime, float] | None, now_traffic: float | None
) -> list[float]:
    """The history at the window's traffic level when the component's traffic shows levels."""
    values = [v for _, v in history]
    if not traffic or now_traffic is None or now_traffic <= 0:
        return values
    lo, hi = now_traffic / LEVEL_FACTOR, now_traffic * LEVEL_FACTOR
    same = [v for t, v in history if (r := traffic.get(t)) is not None and lo <= r <= hi]
    return same if len(same) >= MIN_HISTORY_POINTS // 2 else values


def judge(
    series: HistorySeries, start: datetime, end: datetime, traffic: dict[datetime, float] | None
) -> Judged | None:
    kind = _signal(series.metric)
    if kind is None:
        return None
    signal, worse = kind
    history = [(t, v) for t, v in zip(series.timestamps, series.values, strict=True) if t < start]
    window = [(t, v) for t, v in zip(series.timestamps, series.values, strict=True) if start <= t <= end]
    now_traffic = (
        statistics.median([traffic[t] for t, _ in window if t in traffic]) if traffic and window else None
    )
    base = _levelled(history, traffic, now_traffic) if window else []
    if len(base) < MIN_HISTORY_POINTS:
        return Judged(series, signal, worse, math.nan, math.nan, len(base), window, 0.0, 0.0, None, None)
    median = statistics.median(base)
    mad = statistics.median(abs(v - median) for v in base)
    # A series flat in normal operation (availability at 100) still has a scale: a thousandth of its level.
    spread = max(1.4826 * mad, 1e-3 * abs(median), 1e-9)
    ordered = sorted(worse * v for v in base)
    z_best, rise_best, peak = 0.0, 0.0, None
    out: list[datetime] = []
    for t, v in window:
        rise = worse * (v - median)
        z = rise / spread
        at_least_as_bad = len(ordered) - _bisect_left(ordered, worse * v)
        if z >= OUT_OF_RANGE_Z and at_least_as_bad <= TAIL_SHARE * len(ordered):
            out.append(t)
        if z > z_best:
            z_best, rise_best, peak = z, rise, (t, v)
    onset = out[0] if out else None
    return Judged(
        series, signal, worse, median, spread, len(base), window, z_best, rise_best, onset, peak, tuple(out)
    )


def _bisect_left(xs: list[float], x: float) -> int:
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _correlation(a: list[tuple[datetime, float]], b: list[tuple[datetime, float]]) -> float:
    bb = dict(b)
    pairs = [(x, bb[t]) for t, x in a if t in bb]
    if len(pairs) < 3:
        return 0.0
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    sx, sy = statistics.pstdev(xs), statistics.pstdev(ys)
    if sx == 0 or sy == 0:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in pairs) / (len(pairs) * sx * sy)


@dataclass
class Localisation:
    """What the localiser concluded: whether it had what it needs, the symptom, and ranked drafts."""

    applies: bool
    symptom: Judged | None
    drafts: list[Draft]


def localise(
    data: NamespaceHistory,
    calls: Iterable[tuple[str, str]],
    symptom_component: str,
    symptom_metric: str,
    end: datetime,
    node_of: Callable[[str], str] = lambda c: c,
) -> Localisation:
    """Rank where a symptom seen in `data` begins along `calls` (caller, callee), or say it is normal.

    `node_of` maps a series' component to the call graph's node name. The result `applies` only when the
    symptom's series has a history to judge it by and the symptom is a node of the call graph."""
    start = data.start
    callees: dict[str, set[str]] = {}
    for caller, callee in calls:
        if caller != callee:
            callees.setdefault(caller, set()).add(callee)
    traffic: dict[tuple[str, frozenset[tuple[str, str]]], dict[datetime, float]] = {}
    for s in data.series:
        if _is_traffic(s.metric):
            traffic[(s.component, _others(s.dimensions))] = dict(zip(s.timestamps, s.values, strict=True))
    judged: list[Judged] = []
    for s in data.series:
        j = judge(s, start, end, traffic.get((s.component, _others(s.dimensions))))
        if j is not None:
            judged.append(j)
    symptom_node = node_of(symptom_component)
    symptoms = [
        j for j in judged if j.series.component == symptom_component and j.series.metric == symptom_metric
    ]
    symptom = max(symptoms, key=lambda j: (j.history_points, j.z), default=None)
    in_graph = symptom_node in callees or any(symptom_node in c for c in callees.values())
    if symptom is None or symptom.history_points < MIN_HISTORY_POINTS or not in_graph:
        return Localisation(False, symptom, [])
    if not symptom.out_of_range:
        return Localisation(True, symptom, [_normal_draft(symptom)])
    reach = _reachable(symptom_node, callees)
    by_node: dict[str, list[Judged]] = {}
    # An anomaly over before the symptom began did not cause it: a candidate must be out of range from
    # one period before the symptom's onset on.
    since = symptom.onset - timedelta(seconds=data.period_s) if symptom.onset else start
    for j in judged:
        node = node_of(j.series.component)
        if node in reach and _out_since(j, since):
            by_node.setdefault(node, []).append(j)
    paths = _paths(symptom_node, callees)
    ranked: list[tuple[float, str, Judged, float, list[str]]] = []
    for node, found in by_node.items():
        best = max(found, key=lambda j: j.z)
        below = _reachable(node, callees) - {node}
        explained = [
            (other, o)
            for other in below
            for o in by_node.get(other, [])
            if o.series.metric == best.series.metric and o.rise >= EXPLAINS_SHARE * best.rise
        ]
        if explained:
            continue
        corr = _correlation(best.window, symptom.window)
        score = min(1.0, math.log1p(best.z) / math.log1p(100.0)) * (0.75 + 0.25 * max(0.0, corr))
        ranked.append((score, node, best, corr, paths.get(node, [symptom_node, node])))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    drafts = [_symptom_draft(symptom, symptom_node)]
    for place, (score, node, best, corr, path) in enumerate(ranked[:MAX_CANDIDATES]):
        drafts.append(_candidate_draft(node, best, corr, path, score, place, by_node, callees))
    return Localisation(True, symptom, drafts)


def _out_since(j: Judged, since: datetime) -> bool:
    return any(t >= since for t in j.out)


def _others(dims: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(dims.items())


def _reachable(start: str, callees: dict[str, set[str]]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in callees.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _paths(start: str, callees: dict[str, set[str]]) -> dict[str, list[str]]:
    """Shortest call path from `start` to every node it reaches."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        here = queue.pop(0)
        for nxt in sorted(callees.get(here, ())):
            if nxt not in paths:
                paths[nxt] = [*paths[here], nxt]
                queue.append(nxt)
    return paths


def _what(j: Judged) -> str:
    return f"{j.series.metric} ({'higher' if j.worse > 0 else 'lower'} is worse)"


def _normal_draft(symptom: Judged) -> Draft:
    worst = symptom.peak[1] if symptom.peak else (symptom.window[-1][1] if symptom.window else math.nan)
    return Draft(
        kind="metric_anomaly",
        resource=symptom.series.component,
        start=symptom.window[0][0] if symptom.window else None,
        end=symptom.window[-1][0] if symptom.window else None,
        summary=(
            f"{symptom.series.component} {symptom.series.metric} stayed within its normal range: at worst "
            f"{worst:.4g} against a usual {symptom.median:.4g} (typical spread {symptom.spread:.2g}) over "
            f"{symptom.history_points} earlier periods"
        ),
        signals=["metric_blip"],
        strength=0.1,
        facts={"sustained": False, "within_normal": True, "history_points": symptom.history_points},
    )


def _symptom_draft(symptom: Judged, node: str) -> Draft:
    t, v = symptom.peak or (symptom.onset, math.nan)
    return Draft(
        kind="metric_anomaly",
        resource=symptom.series.component,
        start=symptom.onset,
        end=symptom.window[-1][0] if symptom.window else None,
        summary=(
            f"{symptom.series.component} {_what(symptom)} left its normal range at {symptom.onset:%H:%M}: "
            f"{v:.4g} at {t:%H:%M} against a usual {symptom.median:.4g} over {symptom.history_points} "
            "earlier periods"
        ),
        signals=[symptom.signal],
        strength=0.8,
        facts={"sustained": True, "node": node, "median": symptom.median, "peak": v},
    )


def _candidate_draft(
    node: str,
    best: Judged,
    corr: float,
    path: list[str],
    score: float,
    place: int,
    by_node: dict[str, list[Judged]],
    callees: dict[str, set[str]],
) -> Draft:
    t, v = best.peak or (best.onset, math.nan)
    below = sorted(_reachable(node, callees) - {node})
    moved = [
        f"{o.series.component} {o.series.metric} {o.worse * o.rise:+.3g}"
        for other in below
        for o in by_node.get(other, [])
        if o.series.metric == best.series.metric
    ]
    calls = (
        f"of the {len(below)} components it calls, none left its normal range by as much"
        + (f" ({'; '.join(moved[:4])})" if moved else "")
        if below
        else "it calls no other component"
    )
    tracks = f"; it moved with the symptom (correlation {corr:.2f})" if corr >= 0.5 else ""
    return Draft(
        kind="metric_anomaly",
        resource=best.series.component,
        start=best.onset,
        end=best.window[-1][0] if best.window else None,
        summary=(
            f"{best.series.component}: {_what(best)} went from a usual {best.median:.4g} to {v:.4g} at "
            f"{t:%H:%M}, out of its normal range since {best.onset:%H:%M}; {calls}; call path "
            f"{' -> '.join(path)}{tracks}"
        ),
        signals=["degraded_origin", best.signal],
        # The best-ranked candidate is argued most strongly; the rest stay on the board as alternatives.
        strength=round(max(0.3, min(0.95, 0.55 + 0.4 * score) - 0.12 * place), 3),
        facts={
            "sustained": True,
            "path": path,
            "callees": below,
            "signal": best.signal,
            "score": round(score, 3),
            "correlation": round(corr, 3),
            "median": best.median,
            "peak": v,
            "history_points": best.history_points,
        },
    )
