"""The single Kafka Connect worker that sinks MSK order events to S3 hangs (instance status check failed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zzh as k

NAME = "orders-lake-stale-connect-worker"
TITLE = "Orders table in Athena stopped getting new rows this afternoon"
SUMMARY = (
    "The EC2 instance running the only Kafka Connect worker for the S3 sink hung (kernel soft lockups, "
    "instance status check failed); the sink's consumer lag on MSK grew and the data lake went stale."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}/{seed}")
    acct = k.account(rng)
    region, tz = rng.choice(
        [
            ("ap-southeast-2", "Australia/Sydney"),
            ("eu-north-1", "Europe/Stockholm"),
            ("ca-central-1", "America/Toronto"),
        ]
    )
    day = k.day_start(rng)
    local_mid = day.replace(tzinfo=ZoneInfo(tz))
    t_fail = (
        local_mid
        + timedelta(hours=rng.randint(13, 15), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    ).astimezone(k.UTC)
    start = (t_fail - timedelta(hours=3, minutes=30)).replace(minute=0, second=0)
    now = t_fail + timedelta(minutes=rng.randint(55, 75))
    end = now

    cluster = "orders-events-prod"
    cuuid = k.uuid(rng) + "-" + str(rng.randint(1, 9))
    cluster_arn = f"arn:aws:kafka:{region}:{acct}:cluster/{cluster}/{cuuid}"
    topic_name = "orders.v2"
    parts = 6
    sink_group = "connect-orders-s3-sink"
    groups = {sink_group: None, "fraud-scoring": None, "order-notifications-lambda": None}
    lake = f"shopwave-orders-lake-{acct}"
    iid = "i-0" + k.hexid(rng, 16)
    bastion = "i-0" + k.hexid(rng, 16)
    sched = "i-0" + k.hexid(rng, 16)
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    az = rng.choice(azs)
    sns = f"arn:aws:sns:{region}:{acct}:data-eng-alerts"
    rate = rng.uniform(90, 180)  # messages/s on the topic, midday

    def msg_rate(t: datetime) -> float:
        h = t.astimezone(ZoneInfo(tz)).hour + t.minute / 60.0
        return rate * (0.8 + 0.25 * (1 - abs(h - 14) / 8))

    metrics: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    cdims = {"Cluster Name": cluster}
    # sink commits every 10 minutes (rotate.schedule.interval.ms=600000) plus jitter
    commit_off = rng.randint(0, 9)
    last_commit = start - timedelta(minutes=rng.randint(1, 9))
    t = start
    while t < now:
        ts = k.iso(t)
        r = msg_rate(t)
        healthy = t < t_fail
        if healthy and (t.minute % 10) == commit_off:
            last_commit = t + timedelta(seconds=rng.randint(2, 40))
        lag_s = (
            (t - last_commit).total_seconds() + 30
            if not healthy
            else max(5.0, (t - last_commit).total_seconds() + rng.uniform(5, 40))
        )
        lag_s = max(lag_s, 5.0)
        sink_sum = int(r * lag_s)
        for g in groups:
            gd = {"Cluster Name": cluster, "Consumer Group": g, "Topic": topic_name}
            if g == sink_group:
                mx, sm, tl = sink_sum / parts * rng.uniform(1.05, 1.2), sink_sum, lag_s
            else:
                sm = int(r * rng.uniform(0.2, 1.5))
                mx, tl = sm / parts * 1.6, rng.uniform(0.5, 3)
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "SumOffsetLag",
                    "dimensions": gd,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(int(sm)),
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "MaxOffsetLag",
                    "dimensions": gd,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(int(mx)),
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "EstimatedMaxTimeLag",
                    "dimensions": gd,
                    "timestamp": ts,
                    "unit": "Seconds",
                    "value": round(float(tl), 1),
                }
            )
        for b in (1, 2, 3):
            bd = {"Cluster Name": cluster, "Broker ID": str(b)}
            bin_ = r * rng.uniform(1400, 1600) / 3
            consumers = 3 if healthy else 2
            for name, v, unit in [
                ("BytesInPerSec", bin_, "Bytes/Second"),
                ("BytesOutPerSec", bin_ * (consumers + 2) * rng.uniform(0.95, 1.05), "Bytes/Second"),
                ("MessagesInPerSec", r / 3 * rng.uniform(0.95, 1.05), "Count/Second"),
                ("CpuUser", rng.uniform(11, 17), "Percent"),
                ("CpuSystem", rng.uniform(3, 5), "Percent"),
                (
                    "KafkaDataLogsDiskUsed",
                    38.0 + b * 1.3 + (t - start).total_seconds() / 3600 * 0.12,
                    "Percent",
                ),
                ("ConnectionCount", float((14 if healthy else 12) + rng.randint(0, 2)), "Count"),
            ]:
                metrics.append(
                    {
                        "namespace": "AWS/Kafka",
                        "metric": name,
                        "dimensions": bd,
                        "timestamp": ts,
                        "unit": unit,
                        "value": round(float(v), 2),
                    }
                )
        if t.minute % 5 == 0:
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "GlobalPartitionCount",
                    "dimensions": cdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": 96.0,
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "OfflinePartitionsCount",
                    "dimensions": cdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": 0.0,
                }
            )
            metrics.append(
                {
                    "namespace": "AWS/Kafka",
                    "metric": "ActiveControllerCount",
                    "dimensions": cdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": 1.0,
                }
            )
        # EC2 metrics for the connect worker
        idims = {"InstanceId": iid}
        check_bad = t >= t_fail + timedelta(minutes=3)
        for name, v in [
            ("StatusCheckFailed", 1 if check_bad else 0),
            ("StatusCheckFailed_Instance", 1 if check_bad else 0),
            ("StatusCheckFailed_System", 0),
        ]:
            metrics.append(
                {
                    "namespace": "AWS/EC2",
                    "metric": name,
                    "dimensions": idims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(v),
                }
            )
        for other in (bastion, sched):
            for name in ("StatusCheckFailed", "StatusCheckFailed_Instance", "StatusCheckFailed_System"):
                metrics.append(
                    {
                        "namespace": "AWS/EC2",
                        "metric": name,
                        "dimensions": {"InstanceId": other},
                        "timestamp": ts,
                        "unit": "Count",
                        "value": 0.0,
                    }
                )
        if t.minute % 5 == 0:
            if t < t_fail - timedelta(minutes=5):
                cpu, nin, nout = rng.uniform(18, 31), r * 1500 * 300 * rng.uniform(0.95, 1.05), r * 420 * 300
            elif t < t_fail:
                cpu, nin, nout = rng.uniform(62, 88), r * 700 * 300, r * 200 * 300
            else:
                cpu, nin, nout = rng.uniform(49.6, 50.3), rng.uniform(300, 900), rng.uniform(0, 300)
            for name, v, unit in [
                ("CPUUtilization", cpu, "Percent"),
                ("NetworkIn", nin, "Bytes"),
                ("NetworkOut", nout, "Bytes"),
            ]:
                metrics.append(
                    {
                        "namespace": "AWS/EC2",
                        "metric": name,
                        "dimensions": idims,
                        "timestamp": ts,
                        "unit": unit,
                        "value": round(float(v), 2),
                    }
                )
            for other in (bastion, sched):
                metrics.append(
                    {
                        "namespace": "AWS/EC2",
                        "metric": "CPUUtilization",
                        "dimensions": {"InstanceId": other},
                        "timestamp": ts,
                        "unit": "Percent",
                        "value": round(rng.uniform(0.3, 4.0), 2),
                    }
                )
            if t < t_fail:
                metrics.append(
                    {
                        "namespace": "CWAgent",
                        "metric": "mem_used_percent",
                        "dimensions": {
                            "InstanceId": iid,
                            "ImageId": "ami-05d1c3b7e2a9f04c6",
                            "InstanceType": "m6i.large",
                        },
                        "timestamp": ts,
                        "unit": "Percent",
                        "value": round(
                            rng.uniform(71, 76) + (10 if t > t_fail - timedelta(minutes=10) else 0), 2
                        ),
                    }
                )
                metrics.append(
                    {
                        "namespace": "CWAgent",
                        "metric": "disk_used_percent",
                        "dimensions": {
                            "InstanceId": iid,
                            "ImageId": "ami-05d1c3b7e2a9f04c6",
                            "InstanceType": "m6i.large",
                            "path": "/",
                            "device": "nvme0n1p1",
                            "fstype": "xfs",
                        },
                        "timestamp": ts,
                        "unit": "Percent",
                        "value": round(46.2 + (t - start).total_seconds() / 36000, 2),
                    }
                )
        t += timedelta(minutes=1)

    # ---------- logs ----------
    lg = "/kafka-connect/orders-s3-sink"
    ls = f"{iid}/connect.log"
    msg_g = "/ec2/var/log/messages"
    ms_ = f"{iid}"
    offsets = [rng.randint(40_000_000, 60_000_000) for _ in range(parts)]
    t = start
    while t < t_fail:
        if t.minute % 10 == commit_off:
            ct = t + timedelta(seconds=rng.randint(2, 40))
            for p in range(parts):
                offsets[p] += int(msg_rate(t) * 600 / parts)
                task = p % 3
                stamp = (ct + timedelta(milliseconds=p * 37)).strftime(
                    "%Y-%m-%d %H:%M:%S,"
                ) + f"{rng.randint(0, 999):03d}"
                logs.append(
                    k.log(
                        lg,
                        ls,
                        ct + timedelta(milliseconds=p * 37),
                        f"[{stamp}] INFO [orders-s3-sink|task-{task}] Files committed to S3. Target commit offset for {topic_name}-{p} is {offsets[p]} (io.confluent.connect.s3.TopicPartitionWriter:1156)",
                    )
                )
            for task in range(3):
                ot = ct + timedelta(milliseconds=400 + task * 11)
                stamp = ot.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}"
                logs.append(
                    k.log(
                        lg,
                        ls,
                        ot,
                        f"[{stamp}] INFO [orders-s3-sink|task-{task}] WorkerSinkTask{{id=orders-s3-sink-{task}}} Committing offsets asynchronously using sequence number {rng.randint(2000, 9000)}: {{{topic_name}-{task}=OffsetAndMetadata{{offset={offsets[task]}, leaderEpoch=null, metadata=''}}, {topic_name}-{task + 3}=OffsetAndMetadata{{offset={offsets[task + 3]}, leaderEpoch=null, metadata=''}}}} (org.apache.kafka.connect.runtime.WorkerSinkTask:353)",
                    )
                )
        if t.minute % 15 == 3:
            logs.append(
                k.log(
                    msg_g,
                    ms_,
                    t + timedelta(seconds=11),
                    f"{t:%b %d %H:%M:%S} ip-10-20-3-41 amazon-ssm-agent[1432]: {t:%Y-%m-%d %H:%M:%S} INFO [HealthCheck] HealthCheck reporting agent health.",
                )
            )
        if t.minute == 0:
            logs.append(
                k.log(
                    msg_g,
                    ms_,
                    t + timedelta(seconds=1),
                    f"{t:%b %d %H:%M:%S} ip-10-20-3-41 systemd[1]: Starting sysstat-collect.service - system activity accounting tool...",
                )
            )
        t += timedelta(minutes=1)
    host = "ip-10-20-3-41"
    gc = t_fail - timedelta(minutes=rng.randint(6, 9))
    for i in range(3):
        gt = gc + timedelta(seconds=50 * i + rng.randint(0, 20))
        stamp = gt.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}"
        logs.append(
            k.log(
                lg,
                ls,
                gt,
                f"[{stamp}] WARN [orders-s3-sink|task-{i}] Commit of offsets timed out (org.apache.kafka.connect.runtime.WorkerSinkTask:{rng.choice([245, 287])})",
            )
        )
    for dt, msg in [
        (-230, f"kernel: watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [java:{rng.randint(2000, 3000)}]"),
        (-200, "kernel: Modules linked in: nls_ascii nls_cp437 vfat fat ena ptp pps_core xfs nvme nvme_core"),
        (-150, f"kernel: INFO: task java:{rng.randint(2000, 3000)} blocked for more than 122 seconds."),
        (-149, "kernel:      Not tainted 6.1.112-122.189.amzn2023.x86_64 #1"),
        (-148, 'kernel: "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'),
        (
            -90,
            f"kernel: watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:2:{rng.randint(100, 900)}]",
        ),
        (-40, "kernel: rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"),
    ]:
        mt = t_fail + timedelta(seconds=dt)
        logs.append(k.log(msg_g, ms_, mt, f"{mt:%b %d %H:%M:%S} {host} {msg}"))

    # other log groups: the fraud scorer and lambda consumer keep working
    lam = "order-notifications"
    llg = f"/aws/lambda/{lam}"
    lst = k.lambda_stream(start, "$LATEST", rng)
    t = start + timedelta(seconds=rng.randint(0, 59))
    while t < now:
        n = rng.randint(80, 200)
        logs += k.lambda_report(
            rng,
            llg,
            lst,
            t,
            rng.uniform(120, 400),
            256,
            rng.randint(90, 110),
            [
                f"{k.iso_ms(t)}\t{{req}}\tINFO\tprocessed {n} records from {topic_name} (partitions {rng.randint(0, 5)}), {rng.randint(0, 2)} skipped (no contact preference)\n"
            ],
        )
        t += timedelta(minutes=rng.randint(6, 12))
    # Glue crawler runs at :20
    crawler = "orders-lake-hourly"
    h = start.replace(minute=20)
    while h < now:
        rid = k.uuid(rng)
        lines = [
            f"[{rid}] BENCHMARK : Running Start Crawl for Crawler {crawler}",
            f"[{rid}] BENCHMARK : Classification complete, writing results to database orders_lake",
        ]
        if h - timedelta(minutes=20) < t_fail:
            ph = h - timedelta(minutes=20)
            lines.append(
                f"[{rid}] INFO : Created partitions with values [[{ph:%Y}, {ph:%m}, {ph:%d}, {ph:%H}]] for table orders_v2"
            )
        lines += [
            f"[{rid}] BENCHMARK : Finished writing to Catalog",
            f"[{rid}] BENCHMARK : Crawler has finished running and is in state READY",
        ]
        for i, line in enumerate(lines):
            logs.append(k.log("/aws-glue/crawlers", crawler, h + timedelta(seconds=5 + 9 * i), line))
        h += timedelta(hours=1)

    # ---------- CloudTrail ----------
    ids = k.Ident(acct, rng)
    trail = k.Trail(rng, acct, region)
    eng = rng.choice(["lchen", "omurphy", "pkaur", "fsilva"])
    sso = ids.sso("AWSReservedSSO_DataEngineering_" + k.hexid(rng, 16), f"{eng}@shopwave.example")
    dd = ids.role("DatadogIntegrationRole", k.hexid(rng, 32)[:16])
    t_cr = t_fail - timedelta(minutes=rng.randint(100, 150))
    trail.add(
        t_cr,
        "glue.amazonaws.com",
        "UpdateCrawler",
        sso,
        {
            "name": crawler,
            "targets": {
                "s3Targets": [
                    {
                        "path": f"s3://{lake}/topics/{topic_name}/",
                        "exclusions": ["**/_temporary/**", "**.tmp"],
                    }
                ]
            },
        },
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.227 OpenJDK_64-Bit_Server_VM/25.402-b08",
        ip="203.0.113.18",
    )
    trail.add(
        t_cr + timedelta(minutes=2),
        "glue.amazonaws.com",
        "StartCrawler",
        sso,
        {"name": crawler},
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.772",
        ip="203.0.113.18",
        error=("CrawlerRunningException", f"Crawler with name {crawler} has already started"),
    )
    t_mon = t_fail - timedelta(minutes=rng.randint(40, 70))
    trail.add(
        t_mon,
        "kafka.amazonaws.com",
        "UpdateMonitoring",
        sso,
        {
            "clusterArn": cluster_arn,
            "currentVersion": "K3AEGXETSR30VB",
            "enhancedMonitoring": "DEFAULT",
            "openMonitoring": {
                "prometheus": {
                    "jmxExporter": {"enabledInBroker": True},
                    "nodeExporter": {"enabledInBroker": True},
                }
            },
        },
        {
            "clusterArn": cluster_arn,
            "clusterOperationArn": f"arn:aws:kafka:{region}:{acct}:cluster-operation/{cluster}/{cuuid}/{k.uuid(rng)}",
        },
        agent="aws-cli/2.18.4",
        ip="203.0.113.18",
    )
    t = start + timedelta(minutes=rng.randint(1, 5))
    while t < now:
        r = rng.random()
        if r < 0.3:
            trail.add(
                t,
                "ec2.amazonaws.com",
                "DescribeInstances",
                dd,
                {"instancesSet": {}, "filterSet": {}, "maxResults": 1000},
                None,
                read_only=True,
                agent="datadog-aws-crawler/1.0 aws-sdk-go/1.50",
                ip="3.233.144.20",
            )
        elif r < 0.5:
            trail.add(
                t,
                "kafka.amazonaws.com",
                "ListClustersV2",
                dd,
                {},
                None,
                read_only=True,
                agent="datadog-aws-crawler/1.0 aws-sdk-go/1.50",
                ip="3.233.144.20",
            )
        elif r < 0.7:
            trail.add(
                t,
                "athena.amazonaws.com",
                "StartQueryExecution",
                ids.role("looker-athena", "looker"),
                {
                    "queryString": "SELECT date_trunc('hour', created_at) h, count(*) FROM orders_lake.orders_v2 WHERE year = ... GROUP BY 1",
                    "workGroup": "analytics",
                },
                {"queryExecutionId": k.uuid(rng)},
                agent="Looker/24.18 AthenaJDBC/3.3.0",
                ip="10.20.9.14",
            )
        elif r < 0.85:
            trail.add(
                t,
                "glue.amazonaws.com",
                "GetTable",
                ids.role("looker-athena", "looker"),
                {"databaseName": "orders_lake", "name": "orders_v2"},
                None,
                read_only=True,
                agent="athena.amazonaws.com",
                ip="athena.amazonaws.com",
            )
        else:
            trail.add(
                t,
                "ec2.amazonaws.com",
                "DescribeInstanceStatus",
                dd,
                {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True},
                None,
                read_only=True,
                agent="datadog-aws-crawler/1.0 aws-sdk-go/1.50",
                ip="3.233.144.20",
            )
        t += timedelta(minutes=rng.randint(3, 10), seconds=rng.randint(0, 59))

    # ---------- alarms ----------
    lag_alarm = "msk-orders-s3-sink-lag"
    lags = [
        (m["value"], k.parse(m["timestamp"]))
        for m in metrics
        if m["metric"] == "EstimatedMaxTimeLag" and m["dimensions"]["Consumer Group"] == sink_group
    ]
    t_alarm = None
    ra = ""
    for i in range(2, len(lags)):
        if all(v > 1800 for v, _ in lags[i - 2 : i + 1]):
            t_alarm = lags[i][1] + timedelta(minutes=1, seconds=rng.randint(10, 50))
            ra = k.reason_text(lags[i - 2 : i + 1], 1800)
            break
    assert t_alarm is not None
    assert t_alarm < now
    alarms = [
        k.alarm(
            acct,
            region,
            lag_alarm,
            "AWS/Kafka",
            "EstimatedMaxTimeLag",
            {"Cluster Name": cluster, "Consumer Group": sink_group, "Topic": topic_name},
            stat="Maximum",
            period=60,
            evals=3,
            threshold=1800,
            op="GreaterThanThreshold",
            state="ALARM",
            reason=ra,
            state_time=t_alarm,
            updated=day - timedelta(days=75),
            actions=[sns],
            description="S3 sink more than 30 min behind (it commits every 10 min, so <= ~11 min is normal)",
        ),
        k.alarm(
            acct,
            region,
            "msk-orders-disk-used",
            "AWS/Kafka",
            "KafkaDataLogsDiskUsed",
            {"Cluster Name": cluster, "Broker ID": "3"},
            stat="Maximum",
            period=300,
            evals=1,
            threshold=80,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 1 datapoint [42.7] was not greater than the threshold (80.0).",
            state_time=day - timedelta(days=20),
            updated=day - timedelta(days=75),
            actions=[sns],
        ),
        k.alarm(
            acct,
            region,
            "fraud-scoring-lag",
            "AWS/Kafka",
            "SumOffsetLag",
            {"Cluster Name": cluster, "Consumer Group": "fraud-scoring", "Topic": topic_name},
            stat="Maximum",
            period=60,
            evals=5,
            threshold=5000,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (5000.0).",
            state_time=day - timedelta(days=4, hours=2),
            updated=day - timedelta(days=75),
            actions=[sns],
        ),
        k.alarm(
            acct,
            region,
            "bastion-cpu-credit-low",
            "AWS/EC2",
            "CPUCreditBalance",
            {"InstanceId": bastion},
            stat="Minimum",
            period=300,
            evals=1,
            threshold=20,
            op="LessThanThreshold",
            state="INSUFFICIENT_DATA",
            reason="Insufficient Data: 1 datapoint was unknown.",
            state_time=day - timedelta(days=30),
            updated=day - timedelta(days=200),
            actions=[],
        ),
    ]
    hist = [k.history(lag_alarm, t_alarm, "OK", "ALARM", ra)]
    event = k.alarm_event(
        alarms[0],
        acct,
        region,
        t_alarm,
        ra,
        day - timedelta(days=2, hours=7),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1800.0).",
        rng,
    )

    # ---------- resources ----------
    created = day - timedelta(days=rng.randint(300, 900))
    subnets = ["subnet-0" + k.hexid(rng, 16) for _ in range(3)]
    sg = "sg-0" + k.hexid(rng, 16)
    vpc = "vpc-0" + k.hexid(rng, 16)

    def inst(i: str, name: str, itype: str, ip: str, launched: datetime) -> dict[str, Any]:
        return {
            "service": "ec2",
            "type": "Instance",
            "item": {
                "InstanceId": i,
                "ImageId": "ami-05d1c3b7e2a9f04c6",
                "InstanceType": itype,
                "LaunchTime": k.iso(launched),
                "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
                "PrivateIpAddress": ip,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": subnets[azs.index(az)],
                "VpcId": vpc,
                "Architecture": "x86_64",
                "RootDeviceType": "ebs",
                "RootDeviceName": "/dev/xvda",
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "AttachTime": k.iso(launched),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": "vol-0" + k.hexid(rng, 16),
                        },
                    }
                ],
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{acct}:instance-profile/{name}",
                    "Id": "AIPA" + k.hexid(rng, 17).upper(),
                },
                "SecurityGroups": [{"GroupName": name + "-sg", "GroupId": sg}],
                "Monitoring": {"State": "disabled"},
                "Tags": [{"Key": "Name", "Value": name}, {"Key": "team", "Value": "data-eng"}],
                "EbsOptimized": True,
                "EnaSupport": True,
                "Hypervisor": "xen",
                "VirtualizationType": "hvm",
                "MetadataOptions": {
                    "State": "applied",
                    "HttpTokens": "required",
                    "HttpPutResponseHopLimit": 2,
                    "HttpEndpoint": "enabled",
                },
            },
        }

    def status(i: str, bad: bool) -> dict[str, Any]:
        ist: dict[str, Any] = {
            "Status": "impaired" if bad else "ok",
            "Details": [{"Name": "reachability", "Status": "failed" if bad else "passed"}],
        }
        if bad:
            ist["Details"][0]["ImpairedSince"] = k.iso(t_fail + timedelta(minutes=3))
        return {
            "service": "ec2",
            "type": "InstanceStatus",
            "item": {
                "InstanceId": i,
                "AvailabilityZone": az,
                "InstanceState": {"Code": 16, "Name": "running"},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "InstanceStatus": ist,
            },
        }

    res: list[dict[str, Any]] = [
        inst(iid, "kafka-connect-01", "m6i.large", "10.20.3.41", day - timedelta(days=rng.randint(90, 200))),
        status(iid, True),
        inst(bastion, "data-bastion", "t3.micro", "10.20.1.12", day - timedelta(days=300)),
        status(bastion, False),
        inst(sched, "airflow-scheduler", "m6i.xlarge", "10.20.3.77", day - timedelta(days=40)),
        status(sched, False),
        {
            "service": "kafka",
            "type": "ClusterInfo",
            "item": {
                "ClusterArn": cluster_arn,
                "ClusterName": cluster,
                "CreationTime": k.iso(created),
                "CurrentVersion": "K3AEGXETSR30VB",
                "State": "ACTIVE",
                "NumberOfBrokerNodes": 3,
                "EnhancedMonitoring": "DEFAULT",
                "BrokerNodeGroupInfo": {
                    "BrokerAZDistribution": "DEFAULT",
                    "ClientSubnets": subnets,
                    "InstanceType": "kafka.m5.large",
                    "SecurityGroups": [sg],
                    "StorageInfo": {"EbsStorageInfo": {"VolumeSize": 1000}},
                },
                "CurrentBrokerSoftwareInfo": {"KafkaVersion": "3.6.0"},
                "EncryptionInfo": {"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True}},
                "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}},
                "StorageMode": "LOCAL",
            },
        },
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": k.uuid(rng),
                "StartingPosition": "LATEST",
                "BatchSize": 200,
                "MaximumBatchingWindowInSeconds": 5,
                "EventSourceArn": cluster_arn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{lam}",
                "LastModified": k.iso(day - timedelta(days=33)),
                "LastProcessingResult": "OK",
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "Topics": [topic_name],
                "AmazonManagedKafkaEventSourceConfig": {"ConsumerGroupId": "order-notifications-lambda"},
            },
        },
        k.lambda_fn(
            acct,
            region,
            lam,
            "order-notifications-role",
            memory=256,
            timeout=60,
            modified=day - timedelta(days=33),
            rng=rng,
        ),
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": lake,
                "CreationDate": k.iso(created),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{lake}",
            },
        },
        {
            "service": "glue",
            "type": "Crawler",
            "item": {
                "Name": crawler,
                "Role": "glue-orders-lake-crawler",
                "Targets": {
                    "S3Targets": [
                        {
                            "Path": f"s3://{lake}/topics/{topic_name}/",
                            "Exclusions": ["**/_temporary/**", "**.tmp"],
                        }
                    ]
                },
                "DatabaseName": "orders_lake",
                "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
                "State": "READY",
                "Schedule": {"ScheduleExpression": "cron(20 * * * ? *)", "State": "SCHEDULED"},
                "CreationTime": k.iso(created),
                "LastUpdated": k.iso(t_cr),
                "LastCrawl": {"Status": "SUCCEEDED", "LogGroup": "/aws-glue/crawlers", "LogStream": crawler},
                "Version": 9,
            },
        },
        {
            "service": "athena",
            "type": "WorkGroup",
            "item": {
                "Name": "analytics",
                "State": "ENABLED",
                "Configuration": {
                    "ResultConfiguration": {
                        "OutputLocation": f"s3://shopwave-athena-results-{acct}/analytics/"
                    },
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                },
                "CreationTime": k.iso(created),
            },
        },
        k.log_group(acct, region, lg, created, 14),
        k.log_group(acct, region, msg_g, created, 14),
        k.sns_topic(acct, region, "data-eng-alerts"),
    ]

    local = t_fail.astimezone(ZoneInfo(tz))
    q = (
        f"The orders_v2 table in Athena has nothing newer than about {local.hour % 12 or 12}:{(local.minute // 15) * 15:02d} this afternoon. "
        "Someone changed the crawler earlier today, could that be it?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": event, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": iid,
                    "category": "component_failure",
                    "failure_mode": "instance-status-check-failed-os-hang",
                },
                "also_accept": ["kafka-connect-01", "orders-s3-sink", sink_group],
                "actions": ["restart"],
                "chain": [iid, sink_group, lake, "orders_lake.orders_v2"],
            },
        }
    )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
