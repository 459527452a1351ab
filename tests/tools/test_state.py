"""State tools over replayed bundles: scaling activities and replacement loops, target health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import evals.replay.registry as replay_registry
from evals.replay import AwsError
from tools.result import ToolStatus
from tools.state import Activity, find_loop, scaling_activities, target_health

NOW = datetime(2024, 5, 1, 6, tzinfo=UTC)
ASG_ARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web"
HEALTH_CAUSE = (
    "At {t} an instance was taken out of service in response to an ELB system health check failure."
)
CAPACITY_CAUSE = (
    "At {t} an instance was started in response to a difference between desired and actual capacity, "
    "increasing the capacity from 1 to 2."
)


def deny(monkeypatch: pytest.MonkeyPatch, service: str, operation: str) -> None:
    """Make replay answer `operation` with AccessDenied, as IAM would."""

    def refuse(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError("AccessDeniedException", f"User is not authorized to perform: {operation}")

    replay_registry.supported()  # load every service first, so none re-registers over the patch
    monkeypatch.setitem(replay_registry._HANDLERS, (service, operation), refuse)


def group(name: str = "web") -> dict[str, Any]:
    item = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": ASG_ARN.replace("/web", f"/{name}"),
        "MinSize": 2,
        "MaxSize": 4,
        "DesiredCapacity": 2,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a"],
        "HealthCheckType": "ELB",
        "CreatedTime": "2024-04-01T00:00:00Z",
    }
    return {"service": "autoscaling", "type": "AutoScalingGroup", "item": item}


def activity(
    n: int, when: datetime, kind: str, instance: str, cause: str, status: str = "Successful"
) -> dict[str, Any]:
    description = (
        f"Launching a new EC2 instance: {instance}"
        if kind == "launch"
        else f"Terminating EC2 instance: {instance}"
    )
    item = {
        "ActivityId": f"00000000-0000-0000-0000-{n:012d}",
        "AutoScalingGroupName": "web",
        "Description": description,
        "Cause": cause.format(t=when.isoformat()),
        "StartTime": when.isoformat(),
        "EndTime": (when + timedelta(minutes=1)).isoformat(),
        "StatusCode": status,
        "Progress": 100,
    }
    return {"source": "autoscaling", "item": item}


def replacement_loop() -> list[dict[str, Any]]:
    """Four instances killed by ELB health checks and replaced, every ten minutes from 05:00."""
    out = []
    for k in range(4):
        t = NOW - timedelta(minutes=60) + timedelta(minutes=10 * k)
        out.append(activity(2 * k, t, "terminate", f"i-00000000000000a{k}", HEALTH_CAUSE))
        out.append(
            activity(2 * k + 1, t + timedelta(minutes=2), "launch", f"i-00000000000000b{k}", CAPACITY_CAUSE)
        )
    return out


def test_scaling_activities_newest_first_and_flags_a_replacement_loop(tool_ctx: Any) -> None:
    old = activity(90, NOW - timedelta(hours=5), "launch", "i-0000000000000001", CAPACITY_CAUSE)
    future = activity(91, NOW + timedelta(minutes=5), "terminate", "i-0000000000000002", HEALTH_CAUSE)
    ctx = tool_ctx({"resources": [group()], "events": [*replacement_loop(), old, future]})
    res = scaling_activities.run(ctx, {"group": "web", "hours": 2})
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    acts = res.data.activities
    # The 01:00 launch is before the 2 h window and the 06:05 termination has not happened yet.
    assert len(acts) == 8
    assert [a.start for a in acts] == sorted((a.start for a in acts), reverse=True)
    assert acts[0].kind == "launch" and acts[0].instance_id == "i-00000000000000b3"
    assert acts[1].kind == "terminate" and acts[1].health_check
    assert (res.data.launches, res.data.terminations, res.data.failed) == (4, 4, 0)
    loop = res.data.loop
    assert loop is not None
    assert loop.pairs == 4
    assert (loop.first.strftime("%H:%M"), loop.last.strftime("%H:%M")) == ("05:00", "05:30")
    assert loop.instances == [f"i-00000000000000a{k}" for k in range(4)]
    assert "REPLACEMENT LOOP: 4" in res.summary


def test_scale_in_terminations_are_not_a_loop(tool_ctx: Any) -> None:
    scale_in = (
        "At {t} a user request update of AutoScalingGroup constraints to min: 1 changed the desired capacity."
    )
    events = []
    for k in range(4):
        t = NOW - timedelta(minutes=50) + timedelta(minutes=10 * k)
        events.append(activity(2 * k, t, "terminate", f"i-00000000000000a{k}", scale_in))
        events.append(
            activity(2 * k + 1, t + timedelta(minutes=1), "launch", f"i-00000000000000b{k}", CAPACITY_CAUSE)
        )
    res = scaling_activities.run(tool_ctx({"resources": [group()], "events": events}), {"group": "web"})
    assert res.data is not None
    assert res.data.terminations == 4
    assert res.data.loop is None
    assert "LOOP" not in res.summary


def test_activities_still_in_progress_count_whenever_they_started(tool_ctx: Any) -> None:
    waiting = activity(7, NOW - timedelta(hours=4), "launch", "i-0000000000000007", CAPACITY_CAUSE)
    waiting["item"].pop("EndTime")
    waiting["item"].update(StatusCode="WaitingForELBConnectionDraining", Progress=50)
    done = activity(8, NOW - timedelta(hours=3), "launch", "i-0000000000000008", CAPACITY_CAUSE)
    recent = activity(9, NOW - timedelta(minutes=30), "launch", "i-0000000000000009", CAPACITY_CAUSE)
    ctx = tool_ctx({"resources": [group()], "events": [waiting, done, recent]})
    res = scaling_activities.run(ctx, {"group": "web", "hours": 2})
    assert res.data is not None
    assert [(a.instance_id, a.status) for a in res.data.activities] == [
        ("i-0000000000000009", "Successful"),
        ("i-0000000000000007", "WaitingForELBConnectionDraining"),
    ]


def test_loop_needs_a_launch_soon_after_each_health_termination() -> None:
    def act(kind: str, minute: int, health: bool) -> Activity:
        return Activity(
            id=f"{kind}{minute}",
            kind=kind,
            instance_id=f"i-{minute:08d}",
            start=NOW + timedelta(minutes=minute),
            end=None,
            status="Successful",
            description="",
            cause="",
            health_check=health,
        )

    # Terminations at 0, 10, 20 answered at 2, 12 and (too late) 40: two pairs only.
    acts = [act("terminate", m, True) for m in (0, 10, 20)] + [act("launch", m, False) for m in (2, 12, 40)]
    assert find_loop(acts, timedelta(minutes=60), 3) is None
    loop = find_loop(acts, timedelta(minutes=60), 2)
    assert loop is not None and loop.pairs == 2
    # Three pairs spread over two hours are not three pairs within a 60 minute window.
    spread = [act("terminate", m, True) for m in (0, 50, 100)] + [
        act("launch", m, False) for m in (1, 51, 101)
    ]
    assert find_loop(spread, timedelta(minutes=60), 3) is None


def test_scaling_activities_pages_and_caps(tool_ctx: Any) -> None:
    events = [
        activity(k, NOW - timedelta(minutes=k + 1), "launch", f"i-{k:016x}", CAPACITY_CAUSE)
        for k in range(150)
    ]
    res = scaling_activities.run(
        tool_ctx({"resources": [group()], "events": events}), {"group": "web", "limit": 10}
    )
    assert res.data is not None
    assert len(res.data.activities) == 10
    assert res.data.read == 150 and res.total == 150
    assert res.has_more
    assert res.aws_calls == 2  # two pages of 100


def test_scaling_activities_none_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx({"resources": [group()]})
    empty = scaling_activities.run(ctx, {"group": "web"})
    assert empty.status is ToolStatus.NO_DATA
    assert empty.summary == "no scaling activities for web in the window"
    deny(monkeypatch, "autoscaling", "DescribeScalingActivities")
    denied = scaling_activities.run(ctx, {"group": "web"})
    assert denied.status is ToolStatus.DENIED
    assert denied.error_code == "AccessDeniedException"


# --- target health ----------------------------------------------------------------------------------

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067"


def lb_records() -> list[dict[str, Any]]:
    lb = {
        "LoadBalancerArn": LB_ARN,
        "LoadBalancerName": "web",
        "Type": "application",
        "Scheme": "internet-facing",
        "State": {"Code": "active"},
        "VpcId": "vpc-0a1b2c3d",
        "CreatedTime": "2024-04-01T00:00:00Z",
    }
    tg = {
        "TargetGroupArn": TG_ARN,
        "TargetGroupName": "web-tg",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": "vpc-0a1b2c3d",
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckPath": "/health",
        "TargetType": "instance",
        "LoadBalancerArns": [LB_ARN],
    }
    return [
        {"service": "elbv2", "type": "LoadBalancer", "item": lb},
        {"service": "elbv2", "type": "TargetGroup", "item": tg},
    ]


def point(
    target: str, when: str, state: str, reason: str | None = None, desc: str | None = None
) -> dict[str, Any]:
    health: dict[str, Any] = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    return {
        "source": "target_health",
        "item": {
            "target_group_arn": TG_ARN,
            "target": {"Id": target, "Port": 8080},
            "health": health,
            "timestamp": when,
        },
    }


def test_target_health_as_of_now_unhealthy_first(tool_ctx: Any) -> None:
    events = [
        point("i-0000000000000001", "2024-05-01T04:00:00Z", "healthy"),
        point("i-0000000000000002", "2024-05-01T04:00:00Z", "healthy"),
        point(
            "i-0000000000000002",
            "2024-05-01T05:10:00Z",
            "unhealthy",
            "Target.ResponseCodeMismatch",
            "Health checks failed with these codes: [502]",
        ),
        point("i-0000000000000003", "2024-05-01T04:00:00Z", "healthy"),
        # After now: the first target is still healthy as of now.
        point(
            "i-0000000000000001", "2024-05-01T06:10:00Z", "unhealthy", "Target.Timeout", "Request timed out"
        ),
    ]
    ctx = tool_ctx({"resources": lb_records(), "events": events})
    by_name = target_health.run(ctx, {"target_groups": ["web-tg"]})
    assert by_name.status is ToolStatus.OK, by_name.summary
    assert by_name.data is not None
    grp = by_name.data.groups[0]
    assert grp.counts == {"unhealthy": 1, "healthy": 2}
    assert grp.targets[0].id == "i-0000000000000002"
    assert grp.targets[0].reason == "Target.ResponseCodeMismatch"
    assert grp.health_check == "HTTP:traffic-port/health"
    assert by_name.summary.startswith(
        "web-tg: 2/3 healthy; i-0000000000000002 unhealthy (Target.ResponseCodeMismatch"
    )
    by_lb = target_health.run(ctx, {"load_balancer": "web"})
    assert by_lb.data is not None and by_lb.data.groups == by_name.data.groups
    by_arn = target_health.run(ctx, {"target_groups": [TG_ARN]})
    assert by_arn.data is not None and by_arn.data.groups == by_name.data.groups
    # CloudWatch's TargetGroup dimension is how alarms and metrics name the group.
    by_dimension = target_health.run(
        ctx, {"target_groups": [f"targetgroup/web-tg/{TG_ARN.rsplit('/', 1)[1]}"]}
    )
    assert by_dimension.data is not None and by_dimension.data.groups == by_name.data.groups


def test_target_health_usage_missing_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx({"resources": lb_records()})
    both = target_health.run(ctx, {"target_groups": ["web-tg"], "load_balancer": "web"})
    assert both.status is ToolStatus.ERROR and both.error_code == "usage"
    missing = target_health.run(ctx, {"target_groups": ["nope"]})
    assert missing.status is ToolStatus.NO_DATA
    assert missing.error_code == "TargetGroupNotFound"
    no_targets = target_health.run(ctx, {"target_groups": ["web-tg"]})
    assert no_targets.data is not None and no_targets.data.groups[0].counts == {}
    deny(monkeypatch, "elbv2", "DescribeTargetHealth")
    assert target_health.run(ctx, {"target_groups": ["web-tg"]}).status is ToolStatus.DENIED


@pytest.mark.moto
def test_target_health_matches_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    url = moto_tool_ctx.aws.endpoint_url
    ec2 = moto_tool_ctx.aws.session.client("ec2", endpoint_url=url)
    elb = moto_tool_ctx.aws.session.client("elbv2", endpoint_url=url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{k}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for k, az in ((1, "a"), (2, "b"))
    ]
    iid = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnets[0])["Instances"][
        0
    ]["InstanceId"]
    lb = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]
    tg = elb.create_target_group(
        Name="web-tg", Protocol="HTTP", Port=8080, VpcId=vpc, HealthCheckPath="/health", TargetType="instance"
    )["TargetGroups"][0]
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": iid, "Port": 8080}])
    live = target_health.run(moto_tool_ctx, {"load_balancer": "web"})
    assert live.status is ToolStatus.OK, live.summary
    # Capture moto's groups and each target's health as one timeline point, and replay them.
    groups = elb.describe_target_groups()["TargetGroups"]
    lbs = elb.describe_load_balancers()["LoadBalancers"]
    seen = elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
    start = datetime.now(UTC) - timedelta(days=1)
    records = {
        "resources": [
            {"service": "elbv2", "type": "LoadBalancer", "item": {**x, "CreatedTime": start}} for x in lbs
        ]
        + [{"service": "elbv2", "type": "TargetGroup", "item": x} for x in groups],
        "events": [
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": d["Target"],
                    "health": d["TargetHealth"],
                    "timestamp": start,
                },
            }
            for d in seen
        ],
    }
    now = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    replayed = target_health.run(
        tool_ctx(records, start=start.isoformat(), end=now, now=now), {"load_balancer": "web"}
    )
    assert live.data is not None and replayed.data is not None
    assert live.data.model_dump() == replayed.data.model_dump()
    assert [(t.id, t.state) for t in live.data.groups[0].targets] == [(iid, seen[0]["TargetHealth"]["State"])]


def test_instance_status_reads_failed_checks_as_they_are_now_and_scheduled_events(tool_ctx: Any) -> None:
    from tests.tools.test_resources import instance, res
    from tools.state import instance_status

    def status(
        iid: str, inst: str, since: str | None = None, events: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "Name": "reachability",
            "Status": "failed" if inst == "impaired" else "passed",
        }
        if since:
            detail["ImpairedSince"] = since
        return res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": "us-east-1a",
                "InstanceState": {"Code": 16, "Name": "running"},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "InstanceStatus": {"Status": inst, "Details": [detail]},
                "Events": events or [],
            },
        )

    ctx = tool_ctx(
        {
            "resources": [
                instance(
                    "i-0aaaaaaaaaaaaaaa1", "subnet-0a1b2c3d4e5f60718", "us-east-1a", "vol-0aaaaaaaaaaaaaaa1"
                ),
                instance(
                    "i-0bbbbbbbbbbbbbbb2", "subnet-0a1b2c3d4e5f60718", "us-east-1a", "vol-0bbbbbbbbbbbbbbb2"
                ),
                status("i-0aaaaaaaaaaaaaaa1", "impaired", "2024-05-01T05:20:00Z"),
                status(
                    "i-0bbbbbbbbbbbbbbb2",
                    "ok",
                    events=[
                        {
                            "Code": "instance-retirement",
                            "Description": "The instance is running on degraded hardware",
                            "NotBefore": "2024-05-03T00:00:00Z",
                        }
                    ],
                ),
            ]
        }
    )
    res_ = instance_status.run(ctx, {"instances": ["i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"]})
    assert res_.data is not None
    bad, retiring = res_.data.instances
    assert bad.impaired and bad.failed == ["instance reachability"]
    assert bad.impaired_since is not None and f"{bad.impaired_since:%H:%M}" == "05:20"
    assert not retiring.impaired and retiring.events[0].startswith("instance-retirement")
    assert "2 of 2 instances impaired or with scheduled events" in res_.summary

    from agent.analyzers.state import from_instance_status

    drafts = from_instance_status(res_.data)
    assert [(d.resource, d.signals) for d in drafts] == [
        ("i-0aaaaaaaaaaaaaaa1", ["status_check_failed"]),
        ("i-0bbbbbbbbbbbbbbb2", ["health_event"]),
    ]
