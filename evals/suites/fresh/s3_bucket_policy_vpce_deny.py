"""A security engineer applies a "only through our VPC endpoint" bucket policy to the catalog media
bucket. The endpoint it names belongs to the data-platform VPC; the catalog-media instances reach S3
through a NAT gateway, so every object read and write from their role is explicitly denied."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_d import (
    Ctx,
    J,
    Principal,
    alb,
    alb_metrics,
    background_trail,
    ct,
    diurnal,
    ec2_instance,
    grid,
    iam_role,
    iso,
    log_group,
    ms,
    network,
    role_session,
    sso_user,
    target_group,
)

NAME = "s3-bucket-policy-vpce-deny"
TITLE = "catalog images failing to load and uploads erroring"
SUMMARY = (
    "A bucket policy restricting the catalog media bucket to a VPC endpoint names the data-platform VPC's "
    "endpoint; the catalog-media instances reach S3 via NAT, so their role is denied on every object call."
)

S3_CONSOLE_UA = (
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.219-186.866.amzn2int.x86_64 "
    "OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]"
)


def _s3_record(
    ctx: Ctx, t: datetime, who: Principal, name: str, bucket: str, params: J, read_only: bool
) -> J:
    rec = ct(
        ctx,
        t,
        who,
        "s3.amazonaws.com",
        name,
        params={**params, "bucketName": bucket, "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com"},
        read_only=read_only,
        ua=S3_CONSOLE_UA,
        resources=[{"accountId": ctx.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        event_version="1.10",
        extra={
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 0 if read_only else ctx.rng.randrange(600, 1400),
                "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": ctx.alnum(56) + "=",
                "bytesTransferredOut": 0,
            }
        },
    )
    rec["tlsDetails"]["clientProvidedHostHeader"] = f"{bucket}.s3.{ctx.region}.amazonaws.com"
    return rec


def build(seed: int) -> Bundle:
    probe = Ctx(NAME, seed)
    zone, region = probe.rng.choice(
        [
            ("America/Los_Angeles", "us-west-2"),
            ("America/Denver", "us-west-2"),
            ("America/New_York", "us-east-1"),
            ("Europe/Dublin", "eu-west-1"),
        ]
    )
    ctx = Ctx(NAME, seed, region=region)
    rng = ctx.rng
    tz = ZoneInfo(zone)
    day = ctx.day()
    local_onset = datetime(
        day.year, day.month, day.day, rng.randrange(10, 17), rng.randrange(60), rng.randrange(60), tzinfo=tz
    )
    onset = local_onset.astimezone(ZoneInfo("UTC"))
    t_put = onset - timedelta(seconds=rng.randrange(2, 12))
    start = onset - timedelta(hours=5, minutes=rng.randrange(0, 45))
    fine = onset - timedelta(hours=3)
    org = rng.choice(["shopwise", "trellis", "bazaarly", "outfittr"])
    bucket = f"{org}-catalog-media-prod"
    lake = f"{org}-data-lake-raw"
    logs_bucket = f"{org}-alb-access-logs"
    net = network(ctx)
    data_vpc = f"vpc-0{ctx.hex(16)}"
    vpce = f"vpce-0{ctx.hex(16)}"
    peak = rng.uniform(16, 21)
    rpm = rng.uniform(900, 1800)
    share_s3 = rng.uniform(0.35, 0.55)

    # --- resources --------------------------------------------------------------------------------
    lb, lb_dim = alb(ctx, "catalog-media-prod", net, day - timedelta(days=800))
    tg, tg_dim = target_group(
        ctx,
        "catalog-media-web",
        net,
        lb["LoadBalancerArn"],
        port=3000,
        health_path="/healthz",
        target_type="instance",
    )
    role = iam_role(ctx, "catalog-media-ec2", "ec2.amazonaws.com", day - timedelta(days=800), last_used=onset)
    ctx.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "catalog-media-bucket",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    }
                ],
            },
        },
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "CloudWatchAgentServerPolicy",
            "PolicyArn": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        },
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "AmazonSSMManagedInstanceCore",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
    )
    asg = "catalog-media-web"
    ami = f"ami-0{ctx.hex(16)}"
    insts = [
        ec2_instance(
            ctx,
            net,
            i % 3,
            instance_type="m7g.large",
            launched=day - timedelta(days=rng.randrange(2, 9), hours=rng.randrange(24)),
            name="catalog-media-web",
            asg=asg,
            profile=role["RoleName"],
            image_id=ami,
            sg=net.sg_app,
        )
        for i in range(3)
    ]
    ctx.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": ctx.arn(
                "autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{asg}"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": insts[0]["Tags"][2]["Value"],
                "LaunchTemplateName": "catalog-media-web",
                "Version": "$Latest",
            },
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": net.azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg["TargetGroupArn"]],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 120,
            "Instances": [
                {
                    "InstanceId": i["InstanceId"],
                    "InstanceType": "m7g.large",
                    "AvailabilityZone": i["Placement"]["AvailabilityZone"],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": insts[0]["Tags"][2]["Value"],
                        "LaunchTemplateName": "catalog-media-web",
                        "Version": "7",
                    },
                    "ProtectedFromScaleIn": False,
                }
                for i in insts
            ],
            "CreatedTime": iso(day - timedelta(days=800)),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(net.subnets),
            "EnabledMetrics": [],
            "Tags": [
                {
                    "ResourceId": asg,
                    "ResourceType": "auto-scaling-group",
                    "Key": "service",
                    "Value": "catalog-media",
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        },
    )
    for i in insts:
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg["TargetGroupArn"],
                "target": {
                    "Id": i["InstanceId"],
                    "Port": 3000,
                    "AvailabilityZone": i["Placement"]["AvailabilityZone"],
                },
                "health": {"State": "healthy"},
                "timestamp": iso(
                    datetime.fromisoformat(i["LaunchTime"].replace("Z", "+00:00")) + timedelta(minutes=2)
                ),
            },
        )
    nat = f"nat-0{ctx.hex(16)}"
    ctx.res(
        "ec2",
        "RouteTable",
        {
            "Associations": [
                {
                    "Main": False,
                    "RouteTableAssociationId": f"rtbassoc-0{ctx.hex(16)}",
                    "RouteTableId": "",
                    "SubnetId": s,
                    "AssociationState": {"State": "associated"},
                }
                for s in net.subnets
            ],
            "PropagatingVgws": [],
            "RouteTableId": f"rtb-0{ctx.hex(16)}",
            "Routes": [
                {
                    "DestinationCidrBlock": f"10.{net.cidr2}.0.0/16",
                    "GatewayId": "local",
                    "Origin": "CreateRouteTable",
                    "State": "active",
                },
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": nat,
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Tags": [{"Key": "Name", "Value": "storefront-private"}],
            "VpcId": net.vpc,
            "OwnerId": ctx.account,
        },
    )
    rt_data = f"rtb-0{ctx.hex(16)}"
    ctx.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vpce,
            "VpcEndpointType": "Gateway",
            "VpcId": data_vpc,
            "ServiceName": f"com.amazonaws.{ctx.region}.s3",
            "State": "available",
            "PolicyDocument": json.dumps(
                {
                    "Version": "2008-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
                }
            ),
            "RouteTableIds": [rt_data],
            "SubnetIds": [],
            "Groups": [],
            "IpAddressType": "ipv4",
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": iso(day - timedelta(days=540)),
            "Tags": [{"Key": "Name", "Value": "data-platform-s3"}],
            "OwnerId": ctx.account,
        },
    )
    for b, created in ((bucket, 1500), (lake, 700), (logs_bucket, 800)):
        ctx.res(
            "s3",
            "Bucket",
            {
                "Name": b,
                "CreationDate": iso(day - timedelta(days=created)),
                "BucketRegion": ctx.region,
                "BucketArn": f"arn:aws:s3:::{b}",
            },
        )
    admin_role = f"arn:aws:iam::{ctx.account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*"

    def vpce_policy(b: str, sid: str) -> J:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": sid,
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"],
                    "Condition": {
                        "StringNotEquals": {"aws:SourceVpce": vpce},
                        "ArnNotLike": {
                            "aws:PrincipalArn": [
                                admin_role,
                                f"arn:aws:iam::{ctx.account}:role/cdn-origin-access",
                            ]
                        },
                    },
                },
            ],
        }

    pol_media = vpce_policy(bucket, "DenyOutsideVpce")
    pol_lake = vpce_policy(lake, "DenyOutsideVpce")
    ctx.res("s3", "BucketPolicy", {"Bucket": bucket, "Policy": json.dumps(pol_media)})
    ctx.res("s3", "BucketPolicy", {"Bucket": lake, "Policy": json.dumps(pol_lake)})
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
    log_group(ctx, "/catalog-media/app", day - timedelta(days=700), retention=30)

    # --- metrics ----------------------------------------------------------------------------------
    points = grid(start, onset + timedelta(hours=1, minutes=30), fine)

    def rate(t: datetime) -> float:
        return rpm * diurnal(t, peak, 0.4)

    def broken(t: datetime) -> bool:
        return t >= onset.replace(second=0, microsecond=0)

    alb_metrics(
        ctx,
        lb_dim,
        tg_dim,
        points,
        rate,
        target_5xx=lambda t, step, n: (
            ctx.count(n * share_s3 * 0.92) if broken(t) else (1 if rng.random() < 0.05 else 0)
        ),
        latency=lambda t: rng.uniform(0.09, 0.14) * (0.6 if broken(t) else 1.0),
        healthy=lambda t: 3,
    )
    fid = {"BucketName": bucket, "FilterId": "EntireBucket"}
    for t, step in points:
        n = rate(t) * step / 60 * share_s3
        gets, puts = ctx.count(n * 0.86), ctx.count(n * 0.08)
        heads = ctx.count(n * 0.06)
        all_r = gets + puts + heads
        ctx.put("AWS/S3", "AllRequests", fid, t, "Count", all_r)
        ctx.put("AWS/S3", "GetRequests", fid, t, "Count", gets)
        if puts:
            ctx.put("AWS/S3", "PutRequests", fid, t, "Count", puts)
        ctx.put("AWS/S3", "HeadRequests", fid, t, "Count", heads)
        ctx.put("AWS/S3", "4xxErrors", fid, t, "Count", all_r if broken(t) else ctx.count(n * 0.004))
        ctx.put("AWS/S3", "5xxErrors", fid, t, "Count", 0)
        if not broken(t):
            ctx.put("AWS/S3", "BytesDownloaded", fid, t, "Bytes", gets * rng.uniform(180e3, 260e3))
            ctx.put(
                "AWS/S3",
                "FirstByteLatency",
                fid,
                t,
                "Milliseconds",
                stats=(max(1, gets), gets * rng.uniform(18, 28), 6.0, rng.uniform(180, 400)),
            )
        ctx.put(
            "AWS/S3",
            "TotalRequestLatency",
            fid,
            t,
            "Milliseconds",
            stats=(
                max(1, all_r),
                all_r * (rng.uniform(35, 60) if not broken(t) else rng.uniform(8, 14)),
                4.0,
                rng.uniform(300, 900),
            ),
        )
        for i in insts:
            ctx.put(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": i["InstanceId"]},
                t,
                "Percent",
                ctx.jitter(28 * diurnal(t, peak, 0.4) * (0.55 if broken(t) else 1.0), 0.1),
            )
            ctx.put(
                "AWS/EC2",
                "NetworkOut",
                {"InstanceId": i["InstanceId"]},
                t,
                "Bytes",
                ctx.jitter(rate(t) * step / 60 / 3 * 90e3 * (0.5 if broken(t) else 1.0), 0.08),
            )
        ctx.put(
            "AWS/NATGateway",
            "BytesInFromDestination",
            {"NatGatewayId": nat},
            t,
            "Bytes",
            ctx.jitter(gets * 220e3 * (0.02 if broken(t) else 1.0) + 3e6 * step / 60, 0.1),
        )
        ctx.put(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            {"NatGatewayId": nat},
            t,
            "Count",
            ctx.count(140 * diurnal(t, peak, 0.4)),
        )

    topic = ctx.arn("sns", "storefront-oncall")
    alarm = "catalog-media-alb-5xx"
    ctx.alarm(
        alarm,
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lb_dim,
        statistic="Sum",
        period=60,
        evaluation_periods=2,
        threshold=50,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
        ok_actions=[topic],
    )
    ctx.alarm(
        "catalog-media-unhealthy-hosts",
        namespace="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Maximum",
        period=60,
        evaluation_periods=3,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        "catalog-media-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb_dim,
        statistic="Average",
        period=300,
        evaluation_periods=2,
        threshold=1.5,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    for i in insts[:1]:
        ctx.alarm(
            f"catalog-media-cpu-{i['InstanceId']}",
            namespace="AWS/EC2",
            metric="CPUUtilization",
            dims={"InstanceId": i["InstanceId"]},
            statistic="Average",
            period=300,
            evaluation_periods=3,
            threshold=85,
            comparison="GreaterThanThreshold",
        )
    fired = ctx.first_alarm(alarm, fine, onset + timedelta(hours=1))
    now = max(fired + timedelta(minutes=rng.randrange(20, 34)), onset + timedelta(minutes=33)).replace(
        microsecond=0
    )
    ctx.evaluate_alarms(fine, now, since=day - timedelta(days=rng.randrange(3, 40)))
    event = ctx.alarm_event(alarm)

    # --- logs (pino JSON shipped by the CloudWatch agent) -----------------------------------------
    for inst in insts:
        iid = inst["InstanceId"]
        host = inst["PrivateDnsName"].split(".")[0]
        t = start
        while t < now:
            t += timedelta(seconds=rng.uniform(3, 12) if broken(t) else rng.uniform(8, 30))
            key = (
                f"products/{rng.randrange(10**5, 10**6)}/{ctx.alnum(10)}.{rng.choice(['jpg', 'png', 'webp'])}"
            )
            rec: J = {
                "level": 30,
                "time": ms(t),
                "pid": rng.choice([2211, 2212]),
                "hostname": host,
                "service": "catalog-media",
            }
            if not broken(t):
                r = rng.random()
                if r < 0.7:
                    rec.update(
                        {
                            "req": {"method": "GET", "url": f"/img/{key}?w={rng.choice([200, 400, 800])}"},
                            "res": {"statusCode": 200},
                            "responseTime": rng.randrange(20, 180),
                            "msg": "request completed",
                        }
                    )
                elif r < 0.85:
                    rec.update(
                        {
                            "req": {"method": "PUT", "url": "/uploads"},
                            "res": {"statusCode": 201},
                            "responseTime": rng.randrange(200, 900),
                            "msg": "request completed",
                            "key": key,
                        }
                    )
                elif r < 0.95:
                    rec.update(
                        {
                            "level": 40,
                            "msg": "client aborted request",
                            "req": {"method": "GET", "url": f"/img/{key}?w=800"},
                        }
                    )
                else:
                    rec.update(
                        {
                            "msg": "resize cache stats",
                            "hits": rng.randrange(1000, 5000),
                            "misses": rng.randrange(50, 400),
                            "evictions": rng.randrange(0, 40),
                        }
                    )
            else:
                op = "GetObject" if rng.random() < 0.88 else "PutObject"
                req_id = ctx.alnum(16, upper=True)
                host_id = ctx.alnum(76) + "="
                sess = f"arn:aws:sts::{ctx.account}:assumed-role/{role['RoleName']}/{iid}"
                msg = f'User: {sess} is not authorized to perform: s3:{op} on resource: "arn:aws:s3:::{bucket}/{key}" with an explicit deny in a resource-based policy'
                rec.update(
                    {
                        "level": 50,
                        "msg": "failed to fetch original from S3"
                        if op == "GetObject"
                        else "upload to S3 failed",
                        "bucket": bucket,
                        "key": key,
                        "err": {
                            "type": "S3ServiceException",
                            "message": msg,
                            "stack": f"AccessDenied: {msg}\n    at throwDefaultError (/srv/catalog-media/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)\n    at de_CommandError (/srv/catalog-media/node_modules/@aws-sdk/client-s3/dist-cjs/index.js:4756:14)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async /srv/catalog-media/node_modules/@aws-sdk/middleware-sdk-s3/dist-cjs/index.js:483:18\n    at async /srv/catalog-media/node_modules/@smithy/middleware-retry/dist-cjs/index.js:320:38\n    at async loadOriginal (/srv/catalog-media/dist/storage.js:41:22)",
                            "name": "AccessDenied",
                            "$fault": "client",
                            "$metadata": {
                                "httpStatusCode": 403,
                                "requestId": req_id,
                                "extendedRequestId": host_id,
                                "attempts": 1,
                                "totalRetryDelay": 0,
                            },
                            "Code": "AccessDenied",
                            "RequestId": req_id,
                            "HostId": host_id,
                        },
                    }
                )
                ctx.log("/catalog-media/app", iid, t, json.dumps(rec, separators=(",", ":")))
                rec = {
                    "level": 30,
                    "time": ms(t) + rng.randrange(1, 5),
                    "pid": rec["pid"],
                    "hostname": host,
                    "service": "catalog-media",
                    "req": {
                        "method": "GET" if op == "GetObject" else "PUT",
                        "url": f"/img/{key}?w=400" if op == "GetObject" else "/uploads",
                    },
                    "res": {"statusCode": 502},
                    "responseTime": rng.randrange(15, 60),
                    "msg": "request errored",
                }
                t = t + timedelta(milliseconds=3)
            ctx.log("/catalog-media/app", iid, t, json.dumps(rec, separators=(",", ":")))

    # --- CloudTrail -------------------------------------------------------------------------------
    office = f"{rng.choice([64, 71, 136, 162])}.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    people = ["nadia.rahman", "chris.eklund", "ines.moreau", "paul.adeyemi", "sora.kim"]
    rng.shuffle(people)
    dom = f"{org}.com"
    sec = sso_user(ctx, f"{people[0]}@{dom}", "SecurityEngineer", ip=office, console=True)
    web = sso_user(ctx, f"{people[1]}@{dom}", "StorefrontDeveloper", ip=office, console=True)
    data = sso_user(ctx, f"{people[2]}@{dom}", "DataEngineer", ip=office)
    background_trail(ctx, start, now, 36, [web, data])
    t_lake = t_put - timedelta(minutes=rng.randrange(5, 12))
    _s3_record(ctx, t_lake - timedelta(seconds=50), sec, "GetBucketPolicy", lake, {"policy": ""}, True)
    _s3_record(ctx, t_lake, sec, "PutBucketPolicy", lake, {"bucketPolicy": pol_lake, "policy": ""}, False)
    _s3_record(
        ctx,
        t_put - timedelta(seconds=rng.randrange(40, 100)),
        sec,
        "GetBucketPolicy",
        bucket,
        {"policy": ""},
        True,
    )
    put = _s3_record(
        ctx, t_put, sec, "PutBucketPolicy", bucket, {"bucketPolicy": pol_media, "policy": ""}, False
    )
    _s3_record(
        ctx,
        t_put + timedelta(seconds=rng.randrange(5, 20)),
        sec,
        "GetBucketPolicyStatus",
        bucket,
        {"policyStatus": ""},
        True,
    )
    _s3_record(
        ctx,
        onset + timedelta(minutes=rng.randrange(3, 9)),
        data,
        "PutBucketLifecycleConfiguration",
        logs_bucket,
        {"lifecycle": ""},
        False,
    )
    asg_svc = role_session(
        ctx,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        ua="autoscaling.amazonaws.com",
        ip="autoscaling.amazonaws.com",
        path="/aws-service-role/autoscaling.amazonaws.com/",
    )
    asg_svc.tls = False
    cron = role_session(
        ctx,
        "scheduler-ops-scaling",
        ctx.hex(32),
        ua="Amazon EventBridge Scheduler",
        ip="scheduler.amazonaws.com",
    )
    t_sc = onset - timedelta(minutes=rng.randrange(8, 22))
    ct(
        ctx,
        t_sc,
        cron,
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        params={
            "autoScalingGroupName": "search-indexer-workers",
            "desiredCapacity": 4,
            "honorCooldown": False,
        },
    )
    ct(
        ctx,
        t_sc + timedelta(minutes=3),
        asg_svc,
        "elasticloadbalancing.amazonaws.com",
        "RegisterTargets",
        params={
            "targetGroupArn": ctx.arn("elasticloadbalancing", f"targetgroup/search-indexer/{ctx.hex(16)}"),
            "targets": [{"id": f"i-0{ctx.hex(16)}"}],
        },
    )
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=f"Product images on the storefront started failing around {(local_onset + timedelta(minutes=1)).strftime('%H:%M')} and seller uploads are erroring too. Nothing was deployed to catalog-media today. What broke?",
        alarm_event=event,
        timezone=zone,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": bucket,
                "category": "change",
                "failure_mode": "bucket-policy-denies-application-role",
                "event_id": put["eventID"],
            },
            "also_accept": [f"arn:aws:s3:::{bucket}"],
            "actions": ["rollback"],
            "chain": [
                f"PutBucketPolicy on {bucket} denies every request not arriving through {vpce}",
                f"{vpce} is the data-platform VPC's gateway endpoint; catalog-media instances reach S3 through {nat}",
                f"{role['RoleName']} gets AccessDenied (explicit deny in a resource-based policy) on GetObject and PutObject",
                f"catalog-media returns 502 for image and upload requests; {alarm} fires",
            ],
        },
    )
