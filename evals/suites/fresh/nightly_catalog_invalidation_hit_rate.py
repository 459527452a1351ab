"""No fault: the shop's CloudFront cache-hit-rate alarm pages in the night because the nightly catalog
publish invalidates product pages; the origin absorbs the refill without errors and the alarm clears."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzw import (
    Kit,
    acm_cert,
    alias_record,
    distribution,
    hosted_zone,
    iso,
    iso_ms,
    lb_dim,
    load_balancer,
    minutes,
    target_group,
    tg_dim,
)

NAME = "shop-cdn-hit-rate-alarm-nightly-catalog-publish"
TITLE = "Paged overnight for low CloudFront cache hit rate on the shop; alarm cleared by itself"
SUMMARY = (
    "The nightly catalog publish invalidates product and collection paths; CloudFront's hit rate dips "
    "while the cache refills, the origin serves the misses without errors, and the alarm clears as every night."
)

ELB = "elasticloadbalancing.amazonaws.com"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, region="us-east-1")
    rng = k.rng
    brand = rng.choice(["kestrel", "oakhollow", "saltmarsh", "brambly"])
    domain = f"{brand}shop.eu"
    day = k.day()
    job = day.replace(hour=1, minute=0, second=0)  # 01:00 UTC every night
    publish_done = job + timedelta(minutes=rng.randint(3, 6), seconds=rng.randint(0, 59))
    refill = timedelta(minutes=rng.randint(28, 36))
    now = job + timedelta(minutes=rng.randint(48, 62))
    start = (job - timedelta(hours=4, minutes=rng.randint(0, 20))).replace(second=0)

    vpc = "vpc-0" + k.hex(16)
    subnets = [(f"us-east-1{z}", "subnet-0" + k.hex(16)) for z in ("a", "b", "c")]
    lb = load_balancer(k, "shop-origin", vpc, subnets, "sg-0" + k.hex(16), day - timedelta(days=420))
    tg = target_group(k, "shop-web", lb, 3000, "/api/health")
    cert = acm_cert(
        k,
        f"origin.{domain}",
        [f"origin.{domain}"],
        day - timedelta(days=rng.randint(50, 250)),
        [lb["LoadBalancerArn"]],
    )
    cf_cert = acm_cert(
        k, f"www.{domain}", [f"www.{domain}", domain], day - timedelta(days=rng.randint(50, 250)), []
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": k.arn(
                "elasticloadbalancing", f"listener/app/shop-origin/{lb_dim(lb).split('/')[-1]}/{k.hex(16)}"
            ),
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": cert["CertificateArn"]}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"], "Order": 1}],
        },
    )
    waf_id = k.uuid()
    dist = distribution(
        k,
        [f"www.{domain}", domain],
        "shop-origin-alb",
        f"origin.{domain}",
        cf_cert["CertificateArn"],
        f"arn:aws:wafv2:us-east-1:{k.account}:global/webacl/shop-edge/{waf_id}",
        day - timedelta(days=rng.randint(10, 40)),
        f"{brand} shop",
    )
    cf_cert["InUseBy"] = [dist["ARN"]]
    cf_cert["RenewalEligibility"] = "ELIGIBLE"
    did = dist["Id"]
    zone = hosted_zone(k, domain, 18)
    alias_record(k, zone, f"www.{domain}", dist["DomainName"], "Z2FDTNDATAQYW2")
    alias_record(k, zone, f"origin.{domain}", "dualstack." + lb["DNSName"], lb["CanonicalHostedZoneId"])
    cluster = f"{brand}-prod"
    rev = rng.randint(100, 400)
    deploy_t = start + timedelta(minutes=rng.randint(40, 80))
    svc_arn = k.arn("ecs", f"service/{cluster}/shop-web")
    td = k.arn("ecs", f"task-definition/shop-web:{rev + 1}")
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "shop-web",
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [
                {"targetGroupArn": tg["TargetGroupArn"], "containerName": "shop-web", "containerPort": 3000}
            ],
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": td,
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": td,
                    "desiredCount": 4,
                    "pendingCount": 0,
                    "runningCount": 4,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_t),
                    "updatedAt": iso(deploy_t + timedelta(minutes=7)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(day - timedelta(days=410)),
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
        },
    )
    pub_td = k.arn("ecs", f"task-definition/catalog-publisher:{rng.randint(20, 80)}")
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 5,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
        },
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    gh = "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.4 cfg/retry-mode#legacy Botocore/1.34.144"
    k.ct(
        deploy_t - timedelta(seconds=18),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "shop-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td,
                "family": "shop-web",
                "revision": rev + 1,
                "status": "ACTIVE",
            }
        },
        agent=gh,
        ip="20.57.44.102",
    )
    k.ct(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {"cluster": cluster, "service": "shop-web", "taskDefinition": td, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "shop-web",
                "taskDefinition": td,
                "desiredCount": 4,
            }
        },
        agent=gh,
        ip="20.57.44.102",
    )
    inv_deploy = "I" + k.upper(25)
    k.ct(
        deploy_t + timedelta(minutes=8),
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        ci,
        {
            "distributionId": did,
            "invalidationBatch": {
                "paths": {"quantity": 1, "items": ["/_next/static/*"]},
                "callerReference": f"gh-{rng.randint(10**9, 10**10)}",
            },
        },
        {
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{did}/invalidation/{inv_deploy}",
            "invalidation": {
                "id": inv_deploy,
                "status": "InProgress",
                "createTime": iso_ms(deploy_t + timedelta(minutes=8)),
            },
        },
        agent=gh,
        ip="20.57.44.102",
    )
    events_role = k.role_identity("ecs-events-run-task", k.hex(32))
    events_role["invokedBy"] = "events.amazonaws.com"
    task_id = k.hex(32)
    task_arn = k.arn("ecs", f"task/{cluster}/{task_id}")
    k.ct(
        job + timedelta(seconds=rng.randint(1, 4)),
        "ecs.amazonaws.com",
        "RunTask",
        events_role,
        {
            "cluster": cluster,
            "taskDefinition": pub_td,
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "events-rule/catalog-nightly",
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": [s for _, s in subnets], "assignPublicIp": "DISABLED"}
            },
        },
        {
            "tasks": [
                {
                    "taskArn": task_arn,
                    "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
                    "taskDefinitionArn": pub_td,
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "startedBy": "events-rule/catalog-nightly",
                    "launchType": "FARGATE",
                }
            ],
            "failures": [],
        },
        agent="events.amazonaws.com",
        ip="events.amazonaws.com",
    )
    pub = k.role_identity("catalog-publisher-task", task_id)
    inv = "I" + k.upper(25)
    paths = ["/products/*", "/collections/*", "/sitemap.xml", "/api/catalog/*"]
    k.ct(
        publish_done,
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        pub,
        {
            "distributionId": did,
            "invalidationBatch": {
                "paths": {"quantity": len(paths), "items": paths},
                "callerReference": f"catalog-{job:%Y%m%d}",
            },
        },
        {
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{did}/invalidation/{inv}",
            "invalidation": {
                "id": inv,
                "status": "InProgress",
                "createTime": iso_ms(publish_done),
                "invalidationBatch": {
                    "paths": {"quantity": len(paths), "items": paths},
                    "callerReference": f"catalog-{job:%Y%m%d}",
                },
            },
        },
        agent="aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.220 lang/js md/nodejs#20.15.1 api/cloudfront#3.614.0",
        ip="3.92.201.17",
    )
    for n in range(3):
        t = publish_done + timedelta(seconds=30 * (n + 1))
        k.ct(
            t,
            "cloudfront.amazonaws.com",
            "GetInvalidation",
            pub,
            {"distributionId": did, "id": inv},
            None,
            read_only=True,
            agent="aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.220 lang/js md/nodejs#20.15.1 api/cloudfront#3.614.0",
            ip="3.92.201.17",
        )
    sec = k.role_identity("waf-managed-rules-updater", "waf-bot-control")
    k.ct(
        start + timedelta(minutes=rng.randint(100, 160)),
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        sec,
        {
            "name": "shop-edge",
            "scope": "CLOUDFRONT",
            "id": waf_id,
            "defaultAction": {"allow": {}},
            "rules": [
                {"name": "AWS-AWSManagedRulesCommonRuleSet", "priority": 10},
                {"name": "rate-limit-per-ip", "priority": 20},
            ],
            "lockToken": k.uuid(),
        },
        {"nextLockToken": k.uuid()},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.58.0",
        ip="52.3.112.9",
    )
    reads = [
        (ELB, "DescribeLoadBalancers", None),
        (ELB, "DescribeTargetHealth", {"targetGroupArn": tg["TargetGroupArn"]}),
        ("cloudfront.amazonaws.com", "GetDistribution", {"id": did}),
        ("cloudfront.amazonaws.com", "ListDistributions", None),
        ("cloudfront.amazonaws.com", "GetMonitoringSubscription", {"distributionId": did}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["shop-web"]}),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("wafv2.amazonaws.com", "GetWebACL", {"name": "shop-edge", "scope": "CLOUDFRONT", "id": waf_id}),
    ]
    k.readonly_noise(start, now, reads, 36)

    # --- target health ---------------------------------------------------------------------------------
    for i in range(4):
        az = subnets[i % 3][0]
        tgt = {
            "Id": f"10.{rng.randint(60, 69)}.{(i % 3) * 16 + 4}.{rng.randint(10, 250)}",
            "Port": 3000,
            "AvailabilityZone": az,
        }
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": iso(deploy_t + timedelta(minutes=2)),
                },
            }
        )
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(deploy_t + timedelta(minutes=3)),
                },
            }
        )

    # --- metrics ---------------------------------------------------------------------------------------
    times = minutes(start, now + timedelta(minutes=1))
    inv_min = publish_done.replace(second=0) + timedelta(minutes=1)

    def miss_boost(t: datetime) -> float:
        if t < inv_min:
            return 0.0
        x = (t - inv_min) / refill
        return max(0.0, 1.0 - x) ** 1.6

    def traffic(t: datetime) -> float:
        h = t.hour + t.minute / 60  # European evening tailing off into the night
        h = h if h >= 12 else h + 24
        return max(0.18, 1.0 - (h - 20) * 0.14)

    base = rng.randint(2200, 3400)
    hit0 = rng.uniform(0.91, 0.94)
    reqs = {t: base * traffic(t) * (1 + k.noise(0.03)) for t in times}
    hit = {t: hit0 - (hit0 - rng.uniform(0.30, 0.42)) * miss_boost(t) + k.noise(0.006) for t in times}
    cf = {"DistributionId": did, "Region": "Global"}
    k.series("AWS/CloudFront", "Requests", cf, "None", times, lambda t: round(reqs[t]), 0)
    k.series(
        "AWS/CloudFront",
        "BytesDownloaded",
        cf,
        "None",
        times,
        lambda t: reqs[t] * rng.uniform(41000, 47000),
        0,
    )
    k.series("AWS/CloudFront", "CacheHitRate", cf, "Percent", times, lambda t: hit[t] * 100)
    k.series(
        "AWS/CloudFront",
        "OriginLatency",
        cf,
        "Milliseconds",
        times,
        lambda t: 140 + 150 * miss_boost(t) + abs(k.noise(20)),
        1,
    )
    k.series("AWS/CloudFront", "5xxErrorRate", cf, "Percent", times, lambda t: abs(k.noise(0.03)))
    k.series("AWS/CloudFront", "4xxErrorRate", cf, "Percent", times, lambda t: 1.1 + abs(k.noise(0.3)))
    k.series("AWS/CloudFront", "TotalErrorRate", cf, "Percent", times, lambda t: 1.15 + abs(k.noise(0.3)))
    k.series("AWS/CloudFront", "502ErrorRate", cf, "Percent", times, lambda t: 0.0)
    k.series("AWS/CloudFront", "504ErrorRate", cf, "Percent", times, lambda t: 0.0)
    dim = {"LoadBalancer": lb_dim(lb)}
    origin = {t: reqs[t] * (1 - hit[t]) for t in times}
    k.series("AWS/ApplicationELB", "RequestCount", dim, "Count", times, lambda t: round(origin[t]), 0)
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin[t] * 0.97),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(origin[t] * 0.025) or None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dim,
        "Count",
        times,
        lambda t: 1 if rng.random() < 0.04 else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dim,
        "Seconds",
        times,
        lambda t: 0.09 + 0.07 * miss_boost(t) + abs(k.noise(0.01)),
        4,
    )
    tgd = {**dim, "TargetGroup": tg_dim(tg)}
    k.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Count",
        times,
        lambda t: 4.0 if t >= deploy_t + timedelta(minutes=3) or t < deploy_t else 8.0,
        0,
    )
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", times, lambda t: 0.0, 0)
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "shop-web"},
        "Percent",
        times,
        lambda t: 12 * traffic(t) + 38 * miss_boost(t) + 4 + k.noise(1.5),
    )
    k.series(
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": cluster, "ServiceName": "shop-web"},
        "Percent",
        times,
        lambda t: 51 + k.noise(1.2),
    )
    db = f"{brand}-catalog-db"
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        "Percent",
        times,
        lambda t: 9 + (41 if job <= t < publish_done else 0) + 14 * miss_boost(t) + k.noise(1.5),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": db},
        "Count",
        times,
        lambda t: round(24 + (6 if job <= t < publish_done + refill else 0) + k.noise(1)),
        0,
    )
    k.series(
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": "shop-edge", "Rule": "rate-limit-per-ip", "Region": "Global"},
        "Count",
        times,
        lambda t: rng.randint(1, 12) if rng.random() < 0.3 else None,
        0,
    )
    k.series(
        "AWS/WAFV2",
        "AllowedRequests",
        {"WebACL": "shop-edge", "Rule": "ALL", "Region": "Global"},
        "Count",
        times,
        lambda t: round(reqs[t] * 0.997),
        0,
    )

    # --- alarms: the same alarm every night -------------------------------------------------------------
    topic = k.arn("sns", "shop-oncall")
    name = "shop-cdn-cache-hit-rate-low"

    def five_min_avg(t: datetime) -> float:
        pts = [hit[x] * 100 for x in times if t - timedelta(minutes=5) <= x < t]
        return sum(pts) / len(pts)

    five = [t for t in minutes(start.replace(minute=(start.minute // 5) * 5) + timedelta(minutes=5), now, 5)]
    low = [t for t in five if five_min_avg(t) < 75]
    t_alarm = (
        low[2] + timedelta(seconds=rng.randint(20, 50)) if len(low) >= 3 else inv_min + timedelta(minutes=15)
    )
    after = [t for t in five if t > t_alarm and five_min_avg(t) >= 75]
    t_ok = after[0] + timedelta(seconds=rng.randint(20, 50)) if after else now - timedelta(minutes=3)
    if t_ok > now:
        t_ok = now - timedelta(minutes=1)

    def vals(t: datetime) -> str:
        return ", ".join(
            f"{five_min_avg(t - timedelta(minutes=5 * i)):.4f} ({t - timedelta(minutes=5 * (i + 1)):%d/%m/%y %H:%M:%S})"
            for i in range(3)
        )

    a_reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{vals(t_alarm.replace(second=0))}] were less than the threshold (75.0) (minimum 3 datapoints for OK -> ALARM transition)."
    o_reason = f"Threshold Crossed: 1 out of the last 3 datapoints [{five_min_avg(t_ok.replace(second=0)):.4f} ({t_ok.replace(second=0) - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was not less than the threshold (75.0) (minimum 1 datapoint for ALARM -> OK transition)."
    al = k.alarm(
        name,
        "AWS/CloudFront",
        "CacheHitRate",
        cf,
        stat="Average",
        period=300,
        evals=3,
        threshold=75,
        op="LessThanThreshold",
        state="OK",
        state_time=t_ok,
        reason=o_reason,
        topic=topic,
        description=f"www.{domain} cache hit rate below 75% for 15 minutes - origin may be overloaded",
    )
    for d in range(rng.randint(6, 9), 0, -1):
        night = job - timedelta(days=d)
        a_t = night + timedelta(minutes=rng.randint(19, 24), seconds=rng.randint(5, 55))
        o_t = a_t + timedelta(minutes=rng.choice([15, 20, 25]), seconds=rng.randint(-10, 10))
        k.transition(
            name,
            a_t,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were less than the threshold (75.0) (minimum 3 datapoints for OK -> ALARM transition).",
        )
        k.transition(
            name,
            o_t,
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints was not less than the threshold (75.0) (minimum 1 datapoint for ALARM -> OK transition).",
        )
    k.transition(name, t_alarm, "OK", "ALARM", a_reason)
    k.transition(name, t_ok, "ALARM", "OK", o_reason)
    k.alarm(
        "shop-cdn-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        stat="Average",
        period=60,
        evals=5,
        datapoints=3,
        threshold=2,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=18),
        reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (2.0) (minimum 3 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        "shop-origin-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dim,
        stat="Average",
        period=60,
        evals=5,
        threshold=1,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=11),
        reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (1.0) (minimum 5 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        "shop-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=25),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (0.0) (minimum 2 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        f"{db}-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        stat="Average",
        period=300,
        evals=3,
        threshold=80,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=30),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0) (minimum 3 datapoints for ALARM -> OK transition).",
        topic=topic,
    )

    # --- logs ------------------------------------------------------------------------------------------
    lg = "/ecs/catalog-publisher"
    stream = f"catalog-publisher/publisher/{task_id}"
    n_products = rng.randint(14000, 26000)
    changed = rng.randint(300, 2400)
    k.log(
        lg,
        stream,
        job + timedelta(seconds=38),
        '{"level":"info","time":"'
        + iso_ms(job + timedelta(seconds=38))
        + '","msg":"catalog publish started","run":"'
        + f"{job:%Y-%m-%d}"
        + '"}',
    )
    k.log(
        lg,
        stream,
        job + timedelta(minutes=2),
        '{"level":"info","time":"'
        + iso_ms(job + timedelta(minutes=2))
        + '","msg":"prices and stock synced from ERP","products":'
        + str(n_products)
        + ',"changed":'
        + str(changed)
        + "}",
    )
    k.log(
        lg,
        stream,
        publish_done - timedelta(seconds=20),
        '{"level":"info","time":"'
        + iso_ms(publish_done - timedelta(seconds=20))
        + '","msg":"sitemap regenerated","urls":'
        + str(n_products + rng.randint(200, 400))
        + "}",
    )
    k.log(
        lg,
        stream,
        publish_done,
        '{"level":"info","time":"'
        + iso_ms(publish_done)
        + '","msg":"cloudfront invalidation created","distribution":"'
        + did
        + '","invalidation":"'
        + inv
        + '","paths":["/products/*","/collections/*","/sitemap.xml","/api/catalog/*"]}',
    )
    k.log(
        lg,
        stream,
        publish_done + timedelta(seconds=95),
        '{"level":"info","time":"'
        + iso_ms(publish_done + timedelta(seconds=95))
        + '","msg":"invalidation completed","invalidation":"'
        + inv
        + '"}',
    )
    k.log(
        lg,
        stream,
        publish_done + timedelta(seconds=96),
        '{"level":"info","time":"'
        + iso_ms(publish_done + timedelta(seconds=96))
        + '","msg":"catalog publish finished","duration_s":'
        + str(int((publish_done - job).total_seconds()) + 96)
        + "}",
    )
    app = "/ecs/shop-web"
    web_streams = [f"shop-web/shop-web/{k.hex(32)}" for _ in range(4)]
    for t in times:
        if t < deploy_t + timedelta(minutes=2):
            continue
        for _ in range(1 + (2 if miss_boost(t) > 0.3 else 0)):
            p = rng.choice(["/products/", "/collections/", "/api/catalog/"]) + rng.choice(
                ["linen-apron", "stoneware-bowl", "autumn", "kitchen", "p-" + str(rng.randint(1000, 9999))]
            )
            ms_ = int(60 + 120 * miss_boost(t) + rng.uniform(0, 60))
            k.log(
                app,
                rng.choice(web_streams),
                t + timedelta(seconds=rng.randint(0, 59)),
                '{"level":30,"time":'
                + str(int(t.timestamp() * 1000))
                + ',"msg":"request completed","req":{"method":"GET","url":"'
                + p
                + '"},"res":{"statusCode":200},"responseTime":'
                + str(ms_)
                + "}",
            )

    tz = "Europe/Amsterdam"
    local = t_alarm.astimezone(ZoneInfo(tz))
    question = (
        f"Got paged at {local:%H:%M} for shop-cdn-cache-hit-rate-low on the www distribution. It went back to OK "
        "on its own a bit later. Are we being hit by bots or is CloudFront broken? First week on call, do I need to "
        "wake anyone up?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": k.account,
        "region": k.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": question,
            "alarm_event": k.alarm_event(
                {
                    **al,
                    "StateValue": "ALARM",
                    "StateReason": a_reason,
                    "StateUpdatedTimestamp": iso_ms(t_alarm),
                },
                t_alarm,
                "OK",
                t_alarm - timedelta(days=1),
                "Threshold Crossed: 1 out of the last 3 datapoints was not less than the threshold (75.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
            "timezone": tz,
        },
        "truth": {"no_fault": True, "also_accept": [], "actions": [], "chain": []},
    }
    return k.bundle(manifest, now)
