"""Private helpers for author d's fresh incidents: ids, time grids, noise, CloudTrail records,
CloudWatch alarms evaluated against the bundle's own datapoints, and common resource items."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

J = dict[str, Any]

MIN = timedelta(minutes=1)


# --- time ---------------------------------------------------------------------------------------


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's alarm-JSON time format: 2024-05-01T14:03:00.000+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def grid(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """Datapoint times: 5-minute points from `start` until `fine_from`, then 1-minute points.

    The last point is the last whole minute that ended before `end` (CloudWatch lag)."""
    out: list[tuple[datetime, int]] = []
    t = floor_min(start)
    t -= timedelta(minutes=t.minute % 5)
    fine_from = floor_min(fine_from)
    fine_from -= timedelta(minutes=fine_from.minute % 5)
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    while t + MIN <= end - MIN:
        out.append((t, 60))
        t += MIN
    return out


def diurnal(t: datetime, peak_hour_utc: float, depth: float = 0.35) -> float:
    """A daily traffic multiplier around 1.0, highest at `peak_hour_utc`."""
    h = t.hour + t.minute / 60.0
    return 1.0 + depth * math.cos(2 * math.pi * (h - peak_hour_utc) / 24.0)


# --- context ------------------------------------------------------------------------------------


REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


@dataclass
class Alarm:
    item: J
    start_state: str = "OK"
    transitions: list[tuple[datetime, str, str, str, J]] = field(default_factory=list)
    since: datetime = datetime(2024, 1, 1, tzinfo=UTC)


class Ctx:
    """Everything one bundle accumulates, plus its seeded random source."""

    def __init__(self, name: str, seed: int, *, region: str | None = None) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.name = name
        self.account = str(self.rng.randrange(10**11, 10**12 - 1)).rjust(12, "1")
        self.region = region or self.rng.choice(REGIONS)
        self.metrics: list[J] = []
        self.alarms: list[J] = []
        self.history: list[J] = []
        self.logs: list[J] = []
        self.trail: list[J] = []
        self.resources: list[J] = []
        self.events: list[J] = []
        self._series: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[datetime, J]] = {}
        self._alarms: list[Alarm] = []

    # ids -----------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = False) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(
            self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(n)
        )

    def uuid(self) -> str:
        h = self.hex(32)
        h = h[:12] + "4" + h[13:16] + self.rng.choice("89ab") + h[17:]
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def key_id(self, prefix: str, n: int = 16) -> str:
        return prefix + self.alnum(n, upper=True)

    def arn(self, service: str, rest: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def day(self, year_from: int = 2024) -> datetime:
        """A weekday date for the incident."""
        base = datetime(year_from, 1, 8, tzinfo=UTC) + timedelta(days=self.rng.randrange(0, 600))
        while base.weekday() >= 5:
            base += timedelta(days=1)
        return base

    # metrics -------------------------------------------------------------------------------------

    def put(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        value: float | None = None,
        *,
        stats: tuple[float, float, float, float] | None = None,
    ) -> None:
        """One datapoint: a `value`, or `stats` = (SampleCount, Sum, Minimum, Maximum)."""
        row: J = {
            "namespace": namespace,
            "metric": metric,
            "dimensions": dict(dims),
            "timestamp": iso(t),
            "unit": unit,
        }
        if stats is not None:
            n, s, lo, hi = stats
            row["statistic_values"] = {
                "SampleCount": float(n),
                "Sum": round(float(s), 4),
                "Minimum": round(float(lo), 4),
                "Maximum": round(float(hi), 4),
            }
        else:
            assert value is not None
            row["value"] = round(float(value), 4)
        self.metrics.append(row)
        key = (namespace, metric, tuple(sorted(dims.items())))
        self._series.setdefault(key, {})[t] = row

    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        points: Sequence[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
    ) -> None:
        """Datapoints from `fn(t, period)`; None means AWS published nothing for that interval."""
        for t, step in points:
            v = fn(t, step)
            if v is not None:
                self.put(namespace, metric, dims, t, unit, v)

    def count(self, mean: float) -> int:
        """A Poisson-like count around `mean`."""
        if mean <= 0:
            return 0
        if mean < 30:
            # Knuth for small means
            limit, k, p = math.exp(-mean), 0, 1.0
            while True:
                p *= self.rng.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))

    def jitter(self, value: float, rel: float = 0.05) -> float:
        return max(0.0, value * (1.0 + self.rng.gauss(0.0, rel)))

    # records -------------------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: J) -> J:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def event(self, source: str, item: J) -> None:
        self.events.append({"source": source, "item": item})

    # alarms --------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        *,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation_periods: int,
        threshold: float,
        comparison: str,
        datapoints_to_alarm: int | None = None,
        treat_missing: str = "missing",
        description: str | None = None,
        actions: Sequence[str] = (),
        ok_actions: Sequence[str] = (),
        configured: datetime | None = None,
        unit: str | None = None,
    ) -> J:
        item: J = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(configured or datetime(2023, 6, 1, tzinfo=UTC)),
            "ActionsEnabled": True,
            "OKActions": list(ok_actions),
            "AlarmActions": list(actions),
            "InsufficientDataActions": [],
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": datapoints_to_alarm or evaluation_periods,
            "Threshold": float(threshold),
            "ComparisonOperator": comparison,
            "TreatMissingData": treat_missing,
        }
        if description:
            item["AlarmDescription"] = description
        if unit:
            item["Unit"] = unit
        self._alarms.append(Alarm(item))
        return item

    def evaluate_alarms(self, eval_from: datetime, now: datetime, *, since: datetime) -> None:
        """Evaluate every alarm from `eval_from` to `now` against the datapoints put so far.

        Each alarm is taken to have been in OK since `since` (before the bundle). Writes the alarm
        items (state at `now`) and their history (state changes and the SNS actions they ran)."""
        for a in self._alarms:
            a.since = since - timedelta(minutes=self.rng.randrange(0, 4000), seconds=self.rng.randrange(60))
            self._evaluate(a, eval_from, now, a.since)
            self.alarms.append(a.item)

    def _bucket_value(
        self, key: tuple[str, str, tuple[tuple[str, str], ...]], b0: datetime, period: int, stat: str
    ) -> float | None:
        pts = self._series.get(key, {})
        vals: list[tuple[float, float, float, float]] = []
        t = b0
        while t < b0 + timedelta(seconds=period):
            row = pts.get(t)
            if row is not None:
                if "statistic_values" in row:
                    sv = row["statistic_values"]
                    vals.append((sv["SampleCount"], sv["Sum"], sv["Minimum"], sv["Maximum"]))
                else:
                    v = row["value"]
                    vals.append((1.0, v, v, v))
            t += MIN
        if not vals:
            return None
        n = sum(v[0] for v in vals)
        s = sum(v[1] for v in vals)
        if stat == "Sum":
            return s
        if stat == "Average":
            return s / n
        if stat == "Maximum":
            return max(v[3] for v in vals)
        if stat == "Minimum":
            return min(v[2] for v in vals)
        if stat == "SampleCount":
            return n
        raise ValueError(stat)

    def first_alarm(self, name: str, eval_from: datetime, until: datetime) -> datetime:
        """When alarm `name` first goes to ALARM between `eval_from` and `until` (nothing is recorded)."""
        a = next(x for x in self._alarms if x.item["AlarmName"] == name)
        trans = self._evaluate(a, eval_from, until, eval_from, commit=False)
        return next(tr[0] for tr in trans if tr[2] == "ALARM")

    def _evaluate(
        self, a: Alarm, eval_from: datetime, now: datetime, since: datetime, *, commit: bool = True
    ) -> list[tuple[datetime, str, str, str, J]]:
        it = a.item
        key = (
            it["Namespace"],
            it["MetricName"],
            tuple(sorted((d["Name"], d["Value"]) for d in it["Dimensions"])),
        )
        period = int(it["Period"])
        n_eval = int(it["EvaluationPeriods"])
        m = int(it["DatapointsToAlarm"])
        thr = float(it["Threshold"])
        op = it["ComparisonOperator"]
        missing = it["TreatMissingData"]
        stat = it["Statistic"]
        opname = {
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "GreaterThanThreshold": "greater than",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]

        def breach(v: float) -> bool:
            return {
                "GreaterThanOrEqualToThreshold": v >= thr,
                "GreaterThanThreshold": v > thr,
                "LessThanThreshold": v < thr,
                "LessThanOrEqualToThreshold": v <= thr,
            }[op]

        def make_reason(
            new: str, present: list[tuple[datetime, float]], breaching: int, ok_votes: int
        ) -> str:
            if not present:
                how = {"notBreaching": "NonBreaching", "breaching": "Breaching"}.get(missing, "Missing")
                return (
                    f"Threshold Crossed: no datapoints were received for {n_eval} period{'s' if n_eval > 1 else ''} "
                    f"and {n_eval} missing datapoint{'s were' if n_eval > 1 else ' was'} treated as [{how}]."
                )
            listing = ", ".join(f"{v:.1f} ({b:%d/%m/%y %H:%M:%S})" for b, v in present)
            verb = "" if new == "ALARM" else "not "
            if n_eval == 1:
                return f"Threshold Crossed: 1 datapoint [{listing}] was {verb}{opname} the threshold ({thr})."
            k = breaching if new == "ALARM" else ok_votes
            need = m if new == "ALARM" else n_eval - m + 1
            arrow = "OK -> ALARM" if new == "ALARM" else "ALARM -> OK"
            return (
                f"Threshold Crossed: {k} out of the last {n_eval} datapoints [{listing}] were {verb}{opname} "
                f"the threshold ({thr}) (minimum {need} datapoint{'s' if need > 1 else ''} for {arrow} transition)."
            )

        state = a.start_state
        initial: str | None = None
        reason = ""
        reason_data: J = {}
        updated = since
        transitions: list[tuple[datetime, str, str, str, J]] = []
        # evaluate every minute; the newest bucket is the one that ended a minute or so before
        t = floor_min(eval_from) + timedelta(seconds=period * n_eval) + 2 * MIN
        while t <= now:
            newest_end = floor_min(t - timedelta(seconds=60))
            newest_end -= timedelta(seconds=(newest_end.minute * 60) % period)
            buckets = [newest_end - timedelta(seconds=period * (i + 1)) for i in range(n_eval)]
            vals = [self._bucket_value(key, b, period, stat) for b in buckets]
            present = [(b, v) for b, v in zip(buckets, vals, strict=True) if v is not None]
            breaching = 0
            ok_votes = 0
            for v in vals:
                if v is None:
                    if missing == "breaching":
                        breaching += 1
                    elif missing == "notBreaching":
                        ok_votes += 1
                elif breach(v):
                    breaching += 1
                else:
                    ok_votes += 1
            new = state
            if breaching >= m:
                new = "ALARM"
            elif ok_votes >= n_eval - m + 1:
                new = "OK"
            elif not present and missing == "missing":
                new = "INSUFFICIENT_DATA"
            if initial is None:
                initial = make_reason(state, present, breaching, ok_votes)
            if new != state:
                sub = random.Random(f"{self.name}:{it['AlarmName']}:{iso(t)}:{self.account}")
                eval_t = t + timedelta(seconds=sub.randrange(8, 50), milliseconds=sub.randrange(0, 999))
                reason = make_reason(new, present, breaching, ok_votes)
                reason_data = {
                    "version": "1.0",
                    "queryDate": iso_ms(eval_t),
                    "startDate": iso_ms(buckets[-1]),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v, 4) for _, v in reversed(present)],
                    "threshold": thr,
                    "evaluatedDatapoints": [
                        {"timestamp": iso_ms(b), "sampleCount": float(period // 60), "value": round(v, 4)}
                        for b, v in present
                    ],
                }
                transitions.append((eval_t, state, new, reason, reason_data))
                state = new
                updated = eval_t
            t += MIN
        if not commit:
            return transitions
        old_reason = initial or ""
        old_data: J = {}
        for eval_t, old, new, why, data in transitions:
            hist = {
                "version": "1.0",
                "oldState": {
                    "stateValue": old,
                    "stateReason": old_reason,
                    **({"stateReasonData": old_data} if old_data else {}),
                },
                "newState": {"stateValue": new, "stateReason": why, "stateReasonData": data},
            }
            self.history.append(
                {
                    "AlarmName": it["AlarmName"],
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(eval_t).replace("+0000", "Z"),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            acts = it["AlarmActions"] if new == "ALARM" else it["OKActions"] if new == "OK" else []
            for act in acts:
                at = eval_t + timedelta(milliseconds=self.rng.randrange(40, 400))
                self.history.append(
                    {
                        "AlarmName": it["AlarmName"],
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(at).replace("+0000", "Z"),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {act}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(eval_t),
                                "notificationResource": act,
                                "publishedMessage": json.dumps(
                                    {"MessageId": self.uuid()}, separators=(",", ":")
                                ),
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            old_reason, old_data = why, data
        it["StateValue"] = state
        if transitions:
            it["StateReason"] = transitions[-1][3]
            it["StateReasonData"] = json.dumps(transitions[-1][4], separators=(",", ":"))
            it["StateUpdatedTimestamp"] = iso(updated)
            it["StateTransitionedTimestamp"] = iso(updated)
        else:
            it["StateReason"] = initial or reason
            it["StateUpdatedTimestamp"] = iso(since)
            it["StateTransitionedTimestamp"] = iso(since)
        a.transitions = transitions
        return transitions

    def alarm_event(self, alarm_name: str) -> J:
        """The EventBridge event of `alarm_name`'s last change to ALARM."""
        a = next(x for x in self._alarms if x.item["AlarmName"] == alarm_name)
        trans = [tr for tr in a.transitions if tr[2] == "ALARM"]
        eval_t, old, new, why, data = trans[-1]
        it = a.item
        prev = [tr for tr in a.transitions if tr[0] < eval_t]
        prev_reason = prev[-1][3] if prev else it.get("StateReason", "")
        metric_id = "m1"
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(eval_t),
            "region": self.region,
            "resources": [it["AlarmArn"]],
            "detail": {
                "alarmName": it["AlarmName"],
                "state": {
                    "value": new,
                    "reason": why,
                    "reasonData": json.dumps(data, separators=(",", ":")),
                    "timestamp": iso_ms(eval_t),
                },
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev[-1][0]) if prev else iso_ms(a.since),
                },
                "configuration": {
                    **({"description": it["AlarmDescription"]} if "AlarmDescription" in it else {}),
                    "metrics": [
                        {
                            "id": metric_id,
                            "metricStat": {
                                "metric": {
                                    "namespace": it["Namespace"],
                                    "name": it["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in it["Dimensions"]},
                                },
                                "period": it["Period"],
                                "stat": it["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # bundle --------------------------------------------------------------------------------------

    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        question: str | None,
        alarm_event: J | None,
        timezone: str | None,
        truth: J,
    ) -> Bundle:
        trigger: J = {"question": question, "alarm_event": alarm_event}
        if timezone:
            trigger["timezone"] = timezone
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
        cut = ms(now)
        logs = sorted(
            (x for x in self.logs if x["timestamp"] <= cut),
            key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]),
        )
        nows = iso(now)
        last_point = iso(floor_min(now) - 2 * MIN)
        metrics = sorted(
            (m for m in self.metrics if m["timestamp"] <= last_point),
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            ),
        )
        trail = sorted(
            (r for r in self.trail if r["eventTime"] <= nows), key=lambda r: (r["eventTime"], r["eventID"])
        )
        history = sorted(
            (h for h in self.history if h["Timestamp"] <= iso_ms(now).replace("+0000", "Z")),
            key=lambda h: (h["AlarmName"], h["Timestamp"]),
        )
        records: dict[str, list[J]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, {k: v for k, v in records.items() if v})


# --- CloudTrail ---------------------------------------------------------------------------------

TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 ua/2.0 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)
CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"


def cli_ua(command: str) -> str:
    return f"aws-cli/2.15.38 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{command}"


@dataclass
class Principal:
    identity: J
    ua: str
    ip: str
    console: bool = False
    aws_service: bool = False
    tls: bool = True
    session_offset: int = 0  # minutes past the hour at which this principal's sessions start


def sso_user(ctx: Ctx, email: str, permission_set: str, *, ip: str, console: bool = False) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{ctx.hex(16)}"
    rid = ctx.key_id("AROA", 17)
    return Principal(
        identity={
            "type": "AssumedRole",
            "principalId": f"{rid}:{email}",
            "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{email}",
            "accountId": ctx.account,
            "accessKeyId": ctx.key_id("ASIA"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": ctx.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        },
        ua=CONSOLE_UA if console else cli_ua("unknown"),
        ip=ip,
        console=console,
        session_offset=ctx.rng.randrange(0, 59),
    )


def role_session(
    ctx: Ctx, role_name: str, session: str, *, ua: str, ip: str, path: str = "/", ec2: bool = False
) -> Principal:
    rid = ctx.key_id("AROA", 17)
    ident: J = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role_name}/{session}",
        "accountId": ctx.account,
        "accessKeyId": ctx.key_id("ASIA"),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{ctx.account}:role{path}{role_name}",
                "accountId": ctx.account,
                "userName": role_name,
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
    }
    if ec2:
        ident["sessionContext"]["ec2RoleDelivery"] = "2.0"
    return Principal(identity=ident, ua=ua, ip=ip, session_offset=ctx.rng.randrange(0, 59))


def service_principal(host: str) -> Principal:
    return Principal(identity={"type": "AWSService", "invokedBy": host}, ua=host, ip=host, aws_service=True)


def ct(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    *,
    params: J | None = None,
    response: J | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[J] | None = None,
    ua: str | None = None,
    region: str | None = None,
    session_start: datetime | None = None,
    event_version: str = "1.09",
    event_type: str = "AwsApiCall",
    extra: J | None = None,
) -> J:
    """A CloudTrail record as delivered to S3."""
    ident = json.loads(json.dumps(who.identity))
    if "sessionContext" in ident:
        if session_start is None:
            off = timedelta(minutes=who.session_offset, seconds=who.session_offset * 7 % 60)
            shifted = t - off
            session_start = shifted.replace(minute=0, second=0, microsecond=0) + off
        created = session_start
        ident["sessionContext"]["attributes"]["creationDate"] = iso(created)
    reg = region or ctx.region
    rec: J = {
        "eventVersion": event_version,
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": reg,
        "sourceIPAddress": who.ip,
        "userAgent": ua or who.ua,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = ctx.uuid()
    rec["eventID"] = ctx.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    if extra:
        rec.update(extra)
    rec["managementEvent"] = True
    rec["recipientAccountId"] = ctx.account
    if who.aws_service:
        rec["sharedEventID"] = ctx.uuid()
    rec["eventCategory"] = "Management"
    if who.tls and not who.aws_service:
        svc = source.replace(".amazonaws.com", "")
        host = "iam.amazonaws.com" if svc == "iam" else f"{svc}.{reg}.amazonaws.com"
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if who.console:
        rec["sessionCredentialFromConsole"] = "true"
    ctx.trail.append(rec)
    return rec


def iam_call(
    ctx: Ctx,
    t: datetime,
    who: Principal,
    name: str,
    params: J | None,
    *,
    read_only: bool = False,
    response: J | None = None,
    ua: str | None = None,
) -> J:
    """IAM is global: its records are delivered from us-east-1."""
    return ct(
        ctx,
        t,
        who,
        "iam.amazonaws.com",
        name,
        params=params,
        response=response,
        read_only=read_only,
        ua=ua,
        region="us-east-1",
    )


def background_trail(ctx: Ctx, start: datetime, now: datetime, n: int, humans: Sequence[Principal]) -> None:
    """Routine activity that every account has: monitoring integrations, AWS Config, people reading."""
    dd = role_session(
        ctx,
        "DatadogIntegrationRole",
        ctx.hex(16),
        ua="Datadog",
        ip=f"3.233.{ctx.rng.randrange(140, 160)}.{ctx.rng.randrange(2, 250)}",
    )
    config = role_session(
        ctx,
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        ua="config.amazonaws.com",
        ip="config.amazonaws.com",
        path="/aws-service-role/config.amazonaws.com/",
    )
    config.tls = False
    inspector = service_principal("inspector2.amazonaws.com")
    machine: list[tuple[Principal, str, str, Callable[[datetime], J | None]]] = [
        (
            dd,
            "monitoring.amazonaws.com",
            "GetMetricData",
            lambda t: {
                "startTime": iso(t - timedelta(minutes=10)),
                "endTime": iso(t),
                "scanBy": "TimestampDescending",
            },
        ),
        (
            dd,
            "tagging.amazonaws.com",
            "GetResources",
            lambda t: {"resourcesPerPage": 100, "resourceTypeFilters": []},
        ),
        (
            dd,
            "monitoring.amazonaws.com",
            "ListMetrics",
            lambda t: {
                "namespace": ctx.rng.choice(
                    ["AWS/Lambda", "AWS/EC2", "AWS/RDS", "AWS/SQS", "AWS/ApplicationELB"]
                )
            },
        ),
        (
            config,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            lambda t: {"maxResults": 1000, "securityGroupIdSet": {}, "securityGroupSet": {}},
        ),
        (
            config,
            "ec2.amazonaws.com",
            "DescribeNetworkInterfaces",
            lambda t: {"networkInterfaceIdSet": {}, "filterSet": {}},
        ),
        (config, "lambda.amazonaws.com", "ListFunctions20150331", lambda t: None),
        (
            inspector,
            "ec2.amazonaws.com",
            "DescribeInstances",
            lambda t: {"instancesSet": {}, "filterSet": {}},
        ),
    ]
    human_calls: list[tuple[str, str, J | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ecs.amazonaws.com", "ListClusters", None),
        ("cloudtrail.amazonaws.com", "LookupEvents", {"maxResults": 50}),
        ("health.amazonaws.com", "DescribeEventAggregates", {"aggregateField": "eventTypeCategory"}),
        ("ce.amazonaws.com", "GetCostAndUsage", {"granularity": "DAILY"}),
    ]
    span = (now - start).total_seconds()
    for _ in range(n):
        t = start + timedelta(seconds=ctx.rng.uniform(0, span))
        t = t.replace(microsecond=0)
        if humans and ctx.rng.random() < 0.3:
            who = ctx.rng.choice(list(humans))
            src, nm, prm = ctx.rng.choice(human_calls)
            ct(ctx, t, who, src, nm, params=prm, read_only=True)
        else:
            who, src, nm, fn = ctx.rng.choice(machine)
            ct(ctx, t, who, src, nm, params=fn(t), read_only=True)


# --- logs ---------------------------------------------------------------------------------------


def lambda_stream(ctx: Ctx, t: datetime, version: str = "$LATEST") -> str:
    return f"{t:%Y/%m/%d}/[{version}]{ctx.hex(32)}"


def lambda_invocation(
    ctx: Ctx,
    group: str,
    stream: str,
    t: datetime,
    *,
    duration_ms: float,
    memory: int,
    used: int,
    body: Iterable[tuple[float, str]] = (),
    init_ms: float | None = None,
    version: str = "$LATEST",
    request_id: str | None = None,
    status: str | None = None,
) -> str:
    """START / body / END / REPORT lines of one invocation; body lines are (offset ms, text with {rid})."""
    rid = request_id or ctx.uuid()
    if init_ms is not None:
        ctx.log(
            group,
            stream,
            t - timedelta(milliseconds=init_ms),
            f"INIT_START Runtime Version: python:3.12.v{ctx.rng.randrange(28, 40)}\tRuntime Version ARN: arn:aws:lambda:{ctx.region}::runtime:{ctx.hex(64)}",
        )
    ctx.log(group, stream, t, f"START RequestId: {rid} Version: {version}")
    for off, text in body:
        ctx.log(group, stream, t + timedelta(milliseconds=off), text.replace("{rid}", rid))
    end = t + timedelta(milliseconds=duration_ms)
    ctx.log(group, stream, end, f"END RequestId: {rid}")
    billed = math.ceil(duration_ms)
    rep = f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB"
    if init_ms is not None:
        rep += f"\tInit Duration: {init_ms:.2f} ms"
    if status:
        rep += f"\tStatus: {status}"
    ctx.log(group, stream, end + timedelta(milliseconds=1), rep + "\t")
    return rid


def py_ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


# --- common resources ---------------------------------------------------------------------------


def log_group(ctx: Ctx, name: str, created: datetime, retention: int | None = 30, stored: int = 0) -> J:
    item: J = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": ctx.arn("logs", f"log-group:{name}:*"),
        "storedBytes": stored or ctx.rng.randrange(10**6, 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": ctx.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    return ctx.res("logs", "LogGroup", item)


def trust(service: str) -> str:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return json.dumps(doc, separators=(",", ":"))


def iam_role(
    ctx: Ctx,
    name: str,
    service: str,
    created: datetime,
    last_used: datetime | None = None,
    description: str | None = None,
    tags: dict[str, str] | None = None,
) -> J:
    item: J = {
        "Path": "/",
        "RoleName": name,
        "RoleId": ctx.key_id("AROA", 17),
        "Arn": f"arn:aws:iam::{ctx.account}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": trust(service),
        "MaxSessionDuration": 3600,
    }
    if description:
        item["Description"] = description
    if tags:
        item["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": ctx.region}
    return ctx.res("iam", "Role", item)


def lambda_function(
    ctx: Ctx,
    name: str,
    *,
    role_arn: str,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str] | None = None,
    description: str = "",
    vpc: J | None = None,
    kms_key_arn: str | None = None,
    arch: str = "arm64",
) -> J:
    item: J = {
        "FunctionName": name,
        "FunctionArn": ctx.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "CodeSize": ctx.rng.randrange(40_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.rng.randrange(1000):03d}+0000",
        "CodeSha256": _b64(ctx, 32),
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": ctx.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [arch],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": f"arn:aws:lambda:{ctx.region}::runtime:{ctx.hex(64)}"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = vpc
    if kms_key_arn:
        item["KMSKeyArn"] = kms_key_arn
    return ctx.res("lambda", "FunctionConfiguration", item)


def _b64(ctx: Ctx, nbytes: int) -> str:
    import base64

    return base64.b64encode(bytes(ctx.rng.randrange(256) for _ in range(nbytes))).decode()


def b64(ctx: Ctx, nbytes: int) -> str:
    return _b64(ctx, nbytes)


def lambda_metrics(
    ctx: Ctx,
    name: str,
    points: Sequence[tuple[datetime, int]],
    rate: Callable[[datetime], float],
    *,
    duration: Callable[[datetime], float],
    errors: Callable[[datetime, int], int] | None = None,
    throttles: Callable[[datetime, int], int] | None = None,
    concurrency: Callable[[datetime, int, float], float] | None = None,
) -> dict[datetime, tuple[int, int, int]]:
    """AWS/Lambda per-function metrics. `rate(t)` = invocations a minute. Returns {t: (inv, err, thr)}."""
    dims = {"FunctionName": name}
    out: dict[datetime, tuple[int, int, int]] = {}
    for t, step in points:
        mins = step // 60
        inv = ctx.count(rate(t) * mins)
        thr = throttles(t, step) if throttles else 0
        err = min(inv, errors(t, step)) if errors else 0
        out[t] = (inv, err, thr)
        if inv > 0:
            ctx.put("AWS/Lambda", "Invocations", dims, t, "Count", inv)
            ctx.put("AWS/Lambda", "Errors", dims, t, "Count", err)
            d = duration(t)
            lo = d * ctx.rng.uniform(0.35, 0.7)
            hi = d * ctx.rng.uniform(1.6, 3.2)
            ctx.put("AWS/Lambda", "Duration", dims, t, "Milliseconds", stats=(inv, d * inv, lo, max(hi, d)))
            conc = (
                concurrency(t, step, d)
                if concurrency
                else max(1.0, inv / (step) * d / 1000.0 * ctx.rng.uniform(1.2, 2.0))
            )
            ctx.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                dims,
                t,
                "Count",
                stats=(mins, conc * mins * 0.8, max(1.0, conc * 0.5), max(1.0, math.ceil(conc))),
            )
        if inv > 0 or thr > 0:
            ctx.put("AWS/Lambda", "Throttles", dims, t, "Count", thr)
    return out


# --- network / ALB / ECS ------------------------------------------------------------------------


@dataclass
class Net:
    vpc: str
    cidr2: int
    subnets: list[str]
    azs: list[str]
    sg_alb: str
    sg_app: str


def network(ctx: Ctx) -> Net:
    azs = [f"{ctx.region}{x}" for x in ("a", "b", "c")]
    return Net(
        vpc=f"vpc-0{ctx.hex(16)}",
        cidr2=ctx.rng.choice([10, 20, 32, 40, 48, 64, 96]),
        subnets=[f"subnet-0{ctx.hex(16)}" for _ in azs],
        azs=azs,
        sg_alb=f"sg-0{ctx.hex(16)}",
        sg_app=f"sg-0{ctx.hex(16)}",
    )


def private_ip(ctx: Ctx, net: Net, az_index: int) -> str:
    return f"10.{net.cidr2}.{16 * az_index + ctx.rng.randrange(0, 15)}.{ctx.rng.randrange(4, 250)}"


def alb(ctx: Ctx, name: str, net: Net, created: datetime, *, scheme: str = "internet-facing") -> tuple[J, J]:
    """An ALB item and its metric dimension value (app/name/hex)."""
    suffix = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{suffix}")
    item: J = {
        "LoadBalancerArn": arn,
        "DNSName": f"{'internal-' if scheme == 'internal' else ''}{name}-{ctx.rng.randrange(10**8, 10**10)}.{ctx.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": ctx.key_id("Z", 13),
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": net.vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []}
            for az, sn in zip(net.azs, net.subnets, strict=True)
        ],
        "SecurityGroups": [net.sg_alb],
        "IpAddressType": "ipv4",
    }
    ctx.res("elbv2", "LoadBalancer", item)
    return item, {"LoadBalancer": f"app/{name}/{suffix}"}


def target_group(
    ctx: Ctx, name: str, net: Net, lb_arn: str, *, port: int, health_path: str, target_type: str = "ip"
) -> tuple[J, str]:
    suffix = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{suffix}")
    item: J = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": net.vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": health_path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    ctx.res("elbv2", "TargetGroup", item)
    return item, f"targetgroup/{name}/{suffix}"


def alb_metrics(
    ctx: Ctx,
    lb_dim: dict[str, str],
    tg_dim: str,
    points: Sequence[tuple[datetime, int]],
    rate: Callable[[datetime], float],
    *,
    target_5xx: Callable[[datetime, int, int], int],
    latency: Callable[[datetime], float],
    healthy: Callable[[datetime], int],
    unhealthy: Callable[[datetime], int] = lambda t: 0,
    elb_5xx: Callable[[datetime, int, int], int] = lambda t, s, n: 0,
    target_4xx_share: float = 0.02,
) -> None:
    """AWS/ApplicationELB metrics for one LB with one target group. Counts absent when zero."""
    both = {**lb_dim, "TargetGroup": tg_dim}
    for t, step in points:
        n = ctx.count(rate(t) * step / 60)
        e5 = min(n, target_5xx(t, step, n))
        eb5 = elb_5xx(t, step, n)
        e4 = ctx.count(n * target_4xx_share)
        ok = max(0, n - e5 - e4 - eb5)
        for dims in (lb_dim, both):
            if n:
                ctx.put("AWS/ApplicationELB", "RequestCount", dims, t, "Count", n)
            if ok:
                ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, "Count", ok)
            if e4:
                ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, "Count", e4)
            if e5:
                ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, "Count", e5)
            if n - eb5 > 0:
                lat = latency(t)
                ctx.put(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    dims,
                    t,
                    "Seconds",
                    stats=(
                        n - eb5,
                        lat * (n - eb5),
                        lat * ctx.rng.uniform(0.08, 0.3),
                        lat * ctx.rng.uniform(4, 12),
                    ),
                )
        if eb5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb_dim, t, "Count", eb5)
            ctx.put("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lb_dim, t, "Count", eb5)
        ctx.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            lb_dim,
            t,
            "Count",
            max(1, int(n * ctx.rng.uniform(0.25, 0.4))),
        )
        ctx.put("AWS/ApplicationELB", "HealthyHostCount", both, t, "Count", healthy(t))
        ctx.put("AWS/ApplicationELB", "UnHealthyHostCount", both, t, "Count", unhealthy(t))


def ecs_cluster(ctx: Ctx, name: str, services: int, tasks: int) -> J:
    return ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": ctx.arn("ecs", f"cluster/{name}"),
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )


def ecs_task(
    ctx: Ctx,
    cluster: str,
    service: str,
    taskdef_arn: str,
    net: Net,
    az_index: int,
    started: datetime,
    *,
    cpu: str = "1024",
    memory: str = "2048",
    image: str,
    container: str,
) -> J:
    task_id = ctx.hex(32)
    ip = private_ip(ctx, net, az_index)
    eni = f"eni-0{ctx.hex(16)}"
    item: J = {
        "attachments": [
            {
                "id": ctx.uuid(),
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": net.subnets[az_index]},
                    {"name": "networkInterfaceId", "value": eni},
                    {"name": "macAddress", "value": ":".join(ctx.hex(2) for _ in range(6))},
                    {
                        "name": "privateDnsName",
                        "value": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
                    },
                    {"name": "privateIPv4Address", "value": ip},
                ],
            }
        ],
        "availabilityZone": net.azs[az_index],
        "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
        "connectivity": "CONNECTED",
        "connectivityAt": iso(started - timedelta(seconds=40)),
        "containers": [
            {
                "containerArn": ctx.arn("ecs", f"container/{cluster}/{task_id}/{ctx.uuid()}"),
                "taskArn": ctx.arn("ecs", f"task/{cluster}/{task_id}"),
                "name": container,
                "image": image,
                "imageDigest": f"sha256:{ctx.hex(64)}",
                "runtimeId": f"{task_id}-{ctx.rng.randrange(10**9, 10**10)}",
                "lastStatus": "RUNNING",
                "networkBindings": [],
                "networkInterfaces": [{"attachmentId": ctx.uuid(), "privateIpv4Address": ip}],
                "healthStatus": "UNKNOWN",
                "cpu": "0",
            }
        ],
        "cpu": cpu,
        "createdAt": iso(started - timedelta(seconds=55)),
        "desiredStatus": "RUNNING",
        "enableExecuteCommand": False,
        "group": f"service:{service}",
        "healthStatus": "UNKNOWN",
        "lastStatus": "RUNNING",
        "launchType": "FARGATE",
        "memory": memory,
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "pullStartedAt": iso(started - timedelta(seconds=30)),
        "pullStoppedAt": iso(started - timedelta(seconds=12)),
        "startedAt": iso(started),
        "startedBy": f"ecs-svc/{ctx.rng.randrange(10**18, 10**19)}",
        "tags": [],
        "taskArn": ctx.arn("ecs", f"task/{cluster}/{task_id}"),
        "taskDefinitionArn": taskdef_arn,
        "version": 3,
        "ephemeralStorage": {"sizeInGiB": 20},
    }
    return ctx.res("ecs", "Task", item)


def task_ip(task: J) -> str:
    for d in task["attachments"][0]["details"]:
        if d["name"] == "privateIPv4Address":
            return str(d["value"])
    raise KeyError("privateIPv4Address")


def task_id(task: J) -> str:
    return str(task["taskArn"].rsplit("/", 1)[1])


def ec2_instance(
    ctx: Ctx,
    net: Net,
    az_index: int,
    *,
    instance_type: str,
    launched: datetime,
    name: str,
    asg: str | None,
    profile: str,
    image_id: str,
    sg: str,
) -> J:
    iid = f"i-0{ctx.hex(16)}"
    ip = private_ip(ctx, net, az_index)
    eni = f"eni-0{ctx.hex(16)}"
    tags = [{"Key": "Name", "Value": name}]
    if asg:
        tags.append({"Key": "aws:autoscaling:groupName", "Value": asg})
        tags.append({"Key": "aws:ec2launchtemplate:id", "Value": f"lt-0{ctx.hex(16)}"})
    item: J = {
        "AmiLaunchIndex": 0,
        "ImageId": image_id,
        "InstanceId": iid,
        "InstanceType": instance_type,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": net.azs[az_index], "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": net.subnets[az_index],
        "VpcId": net.vpc,
        "Architecture": "arm64" if instance_type[:2] in ("m7", "c7", "r7", "t4") else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": f"vol-0{ctx.hex(16)}",
                },
            }
        ],
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile/{profile}",
            "Id": ctx.key_id("AIPA", 17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": f"eni-attach-0{ctx.hex(16)}",
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": "app", "GroupId": sg}],
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": ctx.account,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{ctx.region}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": net.subnets[az_index],
                "VpcId": net.vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": "app", "GroupId": sg}],
        "SourceDestCheck": True,
        "Tags": tags,
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 2, "ThreadsPerCore": 1},
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
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi",
    }
    ctx.res("ec2", "Instance", item)
    ctx.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": net.azs[az_index],
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
            "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        },
    )
    return item
