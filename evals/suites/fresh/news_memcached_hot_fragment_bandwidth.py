"""Breaking news: a live-blog fragment stored under one memcached key grows past a megabyte and every page
render fetches it; the node holding the key hits its network bandwidth allowance, reads time out, the CMS
falls back to MySQL and pages slow down."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzr as kit

NAME = "news-memcached-hot-fragment-bandwidth"
TITLE = "Site crawling during breaking news; ALB response time alarm"
SUMMARY = (
    "One memcached node serving a fast-growing live-blog fragment to every render exceeds its network "
    "bandwidth allowance; cache reads time out and the CMS falls back to the database."
)


def build(seed: int) -> Bundle:
    site = kit.new_site(seed, NAME, onset_hour_utc=(13, 19))
    rng = random.Random(f"{NAME}/{seed}")
    blog_start = site.onset - timedelta(minutes=rng.randint(14, 22))
    spike = rng.uniform(1.9, 2.6)
    node_type = "cache.m6g.large"
    hot_node = site.cache_nodes[0]
    key = f"frag:liveblog:{rng.randint(40000, 49999)}:html:v2"

    def tweak(t: datetime, st: kit.State) -> None:
        if t >= blog_start:
            ramp = min(1.0, (t - blog_start).total_seconds() / 600)
            st["req"] *= 1 + (spike - 1) * ramp
            st["hit"] -= 0.03 * ramp
            # the fragment grows with every update; bytes out of the hot node grow with it
            grow = (t - blog_start).total_seconds() / 60
            st["mc_out_factor"] = 1 + min(115.0, 2.6 * grow)
        if t >= site.onset:
            r = random.Random(f"{site.account}{t}bw")
            sev = min(1.0, (t - site.onset).total_seconds() / 300)
            st["mc_bw_exceeded"] = sev * r.uniform(18000, 31000)
            st["mc_out_cap"] = 0.749e9 / 8 * 60
            st["latency"] = 0.25 + sev * r.uniform(1.4, 2.1)
            st["db_cpu"] = 18 + sev * r.uniform(48, 58)
            st["db_conn"] = len(site.instances) * 21 + sev * r.uniform(90, 130)
            st["db_read_iops"] = 180 + sev * r.uniform(2400, 3100)
            st["alb_5xx_frac"] = 0.0004 + sev * r.uniform(0.004, 0.009)
            st["elb_5xx"] = sev * r.uniform(3, 22)
            st["cf_5xx"] += sev * r.uniform(0.08, 0.2)

    kit.emit_metrics(site, tweak)
    kit.base_resources(site, cache_node_type=node_type)
    site.resource("cloudfront", "Distribution", kit.distribution(site, site.start - timedelta(days=63)))
    site.resource(
        "cloudfront",
        "FunctionSummary",
        kit.function_summary(
            site, "LIVE", site.start - timedelta(days=63), "www: redirect apex, strip tracking params"
        ),
    )
    site.resource(
        "elasticache",
        "CacheParameterGroupParameter",
        {
            "CacheParameterGroupName": "default.memcached1.6",
            "ParameterName": "max_item_size",
            "ParameterValue": "1048576",
            "Description": "The size of the largest item storable in the cache, in bytes.",
            "Source": "system",
            "DataType": "integer",
            "AllowedValues": "1048576-1073741824",
            "IsModifiable": True,
            "MinimumEngineVersion": "1.4.5",
            "ChangeType": "requires-reboot",
        },
    )

    # --- CloudTrail ---------------------------------------------------------------------------------
    kit.noise_trail(site)
    ci = site.role(f"{site.brand}-gha-deploy", "GitHubActions")
    t_dep = site.onset - timedelta(minutes=rng.randint(70, 110))
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
            "description": "cms: liveblog pinned-post styling, byline fix",
        },
        {"deploymentId": "d-" + kit.upper_id(rng, 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")},
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6",
    )
    ops = site.sso(site.sso_users[1], "PlatformEngineer")
    browser = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    ops_ip = f"98.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    site.trail(
        site.onset - timedelta(minutes=rng.randint(25, 40)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": site.sg_cms,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "10.40.20.0/24", "description": "prometheus node exporter"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": kit.uid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": site.account,
                        "groupId": site.sg_cms,
                        "securityGroupRuleId": "sgr-0" + kit.hexid(rng, 16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "cidrIpv4": "10.40.20.0/24",
                        "description": "prometheus node exporter",
                    }
                ]
            },
        },
        ip=ops_ip,
        agent=browser,
    )
    # during the incident an engineer looks at the cache and the database
    look = site.onset + timedelta(minutes=rng.randint(12, 20))
    for k, (src, name, params) in enumerate(
        [
            (
                "elasticache.amazonaws.com",
                "DescribeCacheClusters",
                {"cacheClusterId": site.cache_id, "showCacheNodeInfo": True},
            ),
            ("elasticache.amazonaws.com", "DescribeEvents", {"sourceType": "cache-cluster", "duration": 360}),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": site.db_id}),
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": f"{site.alb_name}-target-response-time-high", "historyItemType": "StateUpdate"},
            ),
        ]
    ):
        site.trail(
            look + timedelta(seconds=25 * k),
            src,
            name,
            ops,
            params,
            None,
            read_only=True,
            ip="AWS Internal" if src == "monitoring.amazonaws.com" else ops_ip,
            agent="AWS Internal" if src == "monitoring.amazonaws.com" else browser,
        )

    # --- alarms -------------------------------------------------------------------------------------
    alb = {"LoadBalancer": site.alb_dim}
    rt = kit.alarm(
        site,
        f"{site.alb_name}-target-response-time-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        alb,
        "Average",
        1.0,
        period=60,
        evals=3,
        desc="CMS origin slow: average target response time above 1s for 3 minutes",
    )
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
    e5 = kit.alarm(
        site,
        "www-cloudfront-5xx-error-rate-high",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": site.dist_id, "Region": "Global"},
        "Average",
        1.0,
        period=60,
        evals=5,
    )
    ev = kit.alarm(
        site,
        f"{site.cache_id}-0002-evictions",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": site.cache_id, "CacheNodeId": "0002"},
        "Sum",
        150.0,
        period=300,
        evals=1,
        desc="memcached node evicting",
    )
    fired = None
    for a in (rt, cpu, e5, ev):
        f = kit.evaluate(site, a)
        if a is rt:
            fired = f
    assert fired is not None
    event = kit.alarm_event(site, rt, fired, rt["StateReason"], {})
    event["detail"]["state"]["reasonData"] = rt["StateReasonData"]

    # --- logs ---------------------------------------------------------------------------------------
    node_host = f"{site.cache_id}.{site.cache_endpoint.split('.')[1]}.{hot_node}.use1.cache.amazonaws.com"
    app = f"/{site.brand}/cms/php-app"
    t = site.start
    slug = rng.choice(
        ["storm-live-updates", "election-night-live", "wildfire-evacuations-live", "manhunt-live-updates"]
    )
    while t < site.now:
        r = random.Random(f"{site.account}{t}log")
        for inst in site.instances:
            if r.random() < 0.55:
                if t >= blog_start and r.random() < 0.5:
                    p = f"/news/{t:%Y/%m/%d}/{slug}"
                else:
                    p = r.choice(
                        ["/", "/news/", "/sports/", f"/news/{t:%Y/%m/%d}/story-{r.randint(1000, 9999)}"]
                    )
                slow = t >= site.onset and r.random() < 0.8
                rt_s = r.uniform(1.1, 4.8) if slow else r.uniform(0.05, 0.4)
                kit.nginx_access(
                    site, t + timedelta(seconds=r.randint(0, 59)), inst, p, 200, rt_s, r.randint(40000, 98000)
                )
            stamp = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999999))
            if t >= site.onset and r.random() < 0.9:
                for _ in range(r.randint(1, 3)):
                    site.log(
                        app,
                        f"{inst}/cms.log",
                        stamp,
                        f"[{stamp.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00] app.WARNING: Cache read failed, "
                        f'falling back to origin {{"key":"{key}","server":"{node_host}:11211","result_code":31,'
                        f'"result_message":"A TIMEOUT OCCURRED","elapsed_ms":{r.randint(250, 262)}}} []',
                    )
            elif r.random() < 0.03:
                site.log(
                    app,
                    f"{inst}/cms.log",
                    stamp,
                    f"[{stamp.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00] app.NOTICE: Ad slot config missing for "
                    f'section {{"section":"{r.choice(["obituaries", "classifieds", "puzzles"])}"}} []',
                )
        t += timedelta(minutes=1)

    local_now = kit.local_time(fired + timedelta(minutes=rng.randint(5, 12)), "America/Chicago")
    question = (
        f"The site has been really slow for the last half hour or so, right when we have the live blog going. "
        f"Editors say pages take 5+ seconds. Is the database overloaded? ({kit.clock(local_now)} here)"
    )
    return kit.finish(
        site,
        TITLE,
        {"question": question, "alarm_event": event, "timezone": "America/Chicago"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": site.cache_id,
                "category": "limit",
                "failure_mode": "cache-node-network-bandwidth-exceeded",
            },
            "also_accept": [f"{site.cache_id}-{hot_node}", node_host, f"{site.cache_id}/{hot_node}"],
            "actions": ["scale", "reconfigure"],
            "chain": [site.cache_id, site.db_id, site.asg, site.alb_name, site.dist_id],
        },
    )
