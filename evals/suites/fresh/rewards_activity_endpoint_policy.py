"""rewards-api: the DynamoDB gateway endpoint's new policy lists table ARNs but not the GSI the activity
endpoint queries, so every GET /activity fails with AccessDenied while balances and earn keep working."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_b as kb
from evals.suites.fresh import _kit_h as kh

NAME = "rewards-activity-endpoint-policy"
TITLE = "rewards-api returning 5xx on member activity"
SUMMARY = (
    "A Terraform data-perimeter change replaced the DynamoDB gateway endpoint policy with one listing only "
    "table ARNs; Queries on the rewards-transactions GSI are denied and GET /activity returns 500."
)

J = kb.J


def build(seed: int) -> Bundle:
    kit = kb.Kit(NAME, seed, region="us-east-2")
    rng = kit.rng
    onset = kit.clock(onset_hour=(14, 19), hours_before=8, minutes_after=rng.randint(33, 44))
    acct, region = kit.account, kit.region
    pl = kh.PREFIX_LISTS[region]
    company = rng.choice(["larkspur", "tidewater", "quillon", "brightfern"])
    pkg = f"io.{company}.rewards"
    abbrev = f"i.{company[0]}.rewards"

    # --- network --------------------------------------------------------------------------------------
    net = kb.Net(kit, f"{company}-prod", rng.choice([20, 24, 32, 40]))
    igw = kit.ec2id("igw")
    vpce_ddb = kit.ec2id("vpce")
    vpce_s3 = kit.ec2id("vpce")
    nats = [kit.ec2id("nat") for _ in net.azs]
    kh_rt_public = kh.route_table(
        kit,
        net,
        f"{company}-prod-public",
        net.public,
        [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
    )
    private_rts = []
    for i, az in enumerate(net.azs):
        private_rts.append(
            kh.route_table(
                kit,
                net,
                f"{company}-prod-private-{az[-1]}",
                [net.private[i]],
                [
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nats[i],
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": pl["dynamodb"],
                        "GatewayId": vpce_ddb,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": pl["s3"],
                        "GatewayId": vpce_s3,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
            )
        )
    del kh_rt_public

    # --- tables, buckets, role ------------------------------------------------------------------------
    t_bal, t_txn, t_idem = "rewards-balances", "rewards-transactions", "rewards-idempotency-keys"
    gsi = rng.choice(["member-created-idx", "by-member-created", "memberId-createdAt-index"])
    born = kit.start - timedelta(days=rng.randint(300, 900))
    arn_bal = kh.ddb_table(
        kit,
        t_bal,
        pk="memberId",
        sk=None,
        attrs={"memberId": "S"},
        created=born,
        items=rng.randint(2_400_000, 6_800_000),
        avg_item_bytes=212,
    )
    arn_txn = kh.ddb_table(
        kit,
        t_txn,
        pk="txnId",
        sk=None,
        attrs={"txnId": "S", "memberId": "S", "createdAt": "S"},
        gsis=[(gsi, "memberId", "createdAt")],
        created=born + timedelta(days=2),
        items=rng.randint(80_000_000, 190_000_000),
        avg_item_bytes=388,
        stream=True,
    )
    arn_idem = kh.ddb_table(
        kit,
        t_idem,
        pk="idempotencyKey",
        sk=None,
        attrs={"idempotencyKey": "S"},
        created=born + timedelta(days=140),
        items=rng.randint(300_000, 900_000),
        avg_item_bytes=160,
    )
    bucket = f"rewards-statements-prod-{acct[-6:]}"
    kit.res(
        "s3",
        "Bucket",
        {
            "Name": bucket,
            "CreationDate": kb.iso(born - timedelta(days=3)),
            "BucketRegion": region,
            "BucketArn": f"arn:aws:s3:::{bucket}",
        },
    )
    role = "rewards-api-ec2"
    kh.iam_role(
        kit,
        role,
        service="ec2.amazonaws.com",
        created=born,
        desc="Instance role for rewards-api",
        inline={
            "rewards-data": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Tables",
                        "Effect": "Allow",
                        "Action": [
                            "dynamodb:GetItem",
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:Query",
                            "dynamodb:BatchGetItem",
                            "dynamodb:ConditionCheckItem",
                            "dynamodb:DescribeTable",
                        ],
                        "Resource": [arn_bal, arn_txn, f"{arn_txn}/index/*", arn_idem],
                    },
                    {
                        "Sid": "Statements",
                        "Effect": "Allow",
                        "Action": ["s3:PutObject", "s3:GetObject"],
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    },
                ],
            }
        },
        managed=[
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ],
        last_used=kit.now - timedelta(minutes=rng.randint(1, 4)),
    )

    # --- VPC endpoints (current state: after the change) ----------------------------------------------
    default_policy = {
        "Version": "2008-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
    ddb_policy: J = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RewardsTables",
                "Effect": "Allow",
                "Principal": "*",
                "Action": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                ],
                "Resource": [arn_bal, arn_txn, arn_idem],
                "Condition": {"StringEquals": {"aws:PrincipalAccount": acct}},
            },
            {
                "Sid": "AccountLevelReads",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["dynamodb:DescribeEndpoints", "dynamodb:DescribeLimits", "dynamodb:ListTables"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": acct}},
            },
        ],
    }
    s3_policy: J = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountBuckets",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"StringEquals": {"aws:PrincipalAccount": acct}},
            },
            {
                "Sid": "AmazonLinuxRepos",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": [
                    f"arn:aws:s3:::al2023-repos-{region}-de612dc2/*",
                    f"arn:aws:s3:::amazonlinux-2-repos-{region}/*",
                ],
            },
        ],
    }
    ep_born = born + timedelta(days=rng.randint(5, 60))
    kh.gateway_endpoint(
        kit,
        net,
        "dynamodb",
        vid=vpce_ddb,
        route_tables=private_rts,
        policy=ddb_policy,
        created=ep_born,
        name=f"{company}-prod-dynamodb",
        extra_tags={"managed-by": "terraform", "stack": "network-baseline"},
    )
    kh.gateway_endpoint(
        kit,
        net,
        "s3",
        vid=vpce_s3,
        route_tables=private_rts,
        policy=s3_policy,
        created=ep_born - timedelta(minutes=rng.randint(2, 9)),
        name=f"{company}-prod-s3",
        extra_tags={"managed-by": "terraform", "stack": "network-baseline"},
    )

    # --- compute: ALB + ASG of four instances ---------------------------------------------------------
    alb_sg = net.sg(
        "rewards-api-alb-sg", "rewards-api public ALB", [kb.tcp_from_cidr(443, "0.0.0.0/0", "public https")]
    )
    app_sg = net.sg("rewards-api-sg", "rewards-api instances", [kb.tcp_from_sg(8080, alb_sg, "from ALB")])
    alb = kb.Alb(
        kit, net, "rewards-api-prod", "rewards-api-prod-8080", alb_sg, health_path="/actuator/health"
    )
    cert = kit.arn("acm", f"certificate/{kit.uuid()}")
    alb.listener(443, "HTTPS", cert=cert)
    alb.listener(80, "HTTP")
    asg_name = "rewards-api-prod"
    ami = kit.ec2id("ami")
    launched = kit.start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 20))
    insts: list[tuple[str, str, int]] = []
    for i in range(4):
        iid, ip = kb.instance(
            kit,
            net,
            name="rewards-api-prod",
            az_index=i % 3,
            sg=app_sg,
            itype="m7g.large",
            ami=ami,
            profile=role,
            asg=asg_name,
            launched=launched + timedelta(seconds=rng.randint(0, 90)),
        )
        insts.append((iid, ip, i % 3))
    kb.asg(
        kit,
        net,
        asg_name,
        instances=[(iid, az) for iid, _, az in insts],
        tg_arns=[alb.tg_arn],
        lt_name="rewards-api-prod",
        itype="m7g.large",
        min_size=4,
        max_size=12,
    )
    for iid, _, azi in insts:
        kit.event(
            "target_health",
            {
                "target_group_arn": alb.tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": net.azs[azi]},
                "health": {"State": "healthy"},
                "timestamp": kb.iso(launched + timedelta(minutes=3, seconds=rng.randint(0, 50))),
            },
        )
    # partner sync lambda (deployed during the window, unrelated)
    sync_fn = "rewards-partner-sync"
    sync_role = kh.iam_role(
        kit,
        "rewards-partner-sync-lambda",
        service="lambda.amazonaws.com",
        created=born + timedelta(days=30),
        desc="rewards partner catalog sync",
        managed=["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    )
    del sync_role
    deploy_t = onset - timedelta(minutes=rng.randint(19, 26), seconds=rng.randint(0, 59))
    kb.lambda_fn(
        kit,
        sync_fn,
        runtime="python3.12",
        handler="sync.handler",
        role="rewards-partner-sync-lambda",
        memory=512,
        timeout=120,
        modified=deploy_t + timedelta(seconds=2),
        env={"CATALOG_TABLE": "rewards-partner-offers", "LOG_LEVEL": "INFO"},
        desc="Pulls partner offer catalog every 15 minutes",
    )
    app_group = "/rewards/api/application"
    for g in (app_group, f"/aws/lambda/{sync_fn}", "/rewards/api/gc"):
        kb.log_group(kit, g, retention=30 if g != f"/aws/lambda/{sync_fn}" else None)

    # --- traffic model --------------------------------------------------------------------------------
    base = rng.uniform(2200, 3600)
    act_frac = rng.uniform(0.13, 0.19)
    bal_frac = rng.uniform(0.45, 0.55)
    earn_frac = rng.uniform(0.07, 0.1)
    redeem_frac = rng.uniform(0.012, 0.02)
    peak = rng.uniform(16.5, 19.5)

    def rps(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=peak, floor=0.3)

    def broken(t: datetime) -> bool:
        return t >= kb.floor_min(onset)

    def frac_broken(t: datetime) -> float:
        """Share of the minute starting at t after the onset."""
        if t + timedelta(minutes=1) <= onset:
            return 0.0
        if t >= onset:
            return 1.0
        return (t + timedelta(minutes=1) - onset).total_seconds() / 60

    def t5xx(t: datetime) -> float:
        return 0.12 + rps(t) * act_frac * frac_broken(t)

    def latency(t: datetime) -> tuple[float, float]:
        med = 0.038 + 0.006 * kit.diurnal(t, utc_peak=peak)
        return (med * (0.86 if broken(t) else 1.0), 0.62)

    alb.metrics(
        rps,
        t5xx=t5xx,
        latency=latency,
        healthy=lambda t: 4.0,
        t4xx_frac=0.018,
    )

    def cpu_of(s: float) -> Callable[[datetime], float]:
        return lambda t: 6 + rps(t) * s / 38 * (0.94 if broken(t) else 1.0)

    def bytes_of(s: float) -> Callable[[datetime], float]:
        return lambda t: rps(t) * s * 2900

    for iid, _, _ in insts:
        share = rng.uniform(0.23, 0.27)
        kb.ec2_metrics(kit, iid, cpu=cpu_of(share), net_bytes=bytes_of(share))
    kit.series(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg_name},
        "Percent",
        lambda t: kit.jitter(6 + rps(t) * 0.25 / 38 * (0.94 if broken(t) else 1.0), 0.04),
    )

    # DynamoDB
    def q_ok(t: datetime) -> float:
        return rps(t) * act_frac * (1 - frac_broken(t))

    def q_denied(t: datetime) -> float:
        return rps(t) * act_frac * frac_broken(t)

    kh.ddb_op_metrics(kit, t_bal, "GetItem", lambda t: rps(t) * bal_frac, lambda t: (2.9, 0.35), returned=1.0)
    kh.ddb_op_metrics(
        kit, t_bal, "UpdateItem", lambda t: rps(t) * (earn_frac + redeem_frac), lambda t: (5.1, 0.4)
    )
    kh.ddb_op_metrics(
        kit, t_txn, "PutItem", lambda t: rps(t) * (earn_frac + redeem_frac), lambda t: (5.6, 0.4)
    )
    kh.ddb_op_metrics(kit, t_txn, "GetItem", lambda t: rps(t) * 0.006, lambda t: (3.1, 0.35), returned=1.0)
    kh.ddb_op_metrics(kit, t_txn, "Query", q_ok, lambda t: (7.4, 0.45), returned=rng.uniform(14, 22))
    kh.ddb_op_metrics(
        kit, t_idem, "PutItem", lambda t: rps(t) * (earn_frac + redeem_frac), lambda t: (4.8, 0.4)
    )
    ns = "AWS/DynamoDB"
    kit.series(
        ns,
        "ConsumedReadCapacityUnits",
        {"TableName": t_bal},
        "Count",
        lambda t: rps(t) * bal_frac * 0.5,
        count=True,
    )
    kit.series(
        ns,
        "ConsumedReadCapacityUnits",
        {"TableName": t_txn},
        "Count",
        lambda t: rps(t) * 0.006 * 0.5,
        count=True,
        skip_zero=True,
    )
    kit.series(
        ns,
        "ConsumedReadCapacityUnits",
        {"TableName": t_txn, "GlobalSecondaryIndexName": gsi},
        "Count",
        lambda t: q_ok(t) * 1.5,
        count=True,
        skip_zero=True,
    )
    for tbl in (t_bal, t_txn, t_idem):
        kit.series(
            ns,
            "ConsumedWriteCapacityUnits",
            {"TableName": tbl},
            "Count",
            lambda t: rps(t) * (earn_frac + redeem_frac),
            count=True,
        )
    kit.series(
        ns,
        "ConsumedWriteCapacityUnits",
        {"TableName": t_txn, "GlobalSecondaryIndexName": gsi},
        "Count",
        lambda t: rps(t) * (earn_frac + redeem_frac),
        count=True,
    )
    kit.series(
        ns,
        "ConditionalCheckFailedRequests",
        {"TableName": t_idem},
        "Count",
        lambda t: rps(t) * 0.0009,
        count=True,
        skip_zero=True,
    )
    kit.series(
        ns,
        "ConditionalCheckFailedRequests",
        {"TableName": t_bal},
        "Count",
        lambda t: rps(t) * redeem_frac * 0.04,
        count=True,
        skip_zero=True,
    )
    kit.series(ns, "UserErrors", {}, "Count", lambda t: 0.05 + q_denied(t), count=True, skip_zero=True)

    # Lambda partner sync: every 15 minutes
    runs: list[datetime] = []
    t = kit.start + timedelta(minutes=rng.randint(0, 14), seconds=rng.randint(1, 40))
    while t < kit.now:
        runs.append(t)
        t += timedelta(minutes=15)

    def sync_inv(t: datetime) -> float:
        width = timedelta(minutes=5 if t < kit.fine_from else 1)
        return float(sum(1 for r in runs if t <= r < t + width))

    kit.series(
        "AWS/Lambda", "Invocations", {"FunctionName": sync_fn}, "Count", sync_inv, skip_zero=True, digits=0
    )
    kit.series(
        "AWS/Lambda",
        "Errors",
        {"FunctionName": sync_fn},
        "Count",
        lambda t: 0.0 if sync_inv(t) else None,
        digits=0,
    )
    kit.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": sync_fn},
        "Milliseconds",
        lambda t: kit.jitter(8400, 0.15) if sync_inv(t) else None,
    )
    stream = kb.lambda_stream(kit, kit.start)
    for i, run in enumerate(runs):
        if run > deploy_t and (i == 0 or runs[i - 1] <= deploy_t):
            stream = kb.lambda_stream(kit, run)
        dur = kit.jitter(8400, 0.15)
        cold = i == 0 or (run > deploy_t and runs[i - 1] <= deploy_t)
        kb.lambda_invocation(
            kit,
            f"/aws/lambda/{sync_fn}",
            stream,
            run,
            dur,
            512,
            rng.randint(96, 118),
            [
                "[INFO]\tfetching partner offers page_size=200",
                f"[INFO]\tsynced {rng.randint(1800, 2300)} offers ({rng.randint(0, 40)} changed) in {dur / 1000:.1f}s",
            ],
            init_ms=rng.uniform(610, 940) if cold else None,
        )

    # --- application logs -----------------------------------------------------------------------------
    pid = {iid: rng.randint(2000, 2600) for iid, _, _ in insts}
    members = [f"M{rng.randint(10**8, 10**9 - 1)}" for _ in range(400)]
    req_log = f"{abbrev}.web.RequestLoggingFilter"
    denied_tpl = (
        "User: arn:aws:sts::{acct}:assumed-role/{role}/{iid} is not authorized to perform: dynamodb:Query on "
        "resource: {arn}/index/{gsi} because no VPC endpoint policy allows the dynamodb:Query action "
        "(Service: DynamoDb, Status Code: 400, Request ID: {rid})"
    )

    def thread() -> str:
        return f"http-nio-8080-exec-{rng.randint(1, 60)}"[-15:]

    def stack(iid: str, rid: str) -> str:
        msg = denied_tpl.format(acct=acct, role=role, iid=iid, arn=arn_txn, gsi=gsi, rid=rid)
        head = (
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
            "[Request processing failed: software.amazon.awssdk.services.dynamodb.model.DynamoDbException: "
            f"{msg}] with root cause\n"
        )
        return head + kh.spring_exception(
            f"software.amazon.awssdk.services.dynamodb.model.DynamoDbException: {msg}",
            [
                "software.amazon.awssdk.services.dynamodb.model.DynamoDbException$BuilderImpl.build(DynamoDbException.java:104)",
                "software.amazon.awssdk.services.dynamodb.model.DynamoDbException$BuilderImpl.build(DynamoDbException.java:58)",
                "software.amazon.awssdk.protocols.json.internal.unmarshall.AwsJsonProtocolErrorUnmarshaller.unmarshall(AwsJsonProtocolErrorUnmarshaller.java:89)",
                "software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse(CombinedResponseHandler.java:125)",
                "software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleResponse(CombinedResponseHandler.java:82)",
                "software.amazon.awssdk.core.internal.http.pipeline.stages.HandleResponseStage.execute(HandleResponseStage.java:50)",
                "software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:53)",
                "software.amazon.awssdk.core.internal.http.AmazonSyncHttpClient$RequestExecutionBuilderImpl.execute(AmazonSyncHttpClient.java:224)",
                "software.amazon.awssdk.core.internal.handler.BaseSyncClientHandler.invoke(BaseSyncClientHandler.java:103)",
                "software.amazon.awssdk.awscore.client.handler.AwsSyncClientHandler.execute(AwsSyncClientHandler.java:53)",
                "software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.query(DefaultDynamoDbClient.java:4815)",
                "software.amazon.awssdk.enhanced.dynamodb.internal.operations.QueryOperation.serviceCall(QueryOperation.java:138)",
                "software.amazon.awssdk.enhanced.dynamodb.internal.operations.PaginatedTableOperation.lambda$executeOnSecondaryIndex$0(PaginatedTableOperation.java:77)",
                "software.amazon.awssdk.enhanced.dynamodb.internal.client.DefaultDynamoDbIndex.query(DefaultDynamoDbIndex.java:79)",
                f"{pkg}.ledger.TransactionRepository.recentForMember(TransactionRepository.java:91)",
                f"{pkg}.ledger.ActivityService.activity(ActivityService.java:44)",
                f"{pkg}.web.ActivityController.list(ActivityController.java:37)",
                "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
                "java.base/java.lang.reflect.Method.invoke(Method.java:580)",
                "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)",
                "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)",
                "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)",
                "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140)",
                f"{pkg}.web.RequestLoggingFilter.doFilterInternal(RequestLoggingFilter.java:52)",
                "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)",
                "java.base/java.lang.Thread.run(Thread.java:1583)",
            ],
        )

    t = kit.fine_from
    export_iid = insts[0][0]
    while t < kit.now:
        for iid, _, _ in insts:
            stream_name = iid
            n = kit.poisson(4.5 * kit.diurnal(t, utc_peak=peak, floor=0.3) + 1)
            for _ in range(n):
                at = t + timedelta(milliseconds=rng.randint(0, 59_999))
                m = rng.choice(members)
                r = rng.random()
                th = thread()
                if r < act_frac:
                    if broken(at) and at >= onset:
                        rid = kh.ddb_request_id(kit)
                        kit.log(
                            app_group,
                            stream_name,
                            at,
                            kb.spring_line(
                                at,
                                "ERROR",
                                th,
                                "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                                stack(iid, rid),
                                pid[iid],
                            ),
                        )
                        line = f"GET /v1/members/{m}/activity?limit=25 status=500 duration_ms={rng.randint(11, 24)}"
                    else:
                        line = f"GET /v1/members/{m}/activity?limit=25 status=200 duration_ms={rng.randint(22, 95)}"
                elif r < act_frac + bal_frac:
                    line = f"GET /v1/members/{m}/balance status=200 duration_ms={rng.randint(5, 31)}"
                elif r < act_frac + bal_frac + earn_frac:
                    line = f"POST /v1/members/{m}/earn status=201 duration_ms={rng.randint(14, 58)}"
                elif r < act_frac + bal_frac + earn_frac + redeem_frac:
                    if rng.random() < 0.05:
                        kit.log(
                            app_group,
                            stream_name,
                            at,
                            kb.spring_line(
                                at,
                                " WARN",
                                th,
                                f"{abbrev}.ledger.RedemptionService",
                                f"redemption rejected member={m} reason=INSUFFICIENT_POINTS",
                                pid[iid],
                            ),
                        )
                        line = f"POST /v1/members/{m}/redeem status=409 duration_ms={rng.randint(10, 30)}"
                    else:
                        line = f"POST /v1/members/{m}/redeem status=201 duration_ms={rng.randint(18, 70)}"
                elif r < 0.985:
                    line = f"GET /v1/offers?memberId={m} status=200 duration_ms={rng.randint(8, 40)}"
                else:
                    line = f"GET /v1/members/{m}/profile status=404 duration_ms={rng.randint(3, 9)}"
                kit.log(app_group, stream_name, at, kb.spring_line(at, "INFO", th, req_log, line, pid[iid]))
        if t.minute % 15 == 7:
            at = t + timedelta(seconds=rng.randint(2, 20))
            key = f"{at:%Y/%m/%d}/batch-{at:%H%M}.csv.gz"
            kit.log(
                app_group,
                export_iid,
                at,
                kb.spring_line(
                    at,
                    "INFO",
                    "   scheduling-1",
                    f"{abbrev}.statements.StatementExporter",
                    f"uploaded s3://{bucket}/{key} ({rng.randint(90, 260)} KB, {rng.randint(800, 2400)} rows)",
                    pid[export_iid],
                ),
            )
        if rng.random() < 0.03:
            iid = rng.choice(insts)[0]
            at = t + timedelta(seconds=rng.randint(0, 59))
            kit.log(
                app_group,
                iid,
                at,
                kb.spring_line(
                    at,
                    " WARN",
                    thread(),
                    "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
                    "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method 'PUT' is not supported]",
                    pid[iid],
                ),
            )
        if rng.random() < 0.02:
            iid = rng.choice(insts)[0]
            at = t + timedelta(seconds=rng.randint(0, 59))
            kit.log(
                app_group,
                iid,
                at,
                kb.spring_line(
                    at,
                    " WARN",
                    "   scheduling-1",
                    f"{abbrev}.offers.OfferCacheRefresher",
                    f"offer cache refresh slow: {rng.randint(3100, 5200)} ms (threshold 3000 ms)",
                    pid[iid],
                ),
            )
        t += timedelta(minutes=1)
    for iid, _, _ in insts:
        t = kit.fine_from + timedelta(seconds=rng.randint(0, 300))
        while t < kit.now:
            pause = rng.uniform(3.5, 9.0)
            kit.log(
                "/rewards/api/gc",
                iid,
                t,
                f"[{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3]
                + f"+0000][{pid[iid]}][gc] GC({rng.randint(4000, 9000)}) Pause Young (Normal) (G1 Evacuation Pause) {rng.randint(900, 1300)}M->{rng.randint(300, 520)}M({2048}M) {pause:.3f}ms",
            )
            t += timedelta(seconds=rng.randint(240, 420))

    # --- alarms ---------------------------------------------------------------------------------------
    topic = kit.arn("sns", "rewards-oncall-pagerduty")
    lb = {"LoadBalancer": alb.dim}
    both = {"LoadBalancer": alb.dim, "TargetGroup": alb.tg_dim}
    kit.alarm(
        "rewards-api-target-5xx",
        ns="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lb,
        stat="Sum",
        period=60,
        evals=3,
        threshold=25,
        op="GreaterThanThreshold",
        missing="notBreaching",
        description="rewards-api targets returning 5xx (sum/min > 25 for 3 min). Runbook: https://wiki.internal/rewards/runbooks/5xx",
        topic=topic,
    )
    kit.alarm(
        "rewards-api-p99-latency",
        ns="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb,
        stat="p99",
        period=300,
        evals=3,
        threshold=1.2,
        op="GreaterThanThreshold",
        description="rewards-api p99 above 1.2s",
        topic=topic,
    )
    kit.alarm(
        "rewards-api-unhealthy-hosts",
        ns="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims=both,
        stat="Maximum",
        period=60,
        evals=3,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "rewards-api-asg-cpu-high",
        ns="AWS/EC2",
        metric="CPUUtilization",
        dims={"AutoScalingGroupName": asg_name},
        stat="Average",
        period=300,
        evals=3,
        threshold=75,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "rewards-balances-write-throttles",
        ns="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dims={"TableName": t_bal},
        stat="Sum",
        period=60,
        evals=5,
        threshold=10,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "rewards-partner-sync-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": sync_fn},
        stat="Sum",
        period=900,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    emails = [
        f"{n}@{company}.io"
        for n in rng.sample(["priya.n", "tom.becker", "ana.silva", "j.okafor", "lena.k", "marcus.w"], 3)
    ]
    humans = [
        kit.sso(emails[0], "PlatformEngineer"),
        kit.sso(emails[1], "ReadOnly"),
        kit.sso(emails[2], "RewardsDeveloper"),
    ]
    net_ci = kit.role_session("gha-network-baseline-apply", "GitHubActions")
    app_ci = kit.role_session("gha-rewards-deploy", "GitHubActions")
    monitor = kit.role_session("grafana-cloudwatch-read", "grafana")
    menu = kb.standard_menu(
        kit,
        humans=humans,
        ci=app_ci,
        monitor=monitor,
        instance_ids=[i for i, _, _ in insts],
        alarms=["rewards-api-target-5xx", "rewards-api-p99-latency", "rewards-api-asg-cpu-high"],
        lb_arns=[alb.arn],
        tg_arns=[alb.tg_arn],
        functions=[sync_fn],
        log_groups=[app_group],
    )
    kit.routine(menu, rng.randint(30, 38))
    gha_ip = kit.public_ip()

    # instance-profile credential refreshes
    for _ in range(rng.randint(4, 7)):
        at = kit.start + timedelta(
            minutes=rng.randint(0, int((kit.now - kit.start).total_seconds() // 60) - 1)
        )
        iid = rng.choice(insts)[0]
        kit.trail(
            {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
            at,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{acct}:role/{role}", "roleSessionName": iid},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + kit.upper(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + kit.upper(20) + "...",
                    "expiration": (at + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
                "assumedRoleUser": {
                    "assumedRoleId": f"AROA{kit.upper(17)}:{iid}",
                    "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{iid}",
                },
            },
            read_only=True,
            resources=[
                {"accountId": acct, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{acct}:role/{role}"}
            ],
            extra={"sharedEventID": kit.uuid()},
        )

    # innocent 1: partner-sync lambda deploy
    kit.trail(
        app_ci,
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": sync_fn,
            "s3Bucket": f"{company}-build-artifacts",
            "s3Key": f"rewards-partner-sync/{kit.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": sync_fn,
            "functionArn": kit.arn("lambda", f"function:{sync_fn}"),
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{acct}:role/rewards-partner-sync-lambda",
            "handler": "sync.handler",
            "codeSize": rng.randint(2_000_000, 4_000_000),
            "timeout": 120,
            "memorySize": 512,
            "lastModified": (deploy_t + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        agent="aws-cli/2.17.12 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
        ip=gha_ip,
    )
    # innocent 2: log retention set by a human
    kit.trail(
        humans[0],
        onset - timedelta(minutes=rng.randint(8, 14), seconds=rng.randint(0, 59)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/aws/lambda/{sync_fn}", "retentionInDays": 30},
        None,
        agent=kb.AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )

    # terraform network-baseline apply: plan reads, then both endpoint policies
    change_t = onset - timedelta(seconds=rng.randint(40, 110))
    tf_ip = kit.public_ip()
    kit.trail(
        net_ci,
        change_t - timedelta(seconds=rng.randint(70, 100)),
        "sts.amazonaws.com",
        "GetCallerIdentity",
        None,
        read_only=True,
        agent=kh.terraform_agent("sts#1.28.10"),
        ip=tf_ip,
    )
    for dt in (61, 58, 4):
        kit.trail(
            net_ci,
            change_t - timedelta(seconds=dt),
            "ec2.amazonaws.com",
            "DescribeVpcEndpoints",
            kh.ec2_request_wrap(
                "DescribeVpcEndpoints",
                {"VpcEndpointId": [{"content": vpce_s3 if dt == 58 else vpce_ddb, "tag": 1}]},
            ),
            read_only=True,
            agent=kh.terraform_agent("ec2#1.162.0"),
            ip=tf_ip,
        )
    kit.trail(
        net_ci,
        change_t - timedelta(seconds=55),
        "ec2.amazonaws.com",
        "DescribePrefixLists",
        {
            "prefixListIdSet": {},
            "filterSet": {
                "items": [
                    {
                        "name": "prefix-list-name",
                        "valueSet": {"items": [{"value": f"com.amazonaws.{region}.dynamodb"}]},
                    }
                ]
            },
        },
        read_only=True,
        agent=kh.terraform_agent("ec2#1.162.0"),
        ip=tf_ip,
    )
    s3_rec = kit.trail(
        net_ci,
        change_t - timedelta(seconds=rng.randint(1, 3)),
        "ec2.amazonaws.com",
        "ModifyVpcEndpoint",
        kh.ec2_request_wrap(
            "ModifyVpcEndpoint",
            {"VpcEndpointId": vpce_s3, "PolicyDocument": json.dumps(s3_policy, separators=(",", ":"))},
        ),
        agent=kh.terraform_agent("ec2#1.162.0"),
        ip=tf_ip,
    )
    s3_rec["responseElements"] = kh.ec2_response_wrap(
        kit, "ModifyVpcEndpoint", s3_rec["requestID"], {"return": True}
    )
    culprit = kit.trail(
        net_ci,
        change_t,
        "ec2.amazonaws.com",
        "ModifyVpcEndpoint",
        kh.ec2_request_wrap(
            "ModifyVpcEndpoint",
            {"VpcEndpointId": vpce_ddb, "PolicyDocument": json.dumps(ddb_policy, separators=(",", ":"))},
        ),
        agent=kh.terraform_agent("ec2#1.162.0"),
        ip=tf_ip,
    )
    culprit["responseElements"] = kh.ec2_response_wrap(
        kit, "ModifyVpcEndpoint", culprit["requestID"], {"return": True}
    )
    for dt in (2, 3):
        kit.trail(
            net_ci,
            change_t + timedelta(seconds=dt),
            "ec2.amazonaws.com",
            "DescribeVpcEndpoints",
            kh.ec2_request_wrap(
                "DescribeVpcEndpoints",
                {"VpcEndpointId": [{"content": vpce_ddb if dt == 2 else vpce_s3, "tag": 1}]},
            ),
            read_only=True,
            agent=kh.terraform_agent("ec2#1.162.0"),
            ip=tf_ip,
        )
    del default_policy
    # an engineer looking after the page
    look = onset + timedelta(minutes=rng.randint(9, 16))
    office = kit.public_ip()
    kit.trail(
        humans[2],
        look,
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        {"alarmNames": ["rewards-api-target-5xx"]},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        humans[2],
        look + timedelta(seconds=rng.randint(40, 90)),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": alb.tg_arn},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        humans[2],
        look + timedelta(seconds=rng.randint(120, 200)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        {"tableName": t_txn},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
        resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": arn_txn}],
    )

    # --- trigger & truth ------------------------------------------------------------------------------
    event = kit.alarm_event("rewards-api-target-5xx")
    return kit.bundle(
        title="rewards-api-target-5xx in ALARM",
        trigger={"question": None, "alarm_event": event},
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": vpce_ddb,
                "category": "change",
                "failure_mode": "vpc-endpoint-policy-denies-index-query",
                "event_id": culprit["eventID"],
            },
            "also_accept": [f"{company}-prod-dynamodb", f"com.amazonaws.{region}.dynamodb"],
            "actions": ["rollback", "reconfigure"],
            "chain": [
                f"ModifyVpcEndpoint on {vpce_ddb} replaced its policy with one allowing only the table ARNs",
                f"dynamodb:Query on {t_txn}/index/{gsi} is denied by the endpoint policy (AccessDenied)",
                "rewards-api GET /v1/members/{id}/activity fails with DynamoDbException and returns 500",
                "rewards-api-prod ALB HTTPCode_Target_5XX_Count rises; rewards-api-target-5xx alarms",
            ],
        },
    )
