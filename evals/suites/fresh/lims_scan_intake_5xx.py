"""sample-intake API 5xx alarm during the morning courier drop."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zj import (
    Json,
    Kit,
    around,
    const,
    diurnal,
    floor_min,
    iso,
    iso_ms,
    latency_hist,
    noise,
    pick_day,
)

NAME = "lims-sample-intake-5xx-morning"
TITLE = "sample-intake API 5XX alarm during the morning courier drop"
SUMMARY = (
    "A sparse provisioned GSI without auto scaling runs out of write capacity as the morning's scans peak; "
    "PutItem on the base table is throttled although the table itself has headroom."
)

TZ = ZoneInfo("Australia/Sydney")
js = partial(json.dumps, separators=(",", ":"))


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "ap-southeast-2")
    rng = kit.rng
    day = pick_day(rng, [0, 1, 2, 3, 4])
    while day.year != 2024:
        day = pick_day(rng, [0, 1, 2, 3, 4])
    acct, region = kit.account, kit.region
    peak_local = datetime(day.year, day.month, day.day, 8, rng.randint(35, 55), tzinfo=TZ)
    peak = peak_local.astimezone(ZoneInfo("UTC"))
    off_h = (peak_local.utcoffset() or timedelta()).total_seconds() / 3600
    peak_h = peak_local.hour + peak_local.minute / 60
    gsi_wcu = rng.choice([50, 60, 60, 75])
    peak_rate = gsi_wcu * rng.uniform(1.28, 1.5)  # scans per second at the peak

    # --- simulate the GSI's capacity minute by minute ----------------------------------------------------
    start = floor_min(peak - timedelta(hours=5, minutes=rng.randint(0, 30)), 5)
    sim_from = start - timedelta(hours=2)
    rates: dict[datetime, float] = {}
    used: dict[datetime, float] = {}
    failed: dict[datetime, float] = {}
    bucket = 300.0 * gsi_wcu
    t = sim_from
    horizon = peak + timedelta(hours=3)
    while t < horizon:
        shape = 0.06 + 0.94 * diurnal(t, off_h, peak_h=peak_h, floor=0.0, width=1.25)
        d = noise(rng, peak_rate * shape + 2.0, 0.04) * 60  # scans this minute
        cap = gsi_wcu * 60 * rng.uniform(0.99, 1.02)
        if d <= cap:
            u = d
            bucket = min(300.0 * gsi_wcu, bucket + (cap - d))
        else:
            u = min(d, cap + bucket)
            bucket -= u - cap
        rates[t], used[t], failed[t] = d, u, max(0.0, d - u)
        t += timedelta(minutes=1)
    throttled_minutes = [m for m in sorted(failed) if failed[m] > 0]
    onset = throttled_minutes[0]
    now = onset + timedelta(minutes=rng.randint(34, 48), seconds=rng.randint(0, 59))
    end = now
    fine_from = floor_min(onset - timedelta(minutes=75), 5)

    def at(table: dict[datetime, float], t: datetime) -> float:
        return table.get(floor_min(t), 0.0)

    def scans(t: datetime) -> float:
        return at(rates, t)

    def fails(t: datetime) -> float:
        return at(failed, t)

    def lookups(t: datetime) -> float:
        return scans(t) * 0.38 + 40

    # --- names ----------------------------------------------------------------------------------------------
    api_name, stage = "sample-intake", "prod"
    api_id = kit.upper_id(10, "abcdefghijklmnopqrstuvwxyz0123456789")
    table = "lims-sample-events"
    table_arn = kit.arn("dynamodb", f"table/{table}")
    fn_intake, fn_proj, fn_notify = "sample-intake-handler", "status-projector", "result-notifier"
    q_status = "sample-status-updates"
    alerts = kit.arn("sns", "lims-oncall")

    # --- metrics: API Gateway & Lambda -----------------------------------------------------------------------
    s = kit.series
    apid = {"ApiName": api_name, "Stage": stage}
    s(
        "AWS/ApiGateway",
        "Count",
        apid,
        "Count",
        lambda t: scans(t) + lookups(t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s("AWS/ApiGateway", "5XXError", apid, "Count", fails, start, end, fine_from=fine_from, digits=0)
    s(
        "AWS/ApiGateway",
        "4XXError",
        apid,
        "Count",
        lambda t: (scans(t) + lookups(t)) * rng.uniform(0.004, 0.009),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )

    def lat(t: datetime, extra: float) -> tuple[list[float], list[float]]:
        n = scans(t) + lookups(t)
        share = min(0.6, (fails(t) * 1.9) / max(n, 1.0))
        if share <= 0:
            return latency_hist(rng, 52 + extra, 0.5, n)
        return latency_hist(rng, 58 + extra, 0.55, n, tail=share, tail_at=1150 + extra)

    kit.dist_series(
        "AWS/ApiGateway",
        "Latency",
        apid,
        "Milliseconds",
        lambda t: lat(t, 14),
        start,
        end,
        fine_from=fine_from,
    )
    kit.dist_series(
        "AWS/ApiGateway",
        "IntegrationLatency",
        apid,
        "Milliseconds",
        lambda t: lat(t, 0),
        start,
        end,
        fine_from=fine_from,
    )

    def lam(name: str, inv: Any, dur: Any, conc: Any) -> None:
        d = {"FunctionName": name}
        s("AWS/Lambda", "Invocations", d, "Count", inv, start, end, fine_from=fine_from, digits=0)
        s("AWS/Lambda", "Errors", d, "Count", const(0.0), start, end, fine_from=fine_from, digits=0)
        s("AWS/Lambda", "Throttles", d, "Count", const(0.0), start, end, fine_from=fine_from, digits=0)
        s(
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            dur,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
        s(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            conc,
            start,
            end,
            fine_from=fine_from,
            kind="max",
            digits=0,
        )

    def intake_dur(t: datetime) -> float:
        n = scans(t) + lookups(t)
        slow = fails(t) * 1.9
        return noise(rng, (n - slow) * 41 / n + slow * 1180 / n, 0.06)

    lam(
        fn_intake,
        lambda t: scans(t) + lookups(t),
        intake_dur,
        lambda t: max(1.0, float(round((scans(t) + lookups(t)) / 60 * intake_dur(t) / 1000 * 1.6))),
    )
    proj = lambda t: used.get(floor_min(t - timedelta(minutes=2)), 0.0) * 0.83 / 10 + 1  # noqa: E731
    lam(fn_proj, proj, around(rng, 210, 0.1), lambda t: float(max(1, round(proj(t) / 60 * 0.21 * 2))))
    lam(fn_notify, lambda t: max(1.0, noise(rng, 14, 0.3)), around(rng, 380, 0.15), const(2.0))

    # --- metrics: DynamoDB ------------------------------------------------------------------------------------
    tdim = {"TableName": table}
    g_batch = {"TableName": table, "GlobalSecondaryIndexName": "by-batch"}
    g_status = {"TableName": table, "GlobalSecondaryIndexName": "by-status"}

    def upd(t: datetime) -> float:
        return used.get(floor_min(t - timedelta(minutes=2)), 0.0) * 0.83

    table_prov = {"v": 300.0}
    scale_times: list[tuple[datetime, float]] = []

    def table_consumed(t: datetime) -> float:
        return (at(used, t) + upd(t)) * 2 * rng.uniform(0.98, 1.02)

    def prov_table(t: datetime) -> float:
        v = 300.0
        for when, cap in scale_times:
            if t >= when:
                v = cap
        return v

    # table auto scaling: target 70%; scale out when two minutes run over
    hi = 0
    t = start
    while t < now:
        c = (used.get(t, 0.0) + upd(t)) * 2 / 60
        p = prov_table(t)
        hi = hi + 1 if c / p > 0.7 else 0
        if hi >= 2 and (not scale_times or t - scale_times[-1][0] > timedelta(minutes=5)):
            new = float(int(c / 0.7 / 10 + 1) * 10)
            scale_times.append((t + timedelta(minutes=1, seconds=rng.randint(10, 50)), new))
            hi = 0
        t += timedelta(minutes=1)
    table_prov["v"] = prov_table(now)

    s(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Count",
        table_consumed,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        tdim,
        "Count",
        prov_table,
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        lambda t: lookups(t) * 1.5 + 120,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ProvisionedReadCapacityUnits",
        tdim,
        "Count",
        const(150.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        g_batch,
        "Count",
        lambda t: at(used, t),
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        g_batch,
        "Count",
        const(float(gsi_wcu)),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        g_batch,
        "Count",
        lambda t: noise(rng, 380, 0.2),
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ProvisionedReadCapacityUnits",
        g_batch,
        "Count",
        const(20.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        g_batch,
        "Count",
        lambda t: fails(t) * 2.7 if fails(t) > 0 else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    status_prov = 200.0
    s(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        g_status,
        "Count",
        lambda t: (at(used, t) + upd(t)) * 1.0,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        g_status,
        "Count",
        const(status_prov),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": table, "Operation": "PutItem"},
        "Count",
        lambda t: fails(t) * 2.7 if fails(t) > 0 else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    for op, base_lat in (("PutItem", 4.8), ("UpdateItem", 5.3), ("Query", 6.1), ("GetItem", 3.0)):
        s(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": op},
            "Milliseconds",
            around(rng, base_lat, 0.1),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
    qd = {"QueueName": q_status}
    s(
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        "Count",
        lambda t: upd(t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        lambda t: upd(t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: float(rng.randint(1, 9)),
        start,
        end,
        fine_from=fine_from,
        kind="max",
        digits=0,
    )
    s(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": q_status + "-dlq"},
        "Count",
        const(0.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )

    # --- alarms ----------------------------------------------------------------------------------------------
    common: dict[str, Any] = {"start": start, "now": now, "topic_arn": alerts}
    a5xx = kit.alarm(
        "sample-intake-api-5xx",
        namespace="AWS/ApiGateway",
        metric="5XXError",
        dims=apid,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=20,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="sample-intake prod stage returning 5XX (bench scanners and LIS)",
        **common,
    )
    kit.alarm(
        f"{fn_intake}-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_intake},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=5,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Unhandled errors in the intake handler",
        **common,
    )
    kit.alarm(
        f"{table}-write-throttles",
        namespace="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dims=tdim,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Writes to lims-sample-events throttled",
        **common,
    )
    kit.alarm(
        f"{q_status}-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": q_status + "-dlq"},
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Status updates dead-lettered",
        **common,
    )
    kit.alarm(
        "sample-intake-api-p99",
        namespace="AWS/ApiGateway",
        metric="Latency",
        dims=apid,
        stat="p99",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=3000,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="sample-intake p99 latency above 3s",
        **common,
    )

    # --- logs ------------------------------------------------------------------------------------------------
    benches = ["MICRO-01", "MICRO-03", "HAEM-02", "HAEM-04", "BIOCHEM-01", "BIOCHEM-02", "PATH-05", "SERO-01"]
    group = f"/aws/lambda/{fn_intake}"
    access = f"API-Gateway-Access-Logs_{api_id}/{stage}"
    streams: list[str] = []
    t = start
    year2 = day.strftime("%y")
    while t < now:
        m = floor_min(t)
        n = scans(m) + lookups(m)
        t += timedelta(seconds=rng.expovariate(max(n / 60 / 1000, 0.002)))
        if t >= now:
            break
        if not streams or rng.random() < 0.01:
            streams.append(kit.lambda_stream(t))
        is_scan = rng.random() < scans(m) / max(n, 1)
        fail = is_scan and rng.random() < fails(m) / max(scans(m), 1)
        sample = f"S{year2}-{rng.randint(0, 999999):06d}"
        batch = f"B{year2}{day:%m%d}-{rng.choice(['CR', 'TL', 'DX'])}{rng.randint(10, 99)}"
        rid = kit.uuid()
        trace = f"1-{int(t.timestamp()):08x}-{kit.hex(24)}"
        if fail:
            attempts = 3
            dur = rng.uniform(900, 1500)
            lines = [
                js(
                    {
                        "level": "ERROR",
                        "message": "failed to record scan",
                        "service": "sample-intake",
                        "timestamp": iso_ms(t + timedelta(milliseconds=dur - 5)),
                        "xray_trace_id": trace,
                        "sampleId": sample,
                        "batchId": batch,
                        "bench": rng.choice(benches),
                        "error": {
                            "name": "ProvisionedThroughputExceededException",
                            "message": "The level of configured provisioned throughput for one or more global "
                            "secondary indexes of the table was exceeded. Consider increasing your provisioning "
                            "level for the under-provisioned global secondary indexes with the UpdateTable API",
                            "$fault": "client",
                            "$metadata": {
                                "httpStatusCode": 400,
                                "requestId": kit.upper_id(52, "ABCDEFGHIJKLMNOPQRSTUV0123456789"),
                                "attempts": attempts,
                                "totalRetryDelay": rng.randint(700, 1300),
                            },
                        },
                    }
                )
            ]
            status, code = "500", 500
        elif is_scan:
            dur = rng.uniform(28, 70) if fails(m) == 0 or rng.random() < 0.6 else rng.uniform(500, 1100)
            lines = [
                js(
                    {
                        "level": "INFO",
                        "message": "scan recorded",
                        "service": "sample-intake",
                        "timestamp": iso_ms(t + timedelta(milliseconds=dur - 3)),
                        "xray_trace_id": trace,
                        "sampleId": sample,
                        "batchId": batch,
                        "bench": rng.choice(benches),
                    }
                )
            ]
            status, code = "201", 201
        else:
            dur = rng.uniform(18, 45)
            lines = []
            status, code = "200", 200
        if rng.random() < 0.003:
            lines.append(
                js(
                    {
                        "level": "WARN",
                        "message": "scanner clock skew over 120s; using server time",
                        "service": "sample-intake",
                        "timestamp": iso_ms(t),
                        "bench": rng.choice(benches),
                    }
                )
            )
        kit.lambda_invocation(group, streams[-1], t, dur, 512, rng.randint(104, 131), lines, request_id=rid)
        path = "/v1/scans" if is_scan else "/v1/samples/{sampleId}"
        kit.log(
            access,
            kit.hex(32) if rng.random() < 0.02 else "b" + api_id,
            t + timedelta(milliseconds=dur + 9),
            js(
                {
                    "requestId": kit.uuid(),
                    "ip": f"10.8.{rng.randint(0, 31)}.{rng.randint(2, 250)}",
                    "requestTime": t.astimezone(TZ).strftime("%d/%b/%Y:%H:%M:%S %z"),
                    "httpMethod": "POST" if is_scan else "GET",
                    "resourcePath": path,
                    "status": status,
                    "protocol": "HTTP/1.1",
                    "responseLength": str(rng.randint(90, 140) if code != 500 else 36),
                    "integrationLatency": str(int(dur + 2)),
                }
            ),
        )
    # status-projector and result-notifier
    for fn, every in ((fn_proj, 400), (fn_notify, 110)):
        g = f"/aws/lambda/{fn}"
        st = kit.lambda_stream(start)
        t = start
        while t < now:
            t += timedelta(seconds=rng.uniform(every * 0.5, every * 1.5))
            if t >= now:
                break
            if fn == fn_proj:
                line = js(
                    {
                        "level": "INFO",
                        "message": "batch applied",
                        "service": "status-projector",
                        "timestamp": iso_ms(t),
                        "records": rng.randint(3, 10),
                        "failures": 0,
                    }
                )
            elif rng.random() < 0.05:
                line = js(
                    {
                        "level": "WARN",
                        "message": "clinic webhook returned 410; disabling endpoint",
                        "service": "result-notifier",
                        "timestamp": iso_ms(t),
                        "clinicId": f"C{rng.randint(1000, 9999)}",
                    }
                )
            else:
                line = js(
                    {
                        "level": "INFO",
                        "message": "results notified",
                        "service": "result-notifier",
                        "timestamp": iso_ms(t),
                        "count": rng.randint(1, 12),
                    }
                )
            kit.lambda_invocation(g, st, t, rng.uniform(150, 420), 256, rng.randint(80, 96), [line])

    # --- CloudTrail --------------------------------------------------------------------------------------------
    gha_ip = f"{rng.choice(['20.211', '4.197', '13.70'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    ci = kit.role(
        "gha-deploy-lims",
        "GitHubActions",
        ip=gha_ip,
        agent="aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1022-azure md/arch#x86_64 "
        "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
        "md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
    )
    eng = kit.sso("h.tran@pathwiselabs.com.au", "LabPlatformEngineer")
    viewer = kit.sso("s.okafor@pathwiselabs.com.au", "ReadOnly")
    nr = kit.role(
        "NewRelicInfrastructure-Integrations",
        "NewRelicInfrastructure-Integrations",
        ip=f"162.247.{rng.randint(240, 243)}.{rng.randint(1, 254)}",
        agent="aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    aas = kit.role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-" + kit.upper_id(10, "0123456789"),
        ip="application-autoscaling.amazonaws.com",
        agent="application-autoscaling.amazonaws.com",
        path="aws-service-role/dynamodb.application-autoscaling.amazonaws.com/",
    )
    reads: list[tuple[str, str, Json | None]] = [
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("apigateway.amazonaws.com", "GetRestApis", None),
        ("sqs.amazonaws.com", "ListQueues", None),
    ]
    kit.routine_reads([nr, nr, nr, viewer], reads, start, now, 26)
    # autoscaling's own DescribeTable calls and its UpdateTable on the base table
    for _k in range(6):
        tt = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        r = aas.call(
            tt, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}, None, read_only=True
        )
        r["userIdentity"]["invokedBy"] = "application-autoscaling.amazonaws.com"
    high_id = kit.uuid()
    prev = 300.0
    for when, cap in scale_times:
        if when > now:
            continue
        r = aas.call(
            when,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 150, "writeCapacityUnits": int(cap)},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "tableArn": table_arn,
                    "provisionedThroughput": {
                        "readCapacityUnits": 150,
                        "writeCapacityUnits": int(prev),
                        "numberOfDecreasesToday": 0,
                    },
                }
            },
            read_only=False,
        )
        r["userIdentity"]["invokedBy"] = "application-autoscaling.amazonaws.com"
        kit.event(
            "application_autoscaling",
            {
                "ActivityId": kit.uuid(),
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{table}",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "Description": f"Setting write capacity units to {int(cap)}.",
                "Cause": f"monitor alarm TargetTracking-table/{table}-AlarmHigh-{high_id} in state ALARM triggered "
                f"policy DynamoDBWriteCapacityUtilization:table/{table}",
                "StartTime": iso_ms(when - timedelta(seconds=2)),
                "EndTime": iso_ms(when + timedelta(seconds=40)),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set write capacity units to {int(cap)}. "
                "Change successfully fulfilled by dynamodb.",
            },
        )
        prev = cap
    # innocent 1: intake handler deploy ~20 minutes before the onset
    t_dep = onset - timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59))
    sha = kit.upper_id(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "="
    ver = rng.randint(140, 210)
    ci.call(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn_intake,
            "s3Bucket": "pathwise-lims-artifacts-prod",
            "s3Key": f"sample-intake-handler/{kit.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": fn_intake,
            "functionArn": kit.arn("lambda", f"function:{fn_intake}"),
            "runtime": "nodejs20.x",
            "codeSha256": sha,
            "codeSize": rng.randint(900_000, 1_400_000),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
    )
    ci.call(
        t_dep + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": fn_intake, "codeSha256": sha},
        {"functionName": fn_intake, "version": str(ver), "codeSha256": sha},
        read_only=False,
        agent=ci.agent.replace("update-function-code", "publish-version"),
    )
    ci.call(
        t_dep + timedelta(seconds=17),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn_intake, "name": "live", "functionVersion": str(ver)},
        {
            "aliasArn": kit.arn("lambda", f"function:{fn_intake}:live"),
            "name": "live",
            "functionVersion": str(ver),
        },
        read_only=False,
        agent=ci.agent.replace("update-function-code", "update-alias"),
    )
    # innocent 2: an engineer changes result-notifier's batch size setting shortly after the onset
    t_cfg = onset + timedelta(minutes=rng.randint(4, 15), seconds=rng.randint(0, 59))
    eng.call(
        t_cfg - timedelta(seconds=50),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": fn_notify},
        None,
        read_only=True,
        console=True,
    )
    eng.call(
        t_cfg,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn_notify, "environment": {}},
        {
            "functionName": fn_notify,
            "functionArn": kit.arn("lambda", f"function:{fn_notify}"),
            "lastUpdateStatus": "InProgress",
            "environment": {},
        },
        read_only=False,
        console=True,
    )
    eng.call(
        t_cfg + timedelta(minutes=rng.randint(3, 9)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": table},
        None,
        read_only=True,
        console=True,
    )

    # --- resources ---------------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 700))
    last_inc = day - timedelta(days=rng.randint(120, 400))

    def pt(r: int, w: int, inc: datetime | None = None) -> Json:
        out: Json = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": r, "WriteCapacityUnits": w}
        if inc:
            out["LastIncreaseDateTime"] = iso(inc)
        return out

    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "batchId", "status")
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": pt(
                150, int(table_prov["v"]), scale_times[-1][0] if scale_times else last_inc
            ),
            "TableSizeBytes": rng.randint(30_000_000_000, 60_000_000_000),
            "ItemCount": rng.randint(20_000_000, 40_000_000),
            "TableArn": table_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-batch",
                    "KeySchema": [
                        {"AttributeName": "batchId", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": pt(20, gsi_wcu, last_inc),
                    "IndexSizeBytes": rng.randint(2_000_000_000, 4_000_000_000),
                    "ItemCount": rng.randint(8_000_000, 15_000_000),
                    "IndexArn": f"{table_arn}/index/by-batch",
                },
                {
                    "IndexName": "by-status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": ["bench", "batchId", "priority"],
                    },
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": pt(40, int(status_prov), day - timedelta(days=9)),
                    "IndexSizeBytes": rng.randint(3_000_000_000, 6_000_000_000),
                    "ItemCount": rng.randint(20_000_000, 40_000_000),
                    "IndexArn": f"{table_arn}/index/by-status",
                },
            ],
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": kit.arn("kms", f"key/{kit.uuid()}"),
            },
            "DeletionProtectionEnabled": True,
            "TableClassSummary": {"TableClass": "STANDARD"},
        },
    )
    role_arn = (
        f"arn:aws:iam::{acct}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    for rid, dim, mn, mx in (
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 300, 1200),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 150, 600),
        (f"table/{table}/index/by-status", "dynamodb:index:WriteCapacityUnits", 200, 800),
    ):
        made = created + timedelta(days=rng.randint(1, 200))
        kit.resource(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "MinCapacity": mn,
                "MaxCapacity": mx,
                "RoleARN": role_arn,
                "CreationTime": iso(made),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
                "ScalableTargetARN": kit.arn(
                    "application-autoscaling", f"scalable-target/{kit.hex(4)}{kit.hex(28)}"
                ),
            },
        )
        metric = "DynamoDBWriteCapacityUtilization" if "Write" in dim else "DynamoDBReadCapacityUtilization"
        pname = f"{metric}:{rid}"
        hid = high_id if dim == "dynamodb:table:WriteCapacityUnits" else kit.uuid()
        kit.resource(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": kit.arn(
                    "autoscaling", f"scalingPolicy:{kit.uuid()}:resource/dynamodb/{rid}:policyName/{pname}"
                ),
                "PolicyName": pname,
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    "DisableScaleIn": False,
                },
                "Alarms": [
                    {
                        "AlarmName": f"TargetTracking-{rid}-AlarmHigh-{hid}",
                        "AlarmARN": kit.arn("cloudwatch", f"alarm:TargetTracking-{rid}-AlarmHigh-{hid}"),
                    }
                ],
                "CreationTime": iso(made),
            },
        )
    kit.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Bench scanner and LIS intake",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["PRIVATE"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": kit.upper_id(10, "abcdefghijklmnopqrstuvwxyz0123456789"),
        },
    )
    kit.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": kit.upper_id(6, "abcdefghijklmnopqrstuvwxyz0123456789"),
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": True,
            "accessLogSettings": {
                "format": "$context.requestId",
                "destinationArn": kit.arn("logs", f"log-group:{access}"),
            },
            "createdDate": iso(created),
            "lastUpdatedDate": iso(day - timedelta(days=rng.randint(10, 60))),
        },
    )
    for path, verbs in (("/v1/scans", ["POST"]), ("/v1/samples/{sampleId}", ["GET"])):
        res_id = kit.upper_id(6, "abcdefghijklmnopqrstuvwxyz0123456789")
        kit.resource(
            "apigateway",
            "RestApiResource",
            {
                "restApiId": api_id,
                "id": res_id,
                "parentId": kit.upper_id(6, "abcdefghijklmnopqrstuvwxyz0123456789"),
                "pathPart": path.rsplit("/", 1)[1],
                "path": path,
                "resourceMethods": {v: {} for v in verbs},
            },
        )
        for verb in verbs:
            kit.resource(
                "apigateway",
                "MethodIntegration",
                {
                    "restApiId": api_id,
                    "resourceId": res_id,
                    "httpMethod": verb,
                    "type": "AWS_PROXY",
                    "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                    f"{kit.arn('lambda', f'function:{fn_intake}:live')}/invocations",
                    "passthroughBehavior": "WHEN_NO_MATCH",
                    "timeoutInMillis": 29000,
                    "cacheNamespace": res_id,
                    "cacheKeyParameters": [],
                },
            )
    for fn, mem, desc in (
        (fn_intake, 512, "Records bench scans and serves sample lookups"),
        (fn_proj, 256, "Projects status updates onto sample events"),
        (fn_notify, 256, "Notifies clinics of released results"),
    ):
        kit.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": kit.arn("lambda", f"function:{fn}"),
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{fn}",
                "Handler": "index.handler",
                "CodeSize": rng.randint(400_000, 1_400_000),
                "Description": desc,
                "Timeout": 20,
                "MemorySize": mem,
                "LastModified": (
                    t_dep
                    if fn == fn_intake
                    else t_cfg
                    if fn == fn_notify
                    else day - timedelta(days=rng.randint(5, 50))
                ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": sha
                if fn == fn_intake
                else kit.upper_id(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789") + "=",
                "Version": "$LATEST",
                "Environment": {
                    "Variables": {"TABLE_NAME": table, "POWERTOOLS_SERVICE_NAME": fn.replace("-handler", "")}
                },
                "TracingConfig": {"Mode": "Active"},
                "RevisionId": kit.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            },
        )
    kit.resource(
        "lambda", "FunctionConcurrency", {"FunctionName": fn_intake, "ReservedConcurrentExecutions": 200}
    )
    for q in (q_status, q_status + "-dlq"):
        attrs = {
            "QueueArn": kit.arn("sqs", q),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp())),
            "VisibilityTimeout": "60",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if not q.endswith("-dlq"):
            attrs["RedrivePolicy"] = js(
                {"deadLetterTargetArn": kit.arn("sqs", q + "-dlq"), "maxReceiveCount": 5}
            )
        kit.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{q}",
                "Attributes": attrs,
                "Tags": {"system": "lims"},
            },
        )
    esm_id = kit.uuid()
    kit.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_id,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": kit.arn("sqs", q_status),
            "FunctionArn": kit.arn("lambda", f"function:{fn_proj}"),
            "LastModified": iso(created),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_id}"),
        },
    )

    # --- manifest ------------------------------------------------------------------------------------------------
    tr = a5xx.first("ALARM")
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": kit.alarm_event(a5xx, tr)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": table,
                    "category": "limit",
                    "failure_mode": "dynamodb-gsi-write-capacity-exceeded",
                    "event_id": None,
                },
                "also_accept": [table_arn, f"{table_arn}/index/by-batch", "by-batch"],
                "actions": ["scale"],
                "chain": [
                    f"The by-batch GSI of {table} is provisioned at {gsi_wcu} WCU with no auto scaling",
                    "the morning scan peak needs more index writes than that; burst capacity runs out",
                    f"PutItem on {table} is throttled (ProvisionedThroughputExceededException for the GSI) while the "
                    "table and by-status have headroom",
                    f"{fn_intake} gives up after SDK retries and returns 500; the sample-intake prod stage's 5XXError "
                    "alarm fires",
                ],
            },
        }
    )
    return Bundle(manifest, kit.records())
