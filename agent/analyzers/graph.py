"""Where along the call graph a degradation begins: the deepest degraded service whose callees are fine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from agent.analyzers import Draft

# Symptoms that travel up a call graph: a slow or failing callee makes its callers slow or failing.
PROPAGATING = ("latency_up", "error_rate_up")


class Degraded(BaseModel):
    """One component's sustained degradation, as the metric analyzers found it."""

    node: str
    signal: str
    start: datetime | None
    strength: float
    summary: str


def origins(degraded: list[Degraded], calls: Iterable[tuple[str, str]], entry: list[str]) -> list[Draft]:
    """Degraded components none of whose (transitive) callees shows the same degradation, among those
    the entry reaches through the call graph (every component when the entry is not in it).

    A slow database makes its service slow, which makes the front end slow: the front end and the
    service are symptoms, the database where it starts. Callees that publish no metrics cannot
    show a degradation, so a component calling only those is reported as an origin: what the
    metrics can show, not proof. A component in no known call at all is reported more weakly:
    nothing below it was looked at."""
    callees: dict[str, set[str]] = {}
    for caller, callee in calls:
        if caller != callee:
            callees.setdefault(caller, set()).add(callee)
    reach = _reachable(entry, callees) if any(e in callees for e in entry) else None
    by_signal: dict[str, dict[str, Degraded]] = {}
    for d in degraded:
        if d.signal in PROPAGATING:
            best = by_signal.setdefault(d.signal, {}).get(d.node)
            if best is None or d.strength > best.strength:
                by_signal[d.signal][d.node] = d
    drafts: list[Draft] = []
    for signal, nodes in by_signal.items():
        for node, d in sorted(nodes.items()):
            if reach is not None and node not in reach:
                continue
            below = _reachable([node], callees) - {node}
            if below & set(nodes):
                continue  # something it calls degraded the same way: it inherited this
            # In no call known at all (it calls nothing known and nothing known calls it), nothing was
            # checked below it: only its own degradation places the start here, a weaker argument than
            # callees seen healthy.
            alone = not below and not any(node in c for c in callees.values())
            callers = sorted(n for n in nodes if n != node and node in _reachable([n], callees))
            what = "latency rose" if signal == "latency_up" else "errors rose"
            drafts.append(
                Draft(
                    kind="metric_anomaly",
                    resource=node,
                    start=d.start,
                    end=None,
                    summary=(
                        f"{node}: {what} while none of the {len(below)} components it calls did"
                        + (f"; callers degraded after it: {', '.join(callers[:6])}" if callers else "")
                        + f" ({d.summary[:200]})"
                    ),
                    signals=["degraded_origin", signal],
                    strength=round(
                        min(0.95, d.strength * (0.8 + 0.05 * min(len(callers), 4))) * (0.6 if alone else 1.0),
                        3,
                    ),
                    facts={"callers": callers, "callees": sorted(below), "signal": signal},
                )
            )
    return drafts


def _reachable(starts: list[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
