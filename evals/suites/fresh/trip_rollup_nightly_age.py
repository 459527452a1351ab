"""trip-rollup-jobs oldest-message alarm in the small hours."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zj import (
    Json,
    Kit,
    const,
    floor_min,
    iso,
    iso_ms,
    noise,
    pick_day,
)

NAME = "trip-rollup-oldest-message-night"
TITLE = "trip-rollup-jobs oldest-message age alarm at night"
SUMMARY = (
    "The nightly trip rollup enqueues its jobs at 01:00 and the capped worker fleet drains them in about an "
    "hour, as on other nights; the age alarm's threshold sits inside that normal drain."
)

TZ = ZoneInfo("America/Denver")
js = partial(json.dumps, separators=(",", ":"))


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "us-west-2")
    rng = kit.rng
    day = pick_day(rng, [1, 2, 3, 4])
    acct, region = kit.account, kit.region
    nights = 3
    kick = [
        datetime(day.year, day.month, day.day, 1, 0, tzinfo=TZ) - timedelta(days=nights - i)
        for i in range(nights + 1)
    ]  # local 01:00 of the previous nights and tonight
    kick_utc = [k.astimezone(ZoneInfo("UTC")) + timedelta(seconds=rng.randint(2, 9)) for k in kick]
    counts = [int(rng.uniform(71_000, 86_000)) for _ in kick]
    counts[rng.randint(0, nights - 1)] = int(rng.uniform(52_000, 58_000))  # a lighter night (weekend data)
    counts[-1] = int(rng.uniform(76_000, 88_000))
    start = floor_min(kick_utc[0] - timedelta(hours=rng.randint(5, 9)), 5)
    per_task = rng.uniform(2.0, 2.25)  # jobs a second per worker task
    max_tasks, min_tasks = 12, 2

    # --- simulate queue and fleet minute by minute ------------------------------------------------------------
    sent: dict[datetime, float] = {}
    done: dict[datetime, float] = {}
    visible: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    tasks: dict[datetime, int] = {}
    scale_events: list[tuple[datetime, int, int, str]] = []
    horizon = kick_utc[-1] + timedelta(hours=3)
    t = floor_min(start)
    q: list[tuple[datetime, float]] = []  # (enqueue minute, count) in order
    desired = min_tasks
    running = float(min_tasks)
    last_scale = start - timedelta(hours=1)
    empty_since: datetime | None = None
    while t < horizon:
        add = 0.0
        for k, ku in enumerate(kick_utc):
            mins = (t - floor_min(ku)).total_seconds() / 60
            span = 2.4 + 0.2 * k
            if 0 <= mins < span + 1:
                add += counts[k] / (span + 1)
        add += noise(rng, 3.0, 0.5)  # ad-hoc re-rollups from the support tool
        if add:
            q.append((t, add))
        cap = running * per_task * 60 * rng.uniform(0.94, 1.04)
        served = 0.0
        while q and served < cap:
            et, c = q[0]
            take = min(c, cap - served)
            served += take
            if take >= c:
                q.pop(0)
            else:
                q[0] = (et, c - take)
        vis = sum(c for _, c in q)
        sent[t], done[t], visible[t] = add, served, vis
        age[t] = (t - q[0][0]).total_seconds() + rng.uniform(0, 50) if q else rng.uniform(0, 20)
        # step scaling on visible messages, 5-minute alarm, 300s cooldown
        if t - last_scale >= timedelta(minutes=5):
            new = desired
            if vis > 5000 and desired < max_tasks:
                new = min(max_tasks, desired + 4)
            elif vis < 100:
                empty_since = empty_since or t
                if t - empty_since >= timedelta(minutes=15) and desired > min_tasks:
                    new = max(min_tasks, desired - 4)
            if vis >= 100:
                empty_since = None
            if new != desired:
                at = t + timedelta(seconds=rng.randint(20, 50))
                scale_events.append((at, desired, new, "out" if new > desired else "in"))
                desired, last_scale = new, t
        running += (desired - running) * 0.45  # tasks take a minute or two to start
        tasks[t] = round(running)
        t += timedelta(minutes=1)

    # --- tonight: the alarm, now -----------------------------------------------------------------------------
    fine_from = floor_min(kick_utc[-1] - timedelta(minutes=30), 5)
    s = kit.series

    def avg5(table: dict[datetime, float], t: datetime) -> float:
        if t >= fine_from:
            return table.get(t, 0.0)
        vals = [table.get(t + timedelta(minutes=i), 0.0) for i in range(5)]
        return sum(vals) / 5

    def max5(table: dict[datetime, float], t: datetime) -> float:
        if t >= fine_from:
            return table.get(t, 0.0)
        return max(table.get(t + timedelta(minutes=i), 0.0) for i in range(5))

    qn, dlq = "trip-rollup-jobs", "trip-rollup-jobs-dlq"
    qd = {"QueueName": qn}
    cluster, svc = "fleet-batch", "trip-rollup-worker"
    alerts = kit.arn("sns", "fleet-platform-oncall")
    step_out_arn = kit.arn(
        "autoscaling",
        f"scalingPolicy:{kit.uuid()}:resource/ecs/service/{cluster}/{svc}:policyName/trip-rollup-step-out",
    )
    step_in_arn = kit.arn(
        "autoscaling",
        f"scalingPolicy:{kit.uuid()}:resource/ecs/service/{cluster}/{svc}:policyName/trip-rollup-step-in",
    )
    # a first pass to find tonight's alarm: record the queue-age series over the full span
    end_probe = kick_utc[-1] + timedelta(hours=2)
    s(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: max5(age, t),
        start,
        end_probe,
        fine_from=fine_from,
        kind="max",
        digits=0,
    )
    probe = kit.alarm(
        "trip-rollup-jobs-oldest-message",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=1800,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        start=start,
        now=end_probe,
        topic_arn=alerts,
        description="Trip rollup jobs waiting more than 30 minutes",
    )
    tonight = probe.first("ALARM", after=kick_utc[-1])
    now = tonight.at + timedelta(minutes=rng.randint(14, 24), seconds=rng.randint(0, 59))
    end = now
    # start over with the real window
    kit.metrics.clear()
    kit.alarms.clear()
    kit.history.clear()
    kit._series.clear()

    s(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: max5(age, t),
        start,
        end,
        fine_from=fine_from,
        kind="max",
        digits=0,
    )
    s(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        lambda t: avg5(visible, t),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        lambda t: float(round(tasks.get(floor_min(t), 2) * 10 * rng.uniform(0.6, 1.0))),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        "Count",
        lambda t: avg5(sent, t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        "Count",
        lambda t: avg5(done, t) * 1.0004,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        lambda t: avg5(done, t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Count",
        const(0.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    sd = {"ClusterName": cluster, "ServiceName": svc}
    s(
        "ECS/ContainerInsights",
        "RunningTaskCount",
        sd,
        "Count",
        lambda t: float(tasks.get(floor_min(t), 2)),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    busy = lambda t: min(1.0, avg5(done, t) / max(1.0, tasks.get(floor_min(t), 2) * per_task * 60))  # noqa: E731
    s(
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Percent",
        lambda t: noise(rng, 3 + 71 * busy(t), 0.05),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    s(
        "AWS/ECS",
        "MemoryUtilization",
        sd,
        "Percent",
        lambda t: noise(rng, 22 + 19 * busy(t), 0.03),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    writer, reader = "fleet-analytics-1", "fleet-analytics-2"
    load = lambda t: avg5(done, t) / (max_tasks * per_task * 60)  # noqa: E731
    s(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": writer},
        "Percent",
        lambda t: noise(rng, 11 + 58 * load(t), 0.06),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    s(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": reader},
        "Percent",
        lambda t: noise(rng, 14.0, 0.15),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    s(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": writer},
        "Count",
        lambda t: float(round(38 + tasks.get(floor_min(t), 2) * 4 + rng.uniform(-2, 2))),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    s(
        "AWS/RDS",
        "CommitLatency",
        {"DBInstanceIdentifier": writer},
        "Milliseconds",
        lambda t: noise(rng, 1.9 + 2.2 * load(t), 0.1),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=3,
    )
    s(
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": reader},
        "Milliseconds",
        lambda t: noise(rng, 18 + 22 * load(t), 0.2),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=1,
    )
    fn_sched = "trip-rollup-scheduler"
    kicks_ok = [ku for ku in kick_utc if ku < now]
    for metric, unit, val in (
        ("Invocations", "Count", 1.0),
        ("Errors", "Count", 0.0),
        ("Duration", "Milliseconds", None),
    ):
        for k, ku in enumerate(kicks_ok):
            v = val if val is not None else (2.4 + 0.2 * k) * 60_000 * rng.uniform(0.95, 1.05)
            kit.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": metric,
                    "dimensions": {"FunctionName": fn_sched},
                    "timestamp": iso(floor_min(ku, 5 if ku < fine_from else 1)),
                    "unit": unit,
                    "value": round(v, 2),
                }
            )

    # --- alarms ------------------------------------------------------------------------------------------------
    common: dict[str, Any] = {"start": start, "now": now, "topic_arn": alerts}
    age_alarm = kit.alarm(
        "trip-rollup-jobs-oldest-message",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=1800,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="Trip rollup jobs waiting more than 30 minutes",
        created=start - timedelta(days=rng.randint(20, 70)),
        **common,
    )
    kit.alarm(
        "trip-rollup-jobs-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Rollup jobs failing repeatedly",
        **common,
    )
    kit.alarm(
        "fleet-analytics-writer-cpu",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dims={"DBInstanceIdentifier": writer},
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=85,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="fleet-analytics writer CPU above 85%",
        **common,
    )
    kit.alarm(
        "trip-rollup-scale-out",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=qd,
        stat="Average",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=5000,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        start=start,
        now=now,
        topic_arn=step_out_arn,
        ok_actions=False,
        description="Step scaling for trip-rollup-worker (managed by Terraform)",
    )

    kit.alarm(
        "trip-rollup-scale-in",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=qd,
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=100,
        comparison="LessThanThreshold",
        treat_missing="missing",
        start=start,
        now=now,
        topic_arn=step_in_arn,
        ok_actions=False,
        description="Step scaling for trip-rollup-worker (managed by Terraform)",
    )

    # --- logs --------------------------------------------------------------------------------------------------
    wg = f"/ecs/{svc}"
    task_ids = [kit.hex(32) for _ in range(14)]
    t = start
    while t < now:
        m = floor_min(t)
        rate = done.get(m, 0.0)
        t += timedelta(seconds=rng.expovariate(max(rate / 60 / 300, 1 / 600)))
        if t >= now:
            break
        n_t = max(1, tasks.get(m, 2))
        tid = task_ids[rng.randrange(n_t)]
        stream = f"worker/{svc}/{tid}"
        veh = f"V-{rng.randint(10000, 99999)}"
        data_day = (t.astimezone(TZ) - timedelta(days=1)).strftime("%Y-%m-%d")
        roll = rng.random()
        msg: dict[str, Any]
        if roll < 0.04:
            msg = {
                "level": "warn",
                "msg": "no GPS points for vehicle; writing empty summary",
                "vehicle": veh,
                "day": data_day,
            }
        elif roll < 0.06:
            msg = {
                "level": "warn",
                "msg": "telematics gap longer than 30m, interpolating",
                "vehicle": veh,
                "day": data_day,
                "gapMinutes": rng.randint(31, 140),
            }
        else:
            msg = {
                "level": "info",
                "msg": "rollup written",
                "vehicle": veh,
                "day": data_day,
                "trips": rng.randint(1, 44),
                "km": round(rng.uniform(3, 900), 1),
                "ms": rng.randint(180, 900),
            }
        kit.log(wg, stream, t, js({"time": iso_ms(t), **msg}))
    for k, ku in enumerate(kicks_ok):
        sg = f"/aws/lambda/{fn_sched}"
        st = kit.lambda_stream(ku)
        dur = (2.4 + 0.2 * k) * 60_000 * rng.uniform(0.95, 1.05)
        data_day = (ku.astimezone(TZ) - timedelta(days=1)).strftime("%Y-%m-%d")
        kit.lambda_invocation(
            sg,
            st,
            ku,
            dur,
            1024,
            rng.randint(180, 240),
            [
                f"{iso_ms(ku)}\t{{rid}}\tINFO\tstarting rollup fan-out for {data_day}",
                f"{iso_ms(ku)}\t{{rid}}\tINFO\tenqueued {counts[k]} rollup jobs for {data_day} "
                f"({counts[k] // 10 + 1} SendMessageBatch calls)",
            ],
            init_ms=rng.uniform(300, 500),
        )

    # --- events: scaling activities, ECS service events, AWS Health -----------------------------------------
    svc_arn = kit.arn("ecs", f"service/{cluster}/{svc}")
    for at, old, new, way in scale_events:
        if at > now or at < start:
            continue
        cause = (
            "monitor alarm trip-rollup-scale-out in state ALARM triggered policy trip-rollup-step-out"
            if way == "out"
            else "monitor alarm trip-rollup-scale-in in state ALARM triggered policy trip-rollup-step-in"
        )
        kit.event(
            "application_autoscaling",
            {
                "ActivityId": kit.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Setting desired count to {new}.",
                "Cause": cause,
                "StartTime": iso_ms(at),
                "EndTime": iso_ms(at + timedelta(seconds=rng.randint(30, 70))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {new}. Change "
                "successfully fulfilled by ecs.",
            },
        )
        if way == "out":
            ids = " ".join(f"(task {kit.hex(32)})" for _ in range(new - old))
            kit.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": kit.uuid(),
                        "createdAt": iso(at + timedelta(seconds=8)),
                        "message": f"(service {svc}) has started {new - old} tasks: {ids}.",
                    },
                },
            )
        else:
            ids = " ".join(f"(task {kit.hex(32)})" for _ in range(old - new))
            kit.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": kit.uuid(),
                        "createdAt": iso(at + timedelta(seconds=6)),
                        "message": f"(service {svc}) has stopped {old - new} running tasks: {ids}.",
                    },
                },
            )
            if at + timedelta(minutes=2) <= now:
                kit.event(
                    "ecs",
                    {
                        "service_arn": svc_arn,
                        "event": {
                            "id": kit.uuid(),
                            "createdAt": iso(at + timedelta(minutes=2)),
                            "message": f"(service {svc}) has reached a steady state.",
                        },
                    },
                )
    maint = day + timedelta(days=rng.randint(5, 9), hours=9)
    kit.event(
        "health",
        {
            "event": {
                "arn": f"arn:aws:health:{region}::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/"
                f"AWS_RDS_MAINTENANCE_SCHEDULED_{kit.upper_id(30, '0123456789ABCDEF')}",
                "service": "RDS",
                "eventTypeCode": "AWS_RDS_MAINTENANCE_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": region,
                "startTime": iso(maint),
                "endTime": iso(maint + timedelta(hours=1)),
                "lastUpdatedTime": iso(start + timedelta(hours=3)),
                "statusCode": "upcoming",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": "A system update is available for your Amazon Aurora DB cluster(s). The update will be "
            "applied during your next scheduled maintenance window unless you apply it earlier.",
            "affected_entities": [
                {
                    "entityArn": kit.arn("rds", "cluster:fleet-analytics"),
                    "eventArn": f"arn:aws:health:{region}::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED",
                    "entityValue": "fleet-analytics",
                    "awsAccountId": acct,
                    "lastUpdatedTime": iso(start + timedelta(hours=3)),
                    "statusCode": "PENDING",
                }
            ],
        },
    )
    for ku in kick_utc:
        bk = ku + timedelta(hours=2, minutes=rng.randint(0, 20))
        if start <= bk <= now:
            kit.event(
                "rds",
                {
                    "SourceIdentifier": "fleet-analytics",
                    "SourceType": "db-cluster",
                    "Message": "Automated backup for DB cluster fleet-analytics completed.",
                    "EventCategories": ["backup"],
                    "Date": iso(bk),
                    "SourceArn": kit.arn("rds", "cluster:fleet-analytics"),
                },
            )

    # --- CloudTrail ------------------------------------------------------------------------------------------
    aas = kit.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-" + kit.hex(8),
        ip="application-autoscaling.amazonaws.com",
        agent="application-autoscaling.amazonaws.com",
        path="aws-service-role/ecs.application-autoscaling.amazonaws.com/",
    )
    for at, old, new, _way in scale_events:
        if start <= at <= now:
            r = aas.call(
                at,
                "ecs.amazonaws.com",
                "UpdateService",
                {"cluster": cluster, "service": svc, "desiredCount": new},
                {
                    "service": {
                        "serviceName": svc,
                        "desiredCount": new,
                        "runningCount": old,
                        "status": "ACTIVE",
                    }
                },
                read_only=False,
            )
            r["userIdentity"]["invokedBy"] = "application-autoscaling.amazonaws.com"
    sched = kit.service_principal("scheduler.amazonaws.com")
    for ku in kicks_ok:
        sched.call(
            ku - timedelta(seconds=3),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{acct}:role/trip-rollup-scheduler-invoke",
                "roleSessionName": kit.hex(32),
            },
            None,
            read_only=True,
            extra={"sharedEventID": kit.uuid()},
        )
    dd = kit.role(
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=f"44.192.{rng.randint(28, 31)}.{rng.randint(1, 254)}",
        agent="Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
    )
    reads: list[tuple[str, str, Json | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("sqs.amazonaws.com", "ListQueues", None),
        ("ecs.amazonaws.com", "ListClusters", None),
        ("rds.amazonaws.com", "DescribeDBClusters", None),
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
    ]
    kit.routine_reads([dd], reads, start, now, 28)
    # a contractor team working in its own daytime ships the driver API and tweaks log retention
    dev = kit.sso("rohan.mehta@fleetlane.io", "Developer")
    gha_ip = f"{rng.choice(['20.42', '4.246', '172.182'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    ci = kit.role(
        "gha-deploy-driver-api",
        "GitHubActions",
        ip=gha_ip,
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.12.2 "
        "api/ecs#3.556.0 aws-actions/amazon-ecs-deploy-task-definition",
    )
    onset = tonight.at
    t_dep = onset - timedelta(minutes=rng.randint(8, 24), seconds=rng.randint(0, 59))
    rev = rng.randint(90, 160)
    ci.call(
        t_dep - timedelta(seconds=7),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "driver-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "driver-api",
                    "essential": True,
                    "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/driver-api:{kit.hex(7)}",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/driver-api:{rev}"),
                "family": "driver-api",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
    )
    ci.call(
        t_dep,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": "fleet-apps",
            "service": "driver-api",
            "taskDefinition": kit.arn("ecs", f"task-definition/driver-api:{rev}"),
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "driver-api", "status": "ACTIVE", "desiredCount": 3}},
        read_only=False,
    )
    t_ret = onset + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
    dev.call(
        t_ret,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/driver-api", "retentionInDays": 90},
        None,
        read_only=False,
        console=True,
    )
    dev.call(
        t_ret - timedelta(minutes=2),
        "logs.amazonaws.com",
        "DescribeLogGroups",
        {"logGroupNamePrefix": "/ecs/driver"},
        None,
        read_only=True,
        console=True,
    )
    oncall = kit.sso("jess.park@fleetlane.io", "PlatformOnCall")
    steps: list[tuple[str, str, Json]] = [
        (
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"alarmNames": ["trip-rollup-jobs-oldest-message"]},
        ),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{qn}", "attributeNames": ["All"]},
        ),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
    ]
    for k, (src, nm, prm) in enumerate(steps):
        tt = onset + timedelta(minutes=6 + 2 * k, seconds=rng.randint(0, 59))
        if tt < now:
            oncall.call(tt, src, nm, prm, None, read_only=True, console=True)

    # --- resources -------------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 700))
    for name in (qn, dlq):
        attrs = {
            "QueueArn": kit.arn("sqs", name),
            "ApproximateNumberOfMessages": str(int(visible.get(floor_min(now), 0))) if name == qn else "0",
            "ApproximateNumberOfMessagesNotVisible": str(max_tasks * 10) if name == qn else "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 30),
            "VisibilityTimeout": "300",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600" if name == qn else "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if name == qn:
            attrs["RedrivePolicy"] = js({"deadLetterTargetArn": kit.arn("sqs", dlq), "maxReceiveCount": 4})
        kit.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{name}",
                "Attributes": attrs,
                "Tags": {"team": "fleet-data", "env": "prod"},
            },
        )
    subnets = [f"subnet-0{kit.hex(16)}" for _ in range(3)]
    kit.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks.get(floor_min(now), 2),
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    cur = tasks.get(floor_min(now), 2)
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [],
            "status": "ACTIVE",
            "desiredCount": desired_at(scale_events, now, min_tasks),
            "runningCount": cur,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": kit.arn("ecs", f"task-definition/{svc}:{rng.randint(40, 80)}"),
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [f"sg-0{kit.hex(16)}"],
                    "assignPublicIp": "DISABLED",
                }
            },
            "enableExecuteCommand": False,
        },
    )
    rid = f"service/{cluster}/{svc}"
    kit.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": min_tasks,
            "MaxCapacity": max_tasks,
            "RoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    for pname, adj, lo, alarm_name in (
        ("trip-rollup-step-out", 4, 0.0, "trip-rollup-scale-out"),
        ("trip-rollup-step-in", -4, None, "trip-rollup-scale-in"),
    ):
        step: Json = {"ScalingAdjustment": adj}
        if lo is not None:
            step["MetricIntervalLowerBound"] = lo
        else:
            step["MetricIntervalUpperBound"] = 0.0
        kit.resource(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": step_out_arn if adj > 0 else step_in_arn,
                "PolicyName": pname,
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "StepScaling",
                "StepScalingPolicyConfiguration": {
                    "AdjustmentType": "ChangeInCapacity",
                    "StepAdjustments": [step],
                    "Cooldown": 300,
                    "MetricAggregationType": "Average",
                },
                "Alarms": [
                    {"AlarmName": alarm_name, "AlarmARN": kit.arn("cloudwatch", f"alarm:{alarm_name}")}
                ],
                "CreationTime": iso(created),
            },
        )
    kit.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn_sched,
            "FunctionArn": kit.arn("lambda", f"function:{fn_sched}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{fn_sched}",
            "Handler": "app.handler",
            "CodeSize": rng.randint(9000, 40000),
            "Description": "Fans out the nightly trip rollup",
            "Timeout": 600,
            "MemorySize": 1024,
            "LastModified": (created + timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": kit.upper_id(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789") + "=",
            "Version": "$LATEST",
            "Environment": {"Variables": {"QUEUE_URL": f"https://sqs.{region}.amazonaws.com/{acct}/{qn}"}},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": kit.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn_sched}"},
        },
    )
    kit.resource(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": "fleet-analytics",
            "DBClusterArn": kit.arn("rds", "cluster:fleet-analytics"),
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.6",
            "Status": "available",
            "MultiAZ": True,
            "DatabaseName": "fleet",
            "MasterUsername": "fleet_admin",
            "Endpoint": f"fleet-analytics.cluster-{kit.hex(12)}.{region}.rds.amazonaws.com",
            "ReaderEndpoint": f"fleet-analytics.cluster-ro-{kit.hex(12)}.{region}.rds.amazonaws.com",
            "Port": 5432,
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": writer,
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": reader,
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "PreferredBackupWindow": "10:00-10:30",
            "PreferredMaintenanceWindow": "sun:11:00-sun:11:30",
            "StorageEncrypted": True,
            "ClusterCreateTime": iso(created),
            "DeletionProtection": True,
            "BackupRetentionPeriod": 7,
            "AllocatedStorage": 1,
        },
    )
    for inst, w in ((writer, True), (reader, False)):
        kit.resource(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": inst,
                "DBInstanceClass": "db.r6g.xlarge",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": "available",
                "DBClusterIdentifier": "fleet-analytics",
                "EngineVersion": "15.6",
                "AvailabilityZone": f"{region}{'a' if w else 'b'}",
                "PubliclyAccessible": False,
                "DBInstanceArn": kit.arn("rds", f"db:{inst}"),
                "StorageEncrypted": True,
                "PromotionTier": 1,
                "InstanceCreateTime": iso(created),
                "MultiAZ": False,
                "AutoMinorVersionUpgrade": True,
            },
        )
    kit.resource(
        "s3",
        "Bucket",
        {"Name": f"fleetlane-trip-rollups-{acct}", "CreationDate": iso(created), "BucketRegion": region},
    )

    # --- manifest ----------------------------------------------------------------------------------------------
    tr = age_alarm.first("ALARM", after=kick_utc[-1])
    local = tr.at.astimezone(TZ)
    clock = local.strftime("%-I:%M") + ("am" if local.hour < 12 else "pm")
    question = (
        f"Got paged at {clock} for trip-rollup-jobs oldest message age. Is the nightly rollup stuck? "
        "Do I need to do anything right now?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": kit.alarm_event(age_alarm, tr),
                "timezone": "America/Denver",
            },
            "truth": {"no_fault": True},
        }
    )
    return Bundle(manifest, kit.records())


def desired_at(events: list[tuple[datetime, int, int, str]], t: datetime, default: int) -> int:
    cur = default
    for at, _old, new, _way in events:
        if at <= t:
            cur = new
    return cur
