"""One EKS node's root EBS volume stalls: its pods hang, their ALB targets go unhealthy, the node stays Ready."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzk import (
    REGION,
    Account,
    alarm,
    alarm_event,
    alb_series,
    history,
    iso,
    ms,
    series,
    uid,
)

NAME = "ledgerloop-api-targets-unhealthy-pods-running"
TITLE = "Several api-web ALB targets unhealthy since late morning, but kubectl shows the pods Running"
SUMMARY = (
    "The root gp3 volume of one managed-node-group instance stalled I/O; processes on the node blocked, its "
    "api-web pods failed their health checks while the node stayed Ready."
)


def build(seed: int) -> Bundle:
    a = Account(seed + 5000)
    rng = random.Random(seed * 11 + 3)
    onset = a.onset
    start = onset - timedelta(hours=3, minutes=rng.randint(5, 35))
    now = onset + timedelta(minutes=rng.randint(40, 65))
    bad_i = rng.randrange(a.n_nodes)
    bad = a.nodes[bad_i]
    bad_pods = [i for i, n in enumerate(a.pod_node) if n == bad_i]
    if len(bad_pods) < 2:
        extra = (bad_pods[0] + 1) % len(a.pod_node) if bad_pods else 0
        a.pod_node[extra] = bad_i
        bad_pods = [i for i, n in enumerate(a.pod_node) if n == bad_i]
    for i in range(len(a.pod_ips)):
        node = a.nodes[a.pod_node[i]]
        a.pod_ips[i] = (
            ".".join(node["ip"].split(".")[:3])
            + f".{(int(node['ip'].split('.')[3]) + 7 * (i + 1)) % 240 + 5}"
        )
    n_pods = len(a.api_pods)
    frac_lost = len(bad_pods) / n_pods

    def lost(t: Any) -> bool:
        return t >= onset

    # --- CloudTrail ----------------------------------------------------------------------------------
    trail = a.noise_trail(start, now, 75)
    t_dep = onset - timedelta(minutes=rng.randint(18, 30))
    trail.append(
        a.ct(
            t_dep,
            "ecr.amazonaws.com",
            "PutImage",
            role=a.ci_role,
            session=f"GitHubActions-{rng.randint(10**9, 10**10)}",
            agent="aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 api/ecr#1.30.1",
            ip="20.61.14.199",
            req={
                "repositoryName": "ledgerloop/api-web",
                "imageTag": f"v4.{rng.randint(10, 30)}.{rng.randint(0, 9)}",
                "registryId": a.account,
            },
            resp={
                "image": {
                    "registryId": a.account,
                    "repositoryName": "ledgerloop/api-web",
                    "imageId": {"imageDigest": "sha256:" + uid(rng).replace("-", "") * 2},
                }
            },
            read_only=False,
        )
    )
    # The controller re-registers the new pods' IPs during the rollout.
    trail.append(
        a.ct(
            t_dep + timedelta(minutes=3),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            role="ledgerloop-prod-aws-load-balancer-controller",
            session=str(ms(t_dep) * 1000000),
            agent="elbv2.k8s.aws/v2.8.1 aws-sdk-go/1.54.8 (go1.22.5; linux; amd64)",
            req={"targetGroupArn": a.tg_api_arn, "targets": [{"id": ip, "port": 8080} for ip in a.pod_ips]},
            read_only=False,
        )
    )
    trail.append(
        a.ct(
            onset + timedelta(minutes=rng.randint(12, 20)),
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            who=a.people[0],
            agent="aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10",
            ip="AWS Internal",
            req={"instancesSet": {}, "filterSet": {}, "includeAllInstances": False},
        )
    )
    trail.append(
        a.ct(
            onset - timedelta(minutes=rng.randint(60, 120)),
            "rds.amazonaws.com",
            "ModifyDBParameterGroup",
            who=a.people[2],
            agent="aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10",
            ip="AWS Internal",
            req={
                "dBParameterGroupName": "ledgerloop-pg15",
                "parameters": [
                    {
                        "parameterName": "log_min_duration_statement",
                        "parameterValue": "500",
                        "applyMethod": "immediate",
                    }
                ],
            },
            resp={"dBParameterGroupName": "ledgerloop-pg15"},
            read_only=False,
        )
    )
    trail.sort(key=lambda r: r["eventTime"])

    # --- metrics -------------------------------------------------------------------------------------
    def fivexx(t: Any, count: int) -> tuple[int, int]:
        m = (t - onset).total_seconds() / 60
        if 0 <= m < 2:
            return int(count * frac_lost * 0.7), 0
        if m >= 2:
            return int(count * 0.002 * rng.random()), int(count * 0.001)
        return 0, int(count * 0.0004)

    def latency(t: Any) -> float:
        return 0.09 + (0.07 * frac_lost * 3 if t >= onset else 0.0) + rng.uniform(0, 0.01)

    metrics = alb_series(a, start, now, rng.uniform(60, 90), fivexx, latency)
    dims_tg = {"TargetGroup": a.tg_api_dim, "LoadBalancer": a.alb_dim}
    metrics += series(
        start,
        now,
        "AWS/ApplicationELB",
        "HealthyHostCount",
        dims_tg,
        "Count",
        lambda t: n_pods - (len(bad_pods) if t > onset else 0),
    )
    metrics += series(
        start,
        now,
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        dims_tg,
        "Count",
        lambda t: len(bad_pods) if t > onset else 0,
    )
    for n in a.nodes:
        is_bad = n is bad
        metrics += series(
            start,
            now,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": n["id"]},
            "Percent",
            lambda t, b=is_bad: (3 + rng.uniform(0, 2)) if (b and t >= onset) else 28 + rng.uniform(-5, 7),
            step=5,
        )
        metrics += series(
            start,
            now,
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": n["id"]},
            "Count",
            lambda t, b=is_bad: 1 if (b and t >= onset + timedelta(minutes=2)) else 0,
        )
        metrics += series(
            start, now, "AWS/EC2", "StatusCheckFailed_Instance", {"InstanceId": n["id"]}, "Count", lambda t: 0
        )
        metrics += series(
            start, now, "AWS/EC2", "StatusCheckFailed_System", {"InstanceId": n["id"]}, "Count", lambda t: 0
        )
        metrics += series(
            start,
            now,
            "AWS/EC2",
            "StatusCheckFailed_AttachedEBS",
            {"InstanceId": n["id"]},
            "Count",
            lambda t, b=is_bad: 1 if (b and t >= onset + timedelta(minutes=2)) else 0,
        )
        vd = {"VolumeId": n["vol"]}
        metrics += series(
            start,
            now,
            "AWS/EBS",
            "VolumeWriteOps",
            vd,
            "Count",
            lambda t, b=is_bad: 0 if (b and t >= onset) else rng.randint(9000, 16000),
            step=5,
        )
        metrics += series(
            start,
            now,
            "AWS/EBS",
            "VolumeReadOps",
            vd,
            "Count",
            lambda t, b=is_bad: 0 if (b and t >= onset) else rng.randint(300, 2500),
            step=5,
        )
        metrics += series(
            start,
            now,
            "AWS/EBS",
            "VolumeQueueLength",
            vd,
            "Count",
            lambda t, b=is_bad: (38 + rng.uniform(0, 4)) if (b and t >= onset) else rng.uniform(0.05, 0.4),
            step=5,
        )
        metrics += series(
            start,
            now,
            "AWS/EBS",
            "VolumeStalledIOCheck",
            {"VolumeId": n["vol"], "InstanceId": n["id"]},
            "None",
            lambda t, b=is_bad: 1 if (b and t >= onset + timedelta(minutes=1)) else 0,
        )
        # Container Insights node metrics stop when the node's agent can no longer write or ship.
        nd = {"ClusterName": a.cluster, "InstanceId": n["id"], "NodeName": n["dns"]}
        metrics += series(
            start,
            now,
            "ContainerInsights",
            "node_cpu_utilization",
            nd,
            "Percent",
            lambda t, b=is_bad: None if (b and t >= onset) else 27 + rng.uniform(-5, 6),
        )
        metrics += series(
            start,
            now,
            "ContainerInsights",
            "node_memory_utilization",
            nd,
            "Percent",
            lambda t, b=is_bad: None if (b and t >= onset) else 58 + rng.uniform(-3, 3),
        )
    metrics += series(
        start,
        now,
        "ContainerInsights",
        "cluster_failed_node_count",
        {"ClusterName": a.cluster},
        "Count",
        lambda t: 0,
    )
    metrics += series(
        start,
        now,
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": a.db},
        "Count",
        lambda t: 170 - (int(22 * frac_lost * 4) if t >= onset else 0) + rng.randint(-5, 5),
    )
    metrics += series(
        start,
        now,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": a.db},
        "Percent",
        lambda t: 22 + rng.uniform(-3, 3),
    )

    # --- alarms --------------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=3)
    al_unh = alarm(
        a,
        "ledgerloop-prod-api-unhealthy-targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        dims_tg,
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        "ALARM",
        f"Threshold Crossed: 2 out of the last 2 datapoints [{float(len(bad_pods))} ({fire.strftime('%d/%m/%y %H:%M')}:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
        fire,
        evals=2,
        desc="api-web targets failing ALB health checks",
    )
    al_5xx = alarm(
        a,
        "ledgerloop-prod-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": a.alb_dim},
        "Sum",
        100,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (100.0).",
        onset + timedelta(minutes=4),
        evals=1,
        missing="notBreaching",
    )
    al_nodes = alarm(
        a,
        "ledgerloop-prod-failed-nodes",
        "ContainerInsights",
        "cluster_failed_node_count",
        {"ClusterName": a.cluster},
        "Maximum",
        1,
        "GreaterThanOrEqualToThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints [0.0] were not greater than or equal to the threshold (1.0).",
        start - timedelta(days=6),
        period=60,
    )
    al_q = alarm(
        a,
        "ledgerloop-sessions-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Average",
        70,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [12.0] was not greater than the threshold (70.0).",
        onset - timedelta(minutes=rng.randint(30, 90)),
        evals=1,
        period=300,
    )
    t_q = onset - timedelta(minutes=rng.randint(100, 150))
    hist = [
        history(
            a,
            al_q["AlarmName"],
            t_q,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [76.4] was greater than the threshold (70.0).",
        ),
        history(a, al_q["AlarmName"], t_q + timedelta(minutes=15), "ALARM", "OK", al_q["StateReason"]),
        history(
            a,
            al_5xx["AlarmName"],
            onset + timedelta(minutes=1),
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [388.0] was greater than the threshold (100.0).",
        ),
        history(a, al_5xx["AlarmName"], onset + timedelta(minutes=4), "ALARM", "OK", al_5xx["StateReason"]),
        history(a, al_unh["AlarmName"], fire, "OK", "ALARM", al_unh["StateReason"]),
    ]
    metrics += series(
        start,
        now,
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Percent",
        lambda t: (
            76.4 if t_q - timedelta(minutes=5) <= t < t_q + timedelta(minutes=10) else rng.uniform(8, 20)
        ),
        step=5,
    )

    # --- logs ----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    group = f"/aws/containerinsights/{a.cluster}/application"
    t = start
    while t < now:
        for i, pod in enumerate(a.api_pods):
            if a.pod_node[i] == bad_i and t >= onset:
                continue  # nothing ships from the stalled node
            ts = t + timedelta(seconds=rng.randint(0, 59))
            path = rng.choice(["/v1/invoices", "/v1/invoices/{id}", "/v1/customers", "/v1/payments/intents"])
            code = 200 if rng.random() > 0.01 else 404
            logs.append(
                {
                    "log_group": group,
                    "log_stream": f"{pod}_ledgerloop_api-web-{uid(random.Random(pod)).replace('-', '')}",
                    "timestamp": ms(ts),
                    "message": f'{ts.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]} INFO [uvicorn.access] 10.40.{rng.randint(0, 95)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)} - "GET {path} HTTP/1.1" {code}',
                }
            )
        t += timedelta(minutes=3)
    dgroup = f"/aws/containerinsights/{a.cluster}/dataplane"
    t = start
    while t < now:
        for n in a.nodes:
            if n is bad and t >= onset:
                continue
            ts = t + timedelta(seconds=rng.randint(0, 290))
            logs.append(
                {
                    "log_group": dgroup,
                    "log_stream": f"{n['dns']}-dataplane.systemd.kubelet.service",
                    "timestamp": ms(ts),
                    "message": f'I{ts.strftime("%m%d %H:%M:%S.%f")} {rng.randint(2000, 4000)} kubelet_getters.go:218] "Pod status updated" pod="ledgerloop/{rng.choice(a.api_pods)}" status="Running"',
                }
            )
        t += timedelta(minutes=5)
    # last lines the bad node shipped
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- resources -----------------------------------------------------------------------------------
    res = a.resources()
    for r in res:
        if r["type"] == "Instance":
            ip_list = [
                a.pod_ips[i] for i in range(n_pods) if a.nodes[a.pod_node[i]]["id"] == r["item"]["InstanceId"]
            ]
            nic = r["item"]["NetworkInterfaces"][0]
            nic["PrivateIpAddresses"] = [{"PrivateIpAddress": nic["PrivateIpAddress"], "Primary": True}] + [
                {"PrivateIpAddress": ip, "Primary": False} for ip in ip_list
            ]
        if r["type"] == "InstanceStatus" and r["item"]["InstanceId"] == bad["id"]:
            r["item"]["AttachedEbsStatus"] = {
                "Status": "impaired",
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(onset + timedelta(minutes=2)),
                    }
                ],
            }
    for n in a.nodes:
        is_bad = n is bad
        res.append(
            {
                "service": "ec2",
                "type": "Volume",
                "item": {
                    "VolumeId": n["vol"],
                    "Size": 80,
                    "VolumeType": "gp3",
                    "Iops": 3000,
                    "Throughput": 125,
                    "Encrypted": True,
                    "AvailabilityZone": n["az"],
                    "CreateTime": iso(n["launch"]),
                    "State": "in-use",
                    "Attachments": [
                        {
                            "AttachTime": iso(n["launch"]),
                            "Device": "/dev/xvda",
                            "InstanceId": n["id"],
                            "State": "attached",
                            "VolumeId": n["vol"],
                            "DeleteOnTermination": True,
                        }
                    ],
                    "Tags": [{"Key": "eks:nodegroup-name", "Value": a.nodegroup}],
                },
            }
        )
        res.append(
            {
                "service": "ec2",
                "type": "VolumeStatusItem",
                "item": {
                    "VolumeId": n["vol"],
                    "AvailabilityZone": n["az"],
                    "VolumeStatus": {
                        "Status": "impaired" if is_bad else "ok",
                        "Details": [
                            {"Name": "io-enabled", "Status": "passed"},
                            {"Name": "io-performance", "Status": "severely-degraded" if is_bad else "normal"},
                        ],
                    },
                    "Actions": [],
                    "Events": [],
                },
            }
        )
    events: list[dict[str, Any]] = []
    for i, ip in enumerate(a.pod_ips):
        node = a.nodes[a.pod_node[i]]
        target = {"Id": ip, "Port": 8080, "AvailabilityZone": node["az"]}
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_api_arn,
                    "target": target,
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": iso(t_dep + timedelta(minutes=3)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_api_arn,
                    "target": target,
                    "health": {"State": "healthy"},
                    "timestamp": iso(t_dep + timedelta(minutes=4)),
                },
            }
        )
        if a.pod_node[i] == bad_i:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": a.tg_api_arn,
                        "target": target,
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": iso(onset + timedelta(seconds=40)),
                    },
                }
            )
    for n in a.nodes:
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_nlb_arn,
                    "target": {"Id": n["id"], "Port": 30525, "AvailabilityZone": n["az"]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
    local = (onset + timedelta(minutes=rng.randint(4, 12))).astimezone(ZoneInfo("Europe/London"))
    question = (
        f"ALB says {len(bad_pods)} api-web targets unhealthy since ~{local.strftime('%H:%M')} but kubectl get pods shows "
        "everything Running and the node Ready. We rolled api-web just before, is the new image broken? Rollback?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a.account,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": alarm_event(a, al_unh, fire, start - timedelta(days=1)),
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad["vol"],
                    "category": "component_failure",
                    "failure_mode": "ebs-root-volume-stalled-io",
                },
                "also_accept": [bad["id"], bad["dns"]],
                "actions": ["exclude", "restart"],
                "chain": [bad["vol"], bad["id"], "api-web", a.tg_api, a.alb_name],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [al_unh, al_5xx, al_nodes, al_q],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
