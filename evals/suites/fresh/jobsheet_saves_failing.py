"""tallyroute: field technicians' job sheets stop saving; the API tasks and load balancer look healthy."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zm as k

NAME = "jobsheet-saves-failing"
TITLE = "Field techs' job sheets won't save since late morning; jobsheet-api tasks all healthy"
SUMMARY = (
    "The data volume of the MongoDB primary (an EC2 instance) stalled its I/O; mongod stayed up and kept "
    "answering heartbeats, so no election happened and every write from jobsheet-api timed out."
)

ZONE = ZoneInfo("America/Chicago")
REGION = "us-east-2"


@dataclass
class Member:
    name: str
    iid: str
    az: str
    ip: str
    root: str
    data: str
    launched: datetime


def _gate(
    cond: Callable[[datetime], bool], fn: Callable[[datetime, int], float]
) -> Callable[[datetime, int], float | None]:
    return lambda t, p: fn(t, p) if cond(t) else None


def build(seed: int) -> Bundle:
    tel = k.Telemetry(NAME, seed, REGION)
    rng, ids = tel.rng, tel.ids
    day = k.pick_day(rng)
    local_midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    onset = (
        local_midnight + timedelta(hours=10, minutes=rng.randrange(35, 80), seconds=rng.randrange(60))
    ).astimezone(k.UTC)
    now = k.floor_min(onset) + timedelta(minutes=rng.randrange(34, 48))
    start = k.floor_min(onset - timedelta(hours=rng.randrange(8, 11)), 5)
    fine_from = k.floor_min(onset - timedelta(minutes=60), 5)
    times = list(k.grid(start, now, fine_from))
    offset = (onset.astimezone(ZONE).utcoffset() or timedelta(0)).total_seconds() / 3600
    bad = lambda t: t >= onset  # noqa: E731

    def traffic(t: datetime) -> float:
        return k.diurnal(t, offset, peak_h=11.0, low=0.06, width=4.0)

    vpc = ids.vpc()
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    app_sn = [ids.subnet() for _ in azs]
    data_sn = [ids.subnet() for _ in azs]
    pub_sn = [ids.subnet() for _ in azs]
    sg_alb, sg_api, sg_mongo, sg_pdf = (ids.sg() for _ in range(4))
    kms = f"arn:aws:kms:{REGION}:{tel.account}:key/{ids.uuid()}"
    topic = f"arn:aws:sns:{REGION}:{tel.account}:tallyroute-prod-alerts"
    mongo_ami = ids.ami()
    members: list[Member] = []
    for i, letter in enumerate("abc"):
        members.append(
            Member(
                name=f"jobsheet-mongo-{letter}",
                iid=ids.instance(),
                az=azs[i],
                ip=ids.ip(20, 32 + i * 16 + rng.randrange(1, 12)),
                root=ids.vol(),
                data=ids.vol(),
                launched=start - timedelta(days=rng.randrange(60, 200), hours=rng.randrange(24)),
            )
        )
    primary = members[1]
    secondaries = [members[0], members[2]]
    grown = members[2]  # its data volume gets resized shortly before the stall

    k.vpc_item(tel, vpc, "10.20.0.0/16", "tallyroute-prod")
    for i, az in enumerate(azs):
        k.subnet_item(
            tel,
            app_sn[i],
            vpc,
            az,
            f"10.20.{i * 16 + 128}.0/20",
            f"tallyroute-prod-app-{az[-1]}",
            3900 + rng.randrange(150),
        )
        k.subnet_item(
            tel,
            data_sn[i],
            vpc,
            az,
            f"10.20.{32 + i * 16}.0/24",
            f"tallyroute-prod-data-{az[-1]}",
            245 + rng.randrange(5),
        )
    k.security_group(
        tel, sg_alb, "jobsheet-api-alb", "jobsheet api public ALB", vpc, [k.sg_rule(443, cidr="0.0.0.0/0")]
    )
    k.security_group(
        tel,
        sg_api,
        "jobsheet-api-tasks",
        "jobsheet-api fargate tasks",
        vpc,
        [k.sg_rule(8080, group=sg_alb, desc="alb")],
    )
    k.security_group(tel, sg_pdf, "jobsheet-pdf-tasks", "jobsheet-pdf fargate tasks", vpc, [])
    mongo_rules = [
        k.sg_rule(27017, group=sg_api, desc="api"),
        k.sg_rule(27017, group=sg_pdf, desc="pdf renderer"),
        k.sg_rule(27017, cidr="10.20.32.0/19", desc="replica set members"),
    ]
    k.security_group(
        tel, sg_mongo, "jobsheet-mongo", "jobsheet MongoDB replica set rs-jobsheet", vpc, mongo_rules
    )

    for m in members:
        k.ec2_instance(
            tel, iid=m.iid, itype="r6i.xlarge", ami=mongo_ami, az=m.az, subnet=data_sn[azs.index(m.az)], vpc=vpc,
            ip=m.ip, sgs=[(sg_mongo, "jobsheet-mongo")], launched=m.launched, profile="jobsheet-mongo",
            volumes=[("/dev/xvda", m.root), ("/dev/sdf", m.data)], key="tallyroute-ops-2023",
            tags={"Name": m.name, "role": "mongodb", "replset": "rs-jobsheet", "env": "prod", "backup": "daily"},
        )  # fmt: skip
        k.instance_status(
            tel,
            m.iid,
            m.az,
            ebs_impaired_since=(onset + timedelta(minutes=2))
            if m is primary and now > onset + timedelta(minutes=3)
            else None,
        )
        k.volume(
            tel,
            m.root,
            az=m.az,
            size=30,
            vtype="gp3",
            iops=3000,
            throughput=125,
            created=m.launched,
            iid=m.iid,
            device="/dev/xvda",
            tags={"Name": m.name + "-root"},
            kms=kms,
        )
        size = 750 if m is grown else 500
        k.volume(
            tel,
            m.data,
            az=m.az,
            size=size,
            vtype="gp3",
            iops=6000,
            throughput=250,
            created=m.launched,
            iid=m.iid,
            device="/dev/sdf",
            tags={"Name": m.name + "-data", "replset": "rs-jobsheet"},
            kms=kms,
        )

    lb_arn, lb_dim = k.load_balancer(
        tel,
        "jobsheet-api-prod",
        vpc=vpc,
        subnets=list(zip(pub_sn, azs, strict=True)),
        sg=sg_alb,
        created=start - timedelta(days=500),
    )
    tg_arn, tg_dim = k.target_group(
        tel, "jobsheet-api-prod-ip", vpc=vpc, port=8080, lb_arn=lb_arn, path="/healthz", target_type="ip"
    )
    cluster = k.ecs_cluster(
        tel, "tallyroute-prod", instances=0, running=0, services=2, providers=["FARGATE", "FARGATE_SPOT"]
    )
    api_rev = rng.randrange(180, 260)
    api_deployed = start - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(3, 20))
    env = {
        "NODE_ENV": "production",
        "MONGO_REPLICA_SET": "rs-jobsheet",
        "MONGO_MAX_TIME_MS": "8000",
        "MONGO_WRITE_CONCERN": "majority",
    }
    api_td = k.task_definition(
        tel, "jobsheet-api", api_rev, image=f"{tel.account}.dkr.ecr.{REGION}.amazonaws.com/jobsheet-api:2025.{rng.randrange(100, 400)}.{rng.randrange(10)}",
        port=8080, cpu=1024, memory=2048, network="awsvpc", log_group="/ecs/jobsheet-api", registered=api_deployed,
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/tallyroute-deploy/gha", env=env, fargate=True,
    )  # fmt: skip
    n_tasks = rng.randrange(5, 8)
    task_ips = [ids.ip(20, 128 + (i % 3) * 16 + rng.randrange(0, 15)) for i in range(n_tasks)]
    k.ecs_service(
        tel, cluster, "jobsheet-api", task_def=api_td, desired=n_tasks, running=n_tasks, tg_arn=tg_arn, port=8080,
        created=start - timedelta(days=500), deployed=api_deployed, fargate=True, subnets=app_sn, sgs=[sg_api],
        events=[(now - timedelta(minutes=rng.randrange(1, 30)), "(service jobsheet-api) has reached a steady state.")],
    )  # fmt: skip
    pdf_rev_old = rng.randrange(40, 90)
    pdf_deploy = onset - timedelta(minutes=rng.randrange(17, 26), seconds=rng.randrange(60))
    pdf_td = k.task_definition(
        tel, "jobsheet-pdf", pdf_rev_old + 1, image=f"{tel.account}.dkr.ecr.{REGION}.amazonaws.com/jobsheet-pdf:2025.{rng.randrange(100, 400)}.0",
        port=8090, cpu=2048, memory=4096, network="awsvpc", log_group="/ecs/jobsheet-pdf", registered=pdf_deploy - timedelta(seconds=25),
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/tallyroute-deploy/gha", env={"NODE_ENV": "production"}, fargate=True,
    )  # fmt: skip
    pdf_svc = f"{cluster.replace(':cluster/', ':service/')}/jobsheet-pdf"
    k.ecs_service(
        tel, cluster, "jobsheet-pdf", task_def=pdf_td, desired=2, running=2, tg_arn=None, port=8090,
        created=start - timedelta(days=300), deployed=pdf_deploy, fargate=True, subnets=app_sn, sgs=[sg_pdf],
        events=[
            (pdf_deploy + timedelta(seconds=40), f"(service jobsheet-pdf) has started 2 tasks: (task {ids.hex(32)}) (task {ids.hex(32)})."),
            (pdf_deploy + timedelta(minutes=3), f"(service jobsheet-pdf) has stopped 2 running tasks: (task {ids.hex(32)}) (task {ids.hex(32)})."),
            (pdf_deploy + timedelta(minutes=4, seconds=10), "(service jobsheet-pdf) has reached a steady state."),
        ],
    )  # fmt: skip
    for i, ip in enumerate(task_ips):
        k.healthy(tel, tg_arn, ip, 8080, azs[i % 3], api_deployed + timedelta(minutes=2))

    # --- metrics -----------------------------------------------------------------------------------------
    rpm_peak = rng.randrange(1400, 2400)
    req: dict[datetime, float] = {}

    def requests(t: datetime, p: int) -> float:
        v = float(round(k.noisy(rng, rpm_peak * traffic(t) * p / 60, 0.05)))
        req[t] = v
        return v

    write_share = rng.uniform(0.22, 0.3)

    def e5(t: datetime, p: int) -> float | None:
        n = k.poisson(rng, req[t] * 0.0002)
        if bad(t):
            ramp = min(1.0, (t - onset).total_seconds() / 120 + 0.3)
            n += k.poisson(rng, req[t] * write_share * 0.93 * ramp)
        return float(n) or None

    def latency(t: datetime, p: int) -> float:
        if bad(t):
            return k.noisy(rng, 2.9 + 0.6 * rng.random(), 0.05)
        return k.noisy(rng, 0.048 + 0.02 * traffic(t), 0.08)

    ns = "AWS/ApplicationELB"
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    tel.add_series(ns, "RequestCount", lbd, "Count", times, requests, stat="Sum", digits=0)
    s5 = tel.add_series(ns, "HTTPCode_Target_5XX_Count", lbd, "Count", times, e5, stat="Sum", digits=0)
    tel.add_series(
        ns,
        "HTTPCode_Target_2XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: req[t] * ((1 - write_share) * 0.97 if bad(t) else 0.97),
        stat="Sum",
        digits=0,
    )
    tel.add_series(
        ns,
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: float(k.poisson(rng, req[t] * 0.02)) or None,
        stat="Sum",
        digits=0,
    )
    lat = tel.add_series(ns, "TargetResponseTime", lbd, "Seconds", times, latency, digits=4)
    tel.add_series(ns, "HealthyHostCount", tgd, "Count", times, lambda t, p: float(n_tasks), digits=0)
    tel.add_series(ns, "UnHealthyHostCount", tgd, "Count", times, lambda t, p: 0.0, digits=0)
    ecsd = {"ClusterName": "tallyroute-prod", "ServiceName": "jobsheet-api"}
    tel.add_series(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, (4 if bad(t) else 6) + 30 * traffic(t) * (0.55 if bad(t) else 1), 0.06),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS",
        "MemoryUtilization",
        ecsd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 41 + (9 if bad(t) else 0), 0.02),
        digits=2,
    )
    pdfd = {"ClusterName": "tallyroute-prod", "ServiceName": "jobsheet-pdf"}
    tel.add_series(
        "AWS/ECS",
        "CPUUtilization",
        pdfd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 9 + 20 * traffic(t), 0.12),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS", "MemoryUtilization", pdfd, "Percent", times, lambda t, p: k.noisy(rng, 33, 0.03), digits=2
    )

    def member_metrics(m: Member) -> None:
        is_p = m is primary
        d = {"InstanceId": m.iid}

        def stalled(t: datetime) -> bool:
            return is_p and t >= onset + timedelta(minutes=2)

        def stop(t: datetime) -> bool:
            return is_p and t >= onset

        def cpu(t: datetime, p: int) -> float:
            base = 1.2 if stop(t) else (14 if is_p else 5) * (0.4 + traffic(t))
            return k.noisy(rng, base, 0.08)

        def flag(t: datetime, p: int) -> float:
            return 1.0 if stalled(t) else 0.0

        def wops(t: datetime, p: int) -> float:
            return 0.0 if stop(t) else k.noisy(rng, (380 if is_p else 260) * (0.3 + traffic(t)) * p, 0.07)

        def rops(t: datetime, p: int) -> float:
            return 0.0 if stop(t) else k.noisy(rng, (90 if is_p else 40) * (0.3 + traffic(t)) * p, 0.1)

        def wbytes(t: datetime, p: int) -> float:
            return wops(t, p) * rng.uniform(14000, 22000)

        def queue(t: datetime, p: int) -> float:
            return rng.uniform(30, 34) if stop(t) else k.noisy(rng, 0.4 + 0.8 * traffic(t), 0.2)

        def idle(t: datetime, p: int) -> float:
            return 0.0 if stop(t) else p * min(0.97, k.noisy(rng, 0.9 - 0.2 * traffic(t), 0.03))

        tel.add_series("AWS/EC2", "CPUUtilization", d, "Percent", times, cpu, digits=2)
        for metric in ("StatusCheckFailed_System", "StatusCheckFailed_Instance"):
            tel.add_series("AWS/EC2", metric, d, "Count", times, lambda t, p: 0.0, digits=0)
        tel.add_series("AWS/EC2", "StatusCheckFailed_AttachedEBS", d, "Count", times, flag, digits=0)
        tel.add_series("AWS/EC2", "StatusCheckFailed", d, "Count", times, flag, digits=0)
        v = {"VolumeId": m.data}
        tel.add_series("AWS/EBS", "VolumeWriteOps", v, "Count", times, wops, stat="Sum", digits=0)
        tel.add_series("AWS/EBS", "VolumeReadOps", v, "Count", times, rops, stat="Sum", digits=0)
        tel.add_series("AWS/EBS", "VolumeWriteBytes", v, "Bytes", times, wbytes, stat="Sum", digits=0)
        tel.add_series("AWS/EBS", "VolumeQueueLength", v, "Count", times, queue, digits=3)
        tel.add_series("AWS/EBS", "VolumeIdleTime", v, "Seconds", times, idle, stat="Sum", digits=2)
        tel.add_series("AWS/EBS", "VolumeStalledIOCheck", v, "None", times, flag, stat="Maximum", digits=0)

    for m in members:
        member_metrics(m)
    # the resize of the third member's data volume: extra background reads while it optimizes
    resize_t = onset - timedelta(minutes=rng.randrange(22, 29), seconds=rng.randrange(60))

    # --- alarms ------------------------------------------------------------------------------------------
    existing = start - timedelta(days=rng.randrange(120, 400))
    main = k.alarm(
        tel, "jobsheet-api-5xx", s5, stat="Sum", period=60, evaluations=5, to_alarm=3, threshold=20.0,
        op="GreaterThanThreshold", created=start, now=now, existing=existing, missing="notBreaching",
        description="jobsheet-api ALB target 5xx > 20/min (3 of 5)", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "jobsheet-api-latency", lat, stat="Average", period=60, evaluations=5, to_alarm=5, threshold=1.5,
        op="GreaterThanThreshold", created=start, now=now, existing=existing,
        description="jobsheet-api average response time > 1.5 s for 5 minutes", actions=[topic],
    )  # fmt: skip
    for m in members:
        k.alarm(
            tel, f"{m.name}-system-check-recover", tel.find("AWS/EC2", "StatusCheckFailed_System", {"InstanceId": m.iid}),
            stat="Maximum", period=60, evaluations=2, to_alarm=2, threshold=0.0, op="GreaterThanThreshold", created=start,
            now=now, existing=existing, description=f"Recover {m.name} on system status check failure",
            actions=[f"arn:aws:automate:{REGION}:ec2:recover"],
        )  # fmt: skip
    k.alarm(
        tel, "jobsheet-api-unhealthy-targets", tel.find(ns, "UnHealthyHostCount", tgd), stat="Maximum", period=60,
        evaluations=3, to_alarm=3, threshold=0.0, op="GreaterThanThreshold", created=start, now=now, existing=existing,
        description="jobsheet-api has unhealthy targets", actions=[topic],
    )  # fmt: skip

    # --- logs --------------------------------------------------------------------------------------------
    log_from = fine_from - timedelta(minutes=60)
    streams = [f"ecs/jobsheet-api/{ids.hex(32)}" for _ in range(n_tasks)]
    reads = [
        "GET /v2/jobs?assignedTo=me&status=open",
        "GET /v2/jobs/{id}",
        "GET /v2/customers/{id}",
        "GET /v2/parts?search=valve",
        "GET /v2/schedule/today",
    ]
    writes = [
        "PUT /v2/jobs/{id}/sheet",
        "POST /v2/jobs/{id}/photos",
        "POST /v2/jobs/{id}/signature",
        "PATCH /v2/jobs/{id}/status",
        "POST /v2/timesheets",
    ]
    t = log_from
    while t < now:
        st = streams[rng.randrange(n_tasks)]
        write = rng.random() < write_share
        route = rng.choice(writes if write else reads).replace("{id}", f"J-{rng.randrange(100000, 999999)}")
        method, path = route.split(" ", 1)
        rid = ids.hex(16)
        if write and bad(t):
            ms = rng.randrange(8003, 8090)
            err = {
                "level": "error",
                "time": k.iso_ms(t).replace("+0000", "Z"),
                "reqId": rid,
                "method": method,
                "url": path,
                "msg": "mongo write failed",
                "err": {
                    "name": "MongoServerError",
                    "code": 50,
                    "codeName": "MaxTimeMSExpired",
                    "message": "operation exceeded time limit",
                },
                "durationMs": ms,
            }
            tel.log("/ecs/jobsheet-api", st, t, json.dumps(err, separators=(",", ":")))
            tel.log(
                "/ecs/jobsheet-api",
                st,
                t + timedelta(milliseconds=1),
                json.dumps(
                    {
                        "level": "info",
                        "time": k.iso_ms(t).replace("+0000", "Z"),
                        "reqId": rid,
                        "method": method,
                        "url": path,
                        "status": 500,
                        "durationMs": ms,
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
        else:
            ms = rng.randrange(8, 90) if not bad(t) else rng.randrange(8, 160)
            tel.log(
                "/ecs/jobsheet-api",
                st,
                t,
                json.dumps(
                    {
                        "level": "info",
                        "time": k.iso_ms(t).replace("+0000", "Z"),
                        "reqId": rid,
                        "method": method,
                        "url": path,
                        "status": 200,
                        "durationMs": ms,
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.015:
            tel.log(
                "/ecs/jobsheet-api",
                st,
                t + timedelta(milliseconds=4),
                json.dumps(
                    {
                        "level": "warn",
                        "time": k.iso_ms(t).replace("+0000", "Z"),
                        "msg": "geocoder quota low",
                        "remaining": rng.randrange(200, 900),
                    },
                    separators=(",", ":"),
                ),
            )
        t += timedelta(seconds=rng.uniform(3, 9) if not bad(t) else rng.uniform(1.5, 4))

    # mongod logs (structured JSON, 4.4+), shipped by the CloudWatch agent
    def mlog(
        m: Member,
        t: datetime,
        sev: str,
        comp: str,
        mid: int,
        ctx: str,
        msg: str,
        attr: dict[str, object],
    ) -> None:
        line = {
            "t": {"$date": k.iso_ms(t).replace("+0000", "+00:00")},
            "s": sev,
            "c": comp,
            "id": mid,
            "ctx": ctx,
            "msg": msg,
            "attr": attr,
        }
        tel.log(
            "/tallyroute/mongodb/mongod",
            f"{m.name}/mongod.log",
            t,
            json.dumps(line, separators=(",", ":")),
        )

    for m in members:
        t = log_from + timedelta(seconds=rng.randrange(60))
        while t < now:
            r = rng.random()
            if m is primary and bad(t):
                if r < 0.7:
                    mlog(
                        m,
                        t,
                        "I",
                        "COMMAND",
                        51803,
                        f"conn{rng.randrange(2000, 9000)}",
                        "Slow query",
                        {
                            "type": "command",
                            "ns": f"jobsheet.{rng.choice(['jobs', 'photos', 'timesheets', 'signatures'])}",
                            "command": {
                                "update" if r < 0.4 else "insert": "jobs",
                                "ordered": True,
                                "writeConcern": {"w": "majority"},
                                "maxTimeMS": 8000,
                            },
                            "numYields": 0,
                            "ok": 0,
                            "errMsg": "operation exceeded time limit",
                            "errName": "MaxTimeMSExpired",
                            "errCode": 50,
                            "reslen": 243,
                            "protocol": "op_msg",
                            "durationMillis": rng.randrange(8000, 8040),
                        },
                    )
                t += timedelta(seconds=rng.uniform(2, 6))
                continue
            if r < 0.45:
                mlog(
                    m,
                    t,
                    "I",
                    "NETWORK",
                    22943,
                    "listener",
                    "Connection accepted",
                    {
                        "remote": f"10.20.{rng.randrange(128, 176)}.{rng.randrange(4, 250)}:{rng.randrange(33000, 61000)}",
                        "uuid": {"uuid": {"$uuid": ids.uuid()}},
                        "connectionId": rng.randrange(2000, 9000),
                        "connectionCount": rng.randrange(180, 260),
                    },
                )
            elif r < 0.8:
                mlog(
                    m,
                    t,
                    "I",
                    "NETWORK",
                    22944,
                    f"conn{rng.randrange(2000, 9000)}",
                    "Connection ended",
                    {
                        "remote": f"10.20.{rng.randrange(128, 176)}.{rng.randrange(4, 250)}:{rng.randrange(33000, 61000)}",
                        "uuid": {"uuid": {"$uuid": ids.uuid()}},
                        "connectionId": rng.randrange(2000, 9000),
                        "connectionCount": rng.randrange(180, 260),
                    },
                )
            elif r < 0.95 and m is primary:
                mlog(
                    m,
                    t,
                    "I",
                    "COMMAND",
                    51803,
                    f"conn{rng.randrange(2000, 9000)}",
                    "Slow query",
                    {
                        "type": "command",
                        "ns": "jobsheet.jobs",
                        "command": {
                            "aggregate": "jobs",
                            "pipeline": [{"$match": {"status": "open"}}, {"$group": {"_id": "$region"}}],
                        },
                        "planSummary": "IXSCAN { status: 1, scheduledFor: 1 }",
                        "keysExamined": rng.randrange(20000, 80000),
                        "docsExamined": rng.randrange(20000, 80000),
                        "numYields": rng.randrange(20, 90),
                        "nreturned": rng.randrange(5, 30),
                        "protocol": "op_msg",
                        "durationMillis": rng.randrange(110, 420),
                    },
                )
            else:
                mlog(
                    m,
                    t,
                    "I",
                    "STORAGE",
                    22430,
                    "Checkpointer",
                    "WiredTiger message",
                    {
                        "message": {
                            "ts_sec": int(t.timestamp()),
                            "ts_usec": 0,
                            "thread": f"{rng.randrange(1000, 9999)}:0x7f{ids.hex(10)}",
                            "session_name": "WT_SESSION.checkpoint",
                            "category": "WT_VERB_CHECKPOINT_PROGRESS",
                            "category_id": 6,
                            "verbose_level": "DEBUG_1",
                            "verbose_level_id": 1,
                            "msg": f"saving checkpoint snapshot min: {rng.randrange(10**6, 10**7)}, snapshot max: {rng.randrange(10**6, 10**7)} snapshot count: 0, oldest timestamp: (0, 0) , meta checkpoint timestamp: (0, 0) base write gen: {rng.randrange(10**7, 10**8)}",
                        }
                    },
                )
            t += timedelta(seconds=rng.uniform(20, 70))
    # syslog from the instances
    sys_group = "/tallyroute/mongodb/messages"
    for m in members:
        host = f"ip-{m.ip.replace('.', '-')}"
        t = log_from + timedelta(seconds=rng.randrange(300))
        while t < now:
            stamp = (
                t.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
                if t.day < 10
                else t.strftime("%b %d %H:%M:%S")
            )
            line = rng.choice([
                f"{stamp} {host} chronyd[812]: Selected source 169.254.169.123",
                f"{stamp} {host} systemd[1]: Started sysstat-collect.service - system activity accounting tool.",
                f"{stamp} {host} amazon-ssm-agent[1604]: INFO [ssm-agent-worker] [MessageService] [MGSInteractor] Sending reply {ids.uuid()}",
            ])  # fmt: skip
            tel.log(sys_group, f"{m.name}/messages", t, line)
            t += timedelta(seconds=rng.uniform(240, 600))
    ph = f"ip-{primary.ip.replace('.', '-')}"
    kt = onset + timedelta(seconds=rng.randrange(28, 34))
    uptime = (onset - primary.launched).total_seconds()
    n = 0
    while kt < now:
        stamp = kt.strftime("%b %d %H:%M:%S")
        up = uptime + (kt - onset).total_seconds() + rng.random()
        for _q in range(rng.randrange(1, 3)):
            tel.log(
                sys_group,
                f"{primary.name}/messages",
                kt,
                f"{stamp} {ph} kernel: [{up:.6f}] nvme nvme1: I/O {rng.randrange(0, 1023)} QID {rng.randrange(1, 5)} timeout, aborting",
            )
        if n % 4 == 3:
            for task, pid in (("mongod", 2871), ("xfsaild/nvme1n1", 689), ("WTCheckpointer", 2933)):
                tel.log(
                    sys_group,
                    f"{primary.name}/messages",
                    kt + timedelta(milliseconds=120),
                    f"{stamp} {ph} kernel: [{up + 0.12:.6f}] INFO: task {task}:{pid} blocked for more than {122 * (1 + n // 4)} seconds.",
                )
                tel.log(
                    sys_group,
                    f"{primary.name}/messages",
                    kt + timedelta(milliseconds=121),
                    f"{stamp} {ph} kernel: [{up + 0.12:.6f}]       Not tainted 6.1.{rng.randrange(100, 130)}-{rng.randrange(100, 140)}.amzn2023.x86_64 #1",
                )
                tel.log(
                    sys_group,
                    f"{primary.name}/messages",
                    kt + timedelta(milliseconds=122),
                    f'{stamp} {ph} kernel: [{up + 0.12:.6f}] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
                )
        kt += timedelta(seconds=30 + rng.randrange(0, 3))
        n += 1

    # --- events ------------------------------------------------------------------------------------------
    # (no AWS Health event has been posted for the volume by `now`)

    # --- CloudTrail --------------------------------------------------------------------------------------
    ops = k.sso_user(
        tel,
        "dana.whitcombe@tallyroute.com",
        "Infrastructure",
        f"24.{rng.randrange(1, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    dev = k.sso_user(
        tel,
        "marco.ilves@tallyroute.com",
        "Developer",
        f"73.{rng.randrange(1, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    ops_cli = k.cli_user(
        tel,
        "dana.whitcombe@tallyroute.com",
        "Infrastructure",
        f"24.{rng.randrange(1, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    gha = k.role_session(
        tel,
        "tallyroute-deploy",
        "gha",
        f"4.{rng.randrange(148, 160)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.16.0 api/ecs#3.637.0",
    )
    dlm = k.role_session(
        tel,
        "service-role/AWSDataLifecycleManagerDefaultRole",
        "DataLifecycleManagerSession",
        "dlm.amazonaws.com",
        "dlm.amazonaws.com",
        invoked_by="dlm.amazonaws.com",
    )
    mon = k.role_session(
        tel,
        "newrelic-infra-integration",
        "NewRelicInfraIntegrations",
        f"162.247.{rng.randrange(240, 244)}.{rng.randrange(256)}",
        "aws-sdk-java/1.12.772 Linux/5.10.226 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc.",
    )
    ec2 = "ec2.amazonaws.com"
    k.routine_reads(
        tel,
        [
            (
                mon,
                [
                    (ec2, "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
                    (ec2, "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
                    ("ecs.amazonaws.com", "ListClusters", None),
                    ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", None),
                ],
            ),
            (
                dev,
                [
                    (
                        "ecs.amazonaws.com",
                        "DescribeServices",
                        {"cluster": "tallyroute-prod", "services": ["jobsheet-api"]},
                    ),
                    ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": "/ecs/jobsheet-api"}),
                ],
            ),
        ],
        start,
        now,
        26,
    )
    snap_t = start + timedelta(minutes=rng.randrange(20, 90))
    for m in members:
        if m is primary:
            continue
        k.trail(
            tel, snap_t + timedelta(seconds=rng.randrange(5, 40)), dlm, ec2, "CreateSnapshot",
            {"volumeId": m.data, "description": "Created for policy: policy-0" + ids.hex(16) + " schedule: nightly-mongo", "tagSpecificationSet": {"items": [{"resourceType": "snapshot", "tags": [{"key": "dlm:managed", "value": "true"}]}]}},
            {"requestId": ids.uuid(), "snapshotId": "snap-0" + ids.hex(16), "volumeId": m.data, "status": "pending", "volumeSize": 500, "encrypted": True},
        )  # fmt: skip
    k.trail(
        tel,
        resize_t - timedelta(minutes=3),
        ops,
        ec2,
        "DescribeVolumes",
        {"volumeSet": {"items": [{"volumeId": grown.data}]}, "filterSet": {}},
        read_only=True,
    )
    k.trail(
        tel, resize_t, ops, ec2, "ModifyVolume",
        {"ModifyVolumeRequest": {"VolumeId": grown.data, "Size": 750}},
        {"ModifyVolumeResponse": {"volumeModification": {"volumeId": grown.data, "modificationState": "modifying", "targetSize": 750, "targetIops": 6000, "targetVolumeType": "gp3", "targetThroughput": 250, "targetMultiAttachEnabled": False, "originalSize": 500, "originalIops": 6000, "originalVolumeType": "gp3", "originalThroughput": 250, "originalMultiAttachEnabled": False, "progress": 0, "startTime": k.iso_ms(resize_t).replace("+0000", "Z")}}},
    )  # fmt: skip
    k.trail(
        tel,
        resize_t + timedelta(minutes=4),
        ops,
        ec2,
        "DescribeVolumesModifications",
        {"DescribeVolumesModificationsRequest": {"VolumeId": [grown.data]}},
        read_only=True,
    )
    k.trail(
        tel,
        pdf_deploy - timedelta(seconds=25),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "jobsheet-pdf",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "2048",
            "memory": "4096",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": pdf_td,
                "revision": pdf_rev_old + 1,
                "family": "jobsheet-pdf",
                "status": "ACTIVE",
            }
        },
    )
    k.trail(
        tel,
        pdf_deploy,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": "tallyroute-prod",
            "service": "jobsheet-pdf",
            "taskDefinition": pdf_td,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "jobsheet-pdf",
                "taskDefinition": pdf_td,
                "desiredCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    k.trail(
        tel,
        start + timedelta(hours=2, minutes=rng.randrange(60)),
        ops_cli,
        "ssm.amazonaws.com",
        "StartSession",
        {"target": secondaries[0].iid, "documentName": "SSM-SessionManagerRunShell"},
        {
            "sessionId": "dana.whitcombe@tallyroute.com-0" + ids.hex(16),
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.{REGION}.amazonaws.com/v1/data-channel/dana.whitcombe@tallyroute.com-0{ids.hex(16)}?role=publish_subscribe&cell-number=AAEAAQ",
        },
    )
    k.trail(
        tel,
        start + timedelta(hours=3, minutes=rng.randrange(60)),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/tallyroute/jobsheet-api/feature/offline-photo-queue", "type": "String", "overwrite": True},
        {"version": 6, "tier": "Standard"},
    )
    k.trail(
        tel,
        onset + timedelta(minutes=9),
        dev,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": "tallyroute-prod", "services": ["jobsheet-api"]},
        read_only=True,
    )
    k.trail(
        tel,
        onset + timedelta(minutes=11),
        dev,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": tg_arn},
        read_only=True,
    )

    _ = (main, pdf_svc)
    q = onset.astimezone(ZONE)
    question = (
        f"Techs in the field say job sheets won't save since about {q:%-I:%M} this morning, the app just spins and then "
        "errors. jobsheet-api tasks are all running and the target group is green. Nobody has deployed the API today. "
        "What's broken?"
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
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": primary.data,
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-stalled-io",
                },
                "also_accept": [primary.iid, primary.name, primary.name + "-data"],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"{primary.data} (data volume of {primary.name}, the MongoDB primary) stalls its I/O",
                    f"mongod on {primary.name} stays up and primary, but writes block and hit maxTimeMS",
                    "jobsheet-api writes (job sheets, photos, signatures) fail with 500 after ~8 s",
                    "jobsheet-api 5xx and latency alarms; field techs cannot save",
                ],
            },
        }
    )
    return Bundle(manifest, tel.records(now))
