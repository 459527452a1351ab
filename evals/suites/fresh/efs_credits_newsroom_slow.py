"""Newsroom website: pages slow and timing out in the afternoon, no deploy that day."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_r as kr

NAME = "gazette-site-slow-afternoon"
TITLE = "News site slow and timing out since mid-afternoon"
SUMMARY = (
    "A day-long media import drained the bursting EFS file system's BurstCreditBalance to zero; throughput "
    "fell to the baseline and the PHP fleet reading wp-content from EFS slowed to timeouts. No change made."
)

Json = dict[str, Any]
ZONE = "Europe/London"
MiB = 1024 * 1024
GiB = 1024 * MiB
TiB = 1024 * GiB


def build(seed: int) -> Bundle:
    k = kr.Kit(NAME, seed)
    r = k.rng
    zone = ZoneInfo(ZONE)
    day = k.start_date()
    import_local = datetime(day.year, day.month, day.day, 9, r.randint(0, 45), r.randint(0, 59), tzinfo=zone)
    import_start = import_local.astimezone(kr.UTC)
    off = import_local.utcoffset()
    tz_off = off.total_seconds() / 3600 if off is not None else 0.0
    start = kr.floor_min(import_start - timedelta(minutes=r.randint(35, 70)))

    fs_id = "fs-0" + k.hex(16)
    fs_name = "gazette-wp-content"
    fs_arn = k.arn("elasticfilesystem", f"file-system/{fs_id}")
    size0 = r.uniform(170, 240) * GiB
    credits0 = r.uniform(1.25, 1.6) * TiB
    burst = 100 * MiB

    # --- simulate the file system minute by minute until `now` -----------------------------------
    ns_efs = "AWS/EFS"
    metrics: list[Json] = []
    credits = credits0
    size = size0
    zero_at: datetime | None = None
    now: datetime | None = None
    t = start
    rows = []
    import_done_batches = 0
    while (now is None or t < now) and t < start + timedelta(hours=14):
        baseline = max(1 * MiB, size / TiB * 50 * MiB)
        permitted = burst if credits > 0 else baseline
        shape = kr.day_shape(t, tz_off)
        web_read = kr.noisy(k, (3.5 + 5.5 * shape) * MiB, 0.1)
        web_meta = kr.noisy(k, (0.6 + 0.9 * shape) * MiB, 0.1)
        importing = t >= import_start
        imp_want = r.uniform(74, 84) * MiB if importing else 0.0
        want = web_read + web_meta + imp_want
        got = min(want, permitted * r.uniform(0.985, 1.0))
        frac = got / want
        imp_got = imp_want * frac
        imp_write = imp_got * 0.42
        imp_read = imp_got - imp_write
        size += imp_write * 60 * 0.35  # many derivatives overwrite earlier ones
        credits = max(0.0, credits + (baseline - got) * 60) if credits > 0 or got < baseline else 0.0
        if zero_at is not None:
            credits = 0.0
        if credits <= 0 and zero_at is None:
            zero_at = t
            now = kr.floor_min(t + timedelta(minutes=r.randint(48, 62)))
        if importing:
            import_done_batches += 1
        rows.append(
            (
                t,
                credits,
                permitted,
                web_read * frac,
                web_meta * frac,
                imp_read,
                imp_write,
                frac,
                size,
                baseline,
            )
        )
        t += timedelta(minutes=1)
    assert zero_at is not None
    assert now is not None
    onset = zero_at
    fsd = {"FileSystemId": fs_id}
    for t, cr, perm, wr, wm, ir, iw, _frac, sz, _bl in rows:
        read = (wr + ir) * 60
        write = iw * 60
        meta = wm * 60
        metrics.append(kr.datum(ns_efs, "BurstCreditBalance", fsd, t, "Bytes", round(cr)))
        metrics.append(kr.datum(ns_efs, "PermittedThroughput", fsd, t, "Bytes/Second", round(perm)))
        metrics.append(
            kr.stat(
                ns_efs, "DataReadIOBytes", fsd, t, "Bytes", max(1, int(read / 32768)), read, 4096, 1048576
            )
        )
        if write:
            metrics.append(
                kr.stat(
                    ns_efs,
                    "DataWriteIOBytes",
                    fsd,
                    t,
                    "Bytes",
                    max(1, int(write / 65536)),
                    write,
                    4096,
                    1048576,
                )
            )
        metrics.append(
            kr.stat(ns_efs, "MetadataIOBytes", fsd, t, "Bytes", max(1, int(meta / 4096)), meta, 4096, 4096)
        )
        total = read + write + meta
        metrics.append(
            kr.stat(ns_efs, "TotalIOBytes", fsd, t, "Bytes", max(1, int(total / 16384)), total, 4096, 1048576)
        )
        metrics.append(kr.datum(ns_efs, "MeteredIOBytes", fsd, t, "Bytes", round(total)))
        metrics.append(
            kr.datum(
                ns_efs,
                "ClientConnections",
                fsd,
                t,
                "Count",
                7 if t >= import_start - timedelta(minutes=3) else 6,
            )
        )
        metrics.append(
            kr.datum(
                ns_efs,
                "PercentIOLimit",
                fsd,
                t,
                "Percent",
                round(min(100.0, 2 + 9 * total / (60 * 100 * MiB)) * r.uniform(0.9, 1.1), 2),
            )
        )
        if t.minute % 15 == 0:
            metrics.append(
                kr.datum(
                    ns_efs,
                    "StorageBytes",
                    {"FileSystemId": fs_id, "StorageClass": "Total"},
                    t,
                    "Bytes",
                    round(sz),
                )
            )
            metrics.append(
                kr.datum(
                    ns_efs,
                    "StorageBytes",
                    {"FileSystemId": fs_id, "StorageClass": "Standard"},
                    t,
                    "Bytes",
                    round(sz),
                )
            )

    # --- network / fleet ------------------------------------------------------------------------
    net = kr.Net(k, "gazette-prod", "10.30")
    alb_sg, web_sg, efs_sg, db_sg, imp_sg = (k.rid("sg") for _ in range(5))
    created = day - timedelta(days=r.randint(400, 900), hours=-r.randint(9, 17))
    lb_name, lb_hex, tg_hex = "gazette-web-prod", k.hex(16), k.hex(16)
    lb = kr.alb(k, lb_name, lb_hex, net, alb_sg, created)
    lb_arn = lb["item"]["LoadBalancerArn"]
    tg = kr.target_group(k, "gazette-web-prod", tg_hex, net.vpc, lb_arn, 80, "/healthcheck.php")
    tg_arn = tg["item"]["TargetGroupArn"]
    lb_dim, tg_dim = f"app/{lb_name}/{lb_hex}", f"targetgroup/gazette-web-prod/{tg_hex}"
    web_ids = [k.iid() for _ in range(6)]
    imp_id = k.iid()
    ami = "ami-0" + k.hex(16)
    launch = {i: day - timedelta(days=r.randint(2, 20), hours=r.randint(0, 20)) for i in [*web_ids, imp_id]}
    resources: list[Json] = [lb, tg]
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}"),
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": k.arn("acm", f"certificate/{k.uuid()}")}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        }
    )
    resources += net.resources()
    resources += [
        kr.security_group(
            k, alb_sg, "gazette-web-alb", "HTTPS from CloudFront", net.vpc, [(443, "0.0.0.0/0")]
        ),
        kr.security_group(k, web_sg, "gazette-web", "Web fleet", net.vpc, [(80, alb_sg)]),
        kr.security_group(
            k,
            efs_sg,
            "gazette-efs",
            "NFS from web and import hosts",
            net.vpc,
            [(2049, web_sg), (2049, imp_sg)],
        ),
        kr.security_group(
            k, db_sg, "gazette-db", "MySQL from web", net.vpc, [(3306, web_sg), (3306, imp_sg)]
        ),
        kr.security_group(k, imp_sg, "gazette-media-import", "Media import worker", net.vpc, []),
    ]
    for n, iid in enumerate(web_ids):
        resources.append(
            kr.instance(
                k,
                iid,
                "m7i.large",
                n % 3,
                net.private[n % 3],
                net.vpc,
                (web_sg, "gazette-web"),
                ami,
                launch[iid],
                "gazette-web",
                {
                    "Name": "gazette-web-prod",
                    "aws:autoscaling:groupName": "gazette-web-prod",
                    "service": "website",
                },
            )
        )
        resources.append(kr.instance_status(k, iid, n % 3))
    resources.append(
        kr.instance(
            k,
            imp_id,
            "c7i.xlarge",
            0,
            net.private[0],
            net.vpc,
            (imp_sg, "gazette-media-import"),
            ami,
            launch[imp_id],
            "gazette-media-import",
            {"Name": "gazette-media-import", "service": "media"},
        )
    )
    resources.append(kr.instance_status(k, imp_id, 0))
    resources.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": "gazette-web-prod",
                "AutoScalingGroupARN": k.arn(
                    "autoscaling", f"autoScalingGroup:{k.uuid()}:autoScalingGroupName/gazette-web-prod"
                ),
                "LaunchTemplate": {
                    "LaunchTemplateId": "lt-0" + k.hex(16),
                    "LaunchTemplateName": "gazette-web",
                    "Version": "$Latest",
                },
                "MinSize": 6,
                "MaxSize": 12,
                "DesiredCapacity": 6,
                "DefaultCooldown": 300,
                "AvailabilityZones": k.azs,
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": i,
                        "InstanceType": "m7i.large",
                        "AvailabilityZone": k.azs[n % 3],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "ProtectedFromScaleIn": False,
                    }
                    for n, i in enumerate(web_ids)
                ],
                "CreatedTime": kr.iso(created),
                "VPCZoneIdentifier": ",".join(net.private),
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
            },
        }
    )
    final_size = rows[-1][8]
    resources.append(
        {
            "service": "efs",
            "type": "FileSystemDescription",
            "item": {
                "OwnerId": k.account,
                "CreationToken": "terraform-" + k.hex(26),
                "FileSystemId": fs_id,
                "FileSystemArn": fs_arn,
                "CreationTime": kr.iso(created),
                "LifeCycleState": "available",
                "Name": fs_name,
                "NumberOfMountTargets": 3,
                "SizeInBytes": {
                    "Value": int(final_size),
                    "Timestamp": kr.iso(now - timedelta(minutes=now.minute % 15)),
                    "ValueInIA": 0,
                    "ValueInStandard": int(final_size),
                },
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "KmsKeyId": k.arn("kms", f"key/{k.uuid()}"),
                "ThroughputMode": "bursting",
                "Tags": [{"Key": "Name", "Value": fs_name}, {"Key": "service", "Value": "website"}],
                "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
            },
        }
    )
    for i in range(3):
        resources.append(
            {
                "service": "efs",
                "type": "MountTargetDescription",
                "item": {
                    "OwnerId": k.account,
                    "MountTargetId": "fsmt-0" + k.hex(16),
                    "FileSystemId": fs_id,
                    "SubnetId": net.private[i],
                    "LifeCycleState": "available",
                    "IpAddress": f"10.30.{16 * i + 9}.{r.randint(10, 250)}",
                    "NetworkInterfaceId": k.rid("eni"),
                    "AvailabilityZoneId": k.az_ids[i],
                    "AvailabilityZoneName": k.azs[i],
                    "VpcId": net.vpc,
                },
            }
        )
    db_id = "gazette-db-prod"
    resources.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.large",
                "Engine": "mysql",
                "DBInstanceStatus": "available",
                "MasterUsername": "gazette_admin",
                "Endpoint": {
                    "Address": f"{db_id}.c{k.hex(11)}.{k.region}.rds.amazonaws.com",
                    "Port": 3306,
                    "HostedZoneId": "Z1TTGA775OQIYO",
                },
                "AllocatedStorage": 200,
                "InstanceCreateTime": kr.iso(created),
                "MultiAZ": True,
                "EngineVersion": "8.0.39",
                "AvailabilityZone": k.azs[0],
                "SecondaryAvailabilityZone": k.azs[1],
                "StorageType": "gp3",
                "Iops": 3000,
                "DbiResourceId": "db-"
                + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
                "DBInstanceArn": k.arn("rds", f"db:{db_id}"),
                "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
                "PreferredMaintenanceWindow": "sun:02:00-sun:02:30",
                "PreferredBackupWindow": "01:00-01:30",
                "BackupRetentionPeriod": 7,
            },
        }
    )
    topic = "gazette-ops"
    topic_arn = k.arn("sns", topic)
    resources.append(kr.sns_topic(k, topic))
    for g in (
        "/gazette/web/nginx-access",
        "/gazette/web/nginx-error",
        "/gazette/web/php-fpm",
        "/gazette/media-import",
    ):
        resources.append(kr.log_group(k, g, created, 14))

    # --- web metrics --------------------------------------------------------------------------------
    ns = "AWS/ApplicationELB"
    peak = r.randint(5200, 8200)
    lat_avg: dict[datetime, float] = {}
    t5: dict[datetime, float] = {}
    frac_at: dict[datetime, float] = {}
    for t, _cr, _perm, _wr, _wm, _ir, _iw, frac, _sz, _bl in rows:
        frac_at[t] = frac
        shape = kr.day_shape(t, tz_off)
        rq = int(kr.noisy(k, peak * shape, 0.05))
        starve = max(0.0, 1 - frac)
        p50 = 0.11 + 3.2 * starve**1.2
        p90 = min(58.0, 0.34 + 14 * starve**1.1)
        errs = int(rq * min(0.35, max(0.0, starve - 0.25) * 0.6))
        lbd = {"LoadBalancer": lb_dim}
        d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        for dd in (lbd, d):
            metrics.append(kr.datum(ns, "RequestCount", dd, t, "Count", rq))
            metrics.append(
                kr.datum(ns, "HTTPCode_Target_2XX_Count", dd, t, "Count", rq - errs - int(rq * 0.03))
            )
            metrics.append(kr.datum(ns, "HTTPCode_Target_3XX_Count", dd, t, "Count", int(rq * 0.02)))
            metrics.append(kr.datum(ns, "HTTPCode_Target_4XX_Count", dd, t, "Count", int(rq * 0.01)))
            if errs:
                metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", dd, t, "Count", errs))
            metrics.append(kr.latency_p(k, ns, "TargetResponseTime", dd, t, rq, p50, p90))
        avg = 0.3 * p50 * 0.6 + 0.35 * p50 + 0.2 * (p50 + p90) / 2 + 0.1 * p90 + 0.05 * p90 * 1.8
        lat_avg[t] = avg
        if errs:
            t5[t] = float(errs)
        metrics.append(kr.datum(ns, "HealthyHostCount", d, t, "Count", 6))
        metrics.append(kr.datum(ns, "UnHealthyHostCount", d, t, "Count", 0))
        metrics.append(
            kr.datum(ns, "RequestCountPerTarget", {"TargetGroup": tg_dim}, t, "Count", round(rq / 6, 1))
        )
        metrics.append(kr.datum(ns, "ActiveConnectionCount", lbd, t, "Count", int(rq * (0.3 + 2 * starve))))
        for iid in web_ids:
            metrics.append(
                kr.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    t,
                    "Percent",
                    kr.noisy(k, (6 + 38 * shape) * (1 - 0.55 * starve), 0.08),
                )
            )
        metrics.append(
            kr.datum(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": imp_id},
                t,
                "Percent",
                kr.noisy(k, 3 + (61 * frac if t >= import_start else 0), 0.08),
            )
        )
        dbd = {"DBInstanceIdentifier": db_id}
        metrics.append(
            kr.datum(
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                t,
                "Percent",
                kr.noisy(k, 9 + 22 * shape * (1 - 0.4 * starve), 0.07),
            )
        )
        metrics.append(
            kr.datum(
                "AWS/RDS", "DatabaseConnections", dbd, t, "Count", int(kr.noisy(k, 60 + 90 * shape, 0.05))
            )
        )
        metrics.append(kr.datum("AWS/RDS", "ReadLatency", dbd, t, "Seconds", kr.noisy(k, 0.0006, 0.15)))
        metrics.append(kr.datum("AWS/RDS", "WriteLatency", dbd, t, "Seconds", kr.noisy(k, 0.0011, 0.15)))
        metrics.append(kr.datum("AWS/RDS", "FreeableMemory", dbd, t, "Bytes", kr.noisy(k, 5.1e9, 0.01)))

    # --- alarms -----------------------------------------------------------------------------------
    acreated = created + timedelta(days=20, hours=3)
    a_lat = kr.Alarm(
        k,
        "gazette-web-latency",
        "Average response time of the website above 2s",
        ns,
        "TargetResponseTime",
        {"LoadBalancer": lb_dim},
        "Average",
        60,
        5,
        2.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        datapoints_to_alarm=3,
    )
    a_lat.evaluate(lat_avg, start, now)
    a_5 = kr.Alarm(
        k,
        "gazette-web-5xx",
        "Website 5xx above 100/min",
        ns,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        100.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        missing="notBreaching",
    )
    a_5.evaluate(t5, start, now)
    a_db = kr.Alarm(
        k,
        "gazette-db-cpu",
        "gazette-db-prod CPU above 80%",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db_id},
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
    )
    a_db.evaluate({t: 20.0 for t, *_ in rows if t.minute % 5 == 0}, start, now)
    a_hh = kr.Alarm(
        k,
        "gazette-web-unhealthy",
        "Unhealthy web targets",
        ns,
        "UnHealthyHostCount",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Maximum",
        60,
        2,
        1.0,
        "GreaterThanOrEqualToThreshold",
        topic_arn,
        acreated,
    )
    a_hh.evaluate({t: 0.0 for t, *_ in rows}, start, now)
    alarms = [a_lat, a_5, a_db, a_hh]

    events: list[Json] = [
        kr.th(tg_arn, iid, 80, "healthy", launch[iid] + timedelta(minutes=3), az=k.azs[n % 3])
        for n, iid in enumerate(web_ids)
    ]

    # --- CloudTrail -------------------------------------------------------------------------------
    eng = k.sso("Infrastructure", "fiona.mcallister@northgategazette.co.uk")
    eng_ip = k.ip(False)
    dev = k.sso("WebDeveloper", "sam.okoro@northgategazette.co.uk")
    dev_ip = k.ip(False)
    ci = k.role("gazette-github-deploy", "GitHubActions")
    ci_ip = k.ip(False)
    monitor = k.role("newrelic-infrastructure-integration", "NewRelicInfrastructure-Integrations")
    ct = kr.routine_trail(
        k, start, now, 34, kr.common_templates(k, monitor, [(eng, eng_ip), (dev, dev_ip)], "gazette-web")
    )
    gh_ua = (
        "aws-sdk-js/3.699.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.1 api/{api}#3.699.0 m/E"
    )
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(14, 26)),
            "ssm.amazonaws.com",
            "PutParameter",
            ci,
            {"name": "/gazette/web/prod/ad-slots", "type": "String", "overwrite": True, "tier": "Standard"},
            {"version": r.randint(30, 90), "tier": "Standard"},
            read_only=False,
            ua=gh_ua.format(api="ssm"),
            ip=ci_ip,
        )
    )
    fn = "gazette-newsletter-render"
    ct.append(
        kr.trail(
            k,
            onset + timedelta(minutes=r.randint(2, 9)),
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ci,
            {
                "functionName": fn,
                "s3Bucket": f"gazette-artifacts-{k.account}",
                "s3Key": f"lambda/{fn}/{k.hex(40)}.zip",
                "publish": True,
            },
            {
                "functionName": fn,
                "functionArn": k.arn("lambda", f"function:{fn}:{r.randint(40, 90)}"),
                "runtime": "nodejs20.x",
                "codeSize": r.randint(2_000_000, 4_000_000),
                "version": str(r.randint(40, 90)),
                "lastUpdateStatus": "InProgress",
            },
            read_only=False,
            ua=gh_ua.format(api="lambda"),
            ip=ci_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(3, 9)),
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            dev,
            {
                "distributionId": "E"
                + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13)),
                "invalidationBatch": {
                    "paths": {"quantity": 2, "items": ["/news/*", "/"]},
                    "callerReference": str(kr.ms(onset)),
                },
            },
            None,
            read_only=False,
            ua=kr.CONSOLE_UA,
            ip=dev_ip,
        )
    )
    ct[-1]["awsRegion"] = "us-east-1"
    ct.append(
        kr.trail(
            k,
            onset + timedelta(minutes=r.randint(18, 30)),
            "elasticfilesystem.amazonaws.com",
            "DescribeFileSystems",
            eng,
            {"fileSystemId": fs_id},
            None,
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            import_start - timedelta(minutes=2),
            "ssm.amazonaws.com",
            "GetParameter",
            k.role("gazette-media-import", imp_id),
            {"name": "/gazette/media-import/source-bucket"},
            None,
            read_only=True,
            ua="aws-sdk-php/3.325.2 OS/Linux/6.1.115 lang/php#8.2.26",
            ip=f"10.30.{r.randint(0, 15)}.{r.randint(4, 250)}",
        )
    )
    ct = [c for c in ct if c["eventTime"] <= kr.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[Json] = []
    articles = [
        "/news/council-approves-harbour-plan",
        "/sport/gazette-cup-semi-final-report",
        "/news/ring-road-roadworks-update",
        "/business/port-jobs-boost",
        "/",
        "/news",
        "/weather",
        "/opinion/letters-to-the-editor",
    ]
    batch = 0
    for t, _cr, _perm, _wr, _wm, _ir, _iw, frac, _sz, _bl in rows:
        starve = max(0.0, 1 - frac)
        for iid in web_ids:
            if r.random() < 0.5:
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                rt = max(0.02, r.gauss(0.12 + 3 * starve, 0.03 + starve))
                status = 504 if starve > 0.3 and r.random() < starve * 0.3 else 200
                if status == 504:
                    rt = 60.0
                stamp = lt.strftime("%d/%b/%Y:%H:%M:%S +0000")
                path = r.choice(articles)
                logs.append(
                    {
                        "log_group": "/gazette/web/nginx-access",
                        "log_stream": iid,
                        "timestamp": kr.ms(lt),
                        "message": f'{k.ip(False)} - - [{stamp}] "GET {path} HTTP/1.1" {status} {r.randint(30000, 140000) if status == 200 else 562} "https://www.northgategazette.co.uk/" "{r.choice(kr.BROWSERS)}" {rt:.3f} {rt:.3f}',
                    }
                )
                if status == 504:
                    es = lt.strftime("%Y/%m/%d %H:%M:%S")
                    logs.append(
                        {
                            "log_group": "/gazette/web/nginx-error",
                            "log_stream": iid,
                            "timestamp": kr.ms(lt),
                            "message": f'{es} [error] {r.randint(1800, 1900)}#{r.randint(1800, 1900)}: *{r.randint(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.30.{r.randint(32, 47)}.{r.randint(4, 250)}, server: www.northgategazette.co.uk, request: "GET {path} HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "www.northgategazette.co.uk"',
                        }
                    )
            if starve > 0.2 and r.random() < 0.12:
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                ts = lt.strftime("%d-%b-%Y %H:%M:%S")
                if r.random() < 0.5:
                    msg = f"[{ts}] WARNING: [pool www] server reached pm.max_children setting (48), consider raising it"
                else:
                    pid = r.randint(20000, 40000)
                    msg = (
                        f"[{ts}]  [pool www] pid {pid}\nscript_filename = /var/www/html/index.php\n"
                        f"[0x00007f{k.hex(10)}] file_get_contents() /var/www/html/wp-content/plugins/gazette-related/related.php:88\n"
                        f"[0x00007f{k.hex(10)}] gazette_related_cached() /var/www/html/wp-content/plugins/gazette-related/related.php:41\n"
                        f"[0x00007f{k.hex(10)}] include() /var/www/html/wp-content/themes/gazette/single.php:57\n"
                        f"[0x00007f{k.hex(10)}] include() /var/www/html/wp-includes/template-loader.php:106"
                    )
                logs.append(
                    {
                        "log_group": "/gazette/web/php-fpm",
                        "log_stream": iid,
                        "timestamp": kr.ms(lt),
                        "message": msg,
                    }
                )
        if t.minute % 29 == 5 and r.random() < 0.6:
            iid = r.choice(web_ids)
            logs.append(
                {
                    "log_group": "/gazette/web/php-fpm",
                    "log_stream": iid,
                    "timestamp": kr.ms(t + timedelta(seconds=12)),
                    "message": f'[{t.strftime("%d-%b-%Y %H:%M:%S")}] WARNING: [pool www] child {r.randint(20000, 40000)} said into stderr: "PHP Deprecated:  Creation of dynamic property Gazette_Ads::$slot is deprecated in /var/www/html/wp-content/plugins/gazette-ads/class-ads.php on line 212"',
                }
            )
        if t >= import_start and t.minute % 2 == 0:
            batch += 1
            secs = 118 / max(frac, 0.05) * r.uniform(0.95, 1.05)
            logs.append(
                {
                    "log_group": "/gazette/media-import",
                    "log_stream": f"{imp_id}/import.log",
                    "timestamp": kr.ms(t + timedelta(seconds=r.randint(0, 50))),
                    "message": json.dumps(
                        {
                            "ts": kr.iso(t),
                            "level": "info",
                            "job": "archive-import-1998-2012",
                            "msg": "batch complete",
                            "batch": batch,
                            "assets": 512,
                            "derivatives": 2048,
                            "seconds": round(secs, 1),
                        }
                    ),
                }
            )
    logs.append(
        {
            "log_group": "/gazette/media-import",
            "log_stream": f"{imp_id}/import.log",
            "timestamp": kr.ms(import_start),
            "message": json.dumps(
                {
                    "ts": kr.iso(import_start),
                    "level": "info",
                    "job": "archive-import-1998-2012",
                    "msg": "starting import",
                    "source": f"s3://gazette-archive-scans-{k.account}/1998-2012/",
                    "target": "/mnt/wp-content/uploads/archive",
                    "assets_total": 611840,
                }
            ),
        }
    )
    logs = [x for x in logs if x["timestamp"] <= kr.ms(now)]
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    hist = [kr.created_history(a) for a in alarms] + [h for a in alarms for h in a.history]
    slow = min((t for t, v in lat_avg.items() if v > 1.0), default=onset)
    q_time = slow.astimezone(zone)
    q_time -= timedelta(minutes=q_time.minute % 5)
    question = (
        f"the website has been really slow since about {q_time.strftime('%-I:%M%p').lower()}, editors say wp-admin keeps timing out "
        "and the latency alarm is firing. nobody has deployed anything today, what's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": kr.iso(start),
            "end": kr.iso(now),
            "now": kr.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fs_id,
                    "category": "limit",
                    "failure_mode": "efs-burst-credits-exhausted",
                    "event_id": None,
                },
                "also_accept": [fs_name, fs_arn],
                "actions": ["reconfigure"],
                "chain": [
                    f"the media import on {imp_id} drove {fs_name} ({fs_id}) at its 100 MiB/s burst rate for hours",
                    "BurstCreditBalance reached zero and PermittedThroughput fell to the size-based baseline",
                    "PHP-FPM workers on the gazette-web-prod fleet block on wp-content reads from EFS; max_children reached",
                    "TargetResponseTime on gazette-web-prod rises, nginx returns 504s, gazette-web-latency fires",
                ],
            },
        }
    )
    del frac_at
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [a.item() for a in alarms],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
