"""The incident under construction: every record a scenario generates, rendered into a Bundle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.bundle.model import FORMAT, Trigger, Truth
from evals.scenarios.account import Account, iso
from evals.scenarios.series import Series
from evals.scenarios.window import Window

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class Hop:
    """One step of the failure signature: what shows the fault at `resource`, from `at` on."""

    label: str
    resource: str
    at: datetime
    series: SeriesKey | None = None
    direction: int = 1  # +1: the metric rises at this hop, -1: it falls


@dataclass
class Incident:
    """Collects records as AWS would hold them; `bundle()` renders what exists at `window.now`."""

    rng: random.Random
    window: Window
    account: Account
    title: str = ""
    series: dict[SeriesKey, Series] = field(default_factory=dict)
    logs: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)
    cloudtrail: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[datetime, str, dict[str, Any]]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    alarm_history: list[dict[str, Any]] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    trigger: Trigger = field(default_factory=Trigger)
    truth: Truth | None = None
    instance_logs: bool = True
    protected: set[str] = field(default_factory=set)  # resources innocent changes must not touch
    log_style: dict[str, str] = field(default_factory=dict)  # service name -> "json" | "text"

    # --- metrics ----------------------------------------------------------------------------------

    def add(self, s: Series) -> Series:
        self.series[s.key()] = s
        return s

    def get(self, namespace: str, metric: str, **dims: str) -> Series:
        return self.series[(namespace, metric, tuple(sorted(dims.items())))]

    def find(self, namespace: str, metric: str, **dims: str) -> list[Series]:
        """Every series of that metric whose dimensions include `dims`."""
        return [
            s
            for (ns, m, _), s in self.series.items()
            if ns == namespace and m == metric and all(s.dimensions.get(k) == v for k, v in dims.items())
        ]

    # --- other records ----------------------------------------------------------------------------

    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": int(when.timestamp() * 1000),
                "message": message,
            }
        )

    def event(self, when: datetime, source: str, item: dict[str, Any]) -> None:
        self.events.append((when, source, item))

    def hop(
        self, label: str, resource: str, at: datetime, series: Series | None = None, direction: int = 1
    ) -> datetime:
        self.hops.append(Hop(label, resource, at, series.key() if series else None, direction))
        return at

    # --- rendering --------------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        return Manifest(
            format=FORMAT,
            title=self.title,
            account_id=self.account.account_id,
            region=self.account.region,
            start=self.window.start,
            end=self.window.now,
            now=self.window.now,
            trigger=self.trigger,
            truth=self.truth,
        )

    def bundle(self) -> Bundle:
        from evals.scenarios.inventory import resource_records

        now = self.window.now
        now_ms = int(now.timestamp() * 1000)
        metrics = []
        for s in self.series.values():
            for i, value in enumerate(s.values):
                if value is None or (s.sparse and round(value) == 0):
                    continue
                metrics.append(
                    {
                        "namespace": s.namespace,
                        "metric": s.metric,
                        "dimensions": s.dimensions,
                        "timestamp": iso(self.window.at(i)),
                        "unit": s.unit,
                        "value": round(value, s.decimals) if s.decimals else float(round(value)),
                    }
                )
        logs = sorted(
            (r for r in self.logs if r["timestamp"] <= now_ms), key=lambda r: (r["log_group"], r["timestamp"])
        )
        traces = sorted(
            (t for t in self.traces if t["end_time"] <= now.timestamp()),
            key=lambda t: (t["start_time"], t["id"]),
        )
        trail = sorted(
            (r for r in self.cloudtrail if r["eventTime"] <= iso(now)), key=lambda r: r["eventTime"]
        )
        events = [
            {"source": src, "item": item}
            for when, src, item in sorted((e for e in self.events if e[0] <= now), key=lambda e: (e[0], e[1]))
        ]
        records: dict[str, list[Any]] = {
            "metrics": metrics,
            "logs": logs,
            "traces": traces,
            "cloudtrail": trail,
            "resources": resource_records(self.account, instance_logs=self.instance_logs),
            "events": events,
            "alarms": self.alarms,
            "alarm_history": self.alarm_history,
        }
        return Bundle(self.manifest(), {k: v for k, v in records.items() if v})
