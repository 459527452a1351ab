"""Author C's private helpers: ids, noisy series, CloudTrail records, alarm evaluation, log lines.

Everything random comes from the `Kit`'s own `random.Random`, seeded by the incident's name and seed.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
Json = dict[str, Any]

# CLI / SDK user agents as CloudTrail records them.
UA_CLI = (
    "aws-cli/2.15.{p} md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}"
)
UA_TF = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)
UA_CONSOLE = "AWS Internal"
UA_BOTO = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"
UA_JAVA = "aws-sdk-java/2.25.28 Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy"
UA_NODE = "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.214-224.855.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/{api}#3.556.0"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's alarm timestamps: 2024-05-01T14:03:12.345+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_to(t: datetime, seconds: int) -> datetime:
    epoch = int(t.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


@dataclass
class Principal:
    """Who made a CloudTrail call: the userIdentity plus where and how they called from."""

    identity: Json
    ip: str
    agent: str
    console: bool = False
    vpce: str | None = None


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison: str
    datapoints_to_alarm: int | None = None
    treat_missing: str = "missing"
    description: str = ""
    unit: str | None = None
    actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    configured: datetime | None = None


@dataclass
class Transition:
    time: datetime
    old: str
    new: str
    reason: str
    reason_data: str


_OPS = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}


def _fmt_num(v: float) -> str:
    return repr(float(v))


class Kit:
    def __init__(self, name: str, seed: int, account: str | None = None, region: str | None = None) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = account or str(self.rng.randint(100000000000, 999999999999))
        self.region = region or "us-east-1"
        self.metrics: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.logs: list[Json] = []
        self.trail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self.initial: dict[str, Transition] = {}
        self._series: dict[
            tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[datetime, float, int]]
        ] = {}

    # --- ids -------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(UPPER) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        variant = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def iid(self) -> str:
        return "i-0" + self.hex(16)

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    def private_ip(self, prefix: str) -> str:
        return f"{prefix}.{self.rng.randint(1, 254)}"

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 35, 44, 52, 54, 98, 100])
        return f"{first}.{self.rng.randint(1, 254)}.{self.rng.randint(0, 254)}.{self.rng.randint(1, 254)}"

    def jitter(self, t: datetime, seconds: float) -> datetime:
        return t + timedelta(
            seconds=self.rng.uniform(0, seconds), microseconds=self.rng.randint(0, 999) * 1000
        )

    # --- principals ------------------------------------------------------------------------------

    def sso_user(
        self, email: str, permission_set: str, *, console: bool = True, creation: datetime
    ) -> Principal:
        suffix = self.hex(16)
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        role_id = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{email}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{email}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(creation), "mfaAuthenticated": "false"},
            },
        }
        agent = UA_CONSOLE if console else UA_CLI.format(p=self.rng.randint(20, 40), cmd="{cmd}")
        return Principal(ident, self.public_ip(), agent, console=console)

    def role_session(
        self, role: str, session: str, agent: str, ip: str, *, creation: datetime, path: str = "/"
    ) -> Principal:
        role_id = "AROA" + self.upper(17)
        ident = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(creation), "mfaAuthenticated": "false"},
            },
        }
        return Principal(ident, ip, agent)

    def service_role(self, role: str, session: str, host: str, *, creation: datetime) -> Principal:
        """A service-linked role used by an AWS service on our behalf (invokedBy the service)."""
        p = self.role_session(role, session, host, host, creation=creation, path=f"/aws-service-role/{host}/")
        p.identity["invokedBy"] = host
        return p

    # --- cloudtrail ------------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        request: Json | None = None,
        response: Json | None = None,
        *,
        read_only: bool = False,
        resources: list[Json] | None = None,
        error: tuple[str, str] | None = None,
        agent: str | None = None,
        version: str = "1.09",
    ) -> Json:
        host = source.replace(".amazonaws.com", "")
        rec: Json = {
            "eventVersion": version,
            "userIdentity": who.identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": agent or who.agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec.update(
            {
                "requestParameters": request,
                "responseElements": response,
                "requestID": self.uuid(),
                "eventID": self.uuid(),
                "readOnly": read_only,
            }
        )
        if resources:
            rec["resources"] = resources
        rec.update(
            {
                "eventType": "AwsApiCall",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
            }
        )
        if who.vpce:
            rec["vpcEndpointId"] = who.vpce
            rec["vpcEndpointAccountId"] = self.account
        if "invokedBy" not in who.identity:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{host}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        self.trail.append(rec)
        return rec

    # --- metrics ---------------------------------------------------------------------------------

    def put(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
        *,
        samples: int = 1,
        spread: tuple[float, float] | None = None,
    ) -> None:
        """One datapoint. With `samples` > 1 it is a statistic set whose average is `value`
        (Sum = value * samples) and whose Minimum/Maximum are `spread`."""
        key = (namespace, metric, tuple(sorted(dims.items())))
        self._series.setdefault(key, []).append((t, value, samples))
        row: Json = {
            "namespace": namespace,
            "metric": metric,
            "dimensions": dims,
            "timestamp": iso(t),
            "unit": unit,
        }
        if samples > 1:
            lo, hi = spread if spread else (value, value)
            row["statistic_values"] = {
                "SampleCount": float(samples),
                "Sum": round(value * samples, 4),
                "Minimum": round(min(lo, value), 4),
                "Maximum": round(max(hi, value), 4),
            }
        else:
            row["value"] = round(value, 4)
        self.metrics.append(row)

    def put_dist(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        values: Sequence[float],
        counts: Sequence[float],
        unit: str,
    ) -> None:
        """A distribution datapoint (values + counts) so percentiles can be computed."""
        pairs = [(round(v, 4), c) for v, c in zip(values, counts, strict=True) if c > 0]
        if not pairs:
            return
        n = sum(c for _, c in pairs)
        avg = sum(v * c for v, c in pairs) / n
        key = (namespace, metric, tuple(sorted(dims.items())))
        self._series.setdefault(key, []).append((t, avg, int(n)))
        self.metrics.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [v for v, _ in pairs],
                "counts": [float(c) for _, c in pairs],
            }
        )

    def latency_dist(self, median: float, tail: float, n: int) -> tuple[list[float], list[float]]:
        """A request-latency histogram of `n` requests: lognormal-ish body around `median`, `tail` at p99."""
        if n <= 0:
            return [], []
        qs = [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 0.99]
        sigma = max(0.05, math.log(max(tail, median * 1.01) / median) / 2.326)
        vals = [median * math.exp(sigma * _probit(q)) * self.rng.uniform(0.95, 1.05) for q in qs]
        weights = [0.2, 0.2, 0.2, 0.175, 0.125, 0.07, 0.03]
        counts = [max(0, round(n * w)) for w in weights]
        counts[2] += n - sum(counts)
        return vals, [float(c) for c in counts]

    def timeline(
        self, start: datetime, end: datetime, fine_from: datetime, fine: int = 60, coarse: int = 300
    ) -> list[tuple[datetime, int]]:
        """Datapoint times: `coarse`-second steps before `fine_from`, `fine`-second steps after."""
        out: list[tuple[datetime, int]] = []
        t = floor_to(start, coarse)
        while t < fine_from and t <= end:
            out.append((t, coarse))
            t += timedelta(seconds=coarse)
        t = max(t, floor_to(fine_from, fine))
        while t <= end:
            out.append((t, fine))
            t += timedelta(seconds=fine)
        return out

    def noise(self, value: float, rel: float) -> float:
        return max(0.0, value * (1 + self.rng.gauss(0, rel)))

    # --- logs, resources, events -----------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: Json) -> Json:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # --- alarms ----------------------------------------------------------------------------------

    def _periods(self, spec: AlarmSpec) -> dict[datetime, float]:
        key = (spec.namespace, spec.metric, tuple(sorted(spec.dimensions.items())))
        buckets: dict[datetime, list[tuple[float, int]]] = {}
        for t, v, n in self._series.get(key, []):
            buckets.setdefault(floor_to(t, spec.period), []).append((v, n))
        out: dict[datetime, float] = {}
        for b, pts in buckets.items():
            if spec.statistic == "Sum":
                out[b] = sum(v * n for v, n in pts)
            elif spec.statistic == "Average":
                out[b] = sum(v * n for v, n in pts) / sum(n for _, n in pts)
            elif spec.statistic == "Maximum":
                out[b] = max(v for v, _ in pts)
            elif spec.statistic == "Minimum":
                out[b] = min(v for v, _ in pts)
            else:
                out[b] = float(sum(n for _, n in pts))
        return out

    def alarm(
        self,
        spec: AlarmSpec,
        eval_from: datetime,
        now: datetime,
        *,
        overrides: list[tuple[datetime, AlarmSpec]] | None = None,
    ) -> list[Transition]:
        """Evaluate `spec` every period from `eval_from` to `now` against the datapoints put so far;
        record the MetricAlarm (its state at `now`) and a StateUpdate history item per transition.
        `overrides`: configuration changes (PutMetricAlarm) taking effect at a time."""
        word, test = _OPS[spec.comparison]
        m = spec.datapoints_to_alarm or spec.evaluation_periods
        n = spec.evaluation_periods
        state: str | None = None
        reason = "Unchecked: Initial alarm creation"
        reason_data = ""
        changed = eval_from
        transitions: list[Transition] = []
        cur = spec
        pending = sorted(overrides or [], key=lambda o: o[0])
        b = floor_to(eval_from, spec.period)
        lag = self.rng.uniform(40, 75)
        while True:
            t_eval = b + timedelta(seconds=cur.period + lag, milliseconds=self.rng.randint(0, 999))
            if t_eval > now:
                break
            while pending and pending[0][0] <= t_eval:
                cur = pending.pop(0)[1]
                word, test = _OPS[cur.comparison]
                m = cur.datapoints_to_alarm or cur.evaluation_periods
                n = cur.evaluation_periods
            values = self._periods(cur)
            window = [b - timedelta(seconds=cur.period * i) for i in range(n)]  # newest first
            got = [(w, values.get(w)) for w in window]
            present = [(w, v) for w, v in got if v is not None]
            missing = n - len(present)
            breaching = sum(1 for _, v in present if test(v, cur.threshold))
            if cur.treat_missing == "breaching":
                breaching += missing
            if not present and cur.treat_missing == "missing":
                new = "INSUFFICIENT_DATA"
            elif not present and cur.treat_missing == "ignore":
                new = state or "INSUFFICIENT_DATA"
            elif breaching >= m:
                new = "ALARM"
            else:
                new = "OK"
            if new != state:
                old = state
                shown_old = old or ("ALARM" if new == "OK" else "OK")
                # the state an alarm already held when the window opens was reached earlier:
                # its reason quotes datapoints of that time
                shift = (
                    timedelta(0)
                    if old is not None
                    else timedelta(
                        seconds=cur.period * self.rng.randint(72000 // cur.period, 1440000 // cur.period)
                    )
                )
                at = t_eval - shift
                shown = [(w - shift, v) for w, v in present]
                if new == "INSUFFICIENT_DATA":
                    reason = f"Insufficient Data: {n} datapoint{'s were' if n > 1 else ' was'} unknown."
                elif not present:
                    treated = "Breaching" if cur.treat_missing == "breaching" else "NonBreaching"
                    reason = (
                        f"Threshold Crossed: no datapoints were received for {n} period{'s' if n > 1 else ''} "
                        f"and {n} missing datapoint{'s were' if n > 1 else ' was'} treated as [{treated}]."
                    )
                else:
                    ok = new == "OK"
                    k = len(present) - breaching if ok else breaching
                    k = max(k, 0)
                    pts = ", ".join(f"{_fmt_num(round(v, 4))} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
                    verb = "was" if k == 1 else "were"
                    need = (n - m + 1) if ok else m
                    reason = (
                        f"Threshold Crossed: {k} out of the last {n} datapoints [{pts}] {verb} "
                        f"{'not ' if ok else ''}{word} the threshold ({_fmt_num(cur.threshold)}) "
                        f"(minimum {need} datapoint{'s' if need > 1 else ''} for {shown_old} -> {new} transition)."
                    )
                data: Json = {"version": "1.0", "queryDate": iso_ms(at)}
                if shown:
                    data.update(
                        {
                            "startDate": iso_ms(window[-1] - shift),
                            "statistic": cur.statistic,
                            "period": cur.period,
                            "recentDatapoints": [round(v, 4) for _, v in reversed(shown)],
                            "threshold": cur.threshold,
                            "evaluatedDatapoints": [
                                {"timestamp": iso_ms(w), "value": round(v, 4)} for w, v in shown
                            ],
                        }
                    )
                reason_data = json.dumps(data, separators=(",", ":"))
                if old is not None:
                    transitions.append(Transition(t_eval, old, new, reason, reason_data))
                else:
                    self.initial[cur.name] = Transition(at, shown_old, new, reason, reason_data)
                changed = at
                state = new
            b += timedelta(seconds=cur.period)
        prev: Transition | None = self.initial.get(cur.name)
        for tr in transitions:
            old_reason = prev.reason if prev else "Unchecked: Initial alarm creation"
            old_data = prev.reason_data if prev else ""
            hist: Json = {
                "version": "1.0",
                "oldState": {"stateValue": tr.old, "stateReason": old_reason},
                "newState": {"stateValue": tr.new, "stateReason": tr.reason},
            }
            if old_data:
                hist["oldState"]["stateReasonData"] = json.loads(old_data)
            hist["newState"]["stateReasonData"] = json.loads(tr.reason_data)
            self.history.append(
                {
                    "AlarmName": cur.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso_ms(tr.time),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {tr.old} to {tr.new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            prev = tr
        item: Json = {
            "AlarmName": cur.name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{cur.name}"),
            "AlarmDescription": cur.description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(cur.configured or (eval_from - timedelta(days=41))),
            "ActionsEnabled": True,
            "OKActions": cur.ok_actions,
            "AlarmActions": cur.actions,
            "InsufficientDataActions": [],
            "StateValue": state or "INSUFFICIENT_DATA",
            "StateReason": reason,
            "StateReasonData": reason_data,
            "StateUpdatedTimestamp": iso_ms(changed),
            "MetricName": cur.metric,
            "Namespace": cur.namespace,
            "Statistic": cur.statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in cur.dimensions.items()],
            "Period": cur.period,
            "EvaluationPeriods": cur.evaluation_periods,
            "DatapointsToAlarm": m,
            "Threshold": cur.threshold,
            "ComparisonOperator": cur.comparison,
            "TreatMissingData": cur.treat_missing,
            "StateTransitionedTimestamp": iso_ms(changed),
        }
        if not item["AlarmDescription"]:
            del item["AlarmDescription"]
        if cur.unit:
            item["Unit"] = cur.unit
        self.alarms.append(item)
        return transitions

    def alarm_event(self, spec: AlarmSpec, tr: Transition, previous: Transition | None = None) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for transition `tr`."""
        if previous is None:
            previous = self.initial.get(spec.name)
        prev_reason = previous.reason if previous else "Unchecked: Initial alarm creation"
        prev_data = previous.reason_data if previous else ""
        prev_time = previous.time if previous else tr.time - timedelta(days=3)
        prev_state: Json = {"value": tr.old, "reason": prev_reason, "timestamp": iso_ms(prev_time)}
        if prev_data:
            prev_state["reasonData"] = prev_data
        config: Json = {
            "metrics": [
                {
                    "id": self.uuid(),
                    "metricStat": {
                        "metric": {
                            "namespace": spec.namespace,
                            "name": spec.metric,
                            "dimensions": spec.dimensions,
                        },
                        "period": spec.period,
                        "stat": spec.statistic,
                    },
                    "returnData": True,
                }
            ]
        }
        if spec.description:
            config["description"] = spec.description
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(tr.time),
            "region": self.region,
            "resources": [self.arn("cloudwatch", f"alarm:{spec.name}")],
            "detail": {
                "alarmName": spec.name,
                "state": {
                    "value": tr.new,
                    "reason": tr.reason,
                    "reasonData": tr.reason_data,
                    "timestamp": iso_ms(tr.time),
                },
                "previousState": prev_state,
                "configuration": config,
            },
        }

    # --- assembling ------------------------------------------------------------------------------

    def bundle(self, manifest: Json, now: datetime) -> Bundle:
        """The bundle, with everything after `now` dropped and each kind in time order."""
        cut = ms(now)
        metrics = [m for m in self.metrics if m["timestamp"] <= iso(now)]
        metrics.sort(key=lambda m: (m["timestamp"], m["namespace"], m["metric"], json.dumps(m["dimensions"])))
        logs = [e for e in self.logs if e["timestamp"] <= cut]
        logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        trail = [r for r in self.trail if r["eventTime"] <= iso(now)]
        trail.sort(key=lambda r: r["eventTime"])
        history = sorted(self.history, key=lambda h: h["Timestamp"])
        events = sorted(self.events, key=_event_time)
        manifest = {
            "format": "sleuth-bundle/1",
            "account_id": self.account,
            "region": self.region,
            **manifest,
        }
        return Bundle(
            Manifest.model_validate(manifest),
            {
                "metrics": metrics,
                "alarms": self.alarms,
                "alarm_history": history,
                "logs": logs,
                "cloudtrail": trail,
                "resources": self.resources,
                "events": events,
            },
        )


def _event_time(e: Json) -> str:
    item = e["item"]
    for key in ("Date", "StartTime", "timestamp", "createdAt"):
        if key in item:
            return str(item[key])
    if "event" in item:
        ev = item["event"]
        return str(ev.get("createdAt") or ev.get("startTime") or "")
    return ""


def _probit(q: float) -> float:
    # Acklam-style rational approximation, good enough for shaping histograms.
    a = [
        -39.6968302866538,
        220.946098424521,
        -275.928510446969,
        138.357751867269,
        -30.6647980661472,
        2.50662827745924,
    ]
    b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857]
    c = [
        -0.00778489400243029,
        -0.322396458041136,
        -2.40075827716184,
        -2.54973253934373,
        4.37466414146497,
        2.93816398269878,
    ]
    d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742]
    if q < 0.02425:
        r = math.sqrt(-2 * math.log(q))
        return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / (
            (((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1
        )
    if q > 1 - 0.02425:
        return -_probit(1 - q)
    r = q - 0.5
    s = r * r
    return (
        (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5])
        * r
        / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)
    )


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.35) -> float:
    """A daily traffic factor in [low, 1]: quiet around 04:00 local, busiest mid-afternoon."""
    hour = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = (1 - math.cos(2 * math.pi * (hour - 4) / 24)) / 2
    return low + (1 - low) * x


def spread_times(kit: Kit, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=kit.rng.uniform(0, span)) for _ in range(n))


def routine_reads(
    kit: Kit, start: datetime, end: datetime, calls: Iterable[tuple[Principal, str, str, Json | None]], n: int
) -> None:
    """`n` read-only calls spread over [start, end], cycling through (who, source, name, params)."""
    options = list(calls)
    for t in spread_times(kit, start, end, n):
        who, source, name, params = kit.rng.choice(options)
        kit.ct(t, who, source, name, params, None, read_only=True)


def kms_decrypts(kit: Kit, who: Principal, key_arn: str, context: Json, times: Iterable[datetime]) -> None:
    for t in times:
        kit.ct(
            t,
            who,
            "kms.amazonaws.com",
            "Decrypt",
            {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": context},
            None,
            read_only=True,
            resources=[{"accountId": kit.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
        )


def curve(t: datetime, points: Sequence[tuple[datetime, float]]) -> float:
    """Piecewise-linear interpolation through (time, value) points; flat outside them."""
    if t <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        if t <= t1:
            f = (t - t0).total_seconds() / max(1.0, (t1 - t0).total_seconds())
            return v0 + (v1 - v0) * f
    return points[-1][1]


def lambda_stream(kit: Kit, day: datetime) -> str:
    return f"{day:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"


def lambda_invocation(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory_mb: int,
    used_mb: int,
    lines: Sequence[tuple[str, str]] = (),
    init_ms: float | None = None,
) -> str:
    """START / app lines / END / REPORT of one invocation, as the Lambda runtime prints them."""
    rid = kit.uuid()
    kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
    step = duration_ms / (len(lines) + 1)
    for i, (level, text) in enumerate(lines, 1):
        at = t + timedelta(milliseconds=step * i)
        kit.log(
            group,
            stream,
            at,
            f"{at.strftime('%Y-%m-%dT%H:%M:%S.')}{at.microsecond // 1000:03d}Z\t{rid}\t{level}\t{text}",
        )
    end = t + timedelta(milliseconds=duration_ms)
    kit.log(group, stream, end, f"END RequestId: {rid}")
    report = (
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {math.ceil(duration_ms)} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    kit.log(group, stream, end, report)
    return rid


def lambda_config(
    kit: Kit,
    name: str,
    runtime: str,
    handler: str,
    role_arn: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str],
    *,
    subnets: list[str] | None = None,
    sgs: list[str] | None = None,
    vpc: str | None = None,
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": kit.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "CodeSize": kit.rng.randint(400_000, 9_000_000),
        "Description": "",
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": "".join(kit.rng.choice(UPPER + "abcdefghijklmnopqrstuvwxyz+/") for _ in range(43))
        + "=",
        "Version": "$LATEST",
        "Environment": {"Variables": env},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": kit.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if subnets and vpc:
        item["VpcConfig"] = {"SubnetIds": subnets, "SecurityGroupIds": sgs or [], "VpcId": vpc}
    return item


def log_group(kit: Kit, name: str, created: datetime, retention: int | None = 30) -> Json:
    item: Json = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": kit.arn("logs", f"log-group:{name}:*"),
        "storedBytes": kit.rng.randint(10**7, 10**10),
        "logGroupClass": "STANDARD",
        "logGroupArn": kit.arn("logs", f"log-group:{name}"),
    }
    if retention:
        item["retentionInDays"] = retention
    return kit.res("logs", "LogGroup", item)


def iam_role(kit: Kit, name: str, created: datetime, service: str, path: str = "/") -> Json:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return kit.res(
        "iam",
        "Role",
        {
            "Path": path,
            "RoleName": name,
            "RoleId": "AROA" + kit.upper(17),
            "Arn": f"arn:aws:iam::{kit.account}:role{path}{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(doc),
            "MaxSessionDuration": 3600,
        },
    )


REGIONS: list[tuple[str, float, str]] = [
    ("us-east-1", -5, "America/New_York"),
    ("us-west-2", -8, "America/Los_Angeles"),
    ("eu-west-1", 0, "Europe/Dublin"),
    ("eu-central-1", 1, "Europe/Berlin"),
    ("us-east-2", -6, "America/Chicago"),
]


def pick_day(kit: Kit) -> datetime:
    """A weekday in 2024 at 00:00 UTC."""
    while True:
        d = datetime(2024, 2, 1, tzinfo=UTC) + timedelta(days=kit.rng.randint(0, 280))
        if d.weekday() < 5:
            return d


def ct_date(t: datetime) -> str:
    """How CloudTrail renders some services' timestamps in responseElements: "Mar 5, 2024, 2:14:33 PM"."""
    t = t.astimezone(UTC)
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


@dataclass
class Net:
    vpc: str
    cidr16: str  # "10.42"
    subnets: list[tuple[str, str]]  # (subnet id, az), private app subnets


def network(kit: Kit, name: str, created: datetime) -> Net:
    """A VPC with three private subnets, as DescribeVpcs / DescribeSubnets return them."""
    second = kit.rng.randint(16, 120)
    cidr16 = f"10.{second}"
    vpc = kit.rid("vpc")
    kit.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": f"{cidr16}.0.0/16",
            "DhcpOptionsId": kit.rid("dopt"),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": kit.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": tags({"Name": name}),
        },
    )
    subnets = []
    for i, az in enumerate("abc"):
        sid = kit.rid("subnet")
        zone = f"{kit.region}{az}"
        subnets.append((sid, zone))
        kit.res(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": zone,
                "AvailableIpAddressCount": kit.rng.randint(3800, 4050),
                "CidrBlock": f"{cidr16}.{16 * (i + 1)}.0/20",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc,
                "OwnerId": kit.account,
                "SubnetArn": kit.arn("ec2", f"subnet/{sid}"),
                "Tags": tags({"Name": f"{name}-private-{zone}"}),
            },
        )
    return Net(vpc, cidr16, subnets)


def security_group(kit: Kit, net: Net, name: str, desc: str, port: int, source_sg: str | None) -> str:
    sg = kit.rid("sg")
    perm: Json = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if source_sg:
        perm["UserIdGroupPairs"] = [{"GroupId": source_sg, "UserId": kit.account}]
        perm["IpRanges"] = []
    else:
        perm["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]
    kit.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg,
            "GroupName": name,
            "Description": desc,
            "VpcId": net.vpc,
            "OwnerId": kit.account,
            "IpPermissions": [perm],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": tags({"Name": name}),
        },
    )
    return sg


def alb(kit: Kit, net: Net, name: str, sg: str, created: datetime, internal: bool = False) -> tuple[str, str]:
    """An application load balancer; returns (arn, the `app/name/hex` CloudWatch dimension)."""
    h = kit.hex(16)
    arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{h}")
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{'internal-' if internal else ''}{name}-{kit.rng.randint(10**8, 10**9)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z" + kit.upper(13),
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for s, z in net.subnets],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"app/{name}/{h}"


def target_group(
    kit: Kit, net: Net, name: str, port: int, lb_arn: str, target_type: str, health_path: str
) -> tuple[str, str]:
    """A target group; returns (arn, the `targetgroup/name/hex` CloudWatch dimension)."""
    h = kit.hex(16)
    arn = kit.arn("elasticloadbalancing", f"targetgroup/{name}/{h}")
    kit.res(
        "elbv2",
        "TargetGroup",
        {
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
        },
    )
    return arn, f"targetgroup/{name}/{h}"


def healthy_targets(kit: Kit, tg_arn: str, targets: Sequence[tuple[str, int, str]], at: datetime) -> None:
    """A `target_health` point per target: healthy from `at` on. targets: (id, port, az)."""
    for tid, port, az in targets:
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": tid, "Port": port, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": iso(at),
            },
        )


def alb_minute(
    kit: Kit,
    lb_dim: str,
    tg_dim: str,
    t: datetime,
    requests: float,
    t5xx: float,
    median_s: float,
    tail_s: float,
    healthy: int,
    unhealthy: int = 0,
    t4xx_rate: float = 0.006,
    elb5xx: float = 0,
) -> None:
    """One minute of AWS/ApplicationELB metrics for a load balancer with one target group.
    Counts AWS only publishes when non-zero are left out when zero."""
    ns = "AWS/ApplicationELB"
    both = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    lb = {"LoadBalancer": lb_dim}
    n = max(0, round(requests))
    e5 = round(t5xx)
    e4 = round(n * t4xx_rate * kit.rng.uniform(0.6, 1.4))
    if n:
        for d in (lb, both):
            kit.put(ns, "RequestCount", d, t, float(n))
        kit.put(ns, "RequestCountPerTarget", {"TargetGroup": tg_dim}, t, round(n / max(1, healthy), 1))
        ok = n - e5 - e4
        for d in (lb, both):
            kit.put(ns, "HTTPCode_Target_2XX_Count", d, t, float(max(0, ok)))
            if e4:
                kit.put(ns, "HTTPCode_Target_4XX_Count", d, t, float(e4))
            if e5:
                kit.put(ns, "HTTPCode_Target_5XX_Count", d, t, float(e5))
        vals, counts = kit.latency_dist(median_s, tail_s, n)
        for d in (lb, both):
            kit.put_dist(ns, "TargetResponseTime", d, t, vals, counts, "Seconds")
        kit.put(ns, "ActiveConnectionCount", lb, t, float(round(n * kit.rng.uniform(0.05, 0.09))))
        kit.put(ns, "NewConnectionCount", lb, t, float(round(n * kit.rng.uniform(0.02, 0.05))))
        kit.put(ns, "ProcessedBytes", lb, t, float(round(n * kit.rng.uniform(1800, 2600))), "Bytes")
    if elb5xx:
        kit.put(ns, "HTTPCode_ELB_5XX_Count", lb, t, float(round(elb5xx)))
    kit.put(ns, "HealthyHostCount", both, t, float(healthy))
    kit.put(ns, "UnHealthyHostCount", both, t, float(unhealthy))


def ec2_instance(
    kit: Kit,
    net: Net,
    idx: int,
    *,
    ami: str,
    itype: str,
    sg: tuple[str, str],
    launched: datetime,
    profile_arn: str,
    name: str,
    asg: str | None = None,
    state: str = "running",
    iid: str | None = None,
) -> tuple[str, str, str]:
    """An ec2 Instance (and, when running, its InstanceStatus). Returns (id, private ip, az)."""
    sid, az = net.subnets[idx % len(net.subnets)]
    iid = iid or kit.iid()
    third = 16 * (idx % len(net.subnets) + 1) + kit.rng.randint(0, 15)
    ip = f"{net.cidr16}.{third}.{kit.rng.randint(2, 254)}"
    eni = kit.rid("eni")
    t = {"Name": name}
    if asg:
        t["aws:autoscaling:groupName"] = asg
    codes = {"running": 16, "terminated": 48, "shutting-down": 32}
    item: Json = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": "",
        "SubnetId": sid,
        "VpcId": net.vpc,
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": kit.rid("vol"),
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
                    "AttachmentId": kit.rid("eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": sg[1], "GroupId": sg[0]}],
                "Ipv6Addresses": [],
                "MacAddress": ":".join(kit.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": kit.account,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sid,
                "VpcId": net.vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": sg[1], "GroupId": sg[0]}],
        "SourceDestCheck": True,
        "Tags": tags(t),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
        },
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
    }
    if state != "running":
        item["StateTransitionReason"] = f"User initiated ({launched:%Y-%m-%d %H:%M:%S} GMT)"
        item["NetworkInterfaces"] = []
        item["SecurityGroups"] = []
        item.pop("PrivateIpAddress")
        item.pop("PrivateDnsName")
        item["PrivateDnsName"] = ""
        item["BlockDeviceMappings"] = []
    kit.res("ec2", "Instance", item)
    if state == "running":
        kit.res(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": az,
                "InstanceId": iid,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "AttachedEbsStatus": {
                    "Details": [{"Name": "reachability", "Status": "passed"}],
                    "Status": "ok",
                },
            },
        )
    return iid, ip, az


def spring_line(t: datetime, level: str, pid: int, app: str, thread: str, logger: str, msg: str) -> str:
    """A Spring Boot 3 console log line."""
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} {pid} --- [{app}] [{thread:>15}] {logger:<40} : {msg}"


def rds_event(kit: Kit, t: datetime, source: str, stype: str, message: str, cats: list[str]) -> None:
    kind = {
        "db-instance": "db",
        "db-cluster": "cluster",
        "db-parameter-group": "pg",
        "db-snapshot": "snapshot",
    }[stype]
    kit.event(
        "rds",
        {
            "SourceIdentifier": source,
            "SourceType": stype,
            "Message": message,
            "EventCategories": cats,
            "Date": iso(t),
            "SourceArn": kit.arn("rds", f"{kind}:{source}"),
        },
    )


def db_instance(
    kit: Kit,
    ident: str,
    *,
    engine: str,
    version: str,
    klass: str,
    storage_gb: int,
    storage_type: str,
    created: datetime,
    net: Net,
    sg: str,
    param_group: str,
    status: str = "available",
    multi_az: bool = True,
    az_index: int = 0,
    replica_of: str | None = None,
    replicas: list[str] | None = None,
    max_storage: int | None = None,
    param_status: str = "in-sync",
    iops: int | None = None,
) -> Json:
    port = 5432 if "postgres" in engine else 3306
    item: Json = {
        "DBInstanceIdentifier": ident,
        "DBInstanceClass": klass,
        "Engine": engine,
        "DBInstanceStatus": status,
        "MasterUsername": "dbadmin",
        "Endpoint": {
            "Address": f"{ident}.{kit.hex(12)}.{kit.region}.rds.amazonaws.com",
            "Port": port,
            "HostedZoneId": "Z" + kit.upper(13),
        },
        "AllocatedStorage": storage_gb,
        "InstanceCreateTime": iso(created),
        "PreferredBackupWindow": "03:10-03:40",
        "BackupRetentionPeriod": 0 if replica_of else 7,
        "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": param_group, "ParameterApplyStatus": param_status}],
        "AvailabilityZone": net.subnets[az_index][1],
        "DBSubnetGroup": {
            "DBSubnetGroupName": f"{ident.split('-')[0]}-db-subnets",
            "DBSubnetGroupDescription": "private data subnets",
            "VpcId": net.vpc,
            "SubnetGroupStatus": "Complete",
            "Subnets": [
                {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": z}, "SubnetStatus": "Active"}
                for s, z in net.subnets
            ],
        },
        "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
        "PendingModifiedValues": {},
        "MultiAZ": multi_az,
        "EngineVersion": version,
        "AutoMinorVersionUpgrade": True,
        "ReadReplicaDBInstanceIdentifiers": replicas or [],
        "LicenseModel": "postgresql-license" if "postgres" in engine else "general-public-license",
        "OptionGroupMemberships": [
            {
                "OptionGroupName": f"default:{engine}-{'-'.join(version.split('.')[: 1 if 'postgres' in engine else 2])}",
                "Status": "in-sync",
            }
        ],
        "PubliclyAccessible": False,
        "StorageType": storage_type,
        "DbInstancePort": 0,
        "StorageEncrypted": True,
        "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
        "DbiResourceId": "db-" + kit.upper(26),
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "CopyTagsToSnapshot": True,
        "MonitoringInterval": 60,
        "DBInstanceArn": kit.arn("rds", f"db:{ident}"),
        "IAMDatabaseAuthenticationEnabled": False,
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "EnabledCloudwatchLogsExports": ["error"] if "mysql" in engine else ["postgresql"],
        "DeletionProtection": True,
        "TagList": tags({"service": ident.split("-")[0], "env": "prod"}),
        "CustomerOwnedIpEnabled": False,
        "NetworkType": "IPV4",
        "BackupTarget": "region",
        "CertificateDetails": {"CAIdentifier": "rds-ca-rsa2048-g1", "ValidTill": "2025-09-14T21:32:15Z"},
        "DedicatedLogVolume": False,
        "EngineLifecycleSupport": "open-source-rds-extended-support",
    }
    if multi_az:
        item["SecondaryAvailabilityZone"] = net.subnets[(az_index + 1) % len(net.subnets)][1]
    if replica_of:
        item["ReadReplicaSourceDBInstanceIdentifier"] = replica_of
        item["StatusInfos"] = [{"StatusType": "read replication", "Normal": True, "Status": "replicating"}]
    if max_storage:
        item["MaxAllocatedStorage"] = max_storage
    if iops:
        item["Iops"] = iops
    if storage_type == "gp3":
        item["Iops"] = iops or 3000
        item["StorageThroughput"] = 125
    if status != "available":
        item["LatestRestorableTime"] = iso(created)
    return kit.res("rds", "DBInstance", item)


def asg_item(
    kit: Kit,
    name: str,
    net: Net,
    lt: tuple[str, str, str],
    tg_arn: str,
    instances: Sequence[tuple[str, str, str]],
    created: datetime,
    *,
    min_size: int,
    max_size: int,
    health: str = "EC2",
    max_lifetime: int | None = None,
    itype: str = "m6g.large",
) -> Json:
    """instances: (id, az, lifecycle state). lt: (id, name, version)."""
    item: Json = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": kit.arn(
            "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{name}"
        ),
        "LaunchTemplate": {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": lt[2]},
        "MinSize": min_size,
        "MaxSize": max_size,
        "DesiredCapacity": len([i for i in instances if i[2] == "InService"]),
        "DefaultCooldown": 300,
        "AvailabilityZones": [z for _, z in net.subnets],
        "LoadBalancerNames": [],
        "TargetGroupARNs": [tg_arn],
        "HealthCheckType": health,
        "HealthCheckGracePeriod": 300,
        "Instances": [
            {
                "InstanceId": iid,
                "InstanceType": itype,
                "AvailabilityZone": az,
                "LifecycleState": state,
                "HealthStatus": "Healthy",
                "LaunchTemplate": {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": lt[2]},
                "ProtectedFromScaleIn": False,
            }
            for iid, az, state in instances
        ],
        "CreatedTime": iso(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(s for s, _ in net.subnets),
        "EnabledMetrics": [],
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": "Name",
                "Value": name,
                "PropagateAtLaunch": True,
            }
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
    }
    if max_lifetime:
        item["MaxInstanceLifetime"] = max_lifetime
    return kit.res("autoscaling", "AutoScalingGroup", item)


def ecs_service(
    kit: Kit,
    cluster: str,
    name: str,
    td_rev: int,
    count: int,
    net: Net,
    sg: str,
    tg_arn: str | None,
    port: int,
    deployed: datetime,
    created: datetime,
) -> tuple[str, str]:
    """An ECS Fargate service as DescribeServices returns it. Returns (service arn, task definition arn)."""
    td = kit.arn("ecs", f"task-definition/{name}:{td_rev}")
    arn = kit.arn("ecs", f"service/{cluster}/{name}")
    item: Json = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
        "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}]
        if tg_arn
        else [],
        "status": "ACTIVE",
        "desiredCount": count,
        "runningCount": count,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "taskDefinition": td,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": f"ecs-svc/{kit.rng.randint(10**18, 10**19 - 1)}",
                "status": "PRIMARY",
                "taskDefinition": td,
                "desiredCount": count,
                "pendingCount": 0,
                "runningCount": count,
                "failedTasks": 0,
                "createdAt": iso(deployed),
                "updatedAt": iso(deployed + timedelta(minutes=kit.rng.randint(4, 9))),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "createdAt": iso(created),
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [s for s, _ in net.subnets],
                "securityGroups": [sg],
                "assignPublicIp": "DISABLED",
            }
        },
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    if tg_arn:
        item["healthCheckGracePeriodSeconds"] = 60
    kit.res("ecs", "Service", item)
    return arn, td


def ecs_cluster(kit: Kit, name: str, tasks: int, services: int) -> str:
    arn = kit.arn("ecs", f"cluster/{name}")
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": arn,
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    return arn


def pg_line(t: datetime, client: str, user: str, db: str, pid: int, level: str, msg: str) -> str:
    """An RDS for PostgreSQL log line (log_line_prefix %t:%r:%u@%d:[%p]:)."""
    return f"{t:%Y-%m-%d %H:%M:%S} UTC:{client}:{user}@{db}:[{pid}]:{level}:  {msg}"
