"""Site search erroring through CloudFront: the hosted search vendor behind /api/search/* stops answering."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzf import Kit, diurnal, iso, iso_ms, minute

NAME = "storefront-search-errors-cloudfront-5xx"
TITLE = "Shoppers say site search shows an error page; CloudFront 5xx error-rate alarm mid-morning"
SUMMARY = (
    "The third-party hosted search service that CloudFront proxies for /api/search/* starts timing out; "
    "search requests end in 504/502 at the edge while the shop's own ALB origin stays healthy."
)

TZ = ZoneInfo("America/New_York")
REGION = "us-east-1"
VENDOR = "driftwood-prod.searchsprout.net"


def build(seed: int) -> Bundle:
    k = Kit(seed, REGION)
    r = k.r
    acct = k.account
    day = k.onset_day(months=(1, 2, 3, 4, 5, 9, 10, 11))
    local = day.replace(tzinfo=TZ).replace(hour=r.choice([9, 10, 11]), minute=r.randint(5, 55))
    onset = minute(local.astimezone(UTC))
    start = onset - timedelta(hours=4, minutes=r.randint(0, 30))
    now = onset + timedelta(minutes=r.randint(35, 52))
    dist_id = "E" + k.upper(13)
    cf_domain = f"d{k.hexid(13)}.cloudfront.net"
    zone_id = "Z0" + k.upper(19)
    hc_id = k.uuid()
    cert_id = k.uuid()
    topic = f"arn:aws:sns:{REGION}:{acct}:web-oncall"
    peak = r.uniform(26000, 38000)  # edge requests per minute at the local midday peak
    search_share = r.uniform(0.07, 0.1)
    fail_share = r.uniform(0.82, 0.93)  # of search requests failing during the outage
    hc_healthy = r.choice([0.0, 0.0, 12.5, 25.0])

    waf_t = onset - timedelta(minutes=r.randint(14, 30))

    def failing(t):
        return t >= onset

    # --- resources -----------------------------------------------------------------------------
    lb_id = k.hexid(16)
    lb = f"app/shop-web/{lb_id}"
    tg = f"targetgroup/storefront-ssr/{k.hexid(16)}"
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{lb}",
            "DNSName": f"shop-web-{r.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": "2024-02-13T14:11:09Z",
            "LoadBalancerName": "shop-web",
            "Scheme": "internet-facing",
            "VpcId": "vpc-0" + k.hexid(16),
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"us-east-1{z}", "SubnetId": "subnet-0" + k.hexid(16)} for z in "abc"
            ],
            "SecurityGroups": ["sg-0" + k.hexid(16)],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tg}",
            "TargetGroupName": "storefront-ssr",
            "Protocol": "HTTP",
            "Port": 3000,
            "VpcId": "vpc-0" + k.hexid(16),
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{lb}"],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": f"arn:aws:ecs:{REGION}:{acct}:service/web-prod/storefront-ssr",
            "serviceName": "storefront-ssr",
            "clusterArn": f"arn:aws:ecs:{REGION}:{acct}:cluster/web-prod",
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/storefront-ssr:{r.randint(180, 260)}",
            "loadBalancers": [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tg}",
                    "containerName": "storefront",
                    "containerPort": 3000,
                }
            ],
            "createdAt": "2024-02-13T14:30:00Z",
            "schedulingStrategy": "REPLICA",
        },
    )
    origins = [
        {
            "Id": "shop-alb",
            "DomainName": "origin-shop.driftwoodoutdoor.com",
            "OriginPath": "",
            "CustomHeaders": {"Quantity": 0, "Items": []},
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                "OriginReadTimeout": 30,
                "OriginKeepaliveTimeout": 5,
            },
            "ConnectionAttempts": 3,
            "ConnectionTimeout": 10,
            "OriginShield": {"Enabled": False},
            "OriginAccessControlId": "",
        },
        {
            "Id": "search-saas",
            "DomainName": VENDOR,
            "OriginPath": "",
            "CustomHeaders": {"Quantity": 0, "Items": []},
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                "OriginReadTimeout": 10,
                "OriginKeepaliveTimeout": 5,
            },
            "ConnectionAttempts": 2,
            "ConnectionTimeout": 5,
            "OriginShield": {"Enabled": False},
            "OriginAccessControlId": "",
        },
        {
            "Id": "assets-s3",
            "DomainName": f"driftwood-web-assets-{acct}.s3.us-east-1.amazonaws.com",
            "OriginPath": "",
            "CustomHeaders": {"Quantity": 0, "Items": []},
            "S3OriginConfig": {"OriginAccessIdentity": ""},
            "ConnectionAttempts": 3,
            "ConnectionTimeout": 10,
            "OriginShield": {"Enabled": False},
            "OriginAccessControlId": "E" + k.upper(13),
        },
    ]
    dist_modified = start - timedelta(days=r.randint(20, 70))
    k.res(
        "cloudfront",
        "Distribution",
        {
            "Id": dist_id,
            "ARN": f"arn:aws:cloudfront::{acct}:distribution/{dist_id}",
            "Status": "Deployed",
            "LastModifiedTime": iso(dist_modified),
            "InProgressInvalidationBatches": 0,
            "DomainName": cf_domain,
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": {
                "CallerReference": "terraform-20240213141502118300000001",
                "Aliases": {"Quantity": 2, "Items": ["www.driftwoodoutdoor.com", "driftwoodoutdoor.com"]},
                "DefaultRootObject": "",
                "Origins": {"Quantity": 3, "Items": origins},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "shop-alb",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "AllowedMethods": {
                        "Quantity": 7,
                        "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
                    },
                    "Compress": True,
                    "CachePolicyId": k.uuid(),
                    "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
                },
                "CacheBehaviors": {
                    "Quantity": 2,
                    "Items": [
                        {
                            "PathPattern": "/api/search/*",
                            "TargetOriginId": "search-saas",
                            "ViewerProtocolPolicy": "https-only",
                            "AllowedMethods": {
                                "Quantity": 3,
                                "Items": ["GET", "HEAD", "OPTIONS"],
                                "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
                            },
                            "Compress": True,
                            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                            "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
                        },
                        {
                            "PathPattern": "/_next/static/*",
                            "TargetOriginId": "assets-s3",
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "Compress": True,
                            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                        },
                    ],
                },
                "CustomErrorResponses": {"Quantity": 0},
                "Comment": "www.driftwoodoutdoor.com",
                "PriceClass": "PriceClass_100",
                "Enabled": True,
                "ViewerCertificate": {
                    "CloudFrontDefaultCertificate": False,
                    "ACMCertificateArn": f"arn:aws:acm:us-east-1:{acct}:certificate/{cert_id}",
                    "SSLSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",
                },
                "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
                "WebACLId": f"arn:aws:wafv2:us-east-1:{acct}:global/webacl/www-edge/{k.uuid()}",
                "HttpVersion": "http2and3",
                "IsIPV6Enabled": True,
            },
        },
    )
    k.res(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "driftwoodoutdoor.com.",
            "CallerReference": k.uuid(),
            "Config": {"Comment": "public", "PrivateZone": False},
            "ResourceRecordSetCount": 41,
        },
    )
    for name in ("www.driftwoodoutdoor.com.", "driftwoodoutdoor.com."):
        for typ in ("A", "AAAA"):
            k.res(
                "route53",
                "ZoneRecordSet",
                {
                    "HostedZoneId": zone_id,
                    "Name": name,
                    "Type": typ,
                    "AliasTarget": {
                        "HostedZoneId": "Z2FDTNDATAQYW2",
                        "DNSName": cf_domain + ".",
                        "EvaluateTargetHealth": False,
                    },
                },
            )
    k.res(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": zone_id,
            "Name": "origin-shop.driftwoodoutdoor.com.",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": "Z35SXDOTRQ7X7K",
                "DNSName": f"dualstack.shop-web-{r.randint(10**8, 10**9)}.us-east-1.elb.amazonaws.com.",
                "EvaluateTargetHealth": True,
            },
        },
    )
    k.res(
        "route53",
        "HealthCheck",
        {
            "Id": hc_id,
            "CallerReference": k.uuid(),
            "HealthCheckVersion": 1,
            "HealthCheckConfig": {
                "Port": 443,
                "Type": "HTTPS",
                "ResourcePath": "/1/health",
                "FullyQualifiedDomainName": VENDOR,
                "RequestInterval": 30,
                "FailureThreshold": 3,
                "MeasureLatency": True,
                "Inverted": False,
                "Disabled": False,
                "EnableSNI": True,
            },
        },
    )
    k.res(
        "acm",
        "CertificateDetail",
        {
            "CertificateArn": f"arn:aws:acm:us-east-1:{acct}:certificate/{cert_id}",
            "DomainName": "driftwoodoutdoor.com",
            "SubjectAlternativeNames": ["driftwoodoutdoor.com", "*.driftwoodoutdoor.com"],
            "Status": "ISSUED",
            "Type": "AMAZON_ISSUED",
            "KeyAlgorithm": "RSA-2048",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": [f"arn:aws:cloudfront::{acct}:distribution/{dist_id}"],
            "CreatedAt": "2024-02-13T14:02:44Z",
            "IssuedAt": iso(start - timedelta(days=r.randint(30, 200))),
            "NotBefore": iso(start - timedelta(days=r.randint(30, 200))),
            "NotAfter": iso(start + timedelta(days=r.randint(160, 330))),
            "RenewalEligibility": "ELIGIBLE",
            "Issuer": "Amazon",
            "Serial": ":".join(k.hexid(2) for _ in range(16)),
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": "/ecs/storefront-ssr",
            "creationTime": 1707833400000,
            "retentionInDays": 30,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:/ecs/storefront-ssr:*",
            "storedBytes": r.randint(10**9, 10**10),
        },
    )

    # --- metrics -------------------------------------------------------------------------------
    reqs = {}
    t = start
    while t <= now:
        reqs[t] = peak * diurnal(t, 17.0, 0.35) * r.uniform(0.95, 1.05)
        t += timedelta(minutes=1)
    cd = {"DistributionId": dist_id, "Region": "Global"}

    def rate5(t):
        if failing(t):
            return 100 * (search_share * fail_share * r.uniform(0.9, 1.1)) + r.uniform(0.02, 0.08)
        return r.uniform(0.01, 0.09)

    k.series("AWS/CloudFront", "Requests", cd, "None", start, now, lambda t: round(reqs[t]))
    k.series(
        "AWS/CloudFront",
        "BytesDownloaded",
        cd,
        "None",
        start,
        now,
        lambda t: round(reqs[t] * r.uniform(38000, 46000)),
    )
    k.series(
        "AWS/CloudFront",
        "BytesUploaded",
        cd,
        "None",
        start,
        now,
        lambda t: round(reqs[t] * r.uniform(900, 1300)),
    )
    five = {t: rate5(t) for t in reqs}
    k.series("AWS/CloudFront", "5xxErrorRate", cd, "Percent", start, now, lambda t: five[t])
    four = {t: r.uniform(1.2, 2.1) for t in reqs}
    k.series("AWS/CloudFront", "4xxErrorRate", cd, "Percent", start, now, lambda t: four[t])
    k.series("AWS/CloudFront", "TotalErrorRate", cd, "Percent", start, now, lambda t: four[t] + five[t])
    # additional distribution metrics (enabled on this distribution)
    k.series(
        "AWS/CloudFront",
        "504ErrorRate",
        cd,
        "Percent",
        start,
        now,
        lambda t: five[t] * r.uniform(0.78, 0.86) if failing(t) else r.uniform(0.0, 0.02),
    )
    k.series(
        "AWS/CloudFront",
        "502ErrorRate",
        cd,
        "Percent",
        start,
        now,
        lambda t: five[t] * r.uniform(0.12, 0.2) if failing(t) else r.uniform(0.0, 0.02),
    )
    k.series("AWS/CloudFront", "503ErrorRate", cd, "Percent", start, now, lambda t: r.uniform(0.0, 0.01))
    k.series("AWS/CloudFront", "500ErrorRate", cd, "Percent", start, now, lambda t: r.uniform(0.0, 0.01))
    k.series("AWS/CloudFront", "401ErrorRate", cd, "Percent", start, now, lambda t: r.uniform(0.0, 0.02))
    k.series("AWS/CloudFront", "403ErrorRate", cd, "Percent", start, now, lambda t: r.uniform(0.2, 0.4))
    k.series("AWS/CloudFront", "404ErrorRate", cd, "Percent", start, now, lambda t: four[t] * 0.7)
    k.series(
        "AWS/CloudFront",
        "CacheHitRate",
        cd,
        "Percent",
        start,
        now,
        lambda t: r.uniform(61, 67) - (3 if failing(t) else 0),
    )
    k.dist_series(
        "AWS/CloudFront",
        "OriginLatency",
        cd,
        "Milliseconds",
        start,
        now,
        lambda t: (
            [35, 80, 160, 400, 1200, 5000, 10000],
            (
                lambda n: [
                    n * 0.45,
                    n * 0.3,
                    n * 0.14,
                    n * 0.07,
                    n * 0.04,
                    n * (0.02 if failing(t) else 0.0),
                    n * (search_share * fail_share * 0.9 if failing(t) else 0.0),
                ]
            )(reqs[t] * 0.36),
        ),
    )
    ad = {"LoadBalancer": lb}
    tgd = {"TargetGroup": tg, "LoadBalancer": lb}
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        ad,
        "Count",
        start,
        now,
        lambda t: round(reqs[t] * 0.36 * (1 - search_share)),
    )
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        start,
        now,
        lambda t: round(reqs[t] * 0.36 * (1 - search_share)),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        start,
        now,
        lambda t: r.choice([0, 0, 1, 2]),
        skip_zero=True,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        start,
        now,
        lambda t: round(reqs[t] * 0.36 * (1 - search_share) * 0.95),
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", start, now, lambda t: 6)
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", start, now, lambda t: 0)
    k.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        start,
        now,
        lambda t: (
            [0.03, 0.08, 0.2, 0.6, 1.6],
            (
                lambda n: [
                    n * 0.4,
                    n * 0.35,
                    n * 0.18,
                    n * (0.05 if not failing(t) else 0.035),
                    n * (0.02 if not failing(t) else 0.035),
                ]
            )(reqs[t] * 0.36 * (1 - search_share)),
        ),
    )
    hd = {"HealthCheckId": hc_id}
    k.series(
        "AWS/Route53",
        "HealthCheckStatus",
        hd,
        "None",
        start,
        now,
        lambda t: 0.0 if t >= onset + timedelta(minutes=2) else 1.0,
    )
    k.series(
        "AWS/Route53",
        "HealthCheckPercentageHealthy",
        hd,
        "Percent",
        start,
        now,
        lambda t: hc_healthy if t >= onset + timedelta(minutes=2) else (100.0 if t < onset else 50.0),
    )
    k.series(
        "AWS/Route53",
        "TimeToFirstByte",
        {"HealthCheckId": hc_id, "Region": "us-east-1"},
        "Milliseconds",
        start,
        now,
        lambda t: None if t >= onset else r.uniform(48, 95),
    )
    k.series(
        "AWS/Route53",
        "ConnectionTime",
        {"HealthCheckId": hc_id, "Region": "us-east-1"},
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(8, 14) if t < onset else (r.uniform(9, 15) if r.random() < 0.6 else None),
    )
    # WAF for the distribution
    wd = {"WebACL": "www-edge", "Rule": "ALL"}
    k.series("AWS/WAFV2", "AllowedRequests", wd, "Count", start, now, lambda t: round(reqs[t] * 0.996))
    k.series(
        "AWS/WAFV2",
        "BlockedRequests",
        wd,
        "Count",
        start,
        now,
        lambda t: round(reqs[t] * r.uniform(0.002, 0.005)),
    )
    k.series(
        "AWS/WAFV2",
        "CountedRequests",
        {"WebACL": "www-edge", "Rule": "search-rate-limit"},
        "Count",
        start,
        now,
        lambda t: r.choice([0, 0, 0, 3, 7]) if t > waf_t else None,
        skip_zero=True,
    )

    # --- logs: the storefront renders category pages with the same search API, server-side ---
    streams = [f"ecs/storefront/{k.hexid(32)}" for _ in range(6)]
    hosts = {st: f"ip-10-60-{r.randint(1, 40)}-{r.randint(2, 250)}.ec2.internal" for st in streams}
    url = f"https://{VENDOR}/1/indexes/products/query"
    t = start + timedelta(seconds=r.randint(1, 40))
    while t < now:
        s_ = r.choice(streams)
        base: dict[str, Any] = {"level": 30, "time": ms_(t), "pid": 1, "hostname": hosts[s_]}
        if failing(t):
            path = r.choice(
                ["/c/tents", "/c/sleeping-bags", "/c/rain-jackets", "/c/hiking-boots", "/c/stoves"]
            )
            if r.random() < 0.8:
                cause = {
                    "name": "HeadersTimeoutError",
                    "code": "UND_ERR_HEADERS_TIMEOUT",
                    "message": "Headers Timeout Error",
                }
            else:
                cause = {
                    "name": "ConnectTimeoutError",
                    "code": "UND_ERR_CONNECT_TIMEOUT",
                    "message": f"Connect Timeout Error (attempted address: {VENDOR}:443, timeout: 5000ms)",
                }
            base.update(
                {
                    "level": 40,
                    "msg": "category listing fell back to cached facets",
                    "path": path,
                    "url": url,
                    "err": {"type": "TypeError", "message": "fetch failed", "cause": cause},
                    "durationMs": r.randint(4800, 5100),
                }
            )
            t += timedelta(seconds=r.uniform(3, 14))
        else:
            if r.random() < 0.25:
                base.update(
                    {"level": 40, "msg": "product not found", "path": f"/p/{k.hexid(8)}", "statusCode": 404}
                )
            else:
                base.update(
                    {
                        "msg": "render stats",
                        "pages": r.randint(700, 1400),
                        "p95Ms": r.randint(180, 320),
                        "searchP95Ms": r.randint(60, 130),
                    }
                )
            t += timedelta(seconds=r.uniform(20, 60))
        k.log("/ecs/storefront-ssr", s_, ms_t(base["time"]), json.dumps(base, separators=(",", ":")))

    # --- alarms --------------------------------------------------------------------------------
    alarm_t = onset + timedelta(minutes=3, seconds=r.randint(5, 50))
    vals = [round(five[onset + timedelta(minutes=i)], 2) for i in range(3)]
    text, data = k.reason(vals, 60, 3, 2, "greater than", onset + timedelta(minutes=2), stat="Average")
    a = k.alarm(
        "www-cloudfront-5xx-rate",
        namespace="AWS/CloudFront",
        metric="5xxErrorRate",
        dims=cd,
        stat="Average",
        period=60,
        evals=3,
        threshold=2,
        op="GreaterThanThreshold",
        state="ALARM",
        reason=text,
        reason_data=data,
        updated=alarm_t,
        configured=start - timedelta(days=240),
        topic=topic,
        description="Edge 5xx above 2% for 3 minutes (www.driftwoodoutdoor.com)",
    )
    k.transition("www-cloudfront-5xx-rate", alarm_t, "OK", "ALARM", text, data)
    k.alarm(
        "shop-web-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tgd,
        stat="Sum",
        period=60,
        evals=3,
        threshold=25,
        op="GreaterThanThreshold",
        state="OK",
        missing="notBreaching",
        reason="Threshold Crossed: 3 out of the last 3 datapoints [1.0, 0.0, 2.0] were not greater than the threshold (25.0) (minimum 3 datapoints for ALARM -> OK transition).",
        updated=start - timedelta(days=9),
        configured=start - timedelta(days=240),
        topic=topic,
    )
    # a p95 SSR latency alarm that flaps on heavy pages
    flap = "storefront-ssr-p95-latency"
    k.alarm(
        flap,
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tgd,
        stat="Average",
        period=300,
        evals=2,
        threshold=0.35,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints [0.21, 0.19] were not greater than the threshold (0.35) (minimum 2 datapoints for ALARM -> OK transition).",
        updated=onset - timedelta(minutes=r.randint(40, 70)),
        configured=start - timedelta(days=100),
        topic=f"arn:aws:sns:{REGION}:{acct}:web-lowprio",
    )
    ft = onset - timedelta(minutes=r.randint(100, 150))
    k.transition(
        flap,
        ft,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints [0.41, 0.38] were greater than the threshold (0.35) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    k.transition(
        flap,
        ft + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [0.22, 0.2] were not greater than the threshold (0.35) (minimum 2 datapoints for ALARM -> OK transition).",
    )
    last = next(x for x in k.alarms if x["AlarmName"] == flap)
    last["StateUpdatedTimestamp"] = last["StateTransitionedTimestamp"] = iso_ms(ft + timedelta(minutes=10))

    # --- cloudtrail ----------------------------------------------------------------------------
    ci = k.role_identity("web-deploy", f"GitHubActions-{r.randint(8000000000, 8999999999)}")
    sec = k.role_identity(
        f"AWSReservedSSO_SecurityEngineer_{k.hexid(16)}",
        "dana.whitfield@driftwoodoutdoor.com",
        path="/aws-reserved/sso.amazonaws.com/us-east-1/",
    )
    web = k.role_identity(
        f"AWSReservedSSO_WebDeveloper_{k.hexid(16)}",
        "sam.okafor@driftwoodoutdoor.com",
        path="/aws-reserved/sso.amazonaws.com/us-east-1/",
    )
    browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    office_ip = f"73.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    gh_ip = f"4.{r.randint(150, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    # morning storefront deploy: new task definition and a cache invalidation
    dep = onset - timedelta(minutes=r.randint(55, 95))
    k.ct(
        dep,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        params={
            "cluster": "web-prod",
            "service": "storefront-ssr",
            "taskDefinition": f"storefront-ssr:{r.randint(261, 280)}",
            "forceNewDeployment": False,
        },
        response={"service": {"serviceName": "storefront-ssr", "status": "ACTIVE", "desiredCount": 6}},
        read_only=False,
        ip=gh_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
    )
    inv_t = dep + timedelta(minutes=9, seconds=r.randint(0, 50))
    inv_id = "I" + k.upper(13)
    k.ct(
        inv_t,
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        ci,
        params={
            "distributionId": dist_id,
            "invalidationBatch": {
                "paths": {"quantity": 2, "items": ["/", "/c/*"]},
                "callerReference": f"deploy-{r.randint(10**6, 10**7)}",
            },
        },
        response={
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist_id}/invalidation/{inv_id}",
            "invalidation": {
                "id": inv_id,
                "status": "InProgress",
                "createTime": iso(inv_t),
                "invalidationBatch": {
                    "paths": {"quantity": 2, "items": ["/", "/c/*"]},
                    "callerReference": f"deploy-{r.randint(10**6, 10**7)}",
                },
            },
        },
        read_only=False,
        ip=gh_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/cloudfront.create-invalidation",
    )
    # WAF: a rate-based rule for /api/search added in COUNT mode shortly before the outage
    acl_id = k.uuid()
    k.ct(
        waf_t - timedelta(minutes=2),
        "wafv2.amazonaws.com",
        "GetWebACL",
        sec,
        params={"name": "www-edge", "scope": "CLOUDFRONT", "id": acl_id},
        ip=office_ip,
        agent=browser,
    )
    k.ct(
        waf_t,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        sec,
        params={
            "name": "www-edge",
            "scope": "CLOUDFRONT",
            "id": acl_id,
            "defaultAction": {"allow": {}},
            "rules": [
                {
                    "name": "AWS-AWSManagedRulesCommonRuleSet",
                    "priority": 10,
                    "statement": {
                        "managedRuleGroupStatement": {
                            "vendorName": "AWS",
                            "name": "AWSManagedRulesCommonRuleSet",
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
                    "name": "search-rate-limit",
                    "priority": 20,
                    "statement": {
                        "rateBasedStatement": {
                            "limit": 600,
                            "evaluationWindowSec": 300,
                            "aggregateKeyType": "IP",
                            "scopeDownStatement": {
                                "byteMatchStatement": {
                                    "searchString": "/api/search/",
                                    "fieldToMatch": {"uriPath": {}},
                                    "textTransformations": [{"priority": 0, "type": "NONE"}],
                                    "positionalConstraint": "STARTS_WITH",
                                }
                            },
                        }
                    },
                    "action": {"count": {}},
                    "visibilityConfig": {
                        "sampledRequestsEnabled": True,
                        "cloudWatchMetricsEnabled": True,
                        "metricName": "search-rate-limit",
                    },
                },
            ],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": "www-edge",
            },
            "lockToken": k.uuid(),
        },
        response={"nextLockToken": k.uuid()},
        read_only=False,
        ip=office_ip,
        agent=browser,
    )
    # the web developer looks around after the page
    look = alarm_t + timedelta(minutes=r.randint(3, 7))
    for i, (src, name, params) in enumerate(
        (
            ("cloudfront.amazonaws.com", "GetDistribution", {"id": dist_id}),
            ("cloudfront.amazonaws.com", "ListInvalidations", {"distributionId": dist_id}),
            ("cloudfront.amazonaws.com", "GetInvalidation", {"distributionId": dist_id, "id": inv_id}),
            (
                "wafv2.amazonaws.com",
                "GetSampledRequests",
                {
                    "webAclArn": f"arn:aws:wafv2:us-east-1:{acct}:global/webacl/www-edge/{acl_id}",
                    "ruleMetricName": "search-rate-limit",
                    "scope": "CLOUDFRONT",
                    "timeWindow": {"startTime": iso(look - timedelta(hours=1)), "endTime": iso(look)},
                    "maxItems": 100,
                },
            ),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tg}"},
            ),
        )
    ):
        k.ct(look + timedelta(seconds=i * 41), src, name, web, params=params, ip=office_ip, agent=browser)
    # tooling reads
    grafana = k.role_identity("grafana-cloudwatch-read", "grafana")
    r53 = k.role_identity("external-dns", "external-dns-" + k.hexid(8))
    calls: list[tuple[str, str, dict, dict | None]] = [
        ("monitoring.amazonaws.com", "GetMetricData", grafana, {"maxDatapoints": 1500}),
        ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}),
        ("route53.amazonaws.com", "ListResourceRecordSets", r53, {"hostedZoneId": zone_id}),
        ("route53.amazonaws.com", "ListHostedZones", r53, None),
        ("route53.amazonaws.com", "GetHealthCheckStatus", grafana, {"healthCheckId": hc_id}),
        ("cloudfront.amazonaws.com", "ListDistributions", grafana, None),
        (
            "acm.amazonaws.com",
            "DescribeCertificate",
            grafana,
            {"certificateArn": f"arn:aws:acm:us-east-1:{acct}:certificate/{cert_id}"},
        ),
    ]
    k.readonly_noise(start, now, calls, r.randint(80, 110), ip="10.60.3.44")
    for rec in k.trail:
        if (
            rec["eventSource"] in ("route53.amazonaws.com", "cloudfront.amazonaws.com")
            and "tlsDetails" in rec
        ):
            rec["tlsDetails"]["clientProvidedHostHeader"] = (
                rec["eventSource"].replace(".amazonaws.com", "") + ".amazonaws.com"
            )
        if rec["eventSource"] == "route53.amazonaws.com" and rec["requestParameters"] is None:
            rec["requestParameters"] = {}

    ev = k.alarm_event(
        a,
        alarm_t,
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints [0.05, 0.04, 0.06] were not greater than the threshold (2.0) (minimum 3 datapoints for ALARM -> OK transition).",
        start - timedelta(days=12),
        text,
        data,
    )
    asked = (onset + timedelta(minutes=r.randint(-3, 2))).astimezone(TZ)
    q = (
        f"Customer service says people can't search on the website - they get an error page - since about "
        f"{asked.strftime('%-I:%M').lstrip('0')} this morning, and the CloudFront 5xx alarm paged. Dana changed the WAF "
        f"a little before that; is the new rule blocking searches? Product pages seem fine."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": VENDOR,
            "category": "dependency_failure",
            "failure_mode": "third-party-origin-timeouts",
        },
        "also_accept": ["search-saas", "SearchSprout", "searchsprout.net", hc_id],
        "actions": ["reconfigure"],
        "chain": [VENDOR, "search-saas", dist_id, "www.driftwoodoutdoor.com"],
    }
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": q, "alarm_event": ev, "timezone": "America/New_York"},
        truth=truth,
    )


def ms_t(v: int):
    from datetime import datetime

    return datetime.fromtimestamp(v / 1000, UTC)


def ms_(t) -> int:
    return int(t.timestamp() * 1000)
