"""Trip saves fail after a task role's inline policy was rewritten without a write action the service uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzq import ZONES, Ctx, alb, diurnal, iso, local, target_group

NAME = "itinerary-saves-failing"
TITLE = "Travellers can't save changes to their trips since late morning; browsing trips is fine"
SUMMARY = (
    "An inline-policy rewrite on itinerary-svc's task role dropped dynamodb:TransactWriteItems; every trip save "
    "fails with AccessDenied while reads work."
)

SERVICES = ["web-bff", "itinerary-svc", "booking-svc", "search-svc", "notify-svc"]


def _policy(ctx: Ctx, table_arn: str, with_transact: bool) -> dict[str, object]:
    actions = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ]
    if with_transact:
        actions = [*actions, "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem", "dynamodb:Scan"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ItineraryTable",
                "Effect": "Allow",
                "Action": actions,
                "Resource": [table_arn, f"{table_arn}/index/*"],
            },
            {
                "Sid": "Tracing",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
        ],
    }


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    zone = ZONES[ctx.region]
    lday = ctx.day.astimezone(ZoneInfo(zone))
    onset = datetime(
        lday.year, lday.month, lday.day, 10, r.randint(25, 59), tzinfo=ZoneInfo(zone)
    ).astimezone(UTC)
    onset = onset.replace(second=r.randint(0, 59))
    start = (onset - timedelta(minutes=r.randint(205, 230))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(38, 55))).replace(second=0)
    created = start - timedelta(days=r.randint(200, 600))
    cluster = "tripmosaic-prod"
    peak = (onset.hour + 3) % 24

    # --- network and load balancers -------------------------------------------------------------
    sg_pub, sg_int, sg_tasks = ("sg-" + ctx.hex(17) for _ in range(3))
    pub_arn, pub_dim = alb(ctx, "tm-web-public", False, sg_pub, created)
    int_arn, int_dim = alb(ctx, "tm-internal", True, sg_int, created)
    tgs = {
        "web-bff": target_group(ctx, "web-bff", pub_arn, 3000),
        "itinerary-svc": target_group(ctx, "itinerary-svc", int_arn),
        "booking-svc": target_group(ctx, "booking-svc", int_arn),
        "search-svc": target_group(ctx, "search-svc", int_arn),
    }

    # --- ECS ----------------------------------------------------------------------------------------
    counts = {"web-bff": 4, "itinerary-svc": 3, "booking-svc": 3, "search-svc": 4, "notify-svc": 2}
    ctx.cluster(cluster, len(SERVICES), sum(counts.values()))
    bk_deploy = onset - timedelta(minutes=r.randint(48, 62))
    it_force = onset + timedelta(minutes=r.randint(13, 19))
    revs = {s: r.randint(40, 260) for s in SERVICES}
    svc_arn: dict[str, str] = {}
    td: dict[str, str] = {}
    task_ids: dict[str, list[str]] = {}
    for s in SERVICES:
        deployed = start - timedelta(days=r.randint(1, 9), minutes=r.randint(0, 600))
        if s == "booking-svc":
            deployed = bk_deploy
        if s == "itinerary-svc":
            deployed = it_force
        env = {"SPRING_PROFILES_ACTIVE": "prod", "AWS_XRAY_DAEMON_ADDRESS": "localhost:2000"}
        if s == "web-bff":
            env = {
                "NODE_ENV": "production",
                "ITINERARY_URL": "http://itinerary.internal.tripmosaic.net",
                "BOOKING_URL": "http://booking.internal.tripmosaic.net",
                "SEARCH_URL": "http://search.internal.tripmosaic.net",
            }
        if s == "itinerary-svc":
            env["ITINERARY_TABLE"] = "itineraries"
        tg = tgs.get(s)
        svc_arn[s], td[s], task_ids[s] = ctx.service(
            cluster,
            s,
            revs[s],
            counts[s],
            sg_tasks,
            created,
            deployed,
            f"{deployed:%Y%m%d}-{ctx.hex(7)}",
            env,
            port=3000 if s == "web-bff" else 8080,
            tg_arn=tg[0] if tg else None,
        )
        for i, tid in enumerate(task_ids[s]):
            started = deployed + timedelta(seconds=40 + 20 * i)
            ctx.task(cluster, s, td[s], tid, i % 3, ctx.ip(i % 3), started)

    # --- DynamoDB and IAM ---------------------------------------------------------------------------
    table_arn = ctx.arn("dynamodb", "table/itineraries")
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "itineraries",
            "TableArn": table_arn,
            "TableId": ctx.uuid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "travellerId", "AttributeType": "S"},
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "ItemCount": r.randint(4_000_000, 9_000_000),
            "TableSizeBytes": r.randint(3 * 10**9, 9 * 10**9),
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "byTraveller",
                    "KeySchema": [{"AttributeName": "travellerId", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "IndexArn": f"{table_arn}/index/byTraveller",
                }
            ],
            "DeletionProtectionEnabled": True,
        },
    )
    role = "itinerary-svc-task"
    role_arn = f"arn:aws:iam::{ctx.account}:role/{role}"
    ctx.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": role,
            "RoleId": "AROA" + ctx.hex(17).upper(),
            "Arn": role_arn,
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {"LastUsedDate": iso(now - timedelta(minutes=2)), "Region": ctx.region},
        },
    )
    new_doc = _policy(ctx, table_arn, False)
    ctx.resource(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "itinerary-data-access", "PolicyDocument": new_doc},
    )
    ctx.resource(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "notify-svc-task",
            "PolicyName": "notify-ses-send",
            "PolicyArn": f"arn:aws:iam::{ctx.account}:policy/notify-ses-send",
        },
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.readonly_noise(start, now, cluster, SERVICES, r.randint(70, 95))
    gha = "github-actions-deploy"
    t = bk_deploy - timedelta(minutes=3)
    ctx.ct(
        t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ctx.role_identity(gha, "GitHubActions", t),
        {
            "family": "booking-svc",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td["booking-svc"],
                "family": "booking-svc",
                "revision": revs["booking-svc"],
                "status": "ACTIVE",
            }
        },
    )
    ctx.ct(
        bk_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ctx.role_identity(gha, "GitHubActions", bk_deploy),
        {
            "cluster": cluster,
            "service": "booking-svc",
            "taskDefinition": td["booking-svc"],
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn["booking-svc"],
                "serviceName": "booking-svc",
                "taskDefinition": td["booking-svc"],
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    t = onset - timedelta(minutes=r.randint(30, 42))
    ctx.ct(
        t,
        "iam.amazonaws.com",
        "AttachRolePolicy",
        ctx.sso_identity("dmitri.okafor", "PlatformAdmin", t),
        {"roleName": "notify-svc-task", "policyArn": f"arn:aws:iam::{ctx.account}:policy/notify-ses-send"},
        None,
        region="us-east-1",
        agent="AWS Internal",
    )
    t = onset - timedelta(minutes=r.randint(16, 25))
    ctx.ct(
        t,
        "ssm.amazonaws.com",
        "PutParameter",
        ctx.sso_identity("lena.hart", "Developer", t),
        {"name": "/prod/search-svc/feature-flags", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": r.randint(12, 60), "tier": "Standard"},
        agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9",
    )
    # terraform run from a laptop: refresh, then the write
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.4 ua/2.1 os/macos lang/go#1.22.6 "
        "md/GOOS#darwin md/GOARCH#arm64 api/iam#1.34.3"
    )
    t_put = onset - timedelta(seconds=r.randint(40, 150))
    who = ctx.sso_identity("sam.whitfield", "PlatformAdmin", t_put)
    laptop_ip = f"73.{r.randint(10, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
    for k, name in enumerate(["GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies"]):
        params: dict[str, object] = {"roleName": role}
        if name == "GetRolePolicy":
            params["policyName"] = "itinerary-data-access"
        ctx.ct(
            t_put - timedelta(seconds=25 - k * 3),
            "iam.amazonaws.com",
            name,
            who,
            params,
            None,
            True,
            tf_agent,
            laptop_ip,
            region="us-east-1",
        )
    culprit = ctx.ct(
        t_put,
        "iam.amazonaws.com",
        "PutRolePolicy",
        who,
        {"roleName": role, "policyName": "itinerary-data-access", "policyDocument": json.dumps(new_doc)},
        None,
        False,
        tf_agent,
        laptop_ip,
        region="us-east-1",
    )
    ctx.ct(
        t_put + timedelta(seconds=2),
        "iam.amazonaws.com",
        "GetRolePolicy",
        who,
        {"roleName": role, "policyName": "itinerary-data-access"},
        None,
        True,
        tf_agent,
        laptop_ip,
        region="us-east-1",
    )
    oncall = ctx.sso_identity("jo.mbeki", "Developer", it_force)
    ctx.ct(
        it_force,
        "ecs.amazonaws.com",
        "UpdateService",
        oncall,
        {"cluster": cluster, "service": "itinerary-svc", "forceNewDeployment": True},
        {
            "service": {
                "serviceArn": svc_arn["itinerary-svc"],
                "serviceName": "itinerary-svc",
                "taskDefinition": td["itinerary-svc"],
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
        agent="AWS Internal",
    )
    # CI running daily image scans
    for _ in range(4):
        t = start + timedelta(minutes=r.randint(0, int((now - start).total_seconds() // 60)))
        ctx.ct(
            t,
            "ecr.amazonaws.com",
            "DescribeImageScanFindings",
            ctx.role_identity("github-actions-ci", "GitHubActions", t),
            {"repositoryName": r.choice(SERVICES), "imageId": {"imageTag": "latest"}},
            None,
            True,
        )

    # --- ECS service events ----------------------------------------------------------------------------
    for s in SERVICES:
        t = start + timedelta(minutes=r.randint(5, 60))
        while t < now:
            ctx.ecs_event(svc_arn[s], t, f"(service {s}) has reached a steady state.")
            t += timedelta(hours=6)
    for i, tid in enumerate(task_ids["booking-svc"]):
        ctx.ecs_event(
            svc_arn["booking-svc"],
            bk_deploy + timedelta(seconds=30 + i),
            f"(service booking-svc) has started 1 tasks: (task {tid}).",
        )
    ctx.ecs_event(
        svc_arn["booking-svc"],
        bk_deploy + timedelta(minutes=4),
        "(service booking-svc) deployment ecs-svc/"
        + "".join(str(r.randint(0, 9)) for _ in range(19))
        + " deployment completed.",
    )
    for i, tid in enumerate(task_ids["itinerary-svc"]):
        ctx.ecs_event(
            svc_arn["itinerary-svc"],
            it_force + timedelta(seconds=35 + i),
            f"(service itinerary-svc) has started 1 tasks: (task {tid}).",
        )
    ctx.ecs_event(
        svc_arn["itinerary-svc"],
        it_force + timedelta(minutes=5),
        "(service itinerary-svc) has reached a steady state.",
    )

    # --- metrics ---------------------------------------------------------------------------------------
    def reqs(t: datetime) -> float:
        return max(50.0, diurnal(t, peak, 900, 500)) * r.uniform(0.93, 1.07)

    flap_a = start + timedelta(minutes=r.randint(30, 80))
    tg_share = {"itinerary-svc": 0.35, "booking-svc": 0.12, "search-svc": 0.5}
    write_share = 0.11
    t = start
    while t <= now:
        n = reqs(t)
        broken = t >= onset
        writes = n * tg_share["itinerary-svc"] * write_share
        ctx.metric(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": pub_dim}, t, "Count", value=round(n)
        )
        ctx.metric(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": pub_dim, "TargetGroup": tgs["web-bff"][1]},
            t,
            "Count",
            value=round(n),
        )
        pub5 = (round(writes * r.uniform(0.9, 1.0)) if broken else 0) + (1 if r.random() < 0.15 else 0)
        if pub5:
            ctx.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": pub_dim, "TargetGroup": tgs["web-bff"][1]},
                t,
                "Count",
                value=pub5,
            )
            ctx.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": pub_dim},
                t,
                "Count",
                value=pub5,
            )
        if r.random() < 0.05:
            ctx.metric(
                "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": pub_dim}, t, "Count", value=1
            )
        for s, share in tg_share.items():
            dims = {"LoadBalancer": int_dim, "TargetGroup": tgs[s][1]}
            m = round(n * share * r.uniform(0.95, 1.05))
            ctx.metric("AWS/ApplicationELB", "RequestCount", dims, t, "Count", value=m)
            e5 = 1 if r.random() < 0.08 else 0
            if s == "itinerary-svc" and broken:
                e5 += round(writes * r.uniform(0.95, 1.05))
            if s == "booking-svc" and bk_deploy <= t < bk_deploy + timedelta(minutes=3) and r.random() < 0.5:
                e5 += r.randint(1, 3)
            if e5:
                ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, "Count", value=e5)
            base = {"itinerary-svc": 0.028, "booking-svc": 0.09, "search-svc": 0.14}[s]
            if s == "itinerary-svc" and broken:
                base = 0.024
            vals = [base * f for f in (0.5, 0.8, 1.0, 1.5, 2.5, 4.0)]
            cnt = [max(1.0, round(m * f)) for f in (0.15, 0.3, 0.3, 0.15, 0.08, 0.02)]
            if s == "search-svc" and flap_a - timedelta(minutes=3) <= t < flap_a + timedelta(minutes=4):
                vals.append(round(r.uniform(0.9, 1.3), 3))
                cnt.append(max(1.0, round(m * 0.03)))
            ctx.metric(
                "AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", values=vals, counts=cnt
            )
            hh = counts[s]
            if s == "itinerary-svc" and it_force <= t < it_force + timedelta(minutes=3):
                hh = 2
            ctx.metric("AWS/ApplicationELB", "HealthyHostCount", dims, t, "Count", value=hh)
            ctx.metric("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, "Count", value=0)
        vals = [0.06, 0.1, 0.14, 0.22, 0.4, 0.9]
        cnt = [max(1.0, round(n * f)) for f in (0.15, 0.3, 0.3, 0.15, 0.08, 0.02)]
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": pub_dim},
            t,
            "Seconds",
            values=vals,
            counts=cnt,
        )
        # DynamoDB (table-level, per operation latency only where calls succeed)
        tdims = {"TableName": "itineraries"}
        reads = n * tg_share["itinerary-svc"] * (1 - write_share)
        ctx.metric(
            "AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, t, "Count", value=round(reads * 1.5, 1)
        )
        wcu = writes * (0.4 if broken else 1.0) * 2 * 4
        ctx.metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, t, "Count", value=round(wcu, 1))
        for op, lat in (("GetItem", 3.1), ("Query", 5.4), ("UpdateItem", 5.9), ("TransactWriteItems", 11.8)):
            if op == "TransactWriteItems" and broken:
                continue
            if op == "UpdateItem" and r.random() < 0.3:
                continue
            ctx.metric(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**tdims, "Operation": op},
                t,
                "Milliseconds",
                value=lat * r.uniform(0.85, 1.2),
            )
        ue = (round(writes) if broken else 0) + (r.randint(1, 3) if r.random() < 0.2 else 0)
        if ue:
            ctx.metric("AWS/DynamoDB", "UserErrors", {}, t, "Count", value=ue)
        for s in SERVICES:
            dims = {"ClusterName": cluster, "ServiceName": s}
            cpu: float = {
                "web-bff": 31,
                "itinerary-svc": 22,
                "booking-svc": 18,
                "search-svc": 44,
                "notify-svc": 7,
            }[s]
            cpu *= n / 900
            if s == "booking-svc" and bk_deploy <= t < bk_deploy + timedelta(minutes=3):
                cpu *= 1.6
            ctx.metric(
                "AWS/ECS", "CPUUtilization", dims, t, "Percent", value=min(99.0, cpu * r.uniform(0.9, 1.1))
            )
            mem: float = {
                "web-bff": 41,
                "itinerary-svc": 58,
                "booking-svc": 55,
                "search-svc": 63,
                "notify-svc": 33,
            }[s]
            ctx.metric("AWS/ECS", "MemoryUtilization", dims, t, "Percent", value=mem * r.uniform(0.97, 1.03))
        t += timedelta(minutes=1)

    # --- alarms --------------------------------------------------------------------------------------
    alarm_5xx_t = onset + timedelta(minutes=3, seconds=r.randint(5, 50))
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints "
        f"[{round(reqs(onset) * 0.035)}.0 ({(onset + timedelta(minutes=2)):%d/%m/%y %H:%M:00}), ...] "
        "were greater than the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    ctx.alarm(
        "itinerary-svc-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["itinerary-svc"][1]},
        "Sum",
        10,
        "GreaterThanThreshold",
        3,
        3,
        "ALARM",
        alarm_5xx_t,
        reason,
        description="itinerary-svc returning 5xx behind tm-internal",
        missing="notBreaching",
    )
    ctx.history("itinerary-svc-target-5xx", alarm_5xx_t, "OK", "ALARM", reason)
    ctx.alarm(
        "web-public-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": pub_dim},
        "Sum",
        100,
        "GreaterThanThreshold",
        5,
        5,
        "OK",
        start - timedelta(days=3),
        "Threshold Crossed: no datapoints were received for 5 periods and 5 missing datapoints were treated as "
        "[NonBreaching].",
        missing="notBreaching",
    )
    sreason = "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (0.6)."
    ctx.alarm(
        "search-svc-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["search-svc"][1]},
        "p99",
        0.6,
        "GreaterThanThreshold",
        3,
        2,
        "OK",
        flap_a + timedelta(minutes=6),
        sreason.replace("greater", "not greater"),
    )
    ctx.history("search-svc-p99-latency", flap_a, "OK", "ALARM", sreason)
    ctx.history(
        "search-svc-p99-latency",
        flap_a + timedelta(minutes=6),
        "ALARM",
        "OK",
        sreason.replace("2 out of", "0 out of").replace("greater", "not greater"),
    )
    for s in ("booking-svc", "web-bff", "itinerary-svc"):
        ctx.alarm(
            f"{s}-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": s},
            "Average",
            80,
            "GreaterThanThreshold",
            5,
            5,
            "OK",
            start - timedelta(days=r.randint(2, 20)),
            "Threshold Crossed: 5 datapoints were not greater than the threshold (80.0).",
        )
    ctx.alarm(
        "itineraries-throttled-requests",
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": "itineraries"},
        "Sum",
        5,
        "GreaterThanThreshold",
        3,
        3,
        "OK",
        start - timedelta(days=40),
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as "
        "[NonBreaching].",
        missing="notBreaching",
    )

    # --- logs and traces ------------------------------------------------------------------------------
    host = "itinerary.internal.tripmosaic.net"
    old_tasks = [ctx.hex(32) for _ in task_ids["itinerary-svc"]]
    bff_tasks = task_ids["web-bff"]
    t = start
    while t <= now:
        it_tasks = task_ids["itinerary-svc"] if t >= it_force else old_tasks
        for i, tid in enumerate(it_tasks):
            stream = f"ecs/itinerary-svc/{tid}"
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            thread = f"nio-8080-exec-{r.randint(1, 40)}"
            if r.random() < 0.5:
                ctx.log(
                    "/ecs/itinerary-svc",
                    stream,
                    ts,
                    f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z  INFO 1 --- [itinerary-svc] "
                    f"[{thread:>15}] c.t.itinerary.api.ItineraryController   : GET /v2/itineraries/"
                    f"{ctx.hex(8)} 200 {r.randint(9, 40)}ms",
                )
            if t >= onset and r.random() < 0.8:
                rid = ctx.hex(8).upper() + ctx.hex(44).upper()
                msg = (
                    f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z ERROR 1 --- [itinerary-svc] "
                    f"[{thread:>15}] c.t.i.api.GlobalExceptionHandler         : Unhandled exception on PUT "
                    f"/v2/itineraries/{ctx.hex(8)}\n\n"
                    "software.amazon.awssdk.services.dynamodb.model.DynamoDbException: User: "
                    f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{tid} is not authorized to perform: "
                    f"dynamodb:TransactWriteItems on resource: {table_arn} because no identity-based policy "
                    "allows the dynamodb:TransactWriteItems action (Service: DynamoDb, Status Code: 400, "
                    f"Request ID: {rid[:52]})\n"
                    "\tat software.amazon.awssdk.services.dynamodb.model.DynamoDbException$BuilderImpl.build"
                    "(DynamoDbException.java:104)\n"
                    "\tat software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse"
                    "(CombinedResponseHandler.java:125)\n"
                    "\tat com.tripmosaic.itinerary.store.ItineraryRepository.saveAll(ItineraryRepository.java:211)\n"
                    "\tat com.tripmosaic.itinerary.service.ItineraryService.update(ItineraryService.java:88)"
                )
                ctx.log("/ecs/itinerary-svc", stream, ts, msg)
            if i == 0 and r.random() < 0.04:
                ctx.log(
                    "/ecs/itinerary-svc",
                    stream,
                    ts,
                    f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z  WARN 1 --- [itinerary-svc] "
                    f"[{thread:>15}] c.t.i.api.GlobalExceptionHandler         : 404 itinerary not found "
                    f"{ctx.hex(8)}",
                )
        # web-bff (pino JSON)
        for tid in bff_tasks[:2]:
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            stream = f"ecs/web-bff/{tid}"
            if t >= onset and r.random() < 0.85:
                line = {
                    "level": 50,
                    "time": int(ts.timestamp() * 1000),
                    "pid": 1,
                    "hostname": ctx.hostname(),
                    "reqId": f"req-{r.randint(1000, 99999)}",
                    "route": "PUT /api/trips/:id",
                    "upstream": f"http://{host}/v2/itineraries",
                    "statusCode": 500,
                    "msg": "upstream itinerary returned 500",
                }
                ctx.log("/ecs/web-bff", stream, ts, json.dumps(line, separators=(",", ":")))
            if r.random() < 0.3:
                line = {
                    "level": 30,
                    "time": int(ts.timestamp() * 1000),
                    "pid": 1,
                    "reqId": f"req-{r.randint(1000, 99999)}",
                    "res": {"statusCode": 200},
                    "responseTime": r.randint(40, 300),
                    "msg": "request completed",
                }
                ctx.log("/ecs/web-bff", stream, ts, json.dumps(line, separators=(",", ":")))
        # booking-svc warn noise
        if r.random() < 0.05:
            tid = task_ids["booking-svc"][0]
            ctx.log(
                "/ecs/booking-svc",
                f"ecs/booking-svc/{tid}",
                t,
                f"{t:%Y-%m-%dT%H:%M:%S.000}Z  WARN 1 --- [booking-svc] [    scheduling-1] "
                "c.t.booking.sync.SupplierSync           : supplier feed HOTELBEDS slow: 2214ms",
            )
        t += timedelta(minutes=1)
    for i, tid in enumerate(task_ids["booking-svc"]):
        ts = bk_deploy + timedelta(seconds=55 + 20 * i)
        ctx.log(
            "/ecs/booking-svc",
            f"ecs/booking-svc/{tid}",
            ts,
            f"{ts:%Y-%m-%dT%H:%M:%S.000}Z  INFO 1 --- [booking-svc] [           main] "
            f"c.t.booking.BookingApplication           : Started BookingApplication in {r.uniform(14, 22):.3f} "
            "seconds (process running for 16.8)",
        )

    # traces: bff -> itinerary
    t = start
    while t <= now:
        write = r.random() < 0.35
        tid = r.choice(task_ids["itinerary-svc"] if t >= it_force else old_tasks)
        broken = t >= onset
        item = ctx.hex(8)
        trace = ctx.trace_id(t)
        dur = r.uniform(0.02, 0.06) if not (write and broken) else r.uniform(0.03, 0.05)
        method = "PUT" if write else "GET"
        if write:
            ddb = ctx.sub_aws(
                t + timedelta(milliseconds=4),
                dur * 0.6,
                "DynamoDB",
                "TransactWriteItems",
                None,
                None
                if not broken
                else "User: arn:aws:sts::"
                + ctx.account
                + ":assumed-role/"
                + role
                + "/"
                + tid
                + " is not authorized to perform: dynamodb:TransactWriteItems on resource: "
                + table_arn
                + " because no identity-based policy allows the "
                "dynamodb:TransactWriteItems action",
            )
        else:
            ddb = ctx.sub_aws(
                t + timedelta(milliseconds=4), dur * 0.6, "DynamoDB", "GetItem", "itineraries", None
            )
        status = 500 if (write and broken) else 200
        bff_sub = ctx.sub_http(t, dur + 0.004, host, method, f"http://{host}/v2/itineraries/{item}", status)
        ctx.segment(
            "web-bff",
            t - timedelta(milliseconds=3),
            dur + 0.02,
            method,
            f"https://www.tripmosaic.com/api/trips/{item}",
            status,
            r.choice(bff_tasks),
            [bff_sub],
            trace_id=trace,
        )
        ctx.segment(
            "itinerary-svc",
            t + timedelta(milliseconds=2),
            dur,
            method,
            f"http://{host}/v2/itineraries/{item}",
            status,
            tid,
            [ddb],
            trace_id=trace,
            parent=bff_sub["id"],
        )
        t += timedelta(seconds=r.randint(60, 150) if not broken else r.randint(30, 70))

    hhmm = local(onset + timedelta(minutes=r.randint(2, 9)), zone)
    question = (
        f"Support says travellers can't save changes to their trips since about {hhmm} - they get 'We couldn't "
        "save your changes, try again'. Viewing trips works. booking-svc was deployed this morning and "
        "Jo already restarted itinerary-svc, didn't help. What's going on?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": role,
            "category": "change",
            "failure_mode": "task-role-policy-missing-action",
            "event_id": culprit,
        },
        "also_accept": [role_arn, "itinerary-data-access"],
        "actions": ["rollback"],
        "chain": [role, "itinerary-svc", "web-bff", "tm-web-public"],
    }
    return ctx.bundle(TITLE, start, now, {"question": question, "timezone": zone}, truth)
