"""A tenant's bulk send drives the provisioned audit-log table to its auto-scaling maximum; writes throttle."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzp import REGION, Scene, iso, traffic

NAME = "docsign-audit-table-wcu-ceiling"
TITLE = "API 5xx alarm mid-afternoon; envelope creation failing for some customers, others fine"
SUMMARY = (
    "A large tenant's bulk send pushed writes on the provisioned audit-log table past the auto-scaling "
    "maximum write capacity; PutItem throttles exhaust SDK retries and envelope calls return 500."
)


def build(seed: int) -> Bundle:
    sc = Scene(seed, NAME)
    r = sc.rng
    start = sc.day + timedelta(hours=15, minutes=r.randint(0, 60))
    onset = start + timedelta(hours=3, minutes=r.randint(10, 30), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(40, 55))
    bulk = onset - timedelta(minutes=r.randint(17, 24))
    max_wcu = r.choice([150, 200, 250])
    base_wcu = r.choice([60, 70, 80])
    sc.base_resources(audit_wcu=max_wcu, audit_max=max_wcu)
    a = sc.account
    table = "docsign-audit-log"
    table_arn = f"arn:aws:dynamodb:{REGION}:{a}:table/{table}"
    for res in sc.resources:
        if res["type"] == "TableDescription" and res["item"]["TableName"] == table:
            res["item"]["ProvisionedThroughput"]["LastIncreaseDateTime"] = iso(bulk + timedelta(minutes=12))
    peak = r.uniform(380, 520)
    bulk_rate = r.uniform(900, 1300)
    mid = round((base_wcu + max_wcu) / 2 / 10) * 10

    def provisioned(t: datetime) -> float:
        if t < bulk + timedelta(minutes=5):
            return base_wcu
        if t < bulk + timedelta(minutes=13):
            return mid
        return max_wcu

    def demand(t: datetime, v: float) -> float:
        # audit events are ~3 KB: every API call writes about three units
        extra = 0.0
        if t >= bulk:
            ramp = min(1.0, (t - bulk).total_seconds() / 600)
            extra = max_wcu * 60 * ramp * r.uniform(1.5, 1.9)
        return v * 3 + extra

    def mod(key: str, t: datetime, v: float) -> float:
        if key == "api.count" and t >= bulk:
            ramp = min(1.0, (t - bulk).total_seconds() / 600)
            return v + bulk_rate * ramp * r.uniform(0.9, 1.1)
        if key == "ddb.audit.wcu":
            d = demand(t, v)
            cap = provisioned(t) * 60 * (1.6 if t < onset else 1.0)
            return min(d, cap * r.uniform(0.97, 1.0))
        if t < onset:
            return v
        if key == "fn.docsign-envelopes-api.errors":
            return bulk_rate * r.uniform(0.25, 0.4)
        if key == "fn.docsign-envelopes-api.duration":
            return v * 3.2
        if key == "api.latency":
            return v * 2.6
        return v

    def hook(fn: str, t: datetime) -> tuple[float, list[tuple[str, str]], bool] | None:
        if fn != "docsign-envelopes-api" or t < onset or r.random() < 0.4:
            return None
        msg = (
            "The level of configured provisioned throughput for the table was exceeded. Consider increasing "
            "your provisioning level with the UpdateTable API."
        )
        err = {
            "errorType": "ProvisionedThroughputExceededException",
            "errorMessage": msg,
            "name": "ProvisionedThroughputExceededException",
            "$fault": "client",
            "$metadata": {
                "httpStatusCode": 400,
                "requestId": sc.alnum(52).upper(),
                "attempts": 3,
                "totalRetryDelay": r.randint(180, 900),
            },
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "stack": [
                f"ProvisionedThroughputExceededException: {msg}",
                "    at throwDefaultError (/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                "    at de_CommandError (/var/task/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2283:14)",
                "    at async appendAudit (/var/task/dist/audit.js:27:5)",
                "    at async createEnvelope (/var/task/dist/envelopes.js:112:3)",
                "    at async Runtime.main [as handler] (/var/task/dist/handler.js:54:18)",
            ],
        }
        return (
            float(r.randint(700, 1900)),
            [
                ("INFO", f"POST /v1/envelopes tenant=t_{sc.hexid(10)} recipients={r.randint(1, 40)}"),
                ("ERROR", "Invoke Error \t" + json.dumps(err, separators=(",", ":"))),
            ],
            False,
        )

    traffic(sc, start, now, peak, mod, hook)

    # provisioned capacity and throttles as DynamoDB publishes them
    t = start
    while t <= now:
        dims = {"TableName": table}
        sc.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dims, t, "Count", provisioned(t))
        sc.metric("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dims, t, "Count", 50)
        if t >= onset:
            thr = bulk_rate * r.uniform(0.9, 1.4)
            sc.metric("AWS/DynamoDB", "WriteThrottleEvents", dims, t, "Count", round(thr * 4))
            sc.metric(
                "AWS/DynamoDB", "ThrottledRequests", dims | {"Operation": "PutItem"}, t, "Count", round(thr)
            )
        t += timedelta(minutes=1)

    # application auto scaling: two scale-outs, then capped at the maximum
    svc = sc.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling-UpdateTable",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    svc["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{a}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    )
    hi = f"TargetTracking-table/{table}-AlarmHigh-{sc.uuid()}"
    for when, frm, to in (
        (bulk + timedelta(minutes=4), base_wcu, mid),
        (bulk + timedelta(minutes=12), mid, max_wcu),
    ):
        sc.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": sc.uuid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {to}.",
                    "Cause": f"monitor alarm {hi} in state ALARM triggered policy {table}-wcu-target-tracking",
                    "StartTime": iso(when),
                    "EndTime": iso(when + timedelta(seconds=r.randint(20, 70))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {to}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        sc.ct(
            when + timedelta(seconds=3),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            svc,
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 50, "writeCapacityUnits": to},
            },
            {
                "tableDescription": {
                    "tableName": table,
                    "tableArn": table_arn,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": 50,
                        "writeCapacityUnits": frm,
                        "numberOfDecreasesToday": 1,
                        "lastIncreaseDateTime": (when + timedelta(seconds=3)).strftime(
                            "%b %d, %Y, %I:%M:%S %p"
                        ),
                    },
                }
            },
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
    when = onset + timedelta(minutes=2)
    while when <= now:
        want = min(int(max_wcu * r.uniform(1.8, 2.6)), 40000)
        sc.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": sc.uuid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Attempting to set write capacity units to {want}.",
                    "Cause": f"monitor alarm {hi} in state ALARM triggered policy {table}-wcu-target-tracking",
                    "StartTime": iso(when),
                    "EndTime": iso(when),
                    "StatusCode": "Failed",
                    "StatusMessage": f"Failed to set write capacity units to {want}. Reason: The maximum capacity is {max_wcu}.",
                    "NotScaledReasons": [
                        {"Code": "AlreadyAtMaxCapacity", "MaxCapacity": max_wcu, "CurrentCapacity": max_wcu}
                    ],
                },
            }
        )
        when += timedelta(minutes=r.randint(5, 9))

    # innocent changes
    sc.deploy(onset - timedelta(minutes=r.randint(45, 60)), "docsign-envelopes-api")
    sc.deploy(start + timedelta(minutes=r.randint(20, 60)), "docsign-notify-signers")
    eng = sc.sso(r.choice(sc.engineers))
    sc.ct(
        onset - timedelta(minutes=r.randint(5, 12)),
        "ses.amazonaws.com",
        "UpdateConfigurationSetEventDestination",
        eng,
        {
            "configurationSetName": "docsign-transactional",
            "eventDestination": {
                "name": "bounces-to-sns",
                "enabled": True,
                "matchingEventTypes": ["bounce", "complaint", "reject"],
                "sNSDestination": {"topicARN": f"arn:aws:sns:{REGION}:{a}:docsign-ses-feedback"},
            },
        },
        None,
        agent="AWS Internal",
    )
    sc.noise_trail(start, now, 42)

    a5 = sc.alarm(
        "docsign-api-5xx",
        "HTTP API 5xx responses, all routes",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": sc.api_id, "Stage": "prod"},
        "Sum",
        25,
        evals=5,
        dta=3,
        state="ALARM",
        since=onset + timedelta(minutes=4),
        reason="Threshold Crossed: 3 out of the last 5 datapoints were greater than or equal to the threshold (25.0) "
        "(minimum 3 datapoints for OK -> ALARM transition).",
    )
    sc.transition(a5, onset + timedelta(minutes=4), "OK", "ALARM", a5["StateReason"])
    high = sc.alarm(
        hi,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy "
        f"arn:aws:autoscaling:{REGION}:{a}:scalingPolicy:{sc.uuid()}:resource/dynamodb/table/{table}:policyName/{table}-wcu-target-tracking.",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        "Sum",
        float(max_wcu * 60 * 0.7),
        evals=2,
        op="GreaterThanThreshold",
        state="ALARM",
        since=bulk + timedelta(minutes=3),
        reason="Threshold Crossed: 2 datapoints were greater than the threshold.",
        missing="missing",
    )
    high["AlarmActions"] = [
        f"arn:aws:autoscaling:{REGION}:{a}:scalingPolicy:{sc.uuid()}:resource/dynamodb/table/{table}:policyName/{table}-wcu-target-tracking"
    ]
    high["OKActions"] = []
    sc.transition(high, bulk + timedelta(minutes=3), "OK", "ALARM", high["StateReason"])
    flap = sc.alarm(
        "docsign-webhook-dispatcher-errors",
        "Webhook deliveries failing (customer endpoints)",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "docsign-webhook-dispatcher"},
        "Sum",
        5,
        evals=1,
        state="OK",
        since=start + timedelta(minutes=101),
    )
    sc.transition(
        flap,
        start + timedelta(minutes=88),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [7.0] was greater than or equal to the threshold (5.0).",
    )
    sc.transition(
        flap,
        start + timedelta(minutes=101),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (5.0).",
    )

    question = (
        "5xx alarm on the public API. A couple of customers say creating envelopes errors out, but most of "
        "the app works for me. We shipped envelopes-api earlier this afternoon, should I roll it back?"
    )
    ev = sc.alarm_event(a5, onset + timedelta(minutes=4), a5["StateReason"], sc.day - timedelta(days=5))
    return sc.bundle(
        TITLE,
        start,
        now,
        {"question": question, "alarm_event": ev, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": table,
                "category": "limit",
                "failure_mode": "dynamodb-autoscaling-max-write-capacity",
            },
            "also_accept": [table_arn, f"table/{table}"],
            "actions": ["scale"],
            "chain": [table, "docsign-envelopes-api", "docsign-public-api"],
        },
    )
