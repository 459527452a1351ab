"""events.jsonl items: target-health timelines, Auto Scaling activities and RDS events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.scenarios.account import Instance, Service, iso
from evals.scenarios.incident import Incident

HEALTH_REASONS = {
    "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "unhealthy-timeout": ("Target.Timeout", "Request timed out"),
    "unhealthy-code": ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"),
    "unhealthy-failed": ("Target.FailedHealthChecks", "Health checks failed"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
}


def target_health(inc: Incident, svc: Service, inst: Instance, when: datetime, state: str) -> None:
    """From `when` on, `inst` is `state` in the service's target group ("healthy", "unhealthy-timeout", ...)."""
    health: dict[str, str] = {"State": state.split("-")[0]}
    if state in HEALTH_REASONS:
        health["Reason"], health["Description"] = HEALTH_REASONS[state]
    inc.event(
        when,
        "target_health",
        {
            "target_group_arn": svc.tg_arn,
            "target": {"Id": inst.id, "Port": 8080, "AvailabilityZone": inst.az},
            "health": health,
            "timestamp": iso(when),
        },
    )


def healthy_lifecycle(inc: Incident, svc: Service, inst: Instance) -> datetime:
    """initial → healthy (→ draining at termination); returns when it turned healthy."""
    registered = inst.launched + timedelta(seconds=inc.rng.randrange(50, 90))
    healthy = registered + timedelta(seconds=5 * 30 + inc.rng.randrange(0, 30))  # 5 checks x 30 s
    target_health(inc, svc, inst, registered, "initial")
    target_health(inc, svc, inst, healthy, "healthy")
    return healthy


def baseline_target_health(inc: Incident) -> None:
    for svc in inc.account.services:
        for inst in svc.instances:
            if inst.launched < inc.window.start:
                target_health(inc, svc, inst, inst.launched + timedelta(minutes=4), "healthy")


def _activity(
    inc: Incident,
    svc: Service,
    when: datetime,
    description: str,
    cause: str,
    inst: Instance,
    seconds: tuple[int, int],
) -> None:
    end = when + timedelta(seconds=inc.rng.randrange(*seconds))
    inc.event(
        when,
        "autoscaling",
        {
            "ActivityId": inc.account.ids.uuid(),
            "AutoScalingGroupName": svc.asg_name,
            "AutoScalingGroupARN": svc.asg_arn,
            "Description": description,
            "Cause": cause,
            "StartTime": iso(when),
            "EndTime": iso(end),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": json.dumps({"Subnet ID": inst.subnet["SubnetId"], "Availability Zone": inst.az}),
        },
    )


def terminate_activity(inc: Incident, svc: Service, inst: Instance, when: datetime, cause: str) -> None:
    _activity(
        inc,
        svc,
        when,
        f"Terminating EC2 instance: {inst.id}",
        f"At {iso(when.replace(microsecond=0))} {cause}",
        inst,
        (40, 300),
    )


def launch_activity(inc: Incident, svc: Service, inst: Instance, when: datetime, cause: str) -> None:
    _activity(
        inc,
        svc,
        when,
        f"Launching a new EC2 instance: {inst.id}",
        f"At {iso(when.replace(microsecond=0))} {cause}",
        inst,
        (20, 60),
    )


UNHEALTHY_CAUSE = "an instance was taken out of service in response to an ELB system health check failure."
REPLACE_CAUSE = "an instance was launched in response to an unhealthy instance needing to be replaced."


def rds_event(
    inc: Incident,
    when: datetime,
    source_id: str,
    source_type: str,
    arn: str,
    message: str,
    categories: list[str],
) -> None:
    inc.event(
        when,
        "rds",
        {
            "SourceIdentifier": source_id,
            "SourceType": source_type,
            "Message": message,
            "EventCategories": categories,
            "Date": iso(when),
            "SourceArn": arn,
        },
    )


def routine_rds_events(inc: Incident) -> None:
    """The backup notices every Aurora cluster emits daily, if the backup window falls in the window."""
    db, w = inc.account.database, inc.window
    day = w.start.replace(hour=3, minute=10, second=0, microsecond=0)
    for when in (day, day + timedelta(days=1)):
        if w.start <= when < w.now:
            rds_event(
                inc,
                when + timedelta(seconds=inc.rng.randrange(5, 60)),
                db.cluster_id,
                "db-cluster",
                db.cluster_arn,
                "Backing up DB cluster",
                ["backup"],
            )
            rds_event(
                inc,
                when + timedelta(minutes=inc.rng.randrange(8, 25)),
                db.cluster_id,
                "db-cluster",
                db.cluster_arn,
                "Finished backing up DB cluster",
                ["backup"],
            )
