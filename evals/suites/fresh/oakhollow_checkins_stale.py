"""Oakhollow Vets: appointment status updates lag on a Monday morning."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zx as k

NAME = "oakhollow-checkins-stale"
TITLE = "Clinic reception screens not showing check-ins and payments since the Monday morning rush"
SUMMARY = (
    "A GSI's write auto scaling is capped below the Monday peak; index back-pressure throttles "
    "status updates to the appointments table and the status consumer backs up."
)

TZ = "Europe/London"


def _business(t: datetime) -> float:
    """Clinic traffic shape (UTC hours, UK clinics): busy 08-11, steady afternoon, quiet at night."""
    h = t.hour + t.minute / 60.0
    if h < 6:
        return 0.06
    if h < 8:
        return 0.06 + 0.6 * (h - 6) / 2
    if h < 10:
        return 0.66 + 0.34 * (h - 8) / 2
    if h < 12:
        return 1.0 - 0.2 * (h - 10) / 2
    if h < 17:
        return 0.8 - 0.1 * (h - 12) / 5
    if h < 20:
        return 0.7 - 0.55 * (h - 17) / 3
    return 0.15 - 0.09 * (h - 20) / 4


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    nz = random.Random(f"{NAME}:{seed}:noise")
    account = "".join(rng.choice("0123456789") for _ in range(12)).replace("0", "7", 1)
    region = "eu-west-2"
    day = k.pick_day(rng)
    day -= timedelta(days=day.weekday())  # a Monday
    zone = ZoneInfo(TZ)
    utc_off = day.astimezone(zone).utcoffset() or timedelta(0)
    # the GSI reaches its ceiling part-way up the Monday ramp
    cap = float(rng.choice([200, 240, 250]))
    monday_peak = cap * rng.uniform(1.3, 1.45)
    prev_peaks = {4: cap * rng.uniform(0.78, 0.86), 5: cap * 0.42, 6: cap * 0.25}  # Fri, Sat, Sun

    def gsi_demand(t: datetime) -> float:  # GSI write units/second wanted
        peak = monday_peak if t.weekday() == 0 else prev_peaks.get(t.weekday(), cap * 0.8)
        return max(4.0, peak * _business(t))

    # onset: first minute today the demand exceeds the cap
    onset = day + timedelta(hours=6)
    while gsi_demand(onset) < cap:
        onset += timedelta(minutes=1)
    start = day - timedelta(days=3) + timedelta(hours=5)
    now = onset + timedelta(minutes=rng.randrange(45, 70))
    fine = onset - timedelta(hours=2)
    pts = k.times(start, now, fine)

    table = "oakhollow-appointments"
    gsi = "clinic-day-status-index"
    gsi2 = "owner-index"
    fn = "oakhollow-appointment-status-writer"
    fn_api = "oakhollow-reception-api"
    queue = "appointment-status-events"
    dlq = "appointment-status-events-dlq"
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    gsi_arn = f"{table_arn}/index/{gsi}"
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"
    dlq_url = f"https://sqs.{region}.amazonaws.com/{account}/{dlq}"
    q_arn = f"arn:aws:sqs:{region}:{account}:{queue}"
    dlq_arn = f"arn:aws:sqs:{region}:{account}:{dlq}"
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{fn}"
    topic = f"arn:aws:sns:{region}:{account}:oakhollow-platform-alerts"
    aas_role = (
        f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )

    # --- capacity model ---
    def gsi_prov(t: datetime) -> float:
        # target tracking at 70%, lagging ~10 minutes; capped at max
        want = gsi_demand(t - timedelta(minutes=10)) / 0.7
        return float(min(cap, max(40.0, round(want / 10) * 10)))

    def table_demand(t: datetime) -> float:
        return gsi_demand(t) * 0.52

    def table_prov(t: datetime) -> float:
        return float(min(1000.0, max(60.0, round(table_demand(t - timedelta(minutes=10)) / 0.7 / 10) * 10)))

    def throttled_frac(t: datetime) -> float:
        d = gsi_demand(t)
        if t < onset or d <= cap:
            return 0.0
        return min(0.6, (d - cap) / d + 0.04) * nz.uniform(0.9, 1.1)

    cache: dict[tuple[str, datetime], float] = {}

    def jit(key: str, t: datetime, lo: float = 0.93, hi: float = 1.07) -> float:
        if (key, t) not in cache:
            cache[(key, t)] = nz.uniform(lo, hi)
        return cache[(key, t)]

    m: list[dict[str, Any]] = []
    td = {"TableName": table}
    gd = {"TableName": table, "GlobalSecondaryIndexName": gsi}
    g2 = {"TableName": table, "GlobalSecondaryIndexName": gsi2}

    def gsi_consumed(t: datetime, p: int) -> float:
        d = gsi_demand(t) * jit("d", t)
        return round(min(d, cap * nz.uniform(0.97, 1.0)) * p, 1)

    m += k.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", gd, "Count", pts, gsi_consumed, "sum")
    m += k.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", gd, "Count", pts, lambda t, p: gsi_prov(t))
    m += k.series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        gd,
        "Count",
        pts,
        lambda t, p: round(gsi_demand(t) * throttled_frac(t) * p * 0.55) or None,
        "sum",
    )
    m += k.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        g2,
        "Count",
        pts,
        lambda t, p: round(table_demand(t) * 0.18 * p * jit("d", t), 1),
        "sum",
    )
    m += k.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", g2, "Count", pts, lambda t, p: 50.0)

    def table_consumed(t: datetime, p: int) -> float:
        return round(table_demand(t) * (1 - throttled_frac(t)) * p * jit("d", t), 1)

    m += k.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, "Count", pts, table_consumed, "sum")
    m += k.series(
        "AWS/DynamoDB", "ProvisionedWriteCapacityUnits", td, "Count", pts, lambda t, p: table_prov(t)
    )
    m += k.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        pts,
        lambda t, p: round(table_demand(t) * 2.4 * p * jit("r", t), 1),
        "sum",
    )
    m += k.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", td, "Count", pts, lambda t, p: 500.0)
    m += k.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": table, "Operation": "UpdateItem"},
        "Count",
        pts,
        lambda t, p: round(table_demand(t) * throttled_frac(t) * p * 0.9) or None,
        "sum",
    )
    m += k.latency_dist(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        pts,
        lambda t, p: (5.8, 1.0, table_demand(t) * p / 2),
        nz,
    )

    # --- queue and consumer ---
    backlog = 0.0
    dlq_depth = float(rng.randrange(0, 3))
    qstate: dict[datetime, tuple[float, float, float, float, float]] = {}
    for t, p in pts:
        sent = table_demand(t) * 0.9 * p * jit("d", t)
        ok_frac = 1 - throttled_frac(t) * 1.3
        cap_per = sent * 1.6 if t >= onset else sent
        processed = min(sent + backlog, cap_per) * max(0.2, ok_frac)
        backlog = max(0.0, backlog + sent - processed)
        if t >= onset + timedelta(minutes=25):
            dlq_depth += processed * 0.004 * nz.uniform(0, 2)
        age = (
            2.0 + nz.uniform(0, 3)
            if backlog < 50
            else min(3600.0, 30 + backlog / max(1.0, processed / p) * 0.9)
        )
        qstate[t] = (sent, processed, backlog, age, dlq_depth)
    qd = {"QueueName": queue}
    m += k.series(
        "AWS/SQS", "NumberOfMessagesSent", qd, "Count", pts, lambda t, p: round(qstate[t][0]), "sum"
    )
    m += k.series(
        "AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", pts, lambda t, p: round(qstate[t][1]), "sum"
    )
    m += k.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", pts, lambda t, p: round(qstate[t][2])
    )
    m += k.series(
        "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", pts, lambda t, p: round(qstate[t][3])
    )
    m += k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Count",
        pts,
        lambda t, p: float(round(qstate[t][4])),
    )

    fd = {"FunctionName": fn}
    inv: dict[datetime, tuple[float, float]] = {}
    for t, _p in pts:
        n = max(1.0, round((qstate[t][0] + qstate[t][2] * 0.1) / 8))
        errs = round(n * min(0.9, throttled_frac(t) * 1.7))
        inv[t] = (n, errs)
    m += k.series("AWS/Lambda", "Invocations", fd, "Count", pts, lambda t, p: inv[t][0], "sum")
    m += k.series("AWS/Lambda", "Errors", fd, "Count", pts, lambda t, p: float(inv[t][1]), "sum")
    m += k.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        pts,
        lambda t, p: float(min(20, max(1, round(inv[t][0] / p * (1.2 if throttled_frac(t) == 0 else 6))))),
    )
    m += k.latency_dist(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        pts,
        lambda t, p: (140.0 if throttled_frac(t) == 0 else 1900.0, 1.0, inv[t][0]),
        nz,
    )
    ad = {"FunctionName": fn_api}
    m += k.series(
        "AWS/Lambda",
        "Invocations",
        ad,
        "Count",
        pts,
        lambda t, p: round(_business(t) * 900 * p / 60 * jit("a", t)),
        "sum",
    )
    m += k.latency_dist(
        "AWS/Lambda",
        "Duration",
        ad,
        "Milliseconds",
        pts,
        lambda t, p: (48.0, 1.0, _business(t) * 900 * p / 60),
        nz,
    )

    # --- alarms ---
    alarms: list[dict[str, Any]] = []
    hist: list[dict[str, Any]] = []
    uid_hi, uid_lo = k.uid(rng), k.uid(rng)
    pol_gsi = (
        f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{k.uid(rng)}:resource/dynamodb/"
        f"table/{table}/index/{gsi}:policyName/$"
        f"{table}-index-{gsi}-scaling-policy"
    )
    hi_name = f"TargetTracking-table/{table}/index/{gsi}-AlarmHigh-{uid_hi}"
    lo_name = f"TargetTracking-table/{table}/index/{gsi}-AlarmLow-{uid_lo}"
    # AlarmHigh sits in ALARM once consumption stays above 70% of a provisioned level that can no longer rise
    hi_at = onset - timedelta(minutes=rng.randrange(14, 22))
    vals = [round(cap * 0.7 * 60 * 1.08, 1), round(cap * 0.7 * 60 * 1.12, 1)]
    stamps = [hi_at - timedelta(minutes=3), hi_at - timedelta(minutes=2)]
    reason, rdata = k.threshold_reason(vals, stamps, cap * 0.7 * 60, "greater than", 60, "Sum")
    hi = k.metric_alarm(
        account,
        region,
        hi_name,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + pol_gsi + ".",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        gd,
        "Sum",
        60,
        2,
        round(cap * 0.7 * 60, 1),
        "GreaterThanThreshold",
        "ALARM",
        hi_at,
        reason,
        rdata,
        topic,
        created=hi_at,
    )
    hi["AlarmActions"] = [pol_gsi]
    hi["OKActions"] = []
    hist.append(k.state_update(hi, hi_at, "OK", "ALARM", reason, rdata))
    alarms.append(hi)
    lo = k.ok_alarm(
        account,
        region,
        lo_name,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + pol_gsi + ".",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        gd,
        "Sum",
        60,
        15,
        round(cap * 0.5 * 60 * 0.8, 1),
        "LessThanThreshold",
        onset - timedelta(hours=2, minutes=10),
        topic,
    )
    lo["AlarmActions"] = [pol_gsi]
    lo["OKActions"] = []
    alarms.append(lo)
    for nm, ns, met, dims, st, per, ev_n, th, op in (
        (
            "appointment-status-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": dlq},
            "Maximum",
            300,
            1,
            25.0,
            "GreaterThanThreshold",
        ),
        (
            "oakhollow-reception-api-errors",
            "AWS/Lambda",
            "Errors",
            ad,
            "Sum",
            300,
            2,
            20.0,
            "GreaterThanThreshold",
        ),
        (
            "oakhollow-appointments-read-throttles",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            td,
            "Sum",
            300,
            1,
            50.0,
            "GreaterThanThreshold",
        ),
    ):
        a = k.ok_alarm(
            account,
            region,
            nm,
            "",
            ns,
            met,
            dims,
            st,
            per,
            ev_n,
            th,
            op,
            start - timedelta(days=rng.randrange(5, 60)),
            topic,
        )
        alarms.append(a)
    # the DLQ alarm: evaluate on the 5-minute max
    dlq_pts = [(t, qstate[t][4]) for t, p in pts if t.minute % 5 == 0 and t >= onset]
    i = k.first_run(dlq_pts, 25.0, 1)
    if i is not None:
        t_fire = dlq_pts[i][0] + timedelta(minutes=5, seconds=rng.randrange(20, 50))
        if t_fire < now:
            a = alarms[2]
            r2, d2 = k.threshold_reason(
                [round(dlq_pts[i][1])], [dlq_pts[i][0]], 25.0, "greater than", 300, "Maximum"
            )
            a["StateValue"], a["StateReason"], a["StateReasonData"] = (
                "ALARM",
                r2,
                json.dumps(d2, separators=(",", ":")),
            )
            a["StateUpdatedTimestamp"] = a["StateTransitionedTimestamp"] = k.iso_ms(t_fire)
            hist += [k.state_update(a, t_fire, "OK", "ALARM", r2, d2), k.action_item(a, t_fire, topic)]

    # --- resources ---
    res: list[dict[str, Any]] = []
    created = day - timedelta(days=900)
    res.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "clinic_day", "AttributeType": "S"},
                    {"AttributeName": "status_slot", "AttributeType": "S"},
                    {"AttributeName": "owner_id", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": k.iso(onset - timedelta(minutes=22)),
                    "LastDecreaseDateTime": k.iso(day - timedelta(hours=17)),
                    "NumberOfDecreasesToday": 1,
                    "ReadCapacityUnits": 500,
                    "WriteCapacityUnits": int(table_prov(now)),
                },
                "TableSizeBytes": rng.randrange(30, 60) * 10**9,
                "ItemCount": rng.randrange(14_000_000, 22_000_000),
                "TableArn": table_arn,
                "TableId": k.uid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PROVISIONED",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": gsi,
                        "KeySchema": [
                            {"AttributeName": "clinic_day", "KeyType": "HASH"},
                            {"AttributeName": "status_slot", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "LastIncreaseDateTime": k.iso(onset - timedelta(minutes=rng.randrange(25, 40))),
                            "LastDecreaseDateTime": k.iso(day - timedelta(hours=16)),
                            "NumberOfDecreasesToday": 1,
                            "ReadCapacityUnits": 600,
                            "WriteCapacityUnits": int(cap),
                        },
                        "IndexSizeBytes": rng.randrange(20, 40) * 10**9,
                        "ItemCount": rng.randrange(14_000_000, 22_000_000),
                        "IndexArn": gsi_arn,
                    },
                    {
                        "IndexName": gsi2,
                        "KeySchema": [{"AttributeName": "owner_id", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 100,
                            "WriteCapacityUnits": 50,
                        },
                        "IndexSizeBytes": rng.randrange(1, 3) * 10**9,
                        "ItemCount": rng.randrange(14_000_000, 22_000_000),
                        "IndexArn": f"{table_arn}/index/{gsi2}",
                    },
                ],
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                "LatestStreamLabel": "2024-03-02T10:11:12.345",
                "LatestStreamArn": f"{table_arn}/stream/2024-03-02T10:11:12.345",
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{k.uid(rng)}",
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        }
    )
    targets = [
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 60, 1000),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 500, 500),
        (f"table/{table}/index/{gsi}", "dynamodb:index:WriteCapacityUnits", 40, int(cap)),
        (f"table/{table}/index/{gsi2}", "dynamodb:index:WriteCapacityUnits", 50, 50),
    ]
    for rid, dim, mn, mx in targets:
        res.append(
            {
                "service": "application-autoscaling",
                "type": "ScalableTarget",
                "item": {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "MinCapacity": mn,
                    "MaxCapacity": mx,
                    "RoleARN": aas_role,
                    "CreationTime": k.iso_ms(created + timedelta(days=2)),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/{k.alnum(rng, 28, False)}",
                },
            }
        )
    for rid, dim, pol, al in (
        (f"table/{table}/index/{gsi}", "dynamodb:index:WriteCapacityUnits", pol_gsi, [hi, lo]),
    ):
        res.append(
            {
                "service": "application-autoscaling",
                "type": "ScalingPolicy",
                "item": {
                    "PolicyARN": pol,
                    "PolicyName": pol.split("policyName/")[1],
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                        },
                    },
                    "Alarms": [{"AlarmName": x["AlarmName"], "AlarmARN": x["AlarmArn"]} for x in al],
                    "CreationTime": k.iso_ms(created + timedelta(days=2)),
                },
            }
        )
    res.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": q_url,
                "Attributes": {
                    "QueueArn": q_arn,
                    "VisibilityTimeout": "120",
                    "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
                    ),
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int(created.timestamp()) + 86400),
                    "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 40),
                    "ApproximateNumberOfMessages": str(round(qstate[pts[-1][0]][2])),
                    "ApproximateNumberOfMessagesNotVisible": str(rng.randrange(60, 160)),
                    "ApproximateNumberOfMessagesDelayed": "0",
                },
                "Tags": {"team": "clinic-platform", "service": "appointments"},
            },
        }
    )
    res.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": dlq_url,
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int(created.timestamp()) + 86400),
                    "LastModifiedTimestamp": str(int(created.timestamp()) + 86400),
                    "ApproximateNumberOfMessages": str(round(qstate[pts[-1][0]][4])),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                },
                "Tags": {"team": "clinic-platform"},
            },
        }
    )
    code_sha = k.alnum(rng, 43) + "="
    new_ver = rng.randrange(60, 140)
    deploy_at = onset - timedelta(minutes=rng.randrange(12, 24))
    for name, mem, tmo, desc, handler in (
        (
            fn,
            512,
            60,
            "Applies PMS appointment status events to the appointments table",
            "dist/status.handler",
        ),
        (fn_api, 1024, 10, "Reception screen API", "dist/api.handler"),
    ):
        res.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": name,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
                    "Runtime": "nodejs20.x",
                    "Role": f"arn:aws:iam::{account}:role/{name}-role",
                    "Handler": handler,
                    "CodeSize": rng.randrange(400_000, 2_000_000),
                    "Description": desc,
                    "Timeout": tmo,
                    "MemorySize": mem,
                    "LastModified": (
                        deploy_at if name == fn else day - timedelta(days=6, hours=-14)
                    ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": code_sha if name == fn else k.alnum(rng, 43) + "=",
                    "Version": "$LATEST",
                    "Environment": {
                        "Variables": {
                            "TABLE_NAME": table,
                            "NODE_OPTIONS": "--enable-source-maps",
                            "POWERTOOLS_SERVICE_NAME": name.replace("oakhollow-", ""),
                        }
                    },
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": k.uid(rng),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
                },
            }
        )
    esm_uuid = k.uid(rng)
    res.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": q_arn,
                "FunctionArn": fn_arn,
                "LastModified": k.iso(created + timedelta(days=40)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
                "EventSourceMappingArn": f"arn:aws:lambda:{region}:{account}:event-source-mapping:{esm_uuid}",
            },
        }
    )

    # application auto scaling activities on the GSI
    events: list[dict[str, Any]] = []
    prev = None
    t = start
    while t < now:
        cur = gsi_prov(t)
        if prev is not None and cur != prev and (t.minute % 2 == 0):
            events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": k.uid(nz),
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": f"table/{table}/index/{gsi}",
                        "ScalableDimension": "dynamodb:index:WriteCapacityUnits",
                        "Description": f"Setting write capacity units to {int(cur)}.",
                        "Cause": f"monitor alarm {hi_name if cur > prev else lo_name} in state ALARM triggered policy "
                        f"{pol_gsi.split('policyName/')[1]}",
                        "StartTime": k.iso_ms(t),
                        "EndTime": k.iso_ms(t + timedelta(seconds=nz.randrange(20, 90))),
                        "StatusCode": "Successful",
                        "StatusMessage": f"Successfully set write capacity units to {int(cur)}. Change successfully fulfilled by dynamodb.",
                    },
                }
            )
            prev = cur
        elif prev is None:
            prev = cur
        t += timedelta(minutes=2 if t >= fine else 10)
    # --- logs ---
    logs: list[dict[str, Any]] = []
    old_ver = new_ver - 1
    t = onset - timedelta(hours=3)
    streams = [f"{(t).strftime('%Y/%m/%d')}/[$LATEST]{k.hexid(rng, 32)}" for _ in range(4)]
    new_streams = [f"{(deploy_at).strftime('%Y/%m/%d')}/[$LATEST]{k.hexid(rng, 32)}" for _ in range(6)]
    gname = f"/aws/lambda/{fn}"
    while t < now:
        live = new_streams if t >= deploy_at else streams
        n_inv = 2 if throttled_frac(t) == 0 else 3
        for j in range(n_inv):
            st = live[(j + t.minute) % len(live)]
            ts = t + timedelta(milliseconds=nz.randrange(0, 55000))
            rid = k.uid(nz)
            ver = new_ver if t >= deploy_at else old_ver
            lines = [f"START RequestId: {rid} Version: $LATEST"]
            thr = throttled_frac(t) > 0 and nz.random() < min(0.95, throttled_frac(t) * 2.2)
            dur = nz.uniform(90, 260)
            if thr:
                dur = nz.uniform(1200, 3400)
                lines.append(
                    f"{k.iso_ms(ts + timedelta(milliseconds=int(dur) - 30))}\t{rid}\tERROR\t"
                    + json.dumps(
                        {
                            "level": "ERROR",
                            "message": "failed to apply status event",
                            "service": "appointment-status-writer",
                            "build": ver,
                            "appointmentId": f"apt_{k.alnum(nz, 12, False)}",
                            "event": nz.choice(["CHECKED_IN", "IN_CONSULT", "PAID", "DISCHARGED"]),
                            "error": {
                                "name": "ProvisionedThroughputExceededException",
                                "message": "The level of configured provisioned throughput for one or more global "
                                "secondary indexes of the table was exceeded. Consider increasing your "
                                "provisioning level for the under-provisioned global secondary indexes "
                                "with the UpdateTable API",
                                "$metadata": {
                                    "httpStatusCode": 400,
                                    "attempts": 3,
                                    "totalRetryDelay": nz.randrange(700, 1400),
                                },
                            },
                        }
                    )
                )
                lines.append(
                    f"{k.iso_ms(ts + timedelta(milliseconds=int(dur) - 5))}\t{rid}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "INFO",
                            "message": "batch finished",
                            "service": "appointment-status-writer",
                            "build": ver,
                            "records": 10,
                            "failed": nz.randrange(3, 10),
                        }
                    )
                )
            else:
                lines.append(
                    f"{k.iso_ms(ts + timedelta(milliseconds=int(dur) - 5))}\t{rid}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "INFO",
                            "message": "batch finished",
                            "service": "appointment-status-writer",
                            "build": ver,
                            "records": nz.randrange(3, 11),
                            "failed": 0,
                        }
                    )
                )
                if nz.random() < 0.015:
                    lines.insert(
                        1,
                        f"{k.iso_ms(ts + timedelta(milliseconds=40))}\t{rid}\tWARN\t"
                        + json.dumps(
                            {
                                "level": "WARN",
                                "message": "status event out of order, ignoring",
                                "service": "appointment-status-writer",
                                "build": ver,
                                "event": "CHECKED_IN",
                                "current": "IN_CONSULT",
                            }
                        ),
                    )
            lines.append(f"END RequestId: {rid}")
            billed = int(dur) + 1
            lines.append(
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {nz.randrange(96, 130)} MB"
            )
            for off, line in enumerate(lines):
                tms = k.ms(ts) + (
                    0 if off == 0 else int(dur) if line.startswith(("END", "REPORT")) else int(dur) - 30 + off
                )
                logs.append({"log_group": gname, "log_stream": st, "timestamp": tms, "message": line + "\n"})
        if nz.random() < 0.04:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": f"/aws/lambda/{fn_api}",
                    "log_stream": f"{ts:%Y/%m/%d}/[$LATEST]{k.hexid(nz, 32)}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)}\t{k.uid(nz)}\tWARN\t"
                    + json.dumps(
                        {
                            "level": "WARN",
                            "message": "PMS webhook signature missing, rejected",
                            "clinicId": f"cl_{nz.randrange(100, 400)}",
                        }
                    )
                    + "\n",
                }
            )
        t += timedelta(minutes=1)
    for st in new_streams:
        ts = deploy_at + timedelta(seconds=nz.randrange(30, 400))
        logs.append(
            {
                "log_group": gname,
                "log_stream": st,
                "timestamp": k.ms(ts) - 600,
                "message": f"INIT_START Runtime Version: nodejs:20.v33\tRuntime Version ARN: arn:aws:lambda:{region}::runtime:{k.hexid(rng, 64)}\n",
            }
        )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # --- CloudTrail ---
    tr = k.Trail(rng, account, region)
    ci = tr.role("oakhollow-ci-deployer", f"gitlab-{rng.randrange(10**8, 10**9)}")
    eng = tr.sso(rng.choice(["hannah.price", "ravi.menon", "george.ito"]), "Developer")
    ops = tr.sso(rng.choice(["jo.morrow", "felix.grant", "ana.sousa"]), "AWSAdministratorAccess")
    ip_ci = f"35.{rng.randrange(180, 230)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
    ip_e, ip_o = k.public_ip(rng), k.public_ip(rng)
    ci_ua = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard"
    aas = {
        "type": "AssumedRole",
        "principalId": "AROA" + k.alnum(rng, 17) + ":DynamoDBAutoScaling",
        "arn": f"arn:aws:sts::{account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/DynamoDBAutoScaling",
        "accountId": account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA" + k.alnum(rng, 17),
                "arn": aas_role,
                "accountId": account,
                "userName": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        "invokedBy": "application-autoscaling.amazonaws.com",
    }
    for e in events:
        it = e["item"]
        cu = int(it["Description"].split()[-1].rstrip("."))
        st_t = datetime.fromisoformat(it["StartTime"].replace("Z", "+00:00"))
        tr.add(
            st_t + timedelta(seconds=2),
            aas,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": table,
                "globalSecondaryIndexUpdates": [
                    {
                        "update": {
                            "indexName": gsi,
                            "provisionedThroughput": {"readCapacityUnits": 600, "writeCapacityUnits": cu},
                        }
                    }
                ],
            },
            {"tableDescription": {"tableName": table, "tableStatus": "UPDATING", "tableArn": table_arn}},
            ip="application-autoscaling.amazonaws.com",
            agent="application-autoscaling.amazonaws.com",
        )
    tr.add(
        deploy_at,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"oakhollow-artifacts-{account}",
            "s3Key": f"{fn}/{new_ver}/bundle.zip",
        },
        {
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "codeSha256": code_sha,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        ip=ip_ci,
        agent=ci_ua,
    )
    tr.add(
        deploy_at + timedelta(seconds=14),
        ci,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn},
        None,
        read_only=True,
        ip=ip_ci,
        agent=ci_ua,
    )
    tr.add(
        onset - timedelta(minutes=rng.randrange(3, 9)),
        ops,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "oakhollow-reception-api-p95",
            "metricName": "Duration",
            "namespace": "AWS/Lambda",
            "extendedStatistic": "p95",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 1500.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "FunctionName", "value": fn_api}],
            "alarmActions": [topic],
        },
        None,
        ip=ip_o,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        onset + timedelta(minutes=rng.randrange(2, 10)),
        ops,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/pms-webhook-ingest",
            "attributes": {"VisibilityTimeout": "90"},
        },
        None,
        ip=ip_o,
        agent=k.CONSOLE_UA,
    )
    reads = [
        (eng, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        (eng, "lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        (ops, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "oakhollow"}),
        (ops, "sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": "appointment"}),
        (ci, "lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": fn_api}),
        (eng, "logs.amazonaws.com", "FilterLogEvents", {"logGroupName": f"/aws/lambda/{fn_api}"}),
    ]
    for i in range(24):
        who, src, nm, prm = reads[i % len(reads)]
        tr.add(
            k.between(rng, start, now),
            who,
            src,
            nm,
            prm,
            None,
            read_only=True,
            ip=ip_ci if who is ci else ip_e if who is eng else ip_o,
            agent=ci_ua if who is ci else k.CONSOLE_UA,
        )
    for _ in range(6):
        at = k.between(rng, start, now)
        tr.add(
            at,
            tr.service("lambda.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/{fn}-role", "roleSessionName": fn},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16),
                    "sessionToken": "<redacted>",
                    "expiration": k.iso(at + timedelta(hours=12)),
                }
            },
            read_only=True,
        )
    ct = tr.sorted()

    local = onset + utc_off
    mins = (local.minute // 5) * 5
    clock = f"{local.hour % 12 or 12}:{mins:02d}" if mins else f"{local.hour % 12 or 12}"
    question = (
        f"Front desks at several clinics say check-ins and payments aren't showing up on the reception "
        f"screens since about {clock} this morning - they check a pet in and it still says 'booked' for ages. "
        "Booking new appointments works. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": gsi_arn,
                    "category": "limit",
                    "failure_mode": "gsi-write-capacity-autoscaling-max",
                },
                "also_accept": [gsi, f"table/{table}/index/{gsi}", table, table_arn],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"{gsi} write capacity held at its auto scaling maximum of {int(cap)} WCU",
                    f"GSI back-pressure throttles UpdateItem on {table}",
                    f"{fn} batches fail and {queue} backs up",
                    "reception screens show stale appointment statuses",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": events,
        },
    )
