"""SMS delivery receipts rejected during a Monday campaign send (kit zzd)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzd as k

NAME = "delivery-receipts-gsi-throttle"
TITLE = "dlr-webhook errors alarm during the Monday morning campaign send"
SUMMARY = (
    "A large scheduled SMS campaign pushed delivery-receipt writes past the write capacity a GSI's auto "
    "scaling could reach (its max); the index throttled, so base-table UpdateItems failed and receipts bounced."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"zzd-dlr-{seed}")
    acct = k.account(rng)
    region = rng.choice(["eu-central-1", "eu-west-1"])
    day = k.day_start(rng)
    while day.weekday() != 0:
        day += timedelta(days=1)
    brand = rng.choice(["pingwell", "textlane", "smsharbor"])
    send_t = day + timedelta(hours=7, minutes=rng.choice([0, 30]))  # 09:00 / 09:30 CEST-ish
    start = (send_t - timedelta(hours=4, minutes=rng.randint(5, 30))).replace(second=0)
    created = day - timedelta(days=rng.randint(400, 900))
    table = "message-status"
    index = "campaign-status-index"
    table_arn = f"arn:aws:dynamodb:{region}:{acct}:table/{table}"
    idx_max = rng.choice([600, 800, 1000])
    campaign_id = f"cmp_{k.hexid(rng, 10)}"
    campaign_size = rng.randint(1_400_000, 2_300_000)

    # writes per second of receipts (base table UpdateItem), before throttling
    def demand(t):
        base = k.diurnal(t, 11, 40, 260)
        if t >= send_t:
            mins = (t - send_t).total_seconds() / 60
            ramp = min(1.0, mins / 6) * max(0.35, 1 - mins / 160)
            base += ramp * campaign_size / 2600
        return base

    gsi_factor = rng.uniform(1.55, 1.75)  # status changes move the item within the index: delete + put
    # minute-by-minute: the index serves at most its provisioned WCU (plus a little burst); target tracking
    # (70%, two breaching minutes) raises provisioned capacity, clamped at the scalable target's max
    cache: dict = {}
    idx_prov_steps: list[tuple[datetime, int, int]] = []
    prov = rng.choice([150, 180, 200])
    pending: tuple[datetime, int] | None = None
    high = 0
    burst = 300.0 * prov
    onset_m: datetime | None = None
    t = start
    horizon = send_t + timedelta(hours=2)
    while t < horizon:
        if pending and pending[0] <= t:
            idx_prov_steps.append((pending[0], prov, pending[1]))
            prov = pending[1]
            pending = None
        w = demand(t) * rng.uniform(0.95, 1.05)
        need = w * gsi_factor
        allow = prov + min(burst, 60.0 * prov * 0.5) / 60
        if need <= prov:
            served = need
            burst = min(300.0 * prov, burst + (prov - need) * 60)
        else:
            served = min(need, allow)
            burst = max(0.0, burst - (served - prov) * 60)
        thr_ratio = served / need
        thr = (1 - thr_ratio) * w * 60 if need > served else 0.0
        if thr > 0 and onset_m is None:
            onset_m = t
        cache[k.iso(t)] = (w * thr_ratio, served, thr)
        high = high + 1 if served > 0.7 * prov else 0
        if high >= 2 and pending is None and prov < idx_max:
            pending = (
                t + timedelta(minutes=rng.randint(1, 2), seconds=rng.randint(5, 50)),
                min(idx_max, round(served / 0.7)),
            )
            high = 0
        t += timedelta(minutes=1)
    assert onset_m is not None
    onset = onset_m + timedelta(seconds=rng.randint(5, 50))
    now = onset + timedelta(minutes=rng.randint(35, 50))

    def state(t):
        return cache[k.iso(t.replace(second=0))]

    def idx_prov(t):
        p = idx_prov_steps[0][1] if idx_prov_steps else prov
        for at, _, new in idx_prov_steps:
            if at <= t:
                p = new
        return p

    base_prov_steps: list[tuple[datetime, int, int]] = []
    bprov = 1500
    t = start
    while t < now:
        w, _, _ = state(t)
        want = min(6000, max(1500, round(w / 0.7)))
        if want > bprov * 1.08:
            base_prov_steps.append((t + timedelta(minutes=rng.randint(2, 4)), bprov, want))
            bprov = want
        t += timedelta(minutes=5)

    def base_prov(t):
        p = base_prov_steps[0][1] if base_prov_steps else bprov
        for at, _, new in base_prov_steps:
            if at <= t:
                p = new
        return p

    m = k.Metrics()
    tdim = {"TableName": table}
    idim = {"TableName": table, "GlobalSecondaryIndexName": index}
    m.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Count",
        start,
        now,
        lambda t: round(state(t)[0] * 60, 1),
    )
    m.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        idim,
        "Count",
        start,
        now,
        lambda t: round(state(t)[1] * 60, 1),
    )
    m.series(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        tdim,
        "Count",
        start,
        now,
        lambda t: float(base_prov(t)),
    )
    m.series(
        "AWS/DynamoDB",
        "ProvisionedWriteCapacityUnits",
        idim,
        "Count",
        start,
        now,
        lambda t: float(idx_prov(t)),
    )
    m.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", tdim, "Count", start, now, lambda t: 400.0)
    m.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", idim, "Count", start, now, lambda t: 150.0)
    m.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        start,
        now,
        lambda t: round(k.diurnal(t, 11, 20, 90) * 60 * rng.uniform(0.9, 1.1), 1),
    )
    m.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        idim,
        "Count",
        start,
        now,
        lambda t: round((30 if t.minute % 5 == 0 else 4) * 60 * rng.uniform(0.8, 1.2), 1),
    )
    m.series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        idim,
        "Count",
        start,
        now,
        lambda t: round(state(t)[2] * gsi_factor) if state(t)[2] > 0 else None,
    )
    for op in ("UpdateItem",):
        m.series(
            "AWS/DynamoDB",
            "ThrottledRequests",
            {"TableName": table, "Operation": op},
            "Count",
            start,
            now,
            lambda t: round(state(t)[2] * 2.6) if state(t)[2] > 0 else None,
        )
    m.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(4.5, 6.5), rng.uniform(30, 90), rng.uniform(2.1, 2.6)),
        stats=True,
        samples=600,
    )
    m.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "Query"},
        "Milliseconds",
        start,
        now,
        lambda t: (rng.uniform(7, 11), rng.uniform(40, 120), rng.uniform(2.8, 3.5)),
        stats=True,
        samples=40,
    )

    fn = "dlr-webhook"
    api_id = k.hexid(rng, 10)[:10]

    def invocations(t):
        w = demand(t)  # receipts posted by the provider (batches of 10)
        extra = state(t)[2] / 10 * 1.0  # provider retries failed batches
        return w * 60 / 10 + extra

    def errors(t):
        thr = state(t)[2]
        if thr <= 0:
            return float(rng.choice([0, 0, 0, 0, 1]))
        return round(thr / 10 * rng.uniform(0.35, 0.5))

    m.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": fn},
        "Count",
        start,
        now,
        lambda t: round(invocations(t)),
    )
    errs: dict = {}

    def err_c(t):
        key = k.iso(t)
        if key not in errs:
            errs[key] = errors(t)
        return errs[key]

    m.series("AWS/Lambda", "Errors", {"FunctionName": fn}, "Count", start, now, err_c)
    m.series("AWS/Lambda", "Throttles", {"FunctionName": fn}, "Count", start, now, lambda t: 0.0)
    m.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": fn},
        "Milliseconds",
        start,
        now,
        lambda t: (
            (rng.uniform(38, 55), rng.uniform(180, 320), rng.uniform(11, 16))
            if state(t)[2] <= 0
            else (rng.uniform(600, 900), rng.uniform(2400, 3100), rng.uniform(12, 18))
        ),
        stats=True,
        samples=100,
    )
    m.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {"FunctionName": fn},
        "Count",
        start,
        now,
        lambda t: round(invocations(t) / 60 * (0.05 if state(t)[2] <= 0 else 0.7) + rng.uniform(0, 2)),
    )
    apid = {"ApiId": api_id, "Stage": "$default"}
    m.series("AWS/ApiGateway", "Count", apid, "Count", start, now, lambda t: round(invocations(t)))
    m.series("AWS/ApiGateway", "5xx", apid, "Count", start, now, lambda t: float(err_c(t)))
    m.series("AWS/ApiGateway", "4xx", apid, "Count", start, now, lambda t: float(rng.choice([0, 0, 1, 2])))
    m.series(
        "AWS/ApiGateway",
        "Latency",
        apid,
        "Milliseconds",
        start,
        now,
        lambda t: (
            (rng.uniform(45, 62), rng.uniform(200, 340), rng.uniform(14, 19))
            if state(t)[2] <= 0
            else (rng.uniform(650, 950), rng.uniform(2500, 3200), rng.uniform(14, 20))
        ),
        stats=True,
        samples=100,
    )
    sender = "campaign-sender"
    m.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": sender},
        "Count",
        start,
        now,
        lambda t: (
            round(rng.uniform(90, 120))
            if send_t <= t < send_t + timedelta(minutes=rng.choice([24, 25]))
            else (float(rng.choice([0, 0, 1, 2])) if t.minute % 15 == 0 else 0.0)
        ),
    )
    m.series("AWS/Lambda", "Errors", {"FunctionName": sender}, "Count", start, now, lambda t: 0.0)
    rollup = "status-rollup"
    m.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": rollup},
        "Count",
        start,
        now,
        lambda t: 1.0 if t.minute % 5 == 0 else None,
    )
    m.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": rollup},
        "Count",
        start,
        now,
        lambda t: 0.0 if t.minute % 5 == 0 else None,
    )
    m.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": rollup},
        "Milliseconds",
        start,
        now,
        lambda t: rng.uniform(1800, 4200) if t.minute % 5 == 0 else None,
    )

    # ---------------- resources ----------------
    role_as = f"arn:aws:iam::{acct}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    last_idx_inc = max([s[0] for s in idx_prov_steps if s[0] <= now] or [start])
    tbl: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": "messageId", "AttributeType": "S"},
            {"AttributeName": "campaignId", "AttributeType": "S"},
            {"AttributeName": "statusAt", "AttributeType": "S"},
        ],
        "TableName": table,
        "KeySchema": [{"AttributeName": "messageId", "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": k.iso(created),
        "ProvisionedThroughput": {
            "LastIncreaseDateTime": k.iso(base_prov_steps[-1][0] if base_prov_steps else created),
            "LastDecreaseDateTime": k.iso(day - timedelta(hours=rng.randint(2, 5))),
            "NumberOfDecreasesToday": 1,
            "ReadCapacityUnits": 400,
            "WriteCapacityUnits": base_prov(now),
        },
        "TableSizeBytes": rng.randint(60, 90) * 10**9,
        "ItemCount": rng.randint(180, 260) * 10**6,
        "TableArn": table_arn,
        "TableId": k.uid(rng),
        "BillingModeSummary": {
            "BillingMode": "PROVISIONED",
            "LastUpdateToPayPerRequestDateTime": k.iso(created),
        },
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": "campaignId", "KeyType": "HASH"},
                    {"AttributeName": "statusAt", "KeyType": "RANGE"},
                ],
                "Projection": {
                    "ProjectionType": "INCLUDE",
                    "NonKeyAttributes": ["status", "recipientCountry", "errorCode"],
                },
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": k.iso(last_idx_inc),
                    "LastDecreaseDateTime": k.iso(day - timedelta(hours=rng.randint(2, 5))),
                    "NumberOfDecreasesToday": 1,
                    "ReadCapacityUnits": 150,
                    "WriteCapacityUnits": idx_prov(now),
                },
                "IndexSizeBytes": rng.randint(20, 35) * 10**9,
                "ItemCount": rng.randint(180, 260) * 10**6,
                "IndexArn": f"{table_arn}/index/{index}",
            }
        ],
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": f"arn:aws:kms:{region}:{acct}:key/{k.uid(rng)}",
        },
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": True,
    }
    del tbl["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"]
    targets: list[dict[str, Any]] = []
    policies: list[dict[str, Any]] = []
    for rid, dim, mn, mx in (
        (f"table/{table}", "dynamodb:table:WriteCapacityUnits", 1500, 6000),
        (f"table/{table}", "dynamodb:table:ReadCapacityUnits", 100, 2000),
        (f"table/{table}/index/{index}", "dynamodb:index:WriteCapacityUnits", 100, idx_max),
        (f"table/{table}/index/{index}", "dynamodb:index:ReadCapacityUnits", 50, 500),
    ):
        targets.append(
            {
                "service": "application-autoscaling",
                "type": "ScalableTarget",
                "item": {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "MinCapacity": mn,
                    "MaxCapacity": mx,
                    "RoleARN": role_as,
                    "CreationTime": k.iso(created),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{region}:{acct}:scalable-target/{k.hexid(rng, 28)}",
                },
            }
        )
        metric = "DynamoDBWriteCapacityUtilization" if "Write" in dim else "DynamoDBReadCapacityUtilization"
        pname = f"{metric}:{rid}"
        pid = k.uid(rng)
        policies.append(
            {
                "service": "application-autoscaling",
                "type": "ScalingPolicy",
                "item": {
                    "PolicyARN": f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{pid}:resource/dynamodb/{rid}:policyName/{pname}",
                    "PolicyName": pname,
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": dim,
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                        "DisableScaleIn": False,
                    },
                    "Alarms": [
                        {
                            "AlarmName": f"TargetTracking-{rid}-Alarm{hl}-{k.uid(rng)}",
                            "AlarmARN": f"arn:aws:cloudwatch:{region}:{acct}:alarm:TargetTracking-{rid}-Alarm{hl}-x",
                        }
                        for hl in ("High", "Low", "ProvisionedCapacityHigh", "ProvisionedCapacityLow")
                    ],
                    "CreationTime": k.iso(created),
                },
            }
        )
    idx_policy = policies[2]["item"]
    for a in idx_policy["Alarms"]:
        a["AlarmARN"] = f"arn:aws:cloudwatch:{region}:{acct}:alarm:{a['AlarmName']}"
    for p in policies:
        for a in p["item"]["Alarms"]:
            a["AlarmARN"] = f"arn:aws:cloudwatch:{region}:{acct}:alarm:{a['AlarmName']}"

    def lam(name, handler, mem, timeout, env_keys, modified, desc):
        return {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{name}-role",
            "Handler": handler,
            "CodeSize": rng.randint(20000, 90000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": k.iso(modified).replace("Z", ".000+0000"),
            "CodeSha256": k.hexid(rng, 43),
            "Version": "$LATEST",
            "Environment": {"Variables": {kk: vv for kk, vv in env_keys.items()}},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        }

    mem_change_t = send_t - timedelta(minutes=rng.randint(35, 70))
    sender_deploy_t = send_t - timedelta(hours=2, minutes=rng.randint(0, 50))
    lambdas = [
        lam(
            fn,
            "app.handler",
            512,
            10,
            {"TABLE_NAME": table, "LOG_LEVEL": "INFO"},
            mem_change_t,
            "delivery receipts from the SMS provider",
        ),
        lam(
            sender,
            "sender.handler",
            1024,
            300,
            {"PROVIDER_BASE_URL": "https://api.smsprovider.example", "BATCH_SIZE": "500"},
            sender_deploy_t,
            "sends campaign batches",
        ),
        lam(
            rollup,
            "rollup.handler",
            256,
            120,
            {"TABLE_NAME": table, "INDEX_NAME": index},
            created + timedelta(days=90),
            "per-campaign status counts for the dashboard",
        ),
    ]
    api = {
        "ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
        "ApiId": api_id,
        "ApiKeySelectionExpression": "$request.header.x-api-key",
        "CreatedDate": k.iso(created),
        "DisableExecuteApiEndpoint": False,
        "Name": f"{brand}-dlr",
        "ProtocolType": "HTTP",
        "RouteSelectionExpression": "$request.method $request.path",
        "Tags": {},
        "IpAddressType": "ipv4",
    }
    topic = k.sns_topic(acct, region, f"{brand}-alerts")
    resources = [
        {"service": "dynamodb", "type": "TableDescription", "item": tbl},
        *targets,
        *policies,
        *({"service": "lambda", "type": "FunctionConfiguration", "item": f} for f in lambdas),
        {"service": "apigatewayv2", "type": "Api", "item": api},
        {
            "service": "apigatewayv2",
            "type": "ApiStage",
            "item": {
                "ApiId": api_id,
                "StageName": "$default",
                "AutoDeploy": True,
                "CreatedDate": k.iso(created),
                "DefaultRouteSettings": {
                    "DetailedMetricsEnabled": False,
                    "ThrottlingBurstLimit": 5000,
                    "ThrottlingRateLimit": 10000.0,
                },
                "LastUpdatedDate": k.iso(created + timedelta(days=30)),
                "RouteSettings": {},
                "Tags": {},
            },
        },
        *(
            {
                "service": "iam",
                "type": "Role",
                "item": k.iam_role(rng, acct, f"{f['FunctionName']}-role", "lambda.amazonaws.com", created),
            }
            for f in lambdas
        ),
        *(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": k.log_group(acct, region, f"/aws/lambda/{f['FunctionName']}", created, 14),
            }
            for f in lambdas
        ),
        {"service": "sns", "type": "Topic", "item": topic},
    ]

    # ---------------- auto scaling activity ----------------
    events: list[dict[str, Any]] = []
    for at, old_v, new in idx_prov_steps:
        if at > now:
            continue
        up = new > old_v
        alarm_n = idx_policy["Alarms"][0 if up else 1]["AlarmName"]
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uid(rng),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}/index/{index}",
                    "ScalableDimension": "dynamodb:index:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {new}.",
                    "Cause": f"monitor alarm {alarm_n} in state ALARM triggered policy {idx_policy['PolicyName']}",
                    "StartTime": k.iso(at),
                    "EndTime": k.iso(at + timedelta(seconds=rng.randint(40, 120))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {new}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
    for at, _old, new in base_prov_steps:
        if at > now:
            continue
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uid(rng),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {new}.",
                    "Cause": f"monitor alarm {policies[0]['item']['Alarms'][0]['AlarmName']} in state ALARM triggered policy {policies[0]['item']['PolicyName']}",
                    "StartTime": k.iso(at),
                    "EndTime": k.iso(at + timedelta(seconds=rng.randint(40, 120))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {new}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
    events.sort(key=lambda e: e["item"]["StartTime"])

    # ---------------- alarms ----------------
    alarms, hist = [], []
    a_name = f"{fn}-errors"
    first = None
    a_state, a_reason, a_st, a_rd = "OK", "", start, None
    for at, old, new_, vals, newest in k.simulate(err_c, start, now - timedelta(seconds=58), 20, 3):
        rtxt = k.reason_text(new_, vals, newest, "GreaterThanThreshold", 20, 3)
        rdata = k.reason_data("Sum", 60, 20, newest, vals)
        hist.append(k.history(a_name, at - timedelta(seconds=2), old, new_, rtxt, rdata))
        a_state, a_reason, a_st, a_rd = new_, rtxt, at - timedelta(seconds=2), rdata
        if new_ == "ALARM" and first is None:
            first = (at - timedelta(seconds=2), rtxt, rdata)
    aa = k.alarm(
        acct,
        region,
        a_name,
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        60,
        3,
        20,
        "GreaterThanThreshold",
        a_state,
        a_reason,
        a_st,
        created + timedelta(days=40),
        topic["TopicArn"],
        "dlr-webhook failing: receipts will be retried by the provider for 24h",
        missing="notBreaching",
        reason_data=a_rd,
    )
    alarms.append(aa)
    # the target-tracking high alarm of the index has been in ALARM since capacity reached its max
    hi = idx_policy["Alarms"][0]["AlarmName"]
    reach = next((at for at, _, new in idx_prov_steps if new == idx_max), onset_m).replace(second=0)
    hi_t = reach + timedelta(minutes=2)
    hi_thr = round(idx_max * 0.7 * 60, 0)
    hv = [round(state(hi_t - timedelta(minutes=i))[1] * 60, 1) for i in (1, 0)]
    hi_reason = k.reason_text("ALARM", hv, hi_t, "GreaterThanThreshold", hi_thr, 2)
    ha = k.alarm(
        acct,
        region,
        hi,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table, "GlobalSecondaryIndexName": index},
        "Sum",
        60,
        2,
        hi_thr,
        "GreaterThanThreshold",
        "ALARM",
        hi_reason,
        hi_t + timedelta(seconds=40),
        reach - timedelta(minutes=3),
        None,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + idx_policy["PolicyARN"] + ".",
    )
    ha["AlarmActions"] = [idx_policy["PolicyARN"]]
    ha["OKActions"] = []
    alarms.append(ha)
    hist.append(k.history(hi, hi_t + timedelta(seconds=40), "OK", "ALARM", hi_reason))
    # noisy neighbour: rollup duration alarm flapped once an hour before the send
    ru = f"{rollup}-duration-high"
    ru_t = send_t - timedelta(minutes=5 * rng.randint(14, 22))
    ra = k.alarm(
        acct,
        region,
        ru,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": rollup},
        "Maximum",
        300,
        1,
        60000,
        "GreaterThanThreshold",
        "OK",
        k.reason_text(
            "OK", [3920.4], ru_t + timedelta(minutes=10), "GreaterThanThreshold", 60000, 1, period=300
        ),
        ru_t + timedelta(minutes=10, seconds=30),
        created + timedelta(days=100),
        topic["TopicArn"],
        missing="notBreaching",
    )
    alarms.append(ra)
    hist.append(
        k.history(
            ru,
            ru_t + timedelta(seconds=30),
            "OK",
            "ALARM",
            k.reason_text("ALARM", [71234.2], ru_t, "GreaterThanThreshold", 60000, 1, period=300),
        )
    )
    hist.append(k.history(ru, ru_t + timedelta(minutes=10, seconds=30), "ALARM", "OK", ra["StateReason"]))
    api_a = f"{brand}-dlr-api-5xx"
    p5 = onset_m - timedelta(minutes=onset_m.minute % 5)
    while sum(err_c(p5 + timedelta(minutes=i)) for i in range(5)) <= 500:
        p5 += timedelta(minutes=5)
    api_sum = float(sum(err_c(p5 + timedelta(minutes=i)) for i in range(5)))
    api_t = p5 + timedelta(minutes=5, seconds=22)
    alarms.append(
        k.alarm(
            acct,
            region,
            api_a,
            "AWS/ApiGateway",
            "5xx",
            apid,
            "Sum",
            300,
            1,
            500,
            "GreaterThanThreshold",
            "ALARM",
            k.reason_text("ALARM", [api_sum], p5, "GreaterThanThreshold", 500, 1, period=300),
            api_t,
            created + timedelta(days=40),
            topic["TopicArn"],
            missing="notBreaching",
        )
    )
    hist.append(k.history(api_a, api_t, "OK", "ALARM", alarms[-1]["StateReason"]))

    # ---------------- logs ----------------
    logs = []
    lg = f"/aws/lambda/{fn}"
    streams = [f"{(start + timedelta(days=0)):%Y/%m/%d}/[$LATEST]{k.hexid(rng, 32)}" for _ in range(6)]
    t = start
    while t < now:
        n = 2 if t < send_t else 4
        for _ in range(n):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uid(rng)
            st = rng.choice(streams)
            thr = state(t)[2] > 0 and rng.random() < 0.55
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts),
                    "message": f"START RequestId: {rid} Version: $LATEST\n",
                }
            )
            if thr:
                logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": k.ms(ts) + 2400,
                        "message": f"[ERROR]\t{k.iso(ts + timedelta(seconds=2.4)).replace('Z', '.' + str(rng.randint(100, 999)) + 'Z')}\t{rid}\tfailed to record receipt batch size=10 campaign={campaign_id}\n"
                        'Traceback (most recent call last):\n  File "/var/task/app.py", line 61, in handler\n    table.update_item(**update)\n'
                        '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)\n'
                        "botocore.errorfactory.ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem operation (reached max retries: 3): "
                        "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. "
                        "Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API\n",
                    }
                )
                dur = rng.uniform(2300, 3000)
            else:
                logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": k.ms(ts) + 30,
                        "message": f"[INFO]\t{k.iso(ts).replace('Z', '.' + str(rng.randint(100, 999)) + 'Z')}\t{rid}\trecorded {rng.randint(8, 10)} receipts\n",
                    }
                )
                dur = rng.uniform(30, 70) if state(t)[2] <= 0 else rng.uniform(300, 1400)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts) + int(dur) + 1,
                    "message": f"END RequestId: {rid}\n",
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(ts) + int(dur) + 1,
                    "message": f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(88, 96)} MB\t\n",
                }
            )
        if t.minute % 5 == 0:
            ts = t + timedelta(seconds=rng.uniform(1, 3))
            rid = k.uid(rng)
            st = f"{start:%Y/%m/%d}/[$LATEST]" + k.hexid(random.Random(seed), 32)
            logs.append(
                {
                    "log_group": f"/aws/lambda/{rollup}",
                    "log_stream": st,
                    "timestamp": k.ms(ts),
                    "message": f"[INFO]\t{k.iso(ts)}\t{rid}\trolled up {rng.randint(3, 9)} active campaigns\n",
                }
            )
        if send_t <= t < send_t + timedelta(minutes=24):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            logs.append(
                {
                    "log_group": f"/aws/lambda/{sender}",
                    "log_stream": f"{start:%Y/%m/%d}/[$LATEST]{k.hexid(random.Random(seed + 1), 32)}",
                    "timestamp": k.ms(ts),
                    "message": f"[INFO]\t{k.iso(ts)}\t{k.uid(rng)}\tcampaign {campaign_id}: batch accepted by provider (500 messages)\n",
                }
            )
        t += timedelta(minutes=1)
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ---------------- CloudTrail ----------------
    tr = k.Trail(rng, acct, region)
    ci = tr.ident("gitlab-ci-deployer", "gitlab-" + str(rng.randint(100000, 999999)))
    who = rng.choice(["jonas.weber", "ana.kovac", "lukas.brandt"])
    eng = tr.ident("AWSReservedSSO_Developer_71c0a9e44f3b2d18", f"{who}@{brand}.io")
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15"
    tr.add(
        sender_deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": sender, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": sender,
            "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{sender}",
            "runtime": "python3.12",
            "codeSize": lambdas[1]["CodeSize"],
            "lastModified": k.iso(sender_deploy_t).replace("Z", ".000+0000"),
            "codeSha256": lambdas[1]["CodeSha256"],
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22",
    )
    tr.add(
        mem_change_t,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        eng,
        {"functionName": fn, "memorySize": 512},
        {
            "functionName": fn,
            "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
            "runtime": "python3.12",
            "memorySize": 512,
            "timeout": 10,
            "lastModified": k.iso(mem_change_t).replace("Z", ".000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=console,
    )
    sched_t = send_t - timedelta(days=0, hours=rng.randint(2, 3), minutes=rng.randint(0, 59))
    if sched_t < start:
        sched_t = start + timedelta(minutes=7)
    tr.add(
        sched_t,
        "scheduler.amazonaws.com",
        "CreateSchedule",
        tr.ident("campaign-api-task", "campaign-api"),
        {
            "name": f"send-{campaign_id}",
            "groupName": "campaigns",
            "scheduleExpression": f"at({send_t:%Y-%m-%dT%H:%M:%S})",
            "scheduleExpressionTimezone": "UTC",
            "flexibleTimeWindow": {"mode": "OFF"},
            "actionAfterCompletion": "DELETE",
            "target": {
                "arn": f"arn:aws:lambda:{region}:{acct}:function:{sender}",
                "roleArn": f"arn:aws:iam::{acct}:role/scheduler-invoke-sender",
            },
        },
        {"scheduleArn": f"arn:aws:scheduler:{region}:{acct}:schedule/campaigns/send-{campaign_id}"},
        agent="Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/linux#5.10.215 md/arch#x86_64 lang/python#3.12.3 Botocore/1.34.90",
    )
    asvc = "dynamodb.application-autoscaling.amazonaws.com"
    for at, _old, new in idx_prov_steps + base_prov_steps:
        if at > now:
            continue
        is_idx = any(at == s[0] for s in idx_prov_steps)
        gsi_upd = [
            {
                "update": {
                    "indexName": index,
                    "provisionedThroughput": {"readCapacityUnits": 150, "writeCapacityUnits": new},
                }
            }
        ]
        req = (
            {"tableName": table, "globalSecondaryIndexUpdates": gsi_upd}
            if is_idx
            else {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 400, "writeCapacityUnits": new},
            }
        )
        tr.add(
            at + timedelta(seconds=3),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            tr.ident(
                "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                "AutoScaling-UpdateTable",
                invoked_by=asvc,
            ),
            req,
            {"tableDescription": {"tableName": table, "tableArn": table_arn, "tableStatus": "UPDATING"}},
        )
    tr.add(
        onset + timedelta(minutes=rng.randint(12, 20)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        eng,
        {"tableName": table},
        None,
        read_only=True,
        agent=console,
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(21, 28)),
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        eng,
        {"serviceNamespace": "dynamodb", "resourceIds": [f"table/{table}"]},
        None,
        read_only=True,
        agent=console,
    )
    tr.readonly_noise(
        start,
        now,
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            (
                "logs.amazonaws.com",
                "DescribeLogStreams",
                {"logGroupName": lg, "orderBy": "LastEventTime", "descending": True},
            ),
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
        ],
        every_min=(5, 10),
    )

    # ---------------- trigger ----------------
    prev_t = onset_m - timedelta(days=rng.randint(2, 6), hours=rng.randint(1, 8))
    assert first is not None
    ev_alarm = dict(aa)
    ev_alarm["StateValue"], ev_alarm["StateReason"] = "ALARM", first[1]
    ev = k.alarm_event(
        acct,
        region,
        ev_alarm,
        first[0],
        "OK",
        k.reason_text("OK", [0.0], prev_t, "GreaterThanThreshold", 20, 3),
        prev_t,
        first[2],
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"{table}/{index}",
                    "category": "limit",
                    "failure_mode": "gsi-write-capacity-at-autoscaling-max",
                },
                "also_accept": [
                    index,
                    f"{table_arn}/index/{index}",
                    f"table/{table}/index/{index}",
                    table,
                    table_arn,
                ],
                "actions": ["scale", "reconfigure"],
                "chain": [f"{table}/{index}", table, fn, f"{brand}-dlr"],
            },
        }
    )
    alarm_history = sorted(hist, key=lambda h: h["Timestamp"])
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": alarm_history,
            "logs": logs,
            "cloudtrail": tr.sorted(),
            "resources": resources,
            "events": events,
        },
    )
