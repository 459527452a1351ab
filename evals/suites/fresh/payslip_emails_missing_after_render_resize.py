"""Payslip emails missing for today's run: the PDF renderer's memory was cut by a cost right-sizing apply."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzu as k

NAME = "payslip-emails-missing-after-render-resize"
TITLE = "Employees not getting payslip emails for today's payroll run; is SES down?"
SUMMARY = (
    "A Terraform right-sizing apply cut payslip-pdf-render from 2048 MB to 512 MB; headless Chromium is "
    "killed at the memory ceiling on the afternoon payroll batch, jobs retry into the DLQ and no payslip "
    "emails go out."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = k.Account(rng)
    onset = k.day(rng, [24, 25, 26, 27, 28], 12, rng.randint(0, 25))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 30))
    now = onset + timedelta(minutes=rng.randint(50, 75))
    end = now + timedelta(minutes=10)
    change = onset - timedelta(minutes=rng.randint(70, 110))
    old_mem, new_mem = 2048, 512
    fn = k.PDF_FN

    # --- resources ---------------------------------------------------------------------------------
    ids = k.instances(acct, 3, start - timedelta(days=12))
    k.asg(acct, ids, 3, 6, 3, start - timedelta(days=400))
    k.ecs_cluster(acct, 3, 9)
    tasks = [k.hexid(rng, 32) for _ in range(3)]
    k.ecs_service(acct, "hr-web", 212, 3, 3, start + timedelta(minutes=30), k.TG["hr-web"], [])
    k.ecs_service(acct, "payroll-api", 388, 2, 2, start - timedelta(days=2), k.TG["payroll-api"], [])
    k.ecs_service(acct, "payroll-worker", 141, 2, 2, start - timedelta(days=6), None, [])
    k.alb_and_tgs(acct)
    k.rds(acct)
    k.bucket_and_queue(acct)
    k.pdf_lambda(acct, new_mem, change)
    acct.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "timesheet-reminder",
            "FunctionArn": f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:timesheet-reminder",
            "Runtime": "dotnet8",
            "Role": f"arn:aws:iam::{k.ACCOUNT}:role/timesheet-reminder-role",
            "Handler": "Staffwise.Reminders::Staffwise.Reminders.Function::Handle",
            "CodeSize": 2318840,
            "Timeout": 60,
            "MemorySize": 256,
            "LastModified": change.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
        },
    )
    acct.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uid(rng),
            "BatchSize": 1,
            "EventSourceArn": f"arn:aws:sqs:{k.REGION}:{k.ACCOUNT}:payslip-render-queue",
            "FunctionArn": f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:{fn}",
            "State": "Enabled",
            "ScalingConfig": {"MaximumConcurrency": 40},
        },
    )
    acct.res(
        "logs",
        "LogGroup",
        {"logGroupName": f"/aws/lambda/{fn}", "retentionInDays": 30, "storedBytes": 8123456789},
    )

    # --- cloudtrail: the right-sizing apply (two functions) and everything else ----------------------
    tf = k.TERRAFORM
    acct.ct(
        change - timedelta(seconds=9),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {"functionName": "timesheet-reminder", "memorySize": 256},
        {
            "functionName": "timesheet-reminder",
            "functionArn": f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:timesheet-reminder",
            "runtime": "dotnet8",
            "memorySize": 256,
            "timeout": 60,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=k.TF_AGENT,
    )
    culprit = acct.ct(
        change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {"functionName": fn, "memorySize": new_mem},
        {
            "functionName": fn,
            "functionArn": f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:{fn}",
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{k.ACCOUNT}:role/payslip-pdf-render-role",
            "handler": "index.handler",
            "codeSize": 61829034,
            "timeout": 120,
            "memorySize": new_mem,
            "lastModified": change.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "architectures": ["x86_64"],
            "ephemeralStorage": {"size": 1024},
        },
        agent=k.TF_AGENT,
    )
    for i, name in enumerate(("GetFunction20150331v2", "ListTags20170331", "GetFunctionCodeSigningConfig")):
        acct.ct(
            change + timedelta(seconds=3 + i),
            "lambda.amazonaws.com",
            name,
            tf,
            {"functionName": fn}
            if name != "ListTags20170331"
            else {"resource": f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:{fn}"},
            None,
            True,
            agent=k.TF_AGENT,
        )
    k.background_changes(acct, start, onset)
    acct.ct(
        onset - timedelta(minutes=rng.randint(8, 20)),
        "ses.amazonaws.com",
        "PutConfigurationSetDeliveryOptions",
        k.sso("tom.okafor@staffwise.co.uk"),
        {"configurationSetName": "payslip-notifications", "tlsPolicy": "REQUIRE"},
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.664 console",
    )
    k.readonly_noise(acct, start, end)
    acct.ct(
        onset - timedelta(minutes=2),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        k.sso("dan.whitfield@staffwise.co.uk", "AWSReservedSSO_ReadOnly_8c41f7a02be3d951"),
        {
            "queueUrl": f"https://sqs.{k.REGION}.amazonaws.com/{k.ACCOUNT}/payslip-render-queue",
            "attributeNames": ["All"],
        },
        None,
        True,
        agent="aws-internal/3 aws-sdk-java/1.12.664 console",
    )

    # --- metrics ----------------------------------------------------------------------------------
    k.web_traffic(acct, start, end)
    batch = rng.randint(2400, 5200)
    burst_end = onset + timedelta(minutes=35)

    def invocations(t: datetime) -> float | None:
        if onset <= t < burst_end:
            base = batch / 35
            if t >= change:
                base = base * 1.9  # retries of failed jobs
            return base * rng.uniform(0.85, 1.15)
        if t >= burst_end:
            return rng.uniform(40, 90)  # retries keep coming back after the visibility timeout
        return float(rng.randint(0, 4)) if rng.random() < 0.55 else None

    inv: dict[str, float] = {}

    def inv_cache(t: datetime) -> float | None:
        v = invocations(t)
        if v is not None:
            inv[k.iso(t)] = round(v)
        return v

    lam = {"FunctionName": fn}
    acct.series("AWS/Lambda", "Invocations", lam, "Count", start, end, inv_cache, integer=True)

    def errors(t: datetime) -> float | None:
        n = inv.get(k.iso(t))
        if n is None:
            return None
        if t < change:
            return 0.0
        if t < onset:
            return float(round(n * 0.5))  # the few large ad-hoc re-renders fail
        return float(round(n * rng.uniform(0.9, 0.97)))

    acct.series("AWS/Lambda", "Errors", lam, "Count", start, end, errors, integer=True)
    acct.series(
        "AWS/Lambda",
        "Duration",
        lam,
        "Milliseconds",
        start,
        end,
        lambda t: (
            None
            if k.iso(t) not in inv
            else (rng.uniform(3400, 6200) if t < change else rng.uniform(9000, 21000))
        ),
    )
    acct.series(
        "AWS/Lambda", "Throttles", lam, "Count", start, end, lambda t: 0.0 if k.iso(t) in inv else None
    )
    acct.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        lam,
        "Count",
        start,
        end,
        lambda t: (
            None if k.iso(t) not in inv else (40.0 if onset <= t < burst_end else float(rng.randint(1, 3)))
        ),
    )
    q = {"QueueName": "payslip-render-queue"}
    acct.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        q,
        "Count",
        start,
        end,
        lambda t: (
            0.0
            if t < onset
            else batch * max(0.15, 1 - (t - onset).total_seconds() / 5400) * rng.uniform(0.95, 1.05)
        ),
        integer=True,
    )
    acct.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        "Seconds",
        start,
        end,
        lambda t: rng.uniform(0, 20) if t < onset else (t - onset).total_seconds(),
        integer=True,
    )
    dlq = {"QueueName": "payslip-render-dlq"}
    acct.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dlq,
        "Count",
        start,
        end,
        lambda t: (
            (3.0 if t >= change + timedelta(minutes=20) else 0.0)
            if t < onset + timedelta(minutes=14)
            else 3 + batch * 0.8 * min(1.0, (t - onset - timedelta(minutes=14)).total_seconds() / 3600)
        ),
        integer=True,
    )

    def ses_send(t: datetime) -> float | None:
        n = inv.get(k.iso(t))
        if n is None:
            return None
        if t < change:
            return float(n)
        return float(round(n * rng.uniform(0.02, 0.08)))

    acct.series("AWS/SES", "Send", {}, "Count", start, end, ses_send, integer=True)
    acct.series("AWS/SES", "Delivery", {}, "Count", start, end, ses_send, integer=True)

    # --- logs -------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    stream_n = 0
    t = start + timedelta(minutes=3)
    while t < now:
        busy = onset <= t < burst_end
        stream = f"{t:%Y/%m/%d}/[$LATEST]{k.hexid(rng, 32)}"
        stream_n += 1
        rid = k.uid(rng)
        emp = rng.randint(10000, 99999)
        tenant = rng.choice(
            ["acme-logistics", "brightwell-care", "northmoor-dental", "kestrel-build", "orla-retail"]
        )
        big = rng.random() < 0.3
        if t < change:
            mem_used = rng.randint(640, 930)
            dur = rng.uniform(3300, 6100)
            acct.log(grp, stream, t, f"START RequestId: {rid} Version: $LATEST")
            acct.log(
                grp,
                stream,
                t + timedelta(milliseconds=40),
                f"{k.iso(t)[:-1]}.041Z\t{rid}\tINFO\trendering payslip tenant={tenant} employee={emp} period={t:%Y-%m} pages={2 if big else 1}",
            )
            acct.log(
                grp,
                stream,
                t + timedelta(milliseconds=int(dur) - 80),
                f"{k.iso(t)[:-1]}.912Z\t{rid}\tINFO\tuploaded s3://{k.BUCKET}/{tenant}/payslips/{t:%Y-%m}/{emp}.pdf; notification queued",
            )
            acct.log(grp, stream, t + timedelta(milliseconds=int(dur)), f"END RequestId: {rid}")
            acct.log(
                grp,
                stream,
                t + timedelta(milliseconds=int(dur) + 1),
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {old_mem} MB\tMax Memory Used: {mem_used} MB",
            )
        else:
            fails = busy or t >= burst_end or big
            dur = rng.uniform(8000, 21000) if fails else rng.uniform(3900, 6900)
            if fails or rng.random() < 0.3:
                acct.log(
                    grp,
                    stream,
                    t,
                    f"INIT_START Runtime Version: nodejs:20.v27\tRuntime Version ARN: arn:aws:lambda:{k.REGION}::runtime:0cdcfd4e8f8e8c12e5a6b6d3c2f0a8b9d1e4c7f2a3b6d9e0f1a2b3c4d5e6f7a8",
                )
            acct.log(grp, stream, t + timedelta(milliseconds=900), f"START RequestId: {rid} Version: $LATEST")
            acct.log(
                grp,
                stream,
                t + timedelta(milliseconds=940),
                f"{k.iso(t)[:-1]}.941Z\t{rid}\tINFO\trendering payslip tenant={tenant} employee={emp} period={t:%Y-%m} pages={2 if big else 1}",
            )
            if fails:
                acct.log(
                    grp,
                    stream,
                    t + timedelta(milliseconds=int(dur)),
                    f'{k.iso(t)[:-1]}.512Z\t{rid}\tERROR\tUncaught Exception \t{{"errorType":"ProtocolError","errorMessage":"Protocol error (Page.printToPDF): Target closed","stack":["ProtocolError: Protocol error (Page.printToPDF): Target closed","    at CallbackRegistry.clear (/opt/nodejs/node_modules/puppeteer-core/lib/cjs/puppeteer/common/CallbackRegistry.js:81:36)"]}}',
                )
                acct.log(grp, stream, t + timedelta(milliseconds=int(dur) + 60), f"END RequestId: {rid}")
                acct.log(
                    grp,
                    stream,
                    t + timedelta(milliseconds=int(dur) + 61),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {new_mem} MB\tMax Memory Used: {new_mem} MB\tInit Duration: {rng.uniform(780, 990):.2f} ms\tStatus: error\tError Type: Runtime.ExitError",
                )
                acct.log(
                    grp,
                    stream,
                    t + timedelta(milliseconds=int(dur) + 62),
                    f"RequestId: {rid} Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
                )
            else:
                acct.log(
                    grp,
                    stream,
                    t + timedelta(milliseconds=int(dur) - 80),
                    f"{k.iso(t)[:-1]}.912Z\t{rid}\tINFO\tuploaded s3://{k.BUCKET}/{tenant}/payslips/{t:%Y-%m}/{emp}.pdf; notification queued",
                )
                acct.log(grp, stream, t + timedelta(milliseconds=int(dur)), f"END RequestId: {rid}")
                acct.log(
                    grp,
                    stream,
                    t + timedelta(milliseconds=int(dur) + 1),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: {new_mem} MB\tMax Memory Used: {rng.randint(480, 511)} MB\tInit Duration: {rng.uniform(780, 990):.2f} ms",
                )
        t += timedelta(seconds=rng.randint(20, 50) if busy else rng.randint(300, 900))
    k.web_logs(acct, start, now, tasks)
    t = onset + timedelta(minutes=rng.randint(1, 3))
    acct.log(
        "/ecs/payroll-worker",
        f"payroll-worker/payroll-worker/{k.hexid(rng, 32)}",
        t,
        f"info: Staffwise.Payroll.Worker.PayslipDispatch[0]\n      Payroll run {rng.randint(40000, 49999)} approved: enqueued {batch} payslip render jobs to payslip-render-queue",
    )

    # --- alarms -----------------------------------------------------------------------------------
    dlq_alarm = acct.alarm(
        "payslip-render-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dlq,
        "Maximum",
        10,
        "GreaterThanThreshold",
        1,
        "ALARM",
        onset + timedelta(minutes=16),
        "Threshold Crossed: 1 out of the last 1 datapoints ["
        + f"{round(3 + batch * 0.8 / 60 * 2)}.0 ("
        + (onset + timedelta(minutes=15)).strftime("%d/%m/%y %H:%M:%S")
        + ")] was greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition).",
        "Payslip render jobs are dead-lettering",
        period=300,
    )
    acct.transition(dlq_alarm, onset + timedelta(minutes=16), "OK", "ALARM", dlq_alarm["StateReason"])
    err_alarm = acct.alarm(
        "hr-web-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": k.TG["hr-web"], "LoadBalancer": k.ALB_DIM},
        "Sum",
        25,
        "GreaterThanThreshold",
        3,
        "OK",
        start + timedelta(minutes=rng.randint(20, 60)),
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
        missing="notBreaching",
    )
    acct.transition(
        err_alarm,
        start + timedelta(minutes=5),
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (25.0).",
    )
    acct.transition(err_alarm, start + timedelta(minutes=40), "ALARM", "OK", err_alarm["StateReason"])
    acct.alarm(
        "staffwise-sql-prod-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": k.DB},
        "Average",
        80,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=3),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0).",
        period=300,
    )
    acct.alarm(
        "payslip-render-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        "Maximum",
        7200,
        "GreaterThanThreshold",
        2,
        "OK",
        start - timedelta(days=1),
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (7200.0).",
        period=300,
    )

    question = (
        f"Payroll ops say employees at several clients haven't had their payslip emails for today's run; "
        f"the run was approved around {k.clock(onset)}. Is SES down or have we been throttled?"
    )
    return acct.bundle(
        TITLE,
        start,
        end,
        now,
        {"question": question, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": fn,
                "category": "change",
                "failure_mode": "lambda-memory-reduced-oom",
                "event_id": culprit,
            },
            "also_accept": [f"arn:aws:lambda:{k.REGION}:{k.ACCOUNT}:function:{fn}"],
            "actions": ["rollback", "reconfigure"],
            "chain": [fn, "payslip-render-queue", "payslip-render-dlq", "SES payslip notifications"],
        },
    )
