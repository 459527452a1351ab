"""A huge live room's per-message counter update saturates one DynamoDB partition of chat-rooms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzt as k

NAME = "chat-send-failures-during-live-event-room"
TITLE = "chat-ws-integration-errors paging during the live watch-party; sends failing for some rooms"
SUMMARY = (
    "Every sendmessage does an UpdateItem on the room's item in on-demand chat-rooms; one watch-party "
    "room passes the per-partition write ceiling and sends in that room (and its partition) are throttled."
)

THROTTLE_MSG = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling "
    "your table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)


def build(seed: int) -> Bundle:
    c = k.Ctx(seed, "hot-room")
    r = c.rng
    off = r.choice([0, 1, -4, 2])
    onset = c.day + timedelta(
        hours=(r.randint(18, 20) - off) % 24, minutes=r.randint(0, 59), seconds=r.randint(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=r.randint(35, 70))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(32, 48))).replace(second=0)
    scale = r.uniform(0.8, 1.5)
    k.chat_account(c)
    hot_room = f"room_live_{c.hexid(8, alnum=True)}"
    ramp_start = onset - timedelta(minutes=r.randint(12, 20))
    # messages per second in the live room once it peaks
    peak = r.uniform(1250, 1800)

    def hot_rate(t: datetime) -> float:
        if t < ramp_start:
            return 0.0
        m = (t - ramp_start).total_seconds() / 60
        return peak * min(1.0, m / ((onset - ramp_start).total_seconds() / 60 + 3))

    def throttled_frac(t: datetime) -> float:
        hr = hot_rate(t)
        return max(0.0, (hr - 1000) / hr) if hr > 0 else 0.0

    def adjust(key: str, t: datetime, v: float) -> float:
        hr = hot_rate(t) * 60
        thr = throttled_frac(t)
        fails = hr * thr
        if key == "lambda.chat-sendmessage.Invocations":
            return v + hr
        if key == "lambda.chat-sendmessage.Errors":
            return v + fails * 0.62  # the SDK's retries absorb some
        if key == "lambda.chat-sendmessage.Duration":
            return v * (1 + 5 * thr)
        if key == "ws.MessageCount":
            return v + hr * 1.9
        if key == "ws.IntegrationError":
            return v + fails * 0.62
        if key == "lambda.chat-broadcast.Invocations":
            return v + hr * 0.4 * (1 - thr)
        if key == "lambda.chat-broadcast.Duration":
            return v * (1 + 0.8 * hot_rate(t) / peak)
        if key == "lambda.chat-push-enqueue.Invocations":
            return v + hr * 0.1 * (1 - thr)
        if key == "ddb.chat-rooms.ConsumedWriteCapacityUnits":
            return v + min(hot_rate(t), 1000 * r.uniform(0.94, 0.995)) * 60
        if key == "ddb.chat-rooms.WriteThrottleEvents":
            return fails * 2.6
        if key == "ddb.chat-messages.ConsumedWriteCapacityUnits":
            return v + hr * (1 - thr) * 1.0
        if key == "redis.chat-pubsub-001.EngineCPUUtilization":
            return v + 14 * hot_rate(t) / peak
        if key == "ws.ConnectCount":
            return v + (r.uniform(60, 160) if ramp_start <= t < onset else 0)
        return v

    k.baseline_metrics(c, start, now, scale, off, adjust)
    for t in k.minutes(start, now):
        thr = throttled_frac(t)
        if thr > 0:
            n = hot_rate(t) * 60 * thr * 2.6
            c.metric(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": "chat-rooms", "Operation": "UpdateItem"},
                t,
                round(n / 2.6),
            )
    # the standing capacity of the table (on-demand) is visible in DescribeTable; update its counters
    for x in c.resources:
        if x["item"].get("TableName") == "chat-rooms":
            x["item"]["TableSizeBytes"] = x["item"]["ItemCount"] * 610

    # sendmessage logs: normal, then throttling concentrated in one room (and a few neighbours)
    g = "/aws/lambda/chat-sendmessage"
    streams = [k.stream_name(c, start) for _ in range(4)]
    neighbours = [f"room_{c.hexid(10, alnum=True)}" for _ in range(2)]
    t = start + timedelta(seconds=r.randint(3, 30))
    while t < now:
        s = r.choice(streams)
        rid = c.uid()
        c.log(g, s, t, f"START RequestId: {rid} Version: $LATEST\n")
        thr = throttled_frac(t)
        live = hot_rate(t) > 0 and r.random() < 0.75
        room = (
            hot_room
            if live
            else (r.choice(neighbours) if thr and r.random() < 0.15 else f"room_{c.hexid(10, alnum=True)}")
        )
        ts = k.lts(t)
        conn = c.hexid(12, alnum=True) + "="
        c.log(
            g,
            s,
            t + timedelta(milliseconds=3),
            f"{ts}\t{rid}\tINFO\tsendmessage room={room} conn={conn} len={r.randint(2, 280)}\n",
        )
        fail = (room == hot_room and r.random() < thr * 0.7) or (room in neighbours and r.random() < 0.5)
        if fail:
            dur = r.uniform(380, 900)
            c.log(
                g,
                s,
                t + timedelta(milliseconds=dur - 5),
                f"{k.lts(t + timedelta(milliseconds=dur - 5))}\t{rid}\tERROR\tInvoke Error \t"
                + k.jl(
                    {
                        "errorType": "ProvisionedThroughputExceededException",
                        "errorMessage": THROTTLE_MSG,
                        "name": "ProvisionedThroughputExceededException",
                        "$fault": "client",
                        "$metadata": {
                            "httpStatusCode": 400,
                            "requestId": c.hexid(52, alnum=True).upper(),
                            "attempts": 3,
                            "totalRetryDelay": r.randint(150, 420),
                        },
                        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                        "stack": [
                            f"ProvisionedThroughputExceededException: {THROTTLE_MSG}",
                            "    at throwDefaultError (/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                            "    at async touchRoom (/var/task/dist/index.js:1:20411)",
                            "    at async Runtime.handler (/var/task/dist/index.js:1:21987)",
                        ],
                    }
                )
                + "\n",
            )
        else:
            dur = r.uniform(14, 48) * (1 + 3 * thr)
        c.log(g, s, t + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
        c.log(
            g,
            s,
            t + timedelta(milliseconds=dur),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 512 MB\tMax Memory Used: {r.randint(96, 128)} MB\t\n",
        )
        t += timedelta(seconds=r.uniform(4, 14) if thr else r.uniform(20, 60))

    # access log lines of the API stage (sampled)
    ag = f"/aws/apigateway/{c.api_id}/prod"
    t = start + timedelta(seconds=r.randint(1, 20))
    while t < now:
        thr = throttled_frac(t)
        bad = thr and r.random() < 0.5
        line = {
            "requestId": c.hexid(12, alnum=True) + "=",
            "ip": f"{r.randint(20, 220)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            "routeKey": "sendmessage"
            if r.random() < 0.6 or bad
            else r.choice(["typing", "$connect", "$disconnect"]),
            "status": "500" if bad else "200",
            "connectionId": c.hexid(12, alnum=True) + "=",
            "eventType": "MESSAGE",
            "integrationError": "Lambda function error" if bad else "-",
        }
        if line["routeKey"] in ("$connect", "$disconnect"):
            line["eventType"] = "CONNECT" if line["routeKey"] == "$connect" else "DISCONNECT"
        c.log(ag, "prod_" + c.hexid(8), t, json.dumps(line, separators=(",", ":")))
        t += timedelta(seconds=r.uniform(8, 30) if thr else r.uniform(30, 90))

    # an innocent table change the same afternoon: PITR turned on for chat-rooms by a dev
    dev = c.who("user", r.choice(["a.haddad", "lena.fischer", "r.osei"]))
    c.ct(
        onset - timedelta(minutes=r.randint(40, 90)),
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        dev,
        {"tableName": "chat-rooms", "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        agent="AWS Internal",
    )
    k.innocent_changes(c, start, onset)
    c.readonly_noise(start, now, r.randint(36, 50))
    k.sweeper_logs(c, start, now)
    k.flappy_alarm(c, start, now)

    integ = c.alarm(
        "chat-ws-integration-errors",
        "AWS/ApiGateway",
        "IntegrationError",
        {"ApiId": c.api_id, "Stage": "prod"},
        "Sum",
        100.0,
        "GreaterThanThreshold",
        3,
        "ALARM",
        onset + timedelta(minutes=3),
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0).",
        description="WebSocket route integrations failing (Lambda errors / timeouts)",
    )
    c.transition(integ, onset + timedelta(minutes=3, seconds=9), "OK", "ALARM", integ["StateReason"])
    errs = c.alarm(
        "chat-sendmessage-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "chat-sendmessage"},
        "Sum",
        100.0,
        "GreaterThanThreshold",
        3,
        "ALARM",
        onset + timedelta(minutes=3, seconds=40),
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0).",
    )
    c.transition(errs, onset + timedelta(minutes=3, seconds=40), "OK", "ALARM", errs["StateReason"])
    c.alarm(
        "chat-broadcast-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": "chat-broadcast"},
        "Maximum",
        60000.0,
        "GreaterThanThreshold",
        5,
        "OK",
        start - timedelta(days=3),
        "Threshold Crossed: 5 datapoints were not greater than the threshold (60000.0).",
    )
    c.alarm(
        "chat-connections-read-throttles",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": "chat-connections"},
        "Sum",
        10.0,
        "GreaterThanThreshold",
        2,
        "OK",
        start - timedelta(days=9),
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].",
    )
    pts = {"ApiId": c.api_id, "Stage": "prod"}
    event = c.alarm_event(
        integ,
        onset + timedelta(minutes=3, seconds=9),
        integ["StateReason"],
        {
            "version": "1.0",
            "queryDate": (onset + timedelta(minutes=3, seconds=9)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": (onset.replace(second=0)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": "Sum",
            "period": 60,
            "recentDatapoints": [
                round(r.uniform(180, 260), 1),
                round(r.uniform(260, 420), 1),
                round(r.uniform(400, 700), 1),
            ],
            "threshold": 100.0,
            "evaluatedDatapoints": [],
        },
    )
    _ = pts
    return k.write(
        c,
        TITLE,
        start,
        now,
        now,
        {"question": None, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": "chat-rooms",
                "category": "limit",
                "failure_mode": "dynamodb-hot-partition-write-throttling",
            },
            "also_accept": [c.arn("dynamodb", "table/chat-rooms"), hot_room],
            "actions": ["reconfigure"],
            "chain": ["chat-rooms", "chat-sendmessage", "chat-realtime"],
        },
    )
