"""A data node of the logs domain failed at night; the two left rejected writes while replicas rebuilt."""

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

NAME = "logs-data-node-lost"
TITLE = "Paged in the small hours: stream-indexer behind and logs domain JVM pressure high"
SUMMARY = (
    "One of the logs domain's three data nodes failed; the remaining two took all indexing plus replica "
    "recovery, rejected bulk writes with 429s and the indexer fell behind until the node was replaced."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    w.data_nodes = 3
    w.window(
        r.choice([2.0, 3.0, 3.5]),
        timedelta(hours=3, minutes=r.randint(20, 50)),
        timedelta(minutes=r.randint(40, 55)),
    )
    on = w.onset
    back = on + timedelta(minutes=r.randint(21, 29))
    base_resources(w)
    w.resource("opensearch", "DomainStatus", domain_status(w, 1024))
    masters = 3

    def down(t: datetime) -> bool:
        return on <= t < back

    def after(t: datetime) -> bool:
        return t >= on

    def rej(t: datetime) -> float:
        if not after(t):
            return 0.0
        if down(t):
            return float(r.randint(900, 2600))
        return float(max(0, round(r.randint(300, 900) * (1 - (t - back).total_seconds() / 1200))))

    lag_peak = {"v": 0.0}

    def lag(t: datetime) -> float:
        if not after(t):
            return w.noise(900.0, 0.5)
        if down(t):
            lag_peak["v"] = (t - on).total_seconds() * 620 + 2000
            return lag_peak["v"]
        return max(w.noise(1200.0, 0.3), lag_peak["v"] - (t - back).total_seconds() * 900)

    ld = Load(w)
    ld.nodes = lambda t: float(w.data_nodes - 1 + masters) if down(t) else float(w.data_nodes + masters)
    ld.status = lambda t: "yellow" if after(t) else "green"
    ld.write_rejected = rej
    ld.jvm = lambda t: (
        w.noise(88.0, 0.04) if down(t) else (w.noise(74.0, 0.06) if after(t) else w.noise(57.0, 0.1))
    )
    ld.cpu = lambda t: (
        w.noise(91.0, 0.05) if down(t) else (w.noise(63.0, 0.1) if after(t) else w.noise(31.0, 0.2))
    )
    ld.indexer_age = lag
    ld.indexer_errors = lambda t: float(r.randint(8, 22)) if down(t) else 0.0
    ld.indexer_duration = lambda t: w.noise(5200.0, 0.3) if down(t) else w.noise(420.0, 0.2)
    ld.indexed_share = lambda t: 0.55 if down(t) else (1.4 if after(t) and lag_peak["v"] > 0 else 1.0)
    ld.indexing_latency = lambda t: w.noise(6.5, 0.3) if down(t) else w.noise(0.9, 0.3)
    ld.free_storage_mb = lambda t: w.noise(640_000.0 if down(t) else 455_000.0, 0.003)
    platform_metrics(w, ld)
    es = {"DomainName": w.domain, "ClientId": w.account}
    total = r.choice([180, 210, 240])
    for t in w.minutes():
        if down(t):
            un, init = total // 3, r.randint(0, 4)
        elif after(t):
            left = max(0, round(total / 3 * (1 - (t - back).total_seconds() / 2400)))
            un, init = max(0, left - 8), min(8, left)
        else:
            un, init = 0, 0
        w.metric("AWS/ES", "Shards.active", es, t, "Count", total - un - init)
        w.metric("AWS/ES", "Shards.unassigned", es, t, "Count", un)
        w.metric("AWS/ES", "Shards.initializing", es, t, "Count", init)
        w.metric("AWS/ES", "Shards.relocating", es, t, "Count", 0)
    rollup_job(w)

    tooling_reads(w, 33)
    deploy(w, on - timedelta(hours=r.randint(5, 7)), w.fn_archiver)
    deploy(w, on - timedelta(hours=2, minutes=r.randint(10, 50)), w.fn_rollup)
    deploy(w, on - timedelta(hours=1, minutes=r.randint(5, 40)), w.fn_receiver, who="dependabot-release")
    oncall = w.identity(f"{r.choice(['eli.park', 'chen.li'])}@{w.co}.io", "AWSReservedSSO_OnCall_" + w.hx(16))
    tq = on + timedelta(minutes=r.randint(24, 32))
    for i, (src, name, params) in enumerate(
        [
            ("es.amazonaws.com", "DescribeDomain", {"domainName": w.domain}),
            ("es.amazonaws.com", "DescribeDomainHealth", {"domainName": w.domain}),
            ("es.amazonaws.com", "DescribeDomainNodes", {"domainName": w.domain}),
            ("lambda.amazonaws.com", "GetEventSourceMapping20150331", {"uUID": w.esm_indexer}),
        ]
    ):
        w.ct(
            tq + timedelta(seconds=20 * i),
            src,
            name,
            oncall,
            params,
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )

    def idx(t: datetime) -> list[str]:
        if down(t):
            node = w.hx(22)
            return [
                f"[WARNING]\t{iso(t)}\t{{rid}}\tbulk partial failure items_failed={r.randint(80, 400)}/500 status=429 "
                f"type=es_rejected_execution_exception reason=rejected execution of coordinating operation "
                f"[coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes={r.randint(900000, 2000000)}, "
                f"max_coordinating_and_primary_bytes={r.randint(200, 300)}000000] node={node}\n",
                f"[INFO]\t{iso(t)}\t{{rid}}\treturning batchItemFailures count={r.randint(1, 4)} first_seq=496{w.hx(10)}\n",
            ]
        return [
            f"[INFO]\t{iso(t)}\t{{rid}}\tbulk ok docs={r.randint(300, 500)} took_ms={r.randint(60, 240)} errors=false\n"
        ]

    lambda_logs(w, w.fn_indexer, 1, idx, lambda t: w.noise(5200.0 if down(t) else 420.0, 0.25), 1024)
    lambda_logs(
        w,
        w.fn_receiver,
        3,
        lambda t: [
            f"[INFO]\t{iso(t)}\t{{rid}}\taccepted batch tenant=t-{r.randint(1000, 9999)} events={r.randint(40, 400)} put_failed=0\n"
        ],
        lambda t: w.noise(38.0, 0.3),
        512,
    )
    access_logs(w, 3, lambda t: (r.choice(["202"] * 60 + ["400", "413"]), "-"))

    age, jvm = f"{w.co}-indexer-iterator-age", f"{w.co}-logs-jvm-pressure"
    f_jvm = on + timedelta(minutes=3, seconds=r.randint(5, 50))
    f_age = on + timedelta(minutes=12, seconds=r.randint(5, 50))
    reasons = {
        jvm: f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(87, 91):.1f} (dropped), {r.uniform(86, 90):.1f}, {r.uniform(86, 89):.1f}] were greater than the threshold (85.0) (minimum 3 datapoints for OK -> ALARM transition).",
        age: "Threshold Crossed: 5 out of the last 5 datapoints [446000.0 (dropped), 408800.0, 371600.0, 334400.0, 297200.0] were greater than the threshold (300000.0) (minimum 5 datapoints for OK -> ALARM transition).",
    }
    alarms = standard_alarms(w, {jvm}, f_jvm, reasons)
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
    f_ok = back + timedelta(minutes=4, seconds=r.randint(0, 50))
    if f_ok < w.now:
        w.records["alarms"] = [a for a in w.records["alarms"] if a["AlarmName"] != jvm]
        reason = "Threshold Crossed: 1 out of the last 3 datapoints [74.2 (dropped)] was not greater than the threshold (85.0) (minimum 1 datapoint for ALARM -> OK transition)."
        j = dict(
            alarms[jvm],
            StateValue="OK",
            StateReason=reason,
            StateUpdatedTimestamp=iso(f_ok),
            StateTransitionedTimestamp=iso(f_ok),
        )
        w.records["alarms"].append(j)
        w.history(jvm, f_ok, "ALARM", "OK", reason)
    flappy_alarm(w, [w.start + timedelta(hours=1, minutes=6), w.start + timedelta(hours=2, minutes=6)])

    tz = r.choice(["Europe/London", "Europe/Amsterdam"])
    local = (on + timedelta(minutes=r.randint(8, 14))).astimezone(ZoneInfo(tz))
    q = f"Got paged at {local:%H:%M} for the indexer falling behind, plus a JVM alarm earlier. Nobody deployed tonight as far as I know. What's going on?"
    return w.bundle(
        TITLE,
        {"question": q, "alarm_event": w.alarm_event(a_age, "Threshold Crossed", f_age), "timezone": tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": w.domain,
                "category": "component_failure",
                "failure_mode": "opensearch-data-node-failure",
            },
            "also_accept": [w.domain_arn, f"{w.account}/{w.domain}"],
            "actions": ["scale"],
            "chain": [w.domain, w.fn_indexer, w.stream],
        },
    )
