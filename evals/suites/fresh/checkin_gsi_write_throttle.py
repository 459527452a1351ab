"""Gate check-ins fail when doors open for a big event: the check-ins table's write capacity is
auto-scaled, but its global secondary index has a fixed, small provisioned write capacity and no scaling
target; once the index's burst credit is spent, DynamoDB throttles writes to the base table
(ProvisionedThroughputExceededException naming the under-provisioned GSI) and the API answers 503."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzm import (
    Ctx,
    Row,
    emit_api,
    emit_cloudfront,
    emit_lambda,
    iso,
    local_clock,
    tooling,
)

NAME = "checkin-gsi-write-throttle"
TITLE = "Gate scanners showing 'try again' when doors opened; check-in API 5xx alarm"
SUMMARY = "A fixed-capacity GSI throttles writes to the check-ins table at the event's opening rush; API returns 503."

GSI_MSG = (
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes "
    "with the UpdateTable API"
)


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME, onset_hour=(13, 14))
    r = ctx.r
    zone = "America/New_York"
    brand = r.choice(["gatepass", "turnstyle", "ticketbay", "boxline"])
    event_name = r.choice(
        ["Harbor Marathon expo", "Spring Home Show", "RiverFest day 2", "Comic Expo Saturday"]
    )
    event_id = f"EVT-{r.randint(10_000, 99_999)}"
    api_name = f"{brand}-checkin-api"
    scan_fn, lookup_fn, badge_fn = (
        f"{brand}-checkin-scan",
        f"{brand}-attendee-lookup",
        f"{brand}-badge-print-worker",
    )
    table, attendees = f"{brand}-checkins", f"{brand}-attendees"
    gsi = "event-status-index"
    gsi_wcu = r.choice([40, 50, 60])
    access_group = f"/aws/apigateway/{api_name}-prod-access"
    fmt = (
        '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",'
        '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status",'
        '"protocol":"$context.protocol","responseLength":"$context.responseLength",'
        '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
        '"errorMessage":"$context.error.message"}'
    )
    topic = ctx.topic(f"{brand}-platform-alerts")
    api_id, _ = ctx.rest_api(api_name, "prod", access_group, fmt)
    ctx.role(f"{brand}-checkin-lambda", "lambda.amazonaws.com")
    ctx.function(
        scan_fn,
        f"{brand}-checkin-lambda",
        memory=512,
        timeout=6,
        env={"CHECKINS_TABLE": table, "ATTENDEES_TABLE": attendees, "LOG_LEVEL": "INFO"},
    )
    lookup_deploy_t = ctx.onset - timedelta(minutes=r.randint(45, 70))
    ctx.function(
        lookup_fn,
        f"{brand}-checkin-lambda",
        memory=512,
        timeout=6,
        modified=lookup_deploy_t,
        env={"ATTENDEES_TABLE": attendees},
    )
    ctx.function(badge_fn, f"{brand}-checkin-lambda", memory=1024, timeout=30, env={"CHECKINS_TABLE": table})
    long_ago = ctx.start - timedelta(days=r.randint(30, 120))
    ctx.table(
        table,
        [("checkinId", "S", "HASH"), ("eventId", "S", ""), ("statusTs", "S", "")],
        on_demand=False,
        rcu=100,
        wcu=100,
        items=r.randint(3_000_000, 8_000_000),
        gsis=[
            {
                "IndexName": gsi,
                "KeySchema": [
                    {"AttributeName": "eventId", "KeyType": "HASH"},
                    {"AttributeName": "statusTs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "LastIncreaseDateTime": iso(long_ago),
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": gsi_wcu,
                    "WriteCapacityUnits": gsi_wcu,
                },
                "IndexSizeBytes": r.randint(10**9, 4 * 10**9),
                "ItemCount": r.randint(3_000_000, 8_000_000),
                "IndexArn": ctx.arn("dynamodb", f"table/{table}/index/{gsi}"),
            }
        ],
    )
    ctx.table(attendees, [("attendeeId", "S", "HASH")], items=r.randint(400_000, 2_000_000))
    ctx.log_group(access_group)
    for f in (scan_fn, lookup_fn, badge_fn):
        ctx.log_group(f"/aws/lambda/{f}", 14)
    pool = ctx.user_pool(f"{brand}-staff")
    as_role = f"arn:aws:iam::{ctx.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for dim, metric in (
        ("dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization"),
        ("dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
    ):
        ctx.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{table}",
                "ScalableDimension": dim,
                "MinCapacity": 100,
                "MaxCapacity": 4000,
                "RoleARN": as_role,
                "CreationTime": iso(ctx.start - timedelta(days=400)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
        pname = f"$${table}-scaling-policy".replace("$$", "") + ("-write" if "Write" in dim else "-read")
        ctx.res(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": f"arn:aws:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ctx.uid()}:resource/dynamodb/table/{table}:policyName/{pname}",
                "PolicyName": pname,
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{table}",
                "ScalableDimension": dim,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 70.0,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                },
                "CreationTime": iso(ctx.start - timedelta(days=400)),
            },
        )
    dist_id = "E" + ctx.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    # --- traffic: steady pre-registration, then the doors open -----------------------------------
    ramp = ctx.onset - timedelta(minutes=r.randint(9, 13))
    onset_m = ctx.onset.replace(second=0)
    peak = r.uniform(4300, 5600)  # scans a minute at the rush
    credit = float(gsi_wcu * 300)  # five minutes of unused capacity, banked
    api_rows: dict[datetime, Row] = {}
    scan_rows: dict[datetime, Row] = {}
    look_rows: dict[datetime, Row] = {}
    cf_rows: dict[datetime, Row] = {}
    throttled: dict[datetime, float] = {}
    gsi_used: dict[datetime, float] = {}
    base_used: dict[datetime, float] = {}
    table_wcu: dict[datetime, float] = {}
    wcu = 100.0
    for t in ctx.minutes():
        if t < ramp:
            scans = r.uniform(90, 170)
        else:
            k = min(1.0, (t - ramp).total_seconds() / 600)
            scans = (150 + (peak - 150) * k) * r.uniform(0.93, 1.07)
        demand = scans * 1.05  # WCU a minute the index needs (one index write per check-in, ~1 KB)
        cap = gsi_wcu * 60.0
        if t >= onset_m:
            credit = 0.0
        if demand <= cap:
            credit = min(gsi_wcu * 300.0, credit + (cap - demand))
            used, thr = demand, 0.0
        elif credit >= demand - cap:
            credit -= demand - cap
            used, thr = demand, 0.0
        else:
            used = cap + credit
            credit = 0.0
            thr = (demand - used) / 1.05
        # SDK retries resubmit throttled writes; each one is a throttle event
        events = thr * r.uniform(3.5, 5.0) if thr else 0.0
        failed = thr * r.uniform(0.55, 0.7) if thr else 0.0
        gsi_used[t] = used
        base_used[t] = used * 1.0 + scans * 0.02
        if thr:
            throttled[t] = events
        # table autoscaling follows the base table's own consumption
        util = base_used[t] / 60 / wcu * 100
        if util > 70 and t.minute % 2 == 0:
            wcu = min(4000.0, round(base_used[t] / 60 / 0.7))
        table_wcu[t] = wcu
        dur = r.uniform(35, 60) if not thr else r.uniform(900, 2600)
        timeouts = failed * r.uniform(0.05, 0.12)
        scan_rows[t] = {"inv": scans, "err": timeouts, "dur": dur, "conc": scans / 60 * dur / 1000 * 2}
        looks = scans * r.uniform(0.25, 0.35)
        look_rows[t] = {"inv": looks, "err": 0, "dur": r.uniform(18, 30), "conc": max(1, looks / 60 * 0.1)}
        api_rows[t] = {
            "count": scans + looks,
            "e4": (scans + looks) * r.uniform(0.004, 0.01),
            "e5": failed + r.choice([0, 0, 0, 1]),
            "lat": dur + 18,
            "integ": dur + 6,
        }
        cf_rows[t] = {
            "req": (scans + looks) * 1.2,
            "r4": r.uniform(0.3, 0.9),
            "r5": (failed / ((scans + looks) * 1.2)) * 100,
            "bytes": (scans + looks) * r.uniform(1800, 2400),
        }
    emit_api(ctx, api_name, "prod", api_rows)
    emit_lambda(ctx, scan_fn, scan_rows, cap_ms=6000)
    emit_lambda(ctx, lookup_fn, look_rows)
    emit_cloudfront(ctx, dist_id, cf_rows)
    gdims = {"TableName": table, "GlobalSecondaryIndexName": gsi}
    for t in ctx.minutes():
        ts = iso(t)
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": {"TableName": table},
                "timestamp": ts,
                "unit": "Count",
                "value": round(base_used[t], 1),
            }
        )
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": gdims,
                "timestamp": ts,
                "unit": "Count",
                "value": round(gsi_used[t], 1),
            }
        )
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedReadCapacityUnits",
                "dimensions": {"TableName": table},
                "timestamp": ts,
                "unit": "Count",
                "value": round(look_rows[t]["inv"] * 0.5 + r.uniform(0, 20), 1),
            }
        )
        if t.minute % 5 == 0:
            for dims, val in (({"TableName": table}, table_wcu[t]), (gdims, float(gsi_wcu))):
                ctx.metrics.append(
                    {
                        "namespace": "AWS/DynamoDB",
                        "metric": "ProvisionedWriteCapacityUnits",
                        "dimensions": dims,
                        "timestamp": ts,
                        "unit": "Count",
                        "value": val,
                    }
                )
        if t in throttled:
            ctx.metrics.append(
                {
                    "namespace": "AWS/DynamoDB",
                    "metric": "WriteThrottleEvents",
                    "dimensions": gdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(round(throttled[t])),
                }
            )
            ctx.metrics.append(
                {
                    "namespace": "AWS/DynamoDB",
                    "metric": "ThrottledRequests",
                    "dimensions": {"TableName": table, "Operation": "PutItem"},
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(round(throttled[t])),
                }
            )
        ctx.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "SuccessfulRequestLatency",
                "dimensions": {"TableName": table, "Operation": "PutItem"},
                "timestamp": ts,
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": float(round(scan_rows[t]["inv"])),
                    "Sum": round(scan_rows[t]["inv"] * r.uniform(4.5, 6.5), 2),
                    "Minimum": 2.9,
                    "Maximum": round(r.uniform(18, 40), 2),
                },
            }
        )

    # --- logs ------------------------------------------------------------------------------------
    streams = [ctx.stream_name(ctx.start) for _ in range(3)]
    for t in ctx.minutes():
        busy = t >= ramp
        if busy and r.random() < 0.3:
            streams.append(ctx.stream_name(t))
        for _ in range(4 if busy else 2):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            badge = f"{r.randint(100000, 999999)}"
            gate = f"G{r.randint(1, 24):02d}"
            s = r.choice(streams[-8:])
            if t in throttled and r.random() < 0.55:
                ctx.lambda_invocation(
                    scan_fn,
                    s,
                    at,
                    r.uniform(1400, 3100),
                    512,
                    r.randint(96, 118),
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tcheckin event={event_id} badge={badge} gate={gate}\n",
                        f"[ERROR]\t{{ts}}\t{{rid}}\tcheckin write failed event={event_id} badge={badge}: An error occurred "
                        f"(ProvisionedThroughputExceededException) when calling the PutItem operation (reached max retries: 9): "
                        f"{GSI_MSG}\n",
                        f"[INFO]\t{{ts}}\t{{rid}}\tresponding 503 event={event_id} badge={badge}\n",
                    ],
                )
            elif t in throttled and r.random() < 0.06:
                ctx.lambda_invocation(
                    scan_fn,
                    s,
                    at,
                    6000.0 + r.uniform(1, 9),
                    512,
                    r.randint(96, 118),
                    body=[f"[INFO]\t{{ts}}\t{{rid}}\tcheckin event={event_id} badge={badge} gate={gate}\n"],
                    timeout_s=6.0 + r.randint(1, 3) / 100,
                )
            else:
                ev = event_id if busy else f"EVT-{r.randint(10_000, 99_999)}"
                ctx.lambda_invocation(
                    scan_fn,
                    s,
                    at,
                    r.uniform(30, 70) if t not in throttled else r.uniform(200, 1400),
                    512,
                    r.randint(92, 112),
                    body=[
                        f"[INFO]\t{{ts}}\t{{rid}}\tcheckin event={ev} badge={badge} gate={gate}\n",
                        f"[INFO]\t{{ts}}\t{{rid}}\tcheckin ok event={ev} badge={badge} status=ADMITTED\n",
                    ],
                )
            status = 503 if (t in throttled and r.random() < 0.5) else 201
            lat = r.randint(1300, 3200) if status == 503 else r.randint(40, 90)
            ctx.access_log(
                access_group,
                api_id,
                "prod",
                at,
                "POST",
                "/events/{eventId}/checkins",
                status,
                lat + 16,
                lat,
                61 if status == 503 else r.randint(180, 240),
            )

    # --- application auto scaling of the table (not of the index) ------------------------------
    hi_name = f"TargetTracking-table/{table}-AlarmHigh-{ctx.uid()}"
    last = 100.0
    for t in ctx.minutes():
        if table_wcu[t] != last:
            desc = f"Setting write capacity units to {int(table_wcu[t])}."
            ctx.events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": ctx.uid(),
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": f"table/{table}",
                        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                        "Description": desc,
                        "Cause": f"monitor alarm {hi_name} in state ALARM triggered policy {table}-scaling-policy-write",
                        "StartTime": iso(t + timedelta(seconds=20)),
                        "EndTime": iso(t + timedelta(seconds=r.randint(40, 90))),
                        "StatusCode": "Successful",
                        "StatusMessage": "Successfully set write capacity units to "
                        f"{int(table_wcu[t])}. Change successfully fulfilled by dynamodb.",
                    },
                }
            )
            svc = {
                "type": "AssumedRole",
                "principalId": f"AROA{ctx.alnum(17)}:AutoScaling",
                "arn": f"arn:aws:sts::{ctx.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling",
                "accountId": ctx.account,
                "invokedBy": "application-autoscaling.amazonaws.com",
            }
            rec = ctx.trail(
                t + timedelta(seconds=25),
                "dynamodb.amazonaws.com",
                "UpdateTable",
                svc,
                {
                    "tableName": table,
                    "provisionedThroughput": {
                        "readCapacityUnits": 100,
                        "writeCapacityUnits": int(table_wcu[t]),
                    },
                },
                {
                    "tableDescription": {
                        "tableName": table,
                        "tableStatus": "UPDATING",
                        "tableArn": ctx.arn("dynamodb", f"table/{table}"),
                    }
                },
                agent="application-autoscaling.amazonaws.com",
                ip="application-autoscaling.amazonaws.com",
            )
            del rec["tlsDetails"]
            last = table_wcu[t]
    # the table item shows the capacity at `now`
    for x in ctx.resources:
        if x["item"].get("TableName") == table and "ProvisionedThroughput" in x["item"]:
            x["item"]["ProvisionedThroughput"]["WriteCapacityUnits"] = int(last)
            x["item"]["ProvisionedThroughput"]["LastIncreaseDateTime"] = iso(ctx.onset)

    # --- CloudTrail: the team's own preparation for the event, and tooling -----------------------
    tooling(ctx, [scan_fn, lookup_fn, badge_fn], [table, attendees], api_id)
    eng = r.choice(["sam.ortiz", "lee.brandt", "nina.kowalski", "omar.haddad"])
    dev = ctx.role_identity(
        f"AWSReservedSSO_PlatformEngineer_{ctx.hexs(16)}", f"{eng}@{brand}.io", console=True
    )
    stage_t = ctx.onset - timedelta(minutes=r.randint(70, 110))
    ctx.trail(
        stage_t,
        "apigateway.amazonaws.com",
        "UpdateStage",
        dev,
        {
            "restApiId": api_id,
            "stageName": "prod",
            "patchOperations": [
                {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "3000"},
                {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "5000"},
            ],
        },
        {"stageName": "prod", "restApiId": api_id},
        agent="AWS Internal",
        console=True,
    )
    for x in ctx.resources:
        if x["type"] == "RestApiStage":
            x["item"]["methodSettings"]["*/*"]["throttlingRateLimit"] = 3000.0
            x["item"]["methodSettings"]["*/*"]["throttlingBurstLimit"] = 5000
            x["item"]["lastUpdatedDate"] = iso(stage_t)
    ctx.trail(
        stage_t - timedelta(minutes=3),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        dev,
        {"tableName": table},
        None,
        read_only=True,
        agent="AWS Internal",
        console=True,
    )
    ctx.trail(
        stage_t - timedelta(minutes=2),
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        dev,
        {"serviceNamespace": "dynamodb", "resourceIds": [f"table/{table}"]},
        None,
        read_only=True,
        agent="AWS Internal",
        console=True,
    )
    ci = ctx.role_identity(f"{brand}-deploy", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0"
    )
    ctx.trail(
        lookup_deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": lookup_fn, "publish": False, "dryRun": False},
        {
            "functionName": lookup_fn,
            "functionArn": ctx.arn("lambda", f"function:{lookup_fn}"),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=ci_agent,
    )
    ctx.trail(
        lookup_deploy_t + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": lookup_fn},
        None,
        read_only=True,
        agent=ci_agent,
    )
    for _ in range(3):
        t = ctx.start + timedelta(minutes=r.randint(5, 200))
        ctx.trail(
            t,
            "cognito-idp.amazonaws.com",
            "AdminCreateUser",
            dev,
            {
                "userPoolId": pool,
                "username": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "desiredDeliveryMediums": ["EMAIL"],
            },
            {
                "user": {
                    "username": "HIDDEN_DUE_TO_SECURITY_REASONS",
                    "enabled": True,
                    "userStatus": "FORCE_CHANGE_PASSWORD",
                }
            },
            agent="AWS Internal",
            console=True,
        )

    # --- alarms ----------------------------------------------------------------------------------
    a5, t5 = ctx.auto_alarm(
        f"{api_name}-prod-5xx",
        "check-in API 5XX >= 20/min for 3 min",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": api_name, "Stage": "prod"},
        threshold=20,
        actions=[topic],
    )
    pol = (
        f"arn:aws:autoscaling:{ctx.region}:{ctx.account}:scalingPolicy:{ctx.uid()}:resource/dynamodb/"
        f"table/{table}:policyName/{table}-scaling-policy-write"
    )
    desc = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol}."
    ctx.auto_alarm(
        hi_name,
        desc,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        period=60,
        evals=2,
        threshold=4200,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[pol],
    )
    ctx.auto_alarm(
        f"TargetTracking-table/{table}-AlarmLow-{ctx.uid()}",
        desc,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        period=60,
        evals=15,
        threshold=3000,
        op="LessThanThreshold",
        missing="missing",
        actions=[pol],
    )
    ctx.auto_alarm(
        f"{scan_fn}-errors",
        "scan function errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": scan_fn},
        threshold=25,
        evals=3,
        actions=[topic],
    )
    ctx.auto_alarm(
        f"{attendees}-read-throttles",
        "attendees read throttling",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": attendees},
        threshold=1,
        evals=1,
        period=300,
        actions=[topic],
    )
    event = ctx.event_for(a5, t5)
    q = (
        f"Gate scanners at the {event_name} keep flashing 'try again' since doors opened around "
        f"{local_clock(ramp, zone)}. Lines are backing up. Is the check-in API down, or is it the staff sign-in?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": ctx.arn("dynamodb", f"table/{table}/index/{gsi}"),
            "category": "limit",
            "failure_mode": "gsi-provisioned-write-capacity-exceeded",
        },
        "also_accept": [gsi, f"{table}/{gsi}", table, ctx.arn("dynamodb", f"table/{table}")],
        "actions": ["scale", "reconfigure"],
        "chain": [gsi, table, scan_fn, api_name],
    }
    return ctx.bundle(TITLE, q, zone, truth, event)
