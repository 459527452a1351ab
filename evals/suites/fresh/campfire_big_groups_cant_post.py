"""Mobile chat app: the largest community threads' items reach DynamoDB's 400 KB item size limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzza import Kit, compact, diurnal, iso, iso_ms

NAME = "campfire-big-groups-cant-post"
TITLE = "Nobody can post in a few of the biggest Campfire community groups; DMs fine"
SUMMARY = (
    "Each thread item in campfire-threads keeps a per-member map; the largest community threads grow past "
    "DynamoDB's 400 KB item size, so every UpdateItem on them fails with ValidationException and sends 500."
)

TZ = "Africa/Johannesburg"
TZ_H = 2
ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def build(seed: int) -> Bundle:
    k = Kit(seed, "af-south-1", TZ_H)
    rng = k.rng
    start, now = k.window((9, 15))
    onset = now - timedelta(minutes=rng.randint(40, 58))
    api_id = k.alnum(10)
    stage = "prod"
    base = rng.uniform(600, 900)
    created = start - timedelta(days=rng.randint(300, 900))
    big = [f"01H{k.alnum(23, ULID)}" for _ in range(3)]
    big_onsets = [
        onset,
        onset + timedelta(minutes=rng.randint(9, 16)),
        onset + timedelta(minutes=rng.randint(22, 30)),
    ]
    big_share = [0.018, 0.012, 0.009]
    ci = k.role_user("campfire-deployer", "github-actions")
    eng = rng.choice(["thabo.mokoena", "lerato.dlamini", "pieter.vanwyk", "amara.okafor"])
    human = k.sso_user(f"{eng}@campfire.chat", "AdministratorAccess")
    send_fn = "campfire-messages-send"
    join_fn = "campfire-threads-join"
    fns = {
        send_fn: ("POST /v1/threads/{threadId}/messages", 0.22, 65),
        "campfire-messages-list": ("GET /v1/threads/{threadId}/messages", 0.38, 40),
        "campfire-threads-list": ("GET /v1/threads", 0.2, 55),
        join_fn: ("POST /v1/threads/{threadId}/members", 0.01, 60),
        "campfire-receipts": ("PUT /v1/threads/{threadId}/read", 0.15, 35),
        "campfire-media-presign": ("POST /v1/media/upload-url", 0.03, 28),
    }

    def broken(tid_idx: int, t: datetime) -> bool:
        return t >= big_onsets[tid_idx]

    # --- resources -----------------------------------------------------------------------------
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "CreatedDate": iso(created),
            "Name": "campfire-api",
            "ProtocolType": "HTTP",
            "RouteSelectionExpression": "$request.method $request.path",
        },
    )
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": stage,
            "AutoDeploy": True,
            "CreatedDate": iso(created),
            "DefaultRouteSettings": {
                "DetailedMetricsEnabled": False,
                "ThrottlingBurstLimit": 1500,
                "ThrottlingRateLimit": 800.0,
            },
            "LastUpdatedDate": iso(created + timedelta(days=60)),
        },
    )
    for fn, (route, _s, _d) in fns.items():
        iid = k.alnum(7)
        k.res(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": api_id,
                "IntegrationId": iid,
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": k.arn("lambda", f"function:{fn}"),
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 30000,
            },
        )
        k.res(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": api_id,
                "RouteId": k.alnum(7),
                "RouteKey": route,
                "AuthorizationType": "JWT",
                "AuthorizerId": "c0g" + k.alnum(3),
                "Target": f"integrations/{iid}",
            },
        )
    presign_deploy = onset - timedelta(minutes=rng.randint(15, 28))
    for fn in fns:
        role = f"{fn}-role"
        k.role(role, "lambda.amazonaws.com", created)
        k.lambda_fn(
            fn,
            role,
            runtime="nodejs20.x",
            handler="index.handler",
            memory=256,
            timeout=6,
            env={
                "THREADS_TABLE": "campfire-threads",
                "MESSAGES_TABLE": "campfire-messages",
                "EVENTS_TOPIC_ARN": k.arn("sns", "campfire-message-events"),
                "NODE_OPTIONS": "--enable-source-maps",
            },
            modified=presign_deploy
            if fn == "campfire-media-presign"
            else start - timedelta(days=rng.randint(4, 70)),
        )
    k.table(
        "campfire-threads",
        "threadId",
        created,
        rng.randint(900_000, 2_400_000),
        rng.randint(3 * 10**9, 8 * 10**9),
    )
    k.table(
        "campfire-messages",
        "threadId",
        created,
        rng.randint(60_000_000, 180_000_000),
        rng.randint(2 * 10**10, 6 * 10**10),
        "messageId",
    )
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": k.arn("sns", "campfire-message-events"),
            "Attributes": {
                "TopicArn": k.arn("sns", "campfire-message-events"),
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "Owner": k.account,
            },
        },
    )
    k.res(
        "s3",
        "Bucket",
        {"Name": f"campfire-media-{k.region}", "CreationDate": iso(created), "BucketRegion": k.region},
    )

    # --- metrics -------------------------------------------------------------------------------
    dims = {"ApiId": api_id, "Stage": stage}
    errs_by_min: dict[datetime, int] = {}
    wcu: dict[datetime, float] = {}
    t = start
    while t <= now:
        c = k.jitter(base * diurnal(t, TZ_H))
        sends = c * fns[send_fn][1]
        failing_f = sum(
            sends * big_share[i] * rng.uniform(0.8, 1.3) * (1.6 if broken(i, t) else 1)
            for i in range(3)
            if broken(i, t)
        )
        failing = round(failing_f)
        joins_fail = sum(1 for i in range(3) if broken(i, t) and rng.random() < 0.35)
        errs_by_min[t] = failing
        k.point("AWS/ApiGateway", "Count", dims, t, "Count", round(c + failing * 0.6))
        k.point("AWS/ApiGateway", "4xx", dims, t, "Count", round(c * rng.uniform(0.006, 0.014)))
        k.point(
            "AWS/ApiGateway",
            "5xx",
            dims,
            t,
            "Count",
            failing + joins_fail + (1 if rng.random() < 0.05 else 0),
        )
        k.stats("AWS/ApiGateway", "Latency", dims, t, "Milliseconds", c, k.jitter(72), 5, 900)
        k.stats("AWS/ApiGateway", "IntegrationLatency", dims, t, "Milliseconds", c, k.jitter(60), 4, 880)
        for fn, (_r, share, dur) in fns.items():
            inv = c * share
            e = 1 if rng.random() < 0.01 else 0
            if fn == send_fn:
                inv += failing * 0.6
                e += failing
            if fn == join_fn:
                e += joins_fail
            fd = {"FunctionName": fn}
            k.point("AWS/Lambda", "Invocations", fd, t, "Count", round(inv))
            k.point("AWS/Lambda", "Errors", fd, t, "Count", e)
            k.point("AWS/Lambda", "Throttles", fd, t, "Count", 0)
            k.stats("AWS/Lambda", "Duration", fd, t, "Milliseconds", inv, k.jitter(dur), dur * 0.3, dur * 6)
            k.point(
                "AWS/Lambda", "ConcurrentExecutions", fd, t, "Count", max(1, round(inv * dur / 60000 * 4))
            )
        # each update of a big thread item costs ~1 WCU per KB of the item
        small_w = sends * 0.97 * 1.0 + c * 0.15 * 1.0
        big_w = sum(sends * big_share[i] * rng.uniform(370, 399) for i in range(3) if not broken(i, t))
        big_w += sum(c * 0.15 * big_share[i] * rng.uniform(370, 399) for i in range(3) if not broken(i, t))
        wcu[t] = k.jitter(small_w) + big_w
        k.point(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "campfire-threads"},
            t,
            "Count",
            wcu[t],
        )
        k.point(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "campfire-threads"},
            t,
            "Count",
            k.jitter(c * 0.9 + c * 0.03 * 49),
        )
        k.point(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "campfire-messages"},
            t,
            "Count",
            k.jitter((sends - failing) * 2),
        )
        k.point(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "campfire-messages"},
            t,
            "Count",
            k.jitter(c * 0.38 * 6),
        )
        for tb, op, lat in (
            ("campfire-threads", "UpdateItem", 7.5),
            ("campfire-threads", "GetItem", 3.1),
            ("campfire-messages", "PutItem", 5.2),
            ("campfire-messages", "Query", 6.4),
        ):
            k.stats(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": tb, "Operation": op},
                t,
                "Milliseconds",
                c * 0.2,
                k.jitter(lat),
                1.2,
                lat * 8,
            )
        k.point("AWS/DynamoDB", "UserErrors", {}, t, "Count", failing + joins_fail + (rng.randint(0, 2)))
        k.point(
            "AWS/SNS",
            "NumberOfMessagesPublished",
            {"TopicName": "campfire-message-events"},
            t,
            "Count",
            round(sends - failing),
        )
        t += timedelta(minutes=1)

    # --- logs ----------------------------------------------------------------------------------
    for fn in fns:
        k.log_group(f"/aws/lambda/{fn}", 30, created)
    sg = f"/aws/lambda/{send_fn}"
    streams = [k.lambda_stream(start) for _ in range(3)]
    t = start + timedelta(seconds=rng.randint(3, 30))
    while t <= now:
        s = rng.choice(streams)
        rid = k.uuid()
        r = rng.random()
        idx = 0 if r < 0.12 else (1 if r < 0.2 else (2 if r < 0.26 else -1))
        tid = big[idx] if idx >= 0 else f"01H{k.alnum(23, ULID)}"
        dm = idx < 0 and rng.random() < 0.6
        k.log(sg, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        k.log(
            sg,
            s,
            t + timedelta(milliseconds=2),
            f"{iso_ms(t + timedelta(milliseconds=2))}\t{rid}\tINFO\tsend {compact({'threadId': tid, 'kind': rng.choice(['text', 'text', 'text', 'image', 'reaction']), 'type': 'dm' if dm else 'group'})}\n",
        )
        if idx >= 0 and broken(idx, t):
            d = rng.uniform(14, 40)
            ddb_rid = k.alnum(52, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            err = {
                "errorType": "ValidationException",
                "errorMessage": "Item size to update has exceeded the maximum allowed size",
                "name": "ValidationException",
                "$fault": "client",
                "$metadata": {
                    "httpStatusCode": 400,
                    "requestId": ddb_rid,
                    "attempts": 1,
                    "totalRetryDelay": 0,
                },
                "__type": "com.amazon.coral.validate#ValidationException",
                "stack": [
                    "ValidationException: Item size to update has exceeded the maximum allowed size",
                    "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:840:20)",
                    "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:849:5",
                    "    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2312:14)",
                    "    at async /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/middleware-serde/dist-cjs/index.js:35:20",
                    "    at async /var/runtime/node_modules/@aws-sdk/lib-dynamodb/dist-cjs/index.js:174:30",
                    "    at async touchThread (file:///var/task/src/threads.mjs:88:3)",
                    "    at async Runtime.handler (file:///var/task/src/send.mjs:41:5)",
                ],
            }
            k.log(
                sg,
                s,
                t + timedelta(milliseconds=d),
                f"{iso_ms(t + timedelta(milliseconds=d))}\t{rid}\tERROR\tInvoke Error \t{compact(err)}\n",
            )
        else:
            d = rng.uniform(35, 120)
            k.log(
                sg,
                s,
                t + timedelta(milliseconds=d - 1),
                f"{iso_ms(t + timedelta(milliseconds=d - 1))}\t{rid}\tINFO\tsent {compact({'threadId': tid, 'messageId': '01H' + k.alnum(23, ULID)})}\n",
            )
        k.log(sg, s, t + timedelta(milliseconds=d + 1), f"END RequestId: {rid}\n")
        k.log(
            sg,
            s,
            t + timedelta(milliseconds=d + 2),
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(96, 128)} MB\t\n",
        )
        t += timedelta(seconds=rng.randint(15, 60))
    jg = f"/aws/lambda/{join_fn}"
    js = k.lambda_stream(start)
    t = start + timedelta(minutes=rng.randint(1, 5))
    while t <= now:
        rid = k.uuid()
        idx = rng.choice([0, 1, 2, -1, -1, -1])
        tid = big[idx] if idx >= 0 else f"01H{k.alnum(23, ULID)}"
        k.log(jg, js, t, f"START RequestId: {rid} Version: $LATEST\n")
        if idx >= 0 and broken(idx, t):
            k.log(
                jg,
                js,
                t + timedelta(milliseconds=22),
                f"{iso_ms(t + timedelta(milliseconds=22))}\t{rid}\tERROR\tjoin failed {compact({'threadId': tid, 'error': 'ValidationException', 'message': 'Item size to update has exceeded the maximum allowed size'})}\n",
            )
        else:
            k.log(
                jg,
                js,
                t + timedelta(milliseconds=40),
                f"{iso_ms(t + timedelta(milliseconds=40))}\t{rid}\tINFO\tjoined {compact({'threadId': tid})}\n",
            )
        k.log(
            jg,
            js,
            t + timedelta(milliseconds=50),
            f"REPORT RequestId: {rid}\tDuration: {rng.uniform(40, 70):.2f} ms\tBilled Duration: 70 ms\tMemory Size: 256 MB\tMax Memory Used: 101 MB\t\n",
        )
        t += timedelta(minutes=rng.randint(2, 7))

    # --- cloudtrail ----------------------------------------------------------------------------
    gha = "aws-sdk-js/3.616.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.16.0 api/lambda#3.616.0"
    k.ct(
        presign_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "campfire-media-presign",
            "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "publish": False,
        },
        {
            "functionName": "campfire-media-presign",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "runtime": "nodejs20.x",
        },
        agent=gha,
    )
    k.ct(
        presign_deploy + timedelta(seconds=20),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ci,
        {"functionName": "campfire-media-presign", "environment": {}},
        {"functionName": "campfire-media-presign", "lastUpdateStatus": "InProgress"},
        agent=gha,
    )
    pitr = onset - timedelta(minutes=rng.randint(60, 100))
    k.ct(
        pitr,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        human,
        {
            "tableName": "campfire-messages",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        agent="console.amazonaws.com",
    )
    k.ct(
        pitr - timedelta(minutes=3),
        "dynamodb.amazonaws.com",
        "DescribeContinuousBackups",
        human,
        {"tableName": "campfire-messages"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(20, 30)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        human,
        {"tableName": "campfire-threads"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(31, 35)),
        "monitoring.amazonaws.com",
        "GetMetricData",
        human,
        None,
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    backup_t = start + timedelta(minutes=rng.randint(5, 40))
    k.ct(
        backup_t,
        "dynamodb.amazonaws.com",
        "CreateBackup",
        k.role_user("AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole"),
        {"tableName": "campfire-threads", "backupName": f"AwsBackup_{k.hex(8)}"},
        {"backupDetails": {"backupStatus": "CREATING", "backupType": "AWS_BACKUP"}},
        agent="backup.amazonaws.com",
        ip="backup.amazonaws.com",
    )
    k.readonly_noise(
        start,
        now,
        rng.randint(32, 42),
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "campfire-threads"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "campfire-messages"}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("sns.amazonaws.com", "ListTopics", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ],
    )
    k.kms_decrypt_noise(
        start, now, [(f, f"{f}-role") for f in fns], k.arn("kms", f"key/{k.uuid()}"), rng.randint(10, 16)
    )

    # --- alarms --------------------------------------------------------------------------------
    topic = k.arn("sns", "campfire-oncall")
    fire = onset + timedelta(minutes=1)
    while sum(v for ts, v in errs_by_min.items() if fire - timedelta(minutes=5) <= ts < fire) <= 10:
        fire += timedelta(minutes=1)
    fsum = sum(v for ts, v in errs_by_min.items() if fire - timedelta(minutes=5) <= ts < fire)
    ae = k.alarm(
        "campfire-messages-send-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": send_fn},
        "Sum",
        10,
        period=300,
        evals=1,
        state="ALARM",
        state_time=fire,
        reason=f"Threshold Crossed: 1 datapoint [{float(fsum)}] was greater than the threshold (10.0).",
        actions=[topic],
    )
    k.transition(ae, fire, "OK", "ALARM", ae["StateReason"])
    before = {ts: v for ts, v in wcu.items() if ts < onset - timedelta(minutes=30)}
    peak = max(before, key=lambda ts: min(before.get(ts + timedelta(minutes=i), 0.0) for i in range(3)))
    wcu_threshold = float(round(min(before[peak + timedelta(minutes=i)] for i in range(3)) * 0.98, -1))
    wcu_t = peak + timedelta(minutes=3)
    aw = k.alarm(
        "campfire-threads-wcu-high",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "campfire-threads"},
        "Sum",
        wcu_threshold,
        period=60,
        evals=3,
        state="OK",
        state_time=wcu_t + timedelta(minutes=4),
        reason=f"Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold ({wcu_threshold}).",
        description="Cost guard: on-demand write spend on campfire-threads",
        actions=[topic],
    )
    k.transition(
        aw,
        wcu_t,
        "OK",
        "ALARM",
        f"Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold ({wcu_threshold}).",
    )
    k.transition(aw, wcu_t + timedelta(minutes=4), "ALARM", "OK", aw["StateReason"])
    k.alarm(
        "campfire-api-5xx",
        "AWS/ApiGateway",
        "5xx",
        dims,
        "Sum",
        100,
        period=300,
        evals=1,
        state="OK",
        state_time=start - timedelta(days=4),
        reason="Threshold Crossed: 1 datapoint [2.0] was not greater than the threshold (100.0).",
        actions=[topic],
    )

    local = onset + timedelta(hours=TZ_H)
    h12 = local.hour % 12 or 12
    question = (
        f"Admins of a few of our biggest community groups say nobody can post in them since about {h12}"
        f"{'am' if local.hour < 12 else 'pm'}: the message just shows 'Not sent, tap to retry'. DMs and small groups work. "
        "Are we getting throttled by DynamoDB?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question=question,
        alarm_event=None,
        tz=TZ,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": "campfire-threads",
                "category": "limit",
                "failure_mode": "dynamodb-item-size-limit",
            },
            "also_accept": [k.arn("dynamodb", "table/campfire-threads"), *big],
            "actions": ["reconfigure"],
            "chain": ["campfire-threads", send_fn, "campfire-api"],
        },
    )
