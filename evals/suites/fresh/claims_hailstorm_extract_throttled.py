"""A hailstorm's surge of claim uploads meets the extraction function's reserved concurrency."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzw import Pipeline, new_ctx

NAME = "claims-hailstorm-extract-throttled"
TITLE = "Claim files showing 'document processing failed' during the hailstorm FNOL surge"
SUMMARY = (
    "A catastrophe-event surge of uploads needs more concurrent extraction than the function's "
    "reserved concurrency allows; Lambda throttles it and Step Functions executions fail after retries."
)


def build(seed: int) -> Bundle:
    c = new_ctx(seed, onset_hour=(15, 17), after_min=(35, 50), salt=NAME)
    reserved = c.rng.choice([20, 25, 30])
    base = c.rng.uniform(38, 50)
    peak = c.rng.uniform(1.45, 1.7) * reserved * 0.9 * 60 / 7.0 / base
    ramp_start = c.onset - timedelta(minutes=c.rng.randint(55, 80))
    ramp_end = c.onset + timedelta(minutes=c.rng.randint(10, 20))
    p = Pipeline(c, base_per_min=base)
    n = p.names

    def volume(t: datetime) -> float:
        if t <= ramp_start:
            return 1.0
        if t >= ramp_end:
            return peak
        f = (t - ramp_start) / (ramp_end - ramp_start)
        return 1.0 + (peak - 1.0) * f

    def extract_ms(t: datetime) -> float:
        # storm claims carry more photos and longer estimates: more pages for Textract
        return 3400.0 + 3600.0 * min(1.0, max(0.0, (volume(t) - 1.0) / (peak - 1.0)))

    p.volume = volume
    p.duration["extract"] = extract_ms
    p.concurrency_cap["extract"] = reserved
    p.sfn_error["extract"] = lambda _t: (
        "Lambda.TooManyRequestsException",
        f"Rate Exceeded. (Service: Lambda, Status Code: 429, Request ID: {c.uid()})",
    )
    tz_offset = -5
    p.write_resources()
    c.resource(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": n["extract"], "ReservedConcurrentExecutions": reserved},
    )
    p.simulate(tz_offset)
    p.standard_alarms()
    p.noise(["samir.haddad@northfield-mutual.com", "kate.lindqvist@northfield-mutual.com"])

    # Textract itself is fine; claims ops opened the storm runbook and someone looked at quotas
    ops = c.identity_role(
        "AWSReservedSSO_ClaimsOperations_93be0c5d2a1f7e46", "rob.mcallister@northfield-mutual.com"
    )
    console = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    t = c.onset + timedelta(minutes=c.rng.randint(12, 20))
    for src, name, params in (
        (
            "states.amazonaws.com",
            "ListExecutions",
            {"stateMachineArn": p.sm_arn, "statusFilter": "FAILED", "maxResults": 100},
        ),
        ("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": p.sm_arn}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": n["extract"]}),
        ("lambda.amazonaws.com", "GetFunctionConcurrency20190930", {"functionName": n["extract"]}),
        (
            "servicequotas.amazonaws.com",
            "GetServiceQuota",
            {"serviceCode": "textract", "quotaCode": "L-2B9DB7F3"},
        ),
    ):
        c.trail(t, src, name, ops, params, None, read_only=True, agent=console, ip="203.0.113.41")
        t += timedelta(seconds=c.rng.randint(20, 90))
    # a scheduled scale-up of the portal's ECS service for the storm (innocent)
    ts = c.onset - timedelta(minutes=c.rng.randint(20, 35))
    c.trail(
        ts,
        "ecs.amazonaws.com",
        "UpdateService",
        ops,
        {"cluster": "claims-portal", "service": "claims-portal-web", "desiredCount": 12},
        {
            "service": {
                "serviceName": "claims-portal-web",
                "desiredCount": 12,
                "runningCount": 6,
                "status": "ACTIVE",
                "launchType": "FARGATE",
            }
        },
        read_only=False,
        agent=console,
        ip="203.0.113.41",
    )
    trans = c.evaluate_alarms(p.topic_arn)
    fired = next((x for x in trans["claims-doc-pipeline-executions-failed"] if x[2] == "ALARM"), None)
    event = c.alarm_event("claims-doc-pipeline-executions-failed", fired[0], fired[3]) if fired else None
    local = (c.onset + timedelta(hours=tz_offset, minutes=5)).replace(minute=(c.onset.minute // 15) * 15)
    q = (
        "Hail went through DFW this morning and FNOL volume is through the roof. Since around "
        f"{local:%-I:%M} a bunch of claim files say 'document processing failed' and adjusters are "
        "re-uploading, which probably makes it worse. Is the pipeline down or is Textract choking?"
    )
    return c.bundle(
        title=TITLE,
        question=q,
        tz="America/Chicago",
        alarm_event=event,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": n["extract"],
                "category": "limit",
                "failure_mode": "lambda-reserved-concurrency-exhausted",
            },
            "also_accept": [c.arn("lambda", f"function:{n['extract']}")],
            "actions": ["scale", "reconfigure"],
            "chain": [n["extract"], n["sm"]],
        },
    )
