"""E-tickets stop going out: the EBS data volume of one ECS container instance stalls, stranding both workers."""

from __future__ import annotations

import json
from collections.abc import Callable
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

NAME = "etickets-delayed-stalled-ecs-host"
TITLE = "Buyers not getting e-tickets after paying since mid-afternoon; order-fulfilment queue age alarm"
SUMMARY = (
    "The Docker data volume of one ECS container instance stopped completing I/O; the ECS agent disconnected and "
    "both order-worker tasks, binpacked on that host, hung while still RUNNING, so the fulfilment queue backed up."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "seatwise")
    r = k.rng
    onset = pick_day(r, r.choice([13, 14, 15]), r.randint(0, 50)) + timedelta(seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(20, 45))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(45, 60))).replace(second=0)
    est = Estate(k, start)
    est.desired["order-worker"] = 2
    bad = est.instances[r.randint(0, 5)]
    bad_ci = est.ci_arn[bad]
    vols = {i: "vol-0" + k.hexid(16) for i in est.instances}
    bad_vol = vols[bad]
    base = r.uniform(2200, 4200)

    def rpm(t: datetime) -> float:
        return diurnal(t, base)

    times = minutes(start, now)
    stuck_from = onset.replace(second=0) + timedelta(minutes=1)

    def after(t: datetime) -> bool:
        return t >= stuck_from

    # queue: sent keeps pace with checkouts, deletes stop when both workers hang
    sent = {t: k.noisy(rpm(t) * 0.3 * 0.05, 0.1) for t in times}
    backlog = {}
    acc = 0.0
    for t in times:
        if after(t):
            acc += sent[t]
        backlog[t] = acc
    web_gap = (stuck_from + timedelta(seconds=40), stuck_from + timedelta(minutes=4))

    def gap(t: datetime) -> bool:
        return web_gap[0] - timedelta(minutes=1) <= t < web_gap[1]

    d = std_metrics(
        est,
        times,
        rpm,
        {
            "q_sent": lambda t: sent[t],
            "q_deleted": lambda t: 0.0 if after(t) else sent[t] * r.uniform(0.95, 1.05),
            "q_visible": lambda t: backlog[t] + (0 if after(t) else r.randint(0, 3)),
            "q_age": lambda t: (
                (t - onset).total_seconds() + r.randint(5, 30) if after(t) else float(r.randint(1, 8))
            ),
            "cpu_order-worker": lambda t: k.noisy(0.3, 0.2) if after(t) else k.noisy(7, 0.1),
            "web_healthy": lambda t: 5.0 if gap(t) else 6.0,
            "checkout_healthy": lambda t: 5.0 if gap(t) else 6.0,
            "web_unhealthy": lambda t: 1.0 if gap(t) else 0.0,
            "checkout_unhealthy": lambda t: 1.0 if gap(t) else 0.0,
            "elb_5xx": lambda t: (
                float(r.randint(4, 30))
                if t in (stuck_from, stuck_from + timedelta(minutes=1))
                else (1.0 if r.random() < 0.01 else None)
            ),
        },
    )
    # EC2 / EBS telemetry (status checks every minute, basic CPU every five)
    Fn = Callable[[datetime], float | None]

    def pick(failed: bool, bad_fn: Fn, ok_fn: Fn) -> Fn:
        def g(t: datetime) -> float | None:
            return bad_fn(t) if failed and after(t) else ok_fn(t)

        return g

    def const(v: float | None) -> Fn:
        return lambda t: v

    for i in est.instances:
        dims = {"InstanceId": i}
        f = i == bad
        ec2 = "AWS/EC2"
        k.series(ec2, "StatusCheckFailed", dims, "Count", times, pick(f, const(1.0), const(0.0)), 0)
        k.series(ec2, "StatusCheckFailed_System", dims, "Count", times, const(0.0), 0)
        k.series(ec2, "StatusCheckFailed_Instance", dims, "Count", times, const(0.0), 0)
        k.series(
            ec2, "StatusCheckFailed_AttachedEBS", dims, "Count", times, pick(f, const(1.0), const(0.0)), 0
        )
        cpu = pick(f, lambda t: k.noisy(1.2, 0.2), lambda t: k.noisy(14 + 5 * rpm(t) / base, 0.1))
        k.series(ec2, "CPUUtilization", dims, "Percent", minutes(start, now, 5), cpu)
        vd = {"VolumeId": vols[i]}
        k.series("AWS/EBS", "VolumeStalledIOCheck", vd, "None", times, pick(f, const(1.0), const(0.0)), 0)
        qlen = pick(f, lambda t: k.noisy(37, 0.02), lambda t: k.noisy(0.4, 0.4))
        k.series("AWS/EBS", "VolumeQueueLength", vd, "Count", times, qlen, 3)
        k.series(
            "AWS/EBS",
            "VolumeWriteOps",
            vd,
            "Count",
            times,
            pick(f, const(None), lambda t: k.noisy(2400, 0.15)),
            0,
        )
        k.series(
            "AWS/EBS",
            "VolumeReadOps",
            vd,
            "Count",
            times,
            pick(f, const(None), lambda t: k.noisy(300, 0.3)),
            0,
        )

    # --- changes and API noise
    ci = k.role(f"{k.brand}-gha-deploy", "GitHubActions")
    dep_at = onset - timedelta(minutes=r.randint(70, 120))
    rev = est.taskdef_rev["checkout-api"] + 1
    _, _, td = est.deploy(
        dep_at, "checkout-api", ci, rev, est.env("checkout-api"), f"2027.{dep_at:%m.%d}-{k.hexid(7)}"
    )
    dep_id = "ecs-svc/" + str(r.randint(10**18, 10**19 - 1))
    rollout_events(est, "checkout-api", dep_at, dep_id, est.desired["checkout-api"])
    eng = k.sso(r.choice(["jo.mensah", "felix.brandt", "rosa.lind"]), "Developer")
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    k.ct(
        onset - timedelta(minutes=r.randint(10, 25)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        eng,
        {"queueUrl": est.dlq_url, "attributes": {"MessageRetentionPeriod": "1209600"}},
        None,
        agent=console,
    )
    k.ct(
        onset - timedelta(minutes=r.randint(30, 50)),
        "ssm.amazonaws.com",
        "PutParameter",
        eng,
        {
            "name": f"/{k.brand}/prod/web/feature-flags",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": r.randint(20, 90), "tier": "Standard"},
        agent=console,
    )
    # the ECS agent on the bad host stops calling home; the others keep polling
    agents = {i: k.role(f"{k.brand}-ecs-instance", i, invoked_by=None) for i in est.instances}
    t = start + timedelta(seconds=r.randint(30, 400))
    while t < now:
        i = r.choice(est.instances)
        if not (i == bad and t >= onset):
            k.ct(
                t,
                "ecs.amazonaws.com",
                "DiscoverPollEndpoint",
                agents[i],
                {"containerInstance": est.ci_arn[i], "cluster": est.cluster},
                None,
                read_only=True,
                agent="aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) ecs-agent/1.89.2",
                ip=est.inst_ip[i],
            )
        t += timedelta(seconds=r.randint(180, 600))
    est.tooling_noise(start, now)
    est.steady_state_events(start - timedelta(hours=11), dep_at)
    for off in (14, 21):
        at = stuck_from + timedelta(minutes=off + 20)
        if at < now:
            k.ct(
                at,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                eng,
                {"queueUrl": est.queue_url, "attributeNames": ["All"]},
                None,
                read_only=True,
                agent=console,
            )
    # ECS replaces the web / checkout tasks whose targets failed, not the workers (no health signal)
    for svc in ("web", "checkout-api"):
        port = r.randint(32768, 60999)
        est.ecs_event(
            svc,
            web_gap[0],
            f"(service {svc}) (instance {bad}) (port {port}) is unhealthy in (target-group {est.tg_arn[svc]}) due to (reason Request timed out).",
        )
        est.ecs_event(
            svc,
            web_gap[0] + timedelta(seconds=4),
            f"(service {svc}) has stopped 1 running tasks: (task {est.task_ids[svc][0]}).",
        )
        est.ecs_event(
            svc,
            web_gap[0] + timedelta(seconds=30),
            f"(service {svc}) has started 1 tasks: (task {k.hexid(32)}).",
        )
        est.ecs_event(
            svc, web_gap[1], f"(service {svc}) registered 1 targets in (target-group {est.tg_arn[svc]})"
        )

    # --- logs
    app_logs(est, "web", times, rpm)
    app_logs(est, "checkout-api", times, rpm)
    wg = f"/ecs/{k.brand}/order-worker"
    for tid in est.task_ids["order-worker"]:
        s = f"ecs/order-worker/{tid}"
        for t in times:
            if t >= onset:
                break
            for _ in range(r.randint(0, 2)):
                at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
                if at >= onset:
                    continue
                k.log(
                    wg,
                    s,
                    at,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(at),
                            "pid": 1,
                            "hostname": tid[:12],
                            "msg": "order fulfilled",
                            "orderId": k.hexid(12).upper(),
                            "tickets": r.randint(1, 6),
                            "emailQueuedMs": r.randint(40, 300),
                        }
                    ),
                )
        if r.random() < 0.5:
            at = onset - timedelta(seconds=r.randint(20, 50))
            k.log(
                wg,
                s,
                at,
                json.dumps(
                    {
                        "level": 40,
                        "time": ms(at),
                        "pid": 1,
                        "hostname": tid[:12],
                        "msg": "slow PDF render",
                        "orderId": k.hexid(12).upper(),
                        "ms": r.randint(2500, 4000),
                    }
                ),
            )
    mg = f"/ec2/{k.brand}-ecs/messages"
    for i in est.instances:
        host = f"ip-{est.inst_ip[i].replace('.', '-')}"
        t = start + timedelta(minutes=r.randint(1, 30))
        while t < now:
            if i == bad and t >= onset:
                break
            k.log(
                mg,
                i,
                t,
                f"{t:%b} {t.day:2d} {t:%H:%M:%S} {host} dhclient[{r.randint(1800, 2100)}]: XMT: Solicit on eth0, interval {r.randint(100000, 130000)}ms.",
            )
            t += timedelta(minutes=r.randint(20, 45))
        if i != bad:
            continue
        seq = [
            (0, f"kernel: nvme nvme1: I/O {r.randint(100, 900)} QID {r.randint(1, 4)} timeout, aborting"),
            (0, f"kernel: nvme nvme1: I/O {r.randint(100, 900)} QID {r.randint(1, 4)} timeout, aborting"),
            (31, "kernel: nvme nvme1: Abort status: 0x371"),
            (31, "kernel: nvme nvme1: Abort status: 0x371"),
            (122, f"kernel: INFO: task dockerd:{r.randint(2800, 3200)} blocked for more than 122 seconds."),
            (122, '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'),
            (123, f"kernel: INFO: task node:{r.randint(30000, 60000)} blocked for more than 122 seconds."),
            (124, f"kernel: INFO: task agent:{r.randint(3300, 3600)} blocked for more than 122 seconds."),
            (
                126,
                f"kernel: INFO: task jbd2/nvme1n1-8:{r.randint(600, 900)} blocked for more than 122 seconds.",
            ),
            (245, f"kernel: INFO: task dockerd:{r.randint(2800, 3200)} blocked for more than 245 seconds."),
            (247, f"kernel: INFO: task node:{r.randint(30000, 60000)} blocked for more than 245 seconds."),
        ]
        for off, msg in seq:
            at = onset + timedelta(seconds=off)
            k.log(mg, i, at, f"{at:%b} {at.day:2d} {at:%H:%M:%S} {host} {msg}")

    # --- resources
    est.write_resources(
        now,
        {
            "service": {"order-worker": {"placementStrategy": [{"type": "binpack", "field": "memory"}]}},
            "agent": {bad: False},
            "queue_depth": int(backlog[times[-1]]),
            "instance_status": {
                bad: {
                    "AvailabilityZone": est.inst_az[bad],
                    "InstanceId": bad,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "AttachedEbsStatus": {
                        "Status": "impaired",
                        "Details": [
                            {"Name": "reachability", "Status": "failed", "ImpairedSince": iso(stuck_from)}
                        ],
                    },
                }
            },
        },
    )
    k.resource("ecs", "TaskDefinition", td)
    for i in est.instances:
        k.resource(
            "ec2",
            "Volume",
            {
                "VolumeId": vols[i],
                "Size": 100,
                "AvailabilityZone": est.inst_az[i],
                "State": "in-use",
                "CreateTime": iso(start - timedelta(days=r.randint(2, 30))),
                "Attachments": [
                    {
                        "AttachTime": iso(start - timedelta(days=2)),
                        "Device": "/dev/xvdcz",
                        "InstanceId": i,
                        "State": "attached",
                        "VolumeId": vols[i],
                        "DeleteOnTermination": True,
                    }
                ],
                "Encrypted": True,
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
                "Tags": [{"Key": "Name", "Value": f"{est.cluster}-ecs-docker"}],
            },
        )
    for n, tid in enumerate(est.task_ids["order-worker"]):
        started = start - timedelta(hours=r.randint(5, 30))
        tarn = k.arn("ecs", f"task/{est.cluster}/{tid}")
        k.resource(
            "ecs",
            "Task",
            {
                "taskArn": tarn,
                "clusterArn": est.cluster_arn,
                "taskDefinitionArn": est.taskdef_arn("order-worker"),
                "containerInstanceArn": bad_ci,
                "capacityProviderName": est.cp,
                "availabilityZone": est.inst_az[bad],
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "healthStatus": "UNKNOWN",
                "launchType": "EC2",
                "group": "service:order-worker",
                "startedBy": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                "cpu": "512",
                "memory": "1024",
                "createdAt": iso(started - timedelta(seconds=20)),
                "startedAt": iso(started),
                "connectivity": "CONNECTED",
                "connectivityAt": iso(started - timedelta(seconds=15)),
                "version": 3 + n,
                "containers": [
                    {
                        "containerArn": k.arn("ecs", f"container/{est.cluster}/{tid}/{k.uid()}"),
                        "taskArn": tarn,
                        "name": "order-worker",
                        "image": f"{est.ecr}/{k.brand}/order-worker:{est.image_tag['order-worker']}",
                        "lastStatus": "RUNNING",
                        "healthStatus": "UNKNOWN",
                        "runtimeId": k.hexid(64),
                        "cpu": "512",
                        "memory": "1024",
                    }
                ],
            },
        )

    # --- alarms
    qd = {"QueueName": est.queue}
    ev = k.alarm(
        f"{k.brand}-order-fulfilment-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        900,
        "GreaterThanThreshold",
        d["q_age"],
        start,
        now,
        period=300,
        evals=1,
        description="Oldest fulfilment message older than 15 min: e-tickets delayed",
    )
    k.alarm(
        f"{k.brand}-order-fulfilment-dlq",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": est.dlq},
        "Maximum",
        0,
        "GreaterThanThreshold",
        d["dlq_visible"],
        start,
        now,
        period=300,
        evals=1,
    )
    k.alarm(
        f"{k.brand}-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": est.alb_dim},
        "Sum",
        10,
        "GreaterThanThreshold",
        d["elb_5xx"],
        start,
        now,
        evals=1,
        page=False,
    )
    tgw = {"TargetGroup": est.tg["web"], "LoadBalancer": est.alb_dim}
    k.alarm(
        f"{k.brand}-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgw,
        "Maximum",
        0,
        "GreaterThanThreshold",
        d["web_unhealthy"],
        start,
        now,
        evals=2,
        page=False,
    )
    k.alarm(
        f"{k.brand}-checkout-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": est.tg["checkout-api"], "LoadBalancer": est.alb_dim},
        "Sum",
        50,
        "GreaterThanThreshold",
        d["checkout_5xx"],
        start,
        now,
        evals=3,
    )

    asked = onset + timedelta(minutes=r.randint(35, 44))
    question = (
        f"Customer service has a pile of tickets from buyers who paid but never got their e-tickets, earliest around "
        f"{onset:%H:%M}. Checkout looks fine. The checkout-api deploy at {dep_at:%H:%M} is the only release today. "
        f"What's going on? (it's {asked:%H:%M})"
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
                "resource": bad,
                "category": "component_failure",
                "failure_mode": "ebs-volume-stalled-io-ecs-host",
            },
            "also_accept": [bad_vol, bad_ci],
            "actions": ["exclude", "restart"],
            "chain": [bad_vol, bad, "order-worker", est.queue],
        },
    )
