"""#18 A Parameter Store feature flag was switched on, raising latency and errors.

The web tier reads its feature flags from Parameter Store and refreshes them every few minutes.
Someone turns a flag on; as each instance picks the new value up, the requests that take the new
code path run extra, unindexed queries: database CPU and query latency rise, those requests slow
down, and some hit the statement timeout and fail with 5XX. No deploy, no infrastructure change.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance, iso
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._extra_resources import ExtendedIncident, latency_alarm, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} got slow around {t} and now some requests fail. Nobody deployed anything. What happened?",
    "Latency and 5XX on {product} since {t}. What changed?",
    "Why is {svc} erroring since {t}? The database looks busier than usual too.",
]
FLAGS = [
    "recommendations_v2",
    "fuzzy_search",
    "personalized_pricing",
    "inline_stock_check",
    "order_history_widget",
    "related_items",
    "loyalty_points_preview",
    "new_checkout_summary",
]
TIMEOUT_ERRORS = [
    ("MySQLTimeoutException", "Statement cancelled due to timeout or client request"),
    (
        "OperationalError",
        "(3024, 'Query execution was interrupted, maximum statement execution time exceeded')",
    ),
    ("SQLTimeoutException", "Timeout after {ms}ms of waiting for a query result"),
]


@scenario(
    18,
    "feature-flag-change",
    "A Parameter Store feature flag raised latency and errors",
    "A PutParameter turns a flag on; instances pick it up and run a heavier query path; DB load and 5XX rise.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc, db = acct.services[0], acct.database
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)

    prefix = rng.choice(
        [f"/{acct.product}/{svc.name}/flags", f"/{acct.env}/{svc.name}/feature", f"/{acct.product}/features"]
    )
    flags = rng.sample(FLAGS, rng.randrange(3, 6))
    flag = flags[0]
    name = f"{prefix}/{flag}"
    old, new = rng.choice([("false", "true"), ("off", "on"), ("0", "100"), ("0", "50")])
    version = rng.randrange(2, 30)
    arn = f"arn:aws:ssm:{acct.region}:{acct.account_id}:parameter{name}"
    inc.protected.add(arn)
    actor = rng.choice([*cloudtrail.people(inc, 3), cloudtrail.ci_actor(inc)])
    change = cloudtrail.record(
        inc,
        actor,
        w.onset,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": name, "type": "String", "overwrite": True},
        {"version": version + 1, "tier": "Standard"},
    )
    for k, other in enumerate(flags):
        changed = other == flag
        inc.resource(
            "ssm",
            "Parameter",
            {
                "Name": f"{prefix}/{other}",
                "Type": "String",
                "Value": new if changed else rng.choice(["true", "false", "off", "0"]),
                "Version": version + 1 if changed else rng.randrange(1, 20),
                "LastModifiedDate": iso(
                    w.onset if changed else w.start - timedelta(days=rng.randrange(2, 200), seconds=k)
                ),
                "ARN": f"arn:aws:ssm:{acct.region}:{acct.account_id}:parameter{prefix}/{other}",
                "DataType": "text",
            },
        )
    inc.hop("feature flag changed", arn, w.onset)

    # Each instance refreshes its flags on its own schedule.
    refresh = rng.choice([60, 120, 300])
    switched = {i.id: w.onset + timedelta(seconds=rng.uniform(1, refresh)) for i in svc.alive(w.onset)}
    onset_i = w.index(w.onset)
    share = rng.uniform(0.2, 0.6)  # requests that take the flagged code path
    extra_ms = rng.uniform(700, 2500)
    fail = rng.uniform(0.04, 0.15)
    timeout_ms = rng.choice([3000, 5000, 10000])
    n = len(switched)
    on = [0.0] * w.minutes
    for i in range(onset_i, w.minutes):
        end = w.at(i + 1)
        on[i] = sum(1 for t in switched.values() if t < end) / n
    first = min(switched.values())

    db_cpu = inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer)
    heavy = rng.uniform(20, 40)
    for m in db.members:
        weight = 1.0 if m == db.writer else 0.5
        cpu = inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=m)
        sel = inc.get("AWS/RDS", "SelectLatency", DBInstanceIdentifier=m)
        q = inc.get("AWS/RDS", "Queries", DBInstanceIdentifier=m)
        for i in range(onset_i, w.minutes):
            load = on[i] * share * weight
            cpu.values[i] = min(99.0, (cpu.values[i] or 5.0) + heavy * load * rng.uniform(0.9, 1.1))
            sel.values[i] = (sel.values[i] or 0.5) * (1 + 8 * load)
            q.values[i] = (q.values[i] or 1.0) * (1 + 0.6 * load)
    inc.hop("database CPU rises", db.instance_arn(acct, db.writer), first, db_cpu)

    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        lat.values[i] = (lat.values[i] or 0.1) + on[i] * share * extra_ms / 1000 * rng.uniform(0.85, 1.15)
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, rpm[i] * on[i] * share * fail))
    refresh_alb_latency(inc, traffic)
    inc.hop("web tier latency and 5XX rise", svc.tg_arn, w.same_minute(first, rng, (1, 20)), lat)
    _app_logs(inc, svc, traffic, switched, on, (flag, old, new, version + 1, share * fail, timeout_ms))

    alive = {i.id for i in svc.alive(w.onset)}

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.kind != "sql" or inst.id not in alive or when < switched[inst.id]:
            return None
        if rng.random() > share:
            return None
        if rng.random() < fail:
            kind, msg = rng.choice(TIMEOUT_ERRORS)
            return Outcome(
                extra_ms=timeout_ms, fault=True, exception=kind, message=msg.format(ms=timeout_ms), status=500
            )
        return Outcome(extra_ms=extra_ms * rng.uniform(0.6, 1.4))

    topic = assembly.background(
        inc,
        traffic,
        near=["ssm_parameter", "function_code", "db_parameter", "launch_template_version"],
        hook=hook,
    )
    _other_parameters(inc, prefix)
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": latency_alarm(inc, svc, margin=2.0)})
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["latency", "target_5xx", "db_cpu", "elb_5xx"], w.onset, question)
    inc.title = f"{svc.name} slow and failing after feature flag {flag} was turned on"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=arn,
            category="change",
            failure_mode="config-parameter-change",
            event_id=change["eventID"],
        ),
        also_accept=[svc.asg_arn],
        actions=["rollback"],
        chain=[
            f"{actor.name} set parameter {name} from {old} to {new} (version {version + 1})",
            f"{svc.name} instances reload their flags within {refresh}s; {share:.0%} of requests take the new "
            "code path with extra, unindexed queries",
            f"{db.writer} CPU and query latency rise; those requests slow down and some hit the "
            f"{timeout_ms // 1000}s statement timeout",
            f"{svc.name} latency and 5XX rise",
        ],
    )
    return inc


def _app_logs(
    inc: Incident,
    svc: Any,
    traffic: Traffic,
    switched: dict[str, datetime],
    on: list[float],
    story: tuple[str, str, str, int, float, int],
) -> None:
    rng, w = inc.rng, inc.window
    flag, old, new, version, fail, timeout_ms = story
    verbose = rng.random() < 0.6  # some apps log which flag changed, others only that they reloaded
    by_id = {i.id: i for i in svc.instances}
    for inst_id, when in switched.items():
        inst = by_id[inst_id]
        count = rng.randrange(6, 25)
        logs.app_line(inc, svc, inst, when, "INFO", f"Refreshed {count} parameters from Parameter Store")
        if verbose:
            logs.app_line(
                inc,
                svc,
                inst,
                when + timedelta(milliseconds=rng.randrange(2, 40)),
                "INFO",
                f"Feature flag '{flag}' changed: {old} -> {new} (version {version})",
            )
    for i in range(w.index(w.onset), w.minutes):
        for inst in svc.alive(w.at(i)):
            if inst.id not in switched or switched[inst.id] >= w.at(i + 1):
                continue
            per = traffic.rpm[svc.name][i] / max(1, len(svc.alive(w.at(i))))
            for _ in range(min(poisson(rng, per * fail), 8)):
                t = max(w.at(i) + timedelta(milliseconds=rng.randrange(60000)), switched[inst.id])
                kind, message = rng.choice(TIMEOUT_ERRORS)
                logs.app_line(
                    inc, svc, inst, t, "ERROR", f"Request failed: {kind}: {message.format(ms=timeout_ms)}"
                )


def _other_parameters(inc: ExtendedIncident, prefix: str) -> None:
    """The parameters innocent PutParameter calls wrote exist too (as Parameter Store holds them)."""
    acct = inc.account
    for rec in inc.cloudtrail:
        if rec["eventName"] != "PutParameter" or rec["requestParameters"]["name"].startswith(prefix):
            continue
        name = rec["requestParameters"]["name"]
        inc.resource(
            "ssm",
            "Parameter",
            {
                "Name": name,
                "Type": "String",
                "Value": inc.rng.choice(["https://docs.example.com", "support@example.com", "Holiday hours"]),
                "Version": rec["responseElements"]["version"],
                "LastModifiedDate": rec["eventTime"],
                "ARN": f"arn:aws:ssm:{acct.region}:{acct.account_id}:parameter{name}",
                "DataType": "text",
            },
        )
