"""Tournament traffic meets a provisioned Kinesis stream's per-shard write ceiling; the ingest API sheds load."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzb import (
    Kit,
    alb,
    ecs_cluster,
    ecs_service,
    iso,
    iso_ms,
    lb_dim,
    log_group,
    reason_data,
    target_group,
    task_definition,
    tg_dim,
)

NAME = "match-events-stream-write-ceiling"
TITLE = "Ranked match results not counting since the Saturday cup kicked off; ingest 5xx alarm"
SUMMARY = (
    "Cup traffic pushed PutRecords past the per-shard write limit of a provisioned Kinesis stream; "
    "the ingest service's retry buffer filled and it answered 503s, while an earlier scale-out was innocent"
)


def build(seed: int) -> Bundle:
    account = "4" + str(600000000000 + seed * 7919 % 99999999999)[1:12]
    k = Kit(seed, NAME, account[:12], "eu-west-1")
    r = k.r
    day = datetime(2026, 1, 10, tzinfo=UTC) + timedelta(days=7 * r.randint(0, 9))  # Saturdays, GMT
    onset = day.replace(hour=r.choice([18, 19]), minute=0)
    start = onset - timedelta(hours=3, minutes=25)
    now = onset + timedelta(minutes=r.randint(38, 50))
    shards = r.choice([4, 4, 6])
    cap_min = shards * 1000 * 60
    base = cap_min * r.uniform(0.45, 0.52)
    surge = r.uniform(2.0, 2.3)
    avg_bytes = r.randint(560, 700)
    stream = "match-events"
    stream_arn = f"arn:aws:kinesis:{k.region}:{k.account}:stream/{stream}"
    vpc = "vpc-" + k.hex(17)
    subnets = [
        ("eu-west-1a", "subnet-" + k.hex(17)),
        ("eu-west-1b", "subnet-" + k.hex(17)),
        ("eu-west-1c", "subnet-" + k.hex(17)),
    ]
    sg_alb, sg_ingest, sg_worker = ("sg-" + k.hex(17) for _ in range(3))
    cluster = "arena-prod"
    topic = f"arn:aws:sns:{k.region}:{k.account}:arena-oncall"

    def demand(t: datetime) -> float:
        hour = (t - start).total_seconds() / 3600
        d = base * (1 + 0.05 * math.sin(hour * 1.3)) * (1 + 0.08 * hour)
        if t >= onset:
            ramp = min(1.0, (t - onset).total_seconds() / 300)
            d *= 1 + (surge - 1) * ramp
        elif t >= onset - timedelta(minutes=20):
            d *= 1 + 0.15 * (1 - (onset - t).total_seconds() / 1200)
        return k.noise(d, 0.03)

    ceiling = cap_min * r.uniform(0.9, 0.94)  # uneven keys: hot shards throttle before the sum reaches 100%

    # ---- resources -------------------------------------------------------------------------------
    created = day - timedelta(days=r.randint(300, 700))
    k.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": stream,
            "StreamARN": stream_arn,
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": shards,
            "ConsumerCount": 0,
        },
    )
    span = 2**128
    for i in range(shards):
        lo = span * i // shards
        hi = span * (i + 1) // shards - 1
        k.res(
            "kinesis",
            "StreamShard",
            {
                "StreamName": stream,
                "ShardId": f"shardId-{i:012d}",
                "HashKeyRange": {"StartingHashKey": str(lo), "EndingHashKey": str(hi)},
                "SequenceNumberRange": {
                    "StartingSequenceNumber": str(
                        49540000000000000000000000000000000000000000000000000000
                        + i * 10**30
                        + r.randint(10**20, 10**21)
                    )
                },
            },
        )
    lb = alb(k, "arena-ingest-prod", vpc, sg_alb, created, subnets)
    tg = target_group(k, "event-ingest-tg", vpc, lb["LoadBalancerArn"], 8080, "/healthz")
    k.res("elbv2", "LoadBalancer", lb)
    k.res("elbv2", "TargetGroup", tg)
    k.res("ecs", "Cluster", ecs_cluster(k, cluster, 4, 0))
    ingest_desired_old, ingest_desired = 6, 12
    scale_t = onset - timedelta(minutes=r.randint(55, 80))
    worker_rev = r.randint(40, 90)
    worker_deploy = onset - timedelta(minutes=r.randint(18, 30))
    ingest_rev = r.randint(20, 60)
    ingest_svc = ecs_service(
        k,
        cluster,
        "event-ingest",
        "event-ingest",
        ingest_rev,
        ingest_desired,
        created,
        scale_t,
        [s for _, s in subnets],
        sg_ingest,
        tg["TargetGroupArn"],
    )
    k.res("ecs", "Service", ingest_svc)
    worker_svc = ecs_service(
        k,
        cluster,
        "leaderboard-updater",
        "leaderboard-updater",
        worker_rev,
        3,
        created,
        worker_deploy,
        [s for _, s in subnets],
        sg_worker,
    )
    k.res("ecs", "Service", worker_svc)
    k.res(
        "ecs",
        "Service",
        ecs_service(
            k,
            cluster,
            "matchmaking-api",
            "matchmaking-api",
            r.randint(100, 200),
            4,
            created,
            day - timedelta(days=2),
            [s for _, s in subnets],
            sg_ingest,
        ),
    )
    k.res(
        "ecs",
        "TaskDefinition",
        task_definition(
            k,
            "event-ingest",
            ingest_rev,
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/event-ingest:v2.{r.randint(10, 30)}.{r.randint(0, 9)}",
            "1024",
            "2048",
            [
                ("KINESIS_STREAM", stream),
                ("PUT_BATCH_SIZE", "500"),
                ("MAX_BUFFERED_RECORDS", "20000"),
                ("PUT_MAX_RETRIES", "3"),
            ],
            day - timedelta(days=r.randint(9, 30)),
            "event-ingest-task",
        ),
    )
    k.res(
        "ecs",
        "TaskDefinition",
        task_definition(
            k,
            "leaderboard-updater",
            worker_rev,
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/leaderboard-updater:{k.hex(7)}",
            "1024",
            "3072",
            [
                ("KINESIS_STREAM", stream),
                ("KCL_APPLICATION_NAME", "leaderboard-updater"),
                ("SCORES_TABLE", "leaderboard-scores"),
            ],
            worker_deploy - timedelta(minutes=3),
            "leaderboard-updater-task",
            None,
        ),
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "leaderboard-scores",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/leaderboard-scores",
            "TableId": k.uuid(),
            "KeySchema": [
                {"AttributeName": "season_ladder", "KeyType": "HASH"},
                {"AttributeName": "player_id", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "season_ladder", "AttributeType": "S"},
                {"AttributeName": "player_id", "AttributeType": "S"},
            ],
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "CreationDateTime": iso(created),
            "ItemCount": r.randint(3_000_000, 9_000_000),
            "TableSizeBytes": r.randint(10**9, 4 * 10**9),
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "leaderboard-updater",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/leaderboard-updater",
            "KeySchema": [{"AttributeName": "leaseKey", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "leaseKey", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "CreationDateTime": iso(created),
            "ItemCount": shards,
            "TableSizeBytes": 1800 + shards * 310,
        },
    )
    for g in ("/ecs/event-ingest", "/ecs/leaderboard-updater", "/ecs/matchmaking-api"):
        k.res("logs", "LogGroup", log_group(k, g, created))

    # ---- metrics -----------------------------------------------------------------------------------
    t = start
    ns = "AWS/Kinesis"
    sdim = {"StreamName": stream}
    lbd = {"LoadBalancer": lb_dim(lb["LoadBalancerArn"])}
    tgd = {"LoadBalancer": lb_dim(lb["LoadBalancerArn"]), "TargetGroup": tg_dim(tg["TargetGroupArn"])}
    svc_dims = {"ClusterName": cluster, "ServiceName": "event-ingest"}
    buffer = 0.0
    shed_by_min: dict[datetime, float] = {}
    fivexx_by_min: dict[datetime, float] = {}
    throttled_by_min: dict[datetime, float] = {}
    while t < now:
        d = demand(t)
        ceiling_t = k.noise(ceiling, 0.02)
        accepted = min(d + buffer * 0.3, ceiling_t)
        backlog = max(0.0, d + buffer * 0.3 - ceiling_t)
        attempts = d + buffer * 0.3 + backlog * 1.6
        throttled = attempts - accepted
        if t < onset and r.random() < 0.04:
            throttled = float(r.randint(3, 90))  # an odd hot-key burst, retried successfully
            attempts += throttled
        buffer = min(20000 * ingest_desired * 1.0, buffer * 0.7 + backlog)
        shed = max(0.0, d - ceiling_t) * 0.85 if t >= onset + timedelta(minutes=4) else 0.0
        shed_by_min[t] = shed
        throttled_by_min[t] = throttled
        calls = attempts / r.uniform(180, 260)
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "IncomingRecords",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(accepted),
                    "Minimum": 1.0,
                    "Maximum": 500.0,
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "IncomingBytes",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Bytes",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(accepted * avg_bytes),
                    "Minimum": float(avg_bytes // 2),
                    "Maximum": float(500 * avg_bytes * 1.4),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "PutRecords.TotalRecords",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(attempts),
                    "Minimum": 1.0,
                    "Maximum": 500.0,
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "PutRecords.SuccessfulRecords",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(attempts - throttled),
                    "Minimum": 0.0,
                    "Maximum": 500.0,
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "PutRecords.ThrottledRecords",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(throttled),
                    "Minimum": 0.0,
                    "Maximum": float(min(500, round(throttled))),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "PutRecords.FailedRecords",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {"SampleCount": round(calls), "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0},
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "WriteProvisionedThroughputExceeded",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(throttled),
                    "Minimum": 0.0,
                    "Maximum": float(min(500, round(throttled))),
                },
            }
        )
        lat = k.noise(22, 0.2) + (18 if throttled > 1000 else 0)
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "PutRecords.Latency",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": round(calls),
                    "Sum": round(lat * round(calls), 1),
                    "Minimum": 6.0,
                    "Maximum": round(lat * 6, 1),
                },
            }
        )
        reads = max(1, shards * 60)
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "GetRecords.Records",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": reads,
                    "Sum": round(accepted),
                    "Minimum": 0.0,
                    "Maximum": float(min(10000, round(accepted / reads * 3))),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "GetRecords.IteratorAgeMilliseconds",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": reads,
                    "Sum": round(reads * k.noise(450, 0.3)),
                    "Minimum": 0.0,
                    "Maximum": round(k.noise(1400, 0.4)),
                },
            }
        )
        k.metrics.append(
            {
                "namespace": ns,
                "metric": "ReadProvisionedThroughputExceeded",
                "dimensions": sdim,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {"SampleCount": reads, "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0},
            }
        )
        # ALB
        per_req = r.uniform(11, 13)
        reqs = d / per_req
        fivexx = shed / per_req
        fivexx_by_min[t] = float(round(fivexx))
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": lbd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(reqs),
            }
        )
        if fivexx >= 1:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": lbd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(fivexx),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(fivexx),
                }
            )
        elif r.random() < 0.1:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": 1.0,
                }
            )
        four = reqs * r.uniform(0.002, 0.004)
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HTTPCode_Target_4XX_Count",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(four),
            }
        )
        trt = k.noise(0.011, 0.15) + (min(0.35, backlog / 400000) if t >= onset else 0)
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "TargetResponseTime",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Seconds",
                "statistic_values": {
                    "SampleCount": round(reqs),
                    "Sum": round(trt * reqs, 2),
                    "Minimum": 0.002,
                    "Maximum": round(trt * 9 + 0.05, 3),
                },
            }
        )
        tasks = ingest_desired if t >= scale_t + timedelta(minutes=3) else ingest_desired_old
        healthy = float(tasks)
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "HealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": healthy,
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "UnHealthyHostCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 0.0,
            }
        )
        cpu = (d / 60000) / tasks * 8.5 + (4 if throttled > 1000 else 0)
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": svc_dims,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(cpu, 0.08), 2),
            }
        )
        mem = 24 + min(60.0, buffer / tasks / 20000 * 55)
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "MemoryUtilization",
                "dimensions": svc_dims,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(mem, 0.03), 2),
            }
        )
        wd = {"ClusterName": cluster, "ServiceName": "leaderboard-updater"}
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(accepted / ceiling * 48, 0.07), 2),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "MemoryUtilization",
                "dimensions": wd,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(61, 0.03), 2),
            }
        )
        tbl = {"TableName": "leaderboard-scores"}
        k.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": tbl,
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(accepted / 40),
                    "Sum": round(accepted / 9),
                    "Minimum": 1.0,
                    "Maximum": 4.0,
                },
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "SuccessfulRequestLatency",
                "dimensions": {"TableName": "leaderboard-scores", "Operation": "BatchWriteItem"},
                "timestamp": iso(t),
                "unit": "Milliseconds",
                "statistic_values": {
                    "SampleCount": round(accepted / 400),
                    "Sum": round(accepted / 400 * k.noise(7.5, 0.1), 1),
                    "Minimum": 2.9,
                    "Maximum": round(k.noise(38, 0.3), 1),
                },
            }
        )
        mm = {"ClusterName": cluster, "ServiceName": "matchmaking-api"}
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": mm,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(31 + (14 if t >= onset else 0), 0.1), 2),
            }
        )
        t += timedelta(minutes=1)

    # ---- alarms ------------------------------------------------------------------------------------
    alarm_cfg = day - timedelta(days=r.randint(60, 200))
    a5 = k.alarm(
        "event-ingest-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        200.0,
        "GreaterThanThreshold",
        description="event-ingest returning 5xx to game clients. Runbook: wiki/arena/runbooks/event-ingest",
        topic=topic,
        treat_missing="notBreaching",
        updated=alarm_cfg,
    )
    a5["StateReason"] = (
        "Threshold Crossed: 3 datapoints [0.0 ("
        + (onset - timedelta(hours=2)).strftime("%d/%m/%y %H:%M:%S")
        + "), 0.0, 0.0] were not greater than the threshold (200.0)."
    )
    breach = [m for m in sorted(fivexx_by_min) if fivexx_by_min[m] > 200]
    fire_at = None
    for i in range(2, len(breach)):
        if breach[i] - breach[i - 2] == timedelta(minutes=2):
            fire_at = breach[i]
            break
    if fire_at is None:
        raise RuntimeError("the 5xx alarm never breached")
    pts = [fivexx_by_min[fire_at - timedelta(minutes=j)] for j in (0, 1, 2)]
    fire_t = fire_at + timedelta(minutes=1, seconds=r.randint(20, 50))
    prev_reason, prev_t = (
        a5["StateReason"],
        datetime.fromisoformat(a5["StateUpdatedTimestamp"].replace("Z", "+00:00")),
    )
    stamps = ", ".join(
        f"{p} ({(fire_at - timedelta(minutes=j)).strftime('%d/%m/%y %H:%M:%S')})" for j, p in enumerate(pts)
    )
    k.transition(
        a5,
        fire_t,
        "ALARM",
        f"Threshold Crossed: 3 datapoints [{stamps}] were greater than the threshold (200.0).",
        reason_data("Sum", 60, fire_t, pts, 200.0, fire_at - timedelta(minutes=2)),
    )
    alarm_event = k.alarm_event(a5, fire_t, "OK", prev_reason, prev_t)

    amm = k.alarm(
        "matchmaking-api-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb_dim(lb["LoadBalancerArn"]).replace("arena-ingest-prod", "arena-api-prod")},
        "Average",
        60,
        5,
        0.8,
        "GreaterThanThreshold",
        topic=topic,
        updated=alarm_cfg,
    )
    amm["ExtendedStatistic"] = "p99"
    del amm["Statistic"]
    flap = start + timedelta(minutes=r.randint(40, 100))
    k.transition(
        amm,
        flap,
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (0.8).",
    )
    k.transition(
        amm,
        flap + timedelta(minutes=r.randint(6, 14)),
        "OK",
        "Threshold Crossed: 1 out of the last 5 datapoints [0.412] was not greater than the threshold (0.8).",
    )
    k.alarm(
        "leaderboard-updater-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        sdim,
        "Maximum",
        60,
        5,
        300000.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=alarm_cfg,
    )["StateReason"] = "Threshold Crossed: 5 datapoints were not greater than the threshold (300000.0)."
    k.alarm(
        "leaderboard-scores-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": "leaderboard-scores"},
        "Sum",
        60,
        2,
        50.0,
        "GreaterThanThreshold",
        topic=topic,
        treat_missing="notBreaching",
        updated=alarm_cfg,
    )[
        "StateReason"
    ] = "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching]."

    # ---- logs --------------------------------------------------------------------------------------
    tids = [k.hex(32) for _ in range(ingest_desired)]
    t = start
    while t < now:
        for n, tid in enumerate(tids[: (ingest_desired if t >= scale_t else ingest_desired_old)]):
            stream_name = f"ecs/event-ingest/{tid}"
            if r.random() < 0.25:
                k.log(
                    "/ecs/event-ingest",
                    stream_name,
                    t + timedelta(seconds=r.randint(0, 59)),
                    json.dumps(
                        {
                            "level": "info",
                            "ts": iso_ms(t + timedelta(seconds=n)),
                            "caller": "ingest/stats.go:88",
                            "msg": "flush stats",
                            "batches": r.randint(60, 110),
                            "records": r.randint(20000, 40000),
                            "buffered": r.randint(0, 400),
                        }
                    ),
                )
            thr = throttled_by_min[t]
            if thr > 0 and r.random() < min(1.0, 0.3 + thr / 20000):
                shard = f"shardId-{r.choice(range(shards)):012d}"
                failed = r.randint(20, 240) if thr > 1000 else r.randint(1, 12)
                k.log(
                    "/ecs/event-ingest",
                    stream_name,
                    t + timedelta(seconds=r.randint(0, 59)),
                    json.dumps(
                        {
                            "level": "warn",
                            "ts": iso_ms(t + timedelta(seconds=r.randint(0, 59))),
                            "caller": "kinesis/batcher.go:212",
                            "msg": "PutRecords partial failure, retrying failed records",
                            "stream": stream,
                            "failed": failed,
                            "total": 500,
                            "attempt": r.randint(1, 3),
                            "error_code": "ProvisionedThroughputExceededException",
                            "error_message": f"Rate exceeded for shard {shard} in stream {stream} under account {k.account}.",
                        }
                    ),
                )
            if shed_by_min[t] > 0 and r.random() < 0.9:
                for _ in range(r.randint(1, 3)):
                    ts = t + timedelta(seconds=r.randint(0, 59))
                    k.log(
                        "/ecs/event-ingest",
                        stream_name,
                        ts,
                        json.dumps(
                            {
                                "level": "error",
                                "ts": iso_ms(ts),
                                "caller": "ingest/handler.go:141",
                                "msg": "buffer full, rejecting batch",
                                "buffered": 20000,
                                "path": "/v1/events",
                                "status": 503,
                                "client_events": r.randint(8, 16),
                            }
                        ),
                    )
            if t >= onset + timedelta(minutes=3) and r.random() < 0.3:
                ts = t + timedelta(seconds=r.randint(0, 59))
                k.log(
                    "/ecs/event-ingest",
                    stream_name,
                    ts,
                    json.dumps(
                        {
                            "level": "warn",
                            "ts": iso_ms(ts),
                            "caller": "kinesis/batcher.go:236",
                            "msg": "dropping records after max retries",
                            "stream": stream,
                            "dropped": r.randint(5, 120),
                            "error_code": "ProvisionedThroughputExceededException",
                        }
                    ),
                )
        if r.random() < 0.2:
            wt = t + timedelta(seconds=r.randint(0, 59))
            k.log(
                "/ecs/leaderboard-updater",
                f"ecs/leaderboard-updater/{k.hex(32)[:32]}",
                wt,
                f"{wt.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} INFO  [ShardConsumer-{r.randint(0, shards - 1)}] s.a.k.l.ShardConsumer - shardId-{r.randint(0, shards - 1):012d}: processed {r.randint(2000, 9000)} records, checkpointed",
            )
        t += timedelta(minutes=1)
    wdt = worker_deploy + timedelta(minutes=2)
    k.log(
        "/ecs/leaderboard-updater",
        "ecs/leaderboard-updater/" + k.hex(32),
        wdt,
        f"{wdt.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} INFO  [main] s.a.k.c.Scheduler - Initialization complete. Starting worker loop.",
    )

    # ---- CloudTrail --------------------------------------------------------------------------------
    ops = k.sso("marta.kowalczyk@pinegrove.gg", "ArenaOps", k.hex(16))
    ci = k.role("github-actions-deploy", "GitHubActions")
    kcl = k.role("leaderboard-updater-task", k.hex(32))
    k.trail(
        scale_t,
        ops,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "event-ingest", "desiredCount": ingest_desired},
        {
            "service": {
                "serviceName": "event-ingest",
                "serviceArn": ingest_svc["serviceArn"],
                "desiredCount": ingest_desired,
                "runningCount": ingest_desired_old,
                "status": "ACTIVE",
                "taskDefinition": ingest_svc["taskDefinition"],
            }
        },
        read_only=False,
        agent="aws-internal/3 aws-sdk-java/1.12.753 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard",
        ip="81.2." + str(r.randint(1, 250)) + "." + str(r.randint(1, 250)),
    )
    td_arn = f"arn:aws:ecs:{k.region}:{k.account}:task-definition/leaderboard-updater:{worker_rev}"
    k.trail(
        worker_deploy - timedelta(minutes=3),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "leaderboard-updater",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "3072",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": "leaderboard-updater",
                "revision": worker_rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux lang/js md/nodejs#20.12.2 api/ecs#3.556.0 github-action/amazon-ecs-deploy-task-definition",
    )
    k.trail(
        worker_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "leaderboard-updater",
            "taskDefinition": td_arn,
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "leaderboard-updater", "taskDefinition": td_arn, "desiredCount": 3}},
        read_only=False,
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux lang/js md/nodejs#20.12.2 api/ecs#3.556.0 github-action/amazon-ecs-deploy-task-definition",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(100, 150)),
        ops,
        "cloudwatch.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "saturday-cup-live"},
        None,
        read_only=False,
        agent="console.amazonaws.com",
    )
    k.readonly_noise(
        start,
        now,
        kcl,
        [
            ("kinesis.amazonaws.com", "ListShards", {"streamName": stream, "maxResults": 1000}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "leaderboard-updater"}),
        ],
        15,
        "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/async http/NettyNio cfg/retry-mode/legacy",
    )
    k.readonly_noise(
        start,
        now,
        kcl,
        [("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream})],
        60,
        "aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/async http/NettyNio cfg/retry-mode/legacy",
    )
    grafana = k.role("grafana-cloudwatch-read", "grafana")
    k.readonly_noise(
        start,
        now,
        grafana,
        [
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["event-ingest", "leaderboard-updater", "matchmaking-api"]},
            ),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tg["TargetGroupArn"]},
            ),
        ],
        20,
        "Grafana/10.4.2 aws-sdk-go/1.51.21 (go1.21.9; linux; amd64)",
    )
    k.trail(
        onset + timedelta(minutes=r.randint(8, 14)),
        ops,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["event-ingest"]},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"Players in the cup say their ranked results aren't counting and the client keeps retrying uploads, since about {onset.strftime('%H:%M').lstrip('0')} when it kicked off. The ingest 5xx alarm paged too. Did Marta's scale-up of event-ingest this afternoon break it?",
                "alarm_event": alarm_event,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": stream_arn,
                    "category": "limit",
                    "failure_mode": "kinesis-shard-write-throughput-exceeded",
                },
                "also_accept": [stream],
                "actions": ["scale"],
                "chain": [stream_arn, "event-ingest", "arena-ingest-prod"],
            },
        }
    )
    return Bundle(manifest, k.records())
