"""A catalog-api deploy caches a much bigger product document; Redis fills, evicts, and the database takes the misses."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    db_instance,
    ecs_cluster,
    ecs_service,
    iam_role,
    iso,
    log_group,
    network,
    security_group,
    spring_line,
    target_group,
)
from evals.suites.fresh._kit_f import (
    Json,
    assume_roles,
    clock,
    ecs_util,
    people,
    routine_reads,
    sns_topic,
    task_id,
    wave,
)

NAME = "redis-evictions-after-catalog-deploy"
TITLE = "catalog database CPU high, nothing changed on the database"
SUMMARY = (
    "A catalog-api deploy starts caching product documents with embedded reviews and variants, about eight "
    "times larger; the Redis replication group fills to maxmemory, evicts, hit rate falls and the misses "
    "land on the PostgreSQL database, whose CPU alarm fires."
)

GiB = 1024**3


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    c = clock(kit, local_hours=(10, 16), before=timedelta(hours=5), after_min=(45, 60))
    T = c.onset  # the deploy's UpdateService
    rng = kit.rng
    shop = rng.choice(["harbor", "fernleaf", "quayside"])
    api = "catalog-api"
    indexer = "search-indexer"
    rg_id = f"{shop}-catalog-cache"
    nodes = [f"{rg_id}-001", f"{rg_id}-002"]
    db = f"{shop}-catalog-pg"
    cluster = f"{shop}-prod"
    created = c.start - timedelta(days=rng.randint(200, 500))
    who = people(kit, c, rng.choice(["harborgoods.com", "fernleaf.shop", "quayside.store"]))

    net = network(kit, f"{shop}-prod", created)
    alb_sg = security_group(kit, net, f"{api}-alb", "catalog public ALB", 443, None)
    app_sg = security_group(kit, net, f"{shop}-tasks", "ECS tasks", 8080, alb_sg)
    db_sg = security_group(kit, net, f"{db}", "PostgreSQL from tasks", 5432, app_sg)
    cache_sg = security_group(kit, net, f"{rg_id}", "Redis from tasks", 6379, app_sg)
    lb_arn, lb_dim = alb(kit, net, f"{api}-prod", alb_sg, created)
    tg_arn, tg_dim = target_group(kit, net, f"{api}-tg", 8080, lb_arn, "ip", "/health")
    topic = sns_topic(kit, f"{shop}-platform-alerts")
    ecs_cluster(kit, cluster, 8, 2)
    rev_old = rng.randint(210, 380)
    rev = rev_old + 1
    api_arn, api_td = ecs_service(kit, cluster, api, rev, 4, net, app_sg, tg_arn, 8080, T, created)
    ix_deploy = T + timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))
    ix_rev = rng.randint(30, 80)
    ix_arn, ix_td = ecs_service(kit, cluster, indexer, ix_rev, 2, net, app_sg, None, 8080, ix_deploy, created)
    task_role = iam_role(kit, f"{api}-task", created, "ecs-tasks.amazonaws.com")
    db_instance(
        kit,
        db,
        engine="postgres",
        version="16.3",
        klass="db.r6g.xlarge",
        storage_gb=400,
        storage_type="gp3",
        created=created,
        net=net,
        sg=db_sg,
        param_group="catalog-pg16",
    )
    for g in (f"/ecs/{api}", f"/ecs/{indexer}"):
        log_group(kit, g, created, 30)
    log_group(kit, f"/aws/rds/instance/{db}/postgresql", created, 14)

    # ElastiCache: cluster-mode-disabled replication group, one primary and one replica
    node_type = "cache.r6g.large"
    max_bytes = int(13.07 * GiB * 0.75)  # maxmemory after reserved-memory-percent 25
    ep_hex = kit.hex(6)
    azs = [z for _, z in net.subnets]
    arn_rg = kit.arn("elasticache", f"replicationgroup:{rg_id}")
    kit.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg_id,
            "Description": "catalog product/detail cache",
            "GlobalReplicationGroupInfo": {},
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": f"master.{rg_id}.{ep_hex}.{kit.region.replace('-', '')[:6]}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "ReaderEndpoint": {
                        "Address": f"replica.{rg_id}.{ep_hex}.{kit.region.replace('-', '')[:6]}.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n}.{rg_id}.{ep_hex}.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": azs[i],
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i, n in enumerate(nodes)
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "04:00-05:00",
            "ClusterEnabled": False,
            "CacheNodeType": node_type,
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": arn_rg,
            "LogDeliveryConfigurations": [],
            "ReplicationGroupCreateTime": iso(created),
            "DataTiering": "disabled",
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "TransitEncryptionMode": "required",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for i, n in enumerate(nodes):
        kit.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": node_type,
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": azs[i],
                "CacheClusterCreateTime": iso(created),
                "PreferredMaintenanceWindow": "sun:05:30-sun:06:30",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "catalog-redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": f"{shop}-cache-subnets",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": cache_sg, "Status": "active"}],
                "ReplicationGroupId": rg_id,
                "SnapshotRetentionLimit": 1 if i == 1 else 0,
                "SnapshotWindow": "04:00-05:00",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": kit.arn("elasticache", f"cluster:{n}"),
                "ReplicationGroupLogDeliveryEnabled": False,
                "LogDeliveryConfigurations": [],
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
            },
        )
    kit.res(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": "catalog-redis7",
            "CacheParameterGroupFamily": "redis7",
            "Description": "catalog cache",
            "IsGlobal": False,
            "ARN": kit.arn("elasticache", "parametergroup:catalog-redis7"),
        },
    )
    for pname, val, src, desc in (
        ("maxmemory-policy", "volatile-lru", "system", "Max memory policy."),
        (
            "reserved-memory-percent",
            "25",
            "system",
            "The percent of memory to reserve for non-cache memory usage.",
        ),
        ("maxmemory-samples", "5", "system", "Max memory samples."),
    ):
        kit.res(
            "elasticache",
            "CacheParameterGroupParameter",
            {
                "CacheParameterGroupName": "catalog-redis7",
                "ParameterName": pname,
                "ParameterValue": val,
                "Description": desc,
                "Source": src,
                "DataType": "string" if "policy" in pname else "integer",
                "IsModifiable": True,
                "MinimumEngineVersion": "7.0.0",
                "ChangeType": "immediate",
            },
        )

    # --- metrics ------------------------------------------------------------------------------------
    fine_from = T - timedelta(minutes=60)
    peak = rng.randint(2500, 4200)
    base_mem = rng.uniform(0.52, 0.61)
    fill_min = rng.uniform(14, 22)  # minutes from deploy to maxmemory
    ramp = T + timedelta(minutes=3)  # new tasks serving traffic
    full = ramp + timedelta(minutes=fill_min)
    items0 = rng.randint(1_100_000, 1_500_000)

    def phase(t: datetime) -> tuple[float, float, float]:
        """(memory fraction, hit rate, evictions per minute)."""
        if t < ramp:
            return base_mem + rng.uniform(-0.004, 0.004), rng.uniform(0.962, 0.975), 0.0
        if t < full:
            f = (t - ramp).total_seconds() / (full - ramp).total_seconds()
            return base_mem + (0.995 - base_mem) * f, 0.965 - 0.12 * f, 0.0
        mins = (t - full).total_seconds() / 60
        return (
            rng.uniform(0.993, 0.999),
            max(0.58, 0.84 - 0.02 * mins) + rng.uniform(-0.02, 0.02),
            rng.uniform(5200, 9000) * min(1.0, 0.3 + mins / 10),
        )

    for t, step in kit.timeline(c.start, c.now, fine_from):
        w = wave(t, c.utc_offset, 0.35)
        rpm = peak * w * rng.uniform(0.94, 1.06) * step / 60
        mem, hit, ev = phase(t)
        miss_load = (1 - hit) / 0.035  # DB load relative to baseline
        med = 0.018 * (1 + 0.35 * (miss_load - 1))
        tail = 0.16 * (1 + 0.6 * (miss_load - 1))
        e5 = (
            (rng.choice([0, 0, 1]) + (rpm * 0.004 if miss_load > 8 else 0)) * step / 60
            if step == 300
            else rng.choice([0, 0, 1]) + (rpm * 0.003 if miss_load > 8 else 0)
        )
        alb_minute(kit, lb_dim, tg_dim, t, rpm, e5, med, tail, 4)
        ecs_util(kit, cluster, api, t, 25 + 25 * w + (6 if t >= ramp else 0), 55 if t < ramp else 63, 4)
        ecs_util(kit, cluster, indexer, t, 14 + 8 * w, 41, 2)
        gets = rpm * 3.2
        sets = gets * (1 - hit) * 0.98
        for i, n in enumerate(nodes):
            for d in ({"CacheClusterId": n}, {"CacheClusterId": n, "CacheNodeId": "0001"}):
                ns = "AWS/ElastiCache"
                kit.put(ns, "DatabaseMemoryUsagePercentage", d, t, round(100 * mem, 3), "Percent")
                kit.put(ns, "BytesUsedForCache", d, t, float(int(max_bytes * mem)), "Bytes")
                big_share = 0.0 if t < ramp else min(1.0, (t - ramp).total_seconds() / 2400)
                avg_kb = 6.5 * (1 - big_share) + 52 * big_share
                kit.put(
                    ns,
                    "CurrItems",
                    d,
                    t,
                    float(
                        int(max_bytes * mem / (avg_kb * 1024 * 1.25))
                        if t >= ramp
                        else items0 + rng.randint(-9000, 9000)
                    ),
                    "Count",
                )
                kit.put(
                    ns,
                    "EngineCPUUtilization",
                    d,
                    t,
                    kit.noise((9 + 11 * w) * (1.4 if t >= full else 1) if i == 0 else 3 + 2 * w, 0.08),
                    "Percent",
                )
                kit.put(ns, "CPUUtilization", d, t, kit.noise(4 + 4 * w if i == 0 else 2.5, 0.1), "Percent")
                kit.put(
                    ns,
                    "CurrConnections",
                    d,
                    t,
                    float(rng.randint(140, 170) if i == 0 else rng.randint(8, 12)),
                    "Count",
                )
                kit.put(
                    ns,
                    "NetworkBytesOut",
                    d,
                    t,
                    kit.noise(gets * hit * avg_kb * 1024 * (1 if i == 0 else 0.01), 0.05),
                    "Bytes",
                )
                if i == 0:
                    kit.put(ns, "CacheHits", d, t, float(round(gets * hit)), "Count")
                    kit.put(ns, "CacheMisses", d, t, float(round(gets * (1 - hit))), "Count")
                    kit.put(ns, "CacheHitRate", d, t, round(100 * hit, 3), "Percent")
                    kit.put(ns, "GetTypeCmds", d, t, float(round(gets)), "Count")
                    kit.put(ns, "SetTypeCmds", d, t, float(round(sets)), "Count")
                    kit.put(ns, "Evictions", d, t, float(round(ev * step / 60)), "Count")
                    kit.put(ns, "Reclaimed", d, t, float(round(rng.uniform(300, 900) * step / 60)), "Count")
                else:
                    kit.put(
                        ns, "ReplicationLag", d, t, kit.noise(0.012 if t < full else 0.05, 0.3), "Seconds"
                    )
        dd = {"DBInstanceIdentifier": db}
        cpu = min(98.0, (14 + 14 * w) * (1 + 0.26 * (miss_load - 1)))
        kit.put("AWS/RDS", "CPUUtilization", dd, t, kit.noise(cpu, 0.05), "Percent")
        kit.put(
            "AWS/RDS",
            "DatabaseConnections",
            dd,
            t,
            float(round(kit.noise(60 + 20 * w + 6 * (miss_load - 1), 0.05))),
            "Count",
        )
        kit.put(
            "AWS/RDS",
            "ReadIOPS",
            dd,
            t,
            kit.noise((150 + 300 * w) * (1 + 0.5 * (miss_load - 1)), 0.08),
            "Count/Second",
        )
        kit.put("AWS/RDS", "WriteIOPS", dd, t, kit.noise(120 + 90 * w, 0.08), "Count/Second")
        kit.put(
            "AWS/RDS", "ReadLatency", dd, t, kit.noise(0.0008 * (1 + 0.1 * (miss_load - 1)), 0.1), "Seconds"
        )
        kit.put("AWS/RDS", "FreeableMemory", dd, t, float(round(kit.noise(11.5 * GiB, 0.01))), "Bytes")
        kit.put(
            "AWS/RDS",
            "FreeStorageSpace",
            dd,
            t,
            float(round(171 * GiB - (t - c.start).total_seconds() * 3000)),
            "Bytes",
        )

    # --- target health: the deploy replaces all four tasks ----------------------------------------------
    old_ips = [
        f"{net.cidr16}.{16 * (i % 3 + 1) + rng.randint(0, 15)}.{rng.randint(2, 254)}" for i in range(4)
    ]
    new_ips = [
        f"{net.cidr16}.{16 * (i % 3 + 1) + rng.randint(0, 15)}.{rng.randint(2, 254)}" for i in range(4)
    ]
    for i, ip in enumerate(old_ips):
        tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i % 3]}
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(c.start - timedelta(days=2)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": iso(T + timedelta(seconds=150)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
                "timestamp": iso(T + timedelta(seconds=450)),
            },
        )
    for i, ip in enumerate(new_ips):
        tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i % 3]}
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(T + timedelta(seconds=75)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(T + timedelta(seconds=125)),
            },
        )

    # --- ECS events ----------------------------------------------------------------------------------
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    tg_name = f"{api}-tg"
    new_tasks = [task_id(kit) for _ in range(4)]
    old_tasks = [task_id(kit) for _ in range(4)]
    for dt, msg in (
        (20, f"(service {api}) has started 4 tasks: " + " ".join(f"(task {x})" for x in new_tasks) + "."),
        (95, f"(service {api}) registered 4 targets in (target-group {tg_arn})"),
        (150, f"(service {api}) has begun draining connections on 4 tasks."),
        (152, f"(service {api}) deregistered 4 targets in (target-group {tg_arn})"),
        (
            450,
            f"(service {api}) has stopped 4 running tasks: "
            + " ".join(f"(task {x})" for x in old_tasks)
            + ".",
        ),
        (470, f"(service {api}) deployment {dep_id} deployment completed."),
        (480, f"(service {api}) has reached a steady state."),
    ):
        kit.event(
            "ecs",
            {
                "service_arn": api_arn,
                "event": {"id": kit.uuid(), "createdAt": iso(T + timedelta(seconds=dt)), "message": msg},
            },
        )
    _ = tg_name
    for dt, msg in (
        (20, f"(service {indexer}) has started 2 tasks: (task {kit.hex(32)}) (task {kit.hex(32)})."),
        (200, f"(service {indexer}) has stopped 2 running tasks: (task {kit.hex(32)}) (task {kit.hex(32)})."),
        (230, f"(service {indexer}) has reached a steady state."),
    ):
        kit.event(
            "ecs",
            {
                "service_arn": ix_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": iso(ix_deploy + timedelta(seconds=dt)),
                    "message": msg,
                },
            },
        )

    # --- logs ---------------------------------------------------------------------------------------
    lg = f"/ecs/{api}"
    ver_new = f"2.{rev_old % 97}.{rng.randint(10, 19)}"
    for k in range(8):
        is_new = k >= 4
        tid = new_tasks[k - 4] if is_new else old_tasks[k]
        stream = f"ecs/{api}/{tid}"
        t0 = (
            T + timedelta(seconds=40 + rng.uniform(0, 20))
            if is_new
            else c.start + timedelta(seconds=rng.uniform(0, 30))
        )
        t_end = c.now if is_new else T + timedelta(seconds=450)
        if is_new:
            for j, (lvl, logger, msg) in enumerate(
                (
                    (
                        "INFO",
                        "c.h.catalog.CatalogApplication",
                        f"Starting CatalogApplication v{ver_new} using Java 21.0.3 with PID 1",
                    ),
                    (
                        "INFO",
                        "o.s.b.w.embedded.tomcat.TomcatWebServer",
                        "Tomcat initialized with port 8080 (http)",
                    ),
                    (
                        "INFO",
                        "c.h.catalog.cache.ProductDocCache",
                        "product-doc cache: key prefix pd:v2, ttl=6h, includes=[reviews.top50, variants.all, media.all]",
                    ),
                    ("INFO", "io.lettuce.core.EpollProvider", "Starting without optional epoll library"),
                    (
                        "INFO",
                        "c.h.catalog.CatalogApplication",
                        "Started CatalogApplication in 11.84 seconds (process running for 12.6)",
                    ),
                )
            ):
                kit.log(
                    lg,
                    stream,
                    t0 + timedelta(seconds=j * 2.3),
                    spring_line(t0 + timedelta(seconds=j * 2.3), lvl, 1, api, "main", logger, msg),
                )
            t = t0 + timedelta(seconds=15)
        else:
            t = t0
        while t < t_end:
            mem, hit, _ev = phase(t)
            hit_now = rng.random() < hit
            pid = f"{rng.randint(100000, 999999)}"
            if hit_now:
                ms_ = rng.randint(4, 18) if not is_new else rng.randint(6, 30)
                msg = f"GET /v1/products/{pid} 200 {ms_}ms cache=hit"
            else:
                ms_ = int(rng.lognormvariate(4.3, 0.4) * (1 if t < full else 3.5))
                msg = f"GET /v1/products/{pid} 200 {ms_}ms cache=miss"
            kit.log(
                lg,
                stream,
                t,
                spring_line(
                    t,
                    "INFO",
                    1,
                    api,
                    f"http-nio-8080-exec-{rng.randint(1, 60)}",
                    "c.h.catalog.web.AccessLog",
                    msg,
                ),
            )
            if not hit_now and ms_ > 800:
                kit.log(
                    lg,
                    stream,
                    t,
                    spring_line(
                        t,
                        "WARN",
                        1,
                        api,
                        f"http-nio-8080-exec-{rng.randint(1, 60)}",
                        "c.h.catalog.repo.ProductRepository",
                        f"slow query loadProductDocument(id={pid}) took {ms_ - rng.randint(5, 40)} ms",
                    ),
                )
            if t >= full and rng.random() < 0.04:
                kit.log(
                    lg,
                    stream,
                    t,
                    spring_line(
                        t,
                        "WARN",
                        1,
                        api,
                        "HikariPool-1 housekeeper",
                        "com.zaxxer.hikari.pool.HikariPool",
                        f"HikariPool-1 - Pool stats (total=30, active=30, idle=0, waiting={rng.randint(5, 60)})",
                    ),
                )
            t += timedelta(seconds=rng.uniform(30, 60) if t < T - timedelta(minutes=5) else rng.uniform(4, 9))
        if not is_new:
            te = T + timedelta(seconds=152)
            kit.log(
                lg,
                stream,
                te,
                spring_line(
                    te,
                    "INFO",
                    1,
                    api,
                    "SpringApplicationShutdownHook",
                    "o.s.b.w.e.tomcat.GracefulShutdown",
                    "Commencing graceful shutdown. Waiting for active requests to complete",
                ),
            )
            tw = c.start + timedelta(minutes=rng.uniform(5, 200))
            kit.log(
                lg,
                stream,
                tw,
                spring_line(
                    tw,
                    "WARN",
                    1,
                    api,
                    "lettuce-nioEventLoop-4-1",
                    "i.l.core.protocol.ConnectionWatchdog",
                    f"Reconnecting, last destination was master.{rg_id}.{ep_hex}.cache.amazonaws.com/{net.cidr16}.{rng.randint(16, 63)}.{rng.randint(2, 254)}:6379",
                ),
            )
    ig = f"/ecs/{indexer}"
    for _ in range(2):
        st = f"ecs/{indexer}/{task_id(kit)}"
        t = c.start + timedelta(seconds=rng.uniform(0, 60))
        while t < c.now:
            kit.log(
                ig,
                st,
                t,
                spring_line(
                    t,
                    "INFO",
                    1,
                    indexer,
                    "scheduling-1",
                    "c.h.search.IndexSync",
                    f"indexed {rng.randint(20, 900)} product changes into catalog-v7 in {rng.randint(200, 2400)} ms",
                ),
            )
            t += timedelta(seconds=rng.uniform(55, 70))

    # --- CloudTrail ---------------------------------------------------------------------------------
    routine_reads(
        kit,
        c,
        who,
        [
            (who.grafana, "elasticache.amazonaws.com", "DescribeReplicationGroups", None),
            (who.dev, "elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            (who.ci, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api]}),
            (who.ci, "ecs.amazonaws.com", "DescribeTaskDefinition", {"taskDefinition": f"{api}:{rev_old}"}),
        ],
        rng.randint(32, 40),
    )
    assume_roles(kit, c, task_role["Arn"], kit.hex(32), "ecs-tasks.amazonaws.com", 50)
    kit.ct(
        T - timedelta(seconds=rng.randint(30, 50)),
        who.ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": api,
            "taskRoleArn": task_role["Arn"],
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": api,
                    "image": f"{kit.account}.dkr.ecr.{kit.region}.amazonaws.com/{api}:{ver_new}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
        },
        {"taskDefinition": {"taskDefinitionArn": api_td, "family": api, "revision": rev, "status": "ACTIVE"}},
    )
    culprit = kit.ct(
        T,
        who.ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": api, "taskDefinition": api_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": api_arn,
                "serviceName": api,
                "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
                "taskDefinition": api_td,
                "desiredCount": 4,
                "deployments": [
                    {
                        "id": dep_id,
                        "status": "PRIMARY",
                        "taskDefinition": api_td,
                        "rolloutState": "IN_PROGRESS",
                    }
                ],
            }
        },
    )
    kit.ct(
        T - timedelta(minutes=rng.randint(9, 20)),
        who.admin,
        "elasticache.amazonaws.com",
        "AddTagsToResource",
        {"resourceName": arn_rg, "tags": [{"key": "data-classification", "value": "internal"}]},
        {"tagList": [{"key": "data-classification", "value": "internal"}]},
    )
    kit.ct(
        ix_deploy - timedelta(seconds=30),
        who.ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": indexer,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ix_td,
                "family": indexer,
                "revision": ix_rev,
                "status": "ACTIVE",
            }
        },
    )
    kit.ct(
        ix_deploy,
        who.ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": indexer, "taskDefinition": ix_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": ix_arn,
                "serviceName": indexer,
                "taskDefinition": ix_td,
                "desiredCount": 2,
            }
        },
    )
    kit.ct(
        c.start + timedelta(minutes=rng.randint(20, 100)),
        who.tf,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {"dBInstanceIdentifier": db, "backupRetentionPeriod": 14, "applyImmediately": True},
        {"dBInstanceIdentifier": db, "dBInstanceStatus": "available", "backupRetentionPeriod": 14},
    )

    # --- alarms ---------------------------------------------------------------------------------------
    fine_eval = fine_from + timedelta(minutes=6)
    cpu_spec = AlarmSpec(
        f"{db}-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        "Average",
        300,
        3,
        75.0,
        "GreaterThanThreshold",
        description=f"{db} CPU above 75% for 15 minutes",
        actions=[topic],
        ok_actions=[topic],
    )
    trs = kit.alarm(cpu_spec, c.start, c.now)
    for spec in (
        AlarmSpec(
            f"{api}-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Sum",
            300,
            2,
            150.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        AlarmSpec(
            f"{rg_id}-engine-cpu",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            {"CacheClusterId": nodes[0]},
            "Average",
            300,
            3,
            70.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{db}-free-storage",
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": db},
            "Minimum",
            300,
            1,
            20.0 * GiB,
            "LessThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{api}-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Maximum",
            60,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
    ):
        kit.alarm(spec, fine_eval if spec.period == 60 else c.start, c.now)
    trig = next(tr for tr in trs if tr.new == "ALARM")
    event = kit.alarm_event(cpu_spec, trig)
    truth: Json = {
        "no_fault": False,
        "root_cause": {
            "resource": api,
            "category": "change",
            "failure_mode": "cache-value-size-growth-evictions",
            "event_id": culprit["eventID"],
        },
        "also_accept": [api_arn, api_td, f"{api}:{rev}"],
        "actions": ["rollback"],
        "chain": [
            f"{api} deploy (task definition {api}:{rev}) caches product documents with reviews and all variants, ~8x larger",
            f"{rg_id} fills to maxmemory; volatile-lru evictions start and the hit rate falls",
            f"cache misses load product documents from {db}",
            f"{db} CPU above 75%: the alarm fires; catalog latency rises",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(c.start),
            "end": iso(c.now),
            "now": iso(c.now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": truth,
        },
        c.now,
    )
