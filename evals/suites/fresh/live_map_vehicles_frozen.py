"""A third of the fleet frozen on the live map (kit zu, incident 2)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zu import (
    BOTO_UA,
    CONSOLE_UA,
    Alarm,
    Ids,
    Rec,
    count,
    ct,
    datum,
    day_shape,
    iso,
    jitter,
    lambda_points,
    log,
    log_group,
    per_period,
    res,
    role_principal,
    sort_records,
    sso_principal,
    stat_datum,
    steps,
    terraform_ua,
)

NAME = "live-map-vehicles-frozen"
TITLE = "About a third of vehicles frozen on the live map since early afternoon; the rest update fine"
SUMMARY = (
    "The spool EBS volume of one position-writer instance stalled; the KCL record processors for the "
    "shards it leases block while its leases keep renewing, so those shards' vehicles stop updating."
)

TZ = 1  # Europe/London, summer
SHARDS = 8


def _hash_range(i: int) -> tuple[str, str]:
    span = 2**128 // SHARDS
    lo = span * i
    hi = (2**128 - 1) if i == SHARDS - 1 else span * (i + 1) - 1
    return str(lo), str(hi)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    acct = ids.account()
    region = "eu-west-2"
    day = datetime(2024, 5, 13, tzinfo=UTC) + timedelta(days=rng.randint(0, 120))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset = day + timedelta(hours=13, minutes=rng.randint(2, 24), seconds=rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(52, 75))
    start = (onset - timedelta(hours=5)).replace(minute=0, second=0)
    fine_from = now - timedelta(hours=2, minutes=30)
    stream = "vehicle-positions"
    stream_arn = f"arn:aws:kinesis:{region}:{acct}:stream/{stream}"
    app = "position-writer"
    live_table = "vehicle_positions_live"
    asg_name = "position-writer-asg"
    azs = ["eu-west-2a", "eu-west-2b", "eu-west-2c"]
    vpc = ids.ec2("vpc")
    subnets = [ids.ec2("subnet") for _ in azs]
    sg = ids.ec2("sg")
    ami = ids.ec2("ami")
    lt = ids.ec2("lt")
    workers: list[dict[str, Any]] = []
    for k, az in enumerate(azs):
        ip = f"10.42.{16 * k + rng.randint(1, 14)}.{rng.randint(10, 240)}"
        workers.append(
            {
                "id": ids.ec2("i"),
                "az": az,
                "subnet": subnets[k],
                "ip": ip,
                "dns": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                "root": ids.ec2("vol"),
                "spool": ids.ec2("vol"),
                "eni": ids.ec2("eni"),
                "launch": start - timedelta(days=rng.randint(3, 19), hours=rng.randint(0, 23)),
            }
        )
    bad = rng.randrange(3)
    order = list(range(SHARDS))
    rng.shuffle(order)
    leases = {w: sorted(order[w::3]) for w in range(3)}
    stuck = set(leases[bad])
    stuck_at = {s: onset + timedelta(seconds=rng.randint(5, 90)) for s in stuck}
    fleet = rng.randint(5200, 6900)

    def local_h(t: datetime) -> float:
        return ((t.hour + TZ) % 24) + t.minute / 60

    def active(t: datetime) -> float:
        return fleet * day_shape(local_h(t), peak=11.5, night=0.18, sharp=1.2)

    metrics: list[Rec] = []
    logs: list[Rec] = []
    stamps = steps(start, now, fine_from)
    share = [rng.uniform(0.9, 1.1) for _ in range(SHARDS)]
    norm = sum(share)
    share = [s / norm for s in share]
    kd = {"StreamName": stream}
    last_checkpoint: dict[int, datetime] = {}
    for t, sec in stamps:
        per_min = active(t) * 4.0  # one position per vehicle every 15 s
        total_in = 0
        total_out = 0
        iter_age = 0.0
        for s in range(SHARDS):
            recs = count(rng, per_min * share[s] * sec / 60)
            total_in += recs
            sd = {"StreamName": stream, "ShardId": f"shardId-{s:012d}"}
            metrics.append(datum("AWS/Kinesis", "IncomingRecords", sd, t, "Count", recs))
            blocked = s in stuck and t >= stuck_at[s] - timedelta(seconds=20)
            if blocked:
                # the prefetcher fills its small queue and then stops calling GetRecords
                out = recs if t < stuck_at[s] + timedelta(minutes=1) else 0
                if out:
                    metrics.append(datum("AWS/Kinesis", "OutgoingRecords", sd, t, "Count", out))
                    total_out += out
                continue
            metrics.append(datum("AWS/Kinesis", "OutgoingRecords", sd, t, "Count", recs))
            total_out += recs
            age = rng.uniform(300, 1400)
            iter_age = max(iter_age, age)
            metrics.append(datum("AWS/Kinesis", "IteratorAgeMilliseconds", sd, t, "Milliseconds", age))
            # KCL per-shard metrics from the worker holding the lease
            kcl = {"ShardId": f"shardId-{s:012d}", "Operation": "ProcessTask"}
            metrics.append(datum(app, "RecordsProcessed", kcl, t, "Count", recs))
            metrics.append(
                datum(app, "MillisBehindLatest", kcl, t, "Milliseconds", age - rng.uniform(100, 250))
            )
            last_checkpoint[s] = t
        metrics.append(datum("AWS/Kinesis", "IncomingRecords", kd, t, "Count", total_in))
        metrics.append(
            datum("AWS/Kinesis", "IncomingBytes", kd, t, "Bytes", total_in * rng.randint(182, 190))
        )
        metrics.append(datum("AWS/Kinesis", "GetRecords.Records", kd, t, "Count", total_out))
        metrics.append(
            datum("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", kd, t, "Milliseconds", iter_age)
        )
        # DynamoDB live table: one write per processed position batch per vehicle
        ok_share = sum(share[s] for s in range(SHARDS) if not (s in stuck and t >= stuck_at[s]))
        writes = count(rng, active(t) * (sec / 60) * 3.6 * ok_share)
        ld = {"TableName": live_table}
        metrics.append(datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", ld, t, "Count", writes))
        metrics.append(
            datum(
                "AWS/DynamoDB",
                "ConsumedReadCapacityUnits",
                ld,
                t,
                "Count",
                count(rng, active(t) * sec / 60 * 1.1) / 2,
            )
        )
        metrics.append(
            stat_datum(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": live_table, "Operation": "BatchWriteItem"},
                t,
                "Milliseconds",
                max(1, writes // 25),
                max(1, writes // 25) * jitter(rng, 9.5, 0.06),
                4.1,
                rng.uniform(25, 60),
            )
        )
        lease_writes = count(rng, (sec / 60) * (SHARDS * 6 + ok_share * SHARDS * 1.0))
        metrics.append(
            datum("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": app}, t, "Count", lease_writes)
        )
        # workers
        for w, wk in enumerate(workers):
            wd = {"InstanceId": wk["id"]}
            n_ok = sum(1 for s in leases[w] if not (s in stuck and t >= stuck_at[s]))
            cpu = 8 + 15 * day_shape(local_h(t), 11.5, 0.2) * n_ok + rng.gauss(0, 1.5)
            if w == bad and t >= onset:
                cpu = rng.uniform(1.1, 2.4)
            metrics.append(datum("AWS/EC2", "CPUUtilization", wd, t, "Percent", max(0.5, cpu)))
            net = (per_min * sec / 60) * sum(share[s] for s in leases[w]) * 190
            if w == bad and t >= onset + timedelta(minutes=1):
                net = rng.uniform(38000, 52000) * sec / 60
            metrics.append(datum("AWS/EC2", "NetworkIn", wd, t, "Bytes", int(net * rng.uniform(0.95, 1.08))))
            if sec == 60:
                metrics.append(datum("AWS/EC2", "StatusCheckFailed_Instance", wd, t, "Count", 0))
                metrics.append(datum("AWS/EC2", "StatusCheckFailed_System", wd, t, "Count", 0))
                ebs_bad = 1 if (w == bad and t >= onset + timedelta(minutes=2)) else 0
                metrics.append(datum("AWS/EC2", "StatusCheckFailed_AttachedEBS", wd, t, "Count", ebs_bad))
            # KCL worker metrics: leases are still renewed on the stalled worker
            kw = {"Operation": "RenewAllLeases", "WorkerIdentifier": wk["dns"]}
            metrics.append(datum(app, "CurrentLeases", kw, t, "Count", len(leases[w])))
            # spool volume
            vd = {"VolumeId": wk["spool"]}
            if w == bad and t >= onset:
                metrics.append(datum("AWS/EBS", "VolumeWriteOps", vd, t, "Count", 0))
                metrics.append(datum("AWS/EBS", "VolumeWriteBytes", vd, t, "Bytes", 0))
                metrics.append(
                    datum("AWS/EBS", "VolumeQueueLength", vd, t, "Count", rng.choice([31.0, 32.0, 32.0]))
                )
                metrics.append(datum("AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", 0))
                if sec == 60:
                    stalled = 1 if t >= onset + timedelta(minutes=1) else 0
                    metrics.append(datum("AWS/EBS", "VolumeStalledIOCheck", vd, t, "None", stalled))
            else:
                ops = count(rng, n_ok * 52 * sec / 60 * day_shape(local_h(t), 11.5, 0.3))
                metrics.append(datum("AWS/EBS", "VolumeWriteOps", vd, t, "Count", ops))
                metrics.append(
                    datum("AWS/EBS", "VolumeWriteBytes", vd, t, "Bytes", ops * rng.randint(60000, 66000))
                )
                metrics.append(
                    datum("AWS/EBS", "VolumeQueueLength", vd, t, "Count", round(rng.uniform(0.01, 0.09), 4))
                )
                metrics.append(
                    datum("AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", sec * rng.uniform(0.86, 0.95))
                )
                if sec == 60:
                    metrics.append(datum("AWS/EBS", "VolumeStalledIOCheck", vd, t, "None", 0))
        # live-map staleness probe (custom)
        frozen = sum(share[s] for s in stuck if t >= stuck_at[s] + timedelta(minutes=5))
        stale = active(t) * frozen + count(rng, 35)
        metrics.append(
            datum(
                "Haulwise/LiveMap", "VehiclesStaleOver5m", {"Environment": "prod"}, t, "Count", round(stale)
            )
        )
    # the staleness probe Lambda
    for t, sec in stamps:
        lambda_points(
            metrics, rng, "live-map-staleness-probe", t, sec // 60, jitter(rng, 640, 0.1), concurrency=1.0
        )

    # --- logs ------------------------------------------------------------------------------------
    group = f"/haulwise/{app}"
    sysgroup = "/haulwise/ec2/messages"
    log_from = now - timedelta(hours=2, minutes=30)
    seq = {
        s: 49650000000000000000000000000000000000000000000000000000 + rng.randint(0, 10**20) * 1000 + s
        for s in range(SHARDS)
    }
    for w, wk in enumerate(workers):
        stream_name = f"{wk['id']}/application.log"
        t = log_from + timedelta(seconds=rng.randint(0, 20))
        while t <= now:
            for s in leases[w]:
                if s in stuck and t >= stuck_at[s]:
                    continue
                n = count(rng, active(t) * 4 * share[s])
                seq[s] += n * rng.randint(10**9, 10**10)
                at = t + timedelta(milliseconds=rng.randint(0, 4000))
                logs.append(
                    log(
                        group,
                        stream_name,
                        at,
                        f"{(at + timedelta(hours=0)).strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} INFO  "
                        f"[ShardRecordProcessor-{s:04d}] c.h.positions.PositionRecordProcessor - shardId-{s:012d} "
                        f"checkpointed records={n} vehicles={int(n / 4.1)} ddb_ms={rng.randint(18, 55)} "
                        f"spool_ms={rng.randint(2, 9)} seq={seq[s]}",
                    )
                )
            if rng.random() < 0.1:
                at = t + timedelta(seconds=rng.randint(5, 50))
                mine = len(leases[w])
                logs.append(
                    log(
                        group,
                        stream_name,
                        at,
                        f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} INFO  [LeaseCoordinator-0000] "
                        f"s.a.k.leases.dynamodb.DynamoDBLeaseTaker - Worker {wk['dns']} saw {SHARDS} total leases, "
                        f"0 available leases, 3 workers. Target is {mine} leases, I have {mine} leases, I will "
                        "take 0 leases",
                    )
                )
            if rng.random() < 0.015:
                at = t + timedelta(seconds=rng.randint(5, 50))
                logs.append(
                    log(
                        group,
                        stream_name,
                        at,
                        f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} WARN  [ShardRecordProcessor-{leases[w][0]:04d}] "
                        "c.h.positions.PositionRecordProcessor - dropped 1 record with out-of-order fix timestamp "
                        f"(device={ids.upper(10)}, skew={rng.randint(40, 400)}s)",
                    )
                )
            if rng.random() < 0.03:
                at = t + timedelta(seconds=rng.randint(5, 50))
                logs.append(
                    log(
                        group,
                        stream_name,
                        at,
                        f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} WARN  [aws-java-sdk-NettyEventLoop-2-1] "
                        "c.h.positions.LiveTableWriter - BatchWriteItem returned 1 UnprocessedItems, retrying (attempt 1)",
                    )
                )
            t += timedelta(seconds=60)
        # hourly archive upload from the spool
        h = log_from.replace(minute=5, second=0) + timedelta(hours=1)
        while h <= now:
            if not (w == bad and h >= onset):
                logs.append(
                    log(
                        group,
                        stream_name,
                        h + timedelta(seconds=rng.randint(1, 30)),
                        f"{h.strftime('%Y-%m-%d %H:%M:%S')}.{rng.randint(100, 999)} INFO  [spool-uploader] "
                        f"c.h.positions.SpoolUploader - uploaded {rng.randint(2, 3)} segments "
                        f"({rng.randint(180, 420)} MiB) to s3://haulwise-positions-archive-{acct}/raw/"
                        f"{(h - timedelta(hours=1)).strftime('%Y/%m/%d/%H')}/",
                    )
                )
            h += timedelta(hours=1)
        # kernel messages shipped by the CloudWatch agent
        sstream = f"{wk['id']}/messages"
        for at in [log_from + timedelta(minutes=rng.randint(0, 140)) for _ in range(4)]:
            logs.append(
                log(
                    sysgroup,
                    sstream,
                    at,
                    f"{(at).strftime('%b %d %H:%M:%S')} {wk['dns'].split('.')[0]} systemd[1]: Started "
                    "sysstat-collect.service - system activity accounting tool.",
                )
            )
        if w == bad:
            host = wk["dns"].split(".")[0]
            pid = rng.randint(2900, 4800)
            for k in range(5):
                at = onset + timedelta(seconds=123 + 122 * k + rng.randint(0, 3))
                if at > now:
                    break
                for task, tid in (
                    [("java", pid + 37 + k), ("jbd2/nvme1n1-8", rng.randint(380, 420))]
                    if k == 0
                    else [("java", pid + 37 + k)]
                ):
                    logs.append(
                        log(
                            sysgroup,
                            sstream,
                            at,
                            f"{at.strftime('%b %d %H:%M:%S')} {host} kernel: INFO: task {task}:{tid} blocked for more "
                            f"than {120 + 2 * k} seconds.",
                        )
                    )
                    logs.append(
                        log(
                            sysgroup,
                            sstream,
                            at,
                            f"{at.strftime('%b %d %H:%M:%S')} {host} kernel:       Not tainted "
                            "6.1.91-99.172.amzn2023.x86_64 #1",
                        )
                    )
                    logs.append(
                        log(
                            sysgroup,
                            sstream,
                            at,
                            f'{at.strftime("%b %d %H:%M:%S")} {host} kernel: "echo 0 > '
                            '/proc/sys/kernel/hung_task_timeout_secs" disables this message.',
                        )
                    )

    # --- alarms ----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{acct}:telemetry-oncall"
    a_age = Alarm(
        acct,
        region,
        "vehicle-positions-iterator-age",
        "position-writer falling behind vehicle-positions",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        kd,
        "Maximum",
        60,
        5,
        5,
        120000,
        "GreaterThanThreshold",
        [topic],
        configured=start - timedelta(days=220),
    )
    a_age.evaluate(
        per_period(metrics, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", kd, 60, "Maximum"),
        fine_from,
        now,
        rng,
    )
    a_thr = Alarm(
        acct,
        region,
        "vehicle-positions-write-throttled",
        "Producers throttled on vehicle-positions",
        "AWS/Kinesis",
        "WriteProvisionedThroughputExceeded",
        kd,
        "Sum",
        300,
        2,
        2,
        50,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=220),
    )
    a_thr.evaluate({}, start, now, rng)
    a_cpu = Alarm(
        acct,
        region,
        "position-writer-asg-cpu-high",
        "position-writer fleet CPU high",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg_name},
        "Average",
        300,
        3,
        3,
        80,
        "GreaterThanThreshold",
        [topic],
        configured=start - timedelta(days=180),
    )
    cpu_pts: dict[datetime, float] = {}
    for wkr in workers:
        for pk, pv in per_period(
            metrics, "AWS/EC2", "CPUUtilization", {"InstanceId": wkr["id"]}, 300, "Average"
        ).items():
            cpu_pts[pk] = cpu_pts.get(pk, 0) + pv / 3
    a_cpu.evaluate(cpu_pts, start, now, rng)
    a_ddb = Alarm(
        acct,
        region,
        "vehicle-positions-live-system-errors",
        "DynamoDB system errors on the live positions table",
        "AWS/DynamoDB",
        "SystemErrors",
        {"TableName": live_table},
        "Sum",
        60,
        3,
        3,
        5,
        "GreaterThanThreshold",
        [topic],
        missing="notBreaching",
        configured=start - timedelta(days=300),
    )
    a_ddb.evaluate({}, start, now, rng)
    alarms = [a_age, a_thr, a_cpu, a_ddb]
    # ASG-level CPU as CloudWatch publishes it for groups with metrics collection
    for pk, pv in sorted(cpu_pts.items()):
        metrics.append(
            datum(
                "AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg_name}, pk, "Percent", round(pv, 3)
            )
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    ct_recs: list[Rec] = []
    inst_role = "position-writer-instance"
    for w, wk in enumerate(workers):
        p = role_principal(ids, acct, inst_role, wk["id"], wk["ip"], "", wk["launch"])
        p.identity["sessionContext"]["ec2RoleDelivery"] = "2.0"
        p.agent = "aws-sdk-go/1.44.260 (go1.21.9; linux; amd64) amazon-ssm-agent/3.3.484.0"
        t = start + timedelta(seconds=rng.randint(0, 299))
        while t <= now:
            ct_recs.append(
                ct(
                    ids,
                    acct,
                    region,
                    p,
                    t,
                    "ssm.amazonaws.com",
                    "UpdateInstanceInformation",
                    {
                        "instanceId": wk["id"],
                        "agentVersion": "3.3.484.0",
                        "agentStatus": "Active",
                        "platformType": "Linux",
                        "platformName": "Amazon Linux",
                        "platformVersion": "2023",
                        "iPAddress": wk["ip"],
                        "computerName": wk["dns"],
                        "agentName": "amazon-ssm-agent",
                        "availabilityZone": wk["az"],
                        "availabilityZoneId": f"euw2-az{azs.index(wk['az']) + 1}",
                    },
                    None,
                    version="1.08",
                )
            )
            t += timedelta(minutes=5, seconds=rng.randint(-3, 3))
        # KCL leader shard sync (worker 0 is the leader)
        if w == (bad + 1) % 3:
            kp = role_principal(ids, acct, inst_role, wk["id"], wk["ip"], "", wk["launch"])
            kp.identity = p.identity
            kp.agent = (
                "aws-sdk-java/2.25.40 Linux/6.1.91-99.172.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS "
                "Java/17.0.11 vendor/Amazon.com_Inc. io/async http/NettyNio cfg/retry-mode/legacy "
                "amazon-kinesis-client-library-java-2.5.8"
            )
            t = start + timedelta(seconds=rng.randint(0, 599))
            while t <= now:
                ct_recs.append(
                    ct(
                        ids,
                        acct,
                        region,
                        kp,
                        t,
                        "kinesis.amazonaws.com",
                        "ListShards",
                        {"streamARN": stream_arn, "shardFilter": {"type": "AT_LATEST"}},
                        None,
                        read_only=True,
                        version="1.08",
                    )
                )
                t += timedelta(minutes=10, seconds=rng.randint(-5, 5))
    # innocent: PITR turned on for the live table (console) before the onset
    de = sso_principal(
        ids,
        acct,
        region,
        "DataEngineer",
        "sofia.marsh@haulwise.co.uk",
        ids.ip(),
        CONSOLE_UA,
        onset - timedelta(hours=1),
    )
    de.identity["sessionCredentialFromConsole"] = "true"
    pitr_t = onset - timedelta(minutes=rng.randint(12, 22), seconds=rng.randint(0, 59))
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            de,
            pitr_t - timedelta(seconds=40),
            "dynamodb.amazonaws.com",
            "DescribeContinuousBackups",
            {"tableName": live_table},
            None,
            read_only=True,
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            de,
            pitr_t,
            "dynamodb.amazonaws.com",
            "UpdateContinuousBackups",
            {
                "tableName": live_table,
                "pointInTimeRecoverySpecification": {
                    "pointInTimeRecoveryEnabled": True,
                    "recoveryPeriodInDays": 7,
                },
            },
            {
                "continuousBackupsDescription": {
                    "continuousBackupsStatus": "ENABLED",
                    "pointInTimeRecoveryDescription": {
                        "pointInTimeRecoveryStatus": "ENABLING",
                        "recoveryPeriodInDays": 7,
                    },
                }
            },
        )
    )
    # innocent: cost-allocation tagging touches the position-writer volumes just before the onset
    tagger = role_principal(
        ids, acct, "tag-enforcer-lambda", "tag-enforcer", ids.ip(), BOTO_UA, onset - timedelta(minutes=15)
    )
    tag_t = onset - timedelta(minutes=rng.randint(6, 11), seconds=rng.randint(0, 59))
    vols = [wk["root"] for wk in workers] + [wk["spool"] for wk in workers]
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            tagger,
            tag_t - timedelta(seconds=3),
            "ec2.amazonaws.com",
            "DescribeVolumes",
            {
                "volumeSet": {},
                "filterSet": {"items": [{"name": "tag:Service", "valueSet": {"items": [{"value": app}]}}]},
            },
            None,
            read_only=True,
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            tagger,
            tag_t,
            "ec2.amazonaws.com",
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": v} for v in vols]},
                "tagSet": {
                    "items": [
                        {"key": "CostCenter", "value": "TEL-220"},
                        {"key": "DataClass", "value": "telemetry"},
                    ]
                },
            },
            {"requestId": ids.uuid(), "_return": True},
        )
    )
    # innocent: the geofence team's deploy after the onset
    gci = role_principal(
        ids,
        acct,
        "gha-geofence-deploy",
        f"GitHubActions-{rng.randint(9100000000, 9199999999)}",
        ids.ip(),
        terraform_ua("lambda#1.54.0"),
        onset,
    )
    dep_t = onset + timedelta(minutes=rng.randint(4, 14))
    gfn = "geofence-alerts"
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            gci,
            dep_t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": gfn,
                "s3Bucket": f"haulwise-artifacts-{acct}",
                "s3Key": f"geofence-alerts/{ids.hexs(40)}.zip",
                "publish": True,
            },
            {
                "functionName": gfn,
                "functionArn": f"arn:aws:lambda:{region}:{acct}:function:{gfn}:58",
                "runtime": "python3.12",
                "codeSha256": ids.b64(43) + "=",
                "version": "58",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
            version="1.08",
        )
    )
    ct_recs.append(
        ct(
            ids,
            acct,
            region,
            gci,
            dep_t + timedelta(seconds=9),
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            {"functionName": gfn, "name": "live", "functionVersion": "58"},
            {
                "aliasArn": f"arn:aws:lambda:{region}:{acct}:function:{gfn}:live",
                "name": "live",
                "functionVersion": "58",
            },
            version="1.08",
        )
    )
    # routine: on-call / support engineers looking at things
    sre = sso_principal(
        ids,
        acct,
        region,
        "PlatformEngineer",
        "kwame.asante@haulwise.co.uk",
        ids.ip(),
        CONSOLE_UA,
        now - timedelta(minutes=30),
    )
    sre.identity["sessionCredentialFromConsole"] = "true"
    reads: list[tuple[str, str, Rec]] = [
        ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "vehicle-positions"}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        (
            "ec2.amazonaws.com",
            "DescribeInstances",
            {"instancesSet": {"items": [{"instanceId": wk["id"]} for wk in workers]}, "filterSet": {}},
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": live_table}),
    ]
    for k, (src, name, prm) in enumerate(reads):
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                sre,
                now - timedelta(minutes=17 - 3 * k, seconds=rng.randint(0, 50)),
                src,
                name,
                prm,
                None,
                read_only=True,
            )
        )
    # earlier in the day: an engineer via the CLI, the nightly AMI bake
    cli = sso_principal(
        ids,
        acct,
        region,
        "PlatformEngineer",
        "lena.fischer@haulwise.co.uk",
        ids.ip(),
        "",
        start + timedelta(hours=1),
    )
    cli.agent = "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1020-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#kinesis.describe-stream-consumer"
    for k in range(4):
        at = start + timedelta(hours=1, minutes=10 + 7 * k)
        ct_recs.append(
            ct(
                ids,
                acct,
                region,
                cli,
                at,
                "kinesis.amazonaws.com",
                "ListStreamConsumers" if k % 2 == 0 else "DescribeStreamSummary",
                {"streamARN": stream_arn} if k % 2 == 0 else {"streamName": stream},
                None,
                read_only=True,
                version="1.08",
            )
        )

    # --- resources -------------------------------------------------------------------------------
    resources: list[Rec] = []
    created = start - timedelta(days=540)
    resources.append(
        res(
            "kinesis",
            "StreamDescriptionSummary",
            {
                "StreamName": stream,
                "StreamARN": stream_arn,
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
                "RetentionPeriodHours": 48,
                "StreamCreationTimestamp": iso(created),
                "EnhancedMonitoring": [
                    {"ShardLevelMetrics": ["IncomingRecords", "OutgoingRecords", "IteratorAgeMilliseconds"]}
                ],
                "EncryptionType": "KMS",
                "KeyId": "alias/aws/kinesis",
                "OpenShardCount": SHARDS,
                "ConsumerCount": 0,
            },
        )
    )
    for s in range(SHARDS):
        lo, hi = _hash_range(s)
        resources.append(
            res(
                "kinesis",
                "StreamShard",
                {
                    "StreamName": stream,
                    "ShardId": f"shardId-{s:012d}",
                    "HashKeyRange": {"StartingHashKey": lo, "EndingHashKey": hi},
                    "SequenceNumberRange": {
                        "StartingSequenceNumber": str(
                            49590000000000000000000000000000000000000000000000000000 + s * 10**20
                        )
                    },
                },
            )
        )
    for w, wk in enumerate(workers):
        tags = [
            {"Key": "Name", "Value": app},
            {"Key": "Service", "Value": app},
            {"Key": "aws:autoscaling:groupName", "Value": asg_name},
            {"Key": "aws:ec2launchtemplate:id", "Value": lt},
            {"Key": "aws:ec2launchtemplate:version", "Value": "14"},
        ]
        resources.append(
            res(
                "ec2",
                "Instance",
                {
                    "AmiLaunchIndex": 0,
                    "ImageId": ami,
                    "InstanceId": wk["id"],
                    "InstanceType": "c6i.large",
                    "LaunchTime": iso(wk["launch"]),
                    "Monitoring": {"State": "enabled"},
                    "Placement": {"AvailabilityZone": wk["az"], "GroupName": "", "Tenancy": "default"},
                    "PrivateDnsName": wk["dns"],
                    "PrivateIpAddress": wk["ip"],
                    "ProductCodes": [],
                    "PublicDnsName": "",
                    "State": {"Code": 16, "Name": "running"},
                    "StateTransitionReason": "",
                    "SubnetId": wk["subnet"],
                    "VpcId": vpc,
                    "Architecture": "x86_64",
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {
                                "AttachTime": iso(wk["launch"]),
                                "DeleteOnTermination": True,
                                "Status": "attached",
                                "VolumeId": wk["root"],
                            },
                        },
                        {
                            "DeviceName": "/dev/sdf",
                            "Ebs": {
                                "AttachTime": iso(wk["launch"]),
                                "DeleteOnTermination": True,
                                "Status": "attached",
                                "VolumeId": wk["spool"],
                            },
                        },
                    ],
                    "EbsOptimized": True,
                    "EnaSupport": True,
                    "Hypervisor": "xen",
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{acct}:instance-profile/{inst_role}",
                        "Id": "AIPA" + ids.upper(17),
                    },
                    "NetworkInterfaces": [
                        {
                            "Attachment": {
                                "AttachTime": iso(wk["launch"]),
                                "AttachmentId": ids.ec2("eni-attach"),
                                "DeleteOnTermination": True,
                                "DeviceIndex": 0,
                                "Status": "attached",
                                "NetworkCardIndex": 0,
                            },
                            "Description": "",
                            "Groups": [{"GroupId": sg, "GroupName": "position-writer"}],
                            "Ipv6Addresses": [],
                            "MacAddress": ":".join(ids.hexs(2) for _ in range(6)),
                            "NetworkInterfaceId": wk["eni"],
                            "OwnerId": acct,
                            "PrivateDnsName": wk["dns"],
                            "PrivateIpAddress": wk["ip"],
                            "PrivateIpAddresses": [
                                {"Primary": True, "PrivateDnsName": wk["dns"], "PrivateIpAddress": wk["ip"]}
                            ],
                            "SourceDestCheck": True,
                            "Status": "in-use",
                            "SubnetId": wk["subnet"],
                            "VpcId": vpc,
                            "InterfaceType": "interface",
                        }
                    ],
                    "RootDeviceName": "/dev/xvda",
                    "RootDeviceType": "ebs",
                    "SecurityGroups": [{"GroupId": sg, "GroupName": "position-writer"}],
                    "SourceDestCheck": True,
                    "Tags": tags,
                    "VirtualizationType": "hvm",
                    "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
                    "MetadataOptions": {
                        "State": "applied",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 2,
                        "HttpEndpoint": "enabled",
                        "HttpProtocolIpv6": "disabled",
                        "InstanceMetadataTags": "disabled",
                    },
                    "MaintenanceOptions": {"AutoRecovery": "default"},
                    "PlatformDetails": "Linux/UNIX",
                    "UsageOperation": "RunInstances",
                },
            )
        )
        ebs_status: Rec = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
        if w == bad:
            ebs_status = {
                "Status": "impaired",
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(onset + timedelta(minutes=2)),
                    }
                ],
            }
        resources.append(
            res(
                "ec2",
                "InstanceStatus",
                {
                    "AvailabilityZone": wk["az"],
                    "InstanceId": wk["id"],
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "AttachedEbsStatus": ebs_status,
                },
            )
        )
        for vol, size, dev, kind in [
            (wk["root"], 20, "/dev/xvda", "root"),
            (wk["spool"], 100, "/dev/sdf", "spool"),
        ]:
            vt = [
                {"Key": "Service", "Value": app},
                {"Key": "Name", "Value": f"{app}-{kind}"},
                {"Key": "CostCenter", "Value": "TEL-220"},
                {"Key": "DataClass", "Value": "telemetry"},
            ]
            resources.append(
                res(
                    "ec2",
                    "Volume",
                    {
                        "Attachments": [
                            {
                                "AttachTime": iso(wk["launch"]),
                                "Device": dev,
                                "InstanceId": wk["id"],
                                "State": "attached",
                                "VolumeId": vol,
                                "DeleteOnTermination": True,
                            }
                        ],
                        "AvailabilityZone": wk["az"],
                        "CreateTime": iso(wk["launch"]),
                        "Encrypted": True,
                        "Size": size,
                        "SnapshotId": "" if kind == "spool" else ids.ec2("snap"),
                        "State": "in-use",
                        "VolumeId": vol,
                        "Iops": 3000,
                        "Tags": vt,
                        "VolumeType": "gp3",
                        "MultiAttachEnabled": False,
                        "Throughput": 125 if kind == "root" else 250,
                    },
                )
            )
    resources.append(
        res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg_name,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{ids.uuid()}:autoScalingGroupName/{asg_name}",
                "LaunchTemplate": {"LaunchTemplateId": lt, "LaunchTemplateName": app, "Version": "14"},
                "MinSize": 3,
                "MaxSize": 6,
                "DesiredCapacity": 3,
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "LoadBalancerNames": [],
                "TargetGroupARNs": [],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": wk["id"],
                        "InstanceType": "c6i.large",
                        "AvailabilityZone": wk["az"],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt,
                            "LaunchTemplateName": app,
                            "Version": "14",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for wk in workers
                ],
                "CreatedTime": iso(created + timedelta(days=30)),
                "VPCZoneIdentifier": ",".join(subnets),
                "EnabledMetrics": [{"Metric": "GroupInServiceInstances", "Granularity": "1Minute"}],
                "Tags": [
                    {
                        "ResourceId": asg_name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Service",
                        "Value": app,
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "CapacityRebalance": False,
            },
        )
    )
    for tname, keys, billing, items in [
        (live_table, [("vehicle_id", "S")], "PAY_PER_REQUEST", fleet + rng.randint(300, 900)),
        (app, [("leaseKey", "S")], "PAY_PER_REQUEST", SHARDS),
    ]:
        resources.append(
            res(
                "dynamodb",
                "TableDescription",
                {
                    "AttributeDefinitions": [{"AttributeName": k, "AttributeType": ty} for k, ty in keys],
                    "TableName": tname,
                    "KeySchema": [{"AttributeName": keys[0][0], "KeyType": "HASH"}],
                    "TableStatus": "ACTIVE",
                    "CreationDateTime": iso(created + timedelta(days=2)),
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "TableSizeBytes": items * rng.randint(300, 900),
                    "ItemCount": items,
                    "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/{tname}",
                    "TableId": ids.uuid(),
                    "BillingModeSummary": {
                        "BillingMode": billing,
                        "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=2)),
                    },
                    "DeletionProtectionEnabled": tname == live_table,
                },
            )
        )
    resources.append(
        res(
            "s3",
            "Bucket",
            {
                "Name": f"haulwise-positions-archive-{acct}",
                "CreationDate": iso(created),
                "BucketRegion": region,
            },
        )
    )
    resources.append(
        res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": "live-map-staleness-probe",
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:live-map-staleness-probe",
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{acct}:role/live-map-staleness-probe",
                "Handler": "probe.handler",
                "CodeSize": rng.randint(4000, 9000),
                "Description": "Counts vehicles whose live position is older than 5 minutes",
                "Timeout": 30,
                "MemorySize": 256,
                "LastModified": (start - timedelta(days=64)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": ids.b64(43) + "=",
                "Version": "$LATEST",
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": ids.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "Environment": {"Variables": {"TABLE": live_table, "STALE_AFTER_SECONDS": "300"}},
            },
        )
    )
    resources.append(log_group(acct, region, group, created, 14, rng.randint(10**9, 10**10)))
    resources.append(log_group(acct, region, sysgroup, created, 7, rng.randint(10**7, 10**8)))

    lo_s, hi_s = iso(start), iso(now)
    records = sort_records(
        {
            "metrics": [m for m in metrics if lo_s <= m["timestamp"] <= hi_s],
            "alarms": [
                a.item(
                    start
                    - timedelta(
                        days=2 + i,
                        hours=3 * i,
                        minutes=11 * i + rng.randint(0, 9),
                        seconds=rng.randint(0, 59),
                    )
                )
                for i, a in enumerate(alarms)
            ],
            "alarm_history": [h for a in alarms for h in a.history],
            "logs": [lg for lg in logs if lg["timestamp"] <= int(now.timestamp() * 1000)],
            "cloudtrail": [r for r in ct_recs if lo_s <= r["eventTime"] <= hi_s],
            "resources": resources,
        }
    )
    local_onset = onset + timedelta(hours=TZ)
    bw = workers[bad]
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"Customers are ringing support: since about {local_onset.strftime('%-I:%M%p').lower()} a lot of vehicles "
                    "have stopped moving on the live map. It's a big chunk of the fleet, maybe a quarter to a third, spread across every customer; "
                    "the rest are updating normally. No deploys to the position pipeline today. What's going on?"
                ),
                "alarm_event": None,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bw["spool"],
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-stalled-io",
                    "event_id": None,
                },
                "also_accept": [bw["id"], bw["dns"]],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"EBS volume {bw['spool']} (the spool volume of position-writer instance {bw['id']}) stopped completing I/O.",
                    f"The KCL record processors on {bw['id']} for shards {', '.join(f'shardId-{s:012d}' for s in sorted(stuck))} block on spool writes while its leases keep renewing.",
                    f"Those shards of {stream} are no longer read, so their vehicles' rows in {live_table} stop updating.",
                    "About a third of vehicles freeze on the live map; the stream-level iterator age stays low because the stalled shards are not polled.",
                ],
            },
        }
    )
    return Bundle(manifest, records)
