"""Private helpers for kit zzzza: a Windows estate (EC2 Windows fleet behind an NLB, FSx for Windows,
AWS Managed Microsoft AD, RDS for SQL Server) and the record shapes AWS delivers for it."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]

COMPANIES = [
    ("contoso", "Contoso"),
    ("fabrikam", "Fabrikam"),
    ("northwind", "Northwind"),
    ("tailspin", "Tailspin"),
    ("wingtip", "Wingtip"),
    ("adatum", "Adatum"),
    ("litware", "Litware"),
]
REGIONS = [
    ("eu-west-1", "Europe/London"),
    ("eu-west-2", "Europe/London"),
    ("eu-central-1", "Europe/Berlin"),
    ("us-east-1", "America/New_York"),
    ("us-east-2", "America/Chicago"),
]
PEOPLE = ["jmorgan", "asingh", "lcarter", "pnovak", "kobrien", "rtanaka", "mgarcia", "dwhite", "sokafor"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    """Collects records for one bundle, with a seeded random source for every id and value."""

    def __init__(self, seed: int, salt: str) -> None:
        self.r = random.Random(f"{salt}:{seed}")
        self.account = str(self.r.randint(100000000000, 999999999999))
        self.region, self.tz = self.r.choice(REGIONS)
        self.domain_short, self.company = self.r.choice(COMPANIES)
        self.domain = f"corp.{self.domain_short}.com"
        self.last_reason: dict[str, str] = {}
        self.records: dict[str, list[Rec]] = {
            k: [] for k in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources", "events")
        }

    # ---- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def akid(self) -> str:
        return "ASIA" + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def principal(self) -> str:
        return "AROA" + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))

    # ---- records ---------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> Rec:
        self.records["resources"].append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: Rec) -> None:
        self.records["events"].append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def put(self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str) -> None:
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        t0: datetime,
        t1: datetime,
        period: int,
        fn: Callable[[datetime], float | None],
    ) -> None:
        t = t0
        while t <= t1:
            v = fn(t)
            if v is not None:
                self.put(ns, name, dims, t, v, unit)
            t += timedelta(seconds=period)

    def last_points(self, ns: str, name: str, dims: dict[str, str], before: datetime, n: int) -> list[float]:
        """The last `n` stored values of a metric stamped before `before`, oldest first."""
        return self.points(ns, name, dims, before, n)[0]

    def points(
        self, ns: str, name: str, dims: dict[str, str], before: datetime, n: int
    ) -> tuple[list[float], list[datetime]]:
        """The last `n` stored values of a metric stamped before `before` and their stamps, oldest first."""
        cut = iso(before)
        got = [
            (m["timestamp"], float(m["value"]))
            for m in self.records["metrics"]
            if m["namespace"] == ns
            and m["metric"] == name
            and m["dimensions"] == dims
            and m["timestamp"] < cut
        ]
        got.sort()
        return [round(v, 4) for _, v in got[-n:]], [ts(when) for when, _ in got[-n:]]

    # ---- identities ------------------------------------------------------------------------------
    def sso_user(self, user: str, perm_set: str) -> Rec:
        role = f"AWSReservedSSO_{perm_set}_{self.hex(16)}"
        pid = self.principal()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}@{self.domain_short}.com",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}@{self.domain_short}.com",
            "accountId": self.account,
            "accessKeyId": self.akid(),
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

    def role_session(self, role: str, session: str, invoked_by: str | None = None) -> Rec:
        pid = self.principal()
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
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
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None,
        resp: Rec | None,
        *,
        read_only: bool,
        ip: str = "",
        agent: str = "",
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(ident))
        sc = ident.get("sessionContext")
        if sc:
            sc["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.r.randint(2, 50)))
        rec: Rec = {
            "eventVersion": "1.10" if source.startswith("ec2") else "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or ident.get("invokedBy") or f"203.0.113.{self.r.randint(10, 250)}",
            "userAgent": agent
            or ident.get("invokedBy")
            or "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.1 os/windows",
            "requestParameters": req,
            "responseElements": resp,
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
        if resources:
            rec["resources"] = resources
        if "amazonaws.com" not in rec["sourceIPAddress"]:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records["cloudtrail"].append(rec)
        return rec

    # ---- alarms ----------------------------------------------------------------------------------
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
        state: str,
        state_reason: str,
        state_time: datetime,
        topic: str,
        unit: str | None = None,
        treat_missing: str = "missing",
        datapoints: int | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(state_time - timedelta(days=self.r.randint(30, 400))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": state_reason,
            "StateUpdatedTimestamp": iso(state_time),
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
            "StateTransitionedTimestamp": iso(state_time),
        }
        if unit:
            a["Unit"] = unit
        self.records["alarms"].append(a)
        return a

    def transition(
        self,
        alarm: Rec,
        t: datetime,
        old: str,
        new: str,
        points: list[float],
        stamps: list[datetime] | None = None,
    ) -> Rec:
        """A StateUpdate history item; `points` oldest first, stamped `stamps` (or ending just before `t`)."""
        period = int(alarm["Period"])
        start = t - timedelta(seconds=period * len(points))
        stamps = stamps or [start + timedelta(seconds=period * i) for i in range(len(points))]
        start = stamps[0]
        word = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[alarm["ComparisonOperator"]]
        listed = ", ".join(
            f"{p} ({s:%d/%m/%y %H:%M:%S})" for p, s in reversed(list(zip(points, stamps, strict=True)))
        )
        if new == "ALARM":
            n = int(alarm["DatapointsToAlarm"])
            reason = (
                f"Threshold Crossed: {n} out of the last {alarm['EvaluationPeriods']} datapoints [{listed}] were "
                f"{word} the threshold ({alarm['Threshold']}) (minimum {n} datapoints for OK -> ALARM transition)."
            )
        else:
            reason = (
                f"Threshold Crossed: 1 datapoint [{listed.split(', ')[0]}] was not {word} the threshold "
                f"({alarm['Threshold']})."
            )
        data: Rec = {
            "version": "1.0",
            "queryDate": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": start.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": alarm["Statistic"],
            "period": period,
            "recentDatapoints": points,
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [
                {
                    "timestamp": stamps[i].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "sampleCount": float(max(1, period // 60)),
                    "value": p,
                }
                for i, p in reversed(list(enumerate(points)))
            ],
        }
        prev = self.last_reason.get(alarm["AlarmName"], "Unchecked: Initial alarm creation")
        self.last_reason[alarm["AlarmName"]] = reason
        hist = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": prev},
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
        }
        self.records["alarm_history"].append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hist),
            }
        )
        return {"reason": reason, "reasonData": json.dumps(data)}

    def alarm_event(
        self, alarm: Rec, t: datetime, new: str, old: str, reason: Rec, prev_reason: str, prev_t: datetime
    ) -> Rec:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
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
                    "value": new,
                    "reason": reason["reason"],
                    "reasonData": reason["reasonData"],
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.r.randint(0, 999):03d}+0000",
                },
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "timestamp": prev_t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.r.randint(0, 999):03d}+0000",
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.uid(),
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

    def bundle(
        self,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        question: str | None,
        alarm_event: Rec | None,
        truth: Rec,
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
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": self.tz},
                "truth": truth,
            }
        )
        recs = {
            k: sorted(v, key=_order_key) if k in ("cloudtrail",) else v for k, v in self.records.items() if v
        }
        return Bundle(manifest, recs)


def _order_key(rec: Rec) -> str:
    return str(rec.get("eventTime", ""))


def diurnal(t: datetime, tz_offset_h: int, base: float, peak: float) -> float:
    """A working-day load curve: `base` at night, `peak` around 11:00-15:00 local."""
    h = (t.hour + tz_offset_h + t.minute / 60.0) % 24
    x = max(0.0, math.sin(math.pi * (h - 7.0) / 12.0)) if 7.0 <= h <= 19.0 else 0.0
    return base + (peak - base) * x


TZ_OFFSETS = {
    "Europe/London": 0,
    "Europe/Berlin": 1,
    "America/New_York": -5,
    "America/Chicago": -6,
}


class Estate:
    """The shared Windows estate: VPC, web fleet behind an NLB, FSx for Windows, Managed AD, RDS SQL Server."""

    def __init__(self, kit: Kit, onset: datetime, app: str, fsx_storage: str = "SSD") -> None:
        k = self.k = kit
        r = k.r
        self.onset = onset
        self.app = app
        off = onset.astimezone(ZoneInfo(k.tz)).utcoffset()
        self.off = round(off.total_seconds() / 3600) if off else 0
        self.octet = r.choice([16, 20, 24, 40, 64])
        self.vpc = k.rid("vpc")
        azs = [f"{k.region}a", f"{k.region}b", f"{k.region}c"]
        self.azs = azs
        self.app_subnets = [
            (k.rid("subnet"), az, f"10.{self.octet}.{16 + 16 * i}.0/20") for i, az in enumerate(azs)
        ]
        self.data_subnets = [
            (k.rid("subnet"), az, f"10.{self.octet}.{100 + i}.0/24") for i, az in enumerate(azs[:2])
        ]
        self.mgmt_subnets = [
            (k.rid("subnet"), az, f"10.{self.octet}.{i}.0/24") for i, az in enumerate(azs[:2])
        ]
        for sid, az, cidr in self.app_subnets + self.data_subnets + self.mgmt_subnets:
            k.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sid,
                    "VpcId": self.vpc,
                    "AvailabilityZone": az,
                    "CidrBlock": cidr,
                    "State": "available",
                    "AvailableIpAddressCount": r.randint(180, 4000)
                    if cidr.endswith("/20")
                    else r.randint(200, 245),
                    "MapPublicIpOnLaunch": False,
                    "OwnerId": k.account,
                    "SubnetArn": f"arn:aws:ec2:{k.region}:{k.account}:subnet/{sid}",
                },
            )
        self.sg_web = k.rid("sg")
        self.sg_fsx = k.rid("sg")
        self.sg_sql = k.rid("sg")
        self.sg_ad = k.rid("sg")
        self.vpc_cidr = f"10.{self.octet}.0.0/16"
        # directory
        self.dir_id = "d-" + k.hex(10)
        self.dc_ips = [f"10.{self.octet}.0.{r.randint(10, 200)}", f"10.{self.octet}.1.{r.randint(10, 200)}"]
        # fsx
        self.fs_id = "fs-0" + k.hex(16)
        self.fsx_dns = f"amznfsx{k.hex(8)}.{k.domain}"
        self.fsx_ips = [
            f"10.{self.octet}.100.{r.randint(10, 200)}",
            f"10.{self.octet}.101.{r.randint(10, 200)}",
        ]
        self.fsx_enis = [k.rid("eni"), k.rid("eni")]
        self.fsx_storage = fsx_storage
        self.fsx_tp = r.choice([32, 64]) if fsx_storage == "HDD" else r.choice([64, 128])
        self.fsx_capacity = r.choice([2048, 3072, 4096]) if fsx_storage == "HDD" else r.choice([512, 1024])
        # sql
        self.db_id = f"{app}-sql"
        # web fleet
        self.asg = f"{app}-web-asg"
        self.lt_id = "lt-0" + k.hex(16)
        self.ami = "ami-0" + k.hex(16)
        self.nlb_name = f"{app}-nlb"
        self.nlb_suffix = k.hex(16)
        self.nlb_dim = f"net/{self.nlb_name}/{self.nlb_suffix}"
        self.nlb_arn = f"arn:aws:elasticloadbalancing:{k.region}:{k.account}:loadbalancer/{self.nlb_dim}"
        self.tg_name = f"{app}-web-443"
        self.tg_dim = f"targetgroup/{self.tg_name}/{k.hex(16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{k.region}:{k.account}:{self.tg_dim}"
        self.topic = f"arn:aws:sns:{k.region}:{k.account}:{app}-oncall"
        self.instances: list[Rec] = []
        self.canary = f"{app}-portal-heartbeat"

    # ---- resources -------------------------------------------------------------------------------
    def new_instance(self, idx: int, launch: datetime, ip: str | None = None) -> Rec:
        k, r = self.k, self.k.r
        sid, az, cidr = self.app_subnets[idx % 3]
        base = cidr.split(".")
        ip = ip or f"10.{self.octet}.{int(base[2]) + r.randint(0, 3)}.{r.randint(10, 250)}"
        iid = k.rid("i")
        inst: Rec = {
            "InstanceId": iid,
            "ImageId": self.ami,
            "InstanceType": "m6i.xlarge",
            "KeyName": f"{self.app}-win",
            "LaunchTime": iso(launch),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
            "Platform": "windows",
            "PlatformDetails": "Windows",
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{k.region}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": sid,
            "VpcId": self.vpc,
            "Architecture": "x86_64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/sda1",
                    "Ebs": {
                        "AttachTime": iso(launch),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": k.rid("vol"),
                    },
                }
            ],
            "EbsOptimized": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/{self.app}-web-instance",
                "Id": "AIPA" + k.hex(16).upper(),
            },
            "RootDeviceName": "/dev/sda1",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": f"{self.app}-web", "GroupId": self.sg_web}],
            "VirtualizationType": "hvm",
            "Tags": [
                {"Key": "Name", "Value": f"{self.app}-web"},
                {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                {"Key": "Environment", "Value": "prod"},
            ],
        }
        inst["_host"] = "EC2AMAZ-" + "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(7)
        )
        self.instances.append(inst)
        return inst

    def host(self, inst: Rec) -> str:
        return str(inst["_host"])

    def emit_resources(self, fsx_ingress_cidrs: list[str] | None = None) -> None:
        k, r = self.k, self.k.r
        created = self.onset - timedelta(days=r.randint(200, 900))
        for inst in self.instances:
            item = {key: v for key, v in inst.items() if not key.startswith("_")}
            k.res("ec2", "Instance", item)
        k.res(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc,
                "CidrBlock": self.vpc_cidr,
                "State": "available",
                "OwnerId": k.account,
                "IsDefault": False,
                "DhcpOptionsId": k.rid("dopt"),
                "InstanceTenancy": "default",
                "Tags": [{"Key": "Name", "Value": f"{self.app}-prod"}],
            },
        )

        def perm(
            port: int, to: int, cidrs: list[tuple[str, str]], groups: tuple[tuple[str, str], ...] = ()
        ) -> Rec:
            return {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": to,
                "IpRanges": [{"CidrIp": c, "Description": d} for c, d in cidrs],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [
                    {"GroupId": g, "UserId": k.account, "Description": d} for g, d in groups
                ],
            }

        egress = [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ]
        fsx_cidrs = fsx_ingress_cidrs or [self.vpc_cidr]
        sgs = [
            (
                self.sg_web,
                f"{self.app}-web",
                "IIS web fleet",
                [
                    perm(443, 443, [(self.vpc_cidr, "NLB and internal clients")]),
                    perm(3389, 3389, [(c, "RDP from mgmt") for _, _, c in self.mgmt_subnets]),
                ],
            ),
            (
                self.sg_fsx,
                f"{self.app}-fsx",
                "FSx for Windows file system",
                [
                    perm(445, 445, [(c, "SMB") for c in fsx_cidrs]),
                    perm(5985, 5985, [(self.vpc_cidr, "WinRM admin")]),
                ],
            ),
            (
                self.sg_sql,
                f"{self.app}-sql",
                "RDS SQL Server",
                [perm(1433, 1433, [], ((self.sg_web, "web fleet"),))],
            ),
            (
                self.sg_ad,
                f"{self.dir_id}_controllers",
                f"AWS created security group for {self.dir_id} directory controllers",
                [
                    perm(389, 389, [("0.0.0.0/0", "")]),
                    perm(88, 88, [("0.0.0.0/0", "")]),
                    perm(445, 445, [("0.0.0.0/0", "")]),
                    perm(53, 53, [("0.0.0.0/0", "")]),
                ],
            ),
        ]
        for gid, name, desc, perms in sgs:
            k.res(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": gid,
                    "GroupName": name,
                    "Description": desc,
                    "OwnerId": k.account,
                    "VpcId": self.vpc,
                    "IpPermissions": perms,
                    "IpPermissionsEgress": egress,
                    "Tags": [{"Key": "Name", "Value": name}],
                },
            )
        k.res(
            "ds",
            "DirectoryDescription",
            {
                "DirectoryId": self.dir_id,
                "Name": k.domain,
                "ShortName": k.domain_short.upper(),
                "Edition": "Standard",
                "Alias": self.dir_id,
                "AccessUrl": f"{self.dir_id}.awsapps.com",
                "DnsIpAddrs": self.dc_ips,
                "Stage": "Active",
                "LaunchTime": iso(created),
                "StageLastUpdatedDateTime": iso(created + timedelta(minutes=38)),
                "Type": "MicrosoftAD",
                "VpcSettings": {
                    "VpcId": self.vpc,
                    "SubnetIds": [s for s, _, _ in self.mgmt_subnets],
                    "SecurityGroupId": self.sg_ad,
                    "AvailabilityZones": [az for _, az, _ in self.mgmt_subnets],
                },
                "SsoEnabled": False,
                "DesiredNumberOfDomainControllers": 2,
            },
        )
        k.res(
            "fsx",
            "FileSystem",
            {
                "OwnerId": k.account,
                "CreationTime": iso(created + timedelta(days=2)),
                "FileSystemId": self.fs_id,
                "FileSystemType": "WINDOWS",
                "Lifecycle": "AVAILABLE",
                "StorageCapacity": self.fsx_capacity,
                "StorageType": self.fsx_storage,
                "VpcId": self.vpc,
                "SubnetIds": [s for s, _, _ in self.data_subnets],
                "NetworkInterfaceIds": self.fsx_enis,
                "DNSName": self.fsx_dns,
                "KmsKeyId": f"arn:aws:kms:{k.region}:{k.account}:key/{k.uid()}",
                "ResourceARN": f"arn:aws:fsx:{k.region}:{k.account}:file-system/{self.fs_id}",
                "Tags": [{"Key": "Name", "Value": f"{self.app}-files"}],
                "WindowsConfiguration": {
                    "ActiveDirectoryId": self.dir_id,
                    "DeploymentType": "MULTI_AZ_1",
                    "RemoteAdministrationEndpoint": f"amznfsx{k.hex(8)}.{k.domain}",
                    "PreferredSubnetId": self.data_subnets[0][0],
                    "PreferredFileServerIp": self.fsx_ips[0],
                    "ThroughputCapacity": self.fsx_tp,
                    "MaintenanceOperationsInProgress": [],
                    "WeeklyMaintenanceStartTime": "6:03:30",
                    "DailyAutomaticBackupStartTime": "01:30",
                    "AutomaticBackupRetentionDays": 14,
                    "CopyTagsToBackups": True,
                    "Aliases": [{"Name": f"files.{k.domain}", "Lifecycle": "AVAILABLE"}],
                },
            },
        )
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": self.db_id,
                "DBInstanceClass": "db.r6i.xlarge",
                "Engine": "sqlserver-se",
                "DBInstanceStatus": "available",
                "MasterUsername": "admin",
                "Endpoint": {
                    "Address": f"{self.db_id}.c{k.hex(11)}.{k.region}.rds.amazonaws.com",
                    "Port": 1433,
                    "HostedZoneId": "Z" + k.hex(12).upper(),
                },
                "AllocatedStorage": 500,
                "InstanceCreateTime": iso(created + timedelta(days=3)),
                "PreferredBackupWindow": "23:30-00:00",
                "BackupRetentionPeriod": 7,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_sql, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": f"{self.app}-sqlserver-se-15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": self.azs[0],
                "SecondaryAvailabilityZone": self.azs[1],
                "PreferredMaintenanceWindow": "sun:04:00-sun:04:30",
                "MultiAZ": True,
                "EngineVersion": "15.00.4415.2.v1",
                "AutoMinorVersionUpgrade": False,
                "LicenseModel": "license-included",
                "StorageType": "gp3",
                "Iops": 12000,
                "StorageThroughput": 500,
                "StorageEncrypted": True,
                "DbiResourceId": "db-"
                + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
                "DBInstanceArn": f"arn:aws:rds:{k.region}:{k.account}:db:{self.db_id}",
                "CharacterSetName": "SQL_Latin1_General_CP1_CI_AS",
                "DomainMemberships": [
                    {
                        "Domain": self.dir_id,
                        "Status": "joined",
                        "FQDN": f"{self.db_id}.{k.domain}",
                        "IAMRoleName": "rds-directoryservice-access-role",
                    }
                ],
            },
        )
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.nlb_arn,
                "DNSName": f"{self.nlb_name}-{k.hex(16)}.elb.{k.region}.amazonaws.com",
                "CanonicalHostedZoneId": "Z" + k.hex(13).upper(),
                "CreatedTime": iso(created + timedelta(days=4)),
                "LoadBalancerName": self.nlb_name,
                "Scheme": "internet-facing",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [{"ZoneName": az, "SubnetId": s} for s, az, _ in self.app_subnets],
                "IpAddressType": "ipv4",
            },
        )
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": self.tg_name,
                "Protocol": "TCP",
                "Port": 443,
                "VpcId": self.vpc,
                "HealthCheckProtocol": "TCP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 30,
                "HealthCheckTimeoutSeconds": 10,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "LoadBalancerArns": [self.nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        )
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{k.region}:{k.account}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{self.asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": self.lt_id,
                    "LaunchTemplateName": f"{self.app}-web",
                    "Version": "$Latest",
                },
                "MinSize": 3,
                "MaxSize": 8,
                "DesiredCapacity": len(self.instances),
                "DefaultCooldown": 300,
                "AvailabilityZones": self.azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [self.tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 900,
                "Instances": [
                    {
                        "InstanceId": i["InstanceId"],
                        "InstanceType": i["InstanceType"],
                        "AvailabilityZone": i["Placement"]["AvailabilityZone"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": self.lt_id,
                            "LaunchTemplateName": f"{self.app}-web",
                            "Version": "7",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i in self.instances
                ],
                "CreatedTime": iso(created + timedelta(days=4)),
                "VPCZoneIdentifier": ",".join(s for s, _, _ in self.app_subnets),
                "TerminationPolicies": ["Default"],
                "Tags": [],
            },
        )

    # ---- background telemetry --------------------------------------------------------------------
    def load(self, t: datetime) -> float:
        return diurnal(t, self.off, 0.08, 1.0)

    def noise_trail(self, t0: datetime, t1: datetime) -> None:
        """Read-only tooling, SSM agent check-ins, STS, CloudWatch reads: what fills a real trail."""
        k, r = self.k, self.k.r
        mon = k.role_session("monitoring-readonly", "cloudcheck-poller")
        agent = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36"
        t = t0 + timedelta(minutes=r.randint(1, 9))
        while t < t1:
            which = r.randrange(6)
            if which == 0:
                k.ct(
                    t,
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                    mon,
                    {"instancesSet": {}, "filterSet": {}},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            elif which == 1:
                k.ct(
                    t,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetHealth",
                    mon,
                    {"targetGroupArn": self.tg_arn},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            elif which == 2:
                k.ct(
                    t,
                    "fsx.amazonaws.com",
                    "DescribeFileSystems",
                    mon,
                    {},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            elif which == 3:
                k.ct(
                    t,
                    "rds.amazonaws.com",
                    "DescribeDBInstances",
                    mon,
                    {},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            elif which == 4:
                k.ct(
                    t,
                    "monitoring.amazonaws.com",
                    "DescribeAlarms",
                    mon,
                    {"maxRecords": 100},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            else:
                k.ct(
                    t,
                    "ds.amazonaws.com",
                    "DescribeDirectories",
                    mon,
                    {},
                    None,
                    read_only=True,
                    ip="3.248.91.17",
                    agent=agent,
                )
            t += timedelta(minutes=r.randint(6, 16))
        # SSM agent heartbeats from the fleet
        for inst in self.instances:
            launch = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
            ident = k.role_session(f"{self.app}-web-instance", inst["InstanceId"])
            ident["arn"] = (
                f"arn:aws:sts::{k.account}:assumed-role/{self.app}-web-instance/{inst['InstanceId']}"
            )
            t = max(t0, launch) + timedelta(minutes=r.randint(0, 5), seconds=r.randint(0, 59))
            while t < t1:
                k.ct(
                    t,
                    "ssm.amazonaws.com",
                    "UpdateInstanceInformation",
                    ident,
                    {
                        "instanceId": inst["InstanceId"],
                        "agentVersion": "3.3.1142.0",
                        "agentStatus": "Active",
                        "platformType": "Windows",
                        "platformName": "Microsoft Windows Server 2022 Datacenter",
                        "platformVersion": "10.0.20348",
                        "computerName": f"{self.host(inst)}.{k.domain}",
                        "agentName": "amazon-ssm-agent",
                    },
                    None,
                    read_only=False,
                    ip=inst["PrivateIpAddress"],
                    agent="aws-sdk-go/1.44.260 (go1.22.4; windows; amd64) amazon-ssm-agent/3.3.1142.0",
                )
                t += timedelta(minutes=r.randint(55, 65))

    def base_metrics(
        self, t0: datetime, t1: datetime, cpu_mod: Callable[[Rec, datetime, float], float] | None = None
    ) -> None:
        k, r = self.k, self.k.r
        for inst in self.instances:
            iid = inst["InstanceId"]
            launch = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))

            def cpu(t: datetime, inst: Rec = inst, launch: datetime = launch) -> float | None:
                if t < launch + timedelta(minutes=5):
                    return None
                v = 6 + 38 * self.load(t) / max(1, len(self.instances) / 3) + r.uniform(-3, 3)
                if cpu_mod:
                    v = cpu_mod(inst, t, v)
                return max(0.5, min(100.0, v))

            k.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", t0, t1, 300, cpu)
            k.series(
                "AWS/EC2",
                "StatusCheckFailed",
                {"InstanceId": iid},
                "Count",
                t0,
                t1,
                300,
                partial(_zero_after, launch + timedelta(minutes=5)),
            )
        k.series(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": self.db_id},
            "Percent",
            t0,
            t1,
            60,
            lambda t: 9 + 30 * self.load(t) + r.uniform(-2, 2),
        )
        k.series(
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": self.db_id},
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int(40 + 12 * len(self.instances) + r.uniform(-4, 4))),
        )
        free = 210e9 + r.uniform(0, 40e9)
        k.series(
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": self.db_id},
            "Bytes",
            t0,
            t1,
            60,
            lambda t: free - (t - t0).total_seconds() * 9000,
        )
        k.series(
            "AWS/RDS",
            "ReadLatency",
            {"DBInstanceIdentifier": self.db_id},
            "Seconds",
            t0,
            t1,
            60,
            lambda t: 0.0011 + 0.0006 * self.load(t) + r.uniform(0, 0.0004),
        )
        self.flap_at = t0 + timedelta(minutes=r.randint(70, 100))
        flap = self.flap_at
        k.series(
            "AWS/RDS",
            "WriteLatency",
            {"DBInstanceIdentifier": self.db_id},
            "Seconds",
            t0,
            t1,
            60,
            lambda t: (
                0.0018
                + 0.0009 * self.load(t)
                + r.uniform(0, 0.0005)
                + (0.0024 if flap - timedelta(minutes=5) <= t < flap - timedelta(minutes=1) else 0.0)
            ),
        )

    def nlb_metrics(
        self,
        t0: datetime,
        t1: datetime,
        healthy: Callable[[datetime], int],
        unhealthy: Callable[[datetime], int],
        reset_extra: Callable[[datetime], float] | None = None,
    ) -> None:
        k, r = self.k, self.k.r
        nd = {"LoadBalancer": self.nlb_dim}
        td = {"TargetGroup": self.tg_dim, "LoadBalancer": self.nlb_dim}
        k.series(
            "AWS/NetworkELB",
            "ActiveFlowCount",
            nd,
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int(60 + 1900 * self.load(t) * r.uniform(0.93, 1.07))),
        )
        k.series(
            "AWS/NetworkELB",
            "NewFlowCount",
            nd,
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int(300 + 9000 * self.load(t) * r.uniform(0.9, 1.1))),
        )
        k.series(
            "AWS/NetworkELB",
            "ProcessedBytes",
            nd,
            "Bytes",
            t0,
            t1,
            60,
            lambda t: float(int(2.0e6 + 3.1e8 * self.load(t) * r.uniform(0.9, 1.1))),
        )
        k.series(
            "AWS/NetworkELB",
            "TCP_Target_Reset_Count",
            nd,
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int(r.uniform(0, 6) * self.load(t) + (reset_extra(t) if reset_extra else 0))),
        )
        k.series(
            "AWS/NetworkELB",
            "TCP_Client_Reset_Count",
            nd,
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int(r.uniform(2, 40) * self.load(t))),
        )
        k.series("AWS/NetworkELB", "HealthyHostCount", td, "Count", t0, t1, 60, lambda t: float(healthy(t)))
        k.series(
            "AWS/NetworkELB", "UnHealthyHostCount", td, "Count", t0, t1, 60, lambda t: float(unhealthy(t))
        )

    def canary_metrics(
        self,
        t0: datetime,
        t1: datetime,
        success: Callable[[datetime], float],
        duration: Callable[[datetime], float],
    ) -> None:
        k = self.k
        d = {"CanaryName": self.canary}
        seen: dict[datetime, float] = {}

        def ok(t: datetime) -> float:
            if t not in seen:
                seen[t] = max(0.0, min(100.0, success(t)))
            return seen[t]

        k.series("CloudWatchSynthetics", "SuccessPercent", d, "Percent", t0, t1, 300, ok)
        k.series("CloudWatchSynthetics", "Duration", d, "Milliseconds", t0, t1, 300, duration)
        k.series(
            "CloudWatchSynthetics",
            "Failed",
            d,
            "Count",
            t0,
            t1,
            300,
            lambda t: round(5 * (100 - ok(t)) / 100),
        )

    def fsx_metrics(
        self, t0: datetime, t1: datetime, extra: Callable[[datetime], float] | None = None
    ) -> None:
        """Client-facing FSx metrics (1-minute, Sum for bytes/ops)."""
        k, r = self.k, self.k.r
        d = {"FileSystemId": self.fs_id}

        def rb(t: datetime) -> float:
            return float(
                int((1.5e7 + 7.5e8 * self.load(t) + (extra(t) if extra else 0)) * r.uniform(0.85, 1.15))
            )

        k.series("AWS/FSx", "DataReadBytes", d, "Bytes", t0, t1, 60, rb)
        k.series(
            "AWS/FSx",
            "DataWriteBytes",
            d,
            "Bytes",
            t0,
            t1,
            60,
            lambda t: float(int((6e6 + 2.4e8 * self.load(t)) * r.uniform(0.8, 1.2))),
        )
        k.series(
            "AWS/FSx",
            "MetadataOperations",
            d,
            "Count",
            t0,
            t1,
            60,
            lambda t: float(int((900 + 26000 * self.load(t)) * r.uniform(0.85, 1.15))),
        )
        cap = self.fsx_capacity * 1024**3
        free0 = cap * r.uniform(0.31, 0.45)
        k.series(
            "AWS/FSx",
            "FreeStorageCapacity",
            d,
            "Bytes",
            t0,
            t1,
            60,
            lambda t: float(int(free0 - (t - t0).total_seconds() * 1400)),
        )


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def canary_resource(e: Estate, steps: str = "rate(1 minute)") -> None:
    k = e.k
    k.res(
        "synthetics",
        "Canary",
        {
            "Id": k.uid(),
            "Name": e.canary,
            "ExecutionRoleArn": f"arn:aws:iam::{k.account}:role/{e.app}-canary-role",
            "Schedule": {"Expression": steps, "DurationInSeconds": 0},
            "RunConfig": {"TimeoutInSeconds": 60, "MemoryInMB": 1000, "ActiveTracing": False},
            "SuccessRetentionPeriodInDays": 31,
            "FailureRetentionPeriodInDays": 31,
            "Status": {"State": "RUNNING"},
            "ArtifactS3Location": f"cw-syn-results-{k.account}-{k.region}/canary/{k.region}/{e.canary}",
            "RuntimeVersion": "syn-nodejs-puppeteer-9.1",
        },
    )


def quiet_alarms(e: Estate, start: datetime) -> None:
    """Alarms a team of this estate has that stay quiet, plus the SQL write-latency one that flaps."""
    k, r = e.k, e.k.r
    since = start - timedelta(days=r.randint(3, 30), minutes=r.randint(0, 600))
    fsx_t = start - timedelta(days=r.randint(20, 200), minutes=r.randint(0, 600))
    sql_t = start - timedelta(days=r.randint(1, 40), minutes=r.randint(0, 600))
    k.alarm(
        f"{e.app}-nlb-unhealthy-hosts",
        "Any web target unhealthy behind the NLB",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"TargetGroup": e.tg_dim, "LoadBalancer": e.nlb_dim},
        "Maximum",
        60,
        3,
        0.0,
        "GreaterThanThreshold",
        "OK",
        f"Threshold Crossed: 1 datapoint [0.0 ({since - timedelta(minutes=1):%d/%m/%y %H:%M:%S})] was not greater than the threshold (0.0).",
        since,
        e.topic,
    )
    k.alarm(
        f"{e.app}-fsx-free-storage-low",
        "FSx free storage below 10%",
        "AWS/FSx",
        "FreeStorageCapacity",
        {"FileSystemId": e.fs_id},
        "Minimum",
        300,
        1,
        float(int(e.fsx_capacity * 1024**3 * 0.1)),
        "LessThanThreshold",
        "OK",
        f"Threshold Crossed: 1 datapoint [{e.fsx_capacity * 1024**3 * r.uniform(0.45, 0.6):.1f} ({fsx_t - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was not less than the threshold ({e.fsx_capacity * 1024**3 * 0.1 // 1:.1f}).",
        fsx_t,
        e.topic,
    )
    k.alarm(
        f"{e.db_id}-cpu-high",
        "SQL Server CPU above 85% for 15 minutes",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": e.db_id},
        "Average",
        300,
        3,
        85.0,
        "GreaterThanThreshold",
        "OK",
        f"Threshold Crossed: 1 datapoint [{r.uniform(20, 60):.4f} ({sql_t - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was not "
        "greater than the threshold (85.0).",
        sql_t,
        e.topic,
    )
    wl = k.alarm(
        f"{e.db_id}-write-latency",
        "SQL Server write latency high",
        "AWS/RDS",
        "WriteLatency",
        {"DBInstanceIdentifier": e.db_id},
        "Average",
        60,
        2,
        0.0035,
        "GreaterThanThreshold",
        "OK",
        "",
        e.flap_at,
        e.topic,
    )
    t_w = ts(wl["StateUpdatedTimestamp"])
    dims = {"DBInstanceIdentifier": e.db_id}
    hi_v, hi_s = k.points("AWS/RDS", "WriteLatency", dims, t_w - timedelta(minutes=3), 2)
    k.transition(wl, t_w - timedelta(minutes=3), "OK", "ALARM", hi_v, hi_s)
    lo_v, lo_s = k.points("AWS/RDS", "WriteLatency", dims, t_w, 1)
    okw = k.transition(wl, t_w, "ALARM", "OK", lo_v, lo_s)
    wl["StateReason"] = okw["reason"]
    wl["StateReasonData"] = okw["reasonData"]


def cw_event_text(log: str, level: str, event_id: int, source: str, host: str, text: str) -> str:
    """A Windows event as the CloudWatch agent ships it with event_format text."""
    return f"[{log}] [{level}] [{event_id}] [{source}] [{host}] [{text}]"


def grid_after(start: datetime, t: datetime, period: int) -> datetime:
    """The first point of the `period`-second grid from `start` at or after `t`."""
    n = -(-int((t - start).total_seconds()) // period)
    return start + timedelta(seconds=period * n)


def _zero_after(since: datetime, t: datetime) -> float | None:
    return 0.0 if t >= since else None
