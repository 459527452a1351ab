"""The search domain's data nodes reach the flood-stage disk watermark; every index goes read-only."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzze import PEOPLE, Ctx, Stack, iso, minutes, ms

NAME = "catalog-indexer-errors-search-disk-full"
TITLE = "catalog-indexer errors alarm paged mid-afternoon; product edits not showing in search"
SUMMARY = (
    "Daily search-analytics indices that Firehose writes into the catalogue's OpenSearch domain, kept "
    "forever, used up its EBS storage; at the flood-stage watermark every index became read-only, so the "
    "stream indexer and the Firehose delivery both failed with 429 cluster_block_exception."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    st = Stack(c)
    r = c.rng
    t0 = c.onset
    deployer, ops = r.sample(PEOPLE, 2)
    deploy_at = t0 - timedelta(minutes=r.randint(75, 110))
    cache_edit = t0 - timedelta(minutes=r.randint(30, 50))
    node_mb = 100 * 1024
    flood = node_mb * 0.05
    free_at_start = flood + r.uniform(650, 900)
    fh_name = "search-events-to-opensearch"
    fh_arn = c.arn("firehose", f"deliverystream/{fh_name}")
    day_index = f"search-analytics-{t0:%Y.%m.%d}"

    st.common_resources(
        indexer_modified=deploy_at, domain_storage_gb=100, esm_result="PROBLEM: Function call failed"
    )
    c.res(
        "firehose",
        "DeliveryStreamDescription",
        {
            "DeliveryStreamName": fh_name,
            "DeliveryStreamARN": fh_arn,
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": "DirectPut",
            "VersionId": "4",
            "CreateTimestamp": iso(c.start - timedelta(days=r.randint(150, 300))),
            "LastUpdateTimestamp": iso(c.start - timedelta(days=r.randint(60, 140))),
            "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
            "Destinations": [
                {
                    "DestinationId": "destinationId-000000000001",
                    "AmazonopensearchserviceDestinationDescription": {
                        "RoleARN": f"arn:aws:iam::{c.account}:role/firehose-search-events",
                        "DomainARN": st.domain_arn,
                        "IndexName": "search-analytics",
                        "IndexRotationPeriod": "OneDay",
                        "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 5},
                        "RetryOptions": {"DurationInSeconds": 300},
                        "S3BackupMode": "FailedDocumentsOnly",
                        "S3DestinationDescription": {
                            "RoleARN": f"arn:aws:iam::{c.account}:role/firehose-search-events",
                            "BucketARN": f"arn:aws:s3:::{c.brand}-firehose-failed",
                            "Prefix": "search-events/",
                            "BufferingHints": {"IntervalInSeconds": 300, "SizeInMBs": 5},
                            "CompressionFormat": "GZIP",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                        },
                        "CloudWatchLoggingOptions": {
                            "Enabled": True,
                            "LogGroupName": f"/aws/kinesisfirehose/{fh_name}",
                            "LogStreamName": "DestinationDelivery",
                        },
                        "VpcConfigurationDescription": {
                            "SubnetIds": list(st.subnets),
                            "RoleARN": f"arn:aws:iam::{c.account}:role/firehose-search-events",
                            "SecurityGroupIds": [st.sg],
                            "VpcId": st.vpc,
                        },
                    },
                }
            ],
            "HasMoreDestinations": False,
        },
    )

    # --- traffic ----------------------------------------------------------------------------------
    st.baseline_search()
    writes = st.table_writes(lambda t: 300 * c.diurnal(t) + 50)
    dom = {"DomainName": st.domain, "ClientId": c.account}
    total_min = (t0 - c.start).total_seconds() / 60
    free: dict[datetime, float] = {}
    for t in minutes(c.start, c.now):
        k = (t - c.start).total_seconds() / 60
        if t < t0:
            free[t] = free_at_start - (free_at_start - flood + 6) * (k / total_min) ** 1.1 + r.uniform(-4, 4)
        else:
            free[t] = flood - r.uniform(2, 14)
    blocked = {t: 1.0 if t >= t0 else 0.0 for t in free}
    c.each_minute("AWS/ES", "FreeStorageSpace", dom, "Megabytes", lambda t: free[t])
    c.each_minute("AWS/ES", "ClusterIndexWritesBlocked", dom, "Count", lambda t: blocked[t])
    c.each_minute(
        "AWS/ES", "ClusterUsedSpace", dom, "Megabytes", lambda t: 3 * (node_mb - free[t]) - r.uniform(0, 30)
    )
    c.each_minute(
        "AWS/ES",
        "IndexingRate",
        dom,
        "Count",
        lambda t: c.noisy(writes[t] * 2 / 3 + 900 * c.diurnal(t), 0.05) if t < t0 else 0.0,
    )
    c.each_minute(
        "AWS/ES", "IndexingLatency", dom, "Milliseconds", lambda t: c.noisy(0.7, 0.25) if t < t0 else 0.0
    )
    c.each_minute("AWS/ES", "ThreadpoolWriteRejected", dom, "Count", lambda t: 0.0)
    c.each_minute("AWS/ES", "4xx", dom, "Count", lambda t: c.noisy(3, 0.6) if t < t0 else c.noisy(95, 0.1))
    c.each_minute("AWS/ES", "5xx", dom, "Count", lambda t: 0.0)

    idx = {"FunctionName": st.indexer}
    inv = {t: (max(1, round(writes[t] / 22)) if t < t0 else r.randint(5, 9)) for t in free}
    err = {t: (0 if t < t0 else inv[t]) for t in free}
    c.each_minute("AWS/Lambda", "Invocations", idx, "Count", lambda t: float(inv[t]))
    c.each_minute("AWS/Lambda", "Errors", idx, "Count", lambda t: float(err[t]))
    c.each_minute(
        "AWS/Lambda", "Duration", idx, "Milliseconds", lambda t: c.dur(inv[t], 220 if t < t0 else 640)
    )
    c.each_minute(
        "AWS/Lambda", "ConcurrentExecutions", idx, "Count", lambda t: float(min(8, max(1, inv[t] // 3)))
    )

    def age(t: datetime) -> tuple[float, float, float, float]:
        if t < t0:
            return (c.noisy(450, 0.3) * inv[t], float(inv[t]), 80.0, c.noisy(1500, 0.5))
        a = (t - t0).total_seconds() * 1000 + r.uniform(800, 3000)
        return (a * 0.8 * inv[t], float(inv[t]), a * 0.55, a)

    c.each_minute("AWS/Lambda", "IteratorAge", idx, "Milliseconds", age)
    fh = {"DeliveryStreamName": fh_name}
    c.each_minute(
        "AWS/Firehose", "IncomingRecords", fh, "Count", lambda t: c.noisy(st.search_traffic(t) * 1.1, 0.05)
    )
    c.each_minute(
        "AWS/Firehose",
        "DeliveryToAmazonOpenSearchService.Success",
        fh,
        "None",
        lambda t: 1.0 if t < t0 else 0.0,
    )
    c.each_minute(
        "AWS/Firehose",
        "DeliveryToAmazonOpenSearchService.Records",
        fh,
        "Count",
        lambda t: c.noisy(st.search_traffic(t) * 1.1, 0.05) if t < t0 else 0.0,
    )
    c.each_minute(
        "AWS/Firehose",
        "DeliveryToAmazonOpenSearchService.DataFreshness",
        fh,
        "Seconds",
        lambda t: c.noisy(70, 0.2) if t < t0 else (t - t0).total_seconds() + 70,
    )

    # --- logs -------------------------------------------------------------------------------------
    stream = c.lambda_stream(c.start)
    new_stream = c.lambda_stream(deploy_at)
    t = c.start + timedelta(minutes=r.randint(0, 4))
    while t < c.now:
        m = t.replace(second=0, microsecond=0)
        s = stream if t < deploy_at else new_stream
        init = r.uniform(900, 1400) if s == new_stream and t < deploy_at + timedelta(minutes=6) else None
        if t < t0:
            n = max(1, writes[m] // max(1, inv[m]))
            line = f"[INFO]\t{{ts}}\t{{rid}}\tbulk index={'products'} docs={n} took_ms={r.randint(18, 90)} errors=false\n"
            c.lambda_invocation(
                st.indexer,
                s,
                c.jitter(t, 0, 0),
                [line],
                duration=r.uniform(120, 330),
                memory=512,
                used=r.randint(120, 150),
                init=init,
            )
            t += timedelta(minutes=r.randint(5, 10), seconds=r.randint(0, 59))
        else:
            n = 100
            sku = f"{c.brand[:2].upper()}-{r.randint(100000, 999999)}"
            reason = "index [products-v7] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];"
            err_line = (
                f"[ERROR] BulkIndexError: ('{n} document(s) failed to index.', [{{'update': {{'_index': 'products-v7', '_id': '{sku}', "
                f"'status': 429, 'error': {{'type': 'cluster_block_exception', 'reason': '{reason}'}}, 'data': ...}}}}, ...])\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/indexer.py", line 74, in handler\n'
                "    ok, _ = helpers.bulk(client, actions, chunk_size=500, max_retries=2)\n"
                '  File "/var/task/opensearchpy/helpers/actions.py", line 435, in bulk\n'
                "    for ok, item in streaming_bulk(client, actions, *args, **kwargs):\n"
                '  File "/var/task/opensearchpy/helpers/actions.py", line 350, in streaming_bulk\n'
                "    for data, (ok, info) in zip(\n"
                '  File "/var/task/opensearchpy/helpers/actions.py", line 283, in _process_bulk_chunk\n'
                "    for item in gen:\n"
                '  File "/var/task/opensearchpy/helpers/actions.py", line 231, in _process_bulk_chunk_success\n'
                '    raise BulkIndexError("%i document(s) failed to index." % len(errors), errors)\n'
            )
            c.lambda_invocation(
                st.indexer,
                s,
                c.jitter(t, 0, 0),
                ["[WARNING]\t{ts}\t{rid}\tbulk retry 2/2 after 429\n", err_line],
                duration=r.uniform(500, 900),
                memory=512,
                used=r.randint(140, 160),
            )
            t += timedelta(minutes=r.randint(1, 3), seconds=r.randint(0, 59))
    fh_group = f"/aws/kinesisfirehose/{fh_name}"
    t = t0 + timedelta(seconds=r.randint(40, 100))
    while t < c.now:
        c.log(
            fh_group,
            "DestinationDelivery",
            c.jitter(t, 0, 0),
            '{"deliveryStreamARN":"'
            + fh_arn
            + '","destination":"arn:aws:es:'
            + c.region
            + ":"
            + c.account
            + ":domain/"
            + st.domain
            + '","deliveryStreamVersionId":4,"message":"Error received from the Amazon OpenSearch Service cluster. Failed to index 500 documents. '
            + f"Sample error: index [{day_index}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];"
            + '","errorCode":"OS.ServiceException","processor":"arn:aws:es:'
            + c.region
            + ":"
            + c.account
            + ":domain/"
            + st.domain
            + '"}',
        )
        t += timedelta(seconds=r.randint(240, 330))

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = c.role("github-actions-deploy", f"GitHubActions-{r.randint(10**9, 10**10)}")
    fn_arn = st.indexer_arn
    c.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        req={
            "functionName": st.indexer,
            "s3Bucket": f"{c.brand}-lambda-artifacts",
            "s3Key": f"catalog-indexer/{c.hexid(40)}.zip",
            "publish": False,
        },
        resp={
            "functionName": st.indexer,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "codeSha256": st.code_sha[st.indexer],
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        deploy_at + timedelta(seconds=6),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        gha,
        req={"functionName": st.indexer},
        read_only=True,
    )
    c.ct(
        cache_edit,
        "elasticache.amazonaws.com",
        "ModifyReplicationGroup",
        c.sso(ops),
        req={
            "replicationGroupId": st.cache,
            "snapshotRetentionLimit": 3,
            "applyImmediately": True,
        },
        resp={
            "replicationGroupId": st.cache,
            "status": "modifying",
            "snapshotRetentionLimit": 3,
            "snapshotWindow": "07:00-08:00",
        },
        agent="AWS Internal",
    )
    c.ct(
        cache_edit - timedelta(hours=1, minutes=r.randint(0, 30)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        c.sso(deployer),
        req={
            "bucketName": st.uploads,
            "lifecycle": "",
            "LifecycleConfiguration": {
                "Rule": {
                    "ID": "expire-raw-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "raw/"},
                    "Expiration": {"Days": 30},
                }
            },
        },
        agent="AWS Internal",
    )
    for _ in range(3):
        tt = t0 + timedelta(minutes=r.randint(3, 30))
        if tt < c.now:
            c.ct(
                tt,
                "es.amazonaws.com",
                "DescribeDomain",
                c.sso(ops, "ReadOnlyAccess"),
                req={"domainName": st.domain},
                read_only=True,
                agent="AWS Internal",
            )
    c.readonly_noise(42, {"table": st.table, "domain": st.domain, "fn": st.indexer, "bucket": st.images})

    # --- alarms -----------------------------------------------------------------------------------
    since = c.start - timedelta(days=r.randint(2, 4), hours=r.randint(0, 20))
    c.alarm(
        "catalog-search-free-storage-low",
        "OpenSearch data node free storage under 20 GiB",
        "AWS/ES",
        "FreeStorageSpace",
        dom,
        "Minimum",
        300,
        1,
        1,
        20480.0,
        "LessThanOrEqualToThreshold",
        actions=[c.slack_topic],
        initial="ALARM",
        initial_since=since,
        initial_reason=f"Threshold Crossed: 1 out of the last 1 datapoints [20471.3 ({since - timedelta(minutes=6):%d/%m/%y %H:%M:%S})] was less than or equal to the threshold (20480.0) (minimum 1 datapoint for OK -> ALARM transition).",
    )
    ev = c.alarm(
        "catalog-indexer-errors",
        "catalog-indexer function errors (stream to OpenSearch)",
        "AWS/Lambda",
        "Errors",
        idx,
        "Sum",
        300,
        1,
        1,
        5.0,
        "GreaterThanThreshold",
        treat="notBreaching",
    )
    c.alarm(
        "catalog-indexer-iterator-age",
        "Indexer falling behind the catalog-products stream",
        "AWS/Lambda",
        "IteratorAge",
        idx,
        "Maximum",
        60,
        5,
        5,
        600000.0,
        "GreaterThanThreshold",
    )
    c.alarm(
        "search-api-duration",
        "search-api average duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": st.search_fn},
        "Average",
        60,
        3,
        3,
        400.0,
        "GreaterThanThreshold",
    )
    c.alarm(
        "catalog-cache-engine-cpu",
        "Redis engine CPU on the primary",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{st.cache}-001"},
        "Average",
        60,
        3,
        2,
        30.0,
        "GreaterThanThreshold",
        actions=[c.slack_topic],
    )
    c.alarm(
        "catalog-search-cluster-red",
        "OpenSearch cluster red",
        "AWS/ES",
        "ClusterStatus.red",
        dom,
        "Maximum",
        60,
        1,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
    )
    c.alarm(
        "catalog-search-jvm-pressure",
        "OpenSearch JVM memory pressure",
        "AWS/ES",
        "JVMMemoryPressure",
        dom,
        "Maximum",
        300,
        3,
        3,
        85.0,
        "GreaterThanThreshold",
    )
    _ = ms
    return c.bundle(
        TITLE,
        {"question": None, "alarm_event": ev},
        {
            "no_fault": False,
            "root_cause": {
                "resource": st.domain,
                "category": "limit",
                "failure_mode": "opensearch-disk-flood-stage-write-block",
            },
            "also_accept": [st.domain_arn, f"{c.account}/{st.domain}"],
            "actions": ["scale", "reconfigure"],
            "chain": [st.domain, st.indexer, st.search_fn],
        },
    )
