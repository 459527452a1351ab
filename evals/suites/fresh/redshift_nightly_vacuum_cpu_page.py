"""No fault: the warehouse CPU alarm pages during the nightly VACUUM/ANALYZE window, as it does every night."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzo import Estate, Inc, af, iso

NAME = "redshift-nightly-vacuum-cpu-page"
TITLE = "Warehouse CPU alarm woke me up at night; is Redshift in trouble?"
SUMMARY = (
    "The Redshift CPU alarm fires while the scheduled nightly maintenance DAG runs VACUUM and ANALYZE; "
    "it fires every night at the same time, loads and queries succeed, and it clears on its own."
)


def build(seed: int) -> Bundle:
    inc = Inc(seed, NAME)
    r = inc.rng
    est = Estate(inc, r.choice(["harbourline", "kestrel", "mintleaf", "dovetail"]))
    tz = r.choice(["Europe/London", "Europe/Amsterdam", "America/New_York"])
    zone = ZoneInfo(tz)
    local_day = inc.day.astimezone(zone).replace(hour=2, minute=0, second=0, microsecond=0)
    maint = local_day.astimezone(inc.day.tzinfo)  # 02:00 local, in UTC
    inc.start = maint - timedelta(hours=4)
    vac_start = maint + timedelta(minutes=r.randint(0, 2), seconds=r.randint(0, 50))
    vac_end = vac_start + timedelta(minutes=r.randint(32, 44))
    inc.now = vac_start + timedelta(minutes=r.randint(28, 36))
    inc.end = vac_end + timedelta(minutes=30)
    est.add_resources()
    est.background()
    inc.res("redshift", "Cluster", est.redshift_item(4, "ra3.xlplus"))
    cid = {"ClusterIdentifier": est.cluster}

    def busy(t: datetime) -> bool:
        return vac_start <= t < vac_end

    inc.series(
        "AWS/Redshift",
        "CPUUtilization",
        cid,
        "Percent",
        lambda t: r.uniform(88, 98) if busy(t) else r.uniform(6, 28),
        period=60,
    )
    inc.series(
        "AWS/Redshift",
        "PercentageDiskSpaceUsed",
        cid,
        "Percent",
        lambda t: r.uniform(41.0, 41.6) + (2.5 if busy(t) else 0.0),
        period=60,
    )
    inc.series(
        "AWS/Redshift", "DatabaseConnections", cid, "Count", lambda t: float(r.randint(3, 9)), period=60
    )
    inc.series("AWS/Redshift", "HealthStatus", cid, "None", lambda t: 1.0, period=60)
    inc.series(
        "AWS/Redshift",
        "ReadIOPS",
        cid,
        "Count/Second",
        lambda t: r.uniform(1200, 2600) if busy(t) else r.uniform(30, 200),
        period=60,
    )
    inc.series(
        "AWS/Redshift",
        "WriteIOPS",
        cid,
        "Count/Second",
        lambda t: r.uniform(800, 1900) if busy(t) else r.uniform(10, 90),
        period=60,
    )
    inc.series(
        "AWS/Redshift",
        "QueryDuration",
        {
            "ClusterIdentifier": est.cluster,
            "latency": "short",
            "stage": "QueryExecutingSelect",
            "wlmid": "100",
        },
        "Microseconds",
        lambda t: r.uniform(180000, 420000) if busy(t) else r.uniform(120000, 300000),
        period=300,
    )

    # the nightly maintenance DAG
    grp = f"airflow-{est.env}-Task"
    logical = maint - timedelta(days=1)
    tables = ["events.clickstream_raw", "sales.order_lines", "sales.orders", "dim.customer", "dim.product"]
    t = vac_start
    for table in tables:
        task = f"vacuum_{table.replace('.', '_')}"
        stream = f"dag_id=warehouse_nightly_maintenance/run_id=scheduled__{logical.isoformat()}/task_id={task}/attempt=1.log"
        sid = inc.uid()
        inc.ct(
            t,
            "redshift-data.amazonaws.com",
            "ExecuteStatement",
            est.mwaa_ident,
            {
                "clusterIdentifier": est.cluster,
                "database": "analytics",
                "dbUser": "etl_maint",
                "sql": "***OMITTED***",
                "withEvent": False,
                "statementName": f"warehouse_nightly_maintenance.{task}",
            },
            {
                "id": sid,
                "createdAt": iso(t),
                "clusterIdentifier": est.cluster,
                "dbUser": "etl_maint",
                "database": "analytics",
            },
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
            f"[{af(t)}] {{redshift_data.py:150}} INFO - Executing statement: VACUUM SORT ONLY {table} TO 95 PERCENT; ANALYZE {table};",
        )
        dur = (vac_end - vac_start) / len(tables) * r.uniform(0.8, 1.1)
        done = t + dur
        k = t + timedelta(minutes=1)
        while k < min(done, inc.now):
            inc.ct(
                k,
                "redshift-data.amazonaws.com",
                "DescribeStatement",
                est.mwaa_ident,
                {"id": sid},
                None,
                read_only=True,
            )
            k += timedelta(minutes=3)
        if done < inc.now:
            inc.log(
                grp,
                stream,
                done,
                f"[{af(done)}] {{redshift_data.py:162}} INFO - Statement {sid} finished with status FINISHED",
            )
            inc.log(
                grp,
                stream,
                done + timedelta(seconds=1),
                f"[{af(done)}] {{taskinstance.py:1138}} INFO - Marking task as SUCCESS. dag_id=warehouse_nightly_maintenance, task_id={task}",
            )
        t = done + timedelta(seconds=r.randint(5, 20))

    # hourly Glue work continues and succeeds
    h = inc.start.replace(minute=5)
    while h < inc.now:
        for job, minute, dur2 in (
            ("orders-curate", 5, r.uniform(5, 8)),
            ("clickstream-sessionize", 35, r.uniform(12, 16)),
        ):
            tt = inc.jitter(h.replace(minute=minute), 0, 40)
            if tt + timedelta(minutes=dur2) < inc.now:
                est.glue_run(job, tt, dur2, True, dag=job.split("-")[0] + "_hourly")
        h += timedelta(hours=1)

    # an innocent change the evening before, and a snapshot
    inc.ct(
        inc.start + timedelta(minutes=r.randint(10, 60)),
        "redshift.amazonaws.com",
        "ModifyClusterParameterGroup",
        est.engineers[0],
        {
            "parameterGroupName": f"{est.cluster}-params",
            "parameters": [
                {"parameterName": "statement_timeout", "parameterValue": "3600000", "applyType": "dynamic"}
            ],
        },
        {
            "parameterGroupName": f"{est.cluster}-params",
            "parameterGroupStatus": "Your parameter group has been updated. If you changed only dynamic parameters, associated clusters are being modified now. If you changed static parameters, all updates, including dynamic parameters, will be applied when you reboot the associated clusters.",
        },
        agent="AWS Internal",
    )

    # the CPU alarm: same transition every night
    name = f"{est.cluster}-cpu-high"
    trans: list[tuple[datetime, str, str]] = [
        (
            inc.start - timedelta(days=40),
            "OK",
            "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (85.0).",
        )
    ]
    for d in range(6, 0, -1):
        night = (local_day - timedelta(days=d)).astimezone(inc.day.tzinfo)
        a_t = night + timedelta(minutes=r.randint(4, 7), seconds=r.randint(0, 59))
        o_t = a_t + timedelta(minutes=r.randint(28, 42))
        trans.append(
            (
                a_t,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(90, 97):.1f}, {r.uniform(89, 96):.1f}, {r.uniform(88, 95):.1f}] were greater than the threshold (85.0).",
            )
        )
        trans.append(
            (
                o_t,
                "OK",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(8, 20):.1f}, {r.uniform(10, 30):.1f}, {r.uniform(60, 80):.1f}] were not greater than the threshold (85.0).",
            )
        )
    page_t = vac_start.replace(second=0) + timedelta(minutes=4, seconds=r.randint(10, 50))
    trans.append(
        (
            page_t,
            "ALARM",
            f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(90, 97):.1f}, {r.uniform(89, 96):.1f}, {r.uniform(88, 95):.1f}] were greater than the threshold (85.0).",
        )
    )
    al = inc.alarm(
        name,
        "AWS/Redshift",
        "CPUUtilization",
        cid,
        "Average",
        60,
        85,
        "GreaterThanThreshold",
        3,
        est.topic,
        trans,
        description="Warehouse CPU high",
    )
    inc.alarm(
        f"{est.cluster}-health",
        "AWS/Redshift",
        "HealthStatus",
        cid,
        "Minimum",
        60,
        1,
        "LessThanThreshold",
        3,
        est.topic,
        [
            (
                inc.start - timedelta(days=90),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not less than the threshold (1.0).",
            )
        ],
        treat_missing="breaching",
    )
    local = page_t.astimezone(zone)
    question = (
        f"Got paged at {local:%-I:%M} am for {name}, CPU is pinned above 90%. Is the warehouse in trouble? "
        "Do we need to resize before the morning dashboards?"
    )
    return inc.bundle(
        TITLE,
        question,
        tz,
        inc.alarm_event(al, page_t, "OK", trans[-2][0]),
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
