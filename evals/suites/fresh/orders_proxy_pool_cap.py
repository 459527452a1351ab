"""Lunchtime order placement times out: the RDS Proxy's pool ceiling was cut by hand an hour earlier."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzt import Kit, daily, iso, iso_ms, minutes

NAME = "orders-create-timeouts-at-lunch"
TITLE = "Order placement timing out over the lunch rush; database CPU is low"
SUMMARY = (
    "An engineer lowered the RDS Proxy target group's MaxConnectionsPercent; at the lunch peak Lambda "
    "callers wait for pooled connections and time out while the PostgreSQL instance sits idle."
)

SGT = timedelta(hours=8)


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-southeast-1")
    r = k.r
    day = k.day()
    peak_local = 12.5 + r.uniform(-0.2, 0.3)
    onset = day + timedelta(hours=peak_local - 0.45) - SGT  # UTC
    onset = onset.replace(second=0, microsecond=0)
    change_t = onset - timedelta(minutes=r.randint(14, 24), seconds=r.randint(0, 59))
    start = onset - timedelta(hours=4, minutes=r.randint(0, 30))
    now = onset + timedelta(minutes=r.randint(38, 52))
    peak_utc = peak_local - 8

    db = r.choice(["orders-pg", "orders-pg-prod", "ordersdb-main"])
    proxy = r.choice(["orders-proxy", "orders-db-proxy", "orders-rdsproxy"])
    env = r.choice(["prod", "production"])
    fn_create, fn_get, fn_worker = "orders-create", "orders-get", "orders-status-worker"
    max_conn = r.choice([844, 845, 843])
    old_pct, new_pct = r.choice([90, 100]), r.choice([10, 12, 15])
    old_allowed, new_allowed = max_conn * old_pct // 100, max_conn * new_pct // 100
    need_peak = new_allowed + r.randint(55, 90)  # DB connections the lunch peak needs at once
    host = f"{proxy}.proxy-c{k.hex(11)}.ap-southeast-1.rds.amazonaws.com"
    db_host = f"{db}.c{k.hex(11)}.ap-southeast-1.rds.amazonaws.com"
    proxy_ip = f"10.40.{r.randint(10, 13)}.{r.randint(10, 250)}"
    vpc, sg_db, sg_proxy, sg_fn = "vpc-" + k.hex(17), "sg-" + k.hex(17), "sg-" + k.hex(17), "sg-" + k.hex(17)
    subnets = ["subnet-" + k.hex(17) for _ in range(3)]
    dbi_res = "db-" + k.upper(26)
    proxy_res = "prx-" + k.hex(17)
    tg_arn = k.arn("rds", f"target-group:prx-tg-{k.hex(17)}")
    proxy_arn = k.arn("rds", f"db-proxy:{proxy_res}")
    secret_arn = k.arn("secretsmanager", f"secret:rds/{db}/app-{k.hex(6)}")
    created = day - timedelta(days=r.randint(200, 500))

    # ------------------------------------------------------------------ load model
    def demand(t: datetime) -> float:
        """Requests a minute to orders-create."""
        h = (t.hour + t.minute / 60) % 24
        base = 140 + 60 * (1 if 1 <= h <= 13 else 0.3)
        return base + 1500 * daily(t, peak_utc, 1.1) + 260 * daily(t, peak_utc - 3.2, 1.5) + k.noise(12)

    def needed(t: datetime) -> float:
        return 18 + (need_peak - 18) * (demand(t) - 180) / 1700

    def cap(t: datetime) -> int:
        return new_allowed if t >= change_t else old_allowed

    def starved(t: datetime) -> float:
        """Share of requests that wait past the Lambda timeout."""
        short = needed(t) - cap(t)
        return 0.0 if short <= 0 else min(0.6, short / needed(t) * 1.2)

    times = minutes(start, now)
    pd = {"ProxyName": proxy}
    tgd = {"ProxyName": proxy, "TargetGroup": "default", "Target": f"db:{db}"}
    k.series("AWS/RDS", "MaxDatabaseConnectionsAllowed", tgd, "Count", times, lambda t: float(cap(t)))
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        pd,
        "Count",
        times,
        lambda t: min(cap(t), needed(t) * 1.25 + k.noise(2)),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnectionsCurrentlyBorrowed",
        pd,
        "Count",
        times,
        lambda t: min(cap(t), needed(t) + k.noise(2)),
    )
    k.series(
        "AWS/RDS",
        "ClientConnections",
        pd,
        "Count",
        times,
        lambda t: 40 + demand(t) * 0.11 * (1 + 2.5 * starved(t)) + k.noise(3),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnectionsBorrowLatency",
        pd,
        "Microseconds",
        times,
        lambda t: 35 + abs(k.noise(6)) + 9_500_000 * starved(t) * (0.7 + 0.3 * r.random()),
    )
    k.series(
        "AWS/RDS",
        "QueryDatabaseResponseLatency",
        pd,
        "Microseconds",
        times,
        lambda t: 1900 + 300 * daily(t, peak_utc, 1.1) + abs(k.noise(150)),
    )
    k.series("AWS/RDS", "QueryRequests", pd, "Count", times, lambda t: demand(t) * 7.4 * (1 - starved(t)))
    dbd = {"DBInstanceIdentifier": db}
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        times,
        lambda t: 9 + 22 * min(needed(t), cap(t)) / need_peak + k.noise(1.2),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        times,
        lambda t: min(cap(t), needed(t) * 1.25) + 14 + k.noise(1),
    )
    k.series("AWS/RDS", "FreeableMemory", dbd, "Bytes", times, lambda t: 3.9e9 + k.noise(2.5e7))
    k.series("AWS/RDS", "ReadLatency", dbd, "Seconds", times, lambda t: 0.0009 + abs(k.noise(0.0002)))
    k.series("AWS/RDS", "WriteLatency", dbd, "Seconds", times, lambda t: 0.0014 + abs(k.noise(0.0003)))
    k.series("AWS/RDS", "WriteIOPS", dbd, "Count/Second", times, lambda t: 60 + demand(t) * 0.12 + k.noise(5))

    def fn_metrics(fn: str, share: float, dur: float) -> None:
        d = {"FunctionName": fn}
        k.series("AWS/Lambda", "Invocations", d, "Count", times, lambda t: round(demand(t) * share))
        k.series(
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            times,
            lambda t: round(demand(t) * share * (starved(t) + 0.0008 * r.random())),
        )
        k.series(
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            times,
            lambda t: dur * (1 + 0.15 * r.random()) * (1 - starved(t)) + 10005 * starved(t),
        )
        k.series(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            times,
            lambda t: demand(t) * share / 60 * (dur / 1000 * (1 - starved(t)) + 10 * starved(t)) + 1,
        )

    fn_metrics(fn_create, 1.0, 140)
    fn_metrics(fn_get, 2.6, 45)
    api = {"ApiName": f"orders-api-{env}"}
    k.series("AWS/ApiGateway", "Count", api, "Count", times, lambda t: round(demand(t) * 3.6))
    k.series(
        "AWS/ApiGateway",
        "5XXError",
        api,
        "Count",
        times,
        lambda t: round(demand(t) * 3.6 * starved(t) * 0.98 + r.random() * 0.6),
    )
    k.series(
        "AWS/ApiGateway",
        "Latency",
        api,
        "Milliseconds",
        times,
        lambda t: 95 + 40 * r.random() + 9000 * starved(t),
    )
    qd = {"QueueName": f"{fn_worker}-dlq"}
    blip = start + timedelta(minutes=r.randint(40, 80))
    k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        minutes(start, now, 300),
        lambda t: 2.0 if blip <= t < blip + timedelta(minutes=35) else 0.0,
    )

    # ------------------------------------------------------------------ alarms
    first_err = next(t for t in times if starved(t) > 0.05)
    alarm_t = first_err + timedelta(minutes=3, seconds=r.randint(5, 50))
    err_reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints "
        f"[{round(demand(alarm_t) * starved(alarm_t))}.0 ({alarm_t:%d/%m/%y %H:%M}:00)] "
        "were greater than or equal to the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    ok_reason = "Threshold Crossed: 3 out of the last 3 datapoints were not greater than or equal to the threshold (10.0)."
    err_alarm = k.alarm(
        f"{fn_create}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn_create},
        "Sum",
        60,
        3,
        10,
        "GreaterThanOrEqualToThreshold",
        [(day - timedelta(days=3), "OK", ok_reason), (alarm_t, "ALARM", err_reason)],
        created,
        description="orders-create failing; customers cannot place orders. Runbook: wiki/ORD/runbooks/orders-create",
        missing="notBreaching",
        topic="orders-oncall",
    )
    k.alarm(
        f"orders-api-{env}-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api,
        "Sum",
        300,
        1,
        50,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=9),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold",
            ),
            (
                alarm_t + timedelta(minutes=2, seconds=14),
                "ALARM",
                "Threshold Crossed: 1 datapoint [412.0] was greater than the threshold (50.0).",
            ),
        ],
        created,
        missing="notBreaching",
        topic="orders-oncall",
    )
    k.alarm(
        f"{db}-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=21),
                "OK",
                "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
            )
        ],
        created,
    )
    k.alarm(
        f"{fn_worker}-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=2),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold",
            ),
            (
                blip + timedelta(minutes=6),
                "ALARM",
                "Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).",
            ),
            (
                blip + timedelta(minutes=41),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
            ),
        ],
        created,
        missing="notBreaching",
    )
    k.alarm(
        f"{proxy}-client-connections",
        "AWS/RDS",
        "ClientConnections",
        pd,
        "Maximum",
        300,
        2,
        2000,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=30),
                "OK",
                "Threshold Crossed: 2 datapoints were not greater than the threshold (2000.0).",
            )
        ],
        created,
    )

    # ------------------------------------------------------------------ logs
    lg = f"/aws/lambda/{fn_create}"
    streams = [f"{iso(day)[:10].replace('-', '/')}/[$LATEST]{k.hex(32)}" for _ in range(6)]
    t = start
    while t < now:
        t += timedelta(seconds=r.randint(20, 70))
        st = r.choice(streams)
        rid = k.uid()
        if r.random() < starved(t):
            k.log(lg, st, t, f"START RequestId: {rid} Version: $LATEST\n")
            k.log(
                lg,
                st,
                t + timedelta(milliseconds=40),
                f"[INFO]\t{iso_ms(t)}\t{rid}\tcreate_order start tenant={r.randint(1000, 9999)} items={r.randint(1, 6)}\n",
            )
            end = t + timedelta(seconds=10, milliseconds=r.randint(2, 15))
            k.log(lg, st, end, f"{iso_ms(end)} {rid} Task timed out after 10.01 seconds\n\n")
            k.log(lg, st, end, f"END RequestId: {rid}\n")
            k.log(
                lg,
                st,
                end,
                f"REPORT RequestId: {rid}\tDuration: 10008.{r.randint(10, 99)} ms\tBilled Duration: 10000 ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {r.randint(88, 104)} MB\t\n",
            )
        else:
            d = 110 + r.random() * 90
            k.log(lg, st, t, f"START RequestId: {rid} Version: $LATEST\n")
            k.log(
                lg,
                st,
                t + timedelta(milliseconds=int(d)),
                f"[INFO]\t{iso_ms(t)}\t{rid}\torder created order_id=ord_{k.hex(12)} ms={int(d) - 3}\n",
            )
            k.log(lg, st, t + timedelta(milliseconds=int(d)), f"END RequestId: {rid}\n")
            k.log(
                lg,
                st,
                t + timedelta(milliseconds=int(d)),
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {r.randint(88, 104)} MB\t\n",
            )
    # a few psycopg2 errors where a retry hit the client connect_timeout while the proxy queued it
    for _ in range(4):
        t = first_err + timedelta(seconds=r.randint(30, int((now - first_err).total_seconds()) - 30))
        rid = k.uid()
        k.log(
            lg,
            r.choice(streams),
            t,
            f'[ERROR] OperationalError: connection to server at "{host}" ({proxy_ip}), port 5432 failed: '
            "timeout expired\n\nTraceback (most recent call last):\n"
            '  File "/var/task/handler.py", line 58, in handler\n    with db.connection() as conn:\n'
            '  File "/var/task/orders/db.py", line 31, in connection\n'
            "    _conn = psycopg2.connect(dsn, connect_timeout=5)\n",
        )

    # ------------------------------------------------------------------ CloudTrail
    eng = r.choice(["wei.lim", "arjun.nair", "siti.rahman", "daniel.tan"])
    ident = k.sso(eng, "DatabaseAdmin")
    culprit = k.trail(
        change_t,
        "rds.amazonaws.com",
        "ModifyDBProxyTargetGroup",
        ident,
        {
            "targetGroupName": "default",
            "dBProxyName": proxy,
            "connectionPoolConfig": {
                "maxConnectionsPercent": new_pct,
                "maxIdleConnectionsPercent": new_pct // 2,
            },
        },
        {
            "dBProxyTargetGroup": {
                "dBProxyName": proxy,
                "targetGroupName": "default",
                "targetGroupArn": tg_arn,
                "isDefault": True,
                "status": "available",
                "connectionPoolConfig": {
                    "maxConnectionsPercent": new_pct,
                    "maxIdleConnectionsPercent": new_pct // 2,
                    "connectionBorrowTimeout": 120,
                    "sessionPinningFilters": [],
                },
                "createdDate": f"{created:%b %d, %Y, %I:%M:%S %p}",
                "updatedDate": f"{change_t:%b %d, %Y, %I:%M:%S %p}",
            }
        },
        agent="console.amazonaws.com",
    )
    k.trail(
        change_t - timedelta(minutes=3),
        "rds.amazonaws.com",
        "DescribeDBProxyTargetGroups",
        ident,
        {"dBProxyName": proxy},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.trail(
        change_t + timedelta(seconds=40),
        "rds.amazonaws.com",
        "DescribeDBProxyTargets",
        ident,
        {"dBProxyName": proxy, "targetGroupName": "default"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    # innocent: a reporting role created earlier the same morning with its own direct connections
    pg = f"{db}-pg16"
    k.trail(
        change_t - timedelta(minutes=r.randint(50, 90)),
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        ident,
        {
            "dBParameterGroupName": pg,
            "parameters": [
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "500",
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBParameterGroupName": pg},
        agent="console.amazonaws.com",
    )
    ci = k.role("github-actions-orders-deploy", f"GitHubActions-{r.randint(1000000000, 9999999999)}")
    dep_t = change_t - timedelta(minutes=r.randint(8, 30))
    code_sha = k.hex(40)
    fn_arn = k.arn("lambda", f"function:{fn_get}")
    k.trail(
        dep_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn_get,
            "s3Bucket": f"orders-artifacts-{k.account}",
            "s3Key": f"{fn_get}/{code_sha}.zip",
            "publish": False,
        },
        {
            "functionName": fn_get,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "handler": "handler.handler",
            "codeSize": r.randint(2_000_000, 3_000_000),
            "timeout": 10,
            "memorySize": 512,
            "lastModified": iso(dep_t).replace("Z", ".000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.556.0",
    )
    k.trail(
        dep_t + timedelta(seconds=24),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        ci,
        {"functionName": fn_get},
        {
            "functionName": fn_get,
            "functionArn": f"{fn_arn}:{r.randint(60, 140)}",
            "version": str(r.randint(60, 140)),
        },
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.556.0",
    )
    k.trail(
        change_t + timedelta(minutes=r.randint(5, 12)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        k.sso(r.choice(["mei.ong", "rahul.k"]), "Developer"),
        {"dashboardName": "orders-overview"},
        None,
        agent="console.amazonaws.com",
    )
    proxy_role = k.role(f"{proxy}-secrets-role", proxy_res, invoked_by="rds.amazonaws.com")
    for i in range(6):
        k.trail(
            start + timedelta(minutes=37 * i + r.randint(0, 20)),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            proxy_role,
            {"secretId": secret_arn},
            None,
            read_only=True,
        )
    rds_calls: list[tuple[str, str, dict[str, object] | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("rds.amazonaws.com", "DescribeDBProxies", None),
        ("rds.amazonaws.com", "DescribeDBProxyTargets", {"dBProxyName": proxy}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("apigateway.amazonaws.com", "GetRestApis", None),
        ("sqs.amazonaws.com", "ListQueues", None),
    ]
    k.tooling(start, now, rds_calls, 46)

    # ------------------------------------------------------------------ resources
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.m6g.large",
            "Engine": "postgres",
            "EngineVersion": "16.3",
            "DBInstanceStatus": "available",
            "MasterUsername": "orders_admin",
            "DBName": "orders",
            "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z2G0U3KFCY8NZ5"},
            "AllocatedStorage": 200,
            "StorageType": "gp3",
            "Iops": 3000,
            "StorageThroughput": 125,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "18:00-18:30",
            "PreferredMaintenanceWindow": "sun:19:00-sun:19:30",
            "BackupRetentionPeriod": 7,
            "DBParameterGroups": [{"DBParameterGroupName": pg, "ParameterApplyStatus": "in-sync"}],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "AvailabilityZone": "ap-southeast-1a",
            "SecondaryAvailabilityZone": "ap-southeast-1b",
            "MultiAZ": True,
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DbiResourceId": dbi_res,
            "DBInstanceArn": k.arn("rds", f"db:{db}"),
            "PerformanceInsightsEnabled": True,
            "PerformanceInsightsRetentionPeriod": 7,
            "MonitoringInterval": 0,
        },
    )
    k.res(
        "rds",
        "DBProxy",
        {
            "DBProxyName": proxy,
            "DBProxyArn": proxy_arn,
            "Status": "available",
            "EngineFamily": "POSTGRESQL",
            "VpcId": vpc,
            "VpcSecurityGroupIds": [sg_proxy],
            "VpcSubnetIds": subnets,
            "Auth": [
                {
                    "AuthScheme": "SECRETS",
                    "SecretArn": secret_arn,
                    "IAMAuth": "DISABLED",
                    "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
                }
            ],
            "RoleArn": f"arn:aws:iam::{k.account}:role/{proxy}-secrets-role",
            "Endpoint": host,
            "RequireTLS": True,
            "IdleClientTimeout": 1800,
            "DebugLogging": False,
            "CreatedDate": iso(created + timedelta(days=20)),
            "UpdatedDate": iso(created + timedelta(days=20)),
        },
    )
    k.res(
        "rds",
        "DBProxyTargetGroup",
        {
            "DBProxyName": proxy,
            "TargetGroupName": "default",
            "TargetGroupArn": tg_arn,
            "IsDefault": True,
            "Status": "available",
            "ConnectionPoolConfig": {
                "MaxConnectionsPercent": new_pct,
                "MaxIdleConnectionsPercent": new_pct // 2,
                "ConnectionBorrowTimeout": 120,
                "SessionPinningFilters": [],
            },
            "CreatedDate": iso(created + timedelta(days=20)),
            "UpdatedDate": iso(change_t),
        },
    )
    k.res(
        "rds",
        "DBProxyTarget",
        {
            "TargetArn": k.arn("rds", f"db:{db}"),
            "Endpoint": db_host,
            "RdsResourceId": db,
            "Port": 5432,
            "Type": "RDS_INSTANCE",
            "Role": "READ_WRITE",
            "TargetHealth": {"State": "AVAILABLE"},
        },
    )
    k.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": pg,
            "ParameterName": "max_connections",
            "ParameterValue": "LEAST({DBInstanceClassMemory/9531392},5000)",
            "Source": "system",
            "ApplyType": "static",
            "DataType": "integer",
            "IsModifiable": True,
            "ApplyMethod": "pending-reboot",
        },
    )
    for fn, timeout, mem in ((fn_create, 10, 512), (fn_get, 10, 512), (fn_worker, 60, 256)):
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": k.arn("lambda", f"function:{fn}"),
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{k.account}:role/{fn}-exec",
                "Handler": "handler.handler",
                "CodeSize": r.randint(2_000_000, 3_000_000),
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (
                    dep_t if fn == fn_get else created + timedelta(days=r.randint(100, 190))
                ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": subnets, "SecurityGroupIds": [sg_fn], "VpcId": vpc},
                "Environment": {
                    "Variables": {"DB_HOST": host, "DB_NAME": "orders", "DB_SECRET_ARN": secret_arn}
                },
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.ap-southeast-1.amazonaws.com/{k.account}/{fn_worker}-dlq",
            "Attributes": {
                "QueueArn": k.arn("sqs", f"{fn_worker}-dlq"),
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "ApproximateNumberOfMessages": "0",
            },
        },
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": f"rds/{db}/app",
            "RotationEnabled": False,
            "LastChangedDate": iso(created + timedelta(days=19)),
            "LastAccessedDate": iso(day),
            "CreatedDate": iso(created + timedelta(days=19)),
        },
    )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": proxy,
            "category": "change",
            "failure_mode": "proxy-pool-max-connections-lowered",
            "event_id": culprit["eventID"],
        },
        "also_accept": [proxy_arn, tg_arn, f"{proxy}/default"],
        "actions": ["rollback"],
        "chain": [proxy, fn_create, f"orders-api-{env}"],
    }
    local = alarm_t + SGT + timedelta(minutes=r.randint(4, 9))
    question = (
        f"Customers are telling support they can't place orders since around {local - timedelta(minutes=14):%-I:%M}, "
        f"the app just spins. {fn_create} errors paged. The DB looks bored though, CPU is like 20%. "
        "Is it Lambda? We did push orders-get this morning."
    )
    event = k.alarm_event(
        err_alarm,
        alarm_t,
        err_reason,
        day - timedelta(days=3),
        ok_reason,
    )
    return k.bundle(TITLE, start, now, truth, question, "Asia/Singapore", event)
