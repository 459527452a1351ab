"""No fault: the failed-executions alarm trips on Monday morning volume; the failure rate is unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzw import Pipeline, new_ctx

NAME = "claims-monday-unsupported-docs-page"
TITLE = "Paged for claims-doc-pipeline failed executions on Monday morning; are we losing documents?"
SUMMARY = (
    "A static failed-executions threshold trips as Monday's upload volume (weekend catch-up) rises; "
    "the failures are the usual small share of unreadable or password-protected uploads."
)


def build(seed: int) -> Bundle:
    c = new_ctx(seed, onset_hour=(13, 14), after_min=(35, 50), weekday=0, salt=NAME)
    share = c.rng.uniform(0.021, 0.026)
    p = Pipeline(c, base_per_min=c.rng.uniform(44, 52))
    n = p.names
    p.default_fail["classify"] = share

    def monday(t: datetime) -> float:
        # the weekend's uploads from the agent portal land Monday morning on top of the usual day
        local_h = (t.hour - 4) % 24 + t.minute / 60
        return 1.0 + (0.9 if 8 <= local_h <= 12 else 0.0) + (0.3 if 7 <= local_h < 8 else 0.0)

    p.volume = monday
    tz_offset = -4
    p.write_resources()
    p.simulate(tz_offset)
    p.standard_alarms()
    p.noise(["jordan.reyes@northfield-mutual.com", "priya.nair@northfield-mutual.com"])
    # Monday housekeeping: a scheduled Aurora snapshot copy and someone reviewing the alarm
    dev = c.identity_role(
        "AWSReservedSSO_ClaimsDeveloper_5f1c2a9e0b7d4e31", "jordan.reyes@northfield-mutual.com"
    )
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    tb = c.onset - timedelta(hours=2, minutes=c.rng.randint(0, 40))
    c.trail(
        tb,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        c.identity_role(
            "AWSBackupDefaultServiceRole",
            "AWSBackup-AWSBackupDefaultServiceRole",
            invoked_by="backup.amazonaws.com",
        ),
        {
            "dBClusterSnapshotIdentifier": f"awsbackup:job-{c.uid()}",
            "dBClusterIdentifier": n["cluster"],
            "tags": [{"key": "aws:backup:source-resource", "value": n["cluster"]}],
        },
        {
            "dBClusterIdentifier": n["cluster"],
            "status": "creating",
            "engine": "aurora-postgresql",
            "snapshotType": "manual",
            "percentProgress": 0,
            "storageEncrypted": True,
        },
        read_only=False,
    )
    tr = c.onset + timedelta(minutes=c.rng.randint(8, 16))
    for src, name, params in (
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": ["claims-doc-pipeline-executions-failed"]},
        ),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            {"alarmName": "claims-doc-pipeline-executions-failed", "historyItemType": "StateUpdate"},
        ),
        ("states.amazonaws.com", "ListExecutions", {"stateMachineArn": p.sm_arn, "statusFilter": "FAILED"}),
        (
            "states.amazonaws.com",
            "DescribeExecution",
            {"executionArn": c.arn("states", f"execution:{n['sm']}:{c.uid()}")},
        ),
        (
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": ["/aws/lambda/claims-doc-classify"],
                "queryString": "fields @timestamp, @message | filter @message like /ERROR/",
            },
        ),
    ):
        c.trail(
            tr,
            src,
            name,
            dev,
            params,
            None,
            read_only=name != "StartQuery",
            agent=console,
            ip="198.51.100.140",
        )
        tr += timedelta(seconds=c.rng.randint(20, 80))
    # a deploy on Friday afternoon would be outside the window; today a small config push to the portal
    tp = c.onset - timedelta(minutes=c.rng.randint(30, 55))
    c.trail(
        tp,
        "ssm.amazonaws.com",
        "PutParameter",
        c.identity_role("github-actions-deploy", f"GitHubActions-{c.hexid(10)}"),
        {"name": "/claims-portal/prod/feature-flags/new-upload-widget", "type": "String", "overwrite": True},
        {"version": c.rng.randint(4, 19), "tier": "Standard"},
        read_only=False,
        ip="52.234.17.90",
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/ssm#3.540.0",
    )
    trans = c.evaluate_alarms(p.topic_arn)
    fired = next((x for x in trans["claims-doc-pipeline-executions-failed"] if x[2] == "ALARM"), None)
    event = c.alarm_event("claims-doc-pipeline-executions-failed", fired[0], fired[3]) if fired else None
    local = (fired[0] if fired else c.onset) + timedelta(hours=tz_offset)
    q = (
        f"Got paged for claims-doc-pipeline-executions-failed at {local:%-I:%M} and it's been going off "
        "and on since. Nothing went out this morning as far as I know. Are we dropping claim documents? Do I need to pull people in?"
    )
    return c.bundle(
        title=TITLE,
        question=q,
        tz="America/New_York",
        alarm_event=event,
        truth={"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
