"""Mobile users bounced to sign-in: a new ALB listener rule for the partner API matches every /api/* path."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzi import Kit, iso, local, minutes, window_sum

NAME = "app-logouts-after-listener-rule"
TITLE = "Customers kicked back to the sign-in screen in the app since mid-afternoon; is Cognito down?"
SUMMARY = (
    "A listener rule created for the partner API matched /api/* without a host condition, sending the "
    "mobile app's API calls to the partner service, which answers 401; the app signs users out."
)

ALB_NS = "AWS/ApplicationELB"


def build(seed: int) -> Bundle:
    k = Kit(seed, "4" + "".join(str((seed * 7 + i * 3) % 10) for i in range(11)), "eu-west-1", "logouts")
    r = k.rng
    acct, region = k.account, k.region
    day = k.day()
    onset = day.replace(hour=r.randrange(12, 16), minute=r.randrange(0, 60), second=r.randrange(0, 60))
    start = (onset - timedelta(hours=3, minutes=40 + r.randrange(0, 20))).replace(second=0)
    now = onset + timedelta(minutes=48 + r.randrange(0, 15))
    vpc = "vpc-0" + k.hexid(16)
    subnets = {
        "eu-west-1a": "subnet-0" + k.hexid(16),
        "eu-west-1b": "subnet-0" + k.hexid(16),
        "eu-west-1c": "subnet-0" + k.hexid(16),
    }
    alb_id = k.hexid(16)
    alb_name = "tallyfern-public"
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{alb_name}/{alb_id}"
    alb_dim = f"app/{alb_name}/{alb_id}"
    listener_id = k.hexid(16)
    listener_arn = (
        f"arn:aws:elasticloadbalancing:{region}:{acct}:listener/app/{alb_name}/{alb_id}/{listener_id}"
    )
    http_listener_arn = (
        f"arn:aws:elasticloadbalancing:{region}:{acct}:listener/app/{alb_name}/{alb_id}/{k.hexid(16)}"
    )
    sg_alb = "sg-0" + k.hexid(16)
    cert_arn = f"arn:aws:acm:{region}:{acct}:certificate/{k.uid()}"
    tgs: dict[str, dict[str, str]] = {}
    ports: dict[str, int] = {}
    for name, port, path in (
        ("tf-web", 3000, "/healthz"),
        ("tf-api", 8080, "/api/health"),
        ("tf-admin", 8080, "/admin/health"),
        ("tf-partner-api", 8080, "/partner/health"),
    ):
        tid = k.hexid(16)
        tgs[name] = {
            "arn": f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}/{tid}",
            "dim": f"targetgroup/{name}/{tid}",
            "path": path,
        }
        ports[name] = port
    admin = k.sso("PlatformAdmin", "niamh.kerrigan@tallyfern.com")
    partner_dev = k.sso("PartnerTeamDeveloper", "olu.adeyemi@tallyfern.com")
    deployer = k.role("github-actions-deploy", "GitHubActions")
    cicd_agent = (
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/ecs#3.540.0"
    )
    console_agent = "AWS Internal"

    # ---------- resources ----------
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**9, 10**10)}.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(day - timedelta(days=410)),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in subnets.items()],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener_arn,
            "LoadBalancerArn": alb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": cert_arn}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [
                {
                    "Type": "forward",
                    "TargetGroupArn": tgs["tf-web"]["arn"],
                    "Order": 1,
                    "ForwardConfig": {
                        "TargetGroups": [{"TargetGroupArn": tgs["tf-web"]["arn"], "Weight": 1}],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                }
            ],
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": http_listener_arn,
            "LoadBalancerArn": alb_arn,
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

    def fwd(tg: str) -> list[dict[str, object]]:
        return [
            {
                "Type": "forward",
                "TargetGroupArn": tgs[tg]["arn"],
                "Order": 1,
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": tgs[tg]["arn"], "Weight": 1}],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            }
        ]

    rule_base = (
        f"arn:aws:elasticloadbalancing:{region}:{acct}:listener-rule/app/{alb_name}/{alb_id}/{listener_id}"
    )
    new_rule_arn = f"{rule_base}/{k.hexid(16)}"
    rules = [
        (
            "10",
            [
                {
                    "Field": "host-header",
                    "Values": ["admin.tallyfern.com"],
                    "HostHeaderConfig": {"Values": ["admin.tallyfern.com"]},
                }
            ],
            "tf-admin",
            f"{rule_base}/{k.hexid(16)}",
        ),
        (
            "15",
            [{"Field": "path-pattern", "Values": ["/api/*"], "PathPatternConfig": {"Values": ["/api/*"]}}],
            "tf-partner-api",
            new_rule_arn,
        ),
        (
            "20",
            [
                {
                    "Field": "host-header",
                    "Values": ["partners.tallyfern.com"],
                    "HostHeaderConfig": {"Values": ["partners.tallyfern.com"]},
                }
            ],
            "tf-partner-api",
            f"{rule_base}/{k.hexid(16)}",
        ),
        (
            "40",
            [{"Field": "path-pattern", "Values": ["/api/*"], "PathPatternConfig": {"Values": ["/api/*"]}}],
            "tf-api",
            f"{rule_base}/{k.hexid(16)}",
        ),
    ]
    for prio, conds, tg_name, arn in rules:
        k.res(
            "elbv2",
            "Rule",
            {
                "RuleArn": arn,
                "Priority": prio,
                "Conditions": conds,
                "Actions": fwd(tg_name),
                "IsDefault": False,
            },
        )
    k.res(
        "elbv2",
        "Rule",
        {
            "RuleArn": f"{rule_base}/{k.hexid(16)}",
            "Priority": "default",
            "Conditions": [],
            "Actions": fwd("tf-web"),
            "IsDefault": True,
        },
    )
    for name, tg in tgs.items():
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg["arn"],
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": ports[name],
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": tg["path"],
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    cluster_arn = f"arn:aws:ecs:{region}:{acct}:cluster/tallyfern-prod"
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": "tallyfern-prod",
            "status": "ACTIVE",
            "runningTasksCount": 17,
            "pendingTasksCount": 0,
            "activeServicesCount": 4,
            "registeredContainerInstancesCount": 0,
        },
    )
    web_rev = r.randrange(180, 260)
    svc_desired = {"tf-web": 6, "tf-api": 6, "tf-admin": 2, "tf-partner-api": 3}
    revs = {
        "tf-web": web_rev,
        "tf-api": r.randrange(300, 400),
        "tf-admin": r.randrange(40, 80),
        "tf-partner-api": r.randrange(20, 40),
    }
    web_deploy = onset - timedelta(minutes=r.randrange(18, 30))
    for name, n in svc_desired.items():
        td = f"arn:aws:ecs:{region}:{acct}:task-definition/{name}:{revs[name]}"
        created = web_deploy if name == "tf-web" else day - timedelta(days=r.randrange(2, 20))
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/tallyfern-prod/{name}",
                "serviceName": name,
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": n,
                "runningCount": n,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": td,
                "loadBalancers": [
                    {
                        "targetGroupArn": tgs[name]["arn"],
                        "containerName": name,
                        "containerPort": ports[name],
                    }
                ],
                "deployments": [
                    {
                        "id": "ecs-svc/" + str(r.randrange(10**18, 10**19)),
                        "status": "PRIMARY",
                        "taskDefinition": td,
                        "desiredCount": n,
                        "runningCount": n,
                        "pendingCount": 0,
                        "createdAt": iso(created),
                        "updatedAt": iso(created + timedelta(minutes=6)),
                        "rolloutState": "COMPLETED",
                    }
                ],
            },
        )
    pool_id = f"{region}_" + "".join(
        r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9)
    )
    app_client = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
    web_client = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
    k.res(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "tallyfern-customers",
            "Status": "Enabled",
            "LastModifiedDate": iso(start + timedelta(minutes=20)),
            "CreationDate": iso(day - timedelta(days=700)),
            "EstimatedNumberOfUsers": r.randrange(180000, 320000),
            "MfaConfiguration": "OFF",
            "Arn": f"arn:aws:cognito-idp:{region}:{acct}:userpool/{pool_id}",
            "Domain": "auth-tallyfern",
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
        },
    )
    k.res(
        "acm",
        "CertificateDetail",
        {
            "CertificateArn": cert_arn,
            "DomainName": "tallyfern.com",
            "SubjectAlternativeNames": ["tallyfern.com", "*.tallyfern.com"],
            "Status": "ISSUED",
            "Type": "AMAZON_ISSUED",
            "InUseBy": [alb_arn],
            "KeyAlgorithm": "RSA-2048",
            "RenewalEligibility": "ELIGIBLE",
            "CreatedAt": iso(day - timedelta(days=400)),
            "IssuedAt": iso(day - timedelta(days=40)),
            "NotBefore": iso(day - timedelta(days=41)),
            "NotAfter": iso(day + timedelta(days=355)),
        },
    )
    k.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg_alb,
            "GroupName": "tallyfern-public-alb",
            "Description": "public ALB",
            "VpcId": vpc,
            "OwnerId": acct,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": p,
                    "ToPort": p,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
                for p in (80, 443)
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
    )
    for name in svc_desired:
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/ecs/{name}",
                "retentionInDays": 30,
                "creationTime": int((day - timedelta(days=300)).timestamp() * 1000),
                "arn": f"arn:aws:logs:{region}:{acct}:log-group:/ecs/{name}:*",
                "storedBytes": r.randrange(10**9, 10**10),
            },
        )

    # ---------- CloudTrail: the changes ----------
    create = k.ct(
        onset - timedelta(seconds=r.randrange(40, 100)),
        "elasticloadbalancing.amazonaws.com",
        "CreateRule",
        partner_dev,
        {
            "listenerArn": listener_arn,
            "conditions": [{"field": "path-pattern", "pathPatternConfig": {"values": ["/api/*"]}}],
            "priority": 15,
            "actions": [{"type": "forward", "targetGroupArn": tgs["tf-partner-api"]["arn"]}],
        },
        {
            "rules": [
                {
                    "ruleArn": new_rule_arn,
                    "priority": "15",
                    "conditions": [
                        {
                            "field": "path-pattern",
                            "values": ["/api/*"],
                            "pathPatternConfig": {"values": ["/api/*"]},
                        }
                    ],
                    "actions": [
                        {
                            "type": "forward",
                            "targetGroupArn": tgs["tf-partner-api"]["arn"],
                            "order": 1,
                            "forwardConfig": {
                                "targetGroups": [
                                    {"targetGroupArn": tgs["tf-partner-api"]["arn"], "weight": 1}
                                ],
                                "targetGroupStickinessConfig": {"enabled": False},
                            },
                        }
                    ],
                    "isDefault": False,
                }
            ]
        },
        ip="81.17.240.63",
        agent=console_agent,
    )
    # the same person looking at the rules before and after
    for dt in (-7, -5, -3, 2, 9):
        k.ct(
            onset + timedelta(minutes=dt, seconds=r.randrange(0, 50)),
            "elasticloadbalancing.amazonaws.com",
            "DescribeRules",
            partner_dev,
            {"listenerArn": listener_arn},
            read_only=True,
            ip="81.17.240.63",
            agent=console_agent,
        )
    k.ct(
        onset - timedelta(minutes=6),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetGroups",
        partner_dev,
        {"names": ["tf-partner-api"]},
        read_only=True,
        ip="81.17.240.63",
        agent=console_agent,
    )
    # innocent: tf-web deploy by CI
    web_td = f"arn:aws:ecs:{region}:{acct}:task-definition/tf-web:{web_rev}"
    k.ct(
        web_deploy - timedelta(minutes=1),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        deployer,
        {
            "family": "tf-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "tf-web",
                    "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/tf-web:{k.hexid(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": web_td,
                "family": "tf-web",
                "revision": web_rev,
                "status": "ACTIVE",
            }
        },
        ip="20.55.14.201",
        agent=cicd_agent,
    )
    k.ct(
        web_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        deployer,
        {
            "cluster": "tallyfern-prod",
            "service": "tf-web",
            "taskDefinition": web_td,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "tf-web",
                "taskDefinition": web_td,
                "desiredCount": 6,
                "status": "ACTIVE",
            }
        },
        ip="20.55.14.201",
        agent=cicd_agent,
    )
    # innocent: Cognito web client callback URL added two hours earlier
    k.ct(
        onset - timedelta(minutes=r.randrange(100, 140)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        admin,
        {
            "userPoolId": pool_id,
            "clientId": web_client,
            "clientName": "tallyfern-web",
            "callbackURLs": [
                "https://tallyfern.com/auth/callback",
                "https://www.tallyfern.com/auth/callback",
                "https://preview.tallyfern.com/auth/callback",
            ],
            "allowedOAuthFlows": ["code"],
            "allowedOAuthScopes": ["openid", "email", "profile"],
            "supportedIdentityProviders": ["COGNITO", "Google"],
            "refreshTokenValidity": 30,
            "accessTokenValidity": 60,
            "idTokenValidity": 60,
        },
        {"userPoolClient": {"userPoolId": pool_id, "clientId": web_client, "clientName": "tallyfern-web"}},
        ip="81.17.240.12",
        agent=console_agent,
    )
    # innocent: admin target group deregistration delay shortened
    k.ct(
        start + timedelta(minutes=r.randrange(30, 70)),
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        admin,
        {
            "targetGroupArn": tgs["tf-admin"]["arn"],
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}]},
        ip="81.17.240.12",
        agent=console_agent,
    )
    k.read_noise(
        start,
        now,
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tgs["tf-api"]["arn"]},
            ),
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": "tallyfern-prod", "services": ["tf-api", "tf-web"]},
            ),
            ("ecs.amazonaws.com", "ListServices", {"cluster": "tallyfern-prod"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("cognito-idp.amazonaws.com", "DescribeUserPool", {"userPoolId": pool_id}),
            ("acm.amazonaws.com", "ListCertificates", {"certificateStatuses": ["ISSUED"]}),
        ],
        60,
    )

    # ---------- metrics ----------
    rule_live = create["eventTime"]
    base_api = r.randrange(900, 1400)
    base_web = r.randrange(500, 800)
    grid = minutes(start, now + timedelta(minutes=1))
    for t in grid:
        live = iso(t) >= rule_live
        ramp = 1 + 0.15 * ((t - start).total_seconds() / (now - start).total_seconds())
        api = base_api * ramp * (0.93 + 0.14 * r.random())
        web = base_web * ramp * (0.9 + 0.2 * r.random())
        adm = 20 + r.randrange(0, 15)
        partner = 8 + r.randrange(0, 10)
        if live:
            # /api/* now lands on the partner service; the app retries, then signs out
            to_partner = api * (1.25 if t < onset + timedelta(minutes=20) else 1.1)
            api_tg = 0.0
            partner_total = partner + to_partner
            partner_4xx = to_partner * 0.985 + partner * 0.01
            api_4xx = 0.0
        else:
            api_tg = api
            partner_total = partner
            partner_4xx = partner * 0.01 if r.random() < 0.3 else 0.0
            api_4xx = api * (0.012 + 0.006 * r.random())
        web_4xx = web * 0.02
        for name, total, c4, c5, med in (
            ("tf-web", web, web_4xx, web * 0.0008 if r.random() < 0.4 else 0.0, 0.09),
            ("tf-api", api_tg, api_4xx, api_tg * 0.0005 if r.random() < 0.5 else 0.0, 0.045),
            ("tf-admin", adm, 1.0 if r.random() < 0.2 else 0.0, 0.0, 0.12),
            ("tf-partner-api", partner_total, partner_4xx, 0.0, 0.006 if live else 0.03),
        ):
            d = {"LoadBalancer": alb_dim, "TargetGroup": tgs[name]["dim"]}
            n = round(total)
            if n > 0:
                k.put(ALB_NS, "RequestCount", d, t, n)
                k.put(
                    ALB_NS,
                    "RequestCountPerTarget",
                    {"TargetGroup": tgs[name]["dim"]},
                    t,
                    round(n / svc_desired[name], 2),
                )
                k.dist(ALB_NS, "TargetResponseTime", d, t, med, med * 8, n)
                k.put(ALB_NS, "HTTPCode_Target_2XX_Count", d, t, max(0, n - int(c4) - int(c5)))
            if int(c4) > 0:
                k.put(ALB_NS, "HTTPCode_Target_4XX_Count", d, t, int(c4))
            if int(c5) > 0:
                k.put(ALB_NS, "HTTPCode_Target_5XX_Count", d, t, int(c5))
            k.put(ALB_NS, "HealthyHostCount", d, t, svc_desired[name], "Count")
            k.put(ALB_NS, "UnHealthyHostCount", d, t, 0, "Count")
        total = api + web + adm + partner
        k.put(ALB_NS, "RequestCount", {"LoadBalancer": alb_dim}, t, int(total))
        k.put(ALB_NS, "ActiveConnectionCount", {"LoadBalancer": alb_dim}, t, int(total * 0.4))
        k.put(ALB_NS, "ProcessedBytes", {"LoadBalancer": alb_dim}, t, int(total * 5200), "Bytes")
        if r.random() < 0.15:
            k.put(ALB_NS, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": alb_dim}, t, 1)
        # Cognito: users bounced to sign-in sign in again
        cd = {"UserPool": pool_id, "UserPoolClient": app_client}
        signins = (api / 60) * (0.3 + 0.1 * r.random())
        if live:
            signins *= 9 + 3 * r.random()
        k.put("AWS/Cognito", "SignInSuccesses", cd, t, int(signins) + 1)
        k.put("AWS/Cognito", "TokenRefreshSuccesses", cd, t, int(api / 25 * (0.9 + 0.2 * r.random())))
        k.put(
            "AWS/Cognito",
            "SignInSuccesses",
            {"UserPool": pool_id, "UserPoolClient": web_client},
            t,
            int(web / 90) + 1,
        )

    # ---------- logs ----------
    tasks = {name: [k.hexid(32) for _ in range(min(n, 3))] for name, n in svc_desired.items()}
    ua_ios = f"Tallyfern/5.{r.randrange(10, 20)} (iPhone; iOS 17.{r.randrange(2, 6)}; Scale/3.00)"
    ua_android = f"okhttp/4.12.0 Tallyfern-Android/5.{r.randrange(10, 20)}"
    paths = [
        "/api/v3/orders?limit=20",
        "/api/v3/basket",
        "/api/v3/slots?postcode=D08",
        "/api/v3/me",
        "/api/v3/products/search?q=milk",
        "/api/v3/basket/items",
        "/api/v3/loyalty/balance",
    ]
    for t in minutes(start, now, 1):
        live = iso(t) >= rule_live
        for _ in range(2):
            ts = t + timedelta(seconds=r.randrange(0, 60))
            p = r.choice(paths)
            ua = r.choice([ua_ios, ua_android])
            method = "POST" if p.endswith("items") else "GET"
            if live:
                task = r.choice(tasks["tf-partner-api"])
                rid = "req-" + k.hexid(6)
                line1 = {
                    "level": 40,
                    "time": int(ts.timestamp() * 1000),
                    "pid": 1,
                    "hostname": f"ip-10-20-{r.randrange(10, 60)}-{r.randrange(2, 250)}.eu-west-1.compute.internal",
                    "reqId": rid,
                    "req": {"method": method, "url": p, "remoteAddress": "10.20.0.14", "userAgent": ua},
                    "msg": "rejecting request: no x-partner-key header",
                }
                line2 = {
                    "level": 30,
                    "time": int(ts.timestamp() * 1000) + 2,
                    "pid": 1,
                    "hostname": line1["hostname"],
                    "reqId": rid,
                    "res": {"statusCode": 401},
                    "responseTime": round(1 + r.random() * 3, 3),
                    "msg": "request completed",
                }
                stream = f"tf-partner-api/tf-partner-api/{task}"
                k.log("/ecs/tf-partner-api", stream, ts, json.dumps(line1))
                k.log("/ecs/tf-partner-api", stream, ts + timedelta(milliseconds=2), json.dumps(line2))
            else:
                task = r.choice(tasks["tf-api"])
                status = 200 if r.random() > 0.015 else r.choice([401, 404, 409])
                k.log(
                    "/ecs/tf-api",
                    f"tf-api/tf-api/{task}",
                    ts,
                    f"{ts:%Y-%m-%dT%H:%M:%S}.{r.randrange(100, 999)}Z INFO 1 --- [nio-8080-exec-{r.randrange(1, 40)}] "
                    f'c.t.api.web.AccessLog : {method} {p.split("?")[0]} {status} {r.randrange(12, 140)}ms ua="{ua}"',
                )
        if r.random() < 0.25:
            ts = t + timedelta(seconds=r.randrange(0, 60))
            task = r.choice(tasks["tf-partner-api"])
            pid = r.choice(["acme-grocers", "freshroute", "dublin-deli-co"])
            line = {
                "level": 30,
                "time": int(ts.timestamp() * 1000),
                "pid": 1,
                "hostname": "ip-10-20-31-77.eu-west-1.compute.internal",
                "reqId": "req-" + k.hexid(6),
                "partner": pid,
                "res": {"statusCode": 200},
                "responseTime": round(10 + r.random() * 40, 3),
                "msg": "request completed",
            }
            k.log("/ecs/tf-partner-api", f"tf-partner-api/tf-partner-api/{task}", ts, json.dumps(line))
        if r.random() < 0.5:
            ts = t + timedelta(seconds=r.randrange(0, 60))
            task = r.choice(tasks["tf-web"])
            k.log(
                "/ecs/tf-web",
                f"tf-web/tf-web/{task}",
                ts,
                f"GET /{r.choice(['', 'offers', 'recipes', 'delivery-areas'])} 200 in {r.randrange(40, 300)}ms",
            )
    for i, task in enumerate(tasks["tf-web"]):
        k.log(
            "/ecs/tf-web",
            f"tf-web/tf-web/{task}",
            web_deploy + timedelta(minutes=2, seconds=i * 20),
            "   ▲ Next.js 14.1.4\n   - Local:        http://localhost:3000\n\n ✓ Ready in 812ms",
        )

    # ---------- alarms ----------
    topic = f"arn:aws:sns:{region}:{acct}:tallyfern-oncall"
    fire = onset.replace(second=0) + timedelta(minutes=r.randrange(3, 6))
    pdims = {"LoadBalancer": alb_dim, "TargetGroup": tgs["tf-partner-api"]["dim"]}
    fired = window_sum(k, ALB_NS, "HTTPCode_Target_4XX_Count", pdims, fire, 300)
    a = k.alarm(
        "tf-partner-api-4xx-high",
        ALB_NS,
        "HTTPCode_Target_4XX_Count",
        {"LoadBalancer": alb_dim, "TargetGroup": tgs["tf-partner-api"]["dim"]},
        stat="Sum",
        period=300,
        evals=1,
        threshold=200,
        op="GreaterThanThreshold",
        topic=f"arn:aws:sns:{region}:{acct}:partner-team",
        state="ALARM",
        state_time=fire,
        config_time=day - timedelta(days=60),
        state_reason=f"Threshold Crossed: 1 datapoint [{fired} ("
        + (fire - timedelta(minutes=5)).strftime("%d/%m/%y %H:%M")
        + ":00)] was greater than the threshold (200.0).",
        description="Partners failing auth against the partner API",
    )
    k.transition(a, fire, "OK", "ALARM", a["StateReason"])
    b = k.alarm(
        "tf-api-5xx",
        ALB_NS,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": alb_dim, "TargetGroup": tgs["tf-api"]["dim"]},
        stat="Sum",
        period=60,
        evals=3,
        threshold=25,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=start - timedelta(days=3),
        config_time=day - timedelta(days=200),
        state_reason="Threshold Crossed: 3 datapoints [0.0, 1.0, 0.0] were not greater than the threshold (25.0).",
    )
    del b
    c = k.alarm(
        "tf-admin-unhealthy-hosts",
        ALB_NS,
        "UnHealthyHostCount",
        {"LoadBalancer": alb_dim, "TargetGroup": tgs["tf-admin"]["dim"]},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=start + timedelta(minutes=95),
        config_time=day - timedelta(days=90),
        state_reason="Threshold Crossed: 2 datapoints [0.0, 0.0] were not greater than the threshold (0.0).",
    )
    k.transition(
        c,
        start + timedelta(minutes=81),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints [1.0, 1.0] were greater than the threshold (0.0).",
    )
    k.transition(c, start + timedelta(minutes=95), "ALARM", "OK", c["StateReason"])
    k.alarm(
        "tf-web-p95-latency",
        ALB_NS,
        "TargetResponseTime",
        {"LoadBalancer": alb_dim, "TargetGroup": tgs["tf-web"]["dim"]},
        stat="Average",
        period=300,
        evals=3,
        threshold=1.5,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=start - timedelta(days=8),
        config_time=day - timedelta(days=150),
        state_reason="Threshold Crossed: 3 datapoints [0.11, 0.1, 0.12] were not greater than the threshold (1.5).",
    )

    local_h = local(onset, "Europe/Dublin")
    local_h = local_h.replace(minute=local_h.minute // 5 * 5)
    question = (
        f"Support says loads of customers are getting kicked out of the app back to the sign-in screen since "
        f"about {local_h:%-I:%M}, and after logging in again it happens straight away. Website seems ok. "
        f"Is Cognito having problems?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Dublin"},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": new_rule_arn,
                "category": "change",
                "failure_mode": "listener-rule-shadows-api-path",
                "event_id": create["eventID"],
            },
            "also_accept": [new_rule_arn.rsplit("/", 1)[1], "tallyfern-public listener rule priority 15"],
            "actions": ["rollback"],
            "chain": [
                new_rule_arn,
                tgs["tf-partner-api"]["arn"],
                "tf-partner-api",
                "mobile app /api/* calls",
                "Cognito sign-ins",
            ],
        },
    }
    return k.bundle(manifest, now)
