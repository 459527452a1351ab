"""Registers fail roughly one card payment in ten: the checkout function's timeout was lowered by a
Terraform apply below the payment authorisation's tail latency."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzm import (
    CLI_AGENT,
    TF_AGENT,
    Pos,
    default_hooks,
    iso,
    local,
    standard_telemetry,
)

NAME = "register-card-payments-one-in-ten"
TITLE = "Registers declining roughly one card payment in ten since lunch; is the card processor down?"
SUMMARY = (
    "A Terraform apply cut the checkout Lambda's timeout below card-authorisation tail latency; ALB 502s."
)


def build(seed: int) -> Bundle:
    p = Pos(seed, hour=17, minute=20, days_back=0)
    r = p.rng
    new_timeout = r.choice([5, 6])
    change_at = p.onset
    hooks = default_hooks()

    def cap(t: datetime) -> float:
        return new_timeout * 1000.0 if t >= change_at else p.timeouts["api"] * 1000.0

    def dur(t: datetime) -> float:
        # lunch peak makes the processor a little slower, as every day
        return 1.4 if 16 <= t.hour <= 19 else 1.0

    hooks["api_cap"] = cap
    hooks["api_dur"] = dur
    standard_telemetry(p, r.randint(380, 620), hooks)

    # resources
    p.base_resources()
    for key in ("api", "ingest", "receipts", "eod", "rotate", "inventory"):
        if key == "api":
            p.timeouts["api"] = new_timeout
            p.function(key, modified=change_at)
            p.timeouts["api"] = 15
        else:
            p.function(key)

    # cloudtrail: the culprit and its neighbours
    deploy = p.who("deploy")
    fn_api = p.fn["api"]
    vpc = {"subnetIds": p.subnets, "securityGroupIds": [p.sg_lambda], "ipv6AllowedForDualStack": False}
    culprit = p.ct(
        change_at - timedelta(seconds=r.randint(5, 40)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        deploy,
        {
            "functionName": fn_api,
            "description": "",
            "handler": "index.handler",
            "memorySize": p.memory["api"],
            "timeout": new_timeout,
            "role": f"arn:aws:iam::{p.account}:role/{fn_api}-role",
            "runtime": "nodejs20.x",
            "vpcConfig": vpc,
            "tracingConfig": {"mode": "PassThrough"},
            "ephemeralStorage": {"size": 512},
            "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{fn_api}"},
        },
        {
            "functionName": fn_api,
            "functionArn": p.fn_arn("api"),
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{p.account}:role/{fn_api}-role",
            "handler": "index.handler",
            "codeSize": 4_812_331,
            "description": "",
            "timeout": new_timeout,
            "memorySize": p.memory["api"],
            "lastModified": change_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": p.alnum(43) + "=",
            "version": "$LATEST",
            "vpcConfig": {**vpc, "vpcId": p.vpc},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": p.uid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
            "ephemeralStorage": {"size": 512},
        },
        agent=TF_AGENT + " api/lambda#1.53.1",
        ip=f"20.42.11.{r.randint(2, 250)}",
    )
    # same apply touched tags and the log group retention (innocent)
    p.ct(
        change_at - timedelta(seconds=r.randint(45, 70)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        deploy,
        {"logGroupName": f"/aws/lambda/{p.fn['receipts']}", "retentionInDays": 30},
        None,
        agent=TF_AGENT + " api/cloudwatchlogs#1.34.2",
        ip="20.42.11.90",
    )
    p.ct(
        change_at - timedelta(seconds=r.randint(75, 100)),
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        deploy,
        {"resource": p.fn_arn("receipts"), "tags": {"cost-center": "retail-pos"}},
        None,
        agent=TF_AGENT + " api/lambda#1.53.1",
        ip="20.42.11.90",
    )
    for _ in range(6):
        p.ct(
            change_at - timedelta(seconds=r.randint(100, 160)),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            deploy,
            {"functionName": r.choice(list(p.fn.values()))},
            None,
            read_only=True,
            agent=TF_AGENT + " api/lambda#1.53.1",
            ip="20.42.11.90",
        )
    # earlier innocent deploys: inventory sync code, receipts mailer code
    for key, back in (("inventory", r.randint(25, 50)), ("receipts", r.randint(120, 170))):
        t = change_at - timedelta(minutes=back)
        p.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            deploy,
            {"functionName": p.fn[key], "publish": False, "dryRun": False, "architectures": ["arm64"]},
            {
                "functionName": p.fn[key],
                "functionArn": p.fn_arn(key),
                "runtime": "nodejs20.x",
                "codeSize": r.randint(900_000, 4_000_000),
                "timeout": p.timeouts[key],
                "memorySize": p.memory[key],
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": p.alnum(43) + "=",
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
            },
            agent="aws-sdk-js/3.511.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 "
            "api/lambda#3.511.0",
            ip=f"20.42.11.{r.randint(2, 250)}",
        )
    # a person raises the receipts queue's visibility timeout after lunch (innocent)
    t = change_at + timedelta(minutes=r.randint(8, 14))
    p.ct(
        t,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        p.who("sso", "dev.patel"),
        {"queueUrl": p.q_url("receipts"), "attributes": {"VisibilityTimeout": "180"}},
        None,
        agent=CLI_AGENT + "sqs.set-queue-attributes",
    )
    p.ct(
        change_at - timedelta(minutes=r.randint(60, 90)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        p.who("sso", "lena.kowalski"),
        {
            "alarmName": f"{p.brand}-pos-receipts-dlq-visible",
            "namespace": "AWS/SQS",
            "metricName": "ApproximateNumberOfMessagesVisible",
            "statistic": "Maximum",
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 0.0,
            "comparisonOperator": "GreaterThanThreshold",
            "dimensions": [{"name": "QueueName", "value": p.queues["receipts_dlq"]}],
            "alarmActions": [p.topic_arn],
            "treatMissingData": "notBreaching",
        },
        None,
        agent="[Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36]",
    )
    p.tooling_noise(34)
    p.kms_decrypts(9)

    # logs: a sample of checkout invocations
    stream = p.stream("api", p.start)
    t = p.start
    n_sampled = 0
    while t < p.now:
        if t >= change_at and n_sampled % 3 == 0:
            stream = p.stream("api", t)
        store = f"S{r.randint(100, 399):04d}"
        lane = r.randint(1, 12)
        amt = r.randint(199, 18999) / 100
        d = r.lognormvariate(7.6, 0.45) * (1.4 if 16 <= t.hour <= 19 else 1.0)
        capms = new_timeout * 1000 if t >= change_at else 15000
        base = [
            ("INFO", f"POST /v2/checkout store={store} lane={lane} tender=card amount={amt:.2f}"),
            ("INFO", f"authorize request sent processor=adyen merchantAccount={p.brand.capitalize()}POS"),
        ]
        if d >= capms:
            p.invocation(
                "api", stream, t, capms + r.uniform(5, 15), base, mem_used=r.randint(140, 170), timed_out=True
            )
        else:
            base.append(("INFO", f"authorize response resultCode=Authorised pspLatencyMs={int(d * 0.92)}"))
            base.append(("INFO", f"order committed orderId=ord_{p.alnum(10)} status=200"))
            p.invocation(
                "api",
                stream,
                t,
                d,
                base,
                mem_used=r.randint(120, 165),
                init_ms=r.uniform(600, 900) if r.random() < 0.05 else None,
            )
        n_sampled += 1
        t += timedelta(seconds=r.randint(20, 50) if t < change_at else r.randint(8, 20))
    # ingest worker: healthy batches
    t = p.start
    stream = p.stream("ingest", t)
    while t < p.now:
        p.invocation(
            "ingest",
            stream,
            t,
            r.uniform(150, 400),
            [("INFO", f"processed batch size={r.randint(3, 10)} failures=0")],
            mem_used=r.randint(90, 120),
        )
        t += timedelta(seconds=r.randint(90, 240))

    # alarms
    onset_alarm = change_at + timedelta(minutes=4)
    a5 = p.alarm(
        f"{p.brand}-pos-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": p.alb_dim},
        "Sum",
        15,
        evals=3,
        state="ALARM",
        changed=onset_alarm,
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (15.0).",
    )
    p.transition(a5, onset_alarm, "OK", "ALARM", a5["StateReason"])
    ae = p.alarm(
        f"{p.brand}-pos-checkout-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn_api},
        "Sum",
        25,
        period=300,
        evals=1,
        state="ALARM",
        changed=change_at + timedelta(minutes=10),
        reason="Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (25.0).",
    )
    p.transition(ae, change_at + timedelta(minutes=10), "OK", "ALARM", ae["StateReason"])
    p.alarm(
        f"{p.brand}-pos-aurora-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": p.writer},
        "Average",
        80,
        period=300,
        evals=3,
    )
    dq = p.alarm(
        f"{p.brand}-pos-sales-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.queues["sales_dlq"]},
        "Maximum",
        0,
        period=300,
        evals=1,
    )
    flap = p.start + timedelta(minutes=r.randint(30, 80))
    p.transition(
        dq,
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0).",
    )
    p.transition(
        dq,
        flap + timedelta(minutes=25),
        "ALARM",
        "OK",
        "Threshold Crossed: no datapoints were "
        "received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    )
    p.metrics.append(
        {
            "namespace": "AWS/SQS",
            "metric": "ApproximateNumberOfMessagesVisible",
            "dimensions": {"QueueName": p.queues["sales_dlq"]},
            "timestamp": iso(flap),
            "unit": "Count",
            "value": 1.0,
        }
    )

    question = (
        f"Store ops says registers have been declining card payments, maybe 1 in 10, since about "
        f"{local(change_at + timedelta(minutes=r.randint(3, 9)))}. Terminals show 'payment service "
        "unavailable, try again' and the retry usually goes through. Is Adyen having an outage?"
    )
    return p.bundle(
        TITLE,
        question,
        None,
        {
            "no_fault": False,
            "root_cause": {
                "resource": fn_api,
                "category": "change",
                "failure_mode": "lambda-timeout-lowered",
                "event_id": culprit,
            },
            "also_accept": [p.fn_arn("api")],
            "actions": ["rollback", "reconfigure"],
            "chain": [fn_api, p.tg_name, p.alb_name],
        },
    )
