"""Card authorisations fail more and more after the payments CMK's key policy was 'tightened'."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzzk import Account, iso

NAME = "payments-authorize-kms-key-policy-tightened"
TITLE = "Growing share of card authorisations failing with 5xx; capture and refunds look fine"
SUMMARY = (
    "A key-policy edit on the payments CMK limited use to Secrets Manager and RDS, so new Lambda "
    "environments of the authorize function cannot decrypt their environment variables."
)


def _policy(acc: Account, tightened: bool) -> str:
    root = {
        "Sid": "EnableRootAccess",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{acc.account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    app = {
        "Sid": "AllowPaymentsWorkloads",
        "Effect": "Allow",
        "Principal": {
            "AWS": [
                f"arn:aws:iam::{acc.account}:role/payments-lambda-exec",
                f"arn:aws:iam::{acc.account}:role/payments-db-proxy-role",
                f"arn:aws:iam::{acc.account}:role/payments-settlement-sfn",
            ]
        },
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*",
    }
    if tightened:
        app["Condition"] = {
            "StringEquals": {
                "kms:ViaService": [
                    f"secretsmanager.{acc.region}.amazonaws.com",
                    f"rds.{acc.region}.amazonaws.com",
                    f"sqs.{acc.region}.amazonaws.com",
                ]
            }
        }
    return json.dumps({"Version": "2012-10-17", "Id": "payments-cmk-policy", "Statement": [root, app]})


def build(seed: int) -> Bundle:
    acc = Account(seed, NAME)
    r = acc.r
    acc.base_resources(authorize_env_key=True)
    change_at = acc.onset - timedelta(minutes=r.randint(3, 9))
    peak = r.randint(260, 520)

    # share of authorize environments that are new since the change (cannot start)
    def broken_share(t: datetime) -> float:
        if t < acc.onset:
            return 0.0
        mins = (t - acc.onset).total_seconds() / 60
        return min(0.75, 0.04 + mins * r.uniform(0.010, 0.016))

    def err5(t: datetime, n: float) -> float:
        base = n * r.uniform(0.0, 0.002)
        return base + n * 0.62 * broken_share(t)

    acc.api_metrics(peak, err5, lambda t: r.uniform(180, 240))
    auth_inv = {}
    for t in acc.minutes():
        auth_inv[iso(t)] = acc.traffic(t, peak * 0.62) * (1 - broken_share(t))
    acc.lambda_metrics(
        "payments-authorize",
        lambda t: auth_inv[iso(t)],
        lambda t, n: n * r.uniform(0.0, 0.002),
        lambda t: r.uniform(140, 190),
    )
    acc.lambda_metrics(
        "payments-capture",
        lambda t: acc.traffic(t, peak * 0.3),
        lambda t, n: n * r.uniform(0, 0.003),
        lambda t: r.uniform(90, 130),
    )
    acc.lambda_metrics(
        "payments-refund",
        lambda t: acc.traffic(t, peak * 0.05),
        lambda t, n: 0,
        lambda t: r.uniform(100, 160),
    )
    acc.rds_metrics(
        lambda t, i: r.uniform(18, 28) if i == acc.writer else r.uniform(9, 15),
        lambda t, i: r.uniform(40, 55) if i == acc.writer else r.uniform(12, 20),
    )
    proxy = {"ProxyName": acc.proxy}
    acc.series(
        "AWS/RDS",
        "ClientConnections",
        proxy,
        "Count",
        lambda t: r.uniform(150, 190) * (1 - 0.5 * broken_share(t)),
    )
    acc.series("AWS/RDS", "DatabaseConnections", proxy, "Count", lambda t: r.uniform(38, 52))

    # --- CloudTrail: the change, its look-ups, and ordinary work ----------------------------------
    admin = acc.sso(2)
    acc.trail(
        change_at - timedelta(minutes=6),
        "kms",
        "DescribeKey",
        admin,
        {"keyId": acc.key_id},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    acc.trail(
        change_at - timedelta(minutes=5),
        "kms",
        "GetKeyPolicy",
        admin,
        {"keyId": acc.key_id, "policyName": "default"},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    culprit = acc.trail(
        change_at,
        "kms",
        "PutKeyPolicy",
        admin,
        {
            "keyId": acc.key_id,
            "policyName": "default",
            "policy": _policy(acc, True),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        None,
        agent="AWS Internal",
        resources=[{"accountId": acc.account, "type": "AWS::KMS::Key", "ARN": acc.key_arn}],
    )
    acc.res("kms", "KeyPolicy", {"KeyId": acc.key_id, "PolicyName": "default", "Policy": _policy(acc, True)})
    # other changes around it, all innocent
    acc.innocent_lambda_deploy(acc.onset - timedelta(minutes=r.randint(14, 30)), "payments-capture")
    acc.innocent_lambda_deploy(acc.start + timedelta(minutes=r.randint(30, 80)), "payments-refund")
    acc.trail(
        acc.onset - timedelta(minutes=r.randint(40, 70)),
        "apigateway",
        "UpdateStage",
        acc.sso(0),
        {
            "restApiId": acc.api_id,
            "stageName": "prod",
            "patchOperations": [{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2000"}],
        },
        {"stageName": "prod", "deploymentId": acc.hexid(6)},
        agent="AWS Internal",
    )
    acc.trail(
        acc.onset + timedelta(minutes=r.randint(5, 15)),
        "logs",
        "PutRetentionPolicy",
        acc.sso(1),
        {"logGroupName": "/aws/lambda/payments-refund", "retentionInDays": 30},
        None,
        agent="AWS Internal",
    )
    acc.trail(
        acc.start + timedelta(minutes=r.randint(10, 50)),
        "secretsmanager",
        "TagResource",
        acc.sso(2),
        {"secretId": acc.secret_arn, "tags": [{"key": "data-classification", "value": "pci"}]},
        None,
        agent="AWS Internal",
    )
    acc.tooling_noise(48)
    lam = acc.role_id("payments-lambda-exec", "payments-authorize")
    # failed decrypts from new environments (Lambda decrypts with the execution role)
    t = acc.onset + timedelta(seconds=20)
    while t < acc.now:
        acc.trail(
            t,
            "kms",
            "Decrypt",
            lam,
            {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {"LambdaFunctionName": "payments-authorize"},
            },
            None,
            read_only=True,
            agent="lambda.amazonaws.com",
            ip="lambda.amazonaws.com",
            error=(
                "AccessDenied",
                f"User: arn:aws:sts::{acc.account}:assumed-role/payments-lambda-exec/payments-authorize is not authorized "
                "to perform: kms:Decrypt on this resource because the resource does not exist in this Region, no "
                "resource-based policies allow access, or a resource-based policy explicitly denies access",
            ),
        )
        t += timedelta(seconds=r.randint(50, 160))
    # successful decrypts before the change, from cold starts
    t = acc.start + timedelta(minutes=3)
    while t < change_at:
        acc.trail(
            t,
            "kms",
            "Decrypt",
            lam,
            {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {"LambdaFunctionName": "payments-authorize"},
            },
            None,
            read_only=True,
            agent="lambda.amazonaws.com",
            ip="lambda.amazonaws.com",
            resources=[{"accountId": acc.account, "type": "AWS::KMS::Key", "ARN": acc.key_arn}],
        )
        t += timedelta(minutes=r.randint(9, 25))

    # --- logs ------------------------------------------------------------------------------------
    stream = acc.lambda_stream("payments-authorize", acc.start)
    t = acc.start + timedelta(minutes=1)
    while t < acc.now:
        ok = r.random() > 0.003
        lines = [
            f"[INFO]\t{iso(t)}\t{{rid}}\tauthorize merchant=m_{r.randint(1000, 9999)} amount_minor={r.randint(300, 90000)} "
            f"currency=EUR result={'approved' if ok else 'declined'} acquirer_ms={r.randint(90, 160)}\n"
        ]
        acc.invocation("payments-authorize", stream, t, r.uniform(120, 200), lines)
        t += timedelta(seconds=r.randint(40, 120))
    exec_group = f"API-Gateway-Execution-Logs_{acc.api_id}/prod"
    gw_stream = acc.hexid(32)
    t = acc.onset + timedelta(seconds=30)
    while t < acc.now:
        rid = acc.uid()
        acc.log(
            exec_group,
            gw_stream,
            t,
            f"({rid}) Lambda invocation failed with status: 502. Lambda request id: {acc.uid()}",
        )
        acc.log(
            exec_group,
            gw_stream,
            t + timedelta(milliseconds=1),
            f"({rid}) Execution failed due to configuration error: Lambda was unable to "
            "decrypt the environment variables because KMS access was denied. Please check the function's KMS key "
            "settings. KMS Exception: AccessDeniedException KMS Message: User: "
            f"arn:aws:sts::{acc.account}:assumed-role/payments-lambda-exec/payments-authorize is not authorized to "
            "perform: kms:Decrypt on this resource because the resource does not exist in this Region, no "
            "resource-based policies allow access, or a resource-based policy explicitly denies access",
        )
        acc.log(
            exec_group, gw_stream, t + timedelta(milliseconds=2), f"({rid}) Method completed with status: 500"
        )
        t += timedelta(seconds=r.randint(8, 40))

    # --- alarms ----------------------------------------------------------------------------------
    fire = acc.onset + timedelta(minutes=r.randint(6, 10))
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints [41.0 ("
        + fire.strftime("%d/%m/%y %H:%M")
        + ":00), "
        "33.0, 27.0] were greater than the threshold (25.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    a = acc.alarm(
        "payments-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Sum",
        25.0,
        "GreaterThanThreshold",
        60,
        3,
        "ALARM",
        reason,
        fire,
        desc="payments-api prod 5xx > 25/min for 3 min",
    )
    acc.transition("payments-api-5xx", fire, "OK", "ALARM", reason)
    acc.alarm(
        "payments-aurora-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": acc.writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        300,
        3,
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        acc.start - timedelta(days=2),
    )
    flap = "payments-capture-duration-p99"
    acc.alarm(
        flap,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "payments-capture"},
        "Maximum",
        800.0,
        "GreaterThanThreshold",
        60,
        1,
        "OK",
        "Threshold Crossed: 1 datapoint [254.2] was not greater than the threshold (800.0).",
        acc.start + timedelta(minutes=131),
        topic="payments-low-priority",
    )
    acc.transition(
        flap,
        acc.start + timedelta(minutes=128),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [912.6] was greater than the threshold (800.0).",
    )
    acc.transition(
        flap,
        acc.start + timedelta(minutes=131),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [254.2] was not greater than the threshold (800.0).",
    )
    acc.alarm(
        "settlement-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": acc.sm_arn},
        "Sum",
        0.0,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        acc.start - timedelta(days=6),
    )
    acc.execution(
        acc.start - timedelta(hours=r.randint(6, 9)), timedelta(minutes=r.randint(12, 30)), "SUCCEEDED"
    )
    when = acc.clock(acc.onset + timedelta(minutes=r.randint(2, 8)))
    question = (
        f"support says card payments are failing for a bunch of merchants since about {when}, and it seems to be "
        "getting worse. refunds and captures are going through. did the capture deploy break something?"
    )
    event = acc.alarm_event(
        a, fire, reason, "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0)."
    )
    return acc.bundle(
        TITLE,
        {"question": question, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": acc.key_id,
                "category": "change",
                "failure_mode": "kms-key-policy-denies-lambda-env-decrypt",
                "event_id": culprit,
            },
            "also_accept": [acc.key_arn],
            "actions": ["rollback", "reconfigure"],
            "chain": [acc.key_id, "payments-authorize", "payments-api"],
        },
        timezone=acc.tz,
    )
