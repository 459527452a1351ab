"""Saltbush Outdoor's Magento shop crawls with gateway timeouts in the afternoon of a sale week."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zr import (
    AlarmSpec,
    Ids,
    Logs,
    Metrics,
    Principal,
    Trail,
    alb_items,
    aws_service,
    diurnal,
    evaluate,
    instance_item,
    instance_status,
    iso,
    iso_ms,
    minutes,
    perm_from_cidr,
    perm_from_sg,
    pick_date,
    res,
    role_session,
    service_linked,
    sg_item,
    sso_user,
    subnet_item,
    tags,
    target_health_point,
    tg_item,
    vpc_item,
)

NAME = "saltbush-shop-crawling-afternoon"
TITLE = "Saltbush shop crawling with gateway timeouts since early afternoon; web servers nearly idle"
SUMMARY = (
    "Magento storefront slow with 502/504s in the afternoon of a sale week while the web fleet's CPU drops."
)

TZ = ZoneInfo("Australia/Sydney")
MAX_CREDITS = 2.31e12  # bytes; the ceiling for file systems under 1 TiB


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    account = str(rng.randrange(2 * 10**11, 9 * 10**11))
    region = "ap-southeast-2"
    azs = [
        ("ap-southeast-2a", "apse2-az3"),
        ("ap-southeast-2b", "apse2-az1"),
        ("ap-southeast-2c", "apse2-az2"),
    ]

    day = pick_date(rng)
    local_day = datetime(day.year, day.month, day.day, tzinfo=TZ)

    def at_local(h: float, d: int = 0) -> datetime:
        return (local_day + timedelta(days=d, hours=h)).astimezone(UTC).replace(second=0, microsecond=0)

    target_onset = at_local(13 + rng.randrange(10, 60) / 60)
    start = at_local(0, d=-2)
    sale_start = at_local(9, d=-2)
    std_gib = 44 + rng.random() * 10
    baseline = std_gib * 50 * 1024  # bytes/s: 50 KiB/s per GiB of Standard storage
    burst = 100 * 1024 * 1024  # 100 MiB/s for file systems under 1 TiB

    noise_cache: dict[tuple[str, datetime], float] = {}

    def nz(k: str, t: datetime, s: float) -> float:
        if (k, t) not in noise_cache:
            noise_cache[(k, t)] = rng.gauss(0, s)
        return noise_cache[(k, t)]

    def traffic(t: datetime) -> float:
        """Storefront requests a minute."""
        lt = t.astimezone(TZ)
        h = lt.hour + lt.minute / 60
        v = diurnal(h, [(12.5, 2.6, 2600), (20.3, 2.0, 3100), (8.0, 1.2, 500)], 260)
        if t >= sale_start:
            v *= 1.9
        return v * (1 + nz("rq", t, 0.04))

    def nightly_resize(t: datetime) -> float:
        lt = t.astimezone(TZ)
        return 24e6 if lt.hour == 2 and lt.minute < 35 else 0.0

    def demand_at(t: datetime, k: float) -> float:
        """File-system throughput the fleet asks for (bytes/s)."""
        return traffic(t) * 1450 * k + 0.35e6 + nightly_resize(t)

    all_min = list(minutes(start, target_onset + timedelta(hours=2)))
    # pre-warm the noise so the search below sees the same values as the emitters
    for t in all_min:
        traffic(t)

    def simulate(k: float) -> tuple[dict[datetime, float], dict[datetime, float], datetime | None]:
        credits = MAX_CREDITS * (0.985 + nz("c0", start, 0.003))
        bal: dict[datetime, float] = {}
        met: dict[datetime, float] = {}
        zero_at = None
        for t in all_min:
            d = demand_at(t, k if t >= sale_start else 1.0)
            allowed = burst if credits > 0 else baseline
            used = min(d, allowed)
            credits = min(MAX_CREDITS, max(0.0, credits + (baseline - used) * 60))
            bal[t] = credits
            met[t] = used
            if credits <= 0 and zero_at is None:
                zero_at = t
        return bal, met, zero_at

    lo, hi = 1.0, 6.0
    for _ in range(40):
        mid = (lo + hi) / 2
        _b, _m, z = simulate(mid)
        if z is None or z > target_onset:
            lo = mid
        else:
            hi = mid
    k = hi
    balance, metered, zero_at = simulate(k)
    assert zero_at is not None
    onset = zero_at
    now = onset + timedelta(minutes=rng.randrange(40, 55))
    end = now + timedelta(minutes=5)
    fine_from = onset - timedelta(hours=3)

    def demand(t: datetime) -> float:
        return demand_at(t, k if t >= sale_start else 1.0)

    def starved(t: datetime) -> float:
        """How far demand exceeds what the file system lets through (0 = not at all)."""
        if t < onset:
            return 0.0
        return max(0.0, demand(t) / metered[t] - 1.0)

    def slow(t: datetime) -> float:
        return min(1.0, starved(t) / 3.0)

    # --- names --------------------------------------------------------------------------------------
    vpc = ids.res("vpc")
    priv = [(ids.res("subnet"), az, azid) for az, azid in azs]
    pub = [(ids.res("subnet"), az, azid) for az, azid in azs]
    sg_alb, sg_web, sg_efs, sg_db = (ids.res("sg") for _ in range(4))
    alb, alb_arn, alb_dim = alb_items(
        ids,
        account,
        region,
        "saltbush-prod-alb",
        vpc,
        [(s, a) for s, a, _ in pub],
        sg_alb,
        day - timedelta(days=900),
    )
    tg, tg_arn, tg_dim = tg_item(
        ids,
        account,
        region,
        "saltbush-magento-web",
        vpc,
        80,
        alb_arn,
        "/health_check.php",
        interval=30,
        timeout=10,
        healthy=2,
        unhealthy=5,
    )
    fs_id = "fs-0" + ids.hexs(16)
    fs_name = "saltbush-magento-shared"
    fs_arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs_id}"
    asg_name = "saltbush-magento-web"
    db_id = "saltbush-magento-db"
    lt_id = "lt-0" + ids.hexs(16)
    ami = "ami-0" + ids.hexs(16)
    fleet: list[dict[str, Any]] = []
    for i in range(6):
        sid, az, azid = priv[i % 3]
        fleet.append(
            {
                "id": ids.instance(),
                "subnet": sid,
                "az": az,
                "azid": azid,
                "ip": f"10.60.{(i % 3) * 16 + rng.randrange(1, 15)}.{rng.randrange(4, 250)}",
                "launched": start - timedelta(days=rng.randrange(2, 20), minutes=rng.randrange(1440)),
            }
        )
    scale_at = onset + timedelta(minutes=rng.randrange(12, 20), seconds=rng.randrange(60))
    extra: list[dict[str, Any]] = []
    for i in range(2):
        sid, az, azid = priv[i]
        extra.append(
            {
                "id": ids.instance(),
                "subnet": sid,
                "az": az,
                "azid": azid,
                "ip": f"10.60.{i * 16 + rng.randrange(1, 15)}.{rng.randrange(4, 250)}",
                "launched": scale_at + timedelta(seconds=rng.randrange(15, 40)),
            }
        )

    def in_service(t: datetime) -> int:
        return 6 + sum(1 for e in extra if t >= e["launched"] + timedelta(minutes=4))

    # --- metrics ------------------------------------------------------------------------------------
    m = Metrics(start, now, fine_from)
    efsd = {"FileSystemId": fs_id}
    m.add("AWS/EFS", "BurstCreditBalance", efsd, "Bytes", lambda t: balance.get(t), digits=0)
    m.add(
        "AWS/EFS",
        "PermittedThroughput",
        efsd,
        "Bytes/Second",
        lambda t: burst if balance.get(t, 1) > 0 or t < onset else baseline,
        digits=0,
    )
    m.add(
        "AWS/EFS",
        "MeteredIOBytes",
        efsd,
        "Bytes",
        lambda t: metered[t] * 60 * (1 + nz("mio", t, 0.01)),
        digits=0,
    )
    m.add(
        "AWS/EFS",
        "TotalIOBytes",
        efsd,
        "Bytes",
        lambda t: metered[t] * 60 * 1.9 * (1 + nz("tio", t, 0.02)),
        digits=0,
    )
    m.add("AWS/EFS", "ClientConnections", efsd, "Count", lambda t: float(in_service(t) + 1), integer=True)
    m.add(
        "AWS/EFS",
        "PercentIOLimit",
        efsd,
        "Percent",
        lambda t: 6 + traffic(t) / 400 + nz("pio", t, 0.6) - 4 * slow(t),
        digits=2,
    )
    m.add(
        "AWS/EFS",
        "StorageBytes",
        {"FileSystemId": fs_id, "StorageClass": "Total"},
        "Bytes",
        lambda t: (
            None if t.minute != 0 else std_gib * 1024**3 * (1 + (t - start).total_seconds() / 86400 * 0.002)
        ),
        digits=0,
    )
    m.add(
        "AWS/EFS",
        "StorageBytes",
        {"FileSystemId": fs_id, "StorageClass": "Standard"},
        "Bytes",
        lambda t: (
            None if t.minute != 0 else std_gib * 1024**3 * (1 + (t - start).total_seconds() / 86400 * 0.002)
        ),
        digits=0,
    )

    lbd = {"LoadBalancer": alb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": alb_dim}

    def rq(t: datetime) -> float:
        return traffic(t) * (1 - 0.25 * slow(t))

    m.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", rq, integer=True)
    t5 = m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda t: (1 if rng.random() < 0.1 else 0) + rq(t) * 0.22 * slow(t),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda t: (1 if rng.random() < 0.02 else 0) + rq(t) * 0.05 * slow(t),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda t: 0.32 + abs(nz("trt", t, 0.04)) + traffic(t) / 40000 + 24 * slow(t),
        digits=4,
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: float(in_service(t)))
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0.0)
    asgd = {"AutoScalingGroupName": asg_name}

    def fleet_cpu(t: datetime) -> float:
        return 7 + traffic(t) / in_service(t) / 22 * (1 - 0.7 * slow(t)) + nz("cpu", t, 1.2)

    cpu = m.add(
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Percent",
        lambda t: None if t.minute % 5 else fleet_cpu(t),
        digits=2,
    )

    def inst_cpu(iid: str, launched: datetime) -> Callable[[datetime], float | None]:
        def fn(t: datetime) -> float | None:
            if t.minute % 5 or t < launched + timedelta(minutes=3):
                return None
            return fleet_cpu(t) + nz(iid, t, 2)

        return fn

    for f in fleet + extra:
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": f["id"]},
            "Percent",
            inst_cpu(f["id"], f["launched"]),
            digits=2,
            start=max(at_local(0), f["launched"]),
        )
    dbd = {"DBInstanceIdentifier": db_id}
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        lambda t: 9 + traffic(t) / 260 * (1 - 0.5 * slow(t)) + nz("dbc", t, 1),
        digits=2,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        lambda t: 40 + traffic(t) / 120 + 220 * slow(t) + nz("dbn", t, 3),
        integer=True,
    )

    # --- alarms -------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:saltbush-ops"
    specs = [
        (
            AlarmSpec(
                "saltbush-alb-target-5xx",
                "Magento web targets returning 5xx (>20/min for 5 min)",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                lbd,
                "Sum",
                60,
                5,
                5,
                20.0,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[topic],
            ),
            t5,
        ),
        (
            AlarmSpec(
                "saltbush-web-cpu-high",
                "Web fleet CPU > 80% for 15 min",
                "AWS/EC2",
                "CPUUtilization",
                asgd,
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                "missing",
                actions=[topic],
            ),
            cpu,
        ),
        (
            AlarmSpec(
                "saltbush-magento-db-cpu",
                "Magento DB CPU > 85%",
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                "Average",
                300,
                3,
                3,
                85.0,
                "GreaterThanThreshold",
                "missing",
                actions=[topic],
            ),
            {t: 9 + traffic(t) / 260 for t in minutes(start, now)},
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for spec, series in specs:
        r = evaluate(spec, series, account, region, start, now, rng)
        alarms.append(r.item)
        history.extend(r.history)
    history.sort(key=lambda h: str(h["Timestamp"]))

    # --- logs ---------------------------------------------------------------------------------------
    logs = Logs()
    paths = [
        "/tents/hiking-tents.html",
        "/sleeping-bags.html",
        "/catalog/product/view/id/{n}",
        "/checkout/cart/",
        "/checkout/",
        "/rest/default/V1/carts/mine/payment-information",
        "/customer/section/load/?sections=cart%2Cmessages&force_new_section_timestamp=true",
        "/static/version{v}/frontend/Saltbush/default/en_AU/mage/calendar.css",
        "/media/catalog/product/cache/{h}/s/b/sb-{n}.jpg",
    ]
    static_v = rng.randrange(1700000000, 1730000000)
    uas = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36",
    ]
    php_pids: dict[str, int] = {f["id"]: rng.randrange(1000, 5000) for f in fleet + extra}

    def clock(t: datetime) -> str:
        return t.astimezone(TZ).strftime("%d/%b/%Y:%H:%M:%S %z")

    t = fine_from
    while t < now:
        for f in fleet + extra:
            if t < f["launched"] + timedelta(minutes=4):
                continue
            if rng.random() < 0.5:
                continue
            ts = t + timedelta(seconds=rng.randrange(60))
            p = rng.choice(paths).format(n=rng.randrange(1000, 9999), v=static_v, h=ids.hexs(32))
            s = slow(t)
            if s > 0 and rng.random() < 0.35 * s + 0.1 and not p.startswith("/static"):
                status = rng.choice([504, 504, 502])
                rt = 60.0 if status == 504 else rng.uniform(0.001, 0.01)
                logs.add(
                    "/saltbush/nginx/error",
                    f["id"],
                    ts,
                    (
                        f"{ts.astimezone(TZ):%Y/%m/%d %H:%M:%S} [error] {rng.randrange(800, 900)}#0: *{rng.randrange(10**6, 10**7)} "
                        + (
                            "upstream timed out (110: Connection timed out) while reading response header from upstream"
                            if status == 504
                            else "connect() to unix:/run/php-fpm/www.sock failed (11: Resource temporarily unavailable) while connecting to upstream"
                        )
                        + f', client: 10.60.{rng.randrange(200, 203)}.{rng.randrange(4, 250)}, server: www.saltbush.com.au, request: "GET {p} HTTP/1.1", upstream: "fastcgi://unix:/run/php-fpm/www.sock", host: "www.saltbush.com.au"'
                    ),
                )
            else:
                status = 200
                rt = rng.uniform(0.05, 0.9) + 20 * s * rng.random()
            logs.add(
                "/saltbush/nginx/access",
                f["id"],
                ts,
                f'10.60.{rng.randrange(200, 203)}.{rng.randrange(4, 250)} - - [{clock(ts)}] "GET {p} HTTP/1.1" {status} {rng.randrange(400, 90000) if status == 200 else 0} "-" "{rng.choice(uas)}" rt={rt:.3f}',
            )
            if s > 0.2 and rng.random() < 0.25:
                logs.add(
                    "/saltbush/php-fpm",
                    f["id"],
                    ts,
                    f"[{ts.astimezone(TZ):%d-%b-%Y %H:%M:%S}] WARNING: [pool www] server reached pm.max_children setting (48), consider raising it",
                )
            if s > 0.1 and rng.random() < 0.2:
                pid = php_pids[f["id"]] + rng.randrange(1, 400)
                logs.add(
                    "/saltbush/php-fpm",
                    f["id"],
                    ts,
                    f"[{ts.astimezone(TZ):%d-%b-%Y %H:%M:%S}] WARNING: [pool www] child {pid}, script '/var/www/magento/pub/index.php' (request: \"GET /index.php\") executing too slow ({rng.uniform(5, 9):.6f} sec), logging",
                )
                logs.add(
                    "/saltbush/php-fpm-slow",
                    f["id"],
                    ts,
                    f"\n[{ts.astimezone(TZ):%d-%b-%Y %H:%M:%S}]  [pool www] pid {pid}\nscript_filename = /var/www/magento/pub/index.php\n"
                    f"[0x00007f{ids.hexs(10)}] flock() /var/www/magento/vendor/colinmollenhour/cache-backend/File.php:663\n"
                    f"[0x00007f{ids.hexs(10)}] _fileGetContents() /var/www/magento/vendor/colinmollenhour/cache-backend/File.php:214\n"
                    f"[0x00007f{ids.hexs(10)}] load() /var/www/magento/vendor/magento/framework/Cache/Backend/Database.php:0\n"
                    f"[0x00007f{ids.hexs(10)}] load() /var/www/magento/vendor/magento/zend-cache/library/Zend/Cache/Core.php:306\n"
                    f"[0x00007f{ids.hexs(10)}] load() /var/www/magento/vendor/magento/framework/Cache/Core.php:67\n"
                    f"[0x00007f{ids.hexs(10)}] load() /var/www/magento/vendor/magento/framework/App/Cache.php:71\n"
                    f"[0x00007f{ids.hexs(10)}] loadCache() /var/www/magento/vendor/magento/framework/Config/Data.php:135\n",
                )
        if rng.random() < 0.03:
            f = rng.choice(fleet)
            logs.add(
                "/saltbush/php-fpm",
                f["id"],
                t + timedelta(seconds=rng.randrange(60)),
                f"[{t.astimezone(TZ):%d-%b-%Y %H:%M:%S}] NOTICE: [pool www] child {php_pids[f['id']] + rng.randrange(1, 400)} exited with code 0 after {rng.uniform(3000, 9000):.6f} seconds from start",
            )
        t += timedelta(minutes=1)
    # the nightly media resize job
    for d in (-3, -2, -1, 0):
        ts = at_local(2, d=d)
        if ts < start or ts > now:
            continue
        f = fleet[0]
        logs.add(
            "/saltbush/cron",
            f["id"],
            ts + timedelta(seconds=3),
            f"[{ts.astimezone(TZ):%Y-%m-%d %H:%M:%S}] main.INFO: Cron Job catalog_images_resize is run [] []",
        )
        logs.add(
            "/saltbush/cron",
            f["id"],
            ts + timedelta(minutes=33, seconds=rng.randrange(60)),
            f'[{(ts + timedelta(minutes=33)).astimezone(TZ):%Y-%m-%d %H:%M:%S}] main.INFO: Cron Job catalog_images_resize is successfully finished. Statistics: {{"sum":{rng.uniform(1900, 2100):.2f},"count":1,"realmem":{rng.randrange(80, 120) * 1048576},"emalloc":{rng.randrange(60, 90) * 1048576}}} [] []',
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    trail = Trail(ids, account, region)
    console_ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
    ops = sso_user(
        ids,
        account,
        region,
        "AdministratorAccess",
        "liam.nguyen@saltbush.com.au",
        "203.219.44.17",
        console_ua,
        console=True,
    )
    mkt = sso_user(
        ids,
        account,
        region,
        "MarketingOps",
        "harriet.cole@saltbush.com.au",
        "120.22.9.181",
        "aws-cli/2.16.4 md/awscrt#0.20.9 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#route53.change-resource-record-sets",
    )
    tf = role_session(
        ids,
        account,
        "bitbucket-pipelines-terraform",
        f"bbp-{rng.randrange(10**6, 10**7)}",
        "13.236.8.224",
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.49.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
    )
    nr = role_session(
        ids,
        account,
        "NewRelicInfrastructure-Integrations",
        f"newrelic-{ids.hexs(6)}",
        "162.247.241.2",
        "aws-sdk-java/1.12.720 Linux/5.10.217 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS java/17.0.11 vendor/Amazon.com_Inc.",
    )
    backup = aws_service("backup.amazonaws.com")
    asg_slr = service_linked(
        ids, account, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "AutoScaling"
    )
    reads: list[tuple[Principal, str, str, dict[str, Any] | None]] = [
        (nr, "monitoring.amazonaws.com", "GetMetricData", None),
        (nr, "elasticfilesystem.amazonaws.com", "DescribeFileSystems", None),
        (nr, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (nr, "rds.amazonaws.com", "DescribeDBInstances", None),
        (tf, "elasticfilesystem.amazonaws.com", "DescribeMountTargets", {"fileSystemId": fs_id}),
        (tf, "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        (
            tf,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetGroups",
            {"names": ["saltbush-magento-web"]},
        ),
        (ops, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 50}),
    ]
    for _ in range(32):
        who, src, name, params = rng.choice(reads)
        ts = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(ts, who, src, name, params, None, read_only=True)
    for d in (-3, -2, -1):
        ts = at_local(1 + rng.random(), d=d + 1)
        if start < ts < now:
            trail.add(
                ts,
                backup,
                "elasticfilesystem.amazonaws.com",
                "DescribeFileSystems",
                {"fileSystemId": fs_id},
                None,
                read_only=True,
            )
    # the sale campaign going live three days ago
    trail.add(
        sale_start - timedelta(minutes=rng.randrange(10, 40)),
        tf,
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        {
            "autoScalingGroupName": asg_name,
            "scheduledActionName": "winter-sale-evenings",
            "recurrence": "0 17 * * *",
            "minSize": 6,
            "maxSize": 12,
            "desiredCapacity": 6,
            "timeZone": "Australia/Sydney",
        },
        None,
    )
    # innocent changes near the onset
    r53_at = onset - timedelta(minutes=rng.randrange(15, 28), seconds=rng.randrange(60))
    zone_id = "Z0" + ids.alnum(19)
    trail.add(
        r53_at,
        mkt,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": f"k{rng.randrange(1, 4)}._domainkey.saltbush.com.au",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [{"value": "dkim2.mcsv.net"}],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + ids.alnum(19),
                "status": "PENDING",
                "submittedAt": iso(r53_at).replace("Z", ".000Z"),
            }
        },
        extra={"eventVersion": "1.09", "awsRegion": "us-east-1"},
    )
    iam_at = onset - timedelta(minutes=rng.randrange(4, 12), seconds=rng.randrange(60))
    trail.add(
        iam_at,
        tf,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": "saltbush-feeds-export",
            "policyName": "google-merchant-feed-bucket",
            "policyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:GetObject"],
                            "Resource": "arn:aws:s3:::saltbush-product-feeds/google/*",
                        }
                    ],
                }
            ),
        },
        None,
        extra={"awsRegion": "us-east-1"},
    )
    trail.add(
        scale_at,
        ops,
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        {"autoScalingGroupName": asg_name, "desiredCapacity": 8, "honorCooldown": False},
        None,
    )
    for e in extra:
        trail.add(
            e["launched"],
            asg_slr,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": "$Default"},
                "subnetId": e["subnet"],
            },
            {
                "requestId": ids.uuid(),
                "instancesSet": {
                    "items": [{"instanceId": e["id"], "imageId": ami, "instanceType": "c6i.xlarge"}]
                },
            },
        )
    trail.add(
        now - timedelta(minutes=rng.randrange(2, 6)),
        ops,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": tg_arn},
        None,
        read_only=True,
    )
    trail.records = [r for r in trail.records if r["eventTime"] <= iso(now)]

    # --- events -------------------------------------------------------------------------------------
    events: list[dict[str, Any]] = []
    for f in fleet:
        events.append(target_health_point(tg_arn, f["id"], 80, f["az"], "healthy", start))
    for e in extra:
        events.append(
            target_health_point(
                tg_arn,
                e["id"],
                80,
                e["az"],
                "initial",
                e["launched"] + timedelta(seconds=100),
                "Elb.RegistrationInProgress",
            )
        )
        if e["launched"] + timedelta(minutes=4) < now:
            events.append(
                target_health_point(
                    tg_arn, e["id"], 80, e["az"], "healthy", e["launched"] + timedelta(minutes=4)
                )
            )
    asg_arn = f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}"
    for e in extra:
        events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": ids.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Launching a new EC2 instance: {e['id']}",
                    "Cause": f"At {iso(scale_at)} a user request explicitly set group desired capacity changing the desired capacity from 6 to 8.  At {iso(scale_at + timedelta(seconds=9))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 6 to 8.",
                    "StartTime": iso_ms(e["launched"]),
                    "EndTime": iso_ms(e["launched"] + timedelta(seconds=rng.randrange(150, 230))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": e["subnet"], "Availability Zone": e["az"]}),
                    "AutoScalingGroupARN": asg_arn,
                },
            }
        )

    # --- resources ----------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        res("ec2", "Vpc", vpc_item(vpc, "10.60.0.0/16", "saltbush-prod", account, ids))
    ]
    for i, (sid, az, azid) in enumerate(priv):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.60.{i * 16}.0/20",
                    4060 + rng.randrange(20),
                    f"saltbush-private-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    for i, (sid, az, azid) in enumerate(pub):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.60.{200 + i}.0/24",
                    245,
                    f"saltbush-public-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_alb,
                "saltbush-alb",
                "public ALB",
                vpc,
                account,
                [perm_from_cidr(443, "0.0.0.0/0", "https"), perm_from_cidr(80, "0.0.0.0/0", "http")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_web,
                "saltbush-magento-web",
                "magento web",
                vpc,
                account,
                [perm_from_sg(80, sg_alb, account, "alb")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_efs,
                "saltbush-efs",
                "NFS from web",
                vpc,
                account,
                [perm_from_sg(2049, sg_web, account, "nfs")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_db,
                "saltbush-db",
                "MySQL from web",
                vpc,
                account,
                [perm_from_sg(3306, sg_web, account, "mysql")],
            ),
        )
    )
    resources.append(res("elbv2", "LoadBalancer", alb))
    resources.append(res("elbv2", "TargetGroup", tg))
    kms = f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}"
    resources.append(
        res(
            "efs",
            "FileSystemDescription",
            {
                "OwnerId": account,
                "CreationToken": f"terraform-{ids.hexs(26)}",
                "FileSystemId": fs_id,
                "FileSystemArn": fs_arn,
                "CreationTime": iso(day - timedelta(days=890)),
                "LifeCycleState": "available",
                "Name": fs_name,
                "NumberOfMountTargets": 3,
                "SizeInBytes": {
                    "Value": int(std_gib * 1024**3 * 1.006),
                    "Timestamp": iso(now - timedelta(minutes=rng.randrange(5, 50))),
                    "ValueInIA": 0,
                    "ValueInStandard": int(std_gib * 1024**3 * 1.006),
                    "ValueInArchive": 0,
                },
                "PerformanceMode": "generalPurpose",
                "Encrypted": True,
                "KmsKeyId": kms,
                "ThroughputMode": "bursting",
                "Tags": tags({"Name": fs_name, "app": "magento", "env": "prod"}),
                "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
            },
        )
    )
    for sid, az, azid in priv:
        resources.append(
            res(
                "efs",
                "MountTargetDescription",
                {
                    "OwnerId": account,
                    "MountTargetId": "fsmt-0" + ids.hexs(16),
                    "FileSystemId": fs_id,
                    "SubnetId": sid,
                    "LifeCycleState": "available",
                    "IpAddress": f"10.60.{priv.index((sid, az, azid)) * 16 + 15}.{rng.randrange(4, 250)}",
                    "NetworkInterfaceId": "eni-0" + ids.hexs(16),
                    "AvailabilityZoneId": azid,
                    "AvailabilityZoneName": az,
                    "VpcId": vpc,
                },
            )
        )
    for f in fleet + extra:
        resources.append(
            res(
                "ec2",
                "Instance",
                instance_item(
                    ids,
                    f["id"],
                    "c6i.xlarge",
                    ami,
                    f["subnet"],
                    vpc,
                    f["az"],
                    f["ip"],
                    (sg_web, "saltbush-magento-web"),
                    f["launched"],
                    f"arn:aws:iam::{account}:instance-profile/saltbush-magento-web",
                    {"Name": "saltbush-magento-web", "aws:autoscaling:groupName": asg_name},
                    account,
                ),
            )
        )
        resources.append(res("ec2", "InstanceStatus", instance_status(f["id"], f["az"], f["azid"])))
    resources.append(
        res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "saltbush-magento-web",
                    "Version": "$Default",
                },
                "MinSize": 6,
                "MaxSize": 12,
                "DesiredCapacity": 8,
                "DefaultCooldown": 300,
                "AvailabilityZones": [a for a, _ in azs],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": f["id"],
                        "InstanceType": "c6i.xlarge",
                        "AvailabilityZone": f["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "saltbush-magento-web",
                            "Version": "14",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for f in fleet + extra
                ],
                "CreatedTime": iso(day - timedelta(days=880)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(s for s, _a, _z in priv),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": "saltbush-magento-web",
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
        res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "mysql",
                "EngineVersion": "8.0.36",
                "DBInstanceStatus": "available",
                "Endpoint": {
                    "Address": f"{db_id}.c{ids.alnum(11, upper=False)}.{region}.rds.amazonaws.com",
                    "Port": 3306,
                    "HostedZoneId": "Z32T0VRHXEXS0V",
                },
                "AllocatedStorage": 200,
                "AvailabilityZone": azs[0][0],
                "SecondaryAvailabilityZone": azs[1][0],
                "MultiAZ": True,
                "StorageType": "gp3",
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db_id}",
                "InstanceCreateTime": iso(day - timedelta(days=880)),
            },
        )
    )
    resources.append(
        res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            {
                "AutoScalingGroupName": asg_name,
                "ScheduledActionName": "winter-sale-evenings",
                "ScheduledActionARN": f"arn:aws:autoscaling:{region}:{account}:scheduledUpdateGroupAction:{ids.uuid()}:autoScalingGroupName/{asg_name}:scheduledActionName/winter-sale-evenings",
                "Recurrence": "0 17 * * *",
                "MinSize": 6,
                "MaxSize": 12,
                "DesiredCapacity": 6,
                "TimeZone": "Australia/Sydney",
            },
        )
    )

    local_onset = onset.astimezone(TZ)
    ask = local_onset - timedelta(minutes=local_onset.minute % 5)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"The shop has been crawling since about {ask:%-I:%M}pm and customers are getting gateway timeout pages, "
                    "especially at checkout. The web servers are barely using any CPU and we haven't deployed anything today; "
                    "I added two more instances and it made no difference. What's going on?"
                ),
                "alarm_event": None,
                "timezone": "Australia/Sydney",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fs_id,
                    "category": "limit",
                    "failure_mode": "efs-burst-credits-exhausted",
                    "event_id": None,
                },
                "also_accept": [fs_name, fs_arn],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"{fs_name} ({fs_id}) runs in bursting throughput mode with about {std_gib:.0f} GiB stored, a baseline of about {baseline / 1048576:.1f} MiB/s.",
                    "The sale week's extra traffic spent more than the baseline every day and the burst credit balance ran down to zero.",
                    "Throughput was clamped to baseline; PHP-FPM workers block on Magento's file cache and media on EFS.",
                    "nginx on the saltbush-magento-web instances returns 504/502; pages crawl while CPU falls; adding instances does not help.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.sorted_rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
