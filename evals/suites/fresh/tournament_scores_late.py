"""Tournament writes outgrow the score table's auto-scaling ceiling; writes throttle and the queue backs up."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzr import Ctx, Rec, iso, pick_day

NAME = "tournament-scores-late"
TITLE = "Tournament match results showing up late or not at all on the leaderboard"
SUMMARY = (
    "A Friday-night tournament pushed writes on the provisioned score table past the 3000 WCU maximum of its "
    "auto-scaling target; UpdateItem throttled, score-ingest returned partial batch failures and the SQS "
    "backlog grew, while DAX and reads stayed healthy."
)

REGION = "us-east-1"


def build(seed: int) -> Bundle:
    day = pick_day(random.Random(seed * 11 + 3), weekday=4)
    start = day + timedelta(hours=19, minutes=(seed * 7) % 40)
    c = Ctx(seed, REGION, start, start)
    rng = c.rng
    onset_min = rng.randint(243, 258)
    now = start + timedelta(minutes=onset_min + rng.randint(38, 50))
    c.now = now
    onset = start + timedelta(minutes=onset_min)
    ramp0 = onset_min - rng.randint(28, 36)
    max_wcu = rng.choice([3000, 3000, 3500])
    base_prov = rng.choice([1200, 1300, 1400])
    peak = max_wcu * rng.uniform(1.32, 1.45)

    def mins(t: datetime) -> float:
        return (t - start).total_seconds() / 60

    demand_cache: dict[datetime, float] = {}

    def demand(t: datetime) -> float:
        """Write capacity units per second the workload asks for."""
        if t in demand_cache:
            return demand_cache[t]
        m = mins(t)
        if m < ramp0:
            v = 640 + 160 * (m / ramp0) + rng.uniform(-60, 60)
        else:
            frac = min(1.0, (m - ramp0) / (onset_min + 6 - ramp0))
            v = 800 + (peak - 800) * frac + rng.uniform(-90, 90)
        demand_cache[t] = v
        return v

    # auto scaling: target 70 %, scale out when 2 consecutive minutes above; capped at max
    prov: dict[datetime, float] = {}
    activities: list[tuple[datetime, float, float]] = []
    cur = float(base_prov)
    pending_until: datetime | None = None
    above = 0
    for t in c.minutes():
        used = min(demand(t), cur * 1.05)
        above = above + 1 if used > 0.7 * cur else 0
        if above >= 2 and pending_until is None and cur < max_wcu:
            target = min(float(max_wcu), float(int(used / 0.7 / 10) * 10 + 10))
            if target > cur:
                pending_until = t + timedelta(minutes=rng.randint(2, 4))
                activities.append((t + timedelta(seconds=70), cur, target))
        if pending_until is not None and t >= pending_until:
            cur = activities[-1][2]
            pending_until = None
            above = 0
        prov[t] = cur

    burst_left = [float(300 * 200)]

    def consumed(t: datetime) -> float:
        d, p = demand(t), prov[t]
        if d <= p:
            return d
        extra = min(d - p, burst_left[0] / 60, p * 0.08)
        burst_left[0] -= extra * 60
        return p + extra

    used_cache: dict[datetime, float] = {t: consumed(t) for t in c.minutes()}

    def throttled(t: datetime) -> float:
        return max(0.0, demand(t) - used_cache[t])

    table = "leaderboard-scores"
    tarn = f"arn:aws:dynamodb:{REGION}:{c.account}:table/{table}"
    vpc, subnets, sg = c.network(rng.randint(60, 99))

    # --- resources ------------------------------------------------------------------------------------
    last_inc = activities[-1][0] + timedelta(minutes=2) if activities else start - timedelta(days=2)
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "TableArn": tarn,
            "TableId": c.uid(),
            "KeySchema": [
                {"AttributeName": "boardId", "KeyType": "HASH"},
                {"AttributeName": "playerId", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "boardId", "AttributeType": "S"},
                {"AttributeName": "playerId", "AttributeType": "S"},
            ],
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "ProvisionedThroughput": {
                "LastIncreaseDateTime": iso(last_inc),
                "LastDecreaseDateTime": iso(start - timedelta(hours=rng.randint(14, 20))),
                "NumberOfDecreasesToday": rng.randint(1, 3),
                "ReadCapacityUnits": 900,
                "WriteCapacityUnits": int(prov[max(prov)]),
            },
            "ItemCount": rng.randint(3 * 10**7, 9 * 10**7),
            "TableSizeBytes": rng.randint(6 * 10**9, 2 * 10**10),
            "CreationDateTime": iso(start - timedelta(days=rng.randint(300, 700))),
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamLabel": (start - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S.000"),
            "LatestStreamArn": f"{tarn}/stream/{(start - timedelta(days=120)).strftime('%Y-%m-%dT%H:%M:%S.000')}",
            "DeletionProtectionEnabled": True,
        },
    )
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "player-profiles",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{REGION}:{c.account}:table/player-profiles",
            "TableId": c.uid(),
            "KeySchema": [{"AttributeName": "playerId", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "playerId", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "ItemCount": rng.randint(4 * 10**6, 9 * 10**6),
            "TableSizeBytes": rng.randint(2 * 10**9, 6 * 10**9),
            "CreationDateTime": iso(start - timedelta(days=800)),
        },
    )
    role = f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    created = start - timedelta(days=rng.randint(200, 600))
    for dim, lo, hi in (("WriteCapacityUnits", 400, max_wcu), ("ReadCapacityUnits", 300, 2000)):
        c.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{table}",
                "ScalableDimension": f"dynamodb:table:{dim}",
                "MinCapacity": lo,
                "MaxCapacity": hi,
                "RoleARN": role,
                "CreationTime": iso(created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
                "ScalableTargetARN": f"arn:aws:application-autoscaling:{REGION}:{c.account}:scalable-target/0e{c.hexid(30)}",
            },
        )
    hi_alarm = f"TargetTracking-table/{table}-AlarmHigh-{c.uid()}"
    lo_alarm = f"TargetTracking-table/{table}-AlarmLow-{c.uid()}"
    policy_arn = (
        f"arn:aws:autoscaling:{REGION}:{c.account}:scalingPolicy:{c.uid()}:resource/dynamodb/table/{table}"
        f":policyName/{table}-write-tt"
    )
    c.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": f"{table}-write-tt",
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
                "DisableScaleIn": False,
            },
            "Alarms": [
                {
                    "AlarmName": hi_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{c.account}:alarm:{hi_alarm}",
                },
                {
                    "AlarmName": lo_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{c.account}:alarm:{lo_alarm}",
                },
            ],
            "CreationTime": iso(created),
        },
    )
    for t, _frm, to in activities:
        c.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": c.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": f"table/{table}",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(to)}.",
                    "Cause": f"monitor alarm {hi_alarm} in state ALARM triggered policy {table}-write-tt",
                    "StartTime": iso(t),
                    "EndTime": iso(t + timedelta(minutes=2, seconds=rng.randint(0, 40))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(to)}. "
                    "Change successfully fulfilled by dynamodb.",
                },
            }
        )
    queue_url = f"https://sqs.{REGION}.amazonaws.com/{c.account}/score-events"
    qarn = f"arn:aws:sqs:{REGION}:{c.account}:score-events"
    c.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": queue_url,
            "Attributes": {
                "QueueArn": qarn,
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"{qarn}-dlq", "maxReceiveCount": 10}, separators=(",", ":")
                ),
                "SqsManagedSseEnabled": "true",
                "CreatedTimestamp": str(int((start - timedelta(days=500)).timestamp())),
            },
            "Tags": {"team": "leaderboard"},
        },
    )
    ingest = c.lambda_fn(
        "score-ingest",
        "python3.12",
        "ingest.handler",
        512,
        30,
        {"SCORES_TABLE": table, "POWERTOOLS_SERVICE_NAME": "score-ingest"},
        start - timedelta(days=rng.randint(6, 30)),
        "SQS score-events -> leaderboard-scores",
    )
    c.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": c.uid(),
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "EventSourceArn": qarn,
            "FunctionArn": ingest["FunctionArn"],
            "LastModified": iso(start - timedelta(days=90)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 60},
        },
    )
    deploy = onset - timedelta(minutes=rng.randint(24, 40), seconds=rng.randint(0, 59))
    dax = "lb-dax"
    c.lambda_fn(
        "leaderboard-read-api",
        "nodejs20.x",
        "index.handler",
        1024,
        10,
        {
            "DAX_ENDPOINT": f"daxs://{dax}.{c.hexid(6)}.dax-clusters.{REGION}.amazonaws.com",
            "SCORES_TABLE": table,
        },
        deploy,
        "Leaderboard reads (DAX)",
        (subnets, [sg], vpc),
    )
    c.lambda_fn(
        "match-finalizer",
        "python3.12",
        "finalize.handler",
        256,
        15,
        {"QUEUE_URL": queue_url},
        start - timedelta(days=rng.randint(6, 30)),
        "Publishes finished matches to score-events",
    )
    for f in ("score-ingest", "leaderboard-read-api", "match-finalizer"):
        c.log_group(f"/aws/lambda/{f}", 14)
    c.res(
        "dax",
        "Cluster",
        {
            "ClusterName": dax,
            "Description": "read cache for leaderboard-scores and player-profiles",
            "ClusterArn": f"arn:aws:dax:{REGION}:{c.account}:cache/{dax}",
            "TotalNodes": 3,
            "ActiveNodes": 3,
            "NodeType": "dax.r5.large",
            "Status": "available",
            "ClusterDiscoveryEndpoint": {
                "Address": f"{dax}.{c.hexid(6)}.dax-clusters.{REGION}.amazonaws.com",
                "Port": 9111,
                "URL": f"daxs://{dax}.{c.hexid(6)}.dax-clusters.{REGION}.amazonaws.com",
            },
            "Nodes": [
                {
                    "NodeId": f"{dax}-{chr(97 + i)}",
                    "Endpoint": {
                        "Address": f"{dax}-{chr(97 + i)}.{c.hexid(6)}.nodes.dax-clusters.{REGION}.amazonaws.com",
                        "Port": 9111,
                    },
                    "NodeCreateTime": iso(start - timedelta(days=300)),
                    "AvailabilityZone": f"{REGION}{'abc'[i]}",
                    "NodeStatus": "available",
                    "ParameterGroupStatus": "in-sync",
                }
                for i in range(3)
            ],
            "PreferredMaintenanceWindow": "tue:08:00-tue:09:00",
            "SubnetGroup": "game-prod-dax",
            "SecurityGroups": [{"SecurityGroupIdentifier": sg, "Status": "active"}],
            "IamRoleArn": f"arn:aws:iam::{c.account}:role/lb-dax-role",
            "ParameterGroup": {"ParameterGroupName": "default.dax1.0", "ParameterApplyStatus": "in-sync"},
            "SSEDescription": {"Status": "ENABLED"},
            "ClusterEndpointEncryptionType": "TLS",
        },
    )

    # --- metrics --------------------------------------------------------------------------------------
    tdims = {"TableName": table}
    cw = c.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, "Count", lambda t: used_cache[t] * 60)
    c.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", tdims, "Count", lambda t: prov[t])
    c.series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdims,
        "Count",
        lambda t: throttled(t) * 60 / 1.3 if throttled(t) > 0 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": table, "Operation": "UpdateItem"},
        "Count",
        lambda t: throttled(t) * 60 / 1.3 if throttled(t) > 0 else None,
    )
    c.series(
        "AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, "Count", lambda t: rng.uniform(180, 320) * 60
    )
    c.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", tdims, "Count", lambda t: 900.0)
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "UpdateItem"},
        "Milliseconds",
        lambda t: rng.uniform(4.2, 6.0),
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": "player-profiles"},
        "Count",
        lambda t: rng.uniform(90, 160) * 60,
    )
    ddims = {"ClusterId": dax}
    c.series(
        "AWS/DAX",
        "CPUUtilization",
        ddims,
        "Percent",
        lambda t: rng.uniform(11, 19) + (6 if mins(t) > ramp0 else 0),
    )
    c.series(
        "AWS/DAX",
        "ItemCacheHits",
        ddims,
        "Count",
        lambda t: rng.uniform(2.6e5, 3.1e5) * (1.4 if mins(t) > ramp0 else 1),
    )
    c.series("AWS/DAX", "ItemCacheMisses", ddims, "Count", lambda t: rng.uniform(9e3, 1.3e4))
    c.series("AWS/DAX", "ErrorRequestCount", ddims, "Count", lambda t: float(rng.choice([0, 0, 0, 0, 1])))
    c.series(
        "AWS/DAX",
        "TotalRequestCount",
        ddims,
        "Count",
        lambda t: rng.uniform(2.8e5, 3.3e5) * (1.4 if mins(t) > ramp0 else 1),
    )

    # queue: messages in = demand/1.3 updates per second, each message ~ 1 update
    backlog = [0.0]
    age = [rng.uniform(1, 3)]
    qvis: dict[datetime, float] = {}
    qage: dict[datetime, float] = {}
    for t in c.minutes():
        sent = demand(t) / 1.3 * 60
        deleted = used_cache[t] / 1.3 * 60
        backlog[0] = max(rng.uniform(20, 200), backlog[0] + sent - deleted)
        if throttled(t) > 0:
            age[0] = age[0] + 60 if backlog[0] > sent else age[0]
        else:
            age[0] = rng.uniform(1, 4)
        qvis[t] = backlog[0]
        qage[t] = age[0]
    qd = {"QueueName": "score-events"}
    c.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", lambda t: demand(t) / 1.3 * 60)
    c.series("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", lambda t: used_cache[t] / 1.3 * 60)
    c.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", lambda t: qvis[t])
    age_data = c.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", lambda t: qage[t])

    def ingest_err(at: datetime, req: str) -> list[str]:
        n_fail = rng.randint(20, 70)
        exc = (
            "An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem operation "
            "(reached max retries: 9): The level of configured provisioned throughput for the table was "
            "exceeded. Consider increasing your provisioning level with the UpdateTable API."
        )
        return [
            json.dumps(
                {
                    "level": "ERROR",
                    "location": "record_handler:61",
                    "message": "failed to apply score update",
                    "timestamp": at.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}+0000",
                    "service": "score-ingest",
                    "xray_trace_id": f"1-{int(at.timestamp()):08x}-{c.hexid(24)}",
                    "exception": f"botocore.errorfactory.ProvisionedThroughputExceededException: {exc}",
                    "exception_name": "ProvisionedThroughputExceededException",
                    "function_request_id": req,
                }
            ),
            json.dumps(
                {
                    "level": "WARNING",
                    "location": "process:88",
                    "message": f"Partial batch failure: {n_fail} of 100 records failed",
                    "timestamp": at.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}+0000",
                    "service": "score-ingest",
                    "function_request_id": req,
                }
            ),
        ]

    c.lambda_reports(
        "score-ingest",
        lambda t: int(demand(t) / 1.3 * 60 / 100 * 1.1),
        lambda t: rng.uniform(180, 320) if throttled(t) <= 0 else rng.uniform(6500, 14000),
        lambda t: 0 if throttled(t) <= 0 else rng.choice([0, 0, 1, 2]),
        ingest_err,
        lambda at, req: [
            json.dumps(
                {
                    "level": "INFO",
                    "location": "process:80",
                    "message": "batch processed",
                    "timestamp": at.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}+0000",
                    "service": "score-ingest",
                    "records": 100,
                    "function_request_id": req,
                }
            )
        ],
    )
    c.lambda_reports(
        "leaderboard-read-api",
        lambda t: int(6000 * (1.4 if mins(t) > ramp0 else 1) * rng.uniform(0.95, 1.05)),
        lambda t: rng.uniform(9, 17),
        lambda t: rng.choice([0, 0, 0, 1]),
        lambda at, req: [
            f"{at.isoformat()[:23]}Z\t{req}\tERROR\tInvoke Error \t"
            '{"errorType":"DaxClientError","errorMessage":"ConnectionException: Connection reset","time":0}'
        ],
        sample_every=2,
        memory=1024,
    )
    c.lambda_reports(
        "match-finalizer",
        lambda t: int(demand(t) / 1.3 * 60 / 25),
        lambda t: rng.uniform(30, 60),
        lambda t: 0,
        lambda at, req: [],
        sample_every=3,
        memory=256,
    )

    # --- alarms ---------------------------------------------------------------------------------------
    page = f"arn:aws:sns:{REGION}:{c.account}:leaderboard-pager"
    c.alarm(
        "score-events-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        age_data,
        300.0,
        "GreaterThanThreshold",
        "Maximum",
        60,
        5,
        description="score-events not draining (score-ingest)",
        topic=page,
    )
    c.alarm(
        hi_alarm,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        cw,
        float(int(max_wcu * 0.7 * 60)),
        "GreaterThanThreshold",
        "Sum",
        60,
        2,
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".",
        topic=policy_arn,
        created=created,
    )
    c.alarm(
        lo_alarm,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdims,
        {t: v for t, v in cw.items() if (t - start).total_seconds() % 900 == 0},
        float(int(max_wcu * 0.7 * 60 * 0.8)),
        "LessThanThreshold",
        "Sum",
        60,
        15,
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".",
        topic=policy_arn,
        created=created,
        initial="ALARM",
    )
    dax_cpu = {t: rng.uniform(11, 25) for t in c.minutes()}
    c.alarm(
        "lb-dax-cpu-high",
        "AWS/DAX",
        "CPUUtilization",
        ddims,
        dax_cpu,
        70.0,
        "GreaterThanThreshold",
        "Average",
        60,
        5,
        description="DAX CPU",
        topic=page,
    )

    # --- cloudtrail -----------------------------------------------------------------------------------
    slr = {
        "type": "AssumedRole",
        "principalId": f"AROA{c.hexid(17).upper()}:DynamoDB-AutoScaling",
        "arn": f"arn:aws:sts::{c.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable/DynamoDB-AutoScaling",
        "accountId": c.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{c.hexid(17).upper()}",
                "arn": role,
                "accountId": c.account,
                "userName": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        "invokedBy": "application-autoscaling.amazonaws.com",
    }
    for t, _frm, to in activities:
        c.ct(
            t + timedelta(seconds=3),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            slr,
            {
                "tableName": table,
                "provisionedThroughput": {"readCapacityUnits": 900, "writeCapacityUnits": int(to)},
            },
            {"tableDescription": {"tableName": table, "tableStatus": "UPDATING", "tableArn": tarn}},
            ip="application-autoscaling.amazonaws.com",
            agent="application-autoscaling.amazonaws.com",
        )
    ci = c.role_identity("github-actions-deploy", "GitHubActions")
    c.ct(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "leaderboard-read-api",
            "s3Bucket": f"game-artifacts-{c.account}",
            "s3Key": f"leaderboard-read-api/{c.hexid(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {"functionName": "leaderboard-read-api", "state": "Active", "lastUpdateStatus": "InProgress"},
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    sso = c.role_identity("AWSReservedSSO_LiveOps_2b7c1d0e9f3a4c55", "r.mendes")
    c.ct(
        start + timedelta(minutes=ramp0 - rng.randint(40, 70)),
        "dax.amazonaws.com",
        "DescribeClusters",
        sso,
        {"clusterNames": [dax]},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    c.ct(
        start + timedelta(minutes=ramp0 - rng.randint(20, 35)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        sso,
        {"functionName": "match-finalizer", "memorySize": 256},
        {"functionName": "match-finalizer", "memorySize": 256, "lastUpdateStatus": "InProgress"},
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    c.readonly_noise(
        [
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "player-profiles"}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("dax.amazonaws.com", "DescribeClusters", None),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("lambda.amazonaws.com", "ListEventSourceMappings20150331", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
        rng.randint(35, 48),
    )
    c.assume_role_noise(
        ["score-ingest-role", "leaderboard-read-api-role", "match-finalizer-role"], rng.randint(8, 14)
    )

    local = onset.astimezone(ZoneInfo("America/New_York"))
    clock = (local - timedelta(minutes=local.minute % 5)).strftime("%-I:%M")
    question = (
        f"players in tonight's tournament say their match results aren't posting to the leaderboard, or show up "
        f"way late. started around {clock}pm. is DAX acting up again?"
    )
    manifest: Rec = {
        "title": TITLE,
        "trigger": {"question": question, "alarm_event": None, "timezone": "America/New_York"},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": table,
                "category": "limit",
                "failure_mode": "provisioned-write-capacity-at-autoscaling-max",
                "event_id": None,
            },
            "also_accept": [tarn, f"table/{table}", "dynamodb:table:WriteCapacityUnits"],
            "actions": ["scale"],
            "chain": [table, "score-ingest", "score-events", "leaderboard-read-api"],
        },
    }
    return c.bundle(manifest)
