"""The fulfilment worker's SQS trigger is switched off by hand; the order queue backs up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_n import (
    BOTO,
    CONSOLE_AGENT,
    GRAFANA,
    MINUTE,
    TERRAFORM,
    Json,
    Kit,
    floor_minute,
    grid,
    iam_role,
    iso,
    java_date,
    lambda_function,
    lambda_invocation,
    lambda_stream,
    log_group,
    pick_day,
    role_identity,
    sso_identity,
)

NAME = "fulfilment-queue-consumer-paused"
TITLE = "Fulfilment order queue age alarm: pick slips stop reaching the warehouse"
SUMMARY = (
    "An engineer disables the SQS event source mapping of the fulfilment worker Lambda by hand while "
    "debugging; the queue backs up and pick slips stop."
)

PEOPLE = ["priya.raman", "tomasz.wojcik", "aoife.brennan", "daniel.okafor", "lena.hartmann", "marco.ricci"]
DOMAINS = ["harbourfresh.com", "larderbox.co.uk", "grocerly.io", "freshcrate.com"]
WAREHOUSES = ["DUB1", "MAN2", "BHX1", "LBA3", "GLA1"]


def _js(obj: Json) -> str:
    return json.dumps(obj, separators=(",", ":"))


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, regions=("eu-west-1", "eu-west-2", "eu-central-1"))
    rng = kit.rng
    day = pick_day(kit)
    onset = day + timedelta(hours=rng.randint(10, 15), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = floor_minute(onset - timedelta(hours=rng.randint(4, 6), minutes=rng.choice([0, 15, 30, 45])))
    start = start.replace(minute=start.minute - start.minute % 5)
    near = floor_minute(onset - timedelta(hours=2, minutes=30))
    near = near.replace(minute=near.minute - near.minute % 5)
    domain = rng.choice(DOMAINS)
    people = rng.sample(PEOPLE, 3)
    debugger, oncall, platform = (f"{p}@{domain}" for p in people)
    warehouses = rng.sample(WAREHOUSES, 3)
    sso_region = kit.region
    dev_set = f"AWSReservedSSO_DeveloperAccess_{kit.hexs(16)}"
    ops_set = f"AWSReservedSSO_PlatformAdmin_{kit.hexs(16)}"

    # --- resources ----------------------------------------------------------------------------------
    queue = "fulfilment-orders"
    dlq = "fulfilment-orders-dlq"
    analytics_q = "analytics-order-events"
    topic = "order-events"
    worker = "fulfilment-dispatch-worker"
    publisher = "wms-pickslip-publisher"
    status_api = "order-status-api"
    labels = "returns-label-printer"
    table = "fulfilment-shipments"
    q_url = f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{queue}"
    q_arn = kit.arn("sqs", queue)
    dlq_arn = kit.arn("sqs", dlq)
    an_arn = kit.arn("sqs", analytics_q)
    topic_arn = kit.arn("sns", topic)
    created = day - timedelta(days=rng.randint(200, 500))
    esm_uuid = kit.uuid()
    stream_esm_uuid = kit.uuid()
    table_stream_label = (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.") + "611"
    table_arn = kit.arn("dynamodb", f"table/{table}")
    ops_topic = kit.arn("sns", "fulfilment-oncall")
    worker_role = iam_role(
        kit, f"{worker}-role", "lambda.amazonaws.com", created, onset - timedelta(minutes=7)
    )
    pub_role = iam_role(
        kit, f"{publisher}-role", "lambda.amazonaws.com", created, onset - timedelta(minutes=2)
    )
    api_role = iam_role(kit, f"{status_api}-role", "lambda.amazonaws.com", created, onset)
    label_role = iam_role(kit, f"{labels}-role", "lambda.amazonaws.com", created, onset)

    # timing of the day's changes
    deploy_at = onset - timedelta(minutes=rng.randint(16, 24), seconds=rng.randint(0, 59))
    debug_at = onset - timedelta(minutes=rng.randint(5, 9), seconds=rng.randint(0, 59))
    retention_at = onset + timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))

    msg_rate = rng.uniform(10.0, 18.0)  # orders a minute at midday

    def orders(t: datetime) -> float:
        hour = t.hour + t.minute / 60.0
        shape = 0.55 + 0.45 * max(0.0, 1.0 - abs(hour - 12.5) / 7.5)
        return msg_rate * shape

    times = grid(start, near, onset + timedelta(hours=2))
    # Simulate the queue minute by minute first, so every metric agrees.
    sent: dict[datetime, int] = {}
    recv: dict[datetime, int] = {}
    visible: dict[datetime, int] = {}
    inflight: dict[datetime, int] = {}
    age: dict[datetime, float] = {}
    stopped = floor_minute(onset)
    backlog = 0
    t = start
    end_sim = onset + timedelta(hours=2)
    while t <= end_sim:
        n = kit.poisson(orders(t))
        sent[t] = n
        if t < stopped:
            recv[t] = n + (1 if rng.random() < 0.04 else 0)
            visible[t] = kit.poisson(0.8)
            inflight[t] = max(0, kit.poisson(n / 12.0))
            age[t] = max(1.0, round(rng.uniform(1.0, 7.0) + (rng.random() < 0.05) * rng.uniform(5, 40)))
        else:
            partial = t == stopped
            recv[t] = kit.poisson(n * (onset - stopped).total_seconds() / 60.0) if partial else 0
            backlog += n - recv[t]
            visible[t] = backlog
            inflight[t] = 0
            age[t] = max(1.0, (t - onset).total_seconds() + 20 + rng.uniform(0, 4))
        t += MINUTE

    def window_sum(d: dict[datetime, int], t: datetime, step: int) -> int:
        return sum(d.get(t + timedelta(minutes=i), 0) for i in range(step // 60))

    sqs = "AWS/SQS"
    qd = {"QueueName": queue}
    kit.series(sqs, "NumberOfMessagesSent", qd, "Count", times, lambda t, s: window_sum(sent, t, s))
    kit.series(sqs, "NumberOfMessagesReceived", qd, "Count", times, lambda t, s: window_sum(recv, t, s))
    kit.series(
        sqs,
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        times,
        lambda t, s: max(0, window_sum(recv, t, s) - (1 if rng.random() < 0.03 else 0)),
    )
    kit.series(
        sqs,
        "NumberOfEmptyReceives",
        qd,
        "Count",
        times,
        lambda t, s: (s // 60) * kit.poisson(rng.uniform(38, 70)) if t < stopped else 0,
    )
    kit.series(sqs, "ApproximateNumberOfMessagesVisible", qd, "Count", times, lambda t, s: visible.get(t))
    kit.series(sqs, "ApproximateNumberOfMessagesNotVisible", qd, "Count", times, lambda t, s: inflight.get(t))
    kit.series(sqs, "ApproximateNumberOfMessagesDelayed", qd, "Count", times, lambda t, s: 0)
    kit.series(sqs, "ApproximateAgeOfOldestMessage", qd, "Seconds", times, lambda t, s: age.get(t))
    kit.series(
        sqs,
        "SentMessageSize",
        qd,
        "Bytes",
        times,
        lambda t, s: kit.jitter(2140, 0.05) if sent.get(t, 0) else None,
    )
    dd = {"QueueName": dlq}
    for metric in ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted"):
        kit.series(sqs, metric, dd, "Count", times, lambda t, s: 0)
    kit.series(sqs, "ApproximateNumberOfMessagesVisible", dd, "Count", times, lambda t, s: 0)
    kit.series(sqs, "ApproximateAgeOfOldestMessage", dd, "Seconds", times, lambda t, s: 0)
    ad = {"QueueName": analytics_q}
    kit.series(sqs, "NumberOfMessagesSent", ad, "Count", times, lambda t, s: window_sum(sent, t, s))
    kit.series(sqs, "NumberOfMessagesDeleted", ad, "Count", times, lambda t, s: window_sum(sent, t, s))
    kit.series(
        sqs,
        "ApproximateNumberOfMessagesVisible",
        ad,
        "Count",
        times,
        lambda t, s: kit.poisson(4 + (t.minute % 5)),
    )
    kit.series(
        sqs, "ApproximateAgeOfOldestMessage", ad, "Seconds", times, lambda t, s: round(rng.uniform(3, 58))
    )
    sd = {"TopicName": topic}
    kit.series(
        "AWS/SNS", "NumberOfMessagesPublished", sd, "Count", times, lambda t, s: window_sum(sent, t, s)
    )
    kit.series(
        "AWS/SNS",
        "NumberOfNotificationsDelivered",
        sd,
        "Count",
        times,
        lambda t, s: 2 * window_sum(sent, t, s),
    )
    kit.series(
        "AWS/SNS",
        "PublishSize",
        sd,
        "Bytes",
        times,
        lambda t, s: kit.jitter(1890, 0.04) if sent.get(t) else None,
    )

    # --- the worker: invocations, logs, Lambda metrics ----------------------------------------------
    lam = "AWS/Lambda"
    wgroup = f"/aws/lambda/{worker}"
    pgroup = f"/aws/lambda/{publisher}"
    runtime_arn = f"arn:aws:lambda:{kit.region}::runtime:{kit.hexs(64)}"
    py_arn = f"arn:aws:lambda:{kit.region}::runtime:{kit.hexs(64)}"
    streams = [lambda_stream(kit, start - timedelta(minutes=rng.randint(5, 90))) for _ in range(3)]
    debug_streams = [lambda_stream(kit, debug_at) for _ in range(2)]
    pub_stream = lambda_stream(kit, start - timedelta(minutes=rng.randint(5, 60)))
    w_inv: dict[datetime, int] = {}
    w_dur: dict[datetime, list[float]] = {}
    w_err: dict[datetime, int] = {}
    p_inv: dict[datetime, int] = {}
    p_dur: dict[datetime, list[float]] = {}
    p_age: dict[datetime, float] = {}
    cold_done: set[int] = set()
    seq = rng.randint(40_000, 90_000)
    t = start
    while t <= end_sim:
        got = recv[t]
        w_inv[t] = 0
        w_dur[t] = []
        w_err[t] = 0
        p_inv[t] = 0
        p_dur[t] = []
        debug = t >= floor_minute(debug_at) + MINUTE
        sizes: list[int] = []
        while got > 0:
            sizes.append(min(got, rng.choice([1, 1, 2, 2, 3, 4])))
            got -= sizes[-1]
        span = (onset - t).total_seconds() - 1 if t == stopped else 59.5
        offsets = sorted(rng.uniform(0, max(1.0, span)) for _ in sizes)
        for size, offset in zip(sizes, offsets, strict=True):
            at = t + timedelta(seconds=offset)
            idx = rng.randrange(2) if debug else rng.randrange(3)
            stream = debug_streams[idx] if debug else streams[idx]
            init = None
            if debug and idx not in cold_done:
                cold_done.add(idx)
                init = rng.uniform(310, 480)
            lines = []
            if debug:
                lines.append(
                    "{ts}\t{rid}\tDEBUG\t"
                    + _js(
                        {
                            "level": "debug",
                            "msg": "received batch",
                            "size": size,
                            "eventSourceARN": q_arn,
                            "receiveCounts": [1] * size,
                        }
                    )
                    + "\n"
                )
            failed = rng.random() < 0.004
            for _ in range(min(size, 2)):
                seq += 1
                wh = rng.choice(warehouses)
                if debug:
                    lines.append(
                        "{ts}\t{rid}\tDEBUG\t"
                        + _js(
                            {
                                "level": "debug",
                                "msg": "slot lookup",
                                "warehouse": wh,
                                "slots": rng.randint(2, 30),
                                "elapsedMs": rng.randint(12, 90),
                            }
                        )
                        + "\n"
                    )
                lines.append(
                    "{ts}\t{rid}\tINFO\t"
                    + _js(
                        {
                            "level": "info",
                            "msg": "shipment created",
                            "orderId": f"ORD-{seq:07d}",
                            "shipmentId": f"SHP-{kit.hexs(10).upper()}",
                            "warehouse": wh,
                            "lines": rng.randint(1, 14),
                        }
                    )
                    + "\n"
                )
            if rng.random() < 0.006:
                lines.append(
                    "{ts}\t{rid}\tWARN\t"
                    + _js(
                        {
                            "level": "warn",
                            "msg": "carrier cutoff lookup slow",
                            "warehouse": rng.choice(warehouses),
                            "elapsedMs": rng.randint(1800, 4200),
                        }
                    )
                    + "\n"
                )
            if failed:
                lines.append(
                    "{ts}\t{rid}\tERROR\t"
                    + _js(
                        {
                            "level": "error",
                            "msg": "batch item failed",
                            "errorType": "ConditionalCheckFailedException",
                            "errorMessage": "The conditional request failed",
                            "orderId": f"ORD-{seq:07d}",
                        }
                    )
                    + "\n"
                )
            dur = kit.jitter(140 + 65 * size, 0.25) * (1.12 if debug else 1.0)
            if rng.random() < 0.02:
                dur += rng.uniform(600, 2600)
            dur = max(38.0, dur)
            lambda_invocation(
                kit,
                wgroup,
                stream,
                at,
                lines,
                dur,
                512,
                rng.randint(104, 131),
                init_ms=init,
                runtime_arn=runtime_arn,
                runtime_version="nodejs:20.v33",
            )
            w_inv[t] += 1
            w_dur[t].append(dur)
            # the shipment rows stream on to the pick-slip publisher
            pat = at + timedelta(milliseconds=dur + rng.uniform(200, 900))
            pd = kit.jitter(310, 0.3)
            if pat < onset + timedelta(seconds=2):
                lambda_invocation(
                    kit,
                    pgroup,
                    pub_stream,
                    pat,
                    [
                        "[INFO]\t{ts}\t{rid}\tPublished"
                        f" pick slip "
                        f"SHP-{kit.hexs(10).upper()} to {rng.choice(warehouses)} (HTTP 202)\n"
                        for _ in range(min(size, 2))
                    ],
                    max(40.0, pd),
                    256,
                    rng.randint(71, 84),
                    runtime_arn=py_arn,
                    runtime_version="python:3.12.v27",
                )
                pm = floor_minute(pat)
                p_inv[pm] = p_inv.get(pm, 0) + 1
                p_dur.setdefault(pm, []).append(max(40.0, pd))
                p_age[pm] = max(p_age.get(pm, 0.0), rng.uniform(180, 900))
        t += MINUTE

    wd = {"FunctionName": worker}
    pdim = {"FunctionName": publisher}

    def per_step(d: dict[datetime, int], t: datetime, step: int) -> int | None:
        total = sum(d.get(t + timedelta(minutes=i), 0) for i in range(step // 60))
        return total or None

    def lambda_metrics(
        fn: str, dims: dict[str, str], inv: dict[datetime, int], dur: dict[datetime, list[float]]
    ) -> None:
        for t, step in times:
            n = per_step(inv, t, step)
            if not n:
                continue
            kit.put(lam, "Invocations", dims, t, "Count", n)
            kit.put(lam, "Errors", dims, t, "Count", 0)
            kit.put(lam, "Throttles", dims, t, "Count", 0)
            ds = [d for i in range(step // 60) for d in dur.get(t + timedelta(minutes=i), [])]
            ds.sort()
            kit.put_dist(lam, "Duration", dims, t, "Milliseconds", [round(d, 2) for d in ds], [1.0] * len(ds))
            kit.put(lam, "ConcurrentExecutions", dims, t, "Count", min(3, 1 + n // 8))

    lambda_metrics(worker, wd, w_inv, w_dur)
    lambda_metrics(publisher, pdim, p_inv, p_dur)
    for t, step in times:
        if per_step(p_inv, t, step):
            kit.put(lam, "IteratorAge", pdim, t, "Milliseconds", round(p_age.get(t, 400.0)))

    # the unrelated functions carry on as normal
    api_group = f"/aws/lambda/{status_api}"
    api_stream = lambda_stream(kit, start - timedelta(minutes=40))
    for t, step in times:
        n = kit.poisson(orders(t) * 3.1 * step / 60)
        vals, cnts = kit.latency(kit.jitter(48, 0.05), kit.jitter(190, 0.1), n)
        kit.put(lam, "Invocations", {"FunctionName": status_api}, t, "Count", n)
        kit.put(lam, "Errors", {"FunctionName": status_api}, t, "Count", kit.poisson(0.02 * step / 60))
        kit.put_dist(lam, "Duration", {"FunctionName": status_api}, t, "Milliseconds", vals, cnts)
        kit.put(lam, "ConcurrentExecutions", {"FunctionName": status_api}, t, "Count", rng.randint(1, 4))
        if step == 60 and rng.random() < 0.25:
            lambda_invocation(
                kit,
                api_group,
                api_stream,
                t + timedelta(seconds=rng.uniform(0, 58)),
                [
                    "{ts}\t{rid}\tINFO\t"
                    + _js(
                        {
                            "level": "info",
                            "msg": "GET /orders/{id}/status",
                            "status": 200,
                            "ms": rng.randint(9, 60),
                        }
                    )
                    + "\n"
                ],
                kit.jitter(45, 0.2),
                256,
                rng.randint(88, 97),
                runtime_arn=runtime_arn,
                runtime_version="nodejs:20.v33",
            )
    label_group = f"/aws/lambda/{labels}"
    label_stream = lambda_stream(kit, start)
    new_label_stream = lambda_stream(kit, deploy_at, version="14")
    t = start
    lab_inv: dict[datetime, int] = {}
    lab_dur: dict[datetime, list[float]] = {}
    first_new = True
    while t <= end_sim:
        if rng.random() < 0.18:
            at = t + timedelta(seconds=rng.uniform(0, 58))
            new = at > deploy_at + timedelta(seconds=40)
            d = kit.jitter(820, 0.2)
            lambda_invocation(
                kit,
                label_group,
                new_label_stream if new else label_stream,
                at,
                [
                    "[INFO]\t{ts}\t{rid}\tRendered return label "
                    f"RMA-{rng.randint(100000, 999999)} ({rng.choice(['DPD', 'Evri', 'Royal Mail'])}) "
                    f"in {rng.randint(300, 900)} ms\n"
                ],
                d,
                1024,
                rng.randint(180, 240),
                init_ms=rng.uniform(900, 1400) if (new and first_new) else None,
                runtime_arn=py_arn,
                runtime_version="python:3.12.v27",
                version="14" if new else "13",
            )
            if new:
                first_new = False
            lab_inv[t] = lab_inv.get(t, 0) + 1
            lab_dur.setdefault(t, []).append(d)
        t += MINUTE
    lambda_metrics(labels, {"FunctionName": labels}, lab_inv, lab_dur)

    # --- DynamoDB ------------------------------------------------------------------------------------
    ddb = "AWS/DynamoDB"
    td = {"TableName": table}
    kit.series(
        ddb,
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        times,
        lambda t, s: float(2 * window_sum(recv, t, s)),
    )
    kit.series(
        ddb,
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        times,
        lambda t, s: round(kit.jitter(orders(t) * 3.1 * s / 60 * 0.5, 0.06), 1),
    )
    for t, step in times:
        if window_sum(recv, t, step):
            vals, cnts = kit.latency(kit.jitter(5.1, 0.05), 14.0, window_sum(recv, t, step))
            kit.put_dist(
                ddb,
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "PutItem"},
                t,
                "Milliseconds",
                vals,
                cnts,
            )
        n = kit.poisson(orders(t) * 3.1 * step / 60)
        vals, cnts = kit.latency(kit.jitter(3.2, 0.05), 9.5, n)
        kit.put_dist(
            ddb,
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "GetItem"},
            t,
            "Milliseconds",
            vals,
            cnts,
        )
        if window_sum(p_inv, t, step):
            kit.put(
                ddb,
                "ReturnedRecordsCount",
                {"TableName": table, "Operation": "GetRecords", "StreamLabel": table_stream_label},
                t,
                "Count",
                window_sum(recv, t, step),
            )

    # --- resources -----------------------------------------------------------------------------------
    now_visible = 0
    alarm_names = {
        "age": f"{queue}-oldest-message-age",
        "backlog": f"{queue}-backlog",
        "dlq": f"{dlq}-not-empty",
        "werr": f"{worker}-errors",
        "api": f"{status_api}-errors",
        "thr": f"{table}-write-throttles",
    }
    # alarms first need the 'now'; it follows from the age alarm, so evaluate until the sim end
    changes = kit.alarm(
        alarm_names["age"],
        description="Oldest message in fulfilment-orders is older than 10 minutes: orders are not being "
        "dispatched to the warehouse. Runbook: https://wiki.internal/fulfilment/runbooks/queue-age",
        ns=sqs,
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=60,
        evaluation_periods=3,
        datapoints=3,
        threshold=600.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        start=start,
        evaluate_from=near,
        now=end_sim,
        actions=[ops_topic],
        configured=created + timedelta(days=20),
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    now = floor_minute(fired[0] + timedelta(minutes=rng.randint(19, 30))) + timedelta(
        seconds=rng.randint(0, 59)
    )
    # re-run: the alarm item must reflect its state at `now`
    kit.records["alarms"].clear()
    kit.records["alarm_history"].clear()
    changes = kit.alarm(
        alarm_names["age"],
        description="Oldest message in fulfilment-orders is older than 10 minutes: orders are not being "
        "dispatched to the warehouse. Runbook: https://wiki.internal/fulfilment/runbooks/queue-age",
        ns=sqs,
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=60,
        evaluation_periods=3,
        datapoints=3,
        threshold=600.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        start=start,
        evaluate_from=near,
        now=now,
        actions=[ops_topic],
        configured=created + timedelta(days=20),
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    common: Json = {"start": start, "now": now, "actions": [ops_topic], "evaluate_from": near}
    kit.alarm(
        alarm_names["backlog"],
        description="More than 1500 visible messages in fulfilment-orders for 5 minutes.",
        ns=sqs,
        metric="ApproximateNumberOfMessagesVisible",
        dims=qd,
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=1500.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=20),
        **common,
    )
    kit.alarm(
        alarm_names["dlq"],
        description="Messages have landed on the fulfilment dead-letter queue.",
        ns=sqs,
        metric="ApproximateNumberOfMessagesVisible",
        dims=dd,
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=21),
        **common,
    )
    kit.alarm(
        alarm_names["werr"],
        description="fulfilment-dispatch-worker errors above 5 in 5 minutes.",
        ns=lam,
        metric="Errors",
        dims=wd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=5.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=21),
        **common,
    )
    kit.alarm(
        alarm_names["api"],
        description="order-status-api errors above 10 in 5 minutes.",
        ns=lam,
        metric="Errors",
        dims={"FunctionName": status_api},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=10.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=40),
        **common,
    )
    kit.alarm(
        alarm_names["thr"],
        description="Write throttling on fulfilment-shipments.",
        ns=ddb,
        metric="WriteThrottleEvents",
        dims=td,
        stat="Sum",
        period=60,
        evaluation_periods=2,
        datapoints=2,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=40),
        **common,
    )
    now_visible = visible.get(floor_minute(now) - MINUTE, 0)

    queue_policy = {
        "Version": "2012-10-17",
        "Id": f"{q_arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "order-events-fanout",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "SQS:SendMessage",
                "Resource": q_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    epoch = str(int(created.timestamp()))
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": str(now_visible),
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": epoch,
                "LastModifiedTimestamp": str(int((created + timedelta(days=61)).timestamp())),
                "VisibilityTimeout": "360",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "Policy": json.dumps(queue_policy, separators=(",", ":")),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "fulfilment", "service": "dispatch", "env": "prod"},
        },
    )
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{dlq}",
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": epoch,
                "LastModifiedTimestamp": epoch,
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "RedriveAllowPolicy": json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [q_arn]}
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "fulfilment", "service": "dispatch", "env": "prod"},
        },
    )
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{analytics_q}",
            "Attributes": {
                "QueueArn": an_arn,
                "ApproximateNumberOfMessages": str(rng.randint(2, 9)),
                "ApproximateNumberOfMessagesNotVisible": str(rng.randint(0, 10)),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int((created + timedelta(days=90)).timestamp())),
                "LastModifiedTimestamp": str(int((created + timedelta(days=90)).timestamp())),
                "VisibilityTimeout": "120",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "data", "env": "prod"},
        },
    )
    kit.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": kit.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                        }
                    },
                    separators=(",", ":"),
                ),
            },
        },
    )
    for q, qa, fp in ((queue, q_arn, {"eventType": ["OrderPlaced"]}), (analytics_q, an_arn, None)):
        attrs = {
            "RawMessageDelivery": "true",
            "PendingConfirmation": "false",
            "ConfirmationWasAuthenticated": "true",
            "SubscriptionPrincipal": f"arn:aws:iam::{kit.account}:root",
        }
        if fp:
            attrs["FilterPolicy"] = json.dumps(fp)
            attrs["FilterPolicyScope"] = "MessageAttributes"
        kit.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": f"{topic_arn}:{kit.uuid()}",
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": qa,
                "Owner": kit.account,
                "Attributes": attrs,
            },
        )
        del q
    worker_env = {
        "SHIPMENTS_TABLE": table,
        "WMS_BASE_URL": "https://wms-gateway.internal." + domain.split(".")[0] + ".net",
        "NODE_OPTIONS": "--enable-source-maps",
        "LOG_LEVEL": "debug",
        "POWERTOOLS_SERVICE_NAME": "dispatch",
    }
    lambda_function(
        kit,
        worker,
        runtime="nodejs20.x",
        handler="dist/handler.sqs",
        memory=512,
        timeout=60,
        role_arn=worker_role["Arn"],
        modified=debug_at,
        env=worker_env,
        description="Turns placed orders into warehouse shipments",
    )
    lambda_function(
        kit,
        publisher,
        runtime="python3.12",
        handler="app.handler",
        memory=256,
        timeout=30,
        role_arn=pub_role["Arn"],
        modified=day - timedelta(days=rng.randint(9, 30)),
        env={"WMS_ENDPOINT": "https://wms-gateway.internal." + domain.split(".")[0] + ".net/pickslips"},
        description="Publishes pick slips for new shipments",
    )
    lambda_function(
        kit,
        status_api,
        runtime="nodejs20.x",
        handler="dist/api.handler",
        memory=256,
        timeout=10,
        role_arn=api_role["Arn"],
        modified=day - timedelta(days=rng.randint(2, 12)),
        env={"SHIPMENTS_TABLE": table},
    )
    lambda_function(
        kit,
        labels,
        runtime="python3.12",
        handler="labels.handler",
        memory=1024,
        timeout=120,
        role_arn=label_role["Arn"],
        modified=deploy_at,
        env={"LABEL_BUCKET": f"{domain.split('.')[0]}-returns-labels"},
    )
    esm_modified = onset
    kit.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "EventSourceArn": q_arn,
            "FunctionArn": kit.arn("lambda", f"function:{worker}"),
            "LastModified": iso(esm_modified),
            "State": "Disabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 20},
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    stream_arn = f"{table_arn}/stream/{table_stream_label}"
    kit.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": stream_esm_uuid,
            "StartingPosition": "LATEST",
            "BatchSize": 25,
            "MaximumBatchingWindowInSeconds": 0,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": kit.arn("lambda", f"function:{publisher}"),
            "LastModified": iso(created + timedelta(days=30)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 10,
            "FunctionResponseTypes": [],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{stream_esm_uuid}"),
        },
    )
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "shipmentId", "AttributeType": "S"},
                {"AttributeName": "orderId", "AttributeType": "S"},
            ],
            "TableName": table,
            "KeySchema": [{"AttributeName": "shipmentId", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(2_000_000_000, 6_000_000_000),
            "ItemCount": rng.randint(4_000_000, 12_000_000),
            "TableArn": table_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "byOrder",
                    "KeySchema": [{"AttributeName": "orderId", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "IndexSizeBytes": rng.randint(900_000_000, 2_000_000_000),
                    "ItemCount": rng.randint(4_000_000, 12_000_000),
                    "IndexArn": f"{table_arn}/index/byOrder",
                }
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            "LatestStreamLabel": table_stream_label,
            "LatestStreamArn": stream_arn,
            "DeletionProtectionEnabled": True,
            "TableClassSummary": {"TableClass": "STANDARD"},
        },
    )
    for fn in (worker, publisher, status_api, labels):
        log_group(kit, f"/aws/lambda/{fn}", created, 30, rng.randint(200_000_000, 2_000_000_000))

    # --- CloudTrail ------------------------------------------------------------------------------------
    dev = sso_identity(kit, dev_set, debugger, debug_at - timedelta(minutes=rng.randint(25, 50)), sso_region)
    dev_ip = kit.public_ip()
    ops = sso_identity(kit, ops_set, oncall, fired[0] + timedelta(minutes=3), sso_region)
    ops_ip = kit.public_ip()
    plat = sso_identity(kit, ops_set, platform, retention_at - timedelta(minutes=40), sso_region)
    plat_ip = kit.public_ip()
    gha_since = deploy_at - timedelta(minutes=2)
    gha = role_identity(
        kit, "gha-deploy-fulfilment", "GitHubActions", gha_since, oidc="token.actions.githubusercontent.com"
    )
    graf = role_identity(kit, "grafana-cloudwatch-read", "grafana", start - timedelta(minutes=10))
    lam_src = "lambda.amazonaws.com"
    fn_arn = {f: kit.arn("lambda", f"function:{f}") for f in (worker, publisher, status_api, labels)}

    def lambda_read(t: datetime, who: Json, ip: str, name: str, params: Json, console: bool = True) -> None:
        kit.trail(
            t,
            lam_src,
            name,
            who,
            params,
            None,
            read_only=True,
            ip=ip,
            agent=CONSOLE_AGENT if console else BOTO,
            version="1.08",
            console=console,
        )

    # routine: grafana dashboards, service role assumptions, terraform plan in CI
    t = start + timedelta(minutes=rng.randint(2, 9))
    while t < now:
        kit.trail(
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            graf,
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t), "maxDatapoints": 1349},
            None,
            read_only=True,
            ip=kit.public_ip() if rng.random() < 0.1 else "52.48.12.203",
            agent=GRAFANA,
        )
        t += timedelta(seconds=rng.randint(1680, 2640))
    for fn, role in (
        (worker, worker_role),
        (publisher, pub_role),
        (status_api, api_role),
        (labels, label_role),
    ):
        t = start + timedelta(minutes=rng.randint(10, 80))
        while t < now:
            kit.service_assume_role(t, lam_src, role["Arn"], fn)
            t += timedelta(seconds=rng.randint(4200, 7800))
    kit.service_assume_role(
        debug_at + timedelta(seconds=rng.randint(20, 50)), lam_src, worker_role["Arn"], worker
    )
    kit.service_assume_role(
        deploy_at + timedelta(seconds=rng.randint(40, 90)), lam_src, label_role["Arn"], labels
    )
    tf = role_identity(kit, "terraform-plan-readonly", "atlantis", start + timedelta(hours=1), oidc=None)
    tf_t = start + timedelta(hours=1, minutes=rng.randint(0, 40))
    plan_calls: list[tuple[str, str, Json]] = [
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("sqs.amazonaws.com", "ListQueueTags", {"queueUrl": q_url}),
        ("sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}),
        (lam_src, "GetFunction20150331v2", {"functionName": worker}),
        (lam_src, "GetEventSourceMapping20150331", {"uUID": esm_uuid}),
    ]
    for i, (src, name, params) in enumerate(plan_calls):
        kit.trail(
            tf_t + timedelta(seconds=2 * i + rng.randint(0, 1)),
            src,
            name,
            tf,
            params,
            None,
            read_only=True,
            ip="34.247.91." + str(rng.randint(2, 250)),
            agent=TERRAFORM.format(api=src.split(".")[0] + "#1.30.0"),
            version="1.08" if src == lam_src else "1.09",
        )

    # innocent change 1: CI deploys a new version of the returns label printer
    kit.trail(
        deploy_at,
        lam_src,
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": labels,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"{domain.split('.')[0]}-lambda-artifacts",
            "s3Key": f"returns-label-printer/{kit.hexs(40)}.zip",
        },
        {
            "functionName": labels,
            "functionArn": fn_arn[labels],
            "runtime": "python3.12",
            "handler": "labels.handler",
            "codeSize": rng.randint(4_000_000, 9_000_000),
            "timeout": 120,
            "memorySize": 1024,
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "revisionId": kit.uuid(),
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        ip="20.29." + str(rng.randint(1, 250)) + "." + str(rng.randint(1, 250)),
        agent=BOTO,
        version="1.08",
    )
    kit.trail(
        deploy_at + timedelta(seconds=9),
        lam_src,
        "PublishVersion20150331",
        gha,
        {"functionName": labels},
        {
            "functionName": labels,
            "functionArn": fn_arn[labels] + ":14",
            "version": "14",
            "state": "Active",
            "lastUpdateStatus": "Successful",
        },
        read_only=False,
        ip="20.29.114.17",
        agent=BOTO,
        version="1.08",
    )
    kit.trail(
        deploy_at + timedelta(seconds=12),
        lam_src,
        "UpdateAlias20150331",
        gha,
        {"functionName": labels, "name": "live", "functionVersion": "14"},
        {
            "aliasArn": fn_arn[labels] + ":live",
            "name": "live",
            "functionVersion": "14",
            "revisionId": kit.uuid(),
        },
        read_only=False,
        ip="20.29.114.17",
        agent=BOTO,
        version="1.08",
    )
    # the debugging session: looks around, turns on debug logging, then pauses the trigger
    look = debug_at - timedelta(minutes=rng.randint(10, 18))
    lambda_read(look, dev, dev_ip, "ListFunctions20150331", {"functionVersion": "ALL", "maxItems": 50})
    lambda_read(look + timedelta(seconds=14), dev, dev_ip, "GetFunction20150331v2", {"functionName": worker})
    lambda_read(
        look + timedelta(seconds=16), dev, dev_ip, "ListEventSourceMappings20150331", {"functionName": worker}
    )
    lambda_read(
        look + timedelta(seconds=17), dev, dev_ip, "GetFunctionConcurrency20190930", {"functionName": worker}
    )
    kit.trail(
        look + timedelta(seconds=rng.randint(60, 180)),
        "logs.amazonaws.com",
        "StartQuery",
        dev,
        {
            "logGroupNames": [wgroup],
            "startTime": int((look - timedelta(hours=24)).timestamp()),
            "endTime": int(look.timestamp()),
            "queryString": "fields @timestamp, @message | filter msg = 'shipment created' | stats count(*) by orderId | sort count(*) desc | limit 20",
        },
        {"queryId": kit.uuid()},
        read_only=True,
        ip=dev_ip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    kit.trail(
        debug_at,
        lam_src,
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": worker, "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": worker,
            "functionArn": fn_arn[worker],
            "runtime": "nodejs20.x",
            "role": worker_role["Arn"],
            "handler": "dist/handler.sqs",
            "codeSize": rng.randint(800_000, 2_000_000),
            "description": "Turns placed orders into warehouse shipments",
            "timeout": 60,
            "memorySize": 512,
            "lastModified": debug_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": kit.uuid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        ip=dev_ip,
        agent=CONSOLE_AGENT,
        version="1.08",
        console=True,
    )
    lambda_read(
        debug_at + timedelta(seconds=31),
        dev,
        dev_ip,
        "GetFunctionConfiguration20150331v2",
        {"functionName": worker},
    )
    lambda_read(
        onset - timedelta(seconds=rng.randint(20, 70)),
        dev,
        dev_ip,
        "GetEventSourceMapping20150331",
        {"uUID": esm_uuid},
    )
    culprit = kit.trail(
        onset,
        lam_src,
        "UpdateEventSourceMapping20150331",
        dev,
        {"uUID": esm_uuid, "enabled": False},
        {
            "uUID": esm_uuid,
            "batchSize": 10,
            "maximumBatchingWindowInSeconds": 5,
            "eventSourceArn": q_arn,
            "functionArn": fn_arn[worker],
            "lastModified": java_date(onset),
            "state": "Disabling",
            "stateTransitionReason": "USER_INITIATED",
            "functionResponseTypes": ["ReportBatchItemFailures"],
            "scalingConfig": {"maximumConcurrency": 20},
            "eventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
        read_only=False,
        ip=dev_ip,
        agent=CONSOLE_AGENT,
        version="1.08",
        console=True,
    )
    lambda_read(
        onset + timedelta(seconds=rng.randint(40, 120)),
        dev,
        dev_ip,
        "ListEventSourceMappings20150331",
        {"functionName": worker},
    )
    kit.trail(
        onset + timedelta(minutes=rng.randint(2, 4)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        dev,
        {"queueUrl": q_url, "attributeNames": ["All"]},
        None,
        read_only=True,
        ip=dev_ip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    # innocent change 2: platform engineer sets retention on a log group
    kit.trail(
        retention_at,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        plat,
        {"logGroupName": f"/aws/lambda/{labels}", "retentionInDays": 30},
        None,
        read_only=False,
        ip=plat_ip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    kit.trail(
        retention_at - timedelta(minutes=2),
        "logs.amazonaws.com",
        "DescribeLogGroups",
        plat,
        {"logGroupNamePrefix": "/aws/lambda/"},
        None,
        read_only=True,
        ip=plat_ip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    # the on-call engineer arrives after the page
    t = fired[0] + timedelta(minutes=rng.randint(4, 7))
    oncall_calls: list[tuple[str, str, Json]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [alarm_names["age"]]}),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            {"alarmName": alarm_names["age"], "historyItemType": "StateUpdate"},
        ),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        (
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t)},
        ),
    ]
    for i, (src, name, params) in enumerate(oncall_calls):
        kit.trail(
            t + timedelta(seconds=20 * i + rng.randint(0, 9)),
            src,
            name,
            ops,
            params,
            None,
            read_only=True,
            ip=ops_ip,
            agent=CONSOLE_AGENT,
            console=True,
        )

    alarm_event = kit.alarm_event(alarm_names["age"], fired)
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": esm_uuid,
            "category": "change",
            "failure_mode": "event-source-mapping-disabled",
            "event_id": culprit["eventID"],
        },
        "also_accept": [
            kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
            worker,
            fn_arn[worker],
        ],
        "actions": ["rollback"],
        "chain": [
            f"The SQS event source mapping {esm_uuid} of {worker} was disabled by hand (Enabled=false).",
            f"{worker} stopped receiving from {queue}; its invocations dropped to zero.",
            f"Messages accumulate in {queue}; ApproximateAgeOfOldestMessage climbs past 600 s.",
            f"No shipments reach {table} or {publisher}; pick slips stop reaching the warehouse.",
            f"{alarm_names['age']} goes to ALARM.",
        ],
    }
    return kit.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": None, "alarm_event": alarm_event},
        truth=truth,
    )
