"""Smart-meter latest-state writer stops writing after its role's inline policy is tightened."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzh import Kit, diurnal, iso, minutes

NAME = "meter-state-writer-access-denied"
TITLE = "Meter dashboard shows stale readings; meter-state-writer IteratorAge page"
SUMMARY = (
    "A least-privilege rewrite of the consumer role's inline policy dropped dynamodb:BatchWriteItem; "
    "the Kinesis consumer fails every batch and falls behind while the stream and other consumers are fine."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "us-east-1", "meter")
    rng = k.rng
    day = k.day()
    onset = day + timedelta(hours=rng.randint(14, 19), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=rng.randint(10, 40))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(42, 58))).replace(second=0)
    end = now
    stream = "meter-readings"
    writer = "meter-state-writer"
    other = "meter-anomaly-detector"
    table = "meter-latest-state"
    role = "meter-state-writer-role"
    shards = rng.choice([2, 3, 4])
    created = day - timedelta(days=rng.randint(200, 600))
    topic = k.topic("metering-oncall")

    s = k.kinesis_stream(stream, shards, created, retention=48)
    k.role(role, created)
    k.role("meter-anomaly-detector-role", created)
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadStream",
                "Effect": "Allow",
                "Action": [
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards",
                ],
                "Resource": s["StreamARN"],
            },
            {"Sid": "ListStreams", "Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"},
            {
                "Sid": "WriteState",
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
                "Resource": k.arn("dynamodb", f"table/{table}"),
            },
        ],
    }
    k.resource(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "meter-state-writer", "PolicyDocument": doc},
    )
    k.resource(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role,
            "PolicyName": "AWSLambdaBasicExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        },
    )
    k.function(
        writer,
        role,
        "python3.12",
        "app.handler",
        512,
        60,
        day - timedelta(days=rng.randint(9, 30)),
        {"TABLE_NAME": table, "LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": "meter-state"},
    )
    other_deploy = onset - timedelta(minutes=rng.randint(18, 35))
    k.function(
        other,
        "meter-anomaly-detector-role",
        "python3.12",
        "detector.main",
        1024,
        120,
        other_deploy,
        {"THRESHOLD_SIGMA": "4", "ALERT_TOPIC": topic},
    )
    k.esm(
        writer,
        s["StreamARN"],
        500,
        created + timedelta(days=3),
        window=5,
        result="PROBLEM: Function call failed",
    )
    k.esm(other, s["StreamARN"], 1000, created + timedelta(days=40), window=30, bisect=True, retries=3)
    k.table(table, created, "meter_id", None, rng.randint(180_000, 900_000), rng.randint(10**8, 10**9))
    k.log_group(f"/aws/lambda/{writer}", created)
    k.log_group(f"/aws/lambda/{other}", created)

    # --- metrics ----------------------------------------------------------------------------------
    meters = rng.randint(90_000, 400_000)
    for t in minutes(start, now):
        load = diurnal(t, 19, -5, 0.55, 1.0)
        recs = meters / 15 * load * rng.uniform(0.97, 1.03)  # one reading per meter every 15 min
        k.metric("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, "Count", recs)
        k.metric(
            "AWS/Kinesis", "IncomingBytes", {"StreamName": stream}, t, "Bytes", recs * rng.uniform(310, 330)
        )
        k.metric("AWS/Kinesis", "PutRecords.Success", {"StreamName": stream}, t, "Count", recs / 250)
        k.metric(
            "AWS/Kinesis",
            "WriteProvisionedThroughputExceeded",
            {"StreamName": stream},
            t,
            "Count",
            0.0,
        )
        behind = (t - onset).total_seconds() * 1000 if t >= onset else 0.0
        writer_age = max(behind, rng.uniform(200, 1400))
        k.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            "Milliseconds",
            stats=(shards * 120, shards * 120 * 400.0, 0.0, rng.uniform(600, 2400)),
        )
        per_shard = 12 if t < onset else rng.randint(5, 7)
        inv = shards * per_shard
        k.metric("AWS/Lambda", "Invocations", {"FunctionName": writer}, t, "Count", inv)
        k.metric("AWS/Lambda", "Errors", {"FunctionName": writer}, t, "Count", 0 if t < onset else inv)
        dur = rng.uniform(380, 900) if t < onset else rng.uniform(160, 260)
        k.metric(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": writer},
            t,
            "Milliseconds",
            stats=(inv, inv * dur, dur * 0.4, dur * 1.9),
        )
        k.metric(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": writer},
            t,
            "Milliseconds",
            stats=(inv, inv * writer_age * 0.9, 50.0, writer_age),
        )
        k.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            {"FunctionName": writer},
            t,
            "Count",
            stats=(1, shards, shards, shards),
        )
        # the anomaly detector reads the same stream every 30 s and is healthy throughout
        oinv = shards * 2
        k.metric("AWS/Lambda", "Invocations", {"FunctionName": other}, t, "Count", oinv)
        oerr = 1.0 if rng.random() < 0.03 else 0.0
        k.metric("AWS/Lambda", "Errors", {"FunctionName": other}, t, "Count", oerr)
        odur = rng.uniform(1800, 4200) * (1.25 if t >= other_deploy else 1.0)
        k.metric(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": other},
            t,
            "Milliseconds",
            stats=(oinv, oinv * odur, odur * 0.6, odur * 1.7),
        )
        oage = rng.uniform(28_000, 34_000)
        k.metric(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": other},
            t,
            "Milliseconds",
            stats=(oinv, oinv * oage * 0.8, 2000.0, oage),
        )
        if t < onset:
            wcu = recs * rng.uniform(0.98, 1.0)
            k.metric(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {"TableName": table},
                t,
                "Count",
                stats=(inv * 20, wcu, 1.0, 25.0),
            )
        rcu = rng.uniform(800, 2600) * load
        k.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": table},
            t,
            "Count",
            stats=(rcu * 2, rcu, 0.5, 0.5),
        )
        k.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "GetItem"},
            t,
            "Milliseconds",
            stats=(rcu * 2, rcu * 2 * 3.1, 1.4, 19.0),
        )
        if t < onset:
            n = inv * 20
            k.metric(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "BatchWriteItem"},
                t,
                "Milliseconds",
                stats=(n, n * 7.4, 3.2, 41.0),
            )

    # --- alarms -----------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=6, seconds=rng.randint(5, 50))
    age_alarm = k.alarm(
        f"{writer}-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": writer},
        "Maximum",
        60,
        5,
        300000.0,
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (300000.0).",
        fire,
        topic,
        desc="meter-state-writer is more than 5 minutes behind meter-readings",
    )
    k.transition(age_alarm, fire, "OK", "ALARM", age_alarm["StateReason"])
    err_alarm = k.alarm(
        f"{writer}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Sum",
        300,
        3,
        50.0,
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0).",
        onset + timedelta(minutes=15, seconds=20),
        topic,
    )
    k.transition(
        err_alarm, onset + timedelta(minutes=15, seconds=20), "OK", "ALARM", err_alarm["StateReason"]
    )
    dur_alarm = k.alarm(
        f"{other}-duration-p-high",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": other},
        "Maximum",
        60,
        3,
        6500.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints [5120.4] was not greater than the threshold (6500.0).",
        other_deploy + timedelta(minutes=9),
        topic,
        datapoints=2,
    )
    k.transition(
        dur_alarm,
        other_deploy + timedelta(minutes=4),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 3 datapoints [7012.5, 6620.0] were greater than the threshold (6500.0).",
    )
    k.transition(dur_alarm, other_deploy + timedelta(minutes=9), "ALARM", "OK", dur_alarm["StateReason"])
    k.alarm(
        f"{stream}-write-throttles",
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        {"StreamName": stream},
        "Sum",
        300,
        2,
        100.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were not greater than the threshold (100.0).",
        start - timedelta(days=6),
        topic,
    )
    k.alarm(
        f"{table}-read-latency",
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "GetItem"},
        "Average",
        300,
        3,
        25.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (25.0).",
        start - timedelta(days=12),
        topic,
    )

    # --- logs -------------------------------------------------------------------------------------
    streams = [k.lambda_stream(start - timedelta(minutes=rng.randint(5, 90))) for _ in range(shards)]
    denied = (
        f"[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the BatchWriteItem operation: "
        f"User: arn:aws:sts::{k.account}:assumed-role/{role}/{writer} is not authorized to perform: "
        f"dynamodb:BatchWriteItem on resource: arn:aws:dynamodb:{k.region}:{k.account}:table/{table} because no "
        "identity-based policy allows the dynamodb:BatchWriteItem action\nTraceback (most recent call last):\n"
        '  File "/var/task/app.py", line 74, in handler\n    flush(table, rows)\n'
        '  File "/var/task/app.py", line 41, in flush\n    batch.put_item(Item=row)\n'
        '  File "/var/task/boto3/dynamodb/table.py", line 117, in __exit__\n    self._flush()\n'
        '  File "/var/task/boto3/dynamodb/table.py", line 143, in _flush\n    response = self._client.batch_write_item(\n'
        '  File "/var/runtime/botocore/client.py", line 1023, in _make_api_call\n    raise error_class(parsed_response, operation_name)\n'
    )
    for t in minutes(start, now, 2):
        for i in range(shards):
            st = t + timedelta(seconds=rng.uniform(0, 50))
            shard = f"shardId-{i:012d}"
            if st < onset:
                n = rng.randint(380, 500)
                body = [
                    f"[INFO]\t{{ts}}\t{{rid}}\treceived {n} records from {shard}\n",
                    f"[INFO]\t{{ts}}\t{{rid}}\tupserted {n - rng.randint(0, 3)} meters into {table}\n",
                ]
                k.lambda_invocation(
                    writer, streams[i], st, body, rng.uniform(380, 900), 512, rng.randint(96, 118)
                )
            else:
                body = [
                    f"[INFO]\t{{ts}}\t{{rid}}\treceived 500 records from {shard}\n",
                    denied,
                ]
                k.lambda_invocation(
                    writer, streams[i], st, body, rng.uniform(160, 260), 512, rng.randint(96, 118), error=True
                )
    ostream = k.lambda_stream(other_deploy + timedelta(seconds=40))
    for t in minutes(start, now, 5):
        st = t + timedelta(seconds=rng.uniform(0, 200))
        body = [
            f"[INFO]\t{{ts}}\t{{rid}}\tscored {rng.randint(2000, 9000)} readings, {rng.randint(0, 3)} anomalies\n"
        ]
        if t >= other_deploy and rng.random() < 0.2:
            body.append("[WARNING]\t{ts}\t{rid}\tbaseline cache miss for region us-central, recomputing\n")
        k.lambda_invocation(other, ostream, st, body, rng.uniform(1800, 5000), 1024, rng.randint(300, 420))

    # --- CloudTrail -------------------------------------------------------------------------------
    k.tooling_reads(start, now, rng.randint(40, 60))
    ci = k.who_role("github-actions-deploy", f"GitHubActions-{rng.randint(10**9, 10**10)}", other_deploy)
    k.trail_event(
        other_deploy - timedelta(seconds=20),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": other,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"metering-artifacts-{k.account}",
            "s3Key": f"meter-anomaly-detector/{k.hexid(40)}.zip",
        },
        {
            "functionName": other,
            "functionArn": k.arn("lambda", f"function:{other}"),
            "runtime": "python3.12",
            "lastModified": other_deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
        ip="4.227.158.119",
    )
    k.trail_event(
        other_deploy + timedelta(seconds=25),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        {"functionName": other},
        None,
        read_only=True,
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
        ip="4.227.158.119",
    )
    admin_session = rng.choice(
        ["priya.raman@gridline.example", "tomas.keller@gridline.example", "ada.okafor@gridline.example"]
    )
    sso = f"AWSReservedSSO_PlatformEngineer_{k.hexid(16)}"
    admin = k.who_role(sso, admin_session, onset)
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    for dt, name, req in [
        (-420, "ListRolePolicies", {"roleName": role}),
        (-400, "GetRolePolicy", {"roleName": role, "policyName": "meter-state-writer"}),
        (
            -380,
            "GetRolePolicy",
            {"roleName": "meter-anomaly-detector-role", "policyName": "meter-anomaly-detector"},
        ),
        (-360, "GenerateServiceLastAccessedDetails", {"arn": f"arn:aws:iam::{k.account}:role/{role}"}),
        (-350, "GetServiceLastAccessedDetails", {"jobId": k.uid()}),
    ]:
        k.trail_event(
            onset + timedelta(seconds=dt),
            "iam.amazonaws.com",
            name,
            admin,
            req,
            None,
            read_only=name.startswith(("List", "Get")),
            agent=console,
            ip="203.0.113.44",
        )
    culprit = k.trail_event(
        onset - timedelta(seconds=rng.randint(20, 70)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        admin,
        {"roleName": role, "policyName": "meter-state-writer", "policyDocument": json.dumps(doc, indent=4)},
        None,
        agent=console,
        ip="203.0.113.44",
    )
    k.trail_event(
        onset + timedelta(seconds=rng.randint(30, 90)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        admin,
        {
            "roleName": "meter-anomaly-detector-role",
            "policyName": "meter-anomaly-detector",
            "policyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "kinesis:GetRecords",
                                "kinesis:GetShardIterator",
                                "kinesis:DescribeStream",
                                "kinesis:DescribeStreamSummary",
                                "kinesis:ListShards",
                            ],
                            "Resource": s["StreamARN"],
                        },
                        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
                    ],
                },
                indent=4,
            ),
        },
        None,
        agent=console,
        ip="203.0.113.44",
    )
    k.trail_event(
        onset - timedelta(hours=2, minutes=rng.randint(0, 40)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        k.who_role("terraform-apply", "terraform-apply-" + k.hexid(8), onset),
        {"logGroupName": f"/aws/lambda/{other}", "retentionInDays": 30},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )
    for _ in range(8):
        t = start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60)))
        k.trail_event(
            t,
            "sts.amazonaws.com",
            "AssumeRole",
            k.who_service("lambda.amazonaws.com"),
            {
                "roleArn": f"arn:aws:iam::{k.account}:role/{rng.choice([role, 'meter-anomaly-detector-role'])}",
                "roleSessionName": rng.choice([writer, other]),
            },
            {
                "credentials": {
                    "accessKeyId": k.akid(),
                    "sessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ...",
                    "expiration": iso(t + timedelta(hours=12)),
                }
            },
            read_only=True,
        )

    ask = onset + timedelta(minutes=rng.randint(25, 38))
    local = (ask - timedelta(hours=5)).strftime("%-I:%M")
    return k.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": f"the meter map in the ops dashboard hasn't updated since a bit before {local}, readings are all stale. is kinesis down?",
            "alarm_event": k.alarm_event(
                age_alarm, fire, "OK", start - timedelta(days=3), age_alarm["StateReason"]
            ),
            "timezone": "-05:00",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": f"arn:aws:iam::{k.account}:role/{role}",
                "category": "change",
                "failure_mode": "iam-policy-action-removed",
                "event_id": culprit,
            },
            "also_accept": [role, "meter-state-writer inline policy", "meter-state-writer"],
            "actions": ["rollback"],
            "chain": [role, writer, table, "ops dashboard"],
        },
    )
