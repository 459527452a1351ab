"""Score submissions and logins fail with Redis OOM after the cache's eviction policy was changed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzr import Ctx, Rec, iso, pick_day

NAME = "leaderboard-redis-oom-writes"
TITLE = "leaderboard-prod 5XX alarm paging during the evening peak"
SUMMARY = (
    "An engineer switched the leaderboard Redis parameter group to maxmemory-policy noeviction; hours later "
    "memory reached maxmemory and every write (scores, sessions) failed with OOM while reads kept working."
)


def build(seed: int) -> Bundle:
    rng_day = pick_day(random.Random(seed * 7 + 1))
    start = rng_day + timedelta(hours=12, minutes=(seed * 13) % 50)
    probe = Ctx(seed, "eu-west-1", start, start)
    rng = probe.rng
    onset_min = rng.randint(250, 270)
    now = start + timedelta(minutes=onset_min + rng.randint(36, 48))
    c = Ctx(seed, "eu-west-1", start, now)
    rng = c.rng
    onset = start + timedelta(minutes=onset_min)
    change_min = onset_min - rng.randint(95, 130)
    change = start + timedelta(minutes=change_min, seconds=rng.randint(0, 59))
    m1 = 90

    def mins(t: datetime) -> float:
        return (t - start).total_seconds() / 60

    def memory(t: datetime) -> float:
        m = mins(t)
        if m < m1:
            return 99.0 + rng.uniform(-0.4, 0.5)
        if m < change_min:
            return 99.0 - 13.0 * (m - m1) / (change_min - m1) + rng.uniform(-0.3, 0.3)
        if m < onset_min:
            return min(
                99.8, 86.0 + 14.0 * (m - change_min) / (onset_min - change_min) + rng.uniform(-0.3, 0.3)
            )
        return rng.uniform(99.93, 100.0)

    mem_cache: dict[datetime, float] = {}

    def mem(t: datetime) -> float:
        if t not in mem_cache:
            mem_cache[t] = memory(t)
        return mem_cache[t]

    def traffic(t: datetime) -> float:
        m = mins(t)
        base = 1.0 if m < m1 else 0.8 + 0.5 * max(0.0, (m - m1) / (onset_min + 40 - m1))
        return base * rng.uniform(0.93, 1.07)

    def failing(t: datetime) -> bool:
        return t >= onset

    # --- network, cache, parameter group --------------------------------------------------------------
    vpc, subnets, sg = c.network(rng.randint(20, 60))
    rg = "lb-redis"
    pg = "lb-redis7"
    suffix = c.hexid(6)
    nodes = [f"{rg}-001", f"{rg}-002"]
    host = f"master.{rg}.{suffix}.euw1.cache.amazonaws.com"
    c.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "leaderboards and player sessions",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": host, "Port": 6379},
                    "ReaderEndpoint": {
                        "Address": f"replica.{rg}.{suffix}.euw1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n}.{rg}.{suffix}.euw1.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": f"eu-west-1{'ab'[i]}",
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i, n in enumerate(nodes)
                    ],
                }
            ],
            "SnapshottingClusterId": nodes[1],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 3,
            "SnapshotWindow": "03:00-04:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.m6g.large",
            "AuthTokenEnabled": True,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": f"arn:aws:elasticache:eu-west-1:{c.account}:replicationgroup:{rg}",
            "ReplicationGroupCreateTime": iso(start - timedelta(days=rng.randint(200, 500))),
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for i, n in enumerate(nodes):
        c.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "CacheNodeType": "cache.m6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": f"eu-west-1{'ab'[i]}",
                "CacheClusterCreateTime": iso(start - timedelta(days=210)),
                "PreferredMaintenanceWindow": "sun:04:30-sun:05:30",
                "PendingModifiedValues": {},
                "CacheParameterGroup": {
                    "CacheParameterGroupName": pg,
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "game-prod-cache",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 3 if i else 0,
                "SnapshotWindow": "03:00-04:00",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:eu-west-1:{c.account}:cluster:{n}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        )
    c.res(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": pg,
            "CacheParameterGroupFamily": "redis7",
            "Description": "leaderboard redis 7 tuning",
            "IsGlobal": False,
            "ARN": f"arn:aws:elasticache:eu-west-1:{c.account}:parametergroup:{pg}",
        },
    )
    params = [
        ("maxmemory-policy", "noeviction", "user", "string", "Max memory policy.", "dynamic"),
        ("reserved-memory-percent", "25", "system", "integer", "The percent of memory reserved", "immediate"),
        ("maxmemory-samples", "5", "system", "integer", "Max memory samples.", "immediate"),
        ("notify-keyspace-events", "Ex", "user", "string", "The keyspace events for Redis", "immediate"),
        ("timeout", "300", "user", "integer", "Close connection if client is idle", "immediate"),
        (
            "lazyfree-lazy-eviction",
            "no",
            "system",
            "string",
            "Perform an asynchronous delete on evictions.",
            "immediate",
        ),
    ]
    for pname, value, source, dtype, desc, _ in params:
        c.res(
            "elasticache",
            "CacheParameterGroupParameter",
            {
                "CacheParameterGroupName": pg,
                "ParameterName": pname,
                "ParameterValue": value,
                "Description": desc,
                "Source": source,
                "DataType": dtype,
                "IsModifiable": True,
                "MinimumEngineVersion": "7.0.5" if pname != "maxmemory-policy" else "2.6.13",
                "ChangeType": "immediate",
            },
        )

    # --- functions ------------------------------------------------------------------------------------
    deploy = onset - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59))
    env = {"REDIS_HOST": host, "REDIS_PORT": "6379", "POWERTOOLS_SERVICE_NAME": "leaderboard"}
    vpcconf = (subnets, [sg], vpc)
    fns = {
        "leaderboard-api": c.lambda_fn(
            "leaderboard-api",
            "python3.12",
            "app.handler",
            1024,
            10,
            env,
            deploy,
            "Leaderboard REST API",
            vpcconf,
        ),
        "session-service": c.lambda_fn(
            "session-service",
            "python3.12",
            "sessions.handler",
            512,
            6,
            {**env, "SESSION_TTL_SECONDS": "3600"},
            start - timedelta(days=rng.randint(9, 40)),
            "Login / session refresh",
            vpcconf,
        ),
        "match-archiver": c.lambda_fn(
            "match-archiver",
            "python3.12",
            "archiver.handler",
            512,
            120,
            {"TABLE_NAME": "match-history"},
            start - timedelta(days=rng.randint(5, 60)),
            "Every 5 min: copies finished matches to DynamoDB",
        ),
        "push-notifier": c.lambda_fn(
            "push-notifier",
            "nodejs20.x",
            "index.handler",
            256,
            15,
            {"PLATFORM_APP": "game-prod-fcm"},
            start - timedelta(days=rng.randint(3, 30)),
            "Sends friend-overtook-you pushes",
        ),
    }
    for f in fns:
        c.log_group(f"/aws/lambda/{f}", 14)
    c.log_group("API-Gateway-Execution-Logs_" + c.hexid(10) + "/prod", 7)
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "match-history",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:eu-west-1:{c.account}:table/match-history",
            "TableId": c.uid(),
            "KeySchema": [
                {"AttributeName": "playerId", "KeyType": "HASH"},
                {"AttributeName": "endedAt", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "playerId", "AttributeType": "S"},
                {"AttributeName": "endedAt", "AttributeType": "N"},
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "ItemCount": rng.randint(10**8, 4 * 10**8),
            "TableSizeBytes": rng.randint(10**11, 4 * 10**11),
            "CreationDateTime": iso(start - timedelta(days=400)),
        },
    )

    # --- metrics --------------------------------------------------------------------------------------
    for i, n in enumerate(nodes):
        dims = {"CacheClusterId": n, "CacheNodeId": "0001"}
        mem_data = c.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            dims,
            "Percent",
            (lambda t: mem(t)) if i == 0 else (lambda t: mem(t) - rng.uniform(0.0, 0.2)),
        )
        if i == 0:
            primary_mem = mem_data

        def evictions(t: datetime, i: int = i) -> float:
            m = mins(t)
            if i == 0 and m < change_min and mem(t) > 98.0:
                return float(rng.randint(40, 160))
            return 0.0

        def engine_cpu(t: datetime, i: int = i) -> float:
            return 14 + 11 * traffic(t) + (i * -6)

        def gets(t: datetime, i: int = i) -> float:
            return (52000 if i == 0 else 31000) * traffic(t)

        def sets(t: datetime, i: int = i) -> float:
            return 0.0 if i else (2100.0 if failing(t) else 19000.0) * traffic(t)

        c.series("AWS/ElastiCache", "Evictions", dims, "Count", evictions)
        c.series("AWS/ElastiCache", "EngineCPUUtilization", dims, "Percent", engine_cpu)
        c.series("AWS/ElastiCache", "CPUUtilization", dims, "Percent", lambda t: 7 + 4 * traffic(t))
        c.series(
            "AWS/ElastiCache", "CurrConnections", dims, "Count", lambda t: float(int(260 * traffic(t)) + 12)
        )
        c.series(
            "AWS/ElastiCache",
            "CurrItems",
            dims,
            "Count",
            lambda t: 2_400_000 + 8000 * mem(t) + rng.randint(-900, 900),
        )
        c.series(
            "AWS/ElastiCache",
            "GetTypeCmds",
            dims,
            "Count",
            gets,
        )
        c.series(
            "AWS/ElastiCache",
            "SetTypeCmds",
            dims,
            "Count",
            sets,
        )
        c.series(
            "AWS/ElastiCache",
            "CacheHitRate",
            dims,
            "Percent",
            lambda t: rng.uniform(91.0, 94.0) if not failing(t) else rng.uniform(84.0, 88.0),
        )
        if i == 1:
            c.series(
                "AWS/ElastiCache",
                "ReplicationLag",
                dims,
                "Seconds",
                lambda t: rng.choice([0.0, 0.0, 0.0, 1.0]),
            )

    api_dims = {"ApiName": "leaderboard-prod", "Stage": "prod"}

    def api_count(t: datetime) -> float:
        return 5200.0 * traffic(t)

    def api_5xx(t: datetime) -> float:
        return float(rng.randint(0, 3)) if not failing(t) else api_count(t) * rng.uniform(0.34, 0.41)

    c.series("AWS/ApiGateway", "Count", api_dims, "Count", api_count)
    five = c.series("AWS/ApiGateway", "5XXError", api_dims, "Count", api_5xx)
    c.series(
        "AWS/ApiGateway", "4XXError", api_dims, "Count", lambda t: api_count(t) * rng.uniform(0.01, 0.02)
    )
    c.series("AWS/ApiGateway", "Latency", api_dims, "Milliseconds", lambda t: rng.uniform(38, 55))

    oom = "command not allowed when used memory > 'maxmemory'."

    def oom_trace(at: datetime, req: str, path: str) -> list[str]:
        return [
            f"[ERROR] OutOfMemoryError: {oom}\nTraceback (most recent call last):\n"
            f'  File "/var/task/{path}", line 88, in handler\n    return route(event, context)\n'
            f'  File "/var/task/lib/store.py", line 141, in write\n    return pipe.execute()\n'
            '  File "/var/task/redis/client.py", line 1524, in execute\n    return conn.retry.call_with_retry(\n'
            '  File "/var/task/redis/client.py", line 1389, in _execute_transaction\n    raise r\n'
        ]

    c.lambda_reports(
        "leaderboard-api",
        lambda t: int(3900 * traffic(t)),
        lambda t: rng.uniform(18, 30),
        lambda t: rng.choice([0, 0, 0, 1]) if not failing(t) else int(1500 * traffic(t)),
        lambda at, req: oom_trace(at, req, "app.py"),
        lambda at, req: [
            f"[INFO]\t{iso(at)}\t{req}\tGET /v1/boards/{rng.choice(['global', 'weekly', 'friends'])}"
        ],
        memory=1024,
    )
    c.lambda_reports(
        "session-service",
        lambda t: int(1300 * traffic(t)),
        lambda t: rng.uniform(9, 16),
        lambda t: 0 if not failing(t) else int(1250 * traffic(t)),
        lambda at, req: oom_trace(at, req, "sessions.py"),
        sample_every=2,
    )
    c.lambda_reports(
        "match-archiver",
        lambda t: 1 if t.minute % 5 == 0 else 0,
        lambda t: rng.uniform(8000, 21000),
        lambda t: 0,
        lambda at, req: [],
        lambda at, req: [
            f"[INFO]\t{iso(at)}\t{req}\tarchived {rng.randint(800, 4000)} matches to match-history"
        ],
        sample_every=5,
    )
    c.lambda_reports(
        "push-notifier",
        lambda t: rng.randint(200, 400),
        lambda t: rng.uniform(90, 160),
        lambda t: rng.choice([0, 0, 0, 2, 5, 9]),
        lambda at, req: [
            f"{at.isoformat()[:23]}Z\t{req}\tERROR\tInvoke Error \t"
            '{"errorType":"EndpointDisabled","errorMessage":"Endpoint is disabled","code":"EndpointDisabled"}'
        ],
        sample_every=3,
        memory=256,
    )
    for stat in ("ConsumedWriteCapacityUnits", "ConsumedReadCapacityUnits"):

        def ddb(t: datetime, s: str = stat) -> float:
            return float(rng.randint(2500, 9000)) if t.minute % 5 == 1 or s.startswith("ConsumedR") else 0.0

        c.series("AWS/DynamoDB", stat, {"TableName": "match-history"}, "Count", ddb)

    # --- alarms ---------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:eu-west-1:{c.account}:game-oncall-pagerduty"
    chat = f"arn:aws:sns:eu-west-1:{c.account}:game-alerts-slack"
    c.alarm(
        "leaderboard-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api_dims,
        five,
        100.0,
        "GreaterThanThreshold",
        "Sum",
        60,
        3,
        description="Leaderboard API returning 5XX. Runbook: https://wiki.internal/game/runbooks/leaderboard",
        topic=topic,
    )
    c.alarm(
        "lb-redis-memory-high",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
        primary_mem,
        95.0,
        "GreaterThanThreshold",
        "Average",
        60,
        5,
        description="Redis memory above 95% (LRU keeps it near full at peak; informational)",
        topic=chat,
        initial="ALARM",
    )
    errs = {
        m["timestamp"]: m["value"]
        for m in c.metrics
        if m["metric"] == "Errors" and m["dimensions"] == {"FunctionName": "push-notifier"}
    }
    push_err = {t: errs.get(iso(t), 0.0) for t in c.minutes()}
    c.alarm(
        "push-notifier-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "push-notifier"},
        push_err,
        6.0,
        "GreaterThanOrEqualToThreshold",
        "Sum",
        60,
        2,
        description="push-notifier failing",
        topic=chat,
    )

    # --- cloudtrail -----------------------------------------------------------------------------------
    sso = c.role_identity(
        "AWSReservedSSO_PlatformAdmin_5c1e0d9f2a7b3c44", rng.choice(["m.kovacs", "a.osei", "j.lindqvist"])
    )
    culprit = c.ct(
        change,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        sso,
        {
            "cacheParameterGroupName": pg,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pg},
        ip=f"81.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    )
    for k in range(3):
        c.ct(
            change - timedelta(minutes=rng.randint(1, 12)),
            "elasticache.amazonaws.com",
            ["DescribeCacheParameters", "DescribeCacheParameterGroups", "DescribeReplicationGroups"][k],
            sso,
            {"cacheParameterGroupName": pg} if k < 2 else {"replicationGroupId": rg},
            None,
            read_only=True,
            ip=culprit["sourceIPAddress"],
            agent=culprit["userAgent"],
        )
    ci = c.role_identity("github-actions-deploy", "GitHubActions")
    c.ct(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "leaderboard-api",
            "s3Bucket": f"game-artifacts-{c.account}",
            "s3Key": f"leaderboard-api/{c.hexid(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "leaderboard-api",
            "functionArn": fns["leaderboard-api"]["FunctionArn"],
            "runtime": "python3.12",
            "codeSha256": fns["leaderboard-api"]["CodeSha256"],
            "lastModified": fns["leaderboard-api"]["LastModified"],
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    c.ct(
        onset - timedelta(minutes=rng.randint(5, 11)),
        "ssm.amazonaws.com",
        "PutParameter",
        c.role_identity("AWSReservedSSO_GameDesigner_8a1f3c9e0b7d2e11", "liveops"),
        {"name": "/leaderboard/prod/feature/weekly-challenge", "type": "String", "overwrite": True},
        {"version": rng.randint(12, 40), "tier": "Standard"},
        ip=f"81.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    )
    tf = c.role_identity("terraform-apply", "terraform")
    c.ct(
        start + timedelta(minutes=rng.randint(20, 60)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        tf,
        {
            "alarmName": "push-notifier-errors",
            "metricName": "Errors",
            "namespace": "AWS/Lambda",
            "statistic": "Sum",
            "period": 60,
            "evaluationPeriods": 2,
            "threshold": 6.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "dimensions": [{"name": "FunctionName", "value": "push-notifier"}],
            "alarmActions": [chat],
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
    )
    c.ct(
        onset - timedelta(minutes=rng.randint(55, 80)),
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        tf,
        {
            "tableName": "match-history",
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
    )
    c.readonly_noise(
        [
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("elasticache.amazonaws.com", "DescribeEvents", {"duration": 60}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "match-history"}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("apigateway.amazonaws.com", "GetRestApis", None),
        ],
        rng.randint(36, 50),
    )
    c.assume_role_noise([f"{f}-role" for f in fns], rng.randint(10, 18))

    manifest: Rec = {
        "title": TITLE,
        "trigger": {"question": None, "alarm_event": c.alarm_event("leaderboard-prod-5xx")},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": pg,
                "category": "change",
                "failure_mode": "redis-maxmemory-policy-noeviction",
                "event_id": culprit["eventID"],
            },
            "also_accept": [
                f"arn:aws:elasticache:eu-west-1:{c.account}:parametergroup:{pg}",
                rg,
                nodes[0],
                "maxmemory-policy",
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": [pg, rg, "leaderboard-api", "session-service", "leaderboard-prod"],
        },
    }
    return c.bundle(manifest)
