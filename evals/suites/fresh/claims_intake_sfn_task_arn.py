"""A state machine update points one Task at a Lambda ARN in the DR region, where no such function exists."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_l import (
    CONSOLE,
    AlarmSpec,
    Ids,
    Metrics,
    Principal,
    Rec,
    Trail,
    alarm_event,
    alarm_records,
    cli,
    day,
    diurnal,
    grid,
    iso,
    lambda_report,
    log,
    ms,
    noise,
    office_ip,
    public_ip,
    sorted_logs,
    spread,
)

NAME = "claims-intake-sfn-task-arn"
TITLE = "claims-intake executions failing"
SUMMARY = "An UpdateStateMachine from CI points the ScoreFraud task at claims-score-fraud in the DR region, where the function does not exist; every new execution fails with Lambda.ResourceNotFoundException."

REGIONS = [
    ("us-east-1", "us-west-2", -4.0, "America/New_York"),
    ("us-east-2", "us-west-2", -5.0, "America/Chicago"),
]


def _definition(region: str, fraud_region: str, account: str, table: str, topic: str) -> str:
    def fn(name: str, reg: str = region) -> str:
        return f"arn:aws:lambda:{reg}:{account}:function:{name}:live"

    retry = [
        {
            "ErrorEquals": [
                "Lambda.ServiceException",
                "Lambda.AWSLambdaException",
                "Lambda.SdkClientException",
                "Lambda.TooManyRequestsException",
            ],
            "IntervalSeconds": 1,
            "MaxAttempts": 3,
            "BackoffRate": 2,
        }
    ]

    def task(name: str, nxt: str, reg: str = region) -> dict[str, object]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "OutputPath": "$.Payload",
            "Parameters": {"Payload.$": "$", "FunctionName": fn(name, reg)},
            "Retry": retry,
            "Next": nxt,
        }

    doc = {
        "Comment": "Claims intake: validate, enrich, score, persist, notify",
        "StartAt": "ValidateClaim",
        "States": {
            "ValidateClaim": task("claims-validate", "IsValid"),
            "IsValid": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.valid", "BooleanEquals": False, "Next": "RejectClaim"}],
                "Default": "EnrichPolicy",
            },
            "RejectClaim": {"Type": "Succeed"},
            "EnrichPolicy": task("claims-enrich-policy", "ScoreFraud"),
            "ScoreFraud": task("claims-score-fraud", "PersistClaim", fraud_region),
            "PersistClaim": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": table,
                    "Item": {
                        "claimId": {"S.$": "$.claimId"},
                        "policyId": {"S.$": "$.policyId"},
                        "fraudScore": {"N.$": "States.Format('{}', $.fraudScore)"},
                        "status": {"S": "RECEIVED"},
                    },
                },
                "ResultPath": None,
                "Next": "NotifyAdjuster",
            },
            "NotifyAdjuster": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message.$": "States.JsonToString($)"},
                "End": True,
            },
        },
    }
    return json.dumps(doc, indent=2)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    region, dr_region, utc_off, tz = rng.choice(REGIONS)
    account = ids.account()
    local_hour = rng.uniform(10.0, 15.5)
    onset = day(rng, datetime(2024, 4, 8, tzinfo=UTC), 170) + timedelta(hours=local_hour - utc_off)
    while onset.weekday() >= 5:
        onset += timedelta(days=1)
    onset = onset.replace(microsecond=0)
    onset_m = onset.replace(second=0)
    start = onset_m - timedelta(hours=7)
    now = onset_m + timedelta(minutes=rng.randint(33, 50))
    fine_from = onset_m - timedelta(hours=3)

    sm_name = "claims-intake"
    sm_arn = f"arn:aws:states:{region}:{account}:stateMachine:{sm_name}"
    table = "claims"
    topic = f"arn:aws:sns:{region}:{account}:claims-adjuster-notify"
    bad_def = _definition(region, dr_region, account, table, topic)
    sm_role = f"arn:aws:iam::{account}:role/claims-intake-sfn"
    log_group = f"/aws/vendedlogs/states/{sm_name}-Logs"
    sns_page = f"arn:aws:sns:{region}:{account}:claims-oncall"
    functions = ["claims-submit", "claims-validate", "claims-enrich-policy", "claims-score-fraud"]

    # --- executions ------------------------------------------------------------------------------
    def traffic(t: datetime) -> float:
        return diurnal(t, utc_off, low=0.12, peak_hour=13.0)

    rate = rng.uniform(5.0, 9.0)  # claims a minute at peak
    execs: list[Execution] = []
    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(rate * traffic(t) / 60))
        if t >= now:
            break
        invalid = rng.random() < 0.06
        if t >= onset and not invalid:
            ex = Execution(
                ids.uuid(),
                t,
                t + timedelta(milliseconds=rng.randint(900, 1900)),
                "FAILED",
                "Lambda.ResourceNotFoundException",
            )
        elif not invalid and rng.random() < 0.004:
            ex = Execution(
                ids.uuid(),
                t,
                t + timedelta(milliseconds=rng.randint(700, 1400)),
                "FAILED",
                "PolicyLookupError",
            )
        else:
            dur = rng.randint(400, 700) if invalid else rng.randint(2100, 3900)
            ex = Execution(ids.uuid(), t, t + timedelta(milliseconds=dur), "SUCCEEDED", invalid=invalid)
        execs.append(ex)

    def in_minute(ts: datetime, t0: datetime, step: int) -> bool:
        return t0 <= ts < t0 + timedelta(seconds=step)

    # --- metrics ---------------------------------------------------------------------------------
    points = grid(start, now, lambda t: t >= fine_from)
    m = Metrics(rng, points)
    minute_index: dict[datetime, list[Execution]] = {}
    for ex in execs:
        minute_index.setdefault(ex.start.replace(second=0, microsecond=0), []).append(ex)

    def started_in(t0: datetime, step: int) -> list[Execution]:
        out: list[Execution] = []
        for k in range(step // 60):
            out.extend(minute_index.get(t0 + timedelta(minutes=k), []))
        return out

    def stopped_in(t0: datetime, step: int, status: str) -> int:
        return sum(
            1
            for ex in started_in(t0 - timedelta(minutes=1), step + 60)
            if ex.status == status and in_minute(ex.stop, t0, step)
        )

    # per-datapoint values (metrics carry the 5-minute totals themselves here, so kind stays "avg")
    step_of = dict(points)
    sdims = {"StateMachineArn": sm_arn}

    m.add(
        "AWS/States",
        "ExecutionsStarted",
        sdims,
        "Count",
        lambda t: float(len(started_in(t, step_of[t]))) or None,
    )
    m.add(
        "AWS/States",
        "ExecutionsSucceeded",
        sdims,
        "Count",
        lambda t: float(stopped_in(t, step_of[t], "SUCCEEDED")) or None,
    )
    m.add(
        "AWS/States",
        "ExecutionsFailed",
        sdims,
        "Count",
        lambda t: float(stopped_in(t, step_of[t], "FAILED")) or None,
    )

    def exec_time(t: datetime) -> float | None:
        done = [
            ex
            for ex in started_in(t - timedelta(minutes=1), step_of[t] + 60)
            if in_minute(ex.stop, t, step_of[t])
        ]
        if not done:
            return None
        return sum((ex.stop - ex.start).total_seconds() * 1000 for ex in done) / len(done)

    m.add("AWS/States", "ExecutionTime", sdims, "Milliseconds", exec_time)

    def invocations(fname: str, t: datetime) -> float | None:
        exs = started_in(t, step_of[t])
        if fname == "claims-submit":
            n = len(exs) + sum(1 for _ in range(step_of[t] // 60) if rng.random() < 0.08)
        elif fname == "claims-validate":
            n = len(exs)
        elif fname == "claims-enrich-policy":
            n = sum(1 for ex in exs if not ex.invalid)
        else:
            n = sum(1 for ex in exs if ex.status == "SUCCEEDED" and not ex.invalid)
        return float(n) if n else None

    durations = {
        "claims-submit": 85.0,
        "claims-validate": 140.0,
        "claims-enrich-policy": 610.0,
        "claims-score-fraud": 930.0,
    }
    for fname in functions:
        d = {"FunctionName": fname}
        m.add("AWS/Lambda", "Invocations", d, "Count", lambda t, f=fname: invocations(f, t))
        m.add(
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            lambda t, f=fname: (
                (0.0 if invocations(f, t) else None)
                if f != "claims-enrich-policy"
                else (
                    float(sum(1 for ex in started_in(t, step_of[t]) if ex.error == "PolicyLookupError"))
                    if invocations(f, t)
                    else None
                )
            ),
        )
        m.add(
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            lambda t, f=fname: noise(rng, durations[f], 0.15) if invocations(f, t) else None,
        )
        m.add("AWS/Lambda", "Throttles", d, "Count", lambda t, f=fname: 0.0 if invocations(f, t) else None)
        m.add(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            lambda t, f=fname: (
                float(max(1, round((invocations(f, t) or 0) / (step_of[t] / 60) * durations[f] / 60000 * 3)))
                if invocations(f, t)
                else None
            ),
        )
    m.add(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": table, "Operation": "PutItem"},
        "Milliseconds",
        lambda t: noise(rng, 5.2, 0.1) if invocations("claims-score-fraud", t) else None,
    )
    m.add(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": table},
        "Count",
        lambda t: float(
            (invocations("claims-score-fraud", t) or 0) * 2 + rng.randint(0, 3) * (step_of[t] // 60)
        ),
    )
    m.add(
        "AWS/SNS",
        "NumberOfMessagesPublished",
        {"TopicName": "claims-adjuster-notify"},
        "Count",
        lambda t: invocations("claims-score-fraud", t),
    )

    # --- alarms ----------------------------------------------------------------------------------
    specs = [
        AlarmSpec(
            "claims-intake-executions-failed",
            "claims-intake state machine: 3 or more failed executions in 5 minutes",
            [m.get("AWS/States", "ExecutionsFailed", sdims)],
            "Sum",
            300,
            1,
            1,
            3.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [sns_page],
            [sns_page],
        ),
        AlarmSpec(
            "claims-submit-errors",
            "claims-submit Lambda errors",
            [m.get("AWS/Lambda", "Errors", {"FunctionName": "claims-submit"})],
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [sns_page],
        ),
        AlarmSpec(
            "claims-enrich-policy-errors",
            "claims-enrich-policy Lambda errors",
            [m.get("AWS/Lambda", "Errors", {"FunctionName": "claims-enrich-policy"})],
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            [sns_page],
        ),
        AlarmSpec(
            "claims-score-fraud-duration",
            "claims-score-fraud average duration above 5s",
            [m.get("AWS/Lambda", "Duration", {"FunctionName": "claims-score-fraud"})],
            "Average",
            300,
            2,
            2,
            5000.0,
            "GreaterThanThreshold",
            "missing",
            [sns_page],
        ),
    ]
    alarms: list[Rec] = []
    history: list[Rec] = []
    trigger: Rec | None = None
    for spec in specs:
        alarm, hist, trs = alarm_records(spec, account, region, start, now, rng)
        alarms.append(alarm)
        history.extend(hist)
        if spec.name == "claims-intake-executions-failed":
            first = next(tr for tr in trs if tr.new == "ALARM" and tr.at > onset)
            trigger = alarm_event(alarm, first, account, region, ids)

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = Trail(rng, ids, account, region)
    runner_ip = f"{rng.choice(['4.246', '20.57', '172.183'])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    gha = trail.role(
        "gha-deploy-claims",
        "GitHubActions",
        runner_ip,
        cli("stepfunctions.update-state-machine", rng),
        "token.actions.githubusercontent.com",
    )
    gha_lambda = trail.role(
        "gha-deploy-claims",
        "GitHubActions",
        runner_ip,
        cli("lambda.update-function-code", rng),
        "token.actions.githubusercontent.com",
    )
    gha_lambda.identity = gha.identity
    dev = trail.sso("amelia.brandt@northwind-mutual.com", "Developer", office_ip(rng), CONSOLE)
    sre = trail.sso("kwame.mensah@northwind-mutual.com", "SRE-Admin", office_ip(rng), CONSOLE)
    grafana = trail.role(
        "grafana-cloudwatch-read",
        "grafana",
        public_ip(rng),
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1",
    )
    states_svc = trail.aws_service("states.amazonaws.com")
    lambda_svc = trail.aws_service("lambda.amazonaws.com")

    for t in spread(rng, start, now, 8):
        trail.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "m0",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/States",
                                "metricName": "ExecutionsSucceeded",
                                "dimensions": [{"name": "StateMachineArn", "value": sm_arn}],
                            },
                            "period": 300,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": iso(t - timedelta(hours=6)),
                "endTime": iso(t),
            },
        )
    for t in spread(rng, start, now, 8):
        trail.add(
            t,
            states_svc,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": sm_role, "roleSessionName": ids.hex(32)[:32], "durationSeconds": 3600},
            {
                "credentials": {
                    "accessKeyId": ids.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(40),
                    "expiration": (t + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            resources=[{"accountId": account, "type": "AWS::IAM::Role", "ARN": sm_role}],
        )
    for t in spread(rng, start, now, 6):
        f = rng.choice(functions)
        trail.add(
            t,
            lambda_svc,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/{f}", "roleSessionName": f},
            {
                "credentials": {
                    "accessKeyId": ids.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(40),
                    "expiration": (t + timedelta(hours=12)).strftime("%b %d, %Y, %I:%M:%S %p"),
                }
            },
            resources=[
                {"accountId": account, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{account}:role/{f}"}
            ],
        )
    for t in spread(rng, start, onset_m - timedelta(minutes=45), 6):
        reads: list[tuple[str, str, Rec]] = [
            ("states.amazonaws.com", "ListExecutions", {"stateMachineArn": sm_arn, "maxResults": 100}),
            ("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": sm_arn}),
            ("lambda.amazonaws.com", "GetFunction", {"functionName": rng.choice(functions)}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            (
                "logs.amazonaws.com",
                "DescribeLogStreams",
                {"logGroupName": "/aws/lambda/claims-submit", "descending": True, "orderBy": "LastEventTime"},
            ),
        ]
        src, name, params = rng.choice(reads)
        trail.add(t, rng.choice([dev, sre]), src, name, params)

    # innocent change 1: a queue setting for another consumer
    trail.add(
        onset_m - timedelta(minutes=rng.randint(18, 27), seconds=rng.randint(0, 59)),
        dev,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{region}.amazonaws.com/{account}/claims-documents-ocr",
            "attributes": {"VisibilityTimeout": "300"},
        },
        None,
        read_only=False,
    )
    # the deploy: a new claims-enrich-policy build (innocent change 2), then the state machine
    sha = ids.hex(40)
    deploy_at = onset - timedelta(seconds=rng.randint(70, 130))
    enrich_arn = f"arn:aws:lambda:{region}:{account}:function:claims-enrich-policy"
    version = rng.randint(60, 140)
    trail.add(
        deploy_at - timedelta(seconds=25),
        web_identity(trail, runner_ip),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "roleArn": f"arn:aws:iam::{account}:role/gha-deploy-claims",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        {
            "credentials": {
                "accessKeyId": ids.access_key(),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + ids.upper(40),
                "expiration": (deploy_at + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
            },
            "subjectFromWebIdentityToken": "repo:northwind-mutual/claims-platform:environment:production",
            "assumedRoleUser": {
                "assumedRoleId": f"{gha.identity['principalId']}",
                "arn": gha.identity["arn"],
            },
            "provider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
            "audience": "sts.amazonaws.com",
        },
        read_only=True,
    )
    trail.add(
        deploy_at,
        gha_lambda,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "claims-enrich-policy",
            "s3Bucket": f"northwind-claims-artifacts-{region}",
            "s3Key": f"claims-enrich-policy/{sha[:12]}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": "claims-enrich-policy",
            "functionArn": f"{enrich_arn}:{version}",
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{account}:role/claims-enrich-policy",
            "handler": "app.handler",
            "codeSize": rng.randint(3_000_000, 9_000_000),
            "timeout": 30,
            "memorySize": 512,
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": ids.upper(43) + "=",
            "version": str(version),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
    )
    trail.add(
        deploy_at + timedelta(seconds=rng.randint(8, 15)),
        gha_lambda,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {"functionName": "claims-enrich-policy", "name": "live", "functionVersion": str(version)},
        {
            "aliasArn": f"{enrich_arn}:live",
            "name": "live",
            "functionVersion": str(version),
            "revisionId": ids.uuid(),
        },
        read_only=False,
    )
    revision = ids.uuid()
    culprit = trail.add(
        onset,
        gha,
        "states.amazonaws.com",
        "UpdateStateMachine",
        {"stateMachineArn": sm_arn, "definition": "HIDDEN_DUE_TO_SECURITY_REASONS", "roleArn": sm_role},
        {"updateDate": onset.strftime("%b %-d, %Y, %-I:%M:%S %p"), "revisionId": revision},
        read_only=False,
    )
    trail.add(
        onset + timedelta(seconds=rng.randint(3, 6)),
        gha,
        "states.amazonaws.com",
        "DescribeStateMachine",
        {"stateMachineArn": sm_arn},
    )
    # after the page
    looks: list[tuple[str, str, Rec]] = [
        (
            "states.amazonaws.com",
            "ListExecutions",
            {"stateMachineArn": sm_arn, "statusFilter": "FAILED", "maxResults": 50},
        ),
        (
            "states.amazonaws.com",
            "GetExecutionHistory",
            {
                "executionArn": f"arn:aws:states:{region}:{account}:execution:{sm_name}:{ids.uuid()}",
                "maxResults": 100,
                "reverseOrder": True,
            },
        ),
        ("lambda.amazonaws.com", "GetFunction", {"functionName": "claims-enrich-policy"}),
        ("lambda.amazonaws.com", "ListVersionsByFunction", {"functionName": "claims-enrich-policy"}),
    ]
    for k, (src, name, params) in enumerate(looks):
        when = onset_m + timedelta(minutes=rng.randint(12, 16) + k * 2, seconds=rng.randint(0, 59))
        if when < now:
            trail.add(when, sre, src, name, params)

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    streams = {
        f: f"{(start - timedelta(hours=2)).strftime('%Y/%m/%d')}/[$LATEST]{ids.hex(32)}" for f in functions
    }
    sfn_streams: dict[str, str] = {}
    fresh_enrich = f"{onset.strftime('%Y/%m/%d')}/[{version}]{ids.hex(32)}"
    for ex in execs:
        st, sp = ex.start, ex.stop
        if rng.random() > 0.35 and ex.status != "FAILED":
            continue  # keep the log volume of a sample
        req = ids.uuid()
        sub_at = st - timedelta(milliseconds=rng.randint(40, 90))
        logs.extend(
            lambda_report(
                rng,
                "/aws/lambda/claims-submit",
                streams["claims-submit"],
                sub_at,
                req,
                rng.uniform(60, 120),
                256,
                rng.randint(88, 96),
            )
        )
        logs.append(
            log(
                "/aws/lambda/claims-submit",
                streams["claims-submit"],
                sub_at + timedelta(milliseconds=30),
                json.dumps(
                    {
                        "level": "INFO",
                        "message": "claim accepted, execution started",
                        "claimId": f"CLM-{ids.digits(8)}",
                        "executionName": ex.name,
                        "requestId": req,
                    }
                ),
            )
        )
        v_at = st + timedelta(milliseconds=rng.randint(30, 80))
        logs.extend(
            lambda_report(
                rng,
                "/aws/lambda/claims-validate",
                streams["claims-validate"],
                v_at,
                ids.uuid(),
                rng.uniform(90, 200),
                256,
                rng.randint(70, 80),
            )
        )
        if ex.invalid:
            continue
        e_at = v_at + timedelta(milliseconds=rng.randint(250, 400))
        e_stream = (
            fresh_enrich if e_at >= deploy_at + timedelta(seconds=20) else streams["claims-enrich-policy"]
        )
        e_req = ids.uuid()
        logs.extend(
            lambda_report(
                rng,
                "/aws/lambda/claims-enrich-policy",
                e_stream,
                e_at,
                e_req,
                rng.uniform(450, 800),
                512,
                rng.randint(140, 170),
            )
        )
        if ex.error == "PolicyLookupError":
            logs.append(
                log(
                    "/aws/lambda/claims-enrich-policy",
                    e_stream,
                    e_at + timedelta(milliseconds=300),
                    f'[ERROR] PolicyLookupError: policy {ids.digits(9)} not found in policy-admin (HTTP 404)\nTraceback (most recent call last):\n  File "/var/task/app.py", line 41, in handler\n    policy = client.get_policy(event["policyId"])\n  File "/var/task/policy_admin.py", line 88, in get_policy\n    raise PolicyLookupError(f"policy {{policy_id}} not found in policy-admin (HTTP {{resp.status}})")',
                )
            )
        elif ex.status == "SUCCEEDED":
            f_at = e_at + timedelta(milliseconds=rng.randint(650, 900))
            logs.extend(
                lambda_report(
                    rng,
                    "/aws/lambda/claims-score-fraud",
                    streams["claims-score-fraud"],
                    f_at,
                    ids.uuid(),
                    rng.uniform(700, 1200),
                    1024,
                    rng.randint(400, 460),
                )
            )
        if ex.status == "FAILED":
            ex_arn = f"arn:aws:states:{region}:{account}:execution:{sm_name}:{ex.name}"
            if ex.error == "Lambda.ResourceNotFoundException":
                rid = ids.uuid()
                cause = (
                    f"Function not found: arn:aws:lambda:{dr_region}:{account}:function:claims-score-fraud:live "
                    f"(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {rid}; Proxy: null)"
                )
                ev_id = 13
            else:
                cause = json.dumps(
                    {
                        "errorMessage": "policy not found in policy-admin (HTTP 404)",
                        "errorType": "PolicyLookupError",
                        "requestId": e_req,
                        "stackTrace": ['  File "/var/task/app.py", line 41, in handler\n'],
                    }
                )
                ev_id = 9
            tf_at = sp - timedelta(milliseconds=rng.randint(5, 20))
            sfn_stream = sfn_streams.setdefault(
                st.strftime("%Y-%m-%d-%H"), f"states/{sm_name}/{st.strftime('%Y-%m-%d-%H')}-00/{ids.hex(8)}"
            )
            err = str(ex.error)
            logs.append(
                log(
                    log_group,
                    sfn_stream,
                    tf_at,
                    json.dumps(
                        {
                            "id": str(ev_id),
                            "type": "TaskFailed",
                            "details": {
                                "cause": cause,
                                "error": err,
                                "resource": "invoke",
                                "resourceType": "lambda",
                            },
                            "previous_event_id": str(ev_id - 1),
                            "event_timestamp": str(ms(tf_at)),
                            "execution_arn": ex_arn,
                            "redrive_count": "0",
                        }
                    ),
                )
            )
            logs.append(
                log(
                    log_group,
                    sfn_stream,
                    sp,
                    json.dumps(
                        {
                            "id": str(ev_id + 2),
                            "type": "ExecutionFailed",
                            "details": {"cause": cause, "error": err},
                            "previous_event_id": str(ev_id + 1),
                            "event_timestamp": str(ms(sp)),
                            "execution_arn": ex_arn,
                            "redrive_count": "0",
                        }
                    ),
                )
            )
            ex.cause = cause

    # --- resources -------------------------------------------------------------------------------
    resources: list[Rec] = []
    created = start - timedelta(days=rng.randint(120, 500))
    resources.append(
        {
            "service": "stepfunctions",
            "type": "DescribeStateMachineOutput",
            "item": {
                "stateMachineArn": sm_arn,
                "name": sm_name,
                "status": "ACTIVE",
                "definition": bad_def,
                "roleArn": sm_role,
                "type": "STANDARD",
                "creationDate": iso(created),
                "loggingConfiguration": {
                    "level": "ERROR",
                    "includeExecutionData": False,
                    "destinations": [
                        {
                            "cloudWatchLogsLogGroup": {
                                "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{log_group}:*"
                            }
                        }
                    ],
                },
                "tracingConfiguration": {"enabled": False},
                "revisionId": revision,
            },
        }
    )
    recent = sorted(execs, key=lambda e: e.start, reverse=True)[:40]
    for ex in recent:
        st, sp = ex.start, ex.stop
        item: Rec = {
            "executionArn": f"arn:aws:states:{region}:{account}:execution:{sm_name}:{ex.name}",
            "stateMachineArn": sm_arn,
            "name": str(ex.name),
            "status": str(ex.status),
            "startDate": iso_ms3(st),
            "stopDate": iso_ms3(sp),
            "redriveCount": 0,
            "redriveStatus": "REDRIVABLE" if ex.status == "FAILED" else "NOT_REDRIVABLE",
        }
        if ex.status == "FAILED":
            item["error"] = str(ex.error)
            item["cause"] = str(ex.cause)
        else:
            item["redriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        resources.append({"service": "stepfunctions", "type": "DescribeExecutionOutput", "item": item})
    fn_specs = {
        "claims-submit": ("nodejs20.x", "index.handler", 256, 10),
        "claims-validate": ("python3.12", "app.handler", 256, 10),
        "claims-enrich-policy": ("python3.12", "app.handler", 512, 30),
        "claims-score-fraud": ("python3.12", "score.handler", 1024, 60),
    }
    for f, (runtime, handler, mem, timeout) in fn_specs.items():
        modified = deploy_at if f == "claims-enrich-policy" else start - timedelta(days=rng.randint(2, 40))
        resources.append(
            {
                "service": "lambda",
                "type": "FunctionConfiguration",
                "item": {
                    "FunctionName": f,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{f}",
                    "Runtime": runtime,
                    "Role": f"arn:aws:iam::{account}:role/{f}",
                    "Handler": handler,
                    "CodeSize": rng.randint(1_000_000, 9_000_000),
                    "Description": "",
                    "Timeout": timeout,
                    "MemorySize": mem,
                    "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "CodeSha256": ids.upper(43) + "=",
                    "Version": "$LATEST",
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": ids.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                    "EphemeralStorage": {"Size": 512},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{f}"},
                },
            }
        )
    resources.append(
        {
            "service": "iam",
            "type": "Role",
            "item": {
                "Path": "/",
                "RoleName": "claims-intake-sfn",
                "RoleId": ids.role_id(),
                "Arn": sm_role,
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "states.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        }
    )
    resources.append(
        {
            "service": "iam",
            "type": "RoleInlinePolicy",
            "item": {
                "RoleName": "claims-intake-sfn",
                "PolicyName": "claims-intake",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "lambda:InvokeFunction",
                            "Resource": [f"arn:aws:lambda:*:{account}:function:claims-*"],
                        },
                        {
                            "Effect": "Allow",
                            "Action": "dynamodb:PutItem",
                            "Resource": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                        },
                        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogDelivery",
                                "logs:GetLogDelivery",
                                "logs:UpdateLogDelivery",
                                "logs:DeleteLogDelivery",
                                "logs:ListLogDeliveries",
                                "logs:PutResourcePolicy",
                                "logs:DescribeResourcePolicies",
                                "logs:DescribeLogGroups",
                            ],
                            "Resource": "*",
                        },
                    ],
                },
            },
        }
    )
    resources.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": table,
                "TableStatus": "ACTIVE",
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
                "TableId": ids.uuid(),
                "KeySchema": [{"AttributeName": "claimId", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "claimId", "AttributeType": "S"}],
                "CreationDateTime": iso(created),
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ItemCount": rng.randint(2_000_000, 6_000_000),
                "TableSizeBytes": rng.randint(2_000_000_000, 9_000_000_000),
                "DeletionProtectionEnabled": True,
            },
        }
    )
    resources.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {
                "TopicArn": topic,
                "Attributes": {
                    "TopicArn": topic,
                    "DisplayName": "",
                    "Owner": account,
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                },
            },
        }
    )
    resources.append(
        {
            "service": "logs",
            "type": "LogGroup",
            "item": {
                "logGroupName": log_group,
                "creationTime": ms(created),
                "retentionInDays": 30,
                "storedBytes": rng.randint(1_000_000, 90_000_000),
                "arn": f"arn:aws:logs:{region}:{account}:log-group:{log_group}:*",
            },
        }
    )

    local = onset + timedelta(hours=utc_off)
    clock = local.strftime("%I:%M").lstrip("0") + ("am" if local.hour < 12 else "pm")
    question = (
        f"claims-intake started failing around {clock}: the failed-executions alarm is going off and the "
        "adjusters say no new claims are showing up. What's broken?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": trigger, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": sm_arn,
                    "category": "change",
                    "failure_mode": "state-machine-task-wrong-function-arn",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [sm_name],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateStateMachine on {sm_name} points the ScoreFraud task at claims-score-fraud in {dr_region}",
                    f"no such function exists in {dr_region}: ScoreFraud fails with Lambda.ResourceNotFoundException",
                    f"every new {sm_name} execution fails; claims are not written to the {table} table",
                    "claims-intake-executions-failed alarms",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": sorted_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": [],
        },
    )


@dataclass
class Execution:
    name: str
    start: datetime
    stop: datetime
    status: str
    error: str = ""
    invalid: bool = False
    cause: str = ""


def iso_ms3(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def web_identity(trail: Trail, ip: str) -> Principal:
    """The GitHub Actions OIDC caller of AssumeRoleWithWebIdentity, as CloudTrail records it."""
    sub = "repo:northwind-mutual/claims-platform:environment:production"
    provider = f"arn:aws:iam::{trail.account}:oidc-provider/token.actions.githubusercontent.com"
    return Principal(
        {
            "type": "WebIdentityUser",
            "principalId": f"{provider}:sts.amazonaws.com:{sub}",
            "userName": sub,
            "identityProvider": provider,
        },
        ip,
        "aws-actions/configure-aws-credentials",
    )
