"""Cold-chain trailer telemetry stops reaching the stream after a Terraform apply swaps an IoT rule's role."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzg import Account, diurnal, iso

NAME = "reefer-telemetry-dashboard-frozen"
TITLE = "Cold-chain dashboard stopped updating for every trailer mid-afternoon"
SUMMARY = (
    "A Terraform refactor pointed the telemetry-to-Kinesis IoT rule at the archive rule's role, which "
    "cannot write to Kinesis; every rule action fails and the stream, processor and table go quiet."
)

TZ = "Europe/Amsterdam"


def build(seed: int) -> Bundle:
    a = Account(seed, NAME, hours_before=4 + (seed % 3) * 0.5, minutes_after=35 + seed % 15)
    r = a.rng
    a.region = "eu-west-1"
    onset = a.day + timedelta(hours=13, minutes=r.randint(5, 55))
    a.set_onset(onset)
    offset = ZoneInfo(TZ).utcoffset(onset)
    tz_h = offset.total_seconds() / 3600 if offset else 0.0

    trailers = r.randint(1400, 2600)
    per_min = trailers * 2  # every trailer reports twice a minute while on the road
    stream_name = "reefer-telemetry"
    rule = "reefer_telemetry_to_kinesis"
    archive_rule = "reefer_telemetry_archive"
    processor = "reefer-telemetry-processor"
    table = "reefer-readings"
    good_role = "iot-reefer-kinesis-role"
    archive_role = "iot-reefer-archive-role"
    old = a.start - timedelta(days=r.randint(200, 500))

    # --- resources ----------------------------------------------------------------------------------
    stream_arn = a.stream(stream_name, 2, old)
    ops_topic = a.topic("platform-oncall", "Platform on-call")
    alert_topic = a.topic("reefer-temperature-excursions", "Reefer temp alerts")
    rule_sql = "SELECT *, topic(2) AS trailer_id, timestamp() AS received_at FROM 'reefer/+/telemetry'"
    change_at = onset - timedelta(seconds=r.randint(20, 90))
    eta_change = change_at + timedelta(seconds=r.randint(3, 9))
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": rule_sql,
            "description": "Trailer telemetry to Kinesis (managed by terraform: iot-ingest)",
            "createdAt": iso(old),
            "actions": [
                {
                    "kinesis": {
                        "roleArn": a.role_arn(archive_role),
                        "streamName": stream_name,
                        "partitionKey": "${topic(2)}",
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    firehose = "reefer-telemetry-archive"
    a.res(
        "iot",
        "TopicRule",
        {
            "ruleName": archive_rule,
            "sql": "SELECT * FROM 'reefer/+/telemetry'",
            "description": "Raw trailer telemetry to S3 via Firehose (managed by terraform: iot-ingest)",
            "createdAt": iso(old + timedelta(days=40)),
            "actions": [
                {
                    "firehose": {
                        "roleArn": a.role_arn(archive_role),
                        "deliveryStreamName": firehose,
                        "separator": "\n",
                        "batchMode": True,
                    }
                }
            ],
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
        },
    )
    for name in (good_role, archive_role):
        a.role(name, "iot.amazonaws.com", old)
    a.inline(
        good_role,
        "kinesis-put",
        [{"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords"], "Resource": stream_arn}],
    )
    a.inline(
        archive_role,
        "firehose-put",
        [
            {
                "Effect": "Allow",
                "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
                "Resource": a.arn("firehose", f"deliverystream/{firehose}"),
            }
        ],
    )
    a.role("reefer-telemetry-processor-role", "lambda.amazonaws.com", old)
    a.attached("reefer-telemetry-processor-role", "AWSLambdaKinesisExecutionRole")
    deploy_at = onset - timedelta(minutes=r.randint(55, 110))
    a.function(
        processor,
        "python3.12",
        "app.handler",
        512,
        60,
        "reefer-telemetry-processor-role",
        deploy_at,
        {"TABLE_NAME": table, "ALERT_TOPIC_ARN": alert_topic, "EXCURSION_MARGIN_C": "2.0"},
    )
    a.mapping(processor, stream_arn, 500, old + timedelta(days=3))
    a.table(table, "trailer_id", "ts", old, items=r.randint(300_000_000, 900_000_000))
    for g in (f"/aws/lambda/{processor}", "AWSIotLogsV2", "/aws/lambda/reefer-eta-notifier"):
        a.log_group(g, 14 if g == "AWSIotLogsV2" else 30)
    a.function(
        "reefer-eta-notifier",
        "nodejs20.x",
        "index.handler",
        256,
        30,
        "reefer-eta-notifier-role",
        eta_change,
        {"ETA_API_URL": "https://eta.internal.coldline.example", "LOG_LEVEL": "info"},
    )

    # --- metrics ------------------------------------------------------------------------------------
    dims_stream = {"StreamName": stream_name}
    rates: dict[str, float] = {}
    for t in a.minutes():
        n = a.jitter(diurnal(t, tz_h, 14.0, 0.55, 1.0) * per_min, 0.03)
        rates[iso(t)] = n
        a.point("AWS/IoT", "PublishIn.Success", {"Protocol": "MQTT"}, t, n + r.randint(20, 60), "Count")
        a.point("AWS/IoT", "TopicMatch", {"RuleName": rule}, t, n, "Count")
        a.point("AWS/IoT", "TopicMatch", {"RuleName": archive_rule}, t, n, "Count")
        a.point("AWS/IoT", "Success", {"RuleName": archive_rule, "ActionType": "Firehose"}, t, n, "Count")
        broken = t >= onset
        if broken:
            a.point("AWS/IoT", "Failure", {"RuleName": rule, "ActionType": "Kinesis"}, t, n, "Count")
            a.point("AWS/Kinesis", "IncomingRecords", dims_stream, t, 0, "Count")
            a.point("AWS/Kinesis", "IncomingBytes", dims_stream, t, 0, "Bytes")
            a.point("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", dims_stream, t, 0, "Milliseconds")
            continue
        a.point("AWS/IoT", "Success", {"RuleName": rule, "ActionType": "Kinesis"}, t, n, "Count")
        a.point("AWS/Kinesis", "IncomingRecords", dims_stream, t, n, "Count")
        a.point("AWS/Kinesis", "IncomingBytes", dims_stream, t, n * a.jitter(610, 0.02), "Bytes")
        a.point("AWS/Kinesis", "PutRecord.Success", dims_stream, t, n, "Count")
        a.point(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            dims_stream,
            t,
            a.jitter(900, 0.5),
            "Milliseconds",
        )
        inv = a.jitter(118, 0.04)
        fdims = {"FunctionName": processor}
        a.point("AWS/Lambda", "Invocations", fdims, t, inv, "Count")
        errs = 1.0 if r.random() < 0.01 else 0.0
        a.point("AWS/Lambda", "Errors", fdims, t, errs, "Count")
        a.stats("AWS/Lambda", "Duration", fdims, t, "Milliseconds", inv, inv * 140, 38, a.jitter(410, 0.2))
        a.point("AWS/Lambda", "IteratorAge", fdims, t, a.jitter(1100, 0.4), "Milliseconds")
        a.point("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": table}, t, n * 1.0, "Count")
    # The ETA notifier runs a few times a minute all day.
    for t in a.minutes():
        fdims = {"FunctionName": "reefer-eta-notifier"}
        a.point("AWS/Lambda", "Invocations", fdims, t, r.randint(3, 9), "Count")
        a.point("AWS/Lambda", "Errors", fdims, t, 1 if r.random() < 0.04 else 0, "Count")

    # --- alarms -------------------------------------------------------------------------------------
    low = round(per_min * 0.25, -2)
    alarm_at = onset + timedelta(minutes=3, seconds=r.randint(5, 50))
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [0.0 ({(onset + timedelta(minutes=2)):%d/%m/%y %H:%M:%S}), "
        f"0.0 ({(onset + timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), 0.0 ({onset:%d/%m/%y %H:%M:%S})] were less "
        f"than the threshold ({low:.1f}) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    incoming = a.alarm(
        "reefer-telemetry-incoming-records-low",
        "AWS/Kinesis",
        "IncomingRecords",
        dims_stream,
        "Sum",
        60,
        3,
        low,
        "LessThanThreshold",
        ops_topic,
        "ALARM",
        alarm_at,
        reason,
        "Trailer telemetry into Kinesis far below normal. Runbook: wiki/ops/reefer-ingest",
        missing="breaching",
    )
    a.transition(incoming["AlarmName"], alarm_at, "OK", "ALARM", reason)
    a.alarm(
        "reefer-telemetry-processor-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": processor},
        "Sum",
        300,
        1,
        5,
        "GreaterThanOrEqualToThreshold",
        ops_topic,
        "OK",
        a.start - timedelta(days=2),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (5.0).",
        missing="notBreaching",
    )
    flap = a.start + timedelta(minutes=r.randint(30, 100))
    eta = a.alarm(
        "reefer-eta-notifier-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "reefer-eta-notifier"},
        "Sum",
        300,
        1,
        3,
        "GreaterThanOrEqualToThreshold",
        ops_topic,
        "OK",
        flap + timedelta(minutes=10),
        "Threshold Crossed: 1 datapoint [1.0] was not greater than or equal to the threshold (3.0).",
        missing="notBreaching",
    )
    a.transition(
        eta["AlarmName"],
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [4.0] was greater than or equal to the threshold (3.0).",
    )
    a.transition(eta["AlarmName"], flap + timedelta(minutes=10), "ALARM", "OK", eta["StateReason"])

    # --- logs ---------------------------------------------------------------------------------------
    stream = a.lambda_stream(a.start)
    t = a.start + timedelta(seconds=r.randint(5, 50))
    while t < onset:
        n = r.randint(380, 500)
        written = n
        body = [
            (
                2.0,
                f"[INFO]\t{iso(t)}\t{{rid}}\tbatch received: {n} records from shardId-00000000000{r.randint(0, 1)}\n",
            )
        ]
        if r.random() < 0.08:
            tid = f"TRL{r.randint(1000, 9999)}"
            body.append(
                (
                    90.0,
                    f"[WARNING]\t{iso(t)}\t{{rid}}\texcursion trailer={tid} setpoint=-18.0 reading=-15.{r.randint(1, 9)} published alert\n",
                )
            )
        body.append((150.0, f"[INFO]\t{iso(t)}\t{{rid}}\twrote {written} readings to {table}\n"))
        a.invocation(processor, stream, t, r.uniform(120, 260), 512, r.randint(120, 160), body)
        t += timedelta(seconds=r.randint(240, 360))
    # IoT logging is at ERROR level: nothing until the rule starts failing.
    t = onset + timedelta(seconds=r.randint(1, 5))
    while t < a.now:
        tid = f"TRL{r.randint(1000, 9999)}"
        detail = (
            f"User: arn:aws:sts::{a.account}:assumed-role/{archive_role}/{a.hexid(32)} is not authorized to "
            f"perform: kinesis:PutRecord on resource: {stream_arn} because no identity-based policy allows the "
            "kinesis:PutRecord action (Service: AmazonKinesis; Status Code: 400; Error Code: AccessDeniedException; "
            f"Request ID: {a.uid()}; Proxy: null)"
        )
        a.log(
            "AWSIotLogsV2",
            f"{a.hexid(8)}-{a.hexid(4)}-{a.hexid(4)}-{a.hexid(4)}-{a.hexid(12)}",
            t,
            json.dumps(
                {
                    "timestamp": t.strftime("%Y-%m-%d %H:%M:%S.") + f"{r.randint(0, 999):03d}",
                    "logLevel": "ERROR",
                    "traceId": a.uid(),
                    "accountId": a.account,
                    "status": "Failure",
                    "eventType": "RuleExecution",
                    "clientId": f"reefer-{tid}",
                    "topicName": f"reefer/{tid}/telemetry",
                    "ruleName": rule,
                    "ruleAction": "KinesisAction",
                    "resources": {"StreamName": stream_name},
                    "principalId": a.hexid(64),
                    "details": detail,
                }
            ),
        )
        t += timedelta(seconds=r.randint(8, 40))

    # --- cloudtrail ---------------------------------------------------------------------------------
    tf = a.who_role("github-actions-terraform", f"GitHubActions-{r.randint(10**9, 10**10 - 1)}", change_at)
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1"
    )
    payload = {
        "sql": rule_sql,
        "description": "Trailer telemetry to Kinesis (managed by terraform: iot-ingest)",
        "actions": [
            {
                "kinesis": {
                    "roleArn": a.role_arn(archive_role),
                    "streamName": stream_name,
                    "partitionKey": "${topic(2)}",
                }
            }
        ],
        "ruleDisabled": False,
        "awsIotSqlVersion": "2016-03-23",
    }
    tf_reads = [
        ("iot.amazonaws.com", "GetTopicRule", {"ruleName": rule}),
        ("iot.amazonaws.com", "GetTopicRule", {"ruleName": archive_rule}),
        ("iam.amazonaws.com", "GetRole", {"roleName": good_role}),
        ("iam.amazonaws.com", "GetRole", {"roleName": archive_role}),
        ("kinesis.amazonaws.com", "DescribeStream", {"streamName": stream_name}),
        ("lambda.amazonaws.com", "GetFunction", {"functionName": "reefer-eta-notifier"}),
    ]
    for i, (src, nm, p) in enumerate(tf_reads):
        a.call(
            change_at - timedelta(seconds=40 - i * 3),
            src,
            nm,
            tf,
            p,
            None,
            read_only=True,
            agent=tf_agent,
            region="us-east-1" if src.startswith("iam") else None,
        )
    culprit = a.call(
        change_at,
        "iot.amazonaws.com",
        "ReplaceTopicRule",
        tf,
        {"ruleName": rule, "topicRulePayload": payload},
        None,
        agent=tf_agent,
    )
    a.call(
        eta_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {
            "functionName": "reefer-eta-notifier",
            "environment": {},
        },
        {
            "functionName": "reefer-eta-notifier",
            "functionArn": a.arn("lambda", "function:reefer-eta-notifier"),
            "runtime": "nodejs20.x",
            "memorySize": 256,
            "timeout": 30,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=tf_agent,
    )
    a.call(
        change_at + timedelta(seconds=r.randint(10, 20)),
        "iam.amazonaws.com",
        "DeleteRolePolicy",
        tf,
        {"roleName": "iot-reefer-legacy-republish-role", "policyName": "republish"},
        None,
        agent=tf_agent,
        region="us-east-1",
    )
    # An ordinary code deploy of the processor an hour or two before.
    gh = a.who_role(
        "github-actions-lambda-deploy", f"GitHubActions-{r.randint(10**9, 10**10 - 1)}", deploy_at
    )
    a.call(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gh,
        {"functionName": processor, "publish": False, "dryRun": False},
        {
            "functionName": processor,
            "functionArn": a.arn("lambda", f"function:{processor}"),
            "runtime": "python3.12",
            "codeSize": r.randint(4_000_000, 6_000_000),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 command/lambda.update-function-code",
    )
    a.call(
        deploy_at + timedelta(seconds=20),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        gh,
        {"functionName": processor},
        None,
        read_only=True,
    )
    a.tooling_noise(
        r.randint(40, 60),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("kinesis.amazonaws.com", "ListStreams", None),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream_name}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("iot.amazonaws.com", "ListTopicRules", None),
            ("sns.amazonaws.com", "ListTopics", None),
        ],
    )
    local = (onset + timedelta(hours=tz_h) - timedelta(minutes=r.randint(2, 6))).strftime("%H:%M")
    question = (
        f"cold chain dashboard froze around {local} - every trailer shows last reading at the same time, "
        "but the drivers say the units are online and connected. Is AWS having issues or did we break something?"
    )
    event = a.alarm_event(
        incoming, alarm_at, "OK", "Threshold Crossed: 3 datapoints were not less than the threshold."
    )
    return a.bundle(
        TITLE,
        question,
        TZ,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": rule,
                "category": "change",
                "failure_mode": "iot-rule-role-without-kinesis-permission",
                "event_id": culprit,
            },
            "also_accept": [
                a.arn("iot", f"rule/{rule}"),
                archive_role,
                a.role_arn(archive_role),
            ],
            "actions": ["rollback"],
            "chain": [rule, stream_name, processor, table],
        },
    )
