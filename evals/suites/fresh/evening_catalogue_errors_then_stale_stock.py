"""Scheduled OS maintenance on the single-AZ read replica lands in its (default) maintenance window, which
is the evening peak for the shop's customers: reads fail while it restarts, then it is cold and behind."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzf import World, iso

NAME = "evening-catalogue-errors-then-stale-stock"
TITLE = (
    "Category and search pages errored for ten minutes at the evening peak, now slow with out-of-date stock"
)
SUMMARY = (
    "A required OS update was applied to the single-AZ MySQL read replica in its maintenance window at the "
    "evening peak; replica reads failed during the restart, then ran cold and minutes behind the primary."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=rng.randint(0, 10) * 7 + rng.randint(0, 3))
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    win_start = day.replace(hour=8, minute=rng.randint(30, 55))
    wname = days[win_start.weekday()]
    window = f"{wname}:{win_start:%H:%M}-{wname}:{win_start + timedelta(minutes=30):%H:%M}"
    onset = win_start + timedelta(minutes=rng.randint(1, 6), seconds=rng.randint(0, 50))
    w = World(
        seed,
        onset,
        before=timedelta(hours=3, minutes=45),
        after=timedelta(minutes=rng.randint(42, 52)),
        salt=NAME,
    )
    for k in range(5):
        w.add_instance(w.azs[k % 3], w.start - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 20)))
    down_from = onset + timedelta(seconds=40)
    down_to = onset + timedelta(minutes=rng.randint(7, 10))
    behind = (down_to - down_from).total_seconds() + 60
    catch_up = timedelta(minutes=rng.randint(58, 75))

    def down(t: datetime) -> bool:
        return down_from <= t < down_to

    def after(t: datetime) -> float:
        """1 right after the restart, falling to 0 as the replica catches up and warms."""
        if t < down_to:
            return 0.0
        return max(0.0, 1 - (t - down_to) / catch_up)

    def rpm(t: datetime) -> float:
        return w.diurnal(t, 11, 900, 5200)  # Sydney evening peak

    def t5xx(t: datetime) -> float:
        if down(t):
            return rpm(t) * 0.52
        return rpm(t) * 0.01 * after(t)

    w.web_metrics(
        rpm,
        t5xx=t5xx,
        latency=lambda t: 0.13 + (2.8 if down(t) else 0.0) + 0.85 * after(t),
        lat_max=lambda t: 10.0 if down(t) else (8.0 * after(t) + 3.1),
    )

    def lag(t: datetime) -> float | None:
        if down(t):
            return None
        if t < down_to:
            return 0.0
        return round(behind * after(t) ** 1.3, 0)

    w.rds_metrics(w.db, cpu=lambda t: 12 + rpm(t) / 380, conns=lambda t: 70 + rpm(t) / 140)
    w.rds_metrics(
        w.replica,
        cpu=lambda t: 9 + rpm(t) / 260 + 48 * after(t),
        conns=lambda t: 45 + rpm(t) / 90,
        read_lat=lambda t: 0.0006 + 0.011 * after(t),
        lag=lag,
        up=lambda t: not down(t),
    )
    w.efs_metrics()

    # --- CloudTrail -------------------------------------------------------------------------------
    w.tooling_noise()
    w.backup_and_console_noise()
    p = w.people
    dep_t = onset - timedelta(minutes=rng.randint(25, 40))
    w.codedeploy(dep_t)
    w.cloudfront_invalidation(dep_t + timedelta(minutes=3), p[1])
    w.ct(
        onset - timedelta(hours=2, minutes=rng.randint(0, 40)),
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        w.sso(p[2], "PowerUserAccess"),
        {"dBSnapshotIdentifier": f"{w.db}-pre-promo-{day:%Y%m%d}", "dBInstanceIdentifier": w.db},
        {
            "dBSnapshotIdentifier": f"{w.db}-pre-promo-{day:%Y%m%d}",
            "dBInstanceIdentifier": w.db,
            "engine": "mysql",
            "allocatedStorage": 500,
            "status": "creating",
            "snapshotType": "manual",
        },
    )
    w.ct(
        onset - timedelta(hours=1, minutes=rng.randint(0, 30)),
        "autoscaling.amazonaws.com",
        "PutScheduledUpdateGroupAction",
        w.sso(p[0]),
        {
            "autoScalingGroupName": w.asg,
            "scheduledActionName": "promo-weekend-floor",
            "startTime": iso(day + timedelta(days=3, hours=7)),
            "minSize": 6,
        },
        None,
    )
    w.ct(
        onset + timedelta(minutes=rng.randint(16, 24)),
        "rds.amazonaws.com",
        "DescribeEvents",
        w.sso(p[3], "ReadOnlyAccess"),
        {"sourceType": "db-instance", "duration": 60},
        None,
        read_only=True,
    )

    # --- AWS side: RDS events and the Health notice that went out weeks ago -------------------------
    rid = w.replica
    w.rds_event(
        down_from - timedelta(seconds=25),
        rid,
        "db-instance",
        "Applying off-line patches to DB instance",
        ["maintenance"],
    )
    w.rds_event(down_from, rid, "db-instance", "DB instance shutdown", ["availability"])
    w.rds_event(
        down_to - timedelta(seconds=50), rid, "db-instance", "DB instance restarted", ["availability"]
    )
    w.rds_event(
        down_to - timedelta(seconds=5),
        rid,
        "db-instance",
        "Finished applying off-line patches to DB instance",
        ["maintenance"],
    )
    issued = onset - timedelta(days=rng.randint(18, 30))
    earn = f"arn:aws:health:{w.region}::event/RDS/AWS_RDS_OPERATING_SYSTEM_UPGRADE_REQUIRED/AWS_RDS_OPERATING_SYSTEM_UPGRADE_REQUIRED_{w.region.upper().replace('-', '_')}_{w.hexs(20)}"
    w.event(
        "health",
        {
            "event": {
                "arn": earn,
                "service": "RDS",
                "eventTypeCode": "AWS_RDS_OPERATING_SYSTEM_UPGRADE_REQUIRED",
                "eventTypeCategory": "scheduledChange",
                "region": w.region,
                "startTime": iso(issued),
                "lastUpdatedTime": iso(issued),
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                "We are reaching out to inform you that a required operating system update is available for one or "
                "more of your Amazon RDS for MySQL DB instances. The update will be applied automatically during "
                "your next scheduled maintenance window on or after the date listed for each resource. During the "
                "update, a Single-AZ DB instance is unavailable for a few minutes; Multi-AZ instances are updated "
                "on the standby first and then fail over. You can apply the update at a time of your choosing with "
                "the ApplyPendingMaintenanceAction API or the console."
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:{w.region}:{w.account}:entity/{w.hexs(30)}",
                    "eventArn": earn,
                    "entityValue": f"arn:aws:rds:{w.region}:{w.account}:db:{rid}",
                    "awsAccountId": w.account,
                    "lastUpdatedTime": iso(down_to + timedelta(minutes=2)),
                    "statusCode": "RESOLVED",
                }
            ],
        },
    )
    for inst in w.instances:
        w.target(inst, w.start, "healthy")

    # --- application logs -----------------------------------------------------------------------
    host = f"{rid}.c{w.hexs(11)}.{w.region}.rds.amazonaws.com"

    def line(inst: dict[str, Any], t: datetime, h: random.Random) -> str | None:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        sql = h.choice(
            [
                "select * from `products` where `category_id` = ? and `is_visible` = ? order by `position` asc limit 48 offset 0",
                "select count(*) as aggregate from `products` where match(`name`, `description`) against (?)",
                "select `stock_levels`.* from `stock_levels` where `product_id` in (?, ?, ?, ?)",
            ]
        )
        if down(t) and h.random() < 0.95:
            err = (
                "[2002] Connection refused"
                if t < down_from + timedelta(minutes=2)
                else "[2002] Connection timed out"
            )
            return (
                f"[{stamp}] production.ERROR: SQLSTATE[HY000] {err} (Connection: mysql, SQL: {sql}) "
                '{"exception":"[object] (Illuminate\\\\Database\\\\QueryException(code: 2002): SQLSTATE[HY000] '
                f"{err} (Connection: mysql, SQL: {sql}) at "
                '/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php:829)"}'
            )
        if after(t) > 0.15 and h.random() < after(t):
            if h.random() < 0.5:
                return (
                    f'[{stamp}] production.WARNING: Slow query {{"connection":"mysql::read","host":"{host}",'
                    f'"ms":{h.randint(1800, 9000)},"sql":"{sql}"}}'
                )
            return (
                f"[{stamp}] production.ERROR: Insufficient stock at payment capture "
                f'{{"order":"LM-{h.randint(100000, 999999)}","sku":"{h.randint(10000, 99999)}","listed":'
                f'{h.randint(1, 4)},"available":0}}'
            )
        r = h.random()
        if r < 0.1:
            return f"[{stamp}] production.INFO: Running scheduled command: '/usr/bin/php8.2' 'artisan' feeds:google-merchant"
        if r < 0.13:
            return (
                f'[{stamp}] production.WARNING: Slow query {{"connection":"mysql::read","host":"{host}",'
                f'"ms":{h.randint(1000, 1400)},"sql":"{sql}"}}'
            )
        return None

    w.app_logs(rpm, line)

    # --- alarms -----------------------------------------------------------------------------------
    lb = {"LoadBalancer": w.alb_id}
    w.alarm(
        f"{w.app}-alb-target-5xx",
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
    )
    w.alarm(
        f"{w.replica}-lag",
        "AWS/RDS",
        "ReplicaLag",
        {"DBInstanceIdentifier": w.replica},
        "Maximum",
        60,
        "GreaterThanThreshold",
        evals=3,
        dta=2,
        desc="Replica more than a minute behind",
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
        f"{w.app}-web-cpu",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": w.asg},
        "Average",
        75,
        "GreaterThanThreshold",
        period=300,
        evals=2,
    )

    # --- resources --------------------------------------------------------------------------------
    w.estate(min_size=4, max_size=10)
    w.db_instance(w.db, window="sun:15:00-sun:15:30")
    w.db_instance(w.replica, replica_of=w.db, multi_az=False, az="us-east-1c", window=window)

    local = onset + timedelta(hours=11)
    question = (
        f"From about {local.strftime('%-I:%M')}pm tonight the category and search pages were throwing errors "
        "for maybe ten minutes. They load again now but they're slow, and customers are buying things we've "
        "already sold out of (stock looks old). We pushed a release earlier this evening - did it break caching?"
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": None, "timezone": "Australia/Sydney"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": rid,
                "category": "system_change",
                "failure_mode": "replica-os-maintenance-restart",
            },
            "also_accept": [f"arn:aws:rds:{w.region}:{w.account}:db:{rid}", earn],
            "actions": ["reconfigure"],
            "chain": [rid, w.asg, w.alb_name],
        },
    )
