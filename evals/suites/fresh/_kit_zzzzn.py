"""Private helpers for kit zzzzn: a B2B file-integration hub (Transfer SFTP -> S3 -> Lambda -> SQS -> partners)."""

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

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class World:
    """Everything one incident's bundle holds, plus the ids of the hub's resources."""

    seed: int
    rng: random.Random
    start: datetime
    onset: datetime
    now: datetime
    end: datetime
    account: str
    region: str
    server_id: str
    bucket: str
    nat_id: str
    vpc_id: str
    subnets: list[str]
    lambda_sg: str
    db_id: str
    partners: list[str]
    metrics: list[Rec] = field(default_factory=list)
    alarms: list[Rec] = field(default_factory=list)
    history: list[Rec] = field(default_factory=list)
    logs: list[Rec] = field(default_factory=list)
    cloudtrail: list[Rec] = field(default_factory=list)
    resources: list[Rec] = field(default_factory=list)
    events: list[Rec] = field(default_factory=list)

    # --- ids ----------------------------------------------------------------------------------

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.end:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # --- records ------------------------------------------------------------------------------

    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
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

    def stat(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, vals: list[float]
    ) -> None:
        if not vals:
            return
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(vals)),
                    "Sum": round(sum(vals), 3),
                    "Minimum": round(min(vals), 3),
                    "Maximum": round(max(vals), 3),
                },
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def role_identity(self, role: str, session: str, *, ak: str | None = None) -> Rec:
        role_id = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": ak
            or "ASIA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Rec,
        req: Rec | None,
        resp: Rec | None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
        region: str | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip or f"10.40.{self.rng.randint(1, 3)}.{self.rng.randint(10, 250)}",
            "userAgent": agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
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
        self.cloudtrail.append(rec)
        return eid

    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        self.metrics.sort(key=_metric_key)
        return Bundle(
            manifest,
            {
                "metrics": self.metrics,
                "alarms": self.alarms,
                "alarm_history": self.history,
                "logs": self.logs,
                "cloudtrail": self.cloudtrail,
                "resources": self.resources,
                "events": self.events,
            },
        )


def _metric_key(r: Rec) -> tuple[str, str, str, str]:
    return (r["namespace"], r["metric"], json.dumps(r["dimensions"]), r["timestamp"])


PARTNER_POOL = [
    ("northwind", "api.northwind-logistics.com"),
    ("bluepeak", "edi.bluepeak-supply.io"),
    ("kestrel", "partners.kestrelfreight.com"),
    ("ardent", "b2b.ardent-retail.eu"),
    ("tallis", "api.tallis-wholesale.co.uk"),
    ("morrow", "inbound.morrowparts.com"),
]


def new_world(
    seed: int, *, onset_hour: tuple[int, int], after_min: tuple[int, int] = (35, 70), salt: str = ""
) -> World:
    rng = random.Random(f"{salt}:{seed}")
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    onset = day + timedelta(hours=rng.randint(*onset_hour), minutes=rng.randint(0, 59))
    start = (onset - timedelta(hours=rng.choice([3, 4]), minutes=rng.randint(5, 40))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(*after_min))
    end = now + timedelta(minutes=15)
    region = rng.choice(["eu-west-1", "eu-central-1", "us-east-2"])
    w = World(
        seed=seed,
        rng=rng,
        start=start,
        onset=onset,
        now=now,
        end=end,
        account=str(rng.randint(2 * 10**11, 9 * 10**11)),
        region=region,
        server_id="s-" + "".join(rng.choice("0123456789abcdef") for _ in range(17)),
        bucket="",
        nat_id="",
        vpc_id="",
        subnets=[],
        lambda_sg="",
        db_id=rng.choice(["filehub-mysql", "hub-mysql-prod", "integration-db"]),
        partners=[p for p, _ in rng.sample(PARTNER_POOL, 5)],
    )
    w.bucket = f"filehub-inbound-{w.account}-{region}"
    w.nat_id = "nat-0" + w.hexid(16)
    w.vpc_id = "vpc-0" + w.hexid(16)
    w.subnets = ["subnet-0" + w.hexid(16) for _ in range(4)]
    w.lambda_sg = "sg-0" + w.hexid(16)
    return w


def host_of(partner: str) -> str:
    return dict(PARTNER_POOL)[partner]


# --- the hub's normal life, with knobs an incident turns ----------------------------------------------


def _zero(_t: datetime, _p: str) -> float:
    return 0.0


@dataclass
class Knobs:
    upload_rate: Callable[[datetime, str], float]  # files a minute from one partner
    push_seconds: Callable[[datetime, str], float]  # how long one delivery to a partner takes
    push_fail: Callable[[datetime, str], float] = _zero  # share of deliveries to a partner that fail
    push_fail_line: Callable[[str], str] = lambda host: ""
    visibility: Callable[[datetime], int] = lambda _t: 720
    max_connections: int = 150
    router_extra_ms: Callable[[datetime], float] = lambda _t: 0.0
    push_capacity: Callable[[datetime], int] = lambda _t: 10**6  # deliveries a minute the mapping can start
    router_burst: Callable[[datetime], float] = lambda _t: 0.0  # extra concurrency per event in a burst


@dataclass
class Msg:
    sent: datetime
    partner: str
    key: str
    receives: int = 0
    visible_at: datetime | None = None


FN_ROUTER = "filehub-ingest-router"
FN_PUSH = "filehub-partner-push"
FN_RECON = "filehub-reconcile"
QUEUE = "filehub-partner-dispatch"
DLQ = "filehub-partner-dispatch-dlq"


def lambda_report(
    w: World, fn: str, stream: str, t: datetime, dur: float, mem: int, used: int, lines: list[str]
) -> None:
    rid = w.uid()
    w.log(f"/aws/lambda/{fn}", stream, t, f"START RequestId: {rid} Version: $LATEST")
    for i, line in enumerate(lines):
        w.log(
            f"/aws/lambda/{fn}",
            stream,
            t + timedelta(milliseconds=5 + i * dur / max(1, len(lines))),
            line.replace("{rid}", rid),
        )
    done = t + timedelta(milliseconds=dur)
    w.log(f"/aws/lambda/{fn}", stream, done, f"END RequestId: {rid}")
    w.log(
        f"/aws/lambda/{fn}",
        stream,
        done,
        f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t",
    )


def stream_name(w: World, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{w.hexid(32)}"


def simulate(w: World, k: Knobs) -> dict[str, Any]:
    """Minute by minute: SFTP uploads, the router, the dispatch queue, deliveries, the DB, the NAT."""
    rng = w.rng
    queue: list[Msg] = []
    dlq_depth = 0
    dlq_oldest: datetime | None = None
    router_streams = [stream_name(w, w.start) for _ in range(3)]
    push_streams = [stream_name(w, w.start) for _ in range(3)]
    sessions: dict[str, str] = {p: f"{p}.{w.hexid(16)}" for p in w.partners}
    stats: dict[str, Any] = {"dup": 0, "dlq": [], "router_err": 0}
    retry: list[tuple[str, str, int, int, datetime]] = []
    held = 14
    sdims = {"ServerId": w.server_id}
    for t in w.minutes():
        # uploads over SFTP
        files: list[tuple[str, str, int]] = []
        for p in w.partners:
            lam = rate0 = k.upload_rate(t, p)
            n = 0
            while lam > 0:
                if rng.random() < min(1.0, lam):
                    n += 1
                lam -= 1
            for _ in range(n):
                kind = rng.choice(["ORDERS", "INVRPT", "DESADV", "INVOIC"])
                key = f"inbound/{p}/{kind}_{t:%Y%m%d%H%M}{rng.randint(10, 59)}_{rng.randint(1000, 9999)}.edi"
                size = rng.randint(2_000, 900_000)
                files.append((p, key, size))
                if rng.random() < (0.5 if rate0 < 20 else 0.15):
                    stream = sessions[p]
                    ts = t + timedelta(seconds=rng.randint(0, 50))
                    w.log(
                        f"/aws/transfer/{w.server_id}",
                        stream,
                        ts,
                        f"{stream} OPEN Path=/{w.bucket}/{key} Mode=CREATE|TRUNCATE|WRITE",
                    )
                    w.log(
                        f"/aws/transfer/{w.server_id}",
                        stream,
                        ts + timedelta(seconds=1),
                        f"{stream} CLOSE Path=/{w.bucket}/{key} BytesIn={size}",
                    )
        w.metric("AWS/Transfer", "FilesIn", sdims, t, "Count", len(files))
        w.metric("AWS/Transfer", "BytesIn", sdims, t, "Bytes", sum(f[2] for f in files))
        # router: one async invocation per object (Lambda retries a failed event twice)
        work = [(p, key, size, 0, t) for p, key, size in files] + [r for r in retry if r[4] <= t]
        retry = [r for r in retry if r[4] > t]
        durs: list[float] = []
        for _ in work:
            durs.append(rng.uniform(180, 650) + k.router_extra_ms(t))
        conc_router = sum(durs) / 60000 * 1.6 + len(work) * k.router_burst(t)
        want = 14 + rng.randint(0, 4) + round(conc_router * 1.2)
        held = max(want, 14 + int((held - 14) * 0.8))  # idle environments keep their connection until reaped
        conns = min(k.max_connections, held)
        refuse = max(0.0, (want - k.max_connections) / max(1, want - 14))
        errs = 0
        dropped = 0
        for (p, key, size, attempt, _due), dur in zip(work, durs, strict=True):
            ts = t + timedelta(seconds=rng.randint(0, 58))
            if rng.random() < refuse:
                errs += 1
                dur = rng.uniform(40, 120)
                if rng.random() < (1.0 if len(work) < 40 else 0.4):
                    lambda_report(
                        w,
                        FN_ROUTER,
                        rng.choice(router_streams),
                        ts,
                        dur,
                        256,
                        rng.randint(88, 120),
                        [
                            f"[INFO]\t{iso(ts)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tReceived s3:ObjectCreated:Put for s3://{w.bucket}/{key} ({size} bytes)",
                            "[ERROR] OperationalError: (1040, 'Too many connections')\nTraceback (most recent call last):\n"
                            '  File "/var/task/handler.py", line 41, in handler\n    conn = db.connect()\n'
                            '  File "/var/task/db.py", line 18, in connect\n    return pymysql.connect(host=DB_HOST, user=DB_USER, password=_password(), database="filehub", connect_timeout=5)\n'
                            '  File "/var/task/pymysql/connections.py", line 361, in __init__\n    self.connect()',
                        ],
                    )
                stats["router_err"] += 1
                if attempt < 2:
                    retry.append((p, key, size, attempt + 1, t + timedelta(minutes=1 + attempt * 2)))
                else:
                    stats.setdefault("lost", []).append((t, key))
                    dropped += 1
                continue
            if rng.random() < (0.35 if len(work) < 40 else 0.08) or attempt:
                lambda_report(
                    w,
                    FN_ROUTER,
                    rng.choice(router_streams),
                    ts,
                    dur,
                    256,
                    rng.randint(88, 120),
                    [
                        f"[INFO]\t{iso(ts)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tReceived s3:ObjectCreated:Put for s3://{w.bucket}/{key} ({size} bytes)",
                        f"[INFO]\t{iso(ts)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\trouted {key} partner={p} -> {QUEUE}",
                    ],
                )
            queue.append(Msg(sent=ts, partner=p, key=key, visible_at=ts))
        sent_now = len(work) - errs
        fd = {"FunctionName": FN_ROUTER}
        w.metric("AWS/Lambda", "Invocations", fd, t, "Count", len(work))
        w.metric("AWS/Lambda", "Errors", fd, t, "Count", errs)
        w.metric("AWS/Lambda", "Throttles", fd, t, "Count", 0)
        w.metric("AWS/Lambda", "AsyncEventsReceived", fd, t, "Count", len(files))
        w.metric("AWS/Lambda", "AsyncEventsDropped", fd, t, "Count", dropped)
        w.stat("AWS/Lambda", "Duration", fd, t, "Milliseconds", durs)
        if work:
            w.metric("AWS/Lambda", "ConcurrentExecutions", fd, t, "Count", max(1, round(conc_router)))
        # dispatch queue, consumed by the push function
        v = k.visibility(t)
        received = deleted = 0
        pdurs: list[float] = []
        perrs = 0
        for m in list(queue):
            if m.visible_at is None or m.visible_at > t + timedelta(seconds=59):
                continue
            if received >= k.push_capacity(t):
                break
            if m.receives >= 3:
                queue.remove(m)
                dlq_depth += 1
                dlq_oldest = dlq_oldest or t
                stats["dlq"].append((t, m.partner))
                continue
            m.receives += 1
            received += 1
            at = max(m.visible_at, t) + timedelta(seconds=rng.randint(0, 8))
            host = host_of(m.partner)
            secs = k.push_seconds(at, m.partner) * rng.uniform(0.6, 1.4)
            failed = rng.random() < k.push_fail(at, m.partner)
            if failed:
                secs = min(secs, 60.0)
            pdurs.append(secs * 1000)
            lines = [
                f"[INFO]\t{iso(at)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tdelivering {m.key} to https://{host}/ (attempt {m.receives})"
            ]
            if failed:
                perrs += 1
                lines.append(
                    f"[ERROR]\t{iso(at)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\t{k.push_fail_line(host)}"
                )
                m.visible_at = at + timedelta(seconds=v)
            else:
                if m.receives > 1 and rng.random() < 0.5:
                    lines.append(
                        f"[WARNING]\t{iso(at)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tpartner {m.partner} answered 409 Conflict: document already received; treating as delivered"
                    )
                else:
                    lines.append(
                        f"[INFO]\t{iso(at)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tdelivered {m.key} to {m.partner}: HTTP 202 in {secs:.1f}s"
                    )
                if m.receives > 1:
                    stats["dup"] += 1
                if secs > v:
                    m.visible_at = at + timedelta(seconds=v)
                else:
                    queue.remove(m)
                    deleted += 1
            if rng.random() < 0.5 or failed or m.receives > 1:
                lambda_report(
                    w, FN_PUSH, rng.choice(push_streams), at, secs * 1000, 512, rng.randint(140, 210), lines
                )
        qd = {"QueueName": QUEUE}
        visible = [m for m in queue if m.visible_at and m.visible_at <= t + timedelta(seconds=59)]
        w.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent_now)
        w.metric("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", received)
        w.metric("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", deleted)
        w.metric("AWS/SQS", "NumberOfEmptyReceives", qd, t, "Count", rng.randint(55, 75))
        w.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", len(visible))
        w.metric(
            "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, "Count", len(queue) - len(visible)
        )
        oldest = min((m.sent for m in queue), default=None)
        w.metric(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            t,
            "Seconds",
            int((t + timedelta(seconds=60) - oldest).total_seconds()) if oldest else 0,
        )
        dd = {"QueueName": DLQ}
        w.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", dlq_depth)
        w.metric(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dd,
            t,
            "Seconds",
            (t - dlq_oldest).total_seconds() if dlq_oldest else 0,
        )
        pd = {"FunctionName": FN_PUSH}
        w.metric("AWS/Lambda", "Invocations", pd, t, "Count", received)
        w.metric("AWS/Lambda", "Errors", pd, t, "Count", perrs)
        w.metric("AWS/Lambda", "Throttles", pd, t, "Count", 0)
        w.stat("AWS/Lambda", "Duration", pd, t, "Milliseconds", pdurs)
        conc_push = sum(pdurs) / 60000
        if received:
            w.metric("AWS/Lambda", "ConcurrentExecutions", pd, t, "Count", max(1, round(conc_push)))
        # database and NAT gateway
        dbd = {"DBInstanceIdentifier": w.db_id}
        w.metric("AWS/RDS", "DatabaseConnections", dbd, t, "Count", conns)
        w.metric(
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            t,
            "Percent",
            6 + rng.uniform(0, 4) + len(files) * 0.25 + conns * 0.05,
        )
        w.metric(
            "AWS/RDS",
            "FreeableMemory",
            dbd,
            t,
            "Bytes",
            610_000_000 - conns * 2_400_000 + rng.randint(0, 9_000_000),
        )
        w.metric("AWS/RDS", "WriteIOPS", dbd, t, "Count/Second", 4 + len(files) * 0.6 + rng.uniform(0, 2))
        w.metric("AWS/RDS", "ReadIOPS", dbd, t, "Count/Second", 1 + rng.uniform(0, 1.5))
        nd = {"NatGatewayId": w.nat_id}
        w.metric(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            nd,
            t,
            "Count",
            6 + rng.randint(0, 5) + round(conc_push * 1.3),
        )
        w.metric(
            "AWS/NATGateway", "ConnectionEstablishedCount", nd, t, "Count", 9 + rng.randint(0, 6) + received
        )
        w.metric("AWS/NATGateway", "ConnectionAttemptCount", nd, t, "Count", 9 + rng.randint(0, 6) + received)
        w.metric(
            "AWS/NATGateway",
            "BytesOutToDestination",
            nd,
            t,
            "Bytes",
            400_000 + received * rng.randint(60_000, 350_000),
        )
        w.metric(
            "AWS/NATGateway",
            "BytesInFromDestination",
            nd,
            t,
            "Bytes",
            900_000 + received * rng.randint(4_000, 9_000),
        )
        w.metric("AWS/NATGateway", "ErrorPortAllocation", nd, t, "Count", 0)
        w.metric("AWS/NATGateway", "IdleTimeoutCount", nd, t, "Count", rng.randint(0, 2))
        w.metric("AWS/NATGateway", "PacketsDropCount", nd, t, "Count", 0)
        stats.setdefault("conns", []).append((t, conns, conc_router))
    return stats


# --- the account around the hub -------------------------------------------------------------------


def resources(
    w: World,
    *,
    visibility: int,
    push_timeout: int = 120,
    max_receive: int = 3,
    db_class: str = "db.t3.small",
    queue_modified: datetime | None = None,
) -> None:
    created = w.start - timedelta(days=w.rng.randint(200, 500))
    queue_modified = queue_modified or created + timedelta(days=30)
    w.resource(
        "transfer",
        "DescribedServer",
        {
            "Arn": w.arn("transfer", f"server/{w.server_id}"),
            "ServerId": w.server_id,
            "Domain": "S3",
            "EndpointType": "PUBLIC",
            "IdentityProviderType": "SERVICE_MANAGED",
            "LoggingRole": f"arn:aws:iam::{w.account}:role/filehub-transfer-logging",
            "Protocols": ["SFTP"],
            "SecurityPolicyName": "TransferSecurityPolicy-2024-01",
            "State": "ONLINE",
            "UserCount": len(w.partners) + 2,
            "HostKeyFingerprint": "SHA256:" + w.hexid(43),
            "Tags": [
                {"Key": "app", "Value": "filehub"},
                {"Key": "transfer:customHostname", "Value": "sftp.filehub.example.com"},
            ],
        },
    )
    w.resource("s3", "Bucket", {"Name": w.bucket, "CreationDate": iso(created), "BucketRegion": w.region})
    role = f"arn:aws:iam::{w.account}:role/"
    subnets = w.subnets[:2]
    vpc = {"SubnetIds": subnets, "SecurityGroupIds": [w.lambda_sg], "VpcId": w.vpc_id}
    for fn, mem, timeout, handler, desc in (
        (FN_ROUTER, 256, 30, "handler.handler", "Routes new SFTP uploads to partners"),
        (FN_PUSH, 512, push_timeout, "push.handler", "Delivers routed files to partner HTTPS APIs"),
        (FN_RECON, 512, 900, "reconcile.handler", "Nightly delivery reconciliation"),
    ):
        w.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": w.arn("lambda", f"function:{fn}"),
                "Runtime": "python3.12",
                "Role": role + fn + "-role",
                "Handler": handler,
                "CodeSize": w.rng.randint(900_000, 4_000_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (w.start - timedelta(days=w.rng.randint(3, 40))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": w.hexid(43) + "=",
                "Version": "$LATEST",
                "VpcConfig": vpc,
                "Environment": {
                    "Variables": {
                        "DB_HOST": f"{w.db_id}.c{w.hexid(11)}.{w.region}.rds.amazonaws.com",
                        "DB_SECRET_ID": "filehub/mysql/app",
                        "DISPATCH_QUEUE_URL": f"https://sqs.{w.region}.amazonaws.com/{w.account}/{QUEUE}",
                    }
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            },
        )
    w.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": w.uid(),
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": w.arn("sqs", QUEUE),
            "FunctionArn": w.arn("lambda", f"function:{FN_PUSH}"),
            "LastModified": iso(created + timedelta(days=2)),
            "LastProcessingResult": "No records processed",
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "ScalingConfig": {"MaximumConcurrency": 50},
        },
    )
    base_url = f"https://sqs.{w.region}.amazonaws.com/{w.account}/"
    w.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": base_url + QUEUE,
            "Attributes": {
                "QueueArn": w.arn("sqs", QUEUE),
                "VisibilityTimeout": str(visibility),
                "MessageRetentionPeriod": "345600",
                "MaximumMessageSize": "262144",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": w.arn("sqs", DLQ), "maxReceiveCount": max_receive}
                ),
                "SqsManagedSseEnabled": "true",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(queue_modified.timestamp())),
            },
            "Tags": {"app": "filehub", "team": "integrations"},
        },
    )
    w.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": base_url + DLQ,
            "Attributes": {
                "QueueArn": w.arn("sqs", DLQ),
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "MaximumMessageSize": "262144",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "SqsManagedSseEnabled": "true",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp())),
            },
            "Tags": {"app": "filehub", "team": "integrations"},
        },
    )
    w.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": w.db_id,
            "DBInstanceClass": db_class,
            "Engine": "mysql",
            "EngineVersion": "8.0.39",
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "Endpoint": {"Address": f"{w.db_id}.c{w.hexid(11)}.{w.region}.rds.amazonaws.com", "Port": 3306},
            "AllocatedStorage": 100,
            "StorageType": "gp3",
            "InstanceCreateTime": iso(created),
            "MultiAZ": False,
            "AvailabilityZone": f"{w.region}a",
            "DBParameterGroups": [
                {"DBParameterGroupName": "default.mysql8.0", "ParameterApplyStatus": "in-sync"}
            ],
            "DBSubnetGroup": {
                "DBSubnetGroupName": "filehub-db",
                "VpcId": w.vpc_id,
                "SubnetGroupStatus": "Complete",
            },
            "PreferredMaintenanceWindow": "sun:03:10-sun:03:40",
            "PreferredBackupWindow": "01:30-02:00",
            "BackupRetentionPeriod": 7,
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DBInstanceArn": w.arn("rds", f"db:{w.db_id}"),
            "PerformanceInsightsEnabled": False,
            "TagList": [{"Key": "app", "Value": "filehub"}],
        },
    )
    w.resource(
        "ec2",
        "NatGateway",
        {
            "NatGatewayId": w.nat_id,
            "VpcId": w.vpc_id,
            "SubnetId": w.subnets[2],
            "State": "available",
            "CreateTime": iso(created),
            "ConnectivityType": "public",
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-0" + w.hexid(16),
                    "NetworkInterfaceId": "eni-0" + w.hexid(16),
                    "PrivateIp": "10.40.0." + str(w.rng.randint(10, 200)),
                    "PublicIp": f"52.{w.rng.randint(16, 90)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}",
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "Tags": [{"Key": "Name", "Value": "filehub-nat-a"}],
        },
    )
    w.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": w.lambda_sg,
            "GroupName": "filehub-lambda",
            "Description": "filehub Lambda functions",
            "VpcId": w.vpc_id,
            "OwnerId": w.account,
            "IpPermissions": [],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "partner APIs and AWS endpoints"}],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 3306,
                    "ToPort": 3306,
                    "IpRanges": [{"CidrIp": "10.40.0.0/16", "Description": "filehub mysql"}],
                },
            ],
        },
    )
    for fn in (FN_ROUTER, FN_PUSH, FN_RECON):
        w.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{fn}",
                "creationTime": ms(created),
                "retentionInDays": 30,
                "storedBytes": w.rng.randint(10**8, 10**9),
            },
        )
    w.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/transfer/{w.server_id}",
            "creationTime": ms(created),
            "retentionInDays": 90,
            "storedBytes": w.rng.randint(10**8, 10**9),
        },
    )


def alarm(
    w: World,
    name: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    n: int,
    threshold: float,
    op: str,
    desc: str,
    *,
    treat: str = "missing",
) -> Rec:
    a: Rec = {
        "AlarmName": name,
        "AlarmArn": w.arn("cloudwatch", f"alarm:{name}"),
        "AlarmDescription": desc,
        "AlarmConfigurationUpdatedTimestamp": iso(w.start - timedelta(days=w.rng.randint(20, 200))),
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [w.arn("sns", "filehub-oncall")],
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": "Threshold Crossed: no datapoints were breaching",
        "StateUpdatedTimestamp": iso(
            w.start - timedelta(days=w.rng.randint(1, 6), minutes=w.rng.randint(0, 600))
        ),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": n,
        "DatapointsToAlarm": n,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat,
    }
    w.alarms.append(a)
    return a


def _agg(vals: list[float], stat: str) -> float:
    if stat == "Sum":
        return sum(vals)
    if stat == "Maximum":
        return max(vals)
    if stat == "Minimum":
        return min(vals)
    return sum(vals) / len(vals)


def evaluate(w: World) -> dict[str, Rec]:
    """Run each alarm over the metrics; record state changes as history and keep the state at `now`."""
    series: dict[tuple[str, str, str], dict[datetime, list[float]]] = {}
    for m in w.metrics:
        key = (m["namespace"], m["metric"], json.dumps(m["dimensions"], sort_keys=True))
        t = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
        if "value" in m:
            vals = [m["value"]]
        else:
            sv = m["statistic_values"]
            vals = [sv["Sum"] / sv["SampleCount"]] * int(sv["SampleCount"])
            vals[0:1] = [sv["Maximum"]] if sv["SampleCount"] == 1 else vals[0:1]
        series.setdefault(key, {})[t] = vals
    events: dict[str, Rec] = {}
    ops: dict[str, Callable[[float, float], bool]] = {
        "GreaterThanThreshold": lambda a, b: a > b,
        "GreaterThanOrEqualToThreshold": lambda a, b: a >= b,
        "LessThanThreshold": lambda a, b: a < b,
        "LessThanOrEqualToThreshold": lambda a, b: a <= b,
    }
    for a in w.alarms:
        dims = {d["Name"]: d["Value"] for d in a["Dimensions"]}
        data = series.get((a["Namespace"], a["MetricName"], json.dumps(dims, sort_keys=True)), {})
        state = "OK"
        period = timedelta(seconds=a["Period"])
        t = w.start + timedelta(minutes=10)
        window: list[bool | None] = []
        while t <= w.now:
            b0 = t - period
            vals = [v for ts, vs in data.items() if b0 <= ts < t for v in vs]
            val = _agg(vals, a["Statistic"]) if vals else None
            window.append(None if val is None else ops[a["ComparisonOperator"]](val, a["Threshold"]))
            recent = window[-a["EvaluationPeriods"] :]
            if len(recent) == a["EvaluationPeriods"]:
                known = [x for x in recent if x is not None]
                new = state
                if known and all(known) and len(known) == len(recent):
                    new = "ALARM"
                elif known and not any(recent):
                    new = "OK"
                if new != state:
                    shown = f"{val:.1f}" if val is not None else "0.0"
                    reason = (
                        f"Threshold Crossed: {a['EvaluationPeriods']} out of the last {a['EvaluationPeriods']} datapoints "
                        f"[{shown} ({b0:%d/%m/%y %H:%M:%S})] was {'greater' if new == 'ALARM' and 'Greater' in a['ComparisonOperator'] else 'not greater'} than the threshold ({a['Threshold']})."
                    )
                    data_json: Rec = {
                        "version": "1.0",
                        "oldState": {"stateValue": state, "stateReason": a["StateReason"]},
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": {
                                "version": "1.0",
                                "queryDate": iso(t)[:-1] + ".000+0000",
                                "startDate": iso(b0)[:-1] + ".000+0000",
                                "statistic": a["Statistic"],
                                "period": a["Period"],
                                "recentDatapoints": [float(shown)],
                                "threshold": a["Threshold"],
                                "evaluatedDatapoints": [
                                    {
                                        "timestamp": iso(b0)[:-1] + ".000+0000",
                                        "sampleCount": float(len(vals)),
                                        "value": float(shown),
                                    }
                                ],
                            },
                        },
                    }
                    w.history.append(
                        {
                            "AlarmName": a["AlarmName"],
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso(t + timedelta(seconds=w.rng.randint(5, 40))),
                            "HistoryItemType": "StateUpdate",
                            "HistorySummary": f"Alarm updated from {state} to {new}",
                            "HistoryData": json.dumps(data_json),
                        }
                    )
                    ev = {
                        "time": t,
                        "old": state,
                        "new": new,
                        "reason": reason,
                        "data": data_json,
                        "old_reason": a["StateReason"],
                        "old_time": a["StateUpdatedTimestamp"],
                    }
                    if new == "ALARM":
                        events.setdefault(a["AlarmName"], ev)
                        events[a["AlarmName"] + "#last"] = ev
                    a["StateValue"], a["StateReason"] = new, reason
                    a["StateReasonData"] = json.dumps(data_json["newState"]["stateReasonData"])
                    a["StateUpdatedTimestamp"] = iso(t)
                    state = new
            t += timedelta(minutes=1)
    return events


def alarm_event(w: World, a: Rec, ev: Rec) -> Rec:
    return {
        "version": "0",
        "id": w.uid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": w.account,
        "time": iso(ev["time"]),
        "region": w.region,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": {
                "value": ev["new"],
                "reason": ev["reason"],
                "reasonData": json.dumps(ev["data"]["newState"]["stateReasonData"]),
                "timestamp": iso(ev["time"])[:-1] + ".000+0000",
            },
            "previousState": {
                "value": ev["old"],
                "reason": ev["old_reason"],
                "timestamp": ev["old_time"][:-1] + ".000+0000",
            },
            "configuration": {
                "description": a["AlarmDescription"],
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": a["Namespace"],
                                "name": a["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                            },
                            "period": a["Period"],
                            "stat": a["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def standard_alarms(w: World) -> dict[str, Rec]:
    out = {}
    out["dlq"] = alarm(
        w,
        "filehub-dispatch-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": DLQ},
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        "Partner deliveries are failing into the dead-letter queue",
    )
    out["age"] = alarm(
        w,
        "filehub-dispatch-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": QUEUE},
        "Maximum",
        300,
        3,
        1800,
        "GreaterThanThreshold",
        "Partner dispatch backlog older than 30 min",
    )
    out["router"] = alarm(
        w,
        "filehub-ingest-router-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": FN_ROUTER},
        "Sum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        "ingest router failing",
        treat="notBreaching",
    )
    out["push"] = alarm(
        w,
        "filehub-partner-push-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": FN_PUSH},
        "Sum",
        300,
        2,
        15,
        "GreaterThanThreshold",
        "partner push failing",
        treat="notBreaching",
    )
    out["cpu"] = alarm(
        w,
        f"{w.db_id}-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": w.db_id},
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "filehub MySQL CPU",
    )
    out["nat"] = alarm(
        w,
        "filehub-nat-port-allocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": w.nat_id},
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        "NAT gateway out of source ports",
        treat="notBreaching",
    )
    return out


def noise(w: World, *, changes_near: list[tuple[datetime, str]] | None = None) -> None:
    """Read-only tooling, service role assumptions, and routine innocent changes."""
    rng = w.rng
    mon = w.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration")
    dd_agent = "Datadog-AWS-Integration/1.0 (python 3.11)"
    t = w.start + timedelta(minutes=rng.randint(0, 9))
    calls: list[tuple[str, str, Rec | None, Rec | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", {}, None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None, None),
        ("sqs.amazonaws.com", "ListQueues", {}, None),
        ("ec2.amazonaws.com", "DescribeNatGateways", {"describeNatGatewaysRequest": {}}, None),
        ("transfer.amazonaws.com", "ListServers", {}, None),
        ("monitoring.amazonaws.com", "DescribeAlarms", {}, None),
    ]
    while t < w.end:
        src, name, req, resp = rng.choice(calls)
        w.trail(
            t,
            src,
            name,
            mon,
            req,
            resp,
            read_only=True,
            agent=dd_agent,
            ip=rng.choice(["3.233.147.12", "34.231.88.201", "52.20.113.9"]),
        )
        t += timedelta(minutes=rng.randint(4, 11), seconds=rng.randint(0, 59))
    for fn in (FN_ROUTER, FN_PUSH):
        t = w.start + timedelta(minutes=rng.randint(0, 30))
        while t < w.end:
            w.trail(
                t,
                "sts.amazonaws.com",
                "AssumeRole",
                {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
                {"roleArn": f"arn:aws:iam::{w.account}:role/{fn}-role", "roleSessionName": fn},
                {
                    "credentials": {
                        "accessKeyId": "ASIA" + w.hexid(16).upper(),
                        "sessionToken": "IQoJb3JpZ2luX2VjE...",
                        "expiration": iso(t + timedelta(hours=12)),
                    }
                },
                read_only=True,
                agent="lambda.amazonaws.com",
                ip="lambda.amazonaws.com",
                resources=[
                    {
                        "accountId": w.account,
                        "type": "AWS::IAM::Role",
                        "ARN": f"arn:aws:iam::{w.account}:role/{fn}-role",
                    }
                ],
            )
            ident = w.role_identity(f"{fn}-role", fn)
            w.trail(
                t + timedelta(seconds=2),
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                ident,
                {"secretId": "filehub/mysql/app"},
                None,
                read_only=True,
                agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226 lang/python#3.12.6 exec-env/AWS_Lambda_python3.12",
            )
            t += timedelta(minutes=rng.randint(25, 70))
    for p in w.partners:
        t = w.start + timedelta(minutes=rng.randint(0, 90))
        while t < w.end:
            w.trail(
                t,
                "sts.amazonaws.com",
                "AssumeRole",
                {"type": "AWSService", "invokedBy": "transfer.amazonaws.com"},
                {
                    "roleArn": f"arn:aws:iam::{w.account}:role/filehub-sftp-partner",
                    "roleSessionName": f"{p}.{w.hexid(16)}",
                },
                {
                    "credentials": {
                        "accessKeyId": "ASIA" + w.hexid(16).upper(),
                        "sessionToken": "IQoJb3JpZ2luX2VjE...",
                        "expiration": iso(t + timedelta(hours=1)),
                    }
                },
                read_only=True,
                agent="transfer.amazonaws.com",
                ip="transfer.amazonaws.com",
            )
            t += timedelta(minutes=rng.randint(50, 130))


def deploy(w: World, t: datetime, fn: str) -> str:
    t = t + timedelta(seconds=w.rng.randint(1, 59))
    ci = w.role_identity("github-actions-filehub-deploy", f"GitHubActions-{w.rng.randint(10**9, 10**10)}")
    sha = w.hexid(43) + "="
    return w.trail(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn,
            "s3Bucket": f"filehub-artifacts-{w.account}",
            "s3Key": f"{fn}/{w.hexid(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": fn,
            "functionArn": w.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "codeSha256": sha,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
        },
        read_only=False,
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
        ip=f"20.{w.rng.randint(40, 200)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}",
    )


def sso(w: World, user: str) -> Rec:
    return w.role_identity("AWSReservedSSO_PlatformEngineer_5e1c" + w.hexid(12), user)


def console_reads(w: World, user: str, t0: datetime, calls: list[tuple[str, str, Rec | None]]) -> None:
    ident = sso(w, user)
    t = t0
    for src, name, req in calls:
        w.trail(
            t,
            src,
            name,
            ident,
            req,
            None,
            read_only=True,
            agent="AWS Internal",
            ip=f"81.{w.rng.randint(2, 200)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}",
        )
        t += timedelta(seconds=w.rng.randint(8, 70))


def import_key(w: World, t: datetime, partner: str, user: str) -> str:
    t = t + timedelta(seconds=w.rng.randint(1, 59))
    return w.trail(
        t,
        "transfer.amazonaws.com",
        "ImportSshPublicKey",
        sso(w, user),
        {
            "serverId": w.server_id,
            "sshPublicKeyBody": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ... " + partner,
            "userName": partner,
        },
        {"serverId": w.server_id, "sshPublicKeyId": "key-" + w.hexid(17), "userName": partner},
        read_only=False,
        agent="AWS Internal",
        ip=f"81.{w.rng.randint(2, 200)}.{w.rng.randint(0, 255)}.{w.rng.randint(1, 254)}",
    )
