"""Random 500s on every API route: the Lambda authorizer's entitlements lookup times out upstream."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzz import Kit, iso

NAME = "public-api-random-500s-authorizer"
TITLE = "Public API returning random 'Internal server error' 500s on every route since mid-afternoon"
SUMMARY = (
    "The billing team's entitlements service, which the API's Lambda authorizer calls on every cache miss, "
    "started timing out and returning 503s; authorizer failures surface as 500s for uncached tokens."
)

TZ = ZoneInfo("Europe/Dublin")
HOST = "entitlements.billing.tallyhive.internal"


def build(seed: int) -> Bundle:
    k = Kit(seed, "eu-west-1", NAME)
    rng = k.rng
    acct = k.account
    day = k.day()
    start = day.replace(hour=rng.randint(10, 11), minute=rng.randint(0, 59))
    onset = start + timedelta(hours=3, minutes=rng.randint(35, 70), seconds=rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    api_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    api_name = "tallyhive-public-api"
    stage = "v1"
    authz = "api-authorizer"
    backend = "query-api"
    pool_id = "eu-west-1_" + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9)
    )
    client_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
    topic = f"arn:aws:sns:eu-west-1:{acct}:tallyhive-api-oncall"
    severity = rng.uniform(0.55, 0.8)
    tenants = [f"t_{k.hexid(8)}" for _ in range(14)]
    plans = ["pro", "team", "enterprise", "starter"]

    api_dims = {"ApiName": api_name, "Stage": stage}
    fn_dims = {"FunctionName": authz}
    be_dims = {"FunctionName": backend}
    agroup = f"/aws/lambda/{authz}"
    egroup = f"API-Gateway-Execution-Logs_{api_id}/{stage}"
    streams = [f"{day:%Y/%m/%d}/[$LATEST]{k.hexid(32)}" for _ in range(3)]
    n_min = int((now - start).total_seconds() // 60)
    first_5xx_min: int | None = None
    five_xx_by_min: list[float] = []
    for m in range(n_min):
        ts = start + timedelta(minutes=m)
        hour_shape = 1 + 0.15 * ((ts.hour - 10) / 6)
        count = int(rng.randint(1900, 2500) * hour_shape)
        miss = int(count * rng.uniform(0.07, 0.09))
        bad = ts >= onset - timedelta(seconds=59)
        ramp = min(1.0, max(0.0, (ts - onset).total_seconds() / 300 + 0.2)) if bad else 0
        frac = severity * ramp * rng.uniform(0.85, 1.1) if bad else 0
        frac = min(frac, 0.95)
        # failed authorizations are not cached, so the same tokens come back and miss again
        invocations = int(miss * (1 + 1.3 * frac))
        failures = int(invocations * frac)
        rng.uniform(0.15, 0.3)  # share of failures that were Lambda timeouts (shown in Duration)
        fivexx = failures + rng.choice([0, 0, 1, 2, 3])
        five_xx_by_min.append(fivexx)
        if fivexx > 50 and first_5xx_min is None:
            first_5xx_min = m
        ok_calls = count - failures
        k.metric("AWS/ApiGateway", "Count", api_dims, ts, count)
        k.metric("AWS/ApiGateway", "5XXError", api_dims, ts, fivexx)
        k.metric("AWS/ApiGateway", "4XXError", api_dims, ts, int(count * rng.uniform(0.006, 0.012)))
        lat_ok = [rng.uniform(45, 160) for _ in range(18)]
        lat_bad = [rng.uniform(2600, 6100) for _ in range(int(18 * frac))]
        k.stat("AWS/ApiGateway", "Latency", api_dims, ts, lat_ok + lat_bad, "Milliseconds")
        k.stat(
            "AWS/ApiGateway",
            "IntegrationLatency",
            api_dims,
            ts,
            [rng.uniform(30, 130) for _ in range(18)],
            "Milliseconds",
        )
        k.metric("AWS/Lambda", "Invocations", fn_dims, ts, invocations)
        k.metric("AWS/Lambda", "Errors", fn_dims, ts, failures)
        k.metric("AWS/Lambda", "Throttles", fn_dims, ts, 0)
        durs = [rng.uniform(55, 140) for _ in range(16)]
        durs += [rng.uniform(2550, 5300) for _ in range(int(16 * frac))]
        durs += [6000.0 for _ in range(int(16 * frac * 0.25))]
        k.stat("AWS/Lambda", "Duration", fn_dims, ts, durs, "Milliseconds")
        k.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            fn_dims,
            ts,
            max(1, int(invocations * (0.1 + 4.2 * frac) / 60) + rng.randint(0, 1)),
        )
        k.metric("AWS/Lambda", "Invocations", be_dims, ts, ok_calls)
        k.metric("AWS/Lambda", "Errors", be_dims, ts, rng.choice([0, 0, 0, 1]))
        k.stat(
            "AWS/Lambda", "Duration", be_dims, ts, [rng.uniform(25, 120) for _ in range(16)], "Milliseconds"
        )
        # authorizer logs: a few invocations a minute are enough to show the pattern
        for _ in range(2 if not bad else 4):
            t0 = ts + timedelta(seconds=rng.uniform(0, 55))
            tenant = rng.choice(tenants)
            sub = k.uid()
            stream = rng.choice(streams)
            stamp = f"{iso(t0)[:-1]}.{rng.randint(0, 999):03d}Z"
            if rng.random() >= frac:
                ent_ms = rng.randint(18, 60)
                k.lambda_invocation(
                    agroup,
                    stream,
                    t0,
                    ent_ms + rng.uniform(25, 70),
                    256,
                    rng.randint(71, 79),
                    [
                        f"[INFO]\t{stamp}\t{{rid}}\tauthorized sub={sub} tenant={tenant} plan={rng.choice(plans)} "
                        f"entitlements_ms={ent_ms} effect=Allow\n"
                    ],
                )
            elif rng.random() < 0.25:
                k.lambda_invocation(
                    agroup,
                    stream,
                    t0,
                    6000.0,
                    256,
                    rng.randint(74, 80),
                    [
                        f"[WARNING]\t{stamp}\t{{rid}}\tentitlements lookup failed tenant={tenant} attempt=1: "
                        f"HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=2.5)\n"
                    ],
                    timeout=True,
                )
            elif rng.random() < 0.4:
                k.lambda_invocation(
                    agroup,
                    stream,
                    t0,
                    rng.uniform(60, 140),
                    256,
                    rng.randint(74, 80),
                    [
                        f"[WARNING]\t{stamp}\t{{rid}}\tentitlements lookup failed tenant={tenant} attempt=1: "
                        f"503 Server Error: Service Unavailable for url: https://{HOST}/v2/tenants/{tenant}/entitlements\n",
                        f"[ERROR] HTTPError: 503 Server Error: Service Unavailable for url: "
                        f"https://{HOST}/v2/tenants/{tenant}/entitlements\nTraceback (most recent call last):\n"
                        '\xa0\xa0File "/var/task/app.py", line 74, in handler\n'
                        '\xa0\xa0\xa0\xa0ent = entitlements.for_tenant(claims["custom:tenant_id"])\n'
                        '\xa0\xa0File "/var/task/entitlements.py", line 39, in for_tenant\n'
                        "\xa0\xa0\xa0\xa0resp.raise_for_status()\n",
                    ],
                )
            else:
                k.lambda_invocation(
                    agroup,
                    stream,
                    t0,
                    rng.uniform(5050, 5400),
                    256,
                    rng.randint(74, 80),
                    [
                        f"[WARNING]\t{stamp}\t{{rid}}\tentitlements lookup failed tenant={tenant} attempt=1: "
                        f"HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=2.5)\n",
                        f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. "
                        "(read timeout=2.5)\nTraceback (most recent call last):\n"
                        '\xa0\xa0File "/var/task/app.py", line 74, in handler\n'
                        '\xa0\xa0\xa0\xa0ent = entitlements.for_tenant(claims["custom:tenant_id"])\n'
                        '\xa0\xa0File "/var/task/entitlements.py", line 36, in for_tenant\n'
                        "\xa0\xa0\xa0\xa0resp = self._session.get(url, timeout=(1.0, 2.5))\n"
                        '\xa0\xa0File "/var/task/requests/adapters.py", line 713, in send\n'
                        "\xa0\xa0\xa0\xa0raise ReadTimeout(e, request=request)\n",
                    ],
                )
            if bad and rng.random() < frac:
                rid = k.uid()
                k.log(
                    egroup,
                    k.hexid(32),
                    t0 + timedelta(seconds=3),
                    f"({rid}) Execution failed due to configuration error: Authorizer error",
                )
                k.log(
                    egroup,
                    k.hexid(32),
                    t0 + timedelta(seconds=3, milliseconds=2),
                    f"({rid}) Gateway response type: AUTHORIZER_CONFIGURATION_ERROR with status code: 500",
                )

    # --- alarms ------------------------------------------------------------------------------
    fm = first_5xx_min if first_5xx_min is not None else n_min - 10
    alarm_t = start + timedelta(minutes=fm + 3, seconds=rng.randint(5, 40))
    pts = ", ".join(
        f"{five_xx_by_min[i]:.1f} ({(start + timedelta(minutes=i)):%d/%m/%y %H:%M:00})"
        for i in range(fm + 2, fm - 1, -1)
        if 0 <= i < len(five_xx_by_min)
    )
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{pts}] were greater than the threshold (50.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    a5 = k.alarm(
        "tallyhive-public-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api_dims,
        period=60,
        evals=3,
        threshold=50,
        state="ALARM",
        state_time=alarm_t,
        reason=reason,
        description="Public API 5xx above 50/min for 3 minutes. Sev2.",
        topic=topic,
        missing="notBreaching",
        configured=day - timedelta(days=260),
    )
    k.transition(a5, alarm_t, "OK", "ALARM", reason)
    k.alarm(
        "tallyhive-public-api-p99-latency",
        "AWS/ApiGateway",
        "Latency",
        api_dims,
        period=300,
        evals=3,
        extended="p99",
        threshold=8000,
        state="OK",
        state_time=day - timedelta(days=6),
        description="p99 latency above 8s",
        topic=topic,
        configured=day - timedelta(days=260),
    )
    qa = k.alarm(
        "query-api-errors",
        "AWS/Lambda",
        "Errors",
        be_dims,
        period=300,
        threshold=20,
        state="OK",
        state_time=start + timedelta(minutes=41),
        description="query-api function errors",
        topic=topic,
        missing="notBreaching",
        configured=day - timedelta(days=200),
    )
    k.transition(
        qa,
        start + timedelta(minutes=31),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [23.0] was greater than the threshold (20.0).",
    )
    k.transition(
        qa,
        start + timedelta(minutes=41),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was not greater than the threshold (20.0).",
    )
    for i in range(26, 31):
        k.metric("AWS/Lambda", "Errors", be_dims, start + timedelta(minutes=i, seconds=30), rng.randint(4, 7))
    k.log(
        f"/aws/lambda/{backend}",
        f"{day:%Y/%m/%d}/[$LATEST]{k.hexid(32)}",
        start + timedelta(minutes=28),
        f"[ERROR]\t{iso(start + timedelta(minutes=28))[:-1]}.512Z\t{k.uid()}\tquery timed out after 25000 ms "
        "on warehouse (tenant export report, rows=4.1M)\n",
    )
    for m in range(n_min):
        depth = rng.randint(0, 40) + (300 if 120 <= m <= 150 else 0)
        k.metric(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "tallyhive-reports"},
            start + timedelta(minutes=m),
            depth,
        )
    k.alarm(
        "reports-queue-depth",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "tallyhive-reports"},
        stat="Maximum",
        period=300,
        evals=2,
        threshold=500,
        state="OK",
        state_time=day - timedelta(days=1, hours=4),
        description="report jobs backing up",
        topic=topic,
        configured=day - timedelta(days=200),
    )

    # --- CloudTrail ---------------------------------------------------------------------------
    gha = k.role_identity("github-actions-deploy", "GitHubActions")
    deploy_t = onset - timedelta(minutes=rng.randint(9, 16))
    k.ct(
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": backend,
            "publish": True,
            "s3Bucket": "tallyhive-artifacts-eu-west-1",
            "s3Key": f"{backend}/{k.hexid(40)}.zip",
        },
        {
            "functionName": backend,
            "functionArn": k.arn("lambda", f"function:{backend}"),
            "runtime": "python3.12",
            "version": str(rng.randint(120, 180)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        ip="20.40.11.8",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    dev = k.role_identity("AWSReservedSSO_Admin_0f3b21", "ines.murphy@tallyhive.example")
    cl_t = onset - timedelta(minutes=rng.randint(18, 28))
    k.ct(
        cl_t,
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        dev,
        {
            "userPoolId": pool_id,
            "clientId": client_id,
            "clientName": "tallyhive-web",
            "callbackURLs": [
                "https://app.tallyhive.com/auth/callback",
                "https://eu.app.tallyhive.com/auth/callback",
            ],
            "logoutURLs": ["https://app.tallyhive.com/"],
            "allowedOAuthFlows": ["code"],
            "allowedOAuthScopes": ["openid", "email", "profile"],
            "allowedOAuthFlowsUserPoolClient": True,
            "supportedIdentityProviders": ["COGNITO"],
        },
        {
            "userPoolClient": {
                "userPoolId": pool_id,
                "clientName": "tallyhive-web",
                "clientId": client_id,
                "lastModifiedDate": cl_t.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        ip="198.51.100.77",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/122.0.0.0 Safari/537.36",
    )
    rot = k.role_identity("secrets-rotation-lambda", "SecretsManagerRotation")
    rot_t = start + timedelta(minutes=rng.randint(30, 80))
    secret_arn = k.arn("secretsmanager", f"secret:tallyhive/warehouse-ro-{k.hexid(6)}")
    steps: list[tuple[str, dict[str, Any], bool]] = [
        ("DescribeSecret", {"secretId": secret_arn}, True),
        ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, True),
        ("GetRandomPassword", {"excludeCharacters": "/@\"'\\", "passwordLength": 32}, True),
        (
            "PutSecretValue",
            {"secretId": secret_arn, "clientRequestToken": k.uid(), "versionStages": ["AWSPENDING"]},
            False,
        ),
        ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSPENDING"}, True),
        ("UpdateSecretVersionStage", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, False),
    ]
    for i, (name, params, ro) in enumerate(steps):
        k.ct(
            rot_t + timedelta(seconds=3 * i),
            "secretsmanager.amazonaws.com",
            name,
            rot,
            params,
            {"arn": secret_arn, "name": "tallyhive/warehouse-ro"} if not ro else None,
            read_only=ro,
            ip="34.250.1.4",
            agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
        )
    for _ in range(rng.randint(8, 12)):
        tt = start + timedelta(minutes=rng.uniform(0, n_min))
        k.ct(
            tt,
            "kms.amazonaws.com",
            "Decrypt",
            k.role_identity(f"{authz}-role", authz),
            {
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {"aws:lambda:FunctionArn": k.arn("lambda", f"function:{authz}")},
            },
            None,
            read_only=True,
            ip="lambda.amazonaws.com",
            agent="lambda.amazonaws.com",
        )
    k.readonly_noise(
        start,
        now,
        rng.randint(30, 45),
        [
            ("apigateway.amazonaws.com", "GetRestApis"),
            ("lambda.amazonaws.com", "ListFunctions20150331"),
            ("cognito-idp.amazonaws.com", "DescribeUserPool"),
            ("cloudwatch.amazonaws.com", "DescribeAlarms"),
            ("secretsmanager.amazonaws.com", "ListSecrets"),
            ("apigateway.amazonaws.com", "GetStages"),
        ],
    )

    # --- resources ---------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(300, 800))
    k.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
        },
    )
    k.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "stageName": stage,
            "deploymentId": k.hexid(6),
            "createdDate": iso(created),
            "lastUpdatedDate": iso(day - timedelta(days=9)),
            "tracingEnabled": False,
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 5000,
                    "throttlingRateLimit": 10000.0,
                }
            },
        },
    )
    authz_arn = k.arn("lambda", f"function:{authz}")
    k.resource(
        "apigateway",
        "Authorizer",
        {
            "id": k.hexid(6),
            "name": "tenant-jwt",
            "type": "TOKEN",
            "authorizerUri": f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{authz_arn}/invocations",
            "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 300,
        },
    )
    k.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": authz,
            "FunctionArn": authz_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{authz}-role",
            "Handler": "app.handler",
            "Timeout": 6,
            "MemorySize": 256,
            "LastModified": iso(day - timedelta(days=23)).replace("Z", ".000+0000"),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "Architectures": ["arm64"],
            "VpcConfig": {
                "SubnetIds": [f"subnet-{k.hexid(17)}", f"subnet-{k.hexid(17)}"],
                "SecurityGroupIds": [f"sg-{k.hexid(17)}"],
                "VpcId": f"vpc-{k.hexid(17)}",
            },
            "Environment": {
                "Variables": {
                    "JWKS_URL": f"https://cognito-idp.eu-west-1.amazonaws.com/{pool_id}/.well-known/jwks.json",
                    "ENTITLEMENTS_URL": f"https://{HOST}/v2",
                    "ENTITLEMENTS_TIMEOUT": "2.5",
                    "POWERTOOLS_LOG_LEVEL": "INFO",
                }
            },
        },
    )
    k.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": backend,
            "FunctionArn": k.arn("lambda", f"function:{backend}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{backend}-role",
            "Handler": "main.handler",
            "Timeout": 29,
            "MemorySize": 1024,
            "LastModified": iso(deploy_t + timedelta(seconds=2)).replace("Z", ".000+0000"),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "Architectures": ["arm64"],
        },
    )
    k.resource(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "tallyhive-users",
            "Arn": k.arn("cognito-idp", f"userpool/{pool_id}"),
            "Status": "Enabled",
            "CreationDate": iso(created),
            "LastModifiedDate": iso(day - timedelta(days=40)),
            "UsernameAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
            "UserPoolTier": "ESSENTIALS",
        },
    )
    k.resource(
        "cognito-idp",
        "UserPoolClientType",
        {
            "UserPoolId": pool_id,
            "ClientName": "tallyhive-web",
            "ClientId": client_id,
            "CreationDate": iso(created),
            "LastModifiedDate": iso(cl_t),
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "RefreshTokenValidity": 30,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "CallbackURLs": [
                "https://app.tallyhive.com/auth/callback",
                "https://eu.app.tallyhive.com/auth/callback",
            ],
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "SupportedIdentityProviders": ["COGNITO"],
        },
    )
    k.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "tallyhive/warehouse-ro",
            "RotationEnabled": True,
            "RotationLambdaARN": k.arn("lambda", "function:secrets-rotation-lambda"),
            "RotationRules": {"AutomaticallyAfterDays": 30},
            "LastRotatedDate": iso(rot_t + timedelta(seconds=16)),
            "LastChangedDate": iso(rot_t + timedelta(seconds=16)),
            "CreatedDate": iso(created),
        },
    )
    k.resource(
        "logs",
        "LogGroup",
        {"logGroupName": agroup, "retentionInDays": 30, "creationTime": int(created.timestamp() * 1000)},
    )
    k.resource(
        "logs",
        "LogGroup",
        {"logGroupName": egroup, "retentionInDays": 7, "creationTime": int(created.timestamp() * 1000)},
    )
    k.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": f"{authz}-role",
            "PolicyName": "authorizer",
            "PolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["kms:Decrypt"],
                            "Resource": k.arn("kms", f"key/{k.uid()}"),
                        }
                    ],
                }
            ),
        },
    )

    local = (start + timedelta(minutes=fm)).astimezone(TZ)
    question = (
        f"We're getting paged for public-api 5xx and customers are reporting random 'Internal server error' "
        f"responses on all endpoints since about {local:%H:%M}. Retrying sometimes works. Only query-api was "
        "deployed today and Ines touched the Cognito app client — is it one of those?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": question,
            "timezone": "Europe/Dublin",
            "alarm_event": k.alarm_event(a5, alarm_t, reason, day - timedelta(days=4)),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": HOST,
                "category": "dependency_failure",
                "failure_mode": "upstream-entitlements-timeouts",
            },
            "also_accept": ["entitlements", "entitlements service", f"https://{HOST}/v2"],
            "actions": ["reconfigure"],
            "chain": [HOST, authz, api_name],
        },
    )
