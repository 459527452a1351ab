"""Notification workers failing and dead-lettering at the evening peak (author x, incident 1)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_x import (
    BOTO_UA,
    DATADOG_UA,
    TERRAFORM_UA,
    Kit,
    day_shape,
    floor_to,
    iso,
    jc,
    lambda_assume,
    lambda_deploy,
    lambda_item,
    log_group_item,
    minute_times,
    queue_item,
    routine_reads,
)

NAME = "notify-idem-redis-noeviction"
TITLE = "notify-outbound DLQ filling up during the evening peak"
SUMMARY = "Customer notifications failing and dead-lettering in the evening; the workers' Redis store refuses writes."

TZ = ZoneInfo("Europe/London")
TEMPLATES = [
    "order_confirmed",
    "order_shipped",
    "out_for_delivery",
    "delivered",
    "refund_issued",
    "basket_reminder",
]


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    rng = kit.rng
    day = date(2024, rng.choice([5, 6, 9]), rng.randint(3, 26))
    off = (
        datetime(day.year, day.month, day.day, 12, tzinfo=TZ).utcoffset() or timedelta()
    ).total_seconds() / 3600

    def local(h: int, m: int, d: date = day) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).astimezone(UTC)

    start = local(12, 0, day - timedelta(days=1))
    change_at = local(10, rng.randint(22, 58)) + timedelta(seconds=rng.randint(0, 59))
    fine_from = local(16, 30)
    busier = rng.uniform(1.09, 1.16)  # the promotion e-mail day: more orders than yesterday
    mem_base = rng.uniform(52, 57)

    # ---- names and ids --------------------------------------------------------------------------------
    rg = "notify-idem"
    primary, replica = f"{rg}-001", f"{rg}-002"
    pgroup = "notify-redis7-params"
    fn = "notify-dispatch"
    prefs = "notify-preferences-api"
    queue, dlq = "notify-outbound", "notify-outbound-dlq"
    topic_orders = kit.arn("sns", "order-events")
    ops_topic = kit.arn("sns", "ops-alerts-prod")
    vpc = "vpc-0" + kit.hex(16)
    subnets = ["subnet-0" + kit.hex(16) for _ in range(3)]
    sg_lambda, sg_redis = "sg-0" + kit.hex(16), "sg-0" + kit.hex(16)
    ep = kit.hex(6)
    esm_uuid = kit.uuid()
    created = start - timedelta(days=rng.randint(300, 700))

    # ---- the load model -----------------------------------------------------------------------------
    noise_cache: dict[datetime, float] = {}

    def noise(t: datetime) -> float:
        if t not in noise_cache:
            noise_cache[t] = rng.gauss(0, 1)
        return noise_cache[t]

    def load(t: datetime) -> float:
        f = day_shape(t, off, "evening")
        return f * (busier if t >= local(0, 0) else 1.0)

    def demand(t: datetime) -> float:
        """Memory the idempotency keys and rendered payloads would need, % of maxmemory."""
        lag = load(t - timedelta(minutes=50))
        return mem_base + 44.5 * lag + 0.35 * noise(t)

    def policy_noeviction(t: datetime) -> bool:
        return t >= change_at

    def oom(t: datetime) -> float:
        if not policy_noeviction(t):
            return 0.0
        return max(0.0, min(0.86, (demand(t) - 99.6) / 4.5))

    def invocations(t: datetime) -> float:
        e = oom(t)
        return (22 + 240 * load(t)) / (1 - 0.55 * e) * (1 + 0.04 * noise(t + timedelta(seconds=1)))

    def messages(t: datetime) -> float:
        return (22 + 240 * load(t)) * 3.6 * (1 + 0.05 * noise(t + timedelta(seconds=2)))

    onset = next(t for t in minute_times(change_at, local(23, 50), change_at, 60) if oom(t) > 0.02)
    first_dlq = onset + timedelta(minutes=rng.randint(9, 13))
    now = floor_to(onset, 60) + timedelta(minutes=rng.randint(44, 58), seconds=rng.randint(0, 59))
    times = minute_times(start, now, fine_from)

    # ---- metrics --------------------------------------------------------------------------------------
    def mem_primary(t: datetime) -> float:
        d = demand(t)
        if policy_noeviction(t):
            return min(d, 100.0 - abs(noise(t)) * 0.01)
        return min(d, 99.1 + 0.25 * noise(t))

    def evictions(t: datetime) -> float:
        if policy_noeviction(t):
            return 0.0
        return max(0.0, demand(t) - 99.1) * 260 * (1 + 0.1 * noise(t))

    dims_p = {"CacheClusterId": primary, "CacheNodeId": "0001"}
    dims_r = {"CacheClusterId": replica, "CacheNodeId": "0001"}
    ns_ec = "AWS/ElastiCache"
    kit.series(ns_ec, "DatabaseMemoryUsagePercentage", dims_p, "Percent", mem_primary, times)
    kit.series(
        ns_ec, "DatabaseMemoryUsagePercentage", dims_r, "Percent", lambda t: mem_primary(t) - 0.03, times
    )
    kit.series(ns_ec, "Evictions", dims_p, "Count", evictions, times)
    kit.series(ns_ec, "Evictions", dims_r, "Count", lambda t: 0.0, times)
    kit.series(
        ns_ec, "CurrItems", dims_p, "Count", lambda t: round(mem_primary(t) * 41_300 + 900 * noise(t)), times
    )
    kit.series(
        ns_ec,
        "EngineCPUUtilization",
        dims_p,
        "Percent",
        lambda t: 3.5 + 9 * load(t) + 0.6 * abs(noise(t)),
        times,
    )
    kit.series(
        ns_ec,
        "EngineCPUUtilization",
        dims_r,
        "Percent",
        lambda t: 1.8 + 3 * load(t) + 0.3 * abs(noise(t)),
        times,
    )
    kit.series(
        ns_ec, "CurrConnections", dims_p, "Count", lambda t: round(14 + 46 * load(t) + 2 * noise(t)), times
    )
    kit.series(ns_ec, "SetTypeCmds", dims_p, "Count", lambda t: round(messages(t) * 2.05), times)
    kit.series(ns_ec, "GetTypeCmds", dims_p, "Count", lambda t: round(messages(t) * 1.1), times)
    kit.series(
        ns_ec, "ReplicationLag", dims_r, "Seconds", lambda t: round(0.004 + 0.002 * abs(noise(t)), 4), times
    )

    fdims = {"FunctionName": fn}
    ns_l = "AWS/Lambda"
    kit.series(ns_l, "Invocations", fdims, "Count", lambda t: round(invocations(t)), times)
    kit.series(ns_l, "Errors", fdims, "Count", lambda t: round(invocations(t) * oom(t) * 0.92), times)
    kit.series(ns_l, "Throttles", fdims, "Count", lambda t: 0.0, times)
    kit.series(
        ns_l,
        "Duration",
        fdims,
        "Milliseconds",
        lambda t: (212 + 40 * load(t)) * (1 - 0.5 * oom(t)) + 9 * noise(t),
        times,
    )
    kit.series(
        ns_l,
        "ConcurrentExecutions",
        fdims,
        "Count",
        lambda t: max(1, round(invocations(t) * 0.25 / 60 * 4.2 + 1 + abs(noise(t)))),
        times,
    )
    pdims = {"FunctionName": prefs}
    kit.series(
        ns_l, "Invocations", pdims, "Count", lambda t: round(6 + 70 * load(t) * (1 + 0.1 * noise(t))), times
    )
    kit.series(ns_l, "Errors", pdims, "Count", lambda t: 1.0 if noise(t) > 2.1 else 0.0, times)
    kit.series(ns_l, "Duration", pdims, "Milliseconds", lambda t: 38 + 6 * abs(noise(t)), times)

    qdims = {"QueueName": queue}
    ns_q = "AWS/SQS"
    kit.series(ns_q, "NumberOfMessagesSent", qdims, "Count", lambda t: round(messages(t)), times)
    kit.series(
        ns_q,
        "NumberOfMessagesReceived",
        qdims,
        "Count",
        lambda t: round(messages(t) * (1 + 1.4 * oom(t))),
        times,
    )
    kit.series(
        ns_q,
        "NumberOfMessagesDeleted",
        qdims,
        "Count",
        lambda t: round(messages(t) * (1 - 0.75 * oom(t) ** 1.4)),
        times,
    )
    kit.series(
        ns_q,
        "ApproximateNumberOfMessagesVisible",
        qdims,
        "Count",
        lambda t: round(abs(noise(t)) * 3 + messages(t) * oom(t) * 0.6),
        times,
    )
    kit.series(
        ns_q,
        "ApproximateNumberOfMessagesNotVisible",
        qdims,
        "Count",
        lambda t: round(messages(t) * (0.02 + 2.8 * oom(t))),
        times,
    )
    kit.series(
        ns_q,
        "ApproximateAgeOfOldestMessage",
        qdims,
        "Seconds",
        lambda t: round(1 + 2 * abs(noise(t)) + (min(905, 180 * 5 * min(1.0, oom(t) * 3)) if oom(t) else 0)),
        times,
    )
    # The dead-letter queue had been empty and idle: SQS publishes nothing for it until it is used.
    dlq_total = 0.0
    dlq_points: list[tuple[datetime, float]] = []
    for t in times:
        if t >= first_dlq:
            dlq_total += messages(t) * oom(t) ** 4 * 0.9
            dlq_points.append((t, round(dlq_total)))
    for t, v in dlq_points:
        kit.put(ns_q, "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, t, v, "Count")
        kit.put(
            ns_q,
            "ApproximateAgeOfOldestMessage",
            {"QueueName": dlq},
            t,
            (t - first_dlq).total_seconds() + 40,
            "Seconds",
        )
    kit.series(
        "AWS/SES", "Send", {}, "Count", lambda t: round(messages(t) * 0.62 * (1 - 0.8 * oom(t))), times
    )
    kit.series(
        "AWS/SES", "Delivery", {}, "Count", lambda t: round(messages(t) * 0.6 * (1 - 0.8 * oom(t))), times
    )

    # ---- alarms ---------------------------------------------------------------------------------------
    dlq_tr = kit.alarm(
        f"{dlq}-not-empty",
        ns_q,
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Maximum",
        60,
        1,
        0,
        "GreaterThanThreshold",
        "Messages in the notify-outbound dead-letter queue. Runbook: notify/dlq",
        start,
        now,
        ops_topic,
        treat_missing="notBreaching",
    )
    kit.alarm(
        f"{fn}-errors",
        ns_l,
        "Errors",
        fdims,
        "Sum",
        300,
        1,
        50,
        "GreaterThanOrEqualToThreshold",
        "notify-dispatch function errors",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{queue}-oldest-message",
        ns_q,
        "ApproximateAgeOfOldestMessage",
        qdims,
        "Maximum",
        300,
        3,
        1800,
        "GreaterThanThreshold",
        "Notifications delayed by more than 30 minutes",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{rg}-engine-cpu",
        ns_ec,
        "EngineCPUUtilization",
        dims_p,
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "notify-idem primary Redis engine CPU",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{prefs}-errors",
        ns_l,
        "Errors",
        pdims,
        "Sum",
        300,
        2,
        10,
        "GreaterThanOrEqualToThreshold",
        "notify-preferences-api errors",
        start,
        now,
        ops_topic,
    )
    trigger_event = kit.alarm_event(f"{dlq}-not-empty", next(x for x in dlq_tr if x[2] == "ALARM"))

    # ---- principals -----------------------------------------------------------------------------------
    infra = kit.role("gha-infra-apply", "GitHubActions", TERRAFORM_UA.format(api="elasticache#1.38.4"))
    deployer = kit.role("gha-lambda-deploy", "GitHubActions", BOTO_UA.format(n=rng.randint(80, 120)))
    datadog = kit.role(
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        DATADOG_UA,
        ip="3.233.147." + str(rng.randint(2, 250)),
    )
    people = rng.sample(["priya.raman", "tomas.novak", "hannah.okafor", "jonas.becker", "aisha.khan"], 3)
    author = kit.sso(f"{people[0]}@brightbasket.co.uk", "PowerUserAccess")
    tuner = kit.sso(f"{people[1]}@brightbasket.co.uk", "PowerUserAccess", console=True)
    oncall = kit.sso(f"{people[2]}@brightbasket.co.uk", "ReadOnlyAccess", console=True)

    # ---- CloudTrail -----------------------------------------------------------------------------------
    routine_reads(
        kit,
        start,
        now,
        24,
        [
            (datadog, "monitoring.amazonaws.com", "GetMetricData", None),
            (datadog, "elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
            (datadog, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (datadog, "sqs.amazonaws.com", "ListQueues", None),
            (datadog, "tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            (datadog, "dynamodb.amazonaws.com", "ListTables", None),
        ],
    )
    for _k in range(6):
        lambda_assume(
            kit,
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())),
            "notify-dispatch-exec",
            fn,
        )
    # yesterday's ordinary deploy of the dispatcher itself
    lambda_deploy(kit, local(14, rng.randint(5, 50), day - timedelta(days=1)), deployer, fn)
    # terraform plan on the infra PR, then the apply
    plan_at = change_at - timedelta(minutes=rng.randint(25, 50))
    for t0 in (plan_at, change_at - timedelta(seconds=rng.randint(20, 40))):
        kit.ct(
            t0,
            infra,
            "elasticache.amazonaws.com",
            "DescribeCacheParameterGroups",
            {"cacheParameterGroupName": pgroup},
            None,
            read_only=True,
        )
        kit.ct(
            t0 + timedelta(seconds=2),
            infra,
            "elasticache.amazonaws.com",
            "DescribeCacheParameters",
            {"cacheParameterGroupName": pgroup, "source": "user"},
            None,
            read_only=True,
        )
        kit.ct(
            t0 + timedelta(seconds=3),
            infra,
            "elasticache.amazonaws.com",
            "DescribeReplicationGroups",
            {"replicationGroupId": rg},
            None,
            read_only=True,
        )
    culprit = kit.ct(
        change_at,
        infra,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": pgroup,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pgroup},
    )
    kit.ct(
        change_at + timedelta(seconds=4),
        infra,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pgroup, "source": "user"},
        None,
        read_only=True,
    )
    kit.ct(
        change_at + timedelta(seconds=5),
        infra,
        "elasticache.amazonaws.com",
        "ListTagsForResource",
        {"resourceName": kit.arn("elasticache", f"parametergroup:{pgroup}")},
        None,
        read_only=True,
    )
    kit.ct(
        change_at + timedelta(minutes=rng.randint(20, 60)),
        author,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pgroup},
        None,
        read_only=True,
    )
    # a morning change to a queue policy nobody minds
    kit.ct(
        local(9, rng.randint(5, 40)),
        author,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/notify-sms-outbound",
            "attributes": {"ReceiveMessageWaitTimeSeconds": "20"},
        },
        None,
    )
    # innocent changes close to the onset
    prefs_deploy = onset - timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59))
    lambda_deploy(kit, prefs_deploy, deployer, prefs)
    esm_change = onset - timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(0, 59))
    kit.ct(
        esm_change - timedelta(seconds=40),
        tuner,
        "lambda.amazonaws.com",
        "GetEventSourceMapping",
        {"uUID": esm_uuid},
        None,
        read_only=True,
    )
    kit.ct(
        esm_change,
        tuner,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        {"uUID": esm_uuid, "batchSize": 10, "maximumBatchingWindowInSeconds": 2},
        {
            "uUID": esm_uuid,
            "batchSize": 10,
            "maximumBatchingWindowInSeconds": 2,
            "eventSourceArn": kit.arn("sqs", queue),
            "functionArn": kit.arn("lambda", f"function:{fn}"),
            "lastModified": esm_change.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "state": "Updating",
            "stateTransitionReason": "USER_INITIATED",
            "scalingConfig": {"maximumConcurrency": 20},
        },
    )
    # the on-call engineer looking around after the page
    look = datetime.fromisoformat(trigger_event["time"].replace("Z", "+00:00"))
    reads: list[tuple[str, str, dict[str, Any]]] = [
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{dlq}",
                "attributeNames": ["All"],
            },
        ),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": f"/aws/lambda/{fn}", "startTime": int(look.timestamp() * 1000) - 3_600_000},
        ),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
    ]
    for i, (src, name, params) in enumerate(reads):
        kit.ct(
            look + timedelta(minutes=6 + 3 * i, seconds=rng.randint(0, 50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # ---- logs -----------------------------------------------------------------------------------------
    group = f"/aws/lambda/{fn}"
    streams = [kit.lambda_stream(local(0, 0)) for _ in range(5)]
    old_streams = [kit.lambda_stream(start) for _ in range(3)]
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < now:
        fine = t >= fine_from
        stream = rng.choice(streams if t >= local(0, 0) else old_streams)
        e = oom(t)
        failing = rng.random() < e * 0.95
        body: list[str] = []
        n = rng.randint(3, 10)
        for _ in range(min(n, 3)):
            order = f"ord_{kit.hex(10)}"
            tmpl = rng.choice(TEMPLATES)
            if failing:
                body.append(
                    "{ts}\t{rid}\tERROR\t"
                    + jc(
                        {
                            "level": "error",
                            "service": fn,
                            "msg": "idempotency key write failed",
                            "key": f"idem:notify:{order}:{tmpl}",
                            "err": "OOM command not allowed when used memory > 'maxmemory'.",
                        }
                    )
                    + "\n"
                )
                break
            body.append(
                "{ts}\t{rid}\tINFO\t"
                + jc(
                    {
                        "level": "info",
                        "service": fn,
                        "msg": "notification dispatched",
                        "channel": "email",
                        "template": tmpl,
                        "orderRef": order,
                        "sesMessageId": f"0102018{kit.hex(9)}-{kit.hex(8)}-{kit.hex(4)}-{kit.hex(4)}-{kit.hex(4)}-{kit.hex(12)}-000000",
                    }
                )
                + "\n"
            )
        if not failing and rng.random() < 0.04:
            body.append(
                "{ts}\t{rid}\tWARN\t"
                + jc(
                    {
                        "level": "warn",
                        "service": fn,
                        "msg": "template locale missing, falling back",
                        "template": "loyalty_tier_upgrade",
                        "locale": rng.choice(["pl-PL", "ga-IE", "cy-GB"]),
                        "fallback": "en-GB",
                    }
                )
                + "\n"
            )
        if not failing and rng.random() < 0.03:
            body.append(
                "{ts}\t{rid}\tWARN\t"
                + jc(
                    {
                        "level": "warn",
                        "service": fn,
                        "msg": "SES send throttled, retrying",
                        "err": "Throttling: Maximum sending rate exceeded.",
                        "attempt": 1,
                        "delayMs": rng.choice([100, 200, 400]),
                    }
                )
                + "\n"
            )
        if failing:
            body.append(
                "{ts}\t{rid}\tERROR\tInvoke Error \t"
                + jc(
                    {
                        "errorType": "ReplyError",
                        "errorMessage": "OOM command not allowed when used memory > 'maxmemory'.",
                        "stack": [
                            "ReplyError: OOM command not allowed when used memory > 'maxmemory'.",
                            "    at parseError (/var/task/node_modules/redis-parser/lib/parser.js:179:12)",
                            "    at parseType (/var/task/node_modules/redis-parser/lib/parser.js:302:14)",
                        ],
                    },
                )
                + "\n"
            )
        dur = rng.uniform(35, 70) if failing else rng.uniform(150, 320)
        kit.lambda_invocation(group, stream, t, dur, 512, rng.randint(118, 141), body)
        step = rng.uniform(1.2, 2.5) if fine else rng.uniform(14, 26)
        t += timedelta(minutes=step, seconds=rng.randint(0, 30))

    pgroup_name = f"/aws/lambda/{prefs}"
    t = prefs_deploy + timedelta(minutes=1, seconds=rng.randint(5, 50))
    pstream = kit.lambda_stream(t, "42")
    ver = str(rng.randint(40, 200))
    while t < now:
        kit.lambda_invocation(
            pgroup_name,
            pstream,
            t,
            rng.uniform(20, 70),
            256,
            rng.randint(88, 96),
            [
                "{ts}\t{rid}\tINFO\t"
                + jc({"level": "info", "service": prefs, "msg": "GET /v1/preferences", "status": 200})
                + "\n"
            ],
            version=ver,
        )
        t += timedelta(minutes=rng.uniform(3, 8))

    # ---- resources ------------------------------------------------------------------------------------
    def endpoint(host: str) -> dict[str, Any]:
        return {"Address": f"{host}.{ep}.ng.0001.euw1.cache.amazonaws.com", "Port": 6379}

    kit.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "notify-dispatch idempotency keys and rendered payload cache",
            "Status": "available",
            "PendingModifiedValues": {},
            "MemberClusters": [primary, replica],
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": f"master.{rg}.{ep}.euw1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "ReaderEndpoint": {
                        "Address": f"replica.{rg}.{ep}.euw1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": primary,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": endpoint(primary),
                            "PreferredAvailabilityZone": "eu-west-1a",
                            "CurrentRole": "primary",
                        },
                        {
                            "CacheClusterId": replica,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": endpoint(replica),
                            "PreferredAvailabilityZone": "eu-west-1b",
                            "CurrentRole": "replica",
                        },
                    ],
                }
            ],
            "SnapshottingClusterId": replica,
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "03:00-04:00",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r6g.large",
            "AuthTokenEnabled": False,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": kit.arn("elasticache", f"replicationgroup:{rg}"),
            "LogDeliveryConfigurations": [],
            "ReplicationGroupCreateTime": iso(created),
            "DataTiering": "disabled",
            "AutoMinorVersionUpgrade": True,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "TransitEncryptionMode": "required",
            "ClusterMode": "disabled",
            "Engine": "redis",
        },
    )
    for cid, az in ((primary, "eu-west-1a"), (replica, "eu-west-1b")):
        kit.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": cid,
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": "cache.r6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": az,
                "CacheClusterCreateTime": iso(created + timedelta(minutes=9)),
                "PreferredMaintenanceWindow": "sun:02:00-sun:03:00",
                "PendingModifiedValues": {},
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": pgroup,
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "notify-private",
                "CacheNodes": [
                    {
                        "CacheNodeId": "0001",
                        "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": iso(created + timedelta(minutes=9)),
                        "Endpoint": endpoint(cid),
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": az,
                    }
                ],
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1 if cid == replica else 0,
                "SnapshotWindow": "03:00-04:00",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": kit.arn("elasticache", f"cluster:{cid}"),
                "ReplicationGroupLogDeliveryEnabled": False,
                "LogDeliveryConfigurations": [],
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
            },
        )
    kit.res(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": pgroup,
            "CacheParameterGroupFamily": "redis7",
            "Description": "notify idempotency store",
            "IsGlobal": False,
            "ARN": kit.arn("elasticache", f"parametergroup:{pgroup}"),
        },
    )
    for pname, value, source, dtype, allowed, desc in [
        (
            "maxmemory-policy",
            "noeviction",
            "user",
            "string",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
            "Max memory policy.",
        ),
        ("maxmemory-samples", "3", "system", "integer", "1-", "Max memory samples."),
        (
            "reserved-memory-percent",
            "25",
            "system",
            "integer",
            "0-100",
            "The percent of memory reserved for non-cache memory usage. You may want to increase this parameter for nodes with read replicas, AOF enabled, etc, to reduce swap usage.",
        ),
        (
            "timeout",
            "0",
            "system",
            "integer",
            "0,20-",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
        ),
        (
            "notify-keyspace-events",
            "",
            "system",
            "string",
            None,
            "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled",
        ),
        (
            "lazyfree-lazy-eviction",
            "no",
            "system",
            "string",
            "yes,no",
            "Perform an asynchronous delete on evictions",
        ),
    ]:
        param: dict[str, Any] = {
            "CacheParameterGroupName": pgroup,
            "ParameterName": pname,
            "ParameterValue": value,
            "Description": desc,
            "Source": source,
            "DataType": dtype,
            "IsModifiable": True,
            "MinimumEngineVersion": "7.0.5",
            "ChangeType": "immediate",
        }
        if allowed is not None:
            param["AllowedValues"] = allowed
        kit.res("elasticache", "CacheParameterGroupParameter", param)

    redis_url = f"rediss://master.{rg}.{ep}.euw1.cache.amazonaws.com:6379"
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            fn,
            "nodejs20.x",
            "dist/handler.handler",
            "notify-dispatch-exec",
            512,
            30,
            local(14, 30, day - timedelta(days=1)),
            {
                "REDIS_URL": redis_url,
                "IDEMPOTENCY_TTL_SECONDS": "86400",
                "SES_CONFIGURATION_SET": "transactional",
                "LOG_LEVEL": "info",
            },
            (subnets, [sg_lambda], vpc),
            "Renders and sends customer notifications from notify-outbound",
        ),
    )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            prefs,
            "nodejs20.x",
            "dist/api.handler",
            "notify-preferences-exec",
            256,
            10,
            prefs_deploy,
            {"TABLE_NAME": "notify-preferences", "LOG_LEVEL": "info"},
            None,
            "Customer notification preferences API",
        ),
    )
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 2,
            "EventSourceArn": kit.arn("sqs", queue),
            "FunctionArn": kit.arn("lambda", f"function:{fn}"),
            "LastModified": iso(esm_change + timedelta(seconds=3)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "ScalingConfig": {"MaximumConcurrency": 20},
            "FunctionResponseTypes": [],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    kit.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": fn, "ReservedConcurrentExecutions": 40},
    )
    q_created = created + timedelta(days=2)
    kit.res(
        "sqs",
        "Queue",
        queue_item(
            kit,
            queue,
            q_created,
            q_created + timedelta(days=30),
            visibility=180,
            redrive_to=dlq,
            max_receive=5,
            tags={"service": "notify", "team": "customer-comms", "env": "prod"},
            extra={
                "ApproximateNumberOfMessages": str(round(messages(now) * oom(now) * 0.6)),
                "ApproximateNumberOfMessagesNotVisible": str(round(messages(now) * 2.8 * oom(now))),
                "Policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": kit.arn("sqs", queue),
                                "Condition": {"ArnEquals": {"aws:SourceArn": topic_orders}},
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
        ),
    )
    kit.res(
        "sqs",
        "Queue",
        queue_item(
            kit,
            dlq,
            q_created,
            q_created,
            visibility=30,
            retention=1209600,
            tags={"service": "notify", "team": "customer-comms", "env": "prod"},
            extra={
                "ApproximateNumberOfMessages": str(round(dlq_points[-1][1]) if dlq_points else 0),
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}, separators=(",", ":")),
            },
        ),
    )
    kit.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_orders,
            "Attributes": {
                "TopicArn": topic_orders,
                "Owner": kit.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "4",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                        }
                    },
                    separators=(",", ":"),
                ),
            },
        },
    )
    sub_arn = f"{topic_orders}:{kit.uuid()}"
    kit.res(
        "sns",
        "Subscription",
        {
            "SubscriptionArn": sub_arn,
            "TopicArn": topic_orders,
            "Protocol": "sqs",
            "Endpoint": kit.arn("sqs", queue),
            "Owner": kit.account,
            "Attributes": {
                "RawMessageDelivery": "true",
                "PendingConfirmation": "false",
                "ConfirmationWasAuthenticated": "true",
                "FilterPolicyScope": "MessageAttributes",
                "FilterPolicy": json.dumps(
                    {
                        "eventType": [
                            "OrderConfirmed",
                            "OrderShipped",
                            "OutForDelivery",
                            "Delivered",
                            "RefundIssued",
                            "BasketReminder",
                        ]
                    }
                ),
            },
        },
    )
    kit.res(
        "sns",
        "Topic",
        {
            "TopicArn": ops_topic,
            "Attributes": {
                "TopicArn": ops_topic,
                "Owner": kit.account,
                "DisplayName": "ops alerts",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    for name, fn_created in ((group, created), (pgroup_name, created + timedelta(days=40))):
        kit.res("logs", "LogGroup", log_group_item(kit, name, fn_created))
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "notify-dispatch-exec",
            "PolicyName": "notify-dispatch",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:GetQueueAttributes",
                            "sqs:ChangeMessageVisibility",
                        ],
                        "Resource": kit.arn("sqs", queue),
                    },
                    {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem"],
                        "Resource": kit.arn("dynamodb", "table/notify-preferences"),
                    },
                ],
            },
        },
    )

    truth_resource = pgroup
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": trigger_event},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": truth_resource,
                "category": "change",
                "failure_mode": "redis-maxmemory-policy-noeviction",
                "event_id": culprit,
            },
            "also_accept": [kit.arn("elasticache", f"parametergroup:{pgroup}"), rg, primary],
            "actions": ["rollback"],
            "chain": [
                f"{pgroup}: maxmemory-policy changed from volatile-lru to noeviction in the morning",
                f"{rg} reaches maxmemory at the evening peak and refuses writes with OOM instead of evicting",
                f"{fn} invocations fail on the idempotency-key SET",
                f"{queue} messages are retried and moved to {dlq} after 5 receives",
            ],
        },
    }
    return kit.bundle(manifest)
