"""Shared helpers for the ride-hailing dispatch incidents (kit zzzzo)."""

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

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident under construction: ids, clock and record lists."""

    def __init__(self, seed: int, salt: str, onset_hour: int, onset_minute: int) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(200000000000, 899999999999))
        self.region = r.choice(["eu-west-1", "eu-central-1"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.onset = day.replace(hour=onset_hour, minute=onset_minute) + timedelta(minutes=r.randint(-9, 9))
        self.start = (self.onset - timedelta(hours=4)).replace(second=0)
        self.now = self.onset + timedelta(minutes=r.randint(38, 55))
        self.end = self.now + timedelta(minutes=5)
        self.records: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources", "events")
        }
        self.cluster = "dispatch-prod"
        self.cluster_arn = f"arn:aws:ecs:{self.region}:{self.account}:cluster/{self.cluster}"
        self.asg = "dispatch-prod-ecs-ondemand"
        self.cp = "dispatch-prod-ondemand-cp"
        self.lb_suffix = f"app/dispatch-alb/{self.hex(16)}"
        self.lb_arn = (
            f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/{self.lb_suffix}"
        )
        self.tg_suffix = f"targetgroup/dispatch-api-tg/{self.hex(16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:{self.tg_suffix}"
        self.vpc = f"vpc-{self.hex(17)}"
        self.subnets = [f"subnet-{self.hex(17)}" for _ in range(3)]
        self.azs = [f"{self.region}{z}" for z in "abc"]
        self.sg_app = f"sg-{self.hex(17)}"
        self.sg_alb = f"sg-{self.hex(17)}"
        self.redis = "driver-geo"
        self.redis_suffix = self.hex(6)
        self.db = "rides-aurora"
        self.db_res = "cluster-" + "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(26)
        )
        self.topic = "trip-events"
        self.ecs_role = f"arn:aws:iam::{self.account}:role/dispatch-api-task"
        self.exec_role = f"arn:aws:iam::{self.account}:role/ecsTaskExecutionRole"
        self.instances: list[str] = [f"i-{self.hex(17)}" for _ in range(r.randint(6, 8))]
        self.api_rev = r.randint(40, 90)
        self.notifier_rev = r.randint(10, 40)
        self.matcher_rev = r.randint(20, 60)
        self.image_tag = f"{r.randint(2025, 2026)}.{r.randint(1, 12)}.{r.randint(1, 30)}-{self.hex(7)}"
        self.people = ["priya.raman", "tomas.lindqvist", "oluwaseun.adebayo", "mei.chen", "jakub.nowak"]

    # --- ids ----------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    def load(self, t: datetime) -> float:
        """Ride demand factor by local hour (peaks at the commute and evening)."""
        h = t.hour + t.minute / 60
        base = 0.35 + 0.45 * math.exp(-(((h - 8.5) / 1.6) ** 2)) + 0.6 * math.exp(-(((h - 18.5) / 2.2) ** 2))
        base += 0.25 * math.exp(-(((h - 13) / 1.5) ** 2))
        if h < 5:
            base *= 0.45
        return base

    # --- records ------------------------------------------------------------------------------------
    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str) -> None:
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 1,
    ) -> None:
        for t in self.minutes(step):
            if t > self.now:
                break
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, v, unit)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.records["resources"].append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.records["events"].append({"source": source, "item": item})

    def user(self, name: str) -> dict[str, Any]:
        role = "AWSReservedSSO_PlatformEngineer_" + "3f9a1c2b7d4e6a80"
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.account[:6].upper()}XQ7ZKD2:{name}@ridego.io",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{name}@ridego.io",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.account[:6].upper()}XQ7ZKD2",
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def role_identity(self, role: str, session: str) -> dict[str, Any]:
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hex(8).upper()}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.hex(8).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None,
        read_only: bool,
        agent: str = "aws-cli/2.17.21 Python/3.11.9",
        error: tuple[str, str] | None = None,
    ) -> str:
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if identity.get("type") == "AssumedRole" else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": identity.get("invokedBy", f"203.0.113.{self.rng.randint(2, 250)}"),
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if identity.get("type") == "AWSService":
            rec["sourceIPAddress"] = identity["invokedBy"]
            rec["userAgent"] = identity["invokedBy"]
        self.records["cloudtrail"].append(rec)
        return eid

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
        changed: datetime,
        reason: str,
        desc: str,
        missing: str = "missing",
        datapoints: int | None = None,
    ) -> dict[str, Any]:
        a = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=41)),
            "ActionsEnabled": True,
            "OKActions": [f"arn:aws:sns:{self.region}:{self.account}:oncall-dispatch"],
            "AlarmActions": [f"arn:aws:sns:{self.region}:{self.account}:oncall-dispatch"],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(changed),
            "StateTransitionedTimestamp": iso(changed),
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
        }
        self.records["alarms"].append(a)
        return a

    def history(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.records["alarm_history"].append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(self, alarm: dict[str, Any], t: datetime, reason: str, old: str = "OK") -> dict[str, Any]:
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso(t).replace("Z", ".000+0000")},
                "previousState": {"value": old, "reason": "Threshold Crossed", "timestamp": iso(self.start)},
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

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        for k in ("cloudtrail", "logs", "events"):
            if k == "logs":
                self.records[k].sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
            elif k == "cloudtrail":
                self.records[k].sort(key=lambda r: r["eventTime"])
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in self.records.items() if v})


Hook = Callable[[datetime, float], float | None]


def _same(_t: datetime, v: float) -> float | None:
    return v


def _bind(f: Callable[..., float | None], *args: Any) -> Callable[[datetime], float | None]:
    return lambda t: f(t, *args)


def base(
    ctx: Ctx,
    hooks: dict[str, Hook] | None = None,
    api_memory: int = 2048,
    api_desired: int = 12,
    asg_max: int = 14,
) -> None:
    """The dispatch platform at rest: resources, routine CloudTrail, baseline metrics and alarms."""
    h: dict[str, Hook] = dict(hooks or {})

    def hk(name: str) -> Hook:
        return h.get(name, _same)

    r = ctx.rng
    c = ctx
    arn = f"arn:aws:ecs:{c.region}:{c.account}"
    c.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": c.cluster_arn,
            "clusterName": c.cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": len(c.instances),
            "runningTasksCount": api_desired + 10,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "capacityProviders": [c.cp],
            "defaultCapacityProviderStrategy": [{"capacityProvider": c.cp, "weight": 1, "base": 0}],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    for svc, rev, desired, port in (
        ("dispatch-api", c.api_rev, api_desired, 8080),
        ("ride-matcher", c.matcher_rev, 6, 0),
        ("trip-notifier", c.notifier_rev, 4, 0),
    ):
        item: dict[str, Any] = {
            "serviceArn": f"{arn}:service/{c.cluster}/{svc}",
            "serviceName": svc,
            "clusterArn": c.cluster_arn,
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": desired,
            "pendingCount": 0,
            "taskDefinition": f"{arn}:task-definition/{svc}:{rev}",
            "capacityProviderStrategy": [{"capacityProvider": c.cp, "weight": 1, "base": 0}],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "placementStrategy": [
                {"type": "spread", "field": "attribute:ecs.availability-zone"},
                {"type": "binpack", "field": "memory"},
            ],
            "schedulingStrategy": "REPLICA",
            "createdAt": iso(c.start - timedelta(days=400)),
        }
        if port:
            item["loadBalancers"] = [
                {"targetGroupArn": c.tg_arn, "containerName": svc, "containerPort": port}
            ]
            item["healthCheckGracePeriodSeconds"] = 60
        c.resource("ecs", "Service", item)
    c.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"{arn}:task-definition/dispatch-api:{c.api_rev}",
            "family": "dispatch-api",
            "revision": c.api_rev,
            "taskRoleArn": c.ecs_role,
            "executionRoleArn": c.exec_role,
            "networkMode": "bridge",
            "status": "ACTIVE",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": "dispatch-api",
                    "image": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/dispatch-api:{c.image_tag}",
                    "cpu": 1024,
                    "memory": api_memory,
                    "memoryReservation": 1024,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                    "environment": [
                        {
                            "name": "GEO_REDIS_HOST",
                            "value": f"master.{c.redis}.{c.redis_suffix}.cache.amazonaws.com",
                        },
                        {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/dispatch-api",
                            "awslogs-region": c.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
            "registeredAt": iso(c.start - timedelta(days=r.randint(3, 9))),
        },
    )
    c.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": c.lb_arn,
            "DNSName": f"dispatch-alb-{r.randint(100000000, 999999999)}.{c.region}.elb.amazonaws.com",
            "CreatedTime": iso(c.start - timedelta(days=500)),
            "LoadBalancerName": "dispatch-alb",
            "Scheme": "internet-facing",
            "VpcId": c.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": z, "SubnetId": s} for z, s in zip(c.azs, c.subnets, strict=True)
            ],
            "SecurityGroups": [c.sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    c.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": c.tg_arn,
            "TargetGroupName": "dispatch-api-tg",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": c.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [c.lb_arn],
            "TargetType": "instance",
        },
    )
    c.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": c.redis,
            "Description": "driver positions geo index (GEOADD/GEOSEARCH)",
            "Status": "available",
            "MemberClusters": [f"{c.redis}-001", f"{c.redis}-002"],
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": f"master.{c.redis}.{c.redis_suffix}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "ReaderEndpoint": {
                        "Address": f"replica.{c.redis}.{c.redis_suffix}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": f"{c.redis}-00{i + 1}",
                            "CacheNodeId": "0001",
                            "PreferredAvailabilityZone": c.azs[i],
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i in range(2)
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r6g.large",
            "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": False,
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "03:00-04:00",
        },
    )
    for i in range(2):
        c.resource(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": f"{c.redis}-00{i + 1}",
                "CacheNodeType": "cache.r6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": c.azs[i],
                "CacheClusterCreateTime": iso(c.start - timedelta(days=300)),
                "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                },
                "CacheSubnetGroupName": "dispatch-cache",
                "ReplicationGroupId": c.redis,
                "SecurityGroups": [{"SecurityGroupId": c.sg_app, "Status": "active"}],
            },
        )
    c.resource(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": c.db,
            "DBClusterArn": f"arn:aws:rds:{c.region}:{c.account}:cluster:{c.db}",
            "Status": "available",
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.6",
            "Endpoint": f"{c.db}.cluster-{c.hex(12)}.{c.region}.rds.amazonaws.com",
            "Port": 5432,
            "MultiAZ": True,
            "DbClusterResourceId": c.db_res,
            "DBClusterMembers": [
                {"DBInstanceIdentifier": f"{c.db}-1", "IsClusterWriter": True, "PromotionTier": 1},
                {"DBInstanceIdentifier": f"{c.db}-2", "IsClusterWriter": False, "PromotionTier": 1},
            ],
            "AvailabilityZones": c.azs,
        },
    )
    for i in range(2):
        c.resource(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": f"{c.db}-{i + 1}",
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": c.db,
                "AvailabilityZone": c.azs[i],
                "PerformanceInsightsEnabled": True,
            },
        )
    c.resource(
        "sns",
        "Topic",
        {
            "TopicArn": f"arn:aws:sns:{c.region}:{c.account}:{c.topic}",
            "Attributes": {
                "TopicArn": f"arn:aws:sns:{c.region}:{c.account}:{c.topic}",
                "DisplayName": "",
                "Owner": c.account,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
            },
        },
    )
    c.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": c.asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup:{c.uid()}"
            f":autoScalingGroupName/{c.asg}",
            "LaunchTemplate": {"LaunchTemplateName": "dispatch-ecs-node", "Version": "$Latest"},
            "MinSize": 3,
            "MaxSize": asg_max,
            "DesiredCapacity": len(c.instances),
            "DefaultCooldown": 300,
            "AvailabilityZones": c.azs,
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "c6i.2xlarge",
                    "AvailabilityZone": c.azs[n % 3],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {"LaunchTemplateName": "dispatch-ecs-node", "Version": "7"},
                    "ProtectedFromScaleIn": True,
                }
                for n, iid in enumerate(c.instances)
            ],
            "CreatedTime": iso(c.start - timedelta(days=420)),
            "VPCZoneIdentifier": ",".join(c.subnets),
            "NewInstancesProtectedFromScaleIn": True,
            "Tags": [
                {
                    "ResourceId": c.asg,
                    "ResourceType": "auto-scaling-group",
                    "Key": "AmazonECSManaged",
                    "Value": "",
                    "PropagateAtLaunch": True,
                }
            ],
        },
    )
    for n, iid in enumerate(c.instances):
        c.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "InstanceType": "c6i.2xlarge",
                "ImageId": f"ami-{c.hex(17)}",
                "LaunchTime": iso(c.start - timedelta(hours=r.randint(20, 400))),
                "Placement": {"AvailabilityZone": c.azs[n % 3]},
                "PrivateIpAddress": f"10.40.{n % 3 * 16 + 1}.{r.randint(10, 250)}",
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": c.subnets[n % 3],
                "VpcId": c.vpc,
                "SecurityGroups": [{"GroupName": "dispatch-ecs-nodes", "GroupId": c.sg_app}],
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": c.asg},
                    {"Key": "Name", "Value": "dispatch-prod-ecs"},
                ],
            },
        )
        c.resource(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": c.azs[n % 3],
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )

    # --- routine CloudTrail -------------------------------------------------------------------------
    mon = c.role_identity("DatadogIntegrationRole", "datadog-aws-integration")
    dd_agent = "aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)"
    t = c.start + timedelta(minutes=r.randint(1, 6))
    while t < c.now:
        kind = r.randrange(5)
        if kind == 0:
            c.ct(t, "ecs.amazonaws.com", "ListClusters", mon, None, None, True, dd_agent)
        elif kind == 1:
            c.ct(
                t,
                "elasticloadbalancing.amazonaws.com",
                "DescribeLoadBalancers",
                mon,
                {"pageSize": 400},
                None,
                True,
                dd_agent,
            )
        elif kind == 2:
            c.ct(t, "rds.amazonaws.com", "DescribeDBInstances", mon, None, None, True, dd_agent)
        elif kind == 3:
            c.ct(
                t,
                "elasticache.amazonaws.com",
                "DescribeCacheClusters",
                mon,
                {"showCacheNodeInfo": True},
                None,
                True,
                dd_agent,
            )
        else:
            c.ct(
                t,
                "ec2.amazonaws.com",
                "DescribeInstances",
                mon,
                {"instancesSet": {}, "filterSet": {}},
                None,
                True,
                dd_agent,
            )
        t += timedelta(minutes=r.randint(5, 11), seconds=r.randint(0, 59))
    # an innocent trip-notifier deploy shortly before the onset
    td = c.onset - timedelta(minutes=r.randint(25, 50))
    dev = c.user(r.choice(c.people))
    gha = c.role_identity("github-actions-deploy", "GitHubActions")
    c.ct(
        td - timedelta(seconds=40),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {"family": "trip-notifier", "networkMode": "bridge", "requiresCompatibilities": ["EC2"]},
        {
            "taskDefinition": {
                "taskDefinitionArn": f"{arn}:task-definition/trip-notifier:{c.notifier_rev + 1}",
                "family": "trip-notifier",
                "revision": c.notifier_rev + 1,
                "status": "ACTIVE",
            }
        },
        False,
        "aws-sdk-js/3.637.0",
    )
    c.ct(
        td,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": c.cluster,
            "service": "trip-notifier",
            "taskDefinition": f"trip-notifier:{c.notifier_rev + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "trip-notifier",
                "status": "ACTIVE",
                "desiredCount": 4,
                "taskDefinition": f"{arn}:task-definition/trip-notifier:{c.notifier_rev + 1}",
            }
        },
        False,
        "aws-sdk-js/3.637.0",
    )
    c.event(
        "ecs",
        {
            "service_arn": f"{arn}:service/{c.cluster}/trip-notifier",
            "event": {
                "id": c.uid(),
                "createdAt": iso(td + timedelta(minutes=4)),
                "message": "(service trip-notifier) has reached a steady state.",
            },
        },
    )
    # a dashboard tweak and an alarm edit by a person, earlier
    c.ct(
        c.start + timedelta(minutes=r.randint(30, 90)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        dev,
        {"dashboardName": "dispatch-overview"},
        {"dashboardValidationMessages": []},
        False,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    )
    c.ct(
        c.start + timedelta(minutes=r.randint(100, 160)),
        "ssm.amazonaws.com",
        "GetParameters",
        c.role_identity("ecsTaskExecutionRole", c.hex(32)),
        {"names": ["/dispatch/prod/maps-api-key"], "withDecryption": True},
        None,
        True,
        "aws-sdk-go/1.44.0 (go1.21.8; linux; amd64) amazon-ecs-agent/1.86.3",
    )

    # --- baseline metrics ---------------------------------------------------------------------------
    lb = {"LoadBalancer": c.lb_suffix}
    tgd = {"TargetGroup": c.tg_suffix, "LoadBalancer": c.lb_suffix}
    peak = r.uniform(5200, 7800)
    jit = c.rng

    def rc(t: datetime) -> float:
        return peak * c.load(t) * jit.uniform(0.95, 1.05)

    req = {t: rc(t) for t in c.minutes()}
    c.series(
        "AWS/ApplicationELB", "RequestCount", lb, "Count", lambda t: hk("alb_requests")(t, round(req[t]))
    )
    c.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Seconds",
        lambda t: hk("alb_latency")(t, jit.uniform(0.045, 0.07) + 0.02 * c.load(t)),
    )

    def five(t: datetime) -> float | None:
        base_v = float(jit.choice([0, 0, 1, 1, 2, 3]))
        v = hk("alb_5xx")(t, base_v)
        return v if v else None

    c.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Count", five)

    def elb5(t: datetime) -> float | None:
        v = hk("elb_5xx")(t, float(jit.choice([0] * 12 + [1])))
        return v if v else None

    c.series("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Count", elb5)
    c.series(
        "AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: hk("healthy")(t, float(api_desired))
    )
    c.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: hk("unhealthy")(t, 0.0))
    for svc, cpu0, mem0 in (
        ("dispatch-api", 38.0, 54.0),
        ("ride-matcher", 27.0, 41.0),
        ("trip-notifier", 9.0, 33.0),
    ):
        dims = {"ClusterName": c.cluster, "ServiceName": svc}
        c.series(
            "AWS/ECS",
            "CPUUtilization",
            dims,
            "Percent",
            _bind(lambda t, s, v0: hk(f"{s}_cpu")(t, v0 * c.load(t) * jit.uniform(0.9, 1.1) + 4), svc, cpu0),
            step=1,
        )
        c.series(
            "AWS/ECS",
            "MemoryUtilization",
            dims,
            "Percent",
            _bind(lambda t, s, v0: hk(f"{s}_mem")(t, v0 + jit.uniform(-1.5, 1.5)), svc, mem0),
            step=1,
        )
    c.series(
        "AWS/ECS",
        "CPUReservation",
        {"ClusterName": c.cluster},
        "Percent",
        lambda t: hk("cpu_reservation")(t, 61.0 + jit.uniform(-0.5, 0.5)),
    )
    c.series(
        "AWS/ECS/ManagedScaling",
        "CapacityProviderReservation",
        {"CapacityProviderName": c.cp, "ClusterName": c.cluster},
        "Percent",
        lambda t: hk("cp_reservation")(t, 100.0),
    )
    for i in range(2):
        dims = {"CacheClusterId": f"{c.redis}-00{i + 1}", "CacheNodeId": "0001"}
        prim = i == 0
        c.series(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            dims,
            "Percent",
            _bind(
                lambda t, p, d: hk(f"redis{d}_cpu")(t, (21 if p else 6) * c.load(t) + jit.uniform(0, 2)),
                prim,
                i,
            ),
        )
        c.series(
            "AWS/ElastiCache",
            "CurrConnections",
            dims,
            "Count",
            _bind(
                lambda t, p, d: hk(f"redis{d}_conn")(t, float((api_desired * 8 + 40) if p else 14)), prim, i
            ),
        )
        c.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            dims,
            "Percent",
            _bind(lambda t, d: hk(f"redis{d}_mem")(t, 31.0 + jit.uniform(-0.3, 0.3)), i),
        )
        c.series(
            "AWS/ElastiCache",
            "IsMaster",
            dims,
            "Count",
            _bind(lambda t, p, d: hk(f"redis{d}_master")(t, 1.0 if p else 0.0), prim, i),
        )
        c.series(
            "AWS/ElastiCache",
            "GeoSpatialBasedCmds",
            dims,
            "Count",
            _bind(lambda t, p, d: hk(f"redis{d}_geo")(t, rc(t) * (5.1 if p else 0.0)), prim, i),
        )
        c.series(
            "AWS/ElastiCache",
            "ReplicationLag",
            dims,
            "Seconds",
            _bind(lambda t, p: None if p else jit.uniform(0.0, 0.02), prim),
        )
    for i in range(2):
        dims = {"DBInstanceIdentifier": f"{c.db}-{i + 1}"}
        c.series(
            "AWS/RDS",
            "CPUUtilization",
            dims,
            "Percent",
            _bind(
                lambda t, d: hk(f"db{d}_cpu")(t, (24 if d == 0 else 12) * c.load(t) + jit.uniform(2, 5)), i
            ),
        )
        c.series(
            "AWS/RDS",
            "DatabaseConnections",
            dims,
            "Count",
            _bind(lambda t, d: hk(f"db{d}_conn")(t, float(api_desired * 10 + 60 if d == 0 else 48)), i),
        )
    pdims = {"Application": "ridego-driver-fcm", "Platform": "GCM"}
    c.series(
        "AWS/SNS",
        "NumberOfNotificationsDelivered",
        pdims,
        "Count",
        lambda t: hk("push_ok")(t, round(rc(t) * 0.3)),
    )

    def pfail(t: datetime) -> float | None:
        v = hk("push_failed")(t, float(jit.choice([0, 0, 0, 1, 2])))
        return v if v else None

    c.series("AWS/SNS", "NumberOfNotificationsFailed", pdims, "Count", pfail)


ZONES = {
    "eu-west-1": "Europe/Dublin",
    "eu-central-1": "Europe/Berlin",
    "us-east-1": "America/New_York",
    "us-west-2": "America/Los_Angeles",
    "ap-southeast-1": "Asia/Singapore",
}


def local_clock(ctx: Ctx, t: datetime) -> str:
    from zoneinfo import ZoneInfo

    lt = t.astimezone(ZoneInfo(ZONES[ctx.region]))
    hour = lt.hour % 12 or 12
    return f"{hour}:{lt.minute:02d}{'am' if lt.hour < 12 else 'pm'}"


def task_id(ctx: Ctx) -> str:
    return ctx.hex(32)


def api_request_logs(ctx: Ctx, task: str, frm: datetime, to: datetime, every: int = 90) -> None:
    """Routine Spring Boot access-ish lines from one dispatch-api task."""
    r = ctx.rng
    t = frm
    stream = f"ecs/dispatch-api/{task}"
    while t < to and t <= ctx.now:
        kind = r.randrange(10)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
        thread = f"http-nio-8080-exec-{r.randint(1, 64)}"
        if kind < 6:
            msg = (
                f"{stamp}  INFO 1 --- [{thread}] c.r.dispatch.offer.OfferService       : offer sent "
                f"ride={ctx.hex(12)} drivers={r.randint(1, 6)} radiusM={r.choice([800, 1500, 3000])} "
                f"tookMs={r.randint(9, 60)}"
            )
        elif kind < 9:
            msg = (
                f"{stamp}  INFO 1 --- [{thread}] c.r.dispatch.geo.DriverIndex          : GEOSEARCH "
                f"cell={r.randint(1000, 9999)} hits={r.randint(0, 40)} tookMs={r.randint(1, 6)}"
            )
        else:
            msg = (
                f"{stamp}  WARN 1 --- [{thread}] c.r.dispatch.offer.OfferService       : no driver accepted "
                f"ride={ctx.hex(12)} within 20s, widening radius"
            )
        ctx.log("/ecs/dispatch-api", stream, t, msg)
        t += timedelta(seconds=r.randint(every // 2, every * 3 // 2))


def api_startup_logs(ctx: Ctx, task: str, t: datetime) -> datetime:
    stream = f"ecs/dispatch-api/{task}"
    lines = [
        "\n  .   ____          _            __ _ _\n :: Spring Boot ::                (v3.3.4)\n",
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.201Z  INFO 1 --- [           main] c.r.dispatch.DispatchApiApplication"
        f"      : Starting DispatchApiApplication v{ctx.image_tag} using Java 21.0.4 with PID 1",
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.944Z  INFO 1 --- [           main] io.lettuce.core.EpollProvider"
        "            : Starting without optional epoll library",
    ]
    for line in lines:
        ctx.log("/ecs/dispatch-api", stream, t, line)
    t2 = t + timedelta(seconds=ctx.rng.randint(9, 14))
    ctx.log(
        "/ecs/dispatch-api",
        stream,
        t2,
        f"{t2.strftime('%Y-%m-%dT%H:%M:%S')}.517Z  INFO 1 --- [           main] c.r.dispatch.DispatchApiApplication"
        f"      : Started DispatchApiApplication in {ctx.rng.uniform(9, 14):.3f} seconds (process running for 15.2)",
    )
    return t2
