"""Private helpers for kit `zzg` incidents: ids, CloudTrail records, metric series, alarms, network resources."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Row = dict[str, Any]


def local(t: datetime, zone: str) -> datetime:
    """The wall-clock time in `zone` (an IANA name) of a UTC instant."""
    from zoneinfo import ZoneInfo

    return t.astimezone(ZoneInfo(zone))


def jnum(v: float) -> str:
    """A number as CloudWatch's state reasons print it (Java's Double.toString)."""
    v = float(v)
    if v != 0 and (abs(v) >= 1e7 or abs(v) < 1e-3):
        mant, exp = f"{v:.15E}".split("E")
        mant = mant.rstrip("0")
        if mant.endswith("."):
            mant += "0"
        return f"{mant}E{int(exp)}"
    return repr(round(v, 12))


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Everything one incident's bundle accumulates while it is built."""

    def __init__(
        self, seed: int, salt: str, account: str, region: str, start: datetime, now: datetime
    ) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.account = account
        self.region = region
        self.start = start
        self.now = now
        self.metrics: list[Row] = []
        self.alarms: list[Row] = []
        self.history: list[Row] = []
        self.logs: list[Row] = []
        self.cloudtrail: list[Row] = []
        self.resources: list[Row] = []
        self.events: list[Row] = []
        self._first_reason = ""

    # --- ids ------------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def rid(self, prefix: str, n: int = 17) -> str:
        return f"{prefix}-{self.hex(n)}"

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:32]}"

    def upper(self, prefix: str, n: int) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def jitter(self, t: datetime, seconds: int) -> datetime:
        return t + timedelta(seconds=self.rng.randint(0, seconds))

    # --- resources ------------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Row) -> Row:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    # --- logs -----------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        if t <= self.now:
            self.logs.append(
                {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
            )

    # --- metrics --------------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[..., float | None],
        period: int = 60,
        start: datetime | None = None,
    ) -> dict[datetime, float]:
        """One datapoint per period from start to now; fn returns None where AWS publishes nothing."""
        out: dict[datetime, float] = {}
        t = start or self.start
        while t <= self.now - timedelta(seconds=period):
            v = fn(t)
            if v is not None:
                v = round(float(v), 3)
                out[t] = v
                self.metrics.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": v,
                    }
                )
            t += timedelta(seconds=period)
        return out

    def statset(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[..., tuple[float, float, float, float] | None],
        period: int = 60,
    ) -> dict[datetime, float]:
        """Statistic sets (SampleCount, Sum, Min, Max); returns the averages by time."""
        out: dict[datetime, float] = {}
        t = self.start
        while t <= self.now - timedelta(seconds=period):
            r = fn(t)
            if r is not None:
                n, s, lo, hi = r
                n = max(1.0, round(n))
                s = round(s, 4)
                lo = round(min(lo, s / n), 4)
                hi = round(max(hi, s / n), 4)
                out[t] = s / n
                self.metrics.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "statistic_values": {"SampleCount": n, "Sum": s, "Minimum": lo, "Maximum": hi},
                    }
                )
            t += timedelta(seconds=period)
        return out

    # --- alarms ---------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        description: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation: int,
        to_alarm: int,
        threshold: float,
        comparison: str,
        data: Mapping[datetime, float],
        actions: list[str],
        missing: str = "notBreaching",
        created: datetime | None = None,
        unit: str | None = None,
    ) -> tuple[Row, list[tuple[datetime, str, str, str]]]:
        """Evaluate the alarm over `data` and record it with its state-change history."""
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        ops = {
            "GreaterThanThreshold": (lambda v: v > threshold, "greater than"),
            "GreaterThanOrEqualToThreshold": (lambda v: v >= threshold, "greater than or equal to"),
            "LessThanThreshold": (lambda v: v < threshold, "less than"),
            "LessThanOrEqualToThreshold": (lambda v: v <= threshold, "less than or equal to"),
        }
        breach, words = ops[comparison]
        state = "OK"
        since = created or self.start
        reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        self._first_reason = reason
        reason_data = ""
        transitions: list[tuple[datetime, str, str, str]] = []
        t = self.start + timedelta(seconds=period * evaluation)
        epoch = int(t.timestamp())
        t += timedelta(seconds=(-epoch) % period)
        while t <= self.now:
            window = [t - timedelta(seconds=period * (i + 1)) for i in range(evaluation)][::-1]
            present = [(w, data[w]) for w in window if w in data]
            nb = sum(1 for _, v in present if breach(v))
            if missing == "breaching":
                nb += evaluation - len(present)
            new = "ALARM" if nb >= to_alarm else "OK"
            if missing == "missing" and not present:
                new = "INSUFFICIENT_DATA"
            if new != state:
                shown = present[-to_alarm:] if new == "ALARM" else present[-1:]
                points = ", ".join(f"{jnum(v)} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
                if new == "ALARM":
                    text = (
                        f"Threshold Crossed: {to_alarm} out of the last {evaluation} datapoints [{points}] "
                        f"{'was' if to_alarm == 1 else 'were'} {words} the threshold ({jnum(threshold)}) (minimum {to_alarm} datapoint"
                        f"{'s' if to_alarm > 1 else ''} for OK -> ALARM transition)."
                    )
                elif new == "INSUFFICIENT_DATA":
                    text = f"Insufficient Data: {evaluation} datapoint{'s were' if evaluation > 1 else ' was'} unknown."
                else:
                    if present:
                        text = (
                            f"Threshold Crossed: 1 out of the last {evaluation} datapoints [{points}] was not "
                            f"{words} the threshold ({jnum(threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
                        )
                    else:
                        text = (
                            f"Threshold Crossed: no datapoints were received for {evaluation} periods and "
                            f"{evaluation} missing datapoints were treated as [NonBreaching]."
                        )
                rdata = json.dumps(
                    {
                        "version": "1.0",
                        "queryDate": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.rng.randint(100, 999)}+0000",
                        "startDate": window[0].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                        "statistic": statistic,
                        "period": period,
                        "recentDatapoints": [v for _, v in present],
                        "threshold": threshold,
                        "evaluatedDatapoints": [
                            {
                                "timestamp": w.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                                "sampleCount": 1.0,
                                "value": v,
                            }
                            for w, v in reversed(shown)
                        ],
                    },
                    separators=(",", ":"),
                )
                at = t + timedelta(seconds=self.rng.randint(8, 50))
                if at > self.now:
                    break
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state, "stateReason": reason},
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": text,
                                    "stateReasonData": json.loads(rdata),
                                },
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
                transitions.append((at, new, text, rdata))
                state, since, reason, reason_data = new, at, text, rdata
            t += timedelta(seconds=period)
        item: Row = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(created or self.start - timedelta(days=40)),
            "ActionsEnabled": True,
            "OKActions": actions,
            "AlarmActions": actions,
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evaluation,
            "DatapointsToAlarm": to_alarm,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": missing,
        }
        if reason_data:
            item["StateReasonData"] = reason_data
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item, transitions

    def alarm_event(
        self, alarm: Row, transitions: list[tuple[datetime, str, str, str]], which: int = -1
    ) -> Row:
        at, state, text, rdata = transitions[which]
        prev = transitions[which - 1] if len(transitions) + which > 0 and which != 0 else None

        def stamp(t: datetime) -> str:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.rng.randint(100, 999)}+0000"

        previous: Row = {
            "value": prev[1] if prev else "OK",
            "reason": prev[2] if prev else self._first_reason,
            "timestamp": stamp(prev[0] if prev else self.start),
        }
        if prev:
            previous["reasonData"] = prev[3]
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(at),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {"value": state, "reason": text, "reasonData": rdata, "timestamp": stamp(at)},
                "previousState": previous,
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4),
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

    # --- CloudTrail -----------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, created: datetime | None = None) -> Row:
        pid = "AROA" + self.upper("", 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.upper("ASIA", 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}"
                    if not role.startswith("AWSReservedSSO")
                    else f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(created or self.start), "mfaAuthenticated": "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Row,
        params: Row | None = None,
        response: Row | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9 cmd/ec2",
        ip: str = "203.0.113.24",
        error: tuple[str, str] | None = None,
        resources: list[Row] | None = None,
    ) -> str:
        eid = self.uuid()
        rec: Row = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
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
        if source.endswith("amazonaws.com") and source not in {"sts.amazonaws.com"}:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if t <= self.now:
            self.cloudtrail.append(rec)
        return eid

    def tooling_noise(self, vpc_ids: list[str], instance_ids: list[str], console_user: str) -> None:
        """Read-only calls every real account has: a monitoring integration, CI plans, a person in the console."""
        mon = self.role_identity("datadog-integration-role", "DatadogAWSIntegration")
        t = self.start + timedelta(minutes=self.rng.randint(1, 9))
        dd_agent = "Datadog-AWS-Integration/1.0 Boto3/1.34.2 Python/3.11.8 Botocore/1.34.2"
        calls: list[tuple[str, str, Row]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            (
                "ec2.amazonaws.com",
                "DescribeNatGateways",
                {"DescribeNatGatewaysRequest": {"MaxResults": 1000}},
            ),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ]
        while t < self.now:
            src, name, params = calls[self.rng.randrange(len(calls))]
            self.ct(t, src, name, mon, params, None, True, agent=dd_agent, ip="3.233.146.17")
            t += timedelta(minutes=self.rng.randint(7, 16))
        ci = self.role_identity("gha-terraform-plan", "GitHubActions")
        tf_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 aws-sdk-go-v2/1.30.5"
        for _ in range(2):
            t = self.start + timedelta(
                minutes=self.rng.randint(10, int((self.now - self.start).total_seconds() // 60) - 5)
            )
            for vpc in vpc_ids:
                self.ct(
                    t,
                    "ec2.amazonaws.com",
                    "DescribeVpcs",
                    ci,
                    {"vpcSet": {"items": [{"vpcId": vpc}]}, "filterSet": {}},
                    None,
                    True,
                    agent=tf_agent,
                    ip="4.227.91.80",
                )
                self.ct(
                    t + timedelta(seconds=2),
                    "ec2.amazonaws.com",
                    "DescribeRouteTables",
                    ci,
                    {
                        "routeTableIdSet": {},
                        "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]},
                    },
                    None,
                    True,
                    agent=tf_agent,
                    ip="4.227.91.80",
                )
                self.ct(
                    t + timedelta(seconds=3),
                    "ec2.amazonaws.com",
                    "DescribeSecurityGroups",
                    ci,
                    {
                        "securityGroupSet": {},
                        "securityGroupIdSet": {},
                        "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]},
                    },
                    None,
                    True,
                    agent=tf_agent,
                    ip="4.227.91.80",
                )
                self.ct(
                    t + timedelta(seconds=4),
                    "ec2.amazonaws.com",
                    "DescribeNetworkAcls",
                    ci,
                    {
                        "networkAclIdSet": {},
                        "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]},
                    },
                    None,
                    True,
                    agent=tf_agent,
                    ip="4.227.91.80",
                )
        who = self.role_identity("AWSReservedSSO_ReadOnlyAccess_5c1a9e2b7d3f4a60", console_user)
        t = self.start + timedelta(minutes=self.rng.randint(20, 90))
        for iid in instance_ids[:3]:
            self.ct(
                t,
                "ec2.amazonaws.com",
                "DescribeInstanceStatus",
                who,
                {
                    "instancesSet": {"items": [{"instanceId": iid}]},
                    "filterSet": {},
                    "includeAllInstances": False,
                },
                None,
                True,
                agent="AWS Internal",
                ip=f"81.2.{self.rng.randint(60, 90)}.{self.rng.randint(2, 250)}",
            )
            t += timedelta(seconds=self.rng.randint(20, 80))

    # --- finish ---------------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Row, truth: Row) -> Bundle:
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
        self.cloudtrail.sort(key=lambda r: str(r["eventTime"]))
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: str(r["Timestamp"]))
        records: dict[str, list[Row]] = {
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


# --- network resources --------------------------------------------------------------------------------


def tags(**kv: str) -> list[Row]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kv.items()]


def vpc(ctx: Ctx, cidr: str, name: str) -> str:
    vid = ctx.rid("vpc")
    ctx.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vid,
            "CidrBlock": cidr,
            "DhcpOptionsId": ctx.rid("dopt"),
            "State": "available",
            "OwnerId": ctx.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": ctx.rid("vpc-cidr-assoc"),
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "Tags": tags(Name=name),
        },
    )
    return vid


def subnet(ctx: Ctx, vid: str, cidr: str, az: str, name: str, public: bool = False) -> str:
    sid = ctx.rid("subnet")
    ctx.res(
        "ec2",
        "Subnet",
        {
            "SubnetId": sid,
            "SubnetArn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:subnet/{sid}",
            "VpcId": vid,
            "CidrBlock": cidr,
            "AvailabilityZone": az,
            "AvailableIpAddressCount": ctx.rng.randint(180, 240),
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": public,
            "State": "available",
            "OwnerId": ctx.account,
            "Tags": tags(Name=name),
        },
    )
    return sid


def route_table(
    ctx: Ctx, vid: str, cidr: str, name: str, subnets: list[str], routes: list[Row], main: bool = False
) -> str:
    rtb = ctx.rid("rtb")
    assoc = [
        {
            "Main": False,
            "RouteTableAssociationId": ctx.rid("rtbassoc"),
            "RouteTableId": rtb,
            "SubnetId": s,
            "AssociationState": {"State": "associated"},
        }
        for s in subnets
    ]
    if main:
        assoc.append(
            {
                "Main": True,
                "RouteTableAssociationId": ctx.rid("rtbassoc"),
                "RouteTableId": rtb,
                "AssociationState": {"State": "associated"},
            }
        )
    ctx.res(
        "ec2",
        "RouteTable",
        {
            "RouteTableId": rtb,
            "VpcId": vid,
            "OwnerId": ctx.account,
            "Routes": [
                {
                    "DestinationCidrBlock": cidr,
                    "GatewayId": "local",
                    "Origin": "CreateRouteTable",
                    "State": "active",
                },
                *routes,
            ],
            "Associations": assoc,
            "PropagatingVgws": [],
            "Tags": tags(Name=name),
        },
    )
    return rtb


def acl_entry(
    rule: int,
    egress: bool,
    cidr: str,
    action: str = "allow",
    proto: str = "-1",
    ports: tuple[int, int] | None = None,
) -> Row:
    e: Row = {
        "RuleNumber": rule,
        "Protocol": proto,
        "RuleAction": action,
        "Egress": egress,
        "CidrBlock": cidr,
    }
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


def network_acl(
    ctx: Ctx,
    vid: str,
    name: str,
    subnets: list[str],
    entries: list[Row],
    default: bool = False,
    acl_id: str | None = None,
) -> str:
    aid = acl_id or ctx.rid("acl")
    full = [
        *entries,
        acl_entry(32767, False, "0.0.0.0/0", "deny"),
        acl_entry(32767, True, "0.0.0.0/0", "deny"),
    ]
    ctx.res(
        "ec2",
        "NetworkAcl",
        {
            "NetworkAclId": aid,
            "VpcId": vid,
            "IsDefault": default,
            "OwnerId": ctx.account,
            "Entries": sorted(full, key=lambda e: (e["Egress"], e["RuleNumber"])),
            "Associations": [
                {"NetworkAclAssociationId": ctx.rid("aclassoc"), "NetworkAclId": aid, "SubnetId": s}
                for s in subnets
            ],
            "Tags": tags(Name=name),
        },
    )
    return aid


def security_group(
    ctx: Ctx, vid: str, name: str, desc: str, ingress: list[Row], gid: str | None = None
) -> str:
    g = gid or ctx.rid("sg")
    ctx.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": g,
            "GroupName": name,
            "Description": desc,
            "VpcId": vid,
            "OwnerId": ctx.account,
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
            "Tags": tags(Name=name),
        },
    )
    return g


def perm(
    port: int, cidr: str | None = None, group: str | None = None, desc: str = "", to_port: int | None = None
) -> Row:
    p: Row = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": to_port or port,
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


def instance(
    ctx: Ctx,
    name: str,
    itype: str,
    subnet_id: str,
    vid: str,
    az: str,
    ip: str,
    groups: list[tuple[str, str]],
    launched: datetime,
    profile: str | None = None,
    state: str = "running",
    state_reason: tuple[str, str] | None = None,
    source_dest_check: bool = True,
    extra_tags: dict[str, str] | None = None,
) -> tuple[str, str]:
    iid = ctx.rid("i")
    eni = ctx.rid("eni")
    codes = {"running": 16, "stopped": 80, "terminated": 48}
    sgs = [{"GroupId": g, "GroupName": n} for g, n in groups]
    item: Row = {
        "InstanceId": iid,
        "ImageId": ctx.rid("ami"),
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "Tenancy": "default", "GroupName": ""},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
        "PrivateIpAddress": ip,
        "SubnetId": subnet_id,
        "VpcId": vid,
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": "",
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "Hypervisor": "xen",
        "VirtualizationType": "hvm",
        "EbsOptimized": True,
        "Monitoring": {"State": "disabled"},
        "SecurityGroups": sgs,
        "SourceDestCheck": source_dest_check,
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": eni,
                "SubnetId": subnet_id,
                "VpcId": vid,
                "OwnerId": ctx.account,
                "PrivateIpAddress": ip,
                "Status": "in-use",
                "SourceDestCheck": source_dest_check,
                "InterfaceType": "interface",
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "Description": "",
                "Groups": sgs,
                "Attachment": {
                    "AttachmentId": ctx.rid("eni-attach"),
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                },
            }
        ],
        "Tags": tags(Name=name, **(extra_tags or {})),
    }
    if profile:
        item["IamInstanceProfile"] = {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": ctx.upper("AIPA", 17),
        }
    if state_reason:
        item["StateReason"] = {"Code": state_reason[0], "Message": state_reason[1]}
        item["StateTransitionReason"] = state_reason[1]
    ctx.res("ec2", "Instance", item)
    if state == "running":
        ok = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        ctx.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": ok,
                "SystemStatus": ok,
            },
        )
    return iid, eni


def flow(
    ctx: Ctx,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    t: datetime,
    action: str,
    packets: int = 0,
    proto: int = 6,
) -> str:
    """A VPC flow log record in the default (version 2) format."""
    pk = packets or ctx.rng.randint(3, 40)
    by = pk * ctx.rng.randint(60, 1400)
    st = int(t.timestamp())
    return f"2 {ctx.account} {eni} {src} {dst} {sport} {dport} {proto} {pk} {by} {st} {st + ctx.rng.randint(20, 59)} {action} OK"


def nat_gateway(
    ctx: Ctx, vid: str, subnet_id: str, az: str, private_ip: str, public_ip: str, name: str
) -> tuple[str, str]:
    nid = ctx.rid("nat")
    eni = ctx.rid("eni")
    ctx.res(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(ctx.start - timedelta(days=ctx.rng.randint(200, 700))),
            "NatGatewayAddresses": [
                {
                    "AllocationId": ctx.rid("eipalloc"),
                    "NetworkInterfaceId": eni,
                    "PrivateIp": private_ip,
                    "PublicIp": public_ip,
                    "AssociationId": ctx.rid("eipassoc"),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nid,
            "State": "available",
            "SubnetId": subnet_id,
            "VpcId": vid,
            "ConnectivityType": "public",
            "Tags": tags(Name=name),
        },
    )
    return nid, eni


def alb(
    ctx: Ctx, name: str, vid: str, subnets: list[tuple[str, str]], sg: str, internal: bool = False
) -> str:
    arn = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:loadbalancer/app/{name}/{ctx.hex(16)}"
    ctx.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{'internal-' if internal else ''}{name}-{ctx.rng.randint(100000000, 1999999999)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(ctx.start - timedelta(days=ctx.rng.randint(300, 900))),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": vid,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": s} for s, az in subnets],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn


def target_group(ctx: Ctx, name: str, vid: str, port: int, lb_arn: str, path: str = "/healthz") -> str:
    arn = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:targetgroup/{name}/{ctx.hex(16)}"
    ctx.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": vid,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return arn


def lb_dim(arn: str) -> str:
    return arn.split(":loadbalancer/")[1]


def tg_dim(arn: str) -> str:
    return arn.split(":")[-1]


def flow_log(ctx: Ctx, vid: str, group: str) -> str:
    fid = ctx.rid("fl")
    ctx.res(
        "ec2",
        "FlowLog",
        {
            "CreationTime": iso(ctx.start - timedelta(days=ctx.rng.randint(100, 400))),
            "DeliverLogsPermissionArn": f"arn:aws:iam::{ctx.account}:role/vpc-flow-logs-delivery",
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": fid,
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": group,
            "ResourceId": vid,
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogDestination": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{group}",
            "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
            "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
            "MaxAggregationInterval": 600,
        },
    )
    return fid


def wave(t: datetime, base: float, amp: float, peak_hour: float = 13.0) -> float:
    """A smooth daily traffic curve: base at the trough, base + amp at peak_hour (UTC)."""
    import math

    h = t.hour + t.minute / 60
    return base + amp * (0.5 + 0.5 * math.cos((h - peak_hour) / 24 * 2 * math.pi))
