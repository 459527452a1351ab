"""The stream indexer falls behind because the inventory team's availability API has become slow."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzze import PEOPLE, Ctx, Stack, iso, minutes

NAME = "catalog-indexer-lag-inventory-lookups"
TITLE = "catalog-indexer falling behind the product stream after lunch; stock changes slow to reach search"
SUMMARY = (
    "The inventory team's availability API, which the catalogue indexer calls for every batch over PrivateLink, "
    "began answering in seconds and timing out; indexer batches slowed and failed, and stream IteratorAge climbed."
)

INVENTORY_HOST = "inventory.platform.internal"


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    st = Stack(c, indexer_memory=1024, indexer_timeout=30)
    r = c.rng
    t0 = c.onset
    dev, ops = r.sample(PEOPLE, 2)
    mem_at = t0 - timedelta(minutes=r.randint(125, 160))
    tune_at = t0 - timedelta(minutes=r.randint(28, 42))
    vpce = f"vpce-0{c.hexid(16)}"
    svc = f"com.amazonaws.vpce.{c.region}.vpce-svc-0{c.hexid(16)}"
    inv_account = str(r.randint(2 * 10**11, 9 * 10**11))

    st.common_resources(
        indexer_modified=mem_at,
        esm_result="PROBLEM: Function call failed",
        indexer_env={
            "OPENSEARCH_ENDPOINT": st.domain_endpoint,
            "INDEX_ALIAS": "products",
            "INVENTORY_URL": f"https://{INVENTORY_HOST}/v2/availability:batchGet",
            "INVENTORY_TIMEOUT_S": "5",
            "LOG_LEVEL": "INFO",
        },
    )
    c.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vpce,
            "VpcEndpointType": "Interface",
            "VpcId": st.vpc,
            "ServiceName": svc,
            "State": "available",
            "PolicyDocument": '{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}',
            "RouteTableIds": [],
            "SubnetIds": list(st.subnets),
            "Groups": [{"GroupId": st.sg, "GroupName": "catalog-lambdas"}],
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [f"eni-0{c.hexid(16)}" for _ in range(3)],
            "DnsEntries": [
                {
                    "DnsName": f"{vpce}-{c.hexid(8)}.{svc.split('.')[-1]}.{c.region}.vpce.amazonaws.com",
                    "HostedZoneId": "Z7HUB22UULQXV",
                },
            ],
            "CreationTimestamp": iso(c.start - timedelta(days=r.randint(200, 400))),
            "Tags": [
                {"Key": "Name", "Value": "inventory-api (platform team)"},
                {"Key": "owner-account", "Value": inv_account},
            ],
            "OwnerId": c.account,
        },
    )

    # --- traffic ----------------------------------------------------------------------------------
    st.baseline_search()
    writes = st.table_writes(lambda t: 280 * c.diurnal(t) + 40)
    idx = {"FunctionName": st.indexer}
    inv: dict[datetime, int] = {}
    err: dict[datetime, int] = {}
    lookup: dict[datetime, float] = {}
    for t in minutes(c.start, c.now):
        if t < t0:
            inv[t] = max(1, round(writes[t] / 22))
            err[t] = 0 if r.random() < 0.97 else 1
            lookup[t] = c.noisy(95, 0.25)
        else:
            ramp = min(1.0, (t - t0).total_seconds() / 420)
            lookup[t] = 95 + ramp * r.uniform(3800, 4900)
            healthy = max(1, round(writes[t] / 22))
            inv[t] = round(healthy + ramp * (r.randint(26, 34) - healthy))
            err[t] = int(inv[t] * ramp * r.uniform(0.86, 0.95))
    c.each_minute("AWS/Lambda", "Invocations", idx, "Count", lambda t: float(inv[t]))
    c.each_minute("AWS/Lambda", "Errors", idx, "Count", lambda t: float(err[t]))
    c.each_minute(
        "AWS/Lambda",
        "Duration",
        idx,
        "Milliseconds",
        lambda t: c.dur(
            inv[t],
            240 if t < t0 else 240 + lookup[t] * 3.3,
            cap=30000.0 if t < t0 + timedelta(minutes=6) else 30030.0,
        ),
    )
    c.each_minute(
        "AWS/Lambda",
        "ConcurrentExecutions",
        idx,
        "Count",
        lambda t: float(min(8, max(1, inv[t] // 3))) if t < t0 else 8.0,
    )
    c.each_minute("AWS/Lambda", "Throttles", idx, "Count", lambda t: 0.0)

    def age(t: datetime) -> tuple[float, float, float, float]:
        if t < t0 + timedelta(minutes=4):
            return (c.noisy(430, 0.3) * inv[t], float(inv[t]), 70.0, c.noisy(1500, 0.5))
        a = (t - t0 - timedelta(minutes=4)).total_seconds() * 1000 * 0.86 + r.uniform(2000, 9000)
        return (a * 0.7 * inv[t], float(inv[t]), a * 0.3, a)

    c.each_minute("AWS/Lambda", "IteratorAge", idx, "Milliseconds", age)
    emf = {"Service": "catalog-indexer", "Dependency": "inventory-api"}
    c.each_minute(
        "CatalogIndexer",
        "DependencyLatency",
        emf,
        "Milliseconds",
        lambda t: (lookup[t] * inv[t], float(inv[t]), lookup[t] * 0.4, min(5000.0, lookup[t] * 1.9)),
    )
    c.each_minute(
        "CatalogIndexer", "DependencyErrors", emf, "Count", lambda t: float(err[t] * 3 if t >= t0 else 0)
    )
    dom = {"DomainName": st.domain, "ClientId": c.account}
    c.each_minute(
        "AWS/ES",
        "IndexingRate",
        dom,
        "Count",
        lambda t: c.noisy((writes[t] if t < t0 else (inv[t] - err[t]) * 60) * 2 / 3, 0.06),
    )
    c.each_minute("AWS/ES", "IndexingLatency", dom, "Milliseconds", lambda t: c.noisy(0.6, 0.25))
    c.each_minute("AWS/ES", "FreeStorageSpace", dom, "Megabytes", lambda t: c.noisy(141_000, 0.002))
    c.each_minute("AWS/ES", "ThreadpoolWriteRejected", dom, "Count", lambda t: 0.0)
    c.each_minute("AWS/ES", "ClusterIndexWritesBlocked", dom, "Count", lambda t: 0.0)
    pl = {"Endpoint Type": "Interface", "Service Name": svc, "VPC Endpoint Id": vpce, "VPC Id": st.vpc}
    c.each_minute(
        "AWS/PrivateLinkEndpoints",
        "ActiveConnections",
        pl,
        "Count",
        lambda t: float(int(c.noisy(14 if t < t0 else 46, 0.15))),
    )
    c.each_minute(
        "AWS/PrivateLinkEndpoints",
        "NewConnections",
        pl,
        "Count",
        lambda t: float(int(c.noisy(inv[t] * 0.3 if t < t0 else err[t] * 2.5 + 4, 0.2))),
    )
    c.each_minute(
        "AWS/PrivateLinkEndpoints",
        "BytesProcessed",
        pl,
        "Bytes",
        lambda t: c.noisy(inv[t] * 41_000 if t < t0 else (inv[t] - err[t]) * 41_000 + 9000, 0.1),
    )
    c.each_minute("AWS/PrivateLinkEndpoints", "PacketsDropped", pl, "Count", lambda t: 0.0)

    # --- logs -------------------------------------------------------------------------------------
    group = st.indexer
    old_stream, new_stream = c.lambda_stream(c.start), c.lambda_stream(mem_at)
    t = c.start + timedelta(minutes=r.randint(0, 4))
    while t < c.now:
        m = t.replace(second=0, microsecond=0)
        stream = old_stream if t < mem_at else new_stream
        if t < t0 + timedelta(minutes=2):
            n = max(1, writes[m] // max(1, inv[m]))
            lines = [
                f"[INFO]\t{{ts}}\t{{rid}}\tbatch records={n} availability_ms={int(lookup[m])} indexed={n} took_ms={int(lookup[m]) + r.randint(60, 160)}\n"
            ]
            c.lambda_invocation(
                group,
                stream,
                c.jitter(t, 0, 0),
                lines,
                duration=lookup[m] + r.uniform(90, 220),
                memory=1024,
                used=r.randint(150, 180),
            )
            t += timedelta(minutes=r.randint(5, 10), seconds=r.randint(0, 59))
            continue
        kind = r.random()
        if kind < 0.1:
            took = r.uniform(3900, 4950)
            lines = [
                f"[WARNING]\t{{ts}}\t{{rid}}\tslow dependency POST https://{INVENTORY_HOST}/v2/availability:batchGet skus=100 took_ms={int(took)}\n",
                f"[INFO]\t{{ts}}\t{{rid}}\tbatch records=100 availability_ms={int(took)} indexed=100 took_ms={int(took) + r.randint(80, 200)}\n",
            ]
            c.lambda_invocation(
                group,
                stream,
                c.jitter(t, 0, 0),
                lines,
                duration=took + r.uniform(150, 300),
                memory=1024,
                used=r.randint(160, 190),
            )
        elif kind < 0.78:
            lines = [
                "[WARNING]\t{ts}\t{rid}\tretrying availability lookup attempt=2/3 error=ReadTimeout\n",
                "[WARNING]\t{ts}\t{rid}\tretrying availability lookup attempt=3/3 error=ReadTimeout\n",
                f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{INVENTORY_HOST}', port=443): Read timed out. (read timeout=5.0)\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/indexer.py", line 61, in handler\n'
                "    stock = availability.lookup(skus)\n"
                '  File "/var/task/catalog/availability.py", line 38, in lookup\n'
                '    resp = _session.post(URL, json={"skus": skus}, timeout=TIMEOUT)\n'
                '  File "/var/task/requests/sessions.py", line 637, in post\n'
                '    return self.request("POST", url, data=data, json=json, **kwargs)\n'
                '  File "/var/task/requests/adapters.py", line 713, in send\n'
                "    raise ReadTimeout(e, request=request)\n",
            ]
            c.lambda_invocation(
                group,
                stream,
                c.jitter(t, 0, 0),
                lines,
                duration=r.uniform(15200, 16100),
                memory=1024,
                used=r.randint(160, 190),
            )
        else:
            lines = ["[WARNING]\t{ts}\t{rid}\tretrying availability lookup attempt=2/3 error=ReadTimeout\n"]
            c.lambda_invocation(
                group,
                stream,
                c.jitter(t, 0, 0),
                lines,
                duration=30003.0 + r.uniform(0, 60),
                memory=1024,
                used=r.randint(170, 190),
                timeout=30.0,
            )
        t += timedelta(seconds=r.randint(40, 110))

    # --- CloudTrail -------------------------------------------------------------------------------
    console = "AWS Internal"
    c.ct(
        mem_at,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        c.sso(dev),
        req={"functionName": st.indexer, "memorySize": 1024},
        resp={
            "functionName": st.indexer,
            "functionArn": st.indexer_arn,
            "memorySize": 1024,
            "timeout": 30,
            "lastModified": mem_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent=console,
    )
    c.ct(
        tune_at,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        c.sso(ops),
        req={
            "domainName": st.domain,
            "autoTuneOptions": {
                "desiredState": "ENABLED",
                "rollbackOnDisable": "NO_ROLLBACK",
                "useOffPeakWindow": True,
            },
        },
        resp={
            "domainConfig": {
                "autoTuneOptions": {
                    "options": {"desiredState": "ENABLED", "useOffPeakWindow": True},
                    "status": {
                        "state": "Processing",
                        "pendingDeletion": False,
                        "updateVersion": r.randint(20, 40),
                    },
                }
            }
        },
        agent=console,
    )
    c.ct(
        tune_at + timedelta(seconds=r.randint(30, 90)),
        "es.amazonaws.com",
        "DescribeDomainConfig",
        c.sso(ops),
        req={"domainName": st.domain},
        read_only=True,
        agent=console,
    )
    cms = c.role("catalog-cms-publisher", "cms-" + c.hexid(8))
    span = int((c.now - c.start).total_seconds() // 60)
    for _ in range(3):
        tt = c.start + timedelta(minutes=r.randint(5, span - 1), seconds=r.randint(0, 59))
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
    for _ in range(2):
        tt = t0 + timedelta(minutes=r.randint(12, 30))
        c.ct(
            tt,
            "lambda.amazonaws.com",
            "GetEventSourceMapping20150331",
            c.sso(ops, "ReadOnlyAccess"),
            req={"uUID": st.esm_uuid},
            read_only=True,
            agent=console,
        )
    c.readonly_noise(44, {"table": st.table, "domain": st.domain, "fn": st.indexer, "bucket": st.images})

    # --- alarms -----------------------------------------------------------------------------------
    ev = c.alarm(
        "catalog-indexer-iterator-age",
        "Indexer falling behind the catalog-products stream (5 min)",
        "AWS/Lambda",
        "IteratorAge",
        idx,
        "Maximum",
        60,
        5,
        5,
        300000.0,
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
        2,
        2,
        50.0,
        "GreaterThanThreshold",
        treat="notBreaching",
        actions=[c.slack_topic],
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

    paged = datetime.fromisoformat(str(ev["time"]).replace("Z", "+00:00")).astimezone(
        ZoneInfo("America/Chicago")
    )
    clock = paged.strftime("%-I:%M") + ("pm" if paged.hour >= 12 else "am")
    question = (
        f"Got paged for catalog-indexer IteratorAge at {clock}. Search itself is up but merch says stock changes "
        "are taking ages to show. Someone changed the OpenSearch domain config earlier - is that it?"
    )
    return c.bundle(
        TITLE,
        {"question": question, "alarm_event": ev, "timezone": "America/Chicago"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": INVENTORY_HOST,
                "category": "dependency_failure",
                "failure_mode": "upstream-api-slow-read-timeouts",
            },
            "also_accept": ["inventory-api", "inventory API", svc, vpce],
            "actions": ["reconfigure"],
            "chain": [INVENTORY_HOST, st.indexer, st.esm_uuid, st.domain],
        },
    )
