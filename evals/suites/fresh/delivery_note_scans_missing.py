"""Delivery-note scans stop reaching the archive: a bucket policy now demands SSE-KMS on every upload."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzo import (
    Ctx,
    fn_config,
    iam_role,
    iso,
    lambda_report,
    lambda_stream,
    log_group,
    minute,
    onset_day,
    sqs_queue,
)

NAME = "delivery-note-scans-missing-from-portal"
TITLE = "Drivers' delivery-note scans not showing in the customer portal since mid-morning"
SUMMARY = (
    "A security engineer's bucket-policy edit denies uploads without SSE-KMS headers; the scan ingest "
    "Lambda's PutObject calls get AccessDenied and scans dead-letter."
)

_TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    onset = onset_day(seed, 9, 11)
    ctx = Ctx(seed, "eu-west-2", onset - timedelta(hours=3, minutes=50), onset + timedelta(minutes=52))
    rng = ctx.rng
    office_ip = f"{rng.choice([81, 86, 110, 124, 203])}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    acct = ctx.account
    bucket = f"tallyport-docs-archive-prod-{acct[-4:]}"
    thumbs_bucket = f"tallyport-docs-thumbs-prod-{acct[-4:]}"
    table = "docscan-index"
    fn, thumbs_fn = "docscan-ingest", "docscan-thumbs"
    queue, dlq = "docscan-uploads", "docscan-uploads-dlq"
    role = "docscan-ingest-role"
    onset = onset + timedelta(seconds=rng.randint(5, 50))
    user = rng.choice(["priya.nair", "tom.halloran", "aisha.okafor", "marek.zielinski"]) + "@tallyport.co.uk"
    base_rate = rng.uniform(16, 30)
    key_arn = ctx.arn("kms", f"key/{ctx.uid()}")

    # ---------------- resources ----------------
    ctx.res(
        "s3",
        "Bucket",
        {"Name": bucket, "CreationDate": iso(ctx.start - timedelta(days=900)), "BucketRegion": ctx.region},
    )
    ctx.res(
        "s3",
        "Bucket",
        {
            "Name": thumbs_bucket,
            "CreationDate": iso(ctx.start - timedelta(days=880)),
            "BucketRegion": ctx.region,
        },
    )
    policy = {
        "Version": "2012-10-17",
        "Id": "docs-archive-policy",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowPortalRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{acct}:role/docs-portal-api-role"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            },
            {
                "Sid": "DenyUnEncryptedObjectUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
        ],
    }
    ctx.res("s3", "BucketPolicy", {"Bucket": bucket, "Policy": json.dumps(policy)})
    for b in (bucket, thumbs_bucket):
        ctx.res(
            "s3",
            "BucketPublicAccessBlock",
            {
                "Bucket": b,
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    cfg_change = onset - timedelta(hours=2, minutes=rng.randint(5, 40))
    fn_config(
        ctx,
        fn,
        role,
        "python3.12",
        "ingest.handler.handler",
        512,
        60,
        cfg_change,
        {
            "ARCHIVE_BUCKET": bucket,
            "INDEX_TABLE": table,
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": "docscan",
        },
    )
    thumbs_deploy = onset - timedelta(minutes=rng.randint(28, 45))
    fn_config(
        ctx,
        thumbs_fn,
        "docscan-thumbs-role",
        "python3.12",
        "thumbs.handler",
        1024,
        30,
        thumbs_deploy,
        {"THUMBS_BUCKET": thumbs_bucket},
    )
    q_arn = sqs_queue(
        ctx,
        queue,
        {
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": ctx.arn("sqs", dlq), "maxReceiveCount": 5}, separators=(",", ":")
            ),
            "ApproximateNumberOfMessages": str(rng.randint(40, 120)),
            "ApproximateNumberOfMessagesNotVisible": str(rng.randint(20, 60)),
        },
    )
    sqs_queue(
        ctx,
        dlq,
        {
            "MessageRetentionPeriod": "1209600",
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
        },
    )
    esm_uuid = ctx.uid()
    ctx.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "EventSourceArn": q_arn,
            "FunctionArn": ctx.arn("lambda", f"function:{fn}"),
            "LastModified": iso(ctx.start - timedelta(days=120)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 20},
            "EventSourceMappingArn": ctx.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    ctx.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(ctx.start - timedelta(days=870)),
            "AttributeDefinitions": [
                {"AttributeName": "consignmentId", "AttributeType": "S"},
                {"AttributeName": "scanId", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "consignmentId", "KeyType": "HASH"},
                {"AttributeName": "scanId", "KeyType": "RANGE"},
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(2 * 10**9, 6 * 10**9),
            "ItemCount": rng.randint(4 * 10**6, 9 * 10**6),
            "DeletionProtectionEnabled": True,
        },
    )
    iam_role(
        ctx,
        role,
        "lambda.amazonaws.com",
        "docscan-ingest",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:PutObject", "s3:GetObject"],
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                    "Resource": ctx.arn("dynamodb", f"table/{table}"),
                },
                {
                    "Effect": "Allow",
                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    "Resource": q_arn,
                },
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn},
            ],
        },
    )
    log_group(ctx, f"/aws/lambda/{fn}")
    log_group(ctx, f"/aws/lambda/{thumbs_fn}", 14)

    # ---------------- metrics and logs ----------------
    lam = {"FunctionName": fn}
    s3dims = {"BucketName": bucket, "FilterId": "EntireBucket"}
    backlog = float(rng.randint(0, 10))
    in_flight: list[tuple[int, float, int]] = []  # (minute visible again, messages, receive count)
    dlq_count = 0.0
    age = 0.0
    err_series: list[float] = []
    mins = ctx.minutes()
    for i, t in enumerate(mins):
        broken = t >= minute(onset) + timedelta(minutes=1)
        hour = t.hour + t.minute / 60
        shape = 0.7 + 0.5 * min(1.0, max(0.0, (hour - 6.5) / 3.0))
        sent = max(0.0, round(rng.gauss(base_rate * shape, base_rate * 0.12)))
        ctx.metric("AWS/SQS", "NumberOfMessagesSent", {"QueueName": queue}, t, sent)
        # retries re-appear after the visibility timeout (3 minutes)
        returning = [(m, n) for due, m, n in in_flight if due == i]
        in_flight = [(d, m, n) for d, m, n in in_flight if d != i]
        received = backlog + sent + sum(m for m, _ in returning)
        invocations = max(1.0, round(received / rng.uniform(3.2, 4.2)))
        if broken:
            # each message is tried five times (maxReceiveCount), then SQS moves it to the dead-letter queue
            dlq_count += sum(m for m, n in returning if n >= 5)
            in_flight.append((i + 3, sent, 1))
            in_flight.extend((i + 3, m, n + 1) for m, n in returning if n < 5)
            deleted = 0.0
            errors = invocations
            age = min(age + 60.0, 15 * 60 + rng.uniform(0, 70))
            dur = [rng.uniform(180, 420) for _ in range(int(invocations))]
        else:
            deleted = received
            errors = 1.0 if rng.random() < 0.015 else 0.0
            age = rng.uniform(4, 28)
            dur = [rng.uniform(380, 1900) for _ in range(int(invocations))]
        backlog = 0.0
        visible = sum(m for _, m, _ in in_flight) * 0.15 if broken else rng.uniform(0, 6)
        ctx.metric("AWS/SQS", "NumberOfMessagesReceived", {"QueueName": queue}, t, received)
        ctx.metric("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": queue}, t, deleted)
        ctx.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": queue}, t, round(age), "Seconds")
        ctx.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue}, t, round(visible))
        ctx.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, t, dlq_count)
        ctx.metric("AWS/Lambda", "Invocations", lam, t, invocations)
        ctx.metric("AWS/Lambda", "Errors", lam, t, errors)
        ctx.metric("AWS/Lambda", "Throttles", lam, t, 0)
        ctx.stats("AWS/Lambda", "Duration", lam, t, dur, "Milliseconds")
        ctx.metric(
            "AWS/Lambda", "ConcurrentExecutions", lam, t, min(20, max(1, round(invocations * 0.9 / 60 * 8)))
        )
        err_series.append(errors)
        puts = received if broken else deleted
        ctx.metric("AWS/S3", "PutRequests", s3dims, t, puts)
        gets = max(0.0, round(rng.gauss(base_rate * 2.6 * shape, 6)))
        ctx.metric("AWS/S3", "GetRequests", s3dims, t, gets)
        ctx.metric("AWS/S3", "AllRequests", s3dims, t, puts + gets + rng.randint(0, 3))
        fours = (received if broken else 0) + (1 if rng.random() < 0.08 else 0)
        if fours:
            ctx.metric("AWS/S3", "4xxErrors", s3dims, t, fours)
        new_objects = 0 if broken else deleted
        t_inv = round(new_objects * rng.uniform(0.97, 1.0))
        if t_inv:
            ctx.metric("AWS/Lambda", "Invocations", {"FunctionName": thumbs_fn}, t, t_inv)
            ctx.metric("AWS/Lambda", "Errors", {"FunctionName": thumbs_fn}, t, 0)
        ddb = deleted * 2
        if ddb:
            ctx.metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": table}, t, ddb)
        ctx.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": table},
            t,
            round(rng.gauss(base_rate * 3 * shape, 5)) * 0.5,
        )

        # logs: a sample of invocations
        if rng.random() < 0.35:
            stream = lambda_stream(ctx, t)
            req = ctx.uid()
            at = ctx.jitter(t, 50)
            ctx.log(f"/aws/lambda/{fn}", stream, at, f"START RequestId: {req} Version: $LATEST")
            cons = f"TP{rng.randint(10**8, 10**9 - 1)}GB"
            key = f"scans/{t:%Y/%m/%d}/{cons}/{ctx.hexid(12)}.pdf"
            if broken:
                msg = (
                    "[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation: "
                    "Access Denied\nTraceback (most recent call last):\n"
                    '  File "/var/task/ingest/handler.py", line 64, in handler\n    store_scan(body)\n'
                    '  File "/var/task/ingest/handler.py", line 37, in store_scan\n    s3.put_object(\n'
                    '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 569, in _api_call\n'
                    "    return self._make_api_call(operation_name, kwargs)\n"
                    '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1023, in '
                    "_make_api_call\n    raise error_class(parsed_response, operation_name)"
                )
                ctx.log(
                    f"/aws/lambda/{fn}",
                    stream,
                    at + timedelta(milliseconds=90),
                    f"[INFO]\t{iso(at)}\t{req}\treceived 10 records, first {cons}",
                )
                ctx.log(f"/aws/lambda/{fn}", stream, at + timedelta(milliseconds=260), msg)
                lambda_report(
                    ctx,
                    f"/aws/lambda/{fn}",
                    stream,
                    at,
                    req,
                    rng.uniform(180, 420),
                    512,
                    rng.randint(96, 110),
                )
            else:
                ctx.log(
                    f"/aws/lambda/{fn}",
                    stream,
                    at + timedelta(milliseconds=90),
                    f"[INFO]\t{iso(at)}\t{req}\treceived {rng.randint(2, 10)} records, first {cons}",
                )
                ctx.log(
                    f"/aws/lambda/{fn}",
                    stream,
                    at + timedelta(milliseconds=700),
                    f"[INFO]\t{iso(at)}\t{req}\tstored s3://{bucket}/{key} ({rng.randint(90, 900)} KB), indexed",
                )
                if rng.random() < 0.04:
                    ctx.log(
                        f"/aws/lambda/{fn}",
                        stream,
                        at + timedelta(milliseconds=720),
                        f"[WARNING]\t{iso(at)}\t{req}\tscan {cons} has no depot barcode; filed under UNKNOWN",
                    )
                lambda_report(
                    ctx,
                    f"/aws/lambda/{fn}",
                    stream,
                    at,
                    req,
                    rng.uniform(400, 1800),
                    512,
                    rng.randint(96, 130),
                )
        if not broken and rng.random() < 0.2:
            stream = lambda_stream(ctx, t)
            req = ctx.uid()
            at = ctx.jitter(t, 50)
            ctx.log(f"/aws/lambda/{thumbs_fn}", stream, at, f"START RequestId: {req} Version: $LATEST")
            ctx.log(
                f"/aws/lambda/{thumbs_fn}",
                stream,
                at + timedelta(milliseconds=600),
                f"[INFO]\t{iso(at)}\t{req}\tthumbnail written to {thumbs_bucket} (2 pages)",
            )
            lambda_report(
                ctx,
                f"/aws/lambda/{thumbs_fn}",
                stream,
                at,
                req,
                rng.uniform(500, 1400),
                1024,
                rng.randint(180, 260),
            )

    # ---------------- alarms ----------------
    topic = ctx.arn("sns", "ops-alerts")
    first_err = minute(onset) + timedelta(minutes=1)
    fire = first_err + timedelta(minutes=5, seconds=rng.randint(10, 50))
    err_alarm = ctx.alarm(
        "docscan-ingest-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        stat="Sum",
        period=300,
        threshold=5,
        state="ALARM",
        reason="",
        state_at=fire,
        description="docscan-ingest is failing invocations",
        actions=[topic],
    )
    vals = [float(sum(err_series[mins.index(first_err) : mins.index(first_err) + 5]))]
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{vals[0]} ({iso(first_err)[8:10]}/"
        f"{iso(first_err)[5:7]}/{iso(first_err)[2:4]} {first_err:%H:%M:%S})] was greater than the threshold (5.0) "
        "(minimum 1 datapoint for OK -> ALARM transition)."
    )
    err_alarm["StateReason"] = reason
    data = ctx.reason_data(err_alarm, fire, vals)
    err_alarm["StateReasonData"] = json.dumps(data, separators=(",", ":"))
    ok_before = ctx.start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 12))
    ctx.history(err_alarm, fire, "OK", "ALARM", reason, data)
    dlq_fire = minute(onset) + timedelta(minutes=rng.randint(19, 21), seconds=rng.randint(0, 59))
    dlq_alarm = ctx.alarm(
        "docscan-uploads-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        stat="Maximum",
        period=300,
        threshold=0,
        state="ALARM",
        reason="Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (0.0) "
        "(minimum 1 datapoint for OK -> ALARM transition).",
        state_at=dlq_fire,
        actions=[topic],
    )
    ctx.history(dlq_alarm, dlq_fire, "OK", "ALARM", dlq_alarm["StateReason"])
    # an unrelated, flapping portal latency alarm
    lat = ctx.alarm(
        "docs-portal-api-p95-latency",
        "AWS/ApiGateway",
        "Latency",
        {"ApiName": "docs-portal-api", "Stage": "prod"},
        stat="Average",
        period=60,
        threshold=900,
        evals=3,
        dtp=2,
        state="OK",
        reason="Threshold Crossed: 2 out of the last 3 datapoints were not greater than the threshold (900.0) "
        "(minimum 2 datapoints for ALARM -> OK transition).",
        state_at=onset - timedelta(minutes=rng.randint(60, 100)),
        unit="Milliseconds",
    )
    flap = onset - timedelta(minutes=rng.randint(105, 140))
    ctx.history(
        lat,
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (900.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    ctx.history(lat, flap + timedelta(minutes=rng.randint(4, 9)), "ALARM", "OK", lat["StateReason"])
    for t in mins:
        spike = flap - timedelta(minutes=3) <= t <= flap + timedelta(minutes=5)
        v = rng.uniform(950, 1300) if spike else rng.gauss(240, 40)
        ctx.metric(
            "AWS/ApiGateway", "Latency", {"ApiName": "docs-portal-api", "Stage": "prod"}, t, v, "Milliseconds"
        )
        ctx.metric(
            "AWS/ApiGateway",
            "Count",
            {"ApiName": "docs-portal-api", "Stage": "prod"},
            t,
            rng.randint(60, 140),
        )
        ctx.metric(
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "docs-portal-api", "Stage": "prod"},
            t,
            1 if rng.random() < 0.05 else 0,
        )

    # ---------------- cloudtrail ----------------
    sso = ctx.sso(user, "SecurityEngineer", onset)
    ctx.trail(
        onset - timedelta(minutes=rng.randint(6, 9)),
        "s3.amazonaws.com",
        "GetBucketPolicy",
        sso,
        read_only=True,
        request={"bucketName": bucket, "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com", "policy": ""},
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]",
        ip=office_ip,
    )
    ctx.trail(
        onset - timedelta(minutes=rng.randint(3, 5)),
        "s3.amazonaws.com",
        "GetBucketEncryption",
        sso,
        read_only=True,
        request={"bucketName": bucket, "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com", "encryption": ""},
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]",
        ip=office_ip,
    )
    culprit = ctx.trail(
        onset,
        "s3.amazonaws.com",
        "PutBucketPolicy",
        sso,
        read_only=False,
        request={
            "bucketPolicy": policy,
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com",
            "policy": "",
        },
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]",
        ip=office_ip,
        resources=[{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        extra={
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": len(json.dumps(policy)),
                "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": ctx.hexid(60),
                "bytesTransferredOut": 0,
            }
        },
    )
    tf = "terraform-platform-apply"
    tag_t = onset - timedelta(minutes=rng.randint(70, 95))
    ctx.trail(
        tag_t,
        "s3.amazonaws.com",
        "PutBucketTagging",
        ctx.role_identity("platform-terraform", tf, tag_t),
        read_only=False,
        request={
            "bucketName": thumbs_bucket,
            "Host": f"{thumbs_bucket}.s3.{ctx.region}.amazonaws.com",
            "Tagging": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "TagSet": {
                    "Tag": [{"Key": "cost-centre", "Value": "CC-214"}, {"Key": "team", "Value": "docs"}]
                },
            },
            "tagging": "",
        },
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
    )
    gha = "GitHubActions"
    ctx.trail(
        thumbs_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ctx.role_identity("github-actions-deploy", gha, thumbs_deploy),
        read_only=False,
        request={"functionName": thumbs_fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        response={
            "functionName": thumbs_fn,
            "functionArn": ctx.arn("lambda", f"function:{thumbs_fn}"),
            "runtime": "python3.12",
            "handler": "thumbs.handler",
            "codeSize": rng.randint(4_000_000, 9_000_000),
            "lastModified": iso(thumbs_deploy).replace("Z", ".000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
        },
        agent="aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
    )
    ops = ctx.sso(
        rng.choice(["dan.fairbrother", "keiko.sato"]) + "@tallyport.co.uk", "PlatformEngineer", cfg_change
    )
    ctx.trail(
        cfg_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ops,
        read_only=False,
        request={
            "functionName": fn,
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        },
        response={
            "functionName": fn,
            "functionArn": ctx.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "memorySize": 512,
            "timeout": 60,
            "lastModified": iso(cfg_change).replace("Z", ".000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-internal/3 aws-sdk-java/1.12.772",
        ip=office_ip,
    )
    ssm_t = onset + timedelta(minutes=rng.randint(10, 25))
    ctx.trail(
        ssm_t,
        "ssm.amazonaws.com",
        "PutParameter",
        ctx.role_identity("github-actions-deploy", gha, ssm_t),
        read_only=False,
        request={
            "name": "/docs-portal/prod/feature-flags",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        response={"version": rng.randint(20, 80), "tier": "Standard"},
    )
    reads = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("sqs.amazonaws.com", "ListQueues", None),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("s3.amazonaws.com", "ListBuckets", {"Host": f"s3.{ctx.region}.amazonaws.com"}),
        (
            "s3.amazonaws.com",
            "GetBucketLocation",
            {"bucketName": bucket, "location": "", "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com"},
        ),
        ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
    ]
    ctx.tooling_reads(rng.randint(34, 48), reads, "grafana-cloudwatch-readonly", "grafana")
    for k in range(rng.randint(5, 8)):
        t = ctx.start + timedelta(minutes=rng.randint(0, int((ctx.now - ctx.start).total_seconds() // 60)))
        ctx.lambda_assume(t, role, fn)
        del k

    local = (onset - timedelta(minutes=onset.minute % 5)).astimezone(_TZ)
    ask = rng.choice(
        [
            f"Depots say drivers' delivery-note scans from after about {local:%-I:%M}"
            f"{'am' if local.hour < 12 else 'pm'} aren't in the customer portal. Is the portal broken?",
            f"customer services: PODs uploaded since ~{local:%H:%M} don't show up in the portal, older ones fine. what's going on?",
        ]
    )
    prev_reason = (
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (5.0) "
        "(minimum 1 datapoint for ALARM -> OK transition)."
    )
    event = ctx.alarm_event(err_alarm, fire, reason, data, prev_reason, ok_before)
    return ctx.bundle(
        TITLE,
        {"question": ask, "alarm_event": event, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": bucket,
                "category": "change",
                "failure_mode": "bucket-policy-denies-uploads",
                "event_id": culprit,
            },
            "also_accept": [f"arn:aws:s3:::{bucket}", "DenyUnEncryptedObjectUploads"],
            "actions": ["rollback", "reconfigure"],
            "chain": [bucket, fn, queue, dlq, "docs-portal-api"],
        },
    )
