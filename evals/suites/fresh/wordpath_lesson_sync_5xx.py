"""wordpath: lesson-sync answers intermittent 5xx at the evening peak; retries mostly succeed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zm as k

NAME = "wordpath-lesson-sync-evening-5xx"
TITLE = "lesson-sync target 5xx alarm at the evening peak"
SUMMARY = (
    "Binpack placement stacked most lesson-sync tasks (bridge networking, no DNS cache) on one ECS container "
    "instance; at the evening peak its DNS queries exceeded the per-ENI link-local packet allowance to the VPC "
    "resolver, so lookups from tasks on that host timed out (EAI_AGAIN) and requests failed."
)

ZONE = ZoneInfo("America/New_York")
REGION = "us-east-1"


@dataclass
class Host:
    iid: str
    az: str
    ip: str
    ci_arn: str
    launched: datetime
    tasks: list[str] = field(default_factory=list)
    other: int = 0


def _const(v: float) -> Callable[[datetime, int], float]:
    return lambda t, p: v


def build(seed: int) -> Bundle:
    tel = k.Telemetry(NAME, seed, REGION)
    rng, ids = tel.rng, tel.ids
    day = k.pick_day(rng)
    local_midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    onset = (
        local_midnight + timedelta(hours=19, minutes=rng.randrange(25, 55), seconds=rng.randrange(60))
    ).astimezone(k.UTC)
    now = k.floor_min(onset) + timedelta(minutes=rng.randrange(35, 46))
    start = k.floor_min(onset - timedelta(hours=rng.randrange(7, 10)), 5)
    fine_from = k.floor_min(onset - timedelta(minutes=75), 5)
    times = list(k.grid(start, now, fine_from))
    offset = (onset.astimezone(ZONE).utcoffset() or timedelta(0)).total_seconds() / 3600
    scale_out = onset - timedelta(minutes=rng.randrange(38, 58), seconds=rng.randrange(60))

    def traffic(t: datetime) -> float:
        return k.diurnal(t, offset, peak_h=20.6, low=0.1, width=2.6)

    vpc = ids.vpc()
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    app_sn = [ids.subnet() for _ in azs]
    pub_sn = [ids.subnet() for _ in azs]
    sg_alb, sg_ecs, sg_db, sg_cache = (ids.sg() for _ in range(4))
    cluster_name = "wordpath-prod"
    cluster_arn = f"arn:aws:ecs:{REGION}:{tel.account}:cluster/{cluster_name}"
    cp = "wordpath-prod-ec2"
    ami = ids.ami()
    lt = ids.lt()
    topic = f"arn:aws:sns:{REGION}:{tel.account}:wordpath-pager"
    n_hosts = 6
    hosts: list[Host] = []
    for i in range(n_hosts):
        hosts.append(
            Host(
                iid=ids.instance(),
                az=azs[i % 3],
                ip=ids.ip(48, 16 * (i % 3) + rng.randrange(0, 15)),
                ci_arn=f"arn:aws:ecs:{REGION}:{tel.account}:container-instance/{cluster_name}/{ids.hex(32)}",
                launched=start - timedelta(days=rng.randrange(3, 9), hours=rng.randrange(24)),
            )
        )
    dense = hosts[rng.randrange(n_hosts)]
    others = [h for h in hosts if h is not dense]
    # binpack on memory: the dense host is filled first; the scale-out adds two more there
    before, after = rng.randrange(15, 18), 0
    dense_before = 12
    for i in range(before):
        tid = ids.hex(32)
        (dense if i < dense_before else others[(i - dense_before) % 2]).tasks.append(tid)
    added: list[tuple[str, Host]] = []
    n_added = rng.randrange(5, 8)
    for i in range(n_added):
        tid = ids.hex(32)
        h = dense if i < 2 else others[(i + before) % 2]
        h.tasks.append(tid)
        added.append((tid, h))
    after = before + n_added
    for h in others:
        h.other = rng.randrange(3, 7)

    # --- resources ---------------------------------------------------------------------------------------
    k.vpc_item(tel, vpc, "10.48.0.0/16", "wordpath-prod")
    for i, az in enumerate(azs):
        k.subnet_item(
            tel,
            app_sn[i],
            vpc,
            az,
            f"10.48.{16 * i}.0/20",
            f"wordpath-prod-private-{az[-1]}",
            3800 + rng.randrange(200),
        )
    k.security_group(
        tel, sg_alb, "lesson-sync-alb", "lesson-sync public ALB", vpc, [k.sg_rule(443, cidr="0.0.0.0/0")]
    )
    dyn = {
        "FromPort": 32768,
        "IpProtocol": "tcp",
        "ToPort": 65535,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [
            {"GroupId": sg_alb, "UserId": tel.account, "Description": "alb to dynamic ports"}
        ],
    }
    k.security_group(tel, sg_ecs, "wordpath-ecs-hosts", "ECS container instances", vpc, [dyn])
    k.security_group(
        tel, sg_db, "wordpath-pg", "wordpath postgres", vpc, [k.sg_rule(5432, group=sg_ecs, desc="ecs hosts")]
    )
    k.security_group(
        tel,
        sg_cache,
        "wordpath-redis",
        "wordpath redis",
        vpc,
        [k.sg_rule(6379, group=sg_ecs, desc="ecs hosts")],
    )
    for h in hosts:
        k.ec2_instance(
            tel, iid=h.iid, itype="c6i.2xlarge", ami=ami, az=h.az, subnet=app_sn[azs.index(h.az)], vpc=vpc, ip=h.ip,
            sgs=[(sg_ecs, "wordpath-ecs-hosts")], launched=h.launched, profile="wordpath-ecs-instance",
            volumes=[("/dev/xvda", ids.vol())],
            tags={"Name": "wordpath-prod-ecs", "aws:autoscaling:groupName": "wordpath-prod-ecs", "AmazonECSManaged": "", "aws:ec2launchtemplate:id": lt, "aws:ec2launchtemplate:version": "12"},
        )  # fmt: skip
        k.instance_status(tel, h.iid, h.az)
    k.asg(
        tel, "wordpath-prod-ecs", lt_id=lt, lt_name="wordpath-prod-ecs", lt_version="12", minimum=3, maximum=12,
        instances=[(h.iid, h.az, "c6i.2xlarge") for h in hosts], subnets=app_sn, tgs=[],
        created=start - timedelta(days=400), tags={"AmazonECSManaged": "", "env": "prod"},
    )  # fmt: skip
    lb_arn, lb_dim = k.load_balancer(
        tel,
        "lesson-sync-prod",
        vpc=vpc,
        subnets=list(zip(pub_sn, azs, strict=True)),
        sg=sg_alb,
        created=start - timedelta(days=400),
    )
    tg_arn, tg_dim = k.target_group(
        tel, "lesson-sync-prod", vpc=vpc, port=8080, lb_arn=lb_arn, path="/healthz"
    )
    k.ecs_cluster(
        tel,
        cluster_name,
        instances=n_hosts,
        running=after + sum(h.other for h in others),
        services=3,
        providers=[cp],
    )
    deployed = start - timedelta(days=rng.randrange(2, 6), hours=rng.randrange(24))
    img = f"{tel.account}.dkr.ecr.{REGION}.amazonaws.com"
    rev = rng.randrange(300, 420)
    td = k.task_definition(
        tel, "lesson-sync", rev, image=f"{img}/lesson-sync:{rng.randrange(1000, 1999)}-{ids.hex(7)}", port=8080, cpu=512,
        memory=1024, network="bridge", log_group="/ecs/lesson-sync", registered=deployed,
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/wordpath-cd/codepipeline",
        env={"NODE_ENV": "production", "PG_HOST": "wordpath-prod-pg.c" + ids.hex(11) + f".{REGION}.rds.amazonaws.com", "UV_THREADPOOL_SIZE": "8"},
        fargate=False,
    )  # fmt: skip
    pg_host = next(r for r in tel.resources if r["type"] == "TaskDefinition")["item"]["containerDefinitions"][
        0
    ]["environment"][1]["value"]
    svc_arn = k.ecs_service(
        tel, cluster_arn, "lesson-sync", task_def=td, desired=after, running=after, tg_arn=tg_arn, port=8080,
        created=start - timedelta(days=400), deployed=deployed, fargate=False, provider=cp,
        strategy=[{"type": "binpack", "field": "memory"}],
        events=[
            (scale_out + timedelta(seconds=20), "(service lesson-sync) has started " + str(n_added) + " tasks: " + " ".join(f"(task {t})" for t, _ in added) + "."),
            (scale_out + timedelta(minutes=2, seconds=30), f"(service lesson-sync) registered {n_added} targets in (target-group {tg_arn})"),
            (scale_out + timedelta(minutes=3, seconds=5), "(service lesson-sync) has reached a steady state."),
        ],
    )  # fmt: skip
    for name, cnt in (("progress-api", 6), ("notify-worker", 4)):
        tdn = k.task_definition(
            tel, name, rng.randrange(50, 200), image=f"{img}/{name}:{rng.randrange(100, 999)}", port=8080, cpu=256, memory=512,
            network="bridge", log_group=f"/ecs/{name}", registered=deployed - timedelta(days=rng.randrange(1, 20)),
            registered_by=f"arn:aws:sts::{tel.account}:assumed-role/wordpath-cd/codepipeline", env={"NODE_ENV": "production"}, fargate=False,
        )  # fmt: skip
        k.ecs_service(
            tel, cluster_arn, name, task_def=tdn, desired=cnt, running=cnt, tg_arn=None, port=8080,
            created=start - timedelta(days=380), deployed=deployed - timedelta(days=1), fargate=False, provider=cp,
            strategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "instanceId"}],
        )  # fmt: skip
    ports: dict[str, int] = {}
    for h in hosts:
        mem_used = 1024 * len(h.tasks) + 512 * h.other
        cpu_used = 512 * len(h.tasks) + 256 * h.other
        used_ports = []
        for tid in h.tasks:
            ports[tid] = 32768 + rng.randrange(0, 900)
            used_ports.append(str(ports[tid]))
        reg = [
            {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 8192},
            {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 15482},
            {
                "name": "PORTS",
                "type": "STRINGSET",
                "doubleValue": 0.0,
                "longValue": 0,
                "integerValue": 0,
                "stringSetValue": ["22", "2375", "2376", "51678", "51679"],
            },
            {
                "name": "PORTS_UDP",
                "type": "STRINGSET",
                "doubleValue": 0.0,
                "longValue": 0,
                "integerValue": 0,
                "stringSetValue": [],
            },
        ]
        rem = json.loads(json.dumps(reg))
        rem[0]["integerValue"] = 8192 - cpu_used
        rem[1]["integerValue"] = 15482 - mem_used
        rem[2]["stringSetValue"] = rem[2]["stringSetValue"] + used_ports
        tel.resource(
            "ecs",
            "ContainerInstance",
            {
                "containerInstanceArn": h.ci_arn,
                "ec2InstanceId": h.iid,
                "capacityProviderName": cp,
                "version": rng.randrange(200, 900),
                "versionInfo": {
                    "agentVersion": "1.88.0",
                    "agentHash": ids.hex(8),
                    "dockerVersion": "DockerVersion: 25.0.6",
                },
                "remainingResources": rem,
                "registeredResources": reg,
                "status": "ACTIVE",
                "agentConnected": True,
                "runningTasksCount": len(h.tasks) + h.other,
                "pendingTasksCount": 0,
                "agentUpdateStatus": "UPDATED",
                "attributes": [
                    {"name": "ecs.instance-type", "value": "c6i.2xlarge"},
                    {"name": "ecs.availability-zone", "value": h.az},
                    {"name": "ecs.os-type", "value": "linux"},
                    {"name": "ecs.ami-id", "value": ami},
                    {"name": "ecs.capability.task-eni"},
                    {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
                ],
                "registeredAt": k.iso(h.launched + timedelta(seconds=rng.randrange(40, 90))),
                "tags": [],
                "healthStatus": {
                    "overallStatus": "OK",
                    "details": [
                        {
                            "type": "CONTAINER_RUNTIME",
                            "status": "OK",
                            "lastUpdated": k.iso(now - timedelta(minutes=1)),
                            "lastStatusChange": k.iso(h.launched),
                        }
                    ],
                },
            },
        )
        for tid in h.tasks:
            new = any(tid == a for a, _ in added)
            t0 = (
                scale_out + timedelta(seconds=rng.randrange(10, 40))
                if new
                else deployed + timedelta(minutes=rng.randrange(1, 6))
            )
            tarn = f"arn:aws:ecs:{REGION}:{tel.account}:task/{cluster_name}/{tid}"
            tel.resource(
                "ecs",
                "Task",
                {
                    "attachments": [],
                    "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
                    "availabilityZone": h.az,
                    "capacityProviderName": cp,
                    "clusterArn": cluster_arn,
                    "connectivity": "CONNECTED",
                    "connectivityAt": k.iso(t0),
                    "containerInstanceArn": h.ci_arn,
                    "containers": [
                        {
                            "containerArn": f"arn:aws:ecs:{REGION}:{tel.account}:container/{cluster_name}/{tid}/{ids.uuid()}",
                            "taskArn": tarn,
                            "name": "lesson-sync",
                            "image": f"{img}/lesson-sync",
                            "runtimeId": ids.hex(64),
                            "lastStatus": "RUNNING",
                            "networkBindings": [
                                {
                                    "bindIP": "0.0.0.0",
                                    "containerPort": 8080,
                                    "hostPort": ports[tid],
                                    "protocol": "tcp",
                                }
                            ],
                            "networkInterfaces": [],
                            "healthStatus": "HEALTHY",
                            "cpu": "0",
                            "memoryReservation": "512",
                        }
                    ],
                    "cpu": "512",
                    "createdAt": k.iso(t0 - timedelta(seconds=6)),
                    "desiredStatus": "RUNNING",
                    "enableExecuteCommand": False,
                    "group": "service:lesson-sync",
                    "healthStatus": "HEALTHY",
                    "lastStatus": "RUNNING",
                    "launchType": "EC2",
                    "memory": "1024",
                    "overrides": {
                        "containerOverrides": [{"name": "lesson-sync"}],
                        "inferenceAcceleratorOverrides": [],
                    },
                    "pullStartedAt": k.iso(t0 - timedelta(seconds=5)),
                    "pullStoppedAt": k.iso(t0 - timedelta(seconds=2)),
                    "startedAt": k.iso(t0),
                    "startedBy": "ecs-svc/" + str(rng.randrange(10**18, 10**19)),
                    "tags": [],
                    "taskArn": tarn,
                    "taskDefinitionArn": td,
                    "version": 3,
                },
            )
            k.healthy(tel, tg_arn, h.iid, ports[tid], h.az, t0 + timedelta(seconds=45))
    k.rds_instance(
        tel, "wordpath-prod-pg", cls="db.r6g.2xlarge", engine="postgres", version="15.8", az=azs[0], sgs=[sg_db],
        subnet_group="wordpath-prod-db", vpc=vpc, subnets=list(zip(app_sn, azs, strict=True)), created=start - timedelta(days=700),
        storage=400, multi_az=True, pg="wordpath-pg15",
    )  # fmt: skip
    tel.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster_name}/lesson-sync",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 8,
            "MaxCapacity": 40,
            "RoleARN": f"arn:aws:iam::{tel.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso(start - timedelta(days=390)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": f"arn:aws:application-autoscaling:{REGION}:{tel.account}:scalable-target/0e{ids.hex(30)}",
        },
    )
    tel.event(
        "application_autoscaling",
        {
            "ActivityId": ids.uuid(),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster_name}/lesson-sync",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {after}.",
            "Cause": f"monitor alarm TargetTracking-service/{cluster_name}/lesson-sync-AlarmHigh-{ids.uuid()} in state ALARM triggered policy lesson-sync-cpu-target",
            "StartTime": k.iso_ms(scale_out).replace("+0000", "Z"),
            "EndTime": k.iso_ms(scale_out + timedelta(seconds=rng.randrange(60, 200))).replace("+0000", "Z"),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully set desired count to {after}. Change successfully fulfilled by ecs.",
        },
    )

    # --- metrics -----------------------------------------------------------------------------------------
    rpm_peak = rng.randrange(7000, 11000)

    def tasks_at(h: Host, t: datetime) -> int:
        return sum(1 for tid in h.tasks if t >= scale_out or tid not in {a for a, _ in added})

    def total_tasks(t: datetime) -> int:
        return sum(tasks_at(h, t) for h in hosts)

    limit = 1024.0
    lookups = 1.0

    def demand_pps(h: Host, t: datetime) -> float:
        # each request resolves a few hostnames (A + AAAA): nothing caches lookups in the tasks
        per_task = rpm_peak * traffic(t) / 60 / max(1, total_tasks(t))
        return per_task * tasks_at(h, t) * lookups + 20 * h.other

    lookups = (limit * rng.uniform(0.99, 1.01) - 20 * dense.other) / (
        demand_pps(dense, onset) - 20 * dense.other
    )

    def drop_frac(h: Host, t: datetime) -> float:
        d = demand_pps(h, t)
        return max(0.0, (d - limit) / d) if d > 0 else 0.0

    req: dict[datetime, float] = {}

    def requests(t: datetime, p: int) -> float:
        v = float(round(k.noisy(rng, rpm_peak * traffic(t) * p / 60, 0.04)))
        req[t] = v
        return v

    def fail_frac(t: datetime) -> float:
        f = drop_frac(dense, t)
        on_dense = tasks_at(dense, t) / max(1, total_tasks(t))
        return on_dense * min(0.5, 0.55 * f)

    def e5(t: datetime, p: int) -> float | None:
        n = k.poisson(rng, req[t] * (0.00015 + fail_frac(t)))
        return float(n) or None

    def latency(t: datetime, p: int) -> float:
        f = drop_frac(dense, t)
        on_dense = tasks_at(dense, t) / max(1, total_tasks(t))
        return k.noisy(rng, 0.071 + 0.02 * traffic(t) + on_dense * f * 5.2, 0.06)

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
        lambda t, p: req[t] * (0.985 - fail_frac(t)),
        stat="Sum",
        digits=0,
    )
    tel.add_series(
        ns,
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: float(k.poisson(rng, req[t] * 0.012)) or None,
        stat="Sum",
        digits=0,
    )
    tel.add_series(ns, "TargetResponseTime", lbd, "Seconds", times, latency, digits=4)
    tel.add_series(ns, "HealthyHostCount", tgd, "Count", times, lambda t, p: float(total_tasks(t)), digits=0)
    tel.add_series(ns, "UnHealthyHostCount", tgd, "Count", times, lambda t, p: 0.0, digits=0)
    sd = {"ClusterName": cluster_name, "ServiceName": "lesson-sync"}
    tel.add_series(
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 12 + 62 * traffic(t) * before / total_tasks(t), 0.05),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS",
        "MemoryUtilization",
        sd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 38 + 6 * traffic(t), 0.03),
        digits=2,
    )
    for name in ("progress-api", "notify-worker"):
        tel.add_series(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster_name, "ServiceName": name},
            "Percent",
            times,
            lambda t, p: k.noisy(rng, 8 + 30 * traffic(t), 0.08),
            digits=2,
        )
    cd = {"ClusterName": cluster_name}
    tel.add_series(
        "AWS/ECS",
        "CPUReservation",
        cd,
        "Percent",
        times,
        lambda t, p: 100 * (512 * total_tasks(t) + 256 * sum(h.other for h in others)) / (8192 * n_hosts),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS",
        "MemoryReservation",
        cd,
        "Percent",
        times,
        lambda t, p: 100 * (1024 * total_tasks(t) + 512 * sum(h.other for h in others)) / (15482 * n_hosts),
        digits=2,
    )

    cum = {h.iid: float(rng.randrange(0, 4000)) for h in hosts}
    for h in hosts:

        def host_cpu(t: datetime, p: int, h: Host = h) -> float:
            return k.noisy(
                rng, 3 + 70 * traffic(t) * tasks_at(h, t) / max(1, total_tasks(t)) * (before / 4), 0.06
            )

        def pkts(t: datetime, p: int, h: Host = h) -> float:
            return k.noisy(rng, (900 * tasks_at(h, t) * traffic(t) + 300) * p, 0.05)

        def linklocal(t: datetime, p: int, h: Host = h) -> float:
            d = demand_pps(h, t)
            if d > limit:
                cum[h.iid] += (d - limit) * p * rng.uniform(0.9, 1.1)
            return cum[h.iid]

        tel.add_series(
            "AWS/EC2", "CPUUtilization", {"InstanceId": h.iid}, "Percent", times, host_cpu, digits=2
        )
        tel.add_series(
            "AWS/EC2", "NetworkPacketsOut", {"InstanceId": h.iid}, "Count", times, pkts, stat="Sum", digits=0
        )
        edim = {
            "InstanceId": h.iid,
            "AutoScalingGroupName": "wordpath-prod-ecs",
            "driver": "ena",
            "interface": "eth0",
        }
        tel.add_series(
            "CWAgent", "ethtool_linklocal_allowance_exceeded", edim, "None", times, linklocal, digits=0
        )
        tel.add_series(
            "CWAgent",
            "ethtool_pps_allowance_exceeded",
            edim,
            "None",
            times,
            _const(float(rng.randrange(0, 40))),
            digits=0,
        )
        tel.add_series(
            "CWAgent", "ethtool_conntrack_allowance_exceeded", edim, "None", times, lambda t, p: 0.0, digits=0
        )
    rd = {"DBInstanceIdentifier": "wordpath-prod-pg"}
    tel.add_series(
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 9 + 40 * traffic(t), 0.06),
        digits=2,
    )
    tel.add_series(
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        times,
        lambda t, p: float(10 * total_tasks(t) + 62 + rng.randrange(-3, 4)),
        digits=0,
    )
    tel.add_series(
        "AWS/RDS", "ReadLatency", rd, "Seconds", times, lambda t, p: k.noisy(rng, 0.0011, 0.15), digits=5
    )

    # --- alarms ------------------------------------------------------------------------------------------
    existing = start - timedelta(days=rng.randrange(100, 300))
    main = k.alarm(
        tel, "lesson-sync-target-5xx", s5, stat="Sum", period=60, evaluations=5, to_alarm=3, threshold=60.0,
        op="GreaterThanThreshold", created=start, now=now, existing=existing, missing="notBreaching",
        description="lesson-sync ALB target 5xx > 60/min in 3 of 5 minutes. Pages wordpath on-call.", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "lesson-sync-unhealthy-targets", tel.find(ns, "UnHealthyHostCount", tgd), stat="Maximum", period=60, evaluations=3,
        to_alarm=3, threshold=0.0, op="GreaterThanThreshold", created=start, now=now, existing=existing,
        description="lesson-sync has unhealthy targets", actions=[topic],
    )  # fmt: skip
    k.alarm(
        tel, "wordpath-prod-pg-cpu", tel.find("AWS/RDS", "CPUUtilization", rd), stat="Average", period=300, evaluations=3,
        to_alarm=3, threshold=80.0, op="GreaterThanThreshold", created=start, now=now, existing=existing,
        description="wordpath postgres CPU > 80%", actions=[topic],
    )  # fmt: skip

    # --- logs --------------------------------------------------------------------------------------------
    log_from = fine_from - timedelta(minutes=45)
    deps = [
        pg_host,
        f"wordpath-redis.{ids.hex(6)}.ng.0001.use1.cache.amazonaws.com",
        f"dynamodb.{REGION}.amazonaws.com",
        "fcm.googleapis.com",
    ]
    routes = [
        "POST /v1/sync/lessons",
        "POST /v1/sync/progress",
        "GET /v1/sync/state",
        "POST /v1/sync/audio-attempts",
    ]
    t = log_from
    task_list = [(tid, h) for h in hosts for tid in h.tasks]
    while t < now:
        live = [(tid, h) for tid, h in task_list if t >= scale_out or tid not in {a for a, _ in added}]
        tid, h = live[rng.randrange(len(live))]
        stream = f"ecs/lesson-sync/{tid}"
        route = rng.choice(routes)
        fail = h is dense and rng.random() < min(0.5, 0.55 * drop_frac(h, t)) * 3
        ts = k.iso_ms(t).replace("+0000", "Z")
        if fail:
            host = rng.choice(deps)
            err = {
                "level": "error",
                "time": ts,
                "msg": "sync request failed",
                "route": route,
                "userId": f"u_{ids.hex(12)}",
                "err": {
                    "type": "Error",
                    "message": f"getaddrinfo EAI_AGAIN {host}",
                    "stack": f"Error: getaddrinfo EAI_AGAIN {host}\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:109:26)",
                    "errno": -3001,
                    "code": "EAI_AGAIN",
                    "syscall": "getaddrinfo",
                    "hostname": host,
                },
                "durationMs": rng.choice([rng.randrange(5004, 5090), rng.randrange(10008, 10090)]),
            }
            tel.log("/ecs/lesson-sync", stream, t, json.dumps(err, separators=(",", ":")))
        else:
            ms = rng.randrange(12, 140)
            if h is dense and rng.random() < drop_frac(h, t):
                ms += 5000
            tel.log(
                "/ecs/lesson-sync",
                stream,
                t,
                json.dumps(
                    {
                        "level": "info",
                        "time": ts,
                        "msg": "request",
                        "route": route,
                        "status": 200,
                        "durationMs": ms,
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.01:
            tel.log(
                "/ecs/lesson-sync",
                stream,
                t + timedelta(milliseconds=3),
                json.dumps(
                    {
                        "level": "warn",
                        "time": ts,
                        "msg": "client sent stale lesson revision, merging",
                        "route": "POST /v1/sync/lessons",
                    },
                    separators=(",", ":"),
                ),
            )
        t += timedelta(seconds=rng.uniform(0.8, 2.5) if t >= onset else rng.uniform(2, 5))
    # ECS agent logs on each host: nothing unusual
    for h in hosts:
        t = log_from + timedelta(seconds=rng.randrange(120))
        while t < now:
            lvl = "info" if rng.random() < 0.95 else "warn"
            msg = (
                "Managed task stats collected"
                if lvl == "info"
                else "Error getting instance metrics: timeout waiting for docker stats, retrying"
            )
            tel.log(
                "/wordpath/ecs/agent",
                f"{h.iid}/ecs-agent.log",
                t,
                f'level={lvl} time={k.iso(t)} msg="{msg}" module=task_manager.go',
            )
            t += timedelta(seconds=rng.uniform(180, 420))

    # --- CloudTrail --------------------------------------------------------------------------------------
    sre = k.sso_user(
        tel,
        "ines.moreau@wordpath.io",
        "SRE",
        f"108.{rng.randrange(2, 60)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    dev = k.cli_user(
        tel,
        "kwame.asante@wordpath.io",
        "Developer",
        f"71.{rng.randrange(160, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    cd_role = k.role_session(
        tel,
        "wordpath-cd",
        "codepipeline",
        "codepipeline.amazonaws.com",
        "codepipeline.amazonaws.com",
        invoked_by="codepipeline.amazonaws.com",
    )
    aas = k.service_linked(
        tel,
        "ecs.application-autoscaling.amazonaws.com",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
    )
    mon = k.role_session(
        tel,
        "datadog-integration",
        ids.hex(32),
        f"3.233.{rng.randrange(144, 160)}.{rng.randrange(256)}",
        "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
    )
    k.routine_reads(
        tel,
        [
            (
                mon,
                [
                    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
                    ("ecs.amazonaws.com", "ListClusters", None),
                    (
                        "ecs.amazonaws.com",
                        "DescribeServices",
                        {
                            "cluster": cluster_name,
                            "services": ["lesson-sync", "progress-api", "notify-worker"],
                        },
                    ),
                    ("rds.amazonaws.com", "DescribeDBInstances", None),
                ],
            ),
            (
                sre,
                [
                    (
                        "ecs.amazonaws.com",
                        "ListTasks",
                        {"cluster": cluster_name, "serviceName": "lesson-sync"},
                    ),
                    ("cloudwatch.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "lesson-sync"}),
                ],
            ),
        ],
        start,
        now,
        26,
    )
    k.trail(
        tel, scale_out, aas, "ecs.amazonaws.com", "UpdateService",
        {"cluster": cluster_name, "service": "lesson-sync", "desiredCount": after},
        {"service": {"serviceName": "lesson-sync", "serviceArn": svc_arn, "desiredCount": after, "status": "ACTIVE"}},
    )  # fmt: skip
    pd_t = start + timedelta(hours=1, minutes=rng.randrange(60))
    k.trail(
        tel,
        pd_t,
        cd_role,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {"family": "notify-worker", "networkMode": "bridge", "requiresCompatibilities": ["EC2"]},
        {"taskDefinition": {"family": "notify-worker", "status": "ACTIVE"}},
    )
    zone = "Z0" + ids.upper(19)
    r53_t = onset - timedelta(minutes=rng.randrange(11, 17), seconds=rng.randrange(60))
    k.trail(
        tel, r53_t, sre, "route53.amazonaws.com", "ChangeResourceRecordSets",
        {"hostedZoneId": zone, "changeBatch": {"comment": "shift search reads to the new opensearch domain", "changes": [{"action": "UPSERT", "resourceRecordSet": {"name": "search.wordpath.internal", "type": "CNAME", "tTL": 60, "resourceRecords": [{"value": f"vpc-wordpath-search-2-{ids.hex(26)}.{REGION}.es.amazonaws.com"}]}}]}},
        {"changeInfo": {"id": "/change/C0" + ids.upper(19), "status": "PENDING", "submittedAt": r53_t.strftime("%b %-d, %Y, %-I:%M:%S %p"), "comment": "shift search reads to the new opensearch domain"}},
    )  # fmt: skip
    k.trail(
        tel,
        r53_t + timedelta(minutes=1),
        sre,
        "route53.amazonaws.com",
        "GetChange",
        {"id": "C0" + ids.upper(19)},
        read_only=True,
    )
    ssm_t = onset - timedelta(minutes=rng.randrange(21, 28), seconds=rng.randrange(60))
    k.trail(
        tel,
        ssm_t,
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/wordpath/notify-worker/batch-size", "type": "String", "overwrite": True},
        {"version": 9, "tier": "Standard"},
    )
    k.trail(
        tel, ssm_t + timedelta(minutes=2), dev, "ecs.amazonaws.com", "UpdateService",
        {"cluster": cluster_name, "service": "notify-worker", "forceNewDeployment": True},
        {"service": {"serviceName": "notify-worker", "desiredCount": 4, "status": "ACTIVE"}},
    )  # fmt: skip
    k.trail(
        tel,
        onset + timedelta(minutes=8),
        sre,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster_name, "services": ["lesson-sync"]},
        read_only=True,
    )
    k.trail(
        tel,
        onset + timedelta(minutes=9),
        sre,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": tg_arn},
        read_only=True,
    )

    event = k.alarm_event(tel, main)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": tel.account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": dense.iid,
                    "category": "limit",
                    "failure_mode": "link-local-dns-packet-allowance-exceeded",
                },
                "also_accept": [dense.ci_arn, dense.ci_arn.rsplit("/", 1)[-1]],
                "actions": ["reconfigure", "exclude"],
                "chain": [
                    f"binpack placement stacks most lesson-sync tasks (bridge mode, no DNS caching) on {dense.iid}",
                    f"at the evening peak {dense.iid}'s DNS queries to the VPC resolver exceed the per-ENI link-local packet allowance (ethtool linklocal_allowance_exceeded climbs)",
                    "lookups from tasks on that host time out (getaddrinfo EAI_AGAIN), requests fail or take 5-10 s",
                    "lesson-sync ALB target 5xx alarm",
                ],
            },
        }
    )
    return Bundle(manifest, tel.records(now))
