"""A listener rule is switched to the idle green target group (no registered targets); /v1/orders gets 503."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "orders-rule-to-idle-green"
TITLE = "orders endpoints failing for the mobile app"
SUMMARY = (
    "An engineer preparing a blue/green cutover edits the api-prod listener rule for /v1/orders* to forward to "
    "orders-svc-green before any targets are registered there; the ALB answers 503 for every orders request."
)


def _fwd(tg_arn: str) -> list[dict[str, Any]]:
    return [
        {
            "Type": "forward",
            "TargetGroupArn": tg_arn,
            "Order": 1,
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed, regions=["us-east-1", "us-east-2", "us-west-2"])
    rng = ctx.rng
    tz = ZoneInfo(
        {"us-east-1": "America/New_York", "us-east-2": "America/Chicago", "us-west-2": "America/Los_Angeles"}[
            ctx.region
        ]
    )
    day = k.pick_day(ctx)
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    t_mod = (local + timedelta(hours=rng.uniform(13.5, 16.5))).astimezone(k.UTC).replace(microsecond=0)
    ctx.start = k.floor_min(t_mod - timedelta(hours=rng.uniform(4, 6))).replace(minute=0)
    ctx.fine_from = ctx.start
    ctx.now = k.floor_min(t_mod + timedelta(minutes=rng.randint(32, 50)))
    N = ctx.minutes()

    net = k.network(ctx, "api-prod")
    alb_sg = k.security_group(ctx, net, "api-prod-alb", "api-prod ALB", [(443, 443, "0.0.0.0/0")])
    lb = k.load_balancer(ctx, net, "api-prod", alb_sg, created=ctx.start - timedelta(days=900))
    svcs = {
        "orders-svc-blue": 3,
        "orders-svc-green": 0,
        "inventory-svc": 2,
        "customers-svc": 2,
        "web-gateway": 2,
    }
    tgs: dict[str, k.Tg] = {}
    insts: dict[str, list[dict[str, Any]]] = {}
    ami = ctx.rid("ami")
    sg_ids: dict[str, str] = {}
    for svc, n in svcs.items():
        fam = svc.replace("-blue", "").replace("-green", "")
        if fam not in sg_ids:
            sg_ids[fam] = k.security_group(
                ctx, net, f"{fam}-prod", f"{fam} instances", [(8080, 8080, alb_sg)]
            )
        tgs[svc] = k.target_group(ctx, net, svc, 8080, lb, path="/healthz", interval=10)
        insts[svc] = [
            k.instance(
                ctx,
                net,
                net.private[j % 3],
                name=f"{svc}-prod",
                itype="c6g.large",
                ami=ami,
                sgs=[(sg_ids[fam], f"{fam}-prod")],
                profile=f"{fam}-prod",
                launched=ctx.start - timedelta(days=rng.randint(1, 12), minutes=rng.randint(0, 900)),
                extra_tags={"service": fam, "env": "prod", "color": "blue"}
                if "blue" in svc
                else {"service": fam, "env": "prod"},
            )
            for j in range(n)
        ]
        for inst in insts[svc]:
            k.instance_status(ctx, inst)
            ctx.target_health(
                tgs[svc].arn, inst["InstanceId"], 8080, ctx.start - timedelta(days=1), "healthy"
            )
    listener_arn = k.listener(ctx, lb, tgs["web-gateway"])
    rules = {}
    for prio, (path, svc) in enumerate(
        [
            ("/v1/orders*", "orders-svc-blue"),
            ("/v1/inventory*", "inventory-svc"),
            ("/v1/customers*", "customers-svc"),
        ],
        start=1,
    ):
        arn = listener_arn.replace(":listener/", ":listener-rule/") + f"/{ctx.hex(16)}"
        rules[svc] = (arn, prio * 10, path)
    orders_rule = rules["orders-svc-blue"][0]
    for svc, (arn, prio, path) in rules.items():
        target = "orders-svc-green" if svc == "orders-svc-blue" else svc
        conds: list[dict[str, Any]] = [
            {"Field": "path-pattern", "Values": [path], "PathPatternConfig": {"Values": [path]}}
        ]
        ctx.res(
            "elbv2",
            "Rule",
            {
                "RuleArn": arn,
                "Priority": str(prio),
                "Conditions": conds,
                "Actions": _fwd(tgs[target].arn),
                "IsDefault": False,
            },
        )
    ctx.res(
        "elbv2",
        "Rule",
        {
            "RuleArn": listener_arn.replace(":listener/", ":listener-rule/") + f"/{ctx.hex(16)}",
            "Priority": "default",
            "Conditions": [],
            "Actions": _fwd(tgs["web-gateway"].arn),
            "IsDefault": True,
        },
    )
    # the green group was emptied after the last cutover
    t_empty = ctx.start - timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 10))
    _ = t_empty  # DescribeTargetHealth of an emptied group lists nothing
    t_eff = t_mod + timedelta(seconds=rng.randint(2, 6))

    # ---- metrics --------------------------------------------------------------------------------
    ns = "AWS/ApplicationELB"
    share = {"orders-svc-blue": 0.34, "inventory-svc": 0.18, "customers-svc": 0.12, "web-gateway": 0.36}
    base = rng.randint(4000, 7000)
    tot = [
        base * k.diurnal(ctx.t(i), offset_h, peak_h=15, floor=0.15) * (1 + ctx.noise(0.03)) for i in range(N)
    ]
    lat = {"orders-svc-blue": 0.072, "inventory-svc": 0.031, "customers-svc": 0.044, "web-gateway": 0.12}

    def frac(x: datetime) -> float:
        """Share of this minute's orders traffic that still reached blue."""
        if x + k.MIN <= t_eff:
            return 1.0
        if x >= t_eff:
            return 0.0
        return (t_eff - x).total_seconds() / 60

    orders503 = [
        tot[i] * share["orders-svc-blue"] * (1 - frac(ctx.t(i))) * rng.uniform(1.0, 1.25) for i in range(N)
    ]
    served: dict[str, list[float]] = {}
    for svc, sh in share.items():
        served[svc] = [
            tot[i] * sh * (frac(ctx.t(i)) if svc == "orders-svc-blue" else 1.0) * (1 + ctx.noise(0.04))
            for i in range(N)
        ]
        d = {"LoadBalancer": lb.dim, "TargetGroup": tgs[svc].dim}
        arr = served[svc]
        ctx.series(
            ns,
            "RequestCount",
            d,
            "Count",
            lambda x, a=arr: float(round(a[ctx.idx(x)])) if a[ctx.idx(x)] >= 0.5 else None,
            kind="count",
        )
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            d,
            "Count",
            lambda x, a=arr: float(round(a[ctx.idx(x)] * 0.97)) if a[ctx.idx(x)] >= 1 else None,
            kind="count",
        )
        ctx.series(
            ns,
            "HTTPCode_Target_4XX_Count",
            d,
            "Count",
            lambda x, a=arr: float(round(a[ctx.idx(x)] * 0.03)),
            kind="count",
            sparse=True,
        )
        ctx.series(
            ns,
            "TargetResponseTime",
            d,
            "Seconds",
            lambda x, v=lat[svc]: v * (1 + ctx.noise(0.06)),
            kind="dist",
            counts=[float(round(v)) for v in arr],
        )
        n = len(insts[svc])
        if n:
            ctx.series(ns, "HealthyHostCount", d, "Count", lambda x, n=n: float(n))
            ctx.series(ns, "UnHealthyHostCount", d, "Count", lambda x: 0.0)
        for inst in insts[svc]:
            ctx.series(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": inst["InstanceId"]},
                "Percent",
                lambda x, a=arr, n=n, sh=sh: 4 + 55 * a[ctx.idx(x)] / (base * sh) / n * 2 + ctx.noise(1.2),
            )
    lbd = {"LoadBalancer": lb.dim}
    ctx.series(
        ns,
        "RequestCount",
        lbd,
        "Count",
        lambda x: float(round(sum(served[s][ctx.idx(x)] for s in served))),
        kind="count",
    )
    e5 = ctx.series(
        ns,
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda x: float(round(orders503[ctx.idx(x)])),
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns,
        "HTTPCode_ELB_503_Count",
        lbd,
        "Count",
        lambda x: float(round(orders503[ctx.idx(x)])),
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns,
        "HTTPCode_ELB_4XX_Count",
        lbd,
        "Count",
        lambda x: float(round(tot[ctx.idx(x)] * 0.002 + ctx.noise(0.8))),
        kind="count",
        sparse=True,
    )
    ctx.series(ns, "ActiveConnectionCount", lbd, "Count", lambda x: tot[ctx.idx(x)] * 0.45, kind="count")

    topic = ctx.arn("sns", "api-prod-alerts")
    a5 = ctx.alarm(
        "api-prod-elb-5xx",
        e5,
        stat="Sum",
        threshold=100,
        op="GreaterThanOrEqualToThreshold",
        evals=2,
        datapoints=2,
        missing="notBreaching",
        actions=[topic],
        description="api-prod ALB generated 5xx (no target involved)",
    )
    ctx.add_alarm(a5)
    for svc in ("orders-svc-blue", "inventory-svc", "customers-svc"):
        d = {"LoadBalancer": lb.dim, "TargetGroup": tgs[svc].dim}
        quiet = k.Series(ns, "HTTPCode_Target_5XX_Count", d, "Count", [None] * N, kind="count", sparse=True)
        ctx.add_alarm(
            ctx.alarm(
                f"{svc.replace('-blue', '')}-target-5xx",
                quiet,
                stat="Sum",
                threshold=25,
                op="GreaterThanOrEqualToThreshold",
                evals=3,
                missing="notBreaching",
                actions=[topic],
                dims=d,
            )
        )

    # ---- logs -----------------------------------------------------------------------------------
    for svc in ("orders-svc-blue", "inventory-svc", "customers-svc"):
        fam = svc.replace("-blue", "")
        for inst in insts[svc]:
            t = ctx.start + timedelta(seconds=rng.randint(0, 20))
            while t < ctx.now:
                i = ctx.idx(t)
                if served[svc][i] < 1:
                    t += timedelta(seconds=rng.uniform(50, 70))
                    if rng.random() < 0.5:
                        ctx.log(
                            f"/api-prod/{fam}",
                            inst["InstanceId"],
                            t,
                            f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z INFO  [scheduler] o.c.orders.outbox.OutboxRelay - relayed 0 events",
                        )
                    continue
                path = {
                    "orders-svc": "/v1/orders",
                    "inventory-svc": "/v1/inventory/sku",
                    "customers-svc": "/v1/customers",
                }[fam]
                lvl = "WARN " if rng.random() < 0.03 else "INFO "
                msg = (
                    f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z {lvl} [http-nio-8080-exec-{rng.randint(1, 40)}] "
                    + (
                        f"o.c.{fam.split('-')[0]}.web.AccessLog - GET {path}/{ctx.hex(8)} 200 {int(lat[svc] * 1000 * rng.uniform(0.5, 1.7))}ms"
                        if lvl == "INFO "
                        else f"o.c.{fam.split('-')[0]}.client.Retry - retrying call to payments-gw (attempt 2)"
                    )
                )
                ctx.log(f"/api-prod/{fam}", inst["InstanceId"], t, msg)
                t += timedelta(seconds=rng.uniform(10, 35), milliseconds=rng.randint(0, 999))

    # ---- CloudTrail -----------------------------------------------------------------------------
    domain = "cartwheel.app"
    eng = ctx.sso(rng.choice(k.FIRST_NAMES), "Developer", domain, console=True)
    others = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(rng.sample(k.FIRST_NAMES, 2), ["SRE", "ReadOnly"], [False, True], strict=True)
    ]
    tf = k.terraform(ctx)
    ci = k.gha(ctx, "gha-deploy-customers", "customers-svc")
    k.background(
        ctx,
        k.Refs(
            instances=[i["InstanceId"] for v in insts.values() for i in v],
            target_groups=[t.arn for t in tgs.values()],
            load_balancers=[lb.arn],
            log_groups=[f"/api-prod/{f}" for f in ("orders-svc", "inventory-svc", "customers-svc")],
            params=["/orders-svc/prod/db-url"],
            buckets=[f"cartwheel-api-prod-{ctx.account}"],
            alarms=[a5["AlarmName"]],
        ),
        humans=[eng, *others],
        automation=[tf],
        app_roles=[],
        t0=ctx.start,
        t1=ctx.now,
        n=rng.randint(32, 40),
    )
    ctx.ct(
        t_mod - timedelta(minutes=rng.randint(2, 6)),
        eng,
        "elasticloadbalancing.amazonaws.com",
        "DescribeRules",
        {"listenerArn": listener_arn},
        None,
        read_only=True,
        version="1.10",
    )
    ctx.ct(
        t_mod - timedelta(minutes=rng.randint(1, 2)),
        eng,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetGroups",
        {"loadBalancerArn": lb.arn},
        None,
        read_only=True,
        version="1.10",
    )
    mod = ctx.ct(
        t_mod,
        eng,
        "elasticloadbalancing.amazonaws.com",
        "ModifyRule",
        {
            "ruleArn": orders_rule,
            "actions": [
                {
                    "type": "forward",
                    "order": 1,
                    "forwardConfig": {
                        "targetGroups": [{"targetGroupArn": tgs["orders-svc-green"].arn, "weight": 1}],
                        "targetGroupStickinessConfig": {"enabled": False},
                    },
                }
            ],
        },
        {
            "rules": [
                {
                    "ruleArn": orders_rule,
                    "priority": "10",
                    "conditions": [
                        {
                            "field": "path-pattern",
                            "values": ["/v1/orders*"],
                            "pathPatternConfig": {"values": ["/v1/orders*"]},
                        }
                    ],
                    "actions": [
                        {
                            "type": "forward",
                            "targetGroupArn": tgs["orders-svc-green"].arn,
                            "order": 1,
                            "forwardConfig": {
                                "targetGroups": [
                                    {"targetGroupArn": tgs["orders-svc-green"].arn, "weight": 1}
                                ],
                                "targetGroupStickinessConfig": {"enabled": False},
                            },
                        }
                    ],
                    "isDefault": False,
                }
            ]
        },
        read_only=False,
        version="1.10",
    )
    # innocent changes around it
    inv_rule = rules["inventory-svc"][0]
    c1 = t_mod - timedelta(minutes=rng.randint(6, 20))
    ctx.ct(
        c1,
        eng,
        "elasticloadbalancing.amazonaws.com",
        "AddTags",
        {
            "resourceArns": [tgs["orders-svc-green"].arn],
            "tags": [{"key": "release", "value": f"2024.{rng.randint(10, 52)}.{rng.randint(1, 5)}"}],
        },
        None,
        read_only=False,
        version="1.10",
    )
    c2 = t_mod + timedelta(minutes=rng.randint(3, 12))
    for svc in ("customers-svc",):
        for inst in insts[svc][:1]:
            ctx.ct(
                c2,
                ci,
                "elasticloadbalancing.amazonaws.com",
                "DeregisterTargets",
                {"targetGroupArn": tgs[svc].arn, "targets": [{"id": inst["InstanceId"], "port": 8080}]},
                None,
                read_only=False,
                version="1.10",
            )
            ctx.ct(
                c2 + timedelta(seconds=rng.randint(70, 110)),
                ci,
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                {"targetGroupArn": tgs[svc].arn, "targets": [{"id": inst["InstanceId"], "port": 8080}]},
                None,
                read_only=False,
                version="1.10",
            )
            ctx.target_health(
                tgs[svc].arn,
                inst["InstanceId"],
                8080,
                c2 + timedelta(seconds=1),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            ctx.target_health(
                tgs[svc].arn,
                inst["InstanceId"],
                8080,
                c2 + timedelta(seconds=72),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            ctx.target_health(
                tgs[svc].arn,
                inst["InstanceId"],
                8080,
                c2 + timedelta(seconds=112),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            ctx.target_health(tgs[svc].arn, inst["InstanceId"], 8080, c2 + timedelta(seconds=150), "healthy")
    c3 = t_mod - timedelta(minutes=rng.randint(15, 28))
    ctx.ct(
        c3,
        tf,
        "elasticloadbalancing.amazonaws.com",
        "SetRulePriorities",
        {"rulePriorities": [{"ruleArn": inv_rule, "priority": 20}]},
        None,
        read_only=False,
        version="1.10",
    )

    ev = ctx.alarm_event(a5, 0)
    when = (t_eff + timedelta(minutes=rng.randint(0, 3))).astimezone(tz)
    clock = f"{when:%I:%M%p}".lstrip("0").lower()
    q = rng.choice(
        [
            f"Mobile app can't load orders since about {clock}, everything else seems fine. What broke?",
            f"Support is flooded with 'orders won't load' tickets starting ~{clock}. api-prod 5xx alarm is firing. Root cause?",
        ]
    )
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": q, "alarm_event": ev, "timezone": str(tz)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": orders_rule,
                    "category": "change",
                    "failure_mode": "listener-rule-wrong-target-group",
                    "event_id": mod["eventID"],
                },
                "also_accept": [],
                "actions": ["rollback"],
                "chain": [
                    "api-prod HTTPS listener rule for /v1/orders* modified to forward to orders-svc-green",
                    "orders-svc-green has no registered targets",
                    "api-prod ALB answers 503 for every /v1/orders request; orders-svc-blue receives no traffic",
                ],
            },
        }
    )
