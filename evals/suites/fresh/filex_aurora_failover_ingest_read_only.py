"""An AWS-initiated Aurora failover moves the writer to the other instance; the ingest Lambda's credentials
secret names the old writer's instance endpoint, so every load now lands on a read-only replica."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzs as k

NAME = "filex-aurora-failover-leaves-ingest-on-read-only-instance"
TITLE = "Partner file loads failing since early afternoon; ledger writes rejected"
SUMMARY = (
    "The Aurora writer's host fails and RDS fails over to the second instance without anyone asking; the "
    "ingest Lambda connects to the old writer's instance endpoint (from its secret) and every insert now hits "
    "a read-only reader with MySQL error 1290."
)

TRACE = (
    'Traceback (most recent call last):\n  File "/var/task/app.py", line 74, in handler\n    _load_rows(conn, batch)\n'
    '  File "/var/task/app.py", line 52, in _load_rows\n    cur.executemany(INSERT_TXN, rows)\n'
    '  File "/opt/python/pymysql/cursors.py", line 182, in executemany\n    return self._do_execute_many(\n'
    '  File "/opt/python/pymysql/cursors.py", line 220, in _do_execute_many\n    rows += self.execute(sql + postfix)\n'
    '  File "/opt/python/pymysql/cursors.py", line 153, in execute\n    result = self._query(query)\n'
    '  File "/opt/python/pymysql/err.py", line 150, in raise_mysql_exception\n    raise errorclass(errno, errval)\n'
)


def build(seed: int) -> Bundle:
    probe = k.Ctx(seed, NAME, datetime(2026, 1, 1, tzinfo=k.UTC), timedelta(0), timedelta(0))
    onset = k.onset_for(probe.rng, None, (12, 13))
    c = k.Ctx(
        seed,
        NAME,
        onset,
        timedelta(hours=3, minutes=probe.rng.randint(25, 55)),
        timedelta(minutes=probe.rng.randint(40, 55)),
    )
    r = c.rng
    k.resources(c, writer=2)
    host1 = f"{k.CLUSTER}-1.{c.dns_suffix}.{k.REGION}.rds.amazonaws.com"
    down = onset + timedelta(seconds=r.randint(25, 40))
    back = onset + timedelta(minutes=r.randint(4, 6))

    def rate(t: datetime) -> float:
        return 1.1 + (1.4 if t.minute < 6 else 0.0)

    def ingest(cx: k.Ctx, t: datetime, cold: bool, partner: str, key: str) -> k.Outcome:
        if t < onset:
            ok = k.ok_ingest(cx, t, cold, partner, key)
            if cold:
                ok.body.insert(1, (40, "[INFO]\t{ts}\t{req}\t" + f"connected to {host1}:3306 db=ledger\n"))
            return ok
        got = "[INFO]\t{ts}\t{req}\t" + f"received s3://{cx.inbound_bucket}/{partner}/{key}\n"
        if t < down:
            d = cx.rng.uniform(2000, 9000)
            msg = "[ERROR] OperationalError: (2013, 'Lost connection to MySQL server during query ([Errno 104] Connection reset by peer)')\n"
            return k.Outcome(d, [(12, got), (d - 3, msg + TRACE)], error=True)
        if t < back:
            d = 5000 + cx.rng.uniform(5, 40)
            msg = f"[ERROR] OperationalError: (2003, \"Can't connect to MySQL server on '{host1}' (timed out)\")\n"
            return k.Outcome(d, [(12, got), (d - 3, msg + TRACE)], error=True)
        d = cx.rng.uniform(70, 160)
        body: list[tuple[float, str]] = [(12, got)]
        body.append((30, "[INFO]\t{ts}\t{req}\t" + f"connected to {host1}:3306 db=ledger\n"))
        body.append(
            (
                d - 3,
                "[ERROR] OperationalError: (1290, 'The MySQL server is running with the --read-only option so it cannot execute this statement')\n"
                + TRACE,
            )
        )
        return k.Outcome(d, body, error=True, secret_read=cold)

    conc = k.simulate(c, rate, ingest, lifetime=(20, 60))
    k.dispatch_runs(c)
    k.rds_metrics(c, conc)
    # instance 1 publishes nothing while it restarts; instance 2 takes the writer's background load
    for metric in ("CPUUtilization", "DatabaseConnections", "FreeableMemory"):
        pts = c.get("AWS/RDS", metric, {"DBInstanceIdentifier": f"{k.CLUSTER}-1"})
        for t in list(pts):
            if onset + timedelta(minutes=1) <= t < back:
                del pts[t]
            elif t >= back and metric == "CPUUtilization":
                pts[t] = 4 + r.uniform(-1, 1.5)
        pts2 = c.get("AWS/RDS", metric, {"DBInstanceIdentifier": f"{k.CLUSTER}-2"})
        for t in list(pts2):
            if t >= onset + timedelta(minutes=1) and metric == "CPUUtilization":
                pts2[t] = 7 + r.uniform(-1.5, 2.5)
            if t >= onset + timedelta(minutes=1) and metric == "DatabaseConnections":
                pts2[t] = float(4 + r.randint(0, 2))
    for m in c.minutes():
        for i in (1, 2):
            ident = f"{k.CLUSTER}-{i}"
            if i == 1 and onset + timedelta(minutes=1) <= m < back:
                continue
            writer_now = (i == 1) == (m < onset + timedelta(minutes=1))
            up = (m - (back if i == 1 and m >= back else c.start - timedelta(days=19))).total_seconds()
            c.put("AWS/RDS", "EngineUptime", {"DBInstanceIdentifier": ident}, m, float(int(up)), "Seconds")
            if not writer_now:
                c.put(
                    "AWS/RDS",
                    "AuroraReplicaLag",
                    {"DBInstanceIdentifier": ident},
                    m,
                    round(r.uniform(8, 22), 2),
                    "Milliseconds",
                )

    cluster_arn = c.arn("rds", f"cluster:{k.CLUSTER}")
    inst1_arn = c.arn("rds", f"db:{k.CLUSTER}-1")
    for t, stype, sid, arn, cats, msg in (
        (
            onset,
            "db-cluster",
            k.CLUSTER,
            cluster_arn,
            ["failover"],
            f"Started cross AZ failover to DB instance: {k.CLUSTER}-2",
        ),
        (
            onset + timedelta(seconds=5),
            "db-instance",
            f"{k.CLUSTER}-1",
            inst1_arn,
            ["availability"],
            "DB instance shutdown",
        ),
        (
            onset + timedelta(seconds=r.randint(28, 45)),
            "db-cluster",
            k.CLUSTER,
            cluster_arn,
            ["failover"],
            f"Completed failover to DB instance: {k.CLUSTER}-2",
        ),
        (
            back - timedelta(seconds=r.randint(10, 40)),
            "db-instance",
            f"{k.CLUSTER}-1",
            inst1_arn,
            ["availability"],
            "DB instance restarted",
        ),
    ):
        c.events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": sid,
                    "SourceType": stype,
                    "Message": msg,
                    "EventCategories": cats,
                    "Date": k.iso(t),
                    "SourceArn": arn,
                },
            }
        )
    c.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": f"{k.CLUSTER}-1",
                "SourceType": "db-instance",
                "Message": "Backing up DB instance",
                "EventCategories": ["backup"],
                "Date": k.iso(c.start + timedelta(minutes=r.randint(5, 40))),
                "SourceArn": inst1_arn,
            },
        }
    )
    k.background_trail(c, 50)
    dev = c.identity(
        "AWSReservedSSO_FilexDeveloper_3b9a0e44c2d1f7a6", "tom.ashdown@northbank.example", sso=True
    )
    ci = c.identity("gha-terraform-apply", "GitHubActions")
    tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0"
    t1 = onset - timedelta(minutes=r.randint(30, 55))
    c.trail(
        t1,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": k.DISPATCH, "memorySize": 768, "timeout": 120},
        {
            "functionName": k.DISPATCH,
            "functionArn": c.fn_arn(k.DISPATCH),
            "runtime": "python3.12",
            "role": c.role_arn(f"{k.DISPATCH}-role"),
            "handler": "app.handler",
            "codeSize": 2201733,
            "timeout": 120,
            "memorySize": 768,
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
    t2 = onset - timedelta(minutes=r.randint(8, 20))
    c.trail(
        t2,
        dev,
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        {"secretId": k.SECRET},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="10.40.71.9",
    )
    c.trail(
        t2 + timedelta(seconds=70),
        dev,
        "secretsmanager.amazonaws.com",
        "TagResource",
        {"secretId": k.SECRET, "tags": [{"key": "data-owner", "value": "payments-ops"}]},
        None,
        read_only=False,
        agent="AWS Internal",
        ip="10.40.71.9",
    )
    t3 = onset + timedelta(minutes=r.randint(15, 25))
    for i, (src, name, params) in enumerate(
        (
            (
                "rds.amazonaws.com",
                "DescribeDBClusters",
                {"dBClusterIdentifier": k.CLUSTER, "includeShared": False},
            ),
            ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-cluster", "duration": 120}),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": k.INGEST}),
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
    local = (onset + timedelta(minutes=r.randint(3, 9))).astimezone(ZoneInfo("Europe/London"))
    q = (
        f"Every partner file since about {local:%H:%M} has failed to load and the ingest errors alarm is firing. "
        "Nobody deployed anything today as far as I know - what broke?"
    )
    return c.bundle(
        TITLE,
        {
            "question": q,
            "alarm_event": c.alarm_event("filex-inbound-ingest-errors"),
            "timezone": "Europe/London",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": f"{k.CLUSTER}-1",
                "category": "system_change",
                "failure_mode": "aurora-failover-app-pinned-to-instance-endpoint",
            },
            "also_accept": [k.CLUSTER, inst1_arn, host1],
            "actions": ["reconfigure", "restart"],
            "chain": [f"{k.CLUSTER}-1", k.CLUSTER, k.SECRET, k.INGEST],
        },
    )
