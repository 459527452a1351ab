"""The gp2 data volume of a self-managed PostgreSQL primary runs out of burst credits at the late-morning peak."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "orders-pg-gp2-burst-exhausted"
TITLE = "orders-api latency up to seconds, nothing deployed"
SUMMARY = (
    "orders-pg-01's 500 GiB gp2 data volume (1500 IOPS baseline) bursts above baseline every morning; today's "
    "slightly higher load drains BurstBalance to 0, IOPS clamp to baseline, queue length and I/O latency soar, "
    "and orders-api slows to seconds with statement timeouts."
)

CREDITS = 5_400_000.0


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed, regions=["eu-west-1", "eu-west-2", "eu-central-1"])
    rng = ctx.rng
    tz = ZoneInfo(
        {"eu-west-1": "Europe/Dublin", "eu-west-2": "Europe/London", "eu-central-1": "Europe/Berlin"}[
            ctx.region
        ]
    )
    day = k.pick_day(ctx)
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    ctx.start = (local - timedelta(hours=18)).astimezone(k.UTC)  # 06:00 local yesterday
    ctx.fine_from = (local + timedelta(hours=6)).astimezone(k.UTC)
    size = rng.choice([400, 500, 600])
    base_iops = 3 * size
    today_mult = rng.uniform(1.12, 1.2)
    yday_mult = rng.uniform(0.86, 0.9)
    peak_demand = base_iops * rng.uniform(1.38, 1.42)

    def demand(x: datetime) -> float:
        mult = today_mult if x >= local.astimezone(k.UTC) else yday_mult
        return 300 + (peak_demand - 300) * k.diurnal(x, offset_h, peak_h=12.5, floor=0.0) * mult

    # simulate the credit bucket minute by minute (start the day with a full bucket)
    ctx.now = ctx.start + timedelta(hours=48)
    horizon = ctx.minutes()
    credits = CREDITS
    served: list[float] = []
    dem: list[float] = []
    bal: list[float] = []
    onset_i = None
    for i in range(horizon):
        want = demand(ctx.t(i)) * (1 + ctx.noise(0.04))
        s = min(want, 3000.0) if credits > 0 else min(want, float(base_iops))
        credits = max(0.0, min(CREDITS, credits + (base_iops - s) * 60))
        dem.append(want)
        served.append(s)
        bal.append(100 * credits / CREDITS)
        if onset_i is None and credits == 0 and ctx.t(i) > local.astimezone(k.UTC):
            onset_i = i
    assert onset_i is not None
    onset = ctx.t(onset_i)
    ctx.now = k.floor_min(onset + timedelta(minutes=rng.randint(35, 52)))
    N = ctx.minutes()
    dem, served, bal = dem[:N], served[:N], bal[:N]
    queue = [
        max(0.4, min(64.0, 0.8 + (d / s - 1) * 45 if d > s * 1.01 else 0.5 + s / 2000))
        for d, s in zip(dem, served, strict=True)
    ]
    op_ms = [q / s * 1000 for q, s in zip(queue, served, strict=True)]  # average time per op, ms
    app_lat = [0.085 * (1 + max(0.0, o - 0.6) / 1.6) * (1 + ctx.noise(0.05)) for o in op_ms]
    err = [max(0.0, (o - 9) / 180) for o in op_ms]

    # ---- resources ------------------------------------------------------------------------------
    net = k.network(ctx, "orders-prod")
    alb_sg = k.security_group(ctx, net, "orders-prod-alb", "orders ALB", [(443, 443, "0.0.0.0/0")])
    api_sg = k.security_group(ctx, net, "orders-api", "orders-api", [(8080, 8080, alb_sg)])
    db_sg = k.security_group(
        ctx, net, "orders-pg", "postgres", [(5432, 5432, api_sg), (5432, 5432, net.cidr)]
    )
    lb = k.load_balancer(ctx, net, "orders-prod", alb_sg, created=ctx.start - timedelta(days=600))
    tg = k.target_group(ctx, net, "orders-api-prod", 8080, lb, path="/healthz")
    k.listener(ctx, lb, tg)
    vols: dict[str, dict[str, Any]] = {}
    db: list[dict[str, Any]] = []
    for n in range(2):
        sub = net.private[n]
        data_vol = ctx.rid("vol")
        inst = k.instance(
            ctx,
            net,
            sub,
            name=f"orders-pg-0{n + 1}",
            itype="r6i.2xlarge",
            ami=ctx.rid("ami"),
            sgs=[(db_sg, "orders-pg")],
            profile="orders-pg",
            launched=ctx.start - timedelta(days=rng.randint(200, 500)),
            extra_tags={"service": "orders-pg", "role": "primary" if n == 0 else "replica", "env": "prod"},
            emit=False,
        )
        inst["BlockDeviceMappings"].append(
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {
                    "AttachTime": inst["LaunchTime"],
                    "DeleteOnTermination": False,
                    "Status": "attached",
                    "VolumeId": data_vol,
                },
            }
        )
        ctx.res("ec2", "Instance", inst)
        k.instance_status(ctx, inst)
        db.append(inst)
        for vid, vtype, vsize, dev in (
            (inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"], "gp3", 30, "/dev/xvda"),
            (data_vol, "gp2", size, "/dev/sdf"),
        ):
            item: dict[str, Any] = {
                "Attachments": [
                    {
                        "AttachTime": inst["LaunchTime"],
                        "Device": dev,
                        "InstanceId": inst["InstanceId"],
                        "State": "attached",
                        "VolumeId": vid,
                        "DeleteOnTermination": vtype == "gp3",
                    }
                ],
                "AvailabilityZone": sub.az,
                "CreateTime": k.iso_ms(ctx.start - timedelta(days=rng.randint(500, 700))),
                "Encrypted": True,
                "KmsKeyId": ctx.arn("kms", f"key/{ctx.uuid()}"),
                "Size": vsize,
                "SnapshotId": "" if vtype == "gp2" else ctx.rid("snap"),
                "State": "in-use",
                "VolumeId": vid,
                "Iops": 3000 if vtype == "gp3" else 3 * vsize,
                "VolumeType": vtype,
                "MultiAttachEnabled": False,
                "Tags": [
                    {"Key": "Name", "Value": f"orders-pg-0{n + 1}-{'root' if vtype == 'gp3' else 'data'}"}
                ],
            }
            if vtype == "gp3":
                item["Throughput"] = 125
            ctx.res("ec2", "Volume", item)
            vols[f"{n}-{vtype}"] = item
    api = [
        k.instance(
            ctx,
            net,
            net.private[n % 3],
            name="orders-api-prod",
            itype="c6i.large",
            ami=ctx.rid("ami"),
            sgs=[(api_sg, "orders-api")],
            profile="orders-api",
            launched=ctx.start - timedelta(days=rng.randint(2, 20)),
            extra_tags={"service": "orders-api", "env": "prod"},
        )
        for n in range(3)
    ]
    for inst in api:
        k.instance_status(ctx, inst)
        ctx.target_health(tg.arn, inst["InstanceId"], 8080, ctx.start - timedelta(days=1), "healthy")
    victim = vols["0-gp2"]["VolumeId"]
    replica_vol = vols["1-gp2"]["VolumeId"]

    # ---- EBS metrics ----------------------------------------------------------------------------
    ebs = "AWS/EBS"
    rfrac = 0.35
    d = {"VolumeId": victim}
    ctx.series(ebs, "VolumeReadOps", d, "Count", lambda x: served[ctx.idx(x)] * 60 * rfrac, kind="count")
    ctx.series(
        ebs, "VolumeWriteOps", d, "Count", lambda x: served[ctx.idx(x)] * 60 * (1 - rfrac), kind="count"
    )
    ctx.series(
        ebs, "VolumeReadBytes", d, "Bytes", lambda x: served[ctx.idx(x)] * 60 * rfrac * 16384, kind="count"
    )
    ctx.series(
        ebs,
        "VolumeWriteBytes",
        d,
        "Bytes",
        lambda x: served[ctx.idx(x)] * 60 * (1 - rfrac) * 12288,
        kind="count",
    )
    ctx.series(
        ebs,
        "VolumeTotalReadTime",
        d,
        "Seconds",
        lambda x: served[ctx.idx(x)] * 60 * rfrac * op_ms[ctx.idx(x)] / 1000,
        kind="count",
    )
    ctx.series(
        ebs,
        "VolumeTotalWriteTime",
        d,
        "Seconds",
        lambda x: served[ctx.idx(x)] * 60 * (1 - rfrac) * op_ms[ctx.idx(x)] * 1.2 / 1000,
        kind="count",
    )
    qs = ctx.series(ebs, "VolumeQueueLength", d, "Count", lambda x: queue[ctx.idx(x)])
    ctx.series(
        ebs, "VolumeIdleTime", d, "Seconds", lambda x: max(0.0, 60 - served[ctx.idx(x)] / 40), kind="count"
    )
    bb = ctx.series(ebs, "BurstBalance", d, "Percent", lambda x: round(bal[ctx.idx(x)], 4))
    # the replica's gp2 volume serves reads only and stays healthy; root volumes are gp3 (no BurstBalance)
    rep = [
        300 * 0.4 + (peak_demand * 0.33) * k.diurnal(ctx.t(i), offset_h, peak_h=12.5, floor=0.0)
        for i in range(N)
    ]
    rd = {"VolumeId": replica_vol}
    credits = CREDITS
    rbal = []
    for v in rep:
        credits = max(0.0, min(CREDITS, credits + (base_iops - v) * 60))
        rbal.append(100 * credits / CREDITS)
    ctx.series(
        ebs,
        "VolumeReadOps",
        rd,
        "Count",
        lambda x: rep[ctx.idx(x)] * 60 * 0.85 * (1 + ctx.noise(0.04)),
        kind="count",
    )
    ctx.series(
        ebs,
        "VolumeWriteOps",
        rd,
        "Count",
        lambda x: rep[ctx.idx(x)] * 60 * 0.15 * (1 + ctx.noise(0.04)),
        kind="count",
    )
    ctx.series(
        ebs, "VolumeQueueLength", rd, "Count", lambda x: 0.4 + rep[ctx.idx(x)] / 2500 + ctx.noise(0.03)
    )
    ctx.series(ebs, "BurstBalance", rd, "Percent", lambda x: round(rbal[ctx.idx(x)], 4))
    for key in ("0-gp3", "1-gp3"):
        vd = {"VolumeId": vols[key]["VolumeId"]}
        ctx.series(ebs, "VolumeWriteOps", vd, "Count", lambda x: 900 + ctx.noise(80), kind="count")
        ctx.series(ebs, "VolumeQueueLength", vd, "Count", lambda x: 0.05 + abs(ctx.noise(0.02)))

    # ---- instance metrics -------------------------------------------------------------------------
    pid = db[0]["InstanceId"]
    cpu_busy = [8 + 38 * s / 3000 + ctx.noise(1.2) for s in served]
    ctx.series("AWS/EC2", "CPUUtilization", {"InstanceId": pid}, "Percent", lambda x: cpu_busy[ctx.idx(x)])
    ctx.series(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": db[1]["InstanceId"]},
        "Percent",
        lambda x: 5 + 20 * rep[ctx.idx(x)] / 3000 + ctx.noise(1),
    )
    host = str(db[0]["PrivateDnsName"]).split(".")[0]
    cw = {
        "InstanceId": pid,
        "ImageId": db[0]["ImageId"],
        "InstanceType": "r6i.2xlarge",
        "cpu": "cpu-total",
        "host": host,
    }
    ctx.series(
        "CWAgent",
        "cpu_usage_iowait",
        cw,
        "Percent",
        lambda x: min(
            70.0, 1.5 + 60 * max(0.0, 1 - served[ctx.idx(x)] / dem[ctx.idx(x)]) * 2 + abs(ctx.noise(0.6))
        ),
    )
    ctx.series(
        "CWAgent",
        "mem_used_percent",
        {k_: v for k_, v in cw.items() if k_ != "cpu"},
        "Percent",
        lambda x: 71 + ctx.noise(0.4),
    )
    for inst in db + api:
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": inst["InstanceId"]}, "Count", lambda x: 0.0)

    # ---- ALB ------------------------------------------------------------------------------------
    rq = [
        rng.randint(1500, 2300)
        * k.diurnal(ctx.t(i), offset_h, peak_h=12.5, floor=0.08)
        * (today_mult if ctx.t(i) >= local.astimezone(k.UTC) else yday_mult)
        * (1 + ctx.noise(0.04))
        for i in range(N)
    ]
    ns = "AWS/ApplicationELB"
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    e5 = [round(r * e) for r, e in zip(rq, err, strict=True)]
    ctx.series(ns, "RequestCount", tgd, "Count", lambda x: float(round(rq[ctx.idx(x)])), kind="count")
    ctx.series(
        ns,
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda x: float(round(rq[ctx.idx(x)]) - e5[ctx.idx(x)]),
        kind="count",
    )
    s5 = ctx.series(
        ns,
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda x: float(e5[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    trt = ctx.series(
        ns,
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda x: app_lat[ctx.idx(x)],
        kind="dist",
        counts=[float(round(r)) for r in rq],
    )
    ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: 3.0)
    ctx.series(ns, "UnHealthyHostCount", tgd, "Count", lambda x: 0.0)
    for inst in api:
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": inst["InstanceId"]},
            "Percent",
            lambda x: 5 + 30 * rq[ctx.idx(x)] / 2300 + ctx.noise(1.0),
        )

    topic = ctx.arn("sns", "orders-oncall")
    a_lat = ctx.alarm(
        "orders-api-latency-high",
        trt,
        stat="Average",
        threshold=0.5,
        op="GreaterThanThreshold",
        evals=5,
        datapoints=3,
        actions=[topic],
        description="orders-api average latency > 500ms",
    )
    ctx.add_alarm(a_lat)
    ctx.add_alarm(
        ctx.alarm(
            "orders-api-5xx",
            s5,
            stat="Sum",
            threshold=30,
            op="GreaterThanOrEqualToThreshold",
            evals=3,
            datapoints=2,
            missing="notBreaching",
            actions=[topic],
        )
    )
    ctx.add_alarm(
        ctx.alarm(
            "orders-pg-01-data-queue-depth",
            qs,
            stat="Average",
            threshold=40,
            op="GreaterThanThreshold",
            period=300,
            evals=3,
            actions=[topic],
            description="legacy alarm from the 2022 migration",
        )
    )
    cpu_vals: list[float | None] = [float(v) for v in cpu_busy]
    cpu_s = k.Series("AWS/EC2", "CPUUtilization", {"InstanceId": pid}, "Percent", cpu_vals)
    ctx.add_alarm(
        ctx.alarm(
            "orders-pg-01-cpu-high",
            cpu_s,
            stat="Average",
            threshold=80,
            op="GreaterThanThreshold",
            period=300,
            evals=3,
            actions=[topic],
        )
    )
    _ = bb

    # ---- logs -----------------------------------------------------------------------------------
    pg_group = "/orders-prod/postgresql"
    t = ctx.fine_from - timedelta(hours=1)
    ckpt = t + timedelta(minutes=rng.randint(0, 4))
    while ckpt < ctx.now:
        i = ctx.idx(ckpt)
        sync = 0.004 + max(0.0, op_ms[i] - 0.6) * rng.uniform(1.5, 3.5)
        write = 269.8 + rng.uniform(0, 0.4)
        bufs = rng.randint(9000, 26000)
        end = ckpt + timedelta(seconds=write + sync)
        ctx.log(
            pg_group,
            f"{pid}/postgresql.log",
            ckpt,
            f"{ckpt:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} UTC [{rng.randint(1000, 1100)}] LOG:  checkpoint starting: time",
        )
        ctx.log(
            pg_group,
            f"{pid}/postgresql.log",
            end,
            f"{end:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} UTC [{rng.randint(1000, 1100)}] LOG:  checkpoint complete: wrote {bufs} "
            f"buffers ({bufs / 262144 * 100:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(8, 20)} recycled; write={write:.3f} s, "
            f"sync={sync:.3f} s, total={write + sync:.3f} s; sync files={rng.randint(80, 200)}, longest={sync * 0.3:.3f} s, "
            f"average={sync / 150:.3f} s; distance={rng.randint(180000, 420000)} kB, estimate={rng.randint(200000, 420000)} kB; "
            f"lsn={rng.randint(100, 999):X}/{ctx.hex(8).upper()}, redo lsn={rng.randint(100, 999):X}/{ctx.hex(8).upper()}",
        )
        ckpt += timedelta(minutes=5)
    t = ctx.fine_from - timedelta(hours=1)
    stmts = [
        "SELECT o.* FROM orders o WHERE o.customer_id = $1 ORDER BY o.created_at DESC LIMIT 20",
        "UPDATE order_items SET status = $1 WHERE order_id = $2",
        "INSERT INTO order_events (order_id, kind, payload, created_at) VALUES ($1, $2, $3, now())",
    ]
    while t < ctx.now:
        i = ctx.idx(t)
        pid_pg = rng.randint(20000, 90000)
        if op_ms[i] > 4 and rng.random() < 0.8:
            dur = 1000 + op_ms[i] * rng.uniform(40, 160)
            ctx.log(
                pg_group,
                f"{pid}/postgresql.log",
                t,
                f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} UTC [{pid_pg}] orders@orders LOG:  duration: {dur:.3f} ms  "
                f"execute <unnamed>: {rng.choice(stmts)}",
            )
            if err[i] > 0 and rng.random() < 0.4:
                ctx.log(
                    pg_group,
                    f"{pid}/postgresql.log",
                    t + timedelta(milliseconds=3),
                    f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} UTC [{rng.randint(20000, 90000)}] orders@orders ERROR:  "
                    "canceling statement due to statement timeout",
                )
        elif rng.random() < 0.08:
            ctx.log(
                pg_group,
                f"{pid}/postgresql.log",
                t,
                f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} UTC [{pid_pg}] LOG:  automatic vacuum of table "
                f'"orders.public.order_events": index scans: 1',
            )
        t += timedelta(seconds=rng.uniform(20, 90) if op_ms[i] < 4 else rng.uniform(3, 9))
    api_group = "/orders-prod/orders-api"
    for inst in api:
        t = ctx.fine_from - timedelta(hours=1) + timedelta(seconds=rng.randint(0, 30))
        while t < ctx.now:
            i = ctx.idx(t)
            if err[i] > 0.002 and rng.random() < 0.5:
                msg = json.dumps(
                    {
                        "@timestamp": k.iso_ms(t),
                        "level": "ERROR",
                        "logger": "o.o.api.OrderController",
                        "message": "request failed",
                        "path": "/v1/orders",
                        "status": 500,
                        "exception": "org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout",
                    },
                    separators=(",", ":"),
                )
            else:
                msg = json.dumps(
                    {
                        "@timestamp": k.iso_ms(t),
                        "level": "INFO",
                        "logger": "o.o.api.AccessLog",
                        "message": "GET /v1/orders 200",
                        "duration_ms": int(app_lat[i] * 1000 * rng.uniform(0.5, 1.6)),
                    },
                    separators=(",", ":"),
                )
            ctx.log(api_group, inst["InstanceId"], t, msg)
            t += timedelta(seconds=rng.uniform(15, 45))

    # ---- CloudTrail -----------------------------------------------------------------------------
    domain = "orderly.co.uk"
    people = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3), ["DBA", "SRE", "Developer"], [False, True, True], strict=True
        )
    ]
    tf = k.terraform(ctx)
    nat = f"{rng.choice([3, 18, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [k.instance_role(ctx, "orders-api", inst["InstanceId"], nat, k.JAVA_UA) for inst in api]
    k.background(
        ctx,
        k.Refs(
            instances=[i["InstanceId"] for i in db + api],
            target_groups=[tg.arn],
            load_balancers=[lb.arn],
            log_groups=[pg_group, api_group],
            params=["/orders-api/prod/db-url", "/orders-api/prod/db-password"],
            buckets=[f"orders-prod-backups-{ctx.account}"],
            alarms=[a_lat["AlarmName"]],
        ),
        humans=people,
        automation=[tf],
        app_roles=apps,
        t0=ctx.fine_from - timedelta(hours=4),
        t1=ctx.now,
        n=rng.randint(32, 40),
    )
    ssm = ctx.role_session(
        "AWSServiceRoleForAmazonSSM", "ssm-patch-manager", "ssm.amazonaws.com", "ssm.amazonaws.com"
    )
    _ = ssm
    c1 = onset - timedelta(minutes=rng.randint(5, 25))
    ctx.ct(
        c1,
        people[1],
        "ssm.amazonaws.com",
        "SendCommand",
        {
            "documentName": "AWS-RunPatchBaseline",
            "instanceIds": [i["InstanceId"] for i in db],
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "interactive": False,
        },
        {
            "command": {
                "commandId": ctx.uuid(),
                "documentName": "AWS-RunPatchBaseline",
                "documentVersion": "$DEFAULT",
                "instanceIds": [i["InstanceId"] for i in db],
                "status": "Pending",
                "targets": [],
            }
        },
        read_only=False,
        version="1.08",
    )
    other_vol = ctx.rid("vol")
    c2 = onset + timedelta(minutes=rng.randint(2, 15))
    ctx.ct(
        c2,
        people[0],
        "ec2.amazonaws.com",
        "ModifyVolume",
        {"ModifyVolumeRequest": {"VolumeId": other_vol, "Size": 200}},
        {
            "ModifyVolumeResponse": {
                "volumeModification": {
                    "volumeId": other_vol,
                    "modificationState": "modifying",
                    "targetSize": 200,
                    "originalSize": 100,
                    "targetVolumeType": "gp3",
                    "originalVolumeType": "gp3",
                    "progress": 0,
                    "startTime": k.iso_ms(c2),
                }
            }
        },
        read_only=False,
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(30, 90)),
        tf,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "orders-api-5xx",
            "namespace": "AWS/ApplicationELB",
            "metricName": "HTTPCode_Target_5XX_Count",
            "statistic": "Sum",
            "period": 60,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 2,
            "threshold": 30.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "treatMissingData": "notBreaching",
            "alarmActions": [topic],
        },
        None,
        read_only=False,
    )

    when = (onset + timedelta(minutes=rng.randint(3, 9))).astimezone(tz)
    q = rng.choice(
        [
            f"orders-api p99 went from ~100ms to several seconds since about {when:%H:%M} and we're seeing statement timeouts. "
            "Nothing was deployed today. What's going on?",
            f"Since roughly {when:%H:%M} orders are super slow and some requests 500 with DB timeouts. No deploys today — why?",
        ]
    )
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": q, "alarm_event": None, "timezone": str(tz)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": victim,
                    "category": "limit",
                    "failure_mode": "ebs-gp2-burst-balance-exhausted",
                    "event_id": None,
                },
                "also_accept": ["orders-pg-01-data"],
                "actions": ["upgrade", "reconfigure"],
                "chain": [
                    f"gp2 volume {victim} (orders-pg-01 data, {size} GiB, {base_iops} IOPS baseline) drains its burst credits",
                    f"IOPS clamp to {base_iops}; VolumeQueueLength and per-op latency climb",
                    "PostgreSQL on orders-pg-01 slows: long checkpoints, slow statements, statement timeouts",
                    "orders-api latency rises to seconds and returns 5xx behind orders-prod",
                ],
            },
        }
    )
