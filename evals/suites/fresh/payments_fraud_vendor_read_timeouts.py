"""The third-party fraud-screening API slows to a crawl; authorisations time out behind it."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzzk import Account, iso

NAME = "payments-fraud-vendor-read-timeouts"
TITLE = "Card authorisations slow and failing after this morning's authorize release?"
SUMMARY = (
    "The external fraud-screening API began answering in seconds instead of milliseconds; the authorize "
    "function's synchronous screening call hit its read timeout and API Gateway returned 5xx/504s."
)

VENDOR = "api.riskgate.io"


def build(seed: int) -> Bundle:
    acc = Account(seed, NAME)
    r = acc.r
    acc.base_resources()
    for res in acc.resources:
        item = res["item"]
        if res["type"] == "FunctionConfiguration" and item["FunctionName"] == "payments-authorize":
            item["Environment"]["Variables"].update(
                {
                    "FRAUD_API_URL": f"https://{VENDOR}/v3/screen",
                    "FRAUD_TIMEOUT_SECONDS": "8",
                    "FRAUD_FAIL_OPEN": "false",
                }
            )
    deploy_at = acc.onset - timedelta(minutes=r.randint(35, 70))
    peak = r.randint(220, 480)

    def slow(t: datetime) -> float:
        """Share of vendor calls that exceed the 8 s read timeout."""
        if t < acc.onset:
            return 0.0
        mins = (t - acc.onset).total_seconds() / 60
        return min(0.7, 0.15 + mins * 0.02) * r.uniform(0.85, 1.1)

    bad: dict[str, float] = {iso(t): slow(t) for t in acc.minutes()}
    vendor_ms = {
        iso(t): (r.uniform(70, 140) if bad[iso(t)] == 0 else r.uniform(3500, 7600)) for t in acc.minutes()
    }

    acc.api_metrics(
        peak,
        lambda t, n: n * 0.62 * bad[iso(t)] + n * r.uniform(0, 0.002),
        lambda t: 150 + vendor_ms[iso(t)] * 0.62 * (1 - bad[iso(t)]),
        tail=lambda t: (0.62 * bad[iso(t)], 8160.0),
    )

    def auth_dur(t: datetime) -> float:
        return 95 + vendor_ms[iso(t)] * (1 - bad[iso(t)]) + 8100 * bad[iso(t)]

    acc.lambda_metrics(
        "payments-authorize",
        lambda t: acc.traffic(t, peak * 0.62),
        lambda t, n: n * (bad[iso(t)] + r.uniform(0, 0.002)),
        auth_dur,
    )
    acc.lambda_metrics(
        "payments-capture",
        lambda t: acc.traffic(t, peak * 0.3),
        lambda t, n: n * r.uniform(0, 0.003),
        lambda t: r.uniform(90, 130),
    )
    acc.lambda_metrics(
        "payments-refund",
        lambda t: acc.traffic(t, peak * 0.05),
        lambda t, n: 0,
        lambda t: r.uniform(100, 160),
    )
    acc.rds_metrics(
        lambda t, i: r.uniform(18, 27) if i == acc.writer else r.uniform(9, 14),
        lambda t, i: r.uniform(40, 60) if i == acc.writer else r.uniform(12, 20),
    )
    pdims = {"ProxyName": acc.proxy}
    acc.series(
        "AWS/RDS", "ClientConnections", pdims, "Count", lambda t: r.uniform(140, 180) + 3 * auth_dur(t) / 100
    )
    acc.series("AWS/RDS", "DatabaseConnections", pdims, "Count", lambda t: r.uniform(40, 55))
    acc.series(
        "AWS/RDS", "DatabaseConnectionsBorrowLatency", pdims, "Microseconds", lambda t: r.uniform(300, 900)
    )

    # --- CloudTrail ------------------------------------------------------------------------------
    acc.tooling_noise(48)
    acc.innocent_lambda_deploy(deploy_at, "payments-authorize")
    acc.trail(
        deploy_at + timedelta(seconds=40),
        "lambda",
        "UpdateAlias20150331",
        acc.ci(),
        {"functionName": "payments-authorize", "name": "live", "functionVersion": str(r.randint(201, 260))},
        {"aliasArn": acc.fn_arn("payments-authorize") + ":live", "name": "live"},
        agent="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.5.0-1017-azure md/arch#x86_64 lang/python#3.12.3 cfg/retry-mode#legacy Botocore/1.34.84",
    )
    acc.innocent_lambda_deploy(acc.start + timedelta(minutes=r.randint(20, 90)), "payments-capture")
    acc.trail(
        acc.onset - timedelta(minutes=r.randint(5, 25)),
        "secretsmanager",
        "UpdateSecret",
        acc.sso(1),
        {"secretId": f"payments/{VENDOR.split('.')[1]}/api-key", "description": "RiskGate API key (prod)"},
        {
            "aRN": acc.arn("secretsmanager", f"secret:payments/riskgate/api-key-{acc.hexid(6)}"),
            "name": "payments/riskgate/api-key",
        },
        agent="AWS Internal",
    )
    acc.trail(
        acc.onset + timedelta(minutes=r.randint(3, 12)),
        "rds",
        "ModifyDBClusterParameterGroup",
        acc.sso(2),
        {
            "dBClusterParameterGroupName": "payments-aurora-mysql80",
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "2", "applyMethod": "immediate"}
            ],
        },
        {"dBClusterParameterGroupName": "payments-aurora-mysql80"},
        agent="AWS Internal",
    )
    eng = acc.sso(0)
    for k in range(5):
        t = acc.onset + timedelta(minutes=15 + 2 * k)
        acc.trail(
            t,
            "lambda",
            "GetFunction20150331v2",
            eng,
            {"functionName": "payments-authorize"},
            None,
            read_only=True,
            agent="AWS Internal",
        )

    # --- logs ------------------------------------------------------------------------------------
    stream = acc.lambda_stream("payments-authorize", acc.start)
    stream2 = acc.lambda_stream("payments-authorize", deploy_at)
    t = acc.start + timedelta(minutes=1)
    while t < acc.now:
        s = stream if t < deploy_at else stream2
        key = iso(t.replace(second=0))
        if bad[key] and r.random() < bad[key]:
            lines = [
                f"[ERROR]\t{iso(t)}\t{{rid}}\tfraud screening failed merchant=m_{r.randint(1000, 9999)}: "
                f"HTTPSConnectionPool(host='{VENDOR}', port=443): Read timed out. (read timeout=8)\n",
                "[ERROR] ReadTimeout: HTTPSConnectionPool(host='"
                + VENDOR
                + "', port=443): Read timed out. (read timeout=8)\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/app.py", line 61, in handler\n    score = fraud.screen(txn)\n'
                '  File "/var/task/payments/fraud.py", line 38, in screen\n'
                "    resp = self.session.post(self.url, json=body, timeout=(2, self.timeout))\n",
            ]
            acc.invocation("payments-authorize", s, t, 8000 + r.uniform(40, 160), lines)
        else:
            vm = int(vendor_ms[key])
            lines = [
                f"[INFO]\t{iso(t)}\t{{rid}}\tauthorize merchant=m_{r.randint(1000, 9999)} amount_minor={r.randint(300, 90000)} "
                f"currency=EUR fraud_score={r.randint(2, 60)} fraud_ms={vm} result=approved acquirer_ms={r.randint(90, 160)}\n"
            ]
            acc.invocation("payments-authorize", s, t, 100 + vm + r.uniform(20, 80), lines)
        t += timedelta(seconds=r.randint(25, 90))
    gw = f"API-Gateway-Execution-Logs_{acc.api_id}/prod"
    gws = acc.hexid(32)
    t = acc.onset + timedelta(minutes=1)
    while t < acc.now:
        if r.random() < bad[iso(t.replace(second=0))]:
            rid = acc.uid()
            acc.log(
                gw,
                gws,
                t,
                f"({rid}) Lambda execution failed with status 200 due to customer function error: HTTPSConnectionPool(host='{VENDOR}', port=443): Read timed out. (read timeout=8). Lambda request id: {acc.uid()}",
            )
            acc.log(gw, gws, t + timedelta(milliseconds=1), f"({rid}) Method completed with status: 502")
        t += timedelta(seconds=r.randint(15, 40))

    # --- alarms ----------------------------------------------------------------------------------
    fire = acc.onset + timedelta(minutes=r.randint(4, 8))
    errs = r.randint(60, 140)
    reason = (
        f"Threshold Crossed: 2 out of the last 2 datapoints [{errs}.0 ({fire.strftime('%d/%m/%y %H:%M')}:00), "
        f"{errs - r.randint(5, 30)}.0] were greater than the threshold (20.0) (minimum 2 datapoints for OK -> ALARM transition)."
    )
    a = acc.alarm(
        "payments-authorize-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "payments-authorize"},
        "Sum",
        20.0,
        "GreaterThanThreshold",
        60,
        2,
        "ALARM",
        reason,
        fire,
        desc="authorize function errors > 20/min",
    )
    acc.transition(a["AlarmName"], fire, "OK", "ALARM", reason)
    acc.alarm(
        "payments-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Sum",
        200.0,
        "GreaterThanThreshold",
        300,
        2,
        "OK",
        "Threshold Crossed: 2 datapoints were not greater than the threshold (200.0).",
        acc.start - timedelta(days=4),
    )
    cpu = "payments-aurora-reader-cpu"
    acc.alarm(
        cpu,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": acc.reader},
        "Maximum",
        12.0,
        "GreaterThanThreshold",
        60,
        1,
        "OK",
        "Threshold Crossed: 1 datapoint [10.4] was not greater than the threshold (12.0).",
        acc.start + timedelta(minutes=150),
        topic="payments-low-priority",
    )
    for k, m in enumerate((40, 44, 115, 118, 146, 150)):
        old, new = ("OK", "ALARM") if k % 2 == 0 else ("ALARM", "OK")
        v = r.uniform(12.2, 14.5) if new == "ALARM" else r.uniform(9.5, 11.5)
        word = "greater" if new == "ALARM" else "not greater"
        acc.transition(
            cpu,
            acc.start + timedelta(minutes=m),
            old,
            new,
            f"Threshold Crossed: 1 datapoint [{v:.1f}] was {word} than the threshold (12.0).",
        )
    acc.execution(
        acc.start - timedelta(hours=r.randint(6, 9)), timedelta(minutes=r.randint(12, 30)), "SUCCEEDED"
    )
    question = (
        f"We shipped payments-authorize at {acc.clock(deploy_at)} and now authorisations are slow and a lot of them "
        "fail. Should we roll the release back?"
    )
    event = acc.alarm_event(
        a, fire, reason, "Threshold Crossed: 2 datapoints were not greater than the threshold (20.0)."
    )
    return acc.bundle(
        TITLE,
        {"question": question, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": VENDOR,
                "category": "dependency_failure",
                "failure_mode": "third-party-fraud-api-slow",
            },
            "also_accept": ["riskgate", f"https://{VENDOR}/v3/screen"],
            "actions": ["reconfigure"],
            "chain": [VENDOR, "payments-authorize", "payments-api"],
        },
        timezone=acc.tz,
    )
