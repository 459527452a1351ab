"""Warehouse staff get a bare 500 page when signing in to the ops portal (kit zp, incident 2)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

from . import _kit_zp as k

NAME = "ops-portal-signin-500s"
TITLE = "Ops portal sign-ins failing with a bare 500 page at the start of the morning shift"
SUMMARY = (
    "The third-party OIDC provider's token endpoint timed out for most code exchanges; the ALB's "
    "authenticate-oidc action answered 500 to new sign-ins while existing sessions and targets were fine."
)

REGION = "us-east-2"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    off = k.us_central_offset(day + timedelta(hours=12))
    onset = day + timedelta(hours=7 - off, minutes=rng.randrange(28, 68), seconds=rng.randrange(60))
    onset_m = k.floor_min(onset)
    deploy = onset_m - timedelta(minutes=rng.randrange(11, 19), seconds=rng.randrange(60))
    now = onset_m + timedelta(minutes=rng.randrange(44, 62), seconds=rng.randrange(60))
    start = onset_m - timedelta(hours=5)
    fine_from = onset_m - timedelta(hours=2, minutes=30)
    log_from = onset_m - timedelta(minutes=35)
    pts = k.timeline(start, now, fine_from)
    p_ok_after = rng.uniform(0.18, 0.34)

    org = "harbourline"
    idp_host = f"{org}.okta.com"
    issuer = f"https://{idp_host}/oauth2/default"
    alb_name = "harbourline-ops-alb"
    alb_hex = k.hexs(rng, 16)
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/app/{alb_name}/{alb_hex}"
    alb_dim = f"app/{alb_name}/{alb_hex}"
    tgs = {n: k.hexs(rng, 16) for n in ("ops-portal-tg", "ops-webhooks-tg", "grafana-tg")}
    tg_arn = {n: f"arn:aws:elasticloadbalancing:{REGION}:{acct}:targetgroup/{n}/{h}" for n, h in tgs.items()}
    tg_dim = {n: f"targetgroup/{n}/{h}" for n, h in tgs.items()}
    vpc = "vpc-0" + k.hexs(rng, 16)
    subnets = ["subnet-0" + k.hexs(rng, 16) for _ in range(3)]
    sg_alb, sg_app, sg_db = ("sg-0" + k.hexs(rng, 16) for _ in range(3))
    cluster = "harbourline-prod"
    svc = "ops-portal"
    cluster_arn = f"arn:aws:ecs:{REGION}:{acct}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{REGION}:{acct}:service/{cluster}/{svc}"
    rev_old = rng.randrange(140, 190)
    rev_new = rev_old + 1
    td_arn = f"arn:aws:ecs:{REGION}:{acct}:task-definition/{svc}:{rev_new}"
    cert_arn = f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(rng)}"
    listener_arn = (
        f"arn:aws:elasticloadbalancing:{REGION}:{acct}:listener/app/{alb_name}/{alb_hex}/{k.hexs(rng, 16)}"
    )
    db_id = "ops-portal-pg"
    topic = f"arn:aws:sns:{REGION}:{acct}:ops-platform-pager"
    client_id = "0oa" + k.alnum(rng, 17, upper=False)

    # --- sign-in model -----------------------------------------------------------------------------
    def demand(t: datetime) -> float:
        h = (t.hour + t.minute / 60 + off) % 24
        base = 0.6
        if 6.5 <= h < 9.5:
            base += 7.5 * max(0.0, 1 - abs(h - 7.7) / 1.6)
        elif 9.5 <= h < 17:
            base += 1.4
        return base

    attempts: dict[datetime, int] = {}
    succ: dict[datetime, int] = {}
    fail: dict[datetime, int] = {}
    reqs: dict[datetime, int] = {}
    lat_ok: dict[datetime, float] = {}
    sessions = float(rng.randrange(34, 48))
    carry = 0.0
    t = start
    while t <= now:
        a = k.poisson(rng, demand(t) + carry)
        p = 0.997 if t < onset else p_ok_after
        s = sum(1 for _ in range(a) if rng.random() < p)
        attempts[t], succ[t], fail[t] = a, s, a - s
        carry = 0.55 * (a - s)
        sessions = sessions + s - sessions / 600.0
        reqs[t] = k.poisson(rng, sessions * 0.2)
        lat_ok[t] = rng.gauss(170, 25) if t < onset else rng.gauss(420, 90)
        t += timedelta(minutes=1)
    hooks = {t: k.poisson(rng, 6.0) for t in attempts}
    graf = {t: k.poisson(rng, 3.0 + 2.0 * (demand(t) > 1)) for t in attempts}

    def per(series: dict[datetime, int], nonzero: bool = False) -> Any:
        def fn(t: datetime, period: int) -> float | None:
            v = float(sum(series.get(t + timedelta(minutes=i), 0) for i in range(period // 60)))
            return None if (nonzero and v == 0) else v

        return fn

    m = k.Metrics()
    lb = {"LoadBalancer": alb_dim}
    total = {t: reqs[t] + hooks[t] + graf[t] + 2 * attempts[t] + succ[t] for t in attempts}
    elb3 = {t: attempts[t] + succ[t] for t in attempts}
    elb4 = {t: k.poisson(rng, 0.3) for t in attempts}
    t5 = {t: k.poisson(rng, 0.04) for t in attempts}
    m.add("AWS/ApplicationELB", "RequestCount", lb, "Count", pts, per(total))
    m.add("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Count", pts, per(fail, True))
    m.add("AWS/ApplicationELB", "HTTPCode_ELB_3XX_Count", lb, "Count", pts, per(elb3, True))
    m.add("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lb, "Count", pts, per(elb4, True))
    m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Count", pts, per(t5, True))
    m.add("AWS/ApplicationELB", "ELBAuthSuccess", lb, "Count", pts, per(succ, True))
    m.add("AWS/ApplicationELB", "ELBAuthError", lb, "Count", pts, per(fail, True))

    def auth_lat(t: datetime, period: int) -> float | None:
        mins = [t + timedelta(minutes=i) for i in range(period // 60)]
        n = sum(attempts[x] for x in mins)
        if not n:
            return None
        s = sum(succ[x] * lat_ok[x] + fail[x] * rng.uniform(9950, 10020) for x in mins)
        return s / n

    m.add("AWS/ApplicationELB", "ELBAuthLatency", lb, "Milliseconds", pts, auth_lat, kind="avg")
    m.add(
        "AWS/ApplicationELB",
        "ActiveConnectionCount",
        lb,
        "Count",
        pts,
        lambda t, p: per(total)(t, p) * 0.3 + rng.randrange(5, 20),
    )
    m.add(
        "AWS/ApplicationELB",
        "NewConnectionCount",
        lb,
        "Count",
        pts,
        lambda t, p: per(total)(t, p) * 0.22 + rng.randrange(0, 6),
    )
    m.add(
        "AWS/ApplicationELB",
        "ProcessedBytes",
        lb,
        "Bytes",
        pts,
        lambda t, p: per(total)(t, p) * rng.uniform(14000, 19000),
        digits=0,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Seconds",
        pts,
        lambda t, p: k.noisy(rng, 0.085, 0.15),
        kind="avg",
        digits=4,
    )
    for name, series, rt in (
        ("ops-portal-tg", reqs, 0.092),
        ("ops-webhooks-tg", hooks, 0.041),
        ("grafana-tg", graf, 0.16),
    ):
        d = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim[name]}
        m.add("AWS/ApplicationELB", "RequestCount", d, "Count", pts, per(series))
        m.add("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", d, "Count", pts, per(series, True))
        m.add(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            d,
            "Seconds",
            pts,
            k.noise_fn(rng, rt, 0.15),
            kind="avg",
            digits=4,
        )
        hosts = 3 if name == "ops-portal-tg" else (2 if name == "ops-webhooks-tg" else 1)
        m.add("AWS/ApplicationELB", "HealthyHostCount", d, "Count", pts, const(float(hosts)), kind="avg")
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", d, "Count", pts, const(0.0), kind="avg")
    ecsd = {"ClusterName": cluster, "ServiceName": svc}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        pts,
        lambda t, p: min(95.0, 6 + reqs[t] * 0.45 + rng.uniform(-1.5, 1.5)),
        kind="avg",
    )
    m.add("AWS/ECS", "MemoryUtilization", ecsd, "Percent", pts, lambda t, p: rng.uniform(38, 42), kind="avg")
    dbd = {"DBInstanceIdentifier": db_id}
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        pts,
        lambda t, p: 4 + reqs[t] * 0.2 + rng.uniform(0, 2),
        kind="avg",
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        pts,
        lambda t, p: float(rng.randrange(28, 33)),
        kind="avg",
    )
    m.add(
        "AWS/RDS",
        "ReadLatency",
        dbd,
        "Seconds",
        pts,
        lambda t, p: k.noisy(rng, 0.0009, 0.2),
        kind="avg",
        digits=6,
    )

    # --- alarms --------------------------------------------------------------------------------------
    specs = [
        k.AlarmSpec(
            "harbourline-ops-alb-elb-5xx",
            "Load balancer generated 5xx on the ops ALB (portal, webhooks, grafana)",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            lb,
            "Sum",
            60,
            3,
            2,
            5.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "ops-portal-target-5xx",
            "ops-portal application 5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lb,
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "ops-portal-unhealthy-hosts",
            "ops-portal targets failing health checks",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim["ops-portal-tg"]},
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
        ),
        k.AlarmSpec(
            "ops-portal-pg-cpu",
            "ops-portal database CPU",
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    trigger_event = None
    for spec in specs:
        al, h, last = k.evaluate_alarm(
            spec,
            m.series(spec.namespace, spec.metric, spec.dims),
            fine_from,
            now,
            acct,
            REGION,
            [topic],
            day - timedelta(days=rng.randrange(60, 400)),
            rng,
        )
        alarms.append(al)
        history += h
        if spec.name == "harbourline-ops-alb-elb-5xx" and last:
            trigger_event = k.alarm_event(al, spec, last, acct, REGION, rng)

    # --- targets, ECS deployment -----------------------------------------------------------------------
    def task_ip() -> str:
        return f"10.42.{rng.choice([10, 11, 12])}.{rng.randrange(10, 250)}"

    old_ips = [task_ip() for _ in range(3)]
    new_ips = [task_ip() for _ in range(3)]
    events: list[dict[str, Any]] = []

    def th(ip: str, at: datetime, state: str, reason: str | None = None, desc: str | None = None) -> None:
        health: dict[str, Any] = {"State": state}
        if reason:
            health["Reason"] = reason
        if desc:
            health["Description"] = desc
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn["ops-portal-tg"],
                    "target": {
                        "Id": ip,
                        "Port": 8080,
                        "AvailabilityZone": f"{REGION}{'abc'[old_ips.index(ip) % 3] if ip in old_ips else 'abc'[new_ips.index(ip) % 3]}",
                    },
                    "health": health,
                    "timestamp": k.iso(at),
                },
            }
        )

    for ip in old_ips:
        th(ip, start - timedelta(days=1), "healthy")
    task_ids = [k.hexs(rng, 32) for _ in range(6)]
    svc_events: list[tuple[datetime, str]] = []
    for i, ip in enumerate(new_ips):
        st = deploy + timedelta(seconds=40 + i * 75 + rng.randrange(20))
        reg = st + timedelta(seconds=rng.randrange(35, 55))
        th(ip, reg, "initial", "Elb.RegistrationInProgress", "Target registration is in progress")
        th(ip, reg + timedelta(seconds=rng.randrange(20, 40)), "healthy")
        svc_events.append((st, f"(service {svc}) has started 1 tasks: (task {task_ids[3 + i]})."))
        svc_events.append(
            (reg, f"(service {svc}) registered 1 targets in (target-group {tg_arn['ops-portal-tg']})")
        )
        old = old_ips[i]
        dr = reg + timedelta(seconds=rng.randrange(40, 70))
        th(old, dr, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
        th(
            old,
            dr + timedelta(seconds=30),
            "unused",
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )
        svc_events.append((dr, f"(service {svc}) has begun draining connections on 1 tasks."))
        svc_events.append(
            (
                dr + timedelta(seconds=1),
                f"(service {svc}) deregistered 1 targets in (target-group {tg_arn['ops-portal-tg']})",
            )
        )
        svc_events.append(
            (
                dr + timedelta(seconds=31),
                f"(service {svc}) has stopped 1 running tasks: (task {task_ids[i]}).",
            )
        )
    done = max(x for x, _ in svc_events) + timedelta(seconds=rng.randrange(60, 120))
    dep_id = f"ecs-svc/{rng.randrange(10**18, 10**19)}"
    svc_events.append((done, f"(service {svc}) (deployment {dep_id}) deployment completed."))
    svc_events.append((done + timedelta(seconds=2), f"(service {svc}) has reached a steady state."))
    for x, msg in sorted(svc_events):
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": k.uid(rng), "createdAt": k.iso(x), "message": msg},
                },
            }
        )
    prev_steady = deploy - timedelta(hours=rng.randrange(2, 5), minutes=rng.randrange(60))
    events.append(
        {
            "source": "ecs",
            "item": {
                "service_arn": svc_arn,
                "event": {
                    "id": k.uid(rng),
                    "createdAt": k.iso(prev_steady),
                    "message": f"(service {svc}) has reached a steady state.",
                },
            },
        }
    )

    # --- logs: ALB access logs (forwarded to CloudWatch Logs) and the app -----------------------------
    logs = k.Logs()
    alb_group = "/harbourline/alb-access/ops"
    alb_stream = f"{acct}_elasticloadbalancing_{REGION}_app.{alb_name}.{alb_hex}"
    paths = [
        "/shipments",
        "/shipments?status=open&page=1",
        "/dock/schedule",
        "/api/shipments/search",
        "/pickwaves/today",
        "/static/app.js",
        "/api/notifications",
    ]
    staff_ips = [k.public_ip(rng) for _ in range(4)]
    agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ]

    def ips_at(at: datetime) -> list[str]:
        return new_ips if at > deploy + timedelta(minutes=4) else old_ips

    def access(
        at: datetime,
        host: str,
        method: str,
        path: str,
        target: str | None,
        tg: str | None,
        elb: int,
        tgt: str,
        actions: str,
        err: str,
        rpt: float,
        tpt: float,
        redirect: str = "-",
        prio: str = "10",
    ) -> None:
        client = f"{rng.choice(staff_ips)}:{rng.randrange(20000, 65000)}"
        trace = f"Root=1-{int(at.timestamp()):08x}-{k.hexs(rng, 24)}"
        created = at - timedelta(milliseconds=int((rpt + max(tpt, 0)) * 1000))
        line = (
            f"h2 {at.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z {alb_dim} {client} {target or '-'} {rpt:.3f} {tpt:.3f} "
            f"{0.0 if tpt >= 0 else -1:.3f} {elb} {tgt} {rng.randrange(300, 1400)} {rng.randrange(200, 30000) if elb < 400 else 162} "
            f'"{method} https://{host}:443{path} HTTP/2.0" "{rng.choice(agents)}" TLS_AES_128_GCM_SHA256 TLSv1.3 '
            f'{tg or "-"} "{trace}" "{host}" "{cert_arn}" {prio} {created.strftime("%Y-%m-%dT%H:%M:%S.%f")}Z '
            f'"{actions}" "{redirect}" "{err}" "{target or "-"}" "{tgt}" "-" "-" TID_{k.hexs(rng, 32)}'
        )
        if tpt < 0:
            line = line.replace(f" {tpt:.3f} -1.000 ", " -1 -1 ", 1)
        logs.add(alb_group, alb_stream, at, line)

    t = log_from
    while t < now:
        for _ in range(reqs[t]):
            at = t + timedelta(milliseconds=rng.randrange(60000))
            if at >= now:
                continue
            ip = rng.choice(ips_at(at))
            access(
                at,
                "ops.harbourline.io",
                "GET",
                rng.choice(paths),
                f"{ip}:8080",
                tg_arn["ops-portal-tg"],
                200,
                "200",
                "authenticate,forward",
                "-",
                0.001,
                abs(rng.gauss(0.09, 0.03)),
            )
        for _ in range(attempts[t]):
            at = t + timedelta(milliseconds=rng.randrange(60000))
            if at >= now:
                continue
            state = k.alnum(rng, 43, upper=False)
            access(
                at,
                "ops.harbourline.io",
                "GET",
                rng.choice(["/", "/shipments", "/dock/schedule"]),
                None,
                None,
                302,
                "-",
                "authenticate",
                "-",
                0.001,
                -1,
                redirect=f"{issuer}/v1/authorize?client_id={client_id}&redirect_uri=https%3A%2F%2Fops.harbourline.io%2Foauth2%2Fidpresponse&response_type=code&scope=openid+profile+email&state={state}",
            )
        ok_left = succ[t]
        for _ in range(attempts[t]):
            at = t + timedelta(milliseconds=rng.randrange(60000))
            if at >= now:
                continue
            cb = f"/oauth2/idpresponse?code={k.alnum(rng, 43, upper=False)}&state={k.alnum(rng, 43, upper=False)}"
            if ok_left > 0:
                ok_left -= 1
                access(
                    at,
                    "ops.harbourline.io",
                    "GET",
                    cb,
                    None,
                    None,
                    302,
                    "-",
                    "authenticate",
                    "-",
                    lat_ok[t] / 1000,
                    -1,
                    redirect="https://ops.harbourline.io:443/shipments",
                )
            else:
                access(
                    at,
                    "ops.harbourline.io",
                    "GET",
                    cb,
                    None,
                    None,
                    500,
                    "-",
                    "authenticate",
                    "AuthTokenEpRequestTimeout",
                    rng.uniform(9.95, 10.02),
                    -1,
                )
        for _ in range(hooks[t]):
            at = t + timedelta(milliseconds=rng.randrange(60000))
            if at >= now:
                continue
            access(
                at,
                "ops.harbourline.io",
                "POST",
                rng.choice(
                    ["/api/webhooks/carrier/fedex", "/api/webhooks/carrier/ups", "/api/webhooks/carrier/xpo"]
                ),
                f"10.42.{rng.choice([10, 11])}.{rng.randrange(10, 250)}:8081",
                tg_arn["ops-webhooks-tg"],
                202,
                "202",
                "forward",
                "-",
                0.001,
                abs(rng.gauss(0.04, 0.01)),
                prio="5",
            )
        t += timedelta(minutes=1)

    app_group = f"/ecs/{svc}"
    for gen, ips, tids, born in (
        (old_ips, old_ips, task_ids[:3], start - timedelta(days=2)),
        (new_ips, new_ips, task_ids[3:], deploy),
    ):
        for i in range(len(ips)):
            stream = f"{svc}/web/{tids[i]}"
            b = max(born + timedelta(seconds=50 + i * 75), log_from) if gen is new_ips else log_from
            if gen is new_ips:
                for j, msg in enumerate(
                    [
                        f"[{b:%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Starting gunicorn 22.0.0",
                        f"[{b:%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)",
                        f"[{b:%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Using worker: gthread",
                        f"[{b:%Y-%m-%d %H:%M:%S} +0000] [8] [INFO] Booting worker with pid: 8",
                        f"[{b:%Y-%m-%d %H:%M:%S} +0000] [9] [INFO] Booting worker with pid: 9",
                        json.dumps(
                            {
                                "ts": k.iso_ms(b + timedelta(seconds=3)),
                                "level": "info",
                                "logger": "opsportal.config",
                                "msg": "config loaded",
                                "release": f"2024.{rev_new}",
                                "db_host": f"{db_id}.c{k.alnum(rng, 12, False)}.{REGION}.rds.amazonaws.com",
                            }
                        ),
                    ]
                ):
                    logs.add(app_group, stream, b + timedelta(milliseconds=j * 120), msg)
            end = now if gen is new_ips else deploy + timedelta(minutes=4 + i)
            t = b + timedelta(seconds=20)
            while t < end:
                r = rng.random()
                if r < 0.82:
                    msg = json.dumps(
                        {
                            "ts": k.iso_ms(t),
                            "level": "info",
                            "logger": "opsportal.jobs.carrier_sync",
                            "msg": "carrier status poll complete",
                            "updated": rng.randrange(0, 45),
                            "duration_ms": rng.randrange(300, 1900),
                        }
                    )
                elif r < 0.95:
                    msg = json.dumps(
                        {
                            "ts": k.iso_ms(t),
                            "level": "info",
                            "logger": "opsportal.auth",
                            "msg": "oidc claims accepted",
                            "sub": f"00u{k.alnum(rng, 17, False)}",
                            "groups": rng.choice(["warehouse-supervisors", "dock-clerks", "dispatch"]),
                        }
                    )
                else:
                    msg = json.dumps(
                        {
                            "ts": k.iso_ms(t),
                            "level": "warning",
                            "logger": "opsportal.integrations.xpo",
                            "msg": "XPO tracking API slow response",
                            "elapsed_ms": rng.randrange(2500, 6000),
                        }
                    )
                logs.add(app_group, stream, t, msg)
                t += timedelta(seconds=rng.randrange(45, 90))

    # --- CloudTrail ------------------------------------------------------------------------------------
    trail = k.Trail(acct, REGION, rng)
    gha_ip = f"20.{rng.randrange(20, 250)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    ci = k.role_session(
        rng,
        acct,
        "harbourline-gha-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        gha_ip,
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 exec-env/GitHub-Actions command/ecs.update-service",
    )
    office = k.public_ip(rng)
    sre = k.sso_user(rng, acct, "PlatformOperator", "marcus.bell@harbourline.io", office, "AWS Internal")
    dba = k.sso_user(rng, acct, "DatabaseAdmin", "li.wen@harbourline.io", k.public_ip(rng), "AWS Internal")
    exec_role = k.role_session(rng, acct, "ops-portal-task-execution", "", "", "")
    ecs_svc = k.role_session(
        rng,
        acct,
        "AWSServiceRoleForECS",
        "ecs-service-scheduler",
        "",
        "",
        path="/aws-service-role/ecs.amazonaws.com/",
    )
    td_new = f"{svc}:{rev_new}"
    trail.add(
        ci,
        deploy - timedelta(seconds=25),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": svc,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/ops-portal-task",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ops-portal-task-execution",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": f"{acct}.dkr.ecr.{REGION}.amazonaws.com/ops-portal:2024.{rev_new}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": svc,
                "revision": rev_new,
                "status": "ACTIVE",
            }
        },
    )
    trail.add(
        ci,
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": svc, "taskDefinition": td_new, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "taskDefinition": td_arn,
                "desiredCount": 3,
                "deployments": [{"id": dep_id, "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}],
            }
        },
    )
    trail.add(
        ci,
        deploy + timedelta(seconds=8),
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": [svc]},
        None,
        True,
    )
    for i, ip in enumerate(new_ips):
        st = deploy + timedelta(seconds=40 + i * 75)
        trail.add(
            exec_role,
            st + timedelta(seconds=6),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"arn:aws:secretsmanager:{REGION}:{acct}:secret:prod/ops-portal/db-AbX9q2"},
            None,
            True,
            invoked_by="ecs-tasks.amazonaws.com",
        )
        trail.add(
            exec_role,
            st + timedelta(seconds=6),
            "ssm.amazonaws.com",
            "GetParameters",
            {
                "names": ["/ops-portal/prod/xpo-api-key", "/ops-portal/prod/oidc-groups-claim"],
                "withDecryption": True,
            },
            None,
            True,
            invoked_by="ecs-tasks.amazonaws.com",
        )
        trail.add(
            ecs_svc,
            st + timedelta(seconds=40),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {"targetGroupArn": tg_arn["ops-portal-tg"], "targets": [{"id": ip, "port": 8080}]},
            None,
            False,
            invoked_by="ecs.amazonaws.com",
        )
        trail.add(
            ecs_svc,
            st + timedelta(seconds=95),
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": tg_arn["ops-portal-tg"], "targets": [{"id": old_ips[i], "port": 8080}]},
            None,
            False,
            invoked_by="ecs.amazonaws.com",
        )
    # the DBA opens the database security group to a new bastion, after the onset
    sgc = onset + timedelta(minutes=rng.randrange(6, 14), seconds=rng.randrange(60))
    rule_id = "sgr-0" + k.hexs(rng, 16)
    bastion_sg = "sg-0" + k.hexs(rng, 16)
    trail.add(
        dba,
        sgc,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_db,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {"items": [{"groupId": bastion_sg, "description": "ssm bastion 2024"}]},
                    }
                ]
            },
        },
        {
            "requestId": k.uid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "groupId": sg_db,
                        "securityGroupRuleId": rule_id,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "referencedGroupInfo": {"groupId": bastion_sg, "userId": acct},
                        "description": "ssm bastion 2024",
                    }
                ]
            },
        },
    )
    trail.add(
        dba,
        sgc - timedelta(minutes=2),
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        {"groupIdSet": {"items": [{"groupId": sg_db}]}},
        None,
        True,
    )
    trail.add(
        dba,
        sgc + timedelta(minutes=3),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db_id},
        None,
        True,
    )
    # routine reads and the on-call engineer looking around
    sre_ses = now - timedelta(minutes=rng.randrange(18, 30))
    looks: list[tuple[str, str, dict[str, Any]]] = [
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"names": [alb_name]}),
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": tg_arn["ops-portal-tg"]},
        ),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("elasticloadbalancing.amazonaws.com", "DescribeListeners", {"loadBalancerArn": alb_arn}),
        ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNames": ["harbourline-ops-alb-elb-5xx"]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": svc}),
    ]
    for i, (src, nm, params) in enumerate(looks):
        at = sre_ses + timedelta(minutes=i * 3, seconds=rng.randrange(60))
        if at < now:
            trail.add(sre, at, src, nm, params, None, True, session_created=sre_ses)
    monitor = k.role_session(
        rng,
        acct,
        "datadog-integration",
        f"{k.hexs(rng, 32)}",
        "3.233.144.17",
        "Datadog/1.0 (aws-sdk-go/1.50.8)",
    )
    polls: list[tuple[str, str, dict[str, Any]]] = [
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTags", {"resourceArns": [alb_arn]}),
        ("rds.amazonaws.com", "DescribeDBInstances", {}),
        ("ecs.amazonaws.com", "ListClusters", {}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
    ]
    t = start + timedelta(minutes=rng.randrange(5, 15))
    while t < now:
        src, nm, params = polls[rng.randrange(len(polls))]
        trail.add(monitor, t, src, nm, params, None, True)
        t += timedelta(minutes=rng.randrange(18, 32))

    # --- resources -----------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randrange(300, 700))
    res: list[dict[str, Any]] = []

    def r_(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    r_(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{rng.randrange(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
            "CreatedTime": k.iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{REGION}{z}", "SubnetId": s} for z, s in zip("abc", subnets, strict=True)
            ],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    oidc = {
        "Issuer": issuer,
        "AuthorizationEndpoint": f"{issuer}/v1/authorize",
        "TokenEndpoint": f"{issuer}/v1/token",
        "UserInfoEndpoint": f"{issuer}/v1/userinfo",
        "ClientId": client_id,
        "SessionCookieName": "AWSELBAuthSessionCookie",
        "Scope": "openid profile email groups",
        "SessionTimeout": 43200,
        "OnUnauthenticatedRequest": "authenticate",
    }
    r_(
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
                {"Type": "authenticate-oidc", "AuthenticateOidcConfig": oidc, "Order": 1},
                {
                    "Type": "forward",
                    "TargetGroupArn": tg_arn["ops-portal-tg"],
                    "Order": 2,
                    "ForwardConfig": {
                        "TargetGroups": [{"TargetGroupArn": tg_arn["ops-portal-tg"], "Weight": 1}],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                },
            ],
        },
    )
    r_(
        "elbv2",
        "Rule",
        {
            "RuleArn": listener_arn.replace(":listener/", ":listener-rule/") + "/" + k.hexs(rng, 16),
            "Priority": "5",
            "Conditions": [
                {
                    "Field": "path-pattern",
                    "Values": ["/api/webhooks/*"],
                    "PathPatternConfig": {"Values": ["/api/webhooks/*"]},
                }
            ],
            "Actions": [{"Type": "forward", "TargetGroupArn": tg_arn["ops-webhooks-tg"], "Order": 1}],
            "IsDefault": False,
        },
    )
    r_(
        "elbv2",
        "Rule",
        {
            "RuleArn": listener_arn.replace(":listener/", ":listener-rule/") + "/" + k.hexs(rng, 16),
            "Priority": "20",
            "Conditions": [
                {
                    "Field": "host-header",
                    "Values": ["grafana.harbourline.io"],
                    "HostHeaderConfig": {"Values": ["grafana.harbourline.io"]},
                }
            ],
            "Actions": [
                {"Type": "authenticate-oidc", "AuthenticateOidcConfig": oidc, "Order": 1},
                {"Type": "forward", "TargetGroupArn": tg_arn["grafana-tg"], "Order": 2},
            ],
            "IsDefault": False,
        },
    )
    for name, port, path in (
        ("ops-portal-tg", 8080, "/healthz"),
        ("ops-webhooks-tg", 8081, "/healthz"),
        ("grafana-tg", 3000, "/api/health"),
    ):
        r_(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn[name],
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    r_(
        "acm",
        "CertificateDetail",
        {
            "CertificateArn": cert_arn,
            "DomainName": "*.harbourline.io",
            "SubjectAlternativeNames": ["*.harbourline.io", "harbourline.io"],
            "ManagedBy": "",
            "Serial": ":".join(k.hexs(rng, 2) for _ in range(16)),
            "Subject": "CN=*.harbourline.io",
            "Issuer": "Amazon",
            "CreatedAt": k.iso(created),
            "IssuedAt": k.iso(day - timedelta(days=rng.randrange(20, 200))),
            "Status": "ISSUED",
            "NotBefore": k.iso(day - timedelta(days=210)),
            "NotAfter": k.iso(day + timedelta(days=rng.randrange(150, 180))),
            "KeyAlgorithm": "RSA-2048",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": [alb_arn],
            "Type": "AMAZON_ISSUED",
            "RenewalEligibility": "ELIGIBLE",
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        },
    )
    if not res[-1]["item"]["ManagedBy"]:
        del res[-1]["item"]["ManagedBy"]
    r_(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": rng.randrange(14, 22),
            "pendingTasksCount": 0,
            "activeServicesCount": 7,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    netcfg = {
        "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg_app], "assignPublicIp": "DISABLED"}
    }
    r_(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": tg_arn["ops-portal-tg"], "containerName": "web", "containerPort": 8080}
            ],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
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
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "failedTasks": 0,
                    "createdAt": k.iso(deploy),
                    "updatedAt": k.iso(done),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": netcfg,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment " + dep_id + " completed.",
                }
            ],
            "events": [],
            "createdAt": k.iso(created),
            "networkConfiguration": netcfg,
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    r_(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.t4g.large",
            "Engine": "postgres",
            "EngineVersion": "15.6",
            "DBInstanceStatus": "available",
            "MasterUsername": "opsportal",
            "Endpoint": {
                "Address": f"{db_id}.c{k.alnum(rng, 12, False)}.{REGION}.rds.amazonaws.com",
                "Port": 5432,
            },
            "AllocatedStorage": 100,
            "InstanceCreateTime": k.iso(created),
            "MultiAZ": True,
            "AvailabilityZone": f"{REGION}a",
            "SecondaryAvailabilityZone": f"{REGION}b",
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + k.alnum(rng, 26),
            "DBInstanceArn": f"arn:aws:rds:{REGION}:{acct}:db:{db_id}",
            "PubliclyAccessible": False,
        },
    )

    def sg(gid: str, name: str, desc: str, perms: list[dict[str, Any]]) -> None:
        r_(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": desc,
                "VpcId": vpc,
                "OwnerId": acct,
                "SecurityGroupArn": f"arn:aws:ec2:{REGION}:{acct}:security-group/{gid}",
                "IpPermissions": perms,
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": k.tags({"Name": name}),
            },
        )

    sg(
        sg_alb,
        "ops-alb",
        "ops ALB",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            },
        ],
    )
    sg(
        sg_app,
        "ops-portal-tasks",
        "ops-portal Fargate tasks",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8081,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": acct}],
            }
        ],
    )
    sg(
        sg_db,
        "ops-portal-db",
        "ops-portal Postgres",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [
                    {"GroupId": sg_app, "UserId": acct},
                    {"GroupId": bastion_sg, "UserId": acct, "Description": "ssm bastion 2024"},
                ],
            }
        ],
    )
    r_(
        "logs",
        "LogGroup",
        {
            "logGroupName": alb_group,
            "creationTime": k.ms(created),
            "retentionInDays": 14,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{alb_group}:*",
            "storedBytes": rng.randrange(10**9, 10**10),
            "logGroupClass": "STANDARD",
        },
    )
    r_(
        "logs",
        "LogGroup",
        {
            "logGroupName": app_group,
            "creationTime": k.ms(created),
            "retentionInDays": 30,
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{app_group}:*",
            "storedBytes": rng.randrange(10**8, 10**9),
            "logGroupClass": "STANDARD",
        },
    )

    question = (
        f"Warehouse supervisors starting the morning shift can't get into the ops portal since about {k.clock(onset, off)}: "
        f"after the login page they land on a plain '500 Internal Server Error'. People who were already logged in seem fine. "
        f"We shipped a new ops-portal build just before that. Should we roll it back?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trigger_event, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": idp_host,
                    "category": "dependency_failure",
                    "failure_mode": "oidc-idp-token-endpoint-timeout",
                },
                "also_accept": [issuer, f"{issuer}/v1/token", "Okta"],
                "actions": [],
                "chain": [
                    f"{idp_host} token endpoint times out for most authorization-code exchanges",
                    f"{alb_name} authenticate-oidc action cannot complete sign-in (ELBAuthError, error_reason AuthTokenEpRequestTimeout)",
                    "the ALB answers 500 on /oauth2/idpresponse; ops-portal targets never see those requests and stay healthy",
                    "harbourline-ops-alb-elb-5xx alarm; the ops-portal deploy just before is unrelated",
                ],
            },
        }
    )
    hist = sorted(history, key=lambda item: str(item["Timestamp"]))
    evs = sorted(
        events, key=lambda e: json.dumps(e["item"].get("timestamp") or e["item"]["event"]["createdAt"])
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": res,
            "events": evs,
        },
    )


def const(v: float) -> Any:
    def fn(t: datetime, p: int) -> float:
        return v

    return fn
