"""The HTTPS listener's default certificate is replaced by one for another domain; clients fail TLS."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Alb,
    Kit,
    Net,
    acm_cert,
    asg,
    cli,
    ec2_metrics,
    instance,
    iso,
    log_group,
    spring_line,
    standard_menu,
    tcp_from_cidr,
    tcp_from_sg,
)

NAME = "alb-listener-wrong-certificate"
TITLE = "Payments API request rate collapsed"
SUMMARY = (
    "modify-listener (meant as add-listener-certificates) swaps the HTTPS listener's default certificate for "
    "the new-brand wildcard; every client's TLS handshake fails on the name"
)

BRANDS = [
    ("ledgerly.com", "ledgerly.app", "ledgerly"),
    ("payvia.com", "payvia.io", "payvia"),
    ("settlr.com", "settlr.co", "settlr"),
]
PEOPLE = ["niamh.byrne", "tomasz.kowal", "ines.almeida", "oliver.hughes", "priya.shah", "felix.wagner"]


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="eu-west-1")
    rng = kit.rng
    domain, new_domain, co = rng.choice(BRANDS)
    onset = kit.clock(onset_hour=(9, 15), hours_before=4, minutes_after=rng.randint(31, 40))
    people = rng.sample(PEOPLE, 4)
    platform = kit.sso(f"{people[0]}@{domain}", "PlatformAdmin")
    dev = kit.sso(f"{people[1]}@{domain}", "Developer")
    sre = kit.sso(f"{people[2]}@{domain}", "SRE")
    ci = kit.role_session(f"{co}-gha-deploy", "GitHubActions")
    monitor = kit.role_session("datadog-integration", kit.hex(8) + "-datadog")
    app_role = kit.role_session(f"{co}-payments-api-ec2", kit.ec2id("i"))

    net = Net(kit, f"{co}-prod", rng.choice([10, 16, 40]))
    alb_sg = net.sg(
        f"{co}-public-alb-sg", "public ALB", [tcp_from_cidr(443, "0.0.0.0/0"), tcp_from_cidr(80, "0.0.0.0/0")]
    )
    app_sg = net.sg("payments-api-sg", "payments-api instances", [tcp_from_sg(8080, alb_sg, "alb")])
    alb = Alb(kit, net, f"{co}-public", "payments-api-8080", alb_sg, health_path="/actuator/health")
    acm_cert(kit, f"*.{domain}", [domain], issued=kit.start - timedelta(days=rng.randint(60, 250)), in_use=[])
    new_cert = acm_cert(
        kit,
        f"*.{new_domain}",
        [new_domain],
        issued=kit.start - timedelta(days=rng.randint(3, 9)),
        in_use=[alb.arn],
    )
    https = alb.listener(443, "HTTPS", cert=new_cert, policy="ELBSecurityPolicy-TLS13-1-2-2021-06")
    alb.listener(80, "HTTP")

    ami = kit.ec2id("ami")
    launched = kit.start - timedelta(hours=rng.uniform(20, 30))
    insts = []
    n = rng.choice([3, 4])
    for i in range(n):
        iid, ip = instance(
            kit,
            net,
            name="payments-api",
            az_index=i % 3,
            sg=app_sg,
            itype="c7i.xlarge",
            ami=ami,
            profile=f"{co}-payments-api-ec2",
            asg="payments-api-prod",
            launched=launched + timedelta(seconds=25 * i),
        )
        insts.append((iid, ip, i % 3))
        kit.event(
            "target_health",
            {
                "target_group_arn": alb.tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": net.azs[i % 3]},
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(launched + timedelta(seconds=25 * i + 70)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": alb.tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": net.azs[i % 3]},
                "health": {"State": "healthy"},
                "timestamp": iso(launched + timedelta(seconds=25 * i + 140)),
            },
        )
    asg(
        kit,
        net,
        "payments-api-prod",
        instances=[(i, a) for i, _, a in insts],
        tg_arns=[alb.tg_arn],
        lt_name="payments-api",
        itype="c7i.xlarge",
        min_size=3,
        max_size=8,
    )
    log_group(kit, "/payments-api/prod", retention=90)

    # --- traffic ---------------------------------------------------------------------------------------
    base = rng.uniform(1500, 2600)

    def demand(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=13)

    def broken(t: datetime) -> bool:
        return t >= onset

    def rps(t: datetime) -> float:
        return demand(t) * (0.004 if broken(t) else 1.0)

    alb.metrics(
        rps,
        t5xx=lambda t: rps(t) * 0.0006,
        latency=lambda t: (0.085, 0.5),
        healthy=lambda t: float(n),
        tls_err=lambda t: 0.3 if not broken(t) else demand(t) * 0.62,
        t4xx_frac=0.03,
        e4xx=lambda t: rps(t) * 0.002,
    )
    lbd = {"LoadBalancer": alb.dim}
    kit.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_3XX_Count",
        lbd,
        "Count",
        lambda t: 1.5 + demand(t) * 0.003,
        count=True,
        skip_zero=True,
    )
    for iid, _, _ in insts:
        ec2_metrics(kit, iid, lambda t: 7 + 48 * rps(t) / base / n * 3, lambda t: rps(t) * 3800 / n + 20000)

    # --- logs ------------------------------------------------------------------------------------------
    group = "/payments-api/prod"
    ep = [
        ("POST", "/v1/payments", 201, 90),
        ("GET", "/v1/payments/{id}", 200, 22),
        ("POST", "/v1/refunds", 201, 140),
        ("GET", "/v1/balance", 200, 35),
        ("POST", "/v1/payouts", 202, 110),
    ]
    for iid, _ip, _ in insts:
        stream = f"payments-api/{iid}"
        t = kit.start + timedelta(seconds=rng.randint(0, 30))
        last_pool = t
        while t < kit.now:
            gap = 60 / max(0.05, rps(t) / n / 150)
            t += timedelta(seconds=min(rng.expovariate(1 / gap), 240) + 0.2)
            if t >= kit.now:
                break
            if (t - last_pool).total_seconds() >= 300:
                last_pool = t
                act = rng.randint(0, 4) if not broken(t) else 0
                kit.log(
                    group,
                    stream,
                    t,
                    spring_line(
                        t,
                        "DEBUG",
                        "HikariPool-1 housekeeper",
                        "com.zaxxer.hikari.pool.HikariPool",
                        f"HikariPool-1 - Pool stats (total=20, active={act}, idle={20 - act}, waiting=0)",
                    ),
                )
            if rps(t) < 50:
                continue
            method, path, code, ms_ = rng.choice(ep)
            th = f"nio-8080-exec-{rng.randint(1, 200)}"
            kit.log(
                group,
                stream,
                t,
                spring_line(
                    t,
                    "INFO",
                    th,
                    "c.l.payments.web.RequestLoggingFilter",
                    f"{method} {path} -> {code} in {max(3, round(rng.lognormvariate(0, 0.45) * ms_))}ms",
                ),
            )
            if rng.random() < 0.006:
                kit.log(
                    group,
                    stream,
                    t,
                    spring_line(
                        t,
                        "WARN",
                        th,
                        "c.l.payments.fx.RateCache",
                        "FX rate for GBP/PLN older than 120s, refreshing synchronously",
                    ),
                )
        for k in range(int((kit.now - kit.start).total_seconds() // 900)):
            tt = kit.start + timedelta(minutes=15 * k, seconds=rng.randint(0, 40))
            kit.log(
                group,
                stream,
                tt,
                spring_line(
                    tt,
                    "INFO",
                    "scheduling-1",
                    "c.l.payments.jobs.SettlementPoller",
                    f"Polled settlement batches: {rng.randint(0, 3)} new, 0 failed",
                ),
            )

    # --- alarms ----------------------------------------------------------------------------------------
    topic = kit.arn("sns", "payments-oncall")
    low = round(base * 0.14 / 10) * 10
    kit.alarm(
        "payments-api-request-rate-low",
        ns="AWS/ApplicationELB",
        metric="RequestCount",
        dims=lbd,
        stat="Sum",
        period=60,
        evals=3,
        threshold=low,
        op="LessThanThreshold",
        missing="breaching",
        topic=topic,
        description="Payments API traffic far below normal. Check merchants can reach api." + domain,
    )
    kit.alarm(
        "payments-api-5xx",
        ns="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=2,
        threshold=25,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "payments-api-p95-latency",
        ns="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lbd,
        stat="p95",
        period=300,
        evals=3,
        threshold=0.8,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "payments-api-unhealthy-targets",
        ns="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims={"LoadBalancer": alb.dim, "TargetGroup": alb.tg_dim},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
    )
    for iid, _, _ in insts[:2]:
        kit.alarm(
            f"payments-api-cpu-high-{iid}",
            ns="AWS/EC2",
            metric="CPUUtilization",
            dims={"InstanceId": iid},
            stat="Average",
            period=300,
            evals=3,
            threshold=85,
            op="GreaterThanThreshold",
        )

    # --- CloudTrail ------------------------------------------------------------------------------------
    menu = standard_menu(
        kit,
        humans=[dev, sre, platform],
        ci=ci,
        monitor=monitor,
        instance_ids=[i for i, _, _ in insts],
        alarms=[a["AlarmName"] for a in kit.records["alarms"]],
        lb_arns=[alb.arn],
        tg_arns=[alb.tg_arn],
        functions=[],
        log_groups=[group],
        ssm_role=app_role,
    )
    kit.routine(menu, 32)
    eng_ip = kit.public_ip()
    t_c = onset - timedelta(seconds=rng.randint(20, 55))
    for dt, src, name, params in (
        (-6.2, "acm.amazonaws.com", "ListCertificates", {"certificateStatuses": ["ISSUED"], "includes": {}}),
        (-5.7, "acm.amazonaws.com", "DescribeCertificate", {"certificateArn": new_cert}),
        (-4.1, "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"names": [f"{co}-public"]}),
        (-3.8, "elasticloadbalancing.amazonaws.com", "DescribeListeners", {"loadBalancerArn": alb.arn}),
    ):
        kit.trail(
            platform,
            t_c + timedelta(minutes=dt),
            src,
            name,
            params,
            read_only=True,
            agent=cli(name.lower()),
            ip=eng_ip,
        )
    culprit = kit.trail(
        platform,
        t_c,
        "elasticloadbalancing.amazonaws.com",
        "ModifyListener",
        {"listenerArn": https, "certificates": [{"certificateArn": new_cert}]},
        {
            "listeners": [
                {
                    "listenerArn": https,
                    "loadBalancerArn": alb.arn,
                    "port": 443,
                    "protocol": "HTTPS",
                    "certificates": [{"certificateArn": new_cert}],
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "defaultActions": [
                        {
                            "type": "forward",
                            "targetGroupArn": alb.tg_arn,
                            "order": 1,
                            "forwardConfig": {
                                "targetGroups": [{"targetGroupArn": alb.tg_arn, "weight": 1}],
                                "targetGroupStickinessConfig": {"enabled": False},
                            },
                        }
                    ],
                }
            ]
        },
        agent=cli("elbv2.modify-listener"),
        ip=eng_ip,
    )
    kit.trail(
        platform,
        t_c + timedelta(seconds=41),
        "elasticloadbalancing.amazonaws.com",
        "DescribeListenerCertificates",
        {"listenerArn": https},
        read_only=True,
        agent=cli("elbv2.describe-listener-certificates"),
        ip=eng_ip,
    )
    # innocent: CI shortens the target group's deregistration delay
    t_tg = onset - timedelta(minutes=rng.randint(14, 24))
    kit.trail(
        ci,
        t_tg,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": alb.tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "least_outstanding_requests"},
                {"key": "slow_start.duration_seconds", "value": "30"},
            ]
        },
        agent=AGENT_TF.format(api="elasticloadbalancingv2#1.31.3"),
        ip=kit.public_ip(),
    )
    # innocent: a developer raises the group's max size
    t_asg = onset - timedelta(minutes=rng.randint(5, 11))
    kit.trail(
        dev,
        t_asg,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": "payments-api-prod", "maxSize": 8},
        None,
        agent=AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )
    for dt in (9, 11, 14, 19):
        kit.trail(
            sre,
            onset + timedelta(minutes=dt, seconds=rng.randint(0, 50)),
            "elasticloadbalancing.amazonaws.com",
            rng.choice(["DescribeTargetHealth", "DescribeTargetGroups"]),
            {"targetGroupArn": alb.tg_arn} if dt != 14 else {"loadBalancerArn": alb.arn},
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=kit.public_ip(),
            console=True,
        )

    event = kit.alarm_event("payments-api-request-rate-low")
    return kit.bundle(
        title=TITLE,
        trigger={"alarm_event": event},
        truth={
            "root_cause": {
                "resource": https,
                "category": "change",
                "failure_mode": "tls-certificate-name-mismatch",
                "event_id": culprit["eventID"],
            },
            "also_accept": [new_cert, f"{co}-public:443"],
            "actions": ["rollback"],
            "chain": [
                f"ModifyListener set the default certificate of {co}-public's HTTPS:443 listener to *.{new_domain}",
                f"clients connecting to api.{domain} reject the certificate (name mismatch)",
                f"ClientTLSNegotiationErrorCount on {co}-public rises and RequestCount collapses",
                "payments-api-request-rate-low alarms",
            ],
        },
    )
