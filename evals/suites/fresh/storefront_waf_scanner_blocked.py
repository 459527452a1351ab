"""WAF blocked-requests alarm in the middle of the night on the storefront."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_z import (
    AlarmSpec,
    Json,
    Kit,
    alarm_event,
    diurnal,
    evaluate_alarm,
    iso,
    name_tags,
    spread,
)

NAME = "storefront-waf-scanner-blocked"
TITLE = "ridgeline-web WAF blocked-requests alarm at 3am"
SUMMARY = (
    "A vulnerability scanner probes the storefront overnight; the web ACL's managed and rate-based rules "
    "block it as designed, customers' traffic and the site's health are unaffected."
)

REGION = "us-west-2"
RULES = [
    ("AWS-AWSManagedRulesCommonRuleSet", 10),
    ("AWS-AWSManagedRulesKnownBadInputsRuleSet", 20),
    ("AWS-AWSManagedRulesSQLiRuleSet", 30),
    ("login-rate-limit", 40),
]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 8)}{rng.randint(10**10, 10**11 - 1)}"
    day = datetime(2024, 4, 8, tzinfo=UTC) + timedelta(days=rng.randint(0, 120))
    onset = day + timedelta(hours=10, minutes=rng.randint(0, 35), seconds=rng.randint(0, 59))  # ~3am PDT
    scan_end = onset + timedelta(minutes=rng.randint(24, 34))
    start = onset - timedelta(hours=rng.randint(4, 5), minutes=rng.randint(0, 50))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    kit = Kit(NAME, seed, REGION, account, start, now, now + timedelta(minutes=1))
    kit.rng = rng

    acl = "ridgeline-web-acl"
    acl_id = kit.uuid()
    acl_arn = kit.arn("wafv2", f"regional/webacl/{acl}/{acl_id}")
    alb_name = "ridgeline-web"
    alb_dim = f"app/{alb_name}/{kit.hex(16)}"
    alb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/{alb_dim}")
    tg_dim = f"targetgroup/ridgeline-web/{kit.hex(16)}"
    tg_arn = kit.arn("elasticloadbalancing", tg_dim)
    vpc = kit.eid("vpc")
    subnets = [kit.eid("subnet") for _ in range(2)]
    inst = [kit.eid("i") for _ in range(2)]
    inst_ips = [f"10.12.{n}.{rng.randint(10, 240)}" for n in (21, 22)]
    sns_arn = kit.arn("sns", "web-oncall")
    scanner_net = f"{rng.choice([45, 89, 185, 194])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    scanner_ips = [f"{scanner_net}.{rng.randint(2, 250)}" for _ in range(rng.randint(3, 5))]
    ipset_id = kit.uuid()

    # --- metrics -------------------------------------------------------------------------------------
    fine_from = onset - timedelta(minutes=60)
    lb = {"LoadBalancer": alb_dim}
    lbtg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    blocked_by_rule: dict[str, float] = {}
    for t, step in kit.times(fine_from):
        scanning = onset <= t < scan_end
        real = kit.noise(diurnal(t, -7, 2.0, 55.0, peak_hour=20) * step, 0.07)
        bots = kit.noise(0.05 * step, 0.6)  # background junk, blocked all day
        scan = kit.noise(rng.uniform(14, 24) * step, 0.1) if scanning else 0.0
        blocked = {r: 0.0 for r, _ in RULES}
        blocked["AWS-AWSManagedRulesKnownBadInputsRuleSet"] += bots * 0.5
        blocked["AWS-AWSManagedRulesCommonRuleSet"] += bots * 0.5
        if scanning:
            blocked["AWS-AWSManagedRulesCommonRuleSet"] += scan * 0.31
            blocked["AWS-AWSManagedRulesKnownBadInputsRuleSet"] += scan * 0.22
            blocked["AWS-AWSManagedRulesSQLiRuleSet"] += scan * 0.27
            blocked["login-rate-limit"] += scan * 0.12
        allowed_scan = scan * 0.08  # 404s that reach the site
        total_blocked = 0
        for rule, n in blocked.items():
            c = round(n)
            if c:
                kit.put("AWS/WAFV2", "BlockedRequests", {"WebACL": acl, "Rule": rule, "Region": REGION}, t, c)
                blocked_by_rule[rule] = blocked_by_rule.get(rule, 0) + c
            total_blocked += c
        if total_blocked:
            kit.put(
                "AWS/WAFV2",
                "BlockedRequests",
                {"WebACL": acl, "Rule": "ALL", "Region": REGION},
                t,
                total_blocked,
            )
        allowed = round(real + allowed_scan)
        kit.put("AWS/WAFV2", "AllowedRequests", {"WebACL": acl, "Rule": "ALL", "Region": REGION}, t, allowed)
        kit.put(
            "AWS/WAFV2",
            "AllowedRequests",
            {"WebACL": acl, "Rule": "Default_Action", "Region": REGION},
            t,
            allowed,
        )
        kit.put("AWS/ApplicationELB", "RequestCount", lb, t, allowed + total_blocked)
        kit.put("AWS/ApplicationELB", "RequestCount", lbtg, t, allowed)
        kit.put(
            "AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lb, t, total_blocked + kit.poisson(real * 0.0005)
        )
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lbtg, t, round(real * 0.96))
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", lbtg, t, round(real * 0.025))
        kit.put(
            "AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lbtg, t, round(real * 0.015 + allowed_scan)
        )
        e5 = kit.poisson(real * 0.0002)
        if e5:
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbtg, t, e5)
        kit.put_dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbtg,
            t,
            [max(0.005, rng.lognormvariate(-2.6, 0.5)) for _ in range(12)],
        )
        kit.put("AWS/ApplicationELB", "HealthyHostCount", lbtg, t, 2)
        kit.put("AWS/ApplicationELB", "UnHealthyHostCount", lbtg, t, 0)
        for iid in inst:
            kit.put(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                t,
                kit.noise(4 + real / step * 0.6 + (1.5 if scanning else 0), 0.08),
                "Percent",
            )

    # --- logs ----------------------------------------------------------------------------------------
    waf_group = f"aws-waf-logs-{alb_name}"
    waf_stream = f"{REGION}_{acl}_0"
    probes = [
        (
            "GET",
            "/wp-login.php",
            "",
            "AWS-AWSManagedRulesKnownBadInputsRuleSet",
            "awswaf:managed:aws:known-bad-inputs:ExploitablePaths_URIPATH",
        ),
        (
            "GET",
            "/.env",
            "",
            "AWS-AWSManagedRulesKnownBadInputsRuleSet",
            "awswaf:managed:aws:known-bad-inputs:ExploitablePaths_URIPATH",
        ),
        (
            "GET",
            "/search",
            "q=%27%20OR%201%3D1--",
            "AWS-AWSManagedRulesSQLiRuleSet",
            "awswaf:managed:aws:sql-database:SQLi_QueryArguments",
        ),
        (
            "GET",
            "/products",
            "sort=name%3Bselect%20pg_sleep(5)",
            "AWS-AWSManagedRulesSQLiRuleSet",
            "awswaf:managed:aws:sql-database:SQLi_QueryArguments",
        ),
        (
            "GET",
            "/cgi-bin/../../etc/passwd",
            "",
            "AWS-AWSManagedRulesCommonRuleSet",
            "awswaf:managed:aws:core-rule-set:GenericLFI_URIPath",
        ),
        (
            "GET",
            "/account",
            "redirect=%3Cscript%3Ealert(1)%3C/script%3E",
            "AWS-AWSManagedRulesCommonRuleSet",
            "awswaf:managed:aws:core-rule-set:CrossSiteScripting_QueryArguments",
        ),
        ("POST", "/login", "", "login-rate-limit", ""),
    ]
    t = onset
    while t < min(scan_end, now):
        t += timedelta(seconds=rng.expovariate(1 / 3.5))
        method, uri, args, rule, label = rng.choice(probes)
        ip = rng.choice(scanner_ips)
        rec: Json = {
            "timestamp": int(t.timestamp() * 1000),
            "formatVersion": 1,
            "webaclId": acl_arn,
            "terminatingRuleId": rule,
            "terminatingRuleType": "RATE_BASED" if rule == "login-rate-limit" else "MANAGED_RULE_GROUP",
            "action": "BLOCK",
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "ALB",
            "httpSourceId": f"{account}-{alb_dim}",
            "ruleGroupList": [],
            "rateBasedRuleList": [],
            "nonTerminatingMatchingRules": [],
            "requestHeadersInserted": None,
            "responseCodeSent": None,
            "httpRequest": {
                "clientIp": ip,
                "country": rng.choice(["NL", "DE", "RO"]),
                "headers": [
                    {"name": "Host", "value": "www.ridgeline-outdoor.com"},
                    {
                        "name": "User-Agent",
                        "value": "Mozilla/5.0 (X11; Linux x86_64) "
                        "AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/119.0 Safari/537.36",
                    },
                ],
                "uri": uri,
                "args": args,
                "httpVersion": "HTTP/1.1",
                "httpMethod": method,
                "requestId": f"1-{int(t.timestamp()):08x}-{kit.hex(24)}",
            },
            "labels": [{"name": label}]
            if label
            else [{"name": "awswaf:" + account + ":webacl:" + acl + ":rate-limit-login"}],
        }
        kit.log(waf_group, waf_stream, t, json.dumps(rec, separators=(",", ":")))
    # a little background noise blocked through the night
    for tt in spread(kit, start, now, 25):
        ip = f"{rng.randint(20, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        kit.log(
            waf_group,
            waf_stream,
            tt,
            json.dumps(
                {
                    "timestamp": int(tt.timestamp() * 1000),
                    "formatVersion": 1,
                    "webaclId": acl_arn,
                    "terminatingRuleId": "AWS-AWSManagedRulesKnownBadInputsRuleSet",
                    "terminatingRuleType": "MANAGED_RULE_GROUP",
                    "action": "BLOCK",
                    "httpSourceName": "ALB",
                    "httpSourceId": f"{account}-{alb_dim}",
                    "httpRequest": {
                        "clientIp": ip,
                        "country": "US",
                        "headers": [{"name": "Host", "value": ip}],
                        "uri": rng.choice(
                            [
                                "/phpmyadmin/",
                                "/.git/config",
                                "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
                            ]
                        ),
                        "args": "",
                        "httpVersion": "HTTP/1.1",
                        "httpMethod": "GET",
                        "requestId": f"1-{int(tt.timestamp()):08x}-{kit.hex(24)}",
                    },
                    "labels": [{"name": "awswaf:managed:aws:known-bad-inputs:ExploitablePaths_URIPATH"}],
                },
                separators=(",", ":"),
            ),
        )
    web_group = "/ridgeline/web/nginx-access"
    pages = [
        "/",
        "/products/trail-runner-2",
        "/collections/tents",
        "/cart",
        "/api/stock?sku=TR2-10",
        "/collections/jackets",
        "/checkout",
        "/static/app.4f2c.js",
    ]
    for iid, ipaddr in zip(inst, inst_ips, strict=True):
        t = start
        while t < now:
            real_rate = diurnal(t, -7, 2.0, 55.0, peak_hour=20) / 2
            t += timedelta(seconds=rng.expovariate(real_rate / 200))
            if t >= now:
                break
            client = (
                f"{rng.randint(24, 199)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            )
            page = rng.choice(pages)
            code = 200 if rng.random() > 0.02 else 404
            kit.log(
                web_group,
                iid,
                t,
                f'{ipaddr} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET {page} HTTP/1.1" {code} '
                f'{rng.randint(900, 48000)} "-" "Mozilla/5.0" rt={rng.lognormvariate(-2.7, 0.5):.3f} '
                f'xff="{client}"',
            )
        tt = start + timedelta(minutes=rng.randint(10, 100))
        kit.log(
            web_group,
            iid,
            tt,
            f"{tt:%Y/%m/%d %H:%M:%S} [warn] 1234#1234: *88412 an upstream response is "
            "buffered to a temporary file /var/cache/nginx/proxy_temp/4/01/0000000014 while reading upstream",
        )
        if onset < now:
            for _ in range(6):
                ts = onset + timedelta(seconds=rng.randint(10, 1200))
                if ts < now:
                    kit.log(
                        web_group,
                        iid,
                        ts,
                        f'{ipaddr} - - [{ts:%d/%b/%Y:%H:%M:%S} +0000] "GET /'
                        f'{rng.choice(["backup.zip", "admin/", "server-status", "config.php.bak"])} HTTP/1.1" 404 '
                        f'153 "-" "Mozilla/5.0 (X11; Linux x86_64)" rt=0.002 xff="{rng.choice(scanner_ips)}"',
                    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    sync = kit.role("waf-ipset-sync-role", "waf-ipset-sync")
    backup = kit.role(
        "AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole", path="/service-role/"
    )
    backup["invokedBy"] = "backup.amazonaws.com"
    dd = kit.role("DatadogIntegrationRole", "datadog-aws-integration")
    hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while hour < now:
        tt = hour + timedelta(seconds=rng.randint(3, 40))
        kit.ct(
            tt,
            sync,
            "wafv2.amazonaws.com",
            "GetIPSet",
            {"name": "threat-intel-blocklist", "scope": "REGIONAL", "id": ipset_id},
            None,
            read_only=True,
            ip="lambda.amazonaws.com",
            agent=f"{kit.hex(4)} Boto3/1.34.84",
        )
        kit.ct(
            tt + timedelta(seconds=2),
            sync,
            "wafv2.amazonaws.com",
            "UpdateIPSet",
            {
                "name": "threat-intel-blocklist",
                "scope": "REGIONAL",
                "id": ipset_id,
                "addresses": [
                    f"{rng.randint(20, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"
                    for _ in range(3)
                ],
                "lockToken": kit.uuid(),
            },
            {"nextLockToken": kit.uuid()},
            ip="lambda.amazonaws.com",
            agent="Boto3/1.34.84",
        )
        hour += timedelta(hours=1)
    tb = onset - timedelta(minutes=rng.randint(8, 20))
    kit.ct(
        tb,
        backup,
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        {
            "dBSnapshotIdentifier": f"awsbackup:job-{kit.uuid()}",
            "dBInstanceIdentifier": "ridgeline-orders-pg",
            "tags": [{"key": "aws:backup:source-resource", "value": "ridgeline-orders-pg"}],
        },
        {"dBSnapshotIdentifier": f"awsbackup:job-{kit.uuid()}", "status": "creating"},
        ip="backup.amazonaws.com",
        agent="backup.amazonaws.com",
        version="1.08",
    )
    for t in spread(kit, start, now, 16):
        kit.ct(
            t,
            dd,
            "wafv2.amazonaws.com",
            "ListWebACLs",
            {"scope": "REGIONAL", "limit": 100},
            None,
            read_only=True,
            ip="44.224.10.5",
            agent="Datadog-AWS-Integration/1.0",
        )
    for t in spread(kit, start, now, 6):
        kit.service_assume(
            t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/waf-ipset-sync-role", "waf-ipset-sync"
        )

    # --- alarms --------------------------------------------------------------------------------------
    main = evaluate_alarm(
        kit,
        AlarmSpec(
            "ridgeline-web-acl-blocked-spike",
            "AWS/WAFV2",
            "BlockedRequests",
            {"WebACL": acl, "Rule": "ALL", "Region": REGION},
            "Sum",
            300,
            1,
            1,
            1000,
            "GreaterThanThreshold",
            "Unusual number of requests blocked by the storefront web ACL",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "ridgeline-web-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lbtg,
            "Sum",
            300,
            1,
            1,
            25,
            "GreaterThanThreshold",
            "Storefront errors",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "ridgeline-web-p95",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbtg,
            "",
            300,
            2,
            2,
            1.5,
            "GreaterThanThreshold",
            "Storefront p95 latency",
            extended="p95",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "ridgeline-web-healthy-hosts",
            "AWS/ApplicationELB",
            "HealthyHostCount",
            lbtg,
            "Minimum",
            60,
            3,
            3,
            1,
            "LessThanThreshold",
            "Storefront healthy hosts",
            treat_missing="notBreaching",
            actions=[sns_arn],
        ),
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 500))

    def vis(name: str) -> Json:
        return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}

    rules: list[Json] = []
    for rule, prio in RULES:
        if rule == "login-rate-limit":
            rules.append(
                {
                    "Name": rule,
                    "Priority": prio,
                    "Action": {"Block": {}},
                    "VisibilityConfig": vis(rule),
                    "Statement": {
                        "RateBasedStatement": {
                            "Limit": 100,
                            "EvaluationWindowSec": 300,
                            "AggregateKeyType": "IP",
                            "ScopeDownStatement": {
                                "ByteMatchStatement": {
                                    "SearchString": "L2xvZ2lu",
                                    "FieldToMatch": {"UriPath": {}},
                                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                    "PositionalConstraint": "STARTS_WITH",
                                }
                            },
                        }
                    },
                }
            )
        else:
            rules.append(
                {
                    "Name": rule,
                    "Priority": prio,
                    "OverrideAction": {"None": {}},
                    "VisibilityConfig": vis(rule),
                    "Statement": {
                        "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": rule.removeprefix("AWS-")}
                    },
                }
            )
    rules.insert(
        0,
        {
            "Name": "threat-intel-blocklist",
            "Priority": 0,
            "Action": {"Block": {}},
            "VisibilityConfig": vis("threat-intel-blocklist"),
            "Statement": {
                "IPSetReferenceStatement": {
                    "ARN": kit.arn("wafv2", f"regional/ipset/threat-intel-blocklist/{ipset_id}")
                }
            },
        },
    )
    kit.res(
        "wafv2",
        "WebACL",
        {
            "Name": acl,
            "Id": acl_id,
            "ARN": acl_arn,
            "DefaultAction": {"Allow": {}},
            "Description": "Storefront ALB",
            "Rules": rules,
            "VisibilityConfig": vis(acl),
            "Capacity": 1337,
            "ManagedByFirewallManager": False,
            "LabelNamespace": f"awswaf:{account}:webacl:{acl}:",
        },
    )
    kit.res(
        "wafv2",
        "IPSet",
        {
            "Name": "threat-intel-blocklist",
            "Id": ipset_id,
            "ARN": kit.arn("wafv2", f"regional/ipset/threat-intel-blocklist/{ipset_id}"),
            "IPAddressVersion": "IPV4",
            "Addresses": [
                f"{rng.randint(20, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24" for _ in range(8)
            ],
        },
    )
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{rng.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z1H1FL5HABSF5",
            "CreatedTime": iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{REGION}{z}", "SubnetId": s} for z, s in zip("ab", subnets, strict=True)
            ],
            "SecurityGroups": [kit.eid("sg")],
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "ridgeline-web",
            "Protocol": "HTTP",
            "Port": 80,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "instance",
        },
    )
    for iid, ip, z, s in zip(inst, inst_ips, "ab", subnets, strict=True):
        kit.res(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": f"ami-0{kit.hex(16)}",
                "InstanceType": "c7g.large",
                "LaunchTime": iso(start - timedelta(days=rng.randint(3, 20))),
                "Placement": {"AvailabilityZone": f"{REGION}{z}", "Tenancy": "default"},
                "PrivateIpAddress": ip,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal",
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": s,
                "VpcId": vpc,
                "Architecture": "arm64",
                "Tags": name_tags("ridgeline-web", **{"aws:autoscaling:groupName": "ridgeline-web-prod"}),
            },
        )
        kit.res(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": f"{REGION}{z}",
                "InstanceId": iid,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 80},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
    for g in (waf_group, web_group):
        kit.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": int(created.timestamp() * 1000),
                "retentionInDays": 30,
                "arn": kit.arn("logs", f"log-group:{g}:*"),
            },
        )

    ev = alarm_event(kit, main, first_alarm=True)
    local = onset - timedelta(hours=7)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(kit.end),
            "now": iso(now),
            "trigger": {
                "question": f"Got paged by the WAF blocked-requests alarm on ridgeline-web around "
                f"{local:%-I:%M}am. Are we being attacked, and is the shop affected? Do I need to do anything?",
                "alarm_event": ev,
                "timezone": "America/Los_Angeles",
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, kit.finish())
