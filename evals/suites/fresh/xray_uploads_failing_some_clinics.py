"""Some clinics' X-ray uploads failing with 500 on retryable requests; everything else fine."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zb as k
from evals.suites.fresh._kit_zb import ct

NAME = "xray-uploads-failing-some-clinics"
TITLE = "Clinics' X-ray uploads failing with 500, retries usually work"
SUMMARY = (
    "The cache/temp volume of the longest-lived web instance fills up; nginx there can no longer buffer "
    "request bodies, so only uploads routed to that instance fail while health checks stay green."
)

PORT = 80


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, ["eu-west-1", "ca-central-1", "us-east-2"])
    rng = kit.rng
    day = kit.pick_day()
    utc_off = {"eu-west-1": 0.0, "ca-central-1": -5.0, "us-east-2": -5.0}[kit.region]
    onset = day + timedelta(hours=10 - utc_off, minutes=rng.randint(0, 150), seconds=rng.randint(0, 59))
    kit.start = k.minute_floor(onset - timedelta(hours=4, minutes=rng.randint(0, 40)))
    kit.now = k.minute_floor(onset + timedelta(minutes=rng.randint(50, 80)))
    kit.end = kit.now + timedelta(minutes=10)
    region = kit.region
    net = k.Net(kit, "vetchart-prod", 3)

    sg_alb, sg_web = kit.rid("sg"), kit.rid("sg")
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_alb,
            "vetchart-web-alb",
            "public ALB",
            net.vpc,
            [k.sg_rule("tcp", 443, 443, cidr="0.0.0.0/0")],
        ),
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_web,
            "vetchart-web",
            "web instances",
            net.vpc,
            [k.sg_rule("tcp", PORT, PORT, group=sg_alb, desc="ALB")],
        ),
    )
    lb = kit.res(
        "elbv2",
        "LoadBalancer",
        k.alb(
            kit,
            "vetchart-web-prod",
            net.vpc,
            list(zip(net.public, net.azs, strict=True)),
            [sg_alb],
            kit.start - timedelta(days=900),
        ),
    )
    tg = kit.res(
        "elbv2",
        "TargetGroup",
        k.target_group(kit, "vetchart-web-prod", net.vpc, PORT, "/healthz", lb["LoadBalancerArn"]),
    )
    kit.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": lb["LoadBalancerArn"].replace(":loadbalancer/", ":listener/") + "/" + kit.hex(16),
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": kit.arn("acm", f"certificate/{kit.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"], "Order": 1}],
        },
    )
    lbd, tgd = k.lb_dim(lb), k.tg_dim(tg)
    lt_id = "lt-0" + kit.hex(16)
    ltv = str(rng.randint(30, 80))
    ami = "ami-0" + kit.hex(16)
    itype = rng.choice(["c6i.xlarge", "m6i.xlarge"])
    n_nodes = 6
    rate_day = rng.uniform(2.1, 2.6)  # cache volume growth, percent a day
    c0 = 1.2
    bad_i = rng.randrange(n_nodes)
    nodes = []
    for j in range(n_nodes):
        zi = j % 3
        if j == bad_i:
            launched = onset - timedelta(days=(100.0 - c0) / rate_day)
        else:
            launched = kit.start - timedelta(days=rng.uniform(1.5, 9.0), minutes=rng.randint(0, 600))
        nodes.append(k.Node(kit.rid("i"), net.azs[zi], zi, net.ip(kit, zi), launched, ltv))
    bad = nodes[bad_i]
    data_vols = {n.iid: kit.rid("vol") for n in nodes}
    asg_name = "vetchart-web-prod"
    for n in nodes:
        item = k.instance(
            kit,
            n.iid,
            itype=itype,
            ami=ami,
            subnet=net.private[n.zone],
            vpc=net.vpc,
            az=n.az,
            ip=n.ip,
            sgs=[(sg_web, "vetchart-web")],
            profile="vetchart-web-prod",
            launched=n.launched,
            tagd={
                "Name": "vetchart-web-prod",
                "service": "vetchart-web",
                "aws:autoscaling:groupName": asg_name,
            },
            lt=(lt_id, "vetchart-web-prod", ltv),
        )
        item["BlockDeviceMappings"].append(
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {
                    "AttachTime": k.iso(n.launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": data_vols[n.iid],
                },
            }
        )
        kit.res("ec2", "Instance", item)
        kit.res("ec2", "InstanceStatus", k.instance_status(n.iid, n.az))
        kit.res(
            "ec2",
            "Volume",
            {
                "Attachments": [
                    {
                        "AttachTime": k.iso(n.launched + timedelta(seconds=1)),
                        "Device": "/dev/sdf",
                        "InstanceId": n.iid,
                        "State": "attached",
                        "VolumeId": data_vols[n.iid],
                        "DeleteOnTermination": True,
                    }
                ],
                "AvailabilityZone": n.az,
                "CreateTime": k.iso_ms(n.launched),
                "Encrypted": True,
                "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
                "Size": 40,
                "SnapshotId": "",
                "State": "in-use",
                "VolumeId": data_vols[n.iid],
                "Iops": 3000,
                "VolumeType": "gp3",
                "Throughput": 125,
                "MultiAttachEnabled": False,
                "Tags": k.tags({"Name": "vetchart-web-cache", "service": "vetchart-web"}),
            },
        )
        k.target_point(
            kit,
            tg["TargetGroupArn"],
            n,
            PORT,
            max(n.launched + timedelta(minutes=3), kit.start - timedelta(hours=1)),
            "healthy",
        )
    kit.res(
        "autoscaling",
        "AutoScalingGroup",
        k.asg_item(
            kit,
            asg_name,
            net,
            (lt_id, "vetchart-web-prod"),
            nodes,
            itype,
            min_size=6,
            max_size=12,
            tgs=[tg["TargetGroupArn"]],
            created=kit.start - timedelta(days=900),
        ),
    )
    for g, ret in (
        ("/vetchart/prod/nginx/access", 14),
        ("/vetchart/prod/nginx/error", 30),
        ("/vetchart/prod/app", 30),
    ):
        kit.res(
            "logs",
            "LogGroup",
            k.log_group(kit, g, ret, kit.start - timedelta(days=800), rng.randint(10**9, 10**11)),
        )

    # ---- metrics -----------------------------------------------------------------------------------
    peak = rng.uniform(3800, 5200)
    upload_share = rng.uniform(0.022, 0.035)
    asg_dims = {"AutoScalingGroupName": asg_name}
    per_t: dict[datetime, float] = {}
    for t in kit.minutes():
        shape = k.diurnal(t, utc_off, night=0.08, peaks=(10.5, 14.5))
        r = kit.noisy(peak * shape, 0.05)
        per_t[t] = r
        ups = r * upload_share
        fail = ups / n_nodes * kit.noisy(1.0, 0.15) if t >= onset else 0.0
        base5 = kit.poisson(0.4)
        r4 = r * kit.noisy(0.018, 0.15)
        for dims in ({"LoadBalancer": lbd}, {"LoadBalancer": lbd, "TargetGroup": tgd}):
            kit.put("AWS/ApplicationELB", "RequestCount", dims, t, round(r), "Count")
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, round(r - r4 - fail), "Count")
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, round(r4), "Count")
            if round(fail) + base5:
                kit.put(
                    "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, round(fail) + base5, "Count"
                )
            lat = [kit.noisy(0.11, 0.5) for _ in range(19)] + [kit.noisy(1.8, 0.4)]
            kit.put_dist("AWS/ApplicationELB", "TargetResponseTime", dims, t, lat, "Seconds")
            kit.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, n_nodes, "Count")
            kit.put("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, 0, "Count")
        kit.put(
            "AWS/ApplicationELB",
            "ProcessedBytes",
            {"LoadBalancer": lbd},
            t,
            round(r * kit.noisy(190000, 0.08)),
            "Bytes",
        )
        kit.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            {"LoadBalancer": lbd},
            t,
            round(r * kit.noisy(0.3, 0.05)),
            "Count",
        )
        for n in nodes:
            d = {**asg_dims, "InstanceId": n.iid}
            if t.minute % 5 == 0:
                kit.put("CWAgent", "mem_used_percent", d, t, kit.noisy(58 + 8 * shape, 0.03), "Percent")
                root = {**d, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"}
                kit.put(
                    "CWAgent",
                    "disk_used_percent",
                    root,
                    t,
                    kit.noisy(41.0 if n is not bad else 44.0, 0.002),
                    "Percent",
                )
            cache = {**d, "path": "/var/cache/vetchart", "device": "nvme1n1", "fstype": "xfs"}
            age_days = (t - n.launched).total_seconds() / 86400.0
            v = min(100.0, c0 + rate_day * age_days + rng.uniform(-0.01, 0.01))
            if n is bad:
                v = 100.0 if t >= onset else min(v, 99.98)
            kit.put("CWAgent", "disk_used_percent", cache, t, round(v, 2), "Percent")
    for n in nodes:

        def cpu(t: datetime, node: k.Node = n) -> float:
            return kit.noisy(9 + 38 * k.diurnal(t, utc_off, night=0.08, peaks=(10.5, 14.5)), 0.06)

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": n.iid}, "Percent", cpu, step=300)
        kit.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": n.iid}, "Count", lambda t: 0.0, step=300)
        wb = 9.0e6 if n is not bad else 9.5e6

        def vwb(t: datetime, node: k.Node = n, base: float = wb) -> float:
            full = node is bad and t >= onset
            return kit.noisy(base * k.diurnal(t, utc_off, night=0.05) * (0.02 if full else 1.0), 0.15) * 300

        kit.series("AWS/EBS", "VolumeWriteBytes", {"VolumeId": data_vols[n.iid]}, "Bytes", vwb, step=300)
    waf_acl = "vetchart-web-prod"
    kit.series(
        "AWS/WAFV2",
        "AllowedRequests",
        {"WebACL": waf_acl, "Region": region, "Rule": "ALL"},
        "Count",
        lambda t: round(per_t.get(k.minute_floor(t), 0.0)),
        step=60,
    )
    kit.series(
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": waf_acl, "Region": region, "Rule": "ALL"},
        "Count",
        lambda t: (lambda b: b if b else None)(kit.poisson(1.5)),
        step=60,
    )

    ops = [kit.arn("sns", "vetchart-oncall")]
    kit.alarm(
        "vetchart-web-target-5xx",
        "vetchart-web targets answering 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Sum",
        300,
        1,
        75,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "vetchart-web-unhealthy-hosts",
        "Unhealthy vetchart-web targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "vetchart-web-p-latency",
        "vetchart-web average target response time",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lbd},
        "Average",
        60,
        5,
        1.5,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "vetchart-web-root-disk",
        "Root volume above 85% on a vetchart-web instance",
        "CWAgent",
        "disk_used_percent",
        {
            "AutoScalingGroupName": asg_name,
            "InstanceId": nodes[0].iid,
            "path": "/",
            "device": "nvme0n1p1",
            "fstype": "xfs",
        },
        "Maximum",
        300,
        1,
        85,
        "GreaterThanThreshold",
        actions=ops,
    )

    # ---- logs ----------------------------------------------------------------------------------------
    host = "app.pawprintvet.com"
    err_i = 0
    agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
        "VetChartImaging/3.8.2 (Windows; DICOM bridge)",
    ]
    for t in kit.minutes():
        for n in nodes:
            for _ in range(2):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                client = f"10.{net.octet}.{rng.randint(0, 2)}.{rng.randint(10, 250)}"
                upload = rng.random() < 0.18
                pid = rng.randint(100000, 999999)
                if upload:
                    size = rng.randint(1_800_000, 31_000_000)
                    path = f"/api/v1/patients/{pid}/images"
                    status = 500 if (n is bad and ts >= onset) else 201
                    body = 579 if status == 500 else rng.randint(300, 420)
                    rt = rng.uniform(0.4, 2.5) if status == 500 else rng.uniform(1.2, 6.5)
                    req = f"POST {path} HTTP/1.1"
                else:
                    size = rng.randint(300, 1800)
                    path = rng.choice(
                        [
                            f"/api/v1/patients/{pid}",
                            f"/api/v1/appointments?clinic={rng.randint(100, 999)}&date={t:%Y-%m-%d}",
                            f"/api/v1/patients/{pid}/images/thumbs",
                            "/static/js/app.min.js",
                        ]
                    )
                    status, body, rt, req = (
                        200,
                        rng.randint(900, 64000),
                        rng.uniform(0.01, 0.3),
                        f"GET {path} HTTP/1.1",
                    )
                ua = rng.choice(agents)
                kit.log(
                    "/vetchart/prod/nginx/access",
                    n.iid,
                    ts,
                    f'{client} - - [{ts:%d/%b/%Y:%H:%M:%S} +0000] "{req}" {status} {body} "https://{host}/" "{ua}" rt={rt:.3f} uct={"-" if status == 500 else "0.000"} urt={"-" if status == 500 else f"{rt - 0.002:.3f}"} rl={size}',
                )
                if upload and status == 500:
                    err_i += 1
                    conn = rng.randint(100000, 9999999)
                    kit.log(
                        "/vetchart/prod/nginx/error",
                        n.iid,
                        ts - timedelta(milliseconds=rng.randint(5, 200)),
                        f'{ts:%Y/%m/%d %H:%M:%S} [crit] {rng.randint(2000, 2100)}#{rng.randint(2000, 2100)}: *{conn} pwrite() "/var/cache/vetchart/nginx/client_body/{err_i + 4000000:010d}" failed (28: No space left on device), client: {client}, server: {host}, request: "{req}", host: "{host}"',
                    )
                elif upload:
                    kit.log(
                        "/vetchart/prod/app",
                        n.iid,
                        ts,
                        json.dumps(
                            {
                                "ts": k.iso_ms(ts),
                                "level": "INFO",
                                "logger": "imaging.views",
                                "msg": "image stored",
                                "patient": pid,
                                "bytes": size,
                                "modality": rng.choice(["DX", "CR", "US"]),
                                "duration_ms": int(rt * 1000),
                            }
                        ),
                    )
            if rng.random() < 0.02:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    "/vetchart/prod/nginx/error",
                    n.iid,
                    ts,
                    f'{ts:%Y/%m/%d %H:%M:%S} [warn] {rng.randint(2000, 2100)}#{rng.randint(2000, 2100)}: *{rng.randint(10**5, 10**7)} an upstream response is buffered to a temporary file /var/cache/vetchart/nginx/proxy_temp/{rng.randint(1, 9)}/{rng.randint(10, 99)}/{rng.randint(10**9, 10**10 - 1)} while reading upstream, client: 10.{net.octet}.{rng.randint(0, 2)}.{rng.randint(10, 250)}, server: {host}, request: "GET /api/v1/reports/{rng.randint(1000, 9999)}/pdf HTTP/1.1", upstream: "http://127.0.0.1:8000/api/v1/reports/pdf", host: "{host}"',
                )
            if rng.random() < 0.015:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    "/vetchart/prod/app",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "ts": k.iso_ms(ts),
                            "level": "WARNING",
                            "logger": "django.request",
                            "msg": f"Not Found: /api/v1/patients/{rng.randint(100000, 999999)}/vaccinations/legacy",
                            "status_code": 404,
                        }
                    ),
                )
            if n is bad and t >= onset and rng.random() < 0.3:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    "/vetchart/prod/app",
                    n.iid,
                    ts,
                    json.dumps(
                        {
                            "ts": k.iso_ms(ts),
                            "level": "WARNING",
                            "logger": "imaging.thumbs",
                            "msg": "thumbnail cache write skipped",
                            "error": "[Errno 28] No space left on device",
                            "key": f"thumbs/{kit.hex(2)}/{kit.hex(32)}.webp",
                        }
                    ),
                )

    # ---- CloudTrail ----------------------------------------------------------------------------------
    dev = k.sso_user(
        kit, "Developer", rng.choice(["hannah.lee", "jonas.berg", "kofi.mensah"]) + "@pawprintvet.com"
    )
    sec = k.sso_user(kit, "SecurityEngineer", rng.choice(["ivy.chen", "lucas.moreau"]) + "@pawprintvet.com")
    ops_p = k.sso_user(
        kit, "PlatformAdmin", rng.choice(["maya.singh", "eoin.walsh"]) + "@pawprintvet.com", console=False
    )
    deployer = k.role_session(
        kit,
        "gha-deploy-vetchart",
        "GitHubActions",
        kit.public_ip(),
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#deploy.create-deployment",
    )
    dd = k.role_session(
        kit,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        kit.public_ip(),
        "Datadog/AWS-Integration aws-sdk-go/1.50.0 (go1.21.6; linux; amd64)",
    )
    k.routine_reads(
        kit,
        [dev, dd, dd, ops_p, sec],
        [("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}})],
        34,
    )
    t_dep = onset - timedelta(minutes=rng.randint(14, 26))
    dep_id = "d-" + kit.alnum(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    rev = kit.hex(40)
    ct(
        kit,
        t_dep,
        deployer,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        {
            "applicationName": "vetchart-web",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"vetchart-artifacts-{region}",
                    "key": f"vetchart-web/{rev}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "description": f"vetchart-web {rev[:7]}",
        },
        {"deploymentId": dep_id},
    )
    dep_end = t_dep + timedelta(minutes=rng.randint(9, 13))
    kit.res(
        "codedeploy",
        "DeploymentInfo",
        {
            "applicationName": "vetchart-web",
            "deploymentGroupName": "prod",
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "deploymentId": dep_id,
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"vetchart-artifacts-{region}",
                    "key": f"vetchart-web/{rev}.zip",
                    "bundleType": "zip",
                },
            },
            "status": "Succeeded",
            "createTime": k.iso(t_dep),
            "startTime": k.iso(t_dep + timedelta(seconds=2)),
            "completeTime": k.iso(dep_end),
            "deploymentOverview": {
                "Pending": 0,
                "InProgress": 0,
                "Succeeded": n_nodes,
                "Failed": 0,
                "Skipped": 0,
                "Ready": 0,
            },
            "description": f"vetchart-web {rev[:7]}",
            "creator": "user",
            "ignoreApplicationStopFailures": False,
            "updateOutdatedInstancesOnly": False,
            "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "instanceTerminationWaitTimeStarted": False,
            "loadBalancerInfo": {"targetGroupInfoList": [{"name": "vetchart-web-prod"}]},
            "fileExistsBehavior": "DISALLOW",
        },
    )
    # one-at-a-time deploy: each instance drains briefly
    for i, n in enumerate(nodes):
        tt = t_dep + timedelta(seconds=20 + i * 100)
        k.target_point(kit, tg["TargetGroupArn"], n, PORT, tt, "draining", "Target.DeregistrationInProgress")
        k.target_point(
            kit,
            tg["TargetGroupArn"],
            n,
            PORT,
            tt + timedelta(seconds=35),
            "initial",
            "Elb.RegistrationInProgress",
        )
        k.target_point(kit, tg["TargetGroupArn"], n, PORT, tt + timedelta(seconds=75), "healthy")
    t_waf = onset + timedelta(minutes=rng.randint(4, 15))
    ct(
        kit,
        t_waf,
        sec,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        {
            "name": waf_acl,
            "scope": "REGIONAL",
            "id": kit.uuid(),
            "defaultAction": {"allow": {}},
            "description": "",
            "rules": [
                {
                    "name": "AWS-AWSManagedRulesCommonRuleSet",
                    "priority": 0,
                    "statement": {
                        "managedRuleGroupStatement": {
                            "vendorName": "AWS",
                            "name": "AWSManagedRulesCommonRuleSet",
                            "excludedRules": [{"name": "SizeRestrictions_BODY"}],
                        }
                    },
                    "overrideAction": {"none": {}},
                    "visibilityConfig": {
                        "sampledRequestsEnabled": True,
                        "cloudWatchMetricsEnabled": True,
                        "metricName": "common",
                    },
                },
                {
                    "name": "login-rate-limit",
                    "priority": 1,
                    "statement": {
                        "rateBasedStatement": {
                            "limit": 300,
                            "aggregateKeyType": "IP",
                            "scopeDownStatement": {
                                "byteMatchStatement": {
                                    "searchString": "/api/v1/auth/login",
                                    "fieldToMatch": {"uriPath": {}},
                                    "textTransformations": [{"priority": 0, "type": "NONE"}],
                                    "positionalConstraint": "STARTS_WITH",
                                }
                            },
                        }
                    },
                    "action": {"block": {}},
                    "visibilityConfig": {
                        "sampledRequestsEnabled": True,
                        "cloudWatchMetricsEnabled": True,
                        "metricName": "login-rate-limit",
                    },
                },
            ],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": waf_acl,
            },
            "lockToken": kit.uuid(),
        },
        {"nextLockToken": kit.uuid()},
    )
    ct(
        kit,
        onset + timedelta(minutes=rng.randint(18, 40)),
        dev,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": ["/vetchart/prod/app"],
            "startTime": int((onset - timedelta(hours=1)).timestamp()),
            "endTime": int((onset + timedelta(minutes=30)).timestamp()),
            "queryString": "fields @timestamp, @message | filter level = 'ERROR' | sort @timestamp desc | limit 200",
        },
        {"queryId": kit.uuid()},
        read_only=True,
    )
    t_snap = kit.start + timedelta(minutes=rng.randint(20, 60))
    ct(
        kit,
        t_snap,
        k.aws_service("dlm.amazonaws.com"),
        "ec2.amazonaws.com",
        "CreateSnapshot",
        {
            "volumeId": "vol-0" + kit.hex(16),
            "description": "Created for policy: policy-0" + kit.hex(16) + " schedule: nightly-db-tools",
        },
        {
            "requestId": kit.uuid(),
            "snapshotId": "snap-0" + kit.hex(16),
            "volumeId": "vol-0" + kit.hex(16),
            "status": "pending",
        },
    )

    question = (
        "Several clinics say X-ray uploads keep failing with 'Upload failed (500)', though retrying usually works. "
        "Browsing patients and appointments is fine. We deployed vetchart-web this morning; is that it?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": bad.iid,
            "category": "component_failure",
            "failure_mode": "instance-temp-volume-full",
        },
        "also_accept": [data_vols[bad.iid]],
        "actions": ["exclude", "reconfigure"],
        "chain": [
            f"Cache volume {data_vols[bad.iid]} on instance {bad.iid} (the longest-running vetchart-web instance) reaches 100%",
            "nginx on that instance cannot buffer request bodies to /var/cache/vetchart and answers 500",
            "Uploads routed to that instance (one in six) fail; other requests and health checks are fine",
        ],
    }
    return kit.bundle(TITLE, {"question": question, "alarm_event": None}, truth)
