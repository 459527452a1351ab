"""No fault: the nightly end-of-day settlement job drives the POS Aurora Serverless v2 writer up in ACUs
and trips an ACUUtilization alarm, as it does most nights; nothing is broken."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzm import (
    CLI_AGENT,
    Pos,
    all_functions,
    default_hooks,
    iso,
    local,
    standard_telemetry,
)

NAME = "overnight-aurora-acu-page"
TITLE = "Paged in the middle of the night for POS database capacity while every store is closed"
SUMMARY = "No fault: the 2am end-of-day settlement run scales Aurora Serverless v2 up nightly and trips a noisy ACU alarm."


def build(seed: int) -> Bundle:
    p = Pos(seed, hour=7, minute=0, days_back=0)
    r = p.rng
    job = p.onset.replace(minute=0, second=0)  # cron(0 7 * * ? *)
    p.onset = job
    p.now = job + timedelta(minutes=r.randint(40, 55))
    p.end = p.now + timedelta(minutes=5)
    p.start = (job - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
    run_min = r.uniform(9.0, 13.0)
    extra = r.uniform(10.5, 12.5)
    stores = r.randint(180, 260)
    hooks = default_hooks()

    def acu_extra(t: datetime) -> float:
        m = (t - job).total_seconds() / 60
        if m < 0 or m > run_min + 3:
            return 0.0
        if m < 2:
            return extra * m / 2
        if m > run_min:
            return extra * max(0.0, 1 - (m - run_min) / 3)
        return extra * r.uniform(0.92, 1.0)

    hooks["acu_extra"] = acu_extra
    standard_telemetry(p, r.randint(350, 560), hooks)
    p.base_resources()
    all_functions(p)

    # the settlement function's own metrics (one invocation a night, reported when it ends)
    fd = {"FunctionName": p.fn["eod"]}
    end_at = job + timedelta(minutes=run_min)
    for name, unit, value in (
        ("Invocations", "Count", 1.0),
        ("Errors", "Count", 0.0),
        ("ConcurrentExecutions", "Count", 1.0),
    ):
        p.metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": name,
                "dimensions": fd,
                "timestamp": iso(job),
                "unit": unit,
                "value": value,
            }
        )
    p.metrics.append(
        {
            "namespace": "AWS/Lambda",
            "metric": "Duration",
            "dimensions": fd,
            "timestamp": iso(end_at.replace(second=0)),
            "unit": "Milliseconds",
            "value": round(run_min * 60000, 2),
        }
    )

    # settlement logs
    group_key = "eod"
    stream = p.stream(group_key, job)
    rid = p.uid()
    g = f"/aws/lambda/{p.fn['eod']}"
    bd = (job - timedelta(hours=5, days=1)).strftime("%Y-%m-%d")

    def line(t: datetime, level: str, msg: str) -> None:
        p.logs.append(
            {
                "log_group": g,
                "log_stream": stream,
                "timestamp": int(t.timestamp() * 1000),
                "message": f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z\t{rid}\t{level}\t{msg}",
            }
        )

    t0 = job + timedelta(milliseconds=r.randint(300, 900))
    p.logs.append(
        {
            "log_group": g,
            "log_stream": stream,
            "timestamp": int(t0.timestamp() * 1000) - 900,
            "message": "INIT_START Runtime Version: nodejs:20.v22\tRuntime Version ARN: "
            f"arn:aws:lambda:{p.region}::runtime:{p.hex(64)}",
        }
    )
    p.logs.append(
        {
            "log_group": g,
            "log_stream": stream,
            "timestamp": int(t0.timestamp() * 1000),
            "message": f"START RequestId: {rid} Version: $LATEST",
        }
    )
    line(t0, "INFO", f"eod settlement start businessDate={bd} stores={stores} source=aws.events")
    done = 0
    t = t0
    while done < stores:
        t += timedelta(seconds=run_min * 60 / 12)
        batch = min(stores - done, stores // 10 + 1)
        done += batch
        line(
            t,
            "INFO",
            f"settled stores {done}/{stores} txns={r.randint(9000, 16000) * done // stores} "
            f"rollup=daily_sales_by_sku refreshed=true",
        )
    line(end_at, "INFO", f"VACUUM (ANALYZE) sales_line_items done in {r.randint(40, 110)}s")
    line(
        end_at + timedelta(milliseconds=400),
        "INFO",
        f"eod settlement complete businessDate={bd} stores={stores} durationMs={int(run_min * 60000)}",
    )
    p.logs.append(
        {
            "log_group": g,
            "log_stream": stream,
            "timestamp": int(end_at.timestamp() * 1000) + 500,
            "message": f"END RequestId: {rid}",
        }
    )
    p.logs.append(
        {
            "log_group": g,
            "log_stream": stream,
            "timestamp": int(end_at.timestamp() * 1000) + 500,
            "message": f"REPORT RequestId: {rid}\tDuration: {run_min * 60000:.2f} ms\tBilled Duration: "
            f"{int(run_min * 60000) + 1} ms\tMemory Size: 2048 MB\tMax Memory Used: {r.randint(380, 620)} MB\t"
            f"Init Duration: {r.uniform(700, 1100):.2f} ms\t",
        }
    )
    # a few night orders (online pickup) and quiet ingest
    t = p.start
    stream = p.stream("api", t)
    while t < p.now:
        p.invocation(
            "api",
            stream,
            t,
            r.lognormvariate(7.5, 0.4),
            [
                (
                    "INFO",
                    f"POST /v2/checkout store=WEB lane=0 tender=card amount={r.randint(999, 9999) / 100:.2f}",
                ),
                ("INFO", f"order committed orderId=ord_{p.alnum(10)} status=200"),
            ],
            mem_used=r.randint(120, 150),
        )
        t += timedelta(minutes=r.randint(2, 6))

    # cloudtrail: a quiet night, tooling, an automated snapshot and a late-evening change
    deploy = p.who("deploy")
    ip = f"20.42.11.{r.randint(2, 250)}"
    sdk = "aws-sdk-js/3.511.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/lambda#3.511.0"
    ev = p.start + timedelta(minutes=r.randint(10, 40))
    p.ct(
        ev,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {"functionName": p.fn["eod"], "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": p.fn["eod"],
            "functionArn": p.fn_arn("eod"),
            "runtime": "nodejs20.x",
            "codeSize": 3_402_118,
            "timeout": 900,
            "memorySize": 2048,
            "lastModified": ev.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": p.alnum(43) + "=",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
        },
        agent=sdk,
        ip=ip,
    )
    for res in p.resources:
        if res["type"] == "FunctionConfiguration" and res["item"]["FunctionName"] == p.fn["eod"]:
            res["item"]["LastModified"] = ev.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    p.ct(
        job + timedelta(minutes=14),
        "rds.amazonaws.com",
        "DescribeDBClusters",
        p.who("sso", "tom.haugen"),
        {"dBClusterIdentifier": p.cluster},
        None,
        read_only=True,
        agent=CLI_AGENT + "rds.describe-db-clusters",
    )
    p.ct(
        job + timedelta(minutes=16),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        p.who("sso", "tom.haugen"),
        {"alarmName": f"{p.brand}-pos-aurora-acu-high", "historyItemType": "StateUpdate"},
        None,
        read_only=True,
        agent=CLI_AGENT + "cloudwatch.describe-alarm-history",
    )
    p.tooling_noise(34)
    p.kms_decrypts(25)

    # rds events: the automated backup window overlaps the job
    bk = job + timedelta(minutes=10)
    arn = f"arn:aws:rds:{p.region}:{p.account}:cluster:{p.cluster}"
    p.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": p.cluster,
                "SourceType": "db-cluster",
                "Message": "Creating automated cluster snapshot",
                "EventCategories": ["backup"],
                "Date": iso(bk),
                "SourceArn": arn,
            },
        }
    )
    p.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": p.cluster,
                "SourceType": "db-cluster",
                "Message": "Automated cluster snapshot created",
                "EventCategories": ["backup"],
                "Date": iso(bk + timedelta(minutes=r.randint(3, 6))),
                "SourceArn": arn,
            },
        }
    )

    # alarms: the ACU alarm pages most nights
    acu = p.alarm(
        f"{p.brand}-pos-aurora-acu-high",
        "AWS/RDS",
        "ACUUtilization",
        {"DBClusterIdentifier": p.cluster},
        "Average",
        70,
        evals=3,
    )
    vals = {
        m["timestamp"]: m["value"]
        for m in p.metrics
        if m["metric"] == "ACUUtilization" and "DBClusterIdentifier" in m["dimensions"]
    }
    fire = None
    ok = None
    run = 0
    for ts in sorted(vals):
        if ts < iso(job):
            continue
        if fire is None:
            run = run + 1 if vals[ts] > 70 else 0
            if run == 3:
                fire = datetime.fromisoformat(ts.replace("Z", "+00:00")) + timedelta(minutes=1)
                run = 0
        elif ok is None:
            run = run + 1 if vals[ts] <= 70 else 0
            if run == 3:
                ok = datetime.fromisoformat(ts.replace("Z", "+00:00")) + timedelta(minutes=1)
    assert fire is not None
    recent = [round(vals[iso(fire - timedelta(minutes=i))], 4) for i in (1, 2, 3)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{recent[0]} ("
        f"{(fire - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')}), {recent[1]}, {recent[2]}] were "
        "greater than the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    for back in range(1, 8):
        if back in (3, 6):
            continue  # lighter nights (weekend) stayed under the threshold
        ft = fire - timedelta(days=back, minutes=r.randint(-1, 2))
        p.transition(
            acu,
            ft,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than "
            "the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition).",
        )
        p.transition(
            acu,
            ft + timedelta(minutes=r.randint(9, 14)),
            "ALARM",
            "OK",
            "Threshold Crossed: 3 out of the "
            "last 3 datapoints were not greater than the threshold (70.0) (minimum 3 datapoints for ALARM "
            "-> OK transition).",
        )
    p.transition(acu, fire, "OK", "ALARM", reason)
    if ok is not None and ok <= p.now:
        okr = (
            "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (70.0) "
            "(minimum 3 datapoints for ALARM -> OK transition)."
        )
        p.transition(acu, ok, "ALARM", "OK", okr)
        acu.update(
            StateValue="OK",
            StateReason=okr,
            StateUpdatedTimestamp=iso(ok),
            StateTransitionedTimestamp=iso(ok),
        )
    else:
        acu.update(
            StateValue="ALARM",
            StateReason=reason,
            StateUpdatedTimestamp=iso(fire),
            StateTransitionedTimestamp=iso(fire),
        )
    p.alarm(
        f"{p.brand}-pos-aurora-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": p.writer},
        "Average",
        85,
        period=300,
        evals=3,
    )
    p.alarm(
        f"{p.brand}-pos-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": p.alb_dim},
        "Sum",
        20,
        evals=3,
    )
    p.alarm(
        f"{p.brand}-pos-sales-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.queues["sales_dlq"]},
        "Maximum",
        0,
        period=300,
        evals=1,
    )
    p.alarm(f"{p.brand}-pos-eod-settlement-errors", "AWS/Lambda", "Errors", fd, "Sum", 0, period=300, evals=1)

    event = p.alarm_event(
        acu,
        fire,
        reason,
        {
            "version": "1.0",
            "queryDate": fire.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": (fire - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": "Average",
            "period": 60,
            "recentDatapoints": recent,
            "threshold": 70.0,
            "evaluatedDatapoints": [],
        },
    )
    question = (
        f"Got paged at {local(fire)} for the POS Aurora ACU alarm. Every store has been closed for hours, "
        "so what is chewing through database capacity at this time of night? Are we getting scraped, or "
        "is something stuck in a loop burning money?"
    )
    return p.bundle(
        TITLE,
        question,
        event,
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
