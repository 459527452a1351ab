"""A replica-lag page in the small hours: expected behaviour, newly routed to the pager.

What happened: nothing is broken. The nightly facts job on the batch instance rebuilds summary tables on the
primary at 02:00 local with large INSERT ... SELECT transactions; the reporting read replica applies them
late and its ReplicaLag climbs past the alarm threshold every night, then recovers by about 03:00. The alarm
has gone to ALARM every night for weeks; yesterday someone pointed its actions at the paging topic, so this
is the first night it woke anyone. Only the BI tool reads the replica, and nobody uses it at night.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzk import (
    AZS,
    Ctx,
    World,
    alb_metrics,
    diurnal,
    instance_metrics,
    iso,
    launch_template,
    ok_reason,
    threshold_reason,
)

NAME = "rxbridge-reporting-replica-lag-page"
TITLE = "rxbridge-mysql-reporting ReplicaLag alarm paged at 2am; is the replica broken?"
SUMMARY = (
    "No fault: the nightly summary-table job makes the reporting replica lag past its threshold every night; "
    "the alarm had just been switched to the paging topic."
)

OFFSET = -5  # America/New_York in winter


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "us-east-2")
    r = c.rng
    day = datetime(2026, 1, 6, tzinfo=UTC) + timedelta(days=r.randint(0, 45))
    etl = day.replace(hour=7, minute=0, second=r.randint(1, 4))  # 02:00 local
    start = (etl - timedelta(days=1, hours=4)).replace(second=0)
    fine_from = (etl - timedelta(hours=4, minutes=30)).replace(second=0)
    peak_lag = r.uniform(1150, 1700)
    dur = r.uniform(48, 58)  # minutes from job start until the replica has caught up
    now = (etl + timedelta(minutes=dur + r.uniform(8, 16))).replace(second=0)
    prev_peak = peak_lag * r.uniform(0.85, 1.05)

    w = World(c, "rxbridge", day - timedelta(days=r.randint(500, 900)))
    w.security_group("rxbridge-alb", "public ALB", [(443, "0.0.0.0/0")])
    w.security_group("rxbridge-web", "web", [(8080, "rxbridge-alb")])
    w.security_group("formulary-alb", "formulary internal ALB", [(80, "rxbridge-web")])
    w.security_group("formulary", "formulary-svc", [(8080, "formulary-alb")])
    w.security_group("batch", "batch host", [(22, "10.60.0.0/16")])
    w.security_group(
        "db",
        "rxbridge MySQL",
        [(3306, "rxbridge-web"), (3306, "formulary"), (3306, "batch"), (3306, "10.60.32.0/20")],
    )
    w.security_group("cache", "rxbridge redis", [(6379, "rxbridge-web")])
    lt = launch_template(c, "rxbridge-web", r.randint(40, 90))
    ltf = launch_template(c, "formulary-svc", r.randint(5, 25))
    web_ids = [
        w.instance(
            "rxbridge-web",
            "m7i.large",
            AZS[i % 3],
            "rxbridge-web",
            day - timedelta(days=r.randint(2, 15)),
            asg="rxbridge-web-prod",
            lt=lt,
        )
        for i in range(4)
    ]
    f_ids = [
        w.instance(
            "formulary-svc",
            "c7i.large",
            AZS[i % 3],
            "formulary",
            day - timedelta(days=r.randint(5, 40)),
            asg="formulary-svc-prod",
            lt=ltf,
        )
        for i in range(2)
    ]
    batch = w.instance(
        "rxbridge-batch", "t3.medium", "a", "batch", w.built + timedelta(days=200), profile="rxbridge-batch"
    )
    w.emit_instances()
    alb_arn, lb = w.load_balancer("rxbridge-prod", "internet-facing", "rxbridge-alb", w.built)
    ialb_arn, ilb = w.load_balancer("formulary-int", "internal", "formulary-alb", w.built)
    tg_arn, tg = w.target_group("rxbridge-web-8080", 8080, "/actuator/health/liveness", alb_arn)
    itg_arn, itg = w.target_group("formulary-8080", 8080, "/health", ialb_arn)
    w.asg("rxbridge-web-prod", web_ids, tg_arn, lt, 4, 12, w.built)
    w.asg("formulary-svc-prod", f_ids, itg_arn, ltf, 2, 4, w.built)
    w.rds_instance(
        "rxbridge-mysql",
        "db.r6i.xlarge",
        "mysql",
        "8.0.40",
        "rxbridge-mysql80",
        "a",
        w.built,
        replicas=["rxbridge-mysql-reporting"],
    )
    w.rds_instance(
        "rxbridge-mysql-reporting",
        "db.r6i.large",
        "mysql",
        "8.0.40",
        "rxbridge-mysql80",
        "b",
        w.built + timedelta(days=120),
        multi_az=False,
        replica_of="rxbridge-mysql",
    )
    w.redis("rxbridge-cache", "cache.r7g.large", w.built)
    for g, ret in (("/rxbridge/web", 30), ("/rxbridge/formulary", 30), ("/rxbridge/batch/nightly-facts", 90)):
        w.log_group(g, ret, w.built)

    def lag(t: datetime) -> float:
        for s, peak in ((etl - timedelta(days=1), prev_peak), (etl, peak_lag)):
            m = (t - s).total_seconds() / 60
            rise = dur * 0.62
            if 4 <= m < rise:
                return peak * (m - 4) / (rise - 4) + r.uniform(0, 4)
            if rise <= m < dur:
                return max(0.0, peak * (dur - m) / (dur - rise) + r.uniform(-5, 5))
        return float(r.choice([0, 0, 0, 0, 1]))

    def etl_on(t: datetime) -> bool:
        return any(
            timedelta(0) <= t - s < timedelta(minutes=dur * 0.6) for s in (etl - timedelta(days=1), etl)
        )

    def rpm(t: datetime) -> float:
        return diurnal(t, OFFSET, 3400, 60)

    # --- metrics: five-minute points for the older day, one-minute near the page ----------------------------
    for a, b, step in ((start, fine_from - timedelta(minutes=5), 300), (fine_from, now, 60)):
        alb_metrics(
            c,
            lb,
            tg,
            a,
            b,
            rpm,
            lambda t: 0.0005,
            lambda t: 0.12 + r.random() * 0.02,
            lambda t: (4, 0),
            step=step,
        )
        alb_metrics(
            c,
            ilb,
            itg,
            a,
            b,
            lambda t: rpm(t) * 0.8,
            lambda t: 0.0002,
            lambda t: 0.02,
            lambda t: (2, 0),
            err4_rate=0.0,
            step=step,
        )
        instance_metrics(
            c,
            w,
            web_ids,
            "rxbridge-web-prod",
            a,
            b,
            lambda i, t: 5 + 30 * rpm(t) / 3400 + r.gauss(0, 1),
            61,
            38,
            step=step,
        )
        instance_metrics(
            c,
            w,
            f_ids,
            "formulary-svc-prod",
            a,
            b,
            lambda i, t: 4 + 15 * rpm(t) / 3400 + r.gauss(0, 1),
            47,
            25,
            step=step,
        )
        instance_metrics(
            c,
            w,
            [batch],
            "",
            a,
            b,
            lambda i, t: (34 if etl_on(t) else 1.5) + r.gauss(0, 1),
            22,
            48,
            step=step,
        )
        t = a
        while t <= b:
            load = rpm(t) / 3400
            on = etl_on(t)
            p = {"DBInstanceIdentifier": "rxbridge-mysql"}
            q = {"DBInstanceIdentifier": "rxbridge-mysql-reporting"}
            c.put(
                "AWS/RDS",
                "CPUUtilization",
                p,
                t,
                "Percent",
                round(6 + 30 * load + (22 if on else 0) + r.gauss(0, 1), 2),
            )
            c.put(
                "AWS/RDS",
                "WriteIOPS",
                p,
                t,
                "Count/Second",
                round(40 + 260 * load + (2600 if on else 0) * r.uniform(0.8, 1.1), 1),
            )
            c.put(
                "AWS/RDS",
                "ReadIOPS",
                p,
                t,
                "Count/Second",
                round(30 + 500 * load + (1900 if on else 0) * r.uniform(0.8, 1.1), 1),
            )
            c.put("AWS/RDS", "DatabaseConnections", p, t, "Count", r.randint(88, 96) + (2 if on else 0))
            c.put(
                "AWS/RDS",
                "BinLogDiskUsage",
                p,
                t,
                "Bytes",
                round(2.1e9 + (3.4e9 if on else 0) + r.uniform(0, 5e7)),
            )
            c.put(
                "AWS/RDS",
                "WriteLatency",
                p,
                t,
                "Seconds",
                round(0.0012 + (0.0011 if on else 0) + r.random() * 3e-4, 6),
            )
            c.put(
                "AWS/RDS",
                "FreeStorageSpace",
                p,
                t,
                "Bytes",
                round(3.9e11 - (t - start).total_seconds() * 300),
            )
            lg = lag(t)
            c.put("AWS/RDS", "ReplicaLag", q, t, "Seconds", round(lg))
            c.put(
                "AWS/RDS",
                "CPUUtilization",
                q,
                t,
                "Percent",
                round((17 if lg > 5 else 3) + 6 * load + r.gauss(0, 0.8), 2),
            )
            c.put(
                "AWS/RDS", "WriteIOPS", q, t, "Count/Second", round(30 + (1400 if lg > 5 else 80 * load), 1)
            )
            local_h = (t.hour + OFFSET) % 24
            c.put(
                "AWS/RDS",
                "DatabaseConnections",
                q,
                t,
                "Count",
                r.randint(9, 16) if 8 <= local_h < 19 else r.randint(2, 4),
            )
            c.put("AWS/RDS", "FreeableMemory", q, t, "Bytes", round(r.gauss(3.4e9, 3e7)))
            c.put(
                "AWS/ElastiCache",
                "CPUUtilization",
                {"CacheClusterId": "rxbridge-cache-001", "CacheNodeId": "0001"},
                t,
                "Percent",
                round(2 + 5 * load + r.random() * 0.4, 2),
            )
            t += timedelta(seconds=step)

    # --- logs ---------------------------------------------------------------------------------------------
    for s in (etl - timedelta(days=1), etl):
        run = c.hex(8)
        d = (s + timedelta(hours=OFFSET) - timedelta(days=1)).strftime("%Y-%m-%d")
        steps = [
            ("order_facts", 0.0, r.randint(1800000, 2400000)),
            ("dispense_facts", 0.34, r.randint(900000, 1300000)),
            ("inventory_daily", 0.52, r.randint(40000, 60000)),
        ]

        def line(t: datetime, level: str, msg: str, _run: str = run) -> None:
            c.log(
                "/rxbridge/batch/nightly-facts",
                f"{batch}/nightly_facts.log",
                t,
                f"{(t + timedelta(hours=OFFSET)).strftime('%Y-%m-%d %H:%M:%S')},{r.randint(0, 999):03d} {level} "
                f"nightly_facts run={_run} {msg}",
            )

        line(
            s,
            "INFO",
            f"starting, business_date={d} target=rxbridge-mysql.c{c.hex(10)}.us-east-2.rds.amazonaws.com",
        )
        for name, off, rows in steps:
            t0 = s + timedelta(minutes=dur * 0.6 * off + 0.3)
            took = dur * 0.6 * 0.33 * 60 * r.uniform(0.85, 1.0)
            line(t0, "INFO", f"rebuilding {name}: DELETE ... WHERE business_date='{d}'; INSERT ... SELECT")
            line(t0 + timedelta(seconds=took), "INFO", f"{name} committed rows={rows} elapsed={took:.1f}s")
        line(s + timedelta(minutes=dur * 0.6 + 0.2), "INFO", "done, exit 0")
    for i in web_ids:
        t = fine_from
        while t <= now:
            if r.random() < 0.3:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/rxbridge/web",
                    f"{i}/spring.log",
                    ts,
                    f"{ts.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z  INFO 1 --- [rxbridge-web] [   scheduling-1] "
                    f"c.r.web.refill.RefillReminderJob       : reminder sweep found {r.randint(0, 4)} due refills",
                )
            t += timedelta(minutes=1)

    # --- CloudTrail -------------------------------------------------------------------------------------
    eng = c.sso_identity(
        r.choice(["carla.mendes", "ben.whitaker", "ravi.sethi"]), "AWSReservedSSO_SRE_9e4d2a7b1c3f5086"
    )
    cfg_at = (etl - timedelta(hours=r.randint(12, 16), minutes=r.randint(0, 50))).replace(microsecond=0)
    alarm_name = "rxbridge-mysql-reporting-replica-lag"
    pager = f"arn:aws:sns:{c.region}:{c.account}:sre-pagerduty"
    low = f"arn:aws:sns:{c.region}:{c.account}:sre-notifications"
    c.ct(
        cfg_at,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        eng,
        {
            "alarmName": alarm_name,
            "alarmDescription": "Reporting replica more than 10 minutes behind",
            "actionsEnabled": True,
            "oKActions": [pager],
            "alarmActions": [pager],
            "metricName": "ReplicaLag",
            "namespace": "AWS/RDS",
            "statistic": "Maximum",
            "dimensions": [{"name": "DBInstanceIdentifier", "value": "rxbridge-mysql-reporting"}],
            "period": 60,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "threshold": 600.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "missing",
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.3 (+https://www.terraform.io) terraform-provider-aws/5.54.1 "
        "aws-sdk-go-v2/1.27.2",
        ip="18.191.44.201",
    )
    for k, nm in enumerate(["rxbridge-prod-5xx", "rxbridge-mysql-cpu", "formulary-unhealthy"]):
        c.ct(
            cfg_at + timedelta(seconds=2 + k),
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            eng,
            {"alarmName": nm, "actionsEnabled": True, "alarmActions": [pager], "oKActions": [pager]},
            None,
            agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.3 (+https://www.terraform.io) terraform-provider-aws/5.54.1 "
            "aws-sdk-go-v2/1.27.2",
            ip="18.191.44.201",
        )
    ci = c.role_identity("rxbridge-gha-deploy", "GitHubActions")
    dep = "d-" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    dep_at = etl - timedelta(hours=r.randint(9, 11), minutes=r.randint(0, 50))
    c.ct(
        dep_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "rxbridge-web",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "rxbridge-builds",
                    "bundleType": "zip",
                    "key": f"rxbridge-web/{c.hex(7)}.zip",
                },
            },
        },
        {"deploymentId": dep},
        agent="aws-cli/2.15.30 md/command#deploy.create-deployment",
        ip="20.42.11.9",
    )
    w.codedeploy(
        "rxbridge-web",
        "prod",
        dep,
        dep_at,
        dep_at + timedelta(minutes=11),
        4,
        "rxbridge-web-8080",
        "rxbridge-builds",
        "rxbridge-web/release.zip",
    )
    batch_role = c.role_identity("rxbridge-batch", batch)
    for s in (etl - timedelta(days=1), etl):
        c.ct(
            s - timedelta(seconds=20),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            batch_role,
            {"secretId": "prod/rxbridge/nightly-facts-db"},
            None,
            read_only=True,
            agent="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.72 md/arch#x86_64 lang/python#3.11.6 "
            "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84",
            ip=w.ip_by_id[batch],
        )
    c.ct(
        etl - timedelta(hours=r.randint(15, 18)),
        "ec2.amazonaws.com",
        "ModifyInstanceAttribute",
        eng,
        {"instanceId": f_ids[0], "disableApiTermination": {"value": True}},
        {"requestId": c.uuid(), "_return": True},
    )
    oncall = c.sso_identity(
        r.choice(["maya.lindqvist", "devon.price"]), "AWSReservedSSO_SRE_9e4d2a7b1c3f5086"
    )
    page_t = etl + timedelta(minutes=r.randint(14, 17))
    c.ct(
        page_t + timedelta(minutes=r.randint(8, 14)),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        oncall,
        {"dBInstanceIdentifier": "rxbridge-mysql-reporting"},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.ct(
        page_t + timedelta(minutes=r.randint(15, 22)),
        "rds.amazonaws.com",
        "DescribeEvents",
        oncall,
        {"sourceIdentifier": "rxbridge-mysql-reporting", "sourceType": "db-instance", "duration": 1440},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    c.readonly_noise(
        start,
        now,
        70,
        [
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", None),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
        ],
    )
    for k in range(2):
        b = (day - timedelta(days=1 - k)).replace(hour=6, minute=r.randint(0, 9))
        for msg, off in (("Backing up DB instance", 0), ("Finished DB Instance backup", r.randint(12, 20))):
            if b + timedelta(minutes=off) <= now and b >= start:
                c.events.append(
                    {
                        "source": "rds",
                        "item": {
                            "SourceIdentifier": "rxbridge-mysql",
                            "SourceType": "db-instance",
                            "Message": msg,
                            "EventCategories": ["backup"],
                            "Date": iso(b + timedelta(minutes=off)),
                            "SourceArn": f"arn:aws:rds:{c.region}:{c.account}:db:rxbridge-mysql",
                        },
                    }
                )
    w.health_points(tg_arn, web_ids, 8080, start)
    w.health_points(itg_arn, f_ids, 8080, start)

    # --- alarms ---------------------------------------------------------------------------------------------
    trans = []
    for back in range(6, 0, -1):
        s = etl - timedelta(days=back)
        pk = peak_lag * r.uniform(0.8, 1.1)
        a_t = s + timedelta(minutes=r.randint(13, 18), seconds=r.randint(0, 59))
        o_t = s + timedelta(minutes=dur * r.uniform(0.85, 0.95), seconds=r.randint(0, 59))
        trans.append(
            (
                a_t,
                "OK",
                "ALARM",
                threshold_reason(
                    "Maximum",
                    float(round(pk * 0.55)),
                    600.0,
                    "GreaterThanThreshold",
                    3,
                    a_t - timedelta(minutes=1),
                ),
            )
        )
        trans.append(
            (
                o_t,
                "ALARM",
                "OK",
                ok_reason(
                    float(r.randint(200, 560)), 600.0, "GreaterThanThreshold", o_t - timedelta(minutes=1)
                ),
            )
        )
    trans.append(
        (
            page_t,
            "OK",
            "ALARM",
            threshold_reason(
                "Maximum",
                float(r.randint(610, 760)),
                600.0,
                "GreaterThanThreshold",
                3,
                page_t - timedelta(minutes=1),
            ),
        )
    )
    ok_t = etl + timedelta(minutes=dur * 0.9, seconds=r.randint(0, 59))
    if ok_t < now:
        trans.append(
            (
                ok_t,
                "ALARM",
                "OK",
                ok_reason(
                    float(r.randint(300, 590)), 600.0, "GreaterThanThreshold", ok_t - timedelta(minutes=1)
                ),
            )
        )
    lag_alarm = c.alarm(
        alarm_name,
        "Reporting replica more than 10 minutes behind",
        "AWS/RDS",
        "ReplicaLag",
        {"DBInstanceIdentifier": "rxbridge-mysql-reporting"},
        "Maximum",
        60,
        3,
        600.0,
        "GreaterThanThreshold",
        topic="sre-pagerduty",
        configured=cfg_at,
        transitions=trans,
    )
    page_state_reason = next(x[3] for x in trans if x[0] == page_t)
    c.history.append(
        {
            "AlarmName": alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(cfg_at),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{alarm_name}" updated',
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "type": "Update",
                    "originalUpdatedAlarm": {"alarmActions": [low], "okActions": [low]},
                    "updatedAlarm": {"alarmActions": [pager], "okActions": [pager]},
                }
            ),
        }
    )
    c.alarm(
        "rxbridge-prod-5xx",
        "rxbridge ALB target 5xx > 20/min",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Sum",
        60,
        3,
        20.0,
        "GreaterThanThreshold",
        missing="notBreaching",
        topic="sre-pagerduty",
        configured=cfg_at,
    )
    c.alarm(
        "rxbridge-mysql-cpu",
        "primary MySQL CPU > 85% for 15 min",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": "rxbridge-mysql"},
        "Average",
        300,
        3,
        85.0,
        "GreaterThanThreshold",
        topic="sre-pagerduty",
        configured=cfg_at,
    )
    c.alarm(
        "formulary-unhealthy",
        "formulary-svc unhealthy targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": itg, "LoadBalancer": ilb},
        "Maximum",
        60,
        2,
        0.0,
        "GreaterThanThreshold",
        topic="sre-pagerduty",
        configured=cfg_at,
    )
    c.alarm(
        "rxbridge-batch-status-check",
        "batch host status check failed",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": batch},
        "Maximum",
        300,
        2,
        0.0,
        "GreaterThanThreshold",
        topic="sre-notifications",
        configured=w.built + timedelta(days=220),
    )
    c.alarm(
        "rxbridge-mysql-free-storage",
        "primary free storage < 50 GiB",
        "AWS/RDS",
        "FreeStorageSpace",
        {"DBInstanceIdentifier": "rxbridge-mysql"},
        "Minimum",
        300,
        1,
        53687091200.0,
        "LessThanThreshold",
        topic="sre-notifications",
        configured=w.built + timedelta(days=30),
    )
    prev_ok = max(x[0] for x in trans if x[2] == "OK" and x[0] < page_t)
    ev = c.alarm_event(lag_alarm, page_t, "OK", next(x[3] for x in trans if x[0] == prev_ok), prev_ok)
    ev["detail"]["state"]["reason"] = page_state_reason
    local = page_t + timedelta(hours=OFFSET)
    question = (
        f"Got paged at {local:%-I:%M}am for rxbridge-mysql-reporting replica lag. I've never seen this alarm before. "
        "Is the reporting replica broken - do I need to rebuild it or fail something over before the morning?"
    )
    return c.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": ev, "timezone": "America/New_York"},
            "truth": {"no_fault": True, "also_accept": [], "actions": [], "chain": []},
        }
    )
