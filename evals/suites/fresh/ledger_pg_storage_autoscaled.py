"""No fault: the month-end load grows ledger-pg-prod; its FreeStorageSpace alarm fires when free space drops
under 10% of allocated storage, RDS storage autoscaling adds space minutes later and the alarm clears.
Nobody was affected."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_p as k

NAME = "ledger-pg-storage-autoscaled"
TITLE = "ledger-pg-prod free storage alarm during the month-end load"
SUMMARY = (
    "No fault: month-end load fills ledger-pg-prod; FreeStorageSpace alarm fires below 10%, RDS storage "
    "autoscaling grows the volume minutes later (RDS events), the alarm clears; no user impact."
)

GIB = 1024**3
_REGIONS = [("eu-west-1", 1), ("us-west-2", -7), ("eu-north-1", 2)]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200000000000, 899999999999))
    region, off = rng.choice(_REGIONS)
    month = rng.choice([5, 6, 7, 8, 9])
    last = (datetime(2024, month + 1, 1) - timedelta(days=1)).day
    day = k.day_in(rng, 2024, (month,)).replace(day=last)
    load_start = day + timedelta(hours=19 - off, minutes=rng.randint(0, 5), seconds=rng.randint(0, 59))
    alloc = rng.choice([400, 500, 600])
    rate = rng.uniform(7.0, 10.5)  # GiB per hour during the load
    free0 = alloc * rng.uniform(0.135, 0.16)  # GiB free before the load
    thresh = alloc * 0.10
    cross = load_start + timedelta(hours=(free0 - thresh) / (rate + 0.35))
    start = k.floor_to(cross - timedelta(hours=5, minutes=rng.randint(0, 30)), 300)
    fine_from = k.floor_to(cross - timedelta(hours=3), 300)
    db = "ledger-pg-prod"
    org = rng.choice(["fjordbank", "alderpay", "norrsken"])

    # autoscaling: <=10% free for 5 minutes, then modification; space arrives a few minutes later
    as_start = cross + timedelta(minutes=5, seconds=rng.randint(20, 200))
    increase = math.ceil(max(10.0, alloc * 0.10, rate * 7))
    new_alloc = alloc + increase
    grown = as_start + timedelta(minutes=rng.randint(4, 9), seconds=rng.randint(0, 59))
    as_done = grown + timedelta(seconds=rng.randint(20, 90))
    load_end = load_start + timedelta(hours=rng.uniform(3.2, 4.0))
    now = cross + timedelta(minutes=rng.randint(38, 52), seconds=rng.randint(0, 59))

    def free_gib(t: datetime) -> float:
        base = free0 - (t - load_start).total_seconds() / 3600 * 0.35  # slow daytime growth
        if t >= load_start:
            base -= (
                min((t - load_start).total_seconds(), (load_end - load_start).total_seconds()) / 3600 * rate
            )
        if t >= grown:
            base += increase
        return base

    net = k.network(rng, region, rng.choice([12, 44, 96]))
    app_sg, db_sg = k.rid(rng, "sg"), k.rid(rng, "sg")
    resources: list[k.JSON] = k.net_resources(net, account, "ledger-prod")
    resources.append(
        k.security_group(
            app_sg, "ledger-api", "ledger-api tasks", net.vpc_id, account, [(8080, "10.0.0.0/8")]
        )
    )
    resources.append(
        k.security_group(db_sg, "ledger-pg", "ledger postgres", net.vpc_id, account, [(5432, app_sg)])
    )
    kms = f"arn:aws:kms:{region}:{account}:key/{k.uuid(rng)}"
    resources.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db,
                "DBInstanceClass": "db.m6g.2xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "storage-optimization",
                "MasterUsername": "ledger_admin",
                "DBName": "ledger",
                "Endpoint": {
                    "Address": f"{db}.{k.hexs(rng, 12)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z29XKXDKYMONMX",
                },
                "AllocatedStorage": new_alloc,
                "InstanceCreateTime": k.iso(day - timedelta(days=rng.randint(400, 900))),
                "PreferredBackupWindow": "02:00-02:30",
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "ledger-pg16", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": net.azs[0],
                "DBSubnetGroup": {
                    "DBSubnetGroupName": "ledger-prod-db",
                    "DBSubnetGroupDescription": "ledger prod",
                    "VpcId": net.vpc_id,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": s,
                            "SubnetAvailabilityZone": {"Name": a},
                            "SubnetStatus": "Active",
                        }
                        for s, a in zip(net.private, net.azs, strict=True)
                    ],
                },
                "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
                "PendingModifiedValues": {},
                "LatestRestorableTime": k.iso(now - timedelta(minutes=4)),
                "MultiAZ": True,
                "EngineVersion": rng.choice(["16.3", "16.2", "15.7"]),
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "postgresql-license",
                "Iops": 12000,
                "StorageThroughput": 500,
                "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-16", "Status": "in-sync"}],
                "SecondaryAvailabilityZone": net.azs[1],
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "DbInstancePort": 0,
                "StorageEncrypted": True,
                "KmsKeyId": kms,
                "DbiResourceId": "db-" + k.upper(rng, 26),
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "CopyTagsToSnapshot": True,
                "MonitoringInterval": 60,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db}",
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": True,
                "PerformanceInsightsRetentionPeriod": 7,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "MaxAllocatedStorage": alloc * 2,
                "TagList": [{"Key": "service", "Value": "ledger"}, {"Key": "env", "Value": "prod"}],
                "NetworkType": "IPV4",
            },
        }
    )
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/ledger-prod"
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": "ledger-prod",
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 7,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    lb_res, lb_arn, lb_dim = k.load_balancer(
        rng, account, region, "ledger-api-prod", net, app_sg, day - timedelta(days=700)
    )
    tg_res, _tg_arn, tg_dim = k.target_group(
        rng, account, region, "ledger-api-prod", net.vpc_id, lb_arn, 8080, "/health", "ip"
    )
    resources += [lb_res, tg_res]
    for lg in ("/ecs/ledger-monthend-load", "/ecs/ledger-api", f"/aws/rds/instance/{db}/postgresql"):
        resources.append(k.log_group(account, region, lg, day - timedelta(days=600), 30))
    mailer = "ledger-statement-mailer"
    mail_t = cross - timedelta(minutes=rng.randint(16, 26), seconds=rng.randint(0, 59))
    resources.append(
        k.lambda_function(
            rng,
            account,
            region,
            mailer,
            "python3.12",
            "app.handler",
            256,
            60,
            "ledger-statement-mailer-role",
            mail_t,
            {"SENDER": f"statements@{org}.com"},
        )
    )

    # --- metrics ---------------------------------------------------------------------------------------------------------
    minutes = k.steps(start, now, 60)
    m = k.Metrics(fine_from)
    dd = {"DBInstanceIdentifier": db}
    loading = {t: load_start <= t < load_end for t in minutes}
    free = m.add(
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Bytes",
        [(t, float(round(free_gib(t) * GIB - rng.uniform(0, 40) * 1024**2))) for t in minutes],
    )
    cn = k.Noise(rng)
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        dd,
        "Percent",
        [
            (
                t,
                round(
                    (9 + 14 * k.diurnal(t, off, 11.0)) * cn()
                    + (17 if loading[t] else 0)
                    + rng.uniform(-1, 1),
                    2,
                ),
            )
            for t in minutes
        ],
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dd,
        "Count",
        [(t, float(rng.randint(58, 66) + (6 if loading[t] else 0))) for t in minutes],
    )
    m.add(
        "AWS/RDS",
        "WriteIOPS",
        dd,
        "Count/Second",
        [(t, round(rng.uniform(180, 320) * (1 + 9 * loading[t]), 2)) for t in minutes],
    )
    m.add(
        "AWS/RDS",
        "ReadIOPS",
        dd,
        "Count/Second",
        [(t, round(rng.uniform(120, 260) * (1 + 0.6 * loading[t]), 2)) for t in minutes],
    )
    m.add(
        "AWS/RDS",
        "WriteThroughput",
        dd,
        "Bytes/Second",
        [
            (
                t,
                round(
                    rng.uniform(3.1e6, 5.2e6) * (1 + 0.8 + 6.5 * loading[t])
                    if loading[t]
                    else rng.uniform(3.1e6, 5.2e6),
                    1,
                ),
            )
            for t in minutes
        ],
    )
    wl = m.add(
        "AWS/RDS",
        "WriteLatency",
        dd,
        "Seconds",
        [(t, round(rng.uniform(0.0009, 0.0016) + (0.0007 if loading[t] else 0), 6)) for t in minutes],
    )
    m.add(
        "AWS/RDS", "ReadLatency", dd, "Seconds", [(t, round(rng.uniform(0.0005, 0.0011), 6)) for t in minutes]
    )
    m.add(
        "AWS/RDS",
        "DiskQueueDepth",
        dd,
        "Count",
        [(t, round(rng.uniform(0.4, 1.3) + (2.1 if loading[t] else 0), 3)) for t in minutes],
    )
    m.add(
        "AWS/RDS",
        "FreeableMemory",
        dd,
        "Bytes",
        [(t, float(round(rng.uniform(9.6, 10.1) * GIB))) for t in minutes],
    )
    m.add(
        "AWS/RDS",
        "TransactionLogsDiskUsage",
        dd,
        "Bytes",
        [(t, float(round(rng.uniform(0.9, 1.4) * GIB * (2.2 if loading[t] else 1)))) for t in minutes],
    )
    m.add("AWS/RDS", "ReplicationSlotDiskUsage", dd, "Bytes", [(t, 0.0) for t in minutes])
    m.add(
        "AWS/RDS",
        "MaximumUsedTransactionIDs",
        dd,
        "Count",
        [(t, float(rng.randint(180_000_000, 181_000_000))) for t in minutes],
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    nz = k.Noise(rng)
    req = {t: round(rng.uniform(25, 35) * 60 * k.diurnal(t, off, 11.0) * nz()) for t in minutes}
    ns = "AWS/ApplicationELB"
    m.add(ns, "RequestCount", lbd, "Count", [(t, req[t]) for t in minutes])
    lat = m.add(
        ns, "TargetResponseTime", lbd, "Seconds", [(t, round(rng.uniform(0.045, 0.075), 4)) for t in minutes]
    )
    e5 = m.add(
        ns, "HTTPCode_Target_5XX_Count", lbd, "Count", [(t, 1.0) for t in minutes if rng.random() < 0.04]
    )
    m.add(ns, "HTTPCode_Target_2XX_Count", lbd, "Count", [(t, round(req[t] * 0.97)) for t in minutes])
    m.add(ns, "HealthyHostCount", tgd, "Count", [(t, 3.0) for t in minutes])
    m.add(ns, "UnHealthyHostCount", tgd, "Count", [(t, 0.0) for t in minutes])
    sd = {"ClusterName": "ledger-prod", "ServiceName": "ledger-api"}
    m.add("AWS/ECS", "CPUUtilization", sd, "Percent", [(t, round(rng.uniform(11, 24), 2)) for t in minutes])
    m.add(
        "AWS/ECS", "MemoryUtilization", sd, "Percent", [(t, round(rng.uniform(46, 49), 2)) for t in minutes]
    )

    # --- alarms -----------------------------------------------------------------------------------------------------------
    configured = day - timedelta(days=rng.randint(90, 400))
    topic = f"arn:aws:sns:{region}:{account}:ledger-dba"
    storage = k.AlarmSpec(
        f"{db}-free-storage-low",
        f"{db} free storage below 10% of allocated ({alloc} GiB)",
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Minimum",
        300,
        1,
        1,
        float(alloc * GIB // 10),
        "LessThanThreshold",
        "missing",
        [topic],
        [topic],
        configured,
    )
    specs = [
        (storage, free),
        (
            k.AlarmSpec(
                f"{db}-cpu-high",
                f"{db} CPU",
                "AWS/RDS",
                "CPUUtilization",
                dd,
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            m.find("AWS/RDS", "CPUUtilization", dd),
        ),
        (
            k.AlarmSpec(
                f"{db}-write-latency",
                f"{db} write latency above 20ms",
                "AWS/RDS",
                "WriteLatency",
                dd,
                "Average",
                300,
                3,
                3,
                0.02,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            wl,
        ),
        (
            k.AlarmSpec(
                "ledger-api-prod-5xx",
                "ledger-api 5xx",
                ns,
                "HTTPCode_Target_5XX_Count",
                lbd,
                "Sum",
                60,
                3,
                3,
                10.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [topic],
                configured,
            ),
            e5,
        ),
        (
            k.AlarmSpec(
                "ledger-api-prod-latency",
                "ledger-api latency",
                ns,
                "TargetResponseTime",
                lbd,
                "Average",
                60,
                5,
                5,
                0.5,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            lat,
        ),
    ]
    alarms, history = [], []
    trigger_event = None
    for spec, ser in specs:
        item, hist, trans = k.evaluate_alarm(rng, spec, ser, start, now, account, region)
        alarms.append(item)
        history += hist
        if spec is storage:
            idx = next(i for i, tr in enumerate(trans) if tr[2] == "ALARM")
            trigger_event = k.alarm_event(rng, spec, trans[idx], trans[idx - 1], account, region)

    # --- RDS events ---------------------------------------------------------------------------------------------------------
    arn = f"arn:aws:rds:{region}:{account}:db:{db}"
    events: list[k.JSON] = []

    def rds(t: datetime, msg: str, cat: str) -> None:
        events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": db,
                    "SourceType": "db-instance",
                    "Message": msg,
                    "EventCategories": [cat],
                    "Date": k.iso_ms(t),
                    "SourceArn": arn,
                },
            }
        )

    bk = start.replace(hour=2, minute=rng.randint(1, 9), second=rng.randint(0, 59))
    if start <= bk <= now:
        rds(bk, "Backing up DB instance", "backup")
        rds(bk + timedelta(minutes=rng.randint(6, 14)), "Finished DB Instance backup", "backup")
    mod_t = cross - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59))
    rds(
        mod_t + timedelta(seconds=rng.randint(2, 8)),
        "Finished applying modification to DB instance backup retention period.",
        "configuration change",
    )
    low_pct = 100 * thresh / alloc
    rds(
        cross + timedelta(minutes=rng.randint(2, 4)),
        f"The free storage capacity for DB instance {db} is low at {low_pct - rng.uniform(0.1, 0.4):.0f}% of the provisioned storage [Provisioned Storage: {alloc * 1024:.2f} MB, Free Storage: {(thresh - 0.6) * 1024:.2f} MB]. You may want to increase the provisioned storage to address this issue.",
        "low storage",
    )
    rds(as_start, "Applying autoscaling-initiated modification to allocated storage.", "configuration change")
    rds(
        as_done,
        "Finished applying autoscaling-initiated modification to allocated storage.",
        "configuration change",
    )
    rds(
        as_done + timedelta(seconds=rng.randint(2, 20)),
        "Storage optimization is in progress for the DB instance.",
        "notification",
    )

    # --- logs -------------------------------------------------------------------------------------------------------------
    logs: list[k.JSON] = []
    plg = f"/aws/rds/instance/{db}/postgresql"
    pstream = f"{db}.0"
    t = start + timedelta(seconds=rng.uniform(0, 200))
    while t < now:
        ts = f"{t:%Y-%m-%d %H:%M:%S} UTC"
        if rng.random() < 0.7:
            w = rng.randint(1200, 9000) * (6 if t >= load_start and t < load_end else 1)
            logs.append(
                k.log(
                    plg,
                    pstream,
                    t,
                    f"{ts}::@:[{rng.randint(400, 600)}]:LOG:  checkpoint complete: wrote {w} buffers ({w / 2621.44:.1f}%); 0 WAL file(s) added, {rng.randint(0, 3)} removed, {rng.randint(2, 30)} recycled; write={rng.uniform(40, 270):.3f} s, sync={rng.uniform(0.001, 0.09):.3f} s, total={rng.uniform(40, 270):.3f} s; sync files={rng.randint(40, 300)}, longest={rng.uniform(0.001, 0.02):.3f} s, average={rng.uniform(0.0, 0.001):.3f} s; distance={rng.randint(40000, 900000)} kB, estimate={rng.randint(400000, 1200000)} kB",
                )
            )
        else:
            logs.append(
                k.log(
                    plg,
                    pstream,
                    t,
                    f'{ts}::@:[{rng.randint(20000, 40000)}]:LOG:  automatic vacuum of table "ledger.public.{rng.choice(["ledger_entries_current", "postings", "accounts", "idempotency_keys"])}": index scans: 1\n\tpages: 0 removed, {rng.randint(10000, 900000)} remain, {rng.randint(100, 9000)} scanned\n\ttuples: {rng.randint(1000, 90000)} removed, {rng.randint(10**6, 10**8)} remain, 0 are dead but not yet removable',
                )
            )
        if rng.random() < 0.05:
            logs.append(
                k.log(
                    plg,
                    pstream,
                    t + timedelta(seconds=3),
                    f"{ts}:10.{net.cidr.split('.')[1]}.{rng.randint(16, 40)}.{rng.randint(2, 250)}({rng.randint(30000, 60000)}):ledger_api@ledger:[{rng.randint(20000, 40000)}]:LOG:  duration: {rng.uniform(1000, 2400):.3f} ms  execute <unnamed>: SELECT * FROM postings WHERE account_id = $1 AND posted_at >= $2 ORDER BY posted_at DESC LIMIT 500",
                )
            )
        t += timedelta(seconds=rng.uniform(240, 330))
    blg = "/ecs/ledger-monthend-load"
    task = k.hexs(rng, 32)
    bstream = f"ecs/ledger-monthend-load/{task}"
    period = f"{day:%Y_%m}"
    logs.append(
        k.log(
            blg,
            bstream,
            load_start - timedelta(seconds=4),
            f"{k.iso_ms(load_start)} INFO  monthend-load starting period={day:%Y-%m} source=s3://{org}-ledger-exports/monthend/{day:%Y-%m}/ target=ledger_entries_{period}",
        )
    )
    t = load_start + timedelta(seconds=rng.uniform(20, 40))
    batch = 0
    while t < min(now, load_end):
        batch += 1
        logs.append(
            k.log(
                blg,
                bstream,
                t,
                f"{k.iso_ms(t)} INFO  copied batch {batch} into ledger_entries_{period}: {rng.randint(480_000, 520_000)} rows in {rng.uniform(48, 70):.1f}s",
            )
        )
        if batch % 7 == 0:
            logs.append(
                k.log(
                    blg,
                    bstream,
                    t + timedelta(seconds=2),
                    f"{k.iso_ms(t + timedelta(seconds=2))} INFO  building index ix_ledger_entries_{period}_account_posted (concurrently)",
                )
            )
        if rng.random() < 0.03:
            logs.append(
                k.log(
                    blg,
                    bstream,
                    t + timedelta(seconds=1),
                    f"{k.iso_ms(t + timedelta(seconds=1))} WARN  s3 read retry for part-{rng.randint(100, 999):05d}.csv.gz (SlowDown), attempt 2",
                )
            )
        t += timedelta(seconds=rng.uniform(55, 80))
    alg = "/ecs/ledger-api"
    for _ in range(3):
        tid = k.hexs(rng, 32)
        t = max(start, fine_from - timedelta(hours=1)) + timedelta(seconds=rng.uniform(0, 30))
        while t < now:
            lvl = "INFO"
            msg = f"POST /v1/postings 201 {rng.randint(18, 70)}ms"
            r = rng.random()
            if r < 0.3:
                msg = f"GET /v1/accounts/{rng.randint(10**7, 10**8)}/balance 200 {rng.randint(4, 30)}ms"
            elif r < 0.31:
                lvl, msg = (
                    "WARN",
                    f"idempotency key replay detected key={k.hexs(rng, 16)} returning cached response",
                )
            logs.append(
                k.log(
                    alg,
                    f"ecs/ledger-api/{tid}",
                    t,
                    f"{k.iso_ms(t)} {lvl} [http-nio-8080-exec-{rng.randint(1, 50)}] c.{org}.ledger.api.AccessLog - {msg}",
                )
            )
            t += timedelta(seconds=rng.uniform(12, 30))

    # --- CloudTrail ---------------------------------------------------------------------------------------------------------
    trail = k.Trail(rng, account, region)
    ev_role = k.service_role(rng, account, "ecsEventsRole", k.hexs(rng, 32), "events.amazonaws.com")
    ev_role.identity["sessionContext"]["sessionIssuer"]["arn"] = f"arn:aws:iam::{account}:role/ecsEventsRole"
    trail.add(
        load_start - timedelta(seconds=50),
        ev_role,
        "ecs.amazonaws.com",
        "RunTask",
        {
            "cluster": cluster_arn,
            "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/ledger-monthend-load:{rng.randint(9, 30)}",
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "events-rule/ledger-monthend-lo",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": net.private[:2],
                    "securityGroups": [app_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
        },
        {
            "tasks": [
                {
                    "taskArn": f"arn:aws:ecs:{region}:{account}:task/ledger-prod/{task}",
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                }
            ],
            "failures": [],
        },
    )
    dba = k.sso_user(
        rng,
        account,
        region,
        f"ingrid.solberg@{org}.com",
        "DatabaseAdmin",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    trail.add(
        mod_t - timedelta(seconds=50),
        dba,
        "rds.amazonaws.com",
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        None,
        read_only=True,
    )
    trail.add(
        mod_t,
        dba,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {"dBInstanceIdentifier": db, "backupRetentionPeriod": 14, "applyImmediately": True},
        {
            "dBInstanceIdentifier": db,
            "dBInstanceClass": "db.m6g.2xlarge",
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "allocatedStorage": alloc,
            "backupRetentionPeriod": 7,
            "pendingModifiedValues": {"backupRetentionPeriod": 14},
            "storageType": "gp3",
            "maxAllocatedStorage": alloc * 2,
            "dBInstanceArn": arn,
        },
        version="1.08",
    )
    gha = k.role_session(
        rng,
        account,
        "gha-deploy-ledger",
        "GitHubActions",
        f"20.{rng.randint(25, 230)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "Boto3/1.34.110 md/Botocore#1.34.110 ua/2.0 os/linux#6.5.0-1021-azure md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.110",
    )
    trail.add(
        mail_t,
        gha,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": mailer,
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"{org}-lambda-artifacts",
            "s3Key": f"ledger/{mailer}/{k.hexs(rng, 40)}.zip",
        },
        {
            "functionName": mailer,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{mailer}",
            "runtime": "python3.12",
            "version": str(rng.randint(20, 60)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        version="1.08",
    )
    dd_ = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        f"3.233.{rng.randint(140, 159)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.51.30 (go1.22.2; linux; amd64)",
    )
    t = start + timedelta(minutes=rng.randint(2, 9), seconds=rng.randint(0, 59))
    while t < now:
        calls: list[tuple[str, str, k.JSON]] = [
            ("rds.amazonaws.com", "DescribeDBInstances", {"maxRecords": 100}),
            ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-instance", "duration": 60}),
            ("ecs.amazonaws.com", "ListClusters", {}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
        ]
        src, nm, rq = rng.choice(calls)
        trail.add(t, dd_, src, nm, rq, None, read_only=True)
        t += timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))
    task_role = k.role_session(
        rng,
        account,
        "ledger-monthend-load-task",
        task,
        f"10.{net.cidr.split('.')[1]}.{rng.randint(16, 40)}.{rng.randint(2, 250)}",
        "Boto3/1.34.110 md/Botocore#1.34.110 ua/2.0 os/linux#5.10.219-208.866.amzn2.aarch64 md/arch#aarch64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.34.110",
    )
    trail.add(
        load_start + timedelta(seconds=6),
        task_role,
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        {"secretId": "prod/ledger-pg/monthend_loader"},
        None,
        read_only=True,
        version="1.08",
    )
    trail.add(
        load_start + timedelta(seconds=7),
        task_role,
        "kms.amazonaws.com",
        "Decrypt",
        {
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "encryptionContext": {
                "SecretARN": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/ledger-pg/monthend_loader-{k.upper(rng, 6)}",
                "SecretVersionId": k.uuid(rng),
            },
        },
        None,
        read_only=True,
        resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": kms}],
    )
    oncall = k.sso_user(
        rng, account, region, f"lars.eriksen@{org}.com", "ReadOnly", k.office_ip(rng), k.CONSOLE_AGENT, True
    )
    t = cross + timedelta(minutes=rng.randint(7, 12))
    for src, nm, rq in (
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [storage.name]}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
        (
            "rds.amazonaws.com",
            "DescribeEvents",
            {"sourceIdentifier": db, "sourceType": "db-instance", "duration": 180},
        ),
    ):
        if t < now:
            trail.add(t, oncall, src, nm, rq, None, read_only=True)
        t += timedelta(seconds=rng.randint(30, 110))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.records(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
