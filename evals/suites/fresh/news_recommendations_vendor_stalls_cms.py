"""The CMS renders a "read next" rail server-side from a third-party recommendations API with an 8 s
timeout; the vendor starts hanging, PHP-FPM workers pile up waiting, nginx answers 502 and uncached pages
fail at the edge."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzr as kit

NAME = "news-recommendations-vendor-stalls-cms"
TITLE = "Article pages intermittently showing a 502 error page; CloudFront 5xx alarm"
SUMMARY = (
    "A third-party recommendations API called during server-side rendering starts hanging; PHP-FPM "
    "workers are all stuck waiting on it, nginx returns 502 and CloudFront 5xx climbs."
)

VENDOR = "api.recirq.io"


def build(seed: int) -> Bundle:
    site = kit.new_site(seed, NAME, onset_hour_utc=(12, 20))
    rng = random.Random(f"{NAME}/{seed}")
    max_children = rng.choice([40, 48, 64])
    sev_peak = rng.uniform(0.75, 1.0)

    def sev_at(t: datetime) -> float:
        if t < site.onset:
            return 0.0
        return sev_peak * min(1.0, (t - site.onset).total_seconds() / 420)

    def tweak(t: datetime, st: kit.State) -> None:
        sev = sev_at(t)
        if not sev:
            return
        r = random.Random(f"{site.account}{t}dep")
        st["latency"] = 0.22 + sev * r.uniform(4.5, 6.8)
        st["alb_5xx_frac"] = sev * r.uniform(0.14, 0.26)
        st["cf_5xx"] += sev * r.uniform(2.1, 3.4)
        st["cms_cpu"] = 6 + r.uniform(0, 4)

    kit.emit_metrics(site, tweak)
    kit.base_resources(site)
    site.resource("cloudfront", "Distribution", kit.distribution(site, site.start - timedelta(days=20)))
    site.resource(
        "cloudfront",
        "FunctionSummary",
        kit.function_summary(
            site, "LIVE", site.start - timedelta(days=20), "www: redirect apex, strip tracking params"
        ),
    )
    site.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/{site.brand}/cms/nginx-error",
            "creationTime": 1710168000000,
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{kit.REGION}:{site.account}:log-group:/{site.brand}/cms/nginx-error:*",
            "storedBytes": 412345678,
        },
    )
    site.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/{site.brand}/cms/php-fpm",
            "creationTime": 1710168000000,
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{kit.REGION}:{site.account}:log-group:/{site.brand}/cms/php-fpm:*",
            "storedBytes": 9345678,
        },
    )

    # --- CloudTrail ---------------------------------------------------------------------------------
    kit.noise_trail(site)
    ci = site.role(f"{site.brand}-gha-deploy", "GitHubActions")
    t_dep = site.onset - timedelta(minutes=rng.randint(18, 32))
    site.trail(
        t_dep,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": f"{site.brand}-cms",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"{site.brand}-build-artifacts",
                    "key": f"cms/release-{kit.hexid(rng, 7)}.zip",
                    "bundleType": "zip",
                },
            },
            "description": "cms: author bio pages, split sitemap index",
        },
        {"deploymentId": "d-" + kit.upper_id(rng, 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")},
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6",
    )
    ops = site.sso(site.sso_users[3], "PlatformEngineer")
    ops_ip = f"98.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    browser = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15"
    )
    t_alarm_edit = site.start + timedelta(minutes=rng.randint(50, 90), seconds=rng.randint(0, 59))
    site.trail(
        t_alarm_edit,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        ops,
        {
            "alarmName": f"{site.alb_name}-target-5xx",
            "alarmDescription": "CMS targets returning 5xx",
            "actionsEnabled": True,
            "alarmActions": [f"arn:aws:sns:{kit.REGION}:{site.account}:{site.brand}-oncall"],
            "metricName": "HTTPCode_Target_5XX_Count",
            "namespace": "AWS/ApplicationELB",
            "statistic": "Sum",
            "dimensions": [{"name": "LoadBalancer", "value": site.alb_dim}],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 100.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
        ip=ops_ip,
        agent=browser,
    )
    site.trail(
        site.onset - timedelta(minutes=rng.randint(45, 70)),
        "elasticache.amazonaws.com",
        "ModifyCacheCluster",
        ops,
        {
            "cacheClusterId": site.cache_id,
            "preferredMaintenanceWindow": "sun:08:00-sun:09:00",
            "applyImmediately": False,
        },
        {
            "cacheClusterId": site.cache_id,
            "cacheClusterStatus": "available",
            "preferredMaintenanceWindow": "sun:08:00-sun:09:00",
        },
        ip=ops_ip,
        agent=browser,
    )
    look = site.onset + timedelta(minutes=rng.randint(11, 18))
    for k, (src, name, params) in enumerate(
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": site.tg_arn}),
            (
                "codedeploy.amazonaws.com",
                "ListDeployments",
                {"applicationName": f"{site.brand}-cms", "deploymentGroupName": "prod"},
            ),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": site.db_id}),
        ]
    ):
        site.trail(
            look + timedelta(seconds=30 * k),
            src,
            name,
            ops,
            params,
            None,
            read_only=True,
            ip=ops_ip,
            agent=browser,
        )

    # --- alarms -------------------------------------------------------------------------------------
    cf = {"DistributionId": site.dist_id, "Region": "Global"}
    a5 = kit.alarm(
        site,
        "www-cloudfront-5xx-error-rate-high",
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        "Average",
        1.0,
        period=60,
        evals=5,
        desc=f"www.{site.domain} edge 5xx rate above 1% for 5 minutes",
    )
    t5 = kit.alarm(
        site,
        f"{site.alb_name}-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": site.alb_dim},
        "Sum",
        100.0,
        period=300,
        evals=1,
        desc="CMS targets returning 5xx",
        treat_missing="notBreaching",
    )
    t5["AlarmConfigurationUpdatedTimestamp"] = kit.iso(t_alarm_edit).replace("Z", ".000Z")
    cpu = kit.alarm(
        site,
        f"{site.db_id}-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": site.db_id},
        "Average",
        80.0,
        period=300,
        evals=2,
    )
    ev = kit.alarm(
        site,
        f"{site.cache_id}-0003-evictions",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": site.cache_id, "CacheNodeId": "0003"},
        "Sum",
        150.0,
        period=300,
        evals=1,
        desc="memcached node evicting",
    )
    fired = None
    for a in (a5, t5, cpu, ev):
        f = kit.evaluate(site, a)
        if a is a5:
            fired = f
    assert fired is not None
    event = kit.alarm_event(site, a5, fired, a5["StateReason"], {})
    event["detail"]["state"]["reasonData"] = a5["StateReasonData"]

    # --- logs ---------------------------------------------------------------------------------------
    app = f"/{site.brand}/cms/php-app"
    nerr = f"/{site.brand}/cms/nginx-error"
    fpm = f"/{site.brand}/cms/php-fpm"
    t = site.start
    while t < site.now:
        r = random.Random(f"{site.account}{t}logs")
        sev = sev_at(t)
        for n, inst in enumerate(site.instances):
            sec = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999999))
            path = r.choice(["/", "/news/", "/sports/", f"/news/{t:%Y/%m/%d}/story-{r.randint(1000, 9999)}"])
            if r.random() < 0.6:
                if sev and r.random() < sev * 0.45:
                    kit.nginx_access(site, sec, inst, path, 502, 0.0, 552)
                else:
                    rt = r.uniform(8.0, 8.4) if sev and r.random() < sev else r.uniform(0.05, 0.45)
                    kit.nginx_access(site, sec, inst, path, 200, rt, r.randint(38000, 95000))
            if sev and r.random() < sev:
                for _ in range(r.randint(1, 3)):
                    ms_ = r.randint(0, 59999)
                    tt = t + timedelta(milliseconds=ms_)
                    site.log(
                        app,
                        f"{inst}/cms.log",
                        tt,
                        f"[{tt.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00] app.ERROR: Read-next rail unavailable "
                        f'{{"exception":"[object] (GuzzleHttp\\\\Exception\\\\ConnectException(code: 0): cURL error 28: '
                        f"Operation timed out after {r.randint(8000, 8004)} milliseconds with 0 bytes received "
                        f"(see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://{VENDOR}/v2/recommendations"
                        f"?site={site.brand}&limit=6 at /var/www/cms/vendor/guzzlehttp/guzzle/src/Handler/"
                        f'CurlFactory.php:275)"}} []',
                    )
                if r.random() < sev * 0.8:
                    site.log(
                        fpm,
                        f"{inst}/php8.2-fpm.log",
                        sec,
                        f"[{sec.strftime('%d-%b-%Y %H:%M:%S')}] WARNING: [pool www] server reached pm.max_children "
                        f"setting ({max_children}), consider raising it",
                    )
                if r.random() < sev * 0.7:
                    cid = r.randint(100000, 999999)
                    site.log(
                        nerr,
                        f"{inst}/error.log",
                        sec,
                        f"{sec.strftime('%Y/%m/%d %H:%M:%S')} [error] {r.randint(1200, 1300)}#{r.randint(1200, 1300)}: "
                        f"*{cid} connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily "
                        f"unavailable) while connecting to upstream, client: 10.40.{11 + n % 3}.{r.randint(5, 250)}, "
                        f'server: {site.domain}, request: "GET {path} HTTP/1.1", '
                        f'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "origin.{site.domain}"',
                    )
            elif r.random() < 0.02:
                site.log(
                    app,
                    f"{inst}/cms.log",
                    sec,
                    f"[{sec.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00] app.WARNING: Read-next rail slow "
                    f'{{"host":"{VENDOR}","elapsed_ms":{r.randint(1200, 2600)}}} []',
                )
            elif r.random() < 0.03:
                site.log(
                    app,
                    f"{inst}/cms.log",
                    sec,
                    f"[{sec.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00] app.NOTICE: Ad slot config missing for "
                    f'section {{"section":"{r.choice(["obituaries", "classifieds", "puzzles"])}"}} []',
                )
        t += timedelta(minutes=1)

    local_now = kit.local_time(fired + timedelta(minutes=rng.randint(6, 13)), "America/New_York")
    question = (
        "Readers are emailing that some articles show an error page and others load really slowly. "
        f"Homepage seems OK for me. Did the deploy earlier break something? It's {kit.clock(local_now)}."
    )
    return kit.finish(
        site,
        TITLE,
        {"question": question, "alarm_event": event, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": VENDOR,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-hangs",
            },
            "also_accept": ["recirq", "recommendations API", "read-next rail"],
            "actions": ["reconfigure"],
            "chain": [VENDOR, site.asg, site.alb_name, site.dist_id],
        },
    )
