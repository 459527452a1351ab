"""Stampwise loyalty: stamp awards failing since late afternoon; card balances still load."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zza as k

NAME = "stampwise-stamp-awards-failing"
TITLE = "Cafés say loyalty stamps aren't being added since late afternoon; card balances still load"
SUMMARY = (
    "A merchant's bulk member import saturates the by-phone GSI of stampwise-members, whose write "
    "auto scaling is capped at 200 WCU; GSI back-pressure throttles all table writes, failing stamp awards."
)

LDN = ZoneInfo("Europe/London")
EXC = (
    "ProvisionedThroughputExceededException: The level of configured provisioned throughput for one or more "
    "global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API"
)

STACK = (
    "\n    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)"
    "\n    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:876:5"
    "\n    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2298:14)"
    "\n    at async /var/task/index.js:1:48211 {"
    "\n  '$fault': 'client',"
    "\n  '$metadata': { httpStatusCode: 400, attempts: 3, totalRetryDelay: DELAY }\n}"
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.rand_account(rng)
    region = "eu-west-2"
    day = k.pick_day(rng)
    local = datetime(day.year, day.month, day.day, 16, rng.randrange(0, 40), tzinfo=LDN)
    onset = local.astimezone(k.UTC).replace(second=0)
    import_start = onset - timedelta(minutes=rng.randint(2, 4))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 30))
    now = onset + timedelta(minutes=rng.randint(45, 60))
    end = now + timedelta(minutes=10)
    pts = [t for t, _ in k.grid(start, now + timedelta(minutes=1), start) if t <= now]
    utc_off = (local.utcoffset() or timedelta()).total_seconds() / 3600

    table = "stampwise-members"
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    gsi_phone, gsi_email = "by-phone", "by-email"
    phone_max = 200
    rows = rng.randint(1_600_000, 2_300_000)
    merchant = rng.choice(["m_7Hq2Lbrewhouse", "m_3kPcornerbakes", "m_9TxRoastandco", "m_5GfBeanline"])
    api_id = k.hexid(rng, 10)
    api_name, stage = "stampwise-public-api", "prod"
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/stampwise-member-upserts"
    dlq_url = f"https://sqs.{region}.amazonaws.com/{account}/stampwise-member-upserts-dlq"
    fn_writer, fn_split, fn_stamps, fn_card = (
        "stampwise-member-writer",
        "stampwise-import-splitter",
        "stampwise-api-stamps",
        "stampwise-api-card",
    )
    topic = f"arn:aws:sns:{region}:{account}:stampwise-oncall"

    # --- simulation ------------------------------------------------------------------------------
    prov = {"table": 300.0, gsi_email: 100.0, gsi_phone: 50.0}
    maxs = {"table": 4000.0, gsi_email: 4000.0, gsi_phone: float(phone_max)}
    hist: dict[str, list[float]] = {x: [] for x in prov}
    pending: list[tuple[datetime, str, float, float]] = []
    activities: list[dict[str, Any]] = []
    metrics: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    backlog = 0.0
    imported = 0.0
    api5_series: list[tuple[datetime, float]] = []
    sim: list[tuple[datetime, float, float, float]] = []
    for t in pts:
        shape = k.diurnal(t, utc_off, low=0.1, peak_hour=12.5)
        stamps = 26 * shape * (1 + rng.gauss(0, 0.06))
        cards = 58 * shape * (1 + rng.gauss(0, 0.06))
        profile_writes = 3 * shape
        importing = t >= import_start and imported < rows
        if importing:
            backlog_new = (
                min(rows - imported - backlog, 2400.0 * 60)
                if t < import_start + timedelta(minutes=12)
                else 0.0
            )
            backlog += max(0.0, backlog_new)
        demand_imp = min(backlog / 60, 950 * rng.uniform(0.93, 1.03)) if importing else 0.0
        demand = demand_imp + stamps + profile_writes
        cap = min(prov.values())
        accepted = min(demand, cap * rng.uniform(0.985, 1.0)) if demand > cap else demand
        frac = accepted / demand if demand else 1.0
        imp_ok = demand_imp * frac
        backlog = max(0.0, backlog - imp_ok * 60)
        imported += imp_ok * 60
        stamp_ok_share = 1 - (1 - frac) ** 3
        sim.append((t, frac, stamps, stamp_ok_share))
        # consumed and throttles
        for key in prov:
            consumed = accepted * (0.96 if key == gsi_phone else 0.99 if key == gsi_email else 1.0)
            hist[key].append(consumed)
            dims = (
                {"TableName": table}
                if key == "table"
                else {"TableName": table, "GlobalSecondaryIndexName": key}
            )
            metrics.append(
                k.datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, t, "Count", consumed * 60)
            )
            metrics.append(
                k.datum("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims, t, "Count", prov[key])
            )
            metrics.append(
                k.datum(
                    "AWS/DynamoDB",
                    "ConsumedReadCapacityUnits",
                    dims,
                    t,
                    "Count",
                    (cards * 1.5 if key == "table" else cards * 0.2 if key == gsi_phone else cards * 0.05)
                    * 60,
                )
            )
            metrics.append(
                k.datum(
                    "AWS/DynamoDB",
                    "ProvisionedReadCapacityUnits",
                    dims,
                    t,
                    "Count",
                    200.0 if key == "table" else 60.0,
                )
            )
            if key != "table" and demand > prov[key] * 1.001:
                metrics.append(
                    k.datum(
                        "AWS/DynamoDB",
                        "WriteThrottleEvents",
                        dims,
                        t,
                        "Count",
                        round((demand - accepted) * 60 * 0.45),
                    )
                )
        if demand > accepted * 1.001:
            thr = (demand - accepted) * 60
            metrics.append(
                k.datum(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": table, "Operation": "BatchWriteItem"},
                    t,
                    "Count",
                    round(thr * (demand_imp / demand) / 8),
                )
            )
            metrics.append(
                k.datum(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    {"TableName": table, "Operation": "UpdateItem"},
                    t,
                    "Count",
                    round(thr * (stamps / demand) * 2.2),
                )
            )
        for op, n_ops, lat in (
            ("GetItem", cards * 60, 3.1),
            ("Query", cards * 12, 4.6),
            ("UpdateItem", stamps * 60, 5.2),
            ("BatchWriteItem", max(1.0, demand_imp * 60 / 25), 9.5),
        ):
            if op == "BatchWriteItem" and demand_imp == 0:
                continue
            metrics.append(
                k.stat_datum(
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    {"TableName": table, "Operation": op},
                    t,
                    "Milliseconds",
                    n_ops,
                    lat * rng.uniform(0.9, 1.1),
                    lat * 0.4,
                    lat * rng.uniform(3, 9),
                )
            )
        # auto scaling (target tracking 70%, scale out after 2 minutes above)
        for key in prov:
            h = hist[key][-2:]
            if (
                len(h) == 2
                and all(c > 0.7 * prov[key] for c in h)
                and prov[key] < maxs[key]
                and not any(p[1] == key for p in pending)
            ):
                want = min(maxs[key], max(h) * 60 / 0.7 / 60 * 1.0 + 0.0)
                want = min(maxs[key], max(want, prov[key] * 1.4))
                pending.append((t + timedelta(seconds=rng.randint(70, 110)), key, prov[key], round(want)))
        still = []
        for at, key, old, new in pending:
            if at <= t + timedelta(seconds=60):
                prov[key] = new
                rid = f"table/{table}" if key == "table" else f"table/{table}/index/{key}"
                dim = (
                    "dynamodb:table:WriteCapacityUnits"
                    if key == "table"
                    else "dynamodb:index:WriteCapacityUnits"
                )
                aname = f"TargetTracking-{rid}-AlarmHigh-{k.uuid(random.Random(rid + account))}"
                activities.append(
                    {
                        "ActivityId": k.uuid(rng),
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": rid,
                        "ScalableDimension": dim,
                        "Description": f"Setting write capacity units to {int(new)}.",
                        "Cause": f"monitor alarm {aname} in state ALARM triggered policy {'DynamoDBWriteCapacityUtilization:' + rid}",
                        "StartTime": k.iso_ms(at - timedelta(seconds=40)),
                        "EndTime": k.iso_ms(at + timedelta(seconds=rng.randint(20, 70))),
                        "StatusCode": "Successful",
                        "StatusMessage": f"Successfully set write capacity units to {int(new)}. Change successfully fulfilled by dynamodb.",
                    }
                )
            else:
                still.append((at, key, old, new))
        pending = still
        api5 = stamps * 60 * (1 - stamp_ok_share) * 0.98
        api5_series.append((t, api5))

    assert prov[gsi_phone] == phone_max

    # --- app-level metrics -----------------------------------------------------------------------
    ag = {"ApiName": api_name, "Stage": stage}
    q_age = 0.0
    dlq = 0.0
    dlq_series: list[tuple[datetime, float]] = []
    for (t, frac, stamps, _ok), (_, api5) in zip(sim, api5_series, strict=True):
        shape = k.diurnal(t, utc_off, low=0.1, peak_hour=12.5)
        cards = 58 * shape
        total = (stamps + cards + 4 * shape) * 60
        metrics.append(k.datum("AWS/ApiGateway", "Count", ag, t, "Count", round(total)))
        metrics.append(k.datum("AWS/ApiGateway", "5XXError", ag, t, "Count", float(round(api5))))
        metrics.append(
            k.datum(
                "AWS/ApiGateway", "4XXError", ag, t, "Count", float(round(total * rng.uniform(0.006, 0.012)))
            )
        )
        lat = 48 + (1 - frac) * 310
        metrics.append(
            k.stat_datum(
                "AWS/ApiGateway",
                "Latency",
                ag,
                t,
                "Milliseconds",
                total,
                lat * rng.uniform(0.95, 1.05),
                11,
                900 + 2500 * (1 - frac),
            )
        )
        metrics.append(
            k.stat_datum(
                "AWS/ApiGateway",
                "IntegrationLatency",
                ag,
                t,
                "Milliseconds",
                total,
                (lat - 9) * rng.uniform(0.95, 1.05),
                6,
                880 + 2500 * (1 - frac),
            )
        )
        for fn, inv, err, dur in (
            (fn_stamps, stamps * 60, api5, 41 + (1 - frac) * 700),
            (fn_card, cards * 60, 0.0, 23.0),
        ):
            fd = {"FunctionName": fn}
            metrics.append(k.datum("AWS/Lambda", "Invocations", fd, t, "Count", round(inv)))
            metrics.append(k.datum("AWS/Lambda", "Errors", fd, t, "Count", float(round(err))))
            metrics.append(
                k.stat_datum(
                    "AWS/Lambda",
                    "Duration",
                    fd,
                    t,
                    "Milliseconds",
                    inv,
                    dur * rng.uniform(0.9, 1.1),
                    3.2,
                    dur * 4 + 200,
                )
            )
            metrics.append(
                k.datum(
                    "AWS/Lambda",
                    "ConcurrentExecutions",
                    fd,
                    t,
                    "Count",
                    max(1.0, round(inv / 60 * dur / 1000 * 1.3)),
                )
            )
        importing = t >= import_start
        wd = {"FunctionName": fn_writer}
        if importing:
            inv = 50 * 60 / (0.4 + 2.6 * (1 - frac))
            errs = inv * min(0.97, (1 - frac) * 1.05)
            metrics.append(k.datum("AWS/Lambda", "Invocations", wd, t, "Count", round(inv)))
            metrics.append(k.datum("AWS/Lambda", "Errors", wd, t, "Count", float(round(errs))))
            metrics.append(
                k.stat_datum(
                    "AWS/Lambda", "Duration", wd, t, "Milliseconds", inv, 400 + 2600 * (1 - frac), 120, 4100
                )
            )
            metrics.append(k.datum("AWS/Lambda", "ConcurrentExecutions", wd, t, "Count", 50.0))
            q_age = q_age + 60 * (1 - frac) * 0.97 + rng.uniform(0, 4)
            dlq += errs * 0.012 if t > import_start + timedelta(minutes=15) else 0.0
        qd = {"QueueName": "stampwise-member-upserts"}
        sent = (
            rows / 10 / 12 if import_start <= t < import_start + timedelta(minutes=12) else 0.0
        ) + rng.randint(2, 9)
        visible = (
            max(0.0, rows / 10 * min(1.0, (t - import_start).total_seconds() / 720)) * 0.92
            if importing
            else rng.randint(0, 3)
        )
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", round(sent)))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", round(visible))
        )
        metrics.append(
            k.datum(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                qd,
                t,
                "Seconds",
                round(q_age) if importing else rng.randint(0, 2),
            )
        )
        metrics.append(
            k.datum(
                "AWS/SQS",
                "NumberOfMessagesDeleted",
                qd,
                t,
                "Count",
                round(sent if not importing else 50 * 60 / (0.4 + 2.6 * (1 - frac)) * frac),
            )
        )
        dd = {"QueueName": "stampwise-member-upserts-dlq"}
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", round(dlq)))
        dlq_series.append((t, float(round(dlq))))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", dd, t, "Seconds", 0.0 if dlq < 1 else 60.0)
        )
        if t.minute % 5 == 0:
            sd = {"FunctionName": fn_split}
            if import_start <= t < import_start + timedelta(minutes=12):
                metrics.append(k.datum("AWS/Lambda", "Invocations", sd, t, "Count", 1.0))
                metrics.append(
                    k.stat_datum(
                        "AWS/Lambda", "Duration", sd, t, "Milliseconds", 1, 712000.0, 712000.0, 712000.0
                    )
                )

    # --- alarms ----------------------------------------------------------------------------------
    a5 = k.Alarm(
        account,
        region,
        "stampwise-public-api-5xx",
        "Public API 5xx above 25/min for 3 minutes",
        "AWS/ApiGateway",
        "5XXError",
        ag,
        "Sum",
        60,
        3,
        3,
        25.0,
        "GreaterThanThreshold",
        [topic],
        treat_missing="notBreaching",
        created=day - timedelta(days=200),
    )
    a5.evaluate(api5_series, now)
    alarms = [a5.item()]
    history = list(a5.history)
    last_scale: dict[str, datetime] = {}
    for act in activities:
        key_of = act["ResourceId"].rsplit("/", 1)[-1]
        last_scale["table" if key_of == table else key_of] = datetime.fromisoformat(
            act["EndTime"].replace("Z", "+00:00")
        )
    for key in (gsi_phone, gsi_email, "table"):
        rid = f"table/{table}" if key == "table" else f"table/{table}/index/{key}"
        dims = (
            {"TableName": table} if key == "table" else {"TableName": table, "GlobalSecondaryIndexName": key}
        )
        policy_arn = f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uuid(random.Random(rid))}:resource/dynamodb/{rid}:policyName/DynamoDBWriteCapacityUtilization:{rid}"
        hi = k.Alarm(
            account,
            region,
            f"TargetTracking-{rid}-AlarmHigh-{k.uuid(random.Random(rid + account))}",
            f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            dims,
            "Sum",
            60,
            2,
            2,
            round(prov[key] * 0.7 * 60, 1),
            "GreaterThanThreshold",
            [policy_arn],
            created=last_scale.get(key, day - timedelta(days=90)),
        )
        series = [(t, c * 60) for t, c in zip(pts, hist[key], strict=True)][-30:]
        hi.evaluate(series, now)
        alarms.append(hi.item())
        lo = k.Alarm(
            account,
            region,
            f"TargetTracking-{rid}-AlarmLow-{k.uuid(random.Random(rid + account + 'low'))}",
            f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            dims,
            "Sum",
            60,
            15,
            15,
            round(prov[key] * 0.5 * 60, 1) if key != "table" else 8400.0,
            "LessThanThreshold",
            [policy_arn],
            created=last_scale.get(key, day - timedelta(days=90)),
        )
        lo.evaluate(series, now)
        alarms.append(lo.item())
    for name, desc, ns, metric, dims, th in (
        (
            "stampwise-member-upserts-dlq-depth",
            "Member upsert messages dead-lettered",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "stampwise-member-upserts-dlq"},
            0.0,
        ),
        (
            "stampwise-api-card-errors",
            "Card lookup Lambda errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_card},
            5.0,
        ),
    ):
        qa = k.Alarm(
            account,
            region,
            name,
            desc,
            ns,
            metric,
            dims,
            "Maximum" if ns == "AWS/SQS" else "Sum",
            300,
            1,
            1,
            th,
            "GreaterThanThreshold",
            [topic],
            created=day - timedelta(days=150),
        )
        if ns == "AWS/SQS":
            qa.evaluate(k.per_period(dlq_series, 300, max), now)
        else:
            qa.evaluate([], now)
        alarms.append(qa.item())
        history += qa.history

    # --- CloudTrail ------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    dom = "@stampwise.co.uk"
    people = rng.sample(["hannah.price", "olu.adeyemi", "callum.ferguson", "megan.lloyd", "raj.mistry"], 3)
    dev = tr.sso(people[0] + dom, "Engineer", k.hexid(rng, 16))
    ops = tr.sso(people[1] + dom, "PlatformAdmin", k.hexid(rng, 16))
    sup = tr.sso(people[2] + dom, "SupportReadOnly", k.hexid(rng, 16))
    ci = tr.role("stampwise-gha-deploy", "GitHubActions-" + str(rng.randint(10**9, 10**10)))
    aas = tr.role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-" + k.hexid(rng, 6),
        invoked_by="dynamodb.application-autoscaling.amazonaws.com",
    )
    ddb = "dynamodb.amazonaws.com"
    for act in activities:
        st = datetime.fromisoformat(act["StartTime"].replace("Z", "+00:00")) + timedelta(seconds=2)
        key = act["ResourceId"].rsplit("/", 1)[-1]
        new = int(act["Description"].split()[-1].rstrip("."))
        upd: dict[str, Any]
        if key == table:
            upd = {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 200, "writeCapacityUnits": new},
            }
        else:
            upd = {
                "tableName": table,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": key,
                            "provisionedThroughput": {"readCapacityUnits": 60, "writeCapacityUnits": new},
                        }
                    }
                ],
            }
        tr.add(
            st - timedelta(seconds=1), aas, ddb, "DescribeTable", {"tableName": table}, None, read_only=True
        )
        tr.add(
            st,
            aas,
            ddb,
            "UpdateTable",
            upd,
            {"tableDescription": {"tableName": table, "tableStatus": "UPDATING", "tableArn": table_arn}},
            read_only=False,
        )
    # innocent changes near onset
    deploy_t = onset - timedelta(minutes=rng.randint(12, 19))
    ver = rng.randint(80, 140)
    tr.add(
        deploy_t,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn_stamps,
            "s3Bucket": f"stampwise-artifacts-{account}",
            "s3Key": f"api-stamps/{k.hexid(rng, 40)}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": fn_stamps,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{fn_stamps}:{ver}",
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeSize": rng.randint(380000, 420000),
            "timeout": 10,
            "memorySize": 512,
            "version": str(ver),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    tr.add(
        deploy_t + timedelta(seconds=21),
        ci,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": fn_stamps, "name": "live", "functionVersion": str(ver)},
        {
            "aliasArn": f"arn:aws:lambda:{region}:{account}:function:{fn_stamps}:live",
            "name": "live",
            "functionVersion": str(ver),
            "revisionId": k.uuid(rng),
        },
        read_only=False,
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    reg_t = onset - timedelta(minutes=rng.randint(4, 9))
    tr.add(
        reg_t,
        ops,
        "application-autoscaling.amazonaws.com",
        "RegisterScalableTarget",
        {
            "serviceNamespace": "dynamodb",
            "resourceId": "table/stampwise-merchants",
            "scalableDimension": "dynamodb:table:ReadCapacityUnits",
            "minCapacity": 25,
            "maxCapacity": 400,
        },
        {
            "scalableTargetARN": f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/{k.hexid(rng, 36)}"
        },
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        reg_t - timedelta(minutes=2),
        ops,
        ddb,
        "DescribeTable",
        {"tableName": "stampwise-merchants"},
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
    )
    # routine
    t = start + timedelta(minutes=rng.randint(3, 12))
    while t < now:
        who = rng.choice([dev, sup, ops])
        src, nm, rq = rng.choice(
            [
                (ddb, "DescribeTable", {"tableName": table}),
                (
                    "logs.amazonaws.com",
                    "FilterLogEvents",
                    {"logGroupName": f"/aws/lambda/{fn_card}", "startTime": k.ms(t) - 3600000},
                ),
                ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_stamps}),
                ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
                ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
                (
                    "cloudwatch.amazonaws.com".replace("cloudwatch", "monitoring"),
                    "DescribeAlarms",
                    {"alarmNamePrefix": "stampwise"},
                ),
            ]
        )
        tr.add(t, who, src, nm, rq, None, read_only=True, agent=k.CONSOLE_UA)
        t += timedelta(minutes=rng.randint(9, 24))
    t = start + timedelta(minutes=rng.randint(20, 50))
    while t < now:
        tr.add(t, aas, ddb, "DescribeTable", {"tableName": table}, None, read_only=True)
        t += timedelta(minutes=rng.randint(30, 50))
    tr.add(
        start + timedelta(minutes=rng.randint(60, 100)),
        dev,
        "s3.amazonaws.com",
        "PutBucketCors",
        {
            "bucketName": "stampwise-merchant-assets",
            "Host": "stampwise-merchant-assets.s3.eu-west-2.amazonaws.com",
            "cors": "",
        },
        None,
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    after = a5.transitions[0][0] if a5.transitions else onset + timedelta(minutes=8)
    for j, (src, nm, rq) in enumerate(
        [
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_stamps}),
            (
                "logs.amazonaws.com",
                "FilterLogEvents",
                {
                    "logGroupName": f"/aws/lambda/{fn_stamps}",
                    "startTime": k.ms(onset) - 1800000,
                    "filterPattern": "ERROR",
                },
            ),
            ("lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": fn_stamps}),
        ]
    ):
        tr.add(
            after + timedelta(minutes=6 + 2 * j), dev, src, nm, rq, None, read_only=True, agent=k.CONSOLE_UA
        )

    # --- logs ------------------------------------------------------------------------------------
    def lam(
        fn: str,
        stream: str,
        ts: datetime,
        rid: str,
        lines: list[str],
        dur: float,
        mem: int,
        init: float | None = None,
    ) -> None:
        g = f"/aws/lambda/{fn}"
        logs.append(k.log(g, stream, ts, f"START RequestId: {rid} Version: $LATEST"))
        for i, line in enumerate(lines):
            logs.append(k.log(g, stream, ts + timedelta(milliseconds=2 + i * dur / max(1, len(lines))), line))
        end_t = ts + timedelta(milliseconds=dur + 1)
        logs.append(k.log(g, stream, end_t, f"END RequestId: {rid}"))
        rep = f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {rng.randint(92, 140)} MB"
        if init:
            rep += f"\tInit Duration: {init:.2f} ms"
        logs.append(k.log(g, stream, end_t, rep + "\t"))

    streams = {
        fn: f"{pts[0]:%Y/%m/%d}/[$LATEST]{k.hexid(rng, 32)}"
        for fn in (fn_stamps, fn_card, fn_writer, fn_split)
    }
    new_stream = f"{pts[0]:%Y/%m/%d}/[{ver}]{k.hexid(rng, 32)}"
    for t, frac, stamps, ok_share in sim:
        for _ in range(2 if stamps > 10 else 1):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uuid(rng)
            stream = new_stream if ts >= deploy_t + timedelta(seconds=30) else streams[fn_stamps]
            card = f"c_{k.hexid(rng, 12)}"
            if rng.random() < ok_share:
                dur = rng.uniform(25, 70) + (1 - frac) * rng.uniform(100, 900)
                lam(
                    fn_stamps,
                    stream,
                    ts,
                    rid,
                    [
                        f"{k.iso_ms(ts)}\t{rid}\tINFO\t"
                        + json.dumps(
                            {
                                "msg": "stamp awarded",
                                "card": card,
                                "merchant": rng.choice(["m_2Lsmallbatch", "m_8Qthegrind", "m_4Rkiln"]),
                                "stamps": rng.randint(1, 9),
                            }
                        )
                    ],
                    dur,
                    512,
                )
            else:
                dur = rng.uniform(600, 1900)
                lam(
                    fn_stamps,
                    stream,
                    ts,
                    rid,
                    [
                        f"{k.iso_ms(ts)}\t{rid}\tERROR\tstamp award failed card={card} {EXC}"
                        + STACK.replace("DELAY", str(rng.randint(180, 420)))
                    ],
                    dur,
                    512,
                )
        if rng.random() < 0.6:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uuid(rng)
            lam(
                fn_card,
                streams[fn_card],
                ts,
                rid,
                [
                    f"{k.iso_ms(ts)}\t{rid}\tINFO\t"
                    + json.dumps(
                        {
                            "msg": "card fetched",
                            "card": f"c_{k.hexid(rng, 12)}",
                            "cache": rng.choice(["hit", "miss"]),
                        }
                    )
                ],
                rng.uniform(8, 40),
                256,
            )
        if rng.random() < 0.01:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uuid(rng)
            lam(
                fn_card,
                streams[fn_card],
                ts,
                rid,
                [
                    f"{k.iso_ms(ts)}\t{rid}\tWARN\tmerchant logo missing, falling back to default merchant=m_{k.hexid(rng, 6)}"
                ],
                rng.uniform(8, 40),
                256,
            )
        if t >= import_start:
            for _ in range(2):
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                rid = k.uuid(rng)
                failed = rng.random() > frac
                line = (
                    f"{k.iso_ms(ts)}\t{rid}\tERROR\tbatch failed merchant={merchant} items=10 {EXC}"
                    if failed
                    else f"{k.iso_ms(ts)}\t{rid}\tINFO\t"
                    + json.dumps({"msg": "upserted", "merchant": merchant, "items": 10})
                )
                lam(
                    fn_writer,
                    streams[fn_writer],
                    ts,
                    rid,
                    [line],
                    rng.uniform(2400, 3100) if failed else rng.uniform(300, 600),
                    256,
                )
    rid = k.uuid(rng)
    lam(
        fn_split,
        streams[fn_split],
        import_start - timedelta(seconds=20),
        rid,
        [
            f"{k.iso_ms(import_start - timedelta(seconds=19))}\t{rid}\tINFO\t"
            + json.dumps(
                {
                    "msg": "import received",
                    "merchant": merchant,
                    "bucket": "stampwise-merchant-imports",
                    "key": f"{merchant}/members-{day:%Y%m%d}.csv",
                    "bytes": rows * 96,
                }
            ),
            f"{k.iso_ms(import_start + timedelta(minutes=11))}\t{rid}\tINFO\t"
            + json.dumps({"msg": "import split", "merchant": merchant, "rows": rows, "messages": rows // 10}),
        ],
        712000.0,
        1024,
        init=412.0,
    )

    # --- resources -------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(400, 800))

    def gsi(name: str, attr: str, w: float) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "IndexStatus": "ACTIVE",
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 60,
                "WriteCapacityUnits": int(w),
                "NumberOfDecreasesToday": 0,
                "LastIncreaseDateTime": k.iso(now - timedelta(minutes=30)),
            },
            "IndexSizeBytes": rng.randint(2 * 10**9, 4 * 10**9),
            "ItemCount": rng.randint(9_000_000, 14_000_000),
            "IndexArn": f"{table_arn}/index/{name}",
        }

    resources: list[dict[str, Any]] = [
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [
                    {"AttributeName": "memberId", "AttributeType": "S"},
                    {"AttributeName": "merchantPhone", "AttributeType": "S"},
                    {"AttributeName": "merchantEmail", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [{"AttributeName": "memberId", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": 200,
                    "WriteCapacityUnits": int(prov["table"]),
                    "NumberOfDecreasesToday": 0,
                },
                "TableSizeBytes": rng.randint(4 * 10**9, 7 * 10**9),
                "ItemCount": rng.randint(9_000_000, 14_000_000),
                "TableArn": table_arn,
                "TableId": k.uuid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PROVISIONED",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "GlobalSecondaryIndexes": [
                    gsi(gsi_phone, "merchantPhone", prov[gsi_phone]),
                    gsi(gsi_email, "merchantEmail", prov[gsi_email]),
                ],
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{k.uuid(rng)}",
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        ),
    ]
    role_arn = f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for rid, dim, lo_c, hi_c in (
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 300, 4000),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 200, 2000),
        (f"table/{table}/index/{gsi_email}", "dynamodb:index:WriteCapacityUnits", 100, 4000),
        (f"table/{table}/index/{gsi_phone}", "dynamodb:index:WriteCapacityUnits", 50, phone_max),
        ("table/stampwise-merchants", "dynamodb:table:ReadCapacityUnits", 25, 400),
    ):
        ct = created + timedelta(days=rng.randint(1, 30)) if "merchants" not in rid else reg_t
        resources.append(
            k.res(
                "application-autoscaling",
                "ScalableTarget",
                {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "MinCapacity": lo_c,
                    "MaxCapacity": hi_c,
                    "RoleARN": role_arn,
                    "CreationTime": k.iso(ct),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/{k.hexid(random.Random(rid + dim), 36)}",
                },
            )
        )
        if "merchants" in rid:
            continue
        pol = f"DynamoDB{'Write' if 'Write' in dim else 'Read'}CapacityUtilization:{rid}"
        resources.append(
            k.res(
                "application-autoscaling",
                "ScalingPolicy",
                {
                    "PolicyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uuid(random.Random(rid))}:resource/dynamodb/{rid}:policyName/{pol}",
                    "PolicyName": pol,
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                            if "Write" in dim
                            else "DynamoDBReadCapacityUtilization"
                        },
                    },
                    "Alarms": [],
                    "CreationTime": k.iso(ct),
                },
            )
        )
    for fn, rt, mem, to in (
        (fn_stamps, "nodejs20.x", 512, 10),
        (fn_card, "nodejs20.x", 256, 10),
        (fn_writer, "nodejs20.x", 256, 30),
        (fn_split, "python3.12", 1024, 900),
    ):
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{account}:role/{fn}-role",
                    "Handler": "index.handler" if rt.startswith("node") else "app.handler",
                    "CodeSize": rng.randint(200000, 900000),
                    "Timeout": to,
                    "MemorySize": mem,
                    "LastModified": (
                        deploy_t if fn == fn_stamps else created + timedelta(days=rng.randint(100, 300))
                    ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": k.hexid(rng, 43) + "=",
                    "Version": "$LATEST",
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": k.uuid(rng),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "Environment": {"Variables": {"TABLE_NAME": table}}
                    if fn != fn_split
                    else {"Variables": {"QUEUE_URL": q_url}},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            )
        )
    resources.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": k.uuid(rng),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": f"arn:aws:sqs:{region}:{account}:stampwise-member-upserts",
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn_writer}",
                "LastModified": k.iso(created + timedelta(days=40)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "ScalingConfig": {"MaximumConcurrency": 50},
                "FunctionResponseTypes": [],
            },
        )
    )
    for url, name, extra in (
        (
            q_url,
            "stampwise-member-upserts",
            {
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:stampwise-member-upserts-dlq",
                        "maxReceiveCount": 5,
                    }
                ),
                "VisibilityTimeout": "180",
            },
        ),
        (
            dlq_url,
            "stampwise-member-upserts-dlq",
            {"VisibilityTimeout": "30", "MessageRetentionPeriod": "1209600"},
        ),
    ):
        resources.append(
            k.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": url,
                    "Attributes": {
                        "QueueArn": f"arn:aws:sqs:{region}:{account}:{name}",
                        "CreatedTimestamp": str(int(created.timestamp())),
                        "DelaySeconds": "0",
                        "MaximumMessageSize": "262144",
                        "ReceiveMessageWaitTimeSeconds": "20",
                        "SqsManagedSseEnabled": "true",
                        **extra,
                    },
                    "Tags": {"service": "members"},
                },
            )
        )
    resources.append(
        k.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": api_name,
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": True,
                "rootResourceId": k.hexid(rng, 10),
            },
        )
    )
    resources.append(
        k.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "deploymentId": k.hexid(rng, 6),
                "stageName": stage,
                "tracingEnabled": False,
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "throttlingBurstLimit": 500,
                        "throttlingRateLimit": 300.0,
                    }
                },
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(day - timedelta(days=12)),
            },
        )
    )
    resources.append(
        k.res(
            "s3",
            "Bucket",
            {"Name": "stampwise-merchant-imports", "CreationDate": k.iso(created), "BucketRegion": region},
        )
    )
    events = [{"source": "application_autoscaling", "item": a} for a in activities]

    question = (
        f"Cafés are ringing support saying stamps aren't being added to customers' cards since about {local:%-I:%M}pm — the app says "
        "'Something went wrong, try again'. Looking up a card and its balance works fine. We did push a small change to the stamps "
        "function this afternoon. What's broken?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {
                "question": question,
                "alarm_event": a5.event(0) if a5.transitions else None,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"{table_arn}/index/{gsi_phone}",
                    "category": "limit",
                    "failure_mode": "gsi-write-capacity-at-autoscaling-max",
                    "event_id": None,
                },
                "also_accept": [table, table_arn, gsi_phone, f"table/{table}/index/{gsi_phone}"],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"Bulk member import for {merchant} floods stampwise-member-upserts and {fn_writer} writes to {table}",
                    f"GSI {gsi_phone} write capacity scales to its auto-scaling maximum of {phone_max} WCU and stays saturated",
                    f"GSI back-pressure throttles all writes to {table} (ProvisionedThroughputExceededException) though the table itself has spare WCU",
                    f"{fn_stamps} UpdateItem calls fail after retries; {api_name} returns 5xx for stamp awards",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
