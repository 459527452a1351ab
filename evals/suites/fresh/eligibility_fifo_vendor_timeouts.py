"""Insurance eligibility checks stall: the third-party eligibility API starts timing out and the FIFO queue blocks."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzl as k

NAME = "eligibility-checks-stuck-checking"
TITLE = (
    "Front desk says insurance status stuck on 'Checking...' for new bookings; eligibility-checks age alarm"
)
SUMMARY = (
    "The clinic's insurance-eligibility vendor API starts timing out and answering 503; the FIFO consumer "
    "fails its batches, message groups block, the queue ages and messages spill to the dead-letter queue."
)

REGION = "us-west-2"
TZ = "America/Los_Angeles"
VENDOR = "api.claimbridge.io"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    day = k.start_of_day(rng)
    local_onset = datetime(
        day.year,
        day.month,
        day.day,
        rng.choice([9, 10, 13, 14]),
        rng.randint(0, 50),
        rng.randint(0, 59),
        tzinfo=ZoneInfo(TZ),
    )
    onset = local_onset.astimezone(k.UTC)
    onset_min = onset.replace(second=0)
    start = (onset - timedelta(hours=3, minutes=rng.randint(5, 35))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(36, 58))).replace(second=0)

    bus = "mendly-core"
    rule = "appointment-booked-to-eligibility"
    q = "eligibility-checks.fifo"
    dlq = "eligibility-checks-dlq.fifo"
    qbase = f"https://sqs.{REGION}.amazonaws.com/{account}"
    qarn = f"arn:aws:sqs:{REGION}:{account}:{q}"
    dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{dlq}"
    checker = "eligibility-checker"
    reminders = "appointment-reminders"
    booking = "booking-api"
    secret = "prod/claimbridge/api-key"
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{account}:secret:{secret}-{ids.hex(6)}"
    nat = "nat-0" + ids.hex(16)

    times = k.minutes(start, now)

    def bookings(t: datetime) -> float:
        h = t.astimezone(ZoneInfo(TZ)).hour + t.minute / 60
        busy = 1.0 if 8 <= h <= 17 else 0.25
        return max(0.0, rng.gauss(14 * busy * (1 + 0.2 * math.sin(h)), 3))

    sent = {t: float(round(bookings(t))) for t in times}
    fail_p = {
        t: (0.0 if t < onset_min else min(0.92, 0.6 + 0.02 * (t - onset_min).total_seconds() / 60))
        for t in times
    }

    # ---- queue dynamics: a failing batch keeps its message group in flight until it is redriven --------
    visible: dict[datetime, float] = {}
    notvis: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    received: dict[datetime, float] = {}
    deleted: dict[datetime, float] = {}
    to_dlq: dict[datetime, float] = {}
    inv: dict[datetime, float] = {}
    errs: dict[datetime, float] = {}
    dur: dict[datetime, float] = {}
    backlog = 0.0
    dlq_depth = 0.0
    dlq_series: dict[datetime, float] = {}
    for t in times:
        backlog += sent[t]
        if t < onset_min:
            done = sent[t] + backlog * 0.0
            backlog = max(0.0, backlog - done)
            received[t] = sent[t]
            deleted[t] = sent[t]
            inv[t] = float(max(1, math.ceil(sent[t] / rng.uniform(1.5, 3))))
            errs[t] = 1.0 if rng.random() < 0.015 else 0.0
            dur[t] = rng.uniform(450, 900)
            visible[t] = float(rng.randint(0, 2))
            notvis[t] = float(rng.randint(1, 6))
            age[t] = float(rng.randint(1, 6))
        else:
            mins = (t - onset_min).total_seconds() / 60
            ok = backlog * (1 - fail_p[t]) * 0.35
            spill = (backlog * 0.06) if mins >= 8 else 0.0
            backlog = max(0.0, backlog - ok - spill)
            dlq_depth += spill
            to_dlq[t] = spill
            received[t] = float(round(ok + backlog * 0.3))
            deleted[t] = float(round(ok))
            inv[t] = float(rng.randint(9, 14))
            errs[t] = float(round(inv[t] * fail_p[t] * rng.uniform(0.85, 1.0)))
            dur[t] = rng.uniform(8000, 10500)
            visible[t] = float(round(backlog * 0.7))
            notvis[t] = float(round(backlog * 0.3))
            age[t] = float(round(mins * 60 + rng.randint(20, 50)))
        dlq_series[t] = float(round(dlq_depth))

    m = k.Metrics()
    ev = {"EventBusName": bus, "RuleName": rule}
    m.put("AWS/Events", "MatchedEvents", ev, "Count", {t: v for t, v in sent.items() if v})
    m.put("AWS/Events", "TriggeredRules", ev, "Count", {t: v for t, v in sent.items() if v})
    m.put("AWS/Events", "Invocations", ev, "Count", {t: v for t, v in sent.items() if v})
    qd = {"QueueName": q}
    m.put("AWS/SQS", "NumberOfMessagesSent", qd, "Count", sent)
    m.put("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", received)
    m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", deleted)
    m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", visible)
    m.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", notvis)
    m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", age)
    m.put("AWS/SQS", "NumberOfEmptyReceives", qd, "Count", {t: float(rng.randint(30, 60)) for t in times})
    m.put("AWS/SQS", "SentMessageSize", qd, "Bytes", {t: rng.uniform(880, 960) for t in times if sent[t]})
    dd = {"QueueName": dlq}
    m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, "Count", dlq_series)
    m.put("AWS/SQS", "NumberOfMessagesSent", dd, "Count", {t: 0.0 for t in times})
    ld = {"FunctionName": checker}
    m.put("AWS/Lambda", "Invocations", ld, "Count", inv)
    m.put("AWS/Lambda", "Errors", ld, "Count", errs)
    m.put("AWS/Lambda", "Throttles", ld, "Count", {t: 0.0 for t in times})
    m.put("AWS/Lambda", "Duration", ld, "Milliseconds", dur)
    m.put(
        "AWS/Lambda",
        "ConcurrentExecutions",
        ld,
        "Count",
        {t: (float(rng.randint(1, 3)) if t < onset_min else float(rng.randint(5, 9))) for t in times},
    )
    for fn, lo, hi, d0 in ((reminders, 3, 12, 700.0), (booking, 40, 90, 120.0)):
        fd = {"FunctionName": fn}
        vals = {t: float(rng.randint(lo, hi)) for t in times}
        m.put("AWS/Lambda", "Invocations", fd, "Count", vals)
        m.put("AWS/Lambda", "Errors", fd, "Count", {t: (1.0 if rng.random() < 0.02 else 0.0) for t in times})
        m.put("AWS/Lambda", "Duration", fd, "Milliseconds", {t: d0 * rng.uniform(0.8, 1.3) for t in times})
    nd = {"NatGatewayId": nat}
    m.put(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        nd,
        "Count",
        {t: float(rng.randint(40, 90) + (rng.randint(5, 12) if t >= onset_min else 0)) for t in times},
    )
    m.put(
        "AWS/NATGateway",
        "ConnectionEstablishedCount",
        nd,
        "Count",
        {t: float(rng.randint(150, 320)) for t in times},
    )
    m.put("AWS/NATGateway", "ErrorPortAllocation", nd, "Count", {t: 0.0 for t in times})
    m.put("AWS/NATGateway", "PacketsDropCount", nd, "Count", {t: 0.0 for t in times})
    m.put("AWS/NATGateway", "BytesOutToDestination", nd, "Bytes", {t: rng.uniform(2e6, 5e6) for t in times})

    # ---- alarms ---------------------------------------------------------------------------------
    page = f"arn:aws:sns:{REGION}:{account}:mendly-oncall"
    al = k.Alarms(account, REGION)

    def five(pts: dict[datetime, float], how: str = "sum") -> dict[datetime, float]:
        out: dict[datetime, list[float]] = {}
        for t, v in pts.items():
            b = t - timedelta(minutes=t.minute % 5)
            out.setdefault(b, []).append(v)
        return {b: (sum(v) if how == "sum" else max(v)) for b, v in out.items()}

    age_name = "eligibility-checks-age"
    al.add(
        k.AlarmSpec(
            age_name,
            "Oldest eligibility check waiting more than 10 minutes",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            60,
            3,
            3,
            600.0,
            "GreaterThanThreshold",
            "missing",
            [page],
        ),
        age,
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "eligibility-checks-dlq-not-empty",
            "Eligibility checks dead-lettered",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dd,
            "Maximum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [page],
        ),
        five(dlq_series, "max"),
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            f"{booking}-errors",
            "booking-api errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": booking},
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [page],
        ),
        five(m.get("AWS/Lambda", "Errors", {"FunctionName": booking})),
        start,
        now,
    )
    rem_dur = m.get("AWS/Lambda", "Duration", {"FunctionName": reminders})
    slow = start + timedelta(minutes=rng.randint(20, 90))
    for i in range(4):
        rem_dur[slow + timedelta(minutes=i)] = rng.uniform(5200, 7800)
    al.add(
        k.AlarmSpec(
            f"{reminders}-duration",
            "Reminder sends slow",
            "AWS/Lambda",
            "Duration",
            {"FunctionName": reminders},
            "Average",
            60,
            3,
            2,
            5000.0,
            "GreaterThanThreshold",
            "missing",
            [],
        ),
        rem_dur,
        start,
        now,
    )
    al.add(
        k.AlarmSpec(
            "nat-port-allocation-errors",
            "NAT gateway port allocation errors",
            "AWS/NATGateway",
            "ErrorPortAllocation",
            nd,
            "Sum",
            300,
            1,
            1,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [page],
        ),
        five(m.get("AWS/NATGateway", "ErrorPortAllocation", nd)),
        start,
        now,
    )

    # ---- CloudTrail -----------------------------------------------------------------------------
    trail = k.Trail(ids, account, REGION)
    mon = trail.person(
        "role",
        "newrelic-integration",
        "NewRelicInfrastructure-Integrations",
        k.ip(rng, "162.247", 1, 250),
        "aws-sdk-java/1.12.765 Linux/5.10.220 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc.",
    )
    eng_name = rng.choice(["dana.whitfield", "kai.nakamura", "rosa.delgado"])
    eng = trail.person(
        "sso",
        eng_name,
        "AWSReservedSSO_Engineer_" + ids.hex(16),
        k.ip(rng, "24", 1, 250),
        "aws-cli/2.17.40 md/awscrt#0.21.2 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.5 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source",
    )
    ci = trail.person(
        "role",
        "codebuild-" + ids.hex(8),
        "mendly-codebuild-deploy",
        k.ip(rng, "52", 1, 250),
        "aws-sdk-js/3.645.0 ua/2.1 os/linux#5.10.224 lang/js md/nodejs#20.17.0 api/lambda#3.645.0",
    )
    t = start + timedelta(minutes=rng.randint(0, 5))
    while t < now:
        trail.add(mon, t, "sqs.amazonaws.com", "ListQueues", {}, None, True)
        trail.add(
            mon,
            t + timedelta(seconds=1),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": f"{qbase}/{q}", "attributeNames": ["All"]},
            None,
            True,
        )
        trail.add(
            mon, t + timedelta(seconds=2), "lambda.amazonaws.com", "ListFunctions20150331", {}, None, True
        )
        t += timedelta(minutes=15, seconds=rng.randint(-30, 30))
    key_at = onset - timedelta(minutes=rng.randint(85, 140))
    trail.add(
        eng,
        key_at - timedelta(minutes=1),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        {"secretId": secret},
        None,
        True,
    )
    trail.add(
        eng,
        key_at,
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        {"secretId": secret, "clientRequestToken": ids.uuid()},
        {"arn": secret_arn, "name": secret, "versionId": ids.uuid(), "versionStages": ["AWSCURRENT"]},
    )
    sg = "sg-0" + ids.hex(16)
    sg_at = onset - timedelta(minutes=rng.randint(9, 20))
    trail.add(
        eng,
        sg_at,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {},
                        "ipRanges": {
                            "items": [
                                {"cidrIp": "10.20.8.14/32", "description": "bastion for migration check"}
                            ]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": account,
                        "groupId": sg,
                        "securityGroupRuleId": "sgr-0" + ids.hex(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "cidrIpv4": "10.20.8.14/32",
                        "description": "bastion for migration check",
                    }
                ]
            },
        },
    )
    dep_at = onset + timedelta(minutes=rng.randint(6, 14))
    trail.add(
        ci,
        dep_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": reminders,
            "s3Bucket": f"mendly-artifacts-{account}",
            "s3Key": f"{reminders}/{ids.hex(12)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": reminders,
            "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{reminders}",
            "runtime": "python3.12",
            "handler": "app.handler",
            "lastModified": k.lambda_ts(dep_at),
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
    )
    dep2 = start + timedelta(minutes=rng.randint(15, 60))
    trail.add(
        ci,
        dep2,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": booking,
            "s3Bucket": f"mendly-artifacts-{account}",
            "s3Key": f"{booking}/{ids.hex(12)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": booking,
            "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{booking}",
            "runtime": "python3.12",
            "handler": "app.handler",
            "lastModified": k.lambda_ts(dep2),
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
    )
    trail.add(
        eng,
        now - timedelta(minutes=rng.randint(2, 6)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": f"{qbase}/{dlq}", "attributeNames": ["All"]},
        None,
        True,
    )
    trail.add(
        eng,
        now - timedelta(minutes=rng.randint(2, 6)),
        "events.amazonaws.com",
        "DescribeRule",
        {"name": rule, "eventBusName": bus},
        None,
        True,
    )
    trail.add(
        eng,
        now - timedelta(minutes=rng.randint(2, 6)),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": checker},
        None,
        True,
    )

    # ---- logs -----------------------------------------------------------------------------------
    logs = k.Logs()
    grp = f"/aws/lambda/{checker}"
    streams = [k.lambda_stream(ids, start) for _ in range(3)]
    for t in times:
        if t < onset_min and rng.random() < 0.55:
            continue
        for _ in range(1 if t < onset_min else 2):
            at = t + timedelta(seconds=rng.randint(0, 55), milliseconds=rng.randint(0, 999))
            rid = ids.uuid()
            ts = k.iso_ms(at)[:-5] + "Z"
            s = rng.choice(streams)
            appt = f"apt_{ids.hex(12)}"
            if t < onset_min or rng.random() > fail_p[t]:
                ms_ = rng.randint(300, 900)
                lines = [
                    f"[INFO]\t{ts}\t{rid}\tchecking eligibility appointment={appt} payer={rng.choice(['60054', '87726', '62308', '39026', '00192'])}",
                    f"[INFO]\t{ts}\t{rid}\tclaimbridge POST /v3/eligibility -> 200 in {ms_}ms status={rng.choice(['active', 'active', 'active', 'inactive'])}",
                ]
                logs.lambda_invocation(
                    grp, s, at, rid, ms_ + rng.uniform(30, 90), 256, rng.randint(78, 92), lines
                )
            else:
                timeout = rng.random() < 0.65
                lines = [
                    f"[INFO]\t{ts}\t{rid}\tchecking eligibility appointment={appt} payer={rng.choice(['60054', '87726', '62308', '39026', '00192'])}"
                ]
                if timeout:
                    lines.append(
                        f"[WARNING]\t{ts}\t{rid}\tclaimbridge POST /v3/eligibility attempt 1/2 failed: ReadTimeout"
                    )
                    lines.append(
                        f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{VENDOR}', port=443): Read timed out. (read timeout=4)\n"
                        "Traceback (most recent call last):\n"
                        '  File "/var/task/app.py", line 71, in handler\n'
                        "    result = client.check(appointment)\n"
                        '  File "/var/task/claimbridge.py", line 44, in check\n'
                        '    resp = self.session.post(f"{self.base}/v3/eligibility", json=body, timeout=(2, 4))\n'
                        '  File "/var/task/requests/adapters.py", line 713, in send\n'
                        "    raise ReadTimeout(e, request=request)"
                    )
                    d = rng.uniform(8100, 8400)
                else:
                    lines.append(
                        f"[WARNING]\t{ts}\t{rid}\tclaimbridge POST /v3/eligibility attempt 1/2 -> 503 Service Unavailable in {rng.randint(2000, 4000)}ms"
                    )
                    lines.append(
                        f"[ERROR]\t{ts}\t{rid}\tclaimbridge POST /v3/eligibility attempt 2/2 -> 503 Service Unavailable body='<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>'"
                    )
                    lines.append(
                        "[ERROR] VendorUnavailable: claimbridge returned 503 after 2 attempts\n"
                        "Traceback (most recent call last):\n"
                        '  File "/var/task/app.py", line 71, in handler\n'
                        "    result = client.check(appointment)\n"
                        '  File "/var/task/claimbridge.py", line 52, in check\n'
                        '    raise VendorUnavailable(f"claimbridge returned {resp.status_code} after {attempt} attempts")'
                    )
                    d = rng.uniform(5000, 8000)
                logs.lambda_invocation(grp, s, at, rid, d, 256, rng.randint(80, 95), lines)
    rgrp = f"/aws/lambda/{reminders}"
    rs = k.lambda_stream(ids, start)
    for t in times:
        if rng.random() < 0.25:
            rid = ids.uuid()
            at = t + timedelta(seconds=rng.randint(0, 55))
            ts = k.iso_ms(at)[:-5] + "Z"
            logs.lambda_invocation(
                rgrp,
                rs,
                at,
                rid,
                rng.uniform(500, 900),
                256,
                84,
                [f"[INFO]\t{ts}\t{rid}\tsms queued via twilio sid=SM{ids.hex(32)} status=queued"],
            )

    # ---- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(200, 600))
    resources: list[k.Rec] = []

    def queue(name: str, arn: str, vis: int, redrive: bool, depth: float) -> None:
        attrs = {
            "QueueArn": arn,
            "ApproximateNumberOfMessages": str(int(depth)),
            "ApproximateNumberOfMessagesNotVisible": str(int(notvis[times[-1]])) if redrive else "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp())),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600" if not redrive else "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
            "SqsManagedSseEnabled": "true",
        }
        if redrive:
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4})
            attrs["Policy"] = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "events",
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": arn,
                            "Condition": {
                                "ArnEquals": {
                                    "aws:SourceArn": f"arn:aws:events:{REGION}:{account}:rule/{bus}/{rule}"
                                }
                            },
                        }
                    ],
                }
            )
        else:
            attrs["RedriveAllowPolicy"] = json.dumps({"redrivePermission": "allowAll"})
        resources.append(
            k.res(
                "sqs",
                "Queue",
                {
                    "QueueUrl": f"{qbase}/{name}",
                    "Attributes": attrs,
                    "Tags": {"service": "eligibility", "env": "prod"},
                },
            )
        )

    queue(q, qarn, 60, True, visible[times[-1]])
    queue(dlq, dlq_arn, 30, False, dlq_series[times[-1]])
    for fn, mem, to in ((checker, 256, 20), (reminders, 256, 30), (booking, 512, 15)):
        r = f"{fn}-role"
        env = (
            {
                "CLAIMBRIDGE_BASE_URL": f"https://{VENDOR}",
                "CLAIMBRIDGE_SECRET_ID": secret,
                "LOG_LEVEL": "INFO",
            }
            if fn == checker
            else {"LOG_LEVEL": "INFO"}
        )
        cfg = k.lambda_config(
            ids,
            account,
            REGION,
            fn,
            "python3.12",
            "app.handler",
            r,
            mem,
            to,
            dep_at if fn == reminders else (dep2 if fn == booking else created + timedelta(days=150)),
            env,
        )
        cfg["VpcConfig"] = {
            "SubnetIds": ["subnet-0" + ids.hex(16), "subnet-0" + ids.hex(16)],
            "SecurityGroupIds": ["sg-0" + ids.hex(16)],
            "VpcId": "vpc-0" + ids.hex(16),
            "Ipv6AllowedForDualStack": False,
        }
        if fn == reminders and dep_at > now:
            cfg["LastModified"] = k.lambda_ts(created + timedelta(days=90))
        resources.append(k.res("lambda", "FunctionConfiguration", cfg))
        resources.append(
            k.res("logs", "LogGroup", k.log_group(account, REGION, f"/aws/lambda/{fn}", created, 30))
        )
        resources.append(k.res("iam", "Role", k.role(ids, account, r, "lambda.amazonaws.com", created)))
    esm = ids.uuid()
    resources.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": esm,
                "BatchSize": 5,
                "EventSourceArn": qarn,
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{checker}",
                "LastModified": k.iso(created + timedelta(days=20)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": [],
                "ScalingConfig": {"MaximumConcurrency": 10},
                "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{account}:event-source-mapping:{esm}",
            },
        )
    )
    resources.append(
        k.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": secret_arn,
                "Name": secret,
                "Description": "ClaimBridge eligibility API key",
                "LastChangedDate": k.iso(key_at),
                "LastAccessedDate": k.iso(day),
                "CreatedDate": k.iso(created),
                "SecretVersionsToStages": {ids.uuid(): ["AWSCURRENT"], ids.uuid(): ["AWSPREVIOUS"]},
            },
        )
    )
    resources.append(
        k.res(
            "ec2",
            "NatGateway",
            {
                "NatGatewayId": nat,
                "State": "available",
                "SubnetId": "subnet-0" + ids.hex(16),
                "VpcId": "vpc-0" + ids.hex(16),
                "CreateTime": k.iso(created),
                "ConnectivityType": "public",
                "NatGatewayAddresses": [
                    {
                        "AllocationId": "eipalloc-0" + ids.hex(16),
                        "NetworkInterfaceId": "eni-0" + ids.hex(16),
                        "PrivateIp": k.ip(rng, "10.20.0", 10, 250),
                        "PublicIp": k.ip(rng, "44", 1, 250),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
            },
        )
    )

    first = next(i for i, tr in enumerate(al.transitions[age_name]) if tr[2] == "ALARM")
    event = al.event(age_name, ids, first)
    clock = (local_onset + timedelta(minutes=rng.choice([-5, 0, 5]))).strftime("%-I:%M")
    question = rng.choice(
        [
            f"front desk at two clinics say insurance shows 'Checking...' forever for patients booked since about {clock}. bookings themselves go through. did something break with eligibility?",
            f"Eligibility page + clinics reporting insurance status stuck on Checking since ~{clock}. Someone rotated the ClaimBridge key this morning, could that be it?",
        ]
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": VENDOR,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-timeouts",
        },
        "also_accept": ["claimbridge", "ClaimBridge", f"https://{VENDOR}"],
        "actions": [],
        "chain": [VENDOR, checker, q, dlq],
    }
    return k.bundle(
        title=TITLE,
        account=account,
        region=REGION,
        start=start,
        now=now,
        question=question,
        timezone=TZ,
        alarm_event=event,
        truth=truth,
        metrics=m,
        alarms=al,
        logs=logs,
        trail=trail,
        resources=resources,
    )
