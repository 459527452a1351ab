"""One depot's carrier manifests stop closing in the afternoon: its consignment list has grown past the
256 KB Step Functions state payload quota, so every run fails with States.DataLimitExceeded."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzc import MIN, Kit, iso, iso_ms, lambda_role_assumes, tooling_noise

NAME = "depot-manifest-close-failing"
TITLE = "carrier-manifest-close ExecutionsFailed alarm in the afternoon"
SUMMARY = (
    "The consignment list the collect step returns for the busiest depot crossed Step Functions' 256 KB "
    "payload quota as the day's volume grew; that depot's manifest runs fail with States.DataLimitExceeded."
)

DEPOTS = ["LDS", "MAN", "BHM", "BRS", "GLA", "NWC", "SOU"]


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-1", (280, 340))  # the pre-Christmas peak
    r = k.rng
    day = k.day
    acct = k.account
    depots = r.sample(DEPOTS, 6)
    big = depots[0]
    per_min = {d: (r.uniform(4.2, 5.0) if d == big else r.uniform(1.0, 2.4)) for d in depots}
    bytes_per = r.uniform(205, 230)  # one consignment as the collect step serialises it
    limit = 262144
    # consignments for the evening trunk accumulate from 08:00 UTC; onset = first run after the big depot crosses
    start_of_day = day + timedelta(hours=8)
    cross_min = (limit / bytes_per) / per_min[big]
    cross = start_of_day + timedelta(minutes=cross_min)
    first_fail = start_of_day + timedelta(minutes=15 * (int(cross_min // 15) + 1))
    now = first_fail + timedelta(minutes=r.choice([40, 45, 55, 60]) + r.randint(0, 4))
    start = now - timedelta(hours=4, minutes=30)
    end = now + timedelta(minutes=30)
    del cross

    sm = "carrier-manifest-close"
    sm_arn = k.arn("states", f"stateMachine:{sm}")
    fn_collect, fn_render, fn_submit, fn_notify = (
        "collect-consignments",
        "render-manifest",
        "submit-carrier-manifest",
        "notify-depot",
    )
    fns = [fn_collect, fn_render, fn_submit, fn_notify]
    created = day - timedelta(days=r.randint(150, 400))
    bucket = f"parcelwise-manifests-{acct}"

    definition = {
        "Comment": "Close the open carrier manifest for one depot and hand it to the trunking carrier",
        "StartAt": "CollectConsignments",
        "States": {
            "CollectConsignments": {
                "Type": "Task",
                "Resource": k.arn("lambda", f"function:{fn_collect}"),
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "ResultPath": "$.manifest",
                "Next": "AnyConsignments",
            },
            "AnyConsignments": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.manifest.count", "NumericEquals": 0, "Next": "NothingToClose"}],
                "Default": "RenderManifest",
            },
            "NothingToClose": {"Type": "Succeed"},
            "RenderManifest": {
                "Type": "Task",
                "Resource": k.arn("lambda", f"function:{fn_render}"),
                "ResultPath": "$.document",
                "Next": "SubmitToCarrier",
            },
            "SubmitToCarrier": {
                "Type": "Task",
                "Resource": k.arn("lambda", f"function:{fn_submit}"),
                "Retry": [
                    {
                        "ErrorEquals": ["CarrierUnavailable", "States.Timeout"],
                        "IntervalSeconds": 20,
                        "MaxAttempts": 4,
                        "BackoffRate": 2,
                        "JitterStrategy": "FULL",
                    }
                ],
                "ResultPath": "$.submission",
                "Next": "NotifyDepot",
            },
            "NotifyDepot": {
                "Type": "Task",
                "Resource": k.arn("lambda", f"function:{fn_notify}"),
                "End": True,
            },
        },
    }
    prev_def = json.loads(json.dumps(definition))
    prev_def["States"]["SubmitToCarrier"]["Retry"] = [
        {"ErrorEquals": ["CarrierUnavailable"], "IntervalSeconds": 20, "MaxAttempts": 3, "BackoffRate": 2}
    ]
    log_group = f"/aws/vendedlogs/states/{sm}-Logs"
    sm_update = first_fail - timedelta(minutes=r.randint(70, 110))
    k.res(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm,
            "status": "ACTIVE",
            "definition": json.dumps(definition, indent=2),
            "roleArn": f"arn:aws:iam::{acct}:role/{sm}-sfn-role",
            "type": "STANDARD",
            "creationDate": iso(created),
            "loggingConfiguration": {
                "level": "ERROR",
                "includeExecutionData": False,
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": k.arn("logs", f"log-group:{log_group}:*")}}
                ],
            },
            "tracingConfiguration": {"enabled": False},
            "revisionId": k.uuid(),
        },
    )
    k.log_group(log_group, created, 90)
    envs = {
        fn_collect: {"TABLE_NAME": "consignments", "INDEX_NAME": "depot-status-index"},
        fn_render: {"OUTPUT_BUCKET": bucket},
        fn_submit: {
            "CARRIER_API_BASE": "https://api.trunkline-freight.co.uk/v2",
            "CARRIER_SECRET_ID": "carrier/trunkline",
        },
        fn_notify: {"TOPIC_ARN": k.arn("sns", "depot-ops-notifications")},
    }
    render_deploy = first_fail - timedelta(minutes=r.randint(25, 50))
    for fn in fns:
        k.lambda_fn(
            fn,
            runtime="python3.12",
            handler="app.handler",
            role=f"{fn}-role",
            mem=1024 if fn == fn_render else 512,
            timeout=60 if fn != fn_submit else 120,
            modified=render_deploy if fn == fn_render else created + timedelta(days=r.randint(20, 140)),
            env=envs[fn],
        )
        k.log_group(f"/aws/lambda/{fn}", created, 30)
    for d in depots:
        k.res(
            "scheduler",
            "GetScheduleOutput",
            {
                "Arn": k.arn("scheduler", f"schedule/manifests/close-{d.lower()}"),
                "GroupName": "manifests",
                "Name": f"close-{d.lower()}",
                "ScheduleExpression": "cron(0/15 6-21 ? * MON-SAT *)",
                "ScheduleExpressionTimezone": "UTC",
                "State": "ENABLED",
                "CreationDate": iso(created),
                "LastModificationDate": iso(created + timedelta(days=2)),
                "Target": {
                    "Arn": sm_arn,
                    "RoleArn": f"arn:aws:iam::{acct}:role/manifests-scheduler-role",
                    "Input": json.dumps({"depot": d}),
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
                },
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "ActionAfterCompletion": "NONE",
            },
        )
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": k.arn("sns", "depot-ops-notifications"),
            "Attributes": {
                "TopicArn": k.arn("sns", "depot-ops-notifications"),
                "Owner": acct,
                "SubscriptionsConfirmed": "7",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "consignments",
            "TableArn": k.arn("dynamodb", "table/consignments"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created - timedelta(days=300)),
            "ItemCount": r.randint(4_000_000, 9_000_000),
            "TableSizeBytes": r.randint(3 * 10**9, 8 * 10**9),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "KeySchema": [{"AttributeName": "consignmentId", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "consignmentId", "AttributeType": "S"},
                {"AttributeName": "depotStatus", "AttributeType": "S"},
                {"AttributeName": "createdAt", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "depot-status-index",
                    "KeySchema": [
                        {"AttributeName": "depotStatus", "KeyType": "HASH"},
                        {"AttributeName": "createdAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                }
            ],
        },
    )

    # ---------------- executions, logs, metrics ----------------
    sdims = {"StateMachineArn": sm_arn}
    per_minute: dict = {}

    def bump(t, key, v=1.0):
        per_minute.setdefault(t.replace(second=0), {}).setdefault(key, []).append(v)

    streams = {fn: k.lambda_stream(start) for fn in fns}
    sfn_stream = f"states/{sm}/{start:%Y-%m-%d-%H-%M}/{k.hexid(8)}"
    t = start_of_day
    while t < now + timedelta(minutes=30):
        if t < start:
            t += timedelta(minutes=15)
            continue
        for d in depots:
            st = t + timedelta(seconds=r.uniform(0.1, 1.8))
            n = int(per_min[d] * (t - start_of_day).total_seconds() / 60 * r.uniform(0.97, 1.03))
            name = f"{d}-{t:%Y%m%dT%H%M}-{k.hexid(6)}"
            earn = k.arn("states", f"execution:{sm}:{name}")
            payload = int(n * bytes_per + 310)
            fails = payload > limit
            c_dur = 380 + n * r.uniform(0.42, 0.5)
            bump(st, ("lambda", fn_collect, "d"), c_dur)
            ex: dict[str, Any] = {
                "executionArn": earn,
                "stateMachineArn": sm_arn,
                "name": name,
                "startDate": iso_ms(st),
            }
            if st < now:
                k.lambda_invocation(
                    f"/aws/lambda/{fn_collect}",
                    streams[fn_collect],
                    st + timedelta(milliseconds=60),
                    c_dur,
                    512,
                    min(500, 118 + n // 40),
                    [
                        (
                            8,
                            f"[INFO]\t{{ts}}\t{{rid}}\tdepot={d} open_manifest=M-{d}-{t:%Y%m%d} querying depot-status-index\n",
                        ),
                        (
                            c_dur - 20,
                            f"[INFO]\t{{ts}}\t{{rid}}\tdepot={d} collected {n} consignments (pages={1 + n // 400})\n",
                        ),
                    ],
                )
            bump(st, ("states", "started"))
            if fails:
                stop = st + timedelta(milliseconds=c_dur + r.uniform(90, 160))
                ex.update(
                    {
                        "status": "FAILED",
                        "stopDate": iso_ms(stop),
                        "error": "States.DataLimitExceeded",
                        "cause": f"The state/task '{k.arn('lambda', f'function:{fn_collect}')}' returned a result with a size exceeding the maximum number of bytes service limit.",
                        "redriveCount": 0,
                        "redriveStatus": "REDRIVABLE",
                    }
                )
                bump(stop, ("states", "failed"))
                bump(stop, ("states", "time"), (stop - st).total_seconds() * 1000)
                if stop < now:
                    k.log(
                        log_group,
                        sfn_stream,
                        stop,
                        json.dumps(
                            {
                                "id": "6",
                                "type": "ExecutionFailed",
                                "details": {"cause": ex["cause"], "error": "States.DataLimitExceeded"},
                                "previous_event_id": "5",
                                "event_timestamp": str(int(stop.timestamp() * 1000)),
                                "execution_arn": earn,
                                "redrive_count": "0",
                            },
                            separators=(",", ":"),
                        ),
                    )
            else:
                r_dur = 900 + n * r.uniform(1.1, 1.4)
                s_dur = r.uniform(700, 2400)
                carrier_retry = r.random() < 0.06
                if carrier_retry:
                    s_dur += 20000 + r.uniform(1000, 3000)
                stop = st + timedelta(milliseconds=c_dur + r_dur + s_dur + r.uniform(400, 700))
                ex.update(
                    {
                        "status": "SUCCEEDED",
                        "stopDate": iso_ms(stop),
                        "redriveCount": 0,
                        "redriveStatus": "NOT_REDRIVABLE",
                        "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
                    }
                )
                bump(st, ("lambda", fn_render, "d"), r_dur)
                bump(st, ("lambda", fn_submit, "d"), s_dur)
                bump(st, ("lambda", fn_notify, "d"), 140)
                if carrier_retry:
                    bump(st, ("lambda", fn_submit, "e"))
                bump(stop, ("states", "succeeded"))
                bump(stop, ("states", "time"), (stop - st).total_seconds() * 1000)
                if st < now:
                    rs = st + timedelta(milliseconds=c_dur + 120)
                    k.lambda_invocation(
                        f"/aws/lambda/{fn_render}",
                        streams[fn_render],
                        rs,
                        r_dur,
                        1024,
                        r.randint(210, 340),
                        [
                            (
                                r_dur - 30,
                                f"[INFO]\t{{ts}}\t{{rid}}\twrote s3://{bucket}/{d}/{t:%Y/%m/%d}/M-{d}-{t:%Y%m%d}-{t:%H%M}.pdf lines={n}\n",
                            )
                        ],
                    )
                    ss = rs + timedelta(milliseconds=r_dur + 90)
                    body = [
                        (
                            s_dur - 25,
                            f"[INFO]\t{{ts}}\t{{rid}}\tPOST https://api.trunkline-freight.co.uk/v2/manifests 201 manifest_ref=TLF{r.randint(10**7, 10**8 - 1)} depot={d}\n",
                        )
                    ]
                    if carrier_retry:
                        k.lambda_invocation(
                            f"/aws/lambda/{fn_submit}",
                            streams[fn_submit],
                            ss,
                            r.uniform(8000, 9000),
                            512,
                            96,
                            [
                                (
                                    8000,
                                    '[ERROR] CarrierUnavailable: POST https://api.trunkline-freight.co.uk/v2/manifests returned 503 Service Unavailable\nTraceback (most recent call last):\n  File "/var/task/app.py", line 58, in handler\n    raise CarrierUnavailable(f"POST {url} returned {resp.status} {resp.reason}")\n',
                                )
                            ],
                        )
                        ss += timedelta(milliseconds=20000)
                        s_dur -= 20000
                    k.lambda_invocation(
                        f"/aws/lambda/{fn_submit}",
                        streams[fn_submit],
                        ss,
                        max(400, s_dur - 3000),
                        512,
                        r.randint(90, 99),
                        body,
                    )
            if st < now:
                k.res("stepfunctions", "DescribeExecutionOutput", ex)
        t += timedelta(minutes=15)

    t = start
    while t < now + timedelta(minutes=30):
        b = per_minute.get(t, {})
        if ("states", "started") in b:
            k.put("AWS/States", "ExecutionsStarted", sdims, t, "Count", len(b[("states", "started")]))
        for key, metric in (
            (("states", "succeeded"), "ExecutionsSucceeded"),
            (("states", "failed"), "ExecutionsFailed"),
        ):
            if key in b:
                k.put("AWS/States", metric, sdims, t, "Count", len(b[key]))
        if ("states", "time") in b:
            v = b[("states", "time")]
            k.put_stats(
                "AWS/States", "ExecutionTime", sdims, t, "Milliseconds", len(v), sum(v), min(v), max(v)
            )
        for fn in fns:
            if ("lambda", fn, "d") in b:
                v = b[("lambda", fn, "d")]
                errs = len(b.get(("lambda", fn, "e"), []))
                k.put("AWS/Lambda", "Invocations", {"FunctionName": fn}, t, "Count", len(v) + errs)
                k.put("AWS/Lambda", "Errors", {"FunctionName": fn}, t, "Count", errs)
                k.put_stats(
                    "AWS/Lambda",
                    "Duration",
                    {"FunctionName": fn},
                    t,
                    "Milliseconds",
                    len(v),
                    sum(v),
                    min(v),
                    max(v),
                )
        # the consignments API (another Lambda) takes scans all day
        k.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "consignments", "GlobalSecondaryIndexName": "depot-status-index"},
            t,
            "Count",
            r.uniform(40, 90) + (sum(per_min.values()) * 60 * 0.1 if t.minute % 15 == 0 else 0),
        )
        k.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "consignments"},
            t,
            "Count",
            sum(per_min.values()) * r.uniform(1.8, 2.3),
        )
        t += MIN

    # ---------------- alarms ----------------
    ops = k.arn("sns", "parcelwise-oncall")
    a = k.alarm(
        f"{sm}-executions-failed",
        ns="AWS/States",
        metric="ExecutionsFailed",
        dims=sdims,
        stat="Sum",
        period=300,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        desc="Manifest close workflow failing - manifests not reaching carrier. Runbook: wiki/ops/manifests",
        topic=ops,
        state="ALARM",
        reason="",
        state_ts=now,
        updated=created + timedelta(days=5),
        missing="notBreaching",
    )
    buckets = sorted(
        {
            (t - timedelta(minutes=t.minute % 5)).replace(second=0, microsecond=0)
            for t, b in per_minute.items()
            if ("states", "failed") in b
        }
    )
    lag = timedelta(seconds=r.randint(20, 50))
    prev = buckets[0] - timedelta(days=r.randint(3, 12), hours=r.randint(1, 9))
    prev_reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    event = None
    state_at, state_txt, state_data, state = prev, prev_reason, None, "OK"
    for b in buckets:
        at = b + timedelta(minutes=5) + lag
        if at >= now:
            break
        n_fail = float(
            len(
                per_minute_sum := [
                    1
                    for t, v in per_minute.items()
                    if b <= t < b + timedelta(minutes=5) and ("states", "failed") in v
                ]
            )
        )
        del per_minute_sum
        txt, data = k.reason_threshold([(b, n_fail)], 1, period=300)
        txt = txt.replace("was greater than", "was greater than or equal to")
        if state == "OK":
            k.hist(a, at, "OK", "ALARM", txt, data)
            if event is None:
                event = k.alarm_event(a, at, txt, data, state_at, state_txt)
            state, state_at, state_txt, state_data = "ALARM", at, txt, data
        nxt = b + timedelta(minutes=5)
        ok_at = nxt + timedelta(minutes=5) + lag
        if nxt not in buckets and ok_at < now:
            ok_txt = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
            k.hist(a, ok_at, "ALARM", "OK", ok_txt)
            state, state_at, state_txt, state_data = "OK", ok_at, ok_txt, None
    a.update(
        {
            "StateValue": state,
            "StateReason": state_txt,
            "StateUpdatedTimestamp": iso_ms(state_at),
            "StateTransitionedTimestamp": iso_ms(state_at),
        }
    )
    if state_data:
        a["StateReasonData"] = json.dumps(state_data, separators=(",", ":"))
    k.alarm(
        f"{fn_submit}-errors",
        ns="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_submit},
        stat="Sum",
        period=300,
        evals=1,
        threshold=3,
        op="GreaterThanOrEqualToThreshold",
        desc="Carrier submissions erroring",
        topic=ops,
        state="OK",
        reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        state_ts=start - timedelta(days=1),
        updated=created + timedelta(days=5),
        missing="notBreaching",
    )
    k.alarm(
        f"{sm}-execution-time-p90",
        ns="AWS/States",
        metric="ExecutionTime",
        dims=sdims,
        stat="Average",
        period=900,
        evals=2,
        threshold=60000,
        op="GreaterThanThreshold",
        desc="Manifest close slow",
        topic=ops,
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (60000.0).",
        state_ts=start - timedelta(days=6),
        updated=created + timedelta(days=5),
    )

    # ---------------- cloudtrail ----------------
    rid_sched = k.role_id()
    t = start
    while t < now:
        if t.minute % 15 == 0:
            for d in r.sample(depots, 2):  # a sample of the scheduler's StartExecution calls
                who = k.assumed("manifests-scheduler-role", k.hexid(32), rid_sched, t - timedelta(minutes=1))
                name = f"{d}-{t:%Y%m%dT%H%M}-{k.hexid(6)}"
                rec = k.ct(
                    t + timedelta(milliseconds=r.randint(50, 900)),
                    "states.amazonaws.com",
                    "StartExecution",
                    who,
                    {"stateMachineArn": sm_arn, "input": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                    {
                        "executionArn": k.arn("states", f"execution:{sm}:{name}"),
                        "startDate": t.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    },
                    read_only=False,
                    invoked_by="scheduler.amazonaws.com",
                )
                rec["sourceIPAddress"] = "scheduler.amazonaws.com"
                rec["userAgent"] = "scheduler.amazonaws.com"
        t += MIN
    rid_ci = k.role_id()
    ci_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.62.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sfn#1.29.3"
    ci = k.assumed(
        "gitlab-terraform-apply",
        f"gitlab-{r.randint(10**6, 10**7)}",
        rid_ci,
        sm_update - timedelta(minutes=3),
    )
    ip = f"35.{r.randint(180, 240)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    k.ct(
        sm_update - timedelta(seconds=30),
        "states.amazonaws.com",
        "DescribeStateMachine",
        ci,
        {"stateMachineArn": sm_arn},
        None,
        read_only=True,
        agent=ci_agent,
        ip=ip,
    )
    k.ct(
        sm_update,
        "states.amazonaws.com",
        "UpdateStateMachine",
        ci,
        {
            "stateMachineArn": sm_arn,
            "definition": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "loggingConfiguration": {
                "level": "ERROR",
                "includeExecutionData": False,
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": k.arn("logs", f"log-group:{log_group}:*")}}
                ],
            },
        },
        {"updateDate": sm_update.strftime("%b %-d, %Y, %-I:%M:%S %p"), "revisionId": k.uuid()},
        read_only=False,
        agent=ci_agent,
        ip=ip,
    )
    ci2 = k.assumed(
        "gitlab-lambda-deploy",
        f"gitlab-{r.randint(10**6, 10**7)}",
        k.role_id(),
        render_deploy - timedelta(minutes=2),
    )
    k.ct(
        render_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci2,
        {
            "functionName": fn_render,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"parcelwise-artifacts-{acct}",
            "s3Key": f"{fn_render}/{k.hexid(10)}.zip",
        },
        {
            "functionName": fn_render,
            "functionArn": k.arn("lambda", f"function:{fn_render}"),
            "runtime": "python3.12",
            "codeSha256": k.hexid(43) + "=",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        ip=ip,
    )
    tooling_noise(
        k,
        start,
        now,
        r.randint(28, 40),
        [
            ("states.amazonaws.com", "ListStateMachines", {}),
            ("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": sm_arn}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("scheduler.amazonaws.com", "ListSchedules", {"groupName": "manifests"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "consignments"}),
        ],
    )
    lambda_role_assumes(k, start, now, [f"{fn}-role" for fn in fns], 25)

    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=None,
        alarm_event=event,
        timezone=None,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": sm_arn,
                "category": "limit",
                "failure_mode": "sfn-state-payload-size-limit",
            },
            "also_accept": [sm, fn_collect, k.arn("lambda", f"function:{fn_collect}")],
            "actions": ["reconfigure"],
            "chain": [fn_collect, sm_arn, f"close-{big.lower()}", "trunkline-freight-manifests"],
        },
    )
