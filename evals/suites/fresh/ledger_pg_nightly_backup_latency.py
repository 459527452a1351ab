"""No fault: the nightly automated backup of a Multi-AZ RDS instance raises write latency for a few minutes."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_l import (
    CONSOLE,
    AlarmSpec,
    Ids,
    Metrics,
    Rec,
    Trail,
    alarm_event,
    alarm_records,
    alb_item,
    cli,
    diurnal,
    grid,
    iso,
    log,
    noise,
    office_ip,
    public_ip,
    sg_item,
    sg_rule,
    sorted_logs,
    spread,
    subnet_item,
    tg_item,
)

NAME = "ledger-pg-nightly-backup-latency"
TITLE = "ledger-pg-prod WriteLatency alarm"
SUMMARY = "No fault: ledger-pg-prod's WriteLatency alarm fires for a few minutes every night in the automated backup window (Multi-AZ backup from the standby); the API is unaffected."

NIGHTS = 5


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    region = "ap-southeast-2"
    utc_off = 10.0
    account = ids.account()
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    db = "ledger-pg-prod"
    win_h, win_m = rng.choice([(16, 30), (16, 0), (17, 0)])
    window = (
        f"{win_h:02d}:{win_m:02d}-{win_h:02d}:{win_m + 30:02d}"
        if win_m == 0
        else f"{win_h:02d}:{win_m:02d}-{win_h + 1:02d}:00"
    )
    tonight = datetime(2024, 5, 6, tzinfo=UTC) + timedelta(days=rng.randrange(150))
    backups: list[tuple[datetime, datetime, float]] = []  # (start, finish, peak write latency in seconds)
    for k in range(NIGHTS):
        d0 = tonight - timedelta(days=NIGHTS - 1 - k)
        b0 = d0.replace(hour=win_h, minute=win_m) + timedelta(
            minutes=rng.randint(1, 9), seconds=rng.randint(0, 59)
        )
        backups.append(
            (
                b0,
                b0 + timedelta(minutes=rng.randint(6, 11), seconds=rng.randint(0, 59)),
                rng.uniform(0.024, 0.052),
            )
        )
    onset = backups[-1][0]
    start = backups[0][0].replace(minute=0, second=0) - timedelta(hours=4)
    now = onset.replace(second=0) + timedelta(minutes=rng.randint(36, 48))

    def fine(t: datetime) -> bool:
        if t >= now - timedelta(hours=3):
            return True
        return any(b0 - timedelta(minutes=50) <= t <= b1 + timedelta(minutes=40) for b0, b1, _ in backups)

    m = Metrics(rng, grid(start, now, fine))

    def backup_factor(t: datetime) -> float:
        """0 outside backups, up to 1 in the middle of one (latency rises, holds, tails off)."""
        for b0, b1, _ in backups:
            if b0 - timedelta(seconds=60) <= t <= b1:
                span = (b1 - b0).total_seconds()
                x = (t - b0).total_seconds() / span
                if x < 0.1:
                    return max(0.0, x / 0.1)
                if x > 0.75:
                    return max(0.0, (1 - x) / 0.25)
                return 1.0
        return 0.0

    def peak_at(t: datetime) -> float:
        for b0, b1, pk in backups:
            if b0 - timedelta(hours=1) <= t <= b1 + timedelta(hours=1):
                return pk
        return 0.03

    def traffic(t: datetime) -> float:
        return diurnal(t, utc_off, low=0.18, peak_hour=12.0)

    dd = {"DBInstanceIdentifier": db}
    m.add(
        "AWS/RDS",
        "WriteLatency",
        dd,
        "Seconds",
        lambda t: round(
            noise(rng, 0.0016 + 0.0006 * traffic(t), 0.12)
            + backup_factor(t) * peak_at(t) * rng.uniform(0.85, 1.1),
            6,
        ),
        digits=6,
    )
    m.add(
        "AWS/RDS",
        "ReadLatency",
        dd,
        "Seconds",
        lambda t: round(noise(rng, 0.0006, 0.15) + backup_factor(t) * 0.0025 * rng.uniform(0.7, 1.2), 6),
        digits=6,
    )
    m.add(
        "AWS/RDS",
        "WriteIOPS",
        dd,
        "Count/Second",
        lambda t: noise(rng, 180 + 1100 * traffic(t), 0.08) * (1 - 0.25 * backup_factor(t)),
    )
    m.add("AWS/RDS", "ReadIOPS", dd, "Count/Second", lambda t: noise(rng, 40 + 600 * traffic(t), 0.1))
    m.add(
        "AWS/RDS",
        "WriteThroughput",
        dd,
        "Bytes/Second",
        lambda t: noise(rng, (180 + 1100 * traffic(t)) * 14500, 0.08),
        digits=1,
    )
    m.add(
        "AWS/RDS",
        "ReadThroughput",
        dd,
        "Bytes/Second",
        lambda t: noise(rng, (40 + 600 * traffic(t)) * 9800, 0.1),
        digits=1,
    )
    m.add(
        "AWS/RDS",
        "DiskQueueDepth",
        dd,
        "Count",
        lambda t: noise(rng, 0.3 + 1.2 * traffic(t), 0.15) + backup_factor(t) * rng.uniform(6, 11),
    )
    m.add("AWS/RDS", "CPUUtilization", dd, "Percent", lambda t: noise(rng, 6 + 38 * traffic(t), 0.07))
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dd,
        "Count",
        lambda t: float(round(noise(rng, 60 + 90 * traffic(t), 0.04))),
    )
    m.add("AWS/RDS", "FreeableMemory", dd, "Bytes", lambda t: noise(rng, 1.21e10, 0.01), digits=0)
    storage0 = rng.uniform(3.1e11, 3.6e11)
    m.add(
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Bytes",
        lambda t: storage0 - (t - start).total_seconds() * 2.1e4 + rng.uniform(-2e7, 2e7),
        digits=0,
    )

    lb_hex, tg_hex = ids.hex(16), ids.hex(16)
    lbd = {"LoadBalancer": f"app/ledger-api-prod/{lb_hex}"}
    tgd = {**lbd, "TargetGroup": f"targetgroup/ledger-api-prod/{tg_hex}"}
    base = rng.uniform(900, 1500)
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        lambda t: noise(rng, base * traffic(t), 0.06),
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda t: noise(rng, 0.052 + 0.01 * traffic(t), 0.08) + backup_factor(t) * rng.uniform(0.0, 0.004),
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda t: noise(rng, base * traffic(t) * 0.97, 0.06),
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        lambda t: noise(rng, base * traffic(t) * 0.025, 0.2),
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda t: 1.0 if rng.random() < 0.03 else 0.0,
        "sum",
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: 3.0)
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0.0)

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:ledger-oncall"
    specs = [
        AlarmSpec(
            f"{db}-write-latency",
            "ledger-pg-prod average write latency above 15 ms for 3 minutes",
            [m.get("AWS/RDS", "WriteLatency", dd)],
            "Average",
            60,
            3,
            3,
            0.015,
            "GreaterThanThreshold",
            "missing",
            [sns],
            [sns],
        ),
        AlarmSpec(
            f"{db}-cpu-high",
            "ledger-pg-prod CPU above 80%",
            [m.get("AWS/RDS", "CPUUtilization", dd)],
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
        AlarmSpec(
            f"{db}-free-storage-low",
            "ledger-pg-prod free storage below 50 GiB",
            [m.get("AWS/RDS", "FreeStorageSpace", dd)],
            "Minimum",
            300,
            1,
            1,
            53687091200.0,
            "LessThanThreshold",
            "missing",
            [sns],
        ),
        AlarmSpec(
            "ledger-api-prod-5xx",
            "ledger-api target 5xx",
            [m.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd)],
            "Sum",
            60,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
        ),
        AlarmSpec(
            "ledger-api-prod-latency",
            "ledger-api average response time above 500 ms",
            [m.get("AWS/ApplicationELB", "TargetResponseTime", tgd)],
            "Average",
            60,
            5,
            5,
            0.5,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
    ]
    alarms: list[Rec] = []
    history: list[Rec] = []
    trigger: Rec | None = None
    for spec in specs:
        alarm, hist, trs = alarm_records(spec, account, region, start, now, rng)
        alarms.append(alarm)
        history.extend(hist)
        if spec.name == f"{db}-write-latency":
            last = [tr for tr in trs if tr.new == "ALARM" and tr.at >= onset]
            trigger = alarm_event(alarm, last[0], account, region, ids)

    # --- resources -------------------------------------------------------------------------------
    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    sg_db, sg_app, sg_alb = ids.sg(), ids.sg(), ids.sg()
    created = start - timedelta(days=rng.randint(300, 900))
    dbi_res = "db-" + ids.upper(26)
    endpoint = f"{db}.{ids.short(12)}.{region}.rds.amazonaws.com"
    resources: list[Rec] = [
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "ledger_admin",
                "DBName": "ledger",
                "Endpoint": {"Address": endpoint, "Port": 5432, "HostedZoneId": "Z32T0VRHXEXS0V"},
                "AllocatedStorage": 500,
                "InstanceCreateTime": iso(created),
                "PreferredBackupWindow": window,
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "ledger-pg15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": azs[0],
                "DBSubnetGroup": {
                    "DBSubnetGroupName": "ledger-db",
                    "DBSubnetGroupDescription": "ledger database subnets",
                    "VpcId": vpc,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": sn,
                            "SubnetAvailabilityZone": {"Name": az},
                            "SubnetStatus": "Active",
                        }
                        for sn, az in zip(subnets, azs, strict=True)
                    ],
                },
                "PreferredMaintenanceWindow": "sun:14:00-sun:14:30",
                "PendingModifiedValues": {},
                "LatestRestorableTime": iso(now - timedelta(minutes=4)),
                "MultiAZ": True,
                "EngineVersion": "15.6",
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "postgresql-license",
                "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-15", "Status": "in-sync"}],
                "SecondaryAvailabilityZone": azs[1],
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "Iops": 12000,
                "StorageThroughput": 500,
                "DbInstancePort": 0,
                "StorageEncrypted": True,
                "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
                "DbiResourceId": dbi_res,
                "CopyTagsToSnapshot": True,
                "MonitoringInterval": 60,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db}",
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": True,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "TagList": [{"Key": "Service", "Value": "ledger"}, {"Key": "Env", "Value": "prod"}],
                "CustomerOwnedIpEnabled": False,
                "BackupTarget": "region",
                "NetworkType": "IPV4",
                "DedicatedLogVolume": False,
            },
        }
    ]
    resources.append(
        {
            "service": "rds",
            "type": "DBParameter",
            "item": {
                "DBParameterGroupName": "ledger-pg15",
                "ParameterName": "checkpoint_timeout",
                "ParameterValue": "300",
                "Source": "user",
                "ApplyType": "dynamic",
                "DataType": "integer",
                "IsModifiable": True,
                "ApplyMethod": "immediate",
            },
        }
    )
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/ledger-api-prod/{lb_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/ledger-api-prod/{tg_hex}"
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": alb_item(ids, lb_arn, "ledger-api-prod", vpc, azs, subnets, [sg_alb], created),
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": tg_item(tg_arn, "ledger-api-prod", 8080, vpc, lb_arn, "/health"),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_db,
                "ledger-db",
                "ledger postgres",
                [sg_rule(5432, account, sg_app, None, "ledger-api")],
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_app,
                "ledger-api",
                "ledger-api tasks",
                [sg_rule(8080, account, sg_alb, None, "alb")],
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_alb,
                "ledger-api-alb",
                "ledger-api ALB",
                [sg_rule(443, account, None, "0.0.0.0/0", "https")],
            ),
        }
    )
    for i, sn in enumerate(subnets):
        resources.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": subnet_item(
                    ids,
                    account,
                    region,
                    vpc,
                    sn,
                    azs[i],
                    f"10.70.{i * 16}.0/20",
                    f"ledger-private-{azs[i][-1]}",
                ),
            }
        )

    # --- events ----------------------------------------------------------------------------------
    events: list[Rec] = []
    src_arn = f"arn:aws:rds:{region}:{account}:db:{db}"
    for b0, b1, _ in backups:
        events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": db,
                    "SourceType": "db-instance",
                    "Message": "Backing up DB instance",
                    "EventCategories": ["backup"],
                    "Date": iso(b0),
                    "SourceArn": src_arn,
                },
            }
        )
        events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": db,
                    "SourceType": "db-instance",
                    "Message": "Finished DB Instance backup",
                    "EventCategories": ["backup"],
                    "Date": iso(b1 + timedelta(minutes=rng.randint(1, 4))),
                    "SourceArn": src_arn,
                },
            }
        )
    for k in range(3):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {
                        "Id": f"10.70.{k * 16 + rng.randint(1, 15)}.{rng.randint(5, 250)}",
                        "Port": 8080,
                        "AvailabilityZone": azs[k],
                    },
                    "health": {"State": "healthy"},
                    "timestamp": iso(start - timedelta(hours=rng.randint(2, 30))),
                },
            }
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = Trail(rng, ids, account, region)
    eu = trail.sso("sofia.lindqvist@kestrelpay.com", "PlatformEngineer", office_ip(rng), CONSOLE)
    au = trail.sso(
        "liam.oconnor@kestrelpay.com", "SRE-Admin", office_ip(rng), cli("rds.describe-db-instances", rng)
    )
    ci = trail.role(
        "gha-deploy-ledger",
        "GitHubActions",
        f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        cli("lambda.update-function-code", rng),
        "token.actions.githubusercontent.com",
    )
    grafana = trail.role(
        "grafana-cloudwatch-read",
        "grafana",
        public_ip(rng),
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1",
    )
    monitoring = trail.aws_service("monitoring.rds.amazonaws.com")
    for t in spread(rng, start, now, 12):
        trail.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "w",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/RDS",
                                "metricName": rng.choice(
                                    ["WriteLatency", "CPUUtilization", "DatabaseConnections"]
                                ),
                                "dimensions": [{"name": "DBInstanceIdentifier", "value": db}],
                            },
                            "period": 60,
                            "stat": "Average",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": iso(t - timedelta(hours=12)),
                "endTime": iso(t),
            },
        )
    for t in spread(rng, start, now, 8):
        trail.add(
            t,
            monitoring,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/rds-monitoring-role", "roleSessionName": dbi_res},
            {
                "credentials": {
                    "accessKeyId": ids.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(40),
                    "expiration": (t + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            resources=[
                {
                    "accountId": account,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{account}:role/rds-monitoring-role",
                }
            ],
        )
    for t in spread(rng, start, onset - timedelta(hours=1), 10):
        reads: list[tuple[str, str, Rec]] = [
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
            (
                "rds.amazonaws.com",
                "DescribeEvents",
                {"sourceIdentifier": db, "sourceType": "db-instance", "duration": 1440},
            ),
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": f"{db}-write-latency", "historyItemType": "StateUpdate"},
            ),
            (
                "pi.amazonaws.com",
                "GetResourceMetrics",
                {
                    "serviceType": "RDS",
                    "identifier": dbi_res,
                    "metricQueries": [{"metric": "db.load.avg"}],
                    "periodInSeconds": 60,
                },
            ),
            ("rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
        ]
        src, name, params = rng.choice(reads)
        trail.add(t, rng.choice([eu, au]), src, name, params)
    # innocent change 1: tags on the instance, from the EU team's afternoon
    trail.add(
        onset - timedelta(minutes=rng.randint(8, 16), seconds=rng.randint(0, 59)),
        eu,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {
            "resourceName": src_arn,
            "tags": [
                {"key": "CostCentre", "value": "fin-platform"},
                {"key": "DataClass", "value": "confidential"},
            ],
        },
        None,
        read_only=False,
    )
    # innocent change 2: the nightly statement-export Lambda release
    dep_at = onset - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59))
    fn = "ledger-statement-export"
    trail.add(
        dep_at,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "s3Bucket": f"kestrelpay-artifacts-{region}",
            "s3Key": f"{fn}/{ids.hex(12)}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": fn,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}:{rng.randint(30, 80)}",
            "runtime": "java21",
            "handler": "com.kestrelpay.ledger.export.Handler::handleRequest",
            "memorySize": 2048,
            "timeout": 900,
            "lastModified": dep_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
        },
        read_only=False,
    )
    for k, (src, name, params) in enumerate(
        [
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": f"{db}-write-latency", "historyItemType": "StateUpdate", "maxRecords": 100},
            ),
            (
                "rds.amazonaws.com",
                "DescribeEvents",
                {"sourceIdentifier": db, "sourceType": "db-instance", "duration": 120},
            ),
        ]
    ):
        when = onset + timedelta(minutes=rng.randint(10, 16) + 3 * k)
        if when < now:
            trail.add(when, au, src, name, params)

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    pg_group = f"/aws/rds/instance/{db}/postgresql"
    pg_stream = db
    pid = rng.randint(400, 900)
    t = start + timedelta(seconds=rng.randint(0, 299))
    while t < now:
        in_backup = backup_factor(t + timedelta(seconds=150)) > 0
        buffers = int(noise(rng, 900 + 5200 * traffic(t), 0.15))
        write_s = noise(rng, 269.8, 0.002)
        sync_s = rng.uniform(1.2, 3.6) if in_backup else rng.uniform(0.002, 0.012)
        longest = sync_s * rng.uniform(0.3, 0.6) if in_backup else rng.uniform(0.001, 0.004)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S UTC")
        logs.append(log(pg_group, pg_stream, t, f"{stamp}::@:[{pid}]:LOG:  checkpoint starting: time"))
        t_done = t + timedelta(seconds=write_s + sync_s)
        if t_done < now:
            logs.append(
                log(
                    pg_group,
                    pg_stream,
                    t_done,
                    f"{t_done.strftime('%Y-%m-%d %H:%M:%S UTC')}::@:[{pid}]:LOG:  checkpoint complete: wrote {buffers} buffers "
                    f"({buffers / 1310.72:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 6)} recycled; write={write_s:.3f} s, "
                    f"sync={sync_s:.3f} s, total={write_s + sync_s + 0.05:.3f} s; sync files={rng.randint(40, 140)}, longest={longest:.3f} s, "
                    f"average={longest / 3:.3f} s; distance={buffers * 8 + rng.randint(0, 999)} kB, estimate={buffers * 8 + rng.randint(1000, 3000)} kB; "
                    f"lsn={rng.randint(1, 9):X}/{ids.hex(8).upper()}, redo lsn={rng.randint(1, 9):X}/{ids.hex(8).upper()}",
                )
            )
        if rng.random() < 0.04:
            t2 = t + timedelta(seconds=rng.randint(20, 200))
            app = rng.choice(["ledger-api", "statement-export"])
            logs.append(
                log(
                    pg_group,
                    pg_stream,
                    t2,
                    f"{t2.strftime('%Y-%m-%d %H:%M:%S UTC')}:10.70.{rng.randint(0, 47)}.{rng.randint(2, 250)}({rng.randint(30000, 65000)}):{app}@ledger:[{rng.randint(10000, 40000)}]:LOG:  duration: {rng.uniform(1000, 2400):.3f} ms  statement: SELECT account_id, sum(amount_minor) FROM ledger_entries WHERE posted_at >= $1 GROUP BY account_id",
                )
            )
        t += timedelta(seconds=300)
    api_group = "/ecs/ledger-api"
    api_streams = [f"ecs/ledger-api/{ids.hex(32)}" for _ in range(3)]
    t = start
    while t < now:
        t += timedelta(seconds=rng.uniform(25, 90) / max(0.25, traffic(t)))
        if t >= now:
            break
        r = rng.random()
        if r < 0.93:
            body = {
                "ts": iso(t),
                "level": "info",
                "msg": "request",
                "method": rng.choice(["GET", "POST", "GET"]),
                "path": rng.choice(
                    [
                        "/v1/accounts/{id}/balance",
                        "/v1/entries",
                        "/v1/transfers",
                        "/v1/accounts/{id}/statement",
                    ]
                ),
                "status": rng.choice([200, 200, 201, 200]),
                "duration_ms": round(rng.lognormvariate(3.8, 0.35) * (1 + 0.05 * backup_factor(t)), 1),
            }
        else:
            body = {
                "ts": iso(t),
                "level": "warn",
                "msg": "fx-rates cache stale, refreshing",
                "age_s": rng.randint(610, 900),
            }
        logs.append(log(api_group, rng.choice(api_streams), t, json.dumps(body, separators=(",", ":"))))

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": trigger},
            "truth": {"no_fault": True},
        }
    )

    return Bundle(
        manifest,
        {
            "metrics": m.rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": sorted_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
