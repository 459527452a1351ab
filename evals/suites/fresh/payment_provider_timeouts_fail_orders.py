"""The payment provider starts timing out and answering 503; the charge step fails after its retries."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzg as kit

NAME = "charge-payment-errors-page-after-lunch-deploy"
TITLE = "charge-payment errors alarm and failed orders, not long after a charge-payment deploy"
SUMMARY = (
    "The external payment provider degrades (read timeouts and 503s); charge-payment fails, Step Functions "
    "retries, and a share of order executions fail. A deploy of the function earlier is innocent."
)

PSP = "api.kestrelpay.com"


def build(seed: int) -> Bundle:
    ctx = kit.Ctx(seed, salt=NAME, onset_after_h=3.8, after_min=38)
    r = ctx.rng
    kit.pipeline_resources(ctx)
    onset = ctx.onset
    on_m = ctx.mi(onset)
    bad_share = r.uniform(0.55, 0.8)
    read_timeout = 8

    # the innocent deploy of the same function, 35-55 minutes before
    t_dep = onset - timedelta(minutes=r.randint(35, 55))
    ver = r.randint(110, 160)
    ident = ctx.role_identity("github-actions-deploy", f"gha-deploy-{r.randint(10000, 99999)}", t_dep)
    ctx.trail(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ident,
        req={"functionName": "charge-payment", "publish": True, "dryRun": False},
        resp={
            "functionName": "charge-payment",
            "functionArn": ctx.fn_arn("charge-payment") + f":{ver}",
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{ctx.account}:role/charge-payment-role",
            "handler": "app.handler",
            "codeSize": r.randint(4000000, 6000000),
            "timeout": 30,
            "memorySize": 1024,
            "lastModified": t_dep.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": ctx.hexid(43) + "=",
            "version": str(ver),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        agent="aws-cli/2.17.20 md/command#lambda.update-function-code",
    )
    ctx.trail(
        t_dep + timedelta(seconds=14),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ident,
        req={"functionName": "charge-payment", "name": "live", "functionVersion": str(ver)},
        resp={
            "aliasArn": ctx.fn_arn("charge-payment") + ":live",
            "name": "live",
            "functionVersion": str(ver),
            "description": "",
            "revisionId": ctx.uid(),
        },
        agent="aws-cli/2.17.20 md/command#lambda.update-alias",
    )
    kit.background_changes(ctx)
    ctx.tooling_noise(r.randint(34, 46))

    def hook(i: int, ts: datetime, m: kit.Minute) -> None:
        if i < on_m:
            return
        share = bad_share * min(1.0, (i - on_m + 1) / 3) * r.uniform(0.9, 1.1)
        orders = m["started"]
        first_fail = orders * share
        # each failing charge is retried three times by the state machine
        p_end = share**4
        m["charge_inv"] = round(orders + first_fail * (1 + share + share**2))
        m["charge_err"] = round(first_fail * (1 + share + share**2 + share**3))
        m["charge_ms"] = r.uniform(4500, 7000)
        m["failed"] = round(orders * p_end)
        m["succeeded"] = round(orders - m["failed"])
        m["exec_time_ms"] = r.uniform(14000, 30000)
        m["orders_wcu"] = m["succeeded"] * 2.0 + r.uniform(0, 6)
        m["proj_inv"] = max(1, round(m["succeeded"] / r.uniform(3, 6)))
        m["q_sent"] = m["succeeded"]
        m["ship_inv"] = max(1, round(m["succeeded"] / r.uniform(2, 4)))

    kit.carrier_slow_window(ctx)
    minutes = kit.emit_pipeline(ctx, r.uniform(50, 90), hook)
    kit.baseline_logs(ctx, skip=lambda fn, ts: ts >= onset and fn == "charge-payment")

    # a cold start of the new version after the deploy, healthy
    t = t_dep + timedelta(minutes=1, seconds=r.randint(0, 40))
    ctx.invocation_log(
        "charge-payment",
        t,
        [
            f"[INFO]\t{kit.lts(t)}\t{{rid}}\tcharge authorised order=ord_{ctx.hexid(12)} psp_ref=ch_{ctx.hexid(16)} latency_ms={r.randint(400, 700)}"
        ],
        duration=r.uniform(600, 900),
        memory=1024,
        used=148,
        init=r.uniform(700, 950),
    )
    t = onset + timedelta(seconds=r.randint(5, 30))
    while t < ctx.now:
        oid = f"ord_{ctx.hexid(12)}"
        roll = r.random()
        if roll < bad_share * 0.7:
            lines = [
                f"[WARNING]\t{kit.lts(t)}\t{{rid}}\tPSP call failed order={oid}: HTTPSConnectionPool(host='{PSP}', port=443): Read timed out. (read timeout={read_timeout})",
                f'[ERROR] PaymentProviderUnavailable: charge not confirmed for {oid} (timeout)\nTraceback (most recent call last):\n  File "/var/task/app.py", line 88, in handler\n    return charge(event)\n  File "/var/task/payments/client.py", line 141, in charge\n    raise PaymentProviderUnavailable(f"charge not confirmed for {{order_id}} (timeout)")',
            ]
            dur = read_timeout * 1000 + r.uniform(5, 60)
        elif roll < bad_share:
            lines = [
                f"[WARNING]\t{kit.lts(t)}\t{{rid}}\tPSP call failed order={oid}: POST https://{PSP}/v1/charges -> 503 Service Unavailable (x-request-id: req_{ctx.hexid(20)}, retry-after: 30)",
                f'[ERROR] PaymentProviderUnavailable: charge not confirmed for {oid} (503)\nTraceback (most recent call last):\n  File "/var/task/app.py", line 88, in handler\n    return charge(event)\n  File "/var/task/payments/client.py", line 147, in charge\n    raise PaymentProviderUnavailable(f"charge not confirmed for {{order_id}} ({{resp.status_code}})")',
            ]
            dur = r.uniform(1500, 4000)
        else:
            lines = [
                f"[INFO]\t{kit.lts(t)}\t{{rid}}\tcharge authorised order={oid} psp_ref=ch_{ctx.hexid(16)} latency_ms={r.randint(2500, 7600)}"
            ]
            dur = r.uniform(2600, 7700)
        ctx.invocation_log("charge-payment", t, lines, duration=dur, memory=1024, used=r.randint(140, 152))
        t += timedelta(seconds=r.randint(8, 35))

    for k in range(5):
        st = onset - timedelta(minutes=r.randint(5, 90) + k)
        ctx.execution("order-fulfilment", st, st + timedelta(seconds=r.uniform(0.9, 1.6)), "SUCCEEDED")
    for _ in range(12):
        st = onset + timedelta(seconds=r.randint(30, int((ctx.now - onset).total_seconds()) - 60))
        if r.random() < 0.5:
            ctx.execution(
                "order-fulfilment",
                st,
                st + timedelta(seconds=r.uniform(40, 58)),
                "FAILED",
                "OrderFulfilmentFailed",
                "see $.error",
            )
        else:
            ctx.execution("order-fulfilment", st, st + timedelta(seconds=r.uniform(3, 30)), "SUCCEEDED")

    alarms = kit.standard_alarms(ctx)
    i5 = int(on_m) + 5
    i5 -= i5 % 5
    errs = sum(minutes[j]["charge_err"] for j in range(i5 - 5, i5))
    while errs < 10:
        i5 += 5
        errs = sum(minutes[j]["charge_err"] for j in range(i5 - 5, i5))
    event = ctx.transition(
        alarms["charge_err"], ctx.at(i5 + 0.6), "ALARM", [float(errs)], period_end=ctx.at(i5 + 0.1)
    )
    bad = [i for i in range(int(on_m), len(minutes)) if minutes[i]["failed"] >= 5]
    runs = [i for i in bad if i + 1 in bad and i + 2 in bad]
    if runs:
        ctx.transition(
            alarms["sfn_failed"],
            ctx.at(runs[0] + 3.3),
            "ALARM",
            [float(minutes[runs[0] + 2 - j]["failed"]) for j in range(3)],
        )
    kit.notifier_flap(ctx, alarms["notifier_dur"], minutes)
    return ctx.bundle(
        TITLE,
        {"question": None, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": PSP,
                "category": "dependency_failure",
                "failure_mode": "payment-provider-timeouts-and-503s",
            },
            "also_accept": ["kestrelpay", "KestrelPay", f"https://{PSP}"],
            "actions": [],
            "chain": [PSP, "charge-payment", "order-fulfilment", "charge-payment-errors"],
        },
    )
