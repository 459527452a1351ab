"""Product pages slow with intermittent 500s after the lunchtime newsletter.

What happened: the storefront reads its catalog fragments from the primary node of a Redis replication
group on cache.m6g.large. The newsletter traffic pushed the node's outbound traffic past the node type's
baseline network bandwidth; once its burst allowance was spent, packets were shaped
(NetworkBandwidthOutAllowanceExceeded), Redis reads timed out in the web tier, pages fell back to the
database and some raised 500s. Engine CPU and memory stayed low.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzk import (
    AZS,
    Ctx,
    World,
    alb_metrics,
    diurnal,
    instance_metrics,
    iso,
    launch_template,
    threshold_reason,
)

NAME = "pinecrest-product-pages-newsletter"
TITLE = "Product pages slow with intermittent 500s since the lunchtime newsletter; web servers not maxed out"
SUMMARY = (
    "Newsletter traffic pushed the catalog Redis primary past its node type's baseline network bandwidth; "
    "after its burst allowance ran out packets were shaped, cache reads timed out and pages erred."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-2")
    r = c.rng
    day = datetime(2026, 1, 13, tzinfo=UTC) + timedelta(days=r.randint(0, 45))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    send = day.replace(hour=12, minute=0)
    burst_end = send + timedelta(minutes=r.randint(17, 28))
    start = (send - timedelta(hours=3, minutes=r.randint(30, 45))).replace(second=0)
    now = (burst_end + timedelta(minutes=r.randint(40, 55))).replace(second=0)
    web_n = r.choice([6, 8])
    w = World(c, "pinecrest", day - timedelta(days=r.randint(500, 800)))
    w.security_group("pinecrest-alb", "storefront ALB", [(443, "0.0.0.0/0"), (80, "0.0.0.0/0")])
    w.security_group("pinecrest-web", "storefront web", [(8000, "pinecrest-alb")])
    w.security_group("stock-int-alb", "stock-service internal ALB", [(80, "pinecrest-web")])
    w.security_group("stock-svc", "stock-service", [(8080, "stock-int-alb")])
    w.security_group("db", "pinecrest postgres", [(5432, "pinecrest-web"), (5432, "stock-svc")])
    w.security_group("cache", "pinecrest redis", [(6379, "pinecrest-web"), (6379, "stock-svc")])
    lt = launch_template(c, "pinecrest-web", r.randint(20, 70))
    lts = launch_template(c, "stock-svc", r.randint(5, 15))
    web_ids = [
        w.instance(
            "pinecrest-web",
            "c7g.xlarge",
            AZS[i % 3],
            "pinecrest-web",
            day - timedelta(days=r.randint(1, 6)),
            asg="pinecrest-web-prod",
            lt=lt,
        )
        for i in range(web_n)
    ]
    st_ids = [
        w.instance(
            "stock-svc",
            "t3.large",
            AZS[i % 3],
            "stock-svc",
            day - timedelta(days=r.randint(10, 40)),
            asg="stock-svc-prod",
            lt=lts,
        )
        for i in range(2)
    ]
    w.emit_instances()
    alb_arn, lb = w.load_balancer("pinecrest-storefront", "internet-facing", "pinecrest-alb", w.built)
    ialb_arn, ilb = w.load_balancer("stock-svc-int", "internal", "stock-int-alb", w.built)
    tg_arn, tg = w.target_group("pinecrest-web-8000", 8000, "/healthz", alb_arn)
    itg_arn, itg = w.target_group("stock-svc-8080", 8080, "/health", ialb_arn)
    w.asg("pinecrest-web-prod", web_ids, tg_arn, lt, web_n, web_n + 6, w.built)
    w.asg("stock-svc-prod", st_ids, itg_arn, lts, 2, 4, w.built)
    w.rds_instance("pinecrest-pg", "db.r6g.2xlarge", "postgres", "16.4", "pinecrest-pg16", "a", w.built)
    cat = w.redis("pinecrest-catalog-cache", "cache.m6g.large", w.built, pgroup="default.redis7")
    ses = w.redis("pinecrest-sessions", "cache.t4g.small", w.built, pgroup="pinecrest-sessions-redis7")
    for g in ("/pinecrest/web/django", "/pinecrest/web/gunicorn-access", "/pinecrest/stock-svc"):
        w.log_group(g, 14, w.built)

    surge = r.uniform(1.8, 2.2)

    def rpm(t: datetime) -> float:
        base = diurnal(t, 0, 6200, 500)
        if t >= send:
            k = min(1.0, (t - send).total_seconds() / 600)
            decay = max(0.0, 1 - (t - send).total_seconds() / 3600 / 5)
            base *= 1 + (surge - 1) * k * decay
        return base

    mb_per_req = 0.92  # MB of catalog fragments read per page view
    baseline = 93.75  # MB/s for this node type

    def demand(t: datetime) -> float:  # MB/s the primary is asked for
        return rpm(t) * mb_per_req / 60 + 2.5

    def shaped(t: datetime) -> float:
        """Share of demanded bytes that cannot leave the node."""
        if t < burst_end:
            return 0.0
        return max(0.0, 1 - baseline / demand(t))

    def fail(t: datetime) -> float:
        s = shaped(t)
        return 0.0006 if s <= 0 else min(0.12, 0.004 + s * 0.3)

    def lat(t: datetime) -> float:
        return 0.18 + rpm(t) / 6200 * 0.04 + (shaped(t) * 6.5 if shaped(t) > 0 else 0)

    alb_metrics(c, lb, tg, start, now, rpm, fail, lat, lambda t: (web_n, 0))
    alb_metrics(
        c,
        ilb,
        itg,
        start,
        now,
        lambda t: rpm(t) * 0.35,
        lambda t: 0.0003,
        lambda t: 0.03 + r.random() * 0.01,
        lambda t: (2, 0),
        err4_rate=0.004,
    )

    def web_cpu(i: str, t: datetime) -> float:
        wait = 1 - min(0.5, shaped(t) * 1.4)
        return 8 + 46 * rpm(t) / (6200 * surge) * wait + r.gauss(0, 2)

    instance_metrics(c, w, web_ids, "pinecrest-web-prod", start, now, web_cpu, 58, 33)
    instance_metrics(
        c,
        w,
        st_ids,
        "stock-svc-prod",
        start,
        now,
        lambda i, t: 6 + 12 * rpm(t) / 6200 + r.gauss(0, 1),
        41,
        22,
    )
    ns = "AWS/ElastiCache"
    t = start
    while t <= now:
        d = demand(t)
        sent = d * (1 - shaped(t)) if t >= burst_end else d
        sent = min(sent, baseline * r.uniform(0.985, 1.01)) if t >= burst_end and shaped(t) > 0 else sent
        p = {"CacheClusterId": cat[0], "CacheNodeId": "0001"}
        q = {"CacheClusterId": cat[1], "CacheNodeId": "0001"}
        c.put(ns, "NetworkBytesOut", p, t, "Bytes", round(sent * 60 * 1e6 * r.uniform(0.98, 1.02)))
        c.put(ns, "NetworkBytesIn", p, t, "Bytes", round(rpm(t) * 0.004 * 1e6 * r.uniform(0.95, 1.05)))
        c.put(ns, "NetworkBytesOut", q, t, "Bytes", round(r.uniform(2.0, 2.6) * 1e6 * 60 / 60))
        c.put(ns, "NetworkBytesIn", q, t, "Bytes", round(rpm(t) * 0.0045 * 1e6))
        sh = shaped(t)
        c.put(
            ns,
            "NetworkBandwidthOutAllowanceExceeded",
            p,
            t,
            "Count",
            0 if sh <= 0 else round(sh * 450000 * r.uniform(0.85, 1.15)),
        )
        c.put(ns, "NetworkBandwidthInAllowanceExceeded", p, t, "Count", 0)
        c.put(ns, "NetworkPacketsPerSecondAllowanceExceeded", p, t, "Count", 0)
        c.put(ns, "NetworkConntrackAllowanceExceeded", p, t, "Count", 0)
        c.put(ns, "NetworkBandwidthOutAllowanceExceeded", q, t, "Count", 0)
        ops = rpm(t) * 38 / 60
        c.put(ns, "EngineCPUUtilization", p, t, "Percent", round(3 + ops / 1100 * r.uniform(0.95, 1.05), 2))
        c.put(ns, "CPUUtilization", p, t, "Percent", round(4 + ops / 900 * r.uniform(0.95, 1.05), 2))
        c.put(ns, "EngineCPUUtilization", q, t, "Percent", round(1.2 + r.random() * 0.3, 2))
        c.put(
            ns,
            "CurrConnections",
            p,
            t,
            "Count",
            web_n * 12 + 8 + (r.randint(20, 60) if sh > 0 else r.randint(0, 3)),
        )
        c.put(ns, "NewConnections", p, t, "Count", r.randint(0, 3) if sh <= 0 else r.randint(40, 160))
        c.put(ns, "GetTypeCmds", p, t, "Count", round(ops * 60 * (1 - sh * 0.5)))
        c.put(ns, "CacheHits", p, t, "Count", round(ops * 60 * 0.96 * (1 - sh * 0.5)))
        c.put(ns, "CacheMisses", p, t, "Count", round(ops * 60 * 0.04))
        c.put(ns, "DatabaseMemoryUsagePercentage", p, t, "Percent", round(58 + r.random(), 2))
        c.put(ns, "Evictions", p, t, "Count", 0)
        c.put(ns, "ReplicationLag", q, t, "Seconds", round(r.uniform(0.001, 0.02), 3))
        for sn in ses[:1]:
            s = {"CacheClusterId": sn, "CacheNodeId": "0001"}
            c.put(ns, "EngineCPUUtilization", s, t, "Percent", round(2 + rpm(t) / 6200 * 4 + r.random(), 2))
            c.put(ns, "CPUCreditBalance", s, t, "Count", round(288 - r.random() * 0.5, 2))
            c.put(ns, "NetworkBytesOut", s, t, "Bytes", round(rpm(t) * 0.01 * 1e6))
        db = {"DBInstanceIdentifier": "pinecrest-pg"}
        c.put(
            "AWS/RDS",
            "CPUUtilization",
            db,
            t,
            "Percent",
            round(14 + 24 * rpm(t) / 6200 + sh * 45 + r.gauss(0, 1.5), 2),
        )
        c.put(
            "AWS/RDS",
            "DatabaseConnections",
            db,
            t,
            "Count",
            r.randint(150, 170) + (int(sh * 200) if sh > 0 else 0),
        )
        c.put("AWS/RDS", "ReadIOPS", db, t, "Count/Second", round(400 + 1200 * rpm(t) / 6200 + sh * 4000, 1))
        c.put("AWS/RDS", "ReadLatency", db, t, "Seconds", round(0.0008 + r.random() * 0.0004 + sh * 0.002, 6))
        t += timedelta(minutes=1)

    # --- logs ---------------------------------------------------------------------------------------------
    host = f"master.pinecrest-catalog-cache.{c.hex(6)}.euw2.cache.amazonaws.com"
    pids = {i: r.randint(11, 60) for i in web_ids}
    t = start
    while t <= now:
        for i in web_ids:
            sh = shaped(t)
            n_err = int(sh * 10 + r.random()) if sh > 0 else 0
            for _ in range(n_err):
                ts = t + timedelta(seconds=r.uniform(0, 59))
                path = r.choice(
                    ["/p/trail-runner-gtx-2/", "/c/tents/", "/p/alpine-down-jacket/", "/c/boots/", "/"]
                )
                c.log(
                    "/pinecrest/web/django",
                    f"pinecrest-web/{i}",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d}] ERROR "
                    f"django.request: Internal Server Error: {path}\nTraceback (most recent call last):\n"
                    '  File "/srv/pinecrest/venv/lib/python3.12/site-packages/redis/connection.py", line 550, in read_response\n'
                    "    response = self._parser.read_response(disable_decoding=disable_decoding)\n"
                    '  File "/srv/pinecrest/venv/lib/python3.12/site-packages/redis/_parsers/socket.py", line 65, in _read_from_socket\n'
                    '    raise TimeoutError("Timeout reading from socket")\n'
                    "redis.exceptions.TimeoutError: Timeout reading from socket\n\n"
                    "During handling of the above exception, another exception occurred:\n\n"
                    '  File "/srv/pinecrest/venv/lib/python3.12/site-packages/django_redis/cache.py", line 29, in _decorator\n'
                    "    raise e.__cause__\n"
                    f"redis.exceptions.TimeoutError: Timeout reading from {host}:6379",
                )
            if sh > 0 and r.random() < 0.6:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/pinecrest/web/django",
                    f"pinecrest-web/{i}",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d}] WARNING "
                    f"pinecrest.catalog.fragments: cache read failed for fragment "
                    f"product-grid:{r.randint(1000, 9999)}, rendering from database",
                )
            if t.minute % 10 == 0:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/pinecrest/web/django",
                    f"pinecrest-web/{i}",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d}] INFO "
                    f"pinecrest.stock.client: stock snapshot refreshed ({r.randint(18000, 18500)} skus)",
                )
            if r.random() < 0.25:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                code = 500 if r.random() < fail(t) * 3 else 200
                c.log(
                    "/pinecrest/web/gunicorn-access",
                    f"pinecrest-web/{i}",
                    ts,
                    f"10.{w.cidr2}.{r.randint(0, 2)}.{r.randint(10, 250)} - - [{ts.strftime('%d/%b/%Y:%H:%M:%S')} +0000] "
                    f'"GET /p/{r.choice(["trail-runner-gtx-2", "alpine-down-jacket", "dome-tent-3p"])}/ HTTP/1.1" {code} '
                    f'{r.randint(18000, 64000)} "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)" '
                    f"{int(lat(t) * 1e6 * r.uniform(0.5, 1.8))}",
                )
        _ = pids
        t += timedelta(minutes=1)

    # --- CloudTrail ---------------------------------------------------------------------------------------
    ci = c.role_identity("pinecrest-deployer", "codepipeline")
    ci["invokedBy"] = "codepipeline.amazonaws.com"
    dep = "d-" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    dep_at = send - timedelta(minutes=r.randint(110, 150))
    c.ct(
        dep_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "pinecrest-web",
            "deploymentGroupName": "pinecrest-web-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "pinecrest-pipeline-artifacts",
                    "key": f"pinecrest-web/BuildArtif/{c.hex(7)}",
                    "bundleType": "zip",
                },
            },
        },
        {"deploymentId": dep},
        agent="codepipeline.amazonaws.com",
        ip="codepipeline.amazonaws.com",
    )
    w.codedeploy(
        "pinecrest-web",
        "pinecrest-web-prod",
        dep,
        dep_at,
        dep_at + timedelta(minutes=14),
        web_n,
        "pinecrest-web-8000",
        "pinecrest-pipeline-artifacts",
        "pinecrest-web/BuildArtif",
        config="CodeDeployDefault.HalfAtATime",
        creator="user",
    )
    eng = c.sso_identity(
        r.choice(["harriet.cole", "sam.adeyemi", "ollie.grant"]), "AWSReservedSSO_DevOps_4c2b8e7a1d5f9360"
    )
    c.ct(
        send - timedelta(minutes=r.randint(30, 50)),
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        eng,
        {
            "cacheParameterGroupName": "pinecrest-sessions-redis7",
            "parameterNameValues": [{"parameterName": "timeout", "parameterValue": "300"}],
        },
        {"cacheParameterGroupName": "pinecrest-sessions-redis7"},
        agent="aws-cli/2.17.20 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off command/elasticache.modify-cache-parameter-group",
    )
    c.ct(
        send - timedelta(minutes=r.randint(5, 15)),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        eng,
        {"autoScalingGroupName": "stock-svc-prod", "maxSize": 4},
        None,
        agent="aws-cli/2.17.20 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off command/autoscaling.update-auto-scaling-group",
    )
    mk = c.role_identity("pinecrest-marketing-sender", "campaign-runner")
    for k in range(r.randint(3, 5)):
        c.ct(
            send + timedelta(seconds=k * r.randint(30, 90)),
            "ses.amazonaws.com",
            "SendBulkEmail",
            mk,
            {
                "fromEmailAddress": "hello@news.pinecrest.example",
                "defaultContent": {"template": {"templateName": f"newsletter-{day:%Y-%m-%d}"}},
                "configurationSetName": "marketing",
            },
            None,
            agent="aws-sdk-nodejs/2.1531.0 linux/v20.11.1 exec-env/AWS_ECS_FARGATE",
        )
    c.ct(
        burst_end + timedelta(minutes=r.randint(12, 25)),
        "elasticache.amazonaws.com",
        "DescribeEvents",
        eng,
        {"duration": 60},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    )
    c.readonly_noise(
        start,
        now,
        60,
        [
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ],
    )
    c.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": ses[1],
                "SourceType": "cache-cluster",
                "Message": "Snapshot succeeded for snapshot with ID 'automatic.pinecrest-sessions-002-"
                f"{day:%Y-%m-%d}-03-00' of replication group with ID 'pinecrest-sessions'",
                "Date": iso(day.replace(hour=3, minute=r.randint(5, 25))),
            },
        }
    )
    w.health_points(tg_arn, web_ids, 8000, start)
    w.health_points(itg_arn, st_ids, 8080, start)

    # --- alarms ---------------------------------------------------------------------------------------------
    t5 = (burst_end + timedelta(minutes=r.randint(4, 7))).replace(second=r.randint(3, 58))
    a5 = c.alarm(
        "pinecrest-storefront-5xx",
        "Storefront 5xx > 25 a minute for 3 minutes",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        missing="notBreaching",
        configured=w.built + timedelta(days=30),
        transitions=[
            (
                t5,
                "OK",
                "ALARM",
                threshold_reason(
                    "Sum",
                    float(r.randint(60, 300)),
                    25.0,
                    "GreaterThanThreshold",
                    3,
                    t5 - timedelta(minutes=1),
                ),
            )
        ],
    )
    td = t5 + timedelta(minutes=r.randint(2, 6))
    c.alarm(
        "pinecrest-pg-cpu",
        "Postgres CPU > 60% for 5 minutes",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": "pinecrest-pg"},
        "Average",
        60,
        5,
        60.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=30),
        transitions=[
            (
                td,
                "OK",
                "ALARM",
                threshold_reason(
                    "Average",
                    round(r.uniform(62, 75), 3),
                    60.0,
                    "GreaterThanThreshold",
                    5,
                    td - timedelta(minutes=1),
                ),
            )
        ],
    )
    c.alarm(
        "pinecrest-catalog-cache-engine-cpu",
        "catalog redis engine CPU > 80%",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": cat[0], "CacheNodeId": "0001"},
        "Average",
        300,
        2,
        80.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=60),
    )
    c.alarm(
        "pinecrest-catalog-cache-memory",
        "catalog redis memory > 85%",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": cat[0], "CacheNodeId": "0001"},
        "Maximum",
        300,
        1,
        85.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=60),
    )
    c.alarm(
        "pinecrest-web-cpu-high",
        "web fleet CPU high",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": "pinecrest-web-prod"},
        "Average",
        300,
        3,
        75.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=5),
    )
    c.alarm(
        "pinecrest-sessions-cpu-credits",
        "sessions redis CPU credits low",
        "AWS/ElastiCache",
        "CPUCreditBalance",
        {"CacheClusterId": ses[0], "CacheNodeId": "0001"},
        "Minimum",
        300,
        1,
        30.0,
        "LessThanThreshold",
        configured=w.built + timedelta(days=200),
        topic="pinecrest-low",
    )
    event = c.alarm_event(
        a5,
        t5,
        "OK",
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing "
        "datapoints were treated as [NonBreaching].",
        t5 - timedelta(hours=r.randint(20, 90)),
    )
    question = (
        "Product pages have been slow and throwing some 500s since the newsletter went out at 12. Traffic is up "
        "but the web boxes aren't maxed out and the DB is busier than usual - is it the database? We just need "
        "more capacity?"
    )
    return c.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": "pinecrest-catalog-cache",
                    "category": "limit",
                    "failure_mode": "elasticache-network-bandwidth-allowance-exceeded",
                },
                "also_accept": [
                    cat[0],
                    f"arn:aws:elasticache:{c.region}:{c.account}:replicationgroup:pinecrest-catalog-cache",
                ],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    "pinecrest-catalog-cache",
                    "pinecrest-web-prod",
                    "pinecrest-storefront",
                    "pinecrest-pg",
                ],
            },
        }
    )
