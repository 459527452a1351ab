"""One pricing-api instance's underlying host fails (system status check); no change in the account."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "pricing-host-hardware-fault"
TITLE = "pricing-api unhealthy target alarm"
SUMMARY = (
    "The host under one of three static pricing-api instances (instance-store type, so no simplified "
    "automatic recovery) fails: system and instance reachability checks fail, the target times out, the "
    "others absorb its load; a retirement notice follows."
)


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed)
    rng = ctx.rng
    day = k.pick_day(ctx, weekday_only=False)
    t_fail = (day + timedelta(hours=rng.uniform(1, 22))).replace(microsecond=0)
    ctx.start = k.floor_min(t_fail - timedelta(hours=rng.uniform(3.5, 5))).replace(minute=0)
    ctx.fine_from = ctx.start
    ctx.now = k.floor_min(t_fail + timedelta(minutes=rng.randint(33, 55)))
    N = ctx.minutes()
    offset_h = {"us-east-1": -4, "us-east-2": -5, "us-west-2": -7, "eu-west-1": 1, "eu-central-1": 2}[
        ctx.region
    ]

    net = k.network(ctx, "core-prod")
    lb_sg = k.security_group(
        ctx, net, "pricing-internal-alb", "internal ALB for pricing", [(80, 80, net.cidr)]
    )
    app_sg = k.security_group(ctx, net, "pricing-api", "pricing-api instances", [(9000, 9000, lb_sg)])
    lb = k.load_balancer(
        ctx, net, "pricing-internal", lb_sg, internal=True, created=ctx.start - timedelta(days=800)
    )
    tg = k.target_group(
        ctx, net, "pricing-api", 9000, lb, path="/status", interval=10, timeout=5, unhealthy=3
    )
    k.listener(ctx, lb, tg, port=80)
    ami = ctx.rid("ami")
    fleet = [
        k.instance(
            ctx,
            net,
            net.private[n],
            name=f"pricing-api-{n + 1:02d}",
            itype="m5d.xlarge",
            ami=ami,
            sgs=[(app_sg, "pricing-api")],
            profile="pricing-api",
            launched=ctx.start - timedelta(days=rng.randint(40, 200), minutes=rng.randint(0, 900)),
            extra_tags={"service": "pricing-api", "env": "prod", "cache": "local-nvme"},
        )
        for n in range(3)
    ]
    vi = rng.randint(0, 2)
    victim = fleet[vi]
    vid = victim["InstanceId"]
    t_imp = t_fail + timedelta(seconds=rng.randint(60, 170))
    retire = (t_fail + timedelta(days=14)).replace(hour=0, minute=0, second=0)
    for n, inst in enumerate(fleet):
        if n == vi:
            k.instance_status(
                ctx,
                inst,
                system_impaired_since=k.floor_min(t_imp),
                instance_impaired_since=k.floor_min(t_imp),
            )
            ctx.resources[-1]["item"]["Events"] = [
                {
                    "InstanceEventId": "instance-event-0" + ctx.hex(16),
                    "Code": "instance-retirement",
                    "Description": "The instance is running on degraded hardware",
                    "NotBefore": k.iso(retire),
                    "NotAfter": k.iso(retire + timedelta(days=1)),
                }
            ]
        else:
            k.instance_status(ctx, inst)
        ctx.target_health(tg.arn, inst["InstanceId"], 9000, ctx.start - timedelta(days=1), "healthy")
    t_unh = t_fail + timedelta(seconds=rng.randint(35, 48))
    ctx.target_health(tg.arn, vid, 9000, t_unh, "unhealthy", "Target.Timeout", "Request timed out")

    # ---- metrics --------------------------------------------------------------------------------
    base = rng.randint(2400, 4200)
    rq = [
        base * k.diurnal(ctx.t(i), offset_h, peak_h=14, floor=0.2) * (1 + ctx.noise(0.04)) for i in range(N)
    ]
    fail_i = ctx.idx(t_fail)
    unh_i = ctx.idx(t_unh)
    e502 = [0.0] * N
    e504 = [0.0] * N
    for i in range(fail_i, unh_i + 1):
        e504[i] = round(rq[i] / 3 * rng.uniform(0.06, 0.2))
        e502[i] = round(rq[i] / 3 * rng.uniform(0.01, 0.04))

    def up(x: datetime) -> int:
        return 2 if x + timedelta(seconds=30) >= t_unh else 3

    ns = "AWS/ApplicationELB"
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    lbd = {"LoadBalancer": lb.dim}
    lat = [0.024 * (1 + (0.4 if up(ctx.t(i)) == 2 else 0)) * (1 + ctx.noise(0.06)) for i in range(N)]
    for i in range(fail_i, unh_i + 1):
        lat[i] = lat[i] * 6
    for d in (tgd, lbd):
        ctx.series(ns, "RequestCount", d, "Count", lambda x: float(round(rq[ctx.idx(x)])), kind="count")
        ctx.series(
            ns,
            "HTTPCode_Target_2XX_Count",
            d,
            "Count",
            lambda x: float(round(rq[ctx.idx(x)] - e502[ctx.idx(x)] - e504[ctx.idx(x)])),
            kind="count",
        )
        ctx.series(
            ns,
            "TargetResponseTime",
            d,
            "Seconds",
            lambda x: lat[ctx.idx(x)],
            kind="dist",
            counts=[float(round(r)) for r in rq],
        )
    ctx.series(
        ns,
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda x: e502[ctx.idx(x)] + e504[ctx.idx(x)],
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns, "HTTPCode_ELB_504_Count", lbd, "Count", lambda x: e504[ctx.idx(x)], kind="count", sparse=True
    )
    ctx.series(
        ns, "HTTPCode_ELB_502_Count", lbd, "Count", lambda x: e502[ctx.idx(x)], kind="count", sparse=True
    )
    ctx.series(
        ns, "TargetConnectionErrorCount", lbd, "Count", lambda x: e502[ctx.idx(x)], kind="count", sparse=True
    )
    hh = ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: float(up(x)))
    uh = ctx.series(ns, "UnHealthyHostCount", tgd, "Count", lambda x: float(3 - up(x)))
    status: dict[str, k.Series] = {}
    for n, inst in enumerate(fleet):
        iid = inst["InstanceId"]
        dead = n == vi

        def cpu(x: datetime, dead: bool = dead) -> float | None:
            if dead and x >= t_fail:
                return None
            return 6 + 52 * rq[ctx.idx(x)] / base / up(x) * 1.0 + ctx.noise(1.5)

        def chk(x: datetime, dead: bool = dead) -> float | None:
            if dead and x >= t_fail:
                return 1.0 if x >= k.floor_min(t_imp) else None
            return 0.0

        ctx.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu)
        ctx.series(
            "AWS/EC2",
            "NetworkIn",
            {"InstanceId": iid},
            "Bytes",
            lambda x, dead=dead: (
                None if dead and x >= t_fail else rq[ctx.idx(x)] / up(x) * 1800 * (1 + ctx.noise(0.05))
            ),
            kind="count",
        )
        status[iid] = ctx.series("AWS/EC2", "StatusCheckFailed_System", {"InstanceId": iid}, "Count", chk)
        ctx.series("AWS/EC2", "StatusCheckFailed_Instance", {"InstanceId": iid}, "Count", chk)
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", chk)

    topic = ctx.arn("sns", "core-oncall")
    a_unh = ctx.alarm(
        "pricing-api-unhealthy-hosts",
        uh,
        stat="Maximum",
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        evals=2,
        datapoints=2,
        actions=[topic],
        description="pricing-internal has unhealthy pricing-api targets",
    )
    ctx.add_alarm(a_unh)
    ctx.add_alarm(
        ctx.alarm(
            "pricing-api-healthy-hosts-low",
            hh,
            stat="Minimum",
            threshold=2,
            op="LessThanThreshold",
            evals=3,
            missing="breaching",
            actions=[topic],
        )
    )
    for n, inst in enumerate(fleet):
        ctx.add_alarm(
            ctx.alarm(
                f"pricing-api-{n + 1:02d}-status-check",
                status[inst["InstanceId"]],
                stat="Maximum",
                threshold=1,
                op="GreaterThanOrEqualToThreshold",
                evals=2,
                actions=[topic],
                description=f"pricing-api-{n + 1:02d} status check failed",
            )
        )

    # ---- events ---------------------------------------------------------------------------------
    t_health = t_imp + timedelta(minutes=rng.randint(14, 26))
    ev_arn = f"arn:aws:health:{ctx.region}::event/EC2/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_{ctx.hex(8)}-{ctx.hex(4)}-{ctx.hex(4)}-{ctx.hex(4)}-{ctx.hex(12)}"
    if t_health < ctx.now:
        ctx.event(
            "health",
            {
                "event": {
                    "arn": ev_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": ctx.region,
                    "availabilityZone": victim["Placement"]["AvailabilityZone"],
                    "startTime": k.iso(retire),
                    "endTime": k.iso(retire + timedelta(days=1)),
                    "lastUpdatedTime": k.iso(t_health),
                    "statusCode": "upcoming",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance "
                    f"{vid} in the {ctx.region} region. Due to this degradation your instance could already be unreachable. "
                    f"We will stop your instance after {retire:%Y-%m-%d %H:%M:%S} UTC.\\n\\nYou can find more information about "
                    "retirement events on your instances by visiting the Events page of the Amazon EC2 console.\\n\\n"
                    "* What will happen to my instance?\\nYour instance will be stopped after the specified retirement date. "
                    "You can start it again at any time after it has stopped. Any EBS volumes attached to the instance will "
                    "be preserved. Data on instance store volumes will be lost.\\n\\n* What do I need to do?\\nWe recommend "
                    "that you stop and start the instance which will migrate it to new hardware."
                ).replace("\\n", "\n"),
                "affected_entities": [
                    {
                        "entityArn": f"{ev_arn}/{ctx.hex(8)}",
                        "eventArn": ev_arn,
                        "entityValue": vid,
                        "awsAccountId": ctx.account,
                        "lastUpdatedTime": k.iso(t_health),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        )

    # ---- logs -----------------------------------------------------------------------------------
    group = "/core-prod/pricing-api"
    for n, inst in enumerate(fleet):
        iid = inst["InstanceId"]
        end = t_fail if n == vi else ctx.now
        t = ctx.start + timedelta(seconds=rng.randint(0, 30))
        while t < end:
            r = rng.random()
            body: dict[str, object] = {
                "time": k.iso_ms(t),
                "level": "info",
                "service": "pricing-api",
                "instance": iid,
            }
            if r < 0.03:
                body |= {
                    "level": "warn",
                    "msg": "fx rate cache stale, refreshing",
                    "age_s": rng.randint(301, 420),
                }
            elif r < 0.15:
                body |= {
                    "msg": "local cache stats",
                    "hit_ratio": round(rng.uniform(0.91, 0.97), 3),
                    "entries": rng.randint(180000, 240000),
                    "nvme_used_gb": round(rng.uniform(40, 60), 1),
                }
            else:
                body |= {
                    "msg": "quote",
                    "route": "POST /v2/quote",
                    "status": 200,
                    "dur_ms": round(lat[ctx.idx(t)] * 1000 * rng.uniform(0.5, 1.6), 1),
                    "items": rng.randint(1, 14),
                }
            ctx.log(group, iid, t, json.dumps(body, separators=(",", ":")))
            t += timedelta(seconds=rng.uniform(8, 30), milliseconds=rng.randint(0, 999))
    # a client of pricing sees the blip
    cg = "/core-prod/checkout-api"
    for i in range(fail_i, unh_i + 1):
        for _ in range(rng.randint(4, 9)):
            t = ctx.t(i) + timedelta(seconds=rng.uniform(0, 59))
            if t < t_fail or t > t_unh + timedelta(seconds=5):
                continue
            code = rng.choice([504, 504, 504, 502])
            ctx.log(
                cg,
                f"checkout-api-{ctx.hex(8)}",
                t,
                json.dumps(
                    {
                        "ts": k.iso_ms(t),
                        "level": "error",
                        "msg": "pricing call failed",
                        "url": f"http://{lb.dns}/v2/quote",
                        "status": code,
                        "error": "Gateway Timeout" if code == 504 else "Bad Gateway",
                        "attempt": rng.randint(1, 2),
                    },
                    separators=(",", ":"),
                ),
            )

    # ---- CloudTrail -----------------------------------------------------------------------------
    domain = "tallyhq.com"
    people = [
        ctx.sso(u, ps, domain, console=c)
        for u, ps, c in zip(
            rng.sample(k.FIRST_NAMES, 3), ["SRE", "Developer", "ReadOnly"], [False, True, True], strict=True
        )
    ]
    tf = k.terraform(ctx)
    ci = k.gha(ctx, "gha-deploy-core", "checkout-api")
    nat = f"{rng.choice([3, 35, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [k.instance_role(ctx, "pricing-api", inst["InstanceId"], nat, k.JAVA_UA) for inst in fleet]
    k.background(
        ctx,
        k.Refs(
            instances=[i["InstanceId"] for i in fleet],
            target_groups=[tg.arn],
            load_balancers=[lb.arn],
            log_groups=[group, cg],
            params=["/pricing-api/prod/fx-provider-key"],
            buckets=[f"tally-core-prod-{ctx.account}"],
            alarms=[a_unh["AlarmName"]],
        ),
        humans=people,
        automation=[tf],
        app_roles=[a for n, a in enumerate(apps) if n != vi],
        t0=ctx.start,
        t1=ctx.now,
        n=rng.randint(30, 40),
    )
    c1 = t_fail - timedelta(minutes=rng.randint(5, 25))
    ctx.ct(
        c1,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "checkout-receipt-mailer", "publish": True},
        {
            "functionName": "checkout-receipt-mailer",
            "functionArn": ctx.arn("lambda", "function:checkout-receipt-mailer"),
            "runtime": "nodejs20.x",
            "codeSize": rng.randint(100000, 600000),
            "version": str(rng.randint(10, 60)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": ctx.uuid(),
        },
        read_only=False,
        version="1.08",
    )
    c2 = t_fail + timedelta(minutes=rng.randint(2, 14))
    ctx.ct(
        c2,
        tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": group, "retentionInDays": 30},
        None,
        read_only=False,
    )
    c3 = t_fail - timedelta(minutes=rng.randint(10, 28))
    ctx.ct(
        c3,
        people[0],
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": fleet[(vi + 1) % 3]["InstanceId"]}]},
            "tagSet": {"items": [{"key": "patch-group", "value": "prod-linux"}]},
        },
        {"_return": True},
        read_only=False,
    )

    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": None, "alarm_event": ctx.alarm_event(a_unh, 0)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vid,
                    "category": "component_failure",
                    "failure_mode": "ec2-system-status-check-failure",
                    "event_id": None,
                },
                "also_accept": [f"pricing-api-{vi + 1:02d}"],
                "actions": ["restart", "exclude"],
                "chain": [
                    f"host hardware under {vid} (pricing-api-{vi + 1:02d}) fails; system status check impaired",
                    "the instance stops answering; pricing-api target times out and is marked unhealthy",
                    "brief 502/504 burst on pricing-internal, then two instances carry the load",
                ],
            },
        }
    )
