"""Kastello marketplace: new listings stuck on 'Publishing…' since late morning."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zs as k

NAME = "kastello-listings-stuck-publishing"
TITLE = "New listings stuck on 'Publishing…' since late morning; edits to live listings fine"
SUMMARY = (
    "The machine-translation vendor the listing-publish workflow calls starts timing out; the translate "
    "step retries for twenty minutes per listing and then fails, so new listings never go live."
)

REGION = "eu-west-1"
UTC_OFFSET = 2  # CEST
VENDOR = "api.polyglotr.io"
LANGS = "de,fr,it,es,nl"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account_id(rng)
    day = k.pick_day(rng, 2024, (4, 5, 6, 9), (0, 1, 2, 3, 4))
    onset = day + timedelta(hours=9, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=30)).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(52, 62))).replace(second=0)
    points = k.grid(start, now, start)
    sm_name = "listing-publish"
    sm_arn = f"arn:aws:states:{REGION}:{acct}:stateMachine:{sm_name}"

    # --- simulate executions --------------------------------------------------------------------
    retry_waits = [20, 40, 80, 160, 320, 640]
    execs: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []  # translate invocations
    others: list[tuple[datetime, str, float]] = []  # other Lambda invocations
    t = start
    while t < now:
        rate = 3.4 * k.diurnal(t, UTC_OFFSET, 13, 0.2)
        for _ in range(6):
            if rng.random() >= rate / 6:
                continue
            t0 = t + timedelta(seconds=rng.uniform(0, 60))
            ex: dict[str, Any] = {
                "name": k.uid(rng),
                "start": t0,
                "listing": f"L{rng.randint(10**7, 10**8 - 1)}",
            }
            cur = t0 + timedelta(milliseconds=rng.randint(120, 400))
            dmod = rng.uniform(700, 1900)
            others.append((cur, "listing-moderate", dmod))
            cur += timedelta(milliseconds=dmod + rng.randint(40, 120))
            outcome = "FAILED"
            for n in range(len(retry_waits) + 1):
                if cur >= now:
                    outcome = "RUNNING"
                    break
                if cur < onset:
                    kind, dur = "ok", rng.uniform(380, 1250)
                else:
                    roll = rng.random()
                    kind, dur = (
                        ("timeout", rng.uniform(10005, 10090))
                        if roll < 0.72
                        else ("503", rng.uniform(240, 700))
                        if roll < 0.93
                        else ("ok", rng.uniform(4200, 8600))
                    )
                attempts.append(
                    {"t": cur, "res": kind, "dur": dur, "exec": ex["name"], "listing": ex["listing"], "n": n}
                )
                cur += timedelta(milliseconds=dur + rng.randint(30, 90))
                if kind == "ok":
                    outcome = "OK"
                    break
                if n < len(retry_waits):
                    cur += timedelta(seconds=retry_waits[n])
            if outcome == "OK":
                if cur >= now:
                    outcome = "RUNNING"
                else:
                    didx = rng.uniform(300, 900)
                    others.append((cur, "listing-index", didx))
                    cur += timedelta(milliseconds=didx + rng.randint(150, 400))
                    outcome = "SUCCEEDED"
            elif outcome == "FAILED":
                cur += timedelta(milliseconds=rng.randint(80, 200))
            ex["status"] = outcome
            ex["stop"] = cur if outcome in ("SUCCEEDED", "FAILED") and cur < now else None
            if ex["stop"] is None and outcome != "RUNNING":
                ex["status"] = "RUNNING"
            execs.append(ex)
        t += timedelta(minutes=1)

    # --- metrics --------------------------------------------------------------------------------
    M = k.Metrics()

    def minute(x: datetime) -> datetime:
        return x.replace(second=0, microsecond=0)

    sd = {"StateMachineArn": sm_arn}
    started: dict[datetime, int] = {}
    succ: dict[datetime, list[float]] = {}
    fail: dict[datetime, list[float]] = {}
    for ex in execs:
        started[minute(ex["start"])] = started.get(minute(ex["start"]), 0) + 1
        if ex["stop"] is not None:
            bucket = succ if ex["status"] == "SUCCEEDED" else fail
            bucket.setdefault(minute(ex["stop"]), []).append(
                (ex["stop"] - ex["start"]).total_seconds() * 1000
            )
    for tt, _ in points:
        ts = k.iso(tt)
        if started.get(tt):
            M.rows.append(
                {
                    "namespace": "AWS/States",
                    "metric": "ExecutionsStarted",
                    "dimensions": sd,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(started[tt]),
                }
            )
        for name, bucket in (("ExecutionsSucceeded", succ), ("ExecutionsFailed", fail)):
            if bucket.get(tt):
                M.rows.append(
                    {
                        "namespace": "AWS/States",
                        "metric": name,
                        "dimensions": sd,
                        "timestamp": ts,
                        "unit": "Count",
                        "value": float(len(bucket[tt])),
                    }
                )
        done = succ.get(tt, []) + fail.get(tt, [])
        if done:
            M.rows.append(
                {
                    "namespace": "AWS/States",
                    "metric": "ExecutionTime",
                    "dimensions": sd,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(len(done)),
                        "Sum": round(sum(done), 2),
                        "Minimum": round(min(done), 2),
                        "Maximum": round(max(done), 2),
                    },
                }
            )
    calls: dict[str, dict[datetime, list[tuple[float, bool]]]] = {}
    for a in attempts:
        calls.setdefault("listing-translate", {}).setdefault(minute(a["t"]), []).append(
            (a["dur"], a["res"] != "ok")
        )
    for ot, fn, d in others:
        calls.setdefault(fn, {}).setdefault(minute(ot), []).append((d, False))
    # listing-create (API) and listing-update run at the API's pace, unaffected
    for fn, base, dur in (("listing-create", 1.0, 140.0), ("listing-update", 4.5, 95.0)):
        for tt, _ in points:
            n = (
                sum(
                    1
                    for _ in range(20)
                    if rng.random() < base * 3.4 / 20 * k.diurnal(tt, UTC_OFFSET, 13, 0.2)
                )
                if fn == "listing-update"
                else started.get(tt, 0)
            )
            for _ in range(n):
                calls.setdefault(fn, {}).setdefault(tt, []).append(
                    (max(20.0, rng.gauss(dur, dur * 0.3)), False)
                )
    for fn, per in calls.items():
        fdims = {"FunctionName": fn}
        for tt, _ in points:
            cs = per.get(tt)
            if not cs:
                continue
            ts = k.iso(tt)
            durs = [c[0] for c in cs]
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Invocations",
                    "dimensions": fdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(len(cs)),
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Errors",
                    "dimensions": fdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(sum(1 for c in cs if c[1])),
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": fdims,
                    "timestamp": ts,
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(len(durs)),
                        "Sum": round(sum(durs), 2),
                        "Minimum": round(min(durs), 2),
                        "Maximum": round(max(durs), 2),
                    },
                }
            )
            M.rows.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "ConcurrentExecutions",
                    "dimensions": fdims,
                    "timestamp": ts,
                    "unit": "Count",
                    "value": float(max(1, round(sum(durs) / 60000 + rng.random()))),
                }
            )
    ad = {"ApiName": "kastello-seller-api", "Stage": "prod"}
    upd = calls.get("listing-update", {})
    M.count(
        "AWS/ApiGateway",
        "Count",
        ad,
        points,
        lambda tt: (
            len(upd.get(tt, []))
            + started.get(tt, 0)
            + k.noisy(rng, 28 * k.diurnal(tt, UTC_OFFSET, 13, 0.2), 0.1)
        ),
        sparse=False,
    )
    M.count("AWS/ApiGateway", "4XXError", ad, points, lambda tt: k.noisy(rng, 0.6, 0.8), sparse=False)
    M.count(
        "AWS/ApiGateway", "5XXError", ad, points, lambda tt: 1.0 if rng.random() < 0.02 else 0.0, sparse=False
    )
    M.stats(
        "AWS/ApiGateway",
        "Latency",
        ad,
        points,
        lambda tt, st: (
            30 * k.diurnal(tt, UTC_OFFSET, 13, 0.2),
            k.noisy(rng, 118, 0.07),
            11.0,
            k.noisy(rng, 900, 0.3),
        ),
    )
    M.count(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "kastello-listings"},
        points,
        lambda tt: (
            2.0 * (len(upd.get(tt, [])) + started.get(tt, 0))
            + 1.5 * len(succ.get(tt, []))
            + rng.uniform(0, 3)
        ),
    )
    M.count(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": "kastello-listings"},
        points,
        lambda tt: k.noisy(rng, 140 * k.diurnal(tt, UTC_OFFSET, 13, 0.2), 0.08),
    )
    M.gauge(
        "AWS/ES",
        "SearchLatency",
        {"DomainName": "kastello-search", "ClientId": acct},
        points,
        lambda tt: rng.gauss(14, 2),
        "Milliseconds",
    )
    M.count(
        "AWS/ES",
        "IndexingRate",
        {"DomainName": "kastello-search", "ClientId": acct},
        points,
        lambda tt: len(calls.get("listing-index", {}).get(tt, [])) * 1.0 + rng.uniform(2, 5),
    )

    # --- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{acct}:marketplace-alerts"
    cfg = day - timedelta(days=rng.randint(30, 300), hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
    alarms = [
        k.Alarm(
            acct,
            REGION,
            "listing-publish-executions-failed",
            namespace="AWS/States",
            metric="ExecutionsFailed",
            dims=sd,
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=5,
            comparison="GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            description="listing-publish workflow failures",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "seller-api-5xx",
            namespace="AWS/ApiGateway",
            metric="5XXError",
            dims=ad,
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=10,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Seller API errors",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "listing-index-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": "listing-index"},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=3,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Search indexing failures",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "kastello-search-latency",
            namespace="AWS/ES",
            metric="SearchLatency",
            dims={"DomainName": "kastello-search", "ClientId": acct},
            statistic="Average",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=200,
            comparison="GreaterThanThreshold",
            treat_missing="missing",
            description="Search latency",
            actions=[topic],
            configured=cfg,
        ),
    ]
    for alarm in alarms:
        alarm.evaluate(M.rows, start, now, rng)

    # --- logs and traces ------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    traces: list[dict[str, Any]] = []
    tstreams = [k.lambda_stream(rng, day) for _ in range(4)]
    tgrp = "/aws/lambda/listing-translate"
    for a in attempts:
        req = k.uid(rng)
        at: datetime = a["t"]
        st = rng.choice(tstreams)
        ms0 = k.ms(at)
        d = a["dur"]
        logs.append(
            {
                "log_group": tgrp,
                "log_stream": st,
                "timestamp": ms0,
                "message": f"START RequestId: {req} Version: $LATEST",
            }
        )
        if a["res"] == "ok":
            logs.append(
                {
                    "log_group": tgrp,
                    "log_stream": st,
                    "timestamp": ms0 + int(d) - 3,
                    "message": f"{k.iso_ms(at + timedelta(milliseconds=d))}\t{req}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "INFO",
                            "msg": "listing translated",
                            "listingId": a["listing"],
                            "source": rng.choice(["en", "de", "nl", "fr"]),
                            "targets": LANGS,
                            "chars": rng.randint(180, 2400),
                            "vendorMs": int(d - 60),
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        else:
            reason = (
                "timeout of 10000ms exceeded"
                if a["res"] == "timeout"
                else "Request failed with status code 503"
            )
            logs.append(
                {
                    "log_group": tgrp,
                    "log_stream": st,
                    "timestamp": ms0 + int(d) - 2,
                    "message": f"{k.iso_ms(at + timedelta(milliseconds=d))}\t{req}\tERROR\t"
                    + json.dumps(
                        {
                            "level": "ERROR",
                            "msg": "translation vendor call failed",
                            "listingId": a["listing"],
                            "attempt": a["n"] + 1,
                            "host": VENDOR,
                            "error": reason,
                            "code": "ECONNABORTED" if a["res"] == "timeout" else "ERR_BAD_RESPONSE",
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            logs.append(
                {
                    "log_group": tgrp,
                    "log_stream": st,
                    "timestamp": ms0 + int(d) - 1,
                    "message": f"{k.iso_ms(at + timedelta(milliseconds=d))}\t{req}\tERROR\tInvoke Error \t"
                    + json.dumps(
                        {
                            "errorType": "TranslationUnavailable",
                            "errorMessage": f"polyglotr: {reason}",
                            "stack": [
                                f"TranslationUnavailable: polyglotr: {reason}",
                                "    at translateListing (/var/task/index.js:212:13)",
                                "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                                "    at async Runtime.handler (/var/task/index.js:61:20)",
                            ],
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        logs.append(
            {
                "log_group": tgrp,
                "log_stream": st,
                "timestamp": ms0 + int(d),
                "message": f"END RequestId: {req}",
            }
        )
        logs.append(
            {
                "log_group": tgrp,
                "log_stream": st,
                "timestamp": ms0 + int(d),
                "message": k.report_line(req, d, 256, rng.randint(92, 104))
                + f"\nXRAY TraceId: 1-{int(at.timestamp()):08x}-{k.hexs(rng, 24)}\tSegmentId: {k.hexs(rng, 16)}\tSampled: true\t",
            }
        )
        if rng.random() < 0.35:
            tid = f"1-{int(at.timestamp()):08x}-{k.hexs(rng, 24)}"
            s0 = at.timestamp()
            sub: dict[str, Any] = {
                "id": k.hexs(rng, 16),
                "name": VENDOR,
                "namespace": "remote",
                "start_time": round(s0 + 0.05, 3),
                "end_time": round(s0 + d / 1000 - 0.01, 3),
                "http": {"request": {"url": f"https://{VENDOR}/v2/translate", "method": "POST"}},
            }
            if a["res"] == "ok":
                sub["http"]["response"] = {"status": 200, "content_length": rng.randint(900, 9000)}
            elif a["res"] == "503":
                sub["http"]["response"] = {"status": 503, "content_length": 19}
                sub["fault"] = True
                sub["cause"] = {
                    "working_directory": "/var/task",
                    "exceptions": [
                        {
                            "id": k.hexs(rng, 16),
                            "message": "Request failed with status code 503",
                            "type": "AxiosError",
                            "remote": True,
                        }
                    ],
                }
            else:
                sub["fault"] = True
                sub["cause"] = {
                    "working_directory": "/var/task",
                    "exceptions": [
                        {
                            "id": k.hexs(rng, 16),
                            "message": "timeout of 10000ms exceeded",
                            "type": "AxiosError",
                        }
                    ],
                }
            seg: dict[str, Any] = {
                "id": k.hexs(rng, 16),
                "trace_id": tid,
                "name": "listing-translate",
                "origin": "AWS::Lambda::Function",
                "start_time": round(s0, 3),
                "end_time": round(s0 + d / 1000, 3),
                "aws": {
                    "account_id": acct,
                    "function_arn": f"arn:aws:lambda:{REGION}:{acct}:function:listing-translate",
                    "resource_names": ["listing-translate"],
                },
                "subsegments": [
                    {
                        "id": k.hexs(rng, 16),
                        "name": "Invocation",
                        "start_time": round(s0 + 0.002, 3),
                        "end_time": round(s0 + d / 1000, 3),
                        "subsegments": [
                            sub,
                            {
                                "id": k.hexs(rng, 16),
                                "name": "SecretsManager",
                                "namespace": "aws",
                                "start_time": round(s0 + 0.01, 3),
                                "end_time": round(s0 + 0.03, 3),
                                "aws": {
                                    "operation": "GetSecretValue",
                                    "region": REGION,
                                    "request_id": k.uid(rng),
                                    "retries": 0,
                                },
                                "http": {"response": {"status": 200}},
                            },
                        ],
                    }
                ],
            }
            if a["res"] != "ok":
                seg["error"] = True
            traces.append(seg)
    for ot, fn, d in others:
        req = k.uid(rng)
        st = f"{ot:%Y/%m/%d}/[$LATEST]" + k.hexs(random.Random(f"{fn}{seed}{ot.hour}"), 32)
        grp = f"/aws/lambda/{fn}"
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": k.ms(ot),
                "message": f"START RequestId: {req} Version: $LATEST",
            }
        )
        if fn == "listing-moderate" and rng.random() < 0.04:
            logs.append(
                {
                    "log_group": grp,
                    "log_stream": st,
                    "timestamp": k.ms(ot) + 300,
                    "message": f"{k.iso_ms(ot)}\t{req}\tWARN\t"
                    + json.dumps(
                        {
                            "level": "WARN",
                            "msg": "image below minimum resolution, flagged for review",
                            "width": rng.randint(300, 599),
                        },
                        separators=(",", ":"),
                    ),
                }
            )
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": k.ms(ot) + int(d),
                "message": f"END RequestId: {req}",
            }
        )
        logs.append(
            {
                "log_group": grp,
                "log_stream": st,
                "timestamp": k.ms(ot) + int(d),
                "message": k.report_line(req, d, 512, rng.randint(140, 190)),
            }
        )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail -----------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    eng_n = rng.choice(["ines.carvalho", "pieter.jansen", "marta.kowalska", "luca.bernardi"])
    eng = tr.role("AWSReservedSSO_Engineer_" + k.hexs(rng, 16), f"{eng_n}@kastello.eu", sso=True)
    sec_n = rng.choice(["noah.schmitt", "elif.yilmaz", "sara.lind"])
    sec = tr.role(
        "AWSReservedSSO_Engineer_" + k.hexs(random.Random(acct), 16), f"{sec_n}@kastello.eu", sso=True
    )
    ci = tr.role("kastello-gitlab-deploy", "gitlab-ci-" + str(rng.randint(700000, 799999)))
    eng_ip = f"83.{rng.randint(40, 90)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    sec_ip = f"145.{rng.randint(50, 130)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    ci_ip = f"34.{rng.randint(70, 90)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    span = int((now - start).total_seconds() // 60)
    fns = ["listing-create", "listing-update", "listing-moderate", "listing-translate", "listing-index"]
    for i in range(15):
        tt = start + timedelta(minutes=rng.randint(3, span - 3))
        who, ip = (eng, eng_ip) if i % 2 else (sec, sec_ip)
        c = i % 5
        if c == 0:
            tr.add(
                tt,
                "states.amazonaws.com",
                "DescribeStateMachine",
                who,
                {"stateMachineArn": sm_arn},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif c == 1:
            tr.add(
                tt,
                "states.amazonaws.com",
                "ListExecutions",
                who,
                {"stateMachineArn": sm_arn, "maxResults": 100},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif c == 2:
            tr.add(
                tt,
                "lambda.amazonaws.com",
                "ListFunctions20150331",
                who,
                {"maxItems": 50},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif c == 3:
            tr.add(
                tt,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                who,
                {"tableName": "kastello-listings"},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        else:
            tr.add(
                tt,
                "monitoring.amazonaws.com",
                "GetMetricData",
                who,
                {"startTime": k.iso(tt - timedelta(hours=3)), "endTime": k.iso(tt)},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
    for _ in range(9):
        tt = start + timedelta(minutes=rng.randint(2, span - 2))
        fn = rng.choice(fns)
        tr.add(
            tt,
            "sts.amazonaws.com",
            "AssumeRole",
            k.Trail.service("lambda.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{acct}:role/{fn}-role", "roleSessionName": fn},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16, upper=True),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.alnum(rng, 40),
                    "expiration": (tt + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
            resources=[
                {"accountId": acct, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{acct}:role/{fn}-role"}
            ],
        )
    secret_name = "kastello/prod/polyglotr-api-key"
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:{secret_name}-{k.alnum(rng, 6)}"
    # the scheduled key rotation: a new key put by the security engineer ahead of the onset
    rot = onset - timedelta(minutes=rng.randint(24, 29), seconds=rng.randint(0, 59))
    new_ver = k.uid(rng)
    tr.add(
        rot - timedelta(minutes=1),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        sec,
        {"secretId": secret_name},
        None,
        read_only=True,
        ip=sec_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        rot,
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        sec,
        {"secretId": secret_name, "clientRequestToken": new_ver},
        {"arn": secret_arn, "name": secret_name, "versionId": new_ver, "versionStages": ["AWSCURRENT"]},
        read_only=False,
        ip=sec_ip,
        agent=k.CONSOLE_UA,
    )
    for _ in range(6):
        tt = rot + timedelta(seconds=rng.randint(200, int((now - rot).total_seconds()) - 60))
        tr.add(
            tt,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            tr.role("listing-translate-role", "listing-translate"),
            {"secretId": secret_arn},
            None,
            read_only=True,
            ip=f"{rng.choice(['52.49', '54.216', '34.252'])}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            agent=k.SDK_JS_UA.format(api="secrets-manager"),
        )
    # CI: the search indexer's deploy, a few minutes before the onset
    idx_deploy = onset - timedelta(minutes=rng.randint(7, 15), seconds=rng.randint(0, 59))
    tr.add(
        idx_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "listing-index",
            "s3Bucket": f"kastello-build-artifacts-{REGION}",
            "s3Key": f"listing-index/{k.hexs(rng, 40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "listing-index",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:listing-index",
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=ci_ip,
        agent="aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.15.0-1057-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#docker md/command#lambda.update-function-code",
    )
    tr.add(
        idx_deploy + timedelta(seconds=25),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ci,
        {"functionName": "listing-index", "environment": {}},
        {
            "functionName": "listing-index",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=ci_ip,
        agent="aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.15.0-1057-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#docker md/command#lambda.update-function-configuration",
    )
    tr.add(
        start + timedelta(minutes=rng.randint(20, 80)),
        "logs.amazonaws.com",
        "PutSubscriptionFilter",
        eng,
        {
            "logGroupName": "/aws/lambda/listing-create",
            "filterName": "to-datadog",
            "filterPattern": "",
            "destinationArn": f"arn:aws:firehose:{REGION}:{acct}:deliverystream/datadog-logs",
        },
        None,
        read_only=False,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    look = onset + timedelta(minutes=rng.randint(30, 40))
    tr.add(
        look,
        "states.amazonaws.com",
        "DescribeStateMachine",
        eng,
        {"stateMachineArn": sm_arn},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        look + timedelta(seconds=70),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        eng,
        {"functionName": "listing-index"},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )

    # --- resources ------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 700))
    res: list[dict[str, Any]] = []

    def add(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    fa = f"arn:aws:lambda:{REGION}:{acct}:function:"
    definition = {
        "Comment": "Moderate, translate, index and publish a new listing",
        "StartAt": "ModerateImages",
        "States": {
            "ModerateImages": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fa + "listing-moderate", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Next": "Translate",
            },
            "Translate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fa + "listing-translate", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [
                    {
                        "ErrorEquals": [
                            "TranslationUnavailable",
                            "Lambda.ServiceException",
                            "States.Timeout",
                        ],
                        "IntervalSeconds": 20,
                        "MaxAttempts": 6,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkFailed"}],
                "Next": "Index",
            },
            "Index": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fa + "listing-index", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Next": "Publish",
            },
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": "kastello-listings",
                    "Key": {"listingId": {"S.$": "$.listingId"}},
                    "UpdateExpression": "SET #s = :live",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":live": {"S": "LIVE"}},
                },
                "Next": "Announce",
            },
            "Announce": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {
                    "Entries": [
                        {"Source": "kastello.listings", "DetailType": "ListingPublished", "Detail.$": "$"}
                    ]
                },
                "End": True,
            },
            "MarkFailed": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": "kastello-listings",
                    "Key": {"listingId": {"S.$": "$.listingId"}},
                    "UpdateExpression": "SET #s = :f",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":f": {"S": "PUBLISH_FAILED"}},
                },
                "ResultPath": None,
                "Next": "Fail",
            },
            "Fail": {
                "Type": "Fail",
                "Error": "TranslationUnavailable",
                "Cause": "Translation step failed after retries",
            },
        },
    }
    add(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm_name,
            "status": "ACTIVE",
            "definition": json.dumps(definition, indent=2),
            "roleArn": f"arn:aws:iam::{acct}:role/listing-publish-sfn",
            "type": "STANDARD",
            "creationDate": k.iso(created),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": True},
            "revisionId": k.uid(rng),
        },
    )
    recent = [
        e for e in sorted(execs, key=lambda e: e["start"]) if e["start"] >= onset - timedelta(minutes=25)
    ]
    for ex in recent:
        item: dict[str, Any] = {
            "executionArn": f"arn:aws:states:{REGION}:{acct}:execution:{sm_name}:{ex['name']}",
            "stateMachineArn": sm_arn,
            "name": ex["name"],
            "status": ex["status"],
            "startDate": k.iso_ms(ex["start"]),
            "redriveCount": 0,
        }
        if ex["stop"] is not None:
            item["stopDate"] = k.iso_ms(ex["stop"])
        if ex["status"] == "FAILED":
            item["error"] = "TranslationUnavailable"
            item["cause"] = "Translation step failed after retries"
            item["redriveStatus"] = "REDRIVABLE"
        elif ex["status"] == "SUCCEEDED":
            item["redriveStatus"] = "NOT_REDRIVABLE"
            item["redriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        add("stepfunctions", "DescribeExecutionOutput", item)
    for fn, mem, tmo, desc in (
        ("listing-create", 512, 10, "POST /listings"),
        ("listing-update", 512, 10, "PATCH /listings/{id}"),
        ("listing-moderate", 1024, 30, "Image moderation (Rekognition)"),
        ("listing-translate", 256, 15, "Auto-translate listing text via Polyglotr"),
        ("listing-index", 512, 15, "Write listing to kastello-search"),
    ):
        env = {"POWERTOOLS_SERVICE_NAME": fn, "TABLE_NAME": "kastello-listings"}
        if fn == "listing-translate":
            env.update(
                {
                    "VENDOR_BASE_URL": f"https://{VENDOR}/v2",
                    "VENDOR_TIMEOUT_MS": "10000",
                    "TARGET_LANGS": LANGS,
                    "API_KEY_SECRET": secret_name,
                }
            )
        if fn == "listing-index":
            env["SEARCH_ENDPOINT"] = (
                f"https://vpc-kastello-search-{k.alnum(rng, 26)}.{REGION}.es.amazonaws.com"
            )
        lm = (
            idx_deploy + timedelta(seconds=27)
            if fn == "listing-index"
            else day - timedelta(days=rng.randint(6, 60))
        )
        add(
            "lambda",
            "FunctionConfiguration",
            k.function_config(
                acct,
                REGION,
                fn,
                runtime="nodejs20.x",
                handler="index.handler",
                role=f"{fn}-role",
                memory=mem,
                timeout=tmo,
                last_modified=lm,
                rng=rng,
                env=env,
                description=desc,
                tracing="Active" if fn == "listing-translate" else "PassThrough",
            ),
        )
        add("iam", "Role", k.role_item(acct, f"{fn}-role", "lambda.amazonaws.com", created, rng))
        add("logs", "LogGroup", k.log_group(acct, REGION, f"/aws/lambda/{fn}", created, 30))
    add("iam", "Role", k.role_item(acct, "listing-publish-sfn", "states.amazonaws.com", created, rng))
    add(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": secret_name,
            "Description": "Polyglotr API key (rotated quarterly by hand)",
            "RotationEnabled": False,
            "LastChangedDate": k.iso(rot),
            "LastAccessedDate": k.iso(day),
            "CreatedDate": k.iso(created),
            "SecretVersionsToStages": {new_ver: ["AWSCURRENT"], k.uid(rng): ["AWSPREVIOUS"]},
            "Tags": [{"Key": "vendor", "Value": "polyglotr"}],
        },
    )
    add(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "kastello-listings",
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "AttributeDefinitions": [{"AttributeName": "listingId", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "listingId", "KeyType": "HASH"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": k.iso(created),
            },
            "TableSizeBytes": rng.randint(2 * 10**9, 9 * 10**9),
            "ItemCount": rng.randint(10**6, 5 * 10**6),
            "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/kastello-listings",
            "TableId": k.uid(rng),
            "DeletionProtectionEnabled": True,
        },
    )
    api_id = k.alnum(rng, 10)
    add(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "kastello-seller-api",
            "createdDate": k.iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(rng, 10),
        },
    )

    q_time = (onset + timedelta(hours=UTC_OFFSET) - timedelta(minutes=rng.randint(0, 6))).strftime("%H:%M")
    question = (
        f"Sellers say new listings have been stuck on 'Publishing…' since around {q_time} and a few now say 'Publishing failed'. "
        "Edits to listings that are already live work fine. Can you find out what's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/Amsterdam"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": VENDOR,
                    "category": "dependency_failure",
                    "failure_mode": "third-party-api-timeouts",
                    "event_id": None,
                },
                "also_accept": ["polyglotr", f"https://{VENDOR}/v2/translate"],
                "actions": ["reconfigure"],
                "chain": [
                    f"The translation vendor {VENDOR} started timing out (10 s) or answering 503",
                    "listing-translate fails with TranslationUnavailable on nearly every call",
                    "The Translate state of listing-publish retries six times with backoff (about 21 minutes) per listing",
                    "New listings stay RUNNING in listing-publish, then fail into MarkFailed (PUBLISH_FAILED)",
                    "Sellers see listings stuck on 'Publishing…'; listing-update and the live listings are unaffected",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": M.rows,
            "alarms": [al.item() for al in alarms],
            "alarm_history": [h for al in alarms for h in al.history],
            "logs": logs,
            "traces": traces,
            "cloudtrail": tr.sorted_rows(),
            "resources": res,
        },
    )
