"""Harvestline inventory database: free-storage page overnight that cleared on its own."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zza as k

NAME = "harvestline-inventory-db-storage-page"
TITLE = "Overnight free-storage page on harvestline-inventory-db cleared by itself; is anything broken?"
SUMMARY = (
    "No fault: steady data growth plus the nightly pg_cron rollup's temp files dip free storage to 10%; "
    "RDS storage autoscaling adds 10% and the alarm clears; the instance is in storage-optimization."
)

DEN = ZoneInfo("America/Denver")
GIB = 1024.0**3


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.rand_account(rng)
    region = "us-west-2"
    day = k.pick_day(rng)
    while day.weekday() in (0, 5, 6):
        day += timedelta(days=1)
    ask_local = datetime(day.year, day.month, day.day, 8, 10 + rng.randrange(0, 40), tzinfo=DEN)
    now = ask_local.astimezone(k.UTC).replace(second=0)
    start = (now - timedelta(days=3, hours=rng.randint(2, 6))).replace(minute=0)
    end = now + timedelta(minutes=10)
    pts = [t for t, _ in k.grid(start, now + timedelta(minutes=1), now + timedelta(days=1)) if t <= now]

    db = "harvestline-inventory-db"
    db_arn = f"arn:aws:rds:{region}:{account}:db:{db}"
    alloc0 = rng.choice([400, 500, 600])
    max_alloc = alloc0 * 2
    growth_per_day = rng.uniform(1.3, 1.9) * GIB
    api_id = k.hexid(rng, 10)
    topic = f"arn:aws:sns:{region}:{account}:harvestline-dba-pager"

    def local(t: datetime) -> datetime:
        return t.astimezone(DEN)

    # nightly rollup (pg_cron at 02:00 local) temp-file usage, bigger as the data grows
    nights: dict[str, tuple[float, float]] = {}
    tonight_p = rng.uniform(24, 28) * alloc0 / 500 * GIB
    for back in range(5):
        d = (local(now) - timedelta(days=back)).date()
        peak = tonight_p if back == 0 else tonight_p * rng.uniform(0.72, 0.85)
        nights[str(d)] = (rng.uniform(74, 82) if back == 0 else rng.uniform(63, 72), peak)

    def temp_usage(t: datetime) -> float:
        lt = local(t)
        key = str(lt.date())
        if key not in nights:
            return 0.0
        dur_min, peak = nights[key]
        m = (lt.hour * 60 + lt.minute) - 120
        if m < 0 or m > dur_min + 10:
            return 0.0
        if m <= dur_min:
            return peak * min(1.0, m / (dur_min * 0.85))
        return peak * (1 - (m - dur_min) / 10)

    # free storage: start so that tonight's dip crosses 10% of the allocation and earlier nights do not
    tonight_dip = None
    for t in pts:
        lt = local(t)
        if str(lt.date()) == str(local(now).date()) and lt.hour == 2:
            tonight_dip = t
            break
    assert tonight_dip is not None
    tonight_peak = nights[str(local(now).date())][1]
    used_at_dip_target = alloc0 * GIB * 0.9 - tonight_peak + rng.uniform(1.5, 3) * GIB
    used0 = used_at_dip_target - growth_per_day * (tonight_dip - start).total_seconds() / 86400
    alloc = float(alloc0)
    trigger_low: datetime | None = None
    scale_at: datetime | None = None
    finish_at: datetime | None = None
    free_series: list[tuple[datetime, float]] = []
    metrics: list[dict[str, Any]] = []
    dd = {"DBInstanceIdentifier": db}
    for t in pts:
        used = used0 + growth_per_day * (t - start).total_seconds() / 86400 + temp_usage(t)
        free = alloc * GIB - used + rng.uniform(-0.15, 0.15) * GIB
        if free <= 0.1 * alloc * GIB and scale_at is None:
            if trigger_low is None:
                trigger_low = t
            elif t - trigger_low >= timedelta(minutes=5):
                scale_at = t + timedelta(minutes=rng.randint(3, 6), seconds=rng.randint(0, 59))
                finish_at = scale_at + timedelta(minutes=rng.randint(6, 11), seconds=rng.randint(0, 59))
        if finish_at is not None and t >= finish_at and alloc == alloc0:
            alloc = alloc0 * 1.1
            free = alloc * GIB - used
        free_series.append((t, free))
        metrics.append(k.datum("AWS/RDS", "FreeStorageSpace", dd, t, "Bytes", round(free)))
        biz = k.diurnal(t, -7.0, low=0.18, peak_hour=11.0)
        job = temp_usage(t) > 0
        opt = finish_at is not None and t >= finish_at
        metrics.append(
            k.datum(
                "AWS/RDS",
                "CPUUtilization",
                dd,
                t,
                "Percent",
                6 + 30 * biz + (38 if job else 0) + rng.uniform(-2, 2),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "DatabaseConnections",
                dd,
                t,
                "Count",
                float(round(22 + 60 * biz + rng.uniform(-3, 3))),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "ReadIOPS",
                dd,
                t,
                "Count/Second",
                90 + 700 * biz + (1900 if job else 0) + rng.uniform(-20, 20),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "WriteIOPS",
                dd,
                t,
                "Count/Second",
                60 + 380 * biz + (2400 if job else 0) + rng.uniform(-15, 15),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "ReadLatency",
                dd,
                t,
                "Seconds",
                rng.uniform(0.0007, 0.0011) * (1.4 if job else 1.0) * (1.08 if opt else 1.0),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "WriteLatency",
                dd,
                t,
                "Seconds",
                rng.uniform(0.0012, 0.0019) * (1.6 if job else 1.0) * (1.1 if opt else 1.0),
            )
        )
        metrics.append(
            k.datum("AWS/RDS", "DiskQueueDepth", dd, t, "Count", rng.uniform(0.2, 0.8) + (5 if job else 0))
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "FreeableMemory",
                dd,
                t,
                "Bytes",
                rng.uniform(9.1, 9.5) * GIB - (2.4 * GIB if job else 0),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "TransactionLogsDiskUsage",
                dd,
                t,
                "Bytes",
                rng.uniform(0.9, 1.3) * GIB + (2.1 * GIB if job else 0),
            )
        )
        # inventory API (HTTP API) and its Lambda
        reqs = 260 * biz * (1 + rng.gauss(0, 0.06)) * 60 * 5 / 60
        ad = {"ApiId": api_id, "Stage": "$default"}
        metrics.append(k.datum("AWS/ApiGateway", "Count", ad, t, "Count", round(reqs)))
        metrics.append(
            k.datum("AWS/ApiGateway", "4xx", ad, t, "Count", float(round(reqs * rng.uniform(0.004, 0.01))))
        )
        metrics.append(
            k.datum("AWS/ApiGateway", "5xx", ad, t, "Count", float(1 if rng.random() < 0.03 else 0))
        )
        metrics.append(
            k.stat_datum(
                "AWS/ApiGateway",
                "Latency",
                ad,
                t,
                "Milliseconds",
                reqs,
                38 * rng.uniform(0.9, 1.1) * (1.15 if job else 1.0),
                9,
                420,
            )
        )
        fd = {"FunctionName": "harvestline-inventory-api"}
        metrics.append(k.datum("AWS/Lambda", "Invocations", fd, t, "Count", round(reqs)))
        metrics.append(k.datum("AWS/Lambda", "Errors", fd, t, "Count", 0.0))
        metrics.append(
            k.stat_datum(
                "AWS/Lambda", "Duration", fd, t, "Milliseconds", reqs, 29 * rng.uniform(0.9, 1.1), 4, 390
            )
        )
    assert scale_at is not None
    assert finish_at is not None
    assert trigger_low is not None

    # --- alarms ----------------------------------------------------------------------------------
    fs = k.Alarm(
        account,
        region,
        f"{db}-free-storage-low",
        "Free storage below 10% of the allocation at creation time",
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Minimum",
        300,
        2,
        2,
        round(0.1 * alloc0 * GIB),
        "LessThanThreshold",
        [topic],
        created=day - timedelta(days=rng.randint(200, 500)),
    )
    fs.evaluate(free_series, now)
    assert len(fs.transitions) == 2, fs.transitions
    others = []
    for name, desc, metric, th, cmp in (
        (f"{db}-cpu-high", "CPU above 85% for 15 minutes", "CPUUtilization", 85.0, "GreaterThanThreshold"),
        (f"{db}-write-latency", "Write latency above 20 ms", "WriteLatency", 0.02, "GreaterThanThreshold"),
        (f"{db}-connections", "Connections above 400", "DatabaseConnections", 400.0, "GreaterThanThreshold"),
    ):
        a = k.Alarm(
            account,
            region,
            name,
            desc,
            "AWS/RDS",
            metric,
            dd,
            "Average",
            300,
            3,
            3,
            th,
            cmp,
            [topic],
            created=day - timedelta(days=rng.randint(200, 500)),
        )
        a.evaluate([], now)
        others.append(a)
    api5 = k.Alarm(
        account,
        region,
        "harvestline-inventory-api-5xx",
        "Inventory API 5xx above 20 in 5 minutes",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": api_id, "Stage": "$default"},
        "Sum",
        300,
        1,
        1,
        20.0,
        "GreaterThanThreshold",
        [topic],
        created=day - timedelta(days=300),
    )
    api5.evaluate([], now)
    others.append(api5)

    # --- RDS events ------------------------------------------------------------------------------
    def rds_event(t: datetime, msg: str, cats: list[str]) -> dict[str, Any]:
        return {
            "source": "rds",
            "item": {
                "SourceIdentifier": db,
                "SourceType": "db-instance",
                "Message": msg,
                "EventCategories": cats,
                "Date": k.iso_ms(t),
                "SourceArn": db_arn,
            },
        }

    events: list[dict[str, Any]] = []
    for back in range(4):
        bt = now.replace(hour=10, minute=40 + rng.randint(0, 12), second=0) - timedelta(days=back)
        if start <= bt <= now:
            events.append(rds_event(bt, "Backing up DB instance", ["backup"]))
            events.append(
                rds_event(
                    bt + timedelta(minutes=rng.randint(6, 14)), "Finished DB Instance backup", ["backup"]
                )
            )
    events.append(
        rds_event(
            scale_at, "Applying autoscaling-initiated modification to allocated storage.", ["notification"]
        )
    )
    events.append(
        rds_event(
            finish_at,
            "Finished applying autoscaling-initiated modification to allocated storage.",
            ["notification"],
        )
    )

    events.sort(key=lambda e: e["item"]["Date"])

    # --- CloudTrail ------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    dom = "@harvestline.com"
    names = rng.sample(
        ["kelsey.tran", "brody.nakamura", "alana.ruiz", "devin.oconnell", "maya.whitehorse"], 3
    )
    dba = tr.sso(names[0] + dom, "DatabaseAdmin", k.hexid(rng, 16))
    eng = tr.sso(names[1] + dom, "Developer", k.hexid(rng, 16))
    oncall = tr.sso(names[2] + dom, "PlatformOps", k.hexid(rng, 16))
    ci = tr.role("harvestline-ci-deployer", "buildkite-" + str(rng.randint(10**5, 10**6)))
    rot_role = tr.role("harvestline-secret-rotation-lambda", "harvestline-pg-rotation")
    secret = "prod/inventory/db-app-user"
    sfx = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
    secret_arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-{sfx}"
    rot_fn = "harvestline-pg-rotation"
    # secret rotation shortly before the dip
    rot_t = fs.transitions[0][0] - timedelta(minutes=rng.randint(18, 27))
    v_new = k.uuid(rng)
    sm = "secretsmanager.amazonaws.com"
    tr.add(rot_t, tr.service(sm), sm, "RotationStarted", None, None, read_only=False)
    steps = [
        ("DescribeSecret", {"secretId": secret_arn}, True),
        ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, True),
        ("GetRandomPassword", {"excludeCharacters": "/@\"'\\", "passwordLength": 32}, True),
        (
            "PutSecretValue",
            {"secretId": secret_arn, "clientRequestToken": v_new, "versionStages": ["AWSPENDING"]},
            False,
        ),
        ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSPENDING"}, True),
        ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSPENDING"}, True),
        (
            "UpdateSecretVersionStage",
            {
                "secretId": secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": v_new,
                "removeFromVersionId": k.uuid(rng),
            },
            False,
        ),
    ]
    for i, (nm, rq, ro) in enumerate(steps):
        tr.add(
            rot_t + timedelta(seconds=2 + 3 * i),
            rot_role,
            sm,
            nm,
            rq,
            {"arn": secret_arn, "name": secret, "versionId": v_new} if nm == "PutSecretValue" else None,
            read_only=ro,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
        )
    tr.add(
        rot_t + timedelta(seconds=26), tr.service(sm), sm, "RotationSucceeded", None, None, read_only=False
    )
    # evening deploy the day before and other routine
    dep = datetime(
        local(now).year, local(now).month, local(now).day, 17, rng.randint(5, 50), tzinfo=DEN
    ).astimezone(k.UTC) - timedelta(days=1)
    tr.add(
        dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "harvestline-inventory-api",
            "s3Bucket": f"harvestline-build-{account}",
            "s3Key": f"inventory-api/{k.hexid(rng, 12)}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": "harvestline-inventory-api",
            "runtime": "python3.12",
            "version": str(rng.randint(200, 260)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=k.BOTO_UA,
    )
    # an unrelated change near the dip
    late_t = fs.transitions[0][0] - timedelta(minutes=rng.randint(4, 12))
    tr.add(
        late_t,
        oncall,
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": "vol-0" + k.hexid(rng, 16)}]},
            "tagSet": {"items": [{"key": "cost-center", "value": "warehouse-ops"}]},
        },
        {"requestId": k.uuid(rng), "_return": True},
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    t = start + timedelta(hours=rng.randint(1, 4))
    while t < now:
        lt = local(t)
        if 7 <= lt.hour <= 18 and lt.weekday() < 5:
            who = rng.choice([dba, eng, oncall])
            src, nm, rq = rng.choice(
                [
                    ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
                    ("rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
                    (
                        "pi.amazonaws.com",
                        "GetResourceMetrics",
                        {"serviceType": "RDS", "identifier": "db-" + k.upper_id(random.Random(db), 26)},
                    ),
                    ("lambda.amazonaws.com", "ListFunctions20150331", {}),
                    ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/rds/instance/"}),
                    ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "harvestline"}),
                ]
            )
            tr.add(t, who, src, nm, rq, None, read_only=True, agent=k.CONSOLE_UA)
        t += timedelta(minutes=rng.randint(25, 70))
    tr.add(
        dep - timedelta(hours=3),
        dba,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "harvestline-pg15",
            "parameters": [
                {"parameterName": "log_temp_files", "parameterValue": "1048576", "applyMethod": "immediate"}
            ],
        },
        {"dBParameterGroupName": "harvestline-pg15"},
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    for j, (src, nm, rq) in enumerate(
        [
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": f"{db}-free-storage-low", "historyItemType": "StateUpdate"},
            ),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
            (
                "rds.amazonaws.com",
                "DescribeEvents",
                {"sourceIdentifier": db, "sourceType": "db-instance", "duration": 720},
            ),
        ]
    ):
        tr.add(
            now - timedelta(minutes=12 - 3 * j), oncall, src, nm, rq, None, read_only=True, agent=k.CONSOLE_UA
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    lg = f"/aws/rds/instance/{db}/postgresql"
    stream = db
    pid_base = rng.randint(20000, 40000)
    dblog: list[str] = []
    for t in pts:
        lt = local(t)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S UTC")
        if t.minute % 5 == 0 and rng.random() < 0.5:
            line = f"{stamp}::@:[{rng.randint(500, 600)}]:LOG:  checkpoint complete: wrote {rng.randint(800, 9000)} buffers ({rng.uniform(0.3, 3):.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 9)} recycled; write={rng.uniform(20, 270):.3f} s, sync={rng.uniform(0.001, 0.05):.3f} s, total={rng.uniform(20, 270):.3f} s"
            logs.append(k.log(lg, stream, t + timedelta(seconds=rng.randint(0, 59)), line))
            if t >= now - timedelta(hours=9):
                dblog.append(line)
        if rng.random() < 0.03:
            tbl = rng.choice(
                ["inventory.stock_moves", "inventory.lots", "inventory.pick_lines", "public.audit_events"]
            )
            line = f'{stamp}::@:[{rng.randint(30000, 60000)}]:LOG:  automatic vacuum of table "inventory_prod.{tbl}": index scans: 1 pages: 0 removed, {rng.randint(10000, 900000)} remain'
            logs.append(k.log(lg, stream, t + timedelta(seconds=rng.randint(0, 59)), line))
        if lt.hour == 2 and lt.minute == 0:
            pid = pid_base + rng.randint(0, 999)
            line = f"{stamp}:[local]:postgres@inventory_prod:[{pid}]:LOG:  cron job 3 starting: CALL inventory.nightly_stock_rollup()"
            logs.append(k.log(lg, stream, t + timedelta(seconds=1), line))
            if t >= now - timedelta(hours=9):
                dblog.append(line)
        if temp_usage(t) > 0 and rng.random() < 0.5:
            pid = pid_base + rng.randint(0, 999)
            line = (
                f'{stamp}:[local]:postgres@inventory_prod:[{pid}]:LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp{pid}.{rng.randint(0, 40)}", size 1073741824\n'
                f"{stamp}:[local]:postgres@inventory_prod:[{pid}]:STATEMENT:  CALL inventory.nightly_stock_rollup()"
            )
            logs.append(k.log(lg, stream, t + timedelta(seconds=rng.randint(0, 59)), line))
            if t >= now - timedelta(hours=9):
                dblog.append(line)
        if lt.hour == 3 and lt.minute == 15:
            line = f"{stamp}:[local]:postgres@inventory_prod:[{pid_base}]:LOG:  cron job 3 completed: CALL"
            logs.append(k.log(lg, stream, t + timedelta(seconds=rng.randint(0, 200)), line))
            if t >= now - timedelta(hours=9):
                dblog.append(line)
        if rng.random() < 0.01 and 7 <= lt.hour <= 18:
            line = f'{stamp}:10.31.{rng.randint(0, 40)}.{rng.randint(2, 250)}({rng.randint(30000, 60000)}):inventory_app@inventory_prod:[{rng.randint(30000, 60000)}]:ERROR:  duplicate key value violates unique constraint "pick_lines_order_line_uniq"'
            logs.append(k.log(lg, stream, t + timedelta(seconds=rng.randint(0, 59)), line))
        # Lambda log sampling
        if rng.random() < 0.35:
            ts = t + timedelta(seconds=rng.uniform(0, 299))
            rid = k.uuid(rng)
            g = "/aws/lambda/harvestline-inventory-api"
            st = f"{local(ts):%Y/%m/%d}/[$LATEST]{k.hexid(random.Random(str(local(ts).date())), 32)}"
            dur = rng.uniform(12, 70)
            logs.append(k.log(g, st, ts, f"START RequestId: {rid} Version: $LATEST"))
            logs.append(
                k.log(
                    g,
                    st,
                    ts + timedelta(milliseconds=3),
                    json.dumps(
                        {
                            "level": "INFO",
                            "message": "GET /v1/stock",
                            "sku_count": rng.randint(1, 40),
                            "warehouse": rng.choice(["DEN1", "SLC2", "PHX1"]),
                            "requestId": rid,
                        }
                    ),
                )
            )
            logs.append(k.log(g, st, ts + timedelta(milliseconds=dur), f"END RequestId: {rid}"))
            logs.append(
                k.log(
                    g,
                    st,
                    ts + timedelta(milliseconds=dur),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(110, 160)} MB\t",
                )
            )
    # the rotation Lambda's own log
    rg = f"/aws/lambda/{rot_fn}"
    rs = f"{local(rot_t):%Y/%m/%d}/[$LATEST]{k.hexid(rng, 32)}"
    for i, step in enumerate(("createSecret", "setSecret", "testSecret", "finishSecret")):
        ts = rot_t + timedelta(seconds=1 + 7 * i)
        rid = k.uuid(rng)
        logs.append(k.log(rg, rs, ts, f"START RequestId: {rid} Version: $LATEST"))
        msg = {
            "createSecret": f"createSecret: Successfully put secret for ARN {secret_arn} and version {v_new}.",
            "setSecret": f"setSecret: Successfully set password for user inventory_app in PostgreSQL DB for secret arn {secret_arn}.",
            "testSecret": f"testSecret: Successfully signed into PostgreSQL DB for secret arn {secret_arn}.",
            "finishSecret": f"finishSecret: Successfully set AWSCURRENT stage to version {v_new} for secret {secret_arn}.",
        }[step]
        logs.append(k.log(rg, rs, ts + timedelta(milliseconds=40), f"[INFO]\t{k.iso_ms(ts)}\t{rid}\t{msg}"))
        logs.append(k.log(rg, rs, ts + timedelta(milliseconds=900), f"END RequestId: {rid}"))
        logs.append(
            k.log(
                rg,
                rs,
                ts + timedelta(milliseconds=900),
                f"REPORT RequestId: {rid}\tDuration: {rng.uniform(300, 880):.2f} ms\tBilled Duration: {rng.randint(301, 881)} ms\tMemory Size: 128 MB\tMax Memory Used: 84 MB\t",
            )
        )

    # --- resources -------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(500, 900))
    sg_db = "sg-0" + k.hexid(rng, 16)
    vpc = "vpc-0" + k.hexid(rng, 16)
    resources: list[dict[str, Any]] = [
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "storage-optimization",
                "MasterUsername": "hl_admin",
                "DBName": "inventory_prod",
                "Endpoint": {
                    "Address": f"{db}.c{k.hexid(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z1PVIF0B656C1W",
                },
                "AllocatedStorage": int(alloc0 * 1.1),
                "InstanceCreateTime": k.iso(created),
                "PreferredBackupWindow": "10:40-11:10",
                "BackupRetentionPeriod": 14,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "harvestline-pg15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": "us-west-2b",
                "SecondaryAvailabilityZone": "us-west-2c",
                "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                "PendingModifiedValues": {},
                "LatestRestorableTime": k.iso(now - timedelta(minutes=4)),
                "MultiAZ": True,
                "EngineVersion": "15.8",
                "AutoMinorVersionUpgrade": True,
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "Iops": 12000,
                "StorageThroughput": 500,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.upper_id(random.Random(db), 26),
                "DBInstanceArn": db_arn,
                "PerformanceInsightsEnabled": True,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "MaxAllocatedStorage": max_alloc,
                "CopyTagsToSnapshot": True,
                "TagList": k.tags({"team": "warehouse-platform", "env": "prod"}),
            },
        ),
        k.res(
            "rds",
            "DBLogFile",
            {
                "DBInstanceIdentifier": db,
                "LogFileName": f"error/postgresql.log.{now:%Y-%m-%d-%H}",
                "LastWritten": k.ms(now - timedelta(minutes=1)),
                "Size": len("\n".join(dblog)),
                "Data": "\n".join(dblog),
            },
        ),
        k.res(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": "harvestline-pg15",
                "ParameterName": "log_temp_files",
                "ParameterValue": "1048576",
                "Source": "user",
                "ApplyType": "dynamic",
                "DataType": "integer",
                "IsModifiable": True,
                "ApplyMethod": "immediate",
                "AllowedValues": "-1-2147483647",
            },
        ),
        k.res(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": "harvestline-pg15",
                "ParameterName": "shared_preload_libraries",
                "ParameterValue": "pg_stat_statements,pg_cron",
                "Source": "user",
                "ApplyType": "static",
                "DataType": "list",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot",
            },
        ),
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_db,
                "harvestline-inventory-db",
                "inventory Postgres",
                vpc,
                account,
                region,
                [k.sg_rule(5432, cidr="10.31.0.0/16")],
            ),
        ),
        k.res(
            "sns",
            "Topic",
            {
                "TopicArn": topic,
                "Attributes": {
                    "TopicArn": topic,
                    "DisplayName": "DBA pager",
                    "SubscriptionsConfirmed": "2",
                    "Owner": account,
                },
            },
        ),
        k.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": secret_arn,
                "Name": secret,
                "RotationEnabled": True,
                "RotationLambdaARN": f"arn:aws:lambda:{region}:{account}:function:{rot_fn}",
                "RotationRules": {"AutomaticallyAfterDays": 30},
                "LastRotatedDate": k.iso(rot_t),
                "LastChangedDate": k.iso(rot_t),
                "LastAccessedDate": k.iso(day.replace(hour=0)),
                "NextRotationDate": k.iso(rot_t + timedelta(days=30)),
                "CreatedDate": k.iso(created),
            },
        ),
        k.res(
            "apigatewayv2",
            "Api",
            {
                "ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
                "ApiId": api_id,
                "ApiKeySelectionExpression": "$request.header.x-api-key",
                "CreatedDate": k.iso(created),
                "DisableExecuteApiEndpoint": False,
                "Name": "harvestline-inventory",
                "ProtocolType": "HTTP",
                "RouteSelectionExpression": "$request.method $request.path",
            },
        ),
        k.res(
            "apigatewayv2",
            "ApiStage",
            {
                "ApiId": api_id,
                "StageName": "$default",
                "AutoDeploy": True,
                "CreatedDate": k.iso(created),
                "LastUpdatedDate": k.iso(dep),
            },
        ),
    ]
    for fn, mem, rt in (("harvestline-inventory-api", 512, "python3.12"), (rot_fn, 128, "python3.12")):
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{account}:role/{fn}-lambda",
                    "Handler": "app.handler" if fn != rot_fn else "lambda_function.lambda_handler",
                    "CodeSize": rng.randint(300000, 2000000),
                    "Timeout": 30,
                    "MemorySize": mem,
                    "LastModified": (dep if fn != rot_fn else created).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": k.hexid(rng, 43) + "=",
                    "Version": "$LATEST",
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                },
            )
        )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": lg,
                "creationTime": k.ms(created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{region}:{account}:log-group:{lg}:*",
                "storedBytes": rng.randint(10**9, 5 * 10**9),
            },
        )
    )

    lt0 = local(fs.transitions[0][0])
    lt1 = local(fs.transitions[1][0])
    question = (
        f"{db} paged the DBA rota at {lt0:%-I:%M}am for low free storage and it cleared by itself at {lt1:%-I:%M}am. "
        "This morning the console shows the instance as 'storage-optimization'. Is something wrong with the database, "
        "and do I need to do anything before the warehouses get busy?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Denver"},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [fs.item()] + [a.item() for a in others],
            "alarm_history": fs.history,
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
