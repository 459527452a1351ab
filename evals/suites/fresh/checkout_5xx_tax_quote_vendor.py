"""Checkout 502s at the registers: the third-party sales-tax quote API starts timing out and returning 503."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzm import (
    CLI_AGENT,
    Pos,
    all_functions,
    default_hooks,
    iso,
    standard_telemetry,
)

NAME = "checkout-5xx-tax-quote-vendor"
TITLE = "POS checkout API 5xx alarm mid-morning, about half an hour after a checkout deploy"
SUMMARY = (
    "The third-party sales-tax quote API degraded (timeouts, 503s); checkout Lambda errors become ALB 502s."
)

VENDOR = "api.levycalc.com"


def build(seed: int) -> Bundle:
    p = Pos(seed, hour=15, minute=10, days_back=0)
    r = p.rng
    onset = p.onset
    deploy_at = onset - timedelta(minutes=r.randint(22, 35))
    bad_frac = r.uniform(0.22, 0.34)
    hooks = default_hooks()

    def sick(t: datetime) -> float:
        if t < onset:
            return 0.0
        return bad_frac * min(1.0, (t - onset).total_seconds() / 240)

    def api_err(t: datetime) -> float:
        return sick(t) * 0.8

    def api_dur(t: datetime) -> float:
        return 1.0 + sick(t) * 6.0

    hooks.update(api_err=api_err, api_dur=api_dur)
    facts = standard_telemetry(p, r.randint(350, 560), hooks)
    p.base_resources()
    all_functions(p, {"api": deploy_at})

    deploy = p.who("deploy")
    sdk = "aws-sdk-js/3.511.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/lambda#3.511.0"
    ip = f"20.42.11.{r.randint(2, 250)}"
    sha = p.alnum(43) + "="
    for key, t in (("api", deploy_at), ("receipts", onset - timedelta(minutes=r.randint(80, 140)))):
        p.ct(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            deploy,
            {"functionName": p.fn[key], "publish": False, "dryRun": False, "architectures": ["arm64"]},
            {
                "functionName": p.fn[key],
                "functionArn": p.fn_arn(key),
                "runtime": "nodejs20.x",
                "codeSize": r.randint(900_000, 5_000_000),
                "timeout": p.timeouts[key],
                "memorySize": p.memory[key],
                "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "codeSha256": sha if key == "api" else p.alnum(43) + "=",
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
            },
            agent=sdk,
            ip=ip,
        )
        p.ct(
            t + timedelta(seconds=20),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            deploy,
            {"functionName": p.fn[key]},
            None,
            read_only=True,
            agent=sdk,
            ip=ip,
        )
    # an engineer bumps the inventory sync's memory (innocent)
    t = onset - timedelta(minutes=r.randint(50, 70))
    p.ct(
        t,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        p.who("sso", "maria.okafor"),
        {"functionName": p.fn["inventory"], "memorySize": 768},
        {
            "functionName": p.fn["inventory"],
            "functionArn": p.fn_arn("inventory"),
            "memorySize": 768,
            "timeout": 120,
            "runtime": "nodejs20.x",
            "lastModified": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
            "packageType": "Zip",
        },
        agent=CLI_AGENT + "lambda.update-function-configuration",
    )
    # a scheduled EventBridge target change for the nightly settlement
    p.ct(
        onset - timedelta(hours=2, minutes=r.randint(0, 30)),
        "events.amazonaws.com",
        "PutTargets",
        deploy,
        {
            "rule": f"{p.brand}-pos-eod-settlement",
            "eventBusName": "default",
            "targets": [{"id": "eod", "arn": p.fn_arn("eod")}],
        },
        {"failedEntryCount": 0, "failedEntries": []},
        agent=sdk.replace("api/lambda", "api/eventbridge"),
        ip=ip,
    )
    for i in range(4):
        p.ct(
            onset + timedelta(minutes=14 + i * 4),
            "logs.amazonaws.com",
            "StartQuery",
            p.who("sso", "dev.patel"),
            {
                "logGroupNames": [f"/aws/lambda/{p.fn['api']}"],
                "startTime": int((onset - timedelta(hours=1)).timestamp()),
                "endTime": int((onset + timedelta(minutes=14 + i * 4)).timestamp()),
                "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc",
            },
            {"queryId": p.uid()},
            read_only=True,
            agent="[Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36]",
        )
    p.tooling_noise(30)
    p.kms_decrypts(9)

    # checkout logs
    t = p.start
    stream = p.stream("api", t)
    k = 0
    while t < p.now:
        if deploy_at <= t < deploy_at + timedelta(seconds=30) or k % 45 == 0:
            stream = p.stream("api", t)
        s = sick(t)
        store = f"S{r.randint(100, 399):04d}"
        cart = r.randint(1, 14)
        lines = [
            ("INFO", f"POST /v2/checkout store={store} lane={r.randint(1, 12)} items={cart} tender=card")
        ]
        u = r.random()
        if u < s * 0.45:
            lines += [
                ("WARN", f"tax quote attempt=1 failed host={VENDOR} err=UND_ERR_CONNECT_TIMEOUT"),
                ("WARN", f"tax quote attempt=2 failed host={VENDOR} err=UND_ERR_CONNECT_TIMEOUT"),
                (
                    "ERROR",
                    'Invoke Error \t{"errorType":"TypeError","errorMessage":"fetch failed",'
                    '"cause":{"name":"ConnectTimeoutError","code":"UND_ERR_CONNECT_TIMEOUT","message":'
                    f'"Connect Timeout Error (attempted address: {VENDOR}:443, timeout: 3000ms)"}},'
                    '"stack":["TypeError: fetch failed","    at node:internal/deps/undici/undici:12618:11",'
                    '"    at async quoteTax (/var/task/index.js:48211:19)"]}',
                ),
            ]
            p.invocation("api", stream, t, r.uniform(6000, 6400), lines, mem_used=r.randint(130, 160))
        elif u < s:
            lines += [
                ("WARN", f"tax quote attempt=1 failed host={VENDOR} status=503 body=upstream connect error"),
                ("WARN", f"tax quote attempt=2 failed host={VENDOR} status=503 body=upstream connect error"),
                (
                    "ERROR",
                    'Invoke Error \t{"errorType":"TaxQuoteError","errorMessage":"LevyCalc '
                    '/v3/transactions/quote returned 503 Service Unavailable","status":503,"stack":['
                    '"TaxQuoteError: LevyCalc /v3/transactions/quote returned 503 Service Unavailable",'
                    '"    at quoteTax (/var/task/index.js:48230:13)"]}',
                ),
            ]
            p.invocation("api", stream, t, r.uniform(900, 2500), lines, mem_used=r.randint(130, 160))
        else:
            tq = r.randint(90, 260) if s == 0 else r.randint(600, 2900)
            d = r.lognormvariate(7.5, 0.4) + tq
            lines += [
                (
                    "INFO",
                    f"tax quote ok host={VENDOR} latencyMs={tq} jurisdiction=US-{r.choice(['NY', 'NJ', 'PA', 'CT'])}",
                ),
                ("INFO", f"authorize response resultCode=Authorised pspLatencyMs={r.randint(600, 2100)}"),
                ("INFO", f"order committed orderId=ord_{p.alnum(10)} status=200"),
            ]
            p.invocation(
                "api",
                stream,
                t,
                d,
                lines,
                mem_used=r.randint(120, 160),
                init_ms=r.uniform(600, 900) if k % 45 == 0 else None,
            )
        k += 1
        t += timedelta(seconds=r.randint(20, 45) if s == 0 else r.randint(6, 14))
    t = p.start
    stream = p.stream("ingest", t)
    while t < p.now:
        p.invocation(
            "ingest",
            stream,
            t,
            r.uniform(150, 400),
            [("INFO", f"processed batch size={r.randint(3, 10)} failures=0")],
            mem_used=r.randint(90, 120),
        )
        t += timedelta(seconds=r.randint(90, 240))

    # alarms
    first = None
    for m in p.metrics:
        if m["metric"] == "HTTPCode_ELB_5XX_Count" and m["timestamp"] >= iso(onset) and m["value"] > 20:
            first = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            break
    fire = (first or onset + timedelta(minutes=5)) + timedelta(minutes=3)
    fives = {m["timestamp"]: float(m["value"]) for m in p.metrics if m["metric"] == "HTTPCode_ELB_5XX_Count"}
    recent = [fives.get(iso(fire - timedelta(minutes=i)), 0.0) for i in (1, 2, 3)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{recent[0]} ("
        + (fire - timedelta(minutes=1)).strftime("%d/%m/%y %H:%M:%S")
        + f"), {recent[1]}, {recent[2]}] were greater than the threshold (20.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    a5 = p.alarm(
        f"{p.brand}-pos-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": p.alb_dim},
        "Sum",
        20,
        evals=3,
        state="ALARM",
        changed=fire,
        reason=reason,
    )
    p.transition(a5, fire, "OK", "ALARM", reason)
    ae = p.alarm(
        f"{p.brand}-pos-checkout-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.fn["api"]},
        "Sum",
        50,
        period=300,
        evals=1,
    )
    e_fire = fire + timedelta(minutes=2)
    er = "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (50.0)."
    ae.update(
        StateValue="ALARM",
        StateReason=er,
        StateUpdatedTimestamp=iso(e_fire),
        StateTransitionedTimestamp=iso(e_fire),
    )
    p.transition(ae, e_fire, "OK", "ALARM", er)
    p.alarm(
        f"{p.brand}-pos-aurora-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": p.writer},
        "Average",
        80,
        period=300,
        evals=3,
    )
    rc = p.alarm(
        f"{p.brand}-pos-receipt-mailer-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.fn["receipts"]},
        "Sum",
        0,
        period=60,
        evals=1,
    )
    for _ in range(2):
        ft = p.start + timedelta(minutes=r.randint(20, 150))
        p.transition(
            rc,
            ft,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0).",
        )
        p.transition(
            rc,
            ft + timedelta(minutes=1),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 "
            "datapoints [0.0] was not greater than the threshold (0.0).",
        )
    event = p.alarm_event(
        a5,
        fire,
        reason,
        {
            "version": "1.0",
            "queryDate": fire.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "startDate": (fire - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "statistic": "Sum",
            "period": 60,
            "recentDatapoints": recent,
            "threshold": 20.0,
            "evaluatedDatapoints": [],
        },
    )
    _ = facts
    return p.bundle(
        TITLE,
        None,
        event,
        {
            "no_fault": False,
            "root_cause": {
                "resource": VENDOR,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-degraded",
            },
            "also_accept": ["LevyCalc", "levycalc"],
            "actions": ["reconfigure"],
            "chain": [VENDOR, p.fn["api"], p.tg_name, p.alb_name],
        },
    )
