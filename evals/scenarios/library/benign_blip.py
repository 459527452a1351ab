"""#20 No fault: an over-sensitive alarm fired on a short, harmless blip and recovered by itself.

The right answer is "no root cause": the metric was back to normal within minutes, nothing else
moved, and the alarm (one datapoint out of one, a tight threshold) is what needs changing.
"""

from __future__ import annotations

import random
from dataclasses import replace

from evals.bundle.model import Truth
from evals.scenarios import assembly
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.baseline import Traffic, build_baseline, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario

QUESTIONS = [
    "I got paged at {t} for {alarm}. Is something actually wrong?",
    "{alarm} went off around {t}. Do we need to do anything?",
    "Was there an incident at {t}? The alarm fired and then cleared.",
]


@scenario(
    20,
    "benign-blip",
    "No fault: an over-sensitive alarm fired on a short blip",
    "A one-of-one alarm with a tight threshold fires on a two-minute blip that recovers by itself.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc, db = acct.services[0], acct.database
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    length = rng.randrange(1, 4)
    kind = rng.choice(["latency", "target_5xx", "db_cpu"])
    onset_i = w.index(w.onset)
    if kind == "latency":
        s = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
        usual = max(v or 0 for v in s.values[:onset_i])
        factor = rng.uniform(2.5, 6)
        s.apply(w, w.onset, lambda k, v: v * factor, w.at(onset_i + length))
        refresh_alb_latency(inc, traffic)
        threshold = round(usual * rng.uniform(1.2, 1.6), 2)
        tuned = AlarmSpec(
            f"{svc.tg_name}-latency",
            s,
            "Average",
            60,
            threshold,
            "GreaterThanThreshold",
            1,
            1,
            "missing",
            f"{svc.name} is slow",
        )
        what = f"{svc.name} latency rose {factor:.1f}x for {length} min"
    elif kind == "target_5xx":
        s = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
        usual = max(v or 0 for v in s.values[:onset_i])
        burst = usual + rng.randrange(6, 25)
        s.apply(w, w.onset, lambda k, v: v + burst, w.at(onset_i + length))
        threshold = float(int(usual) + rng.randrange(2, 5))
        tuned = AlarmSpec(
            f"{svc.tg_name}-target-5xx",
            s,
            "Sum",
            60,
            threshold,
            "GreaterThanThreshold",
            1,
            1,
            "notBreaching",
            f"{svc.name} targets are returning 5XX",
        )
        what = f"{int(burst)} target 5XX errors a minute on {svc.tg_name} for {length} min"
    else:
        s = inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer)
        level = rng.uniform(82, 96)
        s.apply(w, w.onset, lambda k, v: max(v, level + rng.gauss(0, 1.5)), w.at(onset_i + length))
        tuned = AlarmSpec(
            f"{db.writer}-cpu",
            s,
            "Average",
            60,
            80.0,
            "GreaterThanThreshold",
            1,
            1,
            "missing",
            "Database writer CPU",
        )
        what = f"{db.writer} CPU at {level:.0f}% for {length} min"
    inc.hop(what, s.resource, w.onset, s)
    inc.title = f"{tuned.name} fired and cleared"

    topic = assembly.background(
        inc,
        traffic,
        near=[
            "db_parameter",
            "launch_template_version",
            "function_code",
            "target_group_attributes",
            "alb_ingress",
        ],
    )
    alarms = assembly.standard_alarms(inc, topic, replace={kind: replace(tuned)})
    spec, transitions = alarms[kind]
    question = rng.choice(QUESTIONS).format(t=assembly.local_time(inc, w.onset), alarm=spec.name)
    first = assembly.alarm_trigger(inc, spec, transitions, w.onset, question if rng.random() < 0.5 else None)
    inc.truth = Truth(
        no_fault=True,
        actions=["reconfigure"],
        chain=[
            what,
            f"{spec.name} alarms on 1 datapoint out of 1 and fired at {first.at:%H:%M} UTC",
            "the metric returned to normal by itself; nothing else changed in step",
        ],
    )
    return inc
