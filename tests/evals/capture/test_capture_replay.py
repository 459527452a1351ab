"""Capture round trip where the "live" account is itself a replayed bundle.

moto lacks CloudTrail LookupEvents, X-Ray summaries, alarm history, AWS Health and RDS events; replay
answers them as AWS documents them. So: build an account as a bundle, capture it through AwsClients
exactly as from AWS, replay the capture, and ask the change, alarm, metric and trace tools the same
questions of both. Differences are only what the capture documents it drops.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evals.capture import capture
from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.tools.conftest import FAST
from tests.tools.test_changes import real_records
from tests.tools.test_traces import chain_trace
from tools.alarms import active_alarms, alarm_details
from tools.aws import AwsClients, CallBudget
from tools.changes import cloudtrail_lookup, recent_changes
from tools.metrics import metric_series
from tools.redact import redact
from tools.registry import ToolContext
from tools.traces import trace_faults

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
START, END = NOW - timedelta(hours=2), NOW  # capture window 04:00-06:00, baseline from 01:00
INSTANCE = "i-0123456789abcdef0"
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
ECS = "arn:aws:ecs:us-east-1:123456789012:"
HEALTH = "arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/"


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def cpu(minute: int) -> float:
    return 20.0 + minute % 7 + (70.0 if minute >= 300 else 0.0)


def alarm(name: str, state: str, dims: dict[str, str], metric: str = "CPUUtilization") -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": ARN + name,
        "StateValue": state,
        "StateReason": f"{name} is {state}",
        "StateUpdatedTimestamp": "2024-05-01T05:03:00Z",
        "Namespace": "AWS/EC2",
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "Unit": "Percent",
    }


def transition(name: str, at: str, old: str, new: str) -> dict[str, Any]:
    data = {
        "version": "1.0",
        "oldState": {"stateValue": old, "stateReason": f"was {old}"},
        "newState": {
            "stateValue": new,
            "stateReason": f"now {new}",
            "stateReasonData": {"version": "1.0", "recentDatapoints": [91.0, 92.0, 93.0], "threshold": 80.0},
        },
    }
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": at,
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(data),
    }


def ecs_items() -> list[tuple[str, dict[str, Any]]]:
    """A service with one running task and one that stopped (with a secret in its overrides)."""
    service = {
        "serviceArn": ECS + "service/prod/api",
        "serviceName": "api",
        "clusterArn": ECS + "cluster/prod",
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 1,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "createdAt": "2024-04-01T00:00:00Z",
        "events": [
            {"id": "e1", "createdAt": "2024-05-01T05:41:00Z", "message": "(service api) has started 1 tasks."}
        ],
    }
    task = {
        "taskArn": ECS + "task/prod/0a1b2c3d4e5f",
        "clusterArn": ECS + "cluster/prod",
        "taskDefinitionArn": ECS + "task-definition/api:3",
        "group": "service:api",
        "launchType": "FARGATE",
        "desiredStatus": "RUNNING",
        "lastStatus": "RUNNING",
        "createdAt": "2024-05-01T05:41:00Z",
        "startedAt": "2024-05-01T05:42:00Z",
        "containers": [],
    }
    stopped = {
        **task,
        "taskArn": ECS + "task/prod/9f8e7d6c5b4a",
        "desiredStatus": "STOPPED",
        "lastStatus": "STOPPED",
        "createdAt": "2024-05-01T05:20:00Z",
        "stoppedAt": "2024-05-01T05:40:00Z",
        "stoppedReason": "Essential container in task exited",
        "overrides": {
            "containerOverrides": [{"name": "app", "environment": [{"name": "API_KEY", "value": "s3cr3t"}]}]
        },
    }
    return [("Service", service), ("Task", task), ("Task", stopped)]


def health_events() -> list[dict[str, Any]]:
    """A retirement here, one in another Region, and one last updated before the window."""

    def event(n: str, region: str, updated: str) -> dict[str, Any]:
        return {
            "event": {
                "arn": HEALTH + n,
                "service": "EC2",
                "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": region,
                "startTime": "2024-04-30T00:00:00Z",
                "lastUpdatedTime": updated,
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": f"instance retirement {n}",
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:us-east-1:123456789012:entity/{n}",
                    "eventArn": HEALTH + n,
                    "entityValue": INSTANCE,
                    "awsAccountId": "123456789012",
                    "lastUpdatedTime": updated,
                    "statusCode": "IMPAIRED",
                }
            ],
        }

    return [
        event("here", "us-east-1", "2024-05-01T05:00:00Z"),
        event("there", "eu-west-1", "2024-05-01T05:00:00Z"),
        event("old", "us-east-1", "2024-04-30T01:00:00Z"),
    ]


def account() -> dict[str, list[Any]]:
    """An account with a hot instance, its alarm and history, changes, traces and platform events."""
    t0 = NOW - timedelta(hours=6)
    metrics: list[dict[str, Any]] = [
        {
            "namespace": "AWS/EC2",
            "metric": "CPUUtilization",
            "dimensions": {"InstanceId": INSTANCE},
            "timestamp": iso(t0 + timedelta(minutes=m, seconds=s)),
            "unit": "Percent",
            "value": cpu(m) + s / 60,
        }
        for m in range(360)
        for s in (0, 30)
    ]
    metrics.append(
        {
            "namespace": "AWS/EC2",
            "metric": "NetworkIn",
            "dimensions": {"InstanceId": INSTANCE},
            "timestamp": iso(NOW - timedelta(minutes=30)),
            "unit": "Bytes",
            "values": [10.0, 20.0, 1000.0],
            "counts": [5.0, 4.0, 1.0],
        }
    )
    rng_traces: list[dict[str, Any]] = []
    rng = random.Random(5)
    for i in range(12):
        rng_traces += chain_trace(rng, i, failing=i % 4 == 0)
    asg_activity = {
        "ActivityId": "a-1",
        "AutoScalingGroupName": "web-asg",
        "Description": "Launching a new EC2 instance",
        "Cause": "scale out",
        "StartTime": "2024-05-01T05:10:00Z",
        "StatusCode": "Successful",
        "Progress": 100,
    }
    old_activity = {**asg_activity, "ActivityId": "a-0", "StartTime": "2024-04-30T20:00:00Z"}
    return {
        "metrics": metrics,
        "alarms": [
            alarm("web-cpu", "ALARM", {"InstanceId": INSTANCE}),
            alarm("other-cpu", "OK", {"InstanceId": "i-0fffffffffffffff0"}),
        ],
        "alarm_history": [
            transition("web-cpu", "2024-05-01T03:00:00Z", "INSUFFICIENT_DATA", "OK"),
            transition("web-cpu", "2024-05-01T05:03:00Z", "OK", "ALARM"),
            transition("other-cpu", "2024-05-01T02:00:00Z", "ALARM", "OK"),
        ],
        "cloudtrail": real_records(),
        "traces": rng_traces,
        "resources": [
            *[{"service": "ecs", "type": t, "item": item} for t, item in ecs_items()],
            {
                "service": "ec2",
                "type": "Instance",
                "item": {
                    "InstanceId": INSTANCE,
                    "InstanceType": "t3.small",
                    "State": {"Code": 16, "Name": "running"},
                    "LaunchTime": "2024-04-01T00:00:00Z",
                    "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "web-asg"}],
                },
            },
            {
                "service": "autoscaling",
                "type": "AutoScalingGroup",
                "item": {
                    "AutoScalingGroupName": "web-asg",
                    "MinSize": 1,
                    "MaxSize": 4,
                    "DesiredCapacity": 2,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": ["us-east-1a"],
                    "HealthCheckType": "EC2",
                    "CreatedTime": "2024-04-01T00:00:00Z",
                    "Instances": [
                        {
                            "InstanceId": INSTANCE,
                            "AvailabilityZone": "us-east-1a",
                            "LifecycleState": "InService",
                            "HealthStatus": "Healthy",
                            "ProtectedFromScaleIn": False,
                        }
                    ],
                },
            },
        ],
        "events": [
            *[{"source": "health", "item": h} for h in health_events()],
            {"source": "autoscaling", "item": asg_activity},
            {"source": "autoscaling", "item": old_activity},
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": "orders-db",
                    "SourceType": "db-instance",
                    "Message": "DB instance restarted",
                    "Date": "2024-05-01T05:20:00Z",
                    "EventCategories": ["availability"],
                },
            },
        ],
    }


def contexts(budget: int = 2000, **kwargs: Any) -> dict[str, Any]:
    live_session, _ = replay_session(make_bundle(account()))
    live = AwsClients(live_session, budget=CallBudget(limit=budget), retry=FAST)
    captured = capture(
        live,
        start=START,
        end=END,
        now=NOW,
        alarm="web-cpu",
        resources=[INSTANCE, "prod/api"],
        title="web CPU",
        **kwargs,
    )
    again, _ = replay_session(captured.bundle)
    fresh_live, _ = replay_session(make_bundle(account()))
    return {
        "captured": captured,
        "live": ToolContext(aws=AwsClients(fresh_live, retry=FAST), now=NOW),
        "replayed": ToolContext(aws=AwsClients(again, retry=FAST), now=NOW),
        "live_session": fresh_live,
        "replay_session": again,
    }


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    return contexts()


def both(world: dict[str, Any], tool: Any, args: dict[str, Any]) -> tuple[Any, Any]:
    live, replayed = tool.run(world["live"], args), tool.run(world["replayed"], args)
    assert live.status == replayed.status == "ok", (live.summary, replayed.summary)
    return live.data, replayed.data


def test_trigger_is_the_alarm_change_into_alarm_as_eventbridge_delivers_it(world: dict[str, Any]) -> None:
    event = world["captured"].bundle.manifest.trigger.alarm_event
    assert event is not None
    assert event.time == datetime(2024, 5, 1, 5, 3, tzinfo=UTC)
    assert event.resources == [ARN + "web-cpu"]
    assert event.detail.state["value"] == "ALARM"
    assert event.detail.state["timestamp"] == "2024-05-01T05:03:00.000+0000"
    assert json.loads(event.detail.state["reasonData"])["recentDatapoints"] == [91.0, 92.0, 93.0]
    assert event.detail.previous_state == {"value": "OK", "reason": "was OK"}
    stat = event.detail.configuration["metrics"][0]["metricStat"]
    assert stat == {
        "metric": {"namespace": "AWS/EC2", "name": "CPUUtilization", "dimensions": {"InstanceId": INSTANCE}},
        "period": 60,
        "stat": "Average",
    }


def test_alarms_and_their_history_replay_as_captured(world: dict[str, Any]) -> None:
    names = {a["AlarmName"] for a in world["captured"].bundle.records("alarms")}
    assert names == {"web-cpu"}  # other-cpu is OK and watches an instance nobody named
    live, replayed = both(world, active_alarms, {})
    assert replayed == live
    live, replayed = both(world, alarm_details, {"name": "web-cpu", "history_hours": 24})
    assert replayed == live
    assert [h.summary for h in replayed.history] == [
        "Alarm updated from OK to ALARM",
        "Alarm updated from INSUFFICIENT_DATA to OK",
    ]


def test_changes_replay_as_captured_and_reads_are_not_kept(world: dict[str, Any]) -> None:
    window = {"start": iso(START - timedelta(hours=3)), "end": iso(END), "limit": 60}
    live, replayed = both(world, recent_changes, window)
    # Access key ids are masked in the bundle (tools.redact); everything else is as live.
    masked = [c.model_copy(update={"resources": [redact(r) for r in c.resources]}) for c in live.changes]
    assert replayed.changes == masked
    assert (replayed.read, replayed.dropped_as_noise) == (live.read, live.dropped_as_noise)
    keys = [r for c in replayed.changes if c.action == "CreateAccessKey" for r in c.resources]
    assert "AKIA****************" in keys
    assert len(replayed.changes) > 5
    trail = list(world["captured"].bundle.records("cloudtrail"))
    assert all(r.get("readOnly") is not True for r in trail)
    assert {r["eventName"] for r in trail} >= {"StartInstances", "AuthorizeSecurityGroupIngress"}
    event_id = replayed.changes[0].event_id
    live, replayed = both(
        world, cloudtrail_lookup, {**window, "limit": 5, "key": "EventId", "value": event_id}
    )
    assert replayed == live


@pytest.mark.parametrize("stat", ["Average", "Sum", "Minimum", "Maximum", "SampleCount"])
def test_metric_statistics_replay_exactly(world: dict[str, Any], stat: str) -> None:
    args = {
        "namespace": "AWS/EC2",
        "metric": "CPUUtilization",
        "dimensions": {"InstanceId": INSTANCE},
        "stat": stat,
        "start": iso(START),
        "end": iso(END),
    }
    live, replayed = both(world, metric_series, args)
    assert replayed.timestamps == live.timestamps
    assert replayed.values == pytest.approx(live.values)
    assert live.total == 300  # 3 h baseline + 2 h window, one point a minute


def test_percentiles_are_lost_and_say_so(world: dict[str, Any]) -> None:
    args = {
        "namespace": "AWS/EC2",
        "metric": "NetworkIn",
        "dimensions": {"InstanceId": INSTANCE},
        "start": iso(START),
        "end": iso(END),
    }
    live, replayed = both(world, metric_series, {**args, "stat": "Maximum"})
    assert replayed.values == live.values == [1000.0]
    p50_live = metric_series.run(world["live"], {**args, "stat": "p50"})
    p50_replayed = metric_series.run(world["replayed"], {**args, "stat": "p50"})
    assert p50_live.data is not None
    assert p50_live.data.values == [10.0]  # 5 of 10 samples are 10.0
    assert p50_replayed.status == "no_data"  # a statistic set has no percentiles


def test_traces_replay_as_captured(world: dict[str, Any]) -> None:
    window = {"start": "2024-05-01T04:30:00Z", "end": iso(END)}
    live, replayed = both(world, trace_faults, window)
    assert replayed == live
    assert (replayed.traces, replayed.faulted) == (12, 3)


def test_platform_events_in_the_window(world: dict[str, Any]) -> None:
    events = list(world["captured"].bundle.records("events"))
    activities = [e["item"]["ActivityId"] for e in events if e["source"] == "autoscaling"]
    assert activities == ["a-1"]  # a-0 started before the window (01:00) and is left out
    rds = [e["item"]["Message"] for e in events if e["source"] == "rds"]
    assert rds == ["DB instance restarted"]
    again = (
        world["replay_session"]
        .client("autoscaling")
        .describe_scaling_activities(AutoScalingGroupName="web-asg")
    )
    assert [a["ActivityId"] for a in again["Activities"]] == ["a-1"]


def test_bundle_writes_and_loads(world: dict[str, Any], tmp_path: Any) -> None:
    from evals.bundle import Bundle

    path = world["captured"].bundle.write(tmp_path / "b.tar.gz")
    loaded = Bundle.load(path)
    assert loaded.validate() == world["captured"].bundle.validate()
    assert loaded.manifest == world["captured"].bundle.manifest


def test_ecs_service_and_its_running_and_stopped_tasks(world: dict[str, Any]) -> None:
    live = world["live_session"].client("ecs")
    again = world["replay_session"].client("ecs")
    ask = {"cluster": "prod", "services": ["api"]}
    assert again.describe_services(**ask)["services"] == live.describe_services(**ask)["services"]
    for status in ("RUNNING", "STOPPED"):
        arns = again.list_tasks(cluster="prod", serviceName="api", desiredStatus=status)["taskArns"]
        assert arns == live.list_tasks(cluster="prod", serviceName="api", desiredStatus=status)["taskArns"]
        assert len(arns) == 1
    stopped = again.describe_tasks(cluster="prod", tasks=[ECS + "task/prod/9f8e7d6c5b4a"])["tasks"][0]
    assert stopped["stoppedReason"] == "Essential container in task exited"
    assert stopped["overrides"]["containerOverrides"][0]["environment"] == [
        {"name": "API_KEY", "value": "[REDACTED]"}
    ]


def test_health_events_of_this_region_since_the_window_began(world: dict[str, Any]) -> None:
    kept = [
        e["item"]["event"]["arn"]
        for e in world["captured"].bundle.records("events")
        if e["source"] == "health"
    ]
    assert kept == [HEALTH + "here"]
    live = world["live_session"].client("health")
    again = world["replay_session"].client("health")
    ask = {"filter": {"regions": ["us-east-1"], "lastUpdatedTimes": [{"from": START - timedelta(hours=3)}]}}
    assert again.describe_events(**ask)["events"] == live.describe_events(**ask)["events"]
    arns = [HEALTH + "here"]
    assert (
        again.describe_event_details(eventArns=arns)["successfulSet"]
        == live.describe_event_details(eventArns=arns)["successfulSet"]
    )
    entities = {"filter": {"eventArns": arns}}
    assert (
        again.describe_affected_entities(**entities)["entities"]
        == live.describe_affected_entities(**entities)["entities"]
    )
