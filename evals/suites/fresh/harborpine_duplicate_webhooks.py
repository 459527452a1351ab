"""harborpine: duplicate-delivery alarm on the payment webhook event store (kit zl, incident 4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zl import Kit, Rec, daily, iso, iso_ms, minutes, reason_text

NAME = "harborpine-duplicate-webhooks"
TITLE = "psp-events duplicate-writes alarm in the early afternoon"
SUMMARY = "The payment webhook event store's conditional-write failure alarm fires on a weekday afternoon."

REGION = "us-west-2"
TABLE = "psp-events"
RECEIVER = "psp-webhook-receiver"
PROJECTOR = "payment-state-projector"


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed, "000000000000", REGION)
    rng = k.rng
    k.account = "3" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    account = k.account
    day = datetime(2024, 9, 10, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 6) + rng.choice([0, 1, 2]))
    onset = day.replace(hour=20) + timedelta(minutes=rng.randint(5, 35))  # early afternoon Pacific
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 30))
    now = onset + timedelta(minutes=rng.randint(38, 50))
    redeliver_for = timedelta(minutes=rng.randint(32, 44))
    window_from = day.replace(hour=14) + timedelta(
        minutes=rng.randint(0, 30)
    )  # the provider's re-sent window
    window_to = window_from + timedelta(hours=rng.randint(4, 5))
    peaks = [(12.5, 2.5, 0.6), (19.5, 2.5, 0.9)]
    base_rate = rng.uniform(70, 95)  # webhook deliveries/min at the daily peak

    def redeliveries(t: datetime) -> int:
        if not (onset <= t < onset + redeliver_for):
            return 0
        x = (t - onset) / redeliver_for
        ramp = min(1.0, x * 6) * (1.0 if x < 0.85 else (1 - x) / 0.15)
        return round(base_rate * rng.uniform(2.2, 2.8) * ramp)

    # ---- metrics --------------------------------------------------------------------------------
    ad = {"ApiName": "payments-webhooks", "Stage": "live"}
    td = {"TableName": TABLE}
    ccf: dict[datetime, int] = {}
    for t in minutes(start, now - timedelta(minutes=1)):
        fresh = round(k.noise(base_rate * daily(t, -7.0, peaks, 0.25), 0.1))
        retries = rng.choice([0, 0, 0, 1, 1, 2, 3])  # the provider's ordinary retries
        dup = redeliveries(t)
        n = fresh + retries + dup
        k.put("AWS/ApiGateway", "Count", ad, t, "Count", n)
        k.put("AWS/ApiGateway", "4XXError", ad, t, "Count", 1 if rng.random() < 0.06 else 0)
        k.put("AWS/ApiGateway", "5XXError", ad, t, "Count", 0)
        k.put_dist("AWS/ApiGateway", "Latency", ad, t, "Milliseconds", rng.uniform(48, 60), n, tail=300)
        k.put_dist(
            "AWS/ApiGateway", "IntegrationLatency", ad, t, "Milliseconds", rng.uniform(38, 48), n, tail=280
        )
        fd = {"FunctionName": RECEIVER}
        k.put("AWS/Lambda", "Invocations", fd, t, "Count", n)
        k.put("AWS/Lambda", "Errors", fd, t, "Count", 0)
        k.put("AWS/Lambda", "Throttles", fd, t, "Count", 0)
        k.put_dist(
            "AWS/Lambda",
            "Duration",
            fd,
            t,
            "Milliseconds",
            rng.uniform(30, 38) * (0.85 if dup else 1.0),
            n,
            tail=240,
        )
        k.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            fd,
            t,
            "Count",
            max(1, round(n * 0.035 / 60 * 60 * rng.uniform(0.8, 1.4))),
        )
        k.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, t, "Count", n)
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", td, t, "Count", round(k.noise(fresh * 0.5)))
        k.put_dist(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": TABLE, "Operation": "PutItem"},
            t,
            "Milliseconds",
            rng.uniform(4.5, 6.0),
            n,
        )
        if retries + dup:
            ccf[t] = retries + dup
            k.put("AWS/DynamoDB", "ConditionalCheckFailedRequests", td, t, "Count", retries + dup)
        pd = {"FunctionName": PROJECTOR}
        batches = max(1, round(fresh / rng.uniform(2.5, 3.5)))
        k.put("AWS/Lambda", "Invocations", pd, t, "Count", batches)
        k.put("AWS/Lambda", "Errors", pd, t, "Count", 0)
        k.put("AWS/Lambda", "Throttles", pd, t, "Count", 0)
        k.put_dist("AWS/Lambda", "Duration", pd, t, "Milliseconds", rng.uniform(85, 110), batches)
        k.put("AWS/Lambda", "IteratorAge", pd, t, "Milliseconds", round(rng.uniform(220, 900)))
        k.put("AWS/Lambda", "ConcurrentExecutions", pd, t, "Count", rng.choice([1, 1, 2]))
        od = {"TableName": "orders"}
        k.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", od, t, "Count", round(fresh * 1.6 + k.noise(120)))
        k.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            od,
            t,
            "Count",
            round(k.noise(900 * daily(t, -7.0, peaks, 0.25))),
        )
        rd = {"EventBusName": "harborpine-commerce", "RuleName": "payment-captured-fulfilment"}
        cap = round(fresh * rng.uniform(0.55, 0.62))
        if cap:
            k.put("AWS/Events", "MatchedEvents", rd, t, "Count", cap)
            k.put("AWS/Events", "Invocations", rd, t, "Count", cap)
            k.put("AWS/Events", "TriggeredRules", rd, t, "Count", cap)

    # ---- logs -----------------------------------------------------------------------------------
    types = [
        ("payment_intent.succeeded", 0.5),
        ("charge.captured", 0.25),
        ("charge.refunded", 0.08),
        ("payment_intent.payment_failed", 0.1),
        ("charge.dispute.created", 0.01),
        ("payout.paid", 0.06),
    ]

    def etype() -> str:
        x = rng.random()
        for name, w in types:
            x -= w
            if x <= 0:
                return name
        return types[0][0]

    stream = k.lambda_stream(start, "12")
    stored: list[tuple[str, str, datetime]] = []
    for t in minutes(start, now - timedelta(minutes=1)):
        dup = redeliveries(t)
        for _ in range(2 + (3 if dup else 0)):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            if rng.random() < 0.02:
                stream = k.lambda_stream(at, "12" if at < onset - timedelta(minutes=19) else "13")
            is_dup = dup > 0 and rng.random() < dup / (dup + base_rate)
            stamp = iso_ms(at + timedelta(milliseconds=4))
            eid = "evt_" + k.alnum(24)
            ty = etype()
            if is_dup:
                created = window_from + (window_to - window_from) * rng.random()
                seen = [x for x in stored if window_from <= x[2] <= window_to]
                if seen and rng.random() < 0.7:
                    eid, ty, created = rng.choice(seen)
                msg = {
                    "level": "info",
                    "msg": "duplicate webhook ignored",
                    "eventId": eid,
                    "type": ty,
                    "created": iso(created),
                    "deliveryAttempt": rng.choice([2, 2, 3]),
                    "condition": "attribute_not_exists(eventId)",
                    "status": 200,
                }
            elif rng.random() < 0.015:
                msg = {
                    "level": "info",
                    "msg": "duplicate webhook ignored",
                    "eventId": eid,
                    "type": ty,
                    "created": iso(at - timedelta(seconds=rng.randint(40, 400))),
                    "deliveryAttempt": 2,
                    "condition": "attribute_not_exists(eventId)",
                    "status": 200,
                }
            else:
                stored.append((eid, ty, at - timedelta(seconds=rng.uniform(0.3, 3))))
                msg = {
                    "level": "info",
                    "msg": "webhook stored",
                    "eventId": eid,
                    "type": ty,
                    "created": iso(stored[-1][2]),
                    "deliveryAttempt": 1,
                    "status": 200,
                }
            lines = [f"{stamp}\t{{rid}}\tINFO\t" + json.dumps(msg, separators=(",", ":"))]
            if rng.random() < 0.01:
                lines.append(
                    f"{stamp}\t{{rid}}\tWARN\t"
                    + '{"level":"warn","msg":"signature timestamp skew","skewSec":'
                    + str(rng.randint(31, 70))
                    + "}"
                )
            ver = "12" if at < onset - timedelta(minutes=19) else "13"
            k.lambda_invocation(
                RECEIVER, stream, at, rng.uniform(18, 55), 256, rng.randint(88, 102), lines, version=ver
            )
    pstream = k.lambda_stream(start)
    for t in minutes(start, now - timedelta(minutes=1), 3):
        at = t + timedelta(seconds=rng.uniform(0, 170))
        n = rng.randint(1, 6)
        k.lambda_invocation(
            PROJECTOR,
            pstream,
            at,
            rng.uniform(60, 140),
            512,
            rng.randint(110, 130),
            [
                f"[INFO]\t{iso_ms(at)}\t{{rid}}\tprojected {n} payment events; orders updated={n - rng.randint(0, 1)} events_put={n}"
            ],
        )
    k.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- resources ------------------------------------------------------------------------------
    born = day - timedelta(days=rng.randint(400, 800))
    table_arn = k.arn("dynamodb", f"table/{TABLE}")
    label = (born + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000")
    for name, pk, stream_on in ((TABLE, "eventId", True), ("orders", "orderId", False)):
        item: Rec = {
            "TableName": name,
            "TableArn": k.arn("dynamodb", f"table/{name}"),
            "TableId": k.uuid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(born),
            "AttributeDefinitions": [{"AttributeName": pk, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(born),
            },
            "ProvisionedThroughput": {
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
                "NumberOfDecreasesToday": 0,
            },
            "ItemCount": rng.randint(5_000_000, 12_000_000),
            "TableSizeBytes": rng.randint(3_000_000_000, 9_000_000_000),
            "DeletionProtectionEnabled": True,
        }
        if stream_on:
            item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
            item["LatestStreamLabel"] = label
            item["LatestStreamArn"] = f"{table_arn}/stream/{label}"
        k.res("dynamodb", "TableDescription", item)
    deploy = onset - timedelta(minutes=19)
    for f, rt, mem, mod in (
        (RECEIVER, "nodejs20.x", 256, deploy),
        (PROJECTOR, "python3.12", 512, day - timedelta(days=rng.randint(6, 30))),
        ("refund-dispatcher", "python3.12", 256, day - timedelta(days=rng.randint(20, 60))),
    ):
        k.function(
            f,
            rt,
            "index.handler" if rt.startswith("node") else "app.handler",
            f"harborpine-{f}",
            mem,
            10 if f == RECEIVER else 30,
            mod,
            env={
                "TABLE_NAME": TABLE if f == RECEIVER else "orders",
                "PSP_WEBHOOK_SECRET_ARN": k.arn(
                    "secretsmanager", f"secret:payvia/webhook-signing-{k.alnum(6)}"
                ),
            }
            if f == RECEIVER
            else {"TABLE_NAME": "orders"},
        )
        k.role(f"harborpine-{f}", "lambda.amazonaws.com", born, now - timedelta(minutes=1))
        k.log_group(f"/aws/lambda/{f}", born, 30)
    k.res(
        "lambda",
        "AliasConfiguration",
        {
            "AliasArn": k.arn("lambda", f"function:{RECEIVER}:live"),
            "Name": "live",
            "FunctionVersion": "13",
            "Description": "webhook receiver live alias",
            "RevisionId": k.uuid(),
        },
    )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uuid(),
            "BatchSize": 50,
            "MaximumBatchingWindowInSeconds": 2,
            "ParallelizationFactor": 1,
            "StartingPosition": "TRIM_HORIZON",
            "EventSourceArn": f"{table_arn}/stream/{label}",
            "FunctionArn": k.arn("lambda", f"function:{PROJECTOR}"),
            "LastModified": iso(born + timedelta(days=2)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 10,
            "FilterCriteria": {"Filters": [{"Pattern": '{"eventName":["INSERT"]}'}]},
        },
    )
    api_id = k.alnum(10)
    k.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "payments-webhooks",
            "createdDate": iso(born),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(10),
        },
    )
    k.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "stageName": "live",
            "deploymentId": k.alnum(6),
            "tracingEnabled": True,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": False,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 500,
                    "throttlingRateLimit": 250.0,
                }
            },
            "createdDate": iso(born),
            "lastUpdatedDate": iso(day - timedelta(days=rng.randint(10, 40))),
        },
    )
    k.res(
        "events",
        "Rule",
        {
            "Name": "payment-captured-fulfilment",
            "Arn": k.arn("events", "rule/harborpine-commerce/payment-captured-fulfilment"),
            "EventPattern": '{"source":["harborpine.payments"],"detail-type":["PaymentCaptured"]}',
            "State": "ENABLED",
            "EventBusName": "harborpine-commerce",
        },
    )
    q_born = str(int(born.timestamp()))
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/refund-requests",
            "Attributes": {
                "QueueArn": k.arn("sqs", "refund-requests"),
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MaximumMessageSize": "262144",
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": q_born,
                "LastModifiedTimestamp": q_born,
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "payments"},
        },
    )

    # ---- CloudTrail -----------------------------------------------------------------------------
    ci = k.role_principal("harborpine-deployer", "GitHubActions")
    tf = k.role_principal("harborpine-drift-check", "driftctl")
    dev = k.sso(rng.choice(["ines.b@harborpine.com", "omar.f@harborpine.com"]), "PaymentsEngineer")
    ops = k.sso(rng.choice(["kate.w@harborpine.com", "raj.m@harborpine.com"]), "SRE")
    span = (now - start).total_seconds()
    for t in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(22)):
        opts: list[tuple[Rec, str, str, Rec]] = [
            (tf, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": rng.choice([TABLE, "orders"])}),
            (tf, "dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": TABLE}),
            (
                tf,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                {"functionName": rng.choice([RECEIVER, PROJECTOR, "refund-dispatcher"])},
            ),
            (tf, "apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "live"}),
            (
                tf,
                "events.amazonaws.com",
                "DescribeRule",
                {"name": "payment-captured-fulfilment", "eventBusName": "harborpine-commerce"},
            ),
            (dev, "secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": "payvia/webhook-signing"}),
            (ops, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "psp"}),
        ]
        who, src, name, req = rng.choice(opts)
        k.ct(t, who, src, name, req, None, read_only=True)
    for t in sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(5)):
        k.ct(
            t,
            k.role_principal(f"harborpine-{RECEIVER}", RECEIVER),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": k.arn("secretsmanager", "secret:payvia/webhook-signing-" + k.alnum(6))},
            None,
            read_only=True,
            agent="aws-sdk-js/3.592.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.13.1 api/secrets-manager#3.592.0 exec-env/AWS_Lambda_nodejs20.x",
        )
    fn_arn = k.arn("lambda", f"function:{RECEIVER}")
    k.ct(
        deploy,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": RECEIVER,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"harborpine-artifacts-{account}",
            "s3Key": f"{RECEIVER}/{k.hex(40)}.zip",
        },
        {
            "functionName": RECEIVER,
            "functionArn": fn_arn,
            "codeSha256": k.b64(44),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
    )
    k.ct(
        deploy + timedelta(seconds=21),
        ci,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {"functionName": RECEIVER},
        {"functionName": RECEIVER, "functionArn": f"{fn_arn}:13", "version": "13", "state": "Active"},
    )
    k.ct(
        deploy + timedelta(seconds=24),
        ci,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": RECEIVER, "name": "live", "functionVersion": "13"},
        {"aliasArn": f"{fn_arn}:live", "name": "live", "functionVersion": "13"},
    )
    ttl_at = onset - timedelta(minutes=rng.randint(6, 11))
    k.ct(
        ttl_at,
        dev,
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        {"tableName": "orders", "timeToLiveSpecification": {"enabled": True, "attributeName": "purgeAfter"}},
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "purgeAfter"}},
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(10, 16)),
        ops,
        "lambda.amazonaws.com",
        "GetAlias20150331",
        {"functionName": RECEIVER, "name": "live"},
        None,
        read_only=True,
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(17, 26)),
        ops,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": [f"/aws/lambda/{RECEIVER}"],
            "queryString": "fields @timestamp, msg, eventId, created | filter msg like /duplicate/ | stats count() by bin(5m)",
        },
        None,
        read_only=True,
    )
    k.trail.sort(key=lambda r: r["eventTime"])

    # ---- alarms ---------------------------------------------------------------------------------
    topic = k.arn("sns", "payments-alerts")
    al_created = born + timedelta(days=90)
    thr = 200.0
    fire_bucket = None
    b = minutes(start, now - timedelta(minutes=1), 5)
    sums: dict[datetime, int] = {}
    for t0 in b:
        sums[t0] = sum(ccf.get(t0 + timedelta(minutes=i), 0) for i in range(5))
        if fire_bucket is None and sums[t0] > thr and t0 + timedelta(minutes=5) <= now - timedelta(minutes=1):
            fire_bucket = t0
    assert fire_bucket is not None
    fire_at = fire_bucket + timedelta(minutes=5, seconds=rng.randint(40, 80))
    why, ok_why = reason_text(thr, "GreaterThanThreshold", [float(sums[fire_bucket])], fire_bucket, 300, 1)
    transitions: list[tuple[datetime, str, str, str]] = [(fire_at, "OK", "ALARM", why)]
    back = [
        t0
        for t0 in b
        if t0 > fire_bucket
        and sums.get(t0, 0) <= thr
        and t0 + timedelta(minutes=5) <= now - timedelta(minutes=1)
    ]
    if back:
        transitions.append(
            (back[0] + timedelta(minutes=5, seconds=rng.randint(40, 80)), "ALARM", "OK", ok_why)
        )
    alarm = k.alarm(
        "psp-events-duplicate-writes",
        "AWS/DynamoDB",
        "ConditionalCheckFailedRequests",
        td,
        "Sum",
        300,
        1,
        thr,
        "GreaterThanThreshold",
        "Conditional write failures on psp-events (duplicate webhook deliveries) above 200 in 5 minutes",
        topic,
        al_created,
        transitions,
    )
    for nm, ns, met, dims, stat, per, ev_n, th in [
        ("payments-webhooks-5xx", "AWS/ApiGateway", "5XXError", ad, "Sum", 60, 3, 5.0),
        (
            "psp-webhook-receiver-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": RECEIVER},
            "Sum",
            300,
            1,
            5.0,
        ),
        (
            "payment-state-projector-iterator-age",
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": PROJECTOR},
            "Maximum",
            300,
            2,
            120000.0,
        ),
        (
            "payment-captured-fulfilment-failed",
            "AWS/Events",
            "FailedInvocations",
            {"EventBusName": "harborpine-commerce", "RuleName": "payment-captured-fulfilment"},
            "Sum",
            300,
            1,
            0.0,
        ),
    ]:
        a = k.alarm(
            nm,
            ns,
            met,
            dims,
            stat,
            per,
            ev_n,
            th,
            "GreaterThanThreshold",
            f"{met} on {next(iter(dims.values()))}",
            topic,
            al_created,
            [],
        )
        a["StateReason"] = f"Threshold Crossed: 1 datapoint was not greater than the threshold ({th})."
        a["StateUpdatedTimestamp"] = iso_ms(now - timedelta(minutes=rng.randint(1, 4)))
        a["StateTransitionedTimestamp"] = iso_ms(start - timedelta(days=rng.randint(3, 30)))
    ev_alarm = dict(alarm)
    ev_alarm["StateReason"] = why
    event = k.alarm_event(
        ev_alarm,
        fire_at,
        start - timedelta(days=4),
        "Threshold Crossed: 1 datapoint [14.0] was not greater than the threshold (200.0).",
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.metrics,
            "alarms": k.alarms,
            "alarm_history": k.history,
            "logs": k.logs,
            "cloudtrail": k.trail,
            "resources": k.resources,
        },
    )
