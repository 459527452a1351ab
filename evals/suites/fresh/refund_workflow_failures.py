"""Refund workflow executions start failing after a stack update changes the state machine definition."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "refund-workflow-failures"
TITLE = "Refund workflow executions failing"
SUMMARY = (
    "A CloudFormation update rewrites the refund state machine; a Task's Parameters now read a JSONPath the "
    "input does not have, so every execution fails with States.Runtime before the payment step."
)


def _definition(fns: dict[str, str], table: str, topic: str, order_path: str) -> str:
    d = {
        "Comment": "Refund orchestration",
        "StartAt": "ValidateRefund",
        "States": {
            "ValidateRefund": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fns["validate"], "Payload.$": "$"},
                "ResultSelector": {"valid.$": "$.Payload.valid", "reason.$": "$.Payload.reason"},
                "ResultPath": "$.validation",
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Next": "IsValid",
            },
            "IsValid": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.validation.valid", "BooleanEquals": False, "Next": "Rejected"}],
                "Default": "ReserveFunds",
            },
            "ReserveFunds": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": table,
                    "Key": {"pk": {"S.$": "$.refund.id"}},
                    "UpdateExpression": "SET #s = :r",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":r": {"S": "RESERVED"}},
                },
                "ResultPath": None,
                "Next": "CallPaymentProvider",
            },
            "CallPaymentProvider": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": fns["provider"],
                    "Payload": {
                        "refundId.$": "$.refund.id",
                        "orderId.$": order_path,
                        "amount.$": "$.refund.amount",
                        "currency.$": "$.refund.currency",
                    },
                },
                "ResultSelector": {"providerRef.$": "$.Payload.providerRef"},
                "ResultPath": "$.payment",
                "Retry": [
                    {
                        "ErrorEquals": ["ProviderUnavailable"],
                        "IntervalSeconds": 5,
                        "MaxAttempts": 4,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [{"ErrorEquals": ["ProviderDeclined"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "NotifyCustomer",
            },
            "NotifyCustomer": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fns["notify"], "Payload.$": "$"},
                "ResultPath": None,
                "Next": "Done",
            },
            "Rejected": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message.$": "$"},
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return json.dumps(d, indent=2)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed)
    rng = ctx.rng
    _tz, off = k.REGION_TZ[ctx.region]
    day = k.pick_day(ctx, (0, 1, 2, 3))
    onset = k.local_time(ctx, day, rng.choice([9, 10, 11, 15]), rng.randint(0, 59)) + timedelta(
        seconds=rng.randint(0, 59)
    )
    start = k.floor_minute(onset - timedelta(hours=rng.randint(4, 6), minutes=rng.randint(0, 59)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(35, 50))) + timedelta(
        seconds=rng.randint(3, 55)
    )

    co = rng.choice(["tessera", "quill", "fernpay", "brightcart"])
    sm = rng.choice(["refund-processing", "refunds-orchestrator", "process-refund"])
    sm_arn = ctx.arn("states", f"stateMachine:{sm}")
    fns = {x: ctx.arn("lambda", f"function:refund-{x}") for x in ("validate", "provider", "notify")}
    table = f"{co}-refunds"
    topic = ctx.arn("sns", f"{co}-refund-rejections")
    alert = ctx.arn("sns", f"{co}-payments-oncall")
    role = f"{co}-refunds-sfn-role"
    stack = rng.choice(["RefundsStack", "PaymentsRefunds-prod", "refunds-service-prod"])
    stack_id = ctx.arn("cloudformation", f"stack/{stack}/{ctx.uuid()}")
    peak = rng.uniform(28, 46)  # executions per minute at peak
    lg_name = f"/aws/vendedlogs/states/{sm}-Logs"
    old_def = _definition(fns, table, topic, "$.refund.orderId")
    new_def = _definition(fns, table, topic, "$.refund.order.id")
    del old_def

    def starts(t: datetime) -> float:
        return k.count(rng, peak * k.diurnal(t, off, peak_hour=13.0, floor=0.08))

    sim: dict[datetime, dict[str, float]] = {}
    for m in k.minutes(start, now):
        n = starts(m)
        bad = m >= k.floor_minute(onset) + k.MINUTE or (m == k.floor_minute(onset) and onset.second < 30)
        rejected = sum(1 for _ in range(int(n)) if rng.random() < 0.04)
        if bad:
            # validation + reservation still run, then the payment step cannot even be entered
            failed, ok = n - rejected, 0.0
        else:
            failed, ok = (1.0 if rng.random() < 0.01 else 0.0), n - rejected
        sim[m] = {
            "start": n,
            "ok": ok + rejected,
            "failed": failed,
            "rej": float(rejected),
            "bad": float(bad),
            "time": (k.noisy(rng, 1900, 0.15) if not bad else k.noisy(rng, 420, 0.1)),
        }

    sd = {"StateMachineArn": sm_arn}
    k.series(
        ctx, "AWS/States", "ExecutionsStarted", sd, "Count", start, now, lambda m: sim[m]["start"] or None
    )
    k.series(
        ctx, "AWS/States", "ExecutionsSucceeded", sd, "Count", start, now, lambda m: sim[m]["ok"] or None
    )
    failed_s = k.series(
        ctx, "AWS/States", "ExecutionsFailed", sd, "Count", start, now, lambda m: sim[m]["failed"] or None
    )
    k.series(
        ctx,
        "AWS/States",
        "ExecutionTime",
        sd,
        "Milliseconds",
        start,
        now,
        lambda m: sim[m]["time"] if sim[m]["start"] else None,
    )
    thr = k.series(ctx, "AWS/States", "ExecutionThrottled", sd, "Count", start, now, lambda m: None)
    del thr

    def lam(name: str, inv: Any, dur: float) -> k.Series:
        d = {"FunctionName": name}
        k.series(ctx, "AWS/Lambda", "Invocations", d, "Count", start, now, lambda m: inv(m) or None)
        k.series(
            ctx,
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            start,
            now,
            lambda m: k.noisy(rng, dur, 0.15) if (inv(m) or 0) > 0 else None,
        )
        k.series(
            ctx,
            "AWS/Lambda",
            "Throttles",
            d,
            "Count",
            start,
            now,
            lambda m: 0.0 if (inv(m) or 0) > 0 else None,
        )
        return k.series(
            ctx,
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            start,
            now,
            lambda m: (float(rng.random() < 0.02)) if (inv(m) or 0) > 0 else None,
        )

    v_err = lam("refund-validate", lambda m: sim[m]["start"], 180)
    p_err = lam("refund-provider", lambda m: 0.0 if sim[m]["bad"] else sim[m]["start"] - sim[m]["rej"], 1150)
    lam("refund-notify", lambda m: 0.0 if sim[m]["bad"] else sim[m]["ok"] - sim[m]["rej"], 95)
    td = {"TableName": table}
    k.series(
        ctx,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda m: (sim[m]["start"] - sim[m]["rej"]) * 1.0 + sim[m]["start"] * 1.0,
    )
    k.series(
        ctx,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {**td, "Operation": "UpdateItem"},
        "Milliseconds",
        start,
        now,
        lambda m: k.noisy(rng, 6.2, 0.1),
    )

    fa = k.AlarmSpec(
        f"{sm}-executions-failed",
        f"{sm}: more than 5 failed executions in 5 minutes",
        failed_s,
        "Sum",
        300,
        1,
        1,
        5.0,
        "GreaterThanThreshold",
        "notBreaching",
        [alert],
        [alert],
    )
    fa_tr = k.alarm(ctx, fa, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            "refund-validate-errors",
            "refund-validate errors",
            v_err,
            "Sum",
            300,
            1,
            1,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [alert],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            "refund-provider-errors",
            "refund-provider errors",
            p_err,
            "Sum",
            300,
            2,
            2,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [alert],
        ),
        start,
        now,
    )
    fire = next(tr for tr in fa_tr if tr.new == "ALARM")

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(120, 700))
    ctx.resource(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm,
            "status": "ACTIVE",
            "definition": new_def,
            "roleArn": f"arn:aws:iam::{ctx.account}:role/{role}",
            "type": "STANDARD",
            "creationDate": k.iso_ms(created),
            "loggingConfiguration": {
                "level": "ERROR",
                "includeExecutionData": False,
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": ctx.arn("logs", f"log-group:{lg_name}:*")}}
                ],
            },
            "tracingConfiguration": {"enabled": False},
            "revisionId": ctx.uuid(),
        },
    )
    execs: list[dict[str, Any]] = []
    for m in sorted(sim):
        if m < now - timedelta(minutes=70):
            continue
        if rng.random() < 0.25 and sim[m]["start"]:
            ex_start = m + timedelta(seconds=rng.uniform(0, 59))
            name = ctx.uuid()
            item: dict[str, Any] = {
                "executionArn": ctx.arn("states", f"execution:{sm}:{name}"),
                "stateMachineArn": sm_arn,
                "name": name,
                "startDate": k.iso_ms(ex_start),
                "redriveCount": 0,
            }
            if sim[m]["bad"]:
                ref = f"rf_{ctx.hex(12)}"
                order = f"{rng.randint(10**7, 10**8 - 1)}"
                inp = json.dumps(
                    {
                        "refund": {
                            "id": ref,
                            "orderId": order,
                            "amount": round(rng.uniform(5, 400), 2),
                            "currency": rng.choice(["USD", "EUR", "GBP"]),
                        },
                        "validation": {"valid": True, "reason": None},
                    },
                    separators=(",", ":"),
                )
                item.update(
                    {
                        "status": "FAILED",
                        "stopDate": k.iso_ms(ex_start + timedelta(milliseconds=rng.randint(380, 520))),
                        "error": "States.Runtime",
                        "cause": "An error occurred while executing the state 'CallPaymentProvider' (entered at the "
                        f"event id #8). The JSONPath '$.refund.order.id' specified for the field 'orderId.$' "
                        f"could not be found in the input '{inp}'",
                        "redriveStatus": "REDRIVABLE",
                    }
                )
            else:
                item.update(
                    {
                        "status": "SUCCEEDED",
                        "stopDate": k.iso_ms(ex_start + timedelta(milliseconds=rng.randint(1500, 2600))),
                        "redriveStatus": "NOT_REDRIVABLE",
                        "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
                    }
                )
            execs.append(item)
    for item in execs[-40:]:
        ctx.resource("stepfunctions", "DescribeExecutionOutput", item)

    def fn_item(short: str, mem: int, modified: datetime) -> dict[str, Any]:
        name = f"refund-{short}"
        return {
            "FunctionName": name,
            "FunctionArn": fns[short],
            "Runtime": "java21",
            "Role": f"arn:aws:iam::{ctx.account}:role/{co}-refund-{short}-role",
            "Handler": f"com.{co}.refunds.{short.capitalize()}Handler::handleRequest",
            "CodeSize": rng.randint(9_000_000, 24_000_000),
            "Description": "",
            "Timeout": 30,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": ctx.b64(32),
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "SnapStart": {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"},
            "LoggingConfig": {
                "LogFormat": "JSON",
                "ApplicationLogLevel": "INFO",
                "SystemLogLevel": "INFO",
                "LogGroup": f"/aws/lambda/{name}",
            },
        }

    mem_change = onset - timedelta(minutes=rng.randint(8, 20), seconds=rng.randint(0, 59))
    ctx.resource("lambda", "FunctionConfiguration", fn_item("validate", 1024, start - timedelta(days=6)))
    ctx.resource("lambda", "FunctionConfiguration", fn_item("provider", 1536, start - timedelta(days=13)))
    ctx.resource("lambda", "FunctionConfiguration", fn_item("notify", 1024, mem_change))
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**8, 10**9),
            "ItemCount": rng.randint(10**5, 10**7),
        },
    )
    ctx.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + ctx.upper(17),
            "Arn": f"arn:aws:iam::{ctx.account}:role/{role}",
            "CreateDate": k.iso(created),
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        },
    )
    policy_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [fns[x] for x in ("validate", "provider", "notify")],
            },
            {
                "Effect": "Allow",
                "Action": ["dynamodb:UpdateItem", "dynamodb:GetItem"],
                "Resource": [
                    ctx.arn("dynamodb", f"table/{table}"),
                    ctx.arn("dynamodb", f"table/{co}-refund-audit"),
                ],
            },
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                "Resource": "*",
            },
        ],
    }
    ctx.resource(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "refunds-sfn", "PolicyDocument": policy_doc},
    )
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {"TopicArn": topic, "Owner": ctx.account, "SubscriptionsConfirmed": "1"},
        },
    )
    k.log_group(ctx, lg_name, created, 90)

    # --- logs: the state machine logs ERROR-level events; Lambda JSON logs ---------------------------------
    ev_id = 0
    for item in execs:
        if item["status"] != "FAILED":
            continue
        stop = datetime.fromisoformat(item["stopDate"].replace("Z", "+00:00"))
        for typ, det, pid in (("ExecutionFailed", {"cause": item["cause"], "error": "States.Runtime"}, "7"),):
            ev_id += 1
            ctx.log(
                lg_name,
                f"states/{sm}/{stop:%Y-%m-%d-%H-%M}/{ctx.hex(8)}",
                stop,
                json.dumps(
                    {
                        "id": "8",
                        "type": typ,
                        "details": det,
                        "previous_event_id": pid,
                        "event_timestamp": str(k.ms(stop)),
                        "execution_arn": item["executionArn"],
                        "redrive_count": "0",
                    },
                    separators=(",", ":"),
                ),
            )
    for m in sorted(sim):
        if sim[m]["failed"] and not sim[m]["bad"]:
            t = m + timedelta(seconds=rng.uniform(0, 59))
            arn = ctx.arn("states", f"execution:{sm}:{ctx.uuid()}")
            ctx.log(
                lg_name,
                f"states/{sm}/{t:%Y-%m-%d-%H-%M}/{ctx.hex(8)}",
                t,
                json.dumps(
                    {
                        "id": "14",
                        "type": "ExecutionFailed",
                        "details": {
                            "cause": "Provider returned HTTP 502 after 4 attempts",
                            "error": "ProviderUnavailable",
                        },
                        "previous_event_id": "13",
                        "event_timestamp": str(k.ms(t)),
                        "execution_arn": arn,
                        "redrive_count": "0",
                    },
                    separators=(",", ":"),
                ),
            )
    del ev_id
    for short, dur, msg in (
        ("validate", 180, "refund validated"),
        ("provider", 1150, "provider refund accepted"),
    ):
        g = f"/aws/lambda/refund-{short}"
        k.log_group(ctx, g, created, 30)
        st = k.lambda_stream(ctx, start)
        t = start + timedelta(seconds=rng.randint(1, 50))
        while t < now:
            m = k.floor_minute(t)
            if short == "provider" and sim[m]["bad"]:
                t += timedelta(seconds=60)
                continue
            rid = ctx.uuid()
            d = k.noisy(rng, dur, 0.2)
            ctx.log(
                g,
                st,
                t,
                json.dumps(
                    {
                        "time": k.iso_ms(t),
                        "type": "platform.start",
                        "record": {"requestId": rid, "version": "$LATEST"},
                    },
                    separators=(",", ":"),
                ),
            )
            ctx.log(
                g,
                st,
                t + timedelta(milliseconds=d * 0.8),
                json.dumps(
                    {
                        "timestamp": k.iso_ms(t + timedelta(milliseconds=d * 0.8)),
                        "level": "INFO",
                        "message": f"{msg} refundId=rf_{ctx.hex(12)}",
                        "logger": f"com.{co}.refunds.{short.capitalize()}Handler",
                        "AWSRequestId": rid,
                    },
                    separators=(",", ":"),
                ),
            )
            if rng.random() < 0.02:
                ctx.log(
                    g,
                    st,
                    t + timedelta(milliseconds=d * 0.5),
                    json.dumps(
                        {
                            "timestamp": k.iso_ms(t + timedelta(milliseconds=d * 0.5)),
                            "level": "WARN",
                            "message": "slow response from fraud-score service (1820 ms), using cached score",
                            "logger": f"com.{co}.refunds.ValidateHandler",
                            "AWSRequestId": rid,
                        },
                        separators=(",", ":"),
                    ),
                )
            ctx.log(
                g,
                st,
                t + timedelta(milliseconds=d),
                json.dumps(
                    {
                        "time": k.iso_ms(t + timedelta(milliseconds=d)),
                        "type": "platform.report",
                        "record": {
                            "requestId": rid,
                            "metrics": {
                                "durationMs": round(d, 2),
                                "billedDurationMs": int(d) + 1,
                                "memorySizeMB": 1024 if short == "validate" else 1536,
                                "maxMemoryUsedMB": rng.randint(210, 290),
                            },
                            "status": "success",
                        },
                    },
                    separators=(",", ":"),
                ),
            )
            t += timedelta(seconds=rng.uniform(45, 120))

    # --- CloudTrail ----------------------------------------------------------------------------------
    dom = f"{co}.com"
    h1 = k.sso_user(ctx, f"{rng.choice(['nadia', 'victor', 'oliver', 'keiko'])}@{dom}", "PaymentsEngineer")
    h2 = k.sso_user(
        ctx, f"{rng.choice(['lucas', 'fatima', 'grace'])}@{dom}", "PaymentsEngineer", console=True
    )
    ci = k.github_ci(ctx, f"{co}-payments-deploy")
    cfn = k.assumed_role(
        ctx,
        f"cdk-hnb659fds-cfn-exec-role-{ctx.account}-{ctx.region}",
        "AWSCloudFormation",
        "cloudformation.amazonaws.com",
        "cloudformation.amazonaws.com",
    )
    cfn.identity["invokedBy"] = "cloudformation.amazonaws.com"
    cfn.invoked_by = "cloudformation.amazonaws.com"
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": sm_arn}),
        ("states.amazonaws.com", "ListExecutions", {"stateMachineArn": sm_arn, "statusFilter": "FAILED"}),
        ("lambda.amazonaws.com", "GetFunction", {"functionName": "refund-provider"}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": stack}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": sm}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(18, 24), [h1, h2], reads)
    for when in k.spread(ctx, start, now, rng.randint(6, 9)):
        k.assume_role_by_service(
            ctx,
            when,
            "lambda.amazonaws.com",
            f"arn:aws:iam::{ctx.account}:role/{co}-refund-{rng.choice(['validate', 'provider'])}-role",
            "refund-validate",
        )
    # the stack update: CI calls UpdateStack; CloudFormation then updates the state machine
    upd = onset - timedelta(seconds=rng.randint(40, 80))
    k.record(
        ctx,
        upd - timedelta(seconds=22),
        ci,
        "cloudformation.amazonaws.com",
        "DescribeStacks",
        {"stackName": stack},
        cmd="cloudformation.deploy",
    )
    k.record(
        ctx,
        upd - timedelta(seconds=15),
        ci,
        "cloudformation.amazonaws.com",
        "CreateChangeSet",
        {
            "stackName": stack,
            "changeSetName": "cdk-deploy-change-set",
            "changeSetType": "UPDATE",
            "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        },
        {
            "id": ctx.arn("cloudformation", f"changeSet/cdk-deploy-change-set/{ctx.uuid()}"),
            "stackId": stack_id,
        },
        cmd="cloudformation.deploy",
    )
    k.record(
        ctx,
        upd,
        ci,
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        {"changeSetName": "cdk-deploy-change-set", "stackName": stack},
        None,
        cmd="cloudformation.deploy",
    )
    culprit = k.record(
        ctx,
        onset,
        cfn,
        "states.amazonaws.com",
        "UpdateStateMachine",
        {
            "stateMachineArn": sm_arn,
            "definition": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "roleArn": f"arn:aws:iam::{ctx.account}:role/{role}",
        },
        {"updateDate": onset.strftime("%b %-d, %Y, %-I:%M:%S %p"), "revisionId": ctx.uuid()},
    )
    k.record(
        ctx,
        onset + timedelta(seconds=2),
        cfn,
        "states.amazonaws.com",
        "DescribeStateMachine",
        {"stateMachineArn": sm_arn},
    )
    # innocent: the state machine role gets read access to an audit table, just before (same stack? no: by hand)
    pol_at = onset - timedelta(minutes=rng.randint(4, 16), seconds=rng.randint(0, 59))
    k.record(
        ctx,
        pol_at,
        h1,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {"roleName": role, "policyName": "refunds-sfn", "policyDocument": json.dumps(policy_doc)},
        None,
        cmd="iam.put-role-policy",
    )
    # innocent: notify function memory raised by hand
    k.record(
        ctx,
        mem_change,
        h2,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "refund-notify", "memorySize": 1024},
        {
            "functionName": "refund-notify",
            "functionArn": fns["notify"],
            "memorySize": 1024,
            "timeout": 30,
            "runtime": "java21",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
            "revisionId": ctx.uuid(),
        },
    )
    look = fire.time + timedelta(minutes=rng.randint(2, 5))
    if look < now:
        k.record(
            ctx,
            look,
            h1,
            "states.amazonaws.com",
            "ListExecutions",
            {"stateMachineArn": sm_arn, "statusFilter": "FAILED"},
        )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": None,
                "alarm_event": k.alarm_event(ctx, fa, fire, None),
                "timezone": None,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": sm_arn,
                    "category": "change",
                    "failure_mode": "state-machine-definition-error",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [sm, stack],
                "actions": ["rollback"],
                "chain": [
                    f"{stack} update calls UpdateStateMachine on {sm}",
                    "CallPaymentProvider's Parameters now read $.refund.order.id, absent from the input",
                    f"every {sm} execution fails with States.Runtime before refund-provider is invoked",
                    f"{fa.name} fires",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
