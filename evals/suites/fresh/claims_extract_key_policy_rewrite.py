"""Claims document extraction starts failing after the documents key's policy is rewritten."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzw import Pipeline, iso_ms, new_ctx

NAME = "claims-extract-key-policy-rewrite"
TITLE = "Adjusters say new claim documents aren't reaching claim files since early afternoon"
SUMMARY = (
    "A security engineer rewrote the claims documents KMS key policy and left the extraction "
    "function's role out of the key users, so every GetObject on the SSE-KMS intake bucket fails."
)


def _policy(account: str, roles: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": "claims-docs-key-policy",
        "Statement": [
            {
                "Sid": "EnableRootPermissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "KeyAdministrators",
                "Effect": "Allow",
                "Principal": {
                    "AWS": f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/"
                    "AWSReservedSSO_SecurityEngineering_0a7c3e21d94b6f58"
                },
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
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                ],
                "Resource": "*",
            },
            {
                "Sid": "KeyUsersViaS3",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{account}:role/{r}" for r in roles]},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": "s3.REGION.amazonaws.com"}},
            },
        ],
    }


def build(seed: int) -> Bundle:
    c = new_ctx(seed, onset_hour=(17, 19), after_min=(38, 55), salt=NAME)
    p = Pipeline(c, base_per_min=c.rng.uniform(30, 55))
    n = p.names
    change = c.onset - timedelta(minutes=c.rng.randint(1, 3), seconds=c.rng.randint(0, 59))
    p.decrypt_denied_from = change

    def extract_fail(t: datetime) -> float:
        return 0.997 if t >= change + timedelta(seconds=20) else 0.002

    def extract_lines(ts: datetime, reqid: str) -> list[str]:
        key = f"uploads/{ts:%Y/%m/%d}/{c.uid()}.pdf"
        if ts < change:
            return [
                "[ERROR] ThrottlingException: An error occurred (ThrottlingException) when calling the "
                "AnalyzeDocument operation (reached max retries: 4): Rate exceeded\nTraceback (most recent "
                'call last):\n  File "/var/task/app.py", line 77, in handler\n    resp = textract.analyze_document('
            ]
        role = p.role("extract")
        return [
            f"[INFO]\t{iso_ms(ts)}\t{reqid}\tfetching s3://{n['intake_bucket']}/{key}",
            f"[ERROR] ClientError: An error occurred (AccessDenied) when calling the GetObject operation: "
            f"User: arn:aws:sts::{c.account}:assumed-role/{role}/{n['extract']} is not authorized to perform: "
            f"kms:Decrypt on resource: {p.key_arn} because no resource-based policy allows the kms:Decrypt "
            f'action\nTraceback (most recent call last):\n  File "/var/task/app.py", line 52, in handler\n'
            f"    body = s3.get_object(Bucket=bucket, Key=key)['Body'].read()\n"
            f'  File "/var/runtime/botocore/client.py", line 565, in _api_call\n'
            f"    return self._make_api_call(operation_name, kwargs)\n"
            f'  File "/var/runtime/botocore/client.py", line 1021, in _make_api_call\n'
            f"    raise error_class(parsed_response, operation_name)",
        ]

    p.fail["extract"] = extract_fail
    p.error_lines["extract"] = extract_lines
    p.sfn_error["extract"] = lambda _t: (
        "ClientError",
        '{"errorMessage": "An error occurred (AccessDenied) when calling the GetObject operation: '
        f"User: arn:aws:sts::{c.account}:assumed-role/{p.role('extract')}/{n['extract']} is not "
        f"authorized to perform: kms:Decrypt on resource: {p.key_arn} because no resource-based policy "
        'allows the kms:Decrypt action", "errorType": "ClientError", "requestId": "", "stackTrace": []}',
    )
    tz_offset = -5
    p.write_resources()
    p.simulate(tz_offset)
    p.standard_alarms()
    p.noise(["maria.okafor@northfield-mutual.com", "dev.patel@northfield-mutual.com"])

    # the key policy before and after (the new one lost the extraction role)
    users_before = [
        p.role("classify"),
        p.role("extract"),
        "claims-portal-upload-role",
        "claims-doc-archiver-role",
    ]
    users_after = [
        p.role("classify"),
        "claims-portal-upload-role",
        "claims-doc-archiver-role",
        "claims-ediscovery-export-role",
    ]
    before = json.dumps(_policy(c.account, users_before)).replace("REGION", c.region)
    after = json.dumps(_policy(c.account, users_after)).replace("REGION", c.region)
    c.resource("kms", "KeyPolicy", {"KeyId": n["key_id"], "PolicyName": "default", "Policy": after})
    sec = c.identity_role(
        "AWSReservedSSO_SecurityEngineering_0a7c3e21d94b6f58", "lena.whitford@northfield-mutual.com"
    )
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0 Safari/537.36"
    t0 = change - timedelta(minutes=c.rng.randint(6, 12))
    c.trail(
        t0,
        "kms.amazonaws.com",
        "ListAliases",
        sec,
        None,
        None,
        read_only=True,
        agent=console,
        ip="198.51.100.23",
    )
    c.trail(
        t0 + timedelta(seconds=40),
        "kms.amazonaws.com",
        "DescribeKey",
        sec,
        {"keyId": n["key_id"]},
        None,
        read_only=True,
        agent=console,
        ip="198.51.100.23",
    )
    c.trail(
        t0 + timedelta(seconds=44),
        "kms.amazonaws.com",
        "GetKeyPolicy",
        sec,
        {"keyId": n["key_id"], "policyName": "default"},
        None,
        read_only=True,
        agent=console,
        ip="198.51.100.23",
    )
    c.trail(
        t0 + timedelta(minutes=4),
        "kms.amazonaws.com",
        "GetKeyPolicy",
        sec,
        {"keyId": n["key_id"], "policyName": "default"},
        None,
        read_only=True,
        agent=console,
        ip="198.51.100.23",
    )
    culprit = c.trail(
        change,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        sec,
        {
            "keyId": n["key_id"],
            "policyName": "default",
            "policy": after,
            "bypassPolicyLockoutSafetyCheck": False,
        },
        None,
        read_only=False,
        agent=console,
        ip="198.51.100.23",
        resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": p.key_arn}],
    )
    # same engineer also tagged another key that day (innocent)
    c.trail(
        change - timedelta(minutes=c.rng.randint(30, 60)),
        "kms.amazonaws.com",
        "TagResource",
        sec,
        {
            "keyId": c.arn("kms", f"key/{c.uid()}"),
            "tags": [{"tagKey": "data-classification", "tagValue": "confidential"}],
        },
        None,
        read_only=False,
        agent=console,
        ip="198.51.100.23",
    )
    # earlier version of the policy was put months ago: only visible through its GetKeyPolicy reads
    del before
    # failed Decrypts on behalf of the extraction role after the change, through S3
    t = change + timedelta(seconds=c.rng.randint(20, 60))
    while t < c.now:
        c.trail(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            c.identity_role(p.role("extract"), n["extract"], invoked_by="s3.amazonaws.com"),
            {
                "encryptionContext": {
                    "aws:s3:arn": f"arn:aws:s3:::{n['intake_bucket']}/uploads/{t:%Y/%m/%d}/{c.uid()}.pdf"
                },
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
            error=(
                "AccessDenied",
                f"User: arn:aws:sts::{c.account}:assumed-role/{p.role('extract')}/{n['extract']} "
                f"is not authorized to perform: kms:Decrypt on resource: {p.key_arn} because no resource-based "
                "policy allows the kms:Decrypt action",
            ),
            resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": p.key_arn}],
        )
        t += timedelta(minutes=c.rng.randint(2, 6), seconds=c.rng.randint(0, 59))

    trans = c.evaluate_alarms(p.topic_arn)
    local = c.onset + timedelta(hours=tz_offset)
    q = (
        f"Adjusters in the Plano office say documents customers uploaded since about "
        f"{local:%-I:%M %p} aren't showing up in the claim files. The portal upload itself works. "
        "Is the OCR thing broken again?"
    )
    fired = next((x for x in trans["claims-doc-pipeline-executions-failed"] if x[2] == "ALARM"), None)
    event = c.alarm_event("claims-doc-pipeline-executions-failed", fired[0], fired[3]) if fired else None
    return c.bundle(
        title=TITLE,
        question=q,
        tz="America/Chicago",
        alarm_event=event,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": p.key_arn,
                "category": "change",
                "failure_mode": "kms-key-policy-dropped-principal",
                "event_id": culprit["eventID"],
            },
            "also_accept": [n["key_id"], "claims-docs key policy"],
            "actions": ["rollback"],
            "chain": [p.key_arn, n["extract"], n["sm"], n["intake_bucket"]],
        },
    )
