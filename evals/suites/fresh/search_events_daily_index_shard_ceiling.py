"""The day's search-events index cannot be created at 00:00 UTC: the OpenSearch domain sits at its
cluster-wide open-shard ceiling (max_shards_per_node x data nodes), so the ingester's bulk writes fail,
its queue backs up and trending searches freeze."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzb import Shop, World, local

NAME = "search-events-daily-index-shard-ceiling"
TITLE = "Trending searches frozen since the daily rollover; search-events queue age alarm"
SUMMARY = (
    "At the UTC day rollover the new daily search-events index could not be created because the OpenSearch "
    "domain was at its open-shard limit; ingestion failed and the queue backed up."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    day = w.onset.astimezone(UTC).replace(hour=0, minute=0, second=0) + timedelta(days=1)
    w.set_onset(day + timedelta(seconds=r.randint(1, 20)))
    shop = Shop(w)
    shop.cache_group()
    onset = w.onset
    data_nodes = shop.os_nodes
    ceiling = 1000 * data_nodes
    per_day = r.choice([10, 12])  # primaries x 2 for the two daily indices written at rollover
    open_now = ceiling - r.randint(2, per_day - 1)
    queue = "search-events"
    qurl = f"https://sqs.{w.region}.amazonaws.com/{w.account}/{queue}"
    w.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{w.region}:{w.account}:{queue}",
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{w.region}:{w.account}:{queue}-dlq",
                        "maxReceiveCount": 100,
                    }
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "search", "env": "prod"},
        },
    )
    w.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/containerinsights/{w.cluster}/application",
            "creationTime": 1690000000000,
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{w.region}:{w.account}:log-group:/aws/containerinsights/{w.cluster}/application:*",
        },
    )
    idx_today = f"search-events-{onset:%Y.%m.%d}"

    # --- CloudTrail: nothing about the cause; ordinary activity ----------------------------------------
    eng = r.choice(["dana.okafor", "sam.hughes", "aiko.tanaka"])
    t = w.start + timedelta(minutes=r.randint(20, 60))
    w.ct(
        t,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        w.who_sso(eng, t),
        {
            "domainName": shop.domain,
            "advancedOptions": {
                "indices.query.bool.max_clause_count": "2048",
                "rest.action.multi.allow_explicit_index": "true",
            },
        },
        {
            "domainConfig": {
                "advancedOptions": {
                    "options": {
                        "indices.query.bool.max_clause_count": "2048",
                        "rest.action.multi.allow_explicit_index": "true",
                    },
                    "status": {
                        "state": "Processing",
                        "updateVersion": r.randint(20, 60),
                        "pendingDeletion": False,
                    },
                }
            }
        },
    )
    t = onset - timedelta(minutes=r.randint(25, 70))
    w.ct(
        t,
        "elasticache.amazonaws.com",
        "ModifyReplicationGroup",
        w.who_sso(eng, t),
        {"replicationGroupId": shop.cache, "snapshotRetentionLimit": 3, "applyImmediately": True},
        {
            "replicationGroupId": shop.cache,
            "status": "modifying",
            "snapshotRetentionLimit": 3,
            "cacheNodeType": "cache.r6g.large",
        },
    )
    t = w.start + timedelta(minutes=r.randint(90, 150))
    w.ct(
        t,
        "es.amazonaws.com",
        "DescribeDomainHealth",
        w.who_sso(eng, t),
        {"domainName": shop.domain},
        None,
        read_only=True,
    )
    for _ in range(r.randint(2, 4)):
        t = w.start + timedelta(minutes=r.randint(10, 200))
        who = w.who_role("github-actions-ecr-push", f"GitHubActions-{r.randint(7000000000, 9999999999)}", t)
        rp = r.choice(["search/search-api", "search/catalog-indexer"])
        tag = f"sha-{w.hx('', 7)}"
        w.ct(
            t,
            "ecr.amazonaws.com",
            "PutImage",
            who,
            {
                "repositoryName": rp,
                "imageTag": tag,
                "registryId": w.account,
                "imageManifest": '{"schemaVersion":2}',
            },
            {
                "image": {
                    "registryId": w.account,
                    "repositoryName": rp,
                    "imageId": {"imageDigest": "sha256:" + w.hx("", 64), "imageTag": tag},
                }
            },
            agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64",
        )
    w.noise_trail(
        [("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": qurl, "attributeNames": ["All"]})]
    )
    # Karpenter consolidation around the quiet hours: one node replaced (innocent)
    t = onset - timedelta(minutes=r.randint(80, 140))
    gone = shop.nodes[-1]
    w.ct(
        t,
        "ec2.amazonaws.com",
        "TerminateInstances",
        w.who_role(f"KarpenterController-{w.cluster}", "aws-go-sdk-1700000000000", t),
        {"instancesSet": {"items": [{"instanceId": gone["InstanceId"]}]}},
        {
            "instancesSet": {
                "items": [
                    {
                        "instanceId": gone["InstanceId"],
                        "currentState": {"code": 32, "name": "shutting-down"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            }
        },
        agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 karpenter.sh-v1.0.6",
        src_ip=w.ip(),
    )
    gone["State"] = {"Code": 48, "Name": "terminated"}

    # --- logs --------------------------------------------------------------------------------------------
    ing = [
        (f"search-events-ingest-{w.hx('', 10)}-{w.hx('', 5)}", shop.nodes[i]["PrivateDnsName"])
        for i in (0, 1)
    ]
    api = [
        (f"search-api-{w.hx('', 10)}-{w.hx('', 5)}", shop.nodes[i % 4]["PrivateDnsName"]) for i in range(3)
    ]
    t = w.start
    yday = f"search-events-{onset - timedelta(days=1):%Y.%m.%d}"
    retry: dict[str, int] = {}
    while t < w.now:
        for pod, host in ing:
            ts = t + timedelta(seconds=r.randint(0, 29))
            stamp = ts.strftime("%Y-%m-%d %H:%M:%S") + f",{r.randint(0, 999):03d}"
            if t < onset:
                n = r.randint(180, 420)
                w.pod_log(
                    pod,
                    "search",
                    "ingest",
                    host,
                    ts,
                    f"{stamp} INFO ingest.writer: bulk ok index={yday} docs={n} took={r.randint(40, 160)}ms",
                )
            else:
                retry[pod] = retry.get(pod, 0) + 1
                w.pod_log(
                    pod,
                    "search",
                    "ingest",
                    host,
                    ts,
                    f"{stamp} ERROR ingest.writer: bulk request failed index={idx_today} status=400 error=RequestError(400, 'validation_exception', 'Validation Failed: 1: this action would add [{per_day}] total shards, but this cluster currently has [{open_now}]/[{ceiling}] maximum shards open;')",
                    "stderr",
                )
                w.pod_log(
                    pod,
                    "search",
                    "ingest",
                    host,
                    ts + timedelta(milliseconds=4),
                    f"{stamp} WARNING ingest.consumer: batch of 10 messages not deleted, will be redelivered after visibility timeout (attempt {min(12, 1 + retry[pod] // 2)})",
                    "stderr",
                )
        if r.random() < 0.5:
            pod, host = r.choice(api)
            ts = t + timedelta(seconds=r.randint(0, 59))
            lvl = "INFO "
            msg = f"GET /v1/trending?locale=en 200 {r.randint(6, 30)}ms"
            if t >= onset and r.random() < 0.6:
                lvl = "WARN "
                msg = f"trending: index_not_found_exception [{idx_today}] -> serving cached list from {yday}"
            w.pod_log(
                pod,
                "search",
                "search-api",
                host,
                ts,
                f"{ts:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}Z {lvl} 1 --- [nio-8080-exec-{r.randint(1, 40)}] c.s.search.TrendingController : {msg}",
            )
        if r.random() < 0.06:
            pod, host = r.choice(api)
            w.pod_log(
                pod,
                "search",
                "search-api",
                host,
                t,
                f"{t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}Z ERROR 1 --- [nio-8080-exec-{r.randint(1, 40)}] c.s.search.SearchController  : upstream timeout after 2000ms querying products (query_len=212)",
            )
        t += timedelta(seconds=30)

    # --- metrics -------------------------------------------------------------------------------------------
    def after(t: datetime) -> bool:
        return t >= onset

    def visible(t: datetime) -> float:
        if not after(t):
            return float(r.randint(0, 40))
        return (t - onset).total_seconds() / 60 * r.uniform(520, 600) * (shop.traffic(t) / 3000)

    shop.standard_metrics(
        {
            "os.shards": lambda t: float(open_now),
            "os.indexrate": lambda t: w.noisy(40 if after(t) else 420, 0.3),
            "os.indexlat": lambda t: w.noisy(0.9, 0.25),
        }
    )
    w.series(
        "AWS/ES", "Shards.activePrimary", shop.os_dims, "Count", lambda t: float(open_now // 2), period=300
    )
    w.series("AWS/ES", "Shards.unassigned", shop.os_dims, "Count", lambda t: 0.0, period=300)
    w.series("AWS/ES", "ClusterIndexWritesBlocked", shop.os_dims, "Count", lambda t: 0.0)
    w.series(
        "AWS/ES",
        "FreeStorageSpace",
        shop.os_dims,
        "Megabytes",
        lambda t: 212000.0 - (t - w.start).total_seconds() / 60 * 3,
        period=60,
    )
    qd = {"QueueName": queue}
    w.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        qd,
        "Count",
        lambda t: w.noisy(shop.traffic(t) * 2.4 * 5, 0.06),
        period=300,
    )
    w.series(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        "Count",
        lambda t: 0.0 if after(t) else w.noisy(shop.traffic(t) * 2.4 * 5, 0.06),
        period=300,
    )
    w.series(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        "Count",
        lambda t: w.noisy(shop.traffic(t) * 2.4 * 5 * (1.4 if after(t) else 1.0), 0.08),
        period=300,
    )
    w.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", visible, period=300)
    w.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: (t - onset).total_seconds() if after(t) else float(r.randint(1, 12)),
        period=300,
    )
    w.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": f"{queue}-dlq"},
        "Count",
        lambda t: 0.0,
        period=300,
    )

    # --- alarms ------------------------------------------------------------------------------------------
    page = w.alarm(
        f"{queue}-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        3,
        900.0,
        "GreaterThanThreshold",
        "search-events ingestion is behind: oldest message older than 15 minutes. Owner: search-platform",
        datapoints=3,
    )
    w.alarm(
        f"{queue}-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": f"{queue}-dlq"},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        "messages in the search-events DLQ",
    )
    w.alarm(
        f"{shop.domain}-writes-blocked",
        "AWS/ES",
        "ClusterIndexWritesBlocked",
        shop.os_dims,
        "Maximum",
        60,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "OpenSearch recommended alarm: index writes blocked",
    )
    w.alarm(
        f"{shop.domain}-red",
        "AWS/ES",
        "ClusterStatus.red",
        shop.os_dims,
        "Maximum",
        60,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "OpenSearch recommended alarm: cluster red",
    )
    w.alarm(
        f"{shop.domain}-jvm-pressure",
        "AWS/ES",
        "JVMMemoryPressure",
        shop.os_dims,
        "Maximum",
        60,
        1,
        65.0,
        "GreaterThanThreshold",
        "OpenSearch JVM memory pressure",
        actions=False,
    )
    w.alarm(
        "search-api-5xx-high",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": shop.tg_search_dim, "LoadBalancer": shop.lb_dim},
        "Sum",
        60,
        5,
        50.0,
        "GreaterThanThreshold",
        "search-api target 5xx above 50/min",
        datapoints=3,
        missing="notBreaching",
    )

    seen = onset + timedelta(minutes=r.randint(2, 10))
    question = (
        f"Trending searches on the homepage look stuck, same list since about {local(seen, w.tz)} and the search-events "
        "queue age alarm just paged me. Is the ingester down? Karpenter was shuffling nodes earlier, maybe it got evicted?"
    )
    arn = f"arn:aws:es:{w.region}:{w.account}:domain/{shop.domain}"
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(page), "timezone": w.tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": shop.domain,
                "category": "limit",
                "failure_mode": "opensearch-max-shards-per-node-reached",
            },
            "also_accept": [arn, w.account + "/" + shop.domain, idx_today],
            "actions": ["reconfigure", "scale"],
            "chain": [shop.domain, idx_today, "search-events-ingest", queue, "search-api trending"],
        },
    )
