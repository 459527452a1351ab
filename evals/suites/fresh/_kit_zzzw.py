"""Private helpers for kit zzzw: a claims document-processing account (S3 -> SQS -> Lambda -> Step Functions)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

UTC = UTC
MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class AlarmSpec:
    name: str
    namespace: str
    metric: str
    dims: dict[str, str]
    stat: str
    period: int
    evals: int
    to_alarm: int
    threshold: float
    op: str
    description: str
    unit: str | None = None
    missing: str = "notBreaching"


@dataclass
class Ctx:
    seed: int
    rng: random.Random
    account: str
    region: str
    start: datetime
    onset: datetime
    now: datetime
    end: datetime
    ct: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    series: dict[tuple[str, str, str], dict[datetime, float]] = field(default_factory=dict)
    specs: list[AlarmSpec] = field(default_factory=list)

    # ---- ids -------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t < self.end:
            out.append(t)
            t += MIN
        return out

    # ---- records ---------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
        if t > self.end:
            return
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
        key = (ns, name, json.dumps(dims, sort_keys=True))
        self.series.setdefault(key, {})[t] = value

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def identity_role(self, role: str, session: str, *, invoked_by: str | None = None) -> dict[str, Any]:
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"AROA{self.hexid(17).upper()}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{self.hexid(16).upper()}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.hexid(17).upper()}",
                    "arn": f"arn:aws:iam::{self.account}:role/"
                    + ("aws-reserved/sso.amazonaws.com/" if role.startswith("AWSReservedSSO") else "")
                    + role,
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start - timedelta(minutes=40)),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: dict[str, Any] | None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool,
        ip: str = "10.40.12.7",
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023",
        error: tuple[str, str] | None = None,
        resources: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        invoked = ident.get("invokedBy")
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked or ip,
            "userAgent": invoked or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = resp
        rec["requestID"] = self.uid()
        rec["eventID"] = self.uid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.ct.append(rec)
        return rec

    # ---- alarms ----------------------------------------------------------------------------------
    def add_alarm(self, spec: AlarmSpec) -> None:
        self.specs.append(spec)

    def _period_value(self, spec: AlarmSpec, end: datetime) -> float | None:
        key = (spec.namespace, spec.metric, json.dumps(spec.dims, sort_keys=True))
        pts = self.series.get(key, {})
        vals = [v for t, v in pts.items() if end - timedelta(seconds=spec.period) <= t < end]
        if not vals:
            return None
        if spec.stat == "Sum":
            return sum(vals)
        if spec.stat == "Maximum":
            return max(vals)
        if spec.stat == "Minimum":
            return min(vals)
        return sum(vals) / len(vals)

    def _breach(self, spec: AlarmSpec, v: float) -> bool:
        return {
            "GreaterThanOrEqualToThreshold": v >= spec.threshold,
            "GreaterThanThreshold": v > spec.threshold,
            "LessThanThreshold": v < spec.threshold,
            "LessThanOrEqualToThreshold": v <= spec.threshold,
        }[spec.op]

    def evaluate_alarms(self, topic_arn: str) -> dict[str, list[tuple[datetime, str, str, str]]]:
        """Evaluate every alarm over the series; write alarms and history. Returns transitions."""
        out: dict[str, list[tuple[datetime, str, str, str]]] = {}
        for spec in self.specs:
            state = "OK"
            since = self.start - timedelta(days=2, hours=self.rng.randint(1, 20))
            reason = "Threshold Crossed: no datapoints were breaching the threshold."
            data: dict[str, Any] = {}
            trans: list[tuple[datetime, str, str, str]] = []
            t = self.start + timedelta(seconds=spec.period * spec.evals) + timedelta(seconds=40)
            step = timedelta(seconds=60)
            while t <= self.now:
                ends = [
                    (t - timedelta(seconds=40)).replace(second=0) - timedelta(seconds=spec.period * i)
                    for i in range(spec.evals)
                ]
                vals = [self._period_value(spec, e) for e in ends]
                breaching = [v is not None and self._breach(spec, v) for v in vals]
                new = "ALARM" if sum(breaching) >= spec.to_alarm else "OK"
                if new != state:
                    shown = [round(v, 1) if v is not None else 0.0 for v in vals]
                    stamps = [e - timedelta(seconds=spec.period) for e in ends]
                    word = "greater than or equal to" if "Equal" in spec.op else "greater than"
                    if spec.op.startswith("Less"):
                        word = "less than"
                    n_b = sum(breaching)
                    if new == "ALARM":
                        reason = (
                            f"Threshold Crossed: {n_b} out of the last {spec.evals} datapoints "
                            f"{[float(x) for x, b in zip(shown, breaching, strict=True) if b]} were {word} "
                            f"the threshold ({float(spec.threshold)}) (minimum {spec.to_alarm} datapoint"
                            f"{'s' if spec.to_alarm > 1 else ''} for OK -> ALARM transition)."
                        )
                    else:
                        reason = (
                            f"Threshold Crossed: {spec.evals - n_b} out of the last {spec.evals} "
                            f"datapoints [{', '.join(str(float(x)) for x in shown[:3])}] were not {word} "
                            f"the threshold ({float(spec.threshold)}) (minimum 1 datapoint for ALARM -> OK "
                            "transition)."
                        )
                    data = {
                        "version": "1.0",
                        "queryDate": iso_ms(t),
                        "startDate": iso_ms(stamps[-1]),
                        "statistic": spec.stat,
                        "period": spec.period,
                        "recentDatapoints": list(reversed(shown)),
                        "threshold": spec.threshold,
                        "evaluatedDatapoints": [
                            {"timestamp": iso(s), "sampleCount": float(spec.period // 60), "value": v}
                            for s, v in zip(stamps, shown, strict=True)
                            if v is not None
                        ][:1],
                    }
                    hist = {
                        "version": "1.0",
                        "oldState": {"stateValue": state, "stateReason": "Threshold Crossed"},
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": data,
                        },
                    }
                    self.history.append(
                        {
                            "AlarmName": spec.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso(t),
                            "HistoryItemType": "StateUpdate",
                            "HistorySummary": f"Alarm updated from {state} to {new}",
                            "HistoryData": json.dumps(hist),
                        }
                    )
                    if new == "ALARM":
                        self.history.append(
                            {
                                "AlarmName": spec.name,
                                "AlarmType": "MetricAlarm",
                                "Timestamp": iso(t + timedelta(milliseconds=300)),
                                "HistoryItemType": "Action",
                                "HistorySummary": f"Successfully executed action {topic_arn}",
                                "HistoryData": json.dumps(
                                    {
                                        "actionState": "Succeeded",
                                        "stateUpdateTimestamp": ms(t),
                                        "notificationResource": topic_arn,
                                        "publishedMessage": {"AlarmName": spec.name},
                                    }
                                ),
                            }
                        )
                    trans.append((t, state, new, reason))
                    state, since = new, t
                t += step
            out[spec.name] = trans
            alarm: dict[str, Any] = {
                "AlarmName": spec.name,
                "AlarmArn": self.arn("cloudwatch", f"alarm:{spec.name}"),
                "AlarmDescription": spec.description,
                "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=61)),
                "ActionsEnabled": True,
                "OKActions": [topic_arn],
                "AlarmActions": [topic_arn],
                "InsufficientDataActions": [],
                "StateValue": state,
                "StateReason": reason,
                "StateUpdatedTimestamp": iso(since),
                "MetricName": spec.metric,
                "Namespace": spec.namespace,
                "Statistic": spec.stat,
                "Dimensions": [{"Name": k, "Value": v} for k, v in spec.dims.items()],
                "Period": spec.period,
                "EvaluationPeriods": spec.evals,
                "DatapointsToAlarm": spec.to_alarm,
                "Threshold": spec.threshold,
                "ComparisonOperator": spec.op,
                "TreatMissingData": spec.missing,
                "StateTransitionedTimestamp": iso(since),
            }
            if spec.unit:
                alarm["Unit"] = spec.unit
            if data:
                alarm["StateReasonData"] = json.dumps(data)
            self.alarms.append(alarm)
        return out

    def alarm_event(self, name: str, when: datetime, reason: str) -> dict[str, Any]:
        spec = next(s for s in self.specs if s.name == name)
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [self.arn("cloudwatch", f"alarm:{name}")],
            "detail": {
                "alarmName": name,
                "state": {"value": "ALARM", "reason": reason, "timestamp": iso_ms(when)},
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were breaching the threshold.",
                    "timestamp": iso_ms(self.start - timedelta(hours=5)),
                },
                "configuration": {
                    "description": spec.description,
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": spec.namespace,
                                    "name": spec.metric,
                                    "dimensions": spec.dims,
                                },
                                "period": spec.period,
                                "stat": spec.stat,
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    def bundle(
        self,
        *,
        title: str,
        question: str | None,
        tz: str | None,
        alarm_event: dict[str, Any] | None,
        truth: dict[str, Any],
    ) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        recs: dict[str, list[dict[str, Any]]] = {
            "metrics": sorted(self.metrics, key=lambda r: (r["timestamp"], r["namespace"], r["metric"])),
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda r: r["Timestamp"]),
            "logs": sorted(self.logs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"])),
            "cloudtrail": sorted(self.ct, key=lambda r: r["eventTime"]),
            "resources": self.resources,
            "events": self.events,
        }
        return Bundle(manifest, recs)


def new_ctx(
    seed: int,
    *,
    onset_hour: tuple[int, int],
    after_min: tuple[int, int],
    weekday: int | None = None,
    salt: str = "",
) -> Ctx:
    rng = random.Random(f"{salt}:{seed}")
    account = str(rng.randint(2 * 10**11, 9 * 10**11))
    region = rng.choice(["us-east-1", "us-east-2", "us-west-2"])
    day = datetime(2026, 3, 16, tzinfo=UTC) + timedelta(days=rng.randint(0, 180))
    while (weekday is None and day.weekday() >= 5) or (weekday is not None and day.weekday() != weekday):
        day += timedelta(days=1)
    onset = day + timedelta(hours=rng.randint(*onset_hour), minutes=rng.randint(0, 59))
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 40))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(*after_min))
    end = now + timedelta(minutes=5)
    return Ctx(
        seed,
        rng,
        account,
        region,
        start,
        onset.replace(second=0),
        now.replace(second=0),
        end.replace(second=0),
    )


# ---- the claims pipeline ---------------------------------------------------------------------------

Rate = Callable[[datetime], float]


@dataclass
class Pipeline:
    """Names and knobs of the claims document pipeline; incidents override the hooks."""

    ctx: Ctx
    env: str = "prod"
    volume: Rate = field(default=lambda t: 1.0)  # multiplier on the diurnal upload rate
    base_per_min: float = 40.0
    dispatch_cap: Rate = field(default=lambda t: 10_000.0)
    # per stage: fraction of executions failing there at minute t
    fail: dict[str, Rate] = field(default_factory=dict)
    duration: dict[str, Rate] = field(default_factory=dict)
    error_lines: dict[str, Callable[[datetime, str], list[str]]] = field(default_factory=dict)
    concurrency_cap: dict[str, int] = field(default_factory=dict)
    sfn_error: dict[str, Callable[[datetime], tuple[str, str]]] = field(default_factory=dict)
    decrypt_denied_from: datetime | None = None
    db_conn: Rate | None = None
    db_cpu: Rate | None = None
    names: dict[str, str] = field(default_factory=dict)

    STAGES = ("classify", "extract", "fraud", "persist")

    def __post_init__(self) -> None:
        c = self.ctx
        sfx = c.hexid(6)
        self.names = {
            "intake_bucket": f"claims-docs-intake-{self.env}-{sfx}",
            "processed_bucket": f"claims-docs-processed-{self.env}-{sfx}",
            "queue": "claims-doc-intake",
            "dlq": "claims-doc-intake-dlq",
            "sm": "claims-doc-pipeline",
            "dispatcher": "claims-intake-dispatcher",
            "classify": "claims-doc-classify",
            "extract": "claims-doc-extract",
            "fraud": "claims-fraud-screen",
            "persist": "claims-doc-persist",
            "cluster": "claims-aurora",
            "writer": "claims-aurora-instance-1",
            "reader": "claims-aurora-instance-2",
            "topic": "claims-platform-alarms",
            "key_id": c.uid(),
            "esm": c.uid(),
            "vpc": f"vpc-0{c.hexid(16)}",
            "sg": f"sg-0{c.hexid(16)}",
            "subnets": ",".join(f"subnet-0{c.hexid(16)}" for _ in range(2)),
        }
        self.topic_arn = c.arn("sns", self.names["topic"])
        self.sm_arn = c.arn("states", f"stateMachine:{self.names['sm']}")
        self.key_arn = c.arn("kms", f"key/{self.names['key_id']}")
        self.queue_url = f"https://sqs.{c.region}.amazonaws.com/{c.account}/{self.names['queue']}"
        self.default_fail = {"classify": 0.006, "extract": 0.002, "fraud": 0.0, "persist": 0.0005}
        self.error_lines.setdefault("classify", self._unsupported)
        self.sfn_error.setdefault(
            "classify",
            lambda _t: (
                "UnsupportedDocumentError",
                '{"errorMessage": "document is password-protected or not a supported type", '
                '"errorType": "UnsupportedDocumentError", "requestId": "", "stackTrace": []}',
            ),
        )
        self.default_ms = {"classify": 820.0, "extract": 3400.0, "fraud": 610.0, "persist": 140.0}

    def _unsupported(self, ts: datetime, reqid: str) -> list[str]:
        c = self.ctx
        key = f"uploads/{ts:%Y/%m/%d}/{c.uid()}.{c.rng.choice(['pdf', 'pdf', 'heic', 'docx'])}"
        return [
            f"[WARNING]\t{iso_ms(ts)}\t{reqid}\tcannot open s3://{self.names['intake_bucket']}/{key}: "
            + c.rng.choice(
                ["PDF is encrypted (password required)", "unsupported content-type", "zero pages"]
            ),
            "[ERROR] UnsupportedDocumentError: document is password-protected or not a supported type\n"
            'Traceback (most recent call last):\n  File "/var/task/app.py", line 41, in handler\n'
            '    doc = open_document(bucket, key)\n  File "/var/task/docs.py", line 88, in open_document\n'
            "    raise UnsupportedDocumentError(reason)",
        ]

    def role(self, fn: str) -> str:
        return f"{self.names[fn]}-role"

    def diurnal(self, t: datetime, tz_offset: int) -> float:
        h = ((t.hour + tz_offset) % 24) + t.minute / 60
        if 8 <= h <= 18:
            f = 1.0
        elif 6 <= h < 8:
            f = 0.3 + 0.35 * (h - 6)
        elif 18 < h <= 22:
            f = 1.0 - 0.18 * (h - 18)
        else:
            f = 0.22
        if t.weekday() >= 5:
            f *= 0.35
        return f

    # ---- resources -----------------------------------------------------------------------------
    def write_resources(
        self,
        *,
        mem: dict[str, int] | None = None,
        timeouts: dict[str, int] | None = None,
        writer_class: str = "db.r6g.large",
        code_dates: dict[str, datetime] | None = None,
        extra_env: dict[str, dict[str, str]] | None = None,
    ) -> None:
        c, n = self.ctx, self.names
        created = c.start - timedelta(days=400)
        mem = mem or {}
        timeouts = timeouts or {}
        code_dates = code_dates or {}
        extra_env = extra_env or {}
        c.resource(
            "s3",
            "Bucket",
            {"Name": n["intake_bucket"], "CreationDate": iso(created), "BucketRegion": c.region},
        )
        c.resource(
            "s3",
            "Bucket",
            {"Name": n["processed_bucket"], "CreationDate": iso(created), "BucketRegion": c.region},
        )
        c.resource(
            "s3",
            "BucketPublicAccessBlock",
            {
                "Bucket": n["intake_bucket"],
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        for q, vis in ((n["queue"], 360), (n["dlq"], 30)):
            attrs = {
                "QueueArn": c.arn("sqs", q),
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp()) + 3600),
                "VisibilityTimeout": str(vis),
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600" if q == n["dlq"] else "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            }
            if q == n["queue"]:
                attrs["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": c.arn("sqs", n["dlq"]), "maxReceiveCount": 5}
                )
                attrs["Policy"] = json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AllowS3Notify",
                                "Effect": "Allow",
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": c.arn("sqs", q),
                                "Condition": {
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{n['intake_bucket']}"}
                                },
                            }
                        ],
                    }
                )
            c.resource(
                "sqs",
                "Queue",
                {
                    "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{q}",
                    "Attributes": attrs,
                    "Tags": {"team": "claims-platform", "env": self.env},
                },
            )
        for fn in ("dispatcher", *self.STAGES):
            name = n[fn]
            env = {"LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": name}
            if fn == "dispatcher":
                env["STATE_MACHINE_ARN"] = self.sm_arn
            if fn in ("extract", "classify"):
                env["PROCESSED_BUCKET"] = n["processed_bucket"]
            if fn == "persist":
                env["DB_HOST"] = f"{n['cluster']}.cluster-c{c.hexid(11)}.{c.region}.rds.amazonaws.com"
                env["DB_NAME"] = "claims"
                env["DB_SECRET_ARN"] = c.arn("secretsmanager", f"secret:claims/aurora/app-{c.hexid(6)}")
            if fn == "fraud":
                env["SCREEN_API_URL"] = "https://api.claimscreen.io/v3/screen"
                env["SCREEN_TIMEOUT_SECONDS"] = "8"
            env.update(extra_env.get(fn, {}))
            item: dict[str, Any] = {
                "FunctionName": name,
                "FunctionArn": c.arn("lambda", f"function:{name}"),
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{c.account}:role/{self.role(fn)}",
                "Handler": "app.handler",
                "CodeSize": c.rng.randint(2_000_000, 9_000_000),
                "Timeout": timeouts.get(fn, {"extract": 120, "fraud": 15, "persist": 30}.get(fn, 60)),
                "MemorySize": mem.get(fn, {"extract": 2048, "classify": 1024}.get(fn, 512)),
                "LastModified": iso_ms(
                    code_dates.get(
                        fn, c.start - timedelta(days=c.rng.randint(3, 40), minutes=c.rng.randint(0, 900))
                    )
                ),
                "CodeSha256": c.hexid(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": c.uid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            }
            if fn in ("persist", "fraud"):
                item["VpcConfig"] = {
                    "SubnetIds": n["subnets"].split(","),
                    "SecurityGroupIds": [n["sg"]],
                    "VpcId": n["vpc"],
                }
            c.resource("lambda", "FunctionConfiguration", item)
            c.resource(
                "logs",
                "LogGroup",
                {
                    "logGroupName": f"/aws/lambda/{name}",
                    "creationTime": ms(created),
                    "retentionInDays": 30,
                    "arn": c.arn("logs", f"log-group:/aws/lambda/{name}:*"),
                    "storedBytes": c.rng.randint(10**8, 10**10),
                },
            )
            c.resource(
                "iam",
                "Role",
                {
                    "Path": "/",
                    "RoleName": self.role(fn),
                    "RoleId": f"AROA{c.hexid(17).upper()}",
                    "Arn": f"arn:aws:iam::{c.account}:role/{self.role(fn)}",
                    "CreateDate": iso(created),
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                },
            )
        c.resource(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": n["esm"],
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": c.arn("sqs", n["queue"]),
                "FunctionArn": c.arn("lambda", f"function:{n['dispatcher']}"),
                "LastModified": iso(created),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
            },
        )
        definition = {
            "Comment": "Claims document pipeline",
            "StartAt": "Classify",
            "States": {
                "Classify": self._task("classify", "Extract"),
                "Extract": self._task("extract", "FraudScreen"),
                "FraudScreen": self._task("fraud", "Persist"),
                "Persist": self._task("persist", None),
                "MarkFailed": {"Type": "Fail", "Error": "DocumentProcessingFailed"},
            },
        }
        c.resource(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": self.sm_arn,
                "name": n["sm"],
                "status": "ACTIVE",
                "definition": json.dumps(definition),
                "roleArn": f"arn:aws:iam::{c.account}:role/claims-doc-pipeline-sfn",
                "type": "STANDARD",
                "creationDate": iso(created),
                "loggingConfiguration": {
                    "level": "ERROR",
                    "includeExecutionData": False,
                    "destinations": [
                        {
                            "cloudWatchLogsLogGroup": {
                                "logGroupArn": c.arn(
                                    "logs", "log-group:/aws/vendedlogs/states/claims-doc-pipeline:*"
                                )
                            }
                        }
                    ],
                },
                "tracingConfiguration": {"enabled": False},
            },
        )
        c.resource(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": c.account,
                "KeyId": n["key_id"],
                "Arn": self.key_arn,
                "CreationDate": iso(created),
                "Enabled": True,
                "Description": "claims documents at rest (intake and processed buckets)",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            },
        )
        host = f"c{c.hexid(11)}"
        c.resource(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": n["cluster"],
                "DBClusterArn": c.arn("rds", f"cluster:{n['cluster']}"),
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.6",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{n['cluster']}.cluster-{host}.{c.region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{n['cluster']}.cluster-ro-{host}.{c.region}.rds.amazonaws.com",
                "Port": 5432,
                "DatabaseName": "claims",
                "MasterUsername": "claims_admin",
                "StorageEncrypted": True,
                "DBClusterParameterGroup": "default.aurora-postgresql15",
                "DBClusterMembers": [
                    {"DBInstanceIdentifier": n["writer"], "IsClusterWriter": True, "PromotionTier": 1},
                    {"DBInstanceIdentifier": n["reader"], "IsClusterWriter": False, "PromotionTier": 1},
                ],
                "ClusterCreateTime": iso(created),
            },
        )
        for i, inst in enumerate((n["writer"], n["reader"])):
            c.resource(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": inst,
                    "DBInstanceClass": writer_class,
                    "Engine": "aurora-postgresql",
                    "EngineVersion": "15.6",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": n["cluster"],
                    "AvailabilityZone": f"{c.region}{'ab'[i]}",
                    "PubliclyAccessible": False,
                    "DBParameterGroups": [
                        {
                            "DBParameterGroupName": "default.aurora-postgresql15",
                            "ParameterApplyStatus": "in-sync",
                        }
                    ],
                    "DBInstanceArn": c.arn("rds", f"db:{inst}"),
                    "PerformanceInsightsEnabled": False,
                    "Endpoint": {"Address": f"{inst}.{host}.{c.region}.rds.amazonaws.com", "Port": 5432},
                },
            )
        c.resource(
            "sns",
            "Topic",
            {
                "TopicArn": self.topic_arn,
                "Attributes": {
                    "TopicArn": self.topic_arn,
                    "DisplayName": "claims platform alarms",
                    "SubscriptionsConfirmed": "2",
                },
            },
        )

    def _task(self, fn: str, nxt: str | None) -> dict[str, Any]:
        c = self.ctx
        t: dict[str, Any] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": c.arn("lambda", f"function:{self.names[fn]}"), "Payload.$": "$"},
            "Retry": [
                {
                    "ErrorEquals": [
                        "Lambda.ServiceException",
                        "Lambda.AWSLambdaException",
                        "Lambda.SdkClientException",
                        "Lambda.TooManyRequestsException",
                    ],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 2,
                    "BackoffRate": 2,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "MarkFailed"}],
        }
        if nxt:
            t["Next"] = nxt
        else:
            t["End"] = True
        return t

    # ---- simulation ------------------------------------------------------------------------------
    def simulate(self, tz_offset: int) -> None:
        c, n = self.ctx, self.names
        backlog = 0.0
        oldest = 0.0
        dlq = 0.0
        sm = {"StateMachineArn": self.sm_arn}
        log_every = 0
        for t in c.minutes():
            arrive = (
                self.base_per_min * self.diurnal(t, tz_offset) * self.volume(t) * c.rng.uniform(0.85, 1.15)
            )
            arrive = float(round(arrive))
            backlog += arrive
            cap = self.dispatch_cap(t)
            took = min(backlog, cap)
            backlog -= took
            if backlog > 1:
                oldest = oldest + 60 if oldest > 0 else 60.0 + c.rng.uniform(0, 30)
            else:
                oldest = c.rng.uniform(0.5, 4.0) if took else 0.0
            qd = {"QueueName": n["queue"]}
            c.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", arrive)
            c.metric("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", took)
            c.metric("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", took)
            c.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", round(backlog))
            c.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(oldest))
            c.metric(
                "AWS/SQS",
                "NumberOfEmptyReceives",
                qd,
                t,
                "Count",
                c.rng.randint(40, 90) if backlog < 1 else 0,
            )
            if dlq > 0:
                c.metric(
                    "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": n["dlq"]}, t, "Count", dlq
                )
            # dispatcher
            batches = max(1.0, took / 10)
            self._fn_metrics("dispatcher", t, batches, 0.0, 180.0 + c.rng.uniform(-30, 60))
            started = took
            alive = started
            failed = 0.0
            for st in self.STAGES:
                if alive <= 0:
                    self._fn_metrics(st, t, 0, 0, self.default_ms[st])
                    continue
                frac = self.fail[st](t) if st in self.fail else self.default_fail[st]
                dur = self.duration[st](t) if st in self.duration else self.default_ms[st]
                throttles = 0.0
                ccap = self.concurrency_cap.get(st)
                if ccap is not None:
                    need = alive * dur / 60000.0
                    if need > ccap * 0.9:
                        over = 1 - (ccap * 0.9) / need
                        throttles = alive * over * 2.4
                        frac = max(frac, over**1.6)
                nfail = float(sum(1 for _ in range(int(alive)) if c.rng.random() < frac))
                errors = 0.0 if ccap is not None and throttles else nfail
                invocations = alive - (nfail if throttles else 0.0)
                self._fn_metrics(st, t, invocations, errors, dur * c.rng.uniform(0.9, 1.12), throttles, ccap)
                if nfail and st in self.error_lines and not throttles:
                    for _ in range(min(int(nfail), 3)):
                        reqid = c.uid()
                        ts = t + timedelta(seconds=c.rng.uniform(0, 59))
                        stream = f"{t:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
                        c.log(
                            f"/aws/lambda/{n[st]}", stream, ts, f"START RequestId: {reqid} Version: $LATEST"
                        )
                        for line in self.error_lines[st](ts, reqid):
                            ts += timedelta(milliseconds=c.rng.randint(1, 40))
                            c.log(f"/aws/lambda/{n[st]}", stream, ts, line)
                        ts = max(ts, ts + timedelta(milliseconds=dur * 0.9))
                        c.log(f"/aws/lambda/{n[st]}", stream, ts, f"END RequestId: {reqid}")
                        c.log(
                            f"/aws/lambda/{n[st]}",
                            stream,
                            ts + timedelta(milliseconds=1),
                            f"REPORT RequestId: {reqid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
                            f"Memory Size: 512 MB\tMax Memory Used: {c.rng.randint(90, 160)} MB",
                        )
                if nfail and st in self.sfn_error:
                    for _ in range(min(int(nfail), 2)):
                        ts = t + timedelta(seconds=c.rng.uniform(0, 59))
                        err, cause = self.sfn_error[st](ts)
                        c.log(
                            "/aws/vendedlogs/states/claims-doc-pipeline",
                            f"states/claims-doc-pipeline/{t:%Y-%m-%d-%H-%M}/{c.hexid(8)}",
                            ts,
                            json.dumps(
                                {
                                    "id": str(c.rng.choice([9, 15, 21, 27])),
                                    "type": "ExecutionFailed",
                                    "details": {"cause": cause, "error": err},
                                    "previous_event_id": "8",
                                    "event_timestamp": str(ms(ts)),
                                    "execution_arn": c.arn("states", f"execution:{n['sm']}:{c.uid()}"),
                                    "redrive_count": "0",
                                }
                            ),
                        )
                failed += nfail
                alive -= nfail
            log_every += 1
            if log_every % 7 == 0 and took:
                self._ok_log(t)
            c.metric("AWS/States", "ExecutionsStarted", sm, t, "Count", started)
            c.metric("AWS/States", "ExecutionsSucceeded", sm, t, "Count", alive)
            if failed:
                c.metric("AWS/States", "ExecutionsFailed", sm, t, "Count", failed)
            c.metric(
                "AWS/States",
                "ExecutionTime",
                sm,
                t,
                "Milliseconds",
                sum(self.default_ms.values()) * c.rng.uniform(1.2, 1.5) + 400,
            )
            conn = self.db_conn(t) if self.db_conn else 38 + c.rng.uniform(-4, 6) + alive * 0.1
            cpu = self.db_cpu(t) if self.db_cpu else 11 + alive * 0.07 + c.rng.uniform(-2, 3)
            c.metric(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": n["writer"]},
                t,
                "Count",
                round(conn),
            )
            c.metric("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": n["writer"]}, t, "Percent", cpu)
            c.metric(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": n["reader"]},
                t,
                "Count",
                round(9 + c.rng.uniform(-2, 3)),
            )
            c.metric(
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": n["reader"]},
                t,
                "Percent",
                6 + c.rng.uniform(-1, 4),
            )
            c.metric(
                "AWS/RDS",
                "FreeableMemory",
                {"DBInstanceIdentifier": n["writer"]},
                t,
                "Bytes",
                6.1e9 - conn * 4e6 + c.rng.uniform(-5e7, 5e7),
            )

    def _fn_metrics(
        self,
        fn: str,
        t: datetime,
        inv: float,
        err: float,
        dur: float,
        throttles: float = 0.0,
        cap: int | None = None,
    ) -> None:
        c = self.ctx
        d = {"FunctionName": self.names[fn]}
        if inv <= 0:
            return
        conc = max(1.0, round(inv * dur / 60000.0 * 1.3))
        if cap is not None:
            conc = min(conc, float(cap))
        c.metric("AWS/Lambda", "Invocations", d, t, "Count", round(inv))
        c.metric("AWS/Lambda", "Errors", d, t, "Count", round(err))
        c.metric("AWS/Lambda", "Throttles", d, t, "Count", round(throttles))
        c.metric("AWS/Lambda", "Duration", d, t, "Milliseconds", dur)
        c.metric("AWS/Lambda", "ConcurrentExecutions", d, t, "Count", conc)

    def _ok_log(self, t: datetime) -> None:
        c, n = self.ctx, self.names
        claim = f"CLM-{c.rng.randint(2_000_000, 9_999_999)}"
        for st in self.STAGES:
            reqid = c.uid()
            ts = t + timedelta(seconds=c.rng.uniform(0, 50))
            dur = self.default_ms[st] * c.rng.uniform(0.8, 1.2)
            stream = f"{t:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
            g = f"/aws/lambda/{n[st]}"
            c.log(g, stream, ts, f"START RequestId: {reqid} Version: $LATEST")
            msg = {
                "classify": f"[INFO]\t{iso_ms(ts)}\t{reqid}\tclassified claim={claim} doc_type={c.rng.choice(['FNOL_FORM', 'REPAIR_ESTIMATE', 'POLICE_REPORT', 'PHOTO', 'MEDICAL_BILL'])} pages={c.rng.randint(1, 14)}",
                "extract": f"[INFO]\t{iso_ms(ts)}\t{reqid}\textracted claim={claim} fields={c.rng.randint(8, 40)} textract_pages={c.rng.randint(1, 14)}",
                "fraud": f"[INFO]\t{iso_ms(ts)}\t{reqid}\tscreen claim={claim} score={c.rng.uniform(0, 0.4):.3f} status=200 elapsed_ms={int(dur * 0.8)}",
                "persist": f"[INFO]\t{iso_ms(ts)}\t{reqid}\tupserted claim_document claim={claim} rows=1",
            }[st]
            c.log(g, stream, ts + timedelta(milliseconds=5), msg)
            c.log(g, stream, ts + timedelta(milliseconds=dur), f"END RequestId: {reqid}")
            c.log(
                g,
                stream,
                ts + timedelta(milliseconds=dur + 1),
                f"REPORT RequestId: {reqid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {c.rng.randint(90, 160)} MB",
            )

    # ---- common alarms and noise -----------------------------------------------------------------
    def standard_alarms(self) -> None:
        c, n = self.ctx, self.names
        c.add_alarm(
            AlarmSpec(
                "claims-doc-pipeline-executions-failed",
                "AWS/States",
                "ExecutionsFailed",
                {"StateMachineArn": self.sm_arn},
                "Sum",
                300,
                1,
                1,
                10,
                "GreaterThanOrEqualToThreshold",
                "Claims document pipeline: 10+ failed executions in 5 minutes. Runbook: wiki/claims/pipeline",
            )
        )
        c.add_alarm(
            AlarmSpec(
                "claims-doc-intake-queue-age",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": n["queue"]},
                "Maximum",
                60,
                10,
                10,
                600,
                "GreaterThanThreshold",
                "Oldest claims upload waiting more than 10 minutes",
            )
        )
        c.add_alarm(
            AlarmSpec(
                "claims-aurora-writer-cpu-high",
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": n["writer"]},
                "Average",
                300,
                3,
                3,
                80,
                "GreaterThanThreshold",
                "claims-aurora writer CPU > 80% for 15 minutes",
            )
        )
        c.add_alarm(
            AlarmSpec(
                f"{n['extract']}-errors",
                "AWS/Lambda",
                "Errors",
                {"FunctionName": n["extract"]},
                "Sum",
                300,
                1,
                1,
                25,
                "GreaterThanOrEqualToThreshold",
                "claims-doc-extract errors",
            )
        )
        c.add_alarm(
            AlarmSpec(
                "claims-doc-intake-dlq-not-empty",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": n["dlq"]},
                "Maximum",
                300,
                1,
                1,
                1,
                "GreaterThanOrEqualToThreshold",
                "Messages in the claims intake DLQ",
            )
        )

    def noise(self, people: list[str]) -> None:
        """Read-only tooling, routine KMS use by S3, an unrelated deploy or two."""
        c, n = self.ctx, self.names
        tool = c.identity_role("datadog-integration-role", "DatadogAWSIntegration")
        tf = c.identity_role("terraform-plan-readonly", f"gha-plan-{c.hexid(8)}")
        t = c.start + timedelta(minutes=c.rng.randint(1, 9))
        while t < c.now:
            choice = c.rng.randrange(6)
            if choice == 0:
                c.trail(
                    t,
                    "rds.amazonaws.com",
                    "DescribeDBInstances",
                    tool,
                    None,
                    None,
                    read_only=True,
                    ip="3.233.146.19",
                    agent="Datadog/1.0",
                )
            elif choice == 1:
                c.trail(
                    t,
                    "lambda.amazonaws.com",
                    "ListFunctions20150331",
                    tool,
                    {"maxItems": 50},
                    None,
                    read_only=True,
                    ip="3.233.146.19",
                    agent="Datadog/1.0",
                )
            elif choice == 2:
                c.trail(
                    t,
                    "sqs.amazonaws.com",
                    "ListQueues",
                    tool,
                    None,
                    None,
                    read_only=True,
                    ip="3.233.146.19",
                    agent="Datadog/1.0",
                )
            elif choice == 3:
                c.trail(
                    t,
                    "states.amazonaws.com",
                    "ListStateMachines",
                    tool,
                    None,
                    None,
                    read_only=True,
                    ip="3.233.146.19",
                    agent="Datadog/1.0",
                )
            elif choice == 4:
                role = c.rng.choice([self.role("extract"), self.role("classify")])
                denied = (
                    self.decrypt_denied_from is not None
                    and t >= self.decrypt_denied_from
                    and role == self.role("extract")
                )
                c.trail(
                    t,
                    "kms.amazonaws.com",
                    "Decrypt",
                    c.identity_role(role, role.removesuffix("-role"), invoked_by="s3.amazonaws.com"),
                    {
                        "encryptionContext": {
                            "aws:s3:arn": f"arn:aws:s3:::{n['intake_bucket']}/uploads/{c.hexid(8)}.pdf"
                        },
                        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    },
                    None,
                    read_only=True,
                    error=(
                        "AccessDenied",
                        f"User: arn:aws:sts::{c.account}:assumed-role/{role}/"
                        f"{role.removesuffix('-role')} is not authorized to perform: kms:Decrypt on resource: "
                        f"{self.key_arn} because no resource-based policy allows the kms:Decrypt action",
                    )
                    if denied
                    else None,
                    resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": self.key_arn}],
                )
            else:
                c.trail(
                    t,
                    "kms.amazonaws.com",
                    "GenerateDataKey",
                    c.identity_role(
                        "claims-portal-upload-role", "claims-portal-upload", invoked_by="s3.amazonaws.com"
                    ),
                    {
                        "keyId": self.key_arn,
                        "keySpec": "AES_256",
                        "encryptionContext": {
                            "aws:s3:arn": f"arn:aws:s3:::{n['intake_bucket']}/uploads/{c.hexid(8)}.pdf"
                        },
                    },
                    None,
                    read_only=True,
                    resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": self.key_arn}],
                )
            t += timedelta(minutes=c.rng.randint(3, 9), seconds=c.rng.randint(0, 59))
        # terraform plan reads every so often
        for h in range(0, 4):
            tt = c.start + timedelta(hours=h, minutes=c.rng.randint(5, 50))
            for src, name, p in (
                (
                    "sqs.amazonaws.com",
                    "GetQueueAttributes",
                    {"queueUrl": self.queue_url, "attributeNames": ["All"]},
                ),
                ("kms.amazonaws.com", "DescribeKey", {"keyId": self.key_arn}),
                ("kms.amazonaws.com", "GetKeyPolicy", {"keyId": self.key_arn, "policyName": "default"}),
                ("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": self.sm_arn}),
            ):
                c.trail(
                    tt,
                    src,
                    name,
                    tf,
                    p,
                    None,
                    read_only=True,
                    ip="20.42.7.118",
                    agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0",
                )
                tt += timedelta(seconds=c.rng.randint(1, 4))
        # an unrelated team's deploy and a person poking around
        who = c.rng.choice(people)
        human = c.identity_role("AWSReservedSSO_ClaimsDeveloper_5f1c2a9e0b7d4e31", who)
        td = c.onset - timedelta(minutes=c.rng.randint(70, 150))
        c.trail(
            td,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            c.identity_role("github-actions-deploy", f"GitHubActions-{c.hexid(10)}"),
            {
                "functionName": "claims-portal-notify",
                "publish": False,
                "dryRun": False,
                "architectures": ["arm64"],
            },
            {
                "functionName": "claims-portal-notify",
                "functionArn": c.arn("lambda", "function:claims-portal-notify"),
                "runtime": "python3.12",
                "codeSha256": c.hexid(43) + "=",
                "lastModified": iso_ms(td),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
            },
            read_only=False,
            ip="52.234.17.90",
            agent="aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        )
        tq = c.onset - timedelta(minutes=c.rng.randint(25, 50))
        c.trail(
            tq,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            human,
            {
                "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/claims-portal-notify-events",
                "attributes": {"VisibilityTimeout": "120"},
            },
            None,
            read_only=False,
            agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        )
        c.trail(
            tq - timedelta(minutes=3),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            human,
            {
                "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/claims-portal-notify-events",
                "attributeNames": ["All"],
            },
            None,
            read_only=True,
            agent="AWS Internal",
        )
