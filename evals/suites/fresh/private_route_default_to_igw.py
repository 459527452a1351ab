"""ReplaceRoute points the private route table's default route at the internet gateway; outbound calls time out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Kit,
    Net,
    cli,
    iso,
    lambda_fn,
    lambda_invocation,
    lambda_metrics,
    lambda_stream,
    log_group,
    name_tags,
    standard_menu,
)

NAME = "private-route-default-to-igw"
TITLE = "Payouts stuck: payout-requests queue backing up"
SUMMARY = (
    "A replace-route aimed at the new public route table hits the shared private one: 0.0.0.0/0 now targets the "
    "internet gateway, the VPC Lambda's calls to the payment provider time out and the queue backs up"
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="us-east-2")
    rng = kit.rng
    onset = kit.clock(onset_hour=(14, 20), hours_before=4, minutes_after=rng.randint(33, 45))
    co = rng.choice(["gigpay", "crewfund", "shiftwise"])
    dom = f"{co}.com"
    people = rng.sample(["sam.rivera", "kate.osei", "li.wei", "ben.carter", "ola.nowak"], 4)
    neteng = kit.sso(f"{people[0]}@{dom}", "NetworkAdmin")
    dev = kit.sso(f"{people[1]}@{dom}", "Developer")
    sre = kit.sso(f"{people[2]}@{dom}", "SRE")
    ci = kit.role_session(f"{co}-ci", "GitHubActions")
    monitor = kit.role_session("datadog-integration", kit.hex(8))

    net = Net(kit, f"{co}-payments", rng.choice([40, 44, 48]))
    igw = kit.ec2id("igw")
    kit.res(
        "ec2",
        "InternetGateway",
        {
            "InternetGatewayId": igw,
            "OwnerId": kit.account,
            "Attachments": [{"State": "available", "VpcId": net.vpc_id}],
            "Tags": name_tags(f"{co}-payments-igw"),
        },
    )
    nat = kit.ec2id("nat")
    nat_eni = kit.ec2id("eni")
    nat_ip = kit.public_ip()
    second = net.cidr.split(".")[1]
    kit.res(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(kit.start - timedelta(days=rng.randint(200, 600))),
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": net.public[0],
            "VpcId": net.vpc_id,
            "ConnectivityType": "public",
            "NatGatewayAddresses": [
                {
                    "AllocationId": kit.ec2id("eipalloc"),
                    "NetworkInterfaceId": nat_eni,
                    "PrivateIp": f"10.{second}.{rng.randint(0, 3)}.{rng.randint(4, 250)}",
                    "PublicIp": nat_ip,
                    "AssociationId": kit.ec2id("eipassoc"),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "Tags": name_tags(f"{co}-payments-nat-a"),
        },
    )
    ddb_pl = "pl-" + kit.hex(8)
    vpce = kit.ec2id("vpce")
    pub_rtb, priv_rtb, new_rtb = kit.ec2id("rtb"), kit.ec2id("rtb"), kit.ec2id("rtb")
    kit.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vpce,
            "VpcEndpointType": "Gateway",
            "VpcId": net.vpc_id,
            "ServiceName": f"com.amazonaws.{kit.region}.dynamodb",
            "State": "available",
            "PolicyDocument": json.dumps(
                {
                    "Version": "2008-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
                }
            ),
            "RouteTableIds": [priv_rtb],
            "SubnetIds": [],
            "Groups": [],
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": iso(kit.start - timedelta(days=rng.randint(100, 500))),
            "OwnerId": kit.account,
            "Tags": name_tags(f"{co}-payments-dynamodb"),
        },
    )

    def local() -> dict[str, str]:
        return {
            "DestinationCidrBlock": net.cidr,
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        }

    kit.res(
        "ec2",
        "RouteTable",
        {
            "RouteTableId": pub_rtb,
            "VpcId": net.vpc_id,
            "OwnerId": kit.account,
            "PropagatingVgws": [],
            "Routes": [
                local(),
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": igw,
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Associations": [
                {
                    "Main": False,
                    "RouteTableAssociationId": kit.ec2id("rtbassoc"),
                    "RouteTableId": pub_rtb,
                    "SubnetId": s,
                    "AssociationState": {"State": "associated"},
                }
                for s in net.public
            ],
            "Tags": name_tags(f"{co}-payments-public"),
        },
    )
    kit.res(
        "ec2",
        "RouteTable",
        {
            "RouteTableId": priv_rtb,
            "VpcId": net.vpc_id,
            "OwnerId": kit.account,
            "PropagatingVgws": [],
            "Routes": [
                local(),
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": igw,
                    "Origin": "CreateRoute",
                    "State": "active",
                },
                {
                    "DestinationPrefixListId": ddb_pl,
                    "GatewayId": vpce,
                    "Origin": "CreateRoute",
                    "State": "active",
                },
            ],
            "Associations": [
                {
                    "Main": False,
                    "RouteTableAssociationId": kit.ec2id("rtbassoc"),
                    "RouteTableId": priv_rtb,
                    "SubnetId": s,
                    "AssociationState": {"State": "associated"},
                }
                for s in net.private
            ],
            "Tags": name_tags(f"{co}-payments-private"),
        },
    )
    kit.res(
        "ec2",
        "RouteTable",
        {
            "RouteTableId": new_rtb,
            "VpcId": net.vpc_id,
            "OwnerId": kit.account,
            "PropagatingVgws": [],
            "Routes": [local()],
            "Associations": [],
            "Tags": name_tags(f"{co}-payments-public-edge"),
        },
    )
    fn_sg = net.sg("payout-lambda-sg", "payout lambdas (egress only)", [])

    # --- queue, table, functions -----------------------------------------------------------------------
    qurl = f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/payout-requests"
    qarn = kit.arn("sqs", "payout-requests")
    dlq_arn = kit.arn("sqs", "payout-requests-dlq")
    created = iso(kit.start - timedelta(days=rng.randint(200, 700)))
    created_epoch = str(int((kit.start - timedelta(days=300)).timestamp()))
    kit.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": qarn,
                "VisibilityTimeout": "120",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MaximumMessageSize": "262144",
                "SqsManagedSseEnabled": "true",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
                "CreatedTimestamp": created_epoch,
                "LastModifiedTimestamp": created_epoch,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
            },
            "Tags": {"service": "payouts"},
        },
    )
    kit.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl + "-dlq",
            "Attributes": {
                "QueueArn": dlq_arn,
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "MaximumMessageSize": "262144",
                "SqsManagedSseEnabled": "true",
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [qarn]}),
                "CreatedTimestamp": created_epoch,
                "LastModifiedTimestamp": created_epoch,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
            },
            "Tags": {"service": "payouts"},
        },
    )
    kit.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "payouts",
            "TableStatus": "ACTIVE",
            "TableArn": kit.arn("dynamodb", "table/payouts"),
            "TableId": kit.uuid(),
            "CreationDateTime": created,
            "ItemCount": rng.randint(10**6, 9 * 10**6),
            "TableSizeBytes": rng.randint(10**9, 9 * 10**9),
            "AttributeDefinitions": [{"AttributeName": "payout_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "payout_id", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtectionEnabled": True,
        },
    )
    vpc = (net.private, [fn_sg], net.vpc_id)
    secret = kit.arn("secretsmanager", f"secret:payouts/stripe-{kit.upper(6)}")
    disp = lambda_fn(
        kit,
        "payout-dispatcher",
        runtime="python3.12",
        handler="payouts.dispatch.handler",
        role=f"{co}-payout-dispatcher",
        memory=512,
        timeout=60,
        modified=kit.start - timedelta(days=rng.randint(4, 25)),
        env={"PAYOUTS_TABLE": "payouts", "STRIPE_SECRET_ARN": secret, "STRIPE_MAX_NETWORK_RETRIES": "2"},
        vpc=vpc,
    )
    recon = lambda_fn(
        kit,
        "payout-reconciler",
        runtime="python3.12",
        handler="payouts.reconcile.handler",
        role=f"{co}-payout-reconciler",
        memory=256,
        timeout=300,
        modified=kit.start - timedelta(days=rng.randint(4, 25)),
        env={"PAYOUTS_TABLE": "payouts"},
        vpc=vpc,
    )
    esm_uuid = kit.uuid()
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 5,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": qarn,
            "FunctionArn": disp["FunctionArn"],
            "LastModified": iso(onset - timedelta(minutes=19)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 50},
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    for f in ("payout-dispatcher", "payout-reconciler"):
        log_group(kit, f"/aws/lambda/{f}", retention=90)

    # --- model -----------------------------------------------------------------------------------------
    base = rng.uniform(110, 180)  # payout requests per minute at peak

    def sent(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=17, floor=0.3)

    def m(t: datetime) -> float:
        return (t - onset).total_seconds() / 60

    def broken(t: datetime) -> bool:
        return t >= onset

    def to_dlq(t: datetime) -> float:
        return sent(t) * 0.97 if m(t) > 11 else 0.0

    def backlog(t: datetime) -> float:
        if not broken(t):
            return sent(t) * 0.04
        mm = m(t)
        return sent(t) * min(mm, 11) * 0.93

    sq = {"QueueName": "payout-requests"}
    dq = {"QueueName": "payout-requests-dlq"}
    kit.series("AWS/SQS", "NumberOfMessagesSent", sq, "Count", lambda t: sent(t), count=True)
    kit.series(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        sq,
        "Count",
        lambda t: sent(t) * (1.0 if not broken(t) else min(5.0, 1 + m(t) / 2.4)) * 0.5,
        count=True,
    )
    kit.series(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        sq,
        "Count",
        lambda t: sent(t) if not broken(t) else sent(t) * 0.01,
        count=True,
    )
    kit.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        sq,
        "Count",
        lambda t: round(kit.jitter(backlog(t), 0.05)),
        digits=0,
    )
    kit.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        sq,
        "Count",
        lambda t: round(kit.jitter(sent(t) * (0.5 if not broken(t) else 2.2), 0.08)),
        digits=0,
    )
    kit.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        sq,
        "Seconds",
        lambda t: (
            round(rng.uniform(1, 9))
            if not broken(t)
            else min(60 * m(t) + rng.uniform(0, 20), 690 + rng.uniform(0, 40))
        ),
        digits=0,
    )
    dlq_total = {}
    acc = 0.0
    for t, width in kit.grid():
        acc += to_dlq(t) * width
        dlq_total[t] = acc
    kit.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        "Count",
        lambda t: round(dlq_total.get(t, 0.0) + 3),
        digits=0,
    )
    kit.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dq,
        "Seconds",
        lambda t: 86400 * 2.3 + (t - kit.start).total_seconds(),
        digits=0,
    )

    def dur(t: datetime) -> tuple[float, float]:
        return (620.0, 0.35) if not broken(t) else (31200.0, 0.04)

    lambda_metrics(
        kit,
        "payout-dispatcher",
        invocations=lambda t: sent(t) / 5 * (1.0 if not broken(t) else min(5.0, 1 + m(t) / 2.4) * 0.5),
        errors=lambda t: 0.01,  # failures are returned as batchItemFailures, not raised
        duration=dur,
        concurrency=lambda t: (
            sent(t) / 5 / 60 * (0.62 if not broken(t) else 31 * min(5.0, 1 + m(t) / 2.4) * 0.5)
        ),
    )
    lambda_metrics(
        kit,
        "payout-reconciler",
        invocations=lambda t: 1.0 / 5,
        errors=lambda t: 0.0,
        duration=lambda t: (8400.0, 0.2),
        concurrency=lambda t: 1.0,
    )
    nd = {"NatGatewayId": nat}

    def egress(t: datetime) -> float:
        return (sent(t) * 0.2 + 3) if not broken(t) else 0.0

    kit.series(
        "AWS/NATGateway",
        "BytesOutToDestination",
        nd,
        "Bytes",
        lambda t: kit.jitter(egress(t) * 9000 + (30 if broken(t) else 0)),
        digits=0,
    )
    kit.series(
        "AWS/NATGateway",
        "BytesInFromDestination",
        nd,
        "Bytes",
        lambda t: kit.jitter(egress(t) * 21000),
        digits=0,
    )
    kit.series(
        "AWS/NATGateway", "BytesOutToSource", nd, "Bytes", lambda t: kit.jitter(egress(t) * 21000), digits=0
    )
    kit.series(
        "AWS/NATGateway", "BytesInFromSource", nd, "Bytes", lambda t: kit.jitter(egress(t) * 9000), digits=0
    )
    kit.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        nd,
        "Count",
        lambda t: round(kit.jitter(egress(t) * 0.9)),
        digits=0,
    )
    kit.series("AWS/NATGateway", "ConnectionAttemptCount", nd, "Count", lambda t: egress(t), count=True)
    kit.series("AWS/NATGateway", "ConnectionEstablishedCount", nd, "Count", lambda t: egress(t), count=True)
    kit.series("AWS/NATGateway", "PacketsDropCount", nd, "Count", lambda t: 0.0, digits=0)
    kit.series("AWS/NATGateway", "ErrorPortAllocation", nd, "Count", lambda t: 0.0, digits=0)
    td = {"TableName": "payouts"}
    kit.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Count",
        lambda t: sent(t) * (2.0 if not broken(t) else 1.0 * min(5.0, 1 + m(t) / 2.4) * 0.5),
        digits=1,
    )
    kit.series("AWS/DynamoDB", "ConsumedReadCapacityUnits", td, "Count", lambda t: sent(t) * 1.5, digits=1)

    # --- logs --------------------------------------------------------------------------------------------
    group = "/aws/lambda/payout-dispatcher"
    for _k in range(2):
        st = lambda_stream(kit, kit.start)
        t = kit.start + timedelta(seconds=rng.randint(0, 50))
        first = True
        while t < kit.now:
            t += timedelta(seconds=rng.expovariate(1 / 35))
            n = rng.randint(1, 5)
            if not broken(t):
                lines = []
                for _ in range(n):
                    po = "po_" + kit.hex(14)
                    lines.append(
                        f"[INFO]\t{po} transfer tr_{kit.upper(24)} created amount={rng.randint(1500, 180000)} "
                        f"currency=usd in {rng.randint(240, 900)}ms"
                    )
                if rng.random() < 0.02:
                    lines.append(
                        "[WARNING]\tstripe idempotency key reused for po_"
                        + kit.hex(14)
                        + "; returning cached result"
                    )
                d = rng.lognormvariate(6.3, 0.35) * n / 2
                lambda_invocation(
                    kit,
                    group,
                    st,
                    t,
                    d,
                    512,
                    rng.randint(92, 118),
                    lines,
                    init_ms=rng.uniform(900, 1300) if first else None,
                )
                t += timedelta(milliseconds=d)
            else:
                po = "po_" + kit.hex(14)
                lines = [
                    "[WARNING]\tRetrying request to api.stripe.com after network error (attempt 1 of 2)",
                    "[WARNING]\tRetrying request to api.stripe.com after network error (attempt 2 of 2)",
                    f"[ERROR]\tstripe request failed for {po}: Unexpected error communicating with Stripe. If this "
                    "problem persists, let us know at support@stripe.com.\n\n(Network error: ConnectTimeout: "
                    "HTTPSConnectionPool(host='api.stripe.com', port=443): Max retries exceeded with url: /v1/transfers "
                    f"(Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{kit.hex(10)}>, "
                    "'Connection to api.stripe.com timed out. (connect timeout=10)')))",
                    f"[INFO]\tbatch finished: 0 succeeded, {n} failed (reported as batchItemFailures)",
                ]
                d = rng.uniform(30600, 31800)
                lambda_invocation(kit, group, st, t, d, 512, rng.randint(96, 120), lines)
                t += timedelta(milliseconds=d)
            first = False
    rgroup = "/aws/lambda/payout-reconciler"
    st = lambda_stream(kit, kit.start)
    t = kit.start.replace(minute=0) + timedelta(minutes=5, seconds=rng.randint(1, 30))
    while t < kit.now:
        lambda_invocation(
            kit,
            rgroup,
            st,
            t,
            rng.uniform(7000, 9800),
            256,
            rng.randint(140, 170),
            [f"[INFO]\treconciled {rng.randint(80, 400)} payouts against ledger, 0 mismatches"],
        )
        t += timedelta(minutes=5, seconds=rng.uniform(-0.5, 0.5))

    # --- alarms ------------------------------------------------------------------------------------------
    topic = kit.arn("sns", "payments-pager")
    kit.alarm(
        "payout-requests-oldest-message-age",
        ns="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=sq,
        stat="Maximum",
        period=60,
        evals=3,
        threshold=300,
        op="GreaterThanThreshold",
        topic=topic,
        description="Payout requests are not being processed",
    )
    kit.alarm(
        "payout-requests-dlq-not-empty",
        ns="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=dq,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=25,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "payout-dispatcher-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "payout-dispatcher"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=50,
        op="GreaterThanThreshold",
        missing="notBreaching",
    )
    kit.alarm(
        "payments-nat-port-allocation-errors",
        ns="AWS/NATGateway",
        metric="ErrorPortAllocation",
        dims=nd,
        stat="Sum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
    )

    # --- CloudTrail ----------------------------------------------------------------------------------------
    menu = standard_menu(
        kit,
        humans=[dev, sre],
        ci=ci,
        monitor=monitor,
        instance_ids=[],
        alarms=[a["AlarmName"] for a in kit.records["alarms"]],
        lb_arns=[],
        tg_arns=[],
        functions=["payout-dispatcher", "payout-reconciler"],
        log_groups=[group, rgroup],
    )
    kit.routine(menu, 34)
    ip = kit.public_ip()
    agent = cli("ec2.replace-route")
    t_c = onset - timedelta(seconds=rng.randint(15, 40))
    new_subnet = kit.ec2id("subnet")
    kit.trail(
        neteng,
        t_c - timedelta(minutes=14),
        "ec2.amazonaws.com",
        "CreateRouteTable",
        {
            "vpcId": net.vpc_id,
            "tagSpecificationSet": {
                "items": [
                    {
                        "resourceType": "route-table",
                        "tags": [{"key": "Name", "value": f"{co}-payments-public-edge"}],
                    }
                ]
            },
        },
        {
            "requestId": kit.uuid(),
            "routeTable": {"routeTableId": new_rtb, "vpcId": net.vpc_id, "ownerId": kit.account},
        },
        agent=cli("ec2.create-route-table"),
        ip=ip,
    )
    kit.trail(
        neteng,
        t_c - timedelta(minutes=6),
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        {
            "routeTableIdSet": {},
            "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": net.vpc_id}]}}]},
        },
        None,
        read_only=True,
        agent=cli("ec2.describe-route-tables"),
        ip=ip,
    )
    culprit = kit.trail(
        neteng,
        t_c,
        "ec2.amazonaws.com",
        "ReplaceRoute",
        {"routeTableId": priv_rtb, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": igw},
        {"requestId": kit.uuid(), "_return": True},
        agent=agent,
        ip=ip,
    )
    kit.trail(
        neteng,
        t_c + timedelta(seconds=rng.randint(40, 90)),
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        {"routeTableIdSet": {"items": [{"routeTableId": priv_rtb}]}, "filterSet": {}},
        None,
        read_only=True,
        agent=cli("ec2.describe-route-tables"),
        ip=ip,
    )
    # innocent: the engineer's intended work on the new edge subnet
    kit.trail(
        neteng,
        t_c - timedelta(minutes=11),
        "ec2.amazonaws.com",
        "CreateSubnet",
        {"vpcId": net.vpc_id, "cidrBlock": f"10.{second}.12.0/24", "availabilityZone": net.azs[0]},
        {
            "requestId": kit.uuid(),
            "subnet": {
                "subnetId": new_subnet,
                "state": "available",
                "vpcId": net.vpc_id,
                "cidrBlock": f"10.{second}.12.0/24",
                "availabilityZone": net.azs[0],
            },
        },
        agent=cli("ec2.create-subnet"),
        ip=ip,
    )
    kit.trail(
        neteng,
        t_c + timedelta(minutes=3),
        "ec2.amazonaws.com",
        "AssociateRouteTable",
        {"routeTableId": new_rtb, "subnetId": new_subnet},
        {
            "requestId": kit.uuid(),
            "associationId": kit.ec2id("rtbassoc"),
            "associationState": {"state": "associated"},
        },
        agent=cli("ec2.associate-route-table"),
        ip=ip,
    )
    # innocent: a developer lowers the queue trigger's batch size
    t_esm = onset - timedelta(minutes=19)
    kit.trail(
        dev,
        t_esm,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_uuid, "batchSize": 5},
        {
            "uUID": esm_uuid,
            "batchSize": 5,
            "maximumBatchingWindowInSeconds": 0,
            "eventSourceArn": qarn,
            "functionArn": disp["FunctionArn"],
            "state": "Updating",
        },
        agent=AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )
    # innocent: CI ships the reconciler
    kit.trail(
        ci,
        onset - timedelta(minutes=rng.randint(24, 29)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "payout-reconciler",
            "s3Bucket": f"{co}-artifacts",
            "s3Key": f"payout-reconciler/{kit.hex(40)}.zip",
        },
        {
            "functionName": "payout-reconciler",
            "functionArn": recon["FunctionArn"],
            "runtime": "python3.12",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=AGENT_TF.format(api="lambda#1.54.6"),
        ip=kit.public_ip(),
    )
    for dt in (13, 16, 22):
        kit.trail(
            sre,
            onset + timedelta(minutes=dt, seconds=rng.randint(0, 40)),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl, "attributeNames": ["All"]},
            None,
            read_only=True,
            agent=AGENT_CONSOLE,
            ip=kit.public_ip(),
            console=True,
        )

    return kit.bundle(
        title=TITLE,
        trigger={"alarm_event": kit.alarm_event("payout-requests-oldest-message-age")},
        truth={
            "root_cause": {
                "resource": priv_rtb,
                "category": "change",
                "failure_mode": "default-route-to-igw-from-private-subnets",
                "event_id": culprit["eventID"],
            },
            "also_accept": [f"{co}-payments-private"],
            "actions": ["rollback"],
            "chain": [
                f"ReplaceRoute set 0.0.0.0/0 in {priv_rtb} ({co}-payments-private) to {igw} instead of {nat}",
                "private subnets have no public addresses, so internet-bound traffic is dropped (NAT traffic falls to zero)",
                "payout-dispatcher's calls to api.stripe.com time out; batches fail and return to the queue",
                "payout-requests backs up (age of oldest message rises), messages land in payout-requests-dlq",
            ],
        },
    )
