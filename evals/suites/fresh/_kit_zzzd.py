"""Private helpers for kit zzzd: an EKS platform account and the telemetry it leaves behind."""

from __future__ import annotations

import json
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


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _num(v: float) -> str:
    return str(float(v))


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """Collects one incident's records; every random choice comes from `rng`."""

    def __init__(self, seed: int, salt: str, region: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(100000000000, 999999999999))
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids -------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def instance_id(self) -> str:
        return "i-0" + self.hexid(16)

    def key(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def private_ip(self, third: int) -> str:
        return f"10.{self.rng.choice([20, 40, 64])}.{third}.{self.rng.randint(4, 250)}"

    # --- identities ------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, path: str = "/") -> dict[str, Any]:
        pid = self.key("AROA")
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
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def sso_identity(self, user: str, perm_set: str) -> dict[str, Any]:
        role = f"AWSReservedSSO_{perm_set}_{self.hexid(16)}"
        return self.role_identity(role, user, f"/aws-reserved/sso.amazonaws.com/{self.region}/")

    # --- records ---------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        ip: str = "",
        agent: str = "",
        error: tuple[str, str] | None = None,
        region: str | None = None,
        resources: list[dict[str, Any]] | None = None,
        invoked_by: str | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        ctx = ident.get("sessionContext", {}).get("attributes")
        if isinstance(ctx, dict) and not ctx.get("creationDate"):
            ctx["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(3, 50)))
        if invoked_by:
            ident["invokedBy"] = invoked_by
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.10",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": invoked_by or ip or "10.0.0.1",
            "userAgent": invoked_by or agent or "aws-cli/2.17.20",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not invoked_by:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{rec['awsRegion']}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    def metric(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 4),
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    # --- alarms ----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        to_alarm: int,
        threshold: float,
        op: str,
        series: dict[datetime, float],
        start: datetime,
        now: datetime,
        topic: str,
        missing: str = "missing",
        unit: str | None = None,
    ) -> dict[str, Any]:
        """Evaluate `series` (period start -> statistic) like CloudWatch, write history, return the alarm
        with its state at `now` and `transitions` [(time, old, new, reason, data)]."""
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        cmp: Callable[[float], bool] = {
            "GreaterThanThreshold": lambda v: v > threshold,
            "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
            "LessThanThreshold": lambda v: v < threshold,
            "LessThanOrEqualToThreshold": lambda v: v <= threshold,
        }[op]
        state = "OK"
        since = start
        transitions: list[tuple[datetime, str, str, str, dict[str, Any]]] = []
        t = start + timedelta(seconds=period * evals)
        word = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]
        while t <= now:
            window = [t - timedelta(seconds=period * (evals - i)) for i in range(evals)]
            vals = [series.get(w) for w in window]
            present = [(w, v) for w, v in zip(window, vals, strict=True) if v is not None]
            breaching = sum(1 for _, v in present if cmp(v))
            if missing == "breaching":
                breaching += evals - len(present)
            new = state
            if breaching >= to_alarm:
                new = "ALARM"
            elif present and breaching == 0 and (len(present) == evals or missing == "notBreaching"):
                new = "OK"
            if new != state:
                shown = sorted(present, key=lambda p: p[0], reverse=True)
                rec = [round(v, 4) for _, v in sorted(present, key=lambda p: p[0])]
                listed = ", ".join(f"{_num(v)} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
                count = breaching if new == "ALARM" else len(present)
                verb = "was" if count == 1 else "were"
                reason = (
                    f"Threshold Crossed: {count} out of the last {evals} datapoint{'s' if evals > 1 else ''} "
                    f"[{listed}] {verb}{'' if new == 'ALARM' else ' not'} {word} the threshold ({float(threshold)}) "
                    + (
                        f"(minimum {to_alarm} datapoint{'s' if to_alarm > 1 else ''} for OK -> ALARM transition)."
                        if new == "ALARM"
                        else "(minimum 1 datapoint for ALARM -> OK transition)."
                    )
                )
                data = {
                    "version": "1.0",
                    "queryDate": iso_ms(t + timedelta(seconds=self.rng.randint(5, 40))),
                    "startDate": iso_ms(window[0]),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": rec,
                    "threshold": float(threshold),
                    "evaluatedDatapoints": [
                        {"timestamp": iso_ms(w), "sampleCount": 1.0, "value": round(v, 4)} for w, v in shown
                    ],
                }
                when = t + timedelta(seconds=self.rng.randint(20, 50))
                transitions.append((when, state, new, reason, data))
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state},
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": reason,
                                    "stateReasonData": data,
                                },
                            }
                        ),
                    }
                )
                if topic:
                    self.history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(when + timedelta(milliseconds=300)),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {topic}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(when),
                                    "notificationResource": topic,
                                    "publishedMessage": json.dumps(
                                        {
                                            "AlarmName": name,
                                            "AlarmDescription": description,
                                            "AWSAccountId": self.account,
                                            "NewStateValue": new,
                                            "NewStateReason": reason,
                                            "StateChangeTime": iso_ms(when),
                                            "Region": self.region,
                                            "AlarmArn": arn,
                                            "OldStateValue": state,
                                        }
                                    ),
                                }
                            ),
                        }
                    )
                state = new
                since = when
            t += timedelta(seconds=period)
        last = transitions[-1] if transitions else None
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(start - timedelta(days=self.rng.randint(20, 300))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": last[3]
            if last
            else "Threshold Crossed: no datapoints were breaching the threshold.",
            "StateUpdatedTimestamp": iso_ms(since if last else start - timedelta(days=2)),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(since if last else start - timedelta(days=2)),
        }
        if last:
            item["StateReasonData"] = json.dumps(last[4])
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        item_copy = dict(item)
        item_copy["transitions"] = transitions
        return item_copy

    def alarm_event(self, alarm: dict[str, Any]) -> dict[str, Any]:
        """The EventBridge event of the alarm's last transition into ALARM."""
        tr = [x for x in alarm["transitions"] if x[2] == "ALARM"][-1]
        when, old, new, reason, data = tr
        prev = [x for x in alarm["transitions"] if x[0] < when]
        prev_t = prev[-1][0] if prev else when - timedelta(days=3)
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": iso_ms(when),
                },
                "previousState": {
                    "value": old,
                    "reason": prev[-1][3]
                    if prev
                    else "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": iso_ms(prev_t),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hexid(8) + "-" + self.hexid(4),
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

    # --- common noise ----------------------------------------------------------------------------
    def tooling_reads(
        self, start: datetime, now: datetime, calls: list[tuple[str, str, dict[str, Any]]]
    ) -> None:
        """A monitoring integration's read-only sweep every 10 minutes."""
        ident = self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration")
        t = start + timedelta(minutes=self.rng.randint(0, 9))
        while t < now:
            for source, name, req in self.rng.sample(calls, k=min(3, len(calls))):
                self.ct(
                    t + timedelta(seconds=self.rng.randint(0, 50)),
                    source,
                    name,
                    ident,
                    req,
                    None,
                    read_only=True,
                    ip="3.233.147.12",
                    agent="Datadog Botocore/1.34.144 Python/3.11.9 Linux/5.10.220",
                )
            t += timedelta(minutes=10)

    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        question: str | None,
        tz: str | None,
        alarm_event: dict[str, Any] | None,
        truth: dict[str, Any],
    ) -> Bundle:
        end = now + timedelta(minutes=5)
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        cut = iso(now)
        trail = sorted((r for r in self.trail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        logs = sorted((x for x in self.logs if x["timestamp"] <= ms(now)), key=lambda x: x["timestamp"])
        metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        hist = sorted(self.history, key=lambda h: h["Timestamp"])
        return Bundle(
            manifest,
            {
                "metrics": metrics,
                "logs": logs,
                "cloudtrail": trail,
                "resources": self.resources,
                "alarms": self.alarms,
                "alarm_history": hist,
                "events": self.events,
            },
        )


AZS = ["a", "b", "c"]


class Node:
    def __init__(self, iid: str, ip: str, az: str, itype: str, launched: datetime) -> None:
        self.id = iid
        self.ip = ip
        self.az = az
        self.type = itype
        self.launched = launched
        self.name = f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal"


class Platform:
    """An EKS cluster with managed node groups, as describe calls return it."""

    def __init__(self, kit: Kit, cluster: str, version: str = "1.30") -> None:
        self.kit = kit
        self.cluster = cluster
        self.version = version
        self.vpc = "vpc-0" + kit.hexid(16)
        self.subnets = {kit.region + z: "subnet-0" + kit.hexid(16) for z in AZS}
        self.node_sg = "sg-0" + kit.hexid(16)
        self.cluster_sg = "sg-0" + kit.hexid(16)
        self.oidc = kit.hexid(32).upper()
        self.node_role = f"{cluster}-node-role"
        self.groups: dict[str, list[Node]] = {}
        self.asg: dict[str, str] = {}

    @property
    def oidc_host(self) -> str:
        return f"oidc.eks.{self.kit.region}.amazonaws.com/id/{self.oidc}"

    def nodes(self, group: str, itype: str, count: int, start: datetime) -> list[Node]:
        out = []
        zs = list(self.subnets)
        for i in range(count):
            az = zs[i % 3]
            ip = f"10.{40 + i % 3}.{self.kit.rng.randint(0, 15) * 16 + self.kit.rng.randint(0, 15)}.{self.kit.rng.randint(5, 250)}"
            launched = start - timedelta(
                days=self.kit.rng.randint(1, 9), minutes=self.kit.rng.randint(0, 1400)
            )
            out.append(Node(self.kit.instance_id(), ip, az, itype, launched))
        self.groups.setdefault(group, []).extend(out)
        self.asg.setdefault(
            group,
            f"eks-{group}-{self.kit.hexid(8)}-{self.kit.hexid(4)}-{self.kit.hexid(4)}-{self.kit.hexid(12)}",
        )
        return out

    def describe(
        self,
        created: datetime,
        sizes: dict[str, tuple[int, int, int]],
        impaired: dict[str, datetime] | None = None,
        gone: set[str] | None = None,
    ) -> None:
        k = self.kit
        acct, region = k.account, k.region
        impaired = impaired or {}
        gone = gone or set()
        k.res(
            "eks",
            "Cluster",
            {
                "name": self.cluster,
                "arn": f"arn:aws:eks:{region}:{acct}:cluster/{self.cluster}",
                "createdAt": iso(created),
                "version": self.version,
                "endpoint": f"https://{self.oidc}.gr7.{region}.eks.amazonaws.com",
                "roleArn": f"arn:aws:iam::{acct}:role/{self.cluster}-cluster-role",
                "resourcesVpcConfig": {
                    "subnetIds": list(self.subnets.values()),
                    "securityGroupIds": [],
                    "clusterSecurityGroupId": self.cluster_sg,
                    "vpcId": self.vpc,
                    "endpointPublicAccess": False,
                    "endpointPrivateAccess": True,
                },
                "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
                "logging": {
                    "clusterLogging": [
                        {"types": ["api", "audit", "authenticator"], "enabled": True},
                        {"types": ["controllerManager", "scheduler"], "enabled": False},
                    ]
                },
                "identity": {"oidc": {"issuer": f"https://{self.oidc_host}"}},
                "status": "ACTIVE",
                "platformVersion": "eks.8",
                "tags": {"team": "platform", "env": "prod"},
                "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
            },
        )
        for group, nodes in self.groups.items():
            mn, mx, desired = sizes[group]
            lt = "lt-0" + k.hexid(16)
            itype = nodes[0].type
            k.res(
                "eks",
                "Nodegroup",
                {
                    "nodegroupName": group,
                    "nodegroupArn": f"arn:aws:eks:{region}:{acct}:nodegroup/{self.cluster}/{group}/{k.uid()}",
                    "clusterName": self.cluster,
                    "version": self.version,
                    "releaseVersion": "1.30.4-20241011",
                    "createdAt": iso(created + timedelta(hours=2)),
                    "modifiedAt": iso(created + timedelta(days=40)),
                    "status": "ACTIVE",
                    "capacityType": "ON_DEMAND",
                    "scalingConfig": {"minSize": mn, "maxSize": mx, "desiredSize": desired},
                    "instanceTypes": [itype],
                    "subnets": list(self.subnets.values()),
                    "amiType": "AL2023_x86_64_STANDARD",
                    "nodeRole": f"arn:aws:iam::{acct}:role/{self.node_role}",
                    "labels": {"workload": group},
                    "resources": {"autoScalingGroups": [{"name": self.asg[group]}]},
                    "diskSize": 80,
                    "health": {"issues": []},
                    "updateConfig": {"maxUnavailable": 1},
                    "launchTemplate": {"name": f"eks-{group}", "version": "3", "id": lt},
                    "tags": {"team": "platform"},
                },
            )
            live = [n for n in nodes if n.id not in gone]
            k.res(
                "autoscaling",
                "AutoScalingGroup",
                {
                    "AutoScalingGroupName": self.asg[group],
                    "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{self.asg[group]}",
                    "MixedInstancesPolicy": {
                        "LaunchTemplate": {
                            "LaunchTemplateSpecification": {"LaunchTemplateId": lt, "Version": "3"},
                            "Overrides": [{"InstanceType": itype}],
                        },
                        "InstancesDistribution": {
                            "OnDemandAllocationStrategy": "prioritized",
                            "OnDemandBaseCapacity": 0,
                            "OnDemandPercentageAboveBaseCapacity": 100,
                            "SpotAllocationStrategy": "lowest-price",
                        },
                    },
                    "MinSize": mn,
                    "MaxSize": mx,
                    "DesiredCapacity": desired,
                    "DefaultCooldown": 300,
                    "AvailabilityZones": list(self.subnets),
                    "HealthCheckType": "EC2",
                    "HealthCheckGracePeriod": 15,
                    "Instances": [
                        {
                            "InstanceId": n.id,
                            "InstanceType": n.type,
                            "AvailabilityZone": n.az,
                            "LifecycleState": "InService",
                            "HealthStatus": "Healthy",
                            "LaunchTemplate": {
                                "LaunchTemplateId": lt,
                                "LaunchTemplateName": f"eks-{group}",
                                "Version": "3",
                            },
                            "ProtectedFromScaleIn": False,
                        }
                        for n in live
                    ],
                    "CreatedTime": iso(created + timedelta(hours=2)),
                    "VPCZoneIdentifier": ",".join(self.subnets.values()),
                    "Tags": [
                        {
                            "ResourceId": self.asg[group],
                            "ResourceType": "auto-scaling-group",
                            "Key": key,
                            "Value": val,
                            "PropagateAtLaunch": True,
                        }
                        for key, val in [
                            ("eks:cluster-name", self.cluster),
                            ("eks:nodegroup-name", group),
                            (f"k8s.io/cluster-autoscaler/{self.cluster}", "owned"),
                            ("k8s.io/cluster-autoscaler/enabled", "true"),
                        ]
                    ],
                    "TerminationPolicies": ["AllocationStrategy", "OldestLaunchTemplate", "OldestInstance"],
                    "CapacityRebalance": False,
                },
            )
            for n in live:
                k.res("ec2", "Instance", self.instance_item(n, group, lt))
                bad = impaired.get(n.id)
                k.res(
                    "ec2",
                    "InstanceStatus",
                    {
                        "AvailabilityZone": n.az,
                        "InstanceId": n.id,
                        "InstanceState": {"Code": 16, "Name": "running"},
                        "InstanceStatus": {
                            "Status": "impaired" if bad else "ok",
                            "Details": [
                                {"Name": "reachability", "Status": "failed", "ImpairedSince": iso(bad)}
                                if bad
                                else {"Name": "reachability", "Status": "passed"}
                            ],
                        },
                        "SystemStatus": {
                            "Status": "ok",
                            "Details": [{"Name": "reachability", "Status": "passed"}],
                        },
                    },
                )

    def instance_item(self, n: Node, group: str, lt: str) -> dict[str, Any]:
        k = self.kit
        return {
            "InstanceId": n.id,
            "ImageId": "ami-0" + k.hexid(16),
            "InstanceType": n.type,
            "LaunchTime": iso(n.launched),
            "Placement": {"AvailabilityZone": n.az, "Tenancy": "default"},
            "PrivateDnsName": n.name,
            "PrivateIpAddress": n.ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": self.subnets[n.az],
            "VpcId": self.vpc,
            "Architecture": "x86_64",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/eks-{k.hexid(8)}",
                "Id": k.key("AIPA"),
            },
            "SecurityGroups": [{"GroupName": f"eks-cluster-sg-{self.cluster}", "GroupId": self.cluster_sg}],
            "Tags": [
                {"Key": "eks:cluster-name", "Value": self.cluster},
                {"Key": "eks:nodegroup-name", "Value": group},
                {"Key": "aws:autoscaling:groupName", "Value": self.asg[group]},
                {"Key": "aws:ec2launchtemplate:id", "Value": lt},
                {"Key": "Name", "Value": f"{self.cluster}-{group}"},
            ],
        }


def wave(t: datetime, base: float, amp: float, peak_hour: float = 15.0) -> float:
    """A smooth daily traffic curve peaking at `peak_hour` UTC."""
    import math

    h = t.hour + t.minute / 60
    return base + amp * math.cos((h - peak_hour) / 24 * 2 * math.pi)


def cw_log(
    kit: Kit,
    cluster: str,
    node: Node,
    pod: str,
    ns: str,
    container: str,
    t: datetime,
    line: str,
    stream: str = "stdout",
) -> None:
    """A Container Insights (Fluent Bit) application log event."""
    cid = pod[-5:] + "0" * 59
    kit.log(
        f"/aws/containerinsights/{cluster}/application",
        f"{pod}_{ns}_{container}-{cid}",
        t,
        json.dumps(
            {
                "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}000Z",
                "stream": stream,
                "_p": "F",
                "log": line,
                "kubernetes": {
                    "pod_name": pod,
                    "namespace_name": ns,
                    "container_name": container,
                    "host": node.name,
                },
            },
            separators=(",", ":"),
        ),
    )


def alb(
    kit: Kit, plat: Platform, ingress: str, ns: str, svc: str, port: int, created: datetime
) -> tuple[str, str, str, str]:
    """An ALB created by the AWS Load Balancer Controller for an ingress (IP targets); returns
    (load balancer ARN, its `LoadBalancer` dimension, target group ARN, its `TargetGroup` dimension)."""
    h = kit.hexid(10)
    name = f"k8s-{ns[:8]}-{ingress[:8]}-{h}"
    lb_id = kit.hexid(16)
    lb_arn = f"arn:aws:elasticloadbalancing:{kit.region}:{kit.account}:loadbalancer/app/{name}/{lb_id}"
    tg_name = f"k8s-{ns[:8]}-{svc[:8]}-{kit.hexid(10)}"
    tg_id = kit.hexid(16)
    tg_arn = f"arn:aws:elasticloadbalancing:{kit.region}:{kit.account}:targetgroup/{tg_name}/{tg_id}"
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"internal-{name}-{kit.rng.randint(100000000, 999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internet-facing",
            "VpcId": plat.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in plat.subnets.items()],
            "SecurityGroups": ["sg-0" + kit.hexid(16)],
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": plat.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return lb_arn, f"app/{name}/{lb_id}", tg_arn, f"targetgroup/{tg_name}/{tg_id}"


def alb_minute(
    kit: Kit,
    lb: str,
    tg: str,
    t: datetime,
    requests: float,
    latency: float,
    t5xx: float,
    e5xx: float,
    healthy: int,
    unhealthy: int,
) -> None:
    """One minute of the ALB metrics AWS publishes (5XX counts only when non-zero)."""
    both = {"LoadBalancer": lb, "TargetGroup": tg}
    ns = "AWS/ApplicationELB"
    kit.metric(ns, "RequestCount", {"LoadBalancer": lb}, t, round(requests), "Count")
    kit.metric(ns, "RequestCount", both, t, round(requests), "Count")
    kit.metric(ns, "TargetResponseTime", {"LoadBalancer": lb}, t, latency, "Seconds")
    kit.metric(ns, "TargetResponseTime", both, t, latency, "Seconds")
    if round(t5xx) > 0:
        kit.metric(ns, "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb}, t, round(t5xx), "Count")
        kit.metric(ns, "HTTPCode_Target_5XX_Count", both, t, round(t5xx), "Count")
    if round(e5xx) > 0:
        kit.metric(ns, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": lb}, t, round(e5xx), "Count")
    kit.metric(ns, "HealthyHostCount", both, t, healthy, "Count")
    kit.metric(ns, "UnHealthyHostCount", both, t, unhealthy, "Count")


def role_item(
    kit: Kit, name: str, trust: dict[str, Any], created: datetime, last_used: datetime, description: str
) -> dict[str, Any]:
    from urllib.parse import quote

    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": kit.key("AROA"),
        "Arn": f"arn:aws:iam::{kit.account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": quote(json.dumps(trust, separators=(",", ":")), safe=""),
        "Description": description,
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": "managed-by", "Value": "terraform"}],
        "RoleLastUsed": {"LastUsedDate": iso(last_used), "Region": kit.region},
    }


def irsa_trust(account: str, oidc_host: str, sa: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{oidc_host}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{oidc_host}:sub": sa, f"{oidc_host}:aud": "sts.amazonaws.com"}
                },
            }
        ],
    }
