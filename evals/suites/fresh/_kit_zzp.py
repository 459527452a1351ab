"""Private helpers for kit `zzp` incidents: ids, time grids, CloudTrail records, alarms, logs."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """CloudWatch's own timestamp form in alarm reason data and history."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime, minutes: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % minutes)


class Kit:
    """Everything one incident build shares: the seeded random source, account, region, records."""

    def __init__(self, seed: int, salt: str, region: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(100000000000, 999999999999))
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ----------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def req_id(self) -> str:
        return self.uid()

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def access_key(self, prefix: str = "ASIA") -> str:
        return prefix + self.upper(16)

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # --- identities ---------------------------------------------------------------------------------
    def role_identity(
        self, role: str, session: str, *, path: str = "/", invoked_by: str | None = None
    ) -> Rec:
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"AROA{self.upper(17)}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.access_key(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.upper(17)}",
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def sso_identity(self, permission_set: str, email: str) -> Rec:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        return self.role_identity(role, email, path="/aws-reserved/sso.amazonaws.com/")

    # --- CloudTrail ---------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        *,
        params: Any = None,
        response: Any = None,
        read_only: bool | None = None,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
        extra: Rec | None = None,
        event_id: str | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        ctx = ident.get("sessionContext")
        if ctx is not None:
            created = t - timedelta(minutes=self.rng.randint(2, 50), seconds=self.rng.randint(0, 59))
            ctx["attributes"]["creationDate"] = iso(created)
        if read_only is None:
            read_only = name.startswith(("Describe", "List", "Get", "Lookup", "Search", "Decrypt"))
        invoked = ident.get("invokedBy")
        rec: Rec = {
            "eventVersion": "1.10" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or invoked
            or f"10.{self.rng.randint(0, 60)}.{self.rng.randint(0, 9)}.{self.rng.randint(4, 250)}",
            "userAgent": agent
            or invoked
            or "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.req_id()
        eid = event_id or self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not invoked and not (ip or "").endswith("amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        self.trail.append(rec)
        return eid

    def service_event(self, t: datetime, source: str, name: str, details: Rec) -> str:
        eid = self.uid()
        self.trail.append(
            {
                "eventVersion": "1.10",
                "userIdentity": {"accountId": self.account, "invokedBy": source},
                "eventTime": iso(t),
                "eventSource": source,
                "eventName": name,
                "awsRegion": self.region,
                "sourceIPAddress": source,
                "userAgent": source,
                "requestParameters": None,
                "responseElements": None,
                "eventID": eid,
                "readOnly": False,
                "eventType": "AwsServiceEvent",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "serviceEventDetails": details,
                "eventCategory": "Management",
            }
        )
        return eid

    def readonly_noise(
        self,
        start: datetime,
        end: datetime,
        count: int,
        calls: list[tuple[str, str, Rec | None]],
        ident: Rec,
        agent: str,
    ) -> None:
        """Tooling polling read-only APIs across the window."""
        span = (end - start).total_seconds()
        for _ in range(count):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            source, name, params = self.rng.choice(calls)
            self.ct(
                t,
                source,
                name,
                ident,
                params=params,
                read_only=True,
                agent=agent,
                ip=f"10.{self.rng.randint(0, 3)}.{self.rng.randint(10, 30)}.{self.rng.randint(5, 250)}",
            )

    def assume_role_noise(
        self, start: datetime, end: datetime, count: int, roles: list[str], service: str
    ) -> None:
        span = (end - start).total_seconds()
        for _ in range(count):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            role = self.rng.choice(roles)
            session = (
                self.hex(8) if service == "lambda.amazonaws.com" else f"{role}-{self.rng.randint(1000, 9999)}"
            )
            self.trail.append(
                {
                    "eventVersion": "1.08",
                    "userIdentity": {"type": "AWSService", "invokedBy": service},
                    "eventTime": iso(t),
                    "eventSource": "sts.amazonaws.com",
                    "eventName": "AssumeRole",
                    "awsRegion": self.region,
                    "sourceIPAddress": service,
                    "userAgent": service,
                    "requestParameters": {
                        "roleArn": f"arn:aws:iam::{self.account}:role/{role}",
                        "roleSessionName": session,
                    },
                    "responseElements": {
                        "credentials": {
                            "accessKeyId": self.access_key(),
                            "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper(40),
                            "expiration": (t + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                        }
                    },
                    "requestID": self.req_id(),
                    "eventID": self.uid(),
                    "readOnly": True,
                    "resources": [
                        {
                            "accountId": self.account,
                            "type": "AWS::IAM::Role",
                            "ARN": f"arn:aws:iam::{self.account}:role/{role}",
                        }
                    ],
                    "eventType": "AwsApiCall",
                    "managementEvent": True,
                    "recipientAccountId": self.account,
                    "sharedEventID": self.uid(),
                    "eventCategory": "Management",
                }
            )

    # --- metrics ------------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        start: datetime,
        end: datetime,
        step_s: int,
        fn: Callable[[datetime], float | None],
        unit: str = "None",
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                self.metrics.append(
                    {
                        "namespace": namespace,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), 4),
                    }
                )
            t += timedelta(seconds=step_s)

    def dist(
        self, namespace: str, metric: str, dims: dict[str, str], t: datetime, values: list[float], unit: str
    ) -> None:
        """A distribution datapoint (percentiles replay from it), values bucketed to 3 significant digits."""
        buckets: dict[float, int] = {}
        for v in values:
            key = float(f"{v:.3g}")
            buckets[key] = buckets.get(key, 0) + 1
        keys = sorted(buckets)
        self.metrics.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(buckets[k]) for k in keys],
            }
        )

    # --- alarms -------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        description: str,
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
        state_reason: str,
        state_time: datetime,
        created: datetime,
        topic: str,
        to_alarm: int | None = None,
        missing: str = "missing",
        unit: str | None = None,
    ) -> Rec:
        alarm: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": [],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": state_reason,
            "StateUpdatedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(state_time),
        }
        if stat.startswith("p"):
            alarm["ExtendedStatistic"] = stat
        else:
            alarm["Statistic"] = stat
        if to_alarm is not None:
            alarm["DatapointsToAlarm"] = to_alarm
        if unit:
            alarm["Unit"] = unit
        self.alarms.append(alarm)
        return alarm

    def transition(
        self, alarm: Rec, t: datetime, old: str, new: str, reason: str, reason_data: Rec | None = None
    ) -> None:
        new_state: Rec = {"stateValue": new, "stateReason": reason}
        if reason_data is not None:
            new_state["stateReasonData"] = reason_data
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "(see previous transition)"},
            "newState": new_state,
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def action(self, alarm: Rec, t: datetime) -> None:
        topic = alarm["AlarmActions"][0]
        data = {
            "actionState": "Succeeded",
            "stateUpdateTimestamp": epoch_ms(t),
            "notificationResource": topic,
            "publishedMessage": {"messageId": self.uid()},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t + timedelta(milliseconds=self.rng.randint(150, 900))),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {topic}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    @staticmethod
    def reason_data(
        stat: str, period: int, threshold: float, points: list[tuple[datetime, float]], query: datetime
    ) -> Rec:
        return {
            "version": "1.0",
            "queryDate": cw_ts(query),
            "startDate": cw_ts(points[0][0]),
            "statistic" if not stat.startswith("p") else "extendedStatistic": stat,
            "period": period,
            "recentDatapoints": [round(v, 4) for _, v in reversed(points)],
            "threshold": threshold,
            "evaluatedDatapoints": [
                {"timestamp": cw_ts(ts), "sampleCount": 1.0, "value": round(v, 4)}
                for ts, v in reversed(points)
            ],
        }

    def alarm_event(
        self,
        alarm: Rec,
        t: datetime,
        reason: str,
        reason_data: Rec,
        prev_reason: str,
        prev_time: datetime,
        stat: str,
    ) -> Rec:
        metric_stat: Rec = {
            "metric": {
                "namespace": alarm["Namespace"],
                "name": alarm["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
            },
            "period": alarm["Period"],
            "stat": stat,
        }
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
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data, separators=(",", ":")),
                    "timestamp": cw_ts(t),
                },
                "previousState": {"value": "OK", "reason": prev_reason, "timestamp": cw_ts(prev_time)},
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {"id": self.hex(8) + "-" + self.hex(4), "metricStat": metric_stat, "returnData": True}
                    ],
                },
            },
        }

    # --- logs, resources ----------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": epoch_ms(t), "message": message}
        )

    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Rec) -> None:
        self.events.append({"source": source, "item": item})

    def log_group(self, name: str, created: datetime, retention: int | None = 30) -> None:
        item: Rec = {
            "logGroupName": name,
            "creationTime": epoch_ms(created),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.rng.randint(10**7, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.res("logs", "LogGroup", item)

    # --- the bundle ---------------------------------------------------------------------------------
    def bundle(self, title: str, start: datetime, now: datetime, trigger: Rec, truth: Rec) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        cut = iso(now)

        def before(rows: list[Rec], key: str) -> list[Rec]:
            return [r for r in rows if r[key] <= cut]

        self.trail.sort(key=lambda r: r["eventTime"])
        self.metrics.sort(
            key=lambda r: (
                r["namespace"],
                r["metric"],
                json.dumps(r["dimensions"], sort_keys=True),
                r["timestamp"],
            )
        )
        self.history.sort(key=lambda r: (r["AlarmName"], r["Timestamp"]))
        now_ms = epoch_ms(now)
        logs = sorted(
            (r for r in self.logs if r["timestamp"] <= now_ms),
            key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
        )
        records: dict[str, list[Rec]] = {
            "metrics": before(self.metrics, "timestamp"),
            "alarms": self.alarms,
            "alarm_history": before(self.history, "Timestamp"),
            "logs": logs,
            "cloudtrail": before(self.trail, "eventTime"),
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def pick_day(rng: random.Random, year: int = 2026) -> datetime:
    """A day in `year`, midnight UTC."""
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(20, 330))


def jitter(rng: random.Random, base: float, rel: float) -> float:
    return base * (1 + rng.uniform(-rel, rel))


def tags(**kv: str) -> list[Rec]:
    return [{"Key": k.replace("_", ":") if k.startswith("aws_") else k, "Value": v} for k, v in kv.items()]


def ec2_instance(
    k: Kit,
    *,
    iid: str,
    name: str,
    itype: str,
    az: str,
    subnet: str,
    vpc: str,
    sg: tuple[str, str],
    ip: str,
    eni: str,
    launched: datetime,
    profile: str | None = None,
    extra_tags: dict[str, str] | None = None,
) -> None:
    """A running instance and its status-check item."""
    tag_list = [{"Key": "Name", "Value": name}] + [
        {"Key": a, "Value": b} for a, b in (extra_tags or {}).items()
    ]
    item: Rec = {
        "InstanceId": iid,
        "ImageId": f"ami-{k.hex(17)}",
        "State": {"Code": 16, "Name": "running"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{k.region}.compute.internal",
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
        "Monitoring": {"State": "enabled"},
        "SubnetId": subnet,
        "VpcId": vpc,
        "PrivateIpAddress": ip,
        "Architecture": "x86_64",
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "VirtualizationType": "hvm",
        "SecurityGroups": [{"GroupId": sg[0], "GroupName": sg[1]}],
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": eni,
                "SubnetId": subnet,
                "VpcId": vpc,
                "Status": "in-use",
                "PrivateIpAddress": ip,
                "SourceDestCheck": True,
                "InterfaceType": "interface",
                "Groups": [{"GroupId": sg[0], "GroupName": sg[1]}],
                "Attachment": {
                    "AttachmentId": f"eni-attach-{k.hex(17)}",
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "NetworkCardIndex": 0,
                },
                "MacAddress": ":".join(k.hex(2) for _ in range(6)),
                "OwnerId": k.account,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
            }
        ],
        "Tags": tag_list,
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
        },
    }
    if profile:
        item["IamInstanceProfile"] = {
            "Arn": f"arn:aws:iam::{k.account}:instance-profile/{profile}",
            "Id": f"AIPA{k.upper(17)}",
        }
    k.res("ec2", "Instance", item)
    ok = {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"}
    k.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": ok,
            "SystemStatus": ok,
            "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        },
    )
