"""Private helpers for kit zzzzi: a Fargate microservice account (Cloud Map, internal NLB, Aurora MySQL)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    def __init__(self, seed: int, salt: str, region: str = "eu-west-1") -> None:
        self.rnd = random.Random(f"{salt}:{seed}")
        r = self.rnd
        self.region = region
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        self.ct: list[Json] = []
        self.metrics: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.logs: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[tuple[datetime, Json]] = []
        self.sso = f"AWSReservedSSO_PlatformEngineer_{self.hexid(16)}"
        self.sso_ro = f"AWSReservedSSO_ReadOnly_{self.hexid(16)}"
        self.vpc = "vpc-" + self.hexid(17)
        self.subnets = ["subnet-" + self.hexid(17) for _ in range(3)]
        self.azs = [f"{region}a", f"{region}b", f"{region}c"]
        self.cidr_second = r.choice([20, 40, 64, 96])

    # ids --------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rnd.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        h = self.hexid(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def ip(self, az: int = -1) -> str:
        a = az if az >= 0 else self.rnd.randint(0, 2)
        return f"10.{self.cidr_second}.{(a + 1) * 16 + self.rnd.randint(0, 11)}.{self.rnd.randint(4, 250)}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # identities -------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, *, invoked_by: str | None = None) -> Json:
        rid = "AROA" + self.hexid(17).upper()
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexid(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def human(self, who: str) -> Json:
        return self.role_identity(self.sso, who)

    # cloudtrail -------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Json,
        params: Json | None,
        resp: Json | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        event_type: str = "AwsApiCall",
        extra: Json | None = None,
    ) -> str:
        eid = self.uid()
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rnd.randint(2, 50))
            )
        svc_ip = ident.get("invokedBy")
        rec: Json = {
            "eventVersion": "1.09" if event_type == "AwsApiCall" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": svc_ip or ip or f"203.0.113.{self.rnd.randint(10, 200)}",
            "userAgent": svc_ip or agent,
            "requestParameters": params,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": event_type,
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        if not svc_ip:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        self.ct.append(rec)
        return eid

    def tooling_reads(
        self, start: datetime, end: datetime, n: int, extra: list[tuple[str, str, Json]]
    ) -> None:
        """Read-only calls from monitoring and console sessions, spread over the window."""
        pool: list[tuple[str, str, Json]] = [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": "shop-prod", "services": ["orders-api"]}),
            ("ecs.amazonaws.com", "ListServices", {"cluster": "shop-prod", "maxResults": 100}),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": "shop-prod", "desiredStatus": "RUNNING"}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "filterSet": {}}),
            ("rds.amazonaws.com", "DescribeDBInstances", {}),
            ("rds.amazonaws.com", "DescribeDBClusters", {}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {}),
            ("servicediscovery.amazonaws.com", "ListServices", {"maxResults": 100}),
            ("servicediscovery.amazonaws.com", "ListNamespaces", {}),
            ("secretsmanager.amazonaws.com", "ListSecrets", {"maxResults": 100}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
            ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            *extra,
        ]
        monitor = self.role_identity("DatadogAWSIntegrationRole", f"DatadogAWSIntegration-{self.hexid(8)}")
        monitor["sessionContext"]["sessionIssuer"]["accountId"] = self.account
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rnd.uniform(0, span))
            src, name, params = self.rnd.choice(pool)
            if self.rnd.random() < 0.7:
                ident, agent, ip = monitor, "Datadog/1.0 boto3/1.34.51", "3.233.146.12"
            else:
                ident = self.role_identity(self.sso_ro, self.rnd.choice(["m.okafor", "l.berg", "s.ito"]))
                agent, ip = "console.amazonaws.com", None
            self.trail(t, src, name, ident, params, None, read_only=True, agent=agent, ip=ip)

    # metrics ----------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[..., float | None],
        period: int = 60,
        digits: int = 2,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(v, digits),
                    }
                )
            t += timedelta(seconds=period)

    def noise(self, base: float, pct: float) -> float:
        return base * (1 + self.rnd.uniform(-pct, pct))

    @staticmethod
    def diurnal(t: datetime, peak_hour: float = 19.0, depth: float = 0.35) -> float:
        h = t.hour + t.minute / 60
        return 1 - depth * (1 - math.cos((h - peak_hour) / 24 * 2 * math.pi)) / 2

    # alarms -----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        desc: str,
        state: str,
        reason: str,
        updated: datetime,
        configured: datetime,
        to_alarm: int | None = None,
        missing: str = "missing",
        topic: str = "shop-prod-oncall",
    ) -> Json:
        topic_arn = self.arn("sns", topic)
        a: Json = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(configured),
            "ActionsEnabled": True,
            "OKActions": [topic_arn],
            "AlarmActions": [topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(updated),
            "StateTransitionedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(a)
        return a

    def transition(self, alarm: Json, t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{t.microsecond // 1000:03d}Z",
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(self, alarm: Json, t: datetime, prev_t: datetime, reason: str, prev_reason: str) -> Json:
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso(t)},
                "previousState": {"value": "OK", "reason": prev_reason, "timestamp": iso(prev_t)},
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hexid(8),
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

    # logs, resources, events ------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    def res(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def ecs_event(self, service_arn: str, t: datetime, message: str) -> None:
        event = {"id": self.uid(), "createdAt": iso(t), "message": message}
        self.events.append((t, {"source": "ecs", "item": {"service_arn": service_arn, "event": event}}))

    def event(self, t: datetime, source: str, item: Json) -> None:
        self.events.append((t, {"source": source, "item": item}))

    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        question: str | None,
        timezone: str | None,
        alarm_event: Json | None,
        truth: Json,
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        self.ct.sort(key=lambda r: str(r["eventTime"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: str(r["Timestamp"]))
        self.events.sort(key=lambda e: e[0])
        cut = iso(now)
        return Bundle(
            manifest,
            {
                "cloudtrail": [r for r in self.ct if r["eventTime"] <= cut],
                "metrics": [m for m in self.metrics if m["timestamp"] <= cut],
                "alarms": self.alarms,
                "alarm_history": [h for h in self.history if h["Timestamp"] <= cut],
                "logs": [x for x in self.logs if x["timestamp"] <= ms(now)],
                "resources": self.resources,
                "events": [e for t, e in self.events if t <= now],
            },
        )


class Svc:
    def __init__(self, name: str, desired: int, rev: int, *, port: int = 8080, nlb: bool = False) -> None:
        self.name, self.desired, self.rev, self.port, self.nlb = name, desired, rev, port, nlb
        self.arn = ""
        self.tg_arn = ""
        self.tg_dim = ""
        self.td = ""
        self.running = desired
        self.sd_id = ""


class Topo:
    """The account's shared shape: one Fargate cluster, Cloud Map, an internal NLB, Aurora MySQL."""

    def __init__(self, k: Kit, built: datetime, services: list[Svc]) -> None:
        self.k = k
        r = k.rnd
        self.cluster = "shop-prod"
        self.cluster_arn = k.arn("ecs", f"cluster/{self.cluster}")
        self.services = {s.name: s for s in services}
        self.task_sg = "sg-" + k.hexid(17)
        self.nlb_sg = "sg-" + k.hexid(17)
        self.vpce_sg = "sg-" + k.hexid(17)
        self.db_sg = "sg-" + k.hexid(17)
        self.batch_sg = "sg-" + k.hexid(17)
        self.ns_id = "ns-" + k.hexid(16)
        self.ns_name = "svc.shop.internal"
        self.nlb_name = "shop-int-nlb"
        nlb_hex = k.hexid(16)
        self.nlb_arn = k.arn("elasticloadbalancing", f"loadbalancer/net/{self.nlb_name}/{nlb_hex}")
        self.nlb_dim = f"net/{self.nlb_name}/{nlb_hex}"
        self.db_cluster = "shop-aurora"
        self.writer = "shop-aurora-instance-1"
        self.reader = "shop-aurora-instance-2"
        self.secret_name = "prod/shop/aurora-app"
        self.secret_arn = k.arn("secretsmanager", f"secret:{self.secret_name}-{k.hexid(6)[:6]}")
        self.vpce: dict[str, str] = {}
        self.exec_role = "shop-prod-ecs-task-execution"
        created = built - timedelta(days=r.randint(200, 500))
        self.created = created
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": self.cluster_arn,
                "clusterName": self.cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": sum(s.desired for s in services),
                "pendingTasksCount": 0,
                "activeServicesCount": len(services),
                "settings": [{"name": "containerInsights", "value": "enabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [],
            },
        )
        k.res(
            "servicediscovery",
            "NamespaceSummary",
            {
                "Id": self.ns_id,
                "Arn": k.arn("servicediscovery", f"namespace/{self.ns_id}"),
                "Name": self.ns_name,
                "Type": "DNS_PRIVATE",
                "ServiceCount": len(services),
                "Properties": {"DnsProperties": {"HostedZoneId": "Z0" + k.hexid(18).upper()}},
                "CreateDate": iso(created),
            },
        )
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.nlb_arn,
                "DNSName": f"{self.nlb_name}-{nlb_hex}.elb.{k.region}.amazonaws.com",
                "CanonicalHostedZoneId": "Z2IFOLAFXWLO4F",
                "CreatedTime": iso(created),
                "LoadBalancerName": self.nlb_name,
                "Scheme": "internal",
                "VpcId": k.vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s, "LoadBalancerAddresses": []}
                    for z, s in zip(k.azs, k.subnets, strict=True)
                ],
                "SecurityGroups": [self.nlb_sg],
                "IpAddressType": "ipv4",
            },
        )
        for s in services:
            s.arn = k.arn("ecs", f"service/{self.cluster}/{s.name}")
            s.td = k.arn("ecs", f"task-definition/{s.name}:{s.rev}")
            s.sd_id = "srv-" + k.hexid(16)
            k.res(
                "servicediscovery",
                "ServiceSummary",
                {
                    "Id": s.sd_id,
                    "Arn": k.arn("servicediscovery", f"service/{s.sd_id}"),
                    "Name": s.name.split("-")[0],
                    "Type": "DNS_HTTP",
                    "InstanceCount": s.desired,
                    "DnsConfig": {
                        "RoutingPolicy": "MULTIVALUE",
                        "DnsRecords": [{"Type": "A", "TTL": 10}],
                    },
                    "HealthCheckCustomConfig": {"FailureThreshold": 1},
                    "CreateDate": iso(created + timedelta(hours=r.randint(1, 900))),
                },
            )
            if s.nlb:
                tg_hex = k.hexid(16)
                s.tg_arn = k.arn("elasticloadbalancing", f"targetgroup/{s.name}/{tg_hex}")
                s.tg_dim = f"targetgroup/{s.name}/{tg_hex}"
                k.res(
                    "elbv2",
                    "TargetGroup",
                    {
                        "TargetGroupArn": s.tg_arn,
                        "TargetGroupName": s.name,
                        "Protocol": "TCP",
                        "Port": s.port,
                        "VpcId": k.vpc,
                        "HealthCheckProtocol": "HTTP",
                        "HealthCheckPort": "traffic-port",
                        "HealthCheckEnabled": True,
                        "HealthCheckIntervalSeconds": 10,
                        "HealthCheckTimeoutSeconds": 6,
                        "HealthyThresholdCount": 3,
                        "UnhealthyThresholdCount": 3,
                        "HealthCheckPath": "/healthz",
                        "Matcher": {"HttpCode": "200-399"},
                        "LoadBalancerArns": [self.nlb_arn],
                        "TargetType": "ip",
                        "IpAddressType": "ipv4",
                    },
                )
            k.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": f"/ecs/shop-prod/{s.name}",
                    "creationTime": ms(created),
                    "retentionInDays": 30,
                    "metricFilterCount": 0,
                    "arn": k.arn("logs", f"log-group:/ecs/shop-prod/{s.name}:*"),
                    "storedBytes": r.randint(10**9, 9 * 10**10),
                },
            )

    def service_item(self, s: Svc, deployments: list[Json] | None = None, running: int | None = None) -> Json:
        k = self.k
        dep_time = self.created + timedelta(days=k.rnd.randint(100, 190))
        item: Json = {
            "serviceArn": s.arn,
            "serviceName": s.name,
            "clusterArn": self.cluster_arn,
            "loadBalancers": (
                [{"targetGroupArn": s.tg_arn, "containerName": s.name, "containerPort": s.port}]
                if s.nlb
                else []
            ),
            "serviceRegistries": [{"registryArn": k.arn("servicediscovery", f"service/{s.sd_id}")}],
            "status": "ACTIVE",
            "desiredCount": s.desired,
            "runningCount": s.running if running is None else running,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": s.td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": deployments
            or [
                {
                    "id": "ecs-svc/" + "".join(str(k.rnd.randint(0, 9)) for _ in range(19)),
                    "status": "PRIMARY",
                    "taskDefinition": s.td,
                    "desiredCount": s.desired,
                    "pendingCount": 0,
                    "runningCount": s.running if running is None else running,
                    "failedTasks": 0,
                    "createdAt": iso(dep_time),
                    "updatedAt": iso(dep_time + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "createdAt": iso(self.created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": list(k.subnets),
                    "securityGroups": [self.task_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60 if s.nlb else 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        }
        return item

    def aurora(self, instance_class: str = "db.r6g.large") -> None:
        k = self.k
        members = [
            {
                "DBInstanceIdentifier": self.writer,
                "IsClusterWriter": True,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
            {
                "DBInstanceIdentifier": self.reader,
                "IsClusterWriter": False,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
        ]
        rid = k.hexid(26).upper()
        k.res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": self.db_cluster,
                "DBClusterArn": k.arn("rds", f"cluster:{self.db_cluster}"),
                "Status": "available",
                "Engine": "aurora-mysql",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "EngineMode": "provisioned",
                "Endpoint": f"{self.db_cluster}.cluster-{rid[:12].lower()}.{k.region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{self.db_cluster}.cluster-ro-{rid[:12].lower()}.{k.region}.rds.amazonaws.com",
                "Port": 3306,
                "MasterUsername": "admin",
                "MultiAZ": True,
                "DBClusterMembers": members,
                "DBClusterParameterGroup": "shop-aurora-mysql80",
                "DBSubnetGroup": "shop-prod-db",
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.db_sg, "Status": "active"}],
                "StorageEncrypted": True,
                "DbClusterResourceId": "cluster-" + rid,
                "ClusterCreateTime": iso(self.created),
                "AvailabilityZones": list(k.azs),
                "BackupRetentionPeriod": 7,
                "PreferredBackupWindow": "02:10-02:40",
                "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
            },
        )
        for i, ident in enumerate([self.writer, self.reader]):
            k.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": ident,
                    "DBInstanceClass": instance_class,
                    "Engine": "aurora-mysql",
                    "EngineVersion": "8.0.mysql_aurora.3.05.2",
                    "DBInstanceStatus": "available",
                    "Endpoint": {
                        "Address": f"{ident}.{rid[:12].lower()}.{k.region}.rds.amazonaws.com",
                        "Port": 3306,
                    },
                    "DBClusterIdentifier": self.db_cluster,
                    "AvailabilityZone": k.azs[i],
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                    ],
                    "PubliclyAccessible": False,
                    "PerformanceInsightsEnabled": False,
                    "MonitoringInterval": 0,
                    "InstanceCreateTime": iso(self.created),
                    "DbiResourceId": "db-" + k.hexid(26).upper(),
                    "PromotionTier": 1,
                },
            )

    def secret(self, last_rotated: datetime, rotation: bool = True) -> None:
        k = self.k
        item: Json = {
            "ARN": self.secret_arn,
            "Name": self.secret_name,
            "Description": "Aurora MySQL credentials for shop-prod application services",
            "KmsKeyId": k.arn("kms", f"key/{k.uid()}"),
            "RotationEnabled": rotation,
            "LastRotatedDate": iso(last_rotated),
            "LastChangedDate": iso(last_rotated),
            "LastAccessedDate": iso(last_rotated.replace(hour=0, minute=0, second=0)),
            "Tags": [{"Key": "team", "Value": "platform"}],
            "SecretVersionsToStages": {k.uid(): ["AWSCURRENT"], k.uid(): ["AWSPREVIOUS"]},
            "CreatedDate": iso(self.created),
        }
        if rotation:
            item["RotationLambdaARN"] = k.arn("lambda", "function:shop-aurora-secret-rotation")
            item["RotationRules"] = {"AutomaticallyAfterDays": 30}
            item["NextRotationDate"] = iso(last_rotated + timedelta(days=30))
        k.res("secretsmanager", "SecretListEntry", item)

    def endpoints(self, sg_for: dict[str, str]) -> None:
        k = self.k
        rtb = "rtb-" + k.hexid(17)
        for svc in ["secretsmanager", "ecr.api", "ecr.dkr", "logs", "sts", "s3"]:
            vid = "vpce-" + k.hexid(17)
            self.vpce[svc] = vid
            gateway = svc == "s3"
            item: Json = {
                "VpcEndpointId": vid,
                "VpcEndpointType": "Gateway" if gateway else "Interface",
                "VpcId": k.vpc,
                "ServiceName": f"com.amazonaws.{k.region}.{svc}",
                "State": "available",
                "PolicyDocument": json.dumps(
                    {"Statement": [{"Action": "*", "Effect": "Allow", "Principal": "*", "Resource": "*"}]}
                ),
                "RouteTableIds": [rtb] if gateway else [],
                "SubnetIds": [] if gateway else list(k.subnets),
                "Groups": []
                if gateway
                else [{"GroupId": sg_for.get(svc, self.vpce_sg), "GroupName": "vpce"}],
                "PrivateDnsEnabled": not gateway,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [] if gateway else ["eni-" + k.hexid(17) for _ in range(3)],
                "CreationTimestamp": iso(self.created + timedelta(days=k.rnd.randint(1, 90))),
                "Tags": [{"Key": "Name", "Value": f"shop-prod-{svc}"}],
                "OwnerId": k.account,
            }
            if not gateway:
                item["IpAddressType"] = "ipv4"
                item["DnsOptions"] = {"DnsRecordIpType": "ipv4"}
            k.res("ec2", "VpcEndpoint", item)

    def sg(self, gid: str, name: str, desc: str, ingress: list[Json]) -> None:
        k = self.k
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "VpcId": k.vpc,
                "OwnerId": k.account,
                "SecurityGroupArn": k.arn("ec2", f"security-group/{gid}"),
                "IpPermissions": ingress,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": [{"Key": "Name", "Value": name}],
            },
        )


def task_def(
    k: Kit, topo: Topo, s: Svc, rev: int, image_tag: str, registered: datetime, env: list[Json]
) -> Json:
    return {
        "taskDefinitionArn": k.arn("ecs", f"task-definition/{s.name}:{rev}"),
        "family": s.name,
        "revision": rev,
        "status": "ACTIVE",
        "taskRoleArn": f"arn:aws:iam::{k.account}:role/shop-prod-{s.name}-task",
        "executionRoleArn": f"arn:aws:iam::{k.account}:role/{topo.exec_role}",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"],
        "cpu": "1024",
        "memory": "2048",
        "registeredAt": iso(registered),
        "registeredBy": f"arn:aws:sts::{k.account}:assumed-role/github-actions-deploy/GitHubActions",
        "containerDefinitions": [
            {
                "name": s.name,
                "image": f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/{s.name}:{image_tag}",
                "essential": True,
                "portMappings": [{"containerPort": s.port, "hostPort": s.port, "protocol": "tcp"}],
                "environment": env,
                "secrets": [
                    {"name": "DB_USERNAME", "valueFrom": f"{topo.secret_arn}:username::"},
                    {"name": "DB_PASSWORD", "valueFrom": f"{topo.secret_arn}:password::"},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/shop-prod/{s.name}",
                        "awslogs-region": k.region,
                        "awslogs-stream-prefix": s.name,
                    },
                },
            }
        ],
    }


def perm(port: int, *, cidr: str | None = None, group: str | None = None, desc: str = "") -> Json:
    p: Json = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if cidr:
        p["IpRanges"] = [{"CidrIp": cidr, "Description": desc} if desc else {"CidrIp": cidr}]
    if group:
        p["UserIdGroupPairs"] = [{"GroupId": group, "Description": desc} if desc else {"GroupId": group}]
    return p
