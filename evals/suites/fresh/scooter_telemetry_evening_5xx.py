"""Scooter telemetry gateway 5xx at the evening peak, hours after the stream was resharded down."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zc as k

NAME = "scooter-telemetry-evening-5xx"
TITLE = "Telemetry gateway 5xx alarm at the evening commute peak"
SUMMARY = (
    "The scooter-telemetry Kinesis stream was resharded from 8 to 4 shards in the morning; at the evening "
    "peak producers exceed the per-shard write limit, PutRecords are throttled and the gateway answers 503."
)

TZ = ZoneInfo("Europe/Amsterdam")
SHARD_RPS = 1000.0


def _seq(rng: random.Random) -> str:
    return "49" + "".join(rng.choice("0123456789") for _ in range(54))


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 9)}{rng.randint(10**10, 10**11 - 1)}"
    region = "eu-west-1"
    day = k.pick_day(rng, (1, 2, 3, 4))
    local_mid = datetime(day.year, day.month, day.day, tzinfo=TZ)
    utc_off = local_mid.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    peak_rps = 8 * SHARD_RPS * rng.uniform(0.6, 0.7)
    peak_hour = rng.uniform(18.0, 18.6)

    def demand(t: datetime) -> float:  # records/second wanted by the fleet
        h = (t.hour + t.minute / 60 + utc_off) % 24
        day_part = 0.08 + 0.40 / (1 + math.exp(-(h - 7.5) * 1.6)) - 0.40 / (1 + math.exp(-(h - 22.5) * 1.4))
        bump = 0.55 * math.exp(-(((h - peak_hour) / 1.15) ** 2))
        morning = 0.12 * math.exp(-(((h - 8.4) / 0.8) ** 2))
        return peak_rps * (day_part + bump + morning)

    reshard_local = local_mid + timedelta(hours=rng.uniform(9.6, 11.0))
    reshard = k.minute(reshard_local.astimezone(UTC)) + timedelta(seconds=rng.randint(5, 55))
    reshard_done = reshard + timedelta(minutes=rng.randint(6, 11))
    # onset: first minute the demand reaches ~88% of the 4-shard ceiling
    knee = 4 * SHARD_RPS * 0.88
    t = reshard_done
    while demand(t) < knee:
        t += timedelta(minutes=1)
    onset = t
    start = k.floor5(local_mid.astimezone(UTC) - timedelta(hours=rng.uniform(10, 12)))
    now = k.minute(onset + timedelta(minutes=rng.randint(38, 52)))
    end = now + timedelta(minutes=15)
    fine_from = k.floor5(onset - timedelta(hours=2, minutes=30))
    pts = k.grid(start, now, fine_from)

    stream = "scooter-telemetry"
    stream_arn = f"arn:aws:kinesis:{region}:{account}:stream/{stream}"
    cluster = "telemetry-prod"
    gw = "telemetry-gateway"
    enricher = "telemetry-enricher"
    table = "scooter-state"
    lb_name = "telemetry-gw"
    lb_id = k.hexs(rng, 16)
    tg_id = k.hexs(rng, 16)
    lb_dim = f"app/{lb_name}/{lb_id}"
    tg_dim = f"targetgroup/{gw}/{tg_id}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    vpc, subnets = k.vpc_block(rng, account, region, "zipp-prod", rng.choice([16, 18, 20]))
    subnet_ids = [s["SubnetId"] for s in subnets]
    sg_alb = k.security_group(
        rng,
        account,
        vpc["VpcId"],
        "telemetry-gw-alb",
        "telemetry gateway ALB",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
    )
    sg_gw = k.security_group(
        rng,
        account,
        vpc["VpcId"],
        gw,
        "telemetry gateway tasks",
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [{"GroupId": sg_alb["GroupId"], "UserId": account}],
            }
        ],
    )
    td_rev = rng.randint(80, 140)
    old_ver = f"3.{rng.randint(10, 20)}.{rng.randint(0, 4)}"
    new_ver = old_ver[:-1] + str(int(old_ver[-1]) + 1)
    ntasks = 6

    # --- the physics --------------------------------------------------------------------------------
    def capacity(t: datetime) -> float:
        if t < reshard:
            return 8 * SHARD_RPS
        return 4 * SHARD_RPS

    rows: dict[str, dict[datetime, float]] = {
        n: {} for n in ("dem", "ok", "thr", "att", "req", "r5xx", "lat", "age", "putlat")
    }
    for t, s in pts:
        d = demand(t) * k.noise(rng, 0.03)
        cap = capacity(t) * rng.uniform(0.86, 0.92)  # uneven partition keys: hot shards hit first
        if d <= cap * 0.97:
            ok, thr = d, d * max(0.0, (d / cap - 0.9)) * 0.05
        else:
            ok = cap + (d - cap) * 0.15
            thr = (d - ok) * 2.6  # each rejected record is retried up to 3 times
        att = ok + thr
        reqs = d / 10.0  # a scooter posts ~10 records per call
        fail_frac = max(0.0, (d - ok) / d) * 0.9 if d > 0 else 0.0
        r5 = reqs * fail_frac
        sec = s
        rows["dem"][t] = d * sec
        rows["ok"][t] = ok * sec
        rows["thr"][t] = thr * sec
        rows["att"][t] = att * sec
        rows["req"][t] = reqs * sec
        rows["r5xx"][t] = r5 * sec
        rows["lat"][t] = (0.028 + 0.35 * fail_frac + 0.05 * min(1.0, thr / max(att, 1))) * k.noise(rng, 0.08)
        rows["putlat"][t] = (22 + 9 * min(1.0, d / cap)) * k.noise(rng, 0.1)
        # consumer: 4 shards x parallelization 2 after the reshard, 8 x 2 before
        cons = (16 if t < reshard else 8) * 420.0
        rows["age"][t] = max(900.0, (d / cons) ** 3 * 2500) * k.noise(rng, 0.12)

    series = k.Series(rng, pts)
    sd = {"StreamName": stream}
    rec_bytes = rng.uniform(820, 980)

    def g(name: str, scale: float = 1.0, nz: bool = False) -> Any:
        def f(t: datetime, s: int) -> float | None:
            v = round(rows[name][t] * scale)
            return None if nz and v == 0 else float(v)

        return f

    series.add("AWS/Kinesis", "IncomingRecords", sd, "Count", g("ok"))
    series.add("AWS/Kinesis", "IncomingBytes", sd, "Bytes", g("ok", rec_bytes))
    series.add("AWS/Kinesis", "PutRecords.TotalRecords", sd, "Count", g("att"))
    series.add("AWS/Kinesis", "PutRecords.SuccessfulRecords", sd, "Count", g("ok"))
    series.add("AWS/Kinesis", "PutRecords.ThrottledRecords", sd, "Count", g("thr"))
    series.add("AWS/Kinesis", "PutRecords.FailedRecords", sd, "Count", lambda t, s: 0.0)
    series.add("AWS/Kinesis", "WriteProvisionedThroughputExceeded", sd, "Count", g("thr"))
    series.add("AWS/Kinesis", "PutRecords.Bytes", sd, "Bytes", g("att", rec_bytes))
    series.add("AWS/Kinesis", "PutRecords.Latency", sd, "Milliseconds", lambda t, s: rows["putlat"][t])
    series.add(
        "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", sd, "Milliseconds", lambda t, s: rows["age"][t]
    )
    series.add("AWS/Kinesis", "ReadProvisionedThroughputExceeded", sd, "Count", lambda t, s: 0.0)
    ld = {"FunctionName": enricher}
    series.add(
        "AWS/Lambda",
        "Invocations",
        ld,
        "Count",
        lambda t, s: float(round(rows["ok"][t] / rng.uniform(260, 330))),
    )
    series.add("AWS/Lambda", "Errors", ld, "Count", lambda t, s: 0.0)
    series.add("AWS/Lambda", "Duration", ld, "Milliseconds", lambda t, s: rng.uniform(780, 1150))
    series.add(
        "AWS/Lambda",
        "IteratorAge",
        ld,
        "Milliseconds",
        lambda t, s: rows["age"][t] * rng.uniform(0.9, 1.0),
    )
    series.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        ld,
        "Count",
        lambda t, s: float(round((16 if t < reshard else 8) * min(1.0, 0.3 + rows["dem"][t] / s / 4000))),
    )
    dd = {"TableName": table}
    series.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        dd,
        "Count",
        lambda t, s: rows["ok"][t] * 0.22 * k.noise(rng, 0.04),
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    series.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", g("req"))
    series.add("AWS/ApplicationELB", "RequestCount", tgd, "Count", g("req"))
    series.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda t, s: float(round(rows["req"][t] - rows["r5xx"][t])),
    )
    series.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", g("r5xx", 1.0, True))
    series.add("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", lambda t, s: rows["lat"][t])
    series.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t, s: float(ntasks))
    series.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t, s: 0.0)
    ed = {"ClusterName": cluster, "ServiceName": gw}
    series.add(
        "AWS/ECS",
        "CPUUtilization",
        ed,
        "Percent",
        lambda t, s: (
            (8 + 38 * rows["dem"][t] / s / 5500 + 6 * min(1.0, rows["thr"][t] / max(1, rows["att"][t])))
            * k.noise(rng, 0.05)
        ),
    )
    series.add("AWS/ECS", "MemoryUtilization", ed, "Percent", lambda t, s: rng.uniform(38, 42))

    # --- alarms -------------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{account}:oncall-telemetry"
    a5 = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="telemetry-gw-target-5xx",
        description="telemetry-gateway targets returning 5xx (> 200/min for 3 minutes)",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tgd,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=200.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[pager],
        created=start - timedelta(days=240),
    )
    fine5 = {t: rows["r5xx"][t] for t, s in pts if s == 60}
    a5.evaluate({t: round(v) for t, v in fine5.items()}, fine_from, now)
    age_alarm = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="telemetry-enricher-iterator-age",
        description="telemetry-enricher falling behind the stream (> 5 min)",
        namespace="AWS/Lambda",
        metric="IteratorAge",
        dims=ld,
        stat="Maximum",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=300000.0,
        comparison="GreaterThanThreshold",
        actions=[pager],
        created=start - timedelta(days=300),
    )
    age_alarm.evaluate(
        k.per_minute_to_periods({t: rows["age"][t] for t, s in pts if s == 60}, 300, "max"), fine_from, now
    )
    err_alarm = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="telemetry-enricher-errors",
        description="telemetry-enricher errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims=ld,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=10.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[pager],
        created=start - timedelta(days=300),
    )
    err_alarm.evaluate(k.per_minute_to_periods({t: 0.0 for t, s in pts if s == 60}, 300), fine_from, now)
    lat_alarm = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="telemetry-gw-latency-p90",
        description="gateway p90 latency above 1.5s",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tgd,
        stat="p90",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=1.5,
        comparison="GreaterThanThreshold",
        actions=[pager],
        created=start - timedelta(days=200),
    )
    lat_alarm.evaluate(
        k.per_minute_to_periods({t: rows["lat"][t] for t, s in pts if s == 60}, 300, "max"), fine_from, now
    )
    alarms = [a5, age_alarm, err_alarm, lat_alarm]

    # --- resources ----------------------------------------------------------------------------------
    created_stream = start - timedelta(days=rng.randint(300, 700))
    resources: list[dict[str, Any]] = [
        k.res("ec2", "Vpc", vpc),
        *[k.res("ec2", "Subnet", s) for s in subnets],
        k.res("ec2", "SecurityGroup", sg_alb),
        k.res("ec2", "SecurityGroup", sg_gw),
        k.res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": stream,
                "StreamARN": stream_arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 24,
                "StreamCreationTimestamp": k.iso(created_stream),
                "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": 4,
                "ConsumerCount": 0,
            },
        ),
    ]
    top = 2**128
    for i in range(8):
        resources.append(
            k.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": stream,
                    "ShardId": f"shardId-{i:012d}",
                    "HashKeyRange": {
                        "StartingHashKey": str(top * i // 8),
                        "EndingHashKey": str(top * (i + 1) // 8 - 1),
                    },
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": _seq(rng),
                        "EndingSequenceNumber": _seq(rng),
                    },
                },
            )
        )
    for j in range(4):
        resources.append(
            k.res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": stream,
                    "ShardId": f"shardId-{8 + j:012d}",
                    "ParentShardId": f"shardId-{2 * j:012d}",
                    "AdjacentParentShardId": f"shardId-{2 * j + 1:012d}",
                    "HashKeyRange": {
                        "StartingHashKey": str(top * j // 4),
                        "EndingHashKey": str(top * (j + 1) // 4 - 1),
                    },
                    "SequenceNumberRange": {"StartingSequenceNumber": _seq(rng)},
                },
            )
        )
    esm_uuid = k.uid(rng)
    resources.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": esm_uuid,
                "StartingPosition": "LATEST",
                "BatchSize": 500,
                "MaximumBatchingWindowInSeconds": 1,
                "ParallelizationFactor": 2,
                "EventSourceArn": stream_arn,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{enricher}",
                "LastModified": k.iso(start - timedelta(days=90)),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "User action",
                "DestinationConfig": {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": 5,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )
    )
    resources.append(
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": enricher,
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{enricher}",
                "Runtime": "java21",
                "Role": f"arn:aws:iam::{account}:role/{enricher}-role",
                "Handler": "eu.zipp.telemetry.EnrichHandler::handleRequest",
                "CodeSize": rng.randint(18_000_000, 24_000_000),
                "Timeout": 60,
                "MemorySize": 1769,
                "LastModified": (start - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "Version": "$LATEST",
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    )
    resources.append(
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": table,
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                "TableId": k.uid(rng),
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created_stream + timedelta(days=2)),
                "KeySchema": [{"AttributeName": "scooterId", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "scooterId", "AttributeType": "S"}],
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                    "NumberOfDecreasesToday": 0,
                },
                "ItemCount": rng.randint(38000, 52000),
                "TableSizeBytes": rng.randint(40_000_000, 60_000_000),
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{rng.randint(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
                "CreatedTime": k.iso(created_stream),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc["VpcId"],
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": s["AvailabilityZone"], "SubnetId": s["SubnetId"]} for s in subnets
                ],
                "SecurityGroups": [sg_alb["GroupId"]],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": gw,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc["VpcId"],
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": ntasks + 4,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "capacityProviders": ["FARGATE"],
            },
        )
    )
    t_deploy = onset - timedelta(minutes=rng.randint(14, 24), seconds=rng.randint(0, 59))
    td = f"arn:aws:ecs:{region}:{account}:task-definition/{gw}:{td_rev}"
    svc_item = k.ecs_service_item(
        account=account,
        region=region,
        cluster=cluster,
        name=gw,
        task_def=td,
        desired=ntasks,
        created=created_stream,
        deployed=t_deploy,
        subnets=subnet_ids,
        sgs=[sg_gw["GroupId"]],
        rng=rng,
        target_groups=[{"targetGroupArn": tg_arn, "containerName": gw, "containerPort": 8080}],
    )
    resources.append(k.res("ecs", "Service", svc_item))
    resources.append(
        k.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": td,
                "family": gw,
                "revision": td_rev,
                "taskRoleArn": f"arn:aws:iam::{account}:role/{gw}-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "cpu": "1024",
                "memory": "2048",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [
                    {
                        "name": gw,
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{gw}:{new_ver}",
                        "essential": True,
                        "cpu": 0,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "environment": [
                            {"name": "STREAM_NAME", "value": stream},
                            {"name": "PUT_MAX_ATTEMPTS", "value": "3"},
                            {"name": "BATCH_FLUSH_MS", "value": "50"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{gw}",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "gw",
                            },
                        },
                    }
                ],
            },
        )
    )
    for gname in (f"/ecs/{gw}", f"/aws/lambda/{enricher}"):
        resources.append(k.res("logs", "LogGroup", k.log_group_item(account, region, gname, created_stream)))

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    old_tasks = [k.ecs_task_id(rng) for _ in range(ntasks)]
    new_tasks = [k.ecs_task_id(rng) for _ in range(ntasks)]
    o3 = vpc["CidrBlock"].split(".")[1]
    new_ips = [f"10.{o3}.{rng.choice([32, 48, 64])}.{rng.randint(5, 250)}" for _ in new_tasks]
    swap = t_deploy + timedelta(minutes=4)
    for t, s in pts:
        if t < fine_from:
            continue
        tasks = new_tasks if t >= swap else old_tasks
        for _i, task in enumerate(tasks):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            d = rows["dem"][t] / s / ntasks
            thr = rows["thr"][t] / s / ntasks
            stats = {
                "level": "info",
                "ts": round(ts.timestamp(), 3),
                "caller": "ingest/flusher.go:142",
                "msg": "flush stats",
                "records": int(d * 60),
                "putCalls": int(d * 60 / 180),
                "throttledRecords": int(thr * 60),
                "p50Ms": round(rows["putlat"][t] * rng.uniform(0.9, 1.1), 1),
            }
            logs.append(k.log(f"/ecs/{gw}", f"gw/{gw}/{task}", ts, json.dumps(stats)))
            if rows["r5xx"][t] > 5:
                for _ in range(min(6, int(rows["r5xx"][t] / s / 40) + 1)):
                    te = t + timedelta(seconds=rng.uniform(0, 59))
                    shard = f"shardId-{rng.choice([8, 9, 9, 10, 11, 11]):012d}"
                    logs.append(
                        k.log(
                            f"/ecs/{gw}",
                            f"gw/{gw}/{task}",
                            te,
                            json.dumps(
                                {
                                    "level": "warn",
                                    "ts": round(te.timestamp(), 3),
                                    "caller": "ingest/kinesis.go:211",
                                    "msg": "PutRecords partial failure",
                                    "failed": rng.randint(12, 140),
                                    "total": 500,
                                    "attempt": rng.randint(1, 3),
                                    "errorCode": "ProvisionedThroughputExceededException",
                                    "errorMessage": f"Rate exceeded for shard {shard} in stream {stream} under account {account}.",
                                }
                            ),
                        )
                    )
                    te2 = te + timedelta(milliseconds=rng.randint(300, 900))
                    logs.append(
                        k.log(
                            f"/ecs/{gw}",
                            f"gw/{gw}/{task}",
                            te2,
                            json.dumps(
                                {
                                    "level": "error",
                                    "ts": round(te2.timestamp(), 3),
                                    "caller": "ingest/handler.go:97",
                                    "msg": "telemetry batch rejected",
                                    "status": 503,
                                    "reason": "records not accepted after 3 attempts",
                                    "scooterId": f"ZP-{rng.randint(100000, 999999)}",
                                    "remote": f"{rng.randint(31, 94)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                                }
                            ),
                        )
                    )
    for i, task in enumerate(new_tasks):
        ts = t_deploy + timedelta(seconds=rng.randint(40, 120))
        for msg in (
            f"starting telemetry-gateway version={new_ver}",
            f"kinesis producer ready stream={stream} maxAttempts=3",
            "listening on :8080",
        ):
            logs.append(
                k.log(
                    f"/ecs/{gw}",
                    f"gw/{gw}/{task}",
                    ts,
                    json.dumps(
                        {
                            "level": "info",
                            "ts": round(ts.timestamp(), 3),
                            "caller": "cmd/gateway/main.go:61",
                            "msg": msg,
                            "host": f"ip-{new_ips[i].replace('.', '-')}.{region}.compute.internal",
                        }
                    ),
                )
            )
            ts += timedelta(milliseconds=rng.randint(5, 400))
    for _i, task in enumerate(old_tasks):
        ts = swap + timedelta(seconds=rng.randint(0, 60))
        logs.append(
            k.log(
                f"/ecs/{gw}",
                f"gw/{gw}/{task}",
                ts,
                json.dumps(
                    {
                        "level": "info",
                        "ts": round(ts.timestamp(), 3),
                        "caller": "cmd/gateway/main.go:118",
                        "msg": "SIGTERM received, draining",
                        "inflight": rng.randint(0, 12),
                    }
                ),
            )
        )
    # unrelated warning
    tw = fine_from + timedelta(minutes=rng.randint(5, 60))
    logs.append(
        k.log(
            f"/ecs/{gw}",
            f"gw/{gw}/{old_tasks[0]}",
            tw,
            json.dumps(
                {
                    "level": "warn",
                    "ts": round(tw.timestamp(), 3),
                    "caller": "ingest/decode.go:54",
                    "msg": "dropping reading with future timestamp",
                    "skewSeconds": rng.randint(400, 4000),
                    "scooterId": f"ZP-{rng.randint(100000, 999999)}",
                }
            ),
        )
    )
    lstream = f"{day:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
    for t, _s in pts:
        if t < now - timedelta(minutes=70):
            continue
        for _ in range(2):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            rid = k.uid(rng)
            dur = rng.uniform(700, 1200)
            n = rng.randint(180, 500)
            logs.append(
                k.log(f"/aws/lambda/{enricher}", lstream, ts, f"START RequestId: {rid} Version: $LATEST")
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{enricher}",
                    lstream,
                    ts + timedelta(milliseconds=dur - 3),
                    f"{(ts + timedelta(milliseconds=dur - 3)).strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} INFO  [eu.zipp.telemetry.EnrichHandler] {rid} batch done records={n} stateWrites={int(n * 0.22)} skipped=0",
                )
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{enricher}",
                    lstream,
                    ts + timedelta(milliseconds=dur),
                    f"END RequestId: {rid}",
                )
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{enricher}",
                    lstream,
                    ts + timedelta(milliseconds=dur + 1),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 1769 MB\tMax Memory Used: {rng.randint(410, 470)} MB\t",
                )
            )

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)

    def pip() -> str:
        return f"{rng.choice([31, 62, 77, 145, 185])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"

    eng = tr.sso("t.vermeulen", "PlatformEngineer", pip())
    eng2 = tr.sso("a.kowalski", "PlatformEngineer", pip())
    dev = tr.sso("r.bakker", "Developer", pip())
    ci = tr.role(
        "gh-actions-deploy",
        "GitHubActions",
        f"20.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-js/3.569.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.12.2 api/ecs#3.569.0",
    )
    graf = tr.role(
        "grafana-readonly",
        "grafana",
        f"34.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-go/1.51.3 (go1.22.1; linux; amd64)",
    )
    cost = tr.role(
        "cost-explorer-reporter",
        "cost-report",
        f"52.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214 md/arch#x86_64 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12",
    )
    for t in k.scatter(rng, start, now, 16):
        tr.add(
            t, graf, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, None, read_only=True
        )
    for t in k.scatter(rng, start, now, 4):
        tr.add(
            t,
            cost,
            "ce.amazonaws.com",
            "GetCostAndUsage",
            {
                "timePeriod": {
                    "start": (t - timedelta(days=7)).strftime("%Y-%m-%d"),
                    "end": t.strftime("%Y-%m-%d"),
                },
                "granularity": "DAILY",
                "metrics": ["UnblendedCost"],
            },
            None,
            read_only=True,
            host="ce.us-east-1.amazonaws.com",
        )
    # the morning: cost review, reshard
    tr.add(
        reshard - timedelta(minutes=rng.randint(8, 20)),
        eng,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": stream},
        None,
        read_only=True,
    )
    tr.add(
        reshard - timedelta(minutes=rng.randint(3, 7)),
        eng,
        "kinesis.amazonaws.com",
        "ListShards",
        {"streamName": stream},
        None,
        read_only=True,
    )
    culprit = tr.add(
        reshard,
        eng,
        "kinesis.amazonaws.com",
        "UpdateShardCount",
        {"streamName": stream, "targetShardCount": 4, "scalingType": "UNIFORM_SCALING"},
        {"streamName": stream, "currentShardCount": 8, "targetShardCount": 4, "streamARN": stream_arn},
    )
    tr.add(
        reshard_done + timedelta(minutes=2),
        eng,
        "kinesis.amazonaws.com",
        "DescribeStreamSummary",
        {"streamName": stream},
        None,
        read_only=True,
    )
    tr.add(
        reshard + timedelta(minutes=rng.randint(20, 40)),
        eng,
        "kinesis.amazonaws.com",
        "AddTagsToStream",
        {"streamName": stream, "tags": {"cost-review": "2024-q" + str((day.month - 1) // 3 + 1)}},
        None,
    )
    for t in k.scatter(rng, start, onset - timedelta(hours=1), 6):
        tr.add(
            t,
            rng.choice([dev, eng2]),
            rng.choice(["ecs.amazonaws.com", "lambda.amazonaws.com"]),
            "DescribeServices" if rng.random() < 0.5 else "GetFunction",
            {"cluster": cluster, "services": [gw]} if rng.random() < 0.5 else {"functionName": enricher},
            None,
            read_only=True,
        )
    # innocent changes near the peak
    tr.add(
        t_deploy - timedelta(seconds=14),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": gw,
            "taskRoleArn": f"arn:aws:iam::{account}:role/{gw}-task",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {"name": gw, "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{gw}:{new_ver}"}
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {"taskDefinition": {"taskDefinitionArn": td, "family": gw, "revision": td_rev, "status": "ACTIVE"}},
    )
    tr.add(
        t_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": gw, "taskDefinition": f"{gw}:{td_rev}", "forceNewDeployment": False},
        {
            "service": {
                "serviceName": gw,
                "taskDefinition": td,
                "desiredCount": ntasks,
                "runningCount": ntasks,
            }
        },
    )
    t_pitr = onset - timedelta(minutes=rng.randint(5, 28))
    tr.add(
        t_pitr,
        eng2,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        {"tableName": table, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True}},
        {
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLING"},
            }
        },
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(8, 20)),
        dev,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": [f"/ecs/{gw}"],
            "queryString": "fields @timestamp, msg, status | filter level='error' | sort @timestamp desc",
            "startTime": int((onset - timedelta(minutes=30)).timestamp()),
            "endTime": int(now.timestamp()),
        },
        {"queryId": k.uid(rng)},
    )
    for t in k.scatter(rng, onset + timedelta(minutes=5), now, 3):
        tr.add(
            t,
            dev,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [gw]},
            None,
            read_only=True,
        )
    for t in k.scatter(rng, start, now, 5):
        tr.add(
            t,
            tr.aws_service("ecs-tasks.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/{gw}-task", "roleSessionName": k.hexs(rng, 32)},
            None,
            read_only=True,
        )

    # --- events -------------------------------------------------------------------------------------
    svc_arn = svc_item["serviceArn"]
    events: list[dict[str, Any]] = [
        {
            "source": "ecs",
            "item": {
                "service_arn": svc_arn,
                "event": {
                    "id": k.uid(rng),
                    "createdAt": k.iso(t_deploy + timedelta(seconds=20)),
                    "message": f"(service {gw}) has started {ntasks} tasks: "
                    + " ".join(f"(task {x})" for x in new_tasks)
                    + ".",
                },
            },
        },
        {
            "source": "ecs",
            "item": {
                "service_arn": svc_arn,
                "event": {
                    "id": k.uid(rng),
                    "createdAt": k.iso(swap + timedelta(seconds=40)),
                    "message": f"(service {gw}) has stopped {ntasks} running tasks: "
                    + " ".join(f"(task {x})" for x in old_tasks)
                    + ".",
                },
            },
        },
        k.steady_state_event(rng, svc_arn, gw, swap + timedelta(minutes=3)),
    ]
    for i, _task in enumerate(new_tasks):
        ti = {"Id": new_ips[i], "Port": 8080, "AvailabilityZone": subnets[i % 3]["AvailabilityZone"]}
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": ti,
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(t_deploy + timedelta(seconds=70)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": ti,
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(t_deploy + timedelta(seconds=rng.randint(110, 140))),
                },
            }
        )

    trigger_alarm = a5.event(0) if a5.transitions else None
    local_now = now.astimezone(TZ)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"telemetry-gw 5xx alarm paged at the start of the evening peak (it's {local_now:%H:%M} here). "
                    f"We shipped gateway {new_ver} just before it started. Should we roll it back, or is it something else?"
                ),
                "alarm_event": trigger_alarm,
                "timezone": "Europe/Amsterdam",
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
                "actions": ["scale", "rollback"],
                "chain": [
                    f"Kinesis stream {stream} resharded from 8 to 4 shards (UpdateShardCount) in the morning",
                    "At the evening peak the fleet's write rate exceeds the 4-shard ceiling (1,000 records/s per shard)",
                    "PutRecords from telemetry-gateway are throttled (WriteProvisionedThroughputExceeded)",
                    f"telemetry-gateway gives up after 3 attempts and answers 503; {lb_name} target 5xx alarm fires",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(series.rows, now),
            "alarms": [a.item() for a in alarms],
            "alarm_history": [h for a in alarms for h in a.history],
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
