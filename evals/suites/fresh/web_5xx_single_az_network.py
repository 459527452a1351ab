"""ELB 5xx from one Availability Zone: an AWS network impairment in that zone makes its targets time out."""

from __future__ import annotations

from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzi import Kit, iso, minutes, window_sum

NAME = "web-5xx-single-az-network"
TITLE = "fernhollow-web ELB 5xx alarm mid-morning; a WAF IP-set change went out shortly before"
SUMMARY = (
    "An AWS network impairment in one Availability Zone made the web targets in that zone time out and flap "
    "unhealthy; the load balancer answered 502/504 for requests routed there. Zonal shift away fixes it."
)

ALB_NS = "AWS/ApplicationELB"


def build(seed: int) -> Bundle:
    k = Kit(seed, "2" + "".join(str((seed * 11 + i * 5) % 10) for i in range(11)), "us-east-1", "az")
    r = k.rng
    acct, region = k.account, k.region
    day = k.day()
    onset = day.replace(hour=r.randrange(13, 17), minute=r.randrange(0, 60), second=0)
    start = onset - timedelta(hours=3, minutes=35 + r.randrange(0, 25))
    now = onset + timedelta(minutes=42 + r.randrange(0, 18), seconds=r.randrange(0, 60))
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    az_ids = dict(zip(azs, r.sample(["use1-az1", "use1-az2", "use1-az4", "use1-az6"], 3), strict=True))
    bad = r.choice(azs)
    vpc = "vpc-0" + k.hexid(16)
    subnets = {z: "subnet-0" + k.hexid(16) for z in azs}
    alb_name = "fernhollow-web"
    alb_id = k.hexid(16)
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{alb_name}/{alb_id}"
    alb_dim = f"app/{alb_name}/{alb_id}"
    tg_id = k.hexid(16)
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/fh-web/{tg_id}"
    tg_dim = f"targetgroup/fh-web/{tg_id}"
    sg_alb, sg_web = "sg-0" + k.hexid(16), "sg-0" + k.hexid(16)
    inst = {f"i-0{k.hexid(16)}": azs[n % 3] for n in range(6)}
    bad_inst = [i for i, z in inst.items() if z == bad]
    ip_of = {
        i: f"10.30.{azs.index(z) * 16 + r.randrange(1, 15)}.{r.randrange(4, 250)}" for i, z in inst.items()
    }
    ev_id = f"AWS_EC2_OPERATIONAL_ISSUE_{k.hexid(5).upper()}_{k.hexid(12).upper()}"
    ev_arn = f"arn:aws:health:{region}::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/{ev_id}"
    web_acl_id = k.uid()
    ipset_id = k.uid()

    # ---------- resources ----------
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**9, 10**10)}.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(day - timedelta(days=700)),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in subnets.items()],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": f"arn:aws:elasticloadbalancing:{region}:{acct}:listener/app/{alb_name}/{alb_id}/{k.hexid(16)}",
            "LoadBalancerArn": alb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": f"arn:aws:acm:{region}:{acct}:certificate/{k.uid()}"}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "fh-web",
            "Protocol": "HTTP",
            "Port": 8000,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    ami = "ami-0" + k.hexid(16)
    for i, z in inst.items():
        k.res(
            "ec2",
            "Instance",
            {
                "InstanceId": i,
                "ImageId": ami,
                "InstanceType": "c7g.xlarge",
                "State": {"Code": 16, "Name": "running"},
                "Placement": {"AvailabilityZone": z, "Tenancy": "default"},
                "PrivateIpAddress": ip_of[i],
                "SubnetId": subnets[z],
                "VpcId": vpc,
                "LaunchTime": iso(day - timedelta(days=r.randrange(3, 12))),
                "Monitoring": {"State": "enabled"},
                "SecurityGroups": [{"GroupId": sg_web, "GroupName": "fh-web"}],
                "Tags": [
                    {"Key": "Name", "Value": "fh-web"},
                    {"Key": "aws:autoscaling:groupName", "Value": "fh-web"},
                ],
                "Architecture": "arm64",
            },
        )
        k.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": i,
                "AvailabilityZone": z,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
    k.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": "fh-web",
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{k.uid()}:autoScalingGroupName/fh-web",
            "MinSize": 6,
            "MaxSize": 12,
            "DesiredCapacity": 6,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "CreatedTime": iso(day - timedelta(days=700)),
            "TargetGroupARNs": [tg_arn],
            "VPCZoneIdentifier": ",".join(subnets.values()),
            "Instances": [
                {
                    "InstanceId": i,
                    "AvailabilityZone": z,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "InstanceType": "c7g.xlarge",
                }
                for i, z in inst.items()
            ],
        },
    )
    k.res(
        "wafv2",
        "IPSet",
        {
            "Name": "blocked-scrapers",
            "Id": ipset_id,
            "ARN": f"arn:aws:wafv2:{region}:{acct}:regional/ipset/blocked-scrapers/{ipset_id}",
            "Description": "scrapers hammering /catalog",
            "IPAddressVersion": "IPV4",
            "Addresses": ["45.148.10.0/24", "193.32.162.0/24", "141.98.11.0/24"],
        },
    )
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": "fernhollow-prod",
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "EngineVersion": "16.3",
            "MultiAZ": True,
            "AvailabilityZone": next(z for z in azs if z != bad),
            "SecondaryAvailabilityZone": bad,
            "Endpoint": {
                "Address": f"fernhollow-prod.c{k.hexid(11)}.{region}.rds.amazonaws.com",
                "Port": 5432,
            },
            "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:fernhollow-prod",
            "AllocatedStorage": 500,
        },
    )

    # ---------- AWS Health ----------
    posted = onset + timedelta(minutes=r.randrange(14, 22))
    pdt = posted - timedelta(hours=7)
    k.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": ev_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE",
                    "eventTypeCategory": "issue",
                    "region": region,
                    "availabilityZone": bad,
                    "startTime": iso(onset - timedelta(minutes=2)),
                    "lastUpdatedTime": iso(posted),
                    "statusCode": "open",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    f"[{pdt:%-I:%M %p} PDT] We are investigating increased packet loss and network connectivity issues "
                    f"affecting some EC2 instances in a single Availability Zone ({az_ids[bad]}) in the US-EAST-1 Region. "
                    f"Other Availability Zones are not affected. Instances in the affected zone may see elevated timeouts "
                    f"when connecting to resources in the same or other Availability Zones. Customers can shift traffic "
                    f"away from the affected Availability Zone, for example with Amazon Application Recovery Controller "
                    f"zonal shift, to mitigate the impact. We will provide an update in 30 minutes."
                ),
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:{region}:{acct}:entity/{k.hexid(22)}",
                        "eventArn": ev_arn,
                        "entityValue": i,
                        "awsAccountId": acct,
                        "lastUpdatedTime": iso(posted),
                        "statusCode": "IMPAIRED",
                    }
                    for i in bad_inst
                ],
            },
        }
    )

    # ---------- target health timeline ----------
    for i, z in inst.items():
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": i, "Port": 8000, "AvailabilityZone": z},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
    unhealthy_minutes: dict[str, set[str]] = {i: set() for i in bad_inst}
    for i in bad_inst:
        t = onset + timedelta(seconds=r.randrange(30, 120))
        while t < now:
            down = timedelta(seconds=r.randrange(40, 200))
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": i, "Port": 8000, "AvailabilityZone": inst[i]},
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": iso(t),
                    },
                }
            )
            for m in minutes(t.replace(second=0), t + down):
                unhealthy_minutes[i].add(iso(m))
            t += down
            if t >= now:
                break
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": i, "Port": 8000, "AvailabilityZone": inst[i]},
                        "health": {"State": "healthy"},
                        "timestamp": iso(t),
                    },
                }
            )
            t += timedelta(seconds=r.randrange(60, 240))

    # ---------- CloudTrail ----------
    ops = k.sso("SecurityOps", "dev.malhotra@fernhollow.org")
    cd = k.role("codedeploy-fh-web", "CodeDeploy")
    ci = k.role("gh-actions-fernhollow-deploy", "GitHubActions")
    del cd
    deploy_t = onset - timedelta(minutes=r.randrange(100, 150))
    k.ct(
        deploy_t,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "fh-web",
            "deploymentGroupName": "fh-web-prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "fernhollow-artifacts",
                    "key": f"fh-web/{k.hexid(7)}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        },
        {"deploymentId": "d-" + k.hexid(9).upper()},
        ip="52.86.12.40",
        agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/codedeploy#3.540.0",
    )
    waf_t = onset - timedelta(minutes=r.randrange(12, 30))
    k.ct(
        waf_t - timedelta(minutes=1),
        "wafv2.amazonaws.com",
        "GetIPSet",
        ops,
        {"name": "blocked-scrapers", "scope": "REGIONAL", "id": ipset_id},
        read_only=True,
        ip="73.162.40.11",
        agent="AWS Internal",
    )
    k.ct(
        waf_t,
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        ops,
        {
            "name": "blocked-scrapers",
            "scope": "REGIONAL",
            "id": ipset_id,
            "description": "scrapers hammering /catalog",
            "addresses": ["45.148.10.0/24", "193.32.162.0/24", "141.98.11.0/24"],
            "lockToken": k.uid(),
        },
        {"nextLockToken": k.uid()},
        ip="73.162.40.11",
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(10, 60)),
        "ssm.amazonaws.com",
        "PutParameter",
        ops,
        {"name": "/fernhollow/web/FEATURE_HOLDS_V2", "type": "String", "overwrite": True},
        {"version": r.randrange(3, 9), "tier": "Standard"},
        ip="73.162.40.11",
        agent="AWS Internal",
    )
    k.read_noise(
        start,
        now,
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": ["fh-web"]}),
            ("wafv2.amazonaws.com", "ListWebACLs", {"scope": "REGIONAL", "limit": 100}),
            (
                "health.amazonaws.com",
                "DescribeEvents",
                {"filter": {"eventStatusCodes": ["open", "upcoming"]}},
            ),
        ],
        60,
    )

    # ---------- metrics ----------
    base = r.randrange(1500, 2400)
    for t in minutes(start, now + timedelta(minutes=1)):
        impaired = t >= onset
        total = (
            base
            * (0.85 + 0.3 * (t - start).total_seconds() / (now - start).total_seconds())
            * (0.94 + 0.12 * r.random())
        )
        k.put(ALB_NS, "RequestCount", {"LoadBalancer": alb_dim}, t, int(total))
        elb5_total = 0
        for z in azs:
            share = total / 3
            healthy_here = sum(
                1 for i, iz in inst.items() if iz == z and iso(t) not in unhealthy_minutes.get(i, set())
            )
            zd = {"LoadBalancer": alb_dim, "AvailabilityZone": z}
            tzd = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim, "AvailabilityZone": z}
            k.put(ALB_NS, "RequestCount", zd, t, int(share))
            k.put(ALB_NS, "HealthyHostCount", tzd, t, healthy_here)
            k.put(ALB_NS, "UnHealthyHostCount", tzd, t, 2 - healthy_here)
            if impaired:
                if z == bad:
                    e502 = int(share * (0.05 + 0.06 * r.random()))
                    e504 = int(share * (0.03 + 0.05 * r.random()))
                else:
                    e502 = int(share * (0.004 + 0.006 * r.random()))
                    e504 = int(share * (0.006 + 0.01 * r.random()))
            else:
                e502 = 1 if r.random() < 0.08 else 0
                e504 = 0
            if e502:
                k.put(ALB_NS, "HTTPCode_ELB_502_Count", zd, t, e502)
            if e504:
                k.put(ALB_NS, "HTTPCode_ELB_504_Count", zd, t, e504)
            if e502 + e504:
                k.put(ALB_NS, "HTTPCode_ELB_5XX_Count", zd, t, e502 + e504)
            elb5_total += e502 + e504
            if impaired and z == bad:
                k.put(ALB_NS, "TargetConnectionErrorCount", zd, t, int(share * 0.03 * r.random()) + 1)
        if elb5_total:
            k.put(ALB_NS, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb_dim}, t, elb5_total)
            k.put(
                ALB_NS,
                "HTTPCode_ELB_502_Count",
                {"LoadBalancer": alb_dim},
                t,
                elb5_total // 2 + elb5_total % 2,
            )
        served = int(total) - elb5_total
        d = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
        k.put(ALB_NS, "RequestCount", d, t, served)
        k.put(ALB_NS, "HTTPCode_Target_2XX_Count", d, t, int(served * 0.97))
        k.put(ALB_NS, "HTTPCode_Target_4XX_Count", d, t, int(served * 0.02))
        t5 = int(served * 0.01 * r.random()) if impaired else (1 if r.random() < 0.3 else 0)
        if t5:
            k.put(ALB_NS, "HTTPCode_Target_5XX_Count", d, t, t5)
        k.dist(
            ALB_NS,
            "TargetResponseTime",
            d,
            t,
            0.14 if not impaired else 0.19,
            5.0 if impaired else 0.9,
            served,
        )
        healthy_total = sum(1 for i in inst if iso(t) not in unhealthy_minutes.get(i, set()))
        k.put(ALB_NS, "HealthyHostCount", d, t, healthy_total)
        k.put(ALB_NS, "UnHealthyHostCount", d, t, 6 - healthy_total)
        for i, z in inst.items():
            cpu = 38 + 10 * r.random()
            net = served / 6 * 9000 * (0.9 + 0.2 * r.random())
            if impaired and z == bad:
                cpu *= 0.45
                net *= 0.4
            k.put("AWS/EC2", "CPUUtilization", {"InstanceId": i}, t, cpu, "Percent")
            k.put("AWS/EC2", "NetworkOut", {"InstanceId": i}, t, int(net * 60), "Bytes")
            k.put("AWS/EC2", "StatusCheckFailed", {"InstanceId": i}, t, 0)
        k.put(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "fernhollow-prod"},
            t,
            22 + 8 * r.random(),
            "Percent",
        )
        k.put(
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": "fernhollow-prod"},
            t,
            r.randrange(118, 130),
        )

    # ---------- logs ----------
    for t in minutes(start, now, 1):
        for i, z in inst.items():
            grp, stream = "/fernhollow/web", f"{i}/gunicorn.log"
            if t >= onset and z == bad and r.random() < 0.8:
                ts = t + timedelta(seconds=r.randrange(0, 60))
                k.log(
                    grp,
                    stream,
                    ts,
                    r.choice(
                        [
                            f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [{r.randrange(900, 999)}] [ERROR] Error handling request "
                            f"/loans/\nTraceback (most recent call last):\n  ...\nredis.exceptions.TimeoutError: Timeout "
                            f"connecting to server",
                            f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:{r.randrange(900, 999)})",
                            f"[{ts:%Y-%m-%d %H:%M:%S} +0000] [{r.randrange(900, 999)}] [ERROR] django.db.utils.OperationalError:"
                            f' connection to server at "fernhollow-prod.{region}.rds.amazonaws.com" (10.30.{r.randrange(0, 40)}.'
                            f"{r.randrange(2, 250)}), port 5432 failed: timeout expired",
                        ]
                    ),
                )
            elif r.random() < 0.35:
                ts = t + timedelta(seconds=r.randrange(0, 60))
                p = r.choice(["/catalog/search?q=", "/loans/", "/holds/", "/account/", "/ebooks/reader/"])
                k.log(
                    grp,
                    stream,
                    ts,
                    f"10.30.{r.randrange(0, 48)}.{r.randrange(2, 250)} - - [{ts:%d/%b/%Y:%H:%M:%S} "
                    f'+0000] "GET {p} HTTP/1.1" 200 {r.randrange(900, 40000)} "-" '
                    f'"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36" '
                    f"{r.randrange(40, 400) / 1000:.3f}",
                )

    # ---------- alarms ----------
    topic = f"arn:aws:sns:{region}:{acct}:fernhollow-pager"
    fire = onset + timedelta(minutes=r.randrange(2, 4))
    val = window_sum(k, ALB_NS, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb_dim}, fire, 60)
    prev = window_sum(
        k, ALB_NS, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb_dim}, fire - timedelta(minutes=1), 60
    )
    reason = (
        f"Threshold Crossed: 2 out of the last 3 datapoints [{val} ({(fire - timedelta(minutes=1)):%d/%m/%y %H:%M}"
        f":00), {prev} ({(fire - timedelta(minutes=2)):%d/%m/%y %H:%M}:00)] were greater than the threshold (50.0)"
        f" (minimum 2 datapoints for OK -> ALARM transition)."
    )
    a = k.alarm(
        "fernhollow-web-elb-5xx",
        ALB_NS,
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": alb_dim},
        stat="Sum",
        period=60,
        evals=3,
        threshold=50,
        op="GreaterThanThreshold",
        topic=topic,
        state="ALARM",
        state_reason=reason,
        state_time=fire,
        config_time=day - timedelta(days=120),
        description="Load balancer generated 5xx (no healthy target / target timeouts)",
    )
    a["DatapointsToAlarm"] = 2
    k.transition(a, fire, "OK", "ALARM", reason)
    u = k.alarm(
        "fh-web-unhealthy-hosts",
        ALB_NS,
        "UnHealthyHostCount",
        {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
        stat="Maximum",
        period=60,
        evals=3,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        topic=topic,
        state="ALARM",
        state_reason="Threshold Crossed: 3 datapoints [1.0, 2.0, 1.0] were greater than or equal to the "
        "threshold (1.0).",
        state_time=onset + timedelta(minutes=6),
        config_time=day - timedelta(days=120),
    )
    k.transition(u, onset + timedelta(minutes=6), "OK", "ALARM", u["StateReason"])
    w = k.alarm(
        "fernhollow-waf-blocked-spike",
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": "fernhollow-web-acl", "Region": region, "Rule": "ALL"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5000,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_reason="Threshold Crossed: 1 datapoint [812.0] was not greater than the threshold (5000.0).",
        state_time=start + timedelta(minutes=70),
        config_time=day - timedelta(days=90),
    )
    k.transition(
        w,
        start + timedelta(minutes=55),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [6120.0] was greater than the threshold (5000.0).",
    )
    k.transition(w, start + timedelta(minutes=70), "ALARM", "OK", w["StateReason"])
    for t in minutes(start, now + timedelta(minutes=1), 5):
        blocked = 700 + r.randrange(0, 300)
        if start + timedelta(minutes=50) <= t < start + timedelta(minutes=55):
            blocked = 6120
        k.put(
            "AWS/WAFV2",
            "BlockedRequests",
            {"WebACL": "fernhollow-web-acl", "Region": region, "Rule": "ALL"},
            t,
            blocked,
        )
        k.put(
            "AWS/WAFV2",
            "AllowedRequests",
            {"WebACL": "fernhollow-web-acl", "Region": region, "Rule": "ALL"},
            t,
            base * 5 * (0.9 + 0.2 * r.random()),
        )
    del web_acl_id

    event = k.alarm_event(a, fire, reason, day - timedelta(days=2, hours=r.randrange(0, 20)))
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": event},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": ev_arn,
                "category": "system_change",
                "failure_mode": "az-network-impairment",
            },
            "also_accept": [bad, az_ids[bad], ev_id, "AWS_EC2_OPERATIONAL_ISSUE"],
            "actions": ["exclude"],
            "chain": [ev_arn, bad, *bad_inst, tg_arn, alb_arn],
        },
    }
    return k.bundle(manifest, now)
