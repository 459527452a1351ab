"""Resources beyond the standard account (tables, NAT gateways, ECS, parameters) for some scenarios.

The shared framework renders only the standard account; `ExtendedIncident` adds the items a
scenario creates (in their botocore shapes) and the EC2 status checks of running instances, which
the replay refuses to invent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from evals.bundle import Bundle
from evals.scenarios.account import Account, Service
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.incident import Incident
from evals.scenarios.series import Series
from evals.scenarios.window import Window

PASSED = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}


@dataclass
class ExtendedIncident(Incident):
    """An Incident whose bundle also holds `extra` resources and every running instance's status."""

    extra: list[dict[str, Any]] = field(default_factory=list)
    impaired: set[str] = field(default_factory=set)  # instances whose instance status check fails

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
        self.extra.append({"service": service, "type": type_, "item": item})
        return item

    def bundle(self) -> Bundle:
        base = super().bundle()
        rows = {kind: list(base.records(kind)) for kind in base.kinds()}
        rows["resources"] = [*rows.get("resources", []), *self.extra, *self._statuses()]
        return Bundle(base.manifest, rows)

    def _statuses(self) -> list[dict[str, Any]]:
        now = self.window.now
        out = []
        for inst in self.account.instances():
            if not inst.alive(now):
                continue
            instance_status = (
                {"Status": "impaired", "Details": [{"Name": "reachability", "Status": "failed"}]}
                if inst.id in self.impaired
                else PASSED
            )
            item = {
                "InstanceId": inst.id,
                "AvailabilityZone": inst.az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": instance_status,
                "SystemStatus": PASSED,
            }
            out.append({"service": "ec2", "type": "InstanceStatus", "item": item})
        return out


def new_incident(
    rng: random.Random, title: str, *, services: int = 2, functions: int = 2, **window: tuple[int, int]
) -> ExtendedIncident:
    """`assembly.new_incident`, returning an ExtendedIncident."""
    w = Window.draw(rng, **window)
    acct = Account.draw(rng, w, services=services, functions=functions)
    return ExtendedIncident(rng=rng, window=w, account=acct, title=title)


def series(
    inc: Incident,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    values: list[float | None],
    resource: str,
    *,
    decimals: int = 2,
    sparse: bool = False,
) -> Series:
    """Add one metric series of a resource the standard baseline does not know."""
    return inc.add(
        Series(namespace, metric, dims, unit, values, resource=resource, decimals=decimals, sparse=sparse)
    )


LATENCY_STEPS = [0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0]


def latency_alarm(inc: Incident, svc: Service, *, margin: float = 2.5) -> AlarmSpec:
    """A latency alarm tuned the way teams tune theirs: a round number `margin` times their usual worst.

    The standard alarm's fixed 1-2 s suits slow apps; a fast one alarms well below that.
    """
    w = inc.window
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": inc.account.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    onset_i = w.index(w.onset)
    usual = max(v for v in lat.values[max(0, onset_i - 180) : onset_i] if v is not None)
    threshold = next((s for s in LATENCY_STEPS if s >= usual * margin), LATENCY_STEPS[-1])
    return AlarmSpec(
        f"{svc.tg_name}-latency",
        lat,
        "Average",
        60,
        threshold,
        "GreaterThanThreshold",
        5,
        inc.rng.choice([3, 4]),
        "missing",
        f"{svc.name} is slow",
    )
