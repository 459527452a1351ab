"""Private helpers for kit zzzc's incidents (multi-VPC networking)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, prefix: str, n: int = 17) -> str:
    body = "".join(rng.choice("0123456789abcdef") for _ in range(n))
    return prefix + ("0" + body[1:] if n == 17 else body)


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def base_day(rng: random.Random, hour: int, minute: int) -> datetime:
    """A weekday in 2026 at the given UTC time."""
    while True:
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randrange(0, 300))
        if day.weekday() < 5:
            return day.replace(hour=hour, minute=minute)


class Trail:
    """CloudTrail records as delivered to S3."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.records: list[Rec] = []

    def role(self, role: str, session: str) -> Rec:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        path = "aws-reserved/sso.amazonaws.com/" if role.startswith("AWSReservedSSO_") else ""
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
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{role}",
                    "accountId": self.account,
                    "userName": role.split("/")[-1],
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def add(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        params: Rec | None = None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str = "10.20.4.18",
        error: tuple[str, str] | None = None,
        service_call: bool = False,
    ) -> Rec:
        ident = json.loads(json.dumps(who))
        ctx = ident.get("sessionContext")
        if isinstance(ctx, dict):
            ctx["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(2, 50)))
        rec: Rec = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": None if read_only else response,
            "requestID": uid(self.rng),
            "eventID": uid(self.rng),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if not service_call:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records.append(rec)
        return rec

    def noise(
        self, start: datetime, end: datetime, calls: list[tuple[str, str, Rec, Rec | None, str]], n: int
    ) -> None:
        """n read-only calls spread over the window, drawn from (source, name, who, params, agent)."""
        for _ in range(n):
            source, name, who, params, agent = self.rng.choice(calls)
            t = start + timedelta(seconds=self.rng.randint(0, int((end - start).total_seconds())))
            self.add(
                t,
                source,
                name,
                who,
                params,
                read_only=True,
                agent=agent,
                ip=f"10.20.{self.rng.randint(1, 60)}.{self.rng.randint(4, 250)}",
            )

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: str(r["eventTime"]))


def series(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    start: datetime,
    end: datetime,
    period: int,
    value: Callable[[datetime], float | None],
    *,
    stats: Callable[[datetime, float], dict[str, float]] | None = None,
) -> Iterator[Rec]:
    """A datapoint every `period` seconds; value() returning None publishes nothing."""
    t = start
    while t < end:
        v = value(t)
        if v is not None:
            row: Rec = {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if stats is not None:
                row["statistic_values"] = stats(t, v)
            else:
                row["value"] = round(v, 3)
            yield row
        t += timedelta(seconds=period)


def alarm(
    account: str,
    region: str,
    name: str,
    desc: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    *,
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    updated: datetime,
    configured: datetime,
    topic: str,
    datapoints: int | None = None,
    missing: str = "missing",
    unit: str | None = None,
) -> Rec:
    a: Rec = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "AlarmDescription": desc,
        "AlarmConfigurationUpdatedTimestamp": iso(configured),
        "ActionsEnabled": True,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso(updated),
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
        "StateTransitionedTimestamp": iso(updated),
    }
    if unit:
        a["Unit"] = unit
    return a


def transition(a: Rec, t: datetime, old: str, new: str, reason: str, reason_data: Rec) -> Rec:
    return {
        "AlarmName": a["AlarmName"],
        "AlarmType": "MetricAlarm",
        "Timestamp": iso(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(
            {
                "version": "1.0",
                "oldState": {"stateValue": old},
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": reason_data},
            }
        ),
    }


def reason_data(a: Rec, t: datetime, values: list[float]) -> Rec:
    return {
        "version": "1.0",
        "queryDate": iso(t).replace("Z", ".000+0000"),
        "startDate": iso(t - timedelta(seconds=a["Period"] * len(values))).replace("Z", ".000+0000"),
        "statistic": a["Statistic"],
        "period": a["Period"],
        "recentDatapoints": values,
        "threshold": a["Threshold"],
        "evaluatedDatapoints": [],
    }


def alarm_event(
    a: Rec, account: str, region: str, t: datetime, rng: random.Random, reason: str, rdata: Rec
) -> Rec:
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(t),
        "region": region,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(rdata),
                "timestamp": iso(t).replace("Z", ".000+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": "Threshold Crossed: no datapoints breaching",
                "timestamp": iso(t - timedelta(hours=20)).replace("Z", ".000+0000"),
            },
            "configuration": {
                "description": a["AlarmDescription"],
                "metrics": [
                    {
                        "id": "m1",
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
                ],
            },
        },
    }


def flow(
    version_acct: str,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    pkts: int,
    byts: int,
    t0: datetime,
    action: str = "ACCEPT",
) -> str:
    start = int(t0.timestamp())
    return (
        f"2 {version_acct} {eni} {src} {dst} {sport} {dport} 6 {pkts} {byts} {start} {start + 60} {action} OK"
    )


def tags(**kv: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in kv.items()]


def instance(
    iid: str,
    itype: str,
    ip: str,
    subnet: str,
    vpc: str,
    az: str,
    sg: tuple[str, str],
    launched: datetime,
    name: str,
    ami: str,
    eni: str,
    profile: str,
    account: str,
) -> Rec:
    return {
        "InstanceId": iid,
        "ImageId": ami,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
        "PrivateIpAddress": ip,
        "State": {"Code": 16, "Name": "running"},
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "x86_64",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{account}:instance-profile/{profile}",
            "Id": "AIPA" + iid[2:14].upper(),
        },
        "SecurityGroups": [{"GroupId": sg[0], "GroupName": sg[1]}],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": eni,
                "SubnetId": subnet,
                "VpcId": vpc,
                "PrivateIpAddress": ip,
                "Status": "in-use",
                "Groups": [{"GroupId": sg[0], "GroupName": sg[1]}],
                "Attachment": {
                    "AttachmentId": "eni-attach-" + eni[4:],
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                },
                "InterfaceType": "interface",
            }
        ],
        "Tags": tags(Name=name),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Monitoring": {"State": "disabled"},
    }


def instance_status(iid: str, az: str) -> Rec:
    return {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
    }


def vpc(vid: str, cidr: str, name: str, account: str) -> Rec:
    return {
        "VpcId": vid,
        "CidrBlock": cidr,
        "State": "available",
        "DhcpOptionsId": "dopt-0c1d2e3f4a5b6c7d8",
        "InstanceTenancy": "default",
        "IsDefault": False,
        "OwnerId": account,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-" + vid[4:],
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "Tags": tags(Name=name),
    }


def subnet(sid: str, vid: str, cidr: str, az: str, name: str, account: str, free: int) -> Rec:
    return {
        "SubnetId": sid,
        "VpcId": vid,
        "CidrBlock": cidr,
        "AvailabilityZone": az,
        "AvailableIpAddressCount": free,
        "State": "available",
        "MapPublicIpOnLaunch": False,
        "DefaultForAz": False,
        "OwnerId": account,
        "SubnetArn": f"arn:aws:ec2:us-east-1:{account}:subnet/{sid}",
        "Tags": tags(Name=name),
    }
