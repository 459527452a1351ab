"""Energy retailer: month-start meter readings delayed, ingest queue age alarm in the early morning."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_za as k

NAME = "meter-readings-new-month-table"
TITLE = "Month-start meter readings not showing; meter-readings-ingest age alarm early morning"
SUMMARY = (
    "The monthly readings table is created fresh (on-demand) at month end; the partner's early-morning "
    "bulk delivery on the 1st exceeds a new on-demand table's initial throughput, writes throttle and the queue backs up."
)

TZ = "Europe/London"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    noise = random.Random(f"{NAME}:{seed}:noise")
    ids = k.Ids(rng)
    region = rng.choice(["eu-west-2", "eu-west-1"])
    account = ids.account()
    year = rng.choice([2024, 2025])
    month = rng.randrange(2, 12)
    first = datetime(year, month, 1, tzinfo=k.UTC)
    prev = first - timedelta(days=1)
    new_table = f"meter-readings-{first:%Y-%m}"
    old_table = f"meter-readings-{prev:%Y-%m}"
    rotate_at = first - timedelta(minutes=rng.randrange(25, 40), seconds=rng.randrange(60))
    start = k.floor_min(rotate_at - timedelta(minutes=rng.randrange(20, 50)))
    batch_at = first + timedelta(hours=4, minutes=rng.randrange(40, 75))  # partner's bulk drop
    onset = k.floor_min(batch_at) + timedelta(minutes=1)
    now = k.floor_min(onset + timedelta(minutes=rng.randrange(48, 62)))
    end = now
    near = onset - timedelta(minutes=90)
    T = list(k.minutes(start, near, 300)) + list(k.minutes(near, now, 60))

    def step(t: datetime) -> int:
        return 300 if t < near else 60

    queue = "meter-readings-ingest"
    writer = "reading-writer"
    splitter = "meter-file-splitter"
    rotator = "readings-table-rotator"
    bucket = f"gridwise-partner-drop-{account}"
    queue_url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"
    queue_arn = f"arn:aws:sqs:{region}:{account}:{queue}"

    # readings written a second (items of ~0.8 KB: 1 WCU each)
    night = rng.uniform(300, 500)
    burst = rng.uniform(9000, 12500)  # what the writers would push if unthrottled
    burst_len = timedelta(minutes=rng.randrange(55, 80))
    initial_cap = 4000.0

    def offered(t: datetime) -> float:
        if batch_at <= t < batch_at + burst_len:
            return burst
        return night

    def cap(t: datetime) -> float:
        if t < first:
            return 40000.0
        if t < batch_at:
            return initial_cap
        # on-demand adapts: doubling roughly every 30 minutes of sustained pressure
        mins = (t - batch_at).total_seconds() / 60
        return initial_cap * (2 ** (mins / 30))

    def written(t: datetime) -> float:
        return min(offered(t) if t < batch_at + burst_len else burst, cap(t))

    def throttled(t: datetime) -> float:
        return max(0.0, offered(t) - cap(t)) if t < batch_at + burst_len else max(0.0, burst * 0.6 - cap(t))

    # queue: messages (batches of 100 readings) sent and drained
    def sent(t: datetime) -> float:
        return offered(t) / 100

    backlog: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    b = 0.0
    oldest_since: datetime | None = None
    for t in k.minutes(start, now, 60):
        drain = written(t) / 100 if t >= first else sent(t)
        b = max(0.0, b + (sent(t) - drain) * 60)
        backlog[t] = b
        if b > 500 and oldest_since is None:
            oldest_since = t
        if b <= 500:
            oldest_since = None
        age[t] = (t - oldest_since).total_seconds() + 40 if oldest_since else float(noise.randrange(1, 12))

    m = k.Metrics()
    qd = {"QueueName": queue}
    m.add(
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        "Count",
        T,
        lambda t: k.noisy(noise, sent(t) * step(t), 0.05),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        T,
        lambda t: k.noisy(
            noise, min(sent(t), written(t) / 100) * step(t) if t >= batch_at else sent(t) * step(t), 0.05
        ),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        "Count",
        T,
        lambda t: k.noisy(
            noise,
            (min(sent(t), written(t) / 100) + throttled(t) / 250) * step(t)
            if t >= batch_at
            else sent(t) * step(t),
            0.05,
        ),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        T,
        lambda t: k.noisy(noise, backlog.get(t, 0.0), 0.01) + noise.randrange(0, 6),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        T,
        lambda t: age.get(t, 3.0),
        integer=True,
        key="age",
    )

    for table, is_new in ((new_table, True), (old_table, False)):
        d = {"TableName": table}
        if is_new:
            wtimes = [t for t in T if t >= rotate_at + timedelta(minutes=1)]
            m.add(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                d,
                "Count",
                [t for t in wtimes if t >= first],
                lambda t: k.noisy(noise, written(t) * step(t), 0.03),
                integer=True,
            )
            m.add(
                "AWS/DynamoDB",
                "WriteThrottleEvents",
                d,
                "Count",
                wtimes,
                lambda t: (
                    k.noisy(noise, throttled(t) * step(t), 0.08) if throttled(t) > 0 and t >= first else None
                ),
                integer=True,
                key="wthr",
            )
            m.add(
                "AWS/DynamoDB",
                "ThrottledRequests",
                {"TableName": table, "Operation": "BatchWriteItem"},
                "Count",
                wtimes,
                lambda t: (
                    k.noisy(noise, throttled(t) / 25 * step(t), 0.08)
                    if throttled(t) > 0 and t >= first
                    else None
                ),
                integer=True,
            )
            m.add(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "BatchWriteItem"},
                "Milliseconds",
                [t for t in wtimes if t >= first],
                k.const_noise(noise, 11.5, 0.1),
            )
            m.add(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                d,
                "Count",
                [t for t in wtimes if t >= first],
                lambda t: k.noisy(noise, 30 * step(t), 0.2),
                integer=True,
            )
        else:
            m.add(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                d,
                "Count",
                T,
                lambda t: k.noisy(noise, (offered(t) if t < first else 6) * step(t), 0.04),
                integer=True,
            )
            m.add(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                d,
                "Count",
                T,
                lambda t: k.noisy(noise, (260 if t >= first else 90) * step(t), 0.1),
                integer=True,
            )
            m.add(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "BatchWriteItem"},
                "Milliseconds",
                [t for t in T if t < first + timedelta(minutes=3)],
                k.const_noise(noise, 11.0, 0.1),
            )
            m.add(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": "Query"},
                "Milliseconds",
                T,
                k.const_noise(noise, 6.4, 0.1),
            )

    def trouble(t: datetime) -> float:
        return min(1.0, throttled(t) / max(offered(t), 1.0)) if t >= first else 0.0

    wd = {"FunctionName": writer}
    conc_cap = 50

    def conc(t: datetime) -> float:
        if t >= batch_at and (backlog.get(k.floor_min(t), 0) > 0 or trouble(t) > 0):
            return float(conc_cap)
        return max(1.0, offered(t) / 100 * 0.55)

    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        wd,
        "Count",
        T,
        lambda t: min(conc_cap, round(k.noisy(noise, conc(t), 0.05))),
        integer=True,
    )

    def w_inv(t: datetime) -> float:
        if trouble(t) == 0:
            return k.noisy(noise, sent(t) / 10 * step(t), 0.06)
        return k.noisy(noise, conc_cap * 1.5 * step(t) / 60, 0.06)

    def w_err(t: datetime) -> float:
        if trouble(t) == 0:
            return 0.0
        return k.noisy(noise, conc_cap * 1.5 * step(t) / 60 * min(0.8, trouble(t) * 1.3), 0.1)

    m.add("AWS/Lambda", "Invocations", wd, "Count", T, w_inv, integer=True)
    m.add("AWS/Lambda", "Errors", wd, "Count", T, w_err, integer=True, key="werr")
    m.add(
        "AWS/Lambda",
        "Duration",
        wd,
        "Milliseconds",
        T,
        lambda t: min(60000.0, k.noisy(noise, 850 + 70000 * trouble(t), 0.08)),
        key="wdur",
    )
    m.add("AWS/Lambda", "Throttles", wd, "Count", T, lambda t: 0.0, integer=True)
    sd = {"FunctionName": splitter}
    m.add(
        "AWS/Lambda",
        "Invocations",
        sd,
        "Count",
        T,
        lambda t: (
            k.noisy(noise, (offered(t) / 40000) * step(t) + 0.2, 0.2)
            if offered(t) > night
            else float(noise.randrange(0, 3))
        ),
        integer=True,
    )
    m.add("AWS/Lambda", "Errors", sd, "Count", T, lambda t: 0.0, integer=True)
    m.add("AWS/Lambda", "Duration", sd, "Milliseconds", T, k.const_noise(noise, 5400, 0.2))
    m.add(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": rotator},
        "Count",
        [k.floor_min(rotate_at)],
        lambda t: 1.0,
        integer=True,
    )
    m.add(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": rotator},
        "Milliseconds",
        [k.floor_min(rotate_at)],
        lambda t: 8123.4,
    )

    # ------------------------------------------------------------------ alarms
    topic = f"arn:aws:sns:{region}:{account}:metering-alerts"
    cfg = start - timedelta(days=rng.randrange(60, 300))
    specs = [
        (
            f"{queue}-oldest-age",
            "meter readings waiting > 15 minutes in the ingest queue",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            300,
            1,
            1,
            900.0,
            "GreaterThanThreshold",
            "age",
            "missing",
        ),
        (
            f"{writer}-errors",
            "reading-writer errors (5 min)",
            "AWS/Lambda",
            "Errors",
            wd,
            "Sum",
            300,
            3,
            3,
            200.0,
            "GreaterThanThreshold",
            "werr",
            "notBreaching",
        ),
        (
            f"{writer}-duration-p90",
            "reading-writer near its timeout",
            "AWS/Lambda",
            "Duration",
            wd,
            "Average",
            300,
            2,
            2,
            45000.0,
            "GreaterThanThreshold",
            "wdur",
            "missing",
        ),
    ]
    alarms: list[k.Json] = []
    history: list[k.Json] = []
    trig: k.Json | None = None
    for name, desc, ns, met, dims, stat, per, ev, dp, thr, cmp_, key, miss in specs:
        item = k.alarm_item(
            account=account,
            region=region,
            name=name,
            description=desc,
            namespace=ns,
            metric=met,
            dims=dims,
            statistic=stat,
            period=per,
            evaluation_periods=ev,
            datapoints=dp,
            threshold=thr,
            comparison=cmp_,
            treat_missing=miss,
            topic_arn=topic,
            configured=cfg,
        )
        final, hist, trans = k.evaluate_alarm(item, m.points[key], start, now)
        alarms.append(final)
        history += hist
        if name == f"{queue}-oldest-age":
            firing = [x for x in trans if x["new"] == "ALARM"]
            if firing:
                was = json.loads(hist[0]["HistoryData"])["oldState"]["stateReason"]
                trig = k.alarm_event(item, firing[0], account, region, ids, was)

    # ------------------------------------------------------------------ resources
    def table_desc(name: str, created: datetime, items: int, class_: str) -> k.Json:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        return {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": name,
                "TableArn": arn,
                "TableId": ids.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "AttributeDefinitions": [
                    {"AttributeName": "mpan", "AttributeType": "S"},
                    {"AttributeName": "readAt", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "mpan", "KeyType": "HASH"},
                    {"AttributeName": "readAt", "KeyType": "RANGE"},
                ],
                "ItemCount": items,
                "TableSizeBytes": items * 812,
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{kms_key}",
                },
                "DeletionProtectionEnabled": True,
                "TableClassSummary": {"TableClass": class_},
                "OnDemandThroughput": {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1},
            },
        }

    kms_key = ids.uuid()
    old_created = prev.replace(day=1) - timedelta(minutes=rng.randrange(25, 40))
    fn_arn = {f: f"arn:aws:lambda:{region}:{account}:function:{f}" for f in (writer, splitter, rotator)}
    writer_esm = ids.uuid()

    def fn(
        name: str, runtime: str, mem: int, timeout: int, env: dict[str, str], modified: datetime, desc: str
    ) -> k.Json:
        return {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": name,
                "FunctionArn": fn_arn[name],
                "Runtime": runtime,
                "Role": f"arn:aws:iam::{account}:role/{name}-role",
                "Handler": "app.handler",
                "CodeSize": rng.randrange(20_000, 900_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        }

    mem_at = onset - timedelta(minutes=rng.randrange(8, 24), seconds=rng.randrange(60))
    resources: list[k.Json] = [
        table_desc(new_table, rotate_at, rng.randrange(8_000_000, 14_000_000), "STANDARD"),
        table_desc(
            old_table, old_created, rng.randrange(600_000_000, 900_000_000), "STANDARD_INFREQUENT_ACCESS"
        ),
        fn(
            writer,
            "python3.12",
            512,
            60,
            {"TABLE_PREFIX": "meter-readings-", "TABLE_ROTATION": "monthly", "MAX_BATCH_RETRIES": "8"},
            start - timedelta(days=rng.randrange(10, 40)),
            "Writes validated readings to the month's table",
        ),
        fn(
            splitter,
            "python3.12",
            1024,
            300,
            {"TARGET_QUEUE_URL": queue_url, "READINGS_PER_MESSAGE": "100"},
            mem_at,
            "Splits partner D0010 files into reading batches",
        ),
        fn(
            rotator,
            "python3.12",
            256,
            120,
            {"TABLE_PREFIX": "meter-readings-", "ARCHIVE_CLASS": "STANDARD_INFREQUENT_ACCESS"},
            start - timedelta(days=rng.randrange(60, 200)),
            "Creates next month's readings table",
        ),
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": writer_esm,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": queue_arn,
                "FunctionArn": fn_arn[writer],
                "LastModified": k.iso(start - timedelta(days=90)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": conc_cap},
                "EventSourceMappingArn": f"arn:aws:lambda:{region}:{account}:event-source-mapping:{writer_esm}",
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": queue_url,
                "Attributes": {
                    "QueueArn": queue_arn,
                    "ApproximateNumberOfMessages": str(
                        int(backlog.get(k.floor_min(now) - timedelta(minutes=1), 0))
                    ),
                    "ApproximateNumberOfMessagesNotVisible": str(conc_cap * 10),
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int((start - timedelta(days=500)).timestamp())),
                    "LastModifiedTimestamp": str(int((start - timedelta(days=90)).timestamp())),
                    "VisibilityTimeout": "360",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": f"{queue_arn}-dlq", "maxReceiveCount": 12}
                    ),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "metering", "service": "readings-ingest"},
            },
        },
        {
            "service": "s3",
            "type": "Bucket",
            "item": {"Name": bucket, "CreationDate": k.iso(start - timedelta(days=700))},
        },
        k.log_group(
            account,
            region,
            f"/aws/lambda/{writer}",
            30,
            start - timedelta(days=700),
            rng.randrange(10**9, 10**10),
        ),
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "dynamodb",
                "ResourceId": "table/meter-billing-summaries",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "MinCapacity": 50,
                "MaxCapacity": 2000,
                "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                "CreationTime": k.iso(start - timedelta(days=400)),
            },
        },
    ]

    # ------------------------------------------------------------------ CloudTrail
    ct: list[k.Json] = []
    rot = k.principal(
        ids, account, region, "role", f"{rotator}-role", rotator, k.AGENT_BOTO, ip=ids.public_ip()
    )
    people = rng.sample(["hannah.price", "owen.jones", "fatima.ali", "george.baker", "isla.reid"], 3)
    dataeng = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_DataEngineer_{ids.hex(16)}",
        f"{people[0]}@gridwise.energy",
        k.AGENT_CONSOLE,
    )
    oncall = k.principal(
        ids,
        account,
        region,
        "sso",
        f"AWSReservedSSO_PlatformOnCall_{ids.hex(16)}",
        f"{people[1]}@gridwise.energy",
        k.AGENT_CLI.format(cmd="sqs.get-queue-attributes"),
    )
    ci = k.principal(
        ids,
        account,
        region,
        "role",
        "gha-platform-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_TF.format(api="eventbridge#1.30.4"),
        ip=ids.public_ip(),
    )
    aas = k.principal(
        ids,
        account,
        region,
        "service",
        "",
        "",
        "application-autoscaling.amazonaws.com",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    new_arn = f"arn:aws:dynamodb:{region}:{account}:table/{new_table}"
    old_arn = f"arn:aws:dynamodb:{region}:{account}:table/{old_table}"
    ct.append(
        k.ct_record(
            ids,
            rot,
            rotate_at,
            "dynamodb.amazonaws.com",
            "CreateTable",
            {
                "tableName": new_table,
                "attributeDefinitions": [
                    {"attributeName": "mpan", "attributeType": "S"},
                    {"attributeName": "readAt", "attributeType": "S"},
                ],
                "keySchema": [
                    {"attributeName": "mpan", "keyType": "HASH"},
                    {"attributeName": "readAt", "keyType": "RANGE"},
                ],
                "billingMode": "PAY_PER_REQUEST",
                "sSESpecification": {"enabled": True, "sSEType": "KMS", "kMSMasterKeyId": kms_key},
                "deletionProtectionEnabled": True,
                "tags": [{"key": "team", "value": "metering"}],
            },
            {
                "tableDescription": {
                    "tableName": new_table,
                    "tableArn": new_arn,
                    "tableStatus": "CREATING",
                    "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
                    "creationDateTime": rotate_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            rot,
            rotate_at + timedelta(seconds=7),
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": new_table},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            rot,
            rotate_at + timedelta(seconds=8),
            "dynamodb.amazonaws.com",
            "UpdateContinuousBackups",
            {
                "tableName": new_table,
                "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
            },
            {"continuousBackupsDescription": {"continuousBackupsStatus": "ENABLED"}},
            read_only=False,
            region=region,
            account=account,
        )
    )
    # the previous month's table moves to infrequent access a little after midnight (scheduled)
    ia_at = first + timedelta(minutes=rng.randrange(8, 20))
    ct.append(
        k.ct_record(
            ids,
            rot,
            ia_at,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            {"tableName": old_table, "tableClass": "STANDARD_INFREQUENT_ACCESS"},
            {"tableDescription": {"tableName": old_table, "tableArn": old_arn, "tableStatus": "UPDATING"}},
            read_only=False,
            region=region,
            account=account,
        )
    )
    # data engineer bumps the splitter's memory before the partner drop
    ct.append(
        k.ct_record(
            ids,
            dataeng,
            mem_at,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            {"functionName": splitter, "memorySize": 1024},
            {
                "functionName": splitter,
                "functionArn": fn_arn[splitter],
                "memorySize": 1024,
                "timeout": 300,
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    # CI enables the monthly statements rule
    rule_at = onset + timedelta(minutes=rng.randrange(3, 15))
    ct.append(
        k.ct_record(
            ids,
            ci,
            rule_at,
            "events.amazonaws.com",
            "PutRule",
            {
                "name": "monthly-statement-trigger",
                "scheduleExpression": "cron(0 7 1 * ? *)",
                "state": "ENABLED",
                "description": "Kick off monthly statement generation",
            },
            {"ruleArn": f"arn:aws:events:{region}:{account}:rule/monthly-statement-trigger"},
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            ci,
            rule_at + timedelta(seconds=2),
            "events.amazonaws.com",
            "DescribeRule",
            {"name": "monthly-statement-trigger"},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )
    reads: list[tuple[str, str, k.Json | None]] = [
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": old_table}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": queue_url, "attributeNames": ["All"]}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": writer}),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", None),
        ("s3.amazonaws.com", "ListBuckets", None),
    ]
    ct += k.routine_reads(rng, ids, [dataeng, oncall], reads, start, now, 18, region, account)
    for t in k.spread_times(rng, start, now, 8):
        ct.append(
            k.ct_record(
                ids,
                aas,
                t,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                {"tableName": "meter-billing-summaries"},
                None,
                read_only=True,
                region=region,
                account=account,
            )
        )
    look = now - timedelta(minutes=rng.randrange(5, 15))
    ct.append(
        k.ct_record(
            ids,
            oncall,
            look,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": queue_url, "attributeNames": ["ApproximateNumberOfMessages"]},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )

    # ------------------------------------------------------------------ logs
    logs: list[k.Json] = []
    group = f"/aws/lambda/{writer}"
    stream = k.lambda_stream(ids, start)
    t = start + timedelta(seconds=rng.randrange(10, 60))
    while t < now - timedelta(seconds=61):
        tr = trouble(t)
        tbl = new_table if t >= first else old_table
        body = []
        if tr > 0 and rng.random() < 0.9:
            for attempt in range(1, rng.randrange(3, 9)):
                body.append(
                    f"[WARNING]\t{k.iso_ms(t)}\t{{rid}}\tBatchWriteItem to {tbl}: {rng.randrange(6, 25)} UnprocessedItems, "
                    f"retrying (attempt {attempt}/8)\n"
                )
            if rng.random() < min(0.9, tr * 1.5):
                body.append(
                    f"[ERROR]\t{k.iso_ms(t)}\t{{rid}}\tbatch failed messageId={ids.uuid()}\n"
                    'Traceback (most recent call last):\n  File "/var/task/app.py", line 88, in write_batch\n'
                    "    resp = client.batch_write_item(RequestItems={table: chunk})\n"
                    "botocore.errorfactory.ProvisionedThroughputExceededException: An error occurred "
                    "(ProvisionedThroughputExceededException) when calling the BatchWriteItem operation (reached max retries: 9): "
                    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your "
                    "table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
                    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html\n"
                )
            dur = min(60000.0, rng.uniform(30000, 75000))
        else:
            body.append(
                f"[INFO]\t{k.iso_ms(t)}\t{{rid}}\twrote {rng.randrange(900, 1000)} readings to {tbl} "
                f"({rng.randrange(0, 3)} late reads for previous month)\n"
            )
            if rng.random() < 0.05:
                body.append(
                    f"[WARNING]\t{k.iso_ms(t)}\t{{rid}}\treading rejected mpan={rng.randrange(10**12, 10**13)} "
                    f"reason=register_rollover_suspect\n"
                )
            dur = rng.uniform(600, 1300)
        if dur >= 60000:
            rid_rows = k.lambda_report(
                rng, ids, group, stream, t, 60000.0, 512, rng.randrange(140, 180), body
            )
            end_t = t + timedelta(milliseconds=60000)
            rid_rows.insert(
                -2,
                k.log(
                    group, stream, end_t, f"{k.iso_ms(end_t)} {{rid}} Task timed out after 60.00 seconds\n"
                ),
            )
            rid = rid_rows[0]["message"].split()[2]
            for r in rid_rows:
                r["message"] = r["message"].replace("{rid}", rid)
            logs += rid_rows
        else:
            logs += k.lambda_report(rng, ids, group, stream, t, dur, 512, rng.randrange(110, 150), body)
        if rng.random() < 0.05:
            stream = k.lambda_stream(ids, t)
        t += timedelta(seconds=rng.uniform(60, 200) if tr == 0 else rng.uniform(8, 25))
    rg = f"/aws/lambda/{rotator}"
    logs += k.lambda_report(
        rng,
        ids,
        rg,
        k.lambda_stream(ids, rotate_at),
        rotate_at - timedelta(seconds=1),
        8123.4,
        256,
        92,
        [
            f"[INFO]\t{k.iso_ms(rotate_at)}\t{{rid}}\tcreating {new_table} (PAY_PER_REQUEST)\n",
            f"[INFO]\t{k.iso_ms(rotate_at)}\t{{rid}}\t{new_table} is ACTIVE; point-in-time recovery enabled\n",
            f"[INFO]\t{k.iso_ms(rotate_at)}\t{{rid}}\twill move {old_table} to STANDARD_INFREQUENT_ACCESS after midnight\n",
        ],
        init_ms=412.8,
    )
    sg = f"/aws/lambda/{splitter}"
    t = batch_at - timedelta(seconds=20)
    s_stream = k.lambda_stream(ids, t)
    for i in range(rng.randrange(6, 10)):
        tt = t + timedelta(seconds=i * rng.uniform(20, 60))
        logs += k.lambda_report(
            rng,
            ids,
            sg,
            s_stream,
            tt,
            rng.uniform(4000, 9000),
            1024,
            rng.randrange(300, 420),
            [
                f"[INFO]\t{k.iso_ms(tt)}\t{{rid}}\tsplit s3://{bucket}/inbound/D0010_{first:%Y%m%d}_{rng.randrange(1000, 9999)}.csv.gz: "
                f"{rng.randrange(280_000, 420_000)} readings -> {rng.randrange(2800, 4200)} messages\n"
            ],
        )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {
                "question": "The readings ingest age alarm went off early this morning and billing says customers' "
                "month-start meter reads aren't showing yet. The partner file arrived on time. Why is ingest stuck?",
                "alarm_event": trig,
                "timezone": TZ,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": new_table,
                    "category": "limit",
                    "failure_mode": "new-on-demand-table-initial-throughput",
                },
                "also_accept": [new_arn],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"{rotator} created {new_table} on-demand shortly before midnight; a new on-demand table starts at "
                    "about 4,000 write units a second",
                    f"The partner's month-start bulk drop pushes far more writes than that; {new_table} throttles "
                    "(WriteThrottleEvents) while on-demand capacity ramps up",
                    f"{writer} retries unprocessed items, times out and fails batches",
                    f"{queue} backs up and its oldest-message age alarm fires; readings are late for billing",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": k.sort_ct(ct),
            "resources": resources,
        },
    )
