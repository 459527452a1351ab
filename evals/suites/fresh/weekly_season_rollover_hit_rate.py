"""No fault: the weekly season rollover empties the rank cache and players see their ranks reset."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzr import Ctx, Rec, iso, pick_day

NAME = "weekly-season-rollover-hit-rate"
TITLE = "lb-cache hit-rate page on Monday morning and players reporting their ranks were wiped"
SUMMARY = (
    "No fault: the scheduled Monday 00:00 UTC season rollover archived last week's board and opened a new "
    "one; the rank cache missed until it warmed, paging the hit-rate alarm as it does every week, and "
    "players saw the new season's empty ranks."
)

REGION = "ap-southeast-1"


def build(seed: int) -> Bundle:
    monday = pick_day(random.Random(seed * 3 + 9), weekday=0)
    start = monday - timedelta(hours=rng_hours(seed), minutes=(seed * 11) % 30)
    c = Ctx(seed, REGION, start, start)
    rng = c.rng
    ask = monday + timedelta(minutes=rng.randint(24, 38), seconds=rng.randint(0, 59))
    c.now = ask
    roll = monday + timedelta(seconds=rng.randint(1, 4))
    roll_end = roll + timedelta(seconds=rng.randint(80, 140))
    year, week, _ = (monday - timedelta(days=1)).isocalendar()
    old_season = f"{year}-W{week:02d}"
    ny, nw, _ = monday.isocalendar()
    new_season = f"{ny}-W{nw:02d}"
    entries = rng.randint(900_000, 1_600_000)
    warm = rng.uniform(11, 17)

    def after(t: datetime) -> float:
        return (t - monday).total_seconds() / 60

    def traffic(t: datetime) -> float:
        return (0.8 + 0.5 * max(0.0, 1 - abs(after(t) + 30) / 300)) * rng.uniform(0.94, 1.06)

    def hit_rate(t: datetime) -> float:
        a = after(t)
        if a < 0:
            return rng.uniform(91.5, 94.5)
        return 92.5 - 40.0 * (2.718 ** (-a / warm * 1.6)) + rng.uniform(-1.2, 1.2)

    vpc, subnets, sg = c.network(rng.randint(150, 190))
    cache = "lb-cache"
    sfx = c.hexid(6)
    nodes = [f"{cache}-001", f"{cache}-002"]
    primary = f"{cache}.{sfx}.ng.0001.apse1.cache.amazonaws.com"
    c.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": cache,
            "Description": "leaderboard ranks (sorted sets) and rank lookups",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": primary, "Port": 6379},
                    "ReaderEndpoint": {
                        "Address": f"{cache}-ro.{sfx}.ng.0001.apse1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n}.{sfx}.0001.apse1.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": f"{REGION}{'ab'[i]}",
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i, n in enumerate(nodes)
                    ],
                }
            ],
            "SnapshottingClusterId": nodes[1],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 7,
            "SnapshotWindow": "18:00-19:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r7g.xlarge",
            "AuthTokenEnabled": True,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": f"arn:aws:elasticache:{REGION}:{c.account}:replicationgroup:{cache}",
            "ReplicationGroupCreateTime": iso(start - timedelta(days=rng.randint(300, 800))),
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
                "CacheNodeType": "cache.r7g.xlarge",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": f"{REGION}{'ab'[i]}",
                "CacheClusterCreateTime": iso(start - timedelta(days=300)),
                "PreferredMaintenanceWindow": "wed:19:00-wed:20:00",
                "PendingModifiedValues": {},
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "game-prod-cache",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg, "Status": "active"}],
                "ReplicationGroupId": cache,
                "SnapshotRetentionLimit": 7 if i else 0,
                "SnapshotWindow": "18:00-19:00",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{REGION}:{c.account}:cluster:{n}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        )
    archive = "leaderboard-season-archive"
    for tname, keys, items in (
        (archive, [("seasonId", "HASH", "S"), ("rank", "RANGE", "N")], rng.randint(4 * 10**7, 9 * 10**7)),
        ("player-profiles", [("playerId", "HASH", "S")], rng.randint(3 * 10**6, 8 * 10**6)),
    ):
        c.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": tname,
                "TableStatus": "ACTIVE",
                "TableArn": f"arn:aws:dynamodb:{REGION}:{c.account}:table/{tname}",
                "TableId": c.uid(),
                "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, kt, _ in keys],
                "AttributeDefinitions": [{"AttributeName": k, "AttributeType": at} for k, _, at in keys],
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "ItemCount": items,
                "TableSizeBytes": items * rng.randint(90, 160),
                "CreationDateTime": iso(start - timedelta(days=rng.randint(300, 800))),
            },
        )
    dax = "profiles-dax"
    c.res(
        "dax",
        "Cluster",
        {
            "ClusterName": dax,
            "Description": "player-profiles read cache",
            "ClusterArn": f"arn:aws:dax:{REGION}:{c.account}:cache/{dax}",
            "TotalNodes": 2,
            "ActiveNodes": 2,
            "NodeType": "dax.r5.large",
            "Status": "available",
            "PreferredMaintenanceWindow": "wed:20:00-wed:21:00",
            "SubnetGroup": "game-prod-dax",
            "SecurityGroups": [{"SecurityGroupIdentifier": sg, "Status": "active"}],
            "IamRoleArn": f"arn:aws:iam::{c.account}:role/profiles-dax-role",
            "ParameterGroup": {"ParameterGroupName": "default.dax1.0", "ParameterApplyStatus": "in-sync"},
            "SSEDescription": {"Status": "ENABLED"},
            "ClusterEndpointEncryptionType": "TLS",
        },
    )
    deploy = start + timedelta(minutes=rng.randint(70, 130), seconds=rng.randint(0, 59))
    vpcconf = (subnets, [sg], vpc)
    api = c.lambda_fn(
        "leaderboard-api",
        "python3.12",
        "app.handler",
        1024,
        10,
        {
            "REDIS_HOST": primary,
            "PROFILE_DAX": f"daxs://{dax}.{c.hexid(6)}.dax-clusters.{REGION}.amazonaws.com",
        },
        deploy,
        "Leaderboard REST API",
        vpcconf,
    )
    roller = c.lambda_fn(
        "season-rollover",
        "python3.12",
        "rollover.handler",
        2048,
        900,
        {"REDIS_HOST": primary, "ARCHIVE_TABLE": archive},
        start - timedelta(days=rng.randint(40, 120)),
        "Weekly: archive the finished season board, open the next one",
        vpcconf,
    )
    for f in ("leaderboard-api", "season-rollover"):
        c.log_group(f"/aws/lambda/{f}", 30)
    c.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": f"arn:aws:scheduler:{REGION}:{c.account}:schedule/default/weekly-season-rollover",
            "CreationDate": iso(start - timedelta(days=200)),
            "Description": "Close the weekly season at Monday 00:00 UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "GroupName": "default",
            "LastModificationDate": iso(start - timedelta(days=200)),
            "Name": "weekly-season-rollover",
            "ScheduleExpression": "cron(0 0 ? * MON *)",
            "ScheduleExpressionTimezone": "UTC",
            "State": "ENABLED",
            "Target": {
                "Arn": roller["FunctionArn"],
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-invoke-season-rollover",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 0},
            },
        },
    )

    # --- metrics --------------------------------------------------------------------------------------
    def node_metrics(i: int, n: str) -> dict[datetime, float]:
        dims = {"CacheClusterId": n, "CacheNodeId": "0001"}
        d = c.series(
            "AWS/ElastiCache",
            "CacheHitRate",
            dims,
            "Percent",
            (lambda t: hit_rate(t)) if i == 0 else (lambda t: rng.uniform(96, 99)),
        )
        c.series(
            "AWS/ElastiCache",
            "CacheMisses",
            dims,
            "Count",
            lambda t: (100 - d.get(t, 93.0)) / 100 * 48000 * traffic(t) if i == 0 else rng.uniform(200, 500),
        )
        c.series(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            dims,
            "Percent",
            lambda t: rng.uniform(14, 20) * traffic(t) + (25 if i == 0 and 0 <= after(t) < 2.5 else 0),
        )
        c.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            dims,
            "Percent",
            lambda t: 38.0 + (0 if after(t) < 2 else -6.5) + rng.uniform(-0.2, 0.2),
        )
        c.series("AWS/ElastiCache", "CurrConnections", dims, "Count", lambda t: float(rng.randint(300, 360)))
        c.series("AWS/ElastiCache", "Evictions", dims, "Count", lambda t: 0.0)
        return d

    hr_data = node_metrics(0, nodes[0])
    node_metrics(1, nodes[1])
    c.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": archive},
        "Count",
        lambda t: entries / 2 * rng.uniform(0.9, 1.1) if 0 <= after(t) < 2 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": "player-profiles"},
        "Count",
        lambda t: rng.uniform(3000, 4200) * traffic(t) * (1.9 if 0 <= after(t) < warm else 1),
    )
    c.series(
        "AWS/DAX",
        "ItemCacheMisses",
        {"ClusterId": dax},
        "Count",
        lambda t: rng.uniform(4000, 6000) * (2.5 if 0 <= after(t) < warm else 1),
    )
    c.series("AWS/DAX", "CPUUtilization", {"ClusterId": dax}, "Percent", lambda t: rng.uniform(9, 15))
    c.lambda_reports(
        "leaderboard-api",
        lambda t: int(7000 * traffic(t)),
        lambda t: rng.uniform(12, 20) * (1.7 if 0 <= after(t) < warm else 1),
        lambda t: rng.choice([0, 0, 0, 1, 2]),
        lambda at, req: [
            "[ERROR] TimeoutError: Timeout reading from socket\nTraceback (most recent call last):\n"
            '  File "/var/task/app.py", line 88, in handler\n    return route(event, context)\n'
            '  File "/var/task/redis/connection.py", line 512, in read_response\n'
        ],
        lambda at, req: [
            f"[INFO]\t{iso(at)}\t{req}\tGET /v1/boards/{rng.choice(['global', 'weekly', 'friends'])}"
            f" season={new_season if at >= roll else old_season}"
        ],
    )
    inv = {roll.replace(second=0): 1.0}
    c.series("AWS/Lambda", "Invocations", {"FunctionName": "season-rollover"}, "Count", lambda t: inv.get(t))
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "season-rollover"},
        "Milliseconds",
        lambda t: (roll_end - roll).total_seconds() * 1000 if t in inv else None,
    )
    c.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "season-rollover"},
        "Count",
        lambda t: 0.0 if t in inv else None,
    )
    stream = f"{monday:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
    req = c.uid()
    lg = "/aws/lambda/season-rollover"
    c.log(
        lg,
        stream,
        roll - timedelta(milliseconds=600),
        "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:ap-southeast-1::runtime:"
        + c.hexid(64),
    )
    c.log(lg, stream, roll, f"START RequestId: {req} Version: $LATEST")
    batches = entries // 25 + 1
    lines = [
        (0.2, f"[INFO]\t{iso(roll)}\t{req}\tclosing season {old_season} ({entries} ranked players)"),
        (1.1, f"[INFO]\t{iso(roll)}\t{req}\tRENAME lb:season:current -> lb:season:{old_season}"),
        (1.4, f"[INFO]\t{iso(roll)}\t{req}\topened season {new_season}: lb:season:current created empty"),
        (
            2.0,
            f"[INFO]\t{iso(roll)}\t{req}\tflushed rank cache keys rank:{old_season}:* ({rng.randint(200_000, 400_000)} keys, UNLINK)",
        ),
        (
            (roll_end - roll).total_seconds() - 3,
            f"[INFO]\t{iso(roll_end)}\t{req}\tarchived {entries} entries of {old_season} to {archive} in "
            f"{batches} BatchWriteItem calls, 0 unprocessed",
        ),
        (
            (roll_end - roll).total_seconds() - 1,
            f"[INFO]\t{iso(roll_end)}\t{req}\tseason rollover complete: {old_season} -> {new_season}",
        ),
    ]
    for off, msg in lines:
        at = roll + timedelta(seconds=off, milliseconds=rng.randint(0, 999))
        msg = msg.replace(iso(roll), at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z")
        msg = msg.replace(iso(roll_end), at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z")
        c.log(lg, stream, at, msg)
    dur = (roll_end - roll).total_seconds() * 1000 - rng.uniform(1, 900)
    c.log(lg, stream, roll_end, f"END RequestId: {req}")
    c.log(
        lg,
        stream,
        roll_end,
        f"REPORT RequestId: {req}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 2048 MB\t"
        f"Max Memory Used: {rng.randint(600, 900)} MB\tInit Duration: {rng.uniform(700, 1100):.2f} ms\t",
    )

    # --- alarms ---------------------------------------------------------------------------------------
    page = f"arn:aws:sns:{REGION}:{c.account}:leaderboard-oncall"
    before: list[tuple[datetime, str, str]] = []
    for w in (2, 1):
        last = monday - timedelta(weeks=w)
        before.append(
            (last + timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(5, 55)), "OK", "ALARM")
        )
        before.append(
            (last + timedelta(minutes=rng.randint(15, 22), seconds=rng.randint(5, 55)), "ALARM", "OK")
        )
    c.alarm(
        "lb-cache-hit-rate-low",
        "AWS/ElastiCache",
        "CacheHitRate",
        {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
        hr_data,
        75.0,
        "LessThanThreshold",
        "Average",
        60,
        3,
        description="Rank cache hit rate below 75%: check Redis and leaderboard-api",
        topic=page,
        history_before=before,
    )
    errs = {t: 0.0 for t in c.minutes()}
    c.alarm(
        "season-rollover-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "season-rollover"},
        errs,
        0.0,
        "GreaterThanThreshold",
        "Sum",
        60,
        1,
        missing="notBreaching",
        description="weekly rollover failed - leaderboard stuck on old season",
        topic=page,
    )
    cpu = {t: rng.uniform(14, 20) for t in c.minutes()}
    c.alarm(
        "lb-cache-engine-cpu-high",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
        cpu,
        85.0,
        "GreaterThanThreshold",
        "Average",
        60,
        5,
        description="rank cache CPU",
        topic=page,
    )

    # --- cloudtrail -----------------------------------------------------------------------------------
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
            "functionArn": api["FunctionArn"],
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/lambda#3.637.0",
    )
    sso = c.role_identity("AWSReservedSSO_LiveOps_7e1a2b3c4d5f6a77", "w.tan")
    c.ct(
        monday - timedelta(minutes=rng.randint(35, 80)),
        "ssm.amazonaws.com",
        "PutParameter",
        sso,
        {"name": "/leaderboard/prod/season-rewards-banner", "type": "String", "overwrite": True},
        {"version": rng.randint(30, 60), "tier": "Standard"},
        ip=f"116.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    )
    c.trail.append(
        {
            "eventVersion": "1.08",
            "userIdentity": {"type": "AWSService", "invokedBy": "scheduler.amazonaws.com"},
            "eventTime": iso(roll - timedelta(seconds=1)),
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole",
            "awsRegion": REGION,
            "sourceIPAddress": "scheduler.amazonaws.com",
            "userAgent": "scheduler.amazonaws.com",
            "requestParameters": {
                "roleArn": f"arn:aws:iam::{c.account}:role/scheduler-invoke-season-rollover",
                "roleSessionName": c.hexid(32),
            },
            "responseElements": {
                "credentials": {
                    "accessKeyId": "ASIA" + c.hexid(16).upper(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + c.hexid(24),
                    "expiration": (roll + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            "requestID": c.uid(),
            "eventID": c.uid(),
            "readOnly": True,
            "resources": [
                {
                    "accountId": c.account,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{c.account}:role/scheduler-invoke-season-rollover",
                }
            ],
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": c.account,
            "sharedEventID": c.uid(),
            "eventCategory": "Management",
        }
    )
    c.readonly_noise(
        [
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": archive}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "player-profiles"}),
            ("dax.amazonaws.com", "DescribeClusters", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("scheduler.amazonaws.com", "ListSchedules", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
        rng.randint(34, 46),
    )
    c.assume_role_noise(["leaderboard-api-role", "season-rollover-role"], rng.randint(8, 12))

    local = ask + timedelta(hours=8)
    paged = [
        h["Timestamp"]
        for h in c.history
        if h["Timestamp"] >= iso(monday) and h["HistorySummary"].endswith("ALARM")
    ]
    page_local = datetime.fromisoformat(paged[0].replace("Z", "+00:00")) + timedelta(hours=8)
    question = (
        f"got paged for lb-cache-hit-rate-low at like {page_local:%-I:%M}am and now #community is full of players "
        f"saying their rank got wiped to zero. did we lose leaderboard data?? pls check (it's {local:%-I:%M} here)"
    )
    manifest: Rec = {
        "title": TITLE,
        "trigger": {"question": question, "alarm_event": None, "timezone": "Asia/Singapore"},
        "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    }
    return c.bundle(manifest)


def rng_hours(seed: int) -> int:
    return 4 + seed % 2
