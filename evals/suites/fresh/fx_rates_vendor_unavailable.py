"""FX rates pipeline fails because the third-party rates API starts answering 503 and timing out."""

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

NAME = "fx-rates-pipeline-failing-lambda-errors"
TITLE = "fx-rates-refresh failures paging; finance's EUR figures stuck"
SUMMARY = (
    "The external FX rates provider began answering 503 and timing out; fx-rates-fetch fails every attempt and "
    "the 15-minute rates pipeline fails, so the curated rates table stops advancing."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, (8, 15))
    r = c.rng
    lake = Lake(c)
    lake.base_resources()
    vendor = r.choice(["api.ratefeed.io", "api.fxquotehub.com", "rates.currencylayerpro.net"])
    fn = "fx-rates-fetch"
    fn_arn = c.arn("lambda", f"function:{fn}")
    role = f"{c.prefix}-fx-rates-fetch-role"
    lake.glue_job("fx_rates_curate", 2)
    lake.glue_job("orders_raw_to_curated", 10)
    lake.glue_job("revenue_daily_rollup", 10)
    t_deploy = c.start + timedelta(minutes=r.randint(40, 90))
    code_sha = f"{c.hexid(43)}="
    c.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{c.account}:role/{role}",
            "Handler": "handler.handler",
            "CodeSize": r.randint(900_000, 1_400_000),
            "Description": "Pulls latest FX rates from the rates vendor into the raw zone",
            "Timeout": 30,
            "MemorySize": 256,
            "LastModified": t_deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": code_sha,
            "Version": "$LATEST",
            "Environment": {
                "Variables": {
                    "RATES_BASE_URL": f"https://{vendor}/v3",
                    "RATES_API_KEY_SECRET": "fx/vendor-api-key",
                    "RAW_BUCKET": lake.raw,
                    "HTTP_TIMEOUT_SECONDS": "10",
                }
            },
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": c.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        },
    )
    other_fn = "orders-export-partner"
    t_other = c.onset - timedelta(minutes=r.randint(6, 18))
    c.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": other_fn,
            "FunctionArn": c.arn("lambda", f"function:{other_fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{c.account}:role/{c.prefix}-orders-export-role",
            "Handler": "app.main",
            "CodeSize": r.randint(2_000_000, 3_000_000),
            "Timeout": 120,
            "MemorySize": 512,
            "LastModified": t_other.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": f"{c.hexid(43)}=",
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
        },
    )

    sm_name = "fx-rates-refresh"
    definition = {
        "Comment": "Every 15 min: fetch vendor FX rates, curate to parquet",
        "StartAt": "FetchRates",
        "States": {
            "FetchRates": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn_arn, "Payload.$": "$"},
                "Retry": [
                    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2}
                ],
                "Next": "CurateRates",
            },
            "CurateRates": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "fx_rates_curate"},
                "End": True,
            },
        },
    }
    sm = sfn_machine(c, sm_name, definition, f"arn:aws:iam::{c.account}:role/service-role/{lake.sfn_role}")
    smarn = sm["stateMachineArn"]
    a_sfn = c.alarm(
        f"{sm_name}-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": smarn},
        "Sum",
        900,
        2,
        1.0,
        "GreaterThanOrEqualToThreshold",
        "FX rates refresh failing: finance EUR reporting goes stale",
        "notBreaching",
    )
    a_fn = c.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        300,
        1,
        4.0,
        "GreaterThanOrEqualToThreshold",
        "fx-rates-fetch errors (retries included)",
        "notBreaching",
    )

    group = f"/aws/lambda/{fn}"
    ev_role = f"Amazon_EventBridge_Invoke_Step_Functions_{r.randint(1000000, 9999999)}"
    inv: dict[str, list[tuple[float, bool]]] = {}
    stream = f"{(c.start).strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}"
    t = c.start.replace(minute=r.choice([0, 1, 2]))
    failed_stops = []
    redeployed = False
    while t <= c.now:
        if (t >= t_deploy and not redeployed) or r.random() < 0.04:
            redeployed = redeployed or t >= t_deploy
            stream = f"{t.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}"
        broken = t >= c.onset
        c.ct(
            t,
            "states.amazonaws.com",
            "StartExecution",
            c.role_identity(ev_role, c.hexid(32), t, "events.amazonaws.com"),
            {"stateMachineArn": smarn},
            None,
        )
        c.metric("AWS/States", "ExecutionsStarted", {"StateMachineArn": smarn}, t, "Count", 1)
        attempts = 4 if broken else (2 if r.random() < 0.06 else 1)
        ta = t + timedelta(seconds=1)
        last_err = ""
        for k in range(attempts):
            rid = c.uuid()
            fail = broken or k < attempts - 1
            if not fail:
                dur = r.uniform(380, 900)
                c.log(group, stream, ta, f"START RequestId: {rid} Version: $LATEST")
                c.log(
                    group,
                    stream,
                    ta + timedelta(milliseconds=dur - 30),
                    f"[INFO]\t{iso(ta)[:-1]}.{r.randint(100, 999)}Z\t{rid}\tfetched {r.randint(160, 170)} rates base=USD asof={ta.strftime('%Y-%m-%dT%H:%M')}Z from {vendor} in {int(dur - 120)} ms",
                )
            elif broken and r.random() < 0.45:
                dur = r.uniform(10_050, 10_400)
                last_err = "ReadTimeout"
                c.log(group, stream, ta, f"START RequestId: {rid} Version: $LATEST")
                c.log(
                    group,
                    stream,
                    ta + timedelta(milliseconds=dur - 20),
                    f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{vendor}', port=443): Read timed out. (read timeout=10)\nTraceback (most recent call last):\n"
                    '  File "/var/task/handler.py", line 58, in handler\n    resp = session.get(f"{BASE}/latest", params={"base": "USD"}, timeout=TIMEOUT)\n'
                    '  File "/var/task/requests/sessions.py", line 602, in get\n    return self.request("GET", url, **kwargs)\n'
                    '  File "/var/task/requests/adapters.py", line 713, in send\n    raise ReadTimeout(e, request=request)',
                )
            else:
                code = 503 if broken else 429
                dur = r.uniform(150, 900)
                last_err = "HTTPError"
                reason = "Service Unavailable" if code == 503 else "Too Many Requests"
                c.log(group, stream, ta, f"START RequestId: {rid} Version: $LATEST")
                c.log(
                    group,
                    stream,
                    ta + timedelta(milliseconds=dur - 20),
                    f"[ERROR] HTTPError: {code} {'Server' if code == 503 else 'Client'} Error: {reason} for url: "
                    f"https://{vendor}/v3/latest?base=USD\n"
                    'Traceback (most recent call last):\n  File "/var/task/handler.py", line 61, in handler\n    resp.raise_for_status()\n'
                    '  File "/var/task/requests/models.py", line 1021, in raise_for_status\n    raise HTTPError(http_error_msg, response=self)',
                )
            c.log(group, stream, ta + timedelta(milliseconds=dur), f"END RequestId: {rid}")
            c.log(
                group,
                stream,
                ta + timedelta(milliseconds=dur + 1),
                f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {r.randint(78, 92)} MB",
            )
            inv.setdefault(iso(ta.replace(second=0)), []).append((dur, fail))
            ta += timedelta(milliseconds=dur) + timedelta(seconds=5 * 2**k if fail else 0)
        stop = ta + timedelta(seconds=1)
        if broken:
            if stop <= c.now:
                cause = json.dumps(
                    {
                        "errorMessage": f"503 Server Error: Service Unavailable for url: https://{vendor}/v3/latest?base=USD"
                        if last_err == "HTTPError"
                        else f"HTTPSConnectionPool(host='{vendor}', port=443): Read timed out. (read timeout=10)",
                        "errorType": last_err,
                        "requestId": c.uuid(),
                        "stackTrace": [
                            '  File "/var/task/handler.py", line 61, in handler\n    resp.raise_for_status()\n'
                        ],
                    }
                )
                sfn_execution(c, sm, t, stop, "FAILED", last_err, cause)
                c.metric(
                    "AWS/States",
                    "ExecutionsFailed",
                    {"StateMachineArn": smarn},
                    stop.replace(second=0),
                    "Count",
                    1,
                )
                failed_stops.append(stop)
            else:
                sfn_execution(c, sm, t, None, "RUNNING")
        else:
            secs = r.randint(70, 110)
            run = lake.job_run("fx_rates_curate", ta + timedelta(seconds=1), secs)
            lake.glue_run_telemetry(run, True, 170, 40_000)
            sid = c.role_identity(lake.sfn_role, c.hexid(32), ta, "states.amazonaws.com")
            c.ct(
                ta + timedelta(seconds=1),
                "glue.amazonaws.com",
                "StartJobRun",
                sid,
                {"jobName": "fx_rates_curate"},
                {"jobRunId": run["Id"]},
            )
            stop = ta + timedelta(seconds=secs + 9)
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
            else:
                sfn_execution(c, sm, t, None, "RUNNING")
        t += timedelta(minutes=15)
    for when, vals in inv.items():
        tt = parse(when)
        c.metric("AWS/Lambda", "Invocations", {"FunctionName": fn}, tt, "Count", len(vals))
        c.metric("AWS/Lambda", "Errors", {"FunctionName": fn}, tt, "Count", sum(1 for _, f in vals if f))
        c.metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Duration",
                "dimensions": {"FunctionName": fn},
                "timestamp": iso(tt),
                "unit": "Milliseconds",
                "values": [round(d, 2) for d, _ in vals],
                "counts": [1.0] * len(vals),
            }
        )
        c.metric("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": fn}, tt, "Count", 1)
    assert len(failed_stops) >= 2
    t_fn = c.onset.replace(second=0) + timedelta(minutes=5, seconds=r.randint(20, 80))
    c.transition(
        a_fn,
        t_fn,
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [4.0] was greater than or equal to the threshold (4.0) (minimum 1 datapoint for OK -> ALARM transition).",
    )
    t_sf = failed_stops[1].replace(second=0) + timedelta(minutes=1, seconds=r.randint(10, 60))
    c.transition(
        a_sfn,
        t_sf,
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [1.0, 1.0] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )

    # --- the rest of the account ---------------------------------------------------------------------
    t = c.start + timedelta(minutes=r.randint(3, 9))
    while t + timedelta(minutes=12) < c.now:
        run = lake.job_run("orders_raw_to_curated", t, r.randint(300, 520), trigger="orders-hourly")
        lake.glue_run_telemetry(run, True, 300_000, 600 * 1024**2)
        c.ct(
            t,
            "glue.amazonaws.com",
            "StartJobRun",
            c.role_identity("AWSServiceRoleForGlue", "GlueTrigger", t, "glue.amazonaws.com"),
            {"jobName": "orders_raw_to_curated"},
            {"jobRunId": run["Id"]},
        )
        t += timedelta(hours=1)
    deployer = c.role_identity("gitlab-deploy-data", f"gitlab-{r.randint(100000, 999999)}", t_deploy)
    sdk = "Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8"
    c.ct(
        t_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deployer,
        {"functionName": fn, "publish": False, "dryRun": False},
        {
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "codeSha256": code_sha,
            "version": "$LATEST",
            "lastModified": t_deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        },
        agent=sdk,
    )
    d2 = c.role_identity("gitlab-deploy-data", f"gitlab-{r.randint(100000, 999999)}", t_other)
    c.ct(
        t_other,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        d2,
        {"functionName": other_fn, "publish": False, "dryRun": False},
        {
            "functionName": other_fn,
            "functionArn": c.arn("lambda", f"function:{other_fn}"),
            "runtime": "python3.12",
            "version": "$LATEST",
        },
        agent=sdk,
    )
    c.ct(
        t_other + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        d2,
        {"functionName": other_fn, "timeout": 120},
        {"functionName": other_fn, "timeout": 120, "memorySize": 512},
        agent=sdk,
    )
    t3 = c.onset - timedelta(minutes=r.randint(40, 100))
    c.ct(
        t3,
        "glue.amazonaws.com",
        "UpdateJob",
        c.role_identity("gitlab-deploy-data", f"gitlab-{r.randint(100000, 999999)}", t3),
        {
            "jobName": "revenue_daily_rollup",
            "jobUpdate": {"role": lake.glue_role, "numberOfWorkers": 10, "workerType": "G.1X"},
        },
        {"jobName": "revenue_daily_rollup"},
        agent=sdk,
    )
    ts = c.start + timedelta(minutes=r.randint(10, 200))
    c.ct(
        ts,
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        c.role_identity(role, fn, ts),
        {"secretId": "fx/vendor-api-key"},
        None,
        True,
        agent="Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#5.10.214-223.808.amzn2.aarch64 md/arch#aarch64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12",
    )
    bi = c.alarm(
        "redshift-wlm-queue-wait",
        "AWS/Redshift",
        "WLMQueueWaitTime",
        {"ClusterIdentifier": f"{c.prefix}-warehouse", "QueueName": "bi"},
        "Maximum",
        300,
        2,
        30_000_000.0,
        "GreaterThanThreshold",
        "BI queue wait",
    )
    tb = c.start + timedelta(minutes=r.randint(20, 80))
    c.transition(
        bi,
        tb,
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (3.0E7).",
    )
    c.transition(
        bi,
        tb + timedelta(minutes=r.randint(10, 25)),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 2 datapoints [1.2E7] was not greater than the threshold (3.0E7).",
    )
    athena_metrics(c)
    tooling_noise(c, lake, r.randint(40, 60))

    trigger = {
        "question": None,
        "alarm_event": c.alarm_event(
            a_sfn,
            t_sf,
            a_sfn["StateReason"],
            {
                "version": "1.0",
                "queryDate": iso(t_sf),
                "statistic": "Sum",
                "period": 900,
                "threshold": 1.0,
                "recentDatapoints": [1.0, 1.0],
            },
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": vendor,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-unavailable",
        },
        "also_accept": [f"https://{vendor}/v3", f"https://{vendor}"],
        "actions": [],
        "chain": [vendor, fn, smarn, "fx_rates_curate"],
    }
    return c.bundle(TITLE, trigger, truth)
