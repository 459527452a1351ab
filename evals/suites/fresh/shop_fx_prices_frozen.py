"""Shop prices in foreign currencies freeze: the scheduled FX-rates job fails against its rates provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzj import Ctx, iso, minutes

NAME = "shop-fx-prices-frozen"
TITLE = "GBP and USD shop prices haven't moved since lunchtime; is the rates updater stuck?"
SUMMARY = (
    "The exchange-rate provider's API starts answering 503 and then hangs; the scheduled fx-rates-refresh "
    "Lambda fails every run and its retries, so converted prices go stale."
)

FN = "fx-rates-refresh"
ADDR = "address-autocomplete"
CARRIER = "carrier-rates-sync"
HOST = "api.fxfeed.io"
SCHED = "fx-rates-every-10m"
FAILQ = "fx-rates-refresh-failed"
TABLE = "fx-rates"
SYMBOLS = "GBP,USD,SEK,DKK,NOK,CHF,PLN"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-1")
    r = c.rng
    day = datetime(2026, 10, 5, tzinfo=UTC) + timedelta(days=r.choice([0, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16]))
    onset = day + timedelta(hours=12, minutes=r.randint(5, 50), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(30, 50))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(62, 75))).replace(microsecond=0)
    hang_from = onset + timedelta(minutes=r.randint(14, 22))
    deploy = onset - timedelta(hours=2, minutes=r.randint(10, 40))
    nat = "nat-0" + c.hexid(16)
    phase_503_ms = (1800.0, 3400.0)

    # --- the schedule fires every 10 minutes; a failed async invoke is retried at +1 and +3 min ---
    runs: list[tuple[datetime, str, int]] = []  # (time, outcome, attempt)
    t = start.replace(minute=start.minute // 10 * 10) + timedelta(minutes=10)
    last_ok = start
    while t < now:
        fire = t + timedelta(seconds=r.uniform(0.3, 2.5))
        for attempt, delay in ((1, 0), (2, 60 + r.uniform(0, 8)), (3, 180 + r.uniform(0, 20))):
            at = fire + timedelta(seconds=delay)
            if at >= hang_from:
                outcome = "timeout"
            elif at >= onset:
                outcome = "503"
            else:
                outcome = "ok"
            runs.append((at, outcome, attempt))
            if outcome == "ok":
                last_ok = at
                break
        t += timedelta(minutes=10)
    del last_ok

    inv: dict[datetime, int] = {}
    err: dict[datetime, int] = {}
    durs: dict[datetime, list[float]] = {}
    failed_events: dict[datetime, int] = {}
    last_success = start - timedelta(minutes=r.randint(1, 9))
    ok_times: list[datetime] = []
    group = f"/aws/lambda/{FN}"
    stream = c.lambda_stream(start)
    path = f"/v2/latest?base=EUR&symbols={SYMBOLS}"
    for at, outcome, attempt in runs:
        m = at.replace(second=0, microsecond=0)
        inv[m] = inv.get(m, 0) + 1
        if r.random() < 0.12:
            stream = c.lambda_stream(at)
        if outcome == "ok":
            d = r.uniform(620, 1450)
            ok_times.append(at)
            lines = [
                (
                    r.uniform(5, 20),
                    f"[INFO]\t{{ts}}\t{{rid}}\tFetching EUR rates from https://{HOST}{path}\n",
                ),
                (
                    d - r.uniform(60, 200),
                    "[INFO]\t{ts}\t{rid}\tStored 7 rates in fx-rates (as_of="
                    f"{(at - timedelta(seconds=r.randint(20, 90))).strftime('%Y-%m-%dT%H:%M:%SZ')}), published "
                    "pricing-rates-updated\n",
                ),
            ]
            c.invocation(group, stream, at, round(d, 2), 256, r.randint(78, 92), lines)
        else:
            err[m] = err.get(m, 0) + 1
            if outcome == "503":
                d = r.uniform(*phase_503_ms)
                lines = [
                    (
                        r.uniform(5, 20),
                        f"[INFO]\t{{ts}}\t{{rid}}\tFetching EUR rates from https://{HOST}{path}\n",
                    ),
                    (
                        d * 0.2,
                        f"[WARNING]\t{{ts}}\t{{rid}}\tGET https://{HOST}{path} answered 503 Service "
                        "Unavailable (Retry-After: 60), retry 1/2\n",
                    ),
                    (
                        d * 0.55,
                        f"[WARNING]\t{{ts}}\t{{rid}}\tGET https://{HOST}{path} answered 503 Service "
                        "Unavailable (Retry-After: 60), retry 2/2\n",
                    ),
                    (
                        d - 30,
                        f"[ERROR] RetryError: HTTPSConnectionPool(host='{HOST}', port=443): Max retries "
                        f"exceeded with url: {path} (Caused by ResponseError('too many 503 error responses'))\n"
                        'Traceback (most recent call last):\n  File "/var/task/app.py", line 74, in handler\n'
                        '    rates = fetch_rates(session, base="EUR")\n  File "/var/task/rates.py", line 31, in '
                        "fetch_rates\n    resp = session.get(url, timeout=10)\n",
                    ),
                ]
            else:
                d = r.uniform(31_400, 32_600)
                lines = [
                    (
                        r.uniform(5, 20),
                        f"[INFO]\t{{ts}}\t{{rid}}\tFetching EUR rates from https://{HOST}{path}\n",
                    ),
                    (
                        10_020,
                        "[WARNING]\t{ts}\t{rid}\tRetrying (Retry(total=2, connect=None, read=None, "
                        "redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool"
                        f"(host='{HOST}', port=443): Read timed out. (read timeout=10)\")': {path}\n",
                    ),
                    (
                        20_540,
                        "[WARNING]\t{ts}\t{rid}\tRetrying (Retry(total=1, connect=None, read=None, "
                        "redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool"
                        f"(host='{HOST}', port=443): Read timed out. (read timeout=10)\")': {path}\n",
                    ),
                    (
                        d - 40,
                        f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. "
                        '(read timeout=10)\nTraceback (most recent call last):\n  File "/var/task/app.py", line 74, '
                        'in handler\n    rates = fetch_rates(session, base="EUR")\n  File "/var/task/rates.py", '
                        "line 31, in fetch_rates\n    resp = session.get(url, timeout=10)\n",
                    ),
                ]
            c.invocation(group, stream, at, round(d, 2), 256, r.randint(80, 95), lines)
            if attempt == 3:
                fm = (at + timedelta(milliseconds=d + r.uniform(200, 900))).replace(second=0, microsecond=0)
                failed_events[fm] = failed_events.get(fm, 0) + 1
        durs.setdefault(m, []).append(d)

    def age(t: datetime) -> float:
        prior = [x for x in ok_times if x <= t]
        base = prior[-1] if prior else last_success
        return (t - base).total_seconds() + r.uniform(20, 90)

    # --- metrics ----------------------------------------------------------------------------------
    fd = {"FunctionName": FN}
    c.series(
        "AWS/Lambda", "Invocations", fd, "Count", start, now, lambda t: float(inv[t]) if t in inv else None
    )
    errs = c.series(
        "AWS/Lambda", "Errors", fd, "Count", start, now, lambda t: float(err.get(t, 0)) if t in inv else None
    )
    for tm, ds in sorted(durs.items()):
        c.dist("AWS/Lambda", "Duration", fd, "Milliseconds", tm, ds)
    c.series(
        "AWS/Lambda",
        "AsyncEventsReceived",
        fd,
        "Count",
        start,
        now,
        lambda t: 1.0 if t.minute % 10 == 0 else None,
    )
    c.series(
        "AWS/Lambda", "ConcurrentExecutions", fd, "Count", start, now, lambda t: 1.0 if t in inv else None
    )
    fq = {"QueueName": FAILQ}
    first_fail = min(failed_events) if failed_events else now
    c.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        fq,
        "Count",
        start,
        now,
        lambda t: float(failed_events.get(t, 0)) if t >= first_fail else None,
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        fq,
        "Count",
        start,
        now,
        lambda t: float(sum(v for k, v in failed_events.items() if k <= t)) if t >= first_fail else None,
    )
    stale = c.series(
        "Storefront/Pricing", "RatesAgeSeconds", {"Service": "price-api"}, "Seconds", start, now, age
    )
    c.series(
        "Storefront/Pricing",
        "RepricedSkus",
        {"Service": "price-api"},
        "Count",
        start,
        now,
        lambda t: (
            float(r.randint(38_000, 41_000))
            if any(abs((t - x).total_seconds()) < 60 for x in ok_times)
            else 0.0
        ),
    )
    addr_err: dict[datetime, float] = {}
    for name, host_ok in ((ADDR, 1), (CARRIER, 0)):
        dd = {"FunctionName": name}
        if host_ok:
            c.series(
                "AWS/Lambda", "Invocations", dd, "Count", start, now, lambda t: float(r.randint(40, 140))
            )
            addr_err = c.series(
                "AWS/Lambda", "Errors", dd, "Count", start, now, lambda t: float(r.choice([0] * 12 + [1]))
            )
            c.series("AWS/Lambda", "Duration", dd, "Milliseconds", start, now, lambda t: r.uniform(95, 240))
        else:
            c.series(
                "AWS/Lambda", "Invocations", dd, "Count", start, now, lambda t: 1.0 if t.minute == 5 else None
            )
            c.series(
                "AWS/Lambda", "Errors", dd, "Count", start, now, lambda t: 0.0 if t.minute == 5 else None
            )
    nd = {"NatGatewayId": nat}
    c.series("AWS/NATGateway", "ErrorPortAllocation", nd, "Count", start, now, lambda t: 0.0)
    c.series("AWS/NATGateway", "PacketsDropCount", nd, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        nd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(310, 520)),
    )
    c.series(
        "AWS/NATGateway",
        "ConnectionAttemptCount",
        nd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(900, 1600)),
    )
    c.series(
        "AWS/NATGateway",
        "BytesOutToDestination",
        nd,
        "Bytes",
        start,
        now,
        lambda t: float(r.randint(9, 30) * 10**6),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = c.arn("sns", "shop-ops-alerts")
    c.alarm(
        f"{FN}-errors",
        "FX refresh failing (3 errors in 30 min)",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        1800,
        1,
        3,
        "GreaterThanOrEqualToThreshold",
        errs,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    c.alarm(
        "fx-rates-stale",
        "Converted prices use rates older than 60 min",
        "Storefront/Pricing",
        "RatesAgeSeconds",
        {"Service": "price-api"},
        "Maximum",
        300,
        1,
        3600,
        "GreaterThanThreshold",
        stale,
        start,
        now,
        actions=[topic],
    )
    c.alarm(
        f"{ADDR}-errors",
        "Address lookups failing",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": ADDR},
        "Sum",
        300,
        1,
        25,
        "GreaterThanThreshold",
        addr_err,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    lb = "app/shop-web/" + c.hexid(16)
    spikes: dict[datetime, float] = {}
    flap = start + timedelta(minutes=r.randint(30, 100))
    for m in minutes(start, now):
        spikes[m] = r.uniform(820, 1900) if flap <= m < flap + timedelta(minutes=4) else r.uniform(180, 420)
    c.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Seconds",
        start,
        now,
        lambda t: spikes[t] / 1000,
    )
    c.alarm(
        "shop-web-response-time-high",
        "Shop ALB average response time above 0.8 s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        "Average",
        60,
        3,
        0.8,
        "GreaterThanThreshold",
        {k: v / 1000 for k, v in spikes.items()},
        start,
        now,
        to_alarm=2,
        actions=[topic],
    )

    # --- resources --------------------------------------------------------------------------------
    created = day - timedelta(days=r.randint(250, 600))
    c.role("fx-rates-refresh-role", "lambda.amazonaws.com", created)
    c.role("scheduler-fx-rates", "scheduler.amazonaws.com", created)
    fn = c.lambda_fn(
        FN,
        "fx-rates-refresh-role",
        timeout=60,
        memory=256,
        modified=deploy,
        env={
            "RATES_URL": f"https://{HOST}/v2/latest",
            "RATES_TABLE": TABLE,
            "API_KEY_PARAM": "/shop/prod/fxfeed/api-key",
            "SYMBOLS": SYMBOLS,
        },
        description="Pulls EUR exchange rates for shop pricing",
    )
    c.lambda_fn(
        ADDR,
        "fx-rates-refresh-role",
        timeout=5,
        memory=256,
        modified=created,
        env={"ADDRESS_API": "https://api.addressly.com/v1/autocomplete"},
    )
    c.lambda_fn(
        CARRIER,
        "fx-rates-refresh-role",
        timeout=120,
        memory=512,
        modified=created,
        env={"CARRIER_API": "https://rates.parcelhub.eu/api/v3"},
    )
    failarn = c.queue(
        FAILQ,
        {
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": str(sum(failed_events.values())),
        },
        created,
    )
    c.res(
        "lambda",
        "FunctionEventInvokeConfig",
        {
            "LastModified": iso(created),
            "FunctionArn": fn["FunctionArn"] + ":$LATEST",
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 3600,
            "DestinationConfig": {"OnFailure": {"Destination": failarn}},
        },
    )
    c.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": c.arn("scheduler", f"schedule/default/{SCHED}"),
            "GroupName": "default",
            "Name": SCHED,
            "ScheduleExpression": "rate(10 minutes)",
            "ScheduleExpressionTimezone": "UTC",
            "State": "ENABLED",
            "CreationDate": iso(created),
            "LastModificationDate": iso(created),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": fn["FunctionArn"],
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-fx-rates",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
            },
            "ActionAfterCompletion": "NONE",
        },
    )
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": TABLE,
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "KeySchema": [{"AttributeName": "currency", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "currency", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableArn": c.arn("dynamodb", f"table/{TABLE}"),
            "ItemCount": 7,
            "TableSizeBytes": 1422,
        },
    )
    sn = c.arn("sns", "pricing-rates-updated")
    c.res(
        "sns",
        "Topic",
        {"TopicArn": sn, "Attributes": {"TopicArn": sn, "SubscriptionsConfirmed": "1", "DisplayName": ""}},
    )
    subnet = "subnet-0" + c.hexid(16)
    c.res(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created),
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": subnet,
            "VpcId": "vpc-0" + c.hexid(16),
            "ConnectivityType": "public",
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-0" + c.hexid(16),
                    "NetworkInterfaceId": "eni-0" + c.hexid(16),
                    "PrivateIp": "10.40.0.187",
                    "PublicIp": f"52.{r.randint(16, 31)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
                    "AssociationId": "eipassoc-0" + c.hexid(16),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "Tags": [{"Key": "Name", "Value": "shop-prod-nat-a"}],
        },
    )
    for g in (group, f"/aws/lambda/{ADDR}", f"/aws/lambda/{CARRIER}"):
        c.log_group(g, 30, created, r.randint(10**7, 10**9))

    # logs of the neighbours, which reach their own vendors fine
    ag = f"/aws/lambda/{ADDR}"
    ast = c.lambda_stream(start)
    tt = start
    while tt < now:
        c.invocation(
            ag,
            ast,
            tt,
            r.uniform(90, 260),
            256,
            r.randint(70, 80),
            [
                (
                    60,
                    "[INFO]\t{ts}\t{rid}\tGET https://api.addressly.com/v1/autocomplete 200 "
                    f"({r.randint(40, 180)} ms)\n",
                )
            ],
        )
        tt += timedelta(seconds=r.randint(150, 420))
    cg = f"/aws/lambda/{CARRIER}"
    for m in minutes(start, now):
        if m.minute == 5:
            at = m + timedelta(seconds=r.uniform(0.5, 3))
            dur = r.uniform(9000, 15000)
            c.invocation(
                cg,
                c.lambda_stream(at),
                at,
                dur,
                512,
                r.randint(140, 170),
                [
                    (
                        dur - 100,
                        "[INFO]\t{ts}\t{rid}\tSynced 4 carriers, 1,812 rate rows from rates.parcelhub.eu\n",
                    )
                ],
                init_ms=r.uniform(400, 700),
            )

    # --- cloudtrail -------------------------------------------------------------------------------
    gha = c.role_identity("github-actions-shop-deploy", "GitHubActions", deploy)
    ua = (
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9"
    )
    c.ct(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": FN,
            "s3Bucket": "northbay-deploy-artifacts",
            "s3Key": f"{FN}/{c.hexid(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": FN,
            "functionArn": fn["FunctionArn"],
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": fn["CodeSize"],
            "timeout": 60,
            "memorySize": 256,
            "version": "$LATEST",
            "lastModified": deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": fn["CodeSha256"],
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
            "packageType": "Zip",
        },
        read_only=False,
        agent=ua,
        ip="20.61.127.9",
    )
    c.ct(
        deploy + timedelta(seconds=2),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        gha,
        {"functionName": FN, "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": FN,
            "functionArn": fn["FunctionArn"],
            "timeout": 60,
            "memorySize": 256,
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent=ua,
        ip="20.61.127.9",
    )
    sg_t = onset - timedelta(minutes=r.randint(20, 45))
    sso = c.role_identity("AWSReservedSSO_NetworkAdmin_4e1b2c9d0a", "sam.whitlock@northbay.example", sg_t)
    c.ct(
        sg_t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        sso,
        {
            "groupId": "sg-0" + c.hexid(16),
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [{"cidrIp": "10.40.8.0/24", "description": "new bastion subnet"}]
                        },
                    }
                ]
            },
        },
        {
            "requestId": c.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.account,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "10.40.8.0/24",
                        "securityGroupRuleId": "sgr-0" + c.hexid(16),
                    }
                ]
            },
        },
        read_only=False,
        agent="console.ec2.amazonaws.com",
        ip="86.12.201.44",
    )
    c.ct(
        sg_t + timedelta(minutes=6),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        sso,
        {"logGroupName": "/aws/vpc/shop-prod-flow", "retentionInDays": 14},
        None,
        read_only=False,
        agent="console.amazonaws.com",
        ip="86.12.201.44",
    )
    for at, _, attempt in runs:
        if attempt == 1 and r.random() < 0.35:
            c.service_assume(
                at - timedelta(seconds=1), "scheduler.amazonaws.com", "scheduler-fx-rates", c.hexid(32)
            )
    for _ in range(4):
        w = start + timedelta(minutes=r.randint(0, int((now - start).total_seconds() // 60)))
        c.service_assume(w, "lambda.amazonaws.com", "fx-rates-refresh-role", FN)
    c.tooling_reads(
        start,
        now,
        r.randint(34, 46),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("ec2.amazonaws.com", "DescribeNatGateways", None),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
            (
                "ssm.amazonaws.com",
                "GetParameter",
                {"name": "/shop/prod/fxfeed/api-key", "withDecryption": True},
            ),
            ("scheduler.amazonaws.com", "GetSchedule", {"Name": SCHED, "GroupName": "default"}),
        ],
    )
    q_local = now + timedelta(hours=1)  # BST
    if day >= datetime(2026, 10, 25, tzinfo=UTC):
        q_local = now
    lunch = (onset + (q_local - now)).hour
    question = (
        f"Our GBP and USD shop prices haven't moved since about {lunch % 12 or 12}{'pm' if lunch >= 12 else 'am'} "
        "even though the euro has jumped this afternoon. Is the rates updater stuck? As far as I know nobody "
        "touched anything today."
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": c.account,
        "region": c.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": HOST,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-unavailable",
            },
            "also_accept": ["fxfeed", f"https://{HOST}/v2/latest"],
            "actions": [],
            "chain": [HOST, FN, TABLE, "price-api"],
        },
    }
    return c.bundle(manifest, now)
