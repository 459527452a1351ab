"""Checkout errors at the lunchtime ramp: the web tier scales out and new PHP workers cannot open MySQL
connections, because a parameter-group edit made that morning lowered max_connections on the primary."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzf import World, iso

NAME = "lunchtime-scale-out-checkout-errors"
TITLE = "Checkout failing for some shoppers since the lunchtime ramp; web ALB target 5xx alarm"
SUMMARY = (
    "A morning parameter-group edit capped MySQL max_connections; once the web ASG scaled out at lunch, "
    "new persistent connections were refused and a share of requests returned 500."
)

PER_INSTANCE = 42


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = datetime(2026, 1, 6, tzinfo=UTC) + timedelta(days=rng.randint(0, 60))
    onset = day.replace(hour=18, minute=rng.randint(0, 25))  # about noon in Chicago
    w = World(
        seed,
        onset,
        before=timedelta(hours=3, minutes=40),
        after=timedelta(minutes=rng.randint(38, 48)),
        salt=NAME,
    )
    cap = rng.choice([180, 200])
    base_n = 4
    for k in range(base_n):
        w.add_instance(w.azs[k % 3], w.start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 20)))
    new1 = w.add_instance(w.azs[base_n % 3], onset - timedelta(minutes=3))
    new2 = w.add_instance(w.azs[(base_n + 1) % 3], onset + timedelta(minutes=rng.randint(6, 9)))

    def rpm(t: datetime) -> float:
        return w.diurnal(t, -6, 1300, 8100)

    def wanted(t: datetime) -> float:
        n = 0.0
        for i in w.alive(t):
            ramp = min(1.0, max(0.0, (t - i["launched"]).total_seconds() / 300))
            n += PER_INSTANCE * ramp
        return n + 7

    def refused_share(t: datetime) -> float:
        need = wanted(t)
        return max(0.0, (need - cap) / need)

    def t5xx(t: datetime) -> float:
        return rpm(t) * refused_share(t) * 0.55

    def cpu(i: dict[str, Any], t: datetime) -> float:
        n = len([x for x in w.alive(t) if t >= x["launched"] + timedelta(minutes=3)]) or 1
        return min(96.0, 7 + rpm(t) / n / 40 * w.noise(t, i["id"], 0.08))

    w.web_metrics(
        rpm,
        t5xx=t5xx,
        latency=lambda t: 0.12 + 0.5 * refused_share(t),
        cpu=cpu,
    )
    change = onset - timedelta(minutes=rng.randint(118, 150))

    def db_conns(t: datetime) -> float:
        v = wanted(t) * w.noise(t, "dbc", 0.02)
        return min(v, cap + 1) if t >= change else v

    blip = w.start + timedelta(minutes=rng.randint(40, 150))
    w.rds_metrics(w.db, cpu=lambda t: 14 + rpm(t) / 300, conns=db_conns, read_lat=lambda t: 0.0007)
    w.rds_metrics(
        w.replica,
        cpu=lambda t: 9 + rpm(t) / 520,
        conns=lambda t: 60 + rpm(t) / 250,
        lag=lambda t: 0.0 if not (blip <= t < blip + timedelta(minutes=7)) else 45.0,
    )
    w.efs_metrics()

    # --- CloudTrail -------------------------------------------------------------------------------
    w.tooling_noise()
    w.backup_and_console_noise()
    p = w.people
    culprit = w.ct(
        change,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        w.sso(p[0]),
        {
            "dBParameterGroupName": w.pg,
            "parameters": [
                {"parameterName": "slow_query_log", "parameterValue": "1", "applyMethod": "immediate"},
                {"parameterName": "long_query_time", "parameterValue": "2", "applyMethod": "immediate"},
                {"parameterName": "max_connections", "parameterValue": str(cap), "applyMethod": "immediate"},
            ],
        },
        {"dBParameterGroupName": w.pg},
    )
    w.ct(
        change - timedelta(minutes=4),
        "rds.amazonaws.com",
        "DescribeDBParameters",
        w.sso(p[0]),
        {"dBParameterGroupName": w.pg, "source": "user"},
        None,
        read_only=True,
    )
    dep_t = onset - timedelta(minutes=rng.randint(40, 55))
    w.codedeploy(dep_t)
    w.cloudfront_invalidation(dep_t + timedelta(minutes=6), p[1])
    asg_role = w.service_role("autoscaling.amazonaws.com")
    for inst in (new1, new2):
        w.ct(
            inst["launched"] - timedelta(seconds=20),
            "ec2.amazonaws.com",
            "RunInstances",
            asg_role,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": w.lt, "version": str(w.lt_version)},
                "subnetId": inst["subnet"],
            },
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": inst["id"],
                            "imageId": w.ami,
                            "instanceType": "m6i.xlarge",
                            "privateIpAddress": inst["ip"],
                            "instanceState": {"code": 0, "name": "pending"},
                        }
                    ]
                }
            },
        )
    w.ct(
        onset - timedelta(minutes=rng.randint(70, 95)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        w.sso(p[2], "PowerUserAccess"),
        {"dashboardName": f"{w.app}-web-overview"},
        None,
    )

    # --- scaling, targets, RDS events -------------------------------------------------------------
    policy = f"{w.app}-cpu50"
    hi_alarm = f"TargetTracking-{w.asg}-AlarmHigh-{w.uid()}"
    prev = base_n
    for inst in (new1, new2):
        t = inst["launched"]
        w.activity(
            t - timedelta(seconds=20),
            f"Launching a new EC2 instance: {inst['id']}",
            f"At {iso(t - timedelta(seconds=40))} a monitor alarm {hi_alarm} in state ALARM triggered policy "
            f"{policy} changing the desired capacity from {prev} to {prev + 1}.  At {iso(t - timedelta(seconds=22))} "
            f"an instance was started in response to a difference between desired and actual capacity, "
            f"increasing the capacity from {prev} to {prev + 1}.",
            secs=200,
            details=json.dumps({"Subnet ID": inst["subnet"], "Availability Zone": inst["az"]}),
        )
        prev += 1
    for inst in w.instances:
        if inst["launched"] < w.start:
            w.target(inst, w.start, "healthy")
        else:
            w.target(
                inst,
                inst["launched"] + timedelta(seconds=70),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            w.target(inst, inst["launched"] + timedelta(seconds=120), "healthy")
    w.rds_event(
        change + timedelta(seconds=3),
        w.pg,
        "db-parameter-group",
        f"Updated parameter max_connections to {cap} with apply method immediate",
        ["configuration change"],
    )
    w.rds_event(
        change + timedelta(seconds=3),
        w.pg,
        "db-parameter-group",
        "Updated parameter long_query_time to 2 with apply method immediate",
        ["configuration change"],
    )
    w.rds_event(
        change + timedelta(seconds=3),
        w.pg,
        "db-parameter-group",
        "Updated parameter slow_query_log to 1 with apply method immediate",
        ["configuration change"],
    )

    # --- logs -------------------------------------------------------------------------------------
    def line(inst: dict[str, Any], t: datetime, h: random.Random) -> str | None:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        share = refused_share(t)
        young = inst["launched"] >= w.start
        if share > 0 and h.random() < (0.95 if young else 0.45):
            sql = h.choice(
                [
                    "select * from `sessions` where `id` = ? limit 1",
                    "select * from `carts` where `customer_id` = ? and `status` = ? limit 1",
                    "select * from `users` where `id` = ? limit 1",
                ]
            )
            return (
                f"[{stamp}] production.ERROR: SQLSTATE[HY000] [1040] Too many connections "
                f"(Connection: mysql, SQL: {sql}) "
                '{"exception":"[object] (Illuminate\\\\Database\\\\QueryException(code: 1040): SQLSTATE[HY000] '
                f"[1040] Too many connections (Connection: mysql, SQL: {sql}) at "
                '/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php:829)"}'
            )
        r = h.random()
        if r < 0.08:
            return (
                f"[{stamp}] production.WARNING: Payment provider responded slowly "
                f'{{"provider":"stripe","ms":{h.randint(1500, 3800)}}}'
            )
        if r < 0.16:
            return f"[{stamp}] production.INFO: Running scheduled command: '/usr/bin/php8.2' 'artisan' cart:prune-abandoned"
        if r < 0.19:
            return (
                f"[{stamp}] production.ERROR: No query results for model [App\\Models\\Product] "
                f'{h.randint(10000, 99999)} {{"exception":"[object] (Illuminate\\\\Database\\\\Eloquent\\\\'
                'ModelNotFoundException(code: 0): No query results for model [App\\\\Models\\\\Product]"}'
            )
        return None

    w.app_logs(rpm, line)

    # --- alarms -----------------------------------------------------------------------------------
    lb = {"LoadBalancer": w.alb_id}
    a5 = f"{w.app}-alb-target-5xx"
    w.alarm(
        a5,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        60,
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
        1.0,
        "GreaterThanThreshold",
        evals=5,
        desc="Average response time over 1s",
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
        desc="Replica more than 30s behind",
    )
    w.alarm(
        f"{w.app}-efs-io-limit",
        "AWS/EFS",
        "PercentIOLimit",
        {"FileSystemId": w.efs},
        "Average",
        90,
        "GreaterThanThreshold",
        evals=5,
    )

    # --- resources --------------------------------------------------------------------------------
    w.estate(min_size=3, max_size=12)
    w.db_instance(w.db)
    w.db_instance(w.replica, replica_of=w.db, multi_az=False, az="us-east-1c")
    w.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": w.asg,
            "PolicyName": policy,
            "PolicyARN": f"arn:aws:autoscaling:{w.region}:{w.account}:scalingPolicy:{w.uid()}:autoScalingGroupName/"
            f"{w.asg}:policyName/{policy}",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
                "DisableScaleIn": False,
            },
            "Enabled": True,
            "Alarms": [
                {
                    "AlarmName": hi_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{w.region}:{w.account}:alarm:{hi_alarm}",
                }
            ],
        },
    )
    for name, value, source, apply_type, desc in (
        (
            "max_connections",
            str(cap),
            "user",
            "dynamic",
            "The number of simultaneous client connections allowed.",
        ),
        ("long_query_time", "2", "user", "dynamic", "Defines what MySQL considers long queries"),
        ("slow_query_log", "1", "user", "dynamic", "Enable or disable the slow query log"),
        ("character_set_server", "utf8mb4", "user", "dynamic", "The server's default character set."),
        (
            "innodb_buffer_pool_size",
            "{DBInstanceClassMemory*3/4}",
            "system",
            "static",
            "The size in bytes of the memory buffer innodb uses to cache data and indexes of its tables",
        ),
        (
            "wait_timeout",
            "600",
            "user",
            "dynamic",
            "The number of seconds the server waits for activity on a non-interactive TCP/IP or UNIX File connection "
            "before closing it.",
        ),
    ):
        w.res(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": w.pg,
                "ParameterName": name,
                "ParameterValue": value,
                "Description": desc,
                "Source": source,
                "ApplyType": apply_type,
                "DataType": "integer" if value[0].isdigit() else "string",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot" if apply_type == "static" else "immediate",
            },
        )

    question = (
        "Getting reports that checkout and sign-in throw the 'Something went wrong' page for a chunk of "
        f"customers, started around {(onset + timedelta(minutes=4) - timedelta(hours=6)).strftime('%-I:%M')}. "
        "It lined up with the lunch rush and the ASG adding servers; are the new instances coming up broken?"
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(a5), "timezone": "America/Chicago"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": w.pg,
                "category": "change",
                "failure_mode": "max-connections-lowered",
                "event_id": culprit["eventID"],
            },
            "also_accept": [w.db, f"arn:aws:rds:{w.region}:{w.account}:pg:{w.pg}"],
            "actions": ["rollback", "reconfigure"],
            "chain": [w.pg, w.db, w.asg, w.alb_name],
        },
    )
