"""Checkout stuck on the tax step: the third-party sales-tax API hangs and returns 503s."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzc import Account, Shop, alnum, hexid, iso, manifest, records, window

NAME = "checkout-tax-quote-vendor-hang"
TITLE = "Checkout spinning on 'Calculating tax' for many customers this afternoon"
SUMMARY = (
    "The sales-tax vendor the tax resolver calls starts hanging and answering 503; the "
    "resolver has no client timeout, runs to its Lambda timeout and checkout's taxQuote field fails."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    start, onset, now, end = window(rng)
    acct = Account(rng, start, now, end)
    app = rng.choice(["fernandfig", "brightcart", "loomly", "pantry"])
    vendor = rng.choice(["api.taxrails.io", "calc.levyline.com", "api.ratewise-tax.com"])
    tax_fn, checkout_fn, catalog_fn = (
        f"{app}-tax-resolver",
        f"{app}-checkout-resolver",
        f"{app}-catalog-resolver",
    )
    tables = [f"{app}-checkout-sessions", f"{app}-catalog", f"{app}-orders"]
    shop = Shop(acct, app, onset, [tax_fn, checkout_fn, catalog_fn], tables)
    created = start - timedelta(days=rng.randint(200, 700))
    fn_timeout = rng.choice([10, 15])
    envs = {
        tax_fn: {
            "TAX_API_URL": f"https://{vendor}/v1/transactions/quote",
            "TAX_API_KEY_SECRET": f"{app}/prod/tax-api-key",
            "POWERTOOLS_SERVICE_NAME": tax_fn,
        },
        checkout_fn: {"TABLE_NAME": tables[0], "POWERTOOLS_SERVICE_NAME": checkout_fn},
        catalog_fn: {"TABLE_NAME": tables[1], "POWERTOOLS_SERVICE_NAME": catalog_fn},
    }
    deploy_at = onset - timedelta(minutes=rng.randint(18, 35))
    for fn in (tax_fn, checkout_fn, catalog_fn):
        acct.role(f"{fn}-role", "lambda.amazonaws.com", created)
        mod = deploy_at if fn == checkout_fn else start - timedelta(days=rng.randint(3, 40))
        acct.function(
            fn,
            f"{fn}-role",
            512 if fn != tax_fn else 256,
            fn_timeout if fn == tax_fn else 10,
            mod,
            envs[fn],
        )
    acct.table(tables[0], created, [("sessionId", "HASH")], items=rng.randint(10000, 90000))
    acct.table(tables[1], created, [("sku", "HASH")], items=rng.randint(3000, 40000))
    acct.table(
        tables[2],
        created,
        [("orderId", "HASH")],
        [("byCustomer", [("customerId", "HASH"), ("createdAt", "RANGE")])],
        items=rng.randint(200000, 900000),
    )
    acct.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": f"arn:aws:secretsmanager:us-east-1:{acct.account}:secret:{app}/prod/tax-api-key-{alnum(rng, 6, upper=False)}",
            "Name": f"{app}/prod/tax-api-key",
            "LastChangedDate": iso(start - timedelta(days=rng.randint(30, 120))),
            "LastAccessedDate": iso(start.replace(hour=0, minute=0)),
            "CreatedDate": iso(created),
        },
    )

    # --- changes nearby: checkout resolver deploy (innocent), a Cognito client tweak, a frontend release
    shop.code_deploy(checkout_fn, deploy_at)
    shop.web_deploy(onset - timedelta(minutes=rng.randint(60, 100)))
    client_id = alnum(rng, 26, upper=False)
    acct.ct(
        onset - timedelta(minutes=rng.randint(40, 70)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        acct.sso(rng.choice(["sam.okafor", "ingrid.berg", "raj.menon"])),
        {
            "userPoolId": shop.pool_id,
            "clientId": client_id,
            "clientName": f"{app}-web",
            "refreshTokenValidity": 30,
            "accessTokenValidity": 60,
            "idTokenValidity": 60,
            "tokenValidityUnits": {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"},
            "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "supportedIdentityProviders": ["COGNITO"],
            "preventUserExistenceErrors": "ENABLED",
            "enableTokenRevocation": True,
        },
        {
            "userPoolClient": {
                "userPoolId": shop.pool_id,
                "clientName": f"{app}-web",
                "clientId": client_id,
                "refreshTokenValidity": 30,
                "accessTokenValidity": 60,
                "idTokenValidity": 60,
            }
        },
        False,
        agent="console.amazonaws.com",
    )

    # --- degradation shape
    ramp = timedelta(minutes=rng.randint(2, 5))

    def bad(t: datetime) -> float:
        if t < onset:
            return 0.0
        return min(1.0, (t - onset) / ramp) * rng.uniform(0.55, 0.8)

    base = rng.uniform(800, 1800)
    acct.web_traffic(shop.dist, shop.api_id, base, latency=lambda t: bad(t) * 320)
    shop.cognito_traffic(client_id, base / 45)
    tax_rpm = {t: base * 0.06 * rng.uniform(0.85, 1.15) for t in acct.minutes()}
    frac = {t: bad(t) for t in acct.minutes()}
    acct.lambda_metrics(
        tax_fn,
        lambda t: tax_rpm[t],
        lambda t: rng.uniform(260, 420) * (1 - frac[t]) + frac[t] * (fn_timeout * 1000 * 0.78),
        errors=lambda t: tax_rpm[t] * frac[t] * rng.uniform(0.9, 1.0),
        dur_max=lambda t: fn_timeout * 1000.0 if frac[t] > 0 else rng.uniform(900, 1900),
    )
    acct.lambda_metrics(
        checkout_fn,
        lambda t: base * 0.05 * (1 - 0.6 * frac[t]) * rng.uniform(0.9, 1.1),
        lambda t: rng.uniform(60, 110),
    )
    acct.lambda_metrics(
        catalog_fn, lambda t: base * 0.5 * rng.uniform(0.9, 1.1), lambda t: rng.uniform(15, 30)
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": tables[0]},
        "Count",
        lambda t: base * 0.08 * 60 * rng.uniform(0.8, 1.2),
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": tables[1]},
        "Count",
        lambda t: base * 0.9 * 60 * rng.uniform(0.85, 1.15),
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": tables[2]},
        "Count",
        lambda t: base * 0.02 * 60 * (1 - 0.6 * frac[t]) * rng.uniform(0.7, 1.3),
    )

    # --- logs and traces of the tax resolver
    def invoke(t: datetime) -> tuple[float, list[tuple[str, str]], float | None]:
        cart = rng.randint(1, 6)
        if rng.random() >= frac.get(t.replace(second=0, microsecond=0), 0.0):
            d = rng.uniform(240, 520)
            return (
                d,
                [
                    (
                        "INFO",
                        json.dumps(
                            {
                                "level": "INFO",
                                "message": "tax quoted",
                                "service": tax_fn,
                                "field": "Checkout.taxQuote",
                                "provider": vendor,
                                "taxCents": rng.randint(80, 4200),
                                "upstreamMs": round(d - rng.uniform(30, 60)),
                                "lines": cart,
                            }
                        ),
                    )
                ],
                None,
            )
        if rng.random() < 0.35:
            d = rng.uniform(4200, fn_timeout * 1000 - 600)
            return (
                d,
                [
                    (
                        "WARN",
                        json.dumps(
                            {
                                "level": "WARN",
                                "message": "tax quote request failed",
                                "service": tax_fn,
                                "provider": vendor,
                                "status": 503,
                                "statusText": "Service Unavailable",
                                "upstreamMs": round(d - 40),
                            }
                        ),
                    ),
                    (
                        "ERROR",
                        "Invoke Error \t"
                        + json.dumps(
                            {
                                "errorType": "Error",
                                "errorMessage": f"Tax provider returned 503 Service Unavailable ({vendor})",
                                "stack": [
                                    f"Error: Tax provider returned 503 Service Unavailable ({vendor})",
                                    "    at fetchTaxQuote (/var/task/index.js:1:48211)",
                                    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                                    "    at async Runtime.handler (/var/task/index.js:1:49377)",
                                ],
                            }
                        ),
                    ),
                ],
                None,
            )
        return (
            fn_timeout * 1000 + rng.uniform(5, 30),
            [
                (
                    "INFO",
                    json.dumps(
                        {
                            "level": "INFO",
                            "message": "requesting tax quote",
                            "service": tax_fn,
                            "provider": vendor,
                            "lines": cart,
                        }
                    ),
                )
            ],
            float(fn_timeout) + 0.01,
        )

    stream = Account.stream_name(rng, start)
    t = start + timedelta(seconds=rng.randint(5, 40))
    n = 0
    while t < now:
        d, lines, to = invoke(t)
        if rng.random() < 0.03 or (to is not None and rng.random() < 0.5):
            stream = Account.stream_name(rng, t)
        acct.lambda_invocation(tax_fn, stream, t, d, 256, rng.randint(92, 130), lines, timeout=to)
        if n % 3 == 0:
            acct.traces.append(
                _trace(rng, acct.account, tax_fn, vendor, t, d, to is not None, "503" in json.dumps(lines))
            )
        n += 1
        t += timedelta(seconds=rng.randint(18, 42))

    # --- alarms
    a_err = acct.alarm(
        f"{tax_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": tax_fn},
        "Sum",
        10,
        "GreaterThanThreshold",
        3,
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (10.0).",
        onset + timedelta(minutes=4),
        shop.topic,
        datapoints=3,
    )
    acct.transition(a_err, onset + timedelta(minutes=4), "OK", "ALARM", a_err["StateReason"])
    acct.alarm(
        f"{app}-appsync-latency",
        "AWS/AppSync",
        "Latency",
        {"GraphQLAPIId": shop.api_id},
        "Average",
        1000,
        "GreaterThanThreshold",
        5,
        "OK",
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (1000.0).",
        start - timedelta(days=2),
        shop.topic,
    )
    co = acct.alarm(
        f"{checkout_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": checkout_fn},
        "Sum",
        5,
        "GreaterThanThreshold",
        2,
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5.0).",
        deploy_at + timedelta(minutes=7),
        shop.topic,
    )
    acct.transition(
        co,
        deploy_at + timedelta(minutes=3),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (5.0).",
    )
    acct.transition(co, deploy_at + timedelta(minutes=7), "ALARM", "OK", co["StateReason"])
    acct.alarm(
        f"{app}-cloudfront-5xx",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": shop.dist, "Region": "Global"},
        "Average",
        2,
        "GreaterThanThreshold",
        5,
        "OK",
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (2.0).",
        start - timedelta(days=4),
        shop.topic,
    )

    event = acct.alarm_event(
        a_err,
        onset + timedelta(minutes=4),
        a_err["StateReason"],
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (10.0).",
    )
    tz = rng.choice(["America/New_York", "America/Denver", "Europe/London"])
    local = onset.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    question = f"checkout is hanging on 'Calculating tax' for a lot of people since roughly {local}. we deployed the checkout resolver a bit before that - should we roll it back?"
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": vendor,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-hang",
        },
        "also_accept": [f"https://{vendor}/v1/transactions/quote", vendor.split(".")[1]],
        "actions": ["reconfigure"],
        "chain": [vendor, tax_fn, f"{app}-graphql-prod", "checkout"],
    }
    m = manifest(acct, TITLE, {"question": question, "alarm_event": event, "timezone": tz}, truth)
    return Bundle(Manifest.model_validate(m), records(acct))


def _trace(
    rng: random.Random,
    account: str,
    fn: str,
    vendor: str,
    t: datetime,
    dur_ms: float,
    timed_out: bool,
    got_503: bool,
) -> dict[str, Any]:
    st = t.timestamp()
    et = st + dur_ms / 1000
    sub: dict[str, Any] = {
        "id": hexid(rng, 16),
        "name": vendor,
        "start_time": st + 0.02,
        "namespace": "remote",
        "http": {"request": {"url": f"https://{vendor}/v1/transactions/quote", "method": "POST"}},
    }
    seg: dict[str, Any] = {
        "id": hexid(rng, 16),
        "trace_id": f"1-{int(st):08x}-{hexid(rng, 24)}",
        "name": fn,
        "start_time": st,
        "origin": "AWS::Lambda::Function",
        "aws": {"function_arn": f"arn:aws:lambda:us-east-1:{account}:function:{fn}", "account_id": account},
    }
    if timed_out:
        sub["in_progress"] = True
        seg["end_time"] = et
        seg["fault"] = True
        seg["cause"] = {
            "exceptions": [
                {
                    "id": hexid(rng, 16),
                    "message": f"Task timed out after {dur_ms / 1000:.2f} seconds",
                    "type": "Sandbox.Timedout",
                }
            ]
        }
    else:
        sub["end_time"] = et - 0.03
        sub["http"]["response"] = {
            "status": 503 if got_503 else 200,
            "content_length": 19 if got_503 else rng.randint(900, 2400),
        }
        if got_503:
            sub["fault"] = True
            seg["error"] = True
        seg["end_time"] = et
    seg["subsegments"] = [sub]
    return seg
