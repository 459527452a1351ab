"""Private helpers for kit zzzzf: a classic web monolith (EC2 Auto Scaling behind an ALB, RDS MySQL with
a read replica, EFS for shared uploads, S3 and CloudFront) and the noise a real account carries."""

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

Rec = dict[str, Any]
MIN = timedelta(minutes=1)

BRANDS = [
    ("larkmarket", "Lark Market"),
    ("quillhouse", "Quill House"),
    ("ferncraft", "Ferncraft"),
    ("tidewell", "Tidewell"),
    ("brambleco", "Bramble & Co"),
    ("copperkettle", "Copper Kettle"),
]
PEOPLE = ["maria.okafor", "j.lindqvist", "dev.patel", "sam.reyes", "t.nakamura", "olga.ivanova", "ben.carter"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class World:
    """One account's monolith and its telemetry, built up by an incident module."""

    def __init__(self, seed: int, onset: datetime, *, before: timedelta, after: timedelta, salt: str) -> None:
        self.rng = random.Random(f"{salt}/{seed}")
        r = self.rng
        self.seed = f"{salt}/{seed}"
        self.onset = onset
        self.start = (onset - before).replace(second=0, microsecond=0)
        self.now = onset + after
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12)).replace("0", "4", 1)
        if self.account[0] == "0":
            self.account = "7" + self.account[1:]
        self.region = "us-east-1"
        self.app, self.brand = r.choice(BRANDS)
        self.people = r.sample(PEOPLE, 4)
        self.records: dict[str, list[Rec]] = {
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
        self.series: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[datetime, float]]] = {}
        self.vpc = self.hid("vpc-")
        self.azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
        self.subnets = {az: self.hid("subnet-") for az in self.azs}
        self.db_subnets = {az: self.hid("subnet-") for az in self.azs}
        self.sg_alb, self.sg_web, self.sg_db, self.sg_efs = (self.hid("sg-") for _ in range(4))
        self.asg = f"{self.app}-web-asg"
        self.lt = self.hid("lt-")
        self.lt_version = r.randint(14, 60)
        self.alb_name = f"{self.app}-web-alb"
        self.alb_id = f"app/{self.alb_name}/{self.hexs(16)}"
        self.alb_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/{self.alb_id}"
        self.tg_name = f"{self.app}-web-tg"
        self.tg_id = f"targetgroup/{self.tg_name}/{self.hexs(16)}"
        self.tg_arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:{self.tg_id}"
        self.db = f"{self.app}-mysql-prod"
        self.replica = f"{self.app}-mysql-replica-1"
        self.pg = f"{self.app}-mysql80-prod"
        self.efs = self.hid("fs-", 17)
        self.bucket = f"{self.app}-media-prod-{self.account[-4:]}"
        self.dist = "E" + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(13))
        self.topic = f"arn:aws:sns:{self.region}:{self.account}:{self.app}-oncall"
        self.ami = self.hid("ami-")
        self.instances: list[dict[str, Any]] = []
        self.sso_hash = self.hexs(16)

    # --- ids ------------------------------------------------------------------------------------------

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def hid(self, prefix: str, n: int = 17) -> str:
        return prefix + self.hexs(n)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def minutes(self, period: int = 60, until: datetime | None = None) -> list[datetime]:
        out = []
        t = self.start
        end = until or self.now
        while t <= end:
            out.append(t)
            t += timedelta(seconds=period)
        return out

    # --- identities -----------------------------------------------------------------------------------

    def sso(self, person: str, perm: str = "AdministratorAccess") -> Rec:
        role = f"AWSReservedSSO_{perm}_{self.sso_hash}"
        pid = "AROA" + self.hexs(17).upper()
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{person}@{self.app}.com",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{person}@{self.app}.com",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexs(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start - timedelta(hours=1)),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def role(self, role: str, session: str) -> Rec:
        pid = "AROA" + (self.app.upper() + role.upper()).replace("-", "")[:17].ljust(17, "X")
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.hexs(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def service_role(self, service: str) -> Rec:
        ident = self.role(f"AWSServiceRoleFor{service.split('.')[0].capitalize()}", service.split(".")[0])
        ident["invokedBy"] = service
        return ident

    # --- CloudTrail -----------------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None = None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> Rec:
        invoked = ident.get("invokedBy")
        rec: Rec = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked or ip or f"198.51.100.{self.rng.randint(10, 200)}",
            "userAgent": invoked
            or agent
            or "aws-cli/2.17.41 md/awscrt#0.21.2 ua/2.0 os/macos#23.5.0 md/arch#arm64",
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
        if "tlsDetails" not in rec and not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records["cloudtrail"].append(rec)
        return rec

    def tooling_noise(self) -> None:
        """Read-only calls from the monitoring integration and the CI runner, all through the window."""
        mon = self.role("DatadogIntegrationRole", "DatadogAWSIntegration")
        agent = (
            "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.223 md/arch#x86_64 lang/python#3.11.9"
        )
        calls: list[tuple[str, str, Rec | None]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": self.tg_arn}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
            ("elasticfilesystem.amazonaws.com", "DescribeFileSystems", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ]
        t = self.start + timedelta(minutes=self.rng.randint(1, 9))
        i = 0
        while t < self.now:
            src, name, req = calls[i % len(calls)]
            self.ct(t, src, name, mon, req, None, read_only=True, ip="3.233.147.22", agent=agent)
            i += 1
            t += timedelta(minutes=self.rng.randint(4, 9), seconds=self.rng.randint(0, 59))

    # --- metrics --------------------------------------------------------------------------------------

    def put(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        *,
        period: int = 60,
        stats: Callable[[datetime, float], tuple[float, float, float, float]] | None = None,
        until: datetime | None = None,
        since: datetime | None = None,
    ) -> None:
        key = (ns, metric, tuple(sorted(dims.items())))
        pts = self.series.setdefault(key, [])
        for t in self.minutes(period, until):
            if since and t < since:
                continue
            v = fn(t)
            if v is None:
                continue
            v = round(float(v), 4)
            pts.append((t, v))
            rec: Rec = {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if stats:
                n, s, lo, hi = stats(t, v)
                rec["statistic_values"] = {
                    "SampleCount": n,
                    "Sum": round(s, 4),
                    "Minimum": round(lo, 4),
                    "Maximum": round(hi, 4),
                }
            else:
                rec["value"] = v
            self.records["metrics"].append(rec)

    def noise(self, t: datetime, salt: str, amp: float = 0.08) -> float:
        """Deterministic jitter in [1-amp, 1+amp] for time t (same for the same seed, series and minute)."""
        h = random.Random(f"{self.seed}/{salt}/{int(t.timestamp())}")
        return 1.0 + (h.random() * 2 - 1) * amp

    def diurnal(self, t: datetime, tz_offset: int, lo: float, hi: float) -> float:
        hour = ((t.hour + tz_offset) % 24) + t.minute / 60
        x = (1 - math.cos((hour - 4) / 24 * 2 * math.pi)) / 2  # 0 at 04:00 local, 1 at 16:00
        return lo + (hi - lo) * x

    # --- alarms ---------------------------------------------------------------------------------------

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
        desc: str = "",
        missing: str = "missing",
        unit_txt: str = "",
        created: datetime | None = None,
        actions: bool = True,
    ) -> list[tuple[datetime, str, str, str]]:
        """Evaluate an alarm over the recorded series; write the alarm, its history and return transitions."""
        dta = dta or evals
        key = (ns, metric, tuple(sorted(dims.items())))
        pts = dict(self.series.get(key, []))
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        cmp: Callable[[float], bool] = {
            "GreaterThanThreshold": lambda v: v > threshold,
            "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
            "LessThanThreshold": lambda v: v < threshold,
            "LessThanOrEqualToThreshold": lambda v: v <= threshold,
        }[op]
        state = "OK"
        since = self.start - timedelta(days=self.rng.randint(3, 40))
        transitions: list[tuple[datetime, str, str, str]] = []
        begin = created or self.start
        if created:
            state = "INSUFFICIENT_DATA"
            transitions.append((created, "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation", ""))
        t = begin + timedelta(seconds=period * evals)
        while t <= self.now:
            window = [t - timedelta(seconds=period * (k + 1)) for k in range(evals)]
            vals = [pts[w] for w in window if w in pts]
            breach = sum(1 for v in vals if cmp(v))
            new = state
            if breach >= dta:
                new = "ALARM"
            elif vals:
                new = "OK"
            if new != state:
                shown = [v for v in vals][:dta]
                word = "greater than" if op.startswith("Greater") else "less than"
                if op.endswith("OrEqualToThreshold"):
                    word += " or equal to"
                pts_txt = ", ".join(f"{v:g}" for v in shown)
                stamps = window[: len(shown)]
                if new == "ALARM":
                    reason = (
                        f"Threshold Crossed: {dta} out of the last {evals} datapoints "
                        f"[{pts_txt}] were {word} the threshold ({threshold:g}) "
                        f"(minimum {dta} datapoints for OK -> ALARM transition)."
                    )
                else:
                    reason = (
                        f"Threshold Crossed: 1 datapoint [{shown[0]:g} ({window[0].strftime('%d/%m/%y %H:%M:%S')})] "
                        f"was not {word} the threshold ({threshold:g})."
                    )
                data = json.dumps(
                    {
                        "version": "1.0",
                        "queryDate": iso_ms(t),
                        "startDate": iso_ms(window[-1]),
                        "statistic": stat,
                        "period": period,
                        "recentDatapoints": shown,
                        "threshold": threshold,
                        "evaluatedDatapoints": [
                            {"timestamp": iso_ms(s), "sampleCount": 1.0, "value": v}
                            for s, v in zip(stamps, shown, strict=False)
                        ],
                    }
                )
                transitions.append((t, new, reason, data))
                state = new
            t += timedelta(seconds=period)
        old = "OK" if not created else "INSUFFICIENT_DATA"
        for when, new, reason, data in transitions:
            if when == created:
                self.records["alarm_history"].append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when),
                        "HistoryItemType": "ConfigurationUpdate",
                        "HistorySummary": f'Alarm "{name}" created',
                        "HistoryData": json.dumps({"type": "Create", "version": "1.0"}),
                    }
                )
                continue
            hist = {
                "version": "1.0",
                "oldState": {"stateValue": old},
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
            }
            self.records["alarm_history"].append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(when),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(hist),
                }
            )
            if new in ("ALARM", "OK") and actions and old != "INSUFFICIENT_DATA":
                self.records["alarm_history"].append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when + timedelta(milliseconds=180)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {self.topic}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": int(when.timestamp() * 1000),
                                "notificationResource": self.topic,
                                "publishedMessage": {"MessageId": self.uid()},
                            }
                        ),
                    }
                )
            old = new
            since = when
        last_reason = (
            transitions[-1][2] if transitions else "Threshold Crossed: no datapoints were breaching."
        )
        last_data = transitions[-1][3] if transitions else ""
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created or (self.start - timedelta(days=90))),
            "ActionsEnabled": True,
            "OKActions": [self.topic] if actions else [],
            "AlarmActions": [self.topic] if actions else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": last_reason,
            "StateUpdatedTimestamp": iso_ms(since),
            "StateTransitionedTimestamp": iso_ms(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if last_data:
            item["StateReasonData"] = last_data
        self.records["alarms"].append(item)
        self._alarm_items = getattr(self, "_alarm_items", {})
        self._alarm_items[name] = (item, transitions)
        return transitions

    def alarm_event(self, name: str) -> Rec:
        item, transitions = self._alarm_items[name]
        fired = [tr for tr in transitions if tr[1] == "ALARM" and tr[0] <= self.now]
        when, _, reason, data = fired[0]
        prev_t = [tr for tr in transitions if tr[0] < when]
        prev_when = prev_t[-1][0] if prev_t else self.start - timedelta(days=6, hours=3)
        dims = {d["Name"]: d["Value"] for d in item["Dimensions"]}
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {"value": "ALARM", "reason": reason, "reasonData": data, "timestamp": iso_ms(when)},
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": iso_ms(prev_when),
                },
                "configuration": {
                    "description": item["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hexs(8) + "-" + self.hexs(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": item["Namespace"],
                                    "name": item["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": item["Period"],
                                "stat": item["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- logs, resources, events ----------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def res(self, service: str, typ: str, item: Rec) -> None:
        self.records["resources"].append({"service": service, "type": typ, "item": item})

    def event(self, source: str, item: Rec) -> None:
        self.records["events"].append({"source": source, "item": item})

    # --- the estate -----------------------------------------------------------------------------------

    def add_instance(
        self,
        az: str,
        launched: datetime,
        *,
        terminated: datetime | None = None,
        lt_version: int | None = None,
    ) -> dict[str, Any]:
        sub = self.subnets[az]
        n = len(self.instances)
        inst = {
            "id": self.hid("i-"),
            "az": az,
            "subnet": sub,
            "ip": f"10.40.{self.azs.index(az) * 16 + 2}.{self.rng.randint(10, 250)}",
            "launched": launched,
            "terminated": terminated,
            "vol": self.hid("vol-"),
            "data_vol": self.hid("vol-"),
            "eni": self.hid("eni-"),
            "lt_version": lt_version or self.lt_version,
            "n": n,
        }
        self.instances.append(inst)
        return inst

    def alive(self, t: datetime) -> list[dict[str, Any]]:
        return [
            i
            for i in self.instances
            if i["launched"] <= t and (i["terminated"] is None or t < i["terminated"])
        ]

    def estate(
        self,
        *,
        min_size: int,
        max_size: int,
        health_check: str = "EC2",
        data_volume: bool = False,
        status_override: dict[str, Rec] | None = None,
    ) -> None:
        """Describe-call items for everything at `now`."""
        r = self.rng
        tags = [{"Key": "app", "Value": self.app}, {"Key": "env", "Value": "prod"}]
        self.res(
            "ec2",
            "Vpc",
            {
                "VpcId": self.vpc,
                "CidrBlock": "10.40.0.0/16",
                "State": "available",
                "IsDefault": False,
                "Tags": tags,
            },
        )
        for az, sub in self.subnets.items():
            k = self.azs.index(az)
            self.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sub,
                    "VpcId": self.vpc,
                    "AvailabilityZone": az,
                    "CidrBlock": f"10.40.{k * 16}.0/20",
                    "AvailableIpAddressCount": 4000 + r.randint(0, 80),
                    "State": "available",
                    "MapPublicIpOnLaunch": False,
                    "Tags": [{"Key": "Name", "Value": f"{self.app}-private-{az[-1]}"}],
                },
            )
        for gid, gname, desc in (
            (self.sg_alb, f"{self.app}-alb", "public ALB"),
            (self.sg_web, f"{self.app}-web", "web tier instances"),
            (self.sg_db, f"{self.app}-mysql", "MySQL from web tier"),
            (self.sg_efs, f"{self.app}-efs", "NFS from web tier"),
        ):
            perms: list[Rec] = []
            if gid == self.sg_alb:
                perms = [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                    }
                ]
            else:
                port, src = {
                    self.sg_web: (80, self.sg_alb),
                    self.sg_db: (3306, self.sg_web),
                    self.sg_efs: (2049, self.sg_web),
                }[gid]
                perms = [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "UserIdGroupPairs": [{"GroupId": src, "UserId": self.account}],
                        "IpRanges": [],
                    }
                ]
            self.res(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": gid,
                    "GroupName": gname,
                    "Description": desc,
                    "VpcId": self.vpc,
                    "OwnerId": self.account,
                    "IpPermissions": perms,
                    "IpPermissionsEgress": [
                        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}
                    ],
                },
            )
        live = [i for i in self.instances if i["terminated"] is None or i["terminated"] > self.now]
        for i in live:
            if i["launched"] > self.now:
                continue
            bdm = [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(i["launched"]),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": i["vol"],
                    },
                }
            ]
            if data_volume:
                bdm.append(
                    {
                        "DeviceName": "/dev/xvdf",
                        "Ebs": {
                            "AttachTime": iso(i["launched"]),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": i["data_vol"],
                        },
                    }
                )
            self.res(
                "ec2",
                "Instance",
                {
                    "InstanceId": i["id"],
                    "ImageId": self.ami,
                    "InstanceType": "m6i.xlarge",
                    "LaunchTime": iso(i["launched"]),
                    "Placement": {"AvailabilityZone": i["az"], "Tenancy": "default"},
                    "PrivateIpAddress": i["ip"],
                    "PrivateDnsName": f"ip-{i['ip'].replace('.', '-')}.ec2.internal",
                    "State": {"Code": 16, "Name": "running"},
                    "SubnetId": i["subnet"],
                    "VpcId": self.vpc,
                    "Architecture": "x86_64",
                    "RootDeviceName": "/dev/xvda",
                    "RootDeviceType": "ebs",
                    "BlockDeviceMappings": bdm,
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{self.account}:instance-profile/{self.app}-web",
                        "Id": "AIPA" + self.hexs(17).upper(),
                    },
                    "SecurityGroups": [{"GroupId": self.sg_web, "GroupName": f"{self.app}-web"}],
                    "NetworkInterfaces": [
                        {
                            "NetworkInterfaceId": i["eni"],
                            "SubnetId": i["subnet"],
                            "VpcId": self.vpc,
                            "PrivateIpAddress": i["ip"],
                            "Status": "in-use",
                            "Groups": [{"GroupId": self.sg_web, "GroupName": f"{self.app}-web"}],
                        }
                    ],
                    "Monitoring": {"State": "disabled"},
                    "Tags": [
                        {"Key": "Name", "Value": f"{self.app}-web"},
                        {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                        {"Key": "aws:ec2launchtemplate:id", "Value": self.lt},
                        {"Key": "aws:ec2launchtemplate:version", "Value": str(i["lt_version"])},
                    ],
                },
            )
            self.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": i["az"],
                    "InstanceId": i["id"],
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "AttachedEbsStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                }
                | (status_override or {}).get(i["id"], {}),
            )
            if data_volume:
                self.res(
                    "ec2",
                    "Volume",
                    {
                        "VolumeId": i["data_vol"],
                        "Size": 50,
                        "VolumeType": "gp3",
                        "Iops": 3000,
                        "Throughput": 125,
                        "State": "in-use",
                        "AvailabilityZone": i["az"],
                        "CreateTime": iso(i["launched"]),
                        "Encrypted": True,
                        "Attachments": [
                            {
                                "InstanceId": i["id"],
                                "Device": "/dev/xvdf",
                                "State": "attached",
                                "VolumeId": i["data_vol"],
                                "AttachTime": iso(i["launched"]),
                                "DeleteOnTermination": True,
                            }
                        ],
                        "Tags": [{"Key": "Name", "Value": f"{self.app}-web-storage"}],
                    },
                )
        self.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": (
                    f"arn:aws:autoscaling:{self.region}:{self.account}:autoScalingGroup:{self.uid()}:"
                    f"autoScalingGroupName/{self.asg}"
                ),
                "LaunchTemplate": {
                    "LaunchTemplateId": self.lt,
                    "LaunchTemplateName": f"{self.app}-web",
                    "Version": "$Latest",
                },
                "MinSize": min_size,
                "MaxSize": max_size,
                "DesiredCapacity": len([i for i in live if i["launched"] <= self.now]),
                "DefaultCooldown": 300,
                "AvailabilityZones": self.azs,
                "TargetGroupARNs": [self.tg_arn],
                "HealthCheckType": health_check,
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": i["id"],
                        "InstanceType": "m6i.xlarge",
                        "AvailabilityZone": i["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": self.lt,
                            "LaunchTemplateName": f"{self.app}-web",
                            "Version": str(i["lt_version"]),
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i in live
                    if i["launched"] <= self.now
                ],
                "CreatedTime": iso(self.start - timedelta(days=400)),
                "VPCZoneIdentifier": ",".join(self.subnets.values()),
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": (
                    f"arn:aws:iam::{self.account}:role/aws-service-role/autoscaling.amazonaws.com/"
                    "AWSServiceRoleForAutoScaling"
                ),
                "Tags": [
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "app",
                        "Value": self.app,
                        "PropagateAtLaunch": True,
                    }
                ],
            },
        )
        self.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.alb_arn,
                "DNSName": f"{self.alb_name}-{r.randint(100000000, 999999999)}.{self.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": iso(self.start - timedelta(days=700)),
                "LoadBalancerName": self.alb_name,
                "Scheme": "internet-facing",
                "VpcId": self.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": az, "SubnetId": self.hid("subnet-")} for az in self.azs],
                "SecurityGroups": [self.sg_alb],
                "IpAddressType": "ipv4",
            },
        )
        self.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": self.tg_arn,
                "TargetGroupName": self.tg_name,
                "Protocol": "HTTP",
                "Port": 80,
                "VpcId": self.vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz.html",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [self.alb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
        self.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": self.alb_arn.replace(":loadbalancer/", ":listener/") + "/" + self.hexs(16),
                "LoadBalancerArn": self.alb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [
                    {"CertificateArn": f"arn:aws:acm:{self.region}:{self.account}:certificate/{self.uid()}"}
                ],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": self.tg_arn}],
            },
        )
        self.res(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": self.account,
                "CreationToken": f"{self.app}-uploads",
                "FileSystemId": self.efs,
                "FileSystemArn": f"arn:aws:elasticfilesystem:{self.region}:{self.account}:file-system/{self.efs}",
                "CreationTime": iso(self.start - timedelta(days=700)),
                "LifeCycleState": "available",
                "Name": f"{self.app}-uploads",
                "NumberOfMountTargets": 3,
                "SizeInBytes": {"Value": r.randint(180, 420) * 1024**3},
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "ThroughputMode": "elastic",
                "Tags": [{"Key": "Name", "Value": f"{self.app}-uploads"}],
            },
        )
        self.res("s3", "Bucket", {"Name": self.bucket, "CreationDate": iso(self.start - timedelta(days=900))})
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/{self.app}/web/app",
                "creationTime": ms(self.start - timedelta(days=600)),
                "retentionInDays": 30,
                "storedBytes": r.randint(10, 90) * 1024**3,
            },
        )

    def db_instance(
        self,
        ident: str,
        *,
        replica_of: str | None = None,
        multi_az: bool = True,
        az: str = "us-east-1a",
        window: str = "sun:07:00-sun:07:30",
        status: str = "available",
        extra: Rec | None = None,
    ) -> None:
        item: Rec = {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "mysql",
            "EngineVersion": "8.0.39",
            "DBInstanceStatus": status,
            "MasterUsername": "admin",
            "Endpoint": {
                "Address": f"{ident}.c{self.hexs(11)}.{self.region}.rds.amazonaws.com",
                "Port": 3306,
                "HostedZoneId": "Z2R2ITUGPM61AM",
            },
            "AllocatedStorage": 500,
            "InstanceCreateTime": iso(self.start - timedelta(days=500)),
            "PreferredBackupWindow": "05:10-05:40",
            "BackupRetentionPeriod": 7 if not replica_of else 0,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg_db, "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": self.pg, "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": f"{self.app}-db",
                "VpcId": self.vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": a}, "SubnetStatus": "Active"}
                    for a, s in self.db_subnets.items()
                ],
            },
            "PreferredMaintenanceWindow": window,
            "PendingModifiedValues": {},
            "MultiAZ": multi_az,
            "AutoMinorVersionUpgrade": True,
            "StorageType": "gp3",
            "Iops": 12000,
            "StorageThroughput": 500,
            "StorageEncrypted": True,
            "DbiResourceId": "db-"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
            "DBInstanceArn": f"arn:aws:rds:{self.region}:{self.account}:db:{ident}",
            "PerformanceInsightsEnabled": False,
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        }
        if replica_of:
            item["ReadReplicaSourceDBInstanceIdentifier"] = replica_of
            item["StatusInfos"] = [
                {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
            ]
        else:
            item["ReadReplicaDBInstanceIdentifiers"] = [self.replica]
            item["SecondaryAvailabilityZone"] = "us-east-1b" if az != "us-east-1b" else "us-east-1c"
        item.update(extra or {})
        self.res("rds", "DBInstance", item)

    def activity(
        self, t: datetime, desc: str, cause: str, *, secs: int = 45, details: str | None = None
    ) -> None:
        self.event(
            "autoscaling",
            {
                "ActivityId": self.uid(),
                "AutoScalingGroupName": self.asg,
                "Description": desc,
                "Cause": cause,
                "StartTime": iso(t),
                "EndTime": iso(t + timedelta(seconds=secs)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": details
                or json.dumps({"Subnet ID": self.subnets["us-east-1a"], "Availability Zone": "us-east-1a"}),
            },
        )

    def target(
        self,
        inst: dict[str, Any],
        t: datetime,
        state: str,
        reason: str | None = None,
        desc: str | None = None,
    ) -> None:
        health: Rec = {"State": state}
        if reason:
            health["Reason"] = reason
        if desc:
            health["Description"] = desc
        self.event(
            "target_health",
            {
                "target_group_arn": self.tg_arn,
                "target": {"Id": inst["id"], "Port": 80, "AvailabilityZone": inst["az"]},
                "health": health,
                "timestamp": iso(t),
            },
        )

    def rds_event(self, t: datetime, source: str, stype: str, msg: str, cats: list[str]) -> None:
        kind = {"db-instance": "db", "db-parameter-group": "pg"}.get(stype, "db")
        self.event(
            "rds",
            {
                "SourceIdentifier": source,
                "SourceType": stype,
                "Message": msg,
                "EventCategories": cats,
                "Date": iso(t),
                "SourceArn": f"arn:aws:rds:{self.region}:{self.account}:{kind}:{source}",
            },
        )

    # --- common innocent changes ----------------------------------------------------------------------

    def codedeploy(self, t: datetime, person_role: str = "github-actions-deploy") -> str:
        dep = "d-" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
        ident = self.role(person_role, f"GitHubActions-{self.rng.randint(1000000000, 9999999999)}")
        agent = "aws-sdk-js/3.637.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/codedeploy#3.637.0"
        sha = self.hexs(40)
        self.ct(
            t,
            "codedeploy.amazonaws.com",
            "CreateDeployment",
            ident,
            {
                "applicationName": f"{self.app}-web",
                "deploymentGroupName": "prod",
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"{self.app}-artifacts-{self.account[-4:]}",
                        "key": f"web/{sha[:12]}.zip",
                        "bundleType": "zip",
                    },
                },
                "description": f"deploy {sha[:7]} (main)",
            },
            {"deploymentId": dep},
            ip="20.55.14.8",
            agent=agent,
        )
        return dep

    def cloudfront_invalidation(self, t: datetime, person: str) -> None:
        ref = f"inv-{self.rng.randint(100000, 999999)}"
        rec = self.ct(
            t,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            self.sso(person, "PowerUserAccess"),
            {
                "distributionId": self.dist,
                "invalidationBatch": {
                    "paths": {"quantity": 1, "items": ["/assets/*"]},
                    "callerReference": ref,
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{self.dist}/invalidation/I{self.hexs(12).upper()}",
                "invalidation": {
                    "id": "I" + self.hexs(12).upper(),
                    "status": "InProgress",
                    "createTime": iso(t),
                    "invalidationBatch": {
                        "paths": {"quantity": 1, "items": ["/assets/*"]},
                        "callerReference": ref,
                    },
                },
            },
        )
        rec["awsRegion"] = "us-east-1"

    def backup_and_console_noise(self) -> None:
        """A few ordinary writes: instance-profile session logins, tagging, S3 lifecycle edit, SSM sessions."""
        p = self.people
        t0 = self.start + timedelta(minutes=self.rng.randint(20, 50))
        self.ct(
            t0,
            "ssm.amazonaws.com",
            "StartSession",
            self.sso(p[2], "PowerUserAccess"),
            {"target": self.instances[0]["id"]},
            {
                "sessionId": f"{p[2]}@{self.app}.com-{self.hexs(17)}",
                "tokenValue": "Value hidden due to security reasons.",
                "streamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{p[2]}@{self.app}.com-{self.hexs(17)}?role=publish_subscribe&cell-number=AAEAA",
            },
        )
        self.ct(
            t0 + timedelta(minutes=self.rng.randint(30, 70)),
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            self.sso(p[1], "PowerUserAccess"),
            {"bucketName": self.bucket, "Host": f"{self.bucket}.s3.amazonaws.com", "lifecycle": ""},
            None,
        )
        self.ct(
            t0 + timedelta(minutes=self.rng.randint(80, 110)),
            "ec2.amazonaws.com",
            "CreateTags",
            self.sso(p[3], "PowerUserAccess"),
            {
                "resourcesSet": {"items": [{"resourceId": self.vpc}]},
                "tagSet": {"items": [{"key": "cost-center", "value": "web-platform"}]},
            },
            {"requestId": self.uid(), "_return": True},
        )
        # nightly-ish AWS Backup of the uploads file system finishes inside the window
        t = self.start + timedelta(minutes=self.rng.randint(5, 15))
        self.ct(
            t,
            "backup.amazonaws.com",
            "StartBackupJob",
            self.role("AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole"),
            {
                "backupVaultName": "Default",
                "resourceArn": f"arn:aws:elasticfilesystem:{self.region}:{self.account}:file-system/{self.efs}",
                "iamRoleArn": f"arn:aws:iam::{self.account}:role/service-role/AWSBackupDefaultServiceRole",
            },
            {"backupJobId": self.uid().upper(), "creationDate": iso(t)},
            ip="backup.amazonaws.com",
            agent="backup.amazonaws.com",
        )

    # --- standard telemetry ---------------------------------------------------------------------------

    def app_logs(
        self,
        rpm: Callable[[datetime], float],
        line: Callable[[dict[str, Any], datetime, random.Random], str | None],
        *,
        every: int = 2,
    ) -> None:
        """A thin sample of the application's log lines per instance (the app logs one line per slow or
        failed request plus periodic job lines; busy instances are not logged in full)."""
        group = f"/{self.app}/web/app"
        for t in self.minutes(60 * every):
            for inst in self.alive(t):
                h = random.Random(f"{self.seed}/log/{inst['id']}/{int(t.timestamp())}")
                at = t + timedelta(seconds=h.randint(0, 59))
                msg = line(inst, at, h)
                if msg:
                    self.log(group, f"{inst['id']}/laravel.log", at, msg)

    def web_metrics(
        self,
        rpm: Callable[[datetime], float],
        *,
        t5xx: Callable[[datetime], float] | None = None,
        elb5xx: dict[str, Callable[[datetime], float]] | None = None,
        latency: Callable[[datetime], float] | None = None,
        lat_max: Callable[[datetime], float] | None = None,
        healthy: Callable[[datetime], float] | None = None,
        unhealthy: Callable[[datetime], float] | None = None,
        cpu: Callable[[dict[str, Any], datetime], float] | None = None,
    ) -> None:
        """ALB, EC2 and CloudFront metrics for the web tier, as AWS publishes them."""
        lb = {"LoadBalancer": self.alb_id}
        tg = {"TargetGroup": self.tg_id, "LoadBalancer": self.alb_id}

        def req(t: datetime) -> float:
            return round(rpm(t) * self.noise(t, "rpm"))

        def err(t: datetime) -> float | None:
            base = req(t) * 0.0004 * self.noise(t, "5xx", 0.9)
            v = round(base + (t5xx(t) if t5xx else 0))
            return v or None  # ALB publishes no datapoint for a minute with no 5xx

        self.put("AWS/ApplicationELB", "RequestCount", lb, "Count", req)
        self.put(
            "AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lb, "Count", lambda t: round(req(t) * 0.93)
        )
        self.put(
            "AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", lb, "Count", lambda t: round(req(t) * 0.045)
        )
        self.put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            lb,
            "Count",
            lambda t: round(req(t) * 0.02 * self.noise(t, "4xx", 0.3)),
        )
        self.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Count", err)
        elb_total: dict[datetime, float] = {}
        for code, fn in (elb5xx or {}).items():

            def one(t: datetime, fn: Callable[[datetime], float] = fn) -> float | None:
                v = round(fn(t))
                if v:
                    elb_total[t] = elb_total.get(t, 0) + v
                return v or None

            self.put("AWS/ApplicationELB", f"HTTPCode_ELB_{code}_Count", lb, "Count", one)
        if elb_total:
            self.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Count", lambda t: elb_total.get(t))

        def lat(t: datetime) -> float:
            return (latency(t) if latency else 0.11) * self.noise(t, "lat", 0.12)

        def lat_stats(t: datetime, v: float) -> tuple[float, float, float, float]:
            n = max(1.0, float(req(t)))
            hi = lat_max(t) if lat_max else v * 9
            return n, v * n, 0.002, max(hi, v)

        self.put("AWS/ApplicationELB", "TargetResponseTime", lb, "Seconds", lat, stats=lat_stats)
        self.put(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            tg,
            "Count",
            healthy
            or (
                lambda t: float(len([i for i in self.alive(t) if t >= i["launched"] + timedelta(minutes=4)]))
            ),
        )
        self.put("AWS/ApplicationELB", "UnHealthyHostCount", tg, "Count", unhealthy or (lambda t: 0.0))
        self.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            lb,
            "Count",
            lambda t: round(req(t) * 0.31 * self.noise(t, "conn")),
        )
        self.put("AWS/ApplicationELB", "TargetConnectionErrorCount", lb, "Count", lambda t: None)

        def cpu_default(i: dict[str, Any], t: datetime) -> float:
            n = max(1, len(self.alive(t)))
            return min(99.0, 6 + req(t) / n / 95 * self.noise(t, i["id"], 0.1))

        cfn = cpu or cpu_default
        for inst in self.instances:

            def c(t: datetime, inst: dict[str, Any] = inst) -> float | None:
                if inst not in self.alive(t):
                    return None
                return cfn(inst, t)

            self.put("AWS/EC2", "CPUUtilization", {"InstanceId": inst["id"]}, "Percent", c, period=300)

        def group_cpu(t: datetime) -> float | None:
            live = self.alive(t)
            return sum(cfn(i, t) for i in live) / len(live) if live else None

        self.put(
            "AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": self.asg}, "Percent", group_cpu, period=300
        )
        cf = {"DistributionId": self.dist, "Region": "Global"}
        self.put(
            "AWS/CloudFront", "Requests", cf, "None", lambda t: round(req(t) * 3.4 * self.noise(t, "cf"))
        )
        self.put(
            "AWS/CloudFront",
            "4xxErrorRate",
            cf,
            "Percent",
            lambda t: round(1.1 * self.noise(t, "cf4", 0.4), 3),
        )
        self.put(
            "AWS/CloudFront",
            "5xxErrorRate",
            cf,
            "Percent",
            lambda t: round(
                (
                    0.02 * self.noise(t, "cf5", 0.8)
                    + 100
                    * ((t5xx(t) if t5xx else 0) + sum(f(t) for f in (elb5xx or {}).values()))
                    / max(1.0, req(t) * 3.4)
                ),
                3,
            ),
        )

    def efs_metrics(self, clients: Callable[[datetime], float] | None = None) -> None:
        dims = {"FileSystemId": self.efs}
        self.put(
            "AWS/EFS",
            "ClientConnections",
            dims,
            "Count",
            clients or (lambda t: float(len(self.alive(t)) + 1)),
        )
        self.put(
            "AWS/EFS", "TotalIOBytes", dims, "Bytes", lambda t: round(2.1e7 * self.noise(t, "efsio", 0.4))
        )
        self.put(
            "AWS/EFS",
            "PercentIOLimit",
            dims,
            "Percent",
            lambda t: round(3.5 * self.noise(t, "efspio", 0.3), 2),
        )
        self.put(
            "AWS/EFS", "MeteredIOBytes", dims, "Bytes", lambda t: round(1.7e7 * self.noise(t, "efsmio", 0.4))
        )

    def rds_metrics(
        self,
        ident: str,
        *,
        cpu: Callable[[datetime], float],
        conns: Callable[[datetime], float],
        read_lat: Callable[[datetime], float] | None = None,
        lag: Callable[[datetime], float | None] | None = None,
        up: Callable[[datetime], bool] | None = None,
    ) -> None:
        d = {"DBInstanceIdentifier": ident}

        def gate(fn: Callable[[datetime], float | None]) -> Callable[[datetime], float | None]:
            return lambda t: None if (up and not up(t)) else fn(t)

        self.put(
            "AWS/RDS",
            "CPUUtilization",
            d,
            "Percent",
            gate(lambda t: cpu(t) * self.noise(t, ident + "cpu", 0.1)),
        )
        self.put(
            "AWS/RDS",
            "DatabaseConnections",
            d,
            "Count",
            gate(lambda t: round(conns(t) * self.noise(t, ident + "c", 0.03))),
        )
        self.put(
            "AWS/RDS",
            "ReadLatency",
            d,
            "Seconds",
            gate(lambda t: (read_lat(t) if read_lat else 0.0006) * self.noise(t, ident + "rl", 0.2)),
        )
        self.put(
            "AWS/RDS", "WriteLatency", d, "Seconds", gate(lambda t: 0.0011 * self.noise(t, ident + "wl", 0.2))
        )
        self.put(
            "AWS/RDS", "FreeableMemory", d, "Bytes", gate(lambda t: 6.1e9 * self.noise(t, ident + "fm", 0.02))
        )
        self.put(
            "AWS/RDS", "ReadIOPS", d, "Count/Second", gate(lambda t: 140 * self.noise(t, ident + "ri", 0.3))
        )
        self.put(
            "AWS/RDS",
            "FreeStorageSpace",
            d,
            "Bytes",
            gate(lambda t: 2.31e11 * self.noise(t, ident + "fs", 0.001)),
        )
        if lag:
            self.put("AWS/RDS", "ReplicaLag", d, "Seconds", gate(lag))

    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        self.records["logs"].sort(key=_log_key)
        self.records["cloudtrail"] = [
            r
            for r in sorted(self.records["cloudtrail"], key=lambda x: x["eventTime"])
            if r["eventTime"] <= iso(self.now)
        ]
        self.records["events"] = [e for e in self.records["events"] if _event_time(e) <= iso(self.now)]
        self.records["alarm_history"].sort(key=lambda h: h["Timestamp"])
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
        return Bundle(manifest, {k: v for k, v in self.records.items() if v})


def _log_key(rec: Rec) -> tuple[str, str, int]:
    return (rec["log_group"], rec["log_stream"], rec["timestamp"])


def _event_time(e: Rec) -> str:
    item = e["item"]
    for k in ("timestamp", "Date", "StartTime"):
        if k in item:
            return str(item[k])
    return ""
