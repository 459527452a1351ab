"""Postgres connections from the EKS nodes start timing out after a Terraform refactor of the DB security group."""

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

NAME = "ledgerloop-api-5xx-creeping-up-after-lunch"
TITLE = "Invoices API throwing 500s that keep getting worse since early afternoon"
SUMMARY = (
    "A Terraform change moved the RDS security group's ingress from the node security group to the EKS "
    "cluster security group; pooled connections survived, new ones time out as the pool recycles."
)


def build(seed: int) -> Bundle:
    a = Account(seed)
    rng = random.Random(seed * 7 + 1)
    onset = a.onset
    start = onset - timedelta(hours=3, minutes=rng.randint(10, 40))
    now = onset + timedelta(minutes=rng.randint(48, 70))
    end = now
    change_t = onset - timedelta(seconds=rng.randint(20, 90))
    culprit = uid(rng)
    recycle = 30.0  # minutes: SQLAlchemy pool_recycle=1800

    def broken_frac(t: Any) -> float:
        if t < onset:
            return 0.0
        return min(0.85, ((t - onset).total_seconds() / 60) / recycle * 0.85)

    # --- CloudTrail ----------------------------------------------------------------------------------
    trail = a.noise_trail(start, now, 70)
    tf_session = f"GitHubActions-{rng.randint(10**9, 10**10)}"
    tf_ip = f"20.{rng.randint(20, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    tf_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.0 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.186.0"
    rule_new = "sgr-" + rng.choice("0123456789abcdef") + uid(rng).replace("-", "")[:16]
    for dt, name, ro in [
        (-40, "DescribeSecurityGroups", True),
        (-38, "DescribeSecurityGroupRules", True),
        (-35, "DescribeDBInstances", True),
    ]:
        trail.append(
            a.ct(
                change_t + timedelta(seconds=dt),
                "rds.amazonaws.com" if "DB" in name else "ec2.amazonaws.com",
                name,
                role="terraform-apply-prod",
                session=tf_session,
                agent=tf_agent,
                ip=tf_ip,
                req={"groupId": a.sg_db} if "Security" in name else {"dBInstanceIdentifier": a.db},
                read_only=ro,
            )
        )
    trail.append(
        a.ct(
            change_t - timedelta(seconds=6),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            role="terraform-apply-prod",
            session=tf_session,
            agent=tf_agent,
            ip=tf_ip,
            req={
                "groupId": a.sg_db,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "groups": {
                                "items": [{"groupId": a.sg_cluster, "description": "postgres from eks"}]
                            },
                        }
                    ]
                },
            },
            resp={
                "requestId": uid(rng),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": a.account,
                            "groupId": a.sg_db,
                            "securityGroupRuleId": rule_new,
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "referencedGroupInfo": {"groupId": a.sg_cluster, "userId": a.account},
                            "description": "postgres from eks",
                        }
                    ]
                },
            },
            read_only=False,
        )
    )
    trail.append(
        a.ct(
            change_t,
            "ec2.amazonaws.com",
            "RevokeSecurityGroupIngress",
            role="terraform-apply-prod",
            session=tf_session,
            agent=tf_agent,
            ip=tf_ip,
            req={
                "groupId": a.sg_db,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "groups": {"items": [{"groupId": a.sg_node}]},
                        }
                    ]
                },
            },
            resp={"requestId": uid(rng), "_return": True},
            read_only=False,
            event_id=culprit,
        )
    )
    # Innocent changes: a node group scaling edit in the morning, an ElastiCache tag, an api-web image push.
    t_ng = onset - timedelta(minutes=rng.randint(100, 150))
    trail.append(
        a.ct(
            t_ng,
            "eks.amazonaws.com",
            "UpdateNodegroupConfig",
            who=a.people[1],
            agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
            ip="81.2.69.160",
            req={
                "name": a.cluster,
                "nodegroupName": a.nodegroup,
                "scalingConfig": {"minSize": 4, "maxSize": 12, "desiredSize": a.n_nodes},
            },
            resp={
                "update": {
                    "id": uid(rng),
                    "status": "InProgress",
                    "type": "ConfigUpdate",
                    "createdAt": ms(t_ng) / 1000,
                }
            },
            read_only=False,
        )
    )
    t_img = onset - timedelta(minutes=rng.randint(8, 16))
    trail.append(
        a.ct(
            t_img,
            "ecr.amazonaws.com",
            "PutImage",
            role=a.ci_role,
            session=f"GitHubActions-{rng.randint(10**9, 10**10)}",
            agent="aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 api/ecr#1.30.1",
            ip=tf_ip,
            req={"repositoryName": "ledgerloop/api-web", "imageTag": "v4.18.2", "registryId": a.account},
            resp={
                "image": {
                    "registryId": a.account,
                    "repositoryName": "ledgerloop/api-web",
                    "imageId": {
                        "imageDigest": "sha256:" + uid(rng).replace("-", "") * 2,
                        "imageTag": "v4.18.2",
                    },
                }
            },
            read_only=False,
        )
    )
    trail.append(
        a.ct(
            onset - timedelta(minutes=rng.randint(40, 70)),
            "elasticache.amazonaws.com",
            "AddTagsToResource",
            who=a.people[3],
            agent="aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard",
            ip="AWS Internal",
            req={
                "resourceName": f"arn:aws:elasticache:{REGION}:{a.account}:replicationgroup:{a.redis}",
                "tags": [{"key": "cost-center", "value": "platform"}],
            },
            resp={"tagList": [{"key": "cost-center", "value": "platform"}]},
            read_only=False,
        )
    )
    trail.sort(key=lambda r: r["eventTime"])

    # --- metrics -------------------------------------------------------------------------------------
    def fivexx(t: Any, count: int) -> tuple[int, int]:
        f = broken_frac(t)
        base = int(count * 0.0004)
        return 0, base + int(count * f * 0.55)

    def latency(t: Any) -> float:
        f = broken_frac(t)
        return 0.085 + f * 3.2

    metrics = alb_series(a, start, end, rng.uniform(55, 80), fivexx, latency)
    conns = rng.randint(150, 190)
    metrics += series(
        start,
        end,
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": a.db},
        "Count",
        lambda t: conns * (1 - broken_frac(t)) + rng.uniform(-6, 6) + 8,
    )
    metrics += series(
        start,
        end,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": a.db},
        "Percent",
        lambda t: (24 - 14 * broken_frac(t)) + rng.uniform(-3, 3),
    )
    metrics += series(
        start,
        end,
        "AWS/RDS",
        "ReadLatency",
        {"DBInstanceIdentifier": a.db},
        "Seconds",
        lambda t: 0.0007 + rng.uniform(0, 0.0004),
        step=1,
    )
    metrics += series(
        start,
        end,
        "AWS/ElastiCache",
        "CurrConnections",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Count",
        lambda t: 240 + rng.randint(-15, 15),
    )
    metrics += series(
        start,
        end,
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Percent",
        lambda t: 9 + rng.uniform(-2, 2),
    )
    for n in a.nodes:
        metrics += series(
            start,
            end,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": n["id"]},
            "Percent",
            lambda t: 31 + rng.uniform(-6, 6),
            step=5,
        )

    # --- alarms --------------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=rng.randint(9, 13))
    al_5xx = alarm(
        a,
        "ledgerloop-prod-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": a.alb_dim},
        "Sum",
        60,
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints [214.0 ("
        + fire.strftime("%d/%m/%y %H:%M")
        + ":00)...] were greater than the threshold (60.0) (minimum 3 datapoints for OK -> ALARM transition).",
        fire,
        desc="api-web 5xx via the public ALB. Runbook: https://wiki.ledgerloop.io/runbooks/api-5xx",
    )
    al_lat = alarm(
        a,
        "ledgerloop-prod-api-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": a.alb_dim},
        "Average",
        1.5,
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (1.5).",
        onset + timedelta(minutes=24),
        evals=5,
    )
    al_lat.pop("Statistic")
    al_lat["ExtendedStatistic"] = "p99"
    al_redis = alarm(
        a,
        "ledgerloop-sessions-evictions",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Sum",
        500,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (500.0).",
        onset - timedelta(minutes=rng.randint(60, 120)),
        evals=1,
        period=300,
    )
    al_dbcpu = alarm(
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
        start - timedelta(days=3),
        period=300,
    )
    flap1 = onset - timedelta(minutes=rng.randint(70, 110))
    hist = [
        history(
            a,
            al_redis["AlarmName"],
            flap1,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [812.0] was greater than the threshold (500.0).",
        ),
        history(
            a,
            al_redis["AlarmName"],
            flap1 + timedelta(minutes=5),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (500.0).",
        ),
        history(a, al_5xx["AlarmName"], fire, "OK", "ALARM", al_5xx["StateReason"]),
        history(a, al_lat["AlarmName"], onset + timedelta(minutes=24), "OK", "ALARM", al_lat["StateReason"]),
    ]

    # --- logs ----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    t = start
    db_ip = f"10.40.{rng.randint(200, 220)}.{rng.randint(10, 250)}"
    while t < now:
        for _i, pod in enumerate(a.api_pods):
            if rng.random() < 0.35:
                continue
            stream = f"{pod}_ledgerloop_api-web-{uid(random.Random(pod)).replace('-', '')}"
            group = f"/aws/containerinsights/{a.cluster}/application"
            ts = t + timedelta(seconds=rng.randint(0, 59))
            f = broken_frac(t)
            if rng.random() < f:
                msg = (
                    f"{ts.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} ERROR [uvicorn.error] Exception in ASGI application\n"
                    "Traceback (most recent call last):\n"
                    '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 145, in __init__\n'
                    "    self._dbapi_connection = engine.raw_connection()\n"
                    "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "
                    f'"{a.db_host}" ({db_ip}), port 5432 failed: Connection timed out\n'
                    "\tIs the server running on that host and accepting TCP/IP connections?\n\n"
                    "(Background on this error at: https://sqlalche.me/e/20/e3q8)"
                )
            else:
                path = rng.choice(
                    ["/v1/invoices", "/v1/invoices/{id}", "/v1/customers", "/v1/payments/intents", "/healthz"]
                )
                code = 200 if rng.random() > 0.01 else 404
                msg = f'{ts.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]} INFO [uvicorn.access] 10.40.{rng.randint(0, 95)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)} - "GET {path} HTTP/1.1" {code}'
            logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(ts), "message": msg})
        t += timedelta(minutes=2)
    # the worker keeps its long-lived connections and stays quiet
    for k in range(0, int((now - start).total_seconds() // 600)):
        ts = start + timedelta(minutes=10 * k, seconds=rng.randint(0, 500))
        logs.append(
            {
                "log_group": f"/aws/containerinsights/{a.cluster}/application",
                "log_stream": "worker-7c9f6d8b5-qx2lm_ledgerloop_worker-"
                + uid(random.Random("w")).replace("-", ""),
                "timestamp": ms(ts),
                "message": f'{{"level":"info","ts":"{iso(ts)}","msg":"batch complete","queue":"invoice-render","processed":{rng.randint(20, 140)},"failed":0}}',
            }
        )
    logs.sort(key=lambda e: (e["log_stream"], e["timestamp"]))

    # --- resources -----------------------------------------------------------------------------------
    res = a.resources()
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": a.sg_db,
                "GroupName": "ledgerloop-prod-pg",
                "Description": "ledgerloop prod postgres",
                "OwnerId": a.account,
                "VpcId": a.vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "UserIdGroupPairs": [
                            {"GroupId": a.sg_cluster, "UserId": a.account, "Description": "postgres from eks"}
                        ],
                        "IpRanges": [{"CidrIp": "10.60.0.0/16", "Description": "vpn"}],
                    }
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                "Tags": [
                    {"Key": "Name", "Value": "ledgerloop-prod-pg"},
                    {"Key": "managed-by", "Value": "terraform"},
                ],
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": a.sg_node,
                "GroupName": "ledgerloop-prod-node",
                "Description": "EKS managed node group nodes",
                "OwnerId": a.account,
                "VpcId": a.vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "-1",
                        "UserIdGroupPairs": [
                            {"GroupId": a.sg_node, "UserId": a.account},
                            {"GroupId": a.sg_alb, "UserId": a.account},
                        ],
                    }
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                "Tags": [{"Key": "Name", "Value": "ledgerloop-prod-node"}],
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": a.sg_cluster,
                "GroupName": f"eks-cluster-sg-{a.cluster}-{rng.randint(10**9, 10**10)}",
                "Description": "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
                "OwnerId": a.account,
                "VpcId": a.vpc,
                "IpPermissions": [
                    {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": a.sg_cluster, "UserId": a.account}]}
                ],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                "Tags": [{"Key": "aws:eks:cluster-name", "Value": a.cluster}],
            },
        }
    )
    events = [
        {
            "source": "target_health",
            "item": {
                "target_group_arn": a.tg_api_arn,
                "target": {
                    "Id": ip,
                    "Port": 8080,
                    "AvailabilityZone": ["eu-west-1a", "eu-west-1b", "eu-west-1c"][i % 3],
                },
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        }
        for i, ip in enumerate(a.pod_ips)
    ]

    question = (
        "api is throwing 500s since maybe CLOCK and it's getting worse, not better. nothing deployed on our side "
        "except api-web v4.18.2 which is just a copy change. can someone look?"
    )
    local = onset.astimezone(ZoneInfo("Europe/Paris")) + timedelta(minutes=10)
    local = local - timedelta(minutes=local.minute % 15)
    question = question.replace("CLOCK", local.strftime("%I:%M%p").lstrip("0").lower())
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a.account,
            "region": REGION,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": alarm_event(a, al_5xx, fire, start - timedelta(days=2)),
                "timezone": "Europe/Paris",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": a.sg_db,
                    "category": "change",
                    "failure_mode": "security-group-source-swapped",
                    "event_id": culprit,
                },
                "also_accept": ["ledgerloop-prod-pg"],
                "actions": ["rollback"],
                "chain": [a.sg_db, a.db, "api-web", a.alb_name],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [al_5xx, al_lat, al_redis, al_dbcpu],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
