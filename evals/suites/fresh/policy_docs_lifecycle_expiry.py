"""Policy document downloads fail the morning after an S3 lifecycle rule with a 1-day expiration was put on
the documents/ prefix (believed legacy) that the fetch Lambda still reads: GetObject returns NoSuchKey for
every document older than a day; the API answers 500."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_p as k

NAME = "policy-docs-lifecycle-expiry"
TITLE = "Customers can't download policy documents"
SUMMARY = (
    "PutBucketLifecycle added a 1-day expiration on documents/, which the policy-docs fetch Lambda still reads; "
    "after the next lifecycle run GetObject returns NoSuchKey for older documents and the API returns 500s."
)

_REGIONS = [
    ("ap-southeast-2", "Australia/Sydney", 10),
    ("ap-northeast-1", "Asia/Tokyo", 9),
    ("ap-southeast-1", "Asia/Singapore", 8),
]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200000000000, 899999999999))
    region, tz, off = rng.choice(_REGIONS)
    day = k.day_in(
        rng, 2024, (5, 6, 7, 8)
    )  # the lifecycle rule goes in on this (UTC) day; expiry runs after midnight UTC
    rule_t = day + timedelta(hours=rng.randint(3, 6), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    midnight = day + timedelta(days=1)
    onset = midnight + timedelta(minutes=rng.randint(9, 24), seconds=rng.randint(0, 59))  # first objects gone
    full = onset + timedelta(minutes=rng.randint(55, 95))
    now = onset + timedelta(minutes=rng.randint(48, 70), seconds=rng.randint(0, 59))
    start = k.floor_to(rule_t - timedelta(hours=3, minutes=rng.randint(10, 40)), 300)
    fine_from = k.floor_to(onset - timedelta(hours=3), 300)
    org = rng.choice(["harbourline", "wattle-mutual", "southcross"])
    bucket = f"{org}-policy-docs-prod"
    api_name = "policy-docs-api"
    api_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    fetch_fn = "policy-docs-fetch"
    render_fn = "policy-docs-render"
    table = "policy-documents-index"
    queue = "policy-docs-render-requests"

    resources: list[k.JSON] = []
    created_b = day - timedelta(days=rng.randint(700, 1100))
    resources.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": bucket,
                "CreationDate": k.iso(created_b),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{bucket}",
            },
        }
    )
    resources.append(
        {
            "service": "s3",
            "type": "BucketPublicAccessBlock",
            "item": {
                "Bucket": bucket,
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        }
    )
    resources.append(
        {
            "service": "s3",
            "type": "BucketPolicy",
            "item": {
                "Bucket": bucket,
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            },
        }
    )
    tmpl_bucket = f"{org}-doc-templates-prod"
    resources.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": tmpl_bucket,
                "CreationDate": k.iso(created_b + timedelta(days=3)),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{tmpl_bucket}",
            },
        }
    )
    fetch_mod = day - timedelta(days=rng.randint(12, 40))
    render_mod = midnight - timedelta(minutes=rng.randint(2, 6), seconds=rng.randint(0, 59))
    resources.append(
        k.lambda_function(
            rng,
            account,
            region,
            fetch_fn,
            "python3.12",
            "app.handler",
            512,
            15,
            "policy-docs-fetch-role",
            fetch_mod,
            {
                "DOCS_BUCKET": bucket,
                "DOCS_PREFIX": "documents/",
                "INDEX_TABLE": table,
                "POWERTOOLS_SERVICE_NAME": fetch_fn,
            },
        )
    )
    resources.append(
        k.lambda_function(
            rng,
            account,
            region,
            render_fn,
            "python3.12",
            "render.handler",
            1536,
            120,
            "policy-docs-render-role",
            render_mod,
            {
                "DOCS_BUCKET": bucket,
                "OUTPUT_PREFIX": "documents/",
                "TEMPLATE_BUCKET": tmpl_bucket,
                "INDEX_TABLE": table,
            },
        )
    )
    resources.append(
        {
            "service": "iam",
            "type": "RoleInlinePolicy",
            "item": {
                "RoleName": "policy-docs-fetch-role",
                "PolicyName": "read-docs",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject"],
                            "Resource": f"arn:aws:s3:::{bucket}/documents/*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                            "Resource": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                        },
                    ],
                },
            },
        }
    )
    resources.append(
        k.sqs_queue(
            account, region, queue, created_b, {"VisibilityTimeout": "720"}, {"service": "policy-docs"}
        )
    )
    resources.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "AttributeDefinitions": [
                    {"AttributeName": "policyId", "AttributeType": "S"},
                    {"AttributeName": "docType", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [
                    {"AttributeName": "policyId", "KeyType": "HASH"},
                    {"AttributeName": "docType", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created_b),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(900_000_000, 2_000_000_000),
                "ItemCount": rng.randint(3_000_000, 6_000_000),
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                "TableId": k.uuid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created_b),
                },
                "DeletionProtectionEnabled": True,
            },
        }
    )
    root_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    res_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": api_name,
                "description": "Customer policy documents",
                "createdDate": k.iso(created_b),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": root_id,
                "tags": {"service": "policy-docs"},
            },
        }
    )
    stage_changed = onset - timedelta(minutes=rng.randint(15, 22), seconds=rng.randint(0, 59))
    deployment_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": deployment_id,
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 500,
                        "throttlingRateLimit": 1000.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}',
                    "destinationArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{api_name}/prod",
                },
                "tracingEnabled": False,
                "createdDate": k.iso(created_b),
                "lastUpdatedDate": k.iso(stage_changed),
            },
        }
    )
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApiResource",
            "item": {
                "restApiId": api_id,
                "id": res_id,
                "parentId": root_id,
                "pathPart": "{docType}",
                "path": "/v1/policies/{policyId}/documents/{docType}",
                "resourceMethods": {"GET": {}},
            },
        }
    )
    resources.append(
        {
            "service": "apigateway",
            "type": "MethodIntegration",
            "item": {
                "restApiId": api_id,
                "resourceId": res_id,
                "httpMethod": "GET",
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:{account}:function:{fetch_fn}/invocations",
                "passthroughBehavior": "WHEN_NO_MATCH",
                "timeoutInMillis": 29000,
                "cacheNamespace": res_id,
                "cacheKeyParameters": [],
            },
        }
    )
    for lg in (f"/aws/lambda/{fetch_fn}", f"/aws/lambda/{render_fn}", f"/aws/apigateway/{api_name}/prod"):
        resources.append(k.log_group(account, region, lg, created_b, 90))

    # --- traffic and the failure fraction -------------------------------------------------------------------------
    def gone(t: datetime) -> float:
        """Fraction of fetched documents whose object has been expired by t."""
        if t < onset:
            return 0.0
        frac = min(1.0, (t - onset) / (full - onset))
        return 0.9 * frac**0.7

    minutes = k.steps(start, now, 60)
    m = k.Metrics(fine_from)
    nz = k.Noise(rng)
    peak = rng.uniform(6, 11)  # requests/sec at the local afternoon peak
    cnt, e5, e4, lat, ilat, err_share = {}, {}, {}, {}, {}, {}
    for tm in minutes:
        c = max(1, round(peak * 60 * k.diurnal(tm, off, 14.0, 0.08) * nz()))
        g = gone(tm) * rng.uniform(0.92, 1.05)
        cnt[tm] = c
        e5[tm] = round(c * min(0.95, g))
        e4[tm] = round(c * rng.uniform(0.005, 0.02))
        ilat[tm] = round(rng.uniform(85, 160) * (1 - 0.55 * min(1.0, g)), 2)
        lat[tm] = round(ilat[tm] + rng.uniform(8, 20), 2)
        err_share[tm] = min(0.95, g)
    ad = {"ApiName": api_name, "Stage": "prod"}
    ns = "AWS/ApiGateway"
    m.add(ns, "Count", ad, "Count", [(tm, cnt[tm]) for tm in minutes])
    m.add(ns, "5XXError", ad, "Count", [(tm, e5[tm]) for tm in minutes])
    m.add(ns, "4XXError", ad, "Count", [(tm, e4[tm]) for tm in minutes])
    m.add(ns, "Latency", ad, "Milliseconds", [(tm, lat[tm]) for tm in minutes])
    m.add(ns, "IntegrationLatency", ad, "Milliseconds", [(tm, ilat[tm]) for tm in minutes])
    fd = {"FunctionName": fetch_fn}
    m.add("AWS/Lambda", "Invocations", fd, "Count", [(tm, cnt[tm] - e4[tm]) for tm in minutes])
    ferr = m.add("AWS/Lambda", "Errors", fd, "Count", [(tm, 0.0) for tm in minutes])
    m.add(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        [(tm, round(ilat[tm] - rng.uniform(2, 6), 2)) for tm in minutes],
    )
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        [(tm, float(max(1, round(cnt[tm] / 60 * 0.15 + rng.random())))) for tm in minutes],
    )
    # render: a trickle of new policies/endorsements
    rd = {"FunctionName": render_fn}
    renders = {
        tm: (rng.random() < 0.5 * k.diurnal(tm, off, 13.0, 0.05)) * rng.randint(1, 4) for tm in minutes
    }
    m.add("AWS/Lambda", "Invocations", rd, "Count", [(tm, float(v)) for tm, v in renders.items() if v])
    rerr = m.add("AWS/Lambda", "Errors", rd, "Count", [(tm, 0.0) for tm, v in renders.items() if v])
    m.add(
        "AWS/Lambda",
        "Duration",
        rd,
        "Milliseconds",
        [(tm, round(rng.uniform(2400, 6800), 2)) for tm, v in renders.items() if v],
    )
    qd = {"QueueName": queue}
    m.add("AWS/SQS", "NumberOfMessagesSent", qd, "Count", [(tm, float(renders[tm])) for tm in minutes])
    qage = m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        [(tm, float(rng.randint(0, 9) if renders[tm] else 0)) for tm in minutes],
    )
    # S3 request metrics (filter EntireBucket) and daily storage metrics
    sd = {"BucketName": bucket, "FilterId": "EntireBucket"}
    m.add("AWS/S3", "GetRequests", sd, "Count", [(tm, float(cnt[tm] - e4[tm])) for tm in minutes])
    m.add(
        "AWS/S3", "PutRequests", sd, "Count", [(tm, float(renders[tm] * 2)) for tm in minutes if renders[tm]]
    )
    m.add(
        "AWS/S3",
        "AllRequests",
        sd,
        "Count",
        [(tm, float(cnt[tm] - e4[tm] + renders[tm] * 3)) for tm in minutes],
    )
    m.add("AWS/S3", "4xxErrors", sd, "Count", [(tm, float(e5[tm])) for tm in minutes if e5[tm] > 0])
    m.add(
        "AWS/S3",
        "FirstByteLatency",
        sd,
        "Milliseconds",
        [(tm, round(rng.uniform(18, 45), 2)) for tm in minutes if cnt[tm] - e5[tm] - e4[tm] > 0],
    )
    dd = {"TableName": table}
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        dd,
        "Count",
        [(tm, float(round((cnt[tm] - e4[tm]) * 0.5 * 2) / 2)) for tm in minutes],
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        dd,
        "Count",
        [(tm, float(renders[tm] * 2)) for tm in minutes],
    )
    n_objs = rng.randint(5_800_000, 9_400_000)
    size = n_objs * rng.randint(170_000, 260_000)
    daily = []
    dstart = (start - timedelta(days=3)).replace(hour=0, minute=0, second=0)
    d = dstart
    while d <= now - timedelta(hours=20):
        daily.append(d)
        d += timedelta(days=1)
    storage_obj = [(dd_, float(n_objs + i * rng.randint(3000, 6000))) for i, dd_ in enumerate(daily)]
    m.add(
        "AWS/S3",
        "NumberOfObjects",
        {"BucketName": bucket, "StorageType": "AllStorageTypes"},
        "Count",
        storage_obj,
    )
    m.add(
        "AWS/S3",
        "BucketSizeBytes",
        {"BucketName": bucket, "StorageType": "StandardStorage"},
        "Bytes",
        [(t, float(round(v * size / n_objs))) for t, v in storage_obj],
    )

    # --- alarms ---------------------------------------------------------------------------------------------------
    configured = day - timedelta(days=rng.randint(50, 250))
    topic = f"arn:aws:sns:{region}:{account}:policy-docs-alerts"
    specs = [
        (
            k.AlarmSpec(
                "policy-docs-api-5xx",
                "policy-docs-api prod 5xx responses",
                ns,
                "5XXError",
                ad,
                "Sum",
                60,
                3,
                3,
                10.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [topic],
                configured,
            ),
            m.find(ns, "5XXError", ad),
        ),
        (
            k.AlarmSpec(
                "policy-docs-api-latency",
                "policy-docs-api prod latency",
                ns,
                "Latency",
                ad,
                "Average",
                300,
                3,
                3,
                2000.0,
                "GreaterThanThreshold",
                "missing",
                [topic],
                [topic],
                configured,
            ),
            m.find(ns, "Latency", ad),
        ),
        (
            k.AlarmSpec(
                "policy-docs-fetch-errors",
                "fetch Lambda errors",
                "AWS/Lambda",
                "Errors",
                fd,
                "Sum",
                300,
                1,
                1,
                5.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [],
                configured,
            ),
            ferr,
        ),
        (
            k.AlarmSpec(
                "policy-docs-render-errors",
                "render Lambda errors",
                "AWS/Lambda",
                "Errors",
                rd,
                "Sum",
                300,
                1,
                1,
                3.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [],
                configured,
            ),
            rerr,
        ),
        (
            k.AlarmSpec(
                "policy-docs-render-queue-age",
                "render requests waiting > 15 min",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                qd,
                "Maximum",
                300,
                2,
                2,
                900.0,
                "GreaterThanThreshold",
                "notBreaching",
                [topic],
                [topic],
                configured,
            ),
            qage,
        ),
    ]
    alarms, history = [], []
    alarm_at = onset
    for spec, ser in specs:
        item, hist, trans = k.evaluate_alarm(rng, spec, ser, start, now, account, region)
        alarms.append(item)
        history += hist
        if spec.name == "policy-docs-api-5xx":
            alarm_at = next(tr[0] for tr in trans if tr[2] == "ALARM")

    # --- logs -------------------------------------------------------------------------------------------------------
    logs: list[k.JSON] = []
    flg = f"/aws/lambda/{fetch_fn}"
    alg = f"/aws/apigateway/{api_name}/prod"
    doc_types = ["schedule", "certificate", "pds", "renewal-notice", "endorsement"]
    new_policies: list[tuple[datetime, str]] = []
    # render Lambda writes new documents under documents/
    rlg = f"/aws/lambda/{render_fn}"
    rstream = f"{start:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
    version_note = "2024.05.2"
    for tm in minutes:
        for _ in range(renders[tm]):
            at = tm + timedelta(seconds=rng.uniform(0, 55))
            if at > now:
                continue
            if at > render_mod and version_note != "2024.05.3":
                rstream = f"{at:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
                version_note = "2024.05.3"
            req = k.uuid(rng)
            pol = f"POL-{rng.randint(1_000_000, 9_999_999)}"
            new_policies.append((at, pol))
            dt = rng.choice(["schedule", "certificate", "endorsement"])
            dur = rng.uniform(2400, 6800)
            for when, msg in k.lambda_report(rng, at, dur, 1536, rng.randint(300, 420), None, req):
                logs.append(k.log(rlg, rstream, when, msg))
            wt = at + timedelta(milliseconds=dur - 40)
            logs.append(
                k.log(
                    rlg,
                    rstream,
                    wt,
                    f"[INFO]\t{k.iso_ms(wt)}\t{req}\trendered {dt} for {pol} template={dt}-v{version_note} -> s3://{bucket}/documents/{at:%Y/%m}/{pol}/{dt}.pdf ({rng.randint(150, 900)} KB)\n",
                )
            )

    stream = f"{start:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
    rotate = start + timedelta(minutes=rng.randint(40, 120))
    tm = start + timedelta(seconds=rng.uniform(0, 20))
    while tm < now:
        if tm > rotate:
            stream = f"{tm:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
            rotate = tm + timedelta(minutes=rng.randint(40, 120))
        req = k.uuid(rng)
        made_before = [p for p in new_policies if p[0] < tm - timedelta(minutes=2)]
        recent = bool(made_before) and rng.random() < 0.08
        if recent:
            made, pol = rng.choice(made_before[-300:])
        else:
            made = tm - timedelta(days=rng.randint(2, 700))
            pol = f"POL-{rng.randint(1_000_000, 9_999_999)}"
        dt = rng.choice(doc_types)
        key = f"documents/{made:%Y/%m}/{pol}/{dt}.pdf"
        missing = not recent and rng.random() < gone(tm) / 0.9 * 0.98
        dur = rng.uniform(70, 170) if not missing else rng.uniform(35, 70)
        lines = [
            (
                tm + timedelta(milliseconds=6),
                f"[INFO]\t{k.iso_ms(tm + timedelta(milliseconds=6))}\t{req}\tGET policy={pol} doc={dt} key={key}\n",
            )
        ]
        status = 200
        if missing:
            status = 500
            et = tm + timedelta(milliseconds=dur - 3)
            lines.append(
                (
                    et,
                    f"[ERROR]\t{k.iso_ms(et)}\t{req}\tdocument fetch failed policy={pol} doc={dt} bucket={bucket} key={key}: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.\n",
                )
            )
        elif rng.random() < 0.006:
            wt = tm + timedelta(milliseconds=dur - 5)
            lines.append(
                (
                    wt,
                    f"[WARNING]\t{k.iso_ms(wt)}\t{req}\tslow index lookup policy={pol} took={rng.randint(400, 900)}ms\n",
                )
            )
        for when, msg in k.lambda_report(rng, tm, dur, 512, rng.randint(88, 104), None, req):
            lines.append((when, msg))
        for when, msg in sorted(lines, key=lambda x: x[0]):
            logs.append(k.log(flg, stream, when, msg))
        body = {
            "requestId": k.uuid(rng),
            "ip": f"{rng.choice([1, 49, 101, 110, 120, 139, 180, 203])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
            "requestTime": (tm + timedelta(hours=0)).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": "GET",
            "resourcePath": "/v1/policies/{policyId}/documents/{docType}",
            "status": str(status),
            "responseLength": str(rng.randint(180000, 900000) if status == 200 else 61),
            "integrationLatency": str(round(dur + 4)),
        }
        logs.append(
            k.log(
                alg,
                f"{k.hexs(rng, 32)}",
                tm + timedelta(milliseconds=dur + 12),
                json.dumps(body, separators=(",", ":")),
            )
        )
        gap = rng.uniform(20, 50) if tm < fine_from else rng.uniform(2.5, 5.5)
        tm += timedelta(seconds=gap / max(0.1, k.diurnal(tm, off, 14.0, 0.08)))
    # --- CloudTrail -----------------------------------------------------------------------------------------------
    trail = k.Trail(rng, account, region)
    eng_ip = k.office_ip(rng)
    eng = k.sso_user(
        rng,
        account,
        region,
        f"sam.whitlock@{org}.com.au",
        "PlatformEngineer",
        eng_ip,
        k.cli_agent(rng, "s3api.put-bucket-lifecycle-configuration"),
        False,
    )
    eng_ro = k.Principal(eng.identity, eng_ip, k.cli_agent(rng, "s3api.get-bucket-lifecycle-configuration"))
    s3host = f"{bucket}.s3.{region}.amazonaws.com"
    s3_extra = {
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": k.upper(rng, 40) + "=",
            "bytesTransferredOut": 0,
        }
    }
    bres = [{"accountId": account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    existing_rules = [
        {
            "ID": "abort-incomplete-mpu",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
        {
            "ID": "archive-old-renewals",
            "Filter": {"Prefix": "archive/"},
            "Status": "Enabled",
            "Transition": {"Days": 90, "StorageClass": "GLACIER_IR"},
        },
    ]
    new_rule = {
        "ID": "expire-legacy-v1-documents",
        "Filter": {"Prefix": "documents/"},
        "Status": "Enabled",
        "Expiration": {"Days": 1},
    }
    trail.add(
        rule_t - timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(1, 59)),
        eng_ro,
        "s3.amazonaws.com",
        "GetBucketLifecycle",
        {"bucketName": bucket, "Host": s3host, "lifecycle": ""},
        None,
        read_only=True,
        resources=bres,
        extra=s3_extra,
        host=s3host,
    )
    trail.add(
        rule_t - timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(1, 59)),
        eng_ro,
        "s3.amazonaws.com",
        "ListObjects",
        {"bucketName": bucket, "Host": s3host, "prefix": "documents/", "delimiter": "/", "max-keys": "1000"},
        None,
        read_only=True,
        resources=bres,
        extra=s3_extra,
        host=s3host,
    )
    culprit = trail.add(
        rule_t,
        eng,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        {
            "bucketName": bucket,
            "Host": s3host,
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [*existing_rules, new_rule],
            },
        },
        None,
        resources=bres,
        extra={
            **s3_extra,
            "additionalEventData": {
                **s3_extra["additionalEventData"],
                "bytesTransferredIn": rng.randint(700, 900),
            },
        },
        host=s3host,
    )
    trail.add(
        rule_t + timedelta(seconds=rng.randint(20, 60)),
        eng_ro,
        "s3.amazonaws.com",
        "GetBucketLifecycle",
        {"bucketName": bucket, "Host": s3host, "lifecycle": ""},
        None,
        read_only=True,
        resources=bres,
        extra=s3_extra,
        host=s3host,
    )
    # same engineer tidied other buckets that afternoon
    for i in range(2):
        other = rng.choice([f"{org}-ci-artifacts", f"{org}-athena-results", f"{org}-tmp-exports"])
        t_o = rule_t + timedelta(minutes=rng.randint(6, 30) + 20 * i, seconds=rng.randint(1, 59))
        ob = [{"accountId": account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{other}"}]
        trail.add(
            t_o,
            eng,
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            {
                "bucketName": other,
                "Host": f"{other}.s3.{region}.amazonaws.com",
                "lifecycle": "",
                "LifecycleConfiguration": {
                    "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                    "Rule": [
                        {
                            "ID": "expire-after-7d",
                            "Filter": {"Prefix": ""},
                            "Status": "Enabled",
                            "Expiration": {"Days": 7},
                        }
                    ],
                },
            },
            None,
            resources=ob,
            extra=s3_extra,
            host=f"{other}.s3.{region}.amazonaws.com",
        )
    # innocent changes near the onset
    gha_ip = f"20.{rng.randint(25, 230)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    gha = k.role_session(
        rng,
        account,
        "gha-deploy-policy-docs",
        "GitHubActions",
        gha_ip,
        "Boto3/1.34.110 md/Botocore#1.34.110 ua/2.0 os/linux#6.5.0-1021-azure md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.110",
    )
    trail.add(
        render_mod,
        gha,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": render_fn,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"{org}-lambda-artifacts",
            "s3Key": f"policy-docs/{render_fn}/{k.hexs(rng, 40)}.zip",
        },
        {
            "functionName": render_fn,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{render_fn}",
            "runtime": "python3.12",
            "codeSize": rng.randint(9_000_000, 30_000_000),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        version="1.08",
    )
    ops = k.sso_user(
        rng,
        account,
        region,
        f"mei.lin@{org}.com.au",
        "DeveloperAccess",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    trail.add(
        stage_changed,
        ops,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "patchOperations": [{"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"}],
        },
        {
            "deploymentId": deployment_id,
            "stageName": "prod",
            "methodSettings": {"*/*": {"metricsEnabled": True, "loggingLevel": "ERROR"}},
            "lastUpdatedDate": k.iso(stage_changed),
        },
        version="1.08",
    )
    dd_ = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        f"3.233.{rng.randint(140, 159)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.51.30 (go1.22.2; linux; amd64)",
    )
    tm = start + timedelta(minutes=rng.randint(1, 9), seconds=rng.randint(0, 59))
    while tm < now:
        calls: list[tuple[str, str, k.JSON]] = [
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
            ("s3.amazonaws.com", "ListBuckets", {"Host": f"s3.{region}.amazonaws.com"}),
            ("dynamodb.amazonaws.com", "ListTables", {}),
        ]
        src, nm, rq = rng.choice(calls)
        trail.add(tm, dd_, src, nm, rq, None, read_only=True)
        tm += timedelta(minutes=rng.randint(25, 60), seconds=rng.randint(0, 59))
    cfg = k.service_role(
        rng, account, "AWSServiceRoleForConfig", "AWSConfig-Describe", "config.amazonaws.com"
    )
    tm = rule_t + timedelta(minutes=rng.randint(1, 20), seconds=rng.randint(1, 59))
    trail.add(
        tm,
        cfg,
        "s3.amazonaws.com",
        "GetBucketLifecycle",
        {"bucketName": bucket, "Host": s3host, "lifecycle": ""},
        None,
        read_only=True,
        resources=bres,
        extra=s3_extra,
        host=s3host,
    )
    trail.add(
        rule_t + timedelta(minutes=rng.randint(2, 8), seconds=rng.randint(1, 59)),
        cfg,
        "s3.amazonaws.com",
        "GetBucketPolicy",
        {"bucketName": bucket, "Host": s3host, "policy": ""},
        None,
        read_only=True,
        resources=bres,
        extra=s3_extra,
        host=s3host,
    )
    oncall = k.sso_user(
        rng,
        account,
        region,
        f"jack.nguyen@{org}.com.au",
        "DeveloperAccess",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    tm = alarm_at + timedelta(minutes=rng.randint(6, 11))
    for src, nm, rq in (
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["policy-docs-api-5xx"]}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fetch_fn}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": f"/aws/lambda/{fetch_fn}", "filterPattern": "ERROR"},
        ),
        ("apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": "prod"}),
    ):
        if tm < now:
            trail.add(tm, oncall, src, nm, rq, None, read_only=True)
        tm += timedelta(seconds=rng.randint(30, 120))

    asked = now - timedelta(minutes=rng.randint(3, 9))
    loc = asked + timedelta(hours=off)
    first = onset + timedelta(minutes=rng.randint(10, 20)) + timedelta(hours=off)
    question = rng.choice(
        [
            f"Customers have been ringing since about {first.hour % 12 or 12}:{first.minute - first.minute % 5:02d} saying they can't download their policy documents - the portal just says 'something went wrong'. The policy-docs-api 5xx alarm is on. What's broken?",
            f"policy-docs-api is returning 500s for document downloads since around {first.hour % 12 or 12}:{first.minute - first.minute % 5:02d} this morning (it's {loc.hour % 12 or 12}:{loc.minute:02d} now). Nothing was deployed to the API today as far as I know. What's going on?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bucket,
                    "category": "change",
                    "failure_mode": "s3-lifecycle-expiration-on-live-prefix",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:s3:::{bucket}", "expire-legacy-v1-documents"],
                "actions": ["rollback"],
                "chain": [
                    f"PutBucketLifecycle on {bucket} added expire-legacy-v1-documents: documents/ expires after 1 day",
                    "after midnight UTC S3 lifecycle expires every documents/ object older than a day (no CloudTrail record for the deletions)",
                    f"{fetch_fn} GetObject gets NoSuchKey for older policies' documents and returns 500",
                    f"{api_name} prod 5XXError rises; customers cannot download documents",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.records(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": [],
        },
    )
