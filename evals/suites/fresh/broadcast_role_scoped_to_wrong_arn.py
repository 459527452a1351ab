"""Room messages stop reaching recipients after a least-privilege edit of the broadcaster's role."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzt as k

NAME = "chat-room-messages-not-delivered-after-iam-tidy"
TITLE = "Chat messages send fine but nobody else in the room receives them"
SUMMARY = (
    "A Terraform apply tightened the broadcaster role's execute-api:ManageConnections resource to the "
    "@connections path without the connection-id wildcard; every PostToConnection is denied."
)

ZONES = [("Europe/London", 1), ("America/New_York", -4), ("Europe/Berlin", 2), ("America/Chicago", -5)]


def _policy(c: k.Ctx, resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadMessageStream",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                "Resource": c.arn("dynamodb", "table/chat-messages/stream/*"),
            },
            {
                "Sid": "RoomMembers",
                "Effect": "Allow",
                "Action": ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:DeleteItem"],
                "Resource": [
                    c.arn("dynamodb", "table/chat-connections"),
                    c.arn("dynamodb", "table/chat-connections/index/*"),
                    c.arn("dynamodb", "table/chat-rooms"),
                ],
            },
            {
                "Sid": "PostToClients",
                "Effect": "Allow",
                "Action": "execute-api:ManageConnections",
                "Resource": resource,
            },
            {
                "Sid": "FailedBatches",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": c.arn("sqs", "chat-broadcast-failed"),
            },
        ],
    }


def build(seed: int) -> Bundle:
    c = k.Ctx(seed, "broadcast-role")
    r = c.rng
    zone, off = r.choice(ZONES)
    onset = c.day + timedelta(
        hours=(r.randint(17, 20) - off) % 24, minutes=r.randint(0, 59), seconds=r.randint(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=r.randint(40, 70))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(38, 55))).replace(second=0)
    end = now
    scale = r.uniform(0.7, 1.6)
    k.chat_account(c)
    msgs = next(x["item"] for x in c.resources if x["item"].get("TableName") == "chat-messages")
    fail_frac = r.uniform(0.93, 0.99)

    def adjust(key: str, t: datetime, v: float) -> float:
        if t < onset:
            return v
        if key == "lambda.chat-broadcast.Invocations":
            return v * 1.9
        if key == "lambda.chat-broadcast.Errors":
            return v + 700 * k.diurnal(t, off) * scale * 1.9 * fail_frac
        if key == "lambda.chat-broadcast.Duration":
            return v * 0.45
        if key == "ws.MessageCount":
            return v * r.uniform(0.58, 0.63)
        return v

    k.baseline_metrics(c, start, end, scale, off, adjust)
    # stream iterator age of the broadcaster (retries, then bisect, then the on-failure queue)
    for t in k.minutes(start, end):
        if t < onset:
            age = r.uniform(120, 480)
        else:
            m = (t - onset).total_seconds() / 60
            age = min(9000 + m * 21000, 190000) * r.uniform(0.9, 1.1)
        c.stat(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": "chat-broadcast"},
            t,
            40,
            age * 40,
            age * 0.2,
            age,
            "Milliseconds",
        )
        if t >= onset + timedelta(minutes=3) and t.minute % 5 == 0:
            c.metric(
                "AWS/SQS",
                "NumberOfMessagesSent",
                {"QueueName": "chat-broadcast-failed"},
                t,
                round(r.uniform(40, 90) * scale),
            )

    role_arn = f"arn:aws:iam::{c.account}:role/chat-broadcast-role"
    good = c.arn("execute-api", f"{c.api_id}/*/POST/@connections/*")
    bad = c.arn("execute-api", f"{c.api_id}/prod/POST/@connections")
    c.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "chat-broadcast-role",
            "PolicyName": "chat-broadcast-access",
            "PolicyDocument": _policy(c, bad),
        },
    )
    push_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": c.arn("sqs", "chat-push-outbox")},
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem"],
                "Resource": c.arn("dynamodb", "table/chat-rooms"),
            },
        ],
    }
    c.resource(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": "chat-push-role", "PolicyName": "chat-push-access", "PolicyDocument": push_doc},
    )
    for role in ("chat-broadcast-role", "chat-push-role", "chat-ws-handlers-role"):
        c.resource(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": role,
                "PolicyName": "AWSLambdaVPCAccessExecutionRole",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            },
        )
    c.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": c.uid(),
            "StartingPosition": "LATEST",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,
            "ParallelizationFactor": 4,
            "EventSourceArn": msgs["LatestStreamArn"],
            "FunctionArn": c.arn("lambda", "function:chat-broadcast"),
            "LastModified": k.iso(c.day - timedelta(days=77)),
            "LastProcessingResult": "PROBLEM: Function call failed",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {"Destination": c.arn("sqs", "chat-broadcast-failed")}},
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "FunctionResponseTypes": [],
        },
    )

    # the apply: two roles touched in one Terraform run, reads first
    tf = c.who("terraform-apply-ci", f"gha-apply-{c.hexid(6)}")
    agent = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0"
    t_apply = onset - timedelta(seconds=r.randint(25, 80))
    for i, (nm, params) in enumerate(
        [
            ("GetRole", {"roleName": "chat-broadcast-role"}),
            ("GetRolePolicy", {"roleName": "chat-broadcast-role", "policyName": "chat-broadcast-access"}),
            ("GetRole", {"roleName": "chat-push-role"}),
            ("GetRolePolicy", {"roleName": "chat-push-role", "policyName": "chat-push-access"}),
            ("ListAttachedRolePolicies", {"roleName": "chat-broadcast-role"}),
        ]
    ):
        c.ct(
            t_apply - timedelta(seconds=40 - i * 3),
            "iam.amazonaws.com",
            nm,
            tf,
            params,
            None,
            True,
            agent,
            region="us-east-1",
        )
    culprit = c.ct(
        t_apply,
        "iam.amazonaws.com",
        "PutRolePolicy",
        tf,
        {
            "roleName": "chat-broadcast-role",
            "policyName": "chat-broadcast-access",
            "policyDocument": json.dumps(_policy(c, bad)),
        },
        None,
        agent=agent,
        region="us-east-1",
    )
    c.ct(
        t_apply + timedelta(seconds=2),
        "iam.amazonaws.com",
        "PutRolePolicy",
        tf,
        {
            "roleName": "chat-push-role",
            "policyName": "chat-push-access",
            "policyDocument": json.dumps(push_doc),
        },
        None,
        agent=agent,
        region="us-east-1",
    )
    # the previous version of the policy, written weeks ago, is not in the window; a plan run earlier is
    c.readonly_noise(start, now, r.randint(34, 48))
    k.innocent_changes(c, start, onset)
    k.sweeper_logs(c, start, now)
    k.flappy_alarm(c, start, now)
    _ = good

    # broadcaster logs: healthy fan-out, then denials
    g = "/aws/lambda/chat-broadcast"
    streams = [k.stream_name(c, start) for _ in range(3)]
    t = start + timedelta(seconds=r.randint(5, 50))
    while t < now:
        s = r.choice(streams)
        rid = c.uid()
        n = r.randint(2, 40)
        c.log(g, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        ts = k.lts(t)
        room = f"room_{c.hexid(10, alnum=True)}"
        if t < onset:
            gone = r.choice([0, 0, 0, 1, 2])
            if gone:
                c.log(
                    g,
                    s,
                    t + timedelta(milliseconds=80),
                    f"{ts}\t{rid}\tWARN\tstale connection {c.hexid(12, alnum=True)}= (410 GoneException), removing\n",
                )
            c.log(
                g,
                s,
                t + timedelta(milliseconds=120),
                f"{ts}\t{rid}\tINFO\tbroadcast room={room} records=1 recipients={n} delivered={n - gone} gone={gone}\n",
            )
            dur = r.uniform(60, 260)
        else:
            conn = c.hexid(12, alnum=True) + "="
            who = f"arn:aws:sts::{c.account}:assumed-role/chat-broadcast-role/chat-broadcast"
            c.log(
                g,
                s,
                t + timedelta(milliseconds=40),
                f"{ts}\t{rid}\tERROR\tpostToConnection failed connectionId={conn} ForbiddenException: "
                f"User: {who} is not authorized to perform: execute-api:ManageConnections on resource: "
                f"{c.arn('execute-api', f'{c.api_id}/prod/POST/@connections/{conn}')}\n",
            )
            c.log(
                g,
                s,
                t + timedelta(milliseconds=60),
                f"{ts}\t{rid}\tERROR\tInvoke Error \t"
                + k.jl(
                    {
                        "errorType": "BroadcastError",
                        "errorMessage": f"{n}/{n} deliveries failed for room {room}",
                        "stack": [
                            f"BroadcastError: {n}/{n} deliveries failed for room {room}",
                            "    at fanOut (/var/task/dist/index.js:1:48213)",
                            "    at async Runtime.handler (/var/task/dist/index.js:1:49102)",
                        ],
                    }
                )
                + "\n",
            )
            dur = r.uniform(30, 90)
        c.log(g, s, t + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
        c.log(
            g,
            s,
            t + timedelta(milliseconds=dur),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 1024 MB\tMax Memory Used: {r.randint(150, 210)} MB\t\n",
        )
        t += timedelta(seconds=r.randint(20, 75))
    # senders are fine
    g2 = "/aws/lambda/chat-sendmessage"
    s2 = k.stream_name(c, start)
    t = start + timedelta(seconds=r.randint(5, 50))
    while t < now:
        k.lambda_report(c, "chat-sendmessage", s2, t, r.uniform(14, 48), 512, r.randint(98, 130))
        t += timedelta(seconds=r.randint(45, 140))
    _ = g2

    err = c.alarm(
        "chat-broadcast-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "chat-broadcast"},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        3,
        "ALARM",
        onset + timedelta(minutes=4),
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0).",
        description="chat-broadcast failing batches from the chat-messages stream",
    )
    c.transition(err, onset + timedelta(minutes=4, seconds=12), "OK", "ALARM", err["StateReason"])
    age_alarm = c.alarm(
        "chat-broadcast-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": "chat-broadcast"},
        "Maximum",
        60000.0,
        "GreaterThanThreshold",
        5,
        "ALARM",
        onset + timedelta(minutes=8),
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (60000.0).",
        period=60,
    )
    c.transition(age_alarm, onset + timedelta(minutes=8, seconds=30), "OK", "ALARM", age_alarm["StateReason"])
    c.alarm(
        "chat-ws-execution-errors",
        "AWS/ApiGateway",
        "ExecutionError",
        {"ApiId": c.api_id, "Stage": "prod"},
        "Sum",
        25.0,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=2),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0).",
    )
    c.alarm(
        "chat-push-outbox-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "chat-push-outbox"},
        "Maximum",
        300.0,
        "GreaterThanThreshold",
        2,
        "OK",
        start - timedelta(days=5),
        "Threshold Crossed: 2 datapoints were not greater than the threshold (300.0).",
        period=300,
    )
    local = onset + timedelta(hours=off)
    q = (
        f"support's getting a lot of tickets: people can send chat messages (they show as sent) but the "
        f"others in the room never get them. started roughly {local:%-I:%M%p}".lower().replace(":00", "")
        + ", web and mobile. is the websocket api down?"
    )
    return k.write(
        c,
        TITLE,
        start,
        end,
        now,
        {"question": q, "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": "chat-broadcast-role",
                "category": "change",
                "failure_mode": "iam-policy-resource-too-narrow",
                "event_id": culprit,
            },
            "also_accept": [role_arn, "chat-broadcast-access"],
            "actions": ["rollback"],
            "chain": ["chat-broadcast-role", "chat-broadcast", "chat-realtime"],
        },
    )
