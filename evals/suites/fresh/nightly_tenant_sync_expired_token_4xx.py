"""No fault: the tenant API 4XX alarm fires each night when one tenant's sync job starts with an expired token."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzzn import World, access_line, iso, std_ct_noise

NAME = "nightly-tenant-sync-expired-token-4xx"
TITLE = "Paged for tenant-api 4XX rate in the middle of the night; cleared by itself"
SUMMARY = (
    "One tenant's nightly sync job starts every night with a cached, expired access token and retries 401s "
    "for a quarter of an hour before refreshing it; the API and the authorizer behave as designed."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME)
    r = w.rng
    job_h = r.choice([0, 1, 2])
    job_m = r.choice([0, 15, 30])
    onset = w.day + timedelta(hours=job_h, minutes=job_m, seconds=r.randint(2, 20))
    start = (onset - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
    burst_len = timedelta(minutes=r.randint(13, 19))
    refreshed = onset + burst_len
    now = (refreshed + timedelta(minutes=r.randint(20, 35))).replace(second=0)
    api_id = w.alnum(10)
    stage = "prod"
    api_name = "tenant-api"
    access_group = f"API-Gateway-Access-Logs_{api_id}/{stage}"
    waf_arn = f"arn:aws:wafv2:{w.region}:{w.account}:regional/webacl/tenant-api-acl/{w.uid()}"
    auth, profile, sync, billing = (
        "tenant-api-authorizer",
        "tenant-profile-api",
        "tenant-sync-api",
        "billing-usage-exporter",
    )
    pool_id = f"{w.region}_{w.alnum(9).upper()}"
    tenant = r.choice(["tn_brightlane", "tn_kestrelhealth", "tn_bluefjord", "tn_vantagerx"])
    tenant_key = w.alnum(10)
    tenant_client = w.alnum(26)
    tenant_ip_prefix = f"{r.choice([35, 20, 40])}.{r.randint(10, 250)}.{r.randint(10, 250)}."

    # --- resources -------------------------------------------------------------------------
    w.rest_api(api_id, api_name, stage, w.alnum(6), access_group, waf_arn)
    w.res(
        "logs",
        "LogGroup",
        {"logGroupName": access_group, "creationTime": 1610000000000, "retentionInDays": 14},
    )
    w.usage_plan(w.alnum(6), "standard", api_id, stage, 50.0, 100, 2_000_000)
    w.usage_plan(w.alnum(6), "enterprise", api_id, stage, 500.0, 1000, 50_000_000)
    w.user_pool(pool_id, "tenant-users")
    w.lambda_fn(
        auth, "nodejs20.x", 256, 5, w.day - timedelta(days=r.randint(20, 50)), {"USER_POOL_ID": pool_id}
    )
    w.lambda_fn(profile, "nodejs20.x", 1024, 10, w.day - timedelta(days=2), {"TABLE": "tenants"})
    w.lambda_fn(sync, "nodejs20.x", 1024, 29, w.day - timedelta(days=9), {"TABLE": "change-log"})
    w.lambda_fn(
        billing, "python3.12", 512, 300, w.day - timedelta(days=70), {"TABLE": "tenants"}, "app.handler"
    )
    w.table("tenants", "tenantId", r.randint(900, 3000))
    w.table("change-log", "tenantId", r.randint(50_000_000, 90_000_000))

    # --- CloudTrail ------------------------------------------------------------------------
    std_ct_noise(w, start, now, ["tenants", "change-log"], 42)
    w.ct(
        start + timedelta(minutes=r.randint(10, 60)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        w.sso_identity(r.choice(["a.verhoeven", "c.dlamini", "n.sato"])),
        {
            "userPoolId": pool_id,
            "clientId": w.alnum(26),
            "clientName": "web-dashboard",
            "callbackURLs": [
                "https://app.example-saas.com/callback",
                "https://beta.example-saas.com/callback",
            ],
            "allowedOAuthFlows": ["code"],
            "allowedOAuthScopes": ["openid", "email", "profile"],
            "accessTokenValidity": 60,
            "idTokenValidity": 60,
            "refreshTokenValidity": 30,
            "tokenValidityUnits": {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"},
        },
        None,
        agent="console.amazonaws.com",
    )
    ci = w.role_identity("github-actions-deploy", "GitHubActions")
    dep = start + timedelta(minutes=r.randint(60, 120))
    w.ct(
        dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": profile,
            "publish": False,
            "s3Bucket": f"saas-artifacts-{w.account}",
            "s3Key": f"tenant-profile-api/{w.hexid(40)}.zip",
        },
        {"functionName": profile, "lastUpdateStatus": "InProgress", "version": "$LATEST"},
    )
    sched = w.role_identity("billing-usage-exporter-role", billing)
    for k in range(4):
        w.ct(
            start + timedelta(minutes=60 * k + 3),
            "apigateway.amazonaws.com",
            "GetUsage",
            sched,
            {
                "usagePlanId": w.alnum(6),
                "startDate": w.day.strftime("%Y-%m-01"),
                "endDate": w.day.strftime("%Y-%m-%d"),
            },
            None,
            read_only=True,
        )
    for _ in range(3):
        w.ct(
            start + timedelta(minutes=r.randint(0, 200)),
            "cognito-idp.amazonaws.com",
            "AdminCreateUser",
            w.role_identity("tenant-onboarding-role", "tenant-onboarding"),
            {
                "userPoolId": pool_id,
                "username": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "desiredDeliveryMediums": ["EMAIL"],
            },
            {
                "user": {
                    "username": "HIDDEN_DUE_TO_SECURITY_REASONS",
                    "enabled": True,
                    "userStatus": "FORCE_CHANGE_PASSWORD",
                }
            },
        )

    # --- metrics ---------------------------------------------------------------------------
    times = w.minutes(start, now)
    noise = {t: r.random() for t in times}
    dims_api = {"ApiName": api_name, "Stage": stage}
    base = r.randint(260, 420)
    retry_rate = r.randint(90, 160)

    def in_burst(t: datetime) -> bool:
        return onset.replace(second=0) <= t < refreshed

    def sync_running(t: datetime) -> bool:
        return onset.replace(second=0) <= t < refreshed + timedelta(minutes=8)

    def load(t: datetime) -> int:
        n = int(base * (0.9 + 0.2 * noise[t]))
        if in_burst(t):
            n += retry_rate
        elif sync_running(t):
            n += 60
        return n

    def four(t: datetime) -> int:
        e = int(base * 0.015 * (1 + noise[t]))
        if in_burst(t):
            e += retry_rate
        return e

    w.count_series("AWS/ApiGateway", "Count", dims_api, times, lambda t: float(load(t)))
    w.rate_series("AWS/ApiGateway", "4XXError", dims_api, times, lambda t: (load(t), four(t)))
    w.rate_series(
        "AWS/ApiGateway", "5XXError", dims_api, times, lambda t: (load(t), 1 if noise[t] > 0.95 else 0)
    )
    w.latency_series(
        "AWS/ApiGateway", "Latency", dims_api, times, lambda t: (load(t), 58.0 + 10 * noise[t], 520.0)
    )
    w.latency_series(
        "AWS/ApiGateway",
        "IntegrationLatency",
        dims_api,
        times,
        lambda t: (load(t) - four(t), 44.0 + 10 * noise[t], 480.0),
    )
    ad = {"FunctionName": auth}
    # the authorizer's result (deny too) is cached per token for 300 s
    w.count_series(
        "AWS/Lambda",
        "Invocations",
        ad,
        times,
        lambda t: float(int(base * 0.12) + (1 if in_burst(t) and t.minute % 5 == 0 else 0)),
    )
    w.count_series("AWS/Lambda", "Errors", ad, times, lambda t: 0.0)
    w.latency_series("AWS/Lambda", "Duration", ad, times, lambda t: (int(base * 0.12), 14.0, 90.0))
    for fn, share in ((profile, 0.5), (sync, 0.15)):
        d = {"FunctionName": fn}

        def invocations(t: datetime, s: float = share, f: str = fn) -> float:
            return float(int(base * s) + (60 if f == sync and sync_running(t) and not in_burst(t) else 0))

        def duration(t: datetime, s: float = share) -> tuple[int, float, float]:
            return (int(base * s), 38.0, 300.0)

        w.count_series("AWS/Lambda", "Invocations", d, times, invocations)
        w.count_series("AWS/Lambda", "Errors", d, times, lambda t: float(noise[t] > 0.97))
        w.latency_series("AWS/Lambda", "Duration", d, times, duration)
    for tt in times:
        if tt.minute == 0:
            w.point("AWS/Lambda", "Invocations", {"FunctionName": billing}, tt, "Count", value=1.0)
            w.point("AWS/Lambda", "Errors", {"FunctionName": billing}, tt, "Count", value=0.0)
            w.point(
                "AWS/Lambda",
                "Duration",
                {"FunctionName": billing},
                tt,
                "Milliseconds",
                value=round(38000 + 15000 * noise[tt], 1),
            )
    for tbl in ("tenants", "change-log"):
        w.count_series(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": tbl},
            times,
            lambda t: float(load(t) * 2),
        )
    w.count_series(
        "AWS/WAFV2",
        "AllowedRequests",
        {"WebACL": "tenant-api-acl", "Region": w.region, "Rule": "ALL"},
        times,
        lambda t: float(load(t)),
    )
    w.count_series(
        "AWS/WAFV2",
        "BlockedRequests",
        {"WebACL": "tenant-api-acl", "Region": w.region, "Rule": "AWS-AWSManagedRulesCommonRuleSet"},
        times,
        lambda t: float(int(noise[t] * 4)) if noise[t] > 0.6 else None,
    )

    # --- logs ------------------------------------------------------------------------------
    astream = w.hexid(32)
    astream2 = w.hexid(32)
    job_ip = tenant_ip_prefix + str(r.randint(2, 250))

    def access(
        t: datetime,
        stream: str,
        path: str,
        status: str,
        key: str,
        who: str,
        lat: str,
        err: str,
        ip: str,
        method: str = "GET",
    ) -> None:
        w.log(
            access_group,
            stream,
            t,
            access_line(
                w.uid(),
                ip,
                t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                method,
                path,
                status,
                26 if err != "-" else r.randint(90, 4000),
                key,
                who,
                lat,
                err,
            ),
        )

    for t in times:
        for _ in range(2):
            st = r.choice(["200", "200", "200", "200", "201", "404", "200"])
            access(
                t + timedelta(seconds=r.randint(0, 59)),
                astream,
                r.choice(["/v1/tenants/{tenantId}/profile", "/v1/projects"]),
                st,
                w.alnum(10),
                f"tn_{w.hexid(4)}",
                str(r.randint(15, 140)),
                "-",
                w.ip(),
            )
        if in_burst(t):
            for k in range(4):
                access(
                    t + timedelta(seconds=15 * k + r.randint(0, 9)),
                    astream2,
                    "/v1/sync/changes",
                    "401",
                    tenant_key,
                    "-",
                    "-",
                    "Unauthorized",
                    job_ip,
                )
        elif sync_running(t):
            for k in range(3):
                access(
                    t + timedelta(seconds=20 * k + r.randint(0, 9)),
                    astream2,
                    "/v1/sync/changes",
                    "200",
                    tenant_key,
                    tenant,
                    str(r.randint(80, 600)),
                    "-",
                    job_ip,
                )
    astr = w.lambda_stream(start - timedelta(hours=2))
    astr2 = w.lambda_stream(onset - timedelta(minutes=30))
    for t in times[::4]:
        w.lambda_invocation(
            f"/aws/lambda/{auth}",
            astr if t.minute % 2 else astr2,
            t + timedelta(seconds=r.randint(0, 50)),
            r.uniform(8, 25),
            256,
            r.randint(80, 96),
            [f"INFO\ttoken accepted tenant=tn_{w.hexid(4)} client_id={w.alnum(26)} scope=api/read"],
        )
    exp = onset - timedelta(hours=r.randint(7, 20), minutes=r.randint(0, 59))
    t = onset.replace(second=0)
    while t < refreshed:
        w.lambda_invocation(
            f"/aws/lambda/{auth}",
            astr2,
            t + timedelta(seconds=r.randint(0, 3)),
            r.uniform(4, 9),
            256,
            r.randint(80, 96),
            [
                f"WARN\ttoken rejected client_id={tenant_client} reason=TokenExpiredError: jwt expired "
                f"expiredAt={exp.strftime('%Y-%m-%dT%H:%M:%S.000Z')}"
            ],
        )
        t += timedelta(minutes=5)
    w.lambda_invocation(
        f"/aws/lambda/{auth}",
        astr2,
        refreshed + timedelta(seconds=4),
        r.uniform(10, 20),
        256,
        90,
        [f"INFO\ttoken accepted tenant={tenant} client_id={tenant_client} scope=api/sync"],
    )

    # --- alarms ----------------------------------------------------------------------------
    topic = w.arn("sns", "platform-oncall")
    fire = onset.replace(second=0) + timedelta(minutes=5)
    clear = refreshed.replace(second=0) + timedelta(minutes=2)
    a4 = w.alarm(
        f"{api_name}-{stage}-4xx-rate",
        "AWS/ApiGateway",
        "4XXError",
        dims_api,
        "Average",
        0.15,
        evals=5,
        dtp=4,
        state="OK",
        reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (0.15).",
        updated=clear,
        topic=topic,
        desc="tenant-api 4xx share above 15%",
    )
    for days_back in (3, 2, 1):
        ft = fire - timedelta(days=days_back) + timedelta(minutes=r.randint(-1, 2))
        w.transition(
            a4,
            ft,
            "OK",
            "ALARM",
            "Threshold Crossed: 4 out of the last 5 datapoints were greater than the threshold (0.15).",
        )
        w.transition(
            a4,
            ft + burst_len + timedelta(minutes=r.randint(-3, 3)),
            "ALARM",
            "OK",
            "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (0.15).",
        )
    w.transition(
        a4,
        fire,
        "OK",
        "ALARM",
        "Threshold Crossed: 4 out of the last 5 datapoints were greater than the threshold (0.15).",
    )
    w.transition(a4, clear, "ALARM", "OK", a4["StateReason"])
    w.alarm(
        f"{api_name}-{stage}-5xx-rate",
        "AWS/ApiGateway",
        "5XXError",
        dims_api,
        "Average",
        0.02,
        evals=3,
        updated=start - timedelta(days=6),
        topic=topic,
    )
    w.alarm(
        f"{auth}-errors",
        "AWS/Lambda",
        "Errors",
        ad,
        "Sum",
        10,
        evals=3,
        updated=start - timedelta(days=30),
        topic=topic,
    )
    bx = w.alarm(
        f"{billing}-duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": billing},
        "Maximum",
        50000,
        period=300,
        evals=1,
        updated=start,
        topic=topic,
    )
    for k in range(2):
        tt = start + timedelta(minutes=60 * k + 5)
        w.transition(
            bx,
            tt,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [51230.7] was greater than the threshold (50000.0).",
        )
        w.transition(
            bx,
            tt + timedelta(minutes=5),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (50000.0).",
        )

    tz = r.choice(["Europe/Berlin", "Europe/Amsterdam", "Europe/Warsaw"])
    local: datetime = fire.astimezone(ZoneInfo(tz))
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": w.account,
            "region": w.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"got woken up by the tenant-api 4XX alarm at {local.strftime('%H:%M')}, it went back to OK "
                "on its own after a bit. are we being scanned/attacked, or did the Cognito app client change from earlier tonight "
                "break logins? do I need to do anything?",
                "alarm_event": w.alarm_event(
                    a4,
                    fire,
                    "Threshold Crossed: 4 out of the last 5 datapoints were greater than the threshold (0.15).",
                    fire - timedelta(days=1) + burst_len,
                ),
                "timezone": tz,
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(manifest, w.records())
