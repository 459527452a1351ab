"""Monthly statements stop going out: statement-render fails every job after a key policy rewrite."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzf import Kit, diurnal, iso, iso_ms, minute, noisy

NAME = "statement-render-errors-after-lunch"
TITLE = "Customers say this month's statements never arrived; statement-render errors alarm after lunch"
SUMMARY = (
    "A Terraform apply rewrote the statement-data KMS key policy and left out the render Lambda's role; "
    "every S3 read of SSE-KMS input fails with kms:Decrypt AccessDenied and jobs dead-letter."
)

TZ = ZoneInfo("Europe/London")
REGION = "eu-west-1"
PY_UA = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 lang/python#3.12.3 exec-env/AWS_Lambda_python3.12"
TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
    "md/GOOS#linux md/GOARCH#amd64 api/kms#1.31.0"
)


def build(seed: int) -> Bundle:
    k = Kit(seed, REGION)
    r = k.r
    acct = k.account
    day = k.onset_day(months=(2, 3, 4, 5, 6, 9, 10, 11))
    local = day.replace(tzinfo=TZ).replace(hour=r.choice([13, 14]), minute=r.randint(2, 50))
    onset = minute(local.astimezone(ZoneInfo("UTC")))
    start = onset - timedelta(hours=4, minutes=r.randint(0, 20))
    now = onset + timedelta(minutes=r.randint(38, 55))
    peak = r.uniform(28, 46)

    fn = "statement-render"
    fn_role = "statement-render-lambda"
    key_id = k.uuid()
    key_arn = f"arn:aws:kms:{REGION}:{acct}:key/{key_id}"
    logs_key = k.uuid()
    data_bucket = f"tallyhouse-statement-data-{acct}"
    out_bucket = f"tallyhouse-statements-{acct}"
    q = "statement-render-jobs"
    dlq = "statement-render-jobs-dlq"
    q_url = f"https://sqs.{REGION}.amazonaws.com/{acct}/{q}"
    dlq_url = f"https://sqs.{REGION}.amazonaws.com/{acct}/{dlq}"
    topic = f"arn:aws:sns:{REGION}:{acct}:statements-oncall"
    sso_admin = f"AWSReservedSSO_PlatformAdmin_{k.hexid(16)}"

    # --- identities ----------------------------------------------------------------------------
    tf = k.role_identity("platform-terraform-apply", f"GitHubActions-{r.randint(8000000000, 8999999999)}")
    ci = k.role_identity("statements-deploy", f"GitHubActions-{r.randint(8000000000, 8999999999)}")
    render = k.role_identity(fn_role, fn)
    api_task = k.role_identity("statement-api-task", k.hexid(32))
    grafana = k.role_identity("grafana-cloudwatch-read", "grafana")
    config = k.role_identity(
        "AWSServiceRoleForConfig", "AWSConfig-Describe", path="/aws-service-role/config.amazonaws.com/"
    )
    dev = k.role_identity(
        f"AWSReservedSSO_Developer_{k.hexid(16)}",
        "priya.nair@tallyhouse.co.uk",
        path="/aws-reserved/sso.amazonaws.com/eu-west-2/",
    )

    # --- timeline ------------------------------------------------------------------------------
    notify_deploy = onset - timedelta(minutes=r.randint(22, 41), seconds=r.randint(0, 59))
    tf_run = onset - timedelta(minutes=r.randint(2, 5), seconds=r.randint(5, 50))
    put_policy_t = tf_run + timedelta(seconds=r.randint(20, 40))
    fail_from = put_policy_t + timedelta(seconds=10)

    # --- key policy as Terraform wrote it ------------------------------------------------------
    policy = {
        "Version": "2012-10-17",
        "Id": "statement-data",
        "Statement": [
            {
                "Sid": "EnableRootAccountPermissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}},
            },
            {
                "Sid": "KeyAdministrators",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{acct}:role/platform-terraform-apply",
                        f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/eu-west-2/{sso_admin}",
                    ]
                },
                "Action": [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                    "kms:RotateKeyOnDemand",
                ],
                "Resource": "*",
            },
            {
                "Sid": "StatementServicesUse",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{acct}:role/statement-api-task",
                        f"arn:aws:iam::{acct}:role/statement-ingest-task",
                    ]
                },
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
            },
            {
                "Sid": "AllowS3ServiceGrants",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{acct}:role/statement-api-task",
                        f"arn:aws:iam::{acct}:role/statement-ingest-task",
                    ]
                },
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }
    policy_text = json.dumps(policy, indent=2)

    # --- resources -----------------------------------------------------------------------------
    k.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": "2024-03-11T10:42:07Z",
            "Enabled": True,
            "Description": "statement-data: customer transaction extracts for statements",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    k.res(
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/statement-data",
            "AliasArn": f"arn:aws:kms:{REGION}:{acct}:alias/statement-data",
            "TargetKeyId": key_id,
            "CreationDate": "2024-03-11T10:42:09Z",
            "LastUpdatedDate": "2024-03-11T10:42:09Z",
        },
    )
    k.res("kms", "KeyPolicy", {"KeyId": key_id, "PolicyName": "default", "Policy": policy_text})
    k.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": logs_key,
            "Arn": f"arn:aws:kms:{REGION}:{acct}:key/{logs_key}",
            "CreationDate": "2023-09-02T08:15:51Z",
            "Enabled": True,
            "Description": "cloudwatch-logs",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    funcs = {}
    for name, role, mem, timeout, handler, modified in (
        (fn, fn_role, 1024, 120, "handler.handler", "2026-01-14T09:12:44.000+0000"),
        (
            "statement-notify",
            "statement-notify-lambda",
            256,
            30,
            "notify.handler",
            iso_ms(notify_deploy + timedelta(seconds=3)),
        ),
        (
            "ledger-reconcile",
            "ledger-reconcile-lambda",
            512,
            300,
            "app.reconcile",
            "2025-12-02T15:40:12.000+0000",
        ),
    ):
        funcs[name] = k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": f"arn:aws:lambda:{REGION}:{acct}:function:{name}",
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{acct}:role/{role}",
                "Handler": handler,
                "CodeSize": r.randint(2_000_000, 9_000_000),
                "Description": "",
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": modified,
                "CodeSha256": k.hexid(43) + "=",
                "Version": "$LATEST",
                "Environment": {
                    "Variables": {
                        "DATA_BUCKET": data_bucket,
                        "OUTPUT_BUCKET": out_bucket,
                        "LOG_LEVEL": "INFO",
                    }
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": k.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )
    esm_uuid = k.uuid()
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": f"arn:aws:sqs:{REGION}:{acct}:{q}",
            "FunctionArn": funcs[fn]["FunctionArn"],
            "LastModified": "2026-01-14T09:20:03Z",
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 40},
        },
    )
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": fn_role,
            "RoleId": "AROA" + k.upper(17),
            "Arn": f"arn:aws:iam::{acct}:role/{fn_role}",
            "CreateDate": "2024-03-11T10:44:30Z",
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            "RoleLastUsed": {"LastUsedDate": iso(now - timedelta(seconds=20)), "Region": REGION},
        },
    )
    k.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": fn_role,
            "PolicyName": "AWSLambdaSQSQueueExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        },
    )
    k.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": fn_role,
            "PolicyName": "statement-render-data",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject"],
                        "Resource": f"arn:aws:s3:::{data_bucket}/*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject"],
                        "Resource": f"arn:aws:s3:::{out_bucket}/*",
                    },
                    {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn},
                ],
            },
        },
    )
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "statement-api-task",
            "RoleId": "AROA" + k.upper(17),
            "Arn": f"arn:aws:iam::{acct}:role/statement-api-task",
            "CreateDate": "2024-03-11T10:44:31Z",
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            "RoleLastUsed": {"LastUsedDate": iso(now - timedelta(seconds=50)), "Region": REGION},
        },
    )
    for name, url, extra in (
        (
            q,
            q_url,
            {
                "VisibilityTimeout": "180",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{acct}:{dlq}", "maxReceiveCount": 3}
                ),
            },
        ),
        (dlq, dlq_url, {"VisibilityTimeout": "30", "MessageRetentionPeriod": "1209600"}),
    ):
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": url,
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{acct}:{name}",
                    "ApproximateNumberOfMessages": "0",
                    "CreatedTimestamp": "1710153870",
                    "LastModifiedTimestamp": "1710153870",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": extra.pop("MessageRetentionPeriod", "345600"),
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "SqsManagedSseEnabled": "true",
                    **extra,
                },
                "Tags": {"service": "statements", "team": "billing"},
            },
        )
    k.res(
        "s3", "Bucket", {"Name": data_bucket, "CreationDate": "2024-03-11T10:41:02Z", "BucketRegion": REGION}
    )
    k.res(
        "s3", "Bucket", {"Name": out_bucket, "CreationDate": "2024-03-11T10:41:03Z", "BucketRegion": REGION}
    )
    for name in (fn, "statement-notify", "ledger-reconcile"):
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": 1710153900000,
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/lambda/{name}:*",
                "storedBytes": r.randint(10**8, 10**9),
            },
        )

    # --- metrics -------------------------------------------------------------------------------
    def arrivals(t):
        return noisy(r, peak * diurnal(t, 13.5, 0.3), 0.15)

    arr = {}
    t = start
    while t < now + timedelta(minutes=1):
        arr[t] = arrivals(t)
        t += timedelta(minutes=1)
    fdim = {"FunctionName": fn}
    fail_min = minute(fail_from)

    def inv(t):
        a = arr[t]
        if t < fail_min:
            return round(a)
        el = (t - fail_min).total_seconds() / 60
        return round(a * (1 + min(2, el / 3)))  # redeliveries after the visibility timeout

    k.series("AWS/Lambda", "Invocations", fdim, "Count", start, now, inv)
    k.series(
        "AWS/Lambda",
        "Errors",
        fdim,
        "Count",
        start,
        now,
        lambda t: inv(t) if t >= fail_min else (1 if r.random() < 0.03 else 0),
    )
    k.series("AWS/Lambda", "Throttles", fdim, "Count", start, now, lambda t: 0)
    k.stat_series(
        "AWS/Lambda",
        "Duration",
        fdim,
        "Milliseconds",
        start,
        now,
        lambda t: (lambda n, d: (n, n * d, d * 0.55, d * 2.1))(
            max(1, inv(t)), r.uniform(1650, 2100) if t < fail_min else r.uniform(160, 240)
        ),
    )
    k.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fdim,
        "Count",
        start,
        now,
        lambda t: max(1, round(inv(t) * (1.9 if t < fail_min else 0.2) / 60 * 1.2)),
    )
    qd = {"QueueName": q}
    k.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, lambda t: round(arr[t]))
    k.series("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, inv)
    k.series(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        start,
        now,
        lambda t: round(arr[t]) - (1 if r.random() < 0.03 else 0) if t < fail_min else 0,
    )
    k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: r.randint(0, 2) if t < fail_min else round(arr[t] * r.uniform(0.5, 2.5)),
    )
    k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: (
            r.randint(1, 4)
            if t < fail_min
            else round(arr[t] * min(6, 1 + (t - fail_min).total_seconds() / 60 * 0.7))
        ),
    )
    k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        start,
        now,
        lambda t: (
            r.randint(1, 6)
            if t < fail_min
            else min(560, 30 + (t - fail_min).total_seconds() * 0.95) + r.randint(0, 15)
        ),
    )
    dl = {"QueueName": dlq}
    dlq_base = 0
    # the DLQ had been idle for days, so SQS published nothing for it; metrics resume some minutes after it fills
    dlq_seen = fail_min + timedelta(minutes=9 + r.randint(4, 12))

    def dlq_vis(t):
        if t < fail_min + timedelta(minutes=9):
            return dlq_base
        el = (t - fail_min - timedelta(minutes=9)).total_seconds() / 60
        return dlq_base + round(sum(arr[fail_min + timedelta(minutes=i)] for i in range(int(el) + 1)))

    k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dl,
        "Count",
        start,
        now,
        lambda t: dlq_vis(t) if t >= dlq_seen else None,
    )
    k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dl,
        "Seconds",
        start,
        now,
        lambda t: None if t < dlq_seen else (t - fail_min - timedelta(minutes=9)).total_seconds() + 60,
    )
    for res in k.resources:
        if res["type"] == "Queue":
            at = res["item"]["Attributes"]
            if res["item"]["QueueUrl"] == dlq_url:
                at["ApproximateNumberOfMessages"] = str(dlq_vis(minute(now)))
            else:
                at["ApproximateNumberOfMessages"] = str(round(arr[minute(now)] * 1.4))
                at["ApproximateNumberOfMessagesNotVisible"] = str(round(arr[minute(now)] * 5))
    # statement-notify: S3-triggered by new PDFs, so it goes quiet when renders stop (deployed earlier, fine)
    nd = {"FunctionName": "statement-notify"}
    k.series(
        "AWS/Lambda",
        "Invocations",
        nd,
        "Count",
        start,
        now,
        lambda t: round(arr[t] * 0.98) if t < fail_min + timedelta(minutes=1) else None,
    )
    k.series(
        "AWS/Lambda",
        "Errors",
        nd,
        "Count",
        start,
        now,
        lambda t: 0 if t < fail_min + timedelta(minutes=1) else None,
    )
    k.stat_series(
        "AWS/Lambda",
        "Duration",
        nd,
        "Milliseconds",
        start,
        now,
        lambda t: (
            (lambda n: (n, n * 310, 140, 900))(max(1, round(arr[t])))
            if t < fail_min + timedelta(minutes=1)
            else None
        ),
    )
    # ledger-reconcile: every 15 minutes, sometimes long
    ld = {"FunctionName": "ledger-reconcile"}
    slow_runs = set(r.sample(range(int((now - start).total_seconds() // 900) - 4), 2))
    runs = {}
    t = start.replace(minute=(start.minute // 15) * 15)
    i = 0
    while t < now:
        if t >= start:
            runs[t] = i in slow_runs
        t += timedelta(minutes=15)
        i += 1
    k.series("AWS/Lambda", "Invocations", ld, "Count", start, now, lambda t: 1 if t in runs else None)
    k.series("AWS/Lambda", "Errors", ld, "Count", start, now, lambda t: 0 if t in runs else None)
    k.series(
        "AWS/Lambda",
        "Duration",
        ld,
        "Milliseconds",
        start,
        now,
        lambda t: (r.uniform(212000, 268000) if runs[t] else r.uniform(61000, 118000)) if t in runs else None,
    )
    # SES: sends fall with the notifications
    k.series(
        "AWS/SES",
        "Send",
        {},
        "Count",
        start,
        now,
        lambda t: (
            round(arr[t] * 0.98 + r.uniform(3, 9))
            if t < fail_min + timedelta(minutes=1)
            else round(r.uniform(3, 9))
        ),
    )

    # --- logs ----------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    stream = f"{(start).strftime('%Y/%m/%d')}/[$LATEST]{k.hexid(32)}"
    t = start + timedelta(seconds=r.randint(5, 40))
    while t < now:
        failing = t >= fail_from
        rid = k.uuid()
        acc = f"ACC-{r.randint(100000, 999999)}"
        period = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        k.log(grp, stream, t, f"START RequestId: {rid} Version: $LATEST")
        k.log(
            grp,
            stream,
            t + timedelta(milliseconds=4),
            f"[INFO]\t{iso_ms(t)[:-5]}Z\t{rid}\tRendering statement for {acc} period {period}",
        )
        if not failing:
            d = r.uniform(1500, 2300)
            k.log(
                grp,
                stream,
                t + timedelta(milliseconds=int(d) - 8),
                f"[INFO]\t{iso_ms(t + timedelta(milliseconds=int(d)))[:-5]}Z\t{rid}\tWrote s3://{out_bucket}/{period}/{acc}.pdf ({r.randint(41000, 190000)} bytes)",
            )
        else:
            d = r.uniform(150, 260)
            k.log(
                grp,
                stream,
                t + timedelta(milliseconds=int(d) - 6),
                f"[ERROR] ClientError: An error occurred (AccessDenied) when calling the GetObject operation: "
                f"User: arn:aws:sts::{acct}:assumed-role/{fn_role}/{fn} is not authorized to perform: kms:Decrypt "
                f"on resource: {key_arn} because no resource-based policy allows the kms:Decrypt action\n"
                f"Traceback (most recent call last):\n"
                f'  File "/var/task/handler.py", line 63, in handler\n'
                f'    extract = load_extract(body["account"], body["period"])\n'
                f'  File "/var/task/handler.py", line 31, in load_extract\n'
                f"    obj = s3.get_object(Bucket=DATA_BUCKET, Key=key)\n"
                f'  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1021, in _make_api_call\n'
                f"    raise error_class(parsed_response, operation_name)",
            )
        k.log(grp, stream, t + timedelta(milliseconds=int(d)), f"END RequestId: {rid}")
        k.log(
            grp,
            stream,
            t + timedelta(milliseconds=int(d) + 1),
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {r.randint(160, 240)} MB",
        )
        t += timedelta(seconds=r.randint(150, 260) if not failing else r.randint(25, 70))
    ngrp = "/aws/lambda/statement-notify"
    nstream = f"{notify_deploy.strftime('%Y/%m/%d')}/[$LATEST]{k.hexid(32)}"
    k.log(
        ngrp,
        nstream,
        notify_deploy + timedelta(seconds=40),
        "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:"
        + k.hexid(64),
    )
    t = notify_deploy + timedelta(seconds=41)
    while t < fail_from + timedelta(seconds=50):
        rid = k.uuid()
        k.log(ngrp, nstream, t, f"START RequestId: {rid} Version: $LATEST")
        k.log(
            ngrp,
            nstream,
            t + timedelta(milliseconds=280),
            f"[INFO]\t{iso_ms(t)[:-5]}Z\t{rid}\tqueued statement email template=statement-ready-v4 message_id=0102{k.hexid(12)}-{k.uuid()}-000000",
        )
        k.log(ngrp, nstream, t + timedelta(milliseconds=300), f"END RequestId: {rid}")
        k.log(
            ngrp,
            nstream,
            t + timedelta(milliseconds=301),
            f"REPORT RequestId: {rid}\tDuration: 296.41 ms\tBilled Duration: 297 ms\tMemory Size: 256 MB\tMax Memory Used: 88 MB",
        )
        t += timedelta(seconds=r.randint(90, 200))
    lgrp = "/aws/lambda/ledger-reconcile"
    for rt, slow in runs.items():
        rid = k.uuid()
        ls = f"{rt.strftime('%Y/%m/%d')}/[$LATEST]{k.hexid(32)}"
        k.log(lgrp, ls, rt + timedelta(seconds=1), f"START RequestId: {rid} Version: $LATEST")
        d = r.uniform(212000, 268000) if slow else r.uniform(61000, 118000)
        k.log(
            lgrp,
            ls,
            rt + timedelta(milliseconds=int(d) - 20),
            f"[INFO]\t{iso_ms(rt)[:-5]}Z\t{rid}\treconciled {r.randint(800, 4000)} ledger rows, {r.randint(0, 3)} mismatches queued for review",
        )
        k.log(lgrp, ls, rt + timedelta(milliseconds=int(d)), f"END RequestId: {rid}")
        k.log(
            lgrp,
            ls,
            rt + timedelta(milliseconds=int(d) + 1),
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {r.randint(300, 470)} MB",
        )

    # --- alarms --------------------------------------------------------------------------------
    alarm_t = fail_min + timedelta(minutes=3, seconds=r.randint(10, 50))
    vals = [float(inv(fail_min + timedelta(minutes=i))) for i in range(3)]
    text, data = k.reason(vals, 60, 3, 5, "greater than", fail_min + timedelta(minutes=2))
    err_alarm = k.alarm(
        "statement-render-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims=fdim,
        stat="Sum",
        period=60,
        evals=3,
        threshold=5,
        op="GreaterThanThreshold",
        state="ALARM",
        reason=text,
        reason_data=data,
        updated=alarm_t,
        configured=start - timedelta(days=210),
        topic=topic,
        description="statement-render failing jobs. Runbook: wiki/billing/statements#render",
    )
    k.transition("statement-render-errors", alarm_t, "OK", "ALARM", text, data)
    dlq_p = dlq_seen.replace(minute=dlq_seen.minute - dlq_seen.minute % 5)
    dlq_t = dlq_p + timedelta(minutes=5, seconds=r.randint(20, 59))
    dtext, ddata = k.reason(
        [float(max(dlq_vis(dlq_p + timedelta(minutes=i)) for i in range(5)))],
        300,
        1,
        0,
        "greater than",
        dlq_p,
        stat="Maximum",
    )
    k.alarm(
        "statement-render-jobs-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=dl,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        state="ALARM",
        missing="notBreaching",
        reason=dtext,
        reason_data=ddata,
        updated=dlq_t,
        configured=start - timedelta(days=210),
        topic=topic,
    )
    k.transition("statement-render-jobs-dlq-not-empty", dlq_t, "OK", "ALARM", dtext, ddata)
    k.alarm(
        "statement-notify-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims=nd,
        stat="Sum",
        period=300,
        evals=1,
        threshold=3,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (3.0).",
        updated=start - timedelta(days=6),
        configured=start - timedelta(days=210),
        topic=topic,
    )
    # ledger-reconcile duration alarm flaps on its slow runs
    lname = "ledger-reconcile-duration-high"
    k.alarm(
        lname,
        namespace="AWS/Lambda",
        metric="Duration",
        dims=ld,
        stat="Maximum",
        period=900,
        evals=1,
        threshold=200000,
        op="GreaterThanThreshold",
        state="OK",
        missing="notBreaching",
        reason="Threshold Crossed: 1 datapoint [84211.7] was not greater than the threshold (200000.0).",
        updated=max(rt for rt, s_ in runs.items() if s_) + timedelta(minutes=31),
        configured=start - timedelta(days=90),
        topic=f"arn:aws:sns:{REGION}:{acct}:finance-eng-lowprio",
    )
    for rt, slow in sorted(runs.items()):
        if slow:
            k.transition(
                lname,
                rt + timedelta(minutes=16),
                "OK",
                "ALARM",
                "Threshold Crossed: 1 datapoint [231877.4] was greater than the threshold (200000.0).",
            )
            k.transition(
                lname,
                rt + timedelta(minutes=31),
                "ALARM",
                "OK",
                "Threshold Crossed: 1 datapoint [88402.1] was not greater than the threshold (200000.0).",
            )

    # --- cloudtrail ----------------------------------------------------------------------------
    gh_ip = f"20.{r.randint(26, 230)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    # GitHub OIDC for the notify deploy
    k.ct(
        notify_deploy - timedelta(seconds=9),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "type": "WebIdentityUser",
            "principalId": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:tallyhouse/statements:ref:refs/heads/main",
            "userName": "repo:tallyhouse/statements:ref:refs/heads/main",
            "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
        },
        params={
            "roleArn": f"arn:aws:iam::{acct}:role/statements-deploy",
            "roleSessionName": ci["principalId"].split(":")[1],
            "durationSeconds": 3600,
        },
        response={
            "credentials": {
                "accessKeyId": ci["accessKeyId"],
                "sessionToken": "<redacted>",
                "expiration": iso(notify_deploy + timedelta(hours=1)),
            },
            "subjectFromWebIdentityToken": "repo:tallyhouse/statements:ref:refs/heads/main",
            "assumedRoleUser": {"assumedRoleId": ci["principalId"], "arn": ci["arn"]},
            "provider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
            "audience": "sts.amazonaws.com",
        },
        ip=gh_ip,
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/sts#3.556.0",
    )
    k.ct(
        notify_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        params={"functionName": "statement-notify", "publish": False, "dryRun": False},
        response={
            "functionName": "statement-notify",
            "functionArn": funcs["statement-notify"]["FunctionArn"],
            "runtime": "python3.12",
            "role": funcs["statement-notify"]["Role"],
            "handler": "notify.handler",
            "codeSize": funcs["statement-notify"]["CodeSize"],
            "timeout": 30,
            "memorySize": 256,
            "lastModified": funcs["statement-notify"]["LastModified"],
            "codeSha256": funcs["statement-notify"]["CodeSha256"],
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        ip=gh_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.update-function-code",
        session_time=notify_deploy - timedelta(seconds=9),
    )
    k.ct(
        notify_deploy + timedelta(seconds=6),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        params={"functionName": "statement-notify"},
        ip=gh_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.wait.function-updated-v2",
    )
    # the Terraform apply of the platform repo (key rotation enabled, policy rewritten, log retention)
    tf_ip = f"20.{r.randint(26, 230)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    k.ct(
        tf_run - timedelta(seconds=12),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "type": "WebIdentityUser",
            "principalId": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:tallyhouse/platform-infra:ref:refs/heads/main",
            "userName": "repo:tallyhouse/platform-infra:ref:refs/heads/main",
            "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
        },
        params={
            "roleArn": f"arn:aws:iam::{acct}:role/platform-terraform-apply",
            "roleSessionName": tf["principalId"].split(":")[1],
            "durationSeconds": 3600,
        },
        response={
            "credentials": {
                "accessKeyId": tf["accessKeyId"],
                "sessionToken": "<redacted>",
                "expiration": iso(tf_run + timedelta(hours=1)),
            },
            "subjectFromWebIdentityToken": "repo:tallyhouse/platform-infra:ref:refs/heads/main",
            "assumedRoleUser": {"assumedRoleId": tf["principalId"], "arn": tf["arn"]},
            "provider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
            "audience": "sts.amazonaws.com",
        },
        ip=tf_ip,
        agent="aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.6",
    )
    tfk: dict[str, Any] = dict(ip=tf_ip, agent=TF_UA, session_time=tf_run - timedelta(seconds=12))
    tf_reads: tuple[tuple[str, dict[str, Any]], ...] = (
        ("DescribeKey", {"keyId": key_id}),
        ("GetKeyPolicy", {"keyId": key_id, "policyName": "default"}),
        ("GetKeyRotationStatus", {"keyId": key_id}),
        ("ListResourceTags", {"keyId": key_id}),
        ("DescribeKey", {"keyId": logs_key}),
        ("ListAliases", {"limit": 100}),
    )
    for i, (name, params) in enumerate(tf_reads):
        k.ct(
            tf_run + timedelta(seconds=i * 2),
            "kms.amazonaws.com",
            name,
            tf,
            params=params,
            resources=[
                {
                    "accountId": acct,
                    "type": "AWS::KMS::Key",
                    "ARN": f"arn:aws:kms:{REGION}:{acct}:key/{params.get('keyId', key_id)}",
                }
            ]
            if "keyId" in params
            else None,
            **tfk,
        )
    k.ct(
        tf_run + timedelta(seconds=15),
        "kms.amazonaws.com",
        "EnableKeyRotation",
        tf,
        params={"keyId": key_id, "rotationPeriodInDays": 365},
        read_only=False,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
        **tfk,
    )
    culprit = k.ct(
        put_policy_t,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        tf,
        params={
            "keyId": key_id,
            "policyName": "default",
            "policy": json.dumps(policy, separators=(",", ":")),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        read_only=False,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
        **tfk,
    )
    k.ct(
        put_policy_t + timedelta(seconds=4),
        "kms.amazonaws.com",
        "GetKeyPolicy",
        tf,
        params={"keyId": key_id, "policyName": "default"},
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
        **tfk,
    )
    k.ct(
        put_policy_t + timedelta(seconds=7),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        tf,
        params={"logGroupName": "/aws/lambda/statement-notify", "retentionInDays": 30},
        read_only=False,
        **tfk,
    )
    # KMS Decrypt calls S3 makes for the render role (sampled) and the API's own calls
    t = start + timedelta(seconds=r.randint(30, 200))
    while t < now:
        failing = t >= fail_from
        ok_err = (
            (
                "AccessDenied",
                f"User: arn:aws:sts::{acct}:assumed-role/{fn_role}/{fn} is not authorized to perform: kms:Decrypt on resource: {key_arn} because no resource-based policy allows the kms:Decrypt action",
            )
            if failing
            else None
        )
        ident = dict(render)
        ident["invokedBy"] = "s3.amazonaws.com"
        acc = f"ACC-{r.randint(100000, 999999)}"
        k.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            ident,
            params={
                "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{data_bucket}/extracts/{acc}.json.gz"},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
            ip="s3.amazonaws.com",
            agent="s3.amazonaws.com",
            error=ok_err,
            extra={"additionalEventData": {"keyMaterialId": k.hexid(64)}} if not failing else None,
        )
        t += timedelta(seconds=r.randint(420, 720) if not failing else r.randint(60, 150))
    t = start + timedelta(seconds=r.randint(30, 400))
    while t < now:
        k.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            api_task,
            params={
                "encryptionContext": {"service": "statement-api"},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
            ip=f"10.40.{r.randint(10, 12)}.{r.randint(5, 250)}",
            agent="aws-sdk-java/2.25.31 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
        )
        t += timedelta(seconds=r.randint(600, 1100))
    # Lambda's own SQS polling is not logged; the ledger role reads its secret on each run
    for rt in runs:
        k.ct(
            rt + timedelta(seconds=2),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            k.role_identity("ledger-reconcile-lambda", "ledger-reconcile"),
            params={
                "secretId": f"arn:aws:secretsmanager:{REGION}:{acct}:secret:ledger/readonly-db-{k.upper(6)}"
            },
            ip=f"3.{r.randint(240, 255)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
            agent=PY_UA,
        )
    # tooling noise
    calls: list[tuple[str, str, dict, dict | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", grafana, {"startTime": "", "endTime": ""}),
        ("kms.amazonaws.com", "DescribeKey", config, {"keyId": key_id}),
        ("kms.amazonaws.com", "GetKeyRotationStatus", config, {"keyId": key_id}),
        ("lambda.amazonaws.com", "ListFunctions20150331", config, {"maxItems": 50}),
        ("sqs.amazonaws.com", "ListQueues", config, None),
    ]
    k.readonly_noise(start, now, calls, r.randint(40, 60), ip="10.20.4.17")
    for rec in k.trail:
        if rec["eventName"] == "GetMetricData":
            rec["requestParameters"] = {
                "startTime": iso(
                    minute(
                        __import__("datetime").datetime.fromisoformat(rec["eventTime"].replace("Z", "+00:00"))
                    )
                    - timedelta(hours=3)
                ),
                "endTime": rec["eventTime"],
                "maxDatapoints": 1500,
            }
        if (
            rec["userIdentity"].get("sessionContext", {}).get("sessionIssuer", {}).get("userName")
            == "AWSServiceRoleForConfig"
        ):
            rec["sourceIPAddress"] = "config.amazonaws.com"
            rec["userAgent"] = "config.amazonaws.com"
            rec["userIdentity"]["invokedBy"] = "config.amazonaws.com"
            rec.pop("tlsDetails", None)
    # a developer looks around after the page
    dt = alarm_t + timedelta(minutes=r.randint(4, 9))
    devk: dict[str, Any] = dict(
        ip=f"81.{r.randint(2, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        session_time=dt - timedelta(minutes=2),
    )
    dev_reads: tuple[tuple[str, str, dict[str, Any] | None], ...] = (
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "statement-notify"}),
        ("lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": "statement-notify"}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {
                "logGroupName": "/aws/lambda/statement-notify",
                "orderBy": "LastEventTime",
                "descending": True,
            },
        ),
        ("ses.amazonaws.com", "GetAccount", None),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
    )
    for i, (src, name, dev_params) in enumerate(dev_reads):
        k.ct(dt + timedelta(seconds=i * 37), src, name, dev, params=dev_params, **devk)

    ev = k.alarm_event(
        err_alarm,
        alarm_t,
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints [0.0, 1.0, 0.0] were not greater than the threshold (5.0) (minimum 3 datapoints for ALARM -> OK transition).",
        start - timedelta(days=2, hours=3),
        text,
        data,
    )
    asked = (fail_from - timedelta(minutes=r.randint(0, 6))).astimezone(TZ)
    question = (
        f"Support are getting emails from customers saying their statement never arrived, they think since about "
        f"{asked.strftime('%-I:%M%p').lower()} our time. Someone deployed statement-notify after lunch - did that break "
        f"the emails? The statement-render errors alarm went off too."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": key_id,
            "category": "change",
            "failure_mode": "kms-key-policy-principal-removed",
            "event_id": culprit["eventID"],
        },
        "also_accept": [key_arn, "statement-data", "alias/statement-data"],
        "actions": ["rollback"],
        "chain": [key_id, fn, q, "statement-notify"],
    }
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": question, "alarm_event": ev, "timezone": "Europe/London"},
        truth=truth,
    )
