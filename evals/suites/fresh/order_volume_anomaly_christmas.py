"""An order-volume anomaly alarm pages on Christmas morning; every stage of the order flow is healthy."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zq import (
    Ctx,
    Rec,
    aws_service,
    ct,
    dist,
    iam_role,
    iso,
    iso_ms,
    lambda_config,
    lambda_invocation_logs,
    log_group,
    metric_alarm,
    noisy,
    poisson,
    record_transition,
    role_session,
    series,
    sqs_queue,
    sso_user,
    timeline3,
)

NAME = "order-volume-anomaly-christmas"
TITLE = "Order-volume anomaly alarm pages on Christmas morning"
SUMMARY = (
    "Orders are low because it is Christmas Day; every stage is proportionally quiet and healthy (no fault)."
)

BUS = "commerce"
RULE = "order-placed-to-fulfilment"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "562041938877", "eu-west-2")
    rng = ctx.rng
    year = rng.choice([2022, 2023, 2024])
    xmas = datetime(year, 12, 25, tzinfo=UTC)  # London is on UTC in December
    start = xmas - timedelta(days=15)
    base = rng.uniform(9.0, 15.0)  # orders a minute at a normal evening peak

    def shape(t: datetime) -> float:
        h = t.hour + t.minute / 60
        morning = math.exp(-(((h - 11.0) / 2.6) ** 2))
        evening = math.exp(-(((h - 20.5) / 2.2) ** 2))
        night = 0.04 + 0.1 * math.exp(-(((h - 0.5) / 1.5) ** 2))
        return night + 0.55 * morning + 1.0 * evening

    def season(t: datetime) -> float:
        d = t.day
        f = (
            1.0 + 0.02 * (d - 10)
            if d <= 19
            else {20: 1.05, 21: 0.85, 22: 0.8, 23: 0.72, 24: 0.55}.get(d, 1.0)
        )
        if t.weekday() >= 5:
            f *= 1.12
        if d == 25:
            h = t.hour
            f = 0.17 if h < 12 else 0.3
        return f

    cache: dict[datetime, int] = {}

    def orders(t: datetime) -> int:
        k = t.replace(second=0, microsecond=0)
        if k not in cache:
            cache[k] = poisson(rng, base * shape(k) * season(k))
        return cache[k]

    # the anomaly model knows the daily shape and follows the recent level, not Christmas
    def expected5(p: datetime) -> float:
        level = base * sum(season(p - timedelta(days=k)) for k in (1, 2, 3)) / 3
        return sum(level * shape(p + timedelta(minutes=k)) for k in range(5))

    def lower(p: datetime) -> float:
        e = expected5(p)
        return round(e - 2.5 * max(0.2 * e, math.sqrt(e) * 1.3), 3)

    def sum5(p: datetime) -> float:
        return float(sum(orders(p + timedelta(minutes=k)) for k in range(5)))

    p = xmas.replace(hour=8)
    streak: list[datetime] = []
    while True:
        if sum5(p) < lower(p):
            streak.append(p)
        else:
            streak = []
        if len(streak) == 3 or p >= xmas.replace(hour=20):
            break
        p += timedelta(minutes=5)
    alarm_at = streak[-1] + timedelta(minutes=5, seconds=rng.randrange(20, 80))
    now = alarm_at + timedelta(minutes=rng.randrange(35, 70))
    onset = streak[0]
    times = timeline3(
        start, now - timedelta(hours=14), onset - timedelta(hours=3), now - timedelta(minutes=1)
    )
    created = start - timedelta(days=rng.randrange(200, 500))

    # --- resources ----------------------------------------------------------------------------
    lb_hex, tg_hex = ctx.hex(16), ctx.hex(16)
    lb_name, tg_name = "hf-storefront-prod", "hf-storefront-web-tg"
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    vpc = f"vpc-0{ctx.hex(16)}"
    subnets = [f"subnet-0{ctx.hex(16)}" for _ in range(3)]
    sg = f"sg-0{ctx.hex(16)}"
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.eu-west-2.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"eu-west-2{z}", "SubnetId": s} for z, s in zip("abc", subnets, strict=True)
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    roles = {
        n: iam_role(ctx, f"{n}-role", "lambda.amazonaws.com", created)
        for n in ("checkout-submit", "fulfilment-router", "order-email-sender", "hf-secret-rotation")
    }
    mod = start + timedelta(days=rng.randrange(1, 6))
    fns = {
        "checkout-submit": lambda_config(
            ctx,
            "checkout-submit",
            "nodejs20.x",
            "dist/submit.handler",
            roles["checkout-submit"],
            1536,
            15,
            mod,
            {"EVENT_BUS": BUS, "PSP_SECRET_ID": "hf/prod/psp-api-key"},
        ),
        "fulfilment-router": lambda_config(
            ctx,
            "fulfilment-router",
            "python3.12",
            "router.handler",
            roles["fulfilment-router"],
            512,
            60,
            mod - timedelta(days=20),
        ),
        "order-email-sender": lambda_config(
            ctx,
            "order-email-sender",
            "python3.12",
            "sender.handler",
            roles["order-email-sender"],
            256,
            30,
            mod - timedelta(days=41),
        ),
        "hf-secret-rotation": lambda_config(
            ctx,
            "hf-secret-rotation",
            "python3.12",
            "rotate.lambda_handler",
            roles["hf-secret-rotation"],
            128,
            60,
            created,
        ),
    }
    dlq_arn = sqs_queue(ctx, "fulfilment-orders-dlq", created, {"MessageRetentionPeriod": "1209600"})
    fq_arn = sqs_queue(
        ctx,
        "fulfilment-orders",
        created,
        {
            "VisibilityTimeout": "120",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
            ),
        },
    )
    eq_arn = sqs_queue(ctx, "order-email", created, {"VisibilityTimeout": "60"})
    for name, target, pattern in (
        (RULE, fq_arn, {"source": ["hf.checkout"], "detail-type": ["OrderPlaced"]}),
        (
            "order-placed-to-email",
            eq_arn,
            {"source": ["hf.checkout"], "detail-type": ["OrderPlaced", "OrderCancelled"]},
        ),
    ):
        ctx.resource(
            "events",
            "Rule",
            {
                "Name": name,
                "Arn": ctx.arn("events", f"rule/{BUS}/{name}"),
                "EventPattern": json.dumps(pattern),
                "State": "ENABLED",
                "Description": f"-> {target.split(':')[-1]}",
                "EventBusName": BUS,
            },
        )
    svc_res = "service/hf-prod/hf-storefront-web"
    ctx.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": svc_res,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 3,
            "MaxCapacity": 24,
            "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    ctx.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": ctx.arn(
                "autoscaling", f"scalingPolicy:{ctx.uuid()}:resource/ecs/{svc_res}:policyName/cpu-target-55"
            ),
            "PolicyName": "cpu-target-55",
            "ServiceNamespace": "ecs",
            "ResourceId": svc_res,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "CreationTime": iso(created),
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 55.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
            "Alarms": [],
        },
    )
    secret_arn = ctx.arn(
        "secretsmanager",
        f"secret:hf/prod/psp-api-key-{ctx.upper(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
    )
    rot_at = onset - timedelta(minutes=rng.randrange(8, 20))
    ctx.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "hf/prod/psp-api-key",
            "RotationEnabled": True,
            "RotationLambdaARN": fns["hf-secret-rotation"]["FunctionArn"],
            "RotationRules": {"AutomaticallyAfterDays": 30},
            "LastRotatedDate": iso(rot_at + timedelta(seconds=40)),
            "LastChangedDate": iso(rot_at + timedelta(seconds=40)),
            "LastAccessedDate": iso(xmas),
            "CreatedDate": iso(created),
            "NextRotationDate": iso(rot_at + timedelta(days=30)),
        },
    )
    for g in fns:
        log_group(ctx, f"/aws/lambda/{g}", created, 30)

    # --- metrics ------------------------------------------------------------------------------
    def o(t: datetime) -> float:
        return float(orders(t))

    lbd = {"LoadBalancer": f"app/{lb_name}/{lb_hex}"}
    tgd = {"LoadBalancer": f"app/{lb_name}/{lb_hex}", "TargetGroup": f"targetgroup/{tg_name}/{tg_hex}"}
    req: dict[datetime, int] = {}

    def reqs(t: datetime) -> int:
        if t not in req:
            req[t] = poisson(rng, (orders(t) + 0.3) * rng.uniform(55, 65) + 40)
        return req[t]

    series(ctx, times, "AWS/ApplicationELB", "RequestCount", lbd, "Count", lambda t: float(reqs(t)))
    series(ctx, times, "AWS/ApplicationELB", "RequestCount", tgd, "Count", lambda t: float(reqs(t)))
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda t: float(round(reqs(t) * 0.962)),
    )
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "HTTPCode_Target_3XX_Count",
        tgd,
        "Count",
        lambda t: float(round(reqs(t) * 0.021)) or None,
    )
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        lambda t: float(round(reqs(t) * 0.017)) or None,
    )
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda t: float(poisson(rng, reqs(t) * 0.0002)) or None,
    )
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda t: dist(rng, reqs(t), 0.084, 0.3, 4.0),
    )
    series(
        ctx,
        times,
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Count",
        lambda t: float(max(3, min(24, math.ceil(reqs(t) / 160)))),
    )
    series(ctx, times, "AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0.0)
    series(
        ctx,
        times,
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": "hf-prod", "ServiceName": "hf-storefront-web"},
        "Percent",
        lambda t: round(
            noisy(rng, 20 + 35 * min(1.0, reqs(t) / (160 * max(3, min(24, math.ceil(reqs(t) / 160))))), 0.07),
            2,
        ),
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "checkout-submit"},
        "Count",
        lambda t: o(t) or None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "checkout-submit"},
        "Count",
        lambda t: float(poisson(rng, o(t) * 0.001)) if o(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "checkout-submit"},
        "Milliseconds",
        lambda t: dist(rng, int(o(t)), 640, 0.3, 3.0),
    )
    for rule in (RULE, "order-placed-to-email"):
        d = {"EventBusName": BUS, "RuleName": rule}
        series(ctx, times, "AWS/Events", "MatchedEvents", d, "Count", lambda t: o(t) or None)
        series(ctx, times, "AWS/Events", "Invocations", d, "Count", lambda t: o(t) or None)
    series(ctx, times, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": "fulfilment-orders"}, "Count", o)
    series(ctx, times, "AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": "fulfilment-orders"}, "Count", o)
    series(
        ctx,
        times,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "fulfilment-orders"},
        "Seconds",
        lambda t: float(round(noisy(rng, 2.5, 0.5))) if o(t) else 0.0,
    )
    series(
        ctx,
        times,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "fulfilment-orders-dlq"},
        "Count",
        lambda t: 0.0,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "fulfilment-router"},
        "Count",
        lambda t: o(t) or None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "fulfilment-router"},
        "Count",
        lambda t: 0.0 if o(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "fulfilment-router"},
        "Milliseconds",
        lambda t: dist(rng, int(o(t)), 180, 0.3),
    )

    # --- alarms -------------------------------------------------------------------------------
    page = ctx.arn("sns", "hf-oncall-pagerduty")
    metric = {
        "Namespace": "AWS/Events",
        "MetricName": "MatchedEvents",
        "Dimensions": [{"Name": "EventBusName", "Value": BUS}, {"Name": "RuleName", "Value": RULE}],
    }
    anomaly: Rec = {
        "AlarmName": "orders-volume-anomaly",
        "AlarmArn": ctx.arn("cloudwatch", "alarm:orders-volume-anomaly"),
        "AlarmDescription": "Orders placed well below the expected band for 15 minutes. Runbook: https://wiki.hearthfern.co.uk/ops/orders-volume",
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created + timedelta(days=30)),
        "ActionsEnabled": True,
        "OKActions": [page],
        "AlarmActions": [page],
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": "Thresholds Crossed: 1 out of the last 3 datapoints was less than the lower thresholds.",
        "StateUpdatedTimestamp": iso_ms(created),
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "ComparisonOperator": "LessThanLowerThreshold",
        "TreatMissingData": "notBreaching",
        "ThresholdMetricId": "ad1",
        "Metrics": [
            {"Id": "m1", "MetricStat": {"Metric": metric, "Period": 300, "Stat": "Sum"}, "ReturnData": True},
            {
                "Id": "ad1",
                "Expression": "ANOMALY_DETECTION_BAND(m1, 2.5)",
                "Label": "MatchedEvents (expected)",
                "ReturnData": True,
            },
        ],
        "StateTransitionedTimestamp": iso_ms(created),
    }
    shown = [(q, sum5(q)) for q in streak]
    vals = ", ".join(f"{v!r} ({q:%d/%m/%y %H:%M:%S})" for q, v in reversed(shown))
    lows = ", ".join(repr(lower(q)) for q in reversed(streak))
    reason = (
        f"Thresholds Crossed: 3 out of the last 3 datapoints [{vals}] were less than the lower thresholds [{lows}] "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    record_transition(ctx, anomaly, alarm_at, "OK", "ALARM", reason, shown, timedelta(minutes=5))
    others = [
        metric_alarm(
            ctx,
            "hf-storefront-5xx",
            "Storefront target 5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            5,
            25.0,
            "GreaterThanThreshold",
            created,
            [page],
            3,
            "notBreaching",
        ),
        metric_alarm(
            ctx,
            "checkout-submit-errors",
            "Checkout submit errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "checkout-submit"},
            "Sum",
            300,
            2,
            5.0,
            "GreaterThanOrEqualToThreshold",
            created,
            [page],
            treat_missing="notBreaching",
        ),
        metric_alarm(
            ctx,
            "fulfilment-orders-age",
            "Orders waiting for fulfilment routing",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": "fulfilment-orders"},
            "Maximum",
            300,
            2,
            600.0,
            "GreaterThanThreshold",
            created,
            [page],
        ),
        metric_alarm(
            ctx,
            "fulfilment-orders-dlq",
            "Dead-lettered orders",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "fulfilment-orders-dlq"},
            "Maximum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            created,
            [page],
        ),
    ]
    for al in others:
        al["StateReason"] = "Threshold Crossed: no datapoints were breaching the threshold."
    ctx.alarms.extend([anomaly, *others])
    hist = json.loads(ctx.history[0]["HistoryData"])
    event = {
        "version": "0",
        "id": ctx.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ctx.account,
        "time": iso(alarm_at),
        "region": ctx.region,
        "resources": [anomaly["AlarmArn"]],
        "detail": {
            "alarmName": anomaly["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(hist["newState"]["stateReasonData"], separators=(",", ":")),
                "timestamp": iso_ms(alarm_at).replace("Z", "+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": anomaly["StateReason"],
                "timestamp": iso_ms(created + timedelta(days=30)).replace("Z", "+0000"),
            },
            "configuration": {
                "description": anomaly["AlarmDescription"],
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/Events",
                                "name": "MatchedEvents",
                                "dimensions": {"EventBusName": BUS, "RuleName": RULE},
                            },
                            "period": 300,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    },
                    {
                        "id": "ad1",
                        "expression": "ANOMALY_DETECTION_BAND(m1, 2.5)",
                        "label": "MatchedEvents (expected)",
                        "returnData": True,
                    },
                ],
            },
        },
    }

    # --- logs ---------------------------------------------------------------------------------
    for t, period in times:
        if t < onset - timedelta(hours=4):
            continue
        for k in range(period):
            minute = t + timedelta(minutes=k)
            for _ in range(min(orders(minute), 3)):
                if rng.random() > 0.6:
                    continue
                at = minute + timedelta(milliseconds=rng.randrange(60000))
                oid = f"HF-{rng.randrange(10**7, 10**8)}"
                body = [
                    (
                        15.0,
                        f"{iso_ms(at)}\t{{rid}}\tINFO\t"
                        + json.dumps(
                            {
                                "level": "info",
                                "msg": "payment authorised",
                                "orderId": oid,
                                "psp": "adyen",
                                "ms": rng.randrange(180, 520),
                            }
                        ),
                    ),
                    (
                        560.0,
                        f"{iso_ms(at)}\t{{rid}}\tINFO\t"
                        + json.dumps(
                            {
                                "level": "info",
                                "msg": "OrderPlaced put to bus",
                                "orderId": oid,
                                "bus": BUS,
                                "failedEntryCount": 0,
                            }
                        ),
                    ),
                ]
                if rng.random() < 0.04:
                    body.insert(
                        1,
                        (
                            300.0,
                            f"{iso_ms(at)}\t{{rid}}\tWARN\t"
                            + json.dumps(
                                {
                                    "level": "warn",
                                    "msg": "address lookup slow, using typed address",
                                    "orderId": oid,
                                    "ms": rng.randrange(1500, 2600),
                                }
                            ),
                        ),
                    )
                lambda_invocation_logs(
                    ctx,
                    "checkout-submit",
                    at,
                    noisy(rng, 640, 0.25),
                    1536,
                    rng.randrange(180, 210),
                    body,
                    stream=f"{at:%Y/%m/%d}/[$LATEST]a{ctx.hex(31)}",
                )
                rt = at + timedelta(milliseconds=rng.randrange(700, 2500))
                lambda_invocation_logs(
                    ctx,
                    "fulfilment-router",
                    rt,
                    noisy(rng, 180, 0.2),
                    512,
                    rng.randrange(70, 80),
                    [
                        (
                            20.0,
                            f"[INFO]\t{iso_ms(rt)}\t{{rid}}\tRouted {oid} to warehouse {rng.choice(['DAV1', 'DAV1', 'MKN2'])} (despatch {'27/12' if minute.day >= 24 else 'next day'})\n",
                        )
                    ],
                    stream=f"{rt:%Y/%m/%d}/[$LATEST]b{ctx.hex(31)}",
                )
    lambda_invocation_logs(
        ctx,
        "hf-secret-rotation",
        rot_at,
        2400.0,
        128,
        71,
        [
            (100.0 * i, f"[INFO]\t{iso_ms(rot_at)}\t{{rid}}\t{s} step for secret {secret_arn}\n")
            for i, s in enumerate(("createSecret", "setSecret", "testSecret", "finishSecret"), 1)
        ],
        init_ms=402.5,
        stream=f"{rot_at:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}",
    )

    # --- CloudTrail -------------------------------------------------------------------------------
    oncall = sso_user(
        ctx,
        "SRE",
        rng.choice(["hannah.pryce@hearthfern.co.uk", "owen.jeffries@hearthfern.co.uk"]),
        "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#application-autoscaling.register-scalable-target",
        f"81.{rng.randrange(96, 111)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    change1 = onset - timedelta(minutes=rng.randrange(15, 28))
    ct(
        ctx,
        change1,
        oncall,
        "application-autoscaling.amazonaws.com",
        "RegisterScalableTarget",
        {
            "serviceNamespace": "ecs",
            "resourceId": svc_res,
            "scalableDimension": "ecs:service:DesiredCount",
            "minCapacity": 3,
            "maxCapacity": 24,
        },
        {"scalableTargetARN": ctx.arn("application-autoscaling", f"scalable-target/0ec5{ctx.hex(28)}")},
    )
    ct(
        ctx,
        change1 - timedelta(minutes=2),
        oncall,
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        {"serviceNamespace": "ecs", "resourceIds": [svc_res]},
        None,
        True,
    )
    sm = aws_service("secretsmanager.amazonaws.com")
    for when, what in ((rot_at, "RotationStarted"), (rot_at + timedelta(seconds=40), "RotationSucceeded")):
        rec = ct(
            ctx,
            when,
            sm,
            "secretsmanager.amazonaws.com",
            what,
            None,
            None,
            resources=[{"accountId": ctx.account, "type": "AWS::SecretsManager::Secret", "ARN": secret_arn}],
        )
        rec["additionalEventData"] = {"SecretId": secret_arn}
        rec["eventType"] = "AwsServiceEvent"
        rec["userIdentity"] = {"accountId": ctx.account, "invokedBy": "secretsmanager.amazonaws.com"}
    rot = role_session(
        ctx,
        "hf-secret-rotation-role",
        "hf-secret-rotation",
        "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12",
        f"18.{rng.randrange(130, 135)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    ct(
        ctx,
        rot_at + timedelta(seconds=2),
        rot,
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        {"secretId": secret_arn, "clientRequestToken": ctx.uuid(), "versionStages": ["AWSPENDING"]},
        {
            "arn": secret_arn,
            "name": "hf/prod/psp-api-key",
            "versionId": ctx.uuid(),
            "versionStages": ["AWSPENDING"],
        },
    )
    ct(
        ctx,
        rot_at + timedelta(seconds=38),
        rot,
        "secretsmanager.amazonaws.com",
        "UpdateSecretVersionStage",
        {
            "secretId": secret_arn,
            "versionStage": "AWSCURRENT",
            "moveToVersionId": ctx.uuid(),
            "removeFromVersionId": ctx.uuid(),
        },
        {"arn": secret_arn, "name": "hf/prod/psp-api-key"},
    )
    csub = role_session(
        ctx,
        "checkout-submit-role",
        "checkout-submit",
        "aws-sdk-js/3.621.0 ua/2.0 os/linux#5.10.227 lang/js md/nodejs#20.18.0 exec-env/AWS_Lambda_nodejs20.x api/secrets-manager#3.621.0",
        f"18.{rng.randrange(130, 135)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    for i in range(6):
        ct(
            ctx,
            rot_at + timedelta(minutes=2 + i * 9, seconds=rng.randrange(60)),
            csub,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": "hf/prod/psp-api-key"},
            None,
            True,
        )
    ci = role_session(
        ctx,
        "gha-hearthfern-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        "aws-sdk-js/3.621.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.621.0",
        f"20.{rng.randrange(100, 230)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    for day_n in range(2, 13, 3):
        t = start + timedelta(days=day_n, hours=rng.randrange(9, 17), minutes=rng.randrange(60))
        ct(
            ctx,
            t,
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": rng.choice(["checkout-submit", "fulfilment-router"]),
                "publish": False,
                "dryRun": False,
                "s3Bucket": "hf-artifacts-euw2",
                "s3Key": f"lambda/{ctx.hex(40)}.zip",
            },
            None,
        )
        ct(ctx, t - timedelta(seconds=20), ci, "sts.amazonaws.com", "GetCallerIdentity", {}, None, True)
    grafana = role_session(
        ctx,
        "grafana-cloudwatch",
        "grafana",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
        f"35.{rng.randrange(176, 179)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    span = int((now - start).total_seconds() // 60)
    for _ in range(14):
        ct(
            ctx,
            start + timedelta(minutes=rng.randrange(span)),
            grafana,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"maxRecords": 100},
            None,
            True,
        )
    ct(
        ctx,
        alarm_at + timedelta(minutes=6),
        oncall,
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        {"alarmName": "orders-volume-anomaly", "historyItemType": "StateUpdate"},
        None,
        True,
    )
    ct(
        ctx,
        alarm_at + timedelta(minutes=8),
        oncall,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": ["/aws/lambda/checkout-submit"],
            "queryString": "fields @timestamp, @message | filter level = 'error' | stats count() by bin(5m)",
            "startTime": int((alarm_at - timedelta(hours=3)).timestamp()),
            "endTime": int(alarm_at.timestamp()),
        },
        {"queryId": ctx.uuid()},
        True,
    )
    sched_at = xmas - timedelta(days=rng.randrange(6, 10), hours=-14)
    ct(
        ctx,
        sched_at,
        oncall,
        "application-autoscaling.amazonaws.com",
        "PutScheduledAction",
        {
            "serviceNamespace": "ecs",
            "scheduledActionName": "boxing-day-sale-prewarm",
            "resourceId": svc_res,
            "scalableDimension": "ecs:service:DesiredCount",
            "schedule": f"at({year}-12-25T23:00:00)",
            "scalableTargetAction": {"minCapacity": 10, "maxCapacity": 40},
        },
        None,
    )
    ctx.resource(
        "application-autoscaling",
        "ScheduledAction",
        {
            "ScheduledActionName": "boxing-day-sale-prewarm",
            "ScheduledActionARN": ctx.arn(
                "autoscaling",
                f"scheduledAction:{ctx.uuid()}:resource/ecs/{svc_res}:scheduledActionName/boxing-day-sale-prewarm",
            ),
            "ServiceNamespace": "ecs",
            "Schedule": f"at({year}-12-25T23:00:00)",
            "ResourceId": svc_res,
            "ScalableDimension": "ecs:service:DesiredCount",
            "ScalableTargetAction": {"MinCapacity": 10, "MaxCapacity": 40},
            "CreationTime": iso(sched_at),
        },
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": "orders-volume-anomaly paged me. Is checkout actually broken or can I go back to my family?",
                "alarm_event": event,
                "timezone": "Europe/London",
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, ctx.bundle_records())
