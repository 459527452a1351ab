"""A burst of 5xx that cleared by itself: the RDS MySQL primary's host failed and Multi-AZ failed over."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzy import Env, change_noise, iso, ms, traffic

NAME = "mysql-primary-host-failover"
TITLE = "5xx alarm paged for a few minutes this morning then cleared on its own; was it the deploy?"
SUMMARY = (
    "The host under the Multi-AZ RDS MySQL primary became unhealthy; RDS failed over to the standby in the "
    "other AZ, and the web tier threw connection errors for about two minutes, then ran slower while the "
    "new primary's buffer pool warmed."
)

APPS = ["ferrowick", "glenvale", "orchardline", "brackwater", "sunmeadow"]


def build(seed: int) -> Bundle:
    env = Env(seed, NAME, (7, 10))
    r = env.rng
    env.app = r.choice(APPS)
    env._topology()
    zone = r.choice(["Europe/London", "Europe/Paris", "Europe/Stockholm"])
    onset = env.onset
    down = timedelta(seconds=r.randint(75, 130))
    back = onset + down
    warm = timedelta(minutes=r.randint(12, 20))

    def phase(t: datetime) -> str:
        if t + timedelta(seconds=59) < onset:
            return "before"
        if t < back:
            return "down"
        if t < back + warm:
            return "warm"
        return "after"

    def mod(key: str, t: datetime, v: float | None) -> float | None:
        if v is None:
            return None
        p = phase(t)
        w = 1.0 - (t - back) / warm if p == "warm" else 0.0
        if p == "down":
            if key.startswith("RDS:"):
                return None  # the instance publishes nothing while it fails over
            if key == "HTTPCode_Target_5XX_Count":
                return v + _req.get(t, 0.0) * r.uniform(0.55, 0.7)
            if key == "TargetResponseTime":
                return v + r.uniform(2.2, 3.5)
            if key.startswith("CPU:"):
                return v * 0.6
        if p == "warm":
            if key == "RDS:ReadIOPS":
                return v + w * r.uniform(2500, 4200)
            if key == "RDS:ReadLat":
                return v + w * r.uniform(0.004, 0.009)
            if key == "RDS:CPU":
                return v + w * r.uniform(15, 25)
            if key == "RDS:Mem":
                return v + w * 3.5e9
            if key == "TargetResponseTime":
                return v + w * r.uniform(0.15, 0.3)
            if key == "HTTPCode_Target_5XX_Count":
                return v + w * r.uniform(0, 4)
        if key == "RDS:Conn" and p in ("warm", "after") and t < back + timedelta(minutes=2):
            return v * 0.6
        return v

    _req: dict[datetime, float] = {}

    def rec(key: str, t: datetime, v: float | None) -> float | None:
        if key == "RequestCount" and v is not None:
            _req[t] = v
        return mod(key, t, v)

    deploy = onset - timedelta(minutes=r.randint(60, 100))
    old_ids = []
    for k, inst in enumerate(env.instances):
        old_ids.append(inst["id"])
        env.retired.append(
            {
                "id": inst["id"],
                "az": inst["az"],
                "launched": env.start - timedelta(days=2),
                "gone": deploy + timedelta(minutes=3 * k + 3),
            }
        )
        inst["id"] = "i-" + env.hexid()
        inst["launched"] = deploy + timedelta(minutes=3 * k, seconds=r.randint(5, 40))
    traffic(env, r.uniform(90, 180), rec)
    env.base_resources()
    asg_arn = next(x["item"]["AutoScalingGroupARN"] for x in env.resources if x["type"] == "AutoScalingGroup")
    for k, inst in enumerate(env.instances):
        at = inst["launched"]
        env.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": env.uuid(),
                    "AutoScalingGroupName": env.asg,
                    "AutoScalingGroupARN": asg_arn,
                    "Description": f"Launching a new EC2 instance: {inst['id']}",
                    "Cause": f"At {iso(at - timedelta(seconds=2))} an instance was launched in response to an instance "
                    "refresh.",
                    "StartTime": iso(at),
                    "EndTime": iso(at + timedelta(seconds=r.randint(140, 200))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": f'{{"Subnet ID":"{env.app_subnets[inst["az"]]}","Availability Zone":"{env.azs[inst["az"]]}"}}',
                },
            }
        )
        tt = at + timedelta(minutes=2, seconds=r.randint(30, 50))
        env.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": env.uuid(),
                    "AutoScalingGroupName": env.asg,
                    "AutoScalingGroupARN": asg_arn,
                    "Description": f"Terminating EC2 instance: {old_ids[k]}",
                    "Cause": f"At {iso(tt - timedelta(seconds=1))} an instance was taken out of service in response to an "
                    "instance refresh.  At "
                    + iso(tt)
                    + " instance "
                    + old_ids[k]
                    + " was selected for termination.",
                    "StartTime": iso(tt),
                    "EndTime": iso(tt + timedelta(seconds=r.randint(320, 400))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": f'{{"Subnet ID":"{env.app_subnets[inst["az"]]}","Availability Zone":"{env.azs[inst["az"]]}"}}',
                },
            }
        )
    # the instance now runs in the former standby's AZ
    for res in env.resources:
        if res["type"] == "DBInstance":
            res["item"]["AvailabilityZone"] = env.azs[1]
            res["item"]["SecondaryAvailabilityZone"] = env.azs[0]

    # RDS events
    arn = f"arn:aws:rds:{env.region}:{env.account}:db:{env.db}"

    def rds_event(t: datetime, msg: str, cats: list[str]) -> None:
        env.events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": env.db,
                    "SourceType": "db-instance",
                    "Message": msg,
                    "EventCategories": cats,
                    "Date": iso(t),
                    "SourceArn": arn,
                },
            }
        )

    rds_event(
        onset + timedelta(seconds=r.randint(4, 12)),
        "The primary host of the RDS Multi-AZ instance is unhealthy.",
        ["failover"],
    )
    rds_event(
        onset + timedelta(seconds=r.randint(14, 20)), "Multi-AZ instance failover started.", ["failover"]
    )
    rds_event(back - timedelta(seconds=r.randint(8, 15)), "DB instance restarted", ["availability"])
    rds_event(
        back + timedelta(seconds=r.randint(20, 45)), "Multi-AZ instance failover completed.", ["failover"]
    )

    # CloudTrail: innocent changes incl. a dynamic parameter change and an ASG deploy earlier
    env.readonly_noise(r.randint(40, 55))
    change_noise(env, onset, 5)
    dba = env.who_sso(
        r.choice(["j.ferreira", "kwame.o", "ines.r"]) + "@example.com", "AWSReservedSSO_DBA_51b8e0c7a2d94f36"
    )
    pchange = onset - timedelta(minutes=r.randint(35, 70))
    env.ct(
        pchange,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        dba,
        {
            "dBParameterGroupName": f"{env.app}-mysql80",
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "0.5", "applyMethod": "immediate"}
            ],
        },
        {"dBParameterGroupName": f"{env.app}-mysql80"},
        agent="AWS Internal",
        ip="AWS Internal",
    )
    rds_event(
        pchange + timedelta(seconds=r.randint(20, 60)),
        f"Applied change to parameter group {env.app}-mysql80 for DB instance {env.db}",
        ["configuration change"],
    )
    env.ct(
        onset + timedelta(minutes=r.randint(9, 15)),
        "rds.amazonaws.com",
        "DescribeEvents",
        dba,
        {"sourceIdentifier": env.db, "sourceType": "db-instance", "duration": 60},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    tf = env.who_role("terraform-ci", f"gha-{r.randint(1000000, 9999999)}")
    env.ct(
        deploy - timedelta(seconds=r.randint(5, 30)),
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        tf,
        {"autoScalingGroupName": env.asg, "preferences": {"minHealthyPercentage": 90, "instanceWarmup": 120}},
        {"instanceRefreshId": env.uuid()},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.62.0",
    )

    # DB error log (exported to CloudWatch Logs and listed as a log file)
    host_ts = back - timedelta(seconds=r.randint(30, 45))
    lines = []
    pid = r.randint(600, 900)
    steps = [
        (
            0,
            f"[System] [MY-010116] [Server] /rdsdbbin/mysql/bin/mysqld (mysqld 8.0.39) starting as process {pid}",
        ),
        (1, "[System] [MY-013576] [InnoDB] InnoDB initialization has started."),
        (9, "[System] [MY-013577] [InnoDB] InnoDB initialization has ended."),
        (
            10,
            "[Warning] [MY-010068] [Server] CA certificate /rdsdbdata/rds-metadata/ca-cert.pem is self signed.",
        ),
        (
            11,
            "[System] [MY-010931] [Server] /rdsdbbin/mysql/bin/mysqld: ready for connections. Version: '8.0.39'  "
            "socket: '/tmp/mysql.sock'  port: 3306  Source distribution.",
        ),
    ]
    group = f"/aws/rds/instance/{env.db}/error"
    for off, text in steps:
        t = host_ts + timedelta(seconds=off)
        line = f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{r.randint(0, 999999):06d}Z {1 if off == 0 else 0} {text}"
        lines.append(line)
        env.log(group, env.db, t, line)
    for _k in range(r.randint(2, 4)):
        t = back + timedelta(minutes=r.randint(3, 30), seconds=r.randint(0, 59))
        line = (
            f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{r.randint(0, 999999):06d}Z {r.randint(30, 90)} [Note] "
            f"[MY-010914] [Server] Aborted connection {r.randint(20, 900)} to db: '{env.app}' user: "
            f"'{env.app}_app' host: '10.{env.ip_base}.{r.randint(10, 40)}.{r.randint(5, 250)}' (Got an error "
            "reading communication packets)."
        )
        lines.append(line)
        env.log(group, env.db, t, line)
    env.add_resource(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": env.db,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": ms(env.now - timedelta(minutes=3)),
            "Size": sum(len(x) + 1 for x in lines),
            "Data": "\n".join(lines) + "\n",
        },
    )

    # app logs
    group = f"/{env.app}/web/app"
    for inst in env.instances:
        stream = f"{inst['id']}/application.log"
        t = env.start + timedelta(seconds=r.randint(0, 300))
        while t < env.now:
            thread = f"http-nio-8080-exec-{r.randint(1, 60)}"
            pfx = f"{t.strftime('%Y-%m-%d %H:%M:%S.')}{r.randint(0, 999):03d}"
            if phase(t) == "down":
                msg = r.choice(
                    [
                        f"ERROR 1733 --- [{thread}] o.h.engine.jdbc.spi.SqlExceptionHelper  : Communications link "
                        "failure\n\nThe last packet successfully received from the server was 1 milliseconds ago. The "
                        "last packet sent successfully to the server was 0 milliseconds ago.",
                        f"WARN 1733 --- [{thread}] com.zaxxer.hikari.pool.PoolBase          : HikariPool-1 - Failed to "
                        "validate connection com.mysql.cj.jdbc.ConnectionImpl@"
                        f"{env.hexid(8)} (No operations allowed after connection closed.). Possibly consider using a "
                        "shorter maxLifetime value.",
                        f"ERROR 1733 --- [{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for "
                        "servlet [dispatcherServlet] threw exception: org.springframework.dao."
                        "DataAccessResourceFailureException: unable to obtain isolated JDBC connection; HikariPool-1 - "
                        "Connection is not available, request timed out after 30000ms.",
                    ]
                )
                env.log(group, stream, t, f"{pfx} {msg}")
                t += timedelta(seconds=r.uniform(1, 6))
                continue
            if r.random() < 0.06:
                msg = (
                    f"WARN 1733 --- [{thread}] c.{env.app}.web.catalog.PriceClient      : price cache miss "
                    f"sku={r.randint(10000, 99999)}, falling back to DB"
                )
            else:
                msg = (
                    f"INFO 1733 --- [{thread}] c.{env.app}.web.http.RequestLog        : GET "
                    f"{r.choice(['/', '/search', '/basket', '/product'])} 200 {r.randint(20, 160)}ms"
                )
            env.log(group, stream, t, f"{pfx} {msg}")
            t += timedelta(seconds=r.uniform(40, 140))

    # alarms
    lb = {"LoadBalancer": env.alb_dim}
    a5 = env.alarm(
        f"{env.app}-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        60,
        100,
        "GreaterThanThreshold",
        1,
        "Web ALB target 5xx above 100 in a minute",
        treat_missing="notBreaching",
    )
    event = env.auto(a5)[0]
    t_alarm = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    cpu = env.alarm(
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
    cpu["StateValue"] = "OK"
    env.alarm(
        f"{env.app}-rds-free-storage",
        "AWS/RDS",
        "FreeStorageSpace",
        {"DBInstanceIdentifier": env.db},
        "Minimum",
        300,
        2.0e10,
        "LessThanThreshold",
        1,
        "RDS free storage under 20 GB",
    )
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

    question = (
        f"The 5xx alarm went off at about {t_alarm.astimezone(ZoneInfo(zone)).strftime('%H:%M')} and cleared "
        "a few minutes later. We rolled new web instances this morning - did the refresh cause it? Is "
        "anything still broken?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.db,
            "category": "system_change",
            "failure_mode": "rds-multi-az-failover-host-unhealthy",
        },
        "also_accept": [arn],
        "actions": [],
        "chain": [env.db, env.asg, env.tg_name, env.alb_name],
    }
    return env.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": zone}, truth)
