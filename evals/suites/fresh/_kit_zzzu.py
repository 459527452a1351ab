"""Shared helpers for the zzzu incidents: an HR and payroll SaaS account (ECS on EC2, ALB, SQL Server)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

ACCOUNT = "318274650913"
REGION = "eu-west-2"
MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int = 17) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def day(rng: random.Random, month_days: list[int], hour: int, minute: int) -> datetime:
    """An onset on one of the given days of a 2026 month picked by the seed."""
    month = rng.choice([2, 5, 6, 9, 11])
    return datetime(2026, month, rng.choice(month_days), hour, minute, tzinfo=UTC)


class Account:
    """Collects records for one bundle."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- metrics -------------------------------------------------------------------------------

    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        value: Callable[[datetime], float | None],
        period: int = 60,
        integer: bool = False,
    ) -> None:
        t = start
        while t < end:
            v = value(t)
            if v is not None:
                v = max(0.0, v)
                self.metrics.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dict(dims),
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": float(round(v)) if integer else round(v, 3),
                    }
                )
            t += timedelta(seconds=period)

    def noise(self, base: float, spread: float) -> float:
        return base + self.rng.uniform(-spread, spread)

    # --- logs ----------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # --- cloudtrail ----------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        event_id = uid(self.rng)
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip
            or (
                who.get("invokedBy")
                or f"18.{self.rng.randint(130, 175)}.{self.rng.randint(1, 250)}.{self.rng.randint(2, 250)}"
            ),
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": uid(self.rng),
            "eventID": event_id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if who.get("type") == "AWSService":
            rec.pop("userAgent")
            rec["userAgent"] = who["invokedBy"]
        self.trail.append(rec)
        return event_id

    # --- resources -----------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    # --- alarms --------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        periods: int,
        state: str,
        state_since: datetime,
        reason: str,
        description: str = "",
        period: int = 60,
        missing: str = "missing",
        topic: str = "staffwise-oncall",
    ) -> dict[str, Any]:
        arn = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(state_since - timedelta(days=41)),
            "ActionsEnabled": True,
            "OKActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic}"],
            "AlarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic}"],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_since),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": periods,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "previous state"},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(self, alarm: dict[str, Any], t: datetime, prev_since: datetime) -> dict[str, Any]:
        return {
            "version": "0",
            "id": uid(self.rng),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": ACCOUNT,
            "time": iso(t),
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {"value": "ALARM", "reason": alarm["StateReason"], "timestamp": iso(t)},
                "previousState": {"value": "OK", "reason": "Threshold Crossed", "timestamp": iso(prev_since)},
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
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

    # --- bundle --------------------------------------------------------------------------------

    def bundle(
        self,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        trigger: dict[str, Any],
        truth: dict[str, Any],
    ) -> Bundle:
        def visible(ts: str) -> bool:
            return ts <= iso(now)

        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": ACCOUNT,
                "region": REGION,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        trail = sorted((r for r in self.trail if visible(r["eventTime"])), key=lambda r: r["eventTime"])
        logs = sorted((x for x in self.logs if x["timestamp"] <= ms(now)), key=lambda x: x["timestamp"])
        metrics = [m for m in self.metrics if visible(m["timestamp"])]
        history = sorted((h for h in self.history if visible(h["Timestamp"])), key=lambda h: h["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": metrics,
                "alarms": self.alarms,
                "alarm_history": history,
                "logs": logs,
                "cloudtrail": trail,
                "resources": self.resources,
                "events": self.events,
            },
        )


# --- identities --------------------------------------------------------------------------------


def sso(user: str, perm: str = "AWSReservedSSO_PlatformEngineer_5b1e0c9d7a2f4e11") -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROAUSTZ4QW7KJ3PLM2XN:{user}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{perm}/{user}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAUSTZ4QW7EXAMPLE1",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAUSTZ4QW7KJ3PLM2XN",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-2/{perm}",
                "accountId": ACCOUNT,
                "userName": perm,
            },
            "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def role(name: str, session: str, principal: str = "AROAUSTZ4QW7DEPLOY0001") -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"{principal}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAUSTZ4QW7EXAMPLE2",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal,
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "accountId": ACCOUNT,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def service(principal: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": principal}


DEPLOYER = role("github-actions-deploy", "GitHubActions", "AROAUSTZ4QW7GHADEPLOY")
TERRAFORM = role("terraform-apply", "atlantis-apply", "AROAUSTZ4QW7TFAPPLY01")
MONITOR = role("DatadogIntegrationRole", "DatadogAWSIntegration", "AROAUSTZ4QW7DATADOG01")
TF_AGENT = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0"
GHA_AGENT = (
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 md/command#ecs.update-service"
)
DD_AGENT = "Datadog/1.0 (aws-sdk-go/1.50.8; linux; amd64)"


def readonly_noise(acct: Account, start: datetime, end: datetime, every_min: int = 9) -> None:
    """Monitoring integration polling describe calls, all through the window."""
    rng = acct.rng
    calls: list[tuple[str, str, dict[str, Any]]] = [
        (
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": "staffwise-prod", "services": ["hr-web", "payroll-api"]},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
        ("rds.amazonaws.com", "DescribeDBInstances", {}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
        ("sqs.amazonaws.com", "ListQueues", {}),
        ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.eu-west-2.amazonaws.com"}),
    ]
    t = start + timedelta(minutes=rng.randint(0, every_min))
    while t < end:
        src, name, params = rng.choice(calls)
        acct.ct(
            t + timedelta(seconds=rng.randint(0, 59)),
            src,
            name,
            MONITOR,
            params,
            None,
            True,
            DD_AGENT,
            "3.233.146.17",
        )
        t += timedelta(minutes=rng.randint(every_min - 3, every_min + 3))


def diurnal(t: datetime, peak: float, night: float) -> float:
    """UK office-hours traffic shape (UTC hours)."""
    h = t.hour + t.minute / 60
    x = max(0.0, math.sin(math.pi * (h - 6.5) / 12)) if 6.5 <= h <= 18.5 else 0.0
    return night + (peak - night) * x


CLUSTER = "staffwise-prod"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
ALB_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/staffwise-prod-alb/6c1d9e2b4a7f3081"
)
ALB_DIM = "app/staffwise-prod-alb/6c1d9e2b4a7f3081"
TG = {
    "hr-web": "targetgroup/hr-web-tg/9a3e51c07b2d4f66",
    "payroll-api": "targetgroup/payroll-api-tg/2f8c7d10e5a9b342",
}
DB = "staffwise-sql-prod"
BUCKET = "staffwise-prod-documents"
PDF_FN = "payslip-pdf-render"
SUBNETS = ["subnet-0a4c71e2d9b3f5810", "subnet-0e62b8f1c4a7d9302"]
AZS = ["eu-west-2a", "eu-west-2b"]


def instances(acct: Account, n: int, launched: datetime, itype: str = "m6i.xlarge") -> list[str]:
    ids = []
    for i in range(n):
        iid = "i-0" + hexid(acct.rng, 16)
        ids.append(iid)
        ip = f"10.40.{10 + (i % 2) * 10}.{acct.rng.randint(20, 240)}"
        acct.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": "ami-0c9e3b1f6a2d84e57",
                "InstanceType": itype,
                "LaunchTime": iso(launched + timedelta(hours=i * 3)),
                "Placement": {"AvailabilityZone": AZS[i % 2], "Tenancy": "default"},
                "PrivateIpAddress": ip,
                "SubnetId": SUBNETS[i % 2],
                "VpcId": "vpc-07b3e9d21c4a6f850",
                "State": {"Code": 16, "Name": "running"},
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/staffwise-ecs-instance",
                    "Id": "AIPAUSTZ4QW7ECSINST01",
                },
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": "staffwise-prod-ecs-asg"},
                    {"Key": "Name", "Value": "staffwise-prod-ecs"},
                ],
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-0" + hexid(acct.rng, 16),
                        "PrivateIpAddress": ip,
                        "SubnetId": SUBNETS[i % 2],
                        "VpcId": "vpc-07b3e9d21c4a6f850",
                        "Status": "in-use",
                    }
                ],
            },
        )
        acct.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": AZS[i % 2],
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
    return ids


def asg(acct: Account, ids: list[str], min_: int, max_: int, desired: int, created: datetime) -> None:
    acct.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": "staffwise-prod-ecs-asg",
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:3b7e0f5c-9d21-4a86-b0c4-7e19f2a6d583:autoScalingGroupName/staffwise-prod-ecs-asg",
            "LaunchTemplate": {
                "LaunchTemplateId": "lt-0f3a9c71e6b2d4085",
                "LaunchTemplateName": "staffwise-prod-ecs",
                "Version": "$Latest",
            },
            "MinSize": min_,
            "MaxSize": max_,
            "DesiredCapacity": desired,
            "DefaultCooldown": 300,
            "AvailabilityZones": AZS,
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "CreatedTime": iso(created),
            "VPCZoneIdentifier": ",".join(SUBNETS),
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "m6i.xlarge",
                    "AvailabilityZone": AZS[i % 2],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for i, iid in enumerate(ids)
            ],
            "Tags": [
                {
                    "ResourceId": "staffwise-prod-ecs-asg",
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": "staffwise-prod-ecs",
                    "PropagateAtLaunch": True,
                }
            ],
        },
    )


def ecs_cluster(acct: Account, n_instances: int, running: int) -> None:
    acct.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": CLUSTER_ARN,
            "clusterName": CLUSTER,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": n_instances,
            "runningTasksCount": running,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )


def ecs_service(
    acct: Account,
    name: str,
    revision: int,
    desired: int,
    running: int,
    deployed: datetime,
    tg: str | None,
    events: list[tuple[datetime, str]],
) -> str:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{name}"
    td = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{name}:{revision}"
    item: dict[str, Any] = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": CLUSTER_ARN,
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": running,
        "pendingCount": 0,
        "launchType": "EC2",
        "taskDefinition": td,
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "deployments": [
            {
                "id": "ecs-svc/" + str(acct.rng.randint(10**18, 10**19 - 1)),
                "status": "PRIMARY",
                "taskDefinition": td,
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": running,
                "createdAt": iso(deployed),
                "updatedAt": iso(deployed + timedelta(minutes=6)),
                "launchType": "EC2",
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "createdAt": iso(deployed - timedelta(days=300)),
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        "schedulingStrategy": "REPLICA",
    }
    if tg:
        item["loadBalancers"] = [
            {
                "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{tg}",
                "containerName": name,
                "containerPort": 8080,
            }
        ]
        item["healthCheckGracePeriodSeconds"] = 60
    acct.res("ecs", "Service", item)
    for t, msg in events:
        acct.event(
            "ecs", {"service_arn": arn, "event": {"id": uid(acct.rng), "createdAt": iso(t), "message": msg}}
        )
    return arn


def alb_and_tgs(acct: Account) -> None:
    acct.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": ALB_ARN,
            "DNSName": "staffwise-prod-alb-1839204417.eu-west-2.elb.amazonaws.com",
            "LoadBalancerName": "staffwise-prod-alb",
            "Scheme": "internet-facing",
            "VpcId": "vpc-07b3e9d21c4a6f850",
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in zip(AZS, SUBNETS, strict=True)],
            "SecurityGroups": ["sg-0d2a7c94e1b6f3580"],
            "IpAddressType": "ipv4",
        },
    )
    for tg in TG.values():
        acct.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{tg}",
                "TargetGroupName": tg.split("/")[1],
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": "vpc-07b3e9d21c4a6f850",
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPath": "/healthz",
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 2,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [ALB_ARN],
                "TargetType": "instance",
            },
        )


def rds(acct: Account, cls: str = "db.r6i.2xlarge", storage: int = 500) -> None:
    acct.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": DB,
            "DBInstanceClass": cls,
            "Engine": "sqlserver-se",
            "EngineVersion": "15.00.4365.2.v1",
            "DBInstanceStatus": "available",
            "MasterUsername": "sqladmin",
            "Endpoint": {
                "Address": f"{DB}.c8kq2v1xz7rt.eu-west-2.rds.amazonaws.com",
                "Port": 1433,
                "HostedZoneId": "Z1TTGA775OQIYO",
            },
            "AllocatedStorage": storage,
            "StorageType": "gp3",
            "Iops": 12000,
            "MultiAZ": True,
            "AvailabilityZone": "eu-west-2a",
            "SecondaryAvailabilityZone": "eu-west-2b",
            "LicenseModel": "license-included",
            "DBParameterGroups": [
                {"DBParameterGroupName": "staffwise-sqlserver-se-15", "ParameterApplyStatus": "in-sync"}
            ],
            "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{DB}",
            "BackupRetentionPeriod": 14,
            "PreferredBackupWindow": "23:30-00:30",
            "PreferredMaintenanceWindow": "sun:03:00-sun:04:00",
            "StorageEncrypted": True,
            "PerformanceInsightsEnabled": False,
        },
    )


def bucket_and_queue(acct: Account) -> None:
    acct.res("s3", "Bucket", {"Name": BUCKET, "CreationDate": "2023-03-14T10:22:41Z"})
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/payslip-render-queue"
    acct.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:payslip-render-queue",
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:payslip-render-dlq",
                        "maxReceiveCount": 5,
                    }
                ),
            },
            "Tags": {"service": "payslips"},
        },
    )
    acct.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/payslip-render-dlq",
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:payslip-render-dlq",
                "MessageRetentionPeriod": "1209600",
                "VisibilityTimeout": "30",
            },
            "Tags": {"service": "payslips"},
        },
    )


def pdf_lambda(acct: Account, memory: int, modified: datetime, timeout: int = 120) -> None:
    acct.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": PDF_FN,
            "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PDF_FN}",
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{ACCOUNT}:role/payslip-pdf-render-role",
            "Handler": "index.handler",
            "CodeSize": 61829034,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "Layers": [
                {"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:chromium-124:3", "CodeSize": 64218113}
            ],
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 1024},
        },
    )


Curve = Callable[[datetime], float | None]


def web_traffic(
    acct: Account,
    start: datetime,
    end: datetime,
    api_5xx: Curve | None = None,
    api_latency: Curve | None = None,
    db_cpu: Curve | None = None,
    peak: float = 900.0,
    period: int = 60,
) -> None:
    """ALB, ECS service and SQL Server metrics of an ordinary day; the callables override the payroll-api ones."""
    rng = acct.rng
    scale = rng.uniform(0.8, 1.25)
    for name, share in (("hr-web", 0.6), ("payroll-api", 0.4)):
        dims = {"TargetGroup": TG[name], "LoadBalancer": ALB_DIM}

        def req(t: datetime, share: float = share) -> float:
            return diurnal(t, peak * scale * share, 12 * share) * rng.uniform(0.9, 1.1) * period / 60

        acct.series("AWS/ApplicationELB", "RequestCount", dims, "Count", start, end, req, period, True)
        lat = api_latency if (name == "payroll-api" and api_latency) else (lambda t: rng.uniform(0.08, 0.16))
        acct.series("AWS/ApplicationELB", "TargetResponseTime", dims, "Seconds", start, end, lat, period)

        def five(t: datetime, name: str = name) -> float | None:
            if name == "payroll-api" and api_5xx:
                return api_5xx(t)
            return 1.0 if rng.random() < 0.04 else None

        acct.series(
            "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Count", start, end, five, period, True
        )

        def healthy(t: datetime, hosts: float = 2.0 if name == "payroll-api" else 3.0) -> float:
            return hosts

        acct.series(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            dims,
            "Count",
            start,
            end,
            healthy,
            period,
        )
        sdims = {"ClusterName": CLUSTER, "ServiceName": name}
        acct.series(
            "AWS/ECS",
            "CPUUtilization",
            sdims,
            "Percent",
            start,
            end,
            lambda t: 8 + diurnal(t, 30, 0) + rng.uniform(-2, 2),
            period,
        )
        acct.series(
            "AWS/ECS",
            "MemoryUtilization",
            sdims,
            "Percent",
            start,
            end,
            lambda t: rng.uniform(46, 52),
            period,
        )
    rd = {"DBInstanceIdentifier": DB}
    acct.series(
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        start,
        end,
        db_cpu or (lambda t: 6 + diurnal(t, 24, 0) + rng.uniform(-2, 2)),
        period,
    )
    acct.series(
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        start,
        end,
        lambda t: float(rng.randint(58, 66)),
        period,
    )
    acct.series(
        "AWS/RDS",
        "FreeStorageSpace",
        rd,
        "Bytes",
        start,
        end,
        lambda t: 212_400_000_000 - (t - start).total_seconds() * 9000,
        period,
    )
    acct.series(
        "AWS/RDS",
        "ReadIOPS",
        rd,
        "Count/Second",
        start,
        end,
        lambda t: 40 + diurnal(t, 600, 0) * rng.uniform(0.8, 1.2),
        period,
    )
    acct.series(
        "AWS/RDS",
        "WriteIOPS",
        rd,
        "Count/Second",
        start,
        end,
        lambda t: 30 + diurnal(t, 220, 0) * rng.uniform(0.8, 1.2),
        period,
    )


def web_logs(acct: Account, start: datetime, end: datetime, task_ids: list[str], every_s: int = 90) -> None:
    """A sample of hr-web access lines (ASP.NET Core request logging)."""
    rng = acct.rng
    paths = [
        ("GET", "/timesheets/week", 200),
        ("GET", "/dashboard", 200),
        ("POST", "/leave/requests", 201),
        ("GET", "/people/directory", 200),
        ("GET", "/payslips", 200),
    ]
    t = start
    while t < end:
        m, p, s = rng.choice(paths)
        tid = rng.choice(task_ids)
        acct.log(
            "/ecs/hr-web",
            f"hr-web/hr-web/{tid}",
            t,
            f"info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 {m} http://app.staffwise.co.uk{p} - {s} - text/html;+charset=utf-8 {rng.uniform(20, 180):.4f}ms",
        )
        t += timedelta(seconds=rng.randint(every_s // 2, every_s * 2))


def background_changes(acct: Account, start: datetime, onset: datetime) -> None:
    """Ordinary changes of a working day, none of them harmful."""
    rng = acct.rng
    t1 = start + timedelta(minutes=rng.randint(20, 60))
    rev = rng.randint(180, 240)
    acct.ct(
        t1,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        DEPLOYER,
        {"family": "hr-web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"]},
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/hr-web:{rev}",
                "revision": rev,
                "family": "hr-web",
                "status": "ACTIVE",
            }
        },
        agent=GHA_AGENT,
    )
    acct.ct(
        t1 + timedelta(seconds=14),
        "ecs.amazonaws.com",
        "UpdateService",
        DEPLOYER,
        {
            "cluster": CLUSTER,
            "service": "hr-web",
            "taskDefinition": f"hr-web:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "hr-web",
                "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/hr-web:{rev}",
                "desiredCount": 3,
            }
        },
        agent=GHA_AGENT,
    )
    t2 = onset - timedelta(minutes=rng.randint(25, 70))
    acct.ct(
        t2,
        "ssm.amazonaws.com",
        "PutParameter",
        sso("priya.natarajan@staffwise.co.uk"),
        {"name": "/staffwise/prod/hr-web/FeatureFlags__LeaveCalendarV2", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 9), "tier": "Standard"},
        agent="aws-internal/3 aws-sdk-java/1.12.664 Linux/5.10 console",
    )
    t3 = start + timedelta(minutes=rng.randint(90, 150))
    acct.ct(
        t3,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        TERRAFORM,
        {"logGroupName": "/ecs/hr-web", "retentionInDays": 30},
        None,
        agent=TF_AGENT,
    )
    t = start + timedelta(minutes=rng.randint(1, 10))
    while t < onset + timedelta(hours=2):
        acct.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            service("ecs-tasks.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/hr-web-task", "roleSessionName": hexid(rng, 32)},
            {
                "credentials": {
                    "accessKeyId": "ASIAUSTZ4QW7" + hexid(rng, 8).upper(),
                    "expiration": "Jan 1, 2027, 6:00:00 AM",
                    "sessionToken": "<redacted>",
                }
            },
            True,
            ip="ecs-tasks.amazonaws.com",
        )
        t += timedelta(minutes=rng.randint(40, 70))


def local(t: datetime) -> datetime:
    """UK local time (the seeds only pick months wholly inside or outside summer time)."""
    return t + timedelta(hours=1) if 4 <= t.month <= 9 else t


def clock(t: datetime) -> str:
    lt = local(t)
    h = lt.hour % 12 or 12
    return f"{h}:{lt.minute:02d}{'am' if lt.hour < 12 else 'pm'}"
