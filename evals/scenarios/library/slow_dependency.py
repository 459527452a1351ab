"""#19 A slow third-party dependency: an external API the web tier calls slows down and times out.

Nothing changed in the account. The traces show the time going into one remote node; the web tier's
latency and its timeouts follow. The same upstream timed out now and then before, as they all do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, logs
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp
from evals.scenarios.traces import Dependency, Outcome

PROVIDERS = [
    "api.shipengine.com",
    "api.taxjar.com",
    "checkout-live.adyen.com",
    "api.braintreegateway.com",
    "api.twilio.com",
    "api.easypost.com",
    "api.avalara.com",
]
QUESTIONS = [
    "{svc} is slow since {t}. We haven't deployed anything today.",
    "Checkout latency went through the roof at {t}, some requests time out. What is it?",
    "p99 on {product} jumped at {t}. Is it the database?",
]


@scenario(
    19,
    "slow-third-party",
    "A third-party API the web tier calls became slow",
    "An external dependency's latency rises to its timeout; traces show the remote node, no change caused it.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    provider = rng.choice(PROVIDERS)
    share = rng.uniform(0.25, 0.5)  # requests that call the provider
    timeout_s = rng.choice([3, 5, 10])
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    onset_i = w.index(w.onset)
    develop = rng.randrange(2, 8)
    slow_ms = rng.uniform(0.6, 0.95) * timeout_s * 1000
    timeouts = rng.uniform(0.2, 0.6)  # share of calls that hit the timeout once degraded

    def severity(when: datetime) -> float:
        return 0.0 if when < w.onset else ramp(int((when - w.onset).total_seconds() // 60) + 1, develop)

    inc.hop(f"{provider} slows down", provider, w.onset)
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        s = severity(w.at(i) + timedelta(seconds=59))
        lat.values[i] = (lat.values[i] or 0.1) + share * s * (
            slow_ms / 1000 * (1 - timeouts) + timeout_s * timeouts
        )
        t5.values[i] = (t5.values[i] or 0) + float(
            round(rpm[i] * share * s * timeouts * rng.uniform(0.8, 1.0))
        )
    refresh_alb_latency(inc, traffic)
    inc.hop(f"{svc.name} latency rises", svc.tg_arn, w.same_minute(w.onset, rng, (5, 40)), lat)
    for i in range(onset_i, w.minutes):
        alive = svc.alive(w.at(i))
        count = poisson(rng, rpm[i] * share * severity(w.at(i)) * timeouts * 0.01)
        for _ in range(min(count, 15)):
            when = w.moment(rng, i, w.onset)
            logs.app_line(
                inc,
                svc,
                rng.choice(alive),
                when,
                "ERROR",
                f"Upstream call to {provider} timed out after {timeout_s * 1000}ms (attempt 1 of 1)",
            )

    dep = Dependency("http", provider, rng.uniform(80, 220), share)

    def hook(when: datetime, inst: Instance, d: Dependency) -> Outcome | None:
        s = severity(when)
        if d is not dep or s == 0:
            return None
        if rng.random() < timeouts * s:
            return Outcome(
                extra_ms=timeout_s * 1000,
                fault=True,
                exception="SocketTimeoutException",
                message="Read timed out",
                status=504,
            )
        return Outcome(extra_ms=slow_ms * s * rng.uniform(0.7, 1.1))

    topic = assembly.background(
        inc,
        traffic,
        near=["launch_template_version", "function_code", "ssm_parameter", "alb_ingress"],
        hook=hook,
        extra_deps=[dep],
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["latency", "target_5xx"], w.onset, question)
    inc.title = f"{svc.name} slow: {provider} degraded"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=provider,
            category="dependency_failure",
            failure_mode="third-party-dependency-slow-or-failing",
        ),
        also_accept=[],
        actions=["reconfigure"],
        chain=[
            f"{provider} answers slowly ({slow_ms / 1000:.1f}s) or not at all",
            f"{svc.name} requests that call it wait up to their {timeout_s}s timeout",
            f"{svc.name} latency and 5XX rise",
        ],
    )
    return inc
