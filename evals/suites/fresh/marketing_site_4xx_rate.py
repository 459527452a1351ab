"""Marketing site CloudFront 4xx error-rate alarm at midday."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_w as k

NAME = "marketing-site-4xx-rate"
TITLE = "www CloudFront 4xx error-rate alarm at midday"
SUMMARY = (
    "The marketing site's CloudFront 4xx error-rate alarm fires around midday, just after a site publish."
)

REGION = "us-east-1"
NS_CF = "AWS/CloudFront"

PROBES = [
    "/.env",
    "/.git/config",
    "/.git/HEAD",
    "/wp-login.php",
    "/wp-admin/setup-config.php",
    "/xmlrpc.php",
    "/.aws/credentials",
    "/actuator/env",
    "/actuator/health",
    "/server-status",
    "/phpinfo.php",
    "/info.php",
    "/config.json",
    "/backup.zip",
    "/db.sql",
    "/.DS_Store",
    "/admin/",
    "/login.action",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci/;stok=/locale",
    "/owa/auth/logon.aspx",
    "/.svn/entries",
    "/debug/default/view",
    "/api/v1/users",
    "/.well-known/security.txt",
    "/sitemap.xml.gz",
    "/config/database.yml",
    "/web.config",
    "/storage/logs/laravel.log",
    "/telescope/requests",
    "/_profiler/phpinfo",
    "/solr/admin/info/system",
    "/jenkins/login",
    "/manager/html",
]
PAGES = [
    "/",
    "/",
    "/",
    "/collections/tents",
    "/collections/sleeping-bags",
    "/collections/jackets",
    "/stores",
    "/about",
    "/journal/prairie-camping-checklist",
    "/journal/layering-101",
    "/assets/site.4f1c2a.css",
    "/assets/app.93be10.js",
    "/images/hero-autumn.webp",
    "/images/logo.svg",
    "/favicon.ico",
    "/robots.txt",
    "/sitemap.xml",
]


def build(seed: int) -> Bundle:
    ctx = k.Ctx(
        NAME,
        seed,
        "000000000000",
        REGION,
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, tzinfo=UTC),
    )
    r = ctx.rng
    ctx.account = str(r.randint(2 * 10**11, 9 * 10**11 - 1))
    account = ctx.account
    day = k.pick_day(ctx, datetime(2024, 10, 7, tzinfo=UTC), 21, (0, 1, 2, 3, 4))
    scan_start = day + timedelta(
        hours=17, minutes=r.randint(0, 50), seconds=r.randint(0, 59)
    )  # ~noon Central
    scan_len = timedelta(minutes=r.randint(30, 42))
    publish = scan_start - timedelta(minutes=r.randint(4, 9), seconds=r.randint(0, 59))
    start = scan_start - timedelta(hours=r.randint(5, 7), minutes=r.randint(0, 50))
    now = scan_start + scan_len + timedelta(minutes=r.randint(10, 20))
    ctx.start, ctx.now, ctx.end = start, now, now
    created = start - timedelta(days=r.randint(400, 900))

    dist_id = "E" + ctx.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    dist_arn = f"arn:aws:cloudfront::{account}:distribution/{dist_id}"
    cf_domain = f"d{ctx.hex(13)}.cloudfront.net"
    bucket = f"prairie-www-site-{account[-4:]}"
    cert_arn = ctx.arn("acm", f"certificate/{ctx.uuid()}")
    acl_id = ctx.uuid()
    acl_arn = f"arn:aws:wafv2:us-east-1:{account}:global/webacl/www-prairie/{acl_id}"
    oac = "E" + ctx.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ctx.resource(
        "cloudfront",
        "Distribution",
        {
            "Id": dist_id,
            "ARN": dist_arn,
            "Status": "Deployed",
            "LastModifiedTime": k.iso(start - timedelta(days=r.randint(20, 90))),
            "InProgressInvalidationBatches": 0,
            "DomainName": cf_domain,
            "DistributionConfig": {
                "CallerReference": f"terraform-{ctx.hex(20)}",
                "Aliases": {"Quantity": 2, "Items": ["www.prairieoutfitters.com", "prairieoutfitters.com"]},
                "DefaultRootObject": "index.html",
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "s3-www",
                            "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
                            "OriginPath": "",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                            "OriginAccessControlId": oac,
                            "ConnectionAttempts": 3,
                            "ConnectionTimeout": 10,
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "s3-www",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "AllowedMethods": {
                        "Quantity": 2,
                        "Items": ["HEAD", "GET"],
                        "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
                    },
                    "Compress": True,
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
                "CustomErrorResponses": {"Quantity": 0},
                "Comment": "www.prairieoutfitters.com marketing site",
                "PriceClass": "PriceClass_100",
                "Enabled": True,
                "ViewerCertificate": {
                    "ACMCertificateArn": cert_arn,
                    "SSLSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",
                    "CertificateSource": "acm",
                },
                "WebACLId": acl_arn,
                "HttpVersion": "http2and3",
                "IsIPV6Enabled": True,
            },
        },
    )
    ctx.resource("s3", "Bucket", {"Name": bucket, "CreationDate": k.iso(created), "BucketRegion": REGION})
    ctx.resource(
        "s3",
        "BucketPolicy",
        {
            "Bucket": bucket,
            "Policy": {
                "Version": "2008-10-17",
                "Id": "PolicyForCloudFrontPrivateContent",
                "Statement": [
                    {
                        "Sid": "AllowCloudFrontServicePrincipal",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                        "Condition": {"StringEquals": {"AWS:SourceArn": dist_arn}},
                    }
                ],
            },
        },
    )
    ctx.resource(
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
    ctx.resource(
        "acm",
        "CertificateDetail",
        {
            "CertificateArn": cert_arn,
            "DomainName": "prairieoutfitters.com",
            "SubjectAlternativeNames": ["prairieoutfitters.com", "www.prairieoutfitters.com"],
            "Status": "ISSUED",
            "Type": "AMAZON_ISSUED",
            "KeyAlgorithm": "RSA-2048",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": [dist_arn],
            "CreatedAt": k.iso(created),
            "IssuedAt": k.iso(start - timedelta(days=r.randint(10, 200))),
            "NotBefore": k.iso(start - timedelta(days=r.randint(201, 210))),
            "NotAfter": k.iso(start + timedelta(days=r.randint(100, 180))),
            "RenewalEligibility": "ELIGIBLE",
            "Issuer": "Amazon",
            "Subject": "CN=prairieoutfitters.com",
        },
    )
    rules = [
        ("AWS-AWSManagedRulesCommonRuleSet", 10),
        ("AWS-AWSManagedRulesKnownBadInputsRuleSet", 20),
        ("rate-limit-per-ip", 30),
    ]
    ctx.resource(
        "wafv2",
        "WebACL",
        {
            "Name": "www-prairie",
            "Id": acl_id,
            "ARN": acl_arn,
            "DefaultAction": {"Allow": {}},
            "Description": "marketing site",
            "Rules": [
                {
                    "Name": rules[0][0],
                    "Priority": 10,
                    "Statement": {
                        "ManagedRuleGroupStatement": {
                            "VendorName": "AWS",
                            "Name": "AWSManagedRulesCommonRuleSet",
                        }
                    },
                    "OverrideAction": {"None": {}},
                    "VisibilityConfig": {
                        "SampledRequestsEnabled": True,
                        "CloudWatchMetricsEnabled": True,
                        "MetricName": rules[0][0],
                    },
                },
                {
                    "Name": rules[1][0],
                    "Priority": 20,
                    "Statement": {
                        "ManagedRuleGroupStatement": {
                            "VendorName": "AWS",
                            "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                        }
                    },
                    "OverrideAction": {"None": {}},
                    "VisibilityConfig": {
                        "SampledRequestsEnabled": True,
                        "CloudWatchMetricsEnabled": True,
                        "MetricName": rules[1][0],
                    },
                },
                {
                    "Name": "rate-limit-per-ip",
                    "Priority": 30,
                    "Statement": {
                        "RateBasedStatement": {
                            "Limit": 3000,
                            "AggregateKeyType": "IP",
                            "EvaluationWindowSec": 300,
                        }
                    },
                    "Action": {"Block": {}},
                    "VisibilityConfig": {
                        "SampledRequestsEnabled": True,
                        "CloudWatchMetricsEnabled": True,
                        "MetricName": "rate-limit-per-ip",
                    },
                },
            ],
            "VisibilityConfig": {
                "SampledRequestsEnabled": True,
                "CloudWatchMetricsEnabled": True,
                "MetricName": "www-prairie",
            },
            "Capacity": 1402,
            "ManagedByFirewallManager": False,
            "LabelNamespace": f"awswaf:{account}:webacl:www-prairie:",
        },
    )
    zone_id = "Z" + ctx.upper(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ctx.resource(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "prairieoutfitters.com.",
            "CallerReference": ctx.uuid(),
            "Config": {"Comment": "public", "PrivateZone": False},
            "ResourceRecordSetCount": r.randint(20, 40),
        },
    )
    for name in ("prairieoutfitters.com.", "www.prairieoutfitters.com."):
        ctx.resource(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": name,
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": "Z2FDTNDATAQYW2",
                    "DNSName": f"{cf_domain}.",
                    "EvaluateTargetHealth": False,
                },
            },
        )
    waf_lg = "aws-waf-logs-www-prairie"
    k.log_group(ctx, waf_lg, created, retention=14)
    fn = "store-locator-sync"
    cfg_at = start + timedelta(minutes=r.randint(130, 200), seconds=r.randint(0, 59))
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": ctx.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{account}:role/store-locator-sync",
            "Handler": "app.handler",
            "CodeSize": r.randint(20000, 90000),
            "Timeout": 120,
            "MemorySize": 512,
            "LastModified": (cfg_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )

    # --- metrics -------------------------------------------------------------------------------------
    dims = {"DistributionId": dist_id, "Region": "Global"}
    peak = r.uniform(1400, 2200)
    scan_rate = r.uniform(380, 560)  # requests per minute from the scanner
    scan_end = scan_start + scan_len
    scanner_ips = [
        f"{r.choice([45, 79, 185, 193])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
        for _ in range(2)
    ]
    waf_dims = {"WebACL": "www-prairie", "Rule": "ALL"}
    for ts, step in ctx.timeline(start + timedelta(hours=2)):
        mins = step / 60
        human = peak * k.diurnal(ts, -5, 0.15, 13.0) * mins * (1 + ctx.noise(0.04))
        in_scan = scan_start <= ts + timedelta(seconds=step) and ts < scan_end
        frac = 1.0
        if in_scan:
            frac = min(
                1.0,
                (scan_end - ts).total_seconds() / step,
                (ts + timedelta(seconds=step) - scan_start).total_seconds() / step,
            )
        scan = scan_rate * mins * frac * (1 + ctx.noise(0.05)) if in_scan else 0.0
        blocked_scan = scan * 0.03
        total = human + scan
        h4 = human * r.uniform(0.012, 0.022)
        s4 = scan - blocked_scan
        e4 = (h4 + s4 + blocked_scan) / total * 100
        e5 = max(0.0, r.uniform(0, 0.03))
        ctx.put(NS_CF, "Requests", dims, ts, round(total), "None")
        ctx.put(NS_CF, "BytesDownloaded", dims, ts, human * r.uniform(180000, 240000) + scan * 420, "None")
        ctx.put(NS_CF, "BytesUploaded", dims, ts, total * 310, "None")
        ctx.put(NS_CF, "4xxErrorRate", dims, ts, e4, "Percent")
        ctx.put(NS_CF, "5xxErrorRate", dims, ts, e5, "Percent")
        ctx.put(NS_CF, "TotalErrorRate", dims, ts, e4 + e5, "Percent")
        ctx.put(
            NS_CF, "403ErrorRate", dims, ts, (h4 * 0.55 + blocked_scan + s4 * 0.96) / total * 100, "Percent"
        )
        ctx.put(NS_CF, "404ErrorRate", dims, ts, (h4 * 0.4 + s4 * 0.04) / total * 100, "Percent")
        ctx.put(NS_CF, "401ErrorRate", dims, ts, 0.0, "Percent")
        ctx.put(
            NS_CF,
            "CacheHitRate",
            dims,
            ts,
            (human * r.uniform(0.9, 0.94) + scan * 0.05) / total * 100,
            "Percent",
        )
        ctx.put(NS_CF, "OriginLatency", dims, ts, r.uniform(28, 45), "Milliseconds")
        ctx.put(
            "AWS/WAFV2", "AllowedRequests", waf_dims, ts, round(total - blocked_scan - human * 0.002), "Count"
        )
        blocked = round(blocked_scan + human * 0.002)
        if blocked:
            ctx.put("AWS/WAFV2", "BlockedRequests", waf_dims, ts, blocked, "Count")
        if round(blocked_scan):
            ctx.put(
                "AWS/WAFV2",
                "BlockedRequests",
                {"WebACL": "www-prairie", "Rule": rules[1][0]},
                ts,
                round(blocked_scan),
                "Count",
            )

    topic = ctx.arn("sns", "web-team-alerts")
    fired = k.alarm(
        ctx,
        name="www-cloudfront-4xx-rate",
        description="www.prairieoutfitters.com 4xx error rate above 8% (5-minute average, 2 periods)",
        ns=NS_CF,
        metric="4xxErrorRate",
        dims=dims,
        stat="Average",
        period=300,
        evals=2,
        to_alarm=2,
        threshold=8,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=30),
    )
    k.alarm(
        ctx,
        name="www-cloudfront-5xx-rate",
        description="www 5xx error rate above 1%",
        ns=NS_CF,
        metric="5xxErrorRate",
        dims=dims,
        stat="Average",
        period=300,
        evals=2,
        to_alarm=2,
        threshold=1,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=30),
    )
    k.alarm(
        ctx,
        name="www-waf-blocked-spike",
        description="WAF blocked requests above 1500 in 5 minutes",
        ns="AWS/WAFV2",
        metric="BlockedRequests",
        dims=waf_dims,
        stat="Sum",
        period=300,
        evals=1,
        to_alarm=1,
        threshold=1500,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=30),
    )
    assert fired is not None

    # --- WAF logs (sampled) --------------------------------------------------------------------------
    uas = [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ]
    scan_ua = r.choice(
        [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36",
        ]
    )

    def waf(
        t: datetime,
        ip: str,
        country: str,
        uri: str,
        ua: str,
        action: str = "ALLOW",
        rule: str = "Default_Action",
        rtype: str = "REGULAR",
    ) -> None:
        rec: dict[str, Any] = {
            "timestamp": k.ms(t),
            "formatVersion": 1,
            "webaclId": acl_arn,
            "terminatingRuleId": rule,
            "terminatingRuleType": rtype,
            "action": action,
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "CF",
            "httpSourceId": dist_id,
            "ruleGroupList": [
                {
                    "ruleGroupId": "AWS#AWSManagedRulesCommonRuleSet",
                    "terminatingRule": None,
                    "nonTerminatingMatchingRules": [],
                    "excludedRules": None,
                    "customerConfig": None,
                },
                {
                    "ruleGroupId": "AWS#AWSManagedRulesKnownBadInputsRuleSet",
                    "terminatingRule": (
                        {"ruleId": "ExploitablePaths_URIPATH", "action": "BLOCK", "ruleMatchDetails": None}
                        if action == "BLOCK"
                        else None
                    ),
                    "nonTerminatingMatchingRules": [],
                    "excludedRules": None,
                    "customerConfig": None,
                },
            ],
            "rateBasedRuleList": [
                {
                    "rateBasedRuleId": f"{account}_{ctx.hex(8)}",
                    "rateBasedRuleName": "rate-limit-per-ip",
                    "limitKey": "IP",
                    "maxRateAllowed": 3000,
                    "evaluationWindowSec": "300",
                    "customValues": [],
                }
            ],
            "nonTerminatingMatchingRules": [],
            "requestHeadersInserted": None,
            "responseCodeSent": None,
            "httpRequest": {
                "clientIp": ip,
                "country": country,
                "headers": [
                    {"name": "host", "value": "www.prairieoutfitters.com"},
                    {"name": "user-agent", "value": ua},
                    {"name": "accept", "value": "*/*"},
                ],
                "uri": uri,
                "args": "",
                "httpVersion": "HTTP/2.0" if country == "US" else "HTTP/1.1",
                "httpMethod": "GET",
                "requestId": ctx.upper(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") + "==",
                "fragment": "",
                "scheme": "https",
                "host": "www.prairieoutfitters.com",
            },
            "ja3Fingerprint": ctx.hex(32),
        }
        ctx.log(waf_lg, f"cloudfront_www-prairie_{dist_id}", t, json.dumps(rec, separators=(",", ":")))

    t = start + timedelta(hours=2, seconds=r.uniform(0, 10))
    while t < now:
        ip = f"{r.choice([24, 47, 68, 73, 98, 174, 207])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        waf(
            t, ip, "US" if r.random() < 0.93 else r.choice(["CA", "GB", "DE"]), r.choice(PAGES), r.choice(uas)
        )
        t += timedelta(seconds=r.uniform(6, 20))
    t = scan_start
    i = 0
    while t < scan_end and t < now:
        uri = PROBES[i % len(PROBES)]
        if i >= len(PROBES):
            uri = r.choice(
                ["/" + ctx.hex(6) + r.choice([".php", ".bak", ".zip", ".old", "/"]), r.choice(PROBES)]
            )
        blocked = uri in (
            "/.env",
            "/.git/config",
            "/.aws/credentials",
            "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        )
        waf(
            t,
            scanner_ips[i % 2],
            "NL",
            uri,
            scan_ua,
            "BLOCK" if blocked else "ALLOW",
            "AWS-AWSManagedRulesKnownBadInputsRuleSet" if blocked else "Default_Action",
            "MANAGED_RULE_GROUP" if blocked else "REGULAR",
        )
        i += 1
        t += timedelta(seconds=r.uniform(1.5, 5))

    # --- CloudTrail ----------------------------------------------------------------------------------
    office = k.office_ip(ctx)
    web = ctx.sso_user(
        "WebTeam",
        r.choice(["kayla.jensen", "marcus.hill", "brooke.larson"]) + "@prairieoutfitters.com",
        office,
    )
    ops = ctx.sso_user(
        "CloudOps",
        r.choice(["derek.schmidt", "nina.ortiz"]) + "@prairieoutfitters.com",
        office,
        console=False,
    )
    ci = ctx.role_principal(
        "gha-www-publish",
        "GitHubActions",
        k.public_ip(ctx),
        "aws-cli/2.17.50 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0-1014-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#cloudfront.create-invalidation",
    )
    mon = ctx.role_principal(
        "datadog-integration",
        "DatadogAWSIntegration",
        "3.233.146.19",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("cloudfront.amazonaws.com", "GetDistribution", {"id": dist_id}),
        ("cloudfront.amazonaws.com", "ListDistributions", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("wafv2.amazonaws.com", "GetWebACL", {"name": "www-prairie", "scope": "CLOUDFRONT", "id": acl_id}),
        (
            "wafv2.amazonaws.com",
            "GetSampledRequests",
            {"webAclArn": acl_arn, "ruleMetricName": "www-prairie", "scope": "CLOUDFRONT", "maxItems": 100},
        ),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
    ]
    k.routine_reads(ctx, [mon], reads[:3], 14, start, now)
    k.routine_reads(ctx, [web, ops], reads, 12, start, now)
    lambda_sl = ctx.role_principal(
        "store-locator-sync",
        fn,
        "lambda.amazonaws.com",
        "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224-235.893.amzn2.aarch64 md/arch#aarch64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
    )
    for h in range(0, int((now - start).total_seconds() // 3600) + 1):
        ctx.trail(
            start + timedelta(hours=h, minutes=5, seconds=r.randint(0, 20)),
            lambda_sl,
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": "/www/store-locator/api-key", "withDecryption": True},
            None,
            read_only=True,
        )
    ctx.trail(
        start + timedelta(minutes=r.randint(40, 100)),
        ops,
        "cloudfront.amazonaws.com",
        "TagResource",
        {"resource": dist_arn, "tags": {"items": [{"key": "cost-center", "value": "ecom-marketing"}]}},
        None,
    )
    ctx.trail(
        cfg_at,
        web,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn, "timeout": 180},
        {
            "functionName": fn,
            "functionArn": ctx.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "timeout": 180,
            "memorySize": 512,
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    pub_ver = f"{day.strftime('%Y.%m.%d')}-{r.randint(1, 4)}"
    ctx.trail(
        publish,
        ci,
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        {
            "distributionId": dist_id,
            "invalidationBatch": {
                "paths": {"quantity": 3, "items": ["/index.html", "/journal/*", "/collections/*"]},
                "callerReference": f"publish-{pub_ver}",
            },
        },
        {
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist_id}/invalidation/I{ctx.upper(25, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}",
            "invalidation": {
                "id": "I" + ctx.upper(25, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                "status": "InProgress",
                "createTime": k.iso(publish),
                "invalidationBatch": {
                    "paths": {"quantity": 3, "items": ["/index.html", "/journal/*", "/collections/*"]},
                    "callerReference": f"publish-{pub_ver}",
                },
            },
        },
    )
    txt_at = scan_start - timedelta(minutes=r.randint(14, 26))
    ctx.trail(
        txt_at,
        web,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "prairieoutfitters.com",
                            "type": "TXT",
                            "tTL": 300,
                            "resourceRecords": [
                                {"value": '"v=spf1 include:_spf.google.com include:sendgrid.net ~all"'},
                                {
                                    "value": f'"google-site-verification={ctx.upper(30, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")}"'
                                },
                            ],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C" + ctx.upper(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                "status": "PENDING",
                "submittedAt": txt_at.strftime("%b %d, %Y, %-I:%M:%S %p"),
            }
        },
    )
    ctx.trail(
        start + timedelta(minutes=r.randint(30, 120)),
        ops,
        "wafv2.amazonaws.com",
        "ListWebACLs",
        {"scope": "CLOUDFRONT", "limit": 100},
        None,
        read_only=True,
    )
    ctx.trail(
        scan_start + timedelta(minutes=r.randint(18, 28)),
        ops,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": [waf_lg],
            "startTime": k.ms(scan_start) // 1000 - 900,
            "endTime": k.ms(scan_start) // 1000 + 1200,
            "queryString": "fields httpRequest.clientIp, httpRequest.uri | stats count() by httpRequest.clientIp | sort count() desc | limit 20",
        },
        {"queryId": ctx.uuid()},
        read_only=True,
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
            "trigger": {"question": None, "alarm_event": k.alarm_event(ctx, fired)},
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(manifest, k.sort_all(ctx))
