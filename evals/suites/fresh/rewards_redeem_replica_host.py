"""Rewards API: the ledger function's DB_HOST now names the read replica; writes fail, reads work."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_s import (
    TERRAFORM_UA,
    Alarm,
    Ctx,
    aws_service,
    ci_role,
    cli_ua,
    ct,
    diurnal,
    iso,
    lambda_fn,
    log_group,
    report_line,
    routine_reads,
    sso_user,
)

NAME = "rewards-redeem-replica-host"
TITLE = "Rewards redemptions failing while balances still load"
SUMMARY = (
    "An engineer's UpdateFunctionConfiguration pointed the rewards ledger Lambda's DB_HOST at the Postgres "
    "read replica; INSERTs fail with 'read-only transaction', API Gateway returns 5xx on POSTs only."
)

REGION = "us-east-1"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, REGION)
    rng = ctx.rng
    day = datetime(2026, 10, 5, tzinfo=UTC) + timedelta(days=rng.randint(0, 50))
    onset = day + timedelta(hours=rng.randint(14, 19), minutes=rng.randint(2, 55), seconds=rng.randint(0, 59))
    start = onset.replace(minute=0, second=0) - timedelta(hours=5)
    now = onset + timedelta(minutes=rng.randint(36, 50))
    change = onset - timedelta(seconds=rng.randint(8, 20))
    acct = ctx.account

    suffix = ctx.alnum(12, upper=False)
    primary = "rewards-ledger-db"
    replica = f"rewards-ledger-db-ro{rng.randint(1, 2)}"
    p_host = f"{primary}.{suffix}.{REGION}.rds.amazonaws.com"
    r_host = f"{replica}.{suffix}.{REGION}.rds.amazonaws.com"
    fn = "rewards-ledger-api"
    reports = "rewards-ledger-reports"
    expiry = "rewards-points-expiry"
    api_id = ctx.alnum(10, upper=False)
    api_name = "rewards-ledger"
    vpc = f"vpc-0{ctx.hex(16)}"
    subnets = [f"subnet-0{ctx.hex(16)}" for _ in range(3)]
    sg_fn = f"sg-0{ctx.hex(16)}"
    sg_db = f"sg-0{ctx.hex(16)}"
    engineer = sso_user(ctx, rng.choice(["priya.raman", "tom.okafor", "lena.fischer"]) + "@tallyrewards.com")
    other = sso_user(ctx, rng.choice(["sam.cho", "maria.lopes"]) + "@tallyrewards.com", "ReadOnlyAccess")
    ci = ci_role(ctx, "gha-deploy-rewards", "GitHubActions", TERRAFORM_UA.format(api="lambda", ver="1.54.3"))
    lam = aws_service(ctx, "lambda.amazonaws.com")
    base_created = start - timedelta(days=rng.randint(200, 500))

    # --- resources ---------------------------------------------------------------------------------
    common_env = {"DB_NAME": "ledger", "DB_PORT": "5432", "DB_USER": "ledger_app", "NODE_ENV": "production"}
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            fn,
            runtime="nodejs20.x",
            handler="dist/handler.main",
            role="rewards-ledger-api-exec",
            modified=change,
            memory=1024,
            timeout=15,
            env={
                **common_env,
                "DB_HOST": r_host,
                "DB_SECRET_ARN": ctx.arn(
                    "secretsmanager", f"secret:rewards/ledger-app-{ctx.alnum(6, False)}"
                ),
                "POOL_MAX": "4",
                "LOG_LEVEL": "info",
            },
            vpc=(subnets, [sg_fn], vpc),
            description="Rewards ledger HTTP API (balances, accruals, redemptions)",
        ),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            reports,
            runtime="nodejs20.x",
            handler="dist/reports.main",
            role="rewards-ledger-reports-exec",
            modified=change - timedelta(minutes=rng.randint(3, 6)),
            memory=2048,
            timeout=300,
            env={**common_env, "DB_HOST": r_host, "REPORT_BUCKET": f"tally-rewards-reports-{acct}"},
            vpc=(subnets, [sg_fn], vpc),
            description="Nightly and on-demand partner statements",
        ),
    )
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        lambda_fn(
            ctx,
            expiry,
            runtime="python3.12",
            handler="expiry.handler",
            role="rewards-points-expiry-exec",
            modified=onset - timedelta(minutes=rng.randint(18, 26)),
            memory=512,
            timeout=120,
            env={"DB_HOST": p_host, "DB_NAME": "ledger", "DB_USER": "ledger_jobs", "BATCH_SIZE": "500"},
            vpc=(subnets, [sg_fn], vpc),
            description="Expires points past their validity window",
        ),
    )

    def rds(ident: str, az: str, src: str | None) -> dict[str, object]:
        item: dict[str, object] = {
            "DBInstanceIdentifier": ident,
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "ledger_admin",
            "DBName": "ledger",
            "Endpoint": {
                "Address": f"{ident}.{suffix}.{REGION}.rds.amazonaws.com",
                "Port": 5432,
                "HostedZoneId": "Z2R2ITUGPM61AM",
            },
            "AllocatedStorage": 200,
            "InstanceCreateTime": iso(base_created if src is None else base_created + timedelta(days=40)),
            "PreferredBackupWindow": "07:10-07:40",
            "BackupRetentionPeriod": 7 if src is None else 0,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": "ledger-pg16", "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": "rewards-private",
                "DBSubnetGroupDescription": "rewards private subnets",
                "VpcId": vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": s,
                        "SubnetAvailabilityZone": {"Name": f"{REGION}{z}"},
                        "SubnetStatus": "Active",
                    }
                    for s, z in zip(subnets, "abc", strict=True)
                ],
            },
            "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
            "PendingModifiedValues": {},
            "MultiAZ": src is None,
            "EngineVersion": "16.4",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [replica] if src is None else [],
            "LicenseModel": "postgresql-license",
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "Iops": 3000,
            "StorageThroughput": 125,
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + ctx.alnum(26),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "DBInstanceArn": ctx.arn("rds", f"db:{ident}"),
            "PerformanceInsightsEnabled": True,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": src is None,
            "TagList": [{"Key": "service", "Value": "rewards-ledger"}, {"Key": "team", "Value": "loyalty"}],
        }
        if src is not None:
            item["ReadReplicaSourceDBInstanceIdentifier"] = src
            item["StatusInfos"] = [
                {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
            ]
        else:
            item["SecondaryAvailabilityZone"] = f"{REGION}b"
        return item

    ctx.resource("rds", "DBInstance", rds(primary, f"{REGION}a", None))
    ctx.resource("rds", "DBInstance", rds(replica, f"{REGION}c", primary))
    ctx.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Tally rewards ledger public API",
            "createdDate": iso(base_created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": ctx.alnum(10, upper=False),
        },
    )
    ctx.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": ctx.alnum(6, upper=False),
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": False,
            "createdDate": iso(base_created),
            "lastUpdatedDate": iso(start - timedelta(days=rng.randint(3, 20))),
        },
    )
    for gid, desc in ((sg_fn, "rewards ledger lambdas"), (sg_db, "rewards ledger postgres")):
        perms = []
        if gid == sg_db:
            perms = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "UserIdGroupPairs": [{"GroupId": sg_fn, "UserId": acct, "Description": "lambdas"}],
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ]
        ctx.resource(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": desc.replace(" ", "-"),
                "Description": desc,
                "OwnerId": acct,
                "VpcId": vpc,
                "IpPermissions": perms,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            },
        )
    for f in (fn, reports, expiry):
        ctx.resource("logs", "LogGroup", log_group(ctx, f"/aws/lambda/{f}", base_created, 30))
    ctx.resource(
        "logs", "LogGroup", log_group(ctx, f"/aws/rds/instance/{replica}/postgresql", base_created, 7)
    )
    ctx.resource(
        "logs", "LogGroup", log_group(ctx, f"/aws/rds/instance/{primary}/postgresql", base_created, 7)
    )

    # --- metrics -------------------------------------------------------------------------------------
    off = -4.0 if onset < datetime(2026, 11, 1, 6, tzinfo=UTC) else -5.0
    load: dict[datetime, float] = {}
    scale = rng.uniform(170, 260)

    def rate(t: datetime) -> float:
        if t not in load:
            load[t] = ctx.noise(scale, 0.06) * diurnal(t, off, 13.0, 0.3)
        return load[t]

    write_share = rng.uniform(0.28, 0.36)
    broken = lambda t: t >= onset.replace(second=0)  # noqa: E731
    apid = {"ApiName": api_name, "Stage": "prod"}
    ns = "AWS/ApiGateway"
    ctx.series(ns, "Count", apid, "Count", start, now, lambda t: rate(t), integer=True)
    fives = ctx.series(
        ns,
        "5XXError",
        apid,
        "Count",
        start,
        now,
        lambda t: (
            rate(t) * write_share * rng.uniform(0.93, 0.99)
            if broken(t)
            else (1.0 if rng.random() < 0.03 else 0.0)
        ),
        integer=True,
    )
    ctx.series(
        ns, "4XXError", apid, "Count", start, now, lambda t: rate(t) * rng.uniform(0.01, 0.025), integer=True
    )
    ctx.series(
        ns,
        "Latency",
        apid,
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(74.0, 0.1) if not broken(t) else ctx.noise(58.0, 0.1),
    )
    ctx.series(
        ns,
        "IntegrationLatency",
        apid,
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(61.0, 0.1) if not broken(t) else ctx.noise(46.0, 0.1),
    )
    fd = {"FunctionName": fn}
    ctx.series("AWS/Lambda", "Invocations", fd, "Count", start, now, lambda t: rate(t), integer=True)
    ctx.series("AWS/Lambda", "Errors", fd, "Count", start, now, lambda t: 0.0)
    ctx.series("AWS/Lambda", "Throttles", fd, "Count", start, now, lambda t: 0.0)
    ctx.series(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        start,
        now,
        lambda t: ctx.noise(52.0 if not broken(t) else 37.0, 0.12),
    )
    ctx.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        start,
        now,
        lambda t: max(1.0, rate(t) * 0.055 * rng.uniform(0.7, 1.4)),
        integer=True,
    )
    # reports runs on demand a few times an hour; expiry every 15 minutes
    for f, every, dur in ((reports, 20, 41000.0), (expiry, 15, 6200.0)):
        d = {"FunctionName": f}
        on = {
            t
            for t in (
                start + timedelta(minutes=i) for i in range(int((now - start).total_seconds() // 60) + 1)
            )
            if t.minute % every == 0
        }

        def inv(t: datetime, on: set[datetime] = on) -> float | None:
            return 1.0 if t in on else None

        def zero(t: datetime, on: set[datetime] = on) -> float | None:
            return 0.0 if t in on else None

        def lat(t: datetime, on: set[datetime] = on, du: float = dur) -> float | None:
            return ctx.noise(du, 0.15) if t in on else None

        ctx.series("AWS/Lambda", "Invocations", d, "Count", start, now, inv)
        ctx.series("AWS/Lambda", "Errors", d, "Count", start, now, zero)
        ctx.series("AWS/Lambda", "Duration", d, "Milliseconds", start, now, lat)
    pdim = {"DBInstanceIdentifier": primary}
    rdim = {"DBInstanceIdentifier": replica}
    ctx.series(
        "AWS/RDS",
        "CPUUtilization",
        pdim,
        "Percent",
        start,
        now,
        lambda t: ctx.noise(9 + rate(t) * 0.09 if not broken(t) else 7.0, 0.08),
    )
    ctx.series(
        "AWS/RDS",
        "DatabaseConnections",
        pdim,
        "Count",
        start,
        now,
        lambda t: ctx.noise(46.0, 0.05) if not broken(t) else ctx.noise(9.0, 0.15),
        integer=True,
    )
    ctx.series(
        "AWS/RDS",
        "WriteIOPS",
        pdim,
        "Count/Second",
        start,
        now,
        lambda t: ctx.noise(38 + rate(t) * write_share * 0.9 if not broken(t) else 21.0, 0.1),
    )
    ctx.series(
        "AWS/RDS",
        "ReadIOPS",
        pdim,
        "Count/Second",
        start,
        now,
        lambda t: ctx.noise(140.0 if not broken(t) else 6.0, 0.12),
    )
    ctx.series(
        "AWS/RDS", "FreeableMemory", pdim, "Bytes", start, now, lambda t: ctx.noise(5.9e9, 0.01), integer=True
    )
    ctx.series(
        "AWS/RDS",
        "CPUUtilization",
        rdim,
        "Percent",
        start,
        now,
        lambda t: ctx.noise(5.0 if not broken(t) else 14.0, 0.1),
    )
    ctx.series(
        "AWS/RDS",
        "DatabaseConnections",
        rdim,
        "Count",
        start,
        now,
        lambda t: ctx.noise(7.0, 0.2) if not broken(t) else ctx.noise(44.0, 0.06),
        integer=True,
    )
    ctx.series("AWS/RDS", "ReplicaLag", rdim, "Seconds", start, now, lambda t: max(0.0, rng.gauss(0.3, 0.2)))
    ctx.series(
        "AWS/RDS",
        "ReadIOPS",
        rdim,
        "Count/Second",
        start,
        now,
        lambda t: ctx.noise(4.0 if not broken(t) else 120.0, 0.15),
    )

    # --- alarms ----------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "loyalty-oncall")
    a5 = Alarm(
        ctx,
        "rewards-ledger-api-5xx",
        "5xx responses from the rewards ledger API (prod)",
        ns,
        "5XXError",
        apid,
        "Sum",
        60,
        3,
        10,
        "GreaterThanOrEqualToThreshold",
        missing="notBreaching",
        actions=[topic],
        created=base_created + timedelta(days=30),
    )
    a5.evaluate(fives, start, now)
    a5.publish()
    for name, desc, nsp, met, dims, stat, th, op in (
        (
            "rewards-ledger-api-errors",
            "Unhandled errors in rewards-ledger-api",
            "AWS/Lambda",
            "Errors",
            fd,
            "Sum",
            5,
            "GreaterThanOrEqualToThreshold",
        ),
        (
            "rewards-ledger-db-cpu-high",
            "Primary CPU",
            "AWS/RDS",
            "CPUUtilization",
            pdim,
            "Average",
            80,
            "GreaterThanThreshold",
        ),
        (
            "rewards-ledger-replica-lag",
            "Replica lag over 60s",
            "AWS/RDS",
            "ReplicaLag",
            rdim,
            "Maximum",
            60,
            "GreaterThanThreshold",
        ),
    ):
        vals = {
            m["timestamp"]: m.get("value")
            for m in ctx.metrics
            if m["metric"] == met and m["dimensions"] == dims and "value" in m
        }
        series = {datetime.fromisoformat(k.replace("Z", "+00:00")): float(v or 0) for k, v in vals.items()}
        al = Alarm(
            ctx,
            name,
            desc,
            nsp,
            met,
            dims,
            stat,
            300 if nsp == "AWS/RDS" else 60,
            3,
            th,
            op,
            missing="notBreaching" if nsp == "AWS/Lambda" else "missing",
            actions=[topic],
            created=base_created + timedelta(days=31),
        )
        al.evaluate(series, start, now)
        al.publish()

    # --- logs ----------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    streams: list[tuple[str, datetime]] = []

    def new_stream(t: datetime) -> str:
        ver = "$LATEST"
        s = f"{t:%Y/%m/%d}/[{ver}]{ctx.hex(32)}"
        streams.append((s, t))
        return s

    def cold(t: datetime, host: str) -> str:
        s = new_stream(t)
        ctx.log(
            grp,
            s,
            t,
            "INIT_START Runtime Version: nodejs:20.v43\tRuntime Version ARN: "
            f"arn:aws:lambda:{REGION}::runtime:{ctx.hex(64)}\n",
        )
        ctx.log(
            grp,
            s,
            t + timedelta(milliseconds=420),
            f"{iso(t)[:-1]}.{rng.randint(100, 999)}Z\tundefined\tINFO\t"
            + json.dumps(
                {
                    "level": "info",
                    "msg": "pg pool created",
                    "host": host,
                    "database": "ledger",
                    "max": 4,
                    "service": fn,
                }
            )
            + "\n",
        )
        return s

    active = [cold(start + timedelta(seconds=rng.randint(0, 600)), p_host) for _ in range(4)]
    t = start + timedelta(minutes=10)
    routes_r = ["GET /members/{id}/balance", "GET /members/{id}/activity", "GET /catalog/rewards"]
    routes_w = ["POST /members/{id}/redemptions", "POST /members/{id}/accruals"]
    switched = False
    while t < now:
        if not switched and t >= onset:
            switched = True
            active = [cold(onset + timedelta(seconds=rng.randint(0, 40)), r_host) for _ in range(4)]
        for _ in range(rng.randint(2, 4)):
            ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            if ts >= now:
                continue
            s = rng.choice(active)
            rid = ctx.uuid()
            write = rng.random() < write_share
            route = rng.choice(routes_w if write else routes_r)
            member = f"M{rng.randint(10_000_000, 99_999_999)}"
            dur = rng.uniform(18, 90)
            ctx.log(grp, s, ts, f"START RequestId: {rid} Version: $LATEST\n")
            stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
            if write and switched:
                verb = "INSERT"
                err = {
                    "level": "error",
                    "msg": "ledger write failed",
                    "route": route.replace("{id}", member),
                    "requestId": rid,
                    "err": {
                        "name": "error",
                        "code": "25006",
                        "severity": "ERROR",
                        "message": f"cannot execute {verb} in a read-only transaction",
                        "routine": "PreventCommandIfReadOnly",
                        "file": "utility.c",
                    },
                    "status": 500,
                }
                ctx.log(
                    grp,
                    s,
                    ts + timedelta(milliseconds=dur * 0.6),
                    f"{stamp}\t{rid}\tERROR\t{json.dumps(err)}\n",
                )
            else:
                info = {
                    "level": "info",
                    "msg": "request completed",
                    "route": route.replace("{id}", member),
                    "status": 201 if write else 200,
                    "ms": round(dur, 1),
                    "requestId": rid,
                }
                if rng.random() < 0.01 and not write:
                    info = {
                        "level": "warn",
                        "msg": "slow query",
                        "route": route.replace("{id}", member),
                        "ms": round(dur * 9, 1),
                        "requestId": rid,
                    }
                ctx.log(
                    grp,
                    s,
                    ts + timedelta(milliseconds=dur * 0.8),
                    f"{stamp}\t{rid}\t{'WARN' if info['level'] == 'warn' else 'INFO'}\t{json.dumps(info)}\n",
                )
            ctx.log(grp, s, ts + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
            ctx.log(
                grp,
                s,
                ts + timedelta(milliseconds=dur + 1),
                report_line(rid, dur, 1024, rng.randint(118, 140)) + "\n",
            )
        t += timedelta(minutes=1)
    # expiry job and reports job
    t = start
    while t < now:
        if t.minute % 15 == 0:
            s = f"{t:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}"
            rid = ctx.uuid()
            ctx.log(f"/aws/lambda/{expiry}", s, t, f"START RequestId: {rid} Version: $LATEST\n")
            n = rng.randint(0, 900)
            ctx.log(
                f"/aws/lambda/{expiry}",
                s,
                t + timedelta(seconds=5),
                f"[INFO]\t{iso(t)[:-1]}.{rng.randint(100, 999)}Z\t{rid}\texpired {n} point lots in "
                f"{rng.randint(1, 3)} batches\n",
            )
            ctx.log(f"/aws/lambda/{expiry}", s, t + timedelta(seconds=6), f"END RequestId: {rid}\n")
            ctx.log(
                f"/aws/lambda/{expiry}",
                s,
                t + timedelta(seconds=6),
                report_line(rid, rng.uniform(5200, 7100), 512, rng.randint(80, 95)) + "\n",
            )
        t += timedelta(minutes=1)
    # replica postgres log: the rejected statements land there
    rlog = f"/aws/rds/instance/{replica}/postgresql"
    rstream = f"{replica}.0"
    plog_lines: list[str] = []
    t = start + timedelta(minutes=rng.randint(5, 40))
    while t < now:
        line = (
            f"{t:%Y-%m-%d %H:%M:%S} UTC::@:[{rng.randint(400, 900)}]:LOG:  checkpoint complete: wrote "
            f"{rng.randint(40, 900)} buffers ({rng.uniform(0.1, 2.0):.1f}%); 0 WAL file(s) added, 0 removed, "
            f"{rng.randint(0, 3)} recycled; write={rng.uniform(20, 270):.3f} s, sync=0.00{rng.randint(1, 9)} s"
        )
        ctx.log(rlog, rstream, t, line)
        plog_lines.append(line)
        t += timedelta(minutes=rng.randint(5, 15))
    t = onset + timedelta(seconds=5)
    ip = ctx.ip("10.42." + str(rng.randint(10, 60)))
    while t < now:
        pid = rng.randint(10000, 40000)
        table = rng.choice(["redemptions", "redemptions", "accruals"])
        for sev, body in (
            ("ERROR", "cannot execute INSERT in a read-only transaction"),
            (
                "STATEMENT",
                f"INSERT INTO {table} (member_id, points, reference, created_at) VALUES ($1, $2, $3, now())"
                " RETURNING id",
            ),
        ):
            line = f"{t:%Y-%m-%d %H:%M:%S} UTC:{ip}(5{rng.randint(1000, 9999)}):ledger_app@ledger:[{pid}]:{sev}:  {body}"
            ctx.log(rlog, rstream, t, line)
            plog_lines.append(line)
        t += timedelta(seconds=rng.randint(4, 30))
    plog_lines.sort()
    ctx.resource(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": replica,
            "LogFileName": f"error/postgresql.log.{now:%Y-%m-%d-%H}",
            "LastWritten": int(now.timestamp() * 1000) - 5000,
            "Size": sum(len(x) + 1 for x in plog_lines if x[:13] == f"{now:%Y-%m-%d %H}"),
            "Data": "\n".join(x for x in plog_lines if x[:13] == f"{now:%Y-%m-%d %H}") + "\n",
        },
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    fn_arn = ctx.arn("lambda", f"function:{fn}")
    reads = [
        (other, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        (other, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": primary}),
        (engineer, "lambda.amazonaws.com", "ListFunctions20150331", {"functionVersion": "ALL"}),
        (engineer, "logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/rewards"}),
        (ci, "lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": expiry}),
        (ci, "apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
        (other, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "rewards-"}),
    ]
    routine_reads(ctx, start, now, reads, rng.randint(26, 34))
    for _ in range(rng.randint(6, 10)):
        t = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds())))
        role_arn = f"arn:aws:iam::{acct}:role/rewards-ledger-api-exec"
        ct(
            ctx,
            t,
            lam,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": role_arn, "roleSessionName": fn},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + ctx.alnum(16),
                    "sessionToken": "IQoJb3JpZ2luX2Vj" + ctx.alnum(40),
                    "expiration": (t + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            read_only=True,
            extra={"sharedEventID": ctx.uuid()},
        )
    # CI deploy of the expiry job ~20 min earlier
    t_ci = onset - timedelta(minutes=rng.randint(18, 26))
    ct(
        ctx,
        t_ci,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": expiry, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": expiry,
            "functionArn": ctx.arn("lambda", f"function:{expiry}"),
            "runtime": "python3.12",
            "handler": "expiry.handler",
            "codeSize": rng.randint(900000, 2000000),
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "state": "Active",
            "revisionId": ctx.uuid(),
        },
    )

    # engineer points the reports job at the replica (intended), then the API function
    def ufc(t: datetime, f: str, mem: int, to: int, handler: str) -> str:
        return ct(
            ctx,
            t,
            engineer,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": f, "environment": {}},
            {
                "functionName": f,
                "functionArn": ctx.arn("lambda", f"function:{f}"),
                "runtime": "nodejs20.x",
                "role": f"arn:aws:iam::{acct}:role/{f}-exec",
                "handler": handler,
                "codeSize": rng.randint(10**6, 5 * 10**6),
                "description": "",
                "timeout": to,
                "memorySize": mem,
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.") + "000+0000",
                "codeSha256": ctx.alnum(43, False) + "=",
                "version": "$LATEST",
                "vpcConfig": {"subnetIds": subnets, "securityGroupIds": [sg_fn], "vpcId": vpc},
                "environment": {},
                "tracingConfig": {"mode": "PassThrough"},
                "revisionId": ctx.uuid(),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["arm64"],
                "ephemeralStorage": {"size": 512},
            },
            agent=cli_ua("lambda.update-function-configuration"),
        )

    t_rep = change - timedelta(minutes=rng.randint(3, 6))
    ct(
        ctx,
        t_rep - timedelta(seconds=40),
        engineer,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": reports},
        None,
        read_only=True,
        agent=cli_ua("lambda.get-function-configuration"),
    )
    ufc(t_rep, reports, 2048, 300, "dist/reports.main")
    ct(
        ctx,
        change - timedelta(seconds=50),
        engineer,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": fn},
        None,
        read_only=True,
        agent=cli_ua("lambda.get-function-configuration"),
    )
    culprit = ufc(change, fn, 1024, 15, "dist/handler.main")
    # a harmless tagging change and a log retention change nearby
    ct(
        ctx,
        onset + timedelta(minutes=rng.randint(4, 9)),
        other,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/aws/lambda/{reports}", "retentionInDays": 30},
        None,
    )
    ct(
        ctx,
        onset - timedelta(minutes=rng.randint(10, 14)),
        engineer,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        {"resource": ctx.arn("lambda", f"function:{reports}"), "tags": {"cost-center": "loyalty-analytics"}},
        None,
        agent=cli_ua("lambda.tag-resource"),
    )
    _ = fn_arn

    local_onset = onset + timedelta(hours=off)
    q_time = f"{(local_onset.hour - 1) % 12 + 1}:{(local_onset.minute // 5) * 5:02d}{'am' if local_onset.hour < 12 else 'pm'}"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Support says members can't redeem points since about {q_time} - the app shows "
                "'something went wrong' on redeem, but balances and activity load fine. The 5xx alarm on the "
                "rewards ledger API is firing. What's going on?",
                "alarm_event": None,
                "timezone": "America/New_York",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": fn,
                    "category": "change",
                    "failure_mode": "db-host-points-at-read-replica",
                    "event_id": culprit,
                },
                "also_accept": [ctx.arn("lambda", f"function:{fn}")],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateFunctionConfiguration set {fn}'s DB_HOST to the read replica {replica}",
                    f"{fn} now opens its connections to {replica}, which refuses INSERTs (read-only transaction)",
                    "redemption and accrual POSTs fail with 500 while GETs still succeed",
                    f"API Gateway {api_name} prod 5XXError rises and rewards-ledger-api-5xx alarms",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
