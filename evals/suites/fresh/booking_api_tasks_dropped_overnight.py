"""booking-api's task count falls from twelve to four late in the evening; someone on call asks if it crashed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzy as kit

NAME = "booking-api-tasks-dropped-overnight"
TITLE = "booking-api went from 12 tasks to 4 late evening and the console shows lots of stopped tasks"
SUMMARY = (
    "Nothing is wrong: the nightly scheduled action lowers booking-api's capacity at 23:00 local and target "
    "tracking scales in further as traffic falls; latency and errors stay normal."
)

DAY_MIN = 12
NIGHT_MIN, NIGHT_MAX = 4, 10


class _Shape(kit.Shape):
    def __init__(self, ctx: kit.Ctx) -> None:
        super().__init__(ctx)
        r = ctx.rng
        self.steps = [
            (ctx.onset + timedelta(seconds=r.randint(4, 40)), NIGHT_MAX),
            (ctx.onset + timedelta(minutes=r.randint(15, 18)), 8),
            (ctx.onset + timedelta(minutes=r.randint(22, 26)), 6),
            (ctx.onset + timedelta(minutes=r.randint(30, 34)), NIGHT_MIN),
        ]

    def tasks(self, t: datetime) -> int:
        n = DAY_MIN
        for at, count in self.steps:
            if t >= at + timedelta(minutes=1):
                n = count
        return n


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, (4, 0))
    r = c.rng
    c.desired = DAY_MIN
    tz = r.choice(["America/Chicago", "America/Denver", "America/Phoenix"])
    offset = ZoneInfo(tz).utcoffset(c.onset.replace(tzinfo=None))
    c.tz_offset = int(offset.total_seconds() // 3600) if offset is not None else -6
    local_23 = c.onset.replace(hour=(23 - c.tz_offset) % 24, minute=0, second=0)
    c.reclock(local_23)
    c.now = c.onset + timedelta(minutes=r.randint(42, 55))
    c.end = c.now
    sh = _Shape(c)
    kit.build_base(c, sh)

    res = f"service/{c.cluster}/booking-api"
    role = (
        f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService"
    )
    created = c.start - timedelta(days=r.randint(120, 300))
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": res,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": NIGHT_MIN,
            "MaxCapacity": NIGHT_MAX,
            "RoleARN": role,
            "CreationTime": kit.iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    for name, cron, lo, hi in (
        ("booking-api-night", "cron(0 23 * * ? *)", NIGHT_MIN, NIGHT_MAX),
        ("booking-api-day", "cron(0 6 * * ? *)", DAY_MIN, 30),
    ):
        c.resource(
            "application-autoscaling",
            "ScheduledAction",
            {
                "ScheduledActionName": name,
                "ScheduledActionARN": c.arn(
                    "autoscaling", f"scheduledAction:{c.uuid()}:resource/ecs/{res}:scheduledActionName/{name}"
                ),
                "ServiceNamespace": "ecs",
                "Schedule": cron,
                "Timezone": tz,
                "ResourceId": res,
                "ScalableDimension": "ecs:service:DesiredCount",
                "ScalableTargetAction": {"MinCapacity": lo, "MaxCapacity": hi},
                "CreationTime": kit.iso(created),
            },
        )
    high = f"TargetTracking-{res}-AlarmHigh-{c.uuid()}"
    low = f"TargetTracking-{res}-AlarmLow-{c.uuid()}"
    policy = c.arn(
        "autoscaling", f"scalingPolicy:{c.uuid()}:resource/ecs/{res}:policyName/booking-api-cpu-60"
    )

    def activity(at: datetime, desc: str, cause: str, msg: str) -> None:
        c.event(
            "application_autoscaling",
            {
                "ActivityId": c.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": res,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": desc,
                "Cause": cause,
                "StartTime": kit.iso(at),
                "EndTime": kit.iso(at + timedelta(seconds=r.randint(20, 60))),
                "StatusCode": "Successful",
                "StatusMessage": msg,
            },
        )

    # the same thing happened the previous nights, and mornings
    for days in (3, 2, 1):
        night = c.onset - timedelta(days=days)
        activity(
            night + timedelta(seconds=r.randint(3, 30)),
            f"Setting min capacity to {NIGHT_MIN} and max capacity to {NIGHT_MAX}",
            "scheduled action name booking-api-night was triggered",
            f"Successfully set min capacity to {NIGHT_MIN} and max capacity to {NIGHT_MAX}",
        )
        for k, n in enumerate((NIGHT_MAX, 8, 6, NIGHT_MIN)):
            activity(
                night + timedelta(minutes=1 + k * 8, seconds=r.randint(0, 40)),
                f"Setting desired count to {n}.",
                "maximum capacity was set to 10"
                if k == 0
                else f"monitor alarm {low} in state ALARM triggered policy booking-api-cpu-60",
                f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
            )
        morning = night + timedelta(hours=7)
        activity(
            morning + timedelta(seconds=r.randint(3, 30)),
            f"Setting min capacity to {DAY_MIN} and max capacity to 30",
            "scheduled action name booking-api-day was triggered",
            f"Successfully set min capacity to {DAY_MIN} and max capacity to 30",
        )
        activity(
            morning + timedelta(minutes=1, seconds=r.randint(0, 40)),
            f"Setting desired count to {DAY_MIN}.",
            f"minimum capacity was set to {DAY_MIN}",
            f"Successfully set desired count to {DAY_MIN}. Change successfully fulfilled by ecs.",
        )
    activity(
        sh.steps[0][0] - timedelta(seconds=2),
        f"Setting min capacity to {NIGHT_MIN} and max capacity to {NIGHT_MAX}",
        "scheduled action name booking-api-night was triggered",
        f"Successfully set min capacity to {NIGHT_MIN} and max capacity to {NIGHT_MAX}",
    )

    aas = {
        "type": "AssumedRole",
        "principalId": "AROA" + c.hex(17).upper() + ":AutoScaling",
        "arn": f"arn:aws:sts::{c.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling",
        "accountId": c.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA" + c.hex(17).upper(),
                "arn": role,
                "accountId": c.account,
                "userName": "AWSServiceRoleForApplicationAutoScaling_ECSService",
            },
            "attributes": {"creationDate": kit.iso(c.onset), "mfaAuthenticated": "false"},
        },
        "invokedBy": "application-autoscaling.amazonaws.com",
    }
    prev = DAY_MIN
    for i, (at, n) in enumerate(sh.steps):
        activity(
            at,
            f"Setting desired count to {n}.",
            f"maximum capacity was set to {NIGHT_MAX}"
            if i == 0
            else f"monitor alarm {low} in state ALARM triggered policy booking-api-cpu-60",
            f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
        )
        c.ct(
            at + timedelta(seconds=1),
            "ecs.amazonaws.com",
            "UpdateService",
            aas,
            {"cluster": c.cluster, "service": "booking-api", "desiredCount": n},
            {"service": {"serviceName": "booking-api", "desiredCount": n, "status": "ACTIVE"}},
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
        gone = [c.hex(32) for _ in range(prev - n)]
        listed = " ".join(f"(task {g})" for g in gone)
        for k, msg in enumerate(
            (
                f"(service booking-api) has begun draining connections on {prev - n} tasks.",
                f"(service booking-api) deregistered {prev - n} targets in (target-group {c.tg_arn})",
                f"(service booking-api) has stopped {prev - n} running tasks: {listed}.",
            )
        ):
            c.event(
                "ecs",
                {
                    "service_arn": c.svc_arn,
                    "event": {
                        "id": c.uuid(),
                        "createdAt": kit.iso(at + timedelta(seconds=20 + k * 150)),
                        "message": msg,
                    },
                },
            )
        for g in gone:
            stop = at + timedelta(seconds=175)
            c.resource(
                "ecs",
                "Task",
                {
                    "taskArn": c.arn("ecs", f"task/{c.cluster}/{g}"),
                    "clusterArn": c.arn("ecs", f"cluster/{c.cluster}"),
                    "taskDefinitionArn": c.td_arn,
                    "group": "service:booking-api",
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "availabilityZone": r.choice(c.azs),
                    "cpu": "1024",
                    "memory": "2048",
                    "lastStatus": "STOPPED",
                    "desiredStatus": "STOPPED",
                    "stopCode": "ServiceSchedulerInitiated",
                    "stoppedReason": "Scaling activity initiated by (deployment ecs-svc/"
                    + str(r.randint(10**18, 10**19 - 1))
                    + ")",
                    "startedBy": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                    "createdAt": kit.iso(c.onset - timedelta(hours=r.randint(15, 17))),
                    "startedAt": kit.iso(c.onset - timedelta(hours=15)),
                    "stoppingAt": kit.iso(at + timedelta(seconds=20)),
                    "executionStoppedAt": kit.iso(stop - timedelta(seconds=3)),
                    "stoppedAt": kit.iso(stop),
                    "containers": [
                        {
                            "containerArn": c.arn("ecs", f"container/{c.cluster}/{g}/{c.uuid()}"),
                            "taskArn": c.arn("ecs", f"task/{c.cluster}/{g}"),
                            "name": "booking-api",
                            "lastStatus": "STOPPED",
                            "exitCode": 143,
                        }
                    ],
                },
            )
        prev = n

    tasks = kit.task_ids(c, DAY_MIN)

    def extra(t: datetime, task: str) -> list[tuple[datetime, str]]:
        for at, _ in sh.steps:
            if at <= t < at + timedelta(minutes=1) and r.random() < 0.3:
                s = at + timedelta(seconds=r.randint(20, 40))
                return [
                    (
                        s,
                        kit.spring(
                            s,
                            "INFO",
                            "SpringApplicationShutdownHook",
                            "o.s.b.w.e.tomcat.GracefulShutdown",
                            "Commencing graceful shutdown. Waiting for active requests to complete",
                        ),
                    ),
                    (
                        s + timedelta(milliseconds=412),
                        kit.spring(
                            s,
                            "INFO",
                            "tomcat-shutdown",
                            "o.s.b.w.e.tomcat.GracefulShutdown",
                            "Graceful shutdown complete",
                        ),
                    ),
                    (
                        s + timedelta(milliseconds=530),
                        kit.spring(
                            s,
                            "INFO",
                            "SpringApplicationShutdownHook",
                            "com.zaxxer.hikari.HikariDataSource",
                            "HikariPool-1 - Shutdown completed.",
                        ),
                    ),
                ]
        return []

    kit.booking_logs(c, tasks, extra)
    kit.pms_bridge_logs(c)

    # alarms: target tracking's pair, the 5xx alarm quiet, a latency alarm that flapped at dinner time
    svc = {"ClusterName": c.cluster, "ServiceName": "booking-api"}
    c.alarm(
        high,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy + ".",
        "AWS/ECS",
        "CPUUtilization",
        svc,
        "Average",
        60,
        3,
        60.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(hours=r.randint(5, 9)),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (60.0).",
        actions=[policy],
    )
    low_at = sh.steps[1][0] - timedelta(seconds=30)
    c.alarm(
        low,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy + ".",
        "AWS/ECS",
        "CPUUtilization",
        svc,
        "Average",
        60,
        15,
        54.0,
        "LessThanThreshold",
        "ALARM",
        low_at,
        "Threshold Crossed: 15 datapoints were less than the threshold (54.0).",
        actions=[policy],
    )
    c.history(
        low, low_at, "OK", "ALARM", "Threshold Crossed: 15 datapoints were less than the threshold (54.0)."
    )
    c.alarm(
        "booking-api-target-5xx",
        "booking-api returning 5xx to the ALB. Runbook: wiki/booking/5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": c.alb_dim},
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=3),
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
        missing="notBreaching",
    )
    flap = c.start + timedelta(minutes=r.randint(40, 110))
    c.alarm(
        "booking-api-latency",
        "booking ALB average response time above 250ms",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": c.alb_dim},
        "Average",
        60,
        2,
        0.25,
        "GreaterThanThreshold",
        "OK",
        flap + timedelta(minutes=3),
        "Threshold Crossed: 2 datapoints [0.09, 0.08] were not greater than the threshold (0.25).",
    )
    c.history(
        "booking-api-latency",
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints [0.31, 0.27] were greater than the threshold (0.25).",
    )
    c.history(
        "booking-api-latency",
        flap + timedelta(minutes=3),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 datapoints [0.09, 0.08] were not greater than the threshold (0.25).",
    )

    q = (
        f"booking-api dropped from {DAY_MIN} tasks to {NIGHT_MIN} a bit after 11pm and the ECS console is full of "
        "stopped tasks. Nobody deployed tonight. Did something crash? Should I scale it back up before the "
        "overnight channel-manager sync?"
    )
    return c.bundle(TITLE, q, None, tz, {"no_fault": True})
