"""A security engineer replaces the payouts KMS key's policy with one naming its principals explicitly
(dropping the statement that delegated to IAM). The payouts dispatcher Lambda, whose access came from
its IAM role policy, is no longer allowed to decrypt; every invocation fails."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_d import (
    Ctx,
    background_trail,
    cli_ua,
    ct,
    diurnal,
    grid,
    iam_role,
    iso,
    lambda_function,
    lambda_invocation,
    lambda_metrics,
    lambda_stream,
    log_group,
    py_ts,
    role_session,
    sso_user,
)

NAME = "kms-key-policy-lambda-decrypt"
TITLE = "payouts-dispatcher failing every invocation"
SUMMARY = (
    "PutKeyPolicy on the payouts PII key replaced the IAM-delegation statement with an explicit principal "
    "list that omits the dispatcher's role; kms:Decrypt is denied and every payout fails."
)

BOTO_UA = (
    "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.223-233.872.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"
)


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed)
    rng = ctx.rng
    day = ctx.day()
    onset = day.replace(hour=rng.randrange(12, 21), minute=rng.randrange(60), second=rng.randrange(60))
    start = onset - timedelta(hours=4, minutes=rng.randrange(0, 40))
    fine = start
    points = grid(start, onset + timedelta(hours=1, minutes=30), fine)
    peak = rng.uniform(14, 17)
    per_min = rng.uniform(2.5, 5.0)
    fn = "payouts-dispatcher"
    queue, dlq = "payout-requests", "payout-requests-dlq"
    key_id = ctx.uuid()
    key_arn = ctx.arn("kms", f"key/{key_id}")
    alias = "alias/payouts-pii"

    # --- resources --------------------------------------------------------------------------------
    role = iam_role(ctx, f"{fn}-role", "lambda.amazonaws.com", day - timedelta(days=380), last_used=onset)
    api_role = iam_role(
        ctx, "payouts-api-task", "ecs-tasks.amazonaws.com", day - timedelta(days=420), last_used=onset
    )
    batch_role = iam_role(
        ctx,
        "payouts-batch-task",
        "ecs-tasks.amazonaws.com",
        day - timedelta(days=300),
        last_used=day - timedelta(hours=9),
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "AWSLambdaSQSQueueExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        },
    )
    ctx.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "payouts-pii-decrypt",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DecryptAccountNumbers",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt"],
                        "Resource": key_arn,
                    },
                    {
                        "Sid": "ReadBankCredentials",
                        "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue"],
                        "Resource": ctx.arn("secretsmanager", "secret:prod/payouts/bank-partner-*"),
                    },
                ],
            },
        },
    )
    sec_role = f"AWSReservedSSO_SecurityEngineer_{ctx.hex(16)}"
    admins = [
        f"arn:aws:iam::{ctx.account}:role/security-kms-admins",
        f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/{sec_role}",
    ]
    new_policy = {
        "Version": "2012-10-17",
        "Id": "payouts-pii",
        "Statement": [
            {
                "Sid": "KeyAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": admins},
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
                "Sid": "PayoutsApiEncrypt",
                "Effect": "Allow",
                "Principal": {"AWS": api_role["Arn"]},
                "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "PayoutsBatchDecrypt",
                "Effect": "Allow",
                "Principal": {"AWS": batch_role["Arn"]},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "AllowGrantsForAwsServices",
                "Effect": "Allow",
                "Principal": {"AWS": api_role["Arn"]},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }
    ctx.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": ctx.account,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": iso(day - timedelta(days=700)),
            "Enabled": True,
            "Description": "Payout account numbers (field-level encryption)",
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
    ctx.res(
        "kms",
        "KeyPolicy",
        {"KeyId": key_id, "PolicyName": "default", "Policy": json.dumps(new_policy, indent=2)},
    )
    q_url = f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}"
    q_arn, dlq_arn = ctx.arn("sqs", queue), ctx.arn("sqs", dlq)
    fconf = lambda_function(
        ctx,
        fn,
        role_arn=role["Arn"],
        runtime="python3.12",
        handler="handler.handler",
        memory=512,
        timeout=60,
        modified=day - timedelta(days=rng.randrange(6, 30), hours=rng.randrange(24)),
        env={
            "PII_KEY_ARN": key_arn,
            "BANK_PARTNER_SECRET": "prod/payouts/bank-partner",
            "POWERTOOLS_SERVICE_NAME": "payouts-dispatcher",
            "LOG_LEVEL": "INFO",
        },
        description="Sends approved payouts to the bank partner",
        arch="x86_64",
    )
    ctx.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": ctx.uuid(),
            "BatchSize": 5,
            "MaximumBatchingWindowInSeconds": 2,
            "EventSourceArn": q_arn,
            "FunctionArn": fconf["FunctionArn"],
            "LastModified": iso(day - timedelta(days=200)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 10},
        },
    )
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": q_arn,
                "VisibilityTimeout": "360",
                "MessageRetentionPeriod": "1209600",
                "ReceiveMessageWaitTimeSeconds": "0",
                "DelaySeconds": "0",
                "MaximumMessageSize": "262144",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}, separators=(",", ":")
                ),
                "KmsMasterKeyId": "alias/aws/sqs",
                "CreatedTimestamp": str(int((day - timedelta(days=380)).timestamp())),
                "LastModifiedTimestamp": str(int((day - timedelta(days=120)).timestamp())),
            },
            "Tags": {"team": "payouts"},
        },
    )
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{dlq}",
            "Attributes": {
                "QueueArn": dlq_arn,
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "ReceiveMessageWaitTimeSeconds": "0",
                "DelaySeconds": "0",
                "MaximumMessageSize": "262144",
                "KmsMasterKeyId": "alias/aws/sqs",
                "CreatedTimestamp": str(int((day - timedelta(days=380)).timestamp())),
                "LastModifiedTimestamp": str(int((day - timedelta(days=380)).timestamp())),
            },
            "Tags": {"team": "payouts"},
        },
    )
    report_fn = lambda_function(
        ctx,
        "payouts-reconciliation-report",
        role_arn=f"arn:aws:iam::{ctx.account}:role/payouts-reporting-role",
        runtime="python3.12",
        handler="report.handler",
        memory=1024,
        timeout=300,
        modified=onset + timedelta(minutes=60),
        description="Nightly reconciliation CSV for finance",
        arch="arm64",
    )
    log_group(ctx, f"/aws/lambda/{fn}", day - timedelta(days=380), retention=90)
    log_group(ctx, f"/aws/lambda/{report_fn['FunctionName']}", day - timedelta(days=200), retention=30)

    # --- the change and the failure ---------------------------------------------------------------
    t_put = onset - timedelta(seconds=rng.randrange(5, 40))

    # Lambda metrics from a per-minute count of SQS batches
    inv_times: list[datetime] = []

    def rate(t: datetime) -> float:
        return per_min * diurnal(t, peak, 0.45)

    counts = lambda_metrics(
        ctx,
        fn,
        points,
        rate,
        duration=lambda t: rng.uniform(380, 520) if t < onset else rng.uniform(60, 95),
        errors=lambda t, step: 0 if t + timedelta(seconds=step) <= onset else 10**6,
        concurrency=lambda t, step, d: max(1.0, rate(t) / 60 * d / 1000 * 4),
    )
    for t, (inv, _err, _thr) in counts.items():
        for _ in range(inv):
            inv_times.append(t + timedelta(seconds=rng.uniform(0, 59.9)))
    inv_times.sort()

    # SQS metrics: failing batches return after the 6 minute visibility timeout; 3 receives then DLQ
    dlq_depth = 0
    for t, step in points:
        sent = ctx.count(rate(t) * 2.2 * step / 60)
        bad = t >= onset.replace(second=0)
        mins = (t - onset).total_seconds() / 60
        recv = sent if not bad else sent * (1 + min(2, max(0, int(mins // 6))))
        moved = sent if bad and mins >= 12 else 0
        dlq_depth += moved
        qd, dd = {"QueueName": queue}, {"QueueName": dlq}
        ctx.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent)
        ctx.put("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", recv)
        ctx.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", sent if not bad else 0)
        ctx.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            t,
            "Count",
            ctx.count(1) if not bad else ctx.count(sent * 0.3),
        )
        ctx.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            qd,
            t,
            "Count",
            ctx.count(2) if not bad else round(sent * min(mins, 18)),
        )
        ctx.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            t,
            "Seconds",
            rng.randrange(1, 8) if not bad else round(min(mins * 60, 1080) + rng.uniform(0, 30)),
        )
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", dlq_depth)
        ctx.put("AWS/SQS", "NumberOfMessagesSent", dd, t, "Count", 0)

    topic = ctx.arn("sns", "payouts-pager")
    alarm = f"{fn}-errors"
    ctx.alarm(
        alarm,
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold=2,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic],
        ok_actions=[topic],
        description="payouts-dispatcher is failing. Payouts are delayed until it recovers.",
    )
    ctx.alarm(
        f"{dlq}-visible",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        f"{fn}-duration-p-avg",
        namespace="AWS/Lambda",
        metric="Duration",
        dims={"FunctionName": fn},
        statistic="Average",
        period=300,
        evaluation_periods=2,
        threshold=20000,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    ctx.alarm(
        f"{fn}-throttles",
        namespace="AWS/Lambda",
        metric="Throttles",
        dims={"FunctionName": fn},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=5,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    fired = ctx.first_alarm(alarm, fine, onset + timedelta(hours=1))
    now = max(fired + timedelta(minutes=rng.randrange(18, 30)), onset + timedelta(minutes=31)).replace(
        microsecond=0
    )
    ctx.evaluate_alarms(fine, now, since=day - timedelta(days=rng.randrange(4, 30)))
    event = ctx.alarm_event(alarm)

    # --- logs -------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    session_arn = f"arn:aws:sts::{ctx.account}:assumed-role/{role['RoleName']}/{fn}"
    deny = f"User: {session_arn} is not authorized to perform: kms:Decrypt on resource: {key_arn} because no resource-based policy allows the kms:Decrypt action"
    streams: list[tuple[str, datetime]] = []
    decrypts: list[tuple[datetime, bool, str]] = []
    for t in inv_times:
        if t > now:
            break
        streams = [(s, last) for s, last in streams if t - last < timedelta(minutes=rng.randrange(6, 20))]
        cold = not streams or (len(streams) < 3 and rng.random() < 0.05)
        if cold:
            streams.append((lambda_stream(ctx, t), t))
        stream, _ = streams[rng.randrange(len(streams))] if not cold else streams[-1]
        streams = [(s, t if s == stream else last) for s, last in streams]
        tenant = f"tn_{ctx.alnum(10)}"
        payout = f"po_{ctx.alnum(16)}"
        if t < onset:
            d = rng.uniform(300, 650)
            body = [
                (
                    40.0,
                    f"[INFO]\t{py_ts(t + timedelta(milliseconds=40))}\t{{rid}}\tProcessing {rng.randrange(1, 6)} payout request(s)",
                ),
                (
                    d - 30,
                    f"[INFO]\t{py_ts(t + timedelta(milliseconds=d - 30))}\t{{rid}}\tPayout {payout} accepted by bank partner (amount={rng.randrange(20, 9000)}.{rng.randrange(100):02d} {rng.choice(['USD', 'USD', 'CAD', 'EUR'])}, partner_ref={ctx.alnum(12, upper=True)})",
                ),
            ]
            if rng.random() < 0.04:
                body.insert(
                    1,
                    (
                        d / 2,
                        f"[WARNING]\t{py_ts(t + timedelta(milliseconds=d / 2))}\t{{rid}}\tBank partner responded slowly ({rng.randrange(2000, 4000)} ms); retrying status poll",
                    ),
                )
            decrypts.append((t + timedelta(milliseconds=60), True, tenant))
        else:
            d = rng.uniform(60, 95)
            err = (
                f"[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the Decrypt operation: {deny}\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/handler.py", line 47, in handler\n    account = decrypt_account(record["body"])\n'
                '  File "/var/task/payouts/crypto.py", line 19, in decrypt_account\n    resp = _kms.decrypt(\n'
                '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 565, in _api_call\n    return self._make_api_call(operation_name, kwargs)\n'
                '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)'
            )
            body = [
                (
                    30.0,
                    f"[INFO]\t{py_ts(t + timedelta(milliseconds=30))}\t{{rid}}\tProcessing {rng.randrange(1, 6)} payout request(s)",
                ),
                (d - 5, err),
            ]
            decrypts.append((t + timedelta(milliseconds=50), False, tenant))
        lambda_invocation(
            ctx,
            grp,
            stream,
            t,
            duration_ms=d,
            memory=512,
            used=rng.randrange(96, 112),
            body=body,
            init_ms=rng.uniform(700, 1100) if cold else None,
            status=None if t < onset else "error",
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    office = f"{rng.choice([38, 67, 104, 199])}.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    people = ["farah.haddad", "kevin.lindqvist", "mei.tanaka", "oscar.mendes", "julia.novak"]
    rng.shuffle(people)
    dom = rng.choice(["remitly-pay.com", "payhaven.io", "coinbridge.co"])
    sec = sso_user(ctx, f"{people[0]}@{dom}", "SecurityEngineer", ip=office)
    sec.identity["arn"] = f"arn:aws:sts::{ctx.account}:assumed-role/{sec_role}/{people[0]}@{dom}"
    sec.identity["sessionContext"]["sessionIssuer"]["arn"] = admins[1]
    sec.identity["sessionContext"]["sessionIssuer"]["userName"] = sec_role
    dev = sso_user(ctx, f"{people[1]}@{dom}", "PayoutsDeveloper", ip=office, console=True)
    background_trail(ctx, start, now, 34, [dev])
    ct(
        ctx,
        t_put - timedelta(minutes=rng.randrange(6, 14)),
        sec,
        "kms.amazonaws.com",
        "GetKeyPolicy",
        params={"keyId": alias, "policyName": "default"},
        read_only=True,
        ua=cli_ua("kms.get-key-policy"),
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        t_put - timedelta(minutes=rng.randrange(2, 5)),
        sec,
        "kms.amazonaws.com",
        "DescribeKey",
        params={"keyId": alias},
        read_only=True,
        ua=cli_ua("kms.describe-key"),
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    put = ct(
        ctx,
        t_put,
        sec,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        params={
            "keyId": alias,
            "policyName": "default",
            "policy": json.dumps(new_policy, indent=2),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        ua=cli_ua("kms.put-key-policy"),
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        t_put + timedelta(seconds=rng.randrange(40, 120)),
        sec,
        "kms.amazonaws.com",
        "TagResource",
        params={
            "keyId": alias,
            "tags": [
                {"tagKey": "data-classification", "tagValue": "restricted"},
                {"tagKey": "reviewed", "tagValue": "q-access-review"},
            ],
        },
        ua=cli_ua("kms.tag-resource"),
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    ct(
        ctx,
        t_put + timedelta(minutes=rng.randrange(3, 6)),
        sec,
        "kms.amazonaws.com",
        "GetKeyPolicy",
        params={"keyId": alias, "policyName": "default"},
        read_only=True,
        ua=cli_ua("kms.get-key-policy"),
        resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    # Decrypt records from the dispatcher (every call is a management event)
    fn_sess = role_session(
        ctx,
        role["RoleName"],
        fn,
        ua=BOTO_UA,
        ip=f"{rng.choice([3, 18, 34, 52])}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    for t, ok, tenant in decrypts:
        ct(
            ctx,
            t,
            fn_sess,
            "kms.amazonaws.com",
            "Decrypt",
            params={
                "encryptionContext": {"tenant": tenant, "purpose": "payout-account"},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            read_only=True,
            error=None if ok else ("AccessDenied", deny),
            resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
            session_start=t.replace(minute=0, second=0) if t.minute > 2 else t - timedelta(minutes=5),
        )
    # the API encrypting new account numbers keeps working
    api_sess = role_session(
        ctx,
        api_role["RoleName"],
        ctx.hex(32),
        ua="aws-sdk-java/2.26.7 Linux/5.10.223-211.872.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
        ip=f"10.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    t = start
    while t < now:
        t += timedelta(minutes=rng.uniform(3, 12))
        ct(
            ctx,
            t,
            api_sess,
            "kms.amazonaws.com",
            "GenerateDataKey",
            params={
                "keyId": alias,
                "encryptionContext": {"tenant": f"tn_{ctx.alnum(10)}", "purpose": "payout-account"},
                "keySpec": "AES_256",
            },
            read_only=True,
            resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
        )
    # a deploy of an unrelated function and a config tweak to the dispatcher earlier in the day
    ci = role_session(
        ctx,
        "github-actions-payouts",
        "GitHubActions",
        ua="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
        ip=f"20.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    t_dep = onset + timedelta(minutes=rng.randrange(3, 15))
    ct(
        ctx,
        t_dep,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        params={"functionName": report_fn["FunctionName"], "publish": True, "dryRun": False},
        response={
            "functionName": report_fn["FunctionName"],
            "functionArn": report_fn["FunctionArn"] + ":" + str(rng.randrange(20, 80)),
            "runtime": "python3.12",
            "codeSha256": report_fn["CodeSha256"],
            "state": "Pending",
            "lastUpdateStatus": "InProgress",
        },
    )
    report_fn["LastModified"] = t_dep.strftime("%Y-%m-%dT%H:%M:%S.") + "412+0000"
    dev_t = onset - timedelta(minutes=rng.randrange(12, 25))
    ct(
        ctx,
        dev_t,
        dev,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        params={"queueUrl": q_url, "attributeNames": ["All"]},
        read_only=True,
    )
    ct(
        ctx,
        dev_t + timedelta(minutes=1),
        dev,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        params={
            "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{dlq}",
            "attributes": {"MessageRetentionPeriod": "1209600"},
        },
    )

    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=None,
        alarm_event=event,
        timezone=None,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": key_arn,
                "category": "change",
                "failure_mode": "kms-key-policy-denies-decrypt",
                "event_id": put["eventID"],
            },
            "also_accept": [key_id, alias, "payouts-pii"],
            "actions": ["rollback"],
            "chain": [
                f"PutKeyPolicy on {alias} replaced the IAM-delegation statement with an explicit principal list",
                f"{role['RoleName']} is not in the new key policy, so its IAM permission no longer applies",
                f"{fn} gets AccessDeniedException on kms:Decrypt for every payout",
                f"invocations fail, {queue} messages retry and move to {dlq}; {alarm} fires",
            ],
        },
    )
