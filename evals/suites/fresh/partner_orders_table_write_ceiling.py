"""Partner order creation failing with 5xx: the orders table's write auto scaling reached its maximum."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzze import (
    Account,
    Ctx,
    access_log,
    api_metrics,
    diurnal,
    dynamo_metrics,
    iso,
    lambda_metrics,
    sqs_metrics,
    waf_metrics,
)

NAME = "partner-orders-table-write-ceiling"
TITLE = "Partner order creation failing intermittently with 502s; reads fine"
SUMMARY = (
    "A partner's bulk order import pushed writes past the orders table's provisioned-capacity auto scaling "
    "maximum; DynamoDB throttled PutItem and the create-order function failed after its retries."
)

PREFIXES = ["nordfreight", "bluecart", "parcelly", "shipwise", "cargolane", "tradepost"]


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    a = Account(c, r.choice(PREFIXES))
    onset = c.onset
    max_wcu = r.choice([250, 300, 400, 500])
    min_wcu = max_wcu // 5
    rcu = r.choice([400, 600, 800])
    base = r.uniform(0.3, 0.4) * max_wcu / 3 / 0.42  # requests a minute, baseline writes ~ half the max
    a.standing("PROVISIONED", 0, rcu)
    import_rate = r.uniform(0.9, 1.3) * max_wcu / 3  # extra orders a second... per minute below
    traffic = {t: diurnal(t, base * 60, r, amp=0.15) / 60 for t in c.minutes(1)}  # requests a second

    def rps(t: datetime) -> float:
        return traffic.get(t, base)

    def imp(t: datetime) -> float:  # import orders a second
        return import_rate * min(1.0, (t - onset).total_seconds() / 240) if t >= onset else 0.0

    def writes(t: datetime) -> float:  # WCU demanded (each order 2 KB-3 KB: 3 WCU)
        return (rps(t) * 0.42 + imp(t)) * 3

    prov = {}
    cur = float(max(min_wcu, round(writes(c.start) / 0.7)))
    for t in c.minutes(1):
        want = writes(t) / 0.7
        if want > cur * 1.05 and t.minute % 3 == 0:
            cur = min(float(max_wcu), round(want))
        elif want < cur * 0.8 and t.minute % 15 == 0:
            cur = max(float(min_wcu), round(want))
        prov[t] = cur

    def consumed(t: datetime) -> float:
        return min(writes(t), prov.get(t, cur) * r.uniform(0.97, 1.0)) if t >= onset else writes(t)

    def throttled_wcu(t: datetime) -> float:
        return max(0.0, writes(t) - prov.get(t, cur))

    def fail_share(t: datetime) -> float:
        w = writes(t)
        return min(0.9, throttled_wcu(t) / w * 0.55) if w else 0.0

    # API: one partner's import is POST /v1/orders at imp(t)/s
    def count(t: datetime) -> float:
        return (rps(t) + imp(t)) * 60

    def e5(t: datetime) -> float:
        return (rps(t) * 0.42 + imp(t)) * 60 * fail_share(t) + r.choice([0, 0, 0, 1])

    api_metrics(
        a,
        count,
        lambda t: count(t) * 0.01 * r.uniform(0.6, 1.4),
        e5,
        lambda t: r.uniform(90, 130) * (1 + 6 * fail_share(t)),
        lambda t: r.uniform(65, 100) * (1 + 7 * fail_share(t)),
    )
    waf_metrics(a, count, {"AWS-AWSManagedRulesAmazonIpReputationList": lambda t: r.choice([0, 0, 0, 1, 3])})
    create = a.fn_create
    lambda_metrics(
        a,
        create,
        lambda t: (rps(t) * 0.42 + imp(t)) * 60,
        lambda t: (rps(t) * 0.42 + imp(t)) * 60 * fail_share(t),
        lambda t: r.uniform(140, 200) * (1 + 9 * fail_share(t)),
    )
    lambda_metrics(a, a.fn_get, lambda t: rps(t) * 0.45 * 60, lambda t: 0, lambda t: r.uniform(25, 45))
    lambda_metrics(
        a,
        a.fn_quote,
        lambda t: rps(t) * 0.13 * 60,
        lambda t: r.choice([0] * 30 + [1]),
        lambda t: r.uniform(300, 600),
    )
    lambda_metrics(a, a.fn_auth, lambda t: rps(t) * 0.1 * 60, lambda t: 0, lambda t: r.uniform(8, 20))

    def notif(t: datetime) -> float:
        return (rps(t) * 0.42 + imp(t)) * 60 * (1 - fail_share(t))

    lambda_metrics(a, a.fn_notify, lambda t: notif(t) / 10, lambda t: 0, lambda t: r.uniform(120, 260))
    sqs_metrics(a, a.queue, lambda t: notif(t) * 5, lambda t: r.uniform(0, 12), lambda t: r.uniform(1, 12))
    dynamo_metrics(
        a,
        a.table,
        lambda t: rps(t) * 0.45 * 0.5 * r.uniform(0.9, 1.1),
        consumed,
        write_thr=lambda t: throttled_wcu(t) * 0.6 * 60 / 3,
        prov=(float(rcu), 0.0),
    )
    # provisioned WCU follows auto scaling; replace the flat zero written above
    c.metrics = [m for m in c.metrics if m["metric"] != "ProvisionedWriteCapacityUnits"]
    for t, v in prov.items():
        c.metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", {"TableName": a.table}, t, "Count", v)
    dynamo_metrics(
        a,
        a.idem_table,
        lambda t: rps(t) * 0.42 * 0.5,
        lambda t: (rps(t) * 0.42 + imp(t)) * (1 - fail_share(t)),
    )
    for res in c.resources:
        if res["type"] == "TableDescription" and res["item"]["TableName"] == a.table:
            res["item"]["ProvisionedThroughput"]["WriteCapacityUnits"] = max_wcu
            res["item"]["ProvisionedThroughput"]["LastIncreaseDateTime"] = iso(
                max(t for t, v in prov.items() if v == max_wcu and t < c.now)
                if max_wcu in prov.values()
                else c.start
            )
            res["item"]["ProvisionedThroughput"]["NumberOfDecreasesToday"] = r.randint(2, 4)
            for g in res["item"]["GlobalSecondaryIndexes"]:
                g["ProvisionedThroughput"]["WriteCapacityUnits"] = max_wcu
                g["ProvisionedThroughput"]["ReadCapacityUnits"] = rcu // 2

    # --- auto scaling ---------------------------------------------------------------------------
    rid = f"table/{a.table}"
    created = c.start - timedelta(days=r.randint(200, 500))
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": min_wcu,
            "MaxCapacity": max_wcu,
            "RoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "CreationTime": iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": c.arn("application-autoscaling", f"scalable-target/{c.alnum(28)}"),
        },
    )
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
            "MinCapacity": rcu,
            "MaxCapacity": rcu * 4,
            "RoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "CreationTime": iso(created),
        },
    )
    pol = f"{a.table}-wcu-target-tracking"
    hi = f"TargetTracking-{rid}-AlarmHigh-{c.uuid()}"
    lo = f"TargetTracking-{rid}-AlarmLow-{c.uuid()}"
    c.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": c.arn(
                "autoscaling", f"scalingPolicy:{c.uuid()}:resource/dynamodb/{rid}:policyName/{pol}"
            ),
            "PolicyName": pol,
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
                "DisableScaleIn": False,
            },
            "Alarms": [
                {"AlarmName": hi, "AlarmARN": c.arn("cloudwatch", f"alarm:{hi}")},
                {"AlarmName": lo, "AlarmARN": c.arn("cloudwatch", f"alarm:{lo}")},
            ],
            "CreationTime": iso(created),
        },
    )
    last = prov[c.start]
    for t, v in prov.items():
        if v != last:
            verb = "increase" if v > last else "decrease"
            c.events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": c.uuid(),
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": rid,
                        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                        "Description": f"Setting write capacity units to {int(v)}.",
                        "Cause": f"monitor alarm {hi if v > last else lo} in state ALARM triggered policy {pol}",
                        "StartTime": iso(t + timedelta(seconds=40)),
                        "EndTime": iso(t + timedelta(seconds=40 + r.randint(20, 90))),
                        "StatusCode": "Successful",
                        "StatusMessage": f"Successfully set write capacity units to {int(v)}. Change successfully fulfilled.",
                    },
                }
            )
            del verb
            last = v
    # the alarms target tracking keeps
    at_max = min((t for t, v in prov.items() if v == max_wcu), default=onset + timedelta(minutes=6))
    c.alarm(
        hi,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": a.table},
        "Sum",
        60,
        2,
        round(max_wcu * 0.7 * 60, 1),
        "GreaterThanThreshold",
        "ALARM",
        at_max + timedelta(minutes=2),
        f"Threshold Crossed: 2 datapoints [{max_wcu * 59.6:.1f} ({at_max:%d/%m/%y %H:%M:%S}), {max_wcu * 59.2:.1f}] "
        f"were greater than the threshold ({max_wcu * 0.7 * 60:.1f}).",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {c.arn('autoscaling', 'scalingPolicy')}.",
        c.arn("autoscaling", f"scalingPolicy:{pol}"),
    )
    c.alarm(
        lo,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": a.table},
        "Sum",
        60,
        15,
        round(max_wcu * 0.5 * 60, 1),
        "LessThanThreshold",
        "OK",
        at_max,
        "Threshold Crossed: 15 datapoints were not less than the threshold.",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy.",
        c.arn("autoscaling", f"scalingPolicy:{pol}"),
    )

    # --- CloudTrail: innocent changes and tooling --------------------------------------------------
    a.deploy(onset - timedelta(minutes=r.randint(50, 110)), a.fn_create)
    a.deploy(onset - timedelta(minutes=r.randint(10, 25)), a.fn_notify)
    dev = c.sso(r.choice(["l.moreau", "s.ito", "k.brennan"]), "PowerUserAccess")
    c.ct(
        onset - timedelta(minutes=r.randint(130, 170)),
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        dev,
        {
            "tableName": a.idem_table,
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
    )
    c.ct(
        onset - timedelta(minutes=r.randint(60, 90)),
        "apigateway.amazonaws.com",
        "CreateUsagePlanKey",
        dev,
        {"usagePlanId": c.alnum(6), "createUsagePlanKeyInput": {"keyId": c.alnum(10), "keyType": "API_KEY"}},
        {"type": "API_KEY", "name": "partner-onboarding-sandbox"},
    )
    for _ in range(4):
        t = onset + timedelta(minutes=r.randint(8, 30))
        c.ct(
            t,
            "dynamodb.amazonaws.com",
            r.choice(["DescribeTable", "DescribeContinuousBackups"]),
            dev,
            {"tableName": a.table},
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )
    c.ct(
        onset + timedelta(minutes=r.randint(12, 30)),
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        dev,
        {"serviceNamespace": "dynamodb", "resourceIds": [rid]},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    a.readonly_noise(r.randint(35, 50))
    a.kms_decrypts(r.randint(6, 12))

    # --- logs -----------------------------------------------------------------------------------
    names = r.sample(["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay"], 5)
    keys = {p: c.alnum(10) for p in names}
    importer = names[0]
    for t in c.minutes(1):
        for _ in range(r.randint(1, 2) + (2 if t >= onset else 0)):
            at = t + timedelta(seconds=r.uniform(0, 59))
            fs = fail_share(at.replace(second=0))
            if t >= onset and r.random() < imp(t) / (imp(t) + rps(t)):
                failed = r.random() < fs
                access_log(
                    a,
                    at,
                    "POST",
                    "/v1/orders",
                    502 if failed else 201,
                    r.randint(1800, 4200) if failed else r.randint(130, 400),
                    key=keys[importer],
                    ua="python-requests/2.31.0",
                )
                continue
            p = r.choice(names[1:])
            pick = r.random()
            if pick < 0.42:
                failed = r.random() < fs
                access_log(
                    a,
                    at,
                    "POST",
                    "/v1/orders",
                    502 if failed else 201,
                    r.randint(1800, 4200) if failed else r.randint(110, 260),
                    key=keys[p],
                    ua="okhttp/4.12.0",
                )
            elif pick < 0.88:
                access_log(
                    a,
                    at,
                    "GET",
                    "/v1/orders/{orderId}",
                    404 if r.random() < 0.02 else 200,
                    r.randint(20, 60),
                    key=keys[p],
                    ua="okhttp/4.12.0",
                )
            else:
                access_log(
                    a, at, "POST", "/v1/quotes", 200, r.randint(280, 650), key=keys[p], ua="okhttp/4.12.0"
                )

    def create_lines(at: datetime, rid_: str) -> list[str]:
        fs = fail_share(at.replace(second=0, microsecond=0))
        oid = f"ord_{c.alnum(12)}"
        if r.random() < fs:
            return [
                f"[WARNING]\t{iso(at)}\t{rid_}\tPutItem retry attempt=3 table={a.table} order_id={oid}",
                "[ERROR] ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) "
                "when calling the PutItem operation (reached max retries: 9): The level of configured provisioned "
                "throughput for the table was exceeded. Consider increasing your provisioning level with the "
                'UpdateTable API.\nTraceback (most recent call last):\n  File "/var/task/app.py", line 88, in handler\n'
                '    repo.put_order(order)\n  File "/var/task/orders/repo.py", line 41, in put_order\n'
                '    self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(orderId)")',
            ]
        return [
            f"[INFO]\t{iso(at)}\t{rid_}\tcreate_order partner={r.choice(names)} order_id={oid} status=ACCEPTED"
        ]

    a.lambda_logs(
        create,
        lambda t: 0.6,
        create_lines,
        1024,
        lambda t: 170 * (1 + 9 * fail_share(t.replace(second=0, microsecond=0))),
    )

    def exec_lines(at: datetime, rid_: str) -> list[str]:
        return [f"[INFO]\t{iso(at)}\t{rid_}\tget_order order_id=ord_{c.alnum(12)} found=true"]

    a.lambda_logs(a.fn_get, lambda t: 0.25, exec_lines, 512, lambda t: 35)

    # --- alarms -----------------------------------------------------------------------------------
    dims = {"ApiName": a.api_name, "Stage": a.stage}
    first = min((t for t in c.minutes(1) if e5(t) > 10), default=onset + timedelta(minutes=8))
    fire = first + timedelta(minutes=3)
    thr = 10.0
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{e5(first + timedelta(minutes=2)):.1f} "
        f"({first + timedelta(minutes=2):%d/%m/%y %H:%M:%S}), {e5(first + timedelta(minutes=1)):.1f} "
        f"({first + timedelta(minutes=1):%d/%m/%y %H:%M:%S}), {e5(first):.1f} ({first:%d/%m/%y %H:%M:%S})] "
        f"were greater than the threshold ({thr}) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    al = c.alarm(
        f"{a.api_name}-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        dims,
        "Sum",
        60,
        3,
        thr,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        reason,
        "Partner API 5xx",
        a.topic,
    )
    c.transition(al, fire, "OK", "ALARM", reason)
    er = c.alarm(
        f"{create}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": create},
        "Sum",
        300,
        1,
        20.0,
        "GreaterThanThreshold",
        "ALARM",
        fire + timedelta(minutes=2),
        "Threshold Crossed: 1 datapoint was greater than the threshold (20.0).",
        "orders-create errors",
        a.topic,
    )
    c.transition(er, fire + timedelta(minutes=2), "OK", "ALARM", er["StateReason"])
    c.alarm(
        f"{a.api_name}-prod-4xx-high",
        "AWS/ApiGateway",
        "4XXError",
        dims,
        "Sum",
        60,
        5,
        40.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=2),
        "Threshold Crossed: no datapoints were breaching the threshold",
        "Partner API 4xx above normal",
        a.topic,
    )

    zone = r.choice(["Europe/Berlin", "Europe/London", "America/New_York"])
    local = (onset + timedelta(minutes=r.randint(4, 12))).astimezone(ZoneInfo(zone))
    question = (
        f"Partner support: several partners see random 502 Bad Gateway on order submission since about "
        f"{local:%H:%M}, retries usually work. Looking up orders is fine. Is the API having problems?"
    )
    trigger = {
        "question": question,
        "timezone": zone,
        "alarm_event": c.alarm_event(
            al,
            fire,
            reason,
            {"version": "1.0", "queryDate": iso(fire), "statistic": "Sum", "period": 60, "threshold": thr},
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": a.table,
            "category": "limit",
            "failure_mode": "dynamodb-write-autoscaling-max-reached",
        },
        "also_accept": [c.arn("dynamodb", f"table/{a.table}"), rid],
        "actions": ["scale", "reconfigure"],
        "chain": [a.table, create, f"{a.api_name}/{a.stage}"],
    }
    return c.bundle(TITLE, trigger, truth)
