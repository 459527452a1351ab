# Incidents of kit `zl` (in the order they are written):
#  1. change: an operator replays a day of archived bus events to one consumer but leaves the replay
#     unfiltered, so every rule on the bus (push notifications included) re-fires for yesterday's events.
#  2. dependency_failure: the observability vendor's intake slows down; the vendor's Lambda extension
#     blocks after every invocation while it flushes, so concurrency balloons and the one function with
#     reserved concurrency throttles behind the public API (5xx).
#  3. limit: a morning surge of device writes reaches the auto-scaling maximum of a DynamoDB GSI's
#     write capacity; base-table writes are throttled, the Kinesis consumer falls behind, the app is stale.
#  4. no fault: a payment provider redelivers hours of webhooks after its own outage; the receiver's
#     idempotent conditional writes reject them as designed and a duplicate-delivery alarm fires.
"""Private helpers for kit `zl`: ids, time, metric noise, CloudTrail records, Lambda logs, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """One incident's generator state: randomness, account, window and the records built so far."""

    def __init__(self, name: str, seed: int, account: str, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = account
        self.region = region
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []

    # --- ids --------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:32]}"

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def b64(self, n: int) -> str:
        abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        return "".join(self.rng.choice(abc) for _ in range(n - 1)) + "="

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def ip(self) -> str:
        return self.rng.choice(
            [
                f"81.{self.rng.randint(2, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
                f"86.{self.rng.randint(128, 190)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
                f"92.{self.rng.randint(2, 40)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            ]
        )

    # --- metrics ----------------------------------------------------------------------------------
    def put(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def put_dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        centre: float,
        n: int,
        spread: float = 0.35,
        tail: float | None = None,
    ) -> None:
        """A small distribution (values/counts) around `centre`, with an optional slow tail."""
        if n <= 0:
            return
        buckets = [0.55, 0.8, 1.0, 1.3, 1.9]
        weights = [0.12, 0.3, 0.33, 0.18, 0.07]
        values: list[float] = []
        counts: list[float] = []
        left = n
        for i, (b, w) in enumerate(zip(buckets, weights, strict=True)):
            c = left if i == len(buckets) - 1 else min(left, max(0, round(n * w)))
            left -= c
            if c:
                jitter = 1 + self.rng.uniform(-spread, spread) * 0.3
                values.append(round(centre * b * jitter, 2))
                counts.append(float(c))
        if tail is not None and n >= 20:
            values.append(round(tail * self.rng.uniform(0.9, 1.1), 2))
            counts.append(float(max(1, n // 50)))
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": values,
                "counts": counts,
            }
        )

    def noise(self, base: float, pct: float = 0.08) -> float:
        return max(0.0, base * (1 + self.rng.gauss(0, pct)))

    # --- CloudTrail -------------------------------------------------------------------------------
    def sso(self, user: str, perm: str = "AWSAdministratorAccess") -> Rec:
        role = f"AWSReservedSSO_{perm}_{self.hex(16)}"
        return self._assumed(role, user, "/aws-reserved/sso.amazonaws.com/eu-west-1/", human=True)

    def role_principal(self, role: str, session: str) -> Rec:
        return self._assumed(role, session, "/", human=False)

    def _assumed(self, role: str, session: str, path: str, human: bool) -> Rec:
        rid = "AROA" + self.upper(17)
        return {
            "_role": role,
            "_session": session,
            "_rid": rid,
            "_path": path,
            "_human": human,
            "_ip": self.ip()
            if human
            else f"{self.rng.randint(3, 54)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
        }

    def identity(self, p: Rec, t: datetime) -> Rec:
        role, session, rid = p["_role"], p["_session"], p["_rid"]
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{p['_path']}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(3, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def ct(
        self,
        t: datetime,
        p: Rec,
        source: str,
        name: str,
        req: Rec | None,
        resp: Rec | None = None,
        read_only: bool = False,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uuid()
        host = f"{source.split('.')[0]}.{self.region}.amazonaws.com"
        if agent is None:
            agent = (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/124.0.0.0 Safari/537.36"
                if p["_human"]
                else "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 "
                "api/lambda#1.54.0 exec-env/GitHubActions"
            )
        rec: Rec = {
            "eventVersion": "1.09" if p["_human"] else "1.08",
            "userIdentity": self.identity(p, t),
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": p["_ip"],
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            },
        }
        if p["_human"]:
            rec["sessionCredentialFromConsole"] = "true"
        if error is not None:
            rec["errorCode"], rec["errorMessage"] = error
        if resources is not None:
            rec["resources"] = resources
        self.trail.append(rec)
        return eid

    def service_ct(
        self, t: datetime, invoked_by: str, role: str, source: str, name: str, req: Rec, read_only: bool
    ) -> None:
        """A call an AWS service makes through its service-linked role."""
        p = self._assumed(role, f"{invoked_by.split('.')[0]}-session", "/aws-service-role/", human=False)
        ident = self.identity(p, t)
        ident["invokedBy"] = invoked_by
        self.trail.append(
            {
                "eventVersion": "1.08",
                "userIdentity": ident,
                "eventTime": iso(t),
                "eventSource": source,
                "eventName": name,
                "awsRegion": self.region,
                "sourceIPAddress": invoked_by,
                "userAgent": invoked_by,
                "requestParameters": req,
                "responseElements": None,
                "requestID": self.uuid(),
                "eventID": self.uuid(),
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
            }
        )

    # --- logs -------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hex(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        dur_ms: float,
        mem: int,
        used: int,
        lines: list[str],
        version: str = "$LATEST",
        init_ms: float | None = None,
        timed_out: bool = False,
    ) -> str:
        """START / app lines / END / REPORT as the Lambda runtime prints them; returns the request id."""
        group = f"/aws/lambda/{fn}"
        rid = self.uuid()
        self.log(group, stream, t, f"START RequestId: {rid} Version: {version}")
        step = max(1.0, dur_ms / (len(lines) + 1))
        for i, line in enumerate(lines):
            self.log(group, stream, t + timedelta(milliseconds=step * (i + 1)), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=dur_ms)
        self.log(group, stream, end, f"END RequestId: {rid}")
        billed = math.ceil(dur_ms + (init_ms or 0))
        report = (
            f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB"
        )
        if init_ms is not None:
            report += f"\tInit Duration: {init_ms:.2f} ms"
        if timed_out:
            report += "\tStatus: timeout"
        self.log(group, stream, end + timedelta(milliseconds=1), report + "\t")
        return rid

    # --- resources --------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def function(
        self,
        name: str,
        runtime: str,
        handler: str,
        role: str,
        memory: int,
        timeout: int,
        modified: datetime,
        env: dict[str, str] | None = None,
        layers: list[str] | None = None,
        description: str = "",
        tracing: str = "PassThrough",
        arch: str = "arm64",
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": self.rng.randint(180_000, 9_800_000),
            "Description": description,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.b64(44),
            "Version": "$LATEST",
            "TracingConfig": {"Mode": tracing},
            "RevisionId": self.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [arch],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "RuntimeVersionConfig": {
                "RuntimeVersionArn": f"arn:aws:lambda:{self.region}::runtime:{self.hex(64)}"
            },
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        if layers:
            item["Layers"] = [{"Arn": a, "CodeSize": self.rng.randint(2_000_000, 19_000_000)} for a in layers]
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def role(self, name: str, service: str, created: datetime, last_used: datetime | None = None) -> None:
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        item: Rec = {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA" + self.upper(17),
            "Arn": f"arn:aws:iam::{self.account}:role/{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(doc),
            "MaxSessionDuration": 3600,
        }
        if last_used is not None:
            item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": self.region}
        self.res("iam", "Role", item)

    def log_group(self, name: str, created: datetime, retention: int = 30) -> None:
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(created),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:{name}:*"),
                "storedBytes": self.rng.randint(10_000_000, 9_000_000_000),
                "logGroupClass": "STANDARD",
                "logGroupArn": self.arn("logs", f"log-group:{name}"),
            },
        )

    # --- alarms -----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        description: str,
        topic: str,
        created: datetime,
        transitions: list[tuple[datetime, str, str, str]],
        to_alarm: int | None = None,
        missing: str = "notBreaching",
        unit: str | None = None,
        extended: bool = False,
    ) -> Rec:
        """A MetricAlarm as DescribeAlarms returns it at `now`, and its history items.

        `transitions` are (time, old, new, reason); the last one is the current state."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        state_time = transitions[-1][0] if transitions else created
        state = transitions[-1][2] if transitions else "OK"
        reason = transitions[-1][3] if transitions else "Threshold Crossed: no datapoints were received"
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(state_time),
            "StateTransitionedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if extended:
            item["ExtendedStatistic"] = stat
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        for t, old, new, why in transitions:
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(t),
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
            if new == "ALARM":
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(t + timedelta(milliseconds=self.rng.randint(200, 900))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {topic}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(t),
                                "notificationResource": topic,
                                "publishedMessage": None,
                            }
                        ),
                    }
                )
        return item

    def alarm_event(self, alarm: Rec, t: datetime, prev_t: datetime, prev_reason: str) -> Rec:
        metric: Rec = {
            "namespace": alarm["Namespace"],
            "name": alarm["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
        }
        stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
        return {
            "version": "0",
            "id": self.uuid(),
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
                    "reason": alarm["StateReason"],
                    "timestamp": iso_ms(t).replace("Z", "+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_t).replace("Z", "+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.alnum(8),
                            "metricStat": {
                                "metric": metric,
                                "period": alarm["Period"],
                                "stat": stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def reason_text(
    threshold: float, op: str, values: list[float], t: datetime, period: int, evals: int
) -> tuple[str, str]:
    """A StateReason as CloudWatch writes it for a threshold crossing (ALARM) and its OK reason."""
    sym = {
        "GreaterThanThreshold": "greater than",
        "GreaterThanOrEqualToThreshold": "greater than or equal to",
        "LessThanThreshold": "less than",
        "LessThanOrEqualToThreshold": "less than or equal to",
    }[op]
    vals = ", ".join(
        f"{float(v)} ({(t - timedelta(seconds=period * i)):%d/%m/%y %H:%M:%S})" for i, v in enumerate(values)
    )
    n = len(values)
    alarm = (
        f"Threshold Crossed: {n} out of the last {evals} datapoints [{vals}] were {sym} the threshold "
        f"({float(threshold)}) (minimum {n} datapoint{'s' if n > 1 else ''} for OK -> ALARM transition)."
    )
    ok = (
        f"Threshold Crossed: no datapoints were {sym} the threshold ({float(threshold)}) in the last {evals} "
        f"period{'s' if evals > 1 else ''} (minimum 1 datapoint for ALARM -> OK transition)."
    )
    return alarm, ok


def daily(
    t: datetime, tz_offset_h: float, peak_hours: list[tuple[float, float, float]], floor: float
) -> float:
    """A smooth daily traffic shape in local time: a floor plus gaussian bumps (hour, width, height)."""
    h = (t.hour + t.minute / 60 + tz_offset_h) % 24
    v = floor
    for centre, width, height in peak_hours:
        d = min(abs(h - centre), 24 - abs(h - centre))
        v += height * math.exp(-((d / width) ** 2))
    return v


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = minute(start)
    while t <= end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def spread_times(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))


Fn = Callable[[datetime], float]
