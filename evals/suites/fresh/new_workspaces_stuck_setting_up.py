"""New sign-ups never get a workspace: the per-workspace IAM role hits the account's roles quota."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzz import Kit, iso

NAME = "new-workspaces-stuck-setting-up"
TITLE = "New sign-ups stuck on 'Setting up your workspace' since early afternoon"
SUMMARY = (
    "The onboarding workflow creates one IAM role per workspace; the account reached its 1,000-role quota, "
    "so CreateRole fails with LimitExceeded and every new workspace's onboarding execution fails."
)

TZ = ZoneInfo("America/Chicago")
QUOTA = 1000


def _ct_date(t: datetime) -> str:
    return t.strftime("%b %-d, %Y, %-I:%M:%S %p")


def build(seed: int) -> Bundle:
    k = Kit(seed, "us-east-1", NAME)
    rng = k.rng
    acct = k.account
    day = k.day()
    start = day.replace(hour=rng.randint(14, 15), minute=rng.randint(0, 59))
    onset_target = start + timedelta(hours=3, minutes=rng.randint(45, 75))
    now = onset_target + timedelta(minutes=rng.randint(50, 65))
    pool_id = "us-east-1_" + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9)
    )
    client_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))
    sm_name = "workspace-onboarding"
    sm_arn = k.arn("states", f"stateMachine:{sm_name}")
    prov = "workspace-provisioner"
    postconf = "signup-post-confirmation"
    prov_role = "workspace-provisioner-role"
    boundary = f"arn:aws:iam::{acct}:policy/workspace-boundary"
    topic = f"arn:aws:sns:us-east-1:{acct}:ledgerly-platform-alerts"
    prov_group = f"/aws/lambda/{prov}"
    pc_group = f"/aws/lambda/{postconf}"
    prov_ident = k.role_identity(prov_role, prov)
    cfn = {
        **k.role_identity("github-actions-deploy", "GitHubActions"),
        "invokedBy": "cloudformation.amazonaws.com",
    }

    # role count: a preview stack adds roles an hour before; organic sign-ups fill the rest
    signups: list[datetime] = []
    t = start + timedelta(minutes=rng.uniform(1, 5))
    while t < now:
        signups.append(t)
        t += timedelta(minutes=rng.uniform(3, 9))
    before = [s for s in signups if s < onset_target]
    preview_at = onset_target - timedelta(minutes=rng.randint(55, 80))
    pr = rng.randint(1400, 1900)
    preview_roles = [f"pr-{pr}-preview-{n}" for n in ("ApiRole", "WorkerRole", "CronRole")]
    count = QUOTA - len(before) - len(preview_roles) - 1
    # one scheduled cleanup deleted a role earlier in the window
    cleanup_at = start + timedelta(minutes=rng.randint(20, 50))

    sm_dims = {"StateMachineArn": sm_arn}
    per_min: dict[str, dict[int, float]] = {}

    def bump(metric: str, when: datetime, v: float = 1) -> None:
        m = int((when - start).total_seconds() // 60)
        per_min.setdefault(metric, {})
        per_min[metric][m] = per_min[metric].get(m, 0) + v

    executions: list[dict[str, Any]] = []
    first_fail: datetime | None = None
    events: list[tuple[datetime, str, Any]] = [(s, "signup", None) for s in signups]
    events.append((preview_at, "preview", None))
    events.append((cleanup_at, "cleanup", None))
    events.sort(key=lambda e: e[0])
    for when, kind, _ in events:
        if kind == "cleanup":
            k.ct(
                when,
                "iam.amazonaws.com",
                "DeleteRole",
                k.role_identity("ops-janitor", "ops-janitor"),
                {"roleName": f"ws-{k.hexid(12)}-data"},
                None,
                ip="3.91.40.12",
                agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
            )
            count -= 1
            continue
        if kind == "preview":
            for i, rn in enumerate(preview_roles):
                k.ct(
                    when + timedelta(seconds=4 * i),
                    "iam.amazonaws.com",
                    "CreateRole",
                    cfn,
                    {
                        "roleName": rn,
                        "path": "/",
                        "assumeRolePolicyDocument": json.dumps(
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
                    {
                        "role": {
                            "path": "/",
                            "roleName": rn,
                            "roleId": k.upper_id("AROA", 17),
                            "arn": f"arn:aws:iam::{acct}:role/{rn}",
                            "createDate": _ct_date(when),
                        }
                    },
                    ip="cloudformation.amazonaws.com",
                    agent="cloudformation.amazonaws.com",
                )
                count += 1
            continue
        ws = "ws_" + k.hexid(12)
        exec_name = f"{ws}-{k.hexid(8)}"
        bump("SignUpSuccesses", when)
        bump("pc_inv", when)
        pc_dur = rng.uniform(90, 240)
        k.lambda_invocation(
            pc_group,
            f"{when:%Y/%m/%d}/[$LATEST]{k.hexid(32)}",
            when,
            pc_dur,
            256,
            rng.randint(78, 84),
            [
                f"[INFO]\t{iso(when)[:-1]}.100Z\t{{rid}}\tPostConfirmation_ConfirmSignUp for user "
                f"{k.uid()} workspace={ws}\n",
                f"[INFO]\t{iso(when)[:-1]}.180Z\t{{rid}}\tstarted onboarding execution {exec_name}\n",
            ],
        )
        k.ct(
            when + timedelta(milliseconds=150),
            "states.amazonaws.com",
            "StartExecution",
            k.role_identity("signup-post-confirmation-role", postconf),
            {"stateMachineArn": sm_arn, "name": exec_name},
            {
                "executionArn": k.arn("states", f"execution:{sm_name}:{exec_name}"),
                "startDate": _ct_date(when),
            },
            ip="3.91.40.12",
            agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
        )
        bump("ExecutionsStarted", when)
        tp = when + timedelta(seconds=rng.uniform(0.4, 1.2))
        stream = f"{tp:%Y/%m/%d}/[$LATEST]{k.hexid(32)}"
        role_name = f"ws-{ws[3:]}-data"
        params: dict[str, Any] = {
            "path": "/workspaces/",
            "roleName": role_name,
            "assumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{acct}:role/ledgerly-api-task"},
                            "Action": ["sts:AssumeRole", "sts:TagSession"],
                            "Condition": {"StringEquals": {"aws:RequestTag/workspace": ws}},
                        }
                    ],
                }
            ),
            "permissionsBoundary": boundary,
            "tags": [{"key": "workspace", "value": ws}, {"key": "managed-by", "value": prov}],
        }
        bump("prov_inv", tp)
        if count < QUOTA:
            count += 1
            k.ct(
                tp + timedelta(milliseconds=220),
                "iam.amazonaws.com",
                "CreateRole",
                prov_ident,
                params,
                {
                    "role": {
                        "path": "/workspaces/",
                        "roleName": role_name,
                        "roleId": k.upper_id("AROA", 17),
                        "arn": f"arn:aws:iam::{acct}:role/workspaces/{role_name}",
                        "createDate": _ct_date(tp),
                        "assumeRolePolicyDocument": quote(params["assumeRolePolicyDocument"]),
                        "permissionsBoundary": {
                            "permissionsBoundaryType": "Policy",
                            "permissionsBoundaryArn": boundary,
                        },
                        "tags": params["tags"],
                    }
                },
                ip="3.91.40.12",
                agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
            )
            k.ct(
                tp + timedelta(milliseconds=520),
                "iam.amazonaws.com",
                "PutRolePolicy",
                prov_ident,
                {
                    "roleName": role_name,
                    "policyName": "workspace-data",
                    "policyDocument": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["s3:GetObject", "s3:PutObject"],
                                    "Resource": f"arn:aws:s3:::ledgerly-workspaces/{ws}/*",
                                }
                            ],
                        }
                    ),
                },
                None,
                ip="3.91.40.12",
                agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
            )
            dur = rng.uniform(700, 1400)
            k.lambda_invocation(
                prov_group,
                stream,
                tp,
                dur,
                512,
                rng.randint(92, 99),
                [
                    f"[INFO]\t{iso(tp)[:-1]}.010Z\t{{rid}}\tprovisioning workspace={ws} plan=trial\n",
                    f"[INFO]\t{iso(tp)[:-1]}.600Z\t{{rid}}\tcreated role arn:aws:iam::{acct}:role/workspaces/{role_name}\n",
                ],
            )
            k.ct(
                tp + timedelta(seconds=2),
                "cognito-idp.amazonaws.com",
                "CreateGroup",
                k.role_identity("workspace-onboarding-sfn", k.hexid(32)),
                {
                    "userPoolId": pool_id,
                    "groupName": ws,
                    "roleArn": f"arn:aws:iam::{acct}:role/workspaces/{role_name}",
                },
                {"group": {"groupName": ws, "userPoolId": pool_id}},
                ip="states.amazonaws.com",
                agent="states.amazonaws.com",
            )
            bump("ExecutionsSucceeded", tp + timedelta(seconds=rng.uniform(5, 9)))
            executions.append(
                {"name": exec_name, "start": when, "stop": tp + timedelta(seconds=7), "ok": True}
            )
        else:
            first_fail = first_fail or tp
            k.ct(
                tp + timedelta(milliseconds=210),
                "iam.amazonaws.com",
                "CreateRole",
                prov_ident,
                params,
                None,
                error=("LimitExceededException", f"Cannot exceed quota for RolesPerAccount: {QUOTA}"),
                ip="3.91.40.12",
                agent="Boto3/1.34.69 md/Botocore#1.34.69 exec-env/AWS_Lambda_python3.12",
            )
            bump("prov_err", tp)
            msg = (
                "An error occurred (LimitExceeded) when calling the CreateRole operation: "
                f"Cannot exceed quota for RolesPerAccount: {QUOTA}"
            )
            k.lambda_invocation(
                prov_group,
                stream,
                tp,
                rng.uniform(380, 520),
                512,
                rng.randint(92, 99),
                [
                    f"[INFO]\t{iso(tp)[:-1]}.010Z\t{{rid}}\tprovisioning workspace={ws} plan=trial\n",
                    f"[ERROR] LimitExceededException: {msg}\nTraceback (most recent call last):\n"
                    '\xa0\xa0File "/var/task/handler.py", line 61, in handler\n'
                    "\xa0\xa0\xa0\xa0role = create_workspace_role(ws_id, boundary_arn)\n"
                    '\xa0\xa0File "/var/task/roles.py", line 28, in create_workspace_role\n'
                    "\xa0\xa0\xa0\xa0resp = iam.create_role(\n"
                    '\xa0\xa0File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1005, in '
                    "_make_api_call\n"
                    "\xa0\xa0\xa0\xa0raise error_class(parsed_response, operation_name)\n",
                ],
            )
            bump("ExecutionsFailed", tp + timedelta(seconds=rng.uniform(1.5, 3)))
            executions.append(
                {"name": exec_name, "start": when, "stop": tp + timedelta(seconds=2), "ok": False, "msg": msg}
            )
    if first_fail is None:
        first_fail = now - timedelta(minutes=30)

    # --- metrics -----------------------------------------------------------------------------
    n_min = int((now - start).total_seconds() // 60)
    pool_dims = {"UserPool": pool_id, "UserPoolClient": client_id}
    for m in range(n_min):
        ts = start + timedelta(minutes=m)

        def pm(name: str, m: int = m) -> float:
            return per_min.get(name, {}).get(m, 0)

        for name in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed"):
            if pm("ExecutionsStarted") or pm(name):
                k.metric("AWS/States", name, sm_dims, ts, pm(name))
        k.metric("AWS/Cognito", "SignInSuccesses", pool_dims, ts, rng.randint(18, 45))
        k.metric("AWS/Cognito", "TokenRefreshSuccesses", pool_dims, ts, rng.randint(60, 110))
        if pm("SignUpSuccesses"):
            k.metric("AWS/Cognito", "SignUpSuccesses", pool_dims, ts, pm("SignUpSuccesses"))
        for fn, inv in ((prov, "prov_inv"), (postconf, "pc_inv")):
            if pm(inv):
                d = {"FunctionName": fn}
                k.metric("AWS/Lambda", "Invocations", d, ts, pm(inv))
                k.metric("AWS/Lambda", "Errors", d, ts, pm("prov_err") if fn == prov else 0)
                k.metric(
                    "AWS/Lambda",
                    "Duration",
                    d,
                    ts,
                    rng.uniform(700, 1400) if fn == prov and not pm("prov_err") else rng.uniform(120, 520),
                    "Milliseconds",
                )

    # --- alarms ------------------------------------------------------------------------------
    fail_alarm_t = first_fail + timedelta(seconds=rng.randint(40, 70))
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [1.0 ({first_fail:%d/%m/%y %H:%M:00})] was "
        "greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    fa = k.alarm(
        "workspace-onboarding-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        sm_dims,
        period=300,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        state_time=fail_alarm_t,
        reason=reason,
        description="Onboarding executions are failing: new workspaces are not being set up.",
        topic=topic,
        missing="notBreaching",
        configured=day - timedelta(days=210),
    )
    k.transition(fa, fail_alarm_t, "OK", "ALARM", reason)
    k.alarm(
        "workspace-provisioner-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": prov},
        period=300,
        evals=3,
        to_alarm=3,
        threshold=5,
        state="OK",
        state_time=day - timedelta(days=12),
        description="provisioner errors",
        topic=topic,
        missing="notBreaching",
        configured=day - timedelta(days=210),
    )
    sia = k.alarm(
        "cognito-signin-throttles",
        "AWS/Cognito",
        "SignInThrottles",
        {"UserPool": pool_id, "UserPoolClient": client_id},
        period=300,
        threshold=10,
        state="OK",
        state_time=start + timedelta(minutes=70),
        description="Sign-in throttling",
        topic=topic,
        missing="notBreaching",
        configured=day - timedelta(days=90),
    )
    k.transition(
        sia,
        start + timedelta(minutes=55),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [14.0] was greater than the threshold (10.0).",
    )
    k.transition(
        sia,
        start + timedelta(minutes=70),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (10.0).",
    )
    for m in (53, 54, 55, 56):
        k.metric(
            "AWS/Cognito",
            "SignInThrottles",
            {"UserPool": pool_id, "UserPoolClient": client_id},
            start + timedelta(minutes=m),
            rng.randint(2, 6),
        )
    k.log(
        "/ledgerly/api",
        "api-7f9c2",
        start + timedelta(minutes=54),
        '{"level":"warn","msg":"cognito InitiateAuth throttled","err":"TooManyRequestsException: Rate exceeded",'
        '"client":"partner-sync","retry":1}',
    )
    lb = {"LoadBalancer": f"app/ledgerly-api/{k.hexid(16)}"}
    for m in range(n_min):
        k.stat(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lb,
            start + timedelta(minutes=m),
            [rng.uniform(0.02, 0.35) for _ in range(12)] + [rng.uniform(0.4, 1.4)],
            "Seconds",
        )
        k.metric(
            "AWS/ApplicationELB", "RequestCount", lb, start + timedelta(minutes=m), rng.randint(900, 1500)
        )
    k.alarm(
        "ledgerly-api-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        period=60,
        evals=5,
        threshold=2.5,
        extended="p99",
        state="OK",
        state_time=day - timedelta(days=2),
        description="API p99 latency",
        topic=topic,
        configured=day - timedelta(days=300),
    )

    # --- other changes and reads ------------------------------------------------------------
    mkt = k.role_identity("AWSReservedSSO_Marketing_5e1d0a", "hana.osei@ledgerly.example")
    upd = onset_target - timedelta(minutes=rng.randint(25, 40))
    k.ct(
        upd,
        "cognito-idp.amazonaws.com",
        "UpdateUserPool",
        mkt,
        {
            "userPoolId": pool_id,
            "emailVerificationSubject": "Confirm your Ledgerly account",
            "verificationMessageTemplate": {
                "defaultEmailOption": "CONFIRM_WITH_CODE",
                "emailSubject": "Confirm your Ledgerly account",
            },
            "autoVerifiedAttributes": ["email"],
        },
        None,
        ip="203.0.113.90",
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.3 Safari/605.1.15",
    )
    gha = k.role_identity("github-actions-deploy", "GitHubActions")
    k.ct(
        start + timedelta(minutes=rng.randint(60, 100)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        gha,
        {"functionName": postconf, "environment": {}},
        {"functionName": postconf, "lastUpdateStatus": "InProgress"},
        ip="52.23.11.80",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    k.ct(
        preview_at - timedelta(seconds=30),
        "cloudformation.amazonaws.com",
        "CreateStack",
        gha,
        {"stackName": preview_roles[0].rsplit("-", 1)[0], "capabilities": ["CAPABILITY_NAMED_IAM"]},
        {"stackId": k.arn("cloudformation", f"stack/{preview_roles[0].rsplit('-', 1)[0]}/{k.uid()}")},
        ip="52.23.11.80",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    k.readonly_noise(
        start,
        now,
        rng.randint(35, 55),
        [
            ("iam.amazonaws.com", "ListRoles"),
            ("iam.amazonaws.com", "GetRole"),
            ("cognito-idp.amazonaws.com", "DescribeUserPool"),
            ("states.amazonaws.com", "ListStateMachines"),
            ("lambda.amazonaws.com", "ListFunctions20150331"),
            ("cloudwatch.amazonaws.com", "DescribeAlarms"),
            ("iam.amazonaws.com", "GetAccountSummary"),
        ],
    )

    # --- resources ---------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(400, 700))
    k.resource(
        "cognito-idp",
        "UserPoolType",
        {
            "Id": pool_id,
            "Name": "ledgerly-customers",
            "Arn": k.arn("cognito-idp", f"userpool/{pool_id}"),
            "Status": "Enabled",
            "CreationDate": iso(created),
            "LastModifiedDate": iso(upd),
            "LambdaConfig": {"PostConfirmation": k.arn("lambda", f"function:{postconf}")},
            "AutoVerifiedAttributes": ["email"],
            "UsernameAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
            "EmailVerificationSubject": "Confirm your Ledgerly account",
            "EstimatedNumberOfUsers": rng.randint(9000, 14000),
            "UserPoolTier": "ESSENTIALS",
        },
    )
    k.resource(
        "cognito-idp",
        "UserPoolClientType",
        {
            "UserPoolId": pool_id,
            "ClientName": "ledgerly-web",
            "ClientId": client_id,
            "CreationDate": iso(created),
            "LastModifiedDate": iso(created + timedelta(days=30)),
            "RefreshTokenValidity": 30,
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )
    for fn, role, mem, to in (
        (prov, prov_role, 512, 30),
        (postconf, "signup-post-confirmation-role", 256, 5),
    ):
        k.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": k.arn("lambda", f"function:{fn}"),
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{acct}:role/{role}",
                "Handler": "handler.handler",
                "Timeout": to,
                "MemorySize": mem,
                "LastModified": iso(created + timedelta(days=200)).replace("Z", ".000+0000"),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "Architectures": ["arm64"],
                "Environment": {
                    "Variables": {"ROLE_PATH": "/workspaces/", "BOUNDARY_ARN": boundary}
                    if fn == prov
                    else {"STATE_MACHINE_ARN": sm_arn, "LOG_LEVEL": "INFO"}
                },
            },
        )
    definition = {
        "Comment": "Set up a new workspace after sign-up",
        "StartAt": "CreateWorkspaceRecord",
        "States": {
            "CreateWorkspaceRecord": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "workspaces"},
                "Next": "ProvisionWorkspaceRole",
            },
            "ProvisionWorkspaceRole": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": k.arn("lambda", f"function:{prov}"), "Payload.$": "$"},
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
                        "MaxAttempts": 3,
                        "BackoffRate": 2,
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "MarkWorkspaceFailed"}],
                "Next": "CreateTenantGroup",
            },
            "CreateTenantGroup": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:cognitoidentityprovider:createGroup",
                "Parameters": {"UserPoolId": pool_id},
                "Next": "Done",
            },
            "MarkWorkspaceFailed": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {"TableName": "workspaces"},
                "Next": "Failed",
            },
            "Failed": {"Type": "Fail", "Error": "WorkspaceProvisioningFailed"},
            "Done": {"Type": "Succeed"},
        },
    }
    k.resource(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": sm_arn,
            "name": sm_name,
            "status": "ACTIVE",
            "definition": json.dumps(definition),
            "roleArn": f"arn:aws:iam::{acct}:role/workspace-onboarding-sfn",
            "type": "STANDARD",
            "creationDate": iso(created),
        },
    )
    for ex in executions[-8:]:
        item: dict[str, Any] = {
            "executionArn": k.arn("states", f"execution:{sm_name}:{ex['name']}"),
            "stateMachineArn": sm_arn,
            "name": ex["name"],
            "status": "SUCCEEDED" if ex["ok"] else "FAILED",
            "startDate": iso(ex["start"]),
            "stopDate": iso(ex["stop"]),
        }
        if not ex["ok"]:
            item["error"] = "WorkspaceProvisioningFailed"
        k.resource("stepfunctions", "DescribeExecutionOutput", item)
    k.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": prov_role,
            "RoleId": k.role_id(prov_role),
            "Arn": f"arn:aws:iam::{acct}:role/{prov_role}",
            "CreateDate": iso(created),
            "MaxSessionDuration": 3600,
            "Description": "Creates per-workspace data roles",
            "AssumeRolePolicyDocument": quote(
                json.dumps(
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
                )
            ),
            "RoleLastUsed": {"LastUsedDate": iso(now - timedelta(minutes=3)), "Region": "us-east-1"},
        },
    )
    k.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": prov_role,
            "PolicyName": "provision-workspace-roles",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:TagRole"],
                        "Resource": f"arn:aws:iam::{acct}:role/workspaces/*",
                        "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}},
                    }
                ],
            },
        },
    )
    k.resource(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "workspaces",
            "TableArn": k.arn("dynamodb", "table/workspaces"),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ItemCount": rng.randint(1500, 2400),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "KeySchema": [{"AttributeName": "workspace_id", "KeyType": "HASH"}],
        },
    )
    k.resource(
        "logs",
        "LogGroup",
        {"logGroupName": prov_group, "retentionInDays": 14, "creationTime": int(created.timestamp() * 1000)},
    )

    local = first_fail.astimezone(TZ)
    question = (
        f"Support has four tickets from brand-new customers stuck on the 'Setting up your workspace…' spinner, "
        f"the earliest just after {local:%-I:%M} {local:%p}. Sign-up itself seems to work. Marketing changed the "
        "verification email today — is Cognito broken?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {
            "question": question,
            "timezone": "America/Chicago",
            "alarm_event": k.alarm_event(fa, fail_alarm_t, reason, day - timedelta(days=3)),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": "RolesPerAccount",
                "category": "limit",
                "failure_mode": "iam-roles-per-account-quota-reached",
            },
            "also_accept": ["L-FE177D64", "IAM roles per account", "IAM role quota"],
            "actions": ["scale", "reconfigure"],
            "chain": ["RolesPerAccount", prov, sm_name, "ledgerly-customers"],
        },
    )
