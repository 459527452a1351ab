"""Homewares storefront: every page except the API answers 503 from the load balancer itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_r as kr

NAME = "larkspur-storefront-503s"
TITLE = "Storefront pages answering 503 while the API keeps working"
SUMMARY = (
    "An engineer testing a maintenance page set the prod HTTPS listener's default action to a fixed 503 "
    "(ModifyListener) and left it; all non-/api traffic gets 503 from the ALB, targets healthy and idle."
)

Json = dict[str, Any]


def build(seed: int) -> Bundle:
    k = kr.Kit(NAME, seed)
    r = k.rng
    tz_off = {"us-east-1": -5, "us-east-2": -5, "us-west-2": -8, "eu-west-1": 0, "eu-central-1": 1}[k.region]
    day = k.start_date()
    onset = day + timedelta(hours=(14 - tz_off) % 24, minutes=r.randint(0, 150), seconds=r.randint(3, 57))
    start = kr.floor_min(onset - timedelta(hours=5, minutes=r.randint(0, 40)))
    now = kr.floor_min(onset + timedelta(minutes=r.randint(38, 55)))
    o_min = kr.floor_min(onset)

    net = kr.Net(k, "larkspur-prod", "10.42")
    lb_name = "lark-web-prod"
    lb_hex = k.hex(16)
    lb_dim = f"app/{lb_name}/{lb_hex}"
    alb_sg, web_sg, api_sg, bastion_sg = k.rid("sg"), k.rid("sg"), k.rid("sg"), k.rid("sg")
    lb_created = day - timedelta(
        days=r.randint(200, 600), hours=-r.randint(14, 22), minutes=-r.randint(0, 59)
    )
    lb = kr.alb(k, lb_name, lb_hex, net, alb_sg, lb_created)
    lb_arn = lb["item"]["LoadBalancerArn"]
    tg_web_hex, tg_api_hex = k.hex(16), k.hex(16)
    tg_web = kr.target_group(k, "lark-storefront-prod", tg_web_hex, net.vpc, lb_arn, 8080, "/healthz")
    tg_api = kr.target_group(k, "lark-api-prod", tg_api_hex, net.vpc, lb_arn, 8080, "/api/health")
    tg_web_arn, tg_api_arn = tg_web["item"]["TargetGroupArn"], tg_api["item"]["TargetGroupArn"]
    tg_web_dim, tg_api_dim = (
        f"targetgroup/lark-storefront-prod/{tg_web_hex}",
        f"targetgroup/lark-api-prod/{tg_api_hex}",
    )
    l443 = k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}")
    l80 = k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}")
    cert = k.arn("acm", f"certificate/{k.uuid()}")
    maint_body = (
        '<html><head><title>Larkspur Homewares</title></head><body style="font-family:sans-serif;text-align:center">'
        "<h1>We&#39;re sprucing things up</h1><p>Back shortly. Thanks for your patience.</p></body></html>"
    )
    maint_action = {
        "Type": "fixed-response",
        "FixedResponseConfig": {"MessageBody": maint_body, "StatusCode": "503", "ContentType": "text/html"},
    }
    ct_action = {
        "type": "fixed-response",
        "fixedResponseConfig": {"messageBody": maint_body, "statusCode": "503", "contentType": "text/html"},
    }

    web_ids = [k.iid() for _ in range(4)]
    api_ids = [k.iid() for _ in range(3)]
    ami = "ami-0" + k.hex(16)
    resources: list[Json] = [lb, tg_web, tg_api]
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": l443,
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": cert}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [maint_action],
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": l80,
                "LoadBalancerArn": lb_arn,
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [
                    {
                        "Type": "redirect",
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
        }
    )
    rule_api = k.arn(
        "elasticloadbalancing", f"listener-rule/app/{lb_name}/{lb_hex}/{l443.rsplit('/', 1)[1]}/{k.hex(16)}"
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Rule",
            "item": {
                "RuleArn": rule_api,
                "Priority": "10",
                "Conditions": [
                    {
                        "Field": "path-pattern",
                        "Values": ["/api/*"],
                        "PathPatternConfig": {"Values": ["/api/*"]},
                    }
                ],
                "Actions": [
                    {
                        "Type": "forward",
                        "TargetGroupArn": tg_api_arn,
                        "Order": 1,
                        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg_api_arn, "Weight": 1}]},
                    }
                ],
                "IsDefault": False,
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Rule",
            "item": {
                "RuleArn": k.arn(
                    "elasticloadbalancing",
                    f"listener-rule/app/{lb_name}/{lb_hex}/{l443.rsplit('/', 1)[1]}/{k.hex(16)}",
                ),
                "Priority": "default",
                "Conditions": [],
                "Actions": [maint_action],
                "IsDefault": True,
            },
        }
    )
    resources += net.resources()
    resources += [
        kr.security_group(
            k,
            alb_sg,
            "lark-web-prod-alb",
            "Public HTTPS to the web ALB",
            net.vpc,
            [(443, "0.0.0.0/0"), (80, "0.0.0.0/0")],
        ),
        kr.security_group(
            k, web_sg, "lark-storefront-prod", "Storefront instances", net.vpc, [(8080, alb_sg)]
        ),
        kr.security_group(k, api_sg, "lark-api-prod", "API instances", net.vpc, [(8080, alb_sg)]),
        kr.security_group(k, bastion_sg, "lark-bastion", "SSH bastion", net.vpc, [(22, "203.0.113.0/26")]),
    ]
    launch = {i: day - timedelta(days=r.randint(1, 12), hours=r.randint(0, 20)) for i in web_ids + api_ids}
    for n, iid in enumerate(web_ids):
        resources.append(
            kr.instance(
                k,
                iid,
                "c7i.large",
                n % 3,
                net.private[n % 3],
                net.vpc,
                (web_sg, "lark-storefront-prod"),
                ami,
                launch[iid],
                "lark-storefront-prod",
                {
                    "Name": "lark-storefront-prod",
                    "aws:autoscaling:groupName": "lark-storefront-prod",
                    "team": "web",
                },
            )
        )
        resources.append(kr.instance_status(k, iid, n % 3))
    for n, iid in enumerate(api_ids):
        resources.append(
            kr.instance(
                k,
                iid,
                "c7i.large",
                n % 3,
                net.private[n % 3],
                net.vpc,
                (api_sg, "lark-api-prod"),
                ami,
                launch[iid],
                "lark-api-prod",
                {"Name": "lark-api-prod", "aws:autoscaling:groupName": "lark-api-prod", "team": "commerce"},
            )
        )
        resources.append(kr.instance_status(k, iid, n % 3))
    for asg, ids, tg in (
        ("lark-storefront-prod", web_ids, tg_web_arn),
        ("lark-api-prod", api_ids, tg_api_arn),
    ):
        resources.append(
            {
                "service": "autoscaling",
                "type": "AutoScalingGroup",
                "item": {
                    "AutoScalingGroupName": asg,
                    "AutoScalingGroupARN": k.arn(
                        "autoscaling", f"autoScalingGroup:{k.uuid()}:autoScalingGroupName/{asg}"
                    ),
                    "LaunchTemplate": {
                        "LaunchTemplateId": "lt-0" + k.hex(16),
                        "LaunchTemplateName": asg,
                        "Version": "$Latest",
                    },
                    "MinSize": len(ids),
                    "MaxSize": len(ids) * 3,
                    "DesiredCapacity": len(ids),
                    "DefaultCooldown": 300,
                    "AvailabilityZones": k.azs,
                    "LoadBalancerNames": [],
                    "TargetGroupARNs": [tg],
                    "HealthCheckType": "ELB",
                    "HealthCheckGracePeriod": 300,
                    "Instances": [
                        {
                            "InstanceId": i,
                            "InstanceType": "c7i.large",
                            "AvailabilityZone": k.azs[n % 3],
                            "LifecycleState": "InService",
                            "HealthStatus": "Healthy",
                            "LaunchTemplate": {
                                "LaunchTemplateId": "lt-0" + k.hex(16),
                                "LaunchTemplateName": asg,
                                "Version": "14",
                            },
                            "ProtectedFromScaleIn": False,
                        }
                        for n, i in enumerate(ids)
                    ],
                    "CreatedTime": kr.iso(lb_created),
                    "VPCZoneIdentifier": ",".join(net.private),
                    "TerminationPolicies": ["Default"],
                    "NewInstancesProtectedFromScaleIn": False,
                    "ServiceLinkedRoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                },
            }
        )
    topic = "lark-prod-oncall"
    resources.append(kr.sns_topic(k, topic))
    topic_arn = k.arn("sns", topic)
    for g in ("/lark/storefront/nginx", "/lark/storefront/app", "/lark/api/app"):
        resources.append(kr.log_group(k, g, lb_created))

    # --- traffic --------------------------------------------------------------------------------
    metrics: list[Json] = []
    ns = "AWS/ApplicationELB"
    peak = r.randint(2400, 4200)
    api_share = r.uniform(0.22, 0.3)
    elb5xx: dict[datetime, float] = {}
    tgt5xx: dict[datetime, float] = {}
    web_series: list[tuple[datetime, int, int]] = []
    for t in kr.minutes(start, now):
        total = int(kr.noisy(k, peak * kr.day_shape(t, tz_off), 0.06))
        api = int(total * api_share * r.uniform(0.93, 1.07))
        web = total - api
        broken = t >= o_min
        frac = (onset - t).total_seconds() / 60 if t == o_min else 0.0
        web_ok = int(web * frac) if t == o_min else (0 if broken else web)
        fixed = web - web_ok
        web_series.append((t, web, web_ok))
        lbd = {"LoadBalancer": lb_dim}
        metrics.append(kr.datum(ns, "RequestCount", lbd, t, "Count", total))
        metrics.append(kr.datum(ns, "ActiveConnectionCount", lbd, t, "Count", noisy_int(k, total * 0.42)))
        metrics.append(kr.datum(ns, "NewConnectionCount", lbd, t, "Count", noisy_int(k, total * 0.16)))
        metrics.append(
            kr.datum(
                ns, "ProcessedBytes", lbd, t, "Bytes", noisy_int(k, api * 5200 + web_ok * 61000 + fixed * 900)
            )
        )
        metrics.append(kr.datum(ns, "ConsumedLCUs", lbd, t, "Count", round(total / 1500 + 0.4, 3)))
        target_ok = api + web_ok
        t4 = int(target_ok * r.uniform(0.012, 0.02))
        metrics.append(kr.datum(ns, "HTTPCode_Target_2XX_Count", lbd, t, "Count", target_ok - t4))
        metrics.append(kr.datum(ns, "HTTPCode_Target_3XX_Count", lbd, t, "Count", int(web_ok * 0.03) + 1))
        metrics.append(kr.datum(ns, "HTTPCode_Target_4XX_Count", lbd, t, "Count", t4))
        if r.random() < 0.05:
            tgt5xx[t] = 1.0
            metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", lbd, t, "Count", 1))
        e5 = fixed
        if r.random() < 0.04:
            e5 += 1
        if e5:
            elb5xx[t] = float(e5)
            metrics.append(kr.datum(ns, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", e5))
        if fixed:
            metrics.append(kr.datum(ns, "HTTPCode_ELB_503_Count", lbd, t, "Count", fixed))
            metrics.append(kr.datum(ns, "HTTP_Fixed_Response_Count", lbd, t, "Count", fixed))
        e4 = int(total * 0.002 * r.random())
        if e4:
            metrics.append(kr.datum(ns, "HTTPCode_ELB_4XX_Count", lbd, t, "Count", e4))
        metrics.append(
            kr.latency_dist(k, ns, "TargetResponseTime", lbd, t, target_ok, 0.045 if broken else 0.07, 1.0)
        )
        for tg_dim, n_req, n_hosts, med in ((tg_web_dim, web_ok, 4, 0.09), (tg_api_dim, api, 3, 0.032)):
            d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
            metrics.append(kr.datum(ns, "HealthyHostCount", d, t, "Count", n_hosts))
            metrics.append(kr.datum(ns, "UnHealthyHostCount", d, t, "Count", 0))
            if n_req:
                metrics.append(kr.datum(ns, "RequestCount", d, t, "Count", n_req))
                metrics.append(
                    kr.datum(
                        ns,
                        "RequestCountPerTarget",
                        {"TargetGroup": tg_dim},
                        t,
                        "Count",
                        round(n_req / n_hosts, 2),
                    )
                )
                metrics.append(kr.latency_dist(k, ns, "TargetResponseTime", d, t, n_req, med, 1.0))
        for iid in web_ids:
            load = (web_ok / max(web, 1)) * kr.day_shape(t, tz_off)
            metrics.append(
                kr.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    t,
                    "Percent",
                    min(99.0, kr.noisy(k, 4 + 48 * load, 0.07)),
                )
            )
        for iid in api_ids:
            metrics.append(
                kr.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": iid},
                    t,
                    "Percent",
                    kr.noisy(k, 5 + 32 * kr.day_shape(t, tz_off), 0.07),
                )
            )

    # --- alarms -----------------------------------------------------------------------------------
    created = lb_created + timedelta(days=3)
    a5 = kr.Alarm(
        k,
        "lark-web-prod-elb-5xx",
        "ALB-generated 5xx on lark-web-prod. Runbook: https://wiki.larkspurhome.internal/oncall/web-alb",
        ns,
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        topic_arn,
        created,
        datapoints_to_alarm=2,
        missing="notBreaching",
    )
    a5.evaluate(elb5xx, start, now)
    at5 = kr.Alarm(
        k,
        "lark-web-prod-target-5xx",
        "Application 5xx behind lark-web-prod",
        ns,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        5,
        40.0,
        "GreaterThanThreshold",
        topic_arn,
        created,
        datapoints_to_alarm=3,
        missing="notBreaching",
    )
    at5.evaluate(tgt5xx, start, now)
    unhealthy = {t: 0.0 for t, _, _ in web_series}
    au = kr.Alarm(
        k,
        "lark-storefront-prod-unhealthy-hosts",
        "Storefront targets failing health checks",
        ns,
        "UnHealthyHostCount",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_web_dim},
        "Maximum",
        60,
        3,
        0.0,
        "GreaterThanThreshold",
        topic_arn,
        created,
    )
    au.evaluate(unhealthy, start, now)
    lat = {t: 0.08 for t, _, _ in web_series}
    al = kr.Alarm(
        k,
        "lark-web-prod-latency-p95",
        "p95 target latency on lark-web-prod above 1.5s",
        ns,
        "TargetResponseTime",
        {"LoadBalancer": lb_dim},
        "Average",
        300,
        3,
        1.5,
        "GreaterThanThreshold",
        topic_arn,
        created,
    )
    al.evaluate({t: v for t, v in lat.items() if t.minute % 5 == 0}, start, now)
    alarms = [a5, at5, au, al]

    # --- target health: healthy throughout --------------------------------------------------------
    events: list[Json] = []
    for tg_arn, ids in ((tg_web_arn, web_ids), (tg_api_arn, api_ids)):
        for n, iid in enumerate(ids):
            events.append(
                kr.th(tg_arn, iid, 8080, "healthy", launch[iid] + timedelta(minutes=2), az=k.azs[n % 3])
            )

    # --- CloudTrail -------------------------------------------------------------------------------
    eng = k.sso("PlatformEngineer", "daniel.reyes@larkspurhome.com")
    eng_ip = k.ip(False)
    dev = k.sso("DeveloperAccess", "priya.nair@larkspurhome.com")
    dev_ip = k.ip(False)
    ci = k.role("lark-terraform-apply", "terraform-" + k.hex(8))
    ci_ip = k.ip(False)
    monitor = k.role("grafana-cloudwatch-read", "grafana")
    templates = kr.common_templates(k, monitor, [(eng, eng_ip), (dev, dev_ip)], "lark-storefront-prod")
    ct = kr.routine_trail(k, start, now, 30, templates)
    elb = "elasticloadbalancing.amazonaws.com"
    # The engineer looks at the listener, then changes its default action.
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=6, seconds=r.randint(0, 50)),
            elb,
            "DescribeListeners",
            eng,
            {"loadBalancerArn": lb_arn},
            None,
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=5, seconds=r.randint(0, 50)),
            elb,
            "DescribeRules",
            eng,
            {"listenerArn": l443},
            None,
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    culprit = kr.trail(
        k,
        onset,
        elb,
        "ModifyListener",
        eng,
        {"listenerArn": l443, "defaultActions": [ct_action]},
        {
            "listeners": [
                {
                    "listenerArn": l443,
                    "loadBalancerArn": lb_arn,
                    "port": 443,
                    "protocol": "HTTPS",
                    "certificates": [{"certificateArn": cert}],
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "defaultActions": [ct_action],
                }
            ]
        },
        read_only=False,
        ua=kr.CONSOLE_UA,
        ip=eng_ip,
    )
    ct.append(culprit)
    ct.append(
        kr.trail(
            k,
            onset + timedelta(minutes=1, seconds=r.randint(0, 40)),
            elb,
            "DescribeListeners",
            eng,
            {"loadBalancerArn": lb_arn},
            None,
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    # Innocent changes around the onset.
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(12, 22), seconds=r.randint(0, 59)),
            elb,
            "ModifyTargetGroupAttributes",
            ci,
            {
                "targetGroupArn": tg_api_arn,
                "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
            },
            {
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                    {"key": "stickiness.enabled", "value": "false"},
                    {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                ]
            },
            read_only=False,
            ua=kr.TF_UA.format(api="elasticloadbalancingv2"),
            ip=ci_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            onset + timedelta(minutes=r.randint(4, 14)),
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            dev,
            {
                "groupId": bastion_sg,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "groups": {},
                            "ipRanges": {"items": [{"cidrIp": f"{dev_ip}/32", "description": "priya home"}]},
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            {
                "requestId": k.uuid(),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": k.account,
                            "groupId": bastion_sg,
                            "securityGroupRuleId": "sgr-0" + k.hex(16),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "cidrIpv4": f"{dev_ip}/32",
                            "description": "priya home",
                        }
                    ]
                },
            },
            read_only=False,
            ua=kr.CONSOLE_UA,
            ip=dev_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(24, 29)),
            "ssm.amazonaws.com",
            "PutParameter",
            ci,
            {
                "name": "/lark/storefront/prod/feature/gift-wrap",
                "type": "String",
                "overwrite": True,
                "tier": "Standard",
            },
            {"version": r.randint(3, 19), "tier": "Standard"},
            read_only=False,
            ua=kr.TF_UA.format(api="ssm"),
            ip=ci_ip,
        )
    )
    for _ in range(3):
        t = start + timedelta(minutes=r.randint(10, 200))
        ct.append(
            kr.trail(
                k,
                t,
                "sts.amazonaws.com",
                "AssumeRoleWithWebIdentity",
                {
                    "type": "WebIdentityUser",
                    "principalId": f"arn:aws:iam::{k.account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:larkspur/infra:ref:refs/heads/main",
                    "userName": "repo:larkspur/infra:ref:refs/heads/main",
                    "identityProvider": f"arn:aws:iam::{k.account}:oidc-provider/token.actions.githubusercontent.com",
                },
                {
                    "roleArn": f"arn:aws:iam::{k.account}:role/lark-terraform-apply",
                    "roleSessionName": "terraform-" + k.hex(8),
                    "durationSeconds": 3600,
                },
                None,
                read_only=True,
                ua="aws-sdk-js/2.1691.0 promise",
                ip=ci_ip,
            )
        )
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs -------------------------------------------------------------------------------------
    logs: list[Json] = []
    paths = [
        "/",
        "/c/living-room",
        "/c/kitchen/cookware",
        "/p/linen-throw-oat",
        "/p/stoneware-mug-set-4",
        "/basket",
        "/c/garden",
        "/search?q=cushion",
    ]
    for t, _web, web_ok in web_series:
        for n, iid in enumerate(web_ids):
            # health checks every 15s from each ALB node's AZ, always 200
            for s in (0, 15, 30, 45):
                hc_t = t + timedelta(seconds=s + n)
                logs.append(
                    {
                        "log_group": "/lark/storefront/nginx",
                        "log_stream": f"{iid}/access.log",
                        "timestamp": kr.ms(hc_t),
                        "message": kr.nginx_line(
                            k,
                            hc_t,
                            f"10.42.{64 + n}.{r.randint(10, 200)}",
                            "GET",
                            "/healthz",
                            200,
                            2,
                            0.002,
                            "ELB-HealthChecker/2.0",
                        ),
                    }
                )
            if web_ok and r.random() < 0.6:
                rt = r.uniform(0.03, 0.25)
                lt = t + timedelta(seconds=r.randint(0, 59))
                logs.append(
                    {
                        "log_group": "/lark/storefront/nginx",
                        "log_stream": f"{iid}/access.log",
                        "timestamp": kr.ms(lt),
                        "message": kr.nginx_line(
                            k,
                            lt,
                            k.ip(False),
                            "GET",
                            r.choice(paths),
                            200,
                            r.randint(18000, 90000),
                            rt,
                            r.choice(kr.BROWSERS),
                        ),
                    }
                )
        if t.minute % 17 == 3:
            iid = r.choice(web_ids)
            logs.append(
                {
                    "log_group": "/lark/storefront/app",
                    "log_stream": f"{iid}/storefront.log",
                    "timestamp": kr.ms(t + timedelta(seconds=7)),
                    "message": json.dumps(
                        {
                            "level": "warn",
                            "time": kr.ms(t),
                            "pid": 2817,
                            "hostname": iid,
                            "msg": "recommendations cache miss storm, falling back to bestsellers",
                            "component": "recs",
                        }
                    ),
                }
            )
        for iid in api_ids:
            if r.random() < 0.35:
                logs.append(
                    {
                        "log_group": "/lark/api/app",
                        "log_stream": f"{iid}/api.log",
                        "timestamp": kr.ms(t + timedelta(seconds=r.randint(0, 59))),
                        "message": json.dumps(
                            {
                                "level": "info",
                                "time": kr.ms(t),
                                "hostname": iid,
                                "req": {
                                    "method": r.choice(["GET", "GET", "POST"]),
                                    "url": r.choice(
                                        [
                                            "/api/basket",
                                            "/api/stock/LNT-OAT-01",
                                            "/api/session",
                                            "/api/search/suggest?q=ma",
                                        ]
                                    ),
                                },
                                "res": {"statusCode": 200},
                                "responseTime": r.randint(8, 60),
                                "msg": "request completed",
                            }
                        ),
                    }
                )
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))
    logs = [x for x in logs if x["timestamp"] <= kr.ms(now)]

    alarm_event = a5.event()
    hist = [kr.created_history(a) for a in alarms] + [h for a in alarms for h in a.history]
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": kr.iso(start),
            "end": kr.iso(now),
            "now": kr.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": l443,
                    "category": "change",
                    "failure_mode": "listener-default-action-fixed-503",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [lb_name, lb_arn, lb_dim],
                "actions": ["rollback"],
                "chain": [
                    f"ModifyListener set the default action of the HTTPS:443 listener of {lb_name} to a fixed-response 503",
                    "every request not matching /api/* is answered 503 by the load balancer itself (HTTPCode_ELB_503_Count, HTTP_Fixed_Response_Count)",
                    "lark-storefront-prod targets stay healthy but receive no traffic",
                    "lark-web-prod-elb-5xx alarm fires",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [a.item() for a in alarms],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )


def noisy_int(k: kr.Kit, base: float) -> int:
    return int(kr.noisy(k, base, 0.07))
