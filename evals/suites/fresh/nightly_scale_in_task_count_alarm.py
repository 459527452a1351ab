"""A newly created running-task-count alarm pages at night when the service scales in as it always does."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zg as k

NAME = "nightly-scale-in-task-count-alarm"
TITLE = "slipway-web running-tasks-low page at night"
SUMMARY = (
    "An alarm on RunningTaskCount < 3, created that afternoon, fires when the long-standing 22:00 scheduled "
    "action lowers the minimum and target tracking scales slipway-web from 4 to 2 tasks; the site is healthy."
)

Json = dict[str, Any]

CLUSTER = "slipway-prod"
SVC = "slipway-web"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    region = "us-west-2"
    day = k.base_day(rng, (0, 1, 2, 3))
    off = -7.0 if 3 < day.month < 11 else -8.0  # America/Los_Angeles
    local0 = day - timedelta(hours=off)  # local midnight of the incident day, in UTC

    def at_local(days: int, hour: float, jitter_min: int = 0) -> datetime:
        return local0 + timedelta(
            days=days, hours=hour, minutes=rng.randint(0, jitter_min) if jitter_min else 0
        )

    start = local0 - timedelta(days=2)
    # the desired-count timeline, day by day
    changes: list[tuple[datetime, int, str]] = []  # (time, desired, why)
    for d in (-2, -1, 0):
        changes.append((at_local(d, 6.0) + timedelta(seconds=rng.randint(20, 50)), 4, "min"))
        up = at_local(d, 11.5, 50)
        changes.append((up, 5, "high"))
        changes.append((up + timedelta(minutes=rng.randint(170, 220)), 4, "low"))
        changes.append(
            (
                at_local(d, 22.0, 0) + timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59)),
                2,
                "low",
            )
        )
    # night before the window
    changes.sort()
    scale_in = changes[-1][0]
    alarm_created = at_local(0, 16.3, 40) + timedelta(seconds=rng.randint(0, 59))
    now = scale_in + timedelta(minutes=rng.randint(38, 52))
    fine_from = (scale_in - timedelta(hours=3)).replace(minute=0, second=0)
    grid = k.mixed_grid(start, fine_from, now)

    def desired(t: datetime) -> int:
        cur = 2
        for ct_, n, _ in changes:
            if ct_ <= t:
                cur = n
        return cur

    def running(t: datetime) -> int:
        d_now = desired(t)
        d_before = desired(t - timedelta(seconds=100))
        return min(d_now, d_before) if d_now > d_before else d_now

    alb_name = "slipway-web-prod"
    alb_id = k.hexs(rng, 16)
    tg = f"targetgroup/slipway-web-tg/{k.hexs(rng, 16)}"
    lb_dim = f"app/{alb_name}/{alb_id}"
    alb_dims = {"LoadBalancer": lb_dim, "TargetGroup": tg}
    ci_dims = {"ClusterName": CLUSTER, "ServiceName": SVC}
    w_dims = {"ClusterName": CLUSTER, "ServiceName": "slipway-worker"}
    base_rpm = rng.uniform(380, 520)
    metrics: list[Json] = []
    task_points: list[tuple[datetime, float]] = []
    for t, period in grid:
        scale = period / 60
        tr = k.daily(t, off, peak_h=13.0, floor=0.05)
        d = desired(t)
        r = running(t)
        cpu_total = 10 + 190 * tr
        cpu = cpu_total / max(1, r) * rng.uniform(0.92, 1.08)
        req = base_rpm * tr * scale * rng.uniform(0.95, 1.05)
        metrics += [
            k.metric("ECS/ContainerInsights", "RunningTaskCount", ci_dims, t, "Count", r),
            k.metric("ECS/ContainerInsights", "DesiredTaskCount", ci_dims, t, "Count", d),
            k.metric("ECS/ContainerInsights", "PendingTaskCount", ci_dims, t, "Count", d - r if d > r else 0),
            k.metric("ECS/ContainerInsights", "RunningTaskCount", w_dims, t, "Count", 2),
            k.metric("AWS/ECS", "CPUUtilization", ci_dims, t, "Percent", cpu),
            k.metric("AWS/ECS", "MemoryUtilization", ci_dims, t, "Percent", rng.uniform(41, 46)),
            k.metric("AWS/ApplicationELB", "RequestCount", alb_dims, t, "Count", round(req)),
            k.metric("AWS/ApplicationELB", "HealthyHostCount", alb_dims, t, "Count", r),
            k.metric("AWS/ApplicationELB", "UnHealthyHostCount", alb_dims, t, "Count", 0),
            k.metric(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": "slipway-db"},
                t,
                "Count",
                r * 10 + 6 + rng.randint(-1, 2),
            ),
            k.metric(
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": "slipway-db"},
                t,
                "Percent",
                4 + 21 * tr + rng.gauss(0, 1),
            ),
        ]
        n = max(1, round(req))
        avg = rng.uniform(0.07, 0.09) * (1 + 0.3 * tr)
        metrics.append(
            k.stat_metric("AWS/ApplicationELB", "TargetResponseTime", alb_dims, t, "Seconds", [1.0])
            | {
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(avg * n, 4),
                    "Minimum": 0.004,
                    "Maximum": round(rng.uniform(0.5, 1.6), 3),
                }
            }
        )
        if rng.random() < 0.05 * scale * (0.3 + tr):
            metrics.append(
                k.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb_dims, t, "Count", 1)
            )
        if period == 60:
            task_points.append((t, float(r)))

    # ---- alarms
    topic = f"arn:aws:sns:{region}:{acct}:slipway-pager"
    low = k.metric_alarm(
        acct,
        region,
        "slipway-web-running-tasks-low",
        "slipway-web has fewer than 3 running tasks",
        "ECS/ContainerInsights",
        "RunningTaskCount",
        ci_dims,
        "Average",
        60,
        3,
        3,
        3,
        "LessThanThreshold",
        "OK",
        "",
        alarm_created,
        alarm_created,
        [topic],
    )
    pts = [p for p in task_points if p[0] >= alarm_created]
    trans = [x for x in k.evaluate(pts, 60, 3, 3, 3, "LessThanThreshold", False) if x[0] <= now]
    k.apply_state(low, trans)
    history = k.history_items(low, alarm_created, trans)
    fire = next(x for x in trans if x[1] == "ALARM")
    uuid_hi, uuid_lo = k.uid(rng), k.uid(rng)
    tt_hi = k.ok_alarm(
        acct,
        region,
        f"TargetTracking-service/{CLUSTER}/{SVC}-AlarmHigh-{uuid_hi}",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:"
        f"{region}:{acct}:scalingPolicy:{k.uid(rng)}:resource/ecs/service/{CLUSTER}/{SVC}:"
        "policyName/slipway-web-cpu-target.",
        "AWS/ECS",
        "CPUUtilization",
        ci_dims,
        "Average",
        60,
        3,
        55.0,
        "GreaterThanThreshold",
        changes[-3][0] - timedelta(minutes=8),
        start - timedelta(days=300),
        [],
    )
    lo_since = changes[-2][0] - timedelta(minutes=rng.randint(25, 40))
    tt_lo = k.metric_alarm(
        acct,
        region,
        f"TargetTracking-service/{CLUSTER}/{SVC}-AlarmLow-{uuid_lo}",
        tt_hi["AlarmDescription"],
        "AWS/ECS",
        "CPUUtilization",
        ci_dims,
        "Average",
        60,
        15,
        15,
        49.5,
        "LessThanThreshold",
        "ALARM",
        "Threshold Crossed: 15 datapoints were less than the threshold (49.5). The most recent datapoints which "
        "crossed the threshold: ["
        + ", ".join(
            f"{rng.uniform(20, 31):.4f} ({(lo_since - timedelta(minutes=i)).strftime('%d/%m/%y %H:%M:00')})"
            for i in range(1, 6)
        )
        + "].",
        lo_since,
        start - timedelta(days=300),
        [],
    )
    tt_lo["AlarmActions"] = [
        f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{k.uid(rng)}:resource/ecs/"
        f"service/{CLUSTER}/{SVC}:policyName/slipway-web-cpu-target"
    ]
    tt_hi["AlarmActions"] = list(tt_lo["AlarmActions"])
    tt_lo["OKActions"] = []
    tt_hi["OKActions"] = []
    alarms = [low, tt_hi, tt_lo]
    for name, ns, mname, dims, stat, period, ev, th, desc in (
        (
            "slipway-web-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            alb_dims,
            "Sum",
            300,
            2,
            20.0,
            "slipway-web targets answering 5xx",
        ),
        (
            "slipway-web-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            alb_dims,
            "Average",
            300,
            3,
            0.8,
            "slipway-web average response time",
        ),
        (
            "slipway-web-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            alb_dims,
            "Maximum",
            60,
            3,
            0.0,
            "slipway-web unhealthy targets",
        ),
        (
            "slipway-db-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "slipway-db"},
            "Average",
            300,
            3,
            80.0,
            "slipway-db CPU",
        ),
    ):
        alarms.append(
            k.ok_alarm(
                acct,
                region,
                name,
                desc,
                ns,
                mname,
                dims,
                stat,
                period,
                ev,
                th,
                "GreaterThanThreshold",
                start - timedelta(days=rng.randint(3, 40)),
                start - timedelta(days=rng.randint(100, 500)),
                [topic],
                "notBreaching",
            )
        )

    # ---- resources
    vpc = "vpc-0" + k.hexs(rng, 16)
    subnets = ["subnet-0" + k.hexs(rng, 16) for _ in range(3)]
    azs = ["us-west-2a", "us-west-2b", "us-west-2c"]
    sg_web = "sg-0" + k.hexs(rng, 16)
    sg_bastion = "sg-0" + k.hexs(rng, 16)
    cl_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{CLUSTER}"
    svc_arn = f"arn:aws:ecs:{region}:{acct}:service/{CLUSTER}/{SVC}"
    rev = rng.randint(200, 320)
    td_arn = f"arn:aws:ecs:{region}:{acct}:task-definition/{SVC}:{rev}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:{tg}"
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{lb_dim}"
    rid = f"service/{CLUSTER}/{SVC}"
    made = start - timedelta(days=rng.randint(200, 400))
    deployed = start - timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
    svc_item: Json = {
        "serviceArn": svc_arn,
        "serviceName": SVC,
        "clusterArn": cl_arn,
        "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "web", "containerPort": 8000}],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "taskDefinition": td_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": "ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19)),
                "status": "PRIMARY",
                "taskDefinition": td_arn,
                "desiredCount": 2,
                "pendingCount": 0,
                "runningCount": 2,
                "failedTasks": 0,
                "createdAt": k.iso(deployed),
                "updatedAt": k.iso(scale_in + timedelta(seconds=40)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_web],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "events": [],
        "createdAt": k.iso(made),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [sg_web],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 60,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": True,
    }
    worker = dict(svc_item)
    worker.update(
        {
            "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/{CLUSTER}/slipway-worker",
            "serviceName": "slipway-worker",
            "loadBalancers": [],
            "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/slipway-worker:{rev - 3}",
        }
    )
    worker["deployments"] = [
        dict(
            svc_item["deployments"][0],
            taskDefinition=worker["taskDefinition"],
            id="ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19)),
        )
    ]
    resources: list[Json] = [
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cl_arn,
                "clusterName": CLUSTER,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 4,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "settings": [{"name": "containerInsights", "value": "enabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        },
        {"service": "ecs", "type": "Service", "item": svc_item},
        {"service": "ecs", "type": "Service", "item": worker},
        {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": td_arn,
                "family": SVC,
                "revision": rev,
                "status": "ACTIVE",
                "taskRoleArn": f"arn:aws:iam::{acct}:role/slipway-web-task",
                "executionRoleArn": f"arn:aws:iam::{acct}:role/slipway-ecs-execution",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {
                        "name": "web",
                        "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/slipway-web:{k.hexs(rng, 12)}",
                        "cpu": 0,
                        "essential": True,
                        "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
                        "command": [
                            "gunicorn",
                            "slipway.wsgi",
                            "--bind",
                            "0.0.0.0:8000",
                            "--workers",
                            "4",
                            "--access-logfile",
                            "-",
                        ],
                        "environment": [{"name": "DJANGO_SETTINGS_MODULE", "value": "slipway.settings.prod"}],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/slipway-web",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "web",
                            },
                        },
                    }
                ],
                "registeredAt": k.iso(deployed - timedelta(minutes=4)),
            },
        },
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"{alb_name}-{rng.randint(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z1H1FL5HABSF5",
                "CreatedTime": k.iso(made),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s} for z, s in zip(azs, subnets, strict=True)
                ],
                "SecurityGroups": ["sg-0" + k.hexs(rng, 16)],
                "IpAddressType": "ipv4",
            },
        },
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "slipway-web-tg",
                "Protocol": "HTTP",
                "Port": 8000,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/health/",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        },
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 2,
                "MaxCapacity": 6,
                "RoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": k.iso(made + timedelta(hours=2)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
                "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{acct}:scalable-target/"
                f"0e{k.hexs(rng, 30)}",
            },
        },
        {
            "service": "application-autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "PolicyARN": tt_lo["AlarmActions"][0],
                "PolicyName": "slipway-web-cpu-target",
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 55.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                    },
                    "ScaleOutCooldown": 120,
                    "ScaleInCooldown": 300,
                    "DisableScaleIn": False,
                },
                "Alarms": [
                    {"AlarmName": tt_hi["AlarmName"], "AlarmARN": tt_hi["AlarmArn"]},
                    {"AlarmName": tt_lo["AlarmName"], "AlarmARN": tt_lo["AlarmArn"]},
                ],
                "CreationTime": k.iso(made + timedelta(hours=2, minutes=1)),
            },
        },
    ]
    for name, cron, mn, mx in (
        ("nightly-scale-in", "cron(0 22 * * ? *)", 2, 6),
        ("morning-scale-out", "cron(0 6 * * ? *)", 4, 16),
    ):
        resources.append(
            {
                "service": "application-autoscaling",
                "type": "ScheduledAction",
                "item": {
                    "ScheduledActionName": name,
                    "ScheduledActionARN": f"arn:aws:autoscaling:{region}:{acct}:scheduledAction:{k.uid(rng)}:resource/ecs/"
                    f"{rid}:scheduledActionName/{name}",
                    "ServiceNamespace": "ecs",
                    "Schedule": cron,
                    "Timezone": "America/Los_Angeles",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "ScalableTargetAction": {"MinCapacity": mn, "MaxCapacity": mx},
                    "CreationTime": k.iso(made + timedelta(days=rng.randint(20, 90))),
                },
            }
        )
    resources.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": "slipway-db",
                "DBInstanceClass": "db.m6g.large",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "slipway_admin",
                "DBName": "slipway",
                "Endpoint": {
                    "Address": f"slipway-db.{k.alnum(rng, 12, False)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                },
                "AllocatedStorage": 200,
                "InstanceCreateTime": k.iso(made),
                "PreferredBackupWindow": "10:00-10:30",
                "BackupRetentionPeriod": 7,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0" + k.hexs(rng, 16), "Status": "active"}],
                "AvailabilityZone": "us-west-2b",
                "PreferredMaintenanceWindow": "tue:11:00-tue:11:30",
                "PendingModifiedValues": {},
                "MultiAZ": True,
                "EngineVersion": "15.6",
                "AutoMinorVersionUpgrade": True,
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.alnum(rng, 26),
                "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:slipway-db",
            },
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": sg_bastion,
                "GroupName": "slipway-bastion",
                "Description": "ssh to the bastion",
                "OwnerId": acct,
                "VpcId": vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 22,
                        "ToPort": 22,
                        "IpRanges": [{"CidrIp": "198.51.100.24/32", "Description": "office"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            },
        }
    )
    resources.append(
        {
            "service": "logs",
            "type": "LogGroup",
            "item": {
                "logGroupName": "/ecs/slipway-web",
                "creationTime": k.ms(made),
                "retentionInDays": 14,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{region}:{acct}:log-group:/ecs/slipway-web:*",
                "storedBytes": rng.randint(10**9, 5 * 10**9),
                "logGroupClass": "STANDARD",
                "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:/ecs/slipway-web",
            },
        }
    )

    # ---- tasks, target health, ECS and scaling events
    events: list[Json] = []
    tasks: list[tuple[str, str, datetime, datetime | None]] = []  # id, ip, started, stopped
    live: list[int] = []
    for i in range(2):
        tasks.append(
            (
                k.hexs(rng, 32),
                f"10.30.{rng.choice([1, 2, 3])}.{rng.randint(10, 250)}",
                start - timedelta(days=3),
                None,
            )
        )
        live.append(i)

    def ecs_ev(t: datetime, msg: str) -> None:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": k.uid(rng), "createdAt": k.iso(t), "message": msg},
                },
            }
        )

    def aas(t: datetime, desc: str, cause: str, msg: str) -> None:
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uid(rng),
                    "ServiceNamespace": "ecs",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": desc,
                    "Cause": cause,
                    "StartTime": k.iso_ms(t),
                    "EndTime": k.iso_ms(t + timedelta(seconds=rng.randint(20, 80))),
                    "StatusCode": "Successful",
                    "StatusMessage": msg,
                },
            }
        )

    cur = 2
    for t, n, why in changes:
        if why == "min":
            sched = t - timedelta(seconds=rng.randint(10, 19))
            aas(
                sched,
                "Setting min capacity to 4 and max capacity to 16",
                "scheduled action name morning-scale-out was triggered",
                "Successfully set min capacity to 4 and max capacity to 16",
            )
            aas(
                t,
                "Setting desired count to 4.",
                "minimum capacity was set to 4",
                "Successfully set desired count to 4. Change successfully fulfilled by ecs.",
            )
        elif n < cur:
            if t.hour == (local0 + timedelta(hours=22)).hour:
                aas(
                    at_local((t - local0).days, 22.0),
                    "Setting min capacity to 2 and max capacity to 6",
                    "scheduled action name nightly-scale-in was triggered",
                    "Successfully set min capacity to 2 and max capacity to 6",
                )
            aas(
                t,
                f"Setting desired count to {n}.",
                f"monitor alarm {tt_lo['AlarmName']} in state ALARM triggered policy slipway-web-cpu-target",
                f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
            )
        else:
            aas(
                t,
                f"Setting desired count to {n}.",
                f"monitor alarm {tt_hi['AlarmName']} in state ALARM triggered policy slipway-web-cpu-target",
                f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
            )
        if n > cur:
            new = []
            for _ in range(n - cur):
                tasks.append(
                    (
                        k.hexs(rng, 32),
                        f"10.30.{rng.choice([1, 2, 3])}.{rng.randint(10, 250)}",
                        t + timedelta(seconds=30),
                        None,
                    )
                )
                new.append(len(tasks) - 1)
            ecs_ev(
                t + timedelta(seconds=8),
                f"(service {SVC}) has started {len(new)} tasks: "
                + " ".join(f"(task {tasks[i][0]})" for i in new)
                + ".",
            )
            ecs_ev(
                t + timedelta(seconds=75),
                f"(service {SVC}) registered {len(new)} targets in (target-group {tg_arn})",
            )
            for i in new:
                tid, ip, st, _ = tasks[i]
                az = azs[int(ip.split(".")[2]) - 1]
                for dt, state in (
                    (
                        70,
                        {
                            "State": "initial",
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        },
                    ),
                    (105, {"State": "healthy"}),
                ):
                    events.append(
                        {
                            "source": "target_health",
                            "item": {
                                "target_group_arn": tg_arn,
                                "target": {"Id": ip, "Port": 8000, "AvailabilityZone": az},
                                "health": state,
                                "timestamp": k.iso(t + timedelta(seconds=dt)),
                            },
                        }
                    )
            live += new
        elif n < cur:
            gone = live[: cur - n]
            live = live[cur - n :]
            ecs_ev(
                t + timedelta(seconds=5),
                f"(service {SVC}) has begun draining connections on {len(gone)} tasks.",
            )
            ecs_ev(
                t + timedelta(seconds=6),
                f"(service {SVC}) deregistered {len(gone)} targets in (target-group {tg_arn})",
            )
            ecs_ev(
                t + timedelta(seconds=38),
                f"(service {SVC}) has stopped {len(gone)} running tasks: "
                + " ".join(f"(task {tasks[i][0]})" for i in gone)
                + ".",
            )
            for i in gone:
                tid, ip, st, _ = tasks[i]
                tasks[i] = (tid, ip, st, t + timedelta(seconds=36))
                az = azs[int(ip.split(".")[2]) - 1]
                for dt, state in (
                    (
                        6,
                        {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                    ),
                    (
                        37,
                        {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                    ),
                ):
                    events.append(
                        {
                            "source": "target_health",
                            "item": {
                                "target_group_arn": tg_arn,
                                "target": {"Id": ip, "Port": 8000, "AvailabilityZone": az},
                                "health": state,
                                "timestamp": k.iso(t + timedelta(seconds=dt)),
                            },
                        }
                    )
        ecs_ev(t + timedelta(minutes=rng.randint(2, 4)), f"(service {SVC}) has reached a steady state.")
        cur = n
    for i in range(2):
        tid, ip, st, _ = tasks[i]
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 8000, "AvailabilityZone": azs[int(ip.split(".")[2]) - 1]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(start),
                },
            }
        )
    events = [e for e in events if _ev_time(e) <= k.iso(now)]
    events.sort(key=_ev_time)

    # ---- logs: gunicorn access lines and graceful shutdowns
    logs: list[Json] = []
    pages = [
        "/",
        "/marinas/",
        "/marinas/sausalito/berths/",
        "/berths/search?marina=half-moon-bay&nights=2",
        "/bookings/new/",
        "/account/bookings/",
        "/static/css/site.3f9a1c.css",
        "/api/availability?berth=",
    ]
    uas = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
        "Safari/537.36",
        "ELB-HealthChecker/2.0",
    ]
    for tid, _ip, st, stop in tasks:
        stream = f"web/web/{tid}"
        t0 = max(st, start)
        if st >= start:
            for n, line in enumerate(
                [
                    "[INFO] Starting gunicorn 22.0.0",
                    "[INFO] Listening at: http://0.0.0.0:8000 (1)",
                    "[INFO] Using worker: sync",
                ]
                + [f"[INFO] Booting worker with pid: {p}" for p in (7, 8, 9, 10)]
            ):
                ts = st + timedelta(milliseconds=200 * n)
                logs.append(
                    {
                        "log_group": "/ecs/slipway-web",
                        "log_stream": stream,
                        "timestamp": k.ms(ts),
                        "message": f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [1] {line}",
                    }
                )
        end = stop or now
        for ts in k.every(rng, t0, end, 75):
            if ts < fine_from and rng.random() < 0.85:
                continue
            tr = k.daily(ts, off, peak_h=13.0, floor=0.05)
            if rng.random() > 0.25 + tr:
                continue
            path = rng.choice(pages)
            if path.endswith("="):
                path += str(rng.randint(100, 900))
            code = 200 if rng.random() > 0.01 else rng.choice([302, 404])
            logs.append(
                {
                    "log_group": "/ecs/slipway-web",
                    "log_stream": stream,
                    "timestamp": k.ms(ts),
                    "message": f"10.30.{rng.choice([0, 16, 32])}.{rng.randint(5, 250)} - - "
                    f'[{ts:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" {code} '
                    f'{rng.randint(400, 48000)} "-" "{rng.choice(uas[:2])}"',
                }
            )
        for ts in k.every(rng, t0, end, 7 * 3600):
            logs.append(
                {
                    "log_group": "/ecs/slipway-web",
                    "log_stream": stream,
                    "timestamp": k.ms(ts),
                    "message": f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [1] [WARNING] Worker with pid "
                    f"{rng.randint(7, 10)} was terminated due to signal 9"
                    if rng.random() < 0.2
                    else "WARNING django.request: Not Found: /wp-login.php",
                }
            )
        if stop and stop <= now:
            for n, line in enumerate(
                [
                    "[1] [INFO] Handling signal: term",
                    "[9] [INFO] Worker exiting (pid: 9)",
                    "[8] [INFO] Worker exiting (pid: 8)",
                    "[7] [INFO] Worker exiting (pid: 7)",
                    "[10] [INFO] Worker exiting (pid: 10)",
                    "[1] [INFO] Shutting down: Master",
                ]
            ):
                ts = stop - timedelta(seconds=2) + timedelta(milliseconds=250 * n)
                logs.append(
                    {
                        "log_group": "/ecs/slipway-web",
                        "log_stream": stream,
                        "timestamp": k.ms(ts),
                        "message": f"[{ts:%Y-%m-%d %H:%M:%S} +0000] {line}",
                    }
                )
    logs = [x for x in logs if x["timestamp"] <= k.ms(now)]
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    # ---- CloudTrail
    sre = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_SRE_{k.hexs(rng, 16)}",
        rng.choice(["kai.morales", "hannah.lindqvist", "omar.haddad"]) + "@slipway.io",
        k.public_ip(rng),
        k.CONSOLE_UA,
    )
    dev = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_Developer_{k.hexs(rng, 16)}",
        rng.choice(["bea.santos", "theo.grant", "yuki.ito"]) + "@slipway.io",
        k.public_ip(rng),
        k.CLI_UA.format(cmd="ec2.authorize-security-group-ingress"),
    )
    ci = k.Principal(
        rng, acct, "role", "slipway-gha-deploy", "GitHubActions", k.gha_ip(rng), k.GHA_UA.format(api="lambda")
    )
    tf = k.Principal(
        rng, acct, "role", "slipway-terraform-plan", "atlantis", k.public_ip(rng), k.TF_UA.format(api="ecs")
    )
    aasp = k.Principal(
        rng,
        acct,
        "role",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
    )
    ct: list[Json] = []
    reads: list[tuple[str, str, Json | None]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": CLUSTER, "services": [SVC]}),
        ("ecs.amazonaws.com", "DescribeTaskDefinition", {"taskDefinition": f"{SVC}:{rev}"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"names": ["slipway-web-tg"]}),
        ("application-autoscaling.amazonaws.com", "DescribeScheduledActions", {"serviceNamespace": "ecs"}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": "slipway-db"}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "slipway"}),
    ]
    ct += k.readonly_noise(
        rng, [sre, dev], k.every(rng, start + timedelta(hours=14), now, 5200), region, reads
    )
    ct += k.readonly_noise(rng, [tf], k.every(rng, start, now, 9000), region, reads)
    for t, n, _why in changes:
        ct.append(
            k.trail(
                rng,
                aasp,
                t,
                region,
                "ecs.amazonaws.com",
                "UpdateService",
                {"cluster": CLUSTER, "service": SVC, "desiredCount": n},
                {
                    "service": {
                        "serviceName": SVC,
                        "serviceArn": svc_arn,
                        "desiredCount": n,
                        "status": "ACTIVE",
                    }
                },
            )
        )
        ct[-1]["userIdentity"]["invokedBy"] = "application-autoscaling.amazonaws.com"
    culprit_free = k.trail(
        rng,
        sre,
        alarm_created,
        region,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": low["AlarmName"],
            "alarmDescription": low["AlarmDescription"],
            "actionsEnabled": True,
            "alarmActions": [topic],
            "okActions": [topic],
            "metricName": "RunningTaskCount",
            "namespace": "ECS/ContainerInsights",
            "statistic": "Average",
            "dimensions": [{"name": "ClusterName", "value": CLUSTER}, {"name": "ServiceName", "value": SVC}],
            "period": 60,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "threshold": 3.0,
            "comparisonOperator": "LessThanThreshold",
            "treatMissingData": "missing",
        },
        None,
    )
    ct.append(culprit_free)
    fn = "slipway-reminder-sender"
    t_fn = scale_in - timedelta(minutes=rng.randint(12, 24))
    ct.append(
        k.trail(
            rng,
            ci,
            t_fn,
            region,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": fn,
                "publish": True,
                "dryRun": False,
                "s3Bucket": f"slipway-builds-{acct}",
                "s3Key": f"{fn}/{k.hexs(rng, 40)}.zip",
            },
            {
                "functionName": fn,
                "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}:{rng.randint(40, 90)}",
                "runtime": "python3.12",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "revisionId": k.uid(rng),
            },
        )
    )
    t_sg = scale_in + timedelta(minutes=rng.randint(2, 9))
    home = k.public_ip(rng)
    ct.append(
        k.trail(
            rng,
            dev,
            t_sg,
            region,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            {
                "groupId": sg_bastion,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "ipRanges": {"items": [{"cidrIp": f"{home}/32", "description": "home"}]},
                        }
                    ]
                },
            },
            {
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": acct,
                            "groupId": sg_bastion,
                            "securityGroupRuleId": "sgr-0" + k.hexs(rng, 16),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "cidrIpv4": f"{home}/32",
                            "description": "home",
                        }
                    ]
                },
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            dev,
            scale_in - timedelta(minutes=rng.randint(3, 8)),
            region,
            "ssm.amazonaws.com",
            "PutParameter",
            {"name": "/slipway/prod/reminders/batch-size", "type": "String", "overwrite": True},
            {"version": rng.randint(3, 12), "tier": "Standard"},
        )
    )
    ct = [r for r in ct if r["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda r: r["eventTime"])

    local_fire = fire[0] + timedelta(hours=off)
    question = (
        f"Got paged for slipway-web-running-tasks-low at {local_fire.hour % 12 or 12}:"
        f"{local_fire.minute:02d}pm. Is the booking site actually OK? Do I need to do anything tonight?"
    )
    event = k.alarm_event(
        rng,
        low,
        fire,
        (
            "OK",
            "Threshold Crossed: no datapoints were received for 1 period and 1 "
            "missing datapoint was treated as [NonBreaching].",
            alarm_created + timedelta(seconds=61),
        ),
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "America/Los_Angeles"},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )


def _ev_time(e: Json) -> str:
    item = e["item"]
    if e["source"] == "ecs":
        return str(item["event"]["createdAt"])
    if e["source"] == "application_autoscaling":
        return str(item["StartTime"])
    return str(item["timestamp"])
