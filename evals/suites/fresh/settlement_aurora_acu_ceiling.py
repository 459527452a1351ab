"""Month-end settlement workflow timing out (author x, incident 2)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_x import (
    BOTO_UA,
    DATADOG_UA,
    TERRAFORM_UA,
    Kit,
    day_shape,
    floor_to,
    iso,
    jc,
    lambda_assume,
    lambda_deploy,
    lambda_item,
    log_group_item,
    minute_times,
    routine_reads,
)

NAME = "settlement-aurora-acu-ceiling"
TITLE = "Month-end settlement runs timing out, payouts late"
SUMMARY = "merchant-settlement executions slow down and time out on the first morning of the month."

TZ = ZoneInfo("Europe/Amsterdam")
MAX_ACU = 16.0


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="eu-central-1")
    rng = kit.rng
    month = rng.choice([7, 8, 10, 11])
    day = date(2024, month, 1)
    off = (datetime(2024, month, 1, 12, tzinfo=TZ).utcoffset() or timedelta()).total_seconds() / 3600

    def local(h: int, m: int, d: date = day) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).astimezone(UTC)

    start = local(0, 0, day - timedelta(days=2))
    fine_from = local(4, 0)
    monthend_peak = rng.uniform(2.35, 2.7)  # month-end volume relative to an ordinary day
    run_start = local(6, 0)

    cluster = "settle-ledger-aurora"
    writer, reader = f"{cluster}-w1", f"{cluster}-r1"
    sm_name = "merchant-settlement"
    sm_arn = kit.arn("states", f"stateMachine:{sm_name}")
    other_sm = "kyc-document-refresh"
    fn_fetch, fn_merchant, fn_publish = "settle-fetch-batch", "settle-merchant", "settle-publish"
    ops_topic = kit.arn("sns", "payments-oncall")
    cluster_res = "cluster-" + kit.upper(26)
    created = start - timedelta(days=rng.randint(200, 500))
    vpc = "vpc-0" + kit.hex(16)
    subnets = ["subnet-0" + kit.hex(16) for _ in range(3)]
    sg_db, sg_fn = "sg-0" + kit.hex(16), "sg-0" + kit.hex(16)

    noise_cache: dict[datetime, float] = {}

    def noise(t: datetime) -> float:
        if t not in noise_cache:
            noise_cache[t] = rng.gauss(0, 1)
        return noise_cache[t]

    def volume(t: datetime) -> float:
        """Settlement work per minute, relative to an ordinary weekday's peak."""
        base = day_shape(t, off, "office")
        if t >= run_start:
            ramp = min(1.0, (t - run_start).total_seconds() / 2400)
            decay = max(0.0, 1 - max(0.0, (t - local(11, 0)).total_seconds()) / 14400)
            base = base + (monthend_peak - 1) * ramp * decay
        return base

    def demand_acu(t: datetime) -> float:
        return 2.2 + 10.5 * volume(t) + 0.4 * noise(t)

    def acu(t: datetime) -> float:
        return max(2.0, min(MAX_ACU, round(demand_acu(t) * 2) / 2))

    def squeeze(t: datetime) -> float:
        """How far past the ceiling the workload is (0 = fits)."""
        return max(0.0, demand_acu(t) - MAX_ACU) / MAX_ACU

    onset = next(t for t in minute_times(run_start, local(12, 0), run_start, 60) if squeeze(t) > 0.05)
    ask = onset + timedelta(minutes=rng.randint(55, 80))
    now = ask + timedelta(minutes=rng.randint(2, 6), seconds=rng.randint(0, 59))
    times = minute_times(start, now, fine_from)

    # ---- RDS metrics ----------------------------------------------------------------------------------
    ns = "AWS/RDS"
    wd, rd = {"DBInstanceIdentifier": writer}, {"DBInstanceIdentifier": reader}
    kit.series(ns, "ServerlessDatabaseCapacity", wd, "Count", acu, times)
    kit.series(ns, "ACUUtilization", wd, "Percent", lambda t: acu(t) / MAX_ACU * 100, times)
    kit.series(
        ns,
        "CPUUtilization",
        wd,
        "Percent",
        lambda t: min(
            97.6 + 1.9 * abs(noise(t + timedelta(seconds=7))),
            38 + 22 * (acu(t) / MAX_ACU) + 3 * noise(t) + 160 * squeeze(t),
        ),
        times,
    )
    kit.series(
        ns,
        "DBLoad",
        wd,
        "None",
        lambda t: max(0.2, 1.1 * acu(t) / 2 * (1 + 5 * squeeze(t)) + 0.3 * noise(t)),
        times,
    )
    kit.series(
        ns,
        "DatabaseConnections",
        wd,
        "Count",
        lambda t: round(18 + 30 * volume(t) * (1 + 2.5 * squeeze(t)) + 2 * noise(t)),
        times,
    )
    kit.series(
        ns,
        "FreeableMemory",
        wd,
        "Bytes",
        lambda t: acu(t) * 2 * 1024**3 * (0.34 - 0.02 * volume(t)) + 2e7 * noise(t),
        times,
    )
    kit.series(
        ns,
        "CommitLatency",
        wd,
        "Milliseconds",
        lambda t: 2.1 + 0.6 * abs(noise(t)) + 70 * squeeze(t) ** 1.3,
        times,
    )
    kit.series(
        ns, "ReadIOPS", wd, "Count/Second", lambda t: 40 + 380 * volume(t) * (1 + 0.1 * noise(t)), times
    )
    # the reader is in promotion tier 1, so it follows the writer's capacity
    kit.series(ns, "ServerlessDatabaseCapacity", rd, "Count", acu, times)
    kit.series(ns, "ACUUtilization", rd, "Percent", lambda t: acu(t) / MAX_ACU * 100, times)
    kit.series(ns, "CPUUtilization", rd, "Percent", lambda t: 4 + 6 * volume(t) + abs(noise(t)), times)
    kit.series(ns, "DatabaseConnections", rd, "Count", lambda t: round(6 + 3 * volume(t)), times)
    kit.series(
        ns, "AuroraReplicaLag", rd, "Milliseconds", lambda t: 14 + 6 * abs(noise(t)) + 40 * squeeze(t), times
    )
    kit.series(
        ns,
        "VolumeWriteIOPs",
        {"DBClusterIdentifier": cluster},
        "Count",
        lambda t: round((900 + 21000 * volume(t)) * (1 - 0.35 * min(1.0, squeeze(t) * 3))),
        [x for x in times if x.minute % 5 == 0],
    )

    # ---- Step Functions and Lambda ------------------------------------------------------------------
    executions: list[dict[str, Any]] = []
    t = floor_to(start, 600)
    ns_s = "AWS/States"
    sdims = {"StateMachineArn": sm_arn}
    running: list[tuple[datetime, datetime, str]] = []
    while t <= now:
        work = volume(t + timedelta(minutes=5))
        dur = 150 + 260 * work + rng.uniform(-15, 25)
        sq = squeeze(t + timedelta(minutes=6))
        dur *= 1 + 9 * sq
        name = f"{t.astimezone(TZ):%Y%m%dT%H%M}-{kit.hex(8)}"
        arn = kit.arn("states", f"execution:{sm_name}:{name}")
        status = "SUCCEEDED"
        end = t + timedelta(seconds=dur)
        error = cause = None
        if dur > 900:
            if rng.random() < 0.75:
                status, end, error = "TIMED_OUT", t + timedelta(seconds=900), "States.Timeout"
            else:
                status = "FAILED"
                end = t + timedelta(seconds=rng.uniform(480, 840))
                error = "Sandbox.Timedout"
                cause = f"RequestId: {kit.uuid()} Error: Task timed out after 60.00 seconds"
        kit.put(ns_s, "ExecutionsStarted", sdims, floor_to(t, 60), 1, "Count")
        if end <= now:
            metric = {
                "SUCCEEDED": "ExecutionsSucceeded",
                "TIMED_OUT": "ExecutionsTimedOut",
                "FAILED": "ExecutionsFailed",
            }[status]
            kit.put(ns_s, metric, sdims, floor_to(end, 60), 1, "Count")
            if status == "SUCCEEDED":
                kit.put(
                    ns_s,
                    "ExecutionTime",
                    sdims,
                    floor_to(end, 60),
                    (end - t).total_seconds() * 1000,
                    "Milliseconds",
                )
        running.append((t, end, status))
        if t >= now - timedelta(hours=30):
            item: dict[str, Any] = {
                "executionArn": arn,
                "stateMachineArn": sm_arn,
                "name": name,
                "status": status,
                "startDate": iso(t),
                "stopDate": iso(end),
                "inputDetails": {"included": True},
                "outputDetails": {"included": True},
                "redriveCount": 0,
                "redriveStatus": "REDRIVABLE" if status != "SUCCEEDED" else "NOT_REDRIVABLE",
            }
            if error:
                item["error"] = error
            if cause:
                item["cause"] = cause
            if status == "SUCCEEDED":
                item["redriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
            executions.append(item)
        t += timedelta(minutes=10)
    for item in executions:
        kit.res("stepfunctions", "DescribeExecutionOutput", item)

    ns_l = "AWS/Lambda"
    md = {"FunctionName": fn_merchant}

    def merchant_inv(t: datetime) -> float:
        return round((25 + 170 * volume(t)) * (1 + 0.45 * min(1.0, squeeze(t) * 4)) * (1 + 0.05 * noise(t)))

    def merchant_dur(t: datetime) -> float:
        return min(60000.0, (900 + 1400 * volume(t)) * (1 + 30 * squeeze(t) ** 1.2) + 60 * noise(t))

    def merchant_timeouts(t: datetime) -> float:
        return round(merchant_inv(t) * min(0.7, max(0.0, squeeze(t) - 0.04) * 2.2))

    kit.series(ns_l, "Invocations", md, "Count", merchant_inv, times)
    kit.series(ns_l, "Errors", md, "Count", merchant_timeouts, times)
    kit.series(ns_l, "Throttles", md, "Count", lambda t: 0.0, times)
    kit.series(ns_l, "Duration", md, "Milliseconds", merchant_dur, times)
    kit.series(
        ns_l,
        "ConcurrentExecutions",
        md,
        "Count",
        lambda t: min(40, max(1, round(merchant_inv(t) * merchant_dur(t) / 60000))),
        times,
    )
    fd = {"FunctionName": fn_fetch}
    kit.series(ns_l, "Invocations", fd, "Count", lambda t: 1.0 if t.minute % 10 == 0 else None, times)
    kit.series(ns_l, "Errors", fd, "Count", lambda t: 0.0 if t.minute % 10 == 0 else None, times)
    kit.series(
        ns_l,
        "Duration",
        fd,
        "Milliseconds",
        lambda t: 640 + 300 * volume(t) * (1 + 4 * squeeze(t)) if t.minute % 10 == 0 else None,
        times,
    )

    # ---- alarms ---------------------------------------------------------------------------------------
    kit.alarm(
        f"{sm_name}-executions-failed",
        ns_s,
        "ExecutionsFailed",
        sdims,
        "Sum",
        300,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        "merchant-settlement execution failed",
        start,
        now,
        ops_topic,
        treat_missing="notBreaching",
    )
    kit.alarm(
        f"{cluster}-writer-cpu",
        ns,
        "CPUUtilization",
        wd,
        "Average",
        300,
        3,
        90,
        "GreaterThanThreshold",
        "settle-ledger writer CPU above 90% for 15 minutes",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{cluster}-replica-lag",
        ns,
        "AuroraReplicaLag",
        rd,
        "Maximum",
        60,
        5,
        2000,
        "GreaterThanThreshold",
        "settle-ledger reader lagging",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{fn_merchant}-throttles",
        ns_l,
        "Throttles",
        md,
        "Sum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        "settle-merchant throttled",
        start,
        now,
        ops_topic,
    )

    # ---- principals and CloudTrail --------------------------------------------------------------------
    infra = kit.role("gha-terraform-apply", "GitHubActions", TERRAFORM_UA.format(api="sfn#1.26.4"))
    deployer = kit.role("gha-lambda-deploy", "GitHubActions", BOTO_UA.format(n=rng.randint(80, 120)))
    datadog = kit.role(
        "DatadogIntegrationRole", "DatadogAWSIntegration", DATADOG_UA, ip=f"3.233.147.{rng.randint(2, 250)}"
    )
    people = rng.sample(["marco.bianchi", "sofia.lindqvist", "emma.dubois", "li.wei", "ravi.shankar"], 3)
    dba = kit.sso(f"{people[0]}@tallyfox.eu", "DatabaseAdmin", console=True)
    dev = kit.sso(f"{people[1]}@tallyfox.eu", "PowerUserAccess")
    oncall = kit.sso(f"{people[2]}@tallyfox.eu", "ReadOnlyAccess", console=True)
    events_svc = kit.service("events.amazonaws.com")
    routine_reads(
        kit,
        start,
        now,
        22,
        [
            (datadog, "monitoring.amazonaws.com", "GetMetricData", None),
            (datadog, "rds.amazonaws.com", "DescribeDBInstances", None),
            (datadog, "rds.amazonaws.com", "DescribeDBClusters", None),
            (datadog, "states.amazonaws.com", "ListStateMachines", None),
            (datadog, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (datadog, "tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
        ],
    )
    for _k in range(5):
        lambda_assume(
            kit,
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())),
            "settle-merchant-exec",
            fn_merchant,
        )
    # the scheduled rule starts each execution: StartExecution is a data event, not recorded here.
    _ = events_svc
    lambda_deploy(kit, local(15, rng.randint(0, 50), day - timedelta(days=1)), deployer, fn_publish)
    kit.ct(
        local(16, rng.randint(0, 50), day - timedelta(days=2)),
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn_fetch, "environment": {}},
        {
            "functionName": fn_fetch,
            "functionArn": kit.arn("lambda", f"function:{fn_fetch}"),
            "lastUpdateStatus": "InProgress",
        },
    )
    # an innocent change on the cluster itself, half an hour before things went wrong
    dba_at = onset - timedelta(minutes=rng.randint(20, 29), seconds=rng.randint(0, 59))
    kit.ct(
        dba_at - timedelta(minutes=2),
        dba,
        "rds.amazonaws.com",
        "DescribeDBClusters",
        {"dBClusterIdentifier": cluster},
        None,
        read_only=True,
    )
    scaling = {"minCapacity": 2.0, "maxCapacity": MAX_ACU}
    kit.ct(
        dba_at,
        dba,
        "rds.amazonaws.com",
        "ModifyDBCluster",
        {
            "dBClusterIdentifier": cluster,
            "backupRetentionPeriod": 14,
            "applyImmediately": True,
            "allowEngineModeChange": False,
        },
        {
            "allocatedStorage": 1,
            "availabilityZones": [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"],
            "backupRetentionPeriod": 14,
            "dBClusterIdentifier": cluster,
            "dBClusterParameterGroup": "settle-aurora-pg15",
            "dBSubnetGroup": "settle-db-private",
            "status": "available",
            "endpoint": f"{cluster}.cluster-{kit.hex(12)}.{kit.region}.rds.amazonaws.com",
            "engine": "aurora-postgresql",
            "engineVersion": "15.5",
            "port": 5432,
            "masterUsername": "settle_admin",
            "preferredBackupWindow": "01:10-01:40",
            "preferredMaintenanceWindow": "sun:02:30-sun:03:00",
            "dBClusterMembers": [
                {
                    "dBInstanceIdentifier": writer,
                    "isClusterWriter": True,
                    "dBClusterParameterGroupStatus": "in-sync",
                    "promotionTier": 1,
                },
                {
                    "dBInstanceIdentifier": reader,
                    "isClusterWriter": False,
                    "dBClusterParameterGroupStatus": "in-sync",
                    "promotionTier": 1,
                },
            ],
            "storageEncrypted": True,
            "dbClusterResourceId": cluster_res,
            "dBClusterArn": kit.arn("rds", f"cluster:{cluster}"),
            "deletionProtection": True,
            "serverlessV2ScalingConfiguration": scaling,
            "engineMode": "provisioned",
        },
    )
    # and another, to a different workflow
    sfn_at = onset - timedelta(minutes=rng.randint(8, 16), seconds=rng.randint(0, 59))
    other_arn = kit.arn("states", f"stateMachine:{other_sm}")
    kit.ct(
        sfn_at,
        infra,
        "states.amazonaws.com",
        "UpdateStateMachine",
        {"stateMachineArn": other_arn, "definition": "HIDDEN_DUE_TO_SECURITY_REASONS", "publish": False},
        {"updateDate": sfn_at.strftime("%b %-d, %Y, %-I:%M:%S %p"), "revisionId": kit.uuid()},
    )
    kit.ct(
        sfn_at - timedelta(seconds=6),
        infra,
        "states.amazonaws.com",
        "DescribeStateMachine",
        {"stateMachineArn": other_arn},
        None,
        read_only=True,
    )
    # on-call looking around before asking
    for i, (src, name, params) in enumerate(
        [
            (
                "states.amazonaws.com",
                "ListExecutions",
                {"stateMachineArn": sm_arn, "statusFilter": "TIMED_OUT"},
            ),
            ("states.amazonaws.com", "DescribeExecution", {"executionArn": executions[-3]["executionArn"]}),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_merchant}),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": writer}),
        ]
    ):
        kit.ct(
            ask - timedelta(minutes=14 - 3 * i, seconds=rng.randint(0, 50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # ---- logs -----------------------------------------------------------------------------------------
    group = f"/aws/lambda/{fn_merchant}"
    streams = [kit.lambda_stream(local(0, 0)) for _ in range(6)]
    old = [kit.lambda_stream(start) for _ in range(3)]
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < now:
        fine = t >= fine_from
        stream = rng.choice(streams if t >= local(0, 0) else old)
        sq = squeeze(t)
        merchant = f"mch_{kit.hex(12)}"
        dur = max(300.0, merchant_dur(t) * rng.uniform(0.7, 1.3))
        timed_out = dur >= 60000 or rng.random() < min(0.7, max(0.0, sq - 0.04) * 2.2)
        lines = int(rng.randint(2, 40) * (1 + 2 * volume(t)))
        body: list[str] = []
        base = {
            "service": "settlement",
            "cold_start": False,
            "function_name": fn_merchant,
            "merchant_id": merchant,
        }
        body.append(
            "{ts}\t{rid}\t[INFO]\t"
            + jc(
                {
                    "level": "INFO",
                    "location": "handler:41",
                    "message": "settling merchant",
                    "lines": lines,
                    **base,
                }
            )
            + "\n"
        )
        if sq > 0.01 and rng.random() < 0.8:
            body.append(
                "{ts}\t{rid}\t[WARNING]\t"
                + jc(
                    {
                        "level": "WARNING",
                        "location": "db:88",
                        "message": "slow statement",
                        "statement": rng.choice(
                            ["upsert_settlement_lines", "lock_payout_batch", "insert_ledger_entries"]
                        ),
                        "elapsed_ms": round(rng.uniform(4000, 38000)),
                        **base,
                    }
                )
                + "\n"
            )
        if timed_out:
            rid = kit.uuid()
            kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
            for i, line in enumerate(body):
                at = t + timedelta(milliseconds=20 + i * 400)
                kit.log(
                    group,
                    stream,
                    at,
                    line.replace("{rid}", rid).replace(
                        "{ts}", at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                    ),
                )
            end = t + timedelta(seconds=60, milliseconds=rng.randint(1, 80))
            kit.log(
                group,
                stream,
                end,
                f"{end.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {rid} Task timed out after 60.00 seconds\n\n",
            )
            kit.log(group, stream, end, f"END RequestId: {rid}\n")
            kit.log(
                group,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: 60000.00 ms\tBilled Duration: 60000 ms\tMemory Size: 1024 MB\t"
                f"Max Memory Used: {rng.randint(160, 190)} MB\tStatus: timeout\n",
            )
        else:
            body.append(
                "{ts}\t{rid}\t[INFO]\t"
                + jc(
                    {
                        "level": "INFO",
                        "location": "handler:77",
                        "message": "merchant settled",
                        "payout_minor_units": rng.randint(1500, 9_000_000),
                        "currency": rng.choice(["EUR", "EUR", "EUR", "GBP", "SEK"]),
                        **base,
                    }
                )
                + "\n"
            )
            if rng.random() < 0.03:
                body.append(
                    "{ts}\t{rid}\t[WARNING]\t"
                    + jc(
                        {
                            "level": "WARNING",
                            "location": "fx:23",
                            "message": "fx rate older than 30 minutes, using cached",
                            "pair": "EURSEK",
                            **base,
                        }
                    )
                    + "\n"
                )
            kit.lambda_invocation(
                group, stream, t, dur, 1024, rng.randint(150, 185), body, runtime="python3.12"
            )
        t += timedelta(
            minutes=rng.uniform(1.0, 2.2) if fine else rng.uniform(18, 30), seconds=rng.randint(0, 20)
        )

    pg_group = f"/aws/rds/cluster/{cluster}/postgresql"
    pg_stream = writer
    t = start + timedelta(minutes=rng.randint(5, 50))
    while t < now:
        sq = squeeze(t)
        pid = rng.randint(10000, 65000)
        client = f"10.30.{rng.randint(10, 40)}.{rng.randint(5, 250)}({rng.randint(40000, 65000)})"
        prefix = f"{t:%Y-%m-%d %H:%M:%S} UTC:{client}:settle_app@ledger:[{pid}]:"
        if sq > 0.01:
            stmt = rng.choice(
                [
                    "INSERT INTO settlement_line (batch_id, merchant_id, amount_minor, currency, kind) SELECT $1, $2, amount_minor, currency, kind FROM pending_line WHERE merchant_id = $2 ON CONFLICT (batch_id, merchant_id, line_ref) DO NOTHING",
                    "SELECT id FROM payout_batch WHERE merchant_id = $1 AND period = $2 FOR UPDATE",
                    "INSERT INTO ledger_entry (account_id, amount_minor, currency, entry_ref, booked_at) VALUES ($1, $2, $3, $4, now())",
                ]
            )
            kit.log(
                pg_group,
                pg_stream,
                t,
                f"{prefix}LOG:  duration: {rng.uniform(5000, 41000):.3f} ms  execute <unnamed>: {stmt}",
            )
            t += timedelta(seconds=rng.uniform(15, 50))
        else:
            if rng.random() < 0.5:
                kit.log(
                    pg_group,
                    pg_stream,
                    t,
                    f'{t:%Y-%m-%d %H:%M:%S} UTC::@:[{pid}]:LOG:  automatic vacuum of table "ledger.public.pending_line": index scans: 1\n\tpages: 0 removed, {rng.randint(9000, 20000)} remain, {rng.randint(2000, 6000)} scanned (22.41% of total)\n\ttuples: {rng.randint(20000, 90000)} removed, {rng.randint(400000, 900000)} remain, 0 are dead but not yet removable',
                )
            elif rng.random() < 0.5:
                kit.log(
                    pg_group,
                    pg_stream,
                    t,
                    f"{prefix}LOG:  duration: {rng.uniform(5000, 7400):.3f} ms  execute <unnamed>: SELECT merchant_id, sum(amount_minor) FROM ledger_entry WHERE booked_at >= $1 GROUP BY merchant_id",
                )
            else:
                kit.log(
                    pg_group,
                    pg_stream,
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S} UTC::@:[{rng.randint(400, 900)}]:LOG:  checkpoint complete: wrote {rng.randint(2000, 9000)} buffers (3.{rng.randint(0, 9)}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 4)} recycled; write={rng.uniform(200, 270):.3f} s, sync=0.00{rng.randint(1, 9)} s, total={rng.uniform(270, 271):.3f} s",
                )
            t += timedelta(minutes=rng.uniform(25, 70))

    # ---- resources ------------------------------------------------------------------------------------
    endpoint_suffix = kit.hex(12)
    kit.res(
        "rds",
        "DBCluster",
        {
            "AllocatedStorage": 1,
            "AvailabilityZones": [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"],
            "BackupRetentionPeriod": 14,
            "DatabaseName": "ledger",
            "DBClusterIdentifier": cluster,
            "DBClusterParameterGroup": "settle-aurora-pg15",
            "DBSubnetGroup": "settle-db-private",
            "Status": "available",
            "EarliestRestorableTime": iso(now - timedelta(days=7, minutes=3)),
            "Endpoint": f"{cluster}.cluster-{endpoint_suffix}.{kit.region}.rds.amazonaws.com",
            "ReaderEndpoint": f"{cluster}.cluster-ro-{endpoint_suffix}.{kit.region}.rds.amazonaws.com",
            "MultiAZ": True,
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.5",
            "LatestRestorableTime": iso(now - timedelta(minutes=4)),
            "Port": 5432,
            "MasterUsername": "settle_admin",
            "PreferredBackupWindow": "01:10-01:40",
            "PreferredMaintenanceWindow": "sun:02:30-sun:03:00",
            "ReadReplicaIdentifiers": [],
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": writer,
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": reader,
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "HostedZoneId": "Z1RLNUO7B9Q6NB",
            "StorageEncrypted": True,
            "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
            "DbClusterResourceId": cluster_res,
            "DBClusterArn": kit.arn("rds", f"cluster:{cluster}"),
            "IAMDatabaseAuthenticationEnabled": False,
            "ClusterCreateTime": iso(created),
            "EngineMode": "provisioned",
            "DeletionProtection": True,
            "HttpEndpointEnabled": False,
            "CopyTagsToSnapshot": True,
            "CrossAccountClone": False,
            "TagList": [{"Key": "team", "Value": "payments-core"}, {"Key": "env", "Value": "prod"}],
            "AutoMinorVersionUpgrade": True,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 2.0, "MaxCapacity": MAX_ACU},
            "NetworkType": "IPV4",
            "StorageType": "aurora",
        },
    )
    for inst, az in ((writer, "a"), (reader, "b")):
        kit.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": inst,
                "DBInstanceClass": "db.serverless",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": "available",
                "MasterUsername": "settle_admin",
                "DBName": "ledger",
                "Endpoint": {
                    "Address": f"{inst}.{endpoint_suffix}.{kit.region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z1RLNUO7B9Q6NB",
                },
                "AllocatedStorage": 1,
                "InstanceCreateTime": iso(created + timedelta(minutes=12 if inst == writer else 40)),
                "PreferredBackupWindow": "01:10-01:40",
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "default.aurora-postgresql15", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": f"{kit.region}{az}",
                "DBSubnetGroup": {
                    "DBSubnetGroupName": "settle-db-private",
                    "DBSubnetGroupDescription": "settlement database subnets",
                    "VpcId": vpc,
                    "SubnetGroupStatus": "Complete",
                    "Subnets": [
                        {
                            "SubnetIdentifier": s,
                            "SubnetAvailabilityZone": {"Name": f"{kit.region}{z}"},
                            "SubnetStatus": "Active",
                        }
                        for s, z in zip(subnets, "abc", strict=True)
                    ],
                },
                "PreferredMaintenanceWindow": "sun:02:30-sun:03:00",
                "PendingModifiedValues": {},
                "MultiAZ": False,
                "EngineVersion": "15.5",
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "postgresql-license",
                "OptionGroupMemberships": [
                    {"OptionGroupName": "default:aurora-postgresql-15", "Status": "in-sync"}
                ],
                "PubliclyAccessible": False,
                "StorageType": "aurora",
                "DbInstancePort": 0,
                "DBClusterIdentifier": cluster,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + kit.upper(26),
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "PromotionTier": 1,
                "DBInstanceArn": kit.arn("rds", f"db:{inst}"),
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": True,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": False,
                "NetworkType": "IPV4",
            },
        )
    definition = {
        "Comment": "Settles a batch of merchants: fetch due merchants, settle each, publish payout files",
        "StartAt": "FetchBatch",
        "TimeoutSeconds": 900,
        "States": {
            "FetchBatch": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": kit.arn("lambda", f"function:{fn_fetch}:live"),
                    "Payload.$": "$",
                },
                "OutputPath": "$.Payload",
                "Next": "SettleMerchants",
            },
            "SettleMerchants": {
                "Type": "Map",
                "ItemsPath": "$.merchants",
                "MaxConcurrency": 20,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "SettleMerchant",
                    "States": {
                        "SettleMerchant": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {
                                "FunctionName": kit.arn("lambda", f"function:{fn_merchant}:live"),
                                "Payload.$": "$",
                            },
                            "OutputPath": "$.Payload",
                            "Retry": [
                                {
                                    "ErrorEquals": [
                                        "Lambda.ServiceException",
                                        "Lambda.TooManyRequestsException",
                                        "Sandbox.Timedout",
                                    ],
                                    "IntervalSeconds": 5,
                                    "MaxAttempts": 2,
                                    "BackoffRate": 2,
                                }
                            ],
                            "End": True,
                        }
                    },
                },
                "Next": "PublishPayouts",
            },
            "PublishPayouts": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": kit.arn("lambda", f"function:{fn_publish}:live"),
                    "Payload.$": "$",
                },
                "End": True,
            },
        },
    }
    kit.res(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm_name,
            "status": "ACTIVE",
            "definition": json.dumps(definition, indent=2),
            "roleArn": f"arn:aws:iam::{kit.account}:role/merchant-settlement-sfn",
            "type": "STANDARD",
            "creationDate": iso(created + timedelta(days=3)),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "revisionId": kit.uuid(),
        },
    )
    kit.res(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": other_arn,
            "name": other_sm,
            "status": "ACTIVE",
            "definition": json.dumps(
                {
                    "Comment": "Refresh expiring KYC documents",
                    "StartAt": "ListExpiring",
                    "States": {
                        "ListExpiring": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
                            "Parameters": {
                                "TableName": "kyc-documents",
                                "IndexName": "by-expiry",
                                "KeyConditionExpression": "expiry_day = :d",
                                "ExpressionAttributeValues": {":d": {"S.$": "$.day"}},
                            },
                            "End": True,
                        }
                    },
                },
                indent=2,
            ),
            "roleArn": f"arn:aws:iam::{kit.account}:role/kyc-document-refresh-sfn",
            "type": "STANDARD",
            "creationDate": iso(created + timedelta(days=90)),
            "loggingConfiguration": {"level": "ERROR", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "revisionId": kit.uuid(),
        },
    )
    db_env = {
        "DB_HOST": f"{cluster}.cluster-{endpoint_suffix}.{kit.region}.rds.amazonaws.com",
        "DB_NAME": "ledger",
        "DB_SECRET_ARN": kit.arn("secretsmanager", f"secret:settle/app-{kit.hex(6)}"),
        "POWERTOOLS_SERVICE_NAME": "settlement",
    }
    for name, timeout, mem, modified in (
        (fn_fetch, 30, 512, local(16, 20, day - timedelta(days=2))),
        (fn_merchant, 60, 1024, created + timedelta(days=100)),
        (fn_publish, 120, 512, local(15, 30, day - timedelta(days=1))),
    ):
        item = lambda_item(
            kit,
            name,
            "python3.12",
            "app.handler",
            f"{name}-exec",
            mem,
            timeout,
            modified,
            db_env,
            (subnets, [sg_fn], vpc),
        )
        kit.res("lambda", "FunctionConfiguration", item)
        kit.res("logs", "LogGroup", log_group_item(kit, f"/aws/lambda/{name}", created + timedelta(days=3)))
    kit.res("logs", "LogGroup", log_group_item(kit, pg_group, created, retention=14))
    kit.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": "default.aurora-postgresql15",
            "ParameterName": "log_min_duration_statement",
            "ParameterValue": "5000",
            "Description": "(ms) Sets the minimum execution time above which statements will be logged.",
            "Source": "user",
            "ApplyType": "dynamic",
            "DataType": "integer",
            "AllowedValues": "-1-2147483647",
            "IsModifiable": True,
            "ApplyMethod": "immediate",
        },
    )

    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"Month-end settlement runs have been timing out since about {onset.astimezone(TZ):%-H:%M} this "
                "morning and merchants are asking where their payouts are. What is going on?"
            ),
            "alarm_event": None,
            "timezone": "Europe/Amsterdam",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": cluster,
                "category": "limit",
                "failure_mode": "aurora-serverless-max-acu-reached",
                "event_id": None,
            },
            "also_accept": [kit.arn("rds", f"cluster:{cluster}"), writer, cluster_res],
            "actions": ["scale"],
            "chain": [
                f"{cluster} writer pinned at its {MAX_ACU:g} ACU maximum under month-end volume",
                "CPU saturates and settlement statements take tens of seconds",
                f"{fn_merchant} invocations hit their 60 s timeout",
                f"{sm_name} executions time out or fail",
            ],
        },
    }
    return kit.bundle(manifest)
