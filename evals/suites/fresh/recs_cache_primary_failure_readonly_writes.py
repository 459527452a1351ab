"""The recommendations Redis primary node fails; Multi-AZ promotes the replica, but recs-api's pooled
connections come back to the recovered old node, now a replica, and every write is refused READONLY."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzb import Fn, Shop, World, iso, local

NAME = "recs-cache-primary-failure-readonly-writes"
TITLE = (
    "Recently-viewed and click feedback not updating in recommendations; recs-api 5xx alarm in the afternoon"
)
SUMMARY = (
    "The ElastiCache primary node failed and was replaced by its replica; recs-api reconnected to the old "
    "node's address, now a replica, so its cache writes fail with READONLY until its pods are restarted."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME, onset_hour=(12, 16))
    r = w.rng
    shop = Shop(w)
    shop.cache_group(primary=1)  # as it stands at `now`: the replica was promoted
    onset = w.onset
    old, new = shop.cache_nodes
    promoted = onset + timedelta(seconds=r.randint(50, 110))
    back = onset + timedelta(minutes=r.randint(6, 11))
    rg = shop.cache

    # --- ElastiCache events --------------------------------------------------------------------------
    def ev(t: datetime, src: str, kind: str, msg: str) -> None:
        w.events.append(
            {
                "source": "elasticache",
                "item": {"SourceIdentifier": src, "SourceType": kind, "Message": msg, "Date": iso(t)},
            }
        )

    ev(
        onset + timedelta(seconds=r.randint(25, 45)),
        rg,
        "replication-group",
        f"Failover from primary node {old} to replica node {new} started",
    )
    ev(promoted, rg, "replication-group", f"Failover from primary node {old} to replica node {new} completed")
    ev(promoted + timedelta(seconds=r.randint(10, 40)), old, "cache-cluster", "Recovering cache nodes 0001")
    ev(back, old, "cache-cluster", "Finished recovery for cache nodes 0001")
    ev(
        back + timedelta(seconds=r.randint(20, 60)),
        rg,
        "replication-group",
        f"Cache node 0001 in cluster {old} is now a replica of {new}",
    )

    # --- CloudTrail: a recs-api deploy and an ingress change shortly before (innocent) ------------------
    t_push = onset - timedelta(minutes=r.randint(25, 45))
    who = w.who_role("github-actions-ecr-push", f"GitHubActions-{r.randint(7000000000, 9999999999)}", t_push)
    tag = f"v2.{r.randint(10, 30)}.{r.randint(0, 9)}"
    dock = "docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64"
    w.ct(
        t_push,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        who,
        {"registryIds": [w.account]},
        None,
        read_only=True,
        agent=dock,
    )
    w.ct(
        t_push + timedelta(seconds=50),
        "ecr.amazonaws.com",
        "PutImage",
        who,
        {
            "repositoryName": "search/recs-api",
            "imageTag": tag,
            "registryId": w.account,
            "imageManifest": '{"schemaVersion":2}',
        },
        {
            "image": {
                "registryId": w.account,
                "repositoryName": "search/recs-api",
                "imageId": {"imageDigest": "sha256:" + w.hx("", 64), "imageTag": tag},
            }
        },
        agent=dock,
    )
    t = onset - timedelta(minutes=r.randint(8, 20))
    lbc = w.who_role(f"AmazonEKSLoadBalancerControllerRole-{w.cluster}", "1715000000000000000", t)
    lagent = "elbv2.k8s.aws/v2.8.1 aws-sdk-go/1.54.6 (go1.22.5; linux; amd64)"
    listener = shop.lb["LoadBalancerArn"].replace(":loadbalancer/", ":listener/") + "/" + w.hx("", 16)
    rule = listener.replace(":listener/", ":listener-rule/") + "/" + w.hx("", 16)
    w.ct(
        t,
        "elasticloadbalancing.amazonaws.com",
        "ModifyRule",
        lbc,
        {
            "ruleArn": rule,
            "conditions": [
                {"field": "path-pattern", "pathPatternConfig": {"values": ["/v1/recs/*", "/v1/events"]}}
            ],
            "actions": [
                {
                    "type": "forward",
                    "forwardConfig": {"targetGroups": [{"targetGroupArn": shop.tg_recs["TargetGroupArn"]}]},
                }
            ],
        },
        {"rules": [{"ruleArn": rule, "priority": "3", "isDefault": False}]},
        agent=lagent,
        src_ip=w.ip(1),
    )
    eng = r.choice(["kofi.mensah", "ines.garcia", "ben.schulz"])
    t = w.start + timedelta(minutes=r.randint(30, 90))
    w.ct(
        t,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        w.who_sso(eng, t),
        {
            "cacheParameterGroupName": f"{rg}-redis7",
            "parameterNameValues": [{"parameterName": "slowlog-log-slower-than", "parameterValue": "5000"}],
        },
        {"cacheParameterGroupName": f"{rg}-redis7"},
    )
    t = onset + timedelta(minutes=r.randint(14, 22))
    w.ct(
        t,
        "elasticache.amazonaws.com",
        "DescribeEvents",
        w.who_sso(eng, t),
        {"sourceIdentifier": rg, "sourceType": "replication-group", "duration": 60},
        None,
        read_only=True,
    )
    w.noise_trail([("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True})])

    # --- logs -------------------------------------------------------------------------------------------
    pods = [(f"recs-api-{w.hx('', 10)}-{w.hx('', 5)}", shop.nodes[i]["PrivateDnsName"]) for i in range(4)]
    host = f"master.{rg}.{w.hx('', 6)}.ng.0001.cache.amazonaws.com"
    old_ip = w.ip(0)
    t = w.start
    while t < w.now:
        for pod, node in pods:
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            stamp = f"{ts:%Y-%m-%d %H:%M:%S}.{ts.microsecond // 1000:03d}"
            thr = f"reactor-http-epoll-{r.randint(1, 8)}"
            if onset <= t < promoted:
                w.pod_log(
                    pod,
                    "recs",
                    "recs-api",
                    node,
                    ts,
                    f"{stamp} ERROR 1 --- [{thr}] c.s.recs.cache.FeatureCache : redis GET failed: io.lettuce.core.RedisCommandTimeoutException: Command timed out after 500 millisecond(s)",
                    "stderr",
                )
            elif promoted <= t < back:
                if r.random() < 0.7:
                    w.pod_log(
                        pod,
                        "recs",
                        "recs-api",
                        node,
                        ts,
                        f"{stamp} WARN 1 --- [ioEventLoop-4-{r.randint(1, 4)}] i.l.core.protocol.ConnectionWatchdog   : Cannot reconnect to [{host}/{old_ip}:6379]: Connection refused: {host}/{old_ip}:6379",
                        "stderr",
                    )
            elif t >= back:
                if t < back + timedelta(minutes=1):
                    w.pod_log(
                        pod,
                        "recs",
                        "recs-api",
                        node,
                        ts,
                        f"{stamp} INFO 1 --- [ioEventLoop-4-{r.randint(1, 4)}] i.l.core.protocol.ReconnectionHandler  : Reconnected to {host}/{old_ip}:6379",
                    )
                for _ in range(r.randint(2, 4)):
                    ts2 = ts + timedelta(seconds=r.randint(0, 50))
                    stamp2 = f"{ts2:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d}"
                    w.pod_log(
                        pod,
                        "recs",
                        "recs-api",
                        node,
                        ts2,
                        f"{stamp2} ERROR 1 --- [{thr}] c.s.recs.events.FeedbackHandler : POST /v1/events failed: io.lettuce.core.RedisCommandExecutionException: READONLY You can't write against a read only replica.",
                        "stderr",
                    )
            if r.random() < 0.2:
                w.pod_log(
                    pod,
                    "recs",
                    "recs-api",
                    node,
                    ts,
                    f"{stamp} INFO 1 --- [{thr}] c.s.recs.api.RecsController   : GET /v1/recs/home 200 {r.randint(18, 60)}ms",
                )
        t += timedelta(minutes=1)

    # --- metrics --------------------------------------------------------------------------------------
    def down(t: datetime) -> bool:
        return onset <= t < back

    def phase(t: datetime) -> str:
        if t < onset:
            return "before"
        if t < promoted:
            return "failing"
        if t < back:
            return "promoted"
        return "stale"

    writes_share = 0.22

    def rec5xx(t: datetime) -> float:
        p = phase(t)
        base = float(r.choice([0, 0, 0, 1]))
        if p == "failing":
            return base + shop.traffic(t) * 0.4 * r.uniform(0.8, 1.1)
        if p == "promoted":
            return base + shop.traffic(t) * 0.25 * r.uniform(0.8, 1.1)
        if p == "stale":
            return base + shop.traffic(t) * writes_share * r.uniform(0.9, 1.1)
        return base

    def conn(node: str) -> Fn:
        def f(t: datetime) -> float | None:
            p = phase(t)
            if node == old:
                if down(t):
                    return None
                return float(4 * 20 + 8 + r.randint(-2, 2))
            if p == "stale":
                return float(12 + r.randint(-1, 2))
            return float(8 + r.randint(-1, 1))

        return f

    def is_master(node: str) -> Fn:
        def f(t: datetime) -> float | None:
            if node == old:
                if down(t):
                    return None
                return 1.0 if t < onset else 0.0
            return 1.0 if t >= promoted else 0.0

        return f

    def gone(v: Fn) -> Fn:
        return lambda t: None if down(t) else v(t)

    ov: dict[str, Fn] = {
        "recs.5xx": rec5xx,
        "recs.latency": lambda t: w.noisy(0.06 if phase(t) in ("before", "stale") else 0.48, 0.12),
        "ec.p.conns": conn(old),
        "ec.r.conns": conn(new),
        "ec.p.cpu": gone(lambda t: w.noisy(w.diurnal(t, 6, 24) * (1.0 if t < onset else 0.8), 0.12)),
        "ec.r.cpu": lambda t: w.noisy(w.diurnal(t, 6, 24) * 0.35, 0.12),
        "ec.p.hits": gone(lambda t: w.noisy(shop.traffic(t) * (5.2 if t < onset else 4.6), 0.08)),
        "ec.r.hits": lambda t: w.noisy(shop.traffic(t) * 0.04, 0.3) if t >= promoted else 0.0,
        "ec.p.misses": gone(lambda t: w.noisy(shop.traffic(t) * (0.6 if t < onset else 1.1), 0.1)),
        "ec.r.misses": lambda t: w.noisy(shop.traffic(t) * 0.01, 0.3) if t >= promoted else 0.0,
        "ec.p.mem": gone(lambda t: 61.0 + r.uniform(-0.3, 0.3)),
        "ec.p.evictions": gone(lambda t: 0.0),
        "ec.r.lag": lambda t: round(r.uniform(0.0, 0.02), 3) if t < onset else None,
    }
    shop.standard_metrics(ov)
    ec = "AWS/ElastiCache"
    d_old = {"CacheClusterId": old, "CacheNodeId": "0001"}
    d_new = {"CacheClusterId": new, "CacheNodeId": "0001"}
    w.series(ec, "IsMaster", d_old, "Count", is_master(old))
    w.series(ec, "IsMaster", d_new, "Count", is_master(new))
    w.series(
        ec, "ReplicationLag", d_old, "Seconds", lambda t: round(r.uniform(0, 0.03), 3) if t >= back else None
    )
    w.series(
        ec,
        "SetTypeCmds",
        d_old,
        "Count",
        gone(lambda t: w.noisy(shop.traffic(t) * writes_share * 3, 0.1) if t < onset else 0.0),
    )
    w.series(ec, "SetTypeCmds", d_new, "Count", lambda t: float(r.randint(0, 3)) if t >= promoted else 0.0)
    w.series(ec, "GetTypeCmds", d_old, "Count", gone(lambda t: w.noisy(shop.traffic(t) * 5.8, 0.08)))
    w.series(ec, "GetTypeCmds", d_new, "Count", lambda t: float(r.randint(0, 20)) if t >= promoted else 0.0)

    # --- alarms -----------------------------------------------------------------------------------------
    d_recs = {"TargetGroup": shop.tg_recs_dim, "LoadBalancer": shop.lb_dim}
    page = w.alarm(
        "recs-api-5xx-high",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        d_recs,
        "Sum",
        60,
        5,
        50.0,
        "GreaterThanThreshold",
        "recs-api target 5xx above 50/min for 3 of 5 minutes",
        datapoints=3,
        missing="notBreaching",
    )
    w.alarm(
        "recs-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        d_recs,
        "Average",
        60,
        5,
        0.5,
        "GreaterThanThreshold",
        "recs-api average response time above 500 ms",
        datapoints=3,
    )
    w.alarm(
        f"{rg}-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        d_new,
        "Average",
        300,
        2,
        75.0,
        "GreaterThanThreshold",
        "Redis engine CPU on the primary",
    )
    w.alarm(
        f"{shop.domain}-jvm-pressure",
        "AWS/ES",
        "JVMMemoryPressure",
        shop.os_dims,
        "Maximum",
        60,
        1,
        65.0,
        "GreaterThanThreshold",
        "OpenSearch JVM memory pressure",
        actions=False,
    )
    w.alarm(
        "search-api-5xx-high",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": shop.tg_search_dim, "LoadBalancer": shop.lb_dim},
        "Sum",
        60,
        5,
        50.0,
        "GreaterThanThreshold",
        "search-api target 5xx above 50/min",
        datapoints=3,
        missing="notBreaching",
    )

    question = (
        f"Product team says 'recently viewed' and the because-you-clicked rows stopped updating around {local(onset + timedelta(minutes=3), w.tz)}, "
        f"and recs-api 5xx alarm is going. We shipped recs-api {tag} right before that, should I roll it back?"
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(page), "timezone": w.tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": old,
                "category": "component_failure",
                "failure_mode": "cache-primary-node-failure-stale-client-connections",
            },
            "also_accept": [
                rg,
                f"arn:aws:elasticache:{w.region}:{w.account}:cluster:{old}",
                f"arn:aws:elasticache:{w.region}:{w.account}:replicationgroup:{rg}",
            ],
            "actions": ["restart"],
            "chain": [old, rg, "recs-api redis connections", "recs-api", shop.lb["LoadBalancerName"]],
        },
    )
