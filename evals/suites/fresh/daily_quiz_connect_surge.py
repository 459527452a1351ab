"""No fault: the evening quiz push brings everyone online at once and trips the connect-surge alarm."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzt as k

NAME = "chat-connect-surge-alarm-evening-quiz"
TITLE = "chat-ws-connect-surge paged at 8pm: reconnect storm again?"
SUMMARY = (
    "No fault: the scheduled daily quiz push sends a notification to every app user and the resulting "
    "wave of WebSocket connects trips the surge alarm, as it does every evening; nothing fails."
)

ZONES = [("Europe/Paris", 2), ("Europe/London", 1), ("America/New_York", -4), ("Asia/Singapore", 8)]


def build(seed: int) -> Bundle:
    c = k.Ctx(seed, "quiz-surge")
    r = c.rng
    zone, off = r.choice(ZONES)
    onset = c.day + timedelta(hours=(20 - off) % 24)  # the schedule: 20:00 local, daily
    start = (onset - timedelta(hours=3, minutes=r.randint(35, 70))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(31, 45))).replace(second=0)
    scale = r.uniform(0.7, 1.5)
    k.chat_account(c)
    audience = r.randint(180_000, 420_000)
    burst = r.uniform(5.5, 8.5)

    def wave(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m < 1:
            return 0.0
        return burst * (m - 1) / 2 if m < 3 else burst * 0.72 ** (m - 3)

    def adjust(key: str, t: datetime, v: float) -> float:
        w = wave(t)
        if not w:
            return v
        if key in ("ws.ConnectCount", "lambda.chat-connect.Invocations"):
            return v * (1 + w)
        if key == "lambda.chat-disconnect.Invocations":
            return v * (1 + w * 0.35 * max(0.0, ((t - onset).total_seconds() / 60 - 4) / 6))
        if key == "lambda.chat-connect.Duration":
            return v * (1 + 0.9 * min(w, 3) / 3)
        if key == "lambda.chat-connect.ConcurrentExecutions":
            return v * (1 + w) * 1.6
        if key in (
            "ws.MessageCount",
            "lambda.chat-sendmessage.Invocations",
            "lambda.chat-broadcast.Invocations",
        ):
            return v * (1 + w * 0.22)
        if key == "lambda.chat-typing.Invocations":
            return v * (1 + w * 0.3)
        if key == "ddb.chat-connections.ConsumedWriteCapacityUnits":
            return v * (1 + w * 0.8)
        if key == "redis.chat-pubsub-001.EngineCPUUtilization":
            return v * (1 + w * 0.18)
        if key == "redis.chat-pubsub-001.CurrConnections":
            return v * (1 + w * 0.12)
        if key == "ws.ClientError":
            return v * (1 + w * 0.25)
        return v

    k.baseline_metrics(c, start, now, scale, off, adjust)
    # the quiz sender function and its topic
    k.lambda_fn(
        c,
        "chat-daily-quiz-push",
        "chat-push-role",
        "dist/quiz.handler",
        {"QUIZ_TOPIC_ARN": c.arn("sns", "chat-daily-quiz"), "STAGE": "prod"},
        c.day - timedelta(days=r.randint(20, 60)),
        timeout=300,
        memory=1024,
        description="Daily 20:00 quiz notification (EventBridge rule chat-daily-quiz-2000)",
    )
    k.log_group(c, "/aws/lambda/chat-daily-quiz-push")
    c.resource(
        "sns",
        "Topic",
        {
            "TopicArn": c.arn("sns", "chat-daily-quiz"),
            "Attributes": {
                "TopicArn": c.arn("sns", "chat-daily-quiz"),
                "DisplayName": "Daily quiz",
                "SubscriptionsConfirmed": str(audience),
                "SubscriptionsPending": "0",
            },
        },
    )
    dur = r.uniform(28_000, 52_000)
    c.stat("AWS/Lambda", "Invocations", {"FunctionName": "chat-daily-quiz-push"}, onset, 1, 1, 1, 1, "Count")
    c.stat("AWS/Lambda", "Errors", {"FunctionName": "chat-daily-quiz-push"}, onset, 1, 0, 0, 0, "Count")
    c.stat(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "chat-daily-quiz-push"},
        onset,
        1,
        dur,
        dur,
        dur,
        "Milliseconds",
    )
    g = "/aws/lambda/chat-daily-quiz-push"
    s = k.stream_name(c, onset)
    rid = c.uid()
    t0 = onset + timedelta(seconds=r.randint(1, 3))
    c.log(
        g,
        s,
        t0 - timedelta(milliseconds=600),
        f"INIT_START Runtime Version: nodejs:20.v28\tRuntime Version ARN: arn:aws:lambda:{c.region}::runtime:{c.hexid(64)}\n",
    )
    c.log(g, s, t0, f"START RequestId: {rid} Version: $LATEST\n")
    quiz = r.randint(300, 700)
    c.log(
        g,
        s,
        t0 + timedelta(milliseconds=40),
        f"{k.lts(t0 + timedelta(milliseconds=40))}\t{rid}\tINFO\tquiz #{quiz} starting, publishing to daily-quiz topic\n",
    )
    c.log(
        g,
        s,
        t0 + timedelta(milliseconds=dur - 20),
        f"{k.lts(t0 + timedelta(milliseconds=dur - 20))}\t{rid}\tINFO\tquiz #{quiz} published messageId={c.uid()}\n",
    )
    c.log(g, s, t0 + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
    c.log(
        g,
        s,
        t0 + timedelta(milliseconds=dur),
        f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 1024 MB\t"
        f"Max Memory Used: {r.randint(120, 180)} MB\tInit Duration: {r.uniform(300, 520):.2f} ms\t\n",
    )
    for t in k.minutes(onset, onset + timedelta(minutes=6)):
        dims = {"TopicName": "chat-daily-quiz"}
        if t == onset:
            c.metric("AWS/SNS", "NumberOfMessagesPublished", dims, t, 1)
        frac = [0.18, 0.41, 0.29, 0.09, 0.02, 0.01][int((t - onset).total_seconds() // 60)]
        deliv = audience * frac
        c.metric("AWS/SNS", "NumberOfNotificationsDelivered", dims, t, round(deliv * 0.975))
        c.metric("AWS/SNS", "NumberOfNotificationsFailed", dims, t, round(deliv * 0.025))

    # connect handler logs: more of them, cold starts, all fine
    cg = "/aws/lambda/chat-connect"
    streams = [k.stream_name(c, start) for _ in range(3)]
    t = start + timedelta(seconds=r.randint(2, 40))
    while t < now:
        w = wave(t)
        st = r.choice(streams)
        if w and r.random() < 0.25:
            st = k.stream_name(c, t)
            c.log(
                cg,
                st,
                t - timedelta(milliseconds=400),
                f"INIT_START Runtime Version: nodejs:20.v28\tRuntime Version ARN: arn:aws:lambda:{c.region}::runtime:{c.hexid(64)}\n",
            )
        rid = k.lambda_report(
            c, "chat-connect", st, t, r.uniform(22, 70) * (1 + min(w, 3) / 3), 512, r.randint(88, 120)
        )
        _ = rid
        t += timedelta(seconds=r.uniform(3, 9) if w > 0.5 else r.uniform(25, 70))

    # access log sample
    ag = f"/aws/apigateway/{c.api_id}/prod"
    t = start + timedelta(seconds=r.randint(1, 20))
    while t < now:
        w = wave(t)
        route = r.choice(["$connect"] * int(2 + 6 * w) + ["sendmessage", "typing", "typing", "$disconnect"])
        status = "200"
        if route == "$connect" and r.random() < 0.01:
            status = "403"
        line = {
            "requestId": c.hexid(12, alnum=True) + "=",
            "ip": f"{r.randint(20, 220)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            "routeKey": route,
            "status": status,
            "connectionId": c.hexid(12, alnum=True) + "=",
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
            "integrationError": "-",
        }
        c.log(ag, "prod_" + c.hexid(8), t, json.dumps(line, separators=(",", ":")))
        t += timedelta(seconds=r.uniform(4, 12) if w > 0.5 else r.uniform(30, 90))

    k.innocent_changes(c, start, onset + timedelta(minutes=r.randint(0, 8)))
    c.readonly_noise(start, now, r.randint(38, 52))
    k.sweeper_logs(c, start, now)
    k.flappy_alarm(c, start, now)

    thr = float(round(240 * scale * 3.5 / 100) * 100)
    series = [
        (m["timestamp"], float(m["value"]))
        for m in c.metrics
        if m["metric"] == "ConnectCount" and m["timestamp"] >= k.iso(onset)
    ]
    series.sort()
    hit = next(i for i in range(1, len(series)) if series[i][1] > thr and series[i - 1][1] > thr)
    low = next(i for i in range(hit, len(series)) if series[i][1] <= thr)
    fire = onset + timedelta(minutes=hit + 1, seconds=r.randint(5, 40))
    clear = onset + timedelta(minutes=low + 1, seconds=r.randint(5, 40))
    recent = [series[hit - 1][1], series[hit][1]]
    surge = c.alarm(
        "chat-ws-connect-surge",
        "AWS/ApiGateway",
        "ConnectCount",
        {"ApiId": c.api_id, "Stage": "prod"},
        "Sum",
        thr,
        "GreaterThanThreshold",
        2,
        "OK",
        clear,
        f"Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold ({thr}).",
        description="Reconnect storm detector (added after the client reconnect-loop incident)",
    )
    for d in range(r.randint(3, 5), 0, -1):
        a = onset - timedelta(days=d) + timedelta(minutes=3, seconds=r.randint(0, 50))
        c.transition(
            surge,
            a,
            "OK",
            "ALARM",
            f"Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold ({thr}).",
        )
        c.transition(
            surge,
            a + timedelta(minutes=r.randint(6, 11)),
            "ALARM",
            "OK",
            f"Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold ({thr}).",
        )
    reason = f"Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold ({thr})."
    c.transition(surge, fire, "OK", "ALARM", reason)
    c.transition(surge, clear, "ALARM", "OK", surge["StateReason"])
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
        "chat-connect-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "chat-connect"},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=4),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (50.0).",
    )
    event = c.alarm_event(
        surge,
        fire,
        reason,
        {
            "version": "1.0",
            "queryDate": fire.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": (onset + timedelta(minutes=hit - 1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": "Sum",
            "period": 60,
            "recentDatapoints": recent,
            "threshold": thr,
            "evaluatedDatapoints": [],
        },
    )
    local = fire + timedelta(hours=off)
    q = (
        f"chat-ws-connect-surge paged me at {local:%-I:%M}pm. last month's reconnect storm started exactly like "
        "this. is something kicking clients off? the app looks ok on my phone"
    )
    return k.write(
        c,
        TITLE,
        start,
        now,
        now,
        {"question": q, "alarm_event": event, "timezone": zone},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
