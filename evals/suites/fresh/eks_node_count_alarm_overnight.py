"""The node-count alarm pages overnight as the cluster autoscaler removes idle nodes after the evening peak."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzn import Cluster, Kit, iso, ms

NAME = "eks-node-count-alarm-overnight"
TITLE = "EKS node count alarm paged overnight; cluster down from nine nodes to five"
SUMMARY = (
    "No fault: cluster-autoscaler drained and removed four underused nodes after the evening peak; a static "
    "node-count alarm (threshold from when the node group minimum was six) fires most nights."
)


def _req(traffic: Callable[[datetime], float], rng: random.Random, share: float, t: datetime) -> float:
    return int(traffic(t) * share * rng.uniform(0.9, 1.1))


CA_AGENT = "aws-sdk-go/1.48.7 (go1.21.5; linux; amd64) cluster-autoscaler/v1.29.0"


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-central-1", datetime(2026, 1, 12, tzinfo=UTC), 22)
    rng = k.rng
    start = k.t0.replace(minute=rng.choice([0, 10, 20, 30]))
    now = (start + timedelta(hours=8, minutes=rng.randint(5, 40))).replace(second=0)
    end = now
    cname = rng.choice(["kestrel-prod", "brightwell-prod", "oakmoor-prod"])
    ns = "app"
    c = Cluster(k, cname, ns, ["api", "web"], 9, "m6i.2xlarge", start)
    victims = c.nodes[3:7]
    t = start + timedelta(hours=2, minutes=rng.randint(45, 75))
    for n in victims:
        n["gone_at"] = t + timedelta(minutes=rng.randint(1, 2))
        n["drain_at"] = t
        n["state"] = "gone"
        t += timedelta(minutes=rng.randint(14, 32))

    def nodes_at(t: datetime) -> int:
        return 9 - sum(1 for n in victims if n["gone_at"] + timedelta(minutes=1) <= t)

    # --- the autoscaler's scale-down, as CloudTrail and Auto Scaling record it ------------------
    ca = k.role_session(f"{cname}-cluster-autoscaler", f"{ms(start - timedelta(minutes=33))}")
    ca_ip = c.pod_ip(c.nodes[0])
    asl: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{k.upper_id('AROA', 17)}:AutoScaling",
        "arn": f"arn:aws:sts::{k.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling",
        "accountId": k.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": k.upper_id("AROA", 17),
                "arn": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "accountId": k.account,
                "userName": "AWSServiceRoleForAutoScaling",
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        "invokedBy": "autoscaling.amazonaws.com",
    }
    size = 9
    for n in victims:
        when = n["gone_at"] - timedelta(seconds=rng.randint(20, 50))
        k.ct(
            when,
            "autoscaling.amazonaws.com",
            "TerminateInstanceInAutoScalingGroup",
            ca,
            {"instanceId": n["id"], "shouldDecrementDesiredCapacity": True},
            {
                "activity": {
                    "activityId": k.uid(),
                    "autoScalingGroupName": c.asg,
                    "description": f"Terminating EC2 instance: {n['id']}",
                    "cause": f"At {iso(when)} instance {n['id']} was taken out of service in response to a user request, shrinking the capacity from {size} to {size - 1}.",
                    "startTime": when.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    "statusCode": "InProgress",
                    "progress": 0,
                    "details": json.dumps({"Subnet ID": n["subnet"], "Availability Zone": n["az"]}),
                }
            },
            ip=ca_ip,
            agent=CA_AGENT,
        )
        k.ct(
            when + timedelta(seconds=3),
            "ec2.amazonaws.com",
            "TerminateInstances",
            asl,
            {"instancesSet": {"items": [{"instanceId": n["id"]}]}},
            {
                "requestId": k.uid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": n["id"],
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
            ip="autoscaling.amazonaws.com",
            agent="autoscaling.amazonaws.com",
        )
        k.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": k.uid(),
                    "AutoScalingGroupName": c.asg,
                    "Description": f"Terminating EC2 instance: {n['id']}",
                    "Cause": f"At {iso(when)} instance {n['id']} was taken out of service in response to a user request, shrinking the capacity from {size} to {size - 1}.",
                    "StartTime": iso(when),
                    "EndTime": iso(n["gone_at"] + timedelta(seconds=40)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": n["subnet"], "Availability Zone": n["az"]}),
                    "AutoScalingGroupARN": k.arn(
                        "autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{c.asg}"
                    ),
                },
            }
        )
        size -= 1
        # the autoscaler's own log: decision, drain, delete
        pod = {
            "name": f"cluster-autoscaler-{k.hex(10)[:10]}-{k.hex(5)}",
            "ns": "kube-system",
            "uid": k.uid(),
            "container": "cluster-autoscaler",
            "cid": k.hex(64),
            "image": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.0",
            "image_hash": "registry.k8s.io/autoscaling/cluster-autoscaler@sha256:" + k.hex(64),
        }
        ca_node = c.nodes[0]["dns"]
        d = n["drain_at"] - timedelta(minutes=10)
        util = rng.uniform(0.18, 0.42)
        for off, line in (
            (
                0,
                f"I{d:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}       1 scale_down.go:153] Node {n['dns']} - cpu requested is {util * 100:.4f}% of allocatable",
            ),
            (
                600,
                f"I{n['drain_at']:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}       1 actuator.go:214] Scale-down: removing node {n['dns']}, utilization: {{{util:.4f} {util * 0.8:.4f} 0 cpu {util:.4f}}}, pods to reschedule: app/api-{k.hex(10)}-{k.hex(5)},app/web-{k.hex(10)}-{k.hex(5)}",
            ),
            (
                602,
                f"I{n['drain_at']:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}       1 drain.go:151] All pods removed from {n['dns']}",
            ),
            (
                int((n["gone_at"] - d).total_seconds()) - 40,
                f"I{n['gone_at']:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}       1 auto_scaling_groups.go:318] Terminating EC2 instance: {n['id']}",
            ),
        ):
            k.container_log(cname, ca_node, pod, d + timedelta(seconds=off), line, "stderr")

    c.background(start, end)

    # --- the nightly jobs and an innocent evening change ------------------------------------------
    export = start + timedelta(hours=1, minutes=rng.randint(25, 40))
    jobpod = k.pod(
        ns,
        "nightly-export",
        str(int(export.timestamp()) // 60),
        "exporter",
        f"{k.account}.dkr.ecr.eu-central-1.amazonaws.com/nightly-export:1.4.0",
        c.nodes[5]["dns"],
        "",
    )
    jobpod["name"] = f"nightly-export-{int(export.timestamp()) // 60}-{k.hex(5)}"
    for i in range(12):
        k.container_log(
            cname,
            jobpod["node"],
            jobpod,
            export + timedelta(minutes=2 * i),
            f"{iso(export + timedelta(minutes=2 * i))} INFO exporter: wrote batch {i + 1}/12 to s3://{cname.split('-')[0]}-exports/daily/",
        )
    sre = k.sso(f"{rng.choice(['jonas.weber', 'aylin.kaya'])}@{cname.split('-')[0]}.de", "SRE")
    k.ct(
        start + timedelta(minutes=rng.randint(15, 40)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        sre,
        {"logGroupName": f"/aws/containerinsights/{cname}/performance", "retentionInDays": 1},
        None,
        ip=f"91.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        agent="aws-internal/3 aws-sdk-java/1.12.660 console.amazonaws.com",
    )
    morning = now - timedelta(minutes=rng.randint(8, 20))
    for name, params in (
        ("DescribeCluster", {"name": cname}),
        ("ListNodegroups", {"name": cname}),
        ("DescribeNodegroup", {"name": cname, "nodegroupName": c.ng}),
    ):
        k.ct(
            morning,
            "eks.amazonaws.com",
            name,
            sre,
            params,
            None,
            read_only=True,
            ip=f"91.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
            agent="aws-internal/3 aws-sdk-java/1.12.660 console.amazonaws.com",
        )
        morning += timedelta(seconds=rng.randint(3, 30))

    # --- metrics ----------------------------------------------------------------------------------
    def traffic(t: datetime) -> float:
        h = ((t.hour + 1) % 24) + t.minute / 60  # local hour, roughly
        return 120 + 1500 * (0.5 + 0.5 * math.cos((h - 20) / 24 * 2 * math.pi)) ** 3

    def rt(share: float, t: datetime) -> tuple[float, float, float, float]:
        n = max(1, int(traffic(t) * share))
        return (n, n * 0.07 * rng.uniform(0.9, 1.1), 0.003, rng.uniform(0.4, 1.2))

    lb = {"LoadBalancer": c.lb_dim}
    for svc, share in (("api", 0.65), ("web", 0.35)):
        tg, _ = c.tgs[svc]
        dims = {"TargetGroup": tg, "LoadBalancer": c.lb_dim}
        k.series(
            "AWS/ApplicationELB",
            "RequestCount",
            dims,
            "Count",
            start,
            end,
            partial(_req, traffic, rng, share),
        )
        k.series(
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            dims,
            "Count",
            start,
            end,
            lambda t: 1 if rng.random() < 0.05 else None,
        )
        k.stat_series(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims,
            "Seconds",
            start,
            end,
            partial(rt, share),
        )
        k.series(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            dims,
            "Count",
            start,
            end,
            lambda t: (
                4
                if not any(v["drain_at"] <= t < v["drain_at"] + timedelta(minutes=1) for v in victims)
                else 3
            ),
            digits=0,
        )
        k.series("AWS/ApplicationELB", "UnHealthyHostCount", dims, "Count", start, end, lambda t: 0, digits=0)
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        lb,
        "Count",
        start,
        end,
        lambda t: int(traffic(t) * rng.uniform(0.95, 1.05)),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Count",
        start,
        end,
        lambda t: (
            (1 if rng.random() < 0.03 else None)
            if not any(v["drain_at"] <= t < v["drain_at"] + timedelta(minutes=1) for v in victims)
            else rng.randint(1, 3)
        ),
    )

    def cpu(n: dict[str, Any], t: datetime) -> float:
        share = traffic(t) / 1620 * 9 / nodes_at(t)
        job = 35 if n is c.nodes[5] and export <= t < export + timedelta(minutes=24) else 0
        return min(95.0, 9 + 55 * share * rng.uniform(0.85, 1.15) + job)

    c.node_metrics(
        start,
        end,
        cpu,
        lambda n, t: 38 + 25 * 9 / nodes_at(t) / 9 * rng.uniform(0.95, 1.05),
        lambda n, t: 11 + int(20 / nodes_at(t)),
    )
    cdim = {"ClusterName": cname}
    k.series("ContainerInsights", "cluster_node_count", cdim, "Count", start, end, nodes_at, digits=0)
    k.series(
        "ContainerInsights", "cluster_failed_node_count", cdim, "Count", start, end, lambda t: 0, digits=0
    )
    for svc in ("api", "web"):
        k.series(
            "ContainerInsights",
            "service_number_of_running_pods",
            {"ClusterName": cname, "Namespace": ns, "Service": svc},
            "Count",
            start,
            end,
            lambda t: 4,
            digits=0,
        )

    # --- alarms -----------------------------------------------------------------------------------
    topic = k.arn("sns", f"{cname}-oncall")
    below = next(
        t
        for t in sorted(
            {datetime.fromisoformat(m["timestamp"]) for m in k.metrics if m["metric"] == "cluster_node_count"}
        )
        if nodes_at(t) < 6
    )
    fired = below + timedelta(minutes=4, seconds=rng.randint(10, 50))
    trans = []
    for nights in (2, 1):
        f = fired - timedelta(days=nights, minutes=rng.randint(-40, 40))
        trans.append(
            (
                f,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were less than the threshold (6.0) (minimum 5 datapoints for OK -> ALARM transition).",
            )
        )
        trans.append(
            (
                f.replace(hour=6, minute=rng.randint(20, 59)),
                "OK",
                "Threshold Crossed: 1 out of the last 5 datapoints [6.0] was not less than the threshold (6.0) (minimum 1 datapoint for ALARM -> OK transition).",
            )
        )
    trans.append(
        (
            fired,
            "ALARM",
            "Threshold Crossed: 5 out of the last 5 datapoints [5.0] were less than the threshold (6.0) (minimum 5 datapoints for OK -> ALARM transition).",
        )
    )
    a = k.alarm(
        f"{cname}-node-count-low",
        "ContainerInsights",
        "cluster_node_count",
        cdim,
        stat="Minimum",
        threshold=6,
        op="LessThanThreshold",
        evals=5,
        topic=topic,
        description="Fewer EKS nodes than the node group minimum - check for lost instances",
        created=start - timedelta(days=200),
        transitions=trans,
    )
    k.alarm(
        f"{cname}-failed-nodes",
        "ContainerInsights",
        "cluster_failed_node_count",
        cdim,
        stat="Maximum",
        threshold=0,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
    )
    k.alarm(
        f"{cname}-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": c.tgs["api"][0], "LoadBalancer": c.lb_dim},
        stat="Sum",
        threshold=30,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    k.alarm(
        f"{cname}-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        stat="Sum",
        threshold=20,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    cpu_alarm_node = c.nodes[5]
    on = export + timedelta(minutes=6, seconds=12)
    k.alarm(
        f"{cname}-node-cpu-{cpu_alarm_node['id']}",
        "ContainerInsights",
        "node_cpu_utilization",
        {"ClusterName": cname, "InstanceId": cpu_alarm_node["id"], "NodeName": cpu_alarm_node["dns"]},
        stat="Average",
        threshold=60,
        op="GreaterThanThreshold",
        evals=5,
        topic="",
        transitions=[
            (
                on,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (60.0) (minimum 5 datapoints for OK -> ALARM transition).",
            ),
            (
                on + timedelta(minutes=19),
                "OK",
                "Threshold Crossed: 1 out of the last 5 datapoints was not greater than the threshold (60.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
            (
                cpu_alarm_node["gone_at"] + timedelta(minutes=5),
                "INSUFFICIENT_DATA",
                "Insufficient Data: 5 datapoints were unknown.",
            ),
        ],
    )

    # --- target health: pods moved off the drained nodes -------------------------------------------
    for svc in ("api", "web"):
        _, arn = c.tgs[svc]
        for i in range(4):
            node = c.nodes[[0, 3, 5, 7][i]]
            ip = c.pod_ip(node)
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": arn,
                        "target": {"Id": ip, "Port": 8080},
                        "health": {"State": "healthy"},
                        "timestamp": iso(start),
                    },
                }
            )
            if node in victims:
                k.events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": arn,
                            "target": {"Id": ip, "Port": 8080},
                            "health": {
                                "State": "draining",
                                "Reason": "Target.DeregistrationInProgress",
                                "Description": "Target deregistration is in progress",
                            },
                            "timestamp": iso(node["drain_at"]),
                        },
                    }
                )
                k.events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": arn,
                            "target": {"Id": ip, "Port": 8080},
                            "health": {
                                "State": "unused",
                                "Reason": "Target.NotRegistered",
                                "Description": "Target is not registered to the target group",
                            },
                            "timestamp": iso(node["drain_at"] + timedelta(minutes=5)),
                        },
                    }
                )
                new_ip = c.pod_ip(c.nodes[rng.choice([1, 2, 8])])
                k.events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": arn,
                            "target": {"Id": new_ip, "Port": 8080},
                            "health": {
                                "State": "initial",
                                "Reason": "Elb.RegistrationInProgress",
                                "Description": "Target registration is in progress",
                            },
                            "timestamp": iso(node["drain_at"] - timedelta(seconds=30)),
                        },
                    }
                )
                k.events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": arn,
                            "target": {"Id": new_ip, "Port": 8080},
                            "health": {"State": "healthy"},
                            "timestamp": iso(node["drain_at"] - timedelta(seconds=5)),
                        },
                    }
                )

    c.emit_resources(now)
    tz = ZoneInfo("Europe/Berlin")
    question = (
        f"got paged at {fired.astimezone(tz):%H:%M} for {cname}-node-count-low, and the cluster is down to "
        f"{nodes_at(now)} nodes from 9 last night. did we lose instances in an AZ? is anything actually broken?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": "eu-central-1",
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": k.alarm_event(a, fired, "OK", trans[-2][0]),
                "timezone": "Europe/Berlin",
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    recs = k.records()
    recs["cloudtrail"] = [r for r in recs["cloudtrail"] if r["eventTime"] <= iso(now)]
    recs["logs"] = [r for r in recs["logs"] if r["timestamp"] <= ms(now)]
    return Bundle(manifest, recs)
