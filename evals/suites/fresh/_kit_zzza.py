"""Private helpers for kit zzza's incidents (a mobile app backend)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def diurnal(t: datetime, tz_offset_h: int, low: float = 0.35) -> float:
    """Traffic shape 0..1 peaking in the local evening."""
    local = (t.hour + t.minute / 60 + tz_offset_h) % 24
    wave = 0.5 - 0.5 * math.cos((local - 5) / 24 * 2 * math.pi)
    return low + (1 - low) * wave


class Kit:
    def __init__(self, seed: int, region: str, tz_offset_h: int) -> None:
        self.rng = random.Random(seed)
        self.region = region
        self.tz = tz_offset_h
        self.account = str(self.rng.randint(2 * 10**11, 9 * 10**11))
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids ----------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def window(self, now_hour_range: tuple[int, int]) -> tuple[datetime, datetime]:
        """A (start, now) pair: a day in 2025/2026 and an hour in the given UTC range."""
        day = datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 520))
        now = day + timedelta(
            hours=self.rng.randint(*now_hour_range), minutes=self.rng.choice([7, 12, 18, 23, 34, 41, 52])
        )
        return now - timedelta(hours=4, minutes=self.rng.choice([0, 5, 10])), now

    # --- metrics ------------------------------------------------------------------------------
    def point(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stats(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        count: float,
        mean: float,
        lo: float,
        hi: float,
    ) -> None:
        count = max(1.0, round(count))
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": count,
                    "Sum": round(count * mean, 3),
                    "Minimum": round(min(lo, mean), 3),
                    "Maximum": round(max(hi, mean), 3),
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
    ) -> None:
        t = start
        while t <= end:
            v = fn(t)
            if v is not None:
                self.point(ns, name, dims, t, unit, v)
            t += timedelta(seconds=step)

    def jitter(self, v: float, rel: float = 0.08) -> float:
        return max(0.0, v * (1 + self.rng.uniform(-rel, rel)))

    # --- logs ---------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hex(32)}"

    # --- cloudtrail ---------------------------------------------------------------------------
    def sso_user(self, email: str, permission_set: str = "PowerUserAccess") -> dict[str, Any]:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.alnum(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA" + self.alnum(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role_user(self, role: str, session: str) -> dict[str, Any]:
        pid = "AROA" + self.alnum(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
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
        who: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        ident = json.loads(json.dumps(who))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(3, 50))
            )
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.rng.choice([81, 86, 92, 185])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if not agent.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def readonly_noise(
        self, start: datetime, end: datetime, n: int, calls: list[tuple[str, str, dict[str, Any] | None]]
    ) -> None:
        """Monitoring / console tooling making read-only calls across the window."""
        tooling = self.role_user("DatadogIntegrationRole", "DatadogAWSIntegration")
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            source, name, params = self.rng.choice(calls)
            self.ct(
                t,
                source,
                name,
                tooling,
                params,
                None,
                read_only=True,
                agent="Datadog/1.0 Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.223 lang/python#3.11.9",
                ip=f"3.233.{self.rng.randint(140, 159)}.{self.rng.randint(1, 254)}",
            )

    def kms_decrypt_noise(
        self, start: datetime, end: datetime, fn_roles: list[tuple[str, str]], key_arn: str, n: int
    ) -> None:
        """Lambda cold starts decrypting environment variables (management events)."""
        span = (end - start).total_seconds()
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, span))
            fn, role = self.rng.choice(fn_roles)
            who = self.role_user(role, fn)
            self.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                who,
                {
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "encryptionContext": {"LambdaFunctionName": fn},
                },
                None,
                read_only=True,
                agent="lambda.amazonaws.com",
                ip="lambda.amazonaws.com",
            )
            self.trail[-1]["resources"] = [
                {"accountId": self.account, "type": "AWS::KMS::Key", "ARN": key_arn}
            ]

    # --- alarms -------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        *,
        period: int = 60,
        evals: int = 5,
        datapoints: int | None = None,
        op: str = "GreaterThanThreshold",
        state: str = "OK",
        state_time: datetime,
        reason: str,
        description: str | None = None,
        missing: str = "notBreaching",
        actions: list[str] | None = None,
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(state_time - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": list(actions or []),
            "AlarmActions": list(actions or []),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_time),
            "StateTransitionedTimestamp": iso(state_time),
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
        }
        if description:
            a["AlarmDescription"] = description
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str) -> None:
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, prev_t: datetime, prev_reason: str
    ) -> dict[str, Any]:
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
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso_ms(t).replace("Z", "+0000")},
                "previousState": {
                    "value": "OK",
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_t).replace("Z", "+0000"),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
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

    # --- resources ----------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def lambda_fn(
        self,
        name: str,
        role: str,
        *,
        runtime: str = "python3.12",
        handler: str = "app.handler",
        memory: int = 512,
        timeout: int = 10,
        env: dict[str, str] | None = None,
        modified: datetime,
        code_size: int | None = None,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "FunctionName": name,
            "FunctionArn": self.arn("lambda", f"function:{name}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{role}",
            "Handler": handler,
            "CodeSize": code_size or self.rng.randint(800_000, 9_000_000),
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.alnum(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def log_group(self, name: str, retention: int | None, created: datetime) -> None:
        item: dict[str, Any] = {
            "logGroupName": name,
            "creationTime": ms(created),
            "metricFilterCount": 0,
            "arn": self.arn("logs", f"log-group:{name}:*"),
            "storedBytes": self.rng.randint(10**7, 10**10),
            "logGroupClass": "STANDARD",
            "logGroupArn": self.arn("logs", f"log-group:{name}"),
        }
        if retention:
            item["retentionInDays"] = retention
        self.res("logs", "LogGroup", item)

    def role(self, name: str, service: str, created: datetime) -> None:
        self.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": "AROA" + self.alnum(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
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

    def table(
        self, name: str, key: str, created: datetime, items: int, size: int, sort_key: str | None = None
    ) -> dict[str, Any]:
        schema = [{"AttributeName": key, "KeyType": "HASH"}]
        attrs = [{"AttributeName": key, "AttributeType": "S"}]
        if sort_key:
            schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
            attrs.append({"AttributeName": sort_key, "AttributeType": "S"})
        item: dict[str, Any] = {
            "AttributeDefinitions": attrs,
            "TableName": name,
            "KeySchema": schema,
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": size,
            "ItemCount": items,
            "TableArn": self.arn("dynamodb", f"table/{name}"),
            "TableId": self.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "DeletionProtectionEnabled": True,
            "TableClassSummary": {"TableClass": "STANDARD"},
        }
        self.res("dynamodb", "TableDescription", item)
        return item

    # --- bundle -------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        *,
        question: str | None,
        alarm_event: dict[str, Any] | None,
        tz: str | None,
        truth: dict[str, Any],
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        before = [r for r in self.trail if r["eventTime"] <= iso(now)]
        before.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        self.history.sort(key=lambda h: h["Timestamp"])
        self.metrics.sort(
            key=lambda m: (m["namespace"], m["metric"], json.dumps(m["dimensions"]), m["timestamp"])
        )
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": [m for m in self.metrics if m["timestamp"] <= iso(now)],
            "alarms": self.alarms,
            "alarm_history": [h for h in self.history if h["Timestamp"] <= iso_ms(now)],
            "logs": [e for e in self.logs if e["timestamp"] <= ms(now)],
            "cloudtrail": before,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def compact(value: object) -> str:
    """JSON as services and runtimes print it: no spaces after separators."""
    return json.dumps(value, separators=(",", ":"))
