"""No fault: an originals bucket's STANDARD bytes fall by terabytes overnight because a month-old bulk import
reached its 30-day lifecycle transition to STANDARD_IA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zze import Ctx, iso, iso_ms

NAME = "originals-bucket-standard-storage-drop"
TITLE = "Originals bucket lost ~3 TB of Standard storage overnight - are customer photos being deleted?"
SUMMARY = (
    "No fault: the bulk legacy import copied into the originals bucket a month earlier hit the bucket's "
    "existing 30-day transition rule, so STANDARD bytes fell and STANDARD_IA rose by the same amount; "
    "object count kept growing."
)

TB = 1024**4
GB = 1024**3


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "us-east-2")
    r = c.rng
    tz = ZoneInfo("America/Chicago")
    today = datetime(2026, 2, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 280))
    while today.weekday() >= 5:
        today += timedelta(days=1)
    local_now = datetime(
        today.year, today.month, today.day, r.randint(8, 10), r.randint(0, 59), r.randint(0, 59), tzinfo=tz
    )
    now = local_now.astimezone(UTC)
    end = now + timedelta(minutes=10)
    start = today - timedelta(days=34)
    mig_day = today - timedelta(days=31)  # the day the import landed (UTC)
    mig_bytes = r.uniform(2.4, 3.6) * TB
    mig_objects = r.randint(420_000, 780_000)
    bucket = "larchfield-originals-prod"
    thumbs = "larchfield-thumbnails-prod"
    tmp = "larchfield-tmp-exports-2023"
    logs_bucket = f"larchfield-logs-{c.account}-{c.region}"

    # --- daily S3 storage metrics ----------------------------------------------------------------------
    def uploads(d: datetime) -> float:
        wk = 1.25 if d.weekday() in (5, 6) else 1.0
        return r.uniform(45, 70) * GB * wk

    days = [start - timedelta(days=40) + timedelta(days=k) for k in range(40 + 35)]
    up = {d: uploads(d) for d in days}
    up[mig_day] += mig_bytes
    objs_up = {d: int(up[d] / (4.2 * 1024**2)) for d in days}
    objs_up[mig_day] = int((up[mig_day] - mig_bytes) / (4.2 * 1024**2)) + mig_objects
    ia_before = r.uniform(38, 55) * TB
    objs_before = r.randint(9_000_000, 14_000_000)
    std_series, ia_series, obj_series, ovh_series = {}, {}, {}, {}
    for d in days:
        if d < start:
            continue
        recent = [x for x in days if d - timedelta(days=31) < x <= d]
        std = sum(up[x] for x in recent)
        ia = ia_before + sum(
            up[x] for x in days if x <= d - timedelta(days=31) and x >= days[0] + timedelta(days=10)
        )
        std_series[d] = std
        ia_series[d] = ia
        obj_series[d] = objs_before + sum(
            objs_up[x] for x in days if x <= d and x >= days[0] + timedelta(days=10)
        )
        ovh_series[d] = 0.0013 * ia
    for name, data, st in [
        ("BucketSizeBytes", std_series, "StandardStorage"),
        ("BucketSizeBytes", ia_series, "StandardIAStorage"),
        ("BucketSizeBytes", ovh_series, "StandardIASizeOverhead"),
    ]:
        for d, v in data.items():
            if d <= now:
                c.metrics.append(
                    {
                        "namespace": "AWS/S3",
                        "metric": name,
                        "dimensions": {"BucketName": bucket, "StorageType": st},
                        "timestamp": iso(d),
                        "unit": "Bytes",
                        "value": float(round(v)),
                    }
                )
    for d, v in obj_series.items():
        if d <= now:
            c.metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "NumberOfObjects",
                    "dimensions": {"BucketName": bucket, "StorageType": "AllStorageTypes"},
                    "timestamp": iso(d),
                    "unit": "Count",
                    "value": float(v),
                }
            )
    base_thumb = r.uniform(1.1, 1.6) * TB
    for k, d in enumerate(sorted(std_series)):
        if d <= now:
            c.metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "BucketSizeBytes",
                    "dimensions": {"BucketName": thumbs, "StorageType": "StandardStorage"},
                    "timestamp": iso(d),
                    "unit": "Bytes",
                    "value": float(round(base_thumb + k * 3.1 * GB)),
                }
            )
            c.metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "BucketSizeBytes",
                    "dimensions": {"BucketName": logs_bucket, "StorageType": "StandardStorage"},
                    "timestamp": iso(d),
                    "unit": "Bytes",
                    "value": float(round(r.uniform(180, 190) * GB + k * 0.4 * GB)),
                }
            )
    tmp_del = now - timedelta(hours=r.randint(17, 22), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    for d in sorted(std_series):
        if d <= tmp_del - timedelta(days=1):
            c.metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "BucketSizeBytes",
                    "dimensions": {"BucketName": tmp, "StorageType": "StandardStorage"},
                    "timestamp": iso(d),
                    "unit": "Bytes",
                    "value": float(round(r.uniform(0.5, 0.9) * GB)),
                }
            )

    # --- the web fleet, recent hours -------------------------------------------------------------------
    fstart = now - timedelta(hours=8, minutes=r.randint(0, 30))
    asg = "print-api-prod"
    vpc = "vpc-0" + c.hex(16)
    tg_arn = f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:targetgroup/print-api/{c.hex(16)}"
    alb_arn = f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:loadbalancer/app/print-api/{c.hex(16)}"
    ld = {"LoadBalancer": alb_arn.split(":loadbalancer/")[1]}
    fleet = [("i-0" + c.hex(16), f"us-east-2{z}") for z in "abc"]
    topic = f"arn:aws:sns:{c.region}:{c.account}:eng-alerts"

    def traffic(t: datetime) -> float:
        h = t.astimezone(tz).hour + t.astimezone(tz).minute / 60
        return 60 + 420 * max(0.0, min(1.0, (h - 6) / 4)) if h < 22 else 60

    for iid, az in fleet:
        ip = f"10.8.{'abc'.index(az[-1]) * 32 + r.randint(1, 30)}.{r.randint(5, 250)}"
        c.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": "ami-0" + c.hex(16),
                "InstanceType": "c6g.large",
                "LaunchTime": iso(now - timedelta(days=r.randint(3, 9))),
                "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
                "PrivateIpAddress": ip,
                "State": {"Code": 16, "Name": "running"},
                "VpcId": vpc,
                "SubnetId": "subnet-0" + c.hex(16),
                "Architecture": "arm64",
                "Monitoring": {"State": "disabled"},
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-0" + c.hex(16),
                        "PrivateIpAddress": ip,
                        "VpcId": vpc,
                        "Status": "in-use",
                    }
                ],
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": asg},
                    {"Key": "Name", "Value": "print-api"},
                ],
            },
        )
        c.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": iid,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        c.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            fstart,
            end,
            5,
            lambda t: 4 + traffic(t) / 16 * r.uniform(0.85, 1.15),
            "Percent",
        )
        c.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": iso(fstart),
            },
        )
    c.series(
        "AWS/ApplicationELB",
        "RequestCount",
        ld,
        fstart,
        end,
        1,
        lambda t: round(traffic(t) * r.uniform(0.9, 1.1)),
        "Count",
    )
    c.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ld,
        fstart,
        end,
        1,
        lambda t: 1.0 if r.random() < 0.07 else None,
        "Count",
    )
    c.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        fstart,
        end,
        1,
        lambda t: r.uniform(0.08, 0.16),
        "Seconds",
    )
    c.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": [az for _, az in fleet],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "TargetGroupARNs": [tg_arn],
            "CreatedTime": iso(now - timedelta(days=600)),
            "Instances": [
                {
                    "InstanceId": i,
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "InstanceType": "c6g.large",
                }
                for i, az in fleet
            ],
        },
    )
    c.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "print-api",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckPath": "/healthz",
            "TargetType": "instance",
            "LoadBalancerArns": [alb_arn],
        },
    )
    for b, age in [(bucket, 1900), (thumbs, 1900), (logs_bucket, 1500)]:
        c.res(
            "s3",
            "Bucket",
            {"Name": b, "CreationDate": iso(now - timedelta(days=age)), "BucketRegion": c.region},
        )
    c.res(
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
    q_url = f"https://sqs.{c.region}.amazonaws.com/{c.account}/thumbnail-jobs"
    c.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{c.region}:{c.account}:thumbnail-jobs",
                "VisibilityTimeout": "300",
                "ApproximateNumberOfMessages": "0",
            },
        },
    )

    # thumbnail regeneration batch at night (the queue age alarm flaps most nights)
    qd = {"QueueName": "thumbnail-jobs"}
    batch_local = datetime(today.year, today.month, today.day, 2, r.randint(0, 20), tzinfo=tz)
    batch = batch_local.astimezone(UTC)
    if batch < fstart:
        batch = fstart + timedelta(minutes=30)

    def qage(t):
        m = (t - batch).total_seconds() / 60
        return (
            r.uniform(1, 8)
            if m < 0 or m > 70
            else min(1900, 30 * m)
            if m < 55
            else max(5, 1900 - 120 * (m - 55))
        )

    c.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, fstart, end, 1, qage, "Seconds")
    c.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        fstart,
        end,
        1,
        lambda t: float(r.randint(900, 1400) if 0 <= (t - batch).total_seconds() < 600 else r.randint(0, 12)),
        "Count",
    )

    # --- alarms ---------------------------------------------------------------------------------------
    qa = c.alarm(
        "thumbnail-jobs-age",
        "thumbnail-jobs backlog",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        900,
        "GreaterThanThreshold",
        "OK",
        fstart,
        "",
        actions=[topic],
    )
    a_on = batch + timedelta(minutes=r.randint(38, 42), seconds=r.randint(0, 59))
    a_off = batch + timedelta(minutes=r.randint(66, 72), seconds=r.randint(0, 59))
    c.transition(
        qa,
        a_on,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints [1291.0, 1032.0] were greater than the threshold (900.0) (minimum 2 datapoints for OK -> ALARM transition).",
        "Threshold Crossed: 2 out of the last 2 datapoints [6.0, 4.0] were not greater than the threshold (900.0) (minimum 2 datapoints for ALARM -> OK transition).",
    )
    ok_r = "Threshold Crossed: 2 out of the last 2 datapoints [7.0, 5.0] were not greater than the threshold (900.0) (minimum 2 datapoints for ALARM -> OK transition)."
    c.transition(
        qa,
        a_off,
        "ALARM",
        "OK",
        ok_r,
        "Threshold Crossed: 2 out of the last 2 datapoints [1291.0, 1032.0] were greater than the threshold (900.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    qa.update(
        {
            "StateReason": ok_r,
            "StateUpdatedTimestamp": iso_ms(a_off),
            "StateTransitionedTimestamp": iso_ms(a_off),
        }
    )
    c.alarm(
        "print-api-5xx",
        "print-api target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ld,
        "Sum",
        60,
        3,
        25,
        "GreaterThanThreshold",
        "OK",
        now - timedelta(days=6),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0).",
        actions=[topic],
        missing="notBreaching",
    )
    c.alarm(
        "print-api-latency",
        "print-api average latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        "Average",
        60,
        5,
        1.5,
        "GreaterThanThreshold",
        "OK",
        now - timedelta(days=12),
        "Threshold Crossed: 5 datapoints were not greater than the threshold (1.5).",
        actions=[topic],
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    plat = c.sso(
        r.choice(["k.obrien", "d.alvarez", "s.kowalski"]), "AWSReservedSSO_PlatformAdmin_8e4b2c6a1d3f5e70"
    )
    dev = c.sso(r.choice(["m.tran", "j.feld"]), "AWSReservedSSO_Developer_2b9d7e1c4a6f8e03")
    lc_t = now - timedelta(days=r.randint(70, 85), hours=r.randint(0, 6))
    c.ct(
        lc_t,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        plat,
        {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{c.region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "originals-to-ia-30d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "originals/"},
                        "Transition": {"Days": "30", "StorageClass": "STANDARD_IA"},
                    },
                    {
                        "ID": "abort-mpu-7d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "7"},
                    },
                ],
            },
        },
        None,
        agent="[APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0]",
        version="1.10",
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}", "accountId": c.account}],
    )
    ds_arn = f"arn:aws:datasync:{c.region}:{c.account}:task/task-0{c.hex(16)}"
    mig_t = mig_day + timedelta(hours=r.randint(1, 3), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    c.ct(
        mig_t - timedelta(minutes=r.randint(20, 50)),
        "datasync.amazonaws.com",
        "CreateTask",
        plat,
        {
            "sourceLocationArn": f"arn:aws:datasync:{c.region}:{c.account}:location/loc-0{c.hex(16)}",
            "destinationLocationArn": f"arn:aws:datasync:{c.region}:{c.account}:location/loc-0{c.hex(16)}",
            "name": "legacy-nas-originals-import",
            "options": {
                "verifyMode": "ONLY_FILES_TRANSFERRED",
                "overwriteMode": "NEVER",
                "transferMode": "CHANGED",
            },
        },
        {"taskArn": ds_arn},
        agent="console.amazonaws.com",
    )
    c.ct(
        mig_t,
        "datasync.amazonaws.com",
        "StartTaskExecution",
        plat,
        {"taskArn": ds_arn},
        {"taskExecutionArn": f"{ds_arn}/execution/exec-0{c.hex(16)}"},
        agent="console.amazonaws.com",
    )
    c.ct(
        tmp_del - timedelta(minutes=r.randint(3, 9)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        dev,
        {
            "bucketName": tmp,
            "Host": f"{tmp}.s3.{c.region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": {
                    "ID": "empty",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": "1"},
                },
            },
        },
        None,
        version="1.10",
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{tmp}", "accountId": c.account}],
    )
    c.ct(
        tmp_del,
        "s3.amazonaws.com",
        "DeleteBucket",
        dev,
        {"bucketName": tmp, "Host": f"{tmp}.s3.{c.region}.amazonaws.com"},
        None,
        agent="[aws-cli/2.17.20 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off command/s3.rb]",
        version="1.10",
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{tmp}", "accountId": c.account}],
    )
    c.ct(
        now - timedelta(hours=r.randint(2, 5), minutes=r.randint(0, 59)),
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        dev,
        {
            "autoScalingGroupName": asg,
            "scheduledActionName": "weekday-morning",
            "recurrence": "0 12 * * 1-5",
            "minSize": 3,
            "desiredCapacity": 4,
        },
        None,
    )
    config = [
        (
            "s3.amazonaws.com",
            "GetBucketLifecycle",
            {"bucketName": bucket, "Host": f"{bucket}.s3.{c.region}.amazonaws.com", "lifecycle": ""},
        ),
        (
            "s3.amazonaws.com",
            "GetBucketVersioning",
            {"bucketName": bucket, "Host": f"{bucket}.s3.{c.region}.amazonaws.com", "versioning": ""},
        ),
        (
            "s3.amazonaws.com",
            "GetBucketEncryption",
            {"bucketName": thumbs, "Host": f"{thumbs}.s3.{c.region}.amazonaws.com", "encryption": ""},
        ),
        ("s3.amazonaws.com", "ListBuckets", {"Host": f"s3.{c.region}.amazonaws.com"}),
        ("ec2.amazonaws.com", "DescribeInstances", None),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
    ]
    c.tooling_reads(
        fstart,
        now,
        config,
        r.randint(22, 30),
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "config.amazonaws.com",
    )
    c.tooling_reads(
        now - timedelta(days=2),
        fstart,
        config,
        r.randint(8, 14),
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "config.amazonaws.com",
    )
    c.tooling_reads(
        now - timedelta(minutes=25),
        now,
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/S3"}),
        ],
        r.randint(3, 6),
        "AWSReservedSSO_Developer_2b9d7e1c4a6f8e03",
        dev["principalId"].split(":")[1],
        "console.amazonaws.com",
    )
    for rec in c.trail:
        if (
            rec["eventSource"] == "s3.amazonaws.com"
            and "resources" not in rec
            and rec["requestParameters"]
            and "bucketName" in rec["requestParameters"]
        ):
            rec["eventVersion"] = "1.10"
            rec["resources"] = [
                {
                    "type": "AWS::S3::Bucket",
                    "ARN": f"arn:aws:s3:::{rec['requestParameters']['bucketName']}",
                    "accountId": c.account,
                }
            ]

    drop = (
        std_series[max(d for d in std_series if d <= now) - timedelta(days=1)]
        - std_series[max(d for d in std_series if d <= now)]
    )
    q = (
        f"Storage dashboard this morning shows {bucket} StandardStorage dropped by about {drop / TB:.1f} TB overnight. "
        "Nothing should ever delete originals - are we losing customer photos? I also see a bucket was deleted yesterday."
    )
    return c.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        timezone="America/Chicago",
        alarm_event=None,
        truth={"no_fault": True},
    )
