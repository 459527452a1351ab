"""pitchside: a cluster CPU-reservation alarm pages; is the ECS cluster out of capacity?"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zm as k

NAME = "pitchside-cluster-cpu-reservation"
TITLE = "pitchside-prod cluster CPU-reservation alarm paged; are we out of capacity?"
SUMMARY = (
    "A CPU-reservation alarm created that morning crossed its threshold as the evening traffic rose; the "
    "capacity provider (target 90%) and service auto scaling behaved as designed, no errors or latency: no fault."
)

ZONE = ZoneInfo("Europe/Dublin")
REGION = "eu-west-1"
HOST_CPU = 4096
API_CPU = 1024
FIXED_CPU = 4 * 512 + 2 * 512


def build(seed: int) -> Bundle:
    tel = k.Telemetry(NAME, seed, REGION)
    rng, ids = tel.rng, tel.ids
    day = k.pick_day(rng)
    local_midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    start = k.floor_min((local_midnight - timedelta(hours=18)).astimezone(k.UTC), 5)
    created = (
        local_midnight + timedelta(hours=10, minutes=rng.randrange(10, 80), seconds=rng.randrange(60))
    ).astimezone(k.UTC)
    offset = (created.astimezone(ZONE).utcoffset() or timedelta(0)).total_seconds() / 3600
    peak_h = rng.uniform(19.3, 20.1)
    rpm_peak = rng.randrange(5200, 8200)

    def traffic(t: datetime) -> float:
        return k.diurnal(t, offset, peak_h=peak_h, low=0.07, width=2.4)

    # service auto scaling (target tracking on CPU) and the capacity provider (target capacity 90%)
    def api_tasks(t: datetime) -> int:
        lagged = t - timedelta(minutes=4)
        return max(4, math.ceil(traffic(lagged) * rpm_peak / 520))

    def reserved(t: datetime) -> int:
        return api_tasks(t) * API_CPU + FIXED_CPU

    def hosts_needed(t: datetime) -> int:
        lagged = t - timedelta(minutes=6)
        return max(3, math.ceil(reserved(lagged) / (HOST_CPU * 0.9)))

    def reservation(t: datetime) -> float:
        return 100.0 * reserved(t) / (hosts_needed(t) * HOST_CPU)

    # the alarm's first breach after it was created: 3 consecutive 5-minute averages above 80%
    t = k.floor_min(created, 5) + timedelta(minutes=5)
    streak = 0
    fire = None
    while t < created + timedelta(hours=14):
        avg = sum(reservation(t + timedelta(minutes=m)) for m in range(5)) / 5
        streak = streak + 1 if avg > 80 else 0
        if streak == 3:
            fire = t + timedelta(minutes=5)
            break
        t += timedelta(minutes=5)
    assert fire is not None
    now = fire + timedelta(minutes=rng.randrange(28, 40))
    fine_from = k.floor_min(fire - timedelta(minutes=80), 5)
    times = list(k.grid(start, now, fine_from))

    # --- fleet: which instances existed when -----------------------------------------------------------
    vpc = ids.vpc()
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    sn = [ids.subnet() for _ in azs]
    pub = [ids.subnet() for _ in azs]
    sg_alb, sg_ecs, sg_db = (ids.sg() for _ in range(3))
    ami, lt = ids.ami(), ids.lt()
    cluster = "pitchside-prod"
    cp = "pitchside-prod-ec2"
    asg_name = "pitchside-prod-ecs"
    topic = f"arn:aws:sns:{REGION}:{tel.account}:pitchside-platform"
    # instance lifetimes follow hosts_needed over time (newest terminated first on scale-in)
    lives: list[list[object]] = []  # [iid, az, ip, launched, terminated|None]
    tt = start
    while tt <= now:
        need = hosts_needed(tt)
        alive = [life for life in lives if life[4] is None]
        while len(alive) < need:
            i = len(lives)
            life: list[object] = [
                ids.instance(),
                azs[i % 3],
                ids.ip(64, 16 * (i % 3) + rng.randrange(0, 15)),
                tt + timedelta(seconds=rng.randrange(5, 50)),
                None,
            ]
            lives.append(life)
            alive.append(life)
        while len(alive) > need:
            victim = alive.pop()
            victim[4] = tt + timedelta(seconds=rng.randrange(5, 50))
        tt += timedelta(minutes=1)
    # the baseline hosts were launched well before the bundle
    for life in lives[:3]:
        life[3] = start - timedelta(days=rng.randrange(2, 12), hours=rng.randrange(24))

    def alive_at(life: list[object], t: datetime) -> bool:
        launched = life[3]
        gone = life[4]
        assert isinstance(launched, datetime)
        return launched <= t and (gone is None or (isinstance(gone, datetime) and t < gone))

    current = [life for life in lives if alive_at(life, now)]

    # --- resources ---------------------------------------------------------------------------------------
    k.vpc_item(tel, vpc, "10.64.0.0/16", "pitchside-prod")
    for i, az in enumerate(azs):
        k.subnet_item(
            tel,
            sn[i],
            vpc,
            az,
            f"10.64.{16 * i}.0/20",
            f"pitchside-prod-private-{az[-1]}",
            3950 + rng.randrange(100),
        )
    k.security_group(
        tel, sg_alb, "pitchside-alb", "pitchside public ALB", vpc, [k.sg_rule(443, cidr="0.0.0.0/0")]
    )
    k.security_group(
        tel,
        sg_ecs,
        "pitchside-ecs",
        "pitchside ECS hosts",
        vpc,
        [
            {
                "FromPort": 32768,
                "IpProtocol": "tcp",
                "ToPort": 65535,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": tel.account}],
            }
        ],
    )
    k.security_group(tel, sg_db, "pitchside-db", "pitchside mysql", vpc, [k.sg_rule(3306, group=sg_ecs)])
    for life in current:
        iid, az, ip, launched = str(life[0]), str(life[1]), str(life[2]), life[3]
        assert isinstance(launched, datetime)
        k.ec2_instance(
            tel, iid=iid, itype="c7g.xlarge", ami=ami, az=az, subnet=sn[azs.index(az)], vpc=vpc, ip=ip, sgs=[(sg_ecs, "pitchside-ecs")],
            launched=launched, profile="pitchside-ecs-instance", volumes=[("/dev/xvda", ids.vol())],
            tags={"Name": "pitchside-prod-ecs", "aws:autoscaling:groupName": asg_name, "AmazonECSManaged": ""},
        )  # fmt: skip
        k.instance_status(tel, iid, az)
    k.asg(
        tel, asg_name, lt_id=lt, lt_name=asg_name, lt_version="7", minimum=3, maximum=10,
        instances=[(str(life[0]), str(life[1]), "c7g.xlarge") for life in current], subnets=sn, tgs=[],
        created=start - timedelta(days=300), tags={"AmazonECSManaged": "", "env": "prod"},
    )  # fmt: skip
    lb_arn, lb_dim = k.load_balancer(
        tel,
        "pitchside-prod",
        vpc=vpc,
        subnets=list(zip(pub, azs, strict=True)),
        sg=sg_alb,
        created=start - timedelta(days=300),
    )
    tg_api, tg_api_dim = k.target_group(
        tel, "fixtures-api-prod", vpc=vpc, port=8080, lb_arn=lb_arn, path="/health"
    )
    tg_web, tg_web_dim = k.target_group(
        tel, "league-web-prod", vpc=vpc, port=3000, lb_arn=lb_arn, path="/health"
    )
    cluster_arn = k.ecs_cluster(
        tel, cluster, instances=len(current), running=api_tasks(now) + 6, services=3, providers=[cp]
    )
    tel.resource(
        "ecs",
        "CapacityProvider",
        {
            "capacityProviderArn": f"arn:aws:ecs:{REGION}:{tel.account}:capacity-provider/{cp}",
            "name": cp,
            "status": "ACTIVE",
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": f"arn:aws:autoscaling:{REGION}:{tel.account}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                "managedScaling": {
                    "status": "ENABLED",
                    "targetCapacity": 90,
                    "minimumScalingStepSize": 1,
                    "maximumScalingStepSize": 4,
                    "instanceWarmupPeriod": 120,
                },
                "managedTerminationProtection": "DISABLED",
                "managedDraining": "ENABLED",
            },
            "updateStatus": "UPDATE_COMPLETE",
            "tags": [],
        },
    )
    img = f"{tel.account}.dkr.ecr.{REGION}.amazonaws.com"
    deployed = start - timedelta(days=rng.randrange(1, 5))
    web_deploy = fire - timedelta(minutes=rng.randrange(16, 26), seconds=rng.randrange(60))
    api_td = k.task_definition(
        tel,
        "fixtures-api",
        rng.randrange(200, 300),
        image=f"{img}/fixtures-api:{ids.hex(8)}",
        port=8080,
        cpu=API_CPU,
        memory=2048,
        network="bridge",
        log_group="/ecs/fixtures-api",
        registered=deployed,
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/pitchside-github-deploy/gha",
        env={"SPRING_PROFILES_ACTIVE": "prod"},
        fargate=False,
    )
    web_rev = rng.randrange(80, 140)
    web_td = k.task_definition(
        tel,
        "league-web",
        web_rev,
        image=f"{img}/league-web:{ids.hex(8)}",
        port=3000,
        cpu=512,
        memory=1024,
        network="bridge",
        log_group="/ecs/league-web",
        registered=web_deploy - timedelta(seconds=20),
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/pitchside-github-deploy/gha",
        env={"NODE_ENV": "production"},
        fargate=False,
    )
    wk_td = k.task_definition(
        tel,
        "results-worker",
        rng.randrange(30, 70),
        image=f"{img}/results-worker:{ids.hex(8)}",
        port=9090,
        cpu=512,
        memory=1024,
        network="bridge",
        log_group="/ecs/results-worker",
        registered=deployed,
        registered_by=f"arn:aws:sts::{tel.account}:assumed-role/pitchside-github-deploy/gha",
        env={"SPRING_PROFILES_ACTIVE": "prod"},
        fargate=False,
    )
    api_events: list[tuple[datetime, str]] = []
    prev = api_tasks(start)
    tt = start
    while tt <= now:
        n = api_tasks(tt)
        if n > prev:
            api_events.append(
                (
                    tt + timedelta(seconds=rng.randrange(10, 40)),
                    f"(service fixtures-api) has started {n - prev} tasks: "
                    + " ".join(f"(task {ids.hex(32)})" for _ in range(n - prev))
                    + ".",
                )
            )
        elif n < prev:
            api_events.append(
                (
                    tt + timedelta(seconds=rng.randrange(10, 40)),
                    f"(service fixtures-api) has stopped {prev - n} running tasks: "
                    + " ".join(f"(task {ids.hex(32)})" for _ in range(prev - n))
                    + ".",
                )
            )
        prev = n
        tt += timedelta(minutes=1)
    api_events = api_events[-40:]
    api_events.append(
        (now - timedelta(minutes=rng.randrange(2, 9)), "(service fixtures-api) has reached a steady state.")
    )
    k.ecs_service(
        tel,
        cluster_arn,
        "fixtures-api",
        task_def=api_td,
        desired=api_tasks(now),
        running=api_tasks(now),
        tg_arn=tg_api,
        port=8080,
        created=start - timedelta(days=300),
        deployed=deployed,
        fargate=False,
        provider=cp,
        strategy=[
            {"type": "spread", "field": "attribute:ecs.availability-zone"},
            {"type": "binpack", "field": "cpu"},
        ],
        events=api_events,
    )
    k.ecs_service(
        tel, cluster_arn, "league-web", task_def=web_td, desired=4, running=4, tg_arn=tg_web, port=3000, created=start - timedelta(days=300),
        deployed=web_deploy, fargate=False, provider=cp, strategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        events=[
            (web_deploy + timedelta(seconds=30), "(service league-web) has started 4 tasks: " + " ".join(f"(task {ids.hex(32)})" for _ in range(4)) + "."),
            (web_deploy + timedelta(minutes=2, seconds=40), "(service league-web) has stopped 4 running tasks: " + " ".join(f"(task {ids.hex(32)})" for _ in range(4)) + "."),
            (web_deploy + timedelta(minutes=3, seconds=30), f"(service league-web) deployment ecs-svc/{rng.randrange(10**18, 10**19)} deployment completed."),
            (web_deploy + timedelta(minutes=3, seconds=50), "(service league-web) has reached a steady state."),
        ],
    )  # fmt: skip
    k.ecs_service(
        tel,
        cluster_arn,
        "results-worker",
        task_def=wk_td,
        desired=2,
        running=2,
        tg_arn=None,
        port=9090,
        created=start - timedelta(days=300),
        deployed=deployed,
        fargate=False,
        provider=cp,
    )
    k.rds_instance(
        tel,
        "pitchside-prod-mysql",
        cls="db.r7g.large",
        engine="mysql",
        version="8.0.39",
        az=azs[1],
        sgs=[sg_db],
        subnet_group="pitchside-prod-db",
        vpc=vpc,
        subnets=list(zip(sn, azs, strict=True)),
        created=start - timedelta(days=800),
        storage=200,
        multi_az=True,
        pg="pitchside-mysql80",
    )
    tel.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/fixtures-api",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 4,
            "MaxCapacity": 30,
            "RoleARN": f"arn:aws:iam::{tel.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso(start - timedelta(days=290)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    tel.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{REGION}:{tel.account}:scalingPolicy:{ids.uuid()}:resource/ecs/service/{cluster}/fixtures-api:policyName/fixtures-api-cpu60",
            "PolicyName": "fixtures-api-cpu60",
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/fixtures-api",
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
                "DisableScaleIn": False,
            },
            "Alarms": [],
            "CreationTime": k.iso(start - timedelta(days=290)),
        },
    )

    # autoscaling activities for the hosts, application autoscaling for the service
    asg_policy = f"ECSManagedAutoScalingPolicy-{ids.uuid()}"
    for life in lives[3:]:
        iid, az = str(life[0]), str(life[1])
        launched, gone = life[3], life[4]
        assert isinstance(launched, datetime)
        if launched > now:
            continue
        tel.event(
            "autoscaling",
            {
                "ActivityId": ids.uuid(),
                "AutoScalingGroupName": asg_name,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": f"At {k.iso(launched - timedelta(seconds=30))} a monitor alarm TargetTracking-{asg_name}-AlarmHigh-{ids.uuid()} in state ALARM triggered policy {asg_policy} changing the desired capacity. At {k.iso(launched)} an instance was started in response to a difference between desired and actual capacity.",
                "StartTime": k.iso(launched),
                "EndTime": k.iso(launched + timedelta(seconds=rng.randrange(30, 70))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": sn[azs.index(az)], "Availability Zone": az}),
            },
        )
        if isinstance(gone, datetime) and gone <= now:
            tel.event(
                "autoscaling",
                {
                    "ActivityId": ids.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Terminating EC2 instance: {iid}",
                    "Cause": f"At {k.iso(gone - timedelta(seconds=40))} a monitor alarm TargetTracking-{asg_name}-AlarmLow-{ids.uuid()} in state ALARM triggered policy {asg_policy} changing the desired capacity. At {k.iso(gone)} instance {iid} was selected for termination.",
                    "StartTime": k.iso(gone),
                    "EndTime": k.iso(gone + timedelta(seconds=rng.randrange(60, 300))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": sn[azs.index(az)], "Availability Zone": az}),
                },
            )
    prev = api_tasks(start)
    tt = start
    while tt <= now:
        n = api_tasks(tt)
        if n != prev and tt > now - timedelta(hours=30):
            tel.event(
                "application_autoscaling",
                {
                    "ActivityId": ids.uuid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": f"service/{cluster}/fixtures-api",
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {n}.",
                    "Cause": f"monitor alarm TargetTracking-service/{cluster}/fixtures-api-Alarm{'High' if n > prev else 'Low'}-{ids.uuid()} in state ALARM triggered policy fixtures-api-cpu60",
                    "StartTime": k.iso_ms(tt - timedelta(minutes=4)).replace("+0000", "Z"),
                    "EndTime": k.iso_ms(tt - timedelta(minutes=3)).replace("+0000", "Z"),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                },
            )
        prev = n
        tt += timedelta(minutes=1)

    # --- metrics -----------------------------------------------------------------------------------------
    cd = {"ClusterName": cluster}
    res = tel.add_series(
        "AWS/ECS", "CPUReservation", cd, "Percent", times, lambda t, p: reservation(t), digits=2
    )
    tel.add_series(
        "AWS/ECS", "MemoryReservation", cd, "Percent", times, lambda t, p: reservation(t) * 0.62, digits=2
    )
    tel.add_series(
        "AWS/ECS",
        "CPUUtilization",
        cd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, reservation(t) * 0.58 * (0.6 + 0.4 * traffic(t)), 0.05),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS",
        "MemoryUtilization",
        cd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, reservation(t) * 0.41, 0.03),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS/ManagedScaling",
        "CapacityProviderReservation",
        {"ClusterName": cluster, "CapacityProviderName": cp},
        "Percent",
        times,
        lambda t, p: 100 * math.ceil(reserved(t) / HOST_CPU * 1.0) / hosts_needed(t) if reserved(t) else 0.0,
        digits=1,
    )
    ad = {"ClusterName": cluster, "ServiceName": "fixtures-api"}
    tel.add_series(
        "AWS/ECS",
        "CPUUtilization",
        ad,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, min(72.0, 60 * traffic(t) * rpm_peak / 520 / api_tasks(t) + 4), 0.05),
        digits=2,
    )
    tel.add_series(
        "AWS/ECS", "MemoryUtilization", ad, "Percent", times, lambda t, p: k.noisy(rng, 47, 0.03), digits=2
    )
    tel.add_series(
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        {"AutoScalingGroupName": asg_name},
        "None",
        times,
        lambda t, p: float(sum(1 for life in lives if alive_at(life, t))),
        digits=0,
    )
    tel.add_series(
        "AWS/AutoScaling",
        "GroupDesiredCapacity",
        {"AutoScalingGroupName": asg_name},
        "None",
        times,
        lambda t, p: float(hosts_needed(t)),
        digits=0,
    )

    def host_cpu(life: list[object]) -> Callable[[datetime, int], float | None]:
        def value(t: datetime, p: int) -> float | None:
            if not alive_at(life, t):
                return None
            return k.noisy(rng, reservation(t) * 0.5 * (0.6 + 0.4 * traffic(t)), 0.08)

        return value

    def healthy_count(fixed: int) -> Callable[[datetime, int], float]:
        return lambda t, p: float(fixed or api_tasks(t))

    for life in lives:
        iid = str(life[0])
        if not any(alive_at(life, t) for t, _ in times):
            continue
        tel.add_series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            times,
            host_cpu(life),
            digits=2,
        )
    req: dict[datetime, float] = {}

    def requests(t: datetime, p: int) -> float:
        v = float(round(k.noisy(rng, rpm_peak * traffic(t) * p / 60, 0.04)))
        req[t] = v
        return v

    lbd = {"LoadBalancer": lb_dim}
    ns = "AWS/ApplicationELB"
    tel.add_series(ns, "RequestCount", lbd, "Count", times, requests, stat="Sum", digits=0)
    tel.add_series(
        ns,
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: float(k.poisson(rng, req[t] * 0.0001)) or None,
        stat="Sum",
        digits=0,
    )
    tel.add_series(
        ns,
        "HTTPCode_Target_2XX_Count",
        lbd,
        "Count",
        times,
        lambda t, p: req[t] * 0.978,
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
    lat = tel.add_series(
        ns,
        "TargetResponseTime",
        lbd,
        "Seconds",
        times,
        lambda t, p: k.noisy(rng, 0.052 + 0.018 * traffic(t), 0.07),
        digits=4,
    )
    for tgd, fixed in (
        ({"LoadBalancer": lb_dim, "TargetGroup": tg_api_dim}, 0),
        ({"LoadBalancer": lb_dim, "TargetGroup": tg_web_dim}, 4),
    ):
        tel.add_series(ns, "HealthyHostCount", tgd, "Count", times, healthy_count(fixed), digits=0)
        tel.add_series(ns, "UnHealthyHostCount", tgd, "Count", times, lambda t, p: 0.0, digits=0)
    rd = {"DBInstanceIdentifier": "pitchside-prod-mysql"}
    tel.add_series(
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        times,
        lambda t, p: k.noisy(rng, 7 + 31 * traffic(t), 0.06),
        digits=2,
    )
    tel.add_series(
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        times,
        lambda t, p: float(api_tasks(t) * 10 + 30 + rng.randrange(-2, 3)),
        digits=0,
    )

    # --- alarms ------------------------------------------------------------------------------------------
    main = k.alarm(
        tel, "pitchside-prod-cpu-reservation-high", res, stat="Average", period=300, evaluations=3, to_alarm=3, threshold=80.0,
        op="GreaterThanThreshold", created=created, now=now, description="ECS cluster pitchside-prod CPU reservation above 80% - cluster running out of room for tasks",
        actions=[topic],
    )  # fmt: skip
    existing = start - timedelta(days=200)
    k.alarm(
        tel,
        "pitchside-prod-5xx",
        tel.find(ns, "HTTPCode_Target_5XX_Count", lbd),
        stat="Sum",
        period=60,
        evaluations=5,
        to_alarm=3,
        threshold=25.0,
        op="GreaterThanThreshold",
        created=start,
        now=now,
        existing=existing,
        missing="notBreaching",
        description="pitchside ALB target 5xx",
        actions=[topic],
    )
    k.alarm(
        tel,
        "pitchside-prod-latency",
        lat,
        stat="Average",
        period=60,
        evaluations=5,
        to_alarm=5,
        threshold=0.5,
        op="GreaterThanThreshold",
        created=start,
        now=now,
        existing=existing,
        description="pitchside average response time > 500 ms",
        actions=[topic],
    )
    k.alarm(
        tel,
        "pitchside-prod-mysql-cpu",
        tel.find("AWS/RDS", "CPUUtilization", rd),
        stat="Average",
        period=300,
        evaluations=3,
        to_alarm=3,
        threshold=80.0,
        op="GreaterThanThreshold",
        created=start,
        now=now,
        existing=existing,
        description="pitchside mysql CPU > 80%",
        actions=[topic],
    )

    # --- logs --------------------------------------------------------------------------------------------
    log_from = fine_from - timedelta(minutes=60)
    t = log_from
    streams = [ids.hex(32) for _ in range(api_tasks(now))]
    while t < now:
        path = rng.choice(
            ["/api/v1/fixtures?league=", "/api/v1/tables/", "/api/v1/results/", "/api/v1/teams/"]
        ) + str(rng.randrange(100, 999))
        ms = max(3, int(rng.gauss(38, 14)))
        stamp = t.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        tel.log(
            "/ecs/fixtures-api",
            f"ecs/fixtures-api/{streams[rng.randrange(len(streams))]}",
            t,
            f"{stamp}  INFO 1 --- [fixtures-api] [nio-8080-exec-{rng.randrange(1, 40)}] c.p.fixtures.web.RequestLogFilter        : GET {path} 200 {ms}ms",
        )
        if rng.random() < 0.02:
            tel.log(
                "/ecs/fixtures-api",
                f"ecs/fixtures-api/{streams[0]}",
                t,
                f"{stamp}  WARN 1 --- [fixtures-api] [nio-8080-exec-{rng.randrange(1, 40)}] c.p.fixtures.client.WeatherClient       : weather provider slow ({rng.randrange(1500, 3000)} ms), serving cached forecast",
            )
        t += timedelta(seconds=rng.uniform(8, 20))

    # --- CloudTrail --------------------------------------------------------------------------------------
    plat = k.sso_user(
        tel,
        "aoife.brennan@pitchside.ie",
        "PlatformAdmin",
        f"89.{rng.randrange(100, 127)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    dev = k.cli_user(
        tel,
        "rory.flynn@pitchside.ie",
        "Developer",
        f"37.{rng.randrange(228, 255)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    gha = k.role_session(
        tel,
        "pitchside-github-deploy",
        "gha",
        f"20.{rng.randrange(26, 90)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-js/3.654.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/ecs#3.654.0",
    )
    mon = k.role_session(
        tel,
        "grafana-cloudwatch-read",
        "grafana",
        f"34.{rng.randrange(240, 255)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "aws-sdk-go-v2/1.30.4 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/cloudwatch#1.40.5",
    )
    k.routine_reads(
        tel,
        [
            (
                mon,
                [
                    ("cloudwatch.amazonaws.com", "ListMetrics", {"namespace": "AWS/ECS"}),
                    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
                    ("ecs.amazonaws.com", "ListServices", {"cluster": cluster}),
                ],
            ),
            (
                dev,
                [
                    (
                        "ecs.amazonaws.com",
                        "DescribeServices",
                        {"cluster": cluster, "services": ["fixtures-api"]},
                    ),
                    ("logs.amazonaws.com", "StartQuery", {"logGroupName": "/ecs/fixtures-api"}),
                ],
            ),
        ],
        start,
        now,
        24,
    )
    k.trail(
        tel, created, plat, "monitoring.amazonaws.com", "PutMetricAlarm",
        {"alarmName": "pitchside-prod-cpu-reservation-high", "alarmDescription": main["AlarmDescription"], "actionsEnabled": True, "alarmActions": [topic], "oKActions": [topic], "metricName": "CPUReservation", "namespace": "AWS/ECS", "statistic": "Average", "dimensions": [{"name": "ClusterName", "value": cluster}], "period": 300, "evaluationPeriods": 3, "datapointsToAlarm": 3, "threshold": 80.0, "comparisonOperator": "GreaterThanThreshold", "treatMissingData": "missing"},
    )  # fmt: skip
    k.trail(
        tel,
        created + timedelta(minutes=2),
        plat,
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        {"alarmNames": ["pitchside-prod-cpu-reservation-high"]},
        read_only=True,
    )
    k.trail(
        tel,
        web_deploy - timedelta(seconds=20),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {"family": "league-web", "networkMode": "bridge", "requiresCompatibilities": ["EC2"]},
        {
            "taskDefinition": {
                "taskDefinitionArn": web_td,
                "family": "league-web",
                "revision": web_rev,
                "status": "ACTIVE",
            }
        },
    )
    k.trail(
        tel,
        web_deploy,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "league-web", "taskDefinition": web_td},
        {
            "service": {
                "serviceName": "league-web",
                "taskDefinition": web_td,
                "desiredCount": 4,
                "status": "ACTIVE",
            }
        },
    )
    rds_t = fire - timedelta(minutes=rng.randrange(6, 14), seconds=rng.randrange(60))
    k.trail(
        tel, rds_t, plat, "rds.amazonaws.com", "ModifyDBInstance",
        {"dBInstanceIdentifier": "pitchside-prod-mysql", "backupRetentionPeriod": 14, "applyImmediately": True},
        {"dBInstanceIdentifier": "pitchside-prod-mysql", "dBInstanceClass": "db.r7g.large", "engine": "mysql", "dBInstanceStatus": "available", "backupRetentionPeriod": 14, "multiAZ": True, "pendingModifiedValues": {}},
    )  # fmt: skip
    for life in lives[3:]:
        launched = life[3]
        assert isinstance(launched, datetime)
        if launched <= now:
            k.trail(
                tel,
                launched,
                k.service_linked(
                    tel, "autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScaling"
                ),
                "ec2.amazonaws.com",
                "RunInstances",
                {
                    "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                    "launchTemplate": {"launchTemplateId": lt, "version": "7"},
                },
                {"instancesSet": {"items": [{"instanceId": str(life[0]), "instanceType": "c7g.xlarge"}]}},
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
            "trigger": {
                "question": "Got paged for pitchside-prod-cpu-reservation-high. Are we running out of room on the cluster? Do I need to add capacity?",
                "alarm_event": event,
                "timezone": "Europe/Dublin",
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, tel.records(now))
