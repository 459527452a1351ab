"""No fault: an alarm on the web target group's HealthyHostCount, created that afternoon, fires at 8pm when
the ASG's long-standing scheduled evening scale-in takes the group from six instances to three."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzf import World, iso

NAME = "healthy-host-alarm-at-evening-scale-in"
TITLE = "Web healthy-hosts alarm at 8pm and half the web servers gone from the dashboard"
SUMMARY = (
    "A HealthyHostCount alarm added that afternoon fired when the ASG's nightly scheduled action scaled the "
    "web tier from six instances to three; traffic, errors and latency stayed normal."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = datetime(2026, 1, 20, tzinfo=UTC) + timedelta(days=rng.randint(0, 40))
    onset = (day + timedelta(days=1)).replace(hour=1, minute=0)  # 20:00 in New York
    w = World(
        seed,
        onset,
        before=timedelta(hours=3, minutes=50),
        after=timedelta(minutes=rng.randint(38, 50)),
        salt=NAME,
    )
    for k in range(6):
        w.add_instance(
            w.azs[k % 3], w.start - timedelta(hours=rng.randint(14, 15), minutes=rng.randint(0, 50))
        )
    going = [w.instances[k] for k in rng.sample([0, 3], 1) + rng.sample([1, 4], 1) + rng.sample([2, 5], 1)]
    dereg = onset + timedelta(seconds=rng.randint(9, 20))
    for i in going:
        i["terminated"] = dereg + timedelta(seconds=300 + rng.randint(5, 40))

    def rpm(t: datetime) -> float:
        return w.diurnal(t, -5, 600, 4100)

    def healthy(t: datetime) -> float:
        return 6.0 if t < dereg.replace(second=0) + timedelta(minutes=1) else 3.0

    def cpu(i: dict[str, Any], t: datetime) -> float:
        serving = 6 if t < dereg else 3
        if i in going and t >= dereg:
            return 1.5 * w.noise(t, i["id"], 0.3)
        return min(95.0, 4 + rpm(t) / serving / 45 * w.noise(t, i["id"], 0.08))

    w.web_metrics(
        rpm,
        latency=lambda t: 0.12 if t < dereg else 0.135,
        healthy=healthy,
        cpu=cpu,
    )
    blip = w.start + timedelta(minutes=rng.randint(40, 150))
    w.rds_metrics(w.db, cpu=lambda t: 10 + rpm(t) / 330, conns=lambda t: 60 + rpm(t) / 160)
    w.rds_metrics(
        w.replica,
        cpu=lambda t: 7 + rpm(t) / 600,
        conns=lambda t: 30 + rpm(t) / 280,
        lag=lambda t: 0.0 if not (blip <= t < blip + timedelta(minutes=7)) else 38.0,
    )
    w.efs_metrics(clients=lambda t: float(len(w.alive(t)) + 1))

    # --- CloudTrail -------------------------------------------------------------------------------
    w.tooling_noise()
    w.backup_and_console_noise()
    p = w.people
    created = (onset - timedelta(hours=2, minutes=rng.randint(10, 50))).replace(second=0)
    alarm_name = f"{w.app}-web-healthy-hosts-low"
    w.ct(
        created - timedelta(seconds=rng.randint(5, 40)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        w.sso(p[2], "PowerUserAccess"),
        {
            "alarmName": alarm_name,
            "alarmDescription": "Fewer than 4 healthy web targets behind the ALB",
            "actionsEnabled": True,
            "oKActions": [w.topic],
            "alarmActions": [w.topic],
            "metricName": "HealthyHostCount",
            "namespace": "AWS/ApplicationELB",
            "statistic": "Minimum",
            "dimensions": [
                {"name": "TargetGroup", "value": w.tg_id},
                {"name": "LoadBalancer", "value": w.alb_id},
            ],
            "period": 60,
            "evaluationPeriods": 2,
            "datapointsToAlarm": 2,
            "threshold": 4.0,
            "comparisonOperator": "LessThanThreshold",
            "treatMissingData": "breaching",
        },
        None,
        agent="terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.5 ua/2.1 os/macos lang/go#1.22.6 md/GOOS#darwin md/GOARCH#arm64 api/cloudwatch#1.40.7",
    )
    w.ct(
        created - timedelta(minutes=3),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        w.sso(p[2], "PowerUserAccess"),
        {
            "alarmName": f"{w.app}-efs-io-limit",
            "alarmDescription": "EFS IO limit above 90%",
            "actionsEnabled": True,
            "alarmActions": [w.topic],
            "metricName": "PercentIOLimit",
            "namespace": "AWS/EFS",
            "statistic": "Average",
            "dimensions": [{"name": "FileSystemId", "value": w.efs}],
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 90.0,
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
        agent="terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 aws-sdk-go-v2/1.30.5 api/cloudwatch#1.40.7",
    )
    w.codedeploy(onset - timedelta(hours=3, minutes=rng.randint(0, 20)))
    asg_role = w.service_role("autoscaling.amazonaws.com")
    w.ct(
        dereg,
        "elasticloadbalancing.amazonaws.com",
        "DeregisterTargets",
        asg_role,
        {"targetGroupArn": w.tg_arn, "targets": [{"id": i["id"]} for i in going]},
        None,
    )
    for i in going:
        w.ct(
            i["terminated"] - timedelta(seconds=2),
            "ec2.amazonaws.com",
            "TerminateInstances",
            asg_role,
            {"instancesSet": {"items": [{"instanceId": i["id"]}]}},
            {
                "requestId": w.uid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": i["id"],
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
        )
    w.ct(
        onset + timedelta(minutes=rng.randint(9, 16)),
        "autoscaling.amazonaws.com",
        "DescribeScheduledActions",
        w.sso(p[3], "ReadOnlyAccess"),
        {"autoScalingGroupName": w.asg},
        None,
        read_only=True,
    )

    # --- scaling activity and target health ---------------------------------------------------------
    live = 6
    for i in going:
        w.activity(
            dereg - timedelta(seconds=6),
            f"Terminating EC2 instance: {i['id']}",
            f"At {iso(onset)} a scheduled action update of AutoScalingGroup constraints to min: 3, max: 12, "
            f"desired: 3 changing the desired capacity from 6 to 3.  At {iso(onset + timedelta(seconds=2))} an "
            f"instance was taken out of service in response to a difference between desired and actual capacity, "
            f"shrinking the capacity from {live} to {live - 1}.  At {iso(onset + timedelta(seconds=2))} instance "
            f"{i['id']} was selected for termination.",
            secs=int((i["terminated"] - dereg).total_seconds()) + 40,
            details=json.dumps({"Subnet ID": i["subnet"], "Availability Zone": i["az"]}),
        )
        live -= 1
    for i in w.instances:
        w.target(i, w.start, "healthy")
    for i in going:
        w.target(
            i,
            dereg + timedelta(seconds=1),
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        w.target(
            i,
            dereg + timedelta(seconds=302),
            "unused",
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )

    # --- logs -------------------------------------------------------------------------------------
    def line(inst: dict[str, Any], t: datetime, h: random.Random) -> str | None:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        r = h.random()
        if r < 0.1:
            return f"[{stamp}] production.INFO: Running scheduled command: '/usr/bin/php8.2' 'artisan' search:reindex-delta"
        if r < 0.13:
            return (
                f"[{stamp}] production.WARNING: Payment provider responded slowly "
                f'{{"provider":"stripe","ms":{h.randint(1500, 3200)}}}'
            )
        if r < 0.15:
            return (
                f'[{stamp}] production.ERROR: The MAC is invalid. {{"exception":"[object] '
                "(Illuminate\\\\Contracts\\\\Encryption\\\\DecryptException(code: 0): The MAC is invalid. at "
                '/var/www/html/vendor/laravel/framework/src/Illuminate/Encryption/Encrypter.php:251)"}'
            )
        return None

    w.app_logs(rpm, line)
    for i in going:
        stop = i["terminated"] - timedelta(seconds=20)
        w.log(
            f"/{w.app}/web/messages",
            f"{i['id']}/messages",
            stop,
            f"{stop.strftime('%b %e %H:%M:%S')} ip-{i['ip'].replace('.', '-')} systemd[1]: Stopping The PHP FastCGI "
            "Process Manager...",
        )

    # --- alarms -----------------------------------------------------------------------------------
    lb = {"LoadBalancer": w.alb_id}
    tg = {"TargetGroup": w.tg_id, "LoadBalancer": w.alb_id}
    w.alarm(
        alarm_name,
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tg,
        "Minimum",
        4,
        "LessThanThreshold",
        evals=2,
        desc="Fewer than 4 healthy web targets behind the ALB",
        missing="breaching",
        created=created,
    )
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
        30,
        "GreaterThanThreshold",
        evals=3,
        dta=2,
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
    w.estate(min_size=3, max_size=12)
    w.db_instance(w.db)
    w.db_instance(w.replica, replica_of=w.db, multi_az=False, az="us-east-1c")
    for name, cron, mn, desired in (
        ("evening-scale-in", "0 20 * * *", 3, 3),
        ("morning-scale-out", "0 7 * * *", 6, 6),
    ):
        nxt = onset + timedelta(days=1) if name == "evening-scale-in" else onset + timedelta(hours=11)
        w.res(
            "autoscaling",
            "ScheduledUpdateGroupAction",
            {
                "AutoScalingGroupName": w.asg,
                "ScheduledActionName": name,
                "ScheduledActionARN": f"arn:aws:autoscaling:{w.region}:{w.account}:scheduledUpdateGroupAction:"
                f"{w.uid()}:autoScalingGroupName/{w.asg}:scheduledActionName/{name}",
                "Time": iso(nxt),
                "StartTime": iso(nxt),
                "Recurrence": cron,
                "MinSize": mn,
                "MaxSize": 12,
                "DesiredCapacity": desired,
                "TimeZone": "America/New_York",
            },
        )

    question = (
        f"Got an email that {alarm_name} went into ALARM just after 8pm, and the dashboard shows half our web "
        "servers have disappeared. The site loads fine for me. Are we losing servers, or under some kind of attack?"
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(alarm_name), "timezone": "America/New_York"},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
