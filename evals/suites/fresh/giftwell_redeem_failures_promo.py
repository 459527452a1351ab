"""Giftwell: the gift-card redemption failures alarm pages as a promotional email lands."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zs as k

NAME = "giftwell-redeem-failures-promo"
TITLE = "giftcard-redeem failed-executions alarm pages late morning during the holiday promo"
SUMMARY = (
    "A count-based ExecutionsFailed alarm on the redemption workflow fires when a promotional email triples "
    "redemptions; the failures are the usual customer-side rejections at an unchanged rate."
)

REGION = "us-east-1"
UTC_OFFSET = -6  # CST
REASONS = [
    ("CODE_ALREADY_REDEEMED", 40),
    ("CODE_NOT_FOUND", 34),
    ("CARD_EXPIRED", 9),
    ("INSUFFICIENT_BALANCE", 17),
]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account_id(rng)
    day = k.pick_day(rng, 2024, (12,), (0, 1, 2, 3, 4))
    campaign = day + timedelta(hours=16, minutes=rng.choice([0, 0, 15, 30]))  # 10:00-10:30 local
    start = (campaign - timedelta(hours=3, minutes=10)).replace(second=0)
    now = (campaign + timedelta(minutes=rng.randint(50, 65))).replace(second=0)
    points = k.grid(start, now, start)
    sm_name = "giftcard-redeem"
    sm_arn = f"arn:aws:states:{REGION}:{acct}:stateMachine:{sm_name}"
    fail_rate = rng.uniform(0.07, 0.085)
    lift = rng.uniform(2.6, 3.4)
    base = rng.uniform(9.0, 10.5)

    def rate(t: datetime) -> float:
        r = base * k.diurnal(t, UTC_OFFSET, 13, 0.15)
        if t >= campaign:
            m = (t - campaign).total_seconds() / 60
            r *= 1 + (lift - 1) * min(1.0, m / 6) * (0.75 + 0.25 * max(0.0, 1 - m / 90))
        return r

    # --- simulate redemptions -------------------------------------------------------------------
    execs: list[dict[str, Any]] = []
    t = start
    while t < now:
        n = sum(1 for _ in range(40) if rng.random() < rate(t) / 40)
        for _ in range(n):
            t0 = t + timedelta(seconds=rng.uniform(0, 60))
            failed = rng.random() < fail_rate
            reason = rng.choices([r for r, _ in REASONS], [w for _, w in REASONS])[0] if failed else ""
            vdur = max(18.0, rng.gauss(64, 16))
            adur = max(25.0, rng.gauss(88, 22)) if not failed else 0.0
            total = (
                vdur
                + (adur if not failed else 0)
                + rng.uniform(40, 90)
                + (rng.uniform(8, 20) if reason == "INSUFFICIENT_BALANCE" else 0)
            )
            execs.append(
                {
                    "t": t0,
                    "failed": failed,
                    "reason": reason,
                    "v": vdur,
                    "a": adur,
                    "total": total,
                    "card": f"GW{rng.randint(10**9, 10**10 - 1)}",
                }
            )
        t += timedelta(minutes=1)

    def minute(x: datetime) -> datetime:
        return x.replace(second=0, microsecond=0)

    by_min: dict[datetime, list[dict[str, Any]]] = {}
    for e in execs:
        by_min.setdefault(minute(e["t"]), []).append(e)

    # --- metrics --------------------------------------------------------------------------------
    M = k.Metrics()
    sd = {"StateMachineArn": sm_arn}
    ad = {"ApiName": "giftwell-redeem-api", "Stage": "v1"}
    for tt, _ in points:
        es = by_min.get(tt, [])
        if not es:
            continue
        ts = k.iso(tt)
        nf = sum(1 for e in es if e["failed"])
        ns = len(es) - nf
        tot = [e["total"] for e in es]

        def put(
            ns_: str, metric: str, dims: dict[str, str], value: float, unit: str = "Count", ts: str = ts
        ) -> None:
            M.rows.append(
                {
                    "namespace": ns_,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": ts,
                    "unit": unit,
                    "value": float(value),
                }
            )

        put("AWS/States", "ExecutionsStarted", sd, len(es))
        if ns:
            put("AWS/States", "ExecutionsSucceeded", sd, ns)
        if nf:
            put("AWS/States", "ExecutionsFailed", sd, nf)
        M.rows.append(
            {
                "namespace": "AWS/States",
                "metric": "ExecutionTime",
                "dimensions": sd,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(len(tot)),
                    "Sum": round(sum(tot), 2),
                    "Minimum": round(min(tot), 2),
                    "Maximum": round(max(tot), 2),
                },
            }
        )
        balance_checks = len(es) + rng.randint(3, 9)
        put("AWS/ApiGateway", "Count", ad, len(es) + balance_checks)
        put("AWS/ApiGateway", "4XXError", ad, nf + (1 if rng.random() < 0.05 else 0))
        put("AWS/ApiGateway", "5XXError", ad, 0)
        lat = [x + rng.uniform(12, 30) for x in tot] + [rng.uniform(20, 60) for _ in range(balance_checks)]
        M.rows.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "Latency",
                "dimensions": ad,
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(len(lat)),
                    "Sum": round(sum(lat), 2),
                    "Minimum": round(min(lat), 2),
                    "Maximum": round(max(lat), 2),
                },
            }
        )
        for fn, key, pred in (
            ("redeem-validate", "v", lambda e: True),
            ("redeem-apply", "a", lambda e: not e["failed"]),
            ("balance-lookup", "", lambda e: False),
        ):
            if fn == "balance-lookup":
                durs = [max(8.0, rng.gauss(31, 8)) for _ in range(balance_checks)]
            else:
                durs = [e[key] for e in es if pred(e)]
            if not durs:
                continue
            fd = {"FunctionName": fn}
            put("AWS/Lambda", "Invocations", fd, len(durs))
            put("AWS/Lambda", "Errors", fd, 0)
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": fd,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(len(durs)),
                        "Sum": round(sum(durs), 2),
                        "Minimum": round(min(durs), 2),
                        "Maximum": round(max(durs), 2),
                    },
                }
            )
            put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                fd,
                max(1, round(sum(durs) / 60000 * 4 + rng.random() * 2)),
            )
        ins = sum(1 for e in es if e["reason"] == "INSUFFICIENT_BALANCE")
        td = {"TableName": "giftwell-cards"}
        if ins:
            put("AWS/DynamoDB", "ConditionalCheckFailedRequests", td, ins)
        put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, round(ns * 2 + ins * 1 + rng.uniform(0, 2)))
        put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            td,
            round((len(es) + balance_checks) * 0.5 + rng.uniform(0, 2), 1),
        )
    M.count(
        "AWS/Events",
        "Invocations",
        {"RuleName": "redeemed-to-ledger"},
        points,
        lambda tt: sum(1 for e in by_min.get(tt, []) if not e["failed"]) * 1.0,
    )
    M.count("AWS/Events", "FailedInvocations", {"RuleName": "redeemed-to-ledger"}, points, lambda tt: 0.0)

    # --- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{acct}:payments-oncall"
    cfg = day - timedelta(days=rng.randint(60, 400), hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
    thr = float(rng.choice([8, 10]))
    alarms = [
        k.Alarm(
            acct,
            REGION,
            "giftcard-redeem-failed-executions",
            namespace="AWS/States",
            metric="ExecutionsFailed",
            dims=sd,
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=thr,
            comparison="GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            description="Redemption workflow failures",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "redeem-api-5xx",
            namespace="AWS/ApiGateway",
            metric="5XXError",
            dims=ad,
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=5,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Redeem API server errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "redeem-validate-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "redeem-validate"},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=3,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="redeem-validate function errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "redeem-apply-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "redeem-apply"},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=3,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="redeem-apply function errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "redeem-api-latency",
            namespace="AWS/ApiGateway",
            metric="Latency",
            dims=ad,
            statistic="Average",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=800,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Redeem API latency",
            actions=[topic],
            configured=cfg,
        ),
    ]
    for alarm in alarms:
        alarm.evaluate(M.rows, start, now, rng)
    main = alarms[0]
    if not any(tr_[2] == "ALARM" for tr_ in main.transitions):
        raise RuntimeError(f"{NAME}: seed {seed} did not reach the alarm threshold")

    # --- logs -----------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    vstreams = [k.lambda_stream(rng, day) for _ in range(3)]
    astreams = [k.lambda_stream(rng, day) for _ in range(3)]
    apply_deploy = campaign - timedelta(minutes=rng.randint(16, 27), seconds=rng.randint(0, 59))
    astreams_new = [k.lambda_stream(rng, day) for _ in range(3)]
    for e in execs:
        et: datetime = e["t"]
        req = k.uid(rng)
        st = rng.choice(vstreams)
        ms0 = k.ms(et) + 30
        grp = "/aws/lambda/redeem-validate"
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": ms0,
                "message": f"START RequestId: {req} Version: $LATEST",
            }
        )
        body = {
            "level": "INFO",
            "location": "handler:58",
            "message": "code rejected",
            "service": "redeem-validate",
            "timestamp": k.iso_ms(et).replace("Z", "+0000"),
            "cold_start": False,
            "function_request_id": req,
            "card": e["card"][:6] + "****",
            "valid": not (e["failed"] and e["reason"] != "INSUFFICIENT_BALANCE"),
        }
        if e["failed"] and e["reason"] != "INSUFFICIENT_BALANCE":
            body["reason"] = e["reason"]
        if not body["valid"]:
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": st,
                    "timestamp": ms0 + int(e["v"]) - 4,
                    "message": json.dumps(body, separators=(",", ":")),
                }
            )
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": ms0 + int(e["v"]),
                "message": f"END RequestId: {req}",
            }
        )
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": ms0 + int(e["v"]),
                "message": k.report_line(req, e["v"], 512, rng.randint(78, 86)),
            }
        )
        if not e["failed"]:
            req = k.uid(rng)
            st = rng.choice(astreams_new if et > apply_deploy + timedelta(seconds=20) else astreams)
            ms1 = ms0 + int(e["v"]) + rng.randint(30, 60)
            grp = "/aws/lambda/redeem-apply"
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": st,
                    "timestamp": ms1,
                    "message": f"START RequestId: {req} Version: $LATEST",
                }
            )
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": st,
                    "timestamp": ms1 + int(e["a"]),
                    "message": f"END RequestId: {req}",
                }
            )
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": st,
                    "timestamp": ms1 + int(e["a"]),
                    "message": k.report_line(req, e["a"], 512, rng.randint(90, 99)),
                }
            )
        if rng.random() < 0.004:
            logs.append(
                {
                    "log_group": "/aws/lambda/redeem-validate",
                    "log_stream": st if st in vstreams else vstreams[0],
                    "timestamp": ms0 + 10,
                    "message": json.dumps(
                        {
                            "level": "WARNING",
                            "location": "fraud_score:112",
                            "message": "velocity check: several codes tried from one client",
                            "service": "redeem-validate",
                            "timestamp": k.iso_ms(et).replace("Z", "+0000"),
                            "attempts_10m": rng.randint(6, 12),
                        },
                        separators=(",", ":"),
                    ),
                }
            )
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    # --- CloudTrail -----------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    mkt = tr.role(
        "AWSReservedSSO_MarketingOps_" + k.hexs(rng, 16),
        f"{rng.choice(['dana.whitfield', 'carlos.mendez', 'rachel.kim'])}@giftwell.com",
        sso=True,
    )
    eng = tr.role(
        "AWSReservedSSO_PaymentsEngineer_" + k.hexs(rng, 16),
        f"{rng.choice(['jordan.price', 'amara.obi', 'ethan.cole'])}@giftwell.com",
        sso=True,
    )
    ci = tr.role("giftwell-github-deploy", "GitHubActions")
    mkt_ip = f"{rng.choice([24, 67, 98])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    eng_ip = f"{rng.choice([73, 76, 99])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    ci_ip = f"4.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    span = int((now - start).total_seconds() // 60)
    for i in range(19):
        tt = start + timedelta(minutes=rng.randint(3, span - 3))
        c = i % 4
        if c == 0:
            tr.add(
                tt,
                "states.amazonaws.com",
                "DescribeStateMachine",
                eng,
                {"stateMachineArn": sm_arn},
                None,
                read_only=True,
                ip=eng_ip,
                agent=k.CONSOLE_UA,
            )
        elif c == 1:
            tr.add(
                tt,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                eng,
                {"tableName": "giftwell-cards"},
                None,
                read_only=True,
                ip=eng_ip,
                agent=k.CONSOLE_UA,
            )
        elif c == 2:
            tr.add(
                tt,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                eng,
                {"functionName": rng.choice(["redeem-validate", "redeem-apply", "balance-lookup"])},
                None,
                read_only=True,
                ip=eng_ip,
                agent=k.CONSOLE_UA,
            )
        else:
            tr.add(
                tt,
                "ssm.amazonaws.com",
                "GetParameter",
                mkt,
                {"name": "/giftwell/prod/promo/holiday-banner", "withDecryption": False},
                None,
                read_only=True,
                ip=mkt_ip,
                agent=k.CONSOLE_UA,
            )
    for _ in range(8):
        tt = start + timedelta(minutes=rng.randint(2, span - 2))
        fn = rng.choice(["redeem-validate", "redeem-apply", "balance-lookup"])
        tr.add(
            tt,
            "sts.amazonaws.com",
            "AssumeRole",
            k.Trail.service("lambda.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{acct}:role/{fn}-role", "roleSessionName": fn},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16, upper=True),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.alnum(rng, 40),
                    "expiration": (tt + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
            resources=[
                {"accountId": acct, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{acct}:role/{fn}-role"}
            ],
        )
    # the CI deploy of redeem-apply (a logging tweak), and marketing switching the promo banner on
    tr.add(
        apply_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "redeem-apply",
            "s3Bucket": f"giftwell-lambda-artifacts-{acct}",
            "s3Key": f"redeem-apply/{k.hexs(rng, 40)}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": "redeem-apply",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:redeem-apply:{rng.randint(30, 80)}",
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
        ip=ci_ip,
        agent="aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/lambda#3.552.0",
    )
    tr.add(
        apply_deploy + timedelta(seconds=40),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": "redeem-apply", "name": "live", "functionVersion": str(rng.randint(30, 80))},
        {
            "aliasArn": f"arn:aws:lambda:{REGION}:{acct}:function:redeem-apply:live",
            "name": "live",
            "revisionId": k.uid(rng),
        },
        read_only=False,
        ip=ci_ip,
        agent="aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/lambda#3.552.0",
    )
    banner = campaign - timedelta(minutes=rng.randint(2, 6))
    tr.add(
        banner,
        "ssm.amazonaws.com",
        "PutParameter",
        mkt,
        {"name": "/giftwell/prod/promo/holiday-banner", "type": "String", "overwrite": True},
        {"version": rng.randint(12, 30), "tier": "Standard"},
        read_only=False,
        ip=mkt_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        campaign + timedelta(minutes=rng.randint(3, 8)),
        "dynamodb.amazonaws.com",
        "DescribeContinuousBackups",
        eng,
        {"tableName": "giftwell-cards"},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        start + timedelta(minutes=rng.randint(20, 60)),
        "events.amazonaws.com",
        "PutRule",
        eng,
        {
            "name": "redeemed-to-ledger",
            "eventPattern": json.dumps({"source": ["giftwell.redeem"], "detail-type": ["CardRedeemed"]}),
            "state": "ENABLED",
            "eventBusName": "default",
        },
        {"ruleArn": f"arn:aws:events:{REGION}:{acct}:rule/redeemed-to-ledger"},
        read_only=False,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    look = main.transitions[0][0] + timedelta(minutes=rng.randint(3, 6))
    tr.add(
        look,
        "states.amazonaws.com",
        "DescribeStateMachine",
        eng,
        {"stateMachineArn": sm_arn},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )

    # --- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 900))
    res: list[dict[str, Any]] = []

    def add(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    fa = f"arn:aws:lambda:{REGION}:{acct}:function:"
    definition = {
        "Comment": "Redeem a gift card code against a customer's basket",
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fa + "redeem-validate:live", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Next": "IsRedeemable",
            },
            "IsRedeemable": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.valid", "BooleanEquals": False, "Next": "Rejected"}],
                "Default": "Reserve",
            },
            "Reserve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": "giftwell-cards",
                    "Key": {"cardId": {"S.$": "$.cardId"}},
                    "UpdateExpression": "SET balance = balance - :amt",
                    "ConditionExpression": "balance >= :amt AND #st = :active",
                    "ExpressionAttributeNames": {"#st": "status"},
                    "ExpressionAttributeValues": {
                        ":amt": {"N.$": "States.Format('{}', $.amount)"},
                        ":active": {"S": "ACTIVE"},
                    },
                },
                "ResultPath": None,
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                        "Next": "InsufficientBalance",
                    }
                ],
                "Next": "Apply",
            },
            "Apply": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fa + "redeem-apply:live", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            },
            "Rejected": {"Type": "Fail", "Error": "CardNotRedeemable", "CausePath": "$.reason"},
            "InsufficientBalance": {
                "Type": "Fail",
                "Error": "InsufficientBalance",
                "Cause": "Card balance lower than requested amount",
            },
        },
    }
    add(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm_name,
            "status": "ACTIVE",
            "definition": json.dumps(definition, indent=2),
            "roleArn": f"arn:aws:iam::{acct}:role/giftcard-redeem-sfn",
            "type": "EXPRESS",
            "creationDate": k.iso(created),
            "loggingConfiguration": {
                "level": "ERROR",
                "includeExecutionData": False,
                "destinations": [
                    {
                        "cloudWatchLogsLogGroup": {
                            "logGroupArn": f"arn:aws:logs:{REGION}:{acct}:log-group:/aws/vendedlogs/states/giftcard-redeem:*"
                        }
                    }
                ],
            },
            "tracingConfiguration": {"enabled": False},
            "revisionId": k.uid(rng),
        },
    )
    # Express workflow ERROR-level logs: one line per failed execution
    sgrp = "/aws/vendedlogs/states/giftcard-redeem"
    sstream = f"states/giftcard-redeem/{day:%Y-%m-%d}-{k.hexs(rng, 8)}/{k.hexs(rng, 8)}"
    for e in (x for x in execs if x["failed"]):
        et = e["t"]
        err = "InsufficientBalance" if e["reason"] == "INSUFFICIENT_BALANCE" else "CardNotRedeemable"
        cause = "Card balance lower than requested amount" if err == "InsufficientBalance" else e["reason"]
        exec_arn = f"arn:aws:states:{REGION}:{acct}:express:{sm_name}:{k.uid(rng)}:{k.uid(rng)}"
        logs.append(
            {
                "log_group": sgrp,
                "log_stream": sstream,
                "timestamp": k.ms(et) + int(e["total"]),
                "message": json.dumps(
                    {
                        "id": "7",
                        "type": "ExecutionFailed",
                        "details": {"cause": cause, "error": err},
                        "previous_event_id": "6",
                        "event_timestamp": str(k.ms(et) + int(e["total"])),
                        "execution_arn": exec_arn,
                        "redrive_count": "0",
                    },
                    separators=(",", ":"),
                ),
            }
        )
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))
    for fn, rt, desc in (
        ("redeem-validate", "python3.12", "Validate a gift card code"),
        ("redeem-apply", "python3.12", "Apply a reserved amount to the basket"),
        ("balance-lookup", "python3.12", "GET /cards/{code}/balance"),
    ):
        lm = (
            apply_deploy + timedelta(seconds=6)
            if fn == "redeem-apply"
            else day - timedelta(days=rng.randint(5, 50))
        )
        add(
            "lambda",
            "FunctionConfiguration",
            k.function_config(
                acct,
                REGION,
                fn,
                runtime=rt,
                handler="app.handler",
                role=f"{fn}-role",
                memory=512,
                timeout=10,
                last_modified=lm,
                rng=rng,
                env={"POWERTOOLS_SERVICE_NAME": fn, "CARDS_TABLE": "giftwell-cards"},
                description=desc,
            ),
        )
        add("iam", "Role", k.role_item(acct, f"{fn}-role", "lambda.amazonaws.com", created, rng))
        add("logs", "LogGroup", k.log_group(acct, REGION, f"/aws/lambda/{fn}", created, 30))
    add("logs", "LogGroup", k.log_group(acct, REGION, sgrp, created, 30))
    add("iam", "Role", k.role_item(acct, "giftcard-redeem-sfn", "states.amazonaws.com", created, rng))
    add(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "giftwell-cards",
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "AttributeDefinitions": [{"AttributeName": "cardId", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "cardId", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": k.iso(created),
            },
            "TableSizeBytes": rng.randint(10**9, 4 * 10**9),
            "ItemCount": rng.randint(5 * 10**6, 2 * 10**7),
            "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/giftwell-cards",
            "TableId": k.uid(rng),
            "DeletionProtectionEnabled": True,
        },
    )
    api_id = k.alnum(rng, 10)
    add(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "giftwell-redeem-api",
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(rng, 10),
        },
    )
    add(
        "ssm",
        "ParameterMetadata",
        {
            "Name": "/giftwell/prod/promo/holiday-banner",
            "ARN": f"arn:aws:ssm:{REGION}:{acct}:parameter/giftwell/prod/promo/holiday-banner",
            "Type": "String",
            "LastModifiedDate": k.iso(banner),
            "LastModifiedUser": mkt["arn"],
            "Version": 1,
            "Tier": "Standard",
            "DataType": "text",
        },
    )

    question = (
        "giftcard-redeem-failed-executions has been paging on and off for the last hour. Marketing's '12 days of "
        "gifting' email went out this morning. Is redemption broken for customers?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": question,
                "alarm_event": main.event(after=campaign),
                "timezone": "America/Chicago",
            },
            "truth": {
                "no_fault": True,
                "root_cause": None,
                "also_accept": [],
                "actions": [],
                "chain": [
                    "The promotional email tripled redemption attempts on giftcard-redeem",
                    "The share of failed executions stayed at its usual level (codes already redeemed, mistyped, expired or short of balance)",
                    "The alarm counts failures rather than a rate, so the higher volume crossed its threshold",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": M.rows,
            "alarms": [al.item() for al in alarms],
            "alarm_history": [h for al in alarms for h in al.history],
            "logs": logs,
            "cloudtrail": tr.sorted_rows(),
            "resources": res,
        },
    )
