"""Search shows old prices: the indexer's stream mapping got a filter that lets only INSERT events through."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzze import PEOPLE, Ctx, Stack, iso, minutes

NAME = "search-prices-stale-after-stream-filter-edit"
TITLE = "Search listings showing old prices and stock since mid-afternoon; product pages are right"
SUMMARY = (
    "An edit to the catalogue indexer's DynamoDB stream mapping added a filter that passes only INSERT "
    "events, so price and stock updates (MODIFY) stopped reaching OpenSearch."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    st = Stack(c)
    r = c.rng
    t0 = c.onset
    editor, dba, ops = r.sample(PEOPLE, 3)
    deploy_at = t0 - timedelta(minutes=r.randint(22, 34))
    slowlog_at = t0 - timedelta(minutes=r.randint(115, 150))
    resizer_at = t0 - timedelta(minutes=r.randint(70, 100))
    pattern = json.dumps({"eventName": ["INSERT"]}, separators=(",", ":"))

    st.common_resources(
        filter_pattern=pattern, esm_modified=t0, search_modified=deploy_at, resizer_modified=resizer_at
    )
    drift_fn = "catalog-search-drift-check"
    c.res(
        "lambda",
        "FunctionConfiguration",
        st.lambda_cfg(
            drift_fn,
            "python3.12",
            "drift.handler",
            256,
            120,
            c.start - timedelta(days=r.randint(40, 200)),
            vpc=True,
        ),
    )

    # --- traffic and the write path -------------------------------------------------------------
    st.baseline_search(slow=lambda t: 2.4 if deploy_at <= t < deploy_at + timedelta(minutes=4) else 1.0)
    writes = st.table_writes(lambda t: 260 * c.diurnal(t) + 40)
    share = {"INSERT": 0.05, "MODIFY": 0.935, "REMOVE": 0.015}
    idx = {"FunctionName": st.indexer}
    inv: dict[datetime, int] = {}
    recs: dict[datetime, int] = {}
    for t in minutes(c.start, c.now):
        n = writes[t] if t < t0 else int(writes[t] * share["INSERT"] * r.uniform(0.7, 1.3))
        recs[t] = n
        inv[t] = max(1 if n else 0, round(n / (24 if t < t0 else 1.6)))
    c.each_minute("AWS/Lambda", "Invocations", idx, "Count", lambda t: inv[t] if inv[t] else None)
    c.each_minute("AWS/Lambda", "Errors", idx, "Count", lambda t: 0.0 if inv[t] else None)
    c.each_minute(
        "AWS/Lambda", "Duration", idx, "Milliseconds", lambda t: c.dur(inv[t], 210 if t < t0 else 95)
    )
    c.each_minute(
        "AWS/Lambda",
        "IteratorAge",
        idx,
        "Milliseconds",
        lambda t: (c.noisy(420, 0.4) * inv[t], float(inv[t]), 60.0, c.noisy(1400, 0.5)) if inv[t] else None,
    )
    c.each_minute(
        "AWS/Lambda",
        "ConcurrentExecutions",
        idx,
        "Count",
        lambda t: float(min(8, max(1, inv[t] // 3))) if inv[t] else None,
    )
    dom = {"DomainName": st.domain, "ClientId": c.account}
    c.each_minute("AWS/ES", "IndexingRate", dom, "Count", lambda t: c.noisy(recs[t] * 2 / 3, 0.05))
    c.each_minute("AWS/ES", "IndexingLatency", dom, "Milliseconds", lambda t: c.noisy(0.6, 0.25))
    c.each_minute("AWS/ES", "FreeStorageSpace", dom, "Megabytes", lambda t: c.noisy(142_000, 0.002))
    c.each_minute("AWS/ES", "ClusterIndexWritesBlocked", dom, "Count", lambda t: 0.0)
    c.each_minute("AWS/ES", "ThreadpoolWriteRejected", dom, "Count", lambda t: 0.0)

    # --- the drift check, every 15 minutes ------------------------------------------------------
    first_check = c.start + timedelta(minutes=r.randint(1, 14))
    drift_stream = c.lambda_stream(c.start)
    dd = {"FunctionName": drift_fn}
    for t in minutes(first_check, c.now, 15):
        since = (t - t0).total_seconds() / 60
        if since <= 0:
            price, stock = r.choice([0, 0, 1, 2, 3]), r.choice([0, 0, 1])
        else:
            frac = min(0.78, 0.06 + since / 75)
            price, stock = int(500 * frac * r.uniform(0.85, 1.0)), int(500 * frac * r.uniform(0.12, 0.2))
        c.put("Catalog/Search", "PriceMismatchSkus", {"Index": "products"}, t, float(price), "Count")
        c.put("Catalog/Search", "StockMismatchSkus", {"Index": "products"}, t, float(stock), "Count")
        c.put("AWS/Lambda", "Invocations", dd, t, 1.0, "Count")
        c.put("AWS/Lambda", "Errors", dd, t, 0.0, "Count")
        lines = [
            f"[INFO]\t{{ts}}\t{{rid}}\tdrift check index=products sampled=500 updated_within=2h "
            f"price_mismatch={price} stock_mismatch={stock} missing_in_index=0\n"
        ]
        for _ in range(min(price, 4)):
            sku = f"{c.brand[:2].upper()}-{r.randint(100000, 999999)}"
            upd = t - timedelta(
                minutes=r.randint(1, max(2, int(since) if since > 0 else 30)), seconds=r.randint(0, 59)
            )
            indexed = (t0 if since > 0 else upd) - timedelta(
                minutes=r.randint(20, 300), seconds=r.randint(0, 59)
            )
            p_new = r.choice([14.99, 19.99, 24.99, 34.5, 49.0, 89.99, 129.0])
            lines.append(
                f"[WARNING]\t{{ts}}\t{{rid}}\tmismatch sku={sku} field=price ddb={p_new} "
                f"os={round(p_new * r.choice([1.1, 1.2, 0.9, 1.25]), 2)} ddb_updated_at={iso(upd)} os_indexed_at={iso(indexed)}\n"
            )
        c.lambda_invocation(
            drift_fn,
            drift_stream,
            c.jitter(t, 1, 4),
            lines,
            duration=r.uniform(3200, 5200),
            memory=256,
            used=r.randint(88, 97),
        )

    # --- indexer logs (sampled invocations) -------------------------------------------------------
    stream = c.lambda_stream(c.start)
    t = c.start + timedelta(minutes=r.randint(0, 4))
    while t < c.now:
        m = t.replace(second=0, microsecond=0)
        if inv.get(m):
            n = max(1, recs[m] // max(1, inv[m]))
            if t < t0:
                ins = int(n * 0.05 + r.random())
                rem = int(n * 0.015 + r.random() * 0.6)
                mod = max(0, n - ins - rem)
            else:
                ins, mod, rem = n, 0, 0
            shard = f"shardId-{r.randint(10**19, 10**20 - 1):020d}-{c.hexid(8)}"
            line = (
                f"[INFO]\t{{ts}}\t{{rid}}\tbatch shard={shard} records={ins + mod + rem} INSERT={ins} MODIFY={mod} "
                f"REMOVE={rem} indexed={ins + mod} deleted={rem} failed=0\n"
            )
            c.lambda_invocation(
                st.indexer,
                stream,
                c.jitter(t, 0, 0),
                [line],
                duration=r.uniform(80, 320),
                memory=512,
                used=r.randint(110, 140),
            )
        t += timedelta(minutes=r.randint(4, 9), seconds=r.randint(0, 59))

    # --- search-api logs around its deploy --------------------------------------------------------
    s_stream = c.lambda_stream(deploy_at, "12")
    for k in range(6):
        tt = deploy_at + timedelta(minutes=1 + k * 2, seconds=r.randint(0, 50))
        c.lambda_invocation(
            st.search_fn,
            s_stream,
            tt,
            [
                f"{{ts}}\t{{rid}}\tINFO\tsearch q_len={r.randint(3, 24)} hits={r.randint(0, 400)} cache={'miss' if k < 2 else 'hit'} took={r.randint(20, 140)}ms\n"
            ],
            duration=r.uniform(30, 180),
            memory=1024,
            used=r.randint(140, 190),
            version="12",
            init=r.uniform(380, 640) if k == 0 else None,
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = c.role("github-actions-deploy", f"GitHubActions-{r.randint(10**9, 10**10)}")
    ua_console = "AWS Internal"
    who = c.sso(editor)
    c.ct(
        slowlog_at,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        c.sso(dba),
        req={
            "domainName": st.domain,
            "logPublishingOptions": {
                "SEARCH_SLOW_LOGS": {
                    "cloudWatchLogsLogGroupArn": c.arn(
                        "logs", f"log-group:/aws/OpenSearchService/domains/{st.domain}/search-slow-logs"
                    ),
                    "enabled": True,
                }
            },
        },
        resp={
            "domainConfig": {
                "logPublishingOptions": {
                    "options": {"SEARCH_SLOW_LOGS": {"enabled": True}},
                    "status": {
                        "state": "Processing",
                        "pendingDeletion": False,
                        "updateVersion": r.randint(20, 40),
                    },
                }
            }
        },
        agent=ua_console,
    )
    c.ct(
        resizer_at,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        c.sso(ops),
        req={"functionName": st.resizer, "memorySize": 1536},
        resp={
            "functionName": st.resizer,
            "functionArn": c.arn("lambda", f"function:{st.resizer}"),
            "memorySize": 1536,
            "timeout": 60,
            "lastModified": resizer_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=ua_console,
    )
    fn_arn = c.arn("lambda", f"function:{st.search_fn}")
    c.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        req={
            "functionName": st.search_fn,
            "s3Bucket": f"{c.brand}-lambda-artifacts",
            "s3Key": f"search-api/{c.hexid(40)}.zip",
            "publish": False,
        },
        resp={
            "functionName": st.search_fn,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "codeSha256": st.code_sha[st.search_fn],
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        deploy_at + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        gha,
        req={"functionName": st.search_fn, "codeSha256": st.code_sha[st.search_fn]},
        resp={
            "functionName": st.search_fn,
            "functionArn": f"{fn_arn}:12",
            "version": "12",
            "state": "Active",
        },
    )
    c.ct(
        deploy_at + timedelta(seconds=12),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        gha,
        req={"functionName": st.search_fn, "name": "live", "functionVersion": "12"},
        resp={
            "aliasArn": f"{fn_arn}:live",
            "name": "live",
            "functionVersion": "12",
            "revisionId": c.uid(),
        },
    )
    for _ in range(3):
        c.ct(
            t0 - timedelta(minutes=r.randint(2, 9), seconds=r.randint(0, 59)),
            "lambda.amazonaws.com",
            "GetEventSourceMapping20150331",
            who,
            req={"uUID": st.esm_uuid},
            read_only=True,
            agent=ua_console,
        )
    culprit = c.ct(
        t0,
        "lambda.amazonaws.com",
        "UpdateEventSourceMapping20150331",
        who,
        req={
            "uUID": st.esm_uuid,
            "filterCriteria": {"filters": [{"pattern": pattern}]},
        },
        resp={
            "uUID": st.esm_uuid,
            "startingPosition": "TRIM_HORIZON",
            "batchSize": 100,
            "maximumBatchingWindowInSeconds": 1,
            "parallelizationFactor": 2,
            "eventSourceArn": st.stream_arn,
            "filterCriteria": {"filters": [{"pattern": pattern}]},
            "functionArn": st.indexer_arn,
            "lastModified": t0.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "lastProcessingResult": "OK",
            "state": "Updating",
            "stateTransitionReason": "USER_INITIATED",
            "maximumRecordAgeInSeconds": -1,
            "bisectBatchOnFunctionError": False,
            "maximumRetryAttempts": -1,
            "functionResponseTypes": ["ReportBatchItemFailures"],
            "eventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{st.esm_uuid}"),
        },
        agent=ua_console,
    )
    c.ct(
        t0 + timedelta(seconds=r.randint(20, 50)),
        "lambda.amazonaws.com",
        "ListEventSourceMappings20150331",
        who,
        req={"functionName": st.indexer},
        read_only=True,
        agent=ua_console,
    )
    cms = c.role("catalog-cms-publisher", "cms-" + c.hexid(8))
    for _ in range(4):
        tt = c.start + timedelta(
            minutes=r.randint(5, int((c.now - c.start).total_seconds() // 60) - 1), seconds=r.randint(0, 59)
        )
        c.ct(
            tt,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            cms,
            req={
                "distributionId": st.dist_id,
                "invalidationBatch": {
                    "paths": {
                        "quantity": 1,
                        "items": [f"/category/{r.choice(['outdoor', 'kitchen', 'lighting', 'sale'])}/*"],
                    },
                    "callerReference": c.hexid(12),
                },
            },
            resp={
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{st.dist_id}/invalidation/I{c.upper(13)}",
                "invalidation": {"id": "I" + c.upper(13), "status": "InProgress", "createTime": iso(tt)},
            },
            version="1.10",
        )
    c.readonly_noise(40, {"table": st.table, "domain": st.domain, "fn": st.indexer, "bucket": st.images})

    # --- alarms -----------------------------------------------------------------------------------
    ev = c.alarm(
        "catalog-search-price-drift",
        "Sampled SKUs whose price in OpenSearch differs from DynamoDB (drift-check, every 15 min). Runbook: wiki/catalog/search-drift",
        "Catalog/Search",
        "PriceMismatchSkus",
        {"Index": "products"},
        "Maximum",
        900,
        1,
        1,
        25.0,
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
        60000.0,
        "GreaterThanThreshold",
    )
    c.alarm(
        "catalog-indexer-errors",
        "catalog-indexer function errors",
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
    _ = ev

    local = t0.astimezone(ZoneInfo("America/New_York"))
    ask = local + timedelta(minutes=r.randint(-10, 5))
    ask = ask.replace(minute=ask.minute - ask.minute % 5)
    clock = ask.strftime("%-I:%M").replace(":00", "") + ("pm" if ask.hour >= 12 else "am")
    question = (
        f"Merch team says search results and category pages are showing old prices and stock since around {clock}, "
        "but the product detail pages have today's prices. search-api got a deploy this afternoon - did that break it?"
    )
    return c.bundle(
        TITLE,
        {"question": question, "alarm_event": None, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": st.esm_uuid,
                "category": "change",
                "failure_mode": "stream-filter-drops-modify-events",
                "event_id": culprit["eventID"],
            },
            "also_accept": [
                c.arn("lambda", f"event-source-mapping:{st.esm_uuid}"),
                "catalog-indexer event source mapping",
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": [st.esm_uuid, st.indexer, st.domain, st.search_fn],
        },
    )
