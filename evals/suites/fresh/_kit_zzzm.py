"""Private helpers for the zzzm fleet-tracking incidents (a logistics firm's vehicle telemetry platform)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

J = dict[str, Any]
REGION = "eu-west-2"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class World:
    """Everything one incident's bundle holds, built up by the helpers below."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "7" + self.account[1:]
        day = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 200))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.day = day
        self.metrics: list[J] = []
        self.logs: list[J] = []
        self.trail: list[J] = []
        self.resources: list[J] = []
        self.alarms: list[J] = []
        self.history: list[J] = []
        self.events: list[J] = []
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = ["subnet-" + self.hex(17) for _ in range(3)]
        self.lambda_sg = "sg-" + self.hex(17)
        self.db_sg = "sg-" + self.hex(17)
        self.ops_topic = f"arn:aws:sns:{REGION}:{self.account}:fleet-ops-alerts"

    # --- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def key(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{REGION}:{self.account}:{rest}"

    # --- CloudTrail --------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, t: datetime) -> J:
        pid = "AROA" + self.key("")[:17]
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.key("ASIA"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(3, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def sso(self, person: str, t: datetime, perm: str = "AdministratorAccess") -> J:
        return self.role_identity(f"AWSReservedSSO_{perm}_{self.hex(16)}", person, t)

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: J,
        req: J | None = None,
        resp: J | None = None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        eid = self.uid()
        rec: J = {
            "eventVersion": "1.09" if read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip
            or f"{self.rng.choice([81, 86, 212])}.{self.rng.randint(1, 250)}."
            f"{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
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
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.trail.append(rec)
        return eid

    def tooling_reads(self, start: datetime, end: datetime, n: int, functions: list[str]) -> None:
        """Read-only noise: monitoring integrations, terraform plans, people in the console."""
        r = self.rng
        calls: list[tuple[str, str, Callable[[], J | None], str, str]] = [
            (
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                lambda: {"maxRecords": 100},
                "grafana-cloudwatch",
                "grafana",
            ),
            (
                "kinesis.amazonaws.com",
                "DescribeStreamSummary",
                lambda: {"streamName": "vehicle-positions"},
                "grafana-cloudwatch",
                "grafana",
            ),
            (
                "lambda.amazonaws.com",
                "ListFunctions20150331",
                lambda: None,
                "terraform-plan",
                "gha-infra-plan",
            ),
            (
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                lambda: {"functionName": r.choice(functions)},
                "terraform-plan",
                "gha-infra-plan",
            ),
            ("rds.amazonaws.com", "DescribeDBClusters", lambda: None, "grafana-cloudwatch", "grafana"),
            ("rds.amazonaws.com", "DescribeDBInstances", lambda: None, "terraform-plan", "gha-infra-plan"),
            (
                "directconnect.amazonaws.com",
                "DescribeVirtualInterfaces",
                lambda: None,
                "netops-readonly",
                "netbox-sync",
            ),
            (
                "directconnect.amazonaws.com",
                "DescribeConnections",
                lambda: None,
                "netops-readonly",
                "netbox-sync",
            ),
            (
                "sns.amazonaws.com",
                "ListSubscriptionsByTopic",
                lambda: {"topicArn": self.ops_topic},
                "terraform-plan",
                "gha-infra-plan",
            ),
            (
                "events.amazonaws.com",
                "ListRules",
                lambda: {"eventBusName": "fleet-events"},
                "terraform-plan",
                "gha-infra-plan",
            ),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", lambda: None, "terraform-plan", "gha-infra-plan"),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            src, name, req, role, sess = r.choice(calls)
            t = start + timedelta(seconds=r.uniform(0, span))
            agent = (
                "Grafana/10.4.2 aws-sdk-go/1.51.0"
                if role == "grafana-cloudwatch"
                else (
                    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1"
                    if role == "terraform-plan"
                    else "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux lang/python#3.11.8"
                )
            )
            self.ct(
                t,
                src,
                name,
                self.role_identity(role, sess, t),
                req(),
                None,
                read_only=True,
                agent=agent,
                ip=f"52.56.{r.randint(1, 250)}.{r.randint(1, 250)}",
            )
        self.trail.sort(key=lambda x: x["eventTime"])

    # --- metrics -----------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], float | None],
        period: int = 60,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), 3),
                    }
                )
            t += timedelta(seconds=period)

    def diurnal(self, t: datetime, base: float, amp: float) -> float:
        """Fleet activity: vans start at ~06:00 local, peak mid-morning, taper in the evening."""
        h = t.hour + t.minute / 60 + 1  # BST-ish local time
        shape = max(0.08, math.sin(max(0.0, min(1.0, (h - 5.0) / 15.0)) * math.pi))
        return base + amp * shape * self.rng.uniform(0.93, 1.07)

    # --- alarms ------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        *,
        period: int = 60,
        evals: int = 3,
        dta: int | None = None,
        state: str = "OK",
        since: datetime,
        reason: str = "",
        desc: str = "",
        missing: str = "missing",
        unit: str | None = None,
    ) -> J:
        a: J = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 300))),
            "ActionsEnabled": True,
            "OKActions": [self.ops_topic],
            "AlarmActions": [self.ops_topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or f"Threshold Crossed: no datapoints were {'greater' if 'Greater' in op else 'less'} than the threshold",
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: J, t: datetime, old: str, new: str, reason: str) -> None:
        name = alarm["AlarmName"]
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": '{{"version":"1.0","oldState":{{"stateValue":"{}"}},"newState":{{"stateValue":"{}",'
                '"stateReason":"{}"}}}}'.format(old, new, reason.replace('"', "'")),
            }
        )
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t + timedelta(seconds=1)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.ops_topic}",
                "HistoryData": f'{{"actionState":"Succeeded","stateUpdateTimestamp":{ms(t)},'
                f'"notificationResource":"{self.ops_topic}","publishedMessage":null}}',
            }
        )
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateUpdatedTimestamp"] = iso(t)
        alarm["StateTransitionedTimestamp"] = iso(t)

    def alarm_event(self, alarm: J, t: datetime, prev_t: datetime, prev_reason: str) -> J:
        return {
            "version": "0",
            "id": self.uid(),
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
                    "reason": alarm["StateReason"],
                    "timestamp": iso(t).replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso(prev_t).replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hex(8)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(12),
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

    # --- logs --------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hex(32)}"

    def invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        body: list[str],
        dur: float,
        mem: int,
        used: int,
        init: float | None = None,
    ) -> str:
        rid = self.uid()
        g = f"/aws/lambda/{fn}"
        self.log(g, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for i, line in enumerate(body):
            self.log(g, stream, t + timedelta(milliseconds=5 + i), line.replace("{rid}", rid))
        billed = math.ceil(dur)
        extra = f"\tInit Duration: {init:.2f} ms" if init else ""
        self.log(g, stream, t + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
        self.log(
            g,
            stream,
            t + timedelta(milliseconds=dur + 1),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB{extra}\t\n",
        )
        return rid

    # --- resources ---------------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: J) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def function(
        self,
        name: str,
        runtime: str,
        handler: str,
        mem: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        desc: str = "",
        vpc: bool = True,
    ) -> J:
        item: J = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{name}-exec",
            "Handler": handler,
            "CodeSize": self.rng.randint(40_000, 9_000_000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.key("") + self.key("") + "abc=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        if vpc:
            item["VpcConfig"] = {
                "SubnetIds": self.subnets,
                "SecurityGroupIds": [self.lambda_sg],
                "VpcId": self.vpc,
            }
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def esm(self, fn: str, stream_arn: str, batch: int, parallel: int, modified: datetime) -> J:
        item: J = {
            "UUID": self.uid(),
            "StartingPosition": "LATEST",
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": parallel,
            "EventSourceArn": stream_arn,
            "FunctionArn": self.arn("lambda", f"function:{fn}"),
            "LastModified": iso(modified),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
        self.res("lambda", "EventSourceMappingConfiguration", item)
        return item

    def stream(self, name: str, shards: int, created: datetime) -> str:
        sarn = self.arn("kinesis", f"stream/{name}")
        self.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": name,
                "StreamARN": sarn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 24,
                "StreamCreationTimestamp": iso(created),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": shards,
            },
        )
        top = 2**128 - 1
        for i in range(shards):
            lo = top * i // shards + (1 if i else 0)
            hi = top * (i + 1) // shards
            self.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": name,
                    "ShardId": f"shardId-{i:012d}",
                    "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": "4965"
                        + "".join(str(self.rng.randint(0, 9)) for _ in range(52))
                    },
                },
            )
        return sarn

    def aurora(self, cluster: str, writer_class: str, t_created: datetime) -> tuple[str, str]:
        suffix = self.hex(12)
        ep = f"{cluster}.cluster-{suffix}.{REGION}.rds.amazonaws.com"
        ro = f"{cluster}.cluster-ro-{suffix}.{REGION}.rds.amazonaws.com"
        members = [f"{cluster}-1", f"{cluster}-2"]
        self.res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": cluster,
                "Status": "available",
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.6",
                "Endpoint": ep,
                "ReaderEndpoint": ro,
                "Port": 5432,
                "MultiAZ": True,
                "DatabaseName": "fleet",
                "MasterUsername": "fleet_admin",
                "AvailabilityZones": [f"{REGION}a", f"{REGION}b", f"{REGION}c"],
                "DBClusterParameterGroup": f"{cluster}-pg15",
                "DBSubnetGroup": f"{cluster}-subnets",
                "PreferredBackupWindow": "01:30-02:00",
                "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": members[0],
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": members[1],
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.db_sg, "Status": "active"}],
                "StorageEncrypted": True,
                "DbClusterResourceId": "cluster-" + self.key("")[:26],
                "DBClusterArn": self.arn("rds", f"cluster:{cluster}"),
                "ClusterCreateTime": iso(t_created),
                "EngineMode": "provisioned",
                "DeletionProtection": True,
                "StorageType": "aurora",
            },
        )
        for i, m in enumerate(members):
            self.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": m,
                    "DBInstanceClass": writer_class,
                    "Engine": "aurora-postgresql",
                    "DBInstanceStatus": "available",
                    "MasterUsername": "fleet_admin",
                    "Endpoint": {"Address": f"{m}.{suffix}.{REGION}.rds.amazonaws.com", "Port": 5432},
                    "InstanceCreateTime": iso(t_created),
                    "AvailabilityZone": f"{REGION}{'ab'[i]}",
                    "EngineVersion": "15.6",
                    "DBClusterIdentifier": cluster,
                    "PubliclyAccessible": False,
                    "StorageEncrypted": True,
                    "PromotionTier": 1,
                    "MultiAZ": False,
                    "DBInstanceArn": self.arn("rds", f"db:{m}"),
                    "PerformanceInsightsEnabled": True,
                    "MonitoringInterval": 60,
                    "AutoMinorVersionUpgrade": True,
                },
            )
        return ep, ro

    def topic(self, name: str, display: str = "") -> str:
        tarn = self.arn("sns", name)
        self.res(
            "sns",
            "Topic",
            {
                "TopicArn": tarn,
                "Attributes": {
                    "TopicArn": tarn,
                    "DisplayName": display,
                    "Owner": self.account,
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                    "Policy": '{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[]}',
                    "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,'
                    '"maxDelayTarget":20,"numRetries":3}}}',
                },
            },
        )
        return tarn

    def dx(self, name: str, loc: str) -> tuple[str, str]:
        con = "dxcon-" + self.hex(8)
        vif = "dxvif-" + self.hex(8)
        self.res(
            "directconnect",
            "Connection",
            {
                "ownerAccount": self.account,
                "connectionId": con,
                "connectionName": name,
                "connectionState": "available",
                "region": REGION,
                "location": loc,
                "bandwidth": "1Gbps",
                "vlan": 412,
                "partnerName": "Colt",
                "awsDeviceV2": f"{loc}-{self.hex(6)}",
                "awsLogicalDeviceId": f"{loc}-{self.hex(6)}",
                "hasLogicalRedundancy": "yes",
                "jumboFrameCapable": False,
                "macSecCapable": False,
            },
        )
        self.res(
            "directconnect",
            "VirtualInterface",
            {
                "ownerAccount": self.account,
                "virtualInterfaceId": vif,
                "location": loc,
                "connectionId": con,
                "virtualInterfaceType": "private",
                "virtualInterfaceName": f"{name}-private",
                "vlan": 412,
                "asn": 65010,
                "amazonSideAsn": 64512,
                "amazonAddress": "169.254.41.1/30",
                "customerAddress": "169.254.41.2/30",
                "addressFamily": "ipv4",
                "virtualInterfaceState": "available",
                "mtu": 1500,
                "jumboFrameCapable": False,
                "directConnectGatewayId": self.uid(),
                "bgpPeers": [
                    {
                        "bgpPeerId": "dxpeer-" + self.hex(8),
                        "asn": 65010,
                        "addressFamily": "ipv4",
                        "amazonAddress": "169.254.41.1/30",
                        "customerAddress": "169.254.41.2/30",
                        "bgpPeerState": "available",
                        "bgpStatus": "up",
                        "awsDeviceV2": f"{loc}-{self.hex(6)}",
                    }
                ],
                "region": REGION,
            },
        )
        return con, vif

    def sg(self, gid: str, name: str, desc: str, ingress: list[J]) -> None:
        self.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "OwnerId": self.account,
                "VpcId": self.vpc,
                "IpPermissions": ingress,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )

    # --- bundle ------------------------------------------------------------------------------------
    def bundle(
        self, title: str, start: datetime, end: datetime, now: datetime, trigger: J, truth: J
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": REGION,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.trail.sort(key=lambda x: x["eventTime"])
        self.logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))
        self.history.sort(key=lambda x: x["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "logs": self.logs,
                "cloudtrail": self.trail,
                "resources": self.resources,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "events": self.events,
            },
        )


Mod = Callable[[datetime, float], float | None]
Body = Callable[[str, datetime], tuple[list[str], float] | None]

FUNCS = {
    # name: (runtime, handler, memory, timeout, description)
    "telematics-ingest": (
        "python3.12",
        "ingest.handler",
        512,
        15,
        "Vehicle gateway POST /positions -> Kinesis",
    ),
    "positions-writer": (
        "python3.12",
        "writer.handler",
        1024,
        60,
        "vehicle-positions -> Aurora positions table",
    ),
    "geofence-evaluator": ("nodejs20.x", "index.handler", 768, 30, "Geofence enter/exit -> fleet-events bus"),
    "depot-sync": ("python3.12", "depot_sync.handler", 512, 30, "Delivery events -> depot WMS (on-prem)"),
    "eta-notifier": ("nodejs20.x", "index.handler", 256, 10, "ETA changes -> customer SMS topic"),
}


def key(ns: str, metric: str, dim: str) -> str:
    return f"{ns}/{metric}/{dim}"


def base(
    w: World,
    start: datetime,
    end: datetime,
    mods: dict[str, Mod],
    env: dict[str, dict[str, str]],
    body: Body,
    scale: float = 1.0,
    restarts: dict[str, datetime] | None = None,
) -> J:
    """The fleet-tracking platform, healthy unless `mods` bend its metrics; returns names and ids."""
    r = w.rng
    created = w.day - timedelta(days=r.randint(400, 900))
    sarn = w.stream("vehicle-positions", 4, created)
    ep, ro = w.aurora("fleet-db", "db.r6g.xlarge", created)
    w.topic("fleet-ops-alerts", "Fleet ops")
    eta_topic = w.topic("customer-eta-updates", "Northway")
    con, vif = w.dx("northway-ld5-primary", "LD5")
    w.sg(w.lambda_sg, "fleet-lambdas", "Fleet Lambda ENIs", [])
    w.sg(
        w.db_sg,
        "fleet-db",
        "Aurora fleet-db",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [
                    {"GroupId": w.lambda_sg, "UserId": w.account, "Description": "fleet lambdas"}
                ],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.40.0.0/16", "Description": "depot reporting (on-prem)"}],
            },
        ],
    )
    fns: J = {}
    for name, (rt, handler, mem, to, desc) in FUNCS.items():
        mod = w.day - timedelta(days=r.randint(3, 40), minutes=r.randint(0, 600))
        fns[name] = w.function(name, rt, handler, mem, to, mod, env.get(name), desc)
    w.esm("positions-writer", sarn, 500, 2, created + timedelta(days=30))
    w.esm("geofence-evaluator", sarn, 200, 1, created + timedelta(days=90))

    def put(
        ns: str, metric: str, dims: dict[str, str], unit: str, fn: Callable[[datetime], float | None]
    ) -> None:
        m = mods.get(key(ns, metric, next(iter(dims.values()))))
        if m is None:
            w.series(ns, metric, dims, unit, start, end, fn)
        else:
            mm = m

            def g(t: datetime) -> float | None:
                v = fn(t)
                return mm(t, 0.0 if v is None else v)

            w.series(ns, metric, dims, unit, start, end, g)

    traffic: dict[datetime, float] = {}

    def vol(t: datetime) -> float:
        if t not in traffic:
            traffic[t] = round(w.diurnal(t, 900, 16500) * scale)
        return traffic[t]

    sd = {"StreamName": "vehicle-positions"}
    put("AWS/Kinesis", "IncomingRecords", sd, "Count", vol)
    put("AWS/Kinesis", "IncomingBytes", sd, "Bytes", lambda t: vol(t) * r.uniform(405, 430))
    put("AWS/Kinesis", "PutRecords.ThrottledRecords", sd, "Count", lambda t: 0)
    put("AWS/Kinesis", "WriteProvisionedThroughputExceeded", sd, "Count", lambda t: 0)
    put("AWS/Kinesis", "ReadProvisionedThroughputExceeded", sd, "Count", lambda t: 0)
    put("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sd, "Milliseconds", lambda t: r.uniform(0, 900))
    # Lambda
    rate = {
        "telematics-ingest": 1 / 55 / scale,
        "positions-writer": 1 / 420,
        "geofence-evaluator": 1 / 190,
        "depot-sync": 1 / 600,
        "eta-notifier": 1 / 900,
    }
    dur = {
        "telematics-ingest": 38,
        "positions-writer": 310,
        "geofence-evaluator": 95,
        "depot-sync": 240,
        "eta-notifier": 60,
    }

    def scaled(v: float, lo: float, hi: float) -> Callable[[datetime], float]:
        return lambda t: v * r.uniform(lo, hi)

    def conc(n: str) -> Callable[[datetime], float]:
        return lambda t: max(1.0, round(max(1.0, round(vol(t) * rate[n])) * dur[n] / 60000 + r.uniform(0, 2)))

    def cpu_of(c: float) -> Callable[[datetime], float]:
        return lambda t: c * (0.5 + vol(t) / 17400) * r.uniform(0.9, 1.1)

    def conns_of(c: float) -> Callable[[datetime], float]:
        return lambda t: round(c + r.uniform(-4, 4))

    def per_of(p: float) -> Callable[[datetime], float]:
        return lambda t: max(1.0, round(vol(t) * p))

    for name in FUNCS:
        d = {"FunctionName": name}

        def inv(t: datetime, n: str = name) -> float:
            return max(1.0, round(vol(t) * rate[n]))

        put("AWS/Lambda", "Invocations", d, "Count", inv)
        put("AWS/Lambda", "Errors", d, "Count", lambda t: float(r.random() < 0.03))
        put("AWS/Lambda", "Throttles", d, "Count", lambda t: 0)
        put("AWS/Lambda", "Duration", d, "Milliseconds", scaled(dur[name], 0.8, 1.3))
        put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            conc(name),
        )
        if name in ("positions-writer", "geofence-evaluator"):
            put("AWS/Lambda", "IteratorAge", d, "Milliseconds", lambda t: r.uniform(200, 1900))
    for db, cpu, conns in (("fleet-db-1", 24.0, 58.0), ("fleet-db-2", 11.0, 21.0)):
        d = {"DBInstanceIdentifier": db}
        put(
            "AWS/RDS",
            "CPUUtilization",
            d,
            "Percent",
            cpu_of(cpu),
        )
        put("AWS/RDS", "DatabaseConnections", d, "Count", conns_of(conns))
        put("AWS/RDS", "FreeableMemory", d, "Bytes", lambda t: r.uniform(11.2e9, 11.6e9))
    put(
        "AWS/RDS",
        "CommitThroughput",
        {"DBInstanceIdentifier": "fleet-db-1"},
        "Count/Second",
        lambda t: vol(t) / 60 * 0.9 / 500 * 2 * r.uniform(0.9, 1.1) + 3,
    )
    dxd = {"ConnectionId": con}
    put("AWS/DX", "ConnectionState", dxd, "None", lambda t: 1)
    put(
        "AWS/DX",
        "ConnectionBpsEgress",
        dxd,
        "Bits/Second",
        lambda t: vol(t) * 190 * r.uniform(0.9, 1.1) + 2.1e6,
    )
    put(
        "AWS/DX",
        "ConnectionBpsIngress",
        dxd,
        "Bits/Second",
        lambda t: vol(t) * 75 * r.uniform(0.9, 1.1) + 0.8e6,
    )
    put("AWS/DX", "ConnectionLightLevelRx", dxd, "None", lambda t: round(r.uniform(-4.3, -4.1), 2))
    for rule, per in (("delivery-completed-to-depot", 1 / 600), ("eta-changed-to-notifier", 1 / 900)):
        put(
            "AWS/Events",
            "Invocations",
            {"RuleName": rule},
            "Count",
            per_of(per),
        )
        put(
            "AWS/Events",
            "TriggeredRules",
            {"RuleName": rule},
            "Count",
            per_of(per),
        )
        put("AWS/Events", "FailedInvocations", {"RuleName": rule}, "Count", lambda t: None)
    td = {"TopicName": "customer-eta-updates"}
    put("AWS/SNS", "NumberOfMessagesPublished", td, "Count", lambda t: max(1.0, round(vol(t) / 900)))
    put("AWS/SNS", "NumberOfNotificationsDelivered", td, "Count", lambda t: max(1.0, round(vol(t) / 900)))
    # sampled Lambda logs: one invocation in every ~4 minutes per function
    for name, (_rt, _h, mem, _to, _d) in FUNCS.items():
        stream = w.lambda_stream(start)
        t = start + timedelta(seconds=r.uniform(0, 120))
        first = True
        restart = (restarts or {}).get(name)
        while t < end:
            if restart is not None and t >= restart:
                stream = w.lambda_stream(t)
                first = True
                restart = None
            got = body(name, t)
            if got is not None:
                lines, dd = got
                w.invocation(
                    name,
                    stream,
                    t,
                    lines,
                    dd,
                    mem,
                    int(mem * r.uniform(0.18, 0.3)),
                    init=r.uniform(380, 900) if first else None,
                )
                first = False
            t += timedelta(seconds=r.uniform(150, 330))
            if r.random() < 0.02:
                stream = w.lambda_stream(t)
                first = True
    return {
        "stream_arn": sarn,
        "writer_ep": ep,
        "reader_ep": ro,
        "dx_con": con,
        "dx_vif": vif,
        "eta_topic": eta_topic,
        "functions": fns,
    }


def healthy_line(w: World, name: str, t: datetime) -> tuple[list[str], float]:
    r = w.rng
    ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
    if name == "telematics-ingest":
        n = r.randint(20, 200)
        return [
            f"[INFO]\t{ts}\t{{rid}}\tput_records stream=vehicle-positions records={n} failed=0\n"
        ], r.uniform(20, 70)
    if name == "positions-writer":
        n = r.randint(150, 500)
        return [
            f"[INFO]\t{ts}\t{{rid}}\tbatch shard=shardId-00000000000{r.randint(0, 3)} records={n} "
            f"upserted={n} skipped_stale=0\n"
        ], r.uniform(180, 520)
    if name == "geofence-evaluator":
        return [
            f"{ts}\t{{rid}}\tINFO\tevaluated {r.randint(40, 200)} positions, {r.randint(0, 6)} transitions "
            "published to fleet-events\n"
        ], r.uniform(50, 160)
    if name == "depot-sync":
        dep = r.choice(["LEE", "MAN", "BHX", "BRS", "NCL"])
        return [
            f"[INFO]\t{ts}\t{{rid}}\tPOST https://wms.depots.northway.internal/api/v2/consignments/complete "
            f"depot={dep} status=200 elapsed_ms={r.randint(80, 260)}\n"
        ], r.uniform(120, 330)
    return [
        f"{ts}\t{{rid}}\tINFO\tETA update published to customer-eta-updates ({r.randint(1, 9)} customers)\n"
    ], r.uniform(40, 90)


def noise_changes(w: World, onset: datetime, start: datetime) -> None:
    """Innocent writes a real account makes around an incident."""
    r = w.rng
    t = onset - timedelta(minutes=r.randint(55, 140))
    gha = w.role_identity("github-actions-deploy", "GitHubActions", t)
    w.ct(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": "eta-notifier",
            "publish": True,
            "s3Bucket": "northway-lambda-artifacts",
            "s3Key": f"eta-notifier/{w.hex(40)}.zip",
        },
        {
            "functionName": "eta-notifier",
            "functionArn": w.arn("lambda", "function:eta-notifier"),
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeSize": 812233,
            "version": str(r.randint(30, 90)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 "
        "api/lambda#3.540.0",
        ip=f"20.1.{r.randint(1, 250)}.{r.randint(1, 250)}",
    )
    t2 = onset - timedelta(minutes=r.randint(10, 40))
    who = r.choice(["priya.shah", "tom.okafor", "megan.hughes"])
    w.ct(
        t2,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        w.sso(who, t2),
        {
            "alarmName": "eta-notifier-errors",
            "metricName": "Errors",
            "namespace": "AWS/Lambda",
            "statistic": "Sum",
            "dimensions": [{"name": "FunctionName", "value": "eta-notifier"}],
            "period": 300,
            "evaluationPeriods": 2,
            "threshold": 10.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [w.ops_topic],
        },
        None,
        read_only=False,
        agent="[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36]",
        ip=f"86.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
    )
    t3 = start + timedelta(minutes=r.randint(20, 90))
    w.ct(
        t3,
        "sns.amazonaws.com",
        "Subscribe",
        w.sso(who, t3),
        {"topicArn": w.ops_topic, "protocol": "email", "endpoint": f"{who}@northway-logistics.co.uk"},
        {"subscriptionArn": "pending confirmation"},
        read_only=False,
        agent="[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36]",
    )
    t4 = start + timedelta(minutes=r.randint(5, 60))
    bk = w.role_identity("AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole", t4)
    snap = f"awsbackup:job-{w.uid()}"
    w.ct(
        t4,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        bk,
        {"dBClusterSnapshotIdentifier": snap, "dBClusterIdentifier": "fleet-db"},
        {
            "dBClusterSnapshotIdentifier": snap,
            "dBClusterIdentifier": "fleet-db",
            "status": "creating",
            "engine": "aurora-postgresql",
            "snapshotType": "manual",
        },
        read_only=False,
        agent="backup.amazonaws.com",
        ip="backup.amazonaws.com",
    )
    t5 = onset + timedelta(minutes=r.randint(-200, -60))
    w.ct(
        t5,
        "events.amazonaws.com",
        "PutRule",
        w.role_identity("terraform-apply", "gha-infra-apply", t5),
        {
            "name": "nightly-depot-reconcile",
            "scheduleExpression": "cron(15 1 * * ? *)",
            "state": "ENABLED",
            "eventBusName": "default",
        },
        {"ruleArn": w.arn("events", "rule/nightly-depot-reconcile")},
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1",
        ip=f"52.56.{r.randint(1, 250)}.{r.randint(1, 250)}",
    )


def base_alarms(w: World, start: datetime, dx_con: str, skip: tuple[str, ...] = ()) -> dict[str, J]:
    a: dict[str, J] = {}
    since = start - timedelta(days=w.rng.randint(2, 9), minutes=w.rng.randint(0, 900))
    specs: list[tuple[str, str, str, dict[str, str], str, float, str, int, int, str]] = [
        (
            "telematics-ingest-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "telematics-ingest"},
            "Sum",
            20,
            "GreaterThanThreshold",
            60,
            3,
            "Ingest Lambda errors (vehicle gateway)",
        ),
        (
            "positions-writer-iterator-age",
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "positions-writer"},
            "Maximum",
            120000,
            "GreaterThanThreshold",
            60,
            5,
            "positions-writer falling behind vehicle-positions",
        ),
        (
            "depot-sync-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "depot-sync"},
            "Sum",
            5,
            "GreaterThanThreshold",
            300,
            2,
            "Depot WMS sync failing. Runbook: wiki/Fleet/DepotSync",
        ),
        (
            "fleet-db-writer-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "fleet-db-1"},
            "Average",
            80,
            "GreaterThanThreshold",
            300,
            3,
            "Aurora writer CPU",
        ),
        (
            "dx-ld5-connection-down",
            "AWS/DX",
            "ConnectionState",
            {"ConnectionId": dx_con},
            "Minimum",
            1,
            "LessThanThreshold",
            60,
            2,
            "Direct Connect LD5 to depots down",
        ),
        (
            "geofence-evaluator-duration",
            "AWS/Lambda",
            "Duration",
            {"FunctionName": "geofence-evaluator"},
            "Average",
            140,
            "GreaterThanThreshold",
            60,
            2,
            "geofence-evaluator slow",
        ),
    ]
    for name, ns, metric, dims, stat, thr, op, period, ev, desc in specs:
        if name in skip:
            continue
        a[name] = w.alarm(
            name, ns, metric, dims, stat, thr, op, period=period, evals=ev, since=since, desc=desc
        )
    return a
