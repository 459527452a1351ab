"""No fault: the web ALB's target 4XX alarm fires twenty minutes after a storefront release.

The 4xx are 404s (and a few 403s from nginx deny rules) answered to a vulnerability scanner that sweeps a
wordlist (/.env, /wp-login.php, /.git/config, /phpmyadmin/, ...) from two addresses for about twenty
minutes and then stops. Real pages keep answering 200 at the usual rate and latency, there are no 5xx, the
release (an in-place CodeDeploy, one instance at a time) finished cleanly before the scan started, and the
alarm has already gone back to OK by the time anyone looks.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_v as k

NAME = "storefront-4xx-after-release"
TITLE = "bloom-web target 4XX alarm right after the storefront release"
SUMMARY = "No fault: a vulnerability scanner's 404 sweep tripped the 4XX alarm shortly after an unrelated, clean deploy."

REGION = "us-east-2"
TZ = ZoneInfo("America/Chicago")

PAGES = [
    ("GET", "/", 200, 31000),
    ("GET", "/collections/vegetable-seeds", 200, 58000),
    ("GET", "/collections/wildflowers", 200, 52000),
    ("GET", "/products/cherokee-purple-tomato", 200, 44000),
    ("GET", "/products/dragon-tongue-bean", 200, 43000),
    ("GET", "/products/lacinato-kale", 200, 42000),
    ("GET", "/cart", 200, 12000),
    ("POST", "/cart/add", 302, 0),
    ("GET", "/search?q=pepper", 200, 39000),
    ("GET", "/account/login", 200, 9000),
    ("GET", "/api/inventory/availability?sku=PBS-", 200, 310),
    ("GET", "/growing-guides/starting-seeds-indoors", 200, 27000),
]
SCAN = [
    "/.env",
    "/.env.bak",
    "/.env.production",
    "/.git/config",
    "/.git/HEAD",
    "/wp-login.php",
    "/wp-admin/setup-config.php",
    "/xmlrpc.php",
    "/phpmyadmin/",
    "/pma/",
    "/server-status",
    "/actuator/env",
    "/actuator/health",
    "/config.json",
    "/backup.zip",
    "/db.sql",
    "/.aws/credentials",
    "/api/v1/users",
    "/admin/",
    "/administrator/",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
    "/.DS_Store",
    "/debug/default/view",
    "/telescope/requests",
    "/_profiler/phpinfo",
    "/solr/admin/info/system",
    "/owa/auth/logon.aspx",
    "/boaform/admin/formLogin",
    "/.vscode/sftp.json",
    "/docker-compose.yml",
    "/info.php",
]
AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]


def _nginx_time(t: datetime) -> str:
    return t.strftime("%d/%b/%Y:%H:%M:%S +0000")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randrange(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    day = datetime(2024, 3, 4, tzinfo=TZ) + timedelta(days=rng.randrange(0, 200))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset_local = day.replace(
        hour=rng.choice([13, 14, 15]), minute=rng.randrange(0, 60), second=rng.randrange(0, 60)
    )
    onset = onset_local.astimezone(UTC)
    utc_off = onset_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=4, minutes=rng.randrange(0, 40))).replace(second=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    fine_from = (onset - timedelta(minutes=80)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)
    scan_end = onset + timedelta(minutes=rng.randrange(17, 24), seconds=rng.randrange(0, 60))
    now = (onset + timedelta(minutes=rng.randrange(38, 46))).replace(second=rng.randrange(0, 60))
    log_from = onset - timedelta(minutes=40)
    deploy_at = (onset - timedelta(minutes=rng.randrange(21, 27), seconds=rng.randrange(0, 60))).replace(
        microsecond=0
    )

    alb_hex, tg_hex = k.hexid(rng, 16), k.hexid(rng, 16)
    alb_dim = f"app/bloom-web-prod/{alb_hex}"
    tg_dim = f"targetgroup/bloom-web-prod/{tg_hex}"
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/{alb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:{tg_dim}"
    vpc = "vpc-" + k.hexid(rng)
    sg_alb, sg_web = "sg-" + k.hexid(rng), "sg-" + k.hexid(rng)
    azs = ["a", "b", "c"]
    subnets = {az: "subnet-" + k.hexid(rng) for az in azs}
    insts = [
        ("i-0" + k.hexid(rng, 16), az, f"10.8.{16 * (n + 1) + rng.randrange(0, 15)}.{rng.randrange(4, 250)}")
        for n, az in enumerate(azs)
    ]
    scanners = [
        f"45.{rng.randrange(128, 159)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}",
        f"193.{rng.randrange(32, 42)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}",
    ]
    scan_agent = rng.choice(
        [
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
        ]
    )
    topic = f"arn:aws:sns:{REGION}:{account}:bloom-oncall"
    deployment_id = "d-" + k.upper_id(rng, 9)
    # the deploy takes each instance out of the target group in turn
    windows = []
    t0 = deploy_at + timedelta(seconds=rng.randrange(20, 40))
    for inst in insts:
        out = t0
        back = out + timedelta(seconds=rng.randrange(150, 210))
        windows.append((inst, out, back))
        t0 = back + timedelta(seconds=rng.randrange(35, 60))
    deploy_done = t0

    records: dict[str, list[k.Json]] = {
        x: [] for x in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources", "events")
    }
    metrics, logs, trail = records["metrics"], records["logs"], records["cloudtrail"]

    # --- traffic -----------------------------------------------------------------------------------
    fourxx5: dict[datetime, float] = {}
    grid = k.grid(start, now, fine_from)
    ld = {"LoadBalancer": alb_dim}
    td = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    for t, p in grid:
        mins = p // 60
        load = k.diurnal(t, utc_off, low=0.12, peak_hour=13)
        real = max(5, round(k.jitter(rng, 95 * load * mins, 0.1)))
        scan = 0
        for m in range(mins):
            mt = t + timedelta(minutes=m)
            if onset <= mt + timedelta(seconds=59) and mt < scan_end:
                lo, hi = max(mt, onset), min(mt + timedelta(minutes=1), scan_end)
                scan += round(rng.uniform(230, 290) * max(0.0, (hi - lo).total_seconds()) / 60)
        real_4xx = sum(1 for _ in range(real) if rng.random() < 0.018)
        real_3xx = round(real * rng.uniform(0.06, 0.09))
        real_2xx = real - real_4xx - real_3xx
        t4 = real_4xx + scan
        total = real + scan
        five = 1 if rng.random() < 0.004 * mins else 0
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", ld, t, "Count", total))
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", td, t, "Count", total))
        metrics.append(
            k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", ld, t, "Count", real_2xx - five)
        )
        metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", ld, t, "Count", real_3xx))
        if t4:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ld, t, "Count", t4))
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", td, t, "Count", t4))
        if five:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ld, t, "Count", five))
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", td, t, "Count", five))
        if rng.random() < 0.05 * mins:
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", ld, t, "Count", rng.randrange(1, 3))
            )
        lat = [max(0.004, rng.lognormvariate(-2.7, 0.55)) for _ in range(min(real, 120))] + [
            max(0.001, rng.uniform(0.002, 0.012)) for _ in range(min(scan, 120))
        ]
        metrics.append(k.dist("AWS/ApplicationELB", "TargetResponseTime", ld, t, "Seconds", lat))
        metrics.append(k.dist("AWS/ApplicationELB", "TargetResponseTime", td, t, "Seconds", lat))
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "NewConnectionCount",
                ld,
                t,
                "Count",
                round(total * rng.uniform(0.28, 0.34)),
            )
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "ProcessedBytes", ld, t, "Bytes", real * 36000 + scan * 600)
        )
        # healthy hosts over the period (minimum), from the deploy windows
        healthy = 3
        for _inst, out, back in windows:
            if out < t + timedelta(seconds=p) and back > t:
                healthy -= 1
        metrics.append(
            k.stats(
                "AWS/ApplicationELB",
                "HealthyHostCount",
                td,
                t,
                "Count",
                [float(healthy), 3.0] if healthy < 3 else [3.0],
            )
        )
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", td, t, "Count", 0))
        for iid, _az, _ip in insts:
            cpu = 9 + 30 * load + (6 if onset <= t < scan_end else 0)
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    t,
                    "Percent",
                    round(k.jitter(rng, cpu, 0.1), 2),
                )
            )
        p5 = t.replace(minute=t.minute - t.minute % 5)
        fourxx5[p5] = fourxx5.get(p5, 0.0) + t4
        # nginx access logs on the instances (close to the incident only)
        if t >= log_from:
            for m in range(mins):
                mt = t + timedelta(minutes=m)
                n_real = max(1, round(real / mins))
                for _ in range(n_real):
                    iid, _az, ip = k.pick(rng, insts)
                    at = mt + timedelta(seconds=rng.uniform(0, 59.9))
                    meth, path, st, size = k.pick(rng, PAGES)
                    if path.endswith("sku=PBS-"):
                        path += str(rng.randrange(1000, 4999))
                    if rng.random() < 0.018:
                        path, st, size = (
                            rng.choice(
                                [
                                    "/products/moon-and-stars-watermelon-old",
                                    "/favicon-32x32.png",
                                    "/apple-touch-icon.png",
                                ]
                            ),
                            404,
                            162,
                        )
                    client = f"{rng.choice([73, 98, 172, 24, 67, 108])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
                    rt = max(0.003, rng.lognormvariate(-2.7, 0.55))
                    logs.append(
                        k.log(
                            "/bloom-web/nginx/access",
                            f"{iid}/access.log",
                            at,
                            f'{client} - - [{_nginx_time(at)}] "{meth} {path} HTTP/1.1" {st} {size if st != 302 else 0} "https://www.prairiebloomseeds.com/" "{k.pick(rng, AGENTS)}" rt={rt:.3f} uct=0.000 urt={rt:.3f}',
                        )
                    )
                lo, hi = max(mt, onset), min(mt + timedelta(minutes=1), scan_end)
                if hi > lo:
                    n_scan = round(rng.uniform(230, 290) * (hi - lo).total_seconds() / 60)
                    for _ in range(n_scan):
                        iid, _az, ip = k.pick(rng, insts)
                        at = lo + timedelta(seconds=rng.uniform(0, (hi - lo).total_seconds() - 0.01))
                        path = k.pick(rng, SCAN)
                        st = (
                            403
                            if path.startswith(("/.git", "/.env", "/.aws")) and rng.random() < 0.5
                            else 404
                        )
                        rt = rng.uniform(0.001, 0.009)
                        logs.append(
                            k.log(
                                "/bloom-web/nginx/access",
                                f"{iid}/access.log",
                                at,
                                f'{k.pick(rng, scanners)} - - [{_nginx_time(at)}] "GET {path} HTTP/1.1" {st} {153 if st == 403 else 162} "-" "{scan_agent}" rt={rt:.3f} uct=0.000 urt={rt:.3f}',
                            )
                        )
    # app lines around the deploy, and an unrelated warning or two
    for (iid, _az, _ip), out, _back in windows:
        g, s_ = "/bloom-web/app", f"{iid}/production.log"
        base = out + timedelta(seconds=rng.randrange(20, 40))
        for off, msg in [
            (
                0,
                f"I, [{base:%Y-%m-%dT%H:%M:%S}.{rng.randrange(100000, 999999)} #1] INFO -- : - Gracefully shutting down workers...",
            ),
            (9, "[1] Puma starting in cluster mode..."),
            (9, '[1] * Puma version: 6.4.2 (ruby 3.3.1-p55) ("The Eagle of Durango")'),
            (9, "[1] * Min threads: 5, max threads: 5"),
            (9, "[1] * Environment: production"),
            (10, "[1] * Workers: 4"),
            (10, "[1] * Preloading application"),
            (24, "[1] * Listening on http://0.0.0.0:3000"),
            (24, "[1] Use Ctrl-C to stop"),
        ]:
            logs.append(k.log(g, s_, base + timedelta(seconds=off), msg))
    for _ in range(rng.randrange(3, 6)):
        iid = k.pick(rng, insts)[0]
        at = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds() - 60))
        logs.append(
            k.log(
                "/bloom-web/app",
                f"{iid}/production.log",
                at,
                f"W, [{at:%Y-%m-%dT%H:%M:%S}.{rng.randrange(100000, 999999)} #{rng.randrange(2000, 9000)}]  WARN -- : [{k.uid(rng)}] ShipEngine rate quote slow ({rng.randrange(1900, 3400)} ms) for postal code {rng.randrange(10000, 99999)}; using cached table rates",
            )
        )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # target health timeline
    for (iid, az, _ip), out, back in windows:
        tgt = {"Id": iid, "Port": 80, "AvailabilityZone": f"{REGION}{az}"}
        for when, health in [
            (start - timedelta(days=3), {"State": "healthy"}),
            (
                out,
                {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
            ),
            (
                out + timedelta(seconds=62),
                {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
            ),
            (
                back - timedelta(seconds=45),
                {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
            ),
            (back, {"State": "healthy"}),
        ]:
            records["events"].append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": health,
                        "timestamp": k.iso(when),
                    },
                }
            )

    # --- alarms ------------------------------------------------------------------------------------
    created = onset - timedelta(days=rng.randrange(100, 500))
    tr = k.evaluate_alarm(
        fourxx5,
        first_eval=start + timedelta(minutes=10),
        now=now,
        period=300,
        evals=1,
        dta=1,
        threshold=600,
        op="GreaterThanThreshold",
        stat="Sum",
    )
    a4, h4 = k.metric_alarm(
        account=account,
        region=REGION,
        name="bloom-web-target-4xx-high",
        description="Storefront answering an unusual number of 4xx (Sum over 5 min > 600).",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_4XX_Count",
        dims={"LoadBalancer": alb_dim},
        stat="Sum",
        period=300,
        evals=1,
        dta=1,
        threshold=600,
        op="GreaterThanThreshold",
        topic=topic,
        created=created,
        transitions=tr,
    )
    a5, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="bloom-web-target-5xx",
        description="Storefront 5xx (Sum over 5 min > 10).",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={"LoadBalancer": alb_dim},
        stat="Sum",
        period=300,
        evals=2,
        dta=2,
        threshold=10,
        op="GreaterThanThreshold",
        topic=topic,
        created=created,
        transitions=[],
    )
    ah, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="bloom-web-healthy-hosts-low",
        description="Fewer than 2 healthy storefront targets",
        namespace="AWS/ApplicationELB",
        metric="HealthyHostCount",
        dims=td,
        stat="Minimum",
        period=60,
        evals=3,
        dta=3,
        threshold=2,
        op="LessThanThreshold",
        topic=topic,
        created=created,
        transitions=[],
    )
    records["alarms"] = [a4, a5, ah]
    records["alarm_history"] = h4
    fired = [x for x in tr if x[2] == "ALARM"]
    assert fired, "the 4xx alarm must fire"

    # --- resources ---------------------------------------------------------------------------------
    tg = [{"Key": "app", "Value": "bloom-web"}, {"Key": "env", "Value": "prod"}]
    r = records["resources"]
    r.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"bloom-web-prod-{rng.randrange(100000000, 999999999)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
                "CreatedTime": k.iso(created - timedelta(days=300)),
                "LoadBalancerName": "bloom-web-prod",
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "IpAddressType": "ipv4",
                "AvailabilityZones": [
                    {
                        "ZoneName": f"{REGION}{az}",
                        "SubnetId": "subnet-" + k.hexid(rng),
                        "LoadBalancerAddresses": [],
                    }
                    for az in azs
                ],
                "SecurityGroups": [sg_alb],
            },
        )
    )
    r.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "bloom-web-prod",
                "Protocol": "HTTP",
                "Port": 80,
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
                "LoadBalancerArns": [alb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    r.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": "bloom-web-prod",
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{account}:autoScalingGroup:{k.uid(rng)}:autoScalingGroupName/bloom-web-prod",
                "LaunchTemplate": {
                    "LaunchTemplateId": "lt-" + k.hexid(rng),
                    "LaunchTemplateName": "bloom-web-prod",
                    "Version": "$Latest",
                },
                "MinSize": 3,
                "MaxSize": 6,
                "DesiredCapacity": 3,
                "DefaultCooldown": 300,
                "AvailabilityZones": [f"{REGION}{az}" for az in azs],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "c6i.large",
                        "AvailabilityZone": f"{REGION}{az}",
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": "lt-x",
                            "LaunchTemplateName": "bloom-web-prod",
                            "Version": "14",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for iid, az, _ in insts
                ],
                "CreatedTime": k.iso(created - timedelta(days=300)),
                "VPCZoneIdentifier": ",".join(subnets.values()),
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "Tags": [],
                "EnabledMetrics": [],
            },
        )
    )
    for iid, az, ip in insts:
        launched = onset - timedelta(days=rng.randrange(6, 40), hours=rng.randrange(0, 23))
        r.append(
            k.res(
                "ec2",
                "Instance",
                {
                    "InstanceId": iid,
                    "ImageId": "ami-0" + k.hexid(rng, 16),
                    "InstanceType": "c6i.large",
                    "LaunchTime": k.iso(launched),
                    "Placement": {"AvailabilityZone": f"{REGION}{az}", "Tenancy": "default"},
                    "PrivateIpAddress": ip,
                    "SubnetId": subnets[az],
                    "VpcId": vpc,
                    "State": {"Code": 16, "Name": "running"},
                    "Architecture": "x86_64",
                    "RootDeviceType": "ebs",
                    "RootDeviceName": "/dev/xvda",
                    "SecurityGroups": [{"GroupId": sg_web, "GroupName": "bloom-web"}],
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{account}:instance-profile/bloom-web",
                        "Id": "AIPA" + k.upper_id(rng, 17),
                    },
                    "Tags": [
                        {"Key": "Name", "Value": "bloom-web-prod"},
                        {"Key": "aws:autoscaling:groupName", "Value": "bloom-web-prod"},
                        *tg,
                    ],
                    "NetworkInterfaces": [
                        {
                            "NetworkInterfaceId": "eni-" + k.hexid(rng),
                            "SubnetId": subnets[az],
                            "VpcId": vpc,
                            "PrivateIpAddress": ip,
                            "Status": "in-use",
                            "Groups": [{"GroupId": sg_web, "GroupName": "bloom-web"}],
                            "InterfaceType": "interface",
                            "MacAddress": ":".join(k.hexid(rng, 2) for _ in range(6)),
                            "OwnerId": account,
                            "SourceDestCheck": True,
                            "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                            "Attachment": {
                                "AttachmentId": "eni-attach-" + k.hexid(rng),
                                "DeviceIndex": 0,
                                "Status": "attached",
                                "AttachTime": k.iso(launched),
                                "DeleteOnTermination": True,
                            },
                        }
                    ],
                },
            )
        )
        r.append(
            k.res(
                "ec2",
                "InstanceStatus",
                {
                    "InstanceId": iid,
                    "AvailabilityZone": f"{REGION}{az}",
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            )
        )
    rule: k.Json = {"Ipv6Ranges": [], "PrefixListIds": []}
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_alb,
                "GroupName": "bloom-web-alb",
                "Description": "public storefront ALB",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                        **rule,
                    },
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                        **rule,
                    },
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                        **rule,
                    }
                ],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_web,
                "GroupName": "bloom-web",
                "Description": "storefront instances",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [],
                        "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": account}],
                        **rule,
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "UserIdGroupPairs": [],
                        **rule,
                    }
                ],
            },
        )
    )
    commit = k.hexid(rng, 40)
    prev = k.hexid(rng, 40)
    r.append(
        k.res(
            "codedeploy",
            "DeploymentInfo",
            {
                "applicationName": "bloom-web",
                "deploymentGroupName": "bloom-web-prod",
                "deploymentConfigName": "CodeDeployDefault.OneAtATime",
                "deploymentId": deployment_id,
                "status": "Succeeded",
                "createTime": k.iso(deploy_at),
                "startTime": k.iso(deploy_at + timedelta(seconds=4)),
                "completeTime": k.iso(deploy_done),
                "creator": "user",
                "description": f"bloom-web {commit[:7]} (release 2024.{rng.randrange(10, 40)})",
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"bloom-artifacts-{account}",
                        "key": f"bloom-web/{commit}.zip",
                        "bundleType": "zip",
                    },
                },
                "previousRevision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"bloom-artifacts-{account}",
                        "key": f"bloom-web/{prev}.zip",
                        "bundleType": "zip",
                    },
                },
                "deploymentOverview": {
                    "Pending": 0,
                    "InProgress": 0,
                    "Succeeded": 3,
                    "Failed": 0,
                    "Skipped": 0,
                    "Ready": 0,
                },
                "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
                "loadBalancerInfo": {"targetGroupInfoList": [{"name": "bloom-web-prod"}]},
                "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
                "computePlatform": "Server",
                "fileExistsBehavior": "OVERWRITE",
                "ignoreApplicationStopFailures": False,
                "updateOutdatedInstancesOnly": False,
            },
        )
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    s_ = f"{NAME}:{seed}"
    ci = k.role_identity(s_, account, "bloom-ci-deployer", "gitlab-runner-" + str(rng.randrange(1000, 9999)))
    cd = k.role_identity(
        s_,
        account,
        "CodeDeployServiceRole",
        "CodeDeploy-" + deployment_id,
        invoked_by="codedeploy.amazonaws.com",
    )
    maria = k.sso_identity(s_, account, "AdministratorAccess", "maria.lindqvist")
    dev = k.sso_identity(s_, account, "DeveloperReadOnly", "sam.okafor")
    asg_svc = k.role_identity(
        s_,
        account,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "/aws-service-role/autoscaling.amazonaws.com/",
        invoked_by="autoscaling.amazonaws.com",
    )
    ip_ci = f"34.{rng.randrange(70, 99)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    ip_o = (
        f"{rng.choice([67, 98, 173])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}"
    )
    reads: list[tuple[k.Json, str, str, str, k.Json | None, str, str]] = [
        (
            asg_svc,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            "autoscaling.amazonaws.com",
            {"targetGroupArn": tg_arn},
            "autoscaling.amazonaws.com",
            "1.09",
        ),
        (
            asg_svc,
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            "autoscaling.amazonaws.com",
            {
                "instancesSet": {"items": [{"instanceId": i} for i, _a, _p in insts]},
                "filterSet": {},
                "includeAllInstances": True,
            },
            "autoscaling.amazonaws.com",
            "1.09",
        ),
        (dev, "cloudwatch.amazonaws.com", "GetMetricData", k.CONSOLE_AGENT, None, ip_o, "1.09"),
        (
            dev,
            "elasticloadbalancing.amazonaws.com",
            "DescribeLoadBalancers",
            k.CONSOLE_AGENT,
            {"names": ["bloom-web-prod"]},
            ip_o,
            "1.09",
        ),
        (ci, "s3.amazonaws.com", "ListBuckets", k.BOTO_AGENT, None, ip_ci, "1.09"),
        (
            ci,
            "codedeploy.amazonaws.com",
            "ListDeployments",
            k.BOTO_AGENT,
            {"applicationName": "bloom-web", "deploymentGroupName": "bloom-web-prod"},
            ip_ci,
            "1.09",
        ),
    ]
    trail.extend(
        k.routine_reads(
            rng,
            account=account,
            region=REGION,
            start=start,
            end=now,
            count=rng.randrange(30, 38),
            calls=reads,
        )
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=deploy_at,
            source="codedeploy.amazonaws.com",
            name="CreateDeployment",
            ident=ci,
            params={
                "applicationName": "bloom-web",
                "deploymentGroupName": "bloom-web-prod",
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"bloom-artifacts-{account}",
                        "key": f"bloom-web/{commit}.zip",
                        "bundleType": "zip",
                    },
                },
                "description": f"bloom-web {commit[:7]}",
            },
            response={"deploymentId": deployment_id},
            read_only=False,
            agent=k.BOTO_AGENT,
            ip=ip_ci,
        )
    )
    for (iid, _az, _ip), out, back in windows:
        trail.append(
            k.ct(
                rng,
                account=account,
                region=REGION,
                when=out.replace(microsecond=0),
                source="elasticloadbalancing.amazonaws.com",
                name="DeregisterTargets",
                ident=cd,
                params={"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                response=None,
                read_only=False,
                agent="codedeploy.amazonaws.com",
                ip="codedeploy.amazonaws.com",
                version="1.09",
            )
        )
        trail.append(
            k.ct(
                rng,
                account=account,
                region=REGION,
                when=(back - timedelta(seconds=45)).replace(microsecond=0),
                source="elasticloadbalancing.amazonaws.com",
                name="RegisterTargets",
                ident=cd,
                params={"targetGroupArn": tg_arn, "targets": [{"id": iid}]},
                response=None,
                read_only=False,
                agent="codedeploy.amazonaws.com",
                ip="codedeploy.amazonaws.com",
                version="1.09",
            )
        )
    mtg = (onset - timedelta(minutes=rng.randrange(27, 30))).replace(microsecond=0)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=mtg,
            source="elasticloadbalancing.amazonaws.com",
            name="ModifyTargetGroupAttributes",
            ident=maria,
            params={
                "targetGroupArn": tg_arn,
                "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
            },
            response={
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                    {"key": "stickiness.enabled", "value": "false"},
                    {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                    {"key": "slow_start.duration_seconds", "value": "0"},
                ]
            },
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ip_o,
        )
    )
    par = (onset + timedelta(minutes=rng.randrange(3, 9))).replace(microsecond=0)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=par,
            source="ssm.amazonaws.com",
            name="PutParameter",
            ident=maria,
            params={"name": "/bloom-web/prod/FEATURE_SPRING_BANNER", "type": "String", "overwrite": True},
            response={"version": rng.randrange(2, 12), "tier": "Standard"},
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ip_o,
        )
    )
    records["cloudtrail"] = k.sort_trail([x for x in trail if x["eventTime"] <= k.iso(now)])

    event = k.alarm_event(rng, a4, fired[0])
    page_local = fired[0][0].astimezone(TZ)
    question = (
        f"Got paged for bloom-web 4XX at {page_local.strftime('%-I:%M%p').lower()}, not long after we shipped "
        "the storefront release. Is the release broken? Do we need to roll it back?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "America/Chicago"},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, records)
