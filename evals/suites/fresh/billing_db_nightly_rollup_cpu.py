"""No fault: the nightly invoice rollup drives billing-prod-db CPU over its alarm, as it does every night."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "billing-db-nightly-rollup-cpu"
TITLE = "billing-prod-db CPU alarm in the middle of the night"
SUMMARY = (
    "An EventBridge Scheduler rule starts the invoice-rollup ECS task at 02:00 UTC every night; it drives "
    "billing-prod-db CPU above 80% for ~40 minutes. The alarm fires nightly and clears; no user impact."
)


def _load(job: tuple[float, float] | None) -> float:
    return job[0] if job else 0.0


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed)
    rng = ctx.rng
    tonight = k.pick_day(ctx, weekday_only=False)
    nights = rng.randint(3, 5)
    ctx.start = tonight - timedelta(days=nights, hours=rng.choice([6, 8]))
    hour = rng.choice([1, 2, 2, 3])
    runs: list[tuple[datetime, datetime, float]] = []
    for n in range(nights, -1, -1):
        d = tonight - timedelta(days=n)
        st = d + timedelta(hours=hour, seconds=rng.randint(20, 200))
        dur = timedelta(minutes=rng.uniform(34, 50))
        runs.append((st, st + dur, rng.uniform(84, 93)))
    job_start = runs[-1][0]
    ctx.now = k.floor_min(job_start + timedelta(minutes=rng.randint(56, 64)))
    ctx.fine_windows = [(s - timedelta(minutes=60), e + timedelta(minutes=60)) for s, e, _p in runs]
    ctx.fine_from = tonight - timedelta(hours=2)
    N = ctx.minutes()
    offset_h = {"us-east-1": -4, "us-east-2": -5, "us-west-2": -7, "eu-west-1": 1, "eu-central-1": 2}[
        ctx.region
    ]

    def running(x: datetime) -> tuple[float, float] | None:
        for s, e, p in runs:
            if s <= x < e:
                frac = (x - s) / (e - s)
                ramp = min(1.0, (x - s).total_seconds() / 240)
                tail = min(1.0, (e - x).total_seconds() / 300)
                return p * ramp * tail, frac
        return None

    net = k.network(ctx, "billing-prod")
    alb_sg = k.security_group(ctx, net, "billing-prod-alb", "billing ALB", [(443, 443, "0.0.0.0/0")])
    api_sg = k.security_group(ctx, net, "billing-api", "billing-api", [(8080, 8080, alb_sg)])
    job_sg = k.security_group(ctx, net, "invoice-rollup", "invoice-rollup tasks", [])
    db_sg = k.security_group(
        ctx, net, "billing-prod-db", "billing postgres", [(5432, 5432, api_sg), (5432, 5432, job_sg)]
    )
    lb = k.load_balancer(ctx, net, "billing-prod", alb_sg, created=ctx.start - timedelta(days=500))
    tg = k.target_group(ctx, net, "billing-api-prod", 8080, lb, path="/health")
    k.listener(ctx, lb, tg)
    api = [
        k.instance(
            ctx,
            net,
            net.private[n],
            name="billing-api-prod",
            itype="m6i.large",
            ami=ctx.rid("ami"),
            sgs=[(api_sg, "billing-api")],
            profile="billing-api",
            launched=ctx.start - timedelta(days=rng.randint(5, 30)),
            extra_tags={"service": "billing-api", "env": "prod"},
        )
        for n in range(2)
    ]
    for inst in api:
        k.instance_status(ctx, inst)
        ctx.target_health(tg.arn, inst["InstanceId"], 8080, ctx.start - timedelta(days=1), "healthy")
    db_id = "billing-prod-db"
    az = net.private[0].az
    ctx.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "EngineVersion": "15.6",
            "DBInstanceStatus": "available",
            "MasterUsername": "billing_admin",
            "Endpoint": {
                "Address": f"{db_id}.c{ctx.hex(11)}.{ctx.region}.rds.amazonaws.com",
                "Port": 5432,
                "HostedZoneId": "Z2R2ITUGPM61AM",
            },
            "AllocatedStorage": 500,
            "InstanceCreateTime": k.iso_ms(ctx.start - timedelta(days=700)),
            "PreferredBackupWindow": "03:40-04:10",
            "BackupRetentionPeriod": 7,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "billing-pg15", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": "billing-prod-db",
                "DBSubnetGroupDescription": "billing",
                "VpcId": net.vpc_id,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": s.id,
                        "SubnetAvailabilityZone": {"Name": s.az},
                        "SubnetStatus": "Active",
                    }
                    for s in net.private
                ],
            },
            "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
            "MultiAZ": True,
            "SecondaryAvailabilityZone": net.private[1].az,
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license",
            "StorageType": "gp3",
            "Iops": 12000,
            "StorageThroughput": 500,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + ctx.upper(26),
            "DBInstanceArn": ctx.arn("rds", f"db:{db_id}"),
            "PerformanceInsightsEnabled": True,
            "DeletionProtection": True,
            "MonitoringInterval": 60,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "CopyTagsToSnapshot": True,
            "TagList": [{"Key": "service", "Value": "billing"}, {"Key": "env", "Value": "prod"}],
        },
    )

    # ---- metrics --------------------------------------------------------------------------------
    rd = {"DBInstanceIdentifier": db_id}
    rq = [
        rng.randint(500, 900) * k.diurnal(ctx.t(i), offset_h, peak_h=14, floor=0.06) * (1 + ctx.noise(0.05))
        for i in range(N)
    ]
    jobs = [running(ctx.t(i)) for i in range(N)]
    cpu = [
        min(
            99.0,
            6 + 28 * rq[i] / 900 + (_load(jobs[i])) * rng.uniform(0.95, 1.04) + ctx.noise(1.0),
        )
        for i in range(N)
    ]
    cpu_s = ctx.series("AWS/RDS", "CPUUtilization", rd, "Percent", lambda x: cpu[ctx.idx(x)])
    ctx.series(
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        lambda x: float(round(22 + rq[ctx.idx(x)] / 40 + (16 if jobs[ctx.idx(x)] else 0) + ctx.noise(1.5))),
    )
    ctx.series(
        "AWS/RDS",
        "ReadIOPS",
        rd,
        "Count/Second",
        lambda x: 120 + rq[ctx.idx(x)] * 0.6 + (2600 if jobs[ctx.idx(x)] else 0) * rng.uniform(0.85, 1.1),
    )
    ctx.series(
        "AWS/RDS",
        "WriteIOPS",
        rd,
        "Count/Second",
        lambda x: 80 + rq[ctx.idx(x)] * 0.3 + (900 if jobs[ctx.idx(x)] else 0) * rng.uniform(0.8, 1.1),
    )
    ctx.series(
        "AWS/RDS",
        "ReadLatency",
        rd,
        "Seconds",
        lambda x: (0.0007 if not jobs[ctx.idx(x)] else 0.0011) * rng.uniform(0.85, 1.2),
    )
    ctx.series(
        "AWS/RDS",
        "FreeableMemory",
        rd,
        "Bytes",
        lambda x: 9.6e9 + ctx.noise(1.2e8) - (6e8 if jobs[ctx.idx(x)] else 0),
    )
    ctx.series(
        "AWS/RDS",
        "DiskQueueDepth",
        rd,
        "Count",
        lambda x: (0.4 if not jobs[ctx.idx(x)] else 2.1) + abs(ctx.noise(0.1)),
    )
    ns = "AWS/ApplicationELB"
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    ctx.series(ns, "RequestCount", tgd, "Count", lambda x: float(round(rq[ctx.idx(x)])), kind="count")
    trt = ctx.series(
        ns,
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda x: (0.061 if not jobs[ctx.idx(x)] else 0.066) * (1 + ctx.noise(0.06)),
        kind="dist",
        counts=[float(round(r)) for r in rq],
    )
    ctx.series(
        ns,
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda x: float(rng.random() < 0.03),
        kind="count",
        sparse=True,
    )
    ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: 2.0)
    ecs_d = {"ClusterName": "billing-prod", "ServiceName": "billing-webhooks"}
    ctx.series(
        "AWS/ECS",
        "CPUUtilization",
        ecs_d,
        "Percent",
        lambda x: 9 + 10 * rq[ctx.idx(x)] / 900 + ctx.noise(0.8),
    )

    topic = ctx.arn("sns", "billing-oncall")
    a_cpu = ctx.alarm(
        "billing-prod-db-cpu-high",
        cpu_s,
        stat="Average",
        threshold=80,
        op="GreaterThanThreshold",
        period=300,
        evals=3,
        datapoints=3,
        actions=[topic],
        description="billing-prod-db CPU above 80% for 15 minutes",
    )
    ctx.add_alarm(a_cpu)
    ctx.add_alarm(
        ctx.alarm(
            "billing-api-latency",
            trt,
            stat="Average",
            threshold=0.4,
            op="GreaterThanThreshold",
            evals=5,
            actions=[topic],
        )
    )
    conn = k.Series("AWS/RDS", "FreeStorageSpace", rd, "Bytes", [2.1e11 - i * 1.2e4 for i in range(N)])
    ctx.emit(conn)
    ctx.add_alarm(
        ctx.alarm(
            "billing-prod-db-free-storage-low",
            conn,
            stat="Minimum",
            threshold=5e10,
            op="LessThanThreshold",
            period=300,
            evals=1,
            actions=[topic],
        )
    )

    # ---- events ---------------------------------------------------------------------------------
    db_arn = ctx.arn("rds", f"db:{db_id}")
    for n in range(nights, -1, -1):
        b0 = tonight - timedelta(days=n) + timedelta(hours=3, minutes=40 + rng.randint(0, 6))
        if b0 < ctx.now and b0 > ctx.start:
            ctx.event(
                "rds",
                {
                    "SourceIdentifier": db_id,
                    "SourceType": "db-instance",
                    "Message": "Backing up DB instance",
                    "EventCategories": ["backup"],
                    "Date": k.iso_ms(b0),
                    "SourceArn": db_arn,
                },
            )
            b1 = b0 + timedelta(minutes=rng.randint(8, 16))
            if b1 < ctx.now:
                ctx.event(
                    "rds",
                    {
                        "SourceIdentifier": db_id,
                        "SourceType": "db-instance",
                        "Message": "Finished DB Instance backup",
                        "EventCategories": ["backup"],
                        "Date": k.iso_ms(b1),
                        "SourceArn": db_arn,
                    },
                )

    # ---- logs -----------------------------------------------------------------------------------
    jg = "/ecs/invoice-rollup"
    for s, e, _p in runs:
        if s >= ctx.now:
            continue
        task = ctx.hex(32)
        stream = f"rollup/invoice-rollup/{task}"
        period = (s - timedelta(days=1)).strftime("%Y-%m-%d")
        accounts = rng.randint(118000, 131000)
        ctx.log(
            jg,
            stream,
            s + timedelta(seconds=9),
            json.dumps(
                {
                    "ts": k.iso_ms(s + timedelta(seconds=9)),
                    "level": "info",
                    "msg": "invoice rollup starting",
                    "period": period,
                    "workers": 16,
                },
                separators=(",", ":"),
            ),
        )
        t = s + timedelta(minutes=2)
        done = 0
        while t < min(e, ctx.now):
            done = int(accounts * min(1.0, (t - s) / (e - s)))
            ctx.log(
                jg,
                stream,
                t,
                json.dumps(
                    {
                        "ts": k.iso_ms(t),
                        "level": "info",
                        "msg": "progress",
                        "accounts_done": done,
                        "accounts_total": accounts,
                    },
                    separators=(",", ":"),
                ),
            )
            if rng.random() < 0.08:
                ctx.log(
                    jg,
                    stream,
                    t + timedelta(seconds=3),
                    json.dumps(
                        {
                            "ts": k.iso_ms(t + timedelta(seconds=3)),
                            "level": "warn",
                            "msg": "currency rate missing, using previous day",
                            "currency": rng.choice(["HUF", "CZK", "ISK"]),
                        },
                        separators=(",", ":"),
                    ),
                )
            t += timedelta(minutes=2, seconds=rng.randint(0, 20))
        if e < ctx.now:
            ctx.log(
                jg,
                stream,
                e,
                json.dumps(
                    {
                        "ts": k.iso_ms(e),
                        "level": "info",
                        "msg": "invoice rollup finished",
                        "accounts": accounts,
                        "invoices": int(accounts * 1.07),
                        "duration_s": int((e - s).total_seconds()),
                    },
                    separators=(",", ":"),
                ),
            )
    pg = f"/aws/rds/instance/{db_id}/postgresql"
    for s, e, _p in runs:
        t = s + timedelta(minutes=1)
        while t < min(e, ctx.now):
            q_ms = rng.uniform(1200, 9000)
            ctx.log(
                pg,
                db_id,
                t,
                f"{t:%Y-%m-%d %H:%M:%S} UTC:10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
                f"({rng.randint(30000, 60000)}):rollup@billing:[{rng.randint(10000, 30000)}]:LOG:  duration: {q_ms:.3f} ms  "
                "execute <unnamed>: SELECT account_id, sum(amount_minor) FROM ledger_entries WHERE "
                "account_id = ANY($1) AND posted_at >= $2 AND posted_at < $3 GROUP BY account_id",
            )
            t += timedelta(seconds=rng.uniform(40, 160))
    api_group = "/billing-prod/billing-api"
    for inst in api:
        t = ctx.fine_from + timedelta(seconds=rng.randint(0, 40))
        while t < ctx.now:
            ctx.log(
                api_group,
                inst["InstanceId"],
                t,
                json.dumps(
                    {
                        "time": k.iso_ms(t),
                        "level": "INFO",
                        "msg": "GET /v1/invoices 200",
                        "ms": rng.randint(25, 140),
                    },
                    separators=(",", ":"),
                ),
            )
            t += timedelta(seconds=rng.uniform(30, 120))

    # ---- CloudTrail -----------------------------------------------------------------------------
    sched = ctx.role_session(
        "billing-scheduler-ecs", ctx.hex(32), "scheduler.amazonaws.com", "scheduler.amazonaws.com"
    )
    sched.identity["invokedBy"] = "scheduler.amazonaws.com"
    sched.service = "scheduler.amazonaws.com"
    cluster_arn = ctx.arn("ecs", "cluster/billing-prod")
    td = f"invoice-rollup:{rng.randint(20, 70)}"
    for s, _e, _p in runs:
        if s - timedelta(seconds=8) < ctx.now:
            task_arn = ctx.arn("ecs", f"task/billing-prod/{ctx.hex(32)}")
            ctx.ct(
                s - timedelta(seconds=8),
                sched,
                "ecs.amazonaws.com",
                "RunTask",
                {
                    "cluster": cluster_arn,
                    "count": 1,
                    "launchType": "FARGATE",
                    "taskDefinition": ctx.arn("ecs", f"task-definition/{td}"),
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": [net.private[0].id, net.private[1].id],
                            "securityGroups": [job_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "group": "rollup:invoice-rollup",
                    "enableECSManagedTags": True,
                },
                {
                    "tasks": [
                        {
                            "taskArn": task_arn,
                            "clusterArn": cluster_arn,
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                            "launchType": "FARGATE",
                            "cpu": "4096",
                            "memory": "8192",
                            "group": "rollup:invoice-rollup",
                        }
                    ],
                    "failures": [],
                },
                read_only=False,
                version="1.08",
            )
    domain = "invoicely.net"
    people: list[Any] = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3), ["DBA", "Developer", "SRE"], [True, False, False], strict=True
        )
    ]
    tf = k.terraform(ctx)
    ci = k.gha(ctx, "gha-billing-deploy", "billing-api")
    nat = f"{rng.choice([3, 35, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [k.instance_role(ctx, "billing-api", inst["InstanceId"], nat, k.JAVA_UA) for inst in api]
    k.background(
        ctx,
        k.Refs(
            instances=[i["InstanceId"] for i in api],
            target_groups=[tg.arn],
            load_balancers=[lb.arn],
            log_groups=[jg, api_group, pg],
            params=["/billing/prod/db-url", "/billing/prod/stripe-key"],
            buckets=[f"invoicely-billing-exports-{ctx.account}"],
            db_instances=[db_id],
            alarms=[a_cpu["AlarmName"]],
        ),
        humans=people,
        automation=[tf, ci],
        app_roles=apps,
        t0=tonight - timedelta(days=1),
        t1=ctx.now,
        n=rng.randint(30, 38),
    )
    # overnight, an engineer in another time zone tidies up two things
    c1 = job_start - timedelta(minutes=rng.randint(4, 25))
    ctx.ct(
        c1,
        people[0],
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {"dBInstanceIdentifier": db_id, "backupRetentionPeriod": 14, "applyImmediately": True},
        {
            "dBInstanceIdentifier": db_id,
            "dBInstanceClass": "db.r6g.xlarge",
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "backupRetentionPeriod": 7,
            "pendingModifiedValues": {"backupRetentionPeriod": 14},
            "multiAZ": True,
            "engineVersion": "15.6",
            "dBInstanceArn": db_arn,
        },
        read_only=False,
        version="1.08",
    )
    for item in ctx.resources:
        if item["type"] == "DBInstance":
            item["item"]["BackupRetentionPeriod"] = 14
    c2 = job_start + timedelta(minutes=rng.randint(3, 20))
    ctx.ct(
        c2,
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "billing-webhooks",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/billing-webhooks:{ctx.hex(7)}",
                }
            ],
            "cpu": "512",
            "memory": "1024",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
        },
        {
            "taskDefinition": {
                "family": "billing-webhooks",
                "revision": rng.randint(100, 300),
                "status": "ACTIVE",
            }
        },
        read_only=False,
        version="1.08",
    )

    # the ALARM transition that is tonight's
    idx = max(i for i, tr in enumerate(a_cpu["_transitions"]) if tr["new"][0] == "ALARM")
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": None, "alarm_event": ctx.alarm_event(a_cpu, idx)},
            "truth": {"no_fault": True},
        }
    )
