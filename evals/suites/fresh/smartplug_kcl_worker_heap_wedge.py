"""One KCL worker's JVM runs out of heap and wedges while still renewing its leases; its shards stall."""

from __future__ import annotations

from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzh import Kit, Rec, diurnal, iso, minutes

NAME = "smartplug-kcl-worker-heap-wedge"
TITLE = "Usage graphs stopped updating for some households; energy-aggregator falling behind"
SUMMARY = (
    "A long-running KCL consumer instance exhausted its Java heap; its processing threads died but the "
    "lease renewer kept its shards, so a third of the stream went unprocessed while the instance looked healthy."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-southeast-2", "plug")
    rng = k.rng
    day = k.day()
    onset = day + timedelta(hours=rng.randint(3, 8), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=rng.randint(15, 45))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(38, 55))).replace(second=0)
    app = "energy-aggregator"
    stream = "smartplug-telemetry"
    shards = 6
    created = day - timedelta(days=rng.randint(300, 800))
    topic = k.topic("energy-platform-oncall")
    s = k.kinesis_stream(stream, shards, created, retention=72)
    asg = "energy-aggregator-asg"
    subnets = [f"subnet-0{k.hexid(16)}" for _ in range(3)]
    vpc = f"vpc-0{k.hexid(16)}"
    ami = f"ami-0{k.hexid(16)}"
    ids = [f"i-0{k.hexid(16)}" for _ in range(3)]
    bad = rng.randrange(3)
    launched = [day - timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 20)) for _ in range(3)]
    launched[bad] = day - timedelta(days=rng.randint(11, 19), hours=rng.randint(0, 20))
    owned = {ids[i]: [f"shardId-{j:012d}" for j in range(shards) if j % 3 == i] for i in range(3)}
    for i, iid in enumerate(ids):
        ip = f"10.40.{16 * i + rng.randint(1, 15)}.{rng.randint(4, 250)}"
        k.resource(
            "ec2",
            "Instance",
            {
                "InstanceId": iid,
                "ImageId": ami,
                "InstanceType": "m6g.large",
                "LaunchTime": iso(launched[i]),
                "Placement": {"AvailabilityZone": f"ap-southeast-2{'abc'[i]}", "Tenancy": "default"},
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ap-southeast-2.compute.internal",
                "PrivateIpAddress": ip,
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": subnets[i],
                "VpcId": vpc,
                "Architecture": "arm64",
                "IamInstanceProfile": {
                    "Arn": f"arn:aws:iam::{k.account}:instance-profile/{app}",
                    "Id": "AIPA" + k.akid("")[:17],
                },
                "Monitoring": {"State": "enabled"},
                "Tags": [
                    {"Key": "Name", "Value": app},
                    {"Key": "aws:autoscaling:groupName", "Value": asg},
                    {"Key": "service", "Value": app},
                ],
            },
        )
        k.resource(
            "ec2",
            "InstanceStatus",
            {
                "AvailabilityZone": f"ap-southeast-2{'abc'[i]}",
                "InstanceId": iid,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
    k.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": k.arn(
                "autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{asg}"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": f"lt-0{k.hexid(16)}",
                "LaunchTemplateName": app,
                "Version": "$Latest",
            },
            "MinSize": 3,
            "MaxSize": 6,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": 300,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "m6g.large",
                    "AvailabilityZone": f"ap-southeast-2{'abc'[i]}",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                }
                for i, iid in enumerate(ids)
            ],
            "CreatedTime": iso(created),
            "VPCZoneIdentifier": ",".join(subnets),
            "TerminationPolicies": ["Default"],
        },
    )
    k.table(app, created, "leaseKey", None, shards, 4096)
    k.table(
        "household-usage-30m",
        created,
        "householdId",
        "interval",
        rng.randint(10**7, 5 * 10**7),
        rng.randint(10**10, 10**11),
    )
    k.log_group(f"/{app}/application", created)
    k.log_group(f"/{app}/gc", created, retention=7)

    # --- metrics ----------------------------------------------------------------------------------
    plugs = rng.randint(40_000, 150_000)
    for t in minutes(start, now):
        load = diurnal(t, 19, 10, 0.5, 1.0)
        recs = plugs * load * rng.uniform(0.98, 1.02)  # one reading per plug per minute
        k.metric("AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, t, "Count", recs)
        k.metric(
            "AWS/Kinesis", "IncomingBytes", {"StreamName": stream}, t, "Bytes", recs * rng.uniform(140, 150)
        )
        k.metric(
            "AWS/Kinesis",
            "GetRecords.Success",
            {"StreamName": stream},
            t,
            "Count",
            (shards if t < onset else shards - 2) * 60,
        )
        kage = rng.uniform(200, 900)
        k.metric(
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            {"StreamName": stream},
            t,
            "Milliseconds",
            stats=(shards * 60, shards * 60 * kage * 0.4, 0.0, kage),
        )
        k.metric(
            "AWS/Kinesis",
            "GetRecords.Records",
            {"StreamName": stream},
            t,
            "Count",
            recs * (1 if t < onset else (shards - 2) / shards),
        )
        behind = (t - onset).total_seconds() * 1000 + 60_000 if t >= onset else 0.0
        per_shard_recs = recs / shards
        total_processed = 0.0
        for i, iid in enumerate(ids):
            for sh in owned[iid]:
                dead = i == bad and t >= onset
                mbl = behind if dead else rng.uniform(0, 1500)
                if not dead:
                    k.metric(
                        app,
                        "MillisBehindLatest",
                        {"Operation": "ProcessTask", "ShardId": sh},
                        t,
                        "Milliseconds",
                        stats=(60, 60 * mbl * 0.5, 0.0, mbl),
                    )
                    k.metric(
                        app,
                        "RecordsProcessed",
                        {"Operation": "ProcessTask", "ShardId": sh},
                        t,
                        "Count",
                        per_shard_recs,
                    )
                    total_processed += per_shard_recs
        agg = behind if t >= onset else rng.uniform(500, 1500)
        k.metric(
            app,
            "MillisBehindLatest",
            {"Operation": "ProcessTask"},
            t,
            "Milliseconds",
            stats=(240 if t >= onset else 360, 1000.0, 0.0, agg),
        )
        k.metric(app, "RecordsProcessed", {"Operation": "ProcessTask"}, t, "Count", total_processed)
        cpus = []
        for i, iid in enumerate(ids):
            k.metric(
                app,
                "RenewLease.Success",
                {"Operation": "RenewAllLeases", "WorkerIdentifier": iid},
                t,
                "Count",
                6.0,
            )
            elapsed = (t - start).total_seconds() / 3600
            if i == bad:
                cpu = rng.uniform(22, 35) + elapsed * 3 if t < onset else rng.uniform(49, 51)
                mem = (
                    min(93.0, 71 + elapsed * 6 + rng.uniform(-0.5, 0.5))
                    if t < onset
                    else rng.uniform(93.5, 94.2)
                )
            else:
                cpu = rng.uniform(20, 34) * (1.25 if t >= onset else 1.0)
                mem = rng.uniform(58, 63)
            k.metric("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t, "Percent", cpu)
            cpus.append(cpu)
            k.metric("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, t, "Count", 0.0)
            k.metric(
                "AWS/EC2",
                "NetworkIn",
                {"InstanceId": iid},
                t,
                "Bytes",
                per_shard_recs * 2 * 150 * (0.02 if (i == bad and t >= onset) else 1.05),
            )
            k.metric(
                "CWAgent",
                "mem_used_percent",
                {"InstanceId": iid, "AutoScalingGroupName": asg},
                t,
                "Percent",
                mem,
            )
        k.metric("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg}, t, "Percent", sum(cpus) / 3)
        wcu = total_processed / 30 * 1.0
        k.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "household-usage-30m"},
            t,
            "Count",
            stats=(wcu, wcu, 1.0, 1.0),
        )
        k.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": app},
            t,
            "Count",
            stats=(18, 18, 1.0, 1.0),
        )

    # --- alarms -----------------------------------------------------------------------------------
    fire = onset + timedelta(minutes=15, seconds=rng.randint(5, 55))
    behind_alarm = k.alarm(
        f"{app}-millis-behind-latest",
        app,
        "MillisBehindLatest",
        {"Operation": "ProcessTask"},
        "Maximum",
        60,
        5,
        900000.0,
        "GreaterThanThreshold",
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (900000.0).",
        fire,
        topic,
        desc="KCL consumer more than 15 minutes behind smartplug-telemetry",
    )
    k.transition(behind_alarm, fire, "OK", "ALARM", behind_alarm["StateReason"])
    for i, iid in enumerate(ids):
        k.alarm(
            f"{app}-{iid}-status-check",
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": iid},
            "Maximum",
            60,
            2,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "OK",
            "Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were not greater than or equal to the threshold (1.0).",
            launched[i] + timedelta(minutes=6),
            topic,
        )
    cpu_alarm = k.alarm(
        f"{app}-asg-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg},
        "Average",
        300,
        3,
        75.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (75.0).",
        start - timedelta(days=5),
        topic,
    )
    _ = cpu_alarm
    ready = k.alarm(
        "household-usage-30m-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": "household-usage-30m"},
        "Sum",
        60,
        1,
        0.0,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        onset - timedelta(minutes=rng.randint(60, 100)),
        topic,
        missing="notBreaching",
    )
    blip = onset - timedelta(minutes=rng.randint(105, 150))
    k.metric(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": "household-usage-30m"},
        blip.replace(second=0),
        "Count",
        float(rng.randint(3, 40)),
    )
    k.transition(
        ready,
        blip + timedelta(seconds=70),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (0.0).",
    )
    k.transition(ready, blip + timedelta(minutes=2, seconds=70), "ALARM", "OK", ready["StateReason"])

    # --- logs -------------------------------------------------------------------------------------
    ag = f"/{app}/application"
    heap = "2048M"
    for i, iid in enumerate(ids):
        for t in minutes(start, now, 2):
            st = t + timedelta(seconds=rng.uniform(0, 100))
            stamp = f"{st:%Y-%m-%d %H:%M:%S},{st.microsecond // 1000:03d}"
            if i == bad and st >= onset:
                if st < onset + timedelta(minutes=2):
                    for _sh in owned[iid]:
                        k.log(
                            ag,
                            iid,
                            st,
                            f'Exception in thread "ShardRecordProcessor-{rng.randint(1, 20):04d}" java.lang.OutOfMemoryError: Java heap space',
                        )
                    k.log(
                        ag,
                        iid,
                        st,
                        f"{stamp} ERROR [aws-akka-http-client-1] c.e.aggregator.UsageWindow - flush failed for {owned[iid][0]}: java.lang.OutOfMemoryError: Java heap space",
                    )
                if rng.random() < 0.5:
                    k.log(
                        ag,
                        iid,
                        st,
                        f"{stamp} INFO  [LeaseRenewer-0001] s.a.k.l.dynamodb.DynamoDBLeaseRenewer - Renewed {len(owned[iid])} leases for worker {iid}",
                    )
                continue
            for sh in owned[iid]:
                k.log(
                    ag,
                    iid,
                    st,
                    f"{stamp} INFO  [ShardRecordProcessor-{rng.randint(1, 20):04d}] c.e.aggregator.UsageProcessor - {sh}: processed {rng.randint(800, 4000)} records, {rng.randint(200, 900)} household windows updated, checkpoint at {49630000000000000000000000000000000000000000000000000000 + rng.randint(10**30, 10**31)}",
                )
            if rng.random() < 0.25:
                k.log(
                    ag,
                    iid,
                    st,
                    f"{stamp} INFO  [LeaseRenewer-0001] s.a.k.l.dynamodb.DynamoDBLeaseRenewer - Renewed {len(owned[iid])} leases for worker {iid}",
                )
        gg = f"/{app}/gc"
        for t in minutes(start, now, 1):
            up = (t - launched[i]).total_seconds()
            elapsed = (t - start).total_seconds() / 3600
            if i == bad:
                if t < onset:
                    old = min(2040, 1700 + elapsed * 100)
                    line = f"[{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}+0000][{up:.3f}s][info][gc] GC({int(up / 9)}) Pause Young (Normal) (G1 Evacuation Pause) {old + 90:.0f}M->{old:.0f}M({heap}) {rng.uniform(20, 60):.3f}ms"
                else:
                    line = f"[{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}+0000][{up:.3f}s][info][gc] GC({int(up / 9)}) Pause Full (G1 Compaction Pause) 2047M->{rng.randint(2038, 2046)}M({heap}) {rng.uniform(2400, 4100):.3f}ms"
            else:
                used = rng.randint(700, 1100)
                line = f"[{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}+0000][{up:.3f}s][info][gc] GC({int(up / 9)}) Pause Young (Normal) (G1 Evacuation Pause) {used + 400}M->{used}M({heap}) {rng.uniform(5, 25):.3f}ms"
            k.log(gg, iid, t + timedelta(seconds=rng.randint(0, 59)), line)

    # --- CloudTrail -------------------------------------------------------------------------------
    k.tooling_reads(start, now, rng.randint(35, 50))
    for _i in range(10):
        t = start + timedelta(minutes=rng.randint(0, int((now - start).total_seconds() // 60)))
        iid = rng.choice(ids)
        k.trail_event(
            t,
            "kinesis.amazonaws.com",
            rng.choice(["ListShards", "DescribeStreamSummary"]),
            k.who_role(f"{app}-instance-role", iid, t),
            {"streamName": stream} if rng.random() < 0.5 else {"streamARN": s["StreamARN"]},
            None,
            read_only=True,
            agent="aws-sdk-java/2.25.60 Linux/6.1.90-99.173.amzn2023.aarch64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/async http/NettyNio cfg/retry-mode/legacy KinesisClientLibrary/2.6.0",
            ip=f"10.40.{rng.randint(1, 47)}.{rng.randint(4, 250)}",
        )
    ops = k.who_role(
        f"AWSReservedSSO_Operations_{k.hexid(16)}",
        rng.choice(["j.nguyen@voltly.example", "s.patel@voltly.example"]),
        onset,
    )
    patch = onset - timedelta(minutes=rng.randint(55, 80))
    cmd = k.uid()
    k.trail_event(
        patch,
        "ssm.amazonaws.com",
        "SendCommand",
        ops,
        {
            "instanceIds": ids,
            "documentName": "AWS-RunPatchBaseline",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "interactive": False,
        },
        {
            "command": {
                "commandId": cmd,
                "documentName": "AWS-RunPatchBaseline",
                "documentVersion": "$DEFAULT",
                "comment": "",
                "expiresAfter": iso(patch + timedelta(hours=1)),
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "instanceIds": ids,
                "targets": [],
                "requestedDateTime": iso(patch),
                "status": "Pending",
                "statusDetails": "Pending",
                "outputS3Region": k.region,
                "outputS3BucketName": "",
                "outputS3KeyPrefix": "",
                "maxConcurrency": "50",
                "maxErrors": "0",
                "targetCount": 3,
                "completedCount": 0,
                "errorCount": 0,
                "deliveryTimedOutCount": 0,
                "serviceRole": "",
                "notificationConfig": {
                    "notificationArn": "",
                    "notificationEvents": [],
                    "notificationType": "",
                },
                "cloudWatchOutputConfig": {"cloudWatchLogGroupName": "", "cloudWatchOutputEnabled": False},
                "timeoutSeconds": 3600,
                "alarmConfiguration": {"ignorePollAlarmFailure": False, "alarms": []},
                "triggeredAlarms": [],
            }
        },
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
        ip="203.0.113.201",
    )
    k.trail_event(
        patch + timedelta(minutes=1),
        "ssm.amazonaws.com",
        "ListCommandInvocations",
        ops,
        {"commandId": cmd, "details": False},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
        ip="203.0.113.201",
    )
    tf = k.who_role("terraform-apply", "terraform-apply-" + k.hexid(8), onset)
    mod = onset - timedelta(minutes=rng.randint(20, 45))
    upd: Rec = {
        "tableName": "household-usage-30m",
        "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"},
    }
    k.trail_event(
        mod,
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        tf,
        upd,
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )
    k.trail_event(
        mod - timedelta(seconds=5),
        "dynamodb.amazonaws.com",
        "DescribeTimeToLive",
        tf,
        {"tableName": "household-usage-30m"},
        None,
        read_only=True,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.8 aws-sdk-go-v2/1.32.2",
    )

    ask = onset + timedelta(minutes=rng.randint(25, 35))
    local = (ask + timedelta(hours=10)).strftime("%-I:%M%p").lower()
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": f"customer support have a pile of tickets saying the app's usage graph is stuck, not everyone though. started maybe around {local}? did the patching this afternoon do something?",
            "timezone": "+10:00",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": ids[bad],
                "category": "component_failure",
                "failure_mode": "jvm-heap-exhausted-worker-wedged",
            },
            "also_accept": [f"{app} worker {ids[bad]}"],
            "actions": ["restart"],
            "chain": [ids[bad], app, f"{stream} {', '.join(owned[ids[bad]])}", "household-usage-30m"],
        },
    )
