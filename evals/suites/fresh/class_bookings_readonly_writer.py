"""Class bookings half-failing after an unattended Aurora failover (kit zzd)."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzd as k

NAME = "class-bookings-readonly-writer"
TITLE = "Some class bookings won't save since early morning; timetables load fine"
SUMMARY = (
    "The Aurora MySQL writer's host failed before dawn and the cluster failed over; a few API tasks "
    "reconnected to the old writer (now a read-only reader) and kept failing writes with error 1290."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"zzd-aurora-{seed}")
    acct = k.account(rng)
    region = "eu-west-1"
    tz = ZoneInfo("Europe/Dublin")
    day = k.day_start(rng)
    brand = rng.choice(["studiogrid", "pulseclass", "movewell"])
    fail_t = day + timedelta(hours=4, minutes=rng.randint(20, 59), seconds=rng.randint(0, 59))
    start = (fail_t - timedelta(hours=3, minutes=rng.randint(40, 60))).replace(second=0)
    now = fail_t + timedelta(hours=rng.randint(2, 3), minutes=rng.randint(5, 40))
    created = day - timedelta(days=rng.randint(300, 900))
    cl = f"{brand}-bookings"
    i1, i2 = f"{cl}-instance-1", f"{cl}-instance-2"
    res_suffix = k.hexid(rng, 12)
    cl_ep = f"{cl}.cluster-{res_suffix}.{region}.rds.amazonaws.com"
    ro_ep = f"{cl}.cluster-ro-{res_suffix}.{region}.rds.amazonaws.com"
    recov_start = fail_t + timedelta(seconds=rng.randint(8, 20))
    failover_done = recov_start + timedelta(seconds=rng.randint(25, 40))
    i1_back = failover_done + timedelta(seconds=rng.randint(15, 40))
    n_tasks = 6
    stuck = rng.sample(range(n_tasks), rng.choice([2, 2, 3]))
    stuck_frac = len(stuck) / n_tasks
    cluster = f"{brand}-prod"

    vpc, subnets, vpc_id = k.vpc_bits(rng, acct, region, brand)
    sg_alb = k.sg(rng, acct, vpc_id, f"{brand}-alb", "alb", 443, None, "0.0.0.0/0")
    sg_app = k.sg(rng, acct, vpc_id, f"{brand}-app", "app tasks", 8000, sg_alb["GroupId"])
    sg_db = k.sg(rng, acct, vpc_id, f"{brand}-aurora", "aurora from app", 3306, sg_app["GroupId"])
    lb, lb_dim = k.alb(rng, acct, region, f"{brand}-api", vpc_id, subnets, sg_alb["GroupId"], created)
    tg_b, tg_b_dim = k.target_group(
        rng, acct, region, "booking-api", vpc_id, lb["LoadBalancerArn"], 8000, "/health"
    )
    tg_t, tg_t_dim = k.target_group(
        rng, acct, region, "timetable-web", vpc_id, lb["LoadBalancerArn"], 8000, "/health"
    )
    role_exec = k.iam_role(rng, acct, "ecsTaskExecutionRole", "ecs-tasks.amazonaws.com", created)
    sub_ids = [s["SubnetId"] for s in subnets]
    notif_deploy = fail_t - timedelta(minutes=rng.randint(40, 75))
    svcs = {
        "booking-api": k.ecs_service(
            acct,
            region,
            cluster,
            "booking-api",
            f"booking-api:{rng.randint(80, 200)}",
            n_tasks,
            created,
            day - timedelta(days=1, hours=rng.randint(1, 8)),
            sub_ids,
            sg_app["GroupId"],
            tg_b["TargetGroupArn"],
            8000,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
        "timetable-web": k.ecs_service(
            acct,
            region,
            cluster,
            "timetable-web",
            f"timetable-web:{rng.randint(40, 120)}",
            4,
            created,
            day - timedelta(days=3),
            sub_ids,
            sg_app["GroupId"],
            tg_t["TargetGroupArn"],
            8000,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
        "notifications-worker": k.ecs_service(
            acct,
            region,
            cluster,
            "notifications-worker",
            f"notifications-worker:{rng.randint(20, 60)}",
            2,
            created,
            notif_deploy,
            sub_ids,
            sg_app["GroupId"],
            None,
            0,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
    }
    kms = f"arn:aws:kms:{region}:{acct}:key/{k.uid(rng)}"
    azs = [f"{region}a", f"{region}b"]
    engine_version = "8.0.mysql_aurora.3.05.2"
    dbc = {
        "AllocatedStorage": 1,
        "AvailabilityZones": [f"{region}a", f"{region}b", f"{region}c"],
        "BackupRetentionPeriod": 7,
        "DBClusterIdentifier": cl,
        "DBClusterParameterGroup": f"{brand}-aurora-mysql8",
        "DBSubnetGroup": f"{brand}-db-private",
        "Status": "available",
        "EarliestRestorableTime": k.iso(day - timedelta(days=7)),
        "Endpoint": cl_ep,
        "ReaderEndpoint": ro_ep,
        "MultiAZ": True,
        "Engine": "aurora-mysql",
        "EngineVersion": engine_version,
        "LatestRestorableTime": k.iso(now - timedelta(minutes=3)),
        "Port": 3306,
        "MasterUsername": "admin",
        "PreferredBackupWindow": "02:10-02:40",
        "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
        "ReadReplicaIdentifiers": [],
        "DBClusterMembers": [
            {
                "DBInstanceIdentifier": i1,
                "IsClusterWriter": False,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
            {
                "DBInstanceIdentifier": i2,
                "IsClusterWriter": True,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            },
        ],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db["GroupId"], "Status": "active"}],
        "HostedZoneId": "Z29XKXDKYMONMX",
        "StorageEncrypted": True,
        "KmsKeyId": kms,
        "DbClusterResourceId": "cluster-" + k.hexid(rng, 26).upper(),
        "DBClusterArn": f"arn:aws:rds:{region}:{acct}:cluster:{cl}",
        "AssociatedRoles": [],
        "IAMDatabaseAuthenticationEnabled": False,
        "ClusterCreateTime": k.iso(created),
        "EngineMode": "provisioned",
        "DeletionProtection": True,
        "HttpEndpointEnabled": False,
        "CopyTagsToSnapshot": True,
        "CrossAccountClone": False,
        "DomainMemberships": [],
        "TagList": [{"Key": "team", "Value": "bookings"}],
        "AutoMinorVersionUpgrade": True,
        "NetworkType": "IPV4",
        "StorageType": "aurora",
    }

    def dbi(ident, az, writer):
        return {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "aurora-mysql",
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "Endpoint": {
                "Address": f"{ident}.{res_suffix}.{region}.rds.amazonaws.com",
                "Port": 3306,
                "HostedZoneId": "Z29XKXDKYMONMX",
            },
            "AllocatedStorage": 1,
            "InstanceCreateTime": k.iso(created),
            "PreferredBackupWindow": "02:10-02:40",
            "BackupRetentionPeriod": 7,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db["GroupId"], "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": f"{brand}-db-private",
                "DBSubnetGroupDescription": "private db subnets",
                "VpcId": vpc_id,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": s["SubnetId"],
                        "SubnetAvailabilityZone": {"Name": s["AvailabilityZone"]},
                        "SubnetStatus": "Active",
                    }
                    for s in subnets
                ],
            },
            "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
            "PendingModifiedValues": {},
            "MultiAZ": False,
            "EngineVersion": engine_version,
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "general-public-license",
            "OptionGroupMemberships": [{"OptionGroupName": "default:aurora-mysql-8-0", "Status": "in-sync"}],
            "PubliclyAccessible": False,
            "StorageType": "aurora",
            "DbInstancePort": 0,
            "DBClusterIdentifier": cl,
            "StorageEncrypted": True,
            "KmsKeyId": kms,
            "DbiResourceId": "db-" + k.hexid(rng, 26).upper(),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "DomainMemberships": [],
            "CopyTagsToSnapshot": False,
            "MonitoringInterval": 0,
            "PromotionTier": 1,
            "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:{ident}",
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": False,
            "DeletionProtection": False,
            "AssociatedRoles": [],
            "TagList": [],
            "CustomerOwnedIpEnabled": False,
            "BackupTarget": "region",
            "NetworkType": "IPV4",
            "CertificateDetails": {
                "CAIdentifier": "rds-ca-rsa2048-g1",
                "ValidTill": k.iso(day + timedelta(days=400)),
            },
            "DedicatedLogVolume": False,
            "IsStorageConfigUpgradeAvailable": False,
            "EngineLifecycleSupport": "open-source-rds-extended-support",
        }

    resources = [
        {"service": "ec2", "type": "Vpc", "item": vpc},
        *({"service": "ec2", "type": "Subnet", "item": s} for s in subnets),
        *({"service": "ec2", "type": "SecurityGroup", "item": g} for g in (sg_alb, sg_app, sg_db)),
        {"service": "elbv2", "type": "LoadBalancer", "item": lb},
        {"service": "elbv2", "type": "TargetGroup", "item": tg_b},
        {"service": "elbv2", "type": "TargetGroup", "item": tg_t},
        {"service": "ecs", "type": "Cluster", "item": k.ecs_cluster(acct, region, cluster, 3, 12)},
        *({"service": "ecs", "type": "Service", "item": s} for s in svcs.values()),
        {"service": "rds", "type": "DBCluster", "item": dbc},
        {"service": "rds", "type": "DBInstance", "item": dbi(i1, azs[0], False)},
        {"service": "rds", "type": "DBInstance", "item": dbi(i2, azs[1], True)},
        {"service": "iam", "type": "Role", "item": role_exec},
        *(
            {"service": "logs", "type": "LogGroup", "item": k.log_group(acct, region, f"/ecs/{n}", created)}
            for n in svcs
        ),
    ]
    topic = k.sns_topic(acct, region, f"{brand}-pager")
    resources.append({"service": "sns", "type": "Topic", "item": topic})

    # ---------------- RDS events ----------------
    def ev(src, stype, msg, cats, t, code=None):
        e = {
            "SourceIdentifier": src,
            "SourceType": stype,
            "Message": msg,
            "EventCategories": cats,
            "Date": k.iso(t),
            "SourceArn": f"arn:aws:rds:{region}:{acct}:{'cluster' if stype == 'db-cluster' else 'db'}:{src}",
        }
        return {"source": "rds", "item": e}

    backup_t = day + timedelta(hours=2, minutes=rng.randint(10, 14))
    events = [
        ev(cl, "db-cluster", "Automated backup of the DB cluster started.", ["backup"], backup_t)
        if backup_t >= start
        else None,
        ev(
            cl,
            "db-cluster",
            "Automated backup of the DB cluster completed.",
            ["backup"],
            backup_t + timedelta(minutes=rng.randint(4, 9)),
        )
        if backup_t >= start
        else None,
        ev(
            i1,
            "db-instance",
            "The DB instance has encountered an underlying host issue and is being recovered.",
            ["failure"],
            recov_start,
        ),
        ev(
            cl,
            "db-cluster",
            f"Started cross AZ failover to DB instance: {i2}",
            ["failover"],
            recov_start + timedelta(seconds=2),
        ),
        ev(
            i2, "db-instance", "DB instance restarted", ["availability"], failover_done - timedelta(seconds=4)
        ),
        ev(cl, "db-cluster", f"Completed failover to DB instance: {i2}", ["failover"], failover_done),
        ev(i1, "db-instance", "DB instance restarted", ["availability"], i1_back),
        ev(
            i1,
            "db-instance",
            "Recovery of the DB instance is complete.",
            ["recovery"],
            i1_back + timedelta(seconds=rng.randint(20, 50)),
        ),
    ]
    events = [e for e in events if e]

    # ---------------- metrics ----------------
    m = k.Metrics()
    rq: dict = {}

    def traffic(t):  # requests/min on booking-api; studios open around 06:00 local
        key = k.iso(t)
        if key not in rq:
            h = t.astimezone(tz).hour + t.minute / 60
            base = 60 if h < 5.5 else 60 + (min(h, 9.5) - 5.5) * 420
            rq[key] = base * rng.uniform(0.9, 1.1)
        return rq[key]

    write_share = rng.uniform(0.28, 0.36)
    fail_m = failover_done.replace(second=0)
    down_m = fail_t.replace(second=0)

    b5: dict = {}

    def b5xx(t):
        key = k.iso(t)
        if key not in b5:
            if t < down_m:
                v = rng.choice([None] * 5 + [1.0])
            elif t <= fail_m:
                v = round(traffic(t) * rng.uniform(0.6, 0.9))
            else:
                v = round(traffic(t) * write_share * stuck_frac * rng.uniform(0.9, 1.1))
            b5[key] = v
        return b5[key]

    tgd = lambda d: {"LoadBalancer": lb_dim, "TargetGroup": d}  # noqa: E731
    m.series(
        "AWS/ApplicationELB", "RequestCount", tgd(tg_b_dim), "Count", start, now, lambda t: round(traffic(t))
    )
    m.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd(tg_b_dim), "Count", start, now, b5xx)
    m.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd(tg_t_dim),
        "Count",
        start,
        now,
        lambda t: round(traffic(t) * 2.3),
    )
    m.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd(tg_t_dim),
        "Count",
        start,
        now,
        lambda t: (
            round(traffic(t) * 2.3 * rng.uniform(0.5, 0.8))
            if down_m <= t <= fail_m
            else rng.choice([None] * 8 + [1.0])
        ),
    )
    m.series(
        "AWS/ApplicationELB", "HealthyHostCount", tgd(tg_b_dim), "Count", start, now, lambda t: float(n_tasks)
    )
    m.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd(tg_b_dim), "Count", start, now, lambda t: 0.0)
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd(tg_b_dim),
        "Seconds",
        start,
        now,
        lambda t: k.latency_dist(rng, round(traffic(t)), 35, 400 if not (down_m <= t <= fail_m) else 9000),
    )
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd(tg_t_dim),
        "Seconds",
        start,
        now,
        lambda t: k.latency_dist(rng, round(traffic(t) * 2.3), 22, 260),
    )

    def db(ident):
        return {"DBInstanceIdentifier": ident}

    def i1_writer(t):
        return t < down_m

    def alive(ident, t):
        if ident == i1:
            return not (down_m <= t < i1_back.replace(second=0) + timedelta(minutes=1))
        return not (down_m <= t <= fail_m)

    def dml(ident, t):
        writer_now = (ident == i1) == i1_writer(t)
        if not alive(ident, t):
            return None
        if writer_now:
            ok_share = 1.0 if t < down_m else (1 - stuck_frac)
            return traffic(t) * write_share * ok_share * 3.1 / 60 * rng.uniform(0.9, 1.1) + rng.uniform(
                0.5, 1.5
            )
        return 0.0

    for ident in (i1, i2):
        m.series(
            "AWS/RDS",
            "CPUUtilization",
            db(ident),
            "Percent",
            start,
            now,
            lambda t, i=ident: (
                None
                if not alive(i, t)
                else ((9 + traffic(t) / 180) if ((i == i1) == i1_writer(t)) else (4 + traffic(t) / 700))
                * rng.uniform(0.9, 1.1)
            ),
        )
        m.series(
            "AWS/RDS",
            "DatabaseConnections",
            db(ident),
            "Count",
            start,
            now,
            lambda t, i=ident: (
                None
                if not alive(i, t)
                else float(
                    (n_tasks * 10 + 8 if i == i1 else 14)
                    if t < down_m
                    else ((len(stuck) * 10 + 2) if i == i1 else ((n_tasks - len(stuck)) * 10 + 8 + 4))
                )
            ),
        )
        m.series(
            "AWS/RDS", "DMLThroughput", db(ident), "Count/Second", start, now, lambda t, i=ident: dml(i, t)
        )
        m.series(
            "AWS/RDS",
            "CommitThroughput",
            db(ident),
            "Count/Second",
            start,
            now,
            lambda t, i=ident: (
                None if dml(i, t) is None else dml(i, t) * 0.45 + (0.2 if dml(i, t) == 0 else 0)
            ),
        )
        m.series(
            "AWS/RDS",
            "SelectThroughput",
            db(ident),
            "Count/Second",
            start,
            now,
            lambda t, i=ident: (
                None
                if not alive(i, t)
                else (traffic(t) * 6 / 60 if ((i == i1) == i1_writer(t)) else traffic(t) * 2.4 / 60)
                * rng.uniform(0.9, 1.1)
            ),
        )
        m.series(
            "AWS/RDS",
            "FreeableMemory",
            db(ident),
            "Bytes",
            start,
            now,
            lambda t, i=ident: (
                None
                if not alive(i, t)
                else (rng.uniform(10.9, 11.2) if (i == i2 or t < down_m) else rng.uniform(14.8, 15.2))
                * 1024**3
            ),
        )
        m.series(
            "AWS/RDS",
            "EngineUptime",
            db(ident),
            "Seconds",
            start,
            now,
            lambda t, i=ident: (
                None
                if not alive(i, t)
                else float(
                    (t - (created + timedelta(days=200))).total_seconds()
                    if i == i2 and t < down_m
                    else (t - fail_m).total_seconds()
                    if i == i2
                    else (t - (created + timedelta(days=200))).total_seconds()
                    if t < down_m
                    else (t - i1_back).total_seconds()
                )
            ),
        )
    m.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        db(i2),
        "Milliseconds",
        start,
        now,
        lambda t: rng.uniform(12, 25) if t < down_m else None,
    )
    m.series(
        "AWS/RDS",
        "AuroraReplicaLag",
        db(i1),
        "Milliseconds",
        start,
        now,
        lambda t: rng.uniform(12, 25) if t >= i1_back.replace(second=0) + timedelta(minutes=1) else None,
    )
    m.series(
        "AWS/RDS",
        "VolumeBytesUsed",
        {"DBClusterIdentifier": cl},
        "Bytes",
        start,
        now,
        lambda t: 214.3 * 1024**3 + (t - start).total_seconds() * 1200,
        period=300,
    )
    for svc, b in (("booking-api", 14), ("timetable-web", 18), ("notifications-worker", 4)):
        m.series(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            start,
            now,
            lambda t, b=b: b * (0.4 + traffic(t) / 1500) * rng.uniform(0.9, 1.1),
        )
        m.series(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            start,
            now,
            lambda t, b=b: 30 + b + rng.uniform(-1, 1),
        )

    # ---------------- alarms ----------------
    alarms, hist = [], []
    a5 = "booking-api-5xx"
    # fires at the outage, clears as the cluster comes back, fires again once morning traffic grows
    state, reason, st_t = (
        "OK",
        k.reason_text("OK", [0.0], start - timedelta(days=3), "GreaterThanThreshold", 10, 2),
        start - timedelta(days=3),
    )
    for at, old, new, vals, newest in k.simulate(b5xx, start, now - timedelta(seconds=50), 10, 2):
        rtxt = k.reason_text(new, vals, newest, "GreaterThanThreshold", 10, 2)
        hist.append(k.history(a5, at - timedelta(seconds=16), old, new, rtxt))
        state, reason, st_t = new, rtxt, at - timedelta(seconds=16)
    alarms.append(
        k.alarm(
            acct,
            region,
            a5,
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd(tg_b_dim),
            "Sum",
            60,
            2,
            10,
            "GreaterThanThreshold",
            state,
            reason,
            st_t,
            created + timedelta(days=60),
            topic["TopicArn"],
            "booking-api returning 5xx",
            missing="notBreaching",
        )
    )
    lag = f"{cl}-replica-lag"
    lag_t = down_m + timedelta(minutes=1)
    alarms.append(
        k.alarm(
            acct,
            region,
            lag,
            "AWS/RDS",
            "AuroraReplicaLag",
            db(i2),
            "Maximum",
            60,
            3,
            1000,
            "GreaterThanThreshold",
            "INSUFFICIENT_DATA",
            "Insufficient Data: 3 datapoints were unknown.",
            lag_t + timedelta(minutes=2, seconds=30),
            created + timedelta(days=60),
            topic["TopicArn"],
            missing="missing",
        )
    )
    hist.append(
        k.history(
            lag,
            lag_t + timedelta(minutes=2, seconds=30),
            "OK",
            "INSUFFICIENT_DATA",
            "Insufficient Data: 3 datapoints were unknown.",
        )
    )
    cpu = f"{cl}-writer-cpu"
    alarms.append(
        k.alarm(
            acct,
            region,
            cpu,
            "AWS/RDS",
            "CPUUtilization",
            {"DBClusterIdentifier": cl, "Role": "WRITER"},
            "Average",
            300,
            3,
            80,
            "GreaterThanThreshold",
            "OK",
            k.reason_text("OK", [21.4], day - timedelta(days=12), "GreaterThanThreshold", 80, 3, period=300),
            day - timedelta(days=12),
            created + timedelta(days=60),
            topic["TopicArn"],
        )
    )
    m.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cl, "Role": "WRITER"},
        "Percent",
        start,
        now,
        lambda t: None if down_m <= t <= fail_m else (9 + traffic(t) / 180) * rng.uniform(0.9, 1.1),
        period=60,
    )
    m.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cl, "Role": "READER"},
        "Percent",
        start,
        now,
        lambda t: (
            None
            if down_m <= t < i1_back.replace(second=0) + timedelta(minutes=1)
            else (4 + traffic(t) / 700) * rng.uniform(0.9, 1.1)
        ),
    )

    # ---------------- logs ----------------
    logs = []
    tasks = [k.hexid(rng, 32) for _ in range(n_tasks)]
    t = start
    while t < now:
        n = max(1, round(traffic(t) / 90))
        for _ in range(min(n, 9)):
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            ti = rng.randrange(n_tasks)
            stream = f"booking-api/booking-api/{tasks[ti]}"
            write = rng.random() < write_share
            path = (
                rng.choice(
                    [
                        f"/v2/classes/{rng.randint(100000, 999999)}/bookings",
                        "/v2/bookings/" + k.hexid(rng, 10) + "/cancel",
                    ]
                )
                if write
                else rng.choice(
                    [f"/v2/members/{rng.randint(10000, 99999)}", f"/v2/classes/{rng.randint(100000, 999999)}"]
                )
            )
            method = "POST" if write else "GET"
            ip = f"10.{vpc['CidrBlock'].split('.')[1]}.{rng.randint(32, 70)}.{rng.randint(2, 250)}"
            status = 200 if not write else 201
            if down_m <= ts < failover_done:
                status = 500
                msg = rng.choice(
                    [
                        "(pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')",
                        f"(pymysql.err.OperationalError) (2003, \"Can't connect to MySQL server on '{cl_ep}' ([Errno 111] Connection refused)\")",
                    ]
                )
                logs.append(
                    {
                        "log_group": "/ecs/booking-api",
                        "log_stream": stream,
                        "timestamp": k.ms(ts),
                        "message": f'[{ts:%Y-%m-%d %H:%M:%S} +0000] [{rng.randint(7, 12)}] [ERROR] Exception on {path} [{method}]\nTraceback (most recent call last):\n  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context\n    self.dialect.do_execute(\nsqlalchemy.exc.OperationalError: {msg}\n(Background on this error at: https://sqlalche.me/e/20/e3q8)',
                    }
                )
            elif ts >= failover_done and write and ti in stuck:
                status = 500
                sql = (
                    "UPDATE bookings SET status=%(status)s, cancelled_at=%(cancelled_at)s WHERE bookings.id = %(id_1)s"
                    if path.endswith("/cancel")
                    else "INSERT INTO bookings (id, member_id, class_id, status, created_at) VALUES (%(id)s, %(member_id)s, %(class_id)s, %(status)s, %(created_at)s)"
                )
                logs.append(
                    {
                        "log_group": "/ecs/booking-api",
                        "log_stream": stream,
                        "timestamp": k.ms(ts),
                        "message": f'[{ts:%Y-%m-%d %H:%M:%S} +0000] [{rng.randint(7, 12)}] [ERROR] Exception on {path} [{method}]\nTraceback (most recent call last):\n  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context\n    self.dialect.do_execute(\n  File "/usr/local/lib/python3.11/site-packages/pymysql/err.py", line 150, in raise_mysql_exception\n    raise errorclass(errno, errval)\nsqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1290, \'The MySQL server is running with the --read-only option so it cannot execute this statement\')\n[SQL: {sql}]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)',
                    }
                )
            logs.append(
                {
                    "log_group": "/ecs/booking-api",
                    "log_stream": stream,
                    "timestamp": k.ms(ts) + rng.randint(5, 60),
                    "message": f'{ip} - - [{ts:%d/%b/%Y:%H:%M:%S} +0000] "{method} {path} HTTP/1.1" {status} {rng.randint(40, 900)} "-" "{brand}-frontdesk/4.{rng.randint(10, 19)}.0 (iPadOS 17.4)"',
                }
            )
        if t.minute % 10 == 0:
            ts = t + timedelta(seconds=rng.uniform(0, 20))
            logs.append(
                {
                    "log_group": "/ecs/notifications-worker",
                    "log_stream": f"notifications-worker/notifications-worker/{k.hexid(random.Random(seed), 32)}",
                    "timestamp": k.ms(ts),
                    "message": f"{ts:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z INFO reminder sweep: {rng.randint(0, 40)} reminders queued",
                }
            )
        t += timedelta(minutes=1)
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ---------------- CloudTrail ----------------
    tr = k.Trail(rng, acct, region)
    ci = tr.ident("github-actions-deploy", "GitHubActions")
    agent = "aws-sdk-js/3.568.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/ecs#3.568.0"
    tr.add(
        notif_deploy - timedelta(seconds=35),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "notifications-worker",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "executionRoleArn": role_exec["Arn"],
        },
        {
            "taskDefinition": {
                "family": "notifications-worker",
                "status": "ACTIVE",
                "taskDefinitionArn": svcs["notifications-worker"]["taskDefinition"],
            }
        },
        agent=agent,
    )
    tr.add(
        notif_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": cluster,
            "service": "notifications-worker",
            "taskDefinition": svcs["notifications-worker"]["taskDefinition"].split("/")[-1],
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "notifications-worker",
                "serviceArn": svcs["notifications-worker"]["serviceArn"],
                "status": "ACTIVE",
                "desiredCount": 2,
                "taskDefinition": svcs["notifications-worker"]["taskDefinition"],
            }
        },
        agent=agent,
    )
    if backup_t >= start:
        pass
    backup_role = tr.ident(
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        invoked_by="backup.amazonaws.com",
    )
    bt = start + timedelta(minutes=rng.randint(15, 50))
    tr.add(
        bt,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        backup_role,
        {
            "dBClusterSnapshotIdentifier": f"awsbackup:job-{k.uid(rng)}",
            "dBClusterIdentifier": cl,
            "tags": [{"key": "aws:backup:source-resource", "value": f"{cl}:{k.uid(rng)}"}],
        },
        {
            "dBClusterSnapshotIdentifier": f"awsbackup:job-{k.uid(rng)}",
            "dBClusterIdentifier": cl,
            "status": "creating",
            "engine": "aurora-mysql",
            "engineVersion": engine_version,
            "snapshotType": "manual",
        },
    )
    for ts in (
        start + timedelta(minutes=rng.randint(60, 120)),
        fail_t + timedelta(minutes=rng.randint(50, 90)),
    ):
        tr.add(
            ts,
            "sts.amazonaws.com",
            "AssumeRole",
            tr.ident("ops-runbook-automation", "ssm-automation"),
            {
                "roleArn": f"arn:aws:iam::{acct}:role/db-readonly-reporting",
                "roleSessionName": "nightly-report",
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.hexid(rng, 16).upper(),
                    "expiration": "",
                    "sessionToken": "<redacted>",
                }
            },
            read_only=True,
            agent="Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10.213 lang/python#3.11.8 Botocore/1.34.70",
        )
    oncall = rng.choice(["aoife.byrne", "cian.walsh", "niamh.k"])
    oc = tr.ident("AWSReservedSSO_ReadOnlyAccess_5c1f0e3a9b2d4e71", f"{oncall}@{brand}.ie")
    tr.add(
        now - timedelta(minutes=rng.randint(6, 12)),
        "rds.amazonaws.com",
        "DescribeDBClusters",
        oc,
        {"dBClusterIdentifier": cl},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    )
    tr.readonly_noise(
        start,
        now,
        [
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("rds.amazonaws.com", "DescribeDBClusters", None),
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["booking-api", "timetable-web"]},
            ),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "booking-api"}),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tg_b["TargetGroupArn"]},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-cluster", "duration": 60}),
        ],
        every_min=(5, 12),
    )
    # ECS target health: all healthy throughout (the health check does not touch the database)
    th = [
        {
            "source": "target_health",
            "item": {
                "target_group_arn": tg_b["TargetGroupArn"],
                "target": {
                    "Id": f"10.{vpc['CidrBlock'].split('.')[1]}.{40 + i}.{17 + i}",
                    "Port": 8000,
                    "AvailabilityZone": azs[i % 2],
                },
                "health": {"State": "healthy"},
                "timestamp": k.iso(start),
            },
        }
        for i in range(n_tasks)
    ]
    events = sorted(events, key=lambda e: e["item"]["Date"]) + th

    local = fail_t.astimezone(tz)
    q = rng.choice(
        [
            f"Front desks at a few studios say some class bookings won't save since early this morning (first one around {local.hour}:{local.minute // 10 * 10:02d}), they just get 'Something went wrong'. Retrying sometimes works. Timetables and member lookups are fine. Is something down?",
            f"Members are complaining bookings fail on the app since about {local.hour}am, but only sometimes. Booking API dashboards look mostly green. What's going on?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": None, "timezone": "Europe/Dublin"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": i1,
                    "category": "component_failure",
                    "failure_mode": "aurora-writer-host-failure-failover-stale-connections",
                },
                "also_accept": [f"arn:aws:rds:{region}:{acct}:db:{i1}", cl],
                "actions": ["restart", "reconfigure"],
                "chain": [i1, cl, "booking-api", f"{brand}-api"],
            },
        }
    )
    alarm_history = sorted(hist, key=lambda h: h["Timestamp"])
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": alarm_history,
            "logs": logs,
            "cloudtrail": tr.sorted(),
            "resources": resources,
            "events": events,
        },
    )
