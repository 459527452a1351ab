"""Tile render backlog: AWS reclaims the Fargate Spot capacity under an all-Spot ECS queue worker; the tasks
are interrupted and their replacements cannot be placed ("Capacity is unavailable at this time"), so the
render-jobs queue ages although nothing errors and auto scaling keeps raising the desired count."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_u as k

NAME = "tile-render-spot-capacity-reclaimed"
TITLE = "Map tile render queue backing up, workers not keeping up"
SUMMARY = (
    "Fargate Spot capacity is reclaimed from tile-render-worker (capacity provider strategy 100% FARGATE_SPOT); "
    "interrupted tasks cannot be replaced for lack of Spot capacity and the tile-render-jobs queue ages."
)

Json = dict[str, Any]
TZ = "America/Denver"
UNPLACEABLE = (
    "(service tile-render-worker) was unable to place a task. Reason: Capacity is unavailable at this time. "
    "Please try again later or in a different availability zone. For more information, see the "
    "Troubleshooting section of the Amazon ECS Developer Guide."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = ids.account()
    region = rng.choice(["us-west-2", "us-east-1"])
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (0, 1, 2, 3))
    local = datetime(day.year, day.month, day.day, rng.randint(10, 14), rng.randint(0, 59), tzinfo=zone)
    onset = local.astimezone(k.UTC).replace(second=rng.randint(0, 59))
    offset_h = local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = k.floor_minute(onset - timedelta(hours=6, minutes=rng.randint(0, 40)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(55, 75)))
    fine_from = k.floor_minute(onset - timedelta(hours=3))
    pts = k.steps(start, now, fine_from)
    brand = rng.choice(["contourly", "meridian-maps", "trailgrid", "topoline"])
    cluster = "maps-batch"
    svc = "tile-render-worker"
    queue, dlq = "tile-render-jobs", "tile-render-jobs-dlq"
    bucket = f"{brand}-tiles-prod"
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    subnets = [ids.subnet() for _ in azs]
    sg = ids.sg()
    td_rev = rng.randint(40, 140)
    per_task = rng.uniform(175, 205)  # jobs a task renders per minute
    base_in = rng.uniform(650, 820)

    # ---- running tasks over time --------------------------------------------------------------------
    tasks: list[Json] = []  # {id, az, started, stopped|None, reason}
    for i in range(6):
        tasks.append(
            {
                "id": ids.task_id(),
                "az": azs[i % 3],
                "started": start - timedelta(hours=rng.randint(5, 30)),
                "stopped": None,
            }
        )
    survivor = rng.randrange(6)
    for i, tk in enumerate(tasks):
        if i != survivor:
            tk["stopped"] = onset + timedelta(seconds=rng.randint(0, 260))
    replacement = {
        "id": ids.task_id(),
        "az": tasks[survivor]["az"],
        "started": onset + timedelta(minutes=rng.randint(11, 16), seconds=rng.randint(0, 59)),
        "stopped": None,
    }
    replacement["stopped"] = replacement["started"] + timedelta(
        minutes=rng.randint(14, 20), seconds=rng.randint(0, 59)
    )
    if replacement["stopped"] >= now:
        replacement["stopped"] = None
    tasks.append(replacement)

    def running(t: datetime) -> list[Json]:
        return [tk for tk in tasks if tk["started"] <= t and (tk["stopped"] is None or tk["stopped"] > t)]

    # ---- queue model, minute by minute ------------------------------------------------------------
    noise = k.Noise(rng, 0.05, 0.07)
    backlog = rng.uniform(40, 160)
    q: dict[datetime, dict[str, float]] = {}
    desired = 6
    desired_at: list[tuple[datetime, int]] = []
    high_since: datetime | None = None
    last_scale: datetime | None = None
    t = start
    while t < now:
        inflow = max(0.0, base_in * k.diurnal(t, offset_h, 0.35) * noise())
        cap = sum(per_task * rng.uniform(0.9, 1.08) for _ in running(t))
        done = min(backlog + inflow, cap)
        backlog = backlog + inflow - done
        rate = max(inflow, 1.0)
        age = backlog / rate * 60 + rng.uniform(5, 25) if backlog > rate * 0.5 else rng.uniform(4, 40)
        q[t] = {"in": inflow, "done": done, "vis": backlog, "age": age, "run": float(len(running(t)))}
        if backlog > 3000:
            high_since = high_since or t
            if (
                t - high_since >= timedelta(minutes=2)
                and (last_scale is None or t - last_scale >= timedelta(minutes=5))
                and desired < 24
            ):
                desired = min(24, desired + 4)
                last_scale = t
                desired_at.append((t + timedelta(seconds=rng.randint(20, 50)), desired))
        else:
            high_since = None
        q[t]["desired"] = float(desired)
        t += timedelta(minutes=1)

    def window(t0: datetime, step: int) -> list[dict[str, float]]:
        return [q[t0 + timedelta(minutes=i)] for i in range(step) if t0 + timedelta(minutes=i) in q]

    def s_sum(key: str) -> Any:
        def inner(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            return float(round(sum(w[key] for w in ws))) if ws else None

        return inner

    def s_last(key: str) -> Any:
        def inner(t0: datetime, step: int) -> float | None:
            ws = window(t0, step)
            return float(round(ws[-1][key])) if ws else None

        return inner

    metrics: list[Json] = []
    qd = {"QueueName": queue}
    metrics += k.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", pts, s_sum("in"), 0)
    metrics += k.series("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", pts, s_sum("done"), 0)
    metrics += k.series("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", pts, s_sum("done"), 0)
    metrics += k.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", pts, s_last("vis"), 0)
    metrics += k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        pts,
        lambda t0, s: float(round(window(t0, s)[-1]["run"] * rng.uniform(7, 9))) if window(t0, s) else None,
        0,
    )
    metrics += k.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", pts, s_last("age"), 0)
    metrics += k.series("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", pts, lambda t0, s: 0.0, 0)
    metrics += k.series(
        "AWS/SQS", "SentMessageSize", qd, "Bytes", pts, lambda t0, s: rng.uniform(610, 690), 1
    )
    dd = {"QueueName": dlq}
    metrics += k.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, "Count", pts, lambda t0, s: 3.0, 0
    )
    metrics += k.series("AWS/SQS", "NumberOfMessagesSent", dd, "Count", pts, lambda t0, s: 0.0, 0)
    metrics += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dd,
        "Seconds",
        pts,
        lambda t0, s: (t0 - start).total_seconds() + 86400 * 2.3,
        0,
    )
    ed = {"ClusterName": cluster, "ServiceName": svc}
    metrics += k.series(
        "AWS/ECS",
        "CPUUtilization",
        ed,
        "Percent",
        pts,
        lambda t0, s: (
            min(
                99.0,
                58
                + 30 * min(1.0, (window(t0, s)[-1]["done"] / max(window(t0, s)[-1]["run"], 1)) / per_task)
                + rng.uniform(-3, 3),
            )
            if window(t0, s) and window(t0, s)[-1]["run"]
            else None
        ),
    )
    metrics += k.series(
        "AWS/ECS",
        "MemoryUtilization",
        ed,
        "Percent",
        pts,
        lambda t0, s: rng.uniform(46, 52) if window(t0, s) and window(t0, s)[-1]["run"] else None,
    )
    for mname, key in (("RunningTaskCount", "run"), ("DesiredTaskCount", "desired")):
        metrics += k.series("ECS/ContainerInsights", mname, ed, "Count", pts, s_last(key), 0)
    metrics += k.series(
        "ECS/ContainerInsights",
        "PendingTaskCount",
        ed,
        "Count",
        pts,
        lambda t0, s: (
            0.0
            if not window(t0, s)
            else float(
                max(
                    0,
                    int(window(t0, s)[-1]["desired"] - window(t0, s)[-1]["run"])
                    if rng.random() < 0.25
                    else 0,
                )
            )
        ),
        0,
    )
    apid = {"ClusterName": cluster, "ServiceName": "tile-api"}
    metrics += k.series(
        "AWS/ECS",
        "CPUUtilization",
        apid,
        "Percent",
        pts,
        lambda t0, s: 12 + 25 * k.diurnal(t0, offset_h, 0.2) * rng.uniform(0.85, 1.15),
    )
    metrics += k.series(
        "AWS/ECS", "MemoryUtilization", apid, "Percent", pts, lambda t0, s: rng.uniform(33, 36)
    )
    for mname in ("RunningTaskCount", "DesiredTaskCount"):
        metrics += k.series("ECS/ContainerInsights", mname, apid, "Count", pts, lambda t0, s: 3.0, 0)

    # ---- alarms -----------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{account}:maps-oncall"
    scale_out_arn = (
        f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{ids.uuid()}:resource/ecs/service/"
        f"{cluster}/{svc}:policyName/{svc}-scale-out"
    )
    scale_in_arn = scale_out_arn.replace("scale-out", "scale-in")
    specs = [
        k.AlarmSpec(
            account,
            region,
            f"{queue}-oldest-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            60,
            3,
            900,
            "GreaterThanThreshold",
            description="Tile render jobs waiting more than 15 minutes",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{queue}-backlog-high",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            "Average",
            60,
            2,
            3000,
            "GreaterThanThreshold",
            description="Scale out tile-render-worker",
            actions=[scale_out_arn],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{queue}-backlog-low",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            "Average",
            60,
            15,
            400,
            "LessThanThreshold",
            description="Scale in tile-render-worker",
            actions=[scale_in_arn],
            initial="ALARM",
        ),
        k.AlarmSpec(
            account,
            region,
            f"{dlq}-growing",
            "AWS/SQS",
            "NumberOfMessagesSent",
            dd,
            "Sum",
            300,
            1,
            0,
            "GreaterThanThreshold",
            description="Render jobs failing to the DLQ",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{svc}-memory-high",
            "AWS/ECS",
            "MemoryUtilization",
            ed,
            "Average",
            300,
            3,
            85,
            "GreaterThanThreshold",
            description="Render workers close to their memory limit",
            actions=[pager],
        ),
    ]
    for spec in specs:
        spec.evaluate(metrics, start, now, rng, fine_from)
    idx = next(i for i, tr in enumerate(specs[0].transitions) if tr[2] == "ALARM")
    alarm_event = specs[0].event(idx, rng)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[Json] = []
    group = f"/ecs/{svc}"

    def pylog(tk: Json, at: datetime, level: str, logger: str, text: str) -> None:
        stamp = at.strftime("%Y-%m-%d %H:%M:%S,") + f"{at.microsecond // 1000:03d}"
        logs.append(k.log(group, f"worker/{svc}/{tk['id']}", at, f"{stamp} {level} {logger} {text}"))

    for tk in tasks:
        if tk["started"] >= start:
            at = tk["started"] + timedelta(seconds=rng.uniform(2, 6))
            pylog(
                tk,
                at,
                "INFO",
                "tile_worker.main",
                f"starting tile-render-worker 3.{td_rev % 10}.{rng.randint(0, 9)} "
                f"(queue={queue}, concurrency=8, bucket={bucket})",
            )
        t = max(start, tk["started"]) + timedelta(seconds=rng.uniform(55, 65))
        end = tk["stopped"] or now
        while t < min(end, now):
            m = k.floor_minute(t)
            share = q[m]["done"] / max(q[m]["run"], 1) if m in q else per_task
            pylog(
                tk,
                t,
                "INFO",
                "tile_worker.main",
                f"processed {round(share * rng.uniform(0.95, 1.05))} jobs in 60s (p50={rng.randint(240, 330)}ms "
                f"p95={rng.randint(700, 980)}ms errors=0 retries={rng.choice([0, 0, 0, 1])})",
            )
            if rng.random() < 0.01:
                pylog(
                    tk,
                    t + timedelta(seconds=2),
                    "WARNING",
                    "tile_worker.render",
                    f"source raster tile {rng.randint(8, 14)}/{rng.randint(0, 4000)}/{rng.randint(0, 4000)} missing "
                    "elevation band, rendering without hillshade",
                )
            t += timedelta(seconds=rng.uniform(59.5, 60.5))
        if tk["stopped"] is not None and tk["stopped"] < now:
            st = tk["stopped"]
            sig = st - timedelta(seconds=rng.uniform(24, 30))
            pylog(
                tk,
                sig,
                "WARNING",
                "tile_worker.main",
                "received SIGTERM, draining: no new receives, finishing in-flight jobs",
            )
            pylog(
                tk,
                sig + timedelta(seconds=rng.uniform(3, 8)),
                "INFO",
                "tile_worker.main",
                f"drained {rng.randint(3, 8)} in-flight jobs; {rng.randint(0, 3)} returned to queue (visibility reset)",
            )
            pylog(
                tk,
                sig + timedelta(seconds=rng.uniform(9, 12)),
                "INFO",
                "tile_worker.main",
                "shutdown complete",
            )

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(120, 500))
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    run_now = running(now - timedelta(seconds=1))
    svc_events: list[tuple[datetime, str]] = []
    for tk in tasks:
        if tk["stopped"] is not None and tk["stopped"] < now:
            svc_events.append(
                (
                    tk["stopped"] + timedelta(seconds=rng.randint(5, 40)),
                    f"(service {svc}) has stopped 1 running tasks: (task {tk['id']}).",
                )
            )
    svc_events.append(
        (
            replacement["started"] - timedelta(seconds=rng.randint(20, 50)),
            f"(service {svc}) has started 1 tasks: (task {replacement['id']}).",
        )
    )
    t = onset + timedelta(minutes=2, seconds=rng.randint(0, 50))
    while t < now:
        svc_events.append((t, UNPLACEABLE))
        t += timedelta(minutes=rng.randint(5, 9), seconds=rng.randint(0, 59))
    svc_events.append(
        (start + timedelta(minutes=rng.randint(10, 40)), f"(service {svc}) has reached a steady state.")
    )
    svc_events = [e for e in svc_events if start <= e[0] < now]
    item_events = [
        {"id": ids.uuid(), "createdAt": k.iso(w), "message": m_} for w, m_ in sorted(svc_events, reverse=True)
    ]
    final_desired = desired_at[-1][1] if desired_at else 6
    resources: list[Json] = [
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": len(run_now) + 3,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [
                    {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                ],
                "settings": [{"name": "containerInsights", "value": "enabled"}],
            },
        },
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": final_desired,
                "runningCount": len(run_now),
                "pendingCount": 0,
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}],
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 50,
                },
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "createdAt": k.iso(created),
                "events": item_events,
                "schedulingStrategy": "REPLICA",
                "deployments": [
                    {
                        "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": final_desired,
                        "pendingCount": 0,
                        "runningCount": len(run_now),
                        "failedTasks": 0,
                        "createdAt": k.iso(created + timedelta(days=90)),
                        "updatedAt": k.iso(desired_at[-1][0] if desired_at else created + timedelta(days=90)),
                        "capacityProviderStrategy": [
                            {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
                        ],
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
            },
        },
    ]
    api_rev = rng.randint(200, 400)
    api_deploy_t = onset - timedelta(minutes=rng.randint(8, 17), seconds=rng.randint(0, 59))
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/tile-api",
                "serviceName": "tile-api",
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": 3,
                "runningCount": 3,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/tile-api:{api_rev + 1}",
                "createdAt": k.iso(created),
                "events": [
                    {
                        "id": ids.uuid(),
                        "createdAt": k.iso(api_deploy_t + timedelta(minutes=6, seconds=10)),
                        "message": "(service tile-api) has reached a steady state.",
                    }
                ],
            },
        }
    )
    for tk in tasks:
        stopped = tk["stopped"] is not None and tk["stopped"] < now
        if not stopped and tk not in run_now:
            continue
        if stopped and now - tk["stopped"] > timedelta(hours=1):
            continue
        item: Json = {
            "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tk['id']}",
            "clusterArn": cluster_arn,
            "taskDefinitionArn": td_arn,
            "availabilityZone": tk["az"],
            "capacityProviderName": "FARGATE_SPOT",
            "group": f"service:{svc}",
            "startedBy": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
            "cpu": "2048",
            "memory": "4096",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "createdAt": k.iso(tk["started"] - timedelta(seconds=40)),
            "startedAt": k.iso(tk["started"]),
            "connectivity": "CONNECTED",
            "lastStatus": "STOPPED" if stopped else "RUNNING",
            "desiredStatus": "STOPPED" if stopped else "RUNNING",
            "healthStatus": "UNKNOWN",
            "version": 5 if stopped else 3,
            "containers": [
                {
                    "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{tk['id']}/{ids.uuid()}",
                    "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tk['id']}",
                    "name": svc,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{svc}:3.{td_rev % 10}",
                    "lastStatus": "STOPPED" if stopped else "RUNNING",
                    "healthStatus": "UNKNOWN",
                    "cpu": "2048",
                }
            ],
        }
        if stopped:
            item["containers"][0]["exitCode"] = 0
            item.update(
                {
                    "stopCode": "SpotInterruption",
                    "stoppedReason": "Your Spot Task was interrupted.",
                    "stoppingAt": k.iso(tk["stopped"] - timedelta(seconds=28)),
                    "stoppedAt": k.iso(tk["stopped"]),
                    "executionStoppedAt": k.iso(tk["stopped"] - timedelta(seconds=3)),
                }
            )
        resources.append({"service": "ecs", "type": "Task", "item": item})
    for name, vis, red in ((queue, 180, dlq), (dlq, 30, None)):
        resources.append(
            {
                "service": "sqs",
                "type": "Queue",
                "item": k.sqs_queue(
                    account,
                    region,
                    name,
                    created,
                    created + timedelta(days=30),
                    visibility=vis,
                    retention=1209600 if name == dlq else 345600,
                    redrive_to=red,
                    max_receive=4,
                    receive_wait=20,
                    counts=(int(q[max(q)]["vis"]), int(q[max(q)]["run"] * 8), 0)
                    if name == queue
                    else (3, 0, 0),
                    tags={"team": "maps-platform", "env": "prod"},
                ),
            }
        )
    resources.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": bucket,
                "CreationDate": k.iso(created),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{bucket}",
            },
        }
    )
    res_id = f"service/{cluster}/{svc}"
    as_role = f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": res_id,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 6,
                "MaxCapacity": 24,
                "RoleARN": as_role,
                "CreationTime": k.iso(created + timedelta(days=2)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        }
    )
    for pname, arn, adj, alarm in (
        (f"{svc}-scale-out", scale_out_arn, 4, specs[1]),
        (f"{svc}-scale-in", scale_in_arn, -2, specs[2]),
    ):
        resources.append(
            {
                "service": "application-autoscaling",
                "type": "ScalingPolicy",
                "item": {
                    "PolicyARN": arn,
                    "PolicyName": pname,
                    "ServiceNamespace": "ecs",
                    "ResourceId": res_id,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "PolicyType": "StepScaling",
                    "StepScalingPolicyConfiguration": {
                        "AdjustmentType": "ChangeInCapacity",
                        "Cooldown": 300,
                        "MetricAggregationType": "Average",
                        "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": adj}]
                        if adj > 0
                        else [{"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": adj}],
                    },
                    "Alarms": [{"AlarmName": alarm.name, "AlarmARN": alarm.arn}],
                    "CreationTime": k.iso(created + timedelta(days=2)),
                },
            }
        )

    events: list[Json] = []
    for when, d in desired_at:
        if when >= now:
            continue
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ids.uuid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": res_id,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {d}.",
                    "Cause": f"monitor alarm {specs[1].name} in state ALARM triggered policy {svc}-scale-out",
                    "StartTime": k.iso_ms(when),
                    "EndTime": k.iso_ms(when + timedelta(seconds=rng.randint(20, 60))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {d}. Change successfully fulfilled by ecs.",
                },
            }
        )

    # ---- CloudTrail -------------------------------------------------------------------------------
    ct: list[Json] = []
    eng = k.sso_user(
        account,
        ids,
        f"{rng.choice(['nate.alvarez', 'kelsey.ng', 'ravi.menon'])}@{brand}.com",
        "MapsPlatformAdmin",
    )
    viewer = k.sso_user(
        account, ids, f"{rng.choice(['erin.cho', 'pat.rios', 'dana.fox'])}@{brand}.com", "ReadOnlyAccess"
    )
    ci = k.ci_role(
        account, ids, "gha-deploy-tile-api", "GitHubActions", k.GHA_AGENT.format(cmd="ecs.update-service")
    )
    as_linked = k.linked_role(
        account,
        ids,
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        "ecs.application-autoscaling.amazonaws.com",
    )
    as_linked.role_path = "/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    mon = k.workload_role(
        account,
        ids,
        "grafana-cloudwatch-read",
        "grafana",
        ids.public_ip(),
        "aws-sdk-go/1.51.6 (go1.22.1; linux; amd64)",
    )

    def add(*args: Any, **kw: Any) -> Json:
        rec = k.cloudtrail(ids, account, region, *args, **kw)
        ct.append(rec)
        return rec

    for when in k.spread(rng, start, now, 12):
        add(
            when, "monitoring.amazonaws.com", "DescribeAlarms", mon, {"maxRecords": 100}, None, read_only=True
        )
    for when in k.spread(rng, start, now, 6):
        ct.append(
            k.assume_role_by_service(
                ids,
                account,
                region,
                when,
                "ecs-tasks.amazonaws.com",
                f"{svc}-task",
                rng.choice([tk["id"] for tk in tasks]),
            )
        )
    for when in k.spread(rng, start, onset, 3):
        add(
            when,
            "ecs.amazonaws.com",
            "DescribeServices",
            viewer,
            {"cluster": cluster, "services": [svc, "tile-api"]},
            None,
            read_only=True,
        )
    for when, d in desired_at:
        if when < now:
            add(
                when - timedelta(seconds=1),
                "ecs.amazonaws.com",
                "UpdateService",
                as_linked,
                {"cluster": cluster, "service": svc, "desiredCount": d},
                {"service": {"serviceName": svc, "desiredCount": d, "runningCount": len(running(when))}},
            )
    lc_t = onset - timedelta(minutes=rng.randint(18, 28), seconds=rng.randint(0, 59))
    add(
        lc_t - timedelta(seconds=30),
        "s3.amazonaws.com",
        "GetBucketLifecycle",
        eng,
        {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "lifecycle": ""},
        None,
        read_only=True,
    )
    add(
        lc_t,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        eng,
        {
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "expire-noncurrent-tiles",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "tiles/"},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": "7"},
                    },
                    {
                        "ID": "abort-mpu",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "3"},
                    },
                ],
            },
        },
        None,
    )
    add(
        api_deploy_t - timedelta(seconds=15),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "tile-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {"taskDefinition": {"family": "tile-api", "revision": api_rev + 1, "status": "ACTIVE"}},
    )
    add(
        api_deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {"cluster": cluster, "service": "tile-api", "taskDefinition": f"tile-api:{api_rev + 1}"},
        {
            "service": {
                "serviceName": "tile-api",
                "desiredCount": 3,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/tile-api:{api_rev + 1}",
            }
        },
    )
    add(
        onset + timedelta(minutes=rng.randint(22, 30)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        eng,
        {"queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{queue}", "attributeNames": ["All"]},
        None,
        read_only=True,
    )
    add(
        onset + timedelta(minutes=rng.randint(31, 36)),
        "ecs.amazonaws.com",
        "ListTasks",
        eng,
        {"cluster": cluster, "serviceName": svc, "desiredStatus": "STOPPED"},
        None,
        read_only=True,
    )
    ct = k.sort_records(ct)

    local_onset = onset.astimezone(zone)
    clock = (local_onset - timedelta(minutes=local_onset.minute % 5)).strftime("%-I:%M%p").lower()
    question = (
        f"tile-render-jobs age alarm paged me. Renders have been falling behind since roughly {clock}; "
        "the workers aren't logging any errors and autoscaling says it's scaling out. Why isn't it catching up?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": alarm_event, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": svc,
                    "category": "system_change",
                    "failure_mode": "fargate-spot-capacity-reclaimed",
                    "event_id": None,
                },
                "also_accept": [svc_arn, "FARGATE_SPOT"],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"AWS reclaims Fargate Spot capacity: {svc} tasks stopped with SpotInterruption",
                    f"replacements cannot be placed (Capacity is unavailable) because {svc} runs 100% on FARGATE_SPOT",
                    f"running tasks fall from 6 to {min(int(v['run']) for v in q.values())}; scale-outs raise desiredCount but nothing is placed",
                    f"{queue} backlog and oldest-message age grow; {queue}-oldest-age alarm",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [s.item() for s in specs],
            "alarm_history": [h for s in specs for h in s.history()],
            "logs": k.sort_logs(logs),
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
