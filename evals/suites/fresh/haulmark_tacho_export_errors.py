"""haulmark-tacho-export: the scheduled export Lambda starts failing every run."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zf as k

NAME = "haulmark-tacho-export-errors"
TITLE = "haulmark-tacho-export Lambda errors alarm"
SUMMARY = (
    "A data-perimeter Terraform apply restricted the S3 gateway endpoint to own-account buckets; the export "
    "Lambda's upload to the partner's cross-account bucket now gets AccessDenied on every run."
)

REGION = "eu-west-1"
AZS = [("eu-west-1a", "euw1-az2"), ("eu-west-1b", "euw1-az1")]
S3_PL = "pl-6da54004"
DDB_PL = "pl-6fa54006"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    day = k.pick_day(rng)
    onset = day + timedelta(hours=rng.randrange(8, 14), minutes=rng.choice([0, 15, 30, 45]))
    start = onset - timedelta(hours=4, minutes=rng.randrange(0, 30))
    now = onset + timedelta(minutes=rng.randrange(36, 52))
    fine_from = onset - timedelta(hours=2)
    tz = 1.0  # Irish summer time for the daily shape

    vpc_id = "vpc-0" + k.hexs(rng, 16)
    subnets = [
        ("subnet-0" + k.hexs(rng, 16), az, azid, f"10.12.{32 + 16 * i}") for i, (az, azid) in enumerate(AZS)
    ]
    pub_subnet = "subnet-0" + k.hexs(rng, 16)
    rtbs = ["rtb-0" + k.hexs(rng, 16) for _ in AZS]
    nats = ["nat-0" + k.hexs(rng, 16) for _ in AZS]
    vpce_s3 = "vpce-0" + k.hexs(rng, 16)
    vpce_ddb = "vpce-0" + k.hexs(rng, 16)
    sg_fn, sg_db = "sg-0" + k.hexs(rng, 16), "sg-0" + k.hexs(rng, 16)
    fn = "haulmark-tacho-export"
    fn_role = "haulmark-tacho-export-role"
    geo_fn = "haulmark-geofence-events"
    partner_bucket = "tachonet-ingest-prod-euw1"
    archive_bucket = f"haulmark-prod-tacho-archive-{acct[-4:]}"
    dlq = "haulmark-tacho-export-failed"
    dlq_url = f"https://sqs.{REGION}.amazonaws.com/{acct}/{dlq}"
    db_id = "haulmark-pg-prod"
    created = day - timedelta(days=rng.randrange(300, 700))

    # --- runs ------------------------------------------------------------------------------------
    runs: list[datetime] = []
    t = k.floor_min(start, 15) + timedelta(minutes=15)
    while t < now:
        runs.append(t)
        t += timedelta(minutes=15)
    # (time, request id, attempt, ok, duration ms, rows)
    attempts: list[tuple[datetime, str, int, bool, float, int]] = []
    for r in runs:
        rid = k.uid(rng)
        rows = int(k.jitter(rng, 1400 * k.diurnal(r, tz, peak_h=12, floor=0.3), 0.12)) + 40
        first = r + timedelta(seconds=rng.randrange(0, 2), milliseconds=rng.randrange(1000))
        if r < onset:
            attempts.append((first, rid, 1, True, k.jitter(rng, 3600 + rows * 0.9, 0.08), rows))
        else:
            second = first + timedelta(seconds=rng.randrange(58, 75))
            third = second + timedelta(seconds=rng.randrange(118, 140))
            for n, at in enumerate((first, second, third), 1):
                if at < now:
                    attempts.append((at, rid, n, False, k.jitter(rng, 2300 + rows * 0.6, 0.08), rows))

    # --- metrics ---------------------------------------------------------------------------------
    m = k.Metrics()
    times = k.timeline(start, fine_from, now)
    d = {"FunctionName": fn}
    per_min: dict[datetime, list[tuple[datetime, str, int, bool, float, int]]] = {}
    for a in attempts:
        per_min.setdefault(k.floor_min(a[0]), []).append(a)
    for t, _s in k.timeline(start, start, now):
        got = per_min.get(t, [])
        if not got:
            continue
        m.add("AWS/Lambda", "Invocations", d, t, len(got), "Count")
        m.add("AWS/Lambda", "Errors", d, t, sum(1 for a in got if not a[3]), "Count")
        m.add_dist("AWS/Lambda", "Duration", d, t, [a[4] for a in got], [1.0] * len(got), "Milliseconds")
        m.add("AWS/Lambda", "ConcurrentExecutions", d, t, 1.0, "Count")
        if any(a[2] == 1 for a in got):
            m.add("AWS/Lambda", "AsyncEventsReceived", d, t, 1.0, "Count")
            m.add("AWS/Lambda", "AsyncEventAge", d, t, float(rng.randrange(40, 180)), "Milliseconds")
        if any(a[2] == 3 for a in got):
            m.add("AWS/Lambda", "AsyncEventAge", d, t, float(rng.randrange(181000, 200000)), "Milliseconds")
    dlq_depth = 0
    third_done = sorted(a[0] + timedelta(milliseconds=a[4]) for a in attempts if a[2] == 3)
    for t, s in times:
        dlq_depth = sum(1 for x in third_done if x < t + timedelta(minutes=s))
        qd = {"QueueName": dlq}
        m.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, float(dlq_depth), "Count")
        m.add(
            "AWS/SQS",
            "NumberOfMessagesSent",
            qd,
            t,
            float(sum(1 for x in third_done if t <= x < t + timedelta(minutes=s))),
            "Count",
        )
        m.add(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            t,
            float(
                max(0, int((t - third_done[0]).total_seconds())) if third_done and third_done[0] < t else 0
            ),
            "Seconds",
        )
        gd = {"FunctionName": geo_fn}
        inv = k.poisson(rng, 310 * k.diurnal(t, tz, peak_h=11, floor=0.35) * s)
        m.add("AWS/Lambda", "Invocations", gd, t, inv, "Count")
        m.add("AWS/Lambda", "Errors", gd, t, float(k.poisson(rng, inv * 0.0004)), "Count")
        m.add("AWS/Lambda", "Duration", gd, t, round(k.jitter(rng, 41, 0.1), 2), "Milliseconds")
        dbd = {"DBInstanceIdentifier": db_id}
        m.add(
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            t,
            round(k.jitter(rng, 18 + 14 * k.diurnal(t, tz, 11), 0.06), 2),
            "Percent",
        )
        m.add("AWS/RDS", "DatabaseConnections", dbd, t, float(int(k.jitter(rng, 48, 0.05))), "Count")
        m.add("AWS/RDS", "ReadIOPS", dbd, t, round(k.jitter(rng, 220, 0.15), 2), "Count/Second")
        for nat in nats:
            nd = {"NatGatewayId": nat}
            m.add(
                "AWS/NATGateway",
                "BytesOutToDestination",
                nd,
                t,
                float(int(k.jitter(rng, 2.1e6 * s * k.diurnal(t, tz, 11), 0.2))),
                "Bytes",
            )
            m.add(
                "AWS/NATGateway", "ActiveConnectionCount", nd, t, float(int(k.jitter(rng, 140, 0.1))), "Count"
            )
            m.add("AWS/NATGateway", "ErrorPortAllocation", nd, t, 0.0, "Count")

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{REGION}:{acct}:haulmark-platform-alerts"
    main = k.AlarmSpec(
        f"{fn}-errors",
        "Tachograph export to TachoNet failing (any error in a 15-minute run window)",
        "AWS/Lambda",
        "Errors",
        d,
        "Sum",
        900,
        1,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "notBreaching",
        actions=[sns],
    )
    others = [
        k.AlarmSpec(
            f"{dlq}-not-empty",
            "Failed tachograph exports waiting for replay",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": dlq},
            "Maximum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            f"{geo_fn}-errors",
            "geofence processor errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": geo_fn},
            "Sum",
            300,
            2,
            2,
            25.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            f"{db_id}-cpu",
            "RDS CPU",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns],
        ),
        k.AlarmSpec(
            "haulmark-nat-port-allocation",
            "NAT gateway port allocation errors",
            "AWS/NATGateway",
            "ErrorPortAllocation",
            {"NatGatewayId": nats[0]},
            "Sum",
            300,
            1,
            1,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            actions=[sns],
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    main_res = k.evaluate_alarm(rng, main, m.rows, acct, REGION, start, now)
    alarms.append(main_res.alarm)
    history += main_res.history
    for sp in others:
        ar = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, start, now)
        alarms.append(ar.alarm)
        history += ar.history
    event = k.alarm_event(rng, main, main_res, acct, REGION)

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = k.Trail(rng, acct, REGION)
    tf = k.role_session(
        rng,
        acct,
        "gha-terraform-network",
        "GitHubActions",
        k.ip_public(rng),
        k.TF_UA.format(api="ec2#1.157.0"),
    )
    tf_logs = k.role_session(
        rng,
        acct,
        "gha-terraform-network",
        "GitHubActions",
        tf.ip,
        k.TF_UA.format(api="cloudwatchlogs#1.35.0"),
    )
    tf_logs.identity = tf.identity
    dev = k.sso_user(
        rng,
        acct,
        REGION,
        "Developer",
        "aoife.brennan@haulmark.eu",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    ops = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "tomasz.wielgosz@haulmark.eu",
        k.ip_public(rng),
        k.cli_ua("ec2.describe-vpc-endpoints"),
    )
    dd = k.role_session(
        rng,
        acct,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        k.ip_public(rng),
        "Datadog/1.0 aws-sdk-go/1.45.26 (go1.21.6; linux; amd64)",
    )

    # innocent 1: developer raises memory/timeout on the same function
    mem_change = onset - timedelta(minutes=rng.randrange(18, 28))
    k.set_session_created(dev, mem_change - timedelta(minutes=20))
    trail.add(
        mem_change - timedelta(minutes=2),
        dev,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn},
        None,
        read_only=True,
    )
    trail.add(
        mem_change,
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn, "memorySize": 1024, "timeout": 180},
        {
            "functionName": fn,
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:{fn}",
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{acct}:role/{fn_role}",
            "handler": "tacho_export.handler.lambda_handler",
            "codeSize": 18431277,
            "timeout": 180,
            "memorySize": 1024,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": k.uid(rng),
        },
        host=f"lambda.{REGION}.amazonaws.com",
    )
    # the network Terraform apply: refresh reads, then both gateway endpoint policies
    apply_t = onset - timedelta(minutes=rng.randrange(3, 10), seconds=rng.randrange(60))
    for j, (src, name, params) in enumerate(
        [
            ("ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {"items": [{"vpcId": vpc_id}]}}),
            (
                "ec2.amazonaws.com",
                "DescribeRouteTables",
                {
                    "routeTableIdSet": {},
                    "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc_id}]}}]},
                },
            ),
            (
                "ec2.amazonaws.com",
                "DescribeVpcEndpoints",
                {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": vpce_s3}}},
            ),
            (
                "ec2.amazonaws.com",
                "DescribeVpcEndpoints",
                {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": vpce_ddb}}},
            ),
            (
                "ec2.amazonaws.com",
                "DescribePrefixLists",
                {"DescribePrefixListsRequest": {"PrefixListId": {"tag": 1, "content": S3_PL}}},
            ),
        ]
    ):
        trail.add(apply_t - timedelta(seconds=40 - 6 * j), tf, src, name, params, None, read_only=True)
    s3_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrgAccountBucketsOnly",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": [acct]}},
            },
            {
                "Sid": "AmazonLinuxRepositories",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [
                    "arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*",
                    "arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*",
                ],
            },
        ],
    }
    ddb_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrgAccountTablesOnly",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "dynamodb:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": [acct]}},
            }
        ],
    }
    culprit = trail.add(
        apply_t,
        tf,
        "ec2.amazonaws.com",
        "ModifyVpcEndpoint",
        {"ModifyVpcEndpointRequest": {"VpcEndpointId": vpce_s3, "PolicyDocument": json.dumps(s3_policy)}},
        {
            "ModifyVpcEndpointResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "return": True,
                "requestId": k.uid(rng),
            }
        },
    )
    trail.add(
        apply_t + timedelta(seconds=1),
        tf,
        "ec2.amazonaws.com",
        "ModifyVpcEndpoint",
        {"ModifyVpcEndpointRequest": {"VpcEndpointId": vpce_ddb, "PolicyDocument": json.dumps(ddb_policy)}},
        {
            "ModifyVpcEndpointResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "return": True,
                "requestId": k.uid(rng),
            }
        },
    )
    trail.add(
        apply_t + timedelta(seconds=3),
        tf,
        "ec2.amazonaws.com",
        "DescribeVpcEndpoints",
        {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": vpce_s3}}},
        None,
        read_only=True,
    )
    # innocent 2 in the same pipeline a few minutes later: log retention on flow logs
    trail.add(
        apply_t + timedelta(minutes=rng.randrange(2, 5)),
        tf_logs,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/vpc/haulmark-prod/flow-logs", "retentionInDays": 90},
        None,
    )

    # scheduled invocations by EventBridge and the role assumptions of cold starts
    cold: list[datetime] = []
    last = start - timedelta(hours=1)
    for a in attempts:
        if a[2] == 1 and (a[0] - last > timedelta(minutes=45) or (mem_change < a[0] and last < mem_change)):
            cold.append(a[0])
            last = a[0]
    for c in cold:
        k.assume_role_record(
            trail,
            c - timedelta(milliseconds=300),
            "lambda.amazonaws.com",
            f"arn:aws:iam::{acct}:role/{fn_role}",
            fn,
        )
    k.routine_reads(
        trail,
        rng,
        start,
        now,
        [dd],
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("ec2.amazonaws.com", "DescribeNatGateways", None),
            ("sqs.amazonaws.com", "ListQueues", None),
        ],
        16,
    )
    k.routine_reads(
        trail,
        rng,
        start,
        onset - timedelta(minutes=40),
        [ops, dev],
        [
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
            ("s3.amazonaws.com", "ListBuckets", None),
            ("cloudformation.amazonaws.com", "DescribeStacks", None),
        ],
        6,
    )
    # the on-call engineer starts looking after the alarm
    k.set_session_created(ops, now - timedelta(minutes=16))
    for j, (src, name, params) in enumerate(
        [
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
            ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": dlq_url, "attributeNames": ["All"]}),
            (
                "logs.amazonaws.com",
                "FilterLogEvents",
                {
                    "logGroupName": f"/aws/lambda/{fn}",
                    "filterPattern": "ERROR",
                    "startTime": k.ms(onset - timedelta(hours=1)),
                },
            ),
        ]
    ):
        trail.add(
            now - timedelta(minutes=14 - 3 * j, seconds=rng.randrange(60)),
            ops,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # --- logs --------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    lg = f"/aws/lambda/{fn}"
    stream = k.lambda_stream(rng, start)
    mem = 512
    for at, rid, n, ok, dur, rows in attempts:
        if at in cold:
            stream = k.lambda_stream(rng, at)
        mem = 1024 if at > mem_change else 512
        key_t = k.floor_min(at, 15) - timedelta(minutes=15)
        stamp = key_t.strftime("%Y/%m/%d/%H%M")
        fname = f"haulmark_{stamp.replace('/', '')}_{rows}.csv"

        def line(off: float, level: str, msg: str, at: datetime = at, rid: str = rid) -> tuple[float, str]:
            return off, f"[{level}]\t{k.iso_ms(at + timedelta(milliseconds=off))}\t{rid}\t{msg}\n"

        extra = [
            line(
                12,
                "INFO",
                f"export window {k.iso(key_t)} .. {k.iso(key_t + timedelta(minutes=15))} (attempt {n})",
            ),
            line(dur * 0.55, "INFO", f"fetched {rows} driver activity records from {db_id}"),
            line(dur * 0.7, "INFO", f"archived s3://{archive_bucket}/tacho/{stamp}.csv.gz"),
        ]
        if ok:
            extra.append(
                line(
                    dur * 0.95,
                    "INFO",
                    f"delivered s3://{partner_bucket}/haulmark/inbound/{fname} ({rows} rows)",
                )
            )
            if rng.random() < 0.08:
                extra.insert(
                    2,
                    line(
                        dur * 0.6,
                        "WARNING",
                        f"{rng.randrange(1, 4)} records with card slot 2 unset, sent as driver-only",
                    ),
                )
        else:
            tb = (
                "[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/tacho_export/handler.py", line 74, in lambda_handler\n'
                "    deliver(csv_body, key)\n"
                '  File "/var/task/tacho_export/delivery.py", line 31, in deliver\n'
                '    s3.put_object(Bucket=PARTNER_BUCKET, Key=key, Body=body, ACL="bucket-owner-full-control")\n'
                '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 565, in _api_call\n'
                "    return self._make_api_call(operation_name, kwargs)\n"
                '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1021, in _make_api_call\n'
                "    raise error_class(parsed_response, operation_name)\n"
            )
            extra.append((dur * 0.97, tb))
        init = k.jitter(rng, 890, 0.1) if at in cold else None
        logs.append(k.log(lg, stream, at, f"START RequestId: {rid} Version: $LATEST\n"))
        for off, msg in extra:
            logs.append(k.log(lg, stream, at + timedelta(milliseconds=off), msg))
        end = at + timedelta(milliseconds=dur)
        logs.append(k.log(lg, stream, end, f"END RequestId: {rid}\n"))
        rep = f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {rng.randrange(128, 160)} MB\t"
        if init is not None:
            rep += f"Init Duration: {init:.2f} ms\t"
        logs.append(k.log(lg, stream, end, rep + "\n"))
    # geofence processor: sampled normal lines
    glg = f"/aws/lambda/{geo_fn}"
    gstream = k.lambda_stream(rng, start)
    t = start + timedelta(seconds=rng.randrange(5, 60))
    while t < now:
        vid = f"HM-{rng.randrange(1000, 9999)}"
        msg = f"[INFO]\t{k.iso_ms(t)}\t{k.uid(rng)}\tvehicle {vid} {'entered' if rng.random() < 0.5 else 'left'} geofence depot-{rng.choice(['dublin-north', 'cork', 'limerick', 'belfast', 'galway'])}\n"
        if rng.random() < 0.03:
            msg = f"[WARNING]\t{k.iso_ms(t)}\t{k.uid(rng)}\tGPS fix older than 120s for vehicle {vid}, skipping\n"
        logs.append(k.log(glg, gstream, t, msg))
        t += timedelta(seconds=rng.randrange(30, 110))

    # --- resources ---------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        k.vpc(vpc_id, "10.12.0.0/16", acct, "haulmark-prod", "dopt-0" + k.hexs(rng, 16))
    ]
    for sid, az, azid, pre in subnets:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/20",
                az,
                azid,
                acct,
                REGION,
                f"haulmark-prod-app-{az[-1]}",
                rng.randrange(4000, 4080),
            )
        )
    for j, (sid, az, _azid, _pre) in enumerate(subnets):
        resources.append(
            k.res(
                "ec2",
                "RouteTable",
                {
                    "Associations": [
                        {
                            "Main": False,
                            "RouteTableAssociationId": "rtbassoc-0" + k.hexs(rng, 16),
                            "RouteTableId": rtbs[j],
                            "SubnetId": sid,
                            "AssociationState": {"State": "associated"},
                        }
                    ],
                    "PropagatingVgws": [],
                    "RouteTableId": rtbs[j],
                    "Routes": [
                        {
                            "DestinationCidrBlock": "10.12.0.0/16",
                            "GatewayId": "local",
                            "Origin": "CreateRouteTable",
                            "State": "active",
                        },
                        {
                            "DestinationCidrBlock": "0.0.0.0/0",
                            "NatGatewayId": nats[j],
                            "Origin": "CreateRoute",
                            "State": "active",
                        },
                        {
                            "DestinationPrefixListId": S3_PL,
                            "GatewayId": vpce_s3,
                            "Origin": "CreateRoute",
                            "State": "active",
                        },
                        {
                            "DestinationPrefixListId": DDB_PL,
                            "GatewayId": vpce_ddb,
                            "Origin": "CreateRoute",
                            "State": "active",
                        },
                    ],
                    "Tags": k.tags({"Name": f"haulmark-prod-app-{az[-1]}"}),
                    "VpcId": vpc_id,
                    "OwnerId": acct,
                },
            )
        )
        resources.append(
            k.res(
                "ec2",
                "NatGateway",
                {
                    "CreateTime": k.iso(created),
                    "NatGatewayAddresses": [
                        {
                            "AllocationId": "eipalloc-0" + k.hexs(rng, 16),
                            "NetworkInterfaceId": "eni-0" + k.hexs(rng, 16),
                            "PrivateIp": f"10.12.{j}.{rng.randrange(10, 250)}",
                            "PublicIp": k.ip_public(rng),
                            "IsPrimary": True,
                            "Status": "succeeded",
                        }
                    ],
                    "NatGatewayId": nats[j],
                    "State": "available",
                    "SubnetId": pub_subnet,
                    "VpcId": vpc_id,
                    "Tags": k.tags({"Name": f"haulmark-prod-nat-{az[-1]}"}),
                    "ConnectivityType": "public",
                },
            )
        )
    for vid, svc, pol in ((vpce_s3, "s3", s3_policy), (vpce_ddb, "dynamodb", ddb_policy)):
        resources.append(
            k.res(
                "ec2",
                "VpcEndpoint",
                {
                    "VpcEndpointId": vid,
                    "VpcEndpointType": "Gateway",
                    "VpcId": vpc_id,
                    "ServiceName": f"com.amazonaws.{REGION}.{svc}",
                    "State": "available",
                    "PolicyDocument": json.dumps(pol),
                    "RouteTableIds": list(rtbs),
                    "SubnetIds": [],
                    "Groups": [],
                    "IpAddressType": "ipv4",
                    "PrivateDnsEnabled": False,
                    "RequesterManaged": False,
                    "NetworkInterfaceIds": [],
                    "DnsEntries": [],
                    "CreationTimestamp": k.iso_ms(created + timedelta(days=2)),
                    "Tags": k.tags(
                        {
                            "Name": f"haulmark-prod-{svc}",
                            "managed-by": "terraform",
                            "repo": "haulmark/infra-network",
                        }
                    ),
                    "OwnerId": acct,
                },
            )
        )
    resources += [
        k.security_group(sg_fn, "haulmark-tacho-export", "tacho export lambda", vpc_id, acct, REGION, []),
        k.security_group(
            sg_db,
            "haulmark-pg",
            "haulmark postgres",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 5432, 5432, groups=[(sg_fn, "tacho export")], acct=acct)],
        ),
        k.lambda_fn(
            rng,
            fn,
            acct,
            REGION,
            runtime="python3.12",
            handler="tacho_export.handler.lambda_handler",
            role=fn_role,
            memory=1024,
            timeout=180,
            modified=mem_change + timedelta(seconds=1),
            desc="Every 15 minutes: driver activity export to TachoNet",
            env={
                "PARTNER_BUCKET": partner_bucket,
                "ARCHIVE_BUCKET": archive_bucket,
                "DB_SECRET_ID": "haulmark/prod/tacho-export-db",
            },
            vpc=([s[0] for s in subnets], [sg_fn], vpc_id),
        ),
        k.lambda_fn(
            rng,
            geo_fn,
            acct,
            REGION,
            runtime="python3.12",
            handler="geofence.main.handler",
            role="haulmark-geofence-role",
            memory=256,
            timeout=30,
            modified=day - timedelta(days=9),
            desc="Geofence enter/leave events",
        ),
        k.iam_role(
            rng,
            fn_role,
            acct,
            "lambda.amazonaws.com",
            created,
            "tacho export",
            now - timedelta(minutes=3),
            REGION,
        ),
        k.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": fn_role,
                "PolicyName": "tacho-export",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                            "Resource": f"arn:aws:s3:::{partner_bucket}/haulmark/inbound/*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject"],
                            "Resource": f"arn:aws:s3:::{archive_bucket}/tacho/*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["secretsmanager:GetSecretValue"],
                            "Resource": f"arn:aws:secretsmanager:{REGION}:{acct}:secret:haulmark/prod/tacho-export-db-*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["sqs:SendMessage"],
                            "Resource": f"arn:aws:sqs:{REGION}:{acct}:{dlq}",
                        },
                    ],
                },
            },
        ),
        k.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": fn_role,
                "PolicyName": "AWSLambdaVPCAccessExecutionRole",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": dlq_url,
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{acct}:{dlq}",
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "ApproximateNumberOfMessages": str(dlq_depth),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "tacho-export"},
            },
        ),
        k.res(
            "s3", "Bucket", {"Name": archive_bucket, "CreationDate": k.iso(created), "BucketRegion": REGION}
        ),
        k.rds_instance(
            rng,
            db_id,
            acct,
            REGION,
            "eu-west-1a",
            klass="db.m6g.large",
            engine="postgres",
            version="16.2",
            sg=sg_db,
            subnet_group="haulmark-prod-db",
            vpc_id=vpc_id,
            created=created,
            now=now,
            storage=200,
        ),
        k.log_group(lg, acct, REGION, created, 14, rng.randrange(10**7, 10**8)),
        k.log_group(glg, acct, REGION, created, 14, rng.randrange(10**8, 10**9)),
        k.log_group("/vpc/haulmark-prod/flow-logs", acct, REGION, created, 90, rng.randrange(10**10, 10**11)),
    ]

    history.sort(key=lambda h: (h["Timestamp"], h["AlarmName"]))
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vpce_s3,
                    "category": "change",
                    "failure_mode": "vpc-endpoint-policy-blocks-cross-account-bucket",
                    "event_id": culprit,
                },
                "also_accept": ["haulmark-prod-s3", f"com.amazonaws.{REGION}.s3"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"Terraform (gha-terraform-network) replaced the policy of S3 gateway endpoint {vpce_s3} with an own-account-only (aws:ResourceAccount) policy",
                    f"{fn} runs in the VPC and reaches S3 through that endpoint; its PutObject to the partner-owned bucket {partner_bucket} is denied",
                    f"Every scheduled run fails after its two async retries and lands in {dlq}",
                    f"{fn}-errors alarm fires; tachograph data stops reaching TachoNet",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(m.rows),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
        },
    )
