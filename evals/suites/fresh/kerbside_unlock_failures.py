"""kerbside (car sharing): unlocks and trip ends failing since late morning while browsing cars works;
ECS Fargate Go API behind an ALB, ElastiCache for Redis (cluster mode disabled), DynamoDB."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_ze as k

NAME = "kerbside-unlock-failures"
TITLE = "Customers can't unlock or end trips since late morning; browsing cars still works"
SUMMARY = (
    "The Redis primary node failed and Multi-AZ promoted the replica; the trips API is configured with the old "
    "primary's node endpoint, so once that node recovers as a replica every lock write fails with READONLY."
)

OFFSET_H = 1.0  # Europe/Dublin in summer (IST)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    region = "eu-west-1"
    acct = k.account(rng)
    d0 = k.day(rng, rng.choice([1, 2, 4, 5]), datetime(2024, 4, 8, tzinfo=UTC), 26)
    fail_at = d0 + timedelta(hours=10 - OFFSET_H, minutes=rng.randrange(35, 80), seconds=rng.randrange(60))
    onset = fail_at.replace(second=0)
    promoted = fail_at + timedelta(seconds=rng.randrange(25, 50))
    recovered = fail_at + timedelta(minutes=rng.randrange(7, 12), seconds=rng.randrange(60))
    now = onset + timedelta(minutes=rng.randrange(55, 80))
    start = onset - timedelta(hours=6, minutes=rng.randrange(0, 30))
    grid = k.Grid(start, now, onset - timedelta(minutes=80))
    mins = grid.mins

    rg = "kerbside-locks"
    n1, n2 = f"{rg}-001", f"{rg}-002"
    ec_id = k.alnum(rng, 6, upper=False)
    primary_ep = f"{rg}.{ec_id}.ng.0001.euw1.cache.amazonaws.com"
    reader_ep = f"{rg}-ro.{ec_id}.ng.0001.euw1.cache.amazonaws.com"
    node_ep = {n: f"{n}.{ec_id}.0001.euw1.cache.amazonaws.com" for n in (n1, n2)}
    lb_dim = f"app/kerbside-prod-alb/{k.hexs(rng, 16)}"
    tg_dim = f"targetgroup/kerbside-trips-api/{k.hexs(rng, 16)}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:{tg_dim}"
    cluster = "kerbside-prod"
    svc = "kerbside-trips-api"
    svc_arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{svc}"
    td_rev = rng.randrange(200, 320)
    tasks = [k.hexs(rng, 32) for _ in range(6)]
    vpc = k.vpc_id(rng)
    subnets = k.subnet_ids(rng, 3)
    sg_app, sg_cache, sg_alb = k.sg_id(rng), k.sg_id(rng), k.sg_id(rng)
    tele_fn = "kerbside-telemetry-writer"
    q_name = "kerbside-vehicle-telemetry"

    # phases: before, failover gap (node 001 down), after (001 back as replica)
    def phase(t: datetime) -> str:
        if t < onset:
            return "before"
        if t < recovered.replace(second=0):
            return "down"
        return "after"

    noise = k.Noise(rng, 0.02, 0.03)
    shape = {
        t: k.weekday_shape(t, OFFSET_H, [(8.3, 1.0, 0.7), (13.0, 1.6, 0.55), (17.8, 1.2, 0.85)], 0.12)
        for t in mins
    }
    rpm = {t: 2600 * shape[t] * noise() for t in mins}
    write_share = 0.11  # unlock, lock, end-trip, reserve
    five = {
        t: (rpm[t] * write_share * (0.97 if phase(t) != "before" else 0) + rpm[t] * 0.0002 * rng.random())
        for t in mins
    }
    # while the old primary is down, reads on that endpoint fail too
    for t in mins:
        if phase(t) == "down":
            five[t] = rpm[t] * rng.uniform(0.85, 0.95)

    m = k.Metrics(grid)
    albtg = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    m.add("AWS/ApplicationELB", "RequestCount", albtg, "Count", lambda t: rpm[t], integer=True)
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": lb_dim},
        "Count",
        lambda t: rpm[t] * 1.02,
        integer=True,
    )
    f5 = m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        albtg,
        "Count",
        lambda t: five[t],
        integer=True,
        omit_zero=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        albtg,
        "Count",
        lambda t: rpm[t] * 0.975 - f5.get(t, 0.0),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        albtg,
        "Count",
        lambda t: rpm[t] * 0.02 * rng.uniform(0.7, 1.3),
        integer=True,
        omit_zero=True,
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", albtg, "Count", lambda t: 6.0)
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", albtg, "Count", lambda t: 0.0)
    m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        "Seconds",
        lambda t: (rpm[t] - five[t], 0.018 * (1 + 0.2 * shape[t])),
        rng,
        extra=lambda t: (five[t], 2.0 if phase(t) == "down" else 0.006) if five[t] >= 1 else None,
    )
    ecs_d = {"ClusterName": cluster, "ServiceName": svc}
    m.add("AWS/ECS", "CPUUtilization", ecs_d, "Percent", lambda t: 7 + 22 * shape[t] + rng.gauss(0, 1))
    m.add("AWS/ECS", "MemoryUtilization", ecs_d, "Percent", lambda t: 21 + 3 * shape[t] + rng.gauss(0, 0.4))

    tele = {t: 9000 * (0.5 + 0.5 * shape[t]) * rng.uniform(0.95, 1.05) / 60 for t in mins}  # batches a minute

    # ElastiCache node metrics
    for node in (n1, n2):
        nd = {"CacheClusterId": node, "CacheNodeId": "0001"}

        def is_primary(t: datetime, node: str = node) -> bool:
            return (node == n1) == (t < onset)

        def up(t: datetime, node: str = node) -> bool:
            return not (node == n1 and phase(t) == "down")

        def app_on(t: datetime, node: str = node) -> bool:
            # the trips API talks to node 001's own endpoint, whatever its role
            return node == n1 and up(t)

        def sets(t: datetime, node: str = node) -> float | None:
            if not up(t):
                return None
            # the primary's writes, and the same stream replicated to the replica
            v = tele[t] * 25.0  # telemetry writer's HSETs
            if t < onset:
                v += rpm[t] * write_share * 2.1  # trips API lock SETs
            return v * rng.uniform(0.97, 1.03)

        def gets(t: datetime, node: str = node) -> float | None:
            if not up(t):
                return None
            v = rpm[t] * 1.6 if app_on(t) else 0.0
            if is_primary(t):
                v += tele[t] * 2
            return v * rng.uniform(0.95, 1.05) + rng.randrange(3)

        m.add("AWS/ElastiCache", "SetTypeCmds", nd, "Count", sets, integer=True)
        m.add("AWS/ElastiCache", "GetTypeCmds", nd, "Count", gets, integer=True)

        def is_master(t: datetime, node: str = node) -> float | None:
            return (1.0 if is_primary(t, node) else 0.0) if up(t, node) else None

        def conns(t: datetime, node: str = node) -> float | None:
            if not up(t, node):
                return None
            return (
                (6 * 12 if app_on(t, node) else 0) + (24 if is_primary(t, node) else 0) + 6 + rng.randrange(3)
            )

        def engine_cpu(t: datetime, node: str = node) -> float | None:
            if not up(t, node):
                return None
            base = 4 + 9 * shape[t] if is_primary(t, node) else 1.5 + 2 * shape[t]
            return base + rng.gauss(0, 0.4)

        def host_cpu(t: datetime, node: str = node) -> float | None:
            return 2.2 + 1.5 * shape[t] + rng.gauss(0, 0.2) if up(t, node) else None

        def mem(t: datetime, node: str = node) -> float | None:
            return 31 + 2 * shape[t] + rng.gauss(0, 0.1) if up(t, node) else None

        def lag(t: datetime, node: str = node) -> float | None:
            if not up(t, node) or is_primary(t, node):
                return None
            return 0.0 if rng.random() < 0.8 else 1.0

        m.add("AWS/ElastiCache", "IsMaster", nd, "Count", is_master)
        m.add("AWS/ElastiCache", "CurrConnections", nd, "Count", conns, integer=True)
        m.add("AWS/ElastiCache", "EngineCPUUtilization", nd, "Percent", engine_cpu)
        m.add("AWS/ElastiCache", "CPUUtilization", nd, "Percent", host_cpu)
        m.add("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", nd, "Percent", mem)
        m.add("AWS/ElastiCache", "ReplicationLag", nd, "Seconds", lag)

    ld = {"FunctionName": tele_fn}
    m.add("AWS/Lambda", "Invocations", ld, "Count", lambda t: tele[t], integer=True)
    m.add(
        "AWS/Lambda",
        "Errors",
        ld,
        "Count",
        lambda t: tele[t] * 0.6 if onset <= t < promoted.replace(second=0) + timedelta(minutes=1) else 0.0,
        integer=True,
    )
    m.dist("AWS/Lambda", "Duration", ld, "Milliseconds", lambda t: (tele[t], 38.0), rng)
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": q_name},
        "Seconds",
        lambda t: rng.randrange(0, 3) + (40 if onset <= t < onset + timedelta(minutes=3) else 0),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "NumberOfMessagesSent",
        {"QueueName": q_name},
        "Count",
        lambda t: tele[t] * 10,
        integer=True,
    )
    trips = {"TableName": "kerbside-trips"}
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        trips,
        "Count",
        lambda t: rpm[t] * write_share * 2 * (0.05 if phase(t) != "before" else 1.0),
        digits=1,
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        trips,
        "Count",
        lambda t: rpm[t] * 0.4 * (0.1 if phase(t) == "down" else 1.0),
        digits=1,
    )

    # ---- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{acct}:kerbside-platform-alerts"
    long_ago = start - timedelta(days=160)
    alarms, history = [], []
    specs = [
        (
            k.AlarmSpec(
                "kerbside-trips-api-5xx-rate",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                albtg,
                "Sum",
                300,
                1,
                1,
                400.0,
                "GreaterThanThreshold",
                description="trips API 5xx > 400 in 5 minutes",
                treat_missing="notBreaching",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(f5, 5, "Sum"),
        ),
        (
            k.AlarmSpec(
                "kerbside-locks-engine-cpu",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                {"CacheClusterId": n1, "CacheNodeId": "0001"},
                "Average",
                300,
                3,
                3,
                75.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(
                m.series[
                    (
                        "AWS/ElastiCache",
                        "EngineCPUUtilization",
                        json.dumps({"CacheClusterId": n1, "CacheNodeId": "0001"}, sort_keys=True),
                    )
                ],
                5,
                "Average",
            ),
        ),
        (
            k.AlarmSpec(
                "kerbside-locks-memory",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                {"CacheClusterId": n2, "CacheNodeId": "0001"},
                "Maximum",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(
                m.series[
                    (
                        "AWS/ElastiCache",
                        "DatabaseMemoryUsagePercentage",
                        json.dumps({"CacheClusterId": n2, "CacheNodeId": "0001"}, sort_keys=True),
                    )
                ],
                5,
                "Maximum",
            ),
        ),
        (
            k.AlarmSpec(
                "kerbside-telemetry-writer-errors",
                "AWS/Lambda",
                "Errors",
                ld,
                "Sum",
                300,
                2,
                2,
                50.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=long_ago,
            ),
            k.aggregate(m.series[("AWS/Lambda", "Errors", json.dumps(ld, sort_keys=True))], 5, "Sum"),
        ),
    ]
    # the 5xx alarm's actions were disabled during a load test last month and never re-enabled
    for spec, pts in specs:
        al, ah, _ = k.evaluate(spec, pts, region, acct, now, rng)
        if spec.name == "kerbside-trips-api-5xx-rate":
            al["ActionsEnabled"] = False
        alarms.append(al)
        history += ah

    # ---- CloudTrail -------------------------------------------------------------------------------
    ops = k.sso_user(
        rng,
        acct,
        region,
        "PlatformEngineer",
        k.pick(rng, ["aoife.byrne", "ciaran.walsh", "niamh.kelly"]) + "@kerbside.ie",
    )
    dev = k.sso_user(
        rng,
        acct,
        region,
        "Developer",
        k.pick(rng, ["tomas.novak", "eva.lindqvist", "sean.doyle"]) + "@kerbside.ie",
    )
    ro = k.sso_user(rng, acct, region, "ReadOnly", k.pick(rng, ["mark.hughes", "orla.ryan"]) + "@kerbside.ie")
    ci = k.role_session(
        rng,
        acct,
        "kerbside-github-deploy",
        "GitHubActions",
        "aws-cli/2.15.38 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
    )
    reads: list[tuple[str, str, k.Json | None]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListServices", {"cluster": cluster}),
        ("elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": rg}),
        ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "kerbside-trips"}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "kerbside-"}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": tele_fn}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {"logGroupName": f"/ecs/{svc}", "orderBy": "LastEventTime", "descending": True},
        ),
    ]
    trail = k.routine_reads(rng, [ro, dev, ops], reads, region, start, now, 28)
    trail.append(
        k.ct(
            rng,
            ops,
            onset - timedelta(minutes=rng.randrange(14, 26), seconds=rng.randrange(60)),
            "elasticache.amazonaws.com",
            "AddTagsToResource",
            region,
            {
                "resourceName": f"arn:aws:elasticache:{region}:{acct}:replicationgroup:{rg}",
                "tags": [
                    {"key": "cost-centre", "value": "mobility-core"},
                    {"key": "data-classification", "value": "internal"},
                ],
            },
            {
                "tagList": [
                    {"key": "service", "value": "kerbside"},
                    {"key": "cost-centre", "value": "mobility-core"},
                    {"key": "data-classification", "value": "internal"},
                ]
            },
        )
    )
    pricing_rev = rng.randrange(40, 90)
    dep_t = onset - timedelta(minutes=rng.randrange(5, 12), seconds=rng.randrange(60))
    trail.append(
        k.ct(
            rng,
            ci,
            dep_t,
            "ecs.amazonaws.com",
            "UpdateService",
            region,
            {
                "cluster": cluster,
                "service": "kerbside-pricing",
                "taskDefinition": f"kerbside-pricing:{pricing_rev}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": "kerbside-pricing",
                    "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/kerbside-pricing:{pricing_rev}",
                    "desiredCount": 3,
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dev,
            onset + timedelta(minutes=rng.randrange(4, 15)),
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            region,
            {"functionName": "kerbside-receipt-mailer", "memorySize": 512},
            {"functionName": "kerbside-receipt-mailer", "memorySize": 512, "lastUpdateStatus": "InProgress"},
        )
    )
    trail.append(
        k.ct(
            rng,
            ops,
            start + timedelta(hours=1, minutes=rng.randrange(50)),
            "ssm.amazonaws.com",
            "PutParameter",
            region,
            {"name": "/kerbside/prod/pricing/surge-cap", "type": "String", "overwrite": True},
            {"version": rng.randrange(4, 30), "tier": "Standard"},
        )
    )
    trail.append(
        k.ct(
            rng,
            ops,
            onset + timedelta(minutes=30, seconds=rng.randrange(600)),
            "elasticache.amazonaws.com",
            "DescribeEvents",
            region,
            {"sourceType": "replication-group", "duration": 120},
            None,
            read_only=True,
        )
    )
    trail = k.sort_trail(trail)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[k.Json] = []
    group = f"/ecs/{svc}"
    task_ips = [k.ip_in(rng, f"10.30.{20 + i % 3}") for i in range(6)]
    n1_ip = k.ip_in(rng, "10.30.40")
    routes_r = [
        "GET /v2/vehicles/nearby",
        "GET /v2/vehicles/{id}",
        "GET /v2/trips/{id}",
        "GET /v2/members/me",
    ]
    routes_w = [
        "POST /v2/vehicles/{id}/unlock",
        "POST /v2/trips/{id}/end",
        "POST /v2/vehicles/{id}/lock",
        "POST /v2/reservations",
    ]
    for t in mins:
        for _ in range(2 if phase(t) == "before" else 3):
            if rng.random() > 0.6:
                continue
            i = rng.randrange(6)
            stream = f"ecs/{svc}/{tasks[i]}"
            ts = t + timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
            tstr = k.iso_ms(ts)[:23] + "Z"
            ph = phase(t)
            write = rng.random() < 0.35
            route = k.pick(rng, routes_w if write else routes_r)
            vid = f"veh_{k.alnum(rng, 10, upper=False)}"
            if ph == "down":
                msg = {
                    "time": tstr,
                    "level": "ERROR",
                    "msg": "redis command failed",
                    "cmd": "SET" if write else "GET",
                    "key": f"lock:{vid}",
                    "err": k.pick(
                        rng,
                        [
                            f"dial tcp {n1_ip}:6379: i/o timeout",
                            f"dial tcp {n1_ip}:6379: connect: connection refused",
                            "context deadline exceeded",
                        ],
                    ),
                    "route": route,
                }
                logs.append(k.log(group, stream, ts, json.dumps(msg)))
                logs.append(
                    k.log(
                        group,
                        stream,
                        ts + timedelta(milliseconds=2),
                        json.dumps(
                            {
                                "time": tstr,
                                "level": "INFO",
                                "msg": "request",
                                "route": route,
                                "status": 500,
                                "dur_ms": rng.randrange(1900, 2100),
                            }
                        ),
                    )
                )
            elif ph == "after" and write:
                msg = {
                    "time": tstr,
                    "level": "ERROR",
                    "msg": "acquire vehicle lock",
                    "vehicle": vid,
                    "err": "READONLY You can't write against a read only replica.",
                    "route": route,
                }
                logs.append(k.log(group, stream, ts, json.dumps(msg)))
                logs.append(
                    k.log(
                        group,
                        stream,
                        ts + timedelta(milliseconds=1),
                        json.dumps(
                            {
                                "time": tstr,
                                "level": "INFO",
                                "msg": "request",
                                "route": route,
                                "status": 500,
                                "dur_ms": rng.randrange(3, 9),
                            }
                        ),
                    )
                )
            else:
                logs.append(
                    k.log(
                        group,
                        stream,
                        ts,
                        json.dumps(
                            {
                                "time": tstr,
                                "level": "INFO",
                                "msg": "request",
                                "route": route,
                                "status": 200 if not write or rng.random() > 0.03 else 409,
                                "dur_ms": rng.randrange(6, 60),
                            }
                        ),
                    )
                )
                if rng.random() < 0.004:
                    logs.append(
                        k.log(
                            group,
                            stream,
                            ts,
                            json.dumps(
                                {
                                    "time": tstr,
                                    "level": "WARN",
                                    "msg": "telematics ack slow",
                                    "vehicle": vid,
                                    "provider": "invers",
                                    "dur_ms": rng.randrange(2500, 4800),
                                }
                            ),
                        )
                    )
    for task in tasks:
        ts = recovered + timedelta(seconds=rng.randrange(5, 40))
        logs.append(
            k.log(
                group,
                f"ecs/{svc}/{task}",
                ts,
                json.dumps(
                    {
                        "time": k.iso_ms(ts)[:23] + "Z",
                        "level": "INFO",
                        "msg": "redis pool reconnected",
                        "addr": f"{node_ep[n1]}:6379",
                        "conns": 12,
                    }
                ),
            )
        )
    lg = f"/aws/lambda/{tele_fn}"
    st = k.lambda_stream(rng, start)
    for t in mins:
        if rng.random() > 0.2:
            continue
        ts = t + timedelta(seconds=rng.randrange(58))
        req = k.uuid(rng)
        bad = onset <= t < promoted.replace(second=0) + timedelta(minutes=1) and rng.random() < 0.6
        d = rng.uniform(25, 60) if not bad else rng.uniform(900, 1500)
        s_, e_, rep = k.lambda_report(rng, req, d, 256, rng.randrange(70, 82))
        logs.append(k.log(lg, st, ts, s_))
        if bad:
            logs.append(
                k.log(
                    lg,
                    st,
                    ts + timedelta(milliseconds=d - 2),
                    f"{k.iso_ms(ts)[:23]}Z\t{req}\tERROR\tInvoke Error \t"
                    + json.dumps(
                        {
                            "errorType": "Error",
                            "errorMessage": "Connection is closed.",
                            "stack": [
                                "Error: Connection is closed.",
                                "    at close (/var/task/node_modules/ioredis/built/redis/event_handler.js:189:25)",
                            ],
                        }
                    ),
                )
            )
        else:
            logs.append(
                k.log(
                    lg,
                    st,
                    ts + timedelta(milliseconds=d * 0.9),
                    f"{k.iso_ms(ts)[:23]}Z\t{req}\tINFO\t"
                    + json.dumps({"msg": "positions written", "count": 10, "redis": primary_ep}),
                )
            )
        logs.append(k.log(lg, st, ts + timedelta(milliseconds=d + 1), e_))
        logs.append(k.log(lg, st, ts + timedelta(milliseconds=d + 2), rep))
    logs = k.sort_logs(logs)

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=610)
    resources: list[k.Json] = [
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"kerbside-prod-alb-{rng.randrange(10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": "kerbside-prod-alb",
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": f"{region}{z}", "SubnetId": s} for z, s in zip("abc", subnets, strict=True)
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        ),
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "kerbside-trips-api",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        ),
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 14,
                "pendingTasksCount": 0,
                "activeServicesCount": 4,
                "capacityProviders": ["FARGATE"],
            },
        ),
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}",
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "api", "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": 6,
                "runningCount": 6,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{svc}:{td_rev}",
                "deployments": [
                    {
                        "id": "ecs-svc/" + "".join(str(rng.randrange(10)) for _ in range(19)),
                        "status": "PRIMARY",
                        "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{svc}:{td_rev}",
                        "desiredCount": 6,
                        "pendingCount": 0,
                        "runningCount": 6,
                        "failedTasks": 0,
                        "createdAt": k.iso(start - timedelta(days=4, hours=2)),
                        "updatedAt": k.iso(start - timedelta(days=4, hours=1, minutes=50)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                    }
                ],
                "createdAt": k.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
            },
        ),
        k.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{acct}:task-definition/{svc}:{td_rev}",
                "family": svc,
                "revision": td_rev,
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "registeredAt": k.iso(start - timedelta(days=4, hours=2)),
                "containerDefinitions": [
                    {
                        "name": "api",
                        "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/kerbside-trips-api:v3.{td_rev}.1",
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                        "environment": [
                            {"name": "APP_ENV", "value": "production"},
                            {"name": "REDIS_ADDR", "value": f"{node_ep[n1]}:6379"},
                            {"name": "REDIS_POOL_SIZE", "value": "12"},
                            {"name": "TRIPS_TABLE", "value": "kerbside-trips"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": group,
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
            },
        ),
        k.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": rg,
                "Description": "vehicle locks and live positions",
                "Status": "available",
                "MemberClusters": [n1, n2],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                        "ReaderEndpoint": {"Address": reader_ep, "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": n1,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {"Address": node_ep[n1], "Port": 6379},
                                "PreferredAvailabilityZone": f"{region}a",
                                "CurrentRole": "replica",
                            },
                            {
                                "CacheClusterId": n2,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {"Address": node_ep[n2], "Port": 6379},
                                "PreferredAvailabilityZone": f"{region}b",
                                "CurrentRole": "primary",
                            },
                        ],
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "03:00-04:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r7g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{region}:{acct}:replicationgroup:{rg}",
                "ReplicationGroupCreateTime": k.iso(created),
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        ),
    ]
    for node, az in [(n1, "a"), (n2, "b")]:
        resources.append(
            k.res(
                "elasticache",
                "CacheCluster",
                {
                    "CacheClusterId": node,
                    "CacheNodeType": "cache.r7g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": f"{region}{az}",
                    "CacheClusterCreateTime": k.iso(created),
                    "PreferredMaintenanceWindow": "sun:02:00-sun:03:00",
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": "default.redis7",
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "kerbside-cache-private",
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": k.iso(recovered if node == n1 else created),
                            "Endpoint": {"Address": node_ep[node], "Port": 6379},
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": f"{region}{az}",
                        }
                    ],
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_cache, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 1 if node == n2 else 0,
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": False,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{acct}:cluster:{node}",
                    "NetworkType": "ipv4",
                },
            )
        )
    resources += [
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": tele_fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{tele_fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{tele_fn}-role",
                "Handler": "index.handler",
                "CodeSize": 884321,
                "Timeout": 10,
                "MemorySize": 256,
                "LastModified": (start - timedelta(days=21)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": subnets, "SecurityGroupIds": [sg_app], "VpcId": vpc},
                "Environment": {"Variables": {"REDIS_URL": f"redis://{primary_ep}:6379"}},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{q_name}",
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{region}:{acct}:{q_name}",
                    "VisibilityTimeout": "60",
                    "MessageRetentionPeriod": "86400",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "kerbside"},
            },
        ),
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": "kerbside-trips",
                "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/kerbside-trips",
                "TableId": k.uuid(rng),
                "TableStatus": "ACTIVE",
                "KeySchema": [{"AttributeName": "tripId", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "tripId", "AttributeType": "S"}],
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "TableSizeBytes": rng.randrange(10**9, 10**10),
                "ItemCount": rng.randrange(10**6, 10**7),
            },
        ),
    ]

    # ---- events -----------------------------------------------------------------------------------
    events: list[k.Json] = []

    def ec(t: datetime, ident: str, typ: str, msg: str) -> None:
        events.append(
            {
                "source": "elasticache",
                "item": {"SourceIdentifier": ident, "SourceType": typ, "Message": msg, "Date": k.iso(t)},
            }
        )

    ec(
        d0 - timedelta(days=2) + timedelta(hours=3, minutes=rng.randrange(8, 40)),
        n2,
        "cache-cluster",
        "Automatic backup completed for cache cluster " + n2,
    )
    ec(
        d0 - timedelta(days=1) + timedelta(hours=3, minutes=rng.randrange(8, 40)),
        n2,
        "cache-cluster",
        "Automatic backup completed for cache cluster " + n2,
    )
    ec(
        d0 - timedelta(days=0) + timedelta(hours=3, minutes=rng.randrange(8, 40)),
        n2,
        "cache-cluster",
        "Automatic backup completed for cache cluster " + n2,
    )
    ec(promoted, n2, "cache-cluster", f"Failover from primary node {n1} to replica node {n2} completed")
    ec(promoted + timedelta(seconds=2), rg, "replication-group", f"Failover to replica node {n2} completed")
    ec(promoted + timedelta(seconds=40), n1, "cache-cluster", "Recovering cache nodes 0001")
    ec(recovered, n1, "cache-cluster", "Finished recovery for cache nodes 0001")
    for t in [start + timedelta(hours=h) for h in range(0, 6, 2)]:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {
                        "id": k.uuid(rng),
                        "createdAt": k.iso(t + timedelta(minutes=rng.randrange(60))),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            }
        )
    for ip in task_ips:
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {
                        "Id": ip,
                        "Port": 8080,
                        "AvailabilityZone": f"{region}{k.pick(rng, list('abc'))}",
                    },
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(start),
                },
            }
        )

    local = onset + timedelta(hours=OFFSET_H)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"Support says since about {local.strftime('%-I')}:{local.minute - local.minute % 5:02d}{'am' if local.hour < 12 else 'pm'} customers can't unlock cars or "
                    "end trips ('vehicle busy, try again'), but browsing and the map work. Nothing was deployed to "
                    "the trips API today. Can you find out why?"
                ),
                "alarm_event": None,
                "timezone": "Europe/Dublin",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": n1,
                    "category": "component_failure",
                    "failure_mode": "cache-primary-node-failure-stale-node-endpoint",
                },
                "also_accept": [node_ep[n1], f"arn:aws:elasticache:{region}:{acct}:cluster:{n1}", rg],
                "actions": ["reconfigure", "restart"],
                "chain": [
                    f"primary node {n1} of {rg} failed; Multi-AZ promoted {n2}",
                    f"{n1} was recovered and rejoined as a replica",
                    f"{svc} is configured with {n1}'s node endpoint (REDIS_ADDR), not the primary endpoint",
                    "every lock write (SET) gets READONLY; unlock, lock, end-trip and reservations return 500",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
