"""A payout backlog alarm pages overnight while the nightly payout run drains at its agreed pace."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    queue,
    tooling_reads,
)

NAME = "payout-backlog-page-overnight"
TITLE = "Paged overnight for the payout-instructions backlog; are tonight's payouts stuck?"
SUMMARY = (
    "The nightly payout run enqueues tens of thousands of instructions at once; the dispatcher drains them "
    "at its deliberately capped concurrency and the backlog alarm fires as it does every night."
)

ZONE = "Europe/London"
BOTO = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12"


def build(seed: int) -> Bundle:
    a = Account(seed)
    rng = a.rng
    day = a.day(datetime(2026, 1, 6, tzinfo=UTC), 300)
    run = datetime(day.year, day.month, day.day, 1, 0, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
    run += timedelta(seconds=rng.randint(2, 9))
    start = run - timedelta(hours=4, minutes=rng.randint(15, 40))
    start = start.replace(minute=start.minute - start.minute % 5, second=0)
    old = day - timedelta(days=rng.randint(180, 500))
    deploy = start + timedelta(minutes=rng.randint(25, 70))
    times_all = minutes(start, run + timedelta(minutes=80))
    total = rng.randint(22000, 38000)
    conc = 10
    per_min = conc * 60 / rng.uniform(1.05, 1.3)  # ~1.2 s a payout, ten at a time
    drain_min = total / per_min
    now = run + timedelta(minutes=rng.randint(26, 34))
    times = [t for t in times_all if t <= now]

    net = network(a, old)
    q, dlq = "payout-instructions", "payout-instructions-dlq"
    sm = "nightly-payouts"
    sm_arn = a.arn("states", f"stateMachine:{sm}")

    # --- resources ---------------------------------------------------------------------------------
    a.resource(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": a.arn("scheduler", f"schedule/default/{sm}"),
            "GroupName": "default",
            "Name": sm,
            "ScheduleExpression": "cron(0 1 * * ? *)",
            "ScheduleExpressionTimezone": ZONE,
            "State": "ENABLED",
            "Description": "Daily merchant payouts (bank cut-off 06:00)",
            "CreationDate": iso(old),
            "LastModificationDate": iso(old + timedelta(days=3)),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": sm_arn,
                "RoleArn": f"arn:aws:iam::{a.account}:role/scheduler-nightly-payouts",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
            },
        },
    )
    definition = {
        "Comment": "Nightly merchant payouts: build the list, enqueue one instruction per payout",
        "StartAt": "BuildPayoutList",
        "States": {
            "BuildPayoutList": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": a.arn("lambda", "function:payout-build-list"),
                    "Payload.$": "$",
                },
                "OutputPath": "$.Payload",
                "Next": "Enqueue",
            },
            "Enqueue": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 10},
                "MaxConcurrency": 40,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "SendBatch",
                    "States": {
                        "SendBatch": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {
                                "FunctionName": a.arn("lambda", "function:payout-enqueue"),
                                "Payload.$": "$",
                            },
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    a.resource(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm,
            "status": "ACTIVE",
            "definition": json.dumps(definition),
            "roleArn": f"arn:aws:iam::{a.account}:role/nightly-payouts-sfn",
            "type": "STANDARD",
            "creationDate": iso(old),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
        },
    )
    fanout_end = run + timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(0, 59))
    for k in range(4):
        night = run - timedelta(days=k)
        ex_end = fanout_end - timedelta(days=k) + timedelta(seconds=rng.randint(-40, 40))
        a.resource(
            "stepfunctions",
            "DescribeExecutionOutput",
            {
                "executionArn": a.arn("states", f"execution:{sm}:{a.uuid()}"),
                "stateMachineArn": sm_arn,
                "name": a.uuid(),
                "status": "SUCCEEDED",
                "startDate": iso(night),
                "stopDate": iso(ex_end),
                "redriveCount": 0,
                "redriveStatus": "NOT_REDRIVABLE",
            },
        )
    dlq_arn = a.arn("sqs", dlq)
    left_now = max(0.0, total - per_min * (now - fanout_end).total_seconds() / 60)
    queue(
        a,
        q,
        old,
        {
            "VisibilityTimeout": "120",
            "ApproximateNumberOfMessages": str(int(left_now)),
            "ApproximateNumberOfMessagesNotVisible": str(conc * 10),
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":5}}',
            "MessageRetentionPeriod": "86400",
        },
    )
    queue(a, dlq, old, {"MessageRetentionPeriod": "1209600"})
    funcs = {
        "payout-build-list": (300, 1024, "selects due payouts and writes the night's CSV"),
        "payout-enqueue": (60, 256, "sends payout instructions to payout-instructions"),
        "payout-dispatcher": (
            60,
            512,
            "submits payouts to the bank; ESM capped at 10 (bank allows 10 concurrent requests)",
        ),
        "instant-payouts-api": (15, 512, "merchant-requested instant payouts"),
    }
    for fn, (timeout, mem, desc) in funcs.items():
        lambda_function(
            a,
            fn,
            runtime="python3.12",
            handler="app.handler",
            timeout=timeout,
            memory=mem,
            modified=deploy if fn == "payout-dispatcher" else old + timedelta(days=rng.randint(10, 100)),
            role=f"{fn}-role",
            env={"BANK_API_BASE": "https://api.northrail-bank.com/payments/v3"}
            if fn == "payout-dispatcher"
            else None,
            subnets=net["private"],
            sg=net["sg"],
            vpc=net["vpc"],
            description=desc,
        )
    a.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": a.uuid(),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": a.arn("sqs", q),
            "FunctionArn": a.arn("lambda", "function:payout-dispatcher"),
            "LastModified": iso(old + timedelta(days=20)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "ScalingConfig": {"MaximumConcurrency": conc},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )

    # --- metrics -------------------------------------------------------------------------------------
    visible = 0.0
    vis_series: dict[datetime, float] = {}
    enq_minutes = max(1, int((fanout_end - run).total_seconds() // 60) + 1)
    qd, dd = {"QueueName": q}, {"QueueName": dlq}
    for t in times:
        into = (t - run.replace(second=0)).total_seconds() / 60
        trickle = rng.choice([0, 0, 0, 1, 2, 3])
        sent = trickle + (total / enq_minutes if 0 <= into < enq_minutes else 0)
        pending = visible + sent
        done = min(pending, per_min * rng.uniform(0.96, 1.04)) if pending > 20 else pending
        visible = max(0.0, pending - done)
        vis_series[t] = round(visible)
        a.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, round(sent))
        a.metric("AWS/SQS", "NumberOfMessagesReceived", qd, t, round(done * rng.uniform(1.0, 1.004)))
        a.metric("AWS/SQS", "NumberOfMessagesDeleted", qd, t, round(done))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, round(visible))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, round(min(100, done / 6)))
        age = (into + 0.5) * 60 if visible > 50 and into >= 0 else rng.randint(0, 3)
        a.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, age, "Seconds")
        a.metric("AWS/SQS", "NumberOfEmptyReceives", qd, t, 0 if visible > 50 else rng.randint(28, 34))
        ld = {"FunctionName": "payout-dispatcher"}
        busy = visible > 50
        a.metric("AWS/Lambda", "Invocations", ld, t, round(done / (10 if busy else 1)) if done else 0)
        a.metric("AWS/Lambda", "Errors", ld, t, 0)
        a.metric("AWS/Lambda", "Throttles", ld, t, 0)
        if done:
            durs = [rng.uniform(10500, 13500) for _ in range(6)] if busy else [rng.uniform(900, 1500)]
            a.stats("AWS/Lambda", "Duration", ld, t, durs, "Milliseconds")
        a.metric("AWS/Lambda", "ConcurrentExecutions", ld, t, conc if busy else (1 if done else 0))
        if 0 <= into < enq_minutes:
            ed = {"FunctionName": "payout-enqueue"}
            a.metric("AWS/Lambda", "Invocations", ed, t, round(total / enq_minutes / 10))
            a.metric("AWS/Lambda", "Errors", ed, t, 0)
            a.metric("AWS/Lambda", "ConcurrentExecutions", ed, t, rng.randint(30, 40))
        if 0 <= into < 1:
            sd = {"StateMachineArn": sm_arn}
            a.metric("AWS/States", "ExecutionsStarted", sd, t, 1)
        if t == fanout_end.replace(second=0):
            sd = {"StateMachineArn": sm_arn}
            a.metric("AWS/States", "ExecutionsSucceeded", sd, t, 1)
            a.metric(
                "AWS/States",
                "ExecutionTime",
                sd,
                t,
                (fanout_end - run).total_seconds() * 1000,
                "Milliseconds",
            )
        id_ = {"FunctionName": "instant-payouts-api"}
        a.metric("AWS/Lambda", "Invocations", id_, t, trickle)
        a.metric("AWS/Lambda", "Errors", id_, t, 0)
    nat_metrics(a, net["nat"], times, lambda t: 20 + (per_min * 0.1 if vis_series.get(t, 0) > 50 else 0))

    # --- logs ----------------------------------------------------------------------------------------
    g = "/aws/lambda/payout-dispatcher"
    streams = [log_stream(a, run) for _ in range(conc)]
    pre = log_stream(a, deploy + MIN)
    for t in times:
        busy = vis_series[t] > 50
        if not busy:
            if rng.random() < 0.35 and t > deploy:
                req = a.uuid()
                a.log(g, pre, t, f"START RequestId: {req} Version: $LATEST")
                a.log(
                    g,
                    pre,
                    t + timedelta(seconds=1),
                    f"[INFO]\t{iso(t)}\t{req}\tpayout po_{a.alnum(20)} submitted status=ACCEPTED bank_ref=NR{a.alnum(14, upper=True)} elapsed_ms={rng.randint(700, 1400)} kind=instant",
                )
                lambda_report(
                    a,
                    "payout-dispatcher",
                    pre,
                    t + timedelta(seconds=1),
                    req,
                    rng.uniform(900, 1500),
                    512,
                    104,
                )
            continue
        for s in rng.sample(streams, 3):
            at = t + timedelta(seconds=rng.uniform(0, 50))
            req = a.uuid()
            a.log(g, s, at, f"START RequestId: {req} Version: $LATEST")
            for k in range(3):
                msg = f"payout po_{a.alnum(20)} submitted status=ACCEPTED bank_ref=NR{a.alnum(14, upper=True)} elapsed_ms={rng.randint(800, 1500)}"
                a.log(g, s, at + timedelta(seconds=1.2 * (k + 1)), f"[INFO]\t{iso(at)}\t{req}\t{msg}")
            if rng.random() < 0.08:
                a.log(
                    g,
                    s,
                    at + timedelta(seconds=5),
                    f"[WARNING]\t{iso(at)}\t{req}\tbank returned 429 Too Many Requests, retrying in 1.0s (attempt 1/3)",
                )
            a.log(
                g,
                s,
                at + timedelta(seconds=12),
                f"[INFO]\t{iso(at)}\t{req}\tbatch done records=10 accepted=10 failed=0 remaining_visible~{int(vis_series[t])}",
            )
            lambda_report(
                a,
                "payout-dispatcher",
                s,
                at + timedelta(seconds=12),
                req,
                rng.uniform(10500, 13500),
                512,
                rng.randint(110, 126),
            )
    eg = "/aws/lambda/payout-enqueue"
    es = log_stream(a, run)
    for t in minutes(run, fanout_end):
        req = a.uuid()
        a.log(eg, es, t, f"START RequestId: {req} Version: $LATEST")
        a.log(eg, es, t, f"[INFO]\t{iso(t)}\t{req}\tSendMessageBatch {q}: 10 successful, 0 failed")
        lambda_report(a, "payout-enqueue", es, t, req, rng.uniform(40, 90), 256, 81)
    bg = "/aws/lambda/payout-build-list"
    bs = log_stream(a, run)
    req = a.uuid()
    a.log(bg, bs, run + timedelta(seconds=1), f"START RequestId: {req} Version: $LATEST")
    a.log(
        bg,
        bs,
        run + timedelta(seconds=38),
        f"[INFO]\t{iso(run)}\t{req}\tpayout list for {day:%Y-%m-%d}: {total} payouts, {rng.randint(5000, 9000)} merchants, written s3://finch-payouts-prod/runs/{day:%Y-%m-%d}/payouts.csv",
    )
    lambda_report(
        a, "payout-build-list", bs, run + timedelta(seconds=38), req, rng.uniform(35000, 41000), 1024, 402
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    sched = a.role_identity("scheduler-nightly-payouts", a.hex(32), run)
    sched["invokedBy"] = "scheduler.amazonaws.com"
    a.call(
        run,
        "states.amazonaws.com",
        "StartExecution",
        sched,
        {"stateMachineArn": sm_arn, "input": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {
            "executionArn": a.arn("states", f"execution:{sm}:{a.uuid()}"),
            "startDate": run.strftime("%b %d, %Y, %I:%M:%S %p"),
        },
        invoked_by="scheduler.amazonaws.com",
    )
    ci = a.role_identity("github-actions-deploy", "GitHubActions", deploy - 5 * MIN)
    ci_agent = (
        "aws-sdk-js/3.583.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/lambda#3.583.0"
    )
    fn_arn = a.arn("lambda", "function:payout-dispatcher")
    a.call(
        deploy - MIN,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": "payout-dispatcher"},
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
        {"functionName": "payout-dispatcher", "publish": False, "dryRun": False},
        {
            "functionName": "payout-dispatcher",
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "timeout": 60,
            "memorySize": 512,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        agent=ci_agent,
        ip="20.61.12.4",
    )
    sec = a.role_identity("payout-dispatcher-role", "payout-dispatcher", start)
    t = start + timedelta(minutes=rng.randint(1, 15))
    while t < now:
        a.call(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            sec,
            {"secretId": "northrail/mtls-client"},
            None,
            read_only=True,
            agent=BOTO,
        )
        t += timedelta(minutes=rng.randint(25, 35) if t < run else rng.randint(4, 8))
    secret_arn = a.arn("secretsmanager", f"secret:northrail/mtls-client-{a.alnum(6)}")
    a.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "northrail/mtls-client",
            "Description": "client certificate and key for the bank's payments API",
            "RotationEnabled": False,
            "LastChangedDate": iso(old + timedelta(days=120)),
            "LastAccessedDate": iso(day),
            "CreatedDate": iso(old),
        },
    )
    admin = a.role_identity(
        f"AWSReservedSSO_PlatformAdmin_{a.hex(16)}", "sam.okafor@finch-pay.com", start + timedelta(minutes=10)
    )
    t_sg = start + timedelta(minutes=rng.randint(10, 40))
    sg_bastion = "sg-0" + a.hex(16)
    a.call(
        t_sg,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        admin,
        {
            "groupId": sg_bastion,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [
                                {
                                    "cidrIp": f"81.{rng.randint(100, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}/32",
                                    "description": "sam home",
                                }
                            ]
                        },
                    }
                ]
            },
        },
        {"requestId": a.uuid(), "_return": True},
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    oncall = a.role_identity(
        f"AWSReservedSSO_PaymentsEngineer_{a.hex(16)}", "ines.ferreira@finch-pay.com", now - 12 * MIN
    )
    looks: list[tuple[str, str, dict[str, Any]]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["payout-instructions-backlog"]}),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{a.region}.amazonaws.com/{a.account}/{q}",
                "attributeNames": ["All"],
            },
        ),
        (
            "lambda.amazonaws.com",
            "ListEventSourceMappings20150331",
            {"functionName": "payout-dispatcher"},
        ),
    ]
    for k, (src, name, params) in enumerate(looks):
        a.call(
            now - timedelta(minutes=10 - 2 * k),
            src,
            name,
            oncall,
            params,
            None,
            read_only=True,
            agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        )
    tooling_reads(
        a,
        start,
        now,
        {"functions": list(funcs), "queues": [q, dlq], "state_machines": [sm]},
        rng.randint(34, 44),
    )

    # --- alarms --------------------------------------------------------------------------------------
    created = old + timedelta(days=30)
    backlog = a.alarm(
        "payout-instructions-backlog",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=5000,
        description="Payout instructions waiting for the dispatcher",
        updated=created,
    )
    for k in (3, 2, 1):
        night = run - timedelta(days=k)
        n_total = total * rng.uniform(0.85, 1.15)
        slot = night.replace(second=0)
        fire = slot + timedelta(minutes=5, seconds=rng.randint(38, 55))
        a.transition(backlog, fire, "ALARM", [(slot, round(n_total * 0.93))])
        clear_min = (n_total - 5000) / per_min + rng.uniform(4, 7)
        clear = night + timedelta(minutes=clear_min)
        slot = clear.replace(minute=clear.minute - clear.minute % 5, second=0, microsecond=0) - 5 * MIN
        clear = slot + timedelta(minutes=5, seconds=rng.randint(38, 55))
        a.transition(backlog, clear, "OK", [(slot, float(rng.randint(4000, 4990)))])
    five = minutes(start, now, 5)
    vmax: dict[datetime, float] = {}
    for t, v in vis_series.items():
        slot = max(s for s in five if s <= t)
        vmax[slot] = max(vmax.get(slot, 0.0), v)
    fired = a.evaluate(backlog, vmax, five, now)
    event = fired[0][1]
    a.alarm(
        "payout-instructions-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        period=300,
        evals=2,
        threshold=10800,
        description="Oldest payout instruction older than 3 h: bank cut-off at risk",
        updated=created,
    )
    a.alarm(
        "payout-instructions-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        missing="notBreaching",
        updated=created,
    )
    a.alarm(
        "payout-dispatcher-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "payout-dispatcher"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=20,
        missing="notBreaching",
        updated=created,
    )
    a.alarm(
        "nightly-payouts-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": sm_arn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=0,
        missing="notBreaching",
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
    del drain_min
    question = (
        f"Paged at {local_clock(fired[0][0], ZONE)} for payout-instructions backlog, it's still in alarm. "
        "Are tonight's payouts stuck? payout-dispatcher was deployed this evening, should I roll it back?"
    )
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return a.bundle(
        title=TITLE, start=start, now=now, question=question, timezone=ZONE, alarm_event=event, truth=truth
    )
