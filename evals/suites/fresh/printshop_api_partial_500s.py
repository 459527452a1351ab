"""printshop-api: a share of order and upload requests answer 500 after the afternoon scale-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_w as k

NAME = "printshop-api-partial-500s"
TITLE = "printshop-api returning 500s on part of its traffic since mid-afternoon"
SUMMARY = "A share of printshop-api order/upload calls fail with 500 after the afternoon scale-out; targets healthy."

NS_ALB = "AWS/ApplicationELB"


def build(seed: int) -> Bundle:
    probe = k.Ctx(
        NAME,
        seed,
        "000000000000",
        "eu-west-1",
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, tzinfo=UTC),
    )
    rng = probe.rng
    account = str(rng.randint(2 * 10**11, 9 * 10**11 - 1))
    day = k.pick_day(probe, datetime(2024, 9, 3, tzinfo=UTC), 40)
    mail = day + timedelta(hours=13, minutes=rng.randint(40, 55))  # the sale email goes out (UTC)
    start = mail - timedelta(hours=27, minutes=rng.randint(0, 30))
    # `now` is decided after the scale-out time is known; use a provisional ceiling for the context.
    ctx = k.Ctx(NAME, seed, account, "eu-west-1", start, mail + timedelta(hours=2), mail + timedelta(hours=2))
    ctx.rng = rng
    r = ctx.rng

    svc = "printshop-api"
    net = k.network(ctx, "printshop-prod", r.choice([20, 24, 32, 40]), start - timedelta(days=400))
    created = start - timedelta(days=r.randint(200, 500))
    alb_sg = k.security_group(
        ctx,
        "printshop-alb",
        "printshop public ALB",
        net.vpc,
        [k.tcp_from_cidr(443, "0.0.0.0/0", "HTTPS from internet")],
    )
    app_sg = k.security_group(
        ctx,
        "printshop-api",
        "printshop-api instances",
        net.vpc,
        [k.tcp_from_sg(8080, alb_sg, account, "from ALB")],
    )
    cert = ctx.arn("acm", f"certificate/{ctx.uuid()}")
    lb = k.alb(
        ctx, "printshop-prod", "printshop-api-8080", net, alb_sg, created, 8080, "/healthz", cert_arn=cert
    )

    # IAM / instance profile
    k.iam_role(
        ctx,
        "printshop-api-instance",
        created,
        "ec2.amazonaws.com",
        "printshop-api EC2 instances",
        start + timedelta(hours=20),
    )
    profile_arn = f"arn:aws:iam::{account}:instance-profile/printshop-api-instance"
    profile_id = "AIPA" + ctx.upper(17)
    ctx.resource(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "printshop-api-instance",
            "PolicyName": "printshop-api-data",
            "PolicyArn": f"arn:aws:iam::{account}:policy/printshop-api-data",
        },
    )
    ctx.resource(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "printshop-api-instance",
            "PolicyName": "CloudWatchAgentServerPolicy",
            "PolicyArn": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        },
    )
    ctx.resource(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "printshop-api-instance",
            "PolicyName": "AmazonSSMManagedInstanceCore",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
    )

    # Launch template: version 6 (what the running fleet came from) and version 7 (terraform, yesterday)
    lt_id = "lt-0" + ctx.hex(16)
    lt_name = "printshop-api-prod"
    old_ami = "ami-0" + ctx.hex(16)
    new_ami = "ami-0" + ctx.hex(16)
    itype = r.choice(["m6i.large", "m7i.large", "c6i.xlarge"])
    ci_role = "gha-terraform-platform"
    v6_time = start - timedelta(days=r.randint(24, 40), hours=r.randint(1, 6))
    change_time = start + timedelta(hours=r.randint(4, 6), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    ud = "<sensitiveDataRemoved>"

    def lt_data(ami: str, tokens: str, hop: int) -> dict[str, Any]:
        return {
            "IamInstanceProfile": {"Arn": profile_arn},
            "ImageId": ami,
            "InstanceType": itype,
            "Monitoring": {"Enabled": True},
            "UserData": "IyEvYmluL2Jhc2gKc2V0IC1ldW8gcGlwZWZhaWwK",
            "SecurityGroupIds": [app_sg],
            "MetadataOptions": {
                "HttpTokens": tokens,
                "HttpPutResponseHopLimit": hop,
                "HttpEndpoint": "enabled",
                "InstanceMetadataTags": "disabled",
            },
            "TagSpecifications": [
                {
                    "ResourceType": "instance",
                    "Tags": k.tags({"service": svc, "env": "prod", "team": "printshop"}),
                }
            ],
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "Encrypted": True,
                        "DeleteOnTermination": True,
                        "VolumeSize": 30,
                        "VolumeType": "gp3",
                    },
                }
            ],
        }

    ctx.resource(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "CreateTime": k.iso(created),
            "CreatedBy": f"arn:aws:sts::{account}:assumed-role/{ci_role}/GitHubActions",
            "DefaultVersionNumber": 1,
            "LatestVersionNumber": 7,
            "Tags": k.tags({"service": svc, "managed-by": "terraform"}),
        },
    )
    ctx.resource(
        "ec2",
        "LaunchTemplateVersion",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "VersionNumber": 6,
            "VersionDescription": "printshop-api base image 2024.08",
            "CreateTime": k.iso(v6_time),
            "CreatedBy": f"arn:aws:sts::{account}:assumed-role/{ci_role}/GitHubActions",
            "DefaultVersion": False,
            "LaunchTemplateData": lt_data(old_ami, "optional", 2),
        },
    )
    v7_desc = "platform-baseline 3.4.0: base image 2024.09, instance metadata hardening"
    ctx.resource(
        "ec2",
        "LaunchTemplateVersion",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "VersionNumber": 7,
            "VersionDescription": v7_desc,
            "CreateTime": k.iso(change_time),
            "CreatedBy": f"arn:aws:sts::{account}:assumed-role/{ci_role}/GitHubActions",
            "DefaultVersion": False,
            "LaunchTemplateData": lt_data(new_ami, "required", 1),
        },
    )

    # --- traffic model ----------------------------------------------------------------------------
    fine_from = mail - timedelta(hours=3)

    def surge(t: datetime) -> float:
        if t < mail:
            return 1.0
        m = (t - mail).total_seconds() / 60
        return 1.0 + 0.75 * min(1.0, m / 14) * (1.0 if m < 50 else max(0.55, 1 - (m - 50) / 120))

    peak_rpm = r.uniform(2600, 3300)

    def rpm(t: datetime) -> float:
        return peak_rpm * k.diurnal(t, 1.0, 0.12, 15.0) * surge(t)

    # find the scale-out: 3 consecutive 1-minute ASG CPU averages above 50 with 4 instances
    base_cpu, per_req = 7.5, r.uniform(0.040, 0.045)
    cpu_noise = {t: ctx.noise(1.2) for t, _ in ctx.timeline(fine_from)}

    def cpu4(t: datetime) -> float:
        return base_cpu + rpm(t) / 4 * per_req + cpu_noise.get(t, 0.0)

    t = mail
    above = 0
    while True:
        above = above + 1 if cpu4(t) > 50 else 0
        if above == 3:
            break
        t += timedelta(minutes=1)
    alarm_high_at = t + timedelta(minutes=1, seconds=r.randint(15, 50))
    launch = alarm_high_at + timedelta(seconds=r.randint(4, 12))
    in_service = launch + timedelta(seconds=r.randint(190, 240))
    healthy = in_service + timedelta(seconds=r.randint(40, 55))
    onset = k.floor_min(healthy)
    now = onset + timedelta(minutes=r.randint(44, 62), seconds=r.randint(0, 59))
    ctx.now = now
    ctx.end = now

    subnets = net.private
    old_ids = [ctx.rid("i") for _ in range(4)]
    new_ids = [ctx.rid("i") for _ in range(2)]
    fleet_launch = start - timedelta(days=r.randint(6, 12), hours=r.randint(0, 5))
    azs: dict[str, tuple[str, str, str]] = {}
    for n, iid in enumerate(old_ids):
        azs[iid] = subnets[n % 3]
    azs[new_ids[0]] = subnets[(len(old_ids)) % 3]
    azs[new_ids[1]] = subnets[(len(old_ids) + 1) % 3]
    inst_tags = {
        "service": svc,
        "env": "prod",
        "team": "printshop",
        "aws:autoscaling:groupName": f"{svc}-prod",
        "aws:ec2launchtemplate:id": lt_id,
    }
    ips: dict[str, str] = {}
    for iid in old_ids:
        it = k.instance_item(
            ctx,
            iid,
            ami=old_ami,
            itype=itype,
            launched=fleet_launch + timedelta(seconds=r.randint(0, 90)),
            subnet=azs[iid],
            vpc=net.vpc,
            sgs=[(app_sg, "printshop-api")],
            profile=(profile_arn, profile_id),
            name=f"{svc}-prod",
            extra_tags={**inst_tags, "aws:ec2launchtemplate:version": "6"},
        )
        ips[iid] = it["PrivateIpAddress"]
    for iid in new_ids:
        it = k.instance_item(
            ctx,
            iid,
            ami=new_ami,
            itype=itype,
            launched=launch + timedelta(seconds=r.randint(1, 4)),
            subnet=azs[iid],
            vpc=net.vpc,
            sgs=[(app_sg, "printshop-api")],
            profile=(profile_arn, profile_id),
            name=f"{svc}-prod",
            extra_tags={**inst_tags, "aws:ec2launchtemplate:version": "7"},
            hop_limit=1,
            http_tokens="required",
        )
        ips[iid] = it["PrivateIpAddress"]

    asg_name = f"{svc}-prod"
    asg_arn = ctx.arn("autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{asg_name}")
    policy_name = "cpu50-target-tracking"
    policy_arn = ctx.arn(
        "autoscaling", f"scalingPolicy:{ctx.uuid()}:autoScalingGroupName/{asg_name}:policyName/{policy_name}"
    )
    hi_name = f"TargetTracking-{asg_name}-AlarmHigh-{ctx.uuid()}"
    asg_item = {
        "AutoScalingGroupName": asg_name,
        "AutoScalingGroupARN": asg_arn,
        "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": lt_name, "Version": "$Latest"},
        "MinSize": 4,
        "MaxSize": 12,
        "DesiredCapacity": 6,
        "DefaultCooldown": 300,
        "AvailabilityZones": [s[1] for s in subnets],
        "LoadBalancerNames": [],
        "TargetGroupARNs": [lb.tg_arn],
        "HealthCheckType": "ELB",
        "HealthCheckGracePeriod": 180,
        "Instances": [
            {
                "InstanceId": iid,
                "InstanceType": itype,
                "AvailabilityZone": azs[iid][1],
                "LifecycleState": "InService",
                "HealthStatus": "Healthy",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": lt_name,
                    "Version": "6" if iid in old_ids else "7",
                },
                "ProtectedFromScaleIn": False,
            }
            for iid in old_ids + new_ids
        ],
        "CreatedTime": k.iso(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(s[0] for s in subnets),
        "EnabledMetrics": [
            {"Metric": m, "Granularity": "1Minute"}
            for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances")
        ],
        "Tags": [
            {
                "ResourceId": asg_name,
                "ResourceType": "auto-scaling-group",
                "Key": kk,
                "Value": vv,
                "PropagateAtLaunch": True,
            }
            for kk, vv in (("service", svc), ("env", "prod"), ("team", "printshop"))
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
        "TrafficSources": [{"Identifier": lb.tg_arn, "Type": "elbv2"}],
    }
    ctx.resource("autoscaling", "AutoScalingGroup", asg_item)
    ctx.resource(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": asg_name,
            "PolicyName": policy_name,
            "PolicyARN": policy_arn,
            "PolicyType": "TargetTrackingScaling",
            "EstimatedInstanceWarmup": 180,
            "Alarms": [{"AlarmName": hi_name, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{hi_name}")}],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
                "DisableScaleIn": True,
            },
            "Enabled": True,
        },
    )
    ctx.resource(
        "autoscaling",
        "ScheduledUpdateGroupAction",
        {
            "AutoScalingGroupName": asg_name,
            "ScheduledActionName": "nightly-reset-to-min",
            "ScheduledActionARN": ctx.arn(
                "autoscaling",
                f"scheduledUpdateGroupAction:{ctx.uuid()}:autoScalingGroupName/{asg_name}:scheduledActionName/nightly-reset-to-min",
            ),
            "Recurrence": "30 1 * * *",
            "StartTime": k.iso(day + timedelta(days=1, minutes=30)),
            "MinSize": 4,
            "MaxSize": 12,
            "DesiredCapacity": 4,
            "TimeZone": "Europe/London",
        },
    )
    table = "printshop-orders"
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created - timedelta(days=90)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": r.randint(3 * 10**9, 9 * 10**9),
            "ItemCount": r.randint(8 * 10**6, 30 * 10**6),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": k.iso(created - timedelta(days=60)),
            },
            "DeletionProtectionEnabled": True,
        },
    )
    bucket = f"printshop-originals-prod-{account[-6:]}"
    ctx.resource(
        "s3",
        "Bucket",
        {"Name": bucket, "CreationDate": k.iso(created - timedelta(days=120)), "BucketRegion": "eu-west-1"},
    )
    thumb_fn = "printshop-thumbnail-resizer"
    lambda_update = mail - timedelta(minutes=r.randint(2, 12), seconds=r.randint(0, 59))
    lambda_modified = (lambda_update + timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%S."
    ) + f"{r.randint(0, 999):03d}+0000"
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": thumb_fn,
            "FunctionArn": ctx.arn("lambda", f"function:{thumb_fn}"),
            "Runtime": "nodejs20.x",
            "Role": f"arn:aws:iam::{account}:role/printshop-thumbnail-resizer",
            "Handler": "index.handler",
            "CodeSize": r.randint(2_000_000, 9_000_000),
            "Timeout": 60,
            "MemorySize": 1536,
            "LastModified": lambda_modified,
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 1024},
        },
    )
    lg = "/printshop/prod/api"
    k.log_group(ctx, lg, created)

    # --- metrics ------------------------------------------------------------------------------------
    tl = ctx.timeline(fine_from)
    lb_dims = {"LoadBalancer": lb.dim}
    tg_dims = {"TargetGroup": lb.tg_dim, "LoadBalancer": lb.dim}
    asg_dims = {"AutoScalingGroupName": asg_name}
    fail_share = r.uniform(0.66, 0.74)  # routes that touch S3 / DynamoDB
    ddb = {"TableName": table}
    for ts, step in tl:
        mins = step / 60
        n_new = 2 if ts >= onset else 0
        n = 4 + n_new
        req = rpm(ts) * mins * (1 + ctx.noise(0.03))
        per = req / n
        bad = sum(ctx.count(per * fail_share) for _ in range(n_new)) if n_new else 0
        base5 = ctx.count(0.4 * mins * rpm(ts) / peak_rpm)
        c4 = ctx.count(req * 0.021)
        c2 = max(0.0, req - bad - base5 - c4)
        ctx.put(NS_ALB, "RequestCount", lb_dims, ts, round(req))
        ctx.put(NS_ALB, "RequestCount", tg_dims, ts, round(req))
        ctx.put(NS_ALB, "HTTPCode_Target_2XX_Count", tg_dims, ts, round(c2))
        ctx.put(NS_ALB, "HTTPCode_Target_4XX_Count", tg_dims, ts, c4)
        if bad + base5:
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", tg_dims, ts, bad + base5)
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", lb_dims, ts, bad + base5)
        if r.random() < 0.04:
            ctx.put(NS_ALB, "HTTPCode_ELB_5XX_Count", lb_dims, ts, 1)
        # latency distribution (seconds)
        samples = [max(0.004, r.lognormvariate(-2.9, 0.55)) for _ in range(40)]
        if bad:
            share = bad / max(req, 1)
            for i in range(int(40 * share + 0.5)):
                samples[i] = r.uniform(1.0, 1.35)
        ctx.put_stats(NS_ALB, "TargetResponseTime", tg_dims, ts, samples, "Seconds")
        ctx.put(
            NS_ALB,
            "HealthyHostCount",
            tg_dims,
            ts,
            n if step == 300 else (4 + (2 if ts >= k.floor_min(healthy) else 0)),
            "Count",
        )
        ctx.put(NS_ALB, "UnHealthyHostCount", tg_dims, ts, 0, "Count")
        # CPU
        cpu_old = base_cpu + per / mins * per_req + cpu_noise.get(ts, ctx.noise(1.2))
        cpu_new = base_cpu + 3.0 + per / mins * per_req * 0.35 + ctx.noise(1.0)
        for iid in old_ids:
            ctx.put(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                ts,
                max(1.0, cpu_old + ctx.noise(1.5)),
                "Percent",
            )
        if ts >= k.floor_min(launch) + timedelta(minutes=1):
            boot = ts < k.floor_min(in_service)
            for iid in new_ids:
                ctx.put(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    ts,
                    (r.uniform(35, 70) if boot else max(1.0, cpu_new + ctx.noise(1.2))),
                    "Percent",
                )
        asg_cpu = cpu4(ts) if n_new == 0 and step == 60 else (cpu_old * 4 + (cpu_new * n_new)) / n
        ctx.put("AWS/EC2", "CPUUtilization", asg_dims, ts, asg_cpu, "Percent")
        desired = 6 if ts >= k.floor_min(alarm_high_at) else 4
        insvc = 6 if ts >= k.floor_min(in_service) else 4
        ctx.put("AWS/AutoScaling", "GroupDesiredCapacity", asg_dims, ts, desired, "None")
        ctx.put("AWS/AutoScaling", "GroupInServiceInstances", asg_dims, ts, insvc, "None")
        ctx.put("AWS/AutoScaling", "GroupPendingInstances", asg_dims, ts, desired - insvc, "None")
        ok_req = req - bad
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            ddb,
            ts,
            ok_req * 0.9 * (1 + ctx.noise(0.04)),
            "Count",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            ddb,
            ts,
            ok_req * 0.12 * (1 + ctx.noise(0.06)),
            "Count",
        )
        for op, mu in (("GetItem", 3.1), ("Query", 5.6), ("PutItem", 5.0)):
            ctx.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": table, "Operation": op},
                ts,
                mu * (1 + ctx.noise(0.08)),
                "Milliseconds",
            )

    # --- alarms -------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "printshop-oncall")
    a_created = created + timedelta(days=30)
    k.alarm(
        ctx,
        name="printshop-api-target-5xx",
        description="printshop-api targets returning 5xx (sum/min > 40 for 3 min). Runbook: https://wiki.internal/printshop/runbooks/api-5xx",
        ns=NS_ALB,
        metric="HTTPCode_Target_5XX_Count",
        dims=tg_dims,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=40,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=a_created,
    )
    k.alarm(
        ctx,
        name="printshop-api-unhealthy-hosts",
        description="Any unhealthy printshop-api target for 5 minutes",
        ns=NS_ALB,
        metric="UnHealthyHostCount",
        dims=tg_dims,
        stat="Maximum",
        period=60,
        evals=5,
        to_alarm=5,
        threshold=0,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        created=a_created,
    )
    k.alarm(
        ctx,
        name="printshop-api-latency",
        description="printshop-api average target response time above 1.5 s",
        ns=NS_ALB,
        metric="TargetResponseTime",
        dims=tg_dims,
        stat="Average",
        period=300,
        evals=3,
        to_alarm=3,
        threshold=1.5,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        created=a_created,
    )
    k.alarm(
        ctx,
        name="printshop-orders-read-throttles",
        description="DynamoDB read throttling on printshop-orders",
        ns="AWS/DynamoDB",
        metric="ReadThrottleEvents",
        dims=ddb,
        stat="Sum",
        period=300,
        evals=1,
        to_alarm=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=a_created,
    )
    tt_actions = [policy_arn]
    k.alarm(
        ctx,
        name=hi_name,
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".",
        ns="AWS/EC2",
        metric="CPUUtilization",
        dims=asg_dims,
        stat="Average",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=50.0,
        op="GreaterThanThreshold",
        missing="missing",
        actions=tt_actions,
        created=created,
        value_fn=k.lookup(ctx, "AWS/EC2", "CPUUtilization", asg_dims),
    )
    # the scale-out alarm fired at alarm_high_at per the metric; keep the activity text consistent with it
    hi_hist = [
        h
        for h in ctx.alarm_history
        if h["AlarmName"] == hi_name
        and h["HistoryItemType"] == "StateUpdate"
        and "to ALARM" in h["HistorySummary"]
    ]
    if hi_hist:
        alarm_high_at = datetime.fromisoformat(hi_hist[-1]["Timestamp"].replace("Z", "+00:00"))

    # --- scaling activities / target health --------------------------------------------------------
    for n_i, iid in enumerate(old_ids):
        lt = fleet_launch + timedelta(seconds=8 * n_i)
        ctx.event(
            "autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "AutoScalingGroupName": asg_name,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": f"At {k.iso(lt - timedelta(seconds=30))} an instance was launched in response to an instance refresh.  At {k.iso(lt)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 3 to 4.",
                "StartTime": k.iso(lt),
                "EndTime": k.iso(lt + timedelta(minutes=3, seconds=r.randint(5, 50))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": azs[iid][0], "Availability Zone": azs[iid][1]}),
                "AutoScalingGroupARN": asg_arn,
            },
        )
        k.target_health(ctx, lb.tg_arn, iid, 8080, azs[iid][1], start, "healthy")
    for iid in new_ids:
        ctx.event(
            "autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "AutoScalingGroupName": asg_name,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": f"At {k.iso(alarm_high_at)} a monitor alarm {hi_name} in state ALARM triggered policy {policy_name} changing the desired capacity from 4 to 6.  At {k.iso(launch)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 4 to 6.",
                "StartTime": k.iso(launch),
                "EndTime": k.iso(in_service),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": azs[iid][0], "Availability Zone": azs[iid][1]}),
                "AutoScalingGroupARN": asg_arn,
            },
        )
        k.target_health(
            ctx,
            lb.tg_arn,
            iid,
            8080,
            azs[iid][1],
            in_service,
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        k.target_health(
            ctx, lb.tg_arn, iid, 8080, azs[iid][1], healthy + timedelta(seconds=r.randint(0, 8)), "healthy"
        )

    # --- logs ---------------------------------------------------------------------------------------
    routes_ok = [
        ("GET", "/v1/products/{id}", 200),
        ("GET", "/v1/gallery/{id}/photos", 200),
        ("POST", "/v1/orders", 201),
        ("GET", "/v1/orders/{id}", 200),
        ("POST", "/v1/uploads/sign", 200),
        ("GET", "/v1/cart", 200),
        ("PUT", "/v1/cart/items", 200),
    ]
    routes_data = [
        "/v1/gallery/{id}/photos",
        "/v1/orders",
        "/v1/orders/{id}",
        "/v1/uploads/sign",
        "/v1/cart",
        "/v1/cart/items",
    ]
    pid = {iid: r.randint(1, 1) for iid in old_ids + new_ids}

    def host(iid: str) -> str:
        return "ip-" + ips[iid].replace(".", "-")

    def fill(path: str) -> str:
        return path.replace("{id}", ctx.hex(8))

    def line(iid: str, t: datetime, level: int, msg: str, **kw: Any) -> None:
        rec: dict[str, Any] = {"level": level, "time": k.ms(t), "pid": pid[iid], "hostname": host(iid)}
        rec.update(kw)
        rec["msg"] = msg
        ctx.log(lg, f"{svc}/{iid}", t, json.dumps(rec, separators=(",", ":")))

    for iid in old_ids + new_ids:
        first = fine_from if iid in old_ids else in_service - timedelta(seconds=40)
        if iid in new_ids:
            t0 = first
            line(iid, t0, 30, "loaded config from /etc/printshop/api.json", env="prod", region="eu-west-1")
            line(iid, t0 + timedelta(milliseconds=690), 30, "Server listening at http://0.0.0.0:8080")
        tt = first + timedelta(seconds=r.uniform(1, 20))
        while tt < now:
            method, route, code = r.choice(routes_ok)
            rid = f"req-{ctx.hex(6)}"
            failing = iid in new_ids and tt >= healthy and route in routes_data
            if failing:
                svc_name = "DynamoDB" if "orders" in route or "cart" in route else "S3"
                line(
                    iid,
                    tt,
                    50,
                    "request failed",
                    reqId=rid,
                    req={"method": method, "url": fill(route)},
                    err={
                        "type": "CredentialsProviderError",
                        "message": "Could not load credentials from any providers",
                        "stack": "CredentialsProviderError: Could not load credentials from any providers\n    at /app/node_modules/@aws-sdk/credential-provider-node/dist-cjs/index.js:121:13\n    at /app/node_modules/@smithy/property-provider/dist-cjs/index.js:97:27\n    at async coalesceProvider (/app/node_modules/@smithy/core/dist-cjs/index.js:386:18)\n    at async /app/node_modules/@aws-sdk/core/dist-cjs/submodules/httpAuthSchemes/index.js:84:27\n    at async /app/node_modules/@smithy/middleware-retry/dist-cjs/index.js:320:38",
                        "tryNextLink": False,
                        "name": "CredentialsProviderError",
                    },
                    client=svc_name,
                )
                line(
                    iid,
                    tt + timedelta(milliseconds=3),
                    30,
                    "request completed",
                    reqId=rid,
                    res={"statusCode": 500},
                    responseTime=round(r.uniform(1004, 1180), 1),
                )
                tt += timedelta(seconds=r.uniform(2, 9))
                continue
            if r.random() < 0.015:
                line(
                    iid,
                    tt,
                    40,
                    "slow request",
                    reqId=rid,
                    req={"method": method, "url": fill(route)},
                    responseTime=round(r.uniform(1500, 2600), 1),
                )
            elif r.random() < 0.01:
                line(
                    iid,
                    tt,
                    40,
                    "client sent deprecated header x-printshop-client-version; use x-client-version",
                    reqId=rid,
                )
            else:
                line(
                    iid,
                    tt,
                    30,
                    "request completed",
                    reqId=rid,
                    req={"method": method, "url": fill(route)},
                    res={"statusCode": code},
                    responseTime=round(r.lognormvariate(3.2, 0.5), 1),
                )
            tt += timedelta(seconds=r.uniform(20, 60))

    # --- CloudTrail ---------------------------------------------------------------------------------
    gha_ip = k.public_ip(ctx)
    ci = ctx.role_principal(
        ci_role,
        "GitHubActions",
        gha_ip,
        "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.171.0",
    )
    deploy = ctx.role_principal(
        "gha-printshop-deploy",
        "GitHubActions",
        k.public_ip(ctx),
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
    )
    grafana = ctx.role_principal(
        "grafana-cloudwatch-read",
        "grafana",
        "34.250.12.9",
        "Grafana/10.4.2 AWS-SDK-Go/1.51.30 (go1.21.9; linux; amd64)",
    )
    office = k.office_ip(ctx)
    dev1 = ctx.sso_user(
        "PrintshopDeveloper",
        r.choice(["maeve.oconnor", "tom.brennan", "aisling.keane"]) + "@printshop.ie",
        office,
    )
    dev2 = ctx.sso_user(
        "PlatformEngineer",
        r.choice(["niall.byrne", "sarah.doyle", "conor.walsh"]) + "@printshop.ie",
        office,
        console=False,
    )
    asg_sl = ctx.service_linked("AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": lb.tg_arn}),
        (
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "instancesSet": {},
                "filterSet": {"items": [{"name": "tag:service", "valueSet": {"items": [{"value": svc}]}}]},
            },
        ),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "printshop-"}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {"logGroupName": lg, "orderBy": "LastEventTime", "descending": True},
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        (
            "ec2.amazonaws.com",
            "DescribeLaunchTemplateVersions",
            {
                "DescribeLaunchTemplateVersionsRequest": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateVersion": {"content": "$Latest", "tag": 1},
                }
            },
        ),
    ]
    k.routine_reads(ctx, [grafana, dev1, dev2], reads, 22, start, now)
    k.routine_reads(
        ctx,
        [grafana],
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": NS_ALB}),
        ],
        8,
        start,
        now,
    )

    def web_identity(t: datetime, role: str) -> None:
        ctx.trail(
            t,
            k.Principal(
                {
                    "type": "WebIdentityUser",
                    "principalId": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:printshop/{'infra' if 'terraform' in role else 'printshop-api'}:ref:refs/heads/main",
                    "userName": f"repo:printshop/{'infra' if 'terraform' in role else 'printshop-api'}:ref:refs/heads/main",
                    "identityProvider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
                },
                gha_ip,
                "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.3",
            ),
            "sts.amazonaws.com",
            "AssumeRoleWithWebIdentity",
            {
                "roleArn": f"arn:aws:iam::{account}:role/{role}",
                "roleSessionName": "GitHubActions",
                "durationSeconds": 3600,
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + ctx.upper(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjEBYaCWV1LXdlc3QtMSJGMEQCIF",
                    "expiration": (t + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                },
                "subjectFromWebIdentityToken": "repo:printshop/infra:ref:refs/heads/main",
                "assumedRoleUser": {
                    "assumedRoleId": "AROA" + ctx.upper(17) + ":GitHubActions",
                    "arn": f"arn:aws:sts::{account}:assumed-role/{role}/GitHubActions",
                },
                "provider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
                "audience": "sts.amazonaws.com",
            },
            read_only=True,
        )

    web_identity(change_time - timedelta(seconds=r.randint(40, 120)), ci_role)
    v7 = lt_data(new_ami, "required", 1)
    culprit = ctx.trail(
        change_time,
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "VersionDescription": v7_desc,
                "LaunchTemplateData": {
                    "IamInstanceProfile": {"Arn": profile_arn},
                    "ImageId": new_ami,
                    "InstanceType": itype,
                    "Monitoring": {"Enabled": True},
                    "UserData": ud,
                    "SecurityGroupId": {"content": app_sg, "tag": 1},
                    "MetadataOptions": {
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                        "HttpEndpoint": "enabled",
                        "InstanceMetadataTags": "disabled",
                    },
                    "BlockDeviceMapping": {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "Encrypted": True,
                            "DeleteOnTermination": True,
                            "VolumeSize": 30,
                            "VolumeType": "gp3",
                        },
                        "tag": 1,
                    },
                    "TagSpecification": {
                        "ResourceType": "instance",
                        "Tag": [
                            {"Key": kk, "Value": vv, "tag": i + 1}
                            for i, (kk, vv) in enumerate(
                                (("service", svc), ("env", "prod"), ("team", "printshop"))
                            )
                        ],
                        "tag": 1,
                    },
                },
                "ClientToken": "terraform-" + ctx.hex(26),
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": ctx.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": lt_name,
                    "versionNumber": 7,
                    "versionDescription": v7_desc,
                    "createTime": k.iso_ms(change_time),
                    "createdBy": f"arn:aws:sts::{account}:assumed-role/{ci_role}/GitHubActions",
                    "defaultVersion": False,
                    "launchTemplateData": {
                        "imageId": v7["ImageId"],
                        "instanceType": itype,
                        "metadataOptions": {
                            "httpTokens": "required",
                            "httpPutResponseHopLimit": 1,
                            "httpEndpoint": "enabled",
                            "instanceMetadataTags": "disabled",
                        },
                    },
                },
            }
        },
    )
    ctx.trail(
        change_time + timedelta(seconds=3),
        ci,
        "ec2.amazonaws.com",
        "DescribeLaunchTemplateVersions",
        {
            "DescribeLaunchTemplateVersionsRequest": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateVersion": {"content": "7", "tag": 1},
            }
        },
        None,
        read_only=True,
    )
    ctx.trail(
        change_time + timedelta(seconds=5),
        ci,
        "ec2.amazonaws.com",
        "DescribeLaunchTemplates",
        {"DescribeLaunchTemplatesRequest": {"LaunchTemplateId": {"content": lt_id, "tag": 1}}},
        None,
        read_only=True,
    )
    ctx.trail(
        change_time + timedelta(seconds=9),
        ci,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": [asg_name]},
        None,
        read_only=True,
    )

    # the scale-out
    for i, iid in enumerate(new_ids):
        t_run = launch + timedelta(milliseconds=300 + 900 * i)
        ctx.trail(
            t_run,
            asg_sl,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "subnetId": azs[iid][0],
                "clientToken": ctx.uuid(),
                "launchTemplate": {"launchTemplateId": lt_id, "version": "7"},
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "instance",
                            "tags": [{"key": "aws:autoscaling:groupName", "value": asg_name}],
                        }
                    ]
                },
            },
            {
                "requestId": ctx.uuid(),
                "reservationId": "r-0" + ctx.hex(16),
                "ownerId": account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": iid,
                            "imageId": new_ami,
                            "instanceState": {"code": 0, "name": "pending"},
                            "privateIpAddress": ips[iid],
                            "instanceType": itype,
                            "subnetId": azs[iid][0],
                            "vpcId": net.vpc,
                            "metadataOptions": {
                                "state": "pending",
                                "httpTokens": "required",
                                "httpPutResponseHopLimit": 1,
                                "httpEndpoint": "enabled",
                                "httpProtocolIpv4": "enabled",
                                "httpProtocolIpv6": "disabled",
                                "instanceMetadataTags": "disabled",
                            },
                        }
                    ]
                },
            },
        )
        ctx.trail(
            in_service - timedelta(seconds=r.randint(2, 9)),
            asg_sl,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {"targetGroupArn": lb.tg_arn, "targets": [{"id": iid}]},
            None,
        )

    # innocent changes near the onset
    web_identity(lambda_update - timedelta(seconds=r.randint(20, 70)), "gha-printshop-deploy")
    ctx.trail(
        lambda_update,
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": thumb_fn,
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"printshop-artifacts-{account[-6:]}",
            "s3Key": f"thumbnail-resizer/{ctx.hex(40)}.zip",
        },
        {
            "functionName": thumb_fn,
            "functionArn": ctx.arn("lambda", f"function:{thumb_fn}"),
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{account}:role/printshop-thumbnail-resizer",
            "handler": "index.handler",
            "codeSize": r.randint(2_000_000, 9_000_000),
            "timeout": 60,
            "memorySize": 1536,
            "version": str(r.randint(40, 90)),
            "state": "Pending",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
    )
    ctx.trail(
        onset - timedelta(minutes=r.randint(9, 15), seconds=r.randint(0, 59)),
        dev1,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/printshop/prod/api/feature/photobook-sale-banner",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"version": r.randint(3, 12), "tier": "Standard"},
    )
    ctx.trail(
        onset + timedelta(minutes=r.randint(3, 8)),
        dev2,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "printshop-thumbnail-resizer-errors",
            "alarmDescription": "thumbnail-resizer errors",
            "actionsEnabled": True,
            "alarmActions": [topic],
            "metricName": "Errors",
            "namespace": "AWS/Lambda",
            "statistic": "Sum",
            "dimensions": [{"name": "FunctionName", "value": thumb_fn}],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 5.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
    )
    # older routine writes
    ctx.trail(
        start + timedelta(hours=r.randint(1, 3)),
        dev2,
        "ssm.amazonaws.com",
        "StartSession",
        {"target": old_ids[0]},
        {
            "sessionId": "niall-" + ctx.hex(17),
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/{ctx.hex(20)}?role=publish_subscribe&cell-number=AAEAA",
        },
    )
    ctx.trail(
        start + timedelta(hours=r.randint(8, 14)),
        dev1,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/aws/lambda/" + thumb_fn, "retentionInDays": 14},
        None,
    )
    ctx.trail(
        now - timedelta(minutes=r.randint(4, 9)),
        dev1,
        "ssm.amazonaws.com",
        "StartSession",
        {"target": old_ids[1]},
        {
            "sessionId": "dev-" + ctx.hex(17),
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/{ctx.hex(20)}?role=publish_subscribe&cell-number=AAEAA",
        },
    )

    local = (onset + timedelta(hours=1)).strftime("%-I:%M%p").lower()
    question = (
        f"printshop-api has been throwing 500s on a chunk of order and upload calls since about {local}. "
        "All targets show healthy in the console and the sale email went out just before. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": "eu-west-1",
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": lt_id,
                    "category": "change",
                    "failure_mode": "imdsv2-hop-limit-blocks-container-credentials",
                    "event_id": culprit,
                },
                "also_accept": [lt_name, f"{lt_name} version 7"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"Launch template {lt_name} ({lt_id}) version 7 set HttpTokens=required with HttpPutResponseHopLimit=1",
                    f"The afternoon scale-out of {asg_name} launched {new_ids[0]} and {new_ids[1]} from $Latest (version 7)",
                    "The containers on those instances cannot reach IMDSv2 (one hop), so the SDK finds no role credentials",
                    f"Requests routed to them that touch {table} or S3 fail with 500 while /healthz stays green",
                    f"{lb.tg_dim} HTTPCode_Target_5XX_Count rises and printshop-api-target-5xx alarms",
                ],
            },
        }
    )
    return Bundle(manifest, k.sort_all(ctx))
