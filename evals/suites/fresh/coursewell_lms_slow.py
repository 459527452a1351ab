"""Coursewell LMS: page latency alarm late morning; the web tier looks idle."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zza as k

NAME = "coursewell-lms-latency-late-morning"
TITLE = "coursewell-lms p90 latency alarm late morning; web servers nearly idle"
SUMMARY = (
    "EFS file system switched from Elastic to Bursting throughput the afternoon before; burst credits run "
    "out next late morning and the LMS web tier reading moodledata from it slows to 504s."
)

MIB = 1048576.0
TIB_21 = 2.1 * 1024**4


def _p(values: list[float], counts: list[float], q: float) -> float:
    total = sum(counts)
    acc = 0.0
    for v, c in zip(values, counts, strict=True):
        acc += c
        if acc >= q * total:
            return v
    return values[-1]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.rand_account(rng)
    region = "eu-west-1"
    day = k.pick_day(rng)
    while day.weekday() == 0:
        day += timedelta(days=1)
    switch = day - timedelta(days=1) + timedelta(hours=15, minutes=rng.randrange(0, 80))
    target_onset = day + timedelta(hours=10, minutes=20 + rng.randrange(0, 60))
    size_gib = rng.uniform(168, 205)
    baseline = size_gib * 50 / 1024 * MIB  # bytes/s of metered throughput
    low = 0.22

    def demand_shape(t: datetime) -> float:
        return k.diurnal(t, 0.0, low=low, peak_hour=14.5)

    # Peak metered demand chosen so that 2.1 TiB of credits run out at the target onset.
    def drained(peak: float) -> float:
        t, total = switch, 0.0
        while t < target_onset:
            total += max(0.0, peak * demand_shape(t) - baseline) * 60
            t += timedelta(minutes=1)
        return total

    lo_p, hi_p = baseline, 100 * MIB
    for _ in range(40):
        mid = (lo_p + hi_p) / 2
        if drained(mid) < TIB_21:
            lo_p = mid
        else:
            hi_p = mid
    peak = (lo_p + hi_p) / 2

    start = (switch - timedelta(hours=3, minutes=10)).replace(minute=0)
    # true onset: integrate minute by minute with noise
    fs_id = "fs-0" + k.hexid(rng, 16)
    fs_arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs_id}"
    fine_from = (target_onset - timedelta(hours=3)).replace(second=0)
    end_guess = target_onset + timedelta(minutes=rng.randint(42, 55))
    pts = k.grid(start, end_guess + timedelta(minutes=30), fine_from)

    credits = TIB_21
    onset: datetime | None = None
    efs_rows: list[tuple[datetime, int, float, float, float]] = []
    metered_series: dict[datetime, tuple[float, float, float]] = {}
    for t, step in pts:
        want = peak * demand_shape(t) * (1 + rng.gauss(0, 0.07))
        if t < switch:
            permitted = 1073741824.0
            got = want
        elif credits > 0:
            permitted = 100 * MIB
            got = min(want, permitted)
            credits = max(0.0, credits - (got - baseline) * step)
            if credits == 0.0 and onset is None:
                onset = t + timedelta(seconds=step)
        else:
            permitted = baseline
            got = min(want, baseline * rng.uniform(0.985, 1.0))
        metered_series[t] = (got, permitted, credits if t >= switch else TIB_21)
        efs_rows.append((t, step, got, permitted, metered_series[t][2]))
    assert onset is not None
    now = onset + timedelta(minutes=rng.randint(40, 52))
    end = now + timedelta(minutes=20)

    # --- names and ids ---------------------------------------------------------------------------
    vpc = "vpc-0" + k.hexid(rng, 16)
    azs = [("eu-west-1a", "euw1-az3"), ("eu-west-1b", "euw1-az1"), ("eu-west-1c", "euw1-az2")]
    subnets = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    sg_alb, sg_web, sg_efs, sg_db, sg_bastion = ("sg-0" + k.hexid(rng, 16) for _ in range(5))
    lb_hex, tg_hex = k.hexid(rng, 16), k.hexid(rng, 16)
    lb_name, tg_name = "coursewell-lms-alb", "coursewell-lms-web"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{lb_name}/{lb_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{tg_name}/{tg_hex}"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    asg_name = "coursewell-lms-web-asg"
    n_inst = 4
    inst_ids = ["i-0" + k.hexid(rng, 16) for _ in range(n_inst)]
    inst_az = [azs[i % 3] for i in range(n_inst)]
    inst_ip = [f"10.42.{(i % 3) * 16 + 1}.{rng.randint(10, 250)}" for i in range(n_inst)]
    launched = [day - timedelta(days=rng.randint(6, 19), hours=rng.randint(0, 20)) for _ in range(n_inst)]
    profile = f"arn:aws:iam::{account}:instance-profile/coursewell-lms-web"
    lt_id = "lt-0" + k.hexid(rng, 16)
    ami = "ami-0" + k.hexid(rng, 16)
    db_id = "coursewell-lms-db"
    user_a = rng.choice(["niamh.obrien", "ciaran.walsh", "aoife.byrne"])
    user_b = rng.choice(["tomas.kelly", "sinead.murphy", "eoin.doyle"])
    ou = "@coursewell.ie"
    topic = f"arn:aws:sns:{region}:{account}:coursewell-ops-pager"

    metrics: list[dict[str, object]] = []
    logs: list[dict[str, object]] = []

    # --- EFS metrics -----------------------------------------------------------------------------
    fsd = {"FileSystemId": fs_id}
    for t, step_i, got, permitted, credit in efs_rows:
        if t > now:
            break
        stepf = float(step_i)
        r_m, w_m, md_m = got * 0.56, got * 0.29, got * 0.15
        read, write, meta = r_m * 3, w_m, md_m
        metrics.append(k.datum("AWS/EFS", "MeteredIOBytes", fsd, t, "Bytes", got * stepf))
        metrics.append(k.datum("AWS/EFS", "TotalIOBytes", fsd, t, "Bytes", (read + write + meta) * stepf))
        metrics.append(k.datum("AWS/EFS", "DataReadIOBytes", fsd, t, "Bytes", read * stepf))
        metrics.append(k.datum("AWS/EFS", "DataWriteIOBytes", fsd, t, "Bytes", write * stepf))
        metrics.append(k.datum("AWS/EFS", "MetadataIOBytes", fsd, t, "Bytes", meta * stepf))
        metrics.append(k.datum("AWS/EFS", "PermittedThroughput", fsd, t, "Bytes/Second", permitted))
        metrics.append(k.datum("AWS/EFS", "BurstCreditBalance", fsd, t, "Bytes", credit))
        metrics.append(k.datum("AWS/EFS", "ClientConnections", fsd, t, "Count", float(n_inst)))
        iops_pct = min(99.0, 100 * (got / MIB) / 4.1 / 35000 * 60 + rng.uniform(0.5, 1.5))
        metrics.append(k.datum("AWS/EFS", "PercentIOLimit", fsd, t, "Percent", iops_pct))
        if t.minute % 15 == 0:
            for cls, frac in (("Total", 1.0), ("Standard", 1.0), ("IA", 0.0)):
                metrics.append(
                    k.datum(
                        "AWS/EFS",
                        "StorageBytes",
                        {"FileSystemId": fs_id, "StorageClass": cls},
                        t,
                        "Bytes",
                        size_gib * 1024**3 * frac,
                    )
                )

    # --- ALB / EC2 / RDS metrics -----------------------------------------------------------------
    def degrade(t: datetime) -> float:
        if t < onset:
            return 0.0
        return min(1.0, (t - onset).total_seconds() / 420)

    p90_series: list[tuple[datetime, float]] = []
    elb5_series: list[tuple[datetime, float]] = []
    cpu_base = [rng.uniform(26, 34) for _ in range(n_inst)]
    db_conn = rng.randint(38, 52)
    for t, step in pts:
        if t > now:
            break
        shape = k.diurnal(t, 0.0, low=0.12, peak_hour=14.5)
        rps = 150 * shape * (1 + rng.gauss(0, 0.05))
        d = degrade(t)
        reqs = rps * step * (1 - 0.18 * d)
        e504 = reqs * (0.21 * d + rng.uniform(0, 0.03) * d)
        t5xx = reqs * 0.055 * d
        ok2 = reqs - e504 - t5xx
        lb = {"LoadBalancer": lb_dim}
        lbtg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        for dims in (lb, lbtg):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", dims, t, "Count", round(reqs)))
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, "Count", round(ok2 * 0.93)
                )
            )
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", dims, t, "Count", round(ok2 * 0.05)
                )
            )
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, "Count", round(ok2 * 0.02)
                )
            )
            if round(t5xx) > 0:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, "Count", round(t5xx))
                )
        stray = rng.random() < 0.04 * step / 60
        e5 = round(e504) + (1 if stray else 0)
        if e5 > 0:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, t, "Count", e5))
            if round(e504) > 0:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb, t, "Count", round(e504))
                )
            if stray:
                metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lb, t, "Count", 1))
        elb5_series.append((t, float(e5)))
        vals = [0.004, 0.06, 0.18, 0.42, 1.1, 2.6, 7.5, 21.0, 47.0, 60.0]
        pre = [0.16, 0.30, 0.30, 0.16, 0.06, 0.02, 0.0, 0.0, 0.0, 0.0]
        post = [0.16, 0.02, 0.01, 0.02, 0.04, 0.08, 0.18, 0.22, 0.15, 0.12]
        cnts = [reqs * ((1 - d) * a + d * b) * rng.uniform(0.9, 1.1) for a, b in zip(pre, post, strict=True)]
        for dims in (lb, lbtg):
            metrics.append(
                k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", vals, cnts)
            )
        p90_series.append((t, _p(vals, cnts, 0.9)))
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", lbtg, t, "Count", float(n_inst)))
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", lbtg, t, "Count", 0.0))
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "ActiveConnectionCount",
                lb,
                t,
                "Count",
                round(rps * step * 0.31 * (1 + 2.5 * d)),
            )
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "NewConnectionCount", lb, t, "Count", round(rps * step * 0.24))
        )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB", "ProcessedBytes", lb, t, "Bytes", round(reqs * 61000 * (1 - 0.6 * d))
            )
        )
        for i, iid in enumerate(inst_ids):
            cpu = cpu_base[i] * shape / 0.85 * (1 - 0.72 * d) + rng.uniform(1.5, 3.5)
            metrics.append(
                k.datum("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t, "Percent", min(cpu, 99.0))
            )
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "NetworkOut",
                    {"InstanceId": iid},
                    t,
                    "Bytes",
                    reqs / n_inst * 58000 * (1 - 0.6 * d) * rng.uniform(0.9, 1.1),
                )
            )
        metrics.append(
            k.datum(
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg_name},
                t,
                "Percent",
                sum(cpu_base) / n_inst * shape / 0.85 * (1 - 0.72 * d) + 2.5,
            )
        )
        ddims = {"DBInstanceIdentifier": db_id}
        metrics.append(
            k.datum(
                "AWS/RDS",
                "CPUUtilization",
                ddims,
                t,
                "Percent",
                9 + 24 * shape * (1 - 0.5 * d) + rng.uniform(-1.5, 1.5),
            )
        )
        metrics.append(
            k.datum(
                "AWS/RDS",
                "DatabaseConnections",
                ddims,
                t,
                "Count",
                float(db_conn + round(30 * shape) + round(60 * d) + rng.randint(-2, 2)),
            )
        )
        metrics.append(k.datum("AWS/RDS", "ReadLatency", ddims, t, "Seconds", rng.uniform(0.0006, 0.0011)))
        metrics.append(k.datum("AWS/RDS", "WriteLatency", ddims, t, "Seconds", rng.uniform(0.0011, 0.0019)))
        metrics.append(k.datum("AWS/RDS", "FreeableMemory", ddims, t, "Bytes", rng.uniform(5.9e9, 6.1e9)))

    # --- alarms ----------------------------------------------------------------------------------
    p90 = k.Alarm(
        account,
        region,
        "coursewell-lms-alb-p90-latency",
        "LMS page latency p90 above 2.5s for 5 minutes. Runbook: wiki/ops/lms-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb_dim},
        "p90",
        60,
        5,
        5,
        2.5,
        "GreaterThanThreshold",
        [topic],
        treat_missing="notBreaching",
        extended=True,
    )
    p90.evaluate(p90_series, now)
    e5a = k.Alarm(
        account,
        region,
        "coursewell-lms-alb-elb-5xx",
        "ALB-generated 5xx above 60/min for 3 minutes",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        3,
        60.0,
        "GreaterThanThreshold",
        [topic],
        treat_missing="notBreaching",
    )
    e5a.evaluate(elb5_series, now)
    quiet = []
    for name, desc, ns, metric, dims, stat, th, _series in (
        (
            "coursewell-lms-efs-io-limit",
            "moodledata EFS close to its IOPS limit",
            "AWS/EFS",
            "PercentIOLimit",
            {"FileSystemId": fs_id},
            "Average",
            90.0,
            None,
        ),
        (
            "coursewell-lms-db-cpu-high",
            "coursewell-lms-db CPU above 80%",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            80.0,
            None,
        ),
        (
            "coursewell-lms-unhealthy-hosts",
            "Any LMS web target unhealthy",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Maximum",
            0.0,
            None,
        ),
        (
            "coursewell-lms-db-free-storage",
            "coursewell-lms-db free storage below 20 GiB",
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": db_id},
            "Minimum",
            21474836480.0,
            None,
        ),
    ):
        cmp = "LessThanThreshold" if "storage" in name else "GreaterThanThreshold"
        a = k.Alarm(
            account,
            region,
            name,
            desc,
            ns,
            metric,
            dims,
            stat,
            300,
            2,
            2,
            th,
            cmp,
            [topic],
            created=day - timedelta(days=rng.randint(90, 400)),
        )
        a.evaluate([], now)
        quiet.append(a)
    # the DB free storage metric for its alarm
    for t, step in pts:
        if t > now:
            break
        if step == 300 or t.minute % 5 == 0:
            metrics.append(
                k.datum(
                    "AWS/RDS",
                    "FreeStorageSpace",
                    {"DBInstanceIdentifier": db_id},
                    t,
                    "Bytes",
                    71.3e9 - (t - start).total_seconds() * 2.1e3,
                )
            )
    alarms = [p90.item(), e5a.item()] + [a.item() for a in quiet]
    history = p90.history + e5a.history

    # --- CloudTrail ------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    ia = tr.sso(user_a + ou, "PlatformEngineer", k.hexid(rng, 16))
    ib = tr.sso(user_b + ou, "PlatformEngineer", k.hexid(rng, 16))
    ro = tr.sso("oncall-" + rng.choice(["rory", "grainne", "fiach"]) + ou, "ReadOnly", k.hexid(rng, 16))
    ci = tr.role("coursewell-github-deploy", "GitHubActions")
    graf = tr.role("grafana-cloudwatch-read", "grafana-" + k.hexid(rng, 8))
    web_role = tr.role("coursewell-lms-web", inst_ids[0])
    efs_src = "elasticfilesystem.amazonaws.com"
    s1 = switch - timedelta(minutes=9)
    tr.add(
        s1,
        ia,
        efs_src,
        "DescribeFileSystems",
        {"fileSystemId": fs_id},
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    tr.add(
        s1 + timedelta(minutes=2),
        ia,
        efs_src,
        "DescribeLifecycleConfiguration",
        {"fileSystemId": fs_id},
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    tr.add(
        s1 + timedelta(minutes=5),
        ia,
        efs_src,
        "PutLifecycleConfiguration",
        {
            "fileSystemId": fs_id,
            "lifecyclePolicies": [
                {"transitionToIA": "AFTER_30_DAYS"},
                {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ],
        },
        {
            "lifecyclePolicies": [
                {"transitionToIA": "AFTER_30_DAYS"},
                {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
            ]
        },
        read_only=False,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    created_fs = day - timedelta(days=rng.randint(300, 700))
    culprit = tr.add(
        switch,
        ia,
        efs_src,
        "UpdateFileSystem",
        {"fileSystemId": fs_id, "throughputMode": "bursting"},
        {
            "ownerId": account,
            "creationToken": "coursewell-moodledata",
            "fileSystemId": fs_id,
            "fileSystemArn": fs_arn,
            "creationTime": created_fs.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "lifeCycleState": "updating",
            "name": "coursewell-moodledata",
            "numberOfMountTargets": 3,
            "sizeInBytes": {
                "value": int(size_gib * 1024**3),
                "valueInIA": 0,
                "valueInStandard": int(size_gib * 1024**3),
            },
            "performanceMode": "generalPurpose",
            "encrypted": True,
            "kmsKeyId": f"arn:aws:kms:{region}:{account}:key/{k.uuid(rng)}",
            "throughputMode": "bursting",
            "tags": [{"key": "Name", "value": "coursewell-moodledata"}, {"key": "service", "value": "lms"}],
            "fileSystemProtection": {"replicationOverwriteProtection": "ENABLED"},
        },
        read_only=False,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    tr.add(
        switch + timedelta(minutes=1),
        ia,
        efs_src,
        "DescribeFileSystems",
        {"fileSystemId": fs_id},
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    tr.add(
        switch + timedelta(minutes=6),
        ia,
        "ce.amazonaws.com",
        "GetCostAndUsage",
        {
            "timePeriod": {
                "start": (day - timedelta(days=31)).strftime("%Y-%m-%d"),
                "end": day.strftime("%Y-%m-%d"),
            },
            "granularity": "DAILY",
            "metrics": ["UnblendedCost"],
        },
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
        session_start=s1 - timedelta(minutes=4),
    )
    # innocent changes near the onset
    bastion_t = onset - timedelta(minutes=rng.randint(18, 26))
    office = (
        f"{rng.choice([86, 89, 193])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}/32"
    )
    tr.add(
        bastion_t,
        ib,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_bastion,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": office, "description": "Dublin office new line"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": k.uuid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": account,
                        "groupId": sg_bastion,
                        "securityGroupRuleId": "sgr-0" + k.hexid(rng, 16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": office,
                        "description": "Dublin office new line",
                    }
                ]
            },
        },
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    param_t = onset - timedelta(minutes=rng.randint(6, 11))
    tr.add(
        param_t,
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/coursewell/lms/site_notice", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": rng.randint(12, 40), "tier": "Standard"},
        read_only=False,
        agent=k.BOTO_UA,
    )
    tr.add(
        param_t + timedelta(seconds=3),
        ci,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": "/coursewell/lms/site_notice"},
        None,
        read_only=True,
        agent=k.BOTO_UA,
    )
    grade_t = onset - timedelta(minutes=rng.randint(13, 16))
    tr.add(
        grade_t,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "coursewell-grade-export",
            "s3Bucket": "coursewell-artifacts-" + account[-6:],
            "s3Key": f"grade-export/{k.hexid(rng, 7)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "coursewell-grade-export",
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:coursewell-grade-export",
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": rng.randint(900000, 1200000),
            "timeout": 120,
            "memorySize": 512,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=k.BOTO_UA,
    )
    # routine activity
    t = start + timedelta(minutes=rng.randint(3, 15))
    while t < now:
        tr.add(
            t,
            graf,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"maxRecords": 100, "stateValue": "ALARM"},
            None,
            read_only=True,
            agent="grafana/11.2.0 " + k.BOTO_UA.split(" ")[0],
        )
        t += timedelta(minutes=rng.randint(50, 80))
    t = start + timedelta(minutes=rng.randint(5, 25))
    while t < now:
        iid = rng.choice(inst_ids)
        tr.add(
            t,
            tr.role("coursewell-lms-web", iid),
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            {
                "instanceId": iid,
                "agentVersion": "3.3.987.0",
                "agentStatus": "Active",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2023",
                "iPAddress": inst_ip[inst_ids.index(iid)],
                "computerName": f"ip-{inst_ip[inst_ids.index(iid)].replace('.', '-')}.eu-west-1.compute.internal",
                "agentName": "amazon-ssm-agent",
                "availabilityZone": inst_az[inst_ids.index(iid)][0],
                "availabilityZoneId": inst_az[inst_ids.index(iid)][1],
            },
            None,
            read_only=False,
            agent="aws-sdk-go/1.44.327 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0",
        )
        t += timedelta(minutes=rng.randint(40, 75))
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < now:
        tr.add(
            t,
            web_role,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": "coursewell/lms/db"},
            None,
            read_only=True,
            agent=k.BOTO_UA.replace("Boto3", "aws-sdk-php/3.317.1 Boto3"),
        )
        t += timedelta(minutes=rng.randint(90, 140))
    night = day + timedelta(hours=1, minutes=rng.randint(0, 30))
    tr.add(night, tr.service("rds.amazonaws.com"), "kms.amazonaws.com", "Decrypt", None, None, read_only=True)
    tr.add(
        night + timedelta(minutes=3),
        tr.service("rds.amazonaws.com"),
        "kms.amazonaws.com",
        "GenerateDataKey",
        None,
        None,
        read_only=True,
    )
    for _ in range(4):
        tt = day + timedelta(hours=rng.uniform(7.5, 9.5))
        tr.add(
            tt,
            ib,
            rng.choice(["ec2.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com"]),
            rng.choice(["DescribeInstances", "DescribeAutoScalingGroups", "DescribeDBInstances"]),
            {},
            None,
            read_only=True,
            agent=k.CONSOLE_UA,
        )
    tr.add(
        day + timedelta(hours=8, minutes=rng.randint(0, 50)),
        ib,
        "s3.amazonaws.com",
        "PutBucketTagging",
        {
            "bucketName": "coursewell-course-exports",
            "Host": "coursewell-course-exports.s3.eu-west-1.amazonaws.com",
            "tagging": "",
        },
        None,
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    after = p90.transitions[0][0] if p90.transitions else onset
    checks: list[tuple[str, str, dict[str, Any]]] = [
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
        (
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            {
                "instancesSet": {"items": [{"instanceId": x} for x in inst_ids]},
                "filterSet": {},
                "includeAllInstances": False,
            },
        ),
    ]
    for i, (src, nm, rq) in enumerate(checks):
        tr.add(
            after + timedelta(minutes=4 + 3 * i), ro, src, nm, rq, None, read_only=True, agent=k.CONSOLE_UA
        )

    # --- logs ------------------------------------------------------------------------------------
    agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "MoodleMobile 4.4.0 (Android 14)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    ]
    paths = [
        ("GET", "/course/view.php?id={c}"),
        ("GET", "/mod/quiz/attempt.php?attempt={a}&cmid={m}"),
        ("GET", "/pluginfile.php/{a}/mod_resource/content/1/week{w}-notes.pdf"),
        (
            "POST",
            "/lib/ajax/service.php?sesskey={s}&info=core_course_get_enrolled_courses_by_timeline_classification",
        ),
        ("GET", "/my/"),
        ("GET", "/theme/image.php/boost/core/{a}/f/pdf"),
        ("POST", "/mod/assign/view.php"),
        ("GET", "/login/index.php"),
    ]
    alb_ips = [f"10.42.{z * 16 + 1}.{rng.randint(2, 9)}" for z in range(3)]
    fine_logs = fine_from + timedelta(hours=1)
    for t, _step in pts:
        if t > now:
            break
        d = degrade(t)
        every = 1 if t >= fine_logs else 10
        if (t.minute % every) != 0:
            continue
        for iid in inst_ids:
            for _ in range(2):
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                meth, pth = rng.choice(paths)
                pth = pth.format(
                    c=rng.randint(40, 900),
                    a=rng.randint(10000, 99999),
                    m=rng.randint(1000, 9000),
                    w=rng.randint(1, 12),
                    s=k.hexid(rng, 10),
                )
                slow = rng.random() < d * 0.85
                if pth.startswith("/theme"):
                    rt, status = rng.uniform(0.001, 0.004), 200
                elif slow:
                    rt = rng.uniform(6, 60)
                    status = 504 if rt > 59 else 200
                else:
                    rt = rng.lognormvariate(-1.7, 0.7)
                    status = 200 if meth == "GET" else rng.choice([200, 200, 303])
                size = (
                    rng.randint(180000, 900000)
                    if "pdf" in pth and status == 200
                    else rng.randint(2400, 74000)
                )
                stamp = ts.strftime("%d/%b/%Y:%H:%M:%S +0000")
                logs.append(
                    k.log(
                        "/coursewell/lms/nginx/access",
                        iid,
                        ts,
                        f'{rng.choice(alb_ips)} - - [{stamp}] "{meth} {pth} HTTP/1.1" {status} {size if status == 200 else 562} "-" "{rng.choice(agents)}" rt={min(rt, 60.0):.3f} uct=0.000 urt={min(rt, 60.0):.3f}',
                    )
                )
            if rng.random() < 0.015 * every:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        "/coursewell/lms/nginx/error",
                        iid,
                        ts,
                        f'{ts:%Y/%m/%d %H:%M:%S} [warn] {rng.randint(2000, 4000)}#{rng.randint(2000, 4000)}: *{rng.randint(10**5, 10**7)} an upstream response is buffered to a temporary file /var/lib/nginx/tmp/fastcgi/{rng.randint(1, 9)}/{rng.randint(10, 99)}/00000{rng.randint(10000, 99999)} while reading upstream, client: {rng.choice(alb_ips)}, server: lms.coursewell.ie, request: "GET /pluginfile.php/{rng.randint(10000, 99999)}/mod_resource/content/1/lecture.pdf HTTP/1.1", upstream: "fastcgi://unix:/run/php-fpm/www.sock:", host: "lms.coursewell.ie"',
                    )
                )
            if d > 0.3:
                for _ in range(rng.randint(1, 3)):
                    ts = t + timedelta(seconds=rng.uniform(0, 59))
                    pid = rng.randint(2000, 4000)
                    logs.append(
                        k.log(
                            "/coursewell/lms/nginx/error",
                            iid,
                            ts,
                            f'{ts:%Y/%m/%d %H:%M:%S} [error] {pid}#{pid}: *{rng.randint(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {rng.choice(alb_ips)}, server: lms.coursewell.ie, request: "GET /course/view.php?id={rng.randint(40, 900)} HTTP/1.1", upstream: "fastcgi://unix:/run/php-fpm/www.sock", host: "lms.coursewell.ie"',
                        )
                    )
                if rng.random() < 0.5:
                    ts = t + timedelta(seconds=rng.uniform(0, 59))
                    logs.append(
                        k.log(
                            "/coursewell/lms/php-fpm",
                            iid,
                            ts,
                            f"[{ts:%d-%b-%Y %H:%M:%S}] WARNING: [pool www] server reached pm.max_children setting (48), consider raising it",
                        )
                    )
                if rng.random() < 0.35:
                    ts = t + timedelta(seconds=rng.uniform(0, 59))
                    pid = rng.randint(20000, 40000)
                    store = rng.choice(["core/string", "core/config", "core/coursemodinfo", "core/langmenu"])
                    logs.append(
                        k.log(
                            "/coursewell/lms/php-fpm",
                            iid,
                            ts,
                            f"[{ts:%d-%b-%Y %H:%M:%S}]  [pool www] pid {pid}\nscript_filename = /var/www/moodle/course/view.php\n"
                            f"[0x00007f{k.hexid(rng, 10)}] file_get_contents() /var/www/moodle/cache/stores/file/lib.php:442\n"
                            f"[0x00007f{k.hexid(rng, 10)}] get() /var/www/moodle/cache/classes/loaders.php:1312\n"
                            f"[0x00007f{k.hexid(rng, 10)}] get_implementation() /var/www/moodle/cache/classes/loaders.php:1245\n"
                            f"[0x00007f{k.hexid(rng, 10)}] get() /var/www/moodle/lib/moodlelib.php:{rng.choice([7211, 7350, 3127])}\n"
                            f"[0x00007f{k.hexid(rng, 10)}] require_login() /var/www/moodle/course/view.php:98  # {store}",
                        )
                    )
        if t.minute % 1 == 0 and (t >= fine_logs or t.minute % 10 == 0):
            ts = t + timedelta(seconds=rng.uniform(0, 5))
            task = rng.choice(
                [
                    "\\core\\task\\session_cleanup_task",
                    "\\mod_forum\\task\\cron_task",
                    "\\core\\task\\messaging_cleanup_task",
                    "\\tool_recyclebin\\task\\cleanup_course_bin",
                    "\\core\\task\\file_temp_cleanup_task",
                ]
            )
            took = rng.uniform(0.05, 0.9) * (1 + 60 * d * rng.random())
            logs.append(
                k.log(
                    "/coursewell/lms/cron",
                    inst_ids[0],
                    ts,
                    f"Execute scheduled task: {task}\n... started {ts:%H:%M:%S}. Current memory use {rng.uniform(30, 60):.1f} MB.\n... used {rng.randint(3, 40)} dbqueries\n... used {took:.8f} seconds\nScheduled task complete: {task}",
                )
            )

    # --- resources -------------------------------------------------------------------------------
    resources = []
    resources.append(
        k.res(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": account,
                "CreationToken": "coursewell-moodledata",
                "FileSystemId": fs_id,
                "FileSystemArn": fs_arn,
                "CreationTime": k.iso(created_fs),
                "LifeCycleState": "available",
                "Name": "coursewell-moodledata",
                "NumberOfMountTargets": 3,
                "SizeInBytes": {
                    "Value": int(size_gib * 1024**3),
                    "Timestamp": k.iso(now - timedelta(minutes=rng.randint(5, 50))),
                    "ValueInIA": 0,
                    "ValueInStandard": int(size_gib * 1024**3),
                },
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{k.uuid(rng)}",
                "ThroughputMode": "bursting",
                "Tags": [
                    {"Key": "Name", "Value": "coursewell-moodledata"},
                    {"Key": "service", "Value": "lms"},
                ],
                "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
            },
        )
    )
    for (az, azid), sn in zip(azs, subnets, strict=True):
        resources.append(
            k.res(
                "efs",
                "MountTargetDescription",
                {
                    "OwnerId": account,
                    "MountTargetId": "fsmt-0" + k.hexid(rng, 16),
                    "FileSystemId": fs_id,
                    "SubnetId": sn,
                    "LifeCycleState": "available",
                    "IpAddress": f"10.42.{azs.index((az, azid)) * 16 + 1}.{rng.randint(100, 250)}",
                    "NetworkInterfaceId": "eni-0" + k.hexid(rng, 16),
                    "AvailabilityZoneId": azid,
                    "AvailabilityZoneName": az,
                    "VpcId": vpc,
                },
            )
        )
    for i, iid in enumerate(inst_ids):
        az, azid = inst_az[i]
        resources.append(
            k.res(
                "ec2",
                "Instance",
                k.ec2_instance(
                    rng,
                    instance_id=iid,
                    instance_type="c6i.xlarge",
                    ami=ami,
                    az=az,
                    subnet=subnets[i % 3],
                    vpc=vpc,
                    sgs=[(sg_web, "coursewell-lms-web")],
                    profile_arn=profile,
                    launched=launched[i],
                    name="coursewell-lms-web",
                    extra_tags={
                        "aws:autoscaling:groupName": asg_name,
                        "aws:ec2launchtemplate:id": lt_id,
                        "aws:ec2launchtemplate:version": "23",
                        "service": "lms",
                    },
                    ip=inst_ip[i],
                    volumes=[("/dev/xvda", "vol-0" + k.hexid(rng, 16), launched[i])],
                    launch_template=(lt_id, "coursewell-lms-web", "23"),
                ),
            )
        )
        resources.append(k.res("ec2", "InstanceStatus", k.instance_status(iid, az)))
    resources.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "coursewell-lms-web",
                    "Version": "23",
                },
                "MinSize": 4,
                "MaxSize": 10,
                "DesiredCapacity": 4,
                "DefaultCooldown": 300,
                "AvailabilityZones": [a for a, _ in azs],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "c6i.xlarge",
                        "AvailabilityZone": inst_az[i][0],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "coursewell-lms-web",
                            "Version": "23",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i, iid in enumerate(inst_ids)
                ],
                "CreatedTime": k.iso(created_fs + timedelta(days=3)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(subnets),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "service",
                        "Value": "lms",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.load_balancer(
                lb_arn,
                lb_name,
                created_fs + timedelta(days=3),
                vpc,
                [(a, s) for (a, _), s in zip(azs, subnets, strict=True)],
                sg_alb,
                region,
            ),
        )
    )
    resources.append(
        k.res("elbv2", "TargetGroup", k.target_group(tg_arn, tg_name, vpc, lb_arn, 80, "/healthcheck.txt"))
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_alb,
                "coursewell-lms-alb",
                "LMS public ALB",
                vpc,
                account,
                region,
                [k.sg_rule(443, cidr="0.0.0.0/0"), k.sg_rule(80, cidr="0.0.0.0/0")],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_web,
                "coursewell-lms-web",
                "LMS web instances",
                vpc,
                account,
                region,
                [k.sg_rule(80, group=sg_alb, owner=account), k.sg_rule(22, group=sg_bastion, owner=account)],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_efs,
                "coursewell-moodledata-efs",
                "NFS from LMS web",
                vpc,
                account,
                region,
                [k.sg_rule(2049, group=sg_web, owner=account)],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_bastion,
                "coursewell-bastion",
                "SSH bastion",
                vpc,
                account,
                region,
                [k.sg_rule(22, cidr=office, desc="Dublin office new line")],
            ),
        )
    )
    resources.append(
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "moodle_admin",
                "DBName": "moodle",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.hexid(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z29XKXDKYMONMX",
                },
                "AllocatedStorage": 200,
                "InstanceCreateTime": k.iso(created_fs),
                "PreferredBackupWindow": "01:30-02:00",
                "BackupRetentionPeriod": 14,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "AvailabilityZone": "eu-west-1a",
                "SecondaryAvailabilityZone": "eu-west-1b",
                "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
                "MultiAZ": True,
                "EngineVersion": "16.4",
                "AutoMinorVersionUpgrade": True,
                "StorageType": "gp3",
                "Iops": 3000,
                "StorageThroughput": 125,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.upper_id(rng, 26),
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db_id}",
                "DeletionProtection": True,
                "PubliclyAccessible": False,
            },
        )
    )
    health = [
        {
            "target_group_arn": tg_arn,
            "target": {"Id": iid, "Port": 80, "AvailabilityZone": inst_az[i][0]},
            "health": {"State": "healthy"},
            "timestamp": k.iso(max(start, launched[i])),
        }
        for i, iid in enumerate(inst_ids)
    ]
    events = [{"source": "target_health", "item": x} for x in health]

    alarm_event = p90.event(0)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fs_id,
                    "category": "change",
                    "failure_mode": "efs-throughput-mode-switched-to-bursting-credits-exhausted",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [fs_arn, "coursewell-moodledata"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"UpdateFileSystem set {fs_id} (coursewell-moodledata) to bursting throughput the previous afternoon",
                    "BurstCreditBalance drained overnight and hit zero late morning; PermittedThroughput fell to the size-based baseline",
                    "PHP-FPM workers on coursewell-lms-web block on moodledata reads (file cache), pool saturates",
                    "coursewell-lms-alb TargetResponseTime p90 and ELB 504s rise; instances' CPU drops",
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
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
