"""Seat holds fail with 500s after a checkout-api release points its Redis client at the reader endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzj import (
    Estate,
    Kit,
    app_logs,
    diurnal,
    iso,
    minutes,
    ms,
    pick_day,
    rollout_events,
    std_metrics,
)

NAME = "seat-holds-fail-after-checkout-deploy"
TITLE = "Fans can't hold seats ('Something went wrong') late morning; browsing fine; WAF change went out just before"
SUMMARY = (
    "A checkout-api release set REDIS_URL to the replication group's reader endpoint; every seat-hold write "
    "fails with READONLY and checkout returns 500s while health checks keep passing."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "gigstub")
    r = k.rng
    onset = pick_day(r, r.choice([10, 11]), r.randint(5, 45)) + timedelta(seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(38, 55))).replace(second=0)
    est = Estate(k, start)
    base = r.uniform(2600, 5200)

    def rpm(t: datetime) -> float:
        return diurnal(t, base)

    times = minutes(start, now)
    # --- changes: an innocent web deploy, an innocent WAF IP-set edit, then the checkout-api release
    ci = k.role(f"{k.brand}-gha-deploy", "GitHubActions")
    web_at = onset - timedelta(minutes=r.randint(45, 80))
    web_rev = est.taskdef_rev["web"] + 1
    web_tag = f"2027.{web_at:%m.%d}-{k.hexid(7)}"
    _, _, web_td = est.deploy(web_at, "web", ci, web_rev, est.env("web"), web_tag)
    web_dep = "ecs-svc/" + str(r.randint(10**18, 10**19 - 1))
    rollout_events(est, "web", web_at, web_dep, est.desired["web"])
    waf_at = onset - timedelta(minutes=r.randint(8, 16))
    secops = k.sso(r.choice(["priya.nair", "tom.hendry", "alex.ross"]), "SecurityOps")
    k.ct(
        waf_at - timedelta(seconds=40),
        "wafv2.amazonaws.com",
        "GetIPSet",
        secops,
        {"name": f"{k.brand}-blocklist", "scope": "REGIONAL", "id": est.ipset_id},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    )
    k.ct(
        waf_at,
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        secops,
        {
            "name": f"{k.brand}-blocklist",
            "scope": "REGIONAL",
            "id": est.ipset_id,
            "addresses": [
                f"185.{r.randint(10, 250)}.{r.randint(0, 250)}.0/24",
                f"45.{r.randint(10, 250)}.{r.randint(0, 250)}.{r.randint(1, 250)}/32",
            ],
            "lockToken": k.uid(),
        },
        {"nextLockToken": k.uid()},
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    )
    dep_at = onset - timedelta(seconds=r.randint(95, 130))
    new_rev = est.taskdef_rev["checkout-api"] + 1
    new_env = est.env("checkout-api")
    new_env["REDIS_URL"] = f"rediss://{est.redis_reader}:6379"
    new_env["REDIS_TLS"] = "true"
    new_env["HOLD_TTL_SECONDS"] = "480"
    tag = f"2027.{dep_at:%m.%d}-{k.hexid(7)}"
    _, culprit, new_td = est.deploy(dep_at, "checkout-api", ci, new_rev, new_env, tag)
    dep_id = "ecs-svc/" + str(r.randint(10**18, 10**19 - 1))
    new_tasks = rollout_events(est, "checkout-api", dep_at, dep_id, est.desired["checkout-api"])
    # other background changes
    k.ct(
        start + timedelta(minutes=r.randint(20, 60)),
        "dynamodb.amazonaws.com",
        "UpdateTable",
        k.role(
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "AutoScaling",
            invoked_by="application-autoscaling.amazonaws.com",
        ),
        {
            "tableName": est.inventory_table,
            "provisionedThroughput": {"readCapacityUnits": 3000, "writeCapacityUnits": 1500},
        },
        None,
    )
    est.tooling_noise(start, now)
    est.steady_state_events(start - timedelta(hours=12), web_at)
    for _ in range(3):
        t = start + timedelta(minutes=r.randint(5, 200))
        k.ct(
            t,
            "logs.amazonaws.com",
            "StartQuery",
            k.sso("sam.oduya", "Developer"),
            {
                "logGroupNames": [f"/ecs/{k.brand}/order-worker"],
                "startTime": int((t - timedelta(hours=1)).timestamp()),
                "endTime": int(t.timestamp()),
                "queryString": "fields @timestamp, @message | filter level >= 40 | sort @timestamp desc | limit 200",
            },
            {"queryId": k.uid()},
            read_only=True,
        )

    # --- telemetry
    hold_share = 0.42

    def after(t: datetime) -> bool:
        return t >= onset

    bot_from = start + timedelta(minutes=r.randint(40, 110))
    bot_len = timedelta(minutes=r.randint(12, 25))
    fail = {t: (rpm(t) * 0.3 * hold_share * r.uniform(0.9, 1.05)) for t in times if after(t)}

    def c5xx(t: datetime) -> float | None:
        if after(t):
            return fail[t]
        return float(r.randint(1, 2)) if r.random() < 0.06 else None

    d = std_metrics(
        est,
        times,
        rpm,
        {
            "checkout_5xx": c5xx,
            "checkout_latency": lambda t: k.noisy(0.07 if after(t) else 0.11 + 0.012, 0.08),
            "redis_conns": lambda t: float(
                int(
                    k.noisy(
                        26 * (est.desired["web"] + (0 if after(t) else est.desired["checkout-api"])), 0.03
                    )
                )
            ),
            "redis_replica_cpu": lambda t: k.noisy(6.5 if after(t) else 2.5, 0.1),
            "redis_cpu": lambda t: k.noisy(4.5 if after(t) else 7.0, 0.08),
            "inv_wcu": lambda t: k.noisy(rpm(t) * 0.3 * (0.05 if after(t) else 0.42), 0.06),
            "q_sent": lambda t: k.noisy(rpm(t) * 0.3 * (0.002 if after(t) else 0.05), 0.1),
            "q_deleted": lambda t: k.noisy(rpm(t) * 0.3 * (0.002 if after(t) else 0.05), 0.1),
            "waf_blocked": lambda t: k.noisy(
                rpm(t) * 0.004 + (r.uniform(90, 160) if bot_from <= t < bot_from + bot_len else 3), 0.2
            ),
        },
    )
    app_logs(est, "web", times, rpm)
    app_logs(est, "order-worker", [t for t in times if not after(t)], rpm, every=3)
    app_logs(est, "order-worker", [t for t in times if after(t)], rpm, every=17)
    app_logs(est, "checkout-api", [t for t in times if t < dep_at], rpm)
    streams = [f"ecs/checkout-api/{x}" for x in new_tasks]
    grp = f"/ecs/{k.brand}/checkout-api"
    for s in streams:
        at = dep_at + timedelta(seconds=r.randint(30, 60))
        k.log(
            grp,
            s,
            at,
            json.dumps(
                {
                    "level": 30,
                    "time": ms(at),
                    "pid": 1,
                    "hostname": s[-32:][:12],
                    "msg": f"checkout-api {tag} listening on :8080",
                }
            ),
        )
        k.log(
            grp,
            s,
            at + timedelta(milliseconds=180),
            json.dumps(
                {"level": 30, "time": ms(at) + 180, "pid": 1, "hostname": s[-32:][:12], "msg": "redis ready"}
            ),
        )
    for t in times:
        if t < onset:
            continue
        for s in r.sample(streams, 3):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            evno = r.randint(10000, 99999)
            host = s[-32:][:12]
            if r.random() < 0.7:
                rid = k.hexid(8)
                k.log(
                    grp,
                    s,
                    at,
                    json.dumps(
                        {
                            "level": 50,
                            "time": ms(at),
                            "pid": 1,
                            "hostname": host,
                            "reqId": rid,
                            "err": {
                                "type": "ReplyError",
                                "message": "READONLY You can't write against a read only replica.",
                                "stack": "ReplyError: READONLY You can't write against a read only replica.\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                                "command": "SET",
                            },
                            "eventId": evno,
                            "msg": "failed to place seat hold",
                        }
                    ),
                )
                k.log(
                    grp,
                    s,
                    at + timedelta(milliseconds=3),
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(at) + 3,
                            "pid": 1,
                            "hostname": host,
                            "reqId": rid,
                            "req": {"method": "POST", "url": "/api/holds"},
                            "res": {"statusCode": 500},
                            "responseTime": r.randint(2, 9),
                            "msg": "request completed",
                        }
                    ),
                )
            else:
                k.log(
                    grp,
                    s,
                    at,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(at),
                            "pid": 1,
                            "hostname": host,
                            "req": {"method": "GET", "url": f"/api/events/{evno}/availability"},
                            "res": {"statusCode": 200},
                            "responseTime": r.randint(6, 40),
                            "msg": "request completed",
                        }
                    ),
                )

    # --- resources
    svc_deps = {
        "checkout-api": {
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": new_td["taskDefinitionArn"],
                    "desiredCount": est.desired["checkout-api"],
                    "pendingCount": 0,
                    "runningCount": est.desired["checkout-api"],
                    "failedTasks": 0,
                    "createdAt": iso(dep_at + timedelta(seconds=5)),
                    "updatedAt": iso(dep_at + timedelta(seconds=260)),
                    "capacityProviderStrategy": [{"capacityProvider": est.cp, "weight": 1, "base": 0}],
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ]
        },
        "web": {
            "deployments": [
                {
                    "id": web_dep,
                    "status": "PRIMARY",
                    "taskDefinition": web_td["taskDefinitionArn"],
                    "desiredCount": est.desired["web"],
                    "pendingCount": 0,
                    "runningCount": est.desired["web"],
                    "failedTasks": 0,
                    "createdAt": iso(web_at + timedelta(seconds=5)),
                    "updatedAt": iso(web_at + timedelta(seconds=260)),
                    "capacityProviderStrategy": [{"capacityProvider": est.cp, "weight": 1, "base": 0}],
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ]
        },
    }
    est.write_resources(now, {"service": svc_deps, "queue_depth": 0})
    k.resource("ecs", "TaskDefinition", new_td)
    k.resource("ecs", "TaskDefinition", web_td)

    # --- alarms
    lb = {"LoadBalancer": est.alb_dim}
    tgc = {"TargetGroup": est.tg["checkout-api"], "LoadBalancer": est.alb_dim}
    ev = k.alarm(
        f"{k.brand}-checkout-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgc,
        "Sum",
        50,
        "GreaterThanThreshold",
        d["checkout_5xx"],
        start,
        now,
        evals=3,
        description="checkout-api target 5xx > 50/min for 3 min. Runbook: wiki/ops/checkout",
    )
    k.alarm(
        f"{k.brand}-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Sum",
        25,
        "GreaterThanThreshold",
        d["elb_5xx"],
        start,
        now,
        evals=3,
    )
    k.alarm(
        f"{k.brand}-checkout-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgc,
        "Average",
        1.0,
        "GreaterThanThreshold",
        d["checkout_latency"],
        start,
        now,
        evals=5,
    )
    k.alarm(
        f"{k.brand}-holds-redis-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": est.redis_nodes[0], "CacheNodeId": "0001"},
        "Average",
        80,
        "GreaterThanThreshold",
        d["redis_cpu"],
        start,
        now,
        evals=5,
        page=False,
    )
    k.alarm(
        f"{k.brand}-order-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": est.queue},
        "Maximum",
        600,
        "GreaterThanThreshold",
        d["q_age"],
        start,
        now,
        period=300,
        evals=2,
    )
    k.alarm(
        f"{k.brand}-waf-blocked-spike",
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": est.acl, "Region": k.region, "Rule": "ALL"},
        "Sum",
        400,
        "GreaterThanThreshold",
        d["waf_blocked"],
        start,
        now,
        period=300,
        evals=1,
        page=False,
    )

    asked = onset + timedelta(minutes=r.randint(18, 30))
    question = (
        f"Support says fans can't hold seats since about {onset:%H:%M} — they pick seats and get 'Something went "
        f"wrong, please try again'. Browsing events is fine. SecOps pushed a WAF blocklist change around "
        f"{waf_at:%H:%M}, could that be blocking people? (asking at {asked:%H:%M})"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {"question": question, "alarm_event": ev, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": est.service_arn("checkout-api"),
                "category": "change",
                "failure_mode": "redis-client-pointed-at-read-replica",
                "event_id": culprit,
            },
            "also_accept": ["checkout-api", new_td["taskDefinitionArn"], f"{k.brand}-checkout-api:{new_rev}"],
            "actions": ["rollback", "reconfigure"],
            "chain": [
                new_td["taskDefinitionArn"],
                est.service_arn("checkout-api"),
                est.redis_reader,
                est.tg_arn["checkout-api"],
                est.alb_arn,
            ],
        },
    )
