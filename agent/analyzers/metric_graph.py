"""Fault localisation from metrics along a call graph, when nothing but metrics explains an incident.

Each component's latency and error series is judged against its own history (median and spread, at
the traffic level of the window when its traffic series shows levels). A symptom that stays inside its
own normal range is no incident at all. Otherwise, walking from the symptom toward its callees, a
component is a candidate when it left its normal range in the symptom's own terms (latency for a slow
symptom, errors for a failing one; the other kind only when none moved in the symptom's), from about
when the symptom did, and no callee left its range by enough to account for it.

Candidates rank by how much of the symptom their change can carry: latency adds up along synchronous
calls and errors pass to callers, so a component whose rise is about the symptom's size explains it,
while one that moved many times more than the symptom did is off its synchronous path (or serves a
sliver of its requests). Ties break on how closely the component's series tracks the symptom's. A
remote endpoint known only from its callers' side (a host name, not an instrumented service) ranks
after the instrumented services that show the same trouble: it is their view of a call, not a place.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from agent.analyzers import Draft
from agent.analyzers.metrics import signal_for
from tools.metric_history import HistorySeries, NamespaceHistory

MIN_HISTORY_POINTS = 100  # below this a component's "normal" is a guess: the localiser stays out
OUT_OF_RANGE_Z = 3.0  # robust z-score beyond which a point may be out of its normal range ...
TAIL_SHARE = 0.01  # ... provided at most this share of comparable history was as bad
EXPLAINS_SHARE = 0.5  # a callee explains a caller when its own rise is at least this share of the caller's
LEVEL_FACTOR = 1.5  # history points whose traffic is within this factor of the window's form its level
MAX_CANDIDATES = 4
# A symptom that moved but stayed inside its range is still localised when a component it calls left
# its own range by this far, further than anything in its history: the callee serves a small share of
# the symptom's requests, so the symptom shows its trouble diluted.
CLEAR_Z = 10.0
MOVED_Z = 2.0
MIN_SHARE = 0.1  # a callee that moved more than ten times the symptom did is not what the symptom shows


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
    peak: tuple[datetime, float] | None
    out: tuple[datetime, ...] = ()  # every out-of-range point
    unseen: tuple[datetime, ...] = ()  # points further out than CLEAR_Z and than all of history

    @property
    def onset(self) -> datetime | None:
        return self.out[0] if self.out else None

    @property
    def out_of_range(self) -> bool:
        return bool(self.out)

    def rise_since(self, since: datetime) -> float:
        """The worst distance from normal from `since` on (bad direction positive)."""
        return max((self.worse * (v - self.median) for t, v in self.window if t >= since), default=0.0)


def _signal(metric: str) -> tuple[str, int] | None:
    for direction, worse in (("up", 1), ("down", -1)):
        signal = signal_for(metric, direction)
        if signal in ("latency_up", "error_rate_up"):
            return signal, worse
    return None


def signal_of(metric: str) -> str | None:
    """latency_up or error_rate_up for a metric the localiser judges, else None."""
    kind = _signal(metric)
    return kind[0] if kind else None


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
    return same if len(same) >= MIN_HISTORY_POINTS else values


def judge(
    series: HistorySeries, start: datetime, end: datetime, traffic: dict[datetime, float] | None
) -> Judged | None:
    """`series` against its own history before `start` (None for a series that is neither latency nor
    errors). A point is out of range when it is far from the median in robust units and at most
    TAIL_SHARE of the comparable history was as bad."""
    kind = _signal(series.metric)
    if kind is None:
        return None
    signal, worse = kind
    history: list[tuple[datetime, float]] = []
    window: list[tuple[datetime, float]] = []
    for t, v in zip(series.timestamps, series.values, strict=True):
        if t < start:
            history.append((t, v))
        elif t <= end:
            window.append((t, v))
    now_traffic = None
    if traffic and window:
        seen = [traffic[t] for t, _ in window if t in traffic]
        now_traffic = statistics.median(seen) if seen else None
    base = _levelled(history, traffic, now_traffic) if window else []
    if len(base) < MIN_HISTORY_POINTS:
        return Judged(series, signal, worse, math.nan, math.nan, len(base), window, 0.0, 0.0, None)
    ordered = sorted(worse * v for v in base)
    n = len(ordered)
    median = worse * statistics.median(ordered)
    mad = statistics.median(sorted(abs(worse * v - median) for v in ordered))
    # A series flat in normal operation (availability at 100) still has a scale: a thousandth of its level.
    spread = max(1.4826 * mad, 1e-3 * abs(median), 1e-9)
    z_best, rise_best, peak = 0.0, 0.0, None
    out: list[datetime] = []
    unseen: list[datetime] = []
    for t, v in window:
        rise = worse * (v - median)
        z = rise / spread
        as_bad = n - bisect_left(ordered, worse * v)
        if z >= OUT_OF_RANGE_Z and as_bad <= TAIL_SHARE * n:
            out.append(t)
            if z >= CLEAR_Z and as_bad == 0:
                unseen.append(t)
        if z > z_best:
            z_best, rise_best, peak = z, rise, (t, v)
    return Judged(
        series, signal, worse, median, spread, n, window, z_best, rise_best, peak, tuple(out), tuple(unseen)
    )


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


@dataclass
class _Candidate:
    node: str
    best: Judged
    share: float  # how much of the symptom's change its own change can carry, 0..1
    corr: float
    remote: bool
    path: list[str]

    @property
    def score(self) -> float:
        return self.share * (0.75 + 0.25 * max(0.0, self.corr))


def localise(
    data: NamespaceHistory,
    calls: Iterable[tuple[str, str]],
    symptom_component: str,
    symptom_metric: str,
    end: datetime,
    node_of: Callable[[str], str] = lambda c: c,
    remote: Collection[str] = (),
) -> Localisation:
    """Rank where a symptom seen in `data` begins along `calls` (caller, callee), or say it is normal.

    `node_of` maps a series' component to the call graph's node name; `remote` names the nodes known
    only from their callers' side. The result `applies` only when the symptom's series has a history to
    judge it by and the symptom is a node of the call graph."""
    start = data.start
    callees: dict[str, set[str]] = {}
    for caller, callee in calls:
        if caller != callee:
            callees.setdefault(caller, set()).add(callee)
    traffic: dict[tuple[str, frozenset[tuple[str, str]]], dict[datetime, float]] = {}
    for s in data.series:
        if _is_traffic(s.metric):
            traffic[(s.component, frozenset(s.dimensions.items()))] = dict(
                zip(s.timestamps, s.values, strict=True)
            )
    symptom_node = node_of(symptom_component)
    in_graph = symptom_node in callees or any(symptom_node in c for c in callees.values())
    symptoms = [
        j
        for s in data.series
        if s.component == symptom_component and s.metric == symptom_metric
        if (j := judge(s, start, end, traffic.get((s.component, frozenset(s.dimensions.items())))))
        is not None
    ]
    symptom = max(symptoms, key=lambda j: (j.history_points, j.z), default=None)
    if symptom is None or symptom.history_points < MIN_HISTORY_POINTS or not in_graph:
        return Localisation(False, symptom, [])
    reach = _reachable(symptom_node, callees)
    judged: list[Judged] = []
    for s in data.series:
        node = node_of(s.component)
        if node == symptom_node or node not in reach or _signal(s.metric) is None:
            continue
        j = judge(s, start, end, traffic.get((s.component, frozenset(s.dimensions.items()))))
        if j is not None:
            judged.append(j)
    period = timedelta(seconds=data.period_s)
    if symptom.onset is not None:
        # An anomaly over before the symptom began did not cause it: a candidate must be out of range
        # from one period before the symptom's onset on.
        since = symptom.onset - period
        moved = [j for j in judged if any(t >= since for t in j.out)]
    else:
        clear = [
            j
            for j in judged
            if j.signal == symptom.signal
            and j.unseen
            and symptom.z >= MOVED_Z
            # ... and only a change of about the symptom's own size can be what the symptom shows.
            and (j.series.metric != symptom.series.metric or symptom.rise >= MIN_SHARE * j.rise)
        ]
        if not clear:
            return Localisation(True, symptom, [_normal_draft(symptom)])
        since = min(j.unseen[0] for j in clear) - period
        moved = clear
    same = [j for j in moved if j.signal == symptom.signal]
    by_node: dict[str, list[Judged]] = {}
    for j in same or moved:
        by_node.setdefault(node_of(j.series.component), []).append(j)
    paths = _paths(symptom_node, callees)
    symptom_rise = max(symptom.rise_since(since), 1e-12)
    candidates: list[_Candidate] = []
    for node, found in by_node.items():
        best = max(found, key=lambda j: j.z)
        rise = best.rise_since(since)
        below = _reachable(node, callees) - {node}
        explained = any(
            o.series.metric == best.series.metric and o.rise_since(since) >= EXPLAINS_SHARE * rise
            for other in below
            for o in by_node.get(other, [])
        )
        if explained:
            continue
        comparable = best.series.metric == symptom.series.metric
        share = min(1.0, symptom_rise / rise) if comparable and rise > 0 else 0.5
        corr = _correlation(best.window, symptom.window)
        path = paths.get(node, [symptom_node, node])
        candidates.append(_Candidate(node, best, share, corr, node in remote, path))
    candidates.sort(key=lambda c: (c.remote, -c.score, -c.best.z, c.node))
    drafts = [_symptom_draft(symptom, symptom_node, since + period)]
    for place, c in enumerate(candidates[:MAX_CANDIDATES]):
        drafts.append(_candidate_draft(c, place, by_node, callees))
    for d in drafts:
        d.facts["resolution_s"] = data.period_s  # each point stands for a whole period
    return Localisation(True, symptom, drafts)


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
            f"{worst:.4g} against a usual {symptom.median:.4g} (it was as far out in more than "
            f"{TAIL_SHARE:.0%} of {symptom.history_points} earlier periods at this traffic)"
        ),
        signals=["metric_blip"],
        strength=0.1,
        facts={
            "sustained": False,
            "within_normal": True,
            "symptom": True,
            "metric": symptom.series.metric,
            "history_points": symptom.history_points,
        },
    )


def _symptom_draft(symptom: Judged, node: str, onset: datetime) -> Draft:
    t, v = symptom.peak or (onset, math.nan)
    how = (
        f"left its normal range at {onset:%H:%M}"
        if symptom.out_of_range
        else f"rose within its normal range from {onset:%H:%M}, while a component it calls left its own"
    )
    return Draft(
        kind="metric_anomaly",
        resource=symptom.series.component,
        start=onset,
        end=symptom.window[-1][0] if symptom.window else None,
        summary=(
            f"{symptom.series.component} {_what(symptom)} {how}: {v:.4g} at {t:%H:%M} against a usual "
            f"{symptom.median:.4g} over {symptom.history_points} earlier periods"
        ),
        signals=[symptom.signal],
        strength=0.8,
        facts={
            "sustained": True,
            "symptom": True,
            "node": node,
            "metric": symptom.series.metric,
            "median": symptom.median,
            "peak": v,
        },
    )


def _candidate_draft(
    c: _Candidate, place: int, by_node: dict[str, list[Judged]], callees: dict[str, set[str]]
) -> Draft:
    best = c.best
    t, v = best.peak or (best.onset, math.nan)
    below = sorted(_reachable(c.node, callees) - {c.node})
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
    tracks = f"; it moved with the symptom (correlation {c.corr:.2f})" if c.corr >= 0.5 else ""
    seen_from = "; known only from its callers' side" if c.remote else ""
    return Draft(
        kind="metric_anomaly",
        resource=best.series.component,
        start=best.onset,
        end=best.window[-1][0] if best.window else None,
        summary=(
            f"{best.series.component}: {_what(best)} went from a usual {best.median:.4g} to {v:.4g} at "
            f"{t:%H:%M}, out of its normal range since {best.onset:%H:%M}; {calls}; call path "
            f"{' -> '.join(c.path)}{tracks}{seen_from}"
        ),
        # The best-ranked candidate is argued most strongly; the rest stay on the board as alternatives,
        # without a symptom of their own to date the incident by.
        signals=["degraded_origin", best.signal] if place == 0 else ["degraded_origin"],
        strength=round(max(0.3, 0.95 - 0.2 * place - (0.1 if c.remote else 0.0)), 3),
        facts={
            "sustained": True,
            "path": c.path,
            "callees": below,
            "signal": best.signal,
            "share": round(c.share, 3),
            "correlation": round(c.corr, 3),
            "median": best.median,
            "peak": v,
            "history_points": best.history_points,
            "remote": c.remote,
        },
    )
