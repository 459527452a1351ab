"""No fault: the API 4xx alarm fires as the US workday starts, from overnight access tokens being refreshed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzp import REGION, Scene, clock, traffic

NAME = "docsign-morning-expired-token-4xx"
TITLE = "Public API 4xx alarm paged at the start of the workday; are signers locked out?"
SUMMARY = (
    "No fault: browser tabs and integrations left open overnight present expired Cognito access tokens, "
    "get 401 from the JWT authorizer, refresh and retry; the 4xx alarm trips every weekday morning and clears."
)


def build(seed: int) -> Bundle:
    sc = Scene(seed, NAME)
    r = sc.rng
    start = sc.day + timedelta(hours=9, minutes=r.randint(10, 40))
    onset = start + timedelta(hours=3, minutes=r.randint(12, 30), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(48, 62))
    sc.base_resources()
    a = sc.account
    burst = r.uniform(140, 220)
    decay = r.uniform(9, 14)
    clear = onset + timedelta(minutes=r.randint(24, 32))

    def extra(t: datetime) -> float:
        if t < onset:
            return 0.0
        mins = (t - onset).total_seconds() / 60
        return burst * (2.718 ** (-mins / decay)) * r.uniform(0.85, 1.15)

    def mod(key: str, t: datetime, v: float) -> float:
        if key == "api.4xx":
            return v + extra(t)
        if key == "cog.refresh":
            return v + extra(t) * 0.92
        return v

    traffic(sc, start, now, r.uniform(420, 600), mod)

    # API Gateway access log sample: the 401s and the retries that follow them
    group = "/aws/apigateway/docsign-public-api/prod"
    routes = ["GET /v1/envelopes/{envelopeId}", "POST /v1/envelopes", "POST /v1/envelopes/{envelopeId}/sign"]
    t = start
    while t <= now:
        n_ok = 3
        n_401 = 0 if r.random() < 0.7 else 1
        if t >= onset:
            n_401 = round(extra(t) / 25)
        for _ in range(n_ok):
            when = t + timedelta(seconds=r.randint(0, 59))
            sc.log(
                group,
                f"{sc.api_id}_prod",
                when,
                json.dumps(
                    {
                        "requestId": f"{sc.alnum(14)}=",
                        "ip": f"{r.randint(20, 200)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                        "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "routeKey": r.choice(routes),
                        "status": "200",
                        "responseLength": str(r.randint(300, 4000)),
                        "integrationStatus": "200",
                        "integrationError": "-",
                        "authorizerError": "-",
                        "latency": str(r.randint(60, 220)),
                    },
                    separators=(",", ":"),
                ),
            )
        for _ in range(n_401):
            when = t + timedelta(seconds=r.randint(0, 55))
            ip = f"{r.randint(20, 200)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            route = r.choice(routes)
            sc.log(
                group,
                f"{sc.api_id}_prod",
                when,
                json.dumps(
                    {
                        "requestId": f"{sc.alnum(14)}=",
                        "ip": ip,
                        "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "routeKey": route,
                        "status": "401",
                        "responseLength": "26",
                        "integrationStatus": "-",
                        "integrationError": "-",
                        "authorizerError": "the token has expired",
                        "latency": str(r.randint(1, 6)),
                    },
                    separators=(",", ":"),
                ),
            )
            retry = when + timedelta(seconds=r.randint(1, 4))
            sc.log(
                group,
                f"{sc.api_id}_prod",
                retry,
                json.dumps(
                    {
                        "requestId": f"{sc.alnum(14)}=",
                        "ip": ip,
                        "requestTime": retry.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                        "routeKey": route,
                        "status": "200",
                        "responseLength": str(r.randint(300, 4000)),
                        "integrationStatus": "200",
                        "integrationError": "-",
                        "authorizerError": "-",
                        "latency": str(r.randint(60, 220)),
                    },
                    separators=(",", ":"),
                ),
            )
        t += timedelta(minutes=1)
    sc.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": group,
            "creationTime": 1_690_000_000_000,
            "retentionInDays": 14,
            "arn": f"arn:aws:logs:{REGION}:{a}:log-group:{group}:*",
            "storedBytes": r.randint(10**9, 10**10),
        },
    )

    # changes of the morning, none related
    sc.deploy(onset - timedelta(minutes=r.randint(25, 40)), "docsign-envelopes-api")
    sc.deploy(start + timedelta(minutes=r.randint(10, 50)), "docsign-webhook-dispatcher")
    eng = sc.sso(r.choice(sc.engineers))
    sc.ct(
        onset - timedelta(minutes=r.randint(60, 100)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPool",
        eng,
        {
            "userPoolId": sc.pool_id,
            "emailVerificationSubject": "Verify your Inkwell Sign email",
            "emailVerificationMessage": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "autoVerifiedAttributes": ["email"],
            "mfaConfiguration": "OPTIONAL",
        },
        None,
        agent="AWS Internal",
    )
    sc.ct(
        onset + timedelta(minutes=r.randint(8, 14)),
        "cognito-idp.amazonaws.com",
        "DescribeUserPoolClient",
        eng,
        {"userPoolId": sc.pool_id, "clientId": sc.client_id},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    sc.noise_trail(start, now, 44)

    alarm = sc.alarm(
        "docsign-api-4xx",
        "HTTP API 4xx responses above normal",
        "AWS/ApiGateway",
        "4xx",
        {"ApiId": sc.api_id, "Stage": "prod"},
        "Sum",
        round(burst * 0.6 / 10) * 10,
        evals=3,
        state="OK",
        since=clear,
    )
    fire = onset + timedelta(minutes=3)
    for days_back in (1, 2, 3, 4, 7):
        day = onset - timedelta(days=days_back)
        if day.weekday() >= 5:
            continue
        f = day + timedelta(minutes=r.randint(-12, 12))
        sc.transition(
            alarm,
            f,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold.",
        )
        sc.transition(
            alarm,
            f + timedelta(minutes=r.randint(18, 34)),
            "ALARM",
            "OK",
            "Threshold Crossed: no datapoints were breaching the threshold.",
        )
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold "
        f"({alarm['Threshold']:.1f})."
    )
    sc.transition(alarm, fire, "OK", "ALARM", reason)
    sc.transition(
        alarm, clear, "ALARM", "OK", "Threshold Crossed: no datapoints were breaching the threshold."
    )
    sc.alarm(
        "docsign-api-5xx",
        "HTTP API 5xx responses, all routes",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": sc.api_id, "Stage": "prod"},
        "Sum",
        25,
        evals=5,
        dta=3,
        state="OK",
        since=sc.day - timedelta(days=11),
    )
    sc.alarm(
        "docsign-upload-api-errors",
        "Upload function errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "docsign-upload-api"},
        "Sum",
        10,
        state="OK",
        since=sc.day - timedelta(days=16),
    )
    flap = sc.alarm(
        "docsign-seal-document-duration",
        "Seal worker slow",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "docsign-seal-document"},
        "Average",
        2600,
        evals=2,
        state="OK",
        since=start + timedelta(minutes=57),
        unit="Milliseconds",
    )
    sc.transition(
        flap,
        start + timedelta(minutes=49),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (2600.0).",
    )
    sc.transition(
        flap,
        start + timedelta(minutes=57),
        "ALARM",
        "OK",
        "Threshold Crossed: no datapoints were breaching the threshold.",
    )

    question = (
        f"Got paged for docsign-api-4xx at {clock(fire)}. It went quiet again on its own but I want to know if "
        "signers were getting locked out, we had a deploy this morning."
    )
    ev = sc.alarm_event(alarm, fire, reason, fire - timedelta(hours=r.randint(20, 23)))
    return sc.bundle(
        TITLE,
        start,
        now,
        {"question": question, "alarm_event": ev, "timezone": "America/New_York"},
        {"no_fault": True, "actions": [], "chain": []},
    )
