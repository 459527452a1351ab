"""Merchant payouts: a share of payout batches fails, and the share grows, after a key policy edit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzp import Kit, Rec, floor_min, iso, iso_ms, jitter, pick_day, tags

NAME = "merchant-payouts-partial-failures"
TITLE = "Some merchant payouts failing since mid-afternoon while others go through"
SUMMARY = (
    "A KMS hardening pass rewrote the key policy of the payments secrets key without the payout Lambda's "
    "role; new execution environments cannot read the bank API secret, so a growing share of payouts fails."
)

ZONE = "Europe/London"


@dataclass
class _Env:
    """One Lambda execution environment: when it was born and dies, its log stream, what it has cached."""

    born: datetime
    dies: datetime
    stream: str
    cold: bool = True
    secret: bool = False


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "eu-west-1")
    rng = k.rng
    day = pick_day(rng)
    onset = day + timedelta(hours=rng.randint(13, 15), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = floor_min(onset - timedelta(hours=3, minutes=rng.randint(25, 50)), 5)
    # simulate well past the onset; the investigation starts a little after the error alarm (set below)
    sim_end = onset + timedelta(minutes=110)
    now = sim_end
    deploy = onset - timedelta(minutes=rng.randint(22, 38), seconds=rng.randint(0, 59))
    acct = k.account

    # ids
    key1 = k.uid()  # payments secrets key (culprit)
    key2 = k.uid()  # application logs key (also edited, harmless)
    key1_arn = k.arn("kms", f"key/{key1}")
    key2_arn = k.arn("kms", f"key/{key2}")
    secret_bank = k.arn("secretsmanager", f"secret:prod/payouts/bank-api-{k.upper(6)}")
    secret_ledger = k.arn("secretsmanager", f"secret:prod/payouts/ledger-db-{k.upper(6)}")
    secret_portal = k.arn("secretsmanager", f"secret:prod/merchant-portal/session-{k.upper(6)}")
    sender_role = f"payout-sender-role-{k.hex(6)}"
    recon_role = f"payout-reconciler-role-{k.hex(6)}"
    api_role = "payments-api-task-role"
    rotation_role = "secrets-rotation-lambda-role"
    sso_admin = k.sso_identity(
        "PlatformAdmin", rng.choice(["dana.kowalski", "r.achterberg", "mei.tan"]) + "@finlo.co.uk"
    )
    sso_admin_role_arn = sso_admin["sessionContext"]["sessionIssuer"]["arn"]
    sso_dev = k.sso_identity("PaymentsDeveloper", rng.choice(["tom.oyelaran", "s.varga"]) + "@finlo.co.uk")
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    inventory = k.role_identity("cloud-inventory-readonly", "steampipe")
    queue = "payout-requests"
    dlq = "payout-requests-dlq"
    queue_url = f"https://sqs.eu-west-1.amazonaws.com/{acct}/{queue}"
    fn = "payout-sender"
    fn_arn = k.arn("lambda", f"function:{fn}")
    recon = "payout-reconciler"
    sender_id = k.role_identity(sender_role, fn, invoked_by="secretsmanager.amazonaws.com")
    recon_id = k.role_identity(recon_role, recon, invoked_by="secretsmanager.amazonaws.com")
    sender_direct = k.role_identity(sender_role, fn)
    recon_direct = k.role_identity(recon_role, recon)
    bank_version = k.uid()
    ledger_version = k.uid()

    def lambda_ct(t: datetime, ident: Rec, secret: str, version: str, ok: bool) -> None:
        """GetSecretValue from the function, and the Decrypt Secrets Manager makes on its behalf."""
        role_arn = ident["sessionContext"]["sessionIssuer"]["arn"]
        session = ident["arn"].rsplit("/", 1)[1]
        ctx = {"SecretARN": secret, "SecretVersionId": version}
        dec_params = {"encryptionContext": ctx, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        res = [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key1_arn}]
        direct = sender_direct if session == fn else recon_direct
        if ok:
            k.ct(t, "kms.amazonaws.com", "Decrypt", ident, params=dec_params, resources=res)
            k.ct(
                t + timedelta(milliseconds=40),
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                direct,
                params={"secretId": secret.rsplit("-", 1)[0].split(":secret:")[1]},
                read_only=True,
                ip="52.49.201.17",
                agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-235.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
            )
            return
        msg = (
            f"User: arn:aws:sts::{acct}:assumed-role/{role_arn.rsplit('/', 1)[1]}/{session} is not authorized to perform: "
            f"kms:Decrypt on resource: {key1_arn} because no resource-based policy allows the kms:Decrypt action"
        )
        k.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            ident,
            params=dec_params,
            resources=res,
            error=("AccessDenied", msg),
        )
        k.ct(
            t + timedelta(milliseconds=35),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            direct,
            params={"secretId": "prod/payouts/bank-api"},
            read_only=True,
            ip="52.49.201.17",
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-235.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
            error=("AccessDeniedException", "Access to KMS is not allowed"),
        )

    # --- payout-sender: execution environments, invocations, logs, metrics ------------------------------
    group = f"/aws/lambda/{fn}"
    envs: list[_Env] = []
    t = start
    backlog = 0.0
    per_min_inv: dict[datetime, int] = {}
    per_min_err: dict[datetime, int] = {}
    per_min_dur: dict[datetime, list[float]] = {}
    per_min_conc: dict[datetime, int] = {}
    age: dict[datetime, float] = {}
    visible: dict[datetime, float] = {}
    dlq_count = float(rng.randint(1, 3))
    dlq_series: dict[datetime, float] = {}
    sent: dict[datetime, int] = {}
    retry_due: dict[datetime, list[int]] = {}
    n_env = 0
    while t < now:
        hour = t.hour + t.minute / 60
        rate = jitter(rng, 24 + 10 * (1 if 12 <= hour <= 17 else 0), 0.25)
        arrivals = max(1, int(rate))
        sent[t] = arrivals
        # messages whose earlier receive failed come back after the 180 s visibility timeout
        msgs = [1] * arrivals + [c + 1 for c in retry_due.pop(t, [])]
        rng.shuffle(msgs)
        work = len(msgs)
        if t >= deploy and any(e.born < deploy for e in envs):
            envs = [e for e in envs if e.born >= deploy]  # the new code replaces every environment
        envs = [e for e in envs if e.dies > t]
        want = 4 + (1 if work > 30 else 0) + (1 if backlog > 150 else 0)
        while len(envs) < want:
            born = t + timedelta(seconds=rng.uniform(0, 50))
            n_env += 1
            envs.append(
                _Env(
                    born,
                    born + timedelta(minutes=rng.uniform(25, 120)),
                    f"{born:%Y/%m/%d}/[$LATEST]{k.hex(32)}",
                )
            )
        sizes: list[list[int]] = []
        while msgs:
            n_take = min(len(msgs), rng.randint(1, 6))
            sizes.append(msgs[:n_take])
            msgs = msgs[n_take:]
        batches = len(sizes)
        inv = err = 0
        durs: list[float] = []
        failed_msgs = 0
        for batch in sizes:
            n_msgs = len(batch)
            env = rng.choice(envs)
            at = max(t + timedelta(seconds=rng.uniform(0, 58)), env.born)
            req = k.req_id()
            stream = env.stream
            inv += 1
            k.log(group, stream, at, f"START RequestId: {req} Version: $LATEST")
            init = ""
            if env.cold:
                init = f"\tInit Duration: {rng.uniform(380, 720):.2f} ms"
                env.cold = False
            ok = env.secret or at < onset
            if not env.secret:
                lambda_ct(at + timedelta(milliseconds=120), sender_id, secret_bank, bank_version, ok)
                if ok:
                    env.secret = True
            if ok:
                d = 0.0
                for _m in range(n_msgs):
                    po = f"po_{k.hex(12)}"
                    ms = rng.lognormvariate(5.3, 0.35)
                    d += ms
                    k.log(
                        group,
                        stream,
                        at + timedelta(milliseconds=d),
                        f"[INFO]\t{iso_ms(at + timedelta(milliseconds=d))}\t{req}\tpayout {po} submitted to bank: status=ACCEPTED bank_ref=FPS{k.upper(10)} took={ms:.0f}ms",
                    )
                    if rng.random() < 0.006:
                        k.log(
                            group,
                            stream,
                            at + timedelta(milliseconds=d + 2),
                            f"[WARNING]\t{iso_ms(at + timedelta(milliseconds=d + 2))}\t{req}\tbank rejected payout {po}: code=AC04 (closed account); marking payout FAILED for merchant review",
                        )
                d += rng.uniform(20, 60)
            else:
                d = rng.uniform(180, 320)
                err += 1
                failed_msgs += n_msgs
                for c in batch:
                    if c >= 5:
                        dlq_count += 1
                    else:
                        retry_due.setdefault(t + timedelta(minutes=3), []).append(c)
                k.log(
                    group,
                    stream,
                    at + timedelta(milliseconds=d - 5),
                    "[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the GetSecretValue operation: "
                    "Access to KMS is not allowed\nTraceback (most recent call last):\n"
                    '  File "/var/task/app.py", line 64, in lambda_handler\n    client = _bank_client()\n'
                    '  File "/var/task/app.py", line 38, in _bank_client\n    creds = json.loads(_secrets.get_secret_value(SecretId=BANK_SECRET_ID)["SecretString"])\n'
                    '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 569, in _api_call\n    return self._make_api_call(operation_name, kwargs)\n'
                    '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1023, in _make_api_call\n    raise error_class(parsed_response, operation_name)',
                )
            durs.append(d)
            k.log(group, stream, at + timedelta(milliseconds=d + 1), f"END RequestId: {req}")
            mem = rng.randint(96, 118)
            k.log(
                group,
                stream,
                at + timedelta(milliseconds=d + 2),
                f"REPORT RequestId: {req}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {mem} MB{init}\t",
            )
        pending = [c for v in retry_due.values() for c in v]
        backlog = float(len(pending))
        per_min_inv[t] = inv
        per_min_err[t] = err
        per_min_dur[t] = durs
        per_min_conc[t] = min(len(envs), max(1, batches // 4 + 1))
        base_age = rng.uniform(2, 25)
        age[t] = base_age if not pending else max(pending) * 180 + rng.uniform(20, 75)
        visible[t] = float(rng.randint(0, 6)) + backlog
        # after five failed receives a message lands in the dead-letter queue
        dlq_series[t] = float(int(dlq_count))
        t += timedelta(minutes=1)

    dims = {"FunctionName": fn}
    for m, ser, unit in (
        ("Invocations", per_min_inv, "Count"),
        ("Errors", per_min_err, "Count"),
        ("ConcurrentExecutions", per_min_conc, "Count"),
    ):
        for ts, v in ser.items():
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": m,
                    "dimensions": dims,
                    "timestamp": iso(ts),
                    "unit": unit,
                    "value": float(v),
                }
            )
    for ts, ds in per_min_dur.items():
        k.dist("AWS/Lambda", "Duration", dims, ts, ds, "Milliseconds")
    qd = {"QueueName": queue}
    for ts in sent:
        k.metrics.append(
            {
                "namespace": "AWS/SQS",
                "metric": "NumberOfMessagesSent",
                "dimensions": qd,
                "timestamp": iso(ts),
                "unit": "Count",
                "value": float(sent[ts]),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/SQS",
                "metric": "ApproximateAgeOfOldestMessage",
                "dimensions": qd,
                "timestamp": iso(ts),
                "unit": "Seconds",
                "value": round(age[ts], 1),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/SQS",
                "metric": "ApproximateNumberOfMessagesVisible",
                "dimensions": qd,
                "timestamp": iso(ts),
                "unit": "Count",
                "value": float(int(visible[ts])),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/SQS",
                "metric": "ApproximateNumberOfMessagesVisible",
                "dimensions": {"QueueName": dlq},
                "timestamp": iso(ts),
                "unit": "Count",
                "value": dlq_series[ts],
            }
        )

    # --- payout-reconciler: every 15 minutes, a fresh environment reads the ledger secret -------------
    rgroup = f"/aws/lambda/{recon}"
    t = start + timedelta(minutes=(15 - start.minute % 15) % 15)
    while t < now:
        at = t + timedelta(seconds=rng.uniform(0.2, 1.5))
        stream = f"{at:%Y/%m/%d}/[$LATEST]{k.hex(32)}"
        req = k.req_id()
        lambda_ct(at + timedelta(milliseconds=300), recon_id, secret_ledger, ledger_version, True)
        d = rng.uniform(2400, 5200)
        k.log(rgroup, stream, at, f"START RequestId: {req} Version: $LATEST")
        matched = rng.randint(180, 420)
        k.log(
            rgroup,
            stream,
            at + timedelta(milliseconds=d - 20),
            f"[INFO]\t{iso_ms(at)}\t{req}\treconciled {matched} bank statement lines, {rng.randint(0, 2)} unmatched",
        )
        k.log(rgroup, stream, at + timedelta(milliseconds=d), f"END RequestId: {req}")
        k.log(
            rgroup,
            stream,
            at + timedelta(milliseconds=d + 1),
            f"REPORT RequestId: {req}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(80, 99)} MB\tInit Duration: {rng.uniform(400, 650):.2f} ms\t",
        )
        for m, val in (("Invocations", 1.0), ("Errors", 0.0)):
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": m,
                    "dimensions": {"FunctionName": recon},
                    "timestamp": iso(floor_min(at)),
                    "unit": "Count",
                    "value": val,
                }
            )
        k.metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": "Duration",
                "dimensions": {"FunctionName": recon},
                "timestamp": iso(floor_min(at)),
                "unit": "Milliseconds",
                "value": round(d, 2),
            }
        )
        t += timedelta(minutes=15)

    # merchant portal ALB: healthy, with a short unrelated 5xx burst earlier
    lb = f"app/merchant-portal-prod/{k.hex(16)}"
    burst = onset - timedelta(minutes=rng.randint(100, 150))
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": lb},
        start,
        now,
        60,
        lambda ts: jitter(rng, 620, 0.15),
        "Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb},
        start,
        now,
        60,
        lambda ts: (
            rng.randint(14, 40)
            if burst <= ts < burst + timedelta(minutes=4)
            else (1 if rng.random() < 0.04 else None)
        ),
        "Count",
    )

    # --- the change, and the rest of the day's CloudTrail --------------------------------------------
    def policy_key1() -> str:
        doc = {
            "Version": "2012-10-17",
            "Id": "payments-secrets-key-policy",
            "Statement": [
                {
                    "Sid": "KeyAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": sso_admin_role_arn},
                    "Action": [
                        "kms:Create*",
                        "kms:Describe*",
                        "kms:Enable*",
                        "kms:List*",
                        "kms:Put*",
                        "kms:Update*",
                        "kms:Revoke*",
                        "kms:Disable*",
                        "kms:Get*",
                        "kms:Delete*",
                        "kms:TagResource",
                        "kms:UntagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "AllowUseThroughSecretsManager",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": [
                            f"arn:aws:iam::{acct}:role/{api_role}",
                            f"arn:aws:iam::{acct}:role/{recon_role}",
                            f"arn:aws:iam::{acct}:role/{rotation_role}",
                        ]
                    },
                    "Action": ["kms:Decrypt", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                            "kms:CallerAccount": acct,
                        }
                    },
                },
                {
                    "Sid": "AllowSecretWritesThroughSecretsManager",
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{acct}:role/{rotation_role}", sso_admin_role_arn]},
                    "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
                    },
                },
            ],
        }
        return json.dumps(doc, indent=4)

    def policy_key2() -> str:
        doc = {
            "Version": "2012-10-17",
            "Id": "app-logs-key-policy",
            "Statement": [
                {
                    "Sid": "EnableIAMUserPermissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "AllowCloudWatchLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{acct}:log-group:*"
                        }
                    },
                },
            ],
        }
        return json.dumps(doc, indent=4)

    hard = onset - timedelta(minutes=rng.randint(9, 14))
    console = "AWS Internal"
    ip_admin = f"81.{rng.randint(100, 199)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    for i, (name, key, params) in enumerate(
        [
            ("ListAliases", None, {"limit": 100}),
            ("DescribeKey", key2, {"keyId": key2}),
            ("GetKeyPolicy", key2, {"keyId": key2, "policyName": "default"}),
            ("GetKeyRotationStatus", key2, {"keyId": key2}),
        ]
    ):
        res = [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key2_arn}] if key else None
        k.ct(
            hard + timedelta(seconds=i * 14),
            "kms.amazonaws.com",
            name,
            sso_admin,
            params=params,
            read_only=True,
            ip=ip_admin,
            agent=console,
            resources=res,
        )
    k.ct(
        hard + timedelta(seconds=95),
        "kms.amazonaws.com",
        "EnableKeyRotation",
        sso_admin,
        params={"keyId": key2, "rotationPeriodInDays": 365},
        read_only=False,
        ip=ip_admin,
        agent=console,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key2_arn}],
    )
    k.ct(
        hard + timedelta(seconds=170),
        "kms.amazonaws.com",
        "PutKeyPolicy",
        sso_admin,
        params={
            "keyId": key2,
            "policyName": "default",
            "policy": policy_key2(),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        read_only=False,
        ip=ip_admin,
        agent=console,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key2_arn}],
    )
    for i, (name, params) in enumerate(
        [
            ("DescribeKey", {"keyId": key1}),
            ("GetKeyPolicy", {"keyId": key1, "policyName": "default"}),
            ("ListGrants", {"keyId": key1, "limit": 100}),
            ("GetKeyRotationStatus", {"keyId": key1}),
        ]
    ):
        k.ct(
            onset - timedelta(seconds=200 - i * 31),
            "kms.amazonaws.com",
            name,
            sso_admin,
            params=params,
            read_only=True,
            ip=ip_admin,
            agent=console,
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key1_arn}],
        )
    culprit = k.ct(
        onset,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        sso_admin,
        params={
            "keyId": key1,
            "policyName": "default",
            "policy": policy_key1(),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        read_only=False,
        ip=ip_admin,
        agent=console,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key1_arn}],
    )
    k.ct(
        onset + timedelta(seconds=41),
        "kms.amazonaws.com",
        "DescribeKey",
        sso_admin,
        params={"keyId": key1},
        read_only=True,
        ip=ip_admin,
        agent=console,
    )

    # the deploy of payout-sender (innocent): a logging change
    k.trail.append(
        {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "WebIdentityUser",
                "principalId": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:finlo/payouts:ref:refs/heads/main",
                "userName": "repo:finlo/payouts:ref:refs/heads/main",
                "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
            },
            "eventTime": iso(deploy - timedelta(seconds=20)),
            "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRoleWithWebIdentity",
            "awsRegion": "eu-west-1",
            "sourceIPAddress": f"20.{rng.randint(20, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}",
            "userAgent": "aws-sdk-nodejs/2.1692.0 linux/v20.17.0 configure-aws-credentials-for-github-actions promise",
            "requestParameters": {
                "roleArn": f"arn:aws:iam::{acct}:role/github-actions-deploy",
                "roleSessionName": "GitHubActions",
                "durationSeconds": 3600,
            },
            "responseElements": {
                "subjectFromWebIdentityToken": "repo:finlo/payouts:ref:refs/heads/main",
                "assumedRoleUser": {
                    "assumedRoleId": f"AROA{k.upper(17)}:GitHubActions",
                    "arn": f"arn:aws:sts::{acct}:assumed-role/github-actions-deploy/GitHubActions",
                },
                "provider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
                "audience": "sts.amazonaws.com",
            },
            "requestID": k.req_id(),
            "eventID": k.uid(),
            "readOnly": True,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": acct,
            "eventCategory": "Management",
        }
    )
    sha = k.hex(43) + "="
    k.ct(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        params={
            "functionName": fn,
            "s3Bucket": f"finlo-lambda-artifacts-{acct}",
            "s3Key": f"payouts/payout-sender/{k.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        response={
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "role": f"arn:aws:iam::{acct}:role/{sender_role}",
            "handler": "app.lambda_handler",
            "codeSize": 2841734,
            "timeout": 60,
            "memorySize": 512,
            "lastModified": deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": sha,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
        ip=f"20.{rng.randint(20, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}",
    )
    k.ct(
        deploy + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        ci,
        params={"functionName": fn},
        read_only=True,
    )

    # WAF allow-list edit on the merchant portal (innocent), and a developer poking around
    ipset_id = k.uid()
    waf_t = onset - timedelta(minutes=rng.randint(80, 110))
    k.ct(
        waf_t - timedelta(seconds=30),
        "wafv2.amazonaws.com",
        "GetIPSet",
        sso_dev,
        params={"name": "partner-callback-allowlist", "scope": "REGIONAL", "id": ipset_id},
        read_only=True,
        agent=console,
        ip=f"86.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}",
    )
    k.ct(
        waf_t,
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        sso_dev,
        params={
            "name": "partner-callback-allowlist",
            "scope": "REGIONAL",
            "id": ipset_id,
            "addresses": [
                "185.42.108.0/24",
                "194.73.12.16/28",
                f"35.{rng.randint(170, 190)}.{rng.randint(0, 255)}.0/26",
            ],
            "lockToken": k.uid(),
        },
        response={"nextLockToken": k.uid()},
        read_only=False,
        agent=console,
        ip=f"86.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}",
    )
    k.ct(
        onset - timedelta(minutes=rng.randint(140, 170)),
        "secretsmanager.amazonaws.com",
        "TagResource",
        sso_dev,
        params={"secretId": secret_portal, "tags": [{"key": "cost-centre", "value": "merchant-portal"}]},
        read_only=False,
        agent=console,
    )

    # tooling
    k.readonly_noise(
        start,
        now,
        70,
        [
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("kms.amazonaws.com", "ListKeys", {"limit": 1000}),
            ("kms.amazonaws.com", "ListAliases", {"limit": 100}),
            ("secretsmanager.amazonaws.com", "ListSecrets", {"maxResults": 100}),
            ("iam.amazonaws.com", "ListRoles", {"maxItems": 1000}),
            ("wafv2.amazonaws.com", "ListWebACLs", {"scope": "REGIONAL", "limit": 100}),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ],
        inventory,
        "Steampipe/v0.24.2 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/kms#1.35.3",
    )
    k.assume_role_noise(start, now, 14, [sender_role, recon_role], "lambda.amazonaws.com")

    # --- alarms ----------------------------------------------------------------------------------------
    topic = "payments-oncall"
    created = start - timedelta(days=rng.randint(80, 400))
    err_alarm_t = None
    mins = sorted(per_min_err)
    for i in range(2, len(mins)):
        if all(per_min_err[mins[j]] >= 3 for j in (i - 2, i - 1, i)):
            err_alarm_t = mins[i] + timedelta(seconds=60 + rng.randint(20, 50))
            pts = [(mins[j], float(per_min_err[mins[j]])) for j in (i - 2, i - 1, i)]
            break
    assert err_alarm_t is not None
    now = max(
        floor_min(onset + timedelta(minutes=42)),
        floor_min(err_alarm_t + timedelta(minutes=rng.randint(9, 20))),
    )
    now = min(now, floor_min(sim_end - timedelta(minutes=1))) + timedelta(seconds=rng.randint(5, 50))
    assert err_alarm_t < now
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{pts[2][1]} ({pts[2][0]:%d/%m/%y %H:%M:%S}), "
        f"{pts[1][1]} ({pts[1][0]:%d/%m/%y %H:%M:%S}), {pts[0][1]} ({pts[0][0]:%d/%m/%y %H:%M:%S})] were greater than or "
        "equal to the threshold (3.0) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    rdata = k.reason_data("Sum", 60, 3.0, pts, err_alarm_t)
    err_alarm = k.alarm(
        "payout-sender-errors",
        "payout-sender Lambda errors >= 3/min for 3 minutes. Runbook: https://wiki.finlo.co.uk/payments/runbooks/payout-sender",
        "AWS/Lambda",
        "Errors",
        dims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=3.0,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        state_reason=reason,
        state_time=err_alarm_t,
        created=created,
        topic=topic,
        missing="notBreaching",
    )
    err_alarm["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    prev_ok = start - timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 600))
    k.transition(err_alarm, err_alarm_t, "OK", "ALARM", reason, rdata)
    k.action(err_alarm, err_alarm_t)
    event = k.alarm_event(
        err_alarm,
        err_alarm_t,
        reason,
        rdata,
        "Threshold Crossed: 3 out of the last 3 datapoints were less than the threshold (3.0). The most recent datapoints which crossed the threshold: [0.0].",
        prev_ok,
        "Sum",
    )

    # queue age: 5-minute Maximum over 600 s
    age5: dict[datetime, float] = {}
    for ts, av in age.items():
        b5 = floor_min(ts, 5)
        age5[b5] = max(age5.get(b5, 0.0), av)
    age_t = next(
        (b + timedelta(minutes=5, seconds=rng.randint(30, 70)) for b in sorted(age5) if age5[b] >= 600), None
    )
    age_alarm = k.alarm(
        "payout-requests-oldest-message-age",
        "Oldest payout request waiting more than 10 minutes",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        period=300,
        evals=1,
        threshold=600.0,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM" if age_t and age_t < now else "OK",
        state_reason="Threshold Crossed: 1 datapoint was greater than or equal to the threshold (600.0)."
        if age_t and age_t < now
        else "Threshold Crossed: 1 datapoint [14.0] was not greater than or equal to the threshold (600.0).",
        state_time=age_t if age_t and age_t < now else start - timedelta(days=3),
        created=created,
        topic=topic,
    )
    if age_t and age_t < now:
        k.transition(age_alarm, age_t, "OK", "ALARM", age_alarm["StateReason"])
        k.action(age_alarm, age_t)
    dlq_t = next(
        (ts + timedelta(seconds=rng.randint(40, 100)) for ts in sorted(dlq_series) if dlq_series[ts] >= 10),
        None,
    )
    dlq_on = dlq_t is not None and dlq_t < now
    dlq_alarm = k.alarm(
        "payout-requests-dlq-depth",
        "Payout requests dead-lettered (investigate, then redrive)",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        stat="Maximum",
        period=60,
        evals=1,
        threshold=10.0,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM" if dlq_on else "OK",
        state_reason="Threshold Crossed: 1 datapoint was greater than or equal to the threshold (10.0)."
        if dlq_on
        else "Threshold Crossed: 1 datapoint [1.0] was not greater than or equal to the threshold (10.0).",
        state_time=dlq_t if dlq_t is not None and dlq_on else start - timedelta(days=6),
        created=created,
        topic=topic,
    )
    if dlq_t is not None and dlq_on:
        k.transition(dlq_alarm, dlq_t, "OK", "ALARM", dlq_alarm["StateReason"])
        k.action(dlq_alarm, dlq_t)
    k.alarm(
        "payout-reconciler-errors",
        "Reconciliation run failed",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": recon},
        stat="Sum",
        period=900,
        evals=1,
        threshold=1.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_reason="Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).",
        state_time=start - timedelta(days=12),
        created=created,
        topic=topic,
        missing="notBreaching",
    )
    portal = k.alarm(
        "merchant-portal-elb-5xx",
        "Merchant portal load balancer 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb},
        stat="Sum",
        period=60,
        evals=2,
        threshold=10.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_reason="Threshold Crossed: 2 out of the last 2 datapoints were less than the threshold (10.0).",
        state_time=burst + timedelta(minutes=6, seconds=12),
        created=created,
        topic="web-oncall",
        missing="notBreaching",
    )
    k.transition(
        portal,
        burst + timedelta(minutes=2, seconds=14),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (10.0).",
    )
    k.action(portal, burst + timedelta(minutes=2, seconds=14))
    k.transition(portal, burst + timedelta(minutes=6, seconds=12), "ALARM", "OK", portal["StateReason"])

    # --- resources -------------------------------------------------------------------------------------
    key_created = start - timedelta(days=rng.randint(300, 900))
    for kid, arn, desc in (
        (key1, key1_arn, "Payments secrets (Secrets Manager)"),
        (key2, key2_arn, "Application log groups"),
    ):
        k.res(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": acct,
                "KeyId": kid,
                "Arn": arn,
                "CreationDate": iso(key_created),
                "Enabled": True,
                "Description": desc,
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            },
        )
    k.res("kms", "KeyPolicy", {"KeyId": key1, "PolicyName": "default", "Policy": policy_key1()})
    k.res("kms", "KeyPolicy", {"KeyId": key2, "PolicyName": "default", "Policy": policy_key2()})
    k.res(
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/payments-secrets",
            "AliasArn": k.arn("kms", "alias/payments-secrets"),
            "TargetKeyId": key1,
        },
    )
    k.res(
        "kms",
        "AliasListEntry",
        {"AliasName": "alias/app-logs", "AliasArn": k.arn("kms", "alias/app-logs"), "TargetKeyId": key2},
    )
    for arn, name, kms_key, version, last in (
        (secret_bank, "prod/payouts/bank-api", key1_arn, bank_version, onset),
        (secret_ledger, "prod/payouts/ledger-db", key1_arn, ledger_version, onset),
        (secret_portal, "prod/merchant-portal/session", None, k.uid(), onset),
    ):
        item: Rec = {
            "ARN": arn,
            "Name": name,
            "LastChangedDate": iso(key_created + timedelta(days=rng.randint(30, 200))),
            "LastAccessedDate": iso(last.replace(hour=0, minute=0, second=0)),
            "Tags": tags(team="payments" if "payouts" in name else "web"),
            "SecretVersionsToStages": {version: ["AWSCURRENT"]},
            "CreatedDate": iso(key_created + timedelta(days=rng.randint(1, 20))),
        }
        if kms_key:
            item["KmsKeyId"] = kms_key
        k.res("secretsmanager", "SecretListEntry", item)
    for name, role, handler, mem, last in (
        (fn, sender_role, "app.lambda_handler", 512, deploy),
        (recon, recon_role, "reconcile.handler", 256, start - timedelta(days=19)),
    ):
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": k.arn("lambda", f"function:{name}"),
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{acct}:role/{role}",
                "Handler": handler,
                "CodeSize": rng.randint(1_500_000, 3_000_000),
                "Timeout": 60 if name == fn else 300,
                "MemorySize": mem,
                "LastModified": last.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": sha if name == fn else k.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {
                    "Variables": {"BANK_SECRET_ID": "prod/payouts/bank-api", "LOG_LEVEL": "INFO"}
                    if name == fn
                    else {"LEDGER_SECRET_ID": "prod/payouts/ledger-db"}
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": k.uid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uid(),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": k.arn("sqs", queue),
            "FunctionArn": fn_arn,
            "LastModified": iso(key_created + timedelta(days=40)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 10},
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": queue_url,
            "Attributes": {
                "QueueArn": k.arn("sqs", queue),
                "VisibilityTimeout": "180",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": k.arn("sqs", dlq), "maxReceiveCount": 5}),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "payments"},
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{acct}/{dlq}",
            "Attributes": {
                "QueueArn": k.arn("sqs", dlq),
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "payments"},
        },
    )
    trust = json.dumps(
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
    for role, secret in ((sender_role, secret_bank), (recon_role, secret_ledger)):
        k.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": role,
                "RoleId": f"AROA{k.upper(17)}",
                "Arn": f"arn:aws:iam::{acct}:role/{role}",
                "CreateDate": iso(key_created + timedelta(days=35)),
                "AssumeRolePolicyDocument": trust,
                "MaxSessionDuration": 3600,
            },
        )
        k.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": role,
                "PolicyName": "secrets-and-queue",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret},
                        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key1_arn},
                        {
                            "Effect": "Allow",
                            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                            "Resource": k.arn("sqs", queue),
                        },
                    ],
                },
            },
        )
        k.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": role,
                "PolicyName": "AWSLambdaBasicExecutionRole",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            },
        )
    k.log_group(group, key_created)
    k.log_group(rgroup, key_created)

    local = now.astimezone(ZoneInfo(ZONE))
    first_err = min(m for m in mins if per_min_err[m] > 0)
    seen = (first_err + timedelta(minutes=rng.randint(2, 6))).astimezone(ZoneInfo(ZONE))
    question = rng.choice(
        [
            f"Finance says some merchant payouts have been failing since about {seen:%-I:%M}pm, but plenty are still going through. Is the bank's API playing up again?",
            f"A few merchants are chasing payouts that should have gone out after {seen:%-I:%M}. Others went fine. Bank outage? ({local:%H:%M} now)",
        ]
    )
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": key1,
            "category": "change",
            "failure_mode": "kms-key-policy-drops-consumer-role",
            "event_id": culprit,
        },
        "also_accept": [key1_arn, "alias/payments-secrets", "payments-secrets"],
        "actions": ["rollback"],
        "chain": [key1, "prod/payouts/bank-api", fn, queue],
    }
    return k.bundle(TITLE, start, now, {"question": question, "alarm_event": event, "timezone": ZONE}, truth)
