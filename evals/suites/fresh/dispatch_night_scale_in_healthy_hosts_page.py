"""No fault: the overnight scale-in of dispatch-api and its ECS nodes trips a static healthy-host alarm."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzo as kit

NAME = "dispatch-night-scale-in-healthy-hosts-page"
TITLE = "Paged overnight: dispatch-api healthy hosts dropped and ECS nodes disappeared"
SUMMARY = "Target tracking scaled dispatch-api and its capacity provider in for the night; a fixed-threshold alarm paged."


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, 3, 5)
    r = c.rng
    gone = c.instances[-3:]
    c.instances = c.instances[:-3]
    arn = f"arn:aws:ecs:{c.region}:{c.account}"
    svc_arn = f"{arn}:service/{c.cluster}/dispatch-api"
    rid = f"service/{c.cluster}/dispatch-api"
    steps = [
        (c.onset - timedelta(minutes=r.randint(30, 40)), 12, 10),
        (c.onset - timedelta(minutes=r.randint(8, 14)), 10, 8),
        (c.onset + timedelta(minutes=r.randint(2, 5)), 8, 6),
    ]

    def count(t: datetime) -> float:
        n = 12
        for when, _, to in steps:
            if t >= when + timedelta(minutes=1):
                n = to
        return float(n)

    hooks: dict[str, kit.Hook] = {
        "healthy": lambda t, v: count(t),
        "dispatch-api_cpu": lambda t, v: v * 12 / count(t) * 0.8,
        "cp_reservation": lambda t, v: (
            100.0
            if t < steps[1][0] + timedelta(minutes=3) or t > steps[2][0] + timedelta(minutes=14)
            else r.uniform(62, 80)
        ),
        "cpu_reservation": lambda t, v: v * count(t) / 12 * 1.25,
        "redis0_conn": lambda t, v: 40 + 8 * count(t),
        "db0_conn": lambda t, v: 60 + 10 * count(t),
    }
    kit.base(c, hooks)
    for rec in c.records["resources"]:
        item = rec["item"]
        if rec["type"] == "Service" and item["serviceName"] == "dispatch-api":
            item["desiredCount"] = item["runningCount"] = 6
        if rec["type"] == "Cluster":
            item["runningTasksCount"] = 16
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 6,
            "MaxCapacity": 40,
            "RoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": kit.iso(c.start - timedelta(days=300)),
        },
    )
    low = f"TargetTracking-{rid}-AlarmLow-{c.uid()}"
    for when, frm, to in steps:
        c.event(
            "application_autoscaling",
            {
                "ActivityId": c.uid(),
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Setting desired count to {to}.",
                "Cause": f"monitor alarm {low} in state ALARM triggered policy dispatch-api-cpu60",
                "StartTime": kit.iso(when),
                "EndTime": kit.iso(when + timedelta(seconds=32)),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {to}. Change successfully fulfilled by ecs.",
            },
        )
        ids = " ".join(f"(task {kit.task_id(c)})" for _ in range(frm - to))
        for dt, msg in (
            (20, f"(service dispatch-api) deregistered {frm - to} targets in (target-group {c.tg_arn})"),
            (330, f"(service dispatch-api) has begun draining connections on {frm - to} tasks."),
            (335, f"(service dispatch-api) has stopped {frm - to} running tasks: {ids}."),
            (400, "(service dispatch-api) has reached a steady state."),
        ):
            c.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": c.uid(),
                        "createdAt": kit.iso(when + timedelta(seconds=dt)),
                        "message": msg,
                    },
                },
            )
    ecs_role = c.role_identity("AWSServiceRoleForECS", "ecs-managed-scaling")
    ecs_role["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    )
    ecs_role["invokedBy"] = "ecs.amazonaws.com"
    n_before = len(c.instances) + 3
    for k, iid in enumerate(gone):
        t = steps[2][0] + timedelta(minutes=8 + 3 * k, seconds=r.randint(0, 50))
        c.ct(
            t,
            "autoscaling.amazonaws.com",
            "SetInstanceProtection",
            ecs_role,
            {"instanceIds": [iid], "autoScalingGroupName": c.asg, "protectedFromScaleIn": False},
            None,
            False,
            "ecs.amazonaws.com",
        )
        c.event(
            "autoscaling",
            {
                "ActivityId": c.uid(),
                "AutoScalingGroupName": c.asg,
                "Description": f"Terminating EC2 instance: {iid}",
                "Cause": f"At {kit.iso(t + timedelta(seconds=40))} a monitor alarm TargetTracking-{c.asg}-AlarmLow-"
                f"{c.uid()} in state ALARM triggered policy ECSManagedAutoScalingPolicy-{c.uid()} changing the "
                f"desired capacity from {n_before - k} to {n_before - k - 1}.  At {kit.iso(t + timedelta(seconds=52))}"
                f" an instance was taken out of service in response to a difference between desired and actual "
                f"capacity, shrinking the capacity from {n_before - k} to {n_before - k - 1}.  At "
                f"{kit.iso(t + timedelta(seconds=52))} instance {iid} was selected for termination.",
                "StartTime": kit.iso(t + timedelta(seconds=52)),
                "EndTime": kit.iso(t + timedelta(minutes=2, seconds=10)),
                "StatusCode": "Successful",
                "Progress": 100,
            },
        )
        c.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "InstanceType": "c6i.2xlarge",
                "ImageId": f"ami-{c.hex(17)}",
                "LaunchTime": kit.iso(c.start - timedelta(hours=r.randint(8, 14))),
                "Placement": {"AvailabilityZone": c.azs[k]},
                "State": {"Code": 48, "Name": "terminated"},
                "StateTransitionReason": f"User initiated ({kit.iso(t + timedelta(minutes=1))})",
                "StateReason": {
                    "Code": "Client.UserInitiatedShutdown",
                    "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
                },
                "VpcId": c.vpc,
                "Tags": [{"Key": "aws:autoscaling:groupName", "Value": c.asg}],
            },
        )
    tasks = [kit.task_id(c) for _ in range(6)]
    for tk in tasks:
        kit.api_request_logs(c, tk, c.start, c.now, 240)
    lb = {"LoadBalancer": c.lb_suffix}
    tgd = {"TargetGroup": c.tg_suffix, "LoadBalancer": c.lb_suffix}
    first = steps[2][0] + timedelta(minutes=r.randint(2, 4))
    a = c.alarm(
        "dispatch-api-healthy-hosts-low",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Minimum",
        60,
        2,
        8.0,
        "LessThanThreshold",
        "ALARM",
        first,
        "Threshold Crossed: 2 out of the last 2 datapoints [6.0 ("
        + first.strftime("%d/%m/%y %H:%M:%S")
        + "), 6.0] were less than the threshold (8.0).",
        "fewer than 8 healthy dispatch-api targets",
        "breaching",
    )
    a["AlarmConfigurationUpdatedTimestamp"] = kit.iso(c.start - timedelta(days=r.randint(3, 12)))
    c.history(a, first, "OK", "ALARM", a["StateReason"])
    c.records["alarm_history"].append(
        {
            "AlarmName": a["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": a["AlarmConfigurationUpdatedTimestamp"],
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{a["AlarmName"]}" created',
            "HistoryData": '{"type":"Create","version":"1.0","createdAlarm":{"threshold":8.0}}',
        }
    )
    c.alarm(
        "dispatch-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=3),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0).",
        "ALB-generated 5xx on the dispatch ALB",
        "notBreaching",
    )
    lt = c.alarm(
        low,
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": c.cluster, "ServiceName": "dispatch-api"},
        "Average",
        60,
        15,
        54.0,
        "LessThanThreshold",
        "ALARM",
        steps[0][0] - timedelta(seconds=30),
        "Threshold Crossed: 15 datapoints were less than the threshold (54.0).",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy dispatch-api-cpu60.",
    )
    lt["AlarmActions"] = [f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}"]
    lt["OKActions"] = []
    c.history(lt, steps[0][0] - timedelta(seconds=30), "OK", "ALARM", lt["StateReason"])
    q = (
        f"got paged at {kit.local_clock(c, first)} for dispatch-api healthy hosts. half the tasks are gone and "
        "3 of the ECS nodes got terminated overnight. did we lose instances? is dispatch actually broken?"
    )
    return c.bundle(
        TITLE,
        {
            "question": q,
            "timezone": kit.ZONES[c.region],
            "alarm_event": c.alarm_event(a, first, a["StateReason"]),
        },
        {"no_fault": True, "actions": [], "chain": []},
    )
