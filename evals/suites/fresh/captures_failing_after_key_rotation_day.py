"""Card captures fail in the capture workflow on the day the acquirer key was rotated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzu import (
    MIN,
    Account,
    iso,
    lambda_function,
    lambda_report,
    local_clock,
    log_stream,
    minutes,
    nat_metrics,
    network,
    tooling_reads,
)

NAME = "captures-failing-after-key-rotation-day"
TITLE = "Orders stuck in 'capture pending' since mid-afternoon; did today's key rotation break captures?"
SUMMARY = (
    "The card acquirer's capture API starts answering 503s and timing out; the capture workflow's "
    "executions fail after retries while an earlier, successful key rotation and deploy look suspicious."
)

ZONE = "Europe/London"
HOST = "api.kestrelpay.com"
BOTO = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12"


def build(seed: int) -> Bundle:
    a = Account(seed)
    rng = a.rng
    day = a.day(datetime(2026, 1, 12, tzinfo=UTC), 300)
    onset = day + timedelta(hours=rng.randint(13, 16), minutes=rng.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=rng.randint(35, 50))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    old = day - timedelta(days=rng.randint(200, 500))
    times = minutes(start, now)
    rotation = onset - timedelta(minutes=rng.randint(24, 41), seconds=rng.randint(0, 59))
    deploy = onset - timedelta(hours=2, minutes=rng.randint(5, 50))
    severity = rng.uniform(0.45, 0.75)  # share of capture attempts the acquirer fails

    net = network(a, old)
    sm_name = "payment-capture"
    sm_arn = a.arn("states", f"stateMachine:{sm_name}")
    cap_arn = a.arn("lambda", "function:acquirer-capture")
    topic_arn = a.arn("sns", "payment-events")
    definition = {
        "Comment": "Capture an authorised card payment with the acquirer",
        "StartAt": "ValidateOrder",
        "States": {
            "ValidateOrder": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": a.arn("lambda", "function:capture-validate"),
                    "Payload.$": "$",
                },
                "OutputPath": "$.Payload",
                "Next": "CaptureCharge",
            },
            "CaptureCharge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": cap_arn, "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "TimeoutSeconds": 40,
                "Retry": [
                    {
                        "ErrorEquals": [
                            "AcquirerUnavailable",
                            "Lambda.ServiceException",
                            "Lambda.TooManyRequestsException",
                        ],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2.0,
                    }
                ],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkCaptureFailed"}
                ],
                "Next": "PublishCaptured",
            },
            "PublishCaptured": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic_arn, "Message.$": "$"},
                "End": True,
            },
            "MarkCaptureFailed": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": "payments",
                    "Key": {"payment_id": {"S.$": "$.payment_id"}},
                    "UpdateExpression": "SET capture_status = :s",
                    "ExpressionAttributeValues": {":s": {"S": "CAPTURE_PENDING_RETRY"}},
                },
                "ResultPath": None,
                "Next": "CaptureFailed",
            },
            "CaptureFailed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        },
    }
    a.resource(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm_name,
            "status": "ACTIVE",
            "definition": json.dumps(definition),
            "roleArn": f"arn:aws:iam::{a.account}:role/payment-capture-sfn",
            "type": "STANDARD",
            "creationDate": iso(old),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "revisionId": a.uuid(),
        },
    )
    secret_name = "kestrelpay/api-key"
    secret_arn = a.arn("secretsmanager", f"secret:{secret_name}-{a.alnum(6)}")
    new_ver, prev_ver = a.uuid(), a.uuid()
    a.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": secret_name,
            "Description": "KestrelPay live API key used by acquirer-capture and refund-processor",
            "RotationEnabled": True,
            "RotationLambdaARN": a.arn("lambda", "function:kestrelpay-key-rotator"),
            "RotationRules": {"AutomaticallyAfterDays": 30},
            "LastRotatedDate": iso(rotation + MIN),
            "LastChangedDate": iso(rotation + MIN),
            "LastAccessedDate": iso(day),
            "NextRotationDate": iso(day + timedelta(days=30)),
            "CreatedDate": iso(old),
            "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "vendor", "Value": "kestrelpay"}],
        },
    )
    for vid, stage, created in (
        (new_ver, "AWSCURRENT", rotation + MIN / 2),
        (prev_ver, "AWSPREVIOUS", rotation - timedelta(days=30)),
    ):
        a.resource(
            "secretsmanager",
            "SecretVersion",
            {
                "SecretId": secret_arn,
                "VersionId": vid,
                "VersionStages": [stage],
                "CreatedDate": iso(created),
                "LastAccessedDate": iso(day),
            },
        )
    functions = {
        "capture-validate": (10, 256, "order and amount checks before capture", old + timedelta(days=30)),
        "acquirer-capture": (30, 512, "captures authorised charges with KestrelPay", deploy),
        "refund-processor": (30, 512, "submits refunds to KestrelPay", old + timedelta(days=60)),
        "fx-rates-sync": (60, 256, "pulls FX reference rates every 5 minutes", old + timedelta(days=90)),
        "kestrelpay-key-rotator": (
            60,
            256,
            "Secrets Manager rotation for the KestrelPay key",
            old + timedelta(days=10),
        ),
    }
    for fn, (timeout, mem, desc, modified) in functions.items():
        env = {"POWERTOOLS_SERVICE_NAME": fn}
        if fn in ("acquirer-capture", "refund-processor"):
            env.update(
                {
                    "ACQUIRER_BASE_URL": f"https://{HOST}/v1",
                    "ACQUIRER_SECRET_ID": secret_name,
                    "HTTP_READ_TIMEOUT": "10",
                }
            )
        if fn == "fx-rates-sync":
            env["FX_FEED_URL"] = "https://api.fxfeed.io/latest"
        lambda_function(
            a,
            fn,
            runtime="python3.12",
            handler="app.handler",
            timeout=timeout,
            memory=mem,
            modified=modified,
            role=f"{fn}-role",
            env=env,
            subnets=net["private"],
            sg=net["sg"],
            vpc=net["vpc"],
            description=desc,
        )
    a.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "payments",
            "TableArn": a.arn("dynamodb", "table/payments"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(old),
            "KeySchema": [{"AttributeName": "payment_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "payment_id", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ItemCount": rng.randint(4_000_000, 9_000_000),
            "TableSizeBytes": rng.randint(2_000_000_000, 6_000_000_000),
        },
    )

    # --- executions, metrics -------------------------------------------------------------------------
    rate = rng.uniform(45, 80)
    execs: list[dict[str, Any]] = []
    fail_share: dict[datetime, float] = {}
    for t in times:
        bad = t >= onset
        ramp = min(1.0, (t - onset).total_seconds() / 180) if bad else 0.0
        share = severity * ramp * rng.uniform(0.8, 1.15)
        fail_share[t] = share
        started = rate * rng.uniform(0.85, 1.15)
        failed = round(started * share) + (1 if rng.random() < 0.05 else 0)
        ok = max(0, round(started) - failed)
        sd = {"StateMachineArn": sm_arn}
        a.metric("AWS/States", "ExecutionsStarted", sd, t, round(started))
        a.metric("AWS/States", "ExecutionsSucceeded", sd, t, ok)
        a.metric("AWS/States", "ExecutionsFailed", sd, t, failed)
        a.metric("AWS/States", "ExecutionsTimedOut", sd, t, 0)
        a.metric("AWS/States", "ExecutionsAborted", sd, t, 0)
        a.metric("AWS/States", "ExecutionThrottled", sd, t, 0)
        et = [rng.uniform(700, 1500) for _ in range(max(1, ok // 8))] + [
            rng.uniform(16000, 38000) for _ in range(failed // 4)
        ]
        a.stats("AWS/States", "ExecutionTime", sd, t, et, "Milliseconds")
        attempts = started * (1 + 2.6 * share)
        cap_err = started * share * 3.2 * rng.uniform(0.9, 1.05)
        ld = {"FunctionName": "acquirer-capture"}
        a.metric("AWS/Lambda", "Invocations", ld, t, round(attempts))
        a.metric("AWS/Lambda", "Errors", ld, t, round(cap_err) + (1 if rng.random() < 0.06 else 0))
        a.metric("AWS/Lambda", "Throttles", ld, t, 0)
        durs = [rng.uniform(260, 700) for _ in range(10)]
        if bad:
            durs += [rng.uniform(10040, 10300) for _ in range(int(10 * share))]
            durs += [rng.uniform(900, 4000) for _ in range(int(6 * share))]
        a.stats("AWS/Lambda", "Duration", ld, t, durs, "Milliseconds")
        a.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            ld,
            t,
            round(attempts * (0.01 + 0.09 * share) + rng.randint(1, 3)),
        )
        la = {"LambdaFunctionArn": cap_arn}
        a.metric("AWS/States", "LambdaFunctionsScheduled", la, t, round(attempts))
        a.metric("AWS/States", "LambdaFunctionsSucceeded", la, t, round(attempts - cap_err))
        a.metric("AWS/States", "LambdaFunctionsFailed", la, t, round(cap_err))
        vd = {"FunctionName": "capture-validate"}
        a.metric("AWS/Lambda", "Invocations", vd, t, round(started))
        a.metric("AWS/Lambda", "Errors", vd, t, 0)
        a.stats("AWS/Lambda", "Duration", vd, t, [rng.uniform(40, 120) for _ in range(6)], "Milliseconds")
        rd = {"FunctionName": "refund-processor"}
        refunds = rng.randint(0, 4)
        a.metric("AWS/Lambda", "Invocations", rd, t, refunds)
        a.metric("AWS/Lambda", "Errors", rd, t, sum(1 for _ in range(refunds) if rng.random() < share))
        if t.minute % 5 == 0:
            fd = {"FunctionName": "fx-rates-sync"}
            a.metric("AWS/Lambda", "Invocations", fd, t, 1)
            a.metric("AWS/Lambda", "Errors", fd, t, 0)
            a.stats("AWS/Lambda", "Duration", fd, t, [rng.uniform(600, 1400)], "Milliseconds")
        if bad and rng.random() < 0.5:
            execs.append({"t": t, "status": "FAILED"})
        elif rng.random() < 0.04:
            execs.append({"t": t, "status": "SUCCEEDED"})
    nat_metrics(a, net["nat"], times, lambda t: rate * (1 + 2.6 * fail_share[t]) + 20)

    # executions as ListExecutions would show them (newest are what anyone looks at)
    for e in execs[-40:]:
        t0 = e["t"] + timedelta(seconds=rng.randint(0, 59))
        pid = "pay_" + a.alnum(24)
        item: dict[str, Any] = {
            "executionArn": a.arn("states", f"execution:{sm_name}:{pid}"),
            "stateMachineArn": sm_arn,
            "name": pid,
            "status": e["status"],
            "startDate": iso(t0),
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE" if e["status"] == "SUCCEEDED" else "REDRIVABLE",
        }
        if e["status"] == "FAILED":
            kind = rng.random()
            if kind < 0.6:
                msg = f"503 Server Error: Service Unavailable for url: https://{HOST}/v1/captures"
            elif kind < 0.85:
                msg = f"HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=10)"
            else:
                msg = f"504 Server Error: Gateway Timeout for url: https://{HOST}/v1/captures"
            item["stopDate"] = iso(t0 + timedelta(seconds=rng.randint(17, 38)))
            item["error"] = "AcquirerUnavailable"
            item["cause"] = json.dumps(
                {
                    "errorMessage": msg,
                    "errorType": "AcquirerUnavailable",
                    "requestId": a.uuid(),
                    "stackTrace": [
                        '  File "/var/task/app.py", line 88, in handler\n    raise AcquirerUnavailable(str(exc)) from exc\n'
                    ],
                }
            )
        else:
            item["stopDate"] = iso(t0 + timedelta(seconds=1))
        a.resource("stepfunctions", "DescribeExecutionOutput", item)

    # --- logs ----------------------------------------------------------------------------------------
    g = "/aws/lambda/acquirer-capture"
    stream = log_stream(a, start)
    key_ver = prev_ver
    for t in times:
        if t >= deploy and stream.startswith(f"{start:%Y/%m/%d}/[$LATEST]") and t - deploy < MIN:
            stream = log_stream(a, t)
        for _ in range(rng.randint(1, 2)):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            req = a.uuid()
            a.log(g, stream, at, f"START RequestId: {req} Version: $LATEST")
            if at > rotation + timedelta(minutes=rng.randint(3, 12)) and key_ver == prev_ver:
                key_ver = new_ver
                a.log(
                    g,
                    stream,
                    at,
                    f"[INFO]\t{iso(at)}\t{req}\trefreshed acquirer credentials from Secrets Manager (VersionId={key_ver})",
                )
            charge = "ch_" + a.alnum(24)
            if rng.random() < fail_share[t] * 1.1:
                kind = rng.random()
                if kind < 0.6:
                    dur = rng.uniform(800, 3800)
                    err = f"503 Server Error: Service Unavailable for url: https://{HOST}/v1/captures"
                elif kind < 0.85:
                    dur = rng.uniform(10040, 10250)
                    err = f"HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=10)"
                else:
                    dur = rng.uniform(9000, 10000)
                    err = f"504 Server Error: Gateway Timeout for url: https://{HOST}/v1/captures"
                end = at + timedelta(milliseconds=dur)
                a.log(g, stream, end, f"[ERROR]\t{iso(end)}\t{req}\tcapture {charge} failed: {err}")
                a.log(
                    g,
                    stream,
                    end,
                    f'[ERROR] AcquirerUnavailable: {err}\nTraceback (most recent call last):\n  File "/var/task/app.py", line 88, in handler\n    raise AcquirerUnavailable(str(exc)) from exc',
                )
            else:
                dur = rng.uniform(240, 680)
                end = at + timedelta(milliseconds=dur)
                hdr = " idempotency_key=set" if at >= deploy else ""
                a.log(
                    g,
                    stream,
                    end,
                    f"[INFO]\t{iso(end)}\t{req}\tcapture {charge} status=200 acquirer_ref=KP{a.alnum(12, upper=True)} elapsed_ms={int(dur)}{hdr}",
                )
            lambda_report(a, "acquirer-capture", stream, end, req, dur, 512, rng.randint(96, 118))
    fg = "/aws/lambda/fx-rates-sync"
    fstream = log_stream(a, start)
    for t in times:
        if t.minute % 5:
            continue
        req = a.uuid()
        a.log(fg, fstream, t, f"START RequestId: {req} Version: $LATEST")
        a.log(
            fg,
            fstream,
            t + timedelta(seconds=1),
            f"[INFO]\t{iso(t)}\t{req}\tGET https://api.fxfeed.io/latest 200 rates=168 elapsed_ms={rng.randint(180, 520)}",
        )
        lambda_report(
            a, "fx-rates-sync", fstream, t + timedelta(seconds=1), req, rng.uniform(600, 1400), 256, 88
        )
    rg = "/aws/lambda/kestrelpay-key-rotator"
    rstream = log_stream(a, rotation)
    steps = ["createSecret", "setSecret", "testSecret", "finishSecret"]
    for i, step in enumerate(steps):
        at = rotation + timedelta(seconds=4 + 7 * i)
        req = a.uuid()
        a.log(rg, rstream, at, f"START RequestId: {req} Version: $LATEST")
        msg = {
            "createSecret": f"createSecret: Successfully put secret for ARN {secret_arn} and version {new_ver}.",
            "setSecret": f"setSecret: new key registered with KestrelPay for ARN {secret_arn}.",
            "testSecret": f"testSecret: Successfully authenticated to https://{HOST}/v1/ping with AWSPENDING key.",
            "finishSecret": f"finishSecret: Successfully set AWSCURRENT stage to version {new_ver} for secret {secret_arn}.",
        }[step]
        a.log(rg, rstream, at + timedelta(seconds=1), f"[INFO]\t{iso(at)}\t{req}\t{msg}")
        lambda_report(
            a,
            "kestrelpay-key-rotator",
            rstream,
            at + timedelta(seconds=2),
            req,
            rng.uniform(300, 1600),
            256,
            79,
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    res = [{"accountId": a.account, "type": "AWS::SecretsManager::Secret", "ARN": secret_arn}]
    a.service_event(
        rotation, "secretsmanager.amazonaws.com", "RotationStarted", {"SecretId": secret_arn}, res
    )
    rot = a.role_identity("kestrelpay-key-rotator-role", "kestrelpay-key-rotator", rotation)
    a.call(
        rotation + timedelta(seconds=3),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        rot,
        {"secretId": secret_arn},
        None,
        read_only=True,
        agent=BOTO,
    )
    a.call(
        rotation + timedelta(seconds=4),
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        rot,
        {"secretId": secret_arn, "versionStage": "AWSCURRENT"},
        None,
        read_only=True,
        agent=BOTO,
    )
    a.call(
        rotation + timedelta(seconds=5),
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        rot,
        {"secretId": secret_arn, "clientRequestToken": new_ver, "versionStages": ["AWSPENDING"]},
        {"aRN": secret_arn, "name": secret_name, "versionId": new_ver, "versionStages": ["AWSPENDING"]},
        agent=BOTO,
    )
    a.call(
        rotation + timedelta(seconds=19),
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        rot,
        {"secretId": secret_arn, "versionStage": "AWSPENDING"},
        None,
        read_only=True,
        agent=BOTO,
    )
    a.call(
        rotation + timedelta(seconds=26),
        "secretsmanager.amazonaws.com",
        "UpdateSecretVersionStage",
        rot,
        {
            "secretId": secret_arn,
            "versionStage": "AWSCURRENT",
            "moveToVersionId": new_ver,
            "removeFromVersionId": prev_ver,
        },
        {"name": secret_name, "aRN": secret_arn},
        agent=BOTO,
    )
    a.service_event(
        rotation + timedelta(seconds=30),
        "secretsmanager.amazonaws.com",
        "RotationSucceeded",
        {"SecretId": secret_arn},
        res,
    )
    for fn in ("acquirer-capture", "refund-processor"):
        who = a.role_identity(f"{fn}-role", fn, start)
        t = start + timedelta(minutes=rng.randint(1, 12))
        while t < now:
            a.call(
                t,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                who,
                {"secretId": secret_name},
                None,
                read_only=True,
                agent=BOTO,
            )
            t += timedelta(minutes=rng.randint(14, 16))
    ci = a.role_identity("github-actions-deploy", "GitHubActions", deploy - 5 * MIN)
    ci_agent = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code"
    a.call(
        deploy - MIN,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": "acquirer-capture"},
        None,
        read_only=True,
        agent=ci_agent,
        ip="20.61.12.4",
    )
    a.call(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": "acquirer-capture", "publish": False, "dryRun": False},
        {
            "functionName": "acquirer-capture",
            "functionArn": cap_arn,
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": rng.randint(3000000, 5000000),
            "timeout": 30,
            "memorySize": 512,
            "lastModified": deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=ci_agent,
        ip="20.61.12.4",
    )
    tf = a.role_identity("terraform-apply", "atlantis", start)
    t_tf = start + timedelta(minutes=rng.randint(20, 60))
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1"
    )
    a.call(
        t_tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        tf,
        {"logGroupName": "/aws/lambda/fx-rates-sync", "retentionInDays": 14},
        None,
        agent=tf_agent,
    )
    a.call(
        t_tf + MIN,
        "dynamodb.amazonaws.com",
        "TagResource",
        tf,
        {
            "resourceArn": a.arn("dynamodb", "table/payments"),
            "tags": [{"key": "cost-centre", "value": "cc-412"}],
        },
        None,
        agent=tf_agent,
    )
    support = a.role_identity(
        f"AWSReservedSSO_PaymentsSupport_{a.hex(16)}", "nadia.haddad@finch-pay.com", onset + 20 * MIN
    )
    for k in range(3):
        a.call(
            onset + timedelta(minutes=22 + k),
            "states.amazonaws.com",
            "ListExecutions",
            support,
            {"stateMachineArn": sm_arn, "statusFilter": "FAILED", "maxResults": 100},
            None,
            read_only=True,
            agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        )
    tooling_reads(
        a,
        start,
        now,
        {"functions": list(functions), "secrets": [secret_name], "state_machines": [sm_name]},
        rng.randint(32, 42),
    )

    # --- alarms --------------------------------------------------------------------------------------
    created = old + timedelta(days=12)
    failed_alarm = a.alarm(
        "payment-capture-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": sm_arn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=20,
        missing="notBreaching",
        description="Capture workflow failures. Failed captures are retried by the 02:00 sweep.",
        updated=created,
    )
    five = minutes(start, now, 5)
    sums: dict[datetime, float] = {}
    for rec in a.metrics:
        if rec["metric"] == "ExecutionsFailed":
            ts = datetime.fromisoformat(rec["timestamp"].replace("Z", "+00:00"))
            slot = max(s for s in five if s <= ts)
            sums[slot] = sums.get(slot, 0.0) + rec["value"]
    fired = a.evaluate(failed_alarm, sums, five, now)
    event = fired[0][1]
    a.alarm(
        "acquirer-capture-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "acquirer-capture"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=50,
        missing="notBreaching",
        updated=created,
    )
    errs: dict[datetime, float] = {}
    for rec in a.metrics:
        if rec["metric"] == "Errors" and rec["dimensions"] == {"FunctionName": "acquirer-capture"}:
            ts = datetime.fromisoformat(rec["timestamp"].replace("Z", "+00:00"))
            slot = max(s for s in five if s <= ts)
            errs[slot] = errs.get(slot, 0.0) + rec["value"]
    a.evaluate(a.alarms[-1], errs, five, now)
    a.alarm(
        "refund-processor-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "refund-processor"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=10,
        missing="notBreaching",
        updated=created,
    )
    a.alarm(
        "fx-rates-sync-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "fx-rates-sync"},
        stat="Sum",
        period=900,
        evals=1,
        threshold=2,
        missing="breaching",
        updated=created,
    )
    a.alarm(
        "payments-nat-port-allocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": net["nat"]},
        stat="Sum",
        period=60,
        evals=1,
        threshold=0,
        updated=created,
    )

    question = (
        f"Support says lots of orders are stuck in 'capture pending' since about {local_clock(onset, ZONE)}. "
        "The KestrelPay status page is all green. The KestrelPay key rotated this afternoon, did that break captures?"
    )
    truth: dict[str, Any] = {
        "no_fault": False,
        "root_cause": {
            "resource": HOST,
            "category": "dependency_failure",
            "failure_mode": "acquirer-api-503-and-timeouts",
        },
        "also_accept": ["KestrelPay", "kestrelpay.com", f"https://{HOST}/v1/captures"],
        "actions": [],
        "chain": [HOST, "acquirer-capture", sm_name],
    }
    return a.bundle(
        title=TITLE, start=start, now=now, question=question, timezone=ZONE, alarm_event=event, truth=truth
    )
