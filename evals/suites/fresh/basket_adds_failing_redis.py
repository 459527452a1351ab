"""Basket adds failing mid-afternoon while browsing works (kit zzd)."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzd as k

NAME = "basket-adds-failing-redis"
TITLE = "Shoppers can't add to basket since mid-afternoon; product pages load fine"
SUMMARY = (
    "A shared ElastiCache parameter group had maxmemory-policy switched to noeviction for a job-queue "
    "cluster; the full cart cache then refused writes with OOM and basket adds returned 500."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"zzd-basket-{seed}")
    acct = k.account(rng)
    region = rng.choice(["eu-west-1", "eu-west-2"])
    tz = ZoneInfo("Europe/London")
    day = k.day_start(rng)
    onset = day + timedelta(hours=13, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    start = start.replace(second=0)
    now = onset + timedelta(minutes=rng.randint(38, 55))
    brand = rng.choice(["basketly", "larderbox", "cartwheel"])
    cluster = f"{brand}-prod"
    azs = [f"{region}a", f"{region}b"]

    vpc, subnets, vpc_id = k.vpc_bits(rng, acct, region, brand)
    sg_alb = k.sg(rng, acct, vpc_id, f"{brand}-alb", "public ALB", 443, None, "0.0.0.0/0")
    sg_app = k.sg(rng, acct, vpc_id, f"{brand}-ecs-tasks", "ECS tasks", 8080, sg_alb["GroupId"])
    sg_redis = k.sg(rng, acct, vpc_id, f"{brand}-redis", "redis from ecs tasks", 6379, sg_app["GroupId"])
    created = day - timedelta(days=rng.randint(300, 700))
    lb, lb_dim = k.alb(rng, acct, region, f"{brand}-web", vpc_id, subnets, sg_alb["GroupId"], created)
    tg_cart, tg_cart_dim = k.target_group(
        rng, acct, region, "cart-api", vpc_id, lb["LoadBalancerArn"], 8080, "/healthz"
    )
    tg_co, tg_co_dim = k.target_group(
        rng, acct, region, "checkout-api", vpc_id, lb["LoadBalancerArn"], 8080, "/healthz"
    )
    tg_cat, tg_cat_dim = k.target_group(
        rng, acct, region, "catalog-web", vpc_id, lb["LoadBalancerArn"], 3000, "/api/health"
    )

    suffix = k.hexid(rng, 6)
    carts_rg = f"{brand}-carts"
    jobs_rg = f"{brand}-jobs"
    pg_name = f"{brand}-redis7"
    node_type = "cache.r6g.large"
    rg_carts, carts_nodes = k.redis_group(
        acct, region, carts_rg, "cart and session cache", node_type, azs, created, suffix
    )
    rg_jobs, jobs_nodes = k.redis_group(
        acct,
        region,
        jobs_rg,
        "bullmq queues for background jobs",
        "cache.t4g.medium",
        azs,
        day - timedelta(days=rng.randint(20, 60)),
        suffix,
    )
    version = "7.1.0"
    clusters = [
        k.cache_cluster(
            acct,
            region,
            n["m"],
            rg,
            nt,
            version,
            n["az"],
            created,
            pg_name,
            sg_redis["GroupId"],
            f"{brand}-cache-private",
            n["host"],
            "sun:04:00-sun:05:00",
        )
        for rg, nt, nodes in ((carts_rg, node_type, carts_nodes), (jobs_rg, "cache.t4g.medium", jobs_nodes))
        for n in nodes
    ]

    role_exec = k.iam_role(rng, acct, "ecsTaskExecutionRole", "ecs-tasks.amazonaws.com", created)
    topic = k.sns_topic(acct, region, f"{brand}-oncall")
    taskdefs = {
        "cart-api": rng.randint(40, 90),
        "checkout-api": rng.randint(60, 140),
        "catalog-web": rng.randint(100, 300),
        "jobs-worker": rng.randint(8, 30),
    }
    sub_ids = [s["SubnetId"] for s in subnets]
    cart_deploy_t = onset - timedelta(hours=2, minutes=rng.randint(20, 50))
    co_deploy_t = onset - timedelta(minutes=rng.randint(18, 30))
    jobs_deploy_t = onset - timedelta(minutes=rng.randint(9, 14))
    change_t = onset - timedelta(seconds=rng.randint(20, 50))
    services = {
        "cart-api": k.ecs_service(
            acct,
            region,
            cluster,
            "cart-api",
            f"cart-api:{taskdefs['cart-api'] + 1}",
            6,
            created,
            cart_deploy_t,
            sub_ids,
            sg_app["GroupId"],
            tg_cart["TargetGroupArn"],
            8080,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
        "checkout-api": k.ecs_service(
            acct,
            region,
            cluster,
            "checkout-api",
            f"checkout-api:{taskdefs['checkout-api'] + 1}",
            4,
            created,
            co_deploy_t,
            sub_ids,
            sg_app["GroupId"],
            tg_co["TargetGroupArn"],
            8080,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
        "catalog-web": k.ecs_service(
            acct,
            region,
            cluster,
            "catalog-web",
            f"catalog-web:{taskdefs['catalog-web']}",
            8,
            created,
            day - timedelta(days=2, hours=3),
            sub_ids,
            sg_app["GroupId"],
            tg_cat["TargetGroupArn"],
            3000,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
        "jobs-worker": k.ecs_service(
            acct,
            region,
            cluster,
            "jobs-worker",
            f"jobs-worker:{taskdefs['jobs-worker'] + 1}",
            2,
            created,
            jobs_deploy_t,
            sub_ids,
            sg_app["GroupId"],
            None,
            0,
            "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
            role_exec["Arn"],
        ),
    }

    resources: list[dict[str, Any]] = [
        {"service": "ec2", "type": "Vpc", "item": vpc},
        *({"service": "ec2", "type": "Subnet", "item": s} for s in subnets),
        *({"service": "ec2", "type": "SecurityGroup", "item": g} for g in (sg_alb, sg_app, sg_redis)),
        {"service": "elbv2", "type": "LoadBalancer", "item": lb},
        *({"service": "elbv2", "type": "TargetGroup", "item": t} for t in (tg_cart, tg_co, tg_cat)),
        {"service": "ecs", "type": "Cluster", "item": k.ecs_cluster(acct, region, cluster, 4, 20)},
        *({"service": "ecs", "type": "Service", "item": s} for s in services.values()),
        {"service": "elasticache", "type": "ReplicationGroup", "item": rg_carts},
        {"service": "elasticache", "type": "ReplicationGroup", "item": rg_jobs},
        *({"service": "elasticache", "type": "CacheCluster", "item": c} for c in clusters),
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": pg_name,
                "CacheParameterGroupFamily": "redis7",
                "Description": f"{brand} redis 7 overrides",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{region}:{acct}:parametergroup:{pg_name}",
            },
        },
        *(
            {
                "service": "elasticache",
                "type": "CacheParameterGroupParameter",
                "item": {
                    "CacheParameterGroupName": pg_name,
                    "ParameterName": n,
                    "ParameterValue": v,
                    "Description": d,
                    "Source": src,
                    "DataType": dt,
                    "AllowedValues": av,
                    "IsModifiable": True,
                    "MinimumEngineVersion": "7.0.5",
                    "ChangeType": "immediate",
                },
            }
            for n, v, d, src, dt, av in (
                (
                    "maxmemory-policy",
                    "noeviction",
                    "Max memory policy.",
                    "user",
                    "string",
                    "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
                ),
                ("maxmemory-samples", "5", "Max memory samples.", "system", "integer", "1-"),
                (
                    "timeout",
                    "300",
                    "Close connection if client is idle for a given number of seconds, or never if 0.",
                    "user",
                    "integer",
                    "0,20-",
                ),
                (
                    "notify-keyspace-events",
                    "",
                    "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled",
                    "system",
                    "string",
                    None,
                ),
            )
        ),
        {"service": "iam", "type": "Role", "item": role_exec},
        *(
            {"service": "logs", "type": "LogGroup", "item": k.log_group(acct, region, f"/ecs/{n}", created)}
            for n in services
        ),
        {"service": "sns", "type": "Topic", "item": topic},
    ]
    for r in resources:
        if r["type"] == "CacheParameterGroupParameter" and r["item"]["AllowedValues"] is None:
            del r["item"]["AllowedValues"]

    # ---------------- CloudTrail ----------------
    tr = k.Trail(rng, acct, region)
    deployer = tr.ident("github-actions-deploy", "GitHubActions")
    engineer = rng.choice(["dan.okafor", "mira.s", "tom.whitfield"])
    sso_admin = tr.ident("AWSReservedSSO_PowerUserAccess_3e8d1f7a20c94b55", f"{engineer}@{brand}.co.uk")
    other = rng.choice(["leah.b", "omar.h"])
    sso_other = tr.ident("AWSReservedSSO_PowerUserAccess_3e8d1f7a20c94b55", f"{other}@{brand}.co.uk")
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
    gha_agent = (
        "aws-sdk-js/3.577.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/ecs#3.577.0"
    )

    def deploy(t, svc):
        fam = svc
        rev = taskdefs[svc] + 1
        td_arn = f"arn:aws:ecs:{region}:{acct}:task-definition/{fam}:{rev}"
        tr.add(
            t - timedelta(seconds=40),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            deployer,
            {
                "family": fam,
                "taskRoleArn": f"arn:aws:iam::{acct}:role/{fam}-task",
                "executionRoleArn": role_exec["Arn"],
                "networkMode": "awsvpc",
                "containerDefinitions": [
                    {
                        "name": fam,
                        "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/{fam}:{k.hexid(rng, 7)}",
                        "essential": True,
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{fam}",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": fam,
                            },
                        },
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": td_arn,
                    "family": fam,
                    "revision": rev,
                    "status": "ACTIVE",
                }
            },
            agent=gha_agent,
        )
        tr.add(
            t,
            "ecs.amazonaws.com",
            "UpdateService",
            deployer,
            {
                "cluster": cluster,
                "service": svc,
                "taskDefinition": f"{fam}:{rev}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": svc,
                    "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{svc}",
                    "taskDefinition": td_arn,
                    "desiredCount": services[svc]["desiredCount"],
                    "status": "ACTIVE",
                }
            },
            agent=gha_agent,
        )

    deploy(cart_deploy_t, "cart-api")
    deploy(co_deploy_t, "checkout-api")
    deploy(jobs_deploy_t, "jobs-worker")
    # engineer looks at the parameter group, then changes it
    tr.add(
        change_t - timedelta(minutes=3, seconds=12),
        "elasticache.amazonaws.com",
        "DescribeCacheParameterGroups",
        sso_admin,
        {"cacheParameterGroupName": pg_name},
        None,
        read_only=True,
        agent=console,
    )
    tr.add(
        change_t - timedelta(minutes=2, seconds=40),
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        sso_admin,
        {"cacheParameterGroupName": pg_name, "source": "user"},
        None,
        read_only=True,
        agent=console,
    )
    tr.add(
        change_t - timedelta(minutes=1, seconds=55),
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        sso_admin,
        {"replicationGroupId": jobs_rg},
        None,
        read_only=True,
        agent=console,
    )
    culprit = tr.add(
        change_t,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        sso_admin,
        {
            "cacheParameterGroupName": pg_name,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pg_name},
        agent=console,
    )
    # innocent changes earlier in the day
    t_sg = start + timedelta(minutes=rng.randint(20, 60))
    rule_id = "sgr-" + k.hexid(rng)
    tr.add(
        t_sg,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        sso_other,
        {
            "groupId": sg_app["GroupId"],
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9464,
                        "toPort": 9464,
                        "groups": {
                            "items": [{"groupId": sg_app["GroupId"], "description": "otel collector scrape"}]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": k.uid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "toPort": 9464,
                        "fromPort": 9464,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "groupId": sg_app["GroupId"],
                        "securityGroupRuleId": rule_id,
                        "referencedGroupInfo": {"groupId": sg_app["GroupId"], "userId": acct},
                        "description": "otel collector scrape",
                    }
                ]
            },
        },
        agent=console,
    )
    t_alarm = start + timedelta(hours=1, minutes=rng.randint(0, 40))
    tf = tr.ident("terraform-apply", "atlantis-" + k.hexid(rng, 8))
    tr.add(
        t_alarm,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        tf,
        {
            "alarmName": "catalog-web-p99-latency",
            "namespace": "AWS/ApplicationELB",
            "metricName": "TargetResponseTime",
            "dimensions": [
                {"name": "LoadBalancer", "value": lb_dim},
                {"name": "TargetGroup", "value": tg_cat_dim},
            ],
            "extendedStatistic": "p99",
            "period": 60,
            "evaluationPeriods": 5,
            "datapointsToAlarm": 3,
            "threshold": 1.2,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
            "alarmActions": [topic["TopicArn"]],
            "oKActions": [topic["TopicArn"]],
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 aws-sdk-go-v2/1.26.1",
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(14, 22)),
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        sso_other,
        {"replicationGroupId": carts_rg},
        None,
        read_only=True,
        agent=console,
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(23, 30)),
        "elasticache.amazonaws.com",
        "DescribeEvents",
        sso_other,
        {"sourceType": "replication-group", "duration": 120},
        None,
        read_only=True,
        agent=console,
    )
    # automatic session refreshes of the task roles fill the trail with AssumeRole noise
    tr.readonly_noise(
        start,
        now,
        [
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["cart-api", "checkout-api", "catalog-web"]},
            ),
            ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tg_cart["TargetGroupArn"]},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", {"filterSet": {}, "securityGroupIdSet": {}}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/ecs/"}),
        ],
        every_min=(5, 12),
    )

    # ---------------- metrics ----------------
    m = k.Metrics()
    peak = 12.5
    fail_frac = rng.uniform(0.55, 0.75)  # share of cart writes refused once memory is full

    def traffic(t):
        return k.diurnal(t, peak, 1800, 4200)

    alb_dims = {"LoadBalancer": lb_dim}
    cart_share, co_share, cat_share = 0.34, 0.08, 0.58
    write_share = rng.uniform(0.22, 0.3)
    rq: dict = {}

    def per_min(t):
        key = k.iso(t)
        if key not in rq:
            rq[key] = k.jitter(rng, traffic(t))
        return rq[key]

    c5: dict = {}

    def cart_5xx(t):
        key = k.iso(t)
        if key not in c5:
            if t < onset.replace(second=0):
                c5[key] = rng.choice([None, None, None, None, 1.0])
            else:
                c5[key] = round(per_min(t) * cart_share * write_share * fail_frac * rng.uniform(0.9, 1.1))
        return c5[key]

    tg = lambda d: {"LoadBalancer": lb_dim, "TargetGroup": d}  # noqa: E731
    m.series("AWS/ApplicationELB", "RequestCount", alb_dims, "Count", start, now, lambda t: round(per_min(t)))
    m.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tg(tg_cart_dim),
        "Count",
        start,
        now,
        lambda t: round(per_min(t) * cart_share),
    )
    m.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tg(tg_co_dim),
        "Count",
        start,
        now,
        lambda t: round(per_min(t) * co_share),
    )
    m.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tg(tg_cat_dim),
        "Count",
        start,
        now,
        lambda t: round(per_min(t) * cat_share),
    )
    m.series(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg(tg_cart_dim), "Count", start, now, cart_5xx
    )
    m.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg(tg_co_dim),
        "Count",
        start,
        now,
        lambda t: rng.choice([None] * 6 + [1.0, 2.0]),
    )
    m.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        alb_dims,
        "Count",
        start,
        now,
        lambda t: (cart_5xx(t) or 0) + rng.choice([0, 0, 0, 1]) or None,
    )
    m.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tg(tg_cart_dim),
        "Count",
        start,
        now,
        lambda t: round(per_min(t) * cart_share * 0.012 * rng.uniform(0.6, 1.4)),
    )
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg(tg_cart_dim),
        "Seconds",
        start,
        now,
        lambda t: k.latency_dist(rng, round(per_min(t) * cart_share), 18 if t < onset else 21, 140),
    )
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg(tg_cat_dim),
        "Seconds",
        start,
        now,
        lambda t: k.latency_dist(rng, round(per_min(t) * cat_share), 85, 600),
    )
    co_spike = start + timedelta(hours=1, minutes=rng.randint(15, 50))
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg(tg_co_dim),
        "Seconds",
        start,
        now,
        lambda t: k.latency_dist(
            rng,
            round(per_min(t) * co_share),
            140,
            2600 if co_spike <= t < co_spike + timedelta(minutes=4) else 900,
        ),
    )
    m.series("AWS/ApplicationELB", "HealthyHostCount", tg(tg_cart_dim), "Count", start, now, lambda t: 6.0)
    m.series("AWS/ApplicationELB", "UnHealthyHostCount", tg(tg_cart_dim), "Count", start, now, lambda t: 0.0)

    carts_primary = carts_nodes[0]["m"]
    carts_replica = carts_nodes[1]["m"]

    def ec(cid):
        return {"CacheClusterId": cid, "CacheNodeId": "0001"}

    items0 = rng.randint(1_800_000, 2_600_000)
    onset_min = onset.replace(second=0)

    def mins_after(t):
        return max(0.0, (t - onset_min).total_seconds() / 60)

    for cid, primary in ((carts_primary, True), (carts_replica, False)):
        d = ec(cid)
        m.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            d,
            "Percent",
            start,
            now,
            lambda t: min(100.0, rng.uniform(98.6, 99.9)) if t < onset_min else rng.uniform(99.93, 100.0),
        )
        m.series(
            "AWS/ElastiCache",
            "Evictions",
            d,
            "Count",
            start,
            now,
            lambda t, p=primary: (
                (round(per_min(t) * rng.uniform(0.09, 0.16)) if p else 0.0) if t < onset_min else 0.0
            ),
        )
        m.series(
            "AWS/ElastiCache",
            "CurrItems",
            d,
            "Count",
            start,
            now,
            lambda t: round(items0 * (1 + 0.01 * rng.uniform(-1, 1)) * (1 - 0.0009 * mins_after(t))),
        )
        m.series(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            d,
            "Percent",
            start,
            now,
            lambda t, p=primary: rng.uniform(9, 15) * (traffic(t) / 3000) if p else rng.uniform(2, 4),
        )
        m.series(
            "AWS/ElastiCache",
            "CPUUtilization",
            d,
            "Percent",
            start,
            now,
            lambda t, p=primary: rng.uniform(4, 8) if p else rng.uniform(2, 4),
        )
        m.series(
            "AWS/ElastiCache",
            "CurrConnections",
            d,
            "Count",
            start,
            now,
            lambda t, p=primary: float(rng.choice([74, 75, 76, 75])) if p else float(rng.choice([8, 8, 9])),
        )
        m.series(
            "AWS/ElastiCache",
            "GetTypeCmds",
            d,
            "Count",
            start,
            now,
            lambda t, p=primary: round(per_min(t) * (9.5 if p else 0.2) * rng.uniform(0.93, 1.07)),
        )
        m.series(
            "AWS/ElastiCache",
            "SetTypeCmds",
            d,
            "Count",
            start,
            now,
            lambda t, p=primary: (
                round(
                    per_min(t)
                    * (2.6 if t < onset_min else 2.6 * (1 - fail_frac) * 0.6)
                    * rng.uniform(0.93, 1.07)
                )
                if p
                else 0.0
            ),
        )
        m.series(
            "AWS/ElastiCache",
            "CacheHitRate",
            d,
            "Percent",
            start,
            now,
            lambda t: rng.uniform(93, 96) if t < onset_min else rng.uniform(88, 92),
        )
        m.series(
            "AWS/ElastiCache",
            "ReplicationLag",
            d,
            "Seconds",
            start,
            now,
            lambda t, p=primary: None if p else rng.choice([0.0, 0.0, 0.0, 1.0]),
        )
    for n in jobs_nodes:
        d = ec(n["m"])
        m.series(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            d,
            "Percent",
            start,
            now,
            lambda t: rng.uniform(6, 9),
        )
        m.series("AWS/ElastiCache", "Evictions", d, "Count", start, now, lambda t: 0.0)
        m.series(
            "AWS/ElastiCache", "EngineCPUUtilization", d, "Percent", start, now, lambda t: rng.uniform(1, 4)
        )
        m.series(
            "AWS/ElastiCache",
            "CurrConnections",
            d,
            "Count",
            start,
            now,
            lambda t: float(rng.choice([11, 12, 12])),
        )
    for svc, base in (("cart-api", 22), ("checkout-api", 18), ("catalog-web", 35), ("jobs-worker", 6)):
        m.series(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            start,
            now,
            lambda t, b=base: b * traffic(t) / 3000 * rng.uniform(0.9, 1.1),
        )
        m.series(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Percent",
            start,
            now,
            lambda t, b=base: 38 + b / 4 + rng.uniform(-1, 1),
        )

    # ---------------- alarms ----------------
    a_name = f"{brand}-cart-api-5xx"
    first_alarm = onset_min + timedelta(minutes=3)
    vals = [float(cart_5xx(first_alarm - timedelta(minutes=i))) for i in (2, 1, 0)]
    rd = k.reason_data("Sum", 60, 25, first_alarm, vals)
    reason = k.reason_text("ALARM", vals, first_alarm, "GreaterThanThreshold", 25, 3)
    a5 = k.alarm(
        acct,
        region,
        a_name,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg(tg_cart_dim),
        "Sum",
        60,
        3,
        25,
        "GreaterThanThreshold",
        "ALARM",
        reason,
        first_alarm + timedelta(seconds=61),
        created + timedelta(days=30),
        topic["TopicArn"],
        "cart-api target 5xx > 25/min for 3 min",
        missing="notBreaching",
        reason_data=rd,
    )
    co_name = "checkout-api-p99-latency"
    co_vals = [2.41, 2.63, 2.2]
    co_at = co_spike + timedelta(minutes=3)
    co_ok_at = co_spike + timedelta(minutes=7)
    co_a = k.alarm(
        acct,
        region,
        co_name,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg(tg_co_dim),
        "",
        60,
        3,
        2.0,
        "GreaterThanThreshold",
        "OK",
        k.reason_text("OK", [0.81, 0.77, 0.9], co_ok_at, "GreaterThanThreshold", 2.0, 3),
        co_ok_at,
        created + timedelta(days=200),
        topic["TopicArn"],
        "checkout p99 over 2s",
        missing="notBreaching",
        extended="p99",
    )
    cpu_name = f"{brand}-carts-engine-cpu-high"
    cpu_a = k.alarm(
        acct,
        region,
        cpu_name,
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        ec(carts_primary),
        "Average",
        300,
        3,
        75,
        "GreaterThanThreshold",
        "OK",
        k.reason_text("OK", [14.2], day - timedelta(days=9), "GreaterThanThreshold", 75, 3),
        day - timedelta(days=9),
        created + timedelta(days=30),
        topic["TopicArn"],
        missing="missing",
    )
    cat_name = "catalog-web-p99-latency"
    cat_a = k.alarm(
        acct,
        region,
        cat_name,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg(tg_cat_dim),
        "",
        60,
        5,
        1.2,
        "GreaterThanThreshold",
        "OK",
        "Unchecked: Initial alarm creation",
        t_alarm + timedelta(seconds=50),
        t_alarm,
        topic["TopicArn"],
        missing="notBreaching",
        datapoints=3,
        extended="p99",
    )
    cat_a["StateReason"] = k.reason_text(
        "OK", [0.52, 0.49, 0.55, 0.5, 0.47], t_alarm + timedelta(minutes=1), "GreaterThanThreshold", 1.2, 5, 3
    )
    alarms = [a5, co_a, cpu_a, cat_a]
    hist = [
        k.history(cat_name, t_alarm + timedelta(seconds=50), "INSUFFICIENT_DATA", "OK", cat_a["StateReason"]),
        {
            "AlarmName": cat_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": k.iso(t_alarm),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{cat_name}" created',
            "HistoryData": json.dumps(
                {
                    "type": "Create",
                    "version": "1.0",
                    "createdAlarm": {"alarmName": cat_name, "threshold": 1.2},
                }
            ),
        },
        k.history(
            co_name,
            co_at,
            "OK",
            "ALARM",
            k.reason_text("ALARM", co_vals, co_at, "GreaterThanThreshold", 2.0, 3),
        ),
        k.history(co_name, co_ok_at, "ALARM", "OK", co_a["StateReason"]),
        k.history(a_name, first_alarm + timedelta(seconds=61), "OK", "ALARM", reason, rd),
    ]

    # ---------------- logs ----------------
    logs = []
    tasks = {svc: [k.hexid(rng, 32) for _ in range(3)] for svc in ("cart-api", "jobs-worker", "checkout-api")}
    ips = {
        tid: f"ip-10-{vpc['CidrBlock'].split('.')[1]}-{rng.randint(32, 80)}-{rng.randint(2, 250)}"
        for lst in tasks.values()
        for tid in lst
    }
    t = start
    while t < now:
        for _ in range(rng.randint(3, 6)):
            ts = t + timedelta(seconds=rng.uniform(0, 59.9))
            tid = rng.choice(tasks["cart-api"])
            req_id = "req-" + k.hexid(rng, 6)
            cart = k.hexid(rng, 12)
            write = rng.random() < 0.45
            failed = write and ts >= onset and rng.random() < fail_frac
            url = (
                rng.choice([f"/v1/carts/{cart}/items", f"/v1/carts/{cart}/items/{rng.randint(10000, 99999)}"])
                if write
                else f"/v1/carts/{cart}"
            )
            method = rng.choice(["POST", "POST", "PUT", "DELETE"]) if write else "GET"
            req_base: dict[str, Any] = {"pid": 1, "hostname": ips[tid], "reqId": req_id}
            if failed:
                err = {
                    "level": 50,
                    "time": k.ms(ts),
                    **req_base,
                    "err": {
                        "type": "ReplyError",
                        "message": "OOM command not allowed when used memory > 'maxmemory'.",
                        "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                        "command": {"name": rng.choice(["hset", "hset", "expire", "set"])},
                    },
                    "msg": "cart write failed",
                }
                logs.append(
                    {
                        "log_group": "/ecs/cart-api",
                        "log_stream": f"cart-api/cart-api/{tid}",
                        "timestamp": k.ms(ts),
                        "message": json.dumps(err, separators=(",", ":")),
                    }
                )
            status = 500 if failed else (200 if rng.random() > 0.01 else 404)
            done = {
                "level": 30 if status < 500 else 50,
                "time": k.ms(ts) + 3,
                **req_base,
                "req": {
                    "method": method,
                    "url": url,
                    "remoteAddress": f"::ffff:10.{vpc['CidrBlock'].split('.')[1]}.{rng.randint(32, 80)}.{rng.randint(2, 250)}",
                },
                "res": {"statusCode": status},
                "responseTime": round(rng.uniform(4, 40), 3),
                "msg": "request completed",
            }
            logs.append(
                {
                    "log_group": "/ecs/cart-api",
                    "log_stream": f"cart-api/cart-api/{tid}",
                    "timestamp": k.ms(ts) + 3,
                    "message": json.dumps(done, separators=(",", ":")),
                }
            )
        if rng.random() < 0.5:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            tid = rng.choice(tasks["checkout-api"])
            logs.append(
                {
                    "log_group": "/ecs/checkout-api",
                    "log_stream": f"checkout-api/checkout-api/{tid}",
                    "timestamp": k.ms(ts),
                    "message": f"{ts:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} INFO  [http-nio-8080-exec-{rng.randint(1, 40)}] c.b.checkout.OrderController - order {rng.randint(4000000, 4999999)} placed total={rng.randint(8, 160)}.{rng.randint(10, 99)} GBP",
                }
            )
        if rng.random() < 0.25:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            tid = rng.choice(tasks["jobs-worker"][:2] if ts < jobs_deploy_t else tasks["jobs-worker"][1:])
            job = rng.choice(["send-order-email", "sync-stock-levels", "resize-product-image"])
            logs.append(
                {
                    "log_group": "/ecs/jobs-worker",
                    "log_stream": f"jobs-worker/jobs-worker/{tid}",
                    "timestamp": k.ms(ts),
                    "message": f"[{ts:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z] INFO worker: job {job}:{rng.randint(100000, 999999)} completed in {rng.randint(40, 2400)}ms",
                }
            )
        t += timedelta(minutes=1)
    # the jobs-worker rollout: each new task warns about the eviction policy at start-up
    for i, tid in enumerate(tasks["jobs-worker"][1:]):
        ts = jobs_deploy_t + timedelta(seconds=70 + 25 * i)
        stream = f"jobs-worker/jobs-worker/{tid}"
        logs.append(
            {
                "log_group": "/ecs/jobs-worker",
                "log_stream": stream,
                "timestamp": k.ms(ts),
                "message": f"[{ts:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z] INFO worker: starting {len(tasks)} queues, concurrency=8",
            }
        )
        logs.append(
            {
                "log_group": "/ecs/jobs-worker",
                "log_stream": stream,
                "timestamp": k.ms(ts) + 211,
                "message": 'IMPORTANT! Eviction policy is allkeys-lru. It should be "noeviction"',
            }
        )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    local = onset.astimezone(tz)
    asked = now.astimezone(tz)
    hour = local.hour % 12 or 12
    question = rng.choice(
        [
            f"Customer service says people can't add things to their basket since about {hour}:{local.minute // 5 * 5:02d} — it spins then says something went wrong. Browsing and product pages are fine. Is the site down?",
            f"Getting loads of complaints that 'add to basket' fails, started around {hour}:{local.minute // 5 * 5:02d}pm. Did the checkout release break something?",
        ]
    )
    del asked

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg_name,
                    "category": "change",
                    "failure_mode": "cache-eviction-policy-set-to-noeviction",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:elasticache:{region}:{acct}:parametergroup:{pg_name}"],
                "actions": ["rollback", "reconfigure"],
                "chain": [pg_name, carts_rg, "cart-api", f"{brand}-web"],
            },
        }
    )
    records = {
        "metrics": m.rows,
        "alarms": alarms,
        "alarm_history": sorted(hist, key=lambda h: h["Timestamp"]),
        "logs": logs,
        "cloudtrail": tr.sorted(),
        "resources": resources,
    }
    return Bundle(manifest, records)
