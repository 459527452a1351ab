"""Florist checkout: card payments failing for everyone from one minute to the next."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_r as kr

NAME = "brightloom-checkout-card-failures"
TITLE = "Checkout card payments failing since late morning"
SUMMARY = (
    "The payment provider's TLS certificate for api.payvantix.com expired on their side; every charge call "
    "from checkout-svc fails PKIX validation (CertificateExpiredException) and checkout errors rise. "
    "No change in the account."
)

Json = dict[str, Any]
ZONE = "America/New_York"
PROVIDER = "api.payvantix.com"


def build(seed: int) -> Bundle:
    k = kr.Kit(NAME, seed)
    r = k.rng
    zone = ZoneInfo(ZONE)
    day = k.start_date()
    # their certificate's NotAfter: issued a year ago at a ragged time
    local = datetime(
        day.year, day.month, day.day, r.randint(10, 13), r.randint(0, 59), r.randint(0, 59), tzinfo=zone
    )
    onset = local.astimezone(kr.UTC)
    off = local.utcoffset()
    tz_off = off.total_seconds() / 3600 if off is not None else 0.0
    o_min = kr.floor_min(onset)
    start = kr.floor_min(onset - timedelta(hours=4, minutes=r.randint(0, 50)))
    now = kr.floor_min(onset + timedelta(minutes=r.randint(34, 50)))

    cluster, svc = "bl-prod", "checkout-svc"
    cluster_arn = k.arn("ecs", f"cluster/{cluster}")
    svc_arn = k.arn("ecs", f"service/{cluster}/{svc}")
    registry = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
    td_rev = r.randint(150, 320)
    td_arn = k.arn("ecs", f"task-definition/{svc}:{td_rev}")
    deploy_at = day - timedelta(days=r.randint(2, 6), hours=r.randint(-4, 4))
    image = f"{registry}/{svc}:{deploy_at:%Y%m%d}-{k.hex(8)}"
    digest = "sha256:" + k.hex(64)
    net = kr.Net(k, "brightloom-prod", "10.88")
    alb_sg, task_sg = k.rid("sg"), k.rid("sg")
    created = day - timedelta(days=r.randint(300, 800), hours=-r.randint(9, 18))
    lb_name, lb_hex, tg_hex = "bl-shop-prod", k.hex(16), k.hex(16)
    lb = kr.alb(k, lb_name, lb_hex, net, alb_sg, created)
    lb_arn = lb["item"]["LoadBalancerArn"]
    tg = kr.target_group(k, "bl-checkout-svc", tg_hex, net.vpc, lb_arn, 8080, "/actuator/health", "ip")
    tg_arn = tg["item"]["TargetGroupArn"]
    lb_dim, tg_dim = f"app/{lb_name}/{lb_hex}", f"targetgroup/bl-checkout-svc/{tg_hex}"
    nat_id = "nat-0" + k.hex(16)
    n_tasks = 4
    tasks = [
        (k.hex(32), i % 3, deploy_at + timedelta(minutes=i, seconds=r.randint(0, 50)), k.ip(True, "10.88"))
        for i in range(n_tasks)
    ]

    # --- metrics ------------------------------------------------------------------------------------
    metrics: list[Json] = []
    ns = "AWS/ApplicationELB"
    ns_app = "Brightloom/Checkout"
    fail_series: dict[datetime, float] = {}
    e5_series: dict[datetime, float] = {}
    peak = r.uniform(40, 70)  # checkouts a minute at the daily peak
    for t in kr.minutes(start, now):
        shape = kr.day_shape(t, tz_off)
        orders = max(1, int(kr.noisy(k, peak * shape, 0.15)))
        broken = t >= o_min
        share = (
            1.0 if t > o_min else ((t + timedelta(minutes=1) - onset).total_seconds() / 60 if broken else 0.0)
        )
        share = max(0.0, min(1.0, share))
        card = int(orders * 0.86)
        card_fail = int(card * share) + (1 if r.random() < 0.1 and not broken else 0)
        declines = int(card * 0.04 * r.uniform(0.5, 1.5)) if not broken else int(card * (1 - share) * 0.04)
        other_rq = int(kr.noisy(k, peak * shape * 9, 0.08))  # basket, address, shipping-quote calls
        rq = orders + other_rq
        e5 = card_fail  # the API answers 502 payment_provider_unavailable
        lbd = {"LoadBalancer": lb_dim}
        d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        for dd in (lbd, d):
            metrics.append(kr.datum(ns, "RequestCount", dd, t, "Count", rq))
            metrics.append(kr.datum(ns, "HTTPCode_Target_2XX_Count", dd, t, "Count", rq - e5 - declines))
            if declines:
                metrics.append(kr.datum(ns, "HTTPCode_Target_4XX_Count", dd, t, "Count", declines))
            if e5:
                metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", dd, t, "Count", e5))
            metrics.append(
                kr.latency_p(
                    k,
                    ns,
                    "TargetResponseTime",
                    dd,
                    t,
                    rq,
                    0.09 if not broken else 0.07,
                    0.9 if not broken else 0.45,
                )
            )
        if e5:
            e5_series[t] = float(e5)
        metrics.append(kr.datum(ns, "HealthyHostCount", d, t, "Count", n_tasks))
        metrics.append(kr.datum(ns, "UnHealthyHostCount", d, t, "Count", 0))
        # embedded-metric-format counters published by the service
        pd = {"Service": svc, "Provider": "payvantix"}
        metrics.append(kr.datum(ns_app, "PaymentAttempts", pd, t, "Count", card))
        metrics.append(
            kr.datum(ns_app, "PaymentAuthorized", pd, t, "Count", max(0, card - card_fail - declines))
        )
        metrics.append(kr.datum(ns_app, "PaymentDeclined", pd, t, "Count", declines))
        metrics.append(kr.datum(ns_app, "PaymentProviderErrors", pd, t, "Count", card_fail))
        if card_fail:
            fail_series[t] = float(card_fail)
        metrics.append(
            kr.latency_p(
                k,
                ns_app,
                "PaymentProviderLatency",
                pd,
                t,
                max(card, 1),
                0.42 if not broken else 0.031,
                0.95 if not broken else 0.06,
            )
        )
        metrics.append(
            kr.datum(
                ns_app, "OrdersPlaced", {"Service": svc}, t, "Count", max(0, orders - card_fail - declines)
            )
        )
        sd = {"ClusterName": cluster, "ServiceName": svc}
        cpu = kr.noisy(k, 9 + 21 * shape, 0.08)
        metrics.append(
            kr.stat(
                "AWS/ECS", "CPUUtilization", sd, t, "Percent", n_tasks, cpu * n_tasks, cpu * 0.9, cpu * 1.1
            )
        )
        metrics.append(
            kr.stat("AWS/ECS", "MemoryUtilization", sd, t, "Percent", n_tasks, 62.0 * n_tasks, 60.0, 64.0)
        )
        nd = {"NatGatewayId": nat_id}
        conns = int(kr.noisy(k, 300 + 900 * shape, 0.07))
        metrics.append(kr.datum("AWS/NATGateway", "ActiveConnectionCount", nd, t, "Count", conns))
        metrics.append(
            kr.datum("AWS/NATGateway", "ConnectionEstablishedCount", nd, t, "Count", int(conns * 0.4))
        )
        metrics.append(
            kr.datum(
                "AWS/NATGateway", "ConnectionAttemptCount", nd, t, "Count", int(conns * 0.4) + r.randint(0, 2)
            )
        )
        metrics.append(
            kr.datum(
                "AWS/NATGateway",
                "BytesOutToDestination",
                nd,
                t,
                "Bytes",
                int(kr.noisy(k, 2.4e6 + 9e6 * shape, 0.1)),
            )
        )
        metrics.append(
            kr.datum(
                "AWS/NATGateway",
                "BytesInFromDestination",
                nd,
                t,
                "Bytes",
                int(kr.noisy(k, 8e6 + 3.1e7 * shape, 0.1)),
            )
        )
        metrics.append(kr.datum("AWS/NATGateway", "ErrorPortAllocation", nd, t, "Count", 0))
        metrics.append(kr.datum("AWS/NATGateway", "PacketsDropCount", nd, t, "Count", 0))

    # --- alarms -----------------------------------------------------------------------------------
    topic = "bl-checkout-oncall"
    topic_arn = k.arn("sns", topic)
    acreated = created + timedelta(days=40, hours=2)
    a_pay = kr.Alarm(
        k,
        "checkout-payment-provider-errors",
        "Payment provider errors from checkout-svc above 5/min for 3 minutes",
        ns_app,
        "PaymentProviderErrors",
        {"Service": svc, "Provider": "payvantix"},
        "Sum",
        60,
        3,
        5.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        missing="notBreaching",
    )
    a_pay.evaluate(fail_series, start, now)
    a_5 = kr.Alarm(
        k,
        "bl-checkout-5xx",
        "checkout-svc 5xx above 10/min",
        ns,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Sum",
        60,
        5,
        10.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        datapoints_to_alarm=3,
        missing="notBreaching",
    )
    a_5.evaluate(e5_series, start, now)
    a_cpu = kr.Alarm(
        k,
        "bl-checkout-cpu-high",
        "checkout-svc CPU above 75%",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": svc},
        "Average",
        300,
        2,
        75.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
    )
    a_cpu.evaluate({t: 20.0 for t in kr.minutes(start, now, 300)}, start, now)
    a_nat = kr.Alarm(
        k,
        "bl-nat-port-allocation",
        "NAT gateway port allocation errors",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": nat_id},
        "Sum",
        60,
        1,
        0.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
    )
    a_nat.evaluate({t: 0.0 for t in kr.minutes(start, now)}, start, now)
    alarms = [a_pay, a_5, a_cpu, a_nat]

    # --- resources ----------------------------------------------------------------------------------
    resources: list[Json] = [lb, tg]
    own_cert = k.arn("acm", f"certificate/{k.uuid()}")
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}"),
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": own_cert}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        }
    )
    cert_issued = day - timedelta(days=r.randint(20, 60))
    resources.append(
        {
            "service": "acm",
            "type": "CertificateDetail",
            "item": {
                "CertificateArn": own_cert,
                "DomainName": "shop.brightloom.com",
                "SubjectAlternativeNames": ["shop.brightloom.com", "www.brightloom.com"],
                "ManagedBy": "",
                "Serial": ":".join(k.hex(2) for _ in range(16)),
                "Subject": "CN=shop.brightloom.com",
                "Issuer": "Amazon",
                "CreatedAt": kr.iso(created),
                "IssuedAt": kr.iso(cert_issued),
                "Status": "ISSUED",
                "NotBefore": kr.iso(cert_issued.replace(hour=0, minute=0, second=0)),
                "NotAfter": kr.iso(cert_issued.replace(hour=23, minute=59, second=59) + timedelta(days=395)),
                "KeyAlgorithm": "RSA-2048",
                "SignatureAlgorithm": "SHA256WITHRSA",
                "InUseBy": [lb_arn],
                "Type": "AMAZON_ISSUED",
                "RenewalEligibility": "ELIGIBLE",
                "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
                "ExtendedKeyUsages": [
                    {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                    {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
                ],
                "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
            },
        }
    )
    resources += net.resources()
    resources.append(
        kr.security_group(k, alb_sg, "bl-shop-alb", "Public HTTPS", net.vpc, [(443, "0.0.0.0/0")])
    )
    resources.append(
        kr.security_group(k, task_sg, "bl-checkout-svc", "checkout-svc tasks", net.vpc, [(8080, alb_sg)])
    )
    eip = k.ip(False)
    resources.append(
        {
            "service": "ec2",
            "type": "NatGateway",
            "item": {
                "CreateTime": kr.iso(created),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": "eipalloc-0" + k.hex(16),
                        "NetworkInterfaceId": k.rid("eni"),
                        "PrivateIp": f"10.88.48.{r.randint(4, 250)}",
                        "PublicIp": eip,
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nat_id,
                "State": "available",
                "SubnetId": net.public[0],
                "VpcId": net.vpc,
                "Tags": [{"Key": "Name", "Value": "brightloom-prod-nat"}],
                "ConnectivityType": "public",
            },
        }
    )
    env = [
        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
        {"name": "PAYVANTIX_BASE_URL", "value": f"https://{PROVIDER}"},
        {"name": "PAYVANTIX_TIMEOUT_MS", "value": "8000"},
        {"name": "PAYMENT_FALLBACK_PROVIDER", "value": "corvalis"},
        {"name": "PAYMENT_FALLBACK_ENABLED", "value": "false"},
        {"name": "CORVALIS_BASE_URL", "value": "https://gateway.corvalispay.com"},
        {"name": "PARCELHUB_BASE_URL", "value": "https://rates.parcelhub.io"},
    ]
    secret_arn = k.arn("secretsmanager", f"secret:checkout/payvantix-api-key-{k.hex(6)}")
    resources.append(
        {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": td_arn,
                "containerDefinitions": [
                    {
                        "name": svc,
                        "image": image,
                        "cpu": 0,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "essential": True,
                        "environment": env,
                        "secrets": [{"name": "PAYVANTIX_API_KEY", "valueFrom": secret_arn}],
                        "mountPoints": [],
                        "volumesFrom": [],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{svc}",
                                "awslogs-region": k.region,
                                "awslogs-stream-prefix": "ecs",
                                "awslogs-multiline-pattern": "^\\d{4}-\\d{2}-\\d{2}T",
                            },
                        },
                        "systemControls": [],
                    },
                    {
                        "name": "xray-daemon",
                        "image": "public.ecr.aws/xray/aws-xray-daemon:3.3.13",
                        "cpu": 32,
                        "portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}],
                        "essential": False,
                        "environment": [],
                        "mountPoints": [],
                        "volumesFrom": [],
                    },
                ],
                "family": svc,
                "taskRoleArn": f"arn:aws:iam::{k.account}:role/bl-checkout-svc-task",
                "executionRoleArn": f"arn:aws:iam::{k.account}:role/bl-ecs-execution",
                "networkMode": "awsvpc",
                "revision": td_rev,
                "volumes": [],
                "status": "ACTIVE",
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": kr.iso(deploy_at - timedelta(minutes=4)),
                "registeredBy": f"arn:aws:sts::{k.account}:assumed-role/bl-github-deploy/GitHubActions",
            },
        }
    )
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 17,
                "pendingTasksCount": 0,
                "activeServicesCount": 6,
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    dep_id = "ecs-svc/" + str(r.randint(10**18, 10**19 - 1))
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": svc, "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": n_tasks,
                "runningCount": n_tasks,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
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
                        "desiredCount": n_tasks,
                        "pendingCount": 0,
                        "runningCount": n_tasks,
                        "failedTasks": 0,
                        "createdAt": kr.iso(deploy_at),
                        "updatedAt": kr.iso(deploy_at + timedelta(minutes=6)),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                    }
                ],
                "events": [],
                "createdAt": kr.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": net.private,
                        "securityGroups": [task_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableExecuteCommand": False,
            },
        }
    )
    for tid, az_i, started, ip in tasks:
        arn_ = k.arn("ecs", f"task/{cluster}/{tid}")
        resources.append(
            {
                "service": "ecs",
                "type": "Task",
                "item": {
                    "availabilityZone": k.azs[az_i],
                    "clusterArn": cluster_arn,
                    "connectivity": "CONNECTED",
                    "containers": [
                        {
                            "taskArn": arn_,
                            "name": svc,
                            "image": image,
                            "imageDigest": digest,
                            "lastStatus": "RUNNING",
                            "healthStatus": "HEALTHY",
                            "networkInterfaces": [{"attachmentId": k.uuid(), "privateIpv4Address": ip}],
                        }
                    ],
                    "cpu": "1024",
                    "memory": "2048",
                    "createdAt": kr.iso(started - timedelta(seconds=50)),
                    "desiredStatus": "RUNNING",
                    "group": f"service:{svc}",
                    "healthStatus": "HEALTHY",
                    "lastStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "startedAt": kr.iso(started),
                    "startedBy": dep_id,
                    "taskArn": arn_,
                    "taskDefinitionArn": td_arn,
                    "version": 3,
                },
            }
        )
    resources.append(
        {
            "service": "secretsmanager",
            "type": "SecretListEntry",
            "item": {
                "ARN": secret_arn,
                "Name": "checkout/payvantix-api-key",
                "Description": "Payvantix live API key for checkout-svc",
                "LastChangedDate": kr.iso(day - timedelta(days=r.randint(120, 300))),
                "LastAccessedDate": kr.iso(day.replace(hour=0, minute=0, second=0)),
                "Tags": [{"Key": "service", "Value": svc}],
                "SecretVersionsToStages": {k.uuid(): ["AWSCURRENT"]},
                "CreatedDate": kr.iso(created),
            },
        }
    )
    resources.append(kr.sns_topic(k, topic))
    resources.append(kr.log_group(k, f"/ecs/{svc}", created, 30))
    resources.append(kr.log_group(k, "/ecs/catalog-svc", created, 30))
    events: list[Json] = [
        kr.th(tg_arn, ip, 8080, "healthy", started + timedelta(minutes=1), az=k.azs[az_i])
        for _tid, az_i, started, ip in tasks
    ]
    steady = start + timedelta(minutes=r.randint(5, 100))
    while steady < now:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {
                        "id": k.uuid(),
                        "createdAt": kr.iso(steady),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            }
        )
        steady += timedelta(hours=6)

    # --- CloudTrail -------------------------------------------------------------------------------
    eng = k.sso("AdministratorAccess", "kwame.asante@brightloom.com")
    eng_ip = k.ip(False)
    dev = k.sso("PowerUserAccess", "lena.hoffmann@brightloom.com")
    dev_ip = k.ip(False)
    ci = k.role("bl-github-deploy", "GitHubActions")
    ci_ip = k.ip(False)
    monitor = k.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    ct = kr.routine_trail(
        k, start, now, 32, kr.common_templates(k, monitor, [(eng, eng_ip), (dev, dev_ip)], "bl-bastion")
    )
    parcel_secret = k.arn("secretsmanager", f"secret:checkout/parcelhub-api-key-{k.hex(6)}")
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(9, 22), seconds=r.randint(0, 59)),
            "secretsmanager.amazonaws.com",
            "PutSecretValue",
            dev,
            {"secretId": parcel_secret, "clientRequestToken": k.uuid()},
            {
                "arn": parcel_secret,
                "name": "checkout/parcelhub-api-key",
                "versionId": k.uuid(),
                "versionStages": ["AWSCURRENT"],
            },
            read_only=False,
            ua=kr.CONSOLE_UA,
            ip=dev_ip,
        )
    )
    extra_cert = k.arn("acm", f"certificate/{k.uuid()}")
    listener_arn = resources[2]["item"]["ListenerArn"]
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(23, 29)),
            "elasticloadbalancing.amazonaws.com",
            "AddListenerCertificates",
            eng,
            {"listenerArn": listener_arn, "certificates": [{"certificateArn": extra_cert}]},
            {"certificates": [{"certificateArn": extra_cert, "isDefault": False}]},
            read_only=False,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    t_dep = onset + timedelta(minutes=r.randint(3, 12))
    crev = r.randint(80, 200)
    ct.append(
        kr.trail(
            k,
            t_dep,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            ci,
            {
                "family": "catalog-svc",
                "containerDefinitions": [
                    {
                        "name": "catalog-svc",
                        "image": f"{registry}/catalog-svc:{day:%Y%m%d}-{k.hex(8)}",
                        "essential": True,
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": "512",
                "memory": "1024",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": k.arn("ecs", f"task-definition/catalog-svc:{crev}"),
                    "family": "catalog-svc",
                    "revision": crev,
                    "status": "ACTIVE",
                }
            },
            read_only=False,
            ua="aws-sdk-js/3.699.0 ua/2.1 os/linux lang/js md/nodejs#20.18.1 api/ecs#3.699.0",
            ip=ci_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            t_dep + timedelta(seconds=9),
            "ecs.amazonaws.com",
            "UpdateService",
            ci,
            {"cluster": cluster, "service": "catalog-svc", "taskDefinition": f"catalog-svc:{crev}"},
            {
                "service": {
                    "serviceArn": k.arn("ecs", f"service/{cluster}/catalog-svc"),
                    "serviceName": "catalog-svc",
                    "desiredCount": 3,
                    "taskDefinition": k.arn("ecs", f"task-definition/catalog-svc:{crev}"),
                }
            },
            read_only=False,
            ua="aws-sdk-js/3.699.0 ua/2.1 os/linux lang/js md/nodejs#20.18.1 api/ecs#3.699.0",
            ip=ci_ip,
        )
    )
    task_role = k.role("bl-checkout-svc-task", k.hex(32), invoked_by=None)
    for _ in range(3):
        ct.append(
            kr.trail(
                k,
                start + timedelta(minutes=r.randint(5, 230)),
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                task_role,
                {"secretId": secret_arn},
                None,
                read_only=True,
                ua="aws-sdk-java/2.29.20 Linux/5.10.228 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy",
                ip=f"10.88.{r.randint(0, 47)}.{r.randint(4, 250)}",
            )
        )
    ct.append(
        kr.trail(
            k,
            onset + timedelta(minutes=r.randint(14, 24)),
            "logs.amazonaws.com",
            "StartQuery",
            eng,
            {
                "logGroupNames": [f"/ecs/{svc}"],
                "startTime": int(onset.timestamp()) - 1800,
                "endTime": int(onset.timestamp()) + 900,
                "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 50",
            },
            {"queryId": k.uuid()},
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    ct = [c for c in ct if c["eventTime"] <= kr.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs and traces ------------------------------------------------------------------------------
    not_after = onset.strftime("%a %b %d %H:%M:%S UTC %Y")
    logs: list[Json] = []
    traces: list[Json] = []
    threads = [f"nio-8080-exec-{i}" for i in range(1, 21)]

    def line(t: datetime, level: str, logger: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z {level:>5} 1 --- [{svc}] [{r.choice(threads):>15}] {logger:<40} : {msg}"

    for t in kr.minutes(start, now):
        shape = kr.day_shape(t, tz_off)
        n_orders = max(1, int(peak * shape * 0.08 * r.uniform(0.6, 1.4)))
        for _ in range(n_orders):
            tid, _az, _s, _ip = r.choice(tasks)
            stream = f"ecs/{svc}/{tid}"
            lt = t + timedelta(seconds=r.uniform(0, 59.9))
            order = f"BL-{r.randint(40_000_000, 49_999_999)}"
            trace_id = f"1-{int(lt.timestamp()):08x}-{k.hex(24)}"
            failed = lt >= onset
            if not failed:
                lat = r.uniform(0.28, 0.9)
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt),
                        "message": line(
                            lt,
                            "INFO",
                            "c.b.checkout.payment.PayvantixClient",
                            f"charge authorized order={order} amount={r.randint(35, 180)}.{r.randint(0, 99):02d} USD ch_{k.hex(24)} in {int(lat * 1000)}ms",
                        ),
                    }
                )
                lt2 = lt + timedelta(seconds=lat + 0.04)
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt2),
                        "message": line(
                            lt2,
                            "INFO",
                            "c.b.checkout.service.CheckoutService",
                            f"order placed order={order} items={r.randint(1, 4)} delivery={r.choice(['next-day', 'same-day', 'scheduled'])}",
                        ),
                    }
                )
            else:
                lat = r.uniform(0.02, 0.05)
                lt2 = lt + timedelta(seconds=lat)
                msg = line(
                    lt2, "ERROR", "c.b.checkout.payment.PayvantixClient", f"charge failed order={order}"
                ) + (
                    "\n\norg.springframework.web.client.ResourceAccessException: I/O error on POST request for "
                    f'"https://{PROVIDER}/v2/charges": PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\n'
                    "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:915)\n"
                    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)\n"
                    "\tat org.springframework.web.client.RestTemplate.execute(RestTemplate.java:790)\n"
                    "\tat org.springframework.web.client.RestTemplate.postForEntity(RestTemplate.java:540)\n"
                    "\tat com.brightloom.checkout.payment.PayvantixClient.charge(PayvantixClient.java:74)\n"
                    "\tat com.brightloom.checkout.service.CheckoutService.placeOrder(CheckoutService.java:131)\n"
                    "\tat com.brightloom.checkout.web.CheckoutController.submit(CheckoutController.java:58)\n"
                    "\t... 48 common frames omitted\n"
                    "Caused by: javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed\n"
                    "\tat java.base/sun.security.ssl.Alert.createSSLException(Alert.java:130)\n"
                    "\tat java.base/sun.security.ssl.TransportContext.fatal(TransportContext.java:383)\n"
                    "\tat java.base/sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts(CertificateMessage.java:1302)\n"
                    "\tat java.base/sun.security.ssl.SSLSocketImpl.startHandshake(SSLSocketImpl.java:451)\n"
                    "\tat org.apache.hc.client5.http.ssl.SSLConnectionSocketFactory.createLayeredSocket(SSLConnectionSocketFactory.java:321)\n"
                    "\t... 61 common frames omitted\n"
                    "Caused by: java.security.cert.CertPathValidatorException: validity check failed\n"
                    "\tat java.base/sun.security.provider.certpath.PKIXMasterCertPathValidator.validate(PKIXMasterCertPathValidator.java:135)\n"
                    "\tat java.base/sun.security.provider.certpath.PKIXCertPathValidator.validate(PKIXCertPathValidator.java:224)\n"
                    "\t... 70 common frames omitted\n"
                    f"Caused by: java.security.cert.CertificateExpiredException: NotAfter: {not_after}\n"
                    "\tat java.base/sun.security.x509.CertificateValidity.valid(CertificateValidity.java:182)\n"
                    "\tat java.base/sun.security.x509.X509CertImpl.checkValidity(X509CertImpl.java:619)\n"
                    "\tat java.base/sun.security.provider.certpath.BasicChecker.verifyValidity(BasicChecker.java:190)\n"
                    "\t... 72 common frames omitted"
                )
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt2),
                        "message": msg,
                    }
                )
                lt3 = lt2 + timedelta(milliseconds=3)
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt3),
                        "message": line(
                            lt3,
                            "WARN",
                            "c.b.checkout.web.CheckoutController",
                            f"responding 502 payment_provider_unavailable order={order}",
                        ),
                    }
                )
            if r.random() < 0.35:
                seg_id, sub_id = k.hex(16), k.hex(16)
                t0 = lt.timestamp() - 0.012
                sub: Json = {
                    "id": sub_id,
                    "name": PROVIDER,
                    "start_time": round(lt.timestamp(), 3),
                    "end_time": round(lt.timestamp() + lat, 3),
                    "namespace": "remote",
                    "http": {"request": {"method": "POST", "url": f"https://{PROVIDER}/v2/charges"}},
                }
                if failed:
                    sub["fault"] = True
                    sub["cause"] = {
                        "working_directory": "/app",
                        "exceptions": [
                            {
                                "id": k.hex(16),
                                "message": "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
                                "type": "javax.net.ssl.SSLHandshakeException",
                                "remote": True,
                            }
                        ],
                    }
                else:
                    sub["http"]["response"] = {"status": 200, "content_length": r.randint(600, 900)}
                seg: Json = {
                    "id": seg_id,
                    "trace_id": trace_id,
                    "name": svc,
                    "start_time": round(t0, 3),
                    "end_time": round(lt.timestamp() + lat + 0.06, 3),
                    "origin": "AWS::ECS::Container",
                    "http": {
                        "request": {
                            "method": "POST",
                            "url": "https://shop.brightloom.com/api/checkout/orders",
                            "client_ip": k.ip(False),
                            "user_agent": r.choice(kr.BROWSERS),
                        },
                        "response": {"status": 502 if failed else 201},
                    },
                    "aws": {
                        "ecs": {"container": f"ip-{_ip.replace('.', '-')}.ec2.internal", "container_id": tid}
                    },
                    "subsegments": [sub],
                }
                if failed:
                    seg["fault"] = True
                traces.append(seg)
        # the other third party keeps working
        if r.random() < 0.5:
            tid = r.choice(tasks)[0]
            lt = t + timedelta(seconds=r.uniform(0, 59.9))
            logs.append(
                {
                    "log_group": f"/ecs/{svc}",
                    "log_stream": f"ecs/{svc}/{tid}",
                    "timestamp": kr.ms(lt),
                    "message": line(
                        lt,
                        "INFO",
                        "c.b.checkout.shipping.ParcelhubClient",
                        f"rates fetched postcode={r.randint(10000, 99999)} options={r.randint(2, 5)} in {r.randint(90, 400)}ms",
                    ),
                }
            )
        if t.minute % 31 == 7:
            tid = r.choice(tasks)[0]
            logs.append(
                {
                    "log_group": f"/ecs/{svc}",
                    "log_stream": f"ecs/{svc}/{tid}",
                    "timestamp": kr.ms(t + timedelta(seconds=22)),
                    "message": line(
                        t + timedelta(seconds=22),
                        "WARN",
                        "o.h.engine.jdbc.spi.SqlExceptionHelper",
                        'SQL Warning Code: 0, SQLState: 00000 -- relation "order_audit" row lock wait 812 ms',
                    ),
                }
            )
    logs = [x for x in logs if x["timestamp"] <= kr.ms(now)]
    logs.sort(key=lambda x: (x["log_stream"], x["timestamp"]))
    traces = [s for s in traces if s["end_time"] <= now.timestamp()]

    hist = [kr.created_history(a) for a in alarms] + [h for a in alarms for h in a.history]
    q_local = (onset + timedelta(minutes=r.randint(1, 4))).astimezone(zone)
    question = f"customers can't pay by card since about {q_local.strftime('%-I:%M%p').lower()}, checkout shows 'payment could not be processed'. did something change on our side?"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": kr.iso(start),
            "end": kr.iso(now),
            "now": kr.iso(now),
            "trigger": {"question": question, "alarm_event": a_pay.event(), "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": PROVIDER,
                    "category": "dependency_failure",
                    "failure_mode": "third-party-tls-certificate-expired",
                    "event_id": None,
                },
                "also_accept": ["payvantix", f"https://{PROVIDER}", "Payvantix"],
                "actions": ["reconfigure"],
                "chain": [
                    f"the TLS certificate served by {PROVIDER} expired at {kr.iso(onset)} on the provider's side",
                    f"every charge call from {svc} fails PKIX validation (CertificateExpiredException)",
                    f"{svc} answers 502 payment_provider_unavailable; HTTPCode_Target_5XX_Count on bl-checkout-svc rises",
                    "checkout-payment-provider-errors alarm fires; orders stop",
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
            "traces": traces,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
