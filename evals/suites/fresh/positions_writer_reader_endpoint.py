"""Live map freezes: the Kinesis consumer that writes positions to Aurora was repointed at the reader endpoint."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzm as kit

NAME = "positions-writer-reader-endpoint"
TITLE = "Dispatch live map stopped moving vans mid-morning; iterator-age page on positions-writer"
SUMMARY = (
    "An engineer changed positions-writer's PGHOST to the Aurora cluster's reader endpoint; every batch fails "
    "with 'read-only transaction', the Kinesis shards stall behind retries and the map freezes."
)


def build(seed: int) -> Bundle:
    w = kit.World(seed, NAME)
    r = w.rng
    start = w.day + timedelta(hours=4, minutes=r.randint(0, 40))
    onset = start + timedelta(hours=3, minutes=35 + r.randint(0, 30), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(38, 55))
    end = now + timedelta(minutes=15)
    suffix_holder: dict[str, str] = {}
    env = {
        "positions-writer": {
            "PGHOST": "placeholder",
            "PGDATABASE": "fleet",
            "PGUSER": "positions_writer",
            "PG_SECRET_ARN": w.arn("secretsmanager", "secret:fleet-db/positions_writer-AbC123"),
            "POWERTOOLS_SERVICE_NAME": "positions-writer",
            "LOG_LEVEL": "INFO",
        },
    }
    broken = {"seen_new_stream": False}

    def body(name: str, t: datetime) -> tuple[list[str], float] | None:
        if name != "positions-writer" or t < onset + timedelta(seconds=20):
            return kit.healthy_line(w, name, t)
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
        shard = r.randint(0, 3)
        lines = []
        if not broken["seen_new_stream"]:
            lines.append(
                f"[INFO]\t{ts}\t{{rid}}\tdb pool init host={suffix_holder['ro']} port=5432 dbname=fleet "
                "user=positions_writer sslmode=require\n"
            )
            broken["seen_new_stream"] = True
        lines.append(f"[INFO]\t{ts}\t{{rid}}\tbatch shard=shardId-00000000000{shard} records=500\n")
        lines.append(
            "[ERROR] ReadOnlySqlTransaction: cannot execute INSERT in a read-only transaction\n"
            "Traceback (most recent call last):\n"
            '  File "/var/task/writer.py", line 112, in handler\n'
            "    execute_values(cur, UPSERT_SQL, rows, page_size=500)\n"
            '  File "/var/task/psycopg2/extras.py", line 1299, in execute_values\n'
            "    cur.execute(b''.join(parts))\n"
        )
        return lines, r.uniform(60, 140)

    t_writer = onset - timedelta(seconds=r.randint(25, 70))
    age_start = onset + timedelta(seconds=40)

    def age(t: datetime, v: float) -> float:
        return v if t < age_start else (t - age_start).total_seconds() * 1000 + r.uniform(4000, 9000)

    def errs(t: datetime, v: float) -> float:
        return v if t < age_start else float(r.randint(6, 8))

    def invs(t: datetime, v: float) -> float:
        return v if t < age_start else float(r.randint(6, 8))

    def dur(t: datetime, v: float) -> float:
        return v if t < age_start else r.uniform(70, 130)

    def commit(t: datetime, v: float) -> float:
        return v if t < age_start else r.uniform(2.5, 4.5)

    def rconn(t: datetime, v: float) -> float:
        return v if t < t_writer + timedelta(minutes=1) else v + r.randint(7, 9)

    def wconn(t: datetime, v: float) -> float:
        return v if t < t_writer + timedelta(minutes=1) else v - r.randint(6, 8)

    def cpu(t: datetime, v: float) -> float:
        return v if t < age_start else v * 0.55

    L = "AWS/Lambda"
    mods: dict[str, kit.Mod] = {
        kit.key(L, "IteratorAge", "positions-writer"): age,
        kit.key(L, "Errors", "positions-writer"): errs,
        kit.key(L, "Invocations", "positions-writer"): invs,
        kit.key(L, "Duration", "positions-writer"): dur,
        kit.key(L, "ConcurrentExecutions", "positions-writer"): lambda t, v: v if t < age_start else 8.0,
        kit.key("AWS/RDS", "CommitThroughput", "fleet-db-1"): commit,
        kit.key("AWS/RDS", "DatabaseConnections", "fleet-db-2"): rconn,
        kit.key("AWS/RDS", "DatabaseConnections", "fleet-db-1"): wconn,
        kit.key("AWS/RDS", "CPUUtilization", "fleet-db-1"): cpu,
    }
    # the endpoint is only known once the cluster is built, so log bodies read it lazily
    got = _base_with_endpoint(w, start, end, mods, env, body, suffix_holder, {"positions-writer": t_writer})
    ro = got["reader_ep"]
    fn = got["functions"]["positions-writer"]
    fn["Environment"]["Variables"]["PGHOST"] = ro
    fn["LastModified"] = t_writer.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    who = r.choice(["dan.whitfield", "sophie.marsh", "arjun.patel"])
    sso = w.sso(who, t_writer, "PowerUserAccess")
    console = (
        "[Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0]"
    )
    ip = f"81.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    w.ct(
        t_writer - timedelta(minutes=4),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        sso,
        {"functionName": "positions-writer"},
        None,
        read_only=True,
        agent=console,
        ip=ip,
    )
    w.ct(
        t_writer - timedelta(minutes=3),
        "rds.amazonaws.com",
        "DescribeDBClusters",
        sso,
        {"dBClusterIdentifier": "fleet-db"},
        None,
        read_only=True,
        agent=console,
        ip=ip,
    )
    culprit = w.ct(
        t_writer,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        sso,
        {"functionName": "positions-writer", "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": "positions-writer",
            "functionArn": fn["FunctionArn"],
            "runtime": "python3.12",
            "role": fn["Role"],
            "handler": "writer.handler",
            "codeSize": fn["CodeSize"],
            "description": fn["Description"],
            "timeout": 60,
            "memorySize": 1024,
            "lastModified": fn["LastModified"],
            "codeSha256": fn["CodeSha256"],
            "version": "$LATEST",
            "vpcConfig": {"subnetIds": w.subnets, "securityGroupIds": [w.lambda_sg], "vpcId": w.vpc},
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": fn["RevisionId"],
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        agent=console,
        ip=ip,
    )
    # an innocent tuning change a little earlier, by someone else
    t_geo = onset - timedelta(minutes=r.randint(18, 35))
    geo = got["functions"]["geofence-evaluator"]
    geo["MemorySize"] = 1024
    geo["LastModified"] = t_geo.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    w.ct(
        t_geo,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        w.sso("megan.hughes", t_geo),
        {"functionName": "geofence-evaluator", "memorySize": 1024},
        {
            "functionName": "geofence-evaluator",
            "functionArn": geo["FunctionArn"],
            "runtime": "nodejs20.x",
            "memorySize": 1024,
            "timeout": 30,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "revisionId": geo["RevisionId"],
        },
        read_only=False,
        agent=console,
    )
    kit.noise_changes(w, onset, start)
    w.tooling_reads(start, end, 70, list(kit.FUNCS))
    alarms = kit.base_alarms(w, start, got["dx_con"])
    ia = alarms["positions-writer-iterator-age"]
    fire = age_start + timedelta(minutes=6, seconds=r.randint(5, 50))
    reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints [%.1f (%s), %.1f (%s), %.1f (%s), %.1f (%s), %.1f (%s)] "
        "were greater than the threshold (120000.0) (minimum 5 datapoints for OK -> ALARM transition)."
    )
    pts = []
    for i in range(5):
        tt = (fire - timedelta(minutes=1 + i)).replace(second=0)
        pts += [(tt - age_start).total_seconds() * 1000 + 7000, tt.strftime("%d/%m/%y %H:%M:%S")]
    w.transition(ia, fire, "OK", "ALARM", reason % tuple(pts))
    wc = alarms["geofence-evaluator-duration"]
    flap = start + timedelta(minutes=r.randint(40, 90))
    w.transition(
        wc,
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than "
        "the threshold (140.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    w.transition(
        wc,
        flap + timedelta(minutes=4),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 "
        "datapoints were not greater than the threshold (140.0) (minimum 2 datapoints for ALARM -> OK "
        "transition).",
    )
    local = onset.astimezone(ZoneInfo("Europe/London"))
    q = (
        f"dispatch says the live map has stopped updating vans since about {local:%H:%M}, drivers say the app "
        "is sending fine. is the vehicle gateway down?"
    )
    return w.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": q,
            "timezone": "Europe/London",
            "alarm_event": w.alarm_event(
                ia,
                fire,
                start - timedelta(days=3),
                "Threshold Crossed: 5 out of the last "
                "5 datapoints were not greater than the threshold (120000.0)",
            ),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": "positions-writer",
                "category": "change",
                "failure_mode": "db-endpoint-repointed-to-reader",
                "event_id": culprit,
            },
            "also_accept": [
                fn["FunctionArn"],
                "arn:aws:lambda:eu-west-2:" + w.account + ":function:positions-writer",
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": ["positions-writer", ro, "fleet-db-2", "vehicle-positions"],
        },
    )


def _base_with_endpoint(
    w: kit.World,
    start: datetime,
    end: datetime,
    mods: dict[str, kit.Mod],
    env: dict[str, dict[str, str]],
    body: kit.Body,
    holder: dict[str, str],
    restarts: dict[str, datetime],
) -> kit.J:
    # the cluster's endpoints are deterministic per world: build them first so log bodies can name them
    return kit.base(w, start, end, mods, env, _late(body, holder, w), restarts=restarts)


def _late(body: kit.Body, holder: dict[str, str], w: kit.World) -> kit.Body:
    def run(name: str, t: datetime) -> tuple[list[str], float] | None:
        if "ro" not in holder:
            for rec in w.resources:
                if rec["type"] == "DBCluster":
                    holder["ro"] = rec["item"]["ReaderEndpoint"]
        return body(name, t)

    return run
