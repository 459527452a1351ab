"""Private helpers for kit zzj incidents (scheduled and batch work)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Collects the records of one incident."""

    def __init__(self, seed: int, salt: str, region: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2 * 10**11, 9 * 10**11 - 1))
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.role_ids: dict[str, str] = {}

    # --- ids ---------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- identities --------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, when: datetime) -> Rec:
        rid = self.role_ids.setdefault(role, "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(when - timedelta(minutes=self.rng.randint(1, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None,
        resp: Rec | None = None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str = "10.20.4.17",
        error: tuple[str, str] | None = None,
    ) -> Rec:
        rec: Rec = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
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
        if ip.startswith("10.") is False and "amazonaws.com" not in ip:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def service_assume(self, when: datetime, principal: str, role: str, session: str) -> None:
        self.trail.append(
            {
                "eventVersion": "1.08",
                "userIdentity": {"type": "AWSService", "invokedBy": principal},
                "eventTime": iso(when),
                "eventSource": "sts.amazonaws.com",
                "eventName": "AssumeRole",
                "awsRegion": self.region,
                "sourceIPAddress": principal,
                "userAgent": principal,
                "requestParameters": {
                    "roleArn": f"arn:aws:iam::{self.account}:role/{role}",
                    "roleSessionName": session,
                },
                "responseElements": {
                    "credentials": {
                        "accessKeyId": "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                        "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper(24),
                        "expiration": (when + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    },
                    "assumedRoleUser": {
                        "assumedRoleId": self.role_ids.setdefault(
                            role, "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                        )
                        + ":"
                        + session,
                        "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
                    },
                },
                "requestID": self.uid(),
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

    def tooling_reads(
        self, start: datetime, end: datetime, n: int, calls: list[tuple[str, str, Rec | None]]
    ) -> None:
        """Read-only calls from dashboards and engineers' consoles spread over the window."""
        idents = [
            ("grafana-cloudwatch-read", "grafana", "Grafana/10.4.2 (aws-sdk-go/1.51.6)", "34.248.92.10"),
            ("AWSReservedSSO_ReadOnly_5c1e0a7d2f", "", "console.amazonaws.com", "81.2.69.160"),
            (
                "datadog-integration",
                "DatadogAWSIntegration",
                "Datadog/1.0 aws-sdk-go-v2/1.26.1",
                "3.233.144.3",
            ),
        ]
        span = (end - start).total_seconds()
        for _ in range(n):
            role, sess, agent, ip = self.rng.choice(idents)
            if not sess:
                sess = self.rng.choice(["maria.keller@", "tom.okafor@", "j.lindqvist@"]) + "example.org"
            when = start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, req = self.rng.choice(calls)
            self.ct(
                when,
                src,
                name,
                self.role_identity(role, sess, when),
                req,
                None,
                read_only=True,
                agent=agent,
                ip=ip,
            )

    # --- metrics -----------------------------------------------------------------------------------
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
    ) -> dict[datetime, float]:
        out: dict[datetime, float] = {}
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                v = round(float(v), 3)
                out[t] = v
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": v,
                    }
                )
            t += timedelta(seconds=step)
        return out

    def dist(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        t: datetime,
        samples: list[float],
    ) -> None:
        if not samples:
            return
        buckets: dict[float, int] = {}
        for s in samples:
            k = round(s, 0 if s > 100 else 1)
            buckets[k] = buckets.get(k, 0) + 1
        keys = sorted(buckets)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(buckets[k]) for k in keys],
            }
        )

    # --- alarms ------------------------------------------------------------------------------------
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
        threshold: float,
        op: str,
        data: dict[datetime, float],
        start: datetime,
        now: datetime,
        *,
        to_alarm: int | None = None,
        missing: str = "missing",
        actions: list[str] | None = None,
        created: datetime | None = None,
        prior: list[tuple[datetime, datetime]] | None = None,
        initial: str = "OK",
    ) -> Rec:
        """A MetricAlarm evaluated over `data`, with its history. Returns the state-change info of the
        last transition (for an alarm event)."""
        m = to_alarm or evals
        arn = self.arn("cloudwatch", f"alarm:{name}")
        # aggregate per period
        agg: dict[datetime, list[float]] = {}
        for t, v in data.items():
            b = datetime.fromtimestamp(int(t.timestamp()) // period * period, UTC)
            agg.setdefault(b, []).append(v)

        def reduce(vals: list[float]) -> float:
            if stat == "Sum":
                return sum(vals)
            if stat == "Maximum":
                return max(vals)
            if stat == "Minimum":
                return min(vals)
            return sum(vals) / len(vals)

        def breach(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        opword = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]
        state = initial
        reason = "Threshold Crossed: no datapoints were breaching the threshold."
        if initial == "ALARM":
            reason = f"Threshold Crossed: {m} datapoints were {opword} the threshold ({threshold})."
        reason_data: Rec = {}
        changed = created or start
        transitions: list[Rec] = []
        for when_a, when_o in prior or []:
            for ts, old, new in ((when_a, "OK", "ALARM"), (when_o, "ALARM", "OK")):
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(ts).replace("+0000", "Z"),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {old} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": old},
                                "newState": {"stateValue": new, "stateReason": "Threshold Crossed"},
                            }
                        ),
                    }
                )
        b = datetime.fromtimestamp(int(start.timestamp()) // period * period, UTC) + timedelta(seconds=period)
        while b + timedelta(seconds=period) <= now:
            window = [b - timedelta(seconds=period * i) for i in range(evals)][::-1]
            if window[0] < start:
                b += timedelta(seconds=period)
                continue
            vals = [reduce(agg[w]) if w in agg else None for w in window]
            present = [v for v in vals if v is not None]
            nbreach = sum(1 for v in vals if v is not None and breach(v))
            if missing == "breaching":
                nbreach += sum(1 for v in vals if v is None)
            new = state
            if nbreach >= m:
                new = "ALARM"
            elif present or missing == "notBreaching":
                new = "OK"
            if new != state:
                when = b + timedelta(seconds=period) + timedelta(seconds=self.rng.randint(20, 70))
                if when > now:
                    break
                rd = [round(v, 3) for v in present][-m:] or [0.0]
                reason = (
                    f"Threshold Crossed: {nbreach if new == 'ALARM' else len(present) - nbreach} out of the last "
                    f"{evals} datapoints [{', '.join(str(x) for x in rd)} ({window[-1].strftime('%d/%m/%y %H:%M:%S')})] "
                    f"{'was' if new == 'ALARM' else 'was not'} {opword} the threshold ({threshold}) "
                    f"(minimum {m} datapoint{'s' if m > 1 else ''} for {state} -> {new} transition)."
                )
                reason_data = {
                    "version": "1.0",
                    "queryDate": iso_ms(when),
                    "startDate": iso_ms(window[0]),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": rd,
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": iso_ms(w),
                            "sampleCount": float(len(agg[w])),
                            "value": round(reduce(agg[w]), 3),
                        }
                        for w in window[::-1]
                        if w in agg
                    ],
                }
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(when).replace("+0000", "Z"),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state, "stateReason": reason_prev(transitions)},
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": reason,
                                    "stateReasonData": reason_data,
                                },
                            }
                        ),
                    }
                )
                transitions.append(
                    {"old": state, "new": new, "when": when, "reason": reason, "data": reason_data}
                )
                state = new
                changed = when
            b += timedelta(seconds=period)
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms((created or start) - timedelta(days=40)).replace(
                "+0000", "Z"
            ),
            "ActionsEnabled": True,
            "OKActions": actions or [],
            "AlarmActions": actions or [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(changed).replace("+0000", "Z"),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": m,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(changed).replace("+0000", "Z"),
        }
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data)
        self.alarms.append(item)
        last = transitions[-1] if transitions else None
        return {
            "item": item,
            "last": last,
            "prev": transitions[-2] if len(transitions) > 1 else None,
            "dims": dims,
        }

    def alarm_event(self, info: Rec) -> Rec:
        item, last, prev = info["item"], info["last"], info["prev"]
        assert last is not None
        prev_state: Rec = {
            "value": last["old"],
            "reason": prev["reason"]
            if prev
            else "Threshold Crossed: no datapoints were breaching the threshold.",
            "timestamp": iso_ms(prev["when"] if prev else last["when"] - timedelta(days=3)),
        }
        if prev:
            prev_state["reasonData"] = json.dumps(prev["data"])
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(last["when"]),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": item["AlarmName"],
                "state": {
                    "value": last["new"],
                    "reason": last["reason"],
                    "reasonData": json.dumps(last["data"]),
                    "timestamp": iso_ms(last["when"]),
                },
                "previousState": prev_state,
                "configuration": {
                    "description": item["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": item["Namespace"],
                                    "name": item["MetricName"],
                                    "dimensions": info["dims"],
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

    # --- resources and logs -----------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}
        )

    def lambda_fn(
        self,
        name: str,
        role: str,
        *,
        runtime: str = "python3.12",
        handler: str = "app.handler",
        timeout: int = 30,
        memory: int = 512,
        modified: datetime,
        env: dict[str, str] | None = None,
        description: str = "",
        arch: str = "arm64",
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": self.rng.randint(800_000, 14_000_000),
            "Description": description,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env or {}},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [arch],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "RuntimeVersionConfig": {
                "RuntimeVersionArn": f"arn:aws:lambda:{self.region}::runtime:{self.hexid(64)}"
            },
        }
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def queue(
        self, name: str, attrs: dict[str, str], created: datetime, tags: dict[str, str] | None = None
    ) -> str:
        arn = self.arn("sqs", name)
        base = {
            "QueueArn": arn,
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp()) + 3600),
            "VisibilityTimeout": "30",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        base.update(attrs)
        self.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}",
                "Attributes": base,
                "Tags": tags or {},
            },
        )
        return arn

    def log_group(self, name: str, retention: int, created: datetime, stored: int) -> None:
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(created),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:{name}:*"),
                "storedBytes": stored,
                "logGroupClass": "STANDARD",
                "logGroupArn": self.arn("logs", f"log-group:{name}"),
            },
        )

    def role(self, name: str, service: str, created: datetime) -> None:
        self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": self.role_ids.setdefault(
                    name, "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                ),
                "Arn": f"arn:aws:iam::{self.account}:role/{name}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )

    def lambda_stream(self, when: datetime) -> str:
        return f"{when:%Y/%m/%d}/[$LATEST]{self.hexid(32)}"

    def invocation(
        self,
        group: str,
        stream: str,
        t0: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        lines: list[tuple[float, str]],
        *,
        timeout_s: int | None = None,
        init_ms: float | None = None,
    ) -> str:
        """START / app lines / END / REPORT of one invocation, as the Lambda runtime prints them."""
        rid = self.uid()
        self.log(group, stream, t0, f"START RequestId: {rid} Version: $LATEST\n")
        for off, text in lines:
            when = t0 + timedelta(milliseconds=off)
            self.log(group, stream, when, text.replace("{rid}", rid).replace("{ts}", iso_ms(when)[:-5] + "Z"))
        end = t0 + timedelta(milliseconds=duration_ms)
        if timeout_s is not None:
            self.log(
                group,
                stream,
                end,
                f"{iso_ms(end)[:-5]}Z {rid} Task timed out after {timeout_s:.2f} seconds\n",
            )
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(duration_ms) + (0 if duration_ms == int(duration_ms) else 1)
        rep = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms:
            rep += f"Init Duration: {init_ms:.2f} ms\t"
        if timeout_s is not None:
            rep += "Status: timeout"
        self.log(group, stream, end, rep + "\n")
        return rid

    # --- bundle ------------------------------------------------------------------------------------
    def bundle(self, manifest: Rec, now: datetime) -> Bundle:
        cut = iso(now)
        self.trail.sort(key=lambda r: r["eventTime"])
        self.trail = [r for r in self.trail if r["eventTime"] <= cut]
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.logs = [r for r in self.logs if r["timestamp"] <= ms(now)]
        self.metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        self.history.sort(key=lambda h: h["Timestamp"])
        records: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(Manifest.model_validate(manifest), records)


def reason_prev(transitions: list[Rec]) -> str:
    if transitions:
        return str(transitions[-1]["reason"])
    return "Threshold Crossed: no datapoints were breaching the threshold."


def minutes(start: datetime, end: datetime) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=1)
    return out
