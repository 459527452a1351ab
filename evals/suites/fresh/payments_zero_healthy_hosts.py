"""A Terraform apply moves three target groups' health checks to /healthz; payments-api does not serve it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "payments-zero-healthy-hosts"
TITLE = "payments-api target group shows zero healthy hosts"
SUMMARY = (
    "One Terraform apply standardises health checks to /healthz on three target groups; payments-api only "
    "serves /health, so all its targets fail with 404 and the ALB fails open (traffic still flows)."
)


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed, regions=["eu-central-1", "eu-west-1"])
    rng = ctx.rng
    tz = ZoneInfo(rng.choice(["Europe/Berlin", "Europe/Amsterdam"]))
    day = k.pick_day(ctx)
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    t_apply = (local + timedelta(hours=rng.uniform(9.3, 11.6))).astimezone(k.UTC).replace(microsecond=0)
    ctx.start = k.floor_min(t_apply - timedelta(hours=rng.uniform(4.2, 6.0))).replace(minute=0)
    ctx.fine_from = ctx.start
    ctx.now = k.floor_min(t_apply + timedelta(minutes=rng.randint(36, 58)))
    N = ctx.minutes()

    net = k.network(ctx, "payments-prod")
    alb_sg = k.security_group(ctx, net, "payments-prod-alb", "payments ALB", [(443, 443, "0.0.0.0/0")])
    services = [
        ("payments-api", 3000, "/health"),
        ("refunds-api", 3000, "/healthz"),
        ("merchant-portal", 8080, "/healthz"),
    ]
    lb = k.load_balancer(
        ctx, net, "payments-prod", alb_sg, created=ctx.start - timedelta(days=rng.randint(200, 700))
    )
    tgs = {}
    sgs = {}
    insts: dict[str, list[dict[str, object]]] = {}
    ami = ctx.rid("ami")
    for svc, port, _real in services:
        sgs[svc] = k.security_group(ctx, net, f"{svc}-prod", f"{svc} instances", [(port, port, alb_sg)])
        old_path = "/health" if svc == "payments-api" else rng.choice(["/health", "/status"])
        tgs[svc] = (
            k.target_group(
                ctx,
                net,
                f"{svc}-prod",
                port,
                lb,
                path="/healthz",
                interval=10,
                unhealthy=2,
                healthy=3,
                timeout=5,
            ),
            old_path,
        )
        count = 3 if svc == "payments-api" else 2
        insts[svc] = [
            k.instance(
                ctx,
                net,
                net.private[n % 3],
                name=f"{svc}-prod",
                itype="c7g.large" if svc != "merchant-portal" else "m7g.large",
                ami=ami,
                sgs=[(sgs[svc], f"{svc}-prod")],
                profile=f"{svc}-prod",
                launched=ctx.start - timedelta(days=rng.randint(3, 20), minutes=rng.randint(0, 600)),
                extra_tags={"service": svc, "env": "prod", "aws:autoscaling:groupName": f"{svc}-prod"},
            )
            for n in range(count)
        ]
        for inst in insts[svc]:
            k.instance_status(ctx, inst)
    k.listener(ctx, lb, tgs["payments-api"][0])
    lt_id = ctx.rid("lt")
    pay_asg = k.asg_item(
        ctx,
        "payments-api-prod",
        lt_id=lt_id,
        lt_name="payments-api-prod",
        lt_version="$Default",
        min_size=3,
        max_size=9,
        desired=3,
        subnets=net.private,
        tg_arns=[tgs["payments-api"][0].arn],
        members=[
            (str(i["InstanceId"]), str(i["Placement"]["AvailabilityZone"]), "InService", "Healthy")  # type: ignore[index]
            for i in insts["payments-api"]
        ],
        created=ctx.start - timedelta(days=300),
        health_type="EC2",
        itype="c7g.large",
    )
    _ = pay_asg

    # ---- the apply ------------------------------------------------------------------------------
    tf = k.terraform(ctx)
    order = ["merchant-portal", "payments-api", "refunds-api"]
    rng.shuffle(order)
    changes = {}
    t = t_apply
    for svc in order:
        tg, old_path = tgs[svc]
        rec = ctx.ct(
            t,
            tf,
            "elasticloadbalancing.amazonaws.com",
            "ModifyTargetGroup",
            {
                "targetGroupArn": tg.arn,
                "healthCheckPath": "/healthz",
                "healthCheckIntervalSeconds": 10,
                "healthyThresholdCount": 3,
                "unhealthyThresholdCount": 2,
                "matcher": {"httpCode": "200"},
            },
            {
                "targetGroups": [
                    {
                        "targetGroupArn": tg.arn,
                        "targetGroupName": tg.name,
                        "protocol": "HTTP",
                        "port": tg.port,
                        "vpcId": net.vpc_id,
                        "healthCheckProtocol": "HTTP",
                        "healthCheckPort": "traffic-port",
                        "healthCheckEnabled": True,
                        "healthCheckIntervalSeconds": 10,
                        "healthCheckTimeoutSeconds": 5,
                        "healthyThresholdCount": 3,
                        "unhealthyThresholdCount": 2,
                        "healthCheckPath": "/healthz",
                        "matcher": {"httpCode": "200"},
                        "loadBalancerArns": [lb.arn],
                        "targetType": "instance",
                        "protocolVersion": "HTTP1",
                        "ipAddressType": "ipv4",
                    }
                ]
            },
            read_only=False,
            version="1.10",
        )
        changes[svc] = (t, rec)
        t += timedelta(seconds=rng.randint(1, 3))
    # same apply: tag updates
    for svc in order:
        ctx.ct(
            t,
            tf,
            "elasticloadbalancing.amazonaws.com",
            "AddTags",
            {"resourceArns": [tgs[svc][0].arn], "tags": [{"key": "health-standard", "value": "v2"}]},
            None,
            read_only=False,
            version="1.10",
        )
        t += timedelta(seconds=1)
    t_change = changes["payments-api"][0]
    t_bad = t_change + timedelta(seconds=rng.randint(19, 27))

    # ---- target health ---------------------------------------------------------------------------
    for svc, _p, _r in services:
        tg = tgs[svc][0]
        for inst in insts[svc]:
            iid = str(inst["InstanceId"])
            ctx.target_health(tg.arn, iid, tg.port, ctx.start - timedelta(days=1), "healthy")
            if svc == "payments-api":
                ctx.target_health(
                    tg.arn,
                    iid,
                    tg.port,
                    t_bad + timedelta(seconds=rng.randint(0, 9)),
                    "unhealthy",
                    "Target.ResponseCodeMismatch",
                    "Health checks failed with these codes: [404]",
                )

    # ---- metrics --------------------------------------------------------------------------------
    ns = "AWS/ApplicationELB"
    lbd = {"LoadBalancer": lb.dim}
    base = {
        "payments-api": rng.randint(900, 1500),
        "refunds-api": rng.randint(60, 140),
        "merchant-portal": rng.randint(200, 420),
    }
    per: dict[str, list[float]] = {}
    for svc, _p, _r in services:
        per[svc] = [
            base[svc] * k.diurnal(ctx.t(i), offset_h, peak_h=13, floor=0.15) * (1 + ctx.noise(0.05))
            for i in range(N)
        ]
    lat = {"payments-api": 0.085, "refunds-api": 0.06, "merchant-portal": 0.14}
    hc_path_bad = {svc: svc == "payments-api" for svc, _p, _r in services}
    s_h = s_u = None
    for svc, _p, _r in services:
        tg = tgs[svc][0]
        n_t = len(insts[svc])
        d = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
        rq = per[svc]
        ctx.series(
            ns, "RequestCount", d, "Count", lambda x, rq=rq: float(round(rq[ctx.idx(x)])), kind="count"
        )
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            d,
            "Count",
            lambda x, rq=rq: float(round(rq[ctx.idx(x)] * 0.985)),
            kind="count",
        )
        ctx.series(
            ns,
            "HTTPCode_Target_4XX_Count",
            d,
            "Count",
            lambda x, rq=rq: float(round(rq[ctx.idx(x)] * 0.015)),
            kind="count",
            sparse=True,
        )
        ctx.series(
            ns,
            "HTTPCode_Target_5XX_Count",
            d,
            "Count",
            lambda x: float(rng.random() < 0.05),
            kind="count",
            sparse=True,
        )
        ctx.series(
            ns,
            "TargetResponseTime",
            d,
            "Seconds",
            lambda x, v=lat[svc]: v * (1 + ctx.noise(0.07)),
            kind="dist",
            counts=[float(round(r)) for r in rq],
        )
        bad = hc_path_bad[svc]

        def healthy(x: datetime, n_t: int = n_t, bad: bool = bad) -> float:
            return 0.0 if bad and x + timedelta(seconds=30) >= t_bad else float(n_t)

        def unhealthy(x: datetime, n_t: int = n_t, bad: bool = bad) -> float:
            return float(n_t) if bad and x + timedelta(seconds=30) >= t_bad else 0.0

        hs = ctx.series(ns, "HealthyHostCount", d, "Count", healthy)
        us = ctx.series(ns, "UnHealthyHostCount", d, "Count", unhealthy)
        if svc == "payments-api":
            s_h, s_u = hs, us
        for inst in insts[svc]:
            iid = str(inst["InstanceId"])
            ctx.series(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                "Percent",
                lambda x, rq=rq, n_t=n_t, b=base[svc]: 6 + 40 * rq[ctx.idx(x)] / b / n_t * 2 + ctx.noise(1.5),
            )
            ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda x: 0.0)
    total = [sum(per[s][i] for s in per) for i in range(N)]
    ctx.series(ns, "RequestCount", lbd, "Count", lambda x: float(round(total[ctx.idx(x)])), kind="count")
    ctx.series(
        ns,
        "HTTPCode_ELB_4XX_Count",
        lbd,
        "Count",
        lambda x: float(round(total[ctx.idx(x)] * 0.004 + ctx.noise(1))),
        kind="count",
        sparse=True,
    )
    ctx.series(ns, "ActiveConnectionCount", lbd, "Count", lambda x: total[ctx.idx(x)] * 0.4, kind="count")
    assert s_h is not None
    assert s_u is not None

    topic = ctx.arn("sns", "payments-pagerduty")
    a_zero = ctx.alarm(
        "payments-api-prod-no-healthy-hosts",
        s_h,
        stat="Minimum",
        threshold=1,
        op="LessThanThreshold",
        evals=2,
        datapoints=2,
        missing="breaching",
        actions=[topic],
        description="payments-api-prod has no healthy targets behind payments-prod",
    )
    a_unh = ctx.alarm(
        "payments-api-prod-unhealthy-hosts",
        s_u,
        stat="Maximum",
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        evals=3,
        datapoints=3,
        actions=[topic],
    )
    ctx.add_alarm(a_zero)
    ctx.add_alarm(a_unh)
    for svc in ("refunds-api", "merchant-portal"):
        tg = tgs[svc][0]
        zero = k.Series(
            ns,
            "HealthyHostCount",
            {"LoadBalancer": lb.dim, "TargetGroup": tg.dim},
            "Count",
            [float(len(insts[svc]))] * N,
        )
        ctx.add_alarm(
            ctx.alarm(
                f"{svc}-prod-no-healthy-hosts",
                zero,
                stat="Minimum",
                threshold=1,
                op="LessThanThreshold",
                evals=2,
                missing="breaching",
                actions=[topic],
            )
        )

    # ---- logs -----------------------------------------------------------------------------------
    alb_nodes = [f"{s.prefix}.{rng.randint(10, 250)}" for s in net.public]
    for svc, _p, _r in services:
        group = f"/payments-prod/{svc}"
        for inst in insts[svc]:
            iid = str(inst["InstanceId"])
            host = str(inst["PrivateDnsName"]).split(".")[0]
            pid = rng.randint(1000, 4000)
            t = ctx.start + timedelta(seconds=rng.randint(0, 40))
            while t < ctx.now:
                r = rng.random()
                if svc == "merchant-portal":
                    msg = (
                        f'{inst["PrivateIpAddress"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET /merchants/{rng.randint(1000, 9999)}/payouts HTTP/1.1" '
                        f'200 {rng.randint(900, 9000)} "-" "Mozilla/5.0" {rng.uniform(0.05, 0.4):.3f}'
                    )
                else:
                    lvl = 40 if r < 0.02 else 30
                    body = {"level": lvl, "time": k.ms(t), "pid": pid, "hostname": host}
                    if lvl == 40:
                        body |= {
                            "msg": "idempotency key reused with different payload",
                            "merchantId": f"m_{ctx.hex(10)}",
                        }
                    else:
                        path = "/v1/payments" if svc == "payments-api" else "/v1/refunds"
                        body |= {
                            "req": {"method": "POST" if r < 0.5 else "GET", "url": path},
                            "res": {"statusCode": 201 if r < 0.5 else 200},
                            "responseTime": round(lat[svc] * 1000 * rng.uniform(0.5, 1.7), 1),
                            "msg": "request completed",
                        }
                    msg = json.dumps(body, separators=(",", ":"))
                ctx.log(group, f"{svc}-{iid}", t, msg)
                t += timedelta(seconds=rng.uniform(15, 50), milliseconds=rng.randint(0, 999))
            # health checks now hit /healthz, which payments-api does not serve and does log
            if svc == "payments-api":
                t = t_change + timedelta(seconds=rng.uniform(0.5, 3))
                while t < ctx.now:
                    for node in alb_nodes:
                        tt = t + timedelta(milliseconds=rng.randint(0, 2900))
                        body = {
                            "level": 30,
                            "time": k.ms(tt),
                            "pid": pid,
                            "hostname": host,
                            "req": {
                                "method": "GET",
                                "url": "/healthz",
                                "remoteAddress": node,
                                "headers": {"user-agent": "ELB-HealthChecker/2.0"},
                            },
                            "res": {"statusCode": 404},
                            "responseTime": round(rng.uniform(0.3, 1.4), 1),
                            "msg": "request completed",
                        }
                        ctx.log(group, f"{svc}-{iid}", tt, json.dumps(body, separators=(",", ":")))
                    t += timedelta(seconds=10)

    # ---- other CloudTrail ------------------------------------------------------------------------
    domain = "paylane.eu"
    people = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3), ["SRE", "Developer", "ReadOnly"], [False, True, True], strict=True
        )
    ]
    nat = f"{rng.choice([3, 18, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [
        k.instance_role(ctx, "payments-api-prod", str(i["InstanceId"]), nat, k.NODE_UA)
        for i in insts["payments-api"]
    ]
    all_ids = [str(i["InstanceId"]) for v in insts.values() for i in v]
    k.background(
        ctx,
        k.Refs(
            instances=all_ids,
            target_groups=[tgs[s][0].arn for s in tgs],
            load_balancers=[lb.arn],
            log_groups=[f"/payments-prod/{s}" for s in tgs],
            params=["/payments-api/prod/psp-api-key", "/payments-api/prod/db-url"],
            buckets=[f"payments-prod-reports-{ctx.account}"],
            asgs=["payments-api-prod"],
            alarms=[a_zero["AlarmName"], a_unh["AlarmName"]],
        ),
        humans=people,
        automation=[tf],
        app_roles=apps,
        t0=ctx.start,
        t1=ctx.now,
        n=rng.randint(30, 38),
    )
    # plan-time reads by the same apply
    for svc in order:
        ctx.ct(
            t_apply - timedelta(seconds=rng.randint(20, 60)),
            tf,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetGroups",
            {"targetGroupArns": [tgs[svc][0].arn]},
            None,
            read_only=True,
            version="1.10",
        )
    ctx.ct(
        t_apply - timedelta(minutes=rng.randint(5, 25)),
        people[1],
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "payments-webhook-dispatcher", "publish": True},
        {
            "functionName": "payments-webhook-dispatcher",
            "functionArn": ctx.arn("lambda", "function:payments-webhook-dispatcher"),
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(200000, 900000),
            "version": str(rng.randint(30, 80)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": ctx.uuid(),
        },
        read_only=False,
        version="1.08",
    )

    now_local = ctx.now.astimezone(tz)
    when = (t_bad + timedelta(minutes=2)).astimezone(tz)
    q = rng.choice(
        [
            f"PagerDuty says payments-api-prod has 0 healthy hosts since around {when:%H:%M}, but payments seem to be going through fine. Is this real? What happened?",
            f"Getting 'no healthy hosts' pages for payments-api since ~{when:%H:%M} — the API still answers. What's going on?",
        ]
    )
    _ = now_local
    tg_pay = tgs["payments-api"][0]
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": q, "alarm_event": ctx.alarm_event(a_zero, 0), "timezone": str(tz)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": tg_pay.arn,
                    "category": "change",
                    "failure_mode": "health-check-path-changed",
                    "event_id": changes["payments-api"][1]["eventID"],
                },
                "also_accept": [tg_pay.name, tg_pay.dim],
                "actions": ["rollback"],
                "chain": [
                    "Terraform apply sets payments-api-prod target group health check path to /healthz",
                    "payments-api answers 404 on /healthz; all payments-api-prod targets become unhealthy",
                    "payments-prod ALB fails open and keeps routing; no-healthy-hosts alarm fires",
                ],
            },
        }
    )
