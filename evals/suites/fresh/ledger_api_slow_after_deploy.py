"""Ledger API slow mid-morning; a deploy went out shortly before, but the database volume ran out of burst."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzs import (
    Kit,
    Rec,
    alb,
    asg_item,
    instance,
    instance_status,
    iso,
    launch_template,
    target_group,
    target_health,
)

NAME = "ledger-api-slow-after-deploy"
TITLE = "ledger-api latency alarm mid-morning, half an hour after a ledger-api deploy"
SUMMARY = (
    "A long reconciliation query on the self-managed PostgreSQL primary drained its gp2 data volume's I/O burst "
    "credits; once BurstBalance hit zero the volume fell to its 750 IOPS baseline and every query queued."
)

BASE_IOPS = 750.0
CREDITS = 5_400_000.0


def build(seed: int) -> Bundle:
    kit = Kit(seed, "eu-west-1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    rng = kit.rng
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=rng.randrange(0, 260))
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    job = day.replace(hour=8, minute=rng.randrange(0, 40), second=0)
    extra_read = rng.uniform(1900, 2300)

    # --- simulate the data volume minute by minute (credits in I/O operations) ---------------------
    def app_load(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return max(0.15, math.sin((h - 5) / 16 * math.pi)) if 5 <= h <= 21 else 0.15

    start_guess = job - timedelta(hours=4)
    sim: dict[datetime, tuple[float, float, float, float, float]] = {}
    credits = CREDITS * rng.uniform(0.97, 1.0)
    onset: datetime | None = None
    t = start_guess
    while t < job + timedelta(hours=3):
        reads = 120 + 260 * app_load(t) + rng.uniform(-20, 20)
        writes = 90 + 170 * app_load(t) + rng.uniform(-15, 15)
        if t >= job:
            reads += extra_read * rng.uniform(0.93, 1.05)
        want = reads + writes
        got = min(want, 3000.0) if credits > 0 else BASE_IOPS
        credits = max(0.0, min(CREDITS, credits + (BASE_IOPS - got) * 60))
        if credits <= 0 and onset is None:
            onset = t + timedelta(seconds=60)
        scale = got / want
        sim[t] = (reads * scale, writes * scale, want, got, credits)
        t += timedelta(minutes=1)
    assert onset is not None
    start = onset - timedelta(hours=3, minutes=40 + rng.randrange(0, 15))
    now = onset + timedelta(minutes=38 + rng.randrange(0, 12))
    kit.window(start, now)
    acct = kit.account
    topic = f"arn:aws:sns:{kit.region}:{acct}:ledger-oncall"

    vpc = "vpc-0" + kit.hexid(16)
    azs = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    subnets = ["subnet-0" + kit.hexid(16) for _ in azs]
    pub = ["subnet-0" + kit.hexid(16) for _ in azs]
    api_sg, db_sg, alb_sg = ("sg-0" + kit.hexid(16) for _ in range(3))
    lt_id = "lt-0" + kit.hexid(16)
    ami = "ami-0" + kit.hexid(16)
    lb_arn, lb_dim = alb(
        kit, "ledger-api-alb", vpc, list(zip(pub, azs, strict=True)), alb_sg, start - timedelta(days=500)
    )
    tg_arn, tg_dim = target_group(kit, "ledger-api-tg", vpc, lb_arn, 8080, "/healthz")
    launch_template(
        kit, "ledger-api", lt_id, start - timedelta(days=500), 31, 31, f"arn:aws:iam::{acct}:user/terraform"
    )

    api: list[tuple[str, str, str, bool]] = []
    for i in range(4):
        iid = kit.iid()
        az = azs[i % 3]
        typ = "m6i.large" if i < 2 else rng.choice(["m6i.large", "m5.large"])
        instance(
            kit,
            iid,
            typ,
            ami,
            subnets[i % 3],
            vpc,
            az,
            [(api_sg, "ledger-api")],
            {"Name": "ledger-api", "service": "ledger-api", "aws:autoscaling:groupName": "ledger-api-asg"},
            start - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(0, 23)),
            "ledger-api",
            spot=i >= 2,
        )
        instance_status(kit, iid, az)
        api.append((iid, typ, az, True))
        target_health(kit, tg_arn, iid, 8080, start - timedelta(hours=1), "healthy")
    asg_item(
        kit,
        "ledger-api-asg",
        lt_id,
        "ledger-api",
        api,
        ["m6i.large", "m5.large", "m5a.large"],
        subnets,
        azs,
        [tg_arn],
        4,
        3,
        10,
        2,
        0,
        start - timedelta(days=500),
        {"service": "ledger-api"},
        health="ELB",
    )

    db_az = azs[0]
    pg1, pg2, batch = kit.iid(), kit.iid(), kit.iid()
    vol1, vol2 = "vol-0" + kit.hexid(16), "vol-0" + kit.hexid(16)
    size = 250
    for iid, name, az, vol in ((pg1, "pg-ledger-01", db_az, vol1), (pg2, "pg-ledger-02", azs[1], vol2)):
        created = start - timedelta(days=rng.randrange(300, 700))
        item = instance(
            kit,
            iid,
            "r6i.xlarge",
            "ami-0" + kit.hexid(16),
            subnets[azs.index(az)],
            vpc,
            az,
            [(db_sg, "ledger-db")],
            {"Name": name, "service": "ledger-db", "role": "postgres"},
            created,
            "ledger-db",
        )
        item["BlockDeviceMappings"].append(
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {
                    "AttachTime": iso(created),
                    "DeleteOnTermination": False,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
        )
        instance_status(kit, iid, az)
        kit.res(
            "ec2",
            "Volume",
            {
                "VolumeId": vol,
                "Size": size,
                "VolumeType": "gp2",
                "Iops": int(BASE_IOPS),
                "State": "in-use",
                "AvailabilityZone": az,
                "CreateTime": iso(created),
                "Encrypted": True,
                "KmsKeyId": f"arn:aws:kms:{kit.region}:{acct}:key/{kit.uid()}",
                "MultiAttachEnabled": False,
                "Attachments": [
                    {
                        "AttachTime": iso(created),
                        "Device": "/dev/sdf",
                        "InstanceId": iid,
                        "State": "attached",
                        "VolumeId": vol,
                        "DeleteOnTermination": False,
                    }
                ],
                "Tags": [
                    {"Key": "Name", "Value": f"{name}-pgdata"},
                    {"Key": "service", "Value": "ledger-db"},
                ],
            },
        )
    instance(
        kit,
        batch,
        "c6i.large",
        ami,
        subnets[1],
        vpc,
        azs[1],
        [(api_sg, "ledger-api")],
        {"Name": "ledger-batch-01", "service": "ledger-batch"},
        start - timedelta(days=90),
        "ledger-batch",
    )
    instance_status(kit, batch, azs[1])
    app_id = kit.uid()
    dep_id = "d-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    t_dep = onset - timedelta(minutes=rng.randrange(24, 38))
    kit.res(
        "codedeploy",
        "DeploymentInfo",
        {
            "applicationName": "ledger-api",
            "deploymentGroupName": "ledger-api-prod",
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "deploymentId": dep_id,
            "status": "Succeeded",
            "createTime": iso(t_dep),
            "startTime": iso(t_dep + timedelta(seconds=4)),
            "completeTime": iso(t_dep + timedelta(minutes=7, seconds=rng.randrange(0, 50))),
            "creator": "user",
            "description": f"ledger-api {rng.randrange(2, 4)}.{rng.randrange(0, 30)}.{rng.randrange(0, 9)}",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"ledger-artifacts-{acct}",
                    "key": f"ledger-api/build-{rng.randrange(1000, 9999)}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentOverview": {
                "Pending": 0,
                "InProgress": 0,
                "Succeeded": 4,
                "Failed": 0,
                "Skipped": 0,
                "Ready": 0,
            },
        },
    )
    del app_id

    # --- CloudTrail --------------------------------------------------------------------------------
    ci = kit.role("github-actions-deploy", "GitHubActions")
    kit.ct(
        t_dep,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "ledger-api",
            "deploymentGroupName": "ledger-api-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"ledger-artifacts-{acct}",
                    "key": "ledger-api/build.zip",
                    "bundleType": "zip",
                },
            },
        },
        {"deploymentId": dep_id},
        agent="aws-cli/2.15.17 Python/3.11.6 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22",
        src_ip="20.166.71.9",
    )
    for k in range(4):
        kit.ct(
            t_dep + timedelta(seconds=30 + 95 * k),
            "codedeploy.amazonaws.com",
            "GetDeployment",
            ci,
            {"deploymentId": dep_id},
            None,
            read_only=True,
            agent="aws-cli/2.15.17 Python/3.11.6 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22",
            src_ip="20.166.71.9",
        )
    adm = kit.sso("oliver.p@parcelpoint.example")
    kit.ct(
        onset - timedelta(minutes=rng.randrange(60, 130)),
        "ssm.amazonaws.com",
        "PutParameter",
        adm,
        {"name": "/ledger/api/feature-flags/batch-export", "type": "String", "overwrite": True},
        {"version": 7, "tier": "Standard"},
    )
    kit.ct(
        onset - timedelta(minutes=rng.randrange(5, 15)),
        "ec2.amazonaws.com",
        "ModifyInstanceMetadataOptions",
        adm,
        {"ModifyInstanceMetadataOptionsRequest": {"InstanceId": batch, "HttpTokens": "required"}},
        {
            "ModifyInstanceMetadataOptionsResponse": {
                "requestId": kit.uid(),
                "instanceId": batch,
                "instanceMetadataOptions": {
                    "state": "pending",
                    "httpTokens": "required",
                    "httpPutResponseHopLimit": 1,
                    "httpEndpoint": "enabled",
                },
            }
        },
    )
    dd = kit.role("datadog-integration", "DatadogAWSIntegration")
    kit.noise_reads(
        [(dd, "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)", "54.78.1.10")],
        7,
        [
            ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/EBS"}),
            ("codedeploy.amazonaws.com", "ListDeployments", {"applicationName": "ledger-api"}),
        ],
    )
    for iid in (pg1, pg2):
        ident = kit.role("ledger-db", iid)
        tt = start + timedelta(minutes=rng.randrange(0, 59))
        while tt < now:
            kit.ct(
                tt,
                "s3.amazonaws.com",
                "ListBuckets",
                ident,
                {"Host": "s3.eu-west-1.amazonaws.com"},
                None,
                read_only=True,
                agent="wal-g/v3.0.0 aws-sdk-go/1.44.283",
                src_ip=kit.ip(),
            )
            tt += timedelta(minutes=60)

    # --- metrics -------------------------------------------------------------------------------------
    v1 = {"VolumeId": vol1}
    for tt, (r, w, want, got, cr) in sim.items():
        if not (start <= tt <= now):
            continue
        ts = iso(tt)
        queue = 1.2 + (max(0.0, want / got - 1) * 22 if cr <= 0 else 0.0) + rng.uniform(-0.3, 0.4)
        for metric, val, unit in (
            ("VolumeReadOps", r * 60, "Count"),
            ("VolumeWriteOps", w * 60, "Count"),
            ("VolumeReadBytes", r * 60 * rng.uniform(24000, 32000), "Bytes"),
            ("VolumeWriteBytes", w * 60 * rng.uniform(12000, 18000), "Bytes"),
            ("VolumeTotalReadTime", r * 60 * (0.0006 if cr > 0 else 0.02), "Seconds"),
            ("VolumeTotalWriteTime", w * 60 * (0.0009 if cr > 0 else 0.025), "Seconds"),
            ("VolumeQueueLength", queue, "Count"),
            (
                "VolumeIdleTime",
                max(0.0, 60 * (1 - got / 3000) * rng.uniform(0.5, 0.7)) if cr > 0 else 0.0,
                "Seconds",
            ),
        ):
            kit.metrics.append(
                {
                    "namespace": "AWS/EBS",
                    "metric": metric,
                    "dimensions": v1,
                    "timestamp": ts,
                    "unit": unit,
                    "value": round(val, 3),
                }
            )
        if tt.minute % 5 == 0:
            kit.metrics.append(
                {
                    "namespace": "AWS/EBS",
                    "metric": "BurstBalance",
                    "dimensions": v1,
                    "timestamp": ts,
                    "unit": "Percent",
                    "value": round(cr / CREDITS * 100, 2),
                }
            )
    v2 = {"VolumeId": vol2}

    def v2ops(t: datetime) -> float:
        return (90 + 170 * app_load(t)) * 60 * rng.uniform(0.9, 1.1)

    kit.series("AWS/EBS", "VolumeWriteOps", v2, "Count", v2ops)
    kit.series("AWS/EBS", "VolumeReadOps", v2, "Count", lambda t: rng.uniform(200, 900))
    kit.series("AWS/EBS", "VolumeQueueLength", v2, "Count", lambda t: rng.uniform(0.4, 1.1))
    kit.series("AWS/EBS", "BurstBalance", v2, "Percent", lambda t: 100.0, period=300)

    def starved(t: datetime) -> bool:
        return t >= onset

    def dbcpu(t: datetime) -> float:
        if starved(t):
            return rng.uniform(9, 16)  # waiting on I/O, not computing
        return 18 + 25 * app_load(t) + (14 if t >= job else 0) + rng.uniform(-3, 3)

    kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": pg1}, "Percent", dbcpu)
    kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": pg2}, "Percent", lambda t: 6 + rng.uniform(-2, 3))
    kit.series(
        "CWAgent",
        "cpu_usage_iowait",
        {"InstanceId": pg1, "cpu": "cpu-total"},
        "Percent",
        lambda t: rng.uniform(55, 80) if starved(t) else rng.uniform(0.5, 4) + (6 if t >= job else 0),
    )
    kit.series(
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": pg1, "path": "/var/lib/pgsql", "device": "nvme1n1", "fstype": "xfs"},
        "Percent",
        lambda t: 61.4,
        period=60,
    )
    kit.series("CWAgent", "mem_used_percent", {"InstanceId": pg1}, "Percent", lambda t: rng.uniform(34, 37))
    kit.series(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": batch},
        "Percent",
        lambda t: rng.uniform(20, 30) if t >= job else rng.uniform(1, 3),
    )

    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    t = start
    while t <= now:
        req = 900 * app_load(t) + rng.uniform(-40, 40)
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(req),
            }
        )
        if starved(t):
            lat = [rng.lognormvariate(math.log(0.9), 0.9) for _ in range(50)]
            lat = [min(v, 30.0) for v in lat]
            e5 = round(req * rng.uniform(0.01, 0.04))
        else:
            lat = [rng.lognormvariate(math.log(0.045), 0.5) for _ in range(50)]
            e5 = rng.choice([0, 0, 0, 0, 1, 2])
        kit.dist("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", t, lat)
        if e5:
            kit.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(e5),
                }
            )
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 4.0,
            }
        )
        t += timedelta(minutes=1)
    for iid, *_ in api:
        kit.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            lambda t: rng.uniform(6, 12) if starved(t) else 15 + 30 * app_load(t) + rng.uniform(-4, 4),
        )

    # --- alarms --------------------------------------------------------------------------------------
    lat_alarm = kit.alarm(
        "ledger-api-p99-latency",
        "ledger-api p99 > 1.5s for 3 of 3 minutes",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "p99",
        60,
        3,
        1.5,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
    )
    e5_alarm = kit.alarm(
        "ledger-api-5xx",
        "ledger-api target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        5,
        40,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
        dta=3,
    )
    cpu_alarm = kit.alarm(
        "pg-ledger-01-cpu",
        "ledger primary CPU",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": pg1},
        "Average",
        60,
        5,
        85,
        "GreaterThanThreshold",
        topic,
    )
    rep = kit.alarm(
        "ledger-batch-cpu-low",
        "batch host idle (job not running?)",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": batch},
        "Maximum",
        60,
        30,
        5,
        "LessThanThreshold",
        topic,
    )
    rep["StateValue"] = "ALARM"
    rep["StateReason"] = (
        "Threshold Crossed: 30 out of the last 30 datapoints were less than the threshold (5.0) "
        "(minimum 30 datapoints for OK -> ALARM transition)."
    )
    rep["StateUpdatedTimestamp"] = iso(start - timedelta(hours=20))
    rep["StateTransitionedTimestamp"] = iso(start - timedelta(hours=20))
    fired = kit.evaluate(lat_alarm)
    kit.evaluate(e5_alarm)
    kit.evaluate(cpu_alarm)
    kit.evaluate(rep)
    when, state, prev = [f for f in fired if f[1]["value"] == "ALARM"][-1]
    event = kit.alarm_event(lat_alarm, when, state, prev)

    # --- logs ----------------------------------------------------------------------------------------
    pg_grp = "/ledger/postgresql"

    def pglog(t: datetime, msg: str, who: str = "") -> None:
        kit.log(
            pg_grp,
            "pg-ledger-01",
            t,
            f"{t:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d} UTC [{rng.randrange(200000, 900000)}] {who}{msg}",
        )

    tt = start + timedelta(minutes=rng.randrange(0, 5))
    while tt < now:
        w = rng.randrange(4000, 9000)
        dur = rng.uniform(269, 271) if not starved(tt) else rng.uniform(290, 340)
        sync = rng.uniform(0.02, 0.3) if not starved(tt) else rng.uniform(8, 30)
        pglog(tt, "LOG:  checkpoint starting: time")
        if tt + timedelta(seconds=dur) < now:
            pglog(
                tt + timedelta(seconds=dur),
                f"LOG:  checkpoint complete: wrote {w} buffers ({w / 1310.72:.1f}%); "
                f"0 WAL file(s) added, 0 removed, {rng.randrange(1, 4)} recycled; write={dur - sync:.3f} s, "
                f"sync={sync:.3f} s, total={dur:.3f} s; sync files={rng.randrange(30, 90)}, longest={sync / 3:.3f} s,"
                f" average={sync / 60:.3f} s; distance={w * 8} kB, estimate={w * 8 + 400} kB",
            )
        tt += timedelta(minutes=5)
    pglog(
        job + timedelta(seconds=2),
        "LOG:  connection authorized: user=reconcile database=ledger "
        "application_name=settlement-reconcile SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
    )
    tt = start + timedelta(seconds=rng.randrange(0, 300))
    while tt < now:
        if starved(tt):
            for _ in range(rng.randrange(3, 7)):
                d = rng.uniform(1100, 9000)
                q = rng.choice(
                    [
                        "SELECT e.id, e.amount, e.currency FROM ledger_entries e WHERE e.account_id = $1 "
                        "ORDER BY e.posted_at DESC LIMIT 50",
                        "INSERT INTO ledger_entries (account_id, amount, currency, posted_at, ref) VALUES ($1,$2,$3,$4,$5)",
                        "SELECT balance FROM account_balances WHERE account_id = $1 FOR UPDATE",
                    ]
                )
                pglog(
                    tt + timedelta(seconds=rng.uniform(0, 50)),
                    f"LOG:  duration: {d:.3f} ms  execute <unnamed>: {q}",
                    "ledger@ledger ",
                )
            tt += timedelta(seconds=60)
        else:
            if rng.random() < 0.3:
                pglog(
                    tt,
                    f"LOG:  duration: {rng.uniform(500, 900):.3f} ms  execute <unnamed>: SELECT count(*) "
                    "FROM ledger_entries WHERE account_id = $1 AND posted_at >= $2",
                    "ledger@ledger ",
                )
            if rng.random() < 0.2:
                pglog(
                    tt + timedelta(seconds=7),
                    f'LOG:  automatic vacuum of table "ledger.public.idempotency_keys": '
                    f"index scans: 1\n\tpages: 0 removed, {rng.randrange(3000, 4000)} remain, 0 skipped due to pins",
                    "",
                )
            tt += timedelta(seconds=rng.randrange(200, 400))
    kit.log(
        "/ledger/batch",
        batch,
        job,
        f"{iso(job)} INFO settlement-reconcile: run started for business date "
        f"{(job - timedelta(days=1)):%Y-%m-%d} (cron 'reconcile-daily')",
    )
    kit.log(
        "/ledger/batch",
        batch,
        job + timedelta(seconds=3),
        f"{iso(job + timedelta(seconds=3))} INFO "
        "settlement-reconcile: stage 1/3 scanning ledger_entries against provider statements",
    )
    for iid, *_ in api:
        grp = "/ledger/api"
        tt = start + timedelta(seconds=rng.randrange(0, 300))
        while tt < now:
            if starved(tt) and rng.random() < 0.6:
                kit.log(
                    grp,
                    iid,
                    tt,
                    f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d} WARN  [http-nio-8080-exec-"
                    f"{rng.randrange(1, 200)}] c.p.ledger.web.RequestTimer - slow request POST /v2/entries took "
                    f"{rng.randrange(2000, 15000)} ms",
                )
                if rng.random() < 0.3:
                    kit.log(
                        grp,
                        iid,
                        tt + timedelta(seconds=1),
                        f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d} ERROR [http-nio-8080-exec-"
                        f"{rng.randrange(1, 200)}] o.h.engine.jdbc.spi.SqlExceptionHelper - HikariPool-1 - "
                        "Connection is not available, request timed out after 30000ms.",
                    )
                tt += timedelta(seconds=rng.randrange(15, 50))
            else:
                kit.log(
                    grp,
                    iid,
                    tt,
                    f"{tt:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d} INFO  [scheduling-1] "
                    f"c.p.ledger.outbox.OutboxRelay - relayed {rng.randrange(0, 60)} events",
                )
                tt += timedelta(seconds=rng.randrange(180, 360))
        done = t_dep + timedelta(minutes=rng.randrange(1, 7))
        kit.log(
            grp,
            iid,
            done,
            f"{done:%Y-%m-%d %H:%M:%S}.214 INFO  [main] c.p.ledger.LedgerApiApplication - Started "
            f"LedgerApiApplication in {rng.uniform(20, 30):.3f} seconds",
        )

    local = onset.astimezone(ZoneInfo("Europe/London"))
    question = (
        f"ledger-api got slow around {local:%H:%M} and the p99 alarm went off. We shipped a ledger-api release about "
        "half an hour before that. Should we roll it back?"
    )
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": vol1,
            "category": "limit",
            "failure_mode": "ebs-gp2-burst-balance-exhausted",
        },
        "also_accept": ["pg-ledger-01-pgdata"],
        "actions": ["reconfigure"],
        "chain": [vol1, pg1, "ledger-api-tg", "ledger-api-alb"],
    }
    return kit.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": "Europe/London"}, truth)
