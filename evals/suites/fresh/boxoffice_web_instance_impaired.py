"""One box-office web instance's local NVMe disk fails: its target flaps and the 5xx come from it alone."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_q import (
    GRAFANA_UA,
    J,
    Kit,
    alb,
    daily,
    histogram,
    instance,
    instance_status,
    iso,
    log_group,
    network,
    security_group,
    subnet_ip,
    tcp_from,
)

NAME = "boxoffice-web-instance-impaired"
TITLE = "boxoffice-prod 5xx alarm"
SUMMARY = (
    "The local NVMe instance-store disk of one web instance starts failing; I/O errors and kernel hangs make "
    "its instance status check fail, its target flap and the 5xx concentrate on it."
)

PATHS = [
    ("GET", "/api/events/{id}", 0.3),
    ("GET", "/api/events/{id}/seats", 0.35),
    ("POST", "/api/holds", 0.12),
    ("GET", "/static/app.{h}.js", 0.13),
    ("POST", "/api/orders", 0.05),
    ("GET", "/api/search?q={q}", 0.05),
]


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed)
    rng = k.rng
    day = k.pick_day(weekdays=False)
    onset = (day + timedelta(hours=rng.uniform(13, 21))).replace(second=rng.randint(0, 59), microsecond=0)
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 30))).replace(second=0)
    start -= timedelta(minutes=start.minute % 5)
    now = onset + timedelta(minutes=rng.randint(40, 58), seconds=rng.randint(0, 59))
    fine = onset - timedelta(hours=2)
    steady_fail = onset + timedelta(minutes=rng.randint(14, 24))
    scale = rng.uniform(0.7, 1.4)

    net = network(k, "boxoffice-prod", 2)
    sg_alb = security_group(
        k, net, "boxoffice-alb", "boxoffice public ALB", [tcp_from(443, cidr="0.0.0.0/0")]
    )
    sg_web = security_group(
        k, net, "boxoffice-web", "boxoffice web instances", [tcp_from(8080, group=sg_alb, desc="ALB")]
    )
    created = start - timedelta(days=rng.randint(200, 700))
    lb = alb(
        k,
        net,
        "boxoffice-prod",
        "boxoffice-web",
        sg_alb,
        created,
        port=8080,
        health_path="/health",
        interval=10,
        timeout=5,
    )

    names = [f"boxoffice-web-{i}" for i in range(1, 5)]
    sick_idx = rng.randrange(4)
    ami = k.rid("ami")
    hosts: list[J] = []
    for i, name in enumerate(names):
        subnet = net.subnets[i % 2]
        iid = k.rid("i")
        vol = k.rid("vol")
        ip = subnet_ip(k, subnet)
        launched = start - timedelta(days=rng.randint(20, 160), hours=rng.randint(0, 23))
        instance(
            k,
            net,
            iid,
            name,
            subnet,
            (sg_web, "boxoffice-web"),
            launched,
            itype="m5d.xlarge",
            ami=ami,
            profile="boxoffice-web",
            volume=vol,
            ip=ip,
            extra_tags=[{"Key": "service", "Value": "boxoffice"}, {"Key": "env", "Value": "prod"}],
        )
        hosts.append({"id": iid, "name": name, "az": subnet[1], "ip": ip, "vol": vol, "sick": i == sick_idx})
    sick = hosts[sick_idx]
    for h in hosts:
        instance_status(k, h["id"], h["az"], impaired_since=steady_fail if h["sick"] else None)

    # --- failure shape ---------------------------------------------------------------------------
    def stalled(t: datetime) -> float:
        """Fraction of the minute the sick host's disk is hung."""
        if t < onset:
            return 0.0
        if t >= steady_fail:
            return rng.uniform(0.55, 0.95)
        return rng.uniform(0.05, 0.6) if rng.random() < 0.6 else 0.0

    stall_by_min: dict[str, float] = {}
    t = onset.replace(second=0)
    while t < now + timedelta(minutes=1):
        stall_by_min[iso(t)] = stalled(t)
        t += timedelta(minutes=1)

    def stall(t: datetime) -> float:
        return stall_by_min.get(iso(t.replace(second=0)), 0.0)

    # target health: the sick target flaps between unhealthy (Target.Timeout) and healthy
    for h in hosts:
        k.event(
            "target_health",
            {
                "target_group_arn": lb.tg_arn,
                "target": {"Id": h["id"], "Port": 8080},
                "health": {"State": "healthy"},
                "timestamp": iso(start - timedelta(days=2)),
            },
        )
    unhealthy_min: set[str] = set()
    state = "healthy"
    t = onset.replace(second=0)
    while t < now:
        s = stall(t)
        want = "unhealthy" if s > 0.3 else "healthy"
        if want != state:
            when = t + timedelta(seconds=rng.randint(5, 50))
            health: J = {"State": want}
            if want == "unhealthy":
                health["Reason"] = "Target.Timeout"
                health["Description"] = "Request timed out"
            k.event(
                "target_health",
                {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": sick["id"], "Port": 8080},
                    "health": health,
                    "timestamp": iso(when),
                },
            )
            state = want
        if state == "unhealthy":
            unhealthy_min.add(iso(t))
        t += timedelta(minutes=1)

    # --- metrics ---------------------------------------------------------------------------------
    def traffic(t: datetime) -> float:
        return daily(t.hour + t.minute / 60, 40, 260, peak=19.0) * scale

    for t, step in k.grid(start, now, fine):
        n_all = traffic(t) * step * (1 + k.jitter(0.05))
        az_totals: dict[str, dict[str, float]] = {}
        lat_by_az: dict[str, list[float]] = {}
        healthy = 4.0
        for h in hosts:
            s = stall(t) if h["sick"] and step == 1 else 0.0
            out = step == 1 and h["sick"] and iso(t) in unhealthy_min
            share = 0.25 if not out else 0.25 * rng.uniform(0.3, 0.6)
            n = n_all * share
            err = (
                n * min(0.6, 0.3 + 0.5 * s)
                if h["sick"] and s > 0
                else n * (0.0004 if rng.random() < 0.2 else 0.0)
            )
            elb = n * 0.35 * s if h["sick"] else 0.0
            tot = az_totals.setdefault(
                h["az"],
                {
                    "n": 0.0,
                    "2XX": 0.0,
                    "4XX": 0.0,
                    "5XX": 0.0,
                    "ELB5XX": 0.0,
                    "healthy": 0.0,
                    "unhealthy": 0.0,
                },
            )
            tot["n"] += n
            tot["5XX"] += err
            tot["ELB5XX"] += elb
            tot["4XX"] += n * 0.03
            tot["2XX"] += max(0.0, n - err - elb - n * 0.03)
            tot["healthy"] += 0 if out else 1
            tot["unhealthy"] += 1 if out else 0
            if out:
                healthy -= 1
            lats = lat_by_az.setdefault(h["az"], [])
            for _ in range(min(40, int(n))):
                if h["sick"] and rng.random() < s:
                    lats.append(rng.uniform(4, 30))
                else:
                    lats.append(rng.lognormvariate(math.log(0.055), 0.6))
            # per-instance EC2 + agent metrics
            idims = {"InstanceId": h["id"]}
            for sc in ("StatusCheckFailed_Instance", "StatusCheckFailed"):
                if step == 1:
                    failed = 1 if h["sick"] and (stall(t) > 0.45 or t >= steady_fail) else 0
                    k.put("AWS/EC2", sc, idims, t, "Count", failed)
                else:
                    for j in range(5):
                        k.put("AWS/EC2", sc, idims, t + timedelta(minutes=j), "Count", 0)
            if step == 1:
                k.put("AWS/EC2", "StatusCheckFailed_System", idims, t, "Count", 0)
                k.put("AWS/EC2", "StatusCheckFailed_AttachedEBS", idims, t, "Count", 0)
            else:
                for j in range(5):
                    k.put("AWS/EC2", "StatusCheckFailed_System", idims, t + timedelta(minutes=j), "Count", 0)
                    k.put(
                        "AWS/EC2",
                        "StatusCheckFailed_AttachedEBS",
                        idims,
                        t + timedelta(minutes=j),
                        "Count",
                        0,
                    )
            if t.minute % 5 == 0:
                cpu = 9 + traffic(t) * 0.11 * (1 + k.jitter(0.1))
                if h["sick"] and t >= onset:
                    cpu *= 0.5
                k.put("AWS/EC2", "CPUUtilization", idims, t, "Percent", k.stats(5, cpu, 0.3) or cpu)
                k.put(
                    "AWS/EC2",
                    "NetworkIn",
                    idims,
                    t,
                    "Bytes",
                    round(traffic(t) * 5 * 0.25 * rng.uniform(1900, 2300)),
                )
                k.put(
                    "AWS/EC2",
                    "NetworkOut",
                    idims,
                    t,
                    "Bytes",
                    round(
                        traffic(t)
                        * 5
                        * 0.25
                        * rng.uniform(9000, 12000)
                        * (0.6 if h["sick"] and t >= onset else 1)
                    ),
                )
            ad = {"InstanceId": h["id"], "cpu": "cpu-total"}
            iow = rng.uniform(0.05, 0.4) + (rng.uniform(35, 85) * stall(t) if h["sick"] and step == 1 else 0)
            k.put("CWAgent", "cpu_usage_iowait", ad, t, "Percent", round(iow, 3))
            md = {"InstanceId": h["id"]}
            k.put(
                "CWAgent",
                "mem_used_percent",
                md,
                t,
                "Percent",
                round(52 + k.jitter(1.5) + (9 * stall(t) if h["sick"] else 0), 3),
            )
            # root EBS volume: healthy everywhere (the failing disk is the local instance store)
            vd = {"VolumeId": h["vol"]}
            k.put("AWS/EBS", "VolumeReadOps", vd, t, "Count", round(rng.uniform(20, 60) * step))
            k.put("AWS/EBS", "VolumeWriteOps", vd, t, "Count", round(rng.uniform(300, 520) * step))
            k.put("AWS/EBS", "VolumeQueueLength", vd, t, "Count", round(rng.uniform(0.01, 0.06), 4))
            k.put(
                "AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", round(step * 60 * rng.uniform(0.93, 0.98), 2)
            )
        lb_totals = {"n": 0.0, "ELB5XX": 0.0}
        for az, tot in az_totals.items():
            dims = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim, "AvailabilityZone": az}
            k.put("AWS/ApplicationELB", "RequestCount", dims, t, "Count", round(tot["n"]))
            for c in ("2XX", "4XX", "5XX"):
                if tot[c] >= 1:
                    k.put("AWS/ApplicationELB", f"HTTPCode_Target_{c}_Count", dims, t, "Count", round(tot[c]))
            hist = histogram(lat_by_az[az], tot["n"] / max(1, len(lat_by_az[az])))
            if hist:
                k.put("AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", hist)
            k.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, "Count", tot["healthy"])
            k.put("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, "Count", tot["unhealthy"])
            if tot["ELB5XX"] >= 1:
                k.put(
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_5XX_Count",
                    {"LoadBalancer": lb.dim, "AvailabilityZone": az},
                    t,
                    "Count",
                    round(tot["ELB5XX"]),
                )
            lb_totals["n"] += tot["n"]
            lb_totals["ELB5XX"] += tot["ELB5XX"]
        # target-group totals (no AZ)
        dims = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
        k.put("AWS/ApplicationELB", "RequestCount", dims, t, "Count", round(lb_totals["n"]))
        for c in ("2XX", "4XX", "5XX"):
            v = sum(x[c] for x in az_totals.values())
            if v >= 1:
                k.put("AWS/ApplicationELB", f"HTTPCode_Target_{c}_Count", dims, t, "Count", round(v))
        all_lat = [x for v in lat_by_az.values() for x in v]
        hist = histogram(all_lat, lb_totals["n"] / max(1, len(all_lat)))
        if hist:
            k.put("AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", hist)
        k.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, "Count", healthy)
        k.put("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, "Count", 4 - healthy)
        ld = {"LoadBalancer": lb.dim}
        k.put("AWS/ApplicationELB", "RequestCount", ld, t, "Count", round(lb_totals["n"]))
        k.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            ld,
            t,
            "Count",
            round(lb_totals["n"] * rng.uniform(0.35, 0.45)),
        )
        k.put(
            "AWS/ApplicationELB",
            "NewConnectionCount",
            ld,
            t,
            "Count",
            round(lb_totals["n"] * rng.uniform(0.2, 0.26)),
        )
        k.put(
            "AWS/ApplicationELB",
            "ProcessedBytes",
            ld,
            t,
            "Bytes",
            round(lb_totals["n"] * rng.uniform(9000, 11000)),
        )
        if lb_totals["ELB5XX"] >= 1:
            k.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ld, t, "Count", round(lb_totals["ELB5XX"]))
            k.put(
                "AWS/ApplicationELB",
                "HTTPCode_ELB_504_Count",
                ld,
                t,
                "Count",
                round(lb_totals["ELB5XX"] * 0.8),
            )
            if lb_totals["ELB5XX"] * 0.2 >= 1:
                k.put(
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_502_Count",
                    ld,
                    t,
                    "Count",
                    round(lb_totals["ELB5XX"] * 0.2),
                )
        if lb_totals["ELB5XX"] >= 1:
            k.put(
                "AWS/ApplicationELB",
                "TargetConnectionErrorCount",
                ld,
                t,
                "Count",
                max(1, round(lb_totals["ELB5XX"] * 0.1)),
            )

    # --- logs ------------------------------------------------------------------------------------
    host_name = {h["id"]: f"ip-{h['ip'].replace('.', '-')}" for h in hosts}
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    def syslog_ts(t: datetime) -> str:
        return f"{mon[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"

    def nginx_ts(t: datetime) -> str:
        return f"{t.day:02d}/{mon[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"

    alb_ips = [subnet_ip(k, s) for s in net.public[:2] for _ in range(2)]
    for t, _step in k.grid(onset - timedelta(hours=2, minutes=30), now, start):
        for h in hosts:
            s = stall(t) if h["sick"] else 0.0
            for _ in range(2):
                when = t + timedelta(seconds=rng.uniform(0, 59))
                method, path, _w = rng.choices(PATHS, weights=[p[2] for p in PATHS])[0]
                path = path.format(
                    id=rng.randint(8000, 9900),
                    h=k.hex(8),
                    q=rng.choice(["comedy", "jazz", "arsenal", "hamilton"]),
                )
                if h["sick"] and rng.random() < s:
                    rt = rng.uniform(5, 30)
                    status = 500
                    k.log(
                        "/boxoffice/nginx/error",
                        h["id"],
                        when,
                        f"{when:%Y/%m/%d %H:%M:%S} [crit] {rng.randint(3000, 3200)}#{rng.randint(3000, 3200)}: *{rng.randint(10**5, 10**7)} "
                        f'open() "/var/cache/boxoffice/nginx/proxy_temp/{rng.randint(0, 9)}/{rng.randint(10, 99)}/00000{rng.randint(10000, 99999)}" '
                        f"failed (5: Input/output error) while reading upstream, client: {rng.choice(alb_ips)}, server: _, "
                        f'request: "{method} {path} HTTP/1.1", upstream: "http://127.0.0.1:8000{path}", host: "boxoffice.tixhaven.com"',
                    )
                else:
                    rt = rng.lognormvariate(math.log(0.05), 0.6)
                    status = 200 if rng.random() > 0.03 else rng.choice([404, 409, 401])
                size = rng.randint(400, 9000) if status != 500 else 579
                k.log(
                    "/boxoffice/nginx/access",
                    h["id"],
                    when + timedelta(seconds=rt),
                    f'{rng.choice(alb_ips)} - - [{nginx_ts(when)}] "{method} {path} HTTP/1.1" {status} {size} "-" '
                    f'"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15" {rt:.3f} {rt - 0.001:.3f}',
                )
    # kernel messages on the sick host, plus ordinary noise on all hosts
    for h in hosts:
        hn = host_name[h["id"]]
        t = start + timedelta(minutes=rng.randint(5, 40))
        while t < now:
            k.log(
                "/boxoffice/system",
                h["id"],
                t,
                f"{syslog_ts(t)} {hn} systemd: Started Session {rng.randint(1000, 9999)} of user ec2-user.",
            )
            if rng.random() < 0.3:
                k.log(
                    "/boxoffice/system",
                    h["id"],
                    t + timedelta(seconds=2),
                    f"{syslog_ts(t)} {hn} dhclient[{rng.randint(2000, 2999)}]: XMT: Solicit on eth0, interval {rng.randint(100000, 130000)}ms.",
                )
            t += timedelta(minutes=rng.randint(25, 60))
        t = start + timedelta(minutes=rng.randint(0, 59))
        while t < now:
            k.log(
                "/boxoffice/system",
                h["id"],
                t,
                f"{syslog_ts(t)} {hn} amazon-ssm-agent: INFO [HealthCheck] HealthCheck reporting agent health.",
            )
            t += timedelta(minutes=5)
    hn = host_name[sick["id"]]
    t = onset - timedelta(seconds=rng.randint(20, 90))
    k.log(
        "/boxoffice/system",
        sick["id"],
        t,
        f"{syslog_ts(t)} {hn} kernel: nvme nvme1: I/O {rng.randint(100, 900)} QID {rng.randint(1, 4)} timeout, aborting",
    )
    while t < now:
        if stall(t) > 0 or rng.random() < 0.2:
            qid = rng.randint(1, 4)
            io = rng.randint(100, 900)
            sector = rng.randint(10**7, 9 * 10**8)
            lines = [
                f"kernel: nvme nvme1: I/O {io} QID {qid} timeout, aborting",
                "kernel: nvme nvme1: Abort status: 0x371",
                f"kernel: nvme nvme1: I/O {io} QID {qid} timeout, reset controller",
                f"kernel: blk_update_request: I/O error, dev nvme1n1, sector {sector} op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0",
                f"kernel: Buffer I/O error on dev nvme1n1, logical block {sector // 8}, lost async page write",
            ]
            if stall(t) > 0.4:
                lines.append(
                    f"kernel: INFO: task nginx:{rng.randint(3000, 3200)} blocked for more than 122 seconds."
                )
                lines.append(
                    'kernel: "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'
                )
            if rng.random() < 0.15:
                lines.append(
                    "kernel: EXT4-fs error (device nvme1n1): ext4_find_entry:1587: inode #2: comm gunicorn: reading directory lblock 0"
                )
            for j, ln in enumerate(lines):
                k.log(
                    "/boxoffice/system",
                    sick["id"],
                    t + timedelta(milliseconds=j * 3),
                    f"{syslog_ts(t)} {hn} {ln}",
                )
        t += timedelta(seconds=rng.randint(40, 140))
    # a few ordinary app warnings everywhere
    for h in hosts:
        for _ in range(rng.randint(3, 7)):
            when = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
            k.log(
                "/boxoffice/app",
                h["id"],
                when,
                json.dumps(
                    {
                        "ts": f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z",
                        "level": "WARNING",
                        "logger": "boxoffice.holds",
                        "msg": "seat hold expired before payment",
                        "event_id": rng.randint(8000, 9900),
                        "hold_id": k.hex(10),
                    }
                ),
            )

    # --- other resources -------------------------------------------------------------------------
    for h in hosts:
        k.res(
            "ec2",
            "Volume",
            {
                "Attachments": [
                    {
                        "AttachTime": iso(created),
                        "Device": "/dev/xvda",
                        "InstanceId": h["id"],
                        "State": "attached",
                        "VolumeId": h["vol"],
                        "DeleteOnTermination": True,
                    }
                ],
                "AvailabilityZone": h["az"],
                "CreateTime": iso(created),
                "Encrypted": True,
                "KmsKeyId": k.arn("kms", f"key/{k.uuid()}"),
                "Size": 40,
                "SnapshotId": k.rid("snap"),
                "State": "in-use",
                "VolumeId": h["vol"],
                "Iops": 3000,
                "VolumeType": "gp3",
                "Throughput": 125,
                "MultiAttachEnabled": False,
            },
        )
    for g in ["/boxoffice/nginx/access", "/boxoffice/nginx/error", "/boxoffice/system", "/boxoffice/app"]:
        log_group(k, g, created, 14)

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "boxoffice-alerts")
    common: J = {"history_from": start, "updated": created + timedelta(days=rng.randint(10, 100))}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    k.alarm(
        "boxoffice-prod-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        10,
        "GreaterThanThreshold",
        datapoints=2,
        missing="notBreaching",
        actions=[ops],
        ok_actions=[ops],
        description="boxoffice-web targets returning 5xx",
        **common,
    )
    k.alarm(
        "boxoffice-prod-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb.dim},
        "Sum",
        300,
        1,
        60,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[ops],
        **common,
    )
    k.alarm(
        "boxoffice-prod-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Maximum",
        60,
        10,
        0,
        "GreaterThanThreshold",
        datapoints=10,
        actions=[ops],
        **common,
    )
    k.alarm(
        "boxoffice-prod-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Average",
        300,
        2,
        2.5,
        "GreaterThanThreshold",
        actions=[ops],
        **common,
    )
    k.evaluate_alarms(now)

    # --- CloudTrail ------------------------------------------------------------------------------
    grafana = k.role("grafana-cloudwatch-read", "grafana", ip=k.public_ip(), ua=GRAFANA_UA)
    ssm = k.service_role("AWSServiceRoleForAmazonSSM", "SSM", "ssm.amazonaws.com")
    people = [k.sso("j.mbeki@tixhaven.com", "SRE"), k.sso("lena.fischer@tixhaven.com", "Developer")]
    agent_ua = "aws-sdk-go/1.44.302 (go1.20.6; linux; amd64) amazon-cloudwatch-agent/1.300032.2b361"
    agents = {h["id"]: k.role("boxoffice-web", h["id"], ip=h["ip"], ua=agent_ua) for h in hosts}

    def r_grafana(w: datetime) -> None:
        k.ct(w, grafana, "monitoring.amazonaws.com", "GetMetricData", None, read_only=True)

    def r_people(w: datetime) -> None:
        p = rng.choice(people)
        c = rng.randrange(3)
        if c == 0:
            k.ct(
                w,
                p,
                "ec2.amazonaws.com",
                "DescribeInstances",
                {
                    "instancesSet": {},
                    "filterSet": {
                        "items": [{"name": "tag:service", "valueSet": {"items": [{"value": "boxoffice"}]}}]
                    },
                },
                read_only=True,
            )
        elif c == 1:
            k.ct(
                w,
                p,
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetGroups",
                {"names": ["boxoffice-web"]},
                read_only=True,
            )
        else:
            k.ct(
                w,
                p,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"alarmNamePrefix": "boxoffice"},
                read_only=True,
            )

    def r_agent(w: datetime) -> None:
        h = rng.choice(hosts)
        p = agents[h["id"]]
        k.ct(
            w,
            p,
            "ec2.amazonaws.com",
            "DescribeTags",
            {"filterSet": {"items": [{"name": "resource-id", "valueSet": {"items": [{"value": h["id"]}]}}]}},
            read_only=True,
        )

    def r_ssm(w: datetime) -> None:
        k.ct(
            w,
            ssm,
            "ssm.amazonaws.com",
            "UpdateInstanceInformation",
            {
                "instanceId": rng.choice(hosts)["id"],
                "agentVersion": "3.3.40.0",
                "platformType": "Linux",
                "platformName": "Amazon Linux",
                "platformVersion": "2",
            },
            None,
        )

    k.routine(start, now, rng.randint(34, 44), [r_grafana, r_grafana, r_people, r_agent, r_ssm])
    # innocent changes shortly before: a deregistration-delay tweak on this target group, and a patch scan on all four
    mod_at = onset - timedelta(minutes=rng.randint(11, 24), seconds=rng.randint(0, 59))
    k.ct(
        mod_at,
        people[0],
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": lb.tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "round_robin"},
            ]
        },
    )
    scan_at = onset - timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))
    cmd_id = k.uuid()
    k.ct(
        scan_at,
        people[0],
        "ssm.amazonaws.com",
        "SendCommand",
        {
            "documentName": "AWS-RunPatchBaseline",
            "instanceIds": [h["id"] for h in hosts],
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "maxConcurrency": "1",
            "maxErrors": "1",
        },
        {
            "command": {
                "commandId": cmd_id,
                "documentName": "AWS-RunPatchBaseline",
                "instanceIds": [h["id"] for h in hosts],
                "status": "Pending",
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "maxConcurrency": "1",
                "maxErrors": "1",
                "targetCount": 4,
            }
        },
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(3, 12)),
        people[1],
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_alb,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 8443,
                        "toPort": 8443,
                        "ipRanges": {
                            "items": [{"cidrIp": "0.0.0.0/0", "description": "box office kiosk beta"}]
                        },
                    }
                ]
            },
        },
        {"requestId": k.uuid(), "_return": True},
    )

    event, _when = k.alarm_event("boxoffice-prod-target-5xx", 0)
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": event},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": sick["id"],
                "category": "component_failure",
                "failure_mode": "instance-local-disk-failing",
                "event_id": None,
            },
            "also_accept": [sick["name"], sick["ip"], f"{host_name[sick['id']]}.{k.region}.compute.internal"],
            "actions": ["exclude", "restart"],
            "chain": [
                f"{sick['name']} ({sick['id']}): its local NVMe instance-store disk (nvme1n1) times out and returns I/O errors",
                "nginx's proxy temp files on that disk fail and workers hang; the instance status check (reachability) fails",
                "its target in boxoffice-web flaps unhealthy (Target.Timeout); requests it still gets return 500 or time out (ELB 504)",
                "boxoffice-prod target 5xx alarm; errors are confined to that instance's AZ while the other three instances are fine",
            ],
        },
    }
    return k.bundle(manifest, now)
