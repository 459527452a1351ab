"""The booking ALB's 5xx alarm pages as a sale email lands and booking-api scales out."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzy as kit

NAME = "booking-5xx-during-winter-sale"
TITLE = "booking-api 5xx alarm paging right after the winter-sale email went out"
SUMMARY = (
    "A sale email tripled traffic; booking-api scaled out and every task's Hikari pool grew until the Aurora "
    "writer hit max_connections, so requests time out waiting for a connection and new tasks fail to start."
)

MAX_CONN = 1000


class _Shape(kit.Shape):
    def __init__(self, ctx: kit.Ctx, email: datetime) -> None:
        super().__init__(ctx)
        self.email = email
        self.peak = ctx.rng.uniform(2.6, 3.3)

    def surge(self, t: datetime) -> float:
        if t < self.email:
            return 1.0
        ramp = min(1.0, (t - self.email).total_seconds() / 1500)
        return 1 + (self.peak - 1) * ramp

    def load(self, t: datetime) -> float:
        return super().load(t) * self.surge(t)

    def tasks(self, t: datetime) -> int:
        c = self.ctx
        if t < self.email + timedelta(minutes=4):
            return c.desired
        steps = int((t - self.email - timedelta(minutes=4)).total_seconds() // 240) + 1
        return min(26, c.desired + 3 * steps)

    def wanted_connections(self, t: datetime) -> float:
        per_task = (
            min(40.0, 8 + 30 * (self.surge(t) - 1) / (self.peak - 1) * 1.25) if self.surge(t) > 1 else 8.0
        )
        return self.tasks(t) * per_task + 38

    def saturated(self, t: datetime) -> bool:
        return self.wanted_connections(t) >= MAX_CONN - 4

    def db_connections(self, t: datetime) -> float:
        w = self.wanted_connections(t)
        return (
            float(MAX_CONN - self.ctx.rng.randint(0, 3))
            if w >= MAX_CONN - 4
            else w + self.ctx.rng.uniform(-3, 3)
        )

    def db_cpu(self, t: datetime) -> float:
        return min(63.0, super().db_cpu(t) * (0.8 + 0.35 * self.surge(t)))

    def target_5xx(self, t: datetime) -> int:
        if self.saturated(t):
            return int(self.load(t) * 60 * self.ctx.rng.uniform(0.06, 0.1))
        return super().target_5xx(t)

    def latency_ms(self, t: datetime) -> float:
        return 4200.0 if self.saturated(t) else 85.0 * (0.9 + 0.15 * self.surge(t))


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, (1, 5))
    r = c.rng
    c.pool = 40
    c.desired = r.randint(6, 8)
    email = c.onset - timedelta(minutes=r.randint(30, 38))
    sh = _Shape(c, email)
    # the onset is when the writer first runs out of connections
    t = email
    while not sh.saturated(t):
        t += timedelta(minutes=1)
    first_full = t
    kit.build_base(c, sh)

    # Application Auto Scaling at work: target tracking on CPU
    res = f"service/{c.cluster}/booking-api"
    high = f"TargetTracking-{res}-AlarmHigh-{c.uuid()}"
    low = f"TargetTracking-{res}-AlarmLow-{c.uuid()}"
    c.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": res,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": c.desired,
            "MaxCapacity": 30,
            "RoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": kit.iso(c.start - timedelta(days=240)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    aas = {
        "type": "AssumedRole",
        "principalId": "AROA" + c.hex(17).upper() + ":AutoScaling-ECSService",
        "arn": f"arn:aws:sts::{c.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling",
        "accountId": c.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA" + c.hex(17).upper(),
                "arn": f"arn:aws:iam::{c.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_ECSService",
                "accountId": c.account,
                "userName": "AWSServiceRoleForApplicationAutoScaling_ECSService",
            },
            "attributes": {"creationDate": kit.iso(email), "mfaAuthenticated": "false"},
        },
        "invokedBy": "application-autoscaling.amazonaws.com",
    }
    prev = c.desired
    t = email
    while t < c.now:
        n = sh.tasks(t)
        if n != prev:
            at = t + timedelta(seconds=r.randint(2, 20))
            c.ct(
                at,
                "ecs.amazonaws.com",
                "UpdateService",
                aas,
                {"cluster": c.cluster, "service": "booking-api", "desiredCount": n},
                {"service": {"serviceName": "booking-api", "desiredCount": n, "status": "ACTIVE"}},
                agent="application-autoscaling.amazonaws.com",
                ip="application-autoscaling.amazonaws.com",
            )
            c.event(
                "application_autoscaling",
                {
                    "ActivityId": c.uuid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": res,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {n}.",
                    "Cause": f"monitor alarm {high} in state ALARM triggered policy booking-api-cpu-60",
                    "StartTime": kit.iso(at),
                    "EndTime": kit.iso(at + timedelta(seconds=30)),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                },
            )
            c.event(
                "ecs",
                {
                    "service_arn": c.svc_arn,
                    "event": {
                        "id": c.uuid(),
                        "createdAt": kit.iso(at + timedelta(seconds=40)),
                        "message": f"(service booking-api) has started {n - prev} tasks: "
                        + " ".join(f"(task {c.hex(32)})" for _ in range(n - prev))
                        + ".",
                    },
                },
            )
            prev = n
        t += timedelta(minutes=1)

    # tasks started once the writer is full cannot open their pool and exit; ECS replaces them
    t = first_full + timedelta(minutes=2)
    while t < c.now:
        task = c.hex(32)
        c.event(
            "ecs",
            {
                "service_arn": c.svc_arn,
                "event": {
                    "id": c.uuid(),
                    "createdAt": kit.iso(t),
                    "message": f"(service booking-api) has stopped 1 running tasks: (task {task}).",
                },
            },
        )
        c.log(
            "/ecs/booking-api",
            f"ecs/booking-api/{task}",
            t - timedelta(seconds=35),
            kit.spring(
                t - timedelta(seconds=35),
                "ERROR",
                "main",
                "com.zaxxer.hikari.pool.HikariPool",
                "HikariPool-1 - Exception during pool initialization.\n"
                "java.sql.SQLNonTransientConnectionException: Too many connections\n"
                "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:111)\n"
                "\tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:819)\n"
                "\tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:554)",
            ),
        )
        c.log(
            "/ecs/booking-api",
            f"ecs/booking-api/{task}",
            t - timedelta(seconds=34),
            kit.spring(
                t - timedelta(seconds=34),
                "ERROR",
                "main",
                "o.s.boot.SpringApplication",
                "Application run failed\norg.springframework.beans.factory.BeanCreationException: Error creating bean "
                "with name 'entityManagerFactory': Unable to open JDBC Connection for DDL execution "
                "[Too many connections] [n/a]",
            ),
        )
        t += timedelta(minutes=r.randint(3, 6), seconds=r.randint(0, 59))

    tasks = kit.task_ids(c, c.desired)

    def extra(t: datetime, task: str) -> list[tuple[datetime, str]]:
        if not sh.saturated(t) or r.random() < 0.5:
            return []
        at = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999) * 1000)
        out = [
            (
                at,
                kit.spring(
                    at,
                    " WARN",
                    f"nio-8080-exec-{r.randint(1, 200)}",
                    "o.h.engine.jdbc.spi.SqlExceptionHelper",
                    "SQL Error: 0, SQLState: null",
                ),
            ),
            (
                at + timedelta(milliseconds=1),
                kit.spring(
                    at,
                    "ERROR",
                    f"nio-8080-exec-{r.randint(1, 200)}",
                    "o.h.engine.jdbc.spi.SqlExceptionHelper",
                    "HikariPool-1 - Connection is not available, request timed out after 30000ms "
                    f"(total={r.randint(22, 40)}, active={r.randint(22, 40)}, idle=0, waiting={r.randint(12, 90)})",
                ),
            ),
        ]
        if r.random() < 0.4:
            out.append(
                (
                    at + timedelta(milliseconds=4),
                    kit.spring(
                        at,
                        " WARN",
                        "HikariPool-1 connection adder",
                        "com.zaxxer.hikari.pool.PoolBase",
                        "HikariPool-1 - Pool is empty, failed to create/setup connection "
                        "(java.sql.SQLNonTransientConnectionException: Too many connections)",
                    ),
                )
            )
        out.append(
            (
                at + timedelta(milliseconds=6),
                kit.spring(
                    at,
                    " WARN",
                    f"nio-8080-exec-{r.randint(1, 200)}",
                    "c.l.b.api.ReservationController",
                    f"POST /v2/reservations property={r.choice(kit.PROPS)} status=500 took={r.randint(30001, 30090)}ms",
                ),
            )
        )
        return out

    kit.booking_logs(c, tasks, extra)
    kit.pms_bridge_logs(c)

    # innocent: slow-query tuning earlier in the day, a marketing bucket policy
    dba = c.sso("DatabaseAdmin", "kenji.watanabe@larkspurhotels.com", c.start)
    c.ct(
        c.start + timedelta(minutes=r.randint(15, 70)),
        "rds.amazonaws.com",
        "ModifyDBClusterParameterGroup",
        dba,
        {
            "dBClusterParameterGroupName": "booking-aurora-mysql80",
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "0.5", "applyMethod": "immediate"}
            ],
        },
        {"dBClusterParameterGroupName": "booking-aurora-mysql80"},
        agent="AWS Internal",
    )
    mk = c.sso("MarketingTech", "lena.hoffmann@larkspurhotels.com", email)
    c.ct(
        email - timedelta(minutes=r.randint(40, 70)),
        "s3.amazonaws.com",
        "PutBucketPolicy",
        mk,
        {"bucketName": "larkspur-campaign-assets", "bucketPolicy": {"Version": "2012-10-17"}, "policy": [""]},
        None,
        agent="AWS Internal",
    )

    # alarms: the 5xx page, target tracking's own pair, and one on the writer's CPU
    fire = first_full + timedelta(minutes=3)
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints "
        f"[{sh.target_5xx(fire)}.0 ({fire:%d/%m/%y %H:%M:%S})] were greater than the threshold (25.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    a5 = c.alarm(
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
        "ALARM",
        fire,
        reason,
        missing="notBreaching",
    )
    c.history("booking-api-target-5xx", fire, "OK", "ALARM", reason)
    svc = {"ClusterName": c.cluster, "ServiceName": "booking-api"}
    hi_at = email + timedelta(minutes=4)
    policy = c.arn(
        "autoscaling",
        f"scalingPolicy:{c.uuid()}:resource/ecs/{res}:policyName/booking-api-cpu-60",
    )
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
        "ALARM",
        hi_at,
        "Threshold Crossed: 3 datapoints were greater than the threshold (60.0).",
        actions=[policy],
    )
    c.history(
        high, hi_at, "OK", "ALARM", "Threshold Crossed: 3 datapoints were greater than the threshold (60.0)."
    )
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
        "OK",
        email + timedelta(minutes=2),
        "Threshold Crossed: 1 datapoint was not less than the threshold (54.0).",
        actions=[policy],
    )
    c.alarm(
        "booking-aurora-writer-cpu",
        "Aurora writer CPU above 80%",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": f"{c.db_cluster}-1"},
        "Average",
        300,
        2,
        80.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=4),
        "Threshold Crossed: 2 datapoints [31.2, 29.8] were not greater than the threshold (80.0).",
    )

    writer = f"{c.db_cluster}-1"
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": writer,
            "category": "limit",
            "failure_mode": "db-max-connections-exhausted",
        },
        "also_accept": [c.db_cluster, c.arn("rds", f"db:{writer}")],
        "actions": ["scale", "reconfigure"],
        "chain": [writer, "booking-api", c.alb_name],
    }
    event = c.alarm_event(a5, fire, "OK", reason)
    return c.bundle(TITLE, None, event, f"{c.tz_offset:+03d}:00", truth)
