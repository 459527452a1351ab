"""Evening final exam: submissions fail as learn-api scales out and Aurora runs out of connection slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzf import (
    REGION,
    Ctx,
    alb_minute,
    background_trail,
    cloudfront_minute,
    crossing_reason,
    deploy_records,
    ecs_event,
    ecs_minute,
    finish,
    iso,
    lb_totals,
    local_clock,
    minutes,
    ms,
    platform,
    rds_minute,
    reason_data,
    task_id,
)

NAME = "final-exam-submissions-failing"
TITLE = "Final exam submissions erroring for many students in the evening; learn-api 5xx alarm"
SUMMARY = "An evening exam scales learn-api out from 6 to 14 tasks; each task's SQLAlchemy pools grow under slow queries until the Aurora writer (db.r6g.large) hits max_connections and refuses new sessions."

CAP = 1660


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    zone = "America/New_York"
    local_day = ctx.day.astimezone(ZoneInfo(zone)).date()
    exam = datetime(local_day.year, local_day.month, local_day.day, 19, 0, tzinfo=ZoneInfo(zone)).astimezone(
        UTC
    )
    onset = exam + timedelta(minutes=r.randint(4, 9), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(15, 30))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(36, 48))).replace(second=0)
    svc = "bp-learn-api"
    tg = "bp-learn-api-tg"
    a = ctx.account
    # task counts over time (application auto scaling, target tracking on CPU)
    steps = [
        (start, 6),
        (exam - timedelta(minutes=r.randint(9, 13)), 8),
        (exam - timedelta(minutes=r.randint(2, 4)), 11),
        (exam + timedelta(minutes=r.randint(2, 3)), 14),
    ]
    final = 14
    revs = {svc: r.randint(140, 190), "bp-web": r.randint(300, 420), "bp-progress-api": r.randint(60, 99)}
    t_prog = onset - timedelta(hours=1, minutes=r.randint(10, 40))
    deployed = {
        svc: ctx.day - timedelta(days=2),
        "bp-web": ctx.day - timedelta(days=1),
        "bp-progress-api": t_prog,
    }
    platform(ctx, {svc: final, "bp-web": 6, "bp-progress-api": 3}, revs, deployed)
    ctx.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": "default.aurora-postgresql15",
            "ParameterName": "max_connections",
            "ParameterValue": "LEAST({DBInstanceClassMemory/9531392},5000)",
            "Description": "Sets the maximum number of concurrent connections.",
            "Source": "system",
            "ApplyType": "static",
            "DataType": "integer",
            "AllowedValues": "6-262143",
            "IsModifiable": True,
            "ApplyMethod": "pending-reboot",
        },
    )
    role = f"arn:aws:iam::{a}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    rid = f"service/{ctx.cluster}/{svc}"
    ctx.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 6,
            "MaxCapacity": 20,
            "RoleARN": role,
            "CreationTime": iso(ctx.day - timedelta(days=300)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    alarm_suffix = ctx.uuid()
    ctx.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{REGION}:{a}:scalingPolicy:{ctx.uuid()}:resource/ecs/{rid}:policyName/learn-api-cpu-target",
            "PolicyName": "learn-api-cpu-target",
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 55.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 120,
                "ScaleInCooldown": 300,
            },
            "Alarms": [
                {
                    "AlarmName": f"TargetTracking-{rid}-AlarmHigh-{alarm_suffix}",
                    "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{a}:alarm:TargetTracking-{rid}-AlarmHigh-{alarm_suffix}",
                },
            ],
            "CreationTime": iso(ctx.day - timedelta(days=300)),
        },
    )

    # --- CloudTrail ------------------------------------------------------------------------------------------
    background_trail(ctx, start, now, 36)
    gha = ctx.role("bp-github-deploy", "GitHubActions")
    deploy_records(ctx, t_prog, "bp-progress-api", revs["bp-progress-api"], gha, 3)
    aas = ctx.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "application-autoscaling.amazonaws.com",
    )
    for i, (t, n) in enumerate(steps[1:], start=1):
        prev = steps[i - 1][1]
        ctx.ct(
            t,
            "ecs.amazonaws.com",
            "UpdateService",
            aas,
            {"cluster": ctx.cluster, "service": svc, "desiredCount": n},
            {"service": {"serviceName": svc, "desiredCount": n, "status": "ACTIVE"}},
        )
        ctx.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ctx.uuid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {n}.",
                    "Cause": f"monitor alarm TargetTracking-{rid}-AlarmHigh-{alarm_suffix} in state ALARM triggered policy learn-api-cpu-target",
                    "StartTime": iso(t),
                    "EndTime": iso(t + timedelta(seconds=r.randint(20, 50))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                },
            }
        )
        new_ids = [task_id(ctx) for _ in range(n - prev)]
        ecs_event(
            ctx,
            svc,
            t + timedelta(seconds=r.randint(5, 15)),
            f"(service {svc}) has started {n - prev} tasks: "
            + " ".join(f"(task {x})" for x in new_ids)
            + ".",
        )
        ecs_event(ctx, svc, t + timedelta(minutes=2), f"(service {svc}) has reached a steady state.")
    teacher = ctx.sso("amira.haddad@brightpath.io", "ContentOps")
    ctx.ct(
        exam - timedelta(minutes=r.randint(25, 40)),
        "cloudfront.amazonaws.com",
        "CreateInvalidation",
        teacher,
        {
            "distributionId": ctx.dist_id,
            "invalidationBatch": {
                "paths": {"quantity": 1, "items": ["/courses/bio-101/final/*"]},
                "callerReference": f"console-{ms(exam)}",
            },
        },
        {
            "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{ctx.dist_id}/invalidation/I{ctx.upper(13)}",
            "invalidation": {
                "id": f"I{ctx.upper(13)}",
                "status": "InProgress",
                "createTime": iso(exam - timedelta(minutes=30)),
            },
        },
        console=True,
    )
    dev = ctx.sso("jonah.pike@brightpath.io", "Developer")
    ctx.ct(
        onset - timedelta(minutes=r.randint(2, 6)),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        dev,
        {"secretId": "bp/prod/learn-api/db"},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(8, 14)),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        dev,
        {"dBInstanceIdentifier": ctx.db_writer},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(15, 20)),
        "ecs.amazonaws.com",
        "DescribeServices",
        dev,
        {"cluster": ctx.cluster, "services": [svc]},
        None,
        read_only=True,
        console=True,
    )

    # --- metrics ------------------------------------------------------------------------------------------------
    def tasks_at(m: datetime) -> int:
        n = steps[0][1]
        for t, c in steps:
            if t + timedelta(seconds=70) <= m:
                n = c
        return n

    def exam_load(m: datetime) -> float:
        mins = (m - exam).total_seconds() / 60
        if mins < -30:
            return 1.0
        if mins < 0:
            return 1.0 + 2.2 * (mins + 30) / 30
        return 3.2 + 0.4 * min(1.0, mins / 20)

    errors_log: list[datetime] = []
    for m in minutes(start, now):
        load = exam_load(m) * r.uniform(0.95, 1.05)
        n = tasks_at(m)
        after = m >= onset.replace(second=0)
        base_conns = 150 + 22 * n + 85 * max(0.0, load - 1.0) * n / 6
        ramp_from = exam - timedelta(minutes=10)
        if m >= ramp_from and not after:
            frac = (m - ramp_from).total_seconds() / (onset - ramp_from).total_seconds()
            base_conns += (CAP - base_conns) * frac**1.6
        conns = (
            min(float(CAP), base_conns * r.uniform(0.98, 1.0))
            if not after
            else CAP - r.choice([0, 0, 1, 2, 3])
        )
        req = int(1500 * load)
        t5 = int(req * r.uniform(0.07, 0.16)) if after else r.randint(0, 3)
        if after:
            errors_log.append(m)
        alb_minute(
            ctx,
            m,
            tg,
            req,
            target_5xx=t5,
            healthy=n,
            median=(0.09 if not after else 0.8) * (1 + 0.1 * load),
            tail=30.0 if after else 5.0,
        )
        wreq = int(1100 * load * r.uniform(0.95, 1.05))
        alb_minute(
            ctx, m, "bp-web-tg", wreq, target_5xx=int(t5 * 0.3) + r.randint(0, 2), healthy=6, median=0.15
        )
        preq = int(450 * load * r.uniform(0.9, 1.1))
        alb_minute(
            ctx,
            m,
            "bp-progress-api-tg",
            preq,
            target_5xx=(int(preq * 0.02) if after else 0) + r.randint(0, 1),
            healthy=3,
            median=0.05,
        )
        lb_totals(ctx, m, req + wreq + preq, int((req + wreq + preq) * 0.5))
        cpu_task = min(92.0, 30 * load * 6 / n * r.uniform(0.92, 1.08))
        ecs_minute(
            ctx, m, svc, cpu_task * (0.75 if after else 1.0), 48 + 10 * (conns / CAP) + r.uniform(-2, 2)
        )
        ecs_minute(ctx, m, "bp-web", 20 * load * r.uniform(0.9, 1.1), 60 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-progress-api", 11 * load * r.uniform(0.9, 1.1), 41 + r.uniform(-2, 2))
        rds_minute(
            ctx,
            m,
            ctx.db_writer,
            min(78.0, 18 * load * r.uniform(0.92, 1.08) + (6 if after else 0)),
            conns,
            read_iops=400 * load,
        )
        rds_minute(
            ctx, m, ctx.db_reader, 14 * load * r.uniform(0.9, 1.1), 70 + 12 * load, lag=r.uniform(15, 40)
        )
        cloudfront_minute(
            ctx, m, int((req + wreq) * 4.5), (t5 / max(1, req + wreq) * 100 * 0.4), r.uniform(0.6, 1.2)
        )

    # --- logs ------------------------------------------------------------------------------------------------------
    group = f"/ecs/{svc}"
    streams = [f"ecs/learn-api/{task_id(ctx)}" for _ in range(final)]
    paths = [
        "/v1/quizzes/{q}/attempts/{a}/answers",
        "/v1/quizzes/{q}/attempts/{a}/submit",
        "/v1/courses/{c}/lessons/{l}",
        "/v1/me/enrolments",
    ]
    t = start
    while t < now:
        n = tasks_at(t)
        s = streams[r.randrange(n)]
        p = r.choice(paths).format(
            q=r.randint(100, 999), a=r.randint(10**5, 10**6), c=r.randint(100, 999), l=r.randint(1000, 9999)
        )
        meth = "POST" if "attempts" in p else "GET"
        after = t >= onset
        if after and r.random() < 0.45:
            if r.random() < 0.6:
                err = 'sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at "{h}" ({ip}), port 5432 failed: FATAL:  remaining connection slots are reserved for non-replication superuser and rds_superuser connections'
            else:
                err = "sqlalchemy.exc.TimeoutError: QueuePool limit of size 20 overflow 30 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)"
            ctx.log(
                group,
                s,
                t,
                f'{{"level":"error","logger":"app.api","msg":"unhandled exception","path":"{p}","method":"{meth}","request_id":"{ctx.uuid()}","exc":"{err.format(h=ctx.db_cluster + ".cluster-internal", ip="10.20.48.17").replace(chr(34), chr(39))}"}}',
            )
            ctx.log(
                group,
                s,
                t + timedelta(milliseconds=r.randint(2, 40)),
                f'INFO:     10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}:{r.randint(20000, 60000)} - "{meth} {p} HTTP/1.1" 500 Internal Server Error',
            )
        else:
            ctx.log(
                group,
                s,
                t,
                f'INFO:     10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}:{r.randint(20000, 60000)} - "{meth} {p} HTTP/1.1" 200 OK',
            )
        t += timedelta(seconds=r.uniform(4, 12) if t < exam - timedelta(minutes=20) else r.uniform(0.6, 2.0))
    for s in streams:
        ctx.log(
            group,
            s,
            start + timedelta(seconds=r.randint(1, 3000)),
            '{"level":"info","logger":"app.db","msg":"database pool ready","pool_size":20,"max_overflow":30,"workers":4}',
        )
    # Aurora's PostgreSQL log for the writer
    lines: list[str] = []
    t = onset
    while t < now:
        ip = f"10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}"
        stamp = t.strftime("%Y-%m-%d %H:%M:%S UTC")
        msg = r.choice(
            [
                "FATAL:  remaining connection slots are reserved for non-replication superuser and rds_superuser connections",
                "FATAL:  remaining connection slots are reserved for non-replication superuser and rds_superuser connections",
                "FATAL:  sorry, too many clients already",
            ]
        )
        lines.append(
            f"{stamp}:{ip}({r.randint(30000, 60000)}):learn_app@brightpath:[{r.randint(20000, 90000)}]:{msg}"
        )
        t += timedelta(seconds=r.uniform(0.5, 4))
    pre: list[str] = []
    t = start
    while t < onset:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S UTC")
        pre.append(f"{stamp}::@:[{r.randint(500, 900)}]:LOG:  checkpoint starting: time")
        pre.append(
            f"{(t + timedelta(seconds=r.randint(20, 140))).strftime('%Y-%m-%d %H:%M:%S UTC')}::@:[{r.randint(500, 900)}]:LOG:  checkpoint complete: wrote {r.randint(900, 9000)} buffers ({r.uniform(0.1, 1.5):.1f}%); 0 WAL file(s) added, 0 removed, {r.randint(1, 9)} recycled; write={r.uniform(20, 140):.3f} s, sync=0.004 s, total={r.uniform(20, 140):.3f} s"
        )
        t += timedelta(minutes=5)
    hour_file = f"error/postgresql.log.{onset.strftime('%Y-%m-%d-%H')}00"
    ctx.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": ctx.db_writer,
            "LogFileName": hour_file,
            "LastWritten": ms(now),
            "Size": sum(len(x) + 1 for x in pre + lines),
            "Data": "\n".join(pre[-6:] + lines[:400]) + "\n",
        },
    )

    # --- alarms ------------------------------------------------------------------------------------------------------
    al = ctx.alarm(
        "bp-learn-api-target-5xx",
        "learn-api returning 5xx to the ALB. Owner: learning-core",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": ctx.tg_dim(tg), "LoadBalancer": ctx.alb_dim},
        "Sum",
        100.0,
        "GreaterThanThreshold",
        evals=3,
    )
    fire = (onset + timedelta(minutes=3)).replace(second=r.randint(5, 55))
    recent = [float(r.randint(300, 900)) for _ in range(3)]
    reason = crossing_reason(al, recent, fire)
    data = reason_data(al, fire, recent)
    al.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(fire),
        StateTransitionedTimestamp=iso(fire),
    )
    ctx.transition(al, fire, "OK", "ALARM", reason, data)
    hi = ctx.alarm(
        f"TargetTracking-{rid}-AlarmHigh-{alarm_suffix}",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:...:policyName/learn-api-cpu-target.",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": ctx.cluster, "ServiceName": svc},
        "Average",
        55.0,
        "GreaterThanThreshold",
        evals=3,
        missing="missing",
    )
    hi.update(
        OKActions=[],
        AlarmActions=[
            f"arn:aws:autoscaling:{REGION}:{a}:scalingPolicy:{ctx.uuid()}:resource/ecs/{rid}:policyName/learn-api-cpu-target"
        ],
    )
    for t, _ in steps[1:]:
        rec = [round(r.uniform(58, 80), 2) for _ in range(3)]
        ctx.transition(
            hi,
            t - timedelta(seconds=10),
            "OK",
            "ALARM",
            crossing_reason(hi, rec, t - timedelta(seconds=10)),
            reason_data(hi, t - timedelta(seconds=10), rec),
        )
        t2 = t + timedelta(minutes=3)
        rec2 = [round(r.uniform(40, 54), 2) for _ in range(3)]
        ctx.transition(
            hi, t2, "ALARM", "OK", crossing_reason(hi, rec2, t2, alarming=False), reason_data(hi, t2, rec2)
        )
    ctx.alarm(
        "bp-aurora-writer-cpu-high",
        "Aurora writer CPU",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        period=300,
        evals=3,
    )
    ctx.alarm(
        "bp-cloudfront-5xx-rate",
        "CloudFront 5xx error rate for learn.brightpath.io",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": ctx.dist_id, "Region": "Global"},
        "Average",
        5.0,
        "GreaterThanThreshold",
        period=300,
        evals=2,
    )
    ctx.alarm(
        "bp-aurora-replica-lag",
        "Aurora reader lag",
        "AWS/RDS",
        "AuroraReplicaLag",
        {"DBInstanceIdentifier": ctx.db_reader},
        "Maximum",
        2000.0,
        "GreaterThanThreshold",
        evals=5,
    )

    question = (
        f"BIO 101 final opened at 7pm and since about {local_clock(onset, zone)} students are emailing that 'Submit answer' fails "
        "with an error and sometimes the page just hangs. learn-api already scaled up to handle the load, so what is going on?"
    )
    return finish(
        ctx,
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": ctx.alarm_event(al, fire, reason, data, ctx.day),
                "timezone": zone,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": ctx.db_writer,
                    "category": "limit",
                    "failure_mode": "db-max-connections-exhausted",
                },
                "also_accept": [
                    ctx.db_cluster,
                    f"arn:aws:rds:{REGION}:{a}:db:{ctx.db_writer}",
                    f"arn:aws:rds:{REGION}:{a}:cluster:{ctx.db_cluster}",
                ],
                "actions": ["scale", "reconfigure"],
                "chain": [ctx.db_writer, svc, tg, ctx.alb_name],
            },
        },
    )
