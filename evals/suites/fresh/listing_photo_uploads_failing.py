"""Listing-photo uploads fail part of the time: S3 in the region returns elevated 500/503 errors."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzo import Ctx, iam_role, iso, log_group, minute, onset_day

NAME = "listing-photo-uploads-failing-afternoon"
TITLE = "Agents' listing-photo uploads failing on and off since around midday; browsing listings is fine"
SUMMARY = (
    "An S3 operational issue in the region returns elevated 500/503s on PUTs; the photo service's uploads "
    "fail after SDK retries and the ALB shows target 5xx, shortly after an unrelated deploy."
)

_TZ = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    onset = onset_day(seed, 18, 20)
    ctx = Ctx(seed, "us-east-2", onset - timedelta(hours=3, minutes=35), onset + timedelta(minutes=48))
    rng = ctx.rng
    office_ip = f"{rng.choice([81, 86, 110, 124, 203])}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    acct = ctx.account
    bucket = f"homeward-listing-photos-{acct[-6:]}"
    derived = f"homeward-listing-photos-derived-{acct[-6:]}"
    cluster, svc = "homeward-prod", "listing-photos-api"
    alb = f"app/homeward-public/{ctx.hexid(16)}"
    tg = f"targetgroup/listing-photos-api/{ctx.hexid(16)}"
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{alb}")
    tg_arn = ctx.arn("elasticloadbalancing", tg)
    onset = onset + timedelta(seconds=rng.randint(0, 50))
    s3_err = rng.uniform(0.14, 0.24)
    upload_fail = rng.uniform(0.22, 0.36)
    deploy = onset - timedelta(minutes=rng.randint(24, 38))
    rev_old, rev_new = rng.randint(40, 90), 0
    rev_new = rev_old + 1
    health_arn = (
        f"arn:aws:health:{ctx.region}::event/S3/AWS_S3_OPERATIONAL_ISSUE/AWS_S3_OPERATIONAL_ISSUE_"
        f"{ctx.upper(5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}_{ctx.hexid(8)}"
    )

    # ---------------- resources ----------------
    for b, days in ((bucket, 1300), (derived, 1290)):
        ctx.res(
            "s3",
            "Bucket",
            {"Name": b, "CreationDate": iso(ctx.start - timedelta(days=days)), "BucketRegion": ctx.region},
        )
        ctx.res(
            "s3",
            "BucketPublicAccessBlock",
            {
                "Bucket": b,
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    ctx.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"homeward-public-{rng.randint(10**9, 2 * 10**9)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
            "CreatedTime": iso(ctx.start - timedelta(days=900)),
            "LoadBalancerName": "homeward-public",
            "Scheme": "internet-facing",
            "VpcId": f"vpc-{ctx.hexid(17)}",
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{ctx.region}{z}", "SubnetId": f"subnet-{ctx.hexid(17)}"} for z in "abc"
            ],
            "SecurityGroups": [f"sg-{ctx.hexid(17)}"],
            "IpAddressType": "ipv4",
        },
    )
    ctx.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "listing-photos-api",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": f"vpc-{ctx.hexid(17)}",
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    td_new = ctx.arn("ecs", f"task-definition/{svc}:{rev_new}")
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "runningTasksCount": rng.randint(22, 40),
            "activeServicesCount": rng.randint(9, 14),
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    tasks = 4
    ctx.res(
        "ecs",
        "Service",
        {
            "serviceArn": ctx.arn("ecs", f"service/{cluster}/{svc}"),
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}],
            "status": "ACTIVE",
            "desiredCount": tasks,
            "runningCount": tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": td_new,
            "deployments": [
                {
                    "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": td_new,
                    "desiredCount": tasks,
                    "pendingCount": 0,
                    "runningCount": tasks,
                    "createdAt": iso(deploy),
                    "updatedAt": iso(deploy + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(ctx.start - timedelta(days=700)),
            "schedulingStrategy": "REPLICA",
        },
    )
    ctx.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_new,
            "family": svc,
            "revision": rev_new,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/listing-photos-task",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": f"{acct}.dkr.ecr.{ctx.region}.amazonaws.com/listing-photos-api:2.{rev_new}.0",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "environment": [
                        {"name": "PHOTOS_BUCKET", "value": bucket},
                        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{svc}",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ],
        },
    )
    iam_role(
        ctx,
        "listing-photos-task",
        "ecs-tasks.amazonaws.com",
        "photos-s3",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{derived}/*"],
                }
            ],
        },
    )
    log_group(ctx, f"/ecs/{svc}", 30)

    # ---------------- health ----------------
    posted = onset + timedelta(minutes=rng.randint(16, 24))
    ctx.records["events"].append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": health_arn,
                    "service": "S3",
                    "eventTypeCode": "AWS_S3_OPERATIONAL_ISSUE",
                    "eventTypeCategory": "issue",
                    "region": ctx.region,
                    "startTime": iso(minute(onset) - timedelta(minutes=2)),
                    "lastUpdatedTime": iso(posted + timedelta(minutes=rng.randint(9, 14))),
                    "statusCode": "open",
                    "eventScopeCode": "PUBLIC",
                },
                "description": (
                    f"[{posted.astimezone(ZoneInfo('America/Los_Angeles')):%-I:%M %p %Z}] We are investigating "
                    f"increased error rates and latencies for PUT and GET requests to Amazon S3 in the "
                    f"{ctx.region.upper()} Region. Other AWS services that use S3 in this Region may also be "
                    "affected.\n\n"
                    f"[{(posted + timedelta(minutes=12)).astimezone(ZoneInfo('America/Los_Angeles')):%-I:%M %p %Z}] "
                    "We have identified the cause of the elevated error rates for S3 requests in a single "
                    "Availability Zone's request-routing subsystem and are working towards mitigation. Requests "
                    "that are retried are generally succeeding."
                ),
                "affected_entities": [],
            },
        }
    )

    # ---------------- metrics, logs ----------------
    lbd = {"LoadBalancer": alb}
    tgd = {"TargetGroup": tg, "LoadBalancer": alb}
    s3d = {"BucketName": bucket, "FilterId": "AllObjects"}
    group = f"/ecs/{svc}"
    task_ids = [ctx.hexid(32) for _ in range(tasks)]
    old_ids = [ctx.hexid(32) for _ in range(tasks)]
    ts: list[float] = []
    for t in ctx.minutes():
        bad = t >= minute(onset)
        local_h = t.astimezone(_TZ).hour
        busy = 1.0 + 0.25 * (10 <= local_h <= 16)
        uploads = max(5, round(rng.gauss(55 * busy, 6)))
        views = max(50, round(rng.gauss(420 * busy, 30)))
        failed = (
            sum(1 for _ in range(uploads) if rng.random() < upload_fail)
            if bad
            else (1 if rng.random() < 0.03 else 0)
        )
        puts = uploads * 3 + (failed * 3 if bad else 0)
        s3_5xx = round(puts * s3_err * rng.uniform(0.85, 1.15)) if bad else (1 if rng.random() < 0.02 else 0)
        gets = round(views * 0.6)
        get_5xx = round(gets * rng.uniform(0.01, 0.03)) if bad else 0
        ctx.metric("AWS/S3", "PutRequests", s3d, t, puts)
        ctx.metric("AWS/S3", "GetRequests", s3d, t, gets)
        ctx.metric("AWS/S3", "AllRequests", s3d, t, puts + gets + rng.randint(0, 4))
        if s3_5xx + get_5xx:
            ctx.metric("AWS/S3", "5xxErrors", s3d, t, s3_5xx + get_5xx)
        if rng.random() < 0.15:
            ctx.metric("AWS/S3", "4xxErrors", s3d, t, rng.randint(1, 3))
        lat = [
            rng.uniform(40, 900 if bad else 160) * (3 if bad and rng.random() < 0.2 else 1) for _ in range(25)
        ]
        ctx.stats("AWS/S3", "TotalRequestLatency", s3d, t, lat, "Milliseconds")
        ctx.stats("AWS/S3", "FirstByteLatency", s3d, t, [x * 0.7 for x in lat], "Milliseconds")
        req = uploads + views
        t5 = failed + (rng.randint(0, 2) if bad else 0)
        ctx.metric("AWS/ApplicationELB", "RequestCount", lbd, t, req * 4 + rng.randint(0, 40))
        ctx.metric("AWS/ApplicationELB", "RequestCount", tgd, t, req)
        if t5:
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, t, t5)
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, t, t5 + rng.randint(0, 2))
        ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, t, req - t5 - rng.randint(0, 3))
        rt = [rng.uniform(0.03, 0.25) for _ in range(20)] + [
            rng.uniform(1.2, 9.5 if bad else 3.0) for _ in range(4)
        ]
        ctx.stats("AWS/ApplicationELB", "TargetResponseTime", tgd, t, rt, "Seconds")
        ctx.metric("AWS/ApplicationELB", "HealthyHostCount", tgd, t, tasks)
        ctx.metric("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, 0)
        ecs_d = {"ClusterName": cluster, "ServiceName": svc}
        ctx.metric("AWS/ECS", "CPUUtilization", ecs_d, t, rng.uniform(14, 26) * busy, "Percent")
        ctx.metric("AWS/ECS", "MemoryUtilization", ecs_d, t, rng.uniform(48, 58), "Percent")
        ts.append(t5)

        ids = task_ids if t >= deploy + timedelta(minutes=4) else old_ids
        for _ in range(rng.randint(1, 3)):
            at = ctx.jitter(t, 58)
            task = rng.choice(ids)
            thread = f"http-nio-8080-exec-{rng.randint(1, 40)}"
            lid = ctx.upper(10, "0123456789")
            stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
            ctx.log(
                group,
                f"app/app/{task}",
                at,
                f"{stamp}  INFO 1 --- [listing-photos-api] [{thread}] c.h.photos.web.UploadController        : "
                f"upload accepted listing={lid} photos={rng.randint(1, 12)} bytes={rng.randint(900_000, 14_000_000)}",
            )
        if bad:
            for _ in range(min(failed, rng.randint(1, 4))):
                at = ctx.jitter(t, 58)
                task = rng.choice(task_ids)
                thread = f"http-nio-8080-exec-{rng.randint(1, 40)}"
                stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
                rid = ctx.upper(16, "0123456789ABCDEF")
                code, text = rng.choice(
                    [
                        (500, "We encountered an internal error. Please try again."),
                        (503, "Please reduce your request rate."),
                        (503, "Service Unavailable"),
                    ]
                )
                ctx.log(
                    group,
                    f"app/app/{task}",
                    at,
                    f"{stamp} ERROR 1 --- [listing-photos-api] [{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : "
                    "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                    f"[Request processing failed: software.amazon.awssdk.services.s3.model.S3Exception: {text} "
                    f"(Service: S3, Status Code: {code}, Request ID: {rid}, Extended Request ID: "
                    f"{ctx.upper(56, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/')}=)] with root cause\n\n"
                    f"software.amazon.awssdk.services.s3.model.S3Exception: {text} (Service: S3, Status Code: {code}, "
                    f"Request ID: {rid})\n\tat software.amazon.awssdk.services.s3.model.S3Exception$BuilderImpl.build(S3Exception.java:104)\n"
                    "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:73)\n"
                    "\tat software.amazon.awssdk.services.s3.DefaultS3Client.putObject(DefaultS3Client.java:11246)\n"
                    "\tat com.homeward.photos.storage.PhotoStore.put(PhotoStore.java:58)\n"
                    "\tat com.homeward.photos.web.UploadController.upload(UploadController.java:41)",
                )
        if t == minute(deploy) + timedelta(minutes=4):
            for task in task_ids:
                at = ctx.jitter(t - timedelta(minutes=2), 50)
                stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
                ctx.log(
                    group,
                    f"app/app/{task}",
                    at,
                    f"{stamp}  INFO 1 --- [listing-photos-api] [           main] c.h.photos.PhotosApplication             : "
                    f"Started PhotosApplication in {rng.uniform(9, 16):.3f} seconds (process running for {rng.uniform(10, 18):.3f})",
                )

    # ---------------- alarms ----------------
    mins = ctx.minutes()
    first = next(i for i, t in enumerate(mins) if t >= minute(onset))
    topic = ctx.arn("sns", "homeward-oncall")
    i5 = first + 2
    window = ts[i5 - 4 : i5 + 1]
    fire = mins[i5] + timedelta(minutes=1, seconds=rng.randint(10, 40))
    a = ctx.alarm(
        "listing-photos-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": tg, "LoadBalancer": alb},
        stat="Sum",
        period=300,
        threshold=25,
        state="ALARM",
        reason="",
        state_at=fire,
        actions=[topic],
    )
    v = float(sum(window))
    if v <= 25:
        v = 26.0 + rng.randint(0, 8)
        ts[i5] += v - sum(window)
    start5 = mins[i5 - 4]
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{v} ({start5:%d/%m/%y %H:%M:%S})] was greater than the "
        "threshold (25.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    a["StateReason"] = reason
    data = ctx.reason_data(a, fire, [v])
    a["StateReasonData"] = json.dumps(data, separators=(",", ":"))
    ctx.history(a, fire, "OK", "ALARM", reason, data)
    # the adjusted minute
    for r in ctx.records["metrics"]:
        if (
            r["metric"] == "HTTPCode_Target_5XX_Count"
            and r["timestamp"] == iso(mins[i5])
            and "TargetGroup" in r["dimensions"]
        ):
            r["value"] = float(ts[i5])
    cpu = ctx.alarm(
        "homeward-prod-search-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "listing-search"},
        stat="Average",
        period=60,
        threshold=80,
        evals=5,
        dtp=3,
        state="OK",
        reason="Threshold Crossed: 3 out of the last 5 datapoints were not greater than the threshold (80.0) (minimum 3 datapoints for ALARM -> OK transition).",
        state_at=onset - timedelta(minutes=rng.randint(70, 120)),
        unit="Percent",
    )
    ctx.history(
        cpu,
        onset - timedelta(minutes=rng.randint(130, 170)),
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 5 datapoints were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).",
    )
    ctx.history(cpu, onset - timedelta(minutes=rng.randint(70, 120)), "ALARM", "OK", cpu["StateReason"])
    for t in mins:
        ctx.metric(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": "listing-search"},
            t,
            rng.uniform(35, 70),
            "Percent",
        )

    # ---------------- cloudtrail ----------------
    ci = ctx.role_identity("homeward-ci-deployer", "codebuild-listing-photos", deploy)
    ctx.trail(
        deploy - timedelta(seconds=20),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        read_only=False,
        request={
            "family": svc,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/listing-photos-task",
            "networkMode": "awsvpc",
            "cpu": "1024",
            "memory": "2048",
            "requiresCompatibilities": ["FARGATE"],
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": svc,
                "revision": rev_new,
                "status": "ACTIVE",
            }
        },
        agent="aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/linux#5.10.227 md/arch#x86_64 lang/python#3.12.6 md/command#ecs.register-task-definition",
    )
    ctx.trail(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        read_only=False,
        request={
            "cluster": cluster,
            "service": svc,
            "taskDefinition": f"{svc}:{rev_new}",
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceName": svc,
                "serviceArn": ctx.arn("ecs", f"service/{cluster}/{svc}"),
                "taskDefinition": td_new,
                "desiredCount": tasks,
                "status": "ACTIVE",
            }
        },
        agent="aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/linux#5.10.227 md/arch#x86_64 lang/python#3.12.6 md/command#ecs.update-service",
    )
    lc = onset - timedelta(hours=2, minutes=rng.randint(0, 50))
    admin = ctx.sso(
        rng.choice(["maria.gonzalez", "ben.kowalski", "tanya.ross"]) + "@homeward.com", "PlatformAdmin", lc
    )
    ctx.trail(
        lc,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        admin,
        read_only=False,
        request={
            "bucketName": derived,
            "Host": f"{derived}.s3.{ctx.region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "abort-mpu-7d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    },
                    {
                        "ID": "ia-after-60d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "thumbs/"},
                        "Transition": {"Days": 60, "StorageClass": "STANDARD_IA"},
                    },
                ],
            },
        },
        ip=office_ip,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412]",
    )
    ev_role = "ecsEventsRole"
    for k in range(4):
        t = ctx.start + timedelta(hours=k, minutes=5, seconds=rng.randint(0, 30))
        ctx.trail(
            t,
            "ecs.amazonaws.com",
            "RunTask",
            ctx.role_identity(ev_role, f"{ctx.hexid(32)}", t, invoked_by="events.amazonaws.com"),
            read_only=False,
            request={
                "cluster": cluster_arn,
                "taskDefinition": ctx.arn("ecs", "task-definition/sitemap-builder:12"),
                "count": 1,
                "launchType": "FARGATE",
                "startedBy": "events-rule/sitemap-hourly",
            },
            response={
                "tasks": [
                    {
                        "taskArn": ctx.arn("ecs", f"task/{cluster}/{ctx.hexid(32)}"),
                        "lastStatus": "PROVISIONING",
                    }
                ],
                "failures": [],
            },
        )
    reads = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("s3.amazonaws.com", "ListBuckets", {"Host": f"s3.{ctx.region}.amazonaws.com"}),
        ("health.amazonaws.com", "DescribeEvents", {"filter": {"eventStatusCodes": ["open", "upcoming"]}}),
    ]
    ctx.tooling_reads(
        rng.randint(32, 44),
        reads,
        "newrelic-infrastructure-integration",
        "NewRelicInfrastructure-Integration",
    )

    local = onset.astimezone(_TZ) + timedelta(minutes=rng.randint(3, 12))
    ask = (
        f"Agents keep telling support their listing photo uploads fail with 'Something went wrong, try again' "
        f"since about {local:%-I}:{local.minute - local.minute % 5:02d} - sometimes it works on the second try. "
        "We shipped a listing-photos-api release earlier today, is it that?"
    )
    event = ctx.alarm_event(
        a,
        fire,
        reason,
        data,
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (25.0) "
        "(minimum 1 datapoint for ALARM -> OK transition).",
        ctx.start - timedelta(days=rng.randint(3, 20)),
    )
    return ctx.bundle(
        TITLE,
        {"question": ask, "alarm_event": event, "timezone": "America/Chicago"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": health_arn,
                "category": "dependency_failure",
                "failure_mode": "s3-regional-elevated-errors",
            },
            "also_accept": ["AWS_S3_OPERATIONAL_ISSUE", "Amazon S3", bucket],
            "actions": ["reconfigure"],
            "chain": [health_arn, bucket, svc, "listing-photos-api-target-5xx"],
        },
    )
