"""The indexer's iterator-age alarm fires every morning while a scheduled tenant import drains; nothing is lost."""

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
    ms,
    platform_metrics,
    rollup_job,
    standard_alarms,
    tooling_reads,
)

NAME = "morning-import-iterator-age"
TITLE = "stream-indexer iterator-age alarm went off this morning and cleared; are we losing logs?"
SUMMARY = (
    "A scheduled daily bulk import for a large tenant pushes several times the usual records into the ingest "
    "stream for twenty minutes; the indexer runs at full concurrency, lags past the alarm threshold and "
    "catches up without errors, as it does every morning."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    w.window(
        r.choice([7.0, 8.0]),
        timedelta(hours=3, minutes=r.randint(20, 50)),
        timedelta(minutes=r.randint(48, 60)),
    )
    on = w.onset.replace(minute=0) + timedelta(minutes=r.choice([0, 15, 30]))
    w.onset = on
    w.now = on + timedelta(minutes=r.randint(72, 85))
    w.end = w.now
    fn_import = f"{w.co}-tenant-bulk-import"
    tenant = f"t-{r.randint(1000, 9999)}"
    base_resources(w)
    w.resource("opensearch", "DomainStatus", domain_status(w, 1024))
    w.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn_import,
            "FunctionArn": w.arn_fn(fn_import),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{w.account}:role/{w.co}-ingest-lambda",
            "Handler": "bulk_import.handler",
            "Description": "scheduled S3 bulk imports for enterprise tenants",
            "Timeout": 900,
            "MemorySize": 2048,
            "LastModified": (w.day - timedelta(days=r.randint(30, 90))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Environment": {"Variables": {"STREAM_NAME": w.stream, "PUT_BATCH": "500"}},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn_import}"},
        },
    )
    dur = r.randint(17, 23)
    ld = Load(w)
    base_recs = w.base_rpm * ld.records_per_req
    extra = base_recs * r.uniform(3.0, 3.8)
    cap = base_recs * r.uniform(2.4, 2.8)

    def importing(t: datetime) -> bool:
        return on <= t < on + timedelta(minutes=dur)

    backlog: dict[datetime, float] = {}
    b = 0.0
    for t in w.minutes():
        load = base_recs * w.diurnal(t) + (extra if importing(t) else 0.0)
        b = max(0.0, b + load - cap)
        backlog[t] = b

    ld.extra_records = lambda t: extra * w.noise(1.0, 0.05) if importing(t) else 0.0
    ld.indexer_age = lambda t: backlog[t] / cap * 60000 + w.noise(900.0, 0.5)
    ld.indexer_duration = lambda t: w.noise(1350.0, 0.15) if backlog[t] > 0 else w.noise(410.0, 0.2)
    ld.indexed_share = lambda t: min(cap, backlog[t] + base_recs) / base_recs if backlog[t] > 0 else 1.0
    ld.cpu = lambda t: w.noise(72.0, 0.1) if backlog[t] > 0 else w.noise(33.0, 0.2)
    ld.jvm = lambda t: w.noise(69.0, 0.08) if backlog[t] > 0 else w.noise(57.0, 0.1)
    ld.indexing_latency = lambda t: w.noise(1.8, 0.2) if backlog[t] > 0 else w.noise(0.9, 0.3)
    platform_metrics(w, ld)
    for t in w.minutes():
        if importing(t):
            w.metric(
                "AWS/Lambda", "Invocations", {"FunctionName": fn_import}, t, "Count", 1 if t == on else 0
            )
            w.metric("AWS/Lambda", "Errors", {"FunctionName": fn_import}, t, "Count", 0)
    rollup_job(w)

    tooling_reads(w, 35)
    deploy(w, on - timedelta(minutes=r.randint(50, 75)), w.fn_indexer)
    deploy(w, on - timedelta(hours=2, minutes=r.randint(0, 40)), w.fn_archiver)

    group = f"/aws/lambda/{fn_import}"
    stream = f"{on:%Y/%m/%d}/[$LATEST]{w.hx(32)}"
    rid = w.uid()
    objs = r.randint(900, 1600)
    w.log(group, stream, on + timedelta(seconds=1), f"START RequestId: {rid} Version: $LATEST\n")
    w.log(
        group,
        stream,
        on + timedelta(seconds=2),
        f"[INFO]\t{iso(on)}\t{rid}\timport start tenant={tenant} source=s3://{tenant}-export/daily/{on:%Y-%m-%d}/ objects={objs}\n",
    )
    for k in range(1, dur):
        t = on + timedelta(minutes=k, seconds=r.randint(0, 30))
        w.log(
            group,
            stream,
            t,
            f"[INFO]\t{iso(t)}\t{rid}\tprogress objects={objs * k // dur}/{objs} records_put={int(extra * k)} throttled_retries={r.choice([0, 0, 0, 2, 5])}\n",
        )
    t_end = on + timedelta(minutes=dur - 1, seconds=r.randint(31, 58))
    w.log(
        group,
        stream,
        t_end,
        f"[INFO]\t{iso(t_end)}\t{rid}\timport done tenant={tenant} objects={objs} records_put={int(extra * dur)} failed=0\n",
    )
    d = (t_end - on).total_seconds() * 1000
    w.log(group, stream, t_end + timedelta(milliseconds=5), f"END RequestId: {rid}\n")
    w.log(
        group,
        stream,
        t_end + timedelta(milliseconds=5),
        f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 2048 MB\tMax Memory Used: {r.randint(700, 1100)} MB\t\n",
    )
    w.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": group,
            "creationTime": ms(w.day - timedelta(days=200)),
            "retentionInDays": 30,
            "arn": f"arn:aws:logs:{w.region}:{w.account}:log-group:{group}:*",
            "storedBytes": r.randint(10**6, 10**7),
        },
    )

    def busy(t: datetime) -> bool:
        return backlog.get(t.replace(second=0, microsecond=0), 0.0) > 0

    def idx(t: datetime) -> list[str]:
        n = 500 if busy(t) else r.randint(300, 500)
        return [
            f"[INFO]\t{iso(t)}\t{{rid}}\tbulk ok docs={n} took_ms={r.randint(700, 1300) if busy(t) else r.randint(60, 240)} errors=false\n"
        ]

    lambda_logs(w, w.fn_indexer, 1, idx, lambda t: w.noise(1350.0 if busy(t) else 410.0, 0.2), 1024)
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

    age = f"{w.co}-indexer-iterator-age"
    over = [t for t in w.minutes() if backlog[t] / cap * 60000 > 300000]
    f_age = (over[4] if len(over) > 4 else on + timedelta(minutes=dur)) + timedelta(seconds=r.randint(20, 50))
    f_ok = (over[-1] if over else f_age) + timedelta(minutes=1, seconds=r.randint(20, 50))
    last5 = [backlog[t] / cap * 60000 + 900 for t in over[:5]][::-1]
    pts = ", ".join(f"{v:.1f}" for v in last5[1:])
    alarm_reason = f"Threshold Crossed: 5 out of the last 5 datapoints [{last5[0]:.1f} (dropped), {pts}] were greater than the threshold (300000.0) (minimum 5 datapoints for OK -> ALARM transition)."
    ok_reason = "Threshold Crossed: 1 out of the last 5 datapoints [241322.0 (dropped)] was not greater than the threshold (300000.0) (minimum 1 datapoint for ALARM -> OK transition)."
    alarms = standard_alarms(w, set(), None, {})
    w.records["alarms"] = [a for a in w.records["alarms"] if a["AlarmName"] != age]
    for days in (3, 2, 1):
        t_a = f_age - timedelta(days=days, seconds=r.randint(-200, 200))
        w.history(age, t_a, "OK", "ALARM", alarm_reason)
        w.history(age, t_a + timedelta(minutes=r.randint(10, 18)), "ALARM", "OK", ok_reason)
    w.history(age, f_age, "OK", "ALARM", alarm_reason)
    w.history(age, f_ok, "ALARM", "OK", ok_reason)
    a_age = dict(
        alarms[age],
        StateValue="OK",
        StateReason=ok_reason,
        StateUpdatedTimestamp=iso(f_ok),
        StateTransitionedTimestamp=iso(f_ok),
    )
    w.records["alarms"].append(a_age)
    flappy_alarm(w, [w.start + timedelta(hours=1, minutes=6), w.start + timedelta(hours=2, minutes=6)])

    tz = r.choice(["Europe/London", "Europe/Dublin", "UTC"])
    local = f_age.astimezone(ZoneInfo(tz))
    q = (
        f"The stream-indexer iterator age alarm paged me at {local:%H:%M} and then went back to OK by itself. "
        "The indexer was deployed this morning. Are we dropping customer logs?"
    )
    return w.bundle(TITLE, {"question": q, "alarm_event": None, "timezone": tz}, {"no_fault": True})
