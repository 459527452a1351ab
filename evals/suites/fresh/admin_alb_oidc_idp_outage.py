"""Support staff cannot sign in to the internal admin console: the ALB's authenticate-oidc action gets
errors and timeouts from the company's Okta tenant, so new logins and token refreshes end in HTTP 561."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzw import (
    Kit,
    acm_cert,
    alias_record,
    hosted_zone,
    iso,
    lb_dim,
    load_balancer,
    minutes,
    target_group,
    tg_dim,
)

NAME = "admin-console-alb-oidc-idp-errors"
TITLE = "Support team getting a 561 error page on the admin console this morning"
SUMMARY = (
    "The company's Okta tenant returns errors and times out; the admin ALB's authenticate-oidc action "
    "answers 561 to every new login and token refresh while already-signed-in sessions keep working."
)

ELB = "elasticloadbalancing.amazonaws.com"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    rng = k.rng
    brand = rng.choice(["quillpay", "harborline", "nimbusdesk", "copperleaf"])
    domain = f"{brand}.com"
    idp = f"{brand}.okta.com"
    day = k.day()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset = day.replace(hour=rng.randint(13, 15), minute=rng.randint(0, 55), second=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=45)).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(38, 55))
    recover = now + timedelta(hours=1)

    vpc = "vpc-0" + k.hex(16)
    subnets = [(f"us-east-1{z}", "subnet-0" + k.hex(16)) for z in ("a", "b", "d")]
    admin_sg = "sg-0" + k.hex(16)
    lb = load_balancer(k, "admin-prod", vpc, subnets, admin_sg, day - timedelta(days=700))
    tg = target_group(k, "admin-console", lb, 8000, "/healthz")
    cert = acm_cert(
        k,
        f"admin.{domain}",
        [f"admin.{domain}"],
        day - timedelta(days=rng.randint(40, 300)),
        [lb["LoadBalancerArn"]],
    )
    client_id = "0oa" + k.upper(17, "abcdefghijklmnopqrstuvwxyz0123456789")
    listener = k.arn(
        "elasticloadbalancing", f"listener/app/admin-prod/{lb_dim(lb).split('/')[-1]}/{k.hex(16)}"
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener,
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": cert["CertificateArn"]}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [
                {
                    "Type": "authenticate-oidc",
                    "Order": 1,
                    "AuthenticateOidcConfig": {
                        "Issuer": f"https://{idp}",
                        "AuthorizationEndpoint": f"https://{idp}/oauth2/v1/authorize",
                        "TokenEndpoint": f"https://{idp}/oauth2/v1/token",
                        "UserInfoEndpoint": f"https://{idp}/oauth2/v1/userinfo",
                        "ClientId": client_id,
                        "SessionCookieName": "AWSELBAuthSessionCookie",
                        "Scope": "openid profile email",
                        "SessionTimeout": 43200,
                        "OnUnauthenticatedRequest": "authenticate",
                    },
                },
                {"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"], "Order": 2},
            ],
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": k.arn(
                "elasticloadbalancing", f"listener/app/admin-prod/{lb_dim(lb).split('/')[-1]}/{k.hex(16)}"
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
    zone = hosted_zone(k, domain, 31)
    alias_record(k, zone, f"admin.{domain}", "dualstack." + lb["DNSName"], lb["CanonicalHostedZoneId"])
    k.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": admin_sg,
            "GroupName": "admin-prod-alb",
            "Description": "admin console ALB - office and VPN only",
            "OwnerId": k.account,
            "VpcId": vpc,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [
                        {"CidrIp": "203.0.113.0/26", "Description": "HQ office"},
                        {"CidrIp": "198.51.100.32/28", "Description": "VPN egress"},
                        {"CidrIp": "192.0.2.128/27", "Description": "Lisbon support office"},
                    ],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "IpRanges": [{"CidrIp": "203.0.113.0/26", "Description": "HQ office"}],
                },
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        },
    )
    cluster = f"{brand}-internal"
    svc_arn = k.arn("ecs", f"service/{cluster}/admin-console")
    rev = rng.randint(60, 300)
    deploy_t = onset - timedelta(minutes=rng.randint(22, 35))
    td_new = k.arn("ecs", f"task-definition/admin-console:{rev + 1}")
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "admin-console",
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [
                {
                    "targetGroupArn": tg["TargetGroupArn"],
                    "containerName": "admin-console",
                    "containerPort": 8000,
                }
            ],
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": td_new,
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": td_new,
                    "desiredCount": 2,
                    "pendingCount": 0,
                    "runningCount": 2,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_t),
                    "updatedAt": iso(deploy_t + timedelta(minutes=5)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(day - timedelta(days=690)),
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
        },
    )
    fn = "okta-user-sync"
    fn_role = f"arn:aws:iam::{k.account}:role/okta-user-sync-role"
    k.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": k.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": fn_role,
            "Handler": "sync.handler",
            "CodeSize": rng.randint(2_000_000, 6_000_000),
            "Description": "Mirror Okta group membership into admin-console roles",
            "Timeout": 120,
            "MemorySize": 256,
            "LastModified": (day - timedelta(days=rng.randint(20, 90))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "Version": "$LATEST",
            "Environment": {
                "Variables": {
                    "OKTA_ORG_URL": f"https://{idp}",
                    "OKTA_TOKEN_SECRET": "okta/api-token",
                    "LOG_LEVEL": "INFO",
                }
            },
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )
    secret_arn = k.arn(
        "secretsmanager",
        f"secret:okta/api-token-{k.upper(6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "okta/api-token",
            "Description": "Okta API token for okta-user-sync",
            "LastChangedDate": iso(day - timedelta(days=60)),
            "LastAccessedDate": iso(day.replace(hour=0, minute=0, second=0)),
            "CreatedDate": iso(day - timedelta(days=400)),
        },
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    gh = "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.4 cfg/retry-mode#legacy Botocore/1.34.144"
    k.ct(
        deploy_t - timedelta(seconds=15),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "admin-console",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": "admin-console",
                "revision": rev + 1,
                "status": "ACTIVE",
            }
        },
        agent=gh,
        ip="20.102.33.51",
    )
    k.ct(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": cluster,
            "service": "admin-console",
            "taskDefinition": td_new,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "admin-console",
                "taskDefinition": td_new,
                "desiredCount": 2,
            }
        },
        agent=gh,
        ip="20.102.33.51",
    )
    netadm = k.role_identity(
        "AWSReservedSSO_NetworkAdmin_" + k.hex(16), rng.choice(["tbrennan", "ykaur", "mduarte"])
    )
    sg_t = onset - timedelta(minutes=rng.randint(60, 95))
    k.ct(
        sg_t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        netadm,
        {
            "groupId": admin_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": "192.0.2.128/27", "description": "Lisbon support office"}]
                        },
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
                        "groupId": admin_sg,
                        "securityGroupRuleId": "sgr-0" + k.hex(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": "192.0.2.128/27",
                        "description": "Lisbon support office",
                    }
                ]
            },
        },
        agent="console.ec2.amazonaws.com",
        ip="203.0.113.14",
    )
    lam = k.role_identity("okta-user-sync-role", fn)
    runs = minutes(start.replace(minute=(start.minute // 15) * 15) + timedelta(minutes=15), now, 15)
    for t in runs:
        k.ct(
            t + timedelta(seconds=1),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            lam,
            {"secretId": "okta/api-token"},
            None,
            read_only=True,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.223 md/arch#aarch64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
            ip="54.89.211.70",
        )
    reads = [
        (ELB, "DescribeLoadBalancers", None),
        (ELB, "DescribeListeners", {"loadBalancerArn": lb["LoadBalancerArn"]}),
        (ELB, "DescribeRules", {"listenerArn": listener}),
        (ELB, "DescribeTargetHealth", {"targetGroupArn": tg["TargetGroupArn"]}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["admin-console"]}),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("acm.amazonaws.com", "ListCertificates", None),
    ]
    k.readonly_noise(start, now, reads, 26)

    # --- target health -----------------------------------------------------------------------------
    for i in range(2):
        az = subnets[i][0]
        old = {
            "Id": f"10.{rng.randint(40, 49)}.{i * 16 + 3}.{rng.randint(10, 250)}",
            "Port": 8000,
            "AvailabilityZone": az,
        }
        new = {
            "Id": f"10.{rng.randint(40, 49)}.{i * 16 + 5}.{rng.randint(10, 250)}",
            "Port": 8000,
            "AvailabilityZone": az,
        }
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": old,
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": old,
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
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": old,
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(deploy_t + timedelta(minutes=9)),
                },
            }
        )
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg["TargetGroupArn"],
                    "target": new,
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
                    "target": new,
                    "health": {"State": "healthy"},
                    "timestamp": iso(deploy_t + timedelta(minutes=3)),
                },
            }
        )

    # --- metrics -------------------------------------------------------------------------------------
    times = minutes(start, now + timedelta(minutes=1))
    cut = onset.replace(second=0)

    def out(t: datetime) -> bool:
        return cut <= t < recover

    def workday(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return max(0.25, min(1.0, (h - 11.5) / 2.5))  # US east coast staff logging on

    dim = {"LoadBalancer": lb_dim(lb)}
    logins = {t: max(0, round(rng.uniform(2, 9) * workday(t))) for t in times}
    refresh = {t: max(0, round(rng.uniform(1, 5) * workday(t))) for t in times}
    base_req = {t: round(rng.uniform(90, 150) * workday(t)) for t in times}
    errs = {t: (logins[t] + refresh[t] + rng.randint(3, 9)) if out(t) else 0 for t in times}
    served = {t: round(base_req[t] * (0.55 if out(t) else 1.0)) for t in times}
    k.series("AWS/ApplicationELB", "RequestCount", dim, "Count", times, lambda t: served[t] + errs[t], 0)
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(served[t] * 0.94),
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_3XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(served[t] * 0.04) or None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        dim,
        "Count",
        times,
        lambda t: round(served[t] * 0.02) or None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_3XX_Count",
        dim,
        "Count",
        times,
        lambda t: (logins[t] * 2 + rng.randint(0, 3)) or None,
        0,
    )
    k.series(
        "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dim, "Count", times, lambda t: errs[t] or None, 0
    )
    k.series(
        "AWS/ApplicationELB",
        "ELBAuthSuccess",
        dim,
        "Count",
        times,
        lambda t: None if out(t) or not logins[t] else logins[t],
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "ELBAuthRefreshTokenSuccess",
        dim,
        "Count",
        times,
        lambda t: None if out(t) or not refresh[t] else refresh[t],
        0,
    )
    k.series("AWS/ApplicationELB", "ELBAuthError", dim, "Count", times, lambda t: errs[t] or None, 0)
    k.series(
        "AWS/ApplicationELB",
        "ELBAuthFailure",
        dim,
        "Count",
        times,
        lambda t: 1 if rng.random() < 0.03 else None,
        0,
    )
    k.series(
        "AWS/ApplicationELB",
        "ELBAuthLatency",
        dim,
        "Milliseconds",
        times,
        lambda t: (
            rng.uniform(4300, 5000)
            if out(t)
            else (rng.uniform(180, 420) if logins[t] or refresh[t] else None)
        ),
        1,
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dim,
        "Seconds",
        times,
        lambda t: 0.06 + abs(k.noise(0.015)),
        4,
    )
    tgd = {**dim, "TargetGroup": tg_dim(tg)}
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", times, lambda t: 2.0, 0)
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", times, lambda t: 0.0, 0)
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "admin-console"},
        "Percent",
        times,
        lambda t: 9 * workday(t) + 3 + k.noise(1),
    )
    fdim = {"FunctionName": fn}
    run_set = set(runs)
    k.series("AWS/Lambda", "Invocations", fdim, "Count", times, lambda t: 1.0 if t in run_set else None, 0)
    k.series(
        "AWS/Lambda",
        "Errors",
        fdim,
        "Count",
        times,
        lambda t: (1.0 if out(t) else 0.0) if t in run_set else None,
        0,
    )
    k.series(
        "AWS/Lambda",
        "Duration",
        fdim,
        "Milliseconds",
        times,
        lambda t: (
            (rng.uniform(31000, 33000) if out(t) else rng.uniform(2400, 5200)) if t in run_set else None
        ),
        1,
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic = k.arn("sns", "internal-tools-oncall")
    t_al = cut + timedelta(minutes=3)
    vals = [errs[t_al - timedelta(minutes=m)] for m in (1, 2, 3)]
    reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{vals[0]:.1f} ({t_al - timedelta(minutes=1):%d/%m/%y %H:%M:%S}), {vals[1]:.1f} ({t_al - timedelta(minutes=2):%d/%m/%y %H:%M:%S}), {vals[2]:.1f} ({t_al - timedelta(minutes=3):%d/%m/%y %H:%M:%S})] were greater than or equal to the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition)."
    a5 = k.alarm(
        "admin-prod-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        dim,
        stat="Sum",
        period=60,
        evals=3,
        threshold=5,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        state_time=t_al,
        reason=reason,
        topic=topic,
        missing="notBreaching",
        description="admin.* load balancer generating 5xx itself (not from targets)",
    )
    k.transition(a5["AlarmName"], t_al, "OK", "ALARM", reason)
    first_fail = min(t for t in runs if out(t))
    t_le = first_fail + timedelta(minutes=1)
    le_reason = f"Threshold Crossed: 1 datapoint [1.0 ({first_fail:%d/%m/%y %H:%M:%S})] was greater than or equal to the threshold (1.0)."
    k.alarm(
        "okta-user-sync-errors",
        "AWS/Lambda",
        "Errors",
        fdim,
        stat="Sum",
        period=900,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        state_time=t_le,
        reason=le_reason,
        topic=k.arn("sns", "internal-tools-slack"),
        missing="notBreaching",
    )
    k.transition("okta-user-sync-errors", t_le, "OK", "ALARM", le_reason)
    k.alarm(
        "admin-console-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        op="GreaterThanThreshold",
        state="OK",
        state_time=start - timedelta(days=15),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (0.0) (minimum 2 datapoints for ALARM -> OK transition).",
        topic=topic,
    )
    k.alarm(
        "admin-console-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dim,
        stat="Sum",
        period=60,
        evals=3,
        threshold=5,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_time=start - timedelta(days=8),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than or equal to the threshold (5.0) (minimum 3 datapoints for ALARM -> OK transition).",
        topic=topic,
        missing="notBreaching",
    )
    # a disk alarm on a bastion that flaps on log rotation
    bastion = "i-0" + k.hex(16)
    k.series(
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": bastion, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
        "Percent",
        minutes(start, now, 5),
        lambda t: 79 + (3.5 if 5 <= (int((t - start).total_seconds()) // 60) % 60 < 25 else 0) + k.noise(0.4),
    )
    flips: list[tuple[datetime, str, str, str]] = []
    for t in minutes(start, now, 60):
        flips.append(
            (
                t + timedelta(minutes=5),
                "OK",
                "ALARM",
                f"Threshold Crossed: 1 datapoint [82.6 ({t + timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (80.0).",
            )
        )
        flips.append(
            (
                t + timedelta(minutes=25),
                "ALARM",
                "OK",
                f"Threshold Crossed: 1 datapoint [79.1 ({t + timedelta(minutes=25):%d/%m/%y %H:%M:%S})] was not greater than the threshold (80.0).",
            )
        )
    flips = [f for f in flips if f[0] <= now]
    for ft, f_old, f_new, why in flips:
        k.transition("bastion-root-disk", ft, f_old, f_new, why)
    k.alarm(
        "bastion-root-disk",
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": bastion, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
        stat="Average",
        period=300,
        evals=1,
        threshold=80,
        op="GreaterThanThreshold",
        state=flips[-1][2],
        state_time=flips[-1][0],
        reason=flips[-1][3],
        topic=k.arn("sns", "internal-tools-slack"),
    )

    # --- logs -----------------------------------------------------------------------------------------
    lg = f"/aws/lambda/{fn}"
    for t in runs:
        rid = k.uuid()
        stream = f"{t:%Y/%m/%d}/[$LATEST]{k.hex(32)}"
        k.log(lg, stream, t, f"START RequestId: {rid} Version: $LATEST")
        k.log(
            lg,
            stream,
            t + timedelta(milliseconds=400),
            f"[INFO]\t{iso(t)}\t{rid}\tsyncing groups from https://{idp} (admin-console-*)",
        )
        if out(t):
            k.log(
                lg,
                stream,
                t + timedelta(seconds=11),
                f"[WARNING]\t{iso(t + timedelta(seconds=11))}\t{rid}\tretrying GET https://{idp}/api/v1/groups?q=admin-console after HTTPSConnectionPool(host='{idp}', port=443): Read timed out. (read timeout=10)",
            )
            k.log(
                lg,
                stream,
                t + timedelta(seconds=21),
                f"[WARNING]\t{iso(t + timedelta(seconds=21))}\t{rid}\tretrying GET https://{idp}/api/v1/groups?q=admin-console after 503 Service Unavailable",
            )
            k.log(
                lg,
                stream,
                t + timedelta(seconds=32),
                f"[ERROR]\t{iso(t + timedelta(seconds=32))}\t{rid}\tokta sync failed: HTTPSConnectionPool(host='{idp}', port=443): Max retries exceeded with url: /api/v1/groups?q=admin-console (Caused by ReadTimeoutError(\"HTTPSConnectionPool(host='{idp}', port=443): Read timed out. (read timeout=10)\"))",
            )
            k.log(
                lg,
                stream,
                t + timedelta(seconds=32),
                '[ERROR] RuntimeError: okta sync failed after 3 attempts\nTraceback (most recent call last):\n  File "/var/task/sync.py", line 88, in handler\n    groups = client.list_groups(q=PREFIX)\n  File "/var/task/sync.py", line 41, in list_groups\n    raise RuntimeError(f"okta sync failed after {attempts} attempts")',
            )
            dur = rng.uniform(31000, 33000)
        else:
            n_users = rng.randint(40, 70)
            k.log(
                lg,
                stream,
                t + timedelta(seconds=2),
                f"[INFO]\t{iso(t + timedelta(seconds=2))}\t{rid}\tfetched 6 groups, {n_users} members; 0 role changes",
            )
            dur = rng.uniform(2400, 5200)
        k.log(lg, stream, t + timedelta(milliseconds=int(dur)), f"END RequestId: {rid}")
        k.log(
            lg,
            stream,
            t + timedelta(milliseconds=int(dur)),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(88, 97)} MB",
        )
    app = "/ecs/admin-console"
    people = ["amartin", "bchoi", "cfernandes", "dnguyen", "eokafor", "fschmidt", "gpatel", "hrossi"]
    ppl = [f"{p}@{domain}" for p in people]
    streams = [f"admin-console/admin-console/{k.hex(32)}" for _ in range(4)]
    for t in times:
        s = streams[0 if t < deploy_t else 2] if rng.random() < 0.5 else streams[1 if t < deploy_t else 3]
        for _ in range(1 if out(t) else 2):
            if rng.random() < workday(t):
                who = rng.choice(ppl[:4] if out(t) else ppl)
                path = rng.choice(
                    [
                        "/tickets",
                        f"/tickets/{rng.randint(100000, 999999)}",
                        f"/customers/{rng.randint(10000, 99999)}",
                        "/refunds/queue",
                        "/search",
                    ]
                )
                k.log(
                    app,
                    s,
                    t + timedelta(seconds=rng.randint(0, 59)),
                    f'INFO [django.server] "GET {path} HTTP/1.1" 200 {rng.randint(2000, 40000)} user={who} oidc_sub=00u{k.hex(14)}',
                )
    for s in streams[2:]:
        k.log(
            app,
            s,
            deploy_t + timedelta(minutes=1),
            "Operations to perform:\n  Apply all migrations: admin, auth, contenttypes, sessions, tickets\nRunning migrations:\n  No migrations to apply.",
        )
        k.log(
            app,
            s,
            deploy_t + timedelta(minutes=1, seconds=4),
            f"[{(deploy_t + timedelta(minutes=1, seconds=4)):%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)",
        )

    tz = "America/New_York"
    local = onset.astimezone(ZoneInfo(tz))
    question = (
        f"A bunch of the support team can't get into admin.{domain} since about {local:%-I:%M}, they get a "
        "white page that just says 561 Authorization Required. People who were already logged in seem ok. "
        "admin-console was deployed just before that - did the release break login?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": k.account,
        "region": k.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": None, "timezone": tz},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": idp,
                "category": "dependency_failure",
                "failure_mode": "oidc-identity-provider-outage",
            },
            "also_accept": [f"https://{idp}", "Okta", f"https://{idp}/oauth2/v1/token"],
            "actions": [],
            "chain": [idp, listener, "admin-prod", f"admin.{domain}"],
        },
    }
    return k.bundle(manifest, now)
