"""Mobile app: iOS purchase verification fails because Apple's App Store Server API times out and 5xxs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzza import Kit, diurnal, iso, iso_ms

NAME = "stridely-premium-paywall-after-purchase"
TITLE = "Stridely: people who just bought Premium still see the paywall"
SUMMARY = (
    "Apple's App Store Server API starts timing out and returning 5xx; the receipt-verify Lambda cannot "
    "confirm iOS purchases (Google Play ones verify fine), so entitlements are not granted and retries pile up."
)

TZ = "America/Phoenix"
TZ_H = -7
APPLE = "api.storekit.itunes.apple.com"
GOOGLE = "androidpublisher.googleapis.com"


def build(seed: int) -> Bundle:
    k = Kit(seed, "us-west-2", TZ_H)
    rng = k.rng
    start, now = k.window((16, 22))
    onset = now - timedelta(minutes=rng.randint(38, 55))
    api_id = k.alnum(10)
    stage = "$default"
    base = rng.uniform(380, 620)
    created = start - timedelta(days=rng.randint(250, 800))
    ci = k.role_user("stridely-ci-deploy", "codebuild")
    eng = rng.choice(["marcus.lee", "dana.kowalski", "ivan.petrov", "sofia.reyes"])
    human = k.sso_user(f"{eng}@stridely.io")
    verify_fn = "stridely-receipt-verify"
    retry_fn = "stridely-verify-retry-worker"
    notif_fn = "stridely-appstore-notifications"
    routes = {
        "stridely-runs-api": ("POST /v2/runs", 0.28, 140),
        "stridely-runs-list": ("GET /v2/runs", 0.32, 70),
        "stridely-profile": ("GET /v2/me", 0.2, 45),
        "stridely-media-presign": ("POST /v2/media/presign", 0.06, 30),
        "stridely-plans": ("GET /v2/plans", 0.1, 50),
        verify_fn: ("POST /v2/purchases/verify", 0.02, 420),
        notif_fn: ("POST /v2/webhooks/appstore", 0.004, 180),
    }

    # --- resources -----------------------------------------------------------------------------
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "CreatedDate": iso(created),
            "DisableExecuteApiEndpoint": False,
            "Name": "stridely-api",
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
                "ThrottlingBurstLimit": 1000,
                "ThrottlingRateLimit": 500.0,
            },
            "LastUpdatedDate": iso(created + timedelta(days=30)),
        },
    )
    for fn, (route, _s, _d) in routes.items():
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
                "AuthorizationType": "NONE" if fn == notif_fn else "JWT",
                "Target": f"integrations/{iid}",
            },
        )
    mem_change = onset - timedelta(minutes=rng.randint(24, 40))
    secret_arn = k.arn(
        "secretsmanager",
        f"secret:stridely/appstore-connect-key-{k.alnum(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
    )
    queue_url = f"https://sqs.{k.region}.amazonaws.com/{k.account}/stridely-verify-retry"
    for fn in [*routes, retry_fn]:
        role = f"{fn}-role"
        k.role(role, "lambda.amazonaws.com", created)
        env = {"POWERTOOLS_SERVICE_NAME": fn}
        if fn in (verify_fn, retry_fn):
            env |= {
                "APPLE_API_BASE": f"https://{APPLE}",
                "APPLE_KEY_SECRET_ARN": secret_arn,
                "APPLE_TIMEOUT_SECONDS": "6",
                "ENTITLEMENTS_TABLE": "stridely-entitlements",
                "RETRY_QUEUE_URL": queue_url,
            }
        k.lambda_fn(
            fn,
            role,
            memory=512 if fn == verify_fn else 256,
            timeout=15 if fn in (verify_fn, retry_fn) else 10,
            env=env,
            modified=mem_change if fn == verify_fn else start - timedelta(days=rng.randint(3, 90)),
        )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uuid(),
            "BatchSize": 5,
            "EventSourceArn": k.arn("sqs", "stridely-verify-retry"),
            "FunctionArn": k.arn("lambda", f"function:{retry_fn}"),
            "LastModified": iso(created),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": queue_url,
            "Attributes": {
                "QueueArn": k.arn("sqs", "stridely-verify-retry"),
                "VisibilityTimeout": "90",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "60",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": k.arn("sqs", "stridely-verify-retry-dlq"), "maxReceiveCount": 24}
                ),
            },
            "Tags": {"service": "purchases"},
        },
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "stridely/appstore-connect-key",
            "Description": "App Store Connect API key (.p8) for the App Store Server API",
            "LastChangedDate": iso(created + timedelta(days=200)),
            "LastAccessedDate": iso(now.replace(hour=0, minute=0, second=0)),
            "CreatedDate": iso(created),
        },
    )
    k.table(
        "stridely-entitlements",
        "userId",
        created,
        rng.randint(40_000, 90_000),
        rng.randint(2 * 10**7, 6 * 10**7),
    )
    k.table(
        "stridely-runs",
        "userId",
        created,
        rng.randint(8_000_000, 20_000_000),
        rng.randint(10**10, 3 * 10**10),
        "runId",
    )
    k.res(
        "s3",
        "Bucket",
        {"Name": "stridely-user-media-prod", "CreationDate": iso(created), "BucketRegion": k.region},
    )

    # --- metrics -------------------------------------------------------------------------------
    dims = {"ApiId": api_id, "Stage": stage}
    retry_depth = 0.0
    fails: dict[datetime, int] = {}
    t = start
    while t <= now:
        c = k.jitter(base * diurnal(t, TZ_H))
        bad = t >= onset
        severity = 0.0 if not bad else min(1.0, 0.55 + (t - onset).total_seconds() / 1800 * 0.4)
        ver = k.jitter(c * routes[verify_fn][1], 0.35) * (1.4 if bad else 1.0)
        ios = ver * 0.62
        ios_fail = ios * severity * rng.uniform(0.85, 1.0) if bad else (1 if rng.random() < 0.05 else 0)
        and_fail = 1 if rng.random() < 0.04 else 0
        c5 = c * rng.uniform(0, 0.001) + ios_fail
        k.point("AWS/ApiGateway", "Count", dims, t, "Count", round(c))
        k.point("AWS/ApiGateway", "4xx", dims, t, "Count", round(c * rng.uniform(0.01, 0.02)))
        k.point("AWS/ApiGateway", "5xx", dims, t, "Count", round(c5))
        k.stats(
            "AWS/ApiGateway",
            "Latency",
            dims,
            t,
            "Milliseconds",
            c,
            k.jitter(95 + (60 if bad else 0)),
            6,
            11000 if bad else 1400,
        )
        for fn, (_r, share, dur) in routes.items():
            inv = c * share if fn != verify_fn else ver
            d = float(dur)
            errs = 1 if rng.random() < 0.02 else 0
            if fn == notif_fn and bad:
                inv = inv * 0.1 if rng.random() < 0.3 else 0.0
            if fn == verify_fn and bad:
                d = dur * (1 - severity) + 12500 * severity
                errs = round(ios_fail * rng.uniform(0.1, 0.25))
            if inv < 0.5:
                continue
            fdims = {"FunctionName": fn}
            k.point("AWS/Lambda", "Invocations", fdims, t, "Count", round(inv))
            k.point("AWS/Lambda", "Errors", fdims, t, "Count", errs)
            k.point("AWS/Lambda", "Throttles", fdims, t, "Count", 0)
            k.stats(
                "AWS/Lambda",
                "Duration",
                fdims,
                t,
                "Milliseconds",
                inv,
                k.jitter(d, 0.1),
                d * 0.2,
                min(15000, d * 2.5),
            )
            k.point("AWS/Lambda", "ConcurrentExecutions", fdims, t, "Count", max(1, round(inv * d / 60000)))
        k.point(
            "Stridely/Purchases", "VerificationFailures", {"Platform": "ios"}, t, "Count", round(ios_fail)
        )
        k.point("Stridely/Purchases", "VerificationFailures", {"Platform": "android"}, t, "Count", and_fail)
        k.point("Stridely/Purchases", "VerificationFailures", {}, t, "Count", round(ios_fail) + and_fail)
        fails[t] = round(ios_fail) + and_fail
        k.point(
            "Stridely/Purchases",
            "EntitlementsGranted",
            {"Platform": "ios"},
            t,
            "Count",
            round(max(0, ios - ios_fail)),
        )
        k.point(
            "Stridely/Purchases",
            "EntitlementsGranted",
            {"Platform": "android"},
            t,
            "Count",
            round(ver * 0.38 - and_fail),
        )
        retry_depth = retry_depth + ios_fail * 0.9 if bad else max(0.0, retry_depth * 0.3)
        if t.minute % 5 == 0:
            q = {"QueueName": "stridely-verify-retry"}
            k.point("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, "Count", round(retry_depth))
            k.point(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                q,
                t,
                "Seconds",
                (t - onset).total_seconds() if bad and retry_depth else rng.randint(0, 70),
            )
            k.point(
                "AWS/SQS",
                "NumberOfMessagesSent",
                q,
                t,
                "Count",
                round(ios_fail * 5) if bad else rng.randint(0, 2),
            )
            rinv = (retry_depth / 5) if bad else 0
            if rinv >= 1:
                rd = {"FunctionName": retry_fn}
                k.point("AWS/Lambda", "Invocations", rd, t, "Count", round(rinv))
                k.point("AWS/Lambda", "Errors", rd, t, "Count", 0)
                k.stats("AWS/Lambda", "Duration", rd, t, "Milliseconds", rinv, 12800, 6100, 14990)
        for tb, w in (("stridely-entitlements", 0.01), ("stridely-runs", 0.3)):
            wv = c * w * (0.4 if (bad and tb == "stridely-entitlements") else 1.0)
            k.point(
                "AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": tb}, t, "Count", k.jitter(wv, 0.3)
            )
            k.point(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                {"TableName": tb},
                t,
                "Count",
                k.jitter(c * w * 4, 0.2),
            )
        t += timedelta(minutes=1)

    # --- logs ----------------------------------------------------------------------------------
    vg = f"/aws/lambda/{verify_fn}"
    k.log_group(vg, 30, created)
    k.log_group(f"/aws/lambda/{retry_fn}", 30, created)
    k.log_group(f"/aws/lambda/{notif_fn}", 30, created)
    s = k.lambda_stream(start)
    resized = False
    t = start + timedelta(seconds=rng.randint(5, 90))
    products = ["stridely.premium.monthly", "stridely.premium.annual", "stridely.coach.annual"]
    while t <= now:
        if t >= mem_change and not resized:
            resized = True
            s = k.lambda_stream(t)
            k.log(
                vg,
                s,
                t,
                f"INIT_START Runtime Version: python:3.12.v{rng.randint(30, 60)}\t"
                f"Runtime Version ARN: arn:aws:lambda:{k.region}::runtime:{k.hex(64)}\n",
            )
        rid = k.uuid()
        ios = rng.random() < 0.62
        bad = t >= onset and ios and rng.random() < 0.9
        k.log(vg, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        tx = str(rng.randint(2_000_000_600_000_000, 2_000_000_900_000_000))
        plat = "ios" if ios else "android"
        k.log(
            vg,
            s,
            t + timedelta(milliseconds=3),
            f"[INFO]\t{iso_ms(t + timedelta(milliseconds=3))}\t{rid}\tverify platform={plat} product={rng.choice(products)} tx={tx if ios else 'GPA.' + str(rng.randint(3300, 3399)) + '-' + str(rng.randint(1000, 9999))}\n",
        )
        if bad:
            d = 0.0
            for attempt in (1, 2):
                if rng.random() < 0.7:
                    d += 6000 + rng.uniform(2, 40)
                    msg = f"HTTPSConnectionPool(host='{APPLE}', port=443): Read timed out. (read timeout=6)"
                else:
                    d += rng.uniform(300, 2400)
                    msg = f'GET /inApps/v1/transactions/{tx} -> 500 {{"errorCode":5000001,"errorMessage":"An unknown error occurred. Please try again."}}'
                k.log(
                    vg,
                    s,
                    t + timedelta(milliseconds=d),
                    f"[WARNING]\t{iso_ms(t + timedelta(milliseconds=d))}\t{rid}\tapple api attempt {attempt}/2 failed: {msg}\n",
                )
            if d > 14900:
                d = 15000.0
                k.log(
                    vg,
                    s,
                    t + timedelta(milliseconds=d),
                    f"{iso_ms(t + timedelta(milliseconds=d))} {rid} Task timed out after 15.02 seconds\n\n",
                )
            else:
                k.log(
                    vg,
                    s,
                    t + timedelta(milliseconds=d + 8),
                    f"[ERROR]\t{iso_ms(t + timedelta(milliseconds=d))}\t{rid}\tverification failed platform=ios tx={tx}; queued for retry, returning 502\n",
                )
        else:
            d = rng.uniform(180, 700)
            host = APPLE if ios else GOOGLE
            k.log(
                vg,
                s,
                t + timedelta(milliseconds=d),
                f"[INFO]\t{iso_ms(t + timedelta(milliseconds=d))}\t{rid}\t{host} ok in {d - 20:.0f} ms; entitlement granted\n",
            )
        k.log(vg, s, t + timedelta(milliseconds=d + 10), f"END RequestId: {rid}\n")
        k.log(
            vg,
            s,
            t + timedelta(milliseconds=d + 11),
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: {512 if t >= mem_change else 256} MB\tMax Memory Used: {rng.randint(92, 131)} MB\t\n",
        )
        t += timedelta(seconds=rng.randint(40, 150) if t < onset else rng.randint(20, 70))
    ng = f"/aws/lambda/{notif_fn}"
    ns = k.lambda_stream(start)
    t = start + timedelta(seconds=rng.randint(10, 200))
    types = ["DID_RENEW", "SUBSCRIBED", "DID_CHANGE_RENEWAL_STATUS", "DID_RENEW", "EXPIRED"]
    while t <= now:
        if not (t >= onset and rng.random() < 0.85):
            rid = k.uuid()
            k.log(ng, ns, t, f"START RequestId: {rid} Version: $LATEST\n")
            k.log(
                ng,
                ns,
                t + timedelta(milliseconds=90),
                f"[INFO]\t{iso_ms(t)}\t{rid}\tnotification {rng.choice(types)} env=Production signedDate ok\n",
            )
            k.log(
                ng,
                ns,
                t + timedelta(milliseconds=160),
                f"REPORT RequestId: {rid}\tDuration: {rng.uniform(120, 220):.2f} ms\tBilled Duration: 200 ms\tMemory Size: 256 MB\tMax Memory Used: 81 MB\t\n",
            )
        t += timedelta(seconds=rng.randint(60, 240))

    # --- cloudtrail ----------------------------------------------------------------------------
    k.ct(
        mem_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        human,
        {"functionName": verify_fn, "memorySize": 512},
        {
            "functionName": verify_fn,
            "functionArn": k.arn("lambda", f"function:{verify_fn}"),
            "memorySize": 512,
            "timeout": 15,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    )
    for _ in range(2):
        t = start + timedelta(minutes=rng.randint(10, 150))
        k.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ci,
            {
                "functionName": "stridely-runs-api",
                "s3Bucket": "stridely-build-artifacts",
                "s3Key": f"runs-api/{k.hex(12)}.zip",
                "publish": False,
            },
            {"functionName": "stridely-runs-api", "lastUpdateStatus": "InProgress", "state": "Active"},
            agent="aws-sdk-js/3.614.0 ua/2.1 os/linux#5.10.219 lang/js md/nodejs#20.15.1 api/lambda#3.614.0 exec-env/AWS_ECS_EC2",
        )
    verify_role = k.role_user(f"{verify_fn}-role", verify_fn)
    t = start + timedelta(minutes=rng.randint(1, 20))
    while t <= now:
        k.ct(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            verify_role,
            {"secretId": secret_arn},
            None,
            read_only=True,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.219 md/arch#arm64 lang/python#3.12.4 exec-env/AWS_Lambda_python3.12",
            ip="52.36.12.201",
        )
        t += timedelta(minutes=rng.randint(22, 48))
    k.ct(
        onset + timedelta(minutes=rng.randint(18, 25)),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        human,
        {"functionName": verify_fn},
        None,
        read_only=True,
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(26, 30)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        human,
        {"queueUrl": queue_url, "attributeNames": ["All"]},
        None,
        read_only=True,
    )
    k.readonly_noise(
        start,
        now,
        rng.randint(30, 40),
        [
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("apigateway.amazonaws.com", "GetApis", None),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "stridely-runs"}),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("s3.amazonaws.com", "ListBuckets", None),
        ],
    )
    k.kms_decrypt_noise(
        start, now, [(f, f"{f}-role") for f in routes], k.arn("kms", f"key/{k.uuid()}"), rng.randint(10, 16)
    )

    # --- alarms --------------------------------------------------------------------------------
    topic = k.arn("sns", "stridely-alerts")
    fire = onset + timedelta(minutes=5)
    window_sum = sum(v for ts, v in fails.items() if fire - timedelta(minutes=5) <= ts < fire)
    while window_sum <= 10:
        fire += timedelta(minutes=1)
        window_sum = sum(v for ts, v in fails.items() if fire - timedelta(minutes=5) <= ts < fire)
    af = k.alarm(
        "purchases-verification-failures",
        "Stridely/Purchases",
        "VerificationFailures",
        {},
        "Sum",
        10,
        period=300,
        evals=1,
        state="ALARM",
        state_time=fire,
        reason=f"Threshold Crossed: 1 datapoint [{window_sum:.1f}] was greater than the threshold (10.0).",
        description="Purchase verifications failing (all stores)",
        actions=[topic],
    )
    k.transition(af, fire, "OK", "ALARM", af["StateReason"])
    aq = k.alarm(
        "verify-retry-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "stridely-verify-retry"},
        "Maximum",
        900,
        period=300,
        evals=2,
        state="ALARM",
        state_time=onset + timedelta(minutes=20),
        reason="Threshold Crossed: 2 out of the last 2 datapoints [1500.0 (..), 1200.0 (..)] were greater than the threshold (900.0).",
        actions=[topic],
    )
    k.transition(aq, onset + timedelta(minutes=20), "OK", "ALARM", aq["StateReason"])
    ae = k.alarm(
        "stridely-runs-api-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "stridely-runs-api"},
        "Sum",
        3,
        period=60,
        evals=1,
        state="OK",
        state_time=start + timedelta(minutes=72),
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (3.0).",
        actions=[topic],
    )
    k.transition(
        ae,
        start + timedelta(minutes=70),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [4.0] was greater than the threshold (3.0).",
    )
    k.transition(ae, start + timedelta(minutes=72), "ALARM", "OK", ae["StateReason"])

    local = onset + timedelta(hours=TZ_H)
    h12 = local.hour % 12 or 12
    question = (
        f"Getting support emails and 1-star reviews: people paid for Premium and the app still shows the paywall. "
        f"Seems to have started around {h12}:{local.minute // 10 * 10:02d}{'am' if local.hour < 12 else 'pm'}. "
        f"{eng.split('.')[0].title()} bumped the verify function's memory earlier, could that be it?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question=question,
        alarm_event=k.alarm_event(
            af,
            fire,
            af["StateReason"],
            start - timedelta(days=2),
            "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (10.0).",
        ),
        tz=TZ,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": APPLE,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": ["App Store Server API", "Apple App Store", "appstore"],
            "actions": [],
            "chain": [APPLE, verify_fn, "stridely-verify-retry", "stridely-api"],
        },
    )
