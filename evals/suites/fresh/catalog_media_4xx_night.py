"""A night-time S3 4xx alarm on the catalog media bucket: the nightly image sync's HEAD-before-PUT misses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzo import Ctx, iam_role, iso, log_group, onset_day

NAME = "catalog-media-4xx-alarm-overnight"
TITLE = "catalog-media bucket 4xx alarm paged at 2am; are we being scanned or did access break?"
SUMMARY = (
    "No fault: the nightly catalog image sync checks each image with HeadObject before uploading; a large new "
    "range made thousands of expected 404s, which S3 counts as 4xxErrors, and the alarm cleared when the job ended."
)

_TZ = ZoneInfo("Australia/Sydney")


def build(seed: int) -> Bundle:
    day = onset_day(seed, 8, 8)
    local_job = day.astimezone(_TZ).replace(hour=2, minute=0, second=0, microsecond=0)
    job = local_job.astimezone(day.tzinfo) + timedelta(seconds=0)
    ctx = Ctx(seed, "ap-southeast-2", job - timedelta(hours=3, minutes=15), job + timedelta(minutes=46))
    rng = ctx.rng
    office_ip = f"{rng.choice([81, 86, 110, 124, 203])}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    acct = ctx.account
    bucket = f"brindle-catalog-media-{acct[-5:]}"
    cluster = "brindle-batch"
    family = "catalog-image-sync"
    checked = rng.randint(12_000, 17_000)
    new = rng.randint(2_600, 3_800)
    runtime_min = rng.randint(19, 26)
    task_id = ctx.hexid(32)
    rev = rng.randint(14, 40)
    td_arn = ctx.arn("ecs", f"task-definition/{family}:{rev}")
    task_arn = ctx.arn("ecs", f"task/{cluster}/{task_id}")
    cf_id = "E" + ctx.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    cf_new = "E" + ctx.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    started = job + timedelta(seconds=rng.randint(35, 70))
    sync_start = started + timedelta(seconds=rng.randint(20, 40))
    sync_end = sync_start + timedelta(minutes=runtime_min, seconds=rng.randint(0, 59))

    # ---------------- resources ----------------
    ctx.res(
        "s3",
        "Bucket",
        {"Name": bucket, "CreationDate": iso(ctx.start - timedelta(days=1500)), "BucketRegion": ctx.region},
    )
    policy = {
        "Version": "2008-10-17",
        "Id": "PolicyForCloudFrontPrivateContent",
        "Statement": [
            {
                "Sid": "AllowCloudFrontServicePrincipal",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": [
                            f"arn:aws:cloudfront::{acct}:distribution/{cf_id}",
                            f"arn:aws:cloudfront::{acct}:distribution/{cf_new}",
                        ]
                    }
                },
            }
        ],
    }
    ctx.res("s3", "BucketPolicy", {"Bucket": bucket, "Policy": json.dumps(policy)})
    ctx.res(
        "s3",
        "BucketPublicAccessBlock",
        {
            "Bucket": bucket,
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "runningTasksCount": 0,
            "activeServicesCount": 0,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    ctx.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_arn,
            "family": family,
            "revision": rev,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/catalog-image-sync-task",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "sync",
                    "image": f"{acct}.dkr.ecr.{ctx.region}.amazonaws.com/catalog-image-sync:1.{rev}.2",
                    "essential": True,
                    "environment": [
                        {"name": "MEDIA_BUCKET", "value": bucket},
                        {"name": "FEED_URL", "value": "https://feeds.supplierhub.com.au/brindle/images.csv"},
                        {"name": "WORKERS", "value": "16"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "sync",
                        },
                    },
                }
            ],
        },
    )
    ctx.res(
        "ecs",
        "Task",
        {
            "taskArn": task_arn,
            "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
            "taskDefinitionArn": td_arn,
            "group": f"family:{family}",
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "cpu": "512",
            "memory": "1024",
            "startedBy": f"events-rule/{family}-nightly",
            "createdAt": iso(job + timedelta(seconds=4)),
            "startedAt": iso(started),
            "stoppingAt": iso(sync_end + timedelta(seconds=2)),
            "stoppedAt": iso(sync_end + timedelta(seconds=31)),
            "executionStoppedAt": iso(sync_end + timedelta(seconds=3)),
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "availabilityZone": f"{ctx.region}b",
            "containers": [
                {
                    "containerArn": ctx.arn("ecs", f"container/{cluster}/{task_id}/{ctx.uid()}"),
                    "taskArn": task_arn,
                    "name": "sync",
                    "lastStatus": "STOPPED",
                    "exitCode": 0,
                    "healthStatus": "UNKNOWN",
                }
            ],
        },
    )
    ctx.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "catalog-products",
            "TableArn": ctx.arn("dynamodb", "table/catalog-products"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(ctx.start - timedelta(days=1400)),
            "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "sku", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "TableSizeBytes": rng.randint(10**8, 10**9),
            "ItemCount": rng.randint(40_000, 90_000),
        },
    )
    iam_role(
        ctx,
        "catalog-image-sync-task",
        "ecs-tasks.amazonaws.com",
        "media-bucket",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:Query", "dynamodb:GetItem"],
                    "Resource": ctx.arn("dynamodb", "table/catalog-products"),
                },
            ],
        },
    )
    log_group(ctx, f"/ecs/{family}", 90)

    # ---------------- metrics ----------------
    s3d = {"BucketName": bucket, "FilterId": "EntireBucket"}
    mins = ctx.minutes()
    per_min_check = checked / runtime_min
    new_share = new / checked
    four: list[float] = []
    for t in mins:
        running = sync_start <= t + timedelta(seconds=59) and t <= sync_end
        local_h = t.astimezone(_TZ).hour
        gets = max(20, round(rng.gauss(260 if local_h in (22, 23) else 90, 15)))
        heads = round(per_min_check * rng.uniform(0.85, 1.15)) if running else 0
        misses = round(heads * new_share * rng.uniform(0.6, 1.4)) if running else 0
        cf_404 = rng.randint(0, 4)
        ctx.metric("AWS/S3", "GetRequests", s3d, t, gets)
        if heads:
            ctx.metric("AWS/S3", "HeadRequests", s3d, t, heads)
            ctx.metric("AWS/S3", "PutRequests", s3d, t, misses)
            ctx.metric("AWS/S3", "BytesUploaded", s3d, t, misses * rng.randint(180_000, 420_000), "Bytes")
        ctx.metric("AWS/S3", "AllRequests", s3d, t, gets + heads + misses)
        if misses + cf_404:
            ctx.metric("AWS/S3", "4xxErrors", s3d, t, misses + cf_404)
        four.append(misses + cf_404)
        ctx.stats(
            "AWS/S3",
            "FirstByteLatency",
            s3d,
            t,
            [rng.uniform(8, 45) for _ in range(20)],
            "Milliseconds",
        )
        ctx.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "catalog-products"},
            t,
            round(rng.gauss(180 if not running else 420, 20)),
        )

    # ---------------- logs ----------------
    g, s = f"/ecs/{family}", f"sync/sync/{task_id}"

    def py(at_: datetime, level: str, text: str) -> str:
        return f"{at_:%Y-%m-%d %H:%M:%S},{at_.microsecond // 1000:03d} {level} catalog_sync: {text}"

    ctx.log(g, s, sync_start, py(sync_start, "INFO", f"starting image sync, bucket={bucket} workers=16"))
    feed_at = sync_start + timedelta(seconds=rng.randint(3, 9))
    ctx.log(
        g,
        s,
        feed_at,
        py(
            feed_at,
            "INFO",
            f"feed downloaded: {checked} image rows ({rng.randint(3, 9)}.{rng.randint(0, 9)} MB)",
        ),
    )
    done = 0
    up = 0
    t = feed_at
    while t < sync_end - timedelta(seconds=60):
        t += timedelta(seconds=rng.randint(50, 70), milliseconds=rng.randint(0, 999))
        done = min(checked, done + round(per_min_check * rng.uniform(0.9, 1.1)))
        up = min(new, round(done * new_share))
        ctx.log(g, s, t, py(t, "INFO", f"progress {done}/{checked} checked, {up} uploaded, 0 failed"))
        if rng.random() < 0.5:
            sku = f"BR{rng.randint(100000, 999999)}"
            ctx.log(
                g,
                s,
                t + timedelta(milliseconds=rng.randint(10, 900)),
                py(t, "INFO", f"HEAD miss products/{sku}/main-1600.jpg -> fetched from supplier, uploaded"),
            )
        if rng.random() < 0.08:
            ctx.log(
                g, s, t + timedelta(seconds=2), py(t, "WARNING", "supplier returned 429, backing off 2.0s")
            )
    ctx.log(
        g,
        s,
        sync_end,
        py(
            sync_end,
            "INFO",
            f"sync complete: checked {checked}, uploaded {new} new, skipped {checked - new} existing, 0 failed in {runtime_min}m",
        ),
    )

    # ---------------- alarms ----------------
    topic = ctx.arn("sns", "brindle-oncall")
    a = ctx.alarm(
        "catalog-media-4xx",
        "AWS/S3",
        "4xxErrors",
        {"BucketName": bucket, "FilterId": "EntireBucket"},
        stat="Sum",
        period=300,
        threshold=500,
        state="OK",
        reason="",
        state_at=ctx.now,
        description="Unusual number of 4xx responses from the catalog media bucket (access denied / probing)",
        actions=[topic],
    )
    # 5-minute sums ending at each minute
    idx = next(i for i in range(4, len(mins)) if sum(four[i - 4 : i + 1]) > 500 and mins[i].minute % 5 == 4)
    fire = mins[idx] + timedelta(minutes=1, seconds=rng.randint(15, 50))
    v = float(sum(four[idx - 4 : idx + 1]))
    p0 = mins[idx - 4]
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{v} ({p0:%d/%m/%y %H:%M:%S})] was greater than the "
        "threshold (500.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data = ctx.reason_data(a, fire, [v])
    ctx.history(a, fire, "OK", "ALARM", reason, data)
    jdx = next(
        i for i in range(idx + 5, len(mins)) if sum(four[i - 4 : i + 1]) <= 500 and mins[i].minute % 5 == 4
    )
    ok_at = mins[jdx] + timedelta(minutes=1, seconds=rng.randint(15, 50))
    v2 = float(sum(four[jdx - 4 : jdx + 1]))
    ok_reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{v2} ({mins[jdx - 4]:%d/%m/%y %H:%M:%S})] was not greater "
        "than the threshold (500.0) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    ok_data = ctx.reason_data(a, ok_at, [v2])
    ctx.history(a, ok_at, "ALARM", "OK", ok_reason, ok_data)
    a["StateReason"] = ok_reason
    a["StateReasonData"] = json.dumps(ok_data, separators=(",", ":"))
    a["StateUpdatedTimestamp"] = a["StateTransitionedTimestamp"] = iso(ok_at)
    a["AlarmConfigurationUpdatedTimestamp"] = iso(
        ctx.start - timedelta(days=rng.randint(8, 12), hours=rng.randint(1, 9))
    )
    # an earlier night the same alarm fired and cleared
    prev = fire - timedelta(days=rng.randint(2, 5), minutes=rng.randint(-2, 2))
    prev_ok = prev + timedelta(minutes=rng.randint(10, 15))
    ctx.history(
        a,
        prev,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (500.0) (minimum 1 datapoint for OK -> ALARM transition).",
    )
    ctx.history(
        a,
        prev_ok,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (500.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ddb = ctx.alarm(
        "catalog-products-read-throttles",
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": "catalog-products"},
        stat="Sum",
        period=60,
        threshold=0,
        state="OK",
        reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        state_at=ctx.start - timedelta(days=rng.randint(10, 30)),
        actions=[topic],
    )
    del ddb

    # ---------------- cloudtrail ----------------
    ev = ctx.role_identity("ecsEventsRole", ctx.hexid(32), job, invoked_by="events.amazonaws.com")
    ctx.trail(
        job + timedelta(seconds=2),
        "ecs.amazonaws.com",
        "RunTask",
        ev,
        read_only=False,
        request={
            "cluster": ctx.arn("ecs", f"cluster/{cluster}"),
            "taskDefinition": ctx.arn("ecs", f"task-definition/{family}"),
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": f"events-rule/{family}-nightly",
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": [f"subnet-{ctx.hexid(17)}"], "assignPublicIp": "DISABLED"}
            },
        },
        response={
            "tasks": [{"taskArn": task_arn, "lastStatus": "PROVISIONING", "taskDefinitionArn": td_arn}],
            "failures": [],
        },
    )
    # AWS Backup's nightly DynamoDB backup
    bk = job - timedelta(minutes=rng.randint(55, 65))
    ctx.trail(
        bk,
        "dynamodb.amazonaws.com",
        "CreateBackup",
        ctx.role_identity(
            "service-role/AWSBackupDefaultServiceRole",
            "AWSBackup-AWSBackupDefaultServiceRole",
            bk,
            invoked_by="backup.amazonaws.com",
        ),
        read_only=False,
        request={"tableName": "catalog-products", "backupName": f"awsbackup_job_{ctx.hexid(32)}"},
        response={
            "backupDetails": {
                "backupArn": ctx.arn("dynamodb", f"table/catalog-products/backup/{ms_id(ctx)}"),
                "backupName": "awsbackup_job",
                "backupStatus": "CREATING",
                "backupType": "AWS_BACKUP",
            }
        },
    )
    # an engineer adds the new staging distribution to the bucket policy in the evening
    pol_t = ctx.start + timedelta(minutes=rng.randint(20, 50))
    eng = ctx.sso(
        rng.choice(["liam.nguyen", "sophie.tran", "raj.patel"]) + "@brindle.com.au", "Developer", pol_t
    )
    for off, name in ((-120, "GetBucketPolicy"), (0, "PutBucketPolicy")):
        ctx.trail(
            pol_t + timedelta(seconds=off),
            "s3.amazonaws.com",
            name,
            eng,
            read_only=name.startswith("Get"),
            request={
                "bucketName": bucket,
                "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com",
                "policy": "",
                **({"bucketPolicy": policy} if name == "PutBucketPolicy" else {}),
            },
            ip=office_ip,
            agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412]",
            resources=[{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        )
    ctx.trail(
        pol_t + timedelta(minutes=rng.randint(4, 12)),
        "ssm.amazonaws.com",
        "PutParameter",
        eng,
        read_only=False,
        request={"name": "/storefront/staging/media-cdn-domain", "type": "String", "overwrite": True},
        response={"version": rng.randint(2, 9), "tier": "Standard"},
        agent="aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/command#ssm.put-parameter",
        ip=f"203.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    reads = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("s3.amazonaws.com", "ListBuckets", {"Host": f"s3.{ctx.region}.amazonaws.com"}),
        (
            "s3.amazonaws.com",
            "GetBucketAcl",
            {"bucketName": bucket, "acl": "", "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com"},
        ),
        ("ecs.amazonaws.com", "ListClusters", None),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "catalog-products"}),
        ("config.amazonaws.com", "DescribeConfigRules", None),
    ]
    ctx.tooling_reads(rng.randint(34, 46), reads, "security-audit-readonly", "prowler-scan")

    event = ctx.alarm_event(
        a,
        fire,
        reason,
        data,
        "Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (500.0) "
        "(minimum 1 datapoint for ALARM -> OK transition).",
        prev_ok,
    )
    paged = fire.astimezone(_TZ)
    ask = (
        f"Got paged at {paged:%-I:%M}am for 4xx errors on the catalog media bucket. Are we being scanned, or did "
        "someone break access to the images? I can't see anything wrong on the site but I'm not sure where to look."
    )
    return ctx.bundle(
        TITLE,
        {"question": ask, "alarm_event": event, "timezone": "Australia/Sydney"},
        {"no_fault": True, "also_accept": [], "actions": [], "chain": []},
    )


def ms_id(ctx: Ctx) -> str:
    return f"{ctx.rng.randint(10**12, 10**13 - 1)}-{ctx.hexid(8)}"
