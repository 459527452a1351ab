"""Storefront CloudFront returns 502 for uncached pages after the origin ALB's HTTPS listener was given
another host's certificate (meant for the API load balancer); CloudFront rejects the origin's TLS name."""

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

NAME = "storefront-cloudfront-502-origin-listener-cert"
TITLE = "Storefront showing CloudFront 502 error page for most pages since mid-morning"
SUMMARY = (
    "A certificate meant for the API load balancer was put on the web origin ALB's HTTPS listener; "
    "CloudFront fails origin TLS name validation and returns 502 for every cache miss."
)

ELB = "elasticloadbalancing.amazonaws.com"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    rng = k.rng
    brand = rng.choice(["larkspur", "fernwood", "bluecedar", "marlowe"])
    domain = f"{brand}-goods.com"
    day = k.day()
    onset = day.replace(hour=rng.randint(14, 17), minute=rng.randint(0, 50), second=rng.randint(5, 55))
    start = (onset - timedelta(hours=3, minutes=40)).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(36, 52))
    t_alarm = onset.replace(second=0) + timedelta(minutes=4)

    vpc = "vpc-0" + k.hex(16)
    subnets = [(f"us-east-1{z}", "subnet-0" + k.hex(16)) for z in ("a", "b", "c")]
    web_lb = load_balancer(
        k, f"{brand}-web-prod", vpc, subnets, "sg-0" + k.hex(16), day - timedelta(days=610)
    )
    api_lb = load_balancer(
        k, f"{brand}-api-prod", vpc, subnets, "sg-0" + k.hex(16), day - timedelta(days=540)
    )
    web_tg = target_group(k, "web-prod-http", web_lb, 8000, "/healthz")
    api_tg = target_group(k, "api-prod-http", api_lb, 8080, "/health")

    wildcard = acm_cert(
        k, f"*.{domain}", [f"*.{domain}", domain], day - timedelta(days=rng.randint(90, 200)), []
    )
    cert_requested = onset - timedelta(hours=2, minutes=rng.randint(30, 50))
    api_cert = acm_cert(k, f"api.{domain}", [f"api.{domain}"], cert_requested, [])
    cf_cert = acm_cert(k, f"www.{domain}", [f"www.{domain}", domain], day - timedelta(days=150), [])

    listener_web = k.arn(
        "elasticloadbalancing",
        f"listener/app/{web_lb['LoadBalancerName']}/{lb_dim(web_lb).split('/')[-1]}/{k.hex(16)}",
    )
    listener_api = k.arn(
        "elasticloadbalancing",
        f"listener/app/{api_lb['LoadBalancerName']}/{lb_dim(api_lb).split('/')[-1]}/{k.hex(16)}",
    )
    ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener_web,
            "LoadBalancerArn": web_lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": api_cert["CertificateArn"]}],
            "SslPolicy": ssl_policy,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": web_tg["TargetGroupArn"], "Order": 1}],
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener_api,
            "LoadBalancerArn": api_lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": wildcard["CertificateArn"]}],
            "SslPolicy": ssl_policy,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": api_tg["TargetGroupArn"], "Order": 1}],
        },
    )
    for lb in (web_lb, api_lb):
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": k.arn(
                    "elasticloadbalancing",
                    f"listener/app/{lb['LoadBalancerName']}/{lb_dim(lb).split('/')[-1]}/{k.hex(16)}",
                ),
                "LoadBalancerArn": lb["LoadBalancerArn"],
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [
                    {
                        "Type": "redirect",
                        "Order": 1,
                        "RedirectConfig": {
                            "Protocol": "HTTPS",
                            "Port": "443",
                            "Host": "#{host}",
                            "Path": "/#{path}",
                            "Query": "#{query}",
                            "StatusCode": "HTTP_301",
                        },
                    }
                ],
            },
        )
    # ACM's InUseBy as it stands at `now`
    wildcard["InUseBy"] = [api_lb["LoadBalancerArn"]]
    wildcard["RenewalEligibility"] = "ELIGIBLE"
    api_cert["InUseBy"] = [web_lb["LoadBalancerArn"]]
    api_cert["RenewalEligibility"] = "ELIGIBLE"

    waf_id = k.uuid()
    waf_arn = f"arn:aws:wafv2:us-east-1:{k.account}:global/webacl/{brand}-edge/{waf_id}"
    dist = distribution(
        k,
        [f"www.{domain}", domain],
        f"{brand}-web-alb",
        f"origin.{domain}",
        cf_cert["CertificateArn"],
        waf_arn,
        day - timedelta(days=rng.randint(20, 60)),
        f"{brand} storefront",
    )
    cf_cert["InUseBy"] = [dist["ARN"]]
    cf_cert["RenewalEligibility"] = "ELIGIBLE"
    did = dist["Id"]

    zone = hosted_zone(k, domain, 23)
    alias_record(k, zone, f"www.{domain}", dist["DomainName"], "Z2FDTNDATAQYW2")
    alias_record(k, zone, domain, dist["DomainName"], "Z2FDTNDATAQYW2")
    alias_record(
        k, zone, f"origin.{domain}", "dualstack." + web_lb["DNSName"], web_lb["CanonicalHostedZoneId"]
    )
    alias_record(k, zone, f"api.{domain}", "dualstack." + api_lb["DNSName"], api_lb["CanonicalHostedZoneId"])
    hc_id = k.uuid()
    k.res(
        "route53",
        "HealthCheck",
        {
            "Id": hc_id,
            "CallerReference": f"terraform-{k.hex(20)}",
            "HealthCheckConfig": {
                "Port": 443,
                "Type": "HTTPS",
                "ResourcePath": "/healthz",
                "FullyQualifiedDomainName": f"origin.{domain}",
                "RequestInterval": 30,
                "FailureThreshold": 3,
                "MeasureLatency": False,
                "Inverted": False,
                "Disabled": False,
                "EnableSNI": True,
            },
            "HealthCheckVersion": 1,
        },
    )

    cluster_arn = k.arn("ecs", f"cluster/{brand}-prod")
    td_old = rng.randint(180, 420)
    svc_arn = k.arn("ecs", f"service/{brand}-prod/web")
    deploy_t = onset - timedelta(minutes=rng.randint(38, 55))
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "web",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": web_tg["TargetGroupArn"], "containerName": "web", "containerPort": 8000}
            ],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": k.arn("ecs", f"task-definition/{brand}-web:{td_old + 1}"),
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": k.arn("ecs", f"task-definition/{brand}-web:{td_old + 1}"),
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_t),
                    "updatedAt": iso(deploy_t + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(day - timedelta(days=600)),
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
        },
    )

    # --- target health: the deploy replaces the three tasks ---------------------------------------
    old_ips = [
        f"10.{rng.randint(20, 29)}.{i * 16 + rng.randint(0, 15)}.{rng.randint(10, 250)}" for i in range(3)
    ]
    new_ips = [
        f"10.{rng.randint(20, 29)}.{i * 16 + rng.randint(0, 15)}.{rng.randint(10, 250)}" for i in range(3)
    ]
    azs = ["us-east-1a", "us-east-1b", "us-east-1c"]
    for i, ip in enumerate(old_ips):
        tgt = {"Id": ip, "Port": 8000, "AvailabilityZone": azs[i]}
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": web_tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": web_tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": iso(deploy_t + timedelta(minutes=3)),
                },
            }
        )
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": web_tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(deploy_t + timedelta(minutes=8)),
                },
            }
        )
    for i, ip in enumerate(new_ips):
        tgt = {"Id": ip, "Port": 8000, "AvailabilityZone": azs[i]}
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": web_tg["TargetGroupArn"],
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
                    "target_group_arn": web_tg["TargetGroupArn"],
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(deploy_t + timedelta(minutes=3)),
                },
            }
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    eng_name = rng.choice(["dpatel", "jmorrison", "snakamura", "rvega"])
    eng = k.role_identity("AWSReservedSSO_PlatformAdmin_" + k.hex(16), eng_name, console=False)
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    sec = k.role_identity("waf-ipset-sync-lambda-role", "waf-ipset-sync")
    cli = "aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#acm.request-certificate"
    k.ct(
        cert_requested,
        "acm.amazonaws.com",
        "RequestCertificate",
        eng,
        {
            "domainName": f"api.{domain}",
            "validationMethod": "DNS",
            "idempotencyToken": "apicert",
            "options": {"certificateTransparencyLoggingPreference": "ENABLED"},
            "keyAlgorithm": "RSA_2048",
        },
        {"certificateArn": api_cert["CertificateArn"]},
        agent=cli,
        ip="98.42.117.203",
    )
    k.ct(
        cert_requested + timedelta(seconds=40),
        "acm.amazonaws.com",
        "DescribeCertificate",
        eng,
        {"certificateArn": api_cert["CertificateArn"]},
        None,
        read_only=True,
        agent=cli.replace("acm.request-certificate", "acm.describe-certificate"),
        ip="98.42.117.203",
    )
    change_id = "C0" + k.upper(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    k.ct(
        cert_requested + timedelta(minutes=2),
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        eng,
        {
            "hostedZoneId": zone,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": api_cert["DomainValidationOptions"][0]["ResourceRecord"]["Name"],
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [
                                {"value": api_cert["DomainValidationOptions"][0]["ResourceRecord"]["Value"]}
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
                "submittedAt": iso_ms(cert_requested + timedelta(minutes=2)),
            }
        },
        agent=cli.replace("acm.request-certificate", "route53.change-resource-record-sets"),
        ip="98.42.117.203",
    )
    td_arn_new = k.arn("ecs", f"task-definition/{brand}-web:{td_old + 1}")
    gh_agent = "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.4 cfg/retry-mode#legacy Botocore/1.34.144"
    k.ct(
        deploy_t - timedelta(seconds=20),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": f"{brand}-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn_new,
                "family": f"{brand}-web",
                "revision": td_old + 1,
                "status": "ACTIVE",
            }
        },
        agent=gh_agent,
        ip="20.42.7.198",
    )
    k.ct(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": f"{brand}-prod",
            "service": "web",
            "taskDefinition": td_arn_new,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "web",
                "taskDefinition": td_arn_new,
                "desiredCount": 3,
            }
        },
        agent=gh_agent,
        ip="20.42.7.198",
    )
    inv_t = deploy_t + timedelta(minutes=7)
    inv_id = "I" + k.upper(25, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    k.ct(
        inv_t,
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        ci,
        {
            "distributionId": did,
            "invalidationBatch": {
                "paths": {"quantity": 1, "items": ["/*"]},
                "callerReference": f"gh-{rng.randint(10**9, 10**10)}",
            },
        },
        {
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{did}/invalidation/{inv_id}",
            "invalidation": {
                "id": inv_id,
                "status": "InProgress",
                "createTime": iso_ms(inv_t),
                "invalidationBatch": {"paths": {"quantity": 1, "items": ["/*"]}, "callerReference": "gh"},
            },
        },
        agent=gh_agent,
        ip="20.42.7.198",
    )
    ipset_id = k.uuid()
    for n in range(4):
        t = start + timedelta(minutes=20 + 60 * n)
        if t > onset - timedelta(minutes=5) and n < 3:
            t = onset - timedelta(minutes=9)
        k.ct(
            t,
            "wafv2.amazonaws.com",
            "UpdateIPSet",
            sec,
            {
                "name": "threat-intel-blocklist",
                "scope": "CLOUDFRONT",
                "id": ipset_id,
                "addresses": [
                    f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"
                    for _ in range(3)
                ],
                "lockToken": k.uuid(),
            },
            {"nextLockToken": k.uuid()},
            agent="AWS_Lambda_python3.12 Boto3/1.34.145",
            ip="54.160.31.7",
        )
    # the change: the API certificate attached to the web listener instead of the API listener
    k.ct(
        onset - timedelta(seconds=95),
        "elasticloadbalancing.amazonaws.com",
        "DescribeListeners",
        eng,
        {"loadBalancerArn": web_lb["LoadBalancerArn"]},
        None,
        read_only=True,
        agent=cli.replace("acm.request-certificate", "elbv2.describe-listeners"),
        ip="98.42.117.203",
    )
    culprit = k.ct(
        onset - timedelta(seconds=8),
        ELB,
        "ModifyListener",
        eng,
        {"listenerArn": listener_web, "certificates": [{"certificateArn": api_cert["CertificateArn"]}]},
        {
            "listeners": [
                {
                    "listenerArn": listener_web,
                    "loadBalancerArn": web_lb["LoadBalancerArn"],
                    "port": 443,
                    "protocol": "HTTPS",
                    "certificates": [{"certificateArn": api_cert["CertificateArn"]}],
                    "sslPolicy": ssl_policy,
                    "defaultActions": [
                        {
                            "type": "forward",
                            "targetGroupArn": web_tg["TargetGroupArn"],
                            "order": 1,
                            "forwardConfig": {
                                "targetGroups": [{"targetGroupArn": web_tg["TargetGroupArn"], "weight": 1}],
                                "targetGroupStickinessConfig": {"enabled": False},
                            },
                        }
                    ],
                }
            ]
        },
        agent=cli.replace("acm.request-certificate", "elbv2.modify-listener"),
        ip="98.42.117.203",
    )
    k.ct(
        onset + timedelta(seconds=50),
        ELB,
        "DescribeListenerCertificates",
        eng,
        {"listenerArn": listener_web},
        None,
        read_only=True,
        agent=cli.replace("acm.request-certificate", "elbv2.describe-listener-certificates"),
        ip="98.42.117.203",
    )
    # other routine writes
    k.ct(
        start + timedelta(minutes=rng.randint(5, 40)),
        "ssm.amazonaws.com",
        "PutParameter",
        ci,
        {"name": f"/{brand}/prod/web/FEATURE_FLAGS_REFRESH", "type": "String", "overwrite": True},
        {"version": rng.randint(10, 90), "tier": "Standard"},
        agent=gh_agent,
        ip="20.42.7.198",
    )
    k.ct(
        onset - timedelta(minutes=rng.randint(15, 25)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        eng,
        {"logGroupName": f"/ecs/{brand}-api", "retentionInDays": 30},
        None,
        agent=cli.replace("acm.request-certificate", "logs.put-retention-policy"),
        ip="98.42.117.203",
    )
    reads = [
        (ELB, "DescribeLoadBalancers", None),
        (ELB, "DescribeTargetGroups", None),
        (ELB, "DescribeTargetHealth", {"targetGroupArn": web_tg["TargetGroupArn"]}),
        (ELB, "DescribeTargetHealth", {"targetGroupArn": api_tg["TargetGroupArn"]}),
        ("cloudfront.amazonaws.com", "ListDistributions", None),
        ("cloudfront.amazonaws.com", "GetDistribution", {"id": did}),
        ("acm.amazonaws.com", "ListCertificates", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": f"{brand}-prod", "services": ["web"]}),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("route53.amazonaws.com", "ListHealthChecks", None),
        ("wafv2.amazonaws.com", "GetWebACL", {"name": f"{brand}-edge", "scope": "CLOUDFRONT", "id": waf_id}),
    ]
    k.readonly_noise(start, now, reads, 44)

    # --- metrics ------------------------------------------------------------------------------------
    times = minutes(start, now + timedelta(minutes=1))
    cf = {"DistributionId": did, "Region": "Global"}
    web_dim = {"LoadBalancer": lb_dim(web_lb)}
    api_dim = {"LoadBalancer": lb_dim(api_lb)}
    base_req = rng.randint(2600, 4200)
    miss = rng.uniform(0.36, 0.48)
    cut = onset.replace(second=0) + timedelta(minutes=1)

    def broken(t: datetime) -> bool:
        return t >= cut

    def cf_req(t: datetime) -> float:
        ramp = 1 + 0.12 * ((t - start).total_seconds() / 14400)
        return max(0.0, base_req * ramp + k.noise(base_req * 0.04))

    reqs = {t: cf_req(t) for t in times}
    k.series("AWS/CloudFront", "Requests", cf, "None", times, lambda t: round(reqs[t]), 0)
    k.series(
        "AWS/CloudFront",
        "BytesDownloaded",
        cf,
        "None",
        times,
        lambda t: reqs[t] * rng.uniform(52000, 61000) * (0.7 if broken(t) else 1),
        0,
    )
    k.series(
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        "Percent",
        times,
        lambda t: miss * 100 * rng.uniform(0.93, 0.99) if broken(t) else abs(k.noise(0.05)),
    )
    k.series("AWS/CloudFront", "4xxErrorRate", cf, "Percent", times, lambda t: 1.4 + abs(k.noise(0.35)))
    k.series(
        "AWS/CloudFront",
        "TotalErrorRate",
        cf,
        "Percent",
        times,
        lambda t: (miss * 100 * 0.96 if broken(t) else 0.05) + 1.4 + abs(k.noise(0.3)),
    )

    def alb_req(t: datetime) -> float:
        if broken(t):
            return rng.randint(3, 14)  # scanners and bots hitting the origin directly
        return reqs[t] * miss + k.noise(20)

    web_req = {t: alb_req(t) for t in times}
    k.series("AWS/ApplicationELB", "RequestCount", web_dim, "Count", times, lambda t: round(web_req[t]), 0)
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        web_dim,
        "Count",
        times,
        lambda t: round(web_req[t] * 0.965),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        web_dim,
        "Count",
        times,
        lambda t: round(web_req[t] * 0.03) or None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        web_dim,
        "Count",
        times,
        lambda t: rng.choice([1, 1, 2]) if rng.random() < 0.08 and not broken(t) else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        web_dim,
        "Seconds",
        times,
        lambda t: 0.085 + abs(k.noise(0.015)),
        4,
    )
    k.series(
        "AWS/ApplicationELB",
        "ClientTLSNegotiationErrorCount",
        web_dim,
        "Count",
        times,
        lambda t: (
            round(reqs[t] * miss * rng.uniform(0.97, 1.02))
            if broken(t)
            else (rng.randint(1, 3) if rng.random() < 0.2 else None)
        ),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {**web_dim, "TargetGroup": tg_dim(web_tg)},
        "Count",
        times,
        lambda t: 3.0,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {**web_dim, "TargetGroup": tg_dim(web_tg)},
        "Count",
        times,
        lambda t: 0.0,
        0,
    )
    api_base = rng.randint(900, 1500)
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        api_dim,
        "Count",
        times,
        lambda t: round(api_base + k.noise(50)),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        api_dim,
        "Count",
        times,
        lambda t: rng.randint(1, 4) if rng.random() < 0.15 else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        api_dim,
        "Seconds",
        times,
        lambda t: 0.041 + abs(k.noise(0.01)),
        4,
    )
    k.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {**api_dim, "TargetGroup": tg_dim(api_tg)},
        "Count",
        times,
        lambda t: 4.0,
        0,
    )
    k.series("AWS/Route53", "HealthCheckStatus", {"HealthCheckId": hc_id}, "None", times, lambda t: 1.0, 0)
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": f"{brand}-prod", "ServiceName": "web"},
        "Percent",
        times,
        lambda t: (4 + abs(k.noise(1))) if broken(t) else (31 + k.noise(4)),
    )
    k.series(
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": f"{brand}-prod", "ServiceName": "web"},
        "Percent",
        times,
        lambda t: 44 + k.noise(2),
    )
    k.series(
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": f"{brand}-edge", "Rule": "threat-intel-blocklist", "Region": "Global"},
        "Count",
        times,
        lambda t: rng.randint(1, 9) if rng.random() < 0.5 else None,
        0,
    )
    k.series(
        "AWS/WAFV2",
        "AllowedRequests",
        {"WebACL": f"{brand}-edge", "Rule": "ALL", "Region": "Global"},
        "Count",
        times,
        lambda t: round(reqs[t] * 0.995),
        0,
    )
    # a worker queue whose age alarm flaps every afternoon
    q_dims = {"QueueName": f"{brand}-order-emails"}
    k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q_dims,
        "Seconds",
        minutes(start, now, 5),
        lambda t: max(0.0, 200 + 260 * ((t.minute // 5) % 4 == 0) + k.noise(60)),
        0,
    )

    # --- alarms -------------------------------------------------------------------------------------
    topic = k.arn("sns", f"{brand}-oncall-pagerduty")
    slack = k.arn("sns", f"{brand}-alerts-slack")
    reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{miss * 100 * 0.96:.4f} ({(t_alarm - timedelta(minutes=1)):%d/%m/%y %H:%M:%S}), {miss * 100 * 0.95:.4f} ({(t_alarm - timedelta(minutes=2)):%d/%m/%y %H:%M:%S}), {miss * 100 * 0.97:.4f} ({(t_alarm - timedelta(minutes=3)):%d/%m/%y %H:%M:%S})] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition)."
    ok_reason = "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (5.0) (minimum 3 datapoints for ALARM -> OK transition)."
    cf_alarm = k.alarm(
        f"{brand}-www-cloudfront-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        cf,
        stat="Average",
        period=60,
        evals=3,
        threshold=5.0,
        op="GreaterThanThreshold",
        state="ALARM",
        state_time=t_alarm,
        reason=reason,
        topic=topic,
        description=f"www.{domain} CloudFront 5xx error rate above 5% for 3 minutes. Runbook: https://wiki.{domain}/runbooks/cdn",
    )
    prev_ok = day - timedelta(days=rng.randint(6, 20), hours=3)
    k.transition(cf_alarm["AlarmName"], t_alarm, "OK", "ALARM", reason)
    k.alarm(
        f"{brand}-web-alb-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        web_dim,
        stat="Sum",
        period=60,
        evals=5,
        datapoints=3,
        threshold=25,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=3),
        reason=ok_reason.replace("5.0", "25.0"),
        topic=topic,
        missing="notBreaching",
    )
    k.alarm(
        f"{brand}-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {**web_dim, "TargetGroup": tg_dim(web_tg)},
        stat="Maximum",
        period=60,
        evals=3,
        threshold=0,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=9),
        reason=ok_reason.replace("5.0", "0.0"),
        topic=topic,
    )
    k.alarm(
        f"{brand}-origin-health-check",
        "AWS/Route53",
        "HealthCheckStatus",
        {"HealthCheckId": hc_id},
        stat="Minimum",
        period=60,
        evals=2,
        threshold=1,
        op="LessThanThreshold",
        state="OK",
        state_time=start - timedelta(days=30),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not less than the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        f"{brand}-api-alb-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        api_dim,
        stat="Sum",
        period=60,
        evals=5,
        datapoints=3,
        threshold=40,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=2),
        reason=ok_reason.replace("5.0", "40.0"),
        topic=topic,
        missing="notBreaching",
    )
    q_alarm = f"{brand}-order-emails-age"
    flap = [start + timedelta(minutes=m) for m in (35, 50, 95, 110, 155, 170)]
    last_state = "OK"
    for i, t in enumerate(flap):
        new = "ALARM" if i % 2 == 0 else "OK"
        k.transition(
            q_alarm,
            t,
            last_state,
            new,
            f"Threshold Crossed: 1 datapoint [{'412.0' if new == 'ALARM' else '188.0'} ({t:%d/%m/%y %H:%M:%S})] was {'greater' if new == 'ALARM' else 'not greater'} than the threshold (300.0).",
        )
        last_state = new
    k.alarm(
        q_alarm,
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q_dims,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=300,
        op="GreaterThanThreshold",
        state=last_state,
        state_time=flap[-1],
        reason=f"Threshold Crossed: 1 datapoint [188.0 ({flap[-1]:%d/%m/%y %H:%M:%S})] was not greater than the threshold (300.0).",
        topic=slack,
    )

    # --- logs ---------------------------------------------------------------------------------------
    group = f"/ecs/{brand}-web"
    paths = [
        "/",
        "/collections/new",
        "/products/linen-throw-oat",
        "/products/stoneware-mug-set",
        "/cart",
        "/search?q=candle",
        "/products/wool-blanket",
        "/account/orders",
    ]
    for task_n, ips in enumerate((old_ips, new_ips)):
        for _ip in ips:
            task_id = k.hex(32)
            stream = f"web/web/{task_id}"
            lo = start if task_n == 0 else deploy_t + timedelta(minutes=1)
            hi = deploy_t + timedelta(minutes=8) if task_n == 0 else now
            if task_n == 1:
                k.log(
                    group,
                    stream,
                    lo,
                    f"[{iso(lo).replace('T', ' ').replace('Z', ' +0000')}] [1] [INFO] Starting gunicorn 22.0.0",
                )
                k.log(
                    group,
                    stream,
                    lo,
                    f"[{iso(lo).replace('T', ' ').replace('Z', ' +0000')}] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)",
                )
                k.log(
                    group,
                    stream,
                    lo,
                    f"[{iso(lo).replace('T', ' ').replace('Z', ' +0000')}] [1] [INFO] Using worker: gthread",
                )
            for t in minutes(lo + timedelta(seconds=rng.randint(0, 59)), hi):
                stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
                alb_ip = f"10.{rng.randint(20, 29)}.{rng.choice([3, 19, 35])}.{rng.randint(10, 250)}"
                k.log(
                    group,
                    stream,
                    t,
                    f'{alb_ip} - - [{stamp}] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
                )
                if not broken(t) or rng.random() < 0.08:
                    p = rng.choice(paths)
                    ua = (
                        "Amazon CloudFront"
                        if not broken(t)
                        else rng.choice(["Mozilla/5.0 zgrab/0.x", "python-requests/2.31.0"])
                    )
                    code = 200 if not broken(t) else 404
                    k.log(
                        group,
                        stream,
                        t + timedelta(seconds=1),
                        f'{alb_ip} - - [{stamp}] "GET {p} HTTP/1.1" {code} {rng.randint(900, 48000)} "-" "{ua}"',
                    )

    # --- manifest -----------------------------------------------------------------------------------
    tz = "America/Chicago"
    local = onset.astimezone(ZoneInfo(tz))
    question = (
        f"www.{domain} is showing the CloudFront '502 ERROR - The request could not be satisfied' page on "
        f"product pages since about {local:%-I:%M} our time, home page still loads sometimes. We shipped a web "
        "release this morning - is the new build broken? ALB targets all say healthy."
    )
    event = k.alarm_event(cf_alarm, t_alarm, "OK", prev_ok, ok_reason)
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": k.account,
        "region": k.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": event, "timezone": tz},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": listener_web,
                "category": "change",
                "failure_mode": "origin-listener-certificate-name-mismatch",
                "event_id": culprit["eventID"],
            },
            "also_accept": [
                web_lb["LoadBalancerName"],
                web_lb["LoadBalancerArn"],
                api_cert["CertificateArn"],
                f"origin.{domain}",
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": [listener_web, web_lb["LoadBalancerName"], f"origin.{domain}", did, f"www.{domain}"],
        },
    }
    return k.bundle(manifest, now)
