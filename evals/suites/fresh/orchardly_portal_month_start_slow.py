"""orchardly grower portal: slow pages on the first of the month."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zv as k

NAME = "orchardly-portal-month-start-slow"
TITLE = "Grower portal crawling since early afternoon on the first of the month"
SUMMARY = (
    "The portal's PostgreSQL instance runs out of instance-level EBS throughput burst while the monthly "
    "statement export reads; disk latency climbs and portal pages take seconds."
)

REGION = "ap-southeast-2"
TZ = "Australia/Sydney"
# first-of-month weekdays and the Sydney UTC offset on that day
DAYS = [
    ((2024, 5, 1), 10),
    ((2024, 7, 1), 10),
    ((2024, 8, 1), 10),
    ((2024, 10, 1), 10),
    ((2024, 11, 1), 11),
    ((2025, 4, 1), 11),
    ((2025, 5, 1), 10),
    ((2025, 7, 1), 10),
    ((2025, 8, 1), 10),
    ((2025, 10, 1), 10),
]

BASELINE_MBS = 78.75  # db.m6g.large EBS baseline bandwidth (630 Mbps)
BURST_MBS = 593.75  # 4,750 Mbps burst
BUCKET_MB = (BURST_MBS - BASELINE_MBS) * 1800


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    (y, mo, d), off = DAYS[rng.randrange(len(DAYS))]
    local_midnight = datetime(y, mo, d, tzinfo=k.UTC) - timedelta(hours=off)

    def local(h: float) -> datetime:
        return local_midnight + timedelta(hours=h)

    export_at = local(13) + timedelta(seconds=rng.randint(3, 20))
    export_mbs = rng.uniform(395, 455)
    start = local(9) + timedelta(minutes=rng.randint(0, 30))
    fine_from = k.floor_minute(export_at) - timedelta(minutes=100)
    peak_rps = rng.uniform(38, 52)

    db = "orchardly-pg-prod"
    cluster = "orchardly-prod"
    svc = "grower-portal"
    lb_name = "orchardly-portal-prod"
    lb_hex = ids.hex(16)
    tg_hex = ids.hex(16)
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/app/{lb_name}/{lb_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:targetgroup/grower-portal-web/{tg_hex}"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/grower-portal-web/{tg_hex}"
    topic = f"arn:aws:sns:{REGION}:{account}:orchardly-platform-alerts"

    # --- simulate -------------------------------------------------------------------------------------
    sim_end = export_at + timedelta(minutes=130)
    bucket = BUCKET_MB
    onset: datetime | None = None
    rows: list[dict[str, float]] = []
    times: list[datetime] = []
    t = start
    export_done = False
    export_progress = 0.0  # MB read by the export
    export_total = export_mbs * 60 * rng.uniform(70, 80)  # needs ~75 min at full burst
    while t < sim_end:
        lf = k.load(t, off, "business")
        rps = max(0.5, k.wobble(rng, peak_rps * lf, 0.05))
        portal_read = rps * rng.uniform(0.45, 0.6)  # MB/s the portal reads from disk
        write = k.wobble(rng, 4.0 + 6.0 * lf, 0.08)
        exp = 0.0
        if export_at <= t and not export_done:
            exp = k.wobble(rng, export_mbs, 0.04)
        want = portal_read + write + exp
        cap = BURST_MBS if bucket > 0 else BASELINE_MBS
        got = min(want, cap)
        if want > BASELINE_MBS:
            bucket = max(0.0, bucket - (got - BASELINE_MBS) * 60)
        else:
            bucket = min(BUCKET_MB, bucket + (BASELINE_MBS - got) * 60)
        squeeze = max(0.0, (want - got) / want) if want else 0.0
        if exp:
            share = exp / want
            export_progress += got * share * 60
            if export_progress >= export_total:
                export_done = True
        if squeeze > 0.2 and onset is None:
            onset = t
        rows.append(
            {
                "rps": rps,
                "read": got - write * (got / want),
                "write": write * (got / want),
                "bucket": bucket,
                "squeeze": squeeze,
                "exp": 1.0 if exp else 0.0,
                "lf": lf,
            }
        )
        times.append(t)
        t += timedelta(minutes=1)
    assert onset is not None
    now = onset + timedelta(minutes=rng.randint(36, 48))
    end = now + timedelta(minutes=15)
    rows = [r for r, tt in zip(rows, times, strict=True) if tt < now]
    times = [tt for tt in times if tt < now]

    # --- metrics --------------------------------------------------------------------------------------
    m = k.Metrics()
    rds = {"DBInstanceIdentifier": db}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    lbd = {"LoadBalancer": lb_dim}
    svcd = {"ClusterName": cluster, "ServiceName": svc}
    p99: dict[datetime, float] = {}
    t5xx: dict[datetime, float] = {}
    cpu_pts: dict[datetime, float] = {}
    i = 0
    groups: list[tuple[datetime, int, list[dict[str, float]]]] = []
    while i < len(times):
        step = 5 if times[i] < fine_from else 1
        groups.append((times[i], step, rows[i : i + step]))
        i += step
    for t0, step, rs in groups:
        n = len(rs)
        sq = sum(r["squeeze"] for r in rs) / n
        rps = sum(r["rps"] for r in rs) / n
        exp_on = max(r["exp"] for r in rs)
        reqs = round(rps * 60 * n)
        # disk service time and queueing
        read_lat = 0.00055 + (0.0018 if exp_on else 0) + sq * rng.uniform(0.022, 0.038)
        write_lat = 0.0011 + sq * rng.uniform(0.012, 0.02)
        qd = 1.2 + (6 if exp_on else 0) + sq * rng.uniform(55, 85)
        readmb = sum(r["read"] for r in rs) / n
        writemb = sum(r["write"] for r in rs) / n
        m.put("AWS/RDS", "ReadThroughput", rds, t0, k.wobble(rng, readmb * 1048576, 0.01), "Bytes/Second")
        m.put("AWS/RDS", "WriteThroughput", rds, t0, k.wobble(rng, writemb * 1048576, 0.02), "Bytes/Second")
        iosz = 0.110 if exp_on else 0.024  # MB per read op
        m.put("AWS/RDS", "ReadIOPS", rds, t0, k.wobble(rng, readmb / iosz, 0.03), "Count/Second")
        m.put("AWS/RDS", "WriteIOPS", rds, t0, k.wobble(rng, writemb / 0.016, 0.03), "Count/Second")
        m.put("AWS/RDS", "ReadLatency", rds, t0, k.wobble(rng, read_lat, 0.05), "Seconds")
        m.put("AWS/RDS", "WriteLatency", rds, t0, k.wobble(rng, write_lat, 0.05), "Seconds")
        m.put("AWS/RDS", "DiskQueueDepth", rds, t0, k.wobble(rng, qd, 0.08), "Count")
        cpu = k.wobble(rng, 9 + 22 * rs[-1]["lf"] + (16 if exp_on else 0) - sq * 10, 0.06)
        m.put("AWS/RDS", "CPUUtilization", rds, t0, cpu, "Percent")
        m.put("AWS/RDS", "EBSByteBalance%", rds, t0, max(0.0, rs[-1]["bucket"] / BUCKET_MB * 100), "Percent")
        io_bal = 100.0 - (
            rs[-1]["exp"] * min(40.0, (t0 - export_at).total_seconds() / 60 * 0.5) if t0 > export_at else 0
        )
        m.put("AWS/RDS", "EBSIOBalance%", rds, t0, max(55.0, io_bal), "Percent")
        conns = 22 + 38 * rs[-1]["lf"] + sq * 60 + (4 if exp_on else 0)
        m.put("AWS/RDS", "DatabaseConnections", rds, t0, round(k.wobble(rng, conns, 0.05)), "Count")
        m.put(
            "AWS/RDS",
            "FreeableMemory",
            rds,
            t0,
            k.wobble(rng, 2.05e9 - (3.0e8 if exp_on else 0), 0.01),
            "Bytes",
        )
        m.put("AWS/RDS", "FreeStorageSpace", rds, t0, 2.31e11 - (t0 - start).total_seconds() * 2200, "Bytes")
        m.put(
            "AWS/RDS",
            "NetworkTransmitThroughput",
            rds,
            t0,
            k.wobble(rng, (rps * 0.09 + (9.5 if exp_on else 0) * (1 - sq * 0.7)) * 1048576, 0.05),
            "Bytes/Second",
        )
        if step == 1:
            cpu_pts[t0] = cpu
        # portal
        slow_share = min(0.85, sq * 1.25)
        vals, cnts = k.latency_buckets(
            rng, reqs, 0.075 + (0.02 if exp_on else 0), 0.55 + (0.25 if exp_on else 0), slow_share, 6.5
        )
        m.dist("AWS/ApplicationELB", "TargetResponseTime", tgd, t0, vals, cnts, "Seconds")
        m.dist("AWS/ApplicationELB", "TargetResponseTime", lbd, t0, vals, cnts, "Seconds")
        n5t = k.poisson(rng, reqs * sq * 0.018) + k.poisson(rng, 0.05 * n)
        n502 = k.poisson(rng, reqs * sq * 0.006)
        n504 = k.poisson(rng, reqs * sq * 0.002)
        m.put("AWS/ApplicationELB", "RequestCount", tgd, t0, reqs, "Count")
        m.put("AWS/ApplicationELB", "RequestCount", lbd, t0, reqs, "Count")
        m.put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            tgd,
            t0,
            reqs - n5t - n502 - n504 - round(reqs * 0.03),
            "Count",
        )
        m.put("AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", tgd, t0, round(reqs * 0.022), "Count")
        m.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, t0, round(reqs * 0.008), "Count")
        if n5t:
            m.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, t0, n5t, "Count")
            m.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, t0, n5t, "Count")
        if n502 + n504:
            m.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, t0, n502 + n504, "Count")
        if n502:
            m.put("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lbd, t0, n502, "Count")
        if n504:
            m.put("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lbd, t0, n504, "Count")
        m.put("AWS/ApplicationELB", "HealthyHostCount", tgd, t0, 4, "Count")
        m.put("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t0, 0, "Count")
        m.put(
            "AWS/ECS",
            "CPUUtilization",
            svcd,
            t0,
            k.wobble(rng, 12 + 30 * rs[-1]["lf"] - sq * 12, 0.07),
            "Percent",
        )
        m.put("AWS/ECS", "MemoryUtilization", svcd, t0, k.wobble(rng, 41 + sq * 6, 0.02), "Percent")
        if step == 1:
            p99[t0] = k.percentile(vals, cnts, 99)
            t5xx[t0] = float(n5t)

    # --- alarms ---------------------------------------------------------------------------------------
    configured = start - timedelta(days=rng.randint(90, 300))
    s_lat = k.AlarmSpec(
        name="grower-portal-p99-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tgd,
        stat="p99",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=3.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="Grower portal p99 above 3s for 5 minutes",
    )
    s_5xx = k.AlarmSpec(
        name="grower-portal-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tgd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=50,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="Portal 5xx above 50 in 5 min",
    )
    s_cpu = k.AlarmSpec(
        name="orchardly-pg-prod-cpu-high",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dims=rds,
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=80,
        comparison="GreaterThanThreshold",
        description="orchardly-pg-prod CPU above 80%",
    )
    s_store = k.AlarmSpec(
        name="orchardly-pg-prod-free-storage-low",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        dims=rds,
        stat="Minimum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=50 * 1024**3,
        comparison="LessThanThreshold",
        description="Less than 50 GiB free on orchardly-pg-prod",
    )
    eval_from = fine_from
    tr_lat = k.evaluate_alarm(s_lat, p99, eval_from, now, rng)
    five = _bucket(t5xx, 300)
    tr_5xx = k.evaluate_alarm(s_5xx, five, eval_from, now, rng)
    cpu5 = _bucket(cpu_pts, 300, avg=True)
    tr_cpu = k.evaluate_alarm(s_cpu, cpu5, eval_from, now, rng)
    alarms = [
        k.alarm_item(
            s_lat,
            account,
            REGION,
            topic,
            configured,
            tr_lat,
            k.quiet_ok_reason(s_lat, eval_from, 0.41),
            eval_from - timedelta(hours=30),
            now,
        ),
        k.alarm_item(
            s_5xx,
            account,
            REGION,
            topic,
            configured,
            tr_5xx,
            k.quiet_ok_reason(s_5xx, eval_from, 0.0),
            eval_from - timedelta(days=2),
            now,
        ),
        k.alarm_item(
            s_cpu,
            account,
            REGION,
            topic,
            configured,
            tr_cpu,
            k.quiet_ok_reason(s_cpu, eval_from, 24.0),
            eval_from - timedelta(days=5),
            now,
        ),
        k.alarm_item(
            s_store,
            account,
            REGION,
            topic,
            configured,
            [],
            k.quiet_ok_reason(s_store, eval_from, 2.31e11),
            eval_from - timedelta(days=40),
            now,
        ),
    ]
    history = (
        k.history_items(s_lat, tr_lat, now)
        + k.history_items(s_5xx, tr_5xx, now)
        + k.history_items(s_cpu, tr_cpu, now)
    )

    # --- resources ------------------------------------------------------------------------------------
    vpc_id = ids.res("vpc")
    azs = [
        ("ap-southeast-2a", "apse2-az3"),
        ("ap-southeast-2b", "apse2-az1"),
        ("ap-southeast-2c", "apse2-az2"),
    ]
    priv = [(ids.res("subnet"), f"10.20.{10 + j}.0/24", azs[j]) for j in range(3)]
    pub = [(ids.res("subnet"), f"10.20.{j}.0/24", azs[j]) for j in range(2)]
    sg_alb, sg_app, sg_db = ids.res("sg"), ids.res("sg"), ids.res("sg")
    created = start - timedelta(days=rng.randint(500, 900))
    resources: list[dict[str, Any]] = [
        k.res("ec2", "Vpc", k.vpc_item(vpc_id, "10.20.0.0/16", account, "orchardly-prod"))
    ]
    for sid, cidr, (az, azid) in priv + pub:
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet_item(
                    sid,
                    vpc_id,
                    cidr,
                    az,
                    azid,
                    account,
                    REGION,
                    f"orchardly-prod-{'private' if cidr.split('.')[2] >= '10' else 'public'}-{az[-1]}",
                    rng.randint(200, 240),
                ),
            )
        )
    resources += [
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_alb,
                "orchardly-portal-alb",
                "portal ALB",
                vpc_id,
                account,
                [k.tcp_from_cidrs(443, [("0.0.0.0/0", "")]), k.tcp_from_cidrs(80, [("0.0.0.0/0", "")])],
            ),
        ),
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_app,
                "grower-portal-tasks",
                "grower-portal tasks",
                vpc_id,
                account,
                [k.tcp_from_sg(8000, sg_alb, account, "from ALB")],
            ),
        ),
        k.res(
            "ec2",
            "SecurityGroup",
            k.sg_item(
                sg_db,
                "orchardly-pg-prod",
                "postgres",
                vpc_id,
                account,
                [
                    k.tcp_from_sg(5432, sg_app, account, "portal"),
                    k.tcp_from_cidrs(5432, [("10.20.10.0/23", "batch tasks")]),
                ],
            ),
        ),
    ]
    db_res_id = "db-" + ids.upper(26)
    resources.append(
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db,
                "DBInstanceClass": "db.m6g.large",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "orchardly_admin",
                "DBName": "orchardly",
                "Endpoint": {
                    "Address": f"{db}.c{ids.alnum(11)}.{REGION}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z32T0VRHXEXS0V",
                },
                "AllocatedStorage": 500,
                "InstanceCreateTime": k.iso_ms(created),
                "PreferredBackupWindow": "16:10-16:40",
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "orchardly-pg15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": azs[0][0],
                "DBSubnetGroup": {
                    "DBSubnetGroupName": "orchardly-prod-db",
                    "DBSubnetGroupDescription": "prod db subnets",
                    "VpcId": vpc_id,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": sid,
                            "SubnetAvailabilityZone": {"Name": az},
                            "SubnetOutpost": {},
                            "SubnetStatus": "Active",
                        }
                        for sid, _, (az, _) in priv
                    ],
                },
                "PreferredMaintenanceWindow": "sun:17:00-sun:17:30",
                "PendingModifiedValues": {},
                "LatestRestorableTime": k.iso_ms(now - timedelta(minutes=4)),
                "MultiAZ": True,
                "EngineVersion": "15.7",
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "postgresql-license",
                "Iops": 12000,
                "StorageThroughput": 500,
                "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-15", "Status": "in-sync"}],
                "SecondaryAvailabilityZone": azs[1][0],
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "DbInstancePort": 0,
                "StorageEncrypted": True,
                "KmsKeyId": f"arn:aws:kms:{REGION}:{account}:key/{ids.uuid()}",
                "DbiResourceId": db_res_id,
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "DomainMemberships": [],
                "CopyTagsToSnapshot": True,
                "MonitoringInterval": 0,
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{account}:db:{db}",
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": False,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "AssociatedRoles": [],
                "MaxAllocatedStorage": 1000,
                "TagList": k.tags({"team": "platform", "env": "prod"}),
                "CustomerOwnedIpEnabled": False,
                "NetworkType": "IPV4",
                "BackupTarget": "region",
                "CertificateDetails": {
                    "CAIdentifier": "rds-ca-rsa2048-g1",
                    "ValidTill": "2025-09-30T00:00:00Z",
                },
                "DedicatedLogVolume": False,
                "IsStorageConfigUpgradeAvailable": False,
                "EngineLifecycleSupport": "open-source-rds-extended-support",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.alb_item(
                lb_arn,
                lb_name,
                f"{lb_name}-{rng.randint(10**8, 10**9 - 1)}.{REGION}.elb.amazonaws.com",
                created,
                vpc_id,
                [(sid, az) for sid, _, (az, _) in pub],
                [sg_alb],
            ),
        )
    )
    resources.append(
        k.res("elbv2", "TargetGroup", k.tg_item(tg_arn, "grower-portal-web", vpc_id, lb_arn, "/healthz"))
    )
    cluster_arn = f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}"
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 7,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        )
    )
    ecr = f"{account}.dkr.ecr.{REGION}.amazonaws.com"
    old_rev = rng.randint(80, 95)
    new_rev = old_rev + 1
    deploy_at = onset - timedelta(minutes=rng.randint(22, 30), seconds=rng.randint(0, 59))
    exec_role = f"arn:aws:iam::{account}:role/orchardly-ecs-execution"
    portal_env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DB_HOST": f"{db}.internal.orchardly.com.au",
        "GUNICORN_CMD_ARGS": "--workers 4 --threads 2 --timeout 30",
        "PG_STATEMENT_TIMEOUT_MS": "20000",
    }
    git_new = ids.hex(7)
    td_arn = f"arn:aws:ecs:{REGION}:{account}:task-definition/{svc}:{new_rev}"
    resources.append(
        k.res(
            "ecs",
            "TaskDefinition",
            k.ecs_task_def_item(
                td_arn,
                svc,
                new_rev,
                f"{ecr}/grower-portal:{git_new}",
                "1024",
                "2048",
                f"arn:aws:iam::{account}:role/grower-portal-task",
                exec_role,
                f"/ecs/{svc}",
                REGION,
                8000,
                portal_env,
                deploy_at - timedelta(seconds=20),
                "portal",
                "web",
            ),
        )
    )
    exp_rev = rng.randint(10, 19)
    exp_td = f"arn:aws:ecs:{REGION}:{account}:task-definition/grower-statements-export:{exp_rev}"
    resources.append(
        k.res(
            "ecs",
            "TaskDefinition",
            k.ecs_task_def_item(
                exp_td,
                "grower-statements-export",
                exp_rev,
                f"{ecr}/grower-portal:{ids.hex(7)}",
                "1024",
                "4096",
                f"arn:aws:iam::{account}:role/grower-statements-export-task",
                exec_role,
                "/ecs/grower-statements-export",
                REGION,
                None,
                {
                    "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
                    "EXPORT_BUCKET": "orchardly-statements-prod",
                },
                start - timedelta(days=rng.randint(40, 120)),
                "export",
                "exporter",
                ["python", "manage.py", "export_grower_statements", "--period", "previous-month"],
            ),
        )
    )
    svc_arn = f"arn:aws:ecs:{REGION}:{account}:service/{cluster}/{svc}"
    dep_id = "ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19))
    task_ids = [ids.hex(32) for _ in range(4)]
    done_at = deploy_at + timedelta(minutes=rng.randint(5, 7))
    svc_events = [
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(done_at + timedelta(minutes=1)),
            "message": f"(service {svc}) has reached a steady state.",
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(done_at),
            "message": f"(service {svc}) (deployment {dep_id}) deployment completed.",
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(deploy_at + timedelta(minutes=3, seconds=40)),
            "message": f"(service {svc}) has stopped 4 running tasks: "
            + " ".join(f"(task {ids.hex(32)})." for _ in range(4)),
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(deploy_at + timedelta(minutes=2, seconds=50)),
            "message": f"(service {svc}) registered 4 targets in (target-group {tg_arn})",
        },
        {
            "id": ids.uuid(),
            "createdAt": k.iso_ms(deploy_at + timedelta(seconds=35)),
            "message": f"(service {svc}) has started 4 tasks: "
            + " ".join(f"(task {tid})." for tid in task_ids),
        },
    ]
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "web", "containerPort": 8000}],
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep_id,
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": 4,
                        "pendingCount": 0,
                        "runningCount": 4,
                        "failedTasks": 0,
                        "createdAt": k.iso_ms(deploy_at),
                        "updatedAt": k.iso_ms(done_at),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": svc_events,
                "createdAt": k.iso_ms(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _, _ in priv],
                        "securityGroups": [sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "NONE",
                "enableExecuteCommand": False,
            },
        )
    )
    exp_task_id = ids.hex(32)
    exp_task_arn = f"arn:aws:ecs:{REGION}:{account}:task/{cluster}/{exp_task_id}"
    resources.append(
        k.res(
            "ecs",
            "Task",
            {
                "attachments": [],
                "availabilityZone": azs[1][0],
                "clusterArn": cluster_arn,
                "connectivity": "CONNECTED",
                "connectivityAt": k.iso_ms(export_at + timedelta(seconds=12)),
                "containers": [
                    {
                        "containerArn": f"arn:aws:ecs:{REGION}:{account}:container/{cluster}/{exp_task_id}/{ids.uuid()}",
                        "taskArn": exp_task_arn,
                        "name": "exporter",
                        "lastStatus": "RUNNING",
                        "networkInterfaces": [
                            {"attachmentId": ids.uuid(), "privateIpv4Address": "10.20.11.57"}
                        ],
                        "healthStatus": "UNKNOWN",
                        "cpu": "0",
                    }
                ],
                "cpu": "1024",
                "createdAt": k.iso_ms(export_at + timedelta(seconds=2)),
                "desiredStatus": "RUNNING",
                "enableExecuteCommand": False,
                "group": "family:grower-statements-export",
                "healthStatus": "UNKNOWN",
                "lastStatus": "RUNNING",
                "launchType": "FARGATE",
                "memory": "4096",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "pullStartedAt": k.iso_ms(export_at + timedelta(seconds=20)),
                "pullStoppedAt": k.iso_ms(export_at + timedelta(seconds=31)),
                "startedAt": k.iso_ms(export_at + timedelta(seconds=38)),
                "startedBy": "events-rule/grower-statements-monthly",
                "taskArn": exp_task_arn,
                "taskDefinitionArn": exp_td,
                "version": 3,
                "ephemeralStorage": {"sizeInGiB": 20},
            },
        )
    )
    for grp in (f"/ecs/{svc}", "/ecs/grower-statements-export", f"/aws/rds/instance/{db}/postgresql"):
        resources.append(
            k.res(
                "logs",
                "LogGroup",
                k.log_group_item(grp, account, REGION, created, 30, rng.randint(10**9, 6 * 10**10)),
            )
        )

    # --- CloudTrail -----------------------------------------------------------------------------------
    gha = k.ci_role(
        ids,
        account,
        "orchardly-deploy",
        "GitHubActions",
        ids.ip(rng.choice(["20.211", "4.148"])),
        k.CLI_UA.format(n=rng.randint(20, 40), cmd="ecs.update-service"),
    )
    dba = k.sso_user(
        ids,
        account,
        REGION,
        "DatabaseAdmin",
        "hamish.bell@orchardly.com.au",
        ids.ip("203.219"),
        rng.choice(k.CONSOLE_UA),
    )
    dev = k.sso_user(
        ids,
        account,
        REGION,
        "Developer",
        "priya.raman@orchardly.com.au",
        ids.ip("120.148"),
        rng.choice(k.CONSOLE_UA),
    )
    ops = k.sso_user(
        ids,
        account,
        REGION,
        "AdministratorAccess",
        "sam.whitlock@orchardly.com.au",
        ids.ip("203.219"),
        rng.choice(k.CONSOLE_UA),
    )
    events_role = k.service_role(
        ids, account, "orchardly-events-ecs-run", ids.hex(32), "events.amazonaws.com"
    )
    trail: list[dict[str, Any]] = []
    trail.append(
        k.ct(
            ids,
            REGION,
            export_at,
            events_role,
            "ecs.amazonaws.com",
            "RunTask",
            {
                "cluster": cluster,
                "count": 1,
                "launchType": "FARGATE",
                "taskDefinition": exp_td,
                "startedBy": "events-rule/grower-statements-monthly",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [priv[1][0]],
                        "securityGroups": [sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
            },
            {
                "tasks": [
                    {
                        "taskArn": exp_task_arn,
                        "lastStatus": "PROVISIONING",
                        "desiredStatus": "RUNNING",
                        "taskDefinitionArn": exp_td,
                    }
                ],
                "failures": [],
            },
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            deploy_at - timedelta(seconds=20),
            gha,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": svc,
                "taskRoleArn": f"arn:aws:iam::{account}:role/grower-portal-task",
                "executionRoleArn": exec_role,
                "networkMode": "awsvpc",
                "cpu": "1024",
                "memory": "2048",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [
                    {"name": "web", "image": f"{ecr}/grower-portal:{git_new}", "essential": True}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": td_arn,
                    "family": svc,
                    "revision": new_rev,
                    "status": "ACTIVE",
                }
            },
            ua=k.CLI_UA.format(n=31, cmd="ecs.register-task-definition"),
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            deploy_at,
            gha,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": svc, "taskDefinition": td_arn, "forceNewDeployment": False},
            {
                "service": {
                    "serviceArn": svc_arn,
                    "serviceName": svc,
                    "taskDefinition": td_arn,
                    "desiredCount": 4,
                    "status": "ACTIVE",
                }
            },
        )
    )
    mod_at = onset - timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(0, 59))
    trail.append(
        k.ct(
            ids,
            REGION,
            mod_at - timedelta(minutes=2),
            dba,
            "rds.amazonaws.com",
            "DescribeDBInstances",
            {"dBInstanceIdentifier": db},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            mod_at,
            dba,
            "rds.amazonaws.com",
            "ModifyDBInstance",
            {"dBInstanceIdentifier": db, "backupRetentionPeriod": 14, "applyImmediately": True},
            {
                "dBInstanceIdentifier": db,
                "dBInstanceClass": "db.m6g.large",
                "engine": "postgres",
                "dBInstanceStatus": "available",
                "backupRetentionPeriod": 14,
                "multiAZ": True,
                "storageType": "gp3",
                "allocatedStorage": 500,
                "iops": 12000,
                "storageThroughput": 500,
                "pendingModifiedValues": {},
            },
        )
    )
    r53_at = onset + timedelta(minutes=rng.randint(3, 12))
    trail.append(
        k.ct(
            ids,
            "us-east-1",
            r53_at,
            ops,
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            {
                "hostedZoneId": "Z0" + ids.upper(19),
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": "_dmarc.orchardly.com.au",
                                "type": "TXT",
                                "tTL": 3600,
                                "resourceRecords": [
                                    {"value": '"v=DMARC1; p=quarantine; rua=mailto:dmarc@orchardly.com.au"'}
                                ],
                            },
                        }
                    ]
                },
            },
            {
                "changeInfo": {
                    "id": "/change/C0" + ids.upper(19),
                    "status": "PENDING",
                    "submittedAt": r53_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
        )
    )
    read_calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
        ("rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
        ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-instance"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": f"/ecs/{svc}"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("ecr.amazonaws.com", "DescribeImages", {"repositoryName": "grower-portal"}),
    ]
    trail += k.routine_reads(ids, REGION, rng, (start, now), [dba, dev, ops], read_calls, 26)
    trail += k.routine_reads(
        ids,
        REGION,
        rng,
        (start, deploy_at),
        [gha],
        [
            ("ecr.amazonaws.com", "GetAuthorizationToken", None),
            ("ecs.amazonaws.com", "DescribeTaskDefinition", {"taskDefinition": svc}),
            ("sts.amazonaws.com", "GetCallerIdentity", None),
        ],
        6,
    )
    trail = k.sort_trail(r for r in trail if r["eventTime"] <= k.iso(now))

    # --- logs -----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    old_tasks = [ids.hex(32) for _ in range(4)]
    pg = f"/aws/rds/instance/{db}/postgresql"
    pg_stream = f"{db}.0"
    loc_off = timedelta(hours=off)
    paths = [
        ("/dashboard/", 0.08),
        ("/orders/history/", 0.22),
        ("/statements/", 0.15),
        ("/deliveries/upcoming/", 0.1),
        ("/api/v1/prices/today", 0.03),
        ("/statements/{p}/download", 0.6),
        ("/orders/{n}/", 0.09),
    ]
    agents = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
    ]
    period_label = (local_midnight - timedelta(days=2)).strftime("%Y-%m")
    prev_stmt = (local_midnight - timedelta(days=2)).strftime("%Y-%m")
    for tt, r in zip(times, rows, strict=True):
        tasks = old_tasks if tt < deploy_at + timedelta(minutes=3) else task_ids
        per_min = 1 if tt < fine_from else 3
        for _ in range(per_min):
            ts = tt + timedelta(seconds=rng.uniform(0, 59.9))
            tid = rng.choice(tasks)
            stream = f"portal/web/{tid}"
            path, base = rng.choice(paths)
            path = path.replace("{p}", prev_stmt).replace("{n}", str(rng.randint(400000, 480000)))
            slow = rng.random() < r["squeeze"] * 1.2
            dur = base * rng.uniform(0.5, 1.8) + (rng.uniform(3, 19) if slow else 0)
            status = 200
            lt = (ts + loc_off).strftime("%d/%b/%Y:%H:%M:%S") + f" +{off:02d}00"
            if slow and dur > 20 and rng.random() < 0.5:
                status = 500
                err_t = ts + timedelta(seconds=20)
                logs.append(
                    k.log(
                        f"/ecs/{svc}",
                        stream,
                        err_t,
                        (
                            f"ERROR {(err_t + loc_off).strftime('%Y-%m-%d %H:%M:%S')},{rng.randint(100, 999)} log "
                            f"{rng.randint(7, 60)} {rng.randint(10**14, 10**15)} Internal Server Error: {path}\n"
                            "Traceback (most recent call last):\n"
                            '  File "/usr/local/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute\n'
                            "    return self.cursor.execute(sql, params)\n"
                            '  File "/usr/local/lib/python3.12/site-packages/psycopg/cursor.py", line 732, in execute\n'
                            "    raise ex.with_traceback(None)\n"
                            "psycopg.errors.QueryCanceled: canceling statement due to statement timeout\n\n"
                            "The above exception was the direct cause of the following exception:\n\n"
                            "Traceback (most recent call last):\n"
                            '  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner\n'
                            "    response = get_response(request)\n"
                            '  File "/app/portal/orders/views.py", line 188, in history\n'
                            '    return render(request, "orders/history.html", {"page": paginator.get_page(n)})\n'
                            '  File "/usr/local/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute\n'
                            "    return self.cursor.execute(sql, params)\n"
                            "django.db.utils.OperationalError: canceling statement due to statement timeout"
                        ),
                    )
                )
                dur = 20.05
            logs.append(
                k.log(
                    f"/ecs/{svc}",
                    stream,
                    ts + timedelta(seconds=dur),
                    (
                        f'10.20.{rng.randint(0, 1)}.{rng.randint(10, 250)} - - [{lt}] "GET {path} HTTP/1.1" {status} '
                        f'{rng.randint(2000, 90000) if status == 200 else 145} "-" "{rng.choice(agents)}" {dur:.3f}'
                    ),
                )
            )
        if r["squeeze"] > 0.3 and rng.random() < 0.12:
            ts = tt + timedelta(seconds=rng.uniform(0, 59))
            tid = rng.choice(task_ids)
            pid = rng.randint(40, 200)
            lt = (ts + loc_off).strftime("%Y-%m-%d %H:%M:%S") + f" +{off:02d}00"
            logs.append(
                k.log(
                    f"/ecs/{svc}",
                    f"portal/web/{tid}",
                    ts,
                    f"[{lt}] [1] [CRITICAL] WORKER TIMEOUT (pid:{pid})",
                )
            )
            logs.append(
                k.log(
                    f"/ecs/{svc}",
                    f"portal/web/{tid}",
                    ts + timedelta(milliseconds=3),
                    f"[{lt}] [{pid}] [ERROR] Error handling request /statements/{prev_stmt}/download",
                )
            )
            logs.append(
                k.log(
                    f"/ecs/{svc}",
                    f"portal/web/{tid}",
                    ts + timedelta(milliseconds=420),
                    f"[{lt}] [{rng.randint(201, 400)}] [INFO] Booting worker with pid: {rng.randint(201, 400)}",
                )
            )
    # deploy startup lines
    for tid in task_ids:
        ts = deploy_at + timedelta(seconds=rng.uniform(70, 110))
        lt = (ts + loc_off).strftime("%Y-%m-%d %H:%M:%S") + f" +{off:02d}00"
        for j, line in enumerate(
            (
                f"[{lt}] [1] [INFO] Starting gunicorn 22.0.0",
                f"[{lt}] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)",
                f"[{lt}] [1] [INFO] Using worker: gthread",
                f"[{lt}] [7] [INFO] Booting worker with pid: 7",
            )
        ):
            logs.append(k.log(f"/ecs/{svc}", f"portal/web/{tid}", ts + timedelta(milliseconds=j * 15), line))
    # export task
    es = f"export/exporter/{exp_task_id}"
    growers = rng.randint(4600, 5400)
    batch = 250
    nb = math.ceil(growers / batch)
    t_exp = export_at + timedelta(seconds=45)
    logs.append(
        k.log(
            "/ecs/grower-statements-export",
            es,
            t_exp,
            json.dumps(
                {
                    "ts": k.iso_ms(t_exp),
                    "level": "INFO",
                    "logger": "statements.export",
                    "msg": "starting statement export",
                    "period": period_label,
                    "growers": growers,
                    "batch_size": batch,
                }
            ),
        )
    )
    bt = t_exp
    done_b = 0
    for tt, r in zip(times, rows, strict=True):
        if tt < t_exp or not r["exp"]:
            continue
        # a batch takes ~3.5 min at full read speed, much longer once throttled
        if (tt - bt).total_seconds() >= 210 / max(0.15, 1 - r["squeeze"] * 0.85):
            done_b += 1
            bt = tt
            logs.append(
                k.log(
                    "/ecs/grower-statements-export",
                    es,
                    tt + timedelta(seconds=rng.uniform(0, 50)),
                    json.dumps(
                        {
                            "ts": k.iso_ms(tt),
                            "level": "INFO",
                            "logger": "statements.export",
                            "msg": "batch complete",
                            "batch": done_b,
                            "batches": nb,
                            "rows": rng.randint(380000, 520000),
                            "elapsed_s": int((tt - t_exp).total_seconds()),
                        }
                    ),
                )
            )
            if rng.random() < 0.3:
                logs.append(
                    k.log(
                        "/ecs/grower-statements-export",
                        es,
                        tt + timedelta(seconds=51),
                        json.dumps(
                            {
                                "ts": k.iso_ms(tt + timedelta(seconds=51)),
                                "level": "WARNING",
                                "logger": "statements.export",
                                "msg": "grower has no remittance details; statement held",
                                "grower_id": rng.randint(10000, 99999),
                            }
                        ),
                    )
                )
    # postgres log
    pg_lines: list[tuple[datetime, str]] = []
    for tt, r in zip(times, rows, strict=True):
        if tt.minute % 5 == 0 and rng.random() < 0.2:
            tbl = rng.choice(["order_lines", "deliveries", "price_points", "sessions"])
            pg_lines.append(
                (
                    tt + timedelta(seconds=rng.randint(0, 50)),
                    f'::@:[{rng.randint(20000, 40000)}]:LOG:  automatic vacuum of table "orchardly.public.{tbl}": '
                    f"index scans: 1\n\tpages: 0 removed, {rng.randint(20000, 90000)} remain, {rng.randint(200, 900)} scanned (1.{rng.randint(10, 99)}% of total)\n"
                    f"\ttuples: {rng.randint(1000, 9000)} removed, {rng.randint(10**6, 9 * 10**6)} remain, 0 are dead but not yet removable",
                )
            )
        if tt.minute % 30 == 0:
            w = rng.uniform(269, 271) if r["squeeze"] < 0.2 else rng.uniform(290, 420)
            pg_lines.append((tt, f"::@:[{572}]:LOG:  checkpoint starting: time"))
            pg_lines.append(
                (
                    tt + timedelta(seconds=w),
                    (
                        f"::@:[572]:LOG:  checkpoint complete: wrote {rng.randint(9000, 16000)} buffers ({rng.uniform(0.9, 1.7):.1f}%); "
                        f"0 WAL file(s) added, 0 removed, {rng.randint(6, 12)} recycled; write={w:.3f} s, sync=0.00{rng.randint(2, 9)} s, "
                        f"total={w + 0.03:.3f} s; sync files={rng.randint(300, 480)}, longest=0.002 s, average=0.001 s; "
                        f"distance={rng.randint(120000, 180000)} kB, estimate={rng.randint(150000, 180000)} kB"
                    ),
                )
            )
        if r["exp"] and rng.random() < 0.25:
            dms = rng.uniform(2100, 9000) * (1 + r["squeeze"] * 6)
            pg_lines.append(
                (
                    tt + timedelta(seconds=rng.randint(0, 59)),
                    (
                        f"10.20.11.57({rng.randint(40000, 60000)}):statements_export@orchardly:[{rng.randint(30000, 40000)}]:LOG:  "
                        f"duration: {dms:.3f} ms  execute <unnamed>: SELECT ol.grower_id, ol.order_id, ol.sku, ol.qty_kg, "
                        "ol.unit_price_cents, ol.delivered_at FROM order_lines ol WHERE ol.grower_id = ANY($1) AND "
                        "ol.delivered_at >= $2 AND ol.delivered_at < $3 ORDER BY ol.grower_id, ol.delivered_at"
                    ),
                )
            )
        if r["squeeze"] > 0.2:
            for _ in range(rng.randint(2, 5)):
                dms = rng.uniform(2000, 19800)
                q = rng.choice(
                    [
                        'SELECT "orders_order"."id", "orders_order"."placed_at", "orders_order"."status" FROM "orders_order" WHERE "orders_order"."grower_id" = $1 ORDER BY "orders_order"."placed_at" DESC LIMIT 25 OFFSET 25',
                        'SELECT "statements_statementline".* FROM "statements_statementline" WHERE "statements_statementline"."statement_id" = $1',
                        'SELECT COUNT(*) AS "__count" FROM "deliveries_delivery" WHERE ("deliveries_delivery"."grower_id" = $1 AND "deliveries_delivery"."scheduled_for" >= $2)',
                    ]
                )
                pg_lines.append(
                    (
                        tt + timedelta(seconds=rng.randint(0, 59)),
                        (
                            f"10.20.1{rng.randint(0, 2)}.{rng.randint(20, 200)}({rng.randint(40000, 60000)}):portal_app@orchardly:"
                            f"[{rng.randint(20000, 40000)}]:LOG:  duration: {dms:.3f} ms  execute <unnamed>: {q}"
                        ),
                    )
                )
            if rng.random() < 0.3:
                pg_lines.append(
                    (
                        tt + timedelta(seconds=rng.randint(0, 59)),
                        (
                            f"10.20.1{rng.randint(0, 2)}.{rng.randint(20, 200)}({rng.randint(40000, 60000)}):portal_app@orchardly:"
                            f"[{rng.randint(20000, 40000)}]:ERROR:  canceling statement due to statement timeout"
                        ),
                    )
                )
    pg_lines.sort(key=lambda x: x[0])
    pg_lines = [(tt, line) for tt, line in pg_lines if tt <= now]
    for tt, line in pg_lines:
        logs.append(k.log(pg, pg_stream, tt, f"{tt.strftime('%Y-%m-%d %H:%M:%S')} UTC:{line}"))
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    data = "\n".join(
        f"{tt.strftime('%Y-%m-%d %H:%M:%S')} UTC:{line}" for tt, line in pg_lines if tt >= hour_start
    )
    resources.append(
        k.res(
            "rds",
            "DBLogFile",
            {
                "DBInstanceIdentifier": db,
                "LogFileName": f"error/postgresql.log.{hour_start.strftime('%Y-%m-%d-%H')}",
                "LastWritten": k.ms(pg_lines[-1][0]),
                "Size": len(data.encode()),
                "Data": data + "\n",
            },
        )
    )
    logs = k.sort_logs(r for r in logs if r["timestamp"] <= k.ms(now))

    # --- events ---------------------------------------------------------------------------------------
    events: list[dict[str, Any]] = []
    for j in range(4):
        ip = f"10.20.1{j % 3}.{rng.randint(20, 200)}"
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 8000, "AvailabilityZone": azs[j % 3][0]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(deploy_at + timedelta(seconds=95 + j * 4)),
                },
            }
        )
    events += [{"source": "ecs", "item": {"service_arn": svc_arn, "event": e}} for e in svc_events]

    onset_local = onset + loc_off
    hh = onset_local.hour % 12 or 12
    mm = (onset_local.minute // 5) * 5
    question = (
        f"Growers are ringing in saying the portal has been crawling since about {hh}:{mm:02d}pm - order history "
        "and statement pages take 10+ seconds and a few get errors. We pushed a portal release around lunchtime. "
        "What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": db,
                    "category": "limit",
                    "failure_mode": "instance-ebs-throughput-burst-exhausted",
                    "event_id": None,
                },
                "also_accept": [f"arn:aws:rds:{REGION}:{account}:db:{db}", db_res_id],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    "The monthly grower-statements-export task started at 13:00 and read several hundred MB/s from "
                    f"{db}.",
                    f"{db} (db.m6g.large) used up its instance-level EBS burst: EBSByteBalance% reached 0 and its total "
                    "throughput was held at the instance baseline (~79 MB/s), well below the gp3 volume's 500 MiB/s.",
                    f"Disk reads queued on {db}: ReadLatency and DiskQueueDepth rose, CPU did not.",
                    f"{svc} queries slowed and some hit the statement timeout; gunicorn workers timed out.",
                    f"{lb_name} TargetResponseTime p99 rose to many seconds and some 5xx followed.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )


def _bucket(points: dict[datetime, float], period: int, avg: bool = False) -> dict[datetime, float]:
    out: dict[datetime, list[float]] = {}
    for t, v in points.items():
        s = int(t.timestamp()) // period * period
        key = datetime.fromtimestamp(s, tz=k.UTC)
        out.setdefault(key, []).append(v)
    return {t: (sum(v) / len(v) if avg else sum(v)) for t, v in out.items() if len(v) == period // 60}
