"""Private helpers for kit zzn's EKS incidents: ids, CloudTrail records, metric series, alarms."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

Rec = dict[str, Any]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


class Kit:
    """Everything one incident build needs, driven by one seeded Random."""

    def __init__(self, seed: int, region: str, base_day: datetime, hour: int) -> None:
        self.rng = random.Random(seed)
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        day = base_day + timedelta(days=self.rng.randint(0, 120))
        self.t0 = day.replace(hour=hour, minute=self.rng.randint(0, 50), second=0, tzinfo=UTC)
        self.cloudtrail: list[Rec] = []
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ---------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def iid(self) -> str:
        return "i-0" + self.hex(16)

    def upper_id(self, prefix: str, n: int = 16) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- identities --------------------------------------------------------------------------
    def sso(self, person: str, perm_set: str = "PlatformAdmin") -> Rec:
        suffix = self.hex(16)
        role = f"AWSReservedSSO_{perm_set}_{suffix}"
        return {
            "type": "AssumedRole",
            "principalId": f"{self.upper_id('AROA', 17)}:{person}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{person}",
            "accountId": self.account,
            "accessKeyId": self.upper_id("ASIA"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.upper_id("AROA", 17),
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role_session(self, role: str, session: str, web_identity: str | None = None) -> Rec:
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{self.upper_id('AROA', 17)}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.upper_id("ASIA"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.upper_id("AROA", 17),
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if web_identity:
            ident["sessionContext"]["webIdFederationData"] = {
                "federatedProvider": web_identity,
                "attributes": {},
            }
        return ident

    def service_identity(self, service: str) -> Rec:
        return {"type": "AWSService", "invokedBy": service}

    # --- CloudTrail --------------------------------------------------------------------------
    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        ident: Rec,
        params: Any = None,
        response: Any = None,
        *,
        read_only: bool = False,
        ip: str = "10.0.0.1",
        agent: str = "aws-cli/2.15.30",
        error: tuple[str, str] | None = None,
        region: str | None = None,
        extra: Rec | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(ident))
        attrs = ident.get("sessionContext", {}).get("attributes")
        if attrs is not None:
            attrs["creationDate"] = iso(when - timedelta(minutes=self.rng.randint(2, 50)))
        rec: Rec = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.uid()
        rec["eventID"] = self.uid()
        rec["readOnly"] = read_only
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        if extra:
            rec.update(extra)
        rec["eventCategory"] = "Management"
        if ident.get("type") != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": "iam.amazonaws.com"
                if source == "iam.amazonaws.com"
                else f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return rec

    def readonly_noise(self, start: datetime, end: datetime, every_min: float, callers: list[tuple]) -> None:
        """Read-only calls from tooling. callers: (ident, source, name, params, ip, agent)."""
        t = start + timedelta(seconds=self.rng.randint(5, 200))
        while t < end:
            ident, source, name, params, ip, agent = self.rng.choice(callers)
            self.ct(t, source, name, ident, params, None, read_only=True, ip=ip, agent=agent)
            t += timedelta(seconds=int(self.rng.expovariate(1 / (every_min * 60))) + 20)

    # --- metrics -----------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        digits: int = 2,
    ) -> None:
        t = start
        while t <= end:
            v = fn(t)
            if v is not None:
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), digits),
                    }
                )
            t += timedelta(seconds=step)

    def stat_series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], tuple[float, float, float, float] | None],
        step: int = 60,
    ) -> None:
        """fn gives (count, sum, min, max) or None for no datapoint."""
        t = start
        while t <= end:
            v = fn(t)
            if v is not None:
                n, s, lo, hi = v
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "statistic_values": {
                            "SampleCount": float(n),
                            "Sum": round(s, 4),
                            "Minimum": round(lo, 4),
                            "Maximum": round(hi, 4),
                        },
                    }
                )
            t += timedelta(seconds=step)

    # --- alarms ------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        threshold: float,
        op: str,
        period: int = 60,
        evals: int = 3,
        dta: int | None = None,
        missing: str = "notBreaching",
        description: str = "",
        topic: str = "",
        unit: str | None = None,
        transitions: list[tuple[datetime, str, str]] | None = None,
        created: datetime | None = None,
    ) -> Rec:
        """transitions: (time, new state, reason), oldest first; the last one is the state at `now`."""
        transitions = transitions or []
        state, reason, when = "OK", "", created or self.t0 - timedelta(days=40)
        if transitions:
            when, state, reason = transitions[-1]
        else:
            reason = f"Threshold Crossed: {evals} datapoints were not {'greater' if 'Greater' in op else 'less'} than the threshold ({threshold})."
        alarm: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(created or self.t0 - timedelta(days=40)),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(when),
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
            "StateTransitionedTimestamp": iso(when),
        }
        if unit:
            alarm["Unit"] = unit
        self.alarms.append(alarm)
        prev = "OK"
        for t, new, why in transitions:
            data = {
                "version": "1.0",
                "oldState": {"stateValue": prev, "stateReason": "(previous)"},
                "newState": {
                    "stateValue": new,
                    "stateReason": why,
                    "stateReasonData": {
                        "version": "1.0",
                        "queryDate": iso_ms(t),
                        "statistic": stat,
                        "period": period,
                        "threshold": threshold,
                        "evaluatedDatapoints": [],
                    },
                },
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
            prev = new
        return alarm

    def alarm_event(self, alarm: Rec, when: datetime, prev_state: str, prev_time: datetime) -> Rec:
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
                    "value": alarm["StateValue"],
                    "reason": alarm["StateReason"],
                    "timestamp": iso_ms(when).replace("Z", "+0000"),
                },
                "previousState": {
                    "value": prev_state,
                    "reason": "Threshold Crossed: datapoints were within the threshold.",
                    "timestamp": iso_ms(prev_time).replace("Z", "+0000"),
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

    # --- resources / logs --------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}
        )

    def container_log(
        self, cluster: str, node: str, pod: Rec, when: datetime, line: str, stream: str = "stdout"
    ) -> None:
        """A container log line as the Container Insights Fluent Bit DaemonSet ships it."""
        body = {
            "time": iso_ms(when).replace("Z", "") + f"{self.rng.randint(0, 999999):06d}Z",
            "stream": stream,
            "_p": "F",
            "log": line,
            "kubernetes": {
                "pod_name": pod["name"],
                "namespace_name": pod["ns"],
                "pod_id": pod["uid"],
                "host": node,
                "container_name": pod["container"],
                "docker_id": pod["cid"],
                "container_hash": pod["image_hash"],
                "container_image": pod["image"],
            },
        }
        stream_name = f"{node}-application.var.log.containers.{pod['name']}_{pod['ns']}_{pod['container']}-{pod['cid']}.log"
        self.log(f"/aws/containerinsights/{cluster}/application", stream_name, when, json.dumps(body))

    def pod(self, ns: str, deploy: str, rs: str, container: str, image: str, node: str, ip: str) -> Rec:
        suffix = "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        return {
            "name": f"{deploy}-{rs}-{suffix}",
            "ns": ns,
            "uid": self.uid(),
            "container": container,
            "cid": self.hex(64),
            "image": image,
            "image_hash": image.split(":")[0] + "@sha256:" + self.hex(64),
            "node": node,
            "ip": ip,
        }

    def records(self) -> dict[str, list[Rec]]:
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
        }
        return {k: v for k, v in out.items() if v}


def policy_text(doc: Rec) -> str:
    """A policy document as IAM returns it from GetRole: URL-encoded JSON."""
    return quote(json.dumps(doc, separators=(",", ":")), safe="")


def noisy(rng: random.Random, base: float, jitter: float) -> float:
    return max(0.0, base * (1 + rng.uniform(-jitter, jitter)))


def diurnal(t: datetime, peak_hour: float, low: float, high: float) -> float:
    """A smooth daily traffic curve between low and high, peaking at peak_hour UTC."""
    import math

    h = t.hour + t.minute / 60
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    return low + (high - low) * (x + 1) / 2


class Cluster:
    """A small EKS cluster: VPC, three private subnets, one managed node group, an ALB ingress."""

    def __init__(
        self,
        k: Kit,
        name: str,
        ns: str,
        services: list[str],
        nodes: int,
        instance_type: str,
        start: datetime,
        subnet_sizes: tuple[int, int, int] = (20, 20, 20),
    ) -> None:
        self.k = k
        self.name = name
        self.ns = ns
        self.start = start
        r = k.region
        self.vpc = "vpc-0" + k.hex(16)
        self.oidc_id = k.hex(32).upper()
        self.oidc = f"oidc.eks.{r}.amazonaws.com/id/{self.oidc_id}"
        self.azs = [f"{r}a", f"{r}b", f"{r}c"]
        self.subnets: list[Rec] = []
        second = k.rng.choice([16, 20, 40, 64])
        for i, az in enumerate(self.azs):
            size = subnet_sizes[i]
            cidr = f"10.{second}.{i * 32}.0/{size}" if size <= 19 else f"10.{second}.{i * 16}.0/{size}"
            sid = "subnet-0" + k.hex(16)
            self.subnets.append(
                {
                    "AvailabilityZone": az,
                    "AvailabilityZoneId": f"{r[:3]}{r.split('-')[1][:1]}{r[-1]}-az{i + 1}",
                    "AvailableIpAddressCount": 2 ** (32 - size) - 5 - k.rng.randint(40, 90),
                    "CidrBlock": cidr,
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": False,
                    "State": "available",
                    "SubnetId": sid,
                    "VpcId": self.vpc,
                    "OwnerId": k.account,
                    "AssignIpv6AddressOnCreation": False,
                    "Ipv6CidrBlockAssociationSet": [],
                    "Tags": [
                        {"Key": "Name", "Value": f"{name}-private-{az}"},
                        {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
                        {"Key": f"kubernetes.io/cluster/{name}", "Value": "shared"},
                    ],
                    "SubnetArn": k.arn("ec2", f"subnet/{sid}"),
                    "EnableDns64": False,
                    "Ipv6Native": False,
                    "PrivateDnsNameOptionsOnLaunch": {
                        "HostnameType": "ip-name",
                        "EnableResourceNameDnsARecord": False,
                        "EnableResourceNameDnsAAAARecord": False,
                    },
                }
            )
        self.second = second
        self.node_role = f"{name}-node-role"
        self.ng = f"{name}-general-{k.hex(4)}"
        self.ng_uuid = k.uid()
        self.asg = f"eks-{self.ng}-{self.ng_uuid}"
        self.instance_type = instance_type
        self.nodes: list[Rec] = []
        for i in range(nodes):
            self.add_node(i % 3, start - timedelta(days=k.rng.randint(2, 20), minutes=k.rng.randint(0, 600)))
        self.lb_name = f"k8s-{ns[:7]}-{ns[:4]}ingr-{k.hex(10)}"
        self.lb_id = k.hex(16)
        self.lb_dim = f"app/{self.lb_name}/{self.lb_id}"
        self.lb_arn = k.arn("elasticloadbalancing", f"loadbalancer/{self.lb_dim}")
        self.tgs: dict[str, tuple[str, str]] = {}
        for svc in services:
            tg_name = f"k8s-{ns[:7]}-{svc.replace('-', '')[:7]}-{k.hex(10)}"
            tg_dim = f"targetgroup/{tg_name}/{k.hex(16)}"
            self.tgs[svc] = (tg_dim, k.arn("elasticloadbalancing", tg_dim))
        self.sg_cluster = "sg-0" + k.hex(16)
        self.sg_lb = "sg-0" + k.hex(16)

    def add_node(self, az_index: int, launched: datetime) -> Rec:
        k = self.k
        sub = self.subnets[az_index]
        base = sub["CidrBlock"].split("/")[0].split(".")
        ip = f"{base[0]}.{base[1]}.{int(base[2]) + k.rng.randint(0, 3)}.{k.rng.randint(10, 250)}"
        dns = f"ip-{ip.replace('.', '-')}.{'ec2.internal' if k.region == 'us-east-1' else k.region + '.compute.internal'}"
        node = {
            "id": k.iid(),
            "ip": ip,
            "dns": dns,
            "az": sub["AvailabilityZone"],
            "subnet": sub["SubnetId"],
            "launched": launched,
            "eni": "eni-0" + k.hex(16),
            "state": "running",
        }
        self.nodes.append(node)
        return node

    def pod_ip(self, node: Rec) -> str:
        base = node["ip"].split(".")
        return f"{base[0]}.{base[1]}.{base[2]}.{self.k.rng.randint(10, 250)}"

    def emit_resources(self, now: datetime, k8s_version: str = "1.29") -> None:
        k = self.k
        for s in self.subnets:
            k.res("ec2", "Subnet", s)
        k.res(
            "ec2",
            "Vpc",
            {
                "CidrBlock": f"10.{self.second}.0.0/16",
                "DhcpOptionsId": "dopt-0" + k.hex(16),
                "State": "available",
                "VpcId": self.vpc,
                "OwnerId": k.account,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": f"{self.name}-vpc"}],
            },
        )
        created = self.start - timedelta(days=400)
        k.res(
            "eks",
            "Cluster",
            {
                "name": self.name,
                "arn": k.arn("eks", f"cluster/{self.name}"),
                "createdAt": iso(created),
                "version": k8s_version,
                "endpoint": f"https://{self.oidc_id}.gr7.{k.region}.eks.amazonaws.com",
                "roleArn": f"arn:aws:iam::{k.account}:role/{self.name}-cluster-role",
                "resourcesVpcConfig": {
                    "subnetIds": [s["SubnetId"] for s in self.subnets],
                    "securityGroupIds": [],
                    "clusterSecurityGroupId": self.sg_cluster,
                    "vpcId": self.vpc,
                    "endpointPublicAccess": True,
                    "endpointPrivateAccess": True,
                    "publicAccessCidrs": ["0.0.0.0/0"],
                },
                "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
                "logging": {
                    "clusterLogging": [
                        {"types": ["api", "audit", "authenticator"], "enabled": True},
                        {"types": ["controllerManager", "scheduler"], "enabled": False},
                    ]
                },
                "identity": {"oidc": {"issuer": f"https://{self.oidc}"}},
                "status": "ACTIVE",
                "platformVersion": "eks.8",
                "tags": {"team": "platform"},
                "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
            },
        )
        k.res(
            "eks",
            "Nodegroup",
            {
                "nodegroupName": self.ng,
                "nodegroupArn": k.arn("eks", f"nodegroup/{self.name}/{self.ng}/{self.ng_uuid}"),
                "clusterName": self.name,
                "version": k8s_version,
                "releaseVersion": f"{k8s_version}.0-20240{k.rng.randint(4, 9)}{k.rng.randint(10, 28)}",
                "createdAt": iso(created + timedelta(days=30)),
                "modifiedAt": iso(self.start - timedelta(days=12)),
                "status": "ACTIVE",
                "capacityType": "ON_DEMAND",
                "scalingConfig": {"minSize": 3, "maxSize": 12, "desiredSize": self.desired},
                "instanceTypes": [self.instance_type],
                "subnets": [s["SubnetId"] for s in self.subnets],
                "amiType": "AL2_x86_64",
                "nodeRole": f"arn:aws:iam::{k.account}:role/{self.node_role}",
                "labels": {"workload": "general"},
                "resources": {"autoScalingGroups": [{"name": self.asg}]},
                "diskSize": 50,
                "health": {"issues": []},
                "updateConfig": {"maxUnavailable": 1},
                "tags": {"team": "platform"},
            },
        )
        live = [n for n in self.nodes if n["state"] == "running"]
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": k.arn(
                    "autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{self.asg}"
                ),
                "MixedInstancesPolicy": {
                    "LaunchTemplate": {
                        "LaunchTemplateSpecification": {
                            "LaunchTemplateId": "lt-0" + k.hex(16),
                            "LaunchTemplateName": f"eks-{self.ng_uuid}",
                            "Version": "1",
                        },
                        "Overrides": [{"InstanceType": self.instance_type}],
                    },
                    "InstancesDistribution": {
                        "OnDemandAllocationStrategy": "prioritized",
                        "OnDemandBaseCapacity": 0,
                        "OnDemandPercentageAboveBaseCapacity": 100,
                        "SpotAllocationStrategy": "lowest-price",
                    },
                },
                "MinSize": 3,
                "MaxSize": 12,
                "DesiredCapacity": self.desired,
                "DefaultCooldown": 300,
                "AvailabilityZones": self.azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 15,
                "Instances": [
                    {
                        "InstanceId": n["id"],
                        "InstanceType": self.instance_type,
                        "AvailabilityZone": n["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": "lt-0" + k.hex(16),
                            "LaunchTemplateName": f"eks-{self.ng_uuid}",
                            "Version": "1",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for n in live
                ],
                "CreatedTime": iso(created + timedelta(days=30)),
                "VPCZoneIdentifier": ",".join(s["SubnetId"] for s in self.subnets),
                "TerminationPolicies": ["AllocationStrategy", "OldestLaunchTemplate", "OldestInstance"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": True,
                "Tags": [
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": f"k8s.io/cluster-autoscaler/{self.name}",
                        "Value": "owned",
                        "PropagateAtLaunch": True,
                    },
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "k8s.io/cluster-autoscaler/enabled",
                        "Value": "true",
                        "PropagateAtLaunch": True,
                    },
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "eks:nodegroup-name",
                        "Value": self.ng,
                        "PropagateAtLaunch": True,
                    },
                ],
            },
        )
        for n in self.nodes:
            if n["state"] != "gone":
                self.emit_instance(n)
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.lb_arn,
                "DNSName": f"internal-{self.lb_name}-{k.rng.randint(100000000, 999999999)}.{k.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": iso(created + timedelta(days=60)),
                "LoadBalancerName": self.lb_name,
                "Scheme": "internet-facing",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": s["AvailabilityZone"], "SubnetId": s["SubnetId"]} for s in self.subnets
                ],
                "SecurityGroups": [self.sg_lb],
                "IpAddressType": "ipv4",
            },
        )
        for tg_dim, tg_arn in self.tgs.values():
            k.res(
                "elbv2",
                "TargetGroup",
                {
                    "TargetGroupArn": tg_arn,
                    "TargetGroupName": tg_dim.split("/")[1],
                    "Protocol": "HTTP",
                    "Port": 8080,
                    "VpcId": self.vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 2,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [self.lb_arn],
                    "TargetType": "ip",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                },
            )
        for group, days in (
            (f"/aws/containerinsights/{self.name}/application", 14),
            (f"/aws/containerinsights/{self.name}/dataplane", 7),
            (f"/aws/containerinsights/{self.name}/host", 7),
            (f"/aws/containerinsights/{self.name}/performance", 1),
            (f"/aws/eks/{self.name}/cluster", 30),
        ):
            k.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": group,
                    "creationTime": ms(created + timedelta(days=61)),
                    "retentionInDays": days,
                    "metricFilterCount": 0,
                    "arn": k.arn("logs", f"log-group:{group}:*"),
                    "storedBytes": k.rng.randint(10**9, 9 * 10**10),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": k.arn("logs", f"log-group:{group}"),
                },
            )

    @property
    def desired(self) -> int:
        return len([n for n in self.nodes if n["state"] == "running"])

    def emit_instance(self, n: Rec) -> None:
        k = self.k
        running = n["state"] == "running"
        item: Rec = {
            "AmiLaunchIndex": 0,
            "ImageId": "ami-0" + k.hex(16),
            "InstanceId": n["id"],
            "InstanceType": self.instance_type,
            "LaunchTime": iso(n["launched"]),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": n["az"], "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": n["dns"],
            "PrivateIpAddress": n["ip"],
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": {"Code": 16, "Name": "running"} if running else {"Code": 48, "Name": "terminated"},
            "StateTransitionReason": "" if running else n.get("reason", ""),
            "SubnetId": n["subnet"] if running else "",
            "VpcId": self.vpc if running else "",
            "Architecture": "x86_64",
            "EbsOptimized": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/eks-{self.ng_uuid}",
                "Id": k.upper_id("AIPA", 17),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(n["launched"]),
                        "AttachmentId": "eni-attach-0" + k.hex(16),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": [{"GroupName": f"eks-cluster-sg-{self.name}", "GroupId": self.sg_cluster}],
                    "MacAddress": ":".join(k.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": n["eni"],
                    "OwnerId": k.account,
                    "PrivateDnsName": n["dns"],
                    "PrivateIpAddress": n["ip"],
                    "PrivateIpAddresses": [
                        {"Primary": True, "PrivateIpAddress": n["ip"], "PrivateDnsName": n["dns"]}
                    ],
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": n["subnet"],
                    "VpcId": self.vpc,
                    "InterfaceType": "interface",
                }
            ]
            if running
            else [],
            "SecurityGroups": [{"GroupName": f"eks-cluster-sg-{self.name}", "GroupId": self.sg_cluster}],
            "Tags": [
                {"Key": "eks:cluster-name", "Value": self.name},
                {"Key": "eks:nodegroup-name", "Value": self.ng},
                {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                {"Key": f"kubernetes.io/cluster/{self.name}", "Value": "owned"},
                {"Key": "Name", "Value": f"{self.name}-general"},
            ],
            "VirtualizationType": "hvm",
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
        }
        if not running:
            item["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
        k.res("ec2", "Instance", item)
        if running:
            bad = n.get("status_failed")
            k.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": n["az"],
                    "InstanceId": n["id"],
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Details": [
                            {
                                "Name": "reachability",
                                "Status": "failed" if bad else "passed",
                                **({"ImpairedSince": iso(bad)} if bad else {}),
                            }
                        ],
                        "Status": "impaired" if bad else "ok",
                    },
                    "SystemStatus": {
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                        "Status": "ok",
                    },
                },
            )

    # --- recurring background of a healthy cluster -----------------------------------------------
    def irsa_ident(self, role: str, ns: str, sa: str) -> tuple[Rec, Rec]:
        """(identity of the AssumeRoleWithWebIdentity caller, identity of the resulting session)."""
        k = self.k
        caller = {
            "type": "WebIdentityUser",
            "principalId": f"arn:aws:iam::{k.account}:oidc-provider/{self.oidc}:sts.amazonaws.com:system:serviceaccount:{ns}:{sa}",
            "userName": f"system:serviceaccount:{ns}:{sa}",
            "identityProvider": f"arn:aws:iam::{k.account}:oidc-provider/{self.oidc}",
        }
        session = k.role_session(
            role,
            f"botocore-session-{k.rng.randint(1700000000, 1799999999)}",
            f"arn:aws:iam::{k.account}:oidc-provider/{self.oidc}",
        )
        return caller, session

    def assume_web_identity(
        self, when: datetime, role: str, ns: str, sa: str, ip: str, agent: str, error: bool = False
    ) -> Rec:
        k = self.k
        caller, _ = self.irsa_ident(role, ns, sa)
        session = f"botocore-session-{int(when.timestamp())}" if "Boto" in agent else str(ms(when))
        params = {
            "roleArn": f"arn:aws:iam::{k.account}:role/{role}",
            "roleSessionName": session,
        }
        response = None
        if not error:
            response = {
                "credentials": {
                    "accessKeyId": k.upper_id("ASIA"),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.hex(24) + "...",
                    "expiration": (when + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
                "subjectFromWebIdentityToken": f"system:serviceaccount:{ns}:{sa}",
                "assumedRoleUser": {
                    "assumedRoleId": f"{k.upper_id('AROA', 17)}:{session}",
                    "arn": f"arn:aws:sts::{k.account}:assumed-role/{role}/{session}",
                },
                "provider": f"arn:aws:iam::{k.account}:oidc-provider/{self.oidc}",
                "audience": "sts.amazonaws.com",
            }
        return k.ct(
            when,
            "sts.amazonaws.com",
            "AssumeRoleWithWebIdentity",
            caller,
            params,
            response,
            read_only=True,
            ip=ip,
            agent=agent,
            error=("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
            if error
            else None,
            extra={
                "resources": [{"accountId": k.account, "type": "AWS::IAM::Role", "ARN": params["roleArn"]}]
            },
        )

    def background(self, start: datetime, end: datetime, controllers: bool = True) -> None:
        """Controllers refreshing IRSA credentials, aws-node and kubelet calls, dashboards reading."""
        k = self.k
        live = [n for n in self.nodes if n["launched"] < start]
        if controllers:
            for role, ns, sa, agent in (
                (
                    f"{self.name}-aws-load-balancer-controller",
                    "kube-system",
                    "aws-load-balancer-controller",
                    "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
                ),
                (
                    f"{self.name}-cluster-autoscaler",
                    "kube-system",
                    "cluster-autoscaler",
                    "aws-sdk-go/1.48.7 (go1.21.5; linux; amd64)",
                ),
                (
                    f"{self.name}-ebs-csi-controller",
                    "kube-system",
                    "ebs-csi-controller-sa",
                    "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.7",
                ),
            ):
                t = start + timedelta(minutes=k.rng.randint(1, 50))
                ip = self.pod_ip(k.rng.choice(live))
                while t < end:
                    self.assume_web_identity(t, role, ns, sa, ip, agent)
                    t += timedelta(minutes=45, seconds=k.rng.randint(0, 240))
        node_ident = k.role_session(self.node_role, "i-0" + k.hex(16))
        ca_ident = k.role_session(f"{self.name}-cluster-autoscaler", f"{ms(start)}")
        dash = k.role_session("grafana-cloudwatch-reader", "grafana")
        callers = [
            (
                node_ident,
                "ec2.amazonaws.com",
                "DescribeInstances",
                {"instancesSet": {"items": [{"instanceId": live[0]["id"]}]}, "filterSet": {}},
                live[0]["ip"],
                "aws-sdk-go/1.50.30 (go1.21.8; linux; amd64) amazon-vpc-cni-k8s/v1.18.1",
            ),
            (
                node_ident,
                "ec2.amazonaws.com",
                "DescribeNetworkInterfaces",
                {
                    "networkInterfaceIdSet": {},
                    "filterSet": {
                        "items": [
                            {
                                "name": "tag-key",
                                "valueSet": {"items": [{"value": "node.k8s.amazonaws.com/instance_id"}]},
                            }
                        ]
                    },
                },
                live[1]["ip"],
                "aws-sdk-go/1.50.30 (go1.21.8; linux; amd64) amazon-vpc-cni-k8s/v1.18.1",
            ),
            (
                node_ident,
                "ecr.amazonaws.com",
                "GetAuthorizationToken",
                {"registryIds": [k.account]},
                live[-1]["ip"],
                "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 ecr-credential-provider",
            ),
            (
                ca_ident,
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                {"maxRecords": 100},
                self.pod_ip(live[0]),
                "aws-sdk-go/1.48.7 (go1.21.5; linux; amd64) cluster-autoscaler/v1.29.0",
            ),
            (
                ca_ident,
                "ec2.amazonaws.com",
                "DescribeLaunchTemplateVersions",
                {
                    "DescribeLaunchTemplateVersionsRequest": {
                        "LaunchTemplateName": f"eks-{self.ng_uuid}",
                        "LaunchTemplateVersion": {"content": "1", "tag": 1},
                    }
                },
                self.pod_ip(live[0]),
                "aws-sdk-go/1.48.7 (go1.21.5; linux; amd64) cluster-autoscaler/v1.29.0",
            ),
            (
                dash,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"maxRecords": 100},
                "34.240.19.8",
                "Grafana/10.4.1 aws-sdk-go/1.50.8",
            ),
            (
                dash,
                "monitoring.amazonaws.com",
                "ListMetrics",
                {"namespace": "ContainerInsights"},
                "34.240.19.8",
                "Grafana/10.4.1 aws-sdk-go/1.50.8",
            ),
            (
                dash,
                "eks.amazonaws.com",
                "DescribeCluster",
                {"name": self.name},
                "34.240.19.8",
                "Grafana/10.4.1 aws-sdk-go/1.50.8",
            ),
        ]
        k.readonly_noise(start, end, 3.0, callers)

    def node_metrics(
        self,
        start: datetime,
        end: datetime,
        cpu: Callable[[Rec, datetime], float | None],
        mem: Callable[[Rec, datetime], float | None],
        pods: Callable[[Rec, datetime], float | None],
    ) -> None:
        k = self.k
        for n in self.nodes:
            dims = {"ClusterName": self.name, "InstanceId": n["id"], "NodeName": n["dns"]}

            def alive(
                f: Callable[[Rec, datetime], float | None], node: Rec = n
            ) -> Callable[[datetime], float | None]:
                def g(t: datetime) -> float | None:
                    if t < node["launched"] + timedelta(minutes=2):
                        return None
                    if node.get("gone_at") and t >= node["gone_at"]:
                        return None
                    return f(node, t)

                return g

            k.series("ContainerInsights", "node_cpu_utilization", dims, "Percent", start, end, alive(cpu))
            k.series("ContainerInsights", "node_memory_utilization", dims, "Percent", start, end, alive(mem))
            k.series(
                "ContainerInsights",
                "node_number_of_running_pods",
                dims,
                "Count",
                start,
                end,
                alive(pods),
                digits=0,
            )
