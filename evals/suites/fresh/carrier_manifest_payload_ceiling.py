"""Hourly carrier-manifest workflow fails once peak-season volume pushes a state's result past 256 KB."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzx as k

NAME = "carrier-manifest-payload-ceiling"
TITLE = "Carrier manifests not sent since late morning; hourly manifest run failing"
SUMMARY = (
    "Peak-season shipment counts push the list step's result in the hourly Step Functions manifest "
    "workflow past the 256 KB state payload quota, so every run since late morning fails."
)

_REGIONS = [
    ("eu-central-1", "Europe/Amsterdam"),
    ("eu-west-1", "Europe/Dublin"),
    ("eu-west-2", "Europe/London"),
]
_LIMIT = 262144


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    region, tz = rng.choice(_REGIONS)
    zone = ZoneInfo(tz)
    d = datetime(2025, 11, 24, tzinfo=UTC) + timedelta(days=rng.randint(0, 18))
    if d.weekday() == 6:
        d += timedelta(days=1)
    fail_hour = rng.choice([11, 12, 13])
    first_hour = fail_hour - 4
    n_fail = rng.choice([2, 3])
    onset = datetime(d.year, d.month, d.day, fail_hour, 0, tzinfo=zone).astimezone(UTC)
    start = datetime(d.year, d.month, d.day, first_hour, 0, tzinfo=zone).astimezone(UTC) - timedelta(
        minutes=12
    )
    now = onset + timedelta(hours=n_fail - 1, minutes=rng.randint(24, 41))
    end = now + timedelta(minutes=15)
    per = rng.uniform(74.0, 80.0)
    cstar = _LIMIT / per
    shares = [0.56, 0.71, 0.83, 0.94]
    counts = [int(cstar * (s + rng.uniform(-0.02, 0.02))) for s in shares]
    counts += [int(cstar * rng.uniform(1.02, 1.09)) for _ in range(n_fail)]
    sm_name = "carrier-manifest-hourly"
    sm_arn = f"arn:aws:states:{region}:{account}:stateMachine:{sm_name}"
    fn = {
        n: f"arn:aws:lambda:{region}:{account}:function:{n}"
        for n in ("list-ready-shipments", "build-carrier-manifest", "submit-carrier-manifest", "returns-sync")
    }
    carriers = ["dhl", "postnl", "dpd", "ups"]
    created = d - timedelta(days=rng.randint(300, 500))
    trail = k.Trail(ids, account, region)
    sched_who = trail.who("carrier-manifest-scheduler", ids.hex(32), invoked_by="scheduler.amazonaws.com")
    svc = {"type": "AWSService", "invokedBy": "scheduler.amazonaws.com"}

    logs: list[k.Rec] = []
    lam: dict[str, list[tuple[datetime, str]]] = {n: [] for n in fn}
    sfn_logs: list[k.Rec] = []
    execs: list[k.Rec] = []
    mets: list[k.Rec] = []
    started: dict[datetime, float] = {}
    succeeded: dict[datetime, float] = {}
    failed: dict[datetime, float] = {}
    etime: dict[datetime, float] = {}
    lam_inv: dict[tuple[str, datetime], tuple[float, float]] = {}
    sfn_lambda: dict[tuple[str, datetime], float] = {}

    def mn(t: datetime) -> datetime:
        return t.replace(second=0, microsecond=0)

    def bump(m: dict[datetime, float], t: datetime, v: float = 1.0) -> None:
        m[mn(t)] = m.get(mn(t), 0.0) + v

    # yesterday's runs: metadata only
    for h in range(7, 23):
        t0 = datetime(d.year, d.month, d.day, h, 0, tzinfo=zone).astimezone(UTC) - timedelta(days=1)
        t0 += timedelta(seconds=rng.randint(0, 2), milliseconds=rng.randint(0, 999))
        execs.append(
            {
                "executionArn": f"arn:aws:states:{region}:{account}:execution:{sm_name}:{ids.uuid()}",
                "stateMachineArn": sm_arn,
                "name": "",
                "status": "SUCCEEDED",
                "startDate": k.iso_ms(t0),
                "stopDate": k.iso_ms(t0 + timedelta(seconds=rng.uniform(35, 80))),
                "redriveCount": 0,
                "redriveStatus": "NOT_REDRIVABLE",
                "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            }
        )
        execs[-1]["name"] = execs[-1]["executionArn"].rsplit(":", 1)[1]

    for i, c in enumerate(counts):
        h = first_hour + i
        t0 = datetime(d.year, d.month, d.day, h, 0, tzinfo=zone).astimezone(UTC)
        t0 += timedelta(seconds=rng.randint(0, 2), milliseconds=rng.randint(0, 999))
        if t0 > now:
            break
        name = ids.uuid()
        ex_arn = f"arn:aws:states:{region}:{account}:execution:{sm_name}:{name}"
        trail.add(
            t0 - timedelta(milliseconds=300),
            "sts.amazonaws.com",
            "AssumeRole",
            svc,
            {
                "roleArn": f"arn:aws:iam::{account}:role/carrier-manifest-scheduler",
                "roleSessionName": sched_who["principalId"].split(":")[1],
            },
            {
                "credentials": {
                    "accessKeyId": sched_who["accessKeyId"],
                    "sessionToken": "IQoJb3JpZ2luX2VjEKL//////////wEaDGV1LWNlbnRyYWwtMSJHMEUCIQ",
                    "expiration": k.iso(t0 + timedelta(hours=1)),
                },
                "assumedRoleUser": {"assumedRoleId": sched_who["principalId"], "arn": sched_who["arn"]},
            },
            read_only=True,
        )
        trail.add(
            t0,
            "states.amazonaws.com",
            "StartExecution",
            sched_who,
            {"stateMachineArn": sm_arn, "input": "HIDDEN_DUE_TO_SECURITY_REASONS", "name": name},
            {"executionArn": ex_arn, "startDate": t0.strftime("%b %-d, %Y, %-I:%M:%S %p")},
        )
        bump(started, t0)
        split = [int(c * w) for w in (0.39, 0.34, 0.2)]
        split.append(c - sum(split))
        cut = t0.astimezone(zone)
        ldur = 2600 + c * rng.uniform(0.9, 1.3)
        lt = t0 + timedelta(milliseconds=rng.randint(60, 140))
        body = [
            (35.0, f"query ready shipments cutoff={cut:%Y-%m-%dT%H:00:00%z} warehouse=all status=LABELLED"),
            (
                ldur - 80,
                f"listed {c} shipments ready for manifest ("
                + ", ".join(f"{cr}={n}" for cr, n in zip(carriers, split, strict=True))
                + ")",
            ),
        ]
        lam["list-ready-shipments"] += k.lambda_lines(rng, ids, lt, body, ldur, 1024, rng.randint(180, 260))
        lam_inv[("list-ready-shipments", mn(lt))] = (1.0, ldur)
        sfn_lambda[("list-ready-shipments", mn(lt))] = ldur
        after = lt + timedelta(milliseconds=ldur + rng.randint(40, 90))
        if c * per <= _LIMIT:
            bt = after
            for cr, n in zip(carriers, split, strict=True):
                bd = 1500 + n * rng.uniform(3.5, 5.0)
                lam["build-carrier-manifest"] += k.lambda_lines(
                    rng,
                    ids,
                    bt + timedelta(milliseconds=rng.randint(5, 80)),
                    [
                        (
                            20.0,
                            f"building {cr} manifest shipments={n} format={'EDIFACT IFTMIN' if cr != 'ups' else 'UPS WorldShip XML'}",
                        ),
                        (bd - 60, f"wrote s3://manifests-{account}/{cut:%Y/%m/%d}/{cr}-{cut:%H}00.edi"),
                    ],
                    bd,
                    1536,
                    rng.randint(300, 520),
                )
                key = ("build-carrier-manifest", mn(bt))
                prev = lam_inv.get(key, (0.0, 0.0))
                lam_inv[key] = (prev[0] + 1, max(prev[1], bd))
            bt += timedelta(milliseconds=max(1500 + n * 5.0 for n in split) + 200)
            sd = rng.uniform(4000, 9000)
            lam["submit-carrier-manifest"] += k.lambda_lines(
                rng,
                ids,
                bt,
                [
                    (30.0 + j * 900, f"submitted manifest carrier={cr} shipments={n} status=201")
                    for j, (cr, n) in enumerate(zip(carriers, split, strict=True))
                ],
                sd,
                512,
                rng.randint(110, 140),
            )
            lam_inv[("submit-carrier-manifest", mn(bt))] = (1.0, sd)
            stop = bt + timedelta(milliseconds=sd + 120)
            bump(succeeded, stop)
            etime[mn(stop)] = (stop - t0).total_seconds() * 1000
            status = "SUCCEEDED"
            err = cause = None
        else:
            stop = after
            bump(failed, stop)
            etime[mn(stop)] = (stop - t0).total_seconds() * 1000
            status = "FAILED"
            err = "States.DataLimitExceeded"
            cause = (
                f"The state/task '{fn['list-ready-shipments']}' returned a result with a size exceeding "
                "the maximum number of bytes service limit."
            )
            ev = {
                "id": "6",
                "type": "ExecutionFailed",
                "details": {"cause": cause, "error": err},
                "previous_event_id": "5",
                "event_timestamp": str(k.ms(stop)),
                "execution_arn": ex_arn,
            }
            stream = f"states/{sm_name}/{t0.strftime('%Y-%m-%d-%H-%M')}/{ids.hex(8)}"
            sfn_logs += k.logs(
                f"/aws/vendedlogs/states/{sm_name}-Logs",
                stream,
                [(stop, json.dumps(ev, separators=(",", ":")))],
            )
        ex: k.Rec = {
            "executionArn": ex_arn,
            "stateMachineArn": sm_arn,
            "name": name,
            "status": status,
            "startDate": k.iso_ms(t0),
        }
        if stop <= now:
            ex["stopDate"] = k.iso_ms(stop)
        if err:
            ex["error"], ex["cause"] = err, cause
            ex["redriveCount"], ex["redriveStatus"] = 0, "REDRIVABLE"
        else:
            ex["redriveCount"], ex["redriveStatus"] = 0, "NOT_REDRIVABLE"
            ex["redriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        execs.append(ex)

    # returns-sync: every 15 minutes, a carrier API hiccup in the middle
    hiccup = onset - timedelta(minutes=rng.choice([75, 90, 105]))
    rerr: dict[datetime, float] = {}
    t = start.replace(minute=(start.minute // 15) * 15) + timedelta(minutes=15)
    while t < now:
        rt = t + timedelta(milliseconds=rng.randint(100, 900))
        bad = hiccup <= t < hiccup + timedelta(minutes=30)
        if bad:
            rid = ids.uuid()
            lam["returns-sync"] += [
                (rt, f"START RequestId: {rid} Version: $LATEST"),
                (
                    rt + timedelta(seconds=6),
                    '[ERROR] HTTPError: 503 Server Error: Service Unavailable for url: https://returns-api.carrier-hub.example/v2/returns\nTraceback (most recent call last):\n  File "/var/task/app.py", line 58, in handler\n    resp.raise_for_status()',
                ),
                (rt + timedelta(seconds=6, milliseconds=4), f"END RequestId: {rid}"),
                (
                    rt + timedelta(seconds=6, milliseconds=4),
                    f"REPORT RequestId: {rid}\tDuration: 6004.31 ms\tBilled Duration: 6005 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB",
                ),
            ]
            rerr[mn(rt)] = 1.0
        else:
            nret = rng.randint(3, 40)
            lam["returns-sync"] += k.lambda_lines(
                rng,
                ids,
                rt,
                [(900.0, f"synced {nret} returns from carrier-hub")],
                rng.uniform(1100, 2400),
                256,
                90,
            )
        lam_inv[("returns-sync", mn(rt))] = (1.0, 1500.0 if not bad else 6004.31)
        t += timedelta(minutes=15)

    day_stream = f"{d:%Y/%m/%d}/[$LATEST]"
    for fname, lines in lam.items():
        logs += k.logs(f"/aws/lambda/{fname}", day_stream + ids.hex(32), [x for x in lines if x[0] <= now])
    logs += sfn_logs

    # --- metrics ----------------------------------------------------------------------------------
    sd_ = {"StateMachineArn": sm_arn}
    mets += k.series(
        "AWS/States", "ExecutionsStarted", sd_, "Count", start, now, 60, lambda x: started.get(x)
    )
    mets += k.series(
        "AWS/States", "ExecutionsSucceeded", sd_, "Count", start, now, 60, lambda x: succeeded.get(x)
    )
    mets += k.series("AWS/States", "ExecutionsFailed", sd_, "Count", start, now, 60, lambda x: failed.get(x))
    mets += k.series(
        "AWS/States", "ExecutionTime", sd_, "Milliseconds", start, now, 60, lambda x: etime.get(x)
    )
    for (_fname, t1), v in sfn_lambda.items():
        ld = {"ServiceIntegrationResourceArn": "arn:aws:states:::lambda:invoke"}
        for met, val, unit in (
            ("ServiceIntegrationsScheduled", 1.0, "Count"),
            ("ServiceIntegrationsStarted", 1.0, "Count"),
            ("ServiceIntegrationsSucceeded", 1.0, "Count"),
            ("ServiceIntegrationTime", v + 60, "Milliseconds"),
        ):
            mets.append(
                {
                    "namespace": "AWS/States",
                    "metric": met,
                    "dimensions": ld,
                    "timestamp": k.iso(t1),
                    "unit": unit,
                    "value": round(val, 3),
                }
            )
    for (fname, t1), (cnt, dur) in lam_inv.items():
        if t1 > now:
            continue
        fd = {"FunctionName": fname}
        mets.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Invocations",
                "dimensions": fd,
                "timestamp": k.iso(t1),
                "unit": "Count",
                "value": cnt,
            }
        )
        mets.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Errors",
                "dimensions": fd,
                "timestamp": k.iso(t1),
                "unit": "Count",
                "value": rerr.get(t1, 0.0) if fname == "returns-sync" else 0.0,
            }
        )
        mets.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Duration",
                "dimensions": fd,
                "timestamp": k.iso(t1),
                "unit": "Milliseconds",
                "value": round(dur, 2),
            }
        )
        mets.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "ConcurrentExecutions",
                "dimensions": fd,
                "timestamp": k.iso(t1),
                "unit": "Count",
                "value": cnt,
            }
        )
    sched_d = {"ScheduleGroup": "logistics"}
    mets += k.series(
        "AWS/Scheduler",
        "InvocationAttemptCount",
        sched_d,
        "Count",
        start,
        now,
        60,
        lambda x: (
            (1.0 if x.minute == 0 and x.astimezone(zone).hour >= 7 else 0.0)
            + (1.0 if x.minute % 15 == 0 else 0.0)
            or None
        ),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:logistics-oncall"
    a_fail = k.alarm(
        account,
        region,
        f"{sm_name}-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        sd_,
        stat="Sum",
        period=300,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        reason="",
        state_time=now,
        config_time=created,
        topic=topic,
        treat_missing="notBreaching",
        description="Hourly carrier manifest run failed. Carriers need pre-alerts before truck departure.",
    )
    hist: list[k.Rec] = []
    last_ok = created + timedelta(days=30)
    ok_txt = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    state, st_time, st_reason = "OK", last_ok, ok_txt
    for t1, v in sorted(failed.items()):
        p0 = t1.replace(minute=(t1.minute // 5) * 5)
        up = p0 + timedelta(minutes=5, seconds=rng.randint(20, 70))
        if up > now:
            break
        r, dd = k.crossed(a_fail, [(p0, v)], "ALARM")
        hist.append(k.history(a_fail, up, "OK", "ALARM", r, dd, ok_txt))
        state, st_time, st_reason = "ALARM", up, r
        down = up + timedelta(minutes=5)
        if down <= now:
            hist.append(k.history(a_fail, down, "ALARM", "OK", ok_txt, None, r))
            state, st_time, st_reason = "OK", down, ok_txt
    a_fail.update(
        {
            "StateValue": state,
            "StateReason": st_reason,
            "StateUpdatedTimestamp": k.iso_ms(st_time),
            "StateTransitionedTimestamp": k.iso_ms(st_time),
        }
    )
    a_ret = k.alarm(
        account,
        region,
        "returns-sync-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "returns-sync"},
        stat="Sum",
        period=900,
        evals=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        reason=ok_txt,
        state_time=hiccup + timedelta(minutes=47),
        config_time=created,
        topic=topic,
        treat_missing="notBreaching",
        description="returns-sync failing for 30 minutes",
    )
    h0 = hiccup.replace(minute=(hiccup.minute // 15) * 15)
    r1, d1 = k.crossed(a_ret, [(h0, 1.0), (h0 + timedelta(minutes=15), 1.0)], "ALARM")
    r2, d2 = k.crossed(a_ret, [(h0 + timedelta(minutes=30), 0.0)], "OK")
    a_ret["StateReason"] = r2
    hist += [
        k.history(a_ret, h0 + timedelta(minutes=31), "OK", "ALARM", r1, d1, ok_txt),
        k.history(a_ret, hiccup + timedelta(minutes=47), "ALARM", "OK", r2, d2, r1),
    ]
    a_dur = k.alarm(
        account,
        region,
        "list-ready-shipments-duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "list-ready-shipments"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=45000,
        op="GreaterThanThreshold",
        state="OK",
        reason=ok_txt,
        state_time=created + timedelta(days=2),
        config_time=created,
        topic=topic,
        treat_missing="notBreaching",
        description="list-ready-shipments close to its 60 s timeout",
    )
    alarms = [a_fail, a_ret, a_dur]
    hist.sort(key=lambda h: str(h["Timestamp"]))

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = trail.who("github-actions-deploy", "GitHubActions")
    dep = onset - timedelta(minutes=rng.randint(38, 55))
    agent = "aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/lambda#3.682.0"
    ver = rng.randint(40, 90)
    sha = ids.upper(43) + "="
    trail.add(
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": "build-carrier-manifest",
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"deploy-artifacts-{account}",
            "s3Key": f"build-carrier-manifest/{ids.hex(40)}.zip",
        },
        {
            "functionName": "build-carrier-manifest",
            "functionArn": fn["build-carrier-manifest"],
            "runtime": "python3.12",
            "codeSha256": sha,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
        agent=agent,
    )
    trail.add(
        dep + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        gha,
        {"functionName": "build-carrier-manifest", "codeSha256": sha},
        {
            "functionName": "build-carrier-manifest",
            "functionArn": fn["build-carrier-manifest"] + f":{ver}",
            "version": str(ver),
            "codeSha256": sha,
        },
        agent=agent,
    )
    trail.add(
        dep + timedelta(seconds=11),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        gha,
        {"functionName": "build-carrier-manifest", "name": "live", "functionVersion": str(ver)},
        {"aliasArn": fn["build-carrier-manifest"] + ":live", "name": "live", "functionVersion": str(ver)},
        agent=agent,
    )
    devw = trail.who("AWSReservedSSO_PowerUser_9c2e71d04ab35f18", "tomas.dekker@" + "parcelgrid.example")
    trail.add(
        onset + timedelta(minutes=rng.randint(4, 20)),
        "scheduler.amazonaws.com",
        "UpdateSchedule",
        devw,
        {
            "name": "returns-sync",
            "groupName": "logistics",
            "scheduleExpression": "rate(15 minutes)",
            "flexibleTimeWindow": {"mode": "FLEXIBLE", "maximumWindowInMinutes": 5},
            "state": "ENABLED",
            "target": {
                "arn": fn["returns-sync"],
                "roleArn": f"arn:aws:iam::{account}:role/carrier-manifest-scheduler",
            },
        },
        {"scheduleArn": f"arn:aws:scheduler:{region}:{account}:schedule/logistics/returns-sync"},
        agent="console.amazonaws.com",
        ip="84.241.197.33",
    )
    for _j in range(3):
        trail.add(
            now - timedelta(minutes=rng.randint(2, 15)),
            "states.amazonaws.com",
            rng.choice(["DescribeExecution", "ListExecutions", "GetExecutionHistory"]),
            devw,
            {"stateMachineArn": sm_arn, "maxResults": 100},
            None,
            read_only=True,
            agent="console.amazonaws.com",
            ip="84.241.197.33",
        )
    trail.poll_noise(
        rng,
        start,
        now,
        [
            ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("states.amazonaws.com", "ListStateMachines", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("scheduler.amazonaws.com", "ListSchedules", {"maxResults": 100}),
            ("tag.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
        ],
        every=600,
    )

    # --- resources --------------------------------------------------------------------------------
    definition = {
        "Comment": "Hourly carrier manifests (pre-alerts) for all carriers",
        "StartAt": "ListReadyShipments",
        "States": {
            "ListReadyShipments": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn["list-ready-shipments"], "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Next": "BuildCarrierManifests",
            },
            "BuildCarrierManifests": {
                "Type": "Map",
                "ItemsPath": "$.by_carrier",
                "MaxConcurrency": 4,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "BuildManifest",
                    "States": {
                        "BuildManifest": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {
                                "FunctionName": fn["build-carrier-manifest"] + ":live",
                                "Payload.$": "$",
                            },
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                },
                "ResultPath": "$.manifests",
                "Next": "SubmitManifests",
            },
            "SubmitManifests": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": fn["submit-carrier-manifest"],
                    "Payload": {"manifests.$": "$.manifests"},
                },
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
    }
    lg_arn = f"arn:aws:logs:{region}:{account}:log-group:/aws/vendedlogs/states/{sm_name}-Logs:*"
    resources = [
        k.res(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {
                "stateMachineArn": sm_arn,
                "name": sm_name,
                "status": "ACTIVE",
                "definition": json.dumps(definition, indent=2),
                "roleArn": f"arn:aws:iam::{account}:role/{sm_name}-sfn",
                "type": "STANDARD",
                "creationDate": k.iso_ms(created),
                "loggingConfiguration": {
                    "level": "ERROR",
                    "includeExecutionData": True,
                    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": lg_arn}}],
                },
                "tracingConfiguration": {"enabled": False},
                "revisionId": ids.uuid(),
            },
        ),
        k.lambda_fn(
            account,
            region,
            "list-ready-shipments",
            "list-ready-shipments-role",
            created + timedelta(days=120),
            memory=1024,
            timeout=60,
            env={"DB_SECRET_ARN": f"arn:aws:secretsmanager:{region}:{account}:secret:wms-ro-{ids.hex(6)}"},
        ),
        k.lambda_fn(
            account,
            region,
            "build-carrier-manifest",
            "build-carrier-manifest-role",
            dep,
            memory=1536,
            timeout=300,
            sha=sha,
        ),
        k.lambda_fn(
            account,
            region,
            "submit-carrier-manifest",
            "submit-carrier-manifest-role",
            created + timedelta(days=200),
            memory=512,
            timeout=120,
        ),
        k.lambda_fn(
            account,
            region,
            "returns-sync",
            "returns-sync-role",
            created + timedelta(days=90),
            memory=256,
            timeout=30,
        ),
        k.schedule(
            account,
            region,
            "carrier-manifest-hourly",
            "cron(0 7-22 ? * MON-SAT *)",
            tz,
            sm_arn,
            "carrier-manifest-scheduler",
            created,
            created + timedelta(days=40),
            group="logistics",
        ),
        k.schedule(
            account,
            region,
            "returns-sync",
            "rate(15 minutes)",
            tz,
            fn["returns-sync"],
            "carrier-manifest-scheduler",
            created,
            onset + timedelta(minutes=10),
            group="logistics",
        ),
        k.role(ids, account, f"{sm_name}-sfn", "states.amazonaws.com", created, now, region),
        k.role(ids, account, "carrier-manifest-scheduler", "scheduler.amazonaws.com", created, now, region),
        k.log_group(account, region, f"/aws/vendedlogs/states/{sm_name}-Logs", created, 30),
    ] + [k.log_group(account, region, f"/aws/lambda/{n}", created, 14) for n in fn]
    resources += [k.res("stepfunctions", "DescribeExecutionOutput", e) for e in execs]
    resources[6]["item"]["FlexibleTimeWindow"] = {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5}

    question = (
        f"The warehouse says no carrier pre-alerts have gone out since the {fail_hour}:00 run, DHL is asking "
        "where the manifest is and trucks leave at 4. Did this morning's manifest release break it?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": account,
        "region": region,
        "start": k.iso(start),
        "end": k.iso(end),
        "now": k.iso(now),
        "trigger": {"question": question, "alarm_event": None, "timezone": tz},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": sm_arn,
                "category": "limit",
                "failure_mode": "state-payload-size-quota",
            },
            "also_accept": [sm_name],
            "actions": ["reconfigure"],
            "chain": [sm_name, "submit-carrier-manifest"],
        },
    }
    return k.bundle(
        manifest,
        metrics=mets,
        alarms=alarms,
        alarm_history=hist,
        logs=logs,
        cloudtrail=[r for r in trail.sorted() if r["eventTime"] <= k.iso(now)],
        resources=resources,
    )
