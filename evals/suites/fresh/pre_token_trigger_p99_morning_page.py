"""A Cognito pre-token-generation trigger's p99 alarm fires at the morning sign-in ramp: cold starts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzz import UTC, Kit, iso

NAME = "pre-token-trigger-p99-morning-page"
TITLE = "Sign-in token trigger p99 duration alarm paged at the start of the working day"
SUMMARY = (
    "The pre-token-generation Lambda's p99 Duration alarm fires every weekday morning as sign-ins ramp up "
    "and new execution environments warm their role-mapping cache; no errors, no throttles, no failed sign-ins."
)

TZ = ZoneInfo("Australia/Sydney")


def _signins(local: datetime) -> float:
    """Sign-ins a minute for a workforce app, by local time of day."""
    h = local.hour + local.minute / 60
    if h < 6:
        return 1.5
    if h < 8:
        return 4 + (h - 6) * 10
    if 8.7 <= h < 8.95:
        # the 9:00 shift: most of the roster opens the app within a few minutes
        return 84 + (h - 8.5) * 120 + 420 * (1 - abs(h - 8.8) / 0.15)
    if h < 8.5:
        return 24 + (h - 8) * 120
    if h < 9.25:
        return 84 + (h - 8.5) * 120
    if h < 12:
        return 150 - (h - 9.25) * 25
    if h < 14:
        return 95
    if h < 18:
        return 95 - (h - 14) * 18
    if h < 22:
        return 23 - (h - 18) * 4
    return 5


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-southeast-2", NAME)
    rng = k.rng
    acct = k.account
    base = k.day()
    # a weekday morning in Sydney
    while base.weekday() not in (1, 2, 3, 4):
        base += timedelta(days=1)
    ramp_local = datetime(base.year, base.month, base.day, 8, 45, tzinfo=TZ)
    now = (ramp_local + timedelta(minutes=rng.randint(42, 60))).astimezone(UTC)
    start = (now - timedelta(hours=27)).replace(minute=0, second=0)
    fn = "crewpass-pre-token-generation"
    fn_dims = {"FunctionName": fn}
    pool_id = "ap-southeast-2_" + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9)
    )
    client_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
    pool_dims = {"UserPool": pool_id, "UserPoolClient": client_id}
    topic = f"arn:aws:sns:ap-southeast-2:{acct}:crewpass-identity-alerts"
    group = f"/aws/lambda/{fn}"
    n_min = int((now - start).total_seconds() // 60)
    warm = 0
    idle = 0
    p99s: list[tuple[datetime, float]] = []
    stream = ""
    for m in range(n_min):
        ts = start + timedelta(minutes=m)
        local = ts.astimezone(TZ)
        rate = _signins(local) * rng.uniform(0.85, 1.15)
        if local.weekday() >= 5:
            rate *= 0.15
        inv = max(0, int(rate))
        refresh = int(rate * rng.uniform(2.2, 2.8)) + rng.randint(0, 3)
        # token refreshes invoke the trigger too
        total = inv + refresh
        burst = 30 if local.hour == 8 and 40 <= local.minute < 58 else 4
        need = max(1, int(total * 0.13 / 60 * burst + 0.6)) if total else 0
        if total == 0:
            idle += 1
            if idle > 20:
                warm = 0
        else:
            idle = 0
        cold = max(0, need - warm)
        if rng.random() < 0.006 and total:
            cold += 1  # an environment recycled now and then
        if need < warm and rng.random() < 0.08:
            warm -= 1
        warm = max(warm, need)
        if local.hour == 3 and local.minute == 0:
            warm = 0
        durs = [rng.gauss(118, 22) for _ in range(10)]
        counts = [max(total - cold, 0) / 10] * 10
        colds = [rng.uniform(1650, 2600) for _ in range(cold)]
        values = [round(max(d, 40), 2) for d in durs] + [round(c, 2) for c in colds]
        all_counts = [round(c, 2) for c in counts] + [1.0] * cold
        if total:
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": fn_dims,
                    "timestamp": iso(ts),
                    "unit": "Milliseconds",
                    "values": values,
                    "counts": all_counts,
                }
            )
            k.metric("AWS/Lambda", "Invocations", fn_dims, ts, total)
            k.metric("AWS/Lambda", "Errors", fn_dims, ts, 0)
            k.metric("AWS/Lambda", "Throttles", fn_dims, ts, 0)
            k.metric("AWS/Lambda", "ConcurrentExecutions", fn_dims, ts, max(1, need - rng.randint(0, 1)))
        if inv:
            k.metric("AWS/Cognito", "SignInSuccesses", pool_dims, ts, inv)
        if refresh:
            k.metric("AWS/Cognito", "TokenRefreshSuccesses", pool_dims, ts, refresh)
        ordered = sorted(zip(values, all_counts, strict=True))
        tot = sum(all_counts)
        acc = 0.0
        p99 = 0.0
        for v, c in ordered:
            acc += c
            if acc >= 0.99 * tot:
                p99 = v
                break
        p99s.append((ts, p99))
        for c in colds:
            stream = f"{ts:%Y/%m/%d}/[$LATEST]{k.hexid(32)}"
            t0 = ts + timedelta(seconds=rng.uniform(0, 55))
            n_roles = rng.randint(4200, 4400)
            load = int(c - rng.uniform(90, 160))
            k.lambda_invocation(
                group,
                stream,
                t0,
                c,
                512,
                rng.randint(118, 131),
                [
                    f'{{"level":"INFO","location":"warm_role_cache:41","message":"role-mapping cache loaded",'
                    f'"table":"crewpass-role-mappings","items":{n_roles},"elapsed_ms":{load},'
                    f'"timestamp":"{iso(t0)[:-1]}.{rng.randint(100, 999)}Z","service":"pre-token-generation",'
                    f'"cold_start":true,"function_request_id":"{{rid}}"}}\n',
                    f'{{"level":"INFO","location":"handler:77","message":"claims added",'
                    f'"trigger":"TokenGeneration_Authentication","tenant":"ten_{k.hexid(6)}","groups":2,'
                    f'"timestamp":"{iso(t0)[:-1]}.{rng.randint(100, 999)}Z","service":"pre-token-generation",'
                    f'"cold_start":true,"function_request_id":"{{rid}}"}}\n',
                ],
                init_ms=rng.uniform(610, 840),
            )
        if stream and rng.random() < 0.08 and total:
            t0 = ts + timedelta(seconds=rng.uniform(0, 55))
            d = rng.gauss(115, 20)
            k.lambda_invocation(
                group,
                stream,
                t0,
                max(d, 45),
                512,
                rng.randint(120, 133),
                [
                    f'{{"level":"INFO","location":"handler:77","message":"claims added",'
                    f'"trigger":"{rng.choice(["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens"])}",'
                    f'"tenant":"ten_{k.hexid(6)}","groups":{rng.randint(1, 4)},'
                    f'"timestamp":"{iso(t0)[:-1]}.{rng.randint(100, 999)}Z","service":"pre-token-generation",'
                    f'"cold_start":false,"function_request_id":"{{rid}}"}}\n'
                ],
            )

    # --- the alarm and its history: yesterday's and today's morning ramps --------------------
    threshold = 1500.0
    a = k.alarm(
        "pre-token-generation-p99-duration",
        "AWS/Lambda",
        "Duration",
        fn_dims,
        period=60,
        evals=3,
        to_alarm=2,
        threshold=threshold,
        extended="p99",
        state="OK",
        state_time=now,
        description="Cognito pre token generation trigger p99 > 1.5s (Cognito times triggers out at 5s)",
        topic=topic,
        missing="notBreaching",
        configured=start - timedelta(days=61),
    )
    state = "OK"
    window: list[float] = []
    fired: datetime | None = None
    fired_reason = ""
    last_ok = start - timedelta(hours=20)
    prev_ok = last_ok
    for ts, p in p99s:
        window = [*window, p][-3:]
        breaching = sum(1 for v in window if v > threshold)
        at = ts + timedelta(minutes=1, seconds=rng.randint(5, 40))
        if at > now:
            break
        if state == "OK" and breaching >= 2:
            reason = (
                f"Threshold Crossed: 2 out of the last 3 datapoints [{window[-1]:.2f} ({ts:%d/%m/%y %H:%M:00})"
                f"] were greater than the threshold ({threshold}) (minimum 2 datapoints for OK -> ALARM "
                "transition)."
            )
            k.transition(a, at, "OK", "ALARM", reason)
            state, fired, fired_reason, prev_ok = "ALARM", at, reason, last_ok
        elif state == "ALARM" and breaching == 0:
            k.transition(
                a,
                at,
                "ALARM",
                "OK",
                f"Threshold Crossed: no datapoints were greater than the threshold ({threshold}). "
                "The most recent datapoints which were not greater than the threshold: "
                f"[{window[-1]:.2f} ({ts:%d/%m/%y %H:%M:00})].",
            )
            state, last_ok = "OK", at
    a["StateValue"] = state
    a["StateUpdatedTimestamp"] = iso(last_ok if state == "OK" else fired or now)
    a["StateTransitionedTimestamp"] = a["StateUpdatedTimestamp"]
    if state == "ALARM":
        a["StateReason"] = fired_reason
    if fired is None:
        fired = now - timedelta(minutes=30)
        fired_reason = (
            "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (1500.0)."
        )
    k.alarm(
        "cognito-signin-throttles",
        "AWS/Cognito",
        "SignInThrottles",
        pool_dims,
        period=300,
        threshold=5,
        state="OK",
        state_time=start - timedelta(days=20),
        description="Cognito throttling sign-ins",
        topic=topic,
        missing="notBreaching",
        configured=start - timedelta(days=200),
    )
    k.alarm(
        "crewpass-pre-token-generation-errors",
        "AWS/Lambda",
        "Errors",
        fn_dims,
        period=300,
        threshold=0,
        state="OK",
        state_time=start - timedelta(days=9),
        description="any trigger error fails the sign-in",
        topic=topic,
        missing="notBreaching",
        configured=start - timedelta(days=200),
    )
    alb = {"LoadBalancer": f"app/crewpass-web/{k.hexid(16)}"}
    wa = k.alarm(
        "crewpass-web-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {**alb, "TargetGroup": f"targetgroup/crewpass-web/{k.hexid(16)}"},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        state="OK",
        state_time=start + timedelta(hours=5, minutes=12),
        description="web target unhealthy",
        topic=topic,
        configured=start - timedelta(days=300),
    )
    tg_dims = {d["Name"]: d["Value"] for d in wa["Dimensions"]}
    for m in range(0, n_min):
        ts = start + timedelta(minutes=m)
        flap = timedelta(hours=5, minutes=2) <= ts - start < timedelta(hours=5, minutes=11)
        k.metric("AWS/ApplicationELB", "UnHealthyHostCount", tg_dims, ts, 1 if flap else 0)
        k.metric("AWS/ApplicationELB", "HealthyHostCount", tg_dims, ts, 2 if flap else 3)
    k.transition(
        wa,
        start + timedelta(hours=5, minutes=4),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (0.0).",
    )
    k.transition(
        wa,
        start + timedelta(hours=5, minutes=12),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (0.0).",
    )

    # --- CloudTrail: a deploy yesterday afternoon, admin work, tooling reads ------------------
    gha = k.role_identity("github-actions-deploy", "GitHubActions")
    dep = datetime(base.year, base.month, base.day, 15, rng.randint(0, 50), tzinfo=TZ) - timedelta(days=1)
    k.ct(
        dep.astimezone(UTC),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": fn,
            "publish": True,
            "s3Bucket": "crewpass-artifacts-apse2",
            "s3Key": f"pre-token-generation/{k.hexid(40)}.zip",
        },
        {
            "functionName": fn,
            "functionArn": k.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "version": str(rng.randint(30, 60)),
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "memorySize": 512,
            "timeout": 5,
        },
        ip="13.54.9.20",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    support = k.role_identity("AWSReservedSSO_Support_77a1e2", "tom.nguyen@crewpass.example")
    for _ in range(rng.randint(6, 10)):
        tt = start + timedelta(minutes=rng.uniform(0, n_min))
        name = rng.choice(
            ["AdminDisableUser", "AdminAddUserToGroup", "AdminResetUserPassword", "AdminRemoveUserFromGroup"]
        )
        params: dict[str, Any] = {"userPoolId": pool_id, "username": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        if "Group" in name:
            params["groupName"] = f"ten_{k.hexid(6)}-admins"
        k.ct(
            tt,
            "cognito-idp.amazonaws.com",
            name,
            support,
            params,
            None,
            ip="203.0.113.61",
            agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/122.0.0.0 Safari/537.36",
        )
    for _ in range(rng.randint(10, 16)):
        tt = start + timedelta(minutes=rng.uniform(0, n_min))
        k.ct(
            tt,
            "kms.amazonaws.com",
            "Decrypt",
            k.role_identity("crewpass-api-task", k.hexid(32)),
            {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            None,
            read_only=True,
            ip="10.20.4.33",
        )
    k.readonly_noise(
        start,
        now,
        rng.randint(45, 65),
        [
            ("cognito-idp.amazonaws.com", "DescribeUserPool"),
            ("lambda.amazonaws.com", "GetFunction"),
            ("cloudwatch.amazonaws.com", "DescribeAlarms"),
            ("dynamodb.amazonaws.com", "DescribeTable"),
            ("iam.amazonaws.com", "ListRoles"),
            ("lambda.amazonaws.com", "ListFunctions20150331"),
        ],
    )

    # --- resources ---------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 700))
    k.resource(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "crewpass-workforce",
            "Arn": k.arn("cognito-idp", f"userpool/{pool_id}"),
            "Status": "Enabled",
            "CreationDate": iso(created),
            "LastModifiedDate": iso(created + timedelta(days=90)),
            "LambdaConfig": {
                "PreTokenGenerationConfig": {
                    "LambdaVersion": "V2_0",
                    "LambdaArn": k.arn("lambda", f"function:{fn}"),
                },
                "PreTokenGeneration": k.arn("lambda", f"function:{fn}"),
            },
            "UsernameAttributes": ["email"],
            "MfaConfiguration": "ON",
            "EstimatedNumberOfUsers": rng.randint(30000, 42000),
            "UserPoolTier": "ESSENTIALS",
        },
    )
    k.resource(
        "cognito-idp",
        "UserPoolClientType",
        {
            "UserPoolId": pool_id,
            "ClientName": "crewpass-web",
            "ClientId": client_id,
            "CreationDate": iso(created),
            "LastModifiedDate": iso(created + timedelta(days=12)),
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "RefreshTokenValidity": 30,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )
    k.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": k.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{fn}-role",
            "Handler": "app.handler",
            "Timeout": 5,
            "MemorySize": 512,
            "LastModified": iso(dep.astimezone(UTC) + timedelta(seconds=3)).replace("Z", ".000+0000"),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "Architectures": ["arm64"],
            "Environment": {
                "Variables": {
                    "ROLE_MAPPINGS_TABLE": "crewpass-role-mappings",
                    "POWERTOOLS_SERVICE_NAME": "pre-token-generation",
                }
            },
        },
    )
    k.resource("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": 50})
    k.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "crewpass-role-mappings",
            "TableArn": k.arn("dynamodb", "table/crewpass-role-mappings"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ItemCount": rng.randint(4200, 4400),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    )
    k.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": f"{fn}-role",
            "RoleId": k.role_id(f"{fn}-role"),
            "Arn": f"arn:aws:iam::{acct}:role/{fn}-role",
            "CreateDate": iso(created),
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        },
    )
    k.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": f"{fn}-role",
            "PolicyName": "read-role-mappings",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:Scan", "dynamodb:Query"],
                        "Resource": k.arn("dynamodb", "table/crewpass-role-mappings"),
                    }
                ],
            },
        },
    )
    k.resource(
        "logs",
        "LogGroup",
        {"logGroupName": group, "retentionInDays": 30, "creationTime": int(created.timestamp() * 1000)},
    )
    k.resource(
        "kms",
        "KeyMetadata",
        {
            "KeyId": k.uid(),
            "Arn": k.arn("kms", f"key/{k.uid()}"),
            "CreationDate": iso(created),
            "Enabled": True,
            "Description": "crewpass application secrets",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )

    fired_local = fired.astimezone(TZ)
    question = (
        f"Got paged by pre-token-generation-p99-duration at {fired_local:%-I:%M}am. A couple of people in the "
        "office said logging in felt slow this morning. Yesterday's deploy touched that function — is it broken, "
        "or is the role-mappings table struggling? Do we need provisioned concurrency?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": question,
            "timezone": "Australia/Sydney",
            "alarm_event": k.alarm_event(a, fired, fired_reason, prev_ok),
        },
        {"no_fault": True, "actions": [], "chain": []},
    )
