"""Agent batches rejected with 500s after the ingest integration's payload format was edited in the console."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzx import (
    Load,
    World,
    access_logs,
    base_resources,
    deploy,
    domain_status,
    flappy_alarm,
    iso,
    lambda_logs,
    platform_metrics,
    rollup_job,
    standard_alarms,
    tooling_reads,
)

NAME = "ingest-payload-format-flip"
TITLE = "Customers say new logs stopped arriving in their dashboards; ingest API 5xx alarm"
SUMMARY = (
    "An engineer adding a traces route edited the shared Lambda integration of the HTTP API and set its "
    "payload format to 1.0; the receiver, written for 2.0 events, raised KeyError on every request."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    w.window(
        r.choice([13.5, 14.0, 15.0]),
        timedelta(hours=3, minutes=r.randint(20, 50)),
        timedelta(minutes=r.randint(38, 55)),
    )
    on = w.onset
    base_resources(w, payload_version="1.0")
    w.resource("opensearch", "DomainStatus", domain_status(w, 1024))

    ld = Load(w)

    def broke(t: datetime) -> bool:
        return t >= on + timedelta(seconds=20)

    base5 = ld.api_5xx_rate
    ld.api_5xx_rate = lambda t: r.uniform(0.97, 0.985) if broke(t) else base5(t)
    ld.accepted = lambda t: 0.012 if broke(t) else 1.0
    ld.api_latency = lambda t: w.noise(19.0, 0.2) if broke(t) else w.noise(48.0, 0.15)
    platform_metrics(w, ld)
    rollup_job(w)

    # CloudTrail: tooling, innocent deploys, and the console session
    tooling_reads(w, 34)
    deploy(w, on - timedelta(minutes=r.randint(55, 80)), w.fn_receiver)
    deploy(w, on - timedelta(hours=2, minutes=r.randint(10, 40)), w.fn_rollup)
    dev = r.choice(["amaya.ortiz", "chen.li", "eli.park"])
    ops = w.identity("ben.kowalski", "AWSReservedSSO_PlatformEngineer_" + w.hx(16))
    t_cfg = on - timedelta(minutes=r.randint(14, 24))
    w.ct(
        t_cfg,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ops,
        {"functionName": w.fn_indexer, "environment": {}},
        {
            "functionName": w.fn_indexer,
            "functionArn": w.arn_fn(w.fn_indexer),
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "environment": {},
        },
        agent="console.amazonaws.com",
    )
    who = w.identity(f"{dev}@{w.co}.io", "AWSReservedSSO_PlatformEngineer_" + w.hx(16))
    console = "console.amazonaws.com"
    t0 = on - timedelta(minutes=r.randint(9, 13))
    w.ct(
        t0,
        "apigateway.amazonaws.com",
        "GetApi",
        who,
        {"apiId": w.api_id},
        None,
        read_only=True,
        agent=console,
    )
    w.ct(
        t0 + timedelta(seconds=6),
        "apigateway.amazonaws.com",
        "GetRoutes",
        who,
        {"apiId": w.api_id},
        None,
        read_only=True,
        agent=console,
    )
    w.ct(
        t0 + timedelta(seconds=9),
        "apigateway.amazonaws.com",
        "GetIntegrations",
        who,
        {"apiId": w.api_id},
        None,
        read_only=True,
        agent=console,
    )
    route_id = w.hexid(7)
    t1 = on - timedelta(minutes=r.randint(3, 6))
    w.ct(
        t1,
        "apigateway.amazonaws.com",
        "CreateRoute",
        who,
        {
            "apiId": w.api_id,
            "routeKey": "POST /v1/traces",
            "target": f"integrations/{w.integration_id}",
            "authorizationType": "NONE",
        },
        {
            "apiKeyRequired": False,
            "authorizationType": "NONE",
            "routeId": route_id,
            "routeKey": "POST /v1/traces",
            "target": f"integrations/{w.integration_id}",
        },
        agent=console,
    )
    culprit = w.ct(
        on,
        "apigateway.amazonaws.com",
        "UpdateIntegration",
        who,
        {
            "apiId": w.api_id,
            "integrationId": w.integration_id,
            "integrationMethod": "POST",
            "integrationType": "AWS_PROXY",
            "integrationUri": w.arn_fn(w.fn_receiver),
            "payloadFormatVersion": "1.0",
            "timeoutInMillis": 10000,
        },
        {
            "connectionType": "INTERNET",
            "integrationId": w.integration_id,
            "integrationMethod": "POST",
            "integrationType": "AWS_PROXY",
            "integrationUri": w.arn_fn(w.fn_receiver),
            "payloadFormatVersion": "1.0",
            "timeoutInMillis": 10000,
        },
        agent=console,
    )
    w.ct(
        on + timedelta(seconds=40),
        "apigateway.amazonaws.com",
        "GetStages",
        who,
        {"apiId": w.api_id},
        None,
        read_only=True,
        agent=console,
    )
    w.resource(
        "apigatewayv2",
        "ApiRoute",
        {
            "ApiId": w.api_id,
            "RouteId": route_id,
            "RouteKey": "POST /v1/traces",
            "AuthorizationType": "NONE",
            "ApiKeyRequired": False,
            "Target": f"integrations/{w.integration_id}",
        },
    )

    # logs
    def rcv(t: datetime) -> list[str]:
        if broke(t):
            return [
                '[ERROR] KeyError: \'http\'\nTraceback (most recent call last):\n  File "/var/task/app.py", line 57, in lambda_handler\n    method = event["requestContext"]["http"]["method"]\n'
            ]
        n = r.randint(40, 400)
        return [
            f"[INFO]\t{iso(t)}\t{{rid}}\taccepted batch tenant=t-{r.randint(1000, 9999)} events={n} bytes={n * r.randint(380, 520)} put_failed=0\n"
        ]

    lambda_logs(w, w.fn_receiver, 1, rcv, lambda t: w.noise(16.0 if broke(t) else 38.0, 0.3), 512)
    lambda_logs(
        w,
        w.fn_indexer,
        2,
        lambda t: [
            f"[INFO]\t{iso(t)}\t{{rid}}\tbulk ok docs={r.randint(1 if broke(t) else 300, 4 if broke(t) else 500)} took_ms={r.randint(40, 160)} errors=false\n"
        ],
        lambda t: w.noise(410.0, 0.2),
        1024,
    )
    access_logs(
        w,
        2,
        lambda t: (
            (
                "500",
                "The Lambda function returned the following error: KeyError. Check your Lambda function code and try again.",
            )
            if broke(t)
            else (r.choice(["202"] * 60 + ["400", "413"]), "-")
        ),
    )

    # alarms
    fire = on + timedelta(minutes=3, seconds=r.randint(5, 55))
    api5 = f"{w.co}-ingest-api-5xx"
    reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{round(w.base_rpm * 0.97)}.0 (dropped), {round(w.base_rpm * 0.98)}.0, {round(w.base_rpm * 0.97)}.0] were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition)."
    alarms = standard_alarms(w, {api5}, fire, {api5: reason})
    flappy_alarm(w, [w.start + timedelta(hours=h, minutes=6) for h in (1, 2)])

    tz = r.choice(["America/New_York", "America/Chicago", "Europe/London"])
    local = (on + timedelta(minutes=r.randint(2, 6))).astimezone(ZoneInfo(tz))
    q = (
        f"Several customers say new logs stopped showing up in their dashboards since around {local:%-I:%M%p}. "
        "Search still works on older data. Is OpenSearch having problems?"
    )
    return w.bundle(
        TITLE,
        {
            "question": q,
            "alarm_event": w.alarm_event(alarms[api5], "Threshold Crossed", fire),
            "timezone": tz,
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": w.integration_id,
                "category": "change",
                "failure_mode": "payload-format-version-changed",
                "event_id": culprit,
            },
            "also_accept": [w.api_id, f"{w.co}-ingest-api", f"{w.api_id}/integrations/{w.integration_id}"],
            "actions": ["rollback"],
            "chain": [w.integration_id, w.fn_receiver, f"{w.co}-ingest-api", w.stream, w.domain],
        },
    )
