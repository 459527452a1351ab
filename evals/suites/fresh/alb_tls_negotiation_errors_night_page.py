"""A night page on the ALB's TLS negotiation errors, days after ACM renewed the certificate: a scanner, not clients."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzk import (
    REGION,
    Account,
    alarm,
    alarm_event,
    alb_series,
    history,
    iso,
    ms,
    series,
    uid,
)

NAME = "ledgerloop-alb-tls-errors-after-cert-renewal"
TITLE = "Paged at night for TLS negotiation errors on the prod ALB, a few days after the cert renewed"
SUMMARY = (
    "An internet-wide scanner sweeping old protocol versions and ciphers drove ClientTLSNegotiationErrorCount "
    "over the alarm for half an hour; real traffic, the renewed ACM certificate and the listener were fine."
)


def build(seed: int) -> Bundle:
    a = Account(seed + 13000)
    rng = random.Random(seed * 17 + 7)
    day = a.onset.replace(hour=0, minute=0)
    onset = day + timedelta(hours=rng.randint(1, 3), minutes=rng.randint(0, 59))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 40))
    now = onset + timedelta(minutes=rng.randint(42, 58))
    dur = rng.randint(22, 32)
    peak = rng.randint(420, 900)
    renewed = onset - timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 20))

    def scan(t: Any) -> float:
        m = (t - onset).total_seconds() / 60
        return peak * rng.uniform(0.7, 1.1) if 0 <= m < dur else 0.0

    # --- CloudTrail ----------------------------------------------------------------------------------
    trail = a.noise_trail(start, now, 55)
    t_dns = onset - timedelta(minutes=rng.randint(50, 110))
    tenant = rng.choice(["billing.acme-fittings.de", "invoices.nordlys-logistik.no", "pay.carreau-studio.fr"])
    trail.append(
        a.ct(
            t_dns,
            "route53.amazonaws.com",
            "ChangeResourceRecordSets",
            role="ledgerloop-prod-external-dns",
            session=str(ms(t_dns) * 1000000),
            agent="ExternalDNS/v0.14.2 aws-sdk-go/1.54.8",
            region="us-east-1",
            req={
                "hostedZoneId": a.zone_id,
                "changeBatch": {
                    "changes": [
                        {
                            "action": "CREATE",
                            "resourceRecordSet": {
                                "name": f"_{uid(rng)[:8]}.custom.ledgerloop.io",
                                "type": "CNAME",
                                "tTL": 300,
                                "resourceRecords": [{"value": tenant}],
                            },
                        }
                    ]
                },
            },
            resp={
                "changeInfo": {
                    "id": "/change/C0" + uid(rng).replace("-", "")[:18].upper(),
                    "status": "PENDING",
                    "submittedAt": iso(t_dns),
                }
            },
            read_only=False,
        )
    )
    t_ng = onset - timedelta(hours=rng.randint(2, 3))
    trail.append(
        a.ct(
            t_ng,
            "autoscaling.amazonaws.com",
            "SetDesiredCapacity",
            role="ledgerloop-prod-cluster-autoscaler",
            session=str(ms(t_ng) * 1000000),
            agent="aws-sdk-go/1.44.241 (go1.22.4; linux; amd64)",
            req={"autoScalingGroupName": a.asg, "desiredCapacity": a.n_nodes, "honorCooldown": False},
            read_only=False,
        )
    )
    page = onset + timedelta(minutes=6)
    listener_arn = (
        a.alb_arn.replace(":loadbalancer/", ":listener/")
        + "/"
        + uid(random.Random(a.alb_arn)).replace("-", "")[:16]
    )
    reads: list[tuple[str, str, dict[str, Any]]] = [
        ("acm.amazonaws.com", "ListCertificates", {"certificateStatuses": ["ISSUED"], "includes": {}}),
        ("acm.amazonaws.com", "DescribeCertificate", {"certificateArn": a.cert_arn}),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
        ("elasticloadbalancing.amazonaws.com", "DescribeListeners", {"loadBalancerArn": a.alb_arn}),
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeListenerCertificates",
            {"listenerArn": listener_arn},
        ),
        (
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            {"alarmName": "ledgerloop-prod-alb-tls-negotiation-errors"},
        ),
    ]
    for k, (src, name, req) in enumerate(reads):
        trail.append(
            a.ct(
                page + timedelta(minutes=8 + 2 * k, seconds=rng.randint(0, 50)),
                src,
                name,
                who=a.people[2],
                agent="aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b09",
                ip="AWS Internal",
                req=req,
            )
        )
    trail.sort(key=lambda r: r["eventTime"])

    # --- metrics -------------------------------------------------------------------------------------
    metrics = alb_series(
        a,
        start,
        now,
        rng.uniform(6, 11),
        lambda t, c: (0, int(c * 0.0005)),
        lambda t: 0.07 + rng.uniform(0, 0.01),
    )
    dl = {"LoadBalancer": a.alb_dim}

    def tls(t: Any) -> float | None:
        v = scan(t) + (rng.choice([0, 0, 0, 1, 2, 3, 5]) if rng.random() < 0.6 else 0)
        return v or None  # the ALB publishes nothing for a minute without errors

    metrics += series(start, now, "AWS/ApplicationELB", "ClientTLSNegotiationErrorCount", dl, "Count", tls)
    metrics += series(
        start,
        now,
        "AWS/ApplicationELB",
        "NewConnectionCount",
        dl,
        "Count",
        lambda t: 900 + rng.randint(-80, 80) + scan(t) * 1.1,
    )
    metrics += series(
        start,
        now,
        "AWS/ApplicationELB",
        "ActiveConnectionCount",
        dl,
        "Count",
        lambda t: 2100 + rng.randint(-150, 150) + scan(t) * 0.2,
    )
    metrics += series(
        start,
        now,
        "AWS/ApplicationELB",
        "ProcessedBytes",
        dl,
        "Bytes",
        lambda t: 41_000_000 + rng.randint(-3_000_000, 3_000_000) + scan(t) * 1900,
    )
    dtg = {"TargetGroup": a.tg_api_dim, "LoadBalancer": a.alb_dim}
    metrics += series(
        start, now, "AWS/ApplicationELB", "HealthyHostCount", dtg, "Count", lambda t: len(a.api_pods)
    )
    metrics += series(start, now, "AWS/ApplicationELB", "UnHealthyHostCount", dtg, "Count", lambda t: 0)
    metrics += series(
        start,
        now,
        "AWS/CertificateManager",
        "DaysToExpiry",
        {"CertificateArn": a.cert_arn},
        "Count",
        lambda t: (
            float((renewed + timedelta(days=395) - t).days) if t.minute == 0 and t.hour in (0, 12) else None
        ),
        step=60,
    )
    metrics += series(
        start,
        now,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": a.db},
        "Percent",
        lambda t: 9 + rng.uniform(-2, 2),
    )
    metrics += series(
        start,
        now,
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Count",
        lambda t: 0,
        step=5,
    )
    for n in a.nodes:
        metrics += series(
            start,
            now,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": n["id"]},
            "Percent",
            lambda t: 11 + rng.uniform(-3, 4),
            step=5,
        )

    # --- alarms --------------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=5)
    back = onset + timedelta(minutes=dur + 5)
    name = "ledgerloop-prod-alb-tls-negotiation-errors"
    al_tls = alarm(
        a,
        name,
        "AWS/ApplicationELB",
        "ClientTLSNegotiationErrorCount",
        dl,
        "Sum",
        1000,
        "GreaterThanThreshold",
        "OK" if back <= now else "ALARM",
        f"Threshold Crossed: 1 out of the last 1 datapoints [{float(rng.randint(0, 30))} ({back.strftime('%d/%m/%y %H:%M')}:00)] was not greater than the threshold (1000.0) (minimum 1 datapoint for ALARM -> OK transition)."
        if back <= now
        else "Threshold Crossed: 1 out of the last 1 datapoints were greater than the threshold (1000.0).",
        back if back <= now else fire,
        period=300,
        evals=1,
        missing="notBreaching",
        desc="TLS handshakes failing at the public ALB (cert / security policy problems)",
    )
    fire_reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{float(peak * 5)} ({fire.strftime('%d/%m/%y %H:%M')}:00)] was greater "
        "than the threshold (1000.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    hist = []
    for d in sorted(rng.sample(range(2, 12), 3), reverse=True):
        t0 = onset - timedelta(days=d, hours=rng.randint(-5, 8), minutes=rng.randint(0, 59))
        hist.append(
            history(
                a,
                name,
                t0,
                "OK",
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints were greater than the threshold (1000.0).",
            )
        )
        hist.append(
            history(
                a,
                name,
                t0 + timedelta(minutes=rng.choice([10, 15, 20, 25, 35])),
                "ALARM",
                "OK",
                "Threshold Crossed: 1 out of the last 1 datapoints were not greater than the threshold (1000.0).",
            )
        )
    last_ok = max(h["Timestamp"] for h in hist)
    hist.append(history(a, name, fire, "OK", "ALARM", fire_reason))
    if back <= now:
        hist.append(history(a, name, back, "ALARM", "OK", al_tls["StateReason"]))
    al_5xx = alarm(
        a,
        "ledgerloop-prod-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dl,
        "Sum",
        60,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (60.0).",
        start - timedelta(days=1),
    )
    al_cert = alarm(
        a,
        "ledgerloop-io-cert-days-to-expiry",
        "AWS/CertificateManager",
        "DaysToExpiry",
        {"CertificateArn": a.cert_arn},
        "Minimum",
        30,
        "LessThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [389.0] was not less than the threshold (30.0).",
        start - timedelta(days=40),
        period=86400,
        evals=1,
    )
    al_ev = alarm(
        a,
        "ledgerloop-sessions-evictions",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": f"{a.redis}-001", "CacheNodeId": "0001"},
        "Sum",
        500,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (500.0).",
        start - timedelta(hours=7),
        evals=1,
        period=300,
    )
    hist.sort(key=lambda h: h["Timestamp"])

    # --- logs (ingress controller and app: nothing unusual) ------------------------------------------
    logs: list[dict[str, Any]] = []
    group = f"/aws/containerinsights/{a.cluster}/application"
    t = start
    while t < now:
        for _i, pod in enumerate(a.api_pods):
            if rng.random() < 0.5:
                continue
            ts = t + timedelta(seconds=rng.randint(0, 59))
            path = rng.choice(
                ["/v1/invoices", "/v1/invoices/{id}", "/v1/customers", "/v1/webhooks/stripe", "/healthz"]
            )
            code = 200 if rng.random() > 0.02 else rng.choice([401, 404])
            logs.append(
                {
                    "log_group": group,
                    "log_stream": f"{pod}_ledgerloop_api-web-{uid(random.Random(pod)).replace('-', '')}",
                    "timestamp": ms(ts),
                    "message": f'{ts.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]} INFO [uvicorn.access] 10.40.{rng.randint(0, 95)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)} - "GET {path} HTTP/1.1" {code}',
                }
            )
        t += timedelta(minutes=3)
    ctrl = f"aws-load-balancer-controller-{uid(random.Random(a.account)).replace('-', '')[:10]}-{uid(random.Random(seed)).replace('-', '')[:5]}"
    t = start + timedelta(minutes=rng.randint(0, 9))
    while t < now:
        logs.append(
            {
                "log_group": group,
                "log_stream": f"{ctrl}_kube-system_aws-load-balancer-controller-{uid(random.Random(ctrl)).replace('-', '')}",
                "timestamp": ms(t),
                "message": f'{{"level":"info","ts":"{iso(t)}","logger":"controllers.ingress","msg":"successfully deployed model","ingressGroup":"ledgerloop/api"}}',
            }
        )
        t += timedelta(minutes=rng.randint(9, 11))
    logs.sort(key=lambda e: (e["log_stream"], e["timestamp"]))

    # --- resources -----------------------------------------------------------------------------------
    res = a.resources()
    for r in res:
        if r["type"] == "CertificateDetail":
            r["item"]["IssuedAt"] = iso(renewed)
            r["item"]["NotBefore"] = iso(renewed - timedelta(hours=1))
            r["item"]["NotAfter"] = iso(renewed + timedelta(days=395))
            r["item"]["Serial"] = ":".join(uid(rng).replace("-", "")[i : i + 2] for i in range(0, 32, 2))
            r["item"]["RenewalSummary"] = {
                "RenewalStatus": "SUCCESS",
                "DomainValidationOptions": [
                    {
                        "DomainName": d,
                        "ValidationDomain": "ledgerloop.io",
                        "ValidationStatus": "SUCCESS",
                        "ValidationMethod": "DNS",
                        "ResourceRecord": {
                            "Name": "_c0ffee1234.ledgerloop.io.",
                            "Type": "CNAME",
                            "Value": "_f00d5678.zfyfvmchrl.acm-validations.aws.",
                        },
                    }
                    for d in ("ledgerloop.io", "*.ledgerloop.io")
                ],
                "UpdatedAt": iso(renewed),
            }
            r["item"]["Options"] = {"CertificateTransparencyLoggingPreference": "ENABLED"}
    res.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": listener_arn,
                "LoadBalancerArn": a.alb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": a.cert_arn}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [
                    {
                        "Type": "fixed-response",
                        "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
                    }
                ],
            },
        }
    )
    events: list[dict[str, Any]] = [
        {
            "source": "target_health",
            "item": {
                "target_group_arn": a.tg_api_arn,
                "target": {"Id": ip, "Port": 8080, "AvailabilityZone": a.nodes[a.pod_node[i]]["az"]},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        }
        for i, ip in enumerate(a.pod_ips)
    ]

    local = fire.astimezone(ZoneInfo("Europe/Berlin"))
    question = (
        f"got paged {local.strftime('%H:%M')} for TLS negotiation errors on the prod ALB. ACM renewed the ledgerloop.io cert a few "
        "days ago, is the new cert breaking customer clients? do I need to pin the old one back on the listener?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a.account,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": alarm_event(
                    a, {**al_tls, "StateReason": fire_reason}, fire, datetime.fromisoformat(last_ok)
                ),
                "timezone": "Europe/Berlin",
            },
            "truth": {"no_fault": True, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [al_tls, al_5xx, al_cert, al_ev],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
