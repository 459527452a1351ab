"""Private helpers for kit zzzv: an ad-bidding platform (NLB, Spot ASG, Firehose, DynamoDB+DAX, Redis)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Fn = Callable[[datetime], float]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    def __init__(self, seed: int, region: str = "us-east-1") -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.account = str(rng.randint(210000000000, 989999999999))
        self.region = region
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
        self.day = day
        self.records: dict[str, list[dict[str, Any]]] = {
            k: []
            for k in (
                "metrics",
                "alarms",
                "alarm_history",
                "logs",
                "cloudtrail",
                "resources",
                "events",
            )
        }
        self.onset = day
        self.start = day
        self.now = day
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = {f"{region}{z}": "subnet-" + self.hex(17) for z in "abc"}

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def window(self, onset_hour: float, before_min: int, after_min: int) -> None:
        self.onset = self.day + timedelta(minutes=round(onset_hour * 60) + self.rng.randint(0, 9))
        self.start = (self.onset - timedelta(minutes=before_min)).replace(second=0)
        self.start = self.start - timedelta(minutes=self.start.minute % 5)
        self.now = self.onset + timedelta(minutes=after_min)

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- records --------------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.records["resources"].append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.records["events"].append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        if t <= self.now:
            self.records["logs"].append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
            )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Fn,
        step: int = 1,
        integer: bool = False,
        skip: Callable[[datetime], bool] | None = None,
    ) -> None:
        for t in self.minutes(step):
            if skip is not None and skip(t):
                continue
            v = fn(t)
            v = float(round(v)) if integer else round(v, 3)
            self.records["metrics"].append(
                {
                    "namespace": ns,
                    "metric": name,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": max(0.0, v),
                }
            )

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        event_id: str | None = None,
    ) -> str:
        eid = event_id or self.uid()
        invoked = who.get("invokedBy")
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if not invoked else "1.08",
            "userIdentity": {k: v for k, v in who.items() if k != "invokedBy"},
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked or ip or f"203.0.113.{self.rng.randint(10, 200)}",
            "userAgent": invoked or agent,
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
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if invoked:
            rec["userIdentity"]["invokedBy"] = invoked
        self.records["cloudtrail"].append(rec)
        return eid

    def role(self, name: str, session: str) -> dict[str, Any]:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hex(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{name}",
                    "accountId": self.account,
                    "userName": name,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        period: int = 60,
        evals_: int = 3,
        state: str = "OK",
        since: datetime | None = None,
        reason: str = "Threshold Crossed: no datapoints were breaching",
        desc: str | None = None,
        missing: str = "missing",
        topic: str = "bidding-oncall",
    ) -> dict[str, Any]:
        since = since or self.start - timedelta(days=2)
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=40)),
            "ActionsEnabled": True,
            "OKActions": [self.arn("sns", topic)],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals_,
            "DatapointsToAlarm": evals_,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if desc:
            item["AlarmDescription"] = desc
        self.records["alarms"].append(item)
        return item

    def history(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        self.records["alarm_history"].append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": (
                    f'{{"version":"1.0","oldState":{{"stateValue":"{old}"}},'
                    f'"newState":{{"stateValue":"{new}","stateReason":"{reason}"}}}}'
                ),
            }
        )

    def alarm_event(self, alarm: dict[str, Any], t: datetime, reason: str) -> dict[str, Any]:
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso(t).replace("Z", ".512+0000")},
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching",
                    "timestamp": iso(self.start - timedelta(days=1)).replace("Z", ".101+0000"),
                },
                "configuration": {
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
                    "description": alarm.get("AlarmDescription", ""),
                },
            },
        }

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        self.records["cloudtrail"].sort(key=lambda r: r["eventTime"])
        self.records["alarm_history"].sort(key=lambda r: r["Timestamp"])
        self.records["logs"].sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, self.records)


def diurnal(ctx: Ctx, base: float, amp: float = 0.25, noise: float = 0.04) -> Fn:
    """A traffic curve peaking in the US evening (UTC ~01:00), with jitter."""
    rng = random.Random(ctx.rng.random())

    def f(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return base * (1 + amp * math.cos((h - 1) / 24 * 2 * math.pi)) * (1 + rng.uniform(-noise, noise))

    return f


def _lin(tr: Fn, k: float, add: float, cap: float) -> Fn:
    return lambda t: min(cap, k * tr(t) + add)


def _before(when: datetime) -> Callable[[datetime], bool]:
    return lambda t: t < when


def _jitter(c: Ctx, base: float, lo: float, hi: float) -> Fn:
    return lambda t: base * c.rng.uniform(lo, hi)


class Platform:
    """The bidding platform's resources, ids and the healthy telemetry of its parts."""

    def __init__(self, ctx: Ctx, n_instances: int = 8) -> None:
        self.ctx = ctx
        rng = ctx.rng
        c = ctx
        self.nlb_name = "bid-ingress-nlb"
        self.nlb_id = c.hex(16)
        self.nlb_arn = c.arn("elasticloadbalancing", f"loadbalancer/net/{self.nlb_name}/{self.nlb_id}")
        self.nlb_dim = f"net/{self.nlb_name}/{self.nlb_id}"
        self.tg_name = "bidder-tcp-8080"
        self.tg_id = c.hex(16)
        self.tg_arn = c.arn("elasticloadbalancing", f"targetgroup/{self.tg_name}/{self.tg_id}")
        self.tg_dim = f"targetgroup/{self.tg_name}/{self.tg_id}"
        self.asg = "bidder-spot-asg"
        self.lt_id = "lt-" + c.hex(17)
        self.lt_version = str(rng.randint(30, 60))
        self.table = "campaign-budgets"
        self.dax = "budget-dax"
        self.redis = "freqcap-redis"
        self.firehose = "bid-events-to-s3"
        self.bucket = f"adx-bid-events-{c.account}"
        azs = list(c.subnets)
        types = ["c6i.2xlarge", "c5.2xlarge", "c6a.2xlarge", "m6i.2xlarge"]
        self.instances: list[dict[str, Any]] = []
        for i in range(n_instances):
            az = azs[i % 3]
            spot = i >= 2
            self.instances.append(
                {
                    "id": "i-0" + c.hex(16),
                    "az": az,
                    "type": "c6i.2xlarge" if not spot else rng.choice(types),
                    "spot": spot,
                    "ip": f"10.42.{azs.index(az) * 16 + rng.randint(1, 14)}.{rng.randint(5, 250)}",
                    "launched": c.day - timedelta(hours=rng.randint(5, 200)),
                }
            )
        self.roles = {
            "tooling": c.role("datadog-integration-role", "DatadogAWSIntegration"),
            "deploy": c.role("github-actions-deploy", "GitHubActions"),
            "ops": c.role("AWSReservedSSO_PlatformAdmin_5f2c1a9b3e7d4c60", "priya.raman@adexchange.io"),
            "ops2": c.role("AWSReservedSSO_PlatformAdmin_5f2c1a9b3e7d4c60", "marco.delgado@adexchange.io"),
            "bidder": c.role("bidder-instance-role", "i-0" + c.hex(16)),
        }
        self.ssp_rps = rng.randint(38000, 62000)

    # --- resources ------------------------------------------------------------------------------

    def resources(self, asg_desired: int | None = None, tg_unhealthy: set[str] | None = None) -> None:
        c = self.ctx
        for inst in self.instances:
            item: dict[str, Any] = {
                "InstanceId": inst["id"],
                "ImageId": "ami-0" + c.hex(16),
                "InstanceType": inst["type"],
                "LaunchTime": iso(inst["launched"]),
                "Placement": {"AvailabilityZone": inst["az"], "Tenancy": "default"},
                "PrivateIpAddress": inst["ip"],
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": c.subnets[inst["az"]],
                "VpcId": c.vpc,
                "Architecture": "x86_64",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{c.account}:instance-profile/bidder-instance-profile",
                    "Id": "AIPA" + c.hex(17).upper(),
                },
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                    {"Key": "Name", "Value": "bidder"},
                    {"Key": "service", "Value": "bidder"},
                ],
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-0" + c.hex(16),
                        "PrivateIpAddress": inst["ip"],
                        "SubnetId": c.subnets[inst["az"]],
                        "VpcId": c.vpc,
                        "Status": "in-use",
                    }
                ],
            }
            if inst["spot"]:
                item["InstanceLifecycle"] = "spot"
                item["SpotInstanceRequestId"] = "sir-" + c.hex(8)
            c.res("ec2", "Instance", item)
            c.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": inst["az"],
                    "InstanceId": inst["id"],
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            )
        n = len(self.instances)
        c.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup:"
                f"{c.uid()}:autoScalingGroupName/{self.asg}",
                "MixedInstancesPolicy": {
                    "LaunchTemplate": {
                        "LaunchTemplateSpecification": {
                            "LaunchTemplateId": self.lt_id,
                            "LaunchTemplateName": "bidder",
                            "Version": "$Latest",
                        },
                        "Overrides": [
                            {"InstanceType": t}
                            for t in ["c6i.2xlarge", "c5.2xlarge", "c6a.2xlarge", "m6i.2xlarge"]
                        ],
                    },
                    "InstancesDistribution": {
                        "OnDemandBaseCapacity": 2,
                        "OnDemandPercentageAboveBaseCapacity": 0,
                        "SpotAllocationStrategy": "price-capacity-optimized",
                    },
                },
                "MinSize": 4,
                "MaxSize": 24,
                "DesiredCapacity": asg_desired if asg_desired is not None else n,
                "DefaultCooldown": 300,
                "AvailabilityZones": list(c.subnets),
                "TargetGroupARNs": [self.tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 120,
                "Instances": [
                    {
                        "InstanceId": i["id"],
                        "InstanceType": i["type"],
                        "AvailabilityZone": i["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": self.lt_id,
                            "LaunchTemplateName": "bidder",
                            "Version": self.lt_version,
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i in self.instances
                ],
                "CreatedTime": iso(c.day - timedelta(days=410)),
                "VPCZoneIdentifier": ",".join(c.subnets.values()),
                "CapacityRebalance": True,
                "Tags": [
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "service",
                        "Value": "bidder",
                        "PropagateAtLaunch": True,
                    }
                ],
            },
        )
        c.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.nlb_arn,
                "DNSName": f"{self.nlb_name}-{self.nlb_id[:10]}.elb.{c.region}.amazonaws.com",
                "LoadBalancerName": self.nlb_name,
                "Scheme": "internet-facing",
                "VpcId": c.vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in c.subnets.items()],
                "IpAddressType": "ipv4",
                "CreatedTime": iso(c.day - timedelta(days=500)),
            },
        )
        c.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": self.tg_name,
                "Protocol": "TCP",
                "Port": 8080,
                "VpcId": c.vpc,
                "HealthCheckProtocol": "TCP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 10,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "LoadBalancerArns": [self.nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        )
        for inst in self.instances:
            bad = tg_unhealthy and inst["id"] in tg_unhealthy
            c.event(
                "target_health",
                {
                    "target_group_arn": self.tg_arn,
                    "target": {"Id": inst["id"], "Port": 8080, "AvailabilityZone": inst["az"]},
                    "health": {"State": "unhealthy", "Reason": "Target.FailedHealthChecks"}
                    if bad
                    else {"State": "healthy"},
                    "timestamp": iso(max(inst["launched"], c.start) + timedelta(minutes=2)),
                },
            )
        c.res(
            "dax",
            "Cluster",
            {
                "ClusterName": self.dax,
                "ClusterArn": c.arn("dax", f"cache/{self.dax}"),
                "TotalNodes": 3,
                "ActiveNodes": 3,
                "NodeType": "dax.r5.large",
                "Status": "available",
                "ClusterDiscoveryEndpoint": {
                    "Address": f"{self.dax}.{c.hex(6)}.dax-clusters.{c.region}.amazonaws.com",
                    "Port": 8111,
                },
                "PreferredMaintenanceWindow": "sun:07:00-sun:08:00",
                "SubnetGroup": "bidding-private",
                "SecurityGroups": [{"SecurityGroupIdentifier": "sg-0" + c.hex(16), "Status": "active"}],
                "IamRoleArn": f"arn:aws:iam::{c.account}:role/dax-campaign-budgets",
                "ParameterGroup": {"ParameterGroupName": "default.dax1.0", "ParameterApplyStatus": "in-sync"},
                "SSEDescription": {"Status": "ENABLED"},
                "ClusterEndpointEncryptionType": "NONE",
            },
        )
        c.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": self.redis,
                "Description": "frequency capping counters",
                "Status": "available",
                "MemberClusters": [f"{self.redis}-001", f"{self.redis}-002"],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.xlarge",
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": c.arn("elasticache", f"replicationgroup:{self.redis}"),
                "Engine": "redis",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "09:00-10:00",
            },
        )
        c.res(
            "firehose",
            "DeliveryStreamDescription",
            {
                "DeliveryStreamName": self.firehose,
                "DeliveryStreamARN": c.arn("firehose", f"deliverystream/{self.firehose}"),
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamType": "DirectPut",
                "VersionId": str(c.rng.randint(4, 12)),
                "CreateTimestamp": iso(c.day - timedelta(days=380)),
                "Destinations": [
                    {
                        "DestinationId": "destinationId-000000000001",
                        "ExtendedS3DestinationDescription": {
                            "RoleARN": f"arn:aws:iam::{c.account}:role/firehose-bid-events",
                            "BucketARN": f"arn:aws:s3:::{self.bucket}",
                            "Prefix": "bids/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/",
                            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
                            "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 300},
                            "CompressionFormat": "GZIP",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                            "CloudWatchLoggingOptions": {
                                "Enabled": True,
                                "LogGroupName": f"/aws/kinesisfirehose/{self.firehose}",
                                "LogStreamName": "DestinationDelivery",
                            },
                        },
                    }
                ],
                "HasMoreDestinations": False,
            },
        )

    def table_item(
        self, billing: str, rcu: int = 0, wcu: int = 0, last_decrease: datetime | None = None
    ) -> None:
        c = self.ctx
        pt: dict[str, Any] = {
            "NumberOfDecreasesToday": 1 if last_decrease else 0,
            "ReadCapacityUnits": rcu,
            "WriteCapacityUnits": wcu,
        }
        if last_decrease:
            pt["LastDecreaseDateTime"] = iso(last_decrease)
        item: dict[str, Any] = {
            "TableName": self.table,
            "TableArn": c.arn("dynamodb", f"table/{self.table}"),
            "TableId": c.uid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(c.day - timedelta(days=600)),
            "KeySchema": [{"AttributeName": "campaign_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "campaign_id", "AttributeType": "S"}],
            "ItemCount": c.rng.randint(40000, 90000),
            "TableSizeBytes": c.rng.randint(20_000_000, 60_000_000),
            "ProvisionedThroughput": pt,
        }
        if billing == "PAY_PER_REQUEST":
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(c.day - timedelta(days=300)),
            }
        else:
            item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
        c.res("dynamodb", "TableDescription", item)

    # --- healthy telemetry ----------------------------------------------------------------------

    def traffic(self) -> Fn:
        return diurnal(self.ctx, self.ssp_rps, 0.3, 0.03)

    def nlb_metrics(self, healthy: Fn | None = None, unhealthy: Fn | None = None) -> None:
        c = self.ctx
        tr = self.traffic()
        dims = {"LoadBalancer": self.nlb_dim}
        n = len(self.instances)
        c.series("AWS/NetworkELB", "NewFlowCount", dims, "Count", lambda t: tr(t) * 60 / 180, integer=True)
        c.series("AWS/NetworkELB", "ActiveFlowCount", dims, "Count", lambda t: tr(t) / 40, integer=True)
        c.series("AWS/NetworkELB", "ProcessedBytes", dims, "Bytes", lambda t: tr(t) * 60 * 2400, integer=True)
        c.series(
            "AWS/NetworkELB",
            "TCP_Target_Reset_Count",
            dims,
            "Count",
            lambda t: c.rng.randint(0, 30),
            integer=True,
        )
        tgd = {"LoadBalancer": self.nlb_dim, "TargetGroup": self.tg_dim}
        c.series("AWS/NetworkELB", "HealthyHostCount", tgd, "Count", healthy or (lambda t: n))
        c.series("AWS/NetworkELB", "UnHealthyHostCount", tgd, "Count", unhealthy or (lambda t: 0))

    def ec2_metrics(self, cpu: dict[str, Fn] | None = None) -> None:
        c = self.ctx
        tr = self.traffic()
        for inst in self.instances:
            f = (cpu or {}).get(inst["id"])
            base = c.rng.uniform(0.9, 1.1)
            c.series(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": inst["id"]},
                "Percent",
                f or _lin(tr, 52 * base / self.ssp_rps, 0.0, 99.0),
                step=5,
                skip=_before(inst["launched"]),
            )

    def dynamo_metrics(self, write: Fn | None = None, throttles: Fn | None = None) -> None:
        c = self.ctx
        tr = self.traffic()
        d = {"TableName": self.table}
        c.series("AWS/DynamoDB", "ConsumedReadCapacityUnits", d, "Count", lambda t: tr(t) * 0.004 * 60)
        c.series(
            "AWS/DynamoDB", "ConsumedWriteCapacityUnits", d, "Count", write or (lambda t: tr(t) * 0.02 * 60)
        )
        for op, base in (("GetItem", 3.1), ("UpdateItem", 5.4)):
            c.series(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": self.table, "Operation": op},
                "Milliseconds",
                _jitter(c, base, 0.85, 1.2),
            )
        if throttles:
            c.series("AWS/DynamoDB", "WriteThrottleEvents", d, "Count", throttles, integer=True)

    def dax_metrics(self) -> None:
        c = self.ctx
        tr = self.traffic()
        d = {"ClusterId": self.dax}
        c.series("AWS/DAX", "CPUUtilization", d, "Percent", lambda t: 31 * tr(t) / self.ssp_rps, step=1)
        c.series("AWS/DAX", "ItemCacheHits", d, "Count", lambda t: tr(t) * 60 * 0.93, integer=True)
        c.series("AWS/DAX", "ItemCacheMisses", d, "Count", lambda t: tr(t) * 60 * 0.004, integer=True)
        c.series("AWS/DAX", "ErrorRequestCount", d, "Count", lambda t: c.rng.randint(0, 3), integer=True)

    def redis_metrics(self, cpu: Fn | None = None) -> None:
        c = self.ctx
        tr = self.traffic()
        for node, role in ((f"{self.redis}-001", 1.0), (f"{self.redis}-002", 0.2)):
            d = {"CacheClusterId": node, "CacheNodeId": "0001"}
            c.series(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                d,
                "Percent",
                cpu if (cpu and role == 1.0) else _lin(tr, 24 * role / self.ssp_rps, 2.0, 100.0),
            )
            c.series(
                "AWS/ElastiCache",
                "CurrConnections",
                d,
                "Count",
                _jitter(c, 400 * role + 8, 1.0, 1.0),
                integer=True,
            )
            c.series("AWS/ElastiCache", "Evictions", d, "Count", lambda t: 0, step=5)

    def firehose_metrics(self, incoming_bytes: Fn | None = None, throttled: Fn | None = None) -> None:
        c = self.ctx
        tr = self.traffic()
        d = {"DeliveryStreamName": self.firehose}
        inc = incoming_bytes or (lambda t: tr(t) * 0.35 * 60 * 420)
        c.series("AWS/Firehose", "IncomingBytes", d, "Bytes", inc, integer=True)
        c.series("AWS/Firehose", "IncomingRecords", d, "Count", lambda t: inc(t) / 420, integer=True)
        c.series(
            "AWS/Firehose", "IncomingPutRequests", d, "Count", lambda t: inc(t) / 420 / 250, integer=True
        )
        if throttled:
            c.series("AWS/Firehose", "ThrottledRecords", d, "Count", throttled, integer=True)
        c.series("AWS/Firehose", "DeliveryToS3.Success", d, "Count", lambda t: 1.0, step=5)
        c.series(
            "AWS/Firehose",
            "DeliveryToS3.DataFreshness",
            d,
            "Seconds",
            lambda t: c.rng.uniform(180, 300),
            step=5,
        )

    def noise_trail(self, n_read: int = 30) -> None:
        """Tooling reads, assume-roles, tags, Spot relaunches by the ASG: the hum of a real account."""
        c = self.ctx
        tool = self.roles["tooling"]
        reads: list[tuple[str, str, dict[str, Any] | None]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": self.tg_arn}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": self.table}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", {"maxRecords": 100}),
            ("firehose.amazonaws.com", "DescribeDeliveryStream", {"deliveryStreamName": self.firehose}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("dax.amazonaws.com", "DescribeClusters", None),
        ]
        span = int((c.now - c.start).total_seconds())
        for _ in range(n_read):
            src, name, req = c.rng.choice(reads)
            t = c.start + timedelta(seconds=c.rng.randint(0, span))
            c.ct(t, src, name, tool, req, None, read_only=True, agent="Datadog", ip="44.192.28.43")

    def app_logs(self, line: Callable[[dict[str, Any], datetime], str | None], every: int = 5) -> None:
        c = self.ctx
        for inst in self.instances:
            for t in c.minutes(every):
                msg = line(inst, t + timedelta(seconds=c.rng.randint(0, 59)))
                if msg:
                    c.log(
                        "/adx/bidder",
                        f"{inst['id']}/bidder.log",
                        t + timedelta(seconds=c.rng.randint(0, 59)),
                        msg,
                    )
