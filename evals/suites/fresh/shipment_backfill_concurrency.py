"""A history backfill drains a huge SQS backlog through an uncapped Lambda function, takes the whole
unreserved concurrency pool, and the parcel-tracking API and label rendering are throttled."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_d as d
from evals.suites.fresh import _kit_g as g

NAME = "shipment-backfill-lambda-concurrency"
TITLE = "parcel-public-api 5xx and label-render backlog while tracking lookups fail"
SUMMARY = (
    "A shipment-history backfill fed millions of SQS messages to an uncapped Lambda function that took "
    "the account's unreserved concurrency; the tracking API and label worker were throttled."
)

J = dict[str, object]


def build(seed: int) -> Bundle:
    ctx = d.Ctx(NAME, seed)
    rng = ctx.rng
    day = ctx.day()
    onset = day.replace(hour=13) + timedelta(minutes=rng.randrange(0, 170), seconds=rng.randrange(60))
    onset_m = d.floor_min(onset)
    start = onset_m - timedelta(hours=6, minutes=rng.randrange(0, 40))
    now = onset_m + timedelta(minutes=rng.randrange(38, 54), seconds=rng.randrange(60))
    fine_from = onset_m - timedelta(hours=3)
    points = d.grid(start, now, fine_from)
    old = day - timedelta(days=rng.randrange(200, 700))

    limit = 1000
    carrier_reserved = rng.choice([50, 100, 150])
    pool = limit - carrier_reserved
    peak = rng.uniform(13.5, 16.5)

    # --- resources -------------------------------------------------------------------------------
    topic_arn = ctx.arn("sns", "parcel-oncall-pagerduty")
    ctx.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": "parcel on-call",
                "Owner": ctx.account,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    roles = {}
    for fn, svc in [
        ("parcel-tracking-api", "lambda.amazonaws.com"),
        ("label-render-worker", "lambda.amazonaws.com"),
        ("carrier-webhook-ingest", "lambda.amazonaws.com"),
        ("shipment-history-backfill", "lambda.amazonaws.com"),
    ]:
        roles[fn] = d.iam_role(ctx, f"{fn}-exec", svc, old, last_used=onset_m)["Arn"]

    dlq = g.sqs_queue(ctx, "label-render-jobs-dlq", old, retention=1209600)
    labels_q = g.sqs_queue(
        ctx,
        "label-render-jobs",
        old,
        visibility=180,
        dlq_arn=str(dlq["Attributes"]["QueueArn"]),
        tags={"team": "fulfilment", "service": "label-render"},
    )
    bf_dlq = g.sqs_queue(ctx, "shipment-history-backfill-dlq", day - timedelta(days=9), retention=1209600)
    bf_q = g.sqs_queue(
        ctx,
        "shipment-history-backfill",
        day - timedelta(days=9),
        visibility=300,
        dlq_arn=str(bf_dlq["Attributes"]["QueueArn"]),
        max_receive=3,
        tags={"team": "data-platform", "service": "shipment-history"},
    )

    tracking = d.lambda_function(
        ctx,
        "parcel-tracking-api",
        role_arn=roles["parcel-tracking-api"],
        runtime="nodejs20.x",
        handler="dist/handler.handler",
        memory=512,
        timeout=10,
        modified=onset_m - timedelta(minutes=14),
        env={"EVENTS_TABLE": "shipment-events", "NODE_OPTIONS": "--enable-source-maps"},
        description="GET /v1/parcels/{id} tracking lookups",
    )
    worker = d.lambda_function(
        ctx,
        "label-render-worker",
        role_arn=roles["label-render-worker"],
        runtime="python3.12",
        handler="worker.handler",
        memory=1536,
        timeout=120,
        modified=day - timedelta(days=rng.randrange(3, 20)),
        env={"LABEL_BUCKET": f"tw-labels-{ctx.region}", "POWERTOOLS_SERVICE_NAME": "label-render"},
        description="Renders ZPL/PDF shipping labels from label-render-jobs",
    )
    carrier = d.lambda_function(
        ctx,
        "carrier-webhook-ingest",
        role_arn=roles["carrier-webhook-ingest"],
        runtime="nodejs20.x",
        handler="index.handler",
        memory=256,
        timeout=15,
        modified=onset_m - timedelta(minutes=21),
        env={"EVENTS_TABLE": "shipment-events"},
        description="Carrier scan-event webhooks (function URL)",
    )
    backfill = d.lambda_function(
        ctx,
        "shipment-history-backfill",
        role_arn=roles["shipment-history-backfill"],
        runtime="python3.12",
        handler="backfill.handler",
        memory=1024,
        timeout=120,
        modified=day - timedelta(days=rng.randrange(1, 5)),
        env={
            "TARGET_TABLE": "shipment-history-v2",
            "ARCHIVE_BASE_URL": "https://archive.carrier-hub.internal",
        },
        description="Rebuilds shipment-history-v2 from the carrier archive",
    )
    ctx.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": "carrier-webhook-ingest", "ReservedConcurrentExecutions": carrier_reserved},
    )
    g.event_source_mapping(
        ctx, str(worker["FunctionArn"]), str(labels_q["Attributes"]["QueueArn"]), old, batch_size=5
    )
    esm_bf = g.event_source_mapping(
        ctx,
        str(backfill["FunctionArn"]),
        str(bf_q["Attributes"]["QueueArn"]),
        day - timedelta(days=9),
        batch_size=10,
    )
    g.dynamodb_table(
        ctx,
        "shipment-events",
        old,
        pk="parcelId",
        sk="eventTs",
        items=rng.randrange(4 * 10**8, 9 * 10**8),
        size=rng.randrange(2 * 10**11, 6 * 10**11),
        stream=True,
    )
    g.dynamodb_table(
        ctx,
        "shipment-history-v2",
        day - timedelta(days=9),
        pk="shipmentId",
        sk="month",
        items=rng.randrange(10**7, 4 * 10**7),
        size=rng.randrange(10**10, 4 * 10**10),
    )
    api = g.rest_api(ctx, "parcel-public-api", old, "Public parcel tracking API")
    access_group = "/aws/apigateway/parcel-public-api/prod-access"
    g.rest_stage(ctx, api, "prod", old, onset_m - timedelta(days=rng.randrange(2, 12)), access_group)
    for lg in [
        "parcel-tracking-api",
        "label-render-worker",
        "carrier-webhook-ingest",
        "shipment-history-backfill",
    ]:
        d.log_group(ctx, f"/aws/lambda/{lg}", old, retention=30)
    d.log_group(ctx, access_group, old, retention=14)

    # --- the surge ------------------------------------------------------------------------------
    load_start = onset_m - timedelta(minutes=1)
    load_minutes = rng.randrange(24, 34)
    total_msgs = rng.randrange(2_600_000, 4_200_000)
    per_load_min = total_msgs // load_minutes
    bf_dur = rng.uniform(19000, 26000)  # ms per batch of 10 (archive fetch + 10 writes)
    test_at = d.floor_min(onset_m - timedelta(minutes=rng.randrange(95, 140)))
    test_msgs = rng.choice([500, 800, 1000, 1200])

    def bf_sent(t: datetime, step: int) -> int:
        if test_at <= t < test_at + timedelta(minutes=1):
            return test_msgs
        if load_start <= t < load_start + timedelta(minutes=load_minutes):
            return ctx.count(per_load_min)
        return 0

    def minute_idx(t: datetime) -> int:
        return int((t - onset_m).total_seconds() // 60)

    # concurrency the backfill's pollers would reach (SQS scaling: up to +300 a minute)
    def bf_want(t: datetime) -> float:
        k = minute_idx(t)
        if k < 0:
            return 0.0
        return min(1250.0, 60.0 + 300.0 * k)

    # demand of the other functions (requests a minute)
    def track_rate(t: datetime) -> float:
        return 520 * d.diurnal(t, peak, 0.45)

    def label_rate(t: datetime) -> float:
        return 260 * d.diurnal(t, peak + 1, 0.5)

    def carrier_rate(t: datetime) -> float:
        return 700 * d.diurnal(t, peak - 1, 0.4)

    throttle_share: dict[datetime, float] = {}
    for t, _ in points:
        k = minute_idx(t)
        if k < 1:
            throttle_share[t] = 0.0
        elif k < 3:
            throttle_share[t] = rng.uniform(0.15, 0.35) * k
        else:
            throttle_share[t] = min(0.93, max(0.5, rng.gauss(0.74, 0.08)))

    # backfill processes batches at the concurrency it holds
    bf_conc: dict[datetime, float] = {}
    # backlog tracking to know when the backfill has work
    bf_cap: dict[datetime, int] = {}
    test_left = 0
    for t, _step in points:
        if test_at <= t < test_at + timedelta(minutes=1):
            test_left = test_msgs
        want = bf_want(t)
        if want > 0:
            held = min(want, pool - rng.uniform(4, 14))
            bf_conc[t] = held
            bf_cap[t] = int(held * 60 / (bf_dur / 1000) * 10)
        elif test_left:
            bf_conc[t] = rng.uniform(8, 14)
            bf_cap[t] = test_left
            test_left = 0
        else:
            bf_conc[t] = 0.0
            bf_cap[t] = 0

    bf_sqs = g.sqs_metrics(
        ctx, "shipment-history-backfill", points, sent=bf_sent, capacity=lambda t, s: bf_cap[t], size=1450.0
    )
    g.sqs_metrics(
        ctx,
        "shipment-history-backfill-dlq",
        points,
        sent=lambda t, s: 0,
        capacity=lambda t, s: 0,
        size=1450.0,
    )

    # label worker: throttled pollers back off, so it drains only a part of what arrives
    def label_sent(t: datetime, step: int) -> int:
        return ctx.count(label_rate(t) * step / 60)

    def label_capacity(t: datetime, step: int) -> int:
        base = label_rate(t) * step / 60
        share = throttle_share.get(t, 0.0)
        if share:
            return int(base * max(0.08, (1 - share) * rng.uniform(0.55, 0.8)))
        return int(base * 3)

    label_sqs = g.sqs_metrics(
        ctx, "label-render-jobs", points, sent=label_sent, capacity=label_capacity, size=3800.0
    )
    g.sqs_metrics(
        ctx, "label-render-jobs-dlq", points, sent=lambda t, s: 0, capacity=lambda t, s: 0, size=3800.0
    )

    # API Gateway and the tracking function
    track_inv: dict[datetime, tuple[int, int]] = {}

    def err5(t: datetime, n: int) -> int:
        share = throttle_share.get(t, 0.0)
        thr = round(n * share)
        failed = ctx.count(n * 0.0004)
        track_inv[t] = (n - thr, thr)
        return thr + failed

    def api_latency(t: datetime) -> float:
        share = throttle_share.get(t, 0.0)
        return (62 + 8 * d.diurnal(t, peak)) * (1 - 0.55 * share) * ctx.rng.uniform(0.93, 1.08)

    g.apigw_metrics(ctx, "parcel-public-api", "prod", points, track_rate, err5=err5, latency=api_latency)

    tot_inv: dict[datetime, int] = {}
    tot_thr: dict[datetime, int] = {}
    tot_err: dict[datetime, int] = {}
    unres: dict[datetime, tuple[float, float]] = {}
    resv: dict[datetime, tuple[float, float]] = {}
    for t, step in points:
        secs = step
        share = throttle_share[t]
        # tracking
        inv, thr = track_inv.get(t, (0, 0))
        tdur = ctx.jitter(48.0, 0.08)
        tconc = inv * tdur / 1000 / secs
        g.function_metrics(
            ctx,
            "parcel-tracking-api",
            t,
            step,
            inv=inv,
            err=ctx.count(inv * 0.0003),
            thr=thr,
            duration=tdur,
            conc=(tconc, tconc * 2.6 + 2),
        )
        # labels
        lrecv = label_sqs[t][0]
        linv = math.ceil(lrecv / 5)
        ldur = ctx.jitter(2100.0, 0.1)
        lthr = ctx.count(linv * share / max(0.05, 1 - share)) if share else 0
        lconc = linv * ldur / 1000 / secs
        g.function_metrics(
            ctx,
            "label-render-worker",
            t,
            step,
            inv=linv,
            err=ctx.count(linv * 0.001),
            thr=lthr,
            duration=ldur,
            conc=(lconc, lconc * 1.7 + 2),
        )
        # carrier webhooks (reserved concurrency: untouched)
        cinv = ctx.count(carrier_rate(t) * step / 60)
        cdur = ctx.jitter(35.0, 0.1)
        cconc = cinv * cdur / 1000 / secs
        g.function_metrics(
            ctx,
            "carrier-webhook-ingest",
            t,
            step,
            inv=cinv,
            err=ctx.count(cinv * 0.0002),
            thr=0,
            duration=cdur,
            conc=(cconc, cconc * 2.5 + 2),
        )
        # backfill
        recv = bf_sqs[t][0]
        binv = math.ceil(recv / 10)
        bthr = 0
        if bf_want(t) > pool:
            bthr = ctx.count((bf_want(t) - pool) * 60 / (bf_dur / 1000) * rng.uniform(0.3, 0.6))
        elif bf_want(t) > 0 and share:
            bthr = ctx.count(binv * rng.uniform(0.02, 0.08))
        bc = bf_conc[t]
        g.function_metrics(
            ctx,
            "shipment-history-backfill",
            t,
            step,
            inv=binv,
            err=ctx.count(binv * 0.0008),
            thr=bthr,
            duration=ctx.jitter(bf_dur if bf_want(t) else bf_dur * 0.8, 0.05),
            conc=(bc * 0.97, bc + 1 if bc else 0),
        )
        tot_inv[t] = inv + linv + cinv + binv
        tot_thr[t] = thr + lthr + bthr
        tot_err[t] = 0
        other = tconc + lconc
        u_avg = other + bc * 0.97
        u_max = pool if bf_want(t) >= pool - 20 else other * 2.4 + 3 + bc
        unres[t] = (u_avg, u_max)
        resv[t] = (cconc, cconc * 2.5 + 2)
        g.account_lambda_metrics(
            ctx,
            t,
            step,
            unreserved=unres[t],
            reserved_used=resv[t],
            reserved_total=carrier_reserved,
            invocations=tot_inv[t],
            errors=ctx.count(tot_inv[t] * 0.0004),
            throttles=tot_thr[t],
        )

    def ddb_events_reads(t: datetime) -> float:
        inv, _ = track_inv.get(t, (0, 0))
        return inv * 2.5 if inv else track_rate(t) * 2.5

    g.dynamodb_metrics(
        ctx, "shipment-events", points, reads=ddb_events_reads, writes=lambda t: carrier_rate(t) * 1.1
    )
    g.dynamodb_metrics(
        ctx,
        "shipment-history-v2",
        points,
        reads=lambda t: 0.0,
        writes=lambda t: bf_sqs.get(t, (0, 0))[0] * 2.0,
        put_latency=6.4,
    )

    # --- alarms ---------------------------------------------------------------------------------
    ctx.alarm(
        "parcel-public-api-prod-5xx",
        namespace="AWS/ApiGateway",
        metric="5XXError",
        dims={"ApiName": "parcel-public-api", "Stage": "prod"},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        threshold=20,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Public tracking API returning 5xx. Runbook: https://wiki.tidewater.internal/oncall/parcel-api",
        actions=[topic_arn],
        ok_actions=[topic_arn],
    )
    ctx.alarm(
        "label-render-jobs-oldest-message",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": "label-render-jobs"},
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        threshold=900,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "label-render-jobs-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": "label-render-jobs-dlq"},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "parcel-tracking-api-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "parcel-tracking-api"},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=25,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic_arn],
    )
    ctx.alarm(
        "carrier-webhook-ingest-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "carrier-webhook-ingest"},
        statistic="Sum",
        period=300,
        evaluation_periods=2,
        threshold=20,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic_arn],
    )
    ctx.evaluate_alarms(fine_from, now, since=start)

    # --- logs -----------------------------------------------------------------------------------
    log_from = onset_m - timedelta(minutes=75)
    tr_stream = d.lambda_stream(ctx, log_from - timedelta(hours=1))
    tr_stream_new = d.lambda_stream(ctx, onset_m - timedelta(minutes=13), version="$LATEST")
    access_streams = [ctx.hex(32) for _ in range(3)]
    for t in g.minutes(log_from, now):
        share = throttle_share.get(t, throttle_share.get(d.floor_min(t), 0.0))
        stream = tr_stream_new if t >= onset_m - timedelta(minutes=13) else tr_stream
        for _ in range(rng.randrange(2, 4) if share < 0.5 else rng.randrange(0, 2)):
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            rid = ctx.uuid()
            pid = f"TW{rng.randrange(10**10, 10**11)}GB"
            dur = rng.uniform(22, 95)
            ctx.log("/aws/lambda/parcel-tracking-api", stream, at, f"START RequestId: {rid} Version: $LATEST")
            ctx.log(
                "/aws/lambda/parcel-tracking-api",
                stream,
                at + timedelta(milliseconds=dur * 0.8),
                g.lambda_node_line(
                    at + timedelta(milliseconds=dur * 0.8),
                    rid,
                    "info",
                    json.dumps(
                        {
                            "msg": "tracking lookup",
                            "parcelId": pid,
                            "events": rng.randrange(2, 14),
                            "ms": round(dur * 0.7),
                        },
                        separators=(",", ":"),
                    ),
                ),
            )
            if rng.random() < 0.03:
                ctx.log(
                    "/aws/lambda/parcel-tracking-api",
                    stream,
                    at + timedelta(milliseconds=dur * 0.85),
                    g.lambda_node_line(
                        at + timedelta(milliseconds=dur * 0.85),
                        rid,
                        "warn",
                        json.dumps({"msg": "parcel not found", "parcelId": pid}, separators=(",", ":")),
                    ),
                )
            ctx.log(
                "/aws/lambda/parcel-tracking-api",
                stream,
                at + timedelta(milliseconds=dur),
                f"END RequestId: {rid}",
            )
            ctx.log(
                "/aws/lambda/parcel-tracking-api",
                stream,
                at + timedelta(milliseconds=dur + 1),
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur)} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randrange(96, 131)} MB\t",
            )
        # access log lines (sampled)
        for _ in range(rng.randrange(2, 5)):
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            throttled = rng.random() < share
            pid = f"TW{rng.randrange(10**10, 10**11)}GB"
            line = {
                "requestId": ctx.uuid(),
                "ip": f"{rng.choice([81, 86, 92, 109, 176, 212])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}",
                "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": "GET",
                "resourcePath": "/v1/parcels/{parcelId}",
                "status": "500" if throttled else ("404" if rng.random() < 0.02 else "200"),
                "responseLength": "36" if throttled else str(rng.randrange(900, 4200)),
                "integrationLatency": str(rng.randrange(3, 9)) if throttled else str(rng.randrange(25, 110)),
                "integrationStatus": "-" if throttled else "200",
                "integrationError": f"Lambda invocation failed with status: 429. Lambda request id: {ctx.uuid()}"
                if throttled
                else "-",
            }
            ctx.log(access_group, rng.choice(access_streams), at, json.dumps(line, separators=(",", ":")))

    # label worker (python)
    lw_stream = d.lambda_stream(ctx, log_from - timedelta(hours=2))
    for t in g.minutes(log_from, now):
        share = throttle_share.get(t, 0.0)
        for _ in range(rng.randrange(1, 3) if share < 0.5 else rng.randrange(0, 2)):
            at = t + timedelta(milliseconds=rng.randrange(0, 58000))
            rid = ctx.uuid()
            dur = rng.uniform(1500, 3200)
            body = [
                (
                    rng.uniform(20, 60),
                    g.lambda_py_line(
                        at + timedelta(milliseconds=40),
                        "{rid}",
                        "info",
                        f"rendering 5 labels carrier={rng.choice(['royalmail', 'dpd', 'evri', 'ups'])} format=zpl",
                    ),
                )
            ]
            if rng.random() < 0.04:
                body.append(
                    (
                        dur * 0.6,
                        g.lambda_py_line(
                            at + timedelta(milliseconds=dur * 0.6),
                            "{rid}",
                            "warning",
                            "font cache miss for DejaVuSans-Bold, rebuilding",
                        ),
                    )
                )
            body.append(
                (
                    dur - 10,
                    g.lambda_py_line(
                        at + timedelta(milliseconds=dur - 10), "{rid}", "info", "batch done ok=5 failed=0"
                    ),
                )
            )
            d.lambda_invocation(
                ctx,
                "/aws/lambda/label-render-worker",
                lw_stream,
                at,
                duration_ms=dur,
                memory=1536,
                used=rng.randrange(280, 420),
                body=body,
                request_id=rid,
            )

    # backfill: the test batch, then the full run (many fresh environments)
    def bf_inv(stream: str, at: datetime, cold: bool) -> None:
        month = f"20{rng.randrange(17, 22)}-{rng.randrange(1, 13):02d}"
        dur = ctx.jitter(bf_dur, 0.12)
        body = [
            (
                12.0,
                g.lambda_py_line(
                    at + timedelta(milliseconds=12), "{rid}", "info", f"backfill batch size=10 month={month}"
                ),
            ),
            (
                dur * 0.8,
                g.lambda_py_line(
                    at + timedelta(milliseconds=dur * 0.8),
                    "{rid}",
                    "info",
                    f"archive fetch ok shipments=10 bytes={rng.randrange(40000, 180000)}",
                ),
            ),
            (
                dur - 15,
                g.lambda_py_line(
                    at + timedelta(milliseconds=dur - 15),
                    "{rid}",
                    "info",
                    f"wrote 10 items to shipment-history-v2 month={month}",
                ),
            ),
        ]
        if rng.random() < 0.06:
            body.insert(
                1,
                (
                    dur * 0.5,
                    g.lambda_py_line(
                        at + timedelta(milliseconds=dur * 0.5),
                        "{rid}",
                        "warning",
                        "Connection pool is full, discarding connection: archive.carrier-hub.internal. Connection pool size: 10",
                    ),
                ),
            )
        d.lambda_invocation(
            ctx,
            "/aws/lambda/shipment-history-backfill",
            stream,
            at,
            duration_ms=dur,
            memory=1024,
            used=rng.randrange(140, 210),
            body=body,
            init_ms=rng.uniform(380, 720) if cold else None,
        )

    for _i in range(4):
        s = d.lambda_stream(ctx, test_at)
        at = test_at + timedelta(seconds=rng.uniform(2, 20))
        for j in range(3):
            bf_inv(s, at, j == 0)
            at += timedelta(seconds=bf_dur / 1000 + rng.uniform(0.2, 2))
    for t in g.minutes(onset_m, now):
        for _ in range(rng.randrange(5, 9)):
            s = d.lambda_stream(ctx, t)
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            bf_inv(s, at, minute_idx(t) < 4 or rng.random() < 0.2)

    # carrier webhooks (sampled)
    cw_stream = d.lambda_stream(ctx, log_from - timedelta(hours=3))
    for t in g.minutes(log_from, now):
        if rng.random() < 0.6:
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            rid = ctx.uuid()
            dur = rng.uniform(18, 60)
            carrier_name = rng.choice(["dpd", "evri", "ups", "royalmail"])
            d.lambda_invocation(
                ctx,
                "/aws/lambda/carrier-webhook-ingest",
                cw_stream,
                at,
                duration_ms=dur,
                memory=256,
                used=rng.randrange(78, 96),
                body=[
                    (
                        dur * 0.7,
                        g.lambda_node_line(
                            at + timedelta(milliseconds=dur * 0.7),
                            "{rid}",
                            "info",
                            json.dumps(
                                {
                                    "msg": "scan events stored",
                                    "carrier": carrier_name,
                                    "count": rng.randrange(1, 40),
                                },
                                separators=(",", ":"),
                            ),
                        ),
                    )
                ],
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    ip_office = f"81.{rng.randrange(128, 140)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    dataeng = d.sso_user(
        ctx,
        "priya.raman@tidewater.co.uk",
        "DataEngineer",
        ip=f"86.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
    )
    platform = d.sso_user(ctx, "tom.hallett@tidewater.co.uk", "PlatformAdmin", ip=ip_office, console=True)
    oncall = d.sso_user(
        ctx,
        "leah.okafor@tidewater.co.uk",
        "PowerUser",
        ip=f"92.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        console=True,
    )
    ci = g.github_ci(ctx, "gha-deploy-parcel-api", "tidewater/parcel-api")
    tf = d.role_session(
        ctx,
        "terraform-apply",
        f"atlantis-{ctx.hex(8)}",
        ua=d.TF_UA.format(api="lambda#1.54.1"),
        ip=f"3.{rng.randrange(8, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
    )
    d.background_trail(ctx, start, now, 38, [platform, oncall])

    fq = lambda name: {  # noqa: E731
        "arnPrefix": {"partition": "aws", "region": ctx.region, "account": ctx.account},
        "relativeId": {"functionName": name},
        "functionQualifier": {},
    }
    # earlier routine changes
    d.ct(
        ctx,
        start + timedelta(minutes=rng.randrange(20, 80)),
        platform,
        "sqs.amazonaws.com",
        "TagQueue",
        params={"queueUrl": labels_q["QueueUrl"], "tags": {"cost-centre": "fulfilment"}},
    )
    d.ct(
        ctx,
        start + timedelta(minutes=rng.randrange(90, 150)),
        tf,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        params={"resource": carrier["FunctionArn"], "tags": {"owner": "integrations"}},
    )
    d.ct(
        ctx,
        test_at - timedelta(minutes=6),
        dataeng,
        "sqs.amazonaws.com",
        "GetQueueUrl",
        params={"queueName": "shipment-history-backfill"},
        response={"queueUrl": bf_q["QueueUrl"]},
        read_only=True,
    )
    d.ct(
        ctx,
        test_at - timedelta(minutes=5, seconds=40),
        dataeng,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        params={"queueUrl": bf_q["QueueUrl"], "attributeNames": ["All"]},
        read_only=True,
    )
    d.ct(
        ctx,
        test_at + timedelta(minutes=4),
        dataeng,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        params={"functionName": "shipment-history-backfill"},
        read_only=True,
    )
    d.ct(
        ctx,
        test_at + timedelta(minutes=9),
        dataeng,
        "dynamodb.amazonaws.com",
        "DescribeTable",
        params={"tableName": "shipment-history-v2"},
        read_only=True,
    )

    # innocent changes near the onset
    t_ci = onset_m - timedelta(minutes=14, seconds=rng.randrange(0, 50))
    resp = g.camel(tracking)
    resp["version"] = str(rng.randrange(40, 90))
    resp["functionArn"] = f"{tracking['FunctionArn']}:{resp['version']}"
    resp["state"] = "Active"
    d.ct(
        ctx,
        t_ci,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        params={
            "functionName": tracking["FunctionArn"],
            "fullyQualifiedArn": fq("parcel-tracking-api"),
            "publish": True,
            "dryRun": False,
        },
        response=resp,
    )
    d.ct(
        ctx,
        t_ci + timedelta(seconds=rng.randrange(20, 50)),
        ci,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        params={"functionName": "parcel-tracking-api"},
        read_only=True,
    )
    t_tf = onset_m - timedelta(minutes=21, seconds=rng.randrange(0, 50))
    cresp = g.camel(carrier)
    d.ct(
        ctx,
        t_tf,
        tf,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        params={
            "functionName": "carrier-webhook-ingest",
            "timeout": 15,
            "description": "Carrier scan-event webhooks (function URL)",
        },
        response=cresp,
    )
    d.ct(
        ctx,
        onset_m - timedelta(minutes=3, seconds=rng.randrange(0, 50)),
        dataeng,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        params={
            "queueUrl": bf_q["QueueUrl"],
            "attributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
        read_only=True,
    )
    d.ct(
        ctx,
        onset_m + timedelta(minutes=6, seconds=rng.randrange(0, 50)),
        platform,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        params={"logGroupName": "/aws/lambda/label-render-worker", "retentionInDays": 30},
    )
    d.ct(
        ctx,
        onset_m + timedelta(minutes=11),
        dataeng,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        params={
            "queueUrl": bf_q["QueueUrl"],
            "attributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
        read_only=True,
    )
    d.ct(
        ctx,
        onset_m + timedelta(minutes=rng.randrange(5, 9)),
        platform,
        "cloudwatch.amazonaws.com",
        "PutDashboard",
        params={"dashboardName": "fulfilment-overview"},
    )
    # on-call looking around after the page
    page = onset_m + timedelta(minutes=4)
    for i, (src, nm, prm) in enumerate(
        [
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "parcel-tracking-api"}),
            (
                "lambda.amazonaws.com",
                "ListVersionsByFunction20150331",
                {"functionName": "parcel-tracking-api"},
            ),
            ("apigateway.amazonaws.com", "GetStage", {"restApiId": api["id"], "stageName": "prod"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["parcel-public-api-prod-5xx"]}),
            (
                "logs.amazonaws.com",
                "FilterLogEvents",
                {"logGroupName": "/aws/lambda/parcel-tracking-api", "filterPattern": "ERROR"},
            ),
        ]
    ):
        d.ct(
            ctx,
            page + timedelta(minutes=2 + i * 2, seconds=rng.randrange(0, 50)),
            oncall,
            src,
            nm,
            params=prm,
            read_only=True,
        )

    # queue item counts at `now`
    last = max(t for t, _ in points if t <= now - 2 * d.MIN)
    bf_q["Attributes"]["ApproximateNumberOfMessages"] = str(bf_sqs[last][1])
    bf_q["Attributes"]["ApproximateNumberOfMessagesNotVisible"] = str(int(bf_conc[last] * 10))
    labels_q["Attributes"]["ApproximateNumberOfMessages"] = str(label_sqs[last][1])

    alarm_event = ctx.alarm_event("parcel-public-api-prod-5xx")
    prev_t = datetime.fromisoformat(
        alarm_event["detail"]["previousState"]["timestamp"].replace("+0000", "+00:00")
    )
    prev_b = d.floor_min(prev_t) - 2 * d.MIN
    g.fix_previous_reason(
        alarm_event,
        g.ok_reason(
            20.0,
            3,
            [(prev_b - timedelta(minutes=i), float(rng.choice([0, 0, 1]))) for i in range(3)],
            "greater than or equal to",
        ),
    )
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=(
            "Paged for parcel-public-api prod 5xx. Customers say tracking pages are erroring and the "
            "warehouse says labels are printing late. We shipped a tracking-api release a bit before this. "
            "What's going on?"
        ),
        alarm_event=alarm_event,
        timezone=None,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": "shipment-history-backfill",
                "category": "limit",
                "failure_mode": "account-concurrency-exhausted",
            },
            "also_accept": [str(backfill["FunctionArn"]), str(esm_bf["UUID"])],
            "actions": ["reconfigure", "block"],
            "chain": [
                "A multi-million-message load into SQS shipment-history-backfill scaled the uncapped "
                "shipment-history-backfill function to the whole unreserved concurrency pool",
                f"With ClaimedAccountConcurrency at the {limit} account limit, parcel-tracking-api and "
                "label-render-worker invocations were throttled",
                "parcel-public-api prod returned 500 for throttled tracking lookups; label-render-jobs backed up",
            ],
        },
    )
