"""Photos break across the news site: a CloudFront viewer-request function was published that lowercases
every URI, and mixed-case media keys in the S3 origin now answer 403."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzr as kit

NAME = "news-photos-broken-after-edge-function-publish"
TITLE = "Photos missing on article pages; CloudFront 4xx error-rate alarm"
SUMMARY = (
    "A published CloudFront Function revision lowercases request URIs; mixed-case image keys in the S3 "
    "media origin return 403 and the edge 4xx rate jumps."
)


def build(seed: int) -> Bundle:
    site = kit.new_site(seed, NAME, onset_hour_utc=(14, 18))
    rng = random.Random(f"{NAME}/{seed}")
    publish_at = site.onset
    live_at = publish_at + timedelta(seconds=rng.randint(70, 150))
    bad_share = rng.uniform(0.38, 0.52)  # share of media keys with capitals (wire photos, camera names)

    def tweak(t: datetime, st: kit.State) -> None:
        if t < live_at:
            return
        ramp = min(1.0, (t - live_at).total_seconds() / 240)
        st["hit"] -= 0.13 * ramp
        st["s3_4xx_frac"] = 0.004 + bad_share * ramp * 1.4
        st["cf_4xx"] += 100 * st["media_share"] * bad_share * 0.55 * ramp

    kit.emit_metrics(site, tweak)
    kit.base_resources(site)
    new_comment = (
        "www: redirect apex, strip tracking params, index.html, lowercase slugs (WEB-"
        + str(rng.randint(1200, 1999))
        + ")"
    )
    site.resource(
        "cloudfront", "FunctionSummary", kit.function_summary(site, "LIVE", publish_at, new_comment)
    )
    site.resource("cloudfront", "Distribution", kit.distribution(site, site.start - timedelta(days=41)))

    # --- CloudTrail: noise, innocent changes, the culprit -------------------------------------------
    kit.noise_trail(site)
    dev = site.sso(site.sso_users[0], "WebDeveloper")
    dev_ip = f"71.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    browser = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    etag_old, etag_dev, _ = (
        "E" + kit.upper_id(rng, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(3)
    )

    def fsum(stage: str, t: datetime, comment: str) -> dict[str, object]:
        return {
            "name": site.fn_name,
            "status": "UNPUBLISHED" if stage == "DEVELOPMENT" else "DEPLOYED",
            "functionConfig": {"comment": comment, "runtime": "cloudfront-js-2.0"},
            "functionMetadata": {
                "functionARN": site.fn_arn,
                "stage": stage,
                "createdTime": "2024-06-18T16:12:40Z",
                "lastModifiedTime": kit.iso(t),
            },
        }

    t_desc = publish_at - timedelta(minutes=rng.randint(22, 30))
    site.trail(
        t_desc,
        "cloudfront.amazonaws.com",
        "DescribeFunction",
        dev,
        {"name": site.fn_name, "stage": "LIVE"},
        None,
        read_only=True,
        ip=dev_ip,
        agent=browser,
        api_version="2020_05_31",
    )
    t_upd = publish_at - timedelta(minutes=rng.randint(8, 14), seconds=rng.randint(0, 59))
    site.trail(
        t_upd,
        "cloudfront.amazonaws.com",
        "UpdateFunction",
        dev,
        {
            "name": site.fn_name,
            "ifMatch": etag_old,
            "functionConfig": {"comment": new_comment, "runtime": "cloudfront-js-2.0"},
            "functionCode": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"functionSummary": fsum("DEVELOPMENT", t_upd, new_comment), "eTag": etag_dev},
        ip=dev_ip,
        agent=browser,
        api_version="2020_05_31",
    )
    t_test = t_upd + timedelta(minutes=rng.randint(2, 4))
    site.trail(
        t_test,
        "cloudfront.amazonaws.com",
        "TestFunction",
        dev,
        {
            "name": site.fn_name,
            "ifMatch": etag_dev,
            "stage": "DEVELOPMENT",
            "eventObject": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "testResult": {
                "functionSummary": fsum("DEVELOPMENT", t_upd, new_comment),
                "computeUtilization": "14",
                "functionExecutionLogs": [],
                "functionErrorMessage": "",
                "functionOutput": "HIDDEN_DUE_TO_SECURITY_REASONS",
            }
        },
        ip=dev_ip,
        agent=browser,
        api_version="2020_05_31",
    )
    culprit = site.trail(
        publish_at,
        "cloudfront.amazonaws.com",
        "PublishFunction",
        dev,
        {"name": site.fn_name, "ifMatch": etag_dev},
        {"functionSummary": fsum("LIVE", publish_at, new_comment)},
        ip=dev_ip,
        agent=browser,
        api_version="2020_05_31",
    )
    site.trail(
        publish_at + timedelta(seconds=40),
        "cloudfront.amazonaws.com",
        "GetDistribution",
        dev,
        {"id": site.dist_id},
        None,
        read_only=True,
        ip=dev_ip,
        agent=browser,
        api_version="2020_05_31",
    )
    # innocent: CMS release through CodeDeploy about 35-60 min before
    ci = site.role(f"{site.brand}-gha-deploy", "GitHubActions")
    dep_id = "d-" + kit.upper_id(rng, 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    t_dep = publish_at - timedelta(minutes=rng.randint(35, 60))
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
            "description": "cms: newsletter signup block on article footer",
        },
        {"deploymentId": dep_id},
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6",
    )
    # innocent: DB parameter tweak earlier, alarm edit, a cache policy TTL read
    ops = site.sso(site.sso_users[1], "PlatformEngineer")
    t_pg = site.start + timedelta(minutes=rng.randint(30, 70))
    site.trail(
        t_pg,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        ops,
        {
            "dBParameterGroupName": f"{site.brand}-mysql80",
            "parameters": [
                {
                    "parameterName": "long_query_time",
                    "parameterValue": "1",
                    "applyMethod": "immediate",
                    "isModifiable": False,
                    "supportedEngineModes": [],
                }
            ],
        },
        {"dBParameterGroupName": f"{site.brand}-mysql80"},
        ip=f"98.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent=browser,
    )

    # --- alarms -------------------------------------------------------------------------------------
    cf = {"DistributionId": site.dist_id, "Region": "Global"}
    a4 = kit.alarm(
        site,
        "www-cloudfront-4xx-error-rate-high",
        "AWS/CloudFront",
        "4xxErrorRate",
        cf,
        "Average",
        5.0,
        period=60,
        evals=3,
        desc=f"www.{site.domain} edge 4xx rate above 5% for 3 minutes",
    )
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
        desc="edge 5xx rate above 1% for 5 minutes",
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
    fired = None
    for a in (a4, a5, ev, cpu):
        f = kit.evaluate(site, a)
        if a is a4:
            fired = f
    assert fired is not None
    event = kit.alarm_event(site, a4, fired, a4["StateReason"], {})
    event["detail"]["state"]["reasonData"] = a4["StateReasonData"]

    # --- logs: CMS nginx stays healthy ---------------------------------------------------------------
    t = site.start
    paths = ["/", "/news/", "/news/local/", "/sports/", "/opinion/", "/weather/"]
    while t < site.now:
        r = random.Random(f"{site.account}{t}")
        for inst in site.instances:
            if r.random() < 0.6:
                p = (
                    r.choice(paths)
                    if r.random() < 0.5
                    else f"/news/{t:%Y/%m/%d}/story-{r.randint(1000, 9999)}"
                )
                kit.nginx_access(
                    site,
                    t + timedelta(seconds=r.randint(0, 59)),
                    inst,
                    p,
                    200,
                    r.uniform(0.05, 0.4),
                    r.randint(38000, 96000),
                )
        t += timedelta(minutes=1)

    local = kit.local_time(fired + timedelta(minutes=rng.randint(6, 14)), "America/New_York")
    question = (
        f"hey, photo desk says images are broken on a lot of stories since about "
        f"{kit.clock(kit.local_time(live_at, 'America/New_York'))}. homepage loads but lots of broken image icons. "
        f"is S3 down or something? it's {kit.clock(local)} now"
    )
    return kit.finish(
        site,
        TITLE,
        {"question": question, "alarm_event": event, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": site.fn_name,
                "category": "change",
                "failure_mode": "edge-function-rewrites-uri-case",
                "event_id": culprit,
            },
            "also_accept": [site.fn_arn],
            "actions": ["rollback"],
            "chain": [site.fn_name, site.dist_id, site.media_bucket],
        },
    )
