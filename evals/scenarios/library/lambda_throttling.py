"""#6 Lambda throttling after someone lowered a function's reserved concurrency.

The web tier invokes the function synchronously on part of its requests. Once reserved concurrency
is below the function's normal concurrency, the excess is throttled (429 TooManyRequestsException),
the SDK's retries do not help, and the web tier answers those requests with 5XX.
"""

from __future__ import annotations

import random
from datetime import datetime

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "Some {svc} requests have been failing with 5XX since {t}, maybe a third of them. What changed?",
    "Customers see errors on {product} since {t}. Not everything is down, just some pages.",
    "Why is {svc} returning 500s since {t}?",
]
ROUND = [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300]


def _round_down(value: float) -> int:
    """The round number a person would type, at or below `value`."""
    return max([r for r in ROUND if r <= value] or [1])


@scenario(
    6,
    "lambda-throttling",
    "Lambda throttled after reserved concurrency was lowered",
    "A PutFunctionConcurrency change caps a function below its load; the calling web tier returns 5XX.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "", functions=rng.randrange(3, 5))
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    fn = rng.choice(acct.functions)
    inc.protected.add(fn.arn)
    inc.title = f"{svc.name} errors: {fn.name} throttled"
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)

    # The web tier's calls are most of the function's invocations.
    share = rng.uniform(0.2, 0.45)
    dims = {"FunctionName": fn.name}
    inv = inc.get("AWS/Lambda", "Invocations", **dims)
    dur = inc.get("AWS/Lambda", "Duration", **dims)
    conc = inc.get("AWS/Lambda", "ConcurrentExecutions", **dims)
    throttles = inc.get("AWS/Lambda", "Throttles", **dims)
    rpm = traffic.rpm[svc.name]
    burst = rng.uniform(1.3, 1.7)
    demand = [rpm[i] * share + (inv.values[i] or 0) * 0.2 for i in range(w.minutes)]
    need = [demand[i] * (dur.values[i] or 100) / 60000 * burst for i in range(w.minutes)]
    inv.values = [float(round(d)) for d in demand]
    conc.values = [float(max(1, round(n))) for n in need]
    if fn.reserved is not None:
        fn.reserved = max(fn.reserved, int(max(need) * 2) // 10 * 10 + 10)
    onset_i = w.index(w.onset)
    new_limit = _round_down(need[onset_i] * rng.uniform(0.2, 0.5))
    old = fn.reserved

    person = rng.choice(cloudtrail.people(inc, 3))
    change = cloudtrail.record(
        inc,
        person,
        w.onset,
        "lambda.amazonaws.com",
        "PutFunctionConcurrency20171031",
        {"functionName": fn.name, "reservedConcurrentExecutions": new_limit},
        {"reservedConcurrentExecutions": new_limit},
    )
    fn.reserved = new_limit
    inc.hop("reserved concurrency lowered", fn.arn, w.onset)

    throttled: list[float] = [0.0] * w.minutes
    for i in range(onset_i, w.minutes):
        frac = max(0.0, 1 - new_limit / max(need[i], 1e-9))
        throttled[i] = frac
        ok = demand[i] * (1 - frac)
        inv.values[i] = float(round(ok))
        conc.values[i] = float(min(new_limit, max(1, round(need[i]))))
        # Each failed call is retried twice by the SDK; every attempt counts as a throttle.
        throttles.values[i] = float(round(demand[i] * frac * (1 + frac + frac * frac)))
    first_throttle = next(w.at(i) for i in range(onset_i, w.minutes) if (throttles.values[i] or 0) > 0)
    inc.hop("function invocations throttled", fn.arn, max(first_throttle, w.onset), throttles)

    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    for i in range(onset_i, w.minutes):
        # Retries do not help against sustained throttling: most throttled calls fail for good.
        fail = rpm[i] * share * throttled[i] * rng.uniform(0.7, 0.95)
        t5.values[i] = (t5.values[i] or 0) + float(round(fail))
        lat.values[i] = (lat.values[i] or 0.1) + share * throttled[i] * rng.uniform(0.15, 0.35)
    refresh_alb_latency(inc, traffic)
    app_at = inc.hop("web tier returns 5XX", svc.tg_arn, w.same_minute(w.onset, rng, (5, 40)), t5)
    _app_errors(inc, traffic, fn.name, throttled, share, app_at)

    lambda_dep = Dependency("lambda", fn.name, rng.uniform(40, 300), share)

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep is not lambda_dep or when < w.onset or rng.random() > throttled[w.index(when)]:
            return None
        return Outcome(
            extra_ms=rng.uniform(80, 400),
            throttle=True,
            exception="TooManyRequestsException",
            message="Rate Exceeded.",
            status=429,
        )

    topic = assembly.background(
        inc,
        traffic,
        near=["function_memory", "function_code", "ssm_parameter"],
        hook=hook,
        extra_deps=[lambda_dep],
        noise_exclude=("function_errors",),
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(
        inc, alarms, ["target_5xx", f"throttles:{fn.name}", "latency", "elb_5xx"], w.onset, question
    )
    inc.truth = Truth(
        root_cause=RootCause(
            resource=fn.arn,
            category="change",
            failure_mode="lambda-reserved-concurrency-lowered",
            event_id=change["eventID"],
        ),
        actions=["rollback", "reconfigure"],
        chain=[
            f"{person.name} set reserved concurrency of {fn.name} to {new_limit}"
            + (f" (was {old})" if old is not None else " (was unreserved)"),
            f"{fn.name} invocations above {new_limit} concurrent are throttled (429 TooManyRequestsException)",
            f"{svc.name} requests that call {fn.name} fail with 5XX",
        ],
    )
    return inc


def _app_errors(
    inc: Incident, traffic: Traffic, fn_name: str, throttled: list[float], share: float, since: datetime
) -> None:
    rng, w = inc.rng, inc.window
    svc = inc.account.services[0]
    for i in range(w.index(since), w.minutes):
        alive = svc.alive(w.at(i))
        # The app logs every failed invocation; keep a sample so the bundle stays small.
        for _ in range(min(poisson(rng, traffic.rpm[svc.name][i] * share * throttled[i]), 12)):
            t = w.moment(rng, i, since)
            logs.app_line(
                inc,
                svc,
                rng.choice(alive),
                t,
                "ERROR",
                f"Invoke {fn_name} failed after 3 attempts: TooManyRequestsException: Rate Exceeded. "
                f"(Service: Lambda, Status Code: 429, Request ID: {inc.account.ids.uuid()})",
            )
