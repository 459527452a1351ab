"""Month-end: a card-settlement partner drops its whole batch at once, every file fans out to its own ingest
Lambda, and the small Aurora writer runs out of connections (max_connections 90 on db.t4g.medium)."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzs as k

NAME = "filex-month-end-batch-exhausts-aurora-connections"
TITLE = "filex-inbound-ingest errors alarm during the month-end settlement drop"
SUMMARY = (
    "A partner's month-end batch of card-settlement files lands by SFTP in a few minutes; S3 notifications run "
    "one ingest Lambda per file with no concurrency cap, and each opens its own connection until the "
    "db.t4g.medium Aurora writer refuses more (MySQL error 1040)."
)

TRACE = (
    'Traceback (most recent call last):\n  File "/var/task/app.py", line 66, in handler\n    conn = _connect(creds)\n'
    '  File "/var/task/app.py", line 47, in _connect\n    return pymysql.connect(host=creds["host"], user=creds["username"], '
    'password=creds["password"], database="ledger", connect_timeout=5)\n'
    '  File "/opt/python/pymysql/connections.py", line 361, in __init__\n    self.connect()\n'
    '  File "/opt/python/pymysql/connections.py", line 669, in connect\n    self._request_authentication()\n'
    '  File "/opt/python/pymysql/connections.py", line 957, in _request_authentication\n    auth_packet = self._read_packet()\n'
    '  File "/opt/python/pymysql/connections.py", line 775, in _read_packet\n    packet.raise_for_error()\n'
    '  File "/opt/python/pymysql/protocol.py", line 219, in raise_for_error\n    err.raise_mysql_exception(self._data)\n'
    '  File "/opt/python/pymysql/err.py", line 150, in raise_mysql_exception\n    raise errorclass(errno, errval)\n'
)
CAP = 90


def build(seed: int) -> Bundle:
    probe = k.Ctx(seed, NAME, datetime(2026, 1, 1, tzinfo=k.UTC), timedelta(0), timedelta(0))
    r0 = probe.rng
    month = r0.choice((9, 10, 11))
    last = {9: 30, 10: 30, 11: 30}[month]
    onset = datetime(2026, month, last, r0.randint(15, 17), r0.randint(0, 50), tzinfo=k.UTC)
    c = k.Ctx(
        seed,
        NAME,
        onset,
        timedelta(hours=3, minutes=r0.randint(25, 55)),
        timedelta(minutes=r0.randint(38, 55)),
    )
    r = c.rng
    burst_min = r.randint(7, 10)
    burst_rate = r.uniform(430, 520)
    k.resources(c, instance_class="db.t4g.medium")

    def in_burst(t: datetime) -> bool:
        return onset <= t < onset + timedelta(minutes=burst_min)

    def rate(t: datetime) -> float:
        if in_burst(t):
            return burst_rate
        if onset + timedelta(minutes=burst_min) <= t < onset + timedelta(minutes=burst_min + 20):
            return 6.0  # S3's asynchronous retries of failed files, then the tail
        return 0.8 + (1.2 if t.minute < 5 else 0)

    def pick(t: datetime) -> str | None:
        return "meridian-cards" if in_burst(t) else None

    def ingest(cx: k.Ctx, t: datetime, cold: bool, partner: str, key: str) -> k.Outcome:
        if not in_burst(t) and not (t >= onset and cx.rng.random() < 0.08):
            return k.ok_ingest(cx, t, cold, partner, key)
        load = burst_rate * 15.5 / 60.0
        p_fail = max(0.0, 1.0 - (CAP - 8) / load) if in_burst(t) else 0.0
        if cx.rng.random() < p_fail:
            d = cx.rng.uniform(60, 260)
            body = [
                (12, "[INFO]\t{ts}\t{req}\t" + f"received s3://{cx.inbound_bucket}/{partner}/{key}\n"),
                (d - 4, f"[ERROR] OperationalError: (1040, 'Too many connections')\n{TRACE}"),
            ]
            return k.Outcome(d, body, error=True, secret_read=cold)
        ok = k.ok_ingest(cx, t, cold, partner, key)
        d = ok.duration_ms + cx.rng.uniform(8000, 21000)
        ok.body[-1] = (d - 20, ok.body[-1][1])
        return k.Outcome(d, ok.body, secret_read=cold)

    conc = k.simulate(c, rate, ingest, pick=pick, lifetime=(20, 60), log_every=2)
    k.dispatch_runs(c)
    k.rds_metrics(
        c,
        conc,
        conn_cap=CAP,
        mem_mb=1150,
        extra_cpu=lambda t, i: 0.0 if not in_burst(t) or i.endswith("-2") else -48.0,
    )
    k.background_trail(c, 50)

    ci = c.identity("gha-terraform-apply", "GitHubActions")
    dev = c.identity(
        "AWSReservedSSO_FilexDeveloper_3b9a0e44c2d1f7a6", "tom.ashdown@northbank.example", sso=True
    )
    tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0"
    t1 = onset - timedelta(minutes=r.randint(95, 150))
    c.trail(
        t1,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": k.INGEST, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": k.INGEST,
            "functionArn": c.fn_arn(k.INGEST),
            "runtime": "python3.12",
            "role": c.role_arn(f"{k.INGEST}-role"),
            "handler": "app.handler",
            "codeSize": 6120874,
            "timeout": 60,
            "memorySize": 1024,
            "lastModified": k.iso(t1).replace("Z", ".000+0000"),
            "codeSha256": c.hexid(43) + "=",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent=tf,
        ip=f"20.26.{r.randint(0, 255)}.{r.randint(1, 254)}",
    )
    t2 = onset - timedelta(minutes=r.randint(20, 50))
    c.trail(
        t2,
        dev,
        "transfer.amazonaws.com",
        "ImportSshPublicKey",
        {
            "serverId": c.server_id,
            "userName": "fenwick-fx",
            "sshPublicKeyBody": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"serverId": c.server_id, "sshPublicKeyId": "key-" + c.hexid(17), "userName": "fenwick-fx"},
        read_only=False,
        agent="AWS Internal",
        ip="10.40.71.9",
    )
    t3 = onset + timedelta(minutes=r.randint(14, 24))
    for i, (src, name, params) in enumerate(
        (
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": f"{k.CLUSTER}-1"}),
            ("lambda.amazonaws.com", "GetFunctionConcurrency", {"functionName": k.INGEST}),
            (
                "rds.amazonaws.com",
                "DescribeDBClusterParameters",
                {"dBClusterParameterGroupName": "filex-aurora-mysql8", "source": "user"},
            ),
        )
    ):
        c.trail(
            t3 + timedelta(minutes=i),
            dev,
            src,
            name,
            params if isinstance(params, dict) else None,
            None,
            read_only=True,
            agent="AWS Internal",
            ip="10.40.71.9",
        )

    k.standard_alarms(c)
    c.alarm(
        "filex-aurora-connections-high",
        "filex Aurora writer connections above 80",
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": f"{k.CLUSTER}-1"},
        "Maximum",
        60,
        5,
        5,
        80.0,
        "GreaterThanThreshold",
        "missing",
        created=c.start - timedelta(days=40),
    )
    return c.bundle(
        TITLE,
        {"question": None, "alarm_event": c.alarm_event("filex-inbound-ingest-errors")},
        {
            "no_fault": False,
            "root_cause": {
                "resource": f"{k.CLUSTER}-1",
                "category": "limit",
                "failure_mode": "aurora-max-connections-exhausted",
            },
            "also_accept": [k.CLUSTER, c.arn("rds", f"db:{k.CLUSTER}-1")],
            "actions": ["scale", "reconfigure"],
            "chain": [f"{k.CLUSTER}-1", k.INGEST, c.server_id],
        },
    )
