"""Trip search erroring more and more through the morning, on a day tripdesk-web was deployed.

What happened: an engineer shrinking the staging MySQL instance lowered `max_connections` in the custom
DB parameter group, not noticing that production uses the same group. The parameter is dynamic, so it
applied at once; existing connections survived, and as HikariCP retired connections at their max lifetime
the pools could no longer refill, so requests waited for connections and failed.
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
    ok_reason,
    threshold_reason,
)

NAME = "tripdesk-search-errors-after-deploy"
TITLE = "Trip search erroring more and more since mid-morning; tripdesk-web was deployed earlier"
SUMMARY = (
    "A shared DB parameter group edit meant for staging lowered max_connections on the production MySQL; "
    "connection pools could not refill and the web tier returned growing 500s."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-1")
    r = c.rng
    day = datetime(2026, 2, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 40))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    change = day.replace(hour=10, minute=r.randint(5, 35), second=r.randint(0, 59))
    start = (change - timedelta(hours=3, minutes=50)).replace(second=0)
    now = (change + timedelta(minutes=r.randint(52, 64))).replace(second=0)
    engineer = r.choice(["daniel.kowalski", "aoife.brennan", "marcus.oyelaran", "sinead.farrell"])
    new_max = r.choice([150, 180, 200])
    web_n = r.choice([8, 9, 10])
    pool = 30
    rules_n = 3

    w = World(c, "tripdesk", day - timedelta(days=r.randint(400, 700)))
    w.security_group("tripdesk-alb", "public ALB", [(443, "0.0.0.0/0"), (80, "0.0.0.0/0")])
    w.security_group("tripdesk-web", "tripdesk-web instances", [(8080, "tripdesk-alb")])
    w.security_group("fare-rules-alb", "internal ALB for fare-rules", [(80, "tripdesk-web")])
    w.security_group("fare-rules", "fare-rules instances", [(8000, "fare-rules-alb")])
    w.security_group(
        "db", "tripdesk MySQL", [(3306, "tripdesk-web"), (3306, "fare-rules"), (3306, "10.0.0.0/8")]
    )
    w.security_group("cache", "tripdesk redis", [(6379, "tripdesk-web")])

    lt_web = launch_template(c, "tripdesk-web", r.randint(30, 60))
    lt_rules = launch_template(c, "fare-rules", r.randint(8, 20))
    web_ids = [
        w.instance(
            "tripdesk-web",
            "m6i.large",
            AZS[i % 3],
            "tripdesk-web",
            day - timedelta(days=r.randint(1, 9)),
            asg="tripdesk-web-prod",
            lt=lt_web,
        )
        for i in range(web_n)
    ]
    rules_ids = [
        w.instance(
            "fare-rules",
            "c6g.large",
            AZS[i % 3],
            "fare-rules",
            day - timedelta(days=r.randint(10, 30)),
            asg="fare-rules-prod",
            lt=lt_rules,
        )
        for i in range(rules_n)
    ]
    w.emit_instances()
    alb_arn, lb = w.load_balancer("tripdesk-prod", "internet-facing", "tripdesk-alb", w.built)
    ialb_arn, ilb = w.load_balancer("fare-rules-internal", "internal", "fare-rules-alb", w.built)
    tg_arn, tg = w.target_group("tripdesk-web-8080", 8080, "/actuator/health", alb_arn)
    itg_arn, itg = w.target_group("fare-rules-8000", 8000, "/healthz", ialb_arn)
    w.asg("tripdesk-web-prod", web_ids, tg_arn, lt_web, 6, 16, w.built)
    w.asg("fare-rules-prod", rules_ids, itg_arn, lt_rules, 3, 6, w.built)
    pg = "tripdesk-mysql80"
    prod = w.rds_instance("tripdesk-prod-mysql", "db.r6g.xlarge", "mysql", "8.0.39", pg, "a", w.built)
    w.rds_instance(
        "tripdesk-staging-mysql",
        "db.t4g.medium",
        "mysql",
        "8.0.39",
        pg,
        "b",
        w.built + timedelta(days=30),
        multi_az=False,
        storage=100,
    )
    w.redis("tripdesk-cache", "cache.r7g.large", w.built)
    for g, ret in (
        ("/tripdesk/web", 30),
        ("/tripdesk/fare-rules", 30),
        ("/aws/rds/instance/tripdesk-prod-mysql/error", 14),
    ):
        w.log_group(g, ret, w.built)
    # parameter group as it stands now
    params = [
        ("max_connections", str(new_max), "user", "dynamic", "integer", "1-100000"),
        (
            "innodb_buffer_pool_size",
            "{DBInstanceClassMemory*3/4}",
            "system",
            "static",
            "integer",
            "134217728-18446744073709551615",
        ),
        ("slow_query_log", "1", "user", "dynamic", "boolean", "0,1"),
        ("long_query_time", "2", "user", "dynamic", "float", "0-31536000"),
        ("wait_timeout", "600", "user", "dynamic", "integer", "1-31536000"),
        ("character_set_server", "utf8mb4", "user", "dynamic", "string", "big5,dec8,cp850,utf8mb3,utf8mb4"),
        ("binlog_format", "ROW", "user", "dynamic", "string", "ROW,STATEMENT,MIXED"),
    ]
    for name, val, src, apply, dt, allowed in params:
        c.res(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": pg,
                "ParameterName": name,
                "ParameterValue": val,
                "Description": name.replace("_", " "),
                "Source": src,
                "ApplyType": apply,
                "DataType": dt,
                "AllowedValues": allowed,
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot" if apply == "static" else "immediate",
            },
        )

    # --- timeline -----------------------------------------------------------------------------------------
    deploy_at = change - timedelta(minutes=r.randint(48, 70))
    deploy_done = deploy_at + timedelta(minutes=web_n * 2 + 3)
    staging_mod = change - timedelta(minutes=r.randint(9, 16))
    lifetime = 30.0  # HikariCP maxLifetime, minutes

    def conns(t: datetime) -> float:
        base = web_n * pool + rules_n * 20 + 6
        if t < change:
            return base + r.gauss(0, 2)
        frac = min(1.0, (t - change).total_seconds() / 60 / lifetime)
        v = base - (base - new_max) * frac
        return max(new_max - r.randint(0, 2), v + r.gauss(0, 2))

    def starved(t: datetime) -> float:
        """Share of requests that wait out the 30 s pool timeout."""
        if t < change + timedelta(minutes=4):
            return 0.0
        frac = min(1.0, (t - change).total_seconds() / 60 / lifetime)
        need = web_n * pool + rules_n * 20 + 6 - new_max
        return min(0.35, 0.45 * frac * need / (web_n * pool)) * (0.85 + 0.3 * r.random())

    def rpm(t: datetime) -> float:
        return diurnal(t, 0, 5200, 700) * (1.0 if t < deploy_at or t > deploy_done else 0.98)

    def lat(t: datetime) -> float:
        s = starved(t)
        return 0.11 + 0.02 * (rpm(t) / 5000) + s * 9

    def healthy(t: datetime) -> tuple[int, int]:
        if deploy_at <= t <= deploy_done:
            return (web_n - 1, 0)
        return (web_n, 0)

    alb_metrics(c, lb, tg, start, now, rpm, lambda t: starved(t) * 0.6 + 0.0004, lat, healthy)
    alb_metrics(
        c,
        ilb,
        itg,
        start,
        now,
        lambda t: rpm(t) * 1.7,
        lambda t: starved(t) * 0.25,
        lambda t: 0.018 + starved(t) * 3,
        lambda t: (rules_n, 0),
    )

    def web_cpu(i: str, t: datetime) -> float:
        return 14 + 26 * rpm(t) / 5200 * (1 - starved(t)) + r.gauss(0, 2)

    instance_metrics(c, w, web_ids, "tripdesk-web-prod", start, now, web_cpu, 63, 41)
    instance_metrics(
        c,
        w,
        rules_ids,
        "fare-rules-prod",
        start,
        now,
        lambda i, t: 9 + 18 * rpm(t) / 5200 + r.gauss(0, 1.5),
        48,
        29,
    )
    rds = "AWS/RDS"
    d_prod = {"DBInstanceIdentifier": "tripdesk-prod-mysql"}
    d_stg = {"DBInstanceIdentifier": "tripdesk-staging-mysql"}
    t = start
    while t <= now:
        load = rpm(t) / 5200 * (1 - starved(t) * 0.8)
        c.put(rds, "CPUUtilization", d_prod, t, "Percent", round(11 + 34 * load + r.gauss(0, 1.5), 2))
        c.put(rds, "DatabaseConnections", d_prod, t, "Count", round(conns(t)))
        c.put(rds, "FreeableMemory", d_prod, t, "Bytes", round(r.gauss(5.9e9, 4e7)))
        c.put(rds, "ReadIOPS", d_prod, t, "Count/Second", round(120 + 900 * load + r.gauss(0, 20), 2))
        c.put(rds, "WriteIOPS", d_prod, t, "Count/Second", round(80 + 300 * load + r.gauss(0, 12), 2))
        c.put(rds, "ReadLatency", d_prod, t, "Seconds", round(0.0009 + r.random() * 0.0003, 6))
        c.put(rds, "WriteLatency", d_prod, t, "Seconds", round(0.0014 + r.random() * 0.0004, 6))
        c.put(rds, "FreeStorageSpace", d_prod, t, "Bytes", round(2.31e11 - (t - start).total_seconds() * 900))
        if not (staging_mod - timedelta(minutes=1) < t < staging_mod + timedelta(minutes=9)):
            small = t > staging_mod
            c.put(rds, "CPUUtilization", d_stg, t, "Percent", round((19 if small else 4) + r.gauss(0, 3), 2))
            c.put(rds, "DatabaseConnections", d_stg, t, "Count", r.randint(8, 14))
            if small:
                c.put(
                    rds,
                    "CPUCreditBalance",
                    d_stg,
                    t,
                    "Count",
                    round(max(0.0, 144 - (t - staging_mod).total_seconds() / 60 * 0.2), 2),
                )
        c.put(
            "AWS/ElastiCache",
            "CPUUtilization",
            {"CacheClusterId": "tripdesk-cache-001", "CacheNodeId": "0001"},
            t,
            "Percent",
            round(4 + 6 * load + r.gauss(0, 0.5), 2),
        )
        c.put(
            "AWS/ElastiCache",
            "CurrConnections",
            {"CacheClusterId": "tripdesk-cache-001", "CacheNodeId": "0001"},
            t,
            "Count",
            web_n * 8 + r.randint(0, 3),
        )
        c.put(
            "AWS/ElastiCache",
            "CacheHitRate",
            {"CacheClusterId": "tripdesk-cache-001", "CacheNodeId": "0001"},
            t,
            "Percent",
            round(91 + r.gauss(0, 0.8), 2),
        )
        t += timedelta(minutes=1)

    # --- logs -----------------------------------------------------------------------------------------------
    pids = {i: r.randint(1800, 2600) for i in web_ids}
    t = start
    while t <= now:
        for i in web_ids:
            if t.minute % 5 == 0:
                c.log(
                    "/tripdesk/web",
                    f"{i}/application.log",
                    t + timedelta(seconds=r.uniform(0, 59)),
                    f"{(t + timedelta(seconds=3)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  INFO {pids[i]} --- [tripdesk-web] "
                    f"[   scheduling-1] c.t.web.cache.FareCacheWarmer          : refreshed {r.randint(380, 460)} "
                    f"fare tables from fare-rules in {r.randint(180, 420)} ms",
                )
            if r.random() < 0.05:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/tripdesk/web",
                    f"{i}/application.log",
                    ts,
                    f"{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  WARN {pids[i]} --- [tripdesk-web] "
                    f"[nio-8080-exec-{r.randint(1, 200)}] .m.m.a.ExceptionHandlerExceptionResolver : Resolved "
                    "[org.springframework.web.method.annotation.MethodArgumentTypeMismatchException: Failed to "
                    "convert value of type 'java.lang.String' to required type 'java.time.LocalDate'; Text "
                    "'2026-13-01' could not be parsed: Invalid value for MonthOfYear (valid values 1 - 12): 13]",
                )
            s = starved(t)
            if s > 0:
                for _ in range(int(s * 14 + r.random())):
                    ts = t + timedelta(seconds=r.uniform(0, 59))
                    stamp = f"{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"
                    active = pool - r.randint(0, 4) if t > change + timedelta(minutes=20) else pool
                    total = max(1, int(pool * new_max / (web_n * pool + rules_n * 20)) + r.randint(-2, 2))
                    total = min(
                        pool, total if t > change + timedelta(minutes=lifetime) else max(total, active - 6)
                    )
                    c.log(
                        "/tripdesk/web",
                        f"{i}/application.log",
                        ts,
                        f"{stamp} ERROR {pids[i]} --- [tripdesk-web] [nio-8080-exec-{r.randint(1, 200)}] "
                        "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] "
                        "in context with path [] threw exception [Request processing failed: "
                        "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA "
                        "EntityManager for transaction] with root cause\n"
                        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request "
                        f"timed out after 30000ms (total={total}, active={total}, idle=0, waiting={r.randint(4, 60)})\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)\n"
                        "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)\n"
                        "\t... 112 common frames omitted\n"
                        "Caused by: java.sql.SQLNonTransientConnectionException: Data source rejected establishment of "
                        'connection,  message from server: "Too many connections"\n'
                        "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:111)\n"
                        "\tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:823)",
                    )
                if r.random() < s:
                    ts = t + timedelta(seconds=r.uniform(0, 59))
                    c.log(
                        "/tripdesk/web",
                        f"{i}/application.log",
                        ts,
                        f"{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  WARN {pids[i]} --- [tripdesk-web] "
                        "[l-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation "
                        f"or clock leap detected (housekeeper delta=1m{r.randint(2, 40)}s{r.randint(1, 900)}ms).",
                    )
        t += timedelta(minutes=1)
    # deploy logs
    for k, i in enumerate(web_ids):
        ts = deploy_at + timedelta(minutes=2 * k + 1, seconds=r.randint(5, 50))
        pids[i] += 0
        c.log(
            "/tripdesk/web",
            f"{i}/application.log",
            ts,
            f"{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  INFO {pids[i]} --- [tripdesk-web] [           main] "
            f"c.t.web.TripdeskWebApplication         : Started TripdeskWebApplication in {r.uniform(24, 39):.3f} "
            f"seconds (process running for {r.uniform(26, 42):.3f})",
        )
    for i in rules_ids:
        t = start
        while t <= now:
            if r.random() < 0.3:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/tripdesk/fare-rules",
                    f"{i}/gunicorn.log",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{r.randint(900, 990)}] [INFO] "
                    f"rules cache hit ratio {r.uniform(0.96, 0.995):.3f}",
                )
            if starved(t) > 0 and r.random() < starved(t) * 1.5:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/tripdesk/fare-rules",
                    f"{i}/gunicorn.log",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{r.randint(900, 990)}] [ERROR] Exception on "
                    "/v2/rules/resolve [POST]\nTraceback (most recent call last):\n"
                    '  File "/opt/fare-rules/venv/lib/python3.11/site-packages/sqlalchemy/pool/base.py", line 896, in __connect\n'
                    "    self.dbapi_connection = connection = pool._invoke_creator(self)\n"
                    "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1040, 'Too many connections')",
                )
            t += timedelta(minutes=1)

    # --- CloudTrail ------------------------------------------------------------------------------------------
    eng = c.sso_identity(engineer, "AWSReservedSSO_PlatformEngineer_5d1e7a2c9b3f4e60")
    ci = c.role_identity("github-actions-tripdesk-deploy", "GitHubActions")
    dep_id = "d-" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    c.ct(
        deploy_at - timedelta(seconds=40),
        "s3.amazonaws.com",
        "GetBucketLocation",
        ci,
        {
            "bucketName": "tripdesk-artifacts-eu-west-1",
            "location": "",
            "Host": "tripdesk-artifacts-eu-west-1.s3.eu-west-1.amazonaws.com",
        },
        None,
        read_only=True,
        agent="aws-cli/2.15.30 md/command#deploy.push",
    )
    c.ct(
        deploy_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "tripdesk-web",
            "deploymentGroupName": "tripdesk-web-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "tripdesk-artifacts-eu-west-1",
                    "key": f"tripdesk-web/release-{r.randint(700, 799)}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "description": "tripdesk-web main@" + c.hex(7),
        },
        {"deploymentId": dep_id},
        agent="aws-cli/2.15.30 md/command#deploy.create-deployment",
        ip="20.61.102.7",
    )
    w.codedeploy(
        "tripdesk-web",
        "tripdesk-web-prod",
        dep_id,
        deploy_at,
        deploy_done,
        web_n,
        "tripdesk-web-8080",
        "tripdesk-artifacts-eu-west-1",
        "tripdesk-web/release.zip",
    )
    c.ct(
        staging_mod - timedelta(minutes=3),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        eng,
        {"dBInstanceIdentifier": "tripdesk-staging-mysql"},
        None,
        read_only=True,
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.ct(
        staging_mod,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        eng,
        {
            "dBInstanceIdentifier": "tripdesk-staging-mysql",
            "dBInstanceClass": "db.t4g.medium",
            "applyImmediately": True,
        },
        {
            "dBInstanceIdentifier": "tripdesk-staging-mysql",
            "dBInstanceClass": "db.t4g.large",
            "engine": "mysql",
            "dBInstanceStatus": "available",
            "pendingModifiedValues": {"dBInstanceClass": "db.t4g.medium"},
            "multiAZ": False,
            "engineVersion": "8.0.39",
            "dBParameterGroups": [{"dBParameterGroupName": pg, "parameterApplyStatus": "in-sync"}],
        },
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.ct(
        change - timedelta(minutes=2),
        "rds.amazonaws.com",
        "DescribeDBParameters",
        eng,
        {"dBParameterGroupName": pg, "source": "user"},
        None,
        read_only=True,
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    culprit = c.ct(
        change,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        eng,
        {
            "dBParameterGroupName": pg,
            "parameters": [
                {
                    "parameterName": "max_connections",
                    "parameterValue": str(new_max),
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBParameterGroupName": pg},
        agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    others = c.sso_identity("tomas.rey", "AWSReservedSSO_PlatformEngineer_5d1e7a2c9b3f4e60")
    c.ct(
        start + timedelta(minutes=r.randint(20, 60)),
        "ssm.amazonaws.com",
        "PutParameter",
        others,
        {"name": "/tripdesk/web/feature/price-alerts", "type": "String", "overwrite": True},
        {"version": r.randint(3, 12), "tier": "Standard"},
    )
    c.ct(
        change - timedelta(minutes=r.randint(25, 35)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        others,
        {
            "groupId": w.sg["db"],
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 3306,
                        "toPort": 3306,
                        "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8", "description": "vpn users"}]},
                    }
                ]
            },
        },
        {
            "requestId": c.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.account,
                        "groupId": w.sg["db"],
                        "securityGroupRuleId": c.rid("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 3306,
                        "toPort": 3306,
                        "cidrIpv4": "10.0.0.0/8",
                        "description": "vpn users",
                    }
                ]
            },
        },
    )
    c.ct(
        change + timedelta(minutes=r.randint(6, 15)),
        "sns.amazonaws.com",
        "Subscribe",
        others,
        {
            "topicArn": f"arn:aws:sns:{c.region}:{c.account}:tripdesk-nonprod",
            "protocol": "email",
            "endpoint": "platform-alerts@tripdesk.example",
            "returnSubscriptionArn": False,
        },
        {"subscriptionArn": "pending confirmation"},
    )
    asg_role = c.role_identity("tripdesk-ops-scheduler", "scheduled-scaling")
    c.ct(
        start + timedelta(minutes=r.randint(90, 120)),
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        asg_role,
        {
            "autoScalingGroupName": "fare-rules-prod",
            "scheduledActionName": "weekend-min",
            "recurrence": "0 20 * * 5",
            "minSize": 3,
            "desiredCapacity": 3,
        },
        None,
        agent="Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 lang/python#3.11.8 exec-env/AWS_Lambda_python3.11",
    )
    c.readonly_noise(
        start,
        now,
        70,
        [
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
        ],
    )

    # --- RDS events ----------------------------------------------------------------------------------------
    stg_arn = f"arn:aws:rds:{c.region}:{c.account}:db:tripdesk-staging-mysql"
    pg_arn = f"arn:aws:rds:{c.region}:{c.account}:pg:{pg}"
    for when, sid, stype, msg, cat, arn in (
        (
            staging_mod + timedelta(seconds=30),
            "tripdesk-staging-mysql",
            "db-instance",
            "Applying modification to database instance class",
            ["configuration change"],
            stg_arn,
        ),
        (
            staging_mod + timedelta(minutes=7),
            "tripdesk-staging-mysql",
            "db-instance",
            "DB instance shutdown",
            ["availability"],
            stg_arn,
        ),
        (
            staging_mod + timedelta(minutes=8),
            "tripdesk-staging-mysql",
            "db-instance",
            "DB instance restarted",
            ["availability"],
            stg_arn,
        ),
        (
            staging_mod + timedelta(minutes=9),
            "tripdesk-staging-mysql",
            "db-instance",
            "Finished applying modification to DB instance class",
            ["configuration change"],
            stg_arn,
        ),
        (
            change + timedelta(seconds=2),
            pg,
            "db-parameter-group",
            f"Updated parameter max_connections to {new_max} with apply method immediate",
            ["configuration change"],
            pg_arn,
        ),
    ):
        c.events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": sid,
                    "SourceType": stype,
                    "Message": msg,
                    "EventCategories": cat,
                    "Date": iso(when),
                    "SourceArn": arn,
                },
            }
        )
    for ids_, arn_, port in ((web_ids, tg_arn, 8080), (rules_ids, itg_arn, 8000)):
        w.health_points(arn_, ids_, port, start)
    for k, i in enumerate(web_ids):
        w.health_points(
            tg_arn,
            [i],
            8080,
            deploy_at + timedelta(minutes=2 * k),
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        w.health_points(
            tg_arn,
            [i],
            8080,
            deploy_at + timedelta(minutes=2 * k + 1),
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        w.health_points(tg_arn, [i], 8080, deploy_at + timedelta(minutes=2 * k + 2))

    # --- alarms ---------------------------------------------------------------------------------------------
    t5 = (change + timedelta(minutes=r.randint(13, 17))).replace(second=r.randint(10, 50))
    a5 = c.alarm(
        "tripdesk-prod-target-5xx",
        "tripdesk-web returning 5xx (ALB target errors > 40/min for 3 min)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Sum",
        60,
        3,
        40.0,
        "GreaterThanThreshold",
        missing="notBreaching",
        configured=w.built + timedelta(days=90),
        transitions=[
            (
                t5,
                "OK",
                "ALARM",
                threshold_reason(
                    "Sum",
                    float(r.randint(60, 140)),
                    40.0,
                    "GreaterThanThreshold",
                    3,
                    t5 - timedelta(minutes=1),
                ),
            )
        ],
    )
    tl = t5 + timedelta(minutes=r.randint(3, 8))
    c.alarm(
        "tripdesk-prod-latency",
        "tripdesk ALB average response time above 1.5 s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Average",
        60,
        5,
        1.5,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=90),
        transitions=[
            (
                tl,
                "OK",
                "ALARM",
                threshold_reason(
                    "Average",
                    round(r.uniform(1.7, 3.1), 3),
                    1.5,
                    "GreaterThanThreshold",
                    5,
                    tl - timedelta(minutes=1),
                ),
            )
        ],
    )
    c.alarm(
        "tripdesk-prod-mysql-cpu",
        "prod MySQL CPU > 80% for 10 min",
        rds,
        "CPUUtilization",
        d_prod,
        "Average",
        60,
        10,
        80.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=20),
    )
    c.alarm(
        "tripdesk-prod-mysql-connections",
        "prod MySQL connections above 600",
        rds,
        "DatabaseConnections",
        d_prod,
        "Maximum",
        60,
        5,
        600.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=20),
    )
    c.alarm(
        "tripdesk-prod-mysql-free-storage",
        "prod MySQL free storage below 20 GiB",
        rds,
        "FreeStorageSpace",
        d_prod,
        "Minimum",
        300,
        1,
        21474836480.0,
        "LessThanThreshold",
        configured=w.built + timedelta(days=20),
    )
    c.alarm(
        "fare-rules-unhealthy-hosts",
        "fare-rules internal targets unhealthy",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": itg, "LoadBalancer": ilb},
        "Maximum",
        60,
        3,
        0.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=60),
    )
    ts1 = staging_mod + timedelta(minutes=r.randint(14, 20))
    ts2 = ts1 + timedelta(minutes=r.randint(6, 12))
    c.alarm(
        "tripdesk-staging-mysql-cpu",
        "staging MySQL CPU > 15%",
        rds,
        "CPUUtilization",
        d_stg,
        "Average",
        300,
        1,
        15.0,
        "GreaterThanThreshold",
        topic="tripdesk-nonprod",
        configured=w.built + timedelta(days=40),
        transitions=[
            (
                ts1,
                "OK",
                "ALARM",
                threshold_reason(
                    "Average",
                    round(r.uniform(18, 24), 3),
                    15.0,
                    "GreaterThanThreshold",
                    1,
                    ts1 - timedelta(minutes=5),
                ),
            ),
            (
                ts2,
                "ALARM",
                "OK",
                ok_reason(
                    round(r.uniform(11, 14), 3), 15.0, "GreaterThanThreshold", ts2 - timedelta(minutes=5)
                ),
            ),
        ]
        if ts2 < now
        else None,
    )
    c.alarm(
        "tripdesk-cache-cpu",
        "tripdesk redis CPU > 70%",
        "AWS/ElastiCache",
        "CPUUtilization",
        {"CacheClusterId": "tripdesk-cache-001", "CacheNodeId": "0001"},
        "Average",
        300,
        2,
        70.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=60),
    )
    event = c.alarm_event(
        a5,
        t5,
        "OK",
        ok_reason(float(r.randint(0, 3)), 40.0, "GreaterThanThreshold", t5 - timedelta(minutes=2)),
        w.built + timedelta(days=r.randint(100, 300)),
    )
    _ = prod
    local = now + timedelta(hours=0)
    question = (
        f"Customers are getting 'Something went wrong' on trip search and it's been getting worse since about "
        f"{(change + timedelta(minutes=8)).strftime('%H:%M')}. We pushed a tripdesk-web release this morning - "
        f"should we roll it back? ({local.strftime('%H:%M')} now)"
    )
    return c.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "Europe/Dublin"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg,
                    "category": "change",
                    "failure_mode": "db-max-connections-lowered",
                    "event_id": culprit,
                },
                "also_accept": [pg_arn],
                "actions": ["rollback", "reconfigure"],
                "chain": [pg, "tripdesk-prod-mysql", "tripdesk-web-prod", "tripdesk-prod"],
            },
        }
    )
