"""Private helpers for kit zzzf: an e-learning platform (ECS on Fargate, ALB, Aurora PostgreSQL, S3, CloudFront)."""

from __future__ import annotations

import json
import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

REGION = "us-east-1"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident's identifiers, clock and collected records."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "7" + self.account[1:]
        self.region = REGION
        day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = ["subnet-" + self.hex(17) for _ in range(3)]
        self.azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
        self.cluster = "bp-prod"
        self.cluster_arn = f"arn:aws:ecs:{REGION}:{self.account}:cluster/{self.cluster}"
        self.alb_id = self.hex(16)
        self.alb_name = "bp-prod-alb"
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:loadbalancer/{self.alb_dim}"
        self.alb_sg = "sg-" + self.hex(17)
        self.app_sg = "sg-" + self.hex(17)
        self.db_sg = "sg-" + self.hex(17)
        self.bastion_sg = "sg-" + self.hex(17)
        self.dist_id = "E" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(13))
        self.media_bucket = f"brightpath-course-media-{self.account[-6:]}"
        self.pool_id = f"{REGION}_" + "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9)
        )
        self.db_cluster = "bp-aurora-prod"
        self.db_writer = "bp-aurora-prod-instance-1"
        self.db_reader = "bp-aurora-prod-instance-2"
        self.sso_suffix = self.hex(16)
        self.tgs: dict[str, str] = {}

    # --- ids ---------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def tg_arn(self, name: str) -> str:
        if name not in self.tgs:
            self.tgs[name] = self.hex(16)
        return f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:targetgroup/{name}/{self.tgs[name]}"

    def tg_dim(self, name: str) -> str:
        return self.tg_arn(name).split(":")[-1]

    def ip(self) -> str:
        return f"10.20.{self.rng.choice([16, 32, 48])}.{self.rng.randint(5, 250)}"

    # --- identities --------------------------------------------------------------------------------
    def sso(self, user: str, role: str = "PlatformEngineer") -> dict[str, Any]:
        role_name = f"AWSReservedSSO_{role}_{self.sso_suffix}"
        rid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": iso(self.day), "mfaAuthenticated": "false"},
            },
        }

    def role(self, role_name: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
        rid = "AROA" + self.upper(17)
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": iso(self.day), "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    # --- records -----------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
        ip: str | None = None,
        console: bool = False,
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "eventVersion": "1.10" if not read_only else "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or ident.get("invokedBy") or f"198.51.100.{self.rng.randint(2, 250)}",
            "userAgent": ident.get("invokedBy") or agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if not ident.get("invokedBy"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
            rec["userAgent"] = "AWS Internal"
        self.trail.append(rec)
        return rec

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stats(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, samples: list[float], unit: str
    ) -> None:
        if not samples:
            return
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(samples)),
                    "Sum": round(sum(samples), 4),
                    "Minimum": round(min(samples), 4),
                    "Maximum": round(max(samples), 4),
                },
            }
        )

    def latency(self, dims: dict[str, str], t: datetime, median: float, n: int, tail: float = 4.0) -> None:
        """ALB TargetResponseTime as a distribution (seconds)."""
        if n <= 0:
            return
        qs = [0.4, 0.8, 1.0, 1.6, tail]
        shares = [0.25, 0.3, 0.25, 0.15, 0.05]
        values = [round(median * q * self.rng.uniform(0.9, 1.1), 4) for q in qs]
        counts = [float(max(1, round(n * s))) for s in shares]
        self.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "TargetResponseTime",
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": "Seconds",
                "values": values,
                "counts": counts,
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        *,
        period: int = 60,
        evals: int = 3,
        datapoints: int | None = None,
        missing: str = "notBreaching",
        unit: str | None = None,
        state: str = "OK",
        reason: str = "Threshold Crossed: no datapoints were breaching the threshold.",
        updated: datetime | None = None,
        topic: str = "bp-oncall-pagerduty",
    ) -> dict[str, Any]:
        arn = f"arn:aws:cloudwatch:{REGION}:{self.account}:alarm:{name}"
        topic_arn = f"arn:aws:sns:{REGION}:{self.account}:{topic}"
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic_arn],
            "AlarmActions": [topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(updated or self.day),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(updated or self.day),
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def transition(
        self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str, data: dict[str, Any]
    ) -> None:
        hist = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "Threshold Crossed"},
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hist, separators=(",", ":")),
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, data: dict[str, Any], prev_t: datetime
    ) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": iso_ms(t),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": iso_ms(prev_t),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def reason_data(alarm: dict[str, Any], t: datetime, recent: list[float]) -> dict[str, Any]:
    return {
        "version": "1.0",
        "queryDate": iso_ms(t),
        "startDate": iso_ms(t - timedelta(seconds=alarm["Period"] * len(recent))),
        "statistic": alarm["Statistic"],
        "period": alarm["Period"],
        "recentDatapoints": [round(v, 3) for v in recent],
        "threshold": alarm["Threshold"],
        "evaluatedDatapoints": [
            {
                "timestamp": iso(t - timedelta(seconds=alarm["Period"] * (i + 1))),
                "sampleCount": 60.0,
                "value": round(v, 3),
            }
            for i, v in enumerate(reversed(recent))
        ],
    }


def crossing_reason(alarm: dict[str, Any], recent: list[float], t: datetime, alarming: bool = True) -> str:
    n = len(recent)
    pts = ", ".join(
        f"{round(v, 3)} ({(t - timedelta(seconds=alarm['Period'] * (n - i))).strftime('%d/%m/%y %H:%M:%S')})"
        for i, v in enumerate(recent)
    )
    if alarming:
        word = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
        }[alarm["ComparisonOperator"]]
        return f"Threshold Crossed: {n} out of the last {n} datapoints [{pts}] were {word} the threshold ({alarm['Threshold']}) (minimum {alarm['DatapointsToAlarm']} datapoint for OK -> ALARM transition)."
    word = {
        "GreaterThanThreshold": "not greater than",
        "GreaterThanOrEqualToThreshold": "not greater than or equal to",
        "LessThanThreshold": "not less than",
    }[alarm["ComparisonOperator"]]
    return f"Threshold Crossed: {n} out of the last {n} datapoints [{pts}] were {word} the threshold ({alarm['Threshold']}) (minimum 1 datapoint for ALARM -> OK transition)."


def diurnal(t: datetime, peak_hour_utc: float = 0.0) -> float:
    """A smooth daily shape, 0.55..1.0, peaking at peak_hour_utc."""
    h = t.hour + t.minute / 60
    return 0.775 + 0.225 * math.cos((h - peak_hour_utc) / 24 * 2 * math.pi)


# --- the standing platform ---------------------------------------------------------------------------

SERVICES = {
    # name: (port, tg name, task cpu, task mem, image repo)
    "bp-learn-api": (8000, "bp-learn-api-tg", "1024", "2048", "learn-api"),
    "bp-web": (3000, "bp-web-tg", "512", "1024", "web"),
    "bp-progress-api": (8080, "bp-progress-api-tg", "512", "1024", "progress-api"),
    "bp-live-api": (8000, "bp-live-api-tg", "512", "1024", "live-api"),
}


def platform(
    ctx: Ctx,
    counts: dict[str, int],
    revisions: dict[str, int],
    deployed: dict[str, datetime],
    *,
    health_path: dict[str, str] | None = None,
    writer_class: str = "db.r6g.large",
) -> None:
    """Write the standing resources: network, ALB, target groups, ECS services, Aurora, S3, logs."""
    a = ctx.account
    health_path = health_path or {}
    ctx.res(
        "ec2",
        "Vpc",
        {
            "VpcId": ctx.vpc,
            "CidrBlock": "10.20.0.0/16",
            "State": "available",
            "OwnerId": a,
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "bp-prod"}],
        },
    )
    for i, sn in enumerate(ctx.subnets):
        ctx.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": sn,
                "VpcId": ctx.vpc,
                "CidrBlock": f"10.20.{16 * (i + 1)}.0/20",
                "AvailabilityZone": ctx.azs[i],
                "State": "available",
                "AvailableIpAddressCount": ctx.rng.randint(3900, 4050),
                "MapPublicIpOnLaunch": False,
                "Tags": [{"Key": "Name", "Value": f"bp-prod-private-{ctx.azs[i][-1]}"}],
            },
        )
    sgs = [
        (
            ctx.alb_sg,
            "bp-prod-alb",
            "ALB ingress from CloudFront",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "PrefixListIds": [
                        {"PrefixListId": "pl-3b927c52", "Description": "CloudFront origin-facing"}
                    ],
                }
            ],
        ),
        (
            ctx.app_sg,
            "bp-prod-ecs-tasks",
            "Fargate tasks",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 3000,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": ctx.alb_sg, "UserId": a}],
                }
            ],
        ),
        (
            ctx.db_sg,
            "bp-prod-aurora",
            "Aurora PostgreSQL",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "UserIdGroupPairs": [
                        {"GroupId": ctx.app_sg, "UserId": a},
                        {"GroupId": ctx.bastion_sg, "UserId": a},
                    ],
                }
            ],
        ),
        (ctx.bastion_sg, "bp-prod-bastion", "SSM bastion", []),
    ]
    for gid, name, desc, perms in sgs:
        ctx.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "VpcId": ctx.vpc,
                "OwnerId": a,
                "IpPermissions": perms,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
    ctx.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": ctx.alb_arn,
            "DNSName": f"internal-{ctx.alb_name}-{ctx.rng.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com".replace(
                "internal-", ""
            ),
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(ctx.day - timedelta(days=540)),
            "LoadBalancerName": ctx.alb_name,
            "Scheme": "internet-facing",
            "VpcId": ctx.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": z, "SubnetId": s} for z, s in zip(ctx.azs, ctx.subnets, strict=True)
            ],
            "SecurityGroups": [ctx.alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    for svc, (port, tg, cpu, mem, repo) in SERVICES.items():
        if svc not in counts:
            continue
        path = health_path.get(svc, "/health" if svc != "bp-web" else "/api/health")
        ctx.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": ctx.tg_arn(tg),
                "TargetGroupName": tg,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": ctx.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [ctx.alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
        rev = revisions[svc]
        td_arn = f"arn:aws:ecs:{REGION}:{a}:task-definition/{svc}:{rev}"
        ctx.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": td_arn,
                "family": svc,
                "revision": rev,
                "status": "ACTIVE",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": cpu,
                "memory": mem,
                "executionRoleArn": f"arn:aws:iam::{a}:role/bp-ecs-task-execution",
                "taskRoleArn": f"arn:aws:iam::{a}:role/{svc}-task",
                "registeredAt": iso(deployed[svc] - timedelta(minutes=2)),
                "registeredBy": f"arn:aws:sts::{a}:assumed-role/bp-github-deploy/GitHubActions",
                "containerDefinitions": [
                    {
                        "name": svc.removeprefix("bp-"),
                        "image": f"{a}.dkr.ecr.{REGION}.amazonaws.com/brightpath/{repo}:{ctx.hex(7)}",
                        "essential": True,
                        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{svc}",
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                        "environment": [{"name": "APP_ENV", "value": "production"}],
                        "secrets": [
                            {
                                "name": "DATABASE_URL",
                                "valueFrom": f"arn:aws:secretsmanager:{REGION}:{a}:secret:bp/prod/{repo}/db-AbC1x2",
                            }
                        ]
                        if svc != "bp-web"
                        else [],
                    }
                ],
            },
        )
        ctx.res(
            "ecs",
            "Service",
            {
                "serviceArn": f"arn:aws:ecs:{REGION}:{a}:service/{ctx.cluster}/{svc}",
                "serviceName": svc,
                "clusterArn": ctx.cluster_arn,
                "loadBalancers": [
                    {
                        "targetGroupArn": ctx.tg_arn(tg),
                        "containerName": svc.removeprefix("bp-"),
                        "containerPort": port,
                    }
                ],
                "status": "ACTIVE",
                "desiredCount": counts[svc],
                "runningCount": counts[svc],
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
                        "id": "ecs-svc/" + str(ctx.rng.randint(10**18, 10**19 - 1)),
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": counts[svc],
                        "pendingCount": 0,
                        "runningCount": counts[svc],
                        "failedTasks": 0,
                        "createdAt": iso(deployed[svc]),
                        "updatedAt": iso(deployed[svc] + timedelta(minutes=6)),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "createdAt": iso(ctx.day - timedelta(days=400)),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": list(ctx.subnets),
                        "securityGroups": [ctx.app_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableExecuteCommand": False,
            },
        )
        ctx.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/ecs/{svc}",
                "creationTime": ms(ctx.day - timedelta(days=400)),
                "retentionInDays": 30,
                "arn": f"arn:aws:logs:{REGION}:{a}:log-group:/ecs/{svc}:*",
                "storedBytes": ctx.rng.randint(10**9, 9 * 10**10),
            },
        )
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": ctx.cluster_arn,
            "clusterName": ctx.cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": sum(counts.values()),
            "pendingTasksCount": 0,
            "activeServicesCount": len(counts),
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    db_members = [
        {
            "DBInstanceIdentifier": ctx.db_writer,
            "IsClusterWriter": True,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
        },
        {
            "DBInstanceIdentifier": ctx.db_reader,
            "IsClusterWriter": False,
            "DBClusterParameterGroupStatus": "in-sync",
            "PromotionTier": 1,
        },
    ]
    ctx.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": ctx.db_cluster,
            "DBClusterArn": f"arn:aws:rds:{REGION}:{a}:cluster:{ctx.db_cluster}",
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.8",
            "EngineMode": "provisioned",
            "Status": "available",
            "MultiAZ": True,
            "Endpoint": f"{ctx.db_cluster}.cluster-{ctx.hex(12)}.{REGION}.rds.amazonaws.com",
            "ReaderEndpoint": f"{ctx.db_cluster}.cluster-ro-{ctx.hex(12)}.{REGION}.rds.amazonaws.com",
            "Port": 5432,
            "MasterUsername": "bp_admin",
            "DatabaseName": "brightpath",
            "DBClusterParameterGroup": "bp-aurora-pg15",
            "DBSubnetGroup": "bp-prod-db",
            "DBClusterMembers": db_members,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": ctx.db_sg, "Status": "active"}],
            "StorageEncrypted": True,
            "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
            "PreferredBackupWindow": "06:30-07:00",
            "BackupRetentionPeriod": 7,
            "ClusterCreateTime": iso(ctx.day - timedelta(days=700)),
            "AvailabilityZones": list(ctx.azs),
            "DeletionProtection": True,
        },
    )
    for ident, az, cls in (
        (ctx.db_writer, ctx.azs[0], writer_class),
        (ctx.db_reader, ctx.azs[1], writer_class),
    ):
        ctx.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": ident,
                "DBInstanceClass": cls,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.8",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": ctx.db_cluster,
                "AvailabilityZone": az,
                "Endpoint": {"Address": f"{ident}.{ctx.hex(12)}.{REGION}.rds.amazonaws.com", "Port": 5432},
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{a}:db:{ident}",
                "DBParameterGroups": [
                    {"DBParameterGroupName": "default.aurora-postgresql15", "ParameterApplyStatus": "in-sync"}
                ],
                "PerformanceInsightsEnabled": False,
                "MonitoringInterval": 0,
                "AutoMinorVersionUpgrade": True,
                "PubliclyAccessible": False,
                "InstanceCreateTime": iso(ctx.day - timedelta(days=300)),
                "PromotionTier": 1,
            },
        )
    ctx.res("s3", "Bucket", {"Name": ctx.media_bucket, "CreationDate": iso(ctx.day - timedelta(days=900))})
    ctx.res(
        "s3",
        "Bucket",
        {"Name": f"brightpath-exports-{a[-6:]}", "CreationDate": iso(ctx.day - timedelta(days=600))},
    )


def background_trail(ctx: Ctx, start: datetime, end: datetime, n: int) -> None:
    """Read-only tooling and routine calls spread over the window."""
    dd = ctx.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    tf = ctx.role("bp-terraform-plan", "atlantis-plan")
    dd_agent = "aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)"
    calls: list[tuple[dict[str, Any], str, str, dict[str, Any] | None, str]] = [
        (dd, "monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ApplicationELB"}, dd_agent),
        (
            dd,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": ctx.cluster, "services": ["bp-learn-api", "bp-web", "bp-progress-api"]},
            dd_agent,
        ),
        (dd, "rds.amazonaws.com", "DescribeDBInstances", None, dd_agent),
        (dd, "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None, dd_agent),
        (dd, "tagging.amazonaws.com", "GetResources", {"resourceTypeFilters": ["ecs:service"]}, dd_agent),
        (dd, "cloudfront.amazonaws.com", "ListDistributions", None, dd_agent),
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {
                "groupIdSet": {},
                "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": ctx.vpc}]}}]},
            },
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 aws-sdk-go-v2/1.30.3",
        ),
        (
            tf,
            "rds.amazonaws.com",
            "DescribeDBClusters",
            {"dBClusterIdentifier": ctx.db_cluster},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 aws-sdk-go-v2/1.30.3",
        ),
        (
            tf,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetGroups",
            {"names": ["bp-learn-api-tg"]},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 aws-sdk-go-v2/1.30.3",
        ),
        (
            tf,
            "s3.amazonaws.com",
            "GetBucketPolicy",
            {"bucketName": ctx.media_bucket, "Host": f"{ctx.media_bucket}.s3.amazonaws.com", "policy": ""},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 aws-sdk-go-v2/1.30.3",
        ),
    ]
    span = (end - start).total_seconds()
    for i in range(n):
        who, src, name, params, agent = calls[i % len(calls)]
        t = start + timedelta(seconds=span * (i + ctx.rng.random()) / n)
        ctx.ct(
            t,
            src,
            name,
            who,
            params,
            None,
            read_only=True,
            agent=agent,
            ip=f"3.233.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}",
        )
    # routine writes: secrets rotation lookups, CI ECR pushes
    gha = ctx.role("bp-github-deploy", "GitHubActions")
    for _ in range(3):
        t = start + timedelta(seconds=ctx.rng.uniform(0, span))
        ctx.ct(
            t,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            gha,
            {"registryIds": [ctx.account]},
            None,
            read_only=True,
            agent="aws-sdk-nodejs/2.1640.0 linux/v20.15.1",
            ip=f"20.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}",
        )


def deploy_records(
    ctx: Ctx, t: datetime, svc: str, rev: int, ident: dict[str, Any], count: int
) -> dict[str, Any]:
    """RegisterTaskDefinition then UpdateService, as a CI pipeline would call them."""
    a = ctx.account
    port, _, cpu, mem, repo = SERVICES[svc]
    agent = "aws-sdk-nodejs/2.1640.0 linux/v20.15.1 aws-actions/amazon-ecs-deploy-task-definition"
    ip = f"20.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}.{ctx.rng.randint(1, 250)}"
    ctx.ct(
        t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ident,
        {
            "family": svc,
            "cpu": cpu,
            "memory": mem,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": svc.removeprefix("bp-"),
                    "image": f"{a}.dkr.ecr.{REGION}.amazonaws.com/brightpath/{repo}:{ctx.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": port, "protocol": "tcp"}],
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{a}:task-definition/{svc}:{rev}",
                "family": svc,
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        agent=agent,
        ip=ip,
    )
    return ctx.ct(
        t + timedelta(seconds=4),
        "ecs.amazonaws.com",
        "UpdateService",
        ident,
        {
            "cluster": ctx.cluster,
            "service": svc,
            "taskDefinition": f"{svc}:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": svc,
                "serviceArn": f"arn:aws:ecs:{REGION}:{a}:service/{ctx.cluster}/{svc}",
                "taskDefinition": f"arn:aws:ecs:{REGION}:{a}:task-definition/{svc}:{rev}",
                "desiredCount": count,
                "status": "ACTIVE",
            }
        },
        agent=agent,
        ip=ip,
    )


def ecs_event(ctx: Ctx, svc: str, t: datetime, message: str) -> None:
    ctx.events.append(
        {
            "source": "ecs",
            "item": {
                "service_arn": f"arn:aws:ecs:{REGION}:{ctx.account}:service/{ctx.cluster}/{svc}",
                "event": {"id": ctx.uuid(), "createdAt": iso(t), "message": message},
            },
        }
    )


def minutes(start: datetime, end: datetime) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=1)
    return out


def alb_minute(
    ctx: Ctx,
    t: datetime,
    tg: str,
    requests: int,
    *,
    target_5xx: int = 0,
    elb_502: int = 0,
    elb_503: int = 0,
    elb_504: int = 0,
    healthy: int = 0,
    unhealthy: int = 0,
    median: float = 0.08,
    tail: float = 4.0,
) -> None:
    """One minute of a target group's ALB metrics (zero-count error metrics are not published)."""
    lb = {"LoadBalancer": ctx.alb_dim}
    dims = {"TargetGroup": ctx.tg_dim(tg), "LoadBalancer": ctx.alb_dim}
    ctx.metric("AWS/ApplicationELB", "RequestCount", dims, t, requests)
    if target_5xx:
        ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, target_5xx)
    ctx.metric(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        dims,
        t,
        max(0, requests - target_5xx - elb_502 - elb_503 - elb_504 - requests // 40),
    )
    ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, requests // 40)
    ctx.metric("AWS/ApplicationELB", "HealthyHostCount", dims, t, healthy)
    ctx.metric("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, unhealthy)
    ctx.latency(dims, t, median, requests - elb_502 - elb_503, tail)
    for code, n in (("502", elb_502), ("503", elb_503), ("504", elb_504)):
        if n:
            ctx.metric("AWS/ApplicationELB", f"HTTPCode_ELB_{code}_Count", lb, t, n)
    if elb_502 + elb_503 + elb_504:
        ctx.metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, t, elb_502 + elb_503 + elb_504)


def lb_totals(ctx: Ctx, t: datetime, requests: int, active: int) -> None:
    lb = {"LoadBalancer": ctx.alb_dim}
    ctx.metric("AWS/ApplicationELB", "RequestCount", lb, t, requests)
    ctx.metric("AWS/ApplicationELB", "ActiveConnectionCount", lb, t, active)
    ctx.metric("AWS/ApplicationELB", "NewConnectionCount", lb, t, active // 3)
    ctx.metric("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lb, t, max(1, requests // 900))


def ecs_minute(ctx: Ctx, t: datetime, svc: str, cpu: float, mem: float) -> None:
    dims = {"ClusterName": ctx.cluster, "ServiceName": svc}
    ctx.stats(
        "AWS/ECS",
        "CPUUtilization",
        dims,
        t,
        [cpu * ctx.rng.uniform(0.7, 0.95), cpu, cpu * ctx.rng.uniform(1.05, 1.4)],
        "Percent",
    )
    ctx.stats("AWS/ECS", "MemoryUtilization", dims, t, [mem * 0.95, mem, mem * 1.04], "Percent")


def rds_minute(
    ctx: Ctx,
    t: datetime,
    ident: str,
    cpu: float,
    conns: float,
    *,
    read_iops: float = 300,
    lag: float | None = None,
) -> None:
    dims = {"DBInstanceIdentifier": ident}
    ctx.metric("AWS/RDS", "CPUUtilization", dims, t, cpu, "Percent")
    ctx.metric("AWS/RDS", "DatabaseConnections", dims, t, round(conns), "Count")
    ctx.metric("AWS/RDS", "FreeableMemory", dims, t, 6.1e9 + ctx.rng.uniform(-1e8, 1e8), "Bytes")
    ctx.metric("AWS/RDS", "ReadIOPS", dims, t, read_iops * ctx.rng.uniform(0.85, 1.15), "Count/Second")
    ctx.metric("AWS/RDS", "CommitThroughput", dims, t, conns * ctx.rng.uniform(0.5, 0.7), "Count/Second")
    if lag is not None:
        ctx.metric("AWS/RDS", "AuroraReplicaLag", dims, t, lag, "Milliseconds")


def cloudfront_minute(ctx: Ctx, t: datetime, requests: int, err5: float, err4: float) -> None:
    dims = {"DistributionId": ctx.dist_id, "Region": "Global"}
    ctx.metric("AWS/CloudFront", "Requests", dims, t, requests, "None")
    ctx.metric(
        "AWS/CloudFront", "BytesDownloaded", dims, t, requests * ctx.rng.uniform(180000, 260000), "None"
    )
    ctx.metric("AWS/CloudFront", "5xxErrorRate", dims, t, err5, "Percent")
    ctx.metric("AWS/CloudFront", "4xxErrorRate", dims, t, err4, "Percent")
    ctx.metric("AWS/CloudFront", "TotalErrorRate", dims, t, err5 + err4, "Percent")


def task_id(ctx: Ctx) -> str:
    return ctx.hex(32)


def health_point(
    ctx: Ctx,
    tg: str,
    ip: str,
    port: int,
    az: str,
    t: datetime,
    state: str,
    reason: str | None = None,
    desc: str | None = None,
) -> None:
    health: dict[str, Any] = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    ctx.events.append(
        {
            "source": "target_health",
            "item": {
                "target_group_arn": ctx.tg_arn(tg),
                "target": {"Id": ip, "Port": port, "AvailabilityZone": az},
                "health": health,
                "timestamp": iso(t),
            },
        }
    )


def finish(ctx: Ctx, manifest: dict[str, Any]) -> Any:
    from evals.bundle import Bundle
    from evals.bundle.model import Manifest

    now = manifest["now"]
    cut = [r for r in ctx.events if _event_time(r) <= now]
    now_ms = ms(datetime.fromisoformat(now))
    ctx.logs = [x for x in ctx.logs if x["timestamp"] <= now_ms]
    ctx.trail = [x for x in ctx.trail if x["eventTime"] <= now]
    ctx.trail.sort(key=lambda r: r["eventTime"])
    ctx.metrics.sort(
        key=lambda r: (
            r["timestamp"],
            r["namespace"],
            r["metric"],
            json.dumps(r["dimensions"], sort_keys=True),
        )
    )
    ctx.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    ctx.history.sort(key=lambda r: r["Timestamp"])
    return Bundle(
        Manifest.model_validate(manifest),
        {
            "metrics": ctx.metrics,
            "logs": ctx.logs,
            "cloudtrail": ctx.trail,
            "resources": ctx.resources,
            "events": cut,
            "alarms": ctx.alarms,
            "alarm_history": ctx.history,
        },
    )


def _event_time(rec: dict[str, Any]) -> str:
    item = rec["item"]
    if rec["source"] == "target_health":
        return str(item["timestamp"])
    if rec["source"] == "ecs":
        return str(item["event"]["createdAt"])
    if rec["source"] == "application_autoscaling":
        return str(item["StartTime"])
    if rec["source"] == "rds":
        return str(item["Date"])
    return ""


@dataclass
class Task:
    id: str
    ip: str
    az: str
    up: datetime
    down: datetime | None = None


def local_clock(t: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    lt = t.astimezone(ZoneInfo(zone))
    return lt.strftime("%-I:%M") + ("am" if lt.hour < 12 else "pm")
