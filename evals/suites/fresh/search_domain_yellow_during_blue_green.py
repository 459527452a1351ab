"""No fault: the OpenSearch domain's yellow-status alarm pages while a planned instance-type change runs
as a blue/green deployment; new nodes join, shards copy across, search keeps answering normally."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzb import Shop, World, iso, local

NAME = "search-domain-yellow-during-blue-green"
TITLE = "OpenSearch cluster-yellow alarm paged in the afternoon; are search shards being lost?"
SUMMARY = (
    "An engineer's instance-type change to the search domain started a blue/green deployment; the cluster "
    "went yellow for a few minutes while shards were copied to the new nodes, as it does during one."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME, onset_hour=(13, 16))
    r = w.rng
    shop = Shop(w)
    shop.cache_group()
    dom = shop.domain
    old_type, new_type = "r6g.2xlarge.search", r.choice(["r6g.4xlarge.search", "r7g.2xlarge.search"])
    change_at = w.onset - timedelta(minutes=r.randint(4, 9))
    yellow_from = w.onset
    yellow_to = yellow_from + timedelta(minutes=r.randint(7, 14))
    joined = change_at + timedelta(minutes=r.randint(3, 5))
    copy_end = w.now + timedelta(minutes=r.randint(30, 90))
    nodes_before = shop.os_nodes + 3
    change_id = w.uuid()
    eng = r.choice(["dana.okafor", "sam.hughes", "aiko.tanaka", "raj.patel"])

    # the domain as DescribeDomain shows it now: the requested type, processing the change
    for res in w.resources:
        if res["type"] == "DomainStatus":
            it = res["item"]
            it["ClusterConfig"]["InstanceType"] = new_type
            it["Processing"] = True
            it["DomainProcessingStatus"] = "Modifying"
            it["ChangeProgressDetails"] = {
                "ChangeId": change_id,
                "Message": "Your domain is undergoing a blue/green deployment. Shards are being copied to the new nodes.",
                "ConfigChangeStatus": "ApplyingChanges",
                "InitiatedBy": "CUSTOMER",
                "StartTime": iso(change_at),
                "LastUpdatedTime": iso(w.now - timedelta(minutes=r.randint(1, 4))),
            }
            it["ModifyingProperties"] = [
                {
                    "Name": "ClusterConfig.InstanceType",
                    "ActiveValue": old_type,
                    "PendingValue": new_type,
                    "ValueType": "PLAIN_TEXT",
                }
            ]

    # --- CloudTrail ------------------------------------------------------------------------------------
    who = w.who_sso(eng, change_at)
    t = change_at - timedelta(minutes=r.randint(3, 8))
    w.ct(t, "es.amazonaws.com", "DescribeDomain", who, {"domainName": dom}, None, read_only=True)
    w.ct(
        t + timedelta(seconds=40),
        "es.amazonaws.com",
        "DescribeDryRunProgress",
        who,
        {"domainName": dom, "loadDryRunConfig": True},
        None,
        read_only=True,
    )
    w.ct(
        t + timedelta(seconds=20),
        "es.amazonaws.com",
        "UpdateDomainConfig",
        who,
        {
            "domainName": dom,
            "clusterConfig": {"instanceType": new_type},
            "dryRun": True,
            "dryRunMode": "Verbose",
        },
        {
            "dryRunResults": {
                "deploymentType": "Blue/Green",
                "message": "This change will require a blue/green deployment.",
            }
        },
    )
    w.ct(
        change_at,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        who,
        {"domainName": dom, "clusterConfig": {"instanceType": new_type}},
        {
            "domainConfig": {
                "clusterConfig": {
                    "options": {
                        "instanceType": new_type,
                        "instanceCount": shop.os_nodes,
                        "dedicatedMasterEnabled": True,
                    },
                    "status": {
                        "state": "Processing",
                        "updateVersion": r.randint(30, 80),
                        "pendingDeletion": False,
                    },
                }
            },
            "changeProgressDetails": {
                "changeId": change_id,
                "configChangeStatus": "Pending",
                "initiatedBy": "CUSTOMER",
            },
        },
    )
    for k in range(r.randint(3, 5)):
        t = change_at + timedelta(minutes=4 + 7 * k, seconds=r.randint(0, 50))
        if t < w.now:
            w.ct(
                t,
                "es.amazonaws.com",
                "DescribeDomainChangeProgress",
                w.who_sso(eng, t),
                {"domainName": dom, "changeId": change_id},
                None,
                read_only=True,
            )
    # other people's ordinary changes today
    t = w.start + timedelta(minutes=r.randint(20, 80))
    w.ct(
        t,
        "elasticache.amazonaws.com",
        "ModifyReplicationGroup",
        w.who_sso("kofi.mensah", t),
        {"replicationGroupId": shop.cache, "snapshotWindow": "02:00-03:00", "applyImmediately": True},
        {"replicationGroupId": shop.cache, "status": "modifying", "snapshotWindow": "02:00-03:00"},
    )
    t = w.onset - timedelta(minutes=r.randint(30, 60))
    who_ci = w.who_role("github-actions-ecr-push", f"GitHubActions-{r.randint(7000000000, 9999999999)}", t)
    tag = f"v3.{r.randint(2, 9)}.{r.randint(0, 20)}"
    w.ct(
        t,
        "ecr.amazonaws.com",
        "PutImage",
        who_ci,
        {
            "repositoryName": "search/search-api",
            "imageTag": tag,
            "registryId": w.account,
            "imageManifest": '{"schemaVersion":2}',
        },
        {
            "image": {
                "registryId": w.account,
                "repositoryName": "search/search-api",
                "imageId": {"imageDigest": "sha256:" + w.hx("", 64), "imageTag": tag},
            }
        },
        agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64",
    )
    t = w.start + timedelta(minutes=r.randint(100, 160))
    w.ct(
        t,
        "ec2.amazonaws.com",
        "TerminateInstances",
        w.who_role(f"KarpenterController-{w.cluster}", "aws-go-sdk-1700000000000", t),
        {"instancesSet": {"items": [{"instanceId": shop.nodes[-1]["InstanceId"]}]}},
        {
            "instancesSet": {
                "items": [
                    {
                        "instanceId": shop.nodes[-1]["InstanceId"],
                        "currentState": {"code": 32, "name": "shutting-down"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            }
        },
        agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 karpenter.sh-v1.0.6",
        src_ip=w.ip(),
    )
    w.noise_trail([("es.amazonaws.com", "ListDomainNames", {})])

    # --- logs: search-api sees nothing unusual; a single slow query warning or two ----------------------
    pods = [
        (f"search-api-{w.hx('', 10)}-{w.hx('', 5)}", shop.nodes[i % 4]["PrivateDnsName"]) for i in range(4)
    ]
    t = w.start
    while t < w.now:
        pod, node = r.choice(pods)
        ts = t + timedelta(seconds=r.randint(0, 59))
        msg = f"GET /v1/search?q=<redacted>&page=1 200 {r.randint(28, 90)}ms hits={r.randint(0, 900)}"
        lvl = "INFO "
        if yellow_from <= t < copy_end and r.random() < 0.08:
            lvl, msg = (
                "WARN ",
                f"slow OpenSearch response {r.randint(410, 780)}ms for products/_search (timeout 2000ms)",
            )
        w.pod_log(
            pod,
            "search",
            "search-api",
            node,
            ts,
            f"{ts:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999):03d}Z {lvl} 1 --- [nio-8080-exec-{r.randint(1, 40)}] c.s.search.SearchController  : {msg}",
        )
        t += timedelta(seconds=20)
    # the domain's published error log: shard allocation notices
    grp = f"/aws/OpenSearchService/domains/{dom}/application-logs"
    for k in range(r.randint(4, 7)):
        t = yellow_from + timedelta(seconds=r.randint(0, int((yellow_to - yellow_from).total_seconds())))
        nid = w.hx("", 32)
        w.log(
            grp,
            nid,
            t,
            f"[{t:%Y-%m-%dT%H:%M:%S},{r.randint(100, 999)}][WARN ][o.o.c.r.a.AllocationService] [{nid}] Cluster health status changed from [GREEN] to [YELLOW] (reason: [shards started [[products-v{r.randint(7, 12)}][{r.randint(0, 5)}]] ...])."
            if k == 0
            else f"[{t:%Y-%m-%dT%H:%M:%S},{r.randint(100, 999)}][INFO ][o.o.c.r.a.AllocationService] [{nid}] updating number_of_replicas to [1] for indices [.opendistro-job-scheduler-lock]",
        )
    w.log(
        grp,
        w.hx("", 32),
        yellow_to,
        f"[{yellow_to:%Y-%m-%dT%H:%M:%S},{r.randint(100, 999)}][INFO ][o.o.c.r.a.AllocationService] [{w.hx('', 32)}] Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[products-v{r.randint(7, 12)}][{r.randint(0, 5)}]]]).",
    )
    w.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": grp,
            "creationTime": 1690000000000,
            "retentionInDays": 30,
            "arn": f"arn:aws:logs:{w.region}:{w.account}:log-group:{grp}:*",
        },
    )

    # --- metrics ---------------------------------------------------------------------------------------
    def copying(t: datetime) -> bool:
        return joined <= t < copy_end

    def yellow(t: datetime) -> bool:
        return yellow_from <= t < yellow_to

    shop.standard_metrics(
        {
            "os.nodes": lambda t: float(nodes_before + (shop.os_nodes if t >= joined else 0)),
            "os.yellow": lambda t: 1.0 if yellow(t) else 0.0,
            "os.green": lambda t: 0.0 if yellow(t) else 1.0,
            "os.cpu": lambda t: w.noisy(w.diurnal(t, 14, 38) + (14 if copying(t) else 0), 0.1),
            "os.searchlat": lambda t: w.noisy(11.5 * (1.35 if copying(t) else 1.0), 0.2),
        }
    )
    w.series(
        "AWS/ES",
        "Shards.relocating",
        shop.os_dims,
        "Count",
        lambda t: float(r.randint(2, 6)) if copying(t) else 0.0,
        period=60,
    )
    w.series(
        "AWS/ES",
        "Shards.initializing",
        shop.os_dims,
        "Count",
        lambda t: float(r.randint(1, 4)) if yellow(t) else 0.0,
        period=60,
    )
    w.series(
        "AWS/ES",
        "Shards.unassigned",
        shop.os_dims,
        "Count",
        lambda t: float(r.randint(2, 8)) if yellow(t) else 0.0,
        period=60,
    )

    # --- alarms ----------------------------------------------------------------------------------------
    page = w.alarm(
        f"{dom}-cluster-yellow",
        "AWS/ES",
        "ClusterStatus.yellow",
        shop.os_dims,
        "Maximum",
        60,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "OpenSearch recommended alarm: at least one replica shard is not allocated",
    )
    w.alarm(
        f"{dom}-cluster-red",
        "AWS/ES",
        "ClusterStatus.red",
        shop.os_dims,
        "Maximum",
        60,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "OpenSearch recommended alarm: at least one primary shard is not allocated",
    )
    w.alarm(
        f"{dom}-cpu-high",
        "AWS/ES",
        "CPUUtilization",
        shop.os_dims,
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        "OpenSearch CPU above 80% for 15 minutes",
    )
    w.alarm(
        f"{dom}-jvm-pressure",
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
    w.alarm(
        "search-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": shop.tg_search_dim, "LoadBalancer": shop.lb_dim},
        "Average",
        60,
        5,
        0.5,
        "GreaterThanThreshold",
        "search-api average response time above 500 ms",
        datapoints=3,
    )

    question = (
        f"Got paged for {dom} going yellow at {local(yellow_from, w.tz)}. Search seems to work when I try it but the "
        "alarm says replica shards aren't allocated, are we losing data / about to go red? Nobody on my team touched search today."
    )
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(page), "timezone": w.tz},
        {
            "no_fault": True,
            "also_accept": [],
            "actions": [],
            "chain": [f"UpdateDomainConfig {dom}", "blue/green deployment", "ClusterStatus.yellow"],
        },
    )
