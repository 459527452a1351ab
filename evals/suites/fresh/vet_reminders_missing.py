"""Appointment reminder texts stop after the job store's only Redis node fails and comes back empty."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zc as k

NAME = "vet-reminders-missing"
TITLE = "Clients not getting appointment reminder texts this afternoon; confirmations still arrive"
SUMMARY = (
    "The single node of the reminders-redis ElastiCache group (BullMQ job store, no replica, no snapshots) "
    "failed and was recovered empty; the delayed reminder jobs it held were lost."
)

TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 9)}{rng.randint(10**10, 10**11 - 1)}"
    region = "eu-west-2"
    day = k.pick_day(rng, (0, 1, 2, 3, 4))
    local_fail = datetime(day.year, day.month, day.day, 12, rng.randint(40, 59), tzinfo=TZ) + timedelta(
        minutes=rng.randint(0, 40), seconds=rng.randint(0, 59)
    )
    fail = local_fail.astimezone(UTC)
    rec_start = fail + timedelta(seconds=rng.randint(50, 110))
    rec_done = fail + timedelta(minutes=rng.randint(9, 13), seconds=rng.randint(0, 59))
    start = k.floor5(fail - timedelta(hours=4, minutes=rng.randint(0, 40)))
    now = k.minute(fail + timedelta(minutes=rng.randint(64, 80)))
    end = now + timedelta(minutes=10)
    fine_from = k.floor5(fail - timedelta(hours=2))
    pts = k.grid(start, now, fine_from)
    utc_off = local_fail.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]

    rg = "reminders-redis"
    cc = f"{rg}-001"
    node = "0001"
    cluster = "pawpoint-prod"
    api = "reminder-api"
    worker = "reminder-worker"
    vpc, subnets = k.vpc_block(rng, account, region, "pawpoint-prod", rng.choice([12, 24, 36]))
    o2 = vpc["CidrBlock"].split(".")[1]
    sg_redis = k.security_group(rng, account, vpc["VpcId"], "reminders-redis", "reminders redis", [])
    sg_app = k.security_group(
        rng, account, vpc["VpcId"], "reminders-app", "reminder api and worker tasks", []
    )
    sg_redis["IpPermissions"] = [
        {
            "IpProtocol": "tcp",
            "FromPort": 6379,
            "ToPort": 6379,
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": sg_app["GroupId"], "UserId": account}],
        }
    ]
    subnet_ids = [s["SubnetId"] for s in subnets]
    redis_host = f"{rg}.{k.alnum(rng, 6, upper=False)}.ng.0001.euw2.cache.amazonaws.com"
    redis_ip = f"10.{o2}.{rng.choice([33, 49, 65])}.{rng.randint(5, 250)}"
    az = subnets[rng.randrange(3)]["AvailabilityZone"]
    created = start - timedelta(days=rng.randint(300, 800))

    def is_down(t: datetime, s: int) -> bool:
        return t + timedelta(seconds=s) > fail and t < rec_done

    def load(t: datetime) -> float:
        return k.diurnal(t, utc_off, peak_hour=13.5, low=0.12)

    # jobs per minute
    conf_pk = rng.uniform(5, 9)
    rem_pk = rng.uniform(9, 15)
    rows: dict[str, dict[datetime, float]] = {n: {} for n in ("conf", "rem", "items", "api5xx", "apireq")}
    items0 = rng.uniform(95_000, 140_000)
    items = items0
    for t, s in pts:
        f = load(t)
        c = conf_pk * f * s / 60 * k.noise(rng, 0.15)
        r = rem_pk * (0.35 + 0.65 * f) * s / 60 * k.noise(rng, 0.12)
        req = (conf_pk * 2.1) * f * s / 60 * k.noise(rng, 0.1)
        if is_down(t, s):
            frac = min(1.0, (min(t + timedelta(seconds=s), rec_done) - max(t, fail)).total_seconds() / s)
            c *= 1 - frac
            r *= 1 - frac
            rows["api5xx"][t] = round(req * frac * rng.uniform(0.9, 1.0))
        elif t >= rec_done:
            r = 0.0 if rng.random() < 0.85 else float(rng.randint(1, 2))
        if t >= rec_done:
            items = min(items + req * 1.1, 4000) if items < 5000 else 40.0
        else:
            items += rng.uniform(-30, 45) * s / 60
        rows["conf"][t] = round(c)
        rows["rem"][t] = round(r)
        rows["items"][t] = items
        rows["apireq"][t] = round(req)

    series = k.Series(rng, pts)
    nd = {"CacheClusterId": cc, "CacheNodeId": node}
    cd = {"CacheClusterId": cc}

    def redis(fn: Any) -> Any:
        def f(t: datetime, s: int) -> float | None:
            if t < rec_done and t + timedelta(seconds=s) > rec_start:
                return None
            return float(fn(t, s))

        return f

    after = lambda t: t >= rec_done  # noqa: E731
    series.add(
        "AWS/ElastiCache",
        "CPUUtilization",
        nd,
        "Percent",
        redis(lambda t, s: rng.uniform(3, 6) + 4 * load(t)),
    )
    series.add(
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        nd,
        "Percent",
        redis(lambda t, s: (rng.uniform(2, 4) + 9 * load(t)) * (0.6 if after(t) else 1)),
    )
    series.add(
        "AWS/ElastiCache", "CurrConnections", nd, "Count", redis(lambda t, s: float(rng.randint(46, 52)))
    )
    series.add(
        "AWS/ElastiCache",
        "NewConnections",
        nd,
        "Count",
        redis(
            lambda t, s: float(
                rng.randint(44, 60) if after(t) and t < rec_done + timedelta(minutes=2) else rng.randint(0, 1)
            )
        ),
    )
    series.add("AWS/ElastiCache", "CurrItems", nd, "Count", redis(lambda t, s: round(rows["items"][t])))
    series.add("AWS/ElastiCache", "CurrItems", cd, "Count", redis(lambda t, s: round(rows["items"][t])))
    series.add(
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        nd,
        "Percent",
        redis(lambda t, s: 0.6 + rows["items"][t] / items0 * rng.uniform(21.5, 22.0)),
    )
    series.add(
        "AWS/ElastiCache",
        "BytesUsedForCache",
        nd,
        "Bytes",
        redis(lambda t, s: 2_300_000 + rows["items"][t] * rng.uniform(2150, 2170)),
    )
    series.add(
        "AWS/ElastiCache",
        "FreeableMemory",
        nd,
        "Bytes",
        redis(lambda t, s: 5_900_000_000 - rows["items"][t] * 2400 + rng.uniform(-3e6, 3e6)),
    )
    series.add(
        "AWS/ElastiCache",
        "EvalBasedCmds",
        nd,
        "Count",
        redis(lambda t, s: round((rows["conf"][t] + rows["rem"][t]) * 14 + 42 * s * k.noise(rng, 0.05))),
    )
    series.add(
        "AWS/ElastiCache",
        "SortedSetBasedCmds",
        nd,
        "Count",
        redis(lambda t, s: round((rows["conf"][t] + rows["rem"][t]) * 9 + 20 * s * k.noise(rng, 0.05))),
    )
    series.add("AWS/ElastiCache", "Evictions", nd, "Count", redis(lambda t, s: 0.0))
    series.add("AWS/ElastiCache", "SwapUsage", nd, "Bytes", redis(lambda t, s: 0.0))
    series.add(
        "AWS/ElastiCache", "NetworkBytesIn", nd, "Bytes", redis(lambda t, s: 55_000 * s * (0.5 + load(t)))
    )
    ed = {"ClusterName": cluster, "ServiceName": worker}
    series.add("AWS/ECS", "CPUUtilization", ed, "Percent", lambda t, s: rng.uniform(3, 5) + 6 * load(t))
    series.add("AWS/ECS", "MemoryUtilization", ed, "Percent", lambda t, s: rng.uniform(27, 30))
    ea = {"ClusterName": cluster, "ServiceName": api}
    series.add("AWS/ECS", "CPUUtilization", ea, "Percent", lambda t, s: rng.uniform(4, 6) + 9 * load(t))
    lb_id, tg_id = k.hexs(rng, 16), k.hexs(rng, 16)
    lbd = f"app/pawpoint-internal/{lb_id}"
    tgd = f"targetgroup/{api}/{tg_id}"
    lbdims = {"LoadBalancer": lbd, "TargetGroup": tgd}
    series.add("AWS/ApplicationELB", "RequestCount", lbdims, "Count", lambda t, s: rows["apireq"][t])
    series.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbdims,
        "Count",
        lambda t, s: rows["api5xx"].get(t) or None,
    )
    series.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbdims,
        "Seconds",
        lambda t, s: rng.uniform(0.018, 0.03) if not is_down(t, s) else rng.uniform(1.8, 2.4),
    )
    md_conf = {"Service": worker, "JobType": "booking-confirmation"}
    md_rem = {"Service": worker, "JobType": "appointment-reminder"}
    series.add("PawPoint/Reminders", "SmsSent", md_conf, "Count", lambda t, s: rows["conf"][t] or None)
    series.add("PawPoint/Reminders", "SmsSent", md_rem, "Count", lambda t, s: rows["rem"][t] or None)

    # --- alarms -------------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{account}:pawpoint-oncall"
    a_api = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="reminder-api-5xx",
        description="reminder-api target 5xx > 5 in 1 minute, 2 of 3",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lbdims,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold=5.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[pager],
        created=created + timedelta(days=30),
    )
    v5 = {t: float(rows["api5xx"].get(t, 0.0)) for t, s in pts if s == 60}
    a_api.evaluate(v5, fine_from, now)
    a_cpu = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="reminders-redis-engine-cpu",
        description="reminders-redis engine CPU > 80%",
        namespace="AWS/ElastiCache",
        metric="EngineCPUUtilization",
        dims=nd,
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=80.0,
        comparison="GreaterThanThreshold",
        actions=[pager],
        created=created + timedelta(days=30),
    )
    a_cpu.evaluate(
        {
            t: 8.0
            for t in k.per_minute_to_periods({t: 1.0 for t, s in pts if s == 60 and not is_down(t, s)}, 300)
        },
        fine_from,
        now,
    )
    a_mem = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="reminders-redis-memory",
        description="reminders-redis memory usage > 75%",
        namespace="AWS/ElastiCache",
        metric="DatabaseMemoryUsagePercentage",
        dims=nd,
        stat="Maximum",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=75.0,
        comparison="GreaterThanThreshold",
        actions=[pager],
        created=created + timedelta(days=30),
    )
    a_mem.evaluate(
        {
            t: 22.0
            for t in k.per_minute_to_periods({t: 1.0 for t, s in pts if s == 60 and not is_down(t, s)}, 300)
        },
        fine_from,
        now,
    )
    alarms = [a_api, a_cpu, a_mem]

    # --- resources ----------------------------------------------------------------------------------
    rg_arn = f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}"
    cc_arn = f"arn:aws:elasticache:{region}:{account}:cluster:{cc}"
    resources: list[dict[str, Any]] = [
        k.res("ec2", "Vpc", vpc),
        *[k.res("ec2", "Subnet", s) for s in subnets],
        k.res("ec2", "SecurityGroup", sg_redis),
        k.res("ec2", "SecurityGroup", sg_app),
        k.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": rg,
                "Description": "BullMQ job store for appointment reminders",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": [cc],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": redis_host, "Port": 6379},
                        "ReaderEndpoint": {"Address": redis_host.replace(".ng.", "-ro.ng."), "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": cc,
                                "CacheNodeId": node,
                                "ReadEndpoint": {
                                    "Address": f"{cc}.{redis_host.split('.', 1)[1].replace('ng.0001.', '')}",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": az,
                                "CurrentRole": "primary",
                            }
                        ],
                    }
                ],
                "AutomaticFailover": "disabled",
                "MultiAZ": "disabled",
                "SnapshotRetentionLimit": 0,
                "SnapshotWindow": "03:00-04:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.t4g.medium",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": rg_arn,
                "ReplicationGroupCreateTime": k.iso(created),
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "disabled",
                "Engine": "redis",
                "DataTiering": "disabled",
            },
        ),
        k.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": cc,
                "CacheNodeType": "cache.t4g.medium",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": az,
                "CacheClusterCreateTime": k.iso(created),
                "PreferredMaintenanceWindow": "sun:02:00-sun:03:00",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": "default.redis7",
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "pawpoint-prod-cache",
                "CacheNodes": [
                    {
                        "CacheNodeId": node,
                        "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": k.iso(created),
                        "Endpoint": {
                            "Address": f"{cc}.{redis_host.split('.', 1)[1].replace('ng.0001.', '')}",
                            "Port": 6379,
                        },
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": az,
                    }
                ],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg_redis["GroupId"], "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 0,
                "SnapshotWindow": "03:00-04:00",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": cc_arn,
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        ),
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 9,
                "pendingTasksCount": 0,
                "activeServicesCount": 5,
                "capacityProviders": ["FARGATE"],
            },
        ),
    ]
    api_rev, wk_rev = rng.randint(60, 110), rng.randint(40, 90)
    t_api_deploy = fail - timedelta(minutes=rng.randint(9, 16), seconds=rng.randint(0, 59))
    svc_items = {}
    for name, rev, n, deployed in (
        (api, api_rev, 2, t_api_deploy),
        (worker, wk_rev, 2, start - timedelta(days=rng.randint(4, 15))),
    ):
        td = f"arn:aws:ecs:{region}:{account}:task-definition/{name}:{rev}"
        it = k.ecs_service_item(
            account=account,
            region=region,
            cluster=cluster,
            name=name,
            task_def=td,
            desired=n,
            created=created,
            deployed=deployed,
            subnets=subnet_ids,
            sgs=[sg_app["GroupId"]],
            rng=rng,
            target_groups=[
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{region}:{account}:{tgd}",
                    "containerName": api,
                    "containerPort": 3000,
                }
            ]
            if name == api
            else None,
        )
        svc_items[name] = it
        resources.append(k.res("ecs", "Service", it))
        resources.append(
            k.res(
                "ecs",
                "TaskDefinition",
                {
                    "taskDefinitionArn": td,
                    "family": name,
                    "revision": rev,
                    "taskRoleArn": f"arn:aws:iam::{account}:role/{name}-task",
                    "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                    "networkMode": "awsvpc",
                    "status": "ACTIVE",
                    "cpu": "512",
                    "memory": "1024",
                    "requiresCompatibilities": ["FARGATE"],
                    "containerDefinitions": [
                        {
                            "name": name,
                            "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{name}:1.{rng.randint(20, 60)}.{rng.randint(0, 9)}",
                            "essential": True,
                            "cpu": 0,
                            "environment": [
                                {"name": "REDIS_HOST", "value": redis_host},
                                {"name": "REDIS_PORT", "value": "6379"},
                                {"name": "BULL_PREFIX", "value": "pp"},
                                {"name": "NODE_ENV", "value": "production"},
                            ],
                            "logConfiguration": {
                                "logDriver": "awslogs",
                                "options": {
                                    "awslogs-group": f"/ecs/{name}",
                                    "awslogs-region": region,
                                    "awslogs-stream-prefix": "ecs",
                                },
                            },
                        }
                    ],
                },
            )
        )
        resources.append(
            k.res("logs", "LogGroup", k.log_group_item(account, region, f"/ecs/{name}", created))
        )

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    wtasks = [k.ecs_task_id(rng) for _ in range(2)]
    atasks = [k.ecs_task_id(rng) for _ in range(2)]
    old_atasks = [k.ecs_task_id(rng) for _ in range(2)]

    def wlog(t: datetime, level: int, msg: str, **kw: Any) -> None:
        ti = rng.randrange(2)
        body = {
            "level": level,
            "time": k.ms(t),
            "pid": 1,
            "hostname": f"ip-10-{o2}-{49 + 16 * ti}-{17 + ti * 40}.{region}.compute.internal",
            "msg": msg,
            **kw,
        }
        logs.append(k.log(f"/ecs/{worker}", f"ecs/{worker}/{wtasks[ti]}", t, json.dumps(body)))

    def alog(t: datetime, level: int, msg: str, **kw: Any) -> None:
        pool = atasks if t >= t_api_deploy + timedelta(minutes=3) else old_atasks
        ti = rng.randrange(2)
        body = {
            "level": level,
            "time": k.ms(t),
            "pid": 1,
            "hostname": f"ip-10-{o2}-{33 + 16 * ti}-{90 + ti}.{region}.compute.internal",
            "msg": msg,
            **kw,
        }
        logs.append(k.log(f"/ecs/{api}", f"ecs/{api}/{pool[ti]}", t, json.dumps(body)))

    jid = rng.randint(2_000_000, 3_000_000)
    for t, s in pts:
        for kind, key in (("booking-confirmation", "conf"), ("appointment-reminder", "rem")):
            for _ in range(int(rows[key][t])):
                jid += 1
                ts = t + timedelta(seconds=rng.uniform(0, s))
                extra = {"lead": rng.choice(["24h", "2h"])} if kind == "appointment-reminder" else {}
                wlog(
                    ts,
                    30,
                    "job completed",
                    queue="sms",
                    jobName=kind,
                    jobId=str(jid),
                    clinicId=f"CL{rng.randint(100, 480)}",
                    durationMs=rng.randint(180, 700),
                    **extra,
                )
        if t >= fine_from:
            for _ in range(int(rows["apireq"][t] * 0.5)):
                ts = t + timedelta(seconds=rng.uniform(0, s))
                if is_down(t, s) and ts > fail and ts < rec_done:
                    alog(
                        ts,
                        50,
                        "failed to schedule reminders",
                        err={
                            "type": "MaxRetriesPerRequestError",
                            "message": 'Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.',
                        },
                        appointmentId=f"AP{rng.randint(10**6, 10**7)}",
                    )
                    alog(
                        ts + timedelta(milliseconds=2),
                        30,
                        "request completed",
                        req={"method": "POST", "url": "/v1/appointments/reminders"},
                        res={"statusCode": 500},
                        responseTime=rng.randint(1800, 2400),
                    )
                else:
                    alog(
                        ts,
                        30,
                        "request completed",
                        req={"method": "POST", "url": "/v1/appointments/reminders"},
                        res={"statusCode": 201},
                        responseTime=rng.randint(9, 40),
                        scheduled=rng.choice([2, 3]),
                    )
    # the failure as the clients see it
    t = fail + timedelta(seconds=rng.uniform(1, 4))
    for ti in range(2):
        wlog(
            t + timedelta(milliseconds=ti * 7),
            50,
            "redis connection error",
            err={
                "type": "Error",
                "message": "read ECONNRESET",
                "code": "ECONNRESET",
                "errno": -104,
                "syscall": "read",
            },
        )
    t2 = t + timedelta(seconds=rng.randint(10, 20))
    while t2 < rec_done:
        wlog(
            t2,
            50,
            "redis connection error",
            err={
                "type": "Error",
                "message": f"connect ETIMEDOUT {redis_ip}:6379"
                if rng.random() < 0.7
                else "connect ECONNREFUSED " + redis_ip + ":6379",
                "code": "ETIMEDOUT",
                "syscall": "connect",
            },
        )
        if rng.random() < 0.3:
            wlog(
                t2 + timedelta(milliseconds=5),
                40,
                "worker error",
                queue="sms",
                err={"type": "Error", "message": "Connection is closed."},
            )
        t2 += timedelta(seconds=rng.uniform(8, 25))
    for _ti in range(2):
        tr_ = rec_done + timedelta(seconds=rng.uniform(3, 20))
        wlog(tr_, 30, "redis ready", host=redis_host, port=6379)
        wlog(tr_ + timedelta(milliseconds=40), 30, "worker resumed", queue="sms", concurrency=8)
    alog(rec_done + timedelta(seconds=rng.uniform(2, 10)), 30, "redis ready", host=redis_host, port=6379)
    # unrelated warnings
    for _ in range(3):
        tw = start + timedelta(minutes=rng.uniform(10, 230))
        wlog(
            tw,
            40,
            "sms provider soft bounce",
            jobName="appointment-reminder",
            provider="sns",
            reason="UNREACHABLE",
            countryCode="GB",
        )
    alog(
        start + timedelta(minutes=rng.uniform(20, 200)),
        40,
        "slow request",
        req={"method": "GET", "url": "/v1/clinics/CL231/schedule"},
        responseTime=1310,
    )
    for ti, task in enumerate(atasks):
        ts = t_api_deploy + timedelta(seconds=rng.randint(60, 130))
        body = {
            "level": 30,
            "time": k.ms(ts),
            "pid": 1,
            "hostname": f"ip-10-{o2}-{33 + 16 * ti}-{90 + ti}.{region}.compute.internal",
            "msg": "reminder-api listening",
            "port": 3000,
            "version": f"1.{api_rev}.0",
        }
        logs.append(k.log(f"/ecs/{api}", f"ecs/{api}/{task}", ts, json.dumps(body)))

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)

    def pip() -> str:
        return f"{rng.choice([81, 86, 90, 212])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"

    eng = tr.sso("hannah.price", "PlatformAdmin", pip())
    dev = tr.sso("owen.jones", "Developer", pip())
    finops = tr.sso("li.wei", "FinOps", pip())
    ci = tr.role(
        "gha-ecs-deploy",
        "GitHubActions",
        f"20.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
    )
    graf = tr.role(
        "grafana-cloudwatch",
        "grafana",
        f"35.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    for t in k.scatter(rng, start, now, 15):
        tr.add(
            t, graf, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, None, read_only=True
        )
    for t in k.scatter(rng, start, now, 5):
        tr.add(
            t,
            tr.aws_service("ecs-tasks.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{account}:role/{rng.choice([api, worker])}-task",
                "roleSessionName": k.hexs(rng, 32),
            },
            None,
            read_only=True,
        )
    for t in k.scatter(rng, start, fail - timedelta(minutes=40), 5):
        tr.add(
            t,
            dev,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [rng.choice([api, worker])]},
            None,
            read_only=True,
        )
    # finops tagging pass over caches shortly before (harmless, near the culprit)
    t_tag = fail - timedelta(minutes=rng.randint(18, 28))
    tr.add(
        t_tag - timedelta(seconds=40),
        finops,
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        {},
        None,
        read_only=True,
    )
    for i, arn in enumerate(
        (rg_arn, f"arn:aws:elasticache:{region}:{account}:replicationgroup:sessions-redis")
    ):
        tr.add(
            t_tag + timedelta(seconds=20 * i),
            finops,
            "elasticache.amazonaws.com",
            "AddTagsToResource",
            {
                "resourceName": arn,
                "tags": [
                    {"key": "cost-centre", "value": "clinic-ops"},
                    {"key": "owner", "value": "platform"},
                ],
            },
            {
                "tagList": [
                    {"key": "cost-centre", "value": "clinic-ops"},
                    {"key": "owner", "value": "platform"},
                ]
            },
        )
    # reminder-api deploy
    td_api = f"arn:aws:ecs:{region}:{account}:task-definition/{api}:{api_rev}"
    tr.add(
        t_api_deploy - timedelta(seconds=12),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": api,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {"name": api, "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{api}:{k.hexs(rng, 7)}"}
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_api,
                "family": api,
                "revision": api_rev,
                "status": "ACTIVE",
            }
        },
    )
    tr.add(
        t_api_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": api,
            "taskDefinition": f"{api}:{api_rev}",
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": api, "taskDefinition": td_api, "desiredCount": 2}},
    )
    t_lam = fail + timedelta(minutes=rng.randint(5, 20))
    tr.add(
        t_lam,
        eng,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "invoice-pdf-render", "timeout": 60},
        {
            "functionName": "invoice-pdf-render",
            "timeout": 60,
            "memorySize": 1024,
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
        },
        host=f"lambda.{region}.amazonaws.com",
    )
    for t in k.scatter(rng, fail + timedelta(minutes=30), now, 4):
        tr.add(
            t,
            eng,
            "elasticache.amazonaws.com",
            rng.choice(["DescribeReplicationGroups", "DescribeEvents", "DescribeCacheClusters"]),
            {"replicationGroupId": rg} if rng.random() < 0.5 else {},
            None,
            read_only=True,
        )

    # --- events -------------------------------------------------------------------------------------
    events: list[dict[str, Any]] = [
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": cc,
                "SourceType": "cache-cluster",
                "Message": f"Recovering cache nodes {node}",
                "Date": k.iso(rec_start),
            },
        },
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": cc,
                "SourceType": "cache-cluster",
                "Message": f"Finished recovery for cache nodes {node}",
                "Date": k.iso(rec_done),
            },
        },
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": "sessions-redis-002",
                "SourceType": "cache-cluster",
                "Message": "Snapshot succeeded for snapshot with ID 'automatic.sessions-redis-002-"
                f"{(start - timedelta(hours=8)).strftime('%Y-%m-%d-%H-%M')}' of replication group with ID 'sessions-redis'",
                "Date": k.iso(start - timedelta(hours=8, minutes=-rng.randint(5, 15))),
            },
        },
    ]
    api_arn = svc_items[api]["serviceArn"]
    events.append(
        k.steady_state_event(rng, api_arn, api, t_api_deploy + timedelta(minutes=rng.randint(4, 6)))
    )
    events.append(
        k.steady_state_event(rng, svc_items[worker]["serviceArn"], worker, start - timedelta(days=1))
    )

    question = (
        "Clinics are ringing in: clients haven't been getting their appointment reminder texts this afternoon, "
        "but booking confirmation texts still arrive. reminder-worker logged some Redis errors around "
        f"{local_fail.strftime('%-I:%M')} but it's been quiet since. What happened, and are we losing reminders?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": cc,
                    "category": "component_failure",
                    "failure_mode": "cache-node-failure-data-loss",
                    "event_id": None,
                },
                "also_accept": [rg, cc_arn, rg_arn, f"{cc}/{node}"],
                "actions": ["reconfigure"],
                "chain": [
                    f"ElastiCache node {node} of {cc} (single-node {rg}, no replica, no snapshots) failed and was recovered",
                    "The recovered node came back empty (CurrItems and memory dropped to near zero)",
                    "BullMQ's delayed appointment-reminder jobs stored in it were lost; reminder-api 5xx during the outage",
                    f"{worker} runs only newly queued immediate jobs: confirmations arrive, reminders do not",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(series.rows, now),
            "alarms": [a.item() for a in alarms],
            "alarm_history": [h for a in alarms for h in a.history],
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
