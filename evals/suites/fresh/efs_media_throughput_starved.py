"""Storefront pages slow and timing out once the shared-media EFS file system ran out of burst credits."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzy import Env, change_noise, traffic

NAME = "efs-media-throughput-starved"
TITLE = "Storefront crawling and some 504s this afternoon; web CPU is low"
SUMMARY = (
    "The shared-media EFS file system in bursting mode drained its burst credits; throughput fell to the "
    "size-based baseline and PHP workers blocked on NFS reads, so page latency and 504s climbed."
)

APPS = ["hollowmere", "quillford", "saltrake", "pinecrest", "marlowe"]
ZONES = ["Europe/Dublin", "Europe/Madrid", "Europe/Lisbon", "Europe/Amsterdam"]


def build(seed: int) -> Bundle:
    env = Env(seed, NAME, (13, 17))
    r = env.rng
    env.app = r.choice(APPS)
    env._topology()
    zone = r.choice(ZONES)
    onset = env.onset.replace(second=0)
    size = env.efs_size
    baseline = size / 1024**3 * 50 * 1024  # 50 KiB/s per GiB stored
    burst = 104857600.0
    demand_bps = baseline * r.uniform(4.5, 6.5)  # what the fleet reads and writes, bytes/s
    drain = demand_bps - baseline
    credit0 = drain * (onset - env.start).total_seconds()
    starve = r.uniform(0.55, 0.75)  # how badly requests block once starved

    def after(t: datetime) -> float:
        """0 before the credits run out, rising to 1 over ten minutes."""
        m = (t - onset).total_seconds() / 60
        return 0.0 if m < 0 else min(1.0, 0.2 + m / 10)

    def mod(key: str, t: datetime, v: float | None) -> float | None:
        if v is None:
            return None
        s = after(t)
        if key == "EFS:Credit":
            left = credit0 - drain * (t - env.start).total_seconds()
            return max(0.0, left) if s == 0 else 0.0
        if key == "EFS:Permitted":
            return burst if s == 0 else baseline
        if key == "EFS:IO":
            io = demand_bps * 60 * r.uniform(0.9, 1.1)
            return io if s == 0 else baseline * 60 * r.uniform(0.97, 1.0)
        if key == "EFS:PIO":
            return v * (1 - 0.4 * s)
        if s == 0:
            return v
        if key == "TargetResponseTime":
            return v + s * starve * r.uniform(5.5, 9.0)
        if key == "HTTPCode_Target_5XX_Count":
            return v + _req.get(t, 0.0) * s * starve * r.uniform(0.03, 0.06)
        if key == "HTTPCode_ELB_5XX_Count":
            return v + _req.get(t, 0.0) * s * r.uniform(0.001, 0.004)
        if key.startswith("CPU:"):
            return v * (1 - 0.45 * s)
        if key == "RDS:CPU":
            return v * (1 - 0.3 * s)
        if key == "RDS:Conn":
            return v + s * r.uniform(30, 60)
        return v

    _req: dict[datetime, float] = {}

    def rec(key: str, t: datetime, v: float | None) -> float | None:
        if key == "RequestCount" and v is not None:
            _req[t] = v * (1 - 0.12 * after(t))
            return _req[t]
        return mod(key, t, v)

    traffic(env, r.uniform(60, 140), rec)
    env.base_resources()
    env.add_resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/{env.app}/web/php-fpm",
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{env.region}:{env.account}:log-group:/{env.app}/web/php-fpm:*",
            "creationTime": int((env.start - timedelta(days=300)).timestamp() * 1000),
        },
    )

    # CloudTrail: readers, innocent changes (a launch-template bump shortly before)
    env.readonly_noise(r.randint(40, 55))
    change_noise(env, onset, 5)
    tf = env.who_role("terraform-ci", f"gha-{r.randint(1000000, 9999999)}")
    env.ct(
        onset - timedelta(minutes=r.randint(15, 30)),
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        tf,
        {
            "autoScalingGroupName": env.asg,
            "launchTemplate": {"launchTemplateId": env.lt, "version": "$Latest"},
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0",
    )
    ops = env.who_sso("a.mensah@example.com")
    env.ct(
        onset + timedelta(minutes=r.randint(14, 20)),
        "elasticfilesystem.amazonaws.com",
        "DescribeFileSystems",
        ops,
        {"fileSystemId": env.efs},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="AWS Internal",
    )

    # logs: nginx error log and php-fpm log per instance
    for inst in env.instances:
        t = env.start + timedelta(seconds=r.randint(0, 600))
        pid = r.randint(900, 1300)
        while t < env.now:
            s = after(t)
            stream_err = f"{inst['id']}/error.log"
            stamp = t.strftime("%Y/%m/%d %H:%M:%S")
            if s > 0:
                roll = r.random()
                if roll < 0.45:
                    env.log(
                        f"/{env.app}/web/nginx",
                        stream_err,
                        t,
                        f"{stamp} [error] {pid}#{pid}: *{r.randint(100000, 999999)} upstream timed out (110: "
                        f"Connection timed out) while reading response header from upstream, client: "
                        f'10.{env.ip_base}.{r.randint(0, 2)}.{r.randint(10, 250)}, server: _, request: "GET '
                        f'{r.choice(["/product/", "/category/", "/"])}{r.randint(100, 9999)} HTTP/1.1", '
                        f'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "www.{env.app}.com"',
                    )
                elif roll < 0.75:
                    env.log(
                        f"/{env.app}/web/php-fpm",
                        f"{inst['id']}/php8.2-fpm.log",
                        t,
                        f"[{t.strftime('%d-%b-%Y %H:%M:%S')}] WARNING: [pool www] child {r.randint(20000, 40000)}, "
                        f"script '/var/www/html/index.php' (request: \"GET /index.php\") executing too slow "
                        f"({r.uniform(5, 29):.6f} sec), logging",
                    )
                else:
                    env.log(
                        f"/{env.app}/web/php-fpm",
                        f"{inst['id']}/php8.2-fpm.log",
                        t,
                        f"[{t.strftime('%d-%b-%Y %H:%M:%S')}] WARNING: [pool www] server reached "
                        f"pm.max_children setting (48), consider raising it",
                    )
                t += timedelta(seconds=r.uniform(3, 14))
            else:
                if r.random() < 0.5:
                    env.log(
                        f"/{env.app}/web/nginx",
                        stream_err,
                        t,
                        f"{stamp} [error] {pid}#{pid}: *{r.randint(100000, 999999)} open() "
                        f'"/var/www/html/wp-content/uploads/{r.randint(2019, 2025)}/0{r.randint(1, 9)}/'
                        f'img_{r.randint(1000, 9999)}-300x300.webp" failed (2: No such file or directory), '
                        f"client: 10.{env.ip_base}.{r.randint(0, 2)}.{r.randint(10, 250)}, server: _",
                    )
                else:
                    env.log(
                        f"/{env.app}/web/php-fpm",
                        f"{inst['id']}/php8.2-fpm.log",
                        t,
                        f"[{t.strftime('%d-%b-%Y %H:%M:%S')}] NOTICE: [pool www] child {r.randint(20000, 40000)} "
                        f"exited with code 0 after {r.uniform(600, 3600):.6f} seconds from start",
                    )
                t += timedelta(seconds=r.uniform(120, 420))

    # alarms
    lb = {"LoadBalancer": env.alb_dim}
    lat = env.alarm(
        f"{env.app}-web-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Average",
        60,
        1.5,
        "GreaterThanThreshold",
        5,
        "Web ALB average response time above 1.5 s for 5 minutes",
    )
    e5 = env.alarm(
        f"{env.app}-web-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        300,
        150,
        "GreaterThanThreshold",
        2,
        "Web target 5xx above 150 per 5 minutes",
        treat_missing="notBreaching",
    )
    event = env.auto(lat)[0]
    env.auto(e5)
    env.alarm(
        f"{env.app}-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": env.tg_dim, "LoadBalancer": env.alb_dim},
        "Maximum",
        60,
        0,
        "GreaterThanThreshold",
        3,
        "Any unhealthy web target for 3 minutes",
    )
    env.alarm(
        f"{env.app}-rds-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": env.db},
        "Average",
        300,
        80,
        "GreaterThanThreshold",
        3,
        "RDS CPU above 80% for 15 minutes",
    )
    cpu = env.alarm(
        f"{env.app}-web-cpu-low",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": env.asg},
        "Average",
        300,
        10,
        "LessThanThreshold",
        3,
        "Scale-in hint: web fleet CPU under 10%",
    )
    cpu["AlarmActions"] = []
    cpu["OKActions"] = []
    env.auto(cpu)

    local = onset.astimezone(ZoneInfo(zone))
    question = (
        f"Storefront has been really slow since around {local.strftime('%I:%M %p').lstrip('0').lower()} and "
        "some product pages time out with a 504. Web server CPU looks low, so it isn't load. Did "
        "today's launch template change break something?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.efs,
            "category": "limit",
            "failure_mode": "efs-burst-credits-exhausted",
        },
        "also_accept": [f"{env.app}-shared-media"],
        "actions": ["reconfigure"],
        "chain": [env.efs, env.asg, env.tg_name, env.alb_name],
    }
    return env.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": zone}, truth)
