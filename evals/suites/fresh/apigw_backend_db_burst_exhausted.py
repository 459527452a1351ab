"""API Gateway 504s: the Lambda backend's gp2 PostgreSQL instance ran out of I/O burst credits."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Kit,
    Net,
    RestApi,
    access_line,
    cli,
    iso,
    lambda_fn,
    lambda_invocation,
    lambda_metrics,
    lambda_proxy,
    lambda_stream,
    log_group,
    ms,
    standard_menu,
    tcp_from_sg,
)

NAME = "apigw-backend-db-burst-exhausted"
TITLE = "claims-api returning 504s"
SUMMARY = (
    "Read IOPS above the gp2 baseline all morning drain claims-db's BurstBalance to zero; reads queue, "
    "the search Lambda runs past API Gateway's 29 s integration timeout and clients get 504s"
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="eu-central-1")
    rng = kit.rng
    onset = kit.clock(onset_hour=(10, 14), hours_before=7, minutes_after=rng.randint(30, 42), fine_hours=3.5)
    co = rng.choice(["versana", "helvia", "assurio"])
    dom = f"{co}.de"
    names = rng.sample(["lena.schulz", "max.weber", "anna.keller", "jan.fischer", "mia.wolf"], 4)
    dev = kit.sso(f"{names[0]}@{dom}", "Developer")
    sre = kit.sso(f"{names[1]}@{dom}", "SRE")
    finops = kit.sso(f"{names[2]}@{dom}", "BillingReadWrite")
    ci = kit.role_session(f"{co}-deploy", "GitHubActions")
    monitor = kit.role_session("grafana-reader", "grafana")

    net = Net(kit, f"{co}-prod", rng.choice([8, 12, 30]))
    fn_sg = net.sg("claims-lambda-sg", "claims lambdas", [])
    db_sg = net.sg("claims-db-sg", "claims postgres", [tcp_from_sg(5432, fn_sg, "lambdas")])
    created = kit.start - timedelta(days=rng.randint(400, 1000))

    # --- database -------------------------------------------------------------------------------------
    storage = rng.choice([150, 200, 250])
    baseline = storage * 3
    db = "claims-db"
    db_host = f"{db}.c{kit.hex(10)}.{kit.region}.rds.amazonaws.com"
    kit.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.m6g.xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "claims_admin",
            "DBName": "claims",
            "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z1RLNUO7B9Q6NB"},
            "AllocatedStorage": storage,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "01:10-01:40",
            "BackupRetentionPeriod": 14,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": "claims-pg15", "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": net.azs[0],
            "DBSubnetGroup": {
                "DBSubnetGroupName": f"{co}-prod-db",
                "DBSubnetGroupDescription": "private subnets",
                "VpcId": net.vpc_id,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": az}, "SubnetStatus": "Active"}
                    for s, az in zip(net.private, net.azs, strict=True)
                ],
            },
            "PreferredMaintenanceWindow": "sun:02:00-sun:02:30",
            "PendingModifiedValues": {},
            "MultiAZ": False,
            "EngineVersion": "15.7",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license",
            "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-15", "Status": "in-sync"}],
            "PubliclyAccessible": False,
            "StorageType": "gp2",
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
            "DbiResourceId": "db-" + kit.upper(26),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 0,
            "DBInstanceArn": kit.arn("rds", f"db:{db}"),
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": False,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
            "MaxAllocatedStorage": storage * 2,
            "TagList": [{"Key": "service", "Value": "claims"}, {"Key": "env", "Value": "prod"}],
            "BackupTarget": "region",
            "NetworkType": "IPV4",
            "StorageThroughput": 0,
            "DedicatedLogVolume": False,
        },
    )

    # --- API and functions -------------------------------------------------------------------------------
    access_group = "/aws/apigateway/claims-api-prod"
    api = RestApi(
        kit,
        "claims-api",
        "Claims read/write API for the agent portal",
        created=created,
        stage="prod",
        access_group=access_group,
        tracing=False,
    )
    exec_group = f"API-Gateway-Execution-Logs_{api.id}/prod"
    role = "claims-api-lambda"
    vpc = (net.private, [fn_sg], net.vpc_id)
    env = {
        "DB_HOST": db_host,
        "DB_NAME": "claims",
        "DB_SECRET_ARN": kit.arn("secretsmanager", f"secret:claims/app-{kit.upper(6)}"),
        "POWERTOOLS_SERVICE_NAME": "claims",
    }
    fns = {}
    for fname, handler, mem, timeout in (
        ("claims-read", "app.read.handler", 1024, 30),
        ("claims-write", "app.write.handler", 1024, 30),
        ("claims-notify", "app.notify.handler", 256, 60),
    ):
        fns[fname] = lambda_fn(
            kit,
            fname,
            runtime="python3.12",
            handler=handler,
            role=role,
            memory=mem,
            timeout=timeout,
            modified=kit.start - timedelta(days=rng.randint(3, 30)),
            env=env,
            vpc=vpc,
        )
        log_group(kit, f"/aws/lambda/{fname}", retention=30)
    log_group(kit, access_group, retention=90)
    log_group(kit, exec_group, retention=14)
    log_group(kit, f"/aws/rds/instance/{db}/postgresql", retention=7)
    claims = api.resource(
        "/claims", api.root, {"POST": lambda_proxy(kit, fns["claims-write"]["FunctionArn"])}
    )
    api.resource("/claims/search", claims, {"GET": lambda_proxy(kit, fns["claims-read"]["FunctionArn"])})
    api.resource("/claims/{claimId}", claims, {"GET": lambda_proxy(kit, fns["claims-read"]["FunctionArn"])})

    # --- the slow drain --------------------------------------------------------------------------------
    floor = rng.uniform(0.2, 0.3)
    minutes = int((kit.now - kit.start).total_seconds() // 60) + 1
    onset_i = int((onset - kit.start).total_seconds() // 60)
    shape = [kit.diurnal(kit.start + timedelta(minutes=i), utc_peak=11.5, floor=0.08) for i in range(minutes)]
    full = 5_400_000.0

    def run(peak: float) -> list[float]:
        credits, out = full, []
        for i in range(minutes):
            demand = min(3000.0, baseline * (floor + peak * shape[i]))
            credits = min(full, max(0.0, credits + (baseline - demand) * 60))
            out.append(credits)
        return out

    lo, hi = 0.8, 8.0
    for _ in range(60):  # the peak demand that empties the bucket exactly at the onset
        mid = (lo + hi) / 2
        empty = next((i for i, c in enumerate(run(mid)) if c <= 0), minutes)
        lo, hi = (mid, hi) if empty > onset_i else (lo, mid)
    peak = hi

    def iops_demand(t: datetime) -> float:
        return min(3000.0, baseline * (floor + peak * kit.diurnal(t, utc_peak=11.5, floor=0.08)))

    balance: dict[datetime, float] = {}
    for i, c in enumerate(run(peak)):
        balance[kit.start + timedelta(minutes=i)] = 100 * c / full if i < onset_i else 0.0

    def burst(t: datetime) -> float:
        return balance.get(t.replace(second=0, microsecond=0), 0.0)

    def starved(t: datetime) -> float:
        """How far demand exceeds what the volume can serve (0 while credits last)."""
        if burst(t) > 0.05:
            return 0.0
        return max(
            0.0, iops_demand(t) * (1 + 0.35 * min(1.0, (t - onset).total_seconds() / 900)) / baseline - 1
        )

    def read_iops(t: datetime) -> float:
        return baseline * rng.uniform(0.985, 1.0) if burst(t) <= 0.05 else iops_demand(t)

    dbd = {"DBInstanceIdentifier": db}
    kit.series("AWS/RDS", "BurstBalance", dbd, "Percent", lambda t: burst(t), digits=3)
    kit.series("AWS/RDS", "ReadIOPS", dbd, "Count/Second", lambda t: kit.jitter(read_iops(t), 0.03), digits=2)
    kit.series(
        "AWS/RDS",
        "WriteIOPS",
        dbd,
        "Count/Second",
        lambda t: kit.jitter(70 + 60 * kit.diurnal(t, utc_peak=11), 0.1),
    )
    kit.series(
        "AWS/RDS",
        "ReadLatency",
        dbd,
        "Seconds",
        lambda t: kit.jitter(0.0009 + 0.045 * starved(t) + 0.0004 * kit.diurnal(t), 0.08),
        digits=6,
    )
    kit.series(
        "AWS/RDS",
        "WriteLatency",
        dbd,
        "Seconds",
        lambda t: kit.jitter(0.0016 + 0.02 * starved(t), 0.1),
        digits=6,
    )
    kit.series(
        "AWS/RDS", "DiskQueueDepth", dbd, "Count", lambda t: kit.jitter(0.6 + 55 * starved(t), 0.1), digits=3
    )
    kit.series(
        "AWS/RDS",
        "ReadThroughput",
        dbd,
        "Bytes/Second",
        lambda t: kit.jitter(read_iops(t) * 8192 * 1.6, 0.05),
        digits=0,
    )
    kit.series(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        lambda t: kit.jitter(
            14 + 30 * kit.diurnal(t, utc_peak=11.5, floor=0.1) - 6 * min(1.0, starved(t)), 0.06
        ),
    )
    kit.series(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        lambda t: round(
            kit.jitter(18 + 30 * kit.diurnal(t, utc_peak=11.5) + 160 * min(1.0, starved(t)), 0.05)
        ),
        digits=0,
    )
    kit.series("AWS/RDS", "FreeableMemory", dbd, "Bytes", lambda t: kit.jitter(4.1e9, 0.01), digits=0)
    kit.series("AWS/RDS", "FreeStorageSpace", dbd, "Bytes", lambda t: storage * 1e9 * 0.41, digits=0)

    # --- API and Lambda metrics --------------------------------------------------------------------------
    base_rpm = rng.uniform(900, 1400)

    def rpm(t: datetime) -> float:
        return base_rpm * kit.diurnal(t, utc_peak=11.5, floor=0.12)

    def slow_share(t: datetime) -> float:
        s = starved(t)
        return 0.0 if s <= 0 else min(0.55, 0.08 + 0.5 * s)

    def read_dur(t: datetime) -> tuple[float, float]:
        s = starved(t)
        return (180 * (1 + 25 * s), 0.7 + 0.8 * min(1.0, s))

    ns = "AWS/ApiGateway"
    kit.series(ns, "Count", api.dims, "Count", lambda t: kit.jitter(rpm(t), 0.04), count=True)
    kit.series(
        ns, "5XXError", api.dims, "Count", lambda t: rpm(t) * (0.0003 + 0.62 * slow_share(t)), count=True
    )
    kit.series(ns, "4XXError", api.dims, "Count", lambda t: rpm(t) * 0.011, count=True)
    kit.dist(
        ns,
        "Latency",
        api.dims,
        "Milliseconds",
        lambda t: (min(29000.0, 210 * (1 + 40 * starved(t))), 0.7 + min(1.2, starved(t))),
        samples=lambda t: 200,
    )
    kit.dist(
        ns,
        "IntegrationLatency",
        api.dims,
        "Milliseconds",
        lambda t: (min(29000.0, 195 * (1 + 40 * starved(t))), 0.7 + min(1.2, starved(t))),
        samples=lambda t: 200,
    )
    lambda_metrics(
        kit,
        "claims-read",
        invocations=lambda t: rpm(t) * 0.8,
        errors=lambda t: rpm(t) * 0.8 * slow_share(t) * 0.55,
        duration=read_dur,
        concurrency=lambda t: 2 + rpm(t) * 0.8 / 60 * min(30.0, read_dur(t)[0] / 1000 * 2),
    )
    lambda_metrics(
        kit,
        "claims-write",
        invocations=lambda t: rpm(t) * 0.2,
        errors=lambda t: rpm(t) * 0.2 * slow_share(t) * 0.2,
        duration=lambda t: (240 * (1 + 8 * starved(t)), 0.6),
        concurrency=lambda t: 2 + rpm(t) * 0.2 / 60 * 0.5,
    )
    lambda_metrics(
        kit,
        "claims-notify",
        invocations=lambda t: 12 * kit.diurnal(t),
        errors=lambda t: 0.01,
        duration=lambda t: (420.0, 0.4),
        concurrency=lambda t: 1.0,
    )

    # --- logs --------------------------------------------------------------------------------------------
    astream = kit.hex(32)
    t = kit.start
    while t < kit.now:
        t += timedelta(seconds=rng.expovariate(rpm(t) / 60 / 70) if rpm(t) > 0 else 30)
        method, path = rng.choice(
            [
                ("GET", "/claims/search"),
                ("GET", "/claims/{claimId}"),
                ("GET", "/claims/{claimId}"),
                ("POST", "/claims"),
            ]
        )
        if rng.random() < slow_share(t) * (0.62 / 0.55):
            kit.log(
                access_group,
                astream,
                t,
                access_line(
                    kit,
                    t,
                    method=method,
                    path=path,
                    status=504,
                    latency=29000 + rng.randint(2, 40),
                    integ=29000 + rng.randint(0, 3),
                    length=41,
                    error="INTEGRATION_TIMEOUT",
                    message="Endpoint request timed out",
                ),
            )
            kit.log(exec_group, kit.hex(32), t, f"({kit.uuid()}) Execution failed due to a timeout error")
            continue
        il = round(rng.lognormvariate(5.2, 0.5) * (1 + 18 * starved(t)))
        il = min(il, 28800)
        code = 201 if method == "POST" else (404 if rng.random() < 0.01 else 200)
        kit.log(
            access_group,
            astream,
            t,
            access_line(
                kit,
                t,
                method=method,
                path=path,
                status=code,
                latency=il + rng.randint(8, 25),
                integ=il,
                integ_status=200,
                length=rng.randint(300, 9000),
            ),
        )
    group = "/aws/lambda/claims-read"
    for _k in range(2):
        st = lambda_stream(kit, kit.start)
        t = kit.start + timedelta(seconds=rng.randint(0, 90))
        while t < kit.now:
            t += timedelta(seconds=rng.expovariate(1 / 75))
            med, spread = read_dur(t)
            d = rng.lognormvariate(0, spread) * med
            timed = d >= 30000
            d = min(d, 30030.0)
            q = rng.choice(["search", "get"])
            lines = [
                f"[INFO]\t{json.dumps({'level': 'INFO', 'message': 'handling request', 'route': q, 'service': 'claims'})}"
            ]
            if d > 5000 and not timed:
                lines.append(
                    f"[WARNING]\t{json.dumps({'level': 'WARNING', 'message': 'slow query', 'route': q, 'elapsed_ms': round(d - 40)})}"
                )
            lambda_invocation(
                kit, group, st, t, d, 1024, rng.randint(140, 210), lines, timed_out=30.03 if timed else None
            )
            t += timedelta(milliseconds=d)
    # postgres log file and stream: slow statements (log_min_duration_statement = 2000)
    pg_lines = []
    t = kit.start
    pg_stream = db
    while t < kit.now:
        t += timedelta(seconds=rng.expovariate(1 / 600) if starved(t) <= 0 else rng.expovariate(1 / 6))
        if t >= kit.now:
            break
        dur = rng.uniform(2000, 3800) if starved(t) <= 0 else rng.uniform(4000, 29000)
        stmt = rng.choice(
            [
                "SELECT c.* FROM claims c JOIN policies p ON p.id = c.policy_id WHERE p.holder_id = $1 ORDER BY c.created_at DESC LIMIT 50",
                "SELECT * FROM claim_documents WHERE claim_id = $1",
                "SELECT c.id, c.status FROM claims c WHERE c.status = ANY($1) AND c.updated_at > $2",
            ]
        )
        line = (
            f"{t:%Y-%m-%d %H:%M:%S} UTC:10.{net.cidr.split('.')[1]}.{rng.randint(16, 27)}.{rng.randint(4, 250)}"
            f"({rng.randint(30000, 65000)}):claims_app@claims:[{rng.randint(1000, 40000)}]:LOG:  duration: {dur:.3f} ms  "
            f"execute <unnamed>: {stmt}"
        )
        pg_lines.append(line)
        kit.log(f"/aws/rds/instance/{db}/postgresql", pg_stream, t, line)
    hour_file = kit.now.replace(minute=0, second=0, microsecond=0)
    current = [ln for ln in pg_lines if ln.startswith(f"{hour_file:%Y-%m-%d %H}")]
    kit.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": db,
            "LogFileName": f"error/postgresql.log.{hour_file:%Y-%m-%d-%H}",
            "LastWritten": ms(kit.now - timedelta(seconds=rng.randint(1, 20))),
            "Size": sum(len(x) + 1 for x in current),
            "Data": "\n".join(current) + "\n",
        },
    )

    # --- alarms --------------------------------------------------------------------------------------------
    topic = kit.arn("sns", "claims-oncall")
    kit.alarm(
        "claims-api-prod-5xx",
        ns=ns,
        metric="5XXError",
        dims=api.dims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=15,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
        description="claims-api prod: server errors",
    )
    kit.alarm(
        "claims-db-cpu-high",
        ns="AWS/RDS",
        metric="CPUUtilization",
        dims=dbd,
        stat="Average",
        period=300,
        evals=3,
        threshold=80,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "claims-db-free-storage-low",
        ns="AWS/RDS",
        metric="FreeStorageSpace",
        dims=dbd,
        stat="Minimum",
        period=300,
        evals=1,
        threshold=20e9,
        op="LessThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "claims-notify-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "claims-notify"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5,
        op="GreaterThanThreshold",
        missing="notBreaching",
    )

    # --- CloudTrail ----------------------------------------------------------------------------------------
    menu = standard_menu(
        kit,
        humans=[dev, sre],
        ci=ci,
        monitor=monitor,
        instance_ids=[],
        alarms=[a["AlarmName"] for a in kit.records["alarms"]],
        lb_arns=[],
        tg_arns=[],
        functions=list(fns),
        log_groups=[access_group, "/aws/lambda/claims-read"],
    )
    kit.routine(menu, 38)
    ci_ip = kit.public_ip()
    t_dep = onset - timedelta(minutes=rng.randint(22, 28))
    kit.trail(
        ci,
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "claims-notify",
            "s3Bucket": f"{co}-artifacts-{kit.region}",
            "s3Key": f"claims-notify/{kit.hex(40)}.zip",
            "publish": False,
        },
        {
            "functionName": "claims-notify",
            "functionArn": fns["claims-notify"]["FunctionArn"],
            "runtime": "python3.12",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=AGENT_TF.format(api="lambda#1.54.6"),
        ip=ci_ip,
    )
    t_st = onset - timedelta(minutes=rng.randint(9, 16))
    kit.trail(
        dev,
        t_st,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api.id,
            "stageName": "prod",
            "patch": {"patchOperations": [{"op": "replace", "path": "/tracingEnabled", "value": "true"}]},
        },
        {"stageName": "prod", "deploymentId": api.deployment, "tracingEnabled": True},
        agent=AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )
    t_tag = onset - timedelta(minutes=rng.randint(2, 6))
    kit.trail(
        finops,
        t_tag,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {"resourceName": kit.arn("rds", f"db:{db}"), "tags": [{"key": "cost-center", "value": "CC-4410"}]},
        None,
        agent=cli("rds.add-tags-to-resource"),
        ip=kit.public_ip(),
    )
    kit.trail(
        finops,
        t_tag - timedelta(minutes=1),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        read_only=True,
        agent=cli("rds.describe-db-instances"),
        ip=kit.public_ip(),
    )
    # the stage's tracing change really is live: record it in the stage as AWS now shows it
    for r in kit.records["resources"]:
        if r["type"] == "RestApiStage" and r["item"]["restApiId"] == api.id:
            r["item"]["tracingEnabled"] = True
            r["item"]["lastUpdatedDate"] = iso(t_st)

    return kit.bundle(
        title=TITLE,
        trigger={"alarm_event": kit.alarm_event("claims-api-prod-5xx")},
        truth={
            "root_cause": {
                "resource": db,
                "category": "limit",
                "failure_mode": "ebs-burst-balance-exhausted",
            },
            "also_accept": [kit.arn("rds", f"db:{db}"), db_host],
            "actions": ["scale", "reconfigure"],
            "chain": [
                f"{db} (gp2, {storage} GiB, {baseline} IOPS baseline) read above baseline all morning; BurstBalance reached 0",
                f"ReadIOPS pinned at {baseline}; ReadLatency and DiskQueueDepth climb",
                "claims-read queries take tens of seconds; Lambda durations exceed 29 s",
                "API Gateway claims-api/prod returns 504 (integration timeout); claims-api-prod-5xx alarms",
            ],
        },
    )
