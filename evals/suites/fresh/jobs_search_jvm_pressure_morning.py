"""No fault: the jobs-search-prod JVMMemoryPressure alarm (Maximum >= 80%) fires during the morning partner-feed
indexing peak and clears after an old-generation GC, as it did the morning before. Search latency, errors,
rejections and cluster status stay normal throughout."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_u as k

NAME = "jobs-search-jvm-pressure-sawtooth"
TITLE = "jobs-search-prod JVM memory pressure alarm at the morning feed import"
SUMMARY = (
    "JVMMemoryPressure on an OpenSearch domain crosses an 80% alarm during the daily feed import and drops after "
    "an old-gen GC; the normal heap sawtooth, seen on earlier mornings too. Nothing is wrong."
)

Json = dict[str, Any]
TZ = "Europe/Amsterdam"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = ids.account()
    region = rng.choice(["eu-central-1", "eu-west-1"])
    zone = ZoneInfo(TZ)
    day = k.pick_day(rng, (1, 2, 3, 4))
    peak_local = datetime(day.year, day.month, day.day, 9, rng.randint(2, 28), tzinfo=zone)
    peak = peak_local.astimezone(k.UTC)
    offset_h = peak_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = k.floor_minute(peak - timedelta(days=2, hours=rng.randint(3, 8)))
    now = k.floor_minute(peak + timedelta(minutes=rng.randint(38, 58)))
    fine_from = k.floor_minute(peak - timedelta(hours=3))
    pts = k.steps(start, now, fine_from)
    brand = rng.choice(["tallyjobs", "werkvinder", "jobharbour", "vacaturo"])
    domain = "jobs-search-prod"
    client = account

    def import_factor(t: datetime) -> float:
        h = (t.hour + t.minute / 60 + offset_h) % 24
        return 1.0 if 7.75 <= h < 9.75 else 0.0

    # morning peaks: two mornings before and today, forced as the last cycle before the drop
    peaks: list[tuple[datetime, float]] = []
    for d, hi in ((2, rng.uniform(77.0, 79.4)), (1, rng.uniform(80.6, 83.5)), (0, rng.uniform(81.2, 85.8))):
        when = peak - timedelta(days=d, minutes=rng.randint(-20, 20) if d else 0)
        peaks.append((when, hi))

    heap: dict[datetime, float] = {}
    gcs: list[datetime] = []
    h = rng.uniform(45, 60)
    trigger = rng.uniform(72, 76.5)
    t = start
    while t < now:
        upcoming = [(w, v) for w, v in peaks if timedelta(0) <= w - t <= timedelta(minutes=30)]
        if upcoming:
            w, v = upcoming[0]
            remaining = max((w - t).total_seconds() / 60, 1)
            h = h + (v - h) / remaining + rng.uniform(-0.3, 0.3)
            if t >= w - timedelta(minutes=1):
                h = v
        else:
            rate = (
                (0.18 + 0.55 * import_factor(t)) * (0.5 + k.diurnal(t, offset_h, 0.3)) * rng.uniform(0.7, 1.3)
            )
            h += rate
        heap[t] = min(h, 99.0)
        if (h >= trigger and not upcoming) or any(abs((t - w).total_seconds()) < 30 for w, _ in peaks):
            gcs.append(t)
            h = rng.uniform(38, 47)
            trigger = rng.uniform(72, 76.5)
        t += timedelta(minutes=1)

    def window(t0: datetime, step: int) -> list[datetime]:
        return [t0 + timedelta(minutes=i) for i in range(step) if t0 + timedelta(minutes=i) in heap]

    def jvm_max(t0: datetime, step: int) -> float | None:
        ws = window(t0, step)
        return max(heap[w] for w in ws) if ws else None

    dims = {"DomainName": domain, "ClientId": client}

    def const(v: float) -> Any:
        return lambda t0, s: v

    metrics: list[Json] = []
    metrics += k.series("AWS/ES", "JVMMemoryPressure", dims, "Percent", pts, jvm_max, 1)
    metrics += k.series(
        "AWS/ES",
        "OldGenJVMMemoryPressure",
        dims,
        "Percent",
        pts,
        lambda t0, s: (jvm_max(t0, s) or 0) * rng.uniform(0.78, 0.86),
        1,
    )
    search_noise = k.Noise(rng, 0.05, 0.08)

    def search_rate(t: datetime) -> float:
        return 410 * k.diurnal(t, offset_h, 0.08, [(20.5, 2.0, 0.15)]) * search_noise()

    def index_rate(t: datetime) -> float:
        return 35 + 1450 * import_factor(t) * rng.uniform(0.8, 1.2) + 60 * k.diurnal(t, offset_h, 0.1)

    metrics += k.series("AWS/ES", "SearchRate", dims, "Count", pts, lambda t0, s: search_rate(t0), 1)
    metrics += k.series(
        "AWS/ES",
        "SearchLatency",
        dims,
        "Milliseconds",
        pts,
        lambda t0, s: (
            rng.uniform(9, 14)
            + 3 * import_factor(t0)
            + (4 if any(t0 <= g < t0 + timedelta(minutes=s) for g in gcs) else 0)
        ),
        2,
    )
    metrics += k.series("AWS/ES", "IndexingRate", dims, "Count", pts, lambda t0, s: index_rate(t0), 1)
    metrics += k.series(
        "AWS/ES", "IndexingLatency", dims, "Milliseconds", pts, lambda t0, s: rng.uniform(0.18, 0.4), 3
    )
    metrics += k.series(
        "AWS/ES",
        "CPUUtilization",
        dims,
        "Percent",
        pts,
        lambda t0, s: 9 + 14 * k.diurnal(t0, offset_h, 0.1) + 21 * import_factor(t0) + rng.uniform(-2, 2),
        1,
    )
    metrics += k.series(
        "AWS/ES", "MasterCPUUtilization", dims, "Percent", pts, lambda t0, s: rng.uniform(4, 8), 1
    )
    metrics += k.series(
        "AWS/ES", "MasterJVMMemoryPressure", dims, "Percent", pts, lambda t0, s: rng.uniform(21, 29), 1
    )
    for colour, val in (("green", 1.0), ("yellow", 0.0), ("red", 0.0)):
        metrics += k.series("AWS/ES", f"ClusterStatus.{colour}", dims, "Count", pts, const(val), 0)
    metrics += k.series("AWS/ES", "Nodes", dims, "Count", pts, lambda t0, s: 6.0, 0)
    metrics += k.series("AWS/ES", "ClusterIndexWritesBlocked", dims, "Count", pts, lambda t0, s: 0.0, 0)
    metrics += k.series("AWS/ES", "AutomatedSnapshotFailure", dims, "Count", pts, lambda t0, s: 0.0, 0)
    for zero in ("ThreadpoolSearchRejected", "ThreadpoolWriteRejected", "5xx"):
        metrics += k.series("AWS/ES", zero, dims, "Count", pts, lambda t0, s: 0.0, 0)
    metrics += k.series(
        "AWS/ES",
        "2xx",
        dims,
        "Count",
        pts,
        lambda t0, s: sum(search_rate(w) + index_rate(w) / 50 for w in window(t0, s)),
        0,
    )
    metrics += k.series("AWS/ES", "4xx", dims, "Count", pts, lambda t0, s: float(rng.randint(0, 3) * s), 0)
    free = rng.uniform(61000, 70000)
    metrics += k.series(
        "AWS/ES",
        "FreeStorageSpace",
        dims,
        "Megabytes",
        pts,
        lambda t0, s: free - (t0 - start).total_seconds() / 3600 * 9 + rng.uniform(-40, 40),
        1,
    )

    def gc_count(t0: datetime, step: int) -> float:
        return float(sum(1 for g in gcs if g < t0 + timedelta(minutes=step))) + 4100

    metrics += k.series("AWS/ES", "JVMGCOldCollectionCount", dims, "Count", pts, gc_count, 0)

    # supporting cast: jobs-search-api behind an ALB, and the indexer Lambda
    lb_name = f"{brand}-api"
    lb_dim = f"app/{lb_name}/{ids.hex(16)}"
    tg_dim = f"targetgroup/jobs-search-api/{ids.hex(16)}"
    albd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    metrics += k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        albd,
        "Count",
        pts,
        lambda t0, s: sum(search_rate(w) * 60 / 2.3 for w in window(t0, s)),
        0,
    )

    def trt(t0: datetime, step: int) -> tuple[float, float, float, float] | None:
        ws = window(t0, step)
        if not ws:
            return None
        n = sum(search_rate(w) * 60 / 2.3 for w in ws)
        avg = rng.uniform(0.041, 0.055)
        return (round(n), n * avg, 0.006, rng.uniform(0.4, 1.1))

    metrics += k.stat_series("AWS/ApplicationELB", "TargetResponseTime", albd, "Seconds", pts, trt, 4)
    metrics += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        albd,
        "Count",
        pts,
        lambda t0, s: float(rng.randint(1, 2)) if rng.random() < 0.04 else None,
        0,
    )
    metrics += k.series("AWS/ApplicationELB", "HealthyHostCount", albd, "Count", pts, lambda t0, s: 4.0, 0)
    idx_inv: list[tuple[datetime, float, bool]] = []
    for w in heap:
        if w < fine_from - timedelta(hours=1):
            continue
        n = max(1, round(index_rate(w) * 60 / 400))
        for _ in range(min(n, 4)):
            idx_inv.append((w + timedelta(seconds=rng.uniform(0, 59)), rng.uniform(900, 2600), False))
    metrics += k.lambda_metrics("job-indexer", idx_inv, pts)
    idx_logs: list[Json] = []
    idx_streams: list[str] = []
    for when, dur, _ in idx_inv:
        if not idx_streams or (len(idx_streams) < 6 and rng.random() < 0.01):
            idx_streams.append(k.lambda_stream(ids, when))
        docs = rng.randint(40, 400)
        body = [
            (
                dur * 0.9,
                f"INFO  n.j.i.Handler - bulk indexed {docs} docs into jobs (took {int(dur * 0.7)}ms, errors=false)",
            )
        ]
        if rng.random() < 0.02:
            body.insert(
                0, (dur * 0.3, f"WARN  n.j.i.Handler - skipping posting {ids.hex(12)}: unknown taxonomy code")
            )
        idx_logs += k.lambda_invocation(
            "/aws/lambda/job-indexer",
            rng.choice(idx_streams),
            ids,
            when,
            round(dur, 2),
            1024,
            rng.randint(310, 360),
            body,
        )

    # ---- alarms -----------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{account}:search-oncall"
    specs = [
        k.AlarmSpec(
            account,
            region,
            f"{domain}-jvm-memory-pressure",
            "AWS/ES",
            "JVMMemoryPressure",
            dims,
            "Maximum",
            300,
            1,
            80,
            "GreaterThanOrEqualToThreshold",
            description="JVM heap pressure high on jobs-search-prod",
            actions=[pager],
            created=start - timedelta(days=rng.randint(40, 200)),
        ),
        k.AlarmSpec(
            account,
            region,
            f"{domain}-cluster-red",
            "AWS/ES",
            "ClusterStatus.red",
            dims,
            "Maximum",
            60,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Primary shards unassigned",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{domain}-write-blocked",
            "AWS/ES",
            "ClusterIndexWritesBlocked",
            dims,
            "Maximum",
            300,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Index writes blocked",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{domain}-free-storage",
            "AWS/ES",
            "FreeStorageSpace",
            dims,
            "Minimum",
            300,
            1,
            20480,
            "LessThanOrEqualToThreshold",
            description="Less than 20 GiB free on a data node",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            f"{domain}-search-rejected",
            "AWS/ES",
            "ThreadpoolSearchRejected",
            dims,
            "Sum",
            300,
            1,
            1,
            "GreaterThanOrEqualToThreshold",
            description="Search thread pool rejecting",
            actions=[pager],
        ),
        k.AlarmSpec(
            account,
            region,
            "jobs-search-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            albd,
            "Sum",
            60,
            3,
            25,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            description="jobs-search-api 5xx",
            actions=[pager],
        ),
    ]
    for spec in specs:
        spec.evaluate(metrics, start, now, rng, fine_from)
    today = [
        i
        for i, tr in enumerate(specs[0].transitions)
        if tr[2] == "ALARM" and tr[0] > peak - timedelta(minutes=30)
    ]
    alarm_event = specs[0].event(today[0], rng)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[Json] = list(idx_logs)
    node_ids = [ids.alnum(22) for _ in range(3)]
    app_group = f"/aws/OpenSearchService/domains/{domain}/application-logs"
    for g in gcs:
        if g < start:
            continue
        nid = rng.choice(node_ids)
        at = g + timedelta(seconds=rng.uniform(0, 50))
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S,") + f"{at.microsecond // 1000:03d}"
        young = rng.randint(100000, 400000)
        if heap.get(g, 0) >= 78 or rng.random() < 0.25:
            logs.append(
                k.log(
                    app_group,
                    nid,
                    at,
                    f"[{stamp}][INFO ][o.o.m.j.JvmGcMonitorService] [{nid}] [gc][{young}] overhead, spent "
                    f"[{rng.randint(260, 480)}ms] collecting in the last [1s]",
                )
            )
    for day_off in (2, 1, 0):
        base = (
            (peak - timedelta(days=day_off))
            .astimezone(zone)
            .replace(hour=7, minute=45, second=rng.randint(0, 30))
        )
        for _i in range(rng.randint(3, 6)):
            at = base.astimezone(k.UTC) + timedelta(minutes=rng.uniform(0, 110))
            if start <= at < now:
                nid = rng.choice(node_ids)
                stamp = at.strftime("%Y-%m-%dT%H:%M:%S,") + f"{at.microsecond // 1000:03d}"
                logs.append(
                    k.log(
                        app_group,
                        nid,
                        at,
                        f"[{stamp}][WARN ][o.o.i.e.Engine] [{nid}] [jobs-v{rng.randint(40, 44)}][{rng.randint(0, 5)}] "
                        f"indexing buffer is full, throttling refresh (took [{rng.randint(1, 3)}.{rng.randint(0, 9)}s])",
                    )
                )
    imp_group = "/ecs/job-feed-import"
    for day_off in (2, 1, 0):
        t0 = (
            (peak - timedelta(days=day_off))
            .astimezone(zone)
            .replace(hour=7, minute=45, second=rng.randint(0, 59))
            .astimezone(k.UTC)
        )
        if not start <= t0 < now:
            continue
        task = ids.task_id()
        partners = ["indeedfeed", "stepstone-nl", "linkedin-jobs", "werkzoeken", "nationale-vacaturebank"]
        at = t0
        logs.append(
            k.log(
                imp_group,
                f"import/job-feed-import/{task}",
                at,
                f"{at:%Y-%m-%d %H:%M:%S} INFO  feed import started (partners={len(partners)})",
            )
        )
        for p in partners:
            at += timedelta(minutes=rng.uniform(12, 24))
            if at >= now:
                break
            logs.append(
                k.log(
                    imp_group,
                    f"import/job-feed-import/{task}",
                    at,
                    f"{at:%Y-%m-%d %H:%M:%S} INFO  partner={p} postings={rng.randint(8000, 60000)} "
                    f"updated={rng.randint(2000, 20000)} expired={rng.randint(100, 4000)} queued_for_index=ok",
                )
            )
            if rng.random() < 0.2:
                logs.append(
                    k.log(
                        imp_group,
                        f"import/job-feed-import/{task}",
                        at + timedelta(seconds=3),
                        f"{at:%Y-%m-%d %H:%M:%S} WARN  partner={p} {rng.randint(2, 40)} postings rejected: missing location",
                    )
                )
        end = at + timedelta(minutes=2)
        if end < now:
            logs.append(
                k.log(
                    imp_group,
                    f"import/job-feed-import/{task}",
                    end,
                    f"{end:%Y-%m-%d %H:%M:%S} INFO  feed import finished",
                )
            )

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 700))
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    dom_id = f"{account}/{domain}"
    vpc_ep = f"vpc-{domain}-{ids.alnum(26).lower()}.{region}.es.amazonaws.com"
    resources: list[Json] = [
        {
            "service": "opensearch",
            "type": "DomainStatus",
            "item": {
                "DomainId": dom_id,
                "DomainName": domain,
                "ARN": f"arn:aws:es:{region}:{account}:domain/{domain}",
                "Created": True,
                "Deleted": False,
                "Endpoints": {"vpc": vpc_ep},
                "Processing": False,
                "UpgradeProcessing": False,
                "EngineVersion": "OpenSearch_2.11",
                "ClusterConfig": {
                    "InstanceType": "r6g.large.search",
                    "InstanceCount": 3,
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
                    "VolumeSize": 100,
                    "Iops": 3000,
                    "Throughput": 125,
                },
                "SnapshotOptions": {},
                "VPCOptions": {
                    "VPCId": vpc,
                    "SubnetIds": subnets,
                    "AvailabilityZones": azs,
                    "SecurityGroupIds": [ids.sg()],
                },
                "EncryptionAtRestOptions": {
                    "Enabled": True,
                    "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{ids.uuid()}",
                },
                "NodeToNodeEncryptionOptions": {"Enabled": True},
                "AdvancedOptions": {
                    "indices.fielddata.cache.size": "20",
                    "indices.query.bool.max_clause_count": "1024",
                    "override_main_response_version": "false",
                    "rest.action.multi.allow_explicit_index": "true",
                },
                "LogPublishingOptions": {
                    "ES_APPLICATION_LOGS": {
                        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{app_group}",
                        "Enabled": True,
                    }
                },
                "ServiceSoftwareOptions": {
                    "CurrentVersion": "OpenSearch_2_11_R20240502",
                    "NewVersion": "OpenSearch_2_11_R20240502-P2",
                    "UpdateAvailable": True,
                    "Cancellable": False,
                    "UpdateStatus": "ELIGIBLE",
                    "Description": "An update to release OpenSearch_2_11_R20240502-P2 is available.",
                    "OptionalDeployment": True,
                },
                "DomainEndpointOptions": {
                    "EnforceHTTPS": True,
                    "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
                },
            },
        }
    ]
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{region}.elb.amazonaws.com",
                "CreatedTime": k.iso_ms(created),
                "LoadBalancerName": lb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "IpAddressType": "ipv4",
                "AvailabilityZones": [
                    {"ZoneName": az, "SubnetId": sn} for az, sn in zip(azs, subnets, strict=True)
                ],
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "jobs-search-api",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckPath": "/actuator/health",
                "TargetType": "ip",
                "LoadBalancerArns": [lb_arn],
            },
        }
    )
    cluster = f"{brand}-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    api_rev = rng.randint(300, 600)
    deploy_t = peak - timedelta(minutes=rng.randint(16, 26), seconds=rng.randint(0, 59))
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "runningTasksCount": 6,
                "activeServicesCount": 2,
            },
        }
    )
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/jobs-search-api",
                "serviceName": "jobs-search-api",
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/jobs-search-api:{api_rev + 1}",
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "jobs-search-api", "containerPort": 8080}
                ],
                "createdAt": k.iso(created),
                "events": [
                    {
                        "id": ids.uuid(),
                        "createdAt": k.iso(deploy_t + timedelta(minutes=7, seconds=12)),
                        "message": "(service jobs-search-api) has reached a steady state.",
                    },
                    {
                        "id": ids.uuid(),
                        "createdAt": k.iso(deploy_t + timedelta(minutes=6, seconds=40)),
                        "message": f"(service jobs-search-api) deployment ecs-svc/{rng.randint(10**18, 10**19 - 1)} completed.",
                    },
                ],
            },
        }
    )
    for name, red in (("job-index-updates", "job-index-updates-dlq"), ("job-index-updates-dlq", None)):
        resources.append(
            {
                "service": "sqs",
                "type": "Queue",
                "item": k.sqs_queue(
                    account,
                    region,
                    name,
                    created,
                    created + timedelta(days=10),
                    visibility=120,
                    redrive_to=red,
                    max_receive=5,
                    tags={"team": "search"},
                ),
            }
        )
    fn_item = k.lambda_function(
        ids,
        account,
        region,
        "job-indexer",
        runtime="java21",
        handler="nl.jobs.index.Handler::handleRequest",
        memory=1024,
        timeout=60,
        role="job-indexer-role",
        modified=created + timedelta(days=200),
        env={"OPENSEARCH_ENDPOINT": f"https://{vpc_ep}", "INDEX_ALIAS": "jobs"},
        vpc=(subnets, [ids.sg()], vpc),
    )
    resources.append({"service": "lambda", "type": "FunctionConfiguration", "item": fn_item})
    resources.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": ids.uuid(),
                "BatchSize": 400,
                "MaximumBatchingWindowInSeconds": 5,
                "EventSourceArn": f"arn:aws:sqs:{region}:{account}:job-index-updates",
                "FunctionArn": fn_item["FunctionArn"],
                "LastModified": k.iso(created + timedelta(days=30)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "ScalingConfig": {"MaximumConcurrency": 12},
            },
        }
    )

    # ---- CloudTrail -------------------------------------------------------------------------------
    ct: list[Json] = []
    eng = k.sso_user(
        account,
        ids,
        f"{rng.choice(['sanne.devries', 'pieter.bakker', 'noor.elamrani', 'lucas.jansen'])}@{brand}.nl",
        "SearchPlatform",
    )
    fin = k.sso_user(account, ids, f"{rng.choice(['emma.visser', 'daan.smit'])}@{brand}.nl", "FinOps")
    ci = k.ci_role(
        account,
        ids,
        "gha-deploy-jobs-search-api",
        "GitHubActions",
        k.GHA_AGENT.format(cmd="ecs.update-service"),
    )
    mon = k.workload_role(
        account,
        ids,
        "grafana-cloudwatch-read",
        "grafana",
        ids.public_ip(),
        "aws-sdk-go/1.51.6 (go1.22.1; linux; amd64)",
    )

    def add(*args: Any, **kw: Any) -> Json:
        rec = k.cloudtrail(ids, account, region, *args, **kw)
        ct.append(rec)
        return rec

    for when in k.spread(rng, start, now, 14):
        add(
            when, "monitoring.amazonaws.com", "DescribeAlarms", mon, {"maxRecords": 100}, None, read_only=True
        )
    for when in k.spread(rng, start, now, 8):
        ct.append(
            k.assume_role_by_service(
                ids, account, region, when, "lambda.amazonaws.com", "job-indexer-role", "job-indexer"
            )
        )
    for when in k.spread(rng, start, now, 4):
        add(when, "es.amazonaws.com", "DescribeDomain", eng, {"domainName": domain}, None, read_only=True)
    add(
        deploy_t - timedelta(seconds=18),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "jobs-search-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {"taskDefinition": {"family": "jobs-search-api", "revision": api_rev + 1, "status": "ACTIVE"}},
    )
    add(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": cluster,
            "service": "jobs-search-api",
            "taskDefinition": f"jobs-search-api:{api_rev + 1}",
        },
        {
            "service": {
                "serviceName": "jobs-search-api",
                "desiredCount": 4,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/jobs-search-api:{api_rev + 1}",
            }
        },
    )
    tag_t = peak - timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))
    add(
        tag_t,
        "es.amazonaws.com",
        "AddTags",
        fin,
        {
            "aRN": f"arn:aws:es:{region}:{account}:domain/{domain}",
            "tagList": [
                {"key": "cost-centre", "value": "CC-4107"},
                {"key": "owner", "value": "search-platform"},
            ],
        },
        None,
    )
    add(tag_t - timedelta(minutes=1), "es.amazonaws.com", "ListDomainNames", fin, {}, None, read_only=True)
    add(
        start + timedelta(hours=rng.randint(3, 20)),
        "es.amazonaws.com",
        "GetCompatibleVersions",
        eng,
        {"domainName": domain},
        None,
        read_only=True,
    )
    add(
        peak + timedelta(minutes=rng.randint(12, 20)),
        "es.amazonaws.com",
        "DescribeDomainHealth",
        eng,
        {"domainName": domain},
        None,
        read_only=True,
    )
    ct = k.sort_records(ct)

    local_alarm = specs[0].transitions[today[0]][0].astimezone(zone)
    question = (
        f"Got paged for {domain} JVM memory pressure at {local_alarm:%H:%M} and it's already back to OK. "
        "Is the cluster in trouble, or can I go back to what I was doing?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": alarm_event, "timezone": TZ},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [s.item() for s in specs],
            "alarm_history": [h for s in specs for h in s.history()],
            "logs": k.sort_logs(logs),
            "cloudtrail": ct,
            "resources": resources,
        },
    )
