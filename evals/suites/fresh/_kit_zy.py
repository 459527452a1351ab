# Incidents planned for this kit (written in this order):
# 1. change: an SQS->Lambda event source mapping's batch size raised one morning; at the evening peak
#    full batches outlast the function timeout, whole batches retry and spill to the DLQ.
# 2. limit: a Standard Step Functions payroll workflow with an inline Map hits the 25,000 history-event
#    ceiling for the largest employer only, once its headcount grows past the line.
# 3. no fault: a nightly reconciliation queue age alarm, freshly tightened, pages on the usual
#    nightly backlog that drains exactly as it does every night.
# 4. dependency_failure: an EventBridge API destination to a carrier partner fails because the
#    partner's OAuth token endpoint is down; the connection deauthorizes and deliveries stop.
"""Private helpers shared by the zy incidents: ids, noise series, alarms, CloudTrail records, logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Row = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Everything one bundle collects while it is being built."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.metrics: list[Row] = []
        self.alarms: list[Row] = []
        self.history: list[Row] = []
        self.logs: list[Row] = []
        self.cloudtrail: list[Row] = []
        self.resources: list[Row] = []
        self.events: list[Row] = []

    # ids -------------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randint(0, 3)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper_id(self, prefix: str, n: int) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def records(self) -> dict[str, list[Row]]:
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        return {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
        }

    def res(self, service: str, type_: str, item: Row) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})


# time and shape ----------------------------------------------------------------------------------


def pick_day(rng: random.Random, weekday: bool = True) -> datetime:
    base = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=rng.randint(0, 200))
    while weekday and base.weekday() >= 5:
        base += timedelta(days=1)
    return base


def diurnal(t: datetime, utc_offset_h: float, floor: float = 0.15) -> float:
    """A day curve: low overnight, a morning rise, a midday plateau and an evening peak."""
    h = ((t.hour + t.minute / 60 + utc_offset_h) % 24 + 24) % 24
    morning = math.exp(-((h - 11.0) ** 2) / 10.0)
    evening = 1.15 * math.exp(-((h - 19.5) ** 2) / 5.0)
    return floor + (1 - floor) * min(1.0, 0.55 * morning + evening + 0.25 * math.exp(-((h - 15) ** 2) / 12))


def times(start: datetime, end: datetime, step_min: int) -> list[datetime]:
    out = []
    t = start
    while t <= end:
        out.append(t)
        t += timedelta(minutes=step_min)
    return out


def grid(start: datetime, fine_from: datetime, now: datetime) -> list[tuple[datetime, int]]:
    """5-minute points from start to fine_from, then 1-minute points up to now: (time, period seconds)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    while t <= now:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


Series = list[tuple[datetime, int, float]]


def emit(
    ctx: Ctx,
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    series: Series,
    *,
    skip_zero: bool = False,
    digits: int = 2,
) -> Series:
    for t, _p, v in series:
        if skip_zero and v <= 0:
            continue
        ctx.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "value": round(v, digits) if digits else float(round(v)),
            }
        )
    return series


def make(points: list[tuple[datetime, int]], fn: Callable[[datetime, int], float]) -> Series:
    return [(t, p, max(0.0, fn(t, p))) for t, p in points]


# alarms ------------------------------------------------------------------------------------------


def _aggregate(series: Series, start: datetime, period: int, stat: str) -> float | None:
    end = start + timedelta(seconds=period)
    vals: list[float] = []
    for t, _p, v in series:
        if start <= t < end:
            vals.append(v)
    if not vals:
        return None
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    return sum(vals) / len(vals)


_OPS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda a, b: a > b,
    "GreaterThanOrEqualToThreshold": lambda a, b: a >= b,
    "LessThanThreshold": lambda a, b: a < b,
    "LessThanOrEqualToThreshold": lambda a, b: a <= b,
}
_OP_TEXT = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def alarm(
    ctx: Ctx,
    *,
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
    series: Series,
    eval_from: datetime,
    now: datetime,
    created: datetime,
    topic_arn: str,
    unit: str | None = None,
    missing: str = "missing",
) -> Row:
    """Evaluate the alarm over the series (from eval_from to now) and add it and its history."""
    arn = ctx.arn("cloudwatch", f"alarm:{name}")
    state = "OK"
    state_time = created + timedelta(minutes=1)
    reason = "Threshold Crossed: no datapoints were breaching."
    reason_data: dict[str, Any] = {}
    window: list[tuple[datetime, float | None]] = []
    ctx.history.append(
        {
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{name}" updated',
            "HistoryData": json.dumps({"type": "Update", "version": "1.0"}),
        }
    )
    t = eval_from
    step = timedelta(seconds=period)
    while t + step <= now:
        v = _aggregate(series, t, period, stat)
        window.append((t, v))
        window = window[-evals:]
        eval_time = t + step + timedelta(seconds=ctx.rng.randint(20, 50))
        if eval_time > now:
            break
        present = [(wt, wv) for wt, wv in window if wv is not None]
        new = state
        if len(window) == evals and present:
            breaching = [wv for _, wv in present if _OPS[op](wv, threshold)]
            if len(breaching) == evals:
                new = "ALARM"
            elif not _OPS[op](present[-1][1], threshold):
                new = "OK"
        if new != state:
            vals = [round(wv, 3) for _, wv in reversed(present)]
            shown = (
                "["
                + ", ".join(
                    f"{x} ({iso(wt)[8:16].replace('T', '/')})"
                    for x, (wt, _) in zip(vals, reversed(present), strict=False)
                )
                + "]"
            )
            if new == "ALARM":
                text = f"Threshold Crossed: {evals} out of the last {evals} datapoints {shown} were {_OP_TEXT[op]} the threshold ({threshold})"
            else:
                text = f"Threshold Crossed: 1 datapoint [{vals[0]} ({iso(present[-1][0])[8:16].replace('T', '/')})] was not {_OP_TEXT[op]} the threshold ({threshold})"
            reason_data = {
                "version": "1.0",
                "queryDate": iso_ms(eval_time),
                "startDate": iso_ms(window[0][0]),
                "statistic": stat,
                "period": period,
                "recentDatapoints": vals[::-1],
                "threshold": threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso(wt), "sampleCount": float(period // 60), "value": round(wv, 3)}
                    for wt, wv in reversed(present)
                ],
            }
            ctx.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(eval_time),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state},
                            "newState": {
                                "stateValue": new,
                                "stateReason": text,
                                "stateReasonData": reason_data,
                            },
                        }
                    ),
                }
            )
            ctx.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(eval_time + timedelta(milliseconds=300)),
                    "HistoryItemType": "Action",
                    "HistorySummary": f"Successfully executed action {topic_arn}",
                    "HistoryData": json.dumps(
                        {
                            "actionState": "Succeeded",
                            "stateUpdateTimestamp": ms(eval_time),
                            "publishedMessage": {},
                        }
                    ),
                }
            )
            state, state_time, reason = new, eval_time, text
        t += step
    item: Row = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso(created),
        "ActionsEnabled": True,
        "OKActions": [topic_arn],
        "AlarmActions": [topic_arn],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateReasonData": json.dumps(reason_data) if reason_data else json.dumps({"version": "1.0"}),
        "StateUpdatedTimestamp": iso(state_time),
        "StateTransitionedTimestamp": iso(state_time),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": missing,
    }
    if unit:
        item["Unit"] = unit
    ctx.alarms.append(item)
    return item


def alarm_event(ctx: Ctx, alarm_item: Row, previous: str = "OK") -> Row:
    """The EventBridge "CloudWatch Alarm State Change" event for the alarm's current state."""
    reason_data = json.loads(alarm_item["StateReasonData"])
    return {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": alarm_item["StateUpdatedTimestamp"],
        "region": ctx.region,
        "resources": [alarm_item["AlarmArn"]],
        "detail": {
            "alarmName": alarm_item["AlarmName"],
            "state": {
                "value": alarm_item["StateValue"],
                "reason": alarm_item["StateReason"],
                "reasonData": json.dumps(reason_data),
                "timestamp": alarm_item["StateUpdatedTimestamp"].replace("Z", ".000+0000"),
            },
            "previousState": {
                "value": previous,
                "timestamp": alarm_item["AlarmConfigurationUpdatedTimestamp"],
            },
            "configuration": {
                "description": alarm_item["AlarmDescription"],
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": alarm_item["Namespace"],
                                "name": alarm_item["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in alarm_item["Dimensions"]},
                            },
                            "period": alarm_item["Period"],
                            "stat": alarm_item["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# CloudTrail --------------------------------------------------------------------------------------


class Principal:
    def __init__(self, ctx: Ctx, kind: str, name: str, session: str, ip: str, agent: str) -> None:
        self.kind = kind
        self.name = name
        self.session = session
        self.ip = ip
        self.agent = agent
        self.role_id = ctx.upper_id("AROA", 17)
        self.key = ctx.upper_id("ASIA", 16)
        self.account = ctx.account

    def identity(self, t: datetime) -> Row:
        if self.kind == "service":
            return {"type": "AWSService", "invokedBy": self.name}
        path = "aws-reserved/sso.amazonaws.com/" if self.name.startswith("AWSReservedSSO") else ""
        issued = t - timedelta(minutes=(t.minute % 47) + 3)
        return {
            "type": "AssumedRole",
            "principalId": f"{self.role_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{self.session}",
            "accountId": self.account,
            "accessKeyId": self.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{path}{self.name}",
                    "accountId": self.account,
                    "userName": self.name,
                },
                "attributes": {"creationDate": iso(issued), "mfaAuthenticated": "false"},
            },
        }


def sso(ctx: Ctx, perm_set: str, user: str, ip: str) -> Principal:
    return Principal(
        ctx,
        "role",
        f"AWSReservedSSO_{perm_set}_{ctx.hex(16)}",
        user,
        ip,
        "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
        "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source",
    )


def role(ctx: Ctx, name: str, session: str, ip: str, agent: str) -> Principal:
    return Principal(ctx, "role", name, session, ip, agent)


def service(ctx: Ctx, name: str) -> Principal:
    return Principal(ctx, "service", name, "", name, name)


CONSOLE_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
TF_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.0"
)


def ct(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    req: Row | None,
    resp: Row | None = None,
    *,
    read_only: bool = False,
    resources: list[Row] | None = None,
    error: tuple[str, str] | None = None,
    agent: str | None = None,
) -> Row:
    rec: Row = {
        "eventVersion": "1.09" if who.kind != "service" else "1.08",
        "userIdentity": who.identity(t),
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": ctx.region,
        "sourceIPAddress": who.ip,
        "userAgent": agent or who.agent,
        "requestParameters": req,
        "responseElements": resp,
        "requestID": ctx.uuid(),
        "eventID": ctx.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ctx.account,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if resources:
        rec["resources"] = resources
    if who.kind != "service":
        host = source.replace(".amazonaws.com", f".{ctx.region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
        if who.ip.startswith("AWS Internal"):
            del rec["tlsDetails"]
    ctx.cloudtrail.append(rec)
    return rec


def routine_reads(
    ctx: Ctx,
    who: list[Principal],
    start: datetime,
    now: datetime,
    calls: list[tuple[str, str, dict[str, object] | None]],
    n: int,
) -> None:
    """n read-only calls spread between start and now by the given principals."""
    span = int((now - start).total_seconds())
    for _ in range(n):
        t = start + timedelta(seconds=ctx.rng.randint(60, span - 60))
        p = ctx.rng.choice(who)
        src, name, req = ctx.rng.choice(calls)
        ct(ctx, t, p, src, name, req, None, read_only=True)


# logs --------------------------------------------------------------------------------------------


def log(ctx: Ctx, group: str, stream: str, t: datetime, message: str) -> None:
    ctx.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})


def lambda_stream(ctx: Ctx, t: datetime, version: str = "$LATEST") -> str:
    return f"{t.strftime('%Y/%m/%d')}/[{version}]{ctx.hex(32)}"


def report_line(req_id: str, dur: float, mem: int, used: int, init: float | None = None) -> str:
    billed = math.ceil(dur)
    s = f"REPORT RequestId: {req_id}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB\t"
    if init is not None:
        s += f"Init Duration: {init:.2f} ms\t"
    return s


def topic(ctx: Ctx, name: str) -> str:
    return ctx.arn("sns", name)


def sns_topic(ctx: Ctx, name: str, subs: int = 1) -> Row:
    arn = topic(ctx, name)
    item = {
        "TopicArn": arn,
        "Attributes": {
            "TopicArn": arn,
            "Owner": ctx.account,
            "DisplayName": "",
            "SubscriptionsConfirmed": str(subs),
            "SubscriptionsPending": "0",
            "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": json.dumps(
                {
                    "http": {
                        "defaultHealthyRetryPolicy": {
                            "minDelayTarget": 20,
                            "maxDelayTarget": 20,
                            "numRetries": 3,
                            "numMaxDelayRetries": 0,
                            "numNoDelayRetries": 0,
                            "numMinDelayRetries": 0,
                            "backoffFunction": "linear",
                        },
                        "disableSubscriptionOverrides": False,
                        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                    }
                }
            ),
        },
    }
    ctx.res("sns", "Topic", item)
    return item


def sqs_queue(ctx: Ctx, name: str, created: datetime, attrs: dict[str, str], tags: dict[str, str]) -> Row:
    url = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}"
    base = {
        "QueueArn": ctx.arn("sqs", name),
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
    base.update(attrs)
    item = {"QueueUrl": url, "Attributes": base, "Tags": tags}
    ctx.res("sqs", "Queue", item)
    return item
