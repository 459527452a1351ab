"""Event weekend: more players, more session and lobby keys; the sessions Redis reaches maxmemory under a
noeviction policy and starts refusing writes, so players cannot join matches."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzl import Env, Mods, iso, standard_metrics

NAME = "sessions-redis-maxmemory"
TITLE = "Players stuck on 'connecting to session' on the first day of the double-XP weekend"
SUMMARY = "Event traffic filled the sessions Redis to maxmemory with a noeviction policy; session writes are refused with OOM errors."


def build(seed: int) -> Bundle:
    a = Env(seed)
    r = a.rng
    base_n = 12
    extra = r.choice([4, 6, 8])
    a.make_instances(base_n)
    scale_at = a.start + timedelta(minutes=r.randint(50, 70))
    a.make_instances(extra, launched_before=timedelta(0))
    for ins in a.instances[base_n:]:
        ins["launch"] = scale_at + timedelta(seconds=r.randint(20, 90))
        ins["ltv"] = a.lt_version
    peak = r.randint(6500, 8800)
    mem0 = r.uniform(58.0, 66.0)
    full = a.onset
    grp = f"/{a.game}/gameserver"
    node_gb = 13.07

    def mem_at(t: datetime) -> float:
        if t >= full:
            return 100.0
        f = (t - a.start).total_seconds() / (full - a.start).total_seconds()
        return mem0 + (99.6 - mem0) * (f**1.6)

    late = {ins["id"]: ins["launch"] for ins in a.instances[base_n:]}

    def mod(key: str, t: datetime, v: float) -> float | None:
        if key.startswith("cpu:") and key[4:] in late and t < late[key[4:]] + timedelta(minutes=1):
            return None
        boost = 1.0 if t < scale_at else 1.0 + min(1.0, (t - scale_at).total_seconds() / 3600) * 0.35
        if key in ("players", "flows", "newflows"):
            val = v * boost
            if t >= a.onset + timedelta(minutes=2):
                val *= 0.86
            return round(val, 1)
        if key == "healthy":
            return float(base_n if t < scale_at + timedelta(minutes=3) else base_n + extra)
        if key.startswith("redis.mem:"):
            return round(mem_at(t) + (r.uniform(-0.2, 0.0) if t < full else 0.0), 2)
        if key == "redis.misses:0" and t >= a.onset:
            return round(v * 1.8)
        if key == "redis.cpu:0":
            return round(v * boost * (1.25 if t >= a.onset else 1.0), 2)
        return v

    standard_metrics(a, peak, Mods(mod), hosts=base_n + extra)
    for t in a.minutes():
        for _idx, node in enumerate(a.redis_nodes):
            d = {"CacheClusterId": node, "CacheNodeId": "0001"}
            pct = mem_at(t)
            a.metric(
                "AWS/ElastiCache",
                "BytesUsedForCache",
                d,
                t,
                float(int(pct / 100 * node_gb * 1e9 * 0.985)),
                "Bytes",
            )
            a.metric(
                "AWS/ElastiCache",
                "CurrItems",
                d,
                t,
                float(int(pct * 61_000 * r.uniform(0.998, 1.002))),
                "Count",
            )
        if t >= a.onset + timedelta(minutes=1):
            fails = round(peak * a.load(t) * 0.035 * r.uniform(0.7, 1.3))
            a.metric(
                f"{a.game.capitalize()}/GameServer",
                "JoinFailures",
                {"AutoScalingGroupName": a.asg},
                t,
                float(fails),
                "Count",
            )
        elif r.random() < 0.07:
            a.metric(
                f"{a.game.capitalize()}/GameServer",
                "JoinFailures",
                {"AutoScalingGroupName": a.asg},
                t,
                float(r.randint(1, 3)),
                "Count",
            )

    a.add_estate(
        desired=base_n + extra,
        min_size=6,
        max_size=30,
        eviction_policy="noeviction",
        node_type="cache.r6g.large",
    )
    a.res(
        "autoscaling",
        "ScheduledUpdateGroupAction",
        {
            "AutoScalingGroupName": a.asg,
            "ScheduledActionName": "double-xp-weekend-start",
            "ScheduledActionARN": f"arn:aws:autoscaling:{a.region}:{a.account}:scheduledUpdateGroupAction:{a.uuid()}:autoScalingGroupName/{a.asg}:scheduledActionName/double-xp-weekend-start",
            "StartTime": iso(scale_at),
            "Time": iso(scale_at),
            "MinSize": base_n + extra,
            "DesiredCapacity": base_n + extra,
        },
    )
    a.events.append(
        {
            "source": "autoscaling",
            "item": {
                "ActivityId": a.uuid(),
                "AutoScalingGroupName": a.asg,
                "Description": f"Launching {extra} new EC2 instances",
                "Cause": f"At {iso(scale_at)} a scheduled action update of AutoScalingGroup constraints to min: {base_n + extra}, max: 30, desired: {base_n + extra} changing the desired capacity from {base_n} to {base_n + extra}.  At {iso(scale_at)} the scheduled action double-xp-weekend-start executed. Setting min size from 6 to {base_n + extra}.  Setting desired capacity from {base_n} to {base_n + extra}.",
                "StartTime": iso(scale_at),
                "EndTime": iso(scale_at + timedelta(minutes=2)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": f'{{"Subnet ID":"{a.subnets[0]}","Availability Zone":"{a.azs[0]}"}}',
            },
        }
    )
    snap_t = a.start + timedelta(minutes=r.randint(5, 40))
    a.events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": a.redis_nodes[1],
                "SourceType": "cache-cluster",
                "Message": f"Snapshot succeeded for snapshot with ID 'automatic.{a.redis_nodes[1]}-{snap_t:%Y-%m-%d-%H-%M}'",
                "Date": iso(snap_t),
            },
        }
    )

    a.gs_log_hum()
    a.logs = [
        e
        for e in a.logs
        if e["log_stream"].split("/")[0] not in late
        or e["timestamp"]
        > int((late[e["log_stream"].split("/")[0]] + timedelta(minutes=2)).timestamp() * 1000)
    ]
    for ins in a.instances:
        stream = f"{ins['id']}/gameserver.log"
        t = a.onset + timedelta(seconds=r.randint(5, 60))
        if ins["launch"] > t:
            continue
        while t < a.end:
            pid = "p_" + a.hex(12)
            kind = r.random()
            if kind < 0.55:
                msg = f"ERROR session: join player={pid} rejected: create session: SET sess:{pid}: OOM command not allowed when used memory > 'maxmemory'."
            elif kind < 0.85:
                msg = f"ERROR lobby: enqueue ticket for player={pid}: ZADD mm:queue:ranked: OOM command not allowed when used memory > 'maxmemory'."
            else:
                msg = f"WARN  session: refresh sess:{pid} failed (EXPIRE ok, HSET OOM command not allowed when used memory > 'maxmemory'.), player kept on cached session"
            a.log(grp, stream, t, f"{iso(t)[:-1]}.{r.randint(100, 999)}Z {msg}")
            t += timedelta(seconds=r.randint(4, 25))
    for ins in a.instances[base_n:]:
        t = ins["launch"] + timedelta(seconds=r.randint(40, 70))
        a.log(
            grp,
            f"{ins['id']}/gameserver.log",
            t,
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  gameserver {a.build} starting, listening udp/7777 http/8080",
        )
        a.log(
            grp,
            f"{ins['id']}/gameserver.log",
            t + timedelta(seconds=1),
            f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  redis: connected to master.{a.redis} (tls) pool=24",
        )

    a.background_trail(36)
    # the scheduled action itself was created days ago; the ASG's own launches show up today
    for ins in a.instances[base_n:]:
        a.trail(
            ins["launch"] - timedelta(seconds=5),
            "ec2.amazonaws.com",
            "RunInstances",
            a.service_ident("autoscaling.amazonaws.com"),
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": a.lt_id, "version": str(a.lt_version)},
                "subnetId": ins["subnet"],
            },
            {
                "requestId": a.uuid(),
                "reservationId": "r-" + a.hex(17),
                "ownerId": a.account,
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": ins["id"],
                            "imageId": a.ami,
                            "instanceType": ins["type"],
                            "placement": {"availabilityZone": ins["az"]},
                        }
                    ]
                },
            },
        )
    dev = a.sso(1)
    tq = a.onset - timedelta(minutes=r.randint(20, 35))
    a.trail(
        tq,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        dev,
        {
            "tableName": a.table2,
            "globalSecondaryIndexUpdates": [
                {
                    "create": {
                        "indexName": "season-index",
                        "keySchema": [
                            {"attributeName": "season", "keyType": "HASH"},
                            {"attributeName": "sk", "keyType": "RANGE"},
                        ],
                        "projection": {"projectionType": "KEYS_ONLY"},
                    }
                }
            ],
            "attributeDefinitions": [
                {"attributeName": "season", "attributeType": "S"},
                {"attributeName": "sk", "attributeType": "S"},
            ],
        },
        {"tableDescription": {"tableName": a.table2, "tableStatus": "UPDATING"}},
    )
    admin = a.sso(0)
    for k in range(3):
        tt = a.onset + timedelta(minutes=8 + 3 * k, seconds=r.randint(0, 59))
        a.trail(
            tt,
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            admin,
            {"replicationGroupId": a.redis},
            None,
            read_only=True,
            agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        )

    t85 = a.start
    for t in a.minutes():
        if mem_at(t) > 85 and mem_at(t - timedelta(minutes=4)) > 85:
            t85 = t + timedelta(seconds=40)
            break
    a.alarm(
        f"{a.game}-sessions-memory",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": a.redis_nodes[0], "CacheNodeId": "0001"},
        "Maximum",
        "GreaterThanThreshold",
        85,
        5,
        topic="alerts-low",
        description="sessions redis memory high (slack #game-alerts)",
        transitions=[
            (
                t85,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (85.0) (minimum 5 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    jf_t = a.onset + timedelta(minutes=r.randint(5, 7), seconds=r.randint(0, 50))
    jf = a.alarm(
        f"{a.game}-join-failures",
        f"{a.game.capitalize()}/GameServer",
        "JoinFailures",
        {"AutoScalingGroupName": a.asg},
        "Sum",
        "GreaterThanThreshold",
        100,
        3,
        missing="notBreaching",
        description="Players failing to join matches",
        transitions=[
            (
                jf_t,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (100.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    a.alarm(
        f"{a.game}-gs-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"LoadBalancer": a.nlb_dim, "TargetGroup": a.tg_dim},
        "Maximum",
        "GreaterThanThreshold",
        0,
        3,
        description="Game server targets failing NLB health checks",
    )
    a.alarm(
        f"{a.game}-player-state-throttles",
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": a.table, "Operation": "UpdateItem"},
        "Sum",
        "GreaterThanThreshold",
        10,
        3,
        missing="notBreaching",
    )

    local = a.local
    seen = (a.onset + timedelta(minutes=r.randint(3, 9))).astimezone(ZoneInfo(local))
    q = (
        f"Double XP weekend went live today and since about {seen:%H:%M} a lot of players are stuck on 'connecting to session' or get "
        "bounced back to the menu when a match is found. We already scaled the game server fleet up for the event earlier, "
        "do we need more servers?"
    )
    trigger = {
        "question": q,
        "alarm_event": a.alarm_event(jf, jf_t, jf["StateReason"], a.start - timedelta(days=9)),
        "timezone": local,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": a.redis,
            "category": "limit",
            "failure_mode": "redis-maxmemory-noeviction",
        },
        "also_accept": [
            *a.redis_nodes,
            f"arn:aws:elasticache:{a.region}:{a.account}:replicationgroup:{a.redis}",
        ],
        "actions": ["scale"],
        "chain": [a.redis, a.asg, f"{a.game}-join-failures"],
    }
    return a.bundle(TITLE, trigger, truth)
