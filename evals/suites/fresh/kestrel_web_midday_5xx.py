"""Kestrel Tickets web fleet: load balancer 5xx and slow pages at midday."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zr import (
    AlarmSpec,
    Ids,
    Logs,
    Metrics,
    Principal,
    Trail,
    alarm_event,
    alb_items,
    aws_service,
    diurnal,
    evaluate,
    instance_item,
    instance_status,
    iso,
    iso_ms,
    minutes,
    ms,
    perm_from_cidr,
    perm_from_sg,
    pick_date,
    res,
    role_session,
    service_linked,
    sg_item,
    sso_user,
    subnet_item,
    tags,
    target_health_point,
    tg_item,
    vpc_item,
)

NAME = "kestrel-web-midday-elb-5xx"
TITLE = "kestrel-web ELB 5xx alarm at midday; ticket pages slow for some buyers"
SUMMARY = "Midday load-balancer 5xx and slow pages on the Kestrel Tickets web fleet, with instance churn in its Auto Scaling group."

TZ = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    account = str(rng.randrange(2 * 10**11, 9 * 10**11))
    region = "us-east-1"
    az_ids = ["use1-az1", "use1-az2", "use1-az4", "use1-az6"]
    rng.shuffle(az_ids)
    azs = [("us-east-1a", az_ids[0]), ("us-east-1b", az_ids[1]), ("us-east-1c", az_ids[2])]
    bad = rng.choice([1, 2])  # the DB primary lives in zone 0
    bad_az, bad_az_id = azs[bad]

    day = pick_date(rng)
    local_day = datetime(day.year, day.month, day.day, tzinfo=TZ)
    onset = (
        local_day + timedelta(hours=12, minutes=rng.randrange(5, 55), seconds=rng.randrange(60))
    ).astimezone(UTC)
    onset = onset.replace(second=0)
    start = onset - timedelta(hours=6, minutes=rng.randrange(0, 30))
    start = start.replace(minute=0)
    now = onset + timedelta(minutes=rng.randrange(36, 48))
    end = now + timedelta(minutes=5)

    vpc = ids.res("vpc")
    priv = [(ids.res("subnet"), az, azid) for az, azid in azs]
    pub = [(ids.res("subnet"), az, azid) for az, azid in azs]
    sg_alb, sg_web, sg_db, sg_bastion = (ids.res("sg") for _ in range(4))
    alb, alb_arn, alb_dim = alb_items(
        ids,
        account,
        region,
        "kestrel-web-alb",
        vpc,
        [(s, a) for s, a, _ in pub],
        sg_alb,
        day - timedelta(days=800),
    )
    tg, tg_arn, tg_dim = tg_item(
        ids,
        account,
        region,
        "kestrel-web-80",
        vpc,
        80,
        alb_arn,
        "/healthz",
        interval=10,
        timeout=5,
        healthy=3,
        unhealthy=2,
    )
    asg_name = "kestrel-web-prod"
    lt_id = "lt-0" + ids.hexs(16)
    lt_ver_old = rng.randrange(60, 120)
    lt_ver_new = lt_ver_old + 1
    ami_old, ami_new = "ami-0" + ids.hexs(16), "ami-0" + ids.hexs(16)
    profile_arn = f"arn:aws:iam::{account}:instance-profile/kestrel-web"
    db_id = "kestrel-pg-prod"
    nat_ids = [ids.res("nat") for _ in azs]

    # fleet: three per zone
    fleet: list[dict[str, Any]] = []
    for zi, (sid, az, azid) in enumerate(priv):
        for _k in range(3):
            fleet.append(
                {
                    "id": ids.instance(),
                    "az": az,
                    "azid": azid,
                    "subnet": sid,
                    "ip": f"10.30.{32 * zi + rng.randrange(1, 30)}.{rng.randrange(4, 250)}",
                    "launched": start - timedelta(days=rng.randrange(1, 9), minutes=rng.randrange(1440)),
                    "ami": ami_old,
                    "ver": lt_ver_old,
                    "bad": zi == bad,
                    "terminated": None,
                }
            )
    bad_ids = [f for f in fleet if f["bad"]]
    # ASG replaces two of the bad-zone instances after ELB health check failures
    repl: list[dict[str, Any]] = []
    for k, victim in enumerate(bad_ids[:2]):
        term_at = onset + timedelta(minutes=11 + 12 * k + rng.randrange(0, 4), seconds=rng.randrange(60))
        victim["terminated"] = term_at
        repl.append(
            {
                "id": ids.instance(),
                "az": bad_az,
                "azid": bad_az_id,
                "subnet": priv[bad][0],
                "ip": f"10.30.{32 * bad + rng.randrange(1, 30)}.{rng.randrange(4, 250)}",
                "launched": term_at + timedelta(seconds=rng.randrange(8, 30)),
                "ami": ami_new,
                "ver": lt_ver_new,
                "bad": True,
                "terminated": None,
            }
        )
    everyone = fleet + repl

    # --- target health timelines -------------------------------------------------------------------
    events: list[dict[str, Any]] = []
    state_at: dict[str, dict[datetime, str]] = {}
    for f in everyone:
        first = f["launched"] + timedelta(minutes=2) if f in repl else start
        if f in repl:
            events.append(
                target_health_point(
                    tg_arn,
                    f["id"],
                    80,
                    f["az"],
                    "initial",
                    f["launched"] + timedelta(seconds=95),
                    "Elb.RegistrationInProgress",
                )
            )
        cur = "healthy"
        t = first + (timedelta(minutes=1, seconds=10) if f in repl else timedelta(0))
        events.append(target_health_point(tg_arn, f["id"], 80, f["az"], "healthy", t))
        if f["bad"]:
            t = max(t, onset + timedelta(seconds=rng.randrange(40, 200)))
            end_at = f["terminated"] or now
            while t < end_at:
                nxt = "unhealthy" if cur == "healthy" else "healthy"
                events.append(
                    target_health_point(
                        tg_arn, f["id"], 80, f["az"], nxt, t, "Target.Timeout" if nxt == "unhealthy" else None
                    )
                )
                cur = nxt
                t += timedelta(
                    seconds=rng.randrange(70, 160) if nxt == "unhealthy" else rng.randrange(40, 150)
                )
                if cur == "unhealthy" and f["terminated"] and t > f["terminated"] - timedelta(seconds=30):
                    break
        if f["terminated"]:
            events.append(
                target_health_point(
                    tg_arn,
                    f["id"],
                    80,
                    f["az"],
                    "draining",
                    f["terminated"] + timedelta(seconds=3),
                    "Target.DeregistrationInProgress",
                )
            )
            events.append(
                target_health_point(
                    tg_arn,
                    f["id"],
                    80,
                    f["az"],
                    "unused",
                    f["terminated"] + timedelta(seconds=303),
                    "Target.NotRegistered",
                )
            )
    # per-minute state for metrics
    pts_by_target: dict[str, list[tuple[datetime, str]]] = {}
    for e in events:
        it = e["item"]
        pts_by_target.setdefault(it["target"]["Id"], []).append(
            (datetime.fromisoformat(it["timestamp"].replace("Z", "+00:00")), it["health"]["State"])
        )
    for tid, pts in pts_by_target.items():
        pts.sort()
        st: dict[datetime, str] = {}
        for mt in minutes(start, now):
            cur_s = "none"
            for ts, s in pts:
                if ts <= mt + timedelta(seconds=59):
                    cur_s = s
            st[mt] = cur_s
        state_at[tid] = st

    def count(state: str, az: str | None, t: datetime) -> float:
        n = 0
        for f in everyone:
            if az and f["az"] != az:
                continue
            if state_at[f["id"]].get(t) == state:
                n += 1
        return float(n)

    def counter(state: str, az: str | None) -> Callable[[datetime], float]:
        return lambda t: count(state, az, t)

    def nat_drops(hit: bool) -> Callable[[datetime], float]:
        return lambda t: float(rng.randrange(0, 3) if not (hit and t >= onset) else 180 + rng.randrange(400))

    def nat_active(hit: bool, zi: int) -> Callable[[datetime], float]:
        return lambda t: 420 + rpm_all(t) / 30 + nz(f"nat{zi}", t, 20) - (120 if hit and t >= onset else 0)

    # --- metrics ------------------------------------------------------------------------------------
    m = Metrics(start, now, start)
    jit: dict[tuple[str, datetime], float] = {}

    def nz(k: str, t: datetime, s: float) -> float:
        if (k, t) not in jit:
            jit[(k, t)] = rng.gauss(0, s)
        return jit[(k, t)]

    def rpm_all(t: datetime) -> float:
        lt = t.astimezone(TZ)
        h = lt.hour + lt.minute / 60
        return diurnal(h, [(12.3, 2.2, 5200), (19.5, 2.5, 4300)], 700) * (1 + nz("rpm", t, 0.03))

    def impaired(t: datetime) -> float:
        return 1.0 if t >= onset else 0.0

    def bad_share(t: datetime) -> float:
        """Fraction of requests landing on targets in the impaired zone (while registered and in service)."""
        in_service = sum(1 for f in everyone if state_at[f["id"]].get(t) == "healthy")
        bad_in = sum(1 for f in everyone if f["bad"] and state_at[f["id"]].get(t) == "healthy")
        return bad_in / max(1, in_service)

    # ALB nodes: clients reaching the node in the impaired zone lose some connections
    def node_share(az: str, t: datetime) -> float:
        base = 1 / 3
        if az == bad_az and impaired(t):
            return base * 0.8
        return base

    lbd = {"LoadBalancer": alb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": alb_dim}
    elb5_all: dict[datetime, float] = {}
    for az, _azid in azs:
        azd = {"LoadBalancer": alb_dim, "AvailabilityZone": az}

        def rq(t: datetime, az: str = az) -> float:
            return rpm_all(t) * node_share(az, t)

        def e5(t: datetime, az: str = az) -> float:
            fail = bad_share(t) * 0.3 * impaired(t)
            own = 0.02 if (az == bad_az and impaired(t)) else 0.0
            v = rq(t) * (fail + own) + (1 if rng.random() < 0.03 else 0)
            return v

        m.add("AWS/ApplicationELB", "RequestCount", azd, "Count", rq, integer=True)
        s5 = m.add(
            "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", azd, "Count", e5, omit_zero=True, integer=True
        )
        for t, v in s5.items():
            elb5_all[t] = elb5_all.get(t, 0.0) + v

        def trt_az(t: datetime, az: str = az) -> float:
            b = bad_share(t) * impaired(t)
            return (
                0.11 + abs(nz("trt" + az, t, 0.012)) + b * 2.6 + (0.4 if az == bad_az and impaired(t) else 0)
            )

        m.add("AWS/ApplicationELB", "TargetResponseTime", azd, "Seconds", trt_az, digits=4)
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        "Count",
        lambda t: sum(rpm_all(t) * node_share(a, t) for a, _ in azs),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda t: elb5_all.get(t, 0.0),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_504_Count",
        lbd,
        "Count",
        lambda t: round(elb5_all.get(t, 0.0) * 0.7),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_502_Count",
        lbd,
        "Count",
        lambda t: elb5_all.get(t, 0.0) - round(elb5_all.get(t, 0.0) * 0.7),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda t: (1 if rng.random() < 0.08 else 0) + rpm_all(t) * bad_share(t) * 0.04 * impaired(t),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        "Seconds",
        lambda t: 0.11 + abs(nz("trt", t, 0.01)) + bad_share(t) * impaired(t) * 2.7,
        digits=4,
    )
    unh = m.add(
        "AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: count("unhealthy", None, t)
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: count("healthy", None, t))
    for az, _azid in azs:
        tgaz = {"TargetGroup": tg_dim, "LoadBalancer": alb_dim, "AvailabilityZone": az}
        m.add(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgaz,
            "Count",
            counter("unhealthy", az),
        )
        m.add("AWS/ApplicationELB", "HealthyHostCount", tgaz, "Count", counter("healthy", az))

    # EC2 basic monitoring: five-minute CPU
    for f in everyone:

        def cpu(t: datetime, f: dict[str, Any] = f) -> float | None:
            if t.minute % 5 or t < f["launched"] + timedelta(minutes=2):
                return None
            if f["terminated"] and t > f["terminated"] + timedelta(minutes=1):
                return None
            base = 6 + rpm_all(t) / 9 / 180 + nz("c" + f["id"], t, 1.5)
            if f["bad"] and t >= onset:
                base *= 0.55
            if f in repl and t < f["launched"] + timedelta(minutes=6):
                base += 30
            return base

        m.add("AWS/EC2", "CPUUtilization", {"InstanceId": f["id"]}, "Percent", cpu, digits=2)
    m.add(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg_name},
        "Percent",
        lambda t: (
            None
            if t.minute % 5
            else 6 + rpm_all(t) / 9 / 180 * (0.85 if t >= onset else 1) + nz("asgc", t, 0.8)
        ),
        digits=2,
    )
    # NAT gateways
    for zi, nat in enumerate(nat_ids):
        natd = {"NatGatewayId": nat}
        hit = zi == bad
        m.add(
            "AWS/NATGateway",
            "PacketsDropCount",
            natd,
            "Count",
            nat_drops(hit),
        )
        m.add(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            natd,
            "Count",
            nat_active(hit, zi),
            integer=True,
        )
        m.add(
            "AWS/NATGateway",
            "ErrorPortAllocation",
            natd,
            "Count",
            lambda t: 0.0,
        )
    # database (primary in zone 0)
    dbd = {"DBInstanceIdentifier": db_id}
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        lambda t: 14 + rpm_all(t) / 380 + nz("dbcpu", t, 1.5),
        digits=2,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        lambda t: (
            sum(1 for f in everyone if state_at[f["id"]].get(t) not in ("none", "unused")) * 20
            + nz("dbc", t, 2)
        ),
        integer=True,
    )
    m.add("AWS/RDS", "ReadLatency", dbd, "Seconds", lambda t: 0.0009 + abs(nz("rl", t, 0.0002)), digits=5)

    # --- alarms -------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:kestrel-pagerduty"
    a5 = AlarmSpec(
        "kestrel-web-elb-5xx",
        "ALB-generated 5xx on kestrel-web-alb above 30/min (3 of 5)",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Sum",
        60,
        5,
        3,
        30.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[topic],
    )
    r5 = evaluate(a5, elb5_all, account, region, start, now, rng)
    au = AlarmSpec(
        "kestrel-web-unhealthy-targets",
        "Any unhealthy kestrel-web target for 5 minutes",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Maximum",
        60,
        5,
        5,
        0.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[topic],
    )
    ru = evaluate(au, unh, account, region, start, now, rng)
    adb = AlarmSpec(
        "kestrel-pg-prod-cpu",
        "kestrel-pg-prod CPU above 75% for 15 minutes",
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Average",
        300,
        3,
        3,
        75.0,
        "GreaterThanThreshold",
        "missing",
        actions=[topic],
    )
    rdb = evaluate(
        adb, {t: 14 + rpm_all(t) / 380 for t in minutes(start, now)}, account, region, start, now, rng
    )
    alarms = [r5.item, ru.item, rdb.item]
    history = r5.history + ru.history + rdb.history
    history.sort(key=lambda h: str(h["Timestamp"]))
    first = next(i for i, tr in enumerate(r5.transitions) if tr[2] == "ALARM")
    event = alarm_event(ids, a5, r5, account, region, first)

    # --- autoscaling activities ---------------------------------------------------------------------
    asg_arn = f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}"
    for victim, new in zip(bad_ids[:2], repl, strict=True):
        ta = victim["terminated"]
        events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": ids.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Terminating EC2 instance: {victim['id']}",
                    "Cause": f"At {iso(ta - timedelta(seconds=20))} an instance was taken out of service in response to an ELB system health check failure.",
                    "StartTime": iso_ms(ta),
                    "EndTime": iso_ms(ta + timedelta(seconds=330))
                    if ta + timedelta(seconds=330) < now
                    else None,
                    "StatusCode": "Successful" if ta + timedelta(seconds=330) < now else "InProgress",
                    "Progress": 100 if ta + timedelta(seconds=330) < now else 50,
                    "Details": json.dumps({"Subnet ID": victim["subnet"], "Availability Zone": bad_az}),
                    "AutoScalingGroupARN": asg_arn,
                },
            }
        )
        events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": ids.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Launching a new EC2 instance: {new['id']}",
                    "Cause": f"At {iso(ta + timedelta(seconds=4))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 8 to 9.",
                    "StartTime": iso_ms(new["launched"]),
                    "EndTime": iso_ms(new["launched"] + timedelta(seconds=37)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": new["subnet"], "Availability Zone": bad_az}),
                    "AutoScalingGroupARN": asg_arn,
                },
            }
        )
    for item in list(events):
        if item["source"] == "autoscaling" and item["item"]["EndTime"] is None:
            item["item"].pop("EndTime")

    # --- AWS Health ---------------------------------------------------------------------------------
    h_start = onset + timedelta(minutes=rng.randrange(2, 6))
    h_posted = onset + timedelta(minutes=rng.randrange(22, 30))
    if h_posted < now:
        events.append(
            {
                "source": "health",
                "item": {
                    "event": {
                        "arn": f"arn:aws:health:{region}::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_{ids.alnum(5)}_{ids.hexs(8).upper()}",
                        "service": "EC2",
                        "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE",
                        "eventTypeCategory": "issue",
                        "region": region,
                        "availabilityZone": bad_az,
                        "startTime": iso(h_start),
                        "lastUpdatedTime": iso(h_posted),
                        "statusCode": "open",
                        "eventScopeCode": "PUBLIC",
                    },
                    "description": (
                        f"[Investigating] We are investigating increased packet loss and network connectivity issues "
                        f"for some instances in a single Availability Zone ({bad_az_id}) in the US-EAST-1 Region. "
                        "Other Availability Zones are not affected."
                    ),
                    "affected_entities": [],
                },
            }
        )

    # --- logs ---------------------------------------------------------------------------------------
    logs = Logs()
    lg = "/kestrel/web/app"
    release = f"{day:%Y}.{rng.randrange(1, 12)}.{rng.randrange(1, 9)}"
    paths = [
        "/events/{slug}",
        "/events/{slug}/seats",
        "/api/cart",
        "/api/checkout/session",
        "/api/search?q={q}",
        "/",
    ]
    slugs = [
        "tame-impala-chicago",
        "bulls-v-knicks",
        "hamilton-cadillac-palace",
        "lollapalooza-day-2",
        "white-sox-home-opener",
        "jazz-at-the-green-mill",
    ]
    for f in everyone:
        pid = rng.randrange(2000, 9000)
        host = f"ip-{f['ip'].replace('.', '-')}"
        lstart = max(start, f["launched"] + timedelta(seconds=50))
        lend = min(now, f["terminated"]) if f["terminated"] else now
        if f in repl or f["launched"] > start:
            logs.add(
                lg,
                f["id"],
                lstart,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(lstart),
                        "pid": pid,
                        "hostname": host,
                        "msg": f"kestrel-web listening on :3000 (NODE_ENV=production, release={release})",
                    }
                ),
            )
        t = lstart
        while t < lend:
            t += timedelta(seconds=rng.randrange(50, 140))
            if t >= lend:
                break
            path = rng.choice(paths).format(
                slug=rng.choice(slugs), q=rng.choice(["taylor", "cubs", "comedy", "jazz"])
            )
            if f["bad"] and t >= onset and rng.random() < 0.55:
                kind = rng.random()
                if kind < 0.45:
                    msg = {
                        "level": 50,
                        "time": ms(t),
                        "pid": pid,
                        "hostname": host,
                        "err": {
                            "type": "Error",
                            "message": "Connection terminated due to connection timeout",
                            "stack": "Error: Connection terminated due to connection timeout\n    at Connection.<anonymous> (/srv/kestrel-web/node_modules/pg/lib/client.js:132:73)\n    at Object.onceWrapper (node:events:633:28)\n    at Connection.emit (node:events:519:28)\n    at Socket.<anonymous> (/srv/kestrel-web/node_modules/pg/lib/connection.js:62:12)\n    at Socket.emit (node:events:519:28)",
                        },
                        "req": {"method": "GET", "url": path},
                        "msg": "db query failed",
                    }
                elif kind < 0.75:
                    msg = {
                        "level": 40,
                        "time": ms(t),
                        "pid": pid,
                        "hostname": host,
                        "msg": "[ioredis] Unhandled error event: Error: connect ETIMEDOUT\n    at Socket.<anonymous> (/srv/kestrel-web/node_modules/ioredis/built/Redis.js:170:41)\n    at Object.onceWrapper (node:events:633:28)\n    at Socket.emit (node:events:519:28)\n    at Socket._onTimeout (node:net:595:8)",
                    }
                else:
                    rt = rng.randrange(4000, 29000)
                    msg = {
                        "level": 30,
                        "time": ms(t),
                        "pid": pid,
                        "hostname": host,
                        "req": {"method": "GET", "url": path},
                        "res": {"statusCode": 200},
                        "responseTime": rt,
                        "msg": "request completed",
                    }
            else:
                msg = {
                    "level": 30,
                    "time": ms(t),
                    "pid": pid,
                    "hostname": host,
                    "req": {"method": "GET" if "checkout" not in path else "POST", "url": path},
                    "res": {"statusCode": 200},
                    "responseTime": rng.randrange(12, 180),
                    "msg": "request completed",
                }
                if rng.random() < 0.015:
                    msg = {
                        "level": 40,
                        "time": ms(t),
                        "pid": pid,
                        "hostname": host,
                        "msg": f"stripe webhook retry for evt_{ids.alnum(24, upper=False)}: 409 already processed",
                    }
            logs.add(lg, f["id"], t, json.dumps(msg))

    # --- CloudTrail ---------------------------------------------------------------------------------
    trail = Trail(ids, account, region)
    console_ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36 Edg/127.0.0.0"
    ami_bake = role_session(
        ids,
        account,
        "ami-bake-pipeline",
        f"codebuild-{ids.hexs(8)}",
        "34.229.10.18",
        "aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.171.0 Packer/1.11.1",
    )
    ops = sso_user(
        ids,
        account,
        region,
        "PlatformAdmin",
        "marcus.delgado@kestreltickets.com",
        "73.44.190.201",
        console_ua,
        console=True,
    )
    dev = sso_user(
        ids,
        account,
        region,
        "Developer",
        "anika.shah@kestreltickets.com",
        "98.213.7.58",
        "aws-cli/2.17.9 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.authorize-security-group-ingress",
    )
    dd = role_session(
        ids,
        account,
        "datadog-aws-integration",
        f"datadog-{ids.hexs(6)}",
        "3.233.147.80",
        "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.8; linux; amd64)",
    )
    asg_slr = service_linked(
        ids, account, "AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", "AutoScaling"
    )
    reads: list[tuple[Principal, str, str, dict[str, Any] | None]] = [
        (dd, "monitoring.amazonaws.com", "GetMetricData", None),
        (dd, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (dd, "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
        (dd, "rds.amazonaws.com", "DescribeDBInstances", None),
        (
            ops,
            "autoscaling.amazonaws.com",
            "DescribeAutoScalingGroups",
            {"autoScalingGroupNames": [asg_name]},
        ),
        (
            ops,
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False},
        ),
        (ops, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (
            ami_bake,
            "ec2.amazonaws.com",
            "DescribeImages",
            {
                "executableBySet": {},
                "ownersSet": {"items": [{"owner": "amazon"}]},
                "imagesSet": {},
                "filterSet": {
                    "items": [
                        {"name": "name", "valueSet": {"items": [{"value": "al2023-ami-2023.*-x86_64"}]}}
                    ]
                },
            },
        ),
    ]
    for _ in range(30):
        who, src, name, params = rng.choice(reads)
        ts = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(ts, who, src, name, params, None, read_only=True)
    # nightly AMI bake publishes a launch template version (the group follows $Latest)
    lt_at = onset - timedelta(minutes=rng.randrange(18, 28), seconds=rng.randrange(60))
    trail.add(
        lt_at - timedelta(minutes=9),
        ami_bake,
        "ec2.amazonaws.com",
        "CreateImage",
        {"instanceId": ids.instance(), "name": f"kestrel-web-{lt_at:%Y%m%d%H%M}", "noReboot": False},
        {"requestId": ids.uuid(), "imageId": ami_new},
    )
    trail.add(
        lt_at,
        ami_bake,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": str(lt_ver_old),
                "VersionDescription": f"packer {lt_at:%Y-%m-%d} al2023 security updates",
                "LaunchTemplateData": {"ImageId": ami_new},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": ids.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "kestrel-web",
                    "versionNumber": lt_ver_new,
                    "versionDescription": f"packer {lt_at:%Y-%m-%d} al2023 security updates",
                    "createTime": iso(lt_at),
                    "defaultVersion": False,
                },
            }
        },
    )
    sg_at = onset - timedelta(minutes=rng.randrange(5, 15), seconds=rng.randrange(60))
    trail.add(
        sg_at,
        dev,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_bastion,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "98.213.7.58/32", "description": "anika home"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": account,
                        "groupId": sg_bastion,
                        "securityGroupRuleId": "sgr-0" + ids.hexs(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "98.213.7.58/32",
                        "description": "anika home",
                    }
                ]
            },
        },
    )
    trail.add(
        onset + timedelta(minutes=rng.randrange(2, 8)),
        ops,
        "ssm.amazonaws.com",
        "UpdateMaintenanceWindow",
        {"windowId": "mw-0" + ids.hexs(16), "schedule": "cron(0 4 ? * SUN *)", "enabled": True},
        {
            "windowId": "mw-0" + ids.hexs(16),
            "name": "kestrel-weekly-patching",
            "schedule": "cron(0 4 ? * SUN *)",
            "enabled": True,
        },
    )
    for victim, new in zip(bad_ids[:2], repl, strict=True):
        ta = victim["terminated"]
        trail.add(
            ta + timedelta(seconds=2),
            asg_slr,
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": tg_arn, "targets": [{"id": victim["id"]}]},
            None,
        )
        trail.add(
            ta + timedelta(seconds=rng.randrange(8, 20)),
            asg_slr,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": "$Latest"},
                "subnetId": new["subnet"],
            },
            {
                "requestId": ids.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": new["id"],
                            "imageId": ami_new,
                            "instanceType": "m6i.large",
                            "placement": {"availabilityZone": bad_az},
                        }
                    ]
                },
            },
        )
        trail.add(
            new["launched"] + timedelta(seconds=60),
            asg_slr,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {"targetGroupArn": tg_arn, "targets": [{"id": new["id"]}]},
            None,
        )
        trail.add(
            ta + timedelta(seconds=305),
            asg_slr,
            "ec2.amazonaws.com",
            "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": victim["id"]}]}},
            {
                "requestId": ids.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": victim["id"],
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
        )
    for _ in range(4):
        ts = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(
            ts,
            aws_service("ec2.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{account}:role/kestrel-web",
                "roleSessionName": fleet[rng.randrange(len(fleet))]["id"],
            },
            {"credentials": {"accessKeyId": ids.access_key(), "expiration": iso(ts + timedelta(hours=6))}},
            read_only=True,
        )
    trail.records = [r for r in trail.records if r["eventTime"] <= iso(now)]

    # --- resources ----------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        res("ec2", "Vpc", vpc_item(vpc, "10.30.0.0/16", "kestrel-prod", account, ids))
    ]
    for i, (sid, az, azid) in enumerate(priv):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.30.{32 * i}.0/19",
                    8100 + rng.randrange(60),
                    f"kestrel-prod-app-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    for i, (sid, az, azid) in enumerate(pub):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.30.{200 + i}.0/24",
                    246,
                    f"kestrel-prod-public-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_alb,
                "kestrel-web-alb",
                "public ALB",
                vpc,
                account,
                [perm_from_cidr(443, "0.0.0.0/0", "https")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_web,
                "kestrel-web",
                "web fleet",
                vpc,
                account,
                [perm_from_sg(80, sg_alb, account, "alb"), perm_from_sg(22, sg_bastion, account, "bastion")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_db, "kestrel-pg", "postgres", vpc, account, [perm_from_sg(5432, sg_web, account, "web")]
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_bastion,
                "kestrel-bastion",
                "bastion ssh",
                vpc,
                account,
                [
                    perm_from_cidr(22, "73.44.190.201/32", "marcus"),
                    perm_from_cidr(22, "98.213.7.58/32", "anika home"),
                ],
            ),
        )
    )
    resources.append(res("elbv2", "LoadBalancer", alb))
    resources.append(res("elbv2", "TargetGroup", tg))
    for zi, nat in enumerate(nat_ids):
        resources.append(
            res(
                "ec2",
                "NatGateway",
                {
                    "CreateTime": iso(day - timedelta(days=800)),
                    "NatGatewayAddresses": [
                        {
                            "AllocationId": "eipalloc-0" + ids.hexs(16),
                            "NetworkInterfaceId": "eni-0" + ids.hexs(16),
                            "PrivateIp": f"10.30.{200 + zi}.{rng.randrange(10, 200)}",
                            "PublicIp": f"54.{rng.randrange(80, 240)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                            "AssociationId": "eipassoc-0" + ids.hexs(16),
                            "IsPrimary": True,
                            "Status": "succeeded",
                        }
                    ],
                    "NatGatewayId": nat,
                    "State": "available",
                    "SubnetId": pub[zi][0],
                    "VpcId": vpc,
                    "Tags": tags({"Name": f"kestrel-prod-nat-{azs[zi][0][-1]}"}),
                    "ConnectivityType": "public",
                },
            )
        )
    running = [f for f in everyone if not f["terminated"] or f["terminated"] + timedelta(seconds=330) > now]
    for f in everyone:
        gone = f["terminated"] is not None and f["terminated"] + timedelta(seconds=330) <= now
        shutting = f["terminated"] is not None and not gone
        item = instance_item(
            ids,
            f["id"],
            "m6i.large",
            f["ami"],
            f["subnet"],
            vpc,
            f["az"],
            f["ip"],
            (sg_web, "kestrel-web"),
            f["launched"],
            profile_arn,
            {
                "Name": "kestrel-web",
                "aws:autoscaling:groupName": asg_name,
                "aws:ec2launchtemplate:id": lt_id,
                "aws:ec2launchtemplate:version": str(f["ver"]),
            },
            account,
            state="terminated" if gone else ("shutting-down" if shutting else "running"),
        )
        resources.append(res("ec2", "Instance", item))
        if not gone and not shutting:
            resources.append(res("ec2", "InstanceStatus", instance_status(f["id"], f["az"], f["azid"])))
    resources.append(
        res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "kestrel-web",
                    "Version": "$Latest",
                },
                "MinSize": 9,
                "MaxSize": 18,
                "DesiredCapacity": 9,
                "DefaultCooldown": 300,
                "AvailabilityZones": [a for a, _ in azs],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": f["id"],
                        "InstanceType": "m6i.large",
                        "AvailabilityZone": f["az"],
                        "LifecycleState": "InService" if not f["terminated"] else "Terminating",
                        "HealthStatus": "Healthy" if not f["terminated"] else "Unhealthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "kestrel-web",
                            "Version": str(f["ver"]),
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for f in running
                ],
                "CreatedTime": iso(day - timedelta(days=790)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(s for s, _a, _z in priv),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": "kestrel-web",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
            },
        )
    )
    resources.append(
        res(
            "ec2",
            "LaunchTemplate",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "kestrel-web",
                "CreateTime": iso(day - timedelta(days=790)),
                "CreatedBy": f"arn:aws:sts::{account}:assumed-role/terraform-apply/atlantis",
                "DefaultVersionNumber": 1,
                "LatestVersionNumber": lt_ver_new if lt_at <= now else lt_ver_old,
            },
        )
    )
    resources.append(
        res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": db_id,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "postgres",
                "EngineVersion": "15.7",
                "DBInstanceStatus": "available",
                "Endpoint": {
                    "Address": f"{db_id}.c{ids.alnum(11, upper=False)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                    "HostedZoneId": "Z2R2ITUGPM61AM",
                },
                "AllocatedStorage": 500,
                "AvailabilityZone": azs[0][0],
                "SecondaryAvailabilityZone": azs[2 if bad == 1 else 1][0],
                "MultiAZ": True,
                "StorageType": "gp3",
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db_id}",
                "InstanceCreateTime": iso(day - timedelta(days=780)),
                "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                "PreferredBackupWindow": "08:00-08:30",
                "BackupRetentionPeriod": 14,
            },
        )
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_az,
                    "category": "component_failure",
                    "failure_mode": "availability-zone-network-impairment",
                    "event_id": None,
                },
                "also_accept": [bad_az_id, priv[bad][0], pub[bad][0]],
                "actions": ["exclude"],
                "chain": [
                    f"Network packet loss in {bad_az} ({bad_az_id}) from about {onset:%H:%M} UTC.",
                    f"kestrel-web instances in {bad_az} time out to the ALB, to kestrel-pg-prod and to Redis; their health checks flap.",
                    f"The ALB returns 504/502 for requests routed to {bad_az} targets and pages there are slow.",
                    f"{asg_name} replaces {bad_az} instances on ELB health failures, but replacements land in the same zone and flap too.",
                    "kestrel-web-elb-5xx alarm fires.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.sorted_rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
