"""Month-end render scale-out runs one small private subnet out of addresses: new pods and nodes cannot start."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzk import (
    AZS,
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

NAME = "ledgerloop-month-end-pdf-backlog"
TITLE = "Month-end invoice PDFs hours behind; render workers won't scale past about half"
SUMMARY = (
    "The month-end render scale-out exhausted the /24 private subnet of one AZ (VPC CNI warm ENIs); pods there "
    "stay ContainerCreating and the node group cannot launch instances in it."
)


def build(seed: int) -> Bundle:
    a = Account(seed + 9000)
    rng = random.Random(seed * 13 + 5)
    # The run starts at 06:00 UTC on the first of a month.
    month = rng.randint(1, 11)
    run = datetime(2026, month + 1, 1, 6, 0, tzinfo=a.onset.tzinfo)
    onset = run + timedelta(minutes=rng.randint(22, 40))
    start = run - timedelta(hours=3, minutes=rng.randint(5, 30))
    now = onset + timedelta(minutes=rng.randint(55, 80))
    small = a.subnets_private[2]
    for n in a.nodes:
        if n["az"] == AZS[2]:
            n["ip"] = f"10.40.64.{rng.randint(10, 250)}"
            n["dns"] = f"ip-{n['ip'].replace('.', '-')}.{REGION}.compute.internal"
    c_nodes = [n for n in a.nodes if n["az"] == AZS[2]]

    desired_workers = 40
    normal_workers = 6

    def running_workers(t: Any) -> float:
        if t < run:
            return normal_workers
        m = (t - run).total_seconds() / 60
        ramp = min(desired_workers, normal_workers + m * 1.4)
        return min(ramp, 22 + (t.minute % 3 == 0))

    # --- CloudTrail ----------------------------------------------------------------------------------
    trail = a.noise_trail(start, now, 65)
    cni_role = "ledgerloop-prod-vpc-cni-irsa"
    err = (
        "Client.InsufficientFreeAddressesInSubnet",
        "The specified subnet does not have enough free addresses to satisfy the request.",
    )
    t = onset - timedelta(minutes=4)
    k = 0
    while t < now:
        n = rng.choice(c_nodes)
        name = "CreateNetworkInterface" if k % 2 == 0 else "AssignPrivateIpAddresses"
        req: dict[str, Any] = (
            {
                "subnetId": small,
                "description": f"aws-K8S-{n['id']}",
                "groupSet": {"items": [{"groupId": a.sg_node}]},
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "network-interface",
                            "tags": [
                                {"key": "node.k8s.amazonaws.com/instance_id", "value": n["id"]},
                                {"key": "cluster.k8s.amazonaws.com/name", "value": a.cluster},
                            ],
                        }
                    ]
                },
            }
            if name == "CreateNetworkInterface"
            else {"networkInterfaceId": n["eni"], "secondaryPrivateIpAddressCount": 14}
        )
        trail.append(
            a.ct(
                t,
                "ec2.amazonaws.com",
                name,
                role=cni_role,
                session=str(ms(t) * 1000000 + rng.randint(0, 999999)),
                agent="amazon-vpc-cni-k8s/v1.18.3 aws-sdk-go/1.54.8 (go1.22.5; linux; amd64)",
                ip=n["ip"],
                req=req,
                read_only=False,
                error=err,
            )
        )
        t += timedelta(seconds=rng.randint(90, 240))
        k += 1
    # Normal ENI work in the roomy subnets before the run.
    for _ in range(4):
        n = rng.choice([x for x in a.nodes if x["az"] != AZS[2]])
        tt = start + timedelta(minutes=rng.randint(10, 150))
        trail.append(
            a.ct(
                tt,
                "ec2.amazonaws.com",
                "AssignPrivateIpAddresses",
                role=cni_role,
                session=str(ms(tt) * 1000000),
                agent="amazon-vpc-cni-k8s/v1.18.3 aws-sdk-go/1.54.8 (go1.22.5; linux; amd64)",
                ip=n["ip"],
                req={"networkInterfaceId": n["eni"], "secondaryPrivateIpAddressCount": 14},
                resp={
                    "requestId": uid(rng),
                    "networkInterfaceId": n["eni"],
                    "assignedPrivateIpAddressesSet": {
                        "item": [
                            {"privateIpAddress": ".".join(n["ip"].split(".")[:3]) + f".{rng.randint(2, 250)}"}
                            for _ in range(3)
                        ]
                    },
                },
                read_only=False,
            )
        )
    t_up = onset + timedelta(minutes=rng.randint(20, 30))
    trail.append(
        a.ct(
            t_up,
            "eks.amazonaws.com",
            "UpdateNodegroupConfig",
            who=a.people[0],
            agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
            ip="81.2.69.160",
            req={
                "name": a.cluster,
                "nodegroupName": a.nodegroup,
                "scalingConfig": {"minSize": 4, "maxSize": 20, "desiredSize": a.n_nodes + 2},
            },
            resp={
                "update": {
                    "id": uid(rng),
                    "status": "InProgress",
                    "type": "ConfigUpdate",
                    "createdAt": ms(t_up) / 1000,
                }
            },
            read_only=False,
        )
    )
    t_ca = run + timedelta(minutes=11)
    trail.append(
        a.ct(
            t_ca,
            "autoscaling.amazonaws.com",
            "SetDesiredCapacity",
            role="ledgerloop-prod-cluster-autoscaler",
            session=str(ms(t_ca) * 1000000),
            agent="aws-sdk-go/1.44.241 (go1.22.4; linux; amd64)",
            req={"autoScalingGroupName": a.asg, "desiredCapacity": a.n_nodes + 2, "honorCooldown": False},
            read_only=False,
        )
    )
    t_sched = run - timedelta(minutes=rng.randint(50, 80))
    trail.append(
        a.ct(
            t_sched,
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            role="ledgerloop-prod-external-dns",
            session=str(ms(t_sched) * 1000000),
            agent="ExternalDNS/v0.14.2 aws-sdk-go/1.54.8",
            region="us-east-1",
            req={
                "hostedZoneId": a.zone_id,
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": "status.ledgerloop.io",
                                "type": "TXT",
                                "tTL": 300,
                                "resourceRecords": [
                                    {"value": '"heritage=external-dns,external-dns/owner=ledgerloop-prod"'}
                                ],
                            },
                        }
                    ]
                },
            },
            resp={
                "changeInfo": {
                    "id": "/change/C0" + uid(rng).replace("-", "")[:18].upper(),
                    "status": "PENDING",
                    "submittedAt": iso(t_sched),
                }
            },
            read_only=False,
        )
    )
    trail.sort(key=lambda r: r["eventTime"])

    # --- metrics -------------------------------------------------------------------------------------
    q = "ledgerloop-invoice-render"
    qd = {"QueueName": q}

    def visible(t: Any) -> float:
        if t < run:
            return rng.randint(0, 30)
        m = (t - run).total_seconds() / 60
        return (
            max(0.0, 38000 - m * 12 * running_workers(t) * 1.2 + rng.randint(-200, 200)) if m > 2 else 38000
        )

    metrics = series(
        start, now, "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", visible, step=5
    )
    metrics += series(
        start,
        now,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: rng.randint(1, 20) if t < run + timedelta(minutes=2) else (t - run).total_seconds(),
        step=5,
    )
    metrics += series(
        start,
        now,
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        lambda t: running_workers(t) * 12 * 5 * (1 if t >= run else 0.05),
        step=5,
    )
    metrics += series(
        start,
        now,
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        "Count",
        lambda t: 38000 if run <= t < run + timedelta(minutes=5) else rng.randint(5, 40),
        step=5,
    )
    cd = {"ClusterName": a.cluster, "Namespace": "ledgerloop", "Service": "pdf-render"}
    metrics += series(
        start, now, "ContainerInsights", "service_number_of_running_pods", cd, "Count", running_workers
    )
    metrics += series(
        start,
        now,
        "ContainerInsights",
        "cluster_node_count",
        {"ClusterName": a.cluster},
        "Count",
        lambda t: a.n_nodes,
    )
    metrics += series(
        start,
        now,
        "ContainerInsights",
        "namespace_number_of_running_pods",
        {"ClusterName": a.cluster, "Namespace": "ledgerloop"},
        "Count",
        lambda t: 34 + running_workers(t),
    )
    for n in a.nodes:
        metrics += series(
            start,
            now,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": n["id"]},
            "Percent",
            lambda t, c=n["az"] == AZS[2]: (30 if c else 70 if t >= run else 25) + rng.uniform(-5, 5),
            step=5,
        )
    metrics += alb_series(
        a,
        start,
        now,
        rng.uniform(30, 45),
        lambda t, c: (0, int(c * 0.0004)),
        lambda t: 0.08 + rng.uniform(0, 0.01),
    )
    metrics += series(
        start,
        now,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": a.db},
        "Percent",
        lambda t: (41 if t >= run else 18) + rng.uniform(-4, 4),
    )

    # --- alarms --------------------------------------------------------------------------------------
    fire = run + timedelta(minutes=rng.randint(30, 36))
    fire = fire.replace(minute=fire.minute - fire.minute % 5)
    al_age = alarm(
        a,
        "ledgerloop-invoice-render-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        1800,
        "GreaterThanThreshold",
        "ALARM",
        f"Threshold Crossed: 1 out of the last 1 datapoints [{float((fire - run).total_seconds())} ({fire.strftime('%d/%m/%y %H:%M')}:00)] was greater than the threshold (1800.0) (minimum 1 datapoint for OK -> ALARM transition).",
        fire,
        period=300,
        evals=1,
        desc="PDF render backlog older than 30 min",
    )
    al_rds = alarm(
        a,
        "ledgerloop-prod-pg-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": a.db},
        "Average",
        80,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0).",
        start - timedelta(days=4),
        period=300,
    )
    al_5xx = alarm(
        a,
        "ledgerloop-prod-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": a.alb_dim},
        "Sum",
        60,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (60.0).",
        start - timedelta(days=2),
    )
    al_node_cpu = alarm(
        a,
        f"ledgerloop-prod-node-cpu-{a.nodes[0]['id']}",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": a.nodes[0]["id"]},
        "Average",
        85,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (85.0).",
        run + timedelta(minutes=25),
        period=300,
        evals=2,
    )
    hist = [
        history(
            a,
            al_node_cpu["AlarmName"],
            run + timedelta(minutes=15),
            "OK",
            "ALARM",
            "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (85.0).",
        ),
        history(
            a,
            al_node_cpu["AlarmName"],
            run + timedelta(minutes=25),
            "ALARM",
            "OK",
            al_node_cpu["StateReason"],
        ),
        history(a, al_age["AlarmName"], fire, "OK", "ALARM", al_age["StateReason"]),
    ]

    # --- logs ----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    dgroup = f"/aws/containerinsights/{a.cluster}/dataplane"
    t = onset - timedelta(minutes=3)
    while t < now:
        n = rng.choice(c_nodes)
        pod = f"pdf-render-{uid(rng)[:10].replace('-', '')}-{uid(rng)[:5]}"
        sandbox = uid(rng).replace("-", "") * 2
        ts = t
        logs.append(
            {
                "log_group": dgroup,
                "log_stream": f"{n['dns']}-dataplane.systemd.kubelet.service",
                "timestamp": ms(ts),
                "message": f'E{ts.strftime("%m%d %H:%M:%S.%f")} {rng.randint(2000, 4000)} log.go:32] "RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to setup network for sandbox \\"{sandbox}\\": plugin type=\\"aws-cni\\" name=\\"aws-cni\\" failed (add): add cmd: failed to assign an IP address to container"',
            }
        )
        logs.append(
            {
                "log_group": dgroup,
                "log_stream": f"{n['dns']}-dataplane.systemd.kubelet.service",
                "timestamp": ms(ts) + 2,
                "message": f'E{ts.strftime("%m%d %H:%M:%S.%f")} {rng.randint(2000, 4000)} pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \\"CreatePodSandbox\\" for \\"{pod}_ledgerloop({uid(rng)})\\" with CreatePodSandboxError: \\"Failed to create sandbox for pod \\\\\\"{pod}_ledgerloop({uid(rng)})\\\\\\": rpc error: code = Unknown desc = failed to setup network for sandbox\\"" pod="ledgerloop/{pod}"',
            }
        )
        t += timedelta(seconds=rng.randint(40, 120))
    agroup = f"/aws/containerinsights/{a.cluster}/application"
    t = start
    wpods = [
        f"pdf-render-6d5b9c7f4-{uid(random.Random(i + seed)).replace('-', '')[:5]}"
        for i in range(normal_workers)
    ]
    while t < now:
        for p in wpods:
            ts = t + timedelta(seconds=rng.randint(0, 59))
            n_done = rng.randint(8, 14) if t >= run else rng.randint(0, 1)
            logs.append(
                {
                    "log_group": agroup,
                    "log_stream": f"{p}_ledgerloop_render-{uid(random.Random(p)).replace('-', '')}",
                    "timestamp": ms(ts),
                    "message": f'{{"level":"info","time":"{iso(ts)}","msg":"rendered batch","queue":"{q}","invoices":{n_done},"p95_ms":{rng.randint(400, 900)}}}',
                }
            )
        t += timedelta(minutes=4)
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- resources and events ------------------------------------------------------------------------
    res = a.resources(subnet_free={small: 0})
    for r in res:
        if r["type"] == "Subnet" and r["item"]["SubnetId"] == small:
            r["item"]["CidrBlock"] = "10.40.64.0/24"
    res.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{a.account}/{q}",
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{a.account}:{q}",
                    "VisibilityTimeout": "300",
                    "MessageRetentionPeriod": "345600",
                    "ApproximateNumberOfMessages": str(int(visible(now))),
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": f'{{"deadLetterTargetArn":"arn:aws:sqs:{REGION}:{a.account}:{q}-dlq","maxReceiveCount":5}}',
                },
                "Tags": {"team": "billing"},
            },
        }
    )
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": a.asg,
                "MinSize": 4,
                "MaxSize": 20 if now > t_up else 12,
                "DesiredCapacity": a.n_nodes + 2,
                "DefaultCooldown": 300,
                "AvailabilityZones": AZS,
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 15,
                "CreatedTime": iso(start - timedelta(days=200)),
                "VPCZoneIdentifier": ",".join(a.subnets_private),
                "Instances": [
                    {
                        "InstanceId": n["id"],
                        "AvailabilityZone": n["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "ProtectedFromScaleIn": False,
                        "InstanceType": "m6i.2xlarge",
                    }
                    for n in a.nodes
                ],
                "MixedInstancesPolicy": {
                    "LaunchTemplate": {
                        "LaunchTemplateSpecification": {
                            "LaunchTemplateId": "lt-" + uid(rng).replace("-", "")[:17],
                            "Version": "3",
                        }
                    }
                },
                "Tags": [
                    {
                        "Key": "eks:nodegroup-name",
                        "Value": a.nodegroup,
                        "ResourceId": a.asg,
                        "ResourceType": "auto-scaling-group",
                        "PropagateAtLaunch": True,
                    }
                ],
            },
        }
    )
    events: list[dict[str, Any]] = []
    t = run + timedelta(minutes=12)
    while t < now:
        if rng.random() < 0.6:
            st = t
            events.append(
                {
                    "source": "autoscaling",
                    "item": {
                        "ActivityId": uid(rng),
                        "AutoScalingGroupName": a.asg,
                        "Description": "Launching a new EC2 instance.  Status Reason: There are not enough free addresses in subnet "
                        f"'{small}' to satisfy the requested number of instances. Launching EC2 instance failed.",
                        "Cause": f"At {iso(run + timedelta(minutes=11))} a user request explicitly set group desired capacity changing the desired capacity from {a.n_nodes} to {a.n_nodes + 2}.  At {iso(st)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {a.n_nodes} to {a.n_nodes + 1}.",
                        "StartTime": iso(st),
                        "EndTime": iso(st),
                        "StatusCode": "Failed",
                        "StatusMessage": f"There are not enough free addresses in subnet '{small}' to satisfy the requested number of instances. Launching EC2 instance failed.",
                        "Progress": 100,
                    },
                }
            )
        t += timedelta(minutes=rng.randint(6, 12))
    events.sort(key=lambda e: e["item"]["StartTime"])
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

    local = (fire + timedelta(minutes=rng.randint(10, 25))).astimezone(ZoneInfo("Europe/Dublin"))
    question = (
        f"It's {local.strftime('%H:%M')} and month-end invoice PDFs are way behind, customers already emailing. HPA for "
        f"pdf-render wants {desired_workers} replicas but only ~22 are running. Is SQS throttling us or is the DB the bottleneck?"
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
                "alarm_event": alarm_event(a, al_age, fire, start - timedelta(days=30)),
                "timezone": "Europe/Dublin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": small,
                    "category": "limit",
                    "failure_mode": "subnet-ip-exhaustion",
                },
                "also_accept": ["ledgerloop-prod-private-c"],
                "actions": ["reconfigure", "scale"],
                "chain": [small, "pdf-render", q],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [al_age, al_rds, al_5xx, al_node_cpu],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
