"""One game server's root volume fills with match replays its uploader stopped shipping; the server
process crash-loops, the NLB marks the target unhealthy, and the ASG (EC2 health checks) keeps it."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzl import Env, Mods, iso, standard_metrics

NAME = "gameserver-root-volume-full"
TITLE = "Game NLB unhealthy-host alarm during the evening peak"
SUMMARY = "A game server's root volume filled with unshipped replay files; its server process crash-loops and fails NLB health checks."


def build(seed: int) -> Bundle:
    a = Env(seed)
    r = a.rng
    n = r.choice([10, 12, 14])
    a.make_instances(n)
    v = a.instances[r.randrange(n)]
    vid = v["id"]
    peak = r.randint(5200, 7600)
    per_host = 1.0 / n
    grp = f"/{a.game}/gameserver"
    sysg = f"/{a.game}/syslog"
    unhealthy_at = a.onset + timedelta(seconds=r.randint(35, 50))
    disk0 = r.uniform(79.0, 84.0)

    def mod(key: str, t: datetime, val: float) -> float | None:
        down = t >= unhealthy_at
        if key in ("players", "flows") and t >= a.onset:
            return round(val * (1 - per_host * r.uniform(0.9, 1.0)), 1)
        if key == "healthy" and down:
            return float(n - 1)
        if key == "unhealthy" and down:
            return 1.0
        if key == "cpu:" + vid and t >= a.onset:
            return round(r.uniform(1.5, 4.0), 2)
        return val

    standard_metrics(a, peak, Mods(mod))
    span = (a.onset - a.start).total_seconds()
    for t in a.minutes():
        for ins in a.instances:
            d = {
                "InstanceId": ins["id"],
                "AutoScalingGroupName": a.asg,
                "path": "/",
                "device": "nvme0n1p1",
                "fstype": "xfs",
            }
            if ins is v:
                used = min(100.0, disk0 + (100.0 - disk0) * (t - a.start).total_seconds() / span)
                used = round(min(used, 99.97) if t < a.onset else 100.0, 2)
            else:
                base = ins.setdefault("disk", r.uniform(31, 52))
                used = round(base + 3.0 * ((t.minute % 60) / 60.0) + r.uniform(-0.1, 0.1), 2)
            a.metric("CWAgent", "disk_used_percent", d, t, used, "Percent")
            mem = 41 + 18 * a.load(t) + r.uniform(-1, 1)
            if ins is v and t >= a.onset:
                mem = r.uniform(6, 9)
            a.metric(
                "CWAgent",
                "mem_used_percent",
                {"InstanceId": ins["id"], "AutoScalingGroupName": a.asg},
                t,
                round(mem, 2),
                "Percent",
            )

    a.add_estate(desired=n, min_size=6, max_size=24, health_check_type="EC2")
    a.res(
        "ec2",
        "Volume",
        {
            "AvailabilityZone": v["az"],
            "CreateTime": iso(v["launch"]),
            "Encrypted": True,
            "Size": 30,
            "SnapshotId": "snap-" + a.hex(17),
            "State": "in-use",
            "VolumeId": v["vol"],
            "Iops": 3000,
            "VolumeType": "gp3",
            "Throughput": 125,
            "MultiAttachEnabled": False,
            "Attachments": [
                {
                    "AttachTime": iso(v["launch"]),
                    "Device": "/dev/xvda",
                    "InstanceId": vid,
                    "State": "attached",
                    "VolumeId": v["vol"],
                    "DeleteOnTermination": True,
                }
            ],
        },
    )

    # target health timeline
    for ins in a.instances:
        a.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": a.tg_arn,
                    "target": {"Id": ins["id"], "Port": 7777, "AvailabilityZone": ins["az"]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(a.start),
                },
            }
        )
    a.events.append(
        {
            "source": "target_health",
            "item": {
                "target_group_arn": a.tg_arn,
                "target": {"Id": vid, "Port": 7777, "AvailabilityZone": v["az"]},
                "health": {
                    "State": "unhealthy",
                    "Reason": "Target.FailedHealthChecks",
                    "Description": "Health checks failed",
                },
                "timestamp": iso(unhealthy_at),
            },
        }
    )

    # logs: normal hum (victim stops at onset), replay uploads on the healthy servers only
    a.gs_log_hum()
    a.logs = [
        e
        for e in a.logs
        if not (e["log_stream"].startswith(vid) and e["timestamp"] >= int(a.onset.timestamp() * 1000))
    ]
    for ins in a.instances:
        stream = f"{ins['id']}/gameserver.log"
        t = a.start + timedelta(minutes=r.randint(2, 10))
        while t < a.end:
            size = r.randint(140, 260)
            a.log(
                grp,
                stream,
                t,
                f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  replay: wrote m-{a.hex(10)}.rpl ({size} MB) to /var/lib/{a.game}/replays",
            )
            t += timedelta(minutes=r.randint(4, 9))
            if ins is v and t >= a.onset:
                break
        if ins is not v:
            t = a.start + timedelta(minutes=r.randint(0, 14))
            while t < a.end:
                k = r.randint(4, 11)
                a.log(
                    grp,
                    stream,
                    t,
                    f"{iso(t)[:-1]}.{r.randint(100, 999)}Z INFO  replay-uploader: shipped {k} replays to s3://{a.game}-replays-prod/{t:%Y/%m/%d}/, pruned {k} local files",
                )
                t += timedelta(minutes=15)
    # the victim's last moments and its restart loop
    stream = f"{vid}/gameserver.log"
    t = a.onset - timedelta(seconds=r.randint(40, 70))
    a.log(
        grp,
        stream,
        t,
        f"{iso(t)[:-1]}.{r.randint(100, 999)}Z ERROR replay: flush m-{a.hex(10)} failed: write /var/lib/{a.game}/replays/m-{a.hex(10)}.rpl: no space left on device",
    )
    t = a.onset
    a.log(
        grp,
        stream,
        t,
        f"{iso(t)[:-1]}.{r.randint(100, 999)}Z ERROR journal: append session event failed: write /var/lib/{a.game}/journal/sessions.wal: no space left on device",
    )
    a.log(
        grp,
        stream,
        t + timedelta(milliseconds=3),
        f"{iso(t)[:-1]}.{r.randint(100, 999)}Z FATAL gameserver: session journal unavailable, refusing to run matches without persistence; exiting",
    )
    count = 0
    t = a.onset + timedelta(seconds=1)
    host = f"ip-{v['ip'].replace('.', '-')}"
    while t < a.end:
        count += 1
        a.log(
            sysg,
            f"{vid}/messages",
            t,
            f"{t:%b %e %H:%M:%S} {host} systemd[1]: {a.game}-gs.service: Main process exited, code=exited, status=1/FAILURE",
        )
        a.log(
            sysg,
            f"{vid}/messages",
            t,
            f"{t:%b %e %H:%M:%S} {host} systemd[1]: {a.game}-gs.service: Failed with result 'exit-code'.",
        )
        t2 = t + timedelta(seconds=10)
        a.log(
            sysg,
            f"{vid}/messages",
            t2,
            f"{t2:%b %e %H:%M:%S} {host} systemd[1]: {a.game}-gs.service: Scheduled restart job, restart counter is at {count}.",
        )
        a.log(
            sysg,
            f"{vid}/messages",
            t2,
            f"{t2:%b %e %H:%M:%S} {host} systemd[1]: Started {a.game}-gs.service - {a.game.capitalize()} dedicated game server.",
        )
        t3 = t2 + timedelta(seconds=2)
        a.log(
            grp,
            stream,
            t3,
            f"{iso(t3)[:-1]}.{r.randint(100, 999)}Z INFO  gameserver {a.build} starting, listening udp/7777 http/8080",
        )
        a.log(
            grp,
            stream,
            t3 + timedelta(milliseconds=180),
            f"{iso(t3)[:-1]}.{r.randint(100, 999)}Z FATAL journal: open /var/lib/{a.game}/journal/sessions.wal: no space left on device",
        )
        t = t3 + timedelta(milliseconds=400)
    for ins in a.instances:
        if ins is v:
            continue
        host2 = f"ip-{ins['ip'].replace('.', '-')}"
        for h in range(5):
            tt = a.start + timedelta(hours=h, minutes=r.randint(0, 3), seconds=r.randint(0, 59))
            if tt < a.end:
                a.log(
                    sysg,
                    f"{ins['id']}/messages",
                    tt,
                    f"{tt:%b %e %H:%M:%S} {host2} chronyd[612]: Selected source 169.254.169.123",
                )
    # a memory-pressure warning on a different server, long before (healthy noise)
    other = r.choice([i for i in a.instances if i is not v])
    tt = a.start + timedelta(minutes=r.randint(30, 90))
    a.log(
        grp,
        f"{other['id']}/gameserver.log",
        tt,
        f"{iso(tt)[:-1]}.{r.randint(100, 999)}Z WARN  net: send buffer high-water mark reached on match m-{a.hex(10)}, dropping 3 unreliable packets",
    )

    # CloudTrail: hum plus innocent changes
    a.background_trail(38)
    a.deploy(
        a.onset - timedelta(minutes=r.randint(50, 75)),
        a.lt_version + 1,
        f"build {a.build}.1 balance patch",
        "balance patch",
    )
    admin = a.sso(0)
    tu = a.onset - timedelta(minutes=r.randint(15, 30))
    a.trail(
        tu,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        admin,
        {"autoScalingGroupName": a.asg, "maxSize": 24},
        None,
    )
    dev = a.sso(1)
    a.trail(
        a.onset - timedelta(minutes=r.randint(100, 150)),
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        dev,
        {"tableName": a.table2, "timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"}},
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"}},
    )
    for _ in range(4):
        tt = a.onset + timedelta(minutes=r.randint(3, 20), seconds=r.randint(0, 59))
        a.trail(
            tt,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            admin,
            {"targetGroupArn": a.tg_arn},
            None,
            read_only=True,
            agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        )

    # alarms
    al = a.alarm(
        f"{a.game}-gs-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"LoadBalancer": a.nlb_dim, "TargetGroup": a.tg_dim},
        "Maximum",
        "GreaterThanThreshold",
        0,
        3,
        description="Game server targets failing NLB health checks",
        transitions=[
            (
                unhealthy_at + timedelta(minutes=3, seconds=r.randint(5, 50)),
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints [1.0 ({}), 1.0 ({}), 1.0 ({})] were greater than the threshold (0.0) (minimum 3 datapoints for OK -> ALARM transition).".format(
                    *tuple(iso(unhealthy_at.replace(second=0) + timedelta(minutes=k)) for k in (3, 2, 1))
                ),
            )
        ],
    )
    fl = a.start + timedelta(minutes=r.randint(40, 100))
    a.alarm(
        f"{a.game}-sessions-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": a.redis_nodes[0], "CacheNodeId": "0001"},
        "Average",
        "GreaterThanThreshold",
        35,
        2,
        topic="alerts-low",
        transitions=[
            (
                fl,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (35.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                fl + timedelta(minutes=3),
                "OK",
                "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (35.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
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

    trigger = {
        "question": None,
        "alarm_event": a.alarm_event(
            al,
            unhealthy_at + timedelta(minutes=3, seconds=30),
            al["StateReason"],
            a.start - timedelta(days=6),
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {"resource": vid, "category": "component_failure", "failure_mode": "root-volume-full"},
        "also_accept": [v["vol"], v["ip"], f"ip-{v['ip'].replace('.', '-')}"],
        "actions": ["exclude", "restart"],
        "chain": [vid, a.tg, a.nlb, f"{a.game}-gs-unhealthy-hosts"],
    }
    return a.bundle(TITLE, trigger, truth)
