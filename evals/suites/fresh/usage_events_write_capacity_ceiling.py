"""Event ingest 500s: a tenant's backfill drives the usage-events table to its auto-scaling maximum write capacity."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzn import World, access_line, iso, std_ct_noise

NAME = "usage-events-write-capacity-ceiling"
TITLE = "Customers say event uploads to the API fail with 500s since mid-afternoon"
SUMMARY = (
    "A large tenant's historical backfill pushed writes on a provisioned DynamoDB table past the auto-scaling "
    "maximum; writes throttle, the ingest Lambda gives up and the API returns 500 to every tenant."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    start = w.day + timedelta(hours=r.randint(15, 16), minutes=r.choice([0, 10, 20, 30]))
    onset = start + timedelta(hours=3, minutes=r.randint(10, 35))
    now = onset + timedelta(minutes=r.randint(40, 60))
    api_id = w.alnum(10)
    stage = "v1"
    api_name = "ingest-api"
    access_group = f"/aws/apigateway/{api_name}-access"
    waf_arn = f"arn:aws:wafv2:{w.region}:{w.account}:regional/webacl/ingest-api-acl/{w.uid()}"
    table = "usage-events"
    ingest, query, auth = "event-ingest", "usage-query-api", "ingest-api-authorizer"
    max_wcu = r.choice([800, 1000, 1200])
    min_wcu = max_wcu // 5
    base_wps = int(max_wcu * r.uniform(0.28, 0.36))
    surge_wps = int(max_wcu * r.uniform(1.45, 1.8))
    big_tenant = r.choice(["tn_northwind", "tn_halcyonfreight", "tn_meridianlabs", "tn_orbitpay"])
    big_key = w.alnum(10)

    def wps(t: datetime) -> float:
        h = (t - start).total_seconds() / 3600
        b = base_wps * (1 + 0.1 * math.sin(h)) * (0.95 + 0.1 * r.random())
        if t >= onset:
            frac = min(1.0, (t - onset).total_seconds() / 600)
            b += (surge_wps - base_wps) * frac
        return b

    # provisioned capacity over time: auto scaling follows at 70% target until the maximum
    cap_steps: list[tuple[datetime, int]] = [(start - timedelta(days=1), int(base_wps / 0.55))]
    scale_times = [onset + timedelta(minutes=3), onset + timedelta(minutes=6)]
    cap_steps.append((scale_times[0], min(max_wcu, int(base_wps * 2.2 / 0.7))))
    cap_steps.append((scale_times[1], max_wcu))

    def cap(t: datetime) -> int:
        c = cap_steps[0][1]
        for at, v in cap_steps:
            if t >= at:
                c = v
        return c

    # --- resources -------------------------------------------------------------------------
    w.rest_api(api_id, api_name, stage, w.alnum(6), access_group, waf_arn)
    w.res(
        "logs",
        "LogGroup",
        {"logGroupName": access_group, "creationTime": 1620000000000, "retentionInDays": 30},
    )
    plan_ent = w.alnum(6)
    w.usage_plan(plan_ent, "enterprise", api_id, stage, 2000.0, 4000, 500_000_000)
    w.usage_plan(w.alnum(6), "growth", api_id, stage, 200.0, 400, 50_000_000)
    w.usage_plan(w.alnum(6), "starter", api_id, stage, 20.0, 40, 2_000_000)
    fn_mod = start - timedelta(hours=r.randint(20, 30))
    w.lambda_fn(
        ingest,
        "nodejs20.x",
        1024,
        15,
        fn_mod,
        {"EVENTS_TABLE": table, "AWS_NODEJS_CONNECTION_REUSE_ENABLED": "1"},
    )
    w.lambda_fn(query, "nodejs20.x", 1024, 29, w.day - timedelta(days=12), {"EVENTS_TABLE": table})
    w.lambda_fn(auth, "nodejs20.x", 256, 5, w.day - timedelta(days=60), {"KEYS_TABLE": "api-keys"})
    w.table(
        table, "tenantId", r.randint(400_000_000, 900_000_000), provisioned=(2000, max_wcu), gsi="eventType"
    )
    w.table("api-keys", "keyId", r.randint(3000, 9000))
    sid = w.uid()
    w.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": min_wcu,
            "MaxCapacity": max_wcu,
            "RoleARN": f"arn:aws:iam::{w.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "CreationTime": iso(w.day - timedelta(days=400)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": f"arn:aws:application-autoscaling:{w.region}:{w.account}:scalable-target/{sid[:8]}{w.hexid(24)}",
        },
    )
    high_name = f"TargetTracking-table/{table}-AlarmHigh-{w.uid()}"
    low_name = f"TargetTracking-table/{table}-AlarmLow-{w.uid()}"
    w.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{w.region}:{w.account}:scalingPolicy:{w.uid()}:resource/dynamodb/table/{table}:policyName/$usage-events-scaling-policy-write",
            "PolicyName": f"${table}-scaling-policy-write",
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {"AlarmName": high_name, "AlarmARN": w.arn("cloudwatch", f"alarm:{high_name}")},
                {"AlarmName": low_name, "AlarmARN": w.arn("cloudwatch", f"alarm:{low_name}")},
            ],
            "CreationTime": iso(w.day - timedelta(days=400)),
        },
    )
    prev = cap_steps[0][1]
    for at, v in cap_steps[1:]:
        w.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": w.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {v}.",
                    "Cause": f"monitor alarm {high_name} in state ALARM triggered policy ${table}-scaling-policy-write",
                    "StartTime": iso(at - timedelta(seconds=20)),
                    "EndTime": iso(at + timedelta(seconds=r.randint(40, 90))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {v}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        prev = v
    del prev

    # --- CloudTrail ------------------------------------------------------------------------
    std_ct_noise(w, start, now, [table, "api-keys"], 42)
    aas = w.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AutoScaling-UpdateTableSession"
    )
    aas["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{w.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    for at, v in cap_steps[1:]:
        w.ct(
            at - timedelta(seconds=15),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            aas,
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 2000, "writeCapacityUnits": v},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "writeCapacityUnits": cap(at - timedelta(minutes=1)),
                        "readCapacityUnits": 2000,
                    },
                }
            },
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
    for k in range(10):
        w.ct(
            start + timedelta(minutes=21 * k + r.randint(0, 15)),
            "dynamodb.amazonaws.com",
            "DescribeTable",
            aas,
            {"tableName": table},
            None,
            read_only=True,
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
    ci = w.role_identity("github-actions-deploy", "GitHubActions")
    w.ct(
        fn_mod,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": ingest,
            "publish": False,
            "s3Bucket": f"saas-artifacts-{w.account}",
            "s3Key": f"event-ingest/{w.hexid(40)}.zip",
        },
        {"functionName": ingest, "lastUpdateStatus": "InProgress", "version": "$LATEST"},
    )
    onboard = w.role_identity("tenant-onboarding-role", "tenant-onboarding")
    new_key = w.alnum(10)
    t_key = onset - timedelta(minutes=r.randint(15, 35))
    w.ct(
        t_key,
        "apigateway.amazonaws.com",
        "CreateApiKey",
        onboard,
        {"createApiKeyInput": {"name": f"tn_{w.alnum(6)}-prod", "enabled": True, "generateDistinctId": True}},
        {"id": new_key, "name": "redacted", "enabled": True, "createdDate": iso(t_key)},
    )
    w.ct(
        t_key + timedelta(seconds=2),
        "apigateway.amazonaws.com",
        "CreateUsagePlanKey",
        onboard,
        {"usagePlanId": w.alnum(6), "createUsagePlanKeyInput": {"keyId": new_key, "keyType": "API_KEY"}},
        {"id": new_key, "type": "API_KEY", "name": "redacted"},
    )
    w.ct(
        onset - timedelta(minutes=r.randint(50, 80)),
        "apigateway.amazonaws.com",
        "UpdateStage",
        w.sso_identity("r.achterberg"),
        {
            "restApiId": api_id,
            "stageName": stage,
            "patchOperations": [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}],
        },
        None,
        agent="console.amazonaws.com",
    )

    # --- metrics ---------------------------------------------------------------------------
    times = w.minutes(start, now)
    per_min = {t: wps(t) for t in times}
    jit = {t: r.random() for t in times}
    tdims = {"TableName": table}

    def consumed(t: datetime) -> float:
        return min(per_min[t], cap(t) * (0.975 + 0.02 * jit[t])) * 60

    def throttled(t: datetime) -> int:
        over = per_min[t] - cap(t)
        return int(over * 60 * 0.9) if over > 0 else 0

    w.count_series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, times, consumed)
    w.count_series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tdims, times, lambda t: float(cap(t)))
    w.count_series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdims,
        times,
        lambda t: 60 * 300 * (0.9 + 0.2 * r.random()),
    )
    w.count_series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", tdims, times, lambda t: 2000.0)
    w.count_series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdims,
        times,
        lambda t: float(throttled(t)) if throttled(t) else None,
    )
    w.count_series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": table, "Operation": "BatchWriteItem"},
        times,
        lambda t: float(throttled(t) // 25 + 1) if throttled(t) else None,
    )
    w.latency_series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "BatchWriteItem"},
        times,
        lambda t: (int(per_min[t] * 60 / 25), 7.5, 24.0),
    )
    w.latency_series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "Query"},
        times,
        lambda t: (600, 4.1, 18.0),
    )
    # API: every request carries a batch of ~25 events
    dims_api = {"ApiName": api_name, "Stage": stage}

    def reqs(t: datetime) -> int:
        return int(per_min[t] * 60 / 25) + 900

    noise = {t: r.random() for t in times}

    def fails(t: datetime) -> int:
        th = throttled(t)
        if not th:
            return 1 if noise[t] < 0.2 else 0
        # batches that exhaust their retries (SDK retries 3 times with backoff)
        return int(th / 25 * 0.35)

    w.count_series("AWS/ApiGateway", "Count", dims_api, times, lambda t: float(reqs(t)))
    w.rate_series("AWS/ApiGateway", "5XXError", dims_api, times, lambda t: (reqs(t), fails(t)))
    w.rate_series("AWS/ApiGateway", "4XXError", dims_api, times, lambda t: (reqs(t), int(reqs(t) * 0.012)))
    w.latency_series(
        "AWS/ApiGateway",
        "Latency",
        dims_api,
        times,
        lambda t: (reqs(t), 60.0 if not throttled(t) else 240.0, 400.0 if not throttled(t) else 3900.0),
    )
    idims = {"FunctionName": ingest}
    w.count_series("AWS/Lambda", "Invocations", idims, times, lambda t: float(reqs(t) - 900))
    w.count_series("AWS/Lambda", "Errors", idims, times, lambda t: float(fails(t)))
    w.count_series("AWS/Lambda", "Throttles", idims, times, lambda t: 0.0)
    w.latency_series(
        "AWS/Lambda",
        "Duration",
        idims,
        times,
        lambda t: (reqs(t) - 900, 45.0 if not throttled(t) else 210.0, 320.0 if not throttled(t) else 3800.0),
    )
    w.count_series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        idims,
        times,
        lambda t: float(int((reqs(t) - 900) / 60 * (0.05 if not throttled(t) else 0.4)) + 2),
    )
    qd = {"FunctionName": query}
    w.count_series("AWS/Lambda", "Invocations", qd, times, lambda t: float(800 + r.randint(0, 200)))
    w.count_series("AWS/Lambda", "Errors", qd, times, lambda t: float(r.random() < 0.05))
    w.latency_series("AWS/Lambda", "Duration", qd, times, lambda t: (800, 95.0, 900.0))

    # --- logs ------------------------------------------------------------------------------
    streams = [w.lambda_stream(start) for _ in range(4)]
    for i, t in enumerate(times):
        s = streams[i % 4]
        tenant = big_tenant if (t >= onset and r.random() < 0.7) else f"tn_{w.alnum(6)}"
        if throttled(t) and r.random() < 0.75:
            lines = [
                f"INFO\tbatch received tenant={tenant} events=25",
                "ERROR\tInvoke Error \t"
                '{"errorType":"ProvisionedThroughputExceededException","errorMessage":"The level of configured '
                "provisioned throughput for the table was exceeded. Consider increasing your provisioning level "
                'with the UpdateTable API.","name":"ProvisionedThroughputExceededException","$fault":"client",'
                '"$metadata":{"httpStatusCode":400,"requestId":"'
                + w.alnum(52).upper()
                + '","attempts":3,"totalRetryDelay":'
                + str(r.randint(180, 900))
                + '},"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}',
            ]
            w.lambda_invocation(
                f"/aws/lambda/{ingest}", s, t, r.uniform(900, 3900), 1024, r.randint(140, 190), lines
            )
        else:
            w.lambda_invocation(
                f"/aws/lambda/{ingest}",
                s,
                t + timedelta(seconds=r.randint(0, 50)),
                r.uniform(25, 90),
                1024,
                r.randint(120, 160),
                [
                    f"INFO\tbatch received tenant={tenant} events=25",
                    f"INFO\twritten tenant={tenant} events=25 unprocessed=0",
                ],
            )
    astream = w.hexid(32)
    for t in times:
        for _ in range(2):
            at = t + timedelta(seconds=r.randint(0, 59))
            big = t >= onset and r.random() < 0.65
            bad = throttled(t) and r.random() < 0.3
            w.log(
                access_group,
                astream,
                at,
                access_line(
                    w.uid(),
                    w.ip(),
                    at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                    "POST",
                    "/events",
                    "500" if bad else "202",
                    36 if bad else 58,
                    big_key if big else w.alnum(10),
                    big_tenant if big else f"tn_{w.alnum(6)}",
                    r.randint(900, 3900) if bad else r.randint(20, 120),
                    "Internal server error" if bad else "-",
                ),
            )

    # --- alarms ----------------------------------------------------------------------------
    topic = w.arn("sns", "ingest-oncall")
    first_throttle = next(t for t in times if throttled(t))
    high = w.alarm(
        high_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        "Sum",
        float(int(max_wcu * 0.7 * 60)),
        evals=2,
        state="ALARM",
        reason=f"Threshold Crossed: 2 datapoints [{max_wcu * 60.0}, {max_wcu * 60.0 - 12}] were greater than the threshold ({max_wcu * 0.7 * 60:.1f}).",
        updated=scale_times[1] + timedelta(minutes=3),
        desc=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{w.region}:{w.account}:scalingPolicy.",
    )
    high["AlarmActions"] = [
        f"arn:aws:autoscaling:{w.region}:{w.account}:scalingPolicy:{w.uid()}:resource/dynamodb/table/{table}:policyName/${table}-scaling-policy-write"
    ]
    w.transition(
        high,
        onset + timedelta(minutes=2),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold.",
    )
    w.transition(
        high,
        scale_times[0] + timedelta(minutes=1),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint was not greater than the threshold.",
    )
    w.transition(
        high,
        scale_times[1] - timedelta(minutes=1),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold.",
    )
    low = w.alarm(
        low_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        "Sum",
        float(int(cap_steps[0][1] * 0.2 * 60)),
        period=60,
        evals=15,
        op="LessThanThreshold",
        updated=start - timedelta(days=1),
    )
    low["AlarmDescription"] = high["AlarmDescription"]
    thr = w.alarm(
        f"{table}-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdims,
        "Sum",
        100,
        evals=3,
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0).",
        updated=first_throttle + timedelta(minutes=3),
        topic=topic,
    )
    w.transition(thr, first_throttle + timedelta(minutes=3), "OK", "ALARM", thr["StateReason"])
    a5 = w.alarm(
        f"{api_name}-{stage}-5xx",
        "AWS/ApiGateway",
        "5XXError",
        dims_api,
        "Sum",
        50,
        evals=5,
        dtp=3,
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 5 datapoints were greater than the threshold (50.0).",
        updated=first_throttle + timedelta(minutes=5),
        topic=topic,
    )
    w.transition(a5, first_throttle + timedelta(minutes=5), "OK", "ALARM", a5["StateReason"])
    w.alarm(
        "usage-query-api-errors",
        "AWS/Lambda",
        "Errors",
        qd,
        "Sum",
        10,
        evals=3,
        updated=start - timedelta(days=5),
        topic=topic,
    )

    tz = r.choice(["America/New_York", "America/Chicago", "Europe/London"])
    local = (onset + timedelta(minutes=r.randint(4, 12))).astimezone(ZoneInfo(tz))
    clock = local.strftime("%-I:%M%p").lower()
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Support has tickets from a few customers saying event uploads are failing with 500 "
                f"errors since around {clock}, and the ingest 5xx alarm is going off. Is the API down? "
                "Nothing was deployed today as far as I know.",
                "alarm_event": None,
                "timezone": tz,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": table,
                    "category": "limit",
                    "failure_mode": "dynamodb-write-capacity-at-autoscaling-max",
                },
                "also_accept": [f"table/{table}", w.arn("dynamodb", f"table/{table}")],
                "actions": ["scale", "reconfigure"],
                "chain": [table, ingest, f"{api_name}/{stage}"],
            },
        }
    )
    return Bundle(manifest, w.records())
