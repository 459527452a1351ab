"""Document uploads fail after an inline-policy edit pointed the upload role's KMS grant at a new key."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzp import REGION, Scene, clock, iso, traffic

NAME = "docsign-upload-kms-policy-edit"
TITLE = "Customers can't attach documents to envelopes since late morning; signing links still work"
SUMMARY = (
    "An engineer rewrote the upload function role's inline policy while adding a new exports key, and the "
    "kms:GenerateDataKey grant now names only the new key, so every SSE-KMS PutObject is denied."
)


def _policy(bucket: str, key_arns: list[str]) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DocumentsObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
                "Resource": f"arn:aws:s3:::{bucket}/tenants/*",
            },
            {
                "Sid": "DocumentsKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key_arns if len(key_arns) > 1 else key_arns[0],
            },
            {
                "Sid": "EnvelopeTable",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                "Resource": "arn:aws:dynamodb:us-east-1:*:table/docsign-envelopes",
            },
        ],
    }


def build(seed: int) -> Bundle:
    sc = Scene(seed, NAME)
    r = sc.rng
    start = sc.day + timedelta(hours=12, minutes=r.randint(0, 40))
    onset = start + timedelta(hours=3, minutes=r.randint(8, 30), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(42, 58))
    sc.base_resources()
    a = sc.account
    engineer = r.choice(sc.engineers)
    exports_key = sc.uuid()
    exports_arn = f"arn:aws:kms:{REGION}:{a}:key/{exports_key}"
    role = "docsign-upload-api-role"

    # the engineer's session: new exports key, alias, then the policy rewrite
    ident = sc.sso(engineer)
    t0 = onset - timedelta(minutes=r.randint(14, 22))
    sc.ct(
        t0,
        "kms.amazonaws.com",
        "CreateKey",
        ident,
        {
            "description": "docsign bulk exports bucket",
            "keyUsage": "ENCRYPT_DECRYPT",
            "keySpec": "SYMMETRIC_DEFAULT",
            "origin": "AWS_KMS",
            "multiRegion": False,
            "bypassPolicyLockoutSafetyCheck": False,
        },
        {
            "keyMetadata": {
                "aWSAccountId": a,
                "keyId": exports_key,
                "arn": exports_arn,
                "creationDate": t0.strftime("%b %d, %Y, %I:%M:%S %p"),
                "enabled": True,
                "description": "docsign bulk exports bucket",
                "keyUsage": "ENCRYPT_DECRYPT",
                "keyState": "Enabled",
                "origin": "AWS_KMS",
                "keyManager": "CUSTOMER",
                "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "keySpec": "SYMMETRIC_DEFAULT",
                "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "multiRegion": False,
            }
        },
        agent="AWS Internal",
    )
    sc.ct(
        t0 + timedelta(seconds=40),
        "kms.amazonaws.com",
        "CreateAlias",
        ident,
        {"aliasName": "alias/docsign-exports", "targetKeyId": exports_arn},
        None,
        agent="AWS Internal",
    )
    sc.ct(
        t0 + timedelta(minutes=3),
        "s3.amazonaws.com",
        "CreateBucket",
        ident,
        {"bucketName": f"docsign-exports-prod-{a}", "Host": f"docsign-exports-prod-{a}.s3.amazonaws.com"},
        None,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
    )
    sc.ct(
        t0 + timedelta(minutes=5),
        "s3.amazonaws.com",
        "PutBucketEncryption",
        ident,
        {
            "bucketName": f"docsign-exports-prod-{a}",
            "Host": f"docsign-exports-prod-{a}.s3.amazonaws.com",
            "encryption": "",
            "ServerSideEncryptionConfiguration": {
                "Rule": {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": exports_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            },
        },
        None,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
    )
    sc.ct(
        onset - timedelta(minutes=2, seconds=r.randint(5, 50)),
        "iam.amazonaws.com",
        "GetRolePolicy",
        ident,
        {"roleName": role, "policyName": "documents-bucket-access"},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    new_doc = _policy(sc.bucket, [exports_arn])
    culprit = sc.ct(
        onset - timedelta(seconds=r.randint(20, 70)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        ident,
        {
            "roleName": role,
            "policyName": "documents-bucket-access",
            "policyDocument": json.dumps(new_doc, indent=4),
        },
        None,
        agent="AWS Internal",
    )
    sc.ct(
        onset + timedelta(minutes=6),
        "iam.amazonaws.com",
        "PutRolePolicy",
        ident,
        {
            "roleName": "docsign-exports-worker-role",
            "policyName": "exports-bucket-access",
            "policyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject"],
                            "Resource": f"arn:aws:s3:::docsign-exports-prod-{a}/*",
                        },
                        {"Effect": "Allow", "Action": ["kms:GenerateDataKey"], "Resource": exports_arn},
                    ],
                },
                indent=4,
            ),
        },
        None,
        agent="AWS Internal",
    )
    sc.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "documents-bucket-access", "PolicyDocument": new_doc},
    )
    sc.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "docsign-seal-document-role",
            "PolicyName": "documents-bucket-access",
            "PolicyDocument": _policy(sc.bucket, [sc.key_arn]),
        },
    )
    sc.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": a,
            "KeyId": exports_key,
            "Arn": exports_arn,
            "CreationDate": iso(t0),
            "Enabled": True,
            "Description": "docsign bulk exports bucket",
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

    # innocent changes around it
    sc.deploy(onset - timedelta(minutes=r.randint(28, 40)), "docsign-envelopes-api")
    sc.deploy(start + timedelta(minutes=r.randint(30, 90)), "docsign-webhook-dispatcher")
    other = sc.sso(r.choice([e for e in sc.engineers if e != engineer]))
    sc.ct(
        onset - timedelta(minutes=r.randint(50, 70)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        other,
        {"functionName": "docsign-notify-signers", "memorySize": 512, "timeout": 20},
        {
            "functionName": "docsign-notify-signers",
            "memorySize": 512,
            "timeout": 20,
            "lastUpdateStatus": "InProgress",
        },
    )
    sc.noise_trail(start, now, 44)

    # failing KMS calls made by S3 on the upload role's behalf
    up = sc.role_identity(role, "docsign-upload-api", invoked_by="s3.amazonaws.com")
    for k in range(r.randint(7, 10)):
        t = onset + timedelta(seconds=30 + k * r.randint(150, 280))
        if t > now:
            break
        rec = sc.ct(
            t,
            "kms.amazonaws.com",
            "GenerateDataKey",
            up,
            {
                "keyId": sc.key_arn,
                "encryptionContext": {
                    "aws:s3:arn": f"arn:aws:s3:::{sc.bucket}/tenants/{sc.hexid(12)}/envelopes/{sc.uuid()}/{sc.uuid()}.pdf"
                },
                "keySpec": "AES_256",
            },
            None,
            read_only=True,
            agent="s3.amazonaws.com",
            ip="s3.amazonaws.com",
            error=(
                "AccessDenied",
                f"User: arn:aws:sts::{a}:assumed-role/{role}/docsign-upload-api is not authorized to perform: "
                f"kms:GenerateDataKey on resource: {sc.key_arn} because no identity-based policy allows the "
                "kms:GenerateDataKey action",
            ),
        )
        rec["resources"] = [{"accountId": a, "type": "AWS::KMS::Key", "ARN": sc.key_arn}]

    def mod(key: str, t: datetime, v: float) -> float:
        if t < onset:
            return v
        if key == "fn.docsign-upload-api.errors":
            return 1e9
        if key == "fn.docsign-upload-api.duration":
            return 160.0
        if key == "fn.docsign-seal-document.invocations":
            return v * 0.55
        return v

    def hook(fn: str, t: datetime) -> tuple[float, list[tuple[str, str]], bool] | None:
        if fn != "docsign-upload-api" or t < onset:
            return None
        msg = (
            f"User: arn:aws:sts::{a}:assumed-role/{role}/docsign-upload-api is not authorized to perform: "
            f"kms:GenerateDataKey on resource: {sc.key_arn} because no identity-based policy allows the "
            "kms:GenerateDataKey action"
        )
        err = {
            "errorType": "AccessDenied",
            "errorMessage": msg,
            "name": "AccessDenied",
            "$fault": "client",
            "$metadata": {
                "httpStatusCode": 403,
                "requestId": sc.hexid(16).upper(),
                "extendedRequestId": sc.alnum(76),
                "attempts": 1,
                "totalRetryDelay": 0,
            },
            "Code": "AccessDenied",
            "stack": [
                f"AccessDenied: {msg}",
                "    at throwDefaultError (/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                "    at /var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:847:5",
                "    at de_CommandError (/var/task/node_modules/@aws-sdk/client-s3/dist-cjs/index.js:4756:14)",
                "    at async storeDocument (/var/task/dist/storage.js:41:9)",
                "    at async Runtime.main [as handler] (/var/task/dist/handler.js:88:22)",
            ],
        }
        return (
            float(r.randint(120, 260)),
            [
                (
                    "INFO",
                    "PUT document pages="
                    + str(r.randint(1, 30))
                    + " bytes="
                    + str(r.randint(40_000, 9_000_000)),
                ),
                ("ERROR", "Invoke Error \t" + json.dumps(err, separators=(",", ":"))),
            ],
            False,
        )

    traffic(sc, start, now, r.uniform(420, 640), mod, hook)

    alarm = sc.alarm(
        "docsign-upload-api-errors",
        "Upload function errors. Runbook: https://wiki.inkwellsign.internal/oncall/docsign-upload",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "docsign-upload-api"},
        "Sum",
        10,
        evals=3,
        state="ALARM",
        since=onset + timedelta(minutes=3),
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than or equal to the threshold (10.0).",
    )
    sc.transition(alarm, onset + timedelta(minutes=3), "OK", "ALARM", alarm["StateReason"])
    a5 = sc.alarm(
        "docsign-api-5xx",
        "HTTP API 5xx responses, all routes",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": sc.api_id, "Stage": "prod"},
        "Sum",
        25,
        evals=5,
        dta=3,
        state="ALARM",
        since=onset + timedelta(minutes=4),
        reason="Threshold Crossed: 3 out of the last 5 datapoints ["
        + ", ".join(
            f"{v:.1f} ({(onset + timedelta(minutes=k)).strftime('%d/%m/%y %H:%M:00')})"
            for k, v in ((3, r.randint(60, 90)), (2, r.randint(60, 90)), (1, r.randint(60, 90)))
        )
        + "] were greater than or equal to the threshold (25.0) (minimum 3 datapoints for OK -> ALARM transition).",
    )
    sc.transition(a5, onset + timedelta(minutes=4), "OK", "ALARM", a5["StateReason"])
    flap = sc.alarm(
        "docsign-webhook-dispatcher-duration-p95",
        "Webhook deliveries slow (customer endpoints)",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "docsign-webhook-dispatcher"},
        "Average",
        400,
        evals=2,
        state="OK",
        since=start + timedelta(minutes=74),
        unit="Milliseconds",
    )
    sc.transition(
        flap,
        start + timedelta(minutes=61),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (400.0).",
    )
    sc.transition(
        flap,
        start + timedelta(minutes=74),
        "ALARM",
        "OK",
        "Threshold Crossed: no datapoints were breaching the threshold.",
    )
    sc.alarm(
        "docsign-seal-queue-age",
        "Oldest message in the seal queue",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "docsign-seal-queue"},
        "Maximum",
        600,
        evals=3,
        state="OK",
        since=sc.day - timedelta(days=9),
    )

    local = clock(onset)
    question = (
        f"Support has a pile of tickets: customers get 'Something went wrong' when they add a PDF to an envelope, "
        f"started around {local}. Signing existing envelopes seems fine. Is S3 having issues?"
    )
    ev = sc.alarm_event(alarm, onset + timedelta(minutes=3), alarm["StateReason"], sc.day - timedelta(days=6))
    return sc.bundle(
        TITLE,
        start,
        now,
        {"question": question, "alarm_event": ev, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": role,
                "category": "change",
                "failure_mode": "kms-permission-removed-from-role",
                "event_id": culprit["eventID"],
            },
            "also_accept": [
                f"arn:aws:iam::{a}:role/{role}",
                "documents-bucket-access",
            ],
            "actions": ["rollback"],
            "chain": [role, sc.key_arn, "docsign-upload-api", "docsign-public-api"],
        },
    )
