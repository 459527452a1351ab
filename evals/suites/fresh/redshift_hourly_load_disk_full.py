"""The hourly Redshift COPY of clickstream events fails once the dc2 cluster runs out of local disk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzo import Estate, Inc, af, iso

NAME = "redshift-hourly-load-disk-full"
TITLE = "events_hourly DAG failing since mid-afternoon; Airflow only says the statement failed"
SUMMARY = (
    "A two-node dc2.large warehouse that has been filling for weeks reaches 100% local disk during the "
    "hourly COPY; loads and large analyst queries abort with Disk Full."
)


def _offset(fn: Callable[[datetime], float], off: float) -> Callable[[datetime], float]:
    def value(t: datetime) -> float:
        return min(100.0, fn(t) + off)

    return value


def build(seed: int) -> Bundle:
    inc = Inc(seed, NAME)
    r = inc.rng
    est = Estate(inc, r.choice(["lumen", "parcelo", "quayside", "fernhill"]))
    onset_hour = r.randint(13, 16)
    onset = inc.day + timedelta(hours=onset_hour, minutes=r.randint(8, 14))
    inc.start = onset - timedelta(hours=4, minutes=10)
    inc.now = onset + timedelta(minutes=r.randint(95, 130))
    inc.end = inc.now + timedelta(minutes=20)
    est.add_resources()
    est.background()
    nodes = 2
    inc.res("redshift", "Cluster", est.redshift_item(nodes, "dc2.large"))
    cid = {"ClusterIdentifier": est.cluster}

    # disk: creeping up with each hourly load, pinned at 100 % from the onset
    base = r.uniform(93.4, 94.2)
    load_min = r.randint(8, 12)

    def disk(t: datetime) -> float:
        if t >= onset - timedelta(minutes=2):
            return 100.0 if t.minute % 60 < 40 else r.uniform(99.2, 99.8)
        hours = (t - inc.start).total_seconds() / 3600
        v = base + hours * 1.2 + r.uniform(-0.15, 0.15)
        if load_min <= t.minute < load_min + 15:
            v += 1.6  # COPY staging and sort spill
        return min(v, 99.6)

    inc.series("AWS/Redshift", "PercentageDiskSpaceUsed", cid, "Percent", disk, period=60)
    for n in ["Compute-0", "Compute-1"]:
        off = r.uniform(-0.8, 0.8)
        inc.series(
            "AWS/Redshift",
            "PercentageDiskSpaceUsed",
            {"ClusterIdentifier": est.cluster, "NodeID": n},
            "Percent",
            _offset(disk, off),
            period=300,
        )
    inc.series(
        "AWS/Redshift",
        "CPUUtilization",
        cid,
        "Percent",
        lambda t: r.uniform(55, 80) if load_min <= t.minute < load_min + 15 else r.uniform(12, 40),
        period=60,
    )
    inc.series(
        "AWS/Redshift", "DatabaseConnections", cid, "Count", lambda t: float(r.randint(14, 32)), period=60
    )
    inc.series("AWS/Redshift", "HealthStatus", cid, "None", lambda t: 1.0, period=60)
    inc.series("AWS/Redshift", "MaintenanceMode", cid, "None", lambda t: 0.0, period=60)
    inc.series(
        "AWS/Redshift",
        "WriteIOPS",
        cid,
        "Count/Second",
        lambda t: r.uniform(300, 900) if load_min <= t.minute < load_min + 15 else r.uniform(20, 120),
        period=60,
    )

    # the hourly load through the Redshift Data API
    grp = f"airflow-{est.env}-Task"
    h = inc.start.replace(minute=0, second=0) + timedelta(hours=1)
    failures = []
    h -= timedelta(hours=1)
    while h < inc.now:
        h += timedelta(hours=1)
        t = h + timedelta(minutes=load_min, seconds=r.randint(0, 30))
        if t >= inc.now:
            break
        sid = inc.uid()
        inc.ct(
            t,
            "redshift-data.amazonaws.com",
            "ExecuteStatement",
            est.mwaa_ident,
            {
                "clusterIdentifier": est.cluster,
                "database": "analytics",
                "dbUser": "etl_loader",
                "sql": "***OMITTED***",
                "withEvent": False,
                "statementName": "events_hourly.copy_events",
            },
            {
                "id": sid,
                "createdAt": iso(t),
                "clusterIdentifier": est.cluster,
                "dbUser": "etl_loader",
                "database": "analytics",
            },
        )
        bad = t >= onset - timedelta(minutes=3)
        dur = r.uniform(4, 9) if bad else r.uniform(9, 13)
        done = t + timedelta(minutes=dur)
        for k in range(int(dur // 2) + 1):
            tt = t + timedelta(minutes=2 * k, seconds=20)
            if tt < inc.now:
                inc.ct(
                    tt,
                    "redshift-data.amazonaws.com",
                    "DescribeStatement",
                    est.mwaa_ident,
                    {"id": sid},
                    None,
                    read_only=True,
                )
        logical = h - timedelta(hours=1)
        stream = (
            f"dag_id=events_hourly/run_id=scheduled__{logical.isoformat()}/task_id=copy_events/attempt=1.log"
        )
        inc.log(
            grp,
            stream,
            t - timedelta(seconds=2),
            f"[{af(t)}] {{taskinstance.py:2170}} INFO - Starting attempt 1 of 2",
        )
        inc.log(
            grp,
            stream,
            t,
            f"[{af(t)}] {{redshift_data.py:150}} INFO - Executing statement: COPY events.clickstream_raw FROM "
            f"'s3://{est.raw}/clickstream/dt={logical:%Y-%m-%d}/hr={logical:%H}/' IAM_ROLE default FORMAT AS PARQUET;",
        )
        if done >= inc.now:
            continue
        if not bad:
            inc.log(
                grp,
                stream,
                done,
                f"[{af(done)}] {{redshift_data.py:162}} INFO - Processed {r.randint(2, 9)}{r.randint(100000, 999999)} rows",
            )
            inc.log(
                grp,
                stream,
                done + timedelta(seconds=1),
                f"[{af(done)}] {{taskinstance.py:1138}} INFO - Marking task as SUCCESS. dag_id=events_hourly, task_id=copy_events",
            )
            continue
        failures.append(done)
        qid = r.randint(3100000, 3999999)
        inc.log(
            grp,
            stream,
            done,
            f"[{af(done)}] {{taskinstance.py:2699}} ERROR - Task failed with exception\nTraceback (most recent call last):\n"
            '  File "/usr/local/airflow/.local/lib/python3.11/site-packages/airflow/providers/amazon/aws/hooks/redshift_data.py", line 182, in wait_for_results\n'
            "    raise exception_cls(\n"
            f"airflow.providers.amazon.aws.hooks.redshift_data.RedshiftDataQueryFailedError: Statement {sid} terminated with status FAILED. "
            f"Response details: {{'Id': '{sid}', 'Status': 'FAILED', 'Error': 'ERROR: Disk Full\\n  Detail: \\n  "
            "-----------------------------------------------\\n  error:  Disk Full\\n  code:      1016\\n  context:   node: "
            f"{r.randint(0, 1)}\\n  query:     {qid}\\n  location:  fdisk_api.cpp:343\\n  process:   query0_117_{qid} [pid={r.randint(20000, 40000)}]\\n  "
            "-----------------------------------------------\\n', 'RedshiftQueryId': " + str(qid) + "}",
        )
        inc.log(
            grp,
            stream,
            done + timedelta(seconds=1),
            f"[{af(done)}] {{taskinstance.py:1138}} INFO - Marking task as UP_FOR_RETRY. dag_id=events_hourly, task_id=copy_events",
        )
        h2 = done + timedelta(minutes=5)
        if h2 < inc.now:
            s2 = stream.replace("attempt=1", "attempt=2")
            sid2 = inc.uid()
            inc.ct(
                h2,
                "redshift-data.amazonaws.com",
                "ExecuteStatement",
                est.mwaa_ident,
                {
                    "clusterIdentifier": est.cluster,
                    "database": "analytics",
                    "dbUser": "etl_loader",
                    "sql": "***OMITTED***",
                    "withEvent": False,
                    "statementName": "events_hourly.copy_events",
                },
                {
                    "id": sid2,
                    "createdAt": iso(h2),
                    "clusterIdentifier": est.cluster,
                    "dbUser": "etl_loader",
                    "database": "analytics",
                },
            )
            e2 = h2 + timedelta(minutes=r.uniform(3, 6))
            if e2 < inc.now:
                failures.append(e2)
                inc.log(
                    grp,
                    s2,
                    e2,
                    f"[{af(e2)}] {{taskinstance.py:2699}} ERROR - Task failed with exception\nairflow.providers.amazon.aws.hooks.redshift_data.RedshiftDataQueryFailedError: Statement {sid2} terminated with status FAILED. Response details: {{'Id': '{sid2}', 'Status': 'FAILED', 'Error': 'ERROR: Disk Full\\n  Detail: \\n  -----------------------------------------------\\n  error:  Disk Full\\n  code:      1016\\n'}}",
                )
                inc.log(
                    grp,
                    s2,
                    e2 + timedelta(seconds=1),
                    f"[{af(e2)}] {{taskinstance.py:1138}} INFO - Marking task as FAILED. dag_id=events_hourly, task_id=copy_events",
                )
    # Glue jobs keep running fine
    h = inc.start.replace(minute=5)
    while h < inc.now:
        for job, minute, dur in (
            ("orders-curate", 5, r.uniform(7, 10)),
            ("customers-curate", 20, r.uniform(4, 6)),
        ):
            t = inc.jitter(h.replace(minute=minute), 0, 40)
            if t + timedelta(minutes=dur) < inc.now:
                est.glue_run(job, t, dur, True, dag=job.split("-")[0] + "_hourly")
        h += timedelta(hours=1)

    # innocent changes
    eng = est.engineers[1]
    inc.ct(
        onset - timedelta(minutes=r.randint(70, 110)),
        "airflow.amazonaws.com",
        "UpdateEnvironment",
        eng,
        {
            "Name": est.env,
            "RequirementsS3Path": "requirements.txt",
            "RequirementsS3ObjectVersion": inc.hexid(32),
        },
        {"Arn": f"arn:aws:airflow:{inc.region}:{inc.account}:environment/{est.env}"},
        agent="AWS Internal",
    )
    inc.ct(
        onset - timedelta(minutes=r.randint(15, 40)),
        "glue.amazonaws.com",
        "UpdateCrawler",
        est.engineers[0],
        {"name": est.crawler, "schedule": "", "recrawlPolicy": {"recrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}},
        None,
        agent="AWS Internal",
    )
    inc.ct(
        inc.start + timedelta(minutes=r.randint(20, 60)),
        "redshift.amazonaws.com",
        "CreateClusterSnapshot",
        est.engineers[0],
        {
            "snapshotIdentifier": f"{est.cluster}-pre-dim-refresh-{inc.day:%Y%m%d}",
            "clusterIdentifier": est.cluster,
        },
        {
            "snapshotIdentifier": f"{est.cluster}-pre-dim-refresh-{inc.day:%Y%m%d}",
            "clusterIdentifier": est.cluster,
            "status": "creating",
        },
        agent="AWS Internal",
    )

    # alarms: a stale disk warning that has sat in ALARM for days, and the task-failure page
    old = inc.start - timedelta(days=r.randint(6, 11), hours=r.randint(0, 12))
    inc.alarm(
        f"{est.cluster}-disk-used-80",
        "AWS/Redshift",
        "PercentageDiskSpaceUsed",
        cid,
        "Average",
        300,
        80,
        "GreaterThanThreshold",
        3,
        est.topic,
        [
            (
                old - timedelta(days=60),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0).",
            ),
            (
                old,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints [80.6, 80.4, 80.3] were greater than the threshold (80.0).",
            ),
        ],
        description="warehouse disk usage high - plan resize",
    )
    first = failures[0]
    page_t = first.replace(second=0) + timedelta(minutes=6)
    al = inc.alarm(
        "airflow-prod-task-failures",
        "DataPlatform/Airflow",
        "TaskFailures",
        {"Environment": est.env},
        "Sum",
        300,
        0,
        "GreaterThanThreshold",
        1,
        est.topic,
        [
            (
                inc.start - timedelta(hours=r.randint(20, 40)),
                "OK",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            ),
            (
                page_t,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
        ],
        description="Failed task instances in prod Airflow (metric filter on Task logs)",
        treat_missing="notBreaching",
    )
    for f in failures:
        inc.point(
            "DataPlatform/Airflow",
            "TaskFailures",
            {"Environment": est.env},
            f.replace(second=0),
            "Count",
            1.0,
        )
    tz = r.choice(["America/New_York", "Europe/Berlin", "America/Los_Angeles"])
    local = first.astimezone(ZoneInfo(tz))
    question = (
        f"events_hourly keeps failing since about {local:%-I}:{local:%M}{local:%p}".lower()
        + " - the copy_events task just says the statement FAILED. Was it the requirements.txt update on MWAA earlier?"
    )
    return inc.bundle(
        TITLE,
        question,
        tz,
        inc.alarm_event(al, page_t, "OK", inc.start - timedelta(hours=30)),
        {
            "no_fault": False,
            "root_cause": {
                "resource": est.cluster,
                "category": "limit",
                "failure_mode": "redshift-local-disk-full",
            },
            "also_accept": [f"arn:aws:redshift:{inc.region}:{inc.account}:cluster:{est.cluster}"],
            "actions": ["scale"],
            "chain": [est.cluster, "events_hourly.copy_events", "events_hourly"],
        },
    )
