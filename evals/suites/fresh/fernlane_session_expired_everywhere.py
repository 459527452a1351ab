"""Mobile app: every signed-in call answers 401 after the HTTP API's JWT authorizer audience was edited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzza import Kit, compact, diurnal, iso

NAME = "fernlane-session-expired-everywhere"
TITLE = "Fernlane app tells everyone their session expired; signing in again doesn't help"
SUMMARY = (
    "An engineer adding a web client to the mobile HTTP API's JWT authorizer replaced the mobile app "
    "client id in its audience instead of appending, so every authorised route returns 401."
)

TZ = "Australia/Brisbane"
TZ_H = 10


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-southeast-2", TZ_H)
    rng = k.rng
    start, now = k.window((3, 8))
    onset = now - timedelta(minutes=rng.randint(36, 52))
    api_id = k.alnum(10)
    auth_id = k.alnum(6)
    pool_id = f"{k.region}_{k.alnum(9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}"
    mobile_client = k.alnum(26)
    web_client = k.alnum(26)
    issuer = f"https://cognito-idp.{k.region}.amazonaws.com/{pool_id}"
    stage = "prod"
    base = rng.uniform(700, 1100)
    engineer = rng.choice(["priya.natarajan", "tom.whitfield", "ana.souza", "liam.oconnor"])
    email = f"{engineer}@fernlane.app"
    human = k.sso_user(email)
    ci = k.role_user("github-actions-deploy", "GitHubActions")

    fns = {
        "fernlane-feed": ("GET /v1/feed", 0.34, 180),
        "fernlane-plants": ("GET /v1/plants", 0.22, 60),
        "fernlane-care-log": ("POST /v1/plants/{plantId}/care", 0.1, 90),
        "fernlane-upload-url": ("POST /v1/photos/upload-url", 0.05, 40),
        "fernlane-push-register": ("PUT /v1/devices/{deviceId}", 0.04, 35),
        "fernlane-profile": ("GET /v1/me", 0.15, 55),
    }
    public = {"fernlane-config": ("GET /v1/app-config", 0.1, 25)}

    # --- resources -----------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 700))
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "CreatedDate": iso(created),
            "DisableExecuteApiEndpoint": True,
            "Name": "fernlane-mobile-api",
            "ProtocolType": "HTTP",
            "RouteSelectionExpression": "$request.method $request.path",
            "Tags": {"service": "mobile-backend", "team": "app-platform"},
        },
    )
    access_group = f"/aws/vendedlogs/apigateway/fernlane-mobile-api/{stage}"
    fmt = json.dumps(
        {
            "requestId": "$context.requestId",
            "ip": "$context.identity.sourceIp",
            "requestTime": "$context.requestTime",
            "routeKey": "$context.routeKey",
            "status": "$context.status",
            "responseLength": "$context.responseLength",
            "integrationLatency": "$context.integrationLatency",
            "authorizerError": "$context.authorizer.error",
            "userAgent": "$context.identity.userAgent",
        }
    )
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": stage,
            "AutoDeploy": True,
            "CreatedDate": iso(created),
            "DefaultRouteSettings": {
                "DetailedMetricsEnabled": False,
                "ThrottlingBurstLimit": 2000,
                "ThrottlingRateLimit": 1000.0,
            },
            "DeploymentId": k.alnum(6),
            "LastDeploymentStatusMessage": f"Successfully deployed stage with deployment ID '{k.alnum(6)}'",
            "LastUpdatedDate": iso(onset + timedelta(seconds=2)),
            "AccessLogSettings": {
                "DestinationArn": k.arn("logs", f"log-group:{access_group}"),
                "Format": fmt,
            },
        },
    )
    k.res(
        "apigatewayv2",
        "Authorizer",
        {
            "AuthorizerId": auth_id,
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": [web_client], "Issuer": issuer},
            "Name": "cognito-jwt",
        },
    )
    integ: dict[str, str] = {}
    for fn, (route, _share, _dur) in {**fns, **public}.items():
        iid = k.alnum(7)
        integ[fn] = iid
        k.res(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": api_id,
                "ConnectionType": "INTERNET",
                "IntegrationId": iid,
                "IntegrationMethod": "POST",
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": k.arn("lambda", f"function:{fn}"),
                "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": 30000,
            },
        )
        r: dict[str, object] = {
            "ApiId": api_id,
            "ApiKeyRequired": False,
            "RouteId": k.alnum(7),
            "RouteKey": route,
            "Target": f"integrations/{iid}",
        }
        if fn in fns:
            r["AuthorizationType"] = "JWT"
            r["AuthorizerId"] = auth_id
        else:
            r["AuthorizationType"] = "NONE"
        k.res("apigatewayv2", "ApiRoute", r)

    k.res(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "fernlane-users",
            "Status": "Enabled",
            "LastModifiedDate": iso(created + timedelta(days=40)),
            "CreationDate": iso(created),
            "MfaConfiguration": "OFF",
            "EstimatedNumberOfUsers": rng.randint(180_000, 420_000),
            "UsernameAttributes": ["email"],
            "Arn": k.arn("cognito-idp", f"userpool/{pool_id}"),
        },
    )
    web_created = onset - timedelta(minutes=rng.randint(55, 80))
    for cid, cname, when in (
        (mobile_client, "fernlane-mobile", created),
        (web_client, "fernlane-web", web_created),
    ):
        k.res(
            "cognito-idp",
            "UserPoolClientType",
            {
                "UserPoolId": pool_id,
                "ClientName": cname,
                "ClientId": cid,
                "LastModifiedDate": iso(when),
                "CreationDate": iso(when),
                "RefreshTokenValidity": 30,
                "AccessTokenValidity": 60,
                "IdTokenValidity": 60,
                "TokenValidityUnits": {
                    "AccessToken": "minutes",
                    "IdToken": "minutes",
                    "RefreshToken": "days",
                },
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "SupportedIdentityProviders": ["COGNITO", "SignInWithApple", "Google"],
                "AllowedOAuthFlowsUserPoolClient": cname == "fernlane-web",
                "PreventUserExistenceErrors": "ENABLED",
                "EnableTokenRevocation": True,
            },
        )
    feed_deploy = onset - timedelta(minutes=rng.randint(9, 16))
    for fn in [*fns, *public]:
        role = f"{fn}-role"
        k.role(role, "lambda.amazonaws.com", created)
        k.lambda_fn(
            fn,
            role,
            memory=1024 if fn == "fernlane-feed" else 512,
            timeout=10,
            env={
                "TABLE_PLANTS": "fernlane-plants",
                "TABLE_USERS": "fernlane-users",
                "POWERTOOLS_SERVICE_NAME": fn,
            },
            modified=feed_deploy if fn == "fernlane-feed" else start - timedelta(days=rng.randint(2, 60)),
        )
    k.table(
        "fernlane-plants",
        "userId",
        created,
        rng.randint(2_000_000, 5_000_000),
        rng.randint(2 * 10**9, 6 * 10**9),
        "plantId",
    )
    k.table("fernlane-users", "userId", created, rng.randint(180_000, 420_000), rng.randint(10**8, 4 * 10**8))
    k.log_group(access_group, 30, created)

    # --- metrics -------------------------------------------------------------------------------
    def req(t: datetime) -> float:
        after = t >= onset
        v = base * diurnal(t, TZ_H)
        return k.jitter(v * (1.35 if after else 1.0))

    dims = {"ApiId": api_id, "Stage": stage}
    t = start
    while t <= now:
        c = req(t)
        auth_share = sum(s for _r, s, _d in fns.values())
        if t >= onset + timedelta(seconds=30):
            c4 = c * auth_share * rng.uniform(0.9, 0.97) + c * 0.01
        else:
            c4 = c * rng.uniform(0.008, 0.02)
        c5 = c * rng.uniform(0.0, 0.0015)
        k.point("AWS/ApiGateway", "Count", dims, t, "Count", round(c))
        k.point("AWS/ApiGateway", "4xx", dims, t, "Count", round(c4))
        k.point("AWS/ApiGateway", "5xx", dims, t, "Count", round(c5))
        after = t >= onset
        lat = rng.uniform(18, 26) if after else rng.uniform(85, 120)
        if start + timedelta(minutes=95) <= t < start + timedelta(minutes=101):
            lat = rng.uniform(420, 520)
        k.stats("AWS/ApiGateway", "Latency", dims, t, "Milliseconds", c, lat, 4, lat * 9)
        ilat = lat * 0.8 if not after else rng.uniform(60, 80)
        k.stats(
            "AWS/ApiGateway", "IntegrationLatency", dims, t, "Milliseconds", max(1, c - c4), ilat, 3, ilat * 8
        )
        for fn, (_route, share, dur) in {**fns, **public}.items():
            inv = c * share
            if fn in fns and t >= onset + timedelta(seconds=30):
                inv = 0
            if inv < 0.5:
                continue
            fd = float(dur)
            if fn == "fernlane-feed" and start + timedelta(minutes=95) <= t < start + timedelta(minutes=101):
                fd = dur * 3.5
            fdims = {"FunctionName": fn}
            k.point("AWS/Lambda", "Invocations", fdims, t, "Count", round(inv))
            k.point("AWS/Lambda", "Errors", fdims, t, "Count", 1 if rng.random() < 0.03 else 0)
            k.point("AWS/Lambda", "Throttles", fdims, t, "Count", 0)
            k.stats("AWS/Lambda", "Duration", fdims, t, "Milliseconds", inv, k.jitter(fd), fd * 0.3, fd * 4)
            k.point(
                "AWS/Lambda", "ConcurrentExecutions", fdims, t, "Count", max(1, round(inv * fd / 60000 * 3))
            )
        for tb, rcu in (("fernlane-plants", 2.6), ("fernlane-users", 0.9)):
            v = c * rcu if t < onset else c * 0.05
            k.point("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": tb}, t, "Count", k.jitter(v))
            w = c * 0.12 if t < onset else c * 0.004
            k.point("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": tb}, t, "Count", k.jitter(w))
        cdims = {"UserPool": pool_id, "UserPoolClient": mobile_client}
        refresh = c * 0.02 if t < onset else c * rng.uniform(0.08, 0.14)
        signin = c * 0.004 if t < onset else c * rng.uniform(0.02, 0.035)
        k.point("AWS/Cognito", "TokenRefreshSuccesses", cdims, t, "Count", round(refresh))
        k.point("AWS/Cognito", "SignInSuccesses", cdims, t, "Count", round(signin))
        k.point("AWS/Cognito", "SignInThrottles", cdims, t, "Count", 0)
        t += timedelta(minutes=1)

    # --- logs ----------------------------------------------------------------------------------
    agents = [
        "Fernlane/4.12.1 (iPhone; iOS 17.5.1)",
        "Fernlane/4.12.1 (Android 14; Pixel 7)",
        "Fernlane/4.11.3 (iPhone; iOS 16.7.8)",
        "okhttp/4.12.0 Fernlane/4.12.0",
    ]
    stream = f"{stage}/{k.hex(8)}"
    t = start
    while t <= now:
        for _ in range(rng.randint(2, 4)):
            fn = rng.choice([*fns, *public, "fernlane-feed", "fernlane-plants"])
            route = {**fns, **public}[fn][0]
            ts = t + timedelta(seconds=rng.uniform(0, 60))
            failing = fn in fns and ts >= onset + timedelta(seconds=20)
            rid = k.alnum(14, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") + "="
            entry = {
                "requestId": rid,
                "ip": f"{rng.choice([1, 49, 101, 120, 203])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "routeKey": route,
                "status": "401" if failing else ("200" if rng.random() > 0.015 else "401"),
                "responseLength": "26" if failing else str(rng.randint(180, 9000)),
                "integrationLatency": "-" if failing else str(rng.randint(20, 300)),
                "authorizerError": "the token does not have a valid audience"
                if failing
                else ("-" if rng.random() > 0.015 else "the token has expired"),
                "userAgent": rng.choice(agents),
            }
            if fn in public:
                entry["authorizerError"] = "-"
            k.log(access_group, stream, ts, json.dumps(entry))
        t += timedelta(minutes=1)

    for fn, (_route, _s, dur) in {**fns, **public}.items():
        group = f"/aws/lambda/{fn}"
        k.log_group(group, 14, created)
        t = start + timedelta(minutes=rng.randint(0, 9))
        s = k.lambda_stream(t)
        redeployed = False
        while t <= now:
            if fn in fns and t >= onset:
                break
            rid = k.uuid()
            if fn == "fernlane-feed" and t >= feed_deploy and not redeployed:
                redeployed = True
                s = k.lambda_stream(t)
                k.log(
                    group,
                    s,
                    t,
                    f"INIT_START Runtime Version: python:3.12.v{rng.randint(30, 60)}\t"
                    f"Runtime Version ARN: arn:aws:lambda:{k.region}::runtime:{k.hex(64)}\n",
                )
            d = k.jitter(dur, 0.4)
            k.log(group, s, t, f"START RequestId: {rid} Version: $LATEST\n")
            if fn == "fernlane-feed":
                k.log(
                    group,
                    s,
                    t + timedelta(milliseconds=d / 2),
                    compact(
                        {
                            "level": "INFO",
                            "location": "handler:58",
                            "message": "feed built",
                            "items": rng.randint(8, 40),
                            "service": fn,
                            "timestamp": iso(t),
                            "function_request_id": rid,
                        }
                    ),
                )
            k.log(group, s, t + timedelta(milliseconds=d), f"END RequestId: {rid}\n")
            k.log(
                group,
                s,
                t + timedelta(milliseconds=d + 1),
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(88, 140)} MB\t\n",
            )
            t += timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))

    # --- cloudtrail ----------------------------------------------------------------------------
    k.ct(
        web_created,
        "cognito-idp.amazonaws.com",
        "CreateUserPoolClient",
        human,
        {
            "userPoolId": pool_id,
            "clientName": "fernlane-web",
            "generateSecret": False,
            "explicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "supportedIdentityProviders": ["COGNITO", "SignInWithApple", "Google"],
            "callbackURLs": ["https://app.fernlane.app/auth/callback"],
            "allowedOAuthFlows": ["code"],
            "allowedOAuthScopes": ["openid", "email", "profile"],
            "allowedOAuthFlowsUserPoolClient": True,
        },
        {
            "userPoolClient": {
                "userPoolId": pool_id,
                "clientName": "fernlane-web",
                "clientId": web_client,
                "creationDate": iso(web_created),
            }
        },
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    k.ct(
        web_created + timedelta(minutes=3),
        "cognito-idp.amazonaws.com",
        "DescribeUserPoolClient",
        human,
        {"userPoolId": pool_id, "clientId": web_client},
        None,
        read_only=True,
    )
    k.ct(
        feed_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "fernlane-feed",
            "s3Bucket": "fernlane-artifacts",
            "s3Key": f"fernlane-feed/{k.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "fernlane-feed",
            "functionArn": k.arn("lambda", "function:fernlane-feed"),
            "runtime": "python3.12",
            "codeSize": rng.randint(3_000_000, 6_000_000),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="Boto3/1.34.140 md/Botocore#1.34.140 ua/2.0 os/linux#6.5.0-1022-azure lang/python#3.12.4 exec-env/GitHub-Actions",
    )
    ssm_t = onset - timedelta(minutes=rng.randint(20, 30))
    k.ct(
        ssm_t,
        "ssm.amazonaws.com",
        "PutParameter",
        ci,
        {"name": "/fernlane/prod/feed/max_items", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 12), "tier": "Standard"},
        agent="Boto3/1.34.140 md/Botocore#1.34.140 ua/2.0 os/linux#6.5.0-1022-azure lang/python#3.12.4 exec-env/GitHub-Actions",
    )
    k.ct(
        onset - timedelta(minutes=4),
        "apigateway.amazonaws.com",
        "GetAuthorizers",
        human,
        {"apiId": api_id},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    culprit = k.ct(
        onset,
        "apigateway.amazonaws.com",
        "UpdateAuthorizer",
        human,
        {
            "apiId": api_id,
            "authorizerId": auth_id,
            "jwtConfiguration": {"audience": [web_client], "issuer": issuer},
        },
        {
            "authorizerId": auth_id,
            "authorizerType": "JWT",
            "identitySource": ["$request.header.Authorization"],
            "jwtConfiguration": {"audience": [web_client], "issuer": issuer},
            "name": "cognito-jwt",
        },
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(14, 22)),
        "cognito-idp.amazonaws.com",
        "DescribeUserPool",
        human,
        {"userPoolId": pool_id},
        None,
        read_only=True,
    )
    k.ct(
        start + timedelta(minutes=rng.randint(20, 60)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        human,
        {"logGroupName": "/aws/lambda/fernlane-config", "retentionInDays": 14},
        None,
    )
    k.readonly_noise(
        start,
        now,
        rng.randint(34, 44),
        [
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("apigateway.amazonaws.com", "GetApis", None),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "fernlane-plants"}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("cognito-idp.amazonaws.com", "ListUserPools", {"maxResults": 60}),
        ],
    )
    key_arn = k.arn("kms", f"key/{k.uuid()}")
    k.kms_decrypt_noise(start, now, [(f, f"{f}-role") for f in [*fns, *public]], key_arn, rng.randint(12, 20))

    # --- alarms --------------------------------------------------------------------------------
    topic = k.arn("sns", "fernlane-oncall")
    a4 = k.alarm(
        "fernlane-api-4xx-high",
        "AWS/ApiGateway",
        "4xx",
        dims,
        "Sum",
        300,
        evals=3,
        state="ALARM",
        state_time=onset + timedelta(minutes=3),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (300.0).",
        description="Client errors on the mobile API above normal",
        actions=[topic],
    )
    k.transition(a4, onset + timedelta(minutes=3), "OK", "ALARM", a4["StateReason"])
    lat_alarm_t = start + timedelta(minutes=99)
    al = k.alarm(
        "fernlane-api-latency-high",
        "AWS/ApiGateway",
        "Latency",
        dims,
        "Average",
        400,
        evals=3,
        state="OK",
        state_time=lat_alarm_t + timedelta(minutes=4),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (400.0).",
        actions=[topic],
    )
    k.transition(
        al,
        lat_alarm_t,
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (400.0).",
    )
    k.transition(al, lat_alarm_t + timedelta(minutes=4), "ALARM", "OK", al["StateReason"])
    for fn in ("fernlane-upload-url", "fernlane-care-log"):
        k.alarm(
            f"{fn}-errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn},
            "Sum",
            5,
            period=300,
            evals=1,
            state="OK",
            state_time=start - timedelta(days=rng.randint(1, 9)),
            reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
            actions=[topic],
        )

    local = onset + timedelta(hours=TZ_H)
    h12 = local.hour % 12 or 12
    question = (
        f"Support is getting flooded: the app says 'Your session has expired' on basically every screen "
        f"since about {h12}:{local.minute // 5 * 5:02d}{'am' if local.hour < 12 else 'pm'} and logging back in doesn't fix it. "
        "Is Cognito having problems? The feed release went out around then too."
    )
    ev = k.alarm_event(
        a4,
        onset + timedelta(minutes=3),
        a4["StateReason"],
        start - timedelta(days=3),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (300.0).",
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question=question,
        alarm_event=ev,
        tz=TZ,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": auth_id,
                "category": "change",
                "failure_mode": "jwt-authorizer-audience-replaced",
                "event_id": culprit["eventID"],
            },
            "also_accept": ["cognito-jwt", f"{api_id}/authorizers/{auth_id}"],
            "actions": ["rollback"],
            "chain": [auth_id, api_id, "fernlane-mobile-api"],
        },
    )
