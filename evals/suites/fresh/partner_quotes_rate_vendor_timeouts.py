"""Partner shipping quotes failing with 503: the carrier-rates vendor the quote function calls stopped answering."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzze import (
    Account,
    Ctx,
    access_log,
    api_metrics,
    diurnal,
    dynamo_metrics,
    iso,
    lambda_metrics,
    sqs_metrics,
    waf_metrics,
)

NAME = "partner-quotes-rate-vendor-timeouts"
TITLE = "Shipping quotes on the partner API erroring and slow; order submission unaffected"
SUMMARY = (
    "The third-party carrier-rates API that the shipping-quote function calls synchronously began timing out; "
    "the function caught the read timeouts and returned 503, so quotes failed while everything else was healthy."
)

PREFIXES = ["nordfreight", "bluecart", "parcelly", "shipwise", "cargolane", "tradepost"]
VENDORS = ["api.ratebridge.io", "rates.carrierhub.net", "api.tariffly.com", "quote.freightmesh.io"]


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    a = Account(c, r.choice(PREFIXES))
    a.standing()
    onset = c.onset
    vendor = r.choice(VENDORS)
    read_timeout = r.choice([8, 10])
    fail_peak = r.uniform(0.55, 0.8)
    base = r.uniform(110, 240)
    traffic = {t: diurnal(t, base, r) for t in c.minutes(1)}

    def count(t: datetime) -> float:
        return traffic.get(t, base)

    def fshare(t: datetime) -> float:
        if t < onset:
            return 0.002
        ramp = min(1.0, (t - onset).total_seconds() / 300)
        return fail_peak * ramp * r.uniform(0.9, 1.08)

    qshare = 0.14

    def quotes(t: datetime) -> float:
        return count(t) * qshare

    def qdur(t: datetime) -> float:
        f = fshare(t)
        return (1 - f) * r.uniform(420, 650) * (1 + 2 * f) + f * read_timeout * 1000

    api_metrics(
        a,
        count,
        lambda t: count(t) * 0.011 * r.uniform(0.6, 1.4),
        lambda t: quotes(t) * fshare(t),
        lambda t: r.uniform(90, 130) * (1 + 20 * fshare(t) * qshare),
        lambda t: r.uniform(65, 95) * (1 + 22 * fshare(t) * qshare),
    )
    waf_metrics(a, count, {"AWS-AWSManagedRulesAmazonIpReputationList": lambda t: r.choice([0, 0, 0, 1, 4])})
    lambda_metrics(
        a,
        a.fn_quote,
        quotes,
        lambda t: r.choice([0] * 40 + [1]),
        qdur,
        conc=lambda t: quotes(t) * qdur(t) / 60000 + 1,
    )
    lambda_metrics(
        a,
        a.fn_create,
        lambda t: count(t) * 0.36,
        lambda t: r.choice([0] * 25 + [1]),
        lambda t: r.uniform(140, 210),
    )
    lambda_metrics(a, a.fn_get, lambda t: count(t) * 0.45, lambda t: 0, lambda t: r.uniform(25, 45))
    lambda_metrics(a, a.fn_auth, lambda t: count(t) * 0.08, lambda t: 0, lambda t: r.uniform(8, 20))
    lambda_metrics(a, a.fn_notify, lambda t: count(t) * 0.036, lambda t: 0, lambda t: r.uniform(120, 260))
    sqs_metrics(
        a, a.queue, lambda t: count(t) * 0.36 * 5, lambda t: r.uniform(0, 6), lambda t: r.uniform(1, 9)
    )
    dynamo_metrics(a, a.table, lambda t: count(t) * 0.45 / 60 * 2, lambda t: count(t) * 0.36 / 60 * 3)

    # --- CloudTrail ---------------------------------------------------------------------------------
    # the quote function itself was deployed well before, with a new vendor-SDK version pinned (innocent)
    a.deploy(onset - timedelta(minutes=r.randint(75, 140)), a.fn_quote)
    a.deploy(onset - timedelta(minutes=r.randint(15, 35)), a.fn_auth)
    dev = c.sso(r.choice(["r.osei", "t.lindqvist", "a.haddad"]), "PowerUserAccess")
    c.ct(
        onset - timedelta(minutes=r.randint(40, 60)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        dev,
        {"queueUrl": a.queue_url(a.dlq), "attributes": {"MessageRetentionPeriod": "1209600"}},
        None,
    )
    for _ in range(3):
        c.ct(
            onset + timedelta(minutes=r.randint(10, 30)),
            "lambda.amazonaws.com",
            r.choice(
                [
                    "GetFunction20150331v2",
                    "GetFunctionConfiguration20150331v2",
                    "ListVersionsByFunction20150331",
                ]
            ),
            dev,
            {"functionName": a.fn_quote},
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )
    c.ct(
        onset + timedelta(minutes=r.randint(12, 25)),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        dev,
        {"secretId": f"{a.prefix}/carrier-rates/api-key"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    a.readonly_noise(r.randint(35, 50))
    a.kms_decrypts(r.randint(6, 12))
    c.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": c.arn("secretsmanager", f"secret:{a.prefix}/carrier-rates/api-key-{c.alnum(6)}"),
            "Name": f"{a.prefix}/carrier-rates/api-key",
            "Description": "API key for the carrier-rates vendor",
            "LastChangedDate": iso(c.start - timedelta(days=r.randint(20, 80))),
            "LastAccessedDate": iso(c.start.replace(hour=0, minute=0)),
            "CreatedDate": iso(c.start - timedelta(days=400)),
            "SecretVersionsToStages": {c.uuid(): ["AWSCURRENT"]},
        },
    )

    # --- logs and traces ------------------------------------------------------------------------------
    names = r.sample(["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay"], 5)
    keys = {p: c.alnum(10) for p in names}
    for t in c.minutes(1):
        for _ in range(r.randint(1, 3)):
            at = t + timedelta(seconds=r.uniform(0, 59))
            p = r.choice(names)
            pick = r.random()
            if pick < qshare * 1.5:
                failed = r.random() < fshare(t)
                access_log(
                    a,
                    at,
                    "POST",
                    "/v1/quotes",
                    503 if failed else 200,
                    read_timeout * 1000 + r.randint(40, 300) if failed else r.randint(380, 900),
                    key=keys[p],
                    ua="okhttp/4.12.0",
                    length=71 if failed else 0,
                )
            elif pick < 0.55:
                access_log(
                    a, at, "POST", "/v1/orders", 201, r.randint(110, 260), key=keys[p], ua="okhttp/4.12.0"
                )
            else:
                access_log(
                    a,
                    at,
                    "GET",
                    "/v1/orders/{orderId}",
                    404 if r.random() < 0.02 else 200,
                    r.randint(20, 60),
                    key=keys[p],
                    ua="okhttp/4.12.0",
                )

    state = {"failed": False}

    def quote_dur(t: datetime) -> float:
        state["failed"] = r.random() < fshare(t.replace(second=0, microsecond=0))
        return read_timeout * 1000 + 60 if state["failed"] else r.uniform(420, 700)

    def quote_lines(at: datetime, rid: str) -> list[str]:
        failed = state["failed"]
        lanes = r.randint(1, 6)
        if failed:
            return [
                f"[INFO]\t{iso(at)}\t{rid}\tquote request partner={r.choice(names)} lanes={lanes} carriers=ALL",
                f"[ERROR]\t{iso(at)}\t{rid}\tcarrier rates lookup failed: HTTPSConnectionPool(host='{vendor}', port=443): "
                f"Read timed out. (read timeout={read_timeout})",
                f"[WARNING]\t{iso(at)}\t{rid}\treturning 503 RATES_UNAVAILABLE to caller",
            ]
        return [
            f"[INFO]\t{iso(at)}\t{rid}\tquote request partner={r.choice(names)} lanes={lanes} carriers=ALL",
            f"[INFO]\t{iso(at)}\t{rid}\tcarrier rates ok carriers={r.randint(3, 9)} elapsed_ms={r.randint(300, 700)}",
        ]

    a.lambda_logs(a.fn_quote, lambda t: 0.8, quote_lines, 512, quote_dur)

    def create_lines(at: datetime, rid: str) -> list[str]:
        return [
            f"[INFO]\t{iso(at)}\t{rid}\tcreate_order partner={r.choice(names)} order_id=ord_{c.alnum(12)} status=ACCEPTED"
        ]

    a.lambda_logs(a.fn_create, lambda t: 0.4, create_lines, 1024, lambda t: 170)

    # X-Ray: sampled traces of the quote function (1 a minute, reservoir)
    for t in c.minutes(2):
        at = t + timedelta(seconds=r.uniform(0, 50))
        failed = r.random() < fshare(t)
        st = at.timestamp()
        vend = read_timeout + r.uniform(0.001, 0.02) if failed else r.uniform(0.3, 0.65)
        trace_id = f"1-{int(st):08x}-{c.hexid(24)}"
        sub: dict[str, Any] = {
            "id": c.hexid(16),
            "name": vendor,
            "namespace": "remote",
            "start_time": st + 0.012,
            "end_time": st + 0.012 + vend,
            "http": {"request": {"method": "POST", "url": f"https://{vendor}/v2/rates"}},
        }
        if failed:
            sub["fault"] = True
            sub["cause"] = {
                "working_directory": "/var/task",
                "exceptions": [
                    {
                        "id": c.hexid(16),
                        "message": f"HTTPSConnectionPool(host='{vendor}', port=443): Read timed out. "
                        f"(read timeout={read_timeout})",
                        "type": "ReadTimeout",
                        "remote": True,
                    }
                ],
            }
        else:
            sub["http"]["response"] = {"status": 200, "content_length": r.randint(900, 4000)}
        ddb = {
            "id": c.hexid(16),
            "name": "DynamoDB",
            "namespace": "aws",
            "start_time": st + 0.003,
            "end_time": st + 0.011,
            "aws": {"operation": "GetItem", "table_name": a.table, "region": c.region, "retries": 0},
            "http": {"response": {"status": 200}},
        }
        seg: dict[str, Any] = {
            "id": c.hexid(16),
            "trace_id": trace_id,
            "name": a.fn_quote,
            "start_time": st,
            "end_time": st + 0.02 + vend,
            "origin": "AWS::Lambda::Function",
            "aws": {
                "account_id": c.account,
                "function_arn": a.fn_arn(a.fn_quote),
                "resource_names": [a.fn_quote],
            },
            "subsegments": [ddb, sub],
        }
        c.traces.append(seg)

    # --- alarms -------------------------------------------------------------------------------------
    dims = {"ApiName": a.api_name, "Stage": a.stage}
    thr = float(max(8, round(base * qshare * 0.25)))
    first = min(
        (t for t in c.minutes(1) if t >= onset and quotes(t) * fshare(t) > thr),
        default=onset + timedelta(minutes=4),
    )
    fire = first + timedelta(minutes=3)
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold ({thr}) "
        f"(minimum 3 datapoints for OK -> ALARM transition)."
    )
    al = c.alarm(
        f"{a.api_name}-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        dims,
        "Sum",
        60,
        3,
        thr,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        reason,
        "Partner API 5xx",
        a.topic,
    )
    c.transition(al, fire, "OK", "ALARM", reason)
    d = c.alarm(
        f"{a.fn_quote}-duration-p90",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": a.fn_quote},
        "p90",
        300,
        2,
        3000.0,
        "GreaterThanThreshold",
        "ALARM",
        fire + timedelta(minutes=4),
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (3000.0) "
        "(minimum 2 datapoints for OK -> ALARM transition).",
        "quote latency",
        a.topic,
    )
    c.transition(d, fire + timedelta(minutes=4), "OK", "ALARM", d["StateReason"])
    c.alarm(
        f"{a.fn_quote}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": a.fn_quote},
        "Sum",
        300,
        1,
        10.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=9),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (10.0).",
        "quote errors",
        a.topic,
    )
    fl = c.alarm(
        f"{a.queue}-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": a.queue},
        "Maximum",
        300,
        1,
        600.0,
        "GreaterThanThreshold",
        "OK",
        c.start + timedelta(minutes=70),
        "Threshold Crossed: 1 datapoint [8.0] was not greater than the threshold (600.0).",
        "notifications backing up",
        a.topic,
    )
    del fl

    zone = r.choice(["America/New_York", "America/Los_Angeles", "Europe/Amsterdam"])
    local = (onset + timedelta(minutes=r.randint(3, 10))).astimezone(ZoneInfo(zone))
    q = (
        f"Getting reports that quotes are failing or hanging for partners since roughly {local:%-I:%M %p}. "
        f"We shipped a change to the quote service earlier today, should we roll it back?"
    )
    trigger = {
        "question": q,
        "timezone": zone,
        "alarm_event": c.alarm_event(
            al,
            fire,
            reason,
            {"version": "1.0", "queryDate": iso(fire), "statistic": "Sum", "period": 60, "threshold": thr},
        ),
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": vendor,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-read-timeouts",
        },
        "also_accept": [f"https://{vendor}/v2/rates", "carrier-rates vendor"],
        "actions": ["reconfigure"],
        "chain": [vendor, a.fn_quote, f"{a.api_name}/{a.stage} POST /v1/quotes"],
    }
    return c.bundle(TITLE, trigger, truth)
