"""Grocery app: delivery notifications stop while order confirmations keep arriving."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_za as k

NAME = "order-notifier-stream-filter"
TITLE = "Customers not getting driver-on-the-way and delivery notifications; confirmations still arrive"
SUMMARY = (
    "A Terraform apply rewrote the notifier's DynamoDB-stream event source mapping filter with a misspelt "
    "attribute, so status-update (MODIFY) records are filtered out and no delivery pushes are sent."
)

TZ = "Europe/London"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    region = rng.choice(["eu-west-2", "eu-west-1"])
    account = ids.account()
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (0, 1, 2, 3, 4, 5))
    local_change = datetime(
        day.year, day.month, day.day, 10, rng.randrange(12, 41), rng.randrange(60), tzinfo=zone
    )
    change_at = local_change.astimezone(k.UTC)
    onset = k.floor_min(change_at) + timedelta(minutes=1)
    start = k.floor_min(change_at - timedelta(hours=5, minutes=rng.randrange(0, 30)))
    now = k.floor_min(change_at + timedelta(minutes=rng.randrange(95, 130)))
    end = now
    utc_off = (local_change.utcoffset() or timedelta()).total_seconds() / 3600

    brand = rng.choice(["larder", "basketly", "pantrypal"])
    table = f"{brand}-orders-prod"
    notifier = "order-status-notifier"
    picking = "picking-events-sync"
    order_api = "orders-api-handler"
    pricing = "basket-pricing"
    push = "push-dispatch"
    topic_name = "order-updates-prod"
    queue_name = "store-picking-events"
    topic_arn = f"arn:aws:sns:{region}:{account}:{topic_name}"
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    created = start - timedelta(days=rng.randrange(300, 700))
    stream_label = (created + timedelta(days=2, seconds=rng.randrange(86400))).strftime(
        "%Y-%m-%dT%H:%M:%S."
    ) + f"{rng.randrange(1000):03d}"
    stream_arn = f"{table_arn}/stream/{stream_label}"
    esm_uuid = ids.uuid()
    esm_arn = f"arn:aws:lambda:{region}:{account}:event-source-mapping:{esm_uuid}"
    sqs_esm_uuid = ids.uuid()
    fn_arn = {
        n: f"arn:aws:lambda:{region}:{account}:function:{n}"
        for n in (notifier, picking, order_api, pricing, push)
    }
    queue_url = f"https://sqs.{region}.amazonaws.com/{account}/{queue_name}"
    queue_arn = f"arn:aws:sqs:{region}:{account}:{queue_name}"
    alarm_topic = f"arn:aws:sns:{region}:{account}:ops-alerts"

    new_filters = [
        json.dumps({"eventName": ["INSERT"]}, separators=(",", ":")),
        json.dumps(
            {
                "eventName": ["MODIFY"],
                "dynamodb": {
                    "NewImage": {
                        "order_status": {"S": ["OUT_FOR_DELIVERY", "DELIVERED", "SUBSTITUTED", "CANCELLED"]}
                    }
                },
            },
            separators=(",", ":"),
        ),
    ]

    # ------------------------------------------------------------------ traffic model
    peak_orders = rng.uniform(28, 46)  # new orders a minute at the local peak

    def orders(t: datetime) -> float:
        return peak_orders * k.diurnal(t, utc_off, low=0.06)

    def updates(t: datetime) -> float:  # status updates (MODIFY) a minute: lag orders by ~90 min
        return 3.1 * peak_orders * k.diurnal(t - timedelta(minutes=90), utc_off, low=0.05)

    def notify_updates(t: datetime) -> float:  # the share of updates that notify a customer
        return updates(t) * 0.58

    def times(step_far: int = 300) -> list[datetime]:
        near = onset - timedelta(minutes=90)
        return list(k.minutes(start, near, step_far)) + list(k.minutes(near, now, 60))

    m = k.Metrics()
    noise = random.Random(f"{NAME}:{seed}:noise")

    # DynamoDB table
    T5 = times()

    def step_of(t: datetime) -> int:
        return 300 if t < onset - timedelta(minutes=90) else 60

    ddb = {"TableName": table}
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        ddb,
        "Count",
        T5,
        lambda t: k.noisy(noise, (orders(t) * 4 + updates(t) * 2) * step_of(t) / 60, 0.06),
        integer=True,
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        ddb,
        "Count",
        T5,
        lambda t: k.noisy(noise, (orders(t) * 22 + updates(t) * 1.5) * step_of(t) / 60, 0.07),
        integer=True,
    )
    for op, base in (("PutItem", 6.2), ("UpdateItem", 5.4), ("GetItem", 3.1), ("Query", 7.8)):
        m.add(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": op},
            "Milliseconds",
            T5,
            k.const_noise(noise, base, 0.12),
        )
    m.add(
        "AWS/DynamoDB",
        "ReturnedRecordsCount",
        {"TableName": table, "StreamLabel": stream_label, "Operation": "GetRecords"},
        "Count",
        T5,
        lambda t: k.noisy(noise, (orders(t) + updates(t) * 1.05) * step_of(t) / 60, 0.05),
        integer=True,
    )

    # notifier Lambda: batches of the stream
    def notifier_inv(t: datetime) -> float:
        recs = orders(t) + updates(t) if t < onset else orders(t)
        return max(1.0, recs / 2.6)

    def stepped(fn: Callable[[datetime], float], rel: float = 0.07) -> Callable[[datetime], float]:
        return lambda t: k.noisy(noise, fn(t) * step_of(t) / 60, rel)

    nd = {"FunctionName": notifier}
    m.add(
        "AWS/Lambda", "Invocations", nd, "Count", T5, stepped(notifier_inv), integer=True, key="notifier_inv"
    )
    m.add(
        "AWS/Lambda",
        "Errors",
        nd,
        "Count",
        T5,
        lambda t: 1.0 if noise.random() < 0.02 else 0.0,
        integer=True,
        key="notifier_err",
    )
    m.add("AWS/Lambda", "Throttles", nd, "Count", T5, lambda t: 0.0, integer=True)
    m.add(
        "AWS/Lambda",
        "Duration",
        nd,
        "Milliseconds",
        T5,
        lambda t: k.noisy(noise, 142 if t < onset else 61, 0.12),
    )
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        nd,
        "Count",
        T5,
        lambda t: min(4.0, 1 + round(noise.random() * 1.6)),
        integer=True,
    )
    m.add(
        "AWS/Lambda", "IteratorAge", nd, "Milliseconds", T5, lambda t: k.noisy(noise, 640, 0.3), integer=True
    )

    # push-dispatch (SNS subscriber) and the SNS topic
    def pushes(t: datetime) -> float:
        return orders(t) + (notify_updates(t) if t < onset else 0.0)

    m.add(
        "AWS/SNS",
        "NumberOfMessagesPublished",
        {"TopicName": topic_name},
        "Count",
        T5,
        stepped(pushes),
        integer=True,
        key="published",
    )
    m.add(
        "AWS/SNS",
        "NumberOfNotificationsDelivered",
        {"TopicName": topic_name},
        "Count",
        T5,
        stepped(lambda t: pushes(t) * 2),
        integer=True,
    )
    m.add(
        "AWS/SNS", "PublishSize", {"TopicName": topic_name}, "Bytes", T5, lambda t: k.noisy(noise, 1180, 0.05)
    )
    pd = {"FunctionName": push}
    m.add("AWS/Lambda", "Invocations", pd, "Count", T5, stepped(pushes), integer=True)
    m.add("AWS/Lambda", "Errors", pd, "Count", T5, lambda t: float(noise.random() < 0.05), integer=True)
    m.add("AWS/Lambda", "Duration", pd, "Milliseconds", T5, lambda t: k.noisy(noise, 212, 0.15))

    # picking events: SQS -> picking-events-sync -> UpdateItem (the MODIFY producer, unaffected)
    qd = {"QueueName": queue_name}
    m.add("AWS/SQS", "NumberOfMessagesSent", qd, "Count", T5, stepped(updates), integer=True)
    m.add(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        "Count",
        T5,
        stepped(lambda t: updates(t) * 1.01),
        integer=True,
    )
    m.add("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", T5, stepped(updates), integer=True)
    m.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        T5,
        lambda t: float(noise.randrange(0, 9)),
    )
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        T5,
        lambda t: float(noise.randrange(0, 4)),
        key="pick_age",
    )
    pk = {"FunctionName": picking}
    m.add("AWS/Lambda", "Invocations", pk, "Count", T5, stepped(lambda t: updates(t) / 4.2), integer=True)
    m.add("AWS/Lambda", "Errors", pk, "Count", T5, lambda t: 0.0, integer=True)
    m.add("AWS/Lambda", "Duration", pk, "Milliseconds", T5, lambda t: k.noisy(noise, 188, 0.1))

    # orders API handler and pricing
    od = {"FunctionName": order_api}
    m.add("AWS/Lambda", "Invocations", od, "Count", T5, stepped(lambda t: orders(t) * 14), integer=True)
    m.add(
        "AWS/Lambda",
        "Errors",
        od,
        "Count",
        T5,
        lambda t: float(noise.random() < 0.15),
        integer=True,
        key="api_err",
    )
    m.add("AWS/Lambda", "Duration", od, "Milliseconds", T5, lambda t: k.noisy(noise, 96, 0.1))
    pr = {"FunctionName": pricing}
    m.add("AWS/Lambda", "Invocations", pr, "Count", T5, stepped(lambda t: orders(t) * 31), integer=True)
    m.add("AWS/Lambda", "Errors", pr, "Count", T5, lambda t: 0.0, integer=True)
    m.add(
        "AWS/Lambda",
        "Duration",
        pr,
        "Milliseconds",
        T5,
        lambda t: k.noisy(noise, 44 if t < change_at + timedelta(minutes=14) else 41, 0.1),
    )

    # ------------------------------------------------------------------ alarms (all stay OK)
    alarms: list[k.Json] = []
    history: list[k.Json] = []
    cfg = start - timedelta(days=rng.randrange(40, 200))
    specs = [
        (
            f"{notifier}-errors",
            "order-status-notifier failing invocations",
            "AWS/Lambda",
            "Errors",
            nd,
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notifier_err",
            "notBreaching",
        ),
        (
            f"{queue_name}-age",
            "Picking events waiting more than 5 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            60,
            5,
            5,
            300.0,
            "GreaterThanThreshold",
            "pick_age",
            "missing",
        ),
        (
            f"{order_api}-errors",
            "orders API handler errors",
            "AWS/Lambda",
            "Errors",
            od,
            "Sum",
            300,
            2,
            2,
            10.0,
            "GreaterThanThreshold",
            "api_err",
            "notBreaching",
        ),
    ]
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
            topic_arn=alarm_topic,
            configured=cfg,
        )
        final, hist, _ = k.evaluate_alarm(item, m.points[key], start, now)
        alarms.append(final)
        history += hist

    # ------------------------------------------------------------------ resources
    def fn_cfg(
        name: str,
        runtime: str,
        handler: str,
        mem: int,
        timeout: int,
        env: dict[str, str],
        role_name: str,
        modified: datetime,
        desc: str,
    ) -> k.Json:
        return {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": name,
                "FunctionArn": fn_arn[name],
                "Runtime": runtime,
                "Role": f"arn:aws:iam::{account}:role/{role_name}",
                "Handler": handler,
                "CodeSize": rng.randrange(180_000, 4_800_000),
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
                "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            },
        }

    tf_role = "gha-terraform-apply"
    deploy_role = "gha-lambda-deploy"
    pricing_deployed = change_at + timedelta(minutes=rng.randrange(9, 17), seconds=rng.randrange(60))
    resources: list[k.Json] = [
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": table,
                "TableArn": table_arn,
                "TableId": ids.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "AttributeDefinitions": [
                    {"AttributeName": "orderId", "AttributeType": "S"},
                    {"AttributeName": "customerId", "AttributeType": "S"},
                    {"AttributeName": "placedAt", "AttributeType": "S"},
                ],
                "KeySchema": [{"AttributeName": "orderId", "KeyType": "HASH"}],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "customerId-placedAt-index",
                        "KeySchema": [
                            {"AttributeName": "customerId", "KeyType": "HASH"},
                            {"AttributeName": "placedAt", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                        "IndexStatus": "ACTIVE",
                        "ProvisionedThroughput": {
                            "NumberOfDecreasesToday": 0,
                            "ReadCapacityUnits": 0,
                            "WriteCapacityUnits": 0,
                        },
                        "IndexSizeBytes": rng.randrange(2_000_000_000, 6_000_000_000),
                        "ItemCount": rng.randrange(3_000_000, 9_000_000),
                        "IndexArn": f"{table_arn}/index/customerId-placedAt-index",
                    }
                ],
                "ItemCount": rng.randrange(3_000_000, 9_000_000),
                "TableSizeBytes": rng.randrange(2_000_000_000, 6_000_000_000),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                "LatestStreamLabel": stream_label,
                "LatestStreamArn": stream_arn,
                "SSEDescription": {
                    "Status": "ENABLED",
                    "SSEType": "KMS",
                    "KMSMasterKeyArn": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
                },
                "DeletionProtectionEnabled": True,
                "TableClassSummary": {"TableClass": "STANDARD"},
            },
        },
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": esm_uuid,
                "StartingPosition": "LATEST",
                "BatchSize": 50,
                "MaximumBatchingWindowInSeconds": 2,
                "ParallelizationFactor": 1,
                "EventSourceArn": stream_arn,
                "FilterCriteria": {"Filters": [{"Pattern": p} for p in new_filters]},
                "FunctionArn": fn_arn[notifier],
                "LastModified": k.iso(change_at),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "DestinationConfig": {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": 3600,
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": 5,
                "TumblingWindowInSeconds": 0,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "EventSourceMappingArn": esm_arn,
            },
        },
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": sqs_esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": queue_arn,
                "FunctionArn": fn_arn[picking],
                "LastModified": k.iso(created + timedelta(days=31)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
                "EventSourceMappingArn": f"arn:aws:lambda:{region}:{account}:event-source-mapping:{sqs_esm_uuid}",
            },
        },
        fn_cfg(
            notifier,
            "nodejs20.x",
            "index.handler",
            512,
            30,
            {"TOPIC_ARN": topic_arn, "NODE_OPTIONS": "--enable-source-maps", "LOG_LEVEL": "info"},
            "order-status-notifier-role",
            start - timedelta(days=rng.randrange(6, 30)),
            "Turns order status changes into customer push notifications",
        ),
        fn_cfg(
            picking,
            "python3.12",
            "app.handler",
            256,
            60,
            {"ORDERS_TABLE": table, "POWERTOOLS_SERVICE_NAME": "picking-sync"},
            "picking-events-sync-role",
            start - timedelta(days=rng.randrange(3, 20)),
            "Applies store picking/driver events to orders",
        ),
        fn_cfg(
            order_api,
            "nodejs20.x",
            "dist/handler.main",
            1024,
            15,
            {"ORDERS_TABLE": table, "PRICING_FUNCTION": pricing},
            "orders-api-role",
            start - timedelta(days=rng.randrange(1, 9)),
            "Orders API (API Gateway proxy)",
        ),
        fn_cfg(
            pricing,
            "nodejs20.x",
            "dist/handler.main",
            768,
            10,
            {"PROMO_TABLE": f"{brand}-promotions-prod"},
            "basket-pricing-role",
            pricing_deployed,
            "Basket pricing and promotions",
        ),
        fn_cfg(
            push,
            "python3.12",
            "push.handler",
            256,
            20,
            {"FCM_PROJECT": f"{brand}-mobile", "APNS_TOPIC": f"com.{brand}.app"},
            "push-dispatch-role",
            start - timedelta(days=rng.randrange(30, 90)),
            "Delivers customer pushes via FCM/APNs",
        ),
        k.sns_topic(account, region, topic_name, "Order updates"),
        {
            "service": "sns",
            "type": "Subscription",
            "item": {
                "SubscriptionArn": f"{topic_arn}:{ids.uuid()}",
                "TopicArn": topic_arn,
                "Protocol": "lambda",
                "Endpoint": fn_arn[push],
                "Owner": account,
                "Attributes": {"RawMessageDelivery": "false", "PendingConfirmation": "false"},
            },
        },
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": queue_url,
                "Attributes": {
                    "QueueArn": queue_arn,
                    "ApproximateNumberOfMessages": "3",
                    "ApproximateNumberOfMessagesNotVisible": "11",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp()) + 86400 * 12),
                    "LastModifiedTimestamp": str(int((change_at - timedelta(minutes=19)).timestamp())),
                    "VisibilityTimeout": "90",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": f"{queue_arn}-dlq", "maxReceiveCount": 5}
                    ),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "picking", "team": "store-ops"},
            },
        },
        k.log_group(account, region, f"/aws/lambda/{notifier}", 30, created, rng.randrange(10**8, 10**9)),
        k.role(account, "order-status-notifier-role", ids.role_id(), created, "lambda.amazonaws.com"),
    ]

    # ------------------------------------------------------------------ CloudTrail
    ct: list[k.Json] = []
    gha_tf = k.principal(
        ids,
        account,
        region,
        "role",
        tf_role,
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_TF.format(api="lambda#1.53.1"),
        ip=ids.public_ip(),
    )
    gha_deploy = k.principal(
        ids,
        account,
        region,
        "role",
        deploy_role,
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        k.AGENT_JS.format(api="lambda"),
        ip=ids.public_ip(),
    )
    people = rng.sample(
        ["priya.nair", "tom.hughes", "sofia.marques", "dan.okafor", "ellie.chen", "marek.nowak"], 3
    )
    sso_role = f"AWSReservedSSO_PlatformEngineer_{ids.hex(16)}"
    ro_role = f"AWSReservedSSO_ReadOnly_{ids.hex(16)}"
    humans = [
        k.principal(ids, account, region, "sso", sso_role, f"{people[0]}@{brand}.co.uk", k.AGENT_CONSOLE),
        k.principal(ids, account, region, "sso", ro_role, f"{people[1]}@{brand}.co.uk", k.AGENT_CONSOLE),
        k.principal(
            ids,
            account,
            region,
            "sso",
            sso_role,
            f"{people[2]}@{brand}.co.uk",
            k.AGENT_CLI.format(cmd="dynamodb.describe-table"),
        ),
    ]
    datadog = k.principal(
        ids,
        account,
        region,
        "role",
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        k.AGENT_DATADOG,
        ip=ids.public_ip(),
    )
    lam_svc = k.principal(
        ids, account, region, "service", "", "", "lambda.amazonaws.com", invoked_by="lambda.amazonaws.com"
    )

    reads = [
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": notifier}),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": notifier}),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": queue_url, "attributeNames": ["All"]}),
        ("sns.amazonaws.com", "ListSubscriptionsByTopic", {"topicArn": topic_arn}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/"}),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": notifier}),
    ]
    ct += k.routine_reads(rng, ids, humans, reads, start, now, 16, region, account)
    dd_reads = [
        (
            "tag.amazonaws.com",
            "GetResources",
            {"resourcesPerPage": 100, "resourceTypeFilters": ["lambda:function"]},
        ),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("sqs.amazonaws.com", "ListQueues", None),
    ]
    ct += k.routine_reads(rng, ids, [datadog], dd_reads, start, now, 12, region, account)
    for t in k.spread_times(rng, start, now, 8):
        role_name = rng.choice(
            [
                "order-status-notifier-role",
                "picking-events-sync-role",
                "orders-api-role",
                "push-dispatch-role",
            ]
        )
        ct.append(
            k.ct_record(
                ids,
                lam_svc,
                t,
                "sts.amazonaws.com",
                "AssumeRole",
                {
                    "roleArn": f"arn:aws:iam::{account}:role/{role_name}",
                    "roleSessionName": role_name.replace("-role", ""),
                },
                {
                    "credentials": {
                        "accessKeyId": ids.key_id(),
                        "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(24),
                        "expiration": (t + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    }
                },
                read_only=True,
                region=region,
                account=account,
                resources=[
                    {
                        "accountId": account,
                        "type": "AWS::IAM::Role",
                        "ARN": f"arn:aws:iam::{account}:role/{role_name}",
                    }
                ],
            )
        )

    # the earlier, harmless queue change by a human (on the picking path)
    vis_at = change_at - timedelta(minutes=19, seconds=rng.randrange(60))
    ct.append(
        k.ct_record(
            ids,
            humans[0],
            vis_at,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            {"queueUrl": queue_url, "attributes": {"VisibilityTimeout": "90"}},
            None,
            read_only=False,
            region=region,
            account=account,
        )
    )

    # Terraform apply: refresh reads, then three writes; one of them is the mapping
    tf_t0 = change_at - timedelta(seconds=rng.randrange(40, 70))
    tf_reads = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": notifier}),
        ("lambda.amazonaws.com", "GetEventSourceMapping20150331", {"uUID": esm_uuid}),
        ("lambda.amazonaws.com", "ListTags20170331", {"resource": fn_arn[notifier]}),
        ("lambda.amazonaws.com", "GetFunctionCodeSigningConfig", {"functionName": notifier}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": f"/aws/lambda/{notifier}"}),
        ("iam.amazonaws.com", "GetRole", {"roleName": "order-status-notifier-role"}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}),
    ]
    for i, (src, name, req) in enumerate(tf_reads):
        ct.append(
            k.ct_record(
                ids,
                gha_tf,
                tf_t0 + timedelta(seconds=i * 2 + rng.randrange(2)),
                src,
                name,
                req,
                None,
                read_only=True,
                region=region if src != "iam.amazonaws.com" else "us-east-1",
                account=account,
            )
        )
    ct.append(
        k.ct_record(
            ids,
            gha_tf,
            change_at - timedelta(seconds=6),
            "logs.amazonaws.com",
            "PutRetentionPolicy",
            {"logGroupName": f"/aws/lambda/{notifier}", "retentionInDays": 30},
            None,
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            gha_tf,
            change_at - timedelta(seconds=3),
            "lambda.amazonaws.com",
            "TagResource20170331v2",
            {
                "resource": fn_arn[notifier],
                "tags": {"cost-centre": "cx-notifications", "owner": "customer-comms"},
            },
            None,
            read_only=False,
            region=region,
            account=account,
        )
    )
    culprit = k.ct_record(
        ids,
        gha_tf,
        change_at,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {
            "uUID": esm_uuid,
            "functionName": fn_arn[notifier],
            "enabled": True,
            "batchSize": 50,
            "maximumBatchingWindowInSeconds": 2,
            "filterCriteria": {"filters": [{"pattern": p} for p in new_filters]},
            "maximumRetryAttempts": 5,
            "maximumRecordAgeInSeconds": 3600,
            "bisectBatchOnFunctionError": True,
            "parallelizationFactor": 1,
            "functionResponseTypes": ["ReportBatchItemFailures"],
        },
        {
            "uUID": esm_uuid,
            "startingPosition": "LATEST",
            "batchSize": 50,
            "maximumBatchingWindowInSeconds": 2,
            "parallelizationFactor": 1,
            "eventSourceArn": stream_arn,
            "filterCriteria": {"filters": [{"pattern": p} for p in new_filters]},
            "functionArn": fn_arn[notifier],
            "lastModified": change_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "lastProcessingResult": "OK",
            "state": "Updating",
            "stateTransitionReason": "USER_INITIATED",
            "destinationConfig": {"onFailure": {}},
            "maximumRecordAgeInSeconds": 3600,
            "bisectBatchOnFunctionError": True,
            "maximumRetryAttempts": 5,
            "tumblingWindowInSeconds": 0,
            "functionResponseTypes": ["ReportBatchItemFailures"],
            "eventSourceMappingArn": esm_arn,
        },
        read_only=False,
        region=region,
        account=account,
    )
    ct.append(culprit)
    ct.append(
        k.ct_record(
            ids,
            gha_tf,
            change_at + timedelta(seconds=4),
            "lambda.amazonaws.com",
            "GetEventSourceMapping20150331",
            {"uUID": esm_uuid},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )

    # pricing deploy a little later (another pipeline)
    code_sha = ids.hex(43) + "="
    ct.append(
        k.ct_record(
            ids,
            gha_deploy,
            pricing_deployed - timedelta(seconds=9),
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": pricing,
                "s3Bucket": f"{brand}-lambda-artifacts-{account}",
                "s3Key": f"basket-pricing/{ids.hex(40)}.zip",
                "publish": False,
                "dryRun": False,
            },
            {
                "functionName": pricing,
                "functionArn": fn_arn[pricing],
                "runtime": "nodejs20.x",
                "codeSha256": code_sha,
                "codeSize": rng.randrange(900_000, 2_000_000),
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "memorySize": 768,
                "timeout": 10,
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    ver = str(rng.randrange(60, 180))
    ct.append(
        k.ct_record(
            ids,
            gha_deploy,
            pricing_deployed,
            "lambda.amazonaws.com",
            "PublishVersion20150331",
            {"functionName": pricing, "codeSha256": code_sha},
            {
                "functionName": pricing,
                "functionArn": f"{fn_arn[pricing]}:{ver}",
                "version": ver,
                "codeSha256": code_sha,
                "state": "Active",
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            gha_deploy,
            pricing_deployed + timedelta(seconds=3),
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            {"functionName": pricing, "name": "live", "functionVersion": ver},
            {
                "aliasArn": f"{fn_arn[pricing]}:live",
                "name": "live",
                "functionVersion": ver,
                "revisionId": ids.uuid(),
            },
            read_only=False,
            region=region,
            account=account,
        )
    )
    # an SSO engineer peeks later, after the question was raised
    look = now - timedelta(minutes=rng.randrange(4, 12))
    ct.append(
        k.ct_record(
            ids,
            humans[1],
            look,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": push},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )
    ct.append(
        k.ct_record(
            ids,
            humans[1],
            look + timedelta(seconds=40),
            "sns.amazonaws.com",
            "GetTopicAttributes",
            {"topicArn": topic_arn},
            None,
            read_only=True,
            region=region,
            account=account,
        )
    )

    # ------------------------------------------------------------------ logs
    logs: list[k.Json] = []
    statuses = [
        "OUT_FOR_DELIVERY",
        "DELIVERED",
        "SUBSTITUTED",
        "PICKING",
        "PICKED",
        "DELIVERED",
        "OUT_FOR_DELIVERY",
    ]
    g_not = f"/aws/lambda/{notifier}"
    stream_n = k.lambda_stream(ids, start)
    t = start + timedelta(seconds=rng.randrange(30, 200))
    cold = True
    while t < now:
        body = []
        n_rec = rng.randrange(1, 5)
        for _ in range(n_rec):
            oid = f"ord_{ids.hex(12)}"
            if t >= onset or rng.random() < 0.3:
                st, evn = "CONFIRMED", "INSERT"
            else:
                st, evn = rng.choice(statuses), "MODIFY"
            ts = k.iso_ms(t + timedelta(milliseconds=rng.randrange(5, 90)))
            if st in ("PICKING", "PICKED"):
                msg: dict[str, str] = {
                    "level": "info",
                    "msg": "no customer notification for status",
                    "eventName": evn,
                    "orderId": oid,
                    "orderStatus": st,
                }
            else:
                msg = {
                    "level": "info",
                    "msg": "push queued",
                    "eventName": evn,
                    "orderId": oid,
                    "orderStatus": st,
                    "template": st.lower(),
                    "messageId": ids.uuid(),
                }
            body.append(f"{ts}\t{{rid}}\tINFO\t{json.dumps(msg, separators=(',', ':'))}\n")
        if rng.random() < 0.04:
            ts = k.iso_ms(t)
            body.append(
                f"{ts}\t{{rid}}\tWARN\t"
                + json.dumps(
                    {
                        "level": "warn",
                        "msg": "customer has no registered device, skipping push",
                        "customerId": f"cus_{ids.hex(10)}",
                    },
                    separators=(",", ":"),
                )
                + "\n"
            )
        dur = rng.uniform(90, 220) if t < onset else rng.uniform(40, 90)
        logs += k.lambda_report(
            rng,
            ids,
            g_not,
            stream_n,
            t,
            dur,
            512,
            rng.randrange(88, 104),
            body,
            init_ms=rng.uniform(310, 420) if cold else None,
        )
        cold = False
        if rng.random() < 0.03:
            stream_n = k.lambda_stream(ids, t)
            cold = True
        t += timedelta(seconds=rng.randrange(150, 330))

    g_pick = f"/aws/lambda/{picking}"
    stream_p = k.lambda_stream(ids, start)
    t = start + timedelta(seconds=rng.randrange(30, 200))
    while t < now:
        body = []
        for _ in range(rng.randrange(1, 4)):
            body.append(
                f"[INFO]\t{k.iso_ms(t)}\t{{rid}}\tapplied picking event store={rng.choice(['LDN-014', 'LDN-022', 'MAN-003', 'BRS-007', 'LDS-011'])} "
                f"order=ord_{ids.hex(12)} status={rng.choice(['PICKING', 'PICKED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'SUBSTITUTED'])}\n"
            )
        if rng.random() < 0.05:
            body.append(
                f"[WARNING]\t{k.iso_ms(t)}\t{{rid}}\tout-of-order event ignored order=ord_{ids.hex(12)} "
                f"seq=4 current_seq=5\n"
            )
        logs += k.lambda_report(
            rng, ids, g_pick, stream_p, t, rng.uniform(120, 260), 256, rng.randrange(71, 80), body
        )
        t += timedelta(seconds=rng.randrange(180, 420))

    g_push = f"/aws/lambda/{push}"
    stream_d = k.lambda_stream(ids, start)
    t = start + timedelta(seconds=rng.randrange(30, 200))
    while t < now:
        body = [
            f"[INFO]\t{k.iso_ms(t)}\t{{rid}}\tdelivered push platform={rng.choice(['fcm', 'apns', 'fcm'])} "
            f"template={rng.choice(['confirmed'] if t >= onset else ['confirmed', 'out_for_delivery', 'delivered', 'substituted'])}\n"
        ]
        if rng.random() < 0.06:
            body.append(
                f"[WARNING]\t{k.iso_ms(t)}\t{{rid}}\tAPNs returned 410 Unregistered; disabling endpoint\n"
            )
        logs += k.lambda_report(
            rng, ids, g_push, stream_d, t, rng.uniform(150, 320), 256, rng.randrange(64, 70), body
        )
        t += timedelta(seconds=rng.randrange(200, 480))

    # ------------------------------------------------------------------ manifest
    q = rng.choice(
        [
            "Support are getting a lot of calls: customers say they never got the 'driver on the way' or "
            "'delivered' notifications today, from around half ten. Order confirmation pushes still seem to "
            "come through. What's going on?",
            "Since roughly 10:30 this morning customers aren't getting their out-for-delivery or delivered push "
            "notifications, but the order-confirmed ones still arrive. Nothing is alarming. Can you find out why?",
        ]
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
            "trigger": {"question": q, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": esm_uuid,
                    "category": "change",
                    "failure_mode": "event-filter-drops-status-updates",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [esm_arn, notifier, fn_arn[notifier]],
                "actions": ["rollback"],
                "chain": [
                    f"Terraform updated the {notifier} event source mapping {esm_uuid} with a MODIFY filter on "
                    "NewImage.order_status, an attribute the orders table does not have (it is orderStatus)",
                    f"MODIFY stream records from {table} are filtered out; the notifier is only invoked for INSERTs",
                    f"No status-update messages reach {topic_name} or {push}",
                    "Customers get order confirmations but no out-for-delivery or delivered notifications",
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
