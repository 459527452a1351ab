"""workout-ingest errors alarm on Sunday morning (kit zu, incident 3)."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zu import (
    CONSOLE_UA,
    Alarm,
    Ids,
    Rec,
    count,
    ct,
    datum,
    day_shape,
    iso,
    iso_ms,
    jitter,
    lambda_points,
    lambda_report,
    lambda_stream,
    linked_role_principal,
    log,
    log_group,
    per_period,
    res,
    role_principal,
    sort_records,
    sso_principal,
    stat_datum,
)

NAME = "workout-ingest-errors-sunday"
TITLE = "workout-ingest Lambda errors alarm on Sunday morning; workout uploads stuck syncing"
SUMMARY = (
    "A recently added GSI on the workouts table has fixed provisioned write capacity and no scaling target; "
    "at the Sunday peak it runs out (after its burst), throttling base-table writes while the table autoscales."
)

TZ = 10  # Australia/Sydney, winter (AEST)
GSI_FIXED = "by_club_day"
GSI_SCALED = "by_user_started"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    acct = ids.account()
    region = "ap-southeast-2"
    # A Sunday between mid-May and late August (no daylight saving in Sydney then).
    sunday = datetime(2024, 5, 19, tzinfo=UTC) + timedelta(weeks=rng.randint(0, 14))
    local_midnight = sunday - timedelta(hours=TZ)  # Sunday 00:00 local, in UTC
    start = local_midnight - timedelta(hours=rng.randint(11, 13))
    peak_rate = rng.uniform(115, 130)  # workouts per second at the Sunday peak
    sat_factor = rng.uniform(0.62, 0.7)
    club_share = rng.uniform(0.55, 0.6)
    wcu_item = 3
    gsi_cap = 150
    table = "workouts"
    queue = "workout-uploads"
    dlq = "workout-uploads-dlq"
    fn = "workout-ingest"
    api = "workouts-api"

    def local_h(t: datetime) -> float:
        return ((t.hour + TZ) % 24) + t.minute / 60

    def rate(t: datetime) -> float:
        sunday_local = (t + timedelta(hours=TZ)).weekday() == 6
        f = 1.0 if sunday_local else sat_factor
        return peak_rate * f * day_shape(local_h(t), peak=9.3, night=0.04, sharp=2.2)

    # --- minute-by-minute simulation ----------------------------------------------------------------
    minutes: list[datetime] = []
    t = start
    end_guess = local_midnight + timedelta(hours=11)
    while t <= end_guess:
        minutes.append(t)
        t += timedelta(minutes=1)
    burst = gsi_cap * 300.0
    table_p, user_p = 700, 240
    last_scale_t = start - timedelta(hours=1)
    last_scale_u = start - timedelta(hours=1)
    high_t = high_u = low_t = low_u = 0
    visible = 0.0
    hidden: list[tuple[datetime, float]] = []  # messages back after the visibility timeout
    dlq_depth = 0.0
    failing_age = 0.0
    oldest_age = 0.0
    sim: dict[datetime, dict[str, float]] = {}
    activities: list[Rec] = []
    scale_events: list[tuple[datetime, str, int]] = []
    first_throttle: datetime | None = None
    for t in minutes:
        arrivals = count(rng, rate(t) * 60)
        back = sum(n for when, n in hidden if when <= t)
        hidden = [(when, n) for when, n in hidden if when > t]
        attempted = visible + arrivals + back
        visible = 0.0
        club_units = attempted * club_share * wcu_item
        cap_units = gsi_cap * 60.0
        if club_units <= cap_units:
            burst = min(gsi_cap * 300.0, burst + (cap_units - club_units))
            done = attempted
            gsi_used = club_units
            throttled_req = 0.0
        elif club_units <= cap_units + burst:
            burst -= club_units - cap_units
            done = attempted
            gsi_used = club_units
            throttled_req = 0.0
        else:
            usable = cap_units + burst
            burst = 0.0
            gsi_used = usable
            # a batch fails whole when one write in it is throttled after retries, so rewrites waste capacity
            done = min(attempted * 0.9, usable / (club_share * wcu_item) * rng.uniform(0.7, 0.78))
            throttled_req = (club_units - usable) / wcu_item * rng.uniform(2.2, 2.8)
            if first_throttle is None:
                first_throttle = t
        failed = max(0.0, attempted - done)
        to_dlq = failed * (0.16 if failing_age > 12 else 0.0)
        dlq_depth += to_dlq
        if failed:
            hidden.append((t + timedelta(minutes=3), failed - to_dlq))
            failing_age += 1
        else:
            failing_age = 0
        backlog = sum(n for _, n in hidden)
        oldest_age = (oldest_age + 60) if backlog > 50 else rng.uniform(0.5, 3.5)
        table_units = done * wcu_item + throttled_req * 0.0
        user_units = done * 1.0
        # table and by_user_started autoscaling (target tracking at 70%)
        tr = table_units / 60
        ur = user_units / 60
        high_t = high_t + 1 if tr > 0.7 * table_p else 0
        low_t = low_t + 1 if tr < 0.7 * table_p * 0.8 else 0
        high_u = high_u + 1 if ur > 0.7 * user_p else 0
        low_u = low_u + 1 if ur < 0.7 * user_p * 0.8 else 0
        if high_t >= 2 and t - last_scale_t >= timedelta(minutes=2):
            new = min(4000, int(math.ceil(tr / 0.7 / 10) * 10))
            scale_events.append((t, "table", new))
            table_p, last_scale_t, high_t = new, t, 0
        elif low_t >= 15 and t - last_scale_t >= timedelta(minutes=15):
            new = max(400, int(math.ceil(tr / 0.7 / 10) * 10))
            if new < table_p:
                scale_events.append((t, "table", new))
                table_p, last_scale_t, low_t = new, t, 0
        if high_u >= 2 and t - last_scale_u >= timedelta(minutes=2):
            new = min(2000, int(math.ceil(ur / 0.7 / 10) * 10))
            scale_events.append((t, GSI_SCALED, new))
            user_p, last_scale_u, high_u = new, t, 0
        elif low_u >= 15 and t - last_scale_u >= timedelta(minutes=15):
            new = max(100, int(math.ceil(ur / 0.7 / 10) * 10))
            if new < user_p:
                scale_events.append((t, GSI_SCALED, new))
                user_p, last_scale_u, low_u = new, t, 0
        inv = math.ceil(attempted / 10) if attempted else 0
        err_inv = math.ceil(failed / 10) if failed else 0
        sim[t] = {
            "arrivals": arrivals,
            "attempted": attempted,
            "done": done,
            "failed": failed,
            "gsi_used": gsi_used,
            "throttled": throttled_req,
            "table_units": table_units,
            "user_units": user_units,
            "table_p": table_p,
            "user_p": user_p,
            "backlog": backlog,
            "oldest": oldest_age,
            "dlq": dlq_depth,
            "to_dlq": to_dlq,
            "inv": inv,
            "err": err_inv,
        }
    assert first_throttle is not None
    onset = first_throttle
    now = onset + timedelta(minutes=rng.randint(34, 48), seconds=rng.randint(0, 59))
    fine_from = now - timedelta(hours=4)

    # --- metrics ---------------------------------------------------------------------------------
    metrics: list[Rec] = []
    td = {"TableName": table}
    gd = {"TableName": table, "GlobalSecondaryIndexName": GSI_FIXED}
    ud = {"TableName": table, "GlobalSecondaryIndexName": GSI_SCALED}
    qd = {"QueueName": queue}
    dd = {"QueueName": dlq}
    ad = {"ApiName": api, "Stage": "prod"}

    def emit(t0: datetime, ms_: list[datetime]) -> None:
        rows = [sim[m] for m in ms_]
        sec = 60 * len(ms_)

        def tot(k: str) -> float:
            return sum(r[k] for r in rows)

        last = rows[-1]
        metrics.append(
            datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, t0, "Count", round(tot("table_units")))
        )
        metrics.append(
            datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", td, t0, "Count", last["table_p"])
        )
        metrics.append(
            datum(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                td,
                t0,
                "Count",
                round(tot("arrivals") * 0.9 + 40 * sec / 60),
            )
        )
        metrics.append(datum("AWS/DynamoDB", "ProvisionedReadCapacityUnits", td, t0, "Count", 600))
        metrics.append(
            datum(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                gd,
                t0,
                "Count",
                round(tot("gsi_used") * (rng.uniform(0.99, 1.035) if tot("throttled") else 1.0)),
            )
        )
        metrics.append(datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", gd, t0, "Count", gsi_cap))
        metrics.append(
            datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", ud, t0, "Count", round(tot("user_units")))
        )
        metrics.append(
            datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", ud, t0, "Count", last["user_p"])
        )
        if tot("throttled") > 0:
            metrics.append(
                datum("AWS/DynamoDB", "WriteThrottleEvents", gd, t0, "Count", round(tot("throttled")))
            )
            metrics.append(
                datum(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": table, "Operation": "PutItem"},
                    t0,
                    "Count",
                    round(tot("throttled")),
                )
            )
        puts = tot("attempted")
        if puts:
            lat = 6.2 if not tot("throttled") else 7.4
            metrics.append(
                stat_datum(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": table, "Operation": "PutItem"},
                    t0,
                    "Milliseconds",
                    round(puts),
                    round(puts) * jitter(rng, lat, 0.05),
                    2.8,
                    rng.uniform(30, 80),
                )
            )
        # SQS
        metrics.append(datum("AWS/SQS", "NumberOfMessagesSent", qd, t0, "Count", round(tot("arrivals"))))
        metrics.append(datum("AWS/SQS", "NumberOfMessagesReceived", qd, t0, "Count", round(tot("attempted"))))
        metrics.append(datum("AWS/SQS", "NumberOfMessagesDeleted", qd, t0, "Count", round(tot("done"))))
        metrics.append(
            datum(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                qd,
                t0,
                "Count",
                round(last["backlog"] * 0.35),
            )
        )
        metrics.append(
            datum(
                "AWS/SQS",
                "ApproximateNumberOfMessagesNotVisible",
                qd,
                t0,
                "Count",
                round(last["backlog"] * 0.65 + rng.uniform(5, 40)),
            )
        )
        metrics.append(
            datum("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t0, "Seconds", round(last["oldest"]))
        )
        metrics.append(
            datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t0, "Count", round(last["dlq"]))
        )
        if tot("to_dlq"):
            metrics.append(datum("AWS/SQS", "NumberOfMessagesSent", dd, t0, "Count", round(tot("to_dlq"))))
        # API Gateway (the upload endpoint just enqueues)
        calls = round(tot("arrivals") * 1.02)
        metrics.append(datum("AWS/ApiGateway", "Count", ad, t0, "Count", calls))
        metrics.append(datum("AWS/ApiGateway", "5XXError", ad, t0, "Count", 0))
        metrics.append(datum("AWS/ApiGateway", "4XXError", ad, t0, "Count", count(rng, calls * 0.004)))
        metrics.append(
            stat_datum(
                "AWS/ApiGateway",
                "Latency",
                ad,
                t0,
                "Milliseconds",
                max(1, calls),
                max(1, calls) * jitter(rng, 38, 0.05),
                14,
                rng.uniform(180, 420),
            )
        )
        # Lambda
        inv = int(tot("inv"))
        errs = int(tot("err"))
        dur = 95.0 if not errs else 95 + 1400 * errs / max(1, inv)
        conc = max(1.0, round(inv / len(ms_) * dur / 60000 * 1.8 + (errs / len(ms_)) * 0.4 + rng.random(), 0))
        lambda_points(metrics, rng, fn, t0, inv, jitter(rng, dur, 0.05), errors=errs, concurrency=conc)

    t = minutes[0]
    while t <= now:
        if t < fine_from:
            block = [t + timedelta(minutes=k) for k in range(5)]
            emit(t, block)
            t += timedelta(minutes=5)
        else:
            emit(t, [t])
            t += timedelta(minutes=1)

    # --- scaling activities and their CloudTrail records -----------------------------------------
    aas = linked_role_principal(
        ids,
        acct,
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-" + ids.hexs(8),
        "dynamodb.application-autoscaling.amazonaws.com",
        start,
    )
    ct_recs: list[Rec] = []
    prev = {"table": 700, GSI_SCALED: 240}
    for when, what, cap in scale_events:
        if when > now:
            break
        at = when + timedelta(seconds=rng.randint(20, 50))
        rid = f"table/{table}" if what == "table" else f"table/{table}/index/{GSI_SCALED}"
        dim = "dynamodb:table:WriteCapacityUnits" if what == "table" else "dynamodb:index:WriteCapacityUnits"
        up = cap > prev[what]
        alarm = f"TargetTracking-{rid}-Alarm{'High' if up else 'Low'}-{ids.uuid()}"
        policy = f"DynamoDBWriteCapacityUtilization:{rid}"
        activities.append(
            {
                "ActivityId": ids.uuid(),
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "Description": f"Setting write capacity units to {cap}.",
                "Cause": f"monitor alarm {alarm} in state ALARM triggered policy {policy}",
                "StartTime": iso_ms(at),
                "EndTime": iso_ms(at + timedelta(seconds=rng.randint(20, 70))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set write capacity units to {cap}. Change successfully fulfilled by dynamodb.",
            }
        )
        params: Rec = {"tableName": table}
        if what == "table":
            params["provisionedThroughput"] = {"readCapacityUnits": 600, "writeCapacityUnits": cap}
        else:
            params["globalSecondaryIndexUpdates"] = [
                {
                    "update": {
                        "indexName": GSI_SCALED,
                        "provisionedThroughput": {"readCapacityUnits": 100, "writeCapacityUnits": cap},
                    }
                }
            ]
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                aas,
                at + timedelta(seconds=1),
                "dynamodb.amazonaws.com",
                "UpdateTable",
                params,
                {
                    "tableDescription": {
                        "tableName": table,
                        "tableStatus": "UPDATING",
                        "tableArn": f"arn:aws:dynamodb:{region}:{acct}:table/{table}",
                    }
                },
            )
        )
        prev[what] = cap

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    group = f"/aws/lambda/{fn}"
    log_from = onset - timedelta(minutes=50)
    streams = [lambda_stream(rng, ids, log_from, "31") for _ in range(6)]
    gsi_msg = (
        "The level of configured provisioned throughput for one or more global secondary indexes of the table "
        "was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary "
        "indexes with the UpdateGlobalSecondaryIndex API"
    )
    t = log_from
    while t <= now:
        row = sim[t.replace(second=0, microsecond=0)]
        sample = max(1, int(row["inv"] / 30))  # a sample of invocations each minute
        err_share = row["err"] / row["inv"] if row["inv"] else 0.0
        for _ in range(min(8, sample)):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            if at > now:
                continue
            st = rng.choice(streams)
            rid = ids.uuid()
            failing = rng.random() < err_share
            dur = rng.uniform(1200, 2600) if failing else jitter(rng, 95, 0.3)
            logs.append(log(group, st, at, f"START RequestId: {rid} Version: 31"))
            if failing:
                err = {
                    "errorType": "ProvisionedThroughputExceededException",
                    "errorMessage": gsi_msg,
                    "name": "ProvisionedThroughputExceededException",
                    "$fault": "client",
                    "$metadata": {
                        "httpStatusCode": 400,
                        "requestId": ids.upper(52),
                        "attempts": 3,
                        "totalRetryDelay": rng.randint(180, 900),
                    },
                    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "message": gsi_msg,
                    "stack": [
                        f"ProvisionedThroughputExceededException: {gsi_msg}",
                        "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                        "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:847:5",
                        "    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2256:14)",
                        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                        "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/middleware-serde/dist-cjs/index.js:35:20",
                        "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/core/dist-cjs/index.js:165:18",
                        "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/middleware-retry/dist-cjs/index.js:320:38",
                        "    at async saveWorkout (/var/task/index.js:88:5)",
                        "    at async Promise.all (index 3)",
                        "    at async Runtime.handler (/var/task/index.js:41:3)",
                    ],
                }
                logs.append(
                    log(
                        group,
                        st,
                        at + timedelta(milliseconds=dur - 5),
                        f"{iso_ms(at + timedelta(milliseconds=dur - 5))}\t{rid}\tERROR\tInvoke Error \t{json.dumps(err)}",
                    )
                )
            else:
                n = rng.randint(6, 10)
                logs.append(
                    log(
                        group,
                        st,
                        at + timedelta(milliseconds=dur - 2),
                        f"{iso_ms(at + timedelta(milliseconds=dur - 2))}\t{rid}\tINFO\t"
                        + json.dumps(
                            {
                                "msg": "batch saved",
                                "workouts": n,
                                "clubTagged": sum(1 for _ in range(n) if rng.random() < club_share),
                                "ms": round(dur),
                            }
                        ),
                    )
                )
                if rng.random() < 0.01:
                    logs.append(
                        log(
                            group,
                            st,
                            at + timedelta(milliseconds=dur - 3),
                            f"{iso_ms(at)}\t{rid}\tWARN\t"
                            + json.dumps(
                                {"msg": "gps track truncated to 20000 points", "workoutId": ids.uuid()}
                            ),
                        )
                    )
            logs.append(log(group, st, at + timedelta(milliseconds=dur), f"END RequestId: {rid}"))
            logs.append(
                log(
                    group,
                    st,
                    at + timedelta(milliseconds=dur + 1),
                    lambda_report(rng, rid, dur, 512, rng.randint(118, 140)),
                )
            )
        t += timedelta(minutes=1)

    # --- alarms ----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{acct}:stridewell-oncall"
    a_err = Alarm(
        acct,
        region,
        "workout-ingest-errors",
        "workout-ingest Lambda is failing batches from workout-uploads",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        60,
        3,
        3,
        10,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=250),
    )
    a_err.evaluate(
        per_period(metrics, "AWS/Lambda", "Errors", {"FunctionName": fn}, 60, "Sum"), fine_from, now, rng
    )
    a_age = Alarm(
        acct,
        region,
        "workout-uploads-oldest-message-age",
        "Uploads waiting in workout-uploads for more than 15 minutes",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        2,
        900,
        "GreaterThanThreshold",
        [topic],
        configured=start - timedelta(days=250),
    )
    a_age.evaluate(
        per_period(metrics, "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, 300, "Maximum"), start, now, rng
    )
    a_thr = Alarm(
        acct,
        region,
        "workouts-table-write-throttles",
        "Write throttling on the workouts table",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        td,
        "Sum",
        300,
        1,
        1,
        0,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=400),
    )
    a_thr.evaluate(
        per_period(metrics, "AWS/DynamoDB", "WriteThrottleEvents", td, 300, "Sum"), start, now, rng
    )
    a_5xx = Alarm(
        acct,
        region,
        "workouts-api-5xx",
        "workouts-api returning 5XX",
        "AWS/ApiGateway",
        "5XXError",
        ad,
        "Sum",
        300,
        2,
        2,
        25,
        "GreaterThanThreshold",
        [topic],
        configured=start - timedelta(days=400),
    )
    a_5xx.evaluate(per_period(metrics, "AWS/ApiGateway", "5XXError", ad, 300, "Sum"), start, now, rng)
    a_dlq = Alarm(
        acct,
        region,
        "workout-uploads-dlq-not-empty",
        "Messages in the workout-uploads dead-letter queue",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Maximum",
        300,
        1,
        1,
        0,
        "GreaterThanThreshold",
        [topic],
        configured=start - timedelta(days=250),
    )
    a_dlq.evaluate(
        per_period(metrics, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, 300, "Maximum"),
        start,
        now,
        rng,
    )
    alarms = [a_err, a_age, a_thr, a_5xx, a_dlq]
    if not a_err.transitions or a_err.transitions[-1][2] != "ALARM":
        raise RuntimeError("the errors alarm did not fire; adjust the scenario")

    # --- CloudTrail: people and pipelines --------------------------------------------------------
    dev = sso_principal(
        ids,
        acct,
        region,
        "Developer",
        "josh.nguyen@stridewell.app",
        ids.ip(),
        CONSOLE_UA,
        onset - timedelta(minutes=40),
    )
    dev.identity["sessionCredentialFromConsole"] = "true"
    q_url = f"https://sqs.{region}.amazonaws.com/{acct}/{dlq}"
    dlq_t = onset - timedelta(minutes=rng.randint(16, 26), seconds=rng.randint(0, 59))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            dev,
            dlq_t - timedelta(seconds=50),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": q_url, "attributeNames": ["All"]},
            None,
            read_only=True,
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            dev,
            dlq_t,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            {"queueUrl": q_url, "attributes": {"MessageRetentionPeriod": "1209600"}},
            None,
        )
    )
    lb = "challenge-leaderboard-refresh"
    env_t = onset + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            dev,
            env_t,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": lb, "environment": {}},
            {
                "functionName": lb,
                "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{lb}",
                "runtime": "nodejs20.x",
                "memorySize": 1024,
                "timeout": 300,
                "environment": {},
                "lastUpdateStatus": "InProgress",
                "state": "Active",
                "version": "$LATEST",
            },
            version="1.08",
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            dev,
            env_t - timedelta(minutes=2),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": lb},
            None,
            read_only=True,
            version="1.08",
        )
    )
    # CI read-only drift detection runs every 2 hours
    drift = role_principal(ids, acct, "gha-infra-drift-readonly", "GitHubActions", ids.ip(), "", start)
    drift.agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
        "md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.31.1"
    )
    t = start + timedelta(minutes=rng.randint(3, 40))
    while t <= now:
        _reads0: list[tuple[str, str, Rec]] = [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": table}),
            (
                "application-autoscaling.amazonaws.com",
                "DescribeScalableTargets",
                {"serviceNamespace": "dynamodb", "resourceIds": [f"table/{table}"]},
            ),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{queue}",
                    "attributeNames": ["All"],
                },
            ),
        ]
        for k, (src, name, prm) in enumerate(_reads0):
            prm2: Rec = prm
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    drift,
                    t + timedelta(seconds=k * 2 + rng.random()),
                    src,
                    name,
                    prm2,
                    None,
                    read_only=True,
                )
            )
        t += timedelta(hours=2)
    # on-call after the page
    oc = sso_principal(
        ids,
        acct,
        region,
        "Developer",
        "amara.bello@stridewell.app",
        ids.ip(),
        CONSOLE_UA,
        now - timedelta(minutes=10),
    )
    oc.identity["sessionCredentialFromConsole"] = "true"
    _reads1: list[tuple[str, str, Rec]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["workout-ingest-errors"]}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        ("lambda.amazonaws.com", "ListEventSourceMappings", {"functionName": fn}),
    ]
    for k, (src, name, prm) in enumerate(_reads1):
        prm3: Rec = prm
        at = a_err.transitions[-1][0] + timedelta(minutes=3 + 2 * k, seconds=rng.randint(0, 50))
        if at < now:
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    oc,
                    at,
                    src,
                    name,
                    prm3,
                    None,
                    read_only=True,
                    version="1.08" if src.startswith("lambda") else "1.09",
                )
            )

    # --- resources -------------------------------------------------------------------------------
    created = start - timedelta(days=700)
    gsi_created = start - timedelta(days=rng.randint(4, 5), hours=rng.randint(1, 6))
    last = sim[now.replace(second=0, microsecond=0)]
    items = rng.randint(38_000_000, 52_000_000)
    resources: list[Rec] = []
    tarn = f"arn:aws:dynamodb:{region}:{acct}:table/{table}"
    resources.append(
        res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [
                    {"AttributeName": "workout_id", "AttributeType": "S"},
                    {"AttributeName": "user_id", "AttributeType": "S"},
                    {"AttributeName": "started_at", "AttributeType": "S"},
                    {"AttributeName": "club_day", "AttributeType": "S"},
                    {"AttributeName": "club_sort", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [{"AttributeName": "workout_id", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": iso(
                        max(w for w, k, _ in scale_events if k == "table" and w <= now)
                    ),
                    "NumberOfDecreasesToday": 1,
                    "ReadCapacityUnits": 600,
                    "WriteCapacityUnits": int(last["table_p"]),
                },
                "TableSizeBytes": items * rng.randint(2300, 2600),
                "ItemCount": items,
                "TableArn": tarn,
                "TableId": ids.uuid(),
                "BillingModeSummary": {"BillingMode": "PROVISIONED"},
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": GSI_SCALED,
                        "KeySchema": [
                            {"AttributeName": "user_id", "KeyType": "HASH"},
                            {"AttributeName": "started_at", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 100,
                            "WriteCapacityUnits": int(last["user_p"]),
                        },
                        "IndexSizeBytes": items * 96,
                        "ItemCount": items,
                        "IndexArn": f"{tarn}/index/{GSI_SCALED}",
                    },
                    {
                        "IndexName": GSI_FIXED,
                        "KeySchema": [
                            {"AttributeName": "club_day", "KeyType": "HASH"},
                            {"AttributeName": "club_sort", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "LastIncreaseDateTime": iso(gsi_created + timedelta(minutes=41)),
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 50,
                            "WriteCapacityUnits": gsi_cap,
                        },
                        "IndexSizeBytes": int(items * 0.55 * 2450),
                        "ItemCount": int(items * 0.55),
                        "IndexArn": f"{tarn}/index/{GSI_FIXED}",
                    },
                ],
                "StreamSpecification": {"StreamEnabled": False},
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{acct}:key/{ids.uuid()}",
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        )
    )
    role_arn = f"arn:aws:iam::{acct}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for rid, dim, lo, hi in [
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 400, 4000),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 600, 600),
        (f"table/{table}/index/{GSI_SCALED}", "dynamodb:index:WriteCapacityUnits", 100, 2000),
    ]:
        resources.append(
            res(
                "application-autoscaling",
                "ScalableTarget",
                {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "MinCapacity": lo,
                    "MaxCapacity": hi,
                    "RoleARN": role_arn,
                    "CreationTime": iso(created + timedelta(days=3)),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{acct}:scalable-target/{ids.hexs(32)}",
                },
            )
        )
        if "Write" in dim:
            pname = f"DynamoDBWriteCapacityUtilization:{rid}"
            resources.append(
                res(
                    "application-autoscaling",
                    "ScalingPolicy",
                    {
                        "PolicyARN": f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{ids.uuid()}:resource/dynamodb/{rid}:policyName/{pname}",
                        "PolicyName": pname,
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": rid,
                        "ScalableDimension": dim,
                        "PolicyType": "TargetTrackingScaling",
                        "TargetTrackingScalingPolicyConfiguration": {
                            "TargetValue": 70.0,
                            "PredefinedMetricSpecification": {
                                "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                            },
                        },
                        "Alarms": [
                            {
                                "AlarmName": f"TargetTracking-{rid}-AlarmHigh-{ids.uuid()}",
                                "AlarmARN": f"arn:aws:cloudwatch:{region}:{acct}:alarm:TargetTracking-{rid}-AlarmHigh-{ids.uuid()}",
                            }
                        ],
                        "CreationTime": iso(created + timedelta(days=3)),
                    },
                )
            )
    for qn, attrs in [
        (
            queue,
            {
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:{region}:{acct}:{dlq}", "maxReceiveCount": 5}
                ),
            },
        ),
        (
            dlq,
            {
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "ReceiveMessageWaitTimeSeconds": "0",
            },
        ),
    ]:
        a = {
            "QueueArn": f"arn:aws:sqs:{region}:{acct}:{qn}",
            "ApproximateNumberOfMessages": str(
                round(last["backlog"] * 0.35) if qn == queue else round(last["dlq"])
            ),
            "ApproximateNumberOfMessagesNotVisible": str(round(last["backlog"] * 0.65) if qn == queue else 0),
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(
                int((dlq_t if qn == dlq else created + timedelta(days=90)).timestamp())
            ),
            "MaximumMessageSize": "262144",
            "DelaySeconds": "0",
            "SqsManagedSseEnabled": "true",
        }
        a.update(attrs)
        resources.append(
            res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{qn}",
                    "Attributes": a,
                    "Tags": {"service": "workouts"},
                },
            )
        )
    resources.append(
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/workout-ingest-lambda",
                "Handler": "index.handler",
                "CodeSize": rng.randint(200000, 900000),
                "Description": "Saves uploaded workouts from workout-uploads into DynamoDB",
                "Timeout": 30,
                "MemorySize": 512,
                "LastModified": (gsi_created + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.b64(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": {"TABLE_NAME": table, "NODE_OPTIONS": "--enable-source-maps"}},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": group},
            },
        )
    )
    resources.append(
        res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": ids.uuid(),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": f"arn:aws:sqs:{region}:{acct}:{queue}",
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                "LastModified": iso(created + timedelta(days=90)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": [],
                "ScalingConfig": {"MaximumConcurrency": 50},
            },
        )
    )
    resources.append(
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": lb,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{lb}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{lb}",
                "Handler": "index.handler",
                "CodeSize": rng.randint(100000, 400000),
                "Description": "Rebuilds weekly club challenge leaderboards from the by_club_day index",
                "Timeout": 300,
                "MemorySize": 1024,
                "LastModified": (env_t + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.b64(43) + "=",
                "Version": "$LATEST",
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    )
    api_id = ids.hexs(10)
    resources.append(
        res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": api,
                "createdDate": iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
            },
        )
    )
    resources.append(
        res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "stageName": "prod",
                "deploymentId": ids.hexs(6),
                "tracingEnabled": False,
                "createdDate": iso(created),
                "lastUpdatedDate": iso(start - timedelta(days=6)),
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "throttlingBurstLimit": 5000,
                        "throttlingRateLimit": 10000.0,
                    }
                },
            },
        )
    )
    resources.append(log_group(acct, region, group, created, 30, rng.randint(10**8, 10**9)))

    lo_s, hi_s = iso(start), iso(now)
    activities.sort(key=lambda a: a["StartTime"])
    events = [
        {"source": "application_autoscaling", "item": a} for a in activities if a["StartTime"] <= iso_ms(now)
    ]
    steady = start - timedelta(
        days=6, hours=rng.randint(1, 9), minutes=rng.randint(0, 59), seconds=rng.randint(1, 59)
    )
    records = sort_records(
        {
            "metrics": [m for m in metrics if lo_s <= m["timestamp"] <= hi_s],
            "alarms": [a.item(steady + timedelta(hours=13 * i, minutes=7 * i)) for i, a in enumerate(alarms)],
            "alarm_history": [h for a in alarms for h in a.history],
            "logs": [lg for lg in logs if lg["timestamp"] <= int(now.timestamp() * 1000)],
            "cloudtrail": [r for r in ct_recs if lo_s <= r["eventTime"] <= hi_s],
            "resources": resources,
            "events": events,
        }
    )
    alarm_event = a_err.event(ids)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"{table}/{GSI_FIXED}",
                    "category": "limit",
                    "failure_mode": "gsi-provisioned-write-capacity-exhausted",
                    "event_id": None,
                },
                "also_accept": [GSI_FIXED, f"{tarn}/index/{GSI_FIXED}"],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"GSI {GSI_FIXED} on {table} has a fixed 150 WCU and no scalable target; the Sunday-morning write volume exceeds it once its burst is spent.",
                    f"DynamoDB throttles PutItem on {table} because of the under-provisioned index, although the table itself autoscaled with headroom.",
                    f"{fn} batches fail after SDK retries and go back to {queue}; some reach {dlq}.",
                    "Workout uploads stay 'syncing' in the app and the workout-ingest-errors alarm fires.",
                ],
            },
        }
    )
    return Bundle(manifest, records)
