"""Order fulfilment fails at its first step after the stock-reservation role's inline policy is rewritten."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzg as kit

NAME = "order-fulfilment-failing-at-reservation-after-inventory-v2-prep"
TITLE = "order-fulfilment executions failing alarm; no orders confirmed since early afternoon"
SUMMARY = (
    "An engineer preparing an inventory table migration replaced the reservation Lambda role's inline "
    "policy with one scoped to the new table; every reservation is denied and every execution fails."
)


def build(seed: int) -> Bundle:
    ctx = kit.Ctx(seed, salt=NAME, onset_after_h=3.6)
    r = ctx.rng
    acct, region = ctx.account, ctx.region
    kit.pipeline_resources(ctx)
    ctx.table("inventory-v2", stream=False, billing="PAY_PER_REQUEST", items=0)
    onset = ctx.onset
    culprit_ts = onset - timedelta(seconds=r.randint(40, 100))
    person = r.choice(["marek.dvorak", "jules.ferrand", "sam.okafor"])
    role = "reserve-inventory-role"
    new_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InventoryTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
                "Resource": [
                    f"arn:aws:dynamodb:{region}:{acct}:table/inventory-v2",
                    f"arn:aws:dynamodb:{region}:{acct}:table/inventory-v2/index/*",
                ],
            }
        ],
    }
    ctx.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + ctx.upper(17),
            "Arn": f"arn:aws:iam::{acct}:role/{role}",
            "CreateDate": kit.iso(ctx.start - timedelta(days=330)),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {"LastUsedDate": kit.iso(ctx.now - timedelta(seconds=20)), "Region": region},
        },
    )
    ctx.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "inventory-access", "PolicyDocument": new_doc},
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role,
            "PolicyName": "AWSLambdaBasicExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        },
    )

    # the migration prep: the new table an hour and a half earlier, then the policy edit
    t_create = onset - timedelta(minutes=r.randint(70, 110))
    ctx.trail(
        t_create,
        "dynamodb.amazonaws.com",
        "CreateTable",
        ctx.sso(person, t_create),
        req={
            "tableName": "inventory-v2",
            "attributeDefinitions": [{"attributeName": "pk", "attributeType": "S"}],
            "keySchema": [{"attributeName": "pk", "keyType": "HASH"}],
            "billingMode": "PAY_PER_REQUEST",
            "deletionProtectionEnabled": True,
        },
        resp={
            "tableDescription": {
                "tableName": "inventory-v2",
                "tableStatus": "CREATING",
                "tableArn": ctx.arn("dynamodb", "table/inventory-v2"),
                "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
                "itemCount": 0,
                "tableSizeBytes": 0,
            }
        },
    )
    ctx.trail(
        culprit_ts - timedelta(seconds=25),
        "iam.amazonaws.com",
        "GetRolePolicy",
        ctx.sso(person, culprit_ts),
        req={"roleName": role, "policyName": "inventory-access"},
        resp=None,
        read_only=True,
        region="us-east-1",
    )
    culprit = ctx.trail(
        culprit_ts,
        "iam.amazonaws.com",
        "PutRolePolicy",
        ctx.sso(person, culprit_ts),
        req={
            "roleName": role,
            "policyName": "inventory-access",
            "policyDocument": json.dumps(new_doc, indent=4),
        },
        resp=None,
        region="us-east-1",
        agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/command#iam.put-role-policy",
    )
    # an innocent deploy shortly before
    t_dep = onset - timedelta(minutes=r.randint(12, 22))
    ctx.trail(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ctx.role_identity("github-actions-deploy", f"gha-deploy-{r.randint(10000, 99999)}", t_dep),
        req={"functionName": "shipping-notifier", "publish": True, "dryRun": False},
        resp={
            "functionName": "shipping-notifier",
            "functionArn": ctx.fn_arn("shipping-notifier"),
            "runtime": "python3.12",
            "timeout": 30,
            "memorySize": 256,
            "lastModified": t_dep.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": ctx.hexid(43) + "=",
            "version": str(r.randint(60, 90)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
        },
        agent="aws-cli/2.17.20 md/command#lambda.update-function-code",
    )
    kit.background_changes(ctx)
    ctx.tooling_noise(r.randint(34, 46))

    on_m = ctx.mi(onset)

    def hook(i: int, ts: datetime, m: kit.Minute) -> None:
        if i < on_m:
            return
        m["reserve_err"] = m["reserve_inv"]
        m["reserve_ms"] = r.uniform(25, 60)
        m["failed"] = m["started"]
        m["succeeded"] = 0
        m["exec_time_ms"] = r.uniform(120, 260)
        m["charge_inv"] = 0
        m["orders_wcu"] = r.uniform(0, 4)
        m["inv_wcu"] = 0
        m["proj_inv"] = r.choice([0, 0, 1])
        m["q_sent"] = m["proj_inv"]
        m["ship_inv"] = r.choice([0, 1, 1, 2])

    kit.carrier_slow_window(ctx)
    minutes = kit.emit_pipeline(ctx, r.uniform(45, 80), hook)
    kit.baseline_logs(ctx, skip=lambda fn, ts: ts >= onset and fn != "order-intake")

    # reservation failures in the function's log
    sess = f"arn:aws:sts::{acct}:assumed-role/{role}/reserve-inventory"
    msg = (
        "An error occurred (AccessDeniedException) when calling the UpdateItem operation: User: "
        f"{sess} is not authorized to perform: dynamodb:UpdateItem on resource: "
        f"arn:aws:dynamodb:{region}:{acct}:table/inventory because no identity-based policy allows the "
        "dynamodb:UpdateItem action"
    )
    t = onset + timedelta(seconds=r.randint(3, 20))
    while t < ctx.now:
        oid = f"ord_{ctx.hexid(12)}"
        ctx.invocation_log(
            "reserve-inventory",
            t,
            [
                f'{{"level":"ERROR","location":"reserve:83","message":"reservation failed","service":"reserve-inventory","order_id":"{oid}","timestamp":"{kit.iso(t)}","exception":"botocore.exceptions.ClientError: {msg}","exception_name":"ClientError"}}',
                f'[ERROR] ClientError: {msg}\nTraceback (most recent call last):\n  File "/var/task/app.py", line 52, in handler\n    return reserve(event["orderId"], event["lines"])\n  File "/var/task/app.py", line 79, in reserve\n    table.update_item(**request)\n  File "/var/runtime/botocore/client.py", line 1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)',
            ],
            duration=r.uniform(25, 60),
            memory=512,
            used=r.randint(90, 97),
        )
        t += timedelta(seconds=r.randint(20, 70))

    # executions as ListExecutions shows them
    for k in range(6):
        st = ctx.onset - timedelta(minutes=r.randint(5, 60) + k)
        ctx.execution("order-fulfilment", st, st + timedelta(seconds=r.uniform(0.9, 1.6)), "SUCCEEDED")
    for _ in range(10):
        st = onset + timedelta(seconds=r.randint(5, int((ctx.now - onset).total_seconds()) - 5))
        ctx.execution(
            "order-fulfilment",
            st,
            st + timedelta(milliseconds=r.randint(150, 300)),
            "FAILED",
            "OrderFulfilmentFailed",
            "see $.error",
        )

    alarms = kit.standard_alarms(ctx)
    fired = onset + timedelta(minutes=3, seconds=r.randint(5, 40))
    vals = [float(minutes[int(on_m) + k]["failed"]) for k in (2, 1, 0)]
    event = ctx.transition(alarms["sfn_failed"], fired, "ALARM", vals)
    # an unrelated alarm that flaps during the afternoon
    kit.notifier_flap(ctx, alarms["notifier_dur"], minutes)

    return ctx.bundle(
        TITLE,
        {"question": None, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": role,
                "category": "change",
                "failure_mode": "iam-inline-policy-replaced-wrong-table",
                "event_id": culprit,
            },
            "also_accept": [f"arn:aws:iam::{acct}:role/{role}", "inventory-access"],
            "actions": ["rollback"],
            "chain": [role, "reserve-inventory", "order-fulfilment", "order-fulfilment-executions-failed"],
        },
    )
