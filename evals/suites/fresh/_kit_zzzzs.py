"""Private helpers for kit zzzzs: a marketing-email platform (ECS Fargate workers on SQS, SES, Aurora MySQL,
ElastiCache, S3 exports, a NAT gateway) with its everyday noise."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident's world: ids, clock and the records gathered so far."""

    def __init__(
        self, seed: int, *, salt: str, onset_hour: tuple[int, int], weekday: int | None = None
    ) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "3" + self.account[1:]
        self.region = r.choice(["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        if weekday is not None:
            day += timedelta(days=(weekday - day.weekday()) % 7)
        # onset_hour is the team's local clock; the offset is rough (no DST), the wording uses zoneinfo
        off = local_zone(self.region)[1]
        self.onset = (
            day.replace(hour=onset_hour[0], minute=onset_hour[1])
            - timedelta(hours=off)
            + timedelta(minutes=r.randint(0, 40))
        )
        self.start = (self.onset - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
        self.now = self.onset + timedelta(minutes=r.randint(42, 65))
        self.end = self.now
        self.prefix = r.choice(["mailer", "relay", "postbox", "sendwave"])
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.ct: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        # ids
        self.vpc = "vpc-" + self.hex(17)
        self.subnets_private = ["subnet-" + self.hex(17) for _ in range(3)]
        self.subnet_public = "subnet-" + self.hex(17)
        self.nat = "nat-" + self.hex(17)
        self.nat_eip = (
            f"{r.choice([34, 52, 54, 3])}.{r.randint(10, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
        )
        self.nat_private_ip = f"10.{r.randint(20, 60)}.0.{r.randint(10, 200)}"
        self.sg_worker = "sg-" + self.hex(17)
        self.sg_db = "sg-" + self.hex(17)
        self.cluster = f"{self.prefix}-prod"
        self.queue = "campaign-send"
        self.dlq = "campaign-send-dlq"
        self.events_queue = "ses-feedback"
        self.db_cluster = f"{self.prefix}-aurora"
        self.db_instances = [f"{self.prefix}-aurora-{i}" for i in (1, 2)]
        self.cache = f"{self.prefix}-redis"
        self.bucket = f"{self.prefix}-exports-{self.account[-6:]}"
        self.config_set = "marketing-default"
        self.worker_rev = r.randint(120, 340)
        self.import_rev = r.randint(40, 90)
        self.people = r.sample(
            ["priya.nair", "tom.becker", "ana.souza", "li.wei", "jonas.berg", "sam.okafor"], 3
        )
        self.azs = [self.region + s for s in ("a", "b", "c")]

    # --- ids -------------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def queue_url(self, name: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"

    def task_id(self) -> str:
        return self.hex(32)

    # --- identities ------------------------------------------------------------------------------------
    def sso(self, person: str) -> Rec:
        role = "AWSReservedSSO_PlatformEngineer_" + self.account[-4:] + "a1b2c3d4e5f6"[: 12 - 4]
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.account[-8:]}EXAMPLE7Q:{person}@example.com",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{person}@example.com",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.account[-8:]}EXAMPLE7Q",
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str) -> Rec:
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hex(12).upper()}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.hex(12).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def service_principal(self, name: str) -> Rec:
        return {"type": "AWSService", "invokedBy": name}

    # --- CloudTrail ------------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        params: Rec | None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> Rec:
        rec: Rec = {
            "eventVersion": "1.09" if source != "sqs.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or (
                who.get("invokedBy")
                or f"{self.rng.randint(80, 200)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}"
            ),
            "userAgent": who.get("invokedBy") or agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if "invokedBy" not in who:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.ct.append(rec)
        return rec

    def noise_trail(self, *, n: int = 40) -> None:
        """Read-only tooling calls, monitoring polls, task role sessions and the nightly export."""
        r = self.rng
        dd = self.role("DatadogIntegrationRole", "DatadogAWSIntegration")
        tf = self.role("terraform-plan-readonly", "atlantis-" + self.hex(8))
        dd_agent = "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)"
        span = (self.now - self.start).total_seconds()
        calls: list[tuple[str, str, Rec | None]] = [
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": self.cluster, "services": ["send-worker", "list-import", "feedback-processor"]},
            ),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": self.cluster, "serviceName": "send-worker"}),
            ("rds.amazonaws.com", "DescribeDBClusters", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("ec2.amazonaws.com", "DescribeNatGateways", {"natGatewayIdSet": {}, "filterSet": {}}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": ""}),
            ("ses.amazonaws.com", "GetAccount", None),
        ]
        for _ in range(n):
            t = self.start + timedelta(seconds=r.uniform(0, span))
            src, name, params = r.choice(calls)
            if r.random() < 0.8:
                self.trail(
                    t,
                    src,
                    name,
                    dd,
                    params,
                    read_only=True,
                    agent=dd_agent,
                    ip="3.233.148." + str(r.randint(2, 250)),
                )
            else:
                self.trail(
                    t,
                    src,
                    name,
                    tf,
                    params,
                    read_only=True,
                    agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 aws-sdk-go-v2/1.26.1",
                )
        # nightly/hourly export task started by EventBridge
        t = self.start + timedelta(minutes=r.randint(20, 50))
        while t < self.now:
            self.trail(
                t,
                "ecs.amazonaws.com",
                "RunTask",
                self.service_principal("events.amazonaws.com"),
                {
                    "cluster": self.arn("ecs", f"cluster/{self.cluster}"),
                    "taskDefinition": self.arn("ecs", "task-definition/engagement-export:17"),
                    "count": 1,
                    "launchType": "FARGATE",
                    "startedBy": "events-rule/hourly-engagement-ex",
                },
                {
                    "tasks": [
                        {
                            "taskArn": self.arn("ecs", f"task/{self.cluster}/{self.task_id()}"),
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                        }
                    ],
                    "failures": [],
                },
                ip="events.amazonaws.com",
            )
            t += timedelta(hours=1)

    # --- metrics ---------------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[..., float | None],
        *,
        period: int = 60,
        stat: bool = False,
    ) -> None:
        t = self.start
        while t <= self.now:
            v = fn(t)
            if v is not None:
                v = round(max(v, 0.0), 3)
                rec: Rec = {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if stat:
                    n = max(1.0, float(int(v)))
                    rec["statistic_values"] = {"SampleCount": n, "Sum": v, "Minimum": 0.0, "Maximum": v}
                else:
                    rec["value"] = v
                self.metrics.append(rec)
            t += timedelta(seconds=period)

    def noise(self, base: float, pct: float = 0.08) -> float:
        return base * (1 + self.rng.uniform(-pct, pct))

    def diurnal(self, t: datetime) -> float:
        h = t.hour + t.minute / 60
        return 0.75 + 0.25 * math.sin((h - 9) / 24 * 2 * math.pi)

    # --- alarms ----------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        threshold: float,
        op: str = "GreaterThanThreshold",
        period: int = 60,
        evals: int = 5,
        dtp: int | None = None,
        missing: str = "missing",
        desc: str = "",
        transitions: list[tuple[datetime, str, str]] | None = None,
        unit: str | None = None,
    ) -> Rec:
        """A MetricAlarm with its history; transitions are (time, new state, reason)."""
        topic = self.arn("sns", "mailer-oncall")
        transitions = sorted(transitions or [], key=lambda x: x[0])
        state, reason, updated = (
            "OK",
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            self.start - timedelta(days=9),
        )
        prev = "OK"
        for t, new, why in transitions:
            if t > self.now:
                continue
            data = {
                "version": "1.0",
                "oldState": {"stateValue": prev, "stateReason": reason},
                "newState": {"stateValue": new, "stateReason": why},
            }
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {new}",
                    "HistoryData": json.dumps(data),
                }
            )
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t + timedelta(seconds=1)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {topic}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(t),
                            "notificationResource": topic,
                            "publishedMessage": {
                                "default": f'{{"AlarmName":"{name}","NewStateValue":"{new}"}}'
                            },
                        }
                    ),
                }
            )
            prev, reason, updated, state = new, why, t, new
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(
                self.start - timedelta(days=60 + self.rng.randint(0, 200))
            ),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dtp or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(updated),
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def alarm_event(self, alarm: Rec, t: datetime, reason: str, prev: str = "OK") -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": prev,
                    "reason": "Threshold Crossed",
                    "timestamp": (t - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.uid(),
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

    # --- logs ------------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def ecs_event(self, service: str, t: datetime, message: str) -> None:
        self.events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": self.service_arn(service),
                    "event": {"id": self.uid(), "createdAt": iso(t), "message": message},
                },
            }
        )

    def service_arn(self, service: str) -> str:
        return self.arn("ecs", f"service/{self.cluster}/{service}")

    # --- the platform ----------------------------------------------------------------------------------
    def platform(
        self, *, worker_desired: int = 8, worker_td_env: dict[str, str] | None = None, queue_vt: str = "300"
    ) -> None:
        """Resources every incident shares, as they stand at `now`."""
        r = self.rng
        created = self.start - timedelta(days=400 + r.randint(0, 300))
        self.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": self.arn("ecs", f"cluster/{self.cluster}"),
                "clusterName": self.cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": worker_desired + 6,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        )
        env = {
            "QUEUE_URL": self.queue_url(self.queue),
            "SES_CONFIGURATION_SET": self.config_set,
            "RECEIVE_BATCH": "10",
            "WORKER_CONCURRENCY": "4",
            "DB_HOST": f"{self.db_cluster}.cluster-{self.hex(12)}.{self.region}.rds.amazonaws.com",
            "REDIS_URL": f"rediss://master.{self.cache}.{self.hex(6)}.{self.region[:2]}{self.region.split('-')[1][0]}{self.region[-1]}.cache.amazonaws.com:6379",
        }
        env.update(worker_td_env or {})
        self.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": self.arn("ecs", f"task-definition/send-worker:{self.worker_rev}"),
                "family": "send-worker",
                "revision": self.worker_rev,
                "status": "ACTIVE",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "taskRoleArn": f"arn:aws:iam::{self.account}:role/send-worker-task",
                "executionRoleArn": f"arn:aws:iam::{self.account}:role/ecsTaskExecutionRole",
                "containerDefinitions": [
                    {
                        "name": "send-worker",
                        "image": f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/send-worker:2026.{r.randint(1, 12)}.{r.randint(1, 28)}-{self.hex(7)}",
                        "essential": True,
                        "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/send-worker",
                                "awslogs-region": self.region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
            },
        )
        for name, desired in (("send-worker", worker_desired), ("list-import", 2), ("feedback-processor", 2)):
            td = self.arn(
                "ecs",
                f"task-definition/{name}:{self.worker_rev if name == 'send-worker' else self.import_rev if name == 'list-import' else 31}",
            )
            self.res(
                "ecs",
                "Service",
                {
                    "serviceArn": self.service_arn(name),
                    "serviceName": name,
                    "clusterArn": self.arn("ecs", f"cluster/{self.cluster}"),
                    "status": "ACTIVE",
                    "desiredCount": desired,
                    "runningCount": desired,
                    "pendingCount": 0,
                    "launchType": "FARGATE",
                    "platformVersion": "LATEST",
                    "taskDefinition": td,
                    "deployments": [
                        {
                            "id": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                            "status": "PRIMARY",
                            "taskDefinition": td,
                            "desiredCount": desired,
                            "pendingCount": 0,
                            "runningCount": desired,
                            "failedTasks": 0,
                            "createdAt": iso(created),
                            "updatedAt": iso(self.start - timedelta(hours=5)),
                            "launchType": "FARGATE",
                            "rolloutState": "COMPLETED",
                            "rolloutStateReason": "ECS deployment ecs-svc completed.",
                        }
                    ],
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": self.subnets_private,
                            "securityGroups": [self.sg_worker],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "createdAt": iso(created),
                    "schedulingStrategy": "REPLICA",
                    "deploymentController": {"type": "ECS"},
                },
            )
        dlq_arn = self.arn("sqs", self.dlq)
        for q, attrs in (
            (
                self.queue,
                {
                    "VisibilityTimeout": queue_vt,
                    "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
                },
            ),
            (
                self.dlq,
                {
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "ReceiveMessageWaitTimeSeconds": "0",
                },
            ),
            (
                self.events_queue,
                {
                    "VisibilityTimeout": "60",
                    "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                },
            ),
        ):
            base = {
                "QueueArn": self.arn("sqs", q),
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int((created + timedelta(days=30)).timestamp())),
                "DelaySeconds": "0",
                "MaximumMessageSize": "262144",
                "SqsManagedSseEnabled": "true",
            }
            base.update(attrs)
            self.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": self.queue_url(q),
                    "Attributes": base,
                    "Tags": {"team": "messaging", "service": "mailer"},
                },
            )
        cluster_members = [
            {
                "DBInstanceIdentifier": self.db_instances[0],
                "IsClusterWriter": True,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
            {
                "DBInstanceIdentifier": self.db_instances[1],
                "IsClusterWriter": False,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
        ]
        self.db_cluster_item: Rec = {
            "DBClusterIdentifier": self.db_cluster,
            "DBClusterArn": self.arn("rds", f"cluster:{self.db_cluster}"),
            "Status": "available",
            "Engine": "aurora-mysql",
            "EngineVersion": "8.0.mysql_aurora.3.05.2",
            "Endpoint": f"{self.db_cluster}.cluster-c{self.hex(11)}.{self.region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{self.db_cluster}.cluster-ro-c{self.hex(11)}.{self.region}.rds.amazonaws.com",
            "Port": 3306,
            "MultiAZ": True,
            "AvailabilityZones": self.azs,
            "DBClusterMembers": cluster_members,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
            "StorageEncrypted": True,
            "ClusterCreateTime": iso(created),
            "DBClusterParameterGroup": f"{self.prefix}-aurora-mysql80",
            "DBSubnetGroup": f"{self.prefix}-db-private",
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "PreferredBackupWindow": "01:00-01:30",
            "BackupRetentionPeriod": 7,
        }
        self.res("rds", "DBCluster", self.db_cluster_item)
        for i, inst in enumerate(self.db_instances):
            self.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": inst,
                    "DBInstanceClass": "db.r6g.xlarge",
                    "Engine": "aurora-mysql",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": self.db_cluster,
                    "AvailabilityZone": self.azs[i],
                    "DBInstanceArn": self.arn("rds", f"db:{inst}"),
                    "PromotionTier": 1,
                    "EngineVersion": "8.0.mysql_aurora.3.05.2",
                    "InstanceCreateTime": iso(created),
                    "PerformanceInsightsEnabled": True,
                    "Endpoint": {
                        "Address": f"{inst}.c{self.hex(11)}.{self.region}.rds.amazonaws.com",
                        "Port": 3306,
                    },
                },
            )
        self.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": self.cache,
                "Description": "suppression list, send throttles, idempotency keys",
                "Status": "available",
                "MemberClusters": [f"{self.cache}-001", f"{self.cache}-002"],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "CacheNodeType": "cache.r6g.large",
                "ClusterEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "Engine": "redis",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "02:00-03:00",
                "ARN": self.arn("elasticache", f"replicationgroup:{self.cache}"),
            },
        )
        self.res(
            "ec2",
            "NatGateway",
            {
                "NatGatewayId": self.nat,
                "State": "available",
                "SubnetId": self.subnet_public,
                "VpcId": self.vpc,
                "ConnectivityType": "public",
                "CreateTime": iso(created),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": "eipalloc-" + self.hex(17),
                        "NetworkInterfaceId": "eni-" + self.hex(17),
                        "PrivateIp": self.nat_private_ip,
                        "PublicIp": self.nat_eip,
                        "AssociationId": "eipassoc-" + self.hex(17),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "Tags": [{"Key": "Name", "Value": f"{self.prefix}-nat-{self.azs[0][-1]}"}],
            },
        )
        self.res(
            "s3", "Bucket", {"Name": self.bucket, "CreationDate": iso(created), "BucketRegion": self.region}
        )

    def bundle(
        self, *, title: str, question: str | None, timezone: str | None, alarm_event: Rec | None, truth: Rec
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        history = sorted(self.history, key=_by("Timestamp"))
        logs = sorted(self.logs, key=_by("timestamp"))
        trail = sorted(self.ct, key=_by("eventTime"))
        records: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, records)


def _by(field: str) -> Callable[[Rec], str]:
    """A sort key: the field as a zero-padded string (epoch numbers and ISO times both sort right)."""

    def key(rec: Rec) -> str:
        value = rec[field]
        return f"{value:020d}" if isinstance(value, int) else str(value)

    return key


def local_zone(region: str) -> tuple[str, int]:
    """The team's time zone for a region, and a rough UTC offset in hours for wording clock times."""
    return {
        "eu-west-1": ("Europe/Dublin", 0),
        "eu-central-1": ("Europe/Berlin", 1),
        "us-east-1": ("America/New_York", -5),
        "us-west-2": ("America/Los_Angeles", -8),
    }[region]


def clock(ctx: Ctx, t: datetime) -> str:
    """A clock time as the asker would say it, in their zone (zoneinfo, for DST)."""
    from zoneinfo import ZoneInfo

    zone, _ = local_zone(ctx.region)
    local = t.astimezone(ZoneInfo(zone))
    minute = (local.minute // 5) * 5
    h = local.hour % 12 or 12
    return f"{h}:{minute:02d}{'am' if local.hour < 12 else 'pm'}"


def background(ctx: Ctx, *, load: Callable[[datetime], float], skip: set[str] | None = None) -> None:
    """Metrics of the parts that stay healthy: Aurora, Redis, the NAT gateway, the feedback queue."""
    skip = skip or set()
    n = ctx.noise
    if "rds" not in skip:
        for i, inst in enumerate(ctx.db_instances):
            w = 1.0 if i == 0 else 0.35
            ctx.series(
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": inst},
                "Percent",
                lambda t, w=w: n(14 + 22 * w * load(t)),
            )
            ctx.series(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": inst},
                "Count",
                lambda t, w=w: float(int(n(20 + 60 * w, 0.05))),
            )
        ctx.series(
            "AWS/RDS",
            "CommitLatency",
            {"DBInstanceIdentifier": ctx.db_instances[0]},
            "Milliseconds",
            lambda t: n(2.4, 0.25),
        )
    if "redis" not in skip:
        for node in ("001", "002"):
            ctx.series(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                {"CacheClusterId": f"{ctx.cache}-{node}", "CacheNodeId": "0001"},
                "Percent",
                lambda t, node=node: n((6 + 10 * load(t)) if node == "001" else 2.5),
            )
            ctx.series(
                "AWS/ElastiCache",
                "CurrConnections",
                {"CacheClusterId": f"{ctx.cache}-{node}", "CacheNodeId": "0001"},
                "Count",
                lambda t, node=node: float(int(n(70 if node == "001" else 12, 0.05))),
            )
    if "nat" not in skip:
        ctx.series(
            "AWS/NATGateway",
            "BytesOutToDestination",
            {"NatGatewayId": ctx.nat},
            "Bytes",
            lambda t: n(4.0e7 * load(t)),
        )
        ctx.series(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            {"NatGatewayId": ctx.nat},
            "Count",
            lambda t: float(int(n(900 * load(t)))),
        )
        ctx.series("AWS/NATGateway", "ErrorPortAllocation", {"NatGatewayId": ctx.nat}, "Count", lambda t: 0.0)
    if "feedback" not in skip:
        q = {"QueueName": ctx.events_queue}
        ctx.series("AWS/SQS", "NumberOfMessagesSent", q, "Count", lambda t: float(int(n(60 * load(t), 0.3))))
        ctx.series(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            q,
            "Count",
            lambda t: float(ctx.rng.randint(0, 6)),
        )
        ctx.series(
            "AWS/SQS", "ApproximateAgeOfOldestMessage", q, "Seconds", lambda t: float(ctx.rng.randint(0, 9))
        )


def routine_changes(ctx: Ctx, when: list[datetime]) -> None:
    """Innocent configuration changes of the day, one per time given."""
    r = ctx.rng
    deployer = ctx.role("github-actions-deploy", "GitHubActions")
    gha = "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/ecs#3.556.0"
    kinds = ["import", "alarm", "ses", "redis-snap", "feedback"]
    r.shuffle(kinds)
    for t, kind in zip(when, kinds, strict=False):
        if kind == "import":
            rev = ctx.import_rev
            ctx.trail(
                t - timedelta(seconds=40),
                "ecs.amazonaws.com",
                "RegisterTaskDefinition",
                deployer,
                {
                    "family": "list-import",
                    "containerDefinitions": [
                        {
                            "name": "list-import",
                            "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/list-import:{ctx.hex(7)}",
                            "essential": True,
                        }
                    ],
                    "networkMode": "awsvpc",
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "512",
                    "memory": "1024",
                },
                {
                    "taskDefinition": {
                        "taskDefinitionArn": ctx.arn("ecs", f"task-definition/list-import:{rev}"),
                        "family": "list-import",
                        "revision": rev,
                        "status": "ACTIVE",
                    }
                },
                agent=gha,
            )
            ctx.trail(
                t,
                "ecs.amazonaws.com",
                "UpdateService",
                deployer,
                {
                    "cluster": ctx.cluster,
                    "service": "list-import",
                    "taskDefinition": f"list-import:{rev}",
                    "forceNewDeployment": False,
                },
                {
                    "service": {
                        "serviceName": "list-import",
                        "serviceArn": ctx.service_arn("list-import"),
                        "taskDefinition": ctx.arn("ecs", f"task-definition/list-import:{rev}"),
                        "desiredCount": 2,
                        "status": "ACTIVE",
                    }
                },
                agent=gha,
            )
            ctx.ecs_event(
                "list-import",
                t + timedelta(seconds=30),
                f"(service list-import) has started 2 tasks: (task {ctx.task_id()}) (task {ctx.task_id()}).",
            )
            ctx.ecs_event(
                "list-import",
                t + timedelta(minutes=4),
                f"(service list-import) has stopped 2 running tasks: (task {ctx.task_id()}) (task {ctx.task_id()}).",
            )
            ctx.ecs_event(
                "list-import", t + timedelta(minutes=6), "(service list-import) has reached a steady state."
            )
        elif kind == "alarm":
            ctx.trail(
                t,
                "monitoring.amazonaws.com",
                "PutMetricAlarm",
                ctx.role("terraform-apply", "atlantis-" + ctx.hex(8)),
                {
                    "alarmName": "list-import-errors",
                    "namespace": "Mailer/Import",
                    "metricName": "RowsRejected",
                    "statistic": "Sum",
                    "period": 300,
                    "evaluationPeriods": 1,
                    "threshold": 500.0,
                    "comparisonOperator": "GreaterThanThreshold",
                    "alarmActions": [ctx.arn("sns", "mailer-oncall")],
                },
                None,
                agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0",
            )
        elif kind == "ses":
            ctx.trail(
                t,
                "ses.amazonaws.com",
                "UpdateConfigurationSetEventDestination",
                ctx.sso(ctx.people[1]),
                {
                    "ConfigurationSetName": ctx.config_set,
                    "EventDestinationName": "engagement-to-firehose",
                    "EventDestination": {
                        "Enabled": True,
                        "MatchingEventTypes": ["SEND", "DELIVERY", "OPEN", "CLICK", "BOUNCE", "COMPLAINT"],
                        "KinesisFirehoseDestination": {
                            "IamRoleArn": f"arn:aws:iam::{ctx.account}:role/ses-firehose-delivery",
                            "DeliveryStreamArn": ctx.arn("firehose", "deliverystream/ses-engagement"),
                        },
                    },
                },
                None,
                agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            )
        elif kind == "redis-snap":
            ctx.trail(
                t,
                "elasticache.amazonaws.com",
                "ModifyReplicationGroup",
                ctx.sso(ctx.people[2]),
                {"replicationGroupId": ctx.cache, "snapshotRetentionLimit": 3, "applyImmediately": True},
                {"replicationGroupId": ctx.cache, "status": "available", "snapshotRetentionLimit": 3},
            )
        elif kind == "feedback":
            ctx.trail(
                t,
                "sqs.amazonaws.com",
                "SetQueueAttributes",
                ctx.role("terraform-apply", "atlantis-" + ctx.hex(8)),
                {
                    "queueUrl": ctx.queue_url(ctx.events_queue),
                    "attributes": {"MessageRetentionPeriod": "345600"},
                },
                None,
                agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0",
            )


def steady_events(ctx: Ctx, service: str) -> None:
    t = ctx.start + timedelta(minutes=ctx.rng.randint(5, 300))
    while t < ctx.now:
        ctx.ecs_event(service, t, f"(service {service}) has reached a steady state.")
        t += timedelta(hours=6)
