"""Private helpers for kit zzr's incidents (records in AWS's own shapes)."""

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


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Everything one incident accumulates before it becomes a Bundle."""

    def __init__(self, seed: int, region: str, start: datetime, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.region = region
        self.account = str(self.rng.randint(2 * 10**11, 9 * 10**11))
        self.start = start
        self.now = now
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ----------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def minutes(self, step: int = 60) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    # --- resources ----------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- metrics ------------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        stat: str = "value",
    ) -> dict[datetime, float]:
        """One datapoint per step from start to now; fn returns None where AWS publishes nothing."""
        out: dict[datetime, float] = {}
        for t in self.minutes(step):
            v = fn(t)
            if v is None:
                continue
            v = round(v, 2)
            out[t] = v
            rec: Rec = {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
            }
            if stat == "value":
                rec["value"] = v
            else:
                n = max(1.0, float(round(v)))
                rec["statistic_values"] = {
                    "SampleCount": n,
                    "Sum": v,
                    "Minimum": 0.0,
                    "Maximum": round(v / n * 3, 2),
                }
            self.metrics.append(rec)
        return out

    # --- alarms -------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        data: dict[datetime, float],
        threshold: float,
        op: str,
        statistic: str = "Average",
        period: int = 60,
        evals: int = 3,
        to_alarm: int | None = None,
        missing: str = "missing",
        description: str = "",
        topic: str = "",
        unit: str | None = None,
        created: datetime | None = None,
        history_before: list[tuple[datetime, str, str]] | None = None,
        initial: str = "OK",
    ) -> Rec:
        """A MetricAlarm evaluated over `data` (one value per period), with its state history."""
        to_alarm = to_alarm or evals
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        cmp = {
            "GreaterThanThreshold": lambda v: v > threshold,
            "GreaterThanOrEqualToThreshold": lambda v: v >= threshold,
            "LessThanThreshold": lambda v: v < threshold,
            "LessThanOrEqualToThreshold": lambda v: v <= threshold,
        }[op]
        times = sorted(data)
        state = initial
        since = created or (self.start - timedelta(days=self.rng.randint(20, 200)))
        reason = "Threshold Crossed: no datapoints were received for 1 period."
        reason_data: Rec = {}
        sym = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">="}.get(op, "<")
        if op == "LessThanOrEqualToThreshold":
            sym = "<="
        for h_time, h_from, h_to in history_before or []:
            self._hist(name, h_time, h_from, h_to, f"Alarm updated from {h_from} to {h_to}", None)
        for i, t in enumerate(times):
            window = times[max(0, i - evals + 1) : i + 1]
            if len(window) < evals:
                continue
            vals = [data[w] for w in window]
            breaching = sum(1 for v in vals if cmp(v))
            new = "ALARM" if breaching >= to_alarm else "OK"
            if new != state:
                at = t + timedelta(seconds=period + self.rng.randint(10, 50))
                if at > self.now:
                    break
                shown = [data[w] for w in window[-to_alarm:]] if new == "ALARM" else vals[-1:]
                pts = ", ".join(
                    f"{v} ({w:%d/%m/%y %H:%M:%S})" for v, w in zip(shown, window[-len(shown) :], strict=True)
                )
                if new == "ALARM":
                    reason = (
                        f"Threshold Crossed: {len(shown)} out of the last {evals} datapoints "
                        f"[{pts}] were {'greater' if sym.startswith('>') else 'less'} than "
                        f"{'or equal to ' if '=' in sym else ''}the threshold ({threshold}) "
                        f"(minimum {to_alarm} datapoints for OK -> ALARM transition)."
                    )
                else:
                    reason = (
                        f"Threshold Crossed: 1 out of the last {evals} datapoints [{pts}] was not "
                        f"{'greater' if sym.startswith('>') else 'less'} than "
                        f"{'or equal to ' if '=' in sym else ''}the threshold ({threshold}) "
                        f"(minimum 1 datapoint for ALARM -> OK transition)."
                    )
                reason_data = {
                    "version": "1.0",
                    "queryDate": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "startDate": window[-len(shown)].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "statistic": statistic,
                    "period": period,
                    "recentDatapoints": shown,
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": w.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                            "sampleCount": 1.0,
                            "value": data[w],
                        }
                        for w in window[-len(shown) :]
                    ],
                }
                self._hist(
                    name, at, state, new, f"Alarm updated from {state} to {new}", (reason, reason_data)
                )
                state, since = new, at
        alarm: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(
                created or (self.start - timedelta(days=self.rng.randint(30, 300)))
            ),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
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
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if reason_data:
            alarm["StateReasonData"] = json.dumps(reason_data)
        if unit:
            alarm["Unit"] = unit
        self.alarms.append(alarm)
        return alarm

    def _hist(
        self, name: str, at: datetime, old: str, new: str, summary: str, why: tuple[str, Rec] | None
    ) -> None:
        reason, rdata = why or (
            f"Threshold Crossed: datapoints were {'' if new == 'ALARM' else 'not '}breaching.",
            {},
        )
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": "Threshold Crossed"},
            "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": rdata},
        }
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(at),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": summary,
                "HistoryData": json.dumps(data),
            }
        )

    def alarm_event(self, name: str) -> Rec:
        """The EventBridge event of the alarm's last transition to ALARM."""
        alarm = next(a for a in self.alarms if a["AlarmName"] == name)
        items = [
            h for h in self.history if h["AlarmName"] == name and h["HistorySummary"].endswith("to ALARM")
        ]
        last = items[-1]
        data = json.loads(last["HistoryData"])
        prev = [h for h in self.history if h["AlarmName"] == name and h["Timestamp"] < last["Timestamp"]]
        prev_time = prev[-1]["Timestamp"] if prev else alarm["AlarmConfigurationUpdatedTimestamp"]
        t = last["Timestamp"].replace("Z", ".000+0000")
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": last["Timestamp"],
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": "ALARM",
                    "reason": data["newState"]["stateReason"],
                    "reasonData": json.dumps(data["newState"]["stateReasonData"]),
                    "timestamp": t,
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching.",
                    "timestamp": prev_time.replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
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

    # --- logs ---------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # --- cloudtrail ---------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, mfa: bool = False) -> Rec:
        akid = "ASIA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        principal = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{principal}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": akid,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": principal,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "true" if mfa else "false"},
            },
        }

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        params: Rec | None,
        response: Rec | None = None,
        read_only: bool = False,
        ip: str | None = None,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            created = t - timedelta(minutes=self.rng.randint(2, 50))
            ident["sessionContext"]["attributes"]["creationDate"] = iso(created)
        rec: Rec = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"10.{self.rng.randint(0, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if ip is None or not ip[0].isdigit() or ip.startswith("10."):
            pass
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
        }
        self.trail.append(rec)
        return rec

    def readonly_noise(self, calls: list[tuple[str, str, Rec | None]], n: int) -> None:
        """Read-only calls from a monitoring integration and from engineers' consoles."""
        monitor = self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration")
        for _ in range(n):
            t = self.start + timedelta(
                seconds=self.rng.randint(0, int((self.now - self.start).total_seconds()))
            )
            source, name, params = self.rng.choice(calls)
            self.ct(
                t,
                source,
                name,
                monitor,
                params,
                None,
                read_only=True,
                ip=f"3.{self.rng.randint(200, 235)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}",
                agent="Datadog/1.0 botocore/1.34.51",
            )

    def assume_role_noise(self, roles: list[str], n: int) -> None:
        for _ in range(n):
            t = self.start + timedelta(
                seconds=self.rng.randint(0, int((self.now - self.start).total_seconds()))
            )
            role = self.rng.choice(roles)
            self.trail.append(
                {
                    "eventVersion": "1.08",
                    "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
                    "eventTime": iso(t),
                    "eventSource": "sts.amazonaws.com",
                    "eventName": "AssumeRole",
                    "awsRegion": self.region,
                    "sourceIPAddress": "lambda.amazonaws.com",
                    "userAgent": "lambda.amazonaws.com",
                    "requestParameters": {
                        "roleArn": f"arn:aws:iam::{self.account}:role/{role}",
                        "roleSessionName": role.replace("-role", ""),
                    },
                    "responseElements": {
                        "credentials": {
                            "accessKeyId": "ASIA" + self.hexid(16).upper(),
                            "sessionToken": "IQoJb3JpZ2luX2VjE" + self.hexid(24),
                            "expiration": (t + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                        }
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

    # --- common resources ---------------------------------------------------------------------------
    def lambda_fn(
        self,
        name: str,
        runtime: str,
        handler: str,
        memory: int,
        timeout: int,
        env: dict[str, str],
        modified: datetime,
        description: str = "",
        vpc: tuple[list[str], list[str], str] | None = None,
    ) -> Rec:
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{self.region}:{self.account}:function:{name}",
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{name}-role",
            "Handler": handler,
            "CodeSize": self.rng.randint(900_000, 9_000_000),
            "Description": description,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.hexid(43) + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if vpc:
            item["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1], "VpcId": vpc[2]}
        self.res("lambda", "FunctionConfiguration", item)
        return item

    def log_group(self, name: str, retention: int = 30) -> None:
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(self.start - timedelta(days=self.rng.randint(100, 700))),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}:*",
                "storedBytes": self.rng.randint(10**8, 10**11),
                "logGroupClass": "STANDARD",
                "logGroupArn": f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}",
            },
        )

    def network(self, cidr2: int) -> tuple[str, list[str], str]:
        vpc = f"vpc-0{self.hexid(16)}"
        subnets = [f"subnet-0{self.hexid(16)}" for _ in range(3)]
        self.res(
            "ec2",
            "Vpc",
            {
                "VpcId": vpc,
                "CidrBlock": f"10.{cidr2}.0.0/16",
                "State": "available",
                "OwnerId": self.account,
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "game-prod"}],
            },
        )
        for i, s in enumerate(subnets):
            az = f"{self.region}{'abc'[i]}"
            self.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": s,
                    "VpcId": vpc,
                    "CidrBlock": f"10.{cidr2}.{32 * i}.0/19",
                    "AvailabilityZone": az,
                    "AvailableIpAddressCount": self.rng.randint(7000, 8100),
                    "State": "available",
                    "MapPublicIpOnLaunch": False,
                    "Tags": [{"Key": "Name", "Value": f"game-prod-private-{az}"}],
                },
            )
        sg = f"sg-0{self.hexid(16)}"
        return vpc, subnets, sg

    def lambda_reports(
        self,
        name: str,
        per_min: Callable[[datetime], int],
        duration: Callable[[datetime], float],
        errors: Callable[[datetime], int],
        error_lines: Callable[[datetime, str], list[str]],
        info_lines: Callable[[datetime, str], list[str]] | None = None,
        sample_every: int = 1,
        memory: int = 512,
    ) -> None:
        """Lambda metrics each minute and a sample of its log streams (START/END/REPORT and errors)."""
        dims = {"FunctionName": name}
        inv = self.series("AWS/Lambda", "Invocations", dims, "Count", lambda t: float(per_min(t)))
        self.series("AWS/Lambda", "Errors", dims, "Count", lambda t: float(errors(t)) if t in inv else None)
        self.series("AWS/Lambda", "Duration", dims, "Milliseconds", duration)
        self.series(
            "AWS/Lambda",
            "ConcurrentExecutions",
            dims,
            "Count",
            lambda t: max(1.0, per_min(t) * duration(t) / 60000.0 * self.rng.uniform(0.9, 1.2)),
        )
        streams = [
            f"{(self.start - timedelta(hours=self.rng.randint(0, 5))):%Y/%m/%d}/[$LATEST]{self.hexid(32)}"
            for _ in range(4)
        ]
        for i, t in enumerate(self.minutes()):
            if i % sample_every:
                continue
            stream = self.rng.choice(streams)
            req = self.uid()
            at = t + timedelta(seconds=self.rng.randint(0, 50))
            d = duration(t) * self.rng.uniform(0.7, 1.3)
            self.log(f"/aws/lambda/{name}", stream, at, f"START RequestId: {req} Version: $LATEST")
            if info_lines:
                for line in info_lines(at, req):
                    self.log(f"/aws/lambda/{name}", stream, at + timedelta(milliseconds=int(d / 2)), line)
            failed = errors(t) > 0 and self.rng.random() < min(1.0, errors(t) / max(1, per_min(t)) * 4)
            if failed:
                for line in error_lines(at, req):
                    self.log(f"/aws/lambda/{name}", stream, at + timedelta(milliseconds=int(d)), line)
            end = at + timedelta(milliseconds=int(d) + 2)
            self.log(f"/aws/lambda/{name}", stream, end, f"END RequestId: {req}")
            self.log(
                f"/aws/lambda/{name}",
                stream,
                end,
                f"REPORT RequestId: {req}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
                f"Memory Size: {memory} MB\tMax Memory Used: {self.rng.randint(memory // 5, memory // 3)} MB\t",
            )

    # --- output -------------------------------------------------------------------------------------
    def bundle(self, manifest: Rec) -> Bundle:
        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        cut = iso(self.now)
        records: dict[str, list[Rec]] = {
            "metrics": [m for m in self.metrics if m["timestamp"] <= cut],
            "alarms": self.alarms,
            "alarm_history": [h for h in self.history if h["Timestamp"] <= cut],
            "logs": [r for r in self.logs if r["timestamp"] <= ms(self.now)],
            "cloudtrail": [r for r in self.trail if r["eventTime"] <= cut],
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        manifest = {
            "format": "sleuth-bundle/1",
            "account_id": self.account,
            "region": self.region,
            "start": iso(self.start),
            "end": iso(self.now),
            "now": iso(self.now),
            **manifest,
        }
        return Bundle(Manifest.model_validate(manifest), records)


def pick_day(rng: random.Random, weekday: int | None = None) -> datetime:
    """A date in late 2026 at midnight UTC (on the given weekday when asked)."""
    day = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 80))
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def smooth(rng: random.Random, base: float, jitter: float) -> float:
    return base * (1 + rng.uniform(-jitter, jitter))
