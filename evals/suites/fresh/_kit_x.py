# Author x's five incidents, in the order they are written:
#  1. change: a Redis cache parameter group switched to maxmemory-policy noeviction in the morning; at the
#     evening peak the idempotency cache fills up, writes fail with OOM and the notification workers
#     (SQS -> Lambda) fail, retry and dead-letter.
#  2. limit: an Aurora Serverless v2 cluster pinned at its maximum ACU during the month-end settlement run;
#     the Step Functions settlement executions slow down and time out.
#  3. component_failure: one data node of an OpenSearch domain fails; the survivors reject bulk writes while
#     shards recover, and the listing indexer's SQS queue backs up ("new listings not searchable").
#  4. change (SQS): a queue's message retention cut from 4 days to 1 hour in an infrastructure refactor; the
#     nightly invoice export, which drains the queue once a night, finds almost nothing the next morning.
#  5. no fault: an engineer recreates a Kinesis event source mapping AT_TIMESTAMP to replay a day of
#     clickstream into the archiver; the IteratorAge alarm fires and the backlog drains as planned.
"""Private helpers for author x's fresh incidents: ids, noise, CloudTrail records, alarms, Lambda logs."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

HEX = "0123456789abcdef"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

FIRST_NAMES = [
    "priya.raman",
    "tomas.novak",
    "hannah.okafor",
    "li.wei",
    "marco.bianchi",
    "sofia.lindqvist",
    "daniel.murphy",
    "aisha.khan",
    "jonas.becker",
    "emma.dubois",
    "ravi.shankar",
    "kate.oconnell",
]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """CloudWatch's own style in alarm reason data: 2024-05-06T14:03:41.123+0000."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_to(t: datetime, seconds: int) -> datetime:
    epoch = int(t.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def smooth_step(x: float) -> float:
    """0 below 0, 1 above 1, smooth in between."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    return x * x * (3 - 2 * x)


def day_shape(t: datetime, utc_offset_h: float, profile: str = "office") -> float:
    """A 0..1 load factor by local hour: 'office' peaks early afternoon, 'evening' after dinner."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    if profile == "evening":
        base = 0.5 - 0.5 * math.cos(2 * math.pi * (h - 8.5) / 24)
        bump = math.exp(-(((h - 20.0) / 2.2) ** 2))
        return min(1.0, 0.12 + 0.55 * base + 0.45 * bump)
    if profile == "flat":
        return 0.85 + 0.15 * math.sin(2 * math.pi * h / 24)
    base = 0.5 - 0.5 * math.cos(2 * math.pi * (h - 3.5) / 24)
    return 0.08 + 0.92 * base**1.5


@dataclass
class Principal:
    """Who made an API call, as CloudTrail shows it."""

    kind: str  # "sso", "role", "service", "service_role"
    arn_role: str  # role name ("" for service)
    session: str  # session name, or invokedBy for service
    ip: str
    agent: str
    role_id: str = ""
    key_id: str = ""
    path: str = "/"
    console: bool = False
    invoked_by: str = ""


@dataclass
class Kit:
    name: str
    seed: int
    region: str = "eu-west-1"
    account: str = ""
    rng: random.Random = field(init=False)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    trail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.name}:{self.seed}")
        if not self.account:
            self.account = str(self.rng.randint(2, 9)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(11)
            )

    # --- ids -----------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(HEX) for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice(UPPER) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def pick(self, seq: list[str]) -> str:
        return seq[self.rng.randrange(len(seq))]

    def jitter(self, x: float, frac: float) -> float:
        return x * (1 + self.rng.uniform(-frac, frac))

    def ip_public(self) -> str:
        return f"{self.rng.choice([52, 54, 34, 18, 3])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"

    def ip_private(self, prefix: str = "10.40") -> str:
        return f"{prefix}.{self.rng.randint(0, 47)}.{self.rng.randint(4, 250)}"

    # --- principals ----------------------------------------------------------------------------------

    def sso(self, person: str, permission_set: str = "PowerUserAccess", console: bool = False) -> Principal:
        role = f"AWSReservedSSO_{permission_set}_{self.hex(16)}"
        agent = (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36"
            if console
            else f"aws-cli/2.15.{self.rng.randint(20, 58)} md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 "
            "md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
            "md/prompt#off"
        )
        return Principal(
            "sso",
            role,
            person,
            self.ip_public(),
            agent,
            "AROA" + self.upper(17),
            "ASIA" + self.upper(16),
            f"/aws-reserved/sso.amazonaws.com/{self.region}/",
            console,
        )

    def role(self, role: str, session: str, agent: str, ip: str | None = None) -> Principal:
        return Principal(
            "role",
            role,
            session,
            ip or self.ip_public(),
            agent,
            "AROA" + self.upper(17),
            "ASIA" + self.upper(16),
        )

    def service(self, invoked_by: str) -> Principal:
        return Principal("service", "", invoked_by, invoked_by, invoked_by)

    def service_role(self, role: str, session: str, invoked_by: str, path: str) -> Principal:
        """A service-linked role session (application-autoscaling, rds, ...)."""
        return Principal(
            "service_role",
            role,
            session,
            invoked_by,
            invoked_by,
            "AROA" + self.upper(17),
            "ASIA" + self.upper(16),
            path,
            invoked_by=invoked_by,
        )

    def identity(self, p: Principal, t: datetime) -> dict[str, Any]:
        if p.kind == "service":
            return {"type": "AWSService", "invokedBy": p.session}
        session = p.session
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{p.role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{p.arn_role}/{session}",
            "accountId": self.account,
            "accessKeyId": p.key_id,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": p.role_id,
                    "arn": f"arn:aws:iam::{self.account}:role{p.path}{p.arn_role}",
                    "accountId": self.account,
                    "userName": p.arn_role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(floor_to(t, 3600) - minutes(self.rng.randint(0, 40))),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if p.kind == "service_role":
            ident["invokedBy"] = p.invoked_by
        return ident

    # --- records -------------------------------------------------------------------------------------

    def ct(
        self,
        t: datetime,
        who: Principal,
        source: str,
        name: str,
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        read_only: bool = False,
        error: tuple[str, str] | None = None,
        resources: list[dict[str, Any]] | None = None,
        version: str = "1.09",
    ) -> str:
        """Append one CloudTrail management event; returns its eventID."""
        event_id = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": version,
            "userIdentity": self.identity(who, t),
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.ip,
            "userAgent": who.agent,
        }
        if error is not None:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uuid()
        rec["eventID"] = event_id
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if who.kind in ("sso", "role"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if who.console:
            rec["sessionCredentialFromConsole"] = "true"
        self.trail.append(rec)
        return event_id

    def put(
        self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str = "None"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        times: Iterable[datetime],
    ) -> None:
        for t in times:
            v = fn(t)
            if v is not None:
                self.put(ns, metric, dims, t, v, unit)

    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.events.append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # --- alarms --------------------------------------------------------------------------------------

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
        start: datetime,
        now: datetime,
        topic_arn: str,
        datapoints_to_alarm: int | None = None,
        treat_missing: str = "missing",
        created: datetime | None = None,
        ok_actions: bool = True,
    ) -> list[tuple[datetime, str, str, str, str]]:
        """Add a MetricAlarm evaluated over this kit's datapoints, with its state history.

        Returns the transitions as (time, old, new, reason, reason_data)."""
        dta = datapoints_to_alarm or evals
        buckets: dict[datetime, list[float]] = {}
        for m in self.metrics:
            if m["namespace"] == ns and m["metric"] == metric and m["dimensions"] == dims:
                ts = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
                buckets.setdefault(floor_to(ts, period), []).append(m["value"])

        def agg(vals: list[float]) -> float:
            if stat == "Sum":
                return sum(vals)
            if stat == "Maximum":
                return max(vals)
            if stat == "Minimum":
                return min(vals)
            if stat == "SampleCount":
                return float(len(vals))
            return sum(vals) / len(vals)

        def breach(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        words = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]
        state = "OK"
        reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        reason_data = ""
        state_time = created or start
        transitions: list[tuple[datetime, str, str, str, str]] = []
        t = floor_to(start, period) + timedelta(seconds=period * (evals + 1))
        while t <= now:
            window = [t - timedelta(seconds=period * (k + 1)) for k in range(evals)]
            # the newest bucket is evaluated once it is complete: evaluation at t looks at buckets before t
            vals = [(w, agg(buckets[w])) for w in window if w in buckets]
            missing_breach = treat_missing == "breaching"
            n_breach = sum(1 for _, v in vals if breach(v)) + ((evals - len(vals)) if missing_breach else 0)
            new = state
            if n_breach >= dta:
                new = "ALARM"
            elif vals or treat_missing == "notBreaching":
                new = "OK"
            if new == state and new == "OK" and vals:
                w0, v0 = vals[0]
                reason = (
                    f"Threshold Crossed: 1 datapoint [{v0:g} ({w0:%d/%m/%y %H:%M:%S})] was not {words} "
                    f"the threshold ({threshold:g})."
                )
            if new != state:
                at = t + timedelta(seconds=self.rng.randint(25, 55), milliseconds=self.rng.randint(0, 999))
                shown = vals if new == "ALARM" else vals[:1]
                shown_text = ", ".join(f"{v:g} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
                if new == "ALARM":
                    if evals == 1:
                        r = f"Threshold Crossed: 1 datapoint [{shown_text}] was {words} the threshold ({threshold:g})."
                    else:
                        r = (
                            f"Threshold Crossed: {n_breach} out of the last {evals} datapoints [{shown_text}] were "
                            f"{words} the threshold ({threshold:g}) (minimum {dta} datapoint"
                            f"{'s' if dta > 1 else ''} for OK -> ALARM transition)."
                        )
                else:
                    r = f"Threshold Crossed: 1 datapoint [{shown_text}] was not {words} the threshold ({threshold:g})."
                rd = json.dumps(
                    {
                        "version": "1.0",
                        "queryDate": iso_ms(at),
                        "startDate": iso_ms(window[-1]),
                        "statistic": stat,
                        "period": period,
                        "recentDatapoints": [round(v, 3) for _, v in reversed(vals)],
                        "threshold": threshold,
                        "evaluatedDatapoints": [
                            {
                                "timestamp": iso_ms(w),
                                "sampleCount": float(len(buckets[w])),
                                "value": round(v, 3),
                            }
                            for w, v in shown
                        ],
                    },
                    separators=(",", ":"),
                )
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state, "stateReason": reason},
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": r,
                                    "stateReasonData": json.loads(rd),
                                },
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
                if new == "ALARM":
                    self.history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso(at + timedelta(milliseconds=self.rng.randint(80, 400))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {topic_arn}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": int(at.timestamp() * 1000),
                                    "notificationResource": topic_arn,
                                    "publishedMessage": None,
                                },
                                separators=(",", ":"),
                            ),
                        }
                    )
                transitions.append((at, state, new, r, rd))
                state, reason, reason_data, state_time = new, r, rd, at
            t += timedelta(seconds=period)
        if not reason_data:
            reason = (
                f"Threshold Crossed: 1 datapoint was not {words} the threshold ({threshold:g})."
                if state == "OK"
                else reason
            )
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(created or start - timedelta(days=40)),
            "ActionsEnabled": True,
            "OKActions": [topic_arn] if ok_actions else [],
            "AlarmActions": [topic_arn],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso(state_time),
        }
        if reason_data:
            item["StateReasonData"] = reason_data
        self.alarms.append(item)
        return transitions

    def alarm_event(self, alarm_name: str, transition: tuple[datetime, str, str, str, str]) -> dict[str, Any]:
        """The EventBridge "CloudWatch Alarm State Change" event for one transition of an alarm."""
        alarm = next(a for a in self.alarms if a["AlarmName"] == alarm_name)
        at, old, new, reason, rd = transition
        prev = [
            h for h in self.history if h["AlarmName"] == alarm_name and h["HistoryItemType"] == "StateUpdate"
        ]
        prev_reason = "Unchecked: Initial alarm creation"
        prev_time = alarm["AlarmConfigurationUpdatedTimestamp"]
        for h in prev:
            if h["Timestamp"] < iso(at):
                data = json.loads(h["HistoryData"])
                prev_reason = data["newState"]["stateReason"]
                prev_time = h["Timestamp"]
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
                "state": {"value": new, "reason": reason, "reasonData": rd, "timestamp": iso_ms(at)},
                "previousState": {
                    "value": old,
                    "reason": prev_reason,
                    "timestamp": prev_time.replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.hex(8)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(4)
                            + "-"
                            + self.hex(12),
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

    # --- lambda --------------------------------------------------------------------------------------

    def lambda_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hex(32)}"

    def lambda_invocation(
        self,
        group: str,
        stream: str,
        t: datetime,
        duration_ms: float,
        memory: int,
        used: int,
        body: list[str] | None = None,
        init_ms: float | None = None,
        version: str = "$LATEST",
        runtime_arn: str | None = None,
        runtime: str = "nodejs20.x",
    ) -> str:
        """START / app lines / END / REPORT for one invocation; returns the request id."""
        rid = self.uuid()
        if init_ms is not None and runtime_arn:
            self.log(
                group,
                stream,
                t - timedelta(milliseconds=init_ms),
                f"INIT_START Runtime Version: {runtime}.v{self.rng.randint(20, 40)}\tRuntime Version ARN: {runtime_arn}\n",
            )
        self.log(group, stream, t, f"START RequestId: {rid} Version: {version}\n")
        for i, line in enumerate(body or []):
            at = t + timedelta(milliseconds=5 + i * duration_ms / max(1, len(body or [])))
            stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self.log(group, stream, at, line.replace("{rid}", rid).replace("{ts}", stamp))
        end = t + timedelta(milliseconds=duration_ms)
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = math.ceil(duration_ms)
        report = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        self.log(group, stream, end, report + "\n")
        return rid

    # --- output --------------------------------------------------------------------------------------

    def bundle(self, manifest: dict[str, Any]) -> Bundle:
        now = datetime.fromisoformat(str(manifest["now"]).replace("Z", "+00:00"))
        now_ms = ms(now)
        nows = iso(now)
        self.trail.sort(key=lambda r: r["eventTime"])
        trail = [r for r in self.trail if r["eventTime"] <= nows]
        logs = sorted(
            (e for e in self.logs if e["timestamp"] <= now_ms),
            key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]),
        )
        metrics = [m for m in self.metrics if m["timestamp"] <= nows]
        history = sorted((h for h in self.history if h["Timestamp"] <= nows), key=lambda h: h["Timestamp"])
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        if self.traces:
            records["traces"] = self.traces
        manifest = {
            "format": "sleuth-bundle/1",
            "account_id": self.account,
            "region": self.region,
            **manifest,
        }
        return Bundle(Manifest.model_validate(manifest), {k: v for k, v in records.items() if v})


def jc(obj: Any) -> str:
    """Compact JSON, as a Node or Go logger prints it."""
    return json.dumps(obj, separators=(",", ":"))


def minute_times(start: datetime, end: datetime, fine_from: datetime, coarse: int = 300) -> list[datetime]:
    """Timestamps from start to end: every `coarse` seconds before fine_from, every minute after."""
    out: list[datetime] = []
    t = floor_to(start, coarse)
    while t < fine_from:
        out.append(t)
        t += timedelta(seconds=coarse)
    t = floor_to(fine_from, 60)
    while t <= end:
        out.append(t)
        t += timedelta(minutes=1)
    return out


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)
BOTO_UA = "Boto3/1.34.{n} md/Botocore#1.34.{n} ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.{n}"
DATADOG_UA = "aws-sdk-go/1.51.21 (go1.22.3; linux; amd64)"


def routine_reads(
    kit: Kit,
    start: datetime,
    end: datetime,
    count: int,
    calls: list[tuple[Principal, str, str, dict[str, Any] | None]],
) -> None:
    """`count` read-only calls spread over start..end, each a random pick of (principal, source, name, params)."""
    span = (end - start).total_seconds()
    for _ in range(count):
        t = start + timedelta(seconds=kit.rng.uniform(0, span))
        who, source, name, params = calls[kit.rng.randrange(len(calls))]
        kit.ct(t.replace(microsecond=0), who, source, name, params, None, read_only=True)


# --- resource items ----------------------------------------------------------------------------------


def lambda_item(
    kit: Kit,
    name: str,
    runtime: str,
    handler: str,
    role: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str] | None = None,
    vpc: tuple[list[str], list[str], str] | None = None,
    description: str = "",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": kit.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{kit.account}:role/{role}",
        "Handler": handler,
        "CodeSize": kit.rng.randint(800_000, 9_000_000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": kit.hex(64),
        "Version": "$LATEST",
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
    if env:
        item["Environment"] = {"Variables": env}
    if vpc:
        item["VpcConfig"] = {"SubnetIds": vpc[0], "SecurityGroupIds": vpc[1], "VpcId": vpc[2]}
    return item


def queue_item(
    kit: Kit,
    name: str,
    created: datetime,
    modified: datetime,
    visibility: int = 30,
    retention: int = 345600,
    redrive_to: str | None = None,
    max_receive: int = 5,
    tags: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    arn = kit.arn("sqs", name)
    attrs = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(modified.timestamp())),
        "VisibilityTimeout": str(visibility),
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": str(retention),
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    if redrive_to:
        attrs["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": kit.arn("sqs", redrive_to), "maxReceiveCount": max_receive},
            separators=(",", ":"),
        )
    if extra:
        attrs.update(extra)
    return {
        "QueueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{name}",
        "Attributes": attrs,
        "Tags": tags or {},
    }


def log_group_item(kit: Kit, name: str, created: datetime, retention: int = 30) -> dict[str, Any]:
    arn = kit.arn("logs", f"log-group:{name}")
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": arn + ":*",
        "storedBytes": kit.rng.randint(50_000_000, 4_000_000_000),
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }


def lambda_deploy(kit: Kit, t: datetime, who: Principal, name: str, alias: str = "live") -> str:
    """UpdateFunctionCode, PublishVersion and UpdateAlias as a CI pipeline issues them; returns the first eventID."""
    arn = kit.arn("lambda", f"function:{name}")
    version = str(kit.rng.randint(40, 260))
    first = kit.ct(
        t,
        who,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": name,
            "s3Bucket": f"{kit.account}-lambda-artifacts-{kit.region}",
            "s3Key": f"{name}/{kit.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": name,
            "functionArn": arn,
            "codeSha256": kit.hex(43) + "=",
            "lastModified": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
        },
    )
    t2 = t + timedelta(seconds=kit.rng.randint(6, 14))
    kit.ct(
        t2,
        who,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": name, "description": f"build {kit.hex(7)}"},
        {"functionName": name, "functionArn": f"{arn}:{version}", "version": version, "state": "Active"},
    )
    kit.ct(
        t2 + timedelta(seconds=kit.rng.randint(2, 5)),
        who,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": name, "name": alias, "functionVersion": version},
        {"aliasArn": f"{arn}:{alias}", "name": alias, "functionVersion": version, "revisionId": kit.uuid()},
    )
    return first


def lambda_assume(kit: Kit, t: datetime, role: str, function: str) -> None:
    """The Lambda service assuming a function's execution role (a cold start)."""
    svc = kit.service("lambda.amazonaws.com")
    role_arn = f"arn:aws:iam::{kit.account}:role/{role}"
    kit.ct(
        t,
        svc,
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": role_arn, "roleSessionName": function},
        {
            "credentials": {
                "accessKeyId": "ASIA" + kit.upper(16),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + kit.upper(40),
                "expiration": (t + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        read_only=True,
        resources=[{"accountId": kit.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
        version="1.08",
    )
