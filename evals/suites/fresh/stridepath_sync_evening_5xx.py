"""stridepath workout-sync API: 5xx alarm as the evening sync peak builds."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zv as k

NAME = "stridepath-sync-evening-5xx"
TITLE = "stridepath-sync-api 5XX alarm as the evening workout sync peak starts"
SUMMARY = (
    "Workout uploads fail with 5xx at the evening peak while feed reads work; the workouts table was moved "
    "to provisioned capacity with a low auto-scaling ceiling that morning."
)

REGION = "us-east-2"
OFFSET = -5  # CDT
# local-hour load for workout uploads: a small morning bump, a big after-work peak
UPLOAD_PROFILE = [
    0.10,
    0.06,
    0.04,
    0.03,
    0.04,
    0.09,
    0.20,
    0.27,
    0.26,
    0.22,
    0.21,
    0.23,
    0.27,
    0.26,
    0.25,
    0.30,
    0.40,
    0.58,
    0.86,
    1.00,
    0.92,
    0.70,
    0.45,
    0.22,
]


def _upload_load(t: datetime) -> float:
    h = (t.hour + t.minute / 60 + OFFSET) % 24
    i = int(h)
    f = h - i
    return UPLOAD_PROFILE[i] * (1 - f) + UPLOAD_PROFILE[(i + 1) % 24] * f


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))

    # A Tuesday-Thursday between 10 Sep and 24 Oct 2024 (CDT).
    day = datetime(2024, 9, 10, tzinfo=k.UTC) + timedelta(days=rng.randrange(0, 44))
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    local_midnight = day - timedelta(hours=OFFSET)  # 00:00 CDT in UTC
    start = local_midnight + timedelta(hours=7, minutes=30)
    apply_at = local_midnight + timedelta(hours=9, minutes=rng.randint(25, 70), seconds=rng.randint(0, 59))
    peak_posts = rng.uniform(340, 410)  # POST /v1/workouts per second at the evening peak
    wcu_per_post = rng.uniform(2.9, 3.3)
    w_min, w_max = 150, 600
    r_min, r_max = 100, 2000

    api_id = ids.alnum(10)
    api_name = "stridepath-sync-api"
    stage = "prod"
    tbl = "stridepath-workouts"
    totals = "stridepath-athlete-totals"
    fn_ingest = "stridepath-workout-ingest"
    fn_feed = "stridepath-feed-read"
    tbl_arn = f"arn:aws:dynamodb:{REGION}:{account}:table/{tbl}"
    totals_arn = f"arn:aws:dynamodb:{REGION}:{account}:table/{totals}"
    topic = f"arn:aws:sns:{REGION}:{account}:stridepath-oncall"

    # --- simulate minute by minute --------------------------------------------------------------------
    fine_from = local_midnight + timedelta(hours=14)
    # onset is found by the simulation; now is fixed relative to the peak build-up
    end_sim = local_midnight + timedelta(hours=19, minutes=rng.randint(0, 20))
    minutes: list[datetime] = []
    t = start
    while t < end_sim:
        minutes.append(t)
        t += timedelta(minutes=1)

    tt_uuid_w = ids.uuid()
    pol_uuid = {"read": ids.uuid(), "write": ids.uuid()}
    tt_uuid_r = ids.uuid()
    w_cap: float | None = None
    r_cap: float | None = None
    credits = 0.0
    high_run = 0
    low_run = 0
    activities: list[dict[str, Any]] = []
    scale_trail: list[tuple[datetime, int, int]] = []  # (time, read, write) UpdateTable by autoscaling
    last_notscaled: datetime | None = None
    last_increase = apply_at
    last_w_scale = apply_at
    last_r_scale = apply_at
    sim: list[dict[str, float]] = []
    onset: datetime | None = None
    for t in minutes:
        L = _upload_load(t)
        posts = max(0.0, k.wobble(rng, peak_posts * L, 0.035)) * 60
        gets = (
            max(
                0.0,
                k.wobble(rng, peak_posts * 2.2 * (0.35 + 0.65 * k.load(t, OFFSET, "consumer_evening")), 0.04),
            )
            * 60
        )
        demand = posts * wcu_per_post / 60  # WCU/s
        rdemand = gets * 1.6 / 60 * 0.5
        if t >= apply_at and w_cap is None:
            w_cap, r_cap = 400.0, 400.0
            credits = 0.0
        failed = 0.0
        throttled_events = 0.0
        consumed = demand
        if w_cap is not None:
            avail = w_cap + credits / 60
            if demand <= w_cap:
                credits = min(w_cap * 300, credits + (w_cap - demand) * 60)
            elif demand <= avail:
                credits -= (demand - w_cap) * 60
            else:
                consumed = avail
                credits = 0.0
                short = (demand - avail) / demand
                failed = posts * short * rng.uniform(0.9, 0.97)
                throttled_events = failed * rng.uniform(2.6, 3.0) + posts * short * 0.4
                if onset is None and failed > 20:
                    onset = t
        sim.append(
            {
                "posts": posts,
                "gets": gets,
                "demand": demand,
                "consumed": consumed,
                "failed": failed,
                "thr": throttled_events,
                "rdemand": rdemand,
                "wcap": w_cap or 0.0,
                "rcap": r_cap or 0.0,
            }
        )
        # target tracking at 70 %
        if w_cap is not None and r_cap is not None and t >= apply_at + timedelta(minutes=3):
            util = consumed / w_cap
            high_run = high_run + 1 if util > 0.7 else 0
            low_run = low_run + 1 if util < 0.5 else 0
            want = math.ceil(consumed / 0.7)
            if high_run >= 2 and t - last_w_scale >= timedelta(minutes=8):
                if w_cap < w_max:
                    new = min(w_max, max(want, int(w_cap) + 1))
                    act_t = t + timedelta(seconds=rng.randint(40, 80))
                    activities.append(_activity(ids, tbl, "Write", int(w_cap), new, act_t, tt_uuid_w))
                    scale_trail.append((act_t, int(r_cap), new))
                    w_cap = float(new)
                    last_increase = act_t
                    last_w_scale = t
                    high_run = 0
                elif last_notscaled is None or t - last_notscaled >= timedelta(minutes=15):
                    act_t = t + timedelta(seconds=rng.randint(40, 80))
                    activities.append(_not_scaled(ids, tbl, want, w_max, act_t, tt_uuid_w))
                    last_notscaled = t
            elif low_run >= 15 and w_cap > w_min:
                new = max(w_min, want)
                if new < w_cap:
                    act_t = t + timedelta(seconds=rng.randint(40, 80))
                    activities.append(_activity(ids, tbl, "Write", int(w_cap), new, act_t, tt_uuid_w))
                    scale_trail.append((act_t, int(r_cap), new))
                    w_cap = float(new)
                low_run = 0
            # reads rarely move: one early scale-out to cover the feed
            if r_cap < rdemand / 0.7 and r_cap < r_max and t - last_r_scale >= timedelta(minutes=20):
                new_r = min(r_max, math.ceil(rdemand / 0.6))
                act_t = t + timedelta(seconds=rng.randint(40, 80))
                activities.append(_activity(ids, tbl, "Read", int(r_cap), new_r, act_t, tt_uuid_r))
                scale_trail.append((act_t, new_r, int(w_cap)))
                r_cap = float(new_r)
                last_r_scale = t
    assert onset is not None, "the evening peak must exceed the ceiling"
    now = onset + timedelta(minutes=rng.randint(38, 50))
    end = now + timedelta(minutes=10)
    sim = [s for t, s in zip(minutes, sim, strict=True) if t < now]
    minutes = [t for t in minutes if t < now]
    activities = [
        a for a in activities if datetime.fromisoformat(a["StartTime"].replace("Z", "+00:00")) <= now
    ]

    # --- metrics --------------------------------------------------------------------------------------
    m = k.Metrics()
    api_dims = {"ApiName": api_name, "Stage": stage}
    five_xx: dict[datetime, float] = {}
    p99_points: dict[datetime, float] = {}
    ingest_err_pts: dict[datetime, float] = {}
    buckets: list[tuple[datetime, int, list[int]]] = []
    # group coarse minutes into 5-minute points before fine_from
    i = 0
    while i < len(minutes):
        t0 = minutes[i]
        step = 5 if t0 < fine_from else 1
        idx = list(range(i, min(i + step, len(minutes))))
        buckets.append((t0, step, idx))
        i += step
    for t0, step, idx in buckets:
        rows = [sim[j] for j in idx]
        posts = sum(r["posts"] for r in rows)
        gets = sum(r["gets"] for r in rows)
        failed = sum(r["failed"] for r in rows)
        thr = sum(r["thr"] for r in rows)
        consumed = sum(r["consumed"] for r in rows) * 60
        reads = sum(r["rdemand"] for r in rows) * 60
        wcap = rows[-1]["wcap"]
        rcap = rows[-1]["rcap"]
        fail_share = failed / posts if posts else 0.0
        total = posts + gets
        base5 = k.poisson(rng, 0.5 * step)
        n5 = round(failed) + base5
        n4 = k.poisson(rng, total * 0.006)
        m.put("AWS/ApiGateway", "Count", api_dims, t0, round(total), "Count")
        m.put("AWS/ApiGateway", "5XXError", api_dims, t0, n5, "Count")
        m.put("AWS/ApiGateway", "4XXError", api_dims, t0, n4, "Count")
        lat_v, lat_c = k.latency_buckets(
            rng, int(total), 58.0, 240.0, fail_share * posts / max(total, 1), 900.0
        )
        m.dist("AWS/ApiGateway", "Latency", api_dims, t0, lat_v, lat_c, "Milliseconds")
        il_v = [v * 0.9 for v in lat_v]
        m.dist("AWS/ApiGateway", "IntegrationLatency", api_dims, t0, il_v, lat_c, "Milliseconds")
        if step == 1:
            five_xx[t0] = float(n5)
            p99_points[t0] = k.percentile(lat_v, lat_c, 99)
            ingest_err_pts[t0] = 0.0
        # lambdas
        ing_dims = {"FunctionName": fn_ingest}
        m.put("AWS/Lambda", "Invocations", ing_dims, t0, round(posts), "Count")
        m.put("AWS/Lambda", "Errors", ing_dims, t0, 0, "Count")
        d_v, d_c = k.latency_buckets(rng, int(posts), 41.0, 190.0, fail_share, 760.0)
        m.dist("AWS/Lambda", "Duration", ing_dims, t0, d_v, d_c, "Milliseconds")
        conc = posts / (60 * step) * (0.06 + fail_share * 0.8)
        m.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            ing_dims,
            t0,
            max(1, round(k.wobble(rng, conc * 1.3, 0.1))),
            "Count",
        )
        feed_dims = {"FunctionName": fn_feed}
        m.put("AWS/Lambda", "Invocations", feed_dims, t0, round(gets), "Count")
        m.put("AWS/Lambda", "Errors", feed_dims, t0, k.poisson(rng, gets * 0.00004), "Count")
        f_v, f_c = k.latency_buckets(rng, int(gets), 33.0, 160.0)
        m.dist("AWS/Lambda", "Duration", feed_dims, t0, f_v, f_c, "Milliseconds")
        m.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            feed_dims,
            t0,
            max(1, round(k.wobble(rng, gets / (60 * step) * 0.05 * 1.3, 0.1))),
            "Count",
        )
        # DynamoDB: the workouts table
        tdim = {"TableName": tbl}
        ok_posts = posts - failed
        m.rows.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": tdim,
                "timestamp": k.iso(t0),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": max(1.0, round(ok_posts)),
                    "Sum": round(consumed, 1),
                    "Minimum": 1.0,
                    "Maximum": 6.0,
                },
            }
        )
        m.rows.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedReadCapacityUnits",
                "dimensions": tdim,
                "timestamp": k.iso(t0),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": max(1.0, round(gets)),
                    "Sum": round(reads, 1),
                    "Minimum": 0.5,
                    "Maximum": 12.5,
                },
            }
        )
        if wcap:
            m.put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tdim, t0, wcap, "Count")
            m.put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", tdim, t0, rcap, "Count")
        if thr > 0:
            m.put("AWS/DynamoDB", "WriteThrottleEvents", tdim, t0, round(thr), "Count")
            m.put(
                "AWS/DynamoDB", "ThrottledRequests", {**tdim, "Operation": "PutItem"}, t0, round(thr), "Count"
            )
        m.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdim, "Operation": "PutItem"},
            t0,
            k.wobble(rng, 5.8, 0.06),
            "Milliseconds",
        )
        m.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdim, "Operation": "Query"},
            t0,
            k.wobble(rng, 4.1, 0.06),
            "Milliseconds",
        )
        m.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdim, "Operation": "GetItem"},
            t0,
            k.wobble(rng, 2.7, 0.06),
            "Milliseconds",
        )
        # the totals table is updated only for stored workouts (on-demand)
        tot = {"TableName": totals}
        m.rows.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": tot,
                "timestamp": k.iso(t0),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": max(1.0, round(ok_posts)),
                    "Sum": round(ok_posts * 1.0, 1),
                    "Minimum": 1.0,
                    "Maximum": 1.0,
                },
            }
        )
        m.rows.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedReadCapacityUnits",
                "dimensions": tot,
                "timestamp": k.iso(t0),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": max(1.0, round(gets * 0.3)),
                    "Sum": round(gets * 0.15, 1),
                    "Minimum": 0.5,
                    "Maximum": 0.5,
                },
            }
        )
        m.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tot, "Operation": "UpdateItem"},
            t0,
            k.wobble(rng, 6.2, 0.06),
            "Milliseconds",
        )

    # --- alarms ---------------------------------------------------------------------------------------
    ev_from = fine_from
    s5 = k.AlarmSpec(
        name="stridepath-sync-api-5xx",
        namespace="AWS/ApiGateway",
        metric="5XXError",
        dims=api_dims,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=25,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="Sync API (prod) returning 5xx. Runbook: wiki/stridepath/runbooks/sync-api",
    )
    tr5 = k.evaluate_alarm(s5, five_xx, ev_from, now, rng)
    sp99 = k.AlarmSpec(
        name="stridepath-sync-api-p99-latency",
        namespace="AWS/ApiGateway",
        metric="Latency",
        dims=api_dims,
        stat="p99",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=2500,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="Sync API p99 latency above 2.5s",
    )
    trp = k.evaluate_alarm(sp99, p99_points, ev_from, now, rng)
    serr = k.AlarmSpec(
        name="stridepath-workout-ingest-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_ingest},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=10,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="workout-ingest function errors",
    )
    configured = start - timedelta(days=rng.randint(60, 200))
    alarms = [
        k.alarm_item(s5, account, REGION, topic, configured, tr5, "", start, now),
        k.alarm_item(
            sp99,
            account,
            REGION,
            topic,
            configured,
            trp,
            k.quiet_ok_reason(sp99, ev_from, 210.0),
            ev_from - timedelta(hours=20),
            now,
        ),
        k.alarm_item(
            serr,
            account,
            REGION,
            topic,
            configured,
            [],
            k.quiet_ok_reason(serr, now - timedelta(minutes=6), 0.0),
            start - timedelta(days=3),
            now,
        ),
    ]
    if not tr5:
        raise AssertionError("5xx alarm never fired")
    # the target-tracking alarms Application Auto Scaling created at the apply
    hi_at = next(
        (
            datetime.fromisoformat(a["StartTime"].replace("Z", "+00:00"))
            for a in activities
            if "NotScaledReasons" in a
        ),
        now - timedelta(minutes=5),
    )
    for dim, uid, cap, st, st_at in (
        ("Write", tt_uuid_w, w_max, "ALARM", hi_at - timedelta(seconds=50)),
        ("Read", tt_uuid_r, None, "OK", apply_at + timedelta(minutes=4)),
    ):
        for kind, cmp_, st2 in (
            ("AlarmHigh", "GreaterThanThreshold", st),
            ("AlarmLow", "LessThanThreshold", "OK"),
        ):
            provisioned = cap if cap else int(sim[-1]["rcap"]) or 200
            thr_v = provisioned * 60 * (0.7 if kind == "AlarmHigh" else 0.5)
            nm = f"TargetTracking-table/{tbl}-{kind}-{uid}"
            item = {
                "AlarmName": nm,
                "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{nm}",
                "AlarmDescription": f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{pol_uuid[dim.lower()]}:resource/dynamodb/table/{tbl}:policyName/{tbl}-{dim.lower()}-target.",
                "AlarmConfigurationUpdatedTimestamp": k.iso_ms(apply_at + timedelta(seconds=40)),
                "ActionsEnabled": True,
                "OKActions": [],
                "AlarmActions": [
                    f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{pol_uuid[dim.lower()]}:resource/dynamodb/table/{tbl}:policyName/{tbl}-{dim.lower()}-target"
                ],
                "InsufficientDataActions": [],
                "StateValue": st2,
                "StateReason": "Threshold Crossed: 2 datapoints were greater than the threshold"
                if st2 == "ALARM"
                else "Threshold Crossed: 15 datapoints were not less than the threshold",
                "StateUpdatedTimestamp": k.iso_ms(
                    st_at if st2 == "ALARM" else apply_at + timedelta(minutes=20)
                ),
                "StateTransitionedTimestamp": k.iso_ms(
                    st_at if st2 == "ALARM" else apply_at + timedelta(minutes=20)
                ),
                "MetricName": f"Consumed{dim}CapacityUnits",
                "Namespace": "AWS/DynamoDB",
                "Statistic": "Sum",
                "Dimensions": [{"Name": "TableName", "Value": tbl}],
                "Period": 60,
                "EvaluationPeriods": 2 if kind == "AlarmHigh" else 15,
                "DatapointsToAlarm": 2 if kind == "AlarmHigh" else 15,
                "Threshold": float(round(thr_v, 1)),
                "ComparisonOperator": cmp_,
            }
            alarms.append(item)
    history = k.history_items(s5, tr5, now) + k.history_items(sp99, trp, now)
    prev = None
    fire = tr5[0]
    trigger_event = k.alarm_event(
        ids,
        s5,
        account,
        REGION,
        fire,
        prev,
        prev_reason=k.quiet_ok_reason(s5, fire.at - timedelta(hours=30), 0.0),
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    gha_ip = ids.ip(rng.choice(["172.183", "4.227", "20.57", "52.238"]))
    tf = k.ci_role(
        ids, account, "stridepath-infra-terraform", "GitHubActions", gha_ip, k.tf_ua("dynamodb#1.34.4")
    )
    deploy = k.ci_role(
        ids,
        account,
        "stridepath-lambda-deploy",
        "GitHubActions",
        ids.ip("4.175"),
        k.CLI_UA.format(n=rng.randint(20, 40), cmd="lambda.update-function-code"),
    )
    office_ip = ids.ip("98.97")
    eng1 = k.sso_user(
        ids,
        account,
        REGION,
        "PowerUserAccess",
        "maria.okafor@stridepath.app",
        office_ip,
        rng.choice(k.CONSOLE_UA),
    )
    eng2 = k.sso_user(
        ids,
        account,
        REGION,
        "ReadOnlyAccess",
        "dev.patel@stridepath.app",
        ids.ip("73.15"),
        rng.choice(k.CONSOLE_UA),
    )
    aas = k.service_role(
        ids,
        account,
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-UpdateTable",
        "application-autoscaling.amazonaws.com",
        path="/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/",
    )
    trail: list[dict[str, Any]] = []
    # the morning apply
    tdesc = {
        "tableName": tbl,
        "tableStatus": "UPDATING",
        "tableArn": tbl_arn,
        "billingModeSummary": {"billingMode": "PROVISIONED"},
        "provisionedThroughput": {
            "readCapacityUnits": 400,
            "writeCapacityUnits": 400,
            "numberOfDecreasesToday": 0,
        },
    }
    trail.append(
        k.ct(
            ids,
            REGION,
            apply_at - timedelta(seconds=6),
            tf,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": tbl},
            None,
            read_only=True,
            resources=[{"accountId": account, "type": "AWS::DynamoDB::Table", "ARN": tbl_arn}],
        )
    )
    culprit = k.ct(
        ids,
        REGION,
        apply_at,
        tf,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        {
            "tableName": tbl,
            "billingMode": "PROVISIONED",
            "provisionedThroughput": {"readCapacityUnits": 400, "writeCapacityUnits": 400},
        },
        {"tableDescription": tdesc},
        resources=[{"accountId": account, "type": "AWS::DynamoDB::Table", "ARN": tbl_arn}],
    )
    trail.append(culprit)
    aas_ua = k.tf_ua("applicationautoscaling#1.31.3")
    tf_aas = k.Principal(**{**tf.__dict__, "ua": aas_ua})
    for j, (dim, mn, mx) in enumerate(
        (("ReadCapacityUnits", r_min, r_max), ("WriteCapacityUnits", w_min, w_max))
    ):
        tt = apply_at + timedelta(seconds=185 + j * 2)
        trail.append(
            k.ct(
                ids,
                REGION,
                tt,
                tf_aas,
                "application-autoscaling.amazonaws.com",
                "RegisterScalableTarget",
                {
                    "serviceNamespace": "dynamodb",
                    "resourceId": f"table/{tbl}",
                    "scalableDimension": f"dynamodb:table:{dim}",
                    "minCapacity": mn,
                    "maxCapacity": mx,
                },
                {
                    "scalableTargetARN": f"arn:aws:application-autoscaling:{REGION}:{account}:scalable-target/0e{ids.hex(30)}"
                },
            )
        )
        tt2 = tt + timedelta(seconds=3)
        kind_s = "read" if dim.startswith("Read") else "write"
        trail.append(
            k.ct(
                ids,
                REGION,
                tt2,
                tf_aas,
                "application-autoscaling.amazonaws.com",
                "PutScalingPolicy",
                {
                    "policyName": f"{tbl}-{kind_s}-target",
                    "serviceNamespace": "dynamodb",
                    "resourceId": f"table/{tbl}",
                    "scalableDimension": f"dynamodb:table:{dim}",
                    "policyType": "TargetTrackingScaling",
                    "targetTrackingScalingPolicyConfiguration": {
                        "targetValue": 70.0,
                        "predefinedMetricSpecification": {
                            "predefinedMetricType": f"DynamoDB{'Read' if kind_s == 'read' else 'Write'}CapacityUtilization"
                        },
                        "disableScaleIn": False,
                    },
                },
                {
                    "policyARN": f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{pol_uuid[kind_s]}:resource/dynamodb/table/{tbl}:policyName/{tbl}-{kind_s}-target",
                    "alarms": [
                        {
                            "alarmName": f"TargetTracking-table/{tbl}-AlarmHigh-{tt_uuid_w if kind_s == 'write' else tt_uuid_r}"
                        }
                    ],
                },
            )
        )
        aas_svc = k.service_role(
            ids,
            account,
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "AutoScaling-PutMetricAlarm",
            "application-autoscaling.amazonaws.com",
            path="/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/",
        )
        for kind in ("AlarmHigh", "AlarmLow"):
            trail.append(
                k.ct(
                    ids,
                    REGION,
                    tt2 + timedelta(seconds=2),
                    aas_svc,
                    "monitoring.amazonaws.com",
                    "PutMetricAlarm",
                    {
                        "alarmName": f"TargetTracking-table/{tbl}-{kind}-{tt_uuid_w if kind_s == 'write' else tt_uuid_r}",
                        "namespace": "AWS/DynamoDB",
                        "metricName": f"Consumed{dim}",
                        "dimensions": [{"name": "TableName", "value": tbl}],
                        "statistic": "Sum",
                        "period": 60,
                        "evaluationPeriods": 2 if kind == "AlarmHigh" else 15,
                        "comparisonOperator": "GreaterThanThreshold"
                        if kind == "AlarmHigh"
                        else "LessThanThreshold",
                    },
                )
            )
    for at, rc, wc in scale_trail:
        if at > now:
            continue
        trail.append(
            k.ct(
                ids,
                REGION,
                at - timedelta(seconds=1),
                aas,
                "dynamodb.amazonaws.com",
                "UpdateTable",
                {
                    "tableName": tbl,
                    "provisionedThroughput": {"readCapacityUnits": rc, "writeCapacityUnits": wc},
                },
                {
                    "tableDescription": {
                        "tableName": tbl,
                        "tableStatus": "UPDATING",
                        "tableArn": tbl_arn,
                        "provisionedThroughput": {"readCapacityUnits": rc, "writeCapacityUnits": wc},
                    }
                },
                resources=[{"accountId": account, "type": "AWS::DynamoDB::Table", "ARN": tbl_arn}],
            )
        )
    # other changes through the day
    morning_deploy = local_midnight + timedelta(hours=11, minutes=rng.randint(0, 50))
    trail += _lambda_deploy(ids, deploy, "stridepath-strava-webhook", morning_deploy, account, rng, 31)
    feed_deploy = onset - timedelta(minutes=rng.randint(18, 26), seconds=rng.randint(0, 59))
    trail += _lambda_deploy(ids, deploy, fn_feed, feed_deploy, account, rng, 58)
    ci_at = onset - timedelta(minutes=rng.randint(8, 14), seconds=rng.randint(0, 59))
    trail.append(
        k.ct(
            ids,
            REGION,
            ci_at - timedelta(seconds=40),
            eng1,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": tbl},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            ci_at,
            eng1,
            "dynamodb.amazonaws.com",
            "UpdateContributorInsights",
            {"tableName": tbl, "contributorInsightsAction": "ENABLE"},
            {"tableName": tbl, "contributorInsightsStatus": "ENABLING"},
            resources=[{"accountId": account, "type": "AWS::DynamoDB::Table", "ARN": tbl_arn}],
        )
    )
    dash_at = onset - timedelta(minutes=rng.randint(2, 5))
    trail.append(
        k.ct(
            ids,
            REGION,
            dash_at,
            eng1,
            "monitoring.amazonaws.com",
            "PutDashboard",
            {"dashboardName": "stridepath-sync-prod"},
            {"dashboardValidationMessages": []},
        )
    )
    # routine reads
    read_calls = [
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": tbl}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": totals}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn_ingest}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "stridepath-"}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/stridepath"}),
        ("apigateway.amazonaws.com", "GetRestApis", None),
        (
            "application-autoscaling.amazonaws.com",
            "DescribeScalableTargets",
            {"serviceNamespace": "dynamodb"},
        ),
    ]
    trail += k.routine_reads(ids, REGION, rng, (start, now), [eng1, eng2], read_calls, 24)
    trail += k.routine_reads(
        ids,
        REGION,
        rng,
        (start, now),
        [tf],
        [
            ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": tbl}),
            ("dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": totals}),
            ("sts.amazonaws.com", "GetCallerIdentity", None),
        ],
        6,
        avoid=[(start, apply_at - timedelta(minutes=2)), (apply_at + timedelta(minutes=5), now)],
    )
    trail = [r for r in trail if r["eventTime"] <= k.iso(now)]
    trail = k.sort_trail(trail)

    # --- logs -----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    ingest_group = f"/aws/lambda/{fn_ingest}"
    feed_group = f"/aws/lambda/{fn_feed}"
    access_group = f"/aws/apigateway/{api_name}-{stage}-access"
    access_stream = ids.hex(32)
    streams_ing = [f"{k.iso(start)[:10].replace('-', '/')}/[44]{ids.hex(32)}" for _ in range(6)]
    streams_feed_old = [f"{k.iso(start)[:10].replace('-', '/')}/[57]{ids.hex(32)}" for _ in range(4)]
    streams_feed_new = [f"{k.iso(start)[:10].replace('-', '/')}/[58]{ids.hex(32)}" for _ in range(4)]
    sources = ["garmin", "apple_health", "app", "strava", "wahoo", "polar"]
    ua_list = [
        "Stridepath/7.12.1 (iPhone; iOS 17.6.1; Scale/3.00)",
        "Stridepath/7.12.0 (Android 14; Pixel 8)",
        "Stridepath/7.11.4 (iPhone; iOS 17.5.1; Scale/3.00)",
        "okhttp/4.12.0",
    ]
    for t, s in zip(minutes, sim, strict=True):
        if t < start + timedelta(minutes=1):
            continue
        fail_share = s["failed"] / s["posts"] if s["posts"] else 0
        n_lines = 1 if t < fine_from else 3
        for _ in range(n_lines):
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            stream = rng.choice(streams_ing)
            rid = ids.uuid()
            failed = rng.random() < fail_share
            logs.append(k.log(ingest_group, stream, ts, f"START RequestId: {rid} Version: 44\n"))
            ath = f"ath_{ids.alnum(12)}"
            if failed:
                retry_delay = rng.randint(180, 520)
                err = {
                    "level": "ERROR",
                    "message": "failed to store workout",
                    "service": "workout-ingest",
                    "timestamp": k.iso_ms(ts + timedelta(milliseconds=700)),
                    "xray_trace_id": ids.trace(ts),
                    "function_request_id": rid,
                    "athleteId": ath,
                    "source": rng.choice(sources),
                    "error": {
                        "name": "ProvisionedThroughputExceededException",
                        "location": "file:///var/task/index.mjs:1:48211",
                        "message": "The level of configured provisioned throughput for the table was exceeded. "
                        "Consider increasing your provisioning level with the UpdateTable API.",
                        "stack": "ProvisionedThroughputExceededException: The level of configured provisioned "
                        "throughput for the table was exceeded. Consider increasing your provisioning level "
                        "with the UpdateTable API.\n    at throwDefaultError (file:///var/task/index.mjs:1:22714)\n"
                        "    at file:///var/task/index.mjs:1:22871\n    at de_CommandError (file:///var/task/index.mjs:1:97342)\n"
                        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
                        "    at async file:///var/task/index.mjs:1:61092\n    at async storeWorkout (file:///var/task/index.mjs:1:48190)",
                        "$metadata": {
                            "httpStatusCode": 400,
                            "requestId": ids.upper(52),
                            "attempts": 3,
                            "totalRetryDelay": retry_delay,
                        },
                    },
                    "table": tbl,
                }
                logs.append(
                    k.log(
                        ingest_group,
                        stream,
                        ts + timedelta(milliseconds=700),
                        f"{k.iso_ms(ts + timedelta(milliseconds=700))}\t{rid}\tERROR\t{json.dumps(err)}\n",
                    )
                )
                dur = rng.uniform(560, 1100)
            else:
                dur = max(9.0, rng.lognormvariate(math.log(40), 0.45))
                info = {
                    "level": "INFO",
                    "message": "workout stored",
                    "service": "workout-ingest",
                    "timestamp": k.iso_ms(ts + timedelta(milliseconds=dur)),
                    "xray_trace_id": ids.trace(ts),
                    "function_request_id": rid,
                    "cold_start": rng.random() < 0.01,
                    "athleteId": ath,
                    "workoutId": f"wk_{ids.alnum(16)}",
                    "source": rng.choice(sources),
                    "samples": rng.randint(300, 9000),
                    "bytes": rng.randint(1400, 3900),
                }
                logs.append(
                    k.log(
                        ingest_group,
                        stream,
                        ts + timedelta(milliseconds=dur),
                        f"{k.iso_ms(ts + timedelta(milliseconds=dur))}\t{rid}\tINFO\t{json.dumps(info)}\n",
                    )
                )
            end_t = ts + timedelta(milliseconds=dur + 2)
            logs.append(k.log(ingest_group, stream, end_t, f"END RequestId: {rid}\n"))
            logs.append(
                k.log(
                    ingest_group,
                    stream,
                    end_t,
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur)} ms\t"
                    f"Memory Size: 512 MB\tMax Memory Used: {rng.randint(118, 146)} MB\t\n",
                )
            )
            # access log line
            status = "500" if failed else "201"
            logs.append(
                k.log(
                    access_group,
                    access_stream,
                    ts + timedelta(milliseconds=dur + 15),
                    json.dumps(
                        {
                            "requestId": ids.uuid(),
                            "ip": ids.ip(rng.choice(["73", "98", "174", "107", "24"])),
                            "requestTime": (ts).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                            "httpMethod": "POST",
                            "resourcePath": "/v1/workouts",
                            "status": status,
                            "protocol": "HTTP/1.1",
                            "responseLength": "61" if failed else str(rng.randint(180, 240)),
                            "integrationLatency": str(int(dur + 12)),
                            "userAgent": rng.choice(ua_list),
                        }
                    ),
                )
            )
        # feed reads
        for _ in range(1 if t < fine_from else 2):
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            stream = rng.choice(
                streams_feed_new if ts >= feed_deploy + timedelta(seconds=20) else streams_feed_old
            )
            ver = 58 if ts >= feed_deploy + timedelta(seconds=20) else 57
            rid = ids.uuid()
            dur = max(6.0, rng.lognormvariate(math.log(31), 0.4))
            logs.append(k.log(feed_group, stream, ts, f"START RequestId: {rid} Version: {ver}\n"))
            if rng.random() < 0.02:
                logs.append(
                    k.log(
                        feed_group,
                        stream,
                        ts + timedelta(milliseconds=dur - 1),
                        f"{k.iso_ms(ts)}\t{rid}\tWARN\t"
                        + json.dumps(
                            {
                                "level": "WARN",
                                "message": "feed page truncated: follower fan-out above limit",
                                "service": "feed-read",
                                "followers": rng.randint(5001, 7400),
                                "limit": 5000,
                            }
                        )
                        + "\n",
                    )
                )
            logs.append(
                k.log(feed_group, stream, ts + timedelta(milliseconds=dur), f"END RequestId: {rid}\n")
            )
            logs.append(
                k.log(
                    feed_group,
                    stream,
                    ts + timedelta(milliseconds=dur),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {math.ceil(dur)} ms\t"
                    f"Memory Size: 1024 MB\tMax Memory Used: {rng.randint(150, 190)} MB\t\n",
                )
            )
    # a few unrelated warnings in the ingest function
    for _ in range(5):
        ts = start + timedelta(minutes=rng.uniform(10, (now - start).total_seconds() / 60 - 5))
        rid = ids.uuid()
        logs.append(
            k.log(
                ingest_group,
                rng.choice(streams_ing),
                ts,
                f"{k.iso_ms(ts)}\t{rid}\tWARN\t"
                + json.dumps(
                    {
                        "level": "WARN",
                        "message": "dropping duplicate upload",
                        "service": "workout-ingest",
                        "reason": "same device and start time already stored",
                        "source": "garmin",
                    }
                )
                + "\n",
            )
        )
    logs = [r for r in logs if r["timestamp"] <= k.ms(now)]
    logs = k.sort_logs(logs)

    # --- resources ------------------------------------------------------------------------------------
    created = datetime(2022, 3, 14, 16, 2, 11, tzinfo=k.UTC) + timedelta(days=rng.randint(0, 60))
    last_act = [a for a in activities if a["StatusCode"] == "Successful" and "write" in a["Description"]]
    last_inc = (
        datetime.fromisoformat(last_act[-1]["StartTime"].replace("Z", "+00:00"))
        if last_act
        else last_increase
    )
    cur_w = int(sim[-1]["wcap"])
    cur_r = int(sim[-1]["rcap"])
    role_ingest = "stridepath-workout-ingest-role"
    role_feed = "stridepath-feed-read-role"
    resources: list[dict[str, Any]] = [
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [
                    {"AttributeName": "athleteId", "AttributeType": "S"},
                    {"AttributeName": "startedAt", "AttributeType": "S"},
                ],
                "TableName": tbl,
                "KeySchema": [
                    {"AttributeName": "athleteId", "KeyType": "HASH"},
                    {"AttributeName": "startedAt", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": k.iso(last_inc),
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": cur_r,
                    "WriteCapacityUnits": cur_w,
                },
                "TableSizeBytes": rng.randint(310, 380) * 1024**3,
                "ItemCount": rng.randint(118_000_000, 131_000_000),
                "TableArn": tbl_arn,
                "TableId": ids.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PROVISIONED",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                "LatestStreamLabel": k.iso_ms(created).replace("Z", ""),
                "LatestStreamArn": f"{tbl_arn}/stream/{k.iso_ms(created).replace('Z', '')}",
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{REGION}:{account}:key/{ids.uuid()}",
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        ),
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [{"AttributeName": "athleteId", "AttributeType": "S"}],
                "TableName": totals,
                "KeySchema": [{"AttributeName": "athleteId", "KeyType": "HASH"}],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created + timedelta(days=3)),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(900, 1300) * 1024**2,
                "ItemCount": rng.randint(2_100_000, 2_600_000),
                "TableArn": totals_arn,
                "TableId": ids.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created + timedelta(days=3)),
                },
                "TableClassSummary": {"TableClass": "STANDARD"},
                "DeletionProtectionEnabled": True,
            },
        ),
    ]
    for dim, mn, mx in (("ReadCapacityUnits", r_min, r_max), ("WriteCapacityUnits", w_min, w_max)):
        resources.append(
            k.res(
                "application-autoscaling",
                "ScalableTarget",
                {
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{tbl}",
                    "ScalableDimension": f"dynamodb:table:{dim}",
                    "MinCapacity": mn,
                    "MaxCapacity": mx,
                    "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                    "CreationTime": k.iso_ms(apply_at + timedelta(seconds=186)),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": False,
                        "DynamicScalingOutSuspended": False,
                        "ScheduledScalingSuspended": False,
                    },
                },
            )
        )
        kind_s = "read" if dim.startswith("Read") else "write"
        uid = tt_uuid_r if kind_s == "read" else tt_uuid_w
        resources.append(
            k.res(
                "application-autoscaling",
                "ScalingPolicy",
                {
                    "PolicyARN": f"arn:aws:autoscaling:{REGION}:{account}:scalingPolicy:{pol_uuid[kind_s]}:resource/dynamodb/table/{tbl}:policyName/{tbl}-{kind_s}-target",
                    "PolicyName": f"{tbl}-{kind_s}-target",
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{tbl}",
                    "ScalableDimension": f"dynamodb:table:{dim}",
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": f"DynamoDB{'Read' if kind_s == 'read' else 'Write'}CapacityUtilization"
                        },
                        "DisableScaleIn": False,
                    },
                    "Alarms": [
                        {
                            "AlarmName": f"TargetTracking-table/{tbl}-{kk}-{uid}",
                            "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{account}:alarm:TargetTracking-table/{tbl}-{kk}-{uid}",
                        }
                        for kk in ("AlarmHigh", "AlarmLow")
                    ],
                    "CreationTime": k.iso_ms(apply_at + timedelta(seconds=189)),
                },
            )
        )
    for fn, role, mem, _ver, modified, handler in (
        (fn_ingest, role_ingest, 512, "44", start - timedelta(days=rng.randint(6, 15)), "index.handler"),
        (fn_feed, role_feed, 1024, "58", feed_deploy + timedelta(seconds=4), "index.handler"),
    ):
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                    "Runtime": "nodejs20.x",
                    "Role": f"arn:aws:iam::{account}:role/{role}",
                    "Handler": handler,
                    "CodeSize": rng.randint(380_000, 900_000),
                    "Description": "",
                    "Timeout": 10 if fn == fn_ingest else 6,
                    "MemorySize": mem,
                    "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": ids.alnum(43) + "=",
                    "Version": "$LATEST",
                    "Environment": {
                        "Variables": {
                            "WORKOUTS_TABLE": tbl,
                            "TOTALS_TABLE": totals,
                            "POWERTOOLS_SERVICE_NAME": fn.replace("stridepath-", ""),
                            "NODE_OPTIONS": "--enable-source-maps",
                        }
                    },
                    "TracingConfig": {"Mode": "Active"},
                    "RevisionId": ids.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
                },
            )
        )
        resources.append(
            k.res(
                "iam", "Role", k.iam_role_item(role, account, ids.role_id(), created, "lambda.amazonaws.com")
            )
        )
    root_id = ids.alnum(10)
    resources.append(
        k.res(
            "apigateway",
            "RestApi",
            {
                "id": api_id,
                "name": api_name,
                "description": "Stridepath mobile sync API",
                "createdDate": k.iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": root_id,
                "tags": {"service": "sync", "env": "prod"},
            },
        )
    )
    resources.append(
        k.res(
            "apigateway",
            "RestApiStage",
            {
                "restApiId": api_id,
                "deploymentId": ids.alnum(6),
                "stageName": stage,
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "ERROR",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 5000,
                        "throttlingRateLimit": 10000.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": "$context.requestId $context.status",
                    "destinationArn": f"arn:aws:logs:{REGION}:{account}:log-group:{access_group}",
                },
                "tracingEnabled": True,
                "createdDate": k.iso(created),
                "lastUpdatedDate": k.iso(start - timedelta(days=rng.randint(20, 40))),
            },
        )
    )
    res_ids = {}
    methods: dict[str, Any]
    for path, methods in (
        ("/v1/workouts", {"POST": {}}),
        ("/v1/workouts/{workoutId}", {"GET": {}}),
        ("/v1/feed", {"GET": {}}),
    ):
        rid = ids.alnum(6)
        res_ids[path] = rid
        resources.append(
            k.res(
                "apigateway",
                "RestApiResource",
                {
                    "restApiId": api_id,
                    "id": rid,
                    "parentId": root_id,
                    "pathPart": path.rsplit("/", 1)[-1],
                    "path": path,
                    "resourceMethods": methods,
                },
            )
        )
        fn = fn_ingest if path == "/v1/workouts" else fn_feed
        resources.append(
            k.res(
                "apigateway",
                "MethodIntegration",
                {
                    "restApiId": api_id,
                    "resourceId": rid,
                    "httpMethod": next(iter(methods)),
                    "type": "AWS_PROXY",
                    "uri": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:{REGION}:{account}:function:{fn}:live/invocations",
                    "passthroughBehavior": "WHEN_NO_MATCH",
                    "timeoutInMillis": 29000,
                    "cacheNamespace": rid,
                    "cacheKeyParameters": [],
                },
            )
        )
    for grp, ret in ((ingest_group, 30), (feed_group, 30), (access_group, 14)):
        resources.append(
            k.res(
                "logs",
                "LogGroup",
                k.log_group_item(grp, account, REGION, created, ret, rng.randint(10**9, 9 * 10**10)),
            )
        )

    events = [{"source": "application_autoscaling", "item": a} for a in activities]

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": tbl,
                    "category": "change",
                    "failure_mode": "capacity-mode-switched-to-provisioned-with-low-autoscaling-max",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [tbl_arn, f"table/{tbl}"],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"The morning Terraform apply switched {tbl} from on-demand to provisioned capacity, with write "
                    f"auto scaling capped at {w_max} WCU.",
                    f"At the evening sync peak the write demand on {tbl} exceeded {w_max} WCU and PutItem calls were throttled.",
                    f"{fn_ingest} exhausted its SDK retries and returned 500 for the throttled uploads (its Lambda Errors stay zero).",
                    f"{api_name} {stage} 5XXError rose and the stridepath-sync-api-5xx alarm fired.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )


def _activity(ids: k.Ids, tbl: str, dim: str, old: int, new: int, at: datetime, uid: str) -> dict[str, Any]:
    word = "write" if dim == "Write" else "read"
    return {
        "ActivityId": ids.uuid(),
        "ServiceNamespace": "dynamodb",
        "ResourceId": f"table/{tbl}",
        "ScalableDimension": f"dynamodb:table:{dim}CapacityUnits",
        "Description": f"Setting {word} capacity units to {new}.",
        "Cause": f"monitor alarm TargetTracking-table/{tbl}-Alarm{'High' if new > old else 'Low'}-{uid} in state "
        f"ALARM triggered policy {tbl}-{word}-target",
        "StartTime": k.iso_ms(at),
        "EndTime": k.iso_ms(at + timedelta(seconds=41)),
        "StatusCode": "Successful",
        "StatusMessage": f"Successfully set {word} capacity units to {new}. Change successfully fulfilled by dynamodb.",
    }


def _not_scaled(ids: k.Ids, tbl: str, want: int, mx: int, at: datetime, uid: str) -> dict[str, Any]:
    return {
        "ActivityId": ids.uuid(),
        "ServiceNamespace": "dynamodb",
        "ResourceId": f"table/{tbl}",
        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
        "Description": f"Attempting to set write capacity units to {want}.",
        "Cause": f"monitor alarm TargetTracking-table/{tbl}-AlarmHigh-{uid} in state ALARM triggered policy {tbl}-write-target",
        "StartTime": k.iso_ms(at),
        "EndTime": k.iso_ms(at),
        "StatusCode": "Failed",
        "StatusMessage": f"Failed to set write capacity units to {want}. Reason: the desired capacity is above the "
        f"maximum capacity of {mx}.",
        "NotScaledReasons": [{"Code": "AlreadyAtMaxCapacity", "MaxCapacity": mx, "CurrentCapacity": mx}],
    }


def _lambda_deploy(
    ids: k.Ids, p: k.Principal, fn: str, at: datetime, account: str, rng: random.Random, version: int
) -> list[dict[str, Any]]:
    arn = f"arn:aws:lambda:{REGION}:{account}:function:{fn}"
    sha = ids.alnum(43) + "="
    key = f"{fn}/{ids.hex(40)}.zip"
    cli_minor = rng.randint(20, 40)
    out = [
        k.ct(
            ids,
            REGION,
            at,
            p,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": fn,
                "s3Bucket": f"stridepath-artifacts-{account}-{REGION}",
                "s3Key": key,
                "publish": False,
                "dryRun": False,
                "architectures": ["arm64"],
            },
            {
                "functionName": fn,
                "functionArn": arn,
                "runtime": "nodejs20.x",
                "codeSha256": sha,
                "version": "$LATEST",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
        ),
        k.ct(
            ids,
            REGION,
            at + timedelta(seconds=9),
            p,
            "lambda.amazonaws.com",
            "PublishVersion20150331",
            {"functionName": fn, "codeSha256": sha},
            {
                "functionName": fn,
                "functionArn": f"{arn}:{version}",
                "version": str(version),
                "codeSha256": sha,
                "state": "Active",
                "lastUpdateStatus": "Successful",
            },
        ),
        k.ct(
            ids,
            REGION,
            at + timedelta(seconds=12),
            p,
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            {"functionName": fn, "name": "live", "functionVersion": str(version)},
            {
                "aliasArn": f"{arn}:live",
                "name": "live",
                "functionVersion": str(version),
                "revisionId": ids.uuid(),
            },
        ),
    ]
    for r in out:
        cmd = {
            "UpdateFunctionCode20150331v2": "update-function-code",
            "PublishVersion20150331": "publish-version",
            "UpdateAlias20150331": "update-alias",
        }[r["eventName"]]
        r["userAgent"] = k.CLI_UA.format(n=cli_minor, cmd="lambda." + cmd)
    return out
