"""The billing MySQL instance runs out of allocated storage during the month-end invoice run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    REGIONS,
    UA_CLI,
    UA_TF,
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    asg_item,
    ct_date,
    curve,
    db_instance,
    diurnal,
    ec2_instance,
    iam_role,
    iso,
    log_group,
    ms,
    network,
    rds_event,
    routine_reads,
    security_group,
    spring_line,
    target_group,
)

NAME = "billing-db-storage-full"
TITLE = "invoice API failing, load balancer health checks red"
SUMMARY = "billing-db (MySQL, 200 GiB gp3, no storage autoscaling) fills up during the month-end invoice run; writes fail, then RDS marks it storage-full."

RDS = "rds.amazonaws.com"
GIB = 1024**3


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    region, utc_off, _tz = REGIONS[kit.rng.randrange(5)]
    kit.region = region
    month = kit.rng.randint(2, 11)
    # month-end run, on the last day of a month
    day = datetime(2024, month + 1, 1, tzinfo=UTC) - timedelta(days=1)
    run_start = day + timedelta(hours=kit.rng.uniform(17.5, 19.0) - utc_off)
    run_start = run_start.replace(second=0, microsecond=0)
    alloc = 200
    free_at_run = kit.rng.uniform(11.0, 15.0) * GIB
    fill_rate = kit.rng.uniform(4.2, 6.0) * GIB  # per hour during the run
    full = run_start + timedelta(hours=free_at_run / fill_rate)
    full = full.replace(microsecond=0)
    storage_full = full + timedelta(minutes=kit.rng.randint(4, 8), seconds=kit.rng.randint(0, 59))
    start = (full - timedelta(days=3, hours=kit.rng.uniform(0, 4))).replace(second=0, microsecond=0)
    now = full + timedelta(minutes=kit.rng.randint(35, 55), seconds=kit.rng.randint(0, 59))
    fine_from = full - timedelta(hours=kit.rng.uniform(4.2, 5.0))
    created = day - timedelta(days=kit.rng.randint(400, 900))

    db = "billing-db"
    app = "invoice-service"
    net = network(kit, "billing-prod", created)
    sg_alb = security_group(kit, net, "invoice-alb", "invoice api public ALB", 443, None)
    sg_app = security_group(kit, net, "invoice-service", "invoice-service instances", 8080, sg_alb)
    sg_db = security_group(kit, net, "billing-db", "billing-db from invoice-service", 3306, sg_app)
    lb_arn, lb_dim = alb(kit, net, "invoice-api", sg_alb, created)
    tg_arn, tg_dim = target_group(
        kit, net, "invoice-service-8080", 8080, lb_arn, "instance", "/actuator/health"
    )
    role = iam_role(kit, "invoice-service-ec2", created, "ec2.amazonaws.com")
    profile = f"arn:aws:iam::{kit.account}:instance-profile/invoice-service-ec2"
    ami = "ami-0" + kit.hex(16)
    lt = ("lt-0" + kit.hex(16), "invoice-service", str(kit.rng.randint(20, 60)))
    insts = []
    for i in range(3):
        launched = full - timedelta(days=kit.rng.randint(4, 20), hours=kit.rng.randint(0, 23))
        insts.append(
            ec2_instance(
                kit,
                net,
                i,
                ami=ami,
                itype="m6g.large",
                sg=(sg_app, "invoice-service"),
                launched=launched,
                profile_arn=profile,
                name=app,
                asg=app,
            )
        )
    asg_item(
        kit,
        app,
        net,
        lt,
        tg_arn,
        [(iid, az, "InService") for iid, _, az in insts],
        created,
        min_size=3,
        max_size=6,
    )
    dbi = db_instance(
        kit,
        db,
        engine="mysql",
        version="8.0.35",
        klass="db.m6g.large",
        storage_gb=alloc,
        storage_type="gp3",
        created=created,
        net=net,
        sg=sg_db,
        param_group="billing-mysql80",
        status="storage-full",
    )
    db_instance(
        kit,
        "billing-db-staging",
        engine="mysql",
        version="8.0.35",
        klass="db.t4g.medium",
        storage_gb=100,
        storage_type="gp3",
        created=created + timedelta(days=30),
        net=net,
        sg=sg_db,
        param_group="billing-mysql80",
        multi_az=False,
        max_storage=500,
    )
    log_group(kit, f"/aws/rds/instance/{db}/error", created)
    log_group(kit, f"/{app}/application", created, 30)

    # --- metrics ----------------------------------------------------------------------------------
    rds_ns = "AWS/RDS"
    dd = {"DBInstanceIdentifier": db}
    free_start = free_at_run + (run_start - start).total_seconds() / 86400 * kit.rng.uniform(1.8, 2.6) * GIB
    points = [(start, free_start), (run_start, free_at_run), (full, 0.0)]
    steps = kit.timeline(start, now, fine_from)
    conn_base = kit.rng.randint(60, 90)
    for t, _step in steps:
        running = run_start <= t < full
        if t < full:
            free = curve(t, points) + kit.rng.uniform(-0.05, 0.05) * GIB
            kit.put(rds_ns, "FreeStorageSpace", dd, t, max(0.0, free), "Bytes")
        else:
            kit.put(rds_ns, "FreeStorageSpace", dd, t, float(kit.rng.randint(0, 40) * 1024**2), "Bytes")
        if t >= storage_full:
            # storage-full: the engine is stopped; RDS keeps publishing host-level metrics
            kit.put(rds_ns, "CPUUtilization", dd, t, kit.noise(2.5, 0.2), "Percent")
            kit.put(rds_ns, "DatabaseConnections", dd, t, 0.0, "Count")
            kit.put(rds_ns, "WriteIOPS", dd, t, kit.noise(0.4, 0.5), "Count/Second")
            kit.put(rds_ns, "ReadIOPS", dd, t, kit.noise(0.2, 0.5), "Count/Second")
            kit.put(rds_ns, "FreeableMemory", dd, t, kit.noise(6.9 * GIB, 0.01), "Bytes")
            kit.put(
                rds_ns,
                "FreeStorageSpace",
                {"DBInstanceIdentifier": "billing-db-staging"},
                t,
                kit.noise(71 * GIB, 0.001),
                "Bytes",
            )
            continue
        f = diurnal(t, utc_off, 0.3)
        kit.put(
            rds_ns, "CPUUtilization", dd, t, kit.noise(14 + 22 * f + (38 if running else 0), 0.06), "Percent"
        )
        kit.put(
            rds_ns,
            "DatabaseConnections",
            dd,
            t,
            float(round(conn_base * (0.7 + 0.3 * f) + (24 if running else 0))),
            "Count",
        )
        kit.put(
            rds_ns,
            "WriteIOPS",
            dd,
            t,
            kit.noise(180 + 300 * f + (1900 if running else 0), 0.08),
            "Count/Second",
        )
        kit.put(
            rds_ns, "ReadIOPS", dd, t, kit.noise(90 + 210 * f + (400 if running else 0), 0.1), "Count/Second"
        )
        kit.put(rds_ns, "WriteLatency", dd, t, kit.noise(0.0011 + (0.0012 if running else 0), 0.1), "Seconds")
        kit.put(rds_ns, "ReadLatency", dd, t, kit.noise(0.0008, 0.1), "Seconds")
        kit.put(rds_ns, "FreeableMemory", dd, t, kit.noise(2.1 * GIB, 0.02), "Bytes")
        kit.put(
            rds_ns,
            "BinLogDiskUsage",
            dd,
            t,
            kit.noise(3.2 * GIB + (1.1 * GIB if running else 0), 0.05),
            "Bytes",
        )
        kit.put(
            rds_ns,
            "FreeStorageSpace",
            {"DBInstanceIdentifier": "billing-db-staging"},
            t,
            kit.noise(71 * GIB, 0.001),
            "Bytes",
        )
    ec2_ns = "AWS/EC2"
    for t, _step in kit.timeline(start, now, now + timedelta(days=1)):  # basic monitoring: 5-minute
        for iid, _, _ in insts:
            f = diurnal(t, utc_off, 0.3)
            busy = 18 if run_start <= t < full else 0
            kit.put(
                ec2_ns,
                "CPUUtilization",
                {"InstanceId": iid},
                t,
                kit.noise(9 + 24 * f + busy, 0.08),
                "Percent",
            )
            kit.put(ec2_ns, "StatusCheckFailed", {"InstanceId": iid}, t, 0.0, "Count")
    # ALB: writes fail once full; after storage-full, /actuator/health (db check) fails and targets go unhealthy
    unhealthy_at = storage_full + timedelta(seconds=kit.rng.randint(35, 60))
    for t, step in steps:
        if step != 60:
            continue
        f = diurnal(t, utc_off, 0.25)
        req = kit.noise(900 * f + 120, 0.05)
        if t < full:
            alb_minute(kit, lb_dim, tg_dim, t, req, 1 if kit.rng.random() < 0.05 else 0, 0.06, 0.35, 3)
        elif t < unhealthy_at:
            alb_minute(kit, lb_dim, tg_dim, t, req, req * kit.rng.uniform(0.28, 0.36), 0.09, 1.1, 3)
        else:
            # all targets unhealthy: ALB fails open and routes to them anyway; they answer 500
            alb_minute(
                kit, lb_dim, tg_dim, t, req, req * kit.rng.uniform(0.93, 0.97), 0.03, 0.2, 0, unhealthy=3
            )
    for iid, _, az in insts:
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": az},
                "health": {
                    "State": "unhealthy",
                    "Reason": "Target.ResponseCodeMismatch",
                    "Description": "Health checks failed with these codes: [503]",
                },
                "timestamp": iso(kit.jitter(unhealthy_at, 20)),
            },
        )

    # --- RDS events and error log -------------------------------------------------------------------
    t_low = None
    for t, _ in steps:
        if t >= run_start and curve(t, points) < 0.02 * alloc * 1.073741824 * GIB and t_low is None:
            t_low = t + timedelta(seconds=kit.rng.randint(20, 50))
    assert t_low is not None
    free_low = curve(t_low, points) / 1e9
    rds_event(
        kit,
        t_low,
        db,
        "db-instance",
        f"The free storage capacity for DB instance: {db} is low at {max(1, round(100 * free_low / (alloc * 1.073741824)))}% of the provisioned storage "
        f"[Provisioned Storage: {alloc * 1.073741824:.2f} GB, Free Storage: {free_low:.2f} GB]. You may want to increase the provisioned storage to address this issue.",
        ["low storage"],
    )
    rds_event(
        kit,
        storage_full,
        db,
        "db-instance",
        "Allocated storage has been exhausted. Allocate additional storage to resolve the issue.",
        ["low storage"],
    )
    backup_day = start.replace(hour=3, minute=kit.rng.randint(11, 25))
    while backup_day < now:
        if backup_day >= start:
            rds_event(kit, backup_day, db, "db-instance", "Backing up DB instance", ["backup"])
            rds_event(
                kit,
                backup_day + timedelta(minutes=kit.rng.randint(9, 16)),
                db,
                "db-instance",
                "Finished DB Instance backup",
                ["backup"],
            )
        backup_day += timedelta(days=1)
    err_lines = []
    for i in range(kit.rng.randint(3, 6)):
        at = start + timedelta(hours=kit.rng.uniform(0, 60))
        err_lines.append(
            (
                at,
                f"{at:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(0, 999999):06d}Z {kit.rng.randint(1000, 9999)} [Warning] [MY-010055] [Server] IP address '{net.cidr16}.{kit.rng.randint(16, 60)}.{kit.rng.randint(2, 254)}' could not be resolved: Name or service not known",
            )
        )
        del i
    t = full
    tid = kit.rng.randint(20, 90)
    for _ in range(kit.rng.randint(5, 8)):
        t += timedelta(seconds=kit.rng.uniform(5, 50))
        offset = kit.rng.randint(40, 60) * 1024**3 + kit.rng.randint(0, 1024) * 1048576
        err_lines.append(
            (
                t,
                f"{t:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(0, 999999):06d}Z {tid} [ERROR] [MY-012639] [InnoDB] Write to file ./billing/invoice_line_item.ibd failed at offset {offset}, 1048576 bytes should have been written, only 0 were written. Operating system error number 28. Check that your OS and file system support files of this size. Check also that the disk is not full or there is not enough disk space.",
            )
        )
        err_lines.append(
            (
                t,
                f"{t:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(0, 999999):06d}Z {tid} [ERROR] [MY-012888] [InnoDB] Operating system error number 28 in a file operation.",
            )
        )
        err_lines.append(
            (
                t,
                f"{t:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(0, 999999):06d}Z {tid} [ERROR] [MY-012890] [InnoDB] Error number 28 means 'No space left on device'",
            )
        )
    t2 = full + timedelta(seconds=kit.rng.randint(60, 200))
    err_lines.append(
        (
            t2,
            f"{t2:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(0, 999999):06d}Z {kit.rng.randint(100, 999)} [ERROR] [MY-013132] [Server] The table 'invoice_line_item' is full!",
        )
    )
    err_lines.sort()
    for at, line in err_lines:
        kit.log(f"/aws/rds/instance/{db}/error", db, at, line)
    kit.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": db,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": ms(err_lines[-1][0]),
            "Size": sum(len(x) + 1 for _, x in err_lines),
            "Data": "\n".join(x for _, x in err_lines) + "\n",
        },
    )

    # --- app logs ---------------------------------------------------------------------------------------
    group = f"/{app}/application"
    pids = {iid: kit.rng.randint(900, 4000) for iid, _, _ in insts}
    t = fine_from
    while t <= now:
        for iid, _, _ in insts:
            pid = pids[iid]
            if t < full:
                if kit.rng.random() < 0.5:
                    at = kit.jitter(t, 59)
                    kit.log(
                        group,
                        iid,
                        at,
                        spring_line(
                            at,
                            "INFO",
                            pid,
                            app,
                            f"nio-8080-exec-{kit.rng.randint(1, 40)}",
                            "c.l.b.invoice.api.InvoiceController",
                            f"GET /v1/invoices/{kit.rng.randint(10**7, 10**8)} 200 {kit.rng.randint(12, 80)}ms",
                        ),
                    )
                if run_start <= t and iid == insts[0][0] and t.minute % 3 == 0:
                    at = kit.jitter(t, 59)
                    kit.log(
                        group,
                        iid,
                        at,
                        spring_line(
                            at,
                            "INFO",
                            pid,
                            app,
                            "rollup-1",
                            "c.l.b.invoice.batch.MonthEndRollupJob",
                            f"rollup chunk committed: accounts={kit.rng.randint(480, 520)} lineItems={kit.rng.randint(180000, 260000)}",
                        ),
                    )
            elif t < storage_full:
                for _ in range(2):
                    at = kit.jitter(t, 59)
                    kit.log(
                        group,
                        iid,
                        at,
                        spring_line(
                            at,
                            "ERROR",
                            pid,
                            app,
                            f"nio-8080-exec-{kit.rng.randint(1, 40)}",
                            "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.dao.DataAccessResourceFailureException: "
                            "PreparedStatementCallback; SQL [insert into invoice_line_item (invoice_id, sku, qty, amount_minor, currency) values (?, ?, ?, ?, ?)]; The table 'invoice_line_item' is full] with root cause\n"
                            "java.sql.SQLException: The table 'invoice_line_item' is full\n"
                            "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:130)\n"
                            "\tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)\n"
                            "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:912)\n"
                            "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal(ClientPreparedStatement.java:1054)\n"
                            "\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)\n"
                            "\tat org.springframework.jdbc.core.JdbcTemplate.lambda$update$2(JdbcTemplate.java:965)",
                        ),
                    )
                if iid == insts[0][0] and t.minute % 2 == 0:
                    at = kit.jitter(t, 59)
                    kit.log(
                        group,
                        iid,
                        at,
                        spring_line(
                            at,
                            "ERROR",
                            pid,
                            app,
                            "rollup-1",
                            "c.l.b.invoice.batch.MonthEndRollupJob",
                            "rollup chunk failed, will retry in 60s: The table 'invoice_line_item' is full",
                        ),
                    )
            else:
                for _ in range(2):
                    at = kit.jitter(t, 59)
                    kit.log(
                        group,
                        iid,
                        at,
                        spring_line(
                            at,
                            "WARN",
                            pid,
                            app,
                            "HikariPool-1 connection adder",
                            "com.zaxxer.hikari.pool.PoolBase",
                            "HikariPool-1 - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@"
                            + kit.hex(8)
                            + " (No operations allowed after connection closed.). Possibly consider using a shorter maxLifetime value.",
                        ),
                    )
                at = kit.jitter(t, 59)
                kit.log(
                    group,
                    iid,
                    at,
                    spring_line(
                        at,
                        "ERROR",
                        pid,
                        app,
                        f"nio-8080-exec-{kit.rng.randint(1, 40)}",
                        "o.s.b.a.jdbc.DataSourceHealthIndicator",
                        "DataSource health check failed\norg.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\n"
                        "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=0, active=0, idle=0, waiting=12)\n"
                        "Caused by: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n\n"
                        "The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.",
                    ),
                )
            if kit.rng.random() < 0.01:
                at = kit.jitter(t, 59)
                kit.log(
                    group,
                    iid,
                    at,
                    spring_line(
                        at,
                        "WARN",
                        pid,
                        app,
                        "scheduling-1",
                        "c.l.b.invoice.fx.FxRateClient",
                        "fx rate refresh took 4.2s (slow upstream), using cached rates",
                    ),
                )
        t += timedelta(minutes=1)

    # --- CloudTrail ------------------------------------------------------------------------------------
    dba = kit.sso_user(
        kit.rng.choice(["oksana.h", "rui.costa", "j.lindqvist"]) + "@lumenbill.com",
        "DatabaseAdmin",
        creation=full - timedelta(minutes=75),
    )
    t_snap = full - timedelta(minutes=kit.rng.randint(18, 28))
    snap = f"{db}-pre-monthend-{day:%Y%m%d}"
    kit.ct(
        t_snap - timedelta(minutes=2),
        dba,
        RDS,
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        None,
        read_only=True,
    )
    kit.ct(
        t_snap,
        dba,
        RDS,
        "CreateDBSnapshot",
        {"dBSnapshotIdentifier": snap, "dBInstanceIdentifier": db},
        {
            "dBSnapshotIdentifier": snap,
            "dBInstanceIdentifier": db,
            "engine": "mysql",
            "allocatedStorage": alloc,
            "status": "creating",
            "port": 3306,
            "availabilityZone": net.subnets[0][1],
            "vpcId": net.vpc,
            "instanceCreateTime": ct_date(created),
            "masterUsername": "dbadmin",
            "engineVersion": "8.0.35",
            "licenseModel": "general-public-license",
            "snapshotType": "manual",
            "encrypted": True,
            "dBSnapshotArn": kit.arn("rds", f"snapshot:{snap}"),
            "storageType": "gp3",
        },
    )
    t_stg = full - timedelta(minutes=kit.rng.randint(8, 15))
    kit.ct(
        t_stg,
        dba,
        RDS,
        "ModifyDBInstance",
        {"dBInstanceIdentifier": "billing-db-staging", "backupRetentionPeriod": 3, "applyImmediately": True},
        {
            "dBInstanceIdentifier": "billing-db-staging",
            "dBInstanceClass": "db.t4g.medium",
            "engine": "mysql",
            "dBInstanceStatus": "available",
            "allocatedStorage": 100,
            "backupRetentionPeriod": 7,
            "pendingModifiedValues": {},
            "multiAZ": False,
            "engineVersion": "8.0.35",
            "maxAllocatedStorage": 500,
        },
    )
    ci = kit.role_session(
        "gha-billing-infra",
        "GitHubActions",
        UA_TF.format(api="auto-scaling#1.40.5"),
        kit.public_ip(),
        creation=full - timedelta(minutes=40),
    )
    t_asg = full - timedelta(minutes=kit.rng.randint(20, 29))
    kit.ct(
        t_asg - timedelta(seconds=30),
        ci,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": [app]},
        None,
        read_only=True,
    )
    kit.ct(
        t_asg,
        ci,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": app, "maxSize": 6},
        None,
    )
    kit.ct(
        t_asg + timedelta(seconds=8),
        ci,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": [app]},
        None,
        read_only=True,
    )
    obs = kit.role_session(
        "observability-readonly",
        f"poller-{kit.hex(6)}",
        "aws-sdk-go/1.51.21 (go1.22.1; linux; amd64)",
        kit.public_ip(),
        creation=start,
    )
    routine_reads(
        kit,
        start,
        now,
        [
            (obs, RDS, "DescribeDBInstances", None),
            (obs, RDS, "DescribeEvents", {"duration": 60}),
            (obs, "ec2.amazonaws.com", "DescribeInstances", {"filterSet": {}, "instancesSet": {}}),
            (obs, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            (dba, RDS, "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
        ],
        kit.rng.randint(26, 34),
    )
    app_p = kit.role_session(
        role["RoleName"],
        insts[0][0],
        "aws-sdk-java/2.25.28 Linux/5.10.215 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10",
        kit.public_ip(),
        creation=start,
    )
    for at in sorted(kit.jitter(start, (now - start).total_seconds()) for _ in range(5)):
        kit.ct(
            at,
            app_p,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {
                "secretId": f"arn:aws:secretsmanager:{region}:{kit.account}:secret:billing-db/invoice-service-{kit.upper(6)}"
            },
            None,
            read_only=True,
        )
    ops = kit.sso_user(
        "ops.rotation@lumenbill.com", "ReadOnly", console=False, creation=now - timedelta(minutes=12)
    )
    ops.agent = UA_CLI.format(p=33, cmd="rds.describe-db-instances")
    kit.ct(
        now - timedelta(minutes=kit.rng.randint(2, 9)),
        ops,
        RDS,
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        None,
        read_only=True,
    )

    # --- alarms ------------------------------------------------------------------------------------------
    topic = kit.arn("sns", "billing-pager")
    a5 = AlarmSpec(
        "invoice-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="invoice-api: target 5xx over 50/min for 3 minutes",
        actions=[topic],
        ok_actions=[topic],
    )
    eval_from = fine_from + timedelta(minutes=10)
    trs = kit.alarm(a5, eval_from, now)
    kit.alarm(
        AlarmSpec(
            "billing-db-free-storage-2gib",
            "AWS/RDS",
            "FreeStorageSpace",
            dd,
            "Minimum",
            300,
            1,
            2 * GIB,
            "LessThanThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "billing-db-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            dd,
            "Average",
            300,
            3,
            85.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "invoice-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Maximum",
            60,
            2,
            1.0,
            "GreaterThanOrEqualToThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    first = next(tr for tr in trs if tr.new == "ALARM")
    truth = {
        "no_fault": False,
        "root_cause": {"resource": db, "category": "limit", "failure_mode": "storage-full"},
        "also_accept": [dbi["DBInstanceArn"]],
        "actions": ["scale", "reconfigure"],
        "chain": [
            f"{db} (200 GiB gp3, no MaxAllocatedStorage) is filled by the month-end rollup's inserts",
            "InnoDB writes fail with errno 28 and 'table is full'; RDS marks the instance storage-full",
            f"{app} inserts and then its DB health check fail; targets go unhealthy",
            "invoice-api ALB target 5xx alarm",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": kit.alarm_event(a5, first)},
            "truth": truth,
        },
        now,
    )
