"""X-Ray segment documents for sampled requests, with normal (log-normal) latency and rare errors.

A scenario changes what a dependency does from some instant by giving `request_traces` a hook that
returns an `Outcome` for that call; everything else stays ordinary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios.account import Instance, Service
from evals.scenarios.baseline import Traffic, poisson
from evals.scenarios.incident import Incident
from evals.scenarios.logs import ROUTES, THIRD_PARTIES


@dataclass
class Outcome:
    """What one downstream call did: extra latency, and an error to record (fault: 5xx-type)."""

    extra_ms: float = 0.0
    fault: bool = False
    throttle: bool = False
    exception: str = ""
    message: str = ""
    status: int | None = None


@dataclass
class Dependency:
    """A downstream the service calls: the database, a Lambda function, or a third-party API."""

    kind: str  # "sql" | "lambda" | "http"
    name: str
    median_ms: float
    probability: float = 1.0
    detail: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[datetime, Instance, Dependency], Outcome | None]


def dependencies(inc: Incident, svc: Service) -> list[Dependency]:
    """What a web tier calls per request: its database, sometimes a third party."""
    acct, rng = inc.account, inc.rng
    db = acct.database
    deps = [
        Dependency(
            "sql",
            f"{acct.product.replace('-', '_')}@{db.cluster_id}",
            rng.uniform(1.5, 6),
            0.95,
            {
                "url": f"{db.endpoint}:{db.port}",
                "database_type": "MySQL",
                "database_version": db.engine_version.split(".mysql")[0],
                "user": "app",
                "driver_version": rng.choice(["mysql-connector-j-8.3.0", "PyMySQL 1.1.0"]),
            },
        )
    ]
    if svc is acct.services[0]:
        deps.append(Dependency("http", rng.choice(THIRD_PARTIES), rng.uniform(60, 180), 0.15))
    return deps


def request_traces(
    inc: Incident,
    traffic: Traffic,
    svc: Service,
    deps: list[Dependency],
    hook: Hook | None = None,
    *,
    per_minute: float = 1.5,
    app_ms: float | None = None,
) -> None:
    """Sampled request traces for one web tier; `hook` may change any downstream call's outcome."""
    rng, w, acct = inc.rng, inc.window, inc.account
    peak = max(traffic.rpm[svc.name]) or 1.0
    own_ms = app_ms if app_ms is not None else rng.uniform(8, 40)
    name = f"{acct.product}-{svc.name}"
    for i, minute in w.grid():
        alive = svc.alive(minute)
        if not alive:
            continue
        for _ in range(poisson(rng, per_minute * (0.4 + 0.6 * traffic.rpm[svc.name][i] / peak))):
            start = minute + timedelta(milliseconds=rng.randrange(60000))
            inst = rng.choice(alive)
            inc.traces.append(_request(inc, svc, inst, name, start, own_ms, deps, hook))


def _request(
    inc: Incident,
    svc: Service,
    inst: Instance,
    name: str,
    start: datetime,
    own_ms: float,
    deps: list[Dependency],
    hook: Hook | None,
) -> dict[str, Any]:
    rng, ids = inc.rng, inc.account.ids
    t0 = start.timestamp()
    cursor = t0 + rng.lognormvariate(0, 0.5) * own_ms / 2000
    subs: list[dict[str, Any]] = []
    fault = error = throttle = False
    status = 200
    cause: dict[str, Any] | None = None
    for dep in deps:
        if rng.random() > dep.probability:
            continue
        outcome = (hook(start, inst, dep) if hook else None) or Outcome()
        ms = dep.median_ms * rng.lognormvariate(0, 0.35) + outcome.extra_ms
        sub = _subsegment(inc, dep, cursor, cursor + ms / 1000, outcome)
        subs.append(sub)
        cursor += ms / 1000
        if outcome.fault or outcome.throttle:
            fault = True
            throttle = throttle or outcome.throttle
            status = outcome.status if outcome.status and outcome.status >= 500 else 500
            cause = {
                "working_directory": "/app",
                "exceptions": [
                    {
                        "id": ids.segment_id(),
                        "type": outcome.exception,
                        "message": outcome.message,
                        "remote": True,
                    }
                ],
            }
            break
    if not fault and rng.random() < 0.01:
        error, status = True, rng.choice([400, 404, 409, 422])
    end = cursor + rng.lognormvariate(0, 0.4) * own_ms / 2000
    seg: dict[str, Any] = {
        "id": ids.segment_id(),
        "trace_id": ids.trace_id(t0),
        "name": name,
        "start_time": round(t0, 6),
        "end_time": round(end, 6),
        "origin": "AWS::EC2::Instance",
        "aws": {
            "ec2": {
                "instance_id": inst.id,
                "availability_zone": inst.az,
                "instance_size": inst.instance_type,
                "ami_id": svc.image_id,
            },
            "xray": {"sdk": "X-Ray for Java", "sdk_version": "2.15.1"},
        },
        "http": {
            "request": {
                "method": rng.choice(["GET", "GET", "POST"]),
                "url": f"https://{inc.account.product}.example.com{rng.choice(ROUTES).split()[1]}",
                "client_ip": ids.public_ip(),
                "x_forwarded_for": True,
            },
            "response": {"status": status, "content_length": rng.randrange(200, 40000)},
        },
        "subsegments": subs,
    }
    if fault:
        seg["fault"] = True
    if error:
        seg["error"] = True
    if throttle:
        seg["throttle"] = True
    if cause:
        seg["cause"] = cause
    return seg


def _subsegment(inc: Incident, dep: Dependency, start: float, end: float, outcome: Outcome) -> dict[str, Any]:
    sub: dict[str, Any] = {
        "id": inc.account.ids.segment_id(),
        "name": dep.name,
        "start_time": round(start, 6),
        "end_time": round(end, 6),
    }
    if dep.kind == "sql":
        sub["namespace"] = "remote"
        sub["sql"] = {**dep.detail, "sanitized_query": "SELECT * FROM orders WHERE id = ?"}
    elif dep.kind == "lambda":
        sub["namespace"] = "aws"
        sub["aws"] = {
            "operation": "Invoke",
            "function_name": dep.name,
            "region": inc.account.region,
            "request_id": inc.account.ids.uuid(),
            "resource_names": [dep.name],
        }
        sub["http"] = {"response": {"status": outcome.status or 200}}
    else:
        sub["namespace"] = "remote"
        sub["http"] = {
            "request": {"method": "POST", "url": f"https://{dep.name}/v1/"},
            "response": {"status": outcome.status or 200},
        }
    if outcome.throttle:
        sub["throttle"] = True
        sub["error"] = True
    elif outcome.fault:
        sub["fault"] = True
    if outcome.exception:
        sub["cause"] = {
            "exceptions": [
                {
                    "id": inc.account.ids.segment_id(),
                    "type": outcome.exception,
                    "message": outcome.message,
                    "remote": True,
                }
            ]
        }
    return sub
