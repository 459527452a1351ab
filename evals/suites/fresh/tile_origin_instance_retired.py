"""Map tiles slow and partly failing through CloudFront: AWS stopped one of the two hand-built tile
render instances behind the origin ALB for a scheduled hardware retirement; the survivor is saturated."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzw import (
    Kit,
    acm_cert,
    alias_record,
    distribution,
    hosted_zone,
    iso,
    iso_ms,
    lb_dim,
    load_balancer,
    minutes,
    target_group,
    tg_dim,
)

NAME = "map-tiles-origin-instance-scheduled-retirement"
TITLE = "Map tiles loading slowly and grey squares on the map since mid-afternoon"
SUMMARY = (
    "AWS stopped one of two tile render instances behind the tiles origin ALB for a scheduled retirement "
    "announced in AWS Health; the remaining instance saturates and CloudFront misses time out."
)

ELB = "elasticloadbalancing.amazonaws.com"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    rng = k.rng
    brand = rng.choice(["trailhead", "waymark", "contour", "fellrun"])
    domain = f"{brand}maps.io"
    day = k.day()
    onset = day.replace(hour=rng.randint(13, 16), minute=rng.choice([0, 0, 0, 30]), second=0) + timedelta(
        seconds=rng.randint(4, 40)
    )
    start = (onset - timedelta(hours=3, minutes=35)).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(40, 58))
    announced = onset - timedelta(days=rng.randint(12, 16), hours=rng.randint(1, 9))

    vpc = "vpc-0" + k.hex(16)
    subnets = [(f"us-east-1{z}", "subnet-0" + k.hex(16)) for z in ("a", "b")]
    lb = load_balancer(k, "tiles-prod", vpc, subnets, "sg-0" + k.hex(16), day - timedelta(days=900))
    tg = target_group(k, "tiles-render", lb, 80, "/status", target_type="instance")
    tg["HealthCheckIntervalSeconds"] = 30
    cert = acm_cert(
        k,
        f"*.{domain}",
        [f"*.{domain}", domain],
        day - timedelta(days=rng.randint(60, 300)),
        [lb["LoadBalancerArn"]],
    )
    cf_cert = acm_cert(
        k, f"tiles.{domain}", [f"tiles.{domain}"], day - timedelta(days=rng.randint(60, 300)), []
    )
    listener = k.arn(
        "elasticloadbalancing", f"listener/app/tiles-prod/{lb_dim(lb).split('/')[-1]}/{k.hex(16)}"
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener,
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": cert["CertificateArn"]}],
            "SslPolicy": "ELBSecurityPolicy-2016-08",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"], "Order": 1}],
        },
    )
    styles_behavior = {
        "PathPattern": "/styles/*",
        "TargetOriginId": "tiles-alb",
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {
            "Quantity": 2,
            "Items": ["HEAD", "GET"],
            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
        },
        "Compress": True,
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    }
    dist = distribution(
        k,
        [f"tiles.{domain}"],
        "tiles-alb",
        f"tiles-origin.{domain}",
        cf_cert["CertificateArn"],
        None,
        onset - timedelta(hours=2, minutes=rng.randint(0, 40)),
        "vector + raster tiles",
        [styles_behavior],
    )
    cf_cert["InUseBy"] = [dist["ARN"]]
    cf_cert["RenewalEligibility"] = "ELIGIBLE"
    did = dist["Id"]
    zone = hosted_zone(k, domain, 14)
    alias_record(k, zone, f"tiles.{domain}", dist["DomainName"], "Z2FDTNDATAQYW2")
    alias_record(k, zone, f"tiles-origin.{domain}", "dualstack." + lb["DNSName"], lb["CanonicalHostedZoneId"])

    # --- the two render instances ---------------------------------------------------------------------
    ami = "ami-0" + k.hex(16)
    inst = []
    for n, (az, subnet) in enumerate(subnets, 1):
        iid = "i-0" + k.hex(16)
        ip = f"10.{rng.randint(30, 39)}.{n * 16 + rng.randint(0, 9)}.{rng.randint(10, 250)}"
        inst.append((iid, ip, az, subnet, f"tile-render-{n}"))
    victim = rng.randrange(2)
    survivor = 1 - victim
    for n, (iid, ip, az, subnet, name) in enumerate(inst):
        stopped = n == victim
        item = {
            "InstanceId": iid,
            "ImageId": ami,
            "InstanceType": "c6i.2xlarge",
            "KeyName": "tiles-ops",
            "LaunchTime": iso(day - timedelta(days=rng.randint(200, 500))),
            "Monitoring": {"State": "enabled"},
            "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
            "PrivateIpAddress": ip,
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": {"Code": 80, "Name": "stopped"} if stopped else {"Code": 16, "Name": "running"},
            "StateTransitionReason": f"Service initiated ({onset:%Y-%m-%d %H:%M:%S} GMT)" if stopped else "",
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(day - timedelta(days=500)),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": "vol-0" + k.hex(16),
                    },
                }
            ],
            "EbsOptimized": True,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/tiles-render",
                "Id": "AIPA" + k.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            },
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachTime": iso(day - timedelta(days=500)),
                        "AttachmentId": "eni-attach-0" + k.hex(16),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                    },
                    "Description": "",
                    "Groups": [{"GroupName": "tiles-render", "GroupId": "sg-0" + k.hex(16)}],
                    "MacAddress": ":".join(k.hex(2) for _ in range(6)),
                    "NetworkInterfaceId": "eni-0" + k.hex(16),
                    "OwnerId": k.account,
                    "PrivateIpAddress": ip,
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnet,
                    "VpcId": vpc,
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [{"GroupName": "tiles-render", "GroupId": "sg-0" + k.hex(16)}],
            "SourceDestCheck": True,
            "Tags": [
                {"Key": "Name", "Value": name},
                {"Key": "team", "Value": "maps"},
                {"Key": "env", "Value": "prod"},
            ],
            "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": 4, "ThreadsPerCore": 2},
        }
        if stopped:
            item["StateReason"] = {
                "Code": "Server.ScheduledStop",
                "Message": "Server.ScheduledStop: Stopped due to scheduled retirement",
            }
        k.res("ec2", "Instance", item)
        if not stopped:
            k.res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": az,
                    "InstanceId": iid,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                        "Status": "ok",
                    },
                    "SystemStatus": {
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                        "Status": "ok",
                    },
                },
            )
    v_id, _v_ip, _v_az, _, v_name = inst[victim]
    s_id, _s_ip, _s_az, _, s_name = inst[survivor]

    event_arn = f"arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{k.hex(8).upper()}-{k.hex(4).upper()}-{k.hex(4).upper()}"
    description = (
        f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance associated with this event in the us-east-1 region. "
        f"Due to this degradation your instance could already be unreachable. We will stop your instance after {onset:%Y-%m-%d %H:%M:%S} UTC. "
        "Please take appropriate action before this time. You can find more information about retirement events scheduled for your EC2 instances "
        "in the AWS Management Console https://console.aws.amazon.com/ec2/v2/home?region=us-east-1#Events\n\n"
        "* What will happen to my instance?\nYour instance will be stopped after the specified retirement date. You can start it again at any time "
        "after it's stopped. Any data on local instance-store volumes will be lost when the instance is stopped.\n\n"
        "* What do I need to do?\nWe recommend that you stop and start the instance which will migrate the instance to a new host. "
        "Please note that any data on your local instance-store volumes will not be preserved when you stop your instance."
    )
    k.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": event_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": "us-east-1",
                    "startTime": iso(onset.replace(second=0)),
                    "endTime": iso(onset.replace(second=0) + timedelta(days=7)),
                    "lastUpdatedTime": iso(announced),
                    "statusCode": "open",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": description,
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:us-east-1:{k.account}:entity/{k.hex(20)}",
                        "eventArn": event_arn,
                        "entityValue": v_id,
                        "awsAccountId": k.account,
                        "lastUpdatedTime": iso(announced),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        }
    )
    # a second, unrelated open Health item: routine ACM renewal notice
    k.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": f"arn:aws:health:us-east-1::event/ACM/AWS_ACM_RENEWAL_STATE_CHANGE/AWS_ACM_RENEWAL_STATE_CHANGE_{k.hex(8).upper()}",
                    "service": "ACM",
                    "eventTypeCode": "AWS_ACM_RENEWAL_STATE_CHANGE",
                    "eventTypeCategory": "scheduledChange",
                    "region": "us-east-1",
                    "startTime": iso(day - timedelta(days=3)),
                    "lastUpdatedTime": iso(day - timedelta(days=3)),
                    "statusCode": "closed",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": "The ACM certificate was renewed successfully.",
                "affected_entities": [],
            },
        }
    )

    stop_at = onset
    for n, (iid, _ip, az, _s, _nm) in enumerate(inst):
        tgt = {"Id": iid, "Port": 80, "AvailabilityZone": az}
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
        if n == victim:
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg["TargetGroupArn"],
                        "target": tgt,
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": iso(stop_at + timedelta(seconds=45)),
                    },
                }
            )
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg["TargetGroupArn"],
                        "target": tgt,
                        "health": {
                            "State": "unused",
                            "Reason": "Target.InvalidState",
                            "Description": "Target is in the stopped state",
                        },
                        "timestamp": iso(stop_at + timedelta(minutes=2)),
                    },
                }
            )

    # --- CloudTrail --------------------------------------------------------------------------------
    dev_name = rng.choice(["hwright", "lmbeki", "oferreira"])
    dev = k.role_identity("AWSReservedSSO_MapsEngineer_" + k.hex(16), dev_name)
    tf = k.role_identity("terraform-apply", "terraform")
    tf_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.58.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/cloudfront#1.37.0"
    upd_t = datetime.fromisoformat(dist["LastModifiedTime"].replace("Z", "+00:00"))
    k.ct(
        upd_t - timedelta(seconds=3),
        "cloudfront.amazonaws.com",
        "GetDistributionConfig",
        tf,
        {"id": did},
        None,
        read_only=True,
        agent=tf_agent,
        ip="52.3.112.9",
    )
    k.ct(
        upd_t,
        "cloudfront.amazonaws.com",
        "UpdateDistribution",
        tf,
        {
            "id": did,
            "ifMatch": "E" + k.upper(13),
            "distributionConfig": {
                "comment": "vector + raster tiles",
                "cacheBehaviors": {
                    "quantity": 1,
                    "items": [
                        {
                            "pathPattern": "/styles/*",
                            "targetOriginId": "tiles-alb",
                            "cachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                            "viewerProtocolPolicy": "redirect-to-https",
                            "compress": True,
                        }
                    ],
                },
                "enabled": True,
            },
        },
        {
            "distribution": {"id": did, "status": "InProgress", "lastModifiedTime": iso_ms(upd_t)},
            "eTag": "E" + k.upper(13),
        },
        agent=tf_agent,
        ip="52.3.112.9",
    )
    for _n in range(rng.randint(3, 5)):
        t = start + timedelta(minutes=rng.randint(10, 200))
        inv = "I" + k.upper(25)
        k.ct(
            t,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            dev,
            {
                "distributionId": did,
                "invalidationBatch": {
                    "paths": {
                        "quantity": 1,
                        "items": [f"/styles/{rng.choice(['outdoor', 'winter', 'satellite'])}/style.json"],
                    },
                    "callerReference": f"cli-{rng.randint(10**9, 10**10)}",
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{did}/invalidation/{inv}",
                "invalidation": {"id": inv, "status": "InProgress", "createTime": iso_ms(t)},
            },
            agent="aws-cli/2.15.58 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/cloudfront.create-invalidation",
            ip="81.2.69.160",
        )
    for _n in range(rng.randint(2, 4)):
        t = start + timedelta(minutes=rng.randint(5, 230))
        k.ct(
            t,
            "s3.amazonaws.com",
            "PutBucketTagging",
            tf,
            {
                "bucketName": f"{brand}-tile-cache",
                "Tagging": {"TagSet": {"Tag": [{"Key": "team", "Value": "maps"}]}},
                "tagging": "",
            },
            None,
            agent=tf_agent.replace("cloudfront#1.37.0", "s3#1.58.0"),
            ip="52.3.112.9",
        )
    k.ct(
        onset - timedelta(minutes=rng.randint(20, 60)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        tf,
        {"functionName": f"{brand}-style-publisher", "publish": False},
        {
            "functionName": f"{brand}-style-publisher",
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(200000, 900000),
            "lastUpdateStatus": "InProgress",
        },
        agent=tf_agent.replace("cloudfront#1.37.0", "lambda#1.56.0"),
        ip="52.3.112.9",
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(22, 30)),
        "ec2.amazonaws.com",
        "DescribeInstanceStatus",
        dev,
        {"instancesSet": {"items": [{"instanceId": v_id}]}, "filterSet": {}, "includeAllInstances": True},
        None,
        read_only=True,
        agent="console.ec2.amazonaws.com",
        ip="81.2.69.160",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        (ELB, "DescribeTargetHealth", {"targetGroupArn": tg["TargetGroupArn"]}),
        (ELB, "DescribeLoadBalancers", None),
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeInstanceStatus", {"filterSet": {}, "includeAllInstances": False}),
        ("cloudfront.amazonaws.com", "GetDistribution", {"id": did}),
        ("cloudfront.amazonaws.com", "ListDistributions", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("health.amazonaws.com", "DescribeEvents", {"filter": {"eventStatusCodes": ["open", "upcoming"]}}),
        ("acm.amazonaws.com", "ListCertificates", None),
    ]
    k.readonly_noise(start, now, reads, 40)

    # --- metrics -------------------------------------------------------------------------------------
    times = minutes(start, now + timedelta(minutes=1))
    cut = onset.replace(second=0) + timedelta(minutes=1)

    def down(t: datetime) -> bool:
        return t >= cut

    cf = {"DistributionId": did, "Region": "Global"}
    base = rng.randint(9000, 15000)
    hit = rng.uniform(0.86, 0.91)
    reqs = {t: base * (1 + 0.1 * ((t - start).total_seconds() / 12600)) + k.noise(base * 0.03) for t in times}
    origin_req = {t: reqs[t] * (1 - hit) for t in times}
    fail = {t: (rng.uniform(0.16, 0.26) if down(t) else 0.0) for t in times}
    k.series("AWS/CloudFront", "Requests", cf, "None", times, lambda t: round(reqs[t]), 0)
    k.series(
        "AWS/CloudFront",
        "BytesDownloaded",
        cf,
        "None",
        times,
        lambda t: reqs[t] * rng.uniform(21000, 26000),
        0,
    )
    k.series(
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        "Percent",
        times,
        lambda t: (1 - hit) * 100 * fail[t] + abs(k.noise(0.02)),
    )
    k.series("AWS/CloudFront", "4xxErrorRate", cf, "Percent", times, lambda t: 0.6 + abs(k.noise(0.2)))
    k.series(
        "AWS/CloudFront",
        "TotalErrorRate",
        cf,
        "Percent",
        times,
        lambda t: 0.6 + (1 - hit) * 100 * fail[t] + abs(k.noise(0.2)),
    )
    k.series("AWS/CloudFront", "CacheHitRate", cf, "Percent", times, lambda t: hit * 100 + k.noise(0.8))
    k.series(
        "AWS/CloudFront",
        "OriginLatency",
        cf,
        "Milliseconds",
        times,
        lambda t: rng.uniform(4200, 7800) if down(t) else 180 + abs(k.noise(35)),
        1,
    )
    k.series(
        "AWS/CloudFront",
        "504ErrorRate",
        cf,
        "Percent",
        times,
        lambda t: (1 - hit) * 100 * fail[t] * 0.9 if down(t) else 0.0,
    )
    k.series(
        "AWS/CloudFront",
        "502ErrorRate",
        cf,
        "Percent",
        times,
        lambda t: (1 - hit) * 100 * fail[t] * 0.1 if down(t) else 0.0,
    )
    dim = {"LoadBalancer": lb_dim(lb)}
    tgd = {**dim, "TargetGroup": tg_dim(tg)}
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        dim,
        "Count",
        times,
        lambda t: round(origin_req[t] * (1.02 if down(t) else 1)),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        tgd,
        "Count",
        times,
        lambda t: round(origin_req[t] / (1 if down(t) else 2)),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin_req[t] * (1 - fail[t])),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin_req[t] * fail[t] * 0.9) if down(t) else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_502_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin_req[t] * fail[t] * 0.1) or None if down(t) else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin_req[t] * fail[t] * 0.1) or None if down(t) else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dim,
        "Seconds",
        times,
        lambda t: rng.uniform(4.5, 8.0) if down(t) else 0.17 + abs(k.noise(0.03)),
        4,
    )
    k.series(
        "AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", times, lambda t: 1.0 if down(t) else 2.0, 0
    )
    k.series(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Count",
        times,
        lambda t: 1.0 if cut <= t < cut + timedelta(minutes=1) else 0.0,
        0,
    )

    def status_check(t: datetime, n: int) -> float | None:
        return None if (n == victim and t >= onset.replace(second=0)) else 0.0

    def net_out(t: datetime, n: int) -> float | None:
        if n == victim and t >= onset.replace(second=0):
            return None
        return rng.uniform(3.0e8, 4.2e8) * (1.7 if down(t) else 1)

    for n, (iid, *_rest) in enumerate(inst):

        def cpu(t: datetime, n: int = n) -> float | None:
            if n == victim:
                return None if t >= onset.replace(second=0) else 38 + k.noise(4)
            return min(99.8, 97 + abs(k.noise(1.5))) if down(t) else 39 + k.noise(4)

        k.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", times, cpu)
        k.series(
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": iid},
            "Count",
            times,
            partial(status_check, n=n),
            0,
        )
        k.series(
            "AWS/EC2",
            "NetworkOut",
            {"InstanceId": iid},
            "Bytes",
            times,
            partial(net_out, n=n),
            0,
        )

    # --- alarms ------------------------------------------------------------------------------------
    topic = k.arn("sns", "maps-oncall")
    t_lat = cut + timedelta(minutes=5)
    lat_reason = f"Threshold Crossed: 5 out of the last 5 datapoints [{rng.uniform(5, 7):.4f} ({t_lat - timedelta(minutes=1):%d/%m/%y %H:%M:%S}), {rng.uniform(5, 7):.4f} ({t_lat - timedelta(minutes=2):%d/%m/%y %H:%M:%S}), {rng.uniform(5, 7):.4f} ({t_lat - timedelta(minutes=3):%d/%m/%y %H:%M:%S}), {rng.uniform(5, 7):.4f} ({t_lat - timedelta(minutes=4):%d/%m/%y %H:%M:%S}), {rng.uniform(5, 7):.4f} ({t_lat - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] were greater than the threshold (1.5) (minimum 5 datapoints for OK -> ALARM transition)."
    lat = k.alarm(
        "tiles-origin-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dim,
        stat="Average",
        period=60,
        evals=5,
        threshold=1.5,
        op="GreaterThanThreshold",
        state="ALARM",
        state_time=t_lat,
        reason=lat_reason,
        topic=topic,
        description="tiles-prod ALB average target response time above 1.5s",
    )
    k.transition(lat["AlarmName"], t_lat, "OK", "ALARM", lat_reason)
    t_cpu = cut + timedelta(minutes=3)
    cpu_reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{rng.uniform(97, 99):.4f} ({t_cpu - timedelta(minutes=1):%d/%m/%y %H:%M:%S}), {rng.uniform(97, 99):.4f} ({t_cpu - timedelta(minutes=2):%d/%m/%y %H:%M:%S}), {rng.uniform(97, 99):.4f} ({t_cpu - timedelta(minutes=3):%d/%m/%y %H:%M:%S})] were greater than the threshold (85.0) (minimum 3 datapoints for OK -> ALARM transition)."
    k.alarm(
        f"{s_name}-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": s_id},
        stat="Average",
        period=60,
        evals=3,
        threshold=85,
        op="GreaterThanThreshold",
        state="ALARM",
        state_time=t_cpu,
        reason=cpu_reason,
        topic=topic,
    )
    k.transition(f"{s_name}-cpu-high", t_cpu, "OK", "ALARM", cpu_reason)
    k.alarm(
        f"{v_name}-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": v_id},
        stat="Average",
        period=60,
        evals=3,
        threshold=85,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=12),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (85.0) (minimum 3 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    t_ins = onset.replace(second=0) + timedelta(minutes=rng.randint(4, 6))
    ins_reason = "Insufficient Data: 2 datapoints were unknown."
    k.alarm(
        f"{v_name}-status-check",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": v_id},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="INSUFFICIENT_DATA",
        state_time=t_ins,
        reason=ins_reason,
        topic=topic,
    )
    k.transition(f"{v_name}-status-check", t_ins, "OK", "INSUFFICIENT_DATA", ins_reason)
    k.alarm(
        f"{s_name}-status-check",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": s_id},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_time=start - timedelta(days=40),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than or equal to the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        "tiles-cdn-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        stat="Average",
        period=300,
        evals=2,
        threshold=5,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=20),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5.0) (minimum 2 datapoints for ALARM -> OK transition).",
        topic=topic,
    )

    # --- logs ----------------------------------------------------------------------------------------
    tiles = ["/v1/outdoor/{z}/{x}/{y}.pbf", "/v1/satellite/{z}/{x}/{y}.jpg", "/v1/terrain/{z}/{x}/{y}.png"]
    for n, (iid, _ip, _az, _s, _name) in enumerate(inst):
        end_t = onset if n == victim else now
        for t in minutes(start + timedelta(seconds=rng.randint(0, 59)), end_t):
            for _ in range(2 if (n == survivor and down(t)) else 1):
                z = rng.randint(8, 15)
                path = rng.choice(tiles).format(z=z, x=rng.randint(0, 2**z - 1), y=rng.randint(0, 2**z - 1))
                bad = n == survivor and down(t) and rng.random() < 0.45
                status = 504 if bad else 200
                rt = (
                    10.001
                    if bad
                    else (rng.uniform(4, 9.5) if (n == survivor and down(t)) else rng.uniform(0.05, 0.4))
                )
                stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
                k.log(
                    "/tiles/nginx/access",
                    iid,
                    t,
                    f'10.{rng.randint(30, 39)}.{rng.choice([1, 17])}.{rng.randint(5, 250)} - - [{stamp}] "GET {path} HTTP/1.1" {status} {0 if bad else rng.randint(1800, 61000)} "-" "Amazon CloudFront" rt={rt:.3f} uct="0.000" urt="{rt:.3f}"',
                )
                if bad:
                    k.log(
                        "/tiles/nginx/error",
                        iid,
                        t,
                        f'{t:%Y/%m/%d %H:%M:%S} [error] 2113#2113: *{rng.randint(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.{rng.randint(30, 39)}.1.{rng.randint(5, 250)}, server: tiles-origin.{domain}, request: "GET {path} HTTP/1.1", upstream: "uwsgi://127.0.0.1:3031", host: "tiles-origin.{domain}"',
                    )
        if n == survivor:
            for t in minutes(cut + timedelta(seconds=20), now, 2):
                k.log(
                    "/tiles/uwsgi",
                    iid,
                    t,
                    '*** uWSGI listen queue of socket "127.0.0.1:3031" (fd: 3) full !!! (101/100) ***',
                )
        for t in minutes(start + timedelta(minutes=rng.randint(0, 14)), end_t, 15):
            k.log(
                "/tiles/uwsgi",
                iid,
                t,
                f"[pid: {rng.randint(2000, 2300)}|app: 0|req: {rng.randint(10**5, 10**6)}/{rng.randint(10**6, 10**7)}] tile cache: renderd queue={rng.randint(0, 4)} workers=16 busy={rng.randint(2, 7)}",
            )
    # the stop as the guest saw it
    k.log(
        "/tiles/messages",
        v_id,
        onset - timedelta(seconds=2),
        f"{onset:%b %d %H:%M:%S} {v_name} systemd-logind[812]: Power key pressed short.",
    )
    k.log(
        "/tiles/messages",
        v_id,
        onset - timedelta(seconds=1),
        f"{onset:%b %d %H:%M:%S} {v_name} systemd-logind[812]: Powering off...",
    )
    k.log(
        "/tiles/messages",
        v_id,
        onset,
        f"{onset:%b %d %H:%M:%S} {v_name} systemd[1]: Stopping uwsgi-tiles.service - uWSGI tile renderer...",
    )
    for n, (iid, *_r) in enumerate(inst):
        for t in minutes(start + timedelta(minutes=7), onset if n == victim else now, 60):
            k.log(
                "/tiles/messages",
                iid,
                t,
                f"{t:%b %d %H:%M:%S} {inst[n][4]} CRON[{rng.randint(20000, 40000)}]: (root) CMD (/usr/local/bin/tile-cache-prune --max-age 7d)",
            )

    tz = "Europe/London"
    local = onset.astimezone(ZoneInfo(tz))
    question = (
        f"Users are reporting the map is really slow and some tiles just stay grey, started roughly {local:%-I%p}".replace(
            "AM", "am"
        ).replace("PM", "pm")
        + " today. Someone changed the tiles CloudFront distribution earlier today - could that be it?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": k.account,
        "region": k.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": question,
            "alarm_event": k.alarm_event(
                lat,
                t_lat,
                "OK",
                start - timedelta(days=6),
                "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (1.5) (minimum 5 datapoints for ALARM -> OK transition).",
            ),
            "timezone": tz,
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": v_id,
                "category": "system_change",
                "failure_mode": "ec2-scheduled-instance-retirement",
            },
            "also_accept": [v_name, event_arn],
            "actions": ["restart", "scale"],
            "chain": [v_id, tg["TargetGroupName"], s_id, "tiles-prod", did],
        },
    }
    return k.bundle(manifest, now)
