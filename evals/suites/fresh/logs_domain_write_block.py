"""Live tail falls behind: the logs domain ran out of disk and blocked index writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzx import (
    Load,
    World,
    access_logs,
    base_resources,
    deploy,
    domain_status,
    flappy_alarm,
    iso,
    lambda_logs,
    platform_metrics,
    rollup_job,
    standard_alarms,
    tooling_reads,
)

NAME = "logs-domain-write-block"
TITLE = "Live tail stuck and falling further behind; stream-indexer iterator-age page"
SUMMARY = (
    "The OpenSearch logs domain's data nodes ran down to the free-storage floor as ingest grew; the domain "
    "blocked index writes, the indexer's bulk calls failed with 403 and the stream backed up."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    w.window(
        r.choice([17.0, 18.0, 19.5]),
        timedelta(hours=3, minutes=r.randint(25, 55)),
        timedelta(minutes=r.randint(35, 50)),
    )
    on = w.onset
    vol = r.choice([512, 768])
    base_resources(w)
    w.resource("opensearch", "DomainStatus", domain_status(w, vol))
    floor = 20480.0
    rate = r.uniform(55, 85)  # MB a minute per node

    def blocked(t: datetime) -> bool:
        return t >= on

    def lag_ms(t: datetime) -> float:
        return (t - on).total_seconds() * 1000 + 1500 if blocked(t) else w.noise(900.0, 0.5)

    ld = Load(w)
    ld.records_per_req = r.uniform(26, 34)
    ld.free_storage_mb = lambda t: (
        floor - r.uniform(30, 160)
        if blocked(t)
        else floor + rate * (on - t).total_seconds() / 60 + r.uniform(-40, 40)
    )
    ld.writes_blocked = lambda t: 1.0 if blocked(t) else 0.0
    ld.indexer_age = lag_ms
    ld.indexer_errors = lambda t: float(w.shards * 2 * r.randint(5, 7)) if blocked(t) else 0.0
    ld.indexer_duration = lambda t: w.noise(95.0, 0.3) if blocked(t) else w.noise(430.0, 0.2)
    ld.indexed_share = lambda t: 0.0 if blocked(t) else 1.0
    ld.indexing_latency = lambda t: 0.0 if blocked(t) else w.noise(1.1, 0.3)
    ld.cpu = lambda t: w.noise(18.0, 0.2) if blocked(t) else w.noise(41.0, 0.15)
    platform_metrics(w, ld)
    rollup_job(w, fail_after=on)

    tooling_reads(w, 36)
    t_dep = on - timedelta(minutes=r.randint(28, 45))
    deploy(w, t_dep, w.fn_indexer)
    deploy(w, on - timedelta(hours=2, minutes=r.randint(5, 50)), w.fn_receiver)
    dev = w.identity(
        f"{r.choice(['dara.nwosu', 'farah.haddad'])}@{w.co}.io", "AWSReservedSSO_PlatformEngineer_" + w.hx(16)
    )
    t_q = on + timedelta(minutes=r.randint(14, 22))
    w.ct(
        t_q,
        "es.amazonaws.com",
        "DescribeDomain",
        dev,
        {"domainName": w.domain},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    w.ct(
        t_q + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        dev,
        {"functionName": w.fn_indexer},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    w.ct(
        t_q + timedelta(seconds=75),
        "lambda.amazonaws.com",
        "ListVersionsByFunction20150331",
        dev,
        {"functionName": w.fn_indexer},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    w.ct(
        on - timedelta(hours=1, minutes=r.randint(0, 40)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        w.identity("terraform", f"{w.co}-terraform-apply"),
        {
            "alarmName": f"{w.co}-ingest-put-throttled",
            "namespace": "AWS/Kinesis",
            "metricName": "WriteProvisionedThroughputExceeded",
            "threshold": 100.0,
            "evaluationPeriods": 5,
            "period": 60,
            "statistic": "Sum",
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.54.1",
    )

    day_idx = f"logs-{on:%Y.%m.%d}"

    def idx(t: datetime) -> list[str]:
        if blocked(t):
            return [
                f"[ERROR]\t{iso(t)}\t{{rid}}\tbulk request failed status=403 shard=shardId-{r.randint(0, w.shards - 1):012d} "
                f'body={{"error":{{"root_cause":[{{"type":"cluster_block_exception","reason":"index [{day_idx}] blocked by: [FORBIDDEN/8/index write (api)];"}}],'
                f'"type":"cluster_block_exception","reason":"index [{day_idx}] blocked by: [FORBIDDEN/8/index write (api)];"}},"status":403}}\n',
                "[ERROR] BulkIndexError: bulk rejected: 1 error(s) (cluster_block_exception)\nTraceback (most recent call last):\n"
                '  File "/var/task/indexer.py", line 88, in handler\n    raise BulkIndexError(resp)\n',
            ]
        return [
            f"[INFO]\t{iso(t)}\t{{rid}}\tbulk ok index={day_idx} docs={r.randint(300, 500)} took_ms={r.randint(60, 240)} errors=false\n"
        ]

    lambda_logs(w, w.fn_indexer, 1, idx, lambda t: w.noise(95.0 if blocked(t) else 430.0, 0.25), 1024)
    lambda_logs(
        w,
        w.fn_receiver,
        2,
        lambda t: [
            f"[INFO]\t{iso(t)}\t{{rid}}\taccepted batch tenant=t-{r.randint(1000, 9999)} events={r.randint(40, 400)} put_failed=0\n"
        ],
        lambda t: w.noise(38.0, 0.3),
        512,
    )
    access_logs(w, 3, lambda t: (r.choice(["202"] * 60 + ["400", "413"]), "-"))

    f_err = on + timedelta(minutes=5, seconds=r.randint(5, 50))
    f_age = on + timedelta(minutes=10, seconds=r.randint(5, 50))
    errs, age = f"{w.co}-indexer-errors", f"{w.co}-indexer-iterator-age"
    reasons = {
        errs: f"Threshold Crossed: 5 out of the last 5 datapoints [{w.shards * 12}.0 (dropped), {w.shards * 11}.0, {w.shards * 12}.0, {w.shards * 10}.0, {w.shards * 12}.0] were greater than the threshold (20.0) (minimum 5 datapoints for OK -> ALARM transition).",
        age: "Threshold Crossed: 5 out of the last 5 datapoints [601500.0 (dropped), 541500.0, 481500.0, 421500.0, 361500.0] were greater than the threshold (300000.0) (minimum 5 datapoints for OK -> ALARM transition).",
    }
    standard_alarms(w, {errs}, f_err, reasons)
    w.records["alarms"] = [a for a in w.records["alarms"] if a["AlarmName"] != age]
    a_age = w.alarm(
        age,
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": w.fn_indexer},
        "Maximum",
        300000.0,
        "GreaterThanThreshold",
        5,
        "ALARM",
        reasons[age],
        f_age,
        "stream-indexer more than 5 min behind the ingest stream",
    )
    w.history(age, f_age, "OK", "ALARM", reasons[age])
    flappy_alarm(w, [w.start + timedelta(hours=2, minutes=6), w.start + timedelta(hours=3, minutes=6)])

    tz = r.choice(["Europe/Berlin", "America/Los_Angeles", "Europe/London"])
    local = (on + timedelta(minutes=r.randint(12, 18))).astimezone(ZoneInfo(tz))
    q = f"Live tail has been stuck since about {local:%H:%M}, support says nothing newer than that shows up. We deployed the indexer earlier today, should we roll it back?"
    return w.bundle(
        TITLE,
        {"question": q, "alarm_event": w.alarm_event(a_age, "Threshold Crossed", f_age), "timezone": tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": w.domain,
                "category": "limit",
                "failure_mode": "opensearch-free-storage-write-block",
            },
            "also_accept": [w.domain_arn, f"{w.account}/{w.domain}"],
            "actions": ["scale", "reconfigure"],
            "chain": [w.domain, w.fn_indexer, w.stream],
        },
    )
