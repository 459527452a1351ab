"""Private helpers for kit `zzk`: a three-tier account on EC2 (public ALB, web ASG, internal service,
RDS, ElastiCache) with the noise a real account carries."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident under construction."""

    def __init__(self, seed: int, salt: str, region: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # ids ------------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.rng.randint(0, 3)]}{h[17:20]}-{h[20:]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def day(self, earliest: datetime, spread_days: int) -> datetime:
        return earliest + timedelta(days=self.rng.randint(0, spread_days))

    # records ------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def put(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": value,
            }
        )

    def put_stats(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, samples: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(samples)),
                    "Sum": round(sum(samples), 6),
                    "Minimum": round(min(samples), 6),
                    "Maximum": round(max(samples), 6),
                },
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        start: datetime,
        end: datetime,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        digits: int = 3,
    ) -> None:
        t = start
        while t <= end:
            v = fn(t)
            if v is not None:
                self.put(ns, name, dims, t, unit, round(v, digits))
            t += timedelta(seconds=step)

    def noise(self, base: float, rel: float = 0.05) -> float:
        return base * (1 + self.rng.gauss(0, rel))

    # CloudTrail ------------------------------------------------------------------------------------
    def sso_identity(self, user: str, role: str = "AWSReservedSSO_PowerUserAccess_3f9a1c2d7e6b5a48") -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role_identity(self, role: str, session: str) -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/",
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(3, 50))
            )
        eid = self.uuid()
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.rng.randint(80, 200)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uuid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
        }
        self.trail.append(rec)
        return eid

    def readonly_noise(
        self, start: datetime, end: datetime, count: int, calls: list[tuple[str, str, Rec | None]]
    ) -> None:
        """Tooling polling describe calls: a monitoring SaaS role, Terraform plans, the console."""
        idents = [
            (
                self.role_identity("datadog-integration", "DatadogAWSIntegration"),
                "Datadog/1.0 aws-sdk-go/1.44.327",
                "3.233.146.94",
            ),
            (
                self.role_identity("atlantis-terraform-plan", "atlantis-plan"),
                "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1",
                "52.17.84.20",
            ),
            (
                self.sso_identity("ops.viewer", "AWSReservedSSO_ReadOnlyAccess_8c1d2e3f4a5b6c7d"),
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                None,
            ),
        ]
        span = (end - start).total_seconds()
        for _ in range(count):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, req = self.rng.choice(calls)
            ident, agent, ip = self.rng.choice(idents)
            self.ct(t, src, name, ident, req, None, read_only=True, agent=agent, ip=ip)

    # alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        *,
        datapoints: int | None = None,
        missing: str = "missing",
        unit: str | None = None,
        topic: str = "ops-pager",
        transitions: list[tuple[datetime, str, str, str]] | None = None,
        configured: datetime,
    ) -> Rec:
        """transitions: (time, old, new, reason) in order; the last one is the state at now."""
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        topic_arn = f"arn:aws:sns:{self.region}:{self.account}:{topic}"
        transitions = transitions or []
        if configured.hour == configured.minute == configured.second == 0:
            configured += timedelta(seconds=self.rng.randint(8 * 3600, 18 * 3600))
        state, reason, when = (
            "OK",
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            configured,
        )
        if transitions:
            when, _, state, reason = transitions[-1]
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(configured),
            "ActionsEnabled": True,
            "OKActions": [topic_arn],
            "AlarmActions": [topic_arn],
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
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(when),
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        for t, old, new, why in transitions:
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": old},
                            "newState": {"stateValue": new, "stateReason": why},
                        }
                    ),
                }
            )
        return a

    def alarm_event(self, a: Rec, t: datetime, prev_state: str, prev_reason: str, prev_time: datetime) -> Rec:
        metric: Rec = {
            "id": self.uuid()[:8] + "-" + self.hex(4),
            "metricStat": {
                "metric": {
                    "namespace": a["Namespace"],
                    "name": a["MetricName"],
                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                },
                "period": a["Period"],
                "stat": a["Statistic"],
            },
            "returnData": True,
        }
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": a["StateReason"],
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.rng.randint(0, 999):03d}+0000",
                },
                "previousState": {
                    "value": prev_state,
                    "reason": prev_reason,
                    "timestamp": prev_time.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{self.rng.randint(0, 999):03d}+0000",
                },
                "configuration": {"description": a["AlarmDescription"], "metrics": [metric]},
            },
        }

    def bundle(self, manifest: Rec) -> Bundle:
        manifest = dict(manifest)
        manifest.setdefault("format", "sleuth-bundle/1")
        manifest["account_id"] = self.account
        manifest["region"] = self.region
        self.metrics.sort(
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            )
        )
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        self.trail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda h: h["Timestamp"])
        now = manifest["now"]
        return Bundle(
            Manifest.model_validate(manifest),
            {
                "metrics": [m for m in self.metrics if m["timestamp"] <= now],
                "alarms": self.alarms,
                "alarm_history": [h for h in self.history if h["Timestamp"] <= now],
                "logs": self.logs,
                "cloudtrail": [r for r in self.trail if r["eventTime"] <= now],
                "resources": self.resources,
                "events": self.events,
            },
        )


def threshold_reason(stat: str, value: float, threshold: float, op: str, n: int, t: datetime) -> str:
    word = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[op]
    stamp = t.strftime("%d/%m/%y %H:%M:00")
    if n == 1:
        return f"Threshold Crossed: 1 datapoint [{value} ({stamp})] was {word} the threshold ({threshold})."
    return f"Threshold Crossed: {n} out of the last {n} datapoints [{value} ({stamp})] were {word} the threshold ({threshold})."


def ok_reason(value: float, threshold: float, op: str, t: datetime) -> str:
    word = {
        "GreaterThanThreshold": "not greater than",
        "GreaterThanOrEqualToThreshold": "not greater than or equal to",
        "LessThanThreshold": "not less than",
        "LessThanOrEqualToThreshold": "not less than or equal to",
    }[op]
    return f"Threshold Crossed: 1 datapoint [{value} ({t.strftime('%d/%m/%y %H:%M:00')})] was {word} the threshold ({threshold})."


def diurnal(t: datetime, tz_offset_h: float, peak: float, trough: float) -> float:
    """A day curve: trough around 04:00 local, peak around 13:00-20:00 local."""
    h = (t.hour + t.minute / 60 + tz_offset_h) % 24
    x = (1 - math.cos((h - 4) / 24 * 2 * math.pi)) / 2
    return trough + (peak - trough) * (x**1.3)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


AZS = ("a", "b", "c")


def tag_list(**kw: str) -> list[Rec]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kw.items()]


class World:
    """The account's standing resources: VPC, subnets, security groups, ALBs, ASGs, RDS, ElastiCache."""

    def __init__(self, c: Ctx, app: str, built: datetime) -> None:
        self.c = c
        self.app = app
        self.built = built
        self.vpc = c.rid("vpc")
        self.cidr2 = c.rng.randint(16, 31)
        self.subnets = {az: c.rid("subnet") for az in AZS}
        self.public = {az: c.rid("subnet") for az in AZS}
        self.sg: dict[str, str] = {}
        self.instances: dict[str, Rec] = {}
        self.ip_by_id: dict[str, str] = {}
        c.res(
            "ec2",
            "Vpc",
            {
                "CidrBlock": f"10.{self.cidr2}.0.0/16",
                "DhcpOptionsId": c.rid("dopt"),
                "State": "available",
                "VpcId": self.vpc,
                "OwnerId": c.account,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": tag_list(Name=f"{app}-prod"),
            },
        )
        for i, az in enumerate(AZS):
            for kind, sid, base in (("private", self.subnets[az], 10), ("public", self.public[az], 0)):
                c.res(
                    "ec2",
                    "Subnet",
                    {
                        "AvailabilityZone": f"{c.region}{az}",
                        "AvailableIpAddressCount": c.rng.randint(180, 245),
                        "CidrBlock": f"10.{self.cidr2}.{base + i}.0/24",
                        "DefaultForAz": False,
                        "MapPublicIpOnLaunch": kind == "public",
                        "State": "available",
                        "SubnetId": sid,
                        "VpcId": self.vpc,
                        "OwnerId": c.account,
                        "SubnetArn": f"arn:aws:ec2:{c.region}:{c.account}:subnet/{sid}",
                        "Tags": tag_list(Name=f"{app}-prod-{kind}-{c.region}{az}"),
                    },
                )

    def ip(self, az: str) -> str:
        i = AZS.index(az[-1])
        return f"10.{self.cidr2}.{10 + i}.{self.c.rng.randint(10, 250)}"

    def security_group(self, name: str, desc: str, rules: list[tuple[int, str]]) -> str:
        """rules: (port, source sg key or CIDR)."""
        c = self.c
        gid = c.rid("sg")
        self.sg[name] = gid
        perms = []
        for port, src in rules:
            p: Rec = {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "UserIdGroupPairs": [],
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
            }
            if src in self.sg:
                p["UserIdGroupPairs"] = [{"GroupId": self.sg[src], "UserId": c.account}]
            else:
                p["IpRanges"] = [{"CidrIp": src}]
            perms.append(p)
        c.res(
            "ec2",
            "SecurityGroup",
            {
                "Description": desc,
                "GroupName": name,
                "IpPermissions": perms,
                "OwnerId": c.account,
                "GroupId": gid,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                    }
                ],
                "VpcId": self.vpc,
                "Tags": tag_list(Name=name),
            },
        )
        return gid

    def instance(
        self,
        name: str,
        itype: str,
        az: str,
        sg: str,
        launched: datetime,
        *,
        asg: str | None = None,
        profile: str = "",
        state: str = "running",
        lt: Rec | None = None,
    ) -> str:
        c = self.c
        iid = c.rid("i")
        ip = self.ip(az)
        self.ip_by_id[iid] = ip
        eni = c.rid("eni")
        tags = [{"Key": "Name", "Value": name}, {"Key": "Environment", "Value": "prod"}]
        if asg:
            tags.append({"Key": "aws:autoscaling:groupName", "Value": asg})
        if lt:
            tags.append({"Key": "aws:ec2launchtemplate:id", "Value": lt["LaunchTemplateId"]})
            tags.append({"Key": "aws:ec2launchtemplate:version", "Value": lt["Version"]})
        item: Rec = {
            "AmiLaunchIndex": 0,
            "ImageId": f"ami-0{c.hex(16)}",
            "InstanceId": iid,
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Monitoring": {"State": "enabled" if asg else "disabled"},
            "Placement": {"AvailabilityZone": f"{c.region}{az}", "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{c.region}.compute.internal",
            "PrivateIpAddress": ip,
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": {"Code": 16, "Name": state},
            "StateTransitionReason": "",
            "SubnetId": self.subnets[az],
            "VpcId": self.vpc,
            "Architecture": "arm64" if "g." in itype else "x86_64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": c.rid("vol"),
                    },
                }
            ],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{c.account}:instance-profile/{profile or name}",
                "Id": "AIPA" + c.hex(17).upper(),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(launched),
                        "AttachmentId": c.rid("eni-attach"),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": [{"GroupName": sg, "GroupId": self.sg[sg]}],
                    "MacAddress": ":".join(c.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": eni,
                    "OwnerId": c.account,
                    "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{c.region}.compute.internal",
                    "PrivateIpAddress": ip,
                    "PrivateIpAddresses": [
                        {
                            "Primary": True,
                            "PrivateIpAddress": ip,
                            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{c.region}.compute.internal",
                        }
                    ],
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": self.subnets[az],
                    "VpcId": self.vpc,
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": sg, "GroupId": self.sg[sg]}],
            "SourceDestCheck": True,
            "Tags": tags,
            "VirtualizationType": "hvm",
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
            },
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
        }
        if lt:
            item["Tags"] = tags
        self.instances[iid] = item
        return iid

    def emit_instances(self, status_override: dict[str, Rec] | None = None) -> None:
        c = self.c
        for iid, item in self.instances.items():
            c.res("ec2", "Instance", item)
            if item["State"]["Name"] != "running":
                continue
            st = (status_override or {}).get(iid) or {
                "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            }
            c.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": item["Placement"]["AvailabilityZone"],
                    "InstanceId": iid,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    **st,
                },
            )

    def load_balancer(self, name: str, scheme: str, sg: str, created: datetime) -> tuple[str, str]:
        c = self.c
        lid = c.hex(16)
        arn = f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:loadbalancer/app/{name}/{lid}"
        subnets = self.public if scheme == "internet-facing" else self.subnets
        dns = f"{name}-{c.rng.randint(100000000, 1999999999)}.{c.region}.elb.amazonaws.com"
        if scheme == "internal":
            dns = "internal-" + dns
        c.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": arn,
                "DNSName": dns,
                "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
                "CreatedTime": iso(created),
                "LoadBalancerName": name,
                "Scheme": scheme,
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": f"{c.region}{az}", "SubnetId": subnets[az], "LoadBalancerAddresses": []}
                    for az in AZS
                ],
                "SecurityGroups": [self.sg[sg]],
                "IpAddressType": "ipv4",
            },
        )
        return arn, f"app/{name}/{lid}"

    def target_group(
        self,
        name: str,
        port: int,
        path: str,
        lb_arn: str,
        *,
        interval: int = 15,
        timeout: int = 5,
        unhealthy: int = 2,
    ) -> tuple[str, str]:
        c = self.c
        tid = c.hex(16)
        arn = f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:targetgroup/{name}/{tid}"
        c.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": arn,
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": self.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": interval,
                "HealthCheckTimeoutSeconds": timeout,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": unhealthy,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
        return arn, f"targetgroup/{name}/{tid}"

    def asg(
        self,
        name: str,
        ids: list[str],
        tg_arn: str,
        lt: Rec,
        mn: int,
        mx: int,
        created: datetime,
        health: str = "ELB",
    ) -> str:
        c = self.c
        arn = (
            f"arn:aws:autoscaling:{c.region}:{c.account}:autoScalingGroup:{c.uuid()}:"
            f"autoScalingGroupName/{name}"
        )
        c.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": name,
                "AutoScalingGroupARN": arn,
                "LaunchTemplate": lt,
                "MinSize": mn,
                "MaxSize": mx,
                "DesiredCapacity": len(ids),
                "DefaultCooldown": 300,
                "AvailabilityZones": [f"{c.region}{az}" for az in AZS],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": health,
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": i,
                        "InstanceType": self.instances[i]["InstanceType"],
                        "AvailabilityZone": self.instances[i]["Placement"]["AvailabilityZone"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": lt,
                        "ProtectedFromScaleIn": False,
                    }
                    for i in ids
                ],
                "CreatedTime": iso(created),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(self.subnets[az] for az in AZS),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": name,
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/autoscaling.amazonaws.com/"
                "AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
            },
        )
        return arn

    def health_points(
        self,
        tg_arn: str,
        ids: list[str],
        port: int,
        t: datetime,
        state: str = "healthy",
        reason: str | None = None,
        desc: str | None = None,
    ) -> None:
        for i in ids:
            h: Rec = {"State": state}
            if reason:
                h["Reason"] = reason
            if desc:
                h["Description"] = desc
            self.c.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {
                            "Id": i,
                            "Port": port,
                            "AvailabilityZone": self.instances[i]["Placement"]["AvailabilityZone"],
                        },
                        "health": h,
                        "timestamp": iso(t),
                    },
                }
            )

    def log_group(self, name: str, retention: int, created: datetime) -> None:
        c = self.c
        c.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(created),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{c.region}:{c.account}:log-group:{name}:*",
                "storedBytes": c.rng.randint(10**8, 10**11),
                "logGroupClass": "STANDARD",
                "logGroupArn": f"arn:aws:logs:{c.region}:{c.account}:log-group:{name}",
            },
        )

    def codedeploy(
        self,
        app: str,
        group: str,
        dep_id: str,
        created: datetime,
        done: datetime,
        n: int,
        tg: str,
        bucket: str,
        key: str,
        status: str = "Succeeded",
        config: str = "CodeDeployDefault.OneAtATime",
        creator: str = "user",
    ) -> Rec:
        c = self.c
        item: Rec = {
            "applicationName": app,
            "deploymentGroupName": group,
            "deploymentConfigName": config,
            "deploymentId": dep_id,
            "revision": {
                "revisionType": "S3",
                "s3Location": {"bucket": bucket, "key": key, "bundleType": "zip", "eTag": c.hex(32)},
            },
            "status": status,
            "createTime": iso(created),
            "startTime": iso(created + timedelta(seconds=4)),
            "completeTime": iso(done),
            "deploymentOverview": {
                "Pending": 0,
                "InProgress": 0,
                "Succeeded": n if status == "Succeeded" else 0,
                "Failed": 0 if status == "Succeeded" else 1,
                "Skipped": 0,
                "Ready": 0,
            },
            "creator": creator,
            "ignoreApplicationStopFailures": False,
            "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
            "updateOutdatedInstancesOnly": False,
            "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "targetInstances": {"autoScalingGroups": []},
            "instanceTerminationWaitTimeStarted": False,
            "loadBalancerInfo": {"targetGroupInfoList": [{"name": tg}]},
            "fileExistsBehavior": "DISALLOW",
            "deploymentStatusMessages": [],
            "computePlatform": "Server",
        }
        c.res("codedeploy", "DeploymentInfo", item)
        return item

    def rds_instance(
        self,
        ident: str,
        cls: str,
        engine: str,
        version: str,
        pgroup: str,
        az: str,
        created: datetime,
        *,
        multi_az: bool = True,
        storage: int = 500,
        replica_of: str | None = None,
        replicas: list[str] | None = None,
        sg: str = "db",
    ) -> Rec:
        c = self.c
        item: Rec = {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": cls,
            "Engine": engine,
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "Endpoint": {
                "Address": f"{ident}.c{c.hex(11)}.{c.region}.rds.amazonaws.com",
                "Port": 3306 if "mysql" in engine else 5432,
                "HostedZoneId": "Z29XKXDKYMONMX",
            },
            "AllocatedStorage": storage,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "01:00-01:30",
            "BackupRetentionPeriod": 7 if not replica_of else 0,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg[sg], "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": pgroup, "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": f"{c.region}{az}",
            "DBSubnetGroup": {
                "DBSubnetGroupName": f"{self.app}-db-subnets",
                "DBSubnetGroupDescription": f"{self.app} private subnets",
                "VpcId": self.vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": self.subnets[z],
                        "SubnetAvailabilityZone": {"Name": f"{c.region}{z}"},
                        "SubnetStatus": "Active",
                    }
                    for z in AZS
                ],
            },
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "PendingModifiedValues": {},
            "LatestRestorableTime": iso(created),
            "MultiAZ": multi_az,
            "EngineVersion": version,
            "AutoMinorVersionUpgrade": False,
            "ReadReplicaDBInstanceIdentifiers": replicas or [],
            "LicenseModel": "general-public-license" if "mysql" in engine else "postgresql-license",
            "OptionGroupMemberships": [
                {
                    "OptionGroupName": f"default:{engine}-{version.split('.')[0]}-0"
                    if "mysql" in engine
                    else f"default:{engine}-{version.split('.')[0]}",
                    "Status": "in-sync",
                }
            ],
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "Iops": 12000,
            "StorageThroughput": 500,
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": f"arn:aws:kms:{c.region}:{c.account}:key/{c.uuid()}",
            "DbiResourceId": "db-"
            + "".join(c.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 0,
            "DBInstanceArn": f"arn:aws:rds:{c.region}:{c.account}:db:{ident}",
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": False,
            "DeletionProtection": True,
            "TagList": [{"Key": "Environment", "Value": "staging" if "staging" in ident else "prod"}],
            "MaxAllocatedStorage": storage * 2,
            "BackupTarget": "region",
            "NetworkType": "IPV4",
        }
        if multi_az:
            item["SecondaryAvailabilityZone"] = f"{c.region}{AZS[(AZS.index(az) + 1) % 3]}"
        if replica_of:
            item["ReadReplicaSourceDBInstanceIdentifier"] = replica_of
            item["StatusInfos"] = [
                {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
            ]
        c.res("rds", "DBInstance", item)
        return item

    def redis(
        self,
        rg: str,
        node_type: str,
        created: datetime,
        pgroup: str = "default.redis7",
        version: str = "7.1.0",
        nodes: int = 2,
    ) -> list[str]:
        c = self.c
        members = [f"{rg}-{i:03d}" for i in range(1, nodes + 1)]
        suffix = c.hex(6)
        p = c.region.split("-")
        short = p[0] + p[1][0] + p[2]
        c.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": rg,
                "Description": f"{self.app} cache",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": members,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {
                            "Address": f"master.{rg}.{suffix}.{short}.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "ReaderEndpoint": {
                            "Address": f"replica.{rg}.{suffix}.{short}.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": m,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{m}.{rg}.{suffix}.{short}.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": f"{c.region}{AZS[i % 3]}",
                                "CurrentRole": "primary" if i == 0 else "replica",
                            }
                            for i, m in enumerate(members)
                        ],
                    }
                ],
                "SnapshottingClusterId": members[-1],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "02:30-03:30",
                "ClusterEnabled": False,
                "CacheNodeType": node_type,
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{c.region}:{c.account}:replicationgroup:{rg}",
                "ReplicationGroupCreateTime": iso(created),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        )
        for i, m in enumerate(members):
            c.res(
                "elasticache",
                "CacheCluster",
                {
                    "CacheClusterId": m,
                    "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                    "CacheNodeType": node_type,
                    "Engine": "redis",
                    "EngineVersion": version,
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": f"{c.region}{AZS[i % 3]}",
                    "CacheClusterCreateTime": iso(created),
                    "PreferredMaintenanceWindow": "tue:04:00-tue:05:00",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pgroup,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": f"{self.app}-cache-subnets",
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": iso(created),
                            "Endpoint": {
                                "Address": f"{m}.{rg}.{suffix}.{short}.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": f"{c.region}{AZS[i % 3]}",
                        }
                    ],
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": self.sg["cache"], "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 1 if i == len(members) - 1 else 0,
                    "SnapshotWindow": "02:30-03:30",
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": False,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{c.region}:{c.account}:cluster:{m}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "LogDeliveryConfigurations": [],
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                },
            )
        return members


def launch_template(c: Ctx, name: str, version: int) -> Rec:
    return {"LaunchTemplateId": c.rid("lt"), "LaunchTemplateName": name, "Version": str(version)}


def alb_metrics(
    c: Ctx,
    lb: str,
    tg: str,
    start: datetime,
    end: datetime,
    rpm: Callable[[datetime], float],
    err5: Callable[[datetime], float],
    lat: Callable[[datetime], float],
    healthy: Callable[[datetime], tuple[int, int]],
    elb5: Callable[[datetime], float] | None = None,
    err4_rate: float = 0.012,
    step: int = 60,
) -> None:
    """One ALB with one target group. Error counts are published only when non-zero."""
    ns = "AWS/ApplicationELB"
    t = start
    while t <= end:
        n = max(1, int(c.noise(rpm(t) * step / 60, 0.04)))
        c.put(ns, "RequestCount", {"LoadBalancer": lb}, t, "Count", n)
        c.put(ns, "RequestCount", {"LoadBalancer": lb, "TargetGroup": tg}, t, "Count", n)
        e = round(err5(t) * n + (c.rng.random() < 0.15))
        if e > 0:
            c.put(ns, "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb}, t, "Count", e)
            c.put(ns, "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb, "TargetGroup": tg}, t, "Count", e)
        e4 = int(n * err4_rate * c.noise(1, 0.2))
        if e4 > 0:
            c.put(ns, "HTTPCode_Target_4XX_Count", {"LoadBalancer": lb}, t, "Count", e4)
            c.put(ns, "HTTPCode_Target_4XX_Count", {"LoadBalancer": lb, "TargetGroup": tg}, t, "Count", e4)
        c.put(ns, "HTTPCode_Target_2XX_Count", {"LoadBalancer": lb}, t, "Count", max(0, n - e - e4))
        if elb5 is not None:
            x = round(elb5(t) * n)
            if x > 0:
                c.put(ns, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": lb}, t, "Count", x)
        base = lat(t)
        samples = [max(0.002, c.rng.lognormvariate(math.log(base), 0.35)) for _ in range(12)]
        c.put_stats(ns, "TargetResponseTime", {"LoadBalancer": lb}, t, "Seconds", samples)
        c.put_stats(ns, "TargetResponseTime", {"LoadBalancer": lb, "TargetGroup": tg}, t, "Seconds", samples)
        h, u = healthy(t)
        c.put(ns, "HealthyHostCount", {"TargetGroup": tg, "LoadBalancer": lb}, t, "Count", h)
        c.put(ns, "UnHealthyHostCount", {"TargetGroup": tg, "LoadBalancer": lb}, t, "Count", u)
        c.put(ns, "ActiveConnectionCount", {"LoadBalancer": lb}, t, "Count", int(n * c.noise(0.31, 0.05)))
        t += timedelta(seconds=step)


def instance_metrics(
    c: Ctx,
    w: World,
    ids: list[str],
    asg: str,
    start: datetime,
    end: datetime,
    cpu: Callable[[str, datetime], float | None],
    mem: float,
    disk: float,
    step: int = 60,
    status: Callable[[str, datetime], tuple[int, int]] | None = None,
) -> None:
    for i in ids:
        inst = w.instances[i]
        mbase = c.noise(mem, 0.04)
        dbase = c.noise(disk, 0.05)
        agent = {
            "AutoScalingGroupName": asg,
            "ImageId": inst["ImageId"],
            "InstanceId": i,
            "InstanceType": inst["InstanceType"],
        }
        if not asg:
            del agent["AutoScalingGroupName"]
        t = start
        k = 0
        while t <= end:
            v = cpu(i, t)
            if v is not None:
                c.put(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": i},
                    t,
                    "Percent",
                    round(min(100.0, max(0.1, v)), 3),
                )
                if k % 1 == 0:
                    c.put(
                        "CWAgent",
                        "mem_used_percent",
                        agent,
                        t,
                        "Percent",
                        round(mbase + c.rng.gauss(0, 0.4), 3),
                    )
                if k % 5 == 0:
                    c.put(
                        "CWAgent",
                        "disk_used_percent",
                        {**agent, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
                        t,
                        "Percent",
                        round(dbase + k * 0.0004, 3),
                    )
            sy, ins = status(i, t) if status else (0, 0)
            if v is not None or sy or ins:
                c.put("AWS/EC2", "StatusCheckFailed", {"InstanceId": i}, t, "Count", max(sy, ins))
                c.put("AWS/EC2", "StatusCheckFailed_System", {"InstanceId": i}, t, "Count", sy)
                c.put("AWS/EC2", "StatusCheckFailed_Instance", {"InstanceId": i}, t, "Count", ins)
            t += timedelta(seconds=step)
            k += 1
