"""A third of cold-store sites go silent: AWS stopped the legacy MQTT bridge instance for hardware retirement."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzzq import Ctx, iso, ms

NAME = "site-sensor-bridge-retired"
TITLE = "Cold-store sites silent since early morning; silent-sites alarm, readings-writer released last night"
SUMMARY = (
    "The EC2 instance running the Mosquitto bridge for legacy site gateways reached its scheduled retirement "
    "and was stopped by AWS; every site behind it stopped reaching IoT Core."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    tz_h = r.choice([0, 1, 2])
    base_day = c.day()
    onset = base_day.replace(hour=r.randint(2, 4), minute=r.randint(0, 59), second=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(20, 60))).replace(second=0)
    now = (onset + timedelta(hours=r.randint(3, 4), minutes=r.randint(0, 40))).replace(
        second=r.randint(0, 59)
    )
    notice = onset - timedelta(days=r.randint(12, 16), hours=r.randint(0, 8))
    long_ago = start - timedelta(days=r.randint(500, 1100))
    iid = "i-0" + c.hexid(16)
    vpc = "vpc-0" + c.hexid(16)
    subnet = "subnet-0" + c.hexid(16)
    sg = "sg-0" + c.hexid(16)
    az = c.region + r.choice("abc")
    topic = c.arn("sns", "coldchain-oncall")
    stream = "site-readings"
    stream_arn = c.arn("kinesis", f"stream/{stream}")
    rule = "site_sensor_ingest"
    writer = "readings-writer"
    checker = "stale-site-checker"
    presence = "presence-tracker"
    n_sites = r.randint(60, 90)
    sites = [f"CS-{r.choice(['NL', 'DE', 'PL', 'BE', 'FR'])}{r.randint(100, 999)}" for _ in range(n_sites)]
    legacy = set(r.sample(sites, k=int(n_sites * r.uniform(0.27, 0.38))))
    per_site = r.uniform(10, 14)  # readings per minute per site
    private_ip = f"10.{r.randint(20, 60)}.{r.randint(0, 15)}.{r.randint(10, 250)}"

    # --- resources --------------------------------------------------------------------------------
    c.res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "ImageId": "ami-0" + c.hexid(16),
            "InstanceType": r.choice(["t3.medium", "m5.large", "c5.large"]),
            "State": {"Code": 80, "Name": "stopped"},
            "StateTransitionReason": f"Service initiated ({onset:%Y-%m-%d %H:%M:%S} GMT)",
            "StateReason": {
                "Code": "Server.ScheduledStop",
                "Message": "Server.ScheduledStop: Stopped due to scheduled retirement",
            },
            "LaunchTime": iso(long_ago + timedelta(days=3)),
            "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": f"ip-{private_ip.replace('.', '-')}.{c.region}.compute.internal",
            "PrivateIpAddress": private_ip,
            "PublicDnsName": "",
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(long_ago + timedelta(days=3)),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": "vol-0" + c.hexid(16),
                    },
                }
            ],
            "SecurityGroups": [{"GroupName": "legacy-mqtt-bridge", "GroupId": sg}],
            "Monitoring": {"State": "disabled"},
            "EbsOptimized": False,
            "EnaSupport": True,
            "Hypervisor": "xen" if r.random() < 0.5 else "nitro",
            "VirtualizationType": "hvm",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{c.account}:instance-profile/legacy-mqtt-bridge",
                "Id": "AIPA" + c.hexid(17).upper(),
            },
            "Tags": [
                {"Key": "Name", "Value": "legacy-mqtt-bridge"},
                {"Key": "team", "Value": "coldchain-platform"},
                {"Key": "purpose", "Value": "mosquitto bridge for gen1 site gateways"},
            ],
        },
    )
    c.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg,
            "GroupName": "legacy-mqtt-bridge",
            "Description": "MQTT 8883 from site gateways",
            "OwnerId": c.account,
            "VpcId": vpc,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8883,
                    "ToPort": 8883,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "gen1 gateways"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
        },
    )
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": rule,
            "sql": "SELECT *, topic(2) AS site_id, topic(3) AS sensor_id FROM 'sites/+/+/readings'",
            "createdAt": iso(long_ago),
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
            "actions": [
                {
                    "kinesis": {
                        "roleArn": f"arn:aws:iam::{c.account}:role/iot-site-ingest",
                        "streamName": stream,
                        "partitionKey": "${topic(2)}",
                    }
                }
            ],
        },
    )
    c.res(
        "iot",
        "TopicRule",
        {
            "ruleName": "presence_events",
            "sql": "SELECT * FROM '$aws/events/presence/+/+'",
            "createdAt": iso(long_ago),
            "ruleDisabled": False,
            "awsIotSqlVersion": "2016-03-23",
            "actions": [{"lambda": {"functionArn": c.arn("lambda", f"function:{presence}")}}],
        },
    )
    c.stream(stream, r.choice([2, 4]), long_ago, retention=24)
    writer_mod = onset - timedelta(hours=r.randint(5, 7), minutes=r.randint(0, 59))
    c.function(
        writer,
        "readings-writer-role",
        "bootstrap",
        "provided.al2023",
        256,
        60,
        writer_mod,
        env={"TS_DATABASE": "coldchain", "TS_TABLE": "site_readings"},
    )
    c.function(
        checker,
        "stale-site-checker-role",
        "checker.handler",
        "python3.12",
        256,
        60,
        long_ago + timedelta(days=90),
        env={"SILENT_AFTER_MINUTES": "15"},
    )
    c.function(
        presence,
        "presence-tracker-role",
        "index.handler",
        "nodejs20.x",
        128,
        10,
        long_ago + timedelta(days=60),
    )
    c.esm(writer, stream_arn, long_ago, batch=500, retries=10, dlq_arn=c.arn("sqs", "readings-writer-dlq"))
    c.queue("readings-writer-dlq", long_ago, {}, {"team": "coldchain-platform"})
    c.res(
        "timestream-write",
        "Table",
        {
            "Arn": f"arn:aws:timestream:{c.region}:{c.account}:database/coldchain/table/site_readings",
            "TableName": "site_readings",
            "DatabaseName": "coldchain",
            "TableStatus": "ACTIVE",
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": 72,
                "MagneticStoreRetentionPeriodInDays": 1095,
            },
            "CreationTime": iso(long_ago),
            "LastUpdatedTime": iso(onset - timedelta(hours=r.randint(1, 2))),
            "MagneticStoreWriteProperties": {"EnableMagneticStoreWrites": True},
        },
    )
    for g in (
        f"/aws/lambda/{writer}",
        f"/aws/lambda/{checker}",
        f"/aws/lambda/{presence}",
        "/ec2/legacy-mqtt-bridge/mosquitto",
    ):
        c.log_group(g, long_ago, 30)

    # --- AWS Health -------------------------------------------------------------------------------
    hid = c.hexid(8).upper() + "_" + c.hexid(4) + "_" + c.hexid(8)
    health_arn = f"arn:aws:health:{c.region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{hid}"
    c.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": health_arn,
                    "service": "EC2",
                    "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": c.region,
                    "availabilityZone": az,
                    "startTime": iso(onset - timedelta(minutes=r.randint(1, 15))),
                    "lastUpdatedTime": iso(notice),
                    "statusCode": "open",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": (
                    f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance {iid} in the {c.region} region. "
                    f"Due to this degradation your instance could already be unreachable. We will stop your instance after {onset:%Y-%m-%d} UTC.\n\n"
                    "You can see more information on your instances that are scheduled for retirement in the AWS Management Console "
                    "(https://console.aws.amazon.com/ec2/v2/home?region=" + c.region + "#Events)\n\n"
                    "* How does this affect you?\nYour instance will be stopped after the specified retirement date. You can start it "
                    "again at any time. Note that if you have EC2 instance store volumes attached to the instance, any data on these "
                    "volumes will be lost when the instance is stopped or terminated as these volumes are physically attached to the host computer.\n\n"
                    "* What do you need to do?\nYou may still be able to access the instance. We recommend that you replace the instance by "
                    "creating an AMI of your instance and launch a new instance from the AMI. Alternatively, you can stop and start the instance, "
                    "which moves it to healthy hardware."
                ),
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:{c.region}:{c.account}:entity/{c.hexid(24)}",
                        "eventArn": health_arn,
                        "entityValue": iid,
                        "awsAccountId": c.account,
                        "lastUpdatedTime": iso(notice),
                        "statusCode": "IMPAIRED",
                    }
                ],
            },
        }
    )

    # --- cloudtrail -------------------------------------------------------------------------------
    ci = c.ident_role("github-actions-deploy", "GitHubActions")
    agent = "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/lambda#1.53.0"
    c.ct(
        writer_mod,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": writer, "publish": True, "dryRun": False},
        {
            "functionName": writer,
            "functionArn": c.arn("lambda", f"function:{writer}"),
            "runtime": "provided.al2023",
            "handler": "bootstrap",
            "version": str(r.randint(30, 80)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "packageType": "Zip",
        },
        read_only=False,
        agent=agent,
        ip="4.208.33.91",
    )
    c.ct(
        writer_mod + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": writer, "name": "live", "functionVersion": "$LATEST"},
        None,
        read_only=False,
        agent=agent,
        ip="4.208.33.91",
    )
    ops = c.ident_role(
        "AWSReservedSSO_DataPlatform_7d2e0c9f31ab66e2", r.choice(["r.visser", "m.dubois", "t.schmidt"])
    )
    c.ct(
        onset - timedelta(hours=r.randint(1, 2), minutes=r.randint(0, 50)),
        "timestream.amazonaws.com",
        "UpdateTable",
        ops,
        {
            "databaseName": "coldchain",
            "tableName": "site_readings",
            "retentionProperties": {
                "memoryStoreRetentionPeriodInHours": 72,
                "magneticStoreRetentionPeriodInDays": 1095,
            },
        },
        None,
        read_only=False,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    # nightly backup snapshot of the bridge volume, and AMI housekeeping by a scheduled job
    dlm = c.ident_role("AWSDataLifecycleManagerDefaultRole", "dlm-" + c.hexid(8))
    c.ct(
        start + timedelta(minutes=r.randint(10, 60)),
        "ec2.amazonaws.com",
        "CreateSnapshot",
        dlm,
        {
            "volumeId": "vol-0" + c.hexid(16),
            "description": "Created for policy: policy-0" + c.hexid(16) + " schedule: nightly",
        },
        {"snapshotId": "snap-0" + c.hexid(16), "status": "pending"},
        read_only=False,
        agent="dlm.amazonaws.com",
        ip="dlm.amazonaws.com",
    )
    c.tooling_noise(
        start,
        now,
        r.randint(45, 60),
        [
            ("monitoring.amazonaws.com", "GetMetricData", {}),
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("ec2.amazonaws.com", "DescribeInstanceStatus", {"includeAllInstances": True}),
            ("iot.amazonaws.com", "ListThings", {}),
            ("kinesis.amazonaws.com", "DescribeStreamSummary", {"streamName": stream}),
            ("health.amazonaws.com", "DescribeEvents", {}),
        ],
    )

    # --- metrics ----------------------------------------------------------------------------------
    end = now
    live = [s for s in sites if s not in legacy]

    def rate(t: datetime, which: list[str] | set[str]) -> float:
        return len(which) * per_site * r.uniform(0.95, 1.05)

    direct = {
        t: rate(t, live)
        for t in [start + timedelta(minutes=i) for i in range(int((end - start).total_seconds() // 60) + 1)]
    }
    bridged = {t: (rate(t, legacy) if t < onset else 0.0) for t in direct}
    c.series(
        "AWS/IoT",
        "PublishIn.Success",
        {"Protocol": "MQTT"},
        "Count",
        start,
        end,
        lambda t: round(direct[t] + bridged[t] + r.randint(20, 40)),
    )
    c.series(
        "AWS/IoT",
        "TopicMatch",
        {"RuleName": rule},
        "Count",
        start,
        end,
        lambda t: round(direct[t] + bridged[t]),
    )
    c.series(
        "AWS/IoT",
        "Success",
        {"RuleName": rule, "ActionType": "Kinesis"},
        "Count",
        start,
        end,
        lambda t: round(direct[t] + bridged[t]),
    )
    c.series(
        "AWS/IoT",
        "Connect.Success",
        {"Protocol": "MQTT"},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 3)) or None,
    )
    c.series(
        "AWS/Kinesis",
        "IncomingRecords",
        {"StreamName": stream},
        "Count",
        start,
        end,
        lambda t: round(direct[t] + bridged[t]),
    )
    c.series(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Milliseconds",
        start,
        end,
        lambda t: float(r.randint(0, 1500)),
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": writer},
        "Count",
        start,
        end,
        lambda t: float(r.randint(50, 70)),
    )
    c.series("AWS/Lambda", "Errors", {"FunctionName": writer}, "Count", start, end, lambda t: 0.0)
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": writer},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(35, 90),
    )
    c.series(
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": checker},
        "Count",
        start,
        end,
        lambda t: 1.0 if t.minute % 5 == 0 else None,
    )

    def cpu_fn(t: datetime) -> float | None:
        return r.uniform(4, 11) if t < onset - timedelta(minutes=1) else None

    c.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", start, end, cpu_fn, step=300)
    c.series(
        "AWS/EC2",
        "NetworkIn",
        {"InstanceId": iid},
        "Bytes",
        start,
        end,
        lambda t: (
            len(legacy) * per_site * 5 * r.uniform(380, 440) if t < onset - timedelta(minutes=1) else None
        ),
        step=300,
    )
    c.series(
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": iid},
        "Count",
        start,
        end,
        lambda t: 0.0 if t < onset - timedelta(minutes=1) else None,
    )
    c.series(
        "AWS/EC2",
        "StatusCheckFailed_System",
        {"InstanceId": iid},
        "Count",
        start,
        end,
        lambda t: 0.0 if t < onset - timedelta(minutes=1) else None,
    )
    silent_after = onset + timedelta(minutes=15)

    def silent(t: datetime) -> float:
        base = 1.0 if r.random() < 0.3 else 0.0
        if t < silent_after:
            return base
        return float(len(legacy)) + base

    c.series("ColdChain/Sites", "SilentSites", {"Environment": "prod"}, "Count", start, end, silent, step=300)
    c.series(
        "AWS/Timestream",
        "SuccessfulRequestLatency",
        {"Operation": "WriteRecords", "DatabaseName": "coldchain", "TableName": "site_readings"},
        "Milliseconds",
        start,
        end,
        lambda t: r.uniform(15, 40),
    )

    # --- alarms -----------------------------------------------------------------------------------
    first = min(t for t in direct if t >= silent_after and t.minute % 5 == 0)
    fire = first + timedelta(minutes=5, seconds=r.randint(10, 55))
    ts = "%Y-%m-%dT%H:%M:%S.000+0000"
    val = float(len(legacy))
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{val} ({first:%d/%m/%y %H:%M:%S})] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition)."
    rdata = {
        "version": "1.0",
        "queryDate": fire.strftime(ts),
        "startDate": first.strftime(ts),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [val],
        "threshold": 5.0,
        "evaluatedDatapoints": [{"timestamp": first.strftime(ts), "sampleCount": 1.0, "value": val}],
    }
    main = c.alarm(
        "silent-sites-high",
        "ColdChain/Sites",
        "SilentSites",
        {"Environment": "prod"},
        "Maximum",
        5,
        "GreaterThanThreshold",
        period=300,
        evals=1,
        state="ALARM",
        updated=fire,
        config_updated=long_ago,
        topic=topic,
        description="More than 5 cold-store sites have sent no reading for 15 minutes",
    )
    main["StateReason"] = reason
    main["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    c.transition(main, fire, "OK", "ALARM", reason, rdata)
    sc = c.alarm(
        "legacy-mqtt-bridge-status-check",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": iid},
        "Maximum",
        0,
        "GreaterThanThreshold",
        period=300,
        evals=2,
        state="INSUFFICIENT_DATA",
        updated=onset + timedelta(minutes=11, seconds=r.randint(0, 59)),
        config_updated=long_ago,
        topic=topic,
    )
    sc["StateReason"] = "Insufficient Data: 2 datapoints were unknown."
    c.history.append(
        {
            "AlarmName": sc["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": sc["StateUpdatedTimestamp"],
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from OK to INSUFFICIENT_DATA",
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {"stateValue": "OK"},
                    "newState": {"stateValue": "INSUFFICIENT_DATA", "stateReason": sc["StateReason"]},
                },
                separators=(",", ":"),
            ),
        }
    )
    c.alarm(
        f"{writer}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": writer},
        "Sum",
        5,
        "GreaterThanThreshold",
        period=300,
        evals=1,
        updated=start - timedelta(days=5),
        config_updated=long_ago,
        topic=topic,
    )
    flap = c.alarm(
        f"{stream}-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": stream},
        "Maximum",
        30000,
        "GreaterThanThreshold",
        period=60,
        evals=1,
        updated=start + timedelta(minutes=52),
        config_updated=long_ago,
        topic=topic,
    )
    t1 = start + timedelta(minutes=48, seconds=r.randint(0, 59))
    c.transition(
        flap,
        t1,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [31877.0] was greater than the threshold (30000.0).",
        {"version": "1.0"},
    )
    c.transition(
        flap,
        t1 + timedelta(minutes=4),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [812.0] was not greater than the threshold (30000.0).",
        {"version": "1.0"},
    )

    # --- logs -------------------------------------------------------------------------------------
    ws = c.stream_name(writer_mod)
    t = start + timedelta(seconds=5)
    while t < now:
        total = round(
            (direct.get(t.replace(second=0), 0.0) + bridged.get(t.replace(second=0), 0.0))
            / 60
            * r.randint(50, 70)
        )
        body = [f"{{ts}} INF batch written records={total} rejected=0 table=site_readings\n"]
        c.lambda_invocation(f"/aws/lambda/{writer}", ws, t, body, r.uniform(35, 90), 256, r.randint(38, 46))
        t += timedelta(seconds=r.randint(40, 120))
    cs = c.stream_name(start)
    t = start.replace(minute=(start.minute // 5) * 5) + timedelta(minutes=5, seconds=2)
    while t < now:
        if t < silent_after:
            body = [
                f"[INFO]\t{{ts}}\t{{rid}}\t{n_sites - (1 if r.random() < 0.3 else 0)} of {n_sites} sites reporting\n"
            ]
        else:
            shown = sorted(legacy)[:12]
            body = [
                f"[INFO]\t{{ts}}\t{{rid}}\t{n_sites - len(legacy)} of {n_sites} sites reporting\n",
                f"[WARNING]\t{{ts}}\t{{rid}}\tsilent > 15 min: {', '.join(shown)}{' ...' if len(legacy) > 12 else ''}\n",
            ]
        c.lambda_invocation(
            f"/aws/lambda/{checker}", cs, t, body, r.uniform(300, 800), 256, r.randint(70, 80)
        )
        t += timedelta(minutes=5)
    ps = c.stream_name(start)
    t = start + timedelta(minutes=r.randint(2, 15))
    while t < now:
        s = r.choice(live)
        c.lambda_invocation(
            f"/aws/lambda/{presence}",
            ps,
            t,
            [f"{{ts}}\t{{rid}}\tINFO\t{s}-gw disconnected reason=MQTT_KEEP_ALIVE_TIMEOUT\n"],
            r.uniform(5, 20),
            128,
            64,
        )
        c.lambda_invocation(
            f"/aws/lambda/{presence}",
            ps,
            t + timedelta(seconds=r.randint(20, 90)),
            [f"{{ts}}\t{{rid}}\tINFO\t{s}-gw connected\n"],
            r.uniform(5, 20),
            128,
            64,
        )
        t += timedelta(minutes=r.randint(15, 40))
    c.lambda_invocation(
        f"/aws/lambda/{presence}",
        ps,
        onset + timedelta(seconds=r.randint(30, 60)),
        ["{ts}\t{rid}\tINFO\tlegacy-bridge-01 disconnected reason=CONNECTION_LOST\n"],
        r.uniform(5, 20),
        128,
        64,
    )
    # the bridge's broker log, shipped by the CloudWatch agent: ends when the instance stops
    t = start + timedelta(seconds=r.randint(1, 30))
    bs = iid
    while t < onset - timedelta(seconds=40):
        msg = r.choice(
            [
                f"{int(t.timestamp())}: Client {r.choice(sorted(legacy))}-gw1 closed its connection.",
                f"{int(t.timestamp())}: New client connected from 100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}:{r.randint(30000, 60000)} as {r.choice(sorted(legacy))}-gw1 (p2, c1, k60, u'gen1').",
                f"{int(t.timestamp())}: Bridge legacy-bridge-01 sending CONNECT"
                if r.random() < 0.02
                else f"{int(t.timestamp())}: Saving in-memory database to /var/lib/mosquitto/mosquitto.db.",
            ]
        )
        c.logs.append(
            {
                "log_group": "/ec2/legacy-mqtt-bridge/mosquitto",
                "log_stream": bs,
                "timestamp": ms(t),
                "message": msg,
            }
        )
        t += timedelta(seconds=r.randint(60, 400))

    local = (onset + timedelta(minutes=r.randint(5, 20))).astimezone(timezone(timedelta(hours=tz_h)))
    q = (
        f"warehouse ops: about a third of the cold-store sites show no temperature readings since around {local:%H:%M} this morning "
        "(and the morning shift is asking about HACCP logs). readings-writer was deployed last night, could that be it?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": c.account,
            "region": c.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": q,
                "alarm_event": c.alarm_event(main, fire, reason, rdata),
                "timezone": f"+{tz_h:02d}:00",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": iid,
                    "category": "system_change",
                    "failure_mode": "ec2-scheduled-retirement-stop",
                },
                "also_accept": ["legacy-mqtt-bridge", health_arn, "legacy-bridge-01"],
                "actions": ["restart"],
                "chain": [iid, "legacy-bridge-01", rule, stream, writer, "site_readings"],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": c.metrics,
            "alarms": c.alarms,
            "alarm_history": c.history,
            "logs": c.logs,
            "cloudtrail": c.trail,
            "resources": c.resources,
            "events": c.events,
        },
    )
