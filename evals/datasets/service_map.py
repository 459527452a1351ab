"""Synthetic X-Ray segment documents that follow a call graph and agree with per-node metrics.

For each time step we know, per node, its request count, latency distribution and availability, and
the call graph's edges; X-Ray would have recorded a sample of the requests. We draw a bounded number of
sampled requests per step from the entry points (nodes nobody traced calls), and let every visit call
its callees as often, on average, as the request counts say: a callee's requests are split among its
active callers in proportion to their own volume. Durations are drawn from each node's distribution
for that step, coupled so that a slow visit makes slow calls, and faults follow availability: a
node whose callee faulted faults with just the probability that, together with its own unexplained
faults, reproduces its availability. Every edge active in a step is drawn at least once in that step,
so the service graph of any step shows the whole active call graph.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evals.datasets.latency import Distribution
from evals.datasets.petshop_files import MetricsTable
from evals.datasets.petshop_nodes import Node

TRACES_PER_STEP = 20  # sampled requests per step, before the calls added so that every edge shows
MAX_CALLS_PER_VISIT = 3  # keeps one trace small when a node calls another many times per request
MAX_DEPTH = 12
DEFAULT_DURATION = 0.001  # seconds, for a node with requests but no latency figures

LatencyOf = Callable[[str, int], Distribution | None]


@dataclass
class _Step:
    """What one time step's requests look like."""

    row: int
    start: int
    period: int
    entries: dict[str, float]  # node -> requests arriving from outside the traced graph
    calls: dict[tuple[str, str], float]  # (caller, callee) -> expected calls per visit of the caller
    propagate: dict[str, float]  # node -> P(fault | one of its calls faulted)
    own: dict[str, float]  # node -> P(fault | none of its calls faulted)


def _plan(
    nodes: dict[str, Node],
    parents: dict[str, list[str]],
    children: dict[str, list[str]],
    table: MetricsTable,
    row: int,
) -> _Step:
    requests = {c: table.value(c, "requests", "Sum", row) or 0.0 for c in nodes}
    active = {c for c, r in requests.items() if r > 0}
    entries: dict[str, float] = {}
    calls: dict[tuple[str, str], float] = {}
    for v in sorted(active):
        if nodes[v].kind == "client":
            continue
        clients = [u for u in parents[v] if u in active and nodes[u].kind == "client"]
        callers = [u for u in parents[v] if u in active and nodes[u].kind != "client" and u != v]
        from_clients = sum(requests[u] for u in clients)
        from_callers = sum(requests[u] for u in callers)
        # Client calls are counted by the client node; never so many that traced callers get none.
        share = requests[v] * from_clients / (from_clients + from_callers) if callers else requests[v]
        entry = min(from_clients, share) if callers else requests[v]
        if entry > 0:
            entries[v] = entry
        for u in callers:
            # v's remaining requests split over callers by volume: per visit of u that is rest / total.
            calls[(u, v)] = (requests[v] - entry) / from_callers
    fault = {}
    for c in nodes:
        availability = table.value(c, "availability", "Average", row)
        fault[c] = (
            0.0 if availability is None or c not in active else max(0.0, (100.0 - availability) / 100.0)
        )
    propagate, own = {}, {}
    for c in nodes:
        clean = 1.0
        for child in children[c]:
            m = calls.get((c, child), 0.0)
            clean *= (1.0 - fault[child]) ** min(m, MAX_CALLS_PER_VISIT)
        q = 1.0 - clean
        propagate[c] = min(1.0, fault[c] / q) if q > 0 else 0.0
        own[c] = max(0.0, fault[c] - q) / (1.0 - q) if q < 1 else 0.0
    return _Step(row, table.timestamps[row], table.period, entries, calls, propagate, own)


@dataclass
class _Trace:
    """Builds one trace's segment documents."""

    nodes: dict[str, Node]
    children: dict[str, list[str]]
    step: _Step
    latency: LatencyOf
    rng: random.Random
    trace_id: str
    docs: list[dict[str, Any]] = field(default_factory=list)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def _id(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def _duration(self, component: str, level: float) -> float:
        dist = self.latency(component, self.step.row)
        base = DEFAULT_DURATION if dist is None else dist.quantile(level)
        return max(base, 1e-6) * self.rng.uniform(0.95, 1.05)

    def _callees(
        self, component: str, path: list[str], only: list[str] | None
    ) -> list[tuple[str, list[str] | None]]:
        if only:
            return [(only[0], only[1:])]
        if len(path) >= MAX_DEPTH:
            return []
        out: list[tuple[str, list[str] | None]] = []
        for child in self.children[component]:
            m = self.step.calls.get((component, child), 0.0)
            if m <= 0 or child in path:
                continue
            n = math.floor(m) + (1 if self.rng.random() < m - math.floor(m) else 0)
            out.extend((child, None) for _ in range(min(n, MAX_CALLS_PER_VISIT)))
        return out

    def visit(
        self,
        component: str,
        start: float,
        parent_id: str | None,
        path: list[str],
        only: list[str] | None = None,
        level: float | None = None,
    ) -> tuple[float, bool]:
        """Record a visit of `component` (its calls first); return its end time and whether it faulted.

        `only` restricts the visit to one path of calls (the rest of the path); an empty list means the
        last node of the path, which then makes its usual calls. `level` is the visit's latency quantile:
        a callee's is its caller's give or take a little, so slow requests are slow all the way down
        while each node's durations keep that node's own distribution."""
        node = self.nodes[component]
        seg_id = self._id()
        level = self.rng.random() if level is None else level
        end = start + self._duration(component, level)
        subsegments = []
        called_fault = False
        for child, rest in self._callees(component, [*path, component], only):
            call_start = self.rng.uniform(start, start + 0.2 * (end - start))
            sub_id = self._id()
            child_level = min(1.0, max(0.0, level + self.rng.uniform(-0.05, 0.05)))
            child_end, child_fault = self.visit(
                child, call_start, sub_id, [*path, component], rest, child_level
            )
            callee = self.nodes[child]
            sub: dict[str, Any] = {
                "id": sub_id,
                "name": callee.name,
                "start_time": round(call_start, 6),
                # A callee that outlasts its caller's visit was called without waiting (a state machine
                # started, a message sent): the call's subsegment ends with the caller.
                "end_time": round(min(child_end, end), 6),
                "namespace": callee.namespace,
                "http": {"response": {"status": 500 if child_fault else 200}},
            }
            if callee.type == "AWS::DynamoDB::Table":
                sub["aws"] = {"table_name": callee.name}
            elif callee.type == "Database::SQL":
                sub["sql"] = {"url": callee.name.split("@")[-1]}
            if child_fault:
                sub["fault"] = True
            subsegments.append(sub)
            self.edges.add((component, child))
            called_fault = called_fault or child_fault
        chance = self.step.propagate[component] if called_fault else self.step.own[component]
        fault = self.rng.random() < chance
        doc: dict[str, Any] = {
            "id": seg_id,
            "trace_id": self.trace_id,
            "name": node.name,
            "start_time": round(start, 6),
            "end_time": round(end, 6),
            "http": {"response": {"status": 500 if fault else 200}},
        }
        if node.type:
            doc["origin"] = node.type
        if parent_id is not None:
            doc["parent_id"] = parent_id
        if node.kind == "inferred":
            doc["inferred"] = True  # X-Ray infers this node from its callers' subsegments
        if fault:
            doc["fault"] = True
        if subsegments:
            doc["subsegments"] = subsegments
        self.docs.append(doc)
        return end, fault


def _allocate(entries: dict[str, float], total: int) -> dict[str, int]:
    """Sampled requests per entry point: at least one each, the rest by volume (largest remainder)."""
    names = sorted(entries)
    base = dict.fromkeys(names, 1)
    spare = total - len(names)
    if spare <= 0:
        return base
    volume = sum(entries.values())
    shares = {n: spare * entries[n] / volume for n in names}
    for n in names:
        base[n] += math.floor(shares[n])
    left = spare - sum(math.floor(s) for s in shares.values())
    for n in sorted(names, key=lambda n: (-(shares[n] - math.floor(shares[n])), n))[:left]:
        base[n] += 1
    return base


def _path(step: _Step, target: str) -> list[str] | None:
    """A shortest chain of active calls from an entry point to `target` (entry first)."""
    queue = deque([[e] for e in sorted(step.entries)])
    seen = set(step.entries)
    while queue:
        chain = queue.popleft()
        if chain[-1] == target:
            return chain
        for (u, v), m in sorted(step.calls.items()):
            if u == chain[-1] and m > 0 and v not in seen:
                seen.add(v)
                queue.append([*chain, v])
    return None


def synthesize(
    nodes: dict[str, Node],
    edges: list[tuple[str, str]],
    table: MetricsTable,
    latency: LatencyOf,
    seed: str,
    *,
    per_step: int = TRACES_PER_STEP,
) -> list[dict[str, Any]]:
    """Segment documents for every step of `table`, oldest first."""
    rng = random.Random(seed)
    children: dict[str, list[str]] = {c: [] for c in nodes}
    parents: dict[str, list[str]] = {c: [] for c in nodes}
    for u, v in edges:
        if u in nodes and v in nodes and nodes[v].kind != "client" and v not in children[u]:
            children[u].append(v)
            parents[v].append(u)
    docs: list[dict[str, Any]] = []
    for row in range(len(table.timestamps)):
        step = _plan(nodes, parents, children, table, row)
        seen: set[tuple[str, str]] = set()

        def trace(
            root: str, only: list[str] | None, step: _Step = step, seen: set[tuple[str, str]] = seen
        ) -> None:
            start = step.start + rng.uniform(0.0, step.period - 1.0)
            tid = f"1-{int(start):08x}-{rng.getrandbits(96):024x}"
            builder = _Trace(nodes, children, step, latency, rng, tid)
            builder.visit(root, start, None, [], only)
            docs.extend(builder.docs)
            seen.update(builder.edges)

        for entry, count in _allocate(step.entries, per_step).items():
            for _ in range(count):
                trace(entry, None)
        for u, v in sorted(step.calls):
            if (u, v) in seen or step.calls[(u, v)] <= 0:
                continue
            chain = _path(step, u)
            if chain is not None:
                trace(chain[0], [*chain[1:], v])
    docs.sort(key=lambda d: (d["start_time"], d["trace_id"]))
    return docs
