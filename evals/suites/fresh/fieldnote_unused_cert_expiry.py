"""ACM days-to-expiry alarm on a certificate nothing uses any more: no fault."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zd as k

NAME = "fieldnote-api-cert-expiry-alarm"
TITLE = "ACM days-to-expiry alarm for api.fieldnote.app"
SUMMARY = (
    "The DaysToExpiry alarm fires for the old api.fieldnote.app certificate, which has been detached since the "
    "listener moved to a wildcard certificate; ACM will not renew an unused certificate and nothing serves it."
)

JSON = dict[str, Any]


def _cert(
    rng: random.Random,
    account: str,
    region: str,
    domain: str,
    sans: list[str],
    issued: datetime,
    in_use: list[str],
    zone_label: str,
) -> tuple[JSON, list[JSON]]:
    arn = f"arn:aws:acm:{region}:{account}:certificate/{k.uid(rng)}"
    dvo = []
    records: list[JSON] = []
    for name in sans:
        base = name.removeprefix("*.")
        label = "_" + k.hexid(rng, 32)
        rr = {
            "Name": f"{label}.{base}.",
            "Type": "CNAME",
            "Value": f"_{k.hexid(rng, 32)}.{k.hexid(rng, 10)}.acm-validations.aws.",
        }
        dvo.append(
            {
                "DomainName": name,
                "ValidationDomain": name,
                "ValidationStatus": "SUCCESS",
                "ResourceRecord": rr,
                "ValidationMethod": "DNS",
            }
        )
        if not any(r["Name"] == rr["Name"] for r in records):
            records.append(
                {"Name": rr["Name"], "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": rr["Value"]}]}
            )
    item: JSON = {
        "CertificateArn": arn,
        "DomainName": domain,
        "SubjectAlternativeNames": sans,
        "DomainValidationOptions": dvo,
        "Serial": ":".join(k.hexid(rng, 2) for _ in range(16)),
        "Subject": f"CN={domain}",
        "Issuer": "Amazon",
        "CreatedAt": k.iso(issued - timedelta(minutes=rng.randrange(3, 30))),
        "IssuedAt": k.iso(issued),
        "Status": "ISSUED",
        "NotBefore": k.iso(issued.replace(hour=0, minute=0, second=0)),
        "NotAfter": k.iso(issued.replace(hour=0, minute=0, second=0) + timedelta(days=395, seconds=-1)),
        "KeyAlgorithm": "RSA-2048",
        "SignatureAlgorithm": "SHA256WITHRSA",
        "InUseBy": in_use,
        "Type": "AMAZON_ISSUED",
        "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
        "ExtendedKeyUsages": [
            {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
            {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
        ],
        "RenewalEligibility": "ELIGIBLE" if in_use else "INELIGIBLE",
        "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
    }
    return item, records


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region = "eu-central-1"
    day = k.weekday_in(rng, (1, 2, 3, 4), first="2024-02-12", span_days=220)
    dp_hour = rng.randrange(6, 11)
    dp_time = day + timedelta(hours=dp_hour, minutes=rng.randrange(0, 60))  # ACM's daily datapoint lands
    onset = dp_time + timedelta(minutes=rng.randrange(3, 9), seconds=rng.randrange(60))
    start = (onset - timedelta(days=3)).replace(minute=0, second=0)
    fine_from = onset.replace(second=0) - timedelta(hours=3, minutes=onset.minute % 5)
    now = onset + timedelta(minutes=rng.randrange(35, 80), seconds=rng.randrange(60))
    domain = "fieldnote.app"
    zone_id = "Z0" + k.upper_id(rng, "", 18).replace("2", "8").replace("3", "9")
    lb_name = "fieldnote-public"
    lb_dim = f"app/{lb_name}/{k.hexid(rng, 16)}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_dim = f"targetgroup/fieldnote-api/{k.hexid(rng, 16)}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    listener_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:listener/{lb_dim}/{k.hexid(rng, 16)}"
    listener80_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:listener/{lb_dim}/{k.hexid(rng, 16)}"
    cluster = "fieldnote-prod"
    svc = "fieldnote-api"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    vpc_id = "vpc-" + k.hexid(rng)
    sg_alb = "sg-" + k.hexid(rng)

    days_left_old = 29
    old_issued = (day - timedelta(days=395 - days_left_old - 1)).replace(
        hour=rng.randrange(8, 17), minute=rng.randrange(60)
    )
    wildcard_issued = (day - timedelta(days=rng.randrange(70, 110))).replace(
        hour=rng.randrange(8, 17), minute=rng.randrange(60)
    )
    partners_issued = (onset - timedelta(hours=rng.randrange(20, 26))).replace(second=0)
    old, old_rr = _cert(rng, account, region, f"api.{domain}", [f"api.{domain}"], old_issued, [], domain)
    wild, wild_rr = _cert(
        rng, account, region, domain, [domain, f"*.{domain}"], wildcard_issued, [lb_arn], domain
    )
    partners, partners_rr = _cert(
        rng, account, region, f"partners.{domain}", [f"partners.{domain}"], partners_issued, [lb_arn], domain
    )

    metrics: list[JSON] = []
    logs: list[JSON] = []
    ct: list[JSON] = []
    resources: list[JSON] = []
    events: list[JSON] = []

    # --- ACM's daily DaysToExpiry ------------------------------------------------------------------
    for cert in (old, wild, partners):
        not_after = datetime.fromisoformat(str(cert["NotAfter"]).replace("Z", "+00:00"))
        issued = datetime.fromisoformat(str(cert["IssuedAt"]).replace("Z", "+00:00"))
        for back in range(4):
            t = dp_time - timedelta(days=3 - back) + timedelta(minutes=rng.randrange(-4, 5))
            if t < issued or t > now:
                continue
            stamp = t.replace(second=0)
            metrics.append(
                k.datum(
                    "AWS/CertificateManager",
                    "DaysToExpiry",
                    {"CertificateArn": str(cert["CertificateArn"])},
                    stamp,
                    "Count",
                    float((not_after - t).days),
                )
            )

    # --- the API (healthy) -----------------------------------------------------------------------
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    peak = rng.uniform(1500, 2600)
    deploy_at = onset - timedelta(minutes=rng.randrange(6, 13), seconds=rng.randrange(60))
    for bt, per in k.grid(start, fine_from, now - timedelta(minutes=1)):
        f = per / 60
        shape = k.diurnal(bt, 2.0, 10.5, 0.06, 4.0)
        reqs = int(peak * shape * f * (1 + rng.gauss(0, 0.03)))
        for d in (lbd, tgd):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", d, bt, "Count", reqs))
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", d, bt, "Count", int(reqs * 0.955))
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", d, bt, "Count", int(reqs * 0.043))
            )
            t5 = k.poisson(rng, 0.05 * f)
            if t5:
                metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d, bt, "Count", t5))
            metrics.append(
                k.latency(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    d,
                    bt,
                    "Seconds",
                    rng.uniform(0.07, 0.085),
                    0.55,
                    max(10, reqs // 150),
                )
            )
        metrics.append(
            k.datum(
                "AWS/ApplicationELB",
                "ClientTLSNegotiationErrorCount",
                lbd,
                bt,
                "Count",
                k.poisson(rng, 0.6 * f),
            )
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "NewConnectionCount", lbd, bt, "Count", int(reqs * 0.21))
        )
        in_deploy = deploy_at <= bt < deploy_at + timedelta(minutes=4)
        metrics.append(
            k.datum("AWS/ApplicationELB", "HealthyHostCount", tgd, bt, "Count", 6 if in_deploy else 3)
        )
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", tgd, bt, "Count", 0))
        svcd = {"ClusterName": cluster, "ServiceName": svc}
        metrics.append(
            k.datum("AWS/ECS", "CPUUtilization", svcd, bt, "Percent", k.jitter(rng, 7 + 35 * shape, 0.06))
        )
        metrics.append(k.datum("AWS/ECS", "MemoryUtilization", svcd, bt, "Percent", k.jitter(rng, 52, 0.02)))

    # --- alarms -----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:fieldnote-platform-alerts"
    old_name = f"acm-expiry-api-{domain.replace('.', '-')}"
    spec = k.AlarmSpec(
        old_name,
        "AWS/CertificateManager",
        "DaysToExpiry",
        {"CertificateArn": str(old["CertificateArn"])},
        "Minimum",
        86400,
        1,
        1,
        30.0,
        "LessThanThreshold",
        "missing",
        f"Certificate for api.{domain} expires in under 30 days",
        [sns],
    )
    when = onset
    bucket = dp_time.replace(hour=0, minute=0, second=0)
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{float(days_left_old)} ({bucket:%d/%m/%y %H:%M:%S})] was less than the threshold (30.0) (minimum 1 datapoint for OK -> ALARM transition)."
    data = json.dumps(
        {
            "version": "1.0",
            "queryDate": k.iso_ms(when).replace("Z", "+0000"),
            "startDate": k.iso_ms(bucket).replace("Z", "+0000"),
            "statistic": "Minimum",
            "period": 86400,
            "recentDatapoints": [float(days_left_old)],
            "threshold": 30.0,
            "evaluatedDatapoints": [
                {
                    "timestamp": k.iso_ms(bucket).replace("Z", "+0000"),
                    "sampleCount": 1.0,
                    "value": float(days_left_old),
                }
            ],
        },
        separators=(",", ":"),
    )
    alarm, hist = k.alarm_items(
        spec, account, region, [(when, "OK", "ALARM", reason, data)], old_issued + timedelta(minutes=40)
    )
    alarms = [alarm]
    for name, cert in (
        (f"acm-expiry-wildcard-{domain.replace('.', '-')}", wild),
        (f"acm-expiry-partners-{domain.replace('.', '-')}", partners),
    ):
        q = k.AlarmSpec(
            name,
            "AWS/CertificateManager",
            "DaysToExpiry",
            {"CertificateArn": str(cert["CertificateArn"])},
            "Minimum",
            86400,
            1,
            1,
            30.0,
            "LessThanThreshold",
            "missing",
            f"Certificate for {cert['DomainName']} expires in under 30 days",
            [sns],
        )
        created = datetime.fromisoformat(str(cert["IssuedAt"]).replace("Z", "+00:00")) + timedelta(minutes=35)
        if created < now:
            alarms.append(
                k.quiet_alarm(
                    q,
                    account,
                    region,
                    created,
                    min(now - timedelta(minutes=30), created + timedelta(hours=1)),
                )
            )
    for q in [
        k.AlarmSpec(
            "fieldnote-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            300,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            "notBreaching",
            "fieldnote-api 5xx",
            [sns],
        ),
        k.AlarmSpec(
            "fieldnote-api-p95",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p95",
            300,
            3,
            3,
            1.5,
            "GreaterThanThreshold",
            "missing",
            "fieldnote-api p95 latency",
            [sns],
            extended=True,
        ),
        k.AlarmSpec(
            "fieldnote-api-healthy-hosts",
            "AWS/ApplicationELB",
            "HealthyHostCount",
            tgd,
            "Minimum",
            60,
            3,
            3,
            2.0,
            "LessThanThreshold",
            "breaching",
            "fewer than 2 healthy api targets",
            [sns],
        ),
    ]:
        alarms.append(
            k.quiet_alarm(
                q,
                account,
                region,
                day - timedelta(days=rng.randrange(200, 500)),
                day - timedelta(days=rng.randrange(3, 30)),
            )
        )
    prev_when = datetime.fromisoformat(str(old["IssuedAt"]).replace("Z", "+00:00")) + timedelta(minutes=47)
    prev = (
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [395.0] was not less than the threshold (30.0) (minimum 1 datapoint for ALARM -> OK transition).",
        "{}",
        k.iso_ms(prev_when).replace("Z", "+0000"),
    )
    alarm_event = k.alarm_event(alarm, spec, account, region, rng, prev)

    # --- logs -------------------------------------------------------------------------------------
    lg = f"/ecs/{svc}"
    task_ids = [k.hexid(rng, 32) for _ in range(6)]
    paths = [
        "/v3/jobs",
        "/v3/jobs/{id}",
        "/v3/visits/{id}/notes",
        "/v3/technicians/{id}/schedule",
        "/v3/sync",
        "/v3/attachments/{id}",
    ]
    for t in k.steps(now - timedelta(hours=2), now, 20):
        live = task_ids[3:] if t >= deploy_at + timedelta(minutes=3) else task_ids[:3]
        tid = rng.choice(live)
        tt = t + timedelta(milliseconds=rng.randrange(0, 19999))
        path = rng.choice(paths).replace("{id}", str(rng.randrange(10000, 999999)))
        method = "POST" if path.endswith(("notes", "sync")) else "GET"
        status = 200 if rng.random() > 0.04 else rng.choice([401, 404, 409])
        ms_ = round(k.jitter(rng, 65, 0.5), 1)
        line = (
            f"{tt:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
            + f'Z INFO  [http-nio-8080-exec-{rng.randrange(1, 40)}] c.f.api.RequestLog - {method} {path} status={status} duration_ms={ms_} user_agent="FieldNote/{rng.choice(["5.12.1", "5.12.0", "5.11.4"])} (iOS 17.4)"'
        )
        logs.append(k.log(lg, f"api/{svc}/{tid}", tt, line))
        if rng.random() < 0.01:
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=3),
                    f"{tt:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
                    + f"Z WARN  [HikariPool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randrange(61, 75)}s{rng.randrange(100, 999)}ms).",
                )
            )
    for tid in task_ids[3:]:
        bt = deploy_at + timedelta(seconds=rng.randrange(50, 80))
        if bt < now:
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    bt,
                    f"{bt:%Y-%m-%dT%H:%M:%S}.{rng.randrange(100, 999)}Z INFO  [main] c.f.api.FieldNoteApplication - Started FieldNoteApplication in {rng.uniform(11, 16):.3f} seconds (process running for {rng.uniform(13, 18):.3f})",
                )
            )

    # --- CloudTrail -------------------------------------------------------------------------------
    dom = "fieldnote.app"
    eng = k.sso_user(
        rng,
        account,
        "PlatformEngineer",
        f"{rng.choice(['lea.schmitt', 'jonas.weber', 'mira.novak'])}@{dom}",
        console=True,
    )
    ci = k.role_user(
        rng,
        account,
        "gitlab-ci-deploy",
        f"gitlab-{rng.randrange(10**7, 10**8)}",
        ip=k.public_ip(rng),
        agent=k.CLI_UA.replace("{cmd}", "ecs"),
    )
    tf = k.role_user(
        rng,
        account,
        "spacelift-readonly",
        f"spacelift-{k.hexid(rng, 10)}",
        ip=k.public_ip(rng),
        agent=k.TF_UA,
    )
    dd = k.role_user(
        rng,
        account,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=k.public_ip(rng),
        agent="datadog-aws-integration",
    )
    cfg = k.role_user(
        rng,
        account,
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        ip="config.amazonaws.com",
        agent="config.amazonaws.com",
        service="config.amazonaws.com",
    )
    ct += k.background_reads(
        rng,
        [tf, dd, cfg],
        [
            ("acm.amazonaws.com", "DescribeCertificate", {"certificateArn": str(old["CertificateArn"])}),
            ("acm.amazonaws.com", "ListCertificates", {"certificateStatuses": ["ISSUED"]}),
            ("elasticloadbalancing.amazonaws.com", "DescribeListeners", {"loadBalancerArn": lb_arn}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
            ("route53.amazonaws.com", "ListResourceRecordSets", {"hostedZoneId": zone_id}),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ],
        start,
        now,
        region,
        30,
    )
    for r in ct:
        if r["eventSource"] == "route53.amazonaws.com":
            r["awsRegion"] = "us-east-1"
    # yesterday: the partners certificate is requested and validated
    p_arn = str(partners["CertificateArn"])
    req_at = datetime.fromisoformat(str(partners["CreatedAt"]).replace("Z", "+00:00"))
    ct.append(
        k.trail(
            rng,
            eng,
            req_at,
            "acm.amazonaws.com",
            "RequestCertificate",
            region,
            params={
                "domainName": f"partners.{domain}",
                "validationMethod": "DNS",
                "idempotencyToken": k.hexid(rng, 8),
                "options": {"certificateTransparencyLoggingPreference": "ENABLED"},
            },
            response={"certificateArn": p_arn},
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            req_at + timedelta(minutes=2),
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            "us-east-1",
            params={
                "hostedZoneId": zone_id,
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": partners_rr[0]["Name"],
                                "type": "CNAME",
                                "tTL": 300,
                                "resourceRecords": [{"value": partners_rr[0]["ResourceRecords"][0]["Value"]}],
                            },
                        }
                    ]
                },
            },
            response={
                "changeInfo": {
                    "id": "/change/C0" + k.upper_id(rng, "", 18),
                    "status": "PENDING",
                    "submittedAt": k.iso(req_at + timedelta(minutes=2)).replace("Z", ".000Z"),
                }
            },
        )
    )
    # today: it is added to the listener as an SNI certificate, and the API is deployed
    add_at = onset - timedelta(minutes=rng.randrange(15, 26), seconds=rng.randrange(60))
    ct.append(
        k.trail(
            rng,
            eng,
            add_at - timedelta(minutes=1),
            "elasticloadbalancing.amazonaws.com",
            "DescribeListenerCertificates",
            region,
            params={"listenerArn": listener_arn},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            add_at,
            "elasticloadbalancing.amazonaws.com",
            "AddListenerCertificates",
            region,
            params={"listenerArn": listener_arn, "certificates": [{"certificateArn": p_arn}]},
            response={"certificates": [{"certificateArn": p_arn, "isDefault": False}]},
        )
    )
    ct.append(
        k.trail(
            rng,
            eng,
            add_at + timedelta(minutes=3),
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            "us-east-1",
            params={
                "hostedZoneId": zone_id,
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": f"partners.{domain}.",
                                "type": "A",
                                "aliasTarget": {
                                    "hostedZoneId": "Z215JYRZR1TBD5",
                                    "dNSName": f"dualstack.{lb_name}-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com.",
                                    "evaluateTargetHealth": True,
                                },
                            },
                        }
                    ]
                },
            },
            response={
                "changeInfo": {
                    "id": "/change/C0" + k.upper_id(rng, "", 18),
                    "status": "PENDING",
                    "submittedAt": k.iso(add_at + timedelta(minutes=3)).replace("Z", ".000Z"),
                }
            },
        )
    )
    td_rev = rng.randrange(150, 300)
    ct.append(
        k.trail(
            rng,
            ci,
            deploy_at - timedelta(seconds=30),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            region,
            params={
                "family": svc,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
            },
            response={"taskDefinition": {"family": svc, "revision": td_rev, "status": "ACTIVE"}},
        )
    )
    ct.append(
        k.trail(
            rng,
            ci,
            deploy_at,
            "ecs.amazonaws.com",
            "UpdateService",
            region,
            params={
                "cluster": cluster,
                "service": svc,
                "taskDefinition": f"{svc}:{td_rev}",
                "forceNewDeployment": False,
            },
            response={
                "service": {
                    "serviceName": svc,
                    "desiredCount": 3,
                    "runningCount": 3,
                    "status": "ACTIVE",
                    "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}",
                }
            },
        )
    )
    ct = [r for r in ct if str(r["eventTime"]) <= k.iso(now)]
    ct.sort(key=lambda r: str(r["eventTime"]))

    # --- ECS service events and target health ------------------------------------------------------
    ips = [f"10.30.{rng.randrange(0, 48)}.{rng.randrange(5, 250)}" for _ in task_ids]
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    for i in range(3):
        events.append(k.target_health(tg_arn, ips[i], 8080, azs[i], start - timedelta(days=1), "healthy"))
    for i in range(3):
        events.append(
            k.target_health(
                tg_arn,
                ips[3 + i],
                8080,
                azs[i],
                deploy_at + timedelta(seconds=70),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        )
        events.append(
            k.target_health(tg_arn, ips[3 + i], 8080, azs[i], deploy_at + timedelta(seconds=110), "healthy")
        )
        events.append(
            k.target_health(
                tg_arn,
                ips[i],
                8080,
                azs[i],
                deploy_at + timedelta(seconds=125),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
        )
        events.append(
            k.target_health(
                tg_arn,
                ips[i],
                8080,
                azs[i],
                deploy_at + timedelta(seconds=190),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
        )
    msgs = [
        (
            deploy_at + timedelta(seconds=15),
            f"(service {svc}) has started 3 tasks: " + " ".join(f"(task {t})" for t in task_ids[3:]) + ".",
        ),
        (
            deploy_at + timedelta(seconds=112),
            f"(service {svc}) registered 3 targets in (target-group {tg_arn})",
        ),
        (deploy_at + timedelta(seconds=125), f"(service {svc}) has begun draining connections on 3 tasks."),
        (
            deploy_at + timedelta(seconds=126),
            f"(service {svc}) deregistered 3 targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(seconds=195),
            f"(service {svc}) has stopped 3 running tasks: "
            + " ".join(f"(task {t})" for t in task_ids[:3])
            + ".",
        ),
        (
            deploy_at + timedelta(seconds=260),
            f"(service {svc}) deployment ecs-svc/{rng.randrange(10**18, 10**19)} deployment completed.",
        ),
        (deploy_at + timedelta(seconds=262), f"(service {svc}) has reached a steady state."),
    ]
    for t, m in msgs:
        if t <= now:
            events.append(
                {
                    "source": "ecs",
                    "item": {
                        "service_arn": svc_arn,
                        "event": {"id": k.uid(rng), "createdAt": k.iso(t), "message": m},
                    },
                }
            )
    events = [e for e in events if str(e["item"].get("timestamp", k.iso(start))) <= k.iso(now)]

    # --- resources --------------------------------------------------------------------------------
    alb_dns = f"{lb_name}-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com"
    resources.append(k.res("acm", "CertificateDetail", old))
    resources.append(k.res("acm", "CertificateDetail", wild))
    resources.append(k.res("acm", "CertificateDetail", partners))
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": alb_dns,
                "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
                "CreatedTime": k.iso(day - timedelta(days=900)),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": a, "SubnetId": "subnet-" + k.hexid(rng), "LoadBalancerAddresses": []}
                    for a in azs
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": listener_arn,
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": str(wild["CertificateArn"])}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [
                    {
                        "Type": "forward",
                        "TargetGroupArn": tg_arn,
                        "Order": 1,
                        "ForwardConfig": {
                            "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                            "TargetGroupStickinessConfig": {"Enabled": False},
                        },
                    }
                ],
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": listener80_arn,
                "LoadBalancerArn": lb_arn,
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
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "fieldnote-api",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health/readiness",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "api", "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": 3,
                "runningCount": 3,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "events": [],
                "createdAt": k.iso(day - timedelta(days=880)),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
            },
        )
    )
    resources.append(
        k.res(
            "route53",
            "HostedZone",
            {
                "Id": f"/hostedzone/{zone_id}",
                "Name": f"{domain}.",
                "CallerReference": k.uid(rng),
                "Config": {"Comment": "public zone", "PrivateZone": False},
                "ResourceRecordSetCount": 4 + len(old_rr) + len(wild_rr) + len(partners_rr),
            },
        )
    )
    records: list[JSON] = [
        {
            "Name": f"{domain}.",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": "Z2FDTNDATAQYW2",
                "DNSName": f"d{k.hexid(rng, 13)}.cloudfront.net.",
                "EvaluateTargetHealth": False,
            },
        },
        {
            "Name": f"api.{domain}.",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": "Z215JYRZR1TBD5",
                "DNSName": f"dualstack.{alb_dns}.",
                "EvaluateTargetHealth": True,
            },
        },
        {
            "Name": f"partners.{domain}.",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": "Z215JYRZR1TBD5",
                "DNSName": f"dualstack.{alb_dns}.",
                "EvaluateTargetHealth": True,
            },
        },
        {
            "Name": f"{domain}.",
            "Type": "MX",
            "TTL": 3600,
            "ResourceRecords": [{"Value": "1 smtp.google.com."}],
        },
        *old_rr,
        *wild_rr,
        *partners_rr,
    ]
    for rr in records:
        resources.append(k.res("route53", "ZoneRecordSet", dict(rr, HostedZoneId=zone_id)))
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(account, region, lg, day - timedelta(days=880), 30, 22_309_118_004),
        )
    )

    logs = [entry for entry in logs if int(entry["timestamp"]) <= k.ms(now)]
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event},
            "truth": {"no_fault": True, "chain": []},
        }
    )
    recs: dict[str, list[JSON]] = {
        "metrics": metrics,
        "alarms": alarms,
        "alarm_history": hist,
        "logs": logs,
        "cloudtrail": ct,
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, recs)
