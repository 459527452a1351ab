"""Holiday-rental site origin swamped at the evening peak after its CloudFront cache policy keyed on every cookie."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_t as k

NAME = "stays-cache-policy-all-cookies"
TITLE = "stays-web ELB 5xx alarm at the evening peak; web fleet pinned at max"
SUMMARY = (
    "An afternoon console edit of the site's CloudFront cache policy put all cookies in the cache key; "
    "the origin took three times its usual share of traffic and ran out of capacity at the evening peak."
)

TZ = ZoneInfo("America/New_York")
MANAGED_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
MANAGED_ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = f"{rng.randrange(2, 9)}{rng.randrange(10**10, 10**11):011d}"
    region = "us-east-1"
    day = k.pick_day(rng, (0, 1, 2, 3, 4, 6))
    local_day = datetime(day.year, day.month, day.day, tzinfo=TZ)
    change_at = (
        local_day + timedelta(hours=13, minutes=rng.randint(30, 75), seconds=rng.randint(0, 59))
    ).astimezone(k.UTC)
    off = local_day.utcoffset()
    offset_h = off.total_seconds() / 3600 if off else -5.0
    start = k.minute_floor(change_at) - timedelta(hours=26) - timedelta(minutes=change_at.minute % 5)
    dense_from = k.minute_floor(change_at) - timedelta(hours=2) - timedelta(minutes=change_at.minute % 5)

    # --- names and ids --------------------------------------------------------------------------
    dist_id = "E" + ids.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    cf_domain = f"d{ids.hex(13)}.cloudfront.net"
    policy_id = ids.uuid()
    origin_policy_id = ids.uuid()
    lb_hex, tg_hex = ids.hex(16), ids.hex(16)
    lb_name, tg_name, asg_name = "stays-web-prod", "stays-web-prod-puma", "stays-web-prod-asg"
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    vpc = ids.res("vpc")
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    subnets = {az: ids.res("subnet") for az in azs}
    cidr_third = {az: 16 + 16 * i for i, az in enumerate(azs)}
    sg_alb, sg_web = ids.res("sg"), ids.res("sg")
    ami = ids.res("ami")
    lt_id = f"lt-0{ids.hex(16)}"
    profile_id = "AIPA" + ids.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    profile_arn = f"arn:aws:iam::{account}:instance-profile/stays-web-prod"
    cert_id = ids.uuid()
    zone_id = "Z0" + ids.upper(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    peak = rng.uniform(52000, 68000)  # viewer requests a minute at the evening peak
    # what one c6i.xlarge Puma box serves before queueing: eight of them fall just short of the new peak
    cap_rps = peak * 0.66 / 60 / (8 * 0.97) * rng.uniform(0.84, 0.9)

    # --- simulate the fleet minute by minute ----------------------------------------------------
    boxes: list[k.Box] = []

    def new_box(launched: datetime, az: str) -> k.Box:
        third = cidr_third[az] + rng.randrange(0, 15)
        return k.Box(
            id=ids.instance(),
            az=az,
            launched=launched,
            inservice=launched + timedelta(minutes=rng.randint(3, 5)),
            ip=f"10.42.{third}.{rng.randrange(10, 250)}",
            eni=ids.res("eni"),
            vol=ids.res("vol"),
            bias=rng.uniform(-2.5, 2.5),
        )

    for i in range(4):
        boxes.append(
            new_box(start - timedelta(days=rng.randint(9, 30), minutes=rng.randint(0, 900)), azs[i % 3])
        )

    minutes: list[datetime] = []
    t = start
    now_guess = change_at + timedelta(hours=6)
    while t < now_guess:
        minutes.append(t)
        t += timedelta(minutes=1)

    activities: list[k.Json] = []
    desired, hi_run, lo_run, over_run, cooldown_until = 4, 0, 0, 0, start
    sim: dict[datetime, dict[str, float]] = {}
    onset: datetime | None = None
    for t in minutes:
        cf_rpm = k.diurnal(t, offset_h, 0.11, 1.0, 20.6) * peak * rng.uniform(0.96, 1.04)
        frac = 0.2 + 0.46 * k.ramp(t, change_at + timedelta(minutes=2), change_at + timedelta(minutes=14))
        frac *= rng.uniform(0.97, 1.03)
        origin_rps = cf_rpm * frac / 60.0
        live = [b for b in boxes if b.terminated is None and b.inservice <= t]
        n = max(1, len(live))
        per = origin_rps / n
        cpu = min(99.5, 7 + per / cap_rps * 82)
        rho = per / cap_rps
        excess = max(0.0, per - cap_rps * 0.97) * n * 60
        sim[t] = {"cf": cf_rpm, "origin": origin_rps * 60, "n": n, "cpu": cpu, "rho": rho, "excess": excess}
        over_run = over_run + 1 if excess > 100 else 0
        if over_run >= 5 and onset is None and t > change_at:
            onset = t - timedelta(minutes=4)
        # target tracking on average CPU, target 60
        hi_run = hi_run + 1 if cpu > 60 else 0
        lo_run = lo_run + 1 if cpu < 45 else 0
        if hi_run >= 3 and t >= cooldown_until and desired < 8:
            new_desired = min(8, max(desired + 1, math.ceil(desired * cpu / 60)))
            alarm_t = t - timedelta(seconds=rng.randint(5, 40))
            for _ in range(new_desired - desired):
                az = azs[len([b for b in boxes if b.terminated is None]) % 3]
                b = new_box(t + timedelta(seconds=rng.randint(20, 50)), az)
                boxes.append(b)
                activities.append(
                    {
                        "ActivityId": ids.uuid(),
                        "AutoScalingGroupName": asg_name,
                        "Description": f"Launching a new EC2 instance: {b.id}",
                        "Cause": (
                            f"At {k.iso(alarm_t)} a monitor alarm TargetTracking-{asg_name}-AlarmHigh-"
                            f"{policy_id[:8]}-{policy_id[9:13]} in state ALARM triggered policy cpu60-target-tracking "
                            f"changing the desired capacity from {desired} to {new_desired}.  At {k.iso(t)} an "
                            f"instance was started in response to a difference between desired and actual "
                            f"capacity, increasing the capacity from {desired} to {new_desired}."
                        ),
                        "StartTime": k.iso(b.launched),
                        "EndTime": k.iso(b.inservice),
                        "StatusCode": "Successful",
                        "Progress": 100,
                        "Details": f'{{"Subnet ID":"{subnets[az]}","Availability Zone":"{az}"}}',
                        "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                    }
                )
            desired = new_desired
            cooldown_until = t + timedelta(minutes=5)
            hi_run = 0
        elif lo_run >= 15 and desired > 4 and t >= cooldown_until:
            victim = [b for b in boxes if b.terminated is None][-1]
            victim.terminated = t + timedelta(seconds=rng.randint(30, 90))
            activities.append(
                {
                    "ActivityId": ids.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Terminating EC2 instance: {victim.id}",
                    "Cause": (
                        f"At {k.iso(t)} a monitor alarm TargetTracking-{asg_name}-AlarmLow-"
                        f"{policy_id[:8]}-{policy_id[14:18]} in state ALARM triggered policy cpu60-target-tracking "
                        f"changing the desired capacity from {desired} to {desired - 1}.  At {k.iso(t)} an instance "
                        f"was taken out of service in response to a difference between desired and actual "
                        f"capacity, shrinking the capacity from {desired} to {desired - 1}.  At {k.iso(t)} "
                        f"instance {victim.id} was selected for termination."
                    ),
                    "StartTime": k.iso(t),
                    "EndTime": k.iso(victim.terminated),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": f'{{"Subnet ID":"{subnets[victim.az]}","Availability Zone":"{victim.az}"}}',
                    "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                }
            )
            desired -= 1
            lo_run = 0
            cooldown_until = t + timedelta(minutes=5)

    assert onset is not None, "the fleet never saturated"
    now = onset + timedelta(minutes=rng.randint(38, 52), seconds=rng.randint(0, 59))
    end = now
    activities = [a for a in activities if a["StartTime"] <= k.iso(now)]
    for a in activities:
        if a["EndTime"] > k.iso(now):
            a["StatusCode"] = "InProgress"
            a["Progress"] = 50
            del a["EndTime"]

    # --- metrics -----------------------------------------------------------------------------------
    metrics: list[k.Json] = []
    cf_dims = {"DistributionId": dist_id, "Region": "Global"}
    lb_d = {"LoadBalancer": lb_dim}
    tg_d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    for t, step in k.grid(start, end, dense_from):
        span = [sim[t + timedelta(minutes=i)] for i in range(step // 60) if t + timedelta(minutes=i) in sim]
        if not span:
            continue
        cf = sum(s["cf"] for s in span)
        origin = sum(s["origin"] for s in span)
        excess = sum(s["excess"] for s in span)
        rho = sum(s["rho"] for s in span) / len(span)
        n = round(span[-1]["n"])
        tgt5 = excess * 0.62 + k.poisson(rng, origin * 0.00004)
        elb5 = excess * 0.38 + k.poisson(rng, origin * 0.00002)
        err4 = cf * rng.uniform(0.009, 0.013)
        metrics.append(k.datum("AWS/CloudFront", "Requests", cf_dims, t, round(cf), "None"))
        metrics.append(
            k.datum(
                "AWS/CloudFront", "BytesDownloaded", cf_dims, t, round(cf * rng.uniform(61000, 66000)), "None"
            )
        )
        metrics.append(
            k.datum("AWS/CloudFront", "BytesUploaded", cf_dims, t, round(cf * rng.uniform(180, 230)), "None")
        )
        metrics.append(k.datum("AWS/CloudFront", "4xxErrorRate", cf_dims, t, err4 / cf * 100, "Percent"))
        metrics.append(
            k.datum("AWS/CloudFront", "5xxErrorRate", cf_dims, t, (tgt5 + elb5) / cf * 100, "Percent")
        )
        metrics.append(
            k.datum(
                "AWS/CloudFront", "TotalErrorRate", cf_dims, t, (err4 + tgt5 + elb5) / cf * 100, "Percent"
            )
        )
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", lb_d, t, round(origin), "Count"))
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", tg_d, t, round(origin), "Count"))
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "HTTPCode_Target_2XX_Count",
                lb_d,
                t,
                round((origin - tgt5 - elb5) * 0.93),
                "Count",
            )
        )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB", "HTTPCode_Target_3XX_Count", lb_d, t, round(origin * 0.045), "Count"
            )
        )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", lb_d, t, round(origin * 0.021), "Count"
            )
        )
        if round(tgt5) > 0:
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb_d, t, round(tgt5), "Count")
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg_d, t, round(tgt5), "Count")
            )
        if round(elb5) > 0:
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb_d, t, round(elb5), "Count")
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lb_d, t, round(elb5 * 0.35), "Count")
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb_d, t, round(elb5 * 0.65), "Count")
            )
        med = 0.085 * (1 / max(0.04, 1 - min(rho, 0.96)))
        tail = min(0.3, max(0.0, rho - 0.9) * 2.5)
        vals, cnts = k.latency_dist(rng, min(med, 4.0), 0.5, origin, tail, 29.5)
        metrics.append(
            k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", lb_d, t, vals, cnts, "Seconds")
        )
        metrics.append(
            k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", tg_d, t, vals, cnts, "Seconds")
        )
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tg_d, t, n, "Count"))
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", tg_d, t, 0, "Count"))
        metrics.append(
            k.datum("AWS/ApplicationELB", "ActiveConnectionCount", lb_d, t, round(origin * 0.31), "Count")
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "NewConnectionCount", lb_d, t, round(origin * 0.07), "Count")
        )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "ProcessedBytes",
                lb_d,
                t,
                round(origin * rng.uniform(38000, 42000)),
                "Bytes",
            )
        )
        metrics.append(
            k.datum(
                "AWS/AutoScaling",
                "GroupDesiredCapacity",
                {"AutoScalingGroupName": asg_name},
                t,
                len([b for b in boxes if b.launched <= t and (b.terminated is None or b.terminated > t)]),
                "None",
            )
        )
        metrics.append(
            k.datum(
                "AWS/AutoScaling", "GroupInServiceInstances", {"AutoScalingGroupName": asg_name}, t, n, "None"
            )
        )
        metrics.append(
            k.datum("AWS/AutoScaling", "GroupMaxSize", {"AutoScalingGroupName": asg_name}, t, 8, "None")
        )
        cpu_avg = sum(s["cpu"] for s in span) / len(span)
        metrics.append(
            k.datum("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg_name}, t, cpu_avg, "Percent")
        )
        for b in boxes:
            if b.launched > t or (b.terminated is not None and b.terminated <= t):
                continue
            warm = b.inservice <= t
            c = cpu_avg + b.bias if warm else rng.uniform(8, 25)
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": b.id},
                    t,
                    min(100, k.noisy(rng, c, 0.03)),
                    "Percent",
                )
            )
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "NetworkOut",
                    {"InstanceId": b.id},
                    t,
                    round(origin / n * rng.uniform(39000, 43000)),
                    "Bytes",
                )
            )
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed", {"InstanceId": b.id}, t, 0, "Count"))
    metrics = [m for m in metrics if m["timestamp"] <= k.iso(now)]

    # --- alarms ------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:stays-oncall-pager"
    cfg = start - timedelta(days=rng.randint(60, 300))
    a5xx = k.Alarm(
        account=account,
        region=region,
        name="stays-web-prod-elb-5xx",
        description="stays-web-prod ALB: load balancer 5xx over 100/min for 3 minutes. Runbook: https://wiki.tidewaterstays.internal/oncall/stays-web",
        ns="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
        dims=lb_d,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=100,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        configured=cfg,
    )
    alat = k.Alarm(
        account=account,
        region=region,
        name="stays-web-prod-target-latency",
        description="Average target response time above 1.5s for 5 minutes",
        ns="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb_d,
        stat="Average",
        period=60,
        evals=5,
        to_alarm=5,
        threshold=1.5,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        configured=cfg,
    )
    acf = k.Alarm(
        account=account,
        region=region,
        name="stays-cdn-5xx-rate",
        description="CloudFront 5xx error rate above 5% for 5 minutes (www.tidewaterstays.com)",
        ns="AWS/CloudFront",
        metric="5xxErrorRate",
        dims=cf_dims,
        stat="Average",
        period=60,
        evals=5,
        to_alarm=5,
        threshold=5,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        unit="Percent",
        configured=cfg,
    )
    ahost = k.Alarm(
        account=account,
        region=region,
        name="stays-web-prod-unhealthy-hosts",
        description="Any unhealthy target in stays-web-prod-puma for 5 minutes",
        ns="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims=tg_d,
        stat="Maximum",
        period=60,
        evals=5,
        to_alarm=5,
        threshold=0,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        configured=cfg,
    )
    for al in (a5xx, alat, acf, ahost):
        al.evaluate(metrics, dense_from, now, rng)
    assert a5xx.state == "ALARM"

    # --- CloudTrail --------------------------------------------------------------------------------
    trail = k.Trail(ids, account, region)
    office = ids.ip("72.83")
    runner = ids.ip("20.57")
    k.routine(
        trail,
        rng,
        start,
        now,
        n=44,
        humans=[
            ("WebDeveloper", "m.okafor@tidewaterstays.com"),
            ("PlatformAdmin", "j.lindqvist@tidewaterstays.com"),
        ],
        ci_role="tidewater/stays-web",
        monitor_role="DatadogIntegrationRole",
        read_targets={
            "log_groups": ["/stays-web/rails", "/stays-web/nginx/error"],
            "target_groups": [tg_arn],
            "secrets": ["stays-web/prod/rails-master-key-Qm3x8a"],
        },
        office_ip=office,
        runner_ip=runner,
    )
    dev = trail.sso(
        "WebDeveloper", ids.hex(16), "m.okafor@tidewaterstays.com", change_at - timedelta(minutes=25)
    )
    old_params: k.Json = {
        "enableAcceptEncodingGzip": True,
        "enableAcceptEncodingBrotli": True,
        "headersConfig": {"headerBehavior": "none"},
        "cookiesConfig": {
            "cookieBehavior": "whitelist",
            "cookies": {"quantity": 2, "items": ["currency", "locale"]},
        },
        "queryStringsConfig": {
            "queryStringBehavior": "whitelist",
            "queryStrings": {"quantity": 5, "items": ["page", "guests", "checkin", "checkout", "sort"]},
        },
    }
    old_cfg: k.Json = {
        "name": "stays-web-html",
        "comment": "HTML pages: vary on currency and locale only",
        "defaultTTL": 60,
        "maxTTL": 300,
        "minTTL": 0,
        "parametersInCacheKeyAndForwardedToOrigin": old_params,
    }
    new_cfg = {
        **old_cfg,
        "comment": "HTML pages: pass cookies through for the search-ranking experiment",
        "parametersInCacheKeyAndForwardedToOrigin": {
            **old_params,
            "cookiesConfig": {"cookieBehavior": "all"},
        },
    }
    etag_old, etag_new = "E" + ids.upper(13), "E" + ids.upper(13)
    trail.add(
        change_at - timedelta(minutes=3, seconds=12),
        "cloudfront.amazonaws.com",
        "GetCachePolicy",
        dev,
        {"id": policy_id},
        None,
        read_only=True,
        ip=office,
        ua=k.CONSOLE_UA,
        extra={"apiVersion": "2020_05_31"},
    )
    trail.add(
        change_at - timedelta(minutes=1, seconds=40),
        "cloudfront.amazonaws.com",
        "ListCachePolicies",
        dev,
        {"type": "custom"},
        None,
        read_only=True,
        ip=office,
        ua=k.CONSOLE_UA,
        extra={"apiVersion": "2020_05_31"},
    )
    culprit = trail.add(
        change_at,
        "cloudfront.amazonaws.com",
        "UpdateCachePolicy",
        dev,
        {"cachePolicyConfig": new_cfg, "id": policy_id, "ifMatch": etag_old},
        {
            "cachePolicy": {
                "id": policy_id,
                "lastModifiedTime": change_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "cachePolicyConfig": new_cfg,
            },
            "eTag": etag_new,
        },
        read_only=False,
        ip=office,
        ua=k.CONSOLE_UA,
        extra={"apiVersion": "2020_05_31", "sessionCredentialFromConsole": "true"},
    )
    trail.add(
        change_at + timedelta(minutes=1, seconds=5),
        "cloudfront.amazonaws.com",
        "GetDistribution",
        dev,
        {"id": dist_id},
        None,
        read_only=True,
        ip=office,
        ua=k.CONSOLE_UA,
        extra={"apiVersion": "2020_05_31"},
    )
    # A frontend release that invalidates static assets shortly before the peak (harmless, same distribution).
    ci = trail.role(
        "github-actions-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        onset - timedelta(minutes=30),
    )
    inv_at = onset - timedelta(minutes=rng.randint(14, 22), seconds=rng.randint(0, 59))
    inv_id = "I" + ids.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ref = f"stays-web-assets-{rng.randrange(4000, 4999)}"
    trail.add(
        inv_at,
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        ci,
        {
            "distributionId": dist_id,
            "invalidationBatch": {
                "paths": {"quantity": 2, "items": ["/assets/application-*.js", "/assets/application-*.css"]},
                "callerReference": ref,
            },
        },
        {
            "invalidation": {
                "id": inv_id,
                "status": "InProgress",
                "createTime": inv_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "invalidationBatch": {
                    "paths": {
                        "quantity": 2,
                        "items": ["/assets/application-*.js", "/assets/application-*.css"],
                    },
                    "callerReference": ref,
                },
            },
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist_id}/invalidation/{inv_id}",
        },
        read_only=False,
        ip=runner,
        ua="aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0-1017-azure md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#cloudfront.create-invalidation",
        extra={"apiVersion": "2020_05_31"},
    )
    # A DNS verification record for a mail vendor, and a tag edit on the ALB, near the onset.
    admin = trail.sso(
        "PlatformAdmin", ids.hex(16), "j.lindqvist@tidewaterstays.com", onset - timedelta(minutes=50)
    )
    r53_at = onset - timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(1, 59))
    change_id = "C" + ids.upper(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    trail.add(
        r53_at,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        admin,
        {
            "hostedZoneId": zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "_amazonses.tidewaterstays.com",
                            "type": "TXT",
                            "tTL": 1800,
                            "resourceRecords": [
                                {
                                    "value": f'"{ids.upper(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}"'
                                }
                            ],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": f"/change/{change_id}",
                "status": "PENDING",
                "submittedAt": r53_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        read_only=False,
        ip=office,
        ua=k.CONSOLE_UA,
        region="us-east-1",
        version="1.08",
    )
    trail.add(
        onset + timedelta(minutes=rng.randint(2, 6), seconds=rng.randint(1, 59)),
        "elasticloadbalancing.amazonaws.com",
        "AddTags",
        admin,
        {"resourceArns": [lb_arn], "tags": [{"key": "cost-centre", "value": "web-platform"}]},
        None,
        read_only=False,
        ip=office,
        ua=k.CONSOLE_UA,
    )
    for a in activities:
        if "Launching" not in a["Description"]:
            continue
        iid = a["Description"].split(": ")[1]
        when = datetime.fromisoformat(a["StartTime"].replace("Z", "+00:00"))
        trail.add(
            when,
            "ec2.amazonaws.com",
            "RunInstances",
            trail.service_linked(
                "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", when - timedelta(minutes=1)
            ),
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": "7"},
                "subnetId": a["Details"].split('"')[3],
                "clientToken": ids.uuid(),
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "instance",
                            "tags": [{"key": "aws:autoscaling:groupName", "value": asg_name}],
                        }
                    ]
                },
            },
            {
                "requestId": ids.uuid(),
                "reservationId": f"r-0{ids.hex(16)}",
                "ownerId": account,
                "requesterId": "940372691376",
                "groupSet": {},
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": iid,
                            "imageId": ami,
                            "instanceType": "c6i.xlarge",
                            "currentState": {"code": 0, "name": "pending"},
                        }
                    ]
                },
            },
            read_only=False,
            ip="autoscaling.amazonaws.com",
            ua="autoscaling.amazonaws.com",
        )
    cloudtrail = [r for r in trail.sorted() if r["eventTime"] <= k.iso(now)]

    # --- resources ---------------------------------------------------------------------------------
    resources: list[k.Json] = []
    policy_item = {
        "Id": policy_id,
        "LastModifiedTime": k.iso(change_at),
        "CachePolicyConfig": {
            "Comment": new_cfg["comment"],
            "Name": "stays-web-html",
            "DefaultTTL": 60,
            "MaxTTL": 300,
            "MinTTL": 0,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": True,
                "EnableAcceptEncodingBrotli": True,
                "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "all"},
                "QueryStringsConfig": {
                    "QueryStringBehavior": "whitelist",
                    "QueryStrings": {
                        "Quantity": 5,
                        "Items": ["page", "guests", "checkin", "checkout", "sort"],
                    },
                },
            },
        },
    }
    resources.append(k.res("cloudfront", "CachePolicy", policy_item))
    origin_id = f"alb-{lb_name}"
    dist = {
        "Id": dist_id,
        "ARN": f"arn:aws:cloudfront::{account}:distribution/{dist_id}",
        "Status": "Deployed",
        "LastModifiedTime": k.iso(start - timedelta(days=rng.randint(20, 90))),
        "InProgressInvalidationBatches": 1 if inv_at + timedelta(minutes=3) > now else 0,
        "DomainName": cf_domain,
        "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
        "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "DistributionConfig": {
            "CallerReference": f"terraform-{ids.hex(20)}",
            "Aliases": {"Quantity": 2, "Items": ["www.tidewaterstays.com", "tidewaterstays.com"]},
            "DefaultRootObject": "",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": origin_id,
                        "DomainName": "origin-www.tidewaterstays.com",
                        "OriginPath": "",
                        "CustomHeaders": {
                            "Quantity": 1,
                            "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": "****"}],
                        },
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
                    }
                ],
            },
            "OriginGroups": {"Quantity": 0},
            "DefaultCacheBehavior": {
                "TargetOriginId": origin_id,
                "ViewerProtocolPolicy": "redirect-to-https",
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
                "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                "AllowedMethods": {
                    "Quantity": 7,
                    "Items": ["HEAD", "DELETE", "POST", "GET", "OPTIONS", "PUT", "PATCH"],
                    "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
                },
                "SmoothStreaming": False,
                "Compress": True,
                "LambdaFunctionAssociations": {"Quantity": 0},
                "FunctionAssociations": {"Quantity": 0},
                "FieldLevelEncryptionId": "",
                "CachePolicyId": policy_id,
                "OriginRequestPolicyId": origin_policy_id,
            },
            "CacheBehaviors": {
                "Quantity": 2,
                "Items": [
                    {
                        "PathPattern": "/assets/*",
                        "TargetOriginId": origin_id,
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "AllowedMethods": {
                            "Quantity": 2,
                            "Items": ["HEAD", "GET"],
                            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
                        },
                        "SmoothStreaming": False,
                        "Compress": True,
                        "FieldLevelEncryptionId": "",
                        "CachePolicyId": MANAGED_OPTIMIZED,
                        "LambdaFunctionAssociations": {"Quantity": 0},
                        "FunctionAssociations": {"Quantity": 0},
                    },
                    {
                        "PathPattern": "/api/*",
                        "TargetOriginId": origin_id,
                        "ViewerProtocolPolicy": "https-only",
                        "AllowedMethods": {
                            "Quantity": 7,
                            "Items": ["HEAD", "DELETE", "POST", "GET", "OPTIONS", "PUT", "PATCH"],
                            "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
                        },
                        "SmoothStreaming": False,
                        "Compress": True,
                        "FieldLevelEncryptionId": "",
                        "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                        "OriginRequestPolicyId": MANAGED_ALL_VIEWER,
                        "LambdaFunctionAssociations": {"Quantity": 0},
                        "FunctionAssociations": {"Quantity": 0},
                    },
                ],
            },
            "CustomErrorResponses": {"Quantity": 0},
            "Comment": "www.tidewaterstays.com",
            "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
            "PriceClass": "PriceClass_100",
            "Enabled": True,
            "ViewerCertificate": {
                "CloudFrontDefaultCertificate": False,
                "ACMCertificateArn": f"arn:aws:acm:us-east-1:{account}:certificate/{cert_id}",
                "SSLSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
                "Certificate": f"arn:aws:acm:us-east-1:{account}:certificate/{cert_id}",
                "CertificateSource": "acm",
            },
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
            "WebACLId": "",
            "HttpVersion": "http2and3",
            "IsIPV6Enabled": True,
            "Staging": False,
        },
    }
    resources.append(k.res("cloudfront", "Distribution", dist))
    resources.append(
        k.res(
            "acm",
            "CertificateDetail",
            {
                "CertificateArn": f"arn:aws:acm:us-east-1:{account}:certificate/{cert_id}",
                "DomainName": "tidewaterstays.com",
                "SubjectAlternativeNames": ["tidewaterstays.com", "*.tidewaterstays.com"],
                "Status": "ISSUED",
                "Type": "AMAZON_ISSUED",
                "KeyAlgorithm": "RSA-2048",
                "SignatureAlgorithm": "SHA256WITHRSA",
                "Issuer": "Amazon",
                "Subject": "CN=tidewaterstays.com",
                "Serial": ":".join(ids.hex(2) for _ in range(16)),
                "CreatedAt": k.iso(start - timedelta(days=300)),
                "IssuedAt": k.iso(start - timedelta(days=120)),
                "NotBefore": k.iso(start - timedelta(days=120)),
                "NotAfter": k.iso(start + timedelta(days=275)),
                "InUseBy": [f"arn:aws:cloudfront::{account}:distribution/{dist_id}", lb_arn],
                "RenewalEligibility": "ELIGIBLE",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
                "CreatedTime": k.iso(start - timedelta(days=500)),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": az, "SubnetId": ids.res("subnet")} for az in azs],
                "SecurityGroups": [sg_alb],
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
                "TargetGroupName": tg_name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
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
                "ListenerArn": f"arn:aws:elasticloadbalancing:{region}:{account}:listener/{lb_dim}/{ids.hex(16)}",
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [
                    {"CertificateArn": f"arn:aws:acm:us-east-1:{account}:certificate/{cert_id}"}
                ],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [
                    {
                        "Type": "forward",
                        "TargetGroupArn": tg_arn,
                        "ForwardConfig": {
                            "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                            "TargetGroupStickinessConfig": {"Enabled": False},
                        },
                    }
                ],
            },
        )
    )
    live_now = [b for b in boxes if b.launched <= now and (b.terminated is None or b.terminated > now)]
    resources.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "stays-web-prod",
                    "Version": "7",
                },
                "MinSize": 4,
                "MaxSize": 8,
                "DesiredCapacity": len(live_now),
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 180,
                "Instances": [
                    {
                        "InstanceId": b.id,
                        "InstanceType": "c6i.xlarge",
                        "AvailabilityZone": b.az,
                        "LifecycleState": "InService" if b.inservice <= now else "Pending",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "stays-web-prod",
                            "Version": "7",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for b in live_now
                ],
                "CreatedTime": k.iso(start - timedelta(days=480)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(subnets[az] for az in azs),
                "EnabledMetrics": [
                    {"Metric": m, "Granularity": "1Minute"}
                    for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize")
                ],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "service",
                        "Value": "stays-web",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "DefaultInstanceWarmup": 180,
            },
        )
    )
    resources.append(
        k.res(
            "autoscaling",
            "ScalingPolicy",
            {
                "AutoScalingGroupName": asg_name,
                "PolicyName": "cpu60-target-tracking",
                "PolicyARN": f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{ids.uuid()}:autoScalingGroupName/{asg_name}:policyName/cpu60-target-tracking",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                    "TargetValue": 60.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        )
    )
    for gid, gname, desc, perms in (
        (
            sg_alb,
            "stays-web-alb",
            "stays-web-prod ALB",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "PrefixListIds": [
                        {"PrefixListId": "pl-3b927c52", "Description": "CloudFront origin-facing"}
                    ],
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "UserIdGroupPairs": [],
                }
            ],
        ),
        (
            sg_web,
            "stays-web-instances",
            "stays-web puma instances",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": account}],
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ],
        ),
    ):
        resources.append(
            k.res(
                "ec2",
                "SecurityGroup",
                {
                    "GroupId": gid,
                    "GroupName": gname,
                    "Description": desc,
                    "OwnerId": account,
                    "VpcId": vpc,
                    "IpPermissions": perms,
                    "IpPermissionsEgress": [
                        {
                            "IpProtocol": "-1",
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                            "Ipv6Ranges": [],
                            "PrefixListIds": [],
                            "UserIdGroupPairs": [],
                        }
                    ],
                    "Tags": [{"Key": "Name", "Value": gname}],
                },
            )
        )
    for b in live_now:
        resources.append(
            k.res(
                "ec2",
                "Instance",
                k.instance_item(
                    iid=b.id,
                    ami=ami,
                    itype="c6i.xlarge",
                    az=b.az,
                    subnet=subnets[b.az],
                    vpc=vpc,
                    private_ip=b.ip,
                    sgs=[(sg_web, "stays-web-instances")],
                    launched=b.launched,
                    profile_arn=profile_arn,
                    profile_id=profile_id,
                    tag_pairs=[
                        ("Name", "stays-web-prod"),
                        ("aws:autoscaling:groupName", asg_name),
                        ("service", "stays-web"),
                    ],
                    eni=b.eni,
                    volume=b.vol,
                    account=account,
                    http_tokens="required",
                ),
            )
        )
        resources.append(k.res("ec2", "InstanceStatus", k.status_item(b.id, b.az)))
    resources.append(
        k.res(
            "route53",
            "HostedZone",
            {
                "Id": f"/hostedzone/{zone_id}",
                "Name": "tidewaterstays.com.",
                "CallerReference": ids.uuid(),
                "Config": {"Comment": "public zone", "PrivateZone": False},
                "ResourceRecordSetCount": 41,
            },
        )
    )
    resources.append(
        k.res(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": "www.tidewaterstays.com.",
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": "Z2FDTNDATAQYW2",
                    "DNSName": f"{cf_domain}.",
                    "EvaluateTargetHealth": False,
                },
            },
        )
    )
    for name in ("/stays-web/rails", "/stays-web/nginx/access", "/stays-web/nginx/error"):
        resources.append(
            k.res("logs", "LogGroup", k.log_group_item(name, account, region, start - timedelta(days=400)))
        )

    # --- events ------------------------------------------------------------------------------------
    events: list[k.Json] = [{"source": "autoscaling", "item": a} for a in activities]
    for b in boxes:
        if b.launched > now:
            continue
        if b.inservice >= start:
            events.append(
                k.target_health(
                    tg_arn,
                    b.id,
                    8080,
                    "initial",
                    b.launched + timedelta(seconds=70),
                    reason="Elb.RegistrationInProgress",
                    description="Target registration is in progress",
                )
            )
        events.append(k.target_health(tg_arn, b.id, 8080, "healthy", max(b.inservice, start)))
        if b.terminated is not None and b.terminated <= now:
            events.append(
                k.target_health(
                    tg_arn,
                    b.id,
                    8080,
                    "draining",
                    b.terminated - timedelta(seconds=60),
                    reason="Target.DeregistrationInProgress",
                    description="Target deregistration is in progress",
                )
            )
            events.append(
                k.target_health(
                    tg_arn,
                    b.id,
                    8080,
                    "unused",
                    b.terminated,
                    reason="Target.NotRegistered",
                    description="Target is not registered to the target group",
                )
            )

    # --- logs --------------------------------------------------------------------------------------
    logs: list[k.Json] = []
    paths = [
        "/",
        "/rentals/outer-banks",
        "/rentals/cape-cod/dune-house-{n}",
        "/rentals/myrtle-beach?page=2",
        "/search?guests=4&checkin=2026-07-{d}&checkout=2026-07-{e}",
        "/rentals/lake-george/cabin-{n}",
        "/api/availability/{n}",
        "/wishlist",
        "/rentals/chincoteague?sort=price",
    ]
    for t, _step in k.grid(dense_from, now, dense_from):
        s = sim.get(t)
        if s is None:
            continue
        live = [b for b in boxes if b.inservice <= t and (b.terminated is None or b.terminated > t)]
        for b in live:
            stream = f"{b.id}/access.log"
            for _ in range(2):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                p = rng.choice(paths).format(
                    n=rng.randint(100, 990), d=rng.randint(1, 20), e=rng.randint(21, 28)
                )
                slow = s["rho"] > 0.97 and rng.random() < min(0.5, (s["rho"] - 0.97) * 8)
                status = 504 if slow and rng.random() < 0.5 else 200
                rt = (
                    rng.uniform(20, 30)
                    if slow
                    else rng.uniform(0.03, 0.25) / max(0.05, 1 - min(s["rho"], 0.95))
                )
                ip_ = f"{rng.choice(['130.176', '64.252', '15.158', '18.68'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
                ua = rng.choice(["Amazon CloudFront"])
                logs.append(
                    k.log(
                        "/stays-web/nginx/access",
                        stream,
                        ts,
                        f'{ip_} - - [{ts.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {p} HTTP/1.1" {status} '
                        f'{rng.randint(18000, 64000) if status == 200 else 176} "-" "{ua}" rt={rt:.3f} uct="0.000" urt="{rt:.3f}"',
                    )
                )
                if status == 504:
                    logs.append(
                        k.log(
                            "/stays-web/nginx/error",
                            f"{b.id}/error.log",
                            ts,
                            f'{ts.strftime("%Y/%m/%d %H:%M:%S")} [error] {rng.randint(2000, 2400)}#0: *{rng.randint(10**6, 10**7)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip_}, server: origin-www.tidewaterstays.com, request: "GET {p} HTTP/1.1", upstream: "http://unix:/var/run/puma/puma.sock:{p}", host: "origin-www.tidewaterstays.com"',
                        )
                    )
            if rng.random() < 0.25:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                rid = ids.uuid()
                ms_ = rng.uniform(40, 160) / max(0.05, 1 - min(s["rho"], 0.95))
                logs.append(
                    k.log(
                        "/stays-web/rails",
                        f"{b.id}/production.log",
                        ts,
                        f"I, [{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')} #{rng.randint(3000, 3100)}]  INFO -- : [{rid}] Completed 200 OK in {ms_:.0f}ms (Views: {ms_ * 0.6:.1f}ms | ActiveRecord: {ms_ * 0.2:.1f}ms | Allocations: {rng.randint(20000, 90000)})",
                    )
                )
            if rng.random() < 0.004:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        "/stays-web/rails",
                        f"{b.id}/production.log",
                        ts,
                        f"W, [{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')} #{rng.randint(3000, 3100)}]  WARN -- : [{ids.uuid()}] Geocoder: Google Geocoding API error: over query limit, falling back to cached coordinates",
                    )
                )
            if s["rho"] > 0.99 and rng.random() < 0.2:
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                logs.append(
                    k.log(
                        "/stays-web/rails",
                        f"{b.id}/production.log",
                        ts,
                        f"W, [{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')} #{rng.randint(3000, 3100)}]  WARN -- : Puma thread pool saturated: backlog={rng.randint(40, 180)} running=16 pool_capacity=0",
                    )
                )
    logs = [lg for lg in logs if lg["timestamp"] <= k.ms(now)]

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": a5xx.event(ids)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": policy_id,
                    "category": "change",
                    "failure_mode": "cdn-cache-key-all-cookies",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["stays-web-html", f"arn:aws:cloudfront::{account}:cache-policy/{policy_id}"],
                "actions": ["rollback"],
                "chain": [
                    "Cache policy stays-web-html was changed to put all cookies in the cache key (UpdateCachePolicy)",
                    f"CloudFront distribution {dist_id} stopped serving HTML from cache and sent most requests to the origin",
                    f"Origin ALB {lb_name} request count roughly tripled with no change in viewer traffic",
                    f"Auto Scaling group {asg_name} scaled to its maximum of 8 and the Puma instances saturated at the evening peak",
                    "Requests queued and timed out: 504/502 from the ALB and nginx, stays-web-prod-elb-5xx in ALARM",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(metrics),
            "alarms": [a.item() for a in (a5xx, alat, acf, ahost)],
            "alarm_history": k.sort_history([a5xx, alat, acf, ahost]),
            "logs": k.sort_logs(logs),
            "cloudtrail": cloudtrail,
            "resources": resources,
            "events": events,
        },
    )
