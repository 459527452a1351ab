"""Private helpers for kit `n`'s fresh incidents: ids, noise, metric series, alarms, CloudTrail records."""

from __future__ import annotations

import base64
import json
import math
import random
import string
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import Any

from evals.bundle import Bundle, Manifest

Json = dict[str, Any]

MINUTE = timedelta(minutes=1)


# --- time ---------------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    """2024-05-01T14:03:00Z (whole seconds)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """2024-05-01T14:03:00.123Z."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """CloudWatch's alarm-reason timestamps: 2024-05-01T14:03:00.000+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def java_date(t: datetime) -> str:
    """The 'Mar 5, 2024, 1:52:11 PM' form Lambda and STS put in CloudTrail responseElements."""
    t = t.astimezone(UTC)
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def grid(start: datetime, near: datetime, end: datetime, far_step: int = 300) -> list[tuple[datetime, int]]:
    """Datapoint times: every `far_step` seconds from start to near, then every minute to end."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < near:
        out.append((t, far_step))
        t += timedelta(seconds=far_step)
    t = near
    while t <= end:
        out.append((t, 60))
        t += MINUTE
    return out


# --- the builder --------------------------------------------------------------------------------------


class Kit:
    """Collects one incident's records; every random choice comes from one seeded generator."""

    def __init__(self, name: str, seed: int, regions: Iterable[str] = ("us-east-1",)) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.region = self.rng.choice(list(regions))
        self.records: dict[str, list[Json]] = {
            "metrics": [],
            "alarms": [],
            "alarm_history": [],
            "logs": [],
            "cloudtrail": [],
            "resources": [],
            "events": [],
        }
        self.points: dict[tuple[str, str, str], list[tuple[datetime, list[float], list[float]]]] = {}

    # ids ------------------------------------------------------------------------------------------------
    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        v = "89ab"[self.rng.randint(0, 3)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:]}"

    def ec2_id(self, prefix: str) -> str:
        return f"{prefix}-0{self.hexs(16)}"

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def private_ip(self, cidr_prefix: str) -> str:
        return f"{cidr_prefix}.{self.rng.randint(4, 250)}"

    def public_ip(self) -> str:
        first = self.rng.choice([18, 34, 44, 52, 54, 81, 86, 92, 109, 176, 185, 203])
        return f"{first}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"

    # noise ----------------------------------------------------------------------------------------------
    def jitter(self, value: float, rel: float) -> float:
        return value * (1.0 + self.rng.gauss(0.0, rel))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # records --------------------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: Json) -> Json:
        self.records["resources"].append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: Json) -> None:
        self.records["events"].append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, unit: str, value: float | None
    ) -> None:
        """One datapoint (None: nothing published for this minute)."""
        if value is None:
            return
        v = round(float(value), 4)
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": v,
            }
        )
        self.points.setdefault(_key(ns, metric, dims), []).append((t, [v], [1.0]))

    def put_dist(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        values: list[float],
        counts: list[float],
    ) -> None:
        if not values:
            return
        self.records["metrics"].append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": values,
                "counts": counts,
            }
        )
        self.points.setdefault(_key(ns, metric, dims), []).append((t, values, counts))

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: list[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
    ) -> None:
        for t, step in times:
            self.put(ns, metric, dims, t, unit, fn(t, step))

    def latency(self, median: float, p99: float, n: int, digits: int = 4) -> tuple[list[float], list[float]]:
        """A log-normal latency distribution as values/counts (n requests in all)."""
        if n <= 0:
            return [], []
        sigma = max(0.05, math.log(max(p99, median * 1.01) / median) / 2.326)
        nd = NormalDist()
        values: list[float] = []
        counts: list[float] = []
        left = n
        for q, mass in _QUANTILES:
            c = min(left, round(n * mass)) if q != _QUANTILES[-1][0] else left
            if c <= 0:
                continue
            left -= c
            z = nd.inv_cdf(q)
            values.append(round(median * math.exp(sigma * z) * self.jitter(1.0, 0.03), digits))
            counts.append(float(c))
        return values, counts

    # CloudTrail -----------------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Json,
        params: Json | None,
        response: Json | None = None,
        *,
        read_only: bool,
        ip: str,
        agent: str,
        version: str = "1.09",
        console: bool = False,
        error: tuple[str, str] | None = None,
        tls: bool = True,
        extra: Json | None = None,
    ) -> Json:
        rid = self.uuid()
        rec: Json = {
            "eventVersion": version,
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = rid
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if tls:
            host = source.replace(".amazonaws.com", f".{self.region}.amazonaws.com")
            if source in ("iam.amazonaws.com", "sts.amazonaws.com") and source.startswith("iam"):
                host = "iam.amazonaws.com"
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        if extra:
            rec.update(extra)
        self.records["cloudtrail"].append(rec)
        return rec

    def service_assume_role(self, t: datetime, service: str, role_arn: str, session: str) -> Json:
        """A service (lambda, ecs-tasks, ...) fetching a role's credentials: routine STS noise."""
        return self.trail(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            {"type": "AWSService", "invokedBy": service},
            {"roleArn": role_arn, "roleSessionName": session},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + self.upper(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + self.upper(24) + "//////////" + self.upper(20),
                    "expiration": java_date(t + timedelta(hours=12)),
                }
            },
            read_only=True,
            ip=service,
            agent=service,
            version="1.08",
            tls=False,
            extra={
                "resources": [{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
                "sharedEventID": self.uuid(),
            },
        )

    # alarms ---------------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        *,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evaluation_periods: int,
        datapoints: int,
        threshold: float,
        comparison: str,
        treat_missing: str,
        start: datetime,
        now: datetime,
        actions: list[str],
        configured: datetime,
        unit: str | None = None,
        ok_actions: bool = True,
        evaluate_from: datetime | None = None,
    ) -> list[tuple[datetime, str, str, Json]]:
        """Evaluate the alarm over the emitted datapoints; write the alarm and its history.

        Returns the state changes (time, old state, new state, reason data) within start..now."""
        pts = self.points.get(_key(ns, metric, dims), [])
        buckets: dict[datetime, tuple[list[float], list[float]]] = {}
        for t, vals, cnts in pts:
            epoch = int(t.timestamp())
            b = datetime.fromtimestamp(epoch - epoch % period, UTC)
            vs, cs = buckets.setdefault(b, ([], []))
            vs.extend(vals)
            cs.extend(cnts)

        def aggregate(b: datetime) -> float | None:
            if b not in buckets:
                return None
            return _aggregate(stat, *buckets[b])

        breach = _COMPARE[comparison]
        state = ""
        state_time = configured
        reason = ""
        reason_data: Json = {}
        changes: list[tuple[datetime, str, str, Json]] = []
        history: list[Json] = []
        epoch0 = int((evaluate_from or start).timestamp())
        b = datetime.fromtimestamp(epoch0 - epoch0 % period, UTC) + timedelta(
            seconds=period * evaluation_periods
        )
        lag = timedelta(seconds=self.rng.randint(25, 55))
        while b + lag <= now:
            window = [b - timedelta(seconds=period * (i + 1)) for i in range(evaluation_periods)]
            got = [(w, aggregate(w)) for w in window]
            present = [(w, v) for w, v in got if v is not None]
            bad = sum(1 for _, v in present if breach(v, threshold))
            if treat_missing == "breaching":
                bad += len(got) - len(present)
            good = len(present) - sum(1 for _, v in present if breach(v, threshold))
            if treat_missing == "notBreaching":
                good += len(got) - len(present)
            if bad >= datapoints:
                new = "ALARM"
            elif good > 0:
                new = "OK"
            elif not present and treat_missing == "missing":
                new = "INSUFFICIENT_DATA"
            else:
                new = state or "OK"
            if new != state:
                at = b + lag + timedelta(milliseconds=self.rng.randint(0, 999))
                text, data = _reason(
                    new,
                    present,
                    threshold,
                    comparison,
                    stat,
                    period,
                    evaluation_periods,
                    datapoints,
                    at,
                    state,
                )
                if state:
                    old_entry: Json = {"stateValue": state, "stateReason": reason}
                    if reason_data:
                        old_entry["stateReasonData"] = reason_data
                    hist = {
                        "version": "1.0",
                        "oldState": old_entry,
                        "newState": {"stateValue": new, "stateReason": text, "stateReasonData": data},
                    }
                    history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(at),
                            "HistoryItemType": "StateUpdate",
                            "HistorySummary": f"Alarm updated from {state} to {new}",
                            "HistoryData": json.dumps(hist, separators=(",", ":")),
                        }
                    )
                    if actions and (new == "ALARM" or (new == "OK" and ok_actions)):
                        act_at = at + timedelta(milliseconds=self.rng.randint(60, 400))
                        history.append(
                            {
                                "AlarmName": name,
                                "AlarmType": "MetricAlarm",
                                "Timestamp": iso_ms(act_at),
                                "HistoryItemType": "Action",
                                "HistorySummary": f"Successfully executed action {actions[0]}",
                                "HistoryData": json.dumps(
                                    {
                                        "actionState": "Succeeded",
                                        "notificationResource": actions[0],
                                        "stateUpdateTimestamp": ms(at),
                                        "publishedMessage": json.dumps(
                                            {"AlarmName": name, "NewStateValue": new, "OldStateValue": state}
                                        ),
                                    },
                                    separators=(",", ":"),
                                ),
                            }
                        )
                    changes.append((at, state, new, data))
                    state_time = at
                else:
                    # the state the alarm was already in when the bundle starts
                    state_time = min(start - timedelta(hours=self.rng.randint(6, 60)), start)
                    state_time = max(state_time, configured + timedelta(minutes=3))
                state, reason, reason_data = new, text, data
            b += timedelta(seconds=period)
        dim_list = [{"Name": k, "Value": v} for k, v in dims.items()]
        item: Json = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
            "ActionsEnabled": True,
            "OKActions": list(actions) if ok_actions else [],
            "AlarmActions": list(actions),
            "InsufficientDataActions": [],
            "StateValue": state or "INSUFFICIENT_DATA",
            "StateReason": reason,
            "StateReasonData": json.dumps(reason_data, separators=(",", ":")),
            "StateUpdatedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": dim_list,
            "Period": period,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": datapoints,
            "Threshold": float(threshold),
            "ComparisonOperator": comparison,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso_ms(state_time),
        }
        if stat.startswith("p"):
            item["ExtendedStatistic"] = stat
            item["EvaluateLowSampleCountPercentile"] = "evaluate"
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.records["alarms"].append(item)
        self.records["alarm_history"].extend(history)
        return changes

    def alarm_event(self, alarm_name: str, change: tuple[datetime, str, str, Json]) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for one state change of an alarm."""
        alarm = next(a for a in self.records["alarms"] if a["AlarmName"] == alarm_name)
        at, old, new, data = change
        prev_time = at
        prev_reason = ""
        prev_data = ""
        for h in self.records["alarm_history"]:
            if h["AlarmName"] == alarm_name and h["HistoryItemType"] == "StateUpdate":
                doc = json.loads(h["HistoryData"])
                if doc["newState"]["stateValue"] == new and h["Timestamp"] == iso_ms(at):
                    prev_reason = doc["oldState"]["stateReason"]
                    prev_data = json.dumps(doc["oldState"].get("stateReasonData", {}), separators=(",", ":"))
        for h in self.records["alarm_history"]:
            if h["AlarmName"] == alarm_name and h["HistoryItemType"] == "StateUpdate":
                hdoc = json.loads(h["HistoryData"])
                ts = datetime.fromisoformat(h["Timestamp"].replace("Z", "+00:00"))
                if ts < at and hdoc["newState"]["stateValue"] == old:
                    prev_time = ts
        if prev_time == at:
            prev_time = datetime.fromisoformat(alarm["StateUpdatedTimestamp"].replace("Z", "+00:00"))
            if prev_time >= at:
                prev_time = at - timedelta(days=2)
        stat_key = "ExtendedStatistic" if "ExtendedStatistic" in alarm else "Statistic"
        new_reason = ""
        for h in self.records["alarm_history"]:
            if h["AlarmName"] == alarm_name and h["Timestamp"] == iso_ms(at):
                new_reason = json.loads(h["HistoryData"])["newState"]["stateReason"]
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
                "alarmName": alarm_name,
                "state": {
                    "value": new,
                    "reason": new_reason,
                    "reasonData": json.dumps(data, separators=(",", ":")),
                    "timestamp": cw_ts(at),
                },
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "reasonData": prev_data,
                    "timestamp": cw_ts(prev_time),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hexs(8) + "-" + self.hexs(4) + "-" + self.hexs(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                                },
                                "period": alarm["Period"],
                                "stat": alarm[stat_key],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # the bundle -----------------------------------------------------------------------------------------
    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        now: datetime,
        trigger: Json,
        truth: Json,
        end: datetime | None = None,
    ) -> Bundle:
        end = end or now
        out: dict[str, list[Json]] = {}
        for kind, rows in self.records.items():
            if kind == "metrics":
                rows = sorted(
                    (r for r in rows if r["timestamp"] <= iso(now)),
                    key=lambda r: (r["namespace"], r["metric"], json.dumps(r["dimensions"]), r["timestamp"]),
                )
            elif kind == "logs":
                rows = sorted(
                    (r for r in rows if r["timestamp"] <= ms(now)),
                    key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
                )
            elif kind == "cloudtrail":
                rows = sorted((r for r in rows if r["eventTime"] <= iso(now)), key=lambda r: r["eventTime"])
            elif kind == "alarm_history":
                rows = sorted(
                    (r for r in rows if r["Timestamp"] <= iso_ms(now)), key=lambda r: r["Timestamp"]
                )
            if rows:
                out[kind] = rows
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, out)


# --- identities -----------------------------------------------------------------------------------------


def sso_identity(kit: Kit, permission_set: str, email: str, since: datetime, sso_region: str) -> Json:
    role = permission_set
    role_id = "AROA" + kit.upper(17)
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{email}",
        "arn": f"arn:aws:sts::{kit.account}:assumed-role/{role}/{email}",
        "accountId": kit.account,
        "accessKeyId": "ASIA" + kit.upper(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{kit.account}:role/aws-reserved/sso.amazonaws.com/{sso_region}/{role}",
                "accountId": kit.account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": iso(since), "mfaAuthenticated": "false"},
        },
    }


def role_identity(kit: Kit, role: str, session: str, since: datetime, *, oidc: str | None = None) -> Json:
    role_id = "AROA" + kit.upper(17)
    web: Json = {}
    if oidc:
        web = {"federatedProvider": f"arn:aws:iam::{kit.account}:oidc-provider/{oidc}", "attributes": {}}
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{kit.account}:assumed-role/{role}/{session}",
        "accountId": kit.account,
        "accessKeyId": "ASIA" + kit.upper(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{kit.account}:role/{role}",
                "accountId": kit.account,
                "userName": role,
            },
            "webIdFederationData": web,
            "attributes": {"creationDate": iso(since), "mfaAuthenticated": "false"},
        },
    }


CLI = "aws-cli/2.15.{p} md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
TERRAFORM = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}"
BOTO = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"
GRAFANA = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1"
CONSOLE_AGENT = "AWS Internal"


def cli(kit: Kit, command: str) -> str:
    return CLI.format(p=kit.rng.randint(20, 38), cmd=command)


# --- common resource items and runtime log lines ----------------------------------------------------------


def pick_day(kit: Kit, weekday: int | None = None) -> datetime:
    """Midnight UTC of a date in 2024 (a given weekday, Monday = 0, or any working day)."""
    day = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=kit.rng.randint(0, 280))
    while (weekday is None and day.weekday() >= 5) or (weekday is not None and day.weekday() != weekday):
        day += timedelta(days=1)
    return day


def log_group(kit: Kit, name: str, created: datetime, retention: int | None, stored: int) -> Json:
    item: Json = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": kit.arn("logs", f"log-group:{name}:*"),
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": kit.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    return kit.resource("logs", "LogGroup", item)


def iam_role(kit: Kit, name: str, service: str, created: datetime, last_used: datetime | None) -> Json:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        },
        separators=(",", ":"),
    )
    item: Json = {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + kit.upper(17),
        "Arn": f"arn:aws:iam::{kit.account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": trust,
        "MaxSessionDuration": 3600,
    }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": kit.region}
    return kit.resource("iam", "Role", item)


def lambda_function(
    kit: Kit,
    name: str,
    *,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    role_arn: str,
    modified: datetime,
    env: dict[str, str] | None = None,
    description: str = "",
    vpc: Json | None = None,
    code_size: int | None = None,
    arch: str = "arm64",
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": kit.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "CodeSize": code_size or kit.rng.randint(180_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{kit.rng.randint(0, 999):03d}+0000",
        "CodeSha256": _b64(kit, 32),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": kit.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [arch],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{kit.region}::runtime:{kit.hexs(64)}"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": dict(env)}
    if vpc:
        item["VpcConfig"] = vpc
    return kit.resource("lambda", "FunctionConfiguration", item)


def lambda_stream(kit: Kit, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{kit.hexs(32)}"


def lambda_invocation(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    lines: list[str],
    duration_ms: float,
    memory: int,
    used: int,
    *,
    init_ms: float | None = None,
    runtime_arn: str = "",
    runtime_version: str = "",
    version: str = "$LATEST",
    status: str | None = None,
) -> str:
    """START / the function's lines / END / REPORT, as a Lambda runtime prints them. Returns the request id.

    Each line is printed at its offset; `{rid}` in a line is the request id, `{ts}` the line's time."""
    rid = kit.uuid()
    at = t
    if init_ms is not None:
        kit.log(
            group,
            stream,
            at - timedelta(milliseconds=init_ms + 3),
            f"INIT_START Runtime Version: {runtime_version}\tRuntime Version ARN: {runtime_arn}\n",
        )
    kit.log(group, stream, at, f"START RequestId: {rid} Version: {version}\n")
    step = duration_ms / (len(lines) + 1)
    for i, line in enumerate(lines):
        lt = at + timedelta(milliseconds=step * (i + 1))
        kit.log(group, stream, lt, line.replace("{rid}", rid).replace("{ts}", iso_ms(lt)))
    end = at + timedelta(milliseconds=duration_ms)
    kit.log(group, stream, end, f"END RequestId: {rid}\n")
    billed = math.ceil(duration_ms)
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    if status:
        report += f"Status: {status}\t"
    kit.log(group, stream, end + timedelta(milliseconds=1), report + "\n")
    return rid


def vpc_item(kit: Kit, vpc_id: str, cidr: str, name: str) -> Json:
    return kit.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": cidr,
            "DhcpOptionsId": kit.ec2_id("dopt"),
            "State": "available",
            "VpcId": vpc_id,
            "OwnerId": kit.account,
            "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": kit.ec2_id("vpc-cidr-assoc"),
                    "CidrBlock": cidr,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )


def subnet_item(kit: Kit, subnet_id: str, vpc_id: str, cidr: str, az: str, name: str, free: int) -> Json:
    return kit.resource(
        "ec2",
        "Subnet",
        {
            "AvailabilityZone": az,
            "AvailabilityZoneId": f"{kit.region[:3]}{kit.region.split('-')[1][:2]}{kit.region[-1]}-az{ord(az[-1]) - 96}",
            "AvailableIpAddressCount": free,
            "CidrBlock": cidr,
            "DefaultForAz": False,
            "MapPublicIpOnLaunch": False,
            "State": "available",
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "OwnerId": kit.account,
            "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [],
            "Tags": [{"Key": "Name", "Value": name}],
            "SubnetArn": kit.arn("ec2", f"subnet/{subnet_id}"),
            "EnableDns64": False,
            "Ipv6Native": False,
            "PrivateDnsNameOptionsOnLaunch": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False,
            },
        },
    )


def sg_rule(
    proto: str,
    port: int | None,
    *,
    groups: list[tuple[str, str]] | None = None,
    cidrs: list[tuple[str, str]] | None = None,
    account: str = "",
) -> Json:
    """An IpPermission: `groups` as (group id, description), `cidrs` as (cidr, description)."""
    rule: Json = {"IpProtocol": proto}
    if port is not None:
        rule["FromPort"] = port
        rule["ToPort"] = port
    rule["UserIdGroupPairs"] = [
        {"Description": d, "UserId": account, "GroupId": g} if d else {"UserId": account, "GroupId": g}
        for g, d in (groups or [])
    ]
    rule["IpRanges"] = [{"CidrIp": c, "Description": d} if d else {"CidrIp": c} for c, d in (cidrs or [])]
    rule["Ipv6Ranges"] = []
    rule["PrefixListIds"] = []
    return rule


def security_group(
    kit: Kit,
    group_id: str,
    name: str,
    description: str,
    vpc_id: str,
    ingress: list[Json],
    tags: dict[str, str],
) -> Json:
    return kit.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": group_id,
            "IpPermissionsEgress": [sg_rule("-1", None, cidrs=[("0.0.0.0/0", "")])],
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "VpcId": vpc_id,
            "SecurityGroupArn": kit.arn("ec2", f"security-group/{group_id}"),
            "OwnerId": kit.account,
            "GroupName": name,
            "Description": description,
            "IpPermissions": ingress,
        },
    )


def ec2_instance(
    kit: Kit,
    instance_id: str,
    *,
    instance_type: str,
    ami: str,
    az: str,
    subnet_id: str,
    vpc_id: str,
    ip: str,
    groups: list[tuple[str, str]],
    launched: datetime,
    profile_arn: str,
    tags: dict[str, str],
) -> Json:
    eni = kit.ec2_id("eni")
    dns = f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal"
    return kit.resource(
        "ec2",
        "Instance",
        {
            "AmiLaunchIndex": 0,
            "ImageId": ami,
            "InstanceId": instance_id,
            "InstanceType": instance_type,
            "LaunchTime": iso(launched),
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": dns,
            "PrivateIpAddress": ip,
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": {"Code": 16, "Name": "running"},
            "StateTransitionReason": "",
            "SubnetId": subnet_id,
            "VpcId": vpc_id,
            "Architecture": "x86_64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched + timedelta(seconds=2)),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": kit.ec2_id("vol"),
                    },
                }
            ],
            "ClientToken": kit.uuid(),
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {"Arn": profile_arn, "Id": "AIPA" + kit.upper(17)},
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(launched),
                        "AttachmentId": kit.ec2_id("eni-attach"),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": [{"GroupName": n, "GroupId": g} for g, n in groups],
                    "Ipv6Addresses": [],
                    "MacAddress": ":".join(kit.hexs(2) for _ in range(6)),
                    "NetworkInterfaceId": eni,
                    "OwnerId": kit.account,
                    "PrivateDnsName": dns,
                    "PrivateIpAddress": ip,
                    "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnet_id,
                    "VpcId": vpc_id,
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in groups],
            "SourceDestCheck": True,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
            "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
            "HibernationOptions": {"Configured": False},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
                "HttpProtocolIpv6": "disabled",
                "InstanceMetadataTags": "disabled",
            },
            "EnclaveOptions": {"Enabled": False},
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "UsageOperationUpdateTime": iso(launched),
            "PrivateDnsNameOptions": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False,
            },
            "MaintenanceOptions": {"AutoRecovery": "default"},
            "CurrentInstanceBootMode": "legacy-bios",
        },
    )


def instance_status_ok(kit: Kit, instance_id: str, az: str) -> Json:
    ok = {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"}
    return kit.resource(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": instance_id,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": ok,
            "SystemStatus": ok,
            "AttachedEbsStatus": ok,
        },
    )


def flow_record(
    kit: Kit,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    packets: int,
    nbytes: int,
    start: datetime,
    end: datetime,
    action: str,
) -> str:
    """One VPC flow log record in the default (version 2) format."""
    return (
        f"2 {kit.account} {eni} {src} {dst} {sport} {dport} 6 {packets} {nbytes} "
        f"{int(start.timestamp())} {int(end.timestamp())} {action} OK"
    )


def _b64(kit: Kit, n: int) -> str:
    raw = bytes(kit.rng.randint(0, 255) for _ in range(n))
    return base64.b64encode(raw).decode()


# --- private ----------------------------------------------------------------------------------------------

_QUANTILES = [
    (0.1, 0.2),
    (0.3, 0.2),
    (0.5, 0.2),
    (0.7, 0.15),
    (0.85, 0.1),
    (0.93, 0.07),
    (0.97, 0.04),
    (0.99, 0.025),
    (0.998, 0.015),
]


def _key(ns: str, metric: str, dims: dict[str, str]) -> tuple[str, str, str]:
    return ns, metric, json.dumps(dims, sort_keys=True)


def _aggregate(stat: str, values: list[float], counts: list[float]) -> float:
    if stat == "Sum":
        return sum(v * c for v, c in zip(values, counts, strict=True))
    if stat == "Average":
        return sum(v * c for v, c in zip(values, counts, strict=True)) / sum(counts)
    if stat == "Maximum":
        return max(values)
    if stat == "Minimum":
        return min(values)
    if stat == "SampleCount":
        return sum(counts)
    if stat.startswith("p"):
        q = float(stat[1:]) / 100.0
        pairs = sorted(zip(values, counts, strict=True))
        total = sum(counts)
        run = 0.0
        for v, c in pairs:
            run += c
            if run >= q * total:
                return v
        return pairs[-1][0]
    raise ValueError(stat)


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}

_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def _num(v: float) -> str:
    return repr(float(round(v, 6)))


def _reason(
    new: str,
    present: list[tuple[datetime, float]],
    threshold: float,
    comparison: str,
    stat: str,
    period: int,
    evaluation_periods: int,
    datapoints: int,
    at: datetime,
    old: str,
) -> tuple[str, Json]:
    word = _WORDS[comparison]
    shown = [(w, v) for w, v in present if v is not None]
    if new == "INSUFFICIENT_DATA" or not shown:
        text = f"Insufficient Data: {evaluation_periods} datapoints were unknown."
    else:
        listing = ", ".join(f"{_num(v)} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
        verb = "were" if len(shown) > 1 else "was"
        neg = "" if new == "ALARM" else "not "
        if evaluation_periods == 1:
            text = f"Threshold Crossed: 1 datapoint [{listing}] was {neg}{word} the threshold ({_num(threshold)})."
        else:
            n = len(shown)
            lead = f"{n} out of the last {evaluation_periods} datapoints" if n > 1 else "1 out of the last"
            if n == 1:
                lead = f"1 out of the last {evaluation_periods} datapoints"
            text = (
                f"Threshold Crossed: {lead} [{listing}] {verb} {neg}{word} the threshold ({_num(threshold)})"
            )
            if new == "ALARM" and old:
                text += f" (minimum {datapoints} datapoint{'s' if datapoints > 1 else ''} for OK -> ALARM transition)."
            elif new == "OK" and old:
                text += " (minimum 1 datapoint for ALARM -> OK transition)."
            else:
                text += "."
    data: Json = {"version": "1.0", "queryDate": cw_ts(at)}
    if stat.startswith("p"):
        data["extendedStatistic"] = stat
    else:
        data["statistic"] = stat
    if shown:
        data["startDate"] = cw_ts(min(w for w, _ in shown))
    data["period"] = period
    data["recentDatapoints"] = [round(v, 6) for _, v in reversed(shown)]
    data["threshold"] = float(threshold)
    if shown:
        data["evaluatedDatapoints"] = [
            {"timestamp": cw_ts(w), "sampleCount": 1.0, "value": round(v, 6)}
            for w, v in sorted(shown, key=lambda p: p[0], reverse=True)
        ]
    return text, data


__all__ = [
    "BOTO",
    "CONSOLE_AGENT",
    "GRAFANA",
    "MINUTE",
    "TERRAFORM",
    "Json",
    "Kit",
    "cli",
    "cw_ts",
    "ec2_instance",
    "floor_minute",
    "flow_record",
    "grid",
    "iam_role",
    "instance_status_ok",
    "iso",
    "iso_ms",
    "java_date",
    "lambda_function",
    "lambda_invocation",
    "lambda_stream",
    "log_group",
    "ms",
    "pick_day",
    "role_identity",
    "security_group",
    "sg_rule",
    "sso_identity",
    "subnet_item",
    "vpc_item",
]
