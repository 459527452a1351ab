"""kilnworks storefront: target 5xx in the afternoon while the web fleet itself looks healthy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zm as k

NAME = "kilnworks-web-5xx-afternoon"
TITLE = "kilnworks-web target 5xx alarm mid-afternoon; customers can't log in or add to basket"
SUMMARY = (
    "A morning edit of the sessions Redis parameter group switched maxmemory-policy to noeviction; at the "
    "afternoon peak the cache reached maxmemory and refused writes, so logins and basket adds returned 500."
)

ZONE = ZoneInfo("Europe/London")
REGION = "eu-west-2"


def _smooth(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def _after(up: datetime, fn: Callable[[datetime], float]) -> Callable[[datetime, int], float | None]:
    return lambda t, p: fn(t) if t >= up else None


def _scaled(values: dict[datetime, float], factor: float) -> Callable[[datetime, int], float | None]:
    return lambda t, p: values[t] * factor if t in values else None


def build(seed: int) -> Bundle:
    tel = k.Telemetry(NAME, seed, REGION)
    rng, ids = tel.rng, tel.ids
    day = k.pick_day(rng)
    local_midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    onset = (local_midnight + timedelta(hours=15, minutes=rng.randrange(0, 30))).astimezone(k.UTC)
    onset = onset.replace(second=rng.randrange(5, 55))
    change_at = (
        local_midnight + timedelta(hours=9, minutes=rng.randrange(25, 70), seconds=rng.randrange(60))
    ).astimezone(k.UTC)
    now = k.floor_min(onset) + timedelta(minutes=rng.randrange(38, 52))
    start = k.floor_min((local_midnight - timedelta(hours=15)).astimezone(k.UTC), 5)
    fine_from = k.floor_min(onset - timedelta(minutes=70), 5)
    times = list(k.grid(start, now, fine_from))
    offset = (onset.astimezone(ZONE).utcoffset() or timedelta(0)).total_seconds() / 3600

    def local_h(t: datetime) -> float:
        lt = t.astimezone(ZONE)
        return lt.hour + lt.minute / 60

    def traffic(t: datetime) -> float:
        return k.diurnal(t, offset, peak_h=20.5, low=0.08, width=3.5)

    rpm_peak = rng.randrange(2600, 4200)

    # --- the memory model: sessions and baskets accumulate through the day and expire overnight ----
    onset_h = local_h(onset)
    floor_pct = rng.uniform(49, 55)
    grow_today = (99.4 - floor_pct) / _smooth((onset_h - 5.0) / 14.0)
    grow_yday = grow_today * rng.uniform(1.0, 1.05)

    def uncapped(t: datetime) -> float:
        h = local_h(t)
        g = grow_today if t.astimezone(ZONE).date() == onset.astimezone(ZONE).date() else grow_yday
        if 5 <= h <= 21:
            return floor_pct + g * _smooth((h - 5) / 14.0)
        top = floor_pct + g * _smooth(16 / 14.0)
        since = (h - 21) % 24
        return top - (top - floor_pct) * min(1.0, since / 8.0)

    def capped(t: datetime) -> bool:
        return uncapped(t) >= 99.3

    def mem(t: datetime, p: int) -> float:
        u = uncapped(t)
        if u >= 99.3:
            if t >= change_at:
                return min(100.0, 99.55 + rng.random() * 0.45)
            return 99.1 + rng.random() * 0.35
        return u + rng.gauss(0, 0.25)

    def evictions(t: datetime, p: int) -> float:
        if t >= change_at or not capped(t):
            return 0.0
        return float(k.poisson(rng, 9.0 * traffic(t) * p))

    oom = lambda t: t >= onset  # noqa: E731

    # --- names and ids ---------------------------------------------------------------------------------
    vpc = ids.vpc()
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    priv = [ids.subnet() for _ in azs]
    pub = [ids.subnet() for _ in azs]
    data = [ids.subnet() for _ in azs]
    sg_alb, sg_web, sg_redis, sg_db, sg_worker = (ids.sg() for _ in range(5))
    web_ami, worker_ami = ids.ami(), ids.ami()
    lt_web, lt_worker = ids.lt(), ids.lt()
    web_type = rng.choice(["m7g.large", "c7g.xlarge", "m6g.large"])
    n_web = rng.randrange(5, 8)
    web = [(ids.instance(), azs[i % 3], ids.ip(16 + i % 3, rng.randrange(0, 15))) for i in range(n_web)]
    workers_old = [(ids.instance(), azs[i % 2], ids.ip(16 + i % 2, rng.randrange(0, 15))) for i in range(2)]
    workers_new = [(ids.instance(), azs[i % 2], ids.ip(16 + i % 2, rng.randrange(0, 15))) for i in range(2)]
    rg = "kilnworks-sessions"
    nodes = [f"{rg}-001", f"{rg}-002"]
    pgroup = "kilnworks-redis7-sessions"
    db_id = "kilnworks-orders-prod"
    topic = f"arn:aws:sns:{REGION}:{tel.account}:kilnworks-oncall"
    kms = f"arn:aws:kms:{REGION}:{tel.account}:key/{ids.uuid()}"

    # --- resources ---------------------------------------------------------------------------------------
    tel.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": "10.16.0.0/16",
            "DhcpOptionsId": "dopt-0" + ids.hex(16),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": tel.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "kilnworks-prod"}],
        },
    )
    for i, az in enumerate(azs):
        k.subnet_item(
            tel,
            priv[i],
            vpc,
            az,
            f"10.16.{16 + i}.0/20",
            f"kilnworks-prod-app-{az[-1]}",
            4000 + rng.randrange(60),
        )
        k.subnet_item(
            tel,
            data[i],
            vpc,
            az,
            f"10.16.{96 + i * 16}.0/24",
            f"kilnworks-prod-data-{az[-1]}",
            240 + rng.randrange(10),
        )
    k.security_group(
        tel,
        sg_alb,
        "kilnworks-web-alb",
        "public ALB for www.kilnworks.co.uk",
        vpc,
        [k.sg_rule(443, cidr="0.0.0.0/0"), k.sg_rule(80, cidr="0.0.0.0/0")],
    )
    k.security_group(
        tel,
        sg_web,
        "kilnworks-web",
        "kilnworks-web instances",
        vpc,
        [k.sg_rule(3000, group=sg_alb, desc="from ALB")],
    )
    k.security_group(tel, sg_worker, "kilnworks-worker", "kilnworks-worker instances", vpc, [])
    k.security_group(
        tel,
        sg_redis,
        "kilnworks-sessions-redis",
        "sessions redis",
        vpc,
        [k.sg_rule(6379, group=sg_web, desc="web"), k.sg_rule(6379, group=sg_worker, desc="worker")],
    )
    db_rules = [k.sg_rule(5432, group=sg_web, desc="web"), k.sg_rule(5432, group=sg_worker, desc="worker")]
    k.security_group(tel, sg_db, "kilnworks-orders-db", "orders postgres", vpc, db_rules)

    alb_created = start - timedelta(days=rng.randrange(300, 700))
    lb_arn, lb_dim = k.load_balancer(
        tel,
        "kilnworks-web-prod",
        vpc=vpc,
        subnets=list(zip(pub, azs, strict=True)),
        sg=sg_alb,
        created=alb_created,
    )
    tg_arn, tg_dim = k.target_group(
        tel, "kilnworks-web-prod-3000", vpc=vpc, port=3000, lb_arn=lb_arn, path="/healthz"
    )

    web_launch = start - timedelta(days=rng.randrange(2, 6), hours=rng.randrange(24))
    for iid, az, ip in web:
        root = ids.vol()
        k.ec2_instance(
            tel, iid=iid, itype=web_type, ami=web_ami, az=az, subnet=priv[azs.index(az)], vpc=vpc, ip=ip,
            sgs=[(sg_web, "kilnworks-web")], launched=web_launch + timedelta(seconds=rng.randrange(90)),
            profile="kilnworks-web-prod", volumes=[("/dev/xvda", root)],
            tags={"Name": "kilnworks-web-prod", "aws:autoscaling:groupName": "kilnworks-web-prod", "service": "kilnworks-web", "env": "prod", "aws:ec2launchtemplate:id": lt_web, "aws:ec2launchtemplate:version": "41"},
        )  # fmt: skip
        k.instance_status(tel, iid, az)
    worker_refresh = onset - timedelta(minutes=rng.randrange(18, 27), seconds=rng.randrange(60))
    for iid, az, ip in workers_new:
        root = ids.vol()
        k.ec2_instance(
            tel, iid=iid, itype="m7g.medium", ami=worker_ami, az=az, subnet=priv[azs.index(az)], vpc=vpc, ip=ip,
            sgs=[(sg_worker, "kilnworks-worker")], launched=worker_refresh + timedelta(minutes=1 + 4 * workers_new.index((iid, az, ip))),
            profile="kilnworks-worker-prod", volumes=[("/dev/xvda", root)],
            tags={"Name": "kilnworks-worker-prod", "aws:autoscaling:groupName": "kilnworks-worker-prod", "service": "kilnworks-worker", "env": "prod", "aws:ec2launchtemplate:id": lt_worker, "aws:ec2launchtemplate:version": "19"},
        )  # fmt: skip
        k.instance_status(tel, iid, az)
    k.asg(
        tel, "kilnworks-web-prod", lt_id=lt_web, lt_name="kilnworks-web-prod", lt_version="41", minimum=4, maximum=16,
        instances=[(i, a, web_type) for i, a, _ in web], subnets=priv, tgs=[tg_arn], created=alb_created,
        tags={"service": "kilnworks-web", "env": "prod"},
    )  # fmt: skip
    k.asg(
        tel, "kilnworks-worker-prod", lt_id=lt_worker, lt_name="kilnworks-worker-prod", lt_version="19", minimum=2, maximum=4,
        instances=[(i, a, "m7g.medium") for i, a, _ in workers_new], subnets=priv[:2], tgs=[], created=alb_created,
        tags={"service": "kilnworks-worker", "env": "prod"},
    )  # fmt: skip

    rg_created = start - timedelta(days=rng.randrange(200, 500))
    primary = f"{rg}.{ids.hex(6)}.ng.0001.euw2.cache.amazonaws.com"
    tel.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "kilnworks web sessions and baskets",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": f"master.{rg}.{ids.hex(6)}.euw2.cache.amazonaws.com", "Port": 6379},
                    "ReaderEndpoint": {"Address": f"replica.{rg}.{ids.hex(6)}.euw2.cache.amazonaws.com", "Port": 6379},
                    "NodeGroupMembers": [
                        {"CacheClusterId": nodes[0], "CacheNodeId": "0001", "PreferredAvailabilityZone": azs[0], "CurrentRole": "primary", "ReadEndpoint": {"Address": primary, "Port": 6379}},
                        {"CacheClusterId": nodes[1], "CacheNodeId": "0001", "PreferredAvailabilityZone": azs[1], "CurrentRole": "replica", "ReadEndpoint": {"Address": primary.replace("0001", "0002"), "Port": 6379}},
                    ],
                }
            ],
            "SnapshottingClusterId": nodes[1],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 3,
            "SnapshotWindow": "03:00-04:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r7g.large",
            "AuthTokenEnabled": True,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "KmsKeyId": kms,
            "ARN": f"arn:aws:elasticache:{REGION}:{tel.account}:replicationgroup:{rg}",
            "UserGroupIds": [],
            "LogDeliveryConfigurations": [],
            "ReplicationGroupCreateTime": k.iso(rg_created),
            "DataTiering": "disabled",
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "TransitEncryptionMode": "required",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )  # fmt: skip
    for i, node in enumerate(nodes):
        tel.resource(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": node,
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": "cache.r7g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": azs[i],
                "CacheClusterCreateTime": k.iso(rg_created),
                "PreferredMaintenanceWindow": "sun:04:30-sun:05:30",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": pgroup,
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "kilnworks-prod-data",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 3 if i == 1 else 0,
                "SnapshotWindow": "03:00-04:00",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{REGION}:{tel.account}:cluster:{node}",
                "ReplicationGroupLogDeliveryEnabled": False,
                "LogDeliveryConfigurations": [],
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
            },
        )
    tel.resource(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": pgroup,
            "CacheParameterGroupFamily": "redis7",
            "Description": "kilnworks sessions (redis 7)",
            "IsGlobal": False,
            "ARN": f"arn:aws:elasticache:{REGION}:{tel.account}:parametergroup:{pgroup}",
        },
    )
    params = [
        ("maxmemory-policy", "noeviction", "user", "string", "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction", "Max memory policy."),
        ("reserved-memory-percent", "25", "system", "integer", "0-100", "The percent of memory to reserve for non-cache memory usage. You may want to increase this parameter for nodes with read replicas, AOF enabled, etc, to reduce swap usage."),
        ("timeout", "300", "user", "integer", "0,20-", "Close connection if client is idle for a given number of seconds, or never if 0."),
        ("maxmemory-samples", "5", "system", "integer", "1-", "Max memory samples."),
        ("notify-keyspace-events", "", "system", "string", None, "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled"),
    ]  # fmt: skip
    for pname, value, source, dtype, allowed, desc in params:
        p = {
            "CacheParameterGroupName": pgroup,
            "ParameterName": pname,
            "ParameterValue": value,
            "Description": desc,
            "Source": source,
            "DataType": dtype,
            "IsModifiable": True,
            "MinimumEngineVersion": "7.0.5",
            "ChangeType": "immediate",
        }
        if allowed:
            p["AllowedValues"] = allowed
        tel.resource("elasticache", "CacheParameterGroupParameter", p)
    db_az = azs[rng.randrange(3)]
    k.rds_instance(
        tel, db_id, cls="db.r6g.large", engine="postgres", version="16.4", az=db_az, sgs=[sg_db],
        subnet_group="kilnworks-prod-data", vpc=vpc, subnets=list(zip(data, azs, strict=True)),
        created=start - timedelta(days=600), storage=200, multi_az=True, pg="kilnworks-pg16",
    )  # fmt: skip

    # --- metrics -----------------------------------------------------------------------------------------
    def rpm(t: datetime, p: int) -> float:
        return rpm_peak * traffic(t) * (p / 60)

    req_cache: dict[datetime, float] = {}

    def requests(t: datetime, p: int) -> float:
        v = float(round(k.noisy(rng, rpm(t, p), 0.04)))
        req_cache[t] = v
        return v

    def err5(t: datetime, p: int) -> float | None:
        base = k.poisson(rng, req_cache[t] * 0.00012)
        if oom(t):
            ramp = min(1.0, (t - onset).total_seconds() / 240 + 0.35)
            base += k.poisson(rng, req_cache[t] * rng.uniform(0.07, 0.10) * ramp)
        return float(base) if base else None

    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    ns = "AWS/ApplicationELB"
    tel.add_series(ns, "RequestCount", lbd, "Count", times, requests, stat="Sum", digits=0)
    s5 = tel.add_series(ns, "HTTPCode_Target_5XX_Count", lbd, "Count", times, err5, stat="Sum", digits=0)
    tel.add_series(
        ns,
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: float(k.poisson(rng, req_cache[t] * 0.018)) or None,
        stat="Sum",
        digits=0,
    )
    tel.add_series(
        ns,
        "HTTPCode_Target_2XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: req_cache[t] * (0.86 if oom(t) else 0.975),
        stat="Sum",
        digits=0,
    )
    tel.add_series(
        ns,
        "TargetResponseTime",
        lbd,
        "Seconds",
        times,
        lambda t, p: k.noisy(rng, 0.062 + 0.03 * traffic(t), 0.08),
        digits=4,
    )
    tel.add_series(ns, "HealthyHostCount", tgd, "Count", times, lambda t, p: float(n_web), digits=0)
    tel.add_series(ns, "UnHealthyHostCount", tgd, "Count", times, lambda t, p: 0.0, digits=0)
    tel.add_series(
        ns,
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: 1.0 if rng.random() < 0.01 else None,
        stat="Sum",
        digits=0,
    )

    for iid, _, _ in web:
        tel.add_series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            times,
            lambda t, p: k.noisy(rng, 7 + 38 * traffic(t), 0.07),
            digits=2,
        )
    tel.add_series(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": "kilnworks-web-prod"},
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 7 + 38 * traffic(t), 0.03),
        digits=2,
    )
    for iid, _, _ in workers_old:
        tel.add_series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            times,
            lambda t, p: (
                k.noisy(rng, 18 + 10 * traffic(t), 0.1) if t < worker_refresh + timedelta(minutes=6) else None
            ),
            digits=2,
        )
    for j, (iid, _, _) in enumerate(workers_new):
        up = worker_refresh + timedelta(minutes=2 + 4 * j)
        tel.add_series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            times,
            _after(up, lambda t: k.noisy(rng, 18 + 10 * traffic(t), 0.1)),
            digits=2,
        )

    ec = "AWS/ElastiCache"
    for i, node in enumerate(nodes):
        d = {"CacheClusterId": node, "CacheNodeId": "0001"}
        memser = tel.add_series(ec, "DatabaseMemoryUsagePercentage", d, "Percent", times, mem, digits=3)
        pct = dict(memser.points)
        tel.add_series(
            ec, "BytesUsedForCache", d, "Bytes", times, _scaled(pct, 10.36 * 1024**3 / 100), digits=0
        )
        if i == 0:
            tel.add_series(ec, "Evictions", d, "Count", times, evictions, stat="Sum", digits=0)
            tel.add_series(
                ec,
                "EngineCPUUtilization",
                d,
                "Percent",
                times,
                lambda t, p: k.noisy(rng, 3 + 17 * traffic(t), 0.08),
                digits=2,
            )
            tel.add_series(
                ec,
                "CurrConnections",
                d,
                "Count",
                times,
                lambda t, p: float(n_web * 24 + 8 + rng.randrange(-3, 4)),
                digits=0,
            )
            tel.add_series(
                ec,
                "GetTypeCmds",
                d,
                "Count",
                times,
                lambda t, p: k.noisy(rng, rpm(t, p) * 2.1, 0.05),
                stat="Sum",
                digits=0,
            )
            tel.add_series(
                ec,
                "SetTypeCmds",
                d,
                "Count",
                times,
                lambda t, p: k.noisy(rng, rpm(t, p) * (0.04 if oom(t) else 0.55), 0.06),
                stat="Sum",
                digits=0,
            )
            tel.add_series(
                ec,
                "CurrItems",
                d,
                "Count",
                times,
                lambda t, p: 2.1e6 * min(uncapped(t), 100.0) / 100 * rng.uniform(0.995, 1.005),
                digits=0,
            )
        else:
            tel.add_series(
                ec,
                "ReplicationLag",
                d,
                "Seconds",
                times,
                lambda t, p: round(rng.uniform(0.0, 0.02), 3),
                digits=3,
            )
            tel.add_series(
                ec,
                "EngineCPUUtilization",
                d,
                "Percent",
                times,
                lambda t, p: k.noisy(rng, 2 + 5 * traffic(t), 0.08),
                digits=2,
            )
    rd = {"DBInstanceIdentifier": db_id}
    tel.add_series(
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 6 + 24 * traffic(t), 0.07),
        digits=2,
    )
    tel.add_series(
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        times,
        lambda t, p: float(n_web * 10 + 12 + rng.randrange(-2, 3)),
        digits=0,
    )
    tel.add_series(
        "AWS/RDS", "ReadLatency", rd, "Seconds", times, lambda t, p: k.noisy(rng, 0.0009, 0.15), digits=5
    )
    tel.add_series(
        "AWS/RDS", "WriteLatency", rd, "Seconds", times, lambda t, p: k.noisy(rng, 0.0016, 0.15), digits=5
    )
    tel.add_series(
        "AWS/RDS", "FreeableMemory", rd, "Bytes", times, lambda t, p: k.noisy(rng, 5.6e9, 0.01), digits=0
    )

    # --- alarms ------------------------------------------------------------------------------------------
    created = start - timedelta(days=200)
    main = k.alarm(
        tel, "kilnworks-web-prod-target-5xx", s5, stat="Sum", period=60, evaluations=3, to_alarm=3, threshold=25.0,
        op="GreaterThanOrEqualToThreshold", created=start, now=now, existing=created, missing="notBreaching",
        description="kilnworks-web: targets returning 5xx (sum/min >= 25 for 3 min). Runbook: wiki/kilnworks/runbooks/web-5xx",
        actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "kilnworks-web-prod-unhealthy-hosts", tel.find(ns, "UnHealthyHostCount", tgd), stat="Maximum", period=60,
        evaluations=2, to_alarm=2, threshold=1.0, op="GreaterThanOrEqualToThreshold", created=start, now=now, existing=created,
        description="kilnworks-web: unhealthy targets in kilnworks-web-prod-3000", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "kilnworks-orders-prod-cpu-high", tel.find("AWS/RDS", "CPUUtilization", rd), stat="Average", period=300,
        evaluations=3, to_alarm=3, threshold=80.0, op="GreaterThanThreshold", created=start, now=now, existing=created,
        description="orders postgres CPU > 80% for 15 min", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "kilnworks-sessions-engine-cpu", tel.find(ec, "EngineCPUUtilization", {"CacheClusterId": nodes[0], "CacheNodeId": "0001"}),
        stat="Average", period=300, evaluations=3, to_alarm=3, threshold=75.0, op="GreaterThanThreshold", created=start,
        now=now, existing=created, description="sessions redis engine CPU > 75%", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "kilnworks-web-prod-p95-latency", tel.find(ns, "TargetResponseTime", lbd), stat="Average", period=60,
        evaluations=5, to_alarm=4, threshold=0.8, op="GreaterThanThreshold", created=start, now=now, existing=created,
        description="kilnworks-web: average target response time above 800 ms", actions=[topic],
    )  # fmt: skip

    # --- events ------------------------------------------------------------------------------------------
    for iid, az, _ in web:
        k.healthy(tel, tg_arn, iid, 3000, az, web_launch + timedelta(minutes=2))
    for d_ago in (1, 0):
        snap_t = (
            local_midnight - timedelta(days=d_ago) + timedelta(hours=3, minutes=rng.randrange(5, 40))
        ).astimezone(k.UTC)
        if start <= snap_t <= now:
            stamp = snap_t.strftime("%Y-%m-%d-%H-%M")
            tel.event(
                "elasticache",
                {
                    "SourceIdentifier": nodes[1],
                    "SourceType": "cache-cluster",
                    "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{rg}-{stamp}' of replication group with ID '{rg}'",
                    "Date": k.iso(snap_t),
                },
            )
    for j, ((old, oaz, _), (new, naz, _)) in enumerate(zip(workers_old, workers_new, strict=True)):
        t0 = worker_refresh + timedelta(seconds=20 + 240 * j)
        act_term = {
            "ActivityId": ids.uuid(),
            "AutoScalingGroupName": "kilnworks-worker-prod",
            "Description": f"Terminating EC2 instance: {old}",
            "Cause": f"At {k.iso(t0)} an instance was taken out of service in response to an instance refresh.  At {k.iso(t0)} instance {old} was selected for termination.",
            "StartTime": k.iso(t0),
            "EndTime": k.iso(t0 + timedelta(seconds=rng.randrange(70, 140))),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": json.dumps(
                {
                    "Subnet ID": priv[azs.index(oaz)],
                    "Availability Zone": oaz,
                    "InvokingAlias": "instance-refresh",
                }
            ),
            "AutoScalingGroupARN": "",
        }
        act_launch = {
            "ActivityId": ids.uuid(),
            "AutoScalingGroupName": "kilnworks-worker-prod",
            "Description": f"Launching a new EC2 instance: {new}",
            "Cause": f"At {k.iso(t0 + timedelta(seconds=40))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2.",
            "StartTime": k.iso(t0 + timedelta(seconds=42)),
            "EndTime": k.iso(t0 + timedelta(seconds=42 + rng.randrange(30, 60))),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": json.dumps({"Subnet ID": priv[azs.index(naz)], "Availability Zone": naz}),
        }
        tel.event("autoscaling", act_term)
        tel.event("autoscaling", act_launch)
    for ev in tel.events:
        if ev["source"] == "autoscaling":
            ev["item"].pop("AutoScalingGroupARN", None)

    # --- logs --------------------------------------------------------------------------------------------
    group = "/kilnworks/web/app"
    log_from = fine_from - timedelta(minutes=110)
    paths = [
        "/",
        "/c/glazes",
        "/c/clay",
        "/p/stoneware-clay-12-5kg",
        "/p/celadon-glaze-500ml",
        "/api/stock",
        "/search?q=kiln+shelf",
        "/basket",
    ]
    t = log_from
    while t < now:
        iid, _, ip = web[rng.randrange(n_web)]
        host = f"ip-{ip.replace('.', '-')}"
        path = rng.choice(paths)
        ms = max(4, int(rng.gauss(55, 20)))
        line = {
            "level": 30,
            "time": k.epoch_ms(t),
            "pid": 2800 + n_web,
            "hostname": host,
            "req": {"id": f"req-{ids.hex(6)}", "method": "GET", "url": path},
            "res": {"statusCode": 200},
            "responseTime": ms,
            "msg": "request completed",
        }
        tel.log(group, f"{iid}/app.log", t, json.dumps(line, separators=(",", ":")))
        if rng.random() < 0.03:
            warn = {
                "level": 40,
                "time": k.epoch_ms(t),
                "pid": 2800 + n_web,
                "hostname": host,
                "provider": "parcelroute",
                "elapsedMs": rng.randrange(2100, 4800),
                "msg": "shipping quote slow, using cached rates",
            }
            tel.log(
                group,
                f"{iid}/app.log",
                t + timedelta(milliseconds=3),
                json.dumps(warn, separators=(",", ":")),
            )
        if rng.random() < 0.01:
            warn = {
                "level": 40,
                "time": k.epoch_ms(t),
                "pid": 2800 + n_web,
                "hostname": host,
                "msg": "csrf token mismatch",
                "req": {"method": "POST", "url": "/account/newsletter"},
            }
            tel.log(
                group,
                f"{iid}/app.log",
                t + timedelta(milliseconds=5),
                json.dumps(warn, separators=(",", ":")),
            )
        t += timedelta(seconds=rng.uniform(6, 14))
    t = onset
    failing = [
        ("POST", "/basket/items", "hset", "basket:"),
        ("POST", "/account/login", "set", "sess:"),
        ("GET", "/", "set", "sess:"),
        ("POST", "/checkout/start", "hset", "basket:"),
        ("GET", "/p/celadon-glaze-500ml", "set", "sess:"),
    ]
    while t < now:
        iid, _, ip = web[rng.randrange(n_web)]
        host = f"ip-{ip.replace('.', '-')}"
        method, url, cmd, prefix = rng.choice(failing)
        rid = f"req-{ids.hex(6)}"
        err = {
            "level": 50,
            "time": k.epoch_ms(t),
            "pid": 2800 + n_web,
            "hostname": host,
            "req": {"id": rid, "method": method, "url": url},
            "err": {
                "type": "ReplyError",
                "message": "OOM command not allowed when used memory > 'maxmemory'.",
                "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n    at parseError (/srv/kilnworks-web/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/srv/kilnworks-web/node_modules/redis-parser/lib/parser.js:302:14)",
                "command": {"name": cmd, "args": [prefix + ids.hex(24)]},
            },
            "msg": "unhandled error",
        }
        tel.log(group, f"{iid}/app.log", t, json.dumps(err, separators=(",", ":")))
        done = {
            "level": 50,
            "time": k.epoch_ms(t) + 2,
            "pid": 2800 + n_web,
            "hostname": host,
            "req": {"id": rid, "method": method, "url": url},
            "res": {"statusCode": 500},
            "responseTime": rng.randrange(3, 12),
            "msg": "request errored",
        }
        tel.log(
            group, f"{iid}/app.log", t + timedelta(milliseconds=2), json.dumps(done, separators=(",", ":"))
        )
        t += timedelta(seconds=rng.uniform(1.5, 4.5))
    wgroup = "/kilnworks/worker/app"
    t = log_from
    while t < now:
        live = [w for w in workers_old if t < worker_refresh + timedelta(minutes=2)] or workers_new
        iid = live[rng.randrange(len(live))][0]
        job = rng.choice(["stock-sync", "abandoned-basket-email", "feed-export", "order-confirmation"])
        tel.log(
            wgroup,
            f"{iid}/worker.log",
            t,
            json.dumps(
                {
                    "level": 30,
                    "time": k.epoch_ms(t),
                    "job": job,
                    "id": ids.hex(10),
                    "durationMs": rng.randrange(40, 900),
                    "msg": "job complete",
                },
                separators=(",", ":"),
            ),
        )
        t += timedelta(seconds=rng.uniform(20, 60))

    # --- CloudTrail ----------------------------------------------------------------------------------------
    alice = k.sso_user(
        tel,
        "nadia.okafor@kilnworks.co.uk",
        "PlatformEngineer",
        f"86.{rng.randrange(128, 180)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    bob = k.sso_user(
        tel,
        "tom.haverley@kilnworks.co.uk",
        "DataAnalyst",
        f"81.{rng.randrange(96, 120)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    carl = k.cli_user(
        tel,
        "priya.raman@kilnworks.co.uk",
        "PlatformEngineer",
        f"92.{rng.randrange(0, 40)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    ci = k.role_session(
        tel,
        "kilnworks-gha-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        f"20.{rng.randrange(26, 90)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-js/3.654.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/auto-scaling#3.654.0",
    )
    dd = k.role_session(
        tel,
        "DatadogIntegrationRole",
        ids.hex(32),
        f"3.{rng.randrange(200, 240)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
    )
    asg_svc = k.service_linked(
        tel, "autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScaling"
    )
    ec2 = "ec2.amazonaws.com"
    k.routine_reads(
        tel,
        [
            (
                dd,
                [
                    ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
                    (ec2, "DescribeInstances", {"maxResults": 1000, "instancesSet": {}, "filterSet": {}}),
                    ("rds.amazonaws.com", "DescribeDBInstances", None),
                    ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
                ],
            ),
            (
                alice,
                [
                    (
                        ec2,
                        "DescribeInstances",
                        {
                            "instancesSet": {},
                            "filterSet": {
                                "items": [
                                    {
                                        "name": "tag:service",
                                        "valueSet": {"items": [{"value": "kilnworks-web"}]},
                                    }
                                ]
                            },
                        },
                    ),
                    (
                        "autoscaling.amazonaws.com",
                        "DescribeAutoScalingGroups",
                        {"autoScalingGroupNames": ["kilnworks-web-prod"]},
                    ),
                ],
            ),
            (
                bob,
                [
                    ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
                    ("cloudwatch.amazonaws.com", "GetMetricData", None),
                ],
            ),
        ],
        start,
        now,
        24,
    )
    # a morning visit to the cache console and the parameter edit
    t_look = change_at - timedelta(minutes=rng.randrange(6, 14))
    k.trail(
        tel,
        t_look,
        alice,
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        {"replicationGroupId": rg},
        read_only=True,
    )
    k.trail(
        tel,
        t_look + timedelta(seconds=40),
        alice,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pgroup, "source": "user"},
        read_only=True,
    )
    k.trail(
        tel,
        change_at - timedelta(seconds=35),
        alice,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pgroup},
        read_only=True,
    )
    culprit = k.trail(
        tel, change_at, alice, "elasticache.amazonaws.com", "ModifyCacheParameterGroup",
        {"cacheParameterGroupName": pgroup, "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}]},
        {"cacheParameterGroupName": pgroup},
    )  # fmt: skip
    k.trail(
        tel,
        change_at + timedelta(seconds=50),
        alice,
        "elasticache.amazonaws.com",
        "DescribeCacheClusters",
        {"cacheClusterId": nodes[0], "showCacheNodeInfo": True},
        read_only=True,
    )
    # earlier routine writes
    k.trail(
        tel,
        start + timedelta(hours=2, minutes=13),
        carl,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/kilnworks/web/feature/free-delivery-threshold", "type": "String", "overwrite": True},
        {"version": 14, "tier": "Standard"},
    )
    k.trail(
        tel,
        start + timedelta(hours=5, minutes=rng.randrange(60)),
        bob,
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        {"dBSnapshotIdentifier": f"orders-adhoc-{day:%Y%m%d}", "dBInstanceIdentifier": db_id},
        {"dBSnapshotIdentifier": f"orders-adhoc-{day:%Y%m%d}", "status": "creating"},
    )
    # the worker release: a new launch-template version and an instance refresh
    lt_t = worker_refresh - timedelta(seconds=rng.randrange(20, 50))
    k.trail(
        tel, lt_t, ci, ec2, "CreateLaunchTemplateVersion",
        {"CreateLaunchTemplateVersionRequest": {"LaunchTemplateId": lt_worker, "SourceVersion": "18", "VersionDescription": f"kilnworks-worker {rng.randrange(300, 340)}.{rng.randrange(10)}", "LaunchTemplateData": {"ImageId": worker_ami}}},
        {"CreateLaunchTemplateVersionResponse": {"launchTemplateVersion": {"launchTemplateId": lt_worker, "launchTemplateName": "kilnworks-worker-prod", "versionNumber": 19, "imageId": worker_ami, "defaultVersion": False}}},
    )  # fmt: skip
    k.trail(
        tel, lt_t + timedelta(seconds=6), ci, "autoscaling.amazonaws.com", "UpdateAutoScalingGroup",
        {"autoScalingGroupName": "kilnworks-worker-prod", "launchTemplate": {"launchTemplateId": lt_worker, "version": "19"}},
    )  # fmt: skip
    k.trail(
        tel, worker_refresh, ci, "autoscaling.amazonaws.com", "StartInstanceRefresh",
        {"autoScalingGroupName": "kilnworks-worker-prod", "preferences": {"minHealthyPercentage": 50, "instanceWarmup": 60}},
        {"instanceRefreshId": ids.uuid()},
    )  # fmt: skip
    for j, (iid, az, _) in enumerate(workers_new):
        k.trail(
            tel, worker_refresh + timedelta(seconds=62 + 240 * j), asg_svc, ec2, "RunInstances",
            {"instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]}, "launchTemplate": {"launchTemplateId": lt_worker, "version": "19"}, "subnetId": priv[azs.index(az)]},
            {"instancesSet": {"items": [{"instanceId": iid, "imageId": worker_ami, "instanceType": "m7g.medium", "placement": {"availabilityZone": az, "tenancy": "default"}}]}},
        )  # fmt: skip
        k.trail(
            tel, worker_refresh + timedelta(seconds=30 + 240 * j), asg_svc, ec2, "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": workers_old[j][0]}]}},
            {"instancesSet": {"items": [{"instanceId": workers_old[j][0], "currentState": {"code": 32, "name": "shutting-down"}, "previousState": {"code": 16, "name": "running"}}]}},
        )  # fmt: skip
    # the analyst opens the orders database to a BI connector
    bi_t = onset - timedelta(minutes=rng.randrange(8, 15), seconds=rng.randrange(60))
    k.trail(
        tel, bi_t, carl, ec2, "AuthorizeSecurityGroupIngress",
        {"groupId": sg_db, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "groups": {}, "ipRanges": {"items": [{"cidrIp": "10.40.8.0/24", "description": "bi-connector vpn"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
        {"requestId": ids.uuid(), "_return": True, "securityGroupRuleSet": {"items": [{"groupOwnerId": tel.account, "groupId": sg_db, "securityGroupRuleId": "sgr-0" + ids.hex(16), "isEgress": False, "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.40.8.0/24", "description": "bi-connector vpn"}]}},
    )  # fmt: skip
    k.trail(
        tel,
        onset + timedelta(minutes=rng.randrange(6, 12)),
        alice,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": ["kilnworks-web-prod"]},
        read_only=True,
    )
    k.trail(
        tel,
        onset + timedelta(minutes=rng.randrange(8, 14)),
        alice,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": tg_arn},
        read_only=True,
    )

    event = k.alarm_event(tel, main)
    q_time = onset.astimezone(ZONE)
    question = (
        f"kilnworks-web 5xx alarm just fired. Support says since about {q_time:%-I:%M}pm people can't log in or add things "
        "to their basket, but browsing the shop works. All the web hosts look healthy. What is going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": tel.account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pgroup,
                    "category": "change",
                    "failure_mode": "cache-eviction-policy-noeviction",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [
                    rg,
                    nodes[0],
                    f"arn:aws:elasticache:{REGION}:{tel.account}:parametergroup:{pgroup}",
                ],
                "actions": ["rollback"],
                "chain": [
                    f"{pgroup}: maxmemory-policy changed to noeviction in the morning",
                    f"{rg} stops evicting; at the afternoon peak it reaches maxmemory and refuses writes (OOM)",
                    "kilnworks-web session and basket writes fail, requests return 500",
                    "kilnworks-web-prod ALB target 5XX alarm",
                ],
            },
        }
    )
    return Bundle(manifest, tel.records(now))
