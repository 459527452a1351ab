"""#7 Lambda timeouts after a code deploy.

CI deploys a new version of a function the web tier calls synchronously. The new code makes a slow
call on every invocation, durations climb to the function's timeout, invocations fail as timeouts
(counted in Errors), concurrency rises, and the web tier's requests that need the function fail.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "Requests to {svc} that generate documents time out since {t}.",
    "{svc} errors since {t}. The function dashboards look weird too.",
    "Why is {product} returning 502/504 since {t}?",
]


@scenario(
    7,
    "lambda-timeouts",
    "Lambda timeouts after a code deploy",
    "A new code version makes a function run into its timeout; the calling web tier returns errors.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "", functions=rng.randrange(3, 5))
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    fn = rng.choice(acct.functions)
    fn.reserved = None
    inc.protected.add(fn.arn)
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    share = rng.uniform(0.2, 0.45)
    dims = {"FunctionName": fn.name}
    inv = inc.get("AWS/Lambda", "Invocations", **dims)
    dur = inc.get("AWS/Lambda", "Duration", **dims)
    errs = inc.get("AWS/Lambda", "Errors", **dims)
    conc = inc.get("AWS/Lambda", "ConcurrentExecutions", **dims)
    rpm = traffic.rpm[svc.name]
    inv.values = [float(round(rpm[i] * share + (inv.values[i] or 0) * 0.2)) for i in range(w.minutes)]
    conc.values = [
        max(1.0, round((inv.values[i] or 0) * (dur.values[i] or 100) / 60000 * 1.4)) for i in range(w.minutes)
    ]

    ci = cloudtrail.ci_actor(inc)
    new_sha = acct.ids.upper(43) + "="
    change = cloudtrail.record(
        inc,
        ci,
        w.onset,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn.name, "publish": False, "dryRun": False},
        {
            "functionName": fn.name,
            "functionArn": fn.arn,
            "runtime": fn.runtime,
            "codeSha256": new_sha,
            "codeSize": rng.randrange(2000, 9000000),
            "timeout": fn.timeout,
            "memorySize": fn.memory,
            "lastUpdateStatus": "InProgress",
            "revisionId": acct.ids.uuid(),
        },
    )
    fn.code_sha, fn.last_modified = new_sha, w.onset
    inc.hop("new code deployed", fn.arn, w.onset)
    live = w.same_minute(w.onset, rng, (3, 20))  # the update finishes within seconds
    live_i = w.index(live)
    timeout_ms = fn.timeout * 1000.0
    stuck = rng.uniform(0.5, 0.95)  # invocations that wait on the new slow call until the timeout
    for i in range(live_i, w.minutes):
        calls = inv.values[i] or 0
        dur.values[i] = (dur.values[i] or 100) * (1 - stuck) + timeout_ms * stuck
        errs.values[i] = (errs.values[i] or 0) + float(round(calls * stuck))
        conc.values[i] = max(1.0, round(calls * (dur.values[i] or 100) / 60000 * 1.2))
    inc.hop("invocations run into the timeout", fn.arn, live, errs)

    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    for i in range(live_i, w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] * share * stuck * rng.uniform(0.85, 1.0)))
        lat.values[i] = (lat.values[i] or 0.1) + share * stuck * fn.timeout
    refresh_alb_latency(inc, traffic)
    inc.hop(f"{svc.name} returns 5XX", svc.tg_arn, w.same_minute(live, rng, (2, 30)), t5)
    stream = f"{w.onset:%Y/%m/%d}/[$LATEST]{acct.ids.hex(32)}"
    for i in range(live_i, w.minutes):
        for _ in range(min(poisson(rng, (inv.values[i] or 0) * stuck * 0.02), 10)):
            begin = w.moment(rng, i, live)
            end = begin + timedelta(milliseconds=timeout_ms + rng.randrange(5, 60))
            rid = acct.ids.uuid()
            inc.log(fn.log_group, stream, begin, f"START RequestId: {rid} Version: $LATEST")
            inc.log(
                fn.log_group,
                stream,
                end,
                f"{end:%Y-%m-%dT%H:%M:%S}.{end.microsecond // 1000:03d}Z {rid} Task timed out after "
                f"{(end - begin).total_seconds():.2f} seconds",
            )
            inc.log(fn.log_group, stream, end, f"END RequestId: {rid}")
            inc.log(
                fn.log_group,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: {timeout_ms:.2f} ms\tBilled Duration: {int(timeout_ms)} ms\t"
                f"Memory Size: {fn.memory} MB\tMax Memory Used: {rng.randrange(60, max(61, fn.memory // 2))} MB\t"
                "Status: timeout",
            )
        alive = svc.alive(w.at(i))
        for _ in range(min(poisson(rng, rpm[i] * share * stuck * 0.01), 10)):
            when = w.moment(rng, i, live)
            logs.app_line(
                inc,
                svc,
                rng.choice(alive),
                when,
                "ERROR",
                f"Invoke {fn.name} returned FunctionError=Unhandled: Task timed out after "
                f"{fn.timeout}.0 seconds",
            )

    dep = Dependency("lambda", fn.name, rng.uniform(60, 300), share)

    def hook(when: datetime, inst: Instance, d: Dependency) -> Outcome | None:
        if d is not dep or when < live or rng.random() > stuck:
            return None
        return Outcome(
            extra_ms=timeout_ms,
            fault=True,
            exception="Unhandled",
            message=f"Task timed out after {fn.timeout}.00 seconds",
            status=502,
        )

    topic = assembly.background(
        inc,
        traffic,
        near=["function_memory", "function_code", "ssm_parameter", "launch_template_version"],
        hook=hook,
        extra_deps=[dep],
        noise_exclude=("function_errors",),
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], w.onset, question)
    inc.title = f"{svc.name} errors: {fn.name} times out"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=fn.arn,
            category="change",
            failure_mode="lambda-timeouts-after-deploy",
            event_id=change["eventID"],
        ),
        actions=["rollback"],
        chain=[
            f"{ci.role} deployed new code to {fn.name}",
            f"{fn.name} invocations run into the {fn.timeout}s timeout (Errors, Duration at the limit)",
            f"{svc.name} requests that call {fn.name} fail with 5XX",
        ],
    )
    return inc
