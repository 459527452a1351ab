"""No fault: a freshly created duration alarm pages on the weekly full reload, which always runs this long."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzl import (
    Ctx,
    Lake,
    athena_metrics,
    iso,
    sfn_execution,
    sfn_machine,
    tooling_noise,
)

NAME = "orders-full-reload-long-running-page"
TITLE = "Paged overnight: orders full reload 'long running'; is the Glue job stuck?"
SUMMARY = (
    "A duration alarm added two days earlier with a one-hour threshold fires on the Sunday full reload, "
    "which has taken two to three hours every week and is progressing normally."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, (2, 2))
    r = c.rng
    shift = timedelta(days=(6 - c.onset.weekday()) % 7)
    c.onset = c.onset + shift
    t_job = c.onset.replace(hour=1, minute=0, second=r.randint(2, 20))
    threshold_ms = 3_600_000.0
    fired = (t_job + timedelta(milliseconds=threshold_ms)).replace(second=0) + timedelta(
        minutes=r.randint(1, 5), seconds=r.randint(5, 50)
    )
    c.onset = fired
    c.start = (t_job - timedelta(hours=r.randint(3, 4))).replace(minute=0, second=0)
    c.now = fired + timedelta(minutes=r.randint(25, 45), seconds=r.randint(0, 59))
    c.end = c.now + timedelta(minutes=30)
    lake = Lake(c)
    lake.base_resources()
    job = "orders_full_reload"
    workers = r.choice([40, 60])
    lake.glue_job(job, workers, "G.2X", timeout=480)
    lake.glue_job("orders_raw_to_curated", 10)
    lake.glue_job("customers_dedupe", 10)

    sm = sfn_machine(
        c,
        "weekly-full-reload",
        {
            "Comment": "Sunday 01:00 UTC: rebuild curated orders from raw, full history",
            "StartAt": "FullReload",
            "States": {
                "FullReload": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {"JobName": job, "Arguments": {"--mode": "full"}},
                    "End": True,
                }
            },
        },
        f"arn:aws:iam::{c.account}:role/service-role/{lake.sfn_role}",
    )
    # previous Sundays, all healthy and all about as long
    for week in range(4, 0, -1):
        t0 = t_job - timedelta(days=7 * week) + timedelta(seconds=r.randint(-10, 10))
        secs = r.randint(8_100, 10_200)
        lake.job_run(job, t0 + timedelta(seconds=2), secs)
        sfn_execution(c, sm, t0, t0 + timedelta(seconds=secs + 12), "SUCCEEDED")
    # this Sunday's run, still going
    rid = f"jr_{c.hexid(64)}"
    c.res(
        "glue",
        "JobRun",
        {
            "Id": rid,
            "Attempt": 0,
            "JobName": job,
            "JobMode": "SCRIPT",
            "StartedOn": iso(t_job + timedelta(seconds=2)),
            "LastModifiedOn": iso(t_job + timedelta(seconds=40)),
            "JobRunState": "RUNNING",
            "Arguments": {"--mode": "full"},
            "PredecessorRuns": [],
            "AllocatedCapacity": workers * 2,
            "ExecutionTime": 0,
            "Timeout": 480,
            "MaxCapacity": float(workers * 2),
            "WorkerType": "G.2X",
            "NumberOfWorkers": workers,
            "LogGroupName": "/aws-glue/jobs",
            "GlueVersion": "4.0",
            "ExecutionClass": "STANDARD",
        },
    )
    sfn_execution(c, sm, t_job, None, "RUNNING")
    ev = c.role_identity(
        f"Amazon_EventBridge_Invoke_Step_Functions_{r.randint(1000000, 9999999)}",
        c.hexid(32),
        t_job,
        "events.amazonaws.com",
    )
    c.ct(
        t_job, "states.amazonaws.com", "StartExecution", ev, {"stateMachineArn": sm["stateMachineArn"]}, None
    )
    sid = c.role_identity(lake.sfn_role, c.hexid(32), t_job, "states.amazonaws.com")
    c.ct(
        t_job + timedelta(seconds=2),
        "glue.amazonaws.com",
        "StartJobRun",
        sid,
        {"jobName": job, "arguments": {"--mode": "full"}},
        {"jobRunId": rid},
    )
    t = t_job + timedelta(minutes=r.randint(4, 8))
    while t < c.now:
        c.ct(
            t,
            "glue.amazonaws.com",
            "GetJobRun",
            sid,
            {"jobName": job, "runId": rid, "predecessorsIncluded": False},
            None,
            True,
        )
        t += timedelta(minutes=r.randint(9, 14))
    c.metric(
        "AWS/States",
        "ExecutionsStarted",
        {"StateMachineArn": sm["stateMachineArn"]},
        t_job.replace(second=0),
        "Count",
        1,
    )

    expected = r.randint(8_400, 10_000)
    total_bytes = r.randint(700, 1100) * 1024**3
    dc = {"JobName": job, "JobRunId": "ALL", "Type": "count"}
    dg = {"JobName": job, "JobRunId": "ALL", "Type": "gauge"}
    for t in c.steps(60, t_job.replace(second=0) + timedelta(minutes=1), c.end):
        el = (t - t_job).total_seconds()
        if el > expected:
            break
        stage_read = el < expected * 0.55
        c.metric("Glue", "glue.driver.aggregate.elapsedTime", dc, t, "Milliseconds", el * 1000)
        c.metric(
            "Glue",
            "glue.driver.aggregate.bytesRead",
            dc,
            t,
            "Bytes",
            total_bytes / (expected * 0.55 / 60) * r.uniform(0.8, 1.2) if stage_read else r.uniform(0, 2e6),
        )
        c.metric(
            "Glue",
            "glue.driver.aggregate.recordsRead",
            dc,
            t,
            "Count",
            r.uniform(3.2e6, 4.1e6) if stage_read else r.uniform(0, 1e4),
        )
        c.metric(
            "Glue",
            "glue.driver.aggregate.shuffleBytesWritten",
            dc,
            t,
            "Bytes",
            r.uniform(2e9, 4e9) if 0.3 < el / expected < 0.8 else r.uniform(0, 1e8),
        )
        c.metric("Glue", "glue.driver.aggregate.numCompletedTasks", dc, t, "Count", r.randint(180, 420))
        c.metric(
            "Glue", "glue.driver.aggregate.numFailedTasks", dc, t, "Count", 1 if r.random() < 0.03 else 0
        )
        c.metric(
            "Glue", "glue.driver.aggregate.numCompletedStages", dc, t, "Count", 1 if r.random() < 0.08 else 0
        )
        c.metric(
            "Glue",
            "glue.driver.ExecutorAllocationManager.executors.numberAllExecutors",
            dg,
            t,
            "Count",
            workers - 1,
        )
        c.metric(
            "Glue",
            "glue.driver.ExecutorAllocationManager.executors.numberMaxNeededExecutors",
            dg,
            t,
            "Count",
            r.randint(workers + 10, workers * 3),
        )
        c.metric("Glue", "glue.ALL.jvm.heap.usage", dg, t, "None", r.uniform(0.45, 0.7))
        c.metric("Glue", "glue.driver.jvm.heap.usage", dg, t, "None", r.uniform(0.2, 0.35))
        c.metric("Glue", "glue.ALL.system.cpuSystemLoad", dg, t, "None", r.uniform(0.6, 0.9))
    out = "/aws-glue/jobs/output"
    stage = 0
    t = t_job + timedelta(seconds=25)
    c.log(
        out,
        rid,
        t,
        f"{t.strftime('%Y-%m-%d %H:%M:%S')},144 INFO [main] glue.ProcessLauncher (Logging.scala:logInfo(61)): Launching Glue job {job}, run id {rid}",
    )
    while t < c.now:
        t += timedelta(seconds=r.randint(420, 900))
        stage += r.randint(1, 3)
        c.log(
            out,
            rid,
            t,
            f"{t.strftime('%Y-%m-%d %H:%M:%S')},{r.randint(100, 999)} INFO [dag-scheduler-event-loop] scheduler.DAGScheduler (Logging.scala:logInfo(61)): ResultStage {stage} (save at NativeMethodAccessorImpl.java:0) finished in {r.uniform(200, 800):.3f} s",
        )
    t = t_job + timedelta(minutes=r.randint(30, 80))
    c.log(
        "/aws-glue/jobs/error",
        rid,
        t,
        f"{t.strftime('%Y-%m-%d %H:%M:%S')},512 WARN [task-result-getter-2] scheduler.TaskSetManager (Logging.scala:logWarning(73)): Lost task 112.0 in stage 7.0 (TID 5531) (172.35.{r.randint(0, 255)}.{r.randint(2, 250)} executor 17): FetchFailed(BlockManagerId(9, 172.35.81.14, 35813, None), shuffleId=2, mapIndex=41, mapId=4410, reduceId=112, message=\norg.apache.spark.shuffle.FetchFailedException: Connection reset by peer",
    )

    t_created = c.start - timedelta(days=2, hours=r.randint(1, 8), minutes=r.randint(0, 59))
    author = r.choice(["kemal.d", "lucy.w", "arjun.p"])
    alarm = c.alarm(
        "orders-full-reload-long-running",
        "Glue",
        "glue.driver.aggregate.elapsedTime",
        dc,
        "Maximum",
        300,
        1,
        threshold_ms,
        "GreaterThanThreshold",
        "Orders reload running longer than 1h - check for stuck job (DATA-1187)",
        "notBreaching",
        created=t_created,
    )
    alarm["StateUpdatedTimestamp"] = alarm["StateTransitionedTimestamp"] = iso(
        t_created + timedelta(minutes=1)
    )
    c.history.append(
        {
            "AlarmName": alarm["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(t_created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{alarm["AlarmName"]}" created',
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "type": "Create",
                    "createdAlarm": {
                        "alarmName": alarm["AlarmName"],
                        "metricName": "glue.driver.aggregate.elapsedTime",
                        "namespace": "Glue",
                        "threshold": threshold_ms,
                        "period": 300,
                        "evaluationPeriods": 1,
                        "comparisonOperator": "GreaterThanThreshold",
                        "statistic": "Maximum",
                    },
                }
            ),
        }
    )
    c.ct(
        t_created,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        c.sso_identity(author, t_created),
        {
            "alarmName": alarm["AlarmName"],
            "alarmDescription": alarm["AlarmDescription"],
            "actionsEnabled": True,
            "alarmActions": [c.sns],
            "oKActions": [c.sns],
            "metricName": "glue.driver.aggregate.elapsedTime",
            "namespace": "Glue",
            "statistic": "Maximum",
            "dimensions": [{"name": k, "value": v} for k, v in dc.items()],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": threshold_ms,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
        agent="AWS Internal",
    )
    c.transition(
        alarm,
        fired,
        "ALARM",
        "OK",
        f"Threshold Crossed: 1 out of the last 1 datapoints [{threshold_ms + 60000 * r.randint(1, 4):.1f} ({(fired - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:%S')})] was greater than the threshold ({threshold_ms:.1f}) (minimum 1 datapoint for OK -> ALARM transition).",
    )

    # --- the rest of the night -----------------------------------------------------------------------
    t = c.start + timedelta(minutes=r.randint(3, 9))
    while t + timedelta(minutes=12) < c.now:
        run = lake.job_run("orders_raw_to_curated", t, r.randint(180, 320), trigger="orders-hourly")
        lake.glue_run_telemetry(run, True, 40_000, 80 * 1024**2)
        c.ct(
            t,
            "glue.amazonaws.com",
            "StartJobRun",
            c.role_identity("AWSServiceRoleForGlue", "GlueTrigger", t, "glue.amazonaws.com"),
            {"jobName": "orders_raw_to_curated"},
            {"jobRunId": run["Id"]},
        )
        t += timedelta(hours=1)
    tc = t_job - timedelta(minutes=r.randint(50, 58))
    run = lake.job_run("customers_dedupe", tc, r.randint(900, 1300), trigger="nightly-customers")
    lake.glue_run_telemetry(run, True, 2_000_000, 3 * 1024**3)
    c.ct(
        tc,
        "glue.amazonaws.com",
        "StartJobRun",
        c.role_identity("AWSServiceRoleForGlue", "GlueTrigger", tc, "glue.amazonaws.com"),
        {"jobName": "customers_dedupe"},
        {"jobRunId": run["Id"]},
    )
    lc = c.alarm(
        "lake-raw-4xx",
        "AWS/S3",
        "4xxErrors",
        {"BucketName": lake.raw, "FilterId": "EntireBucket"},
        "Sum",
        300,
        1,
        50.0,
        "GreaterThanThreshold",
        "raw bucket client errors",
    )
    tl = c.start + timedelta(minutes=r.randint(20, 90))
    c.transition(
        lc,
        tl,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [63.0] was greater than the threshold (50.0).",
    )
    c.transition(
        lc,
        tl + timedelta(minutes=5),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [4.0] was not greater than the threshold (50.0).",
    )
    for t in c.steps(60):
        if t > c.now:
            break
        spike = tl - timedelta(minutes=5) <= t < tl
        c.metric(
            "AWS/S3",
            "4xxErrors",
            {"BucketName": lake.raw, "FilterId": "EntireBucket"},
            t,
            "Count",
            r.randint(10, 16) if spike else r.randint(0, 2),
        )
        c.metric(
            "AWS/S3",
            "AllRequests",
            {"BucketName": lake.raw, "FilterId": "EntireBucket"},
            t,
            "Count",
            r.randint(300, 2400),
        )
    athena_metrics(c)
    tooling_noise(c, lake, r.randint(35, 50))

    tz = {
        "eu-west-1": "Europe/London",
        "us-east-1": "Europe/London",
        "us-west-2": "Europe/Amsterdam",
        "eu-central-1": "Europe/Berlin",
    }[c.region]
    local = fired.astimezone(ZoneInfo(tz))
    q = (
        f"Got paged at {local.hour}:{local.minute:02d} for orders-full-reload-long-running. The reload has been going for "
        "ages - is the Glue job stuck? Monday's sales reports are built on it, should I kill it and rerun?"
    )
    trigger = {
        "question": q,
        "timezone": tz,
        "alarm_event": c.alarm_event(
            alarm,
            fired,
            alarm["StateReason"],
            {
                "version": "1.0",
                "queryDate": iso(fired),
                "statistic": "Maximum",
                "period": 300,
                "threshold": threshold_ms,
            },
        ),
    }
    return c.bundle(TITLE, trigger, {"no_fault": True, "actions": [], "chain": []})
