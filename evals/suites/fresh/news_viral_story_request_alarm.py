"""No fault: one local story goes viral on social media and news aggregators; edge and origin request
counts triple and the origin request-count alarm pages, but errors, latency and capacity stay healthy."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzr as kit

NAME = "news-viral-story-request-alarm"
TITLE = "Paged for high request volume on the CMS load balancer; are we under attack?"
SUMMARY = (
    "A single story goes viral through social and aggregator referrals; request-count alarm fires while "
    "errors, latency and cache hit rate stay normal (no fault)."
)


def build(seed: int) -> Bundle:
    site = kit.new_site(seed, NAME, onset_hour_utc=(15, 19))
    rng = random.Random(f"{NAME}/{seed}")
    peak = rng.uniform(2.6, 3.6)
    slug = rng.choice(
        [
            "bear-spotted-napping-in-library-parking-lot",
            "local-teen-finds-1800s-shipwreck-timbers",
            "retired-teacher-wins-state-lottery-twice",
            "mystery-piano-appears-on-hiking-trail",
            "high-school-janitor-surprise-graduation-speech",
        ]
    )
    day_path = f"/news/{site.onset:%Y/%m/%d}/{slug}"

    def surge(t: datetime) -> float:
        if t < site.onset:
            return 0.0
        mins = (t - site.onset).total_seconds() / 60
        return min(1.0, mins / 12) * (1 - max(0.0, mins - 25) / 120)

    def tweak(t: datetime, st: kit.State) -> None:
        s = surge(t)
        if not s:
            return
        st["req"] *= 1 + (peak - 1) * s
        st["hit"] += 0.025 * s  # one hot page caches well
        st["media_share"] -= 0.06 * s

    kit.emit_metrics(site, tweak)
    kit.base_resources(site)
    site.resource("cloudfront", "Distribution", kit.distribution(site, site.start - timedelta(days=33)))
    site.resource(
        "cloudfront",
        "FunctionSummary",
        kit.function_summary(
            site, "LIVE", site.start - timedelta(days=33), "www: redirect apex, strip tracking params"
        ),
    )

    # --- CloudTrail ---------------------------------------------------------------------------------
    kit.noise_trail(site)
    cms = site.role(f"{site.brand}-cms-ec2", site.instances[0], ec2=True)
    t = site.onset - timedelta(minutes=rng.randint(30, 50))
    while t < site.now:
        ref = f"cms-{int(t.timestamp())}-{rng.randint(100, 999)}"
        inv = "I" + kit.upper_id(rng, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        items = [day_path, "/", "/news/"]
        site.trail(
            t,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            cms,
            {
                "distributionId": site.dist_id,
                "invalidationBatch": {"paths": {"quantity": 3, "items": items}, "callerReference": ref},
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{site.dist_id}/invalidation/{inv}",
                "invalidation": {
                    "id": inv,
                    "status": "InProgress",
                    "createTime": kit.iso(t),
                    "invalidationBatch": {"paths": {"quantity": 3, "items": items}, "callerReference": ref},
                },
            },
            ip=site.ips[0],
            agent="aws-sdk-php/3.305.4 OS/Linux/6.1.109 lang/php#8.2.20 GuzzleHttp/7",
            api_version="2020_05_31",
        )
        t += timedelta(minutes=rng.randint(14, 30))
    ops = site.sso(site.sso_users[0], "PlatformEngineer")
    ops_ip = f"76.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    browser = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    # innocent change shortly before: scheduled capacity tweak for the evening newsletter
    t_sched = site.onset - timedelta(minutes=rng.randint(8, 20))
    site.trail(
        t_sched,
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        ops,
        {
            "autoScalingGroupName": site.asg,
            "scheduledActionName": "weekday-evening-min",
            "recurrence": "30 21 * * 1-5",
            "minSize": len(site.instances) + 1,
            "timeZone": "America/Los_Angeles",
        },
        None,
        ip=ops_ip,
        agent=browser,
    )
    site.trail(
        site.start + timedelta(minutes=rng.randint(40, 80)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        ops,
        {
            "bucketName": site.media_bucket,
            "Host": f"{site.media_bucket}.s3.us-east-1.amazonaws.com",
            "lifecycle": "",
        },
        None,
        ip=ops_ip,
        agent="[aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6]",
    )
    look = site.onset + timedelta(minutes=rng.randint(16, 24))
    for k, (src, name, params) in enumerate(
        [
            ("wafv2.amazonaws.com", "ListWebACLs", {"scope": "CLOUDFRONT", "limit": 100}),
            ("cloudfront.amazonaws.com", "GetDistribution", {"id": site.dist_id}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": site.tg_arn}),
        ]
    ):
        site.trail(
            look + timedelta(seconds=35 * k),
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
    alb = {"LoadBalancer": site.alb_dim}
    base_max = 0.0
    sums: dict[str, float] = {}
    for m in site.records["metrics"]:
        if m["metric"] == "RequestCount" and m["dimensions"] == alb:
            tt = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            if tt < site.onset:
                key = kit.iso(tt - timedelta(minutes=tt.minute % 5))
                sums[key] = sums.get(key, 0.0) + m["value"]
    base_max = max(sums.values())
    threshold = float(round(base_max * rng.uniform(1.45, 1.6), -3))
    rc = kit.alarm(
        site,
        f"{site.alb_name}-request-count-high",
        "AWS/ApplicationELB",
        "RequestCount",
        alb,
        "Sum",
        threshold,
        period=300,
        evals=1,
        desc="Unusual origin request volume (possible scraping / attack). Check WAF.",
    )
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
    )
    a5 = kit.alarm(
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
        f"{site.cache_id}-0001-evictions",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": site.cache_id, "CacheNodeId": "0001"},
        "Sum",
        150.0,
        period=300,
        evals=1,
        desc="memcached node evicting",
    )
    fired = None
    for a in (rc, rt, a5, ev):
        f = kit.evaluate(site, a)
        if a is rc:
            fired = f
    assert fired is not None
    event = kit.alarm_event(site, rc, fired, rc["StateReason"], {})
    event["detail"]["state"]["reasonData"] = rc["StateReasonData"]

    # --- logs ---------------------------------------------------------------------------------------
    mobile = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/487.0.0.41.107]",
        "Mozilla/5.0 (Linux; Android 13; SM-S911U) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ]
    refs = [
        "https://t.co/",
        "https://news.google.com/",
        "https://www.facebook.com/",
        "https://www.reddit.com/",
        "-",
    ]
    t = site.start
    while t < site.now:
        r = random.Random(f"{site.account}{t}v")
        s = surge(t)
        for inst in site.instances:
            n = 1 + (r.random() < 0.4) + (2 if s and r.random() < s else 0)
            for _ in range(n):
                sec = t + timedelta(seconds=r.randint(0, 59))
                if s and r.random() < 0.6 * s + 0.1:
                    p = day_path + r.choice(
                        ["", "", "?utm_source=twitter", "?fbclid=IwY2xjawG" + kit.hexid(r, 10)]
                    )
                    ref = r.choice(refs)
                else:
                    p = r.choice(
                        ["/", "/news/", "/sports/", f"/news/{t:%Y/%m/%d}/story-{r.randint(1000, 9999)}"]
                    )
                    ref = r.choice(["-", f"https://www.{site.domain}/"])
                kit.nginx_access(
                    site,
                    sec,
                    inst,
                    p,
                    200,
                    r.uniform(0.05, 0.38),
                    r.randint(38000, 97000),
                    ua=r.choice(mobile),
                    referer=ref,
                )
        t += timedelta(minutes=1)

    local = kit.local_time(fired + timedelta(minutes=rng.randint(4, 9)), "America/Los_Angeles")
    question = (
        f"Got paged for the request-count alarm on the CMS load balancer around {kit.clock(kit.local_time(fired, 'America/Los_Angeles'))}. "
        f"Are we being attacked/scraped? Should I turn on WAF rate limiting? ({kit.clock(local)} PT now)"
    )
    return kit.finish(
        site,
        TITLE,
        {"question": question, "alarm_event": event, "timezone": "America/Los_Angeles"},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
