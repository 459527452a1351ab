"""Viewers' votes failing on the night of a TV talent show's final."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zo as k

NAME = "stagelights-final-votes-failing"
TITLE = "stagelights-vote-api 5XX alarm as the final's vote opens"
SUMMARY = (
    "On the final night the vote table's write demand is more than twice previous shows; auto scaling goes to the "
    "scalable target's maximum (set long ago) and stops there, so writes throttle and votes fail with 503."
)

REGION = "eu-west-1"
TABLE = "stagelights-votes"
TALLY = "stagelights-tallies"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "2" + "".join(rng.choice("0123456789") for _ in range(11))
    final = k.pick_day(
        rng, datetime(2024, 11, 10, tzinfo=k.UTC), 35, [6]
    )  # a Sunday in winter (London = UTC)
    vote_min = rng.randrange(2, 12)
    shows: list[tuple[datetime, float, bool]] = []  # (vote opens, peak writes/s, is final)
    for back, peak in ((7, 1950 + rng.randrange(250)), (1, 2150 + rng.randrange(250))):
        d = final - timedelta(days=back)
        shows.append((d + timedelta(hours=20, minutes=rng.randrange(2, 12)), float(peak), False))
    vote_open = final + timedelta(hours=20, minutes=vote_min)
    shows.append((vote_open, float(5300 + rng.randrange(1100)), True))
    start = final - timedelta(days=7, hours=6)
    sim_end = vote_open + timedelta(minutes=70)
    max_wcu = 3000
    prewarm = 2500
    jitter = {t: rng.random() for t in k.minutes(start, sim_end)}

    def demand(t: datetime) -> float:
        """Vote writes per second the audience is attempting (before throttling and retries)."""
        v = 3.0 + 2 * jitter.get(t, 0.5)
        for opens, peak, is_final in shows:
            m = (t - opens).total_seconds() / 60
            length = 50 if is_final else 30
            if -1 <= m < 0:
                v += peak * 0.02
            elif 0 <= m < length:
                ramp = min(1.0, (m + 1) / 2.5)
                v += peak * ramp * (0.6 + 0.4 * math.exp(-m / 12)) * (1 + 0.04 * math.sin(m * 1.7))
            elif length <= m < length + 3:
                v += peak * 0.04
        return v

    def simulate(
        scale_done: list[datetime | None],
    ) -> tuple[
        list[tuple[datetime, float]], dict[datetime, float], dict[datetime, float], dict[datetime, float]
    ]:
        """Write capacity timeline and per-minute consumed/throttled/attempted writes per second."""
        # 400 WCU between shows (the release action caps max at 400); the pre-warm action at 19:30 (min 2500,
        # max 3000); target tracking up to the maximum; the release at 22:30.
        changes: list[tuple[datetime, float]] = [(start, 400.0)]
        for n, (opens, _, _) in enumerate(shows):
            d = opens.replace(hour=0, minute=0)
            changes.append((d + timedelta(hours=19, minutes=30, seconds=40), float(prewarm)))
            sd = scale_done[n]
            if sd is not None:
                changes.append((sd, float(max_wcu)))
            changes.append((d + timedelta(hours=22, minutes=30, seconds=45), 400.0))

        def cap_at(t: datetime) -> float:
            c = 400.0
            for when, cap in changes:
                if when <= t:
                    c = cap
            return c

        credit = 0.0
        used_d: dict[datetime, float] = {}
        thr_d: dict[datetime, float] = {}
        dem_d: dict[datetime, float] = {}
        prev_frac = 0.0
        for t in k.minutes(start, sim_end):
            dem = demand(t) * (1 + 0.35 * prev_frac)  # apps and viewers retry failed votes
            cap = cap_at(t)
            # up to 300 s of unused provisioned capacity is kept as burst capacity
            if dem < cap:
                credit = min(cap * 300, credit + (cap - dem) * 60)
                used = dem
            else:
                extra = min(credit, (dem - cap) * 60)
                credit -= extra
                used = cap + extra / 60
            used_d[t] = used
            dem_d[t] = dem
            thr_d[t] = max(0.0, dem - used) * 60
            prev_frac = thr_d[t] / (dem * 60)
        return changes, used_d, thr_d, dem_d

    hi_name = f"TargetTracking-table/{TABLE}-AlarmHigh-{k.uid(rng)}"
    # first pass without scale-outs: when would AlarmHigh (70% of the 2500 pre-warm) have fired each night?
    _, used0, _, _ = simulate([None] * len(shows))
    scale_out: list[datetime | None] = []
    for opens, _, _ in shows:
        d = opens.replace(hour=0, minute=0)
        pw = d + timedelta(hours=19, minutes=30, seconds=40)
        probe = k.evaluate_alarm(
            k.Alarm(
                hi_name,
                "",
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {},
                "Sum",
                60,
                2,
                2,
                0.7 * prewarm * 60,
                "GreaterThanThreshold",
                "missing",
            ),
            account,
            REGION,
            {t: round(v * 60, 1) for t, v in used0.items() if k.floor_min(pw) <= t < d + timedelta(hours=22)},
            pw,
            d + timedelta(hours=22),
            random.Random(f"{NAME}:{seed}:probe"),
        )
        fired = [tr[0] for tr in probe.transitions if tr[2] == "ALARM"]
        scale_out.append(fired[0] + timedelta(seconds=4 + rng.randrange(12)) if fired else None)
    scale_done = [t + timedelta(seconds=25 + rng.randrange(30)) if t else None for t in scale_out]
    cap_changes, consumed, throttled, demand_eff = simulate(scale_done)

    def prov_w(t: datetime) -> float:
        c = 400.0
        for when, cap in cap_changes:
            if when <= t:
                c = cap
        return c

    onset = min(t for t in throttled if t >= vote_open and throttled[t] > 0)
    now = onset + timedelta(minutes=31 + rng.randrange(7), seconds=rng.randrange(60))
    fine_from = vote_open - timedelta(minutes=75)

    n_total = int((now - start).total_seconds() // 60) + 2
    nz = k.smooth_noise(rng, n_total, 1.0, keep=0.5)
    ms_ = k.MetricSet(start, now, fine_from)
    tdim = {"TableName": TABLE}

    def active(t: datetime) -> bool:
        return demand(t) > 25

    ms_.add("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tdim, "Count", lambda t, i: prov_w(t))
    ms_.add(
        "AWS/DynamoDB",
        "ProvisionedReadCapacityUnits",
        tdim,
        "Count",
        lambda t, i: 200.0 if prov_w(t) >= prewarm else 25.0,
    )
    cw = ms_.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Count",
        lambda t, i: round(consumed[t] * 60, 1) if consumed[t] > 0.5 else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        lambda t, i: round(consumed[t] * 60 * 0.03, 1) if active(t) else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdim,
        "Count",
        lambda t, i: float(round(throttled[t] * 1.9)) if throttled[t] > 1 else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": TABLE, "Operation": "UpdateItem"},
        "Count",
        lambda t, i: float(round(throttled[t] * 1.9)) if throttled[t] > 1 else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": TABLE, "Operation": "UpdateItem"},
        "Milliseconds",
        lambda t, i: 4.1 + 0.6 * abs(nz[i]) if consumed[t] > 0.5 else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "ReturnedItemCount",
        {"TableName": TALLY, "Operation": "Query"},
        "Count",
        lambda t, i: float(round(40 + 900 * min(1.0, demand(t) / 2000))) if active(t) else None,
    )
    ms_.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": TALLY},
        "Count",
        lambda t, i: round(min(consumed[t], 2200) * 60 / 180, 1) if active(t) else None,
    )

    # API Gateway (REST) and the Lambda behind it
    api = {"ApiName": "stagelights-vote", "Stage": "prod"}

    def attempts(t: datetime) -> float:
        return demand_eff[t] * 60

    def failed(t: datetime) -> float:
        return throttled[t] * 0.93

    ms_.add(
        "AWS/ApiGateway", "Count", api, "Count", lambda t, i: float(round(attempts(t))) if active(t) else None
    )
    a5 = ms_.add(
        "AWS/ApiGateway",
        "5XXError",
        api,
        "Count",
        lambda t, i: float(round(failed(t))) if active(t) else None,
    )
    ms_.add(
        "AWS/ApiGateway",
        "4XXError",
        api,
        "Count",
        lambda t, i: float(round(attempts(t) * 0.018)) if active(t) else None,
    )
    ms_.add(
        "AWS/ApiGateway",
        "Latency",
        api,
        "Milliseconds",
        lambda t, i: (
            (48 + 9 * abs(nz[i]) + 260 * min(1.0, throttled[t] / max(1.0, attempts(t))) * 2.2)
            if active(t)
            else None
        ),
    )
    ms_.add(
        "AWS/ApiGateway",
        "IntegrationLatency",
        api,
        "Milliseconds",
        lambda t, i: (
            (31 + 8 * abs(nz[i]) + 260 * min(1.0, throttled[t] / max(1.0, attempts(t))) * 2.2)
            if active(t)
            else None
        ),
    )
    lam = {"FunctionName": "cast-vote"}
    ms_.add(
        "AWS/Lambda",
        "Invocations",
        lam,
        "Count",
        lambda t, i: float(round(attempts(t))) if active(t) else None,
    )
    ms_.add("AWS/Lambda", "Errors", lam, "Count", lambda t, i: 0.0 if active(t) else None)
    ms_.add("AWS/Lambda", "Throttles", lam, "Count", lambda t, i: 0.0 if active(t) else None)
    ms_.add(
        "AWS/Lambda",
        "Duration",
        lam,
        "Milliseconds",
        lambda t, i: (
            (22 + 5 * abs(nz[i]) + 560 * min(1.0, throttled[t] / max(1.0, attempts(t))))
            if active(t)
            else None
        ),
    )
    ms_.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        lam,
        "Count",
        lambda t, i: (
            float(round(demand(t) * (0.03 + 0.55 * min(1.0, throttled[t] / max(1.0, attempts(t))))))
            if active(t)
            else None
        ),
    )
    agg = {"FunctionName": "tally-aggregator"}
    ms_.add(
        "AWS/Lambda",
        "Invocations",
        agg,
        "Count",
        lambda t, i: float(round(min(consumed[t], 2800) / 100 * 60 / 8)) if active(t) else None,
    )
    ms_.add(
        "AWS/Lambda",
        "IteratorAge",
        agg,
        "Milliseconds",
        lambda t, i: 180 + 300 * abs(nz[i]) if active(t) else None,
    )
    ms_.add("AWS/Lambda", "Errors", agg, "Count", lambda t, i: 0.0 if active(t) else None)
    metrics = ms_.records()

    # ----- alarms
    pager = f"arn:aws:sns:{REGION}:{account}:stagelights-oncall"
    a_api = k.Alarm(
        "stagelights-vote-api-5xx",
        "Vote API answering 5XX: over 300 a minute for 2 minutes",
        "AWS/ApiGateway",
        "5XXError",
        api,
        "Sum",
        60,
        2,
        2,
        300.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[pager],
        ok_actions=[pager],
    )
    r_api = k.evaluate_alarm(a_api, account, REGION, a5, start, now, rng)
    alarms = [r_api.item]
    history = list(r_api.history)
    lam_err = ms_.series[("AWS/Lambda", "Errors", (("FunctionName", "cast-vote"),))][1]
    r = k.evaluate_alarm(
        k.Alarm(
            "cast-vote-errors",
            "cast-vote Lambda errors",
            "AWS/Lambda",
            "Errors",
            lam,
            "Sum",
            60,
            3,
            3,
            50.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[pager],
        ),
        account,
        REGION,
        lam_err,
        start,
        now,
        rng,
    )
    alarms.append(r.item)
    history += r.history
    age = ms_.series[("AWS/Lambda", "IteratorAge", (("FunctionName", "tally-aggregator"),))][1]
    r = k.evaluate_alarm(
        k.Alarm(
            "tally-aggregator-iterator-age",
            "tallies falling behind the vote stream",
            "AWS/Lambda",
            "IteratorAge",
            agg,
            "Maximum",
            60,
            3,
            3,
            60000.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[pager],
        ),
        account,
        REGION,
        age,
        start,
        now,
        rng,
    )
    alarms.append(r.item)
    history += r.history
    # target-tracking alarms, reconfigured by Application Auto Scaling at each capacity change
    pol_id = k.uid(rng)
    pol_arn = (
        f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{pol_id}:resource/dynamodb/table/{TABLE}:"
        f"policyName/{TABLE}-wcu-tracking"
    )
    tt_desc = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}."
    carried: tuple[str, str, dict[str, Any]] | None = None
    r_hi: k.AlarmResult | None = None
    segs = [(w, c) for w, c in cap_changes if w <= now]
    for j, (seg_start, cap) in enumerate(segs):
        seg_end = segs[j + 1][0] if j + 1 < len(segs) else now
        hi = k.Alarm(
            hi_name,
            tt_desc,
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            tdim,
            "Sum",
            60,
            2,
            2,
            0.7 * cap * 60,
            "GreaterThanThreshold",
            "missing",
            actions=[pol_arn],
            configured=seg_start + timedelta(seconds=20),
            initial=carried,
        )
        r_hi = k.evaluate_alarm(
            hi,
            account,
            REGION,
            {t: v for t, v in cw.items() if t >= k.floor_min(seg_start)},
            seg_start,
            seg_end,
            rng,
        )
        history += r_hi.history
        if r_hi.transitions:
            last_tr = r_hi.transitions[-1]
            carried = (last_tr[2], last_tr[3]["reason"], last_tr[3]["data"])
        if j > 0:
            prev_cap = segs[j - 1][1]
            history.append(
                {
                    "AlarmName": hi_name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": k.iso(seg_start + timedelta(seconds=20)),
                    "HistoryItemType": "ConfigurationUpdate",
                    "HistorySummary": f'Alarm "{hi_name}" updated',
                    "HistoryData": json.dumps(
                        {
                            "type": "Update",
                            "version": "1.0",
                            "oldData": {"threshold": 0.7 * prev_cap * 60},
                            "newData": {"threshold": 0.7 * cap * 60},
                        },
                        separators=(",", ":"),
                    ),
                }
            )
    assert r_hi is not None
    alarms.append(r_hi.item)
    history.sort(key=lambda h: h["Timestamp"])
    alarm_ev = k.alarm_event(rng, r_api, a_api, account, REGION, index=0)

    # ----- logs
    logs: list[dict[str, Any]] = []
    lg = "/aws/lambda/cast-vote"
    streams = [
        f"{(onset - timedelta(hours=1)).strftime('%Y/%m/%d')}/[$LATEST]{k.hexs(rng, 32)}" for _ in range(12)
    ]
    acts = ["act-01", "act-02", "act-03", "act-04"]

    def lamlog(t: datetime, stream: str, lines: list[str], dur: float) -> None:
        rid = k.uid(rng)
        ts = k.ms(t)
        logs.append(
            {
                "log_group": lg,
                "log_stream": stream,
                "timestamp": ts,
                "message": f"START RequestId: {rid} Version: 14",
            }
        )
        for j, line in enumerate(lines):
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": stream,
                    "timestamp": ts + 2 + j,
                    "message": f"{(t + timedelta(milliseconds=2 + j)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"
                    f"\t{rid}\t{line}",
                }
            )
        logs.append(
            {
                "log_group": lg,
                "log_stream": stream,
                "timestamp": ts + int(dur),
                "message": f"END RequestId: {rid}",
            }
        )
        logs.append(
            {
                "log_group": lg,
                "log_stream": stream,
                "timestamp": ts + int(dur) + 1,
                "message": f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur)} "
                f"ms\tMemory Size: 512 MB\tMax Memory Used: {88 + rng.randrange(20)} MB",
            }
        )

    for opens, _, is_final in shows:
        t = opens - timedelta(minutes=1)
        end = opens + timedelta(minutes=33)
        while t < min(end, now):
            stream = rng.choice(streams)
            m = k.floor_min(t)
            th = throttled.get(m, 0.0) / max(1.0, demand(m) * 60)
            if th > 0 and rng.random() < min(0.95, th * 1.2):
                dur = 420 + rng.random() * 360
                lamlog(
                    t,
                    stream,
                    [
                        "ERROR\t"
                        + json.dumps(
                            {
                                "msg": "vote write failed after retries",
                                "act": rng.choice(acts),
                                "round": "final",
                                "error": "ProvisionedThroughputExceededException",
                                "message": "The level of configured provisioned throughput for the table was exceeded. "
                                "Consider increasing your provisioning level with the UpdateTable API.",
                                "attempts": 3,
                                "$metadata": {
                                    "httpStatusCode": 400,
                                    "requestId": k.alnum(rng, 52),
                                    "attempts": 3,
                                    "totalRetryDelay": rng.randrange(180, 420),
                                },
                            },
                            separators=(",", ":"),
                        ),
                        "INFO\t" + json.dumps({"msg": "responded", "statusCode": 503}, separators=(",", ":")),
                    ],
                    dur,
                )
            else:
                dur = 14 + rng.random() * 18
                lines = [
                    "INFO\t"
                    + json.dumps(
                        {
                            "msg": "vote recorded",
                            "act": rng.choice(acts),
                            "round": "final" if is_final else "semi-final",
                            "votesUsed": rng.randrange(1, 11),
                        },
                        separators=(",", ":"),
                    )
                ]
                if rng.random() < 0.04:
                    lines = [
                        "WARN\t"
                        + json.dumps(
                            {"msg": "vote rejected", "reason": "max votes for round used", "statusCode": 429},
                            separators=(",", ":"),
                        )
                    ]
                lamlog(t, stream, lines, dur)
            t += timedelta(seconds=3 + rng.randrange(6))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # ----- resources
    created = start - timedelta(days=70 + rng.randrange(40))
    sa_created = created + timedelta(hours=2)
    table_arn = f"arn:aws:dynamodb:{REGION}:{account}:table/{TABLE}"
    stream_label = (created + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000")
    resources: list[dict[str, Any]] = [
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "TableName": TABLE,
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": k.iso(scale_done[-1] or vote_open),
                    "LastDecreaseDateTime": k.iso(final + timedelta(minutes=31)),
                    "NumberOfDecreasesToday": 1,
                    "ReadCapacityUnits": 200,
                    "WriteCapacityUnits": max_wcu,
                },
                "TableSizeBytes": 2_400_000_000 + rng.randrange(10**8),
                "ItemCount": 21_000_000 + rng.randrange(10**6),
                "TableArn": table_arn,
                "TableId": k.uid(rng),
                "BillingModeSummary": {"BillingMode": "PROVISIONED"},
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                "LatestStreamLabel": stream_label,
                "LatestStreamArn": f"{table_arn}/stream/{stream_label}",
                "DeletionProtectionEnabled": True,
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{REGION}:{account}:key/{k.uid(rng)}",
                },
            },
        },
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "AttributeDefinitions": [
                    {"AttributeName": "round", "AttributeType": "S"},
                    {"AttributeName": "act", "AttributeType": "S"},
                ],
                "TableName": TALLY,
                "KeySchema": [
                    {"AttributeName": "round", "KeyType": "HASH"},
                    {"AttributeName": "act", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created + timedelta(minutes=9)),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": 48_213,
                "ItemCount": 212,
                "TableArn": f"arn:aws:dynamodb:{REGION}:{account}:table/{TALLY}",
                "TableId": k.uid(rng),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "DeletionProtectionEnabled": True,
            },
        },
    ]
    aas_role = (
        f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    for dim, _mn, mx in (
        ("dynamodb:table:WriteCapacityUnits", 50, max_wcu),
        ("dynamodb:table:ReadCapacityUnits", 25, 2000),
    ):
        resources.append(
            {
                "service": "application-autoscaling",
                "type": "ScalableTarget",
                "item": {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{TABLE}",
                    "ScalableDimension": dim,
                    "MinCapacity": prewarm if "Write" in dim else 200,
                    "MaxCapacity": mx,
                    "RoleARN": aas_role,
                    "CreationTime": k.iso(sa_created),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                    "ScalableTargetARN": f"arn:aws:application-autoscaling:{REGION}:{account}:scalable-target/"
                    f"{k.alnum(rng, 32, False)}",
                },
            }
        )
    resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "PolicyARN": pol_arn,
                "PolicyName": f"{TABLE}-wcu-tracking",
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{TABLE}",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "DynamoDBWriteCapacityUtilization"
                    },
                    "ScaleOutCooldown": 60,
                    "ScaleInCooldown": 300,
                    "DisableScaleIn": True,
                },
                "Alarms": [
                    {
                        "AlarmName": hi_name,
                        "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{hi_name}",
                    },
                ],
                "CreationTime": k.iso(sa_created + timedelta(minutes=1)),
            },
        }
    )
    for nm, cron, mn2, mx2 in (
        ("show-night-prewarm", "cron(30 19 ? * SAT,SUN *)", prewarm, max_wcu),
        ("show-night-release", "cron(30 22 ? * SAT,SUN *)", 50, 400),
    ):
        resources.append(
            {
                "service": "application-autoscaling",
                "type": "ScheduledAction",
                "item": {
                    "ScheduledActionName": nm,
                    "ScheduledActionARN": f"arn:aws:autoscaling:{REGION}:{account}:"
                    f"scheduledAction:{k.uid(rng)}:resource/dynamodb/table/{TABLE}:scheduledActionName/{nm}",
                    "ServiceNamespace": "dynamodb",
                    "Schedule": cron,
                    "Timezone": "Europe/London",
                    "ResourceId": f"table/{TABLE}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "ScalableTargetAction": {"MinCapacity": mn2, "MaxCapacity": mx2},
                    "CreationTime": k.iso(sa_created + timedelta(days=rng.randrange(5, 20))),
                },
            }
        )
    fn_role = f"arn:aws:iam::{account}:role/stagelights-cast-vote"
    for fn, mem, desc, env in (
        (
            "cast-vote",
            512,
            "records a viewer vote",
            {"VOTES_TABLE": TABLE, "MAX_VOTES_PER_ROUND": "10", "AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1"},
        ),
        ("tally-aggregator", 256, "folds the vote stream into tallies", {"TALLY_TABLE": TALLY}),
        ("tally-results", 256, "serves live results to the studio", {"TALLY_TABLE": TALLY, "ROUND": "final"}),
    ):
        resources.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                    "Runtime": "nodejs20.x",
                    "Role": fn_role,
                    "Handler": "index.handler",
                    "CodeSize": 412_000 + rng.randrange(90_000),
                    "Description": desc,
                    "Timeout": 10,
                    "MemorySize": mem,
                    "LastModified": (now - timedelta(days=rng.randrange(3, 20))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "CodeSha256": k.alnum(rng, 43) + "=",
                    "Version": "$LATEST",
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": k.uid(rng),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            }
        )
        resources.append(
            k.log_group(account, REGION, f"/aws/lambda/{fn}", created, 14, rng.randrange(10**8, 10**9))
        )
    resources.append(
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": "cast-vote", "ReservedConcurrentExecutions": 1200},
        }
    )
    resources.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": k.uid(rng),
                "StartingPosition": "LATEST",
                "BatchSize": 500,
                "MaximumBatchingWindowInSeconds": 1,
                "ParallelizationFactor": 2,
                "EventSourceArn": f"{table_arn}/stream/{stream_label}",
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:tally-aggregator",
                "LastModified": k.iso(created + timedelta(days=1)),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "MaximumRetryAttempts": -1,
                "BisectBatchOnFunctionError": True,
            },
        }
    )
    api_id = k.alnum(rng, 10, False)
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": "stagelights-vote",
                "description": "viewer voting",
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": k.alnum(rng, 10, False),
            },
        }
    )
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": k.alnum(rng, 6, False),
                "stageName": "prod",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": True,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 10000,
                        "throttlingRateLimit": 12000.0,
                        "cachingEnabled": False,
                    }
                },
                "tracingEnabled": False,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(now - timedelta(days=12)),
            },
        }
    )
    resources.append(
        k.iam_role(
            account, "stagelights-cast-vote", created, "lambda.amazonaws.com", "AROA" + k.alnum(rng, 17)
        )
    )

    # ----- application auto scaling activities
    events: list[dict[str, Any]] = []

    def act(
        when: datetime, desc: str, cause: str, msg: str, dim: str = "dynamodb:table:WriteCapacityUnits"
    ) -> None:
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uid(rng),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{TABLE}",
                    "ScalableDimension": dim,
                    "Description": desc,
                    "Cause": cause,
                    "StartTime": k.iso(when),
                    "EndTime": k.iso(when + timedelta(seconds=20 + rng.randrange(30))),
                    "StatusCode": "Successful",
                    "StatusMessage": msg,
                },
            }
        )

    for n, (opens, _, _) in enumerate(shows):
        d = opens.replace(hour=0, minute=0)
        pw = d + timedelta(hours=19, minutes=30, seconds=12)
        act(
            pw,
            f"Setting write capacity units to {prewarm}.",
            f"minimum capacity was set to {prewarm}",
            f"Successfully set write capacity units to {prewarm}. Change successfully fulfilled by dynamodb.",
        )
        act(
            pw + timedelta(seconds=3),
            "Setting read capacity units to 200.",
            "minimum capacity was set to 200",
            "Successfully set read capacity units to 200. Change successfully fulfilled by dynamodb.",
            "dynamodb:table:ReadCapacityUnits",
        )
        so = scale_out[n]
        if so is not None:
            act(
                so,
                f"Setting write capacity units to {max_wcu}.",
                f"monitor alarm {hi_name} in state ALARM triggered policy {TABLE}-wcu-tracking",
                f"Successfully set write capacity units to {max_wcu}. Change successfully fulfilled by dynamodb.",
            )
        rel = d + timedelta(hours=22, minutes=30, seconds=14)
        if rel < now:
            act(
                rel,
                "Setting write capacity units to 400.",
                "maximum capacity was set to 400",
                "Successfully set write capacity units to 400. Change successfully fulfilled by dynamodb.",
            )
            act(
                rel + timedelta(seconds=3),
                "Setting read capacity units to 25.",
                "maximum capacity was set to 25",
                "Successfully set read capacity units to 25. Change successfully fulfilled by dynamodb.",
                "dynamodb:table:ReadCapacityUnits",
            )
    events.sort(key=lambda e: e["item"]["StartTime"])

    # ----- CloudTrail
    trail: list[dict[str, Any]] = []
    aas = k.role_session(
        rng,
        account,
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-UpdateTable",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    aas.role_path = "/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
    DDB = "dynamodb.amazonaws.com"
    for ev in events:
        it = ev["item"]
        if "Setting" not in it["Description"]:
            continue
        units = int(it["Description"].split(" to ")[1].rstrip("."))
        w = "write" in it["Description"]
        when = datetime.fromisoformat(it["StartTime"].replace("Z", "+00:00")) + timedelta(seconds=1)
        trail.append(
            k.ct(
                rng,
                aas,
                when,
                DDB,
                "UpdateTable",
                REGION,
                {
                    "tableName": TABLE,
                    "provisionedThroughput": {
                        "readCapacityUnits": 200 if w else units,
                        "writeCapacityUnits": units if w else prewarm,
                    },
                },
                {"tableDescription": {"tableName": TABLE, "tableStatus": "UPDATING", "tableArn": table_arn}},
                extra={
                    "resources": [{"accountId": account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}]
                },
            )
        )
    meera = k.sso_human(
        rng,
        account,
        REGION,
        "StagelightsEngineer",
        "meera.shah@brightsidemedia.co.uk",
        f"82.{rng.randrange(0, 60)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    owen = k.sso_human(
        rng,
        account,
        REGION,
        "StagelightsEngineer",
        "owen.price@brightsidemedia.co.uk",
        f"92.{rng.randrange(0, 60)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    gha = k.role_session(
        rng,
        account,
        "stagelights-web-deploy",
        "GitHubActions",
        f"20.{rng.randrange(30, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-cli/2.15.58 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1021-azure md/arch#x86_64 "
        "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
        "md/distrib#ubuntu.22 md/prompt#off md/command#cloudfront.create-invalidation",
    )
    grafana = k.role_session(
        rng,
        account,
        "grafana-cloudwatch-reader",
        "grafana",
        "18.200.41.9",
        "aws-sdk-go/1.51.25 (go1.22.2; linux; amd64) Grafana/11.0.0",
    )
    env_at = onset - timedelta(minutes=14 + rng.randrange(10))
    trail.append(
        k.ct(
            rng,
            meera,
            env_at - timedelta(minutes=2),
            "lambda.amazonaws.com",
            "GetFunctionConfiguration",
            REGION,
            {"functionName": "tally-results"},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            meera,
            env_at,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            REGION,
            {"functionName": "tally-results", "environment": {}},
            {
                "functionName": "tally-results",
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:tally-results",
                "runtime": "nodejs20.x",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "environment": {},
                "version": "$LATEST",
            },
        )
    )
    inv_at = onset - timedelta(minutes=6 + rng.randrange(6))
    dist = "E" + k.alnum(rng, 13)
    trail.append(
        k.ct(
            rng,
            gha,
            inv_at,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            "us-east-1",
            {
                "distributionId": dist,
                "invalidationBatch": {
                    "paths": {"quantity": 2, "items": ["/index.html", "/vote/*"]},
                    "callerReference": f"gha-{k.hexs(rng, 12)}",
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist}/invalidation/"
                f"I{k.alnum(rng, 13)}",
                "invalidation": {"id": "I" + k.alnum(rng, 13), "status": "InProgress"},
            },
            host="cloudfront.amazonaws.com",
        )
    )
    conc_at = onset + timedelta(minutes=7 + rng.randrange(5))
    trail.append(
        k.ct(
            rng,
            owen,
            conc_at - timedelta(minutes=1),
            "lambda.amazonaws.com",
            "GetFunctionConcurrency",
            REGION,
            {"functionName": "cast-vote"},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            owen,
            conc_at,
            "lambda.amazonaws.com",
            "PutFunctionConcurrency20171031",
            REGION,
            {"functionName": "cast-vote", "reservedConcurrentExecutions": 1200},
            {"reservedConcurrentExecutions": 1200},
        )
    )
    trail.append(
        k.ct(
            rng,
            owen,
            conc_at + timedelta(minutes=3),
            DDB,
            "DescribeTable",
            REGION,
            {"tableName": TABLE},
            None,
            read_only=True,
        )
    )
    t = start + timedelta(minutes=rng.randrange(30))
    while t < now:
        roll = rng.random()
        if roll < 0.5:
            trail.append(
                k.ct(
                    rng,
                    grafana,
                    t,
                    "monitoring.amazonaws.com",
                    "GetMetricData",
                    REGION,
                    {"startTime": k.iso(t - timedelta(hours=1)), "endTime": k.iso(t)},
                    None,
                    read_only=True,
                )
            )
        elif roll < 0.7:
            trail.append(
                k.ct(
                    rng,
                    grafana,
                    t,
                    "monitoring.amazonaws.com",
                    "DescribeAlarms",
                    REGION,
                    {"alarmNamePrefix": "stagelights"},
                    None,
                    read_only=True,
                )
            )
        elif roll < 0.85:
            trail.append(
                k.ct(rng, aas, t, DDB, "DescribeTable", REGION, {"tableName": TABLE}, None, read_only=True)
            )
        else:
            trail.append(
                k.ct(
                    rng,
                    k.aws_service(account, "lambda.amazonaws.com"),
                    t,
                    "kms.amazonaws.com",
                    "Decrypt",
                    REGION,
                    {
                        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                        "encryptionContext": {
                            "aws:lambda:FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:cast-vote"
                        },
                    },
                    None,
                    read_only=True,
                )
            )
        t += (
            timedelta(minutes=90 + rng.randrange(120))
            if not any(abs((t - o).total_seconds()) < 5400 for o, _, _ in shows)
            else timedelta(minutes=4 + rng.randrange(8))
        )
    trail = k.ct_sort([r for r in trail if r["eventTime"] <= k.iso(now)])

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": TABLE,
                    "category": "limit",
                    "failure_mode": "dynamodb-autoscaling-max-capacity-reached",
                    "event_id": None,
                },
                "also_accept": [table_arn, f"table/{TABLE}"],
                "actions": ["scale"],
                "chain": [
                    f"final-night vote demand on {TABLE} is more than twice the previous shows' peak",
                    f"auto scaling raises write capacity from the {prewarm} pre-warm to the scalable target's maximum "
                    f"{max_wcu} WCU and can go no further",
                    f"{TABLE} throttles UpdateItem (ProvisionedThroughputExceededException)",
                    "cast-vote exhausts its retries and answers 503 (no Lambda errors)",
                    "stagelights-vote API 5XXError alarm",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
