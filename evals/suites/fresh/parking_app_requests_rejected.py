"""Parking app users rejected with 403s: a rate-based WAF rule in Block mode catches carrier-NAT mobile traffic."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_o as k

NAME = "parking-app-requests-rejected"
TITLE = "Parking app users can't start sessions; backend looks healthy"
SUMMARY = (
    "A security engineer adds a rate-based rule (300 requests/5 min per IP on /api/, Block) to the mobile API's web "
    "ACL; phones behind carrier NAT share addresses, so a large share of app traffic gets 403 at the ALB while the "
    "service itself sees fewer requests and no errors."
)

REGIONS = [
    ("eu-west-1", "Europe/Dublin"),
    ("eu-central-1", "Europe/Berlin"),
    ("us-east-2", "America/Chicago"),
]
PEOPLE = ["nadia.kowalski", "owen.price", "sofia.marin", "felix.braun", "hana.sato"]


def _camel(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {(key[0].lower() + key[1:]): _camel(v) for key, v in obj.items()}
    if isinstance(obj, list):
        return [_camel(v) for v in obj]
    return obj


def _vis(name: str) -> k.Json:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region, tzname = rng.choice(REGIONS)
    tz = ZoneInfo(tzname)
    day = k.pick_day(rng)
    local_change = datetime(
        day.year, day.month, day.day, rng.randint(8, 15), rng.randint(0, 59), rng.randint(0, 59), tzinfo=tz
    )
    change_at = local_change.astimezone(UTC)
    onset = k.floor_minute(change_at + timedelta(seconds=rng.randint(50, 110)))
    start = k.floor_minute(onset - timedelta(hours=5, minutes=rng.randint(0, 30)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(40, 60)))
    clock = k.Clock(start, now)
    n = clock.minutes
    i_on = clock.index(onset)
    offset_h = (local_change.utcoffset() or timedelta()).total_seconds() / 3600

    brand = rng.choice(["ParkHop", "Kerbly", "SpotOn"])
    low = brand.lower()
    domain = f"{low}.app"
    cluster = "mobile-prod"
    svc = "mobile-api"
    net = k.network(rng, region)
    lb = k.alb(rng, account, region, "mobile-api-prod", "mobile-api-prod-tg")
    acl_name = "mobile-api-prod-acl"
    acl_id = k.uuid(rng)
    acl_arn = f"arn:aws:wafv2:{region}:{account}:regional/webacl/{acl_name}/{acl_id}"
    topic = f"arn:aws:sns:{region}:{account}:mobile-oncall"
    engineer = rng.choice(PEOPLE)
    engineer_email = f"{engineer}@{domain}"
    others = [p for p in PEOPLE if p != engineer]
    limit = rng.choice([200, 300, 500])

    # --- traffic ------------------------------------------------------------------------------------
    peak = rng.uniform(5500, 9000)
    noise = k.smooth_noise(rng, n, 0.05)
    demand = [
        peak
        * k.daily(clock.at(i), offset_h, [(8.5, 1.3, 0.8), (13.0, 2.5, 0.6), (17.8, 1.5, 0.9)], 0.15)
        * (1 + noise[i])
        for i in range(n)
    ]
    nat_share = rng.uniform(0.42, 0.6)
    blocked: list[float | None] = []
    allowed: list[float | None] = []
    managed_common: list[float | None] = []
    managed_rep: list[float | None] = []
    for i in range(n):
        d = demand[i]
        c = float(rng.random() < 0.5) * rng.randint(1, 6)
        r = float(rng.random() < 0.3) * rng.randint(1, 4)
        managed_common.append(c)
        managed_rep.append(r)
        if i >= i_on:
            ramp = min(1.0, (i - i_on + 1) / 3)
            b = d * nat_share * ramp * rng.uniform(1.25, 1.4)  # app retries on failure
            blocked.append(round(b))
            allowed.append(round(d * (1 - nat_share * ramp)))
        else:
            blocked.append(0.0)
            allowed.append(round(d))
    req = [
        float((allowed[i] or 0) + (blocked[i] or 0) + (managed_common[i] or 0) + (managed_rep[i] or 0))
        for i in range(n)
    ]
    waf_blocked_all = [
        float((blocked[i] or 0) + (managed_common[i] or 0) + (managed_rep[i] or 0)) for i in range(n)
    ]
    elb4 = [float(waf_blocked_all[i] + (rng.random() < 0.1)) for i in range(n)]
    t4 = [float(max(0, round((allowed[i] or 0) * 0.02 + rng.gauss(0, 3)))) for i in range(n)]
    t5 = [float(rng.random() < 0.04) for _ in range(n)]
    t2 = [float(max(0.0, (allowed[i] or 0) - t4[i] - t5[i])) for i in range(n)]
    lat = [0.041 + 0.012 * rng.random() for _ in range(n)]
    cpu = [14 + 30 * ((allowed[i] or 0) / peak) + rng.gauss(0, 1.5) for i in range(n)]
    mem = [48 + rng.gauss(0, 0.5) for _ in range(n)]

    m = k.Metrics(clock, start)
    lbd = {"LoadBalancer": lb.dim}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    m.emit("AWS/ApplicationELB", "RequestCount", lbd, "Count", req, digits=0)
    m.emit("AWS/ApplicationELB", "RequestCount", tgd, "Count", allowed, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lbd, "Count", elb4, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, "Count", t2, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, "Count", t4, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", t5, nonzero_only=True, digits=0)
    m.emit(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lat,
        dist=k.latency_dist(rng, lambda i: float(allowed[i] or 1)),
    )
    m.emit("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", [4.0] * n, digits=0)
    m.emit("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", [0.0] * n, digits=0)
    wd = {"WebACL": acl_name, "Region": region}
    m.emit("AWS/WAFV2", "AllowedRequests", wd | {"Rule": "ALL"}, "Count", allowed, digits=0)
    m.emit(
        "AWS/WAFV2",
        "BlockedRequests",
        wd | {"Rule": "ALL"},
        "Count",
        waf_blocked_all,
        nonzero_only=True,
        digits=0,
    )
    m.emit(
        "AWS/WAFV2",
        "BlockedRequests",
        wd | {"Rule": "AWS-AWSManagedRulesCommonRuleSet"},
        "Count",
        managed_common,
        nonzero_only=True,
        digits=0,
    )
    m.emit(
        "AWS/WAFV2",
        "BlockedRequests",
        wd | {"Rule": "AWS-AWSManagedRulesAmazonIpReputationList"},
        "Count",
        managed_rep,
        nonzero_only=True,
        digits=0,
    )
    m.emit(
        "AWS/WAFV2",
        "BlockedRequests",
        wd | {"Rule": "rate-limit-api"},
        "Count",
        blocked,
        nonzero_only=True,
        digits=0,
    )
    ecsd = {"ClusterName": cluster, "ServiceName": svc}
    m.emit("AWS/ECS", "CPUUtilization", ecsd, "Percent", cpu, digits=2)
    m.emit("AWS/ECS", "MemoryUtilization", ecsd, "Percent", mem, digits=2)
    rdsd = {"DBInstanceIdentifier": "mobile-db"}
    db_cpu = [10 + 25 * ((allowed[i] or 0) / peak) + rng.gauss(0, 1.2) for i in range(n)]
    m.emit("AWS/RDS", "CPUUtilization", rdsd, "Percent", db_cpu, digits=2)

    al = k.Alarms(rng, clock, account, region)
    al.add(
        k.AlarmSpec(
            "mobile-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            25.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
            ok_actions=[topic],
        ),
        t5,
        sparse=True,
    )
    al.add(
        k.AlarmSpec(
            "mobile-api-latency-high",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "Average",
            60,
            5,
            0.5,
            "GreaterThanThreshold",
            actions=[topic],
            ok_actions=[topic],
        ),
        lat,
    )
    al.add(
        k.AlarmSpec(
            "mobile-api-unhealthy-targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        [0.0] * n,
    )
    al.add(
        k.AlarmSpec(
            "mobile-api-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            ecsd,
            "Average",
            300,
            2,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        cpu,
    )
    al.add(
        k.AlarmSpec(
            "mobile-db-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            rdsd,
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        db_cpu,
    )

    # --- WAF configuration ----------------------------------------------------------------------------
    base_rules: list[k.Json] = [
        {
            "Name": "AWS-AWSManagedRulesCommonRuleSet",
            "Priority": 0,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesCommonRuleSet",
                    "RuleActionOverrides": [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}],
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesCommonRuleSet"),
        },
        {
            "Name": "AWS-AWSManagedRulesKnownBadInputsRuleSet",
            "Priority": 1,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesKnownBadInputsRuleSet"),
        },
        {
            "Name": "AWS-AWSManagedRulesAmazonIpReputationList",
            "Priority": 2,
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesAmazonIpReputationList",
                }
            },
            "OverrideAction": {"None": {}},
            "VisibilityConfig": _vis("AWS-AWSManagedRulesAmazonIpReputationList"),
        },
    ]
    new_rule: k.Json = {
        "Name": "rate-limit-api",
        "Priority": 3,
        "Statement": {
            "RateBasedStatement": {
                "Limit": limit,
                "EvaluationWindowSec": 300,
                "AggregateKeyType": "IP",
                "ScopeDownStatement": {
                    "ByteMatchStatement": {
                        "SearchString": "L2FwaS8=",
                        "FieldToMatch": {"UriPath": {}},
                        "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                        "PositionalConstraint": "STARTS_WITH",
                    }
                },
            }
        },
        "Action": {"Block": {}},
        "VisibilityConfig": _vis("rate-limit-api"),
    }
    acl_item: k.Json = {
        "Name": acl_name,
        "Id": acl_id,
        "ARN": acl_arn,
        "DefaultAction": {"Allow": {}},
        "Description": "mobile-api ALB protection",
        "Rules": [*base_rules, new_rule],
        "VisibilityConfig": _vis(acl_name),
        "Capacity": 700 + 2 + 25 + 2,
        "ManagedByFirewallManager": False,
        "LabelNamespace": f"awswaf:{account}:webacl:{acl_name}:",
    }

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    office_ip = (
        f"{rng.choice([81, 87, 93, 212])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    )
    eng = tr.sso(engineer_email, "SecurityEngineer", office_ip)
    ppl = [
        tr.sso(f"{o}@{domain}", rng.choice(["DeveloperAccess", "ReadOnly"]), office_ip) for o in others[:3]
    ]
    ci = tr.role(
        "github-oidc-mobile-deploy",
        f"GitHubActions-{rng.randint(7000000000, 9999999999)}",
        f"{rng.randint(20, 140)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
    )
    mon = tr.role(
        "grafana-cloudwatch", "grafana", "35.157.44.12", "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
    )
    sec = tr.service_role(
        "AWSServiceRoleForSecurityHub",
        "securityhub",
        "securityhub.amazonaws.com",
        path="/aws-service-role/securityhub.amazonaws.com/",
    )
    k.routine_reads(tr, rng, start, now, [*ppl, mon], 28)
    for t in k.spread(rng, start, now, 6):
        tr.add(
            t,
            sec,
            "wafv2.amazonaws.com",
            "GetWebACL",
            {"name": acl_name, "scope": "REGIONAL", "id": acl_id},
            None,
            read_only=True,
        )
    for t in k.spread(rng, start, now, 8):
        tr.add(
            t,
            mon,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": k.iso(t - timedelta(hours=1)), "endTime": k.iso(t), "maxDatapoints": 1000},
            None,
            read_only=True,
        )
    # the engineer: look at the ACL, then add the rule from the console
    look = change_at - timedelta(minutes=rng.randint(8, 18))
    tr.add(
        look,
        eng,
        "wafv2.amazonaws.com",
        "ListWebACLs",
        {"scope": "REGIONAL", "limit": 100},
        None,
        read_only=True,
    )
    tr.add(
        look + timedelta(seconds=6),
        eng,
        "wafv2.amazonaws.com",
        "GetWebACL",
        {"name": acl_name, "scope": "REGIONAL", "id": acl_id},
        None,
        read_only=True,
    )
    tr.add(
        look + timedelta(seconds=9),
        eng,
        "wafv2.amazonaws.com",
        "ListResourcesForWebACL",
        {"webACLArn": acl_arn, "resourceType": "APPLICATION_LOAD_BALANCER"},
        None,
        read_only=True,
    )
    tr.add(
        change_at - timedelta(seconds=rng.randint(40, 90)),
        eng,
        "wafv2.amazonaws.com",
        "CheckCapacity",
        {"scope": "REGIONAL", "rules": _camel([new_rule])},
        {"capacity": 2},
        read_only=True,
    )
    params = {
        "name": acl_name,
        "scope": "REGIONAL",
        "id": acl_id,
        "defaultAction": {"allow": {}},
        "description": "mobile-api ALB protection",
        "rules": _camel([*base_rules, new_rule]),
        "visibilityConfig": _camel(_vis(acl_name)),
        "lockToken": k.uuid(rng),
    }
    params["rules"][3]["statement"]["rateBasedStatement"]["scopeDownStatement"]["byteMatchStatement"][
        "searchString"
    ] = "/api/"
    culprit = tr.add(
        change_at,
        eng,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        params,
        {"nextLockToken": k.uuid(rng)},
        resources=[{"accountId": account, "type": "AWS::WAFv2::WebACL", "ARN": acl_arn}],
    )
    tr.add(
        change_at + timedelta(seconds=4),
        eng,
        "wafv2.amazonaws.com",
        "GetWebACL",
        {"name": acl_name, "scope": "REGIONAL", "id": acl_id},
        None,
        read_only=True,
    )
    # innocent: a mobile-api deploy shortly before, a parameter change after
    dep = change_at - timedelta(minutes=rng.randint(12, 25), seconds=rng.randint(0, 59))
    td_rev = rng.randint(200, 400)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    tr.add(
        dep,
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": svc,
            "taskRoleArn": f"arn:aws:iam::{account}:role/mobile-api-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{svc}:{k.hexs(rng, 7)}",
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": svc,
                "revision": td_rev,
                "status": "ACTIVE",
            }
        },
    )
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    tr.add(
        dep + timedelta(seconds=12),
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": svc, "taskDefinition": td_arn, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "taskDefinition": td_arn,
                "desiredCount": 4,
                "status": "ACTIVE",
            }
        },
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(3, 15)),
        ppl[0],
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/mobile-api/prod/feature/promo-banner", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 30), "tier": "Standard"},
    )
    for t in k.spread(rng, start, now, 5):
        k.assume_role_by_service(
            tr, t, "ecs-tasks.amazonaws.com", f"arn:aws:iam::{account}:role/mobile-api-task", k.hexs(rng, 32)
        )

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    group = f"/ecs/{svc}"
    old_tasks = [k.hexs(rng, 32) for _ in range(4)]
    new_tasks = [k.hexs(rng, 32) for _ in range(4)]
    swap = dep + timedelta(minutes=3)
    paths = [
        ("GET", "/api/v3/sessions/active"),
        ("GET", "/api/v3/zones/nearby"),
        ("POST", "/api/v3/sessions"),
        ("GET", "/api/v3/account"),
        ("POST", "/api/v3/auth/refresh"),
        ("GET", "/api/v3/vehicles"),
    ]
    for i in range(n):
        t0 = clock.at(i)
        per = max(1, int((allowed[i] or 0) / 900))
        for _ in range(per):
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            tasks = new_tasks if t >= swap else old_tasks
            meth, path = rng.choice(paths)
            status = 200 if meth == "GET" else 201 if path == "/api/v3/sessions" else 200
            if rng.random() < 0.02:
                status = 401
            android = rng.random() < 0.62
            ua = (
                f"{brand}/5.{rng.randint(10, 14)}.{rng.randint(0, 3)} (Android {rng.choice([12, 13, 14])}; okhttp/4.12.0)"
                if android
                else f"{brand}/5.{rng.randint(10, 14)}.{rng.randint(0, 3)} (iPhone; iOS 17.{rng.randint(0, 5)}; CFNetwork)"
            )
            line = {
                "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
                "level": "INFO",
                "msg": "request",
                "method": meth,
                "path": path,
                "status": status,
                "dur_ms": round(max(2.0, rng.gauss(38, 14)), 1),
                "ua": ua,
                "req_id": k.hexs(rng, 16),
            }
            logs.add(group, f"ecs/{svc}/{rng.choice(tasks)}", t, json.dumps(line, separators=(",", ":")))
        if rng.random() < 0.01:
            t = t0 + timedelta(seconds=rng.randint(0, 59))
            tasks = new_tasks if t >= swap else old_tasks
            logs.add(
                group,
                f"ecs/{svc}/{rng.choice(tasks)}",
                t,
                json.dumps(
                    {
                        "time": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "level": "WARN",
                        "msg": "payment provider slow",
                        "provider": "adyen",
                        "dur_ms": rng.randint(1800, 3500),
                    },
                    separators=(",", ":"),
                ),
            )
    for j, tsk in enumerate(new_tasks):
        t = dep + timedelta(seconds=70 + j * 9)
        logs.add(
            group,
            f"ecs/{svc}/{tsk}",
            t,
            json.dumps(
                {
                    "time": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "level": "INFO",
                    "msg": "server listening",
                    "addr": ":8080",
                    "version": td_rev,
                },
                separators=(",", ":"),
            ),
        )

    # --- resources ------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 700))
    res: list[k.Json] = [{"service": "wafv2", "type": "WebACL", "item": acl_item}]
    res.extend(k.alb_items(lb, net, created, "ip", 8080, "/healthz"))
    res.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": lb.arn.replace(":loadbalancer/", ":listener/") + "/" + k.hexs(rng, 16),
                "LoadBalancerArn": lb.arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [
                    {"CertificateArn": f"arn:aws:acm:{region}:{account}:certificate/{k.uuid(rng)}"}
                ],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": lb.tg_arn}],
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 6,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": lb.tg_arn, "containerName": svc, "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep_id,
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": 4,
                        "pendingCount": 0,
                        "runningCount": 4,
                        "failedTasks": 0,
                        "createdAt": k.iso(dep + timedelta(seconds=12)),
                        "updatedAt": k.iso(dep + timedelta(minutes=7)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                    }
                ],
                "createdAt": k.iso(created),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _ in net.subnets],
                        "securityGroups": [net.sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
            },
        }
    )
    res.append(k.role_item(rng, account, "mobile-api-task", "ecs-tasks.amazonaws.com", created, now, region))
    res.append(k.log_group_item(account, region, group, created, 30, rng.randint(10**9, 9 * 10**9)))
    res.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": "mobile-db",
                "DBInstanceClass": "db.r6g.large",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "Endpoint": {
                    "Address": f"mobile-db.c{k.hexs(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                },
                "MultiAZ": True,
                "EngineVersion": "16.2",
                "InstanceCreateTime": k.iso(created),
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:mobile-db",
                "StorageType": "gp3",
                "AllocatedStorage": 100,
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": net.sg_alb,
                "GroupName": "mobile-api-prod-alb",
                "Description": "mobile-api ALB",
                "OwnerId": account,
                "VpcId": net.vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            },
        }
    )

    events: list[k.Json] = []
    ips = [f"10.72.{16 * (j % 3) + rng.randint(0, 3)}.{rng.randint(10, 250)}" for j in range(8)]
    for j, ip in enumerate(ips):
        az = net.subnets[j % 3][1]
        tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": az}
        if j < 4:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": lb.tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": k.iso(start - timedelta(days=2)),
                    },
                }
            )
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": lb.tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": k.iso(swap + timedelta(seconds=j * 10)),
                    },
                }
            )
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": lb.tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                        "timestamp": k.iso(swap + timedelta(seconds=300 + j * 10)),
                    },
                }
            )
        else:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": lb.tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "initial",
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        },
                        "timestamp": k.iso(dep + timedelta(seconds=80 + j * 8)),
                    },
                }
            )
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": lb.tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": k.iso(swap + timedelta(seconds=(j - 4) * 10 - 5)),
                    },
                }
            )
    for msg, t in [
        (
            f"(service {svc}) has started 4 tasks: (task {') (task '.join(new_tasks)}).",
            dep + timedelta(seconds=30),
        ),
        (f"(service {svc}) registered 4 targets in (target-group {lb.tg_arn})", swap - timedelta(seconds=20)),
        (f"(service {svc}) has begun draining connections on 4 tasks.", swap + timedelta(seconds=5)),
        (
            f"(service {svc}) deregistered 4 targets in (target-group {lb.tg_arn})",
            swap + timedelta(seconds=10),
        ),
        (
            f"(service {svc}) has stopped 4 running tasks: (task {') (task '.join(old_tasks)}).",
            swap + timedelta(seconds=305),
        ),
        (f"(service {svc}) deployment {dep_id} deployment completed.", dep + timedelta(minutes=7)),
        (f"(service {svc}) has reached a steady state.", dep + timedelta(minutes=7, seconds=2)),
    ]:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": k.uuid(rng), "createdAt": k.iso(t), "message": msg},
                },
            }
        )

    ask = (onset + timedelta(minutes=rng.randint(1, 4))).astimezone(tz)
    hh = ask.hour % 12 or 12
    ampm = "am" if ask.hour < 12 else "pm"
    ctime = (
        f"{hh}:{(ask.minute // 5) * 5:02d}{ampm}"
        if tzname.startswith("America")
        else f"{ask.hour}:{(ask.minute // 5) * 5:02d}"
    )
    question = rng.choice(
        [
            f"Support is swamped with app users saying they can't start a parking session or the app keeps saying 'something went wrong' since around {ctime}. Our 5xx graphs are flat and the mobile-api tasks look healthy. What's going on?",
            f"Lots of customer complaints since ~{ctime}: the {brand} app fails to load zones / start sessions for many people, but not everyone. No errors in mobile-api logs that I can see. Can you dig in?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tzname},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": acl_name,
                    "category": "change",
                    "failure_mode": "waf-rule-blocks-legitimate-traffic",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [acl_arn, acl_id, "rate-limit-api"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"{engineer_email} added rule rate-limit-api ({limit} requests per 5 minutes per IP on /api/, Block) to web ACL {acl_name}",
                    "Phones behind carrier NAT share source IPs, so their addresses exceed the limit and WAF blocks them",
                    f"{lb.name} answers those requests with 403 (HTTPCode_ELB_4XX_Count, WAF BlockedRequests for rate-limit-api)",
                    f"{svc} receives fewer requests and logs no errors; app users cannot start parking sessions",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": al.alarms,
            "alarm_history": al.history,
            "logs": logs.sorted(),
            "cloudtrail": tr.sorted(),
            "resources": res,
            "events": events,
        },
    )
