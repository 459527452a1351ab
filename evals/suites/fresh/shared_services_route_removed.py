"""Account pages erroring for a share of users after a route clean-up removed one AZ's route to shared services."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzy import Env, change_noise, traffic

NAME = "shared-services-route-removed-one-az"
TITLE = "Sign-in and account pages failing for some users; retrying usually works"
SUMMARY = (
    "A route-table clean-up deleted the transit-gateway route to shared services from one AZ's private "
    "route table, so web instances in that AZ time out calling the identity service and return 5xx."
)

APPS = ["brightmoor", "kelpshop", "larchfield", "tidewell", "ombrella"]


def build(seed: int) -> Bundle:
    env = Env(seed, NAME, (8, 13))
    r = env.rng
    env.app = r.choice(APPS)
    env._topology()
    onset = env.onset
    ident_ip = f"{env.shared_cidr.split('.')[0]}.{env.shared_cidr.split('.')[1]}.8.{r.randint(10, 60)}"
    az_a = {i["id"] for i in env.instances if i["az"] == 0}
    frac_bad = len(az_a) / len(env.instances)
    auth_share = r.uniform(0.09, 0.16)

    def bad(t: datetime) -> bool:
        return t >= onset.replace(second=0) + timedelta(minutes=1)

    def mod(key: str, t: datetime, v: float | None) -> float | None:
        if v is None:
            return None
        if not bad(t):
            return v
        if key == "HTTPCode_Target_5XX_Count":
            return v + _req[t] * frac_bad * auth_share * r.uniform(0.9, 1.0)
        if key == "TargetResponseTime":
            return v + frac_bad * auth_share * 3.0 * r.uniform(0.9, 1.05)
        if key == "NAT:Attempt:0":
            return v + _req[t] * frac_bad * auth_share * 1.3
        if key in ("TGW:BytesOut", "TGW:BytesIn", "TGW:PacketsOut", "TGW:PacketsIn"):
            return v * (1 - frac_bad) * r.uniform(0.95, 1.02)
        if key.startswith("CPU:") and key[4:] in az_a:
            return v * 0.7
        return v

    _req: dict[datetime, float] = {}

    def record(key: str, t: datetime, v: float | None) -> float | None:
        if key == "RequestCount" and v is not None:
            _req[t] = v
        return mod(key, t, v)

    # the ALB flaps a little on a slow read-replica-free DB: noise spike on ReadLatency 2 h earlier
    blip = onset - timedelta(minutes=r.randint(110, 140))

    def full(key: str, t: datetime, v: float | None) -> float | None:
        if key == "RDS:ReadLat" and blip <= t < blip + timedelta(minutes=3):
            return 0.019 + r.uniform(0, 0.004)
        return record(key, t, v)

    traffic(env, r.uniform(110, 220), full)

    # --- route tables at now: AZ-a lost the TGW route; the other two lost the stale peering route only
    rt_a = env.app_rtbs[0]
    routes = {
        rt_a: [
            env.app_routes(0)[0],
            env.app_routes(0)[1],
            {
                "DestinationCidrBlock": "10.99.0.0/16",
                "VpcPeeringConnectionId": "pcx-" + env.hexid(),
                "Origin": "CreateRoute",
                "State": "blackhole",
            },
        ]
    }
    env.base_resources(routes)

    # --- CloudTrail
    env.readonly_noise(r.randint(42, 60))
    change_noise(env, onset, 5)
    user = env.who_sso(
        r.choice(["dvargas", "s.okafor", "lena.b"]) + "@example.com",
        "AWSReservedSSO_NetworkAdmin_8a7d0c21e95f3b64",
    )
    console = "AWS Internal"
    t0 = onset - timedelta(minutes=r.randint(6, 9))
    env.ct(
        t0,
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        user,
        {
            "routeTableIdSet": {},
            "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": env.vpc}]}}]},
        },
        None,
        read_only=True,
        agent=console,
        ip="AWS Internal",
    )
    env.ct(
        t0 + timedelta(seconds=40),
        "ec2.amazonaws.com",
        "DescribeVpcPeeringConnections",
        user,
        {"vpcPeeringConnectionIdSet": {}, "filterSet": {}},
        None,
        read_only=True,
        agent=console,
        ip="AWS Internal",
    )
    t1 = onset - timedelta(minutes=r.randint(3, 4), seconds=r.randint(0, 40))
    for rt in (env.app_rtbs[2], env.app_rtbs[1]):
        env.ct(
            t1,
            "ec2.amazonaws.com",
            "DeleteRoute",
            user,
            {"routeTableId": rt, "destinationCidrBlock": "10.99.0.0/16"},
            {"requestId": env.uuid(), "_return": True},
            agent=console,
            ip="AWS Internal",
        )
        t1 += timedelta(seconds=r.randint(25, 70))
    culprit = env.ct(
        onset,
        "ec2.amazonaws.com",
        "DeleteRoute",
        user,
        {"routeTableId": rt_a, "destinationCidrBlock": env.shared_cidr},
        {"requestId": env.uuid(), "_return": True},
        agent=console,
        ip="AWS Internal",
    )
    env.ct(
        onset + timedelta(minutes=1, seconds=10),
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        user,
        {"routeTableIdSet": {"items": [{"routeTableId": rt_a}]}, "filterSet": {}},
        None,
        read_only=True,
        agent=console,
        ip="AWS Internal",
    )

    # --- logs: app log per instance
    group = f"/{env.app}/web/app"
    for inst in env.instances:
        stream = f"{inst['id']}/application.log"
        t = env.start + timedelta(seconds=r.randint(0, 300))
        while t < env.now:
            thread = f"nio-8080-exec-{r.randint(1, 40)}"
            if inst["id"] in az_a and bad(t):
                path = r.choice(["/account/orders", "/account", "/login/callback", "/wishlist", "/checkout"])
                env.log(
                    group,
                    stream,
                    t,
                    f"{t.strftime('%Y-%m-%d %H:%M:%S.')}{r.randint(0, 999):03d} ERROR 2841 --- [{thread}] "
                    f"c.{env.app}.web.auth.SessionClient       : session validation failed for {path}: "
                    f"org.apache.hc.client5.http.ConnectTimeoutException: Connect to "
                    f"https://identity.shared.internal:443 [identity.shared.internal/{ident_ip}] failed: "
                    f"Connect timed out",
                )
                if r.random() < 0.5:
                    env.log(
                        group,
                        stream,
                        t + timedelta(milliseconds=4),
                        f"{t.strftime('%Y-%m-%d %H:%M:%S.')}{r.randint(0, 999):03d} WARN 2841 --- [{thread}] "
                        f"c.{env.app}.web.error.ErrorController    : returning 503 to client, "
                        f"upstream=identity-service cause=ConnectTimeoutException",
                    )
                t += timedelta(seconds=r.uniform(2, 9))
                continue
            roll = r.random()
            if roll < 0.04:
                msg = (
                    f"WARN 2841 --- [{thread}] o.h.engine.jdbc.spi.SqlExceptionHelper  : SQL Warning Code: "
                    "1265, SQLState: 01000"
                )
            elif roll < 0.08:
                msg = (
                    f"INFO 2841 --- [   scheduling-1] c.{env.app}.web.cache.CatalogRefresher   : "
                    f"catalog cache refreshed: {r.randint(18000, 19000)} items in {r.randint(300, 900)} ms"
                )
            else:
                msg = (
                    f"INFO 2841 --- [{thread}] c.{env.app}.web.auth.SessionClient       : session ok "
                    f"user={r.randint(100000, 999999)} took={r.randint(8, 40)}ms"
                )
            env.log(group, stream, t, f"{t.strftime('%Y-%m-%d %H:%M:%S.')}{r.randint(0, 999):03d} {msg}")
            t += timedelta(seconds=r.uniform(30, 110))

    # --- alarms
    lb = {"LoadBalancer": env.alb_dim}
    a5 = env.alarm(
        f"{env.app}-alb-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        60,
        40,
        "GreaterThanThreshold",
        3,
        "Target 5xx on the web ALB above 40/min",
        treat_missing="notBreaching",
    )
    lat = env.alarm(
        f"{env.app}-alb-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Average",
        60,
        0.5,
        "GreaterThanThreshold",
        5,
        "Average target response time above 500 ms for 5 minutes",
    )
    event = env.auto(a5)[0]
    env.auto(lat)
    rl = env.alarm(
        f"{env.app}-rds-read-latency",
        "AWS/RDS",
        "ReadLatency",
        {"DBInstanceIdentifier": env.db},
        "Average",
        60,
        0.015,
        "GreaterThanThreshold",
        2,
        "RDS read latency above 15 ms",
    )
    env.auto(rl)
    env.alarm(
        f"{env.app}-rds-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": env.db},
        "Average",
        300,
        80,
        "GreaterThanThreshold",
        3,
        "RDS CPU above 80% for 15 minutes",
    )
    env.alarm(
        f"{env.app}-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": env.tg_dim, "LoadBalancer": env.alb_dim},
        "Maximum",
        60,
        0,
        "GreaterThanThreshold",
        3,
        "Any unhealthy web target for 3 minutes",
    )

    local = onset.astimezone(ZoneInfo("Europe/London"))
    question = (
        f"Since about {local.strftime('%H:%M').lstrip('0')} we're getting complaints that sign-in and the "
        "account pages throw an error page for some people, but a refresh often fixes it. Is the "
        "database struggling again?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": rt_a,
            "category": "change",
            "failure_mode": "transit-gateway-route-deleted",
            "event_id": culprit["eventID"],
        },
        "also_accept": [f"{env.app}-private-{env.azs[0][-1]}"],
        "actions": ["rollback"],
        "chain": [rt_a, "identity.shared.internal", env.tg_name, env.alb_name],
    }
    del event["detail"]["previousState"]["reason"]
    return env.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": "Europe/London"}, truth)
