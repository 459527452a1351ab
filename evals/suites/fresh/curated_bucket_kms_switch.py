"""Hourly orders refresh fails after the curated lake bucket's default encryption was switched to a new CMK."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzl import (
    Ctx,
    Lake,
    athena_metrics,
    iso,
    parse,
    sfn_execution,
    sfn_machine,
    tooling_noise,
)

NAME = "orders-hourly-refresh-fails-lake-write-denied"
TITLE = "orders-hourly-refresh failed-executions alarm mid-shift; Glue job dies writing to the lake"
SUMMARY = (
    "An engineer switched the curated bucket's default encryption to a new customer-managed KMS key; the Glue "
    "role has no kms:GenerateDataKey on it, so every orders write is denied and the hourly pipeline fails."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    lake = Lake(c)
    lake.base_resources()
    job = "orders_raw_to_curated"
    lake.glue_job(job, r.choice([5, 10]))
    lake.glue_job(
        "clickstream_sessionize", 20, "G.2X", modified=c.onset - timedelta(minutes=r.randint(35, 70))
    )
    lake.glue_job("inventory_snapshot", 10)
    sm_name = "orders-hourly-refresh"
    sfn_arn = f"arn:aws:iam::{c.account}:role/service-role/{lake.sfn_role}"
    definition = {
        "Comment": "Hourly: raw orders -> curated parquet, then refresh partitions",
        "StartAt": "CurateOrders",
        "States": {
            "CurateOrders": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": job},
                "Retry": [
                    {
                        "ErrorEquals": ["Glue.ConcurrentRunsExceededException"],
                        "MaxAttempts": 2,
                        "IntervalSeconds": 60,
                    }
                ],
                "Next": "RepairPartitions",
            },
            "RepairPartitions": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {
                    "QueryString": "MSCK REPAIR TABLE lake_curated.orders",
                    "WorkGroup": "analytics",
                },
                "End": True,
            },
        },
    }
    sm = sfn_machine(c, sm_name, definition, sfn_arn)
    smarn = sm["stateMachineArn"]

    key_id = c.uuid()
    key_arn = c.arn("kms", f"key/{key_id}")
    engineer = r.choice(["marta.lindqvist", "dev.raghavan", "sam.okafor"])
    t_key = c.onset - timedelta(minutes=r.randint(14, 22))
    t_enc = c.onset - timedelta(minutes=r.randint(2, 9))

    # --- the hourly pipeline --------------------------------------------------------------------
    alarm = c.alarm(
        f"{sm_name}-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": smarn},
        "Sum",
        300,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "orders-hourly-refresh failed. Runbook: https://wiki.internal/data/runbooks/orders-hourly",
        "notBreaching",
    )
    minute = r.randint(2, 8)
    t = c.start.replace(minute=minute)
    fired = None
    evt_ident_role = f"Amazon_EventBridge_Invoke_Step_Functions_{r.randint(1000000, 9999999)}"
    while t <= c.now:
        broken = t > t_enc
        dur = r.randint(330, 520)
        ev = c.role_identity(evt_ident_role, c.hexid(32), t, "events.amazonaws.com")
        c.ct(t, "states.amazonaws.com", "StartExecution", ev, {"stateMachineArn": smarn}, None)
        sid = c.role_identity(lake.sfn_role, c.hexid(32), t, "states.amazonaws.com")
        jr_start = t + timedelta(seconds=r.randint(1, 3))
        if broken:
            jdur = r.randint(95, 160)
            err = (
                "An error occurred while calling o187.pyWriteDynamicFrame. User: "
                f"arn:aws:sts::{c.account}:assumed-role/{lake.glue_role}/GlueJobRunnerSession is not authorized to "
                f"perform: kms:GenerateDataKey on resource: {key_arn} because no identity-based policy allows the "
                f"kms:GenerateDataKey action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; "
                f"Request ID: {c.upper(16)}; S3 Extended Request ID: {c.hexid(40)}; Proxy: null)"
            )
            run = lake.job_run(job, jr_start, jdur, "FAILED", err)
            lake.glue_run_telemetry(run, False, 0, 0)
            stop = jr_start + timedelta(seconds=jdur + r.randint(5, 20))
            cause = json.dumps(
                {
                    "AllocatedCapacity": run["NumberOfWorkers"],
                    "ErrorMessage": err,
                    "Id": run["Id"],
                    "JobName": job,
                    "JobRunState": "FAILED",
                    "StartedOn": run["StartedOn"],
                }
            )
            if stop <= c.now:
                sfn_execution(c, sm, t, stop, "FAILED", "States.TaskFailed", cause)
                if fired is None:
                    fired = stop.replace(second=0) + timedelta(minutes=5, seconds=r.randint(5, 40))
            else:
                sfn_execution(c, sm, t, None, "RUNNING")
            grp, stream = "/aws-glue/jobs/error", run["Id"]
            ts = jr_start + timedelta(seconds=jdur - 8)
            stamp = ts.strftime("%Y-%m-%d %H:%M:%S")
            c.log(
                grp,
                stream,
                ts,
                f"{stamp},412 ERROR [main] glue.ProcessLauncher (Logging.scala:logError(94)): Error from Python:Traceback "
                '(most recent call last):\n  File "/tmp/orders_raw_to_curated.py", line 88, in <module>\n    '
                "glueContext.write_dynamic_frame.from_options(\n"
                '  File "/opt/amazon/lib/python3.10/site-packages/awsglue/context.py", line 360, in write_dynamic_frame_from_options\n'
                f"py4j.protocol.Py4JJavaError: {err}",
            )
            c.log(
                grp,
                stream,
                ts - timedelta(seconds=3),
                f"{stamp},101 WARN [Executor task launch worker for task 3.0 in stage 4.0 (TID 61)] "
                "s3n.MultipartUploadOutputStream (MultipartUploadOutputStream.java:uploadSinglePart(434)): "
                f"Failed to upload part: com.amazonaws.services.s3.model.AmazonS3Exception: User: arn:aws:sts::{c.account}:"
                f"assumed-role/{lake.glue_role}/GlueJobRunnerSession is not authorized to perform: kms:GenerateDataKey on "
                f"resource: {key_arn}",
            )
            kms_t = jr_start + timedelta(seconds=jdur - 12)
            gident = c.role_identity(lake.glue_role, "GlueJobRunnerSession", kms_t, "s3.amazonaws.com")
            for k in range(r.randint(1, 2)):
                c.ct(
                    kms_t + timedelta(seconds=k),
                    "kms.amazonaws.com",
                    "GenerateDataKey",
                    gident,
                    {
                        "keyId": key_arn,
                        "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{lake.curated}/orders/"},
                        "keySpec": "AES_256",
                    },
                    None,
                    True,
                    error=(
                        "AccessDenied",
                        f"User: arn:aws:sts::{c.account}:assumed-role/{lake.glue_role}/GlueJobRunnerSession is not "
                        f"authorized to perform: kms:GenerateDataKey on resource: {key_arn} because no identity-based "
                        "policy allows the kms:GenerateDataKey action",
                    ),
                    resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
                )
        else:
            run = lake.job_run(job, jr_start, dur - r.randint(30, 60))
            lake.glue_run_telemetry(run, True, r.randint(180_000, 420_000), r.randint(300, 900) * 1024**2)
            stop = t + timedelta(seconds=dur)
            if stop <= c.now:
                sfn_execution(c, sm, t, stop, "SUCCEEDED")
                c.metric(
                    "AWS/States",
                    "ExecutionsSucceeded",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Count",
                    1,
                )
                c.metric(
                    "AWS/States",
                    "ExecutionTime",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Milliseconds",
                    dur * 1000,
                )
        c.ct(jr_start, "glue.amazonaws.com", "StartJobRun", sid, {"jobName": job}, {"jobRunId": run["Id"]})
        for k in range(1, 4):
            c.ct(
                jr_start + timedelta(seconds=60 * k + r.randint(0, 20)),
                "glue.amazonaws.com",
                "GetJobRun",
                sid,
                {"jobName": job, "runId": run["Id"], "predecessorsIncluded": False},
                None,
                True,
            )
        c.metric(
            "AWS/States", "ExecutionsStarted", {"StateMachineArn": smarn}, t.replace(second=0), "Count", 1
        )
        if broken:
            stop = parse(run["StartedOn"]) + timedelta(seconds=jdur + 10)
            if stop <= c.now:
                c.metric(
                    "AWS/States",
                    "ExecutionsFailed",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Count",
                    1,
                )
        t += timedelta(hours=1)
    assert fired is not None
    c.transition(
        alarm,
        fired,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [1.0 ("
        + (fired - timedelta(minutes=5)).strftime("%d/%m/%y %H:%M:%S")
        + ")] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
    )

    # --- the other Glue jobs: clickstream (edited before the onset, healthy), inventory (every 3 h) ---------
    for name, every, mins, rows in (
        ("clickstream_sessionize", 2, (900, 1500), 9_000_000),
        ("inventory_snapshot", 3, (400, 700), 1_200_000),
    ):
        t = c.start + timedelta(minutes=r.randint(10, 50))
        while t + timedelta(seconds=mins[1]) < c.now:
            run = lake.job_run(name, t, r.randint(*mins), trigger=f"{name}-schedule")
            lake.glue_run_telemetry(run, True, rows, rows * 220)
            c.ct(
                t,
                "glue.amazonaws.com",
                "StartJobRun",
                c.role_identity("AWSServiceRoleForGlue", "GlueTrigger", t, "glue.amazonaws.com"),
                {"jobName": name},
                {"jobRunId": run["Id"]},
            )
            t += timedelta(hours=every)

    # --- changes: the culprit and innocent ones ----------------------------------------------------
    eng = c.sso_identity(engineer, t_key)
    console = "AWS Internal"
    c.ct(
        t_key,
        "kms.amazonaws.com",
        "CreateKey",
        eng,
        {
            "policy": "***",
            "description": "Curated lake default encryption (SEC-2291)",
            "keyUsage": "ENCRYPT_DECRYPT",
            "keySpec": "SYMMETRIC_DEFAULT",
            "bypassPolicyLockoutSafetyCheck": False,
        },
        {
            "keyMetadata": {
                "aWSAccountId": c.account,
                "keyId": key_id,
                "arn": key_arn,
                "creationDate": t_key.strftime("%b %d, %Y, %I:%M:%S %p"),
                "enabled": True,
                "description": "Curated lake default encryption (SEC-2291)",
                "keyUsage": "ENCRYPT_DECRYPT",
                "keyState": "Enabled",
                "origin": "AWS_KMS",
                "keyManager": "CUSTOMER",
                "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "keySpec": "SYMMETRIC_DEFAULT",
                "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "multiRegion": False,
            }
        },
        agent=console,
        resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    c.ct(
        t_key + timedelta(seconds=31),
        "kms.amazonaws.com",
        "CreateAlias",
        eng,
        {"aliasName": "alias/lake-curated", "targetKeyId": key_id},
        None,
        agent=console,
    )
    culprit = c.ct(
        t_enc,
        "s3.amazonaws.com",
        "PutBucketEncryption",
        eng,
        {
            "bucketName": lake.curated,
            "Host": f"{lake.curated}.s3.{c.region}.amazonaws.com",
            "encryption": "",
            "ServerSideEncryptionConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                },
            },
        },
        None,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750]",
        resources=[
            {"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{lake.curated}"}
        ],
    )
    t_cs = parse(lake.jobs["clickstream_sessionize"]["LastModifiedOn"])
    c.ct(
        t_cs,
        "glue.amazonaws.com",
        "UpdateJob",
        c.role_identity("gitlab-deploy-data", f"gitlab-{r.randint(100000, 999999)}", t_cs),
        {
            "jobName": "clickstream_sessionize",
            "jobUpdate": {
                "role": lake.glue_role,
                "command": {
                    "name": "glueetl",
                    "scriptLocation": f"s3://{lake.assets}/scripts/clickstream_sessionize.py",
                },
                "workerType": "G.2X",
                "numberOfWorkers": 20,
            },
        },
        {"jobName": "clickstream_sessionize"},
        agent="Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8",
    )
    t_lc = c.start + timedelta(minutes=r.randint(40, 120))
    c.ct(
        t_lc,
        "s3.amazonaws.com",
        "PutBucketLifecycleConfiguration",
        c.sso_identity(r.choice(["priya.n", "tomasz.k"]), t_lc),
        {"bucketName": lake.raw, "Host": f"{lake.raw}.s3.{c.region}.amazonaws.com", "lifecycle": ""},
        None,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750]",
    )
    t_wg = c.onset - timedelta(minutes=r.randint(60, 140))
    c.ct(
        t_wg,
        "athena.amazonaws.com",
        "UpdateWorkGroup",
        c.role_identity("terraform-apply", f"gitlab-{r.randint(100000, 999999)}", t_wg),
        {"workGroup": "analytics", "configurationUpdates": {"bytesScannedCutoffPerQuery": 214748364800}},
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
    )
    c.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": c.account,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": iso(t_key),
            "Enabled": True,
            "Description": "Curated lake default encryption (SEC-2291)",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    c.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": lake.glue_role,
            "PolicyName": "lake-rw",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                        "Resource": [
                            f"arn:aws:s3:::{lake.raw}",
                            f"arn:aws:s3:::{lake.raw}/*",
                            f"arn:aws:s3:::{lake.curated}",
                            f"arn:aws:s3:::{lake.curated}/*",
                            f"arn:aws:s3:::{lake.assets}/*",
                        ],
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["glue:*Table*", "glue:*Partition*", "glue:GetDatabase"],
                        "Resource": "*",
                    },
                ],
            },
        },
    )
    c.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": lake.glue_role,
            "PolicyName": "AWSGlueServiceRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole",
        },
    )

    # --- other alarms: a flapping Athena failed-queries alarm and a quiet inventory one -----------------
    fa = c.alarm(
        "athena-analytics-failed-queries",
        "AWS/Athena",
        "TotalExecutionTime",
        {"WorkGroup": "analytics", "QueryState": "FAILED", "QueryType": "DML"},
        "SampleCount",
        300,
        1,
        3.0,
        "GreaterThanOrEqualToThreshold",
        "Analysts' failing queries",
    )
    tf = c.start + timedelta(minutes=r.randint(30, 90))
    c.transition(
        fa,
        tf,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [3.0] was greater than or equal to the threshold (3.0).",
    )
    c.transition(
        fa,
        tf + timedelta(minutes=5),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than or equal to the threshold (3.0).",
    )
    c.alarm(
        "inventory-snapshot-failed-tasks",
        "Glue",
        "glue.driver.aggregate.numFailedTasks",
        {"JobName": "inventory_snapshot", "JobRunId": "ALL", "Type": "count"},
        "Sum",
        300,
        1,
        5.0,
        "GreaterThanOrEqualToThreshold",
        "inventory snapshot tasks failing",
        "notBreaching",
    )
    athena_metrics(c)
    tooling_noise(c, lake, r.randint(45, 70))

    trigger = {
        "question": None,
        "alarm_event": c.alarm_event(
            alarm,
            fired,
            alarm["StateReason"],
            {
                "version": "1.0",
                "queryDate": iso(fired),
                "statistic": "Sum",
                "period": 300,
                "threshold": 1.0,
                "recentDatapoints": [1.0],
            },
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": lake.curated,
            "category": "change",
            "failure_mode": "bucket-default-encryption-switched-to-cmk",
            "event_id": culprit["eventID"],
        },
        "also_accept": [f"arn:aws:s3:::{lake.curated}", key_arn, key_id, "alias/lake-curated"],
        "actions": ["rollback", "reconfigure"],
        "chain": [lake.curated, key_arn, job, smarn],
    }
    return c.bundle(TITLE, trigger, truth)
