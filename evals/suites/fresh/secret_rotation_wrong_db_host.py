"""The ledger API's database password is rotated on demand; the rotation function changes the password on
the database instance named in the secret, which is the retired instance the service moved off weeks ago.
Once the service refreshes its cached credentials, new connections to the live instance fail."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_d import (
    TF_UA,
    Ctx,
    J,
    alb,
    alb_metrics,
    background_trail,
    cli_ua,
    ct,
    diurnal,
    ecs_cluster,
    ecs_task,
    grid,
    iam_role,
    iso,
    lambda_function,
    lambda_invocation,
    lambda_stream,
    log_group,
    network,
    private_ip,
    py_ts,
    role_session,
    service_principal,
    sso_user,
    target_group,
    task_id,
    task_ip,
)

NAME = "secret-rotation-wrong-db-host"
TITLE = "ledger-api 5xx climbing after the database credentials were rotated"
SUMMARY = (
    "An on-demand rotation of the ledger DB secret set the new password on the retired instance the "
    "secret still names; ledger-api picked up the new password and its connections to the live instance fail."
)


def _pg_line(t: datetime, ip: str, port: int, user: str, db: str, pid: int, level: str, text: str) -> str:
    """RDS PostgreSQL's log_line_prefix %t:%r:%u@%d:[%p]: (background processes have no host or user)."""
    host = f"{ip}({port})" if ip else ""
    return f"{t:%Y-%m-%d %H:%M:%S} UTC:{host}:{user}@{db}:[{pid}]:{level}:  {text}"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed)
    rng = ctx.rng
    day = ctx.day()
    onset = day.replace(hour=rng.randrange(13, 20), minute=rng.randrange(0, 60))
    t_rot = onset - timedelta(minutes=rng.randrange(5, 8), seconds=rng.randrange(60))
    start = onset - timedelta(hours=6, minutes=rng.randrange(0, 40))
    fine = onset - timedelta(hours=3)
    migrated = day - timedelta(days=rng.randrange(15, 30))
    last_rotation = migrated - timedelta(days=rng.randrange(5, 20))
    points = grid(start, onset + timedelta(hours=2), fine)
    org = rng.choice(["tally", "quill", "northwind", "brightpay", "ferro"])
    cluster = "payments-prod"
    service = "ledger-api"
    net = network(ctx)
    peak = rng.uniform(15.0, 18.0)
    base_rpm = rng.uniform(700, 1300)

    # --- resources --------------------------------------------------------------------------------
    lb, lb_dim = alb(ctx, "ledger-prod", net, day - timedelta(days=400))
    tg, tg_dim = target_group(
        ctx, "ledger-api-prod", net, lb["LoadBalancerArn"], port=8080, health_path="/actuator/health/liveness"
    )
    ecs_cluster(ctx, cluster, services=4, tasks=11)
    task_role = iam_role(
        ctx, "ledger-api-task", "ecs-tasks.amazonaws.com", day - timedelta(days=420), last_used=onset
    )
    exec_role_arn = f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole"
    rot_role = iam_role(
        ctx, "ledger-db-rotation-lambda", "lambda.amazonaws.com", day - timedelta(days=300), last_used=t_rot
    )
    suffix = ctx.alnum(12)
    old_db, new_db = "ledger-db-prod", "ledger-db-prod-pg16"
    old_host = f"{old_db}.{suffix}.{ctx.region}.rds.amazonaws.com"
    new_host = f"{new_db}.{suffix}.{ctx.region}.rds.amazonaws.com"
    image = f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/ledger-api:2.{rng.randrange(30, 60)}.{rng.randrange(0, 9)}"
    secret_name = "prod/ledger-api/postgres"
    secret_arn = ctx.arn("secretsmanager", f"secret:{secret_name}-{ctx.letters(6)}")
    rot_fn = "ledger-db-rotation"
    taskdef_rev = rng.randrange(80, 140)
    taskdef_arn = ctx.arn("ecs", f"task-definition/{service}:{taskdef_rev}")
    ctx.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": taskdef_arn,
            "family": service,
            "revision": taskdef_rev,
            "taskRoleArn": task_role["Arn"],
            "executionRoleArn": exec_role_arn,
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "registeredAt": iso(day - timedelta(days=rng.randrange(2, 9), hours=5)),
            "containerDefinitions": [
                {
                    "name": service,
                    "image": image,
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "environment": [
                        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                        {"name": "LEDGER_DB_HOST", "value": new_host},
                        {"name": "LEDGER_DB_NAME", "value": "ledger"},
                        {"name": "LEDGER_DB_SECRET_ID", "value": secret_name},
                        {"name": "LEDGER_DB_CREDENTIALS_REFRESH", "value": "PT5M"},
                        {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{service}",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": service,
                        },
                    },
                }
            ],
        },
    )
    tasks = [
        ecs_task(
            ctx,
            cluster,
            service,
            taskdef_arn,
            net,
            i % 3,
            day - timedelta(days=2, hours=rng.randrange(0, 20)),
            image=image,
            container=service,
        )
        for i in range(3)
    ]
    svc_arn = ctx.arn("ecs", f"service/{cluster}/{service}")
    ctx.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": service,
            "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [
                {"targetGroupArn": tg["TargetGroupArn"], "containerName": service, "containerPort": 8080}
            ],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": taskdef_arn,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                    "status": "PRIMARY",
                    "taskDefinition": taskdef_arn,
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "failedTasks": 0,
                    "createdAt": iso(day - timedelta(days=2, hours=21)),
                    "updatedAt": iso(day - timedelta(days=2, hours=20)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [
                {
                    "id": ctx.uuid(),
                    "createdAt": iso(onset - timedelta(hours=h, minutes=rng.randrange(60))),
                    "message": f"(service {service}) has reached a steady state.",
                }
                for h in (1, 7)
            ],
            "createdAt": iso(day - timedelta(days=500)),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": net.subnets,
                    "securityGroups": [net.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableExecuteCommand": False,
        },
    )
    for task in tasks:
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg["TargetGroupArn"],
                "target": {"Id": task_ip(task), "Port": 8080, "AvailabilityZone": task["availabilityZone"]},
                "health": {"State": "healthy"},
                "timestamp": task["startedAt"],
            },
        )

    db_sg = f"sg-0{ctx.hex(16)}"
    subnet_group = {
        "DBSubnetGroupName": "ledger-db-private",
        "DBSubnetGroupDescription": "ledger database subnets",
        "VpcId": net.vpc,
        "SubnetGroupStatus": "Complete",
        "Subnets": [
            {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": az}, "SubnetStatus": "Active"}
            for s, az in zip(net.subnets, net.azs, strict=True)
        ],
    }

    def db_item(ident: str, host: str, version: str, klass: str, created: datetime, az: str) -> J:
        return {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": klass,
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "ledger_admin",
            "DBName": "ledger",
            "Endpoint": {"Address": host, "Port": 5432, "HostedZoneId": ctx.key_id("Z", 13)},
            "AllocatedStorage": 500,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "03:10-03:40",
            "BackupRetentionPeriod": 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [
                {
                    "DBParameterGroupName": f"ledger-postgres{version.split('.')[0]}",
                    "ParameterApplyStatus": "in-sync",
                }
            ],
            "AvailabilityZone": az,
            "DBSubnetGroup": subnet_group,
            "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
            "PendingModifiedValues": {},
            "LatestRestorableTime": iso(onset + timedelta(minutes=25)),
            "MultiAZ": True,
            "EngineVersion": version,
            "AutoMinorVersionUpgrade": True,
            "LicenseModel": "postgresql-license",
            "Iops": 12000,
            "StorageThroughput": 500,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": ctx.arn("kms", f"key/{ctx.uuid()}"),
            "DbiResourceId": "db-" + ctx.alnum(26, upper=True),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 60,
            "DBInstanceArn": ctx.arn("rds", f"db:{ident}"),
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": True,
            "DeletionProtection": True,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "TagList": [{"Key": "service", "Value": "ledger"}, {"Key": "env", "Value": "prod"}],
            "BackupTarget": "region",
            "NetworkType": "IPV4",
        }

    ctx.res(
        "rds",
        "DBInstance",
        db_item(old_db, old_host, "13.14", "db.r6g.xlarge", day - timedelta(days=900), net.azs[0]),
    )
    ctx.res("rds", "DBInstance", db_item(new_db, new_host, "16.3", "db.r7g.xlarge", migrated, net.azs[1]))

    rot_fn_item = lambda_function(
        ctx,
        rot_fn,
        role_arn=rot_role["Arn"],
        runtime="python3.12",
        handler="lambda_function.lambda_handler",
        memory=128,
        timeout=30,
        modified=day - timedelta(days=300),
        env={
            "SECRETS_MANAGER_ENDPOINT": f"https://secretsmanager.{ctx.region}.amazonaws.com",
            "EXCLUDE_CHARACTERS": "/@\"'\\",
        },
        description="Conducts an AWS SecretsManager secret rotation for RDS PostgreSQL using single user rotation scheme",
        vpc={"SubnetIds": net.subnets[:2], "SecurityGroupIds": [f"sg-0{ctx.hex(16)}"], "VpcId": net.vpc},
        arch="x86_64",
    )
    new_ver, old_ver = ctx.uuid(), ctx.uuid()
    rot_done = t_rot + timedelta(seconds=rng.uniform(4, 7))
    ctx.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": secret_name,
            "Description": "ledger-api application user for the ledger PostgreSQL database",
            "RotationEnabled": True,
            "RotationLambdaARN": rot_fn_item["FunctionArn"],
            "RotationRules": {"AutomaticallyAfterDays": 90},
            "LastRotatedDate": iso(rot_done),
            "LastChangedDate": iso(rot_done),
            "LastAccessedDate": iso(day.replace(hour=0, minute=0)),
            "NextRotationDate": iso((rot_done + timedelta(days=90)).replace(hour=23, minute=59, second=59)),
            "Tags": [{"Key": "service", "Value": "ledger"}, {"Key": "owner", "Value": "payments-platform"}],
            "SecretVersionsToStages": {new_ver: ["AWSCURRENT"], old_ver: ["AWSPREVIOUS"]},
            "CreatedDate": iso(day - timedelta(days=700)),
        },
    )
    ctx.res(
        "secretsmanager",
        "SecretVersion",
        {
            "SecretId": secret_arn,
            "VersionId": new_ver,
            "VersionStages": ["AWSCURRENT"],
            "LastAccessedDate": iso(day.replace(hour=0, minute=0)),
            "CreatedDate": iso(t_rot + timedelta(seconds=1.2)),
            "KmsKeyIds": ["DefaultEncryptionKey"],
        },
    )
    ctx.res(
        "secretsmanager",
        "SecretVersion",
        {
            "SecretId": secret_arn,
            "VersionId": old_ver,
            "VersionStages": ["AWSPREVIOUS"],
            "LastAccessedDate": iso(day.replace(hour=0, minute=0)),
            "CreatedDate": iso(last_rotation),
            "KmsKeyIds": ["DefaultEncryptionKey"],
        },
    )
    for g in (
        f"/ecs/{service}",
        f"/aws/lambda/{rot_fn}",
        f"/aws/rds/instance/{new_db}/postgresql",
        f"/aws/rds/instance/{old_db}/postgresql",
    ):
        log_group(ctx, g, day - timedelta(days=300), retention=30)

    # --- metrics ----------------------------------------------------------------------------------
    ramp = timedelta(minutes=rng.randrange(12, 20))
    ceiling = rng.uniform(0.55, 0.8)

    def fail_share(t: datetime) -> float:
        if t < onset:
            return 0.0
        return min(ceiling, 0.04 + ceiling * (t - onset) / ramp)

    def rate(t: datetime) -> float:
        return base_rpm * ctx.jitter(diurnal(t, peak), 0.04)

    def e5xx(t: datetime, step: int, n: int) -> int:
        share = fail_share(t)
        return ctx.count(n * share) if share else (1 if rng.random() < 0.04 else 0)

    alb_metrics(
        ctx,
        lb_dim,
        tg_dim,
        points,
        rate,
        target_5xx=e5xx,
        latency=lambda t: rng.uniform(0.045, 0.07) + (1.4 * fail_share(t)),
        healthy=lambda t: 3,
    )

    ecs_dims = {"ClusterName": cluster, "ServiceName": service}
    for t, step in points:
        ctx.put(
            "AWS/ECS", "CPUUtilization", ecs_dims, t, "Percent", ctx.jitter(31 - 12 * fail_share(t), 0.08)
        )
        ctx.put("AWS/ECS", "MemoryUtilization", ecs_dims, t, "Percent", ctx.jitter(58, 0.02))
        pool = 3 * 20
        live = pool * (1 - 0.9 * fail_share(t)) + 6
        for ident, conns, cpu in ((new_db, live, 24 - 10 * fail_share(t)), (old_db, 0.0, 2.1)):
            d = {"DBInstanceIdentifier": ident}
            c = conns
            if ident == old_db and t_rot - timedelta(minutes=1) < t <= t_rot:
                c = 1.0
            ctx.put("AWS/RDS", "DatabaseConnections", d, t, "Count", round(ctx.jitter(c, 0.03)) if c else 0)
            ctx.put("AWS/RDS", "CPUUtilization", d, t, "Percent", ctx.jitter(cpu, 0.1))
            ctx.put(
                "AWS/RDS",
                "FreeableMemory",
                d,
                t,
                "Bytes",
                ctx.jitter(11.2e9 if ident == new_db else 14.9e9, 0.004),
            )
            ctx.put(
                "AWS/RDS",
                "ReadIOPS",
                d,
                t,
                "Count/Second",
                ctx.jitter(420 * (1 - fail_share(t)) if ident == new_db else 0.4, 0.1),
            )
            ctx.put(
                "AWS/RDS",
                "WriteIOPS",
                d,
                t,
                "Count/Second",
                ctx.jitter(610 * (1 - fail_share(t)) if ident == new_db else 3.1, 0.1),
            )
            ctx.put(
                "AWS/RDS",
                "FreeStorageSpace",
                d,
                t,
                "Bytes",
                ctx.jitter(3.1e11 if ident == new_db else 2.2e11, 0.0001),
            )
        if t <= t_rot < t + timedelta(seconds=step):
            fd = {"FunctionName": rot_fn}
            ctx.put("AWS/Lambda", "Invocations", fd, t, "Count", 4)
            ctx.put("AWS/Lambda", "Errors", fd, t, "Count", 0)
            ctx.put("AWS/Lambda", "Throttles", fd, t, "Count", 0)
            ctx.put("AWS/Lambda", "Duration", fd, t, "Milliseconds", stats=(4, 2710.4, 212.3, 1288.1))
            ctx.put("AWS/Lambda", "ConcurrentExecutions", fd, t, "Count", stats=(1, 1, 1, 1))

    topic = ctx.arn("sns", "payments-oncall")
    alarm_name = "ledger-api-target-5xx"
    ctx.alarm(
        alarm_name,
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        threshold=25,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="ledger-api returning 5xx to the ALB. Runbook: https://wiki.internal/payments/runbooks/ledger-api",
        actions=[topic],
        ok_actions=[topic],
    )
    ctx.alarm(
        "ledger-api-latency-p-avg",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb_dim,
        statistic="Average",
        period=300,
        evaluation_periods=3,
        threshold=2.5,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        f"{new_db}-cpu-high",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dims={"DBInstanceIdentifier": new_db},
        statistic="Average",
        period=300,
        evaluation_periods=3,
        threshold=80,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        f"{new_db}-free-storage-low",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        dims={"DBInstanceIdentifier": new_db},
        statistic="Minimum",
        period=300,
        evaluation_periods=1,
        threshold=5e10,
        comparison="LessThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        f"{rot_fn}-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": rot_fn},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    fired = ctx.first_alarm(alarm_name, fine, onset + timedelta(hours=2))
    now = max(fired + timedelta(minutes=rng.randrange(14, 25)), onset + timedelta(minutes=32))
    now = now.replace(microsecond=0)
    ctx.evaluate_alarms(fine, now, since=day - timedelta(days=rng.randrange(3, 20)))
    event = ctx.alarm_event(alarm_name)

    # --- logs -------------------------------------------------------------------------------------
    grp = f"/ecs/{service}"
    java_pkg = "com.ledger.api"
    for task in tasks:
        stream = f"{service}/{service}/{task_id(task)}"
        t = start
        while t < now:
            t += timedelta(seconds=rng.uniform(20, 70))
            thread = f"http-nio-8080-exec-{rng.randrange(1, 40)}"
            stamp = py_ts(t).replace("Z", "Z")
            if rng.random() < 0.7:
                ctx.log(
                    grp,
                    stream,
                    t,
                    f"{stamp}  INFO 1 --- [{service}] [{thread}] {java_pkg}.journal.JournalService      : Posted journal batch {ctx.uuid()} entries={rng.randrange(2, 40)} durationMs={rng.randrange(8, 90)}",
                )
            elif rng.random() < 0.5:
                ctx.log(
                    grp,
                    stream,
                    t,
                    f"{stamp}  INFO 1 --- [{service}] [scheduling-1] {java_pkg}.fx.RateCache               : Refreshed FX rates for 31 currencies (source=ecb, ageSeconds={rng.randrange(30, 300)})",
                )
            elif rng.random() < 0.15:
                ctx.log(
                    grp,
                    stream,
                    t,
                    f"{stamp}  WARN 1 --- [{service}] [{thread}] {java_pkg}.web.IdempotencyFilter    : Replayed request with idempotency key {ctx.hex(24)} (original status 201)",
                )
            else:
                ctx.log(
                    grp,
                    stream,
                    t,
                    f"{stamp}  INFO 1 --- [{service}] [HikariPool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Pool stats (total={rng.randrange(17, 21)}, active={rng.randrange(2, 9)}, idle={rng.randrange(8, 15)}, waiting=0)",
                )
            if t >= onset and rng.random() < 0.35 + fail_share(t):
                tf = t + timedelta(milliseconds=rng.randrange(5, 900))
                sf = py_ts(tf)
                ctx.log(
                    grp,
                    stream,
                    tf,
                    f'{sf}  WARN 1 --- [{service}] [HikariPool-1 connection adder] com.zaxxer.hikari.pool.PoolBase          : HikariPool-1 - Failed to create/setup connection: FATAL: password authentication failed for user "ledger_app"',
                )
                tf2 = tf + timedelta(milliseconds=rng.randrange(30, 400))
                ctx.log(
                    grp,
                    stream,
                    tf2,
                    f"{py_ts(tf2)} ERROR 1 --- [{service}] [http-nio-8080-exec-{rng.randrange(1, 40)}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection] with root cause\n\n"
                    'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "ledger_app"\n'
                    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)\n"
                    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:203)\n"
                    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:258)\n"
                    "\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)\n"
                    "\tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:263)\n"
                    "\tat org.postgresql.Driver.makeConnection(Driver.java:443)\n"
                    "\tat org.postgresql.Driver.connect(Driver.java:297)\n"
                    "\tat com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:137)\n"
                    "\tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:360)\n"
                    "\tat com.zaxxer.hikari.pool.PoolBase.newPoolEntry(PoolBase.java:202)\n"
                    "\tat com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:461)\n"
                    "\tat com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call(HikariPool.java:724)\n"
                    "\tat java.base/java.util.concurrent.FutureTask.run(FutureTask.java:317)\n"
                    "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n",
                )
        # credential refresh: the service re-reads the secret every 5 minutes
        t = start + timedelta(seconds=rng.uniform(0, 300))
        while t < now:
            if t > t_rot and (t - timedelta(minutes=5)) <= t_rot:
                ctx.log(
                    grp,
                    stream,
                    t,
                    f"{py_ts(t)}  INFO 1 --- [{service}] [credentials-refresh] {java_pkg}.db.RotatingCredentialsProvider : Database credentials for {secret_name} changed (version {new_ver[:8]}); new connections will use them",
                )
            t += timedelta(minutes=5)

    # rotation Lambda: the four steps, as the AWS-provided single-user rotation function logs them
    rlog = f"/aws/lambda/{rot_fn}"
    rstream = lambda_stream(ctx, t_rot)
    step_t = t_rot + timedelta(milliseconds=rng.randrange(300, 700))
    steps = [
        (
            "createSecret",
            f"createSecret: Successfully put secret for ARN {secret_arn} and version {new_ver}.",
            812.4,
        ),
        (
            "setSecret",
            f"setSecret: Successfully set password for user ledger_app in PostgreSQL DB for secret arn {secret_arn}.",
            1288.1,
        ),
        (
            "testSecret",
            f"testSecret: Successfully signed into PostgreSQL DB for secret arn {secret_arn}.",
            397.6,
        ),
        (
            "finishSecret",
            f"finishSecret: Successfully set AWSCURRENT stage to version {new_ver} for secret {secret_arn}.",
            212.3,
        ),
    ]
    rot_ip = private_ip(ctx, net, 0)
    for i, (_, msg, dur) in enumerate(steps):
        body = [(dur * 0.8, f"[INFO]\t{py_ts(step_t + timedelta(milliseconds=dur * 0.8))}\t{{rid}}\t{msg}")]
        lambda_invocation(
            ctx,
            rlog,
            rstream,
            step_t,
            duration_ms=dur,
            memory=128,
            used=rng.randrange(78, 84),
            body=body,
            init_ms=612.7 if i == 0 else None,
        )
        step_t += timedelta(milliseconds=dur + rng.randrange(150, 400))

    # PostgreSQL logs
    def pg_noise(ident: str, busy: bool) -> None:
        g = f"/aws/rds/instance/{ident}/postgresql"
        s = f"{ident}.0"
        t = start
        while t < now:
            t += timedelta(minutes=5)
            ctx.log(g, s, t, _pg_line(t, "", 0, "", "", 7321, "LOG", "checkpoint starting: time"))
            if busy:
                buf = rng.randrange(900, 4200)
                ctx.log(
                    g,
                    s,
                    t + timedelta(seconds=rng.randrange(40, 170)),
                    _pg_line(
                        t,
                        "",
                        0,
                        "",
                        "",
                        7321,
                        "LOG",
                        f"checkpoint complete: wrote {buf} buffers ({buf / 1310.72:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randrange(1, 4)} recycled; write={rng.uniform(30, 150):.3f} s, sync=0.0{rng.randrange(10, 99)} s, total={rng.uniform(150, 170):.3f} s",
                    ),
                )
            if busy and rng.random() < 0.2:
                tt = t + timedelta(seconds=rng.randrange(1, 280))
                ctx.log(
                    g,
                    s,
                    tt,
                    _pg_line(
                        tt,
                        private_ip(ctx, net, rng.randrange(3)),
                        rng.randrange(30000, 60000),
                        "ledger_app",
                        "ledger",
                        rng.randrange(10000, 40000),
                        "LOG",
                        f"duration: {rng.uniform(1000, 2400):.3f} ms  execute S_3: SELECT a.id, a.currency, sum(e.amount) FROM account a JOIN entry e ON e.account_id = a.id WHERE a.org_id = $1 GROUP BY a.id, a.currency",
                    ),
                )

    pg_noise(new_db, True)
    pg_noise(old_db, False)
    g_old = f"/aws/rds/instance/{old_db}/postgresql"
    pid = rng.randrange(20000, 30000)
    port = rng.randrange(30000, 60000)
    for i, (off, text) in enumerate(
        [
            (
                0.55,
                "connection authorized: user=ledger_app database=ledger SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            ),
            (
                1.95,
                "disconnection: session time: 0:00:01.390 user=ledger_app database=ledger host="
                + rot_ip
                + " port="
                + str(port),
            ),
            (
                2.10,
                "connection authorized: user=ledger_app database=ledger SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            ),
            (
                2.45,
                "disconnection: session time: 0:00:00.350 user=ledger_app database=ledger host="
                + rot_ip
                + " port="
                + str(port + 2),
            ),
        ]
    ):
        tt = t_rot + timedelta(seconds=off + 0.9)
        ctx.log(
            g_old,
            f"{old_db}.0",
            tt,
            _pg_line(
                tt,
                rot_ip,
                port + (2 if i >= 2 else 0),
                "ledger_app",
                "ledger",
                pid + (1 if i >= 2 else 0),
                "LOG",
                text,
            ),
        )
    g_new = f"/aws/rds/instance/{new_db}/postgresql"
    t = onset
    while t < now:
        t += timedelta(seconds=rng.uniform(0.5, 6.0) / max(0.15, fail_share(t) * 1.5))
        src = task_ip(rng.choice(tasks))
        p = rng.randrange(30000, 60000)
        pid_n = rng.randrange(30000, 60000)
        ctx.log(
            g_new,
            f"{new_db}.0",
            t,
            _pg_line(
                t,
                src,
                p,
                "ledger_app",
                "ledger",
                pid_n,
                "FATAL",
                'password authentication failed for user "ledger_app"',
            ),
        )
        ctx.log(
            g_new,
            f"{new_db}.0",
            t,
            _pg_line(
                t,
                src,
                p,
                "ledger_app",
                "ledger",
                pid_n,
                "DETAIL",
                'Connection matched file "/rdsdbdata/config/pg_hba.conf" line 13: "host\tall\tall\t0.0.0.0/0\tmd5"',
            ),
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    office = f"{rng.choice([81, 94, 185, 203])}.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    people = ["maria.okafor", "dan.whitlock", "sanjay.iyer", "lucia.ferrante", "tom.brennan"]
    rng.shuffle(people)
    dom = f"{org}.io"
    rotator = sso_user(ctx, f"{people[0]}@{dom}", "PaymentsAdmin", ip=office, console=True)
    dba = sso_user(ctx, f"{people[1]}@{dom}", "DatabaseAdmin", ip=office)
    reader = sso_user(ctx, f"{people[2]}@{dom}", "ReadOnly", ip=office, console=True)
    background_trail(ctx, start, now, 38, [reader, dba])

    ct(
        ctx,
        t_rot - timedelta(seconds=rng.randrange(40, 90)),
        rotator,
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        params={"secretId": secret_arn},
        read_only=True,
    )
    rotate = ct(
        ctx,
        t_rot,
        rotator,
        "secretsmanager.amazonaws.com",
        "RotateSecret",
        params={"secretId": secret_arn, "clientRequestToken": ctx.uuid(), "rotateImmediately": True},
        response={"aRN": secret_arn, "name": secret_name, "versionId": new_ver},
    )
    svc_sm = service_principal("secretsmanager.amazonaws.com")
    svc_sm.identity["accountId"] = ctx.account
    ct(
        ctx,
        t_rot,
        svc_sm,
        "secretsmanager.amazonaws.com",
        "RotationStarted",
        params=None,
        event_type="AwsServiceEvent",
        extra={"additionalEventData": {"SecretId": secret_arn}},
    )
    ct(
        ctx,
        rot_done,
        svc_sm,
        "secretsmanager.amazonaws.com",
        "RotationSucceeded",
        params=None,
        event_type="AwsServiceEvent",
        extra={"additionalEventData": {"SecretId": secret_arn}},
    )
    rot_sess = role_session(
        ctx,
        rot_role["RoleName"],
        rot_fn,
        ua="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84",
        ip=f"{rng.randrange(3, 54)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    rs = t_rot - timedelta(seconds=1)
    calls: list[tuple[float, str, J, bool]] = [
        (0.7, "DescribeSecret", {"secretId": secret_arn}, True),
        (0.8, "GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, True),
        (0.9, "GetRandomPassword", {"excludeCharacters": "/@\"'\\"}, True),
        (
            1.1,
            "PutSecretValue",
            {"secretId": secret_arn, "clientRequestToken": new_ver, "versionStages": ["AWSPENDING"]},
            False,
        ),
        (1.7, "DescribeSecret", {"secretId": secret_arn}, True),
        (
            1.8,
            "GetSecretValue",
            {"secretId": secret_arn, "versionId": new_ver, "versionStage": "AWSPENDING"},
            True,
        ),
        (1.9, "GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, True),
        (3.3, "DescribeSecret", {"secretId": secret_arn}, True),
        (
            3.4,
            "GetSecretValue",
            {"secretId": secret_arn, "versionId": new_ver, "versionStage": "AWSPENDING"},
            True,
        ),
        (4.1, "DescribeSecret", {"secretId": secret_arn}, True),
        (
            4.3,
            "UpdateSecretVersionStage",
            {
                "secretId": secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": new_ver,
                "removeFromVersionId": old_ver,
            },
            False,
        ),
    ]
    for off, nm, prm, ro in calls:
        resp = (
            {"aRN": secret_arn, "name": secret_name, "versionId": new_ver, "versionStages": ["AWSPENDING"]}
            if nm == "PutSecretValue"
            else ({"aRN": secret_arn, "name": secret_name} if nm == "UpdateSecretVersionStage" else None)
        )
        ct(
            ctx,
            t_rot + timedelta(seconds=off),
            rot_sess,
            "secretsmanager.amazonaws.com",
            nm,
            params=prm,
            response=resp,
            read_only=ro,
            session_start=rs,
        )

    # the service reading its secret (every task, every five minutes) -- sampled to one task's reads
    app_sess = role_session(
        ctx,
        task_role["RoleName"],
        task_id(tasks[0]),
        ua="aws-sdk-java/2.25.31 Linux/5.10.223-211.872.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
        ip=task_ip(tasks[0]),
    )
    t = start + timedelta(seconds=rng.uniform(0, 300))
    while t < now:
        if rng.random() < 0.5 or (t > t_rot and t - timedelta(minutes=5) <= t_rot):
            ct(
                ctx,
                t,
                app_sess,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                params={"secretId": secret_name},
                read_only=True,
                session_start=t - timedelta(minutes=rng.randrange(5, 55)),
            )
        t += timedelta(minutes=5, seconds=rng.uniform(-2, 2))

    # innocent changes near the onset
    ci = role_session(
        ctx,
        "github-actions-deploy",
        "GitHubActions",
        ua="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.44.3",
        ip=f"4.{rng.randrange(150, 250)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    rec_rev = rng.randrange(40, 90)
    t_dep = onset + timedelta(minutes=rng.randrange(2, 12), seconds=rng.randrange(60))
    ct(
        ctx,
        t_dep - timedelta(seconds=20),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        params={
            "family": "ledger-reconciler",
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/ledger-reconciler-task",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/ledger-reconciler:{rec_rev}"),
                "family": "ledger-reconciler",
                "revision": rec_rev,
                "status": "ACTIVE",
            }
        },
    )
    ct(
        ctx,
        t_dep,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        params={
            "cluster": cluster,
            "service": "ledger-reconciler",
            "taskDefinition": f"ledger-reconciler:{rec_rev}",
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceName": "ledger-reconciler",
                "serviceArn": ctx.arn("ecs", f"service/{cluster}/ledger-reconciler"),
                "taskDefinition": ctx.arn("ecs", f"task-definition/ledger-reconciler:{rec_rev}"),
                "desiredCount": 1,
                "status": "ACTIVE",
            }
        },
    )
    t_tag = onset - timedelta(minutes=rng.randrange(16, 26))
    ct(
        ctx,
        t_tag,
        dba,
        "rds.amazonaws.com",
        "AddTagsToResource",
        params={
            "resourceName": ctx.arn("rds", f"db:{new_db}"),
            "tags": [{"key": "backup-tier", "value": "gold"}],
        },
        ua=_cli("rds.add-tags-to-resource"),
    )
    ct(
        ctx,
        t_tag + timedelta(minutes=3),
        dba,
        "rds.amazonaws.com",
        "DescribeDBInstances",
        params={"dBInstanceIdentifier": old_db},
        read_only=True,
        ua=_cli("rds.describe-db-instances"),
    )
    ct(
        ctx,
        t_tag + timedelta(minutes=4),
        dba,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        params={"dBInstanceIdentifier": old_db, "backupRetentionPeriod": 35, "applyImmediately": True},
        response=None,
        ua=_cli("rds.modify-db-instance"),
    )
    terraform = role_session(
        ctx,
        "terraform-apply",
        "terraform",
        ua=TF_UA.format(api="logs#1.35.0"),
        ip=f"52.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    ct(
        ctx,
        onset - timedelta(hours=2, minutes=rng.randrange(60)),
        terraform,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        params={"logGroupName": f"/ecs/{service}", "retentionInDays": 30},
    )

    chain = [
        f"{secret_name} rotated on demand (RotateSecret)",
        f"{rot_fn} set the new ledger_app password on {old_db}, the host the secret still names",
        f"{service} refreshed its credentials and new connections to {new_db} fail password authentication",
        "HikariCP cannot replace recycled connections; requests fail with CannotGetJdbcConnectionException",
        f"ALB ledger-prod returns 5xx from target group ledger-api-prod; {alarm_name} fires",
    ]
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=None,
        alarm_event=event,
        timezone=None,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": secret_arn,
                "category": "change",
                "failure_mode": "rotated-password-not-applied-to-database",
                "event_id": rotate["eventID"],
            },
            "also_accept": [secret_name, rot_fn],
            "actions": ["rollback", "reconfigure"],
            "chain": chain,
        },
    )


def _cli(cmd: str) -> str:
    return cli_ua(cmd)
