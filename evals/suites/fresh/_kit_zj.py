# Incidents of kit zj, in the order written:
#   1. change: a Terraform apply changes a DynamoDB table's stream view type; the stream is replaced and a
#      Lambda event source mapping managed elsewhere keeps reading the old, disabled stream, so booking
#      notifications quietly stop while a new consumer on the new stream works.
#   2. component_failure: one of three RDS for PostgreSQL read replicas (behind Route 53 weighted records)
#      sits on degraded storage; read latency on that replica climbs and the API's p99 alarm fires.
#   3. limit: a sparse, provisioned GSI without auto scaling runs out of write capacity in the morning surge;
#      writes to the base table are throttled although the table itself has headroom.
#   4. no fault: the nightly batch fills an SQS queue and its age alarm fires as most nights; the consumers
#      drain it at their configured concurrency with no errors.
"""Private helpers for kit zj's fresh incidents: ids, noise series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """The timestamp format CloudWatch uses inside alarm reason data."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime, minutes: int = 1) -> datetime:
    t = t.replace(second=0, microsecond=0)
    return t - timedelta(minutes=t.minute % minutes)


class Kit:
    """Collects the records of one bundle, with a seeded random source."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
        self.metrics: list[Json] = []
        self.logs: list[Json] = []
        self.cloudtrail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self._series: dict[str, list[tuple[datetime, Json]]] = {}

    # --- ids ----------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randint(0, 3)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def upper_id(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def ip(self, prefix: str = "10.40") -> str:
        return f"{prefix}.{self.rng.randint(0, 63)}.{self.rng.randint(4, 250)}"

    def jitter(self, t: datetime, lo: float, hi: float) -> datetime:
        return t + timedelta(seconds=self.rng.uniform(lo, hi), microseconds=self.rng.randint(0, 999) * 1000)

    # --- metrics ------------------------------------------------------------------------------------

    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        start: datetime,
        end: datetime,
        *,
        fine_from: datetime,
        kind: str = "sum",
        fine_step: int = 60,
        digits: int = 3,
    ) -> None:
        """Datapoints from `start` to `end`: `fine_step`-second periods from `fine_from`, 5-minute before.

        `fn(t)` gives the per-minute value at t (a rate for `sum` kinds, a level for `avg`/`max` kinds), or
        None where AWS publishes nothing. A 5-minute `sum` datapoint carries the five minutes' total."""
        key = _series_key(namespace, metric, dims)
        points = self._series.setdefault(key, [])
        t = floor_min(start, 5)
        while t < end:
            step = fine_step if t >= fine_from else 300
            v = fn(t)
            if v is not None:
                if kind == "sum":
                    v = v * step / 60
                datum: Json = {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(v, digits),
                }
                self.metrics.append(datum)
                points.append((t, datum))
            t += timedelta(seconds=step)

    def dist_series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], tuple[list[float], list[float]] | None],
        start: datetime,
        end: datetime,
        *,
        fine_from: datetime,
    ) -> None:
        """A distribution series (values + counts) for metrics read as percentiles."""
        key = _series_key(namespace, metric, dims)
        points = self._series.setdefault(key, [])
        t = floor_min(start, 5)
        while t < end:
            step = 60 if t >= fine_from else 300
            got = fn(t)
            if got is not None:
                values, counts = got
                if step == 300:
                    counts = [c * 5 for c in counts]
                datum: Json = {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "values": [round(v, 4) for v in values],
                    "counts": [float(round(c)) for c in counts],
                }
                self.metrics.append(datum)
                points.append((t, datum))
            t += timedelta(seconds=step)

    def points(self, namespace: str, metric: str, dims: dict[str, str]) -> list[tuple[datetime, Json]]:
        return self._series.get(_series_key(namespace, metric, dims), [])

    # --- logs ---------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        t: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        lines: Sequence[str] = (),
        init_ms: float | None = None,
        request_id: str | None = None,
    ) -> str:
        rid = request_id or self.uuid()
        if init_ms is not None:
            self.log(
                group,
                stream,
                t - timedelta(milliseconds=init_ms + 5),
                "INIT_START Runtime Version: "
                "nodejs:20.v32\tRuntime Version ARN: arn:aws:lambda:"
                + self.region
                + "::runtime:"
                + _fixed_hex(group, 64),
            )
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
        step = duration_ms / (len(lines) + 1)
        for i, line in enumerate(lines):
            self.log(group, stream, t + timedelta(milliseconds=step * (i + 1)), line.replace("{rid}", rid))
        end = t + timedelta(milliseconds=duration_ms)
        self.log(group, stream, end, f"END RequestId: {rid}")
        billed = math.ceil(duration_ms)
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        self.log(group, stream, end + timedelta(milliseconds=1), report)
        return rid

    def lambda_stream(self, t: datetime) -> str:
        return f"{t:%Y/%m/%d}/[$LATEST]{self.hex(32)}"

    # --- resources & events -------------------------------------------------------------------------

    def resource(self, service: str, type_: str, item: Json) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # --- CloudTrail ---------------------------------------------------------------------------------

    def sso(self, user: str, permission_set: str) -> Principal:
        suffix = _fixed_hex(permission_set + self.account, 16)
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        rid = "AROA" + self.upper_id(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return Principal(
            self,
            {
                "type": "AssumedRole",
                "principalId": f"{rid}:{user}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
                "accountId": self.account,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": rid,
                        "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/"
                        f"{self.region}/{role}",
                        "accountId": self.account,
                        "userName": role,
                    },
                    "webIdFederationData": {},
                },
            },
            ip=f"{self.rng.choice(['81.134', '86.12', '213.205', '92.40'])}.{self.rng.randint(1, 254)}."
            f"{self.rng.randint(1, 254)}",
            agent_kind="human",
        )

    def role(self, role_name: str, session: str, *, ip: str, agent: str, path: str = "") -> Principal:
        rid = "AROA" + self.upper_id(17)
        return Principal(
            self,
            {
                "type": "AssumedRole",
                "principalId": f"{rid}:{session}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
                "accountId": self.account,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": rid,
                        "arn": f"arn:aws:iam::{self.account}:role/{path}{role_name}",
                        "accountId": self.account,
                        "userName": role_name,
                    },
                    "webIdFederationData": {},
                },
            },
            ip=ip,
            agent_kind="fixed",
            agent=agent,
        )

    def service_principal(self, service: str) -> Principal:
        return Principal(
            self,
            {"type": "AWSService", "invokedBy": service},
            ip=service,
            agent_kind="fixed",
            agent=service,
        )

    def routine_reads(
        self,
        principals: Sequence[Principal],
        calls: Sequence[tuple[str, str, Json | None]],
        start: datetime,
        end: datetime,
        n: int,
    ) -> None:
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))
            p = self.rng.choice(list(principals))
            source, name, params = self.rng.choice(list(calls))
            p.call(t, source, name, params, read_only=True)

    # --- alarms -------------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        *,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evaluation_periods: int,
        datapoints_to_alarm: int,
        threshold: float,
        comparison: str,
        treat_missing: str,
        start: datetime,
        now: datetime,
        description: str,
        topic_arn: str,
        unit: str | None = None,
        created: datetime | None = None,
        ok_actions: bool = True,
    ) -> AlarmResult:
        """A MetricAlarm evaluated over the recorded datapoints from start to now, with its history."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        points = self.points(namespace, metric, dims)
        state = "OK"
        reason = "Threshold Crossed: no datapoints were received"  # replaced at first evaluation
        reason_data: Json = {}
        changed_at = start - timedelta(days=self.rng.randint(3, 30), seconds=self.rng.randint(0, 86000))
        transitions: list[Transition] = []
        t = floor_min(start, max(1, period // 60)) + timedelta(seconds=period * evaluation_periods)
        first = True
        while t + timedelta(seconds=period) <= now:
            # evaluate the window of `evaluation_periods` periods ending at t
            window = [t - timedelta(seconds=period * (i + 1)) for i in range(evaluation_periods)]
            vals: list[tuple[datetime, float | None]] = []
            for w in window:
                vals.append((w, _aggregate(points, w, period, stat)))
            breaching = [v for _, v in vals if v is not None and _cmp(v, comparison, threshold)]
            present = [(w, v) for w, v in vals if v is not None]
            if not present and treat_missing == "ignore":
                new = state
            elif not present and treat_missing == "missing":
                new = "INSUFFICIENT_DATA"
            elif not present and treat_missing == "breaching":
                new = "ALARM"
            else:
                new = "ALARM" if len(breaching) >= datapoints_to_alarm else "OK"
            eval_time = self.jitter(t + timedelta(seconds=period), 15, 75)
            if first:
                # the state it has been in since before the bundle starts: its reason dates from then
                shift = floor_min(changed_at) - t
                eval_time = changed_at
                present = [(p + shift, v) for p, v in present]
                window = [p + shift for p in window]
            if new != state or first:
                rtext, rdata = _reason(
                    new,
                    present,
                    stat,
                    period,
                    threshold,
                    comparison,
                    datapoints_to_alarm,
                    evaluation_periods,
                    eval_time,
                    window[-1],
                    treat_missing,
                )
                if new != state:
                    transitions.append(Transition(eval_time, state, new, reason, reason_data, rtext, rdata))
                    changed_at = eval_time
                state, reason, reason_data = new, rtext, rdata
            first = False
            t += timedelta(seconds=period)
        for tr in transitions:
            if tr.at < start:
                continue
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(tr.at),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {tr.old} to {tr.new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": tr.old, "stateReason": tr.old_reason}
                            | ({"stateReasonData": tr.old_data} if tr.old_data else {}),
                            "newState": {
                                "stateValue": tr.new,
                                "stateReason": tr.new_reason,
                                "stateReasonData": tr.new_data,
                            },
                        }
                    ),
                }
            )
            if tr.new == "ALARM" or (tr.new == "OK" and ok_actions):
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(tr.at + timedelta(milliseconds=self.rng.randint(40, 400))),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {topic_arn}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(tr.at),
                                "notificationResource": topic_arn,
                                "publishedMessage": json.dumps({"AlarmName": name, "NewStateValue": tr.new}),
                            }
                        ),
                    }
                )
        created = created or start - timedelta(days=self.rng.randint(40, 400))
        item: Json = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created),
            "ActionsEnabled": True,
            "OKActions": [topic_arn] if ok_actions else [],
            "AlarmActions": [topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateReasonData": json.dumps(reason_data),
            "StateUpdatedTimestamp": iso_ms(changed_at),
            "StateTransitionedTimestamp": iso_ms(changed_at),
            "MetricName": metric,
            "Namespace": namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": datapoints_to_alarm,
            "Threshold": float(threshold),
            "ComparisonOperator": comparison,
            "TreatMissingData": treat_missing,
        }
        if stat.startswith("p"):
            item["ExtendedStatistic"] = stat
            item["EvaluateLowSampleCountPercentile"] = "evaluate"
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return AlarmResult(item, transitions, dims)

    def alarm_event(self, result: AlarmResult, transition: Transition) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for one transition."""
        item = result.item
        metric_stat: Json = {
            "metric": {"namespace": item["Namespace"], "name": item["MetricName"], "dimensions": result.dims},
            "period": item["Period"],
            "stat": item.get("ExtendedStatistic") or item["Statistic"],
        }
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(transition.at),
            "region": self.region,
            "resources": [item["AlarmArn"]],
            "detail": {
                "alarmName": item["AlarmName"],
                "state": {
                    "value": transition.new,
                    "reason": transition.new_reason,
                    "reasonData": json.dumps(transition.new_data),
                    "timestamp": cw_ts(transition.at),
                },
                "previousState": {
                    "value": transition.old,
                    "reason": transition.old_reason,
                    **({"reasonData": json.dumps(transition.old_data)} if transition.old_data else {}),
                    "timestamp": cw_ts(_previous_change(result, transition)),
                },
                "configuration": {
                    "description": item["AlarmDescription"],
                    "metrics": [
                        {
                            "id": _fixed_hex(item["AlarmName"], 8).join(["m", ""]),
                            "metricStat": metric_stat,
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    def records(self, extra: dict[str, list[Json]] | None = None) -> dict[str, list[Json]]:
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        out = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": sorted(self.logs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"])),
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "events": self.events,
        }
        out.update(extra or {})
        return {k: v for k, v in out.items() if v}


def _previous_change(result: AlarmResult, transition: Transition) -> datetime:
    earlier = [tr.at for tr in result.transitions if tr.at < transition.at]
    if earlier:
        return earlier[-1]
    return datetime.fromisoformat(result.item["AlarmConfigurationUpdatedTimestamp"].replace("Z", "+00:00"))


class Transition:
    def __init__(
        self,
        at: datetime,
        old: str,
        new: str,
        old_reason: str,
        old_data: Json,
        new_reason: str,
        new_data: Json,
    ) -> None:
        self.at, self.old, self.new = at, old, new
        self.old_reason, self.old_data = old_reason, old_data
        self.new_reason, self.new_data = new_reason, new_data


class AlarmResult:
    def __init__(self, item: Json, transitions: list[Transition], dims: dict[str, str]) -> None:
        self.item = item
        self.transitions = transitions
        self.dims = dims

    def first(self, new: str, after: datetime | None = None) -> Transition:
        for tr in self.transitions:
            if tr.new == new and (after is None or tr.at >= after):
                return tr
        raise LookupError(f"{self.item['AlarmName']} never went to {new}")


_OPS = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, th: v >= th),
    "GreaterThanThreshold": ("greater than", lambda v, th: v > th),
    "LessThanThreshold": ("less than", lambda v, th: v < th),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, th: v <= th),
}


def _cmp(v: float, op: str, th: float) -> bool:
    return bool(_OPS[op][1](v, th))


def _reason(
    state: str,
    present: Sequence[tuple[datetime, float | None]],
    stat: str,
    period: int,
    threshold: float,
    op: str,
    m: int,
    n: int,
    at: datetime,
    window_start: datetime,
    treat_missing: str = "missing",
) -> tuple[str, Json]:
    words = _OPS[op][0]
    if state == "OK" and not present and treat_missing == "notBreaching":
        text = (
            f"Threshold Crossed: no datapoints were received for {n} period{'s' if n > 1 else ''} and {n} missing "
            f"datapoint{'s were' if n > 1 else ' was'} treated as [NonBreaching]."
        )
    elif state == "INSUFFICIENT_DATA":
        text = f"Insufficient Data: {n} datapoint{'s were' if n > 1 else ' was'} unknown."
    else:
        shown = sorted(present, key=lambda p: p[0], reverse=True)
        if state == "OK":
            shown = shown[:1]
        else:
            shown = [p for p in shown if p[1] is not None and _cmp(p[1], op, threshold)][: max(m, 1)]
        dp = ", ".join(f"{_fmt(v)} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown if v is not None)
        k = len(shown)
        if state == "ALARM":
            if n == 1:
                text = f"Threshold Crossed: 1 datapoint [{dp}] was {words} the threshold ({_fmt(threshold)})."
            else:
                text = (
                    f"Threshold Crossed: {k} out of the last {n} datapoints [{dp}] were {words} the threshold "
                    f"({_fmt(threshold)}) (minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM "
                    "transition)."
                )
        elif n == 1:
            text = f"Threshold Crossed: 1 datapoint [{dp}] was not {words} the threshold ({_fmt(threshold)})."
        else:
            text = (
                f"Threshold Crossed: {k} out of the last {n} datapoints [{dp}] was not {words} the threshold "
                f"({_fmt(threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
            )
    data: Json = {
        "version": "1.0",
        "queryDate": cw_ts(at),
        "startDate": cw_ts(window_start),
        "period": period,
        "recentDatapoints": [round(v, 6) for _, v in sorted(present, key=lambda p: p[0]) if v is not None],
        "threshold": float(threshold),
        "evaluatedDatapoints": [
            {"timestamp": cw_ts(w), "value": round(v, 6)}
            for w, v in sorted(present, key=lambda p: p[0], reverse=True)
            if v is not None
        ],
    }
    data["statistic"] = stat
    return text, data


def _fmt(v: float) -> str:
    return repr(float(round(v, 6)))


def _aggregate(points: list[tuple[datetime, Json]], w: datetime, period: int, stat: str) -> float | None:
    end = w + timedelta(seconds=period)
    chosen = [d for t, d in points if w <= t < end]
    if not chosen:
        return None
    if stat.startswith("p"):
        q = float(stat[1:]) / 100
        pairs: list[tuple[float, float]] = []
        for d in chosen:
            if "values" in d:
                pairs.extend(zip(d["values"], d.get("counts") or [1.0] * len(d["values"]), strict=True))
            else:
                pairs.append((d["value"], 1.0))
        pairs.sort()
        total = sum(c for _, c in pairs)
        acc = 0.0
        for v, c in pairs:
            acc += c
            if acc >= q * total:
                return v
        return pairs[-1][0]
    vals = [d["value"] for d in chosen if "value" in d]
    if not vals:
        return None
    if stat == "Sum":
        return float(sum(vals))
    if stat == "Average":
        return float(sum(vals) / len(vals))
    if stat == "Maximum":
        return float(max(vals))
    if stat == "Minimum":
        return float(min(vals))
    if stat == "SampleCount":
        return float(len(vals))
    raise ValueError(stat)


def _series_key(namespace: str, metric: str, dims: dict[str, str]) -> str:
    return namespace + "|" + metric + "|" + json.dumps(sorted(dims.items()))


def _fixed_hex(text: str, n: int) -> str:
    """A stable hex string derived from text (for ids that must not change between calls)."""
    r = random.Random(text)
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


class Principal:
    """Someone or something calling AWS APIs; `call` adds a CloudTrail record in the delivered shape."""

    def __init__(self, kit: Kit, identity: Json, *, ip: str, agent_kind: str, agent: str = "") -> None:
        self.kit = kit
        self.identity = identity
        self.ip = ip
        self.agent_kind = agent_kind
        self.agent = agent
        self.key = "ASIA" + kit.upper_id(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    def call(
        self,
        t: datetime,
        source: str,
        name: str,
        params: Json | None,
        response: Json | None = None,
        *,
        read_only: bool,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
        console: bool = False,
        extra: Json | None = None,
    ) -> Json:
        kit = self.kit
        ident = json.loads(json.dumps(self.identity))
        if ident["type"] == "AssumedRole":
            ident["accessKeyId"] = self.key
            ident["sessionContext"]["attributes"] = {
                "creationDate": iso(t - timedelta(minutes=kit.rng.randint(3, 50))),
                "mfaAuthenticated": "false",
            }
        service_host = source.replace(".amazonaws.com", "")
        if agent is None:
            if self.agent_kind == "human":
                agent = "AWS Internal" if console else _cli_agent(kit, service_host, name)
            else:
                agent = self.agent
        rec: Json = {
            "eventVersion": "1.09" if ident["type"] != "AWSService" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": kit.region,
            "sourceIPAddress": self.ip,
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = (
            kit.uuid() if source != "s3.amazonaws.com" else kit.upper_id(16, "0123456789ABCDEF")
        )
        rec["eventID"] = kit.uuid()
        rec["readOnly"] = read_only
        if extra:
            rec.update(extra)
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = kit.account
        if ident["type"] != "AWSService":
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{service_host}.{kit.region}.amazonaws.com",
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        rec["eventCategory"] = "Management"
        kit.cloudtrail.append(rec)
        return rec


def _cli_agent(kit: Kit, service: str, name: str) -> str:
    cmd = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return (
        f"aws-cli/2.{kit.rng.choice(['15.30', '15.38', '17.4'])} Python/3.11.8 Darwin/23.4.0 exe/x86_64 "
        f"prompt/off command/{service}.{cmd}"
    )


def terraform_agent(api: str) -> str:
    return (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
        f"md/GOOS#linux md/GOARCH#amd64 api/{api}"
    )


# --- noise & shapes -------------------------------------------------------------------------------------


def diurnal(
    t: datetime, utc_offset_h: float, peak_h: float = 13.0, floor: float = 0.15, width: float = 4.5
) -> float:
    """A day-shaped multiplier in (floor, 1]: low at night, broad peak around `peak_h` local time."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    d = min(abs(h - peak_h), 24 - abs(h - peak_h))
    return floor + (1 - floor) * math.exp(-((d / width) ** 2))


def noise(rng: random.Random, v: float, rel: float = 0.08) -> float:
    return max(0.0, v * (1 + rng.gauss(0, rel)))


def latency_hist(
    rng: random.Random, median: float, spread: float, n: float, tail: float = 0.0, tail_at: float = 0.0
) -> tuple[list[float], list[float]]:
    """A small latency histogram (values, counts) of about n requests around `median`; a `tail` share sits
    near `tail_at`."""
    n = max(1.0, n)
    qs = [0.25, 0.5, 0.75, 0.9, 0.97, 0.995]
    shares = [0.25, 0.25, 0.25, 0.15, 0.07, 0.03]
    values = [median * math.exp(spread * _z(q)) * (1 + rng.gauss(0, 0.04)) for q in qs]
    counts = [max(1.0, n * s * (1 - tail)) for s in shares]
    if tail > 0:
        values += [
            tail_at * 0.8 * (1 + rng.gauss(0, 0.05)),
            tail_at * (1 + rng.gauss(0, 0.05)),
            tail_at * 1.3 * (1 + rng.gauss(0, 0.05)),
        ]
        counts += [max(1.0, n * tail * 0.4), max(1.0, n * tail * 0.4), max(1.0, n * tail * 0.2)]
    return [max(v, 0.0001) for v in values], counts


def _z(q: float) -> float:
    # inverse normal CDF, good enough for a handful of quantiles
    a = [2.50662823884, -18.61500062529, 41.39119773534, -25.44106049637]
    b = [-8.47351093090, 23.08336743743, -21.06224101826, 3.13082909833]
    y = q - 0.5
    if abs(y) < 0.42:
        r = y * y
        return (
            y
            * (((a[3] * r + a[2]) * r + a[1]) * r + a[0])
            / ((((b[3] * r + b[2]) * r + b[1]) * r + b[0]) * r + 1)
        )
    r = q if y < 0 else 1 - q
    s = math.log(-math.log(r))
    c = [
        0.3374754822726147,
        0.9761690190917186,
        0.1607979714918209,
        0.0276438810333863,
        0.0038405729373609,
        0.0003951896511919,
        0.0000321767881768,
        0.0000002888167364,
        0.0000003960315187,
    ]
    x = c[0] + s * (
        c[1] + s * (c[2] + s * (c[3] + s * (c[4] + s * (c[5] + s * (c[6] + s * (c[7] + s * c[8]))))))
    )
    return -x if y < 0 else x


def pick_day(rng: random.Random, weekdays: Sequence[int], year_from: int = 2024) -> datetime:
    """A date (midnight UTC) on one of `weekdays` (Mon=0) in 2024-2025."""
    base = datetime(year_from, 1, 8, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randint(0, 640))
        if d.weekday() in weekdays:
            return d


def around(rng: random.Random, v: float, rel: float = 0.08) -> Callable[[datetime], float]:
    """A series function: `v` with relative gaussian noise."""
    return lambda t: noise(rng, v, rel)


def const(v: float) -> Callable[[datetime], float]:
    return lambda t: v
