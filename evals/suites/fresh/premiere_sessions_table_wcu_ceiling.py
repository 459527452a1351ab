"""Premiere-night playback starts fail when the sessions table's write capacity hits its auto scaling maximum."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzj import Ctx, Platform, clock, ingest, iso

NAME = "premiere-sessions-table-wcu-ceiling"
TITLE = "Viewers getting 'Unable to start playback' during tonight's premiere"
SUMMARY = (
    "Premiere-night session writes outgrew the playback-sessions table's auto scaling maximum write "
    "capacity; writes were throttled and the session API failed playback starts."
)

TZ = "America/New_York"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, hours_before=4.0, minutes_after=40)
    r = c.rng
    onset = c.day + timedelta(hours=r.choice([0, 1]), minutes=r.randint(2, 20), seconds=r.randint(0, 59))
    c.set_onset(onset)
    p = Platform(c)
    p.build()
    p.noise(40)
    maxw = r.choice([2500, 3000, 4000])
    base = maxw * r.uniform(0.3, 0.38)
    table_arn = c.table(p.t_sessions, "sessionId", 1500, maxw, r.randint(2_000_000, 6_000_000))
    c.table(p.t_assets, "assetId", 200, 100, r.randint(40_000, 90_000), on_demand=True)
    c.table(p.t_subs, "accountId", 300, 150, r.randint(300_000, 900_000))
    rid = f"table/{p.t_sessions}"
    aas_role = f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    created = iso(c.day - timedelta(days=r.randint(200, 500)))
    c.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": 200,
            "MaxCapacity": maxw,
            "RoleARN": aas_role,
            "CreationTime": created,
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    c.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}:resource/dynamodb/{rid}:policyName/{p.t_sessions}-wcu-tt",
            "PolicyName": f"{p.t_sessions}-wcu-tt",
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [],
            "CreationTime": created,
        },
    )

    # demand: a premiere at the top of the hour lifts session writes well past the ceiling
    ramp_start = onset - timedelta(minutes=50)

    def demand(t: datetime) -> float:
        d = c.diurnal(t, base, 0.25, 1.0)
        if t >= ramp_start:
            k = min(1.0, (t - ramp_start).total_seconds() / 2700)
            d += k * maxw * r.uniform(0.85, 0.95)
        return c.noisy(d, 0.03)

    prov: dict[datetime, float] = {}
    hit = [c.now]
    level = float(round(base / 0.7, -1))
    steps: list[tuple[datetime, float, float]] = []
    t = c.start
    while t <= c.now:
        dm = demand(t)
        if (
            dm / level > 0.7 * 1.08
            and level < maxw
            and (not steps or t - steps[-1][0] > timedelta(minutes=6))
        ):
            new = float(min(maxw, round(dm / 0.7, -1)))
            steps.append((t + timedelta(minutes=3), level, new))
        if steps and steps[-1][0] <= t:
            level = steps[-1][2]
        prov[t] = level
        demand_at = dm
        consumed = min(demand_at, level * 1.0)
        c.records["metrics"].append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": {"TableName": p.t_sessions},
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(consumed * 60, 1),
            }
        )
        c.records["metrics"].append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ProvisionedWriteCapacityUnits",
                "dimensions": {"TableName": p.t_sessions},
                "timestamp": iso(t),
                "unit": "Count",
                "value": level,
            }
        )
        over = max(0.0, demand_at - level)
        if level >= maxw and over > 0.05 * maxw and t < hit[0]:
            hit[0] = t
        if over > 0:
            for metric, dims in (
                ("WriteThrottleEvents", {"TableName": p.t_sessions}),
                ("ThrottledRequests", {"TableName": p.t_sessions, "Operation": "PutItem"}),
            ):
                c.records["metrics"].append(
                    {
                        "namespace": "AWS/DynamoDB",
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": "Count",
                        "value": round(over * 60 * 0.4),
                    }
                )
        # the session API: one PutItem a playback start; a throttled write after SDK retries fails the request
        starts = demand_at * 60 / 1.5
        fail_share = over / demand_at if demand_at else 0
        fd = {"FunctionName": p.fn_playback}
        for metric, unit, val in (
            ("Invocations", "Count", round(starts)),
            ("Errors", "Count", round(starts * fail_share * 0.8)),
            ("Duration", "Milliseconds", c.noisy(24 + 900 * fail_share, 0.1)),
            ("ConcurrentExecutions", "Count", max(1, round(starts / 60 * (0.024 + 0.9 * fail_share)))),
        ):
            c.records["metrics"].append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": metric,
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": float(val),
                }
            )
        if over > 0 and r.random() < 0.8:
            for _ in range(r.randint(1, 3)):
                ts = t + timedelta(seconds=r.uniform(0, 59))
                req = c.uid()
                c.log(
                    f"/aws/lambda/{p.fn_playback}",
                    c.lambda_stream(ts),
                    ts,
                    f'{iso(ts)[:-1]}.{r.randint(100, 999)}Z\t{req}\tERROR\tcreateSession failed {{"errorType":"ProvisionedThroughputExceededException","errorMessage":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.","name":"ProvisionedThroughputExceededException","$fault":"client","$metadata":{{"httpStatusCode":400,"requestId":"{c.hexid(52).upper()}","attempts":3,"totalRetryDelay":{r.randint(180, 900)}}},"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}}\n',
                )
        elif r.random() < 0.1:
            ts = t + timedelta(seconds=r.uniform(0, 59))
            c.log(
                f"/aws/lambda/{p.fn_playback}",
                c.lambda_stream(ts),
                ts,
                f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z\t{c.uid()}\tWARN\tentitlement cache miss for account acct_{r.randint(10**6, 10**7)}, falling back to table read\n",
            )
        t += timedelta(minutes=1)

    aas_who = c.identity_role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AutoScaling-UpdateTable"
    )
    for when, old, new in steps:
        c.ct(
            when,
            aas_who,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "tableName": p.t_sessions,
                "provisionedThroughput": {"readCapacityUnits": 1500, "writeCapacityUnits": int(new)},
            },
            {
                "tableDescription": {
                    "tableName": p.t_sessions,
                    "tableArn": table_arn,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": 1500,
                        "writeCapacityUnits": int(old),
                        "numberOfDecreasesToday": 0,
                    },
                }
            },
            ua="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
        c.records["events"].append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": c.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(new)}.",
                    "Cause": f"monitor alarm TargetTracking-{rid}-AlarmHigh-{c.uid()} in state ALARM triggered policy {p.t_sessions}-wcu-tt",
                    "StartTime": iso(when),
                    "EndTime": iso(when + timedelta(seconds=r.randint(20, 70))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(new)}. Change successfully fulfilled by dynamodb.",
                },
            }
        )

    # the rest of the platform carries on
    p.deploy_code(onset - timedelta(minutes=r.randint(50, 100)), p.fn_catalog)
    p.invalidation(onset - timedelta(minutes=r.randint(20, 40)), ["/web/featured/*", "/index.html"])
    ingest(
        p, lambda t: c.diurnal(t, 0.5, 0.4, 19.0), lambda s, src: ("COMPLETE", r.uniform(140, 800), "", "")
    )
    p.lambda_metrics(
        p.fn_catalog,
        lambda t: c.noisy(c.diurnal(t, 1800)),
        lambda t: float(r.random() < 0.2),
        lambda t: c.noisy(47, 0.2),
    )
    p.cloudfront_metrics()

    # alarms
    onset = min(hit[0], onset)
    fire = onset.replace(second=0) + timedelta(minutes=r.randint(3, 6))
    reason = (
        f"Threshold Crossed: 2 out of the last 2 datapoints [{r.randint(300, 900)}.0 ({fire.strftime('%d/%m/%y %H:%M:%S')}), "
        f"{r.randint(100, 300)}.0 ({(fire - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold (50.0) "
        "(minimum 2 datapoints for OK -> ALARM transition)."
    )
    a = c.alarm(
        f"{c.brand}-playback-session-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.fn_playback},
        "Sum",
        300,
        2,
        50,
        "GreaterThanThreshold",
        "ALARM",
        reason,
        fire,
        p.ops_topic,
        desc="Playback session API errors (viewers cannot start streams)",
    )
    c.history(a["AlarmName"], fire, "OK", "ALARM", reason)
    tt = f"TargetTracking-{rid}-AlarmHigh-{c.uid()}"
    c.alarm(
        tt,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": p.t_sessions},
        "Sum",
        60,
        2,
        round(maxw * 0.7 * 60, 1),
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold.",
        steps[-1][0] - timedelta(minutes=3) if steps else onset,
        "arn:aws:autoscaling:" + c.region + ":" + c.account + ":scalingPolicy",
        desc=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {p.t_sessions}-wcu-tt",
    )
    c.alarm(
        f"{c.brand}-cf-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": p.dist_id, "Region": "Global"},
        "Average",
        300,
        3,
        1,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (1.0).",
        c.start - timedelta(days=6),
        p.ops_topic,
    )
    q = (
        f"lots of viewers getting 'Unable to start playback' since about {clock(onset + timedelta(minutes=2), TZ)}, "
        "right as the premiere went live. is cloudfront struggling with the traffic?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": p.t_sessions,
            "category": "limit",
            "failure_mode": "dynamodb-autoscaling-max-write-capacity",
        },
        "also_accept": [table_arn],
        "actions": ["scale"],
        "chain": [p.t_sessions, p.fn_playback],
    }
    return c.bundle(TITLE, {"question": q, "alarm_event": c.alarm_event(a, fire, reason)}, truth, TZ)
