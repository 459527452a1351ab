"""Sales reps' larger quotes fail to save with Forbidden; small quotes fine."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zw as k

NAME = "quoteforge-big-quotes-forbidden"
TITLE = "Sales reps can't save bigger quotes since mid-morning ('Forbidden'); small quotes save fine"
SUMMARY = "Large quote saves answered 403 at the front door while the web fleet and database look normal"

REGION = "eu-west-2"


def _rules(acct: str, with_crs: bool) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {
            "Name": "AWS-AWSManagedRulesAmazonIpReputationList",
            "Priority": 0,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesAmazonIpReputationList",
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": {
                "SampledRequestsEnabled": True,
                "CloudWatchMetricsEnabled": True,
                "MetricName": "AWS-AWSManagedRulesAmazonIpReputationList",
            },
        },
        {
            "Name": "per-ip-rate-limit",
            "Priority": 1,
            "Statement": {
                "RateBasedStatement": {"Limit": 2000, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}
            },
            "Action": {"Block": {}},
            "VisibilityConfig": {
                "SampledRequestsEnabled": True,
                "CloudWatchMetricsEnabled": True,
                "MetricName": "per-ip-rate-limit",
            },
        },
    ]
    if with_crs:
        rules.append(
            {
                "Name": "AWS-AWSManagedRulesCommonRuleSet",
                "Priority": 2,
                "Statement": {
                    "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
                },
                "OverrideAction": {"None": {}},
                "VisibilityConfig": {
                    "SampledRequestsEnabled": True,
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": "AWS-AWSManagedRulesCommonRuleSet",
                },
            }
        )
    return rules


def build(seed: int) -> Bundle:
    r = random.Random(f"{NAME}:{seed}")
    acct = k.account(r)
    day = datetime(2026, 1, 6, tzinfo=UTC) + timedelta(
        days=r.choice([0, 1, 2, 3, 7, 8, 9, 14, 15, 16, 21, 22])
    )
    onset = day + timedelta(hours=10, minutes=r.randrange(5, 40))
    start = onset - timedelta(hours=7, minutes=onset.minute)
    fine = onset - timedelta(hours=2)
    now = onset + timedelta(minutes=r.randrange(45, 70))
    sev = r.uniform(0.8, 1.25)

    vpc = "vpc-0" + k.hexid(r, 16)
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    subnets = ["subnet-0" + k.hexid(r, 16) for _ in azs]
    sg_web = ("sg-0" + k.hexid(r, 16), "quoteforge-web")
    lb_name = "quoteforge-prod"
    lb_hex, tg_hex = k.hexid(r, 16), k.hexid(r, 16)
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/quoteforge-web/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tg_dim}"
    acl_id = k.uid(r)
    acl_name = "quoteforge-prod-edge"
    acl_arn = f"arn:aws:wafv2:{REGION}:{acct}:regional/webacl/{acl_name}/{acl_id}"
    topic = f"arn:aws:sns:{REGION}:{acct}:quoteforge-oncall"
    ami = "ami-0" + k.hexid(r, 16)
    iids = ["i-0" + k.hexid(r, 16) for _ in azs]
    db_id = "quoteforge-pg-prod"
    asg_name = "quoteforge-web-prod"

    resources: list[dict[str, Any]] = []
    launched = day - timedelta(days=r.randrange(3, 12), hours=r.randrange(0, 9))
    for i, (iid, az, sn) in enumerate(zip(iids, azs, subnets, strict=True)):
        resources.append(
            k.res(
                "ec2",
                "Instance",
                k.ec2_instance(
                    r,
                    acct,
                    iid,
                    az,
                    sn,
                    vpc,
                    sg_web,
                    ami,
                    "m7g.large",
                    launched + timedelta(minutes=3 * i),
                    "quoteforge-web-prod",
                    {
                        "Name": "quoteforge-web",
                        "aws:autoscaling:groupName": asg_name,
                        "env": "prod",
                        "team": "sales-tools",
                    },
                ),
            )
        )
        resources.append(k.res("ec2", "InstanceStatus", k.instance_status(iid, az)))
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{r.randrange(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(day - timedelta(days=400)),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": az, "SubnetId": sn} for az, sn in zip(azs, subnets, strict=True)
                ],
                "SecurityGroups": ["sg-0" + k.hexid(r, 16)],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "quoteforge-web",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:listener/{lb_dim}/{k.hexid(r, 16)}",
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(r)}"}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        )
    )
    resources.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{acct}:autoScalingGroup:{k.uid(r)}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {
                    "LaunchTemplateId": "lt-0" + k.hexid(r, 16),
                    "LaunchTemplateName": "quoteforge-web",
                    "Version": "$Latest",
                },
                "MinSize": 3,
                "MaxSize": 9,
                "DesiredCapacity": 3,
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 120,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "m7g.large",
                        "AvailabilityZone": az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "ProtectedFromScaleIn": False,
                    }
                    for iid, az in zip(iids, azs, strict=True)
                ],
                "CreatedTime": k.iso(day - timedelta(days=400)),
                "VPCZoneIdentifier": ",".join(subnets),
                "Tags": [],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        )
    )
    resources.append(
        k.res(
            "wafv2",
            "WebACL",
            {
                "Name": acl_name,
                "Id": acl_id,
                "ARN": acl_arn,
                "DefaultAction": {"Allow": {}},
                "Description": "Regional web ACL for the quoteforge ALB",
                "Rules": _rules(acct, True),
                "VisibilityConfig": {
                    "SampledRequestsEnabled": True,
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": acl_name,
                },
                "Capacity": 1125,
                "ManagedByFirewallManager": False,
                "LabelNamespace": f"awswaf:{acct}:webacl:{acl_name}:",
            },
        )
    )
    resources.append(
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.large",
                "Engine": "postgres",
                "EngineVersion": "16.4",
                "DBInstanceStatus": "available",
                "MasterUsername": "quoteforge_admin",
                "Endpoint": {"Address": f"{db_id}.{k.hexid(r, 12)}.{REGION}.rds.amazonaws.com", "Port": 5432},
                "AllocatedStorage": 200,
                "InstanceCreateTime": k.iso(day - timedelta(days=500)),
                "MultiAZ": True,
                "AvailabilityZone": azs[0],
                "SecondaryAvailabilityZone": azs[1],
                "StorageType": "gp3",
                "DbiResourceId": "db-" + k.upper_id(r, 26),
                "DBInstanceArn": f"arn:aws:rds:{REGION}:{acct}:db:{db_id}",
                "StorageEncrypted": True,
                "PubliclyAccessible": False,
                "BackupRetentionPeriod": 7,
                "PreferredBackupWindow": "02:10-02:40",
                "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            },
        )
    )
    for g in ["/quoteforge/nginx/access", "/quoteforge/app", f"/aws/rds/instance/{db_id}/postgresql"]:
        resources.append(k.res("logs", "LogGroup", k.log_group(acct, REGION, g, day - timedelta(days=300))))

    # --- code deploy at onset-9m (one instance at a time) ---
    deploy_at = onset - timedelta(minutes=r.randrange(8, 13))
    dep_id = f"d-{k.upper_id(r, 9)}"
    commit = k.hexid(r, 40)
    per_inst = [
        (deploy_at + timedelta(seconds=40 + 150 * i), deploy_at + timedelta(seconds=40 + 150 * i + 95))
        for i in range(3)
    ]
    resources.append(
        k.res(
            "codedeploy",
            "DeploymentInfo",
            {
                "applicationName": "quoteforge-web",
                "deploymentGroupName": "prod",
                "deploymentConfigName": "CodeDeployDefault.OneAtATime",
                "deploymentId": dep_id,
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"quoteforge-artifacts-{acct}",
                        "key": f"quoteforge-web/{commit[:12]}.zip",
                        "bundleType": "zip",
                    },
                },
                "status": "Succeeded",
                "createTime": k.iso(deploy_at),
                "startTime": k.iso(deploy_at + timedelta(seconds=6)),
                "completeTime": k.iso(per_inst[-1][1] + timedelta(seconds=20)),
                "deploymentOverview": {
                    "Pending": 0,
                    "InProgress": 0,
                    "Succeeded": 3,
                    "Failed": 0,
                    "Skipped": 0,
                    "Ready": 0,
                },
                "description": f"quoteforge-web {commit[:7]}: PDF footer shows rep phone number",
                "creator": "user",
                "ignoreApplicationStopFailures": False,
                "updateOutdatedInstancesOnly": False,
                "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
                "loadBalancerInfo": {"targetGroupInfoList": [{"name": "quoteforge-web"}]},
                "fileExistsBehavior": "DISALLOW",
                "computePlatform": "Server",
            },
        )
    )

    # --- metrics ---
    metrics: list[dict[str, Any]] = []
    per_min: dict[str, dict[datetime, float]] = {
        "elb4xx": {},
        "t5xx": {},
        "blocked": {},
        "unhealthy": {},
        "dbcpu": {},
    }
    ALB = "AWS/ApplicationELB"
    off = 0.0
    change_at = onset - timedelta(minutes=r.randrange(1, 3), seconds=r.randrange(60))
    for t, p in k.timeline(start, fine, now):
        load = k.diurnal(t, off, 13.5, 0.05) * r.uniform(0.92, 1.08)
        req = 950 * load * p
        saves = req * 0.055
        big = (
            saves * 0.3 * sev
            if t >= onset - timedelta(minutes=1) and t + timedelta(minutes=p) > change_at
            else 0.0
        )
        if t < change_at - timedelta(minutes=1):
            big = 0.0
        blocked_rate = int(req * 0.0015 + r.random() * 2 * p)
        elb4 = int(r.random() * 3 * p) + round(big)
        t4 = int(req * 0.012 * r.uniform(0.7, 1.3))
        t5 = 1 if r.random() < 0.03 * p else 0
        passed = req - round(big) - blocked_rate
        ddims = {"LoadBalancer": lb_dim}
        tdims = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        metrics.append(k.metric(ALB, "RequestCount", ddims, t, "Count", round(passed)))
        metrics.append(k.metric(ALB, "RequestCount", tdims, t, "Count", round(passed)))
        metrics.append(k.metric(ALB, "HTTPCode_Target_2XX_Count", ddims, t, "Count", round(passed - t4 - t5)))
        metrics.append(k.metric(ALB, "HTTPCode_Target_2XX_Count", tdims, t, "Count", round(passed - t4 - t5)))
        metrics.append(k.metric(ALB, "HTTPCode_Target_4XX_Count", ddims, t, "Count", t4))
        metrics.append(k.metric(ALB, "HTTPCode_Target_4XX_Count", tdims, t, "Count", t4))
        if t5:
            metrics.append(k.metric(ALB, "HTTPCode_Target_5XX_Count", ddims, t, "Count", t5))
            metrics.append(k.metric(ALB, "HTTPCode_Target_5XX_Count", tdims, t, "Count", t5))
        if elb4 + blocked_rate:
            metrics.append(k.metric(ALB, "HTTPCode_ELB_4XX_Count", ddims, t, "Count", elb4 + blocked_rate))
        n = max(passed, 1)
        avg = 0.085 * r.uniform(0.9, 1.1)
        metrics.append(
            k.stats(ALB, "TargetResponseTime", tdims, t, "Seconds", n, n * avg, 0.002, r.uniform(0.9, 2.2))
        )
        metrics.append(
            k.stats(ALB, "TargetResponseTime", ddims, t, "Seconds", n, n * avg, 0.002, r.uniform(0.9, 2.2))
        )
        metrics.append(k.metric(ALB, "ActiveConnectionCount", ddims, t, "Count", round(req * 0.31)))
        metrics.append(k.metric(ALB, "NewConnectionCount", ddims, t, "Count", round(req * 0.22)))
        metrics.append(
            k.metric(ALB, "ProcessedBytes", ddims, t, "Bytes", round(passed * r.uniform(5200, 6400)))
        )
        healthy = 3
        for a, b in per_inst:
            if a <= t < b + timedelta(minutes=1) and p == 1:
                healthy = 2
        metrics.append(k.metric(ALB, "HealthyHostCount", tdims, t, "Count", healthy))
        metrics.append(k.metric(ALB, "UnHealthyHostCount", tdims, t, "Count", 0))
        waf = {"WebACL": acl_name, "Region": REGION}
        metrics.append(
            k.metric("AWS/WAFV2", "AllowedRequests", {**waf, "Rule": "ALL"}, t, "Count", round(passed))
        )
        metrics.append(
            k.metric(
                "AWS/WAFV2", "BlockedRequests", {**waf, "Rule": "ALL"}, t, "Count", round(big) + blocked_rate
            )
        )
        if blocked_rate:
            metrics.append(
                k.metric(
                    "AWS/WAFV2",
                    "BlockedRequests",
                    {**waf, "Rule": "AWS-AWSManagedRulesAmazonIpReputationList"},
                    t,
                    "Count",
                    blocked_rate,
                )
            )
        if round(big):
            metrics.append(
                k.metric(
                    "AWS/WAFV2",
                    "BlockedRequests",
                    {**waf, "Rule": "AWS-AWSManagedRulesCommonRuleSet"},
                    t,
                    "Count",
                    round(big),
                )
            )
        for iid in iids:
            cpu = 8 + 34 * load + r.gauss(0, 2.5)
            metrics.append(
                k.metric("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t, "Percent", max(cpu, 1.0))
            )
            metrics.append(
                k.metric(
                    "AWS/EC2", "NetworkIn", {"InstanceId": iid}, t, "Bytes", req / 3 * r.uniform(2300, 2900)
                )
            )
        dbcpu = 6 + 30 * load + r.gauss(0, 2)
        metrics.append(
            k.metric("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": db_id}, t, "Percent", dbcpu)
        )
        metrics.append(
            k.metric(
                "AWS/RDS",
                "DatabaseConnections",
                {"DBInstanceIdentifier": db_id},
                t,
                "Count",
                36 + r.randrange(0, 5),
            )
        )
        metrics.append(
            k.metric(
                "AWS/RDS",
                "ReadLatency",
                {"DBInstanceIdentifier": db_id},
                t,
                "Seconds",
                r.uniform(0.0006, 0.0011),
            )
        )
        metrics.append(
            k.metric(
                "AWS/RDS",
                "WriteLatency",
                {"DBInstanceIdentifier": db_id},
                t,
                "Seconds",
                r.uniform(0.0012, 0.0024),
            )
        )
        metrics.append(
            k.metric(
                "AWS/RDS",
                "FreeStorageSpace",
                {"DBInstanceIdentifier": db_id},
                t,
                "Bytes",
                131.4e9 - (t - start).total_seconds() * 900,
            )
        )
        if p == 1:
            per_min["elb4xx"][t] = elb4 + blocked_rate
            per_min["t5xx"][t] = t5
            per_min["blocked"][t] = round(big) + blocked_rate
            per_min["unhealthy"][t] = 0
            per_min["dbcpu"][t] = dbcpu

    # --- alarms ---
    created = day - timedelta(days=200)
    specs = [
        (
            "quoteforge-alb-target-5xx",
            "Target 5xx on the quoteforge ALB",
            ALB,
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb_dim},
            "Sum",
            60,
            5,
            3,
            25.0,
            "t5xx",
            "sum",
        ),
        (
            "quoteforge-web-unhealthy-hosts",
            "Unhealthy quoteforge web targets",
            ALB,
            "UnHealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Maximum",
            60,
            3,
            3,
            0.0,
            "unhealthy",
            "max",
        ),
        (
            "quoteforge-waf-blocked-surge",
            "WAF blocking far more than usual (attack?)",
            "AWS/WAFV2",
            "BlockedRequests",
            {"WebACL": acl_name, "Region": REGION, "Rule": "ALL"},
            "Sum",
            300,
            2,
            2,
            400.0,
            "blocked",
            "sum",
        ),
        (
            "quoteforge-pg-prod-cpu-high",
            "quoteforge-pg-prod CPU",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "dbcpu",
            "avg",
        ),
    ]
    alarms, history = [], []
    for name, desc, ns, mn, dims, stat, period, ev, dta, th, key, how in specs:
        al = k.Alarm(
            acct,
            REGION,
            name,
            desc,
            ns,
            mn,
            dims,
            stat,
            period,
            ev,
            dta,
            th,
            "GreaterThanThreshold",
            topic,
            created,
        )
        al.evaluate(k.per_period(per_min[key], fine, now - timedelta(minutes=2), period // 60, how))
        alarms.append(al.item())
        history.extend(al.history)

    # --- logs ---
    logs: list[dict[str, Any]] = []
    paths = [
        ("GET", "/api/quotes?owner=me&page=1", 200, 1800),
        ("GET", "/api/quotes/{q}", 200, 7400),
        ("GET", "/api/products/search?q={w}", 200, 5200),
        ("GET", "/api/customers/{c}", 200, 2100),
        ("POST", "/api/quotes/{q}/pdf", 200, 240),
        ("GET", "/static/app.{h}.js", 200, 312000),
        ("GET", "/api/session", 200, 410),
    ]
    words = ["valve", "pump", "bracket", "m12", "flange", "gasket", "motor"]
    reps = ["a.kowal", "j.mensah", "s.ortiz", "l.brennan", "r.iyer", "h.nakamura", "c.doyle", "m.fischer"]
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    bad_warned = False
    for t in k.minutes(start, now, 1):
        load = k.diurnal(t, off, 13.5, 0.05)
        for iid in iids:
            n_lines = max(0, int(4 * load + r.random() * 1.5))
            for _ in range(n_lines):
                when = t + timedelta(seconds=r.uniform(0, 59.9))
                ip = f"{r.choice([81, 86, 90, 92, 109])}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
                if r.random() < 0.22:
                    q = r.randrange(48000, 61000)
                    lines = r.choice([r.randrange(3, 30), r.randrange(3, 30), r.randrange(40, 160)])
                    size = 900 + lines * 190
                    if size > 8192 and when >= change_at:
                        continue
                    dur = k.lognormal_ms(r, 60 + lines * 1.1) / 1000
                    logs.append(
                        {
                            "log_group": "/quoteforge/nginx/access",
                            "log_stream": f"{iid}/access.log",
                            "timestamp": k.ms(when),
                            "message": f'{ip} - - [{when.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "PUT /api/quotes/{q} HTTP/1.1" 200 {r.randrange(700, 1400)} "https://app.quoteforge.io/quotes/{q}" "{ua}" rt={dur:.3f} uct=0.000 urt={dur:.3f} req_len={size}',
                        }
                    )
                    logs.append(
                        {
                            "log_group": "/quoteforge/app",
                            "log_stream": f"{iid}/quoteforge-web",
                            "timestamp": k.ms(when),
                            "message": json.dumps(
                                {
                                    "level": 30,
                                    "time": k.ms(when),
                                    "pid": 2817,
                                    "hostname": iid,
                                    "reqId": f"req-{k.hexid(r, 8)}",
                                    "user": r.choice(reps),
                                    "quoteId": q,
                                    "lineItems": lines,
                                    "revision": r.randrange(2, 40),
                                    "msg": "quote saved",
                                    "responseTime": round(dur * 1000, 1),
                                }
                            ),
                        }
                    )
                    continue
                m, pth, code, size = r.choice(paths)
                pth = pth.replace("{q}", str(r.randrange(48000, 61000))).replace("{w}", r.choice(words))
                pth = pth.replace("{c}", str(r.randrange(1000, 9000))).replace("{h}", "3f9c2a1b")
                dur = k.lognormal_ms(r, 35 if m == "GET" else 420) / 1000
                if "/pdf" in pth:
                    size = r.randrange(90000, 400000)
                logs.append(
                    {
                        "log_group": "/quoteforge/nginx/access",
                        "log_stream": f"{iid}/access.log",
                        "timestamp": k.ms(when),
                        "message": f'{ip} - - [{when.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "{m} {pth} HTTP/1.1" {code} {size} "https://app.quoteforge.io/" "{ua}" rt={dur:.3f} uct=0.000 urt={dur:.3f} req_len={r.randrange(300, 900)}',
                    }
                )
            if r.random() < 0.015:
                logs.append(
                    {
                        "log_group": "/quoteforge/app",
                        "log_stream": f"{iid}/quoteforge-web",
                        "timestamp": k.ms(t + timedelta(seconds=r.uniform(0, 59))),
                        "message": json.dumps(
                            {
                                "level": 40,
                                "time": k.ms(t),
                                "pid": 2817,
                                "hostname": iid,
                                "msg": r.choice(
                                    [
                                        "pdf render slow: 2841ms for 1 page(s)",
                                        "exchange-rate cache refresh took 1.9s (ecb feed)",
                                        "session near expiry, refreshing token",
                                    ]
                                ),
                            }
                        ),
                    }
                )
        if not bad_warned and t > start + timedelta(hours=2):
            bad_warned = True
            logs.append(
                {
                    "log_group": f"/aws/rds/instance/{db_id}/postgresql",
                    "log_stream": db_id,
                    "timestamp": k.ms(t),
                    "message": f"{k.iso(t).replace('T', ' ').replace('Z', ' UTC')}:10.40.12.77(51544):quoteforge_app@quoteforge:[14772]:LOG:  duration: 1214.337 ms  statement: SELECT q.* FROM quotes q JOIN quote_lines l ON l.quote_id = q.id WHERE q.owner_id = $1 ORDER BY q.updated_at DESC LIMIT 50",
                }
            )
    # the deploy's restart lines
    for iid, (a, _b) in zip(iids, per_inst, strict=True):
        for dt, msg in [
            (0, "SIGTERM received, draining"),
            (50, "server listening on :8080"),
            (51, f"quoteforge-web {commit[:7]} ready"),
        ]:
            when = a + timedelta(seconds=dt)
            logs.append(
                {
                    "log_group": "/quoteforge/app",
                    "log_stream": f"{iid}/quoteforge-web",
                    "timestamp": k.ms(when),
                    "message": json.dumps(
                        {
                            "level": 30,
                            "time": k.ms(when),
                            "pid": 2817 if dt == 0 else 3104,
                            "hostname": iid,
                            "msg": msg,
                        }
                    ),
                }
            )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- target health, events ---
    events: list[dict[str, Any]] = []
    for iid in iids:
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": iid, "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(start),
                },
            }
        )
    for iid, (a, b) in zip(iids, per_inst, strict=True):
        tgt = {"Id": iid, "Port": 8080}
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": k.iso(a),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(b - timedelta(seconds=45)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(b),
                },
            }
        )

    # --- CloudTrail ---
    ct: list[dict[str, Any]] = []
    sec = k.sso_user(
        r,
        acct,
        REGION,
        "SecurityEngineer",
        r.choice(["tomasz.wojcik", "ines.duarte", "kwame.asante"]) + "@quoteforge.io",
        f"62.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
        onset - timedelta(minutes=50),
    )
    dev = k.sso_user(
        r,
        acct,
        REGION,
        "PlatformEngineer",
        r.choice(["ellie.hart", "dmitri.volkov", "sana.qureshi"]) + "@quoteforge.io",
        f"81.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
        start + timedelta(hours=3),
    )
    ci = k.assumed(
        r,
        acct,
        "github-actions-deploy",
        "GitHubActions",
        f"20.{r.randrange(26, 29)}.{r.randrange(256)}.{r.randrange(256)}",
        "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#deploy.create-deployment",
        start,
    )
    inst_role = k.assumed(
        r,
        acct,
        "quoteforge-web-prod",
        iids[0],
        "",
        "aws-sdk-js/3.693.0 ua/2.1 os/linux#6.1.115-126.197.amzn2023.aarch64 lang/js md/nodejs#20.18.0 api/secrets-manager#3.693.0",
        start,
    )
    inst_role.identity["arn"] = inst_role.identity["arn"]
    inst_role.ip = "10.40.12.77"
    cd_svc = k.assumed(
        r, acct, "quoteforge-codedeploy", "CodeDeploy", "", "", start, invoked_by="codedeploy.amazonaws.com"
    )
    graf = k.assumed(
        r,
        acct,
        "grafana-cloudwatch-read",
        "grafana",
        "18.135.40.7",
        "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
        start,
    )

    def ro(who: k.Who, src: str, name: str, p: dict[str, Any] | None) -> Any:
        return lambda t: k.cloudtrail(r, acct, REGION, t, who, src, name, p, None, read_only=True)

    routine = [
        ro(
            graf,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNamePrefix": "quoteforge", "maxRecords": 100},
        ),
        ro(graf, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ro(
            graf,
            "ec2.amazonaws.com",
            "DescribeInstances",
            {
                "instancesSet": {},
                "filterSet": {
                    "items": [{"name": "tag:team", "valueSet": {"items": [{"value": "sales-tools"}]}}]
                },
            },
        ),
        ro(
            inst_role,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": "prod/quoteforge/pg-app"},
        ),
        ro(dev, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
        ro(dev, "logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/quoteforge"}),
    ]
    ct += k.pick(r, routine, k.spread(r, start, now, 34))
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            start + timedelta(minutes=r.randrange(20, 90)),
            dev,
            "ssm.amazonaws.com",
            "PutParameter",
            {"name": "/quoteforge/prod/feature/pdf-watermark", "type": "String", "overwrite": True},
            {"version": 4, "tier": "Standard"},
            console=True,
        )
    )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            deploy_at - timedelta(seconds=2),
            ci,
            "codedeploy.amazonaws.com",
            "CreateDeployment",
            {
                "applicationName": "quoteforge-web",
                "deploymentGroupName": "prod",
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"quoteforge-artifacts-{acct}",
                        "key": f"quoteforge-web/{commit[:12]}.zip",
                        "bundleType": "zip",
                    },
                },
                "description": f"quoteforge-web {commit[:7]}: PDF footer shows rep phone number",
            },
            {"deploymentId": dep_id},
        )
    )
    for iid, (a, b) in zip(iids, per_inst, strict=True):
        ct.append(
            k.cloudtrail(
                r,
                acct,
                REGION,
                a,
                cd_svc,
                "elasticloadbalancing.amazonaws.com",
                "DeregisterTargets",
                {"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                None,
            )
        )
        ct.append(
            k.cloudtrail(
                r,
                acct,
                REGION,
                b - timedelta(seconds=46),
                cd_svc,
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                {"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                None,
            )
        )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            change_at - timedelta(minutes=6),
            sec,
            "wafv2.amazonaws.com",
            "ListAvailableManagedRuleGroups",
            {"scope": "REGIONAL", "limit": 100},
            None,
            read_only=True,
            console=True,
        )
    )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            change_at - timedelta(minutes=5),
            sec,
            "wafv2.amazonaws.com",
            "DescribeManagedRuleGroup",
            {"vendorName": "AWS", "name": "AWSManagedRulesCommonRuleSet", "scope": "REGIONAL"},
            None,
            read_only=True,
            console=True,
        )
    )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            change_at - timedelta(minutes=4),
            sec,
            "wafv2.amazonaws.com",
            "GetWebACL",
            {"name": acl_name, "scope": "REGIONAL", "id": acl_id},
            None,
            read_only=True,
            console=True,
        )
    )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            change_at - timedelta(minutes=3),
            sec,
            "wafv2.amazonaws.com",
            "CheckCapacity",
            {"scope": "REGIONAL", "rules": k.camel(_rules(acct, True))},
            {"capacity": 1125},
            read_only=True,
            console=True,
        )
    )
    culprit = k.cloudtrail(
        r,
        acct,
        REGION,
        change_at,
        sec,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        {
            "name": acl_name,
            "scope": "REGIONAL",
            "id": acl_id,
            "defaultAction": {"allow": {}},
            "description": "Regional web ACL for the quoteforge ALB",
            "rules": k.camel(_rules(acct, True)),
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": acl_name,
            },
            "lockToken": k.uid(r),
        },
        {"nextLockToken": k.uid(r)},
        console=True,
    )
    ct.append(culprit)
    ct.append(
        k.cloudtrail(
            r,
            acct,
            REGION,
            change_at + timedelta(minutes=2),
            sec,
            "wafv2.amazonaws.com",
            "GetWebACL",
            {"name": acl_name, "scope": "REGIONAL", "id": acl_id},
            None,
            read_only=True,
            console=True,
        )
    )
    ct.append(
        k.cloudtrail(
            r,
            acct,
            "us-east-1",
            onset + timedelta(minutes=r.randrange(4, 9)),
            dev,
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            {
                "hostedZoneId": "Z0" + k.upper_id(r, 19),
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": "status.quoteforge.io",
                                "type": "CNAME",
                                "tTL": 300,
                                "resourceRecords": [{"value": "quoteforge.statuspage.io"}],
                            },
                        }
                    ]
                },
            },
            {
                "changeInfo": {
                    "id": "/change/C0" + k.upper_id(r, 19),
                    "status": "PENDING",
                    "submittedAt": k.iso(onset),
                }
            },
            console=True,
        )
    )
    ct = [c for c in ct if c["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda c: c["eventTime"])

    local_onset = onset + timedelta(minutes=(5 - onset.minute % 5) % 5)
    question = (
        f"Since about {local_onset.strftime('%H:%M').lstrip('0')} a bunch of sales reps say saving their bigger quotes fails with a "
        "'Forbidden' error. Small quotes save fine and nothing has paged. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": acl_name,
                    "category": "change",
                    "failure_mode": "waf-managed-rule-blocks-large-bodies",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [acl_id, acl_arn, "AWS-AWSManagedRulesCommonRuleSet"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"UpdateWebACL added AWSManagedRulesCommonRuleSet to {acl_name} with no overrides",
                    "its SizeRestrictions_BODY rule blocks request bodies over 8 KB",
                    f"quote saves with many line items are refused with 403 at {lb_name} before reaching quoteforge-web",
                    "reps see 'Forbidden' on big quotes only",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
