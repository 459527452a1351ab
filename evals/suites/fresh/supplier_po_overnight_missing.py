"""Supplier purchase orders missing after the overnight export run."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zo as k

NAME = "supplier-po-overnight-missing"
TITLE = "Suppliers didn't get this morning's purchase orders from the overnight export"
SUMMARY = (
    "A statement_timeout set on the shared orders PostgreSQL parameter group the previous afternoon (to stop "
    "long analytics queries) cancels the nightly supplier PO export's aggregation query hours later."
)

REGION = "eu-west-2"
AZS = [("eu-west-2a", "euw2-az2"), ("eu-west-2b", "euw2-az3"), ("eu-west-2c", "euw2-az1")]

AGG_SQL = (
    "WITH week_lines AS (SELECT ol.recipe_id, ol.portions, o.delivery_date, o.fulfilment_site FROM order_lines ol "
    "JOIN orders o ON o.id = ol.order_id WHERE o.delivery_week = $1 AND o.status IN ('confirmed','paid')), "
    "ingredient_need AS (SELECT ri.ingredient_id, wl.fulfilment_site, wl.delivery_date, "
    "sum(ri.qty_per_portion * wl.portions) AS qty FROM week_lines wl JOIN recipe_ingredients ri ON ri.recipe_id = "
    "wl.recipe_id GROUP BY 1, 2, 3) SELECT s.id AS supplier_id, i.sku, n.fulfilment_site, n.delivery_date, "
    "ceil(n.qty / i.pack_size) AS packs FROM ingredient_need n JOIN ingredients i ON i.id = n.ingredient_id JOIN "
    "supplier_skus s ON s.ingredient_id = i.id AND s.preferred ORDER BY 1, 2, 3, 4"
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "4" + "".join(rng.choice("0123456789") for _ in range(11))
    # a winter weekday morning: London is on UTC, so wall clock and UTC agree
    day = k.pick_day(rng, datetime(2024, 1, 9, tzinfo=k.UTC), 45, [1, 2, 3, 4])
    start = day - timedelta(days=2, hours=12)
    now = day + timedelta(hours=8, minutes=30 + rng.randrange(25))
    fine_from = day - timedelta(hours=1)
    job_hour, job_min = 1, 30
    change_at = (
        day
        - timedelta(days=1)
        + timedelta(hours=15, minutes=18 + rng.randrange(40), seconds=rng.randrange(60))
    )
    deploy_at = (
        day
        - timedelta(days=1)
        + timedelta(hours=10, minutes=40 + rng.randrange(50), seconds=rng.randrange(60))
    )

    def week_of(t: datetime) -> str:
        y, w, _ = (t + timedelta(days=7)).isocalendar()
        return f"{y}-W{w:02d}"

    tag_new = deploy_at.strftime("%Y.%m.%d") + "-2"
    tag_old = (deploy_at - timedelta(days=8)).strftime("%Y.%m.%d") + "-1"

    # ----- names and ids
    vpc_id = k.res_id(rng, "vpc")
    subnets = [k.res_id(rng, "subnet") for _ in range(3)]
    sg_db, sg_api, sg_batch, sg_alb, sg_mb = (k.res_id(rng, "sg") for _ in range(5))
    db_id = "tc-orders-pg"
    pg_name = "tc-orders-pg15"
    db_resource_id = "db-" + k.alnum(rng, 26)
    db_host = f"{db_id}.c{k.alnum(rng, 11, upper=False)}.{REGION}.rds.amazonaws.com"
    batch_cluster = "tc-batch-prod"
    web_cluster = "tc-web-prod"
    job_family = "supplier-po-export"
    rev_old, rev_new = 40 + rng.randrange(8), 0
    rev_new = rev_old + 1
    ecr = f"{account}.dkr.ecr.{REGION}.amazonaws.com"
    po_bucket = f"tc-supplier-po-prod-{account[-4:]}"
    alb_name = "tc-storefront-prod"
    alb_hex = k.hexs(rng, 16)
    tg_hex = k.hexs(rng, 16)
    alb_dim = f"app/{alb_name}/{alb_hex}"
    tg_dim = f"targetgroup/tc-orders-api/{tg_hex}"
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/{alb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:{tg_dim}"
    lambda_name = "po-sftp-push"
    job_ip = f"10.40.{rng.randrange(20, 23)}.{rng.randrange(10, 240)}"
    mb_ip = f"10.40.{rng.randrange(20, 23)}.{rng.randrange(10, 240)}"
    alarm_topic = f"arn:aws:sns:{REGION}:{account}:tc-oncall-pager"
    ops_topic = f"arn:aws:sns:{REGION}:{account}:tc-batch-notifications"

    # ----- the nightly runs: (date, ok?)
    runs: list[tuple[datetime, bool]] = []
    d = start.replace(hour=0, minute=0)
    while d <= day:
        t = d + timedelta(hours=job_hour, minutes=job_min)
        if start < t < now:
            runs.append((t, t.date() != day.date()))
        d += timedelta(days=1)

    # per run: timeline details
    run_info: list[dict[str, Any]] = []
    for t, ok in runs:
        started = t + timedelta(seconds=38 + rng.randrange(30))
        load_s = 31 + rng.random() * 14
        agg_s = 150 + rng.random() * 80
        files = 34 + rng.randrange(7)
        run_info.append(
            {
                "t": t,
                "ok": ok,
                "started": started,
                "load_s": load_s,
                "agg_s": agg_s,
                "files": files,
                "task": k.hexs(rng, 32),
                "run_id": k.hexs(rng, 12),
            }
        )
    last = run_info[-1]
    # failing run: three attempts of the aggregation, each cancelled after 60 s
    att: list[tuple[datetime, datetime]] = []
    a0 = last["started"] + timedelta(seconds=last["load_s"])
    for n in range(3):
        att.append((a0, a0 + timedelta(seconds=60.0 + rng.random() * 0.02)))
        a0 = att[-1][1] + timedelta(seconds=30 * (2**n) + rng.random())
    fail_end = att[-1][1] + timedelta(seconds=1.2)
    onset = att[0][1]

    def in_run(t: datetime) -> tuple[dict[str, Any], float] | None:
        for r in run_info:
            s = r["started"]
            end = s + timedelta(seconds=r["load_s"] + r["agg_s"] + 45) if r["ok"] else fail_end
            if s - timedelta(minutes=1) <= t <= end:
                return r, (t - s).total_seconds()
        return None

    def agg_active(t: datetime) -> float:
        """Fraction of the minute the heavy aggregation query was running."""
        for r in run_info:
            spans: list[tuple[datetime, datetime]]
            if r["ok"]:
                a = r["started"] + timedelta(seconds=r["load_s"])
                spans = [(a, a + timedelta(seconds=r["agg_s"]))]
            else:
                spans = att
            tot = 0.0
            for a, b in spans:
                lo = max(a, t)
                hi = min(b, t + k.MINUTE)
                if hi > lo:
                    tot += (hi - lo).total_seconds()
            if tot:
                return tot / 60
        return 0.0

    def local_h(t: datetime) -> float:
        return t.hour + t.minute / 60

    def traffic(t: datetime) -> float:
        h = local_h(t)
        return 0.6 * k.diurnal(h, 12.5, 0.05, 2.6) + 0.9 * k.diurnal(h, 19.8, 0.0, 2.0) + 0.04

    def analytics(t: datetime) -> float:
        """Ad-hoc Metabase load on weekday afternoons; cut short once long statements are cancelled."""
        if t.weekday() >= 5:
            return 0.0
        h = local_h(t)
        if 9.5 <= h <= 17.5:
            base = 0.4 + 0.6 * k.diurnal(h, 15.0, 0.0, 1.6)
            if t >= change_at:
                base *= 0.25
            return base
        return 0.0

    n_total = int((now - start).total_seconds() // 60) + 2
    nz = k.smooth_noise(rng, n_total, 1.0)
    nz2 = k.smooth_noise(rng, n_total, 1.0, keep=0.6)
    spikes = {i for i in range(n_total) if rng.random() < 0.004}

    ms_ = k.MetricSet(start, now, fine_from)
    dbd = {"DBInstanceIdentifier": db_id}

    def cpu(t: datetime, i: int) -> float:
        v = 9 + 22 * traffic(t) + 48 * analytics(t) * (0.7 + 0.3 * abs(nz2[i])) + 52 * agg_active(t)
        v += 2.2 * nz[i] + (14 if i in spikes else 0)
        return max(3.0, min(99.0, v))

    ms_.add("AWS/RDS", "CPUUtilization", dbd, "Percent", cpu)

    def conns(t: datetime, i: int) -> float:
        v = 54 + round(24 * traffic(t)) + (6 if analytics(t) > 0 else 1) + (2 if in_run(t) else 0)
        return float(max(40, v + round(1.5 * nz[i])))

    ms_.add("AWS/RDS", "DatabaseConnections", dbd, "Count", conns)

    def read_iops(t: datetime, i: int) -> float:
        v = 40 + 260 * traffic(t) + 900 * analytics(t) + 2600 * agg_active(t)
        r = in_run(t)
        if r and r[1] < r[0]["load_s"] + 5:
            v += 700
        return max(5.0, v * (1 + 0.08 * nz2[i]))

    ms_.add("AWS/RDS", "ReadIOPS", dbd, "Count/Second", read_iops)
    ms_.add(
        "AWS/RDS",
        "WriteIOPS",
        dbd,
        "Count/Second",
        lambda t, i: max(8.0, 55 + 210 * traffic(t) + 12 * nz[i] + (80 if agg_active(t) else 0)),
    )
    ms_.add(
        "AWS/RDS",
        "FreeableMemory",
        dbd,
        "Bytes",
        lambda t, i: 9.1e9 - 1.6e9 * traffic(t) - 0.9e9 * analytics(t) - 1.1e9 * agg_active(t) + 6e7 * nz[i],
    )
    ms_.add(
        "AWS/RDS",
        "ReadLatency",
        dbd,
        "Seconds",
        lambda t, i: max(0.0002, 0.0006 + 0.0009 * analytics(t) + 0.0011 * agg_active(t) + 0.0001 * nz2[i]),
    )

    # storefront / orders-api
    albd = {"LoadBalancer": alb_dim}
    albtg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    req_n: dict[datetime, float] = {}

    def reqs(t: datetime, i: int) -> float:
        v = max(20.0, 4200 * traffic(t) * (1 + 0.05 * nz[i]))
        req_n[t] = v
        return round(v)

    ms_.add("AWS/ApplicationELB", "RequestCount", albtg, "Count", reqs)
    ms_.add_latency(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        lambda t, i: (0.072 + 0.01 * traffic(t) + 0.004 * nz2[i] + 0.02 * analytics(t), req_n[t]),
    )

    def t5xx(t: datetime, i: int) -> float | None:
        if rng.random() < 0.06 * traffic(t):
            return float(1 + rng.randrange(2))
        return None

    ms_.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", albtg, "Count", t5xx)
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        albd,
        "Count",
        lambda t, i: 1.0 if rng.random() < 0.004 else None,
    )
    ecsd = {"ClusterName": web_cluster, "ServiceName": "orders-api"}
    ms_.add(
        "AWS/ECS", "CPUUtilization", ecsd, "Percent", lambda t, i: max(4.0, 11 + 34 * traffic(t) + 2 * nz2[i])
    )
    ms_.add("AWS/ECS", "MemoryUtilization", ecsd, "Percent", lambda t, i: 46 + 3 * traffic(t) + 0.6 * nz[i])

    # custom metrics the job emits at the end of every run
    jobd = {"Job": job_family}

    def job_metric(kind: str) -> Any:
        def fn(t: datetime, i: int) -> float | None:
            for r in run_info:
                end = (
                    (r["started"] + timedelta(seconds=r["load_s"] + r["agg_s"] + 22)) if r["ok"] else fail_end
                )
                if k.floor_min(end) == t:
                    if kind == "ok":
                        return 1.0 if r["ok"] else None
                    if kind == "fail":
                        return None if r["ok"] else 1.0
                    if kind == "files":
                        return float(r["files"]) if r["ok"] else 0.0
                    if kind == "dur":
                        return round((end - r["started"]).total_seconds(), 1)
            return None

        return fn

    ms_.add("Thistle/Batch", "JobSucceeded", jobd, "Count", job_metric("ok"))
    fail_vals = ms_.add("Thistle/Batch", "JobFailures", jobd, "Count", job_metric("fail"))
    ms_.add("Thistle/Batch", "POFilesWritten", jobd, "Count", job_metric("files"))
    ms_.add("Thistle/Batch", "RunDurationSeconds", jobd, "Seconds", job_metric("dur"))

    # the push Lambda runs once per PO file written to S3
    lam = {"FunctionName": lambda_name}
    push_minutes: dict[datetime, int] = {}
    for r in run_info:
        if r["ok"]:
            w = k.floor_min(r["started"] + timedelta(seconds=r["load_s"] + r["agg_s"] + 8))
            push_minutes[w] = r["files"] - 9
            push_minutes[w + k.MINUTE] = 9
    ms_.add(
        "AWS/Lambda",
        "Invocations",
        lam,
        "Count",
        lambda t, i: float(push_minutes[t]) if t in push_minutes else None,
    )
    ms_.add(
        "AWS/Lambda",
        "Duration",
        lam,
        "Milliseconds",
        lambda t, i: 840 + 160 * rng.random() if t in push_minutes else None,
    )

    metrics = ms_.records()

    # ----- alarms
    cpu_vals = ms_.series[("AWS/RDS", "CPUUtilization", (("DBInstanceIdentifier", db_id),))][1]
    conn_vals = ms_.series[("AWS/RDS", "DatabaseConnections", (("DBInstanceIdentifier", db_id),))][1]
    t5 = ms_.series[("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tuple(sorted(albtg.items())))][1]
    alarms_def = [
        (
            k.Alarm(
                "supplier-po-export-failed",
                "Nightly supplier PO export reported a failed run. Check /ecs/supplier-po-export.",
                "Thistle/Batch",
                "JobFailures",
                jobd,
                "Sum",
                300,
                1,
                1,
                1.0,
                "GreaterThanOrEqualToThreshold",
                "notBreaching",
                actions=[ops_topic],
            ),
            fail_vals,
        ),
        (
            k.Alarm(
                "tc-orders-pg-cpu-high",
                "orders database CPU above 90% for 15 minutes",
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                "Average",
                300,
                3,
                3,
                90.0,
                "GreaterThanThreshold",
                "missing",
                actions=[alarm_topic],
                ok_actions=[alarm_topic],
            ),
            cpu_vals,
        ),
        (
            k.Alarm(
                "tc-orders-pg-connections-high",
                "orders database connections above 400 (max_connections ~1700)",
                "AWS/RDS",
                "DatabaseConnections",
                dbd,
                "Maximum",
                60,
                5,
                5,
                400.0,
                "GreaterThanThreshold",
                "missing",
                actions=[alarm_topic],
            ),
            conn_vals,
        ),
        (
            k.Alarm(
                "tc-orders-api-5xx",
                "orders-api target 5xx above 50 a minute for 3 minutes",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                albtg,
                "Sum",
                60,
                3,
                3,
                50.0,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[alarm_topic],
                ok_actions=[alarm_topic],
            ),
            t5,
        ),
    ]
    alarms, history = [], []
    for al, vals in alarms_def:
        res = k.evaluate_alarm(al, account, REGION, vals, start, now, rng)
        alarms.append(res.item)
        history.extend(res.history)

    # ----- logs
    logs: list[dict[str, Any]] = []
    job_group = f"/ecs/{job_family}"

    def jlog(r: dict[str, Any], t: datetime, level: str, mod: str, msg: str) -> None:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
        logs.append(
            {
                "log_group": job_group,
                "log_stream": f"po-export/po-export/{r['task']}",
                "timestamp": k.ms(t),
                "message": f"{stamp} {level} {mod}: {msg}",
            }
        )

    for r in run_info:
        s = r["started"]
        rev = rev_new if s > deploy_at else rev_old
        image = tag_new if rev == rev_new else tag_old
        jlog(
            r,
            s,
            "INFO",
            "po_export.main",
            f"starting supplier PO export run_id={r['run_id']} delivery_week={week_of(s)} image={image}",
        )
        jlog(
            r,
            s + timedelta(seconds=0.4),
            "INFO",
            "po_export.db",
            f"connected to {db_host}:5432/orders as po_export (sslmode=require)",
        )
        jlog(
            r,
            s + timedelta(seconds=r["load_s"] - 0.3),
            "INFO",
            "po_export.load",
            f"loaded {17800 + rng.randrange(1900)} order lines for {2900 + rng.randrange(400)} orders in "
            f"{r['load_s'] - 0.8:.1f}s",
        )
        if r["ok"]:
            a = s + timedelta(seconds=r["load_s"])
            jlog(r, a, "INFO", "po_export.aggregate", "computing supplier lines")
            b = a + timedelta(seconds=r["agg_s"])
            jlog(
                r,
                b,
                "INFO",
                "po_export.aggregate",
                f"{1100 + rng.randrange(220)} supplier lines across {r['files']} suppliers in {r['agg_s']:.1f}s",
            )
            if rng.random() < 0.7:
                jlog(
                    r,
                    b + timedelta(seconds=1.1),
                    "WARNING",
                    "po_export.catalogue",
                    f"sku FR-{rng.randrange(1000, 9999)} has no pack_size for supplier {rng.randrange(100, 199)}, "
                    "defaulting to 1",
                )
            jlog(
                r,
                b + timedelta(seconds=6),
                "INFO",
                "po_export.write",
                f"wrote {r['files']} PO files to s3://{po_bucket}/{week_of(s)}/",
            )
            jlog(
                r,
                b + timedelta(seconds=22),
                "INFO",
                "po_export.main",
                f"run {r['run_id']} complete in {(b + timedelta(seconds=22) - s).total_seconds():.1f}s",
            )
        else:
            for n, (a, b) in enumerate(att):
                jlog(
                    r,
                    a,
                    "INFO",
                    "po_export.aggregate",
                    "computing supplier lines" + ("" if n == 0 else f" (attempt {n + 1}/3)"),
                )
                tb = (
                    "supplier_lines failed\nTraceback (most recent call last):\n"
                    '  File "/app/po_export/aggregate.py", line 112, in supplier_lines\n'
                    '    cur.execute(SUPPLIER_LINES_SQL, {"week": week})\n'
                    '  File "/usr/local/lib/python3.11/site-packages/psycopg2/extras.py", line 236, in execute\n'
                    "    return super().execute(query, vars)\n"
                    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
                    "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout\n"
                )
                jlog(r, b, "ERROR", "po_export.aggregate", tb)
                if n < 2:
                    jlog(
                        r,
                        b + timedelta(milliseconds=3),
                        "WARNING",
                        "po_export.retry",
                        f"attempt {n + 1}/3 failed, retrying in {30 * 2**n}s",
                    )
            jlog(
                r,
                fail_end - timedelta(seconds=1),
                "ERROR",
                "po_export.main",
                f"run {r['run_id']} failed after 3 attempts: no PO files written",
            )
            jlog(
                r,
                fail_end - timedelta(seconds=0.8),
                "INFO",
                "po_export.metrics",
                "published JobFailures=1 POFilesWritten=0",
            )

    # Lambda push logs
    lg = f"/aws/lambda/{lambda_name}"
    for r in run_info:
        if not r["ok"]:
            continue
        base = r["started"] + timedelta(seconds=r["load_s"] + r["agg_s"] + 8)
        stream = base.strftime("%Y/%m/%d") + f"/[$LATEST]{k.hexs(rng, 32)}"
        t = base
        sups = rng.sample(range(101, 199), r["files"])
        for j in range(r["files"]):
            rid = k.uid(rng)
            dur = 780 + rng.random() * 300
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": stream,
                    "timestamp": k.ms(t),
                    "message": f"START RequestId: {rid} Version: $LATEST",
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": stream,
                    "timestamp": k.ms(t) + 40,
                    "message": f"{k.iso(t)[:-1]}.{rng.randrange(100, 999)}Z\t{rid}\tINFO\tpushed "
                    f"PO-{sups[j]}.csv to sftp supplier {sups[j]}",
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": stream,
                    "timestamp": k.ms(t) + int(dur),
                    "message": f"END RequestId: {rid}",
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": stream,
                    "timestamp": k.ms(t) + int(dur) + 1,
                    "message": f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: "
                    f"{int(dur) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {71 + rng.randrange(9)} MB",
                }
            )
            t += timedelta(seconds=1.3 + rng.random() * 1.5)

    # orders-api (Node, JSON) - sampled
    api_group = "/ecs/orders-api"
    api_tasks = [k.hexs(rng, 32) for _ in range(4)]
    paths = ["/v2/menu/current", "/v2/basket", "/v2/orders", "/v2/account/deliveries", "/v2/recipes/"]
    t = start + timedelta(minutes=rng.randrange(20))
    while t < now:
        step = 9 - 6 * traffic(t)
        task = rng.choice(api_tasks)
        p = rng.choice(paths)
        if p == "/v2/recipes/":
            p += str(rng.randrange(2000, 4200))
        lvl = 30
        msg = "request completed"
        status = 200
        rt = round(30 + rng.random() * 90)
        roll = rng.random()
        if roll < 0.03:
            lvl, msg, status = 40, "delivery slot lookup slow, using cached slots", 200
        elif roll < 0.04:
            lvl, msg, status = 40, "payment provider returned soft decline", 402
        line = {
            "level": lvl,
            "time": k.ms(t),
            "pid": 1,
            "hostname": f"ip-10-40-{rng.randrange(20, 23)}-"
            f"{rng.randrange(10, 240)}.{REGION}.compute.internal",
            "reqId": f"req-{k.alnum(rng, 6, False)}",
            "req": {"method": "GET" if "basket" not in p else "POST", "url": p},
            "res": {"statusCode": status},
            "responseTime": rt,
            "msg": msg,
        }
        logs.append(
            {
                "log_group": api_group,
                "log_stream": f"orders-api/orders-api/{task}",
                "timestamp": k.ms(t),
                "message": json.dumps(line, separators=(",", ":")),
            }
        )
        t += timedelta(minutes=step, seconds=rng.randrange(60))

    # metabase (JVM) - a few lines, including its own cancelled queries after the change
    mb_group = "/ecs/metabase"
    mb_stream = f"metabase/metabase/{k.hexs(rng, 32)}"
    t = start + timedelta(minutes=30)
    while t < now:
        if analytics(t) > 0:
            stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randrange(1000):03d}"
            if t >= change_at and rng.random() < 0.5:
                msg = (
                    f"{stamp} ERROR middleware.catch-exceptions :: Error processing query: ERROR: canceling "
                    "statement due to statement timeout"
                )
            elif rng.random() < 0.2:
                msg = (
                    f"{stamp} WARN sync.util :: Slow query: card {rng.randrange(90, 400)} took "
                    f'{rng.randrange(70, 600)}s (dashboard "Weekly ops")'
                )
            else:
                msg = (
                    f"{stamp} INFO metabase.middleware.log :: POST /api/card/{rng.randrange(90, 400)}/query 202 "
                    f"[ASYNC: completed] {rng.randrange(200, 9000)} ms ({rng.randrange(5, 30)} DB calls) App DB "
                    f"connections: {rng.randrange(1, 5)}/15 Jetty threads: 3/50"
                )
            logs.append(
                {"log_group": mb_group, "log_stream": mb_stream, "timestamp": k.ms(t), "message": msg}
            )
            t += timedelta(minutes=rng.randrange(4, 14))
        else:
            t += timedelta(minutes=40)

    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ----- RDS log files (postgresql.log, hourly)
    def pgl(t: datetime, who: str, pid: int, level: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%d %H:%M:%S')} UTC:{who}:[{pid}]:{level}:  {msg}"

    pg_files: dict[datetime, list[str]] = {}

    def add_pg(t: datetime, line: str) -> None:
        pg_files.setdefault(t.replace(minute=0, second=0, microsecond=0), []).append(line)

    ck = start.replace(minute=3, second=rng.randrange(60))
    while ck < now:
        add_pg(ck, pgl(ck, ":@", 541, "LOG", "checkpoint starting: time"))
        bufs = 900 + rng.randrange(4000)
        done = ck + timedelta(seconds=269 + rng.random())
        add_pg(
            done,
            pgl(
                done,
                ":@",
                541,
                "LOG",
                f"checkpoint complete: wrote {bufs} buffers "
                f"({bufs / 2621.44:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randrange(1, 6)} recycled; "
                f"write={268 + rng.random():.3f} s, sync=0.0{rng.randrange(10, 99)} s, total={269.4 + rng.random():.3f}"
                f" s; sync files={rng.randrange(40, 160)}, longest=0.00{rng.randrange(2, 9)} s, average=0.001 s; "
                f"distance={rng.randrange(20000, 90000)} kB, estimate={rng.randrange(60000, 95000)} kB",
            ),
        )
        ck += timedelta(minutes=5)
    add_pg(
        change_at + timedelta(seconds=4),
        pgl(
            change_at + timedelta(seconds=4),
            ":@",
            388,
            "LOG",
            "received SIGHUP, reloading configuration files",
        ),
    )
    add_pg(
        change_at + timedelta(seconds=4),
        pgl(
            change_at + timedelta(seconds=4),
            ":@",
            388,
            "LOG",
            'parameter "statement_timeout" changed to "60000"',
        ),
    )
    # metabase statements cancelled after the change
    t = change_at + timedelta(minutes=6)
    while t < change_at + timedelta(hours=2, minutes=30):
        if analytics(t) > 0:
            who = f"{mb_ip}({rng.randrange(30000, 60000)}):metabase@orders"
            pid = rng.randrange(20000, 40000)
            add_pg(t, pgl(t, who, pid, "ERROR", "canceling statement due to statement timeout"))
            add_pg(
                t,
                pgl(
                    t,
                    who,
                    pid,
                    "STATEMENT",
                    'SELECT "source"."delivery_week" AS "delivery_week", '
                    'count(*) AS "count" FROM (SELECT "public"."orders"."id" AS "id", ... '
                    "LIMIT 1048575",
                ),
            )
        t += timedelta(minutes=rng.randrange(9, 26))
    # an old warning or two
    for _ in range(3):
        t = start + timedelta(minutes=rng.randrange(int((now - start).total_seconds() // 60)))
        who = f"10.40.{rng.randrange(20, 23)}.{rng.randrange(10, 240)}({rng.randrange(30000, 60000)}):orders_api@orders"
        add_pg(
            t,
            pgl(
                t,
                who,
                rng.randrange(9000, 40000),
                "LOG",
                "could not receive data from client: Connection reset by peer",
            ),
        )
    job_pid = rng.randrange(20000, 40000)
    who = f"{job_ip}({rng.randrange(40000, 60000)}):po_export@orders"
    for _a, b in att:
        add_pg(b, pgl(b, who, job_pid, "ERROR", "canceling statement due to statement timeout"))
        add_pg(b, pgl(b, who, job_pid, "STATEMENT", AGG_SQL))
    db_logs = []
    for hour in sorted(pg_files):
        lines = sorted(pg_files[hour], key=lambda s: s[:19])
        data = "\n".join(lines) + "\n"
        last_w = hour + timedelta(minutes=59, seconds=59) if hour + timedelta(hours=1) <= now else now
        db_logs.append(
            {
                "service": "rds",
                "type": "DBLogFile",
                "item": {
                    "DBInstanceIdentifier": db_id,
                    "LogFileName": f"error/postgresql.log.{hour.strftime('%Y-%m-%d-%H')}",
                    "LastWritten": k.ms(last_w),
                    "Size": len(data.encode()),
                    "Data": data,
                },
            }
        )

    # ----- resources
    created = start - timedelta(days=400 + rng.randrange(300))
    resources: list[dict[str, Any]] = [
        k.vpc_item(vpc_id, "10.40.0.0/16", account, "tc-prod"),
    ]
    for n, (az, azid) in enumerate(AZS):
        resources.append(
            k.subnet_item(
                subnets[n],
                vpc_id,
                f"10.40.{20 + n}.0/24",
                az,
                azid,
                account,
                REGION,
                f"tc-prod-private-{az[-1]}",
                180 + rng.randrange(60),
            )
        )
    resources += [
        k.sg_item(
            sg_db,
            vpc_id,
            account,
            "tc-orders-pg",
            "orders PostgreSQL",
            [
                (5432, 5432, sg_api, "orders-api"),
                (5432, 5432, sg_batch, "batch jobs"),
                (5432, 5432, sg_mb, "metabase"),
            ],
        ),
        k.sg_item(
            sg_api, vpc_id, account, "tc-orders-api", "orders-api tasks", [(8080, 8080, sg_alb, "alb")]
        ),
        k.sg_item(sg_batch, vpc_id, account, "tc-batch", "scheduled batch tasks", []),
        k.sg_item(
            sg_mb, vpc_id, account, "tc-metabase", "metabase", [(3000, 3000, "10.40.0.0/16", "vpn users")]
        ),
    ]
    db_item = {
        "DBInstanceIdentifier": db_id,
        "DBInstanceClass": "db.r6g.xlarge",
        "Engine": "postgres",
        "DBInstanceStatus": "available",
        "MasterUsername": "tcadmin",
        "DBName": "orders",
        "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z1TTGA775OQIYO"},
        "AllocatedStorage": 500,
        "InstanceCreateTime": k.iso(created),
        "PreferredBackupWindow": "03:10-03:40",
        "BackupRetentionPeriod": 14,
        "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": pg_name, "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": "eu-west-2a",
        "DBSubnetGroup": {
            "DBSubnetGroupName": "tc-prod-db",
            "DBSubnetGroupDescription": "tc prod private",
            "VpcId": vpc_id,
            "SubnetGroupStatus": "Complete",
            "Subnets": [
                {
                    "SubnetIdentifier": s,
                    "SubnetAvailabilityZone": {"Name": AZS[n][0]},
                    "SubnetStatus": "Active",
                }
                for n, s in enumerate(subnets)
            ],
        },
        "PreferredMaintenanceWindow": "sun:04:00-sun:04:30",
        "PendingModifiedValues": {},
        "LatestRestorableTime": k.iso(now - timedelta(minutes=4)),
        "MultiAZ": True,
        "EngineVersion": "15.5",
        "AutoMinorVersionUpgrade": True,
        "ReadReplicaDBInstanceIdentifiers": [],
        "LicenseModel": "postgresql-license",
        "Iops": 12000,
        "StorageThroughput": 500,
        "StorageType": "gp3",
        "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-15", "Status": "in-sync"}],
        "SecondaryAvailabilityZone": "eu-west-2b",
        "PubliclyAccessible": False,
        "StorageEncrypted": True,
        "KmsKeyId": f"arn:aws:kms:{REGION}:{account}:key/{k.uid(rng)}",
        "DbiResourceId": db_resource_id,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "CopyTagsToSnapshot": True,
        "MonitoringInterval": 60,
        "DBInstanceArn": f"arn:aws:rds:{REGION}:{account}:db:{db_id}",
        "IAMDatabaseAuthenticationEnabled": False,
        "PerformanceInsightsEnabled": True,
        "DeletionProtection": True,
        "EnabledCloudwatchLogsExports": [],
        "MaxAllocatedStorage": 1000,
        "TagList": k.tags({"team": "platform", "env": "prod", "service": "orders"}),
        "CertificateDetails": {"CAIdentifier": "rds-ca-rsa2048-g1", "ValidTill": "2025-01-09T21:00:00Z"},
    }
    resources.append({"service": "rds", "type": "DBInstance", "item": db_item})
    resources.append(
        {
            "service": "rds",
            "type": "DBParameterGroup",
            "item": {
                "DBParameterGroupName": pg_name,
                "DBParameterGroupFamily": "postgres15",
                "Description": "orders postgres 15",
                "DBParameterGroupArn": f"arn:aws:rds:{REGION}:{account}:pg:{pg_name}",
            },
        }
    )
    params = [
        (
            "statement_timeout",
            "60000",
            "dynamic",
            "integer",
            "0-2147483647",
            "Sets the maximum allowed duration of any statement.",
        ),
        (
            "idle_in_transaction_session_timeout",
            "900000",
            "dynamic",
            "integer",
            "0-2147483647",
            "Sets the maximum allowed duration of any idling transaction.",
        ),
        (
            "log_min_duration_statement",
            "-1",
            "dynamic",
            "integer",
            "-1-2147483647",
            "Sets the minimum execution time above which statements will be logged.",
        ),
        ("rds.force_ssl", "1", "dynamic", "boolean", "0,1", "Force SSL connections."),
        (
            "shared_preload_libraries",
            "pg_stat_statements",
            "static",
            "list",
            "auto_explain,orafce,pg_cron,pg_hint_plan,pg_stat_statements,pg_tle,pgaudit,plprofiler",
            "Lists shared libraries to preload into server.",
        ),
        (
            "work_mem",
            "65536",
            "dynamic",
            "integer",
            "64-2147483647",
            "Sets the maximum memory to be used for query workspaces.",
        ),
    ]
    for name, val, apply, dtype, allowed, desc in params:
        resources.append(
            {
                "service": "rds",
                "type": "DBParameter",
                "item": {
                    "DBParameterGroupName": pg_name,
                    "ParameterName": name,
                    "ParameterValue": val,
                    "Description": desc,
                    "Source": "user",
                    "ApplyType": apply,
                    "DataType": dtype,
                    "AllowedValues": allowed,
                    "IsModifiable": True,
                    "ApplyMethod": "immediate" if apply == "dynamic" else "pending-reboot",
                },
            }
        )
    resources += db_logs

    def taskdef(
        rev: int, image_tag: str, registered: datetime, extra_env: list[dict[str, str]]
    ) -> dict[str, Any]:
        env = [
            {"name": "PGHOST", "value": db_host},
            {"name": "PGDATABASE", "value": "orders"},
            {"name": "PO_BUCKET", "value": po_bucket},
            {"name": "LOG_LEVEL", "value": "INFO"},
            *extra_env,
        ]
        return {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{account}:task-definition/{job_family}:{rev}",
                "family": job_family,
                "revision": rev,
                "status": "ACTIVE",
                "taskRoleArn": f"arn:aws:iam::{account}:role/tc-supplier-po-export-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/tc-ecs-task-execution",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "4096",
                "registeredAt": k.iso(registered),
                "registeredBy": f"arn:aws:sts::{account}:assumed-role/gha-deploy-batch/GitHubActions",
                "containerDefinitions": [
                    {
                        "name": "po-export",
                        "image": f"{ecr}/supplier-po-export:{image_tag}",
                        "essential": True,
                        "command": ["python", "-m", "po_export.main"],
                        "environment": env,
                        "secrets": [
                            {
                                "name": "PGPASSWORD",
                                "valueFrom": f"arn:aws:secretsmanager:{REGION}:{account}:secret:"
                                f"tc/orders/po_export-{k.alnum(rng, 6, False)}",
                            }
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": job_group,
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "po-export",
                                "awslogs-multiline-pattern": "^\\d{4}-\\d{2}-\\d{2} ",
                            },
                        },
                    }
                ],
            },
        }

    resources.append(taskdef(rev_old, tag_old, deploy_at - timedelta(days=8, hours=3), []))
    resources.append(
        taskdef(
            rev_new,
            tag_new,
            deploy_at + timedelta(seconds=3),
            [{"name": "PO_INCLUDE_DAIRY_SITE", "value": "true"}],
        )
    )
    for cl in (batch_cluster, web_cluster):
        resources.append(
            {
                "service": "ecs",
                "type": "Cluster",
                "item": {
                    "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{cl}",
                    "clusterName": cl,
                    "status": "ACTIVE",
                    "registeredContainerInstancesCount": 0,
                    "runningTasksCount": 6 if cl == web_cluster else 0,
                    "pendingTasksCount": 0,
                    "activeServicesCount": 2 if cl == web_cluster else 0,
                    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                },
            }
        )
    api_td = f"arn:aws:ecs:{REGION}:{account}:task-definition/orders-api:{212 + rng.randrange(30)}"
    svc_arn = f"arn:aws:ecs:{REGION}:{account}:service/{web_cluster}/orders-api"
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": "orders-api",
                "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{web_cluster}",
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "orders-api", "containerPort": 8080}
                ],
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": api_td,
                "deploymentConfiguration": {
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                "deployments": [
                    {
                        "id": "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19)),
                        "status": "PRIMARY",
                        "taskDefinition": api_td,
                        "desiredCount": 4,
                        "pendingCount": 0,
                        "runningCount": 4,
                        "createdAt": k.iso(start - timedelta(days=3)),
                        "updatedAt": k.iso(start - timedelta(days=3) + timedelta(minutes=6)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                    }
                ],
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_api],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
                "createdAt": k.iso(created),
                "events": [],
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"internal-{alb_name}-{rng.randrange(10**9, 10**10)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": AZS[n][0], "SubnetId": subnets[n]} for n in range(3)],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "tc-orders-api",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": lambda_name,
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{lambda_name}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/tc-po-sftp-push",
                "Handler": "index.handler",
                "CodeSize": 1843211,
                "Description": "push new PO files to supplier SFTP",
                "Timeout": 60,
                "MemorySize": 256,
                "LastModified": (created + timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": k.alnum(rng, 43) + "=",
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": subnets, "SecurityGroupIds": [sg_batch], "VpcId": vpc_id},
                "Environment": {"Variables": {"PO_BUCKET": po_bucket, "SFTP_HOST_PARAM": "/tc/sftp/host"}},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": k.uid(rng),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
            },
        }
    )
    for name, ret in (
        (job_group, 30),
        (lg, 30),
        (api_group, 14),
        (mb_group, 14),
        (f"/aws/rds/instance/{db_id}/postgresql", 7),
    ):
        resources.append(
            k.log_group(
                account,
                REGION,
                name,
                created + timedelta(days=rng.randrange(30, 200)),
                ret,
                rng.randrange(10**7, 10**10),
            )
        )
    resources.append(
        k.iam_role(
            account,
            "tc-supplier-po-export-task",
            created + timedelta(days=31),
            "ecs-tasks.amazonaws.com",
            "AROA" + k.alnum(rng, 17),
        )
    )
    resources.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {"Name": po_bucket, "CreationDate": k.iso(created + timedelta(days=30))},
        }
    )

    # ----- RDS events
    events: list[dict[str, Any]] = []
    pg_arn = f"arn:aws:rds:{REGION}:{account}:pg:{pg_name}"
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": pg_name,
                "SourceType": "db-parameter-group",
                "Message": "Updated parameter statement_timeout to 60000 with apply method immediate",
                "EventCategories": [],
                "Date": k.iso(change_at + timedelta(seconds=2)),
                "SourceArn": pg_arn,
            },
        }
    )
    backup_job = k.uid(rng).upper()
    snap_at = day + timedelta(hours=1, minutes=6 + rng.randrange(9))
    snap_id = f"awsbackup:job-{backup_job.lower()}"
    snap_arn = f"arn:aws:rds:{REGION}:{account}:snapshot:{snap_id}"
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": snap_id,
                "SourceType": "db-snapshot",
                "Message": "Creating manual snapshot",
                "EventCategories": ["creation"],
                "Date": k.iso(snap_at + timedelta(seconds=3)),
                "SourceArn": snap_arn,
            },
        }
    )
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": snap_id,
                "SourceType": "db-snapshot",
                "Message": "Manual snapshot created",
                "EventCategories": ["creation"],
                "Date": k.iso(snap_at + timedelta(minutes=7, seconds=rng.randrange(60))),
                "SourceArn": snap_arn,
            },
        }
    )
    for dd in (1, 2):
        bt = day - timedelta(days=dd) + timedelta(hours=3, minutes=11 + rng.randrange(10))
        if bt > start:
            events.append(
                {
                    "source": "rds",
                    "item": {
                        "SourceIdentifier": db_id,
                        "SourceType": "db-instance",
                        "Message": "Backing up DB instance",
                        "EventCategories": ["backup"],
                        "Date": k.iso(bt),
                        "SourceArn": db_item["DBInstanceArn"],
                    },
                }
            )
            events.append(
                {
                    "source": "rds",
                    "item": {
                        "SourceIdentifier": db_id,
                        "SourceType": "db-instance",
                        "Message": "Finished DB Instance backup",
                        "EventCategories": ["backup"],
                        "Date": k.iso(bt + timedelta(minutes=9 + rng.randrange(6))),
                        "SourceArn": db_item["DBInstanceArn"],
                    },
                }
            )
    events.sort(key=lambda e: e["item"]["Date"])

    # ----- CloudTrail
    trail: list[dict[str, Any]] = []
    priya = k.sso_human(
        rng,
        account,
        REGION,
        "DataPlatformAdmin",
        "priya.raman@thistlecrate.co.uk",
        f"81.{rng.randrange(100, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    tom = k.sso_human(
        rng,
        account,
        REGION,
        "Developer",
        "tom.achebe@thistlecrate.co.uk",
        f"86.{rng.randrange(100, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
        console=False,
        ua="aws-cli/2.15.10 Python/3.11.6 Darwin/23.2.0 exe/x86_64 prompt/off command/logs.tail",
    )
    wei = k.sso_human(
        rng,
        account,
        REGION,
        "Developer",
        "wei.lin@thistlecrate.co.uk",
        f"103.{rng.randrange(100, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    gha_ip = f"20.{rng.randrange(30, 200)}.{rng.randrange(256)}.{rng.randrange(256)}"
    gha = k.role_session(
        rng,
        account,
        "gha-deploy-batch",
        "GitHubActions",
        gha_ip,
        "aws-sdk-js/3.490.0 ua/2.0 os/linux#6.2.0-1018-azure lang/js md/nodejs#20.10.0 api/ecs#3.490.0",
    )
    gha_web = k.role_session(
        rng,
        account,
        "gha-deploy-web",
        "GitHubActions",
        f"20.{rng.randrange(30, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-js/3.490.0 ua/2.0 os/linux#6.2.0-1018-azure lang/js md/nodejs#20.10.0 api/ecs#3.490.0",
    )
    tf = k.role_session(
        rng,
        account,
        "tc-terraform-plan",
        "atlantis-plan",
        "10.40.5.17",
        "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/"
        "5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 "
        "os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64",
    )
    dd_ = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        k.hexs(rng, 32),
        "3.233.146.12",
        "Datadog/1.0 aws-sdk-go/1.44.327 (go1.20.7; linux; amd64)",
    )
    sched = k.role_session(
        rng,
        account,
        "tc-scheduler-run-batch",
        k.hexs(rng, 32),
        "scheduler.amazonaws.com",
        "scheduler.amazonaws.com",
        invoked_by="scheduler.amazonaws.com",
    )
    backup = k.role_session(
        rng,
        account,
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        "backup.amazonaws.com",
        "backup.amazonaws.com",
        invoked_by="backup.amazonaws.com",
    )
    ecs_svc = k.aws_service(account, "ecs.amazonaws.com")
    RDS, ECS = "rds.amazonaws.com", "ecs.amazonaws.com"

    # the job's own launches
    for r in run_info:
        t = r["t"] + timedelta(seconds=rng.randrange(2, 9))
        rev = rev_new if t > deploy_at else rev_old
        td = f"arn:aws:ecs:{REGION}:{account}:task-definition/{job_family}:{rev}"
        task_arn = f"arn:aws:ecs:{REGION}:{account}:task/{batch_cluster}/{r['task']}"
        trail.append(
            k.ct(
                rng,
                sched,
                t,
                ECS,
                "RunTask",
                REGION,
                {
                    "cluster": f"arn:aws:ecs:{REGION}:{account}:cluster/{batch_cluster}",
                    "count": 1,
                    "launchType": "FARGATE",
                    "taskDefinition": td,
                    "startedBy": "chronos-schedule",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets[:2],
                            "securityGroups": [sg_batch],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                },
                {
                    "tasks": [
                        {
                            "taskArn": task_arn,
                            "taskDefinitionArn": td,
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                            "launchType": "FARGATE",
                            "cpu": "1024",
                            "memory": "4096",
                        }
                    ],
                    "failures": [],
                },
            )
        )
        trail.append(
            k.assume_role_by_service(
                rng,
                account,
                REGION,
                t + timedelta(seconds=30),
                "ecs-tasks.amazonaws.com",
                f"arn:aws:iam::{account}:role/tc-supplier-po-export-task",
                r["task"],
            )
        )
        trail.append(
            k.ct(
                rng,
                k.role_session(
                    rng,
                    account,
                    "tc-supplier-po-export-task",
                    r["task"],
                    job_ip,
                    "Boto3/1.34.14 md/Botocore#1.34.14 ua/2.0 os/linux#5.10.205-195.807."
                    "amzn2.x86_64 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython "
                    "cfg/retry-mode#legacy Botocore/1.34.14",
                ),
                t + timedelta(seconds=36),
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                REGION,
                {"secretId": f"arn:aws:secretsmanager:{REGION}:{account}:secret:tc/orders/po_export"},
                None,
                read_only=True,
            )
        )

    # the deploy of the job the day before
    trail.append(
        k.ct(
            rng,
            gha,
            deploy_at,
            ECS,
            "RegisterTaskDefinition",
            REGION,
            {
                "family": job_family,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "4096",
                "containerDefinitions": [
                    {"name": "po-export", "image": f"{ecr}/supplier-po-export:{tag_new}"}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{account}:task-definition/{job_family}:"
                    f"{rev_new}",
                    "family": job_family,
                    "revision": rev_new,
                    "status": "ACTIVE",
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dataclasses.replace(gha, user_agent=gha.user_agent.replace("api/ecs", "api/scheduler")),
            deploy_at + timedelta(seconds=11),
            "scheduler.amazonaws.com",
            "UpdateSchedule",
            REGION,
            {
                "name": "supplier-po-export-nightly",
                "groupName": "default",
                "scheduleExpression": "cron(30 1 * * ? *)",
                "scheduleExpressionTimezone": "Europe/London",
                "state": "ENABLED",
                "flexibleTimeWindow": {"mode": "OFF"},
                "target": {
                    "arn": f"arn:aws:ecs:{REGION}:{account}:cluster/{batch_cluster}",
                    "roleArn": f"arn:aws:iam::{account}:role/tc-scheduler-run-batch",
                    "ecsParameters": {
                        "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{account}:"
                        f"task-definition/{job_family}:{rev_new}",
                        "taskCount": 1,
                        "launchType": "FARGATE",
                    },
                    "retryPolicy": {"maximumRetryAttempts": 0},
                },
            },
            {
                "scheduleArn": f"arn:aws:scheduler:{REGION}:{account}:schedule/default/"
                "supplier-po-export-nightly"
            },
        )
    )
    # the parameter change, from the console
    trail.append(
        k.ct(
            rng,
            priya,
            change_at - timedelta(minutes=6),
            RDS,
            "DescribeDBParameters",
            REGION,
            {"dBParameterGroupName": pg_name, "source": "user"},
            None,
            read_only=True,
        )
    )
    culprit = k.ct(
        rng,
        priya,
        change_at,
        RDS,
        "ModifyDBParameterGroup",
        REGION,
        {
            "dBParameterGroupName": pg_name,
            "parameters": [
                {
                    "parameterName": "statement_timeout",
                    "parameterValue": "60000",
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBParameterGroupName": pg_name},
    )
    trail.append(culprit)
    trail.append(
        k.ct(
            rng,
            priya,
            change_at + timedelta(minutes=1, seconds=10),
            RDS,
            "DescribeDBParameterGroups",
            REGION,
            {"dBParameterGroupName": pg_name},
            None,
            read_only=True,
        )
    )
    # a web deploy the afternoon before
    web_deploy = day - timedelta(days=1) + timedelta(hours=13, minutes=rng.randrange(50))
    trail.append(
        k.ct(
            rng,
            gha_web,
            web_deploy,
            ECS,
            "UpdateService",
            REGION,
            {
                "cluster": web_cluster,
                "service": "orders-api",
                "taskDefinition": api_td,
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": "orders-api",
                    "serviceArn": svc_arn,
                    "taskDefinition": api_td,
                    "desiredCount": 4,
                    "status": "ACTIVE",
                }
            },
        )
    )
    # near the onset: the backup job, terraform drift plan, and a Lambda config change from Singapore
    trail.append(
        k.ct(
            rng,
            backup,
            snap_at,
            RDS,
            "CreateDBSnapshot",
            REGION,
            {
                "dBSnapshotIdentifier": snap_id,
                "dBInstanceIdentifier": db_id,
                "tags": [{"key": "aws:backup:source-resource", "value": db_resource_id}],
            },
            {
                "dBSnapshotIdentifier": snap_id,
                "dBInstanceIdentifier": db_id,
                "status": "creating",
                "engine": "postgres",
                "allocatedStorage": 500,
                "snapshotType": "manual",
                "dBSnapshotArn": snap_arn,
            },
        )
    )
    plan_at = day + timedelta(hours=1, minutes=15 + rng.randrange(8))
    plan_calls: list[tuple[str, str, dict[str, Any]]] = [
        (RDS, "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
        (RDS, "DescribeDBParameterGroups", {"dBParameterGroupName": pg_name}),
        (RDS, "DescribeDBParameters", {"dBParameterGroupName": pg_name}),
        (
            ECS,
            "DescribeServices",
            {"cluster": web_cluster, "services": ["orders-api"], "include": ["TAGS"]},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"targetGroupArns": [tg_arn]}),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", {"groupIds": [sg_db, sg_api]}),
        ("lambda.amazonaws.com", "GetFunction", {"functionName": lambda_name}),
    ]
    for j, (src, name, req) in enumerate(plan_calls):
        trail.append(
            k.ct(
                rng,
                tf,
                plan_at + timedelta(seconds=2 * j + rng.random()),
                src,
                name,
                REGION,
                req,
                None,
                read_only=True,
            )
        )
    fn_change = onset + timedelta(minutes=8 + rng.randrange(14))
    trail.append(
        k.ct(
            rng,
            wei,
            fn_change,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            REGION,
            {"functionName": "menu-image-resizer", "memorySize": 1024, "timeout": 30},
            {
                "functionName": "menu-image-resizer",
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:menu-image-resizer",
                "runtime": "nodejs20.x",
                "memorySize": 1024,
                "timeout": 30,
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "version": "$LATEST",
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            wei,
            fn_change - timedelta(minutes=3),
            "lambda.amazonaws.com",
            "GetFunction",
            REGION,
            {"functionName": "menu-image-resizer"},
            None,
            read_only=True,
        )
    )
    # the morning: someone looking
    look = now - timedelta(minutes=12 + rng.randrange(8))
    trail.append(
        k.ct(
            rng,
            tom,
            look,
            "logs.amazonaws.com",
            "FilterLogEvents",
            REGION,
            {"logGroupName": f"/aws/lambda/{lambda_name}", "startTime": k.ms(day)},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            tom,
            look + timedelta(minutes=2),
            "logs.amazonaws.com",
            "DescribeLogStreams",
            REGION,
            {"logGroupName": job_group, "orderBy": "LastEventTime", "descending": True},
            None,
            read_only=True,
        )
    )
    # routine polling and service activity across the window
    t = start + timedelta(minutes=rng.randrange(30))
    while t < now:
        pick = rng.random()
        if pick < 0.35:
            trail.append(
                k.ct(
                    rng,
                    dd_,
                    t,
                    "monitoring.amazonaws.com",
                    "GetMetricData",
                    REGION,
                    {
                        "startTime": k.iso(t - timedelta(minutes=10)),
                        "endTime": k.iso(t),
                        "maxDatapoints": 100800,
                    },
                    None,
                    read_only=True,
                )
            )
        elif pick < 0.55:
            trail.append(
                k.ct(
                    rng,
                    dd_,
                    t,
                    "tag.amazonaws.com",
                    "GetResources",
                    REGION,
                    {"resourceTypeFilters": ["rds:db"], "resourcesPerPage": 100},
                    None,
                    read_only=True,
                )
            )
        elif pick < 0.75:
            trail.append(
                k.assume_role_by_service(
                    rng,
                    account,
                    REGION,
                    t,
                    "ecs-tasks.amazonaws.com",
                    f"arn:aws:iam::{account}:role/tc-orders-api-task",
                    k.hexs(rng, 32),
                )
            )
        elif pick < 0.88:
            trail.append(
                k.ct(
                    rng,
                    ecs_svc,
                    t,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetHealth",
                    REGION,
                    {"targetGroupArn": tg_arn},
                    None,
                    read_only=True,
                )
            )
        else:
            trail.append(
                k.ct(
                    rng,
                    priya if t.hour in range(9, 18) else dd_,
                    t,
                    RDS,
                    "DescribeDBInstances",
                    REGION,
                    {"dBInstanceIdentifier": db_id},
                    None,
                    read_only=True,
                )
            )
        t += timedelta(minutes=35 + rng.randrange(60))
    trail = [r for r in trail if r["eventTime"] <= k.iso(now)]
    trail = k.ct_sort(trail)

    question = (
        "Suppliers are ringing to say they never got this morning's purchase orders. The PO export "
        "normally has them on their SFTP by about 2am and nobody touched anything overnight. What "
        "happened?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg_name,
                    "category": "change",
                    "failure_mode": "db-parameter-statement-timeout-cancels-batch-query",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [pg_arn, db_id, db_item["DBInstanceArn"]],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"statement_timeout set to 60000 ms on parameter group {pg_name} (applied immediately to {db_id}) "
                    "the afternoon before",
                    f"{job_family}'s supplier-lines aggregation (normally ~3-4 minutes) cancelled at 60 s on all three "
                    "attempts",
                    "the run exits with no PO files written to S3",
                    f"{lambda_name} is never invoked, so no purchase orders reach the suppliers' SFTP",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
