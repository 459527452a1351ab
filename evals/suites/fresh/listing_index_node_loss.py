"""New listings not searchable; the indexer's queue backs up (author x, incident 3)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_x import (
    BOTO_UA,
    DATADOG_UA,
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
    smooth_step,
)

NAME = "listing-index-node-loss"
TITLE = "New listings not showing up in search; indexer queue age alarm"
SUMMARY = "Listing updates stop reaching the search index in the afternoon and the indexer's queue backs up."

TZ = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="us-east-2")
    rng = kit.rng
    day = date(2024, rng.choice([4, 5, 9, 10]), rng.randint(2, 27))
    off = (
        datetime(day.year, day.month, day.day, 12, tzinfo=TZ).utcoffset() or timedelta()
    ).total_seconds() / 3600

    def local(h: int, m: int) -> datetime:
        return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ).astimezone(UTC)

    fail_at = local(rng.randint(13, 14), rng.randint(0, 59)) + timedelta(seconds=rng.randint(0, 59))
    replaced_at = fail_at + timedelta(minutes=rng.randint(34, 48))
    rebuilt_at = replaced_at + timedelta(minutes=rng.randint(55, 80))
    start = floor_to(fail_at - timedelta(hours=9), 3600)
    fine_from = fail_at - timedelta(hours=2)

    domain = "listings-search"
    domain_arn = kit.arn("es", f"domain/{domain}")
    queue, dlq = "listing-index-events", "listing-index-events-dlq"
    indexer, search_fn = "listing-indexer", "listing-search-api"
    ops_topic = kit.arn("sns", "marketplace-oncall")
    esm_uuid = kit.uuid()
    created = start - timedelta(days=rng.randint(250, 600))
    data_nodes = 3
    replica_shards = rng.choice([10, 12, 15])
    node_ids = [kit.hex(32) for _ in range(data_nodes + 4)]

    noise_cache: dict[datetime, float] = {}

    def noise(t: datetime) -> float:
        if t not in noise_cache:
            noise_cache[t] = rng.gauss(0, 1)
        return noise_cache[t]

    def lost(t: datetime) -> bool:
        return fail_at <= t < replaced_at

    def recovering(t: datetime) -> bool:
        return fail_at + timedelta(seconds=70) <= t < rebuilt_at

    def pressure(t: datetime) -> float:
        """How far the remaining data nodes are over their write capacity, 0..1."""
        if t < fail_at or t >= rebuilt_at:
            return 0.0
        if lost(t):
            return min(1.0, 0.75 + 0.15 * smooth_step((t - fail_at).total_seconds() / 600))
        frac = (t - replaced_at).total_seconds() / (rebuilt_at - replaced_at).total_seconds()
        return 0.62 * (1 - frac) ** 1.5

    def updates(t: datetime) -> float:
        return (90 + 1500 * day_shape(t, off, "office")) * (1 + 0.06 * noise(t))

    def reject_frac(t: datetime) -> float:
        return min(0.8, pressure(t) * 0.85)

    # ---- backlog model --------------------------------------------------------------------------------
    times = minute_times(start, replaced_at + timedelta(hours=3), fine_from)
    backlog: dict[datetime, float] = {}
    oldest: dict[datetime, float] = {}
    b = 0.0
    age_start: datetime | None = None
    for t in times:
        step = 5.0 if t < fine_from else 1.0
        inflow = updates(t)
        capacity = updates(t) * (1 - reject_frac(t)) + (600 * (1 - pressure(t) * 1.3) if b > 0 else 0)
        b = max(0.0, b + (inflow - capacity) * step * 0.35)
        backlog[t] = b
        if b > 50 and age_start is None:
            age_start = t
        if b <= 50:
            age_start = None
        oldest[t] = (t - age_start).total_seconds() + 120 if age_start else 1 + 3 * abs(noise(t))

    alarm_period_start = next(t for t in times if t >= fail_at and oldest[t] > 600)
    now = alarm_period_start + timedelta(minutes=rng.randint(36, 50), seconds=rng.randint(0, 59))
    times = [t for t in times if t <= now]

    # ---- OpenSearch metrics ---------------------------------------------------------------------------
    ns = "AWS/ES"
    dd = {"DomainName": domain, "ClientId": kit.account}
    kit.series(ns, "Nodes", dd, "Count", lambda t: float(data_nodes + 3 - (1 if lost(t) else 0)), times)
    kit.series(ns, "ClusterStatus.green", dd, "Count", lambda t: 0.0 if recovering(t) else 1.0, times)
    kit.series(ns, "ClusterStatus.yellow", dd, "Count", lambda t: 1.0 if recovering(t) else 0.0, times)
    kit.series(ns, "ClusterStatus.red", dd, "Count", lambda t: 0.0, times)

    def unassigned(t: datetime) -> float:
        if not recovering(t):
            return 0.0
        if lost(t):
            done = (t - fail_at).total_seconds() / 3600
            return float(max(0, round(replica_shards * (1 - done))))
        frac = (t - replaced_at).total_seconds() / (rebuilt_at - replaced_at).total_seconds()
        return float(max(0, round(replica_shards * 0.3 * (1 - frac))))

    kit.series(ns, "Shards.unassigned", dd, "Count", unassigned, times)
    kit.series(
        ns,
        "Shards.initializing",
        dd,
        "Count",
        lambda t: (
            float(min(4, round(replica_shards - unassigned(t)) if recovering(t) else 0))
            if recovering(t)
            else 0.0
        ),
        times,
    )
    kit.series(
        ns,
        "Shards.active",
        dd,
        "Count",
        lambda t: float(
            2 * replica_shards + 4 - unassigned(t) - (min(4, replica_shards) if recovering(t) else 0)
        ),
        times,
    )
    kit.series(
        ns,
        "CPUUtilization",
        dd,
        "Percent",
        lambda t: min(99.0, 18 + 26 * day_shape(t, off) + 3 * noise(t) + 62 * pressure(t)),
        times,
    )
    kit.series(
        ns,
        "JVMMemoryPressure",
        dd,
        "Percent",
        lambda t: 52 + 6 * day_shape(t, off) + 2 * noise(t) + 24 * pressure(t),
        times,
    )
    kit.series(
        ns,
        "FreeStorageSpace",
        dd,
        "Megabytes",
        lambda t: (data_nodes - (1 if lost(t) else 0)) * 131_000 - 18_000 * pressure(t) + 300 * noise(t),
        times,
    )
    kit.series(
        ns, "IndexingRate", dd, "Count", lambda t: updates(t) * (1 - reject_frac(t)) * 2 / data_nodes, times
    )
    kit.series(
        ns,
        "IndexingLatency",
        dd,
        "Milliseconds",
        lambda t: 0.35 + 0.05 * abs(noise(t)) + 7.5 * pressure(t),
        times,
    )
    kit.series(
        ns,
        "SearchLatency",
        dd,
        "Milliseconds",
        lambda t: 11 + 4 * day_shape(t, off) + abs(noise(t)) + 120 * pressure(t),
        times,
    )
    kit.series(
        ns,
        "SearchRate",
        dd,
        "Count",
        lambda t: (300 + 5200 * day_shape(t, off)) / data_nodes * (1 + 0.05 * noise(t)),
        times,
    )
    kit.series(
        ns, "ThreadpoolWriteRejected", dd, "Count", lambda t: round(updates(t) * reject_frac(t) * 1.7), times
    )
    kit.series(
        ns,
        "ThreadpoolWriteQueue",
        dd,
        "Count",
        lambda t: round(abs(noise(t)) * 2 + 9000 * pressure(t) ** 2),
        times,
    )
    kit.series(ns, "ThreadpoolSearchRejected", dd, "Count", lambda t: 0.0, times)
    kit.series(
        ns, "2xx", dd, "Count", lambda t: round((300 + 5200 * day_shape(t, off)) + updates(t) / 25), times
    )
    kit.series(
        ns,
        "4xx",
        dd,
        "Count",
        lambda t: round(abs(noise(t)) * 2 + updates(t) / 25 * reject_frac(t) * 0.3),
        times,
    )
    kit.series(ns, "5xx", dd, "Count", lambda t: float(round(3 * pressure(t) * abs(noise(t)))), times)
    kit.series(ns, "AutomatedSnapshotFailure", dd, "Count", lambda t: 0.0, times)
    kit.series(ns, "ClusterIndexWritesBlocked", dd, "Count", lambda t: 0.0, times)

    # ---- SQS and Lambda -------------------------------------------------------------------------------
    nq = "AWS/SQS"
    qd = {"QueueName": queue}
    kit.series(nq, "NumberOfMessagesSent", qd, "Count", lambda t: round(updates(t)), times)
    kit.series(
        nq,
        "NumberOfMessagesReceived",
        qd,
        "Count",
        lambda t: round(updates(t) * (1 + 1.2 * reject_frac(t))),
        times,
    )
    kit.series(
        nq, "NumberOfMessagesDeleted", qd, "Count", lambda t: round(updates(t) * (1 - reject_frac(t))), times
    )
    kit.series(
        nq, "ApproximateNumberOfMessagesVisible", qd, "Count", lambda t: round(backlog[t] * 0.55), times
    )
    kit.series(
        nq,
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        lambda t: round(updates(t) * 0.03 + backlog[t] * 0.45),
        times,
    )
    kit.series(nq, "ApproximateAgeOfOldestMessage", qd, "Seconds", lambda t: round(oldest[t]), times)

    nl = "AWS/Lambda"
    idd = {"FunctionName": indexer}

    def ix_inv(t: datetime) -> float:
        return round(updates(t) * (1 + 1.2 * reject_frac(t)) / 25 * 1.6 + abs(noise(t)))

    def ix_dur(t: datetime) -> float:
        return 180 + 60 * abs(noise(t)) + 2600 * pressure(t)

    kit.series(nl, "Invocations", idd, "Count", ix_inv, times)
    kit.series(nl, "Errors", idd, "Count", lambda t: float(round(ix_inv(t) * 0.04 * pressure(t))), times)
    kit.series(nl, "Throttles", idd, "Count", lambda t: 0.0, times)
    kit.series(nl, "Duration", idd, "Milliseconds", ix_dur, times)
    kit.series(
        nl,
        "ConcurrentExecutions",
        idd,
        "Count",
        lambda t: max(1.0, round(ix_inv(t) * ix_dur(t) / 60000 + 1)),
        times,
    )
    sd = {"FunctionName": search_fn}
    kit.series(
        nl,
        "Invocations",
        sd,
        "Count",
        lambda t: round((300 + 5200 * day_shape(t, off)) * 0.9 * (1 + 0.04 * noise(t))),
        times,
    )
    kit.series(nl, "Errors", sd, "Count", lambda t: float(round(2 * pressure(t) * abs(noise(t)))), times)
    kit.series(
        nl, "Duration", sd, "Milliseconds", lambda t: 46 + 6 * abs(noise(t)) + 150 * pressure(t), times
    )

    # ---- alarms ---------------------------------------------------------------------------------------
    age_tr = kit.alarm(
        f"{queue}-age",
        nq,
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        60,
        5,
        600,
        "GreaterThanThreshold",
        "Listing index updates waiting more than 10 minutes",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{domain}-cluster-red",
        ns,
        "ClusterStatus.red",
        dd,
        "Maximum",
        60,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        "listings-search cluster status red",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{domain}-jvm-pressure",
        ns,
        "JVMMemoryPressure",
        dd,
        "Maximum",
        300,
        3,
        85,
        "GreaterThanOrEqualToThreshold",
        "listings-search JVM memory pressure",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{domain}-free-storage",
        ns,
        "FreeStorageSpace",
        dd,
        "Minimum",
        300,
        1,
        40960,
        "LessThanOrEqualToThreshold",
        "listings-search free storage below 40 GiB",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{search_fn}-errors",
        nl,
        "Errors",
        sd,
        "Sum",
        300,
        2,
        25,
        "GreaterThanOrEqualToThreshold",
        "listing-search-api errors",
        start,
        now,
        ops_topic,
    )
    alarm_event = kit.alarm_event(f"{queue}-age", next(x for x in age_tr if x[2] == "ALARM"))
    alarm_at = datetime.fromisoformat(alarm_event["time"].replace("Z", "+00:00"))

    # ---- CloudTrail -----------------------------------------------------------------------------------
    deployer = kit.role("github-actions-deploy", "GitHubActions", BOTO_UA.format(n=rng.randint(80, 120)))
    datadog = kit.role(
        "DatadogIntegrationRole", "DatadogAWSIntegration", DATADOG_UA, ip=f"3.233.147.{rng.randint(2, 250)}"
    )
    people = rng.sample(["kate.oconnell", "daniel.murphy", "ravi.shankar", "li.wei", "emma.dubois"], 3)
    dev = kit.sso(f"{people[0]}@gableyard.com", "Developer")
    eng = kit.sso(f"{people[1]}@gableyard.com", "PowerUserAccess", console=True)
    oncall = kit.sso(f"{people[2]}@gableyard.com", "ReadOnlyAccess", console=True)
    routine_reads(
        kit,
        start,
        now,
        22,
        [
            (datadog, "monitoring.amazonaws.com", "GetMetricData", None),
            (datadog, "es.amazonaws.com", "ListDomainNames", None),
            (datadog, "es.amazonaws.com", "DescribeDomains", {"domainNames": [domain]}),
            (datadog, "sqs.amazonaws.com", "ListQueues", None),
            (datadog, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (datadog, "tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
        ],
    )
    for _k in range(5):
        lambda_assume(
            kit,
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())),
            f"{indexer}-exec",
            indexer,
        )
    lambda_deploy(kit, local(10, rng.randint(0, 50)), deployer, search_fn)
    indexer_deploy = fail_at - timedelta(minutes=rng.randint(14, 26), seconds=rng.randint(0, 59))
    lambda_deploy(kit, indexer_deploy, deployer, indexer)
    other_q = f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/listing-image-resize"
    kit.ct(
        fail_at - timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59)),
        eng,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": other_q, "attributes": {"VisibilityTimeout": "300"}},
        None,
    )
    kit.ct(
        local(11, rng.randint(0, 59)),
        dev,
        "es.amazonaws.com",
        "DescribeDomainConfig",
        {"domainName": domain},
        None,
        read_only=True,
    )
    looks: list[tuple[str, str, dict[str, Any]]] = [
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{kit.region}.amazonaws.com/{kit.account}/{queue}",
                "attributeNames": ["All"],
            },
        ),
        ("lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": indexer}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": f"/aws/lambda/{indexer}", "filterPattern": "error"},
        ),
    ]
    for i, (src, name, params) in enumerate(looks):
        kit.ct(
            alarm_at + timedelta(minutes=4 + 4 * i, seconds=rng.randint(0, 50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # ---- logs -----------------------------------------------------------------------------------------
    group = f"/aws/lambda/{indexer}"
    streams_old = [kit.lambda_stream(start) for _ in range(3)]
    streams_new = [kit.lambda_stream(indexer_deploy, "58") for _ in range(4)]
    t = start + timedelta(minutes=rng.randint(1, 6))
    while t < now:
        new = t > indexer_deploy + timedelta(seconds=40)
        stream = rng.choice(streams_new if new else streams_old)
        batch = rng.randint(8, 25)
        rf = reject_frac(t)
        body: list[str] = []
        if rf > 0.02 and rng.random() < 0.9:
            failed = max(1, round(batch * rf * rng.uniform(0.6, 1.3)))
            body.append(
                "{ts}\t{rid}\tWARN\t"
                + jc(
                    {
                        "level": "warn",
                        "msg": "bulk request had item failures",
                        "items": batch,
                        "failed": min(batch, failed),
                        "status": 429,
                        "firstError": {
                            "type": "es_rejected_execution_exception",
                            "reason": (
                                "rejected execution of org.opensearch.common.util.concurrent.TimedRunnable@"
                                f"{kit.hex(8)} on OpenSearchThreadPoolExecutor[name = {rng.choice(node_ids[:2])}/write, "
                                f"queue capacity = 10000, org.opensearch.common.util.concurrent.OpenSearchThreadPoolExecutor@{kit.hex(8)}"
                                f"[Running, pool size = 2, active threads = 2, queued tasks = {rng.randint(9990, 10000)}, "
                                f"completed tasks = {rng.randint(40_000_000, 90_000_000)}]]"
                            ),
                        },
                    }
                )
                + "\n"
            )
            body.append(
                "{ts}\t{rid}\tINFO\t"
                + jc({"level": "info", "msg": "returning batch item failures", "count": min(batch, failed)})
                + "\n"
            )
        else:
            body.append(
                "{ts}\t{rid}\tINFO\t"
                + jc(
                    {
                        "level": "info",
                        "msg": "indexed listings",
                        "items": batch,
                        "index": "listings-v7",
                        "took": rng.randint(8, 40),
                    }
                )
                + "\n"
            )
            if rng.random() < 0.04:
                body.append(
                    "{ts}\t{rid}\tWARN\t"
                    + jc(
                        {
                            "level": "warn",
                            "msg": "listing has no category, indexing under 'uncategorised'",
                            "listingId": f"lst_{kit.hex(10)}",
                        }
                    )
                    + "\n"
                )
        kit.lambda_invocation(
            group,
            stream,
            t,
            max(60.0, ix_dur(t) * rng.uniform(0.6, 1.4)),
            512,
            rng.randint(120, 160),
            body,
            version="58" if new else "57",
        )
        t += timedelta(
            minutes=rng.uniform(1.0, 2.0) if t >= fine_from else rng.uniform(15, 30),
            seconds=rng.randint(0, 20),
        )

    app_group = f"/aws/OpenSearchService/domains/{domain}/application-logs"
    master = node_ids[-1]
    lost_node = node_ids[2]
    new_node = node_ids[3]

    def olog(at: datetime, level: str, logger: str, node: str, text: str) -> None:
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S,") + f"{at.microsecond // 1000:03d}"
        kit.log(app_group, node, at, f"[{stamp}][{level:<5}][{logger}] [{node}] {text}")

    t = start + timedelta(minutes=rng.randint(10, 50))
    while t < fail_at:
        olog(
            t,
            "INFO",
            "o.o.i.i.ManagedIndexRunner",
            master,
            f"Executing attempt_rollover action for index [listing-events-{(t - timedelta(days=1)):%Y.%m.%d}]",
        ) if rng.random() < 0.4 else olog(
            t,
            "WARN",
            "o.o.m.j.JvmGcMonitorService",
            rng.choice(node_ids[:3]),
            f"[gc][{rng.randint(100000, 900000)}] overhead, spent [{rng.randint(500, 900)}ms] collecting in the last [1s]",
        )
        t += timedelta(minutes=rng.uniform(40, 90))
    dnode = f"{{{lost_node}}}{{{kit.hex(22)}}}{{10.60.{rng.randint(1, 40)}.{rng.randint(5, 250)}}}{{dimr}}"
    olog(
        fail_at + timedelta(seconds=12),
        "INFO",
        "o.o.c.s.MasterService",
        master,
        f"node-left[{dnode} reason: disconnected], term: {rng.randint(8, 30)}, version: {rng.randint(200000, 400000)}, delta: removed {{{dnode}}}",
    )
    olog(
        fail_at + timedelta(seconds=13),
        "INFO",
        "o.o.c.r.a.AllocationService",
        master,
        f"Cluster health status changed from [GREEN] to [YELLOW] (reason: [{{{lost_node}}} reason: disconnected]).",
    )
    olog(
        fail_at + timedelta(seconds=71),
        "INFO",
        "o.o.c.r.DelayedAllocationService",
        master,
        "scheduling reroute for delayed shards in [0s] (" + str(replica_shards) + " delayed shards)",
    )
    for k in range(6):
        at = fail_at + timedelta(minutes=2 + 5 * k, seconds=rng.randint(0, 59))
        olog(
            at,
            "WARN",
            "o.o.i.c.IndicesClusterStateService",
            rng.choice(node_ids[:2]),
            f"[listings-v7][{rng.randint(0, 4)}] marking and sending shard failed due to [failed recovery]"
            if k == 2
            else f"[listings-v7][{rng.randint(0, 4)}] recovery of replica from [{rng.choice(node_ids[:2])}] throttled, retrying",
        )
    jn = f"{{{new_node}}}{{{kit.hex(22)}}}{{10.60.{rng.randint(1, 40)}.{rng.randint(5, 250)}}}{{dimr}}"
    olog(
        replaced_at,
        "INFO",
        "o.o.c.s.MasterService",
        master,
        f"node-join[{jn} join existing leader], term: {rng.randint(8, 30)}, version: {rng.randint(400001, 500000)}, delta: added {{{jn}}}",
    )

    # ---- resources ------------------------------------------------------------------------------------
    kit.res(
        "opensearch",
        "DomainStatus",
        {
            "DomainId": f"{kit.account}/{domain}",
            "DomainName": domain,
            "ARN": domain_arn,
            "Created": True,
            "Deleted": False,
            "Endpoints": {"vpc": f"vpc-{domain}-{kit.hex(26)}.{kit.region}.es.amazonaws.com"},
            "Processing": False,
            "UpgradeProcessing": False,
            "EngineVersion": "OpenSearch_2.11",
            "ClusterConfig": {
                "InstanceType": "r6g.large.search",
                "InstanceCount": data_nodes,
                "DedicatedMasterEnabled": True,
                "ZoneAwarenessEnabled": True,
                "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                "DedicatedMasterType": "m6g.large.search",
                "DedicatedMasterCount": 3,
                "WarmEnabled": False,
                "MultiAZWithStandbyEnabled": False,
            },
            "EBSOptions": {
                "EBSEnabled": True,
                "VolumeType": "gp3",
                "VolumeSize": 200,
                "Iops": 3000,
                "Throughput": 125,
            },
            "AccessPolicies": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": [
                                    f"arn:aws:iam::{kit.account}:role/{indexer}-exec",
                                    f"arn:aws:iam::{kit.account}:role/{search_fn}-exec",
                                ]
                            },
                            "Action": "es:ESHttp*",
                            "Resource": f"{domain_arn}/*",
                        }
                    ],
                }
            ),
            "SnapshotOptions": {},
            "VPCOptions": {
                "VPCId": "vpc-0" + kit.hex(16),
                "SubnetIds": ["subnet-0" + kit.hex(16) for _ in range(3)],
                "AvailabilityZones": [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"],
                "SecurityGroupIds": ["sg-0" + kit.hex(16)],
            },
            "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}")},
            "NodeToNodeEncryptionOptions": {"Enabled": True},
            "AdvancedOptions": {
                "indices.fielddata.cache.size": "20",
                "indices.query.bool.max_clause_count": "1024",
                "override_main_response_version": "false",
                "rest.action.multi.allow_explicit_index": "true",
            },
            "LogPublishingOptions": {
                "ES_APPLICATION_LOGS": {
                    "CloudWatchLogsLogGroupArn": kit.arn("logs", f"log-group:{app_group}"),
                    "Enabled": True,
                }
            },
            "ServiceSoftwareOptions": {
                "CurrentVersion": "OpenSearch_2_11_R20240502",
                "NewVersion": "",
                "UpdateAvailable": False,
                "Cancellable": False,
                "UpdateStatus": "COMPLETED",
                "Description": "There is no software update available for this domain.",
                "AutomatedUpdateDate": "1970-01-01T00:00:00Z",
                "OptionalDeployment": True,
            },
            "DomainEndpointOptions": {
                "EnforceHTTPS": True,
                "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
                "CustomEndpointEnabled": False,
            },
            "AdvancedSecurityOptions": {
                "Enabled": False,
                "InternalUserDatabaseEnabled": False,
                "AnonymousAuthEnabled": False,
            },
            "AutoTuneOptions": {"State": "ENABLED", "UseOffPeakWindow": True},
            "ChangeProgressDetails": {
                "ChangeId": kit.uuid(),
                "ConfigChangeStatus": "Completed",
                "InitiatedBy": "CUSTOMER",
                "StartTime": iso(created + timedelta(days=200)),
                "LastUpdatedTime": iso(created + timedelta(days=200, minutes=48)),
            },
            "OffPeakWindowOptions": {
                "Enabled": True,
                "OffPeakWindow": {"WindowStartTime": {"Hours": 7, "Minutes": 0}},
            },
            "SoftwareUpdateOptions": {"AutoSoftwareUpdateEnabled": False},
            "DomainProcessingStatus": "Active",
            "ModifyingProperties": [],
        },
    )
    for name, redrive in ((queue, dlq), (dlq, None)):
        kit.res(
            "sqs",
            "Queue",
            queue_item(
                kit,
                name,
                created,
                created + timedelta(days=20),
                visibility=120 if redrive else 30,
                retention=345600 if redrive else 1209600,
                redrive_to=redrive,
                max_receive=8,
                tags={"team": "marketplace-search", "env": "prod"},
                extra={"ApproximateNumberOfMessages": str(round(backlog[floor_to(now, 60)] * 0.55))}
                if redrive
                else None,
            ),
        )
    os_env = {
        "OPENSEARCH_ENDPOINT": f"https://vpc-{domain}.{kit.region}.es.amazonaws.com",
        "INDEX_ALIAS": "listings",
    }
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            indexer,
            "nodejs20.x",
            "dist/index.handler",
            f"{indexer}-exec",
            512,
            60,
            indexer_deploy,
            os_env,
            None,
            "Indexes listing changes into listings-search",
        ),
    )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            search_fn,
            "nodejs20.x",
            "dist/search.handler",
            f"{search_fn}-exec",
            1024,
            10,
            local(10, 20),
            os_env,
            None,
            "Public listing search",
        ),
    )
    kit.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 25,
            "MaximumBatchingWindowInSeconds": 1,
            "EventSourceArn": kit.arn("sqs", queue),
            "FunctionArn": kit.arn("lambda", f"function:{indexer}:live"),
            "LastModified": iso(created + timedelta(days=60)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "ScalingConfig": {"MaximumConcurrency": 10},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    for g in (group, f"/aws/lambda/{search_fn}", app_group):
        kit.res("logs", "LogGroup", log_group_item(kit, g, created))

    ask_local = fail_at.astimezone(TZ) + timedelta(minutes=rng.randint(4, 9))
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"New and edited listings haven't been showing up in search since about "
                f"{ask_local:%-I:%M%p}".lower().replace("new and", "New and")
                + " and the listing-index-events age alarm is firing. We shipped a new listing-indexer build "
                "earlier this afternoon, is that it?"
            ),
            "alarm_event": alarm_event,
            "timezone": "America/Chicago",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": domain,
                "category": "component_failure",
                "failure_mode": "opensearch-data-node-lost",
                "event_id": None,
            },
            "also_accept": [domain_arn, f"{kit.account}/{domain}", kit.arn("es", f"domain/{domain}")],
            "actions": ["scale"],
            "chain": [
                f"one of {domain}'s three data nodes drops out; the cluster goes yellow and rebuilds replicas on the other two",
                "the remaining data nodes saturate and reject bulk writes (write thread pool queue full, 429)",
                f"{indexer} returns the rejected items as batch item failures and they are retried",
                f"{queue} backs up and new listings are not searchable",
            ],
        },
    }
    return kit.bundle(manifest)
