"""No fault: the supplier-price queue's backlog alarm fires every weekday morning when the partner file lands."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_o as k

NAME = "supplier-price-queue-backlog"
TITLE = "supplier-price-updates backlog alarm"
SUMMARY = (
    "The partner's daily price file lands each weekday morning, the splitter Lambda enqueues ~50-80k messages and "
    "the consumer drains them within about 20 minutes; the backlog alarm fires and clears every morning. A log "
    "retention change and a tag change on the consumer happened shortly before today's alarm. Nothing is wrong."
)

REGIONS = [
    ("eu-west-1", "Europe/Amsterdam"),
    ("us-east-1", "America/New_York"),
    ("ap-southeast-2", "Australia/Sydney"),
]
PEOPLE = ["iris.vandijk", "tomas.novak", "maya.cohen", "leo.hart"]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region, tzname = rng.choice(REGIONS)
    tz = ZoneInfo(tzname)
    day = k.pick_day(rng)
    today = datetime(day.year, day.month, day.day, tzinfo=tz)
    land_h, land_m = 5, rng.randint(20, 45)
    start = k.floor_minute(
        (today - timedelta(days=5)).replace(hour=0).astimezone(UTC) + timedelta(minutes=rng.randint(0, 59))
    )
    fine_from = today.replace(hour=2).astimezone(UTC)

    queue = "supplier-price-updates"
    dlq = f"{queue}-dlq"
    splitter = "price-file-splitter"
    consumer = "price-update-consumer"
    table = "product-prices"
    partner = rng.choice(["nordwave", "agrilink", "brightfarm", "tessera"])
    bucket = f"partner-feeds-{partner}-{region}"
    topic = f"arn:aws:sns:{region}:{account}:pricing-alerts"
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"
    q_arn = f"arn:aws:sqs:{region}:{account}:{queue}"
    dlq_arn = f"arn:aws:sqs:{region}:{account}:{dlq}"

    # imports: weekdays, at about the same time
    imports: list[tuple[datetime, int, float]] = []  # (start, messages, drain rate per minute)
    for d in range(5, -1, -1):
        dd = today - timedelta(days=d)
        if dd.weekday() >= 5:
            continue
        t = dd.replace(hour=land_h, minute=land_m) + timedelta(
            minutes=rng.randint(-6, 9), seconds=rng.randint(0, 59)
        )
        size = rng.randint(48_000, 82_000)
        imports.append((t.astimezone(UTC), size, rng.uniform(3600, 4400)))
    today_imp = imports[-1]
    land = today_imp[0]
    now = k.floor_minute(land + timedelta(minutes=rng.randint(36, 48)))
    clock = k.Clock(start, now)
    n = clock.minutes

    sent = [0.0] * n
    recv = [0.0] * n
    vis = [0.0] * n
    nvis = [0.0] * n
    age = [0.0] * n
    inv = [0.0] * n
    conc: list[float | None] = [None] * n
    dur: list[float | None] = [None] * n
    empty = [0.0] * n
    for t0, size, rate in imports:
        i0 = clock.index(t0) + 1
        send_min = rng.randint(3, 4)
        per = [size / send_min] * send_min
        backlog = 0.0
        cum_sent: list[float] = []
        cum_recv = 0.0
        total_sent = 0.0
        j = 0
        while i0 + j < n and (j < send_min or backlog > 0):
            i = i0 + j
            s = round(per[j]) if j < send_min else 0.0
            total_sent += s
            cum_sent.append(total_sent)
            ramp = min(1.0, 0.35 + 0.22 * j)
            r = min(backlog + s, rate * ramp * rng.uniform(0.95, 1.05))
            backlog = backlog + s - r
            cum_recv += r
            sent[i] += s
            recv[i] += round(r)
            vis[i] = round(backlog)
            nvis[i] = round(min(r, 250 * 10) * 0.12)
            oldest = next((m_ for m_, c in enumerate(cum_sent) if c > cum_recv), None)
            age[i] = (
                float((j - oldest) * 60 + rng.randint(20, 58))
                if oldest is not None and backlog > 0
                else float(rng.randint(1, 9))
            )
            inv[i] += round(r / 250)
            conc[i] = float(min(10, max(1, round(r / 420))))
            dur[i] = rng.uniform(5200, 8600)
            j += 1
    ddb = [0.0] * n
    for i in range(n):
        empty[i] = float(rng.randint(12, 18)) if recv[i] == 0 else float(rng.randint(0, 3))
        ddb[i] = recv[i] + rng.uniform(30, 140)
    dlq_vis = [0.0] * n
    split_inv: list[float | None] = [None] * n
    split_dur: list[float | None] = [None] * n
    for t0, _size, _rate in imports:
        i = clock.index(t0)
        if 0 <= i < n:
            split_inv[i] = 1.0
            split_dur[i] = rng.uniform(150_000, 215_000)

    m = k.Metrics(clock, fine_from)
    qd = {"QueueName": queue}
    m.emit("AWS/SQS", "NumberOfMessagesSent", qd, "Count", sent, digits=0)
    m.emit("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", recv, digits=0)
    m.emit("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", recv, digits=0)
    m.emit("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", empty, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", vis, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", nvis, digits=0)
    m.emit("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", age, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, "Count", dlq_vis, digits=0)
    cd = {"FunctionName": consumer}
    m.emit("AWS/Lambda", "Invocations", cd, "Count", inv, nonzero_only=True, digits=0)
    m.emit("AWS/Lambda", "Errors", cd, "Count", [0.0 if v else None for v in inv], digits=0)
    m.emit("AWS/Lambda", "Duration", cd, "Milliseconds", dur, digits=2)
    m.emit("AWS/Lambda", "ConcurrentExecutions", cd, "Count", conc, digits=0)
    sd = {"FunctionName": splitter}
    m.emit("AWS/Lambda", "Invocations", sd, "Count", split_inv, digits=0)
    m.emit("AWS/Lambda", "Duration", sd, "Milliseconds", split_dur, digits=2)
    m.emit("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": table}, "Count", ddb, digits=0)

    al = k.Alarms(rng, clock, account, region)
    spec = k.AlarmSpec(
        f"{queue}-backlog",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Maximum",
        300,
        1,
        5000.0,
        "GreaterThanThreshold",
        description="Price updates are piling up in supplier-price-updates",
        actions=[topic],
        ok_actions=[topic],
    )
    trs = al.add(spec, vis)
    al.add(
        k.AlarmSpec(
            f"{dlq}-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": dlq},
            "Maximum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        dlq_vis,
    )
    al.add(
        k.AlarmSpec(
            f"{consumer}-errors",
            "AWS/Lambda",
            "Errors",
            cd,
            "Sum",
            300,
            1,
            10.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        [0.0] * n,
        sparse=True,
    )
    al.add(
        k.AlarmSpec(
            f"{splitter}-errors",
            "AWS/Lambda",
            "Errors",
            sd,
            "Sum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        [0.0] * n,
        sparse=True,
    )
    al.add(
        k.AlarmSpec(
            f"{queue}-oldest-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            300,
            2,
            3600.0,
            "GreaterThanThreshold",
            description="Price updates older than an hour",
            actions=[topic],
        ),
        age,
    )
    trig = [t for t in trs if t.new == "ALARM"][-1]

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    sg = f"/aws/lambda/{splitter}"
    cg = f"/aws/lambda/{consumer}"
    for t0, size, _rate in imports:
        if t0 > now:
            continue
        day_s = t0.astimezone(tz).strftime("%Y%m%d")
        key = f"incoming/prices_{day_s}.csv.gz"
        body = [
            f"[INFO]\t{k.iso_ms(t0).replace('+0000', 'Z')}\t{{rid}}\tprocessing s3://{bucket}/{key} ({rng.randint(9, 16)}.{rng.randint(0, 9)} MB)",
            f"[INFO]\t{k.iso_ms(t0).replace('+0000', 'Z')}\t{{rid}}\tparsed {size} rows ({rng.randint(0, 14)} skipped: unknown SKU)",
            f"[INFO]\t{k.iso_ms(t0).replace('+0000', 'Z')}\t{{rid}}\tenqueued {size} messages to {queue} in {-(-size // 10)} SendMessageBatch calls",
        ]
        i = clock.index(t0)
        k.lambda_invocation(
            logs,
            rng,
            sg,
            k.lambda_stream(rng, t0),
            t0,
            split_dur[i] or 180000.0,
            1024,
            rng.randint(300, 420),
            body,
            init_ms=rng.uniform(380, 520),
        )
    streams: list[str] = []
    for i in range(n):
        c = int(inv[i])
        if not c:
            continue
        t0 = clock.at(i)
        if not streams or rng.random() < 0.05:
            streams = [k.lambda_stream(rng, t0) for _ in range(10)]
        for j in range(c):
            t = t0 + timedelta(milliseconds=rng.randint(0, 59000))
            msgs = rng.randint(240, 250)
            body = [
                f'{{"level":"INFO","ts":"{k.iso_ms(t).replace("+0000", "Z")}","requestId":"{{rid}}","msg":"applied price updates","records":{msgs},"written":{msgs - rng.randint(0, 3)},"unchanged":{rng.randint(0, 3)}}}'
            ]
            if rng.random() < 0.01:
                body.append(
                    f'{{"level":"WARN","ts":"{k.iso_ms(t).replace("+0000", "Z")}","requestId":"{{rid}}","msg":"BatchWriteItem returned UnprocessedItems, retrying","unprocessed":{rng.randint(1, 12)}}}'
                )
            k.lambda_invocation(
                logs,
                rng,
                cg,
                streams[j % len(streams)],
                t,
                dur[i] or 6000.0,
                512,
                rng.randint(140, 190),
                body,
            )

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    office_ip = (
        f"{rng.choice([77, 84, 145, 185])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    )
    domain = rng.choice(["harborgrocer.com", "freshcart.eu", "pantrypoint.com"])
    ppl = [tr.sso(f"{p}@{domain}", rng.choice(["DeveloperAccess", "ReadOnly"]), office_ip) for p in PEOPLE]
    tf = tr.role(
        "terraform-apply",
        f"atlantis-{k.hexs(rng, 8)}",
        f"34.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1",
    )
    mon = tr.role(
        "grafana-cloudwatch", "grafana", "52.16.40.77", "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
    )
    k.routine_reads(
        tr,
        rng,
        start,
        now,
        [*ppl, mon],
        32,
        extra_calls=[
            ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ],
    )
    for t0, _s, _r in imports:
        for _ in range(3):
            tt = t0 + timedelta(seconds=rng.randint(0, 200))
            if tt <= now:
                k.assume_role_by_service(
                    tr, tt, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{consumer}-role", consumer
                )
        k.assume_role_by_service(
            tr,
            t0 - timedelta(seconds=1),
            "lambda.amazonaws.com",
            f"arn:aws:iam::{account}:role/{splitter}-role",
            splitter,
        )
    chg = land - timedelta(minutes=rng.randint(10, 24), seconds=rng.randint(0, 59))
    tr.add(
        chg, tf, "logs.amazonaws.com", "PutRetentionPolicy", {"logGroupName": cg, "retentionInDays": 30}, None
    )
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{consumer}"
    tr.add(
        chg + timedelta(seconds=3),
        tf,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        {
            "resource": fn_arn,
            "tags": {"team": "pricing", "cost-center": "cc-2207", "managed-by": "terraform"},
        },
        None,
    )
    tr.add(
        chg + timedelta(seconds=5),
        tf,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": consumer},
        None,
        read_only=True,
    )
    tr.add(
        land + timedelta(minutes=rng.randint(12, 25)),
        ppl[0],
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "pricing-pipeline"},
        {"dashboardValidationMessages": []},
    )

    # --- resources ------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 700))
    res: list[k.Json] = [
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": q_url,
                "Attributes": {
                    "QueueArn": q_arn,
                    "ApproximateNumberOfMessages": str(int(vis[-1])),
                    "ApproximateNumberOfMessagesNotVisible": str(int(nvis[-1])),
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                    "VisibilityTimeout": "180",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "SqsManagedSseEnabled": "true",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
                    ),
                },
                "Tags": {"team": "pricing"},
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": q_url.replace(queue, dlq),
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                    "VisibilityTimeout": "30",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "pricing"},
            },
        },
    ]
    for name, handler, mem, timeout in [
        (splitter, "splitter.handler", 1024, 600),
        (consumer, "consumer.handler", 512, 120),
    ]:
        res.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": name,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
                    "Runtime": "python3.12",
                    "Role": f"arn:aws:iam::{account}:role/{name}-role",
                    "Handler": handler,
                    "CodeSize": rng.randint(20000, 90000),
                    "Timeout": timeout,
                    "MemorySize": mem,
                    "LastModified": (start - timedelta(days=rng.randint(10, 60))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "CodeSha256": k.upper(rng, 43, k.ALNUM + "abcdefghijklmnopqrstuvwxyz+/") + "=",
                    "Version": "$LATEST",
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                },
            }
        )
    res.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": k.uuid(rng),
                "BatchSize": 250,
                "MaximumBatchingWindowInSeconds": 5,
                "EventSourceArn": q_arn,
                "FunctionArn": fn_arn,
                "LastModified": k.iso(created + timedelta(days=30)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 10},
            },
        }
    )
    res.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": table,
                "TableStatus": "ACTIVE",
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                "TableId": k.uuid(rng),
                "CreationDateTime": k.iso(created),
                "ItemCount": rng.randint(2_000_000, 4_000_000),
                "TableSizeBytes": rng.randint(10**9, 3 * 10**9),
                "KeySchema": [
                    {"AttributeName": "sku", "KeyType": "HASH"},
                    {"AttributeName": "supplier", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "sku", "AttributeType": "S"},
                    {"AttributeName": "supplier", "AttributeType": "S"},
                ],
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
            },
        }
    )
    res.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {"Name": bucket, "CreationDate": k.iso(created), "BucketRegion": region},
        }
    )
    res.append(k.log_group_item(account, region, cg, created, 30, rng.randint(10**8, 10**9)))
    res.append(k.log_group_item(account, region, sg, created, 14, rng.randint(10**6, 10**7)))
    res.append(k.role_item(rng, account, f"{consumer}-role", "lambda.amazonaws.com", created, now, region))

    ev = al.event(spec, trig)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": True,
                "root_cause": None,
                "also_accept": [],
                "actions": [],
                "chain": [
                    f"The partner's daily price file lands in {bucket}; {splitter} enqueues it to {queue}",
                    f"{queue}-backlog fires as it does every weekday morning and {consumer} drains the queue within about 20 minutes",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": al.alarms,
            "alarm_history": al.history,
            "logs": logs.sorted(),
            "cloudtrail": tr.sorted(),
            "resources": res,
        },
    )
