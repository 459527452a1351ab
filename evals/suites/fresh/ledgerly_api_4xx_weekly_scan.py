"""ledgerly public API 4XX alarm in the early morning: the weekly approved external vulnerability scan."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzi import Kit, iso, local, minutes, window_sum

NAME = "ledgerly-api-4xx-weekly-scan"
TITLE = "ledgerly public API 4XX alarm paged early morning; are customers being rejected?"
SUMMARY = (
    "The 4XXError alarm on the public REST API fires while the approved weekly external vulnerability scan "
    "probes unknown paths and unauthenticated methods; customer traffic, latency and 5xx are normal."
)

NS = "AWS/ApiGateway"
SCAN_PATHS = [
    "/.env",
    "/wp-login.php",
    "/.git/config",
    "/admin/",
    "/actuator/env",
    "/v1/../../etc/passwd",
    "/server-status",
    "/v1/invoices?id=1%27%20OR%201=1--",
    "/phpmyadmin/",
    "/v1/accounts",
    "/v1/invoices",
    "/v1/payments",
    "/cgi-bin/test.cgi",
    "/v2/api-docs",
    "/console/",
    "/.aws/credentials",
    "/v1/webhooks",
    "/backup.zip",
]


def build(seed: int) -> Bundle:
    k = Kit(seed, "5" + "".join(str((seed * 17 + i * 9) % 10) for i in range(11)), "eu-central-1", "scan")
    r = k.rng
    acct, region = k.account, k.region
    zone = "Europe/Berlin"
    day = k.day()
    day = day + timedelta(days=(1 - day.weekday()) % 7)  # Tuesdays
    onset = day.replace(hour=4, minute=0, second=r.randrange(5, 50))
    scan_end = onset + timedelta(minutes=r.randrange(65, 90))
    start = (onset - timedelta(hours=3, minutes=40 + r.randrange(0, 30))).replace(second=0)
    now = onset + timedelta(minutes=38 + r.randrange(0, 15), seconds=r.randrange(0, 60))
    api_id = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    api_name = "ledgerly-public-api"
    stage = "prod"
    scan_net = r.choice(["64.39.96", "64.39.98", "64.39.100"])
    ipset_id = k.uid()
    acl_id = k.uid()
    acl_arn = f"arn:aws:wafv2:{region}:{acct}:regional/webacl/ledgerly-api-acl/{acl_id}"
    auth_fn = "ledgerly-jwt-authorizer"
    authorizer_id = "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    pool_id = f"{region}_" + "".join(
        r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(9)
    )
    access_group = f"/aws/apigateway/{api_name}/{stage}/access"
    streams = [k.hexid(32) for _ in range(4)]

    # ---------- resources ----------
    k.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Public invoicing API (customers and integrations)",
            "createdDate": iso(day - timedelta(days=900)),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": True,
        },
    )
    k.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6)),
            "stageName": stage,
            "tracingEnabled": False,
            "webAclArn": acl_arn,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 2000,
                    "throttlingRateLimit": 1000.0,
                    "cachingEnabled": False,
                }
            },
            "accessLogSettings": {
                "destinationArn": f"arn:aws:logs:{region}:{acct}:log-group:{access_group}",
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
                '"path":"$context.path","resourcePath":"$context.resourcePath",'
                '"status":"$context.status","responseLength":"$context.responseLength",'
                '"userAgent":"$context.identity.userAgent",'
                '"error":"$context.error.message",'
                '"authorizerStatus":"$context.authorizer.status",'
                '"latency":"$context.responseLatency"}',
            },
            "createdDate": iso(day - timedelta(days=900)),
            "lastUpdatedDate": iso(day - timedelta(days=13)),
        },
    )
    api_paths: list[tuple[str, list[str]]] = [
        ("/v1/invoices", ["GET", "POST"]),
        ("/v1/payments", ["GET", "POST"]),
        ("/v1/accounts", ["GET"]),
        ("/v1/webhooks", ["GET", "PUT"]),
    ]
    for path, verbs in api_paths:
        methods: dict[str, dict[str, str]] = {v: {} for v in verbs}
        k.res(
            "apigateway",
            "RestApiResource",
            {
                "restApiId": api_id,
                "id": k.hexid(6),
                "parentId": k.hexid(6),
                "pathPart": path.rsplit("/", 1)[1],
                "path": path,
                "resourceMethods": methods,
            },
        )
    k.res(
        "apigateway",
        "Authorizer",
        {
            "id": authorizer_id,
            "name": "jwt",
            "type": "TOKEN",
            "authorizerUri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:{acct}"
            f":function:{auth_fn}/invocations",
            "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 300,
        },
    )
    k.res(
        "apigateway",
        "UsagePlan",
        {
            "id": k.hexid(6),
            "name": "integrations-standard",
            "description": "Accounting-software integrations",
            "apiStages": [{"apiId": api_id, "stage": stage}],
            "throttle": {"burstLimit": 200, "rateLimit": 100.0},
            "quota": {"limit": 500000, "offset": 0, "period": "MONTH"},
        },
    )
    k.res(
        "wafv2",
        "IPSet",
        {
            "Name": "approved-external-scanners",
            "Id": ipset_id,
            "ARN": f"arn:aws:wafv2:{region}:{acct}:regional/ipset/approved-external-scanners/{ipset_id}",
            "Description": "Qualys external scanners - weekly PCI ASV / perimeter scan (SEC-1142)",
            "IPAddressVersion": "IPV4",
            "Addresses": ["64.39.96.0/20"],
        },
    )
    for fn, mem in ((auth_fn, 256), ("ledgerly-api-invoices", 1024), ("ledgerly-api-payments", 1024)):
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{fn}",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{fn}-role",
                "Handler": "index.handler",
                "CodeSize": r.randrange(10**5, 10**6),
                "Timeout": 10 if fn == auth_fn else 29,
                "MemorySize": mem,
                "LastModified": (day - timedelta(days=r.randrange(2, 30))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": k.hexid(43) + "=",
                "Version": "$LATEST",
                "State": "Active",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    k.res(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "ledgerly-users",
            "Status": "Enabled",
            "CreationDate": iso(day - timedelta(days=950)),
            "LastModifiedDate": iso(day - timedelta(days=40)),
            "EstimatedNumberOfUsers": r.randrange(40000, 90000),
            "MfaConfiguration": "OPTIONAL",
            "Arn": f"arn:aws:cognito-idp:{region}:{acct}:userpool/{pool_id}",
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": access_group,
            "retentionInDays": 365,
            "creationTime": int((day - timedelta(days=900)).timestamp() * 1000),
            "arn": f"arn:aws:logs:{region}:{acct}:log-group:{access_group}:*",
        },
    )

    # ---------- CloudTrail ----------
    dev = k.sso("Developer", "lena.hoffmann@ledgerly.de")
    ci = k.role("ledgerly-cd", "gitlab-" + k.hexid(8))
    ci_agent = "aws-cli/2.15.40 Python/3.11.8 Linux/5.15.0-1058-aws exe/x86_64.debian.12"
    k.ct(
        start + timedelta(minutes=r.randrange(10, 50)),
        "apigateway.amazonaws.com",
        "CreateUsagePlanKey",
        dev,
        {"usagePlanId": "integrations-standard", "keyId": k.hexid(10), "keyType": "API_KEY"},
        {"id": k.hexid(10), "type": "API_KEY", "name": "datev-connector"},
        ip="91.64.22.8",
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(60, 110)),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": "ledgerly-nightly-dunning", "publish": True},
        {"functionName": "ledgerly-nightly-dunning", "version": str(r.randrange(30, 60)), "state": "Pending"},
        ip="35.158.4.19",
        agent=ci_agent,
    )
    for off in (0, 1):
        k.ct(
            start + timedelta(minutes=r.randrange(120, 170), seconds=off * 20),
            "events.amazonaws.com",
            "PutRule" if off == 0 else "PutTargets",
            ci,
            {"name": "nightly-dunning", "scheduleExpression": "cron(30 1 * * ? *)", "state": "ENABLED"}
            if off == 0
            else {
                "rule": "nightly-dunning",
                "targets": [
                    {"id": "1", "arn": f"arn:aws:lambda:{region}:{acct}:function:ledgerly-nightly-dunning"}
                ],
            },
            {"ruleArn": f"arn:aws:events:{region}:{acct}:rule/nightly-dunning"}
            if off == 0
            else {"failedEntryCount": 0, "failedEntries": []},
            ip="35.158.4.19",
            agent=ci_agent,
        )
    k.read_noise(
        start,
        now,
        [
            ("apigateway.amazonaws.com", "GetRestApis", {"limit": 25}),
            ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("wafv2.amazonaws.com", "ListWebACLs", {"scope": "REGIONAL", "limit": 100}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
            ("cognito-idp.amazonaws.com", "DescribeUserPool", {"userPoolId": pool_id}),
        ],
        58,
    )

    # ---------- metrics and access logs ----------
    sd = {"ApiName": api_name, "Stage": stage}
    for t in minutes(start, now + timedelta(minutes=1)):
        lt = local(t, zone)
        h = lt.hour + lt.minute / 60
        cust = 40 + 260 * min(1.0, max(0.0, (h - 5.5) / 3.5)) + (25 if 2.5 <= h < 3 else 0)
        cust *= 0.9 + 0.2 * r.random()
        c4 = cust * (0.008 + 0.006 * r.random())
        scanning = onset <= t < scan_end
        scan = (110 + 60 * r.random()) if scanning else 0.0
        s4 = scan * (0.93 + 0.04 * r.random())
        count = int(cust + scan)
        k.put(NS, "Count", sd, t, count)
        k.put(NS, "4XXError", sd, t, int(c4 + s4))
        k.put(NS, "5XXError", sd, t, 1 if r.random() < 0.05 else 0)
        k.dist(NS, "Latency", sd, t, 85.0 if not scanning else 70.0, 600.0, count, "Milliseconds")
        k.dist(NS, "IntegrationLatency", sd, t, 70.0, 500.0, int(cust), "Milliseconds")
        k.put("AWS/Lambda", "Invocations", {"FunctionName": auth_fn}, t, int(cust * 0.15 + scan * 0.2))
        k.put("AWS/Lambda", "Errors", {"FunctionName": auth_fn}, t, 0)
        k.put("AWS/Lambda", "Duration", {"FunctionName": auth_fn}, t, 11 + 6 * r.random(), "Milliseconds")
        for fn, share in (("ledgerly-api-invoices", 0.6), ("ledgerly-api-payments", 0.3)):
            k.put("AWS/Lambda", "Invocations", {"FunctionName": fn}, t, int(cust * share))
            k.put("AWS/Lambda", "Errors", {"FunctionName": fn}, t, 1 if r.random() < 0.03 else 0)
            k.put("AWS/Lambda", "Duration", {"FunctionName": fn}, t, 60 + 30 * r.random(), "Milliseconds")
        # access log: a sample of customer calls, and the scanner's requests
        for _ in range(max(1, int(cust / 60))):
            ts = t + timedelta(seconds=r.randrange(0, 60), milliseconds=r.randrange(0, 999))
            m, p = r.choice(
                [
                    ("GET", "/v1/invoices"),
                    ("POST", "/v1/invoices"),
                    ("GET", "/v1/payments"),
                    ("GET", "/v1/accounts"),
                    ("PUT", "/v1/webhooks"),
                ]
            )
            st = "200" if r.random() > 0.012 else r.choice(["401", "404", "422"])
            rec = {
                "requestId": k.uid(),
                "ip": f"{r.randrange(77, 95)}.{r.randrange(1, 250)}.{r.randrange(0, 255)}."
                f"{r.randrange(1, 254)}",
                "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": m,
                "path": p,
                "resourcePath": p,
                "status": st,
                "responseLength": str(r.randrange(200, 9000)),
                "userAgent": r.choice(
                    [
                        "ledgerly-web/2024.11",
                        "DATEV-Connector/3.2",
                        "lexoffice-sync/1.9",
                        "python-requests/2.31.0",
                        "ledgerly-ios/4.8.1",
                    ]
                ),
                "error": "-",
                "authorizerStatus": "200",
                "latency": str(r.randrange(40, 260)),
            }
            k.log(access_group, r.choice(streams), ts, json.dumps(rec))
        if scanning:
            src = f"{scan_net}.{r.randrange(10, 40)}"
            for _ in range(4):
                ts = t + timedelta(seconds=r.randrange(0, 60), milliseconds=r.randrange(0, 999))
                p = r.choice(SCAN_PATHS)
                m = r.choice(["GET", "GET", "POST", "OPTIONS", "PUT", "DELETE", "TRACE"])
                known = p in ("/v1/accounts", "/v1/invoices", "/v1/payments", "/v1/webhooks")
                if known and m in ("GET", "POST", "PUT"):
                    st, err, auth, rp = "401", "Unauthorized", "401", p
                else:
                    st, err, auth, rp = "403", "Missing Authentication Token", "-", "-"
                rec = {
                    "requestId": k.uid(),
                    "ip": src,
                    "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                    "httpMethod": m,
                    "path": p,
                    "resourcePath": rp,
                    "status": st,
                    "responseLength": "42",
                    "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/120.0.0.0 Safari/537.36",
                    "error": err,
                    "authorizerStatus": auth,
                    "latency": str(r.randrange(1, 25)),
                }
                k.log(access_group, r.choice(streams), ts, json.dumps(rec))
    for t in minutes(start, now + timedelta(minutes=1), 5):
        scanning = onset <= t < scan_end
        for rule, v in (
            ("allow-approved-scanners", (700 + r.randrange(0, 150)) if scanning else 0),
            ("AWSManagedRulesCommonRuleSet", r.randrange(0, 6)),
            ("rate-limit-per-ip", 0),
        ):
            if v:
                metric = "AllowedRequests" if rule == "allow-approved-scanners" else "BlockedRequests"
                k.put(
                    "AWS/WAFV2", metric, {"WebACL": "ledgerly-api-acl", "Region": region, "Rule": rule}, t, v
                )
        k.put(
            "AWS/WAFV2",
            "AllowedRequests",
            {"WebACL": "ledgerly-api-acl", "Region": region, "Rule": "ALL"},
            t,
            window_sum(k, NS, "Count", sd, t + timedelta(minutes=5), 300),
        )

    # ---------- alarms ----------
    topic = f"arn:aws:sns:{region}:{acct}:ledgerly-oncall"
    fire = onset.replace(second=0) + timedelta(minutes=5)
    val = window_sum(k, NS, "4XXError", sd, fire, 300)
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{val} ({(fire - timedelta(minutes=5)):%d/%m/%y %H:%M}"
        f":00)] was greater than the threshold (250.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    a = k.alarm(
        "ledgerly-public-api-prod-4xx",
        NS,
        "4XXError",
        sd,
        stat="Sum",
        period=300,
        evals=1,
        threshold=250,
        op="GreaterThanThreshold",
        topic=topic,
        state="ALARM",
        state_reason=reason,
        state_time=fire,
        config_time=day - timedelta(days=180),
        description="Clients getting 4xx from the public API",
    )
    for weeks in (2, 1):
        past = onset - timedelta(days=7 * weeks) + timedelta(minutes=r.randrange(4, 7))
        k.transition(
            a,
            past,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints ["
            + f"{r.randrange(520, 700)}.0 ({(past - timedelta(minutes=5)):%d/%m/%y %H:%M}:00)] was greater than "
            "the threshold (250.0) (minimum 1 datapoint for OK -> ALARM transition).",
        )
        back = past + timedelta(minutes=r.randrange(70, 90))
        k.transition(
            a,
            back,
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints ["
            + f"{r.randrange(4, 12)}.0 ({(back - timedelta(minutes=5)):%d/%m/%y %H:%M}:00)] was not greater "
            "than the threshold (250.0) (minimum 1 datapoint for ALARM -> OK transition).",
        )
    k.transition(a, fire, "OK", "ALARM", reason)
    k.alarm(
        "ledgerly-public-api-prod-5xx",
        NS,
        "5XXError",
        sd,
        stat="Sum",
        period=300,
        evals=2,
        threshold=10,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=day - timedelta(days=20),
        config_time=day - timedelta(days=180),
        state_reason="Threshold Crossed: 2 datapoints [0.0, 1.0] were not greater than the threshold (10.0).",
    )
    k.alarm(
        "ledgerly-public-api-prod-latency",
        NS,
        "Latency",
        sd,
        stat="Average",
        period=300,
        evals=3,
        threshold=1500,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=day - timedelta(days=11),
        config_time=day - timedelta(days=180),
        unit="Milliseconds",
        state_reason="Threshold Crossed: 3 datapoints [92.4, 88.1, 90.7] were not greater than the threshold (1500.0).",
    )
    k.alarm(
        f"{auth_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": auth_fn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=day - timedelta(days=30),
        config_time=day - timedelta(days=200),
        state_reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
    )

    lf = local(fire, zone)
    event = k.alarm_event(a, fire, reason, onset - timedelta(days=7) + timedelta(minutes=85))
    question = (
        f"Got paged at {lf:%-H:%M} for the public API 4XX alarm. Are customers being rejected? As far as I "
        f"know nothing was deployed last night."
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": event, "timezone": zone},
        "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    }
    return k.bundle(manifest, now)
