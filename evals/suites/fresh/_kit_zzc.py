"""Private helpers for the zzc incidents: CloudTrail records, metric series, alarms, Lambda log lines."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

MIN = timedelta(minutes=1)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def lambda_ts(dt: datetime) -> str:
    """Lambda's LastModified: 2024-05-01T14:03:00.000+0000."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


class Kit:
    def __init__(self, seed: int, region: str, day_range: tuple[int, int] = (0, 300)) -> None:
        self.rng = random.Random(seed)
        r = self.rng
        self.region = region
        self.account = str(r.randint(2 * 10**11, 9 * 10**11))
        base = datetime(2025, 1, 6, tzinfo=UTC) + timedelta(days=r.randint(*day_range))
        self.day = base
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # ---- ids -----------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def role_id(self) -> str:
        return "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # ---- identities ----------------------------------------------------------------------------
    def assumed(self, role: str, session: str, role_id: str, created: datetime, mfa: bool = False) -> dict:
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": (
                        f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{role}"
                        if role.startswith("AWSReservedSSO")
                        else f"arn:aws:iam::{self.account}:role/{role}"
                    ),
                    "accountId": self.account,
                    "userName": role.split("/")[-1],
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(created), "mfaAuthenticated": "true" if mfa else "false"},
            },
        }

    # ---- cloudtrail ----------------------------------------------------------------------------
    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        who: dict,
        req: dict | None,
        resp: dict | None = None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023",
        ip: str | None = None,
        resources: list | None = None,
        error: tuple[str, str] | None = None,
        api_version: str | None = None,
        invoked_by: str | None = None,
    ) -> dict:
        who = json.loads(json.dumps(who))
        if invoked_by:
            who["invokedBy"] = invoked_by
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked_by
            or ip
            or f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}",
            "userAgent": invoked_by or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        if api_version:
            rec["apiVersion"] = api_version
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not invoked_by:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": source.replace(".amazonaws.com", f".{self.region}.amazonaws.com"),
            }
        self.trail.append(rec)
        return rec

    # ---- metrics -------------------------------------------------------------------------------
    def put(self, ns: str, metric: str, dims: dict, when: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(when),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def put_stats(
        self,
        ns: str,
        metric: str,
        dims: dict,
        when: datetime,
        unit: str,
        n: float,
        total: float,
        lo: float,
        hi: float,
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(when),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(float(total), 3),
                    "Minimum": round(float(lo), 3),
                    "Maximum": round(float(hi), 3),
                },
            }
        )

    def put_values(
        self,
        ns: str,
        metric: str,
        dims: dict,
        when: datetime,
        unit: str,
        values: list[float],
        counts: list[float],
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(when),
                "unit": unit,
                "values": [round(v, 2) for v in values],
                "counts": [float(c) for c in counts],
            }
        )

    def latency_dist(
        self,
        ns: str,
        metric: str,
        dims: dict,
        when: datetime,
        n: int,
        median: float,
        tail: float,
        unit: str = "Milliseconds",
    ) -> None:
        """A latency distribution of n samples: most near the median, a few in the tail."""
        if n <= 0:
            return
        r = self.rng
        buckets = [median * f for f in (0.5, 0.75, 1.0, 1.3, 1.8)] + [tail * 0.7, tail]
        weights = [0.12, 0.28, 0.3, 0.17, 0.09, 0.03, 0.01]
        counts = [max(0, round(n * w * r.uniform(0.85, 1.15))) for w in weights]
        pairs = [
            (round(b * r.uniform(0.95, 1.05), 2), c) for b, c in zip(buckets, counts, strict=False) if c > 0
        ]
        if not pairs:
            pairs = [(round(median, 2), n)]
        self.put_values(ns, metric, dims, when, unit, [p[0] for p in pairs], [p[1] for p in pairs])

    # ---- alarms --------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        *,
        ns: str,
        metric: str,
        dims: dict,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        desc: str,
        topic: str,
        state: str,
        reason: str,
        state_ts: datetime,
        updated: datetime,
        unit: str | None = None,
        missing: str = "missing",
        datapoints: int | None = None,
        reason_data: dict | None = None,
        ok_actions: bool = True,
    ) -> dict:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
            "ActionsEnabled": True,
            "OKActions": [topic] if ok_actions else [],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(state_ts),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(state_ts),
        }
        if unit:
            a["Unit"] = unit
        if reason_data is not None:
            a["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
        self.alarms.append(a)
        return a

    def hist(
        self, alarm: dict, when: datetime, old: str, new: str, reason: str, reason_data: dict | None = None
    ) -> None:
        data: dict[str, Any] = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "(previous state)"},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if reason_data:
            data["newState"]["stateReasonData"] = reason_data
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(when),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )

    def reason_threshold(
        self, points: list[tuple[datetime, float]], threshold: float, above: bool = True, period: int = 60
    ) -> tuple[str, dict]:
        word = "greater than" if above else "less than"
        if len(points) > 1:
            lst = ", ".join(f"{v:g} ({p:%d/%m/%y %H:%M:%S})" for p, v in points)
            text = (
                f"Threshold Crossed: {len(points)} out of the last {len(points)} datapoints [{lst}] "
                f"were {word} the threshold ({threshold:g}) (minimum {len(points)} datapoints for OK -> ALARM transition)."
            )
        else:
            p, v = points[0]
            text = f"Threshold Crossed: 1 datapoint [{v:g} ({p:%d/%m/%y %H:%M:%S})] was {word} the threshold ({threshold:g})."
        data = {
            "version": "1.0",
            "queryDate": iso_ms(points[-1][0] + timedelta(seconds=period + 35)).replace("Z", "+0000"),
            "startDate": iso_ms(points[0][0]).replace("Z", "+0000"),
            "statistic": "Sum",
            "period": period,
            "recentDatapoints": [v for _, v in points],
            "threshold": threshold,
            "evaluatedDatapoints": [
                {"timestamp": iso_ms(p).replace("Z", "+0000"), "sampleCount": 1.0, "value": v}
                for p, v in reversed(points)
            ],
        }
        return text, data

    def alarm_event(
        self, alarm: dict, when: datetime, reason: str, reason_data: dict, prev_ts: datetime, prev_reason: str
    ) -> dict:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data, separators=(",", ":")),
                    "timestamp": iso_ms(when).replace("Z", "+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_ts).replace("Z", "+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hexid(8)
                            + "-"
                            + self.hexid(4)
                            + "-"
                            + self.hexid(4)
                            + "-"
                            + self.hexid(4)
                            + "-"
                            + self.hexid(12),
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

    # ---- logs ----------------------------------------------------------------------------------
    def log(self, group: str, stream: str, when: datetime, message: str) -> None:
        self.logs.append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": message}
        )

    def lambda_stream(self, when: datetime, version: str = "$LATEST") -> str:
        return f"{when:%Y/%m/%d}/[{version}]{self.hexid(32)}"

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        start: datetime,
        dur_ms: float,
        mem: int,
        used: int,
        body: list[tuple[float, str]],
        init_ms: float | None = None,
        status: str | None = None,
        error_type: str | None = None,
    ) -> str:
        rid = self.uuid()
        t = start
        if init_ms is not None:
            self.log(
                group,
                stream,
                t - timedelta(milliseconds=init_ms + 5),
                f"INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:{self.region}::runtime:{self.hexid(64)}\n",
            )
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for off, line in body:
            at = t + timedelta(milliseconds=off)
            self.log(group, stream, at, line.replace("{rid}", rid).replace("{ts}", iso_ms(at)))
        end = t + timedelta(milliseconds=dur_ms)
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = int(-(-dur_ms // 1))
        rep = (
            f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms is not None:
            rep += f"Init Duration: {init_ms:.2f} ms\t"
        if status:
            rep += f"Status: {status}\t"
        if error_type:
            rep += f"Error Type: {error_type}"
        self.log(group, stream, end, rep.rstrip("\t") + "\t\n" if not error_type else rep + "\n")
        return rid

    # ---- resources -----------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: dict) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    def lambda_fn(
        self,
        name: str,
        *,
        runtime: str,
        handler: str,
        role: str,
        mem: int,
        timeout: int,
        modified: datetime,
        env: dict | None = None,
        code_size: int = 0,
        layers: list | None = None,
        vpc: dict | None = None,
        desc: str = "",
        arch: str = "arm64",
    ) -> dict:
        item: dict[str, Any] = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": code_size or self.rng.randint(40_000, 9_000_000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": lambda_ts(modified),
            "CodeSha256": self.hexid(43) + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [arch],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        if layers:
            item["Layers"] = layers
        if vpc:
            item["VpcConfig"] = vpc
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def log_group(self, name: str, created: datetime, retention: int | None = 30, stored: int = 0) -> None:
        item: dict[str, Any] = {
            "logGroupName": name,
            "creationTime": ms(created),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": stored or self.rng.randint(10**6, 10**9),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.res("logs", "LogGroup", item)

    def queue(self, name: str, created: datetime, attrs: dict, tags: dict | None = None) -> dict:
        a = {
            "QueueArn": self.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp())),
            "VisibilityTimeout": "30",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        a.update(attrs)
        item = {"QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}", "Attributes": a}
        if tags:
            item["Tags"] = tags
        self.res("sqs", "Queue", item)
        return item

    # ---- bundle --------------------------------------------------------------------------------
    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        question: str | None,
        alarm_event: dict | None,
        timezone: str | None,
        truth: dict,
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
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        key = lambda r: r["eventTime"]  # noqa: E731
        metrics = sorted(
            self.metrics,
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            ),
        )
        alarm_history = sorted(self.history, key=lambda h: h["Timestamp"])
        logs = sorted(self.logs, key=lambda rec: (rec["log_group"], rec["log_stream"], rec["timestamp"]))
        cloudtrail = sorted(self.trail, key=key)
        return Bundle(
            manifest,
            {
                "metrics": metrics,
                "alarms": self.alarms,
                "alarm_history": alarm_history,
                "logs": logs,
                "cloudtrail": cloudtrail,
                "resources": self.resources,
                "events": self.events,
            },
        )


def tooling_noise(
    k: Kit, start: datetime, now: datetime, n: int, calls: list[tuple[str, str, dict | None]]
) -> None:
    """Read-only calls from monitoring and IaC drift tooling, spread over the window."""
    r = k.rng
    rid_mon = k.role_id()
    rid_tf = k.role_id()
    span = int((now - start).total_seconds())
    for _ in range(n):
        when = start + timedelta(seconds=r.randint(0, span - 1))
        source, name, req = r.choice(calls)
        if r.random() < 0.6:
            who = k.assumed(
                "DatadogIntegrationRole",
                "DatadogAWSIntegration",
                rid_mon,
                when - timedelta(minutes=r.randint(1, 50)),
            )
            agent = "Datadog/1.0 Boto3/1.34.84 Python/3.11.9 Linux/5.15.0 Botocore/1.34.84"
            ip = f"3.233.{r.randint(140, 159)}.{r.randint(1, 254)}"
        else:
            who = k.assumed(
                "terraform-plan-readonly",
                f"gha-{r.randint(10**9, 10**10 - 1)}",
                rid_tf,
                when - timedelta(minutes=r.randint(1, 20)),
            )
            agent = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1"
            ip = f"20.{r.randint(40, 200)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        k.ct(when, source, name, who, req, None, read_only=True, agent=agent, ip=ip)


def lambda_role_assumes(
    k: Kit, start: datetime, now: datetime, roles: list[str], every_min: int = 35
) -> None:
    """The Lambda service assuming each function's execution role as environments start."""
    r = k.rng
    t = start + timedelta(minutes=r.randint(1, 10))
    while t < now:
        role = r.choice(roles)
        who = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
        rec = k.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            who,
            {
                "roleArn": f"arn:aws:iam::{k.account}:role/{role}",
                "roleSessionName": role.split("-")[0] + "-" + k.hexid(6),
            },
            {
                "credentials": {
                    "accessKeyId": k.akid(),
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE" + k.hexid(24),
                    "expiration": (t + timedelta(hours=12)).strftime("%b %d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
        )
        rec.pop("tlsDetails", None)
        rec["sourceIPAddress"] = "lambda.amazonaws.com"
        rec["userAgent"] = "lambda.amazonaws.com"
        rec["resources"] = [
            {"accountId": k.account, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{k.account}:role/{role}"}
        ]
        rec["sharedEventID"] = k.uuid()
        t += timedelta(minutes=r.randint(every_min // 2, every_min * 3 // 2))
