"""No fault: the nightly supplier-rates import rewrites a large slice of the rates table, the DynamoDB-stream
indexer falls behind for half an hour and catches up, as it does every night. The iterator-age alarm only
pages tonight because its threshold was tightened the afternoon before."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzc import MIN, Kit, iso, iso_ms, lambda_role_assumes, lambda_ts, tooling_noise

NAME = "rates-indexer-night-iterator-age"
TITLE = "rates-search-indexer IteratorAge alarm paged in the small hours"
SUMMARY = (
    "The 01:30 supplier-rates import rewrites a large part of the rates table every night; the stream "
    "indexer lags for about half an hour and drains without errors. The alarm's threshold was lowered the "
    "previous afternoon, so last night's identical lag did not page and tonight's does."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-central-1", (20, 330))
    r = k.rng
    day = k.day  # the night of the page
    acct = k.account
    import_at = day + timedelta(hours=1, minutes=30)  # cron(30 1 * * ? *) UTC
    rows_tonight = r.randint(1_700_000, 2_300_000)
    rows_last = int(rows_tonight * r.uniform(0.9, 1.05))
    created = day - timedelta(days=r.randint(300, 800))
    table, fn_idx, fn_imp, fn_api = (
        "supplier-rates",
        "rates-search-indexer",
        "supplier-rates-import",
        "rates-api",
    )
    stream_label = (day - timedelta(days=r.randint(60, 200))).strftime(
        "%Y-%m-%dT%H:%M:%S."
    ) + f"{r.randint(0, 999):03d}"
    stream_arn = k.arn("dynamodb", f"table/{table}/stream/{stream_label}")
    threshold_old, threshold_new = 1_800_000.0, 600_000.0
    tighten_at = day - timedelta(hours=r.randint(9, 12), minutes=r.randint(0, 59))  # previous afternoon

    # lag profile for one night: import writes for ~write_min minutes, indexer drains a bit slower
    def night(base, rows):
        write_min = rows / r.uniform(170_000, 200_000)
        drain_rate = rows / (write_min + r.uniform(15, 26))  # records the indexer gets through a minute
        prof = {}
        in_rate = rows / write_min
        t = base
        while True:
            mins = (t - base).total_seconds() / 60
            incoming = in_rate if mins < write_min else 0.0
            done = min(rows, drain_rate * (mins + 1))
            # the record being read now was written when `done` records had been written
            age = max(0.0, (mins - done / in_rate)) * 60_000 + r.uniform(300, 900)
            prof[t] = (incoming, min(drain_rate, rows - min(rows, drain_rate * mins)), age)
            if done >= rows:
                break
            t += MIN
        return prof, write_min

    last_night, _ = night(import_at - timedelta(days=1) + timedelta(minutes=r.randint(0, 1)), rows_last)
    tonight, write_min = night(import_at + timedelta(minutes=r.randint(0, 1)), rows_tonight)
    crosses = sorted(t for t, (_, _, age) in tonight.items() if age > threshold_new)
    peak_end = max(tonight)
    now = max(peak_end, crosses[-1]) + timedelta(minutes=r.randint(6, 18))
    start = import_at - timedelta(days=1) - timedelta(minutes=r.randint(40, 70))
    end = now + timedelta(minutes=30)
    prof = {**last_night, **tonight}

    # ---------------- resources ----------------
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableArn": k.arn("dynamodb", f"table/{table}"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ItemCount": r.randint(28_000_000, 40_000_000),
            "TableSizeBytes": r.randint(9 * 10**9, 15 * 10**9),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "KeySchema": [
                {"AttributeName": "supplierLocation", "KeyType": "HASH"},
                {"AttributeName": "rateKey", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "supplierLocation", "AttributeType": "S"},
                {"AttributeName": "rateKey", "AttributeType": "S"},
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamLabel": stream_label,
            "LatestStreamArn": stream_arn,
            "DeletionProtectionEnabled": True,
        },
    )
    k.lambda_fn(
        fn_idx,
        runtime="java21",
        handler="com.roadsy.indexer.StreamHandler::handleRequest",
        role="rates-search-indexer-role",
        mem=1536,
        timeout=300,
        modified=day - timedelta(hours=r.randint(13, 16), minutes=r.randint(0, 59)),
        env={
            "OPENSEARCH_ENDPOINT": "https://vpc-rates-search-"
            + k.hexid(26)
            + ".eu-central-1.es.amazonaws.com",
            "INDEX_ALIAS": "rates-current",
        },
        vpc={
            "SubnetIds": [f"subnet-{k.hexid(17)}", f"subnet-{k.hexid(17)}"],
            "SecurityGroupIds": [f"sg-{k.hexid(17)}"],
            "VpcId": f"vpc-{k.hexid(17)}",
        },
        arch="x86_64",
    )
    k.lambda_fn(
        fn_imp,
        runtime="python3.12",
        handler="importer.main",
        role="supplier-rates-import-role",
        mem=3008,
        timeout=900,
        modified=created + timedelta(days=r.randint(100, 250)),
        env={"TABLE_NAME": table, "FEED_BUCKET": f"roadsy-supplier-feeds-{acct}"},
    )
    k.lambda_fn(
        fn_api,
        runtime="nodejs20.x",
        handler="dist/index.handler",
        role="rates-api-role",
        mem=1024,
        timeout=10,
        modified=day - timedelta(days=r.randint(2, 6)),
        env={"TABLE_NAME": table},
    )
    esm_uuid = k.uuid()
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 5,
            "ParallelizationFactor": 4,
            "EventSourceArn": stream_arn,
            "FunctionArn": k.arn("lambda", f"function:{fn_idx}"),
            "LastModified": iso(created + timedelta(days=200)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {"Destination": k.arn("sqs", "rates-indexer-failures")}},
            "MaximumRecordAgeInSeconds": 21600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    k.queue(
        "rates-indexer-failures",
        created + timedelta(days=200),
        {"MessageRetentionPeriod": "1209600"},
        {"team": "search"},
    )
    k.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": k.arn("scheduler", "schedule/default/supplier-rates-nightly"),
            "GroupName": "default",
            "Name": "supplier-rates-nightly",
            "ScheduleExpression": "cron(30 1 * * ? *)",
            "ScheduleExpressionTimezone": "UTC",
            "State": "ENABLED",
            "CreationDate": iso(created + timedelta(days=90)),
            "LastModificationDate": iso(created + timedelta(days=90)),
            "Target": {
                "Arn": k.arn("lambda", f"function:{fn_imp}"),
                "RoleArn": f"arn:aws:iam::{acct}:role/scheduler-invoke-rates-import",
                "Input": json.dumps({"feeds": "all", "mode": "full-refresh"}),
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 1},
            },
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 2},
            "ActionAfterCompletion": "NONE",
            "Description": "Full refresh of supplier rate cards from the overnight SFTP drops",
        },
    )
    k.res(
        "opensearch",
        "DomainStatus",
        {
            "DomainId": f"{acct}/rates-search",
            "DomainName": "rates-search",
            "ARN": k.arn("es", "domain/rates-search"),
            "Created": True,
            "Deleted": False,
            "Processing": False,
            "UpgradeProcessing": False,
            "EngineVersion": "OpenSearch_2.13",
            "ClusterConfig": {
                "InstanceType": "r6g.large.search",
                "InstanceCount": 3,
                "DedicatedMasterEnabled": True,
                "DedicatedMasterType": "m6g.large.search",
                "DedicatedMasterCount": 3,
                "ZoneAwarenessEnabled": True,
                "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                "WarmEnabled": False,
            },
        },
    )
    for g in (fn_idx, fn_imp, fn_api):
        k.log_group(f"/aws/lambda/{g}", created, 14)

    # ---------------- metrics ----------------
    dims_idx = {"FunctionName": fn_idx}
    t = start
    while t < end:
        p = prof.get(t)
        hour = t.hour + t.minute / 60
        if p:
            incoming, processed, age = p
            inv = max(8, int(processed / r.uniform(380, 470)))
        else:
            incoming = r.uniform(300, 900) * (0.3 if 0 <= hour < 6 else 1.0)  # daytime supplier pushes
            processed, age = incoming, r.uniform(250, 1100)
            inv = max(1, int(incoming / r.uniform(25, 60)))
        k.put("AWS/Lambda", "IteratorAge", dims_idx, t, "Milliseconds", age)
        k.put("AWS/Lambda", "Invocations", dims_idx, t, "Count", inv)
        k.put("AWS/Lambda", "Errors", dims_idx, t, "Count", 0)
        dur = r.uniform(9000, 14000) if p else r.uniform(700, 2200)
        k.put_stats(
            "AWS/Lambda", "Duration", dims_idx, t, "Milliseconds", inv, inv * dur, dur * 0.4, dur * 1.9
        )
        k.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            dims_idx,
            t,
            "Count",
            min(inv, r.randint(30, 36)) if p else r.randint(2, 6),
        )
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table},
            t,
            "Count",
            (incoming * 1.9) if p else incoming * 1.6,
        )
        if p and incoming:
            k.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "BatchWriteItem"},
                t,
                "Milliseconds",
                r.uniform(6, 11),
            )
        reqs = int(r.uniform(900, 1500) * (0.12 if 0 <= hour < 6 else 1.0 if 8 <= hour < 21 else 0.5))
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_api}, t, "Count", reqs)
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_api}, t, "Count", 1 if r.random() < 0.05 else 0)
        k.put_stats(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn_api},
            t,
            "Milliseconds",
            max(1, reqs),
            max(1, reqs) * r.uniform(35, 55),
            6,
            r.uniform(300, 800),
        )
        k.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": table},
            t,
            "Count",
            reqs * r.uniform(2.5, 3.5),
        )
        t += MIN
    for base, _rows in ((import_at - timedelta(days=1), rows_last), (import_at, rows_tonight)):
        dur = write_min * 60_000 * r.uniform(0.97, 1.02)
        k.put("AWS/Lambda", "Duration", {"FunctionName": fn_imp}, base, "Milliseconds", min(dur, 899_000))
        k.put("AWS/Lambda", "Errors", {"FunctionName": fn_imp}, base, "Count", 0)
        k.put("AWS/Lambda", "Invocations", {"FunctionName": fn_imp}, base, "Count", 1)

    # ---------------- logs ----------------
    s_imp_last, s_imp = k.lambda_stream(import_at - timedelta(days=1)), k.lambda_stream(import_at)
    for base, rows, st in (
        (import_at - timedelta(days=1), rows_last, s_imp_last),
        (import_at, rows_tonight, s_imp),
    ):
        if base > now:
            continue
        dur = min(write_min * 60_000 * r.uniform(0.97, 1.02), 880_000)
        suppliers = r.randint(38, 44)
        body: list[tuple[float, str]] = [
            (
                50,
                f"[INFO]\t{{ts}}\t{{rid}}\tfull-refresh start feeds={suppliers} bucket=roadsy-supplier-feeds-{acct} prefix=drops/{base:%Y/%m/%d}/\n",
            )
        ]
        for i in range(1, 5):
            body.append(
                (
                    dur * i / 5,
                    f"[INFO]\t{{ts}}\t{{rid}}\tprogress rows_written={int(rows * i / 5)} unprocessed_retries={r.randint(0, 40)}\n",
                )
            )
        body.append(
            (
                dur - 40,
                f"[INFO]\t{{ts}}\t{{rid}}\tfull-refresh done feeds={suppliers} rows_written={rows} rows_unchanged_skipped={r.randint(4_000_000, 9_000_000)} elapsed_s={dur / 1000:.0f}\n",
            )
        )
        k.lambda_invocation(
            f"/aws/lambda/{fn_imp}",
            st,
            base + timedelta(seconds=r.randint(3, 40)),
            dur,
            3008,
            r.randint(900, 1400),
            body,
            init_ms=r.uniform(600, 900),
        )
    s_idx = [k.lambda_stream(start) for _ in range(3)] + [k.lambda_stream(day - timedelta(hours=14))]
    t = start
    while t < now:
        p = prof.get(t)
        if (p and t.minute % 2 == 0) or (not p and t.minute % 12 == 0):
            st = r.choice(s_idx)
            n = 500 if p else r.randint(10, 80)
            dur = r.uniform(9000, 14000) if p else r.uniform(700, 2200)
            body = [
                (
                    dur - 30,
                    f"{{ts}} INFO  c.r.i.StreamHandler - batch records={n} upserts={int(n * 0.93)} deletes={n - int(n * 0.93)} bulk_took_ms={int(dur * 0.8)} failures=0\n",
                )
            ]
            if p and r.random() < 0.12:
                body.insert(
                    0,
                    (
                        dur * 0.5,
                        f"{{ts}} WARN  c.r.i.BulkWriter - bulk: {r.randint(2, 9)} items rejected (es_rejected_execution_exception), retrying with backoff 200ms\n",
                    ),
                )
            k.lambda_invocation(
                f"/aws/lambda/{fn_idx}",
                st,
                t + timedelta(seconds=r.randint(0, 50)),
                dur,
                1536,
                r.randint(610, 780),
                body,
            )
        t += MIN

    # ---------------- alarms ----------------
    ops = k.arn("sns", "search-oncall")
    a = k.alarm(
        f"{fn_idx}-iterator-age",
        ns="AWS/Lambda",
        metric="IteratorAge",
        dims=dims_idx,
        stat="Maximum",
        period=60,
        evals=3,
        threshold=threshold_new,
        op="GreaterThanThreshold",
        desc="Search index falling behind the rates table",
        topic=ops,
        state="OK",
        reason="",
        state_ts=start,
        updated=tighten_at,
        unit="Milliseconds",
    )
    first = crosses[2]
    pts = [(x, round(prof[x][2], 1)) for x in crosses[:3]]
    txt, data = k.reason_threshold(pts, threshold_new)
    data["statistic"] = "Maximum"
    data["unit"] = "Milliseconds"
    alarm_at = first + timedelta(seconds=r.randint(60, 90))
    k.hist(a, alarm_at, "OK", "ALARM", txt, data)
    event = k.alarm_event(
        a,
        alarm_at,
        txt,
        data,
        tighten_at + timedelta(minutes=1),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1800000.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ok_at = crosses[-1] + timedelta(minutes=1, seconds=r.randint(60, 90))
    ok_pt = crosses[-1] + MIN
    if ok_at < now:
        v = round(prof.get(ok_pt, (0, 0, 500.0))[2], 1)
        ok_txt = f"Threshold Crossed: 1 out of the last 3 datapoints [{v:g} ({ok_pt:%d/%m/%y %H:%M:%S})] was not greater than the threshold ({threshold_new:g}) (minimum 1 datapoint for ALARM -> OK transition)."
        k.hist(a, ok_at, "ALARM", "OK", ok_txt)
        a.update(
            {
                "StateValue": "OK",
                "StateReason": ok_txt,
                "StateUpdatedTimestamp": iso_ms(ok_at),
                "StateTransitionedTimestamp": iso_ms(ok_at),
            }
        )
    else:
        a.update(
            {
                "StateValue": "ALARM",
                "StateReason": txt,
                "StateReasonData": json.dumps(data, separators=(",", ":")),
                "StateUpdatedTimestamp": iso_ms(alarm_at),
                "StateTransitionedTimestamp": iso_ms(alarm_at),
            }
        )
    k.hist(
        a,
        tighten_at + timedelta(seconds=2),
        "OK",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (600000.0).",
    )
    k.history[-1].update(
        {
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{a["AlarmName"]}" updated',
            "HistoryData": json.dumps(
                {
                    "type": "Update",
                    "version": "1.0",
                    "originalConfiguration": {"threshold": threshold_old},
                    "updatedConfiguration": {"threshold": threshold_new},
                },
                separators=(",", ":"),
            ),
        }
    )
    k.alarm(
        f"{fn_idx}-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims=dims_idx,
        stat="Sum",
        period=300,
        evals=2,
        threshold=20,
        op="GreaterThanThreshold",
        desc="Indexer failing",
        topic=ops,
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (20.0).",
        state_ts=start - timedelta(days=r.randint(3, 20)),
        updated=created + timedelta(days=201),
    )
    k.alarm(
        "rates-indexer-failures-visible",
        ns="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": "rates-indexer-failures"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        desc="Stream records the indexer gave up on",
        topic=ops,
        state="OK",
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        state_ts=start - timedelta(days=r.randint(20, 60)),
        updated=created + timedelta(days=201),
    )
    k.alarm(
        f"{fn_api}-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_api},
        stat="Sum",
        period=300,
        evals=1,
        threshold=25,
        op="GreaterThanThreshold",
        desc="rates API erroring",
        topic=ops,
        state="OK",
        reason="Threshold Crossed: 1 datapoint was not greater than the threshold (25.0).",
        state_ts=start - timedelta(days=r.randint(1, 9)),
        updated=created + timedelta(days=30),
    )
    t = start
    while t < end:
        k.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "rates-indexer-failures"},
            t,
            "Count",
            0,
        )
        t += timedelta(minutes=5)

    # ---------------- cloudtrail ----------------
    rid_dev = k.role_id()
    dev = k.assumed(
        "AWSReservedSSO_SearchEngineers_9e2f4a61c0b7d835",
        "lena.hoffmann@roadsy.de",
        rid_dev,
        tighten_at - timedelta(minutes=40),
    )
    browser = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
    dip = f"87.{r.randint(120, 190)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    k.ct(
        tighten_at,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        dev,
        {
            "alarmName": a["AlarmName"],
            "alarmDescription": a["AlarmDescription"],
            "actionsEnabled": True,
            "oKActions": [ops],
            "alarmActions": [ops],
            "insufficientDataActions": [],
            "metricName": "IteratorAge",
            "namespace": "AWS/Lambda",
            "statistic": "Maximum",
            "dimensions": [{"name": "FunctionName", "value": fn_idx}],
            "period": 60,
            "unit": "Milliseconds",
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "threshold": threshold_new,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "missing",
        },
        None,
        read_only=False,
        agent=browser,
        ip=dip,
    )
    k.ct(
        tighten_at + timedelta(minutes=r.randint(3, 9)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        dev,
        {
            "alarmName": f"{fn_api}-errors",
            "metricName": "Errors",
            "namespace": "AWS/Lambda",
            "statistic": "Sum",
            "dimensions": [{"name": "FunctionName", "value": fn_api}],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 25.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [ops],
            "oKActions": [ops],
        },
        None,
        read_only=False,
        agent=browser,
        ip=dip,
    )
    ci = k.assumed(
        "gitlab-deployer", f"gitlab-ci-{r.randint(10**6, 10**7)}", k.role_id(), day - timedelta(hours=17)
    )
    idx_deploy = day - timedelta(hours=r.randint(13, 16), minutes=r.randint(0, 59))
    cip = f"34.{r.randint(60, 160)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    k.ct(
        idx_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn_idx,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"roadsy-artifacts-{acct}",
            "s3Key": f"{fn_idx}/{k.hexid(12)}.jar",
        },
        {
            "functionName": fn_idx,
            "functionArn": k.arn("lambda", f"function:{fn_idx}"),
            "runtime": "java21",
            "version": "$LATEST",
            "lastModified": lambda_ts(idx_deploy),
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        ip=cip,
    )
    api_deploy = day - timedelta(days=1) + timedelta(hours=r.randint(9, 11))
    k.ct(
        api_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn_api,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"roadsy-artifacts-{acct}",
            "s3Key": f"{fn_api}/{k.hexid(12)}.zip",
        },
        {
            "functionName": fn_api,
            "functionArn": k.arn("lambda", f"function:{fn_api}"),
            "runtime": "nodejs20.x",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        ip=cip,
    )
    sched = k.role_id()
    for base in (import_at - timedelta(days=1), import_at):
        who = k.assumed("scheduler-invoke-rates-import", k.hexid(32), sched, base)
        rec = k.ct(
            base + timedelta(seconds=r.randint(1, 40)),
            "sts.amazonaws.com",
            "AssumeRole",
            {"type": "AWSService", "invokedBy": "scheduler.amazonaws.com"},
            {
                "roleArn": f"arn:aws:iam::{acct}:role/scheduler-invoke-rates-import",
                "roleSessionName": who["principalId"].split(":")[1],
            },
            {
                "credentials": {
                    "accessKeyId": k.akid(),
                    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE" + k.hexid(24),
                    "expiration": (base + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
        )
        rec.pop("tlsDetails", None)
        rec["sourceIPAddress"] = rec["userAgent"] = "scheduler.amazonaws.com"
    tooling_noise(
        k,
        start,
        now,
        r.randint(40, 55),
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
            ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": fn_idx}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("es.amazonaws.com", "DescribeDomain", {"domainName": "rates-search"}),
            ("scheduler.amazonaws.com", "ListSchedules", {}),
        ],
    )
    lambda_role_assumes(k, start, now, ["rates-search-indexer-role", "rates-api-role"], 90)

    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=None,
        alarm_event=event,
        timezone=None,
        truth={
            "no_fault": True,
            "root_cause": None,
            "also_accept": [],
            "actions": [],
            "chain": ["supplier-rates-nightly", fn_imp, table, fn_idx],
        },
    )
