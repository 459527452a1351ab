"""One web instance's storage volume (Laravel sessions, cache and logs) stops completing I/O; its static
health check keeps passing and the ASG checks only EC2 status, so a fifth of requests hang and time out."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzf import World, iso

NAME = "one-web-node-hung-on-storage-volume"
TITLE = "Shop slow and some pages timing out with 504s since mid-afternoon, not for everyone"
SUMMARY = (
    "The EBS data volume holding sessions and cache on one ASG instance stalled; its static ALB health "
    "check kept passing, so every request routed to it hung until nginx gave up."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = datetime(2026, 2, 2, tzinfo=UTC) + timedelta(days=rng.randint(0, 50))
    onset = day.replace(hour=15, minute=rng.randint(20, 50), second=rng.randint(0, 59))
    w = World(
        seed,
        onset,
        before=timedelta(hours=3, minutes=35),
        after=timedelta(minutes=rng.randint(40, 55)),
        salt=NAME,
    )
    n = 5
    for k in range(n):
        w.add_instance(w.azs[k % 3], w.start - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 20)))
    bad = w.instances[rng.randint(0, n - 1)]
    share = 1 / n

    def rpm(t: datetime) -> float:
        return w.diurnal(t, 0, 1500, 6200)

    def hung(t: datetime) -> bool:
        return t >= onset

    def t5xx(t: datetime) -> float:
        if not hung(t):
            return 0.0
        ramp = min(1.0, (t - onset).total_seconds() / 120)
        return rpm(t) * share * 0.86 * ramp

    def latency(t: datetime) -> float:
        base = 0.14
        if not hung(t):
            return base
        ramp = min(1.0, (t - onset).total_seconds() / 120)
        return base * (1 - share) + share * ramp * 24.0

    def cpu(i: dict[str, Any], t: datetime) -> float:
        if i is bad and hung(t):
            return 1.2 * w.noise(t, "badcpu", 0.3)
        return min(95.0, 5 + rpm(t) / n / 55 * w.noise(t, i["id"], 0.08))

    w.web_metrics(
        rpm,
        t5xx=t5xx,
        latency=latency,
        lat_max=lambda t: 30.0 if hung(t) else 4.2,
        cpu=cpu,
    )
    w.rds_metrics(w.db, cpu=lambda t: 11 + rpm(t) / 420, conns=lambda t: 90 + rpm(t) / 150)
    w.rds_metrics(
        w.replica,
        cpu=lambda t: 8 + rpm(t) / 700,
        conns=lambda t: 40 + rpm(t) / 300,
        lag=lambda t: 0.0,
    )
    w.efs_metrics()
    for inst in w.instances:
        d = {"VolumeId": inst["data_vol"]}
        stuck = inst is bad

        def ops(t: datetime, inst: dict[str, Any] = inst, stuck: bool = stuck, s: str = "w") -> float:
            if stuck and hung(t):
                return 0.0
            return round(rpm(t) / n * (2.6 if s == "w" else 0.9) * w.noise(t, inst["id"] + s, 0.15))

        def qlen(t: datetime, inst: dict[str, Any] = inst, stuck: bool = stuck) -> float:
            if stuck and hung(t):
                return round(min(64.0, 6 + (t - onset).total_seconds() / 30), 2)
            return round(0.02 * w.noise(t, inst["id"] + "q", 0.6), 4)

        def stall(t: datetime, stuck: bool = stuck) -> float:
            return 1.0 if stuck and t >= onset + timedelta(minutes=1) else 0.0

        w.put("AWS/EBS", "VolumeWriteOps", d, "Count", ops)

        def reads(t: datetime, inst: dict[str, Any] = inst, stuck: bool = stuck) -> float:
            return ops(t, inst, stuck, "r")

        w.put("AWS/EBS", "VolumeReadOps", d, "Count", reads)
        w.put("AWS/EBS", "VolumeQueueLength", d, "Count", qlen)
        w.put(
            "AWS/EBS",
            "VolumeStalledIOCheck",
            {"VolumeId": inst["data_vol"], "InstanceId": inst["id"]},
            "None",
            stall,
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    w.tooling_noise()
    w.backup_and_console_noise()
    p = w.people
    dep_t = onset - timedelta(minutes=rng.randint(22, 34))
    w.codedeploy(dep_t)
    w.cloudfront_invalidation(dep_t + timedelta(minutes=4), p[1])
    mon_sg = w.hid("sg-")
    w.ct(
        onset - timedelta(minutes=rng.randint(50, 80)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        w.sso(p[0]),
        {
            "groupId": w.sg_web,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "groups": {
                            "items": [{"groupId": mon_sg, "description": "node_exporter from prometheus"}]
                        },
                        "ipRanges": {},
                    }
                ]
            },
        },
        {
            "requestId": w.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": w.account,
                        "groupId": w.sg_web,
                        "securityGroupRuleId": w.hid("sgr-"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "referencedGroupInfo": {"groupId": mon_sg, "userId": w.account},
                        "description": "node_exporter from prometheus",
                    }
                ]
            },
        },
    )
    w.ct(
        onset + timedelta(minutes=rng.randint(14, 22)),
        "ssm.amazonaws.com",
        "StartSession",
        w.sso(p[3], "PowerUserAccess"),
        {"target": w.instances[(w.instances.index(bad) + 1) % n]["id"]},
        {
            "sessionId": f"{p[3]}@{w.app}.com-{w.hexs(17)}",
            "tokenValue": "Value hidden due to security reasons.",
        },
    )

    # --- targets: all healthy throughout (the health check is a static file nginx serves) ------
    for inst in w.instances:
        w.target(inst, w.start, "healthy")

    # --- logs -------------------------------------------------------------------------------------
    def line(inst: dict[str, Any], t: datetime, h: random.Random) -> str | None:
        if inst is bad and t >= onset - timedelta(seconds=30):
            return None  # laravel.log lives on the stalled volume: nothing more is written or shipped
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        r = h.random()
        if r < 0.1:
            return f"[{stamp}] production.INFO: Running scheduled command: '/usr/bin/php8.2' 'artisan' orders:sync-shipping"
        if r < 0.14:
            return (
                f"[{stamp}] production.WARNING: Image resize fell back to original "
                f'{{"path":"uploads/products/{h.randint(1000, 9999)}/main.jpg"}}'
            )
        if r < 0.16:
            return (
                f"[{stamp}] production.ERROR: cURL error 28: Operation timed out after 5001 milliseconds "
                "with 0 bytes received (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for "
                "https://api.postcodes.example.net/v2/lookup"
            )
        return None

    w.app_logs(rpm, line)
    ngx = f"/{w.app}/web/nginx"
    sysg = f"/{w.app}/web/messages"
    paths = ["/account/orders", "/cart", "/checkout", "/products/", "/category/", "/search?q="]
    for inst in w.instances:
        t = w.start + timedelta(minutes=rng.randint(0, 30))
        while t < w.now:
            h = random.Random(f"{seed}/ngx/{inst['id']}/{int(t.timestamp())}")
            stamp = t.strftime("%Y/%m/%d %H:%M:%S")
            pid = 2100 + inst["n"]
            cid = int(t.timestamp()) % 10_000_000
            client = f"10.40.{h.choice([1, 17, 33])}.{h.randint(5, 250)}"
            path = h.choice(paths) + (str(h.randint(100, 9999)) if h.random() < 0.5 else "")
            if inst is bad and t >= onset + timedelta(seconds=30):
                if t < onset + timedelta(minutes=3) or h.random() < 0.5:
                    msg = (
                        f"{stamp} [error] {pid}#{pid}: *{cid} upstream timed out (110: Connection timed out) while "
                        f'reading response header from upstream, client: {client}, server: _, request: "GET {path} '
                        'HTTP/1.1", upstream: "fastcgi://unix:/run/php-fpm/www.sock:", host: "www.'
                        f'{w.app}.com"'
                    )
                else:
                    msg = (
                        f"{stamp} [error] {pid}#{pid}: *{cid} connect() to unix:/run/php-fpm/www.sock failed "
                        "(11: Resource temporarily unavailable) while connecting to upstream, client: "
                        f'{client}, server: _, request: "GET {path} HTTP/1.1", upstream: '
                        f'"fastcgi://unix:/run/php-fpm/www.sock:", host: "www.{w.app}.com"'
                    )
                w.log(ngx, f"{inst['id']}/error.log", t, msg)
                t += timedelta(seconds=h.randint(4, 20))
                continue
            if h.random() < 0.3:
                w.log(
                    ngx,
                    f"{inst['id']}/error.log",
                    t,
                    f"{stamp} [warn] {pid}#{pid}: *{cid} an upstream response is buffered to a temporary file "
                    f"/var/lib/nginx/tmp/fastcgi/{h.randint(1, 9)}/{h.randint(10, 99)}/00000{h.randint(10000, 99999)} "
                    f'while reading upstream, client: {client}, server: _, request: "GET {path} HTTP/1.1", '
                    f'upstream: "fastcgi://unix:/run/php-fpm/www.sock:", host: "www.{w.app}.com"',
                )
            t += timedelta(minutes=h.randint(6, 22))
    # kernel messages from the stalled instance, shipped by the agent from /var/log/messages (root volume)
    host = f"ip-{bad['ip'].replace('.', '-')}"
    kt = onset + timedelta(seconds=rng.randint(20, 40))
    k = 0
    while kt < w.now:
        stamp = kt.strftime("%b %e %H:%M:%S")
        up = int((kt - bad["launched"]).total_seconds())
        if k % 3 == 0:
            msg = f"{stamp} {host} kernel: [{up}.{rng.randint(100000, 999999)}] nvme nvme1: I/O {rng.randint(1, 1023)} QID {rng.randint(1, 4)} timeout, aborting"
        elif k % 3 == 1:
            msg = (
                f"{stamp} {host} kernel: [{up}.{rng.randint(100000, 999999)}] INFO: task php-fpm:{rng.randint(20000, 40000)} "
                "blocked for more than 122 seconds."
            )
        else:
            msg = (
                f"{stamp} {host} kernel: [{up}.{rng.randint(100000, 999999)}] INFO: task jbd2/nvme1n1-8:{rng.randint(900, 1200)} "
                "blocked for more than 122 seconds."
            )
        w.log(sysg, f"{bad['id']}/messages", kt, msg)
        kt += timedelta(seconds=rng.randint(60, 200))
        k += 1
    for inst in w.instances:
        w.log(
            sysg,
            f"{inst['id']}/messages",
            w.start + timedelta(minutes=rng.randint(5, 60)),
            f"{(w.start + timedelta(minutes=30)).strftime('%b %e %H:%M:%S')} ip-{inst['ip'].replace('.', '-')} "
            "systemd[1]: Starting dnf makecache...",
        )

    # --- alarms -----------------------------------------------------------------------------------
    lb = {"LoadBalancer": w.alb_id}
    w.alarm(
        f"{w.app}-alb-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        50,
        "GreaterThanThreshold",
        evals=3,
        desc="Web tier returning 5xx through the ALB",
        missing="notBreaching",
    )
    w.alarm(
        f"{w.app}-alb-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Average",
        1.5,
        "GreaterThanThreshold",
        evals=5,
        desc="Average response time over 1.5s",
    )
    w.alarm(
        f"{w.app}-alb-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": w.tg_id, "LoadBalancer": w.alb_id},
        "Maximum",
        0,
        "GreaterThanThreshold",
        evals=3,
    )
    w.alarm(
        f"{w.db}-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": w.db},
        "Average",
        80,
        "GreaterThanThreshold",
        evals=5,
    )
    w.alarm(
        f"{w.replica}-lag",
        "AWS/RDS",
        "ReplicaLag",
        {"DBInstanceIdentifier": w.replica},
        "Maximum",
        30,
        "GreaterThanThreshold",
        evals=3,
        dta=2,
    )

    # --- resources --------------------------------------------------------------------------------
    since = onset + timedelta(minutes=1)
    w.estate(
        min_size=4,
        max_size=10,
        health_check="EC2",
        data_volume=True,
        status_override={
            bad["id"]: {
                "AttachedEbsStatus": {
                    "Status": "impaired",
                    "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(since)}],
                }
            }
        },
    )
    w.db_instance(w.db)
    w.db_instance(w.replica, replica_of=w.db, multi_az=False, az="us-east-1c")
    for inst in w.instances:
        w.res(
            "ec2",
            "VolumeStatusItem",
            {
                "VolumeId": inst["data_vol"],
                "AvailabilityZone": inst["az"],
                "VolumeStatus": {
                    "Status": "ok",
                    "Details": [
                        {"Name": "io-enabled", "Status": "passed"},
                        {"Name": "io-performance", "Status": "not-applicable"},
                    ],
                },
                "Actions": [],
                "Events": [],
                "AttachmentStatuses": [{"InstanceId": inst["id"], "IoPerformance": "normal"}],
            },
        )
    question = (
        f"The shop has felt really slow since about {(onset + timedelta(minutes=6)).strftime('%-I:%M%p').lower()} and "
        "some pages just hang and then show a 504 - refresh usually works. We deployed a bit before that, could "
        "it be the release?"
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": None, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": bad["data_vol"],
                "category": "component_failure",
                "failure_mode": "ebs-volume-io-stalled",
            },
            "also_accept": [bad["id"], f"ip-{bad['ip'].replace('.', '-')}"],
            "actions": ["exclude", "restart"],
            "chain": [bad["data_vol"], bad["id"], w.tg_name, w.alb_name],
        },
    )
