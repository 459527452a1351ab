"""Steps every scenario shares: the ordinary account life around the fault, alarms and the trigger."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle.model import AlarmEvent, Trigger
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import cloudtrail, distractors, logs, platform_events, traces
from evals.scenarios.account import Account
from evals.scenarios.alarms import AlarmSpec, Transition
from evals.scenarios.baseline import Traffic
from evals.scenarios.incident import Incident
from evals.scenarios.window import Window


def new_incident(
    rng: random.Random, title: str, *, services: int = 2, functions: int = 2, **window: tuple[int, int]
) -> Incident:
    w = Window.draw(rng, **window)
    return Incident(
        rng=rng, window=w, account=Account.draw(rng, w, services=services, functions=functions), title=title
    )


def background(
    inc: Incident,
    traffic: Traffic,
    *,
    near: list[str],
    hook: traces.Hook | None = None,
    noise_exclude: tuple[str, ...] = (),
    extra_deps: list[traces.Dependency] | None = None,
) -> str:
    """Routine CloudTrail, innocent changes, unrelated noise, logs and traces. Returns the SNS topic."""
    topic = alarm_lib.sns_topic(inc)
    cloudtrail.routine_activity(inc)
    distractors.innocent_changes(inc, near)
    distractors.unrelated_noise(inc, topic, exclude=noise_exclude)
    platform_events.baseline_target_health(inc)
    platform_events.routine_rds_events(inc)
    if inc.instance_logs:
        logs.app_logs(inc, traffic)
    logs.rds_logs(inc)
    logs.lambda_logs(inc)
    for svc in inc.account.services:
        deps = traces.dependencies(inc, svc)
        if svc is inc.account.services[0]:
            deps += extra_deps or []
        rate = 1.5 if svc is inc.account.services[0] else 0.5
        traces.request_traces(inc, traffic, svc, deps, hook, per_minute=rate)
    return topic


def standard_alarms(
    inc: Incident, topic: str, *, replace: dict[str, AlarmSpec] | None = None
) -> dict[str, tuple[AlarmSpec, list[Transition]]]:
    """The alarms a team typically has: ALB 5XX and latency, unhealthy hosts, DB CPU and connections,
    Lambda throttles (keyed "throttles:<function>").

    `replace` swaps in a differently tuned alarm for one of them (same name, same metric).
    """
    acct, rng = inc.account, inc.rng
    svc = acct.services[0]
    db = acct.database
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    specs = {
        "elb_5xx": AlarmSpec(
            f"{acct.alb_name}-5xx",
            inc.get("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", LoadBalancer=acct.alb_dimension),
            "Sum",
            60,
            float(rng.choice([10, 25, 50])),
            "GreaterThanThreshold",
            rng.choice([2, 3]),
            2,
            "notBreaching",
            "Load balancer is returning 5XX errors",
        ),
        "target_5xx": AlarmSpec(
            f"{svc.tg_name}-target-5xx",
            inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg),
            "Sum",
            60,
            float(rng.choice([20, 40, 60])),
            "GreaterThanThreshold",
            3,
            3,
            "notBreaching",
            f"{svc.name} targets are returning 5XX",
        ),
        "unhealthy": AlarmSpec(
            f"{svc.tg_name}-unhealthy-hosts",
            inc.get("AWS/ApplicationELB", "UnHealthyHostCount", **tg),
            "Maximum",
            60,
            0.0,
            "GreaterThanThreshold",
            2,
            2,
            "missing",
            f"Unhealthy {svc.name} targets",
        ),
        "latency": AlarmSpec(
            f"{svc.tg_name}-latency",
            inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg),
            "Average",
            60,
            float(rng.choice([1, 1.5, 2])),
            "GreaterThanThreshold",
            5,
            rng.choice([3, 4]),
            "missing",
            f"{svc.name} is slow",
        ),
        "db_cpu": AlarmSpec(
            f"{db.writer}-cpu",
            inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer),
            "Average",
            300,
            80.0,
            "GreaterThanThreshold",
            3,
            3,
            "missing",
            "Database writer CPU",
        ),
        "db_connections": AlarmSpec(
            f"{db.writer}-connections",
            inc.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=db.writer),
            "Maximum",
            60,
            float(int(db.max_connections * rng.choice([0.8, 0.9]))),
            "GreaterThanThreshold",
            3,
            3,
            "missing",
            "Database connections near max_connections",
        ),
    }
    for fn in acct.functions:
        specs[f"throttles:{fn.name}"] = AlarmSpec(
            f"{fn.name}-throttles",
            inc.get("AWS/Lambda", "Throttles", FunctionName=fn.name),
            "Sum",
            300,
            float(rng.choice([1, 5, 10])),
            "GreaterThanOrEqualToThreshold",
            1,
            1,
            "notBreaching",
            f"{fn.name} is throttled",
        )
    specs.update(replace or {})
    return {key: (spec, alarm_lib.add_alarm(inc, spec, topic)) for key, spec in specs.items()}


def alarm_trigger(
    inc: Incident,
    spec: AlarmSpec,
    transitions: list[Transition],
    after: datetime,
    question: str | None = None,
) -> Transition:
    """Make the first ALARM transition after `after` the incident's trigger (with an optional question)."""
    first = alarm_lib.first_alarm(transitions, after)
    if first is None:
        raise RuntimeError(
            f"alarm {spec.name} never fired after {after}; the scenario's signature is too weak"
        )
    event = AlarmEvent.model_validate(alarm_lib.alarm_event(inc, spec, transitions, first))
    inc.trigger = Trigger(
        question=question, alarm_event=event, timezone=asker_zone(inc) if question else None
    )
    return first


def pick_trigger(
    inc: Incident,
    alarms: dict[str, tuple[AlarmSpec, list[Transition]]],
    keys: list[str],
    after: datetime,
    question: str,
    ask: float = 0.6,
) -> None:
    """Trigger on one of the `keys` alarms that fired (with the question, with probability `ask`).

    If none fired (a mild case at a quiet hour), the person's question alone is the trigger.
    """
    fired = [k for k in keys if alarm_lib.first_alarm(alarms[k][1], after)]
    if not fired:
        inc.trigger = Trigger(question=question, timezone=asker_zone(inc))
        return
    spec, transitions = alarms[inc.rng.choice(fired)]
    alarm_trigger(inc, spec, transitions, after, question if inc.rng.random() < ask else None)


def asker_zone(inc: Incident) -> str:
    """The team's time zone as an offset: the clock the question's times are read on."""
    hours = inc.window.utc_offset_hours
    return f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"


def local_time(inc: Incident, when: datetime) -> str:
    """How a person in the team's time zone would say the time ("about 2:40pm", "around 14:40")."""
    local = when + timedelta(hours=inc.window.utc_offset_hours)
    minute = local.minute - local.minute % 5
    if inc.rng.random() < 0.5:
        hour = local.hour % 12 or 12
        return f"about {hour}:{minute:02d}{'am' if local.hour < 12 else 'pm'}"
    return f"around {local.hour:02d}:{minute:02d}"
