"""Trip-event uploads fail at the evening peak: the Kinesis stream behind them was resharded from 8 to 4."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_k import (
    CHROME,
    AlarmSpec,
    Ctx,
    Noise,
    alarm_event,
    at_local,
    aws_service,
    cli_agent,
    clock_phrase,
    consumer_curve,
    ct,
    epoch_ms,
    evaluate_alarm,
    grafana_agent,
    iso,
    local_hour,
    mixed_steps,
    pick_day,
    role_session,
    routine_reads,
    scatter,
    sso_user,
    steps,
    tag_list,
)

NAME = "trip-events-upload-503s"
TITLE = "Driver app trip-event uploads failing with 503"
SUMMARY = (
    "A data engineer halved the ride-events Kinesis stream (UpdateShardCount 8 -> 4) in the afternoon; at "
    "the evening peak PutRecords is throttled and ride-events-gateway sheds uploads with 503."
)

ZONE = "America/Chicago"
MAX_HASH = 2**128 - 1


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "us-east-2")
    rng = ctx.rng
    day = pick_day(rng, weekday=False)
    stream = "ride-events"
    stream_arn = ctx.arn("kinesis", f"stream/{stream}")
    change = at_local(day, 14 * 60 + rng.randrange(0, 100), ZONE) + timedelta(seconds=rng.randrange(60))
    reshard_done = change + timedelta(minutes=rng.randrange(6, 14), seconds=rng.randrange(60))
    start = at_local(day - timedelta(days=1), 15 * 60 + rng.randrange(0, 40), ZONE)
    fine_from = change - timedelta(minutes=40)
    grid_all = mixed_steps(start, at_local(day, 22 * 60, ZONE), fine_from)

    # demand in records/second from the gateway fleet
    peak_rps = 5400 + rng.randrange(0, 900)
    avg_bytes = 560 + rng.randrange(0, 160)
    noise = Noise(rng, 0.03, 0.012)
    demand: dict[datetime, float] = {}
    for t, _p in grid_all:
        demand[t] = peak_rps * consumer_curve(local_hour(t, ZONE), 0.12) * noise()
    shards_at = {t: (8 if t < reshard_done else 4) for t, _p in grid_all}
    skew = 0.86 + rng.random() * 0.04  # the busiest shard's share limits usable capacity

    def throttled_frac(t: datetime) -> float:
        cap = shards_at[t] * 1000 * skew
        return max(0.0, demand[t] - cap) / demand[t]

    onset = next(t for t, p in grid_all if t > reshard_done and p == 60 and throttled_frac(t) > 0.03)
    now = onset + timedelta(minutes=32 + rng.randrange(0, 15))
    grid = [(t, p) for t, p in grid_all if t < now]

    # --- resources ------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randrange(300, 700))
    ctx.resource(
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
            "OpenShardCount": 4,
            "ConsumerCount": 0,
        },
    )
    ctx.resource(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": "ride-events-replay",
            "StreamARN": ctx.arn("kinesis", "stream/ride-events-replay"),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created + timedelta(days=120)),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": 4,
            "ConsumerCount": 0,
        },
    )
    seq_base = rng.randrange(10**55, 10**56)
    step = (MAX_HASH + 1) // 8
    for i in range(8):
        ctx.resource(
            "kinesis",
            "StreamShard",
            {
                "StreamName": stream,
                "ShardId": f"shardId-{i:012d}",
                "HashKeyRange": {
                    "StartingHashKey": str(i * step),
                    "EndingHashKey": str((i + 1) * step - 1 if i < 7 else MAX_HASH),
                },
                "SequenceNumberRange": {
                    "StartingSequenceNumber": str(seq_base + i * 10**20),
                    "EndingSequenceNumber": str(seq_base + i * 10**20 + 10**19 + rng.randrange(10**18)),
                },
            },
        )
    step2 = (MAX_HASH + 1) // 4
    for j in range(4):
        ctx.resource(
            "kinesis",
            "StreamShard",
            {
                "StreamName": stream,
                "ShardId": f"shardId-{8 + j:012d}",
                "ParentShardId": f"shardId-{2 * j:012d}",
                "AdjacentParentShardId": f"shardId-{2 * j + 1:012d}",
                "HashKeyRange": {
                    "StartingHashKey": str(j * step2),
                    "EndingHashKey": str((j + 1) * step2 - 1 if j < 3 else MAX_HASH),
                },
                "SequenceNumberRange": {"StartingSequenceNumber": str(seq_base + (9 + j) * 10**20)},
            },
        )
    fn = "ride-events-enricher"
    fn_arn = ctx.arn("lambda", f"function:{fn}")
    esm_uuid = ctx.uuid()
    ctx.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{ctx.account}:role/ride-events-enricher",
            "Handler": "enricher.handler.handle",
            "CodeSize": 4_812_344,
            "Description": "enrich ride events with zone and fare data, write to the lake",
            "Timeout": 60,
            "MemorySize": 1024,
            "LastModified": iso(day - timedelta(days=9)).replace("Z", ".000+0000"),
            "CodeSha256": ctx.hex(43) + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": ctx.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        },
    )
    esm_changed = onset - timedelta(minutes=14, seconds=rng.randrange(0, 240))
    ctx.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "StartingPosition": "LATEST",
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 2,
            "EventSourceArn": stream_arn,
            "FunctionArn": fn_arn,
            "LastModified": iso(esm_changed),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {"Destination": ctx.arn("sqs", "ride-events-enricher-dlq")}},
            "MaximumRecordAgeInSeconds": 21600,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    cluster = "mobility-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    gw = "ride-events-gateway"
    gw_arn = ctx.arn("ecs", f"service/{cluster}/{gw}")
    payouts = "driver-payouts-api"
    payouts_arn = ctx.arn("ecs", f"service/{cluster}/{payouts}")
    gw_tasks = 8
    subnets = [ctx.rid("subnet") for _ in range(3)]
    sg = ctx.rid("sg")
    lb_dim = f"app/mobility-edge/{ctx.hex(16)}"
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{lb_dim}")
    tg_dim = f"targetgroup/ride-events-gateway/{ctx.hex(16)}"
    tg_arn = ctx.arn("elasticloadbalancing", tg_dim)
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 19,
            "pendingTasksCount": 0,
            "activeServicesCount": 4,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        },
    )
    gw_rev = rng.randrange(60, 140)
    pay_rev = rng.randrange(200, 400)
    for name, arn, rev, count, lbs, deployed in (
        (
            gw,
            gw_arn,
            gw_rev,
            gw_tasks,
            [{"targetGroupArn": tg_arn, "containerName": "gateway", "containerPort": 9000}],
            day - timedelta(days=rng.randrange(3, 8)),
        ),
        (payouts, payouts_arn, pay_rev, 3, [], onset - timedelta(minutes=19, seconds=rng.randrange(0, 300))),
    ):
        td = ctx.arn("ecs", f"task-definition/{name}:{rev}")
        net = {
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}
        }
        ctx.resource(
            "ecs",
            "Service",
            {
                "serviceArn": arn,
                "serviceName": name,
                "clusterArn": cluster_arn,
                "loadBalancers": lbs,
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                        "status": "PRIMARY",
                        "taskDefinition": td,
                        "desiredCount": count,
                        "pendingCount": 0,
                        "runningCount": count,
                        "failedTasks": 0,
                        "createdAt": iso(deployed),
                        "updatedAt": iso(deployed + timedelta(minutes=5)),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "networkConfiguration": net,
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": [],
                "createdAt": iso(created),
                "placementConstraints": [],
                "placementStrategy": [],
                "networkConfiguration": net,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "NONE",
                "enableExecuteCommand": False,
            },
        )
        ctx.event(
            "ecs",
            {
                "service_arn": arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": iso(deployed + timedelta(minutes=5, seconds=rng.randrange(60))),
                    "message": f"(service {name}) has reached a steady state.",
                },
            },
        )
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"mobility-edge-{rng.randrange(10**8, 10**9)}.us-east-2.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
            "CreatedTime": iso(created),
            "LoadBalancerName": "mobility-edge",
            "Scheme": "internet-facing",
            "VpcId": ctx.rid("vpc"),
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"us-east-2{c}", "SubnetId": ctx.rid("subnet"), "LoadBalancerAddresses": []}
                for c in "abc"
            ],
            "SecurityGroups": [ctx.rid("sg")],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "ride-events-gateway",
            "Protocol": "HTTP",
            "Port": 9000,
            "VpcId": ctx.rid("vpc"),
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/livez",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.us-east-2.amazonaws.com/{ctx.account}/ride-events-enricher-dlq",
            "Attributes": {
                "QueueArn": ctx.arn("sqs", "ride-events-enricher-dlq"),
                "ApproximateNumberOfMessages": "0",
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "CreatedTimestamp": str(int(created.timestamp())),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "data-platform"},
        },
    )
    ctx.resource(
        "ec2",
        "SecurityGroup",
        {
            "Description": "ride-events-gateway tasks",
            "GroupName": "ride-events-gateway",
            "IpPermissions": [],
            "OwnerId": ctx.account,
            "GroupId": sg,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "VpcId": ctx.rid("vpc"),
            "Tags": tag_list([("Name", "ride-events-gateway")]),
        },
    )

    # --- metrics ------------------------------------------------------------------------------------------
    kd = {"StreamName": stream}
    gw_5xx: list[tuple[datetime, float]] = []
    wpte: list[tuple[datetime, float]] = []
    iter_age: list[tuple[datetime, float]] = []
    shed: dict[datetime, float] = {}
    backlog = 0.0
    for t, p in grid:
        secs = float(p)
        d = demand[t]
        tf = throttled_frac(t)
        # the SDK retries throttled records (3 attempts with backoff); what still fails is shed
        attempts = d * (1 + tf * 2.2)
        throttled = d * tf * 2.2
        accepted = d - d * tf * 0.55
        lost_frac = tf * 0.55
        shed[t] = lost_frac
        recs = attempts * secs
        ctx.metric("AWS/Kinesis", "IncomingRecords", kd, "Count", t, round(accepted * secs))
        ctx.metric(
            "AWS/Kinesis",
            "IncomingBytes",
            kd,
            "Bytes",
            t,
            round(accepted * secs * avg_bytes * (0.97 + 0.06 * rng.random())),
        )
        ctx.metric("AWS/Kinesis", "PutRecords.TotalRecords", kd, "Count", t, round(recs))
        ctx.metric("AWS/Kinesis", "PutRecords.SuccessfulRecords", kd, "Count", t, round(accepted * secs))
        ctx.metric("AWS/Kinesis", "PutRecords.ThrottledRecords", kd, "Count", t, round(throttled * secs))
        ctx.metric("AWS/Kinesis", "PutRecords.FailedRecords", kd, "Count", t, 0.0)
        ctx.metric(
            "AWS/Kinesis", "WriteProvisionedThroughputExceeded", kd, "Count", t, round(throttled * secs)
        )
        ctx.metric("AWS/Kinesis", "PutRecords.Bytes", kd, "Bytes", t, round(recs * avg_bytes))
        calls = recs / 310
        ctx.metric("AWS/Kinesis", "PutRecords.Success", kd, "Count", t, stats=(calls, calls, 1.0, 1.0))
        lat = 14 + 6 * rng.random() + 20 * tf
        ctx.metric(
            "AWS/Kinesis",
            "PutRecords.Latency",
            kd,
            "Milliseconds",
            t,
            stats=(calls, calls * lat, 5.0, lat * 6),
        )
        wpte.append((t, round(throttled * secs)))
        # consumer
        shards = shards_at[t]
        consume_cap = shards * 2 * 1700  # records/s the enricher keeps up with
        backlog = max(0.0, backlog + (accepted - consume_cap) * secs)
        age = 800 + rng.random() * 900 + backlog / max(consume_cap, 1) * 1000
        iter_age.append((t, age))
        ctx.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            kd,
            "Milliseconds",
            t,
            stats=(shards * secs, shards * secs * age * 0.7, 0.0, age),
        )
        ctx.metric(
            "AWS/Kinesis",
            "GetRecords.Records",
            kd,
            "Count",
            t,
            round(min(accepted * secs + backlog * 0.1, consume_cap * secs)),
        )
        ctx.metric("AWS/Kinesis", "GetRecords.Success", kd, "Count", t, round(shards * secs))
        ctx.metric("AWS/Kinesis", "ReadProvisionedThroughputExceeded", kd, "Count", t, 0.0)
        inv = min(accepted * secs, consume_cap * secs) / 420
        ctx.metric("AWS/Lambda", "Invocations", {"FunctionName": fn}, "Count", t, round(inv))
        ctx.metric(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn},
            "Milliseconds",
            t,
            stats=(
                max(1.0, round(inv)),
                round(inv) * (610 + 90 * rng.random()),
                180.0,
                1900 + 400 * rng.random(),
            ),
        )
        ctx.metric(
            "AWS/Lambda",
            "IteratorAge",
            {"FunctionName": fn},
            "Milliseconds",
            t,
            stats=(max(1.0, round(inv)), round(inv) * age * 0.8, 10.0, age),
        )
        ctx.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            {"FunctionName": fn},
            "Count",
            t,
            stats=(secs / 60, float(shards * 2) * secs / 60, float(shards * 2), float(shards * 2)),
        )
        if rng.random() < 0.02:
            ctx.metric("AWS/Lambda", "Errors", {"FunctionName": fn}, "Count", t, 1.0)
        else:
            ctx.metric("AWS/Lambda", "Errors", {"FunctionName": fn}, "Count", t, 0.0)
        # gateway behind the ALB: each upload request carries ~24 events
        reqs = d * secs / 24
        bad = round(reqs * min(0.9, lost_frac * 1.6))
        tot = round(reqs)
        for dd in ({"LoadBalancer": lb_dim, "TargetGroup": tg_dim}, {"LoadBalancer": lb_dim}):
            ctx.metric("AWS/ApplicationELB", "RequestCount", dd, "Count", t, float(tot))
            if bad:
                ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dd, "Count", t, float(bad))
            rt = 0.031 + 0.01 * rng.random() + 0.9 * tf
            ctx.metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dd,
                "Seconds",
                t,
                stats=(float(tot), tot * rt, 0.004, rt * 5 + 0.2),
            )
        ctx.metric(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(tot - bad),
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            "Count",
            t,
            float(gw_tasks),
        )
        if bad:
            gw_5xx.append((t, bad / (secs / 60)))
        cpu = (9 + 38 * d / peak_rps) * (1 + 0.5 * tf) * (0.93 + 0.14 * rng.random())
        ctx.metric(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": gw},
            "Percent",
            t,
            stats=(float(gw_tasks), cpu * gw_tasks, cpu * 0.85, cpu * 1.15),
        )
        mem = 34 + 40 * min(1.0, tf * 3)
        ctx.metric(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": gw},
            "Percent",
            t,
            stats=(float(gw_tasks), mem * gw_tasks, mem * 0.9, mem * 1.1),
        )

    # --- alarms ----------------------------------------------------------------------------------------
    sns = ctx.arn("sns", "mobility-oncall")
    fine = [(t, p) for t, p in grid if p == 60]
    spec_5xx = AlarmSpec(
        name="ride-events-gateway-5xx",
        description="ride-events-gateway 5xx > 200/min for 3 minutes (uploads failing)",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=200.0,
        operator="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[sns],
        ok_actions=[sns],
    )
    trs = evaluate_alarm(ctx, spec_5xx, [(t, v) for t, v in gw_5xx if t >= fine_from], fine_from, now)
    fired = next(tr for tr in trs if tr.new == "ALARM")
    evaluate_alarm(
        ctx,
        AlarmSpec(
            name="ride-events-enricher-iterator-age",
            description="enricher more than 5 minutes behind",
            namespace="AWS/Lambda",
            metric="IteratorAge",
            dims={"FunctionName": fn},
            statistic="Maximum",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=300000.0,
            operator="GreaterThanThreshold",
            actions=[sns],
        ),
        iter_age,
        start,
        now,
    )
    evaluate_alarm(
        ctx,
        AlarmSpec(
            name="ride-events-enricher-errors",
            description="enricher errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": fn},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=25.0,
            operator="GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[sns],
        ),
        [(t, 0.0) for t, _ in fine],
        start,
        now,
    )
    evaluate_alarm(
        ctx,
        AlarmSpec(
            name="mobility-edge-gateway-hosts",
            description="ride-events-gateway healthy targets below 4",
            namespace="AWS/ApplicationELB",
            metric="HealthyHostCount",
            dims={"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
            statistic="Minimum",
            period=60,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=4.0,
            operator="LessThanThreshold",
            actions=[sns],
        ),
        [(t, float(gw_tasks)) for t, _ in fine],
        fine_from,
        now,
    )

    # --- logs -----------------------------------------------------------------------------------------
    group = f"/ecs/{gw}"
    task_ids = [ctx.hex(32) for _ in range(gw_tasks)]
    for tid in task_ids:
        st = f"gateway/gateway/{tid}"
        for t in steps(start, now, timedelta(minutes=2)):
            ts = t + timedelta(milliseconds=rng.randrange(0, 119000))
            d = (
                demand[min(demand, key=lambda x: abs((x - t).total_seconds()))]
                if t not in demand
                else demand[t]
            )
            ctx.log(
                group,
                st,
                ts,
                json.dumps(
                    {
                        "level": "info",
                        "ts": round(epoch_ms(ts) / 1000, 3),
                        "caller": "producer/batcher.go:142",
                        "msg": "flushed batches",
                        "stream": stream,
                        "records": int(d * 120 / gw_tasks),
                        "batches": int(d * 120 / gw_tasks / 310),
                        "p99_ms": rng.randrange(28, 70),
                    }
                ),
            )
        for t, p in grid:
            if p != 60:
                continue
            tf = throttled_frac(t)
            if tf <= 0:
                continue
            n = min(8, 1 + int(tf * 40))
            for _ in range(n):
                ts = t + timedelta(milliseconds=rng.randrange(0, 59000))
                shard = (
                    f"shardId-{8 + rng.randrange(4):012d}"
                    if t >= reshard_done
                    else f"shardId-{rng.randrange(8):012d}"
                )
                total = rng.choice([500, 500, 500, 412, 377])
                failed = max(1, int(total * tf * (1.5 + rng.random())))
                ctx.log(
                    group,
                    st,
                    ts,
                    json.dumps(
                        {
                            "level": "warn",
                            "ts": round(epoch_ms(ts) / 1000, 3),
                            "caller": "producer/batcher.go:188",
                            "msg": "PutRecords partial failure, retrying",
                            "stream": stream,
                            "failed": min(failed, total),
                            "total": total,
                            "attempt": rng.randrange(1, 4),
                            "errorCode": "ProvisionedThroughputExceededException",
                            "errorMessage": f"Rate exceeded for shard {shard} in stream {stream} under account {ctx.account}.",
                        }
                    ),
                )
            if shed[t] > 0.01:
                for _ in range(min(6, 1 + int(shed[t] * 30))):
                    ts = t + timedelta(milliseconds=rng.randrange(0, 59000))
                    ctx.log(
                        group,
                        st,
                        ts,
                        json.dumps(
                            {
                                "level": "error",
                                "ts": round(epoch_ms(ts) / 1000, 3),
                                "caller": "api/upload.go:97",
                                "msg": "rejecting upload: producer buffer full",
                                "buffered": 200000,
                                "status": 503,
                                "driver_app": rng.choice(["ios/7.41.0", "android/7.41.2", "android/7.40.9"]),
                            }
                        ),
                    )
        for ts in scatter(ctx, start, now, 3):
            ctx.log(
                group,
                st,
                ts,
                json.dumps(
                    {
                        "level": "warn",
                        "ts": round(epoch_ms(ts) / 1000, 3),
                        "caller": "api/upload.go:64",
                        "msg": "dropping events older than 72h",
                        "dropped": rng.randrange(1, 40),
                        "driver_app": "android/7.12.0",
                    }
                ),
            )
    lgroup = f"/aws/lambda/{fn}"
    for t in steps(start, now, timedelta(minutes=3)):
        ts = t + timedelta(milliseconds=rng.randrange(0, 170000))
        rid = ctx.uuid()
        lst = f"{ts.strftime('%Y/%m/%d')}/[$LATEST]{ctx.hex(32)}"
        dur = 500 + rng.random() * 400
        ctx.log(lgroup, lst, ts, f"START RequestId: {rid} Version: $LATEST")
        ctx.log(
            lgroup,
            lst,
            ts + timedelta(milliseconds=int(dur) - 2),
            f"[INFO]\t{iso(ts)}\t{rid}\tprocessed batch records=500 zones_resolved=500 late=0",
        )
        ctx.log(lgroup, lst, ts + timedelta(milliseconds=int(dur)), f"END RequestId: {rid}")
        ctx.log(
            lgroup,
            lst,
            ts + timedelta(milliseconds=int(dur)),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: {rng.randrange(180, 240)} MB\t",
        )

    # --- CloudTrail -------------------------------------------------------------------------------------
    dana = sso_user(
        ctx,
        "dana.whitfield@velora.io",
        "DataPlatformAdmin",
        f"24.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        cli_agent("kinesis.update-shard-count"),
        change - timedelta(minutes=50),
    )
    dana_ro = sso_user(
        ctx,
        "dana.whitfield@velora.io",
        "DataPlatformAdmin",
        dana.ip,
        cli_agent("kinesis.describe-stream-summary"),
        change - timedelta(minutes=50),
    )
    dana_ro.identity = dana.identity
    marco = sso_user(
        ctx,
        "marco.rinaldi@velora.io",
        "DataPlatformAdmin",
        f"73.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        CHROME,
        onset - timedelta(hours=2),
    )
    ci = role_session(
        ctx,
        "github-actions-deploy",
        "gha-" + str(rng.randrange(10**9, 10**10)),
        f"52.{rng.randrange(150, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/ecs#3.556.0",
        onset - timedelta(minutes=25),
    )
    grafana = role_session(
        ctx,
        "grafana-readonly",
        "grafana",
        f"3.{rng.randrange(128, 140)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        grafana_agent("monitoring"),
        start,
    )
    ct(
        ctx,
        change - timedelta(minutes=6, seconds=rng.randrange(60)),
        dana_ro,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": stream},
        None,
        read_only=True,
    )
    ct(
        ctx,
        change - timedelta(minutes=4, seconds=rng.randrange(60)),
        dana_ro,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": "ride-events-staging"},
        None,
        read_only=True,
    )
    ct(
        ctx,
        change - timedelta(minutes=3),
        dana,
        "kinesis.amazonaws.com",
        "UpdateShardCount",
        {"streamName": "ride-events-staging", "targetShardCount": 1, "scalingType": "UNIFORM_SCALING"},
        {
            "streamName": "ride-events-staging",
            "currentShardCount": 2,
            "targetShardCount": 1,
            "streamARN": ctx.arn("kinesis", "stream/ride-events-staging"),
        },
    )
    culprit = ct(
        ctx,
        change,
        dana,
        "kinesis.amazonaws.com",
        "UpdateShardCount",
        {"streamName": stream, "targetShardCount": 4, "scalingType": "UNIFORM_SCALING"},
        {"streamName": stream, "currentShardCount": 8, "targetShardCount": 4, "streamARN": stream_arn},
    )
    for when in scatter(ctx, change + timedelta(minutes=1), reshard_done + timedelta(minutes=5), 3):
        ct(
            ctx,
            when,
            dana_ro,
            "kinesis.amazonaws.com",
            "DescribeStreamSummary",
            {"streamName": stream},
            None,
            read_only=True,
        )
    ct(
        ctx,
        esm_changed,
        marco,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_uuid, "batchSize": 500, "maximumBatchingWindowInSeconds": 1},
        {
            "uUID": esm_uuid,
            "batchSize": 500,
            "maximumBatchingWindowInSeconds": 1,
            "parallelizationFactor": 2,
            "eventSourceArn": stream_arn,
            "functionArn": fn_arn,
            "lastModified": iso(esm_changed),
            "state": "Updating",
            "stateTransitionReason": "User action",
        },
    )
    pay_deploy = onset - timedelta(minutes=19, seconds=rng.randrange(0, 300))
    ct(
        ctx,
        pay_deploy - timedelta(seconds=30),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": payouts,
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "api",
                    "image": f"{ctx.account}.dkr.ecr.us-east-2.amazonaws.com/driver-payouts-api:{ctx.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/{payouts}:{pay_rev}"),
                "family": payouts,
                "revision": pay_rev,
                "status": "ACTIVE",
            }
        },
    )
    ct(
        ctx,
        pay_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": payouts, "taskDefinition": f"{payouts}:{pay_rev}"},
        {
            "service": {
                "serviceName": payouts,
                "serviceArn": payouts_arn,
                "taskDefinition": ctx.arn("ecs", f"task-definition/{payouts}:{pay_rev}"),
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    ct(
        ctx,
        onset + timedelta(minutes=4, seconds=rng.randrange(60)),
        marco,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": lgroup, "retentionInDays": 14},
        None,
    )
    routine_reads(
        ctx,
        start,
        now,
        rng.randrange(14, 20),
        [grafana],
        [
            ("monitoring.amazonaws.com", "GetMetricData", lambda: None),
            ("monitoring.amazonaws.com", "ListMetrics", lambda: {"namespace": "AWS/Kinesis"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", lambda: None),
        ],
    )
    ecs_svc = aws_service("ecs.amazonaws.com")
    for when in scatter(ctx, start, now, 6):
        ct(
            ctx,
            when,
            ecs_svc,
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            {"targetGroupArn": tg_arn},
            None,
            read_only=True,
        )
    for when in scatter(ctx, start, now, 4):
        ct(ctx, when, marco, "kinesis.amazonaws.com", "ListStreams", {"limit": 100}, None, read_only=True)

    q_clock = clock_phrase(onset + timedelta(minutes=4), ZONE, 10)
    question = f"Drivers are reporting trips not syncing since around {q_clock} and the gateway 5xx alarm is firing. What's broken?"
    return ctx.bundle(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": alarm_event(ctx, spec_5xx, fired, fired.at - timedelta(days=3)),
                "timezone": ZONE,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": stream,
                    "category": "change",
                    "failure_mode": "kinesis-shard-count-reduced",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [stream_arn],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"UpdateShardCount on {stream}: 8 -> 4 shards in the afternoon",
                    f"evening peak exceeds the write capacity of 4 shards: WriteProvisionedThroughputExceeded on {stream}",
                    f"{gw} retries throttled PutRecords and its buffer fills",
                    f"{gw} rejects uploads with 503 behind mobility-edge",
                ],
            },
        }
    )
