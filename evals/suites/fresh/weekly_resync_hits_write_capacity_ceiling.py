"""The weekly full stock resync pushes inventory-levels' write demand past its auto scaling maximum:
writes throttle, the resync fails and live deltas back up behind the throttling."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzq import Inc, Retail, iso

NAME = "weekly-resync-hits-write-capacity-ceiling"
TITLE = "inventory-levels write throttling page during the night"
SUMMARY = (
    "The Sunday full resync needs more write capacity than inventory-levels' auto scaling maximum; "
    "capacity sits at the ceiling, BatchWriteItem throttles, the resync execution fails and deltas lag."
)


def build(seed: int) -> Bundle:
    i = Inc(seed)
    r = i.r
    day = i.day - timedelta(days=i.day.weekday()) + timedelta(days=6)  # a Sunday
    i.day = day
    i.onset = day + timedelta(hours=7)
    i.start = i.onset - timedelta(hours=4)
    i.now = i.onset + timedelta(minutes=r.randint(50, 75))
    env = Retail(i)
    on = i.onset
    cap_max = r.choice([1500, 2000, 2500])
    cap_min = 100
    demand = cap_max * r.uniform(1.45, 1.8)
    tid = f"table/{env.table}"
    dim = "dynamodb:table:WriteCapacityUnits"

    # capacity steps, as target tracking (70%) scales out to the ceiling
    steps: list[tuple[datetime, int]] = [(i.start, cap_min)]
    t = on + timedelta(minutes=r.randint(3, 5))
    c = cap_min
    while c < cap_max:
        c = min(cap_max, round(max(c * 2.2, 400) / 10) * 10)
        steps.append((t, c))
        t += timedelta(minutes=r.randint(4, 7))
    ceiling_at = steps[-1][0]

    def cap(t: datetime) -> float:
        v = cap_min
        for st, val in steps:
            if t >= st:
                v = val
        return float(v)

    def resync(t: datetime) -> bool:
        return t >= on

    def extra(t: datetime) -> float:
        if not resync(t):
            return 0.0
        return min(demand, cap(t) * r.uniform(0.99, 1.06)) * 60 * r.uniform(0.97, 1.0)

    def throttled(t: datetime) -> float:
        if not resync(t):
            return 0.0
        over = max(0.0, demand - cap(t))
        return over * 60 / 25 * r.uniform(0.8, 1.1)

    def ok(t: datetime) -> float:
        return 1.0 if throttled(t) == 0 else r.uniform(0.62, 0.8)

    def age(t: datetime) -> float:
        if not resync(t):
            return r.uniform(1, 9)
        return min((t - on).total_seconds() * 0.6, 3000) * r.uniform(0.9, 1.0) + r.uniform(1, 20)

    def backlog(t: datetime) -> float:
        return r.uniform(0, 25) if not resync(t) else (t - on).total_seconds() / 60 * env.base_rate * 0.2

    def repl(t: datetime) -> float:
        return r.uniform(700, 1300) if not resync(t) else r.uniform(1800, 4200)

    env.pipeline(
        apply_ok=ok, age=age, backlog=backlog, wcu_extra=extra, throttled=throttled, wcu_cap=cap, repl_ms=repl
    )
    sma = {"StateMachineArn": env.sm_arn}
    fail_at = on + timedelta(minutes=r.randint(34, 44))
    for t in i.minutes():
        if t == on:
            i.put("AWS/States", "ExecutionsStarted", sma, t, "Count", 1)
        if t == fail_at.replace(second=0):
            i.put("AWS/States", "ExecutionsFailed", sma, t, "Count", 1)
            i.put(
                "AWS/States", "ExecutionTime", sma, t, "Milliseconds", (fail_at - on).total_seconds() * 1000
            )
        if resync(t):
            fp = {"FunctionName": env.fn_page}
            i.put("AWS/Lambda", "Invocations", fp, t, "Count", r.randint(7, 12))
            i.put("AWS/Lambda", "Errors", fp, t, "Count", 0 if t < ceiling_at else r.randint(1, 5))
            i.put_stats(
                "AWS/Lambda",
                "Duration",
                fp,
                t,
                "Milliseconds",
                9,
                r.uniform(38000, 52000) if t < ceiling_at else r.uniform(90000, 160000),
                20000,
                r.uniform(170000, 240000),
            )
            i.put("AWS/Lambda", "ConcurrentExecutions", fp, t, "Count", 8)

    # resources: provisioned table, scaling target and policy
    table = env.table_desc(
        env.table,
        "PROVISIONED",
        wcu=cap_max,
        rcu=r.choice([400, 600, 800]),
        items=r.randint(4_000_000, 9_000_000),
    )
    table["ProvisionedThroughput"]["LastIncreaseDateTime"] = iso(ceiling_at)
    env.build_resources(table=table)
    role = f"arn:aws:iam::{i.acct}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    i.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": tid,
            "ScalableDimension": dim,
            "MinCapacity": cap_min,
            "MaxCapacity": cap_max,
            "RoleARN": role,
            "CreationTime": iso(i.start - timedelta(days=420)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    i.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": tid,
            "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
            "MinCapacity": 100,
            "MaxCapacity": 2000,
            "RoleARN": role,
            "CreationTime": iso(i.start - timedelta(days=420)),
        },
    )
    hi_name = f"TargetTrackingScaling-{tid}-AlarmHigh-{i.uuid()}"
    lo_name = f"TargetTrackingScaling-{tid}-AlarmLow-{i.uuid()}"
    pol = "DynamoDBWriteCapacityUtilization:" + tid
    i.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": i.arn(
                "autoscaling", f"scalingPolicy:{i.uuid()}:resource/dynamodb/{tid}:policyName/{pol}"
            ),
            "PolicyName": pol,
            "ServiceNamespace": "dynamodb",
            "ResourceId": tid,
            "ScalableDimension": dim,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {"AlarmName": hi_name, "AlarmARN": i.arn("cloudwatch", f"alarm:{hi_name}")},
                {"AlarmName": lo_name, "AlarmARN": i.arn("cloudwatch", f"alarm:{lo_name}")},
            ],
            "CreationTime": iso(i.start - timedelta(days=420)),
        },
    )
    prev = cap_min
    for st, val in steps[1:]:
        i.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": i.uuid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": tid,
                    "ScalableDimension": dim,
                    "Description": f"Setting write capacity units to {val}.",
                    "Cause": f"monitor alarm {hi_name} in state ALARM triggered policy {pol}",
                    "StartTime": iso(st),
                    "EndTime": iso(st + timedelta(seconds=r.randint(40, 140))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {val}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        i.ct(
            st + timedelta(seconds=2),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {
                "type": "AssumedRole",
                "principalId": "AROA" + i.upper(17) + ":AutoScaling-UpdateTable",
                "arn": f"arn:aws:sts::{i.acct}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/AutoScaling-UpdateTable",
                "accountId": i.acct,
                "invokedBy": "application-autoscaling.amazonaws.com",
            },
            {
                "tableName": env.table,
                "provisionedThroughput": {
                    "readCapacityUnits": table["ProvisionedThroughput"]["ReadCapacityUnits"],
                    "writeCapacityUnits": val,
                },
            },
            {
                "tableDescription": {
                    "tableName": env.table,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "lastIncreaseDateTime": st.strftime("%b %d, %Y, %I:%M:%S %p"),
                        "numberOfDecreasesToday": 0,
                        "readCapacityUnits": table["ProvisionedThroughput"]["ReadCapacityUnits"],
                        "writeCapacityUnits": prev,
                    },
                }
            },
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
        prev = val

    # executions: tonight's and the previous ones
    env.resync_executions(
        [
            (
                on - timedelta(days=d),
                on - timedelta(days=d) + timedelta(minutes=r.randint(18, 30)),
                "SUCCEEDED",
                None,
                None,
            )
            for d in (1, 2, 3, 4, 5, 6)
        ]
        + [
            (
                on - timedelta(days=7),
                on - timedelta(days=7) + timedelta(minutes=r.randint(105, 140)),
                "SUCCEEDED",
                None,
                None,
            )
        ]
        + [
            (
                on,
                fail_at,
                "FAILED",
                "ProvisionedThroughputExceededException",
                '{"errorMessage": "An error occurred (ProvisionedThroughputExceededException) when calling the BatchWriteItem operation (reached max retries: 9): The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.", "errorType": "ProvisionedThroughputExceededException", "requestId": "'
                + i.uuid()
                + '", "stackTrace": ["  File \\"/var/task/app.py\\", line 112, in handler\\n    _write_page(rows)\\n"]}',
            )
        ]
    )
    # innocent changes earlier in the evening
    env.unrelated_deploy(on - timedelta(minutes=r.randint(150, 200)), env.fn_notify)
    i.ct(
        on - timedelta(minutes=r.randint(60, 120)),
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        env.person,
        {"tableName": env.ckpt, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        agent="console.amazonaws.com",
        ip="81.2.69." + str(r.randint(2, 200)),
    )
    env.noise(r.randint(30, 40))

    # logs: resync page writer and the delta consumer
    t = on + timedelta(seconds=r.randint(2, 6))
    stream = i.lambda_stream(t)
    page_total = r.randint(2400, 3600)
    page = 0
    lst = [
        (
            "INFO",
            f"Full export manifest s3://inventory-wms-exports/full/{on:%Y-%m-%d}/manifest.json: {page_total} pages",
        ),
        ("INFO", "mode=full locations=ALL"),
    ]
    i.lambda_invocation(
        env.fn_page, stream, t, lst, r.uniform(2500, 4000), 2048, 310, init=r.uniform(700, 1000)
    )
    t += timedelta(seconds=10)
    while t < min(i.now, fail_at):
        page += r.randint(8, 12)
        if t < ceiling_at:
            i.lambda_invocation(
                env.fn_page,
                stream,
                t,
                [
                    (
                        "INFO",
                        f"page {page}/{page_total}: wrote 1000 items in 40 BatchWriteItem calls ({r.randint(0, 30)} unprocessed retried)",
                    )
                ],
                r.uniform(36000, 52000),
                2048,
                r.randint(300, 420),
            )
        elif r.random() < 0.45:
            i.lambda_invocation(
                env.fn_page,
                stream,
                t,
                [
                    (
                        "WARNING",
                        f"page {page}/{page_total}: {r.randint(200, 600)} unprocessed items after backoff, retrying",
                    ),
                    (
                        "ERROR",
                        'ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) when calling the BatchWriteItem operation (reached max retries: 9): The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.\nTraceback (most recent call last):\n  File "/var/task/app.py", line 112, in handler\n    _write_page(rows)\n  File "/var/task/app.py", line 87, in _write_page\n    resp = ddb.batch_write_item(RequestItems=chunk)',
                    ),
                ],
                r.uniform(120000, 200000),
                2048,
                r.randint(300, 420),
            )
        else:
            i.lambda_invocation(
                env.fn_page,
                stream,
                t,
                [
                    (
                        "INFO",
                        f"page {page}/{page_total}: wrote 1000 items in {r.randint(90, 260)} BatchWriteItem calls ({r.randint(300, 2000)} unprocessed retried)",
                    )
                ],
                r.uniform(90000, 180000),
                2048,
                r.randint(300, 420),
            )
        t += timedelta(seconds=r.randint(20, 50))
    t = i.start + timedelta(seconds=r.randint(5, 90))
    astream = i.lambda_stream(t)
    while t < i.now:
        lines = [
            (
                "INFO",
                f"Received batch of 10 records; message groups WH-{r.randint(100, 999):04d},WH-{r.randint(100, 999):04d}",
            )
        ]
        if t > ceiling_at and r.random() < 0.6:
            n = r.randint(2, 7)
            lines.append(
                (
                    "WARNING",
                    f"{n} of 10 records failed: ProvisionedThroughputExceededException on UpdateItem ({env.table}); reporting batch item failures",
                )
            )
        else:
            lines.append(("INFO", f"Applied 10 deltas ({r.randint(0, 2)} conditional retries)"))
        i.lambda_invocation(
            env.fn_apply,
            astream,
            t,
            lines,
            r.uniform(700, 1800) if t < on else r.uniform(3000, 9000),
            1024,
            r.randint(150, 210),
        )
        t += timedelta(seconds=r.randint(90, 240))

    al = env.standard_alarms()
    env.flap(al["notify"], r.randint(1, 3))
    tdim = {"TableName": env.table}
    hi = i.alarm(
        hi_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Sum",
        60,
        2,
        cap_max * 0.7 * 60,
        "GreaterThanThreshold",
        desc=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {i.arn('autoscaling', 'scalingPolicy:' + i.uuid() + ':resource/dynamodb/' + tid + ':policyName/' + pol)}.",
        topic="inventory-oncall",
    )
    hi["OKActions"], hi["AlarmActions"] = (
        [],
        [i.arn("autoscaling", "scalingPolicy:" + i.uuid() + f":resource/dynamodb/{tid}:policyName/{pol}")],
    )
    lo = i.alarm(
        lo_name,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Sum",
        60,
        15,
        cap_max * 0.2 * 60,
        "LessThanThreshold",
        desc=hi["AlarmDescription"],
        state="OK",
    )
    lo["OKActions"], lo["AlarmActions"] = [], hi["AlarmActions"]
    i.transition(
        hi,
        on + timedelta(minutes=2, seconds=r.randint(5, 50)),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold. (minimum 2 datapoints for OK -> ALARM transition).",
    )
    thr = i.alarm(
        "inventory-levels-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdim,
        "Sum",
        300,
        1,
        500,
        "GreaterThanThreshold",
        desc="Writes to inventory-levels are being throttled. Stock updates will lag.",
        topic="inventory-pager",
        missing="notBreaching",
    )
    t_thr = ceiling_at + timedelta(minutes=r.randint(5, 7), seconds=r.randint(0, 59))
    tval = throttled(ceiling_at + timedelta(minutes=2)) * 5
    prev_t = on - timedelta(days=r.randint(20, 60))
    thr["StateUpdatedTimestamp"] = iso(prev_t)
    i.transition(
        thr,
        t_thr,
        "OK",
        "ALARM",
        f"Threshold Crossed: 1 out of the last 1 datapoints [{tval:.1f} ({t_thr - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (500.0) (minimum 1 datapoint for OK -> ALARM transition).",
        {
            "version": "1.0",
            "queryDate": iso(t_thr).replace("Z", ".000+0000"),
            "startDate": iso(t_thr - timedelta(minutes=5)).replace("Z", ".000+0000"),
            "statistic": "Sum",
            "period": 300,
            "recentDatapoints": [round(tval, 1)],
            "threshold": 500.0,
            "evaluatedDatapoints": [
                {"timestamp": iso(t_thr - timedelta(minutes=5)), "sampleCount": 5.0, "value": round(tval, 1)}
            ],
        },
    )
    event = i.alarm_event(
        thr,
        "OK",
        prev_t,
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    )
    age_a = al["age"]
    t_age = on + timedelta(minutes=r.randint(24, 30), seconds=r.randint(0, 59))
    if t_age < i.now:
        i.transition(
            age_a,
            t_age,
            "OK",
            "ALARM",
            "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (600.0) (minimum 2 datapoints for OK -> ALARM transition).",
        )
    sf = i.alarm(
        "inventory-full-resync-failed",
        "AWS/States",
        "ExecutionsFailed",
        sma,
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        desc="Nightly/weekly stock resync failed",
        missing="notBreaching",
    )
    t_sf = fail_at + timedelta(minutes=r.randint(1, 4))
    if t_sf < i.now:
        i.transition(
            sf,
            t_sf,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
        )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.table,
            "category": "limit",
            "failure_mode": "provisioned-write-capacity-at-autoscaling-max",
        },
        "also_accept": [i.arn("dynamodb", f"table/{env.table}"), tid],
        "actions": ["scale"],
        "chain": [env.table, env.sm, env.fn_page, env.deltas, env.fn_apply],
    }
    return i.bundle(TITLE, None, event, truth, None)
