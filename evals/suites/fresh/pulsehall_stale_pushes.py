"""pulsehall: members get booking push notifications for yesterday's bookings (kit zl, incident 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zl import Kit, Rec, daily, iso, iso_ms, minutes

NAME = "pulsehall-stale-pushes"
TITLE = "Members getting booking pushes for yesterday's classes; nothing erroring"
SUMMARY = (
    "Gym app members receive booking-confirmed pushes for old bookings while every service reports healthy."
)

BUS = "pulsehall-core"
LONDON = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed, "000000000000", "eu-west-2")
    rng = k.rng
    account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    k.account = account
    day = datetime(2024, 4, 9, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 9) + rng.choice([0, 1, 2]))
    onset = day.replace(hour=12) + timedelta(minutes=rng.randint(55, 80))  # ~14:00 local (BST)
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    now = onset + timedelta(minutes=rng.randint(44, 56))
    tz_off = 1.0
    replay_started = onset - timedelta(seconds=rng.randint(40, 110))
    y_from = (day - timedelta(days=1)).replace(hour=8, minute=30)
    y_to = (day - timedelta(days=1)).replace(hour=17, minute=30)
    speed = rng.uniform(6.5, 8.5)  # archive hours replayed per wall-clock hour

    bus_arn = k.arn("events", f"event-bus/{BUS}")
    archive = f"{BUS}-archive"
    archive_arn = k.arn("events", f"archive/{archive}")
    replay_name = f"crm-redrive-{(day - timedelta(days=1)):%Y%m%d}"
    replay_arn = k.arn("events", f"replay/{replay_name}")
    old_replay = f"crm-redrive-{(day - timedelta(days=23)):%Y%m%d}"

    fns = {
        "booking-api": ("nodejs20.x", 1024, 10),
        "push-notifier": ("nodejs20.x", 512, 15),
        "crm-sync": ("python3.12", 512, 30),
        "ledger-writer": ("python3.12", 512, 30),
        "refund-initiator": ("python3.12", 256, 30),
    }
    rules = {
        "booking-confirmed-push": ("push-notifier", ["BookingConfirmed"]),
        "waitlist-promoted-push": ("push-notifier", ["WaitlistPromoted"]),
        "booking-events-crm-sync": ("crm-sync", ["BookingConfirmed", "BookingCancelled", "MemberUpdated"]),
        "payment-settled-ledger": ("ledger-postings", ["PaymentSettled", "PaymentRefunded"]),
        "class-cancelled-refunds": ("refund-initiator", ["ClassCancelled"]),
    }
    # per-minute base rates of each detail-type at the daily peak (events/min)
    base = {
        "BookingConfirmed": rng.uniform(16, 24),
        "BookingCancelled": rng.uniform(2.5, 4.0),
        "MemberUpdated": rng.uniform(1.0, 2.0),
        "WaitlistPromoted": rng.uniform(0.8, 1.6),
        "PaymentSettled": rng.uniform(9, 14),
        "PaymentRefunded": rng.uniform(0.3, 0.7),
        "ClassCancelled": 0.03,
    }
    peaks = [(7.0, 1.6, 0.7), (12.5, 1.8, 0.9), (18.0, 2.0, 1.0)]

    def rate(dt: str, t: datetime) -> float:
        return base[dt] * daily(t, tz_off, peaks, 0.12)

    def replay_progress(t: datetime) -> datetime | None:
        if t < replay_started + timedelta(seconds=30):
            return None
        p = y_from + (t - replay_started) * speed
        return min(p, y_to)

    # ---- metrics --------------------------------------------------------------------------------
    fn_inv: dict[str, dict[datetime, int]] = {f: {} for f in fns}
    replayed: dict[datetime, dict[str, int]] = {}
    for t in minutes(start, now - timedelta(minutes=1)):
        live = {dt: round(k.noise(rate(dt, t), 0.18)) for dt in base}
        rep: dict[str, int] = {dt: 0 for dt in base}
        p0 = replay_progress(t)
        p1 = replay_progress(t + timedelta(minutes=1))
        if p0 is not None and p1 is not None and p1 > p0:
            mid_t = p0 + (p1 - p0) / 2
            mins = (p1 - p0).total_seconds() / 60
            for dt in base:
                rep[dt] = round(k.noise(rate(dt, mid_t) * mins, 0.1))
        replayed[t] = rep
        tot = {dt: live[dt] + rep[dt] for dt in base}
        for rule, (target, types) in rules.items():
            n = sum(tot[dt] for dt in types)
            if n == 0:
                continue
            d = {"EventBusName": BUS, "RuleName": rule}
            k.put("AWS/Events", "MatchedEvents", d, t, "Count", n)
            k.put("AWS/Events", "TriggeredRules", d, t, "Count", n)
            k.put("AWS/Events", "Invocations", d, t, "Count", n)
            if target in fn_inv:
                fn_inv[target][t] = fn_inv[target].get(t, 0) + n
        api = int(k.noise(daily(t, tz_off, peaks, 0.1) * rng.uniform(140, 150), 0.07))
        fn_inv["booking-api"][t] = api
        dims = {"ApiName": "pulsehall-api", "Stage": "prod"}
        k.put("AWS/ApiGateway", "Count", dims, t, "Count", api)
        k.put("AWS/ApiGateway", "5XXError", dims, t, "Count", 1 if rng.random() < 0.04 else 0)
        k.put("AWS/ApiGateway", "4XXError", dims, t, "Count", int(api * rng.uniform(0.01, 0.025)))
        k.put_dist("AWS/ApiGateway", "Latency", dims, t, "Milliseconds", rng.uniform(95, 115), api, tail=620)
        # ledger queue
        pay = tot["PaymentSettled"] + tot["PaymentRefunded"]
        q = {"QueueName": "ledger-postings"}
        k.put("AWS/SQS", "NumberOfMessagesSent", q, t, "Count", pay)
        k.put("AWS/SQS", "NumberOfMessagesReceived", q, t, "Count", pay)
        k.put("AWS/SQS", "NumberOfMessagesDeleted", q, t, "Count", pay)
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, "Count", rng.choice([0, 0, 0, 1, 2]))
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", q, t, "Seconds", rng.randint(0, 3))
        dq = {"QueueName": "ledger-postings-dlq"}
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, t, "Count", 2)
        k.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dq,
            t,
            "Seconds",
            int((t - start).total_seconds()) + 412_000,
        )
        fn_inv["ledger-writer"][t] = max(1, int(pay / rng.uniform(1.4, 2.2))) if pay else 0
        # bookings table (on-demand)
        bt = {"TableName": "pulsehall-bookings"}
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            bt,
            t,
            "Count",
            live["BookingConfirmed"] * 3 + live["BookingCancelled"] * 2 + rng.randint(0, 6),
        )
        k.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            bt,
            t,
            "Count",
            api * 2.5 + rep["BookingConfirmed"] * 0.5,
        )
    durations = {
        "booking-api": 85.0,
        "push-notifier": 240.0,
        "crm-sync": 410.0,
        "ledger-writer": 60.0,
        "refund-initiator": 900.0,
    }
    for f, series in fn_inv.items():
        d = {"FunctionName": f}
        for t, n in sorted(series.items()):
            if n <= 0:
                continue
            k.put("AWS/Lambda", "Invocations", d, t, "Count", n)
            k.put("AWS/Lambda", "Errors", d, t, "Count", 0)
            k.put("AWS/Lambda", "Throttles", d, t, "Count", 0)
            k.put_dist("AWS/Lambda", "Duration", d, t, "Milliseconds", durations[f], n, tail=durations[f] * 5)
            conc = max(1.0, n * durations[f] / 60000 * rng.uniform(1.8, 3.2))
            k.put("AWS/Lambda", "ConcurrentExecutions", d, t, "Count", round(conc))

    # ---- logs -----------------------------------------------------------------------------------
    classes = [
        "Spin 45",
        "Reformer Pilates",
        "HIIT Express",
        "Yoga Flow",
        "Boxfit",
        "Barre",
        "Kettlebell Strength",
        "Aqua Tone",
    ]
    clubs = ["shoreditch", "clapham", "canary-wharf", "islington", "battersea", "kings-cross", "richmond"]
    streams: dict[str, str] = {f: k.lambda_stream(start) for f in fns}
    deploy_at = onset - timedelta(minutes=rng.randint(21, 27))
    for t in minutes(start, now - timedelta(minutes=1)):
        for f in ("push-notifier", "crm-sync", "ledger-writer"):
            n = fn_inv[f].get(t, 0)
            if n == 0:
                continue
            sample = max(1, n // 12) if f == "push-notifier" else max(1, n // 30)
            rep_share = 0.0
            live_n = sum(replayed[t].values())
            if live_n:
                rep_share = live_n / max(1, live_n + sum(int(rate(dt, t)) for dt in base))
            for _ in range(min(sample, 14)):
                at = t + timedelta(seconds=rng.uniform(0, 59))
                if rng.random() < 0.03:
                    streams[f] = k.lambda_stream(at)
                is_rep = rng.random() < rep_share
                if is_rep:
                    p = replay_progress(t) or y_from
                    ev_time = p - timedelta(seconds=rng.uniform(0, 300))
                else:
                    ev_time = at - timedelta(seconds=rng.uniform(0.2, 1.5))
                stamp = iso_ms(at + timedelta(milliseconds=30))
                cls_start = (ev_time + timedelta(hours=rng.randint(20, 70))).replace(
                    minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0
                )
                bid = f"bk_{k.alnum(12)}"
                mid = f"mem_{k.alnum(10)}"
                if f == "push-notifier":
                    tmpl = "booking-confirmed@v14" if at >= deploy_at else "booking-confirmed@v13"
                    msg = {
                        "level": "info",
                        "msg": "push sent",
                        "detailType": "BookingConfirmed",
                        "eventId": k.uuid(),
                        "eventTime": iso(ev_time),
                        "bookingId": bid,
                        "memberId": mid,
                        "club": rng.choice(clubs),
                        "className": rng.choice(classes),
                        "classStart": iso(cls_start),
                        "template": tmpl,
                        "devices": rng.choice([1, 1, 1, 2]),
                        "fcmMs": rng.randint(60, 190),
                    }
                    lines = [f"{stamp}\t{{rid}}\tINFO\t" + json.dumps(msg, separators=(",", ":"))]
                    if rng.random() < 0.04:
                        lines.append(
                            f"{stamp}\t{{rid}}\tWARN\t"
                            + '{"level":"warn","msg":"fcm token unregistered, removing device","memberId":"'
                            + mid
                            + '","fcmError":"UNREGISTERED"}'
                        )
                    k.lambda_invocation(
                        f, streams[f], at, rng.uniform(150, 380), 512, rng.randint(98, 124), lines
                    )
                elif f == "crm-sync":
                    line = (
                        f"[INFO]\t{stamp}\t{{rid}}\tupserted contact member_id={mid} booking_id={bid} "
                        f"event_time={iso(ev_time)} hubspot_status=200"
                    )
                    lines = [line]
                    if rng.random() < 0.05:
                        lines.append(
                            f"[WARNING]\t{stamp}\t{{rid}}\thubspot rate limit remaining=38 window=10s"
                        )
                    k.lambda_invocation(
                        f, streams[f], at, rng.uniform(280, 640), 512, rng.randint(80, 96), lines
                    )
                else:
                    pid = f"pay_{k.alnum(14)}"
                    if is_rep:
                        line = f"[INFO]\t{stamp}\t{{rid}}\tposting already recorded payment_id={pid} skipping"
                    else:
                        line = f"[INFO]\t{stamp}\t{{rid}}\tposting recorded payment_id={pid} amount_pence={rng.choice([1200, 1500, 1800, 6900, 8900])} account=member_revenue"
                    k.lambda_invocation(
                        f, streams[f], at, rng.uniform(30, 90), 512, rng.randint(70, 82), [line]
                    )
    # booking-api: a light sample of request logs
    for t in minutes(start, now - timedelta(minutes=1), 3):
        at = t + timedelta(seconds=rng.uniform(0, 170))
        route = rng.choice(
            [
                "GET /v1/classes",
                "GET /v1/classes",
                "POST /v1/bookings",
                "GET /v1/members/me/bookings",
                "DELETE /v1/bookings/{id}",
            ]
        )
        st = 201 if route.startswith("POST") else 200
        api_line = f'{iso_ms(at)}\t{{rid}}\tINFO\t{{"level":"info","route":"{route}","status":{st},"ms":{rng.randint(22, 140)}}}'
        k.lambda_invocation(
            "booking-api",
            streams["booking-api"],
            at,
            rng.uniform(40, 160),
            1024,
            rng.randint(150, 190),
            [api_line],
        )
    k.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 600))
    k.res(
        "events",
        "DescribeEventBusResponse",
        {
            "Name": BUS,
            "Arn": bus_arn,
            "Description": "Domain events for bookings, payments and members",
            "CreationTime": iso(created),
            "LastModifiedTime": iso(created + timedelta(days=40)),
        },
    )
    k.res(
        "events",
        "DescribeArchiveResponse",
        {
            "ArchiveArn": archive_arn,
            "ArchiveName": archive,
            "EventSourceArn": bus_arn,
            "Description": "30-day archive of every event on pulsehall-core",
            "EventPattern": '{"account":["' + account + '"]}',
            "State": "ENABLED",
            "RetentionDays": 30,
            "SizeBytes": rng.randint(900_000_000, 1_600_000_000),
            "EventCount": rng.randint(2_100_000, 3_400_000),
            "CreationTime": iso(created + timedelta(days=2)),
        },
    )
    k.res(
        "events",
        "DescribeReplayResponse",
        {
            "ReplayName": old_replay,
            "ReplayArn": k.arn("events", f"replay/{old_replay}"),
            "Description": "crm-sync redrive after hubspot 5xx",
            "State": "COMPLETED",
            "EventSourceArn": archive_arn,
            "Destination": {
                "Arn": bus_arn,
                "FilterArns": [k.arn("events", f"rule/{BUS}/booking-events-crm-sync")],
            },
            "EventStartTime": iso((day - timedelta(days=24)).replace(hour=14)),
            "EventEndTime": iso((day - timedelta(days=24)).replace(hour=16, minute=30)),
            "EventLastReplayedTime": iso((day - timedelta(days=24)).replace(hour=16, minute=29, second=51)),
            "ReplayStartTime": iso((day - timedelta(days=23)).replace(hour=9, minute=12)),
            "ReplayEndTime": iso((day - timedelta(days=23)).replace(hour=9, minute=35)),
        },
    )
    k.res(
        "events",
        "DescribeReplayResponse",
        {
            "ReplayName": replay_name,
            "ReplayArn": replay_arn,
            "Description": "crm-sync redrive, hubspot outage yesterday",
            "State": "RUNNING",
            "EventSourceArn": archive_arn,
            "Destination": {"Arn": bus_arn},
            "EventStartTime": iso(y_from),
            "EventEndTime": iso(y_to),
            "EventLastReplayedTime": iso(replay_progress(now) or y_from),
            "ReplayStartTime": iso(replay_started),
        },
    )
    for rule, (_target, types) in rules.items():
        k.res(
            "events",
            "Rule",
            {
                "Name": rule,
                "Arn": k.arn("events", f"rule/{BUS}/{rule}"),
                "EventPattern": json.dumps(
                    {
                        "source": [
                            "pulsehall.bookings" if "ayment" not in types[0] else "pulsehall.payments"
                        ],
                        "detail-type": types,
                    }
                ),
                "State": "ENABLED",
                "EventBusName": BUS,
            },
        )
    roles = {f: f"{f}-role" for f in fns}
    for f, (rt, mem, to) in fns.items():
        handler = "index.handler" if rt.startswith("node") else "app.handler"
        mod = (
            deploy_at + timedelta(seconds=15)
            if f == "push-notifier"
            else day - timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 9))
        )
        env = {"POWERTOOLS_SERVICE_NAME": f, "STAGE": "prod"}
        if f == "push-notifier":
            env["TEMPLATE_SET"] = "v14"
        k.function(f, rt, handler, roles[f], mem, to, mod, env=env)
        k.role(roles[f], "lambda.amazonaws.com", created, now - timedelta(minutes=1))
        k.log_group(f"/aws/lambda/{f}", created)
    for qn, vis in (("ledger-postings", "180"), ("ledger-postings-dlq", "30")):
        attrs = {
            "QueueArn": k.arn("sqs", qn),
            "VisibilityTimeout": vis,
            "MessageRetentionPeriod": "1209600" if "dlq" in qn else "345600",
            "MaximumMessageSize": "262144",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "ApproximateNumberOfMessages": "2" if "dlq" in qn else "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int((onset - timedelta(minutes=11)).timestamp()))
            if "dlq" in qn
            else str(int(created.timestamp())),
            "SqsManagedSseEnabled": "true",
        }
        if qn == "ledger-postings":
            attrs["RedrivePolicy"] = (
                '{"deadLetterTargetArn":"' + k.arn("sqs", "ledger-postings-dlq") + '","maxReceiveCount":5}'
            )
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.eu-west-2.amazonaws.com/{account}/{qn}",
                "Attributes": attrs,
                "Tags": {"team": "payments-core"},
            },
        )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "pulsehall-bookings",
            "TableStatus": "ACTIVE",
            "TableArn": k.arn("dynamodb", "table/pulsehall-bookings"),
            "TableId": k.uuid(),
            "CreationDateTime": iso(created),
            "ItemCount": rng.randint(3_000_000, 5_000_000),
            "TableSizeBytes": rng.randint(1_500_000_000, 2_600_000_000),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
        },
    )
    api_id = k.alnum(10)
    k.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "pulsehall-api",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(10),
        },
    )
    k.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "deploymentId": k.alnum(6),
            "tracingEnabled": False,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 2000,
                    "throttlingRateLimit": 1000.0,
                }
            },
            "createdDate": iso(created),
            "lastUpdatedDate": iso(day - timedelta(days=6)),
        },
    )

    # ---- CloudTrail -----------------------------------------------------------------------------
    ci = k.role_principal("gha-deploy-pulsehall", "GitHubActions")
    tf = k.role_principal("terraform-plan-readonly", "atlantis")
    eng_replay = k.sso(
        rng.choice(["a.lindqvist@pulsehall.co.uk", "s.obi@pulsehall.co.uk", "j.murray@pulsehall.co.uk"]),
        "PlatformEngineer",
    )
    eng_other = k.sso(rng.choice(["d.reyes@pulsehall.co.uk", "k.patel@pulsehall.co.uk"]), "PaymentsDeveloper")
    oncall = k.sso("oncall-viewer@pulsehall.co.uk", "ReadOnlyAccess")
    ev = "events.amazonaws.com"
    lam = "lambda.amazonaws.com"
    # routine reads through the day
    for t in sorted(
        start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())) for _ in range(16)
    ):
        routine: list[tuple[Rec, str, str, Rec]] = [
            (tf, ev, "ListRules", {"eventBusName": BUS}),
            (tf, ev, "DescribeEventBus", {"name": BUS}),
            (tf, lam, "GetFunction20150331v2", {"functionName": rng.choice(list(fns))}),
            (tf, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": "pulsehall-bookings"}),
            (
                tf,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.eu-west-2.amazonaws.com/{account}/ledger-postings",
                    "attributeNames": ["All"],
                },
            ),
            (oncall, lam, "ListFunctions20150331", {"maxItems": 50}),
            (oncall, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ]
        who, src, name, req = rng.choice(routine)
        k.ct(t, who, src, name, req, None, read_only=True)
    for f in fns:
        for t in sorted(
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())) for _ in range(2)
        ):
            fn_p = k.role_principal(roles[f], f)
            k.ct(
                t,
                fn_p,
                "logs.amazonaws.com",
                "CreateLogStream",
                {"logGroupName": f"/aws/lambda/{f}", "logStreamName": k.lambda_stream(t)},
                None,
                agent="aws-lambda-runtime",
            )
    # earlier in the day: a crm-sync config tweak by the platform engineer, an API stage update by CI
    t0 = start + timedelta(minutes=rng.randint(20, 60))
    k.ct(
        t0,
        ci,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api_id,
            "stageName": "prod",
            "patchOperations": [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}],
        },
        None,
    )
    # innocent change 1: the push-notifier deploy (new templates)
    fn_arn = k.arn("lambda", "function:push-notifier")
    k.ct(
        deploy_at - timedelta(seconds=50),
        ci,
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "roleArn": f"arn:aws:iam::{account}:role/gha-deploy-pulsehall",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        None,
        read_only=True,
    )
    k.ct(
        deploy_at,
        ci,
        lam,
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "push-notifier",
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"pulsehall-artifacts-{account}",
            "s3Key": f"push-notifier/{k.hex(40)}.zip",
        },
        {
            "functionName": "push-notifier",
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "memorySize": 512,
            "timeout": 15,
            "codeSha256": k.b64(44),
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    k.ct(
        deploy_at + timedelta(seconds=14),
        ci,
        lam,
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "push-notifier", "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": "push-notifier",
            "functionArn": fn_arn,
            "memorySize": 512,
            "timeout": 15,
            "lastUpdateStatus": "InProgress",
        },
    )
    # the platform engineer looks around, then starts the replay
    k.ct(
        replay_started - timedelta(minutes=9),
        eng_replay,
        ev,
        "ListArchives",
        {"eventSourceArn": bus_arn},
        None,
        read_only=True,
    )
    k.ct(
        replay_started - timedelta(minutes=8),
        eng_replay,
        ev,
        "DescribeArchive",
        {"archiveName": archive},
        None,
        read_only=True,
    )
    k.ct(
        replay_started - timedelta(minutes=6),
        eng_replay,
        ev,
        "ListReplays",
        {"eventSourceArn": archive_arn},
        None,
        read_only=True,
    )
    k.ct(
        replay_started - timedelta(minutes=5),
        eng_replay,
        ev,
        "ListRules",
        {"eventBusName": BUS},
        None,
        read_only=True,
    )
    k.ct(
        replay_started - timedelta(minutes=4),
        eng_replay,
        ev,
        "ListTargetsByRule",
        {"rule": "booking-events-crm-sync", "eventBusName": BUS},
        None,
        read_only=True,
    )
    # innocent change 2: DLQ retention on the payments side
    dlq_t = onset - timedelta(minutes=rng.randint(9, 14))
    k.ct(
        dlq_t,
        eng_other,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.eu-west-2.amazonaws.com/{account}/ledger-postings-dlq",
            "attributes": {"MessageRetentionPeriod": "1209600"},
        },
        None,
    )
    culprit = k.ct(
        replay_started,
        eng_replay,
        ev,
        "StartReplay",
        {
            "replayName": replay_name,
            "description": "crm-sync redrive, hubspot outage yesterday",
            "eventSourceArn": archive_arn,
            "eventStartTime": iso(y_from).replace("Z", ".000Z"),
            "eventEndTime": iso(y_to).replace("Z", ".000Z"),
            "destination": {"arn": bus_arn},
        },
        {
            "replayArn": replay_arn,
            "state": "STARTING",
            "replayStartTime": iso(replay_started).replace("Z", ".000Z"),
        },
    )
    for m in (6, 19, 33):
        if replay_started + timedelta(minutes=m) < now:
            k.ct(
                replay_started + timedelta(minutes=m),
                eng_replay,
                ev,
                "DescribeReplay",
                {"replayName": replay_name},
                None,
                read_only=True,
            )
    # innocent change 3 (after onset): CI tags rules
    k.ct(
        onset + timedelta(minutes=rng.randint(6, 12)),
        ci,
        ev,
        "TagResource",
        {
            "resourceARN": k.arn("events", f"rule/{BUS}/class-cancelled-refunds"),
            "tags": [{"key": "cost-centre", "value": "memberships"}],
        },
        None,
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(14, 24)),
        oncall,
        lam,
        "GetFunction20150331v2",
        {"functionName": "push-notifier"},
        None,
        read_only=True,
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(25, 30)),
        oncall,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": ["/aws/lambda/push-notifier"],
            "startTime": int((onset - timedelta(hours=1)).timestamp()),
            "endTime": int((onset + timedelta(minutes=25)).timestamp()),
            "queryString": "fields @timestamp, @message | sort @timestamp desc | limit 50",
        },
        None,
        read_only=True,
    )
    k.trail.sort(key=lambda r: r["eventTime"])

    # ---- alarms ---------------------------------------------------------------------------------
    topic = k.arn("sns", "pulsehall-oncall")
    created_al = created + timedelta(days=30)
    for nm, ns, met, dims, stat, per, ev_n, thr, op in [
        (
            "push-notifier-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "push-notifier"},
            "Sum",
            300,
            1,
            5,
            "GreaterThanThreshold",
        ),
        (
            "crm-sync-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "crm-sync"},
            "Sum",
            300,
            2,
            10,
            "GreaterThanThreshold",
        ),
        (
            "pulsehall-api-5xx",
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "pulsehall-api", "Stage": "prod"},
            "Sum",
            60,
            3,
            10,
            "GreaterThanThreshold",
        ),
        (
            "ledger-postings-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "ledger-postings"},
            "Maximum",
            300,
            2,
            600,
            "GreaterThanThreshold",
        ),
        (
            "pulsehall-core-failed-invocations",
            "AWS/Events",
            "FailedInvocations",
            {"EventBusName": BUS, "RuleName": "booking-confirmed-push"},
            "Sum",
            300,
            1,
            0,
            "GreaterThanThreshold",
        ),
    ]:
        k.alarm(
            nm,
            ns,
            met,
            dims,
            stat,
            per,
            ev_n,
            thr,
            op,
            f"{met} on {list(dims.values())[-1]}",
            topic,
            created_al,
            [],
        )
    # the DLQ alarm has been in ALARM for days (two old messages nobody cleared)
    dlq_al = k.alarm(
        "ledger-postings-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "ledger-postings-dlq"},
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        "Messages in the ledger DLQ",
        topic,
        created_al,
        [],
    )
    dlq_al["StateValue"] = "ALARM"
    dlq_al["StateReason"] = (
        "Threshold Crossed: 1 out of the last 1 datapoints [2.0 ("
        + f"{(now - timedelta(minutes=6)):%d/%m/%y %H:%M:%S}"
        + ")] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    for a in k.alarms:
        a["StateUpdatedTimestamp"] = iso_ms(now - timedelta(minutes=rng.randint(1, 5)))
        if a["StateValue"] == "OK":
            a["StateReason"] = (
                f"Threshold Crossed: 1 datapoint [0.0 ({(now - timedelta(minutes=6)):%d/%m/%y %H:%M:%S})] was not greater than the threshold ({a['Threshold']:g})."
            )
        a["StateTransitionedTimestamp"] = iso_ms(start - timedelta(days=rng.randint(2, 20)))

    local = onset.astimezone(LONDON) + timedelta(minutes=rng.randint(3, 9))
    hour12 = local.strftime("%I").lstrip("0")
    question = (
        f"Support has had a stream of members asking why they got 'you're booked in' push notifications for classes "
        f"they booked yesterday, some for classes that already happened. Started around {hour12}:{local:%M}{local.strftime('%p').lower()}. "
        f"No alarms, no errors that I can find. What is going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": "eu-west-2",
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": replay_arn,
                    "category": "change",
                    "failure_mode": "unfiltered-archive-replay",
                    "event_id": culprit,
                },
                "also_accept": [replay_name],
                "actions": ["block"],
                "chain": [
                    f"{replay_name} replays yesterday's archived events to every rule on {BUS} (no FilterArns)",
                    "booking-confirmed-push and waitlist-promoted-push match the replayed events again",
                    "push-notifier sends booking pushes for yesterday's bookings",
                    "members receive stale booking notifications",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.metrics,
            "alarms": k.alarms,
            "alarm_history": k.history,
            "logs": k.logs,
            "cloudtrail": k.trail,
            "resources": k.resources,
        },
    )
