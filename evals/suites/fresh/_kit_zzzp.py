"""Private helpers for kit zzzp: one clinic appointment-booking account (ECS on Fargate behind an ALB,
Aurora PostgreSQL, Cognito, SES reminders sent by an EventBridge Scheduler-started ECS task)."""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

UTC = UTC
REGION = "eu-west-2"
AZS = ["eu-west-2a", "eu-west-2b", "eu-west-2c"]

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def pick_day(rng: random.Random) -> datetime:
    """A weekday in mid-January to late February (London is on UTC then)."""
    while True:
        d = datetime(2025, 1, 13, tzinfo=UTC) + timedelta(days=rng.randint(0, 40))
        if d.weekday() < 5:
            return d


class Clinic:
    """The account: ids, names and builders shared by every incident of the kit."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng = rng
        self.start = start
        self.now = now
        self.account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        self.vpc = "vpc-" + hexid(rng, 17)
        self.subnets = ["subnet-" + hexid(rng, 17) for _ in AZS]
        self.sg_alb = "sg-" + hexid(rng, 17)
        self.sg_app = "sg-" + hexid(rng, 17)
        self.sg_db = "sg-" + hexid(rng, 17)
        self.alb_name = "booking-public-alb"
        self.alb_id = hexid(rng, 16)
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:loadbalancer/{self.alb_dim}"
        self.tg_name = "booking-api-tg"
        self.tg_dim = f"targetgroup/{self.tg_name}/{hexid(rng, 16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{self.account}:{self.tg_dim}"
        self.cluster = "clinicbook-prod"
        self.cluster_arn = f"arn:aws:ecs:{REGION}:{self.account}:cluster/{self.cluster}"
        self.db_cluster = "booking-db"
        self.db_res = "cluster-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26))
        self.db_suffix = "c" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(11))
        self.db_writer = "booking-db-instance-1"
        self.db_reader = "booking-db-instance-2"
        self.db_endpoint = f"{self.db_cluster}.cluster-{self.db_suffix}.{REGION}.rds.amazonaws.com"
        self.db_ro_endpoint = f"{self.db_cluster}.cluster-ro-{self.db_suffix}.{REGION}.rds.amazonaws.com"
        self.pool_id = f"{REGION}_" + "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9)
        )
        self.pool_client = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
        self.api_rev = rng.randint(60, 140)
        self.portal_rev = rng.randint(20, 60)
        self.reminder_rev = rng.randint(10, 30)
        self.api_tasks = [hexid(rng, 32) for _ in range(3)]
        self.portal_tasks = [hexid(rng, 32) for _ in range(2)]
        self.image_tag = hexid(rng, 7)
        self.cloudtrail: list[Rec] = []
        self.resources: list[Rec] = []
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []
        self.target_5xx: dict[datetime, int] = {}

    # --- small builders ---------------------------------------------------------------------------

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{REGION}:{self.account}:{rest}"

    def td_arn(self, family: str, rev: int) -> str:
        return self.arn("ecs", f"task-definition/{family}:{rev}")

    def svc_arn(self, name: str) -> str:
        return self.arn("ecs", f"service/{self.cluster}/{name}")

    def minutes(self) -> list[datetime]:
        first = self.start.replace(second=0, microsecond=0) + timedelta(minutes=1)
        n = int((self.now - first).total_seconds() // 60)
        return [first + timedelta(minutes=i) for i in range(n)]

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        value: float | None = None,
        stats: tuple[float, float, float, float] | None = None,
    ) -> None:
        rec: Rec = {"namespace": ns, "metric": name, "dimensions": dims, "timestamp": iso(t), "unit": unit}
        if stats is not None:
            n, s, lo, hi = stats
            rec["statistic_values"] = {
                "SampleCount": round(n, 3),
                "Sum": round(s, 4),
                "Minimum": round(lo, 4),
                "Maximum": round(hi, 4),
            }
        else:
            rec["value"] = round(value or 0.0, 4)
        self.metrics.append(rec)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # --- CloudTrail -------------------------------------------------------------------------------

    def identity(self, kind: str) -> tuple[Rec, str, str]:
        """(userIdentity, sourceIPAddress, userAgent) for one of the account's usual callers."""
        acct = self.account
        roles = {
            "ci": ("github-actions-deploy", "GitHubActions", "AROA" + "X4ZP7QK2M3N5B6V7C", "140.82.112.4"),
            "sso-priya": (
                "AWSReservedSSO_PlatformEngineer_6c1e0b2a94d7f3e1",
                "priya.nair@clinicbook.co.uk",
                "AROA" + "Y7TQ2WE4R5T6Y7U8I",
                "81.174.22.196",
            ),
            "sso-tom": (
                "AWSReservedSSO_PlatformEngineer_6c1e0b2a94d7f3e1",
                "tom.okafor@clinicbook.co.uk",
                "AROA" + "Y7TQ2WE4R5T6Y7U8I",
                "86.12.140.77",
            ),
            "obs": (
                "observability-readonly",
                "grafana-cloudwatch",
                "AROA" + "Z3KD8LM2N4P6Q8R1S",
                "34.89.10.21",
            ),
            "sched": (
                "clinicbook-scheduler-runtask",
                "" + hexid(self.rng, 32),
                "AROA" + "Q5RT6YU7I8O9P1A2S",
                "",
            ),
        }
        role, session, roleid, ip = roles[kind]
        path = "aws-reserved/sso.amazonaws.com/eu-west-2/" if role.startswith("AWSReserved") else ""
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{roleid}:{session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
            "accountId": acct,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": roleid,
                    "arn": f"arn:aws:iam::{acct}:role/{path}{role}",
                    "accountId": acct,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        agents = {
            "ci": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
            "sso-priya": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
            "sso-tom": "aws-cli/2.15.17 Python/3.11.6 Darwin/23.2.0 exe/x86_64 prompt/off",
            "obs": "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
            "sched": "scheduler.amazonaws.com",
        }
        if kind == "sched":
            ident["invokedBy"] = "scheduler.amazonaws.com"
            ip = "scheduler.amazonaws.com"
        return ident, ip, agents[kind]

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        who: str,
        request: Rec | None = None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
        event_id: str | None = None,
    ) -> str:
        ident, ip, agent = self.identity(who)
        ident["sessionContext"]["attributes"]["creationDate"] = iso(
            t - timedelta(minutes=self.rng.randint(1, 50))
        )
        eid = event_id or uid(self.rng)
        rec: Rec = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": request,
            "responseElements": response,
            "requestID": uid(self.rng),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if who in ("ci", "sso-priya", "sso-tom", "obs"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return eid

    def service_trail(self, t: datetime, source: str, name: str, request: Rec, invoked_by: str) -> None:
        """A call an AWS service makes itself (task role credentials, secret fetches at task start)."""
        self.cloudtrail.append(
            {
                "eventVersion": "1.08",
                "userIdentity": {"type": "AWSService", "invokedBy": invoked_by},
                "eventTime": iso(t),
                "eventSource": source,
                "eventName": name,
                "awsRegion": REGION,
                "sourceIPAddress": invoked_by,
                "userAgent": invoked_by,
                "requestParameters": request,
                "responseElements": None,
                "requestID": uid(self.rng),
                "eventID": uid(self.rng),
                "readOnly": True,
                "resources": [
                    {"accountId": self.account, "type": "AWS::IAM::Role", "ARN": request["roleArn"]}
                ]
                if "roleArn" in request
                else [],
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "sharedEventID": uid(self.rng),
                "eventCategory": "Management",
            }
        )

    def tooling_noise(self, every_min: int = 7) -> None:
        """Grafana's read-only polling and a few humans looking around: the usual background."""
        t = self.start + timedelta(minutes=self.rng.randint(0, 5))
        calls: list[tuple[str, str, Rec | None]] = [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": self.cluster, "services": ["booking-api", "admin-portal"]},
            ),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": self.tg_arn}),
            ("ecs.amazonaws.com", "ListServices", {"cluster": self.cluster}),
            ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": self.db_cluster}),
        ]
        i = 0
        while t < self.now:
            src, name, req = calls[i % len(calls)]
            self.trail(t, src, name, "obs", req, None, read_only=True)
            i += 1
            t += timedelta(minutes=every_min, seconds=self.rng.randint(-90, 90))

    def task_start_trail(self, t: datetime, family: str) -> None:
        """What a Fargate task start leaves in CloudTrail: the task role assumed, secrets fetched."""
        role = self.arn("iam", f"role/{family}-task").replace(f":{REGION}:", "::")
        self.service_trail(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": role, "roleSessionName": hexid(self.rng, 32), "durationSeconds": 21600},
            "ecs-tasks.amazonaws.com",
        )

    # --- resources ---------------------------------------------------------------------------------

    def task_definition(
        self, family: str, rev: int, registered: datetime, env: list[tuple[str, str]], image_tag: str
    ) -> Rec:
        acct = self.account
        return {
            "taskDefinitionArn": self.td_arn(family, rev),
            "family": family,
            "revision": rev,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/{family}-task",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024" if family == "booking-api" else "512",
            "memory": "2048" if family == "booking-api" else "1024",
            "registeredAt": iso(registered),
            "registeredBy": f"arn:aws:sts::{acct}:assumed-role/github-actions-deploy/GitHubActions",
            "containerDefinitions": [
                {
                    "name": family,
                    "image": f"{acct}.dkr.ecr.{REGION}.amazonaws.com/clinicbook/{family}:{image_tag}",
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
                    if family != "reminder-dispatch"
                    else [],
                    "environment": [{"name": k, "value": v} for k, v in env],
                    "secrets": [
                        {
                            "name": "DB_PASSWORD",
                            "valueFrom": self.arn("secretsmanager", "secret:booking-db/app-AbC12x"),
                        }
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        }

    def api_env(self, db_host: str) -> list[tuple[str, str]]:
        return [
            ("APP_ENV", "production"),
            ("DB_HOST", db_host),
            ("DB_NAME", "booking"),
            ("DB_POOL_SIZE", "10"),
            ("COGNITO_USER_POOL_ID", self.pool_id),
            ("PATIENT_RECORDS_URL", "https://patient-records.internal.clinicbook.co.uk"),
            ("LOG_LEVEL", "INFO"),
        ]

    def ecs_service(
        self, name: str, td_rev: int, desired: int, deployments: list[Rec], created: datetime, lb: bool
    ) -> Rec:
        item: Rec = {
            "serviceArn": self.svc_arn(name),
            "serviceName": name,
            "clusterArn": self.cluster_arn,
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": desired,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": self.td_arn(name, td_rev),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": deployments,
            "createdAt": iso(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": self.subnets,
                    "securityGroups": [self.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60 if lb else 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
        }
        if lb:
            item["loadBalancers"] = [
                {"targetGroupArn": self.tg_arn, "containerName": name, "containerPort": 8000}
            ]
        return item

    def deployment(self, name: str, rev: int, count: int, created: datetime, updated: datetime) -> Rec:
        return {
            "id": "ecs-svc/" + "".join(str(self.rng.randint(0, 9)) for _ in range(19)),
            "status": "PRIMARY",
            "taskDefinition": self.td_arn(name, rev),
            "desiredCount": count,
            "pendingCount": 0,
            "runningCount": count,
            "failedTasks": 0,
            "createdAt": iso(created),
            "updatedAt": iso(updated),
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "rolloutState": "COMPLETED",
            "rolloutStateReason": "ECS deployment " + "ecs-svc" + " completed.",
        }

    def base_resources(self, api_td: list[Rec], api_service: Rec) -> None:
        acct, r = self.account, self.resources
        created = self.start - timedelta(days=400)
        r.append(
            {
                "service": "ec2",
                "type": "Vpc",
                "item": {
                    "VpcId": self.vpc,
                    "CidrBlock": "10.40.0.0/16",
                    "State": "available",
                    "OwnerId": acct,
                    "IsDefault": False,
                    "Tags": [{"Key": "Name", "Value": "clinicbook-prod"}],
                },
            }
        )
        for i, (sn, az) in enumerate(zip(self.subnets, AZS, strict=True)):
            r.append(
                {
                    "service": "ec2",
                    "type": "Subnet",
                    "item": {
                        "SubnetId": sn,
                        "VpcId": self.vpc,
                        "AvailabilityZone": az,
                        "CidrBlock": f"10.40.{16 * (i + 1)}.0/20",
                        "State": "available",
                        "AvailableIpAddressCount": 4070 - self.rng.randint(5, 40),
                        "MapPublicIpOnLaunch": False,
                        "Tags": [{"Key": "Name", "Value": f"clinicbook-prod-private-{az[-1]}"}],
                    },
                }
            )
        sgs: list[tuple[str, str, list[tuple[int, int, str | None, str | None]]]] = [
            (self.sg_alb, "booking-alb", [(443, 443, "0.0.0.0/0", None)]),
            (self.sg_app, "booking-app", [(8000, 8000, None, self.sg_alb)]),
            (self.sg_db, "booking-db", [(5432, 5432, None, self.sg_app)]),
        ]
        for gid, name, rules in sgs:
            perms = []
            for lo, hi, cidr, src in rules:
                perm: Rec = {"IpProtocol": "tcp", "FromPort": lo, "ToPort": hi}
                if cidr:
                    perm["IpRanges"] = [{"CidrIp": cidr}]
                else:
                    perm["UserIdGroupPairs"] = [{"GroupId": src, "UserId": acct}]
                perms.append(perm)
            r.append(
                {
                    "service": "ec2",
                    "type": "SecurityGroup",
                    "item": {
                        "GroupId": gid,
                        "GroupName": name,
                        "Description": f"{name} security group",
                        "VpcId": self.vpc,
                        "OwnerId": acct,
                        "IpPermissions": perms,
                        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                    },
                }
            )
        r.append(
            {
                "service": "elbv2",
                "type": "LoadBalancer",
                "item": {
                    "LoadBalancerArn": self.alb_arn,
                    "DNSName": f"{self.alb_name}-{self.rng.randint(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                    "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                    "CreatedTime": iso(created),
                    "LoadBalancerName": self.alb_name,
                    "Scheme": "internet-facing",
                    "VpcId": self.vpc,
                    "State": {"Code": "active"},
                    "Type": "application",
                    "AvailabilityZones": [
                        {"ZoneName": az, "SubnetId": sn} for sn, az in zip(self.subnets, AZS, strict=True)
                    ],
                    "SecurityGroups": [self.sg_alb],
                    "IpAddressType": "ipv4",
                },
            }
        )
        r.append(
            {
                "service": "elbv2",
                "type": "TargetGroup",
                "item": {
                    "TargetGroupArn": self.tg_arn,
                    "TargetGroupName": self.tg_name,
                    "Protocol": "HTTP",
                    "Port": 8000,
                    "VpcId": self.vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 3,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [self.alb_arn],
                    "TargetType": "ip",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                },
            }
        )
        r.append(
            {
                "service": "ecs",
                "type": "Cluster",
                "item": {
                    "clusterArn": self.cluster_arn,
                    "clusterName": self.cluster,
                    "status": "ACTIVE",
                    "registeredContainerInstancesCount": 0,
                    "runningTasksCount": 5,
                    "pendingTasksCount": 0,
                    "activeServicesCount": 2,
                    "settings": [{"name": "containerInsights", "value": "disabled"}],
                    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                },
            }
        )
        for td in api_td:
            r.append({"service": "ecs", "type": "TaskDefinition", "item": td})
        r.append({"service": "ecs", "type": "Service", "item": api_service})
        portal_dep = self.deployment(
            "admin-portal", self.portal_rev, 2, self.start - timedelta(days=6), self.start - timedelta(days=6)
        )
        r.append(
            {
                "service": "ecs",
                "type": "TaskDefinition",
                "item": self.task_definition(
                    "admin-portal",
                    self.portal_rev,
                    self.start - timedelta(days=6),
                    [("APP_ENV", "production"), ("DB_HOST", self.db_endpoint)],
                    hexid(self.rng, 7),
                ),
            }
        )
        r.append(
            {
                "service": "ecs",
                "type": "TaskDefinition",
                "item": self.task_definition(
                    "reminder-dispatch",
                    self.reminder_rev,
                    self.start - timedelta(days=31),
                    [
                        ("APP_ENV", "production"),
                        ("DB_HOST", self.db_ro_endpoint),
                        ("SES_CONFIGURATION_SET", "reminders"),
                    ],
                    hexid(self.rng, 7),
                ),
            }
        )
        r.append(
            {
                "service": "ecs",
                "type": "Service",
                "item": self.ecs_service("admin-portal", self.portal_rev, 2, [portal_dep], created, lb=False),
            }
        )
        members = [
            {
                "DBInstanceIdentifier": self.db_writer,
                "IsClusterWriter": True,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
            {
                "DBInstanceIdentifier": self.db_reader,
                "IsClusterWriter": False,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
        ]
        r.append(
            {
                "service": "rds",
                "type": "DBCluster",
                "item": {
                    "DBClusterIdentifier": self.db_cluster,
                    "DBClusterArn": self.arn("rds", f"cluster:{self.db_cluster}"),
                    "Engine": "aurora-postgresql",
                    "EngineVersion": "15.6",
                    "EngineMode": "provisioned",
                    "Status": "available",
                    "Endpoint": self.db_endpoint,
                    "ReaderEndpoint": self.db_ro_endpoint,
                    "Port": 5432,
                    "MultiAZ": True,
                    "AvailabilityZones": AZS,
                    "DatabaseName": "booking",
                    "MasterUsername": "booking_admin",
                    "DBClusterParameterGroup": "booking-aurora-pg15",
                    "DBSubnetGroup": "clinicbook-prod-db",
                    "DBClusterMembers": members,
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
                    "DbClusterResourceId": self.db_res,
                    "ClusterCreateTime": iso(created),
                    "StorageEncrypted": True,
                    "BackupRetentionPeriod": 7,
                    "PreferredBackupWindow": "02:10-02:40",
                    "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
                    "DeletionProtection": True,
                },
            }
        )
        for ident, az, writer in ((self.db_writer, AZS[0], True), (self.db_reader, AZS[1], False)):
            r.append(
                {
                    "service": "rds",
                    "type": "DBInstance",
                    "item": {
                        "DBInstanceIdentifier": ident,
                        "DBInstanceClass": "db.r6g.large",
                        "Engine": "aurora-postgresql",
                        "EngineVersion": "15.6",
                        "DBInstanceStatus": "available",
                        "Endpoint": {
                            "Address": f"{ident}.{self.db_suffix}.{REGION}.rds.amazonaws.com",
                            "Port": 5432,
                            "HostedZoneId": "Z1TTGA775OQIYO",
                        },
                        "AvailabilityZone": az,
                        "DBClusterIdentifier": self.db_cluster,
                        "DBInstanceArn": self.arn("rds", f"db:{ident}"),
                        "PubliclyAccessible": False,
                        "StorageEncrypted": True,
                        "PerformanceInsightsEnabled": True,
                        "MonitoringInterval": 60,
                        "PromotionTier": 1,
                        "DBParameterGroups": [
                            {
                                "DBParameterGroupName": "default.aurora-postgresql15",
                                "ParameterApplyStatus": "in-sync",
                            }
                        ],
                        "InstanceCreateTime": iso(created + timedelta(minutes=12 if writer else 31)),
                    },
                }
            )
        r.append(
            {
                "service": "cognito-idp",
                "type": "UserPoolType",
                "item": {
                    "Id": self.pool_id,
                    "Name": "clinicbook-patients",
                    "Arn": self.arn("cognito-idp", f"userpool/{self.pool_id}"),
                    "CreationDate": iso(created),
                    "LastModifiedDate": iso(self.start - timedelta(days=52)),
                    "EstimatedNumberOfUsers": 180000 + self.rng.randint(0, 90000),
                    "MfaConfiguration": "OPTIONAL",
                    "UserPoolTier": "ESSENTIALS",
                },
            }
        )
        for fam, days in (("booking-api", 30), ("admin-portal", 30), ("reminder-dispatch", 90)):
            r.append(
                {
                    "service": "logs",
                    "type": "LogGroup",
                    "item": {
                        "logGroupName": f"/ecs/{fam}",
                        "creationTime": ms(created),
                        "retentionInDays": days,
                        "arn": self.arn("logs", f"log-group:/ecs/{fam}:*"),
                        "storedBytes": self.rng.randint(10**8, 10**10),
                        "logGroupClass": "STANDARD",
                    },
                }
            )

    # --- traffic and metrics -------------------------------------------------------------------------

    def load(self, t: datetime) -> float:
        """Booking API requests a minute for this clinic network at a UTC instant (London = UTC here)."""
        h = t.hour + t.minute / 60.0
        if h < 6.5:
            base = 18.0
        elif h < 9:
            base = 18 + (h - 6.5) / 2.5 * 520
        elif h < 17.5:
            base = 540 + 60 * math.sin((h - 9) / 8.5 * math.pi)
        elif h < 21:
            base = 540 - (h - 17.5) / 3.5 * 380
        else:
            base = 160 - (h - 21) / 3 * 140
        return max(8.0, base * self.rng.uniform(0.92, 1.08))

    def alb_metrics(
        self,
        t: datetime,
        requests: float,
        target_5xx: float,
        elb_5xx: float,
        latency_avg: float,
        latency_max: float,
        healthy: int,
        unhealthy: int = 0,
    ) -> None:
        lb = {"LoadBalancer": self.alb_dim}
        tg = {"TargetGroup": self.tg_dim, "LoadBalancer": self.alb_dim}
        req = round(requests)
        if req > 0:
            self.metric("AWS/ApplicationELB", "RequestCount", lb, t, "Count", req)
            self.metric("AWS/ApplicationELB", "RequestCount", tg, t, "Count", req)
            served = max(req - round(elb_5xx), 0)
            c4 = round(served * self.rng.uniform(0.02, 0.035))
            c5 = round(target_5xx)
            self.target_5xx[t] = c5
            self.metric(
                "AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lb, t, "Count", max(served - c4 - c5, 0)
            )
            if c4:
                self.metric("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lb, t, "Count", c4)
            if c5:
                self.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, t, "Count", c5)
                self.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, t, "Count", c5)
            if round(elb_5xx):
                self.metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, t, "Count", round(elb_5xx))
            if served:
                stats = (served, served * latency_avg, max(0.002, latency_avg * 0.08), latency_max)
                self.metric("AWS/ApplicationELB", "TargetResponseTime", lb, t, "Seconds", stats=stats)
        self.metric("AWS/ApplicationELB", "HealthyHostCount", tg, t, "Count", healthy)
        self.metric("AWS/ApplicationELB", "UnHealthyHostCount", tg, t, "Count", unhealthy)

    def ecs_metrics(self, t: datetime, service: str, cpu: float, mem: float) -> None:
        d = {"ClusterName": self.cluster, "ServiceName": service}
        self.metric(
            "AWS/ECS", "CPUUtilization", d, t, "Percent", stats=(1, cpu, cpu * 0.7, min(100.0, cpu * 1.4))
        )
        self.metric(
            "AWS/ECS",
            "MemoryUtilization",
            d,
            t,
            "Percent",
            stats=(1, mem, mem * 0.95, min(100.0, mem * 1.05)),
        )

    def rds_metrics(
        self, t: datetime, ident: str, cpu: float, conns: float, extra: dict[str, float] | None = None
    ) -> None:
        d = {"DBInstanceIdentifier": ident}
        self.metric("AWS/RDS", "CPUUtilization", d, t, "Percent", cpu)
        self.metric("AWS/RDS", "DatabaseConnections", d, t, "Count", round(conns))
        for k, v in (extra or {}).items():
            unit = "Count/Second" if k.endswith("IOPS") or k.endswith("Throughput") else "Seconds"
            if k == "Deadlocks":
                unit = "Count/Second"
            self.metric("AWS/RDS", k, d, t, unit, v)

    def breach_5xx(self, threshold: float, after: datetime) -> tuple[datetime, list[tuple[datetime, float]]]:
        """When a 3-of-3, 1-minute Sum alarm on target 5xx first fires after `after`, and the three points
        it saw (newest first), from the datapoints actually written."""
        times = sorted(t for t in self.target_5xx if t >= after)
        for t in times:
            pts = [
                (t - timedelta(minutes=k), float(self.target_5xx.get(t - timedelta(minutes=k), 0)))
                for k in range(3)
            ]
            if all(v > threshold for _, v in pts):
                return t + timedelta(minutes=1, seconds=self.rng.randint(5, 40)), pts
        raise ValueError("no breach")

    @staticmethod
    def breach_reason(pts: list[tuple[datetime, float]], threshold: float) -> str:
        shown = ", ".join(f"{v} ({t:%d/%m/%y %H:%M:%S})" for t, v in pts)
        return (
            f"Threshold Crossed: 3 out of the last 3 datapoints [{shown}] were greater than the threshold "
            f"({threshold}) (minimum 3 datapoints for OK -> ALARM transition)."
        )

    # --- alarms --------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        state_time: datetime,
        reason: str,
        *,
        datapoints: int | None = None,
        description: str = "",
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> Rec:
        topic = self.arn("sns", "clinicbook-oncall")
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_time),
            "StateTransitionedTimestamp": iso(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def transition(
        self, name: str, t: datetime, old: str, new: str, reason: str, reason_data: Rec | None = None
    ) -> None:
        new_state: Rec = {"stateValue": new, "stateReason": reason}
        if reason_data:
            new_state["stateReasonData"] = reason_data
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "(previous)"},
            "newState": new_state,
        }
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{self.rng.randint(0, 999):03d}Z",
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def alarm_event(
        self, alarm: Rec, t: datetime, reason: str, reason_data: Rec, previous_reason: str
    ) -> Rec:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": uid(self.rng),
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
                    "reasonData": json.dumps(reason_data, separators=(",", ":")),
                    "timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": previous_reason,
                    "timestamp": (t - timedelta(hours=20))
                    .astimezone(UTC)
                    .strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
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

    # --- output ----------------------------------------------------------------------------------------

    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": REGION,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        records: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def access_line(rng: random.Random, path: str, method: str, status: int) -> str:
    phrases = {
        200: "OK",
        201: "Created",
        204: "No Content",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    ip = f"10.40.{rng.choice([0, 1, 2])}.{rng.randint(4, 250)}"
    return (
        f'INFO:     {ip}:{rng.randint(30000, 60999)} - "{method} {path} HTTP/1.1" {status} {phrases[status]}'
    )


ROUTES = [
    ("GET", "/v1/clinics/{c}/slots?date={d}", 0.46),
    ("GET", "/v1/appointments/me", 0.18),
    ("POST", "/v1/appointments", 0.09),
    ("PATCH", "/v1/appointments/{a}", 0.04),
    ("GET", "/v1/patients/me", 0.11),
    ("GET", "/v1/clinics/{c}", 0.08),
    ("POST", "/v1/auth/login", 0.04),
]


def route(rng: random.Random, day: datetime) -> tuple[str, str]:
    x = rng.random()
    acc = 0.0
    for method, path, w in ROUTES:
        acc += w
        if x <= acc:
            return method, path.format(
                c=rng.randint(101, 388),
                d=(day + timedelta(days=rng.randint(0, 14))).strftime("%Y-%m-%d"),
                a=rng.randint(4_100_000, 4_900_000),
            )
    return "GET", f"/v1/clinics/{rng.randint(101, 388)}"


def api_log_minute(
    ctx: Clinic,
    t: datetime,
    tasks: list[str],
    status_for: Any = None,
    per_task: int = 3,
) -> list[tuple[datetime, str, str, str, int]]:
    """A sample of one minute of booking-api's uvicorn access lines; returns the (time, task, method, path)
    of the requests `status_for` failed, so the caller can add the application's own error lines."""
    failed: list[tuple[datetime, str, str, str, int]] = []
    for task in tasks:
        stream = f"ecs/booking-api/{task}"
        ctx.log(
            "/ecs/booking-api",
            stream,
            t + timedelta(seconds=ctx.rng.randint(0, 14)),
            access_line(ctx.rng, "/healthz", "GET", 200),
        )
        for _ in range(per_task):
            method, path = route(ctx.rng, t)
            at = t + timedelta(seconds=ctx.rng.uniform(0, 59.9))
            status = status_for(method, path, at) if status_for else None
            if status is None:
                status = {"POST": 201, "PATCH": 200}.get(method, 200)
                if ctx.rng.random() < 0.03:
                    status = ctx.rng.choice([400, 401, 404, 409])
            ctx.log("/ecs/booking-api", stream, at, access_line(ctx.rng, path, method, status))
            if status >= 500:
                failed.append((at, task, method, path, status))
    return failed


def reminder_run(ctx: Clinic, t: datetime, batch_for: str, count: int, per_min: int = 380) -> datetime:
    """The Scheduler-started reminder-dispatch task: its RunTask record, its log and its SES sends."""
    task = hexid(ctx.rng, 32)
    ctx.trail(
        t,
        "ecs.amazonaws.com",
        "RunTask",
        "sched",
        {
            "cluster": ctx.cluster_arn,
            "count": 1,
            "launchType": "FARGATE",
            "taskDefinition": ctx.td_arn("reminder-dispatch", ctx.reminder_rev),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ctx.subnets[:2],
                    "securityGroups": [ctx.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "startedBy": "chronos-scheduler",
        },
        {
            "tasks": [
                {
                    "taskArn": ctx.arn("ecs", f"task/{ctx.cluster}/{task}"),
                    "clusterArn": ctx.cluster_arn,
                    "taskDefinitionArn": ctx.td_arn("reminder-dispatch", ctx.reminder_rev),
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "startedBy": "chronos-scheduler",
                    "cpu": "512",
                    "memory": "1024",
                }
            ],
            "failures": [],
        },
    )
    ctx.task_start_trail(t + timedelta(seconds=40), "reminder-dispatch")
    stream = f"ecs/reminder-dispatch/{task}"
    s = t + timedelta(seconds=52)
    ctx.log(
        "/ecs/reminder-dispatch",
        stream,
        s,
        f"{s:%Y-%m-%d %H:%M:%S},{ctx.rng.randint(0, 999):03d} INFO [reminders] starting run batch_for={batch_for} window=24h",
    )
    ctx.log(
        "/ecs/reminder-dispatch",
        stream,
        s + timedelta(seconds=3),
        f"{s:%Y-%m-%d %H:%M:%S},{ctx.rng.randint(0, 999):03d} INFO [reminders] {count} appointments need a reminder (suppressed {ctx.rng.randint(3, 30)} opted-out)",
    )
    dur = max(3, count // per_min)
    sent = 0
    for m in range(dur + 1):
        at = s + timedelta(minutes=m, seconds=10)
        n = count // (dur + 1) if m < dur else count - sent
        sent += n
        ctx.metric("AWS/SES", "Send", {}, at.replace(second=0), "Count", n)
        ctx.metric(
            "AWS/SES", "Delivery", {}, at.replace(second=0), "Count", max(0, n - ctx.rng.randint(1, 6))
        )
        b = ctx.rng.randint(0, 4)
        if b:
            ctx.metric("AWS/SES", "Bounce", {}, at.replace(second=0), "Count", b)
        ctx.log(
            "/ecs/reminder-dispatch",
            stream,
            at,
            f"{at:%Y-%m-%d %H:%M:%S},{ctx.rng.randint(0, 999):03d} INFO [reminders] progress sent={sent}/{count} throttled=0",
        )
    end = s + timedelta(minutes=dur + 1, seconds=20)
    ctx.log(
        "/ecs/reminder-dispatch",
        stream,
        end,
        f"{end:%Y-%m-%d %H:%M:%S},{ctx.rng.randint(0, 999):03d} INFO [reminders] run complete sent={count} failed=0 elapsed={int((end - s).total_seconds())}s",
    )
    return end
