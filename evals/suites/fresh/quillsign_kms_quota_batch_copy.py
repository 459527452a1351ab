"""An S3 Batch Operations copy over an SSE-KMS bucket without bucket keys exhausts the shared KMS quota."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zd as k

NAME = "quillsign-envelope-api-500s"
TITLE = "envelope-api failing document uploads and views with 500s since mid-morning"
SUMMARY = (
    "An S3 Batch Operations copy of the audit archive (SSE-KMS, no bucket key) drives KMS Decrypt and "
    "GenerateDataKey to the account's 10,000/s shared quota; envelope-api's per-document KMS calls are throttled."
)

JSON = dict[str, Any]
QUOTA = 10000.0  # symmetric cryptographic operations per second, eu-west-2


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region = "eu-west-2"
    day = k.weekday_in(rng, (0, 1, 2, 3), first="2024-04-08", span_days=180)
    onset = day + timedelta(
        hours=rng.randrange(13, 15), minutes=rng.randrange(0, 60), seconds=rng.randrange(60)
    )
    onset_min = onset.replace(second=0)
    fine_from = onset_min - timedelta(hours=3, minutes=onset_min.minute % 5)
    start = fine_from - timedelta(hours=2)
    now = onset_min + timedelta(minutes=rng.randrange(36, 56), seconds=rng.randrange(60))

    dom = "quillsign.com"
    cluster = "quillsign-prod"
    svc = "envelope-api"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    lb_dim = f"app/quillsign-api/{k.hexid(rng, 16)}"
    tg_dim = f"targetgroup/envelope-api/{k.hexid(rng, 16)}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    dek_key = k.uid(rng)
    archive_key = k.uid(rng)
    dek_arn = f"arn:aws:kms:{region}:{account}:key/{dek_key}"
    archive_arn = f"arn:aws:kms:{region}:{account}:key/{archive_key}"
    src_bucket = "quillsign-audit-archive-prod"
    dst_bucket = "quillsign-audit-archive-ir"
    job_id = k.uid(rng)
    job_arn = f"arn:aws:s3:{region}:{account}:job/{job_id}"
    batch_role = "s3-batch-archive-copy"
    task_role = "envelope-api-task"
    total_objects = rng.randrange(38_000_000, 61_000_000)
    created_at = onset - timedelta(minutes=rng.randrange(22, 36), seconds=rng.randrange(60))
    confirmed_at = onset - timedelta(minutes=rng.randrange(2, 5), seconds=rng.randrange(60))
    policy_at = onset - timedelta(minutes=rng.randrange(7, 12), seconds=rng.randrange(60))
    web_at = onset - timedelta(minutes=rng.randrange(14, 24), seconds=rng.randrange(60))

    metrics: list[JSON] = []
    logs: list[JSON] = []
    ct: list[JSON] = []
    resources: list[JSON] = []
    events: list[JSON] = []

    # --- load model -------------------------------------------------------------------------------
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    api_peak = rng.uniform(560, 760)  # API requests/s at the afternoon peak
    five_xx: dict[Any, float] = {}
    succeeded = 0.0
    throttled_share_by_min: dict[Any, float] = {}
    for bt, per in k.grid(start, fine_from, now - timedelta(minutes=1)):
        shape = k.diurnal(bt, 1.0, 14.5, 0.1, 5.0)
        rps = api_peak * shape * (1 + rng.gauss(0, 0.03))
        kms_api = rps * 1.05 + 35  # one Decrypt per view, one GenerateDataKey per upload; plus other services
        batch = 0.0
        if bt >= onset_min:
            ramp = min(1.0, (bt - onset_min).total_seconds() / 180 + 0.35)
            batch = (
                rng.uniform(10000, 11500) * ramp
            )  # copies/s demanded: a Decrypt and a GenerateDataKey each
        demand = kms_api + batch * 2
        ok_share = min(1.0, QUOTA / demand)
        thr = 1 - ok_share
        throttled_share_by_min[bt] = thr
        fail = thr**3  # the SDK's three attempts
        reqs = int(rps * per)
        kms_reqs = rps * 0.93  # share of API requests that need a data key
        t5 = int(kms_reqs * per * fail) + k.poisson(rng, 0.03 * per / 60)
        for d in (lbd, tgd):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", d, bt, "Count", reqs))
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_2XX_Count",
                    d,
                    bt,
                    "Count",
                    int((reqs - t5) * 0.968),
                )
            )
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_4XX_Count",
                    d,
                    bt,
                    "Count",
                    int((reqs - t5) * 0.032),
                )
            )
            if t5:
                metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d, bt, "Count", t5))
            med = rng.uniform(0.055, 0.07) + (0.18 * thr if thr else 0)
            metrics.append(
                k.latency(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    d,
                    bt,
                    "Seconds",
                    med,
                    0.6,
                    max(10, reqs // 300),
                    1.9 if thr else 1.0,
                )
            )
        if t5 and bt >= fine_from:
            five_xx[bt] = float(t5)
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tgd, bt, "Count", 9))
        svcd = {"ClusterName": cluster, "ServiceName": svc}
        metrics.append(
            k.datum("AWS/ECS", "CPUUtilization", svcd, bt, "Percent", k.jitter(rng, 9 + 40 * shape, 0.05))
        )
        metrics.append(k.datum("AWS/ECS", "MemoryUtilization", svcd, bt, "Percent", k.jitter(rng, 44, 0.02)))
        # Service Quotas usage (per-minute call counts)
        served = min(demand, QUOTA * rng.uniform(0.985, 0.999))
        dec_share = (kms_api * 0.78 + batch) / demand
        for op, share in (("Decrypt", dec_share), ("GenerateDataKey", 1 - dec_share)):
            metrics.append(
                k.datum(
                    "AWS/Usage",
                    "CallCount",
                    {"Service": "KMS", "Type": "API", "Resource": op, "Class": "None"},
                    bt,
                    "None",
                    served * share * per,
                )
            )
        metrics.append(
            k.datum(
                "AWS/Usage",
                "CallCount",
                {"Service": "KMS", "Type": "API", "Resource": "DescribeKey", "Class": "None"},
                bt,
                "None",
                k.poisson(rng, 0.6 * per),
            )
        )
        tabd = {"TableName": "envelopes"}
        metrics.append(
            k.datum(
                "AWS/DynamoDB", "ConsumedReadCapacityUnits", tabd, bt, "Count", rps * 2.1 * per * (1 - fail)
            )
        )
        metrics.append(
            k.datum(
                "AWS/DynamoDB", "ConsumedWriteCapacityUnits", tabd, bt, "Count", rps * 0.3 * per * (1 - fail)
            )
        )
        if bt >= onset_min:
            succeeded += batch * ok_share * per
    succeeded = min(succeeded, total_objects)

    # --- alarms -----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:quillsign-pager"
    spec = k.AlarmSpec(
        "envelope-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        3,
        50.0,
        "GreaterThanThreshold",
        "notBreaching",
        "envelope-api 5xx above 50/min for 3 minutes",
        [sns],
    )
    tr = k.evaluate_alarm(spec, five_xx, fine_from, now)
    alarm, hist = k.alarm_items(spec, account, region, tr, day - timedelta(days=400))
    alarms = [alarm]
    for q in [
        k.AlarmSpec(
            "envelope-api-p99",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p99",
            300,
            2,
            2,
            8.0,
            "GreaterThanThreshold",
            "missing",
            "envelope-api p99 above 8s",
            [sns],
            extended=True,
        ),
        k.AlarmSpec(
            "envelopes-read-throttles",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            {"TableName": "envelopes"},
            "Sum",
            60,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            "envelopes table read throttling",
            [sns],
        ),
        k.AlarmSpec(
            "envelope-api-cpu",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            "envelope-api CPU",
            [sns],
        ),
    ]:
        alarms.append(
            k.quiet_alarm(
                q,
                account,
                region,
                day - timedelta(days=rng.randrange(100, 600)),
                day - timedelta(days=rng.randrange(2, 30)),
            )
        )

    # --- logs -------------------------------------------------------------------------------------
    lg = f"/ecs/{svc}"
    tasks = [k.hexid(rng, 32) for _ in range(9)]
    for t in k.steps(now - timedelta(hours=2), now, 12):
        tt = t + timedelta(milliseconds=rng.randrange(0, 11999))
        tid = rng.choice(tasks)
        minute = tt.replace(second=0, microsecond=0)
        thr = throttled_share_by_min.get(minute, 0.0)
        upload = rng.random() < 0.22
        route = "POST /v1/envelopes/{id}/documents" if upload else "GET /v1/envelopes/{id}/documents/{doc}"
        env_id = f"env_{k.hexid(rng, 20)}"
        method, url = route.split(" ")
        url = url.replace("{id}", env_id).replace("{doc}", f"doc_{k.hexid(rng, 12)}")
        base = {
            "level": "info",
            "time": k.iso_ms(tt),
            "service": svc,
            "taskId": tid,
            "traceId": f"1-{format(int(tt.timestamp()), 'x')}-{k.hexid(rng, 24)}",
        }
        if thr and rng.random() < thr**3 * 6:
            op = "GenerateDataKey" if upload else "Decrypt"
            err = dict(
                base,
                level="error",
                msg="document encryption failed" if upload else "document decryption failed",
                envelopeId=env_id,
                err={
                    "name": "ThrottlingException",
                    "message": "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
                    "$fault": "client",
                    "$metadata": {
                        "httpStatusCode": 400,
                        "requestId": k.uid(rng),
                        "attempts": 3,
                        "totalRetryDelay": rng.randrange(180, 900),
                    },
                    "operation": op,
                    "keyId": "alias/envelope-dek",
                },
            )
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=rng.randrange(300, 1200)),
                    json.dumps(err),
                )
            )
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=1210),
                    json.dumps(
                        dict(
                            base,
                            msg="request completed",
                            method=method,
                            url=url,
                            status=500,
                            durationMs=rng.randrange(600, 1300),
                        )
                    ),
                )
            )
        else:
            dur = rng.randrange(40, 140) if not thr else rng.randrange(60, 700)
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=dur),
                    json.dumps(
                        dict(
                            base,
                            msg="request completed",
                            method=method,
                            url=url,
                            status=201 if upload else 200,
                            durationMs=dur,
                        )
                    ),
                )
            )
        if thr and rng.random() < 0.3:
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=5),
                    json.dumps(
                        dict(
                            base,
                            level="warn",
                            msg="kms call retried",
                            operation="Decrypt" if not upload else "GenerateDataKey",
                            attempt=2,
                            reason="ThrottlingException",
                        )
                    ),
                )
            )
        if rng.random() < 0.006:
            logs.append(
                k.log(
                    lg,
                    f"api/{svc}/{tid}",
                    tt + timedelta(milliseconds=8),
                    json.dumps(
                        dict(
                            base,
                            level="warn",
                            msg="webhook delivery slow",
                            partner=rng.choice(["acme-hr", "brightlet", "northwind"]),
                            durationMs=rng.randrange(3000, 9000),
                        )
                    ),
                )
            )

    # --- CloudTrail -------------------------------------------------------------------------------
    data_eng = k.sso_user(
        rng,
        account,
        "DataPlatform",
        f"{rng.choice(['ravi.menon', 'sofia.greco', 'liam.fraser'])}@{dom}",
        console=True,
    )
    sec = k.sso_user(
        rng,
        account,
        "SecurityEngineer",
        f"{rng.choice(['chloe.baptiste', 'adam.weiss', 'noor.hamid'])}@{dom}",
        console=True,
    )
    ci = k.role_user(
        rng,
        account,
        "github-actions-deploy",
        "GitHubActions",
        ip=k.public_ip(rng),
        agent=k.CLI_UA.replace("{cmd}", "ecs"),
    )
    tf = k.role_user(
        rng, account, "terraform-plan", f"tfc-{k.hexid(rng, 10)}", ip=k.public_ip(rng), agent=k.TF_UA
    )
    dd = k.role_user(
        rng,
        account,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=k.public_ip(rng),
        agent="datadog-aws-integration",
    )
    api_who = k.role_user(
        rng,
        account,
        task_role,
        k.hexid(rng, 32),
        ip=f"10.70.{rng.randrange(32, 80)}.{rng.randrange(5, 250)}",
        agent="aws-sdk-js/3.575.0 ua/2.0 os/linux#5.10.216-204.855.amzn2.x86_64 lang/js md/nodejs#20.13.1 api/kms#3.575.0",
    )
    batch_who = k.role_user(
        rng,
        account,
        batch_role,
        f"s3-batch-operations_{job_id}",
        ip="s3.amazonaws.com",
        agent="s3.amazonaws.com",
        service="s3.amazonaws.com",
    )
    ct += k.background_reads(
        rng,
        [tf, dd],
        [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
            ("kms.amazonaws.com", "DescribeKey", {"keyId": dek_arn}),
            ("kms.amazonaws.com", "ListAliases", None),
            (
                "s3.amazonaws.com",
                "GetBucketEncryption",
                {
                    "bucketName": src_bucket,
                    "Host": f"{src_bucket}.s3.{region}.amazonaws.com",
                    "encryption": "",
                },
            ),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "envelopes"}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ],
        start,
        now,
        region,
        24,
    )
    # the copy job
    job_params: JSON = {
        "accountId": account,
        "confirmationRequired": True,
        "operation": {
            "s3PutObjectCopy": {
                "targetResource": f"arn:aws:s3:::{dst_bucket}",
                "storageClass": "GLACIER_IR",
                "sSEAwsKmsKeyId": archive_arn,
                "bucketKeyEnabled": False,
                "metadataDirective": "COPY",
            }
        },
        "report": {
            "bucket": "arn:aws:s3:::quillsign-batch-reports",
            "format": "Report_CSV_20180820",
            "enabled": True,
            "prefix": f"archive-copy/{day:%Y-%m-%d}",
            "reportScope": "FailedTasksOnly",
        },
        "clientRequestToken": k.uid(rng),
        "manifest": {
            "spec": {"format": "S3InventoryReport_CSV_20161130"},
            "location": {
                "objectArn": f"arn:aws:s3:::quillsign-inventory/{src_bucket}/all-objects/{(day - timedelta(days=1)):%Y-%m-%d}T01-00Z/manifest.json",
                "eTag": k.hexid(rng, 32),
            },
        },
        "description": "Copy audit archive 2019-2023 to Glacier IR bucket",
        "priority": 10,
        "roleArn": f"arn:aws:iam::{account}:role/{batch_role}",
    }
    ct.append(
        k.trail(
            rng,
            data_eng,
            created_at,
            "s3.amazonaws.com",
            "CreateJob",
            region,
            params=job_params,
            response={"jobId": job_id},
        )
    )
    ct.append(
        k.trail(
            rng,
            data_eng,
            created_at + timedelta(minutes=rng.randrange(4, 9)),
            "s3.amazonaws.com",
            "DescribeJob",
            region,
            params={"accountId": account, "id": job_id},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            data_eng,
            confirmed_at,
            "s3.amazonaws.com",
            "UpdateJobStatus",
            region,
            params={"accountId": account, "id": job_id, "requestedJobStatus": "Ready"},
            response={"jobId": job_id, "status": "Ready"},
        )
    )
    # innocent changes shortly before
    key_policy = {
        "Version": "2012-10-17",
        "Id": "envelope-dek",
        "Statement": [
            {
                "Sid": "EnableRoot",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "EnvelopeApiUse",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{account}:role/{task_role}",
                        f"arn:aws:iam::{account}:role/envelope-worker-task",
                    ]
                },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "AuditExportDecrypt",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:role/audit-export-task"},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            },
        ],
    }
    ct.append(
        k.trail(
            rng,
            sec,
            policy_at - timedelta(minutes=1),
            "kms.amazonaws.com",
            "GetKeyPolicy",
            region,
            params={"keyId": dek_key, "policyName": "default"},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            sec,
            policy_at,
            "kms.amazonaws.com",
            "PutKeyPolicy",
            region,
            params={
                "keyId": dek_key,
                "policyName": "default",
                "policy": json.dumps(key_policy, indent=4),
                "bypassPolicyLockoutSafetyCheck": False,
            },
            resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": dek_arn}],
        )
    )
    ct.append(
        k.trail(
            rng,
            ci,
            web_at,
            "ecs.amazonaws.com",
            "UpdateService",
            region,
            params={
                "cluster": cluster,
                "service": "envelope-web",
                "taskDefinition": f"envelope-web:{rng.randrange(300, 500)}",
            },
            response={"service": {"serviceName": "envelope-web", "desiredCount": 4, "status": "ACTIVE"}},
        )
    )
    # a sample of the KMS traffic itself
    for i in range(6):
        t = start + timedelta(
            minutes=rng.randrange(0, int((onset - start).total_seconds() // 60)), seconds=rng.randrange(60)
        )
        ct.append(
            k.trail(
                rng,
                api_who,
                t,
                "kms.amazonaws.com",
                "Decrypt" if i % 3 else "GenerateDataKey",
                region,
                params={
                    "keyId": dek_arn,
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "encryptionContext": {
                        "aws-crypto-public-key": "A" + k.upper_id(rng, "", 43),
                        "tenant": f"t_{k.hexid(rng, 10)}",
                    },
                }
                if i % 3
                else {
                    "keyId": "alias/envelope-dek",
                    "numberOfBytes": 32,
                    "encryptionContext": {"tenant": f"t_{k.hexid(rng, 10)}"},
                },
                read_only=True,
                resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": dek_arn}],
            )
        )
    for i in range(10):
        t = onset + timedelta(seconds=rng.randrange(30, int((now - onset).total_seconds())))
        obj = f"{rng.randrange(2019, 2024)}/{rng.randrange(1, 13):02d}/{k.hexid(rng, 8)}/{k.uid(rng)}.json.gz"
        op = "Decrypt" if i % 2 == 0 else "GenerateDataKey"
        bucket = src_bucket if op == "Decrypt" else dst_bucket
        params: JSON = {
            "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket}/{obj}"},
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }
        if op == "GenerateDataKey":
            params = {
                "keyId": archive_arn,
                "keySpec": "AES_256",
                "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket}/{obj}"},
            }
        ct.append(
            k.trail(
                rng,
                batch_who,
                t,
                "kms.amazonaws.com",
                op,
                region,
                params=params,
                read_only=True,
                resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": archive_arn}],
            )
        )
    for i in range(7):
        t = onset + timedelta(seconds=rng.randrange(40, int((now - onset).total_seconds())))
        ct.append(
            k.trail(
                rng,
                api_who,
                t,
                "kms.amazonaws.com",
                "Decrypt" if i % 3 else "GenerateDataKey",
                region,
                params=None,
                read_only=True,
                error=(
                    "ThrottlingException",
                    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
                ),
                resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": dek_arn}],
            )
        )
    oncall = k.sso_user(
        rng,
        account,
        "PlatformEngineer",
        f"{rng.choice(['mia.roberts', 'daniel.cho', 'erin.walsh'])}@{dom}",
        console=True,
    )
    look = onset + timedelta(minutes=rng.randrange(10, 18))
    looks: list[tuple[str, str, JSON]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("kms.amazonaws.com", "GetKeyPolicy", {"keyId": dek_key, "policyName": "default"}),
        (
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            {"lookupAttributes": [{"attributeKey": "EventSource", "attributeValue": "kms.amazonaws.com"}]},
        ),
    ]
    for i, (src, nm, pr) in enumerate(looks):
        ct.append(
            k.trail(
                rng,
                oncall,
                look + timedelta(minutes=2 * i, seconds=rng.randrange(60)),
                src,
                nm,
                region,
                params=pr,
                read_only=True,
            )
        )
    ct = [r for r in ct if str(r["eventTime"]) <= k.iso(now)]
    ct.sort(key=lambda r: str(r["eventTime"]))

    # --- resources --------------------------------------------------------------------------------
    active_s = int((now - onset).total_seconds())
    resources.append(
        k.res(
            "s3control",
            "JobDescriptor",
            {
                "JobId": job_id,
                "ConfirmationRequired": True,
                "Description": "Copy audit archive 2019-2023 to Glacier IR bucket",
                "JobArn": job_arn,
                "Status": "Active",
                "Manifest": {
                    "Spec": {"Format": "S3InventoryReport_CSV_20161130"},
                    "Location": {
                        "ObjectArn": job_params["manifest"]["location"]["objectArn"],
                        "ETag": job_params["manifest"]["location"]["eTag"],
                    },
                },
                "Operation": {
                    "S3PutObjectCopy": {
                        "TargetResource": f"arn:aws:s3:::{dst_bucket}",
                        "MetadataDirective": "COPY",
                        "StorageClass": "GLACIER_IR",
                        "SSEAwsKmsKeyId": archive_arn,
                        "BucketKeyEnabled": False,
                    }
                },
                "Priority": 10,
                "ProgressSummary": {
                    "TotalNumberOfTasks": total_objects,
                    "NumberOfTasksSucceeded": int(succeeded),
                    "NumberOfTasksFailed": int(succeeded * rng.uniform(0.0004, 0.0012)),
                    "Timers": {"ElapsedTimeInActiveSeconds": active_s},
                },
                "Report": {
                    "Bucket": "arn:aws:s3:::quillsign-batch-reports",
                    "Format": "Report_CSV_20180820",
                    "Enabled": True,
                    "Prefix": f"archive-copy/{day:%Y-%m-%d}",
                    "ReportScope": "FailedTasksOnly",
                },
                "CreationTime": k.iso(created_at),
                "RoleArn": f"arn:aws:iam::{account}:role/{batch_role}",
            },
        )
    )
    for kid, karn, desc, created in (
        (dek_key, dek_arn, "envelope-api document data keys", day - timedelta(days=900)),
        (archive_key, archive_arn, "audit archive (S3 SSE-KMS)", day - timedelta(days=1600)),
    ):
        resources.append(
            k.res(
                "kms",
                "KeyMetadata",
                {
                    "AWSAccountId": account,
                    "KeyId": kid,
                    "Arn": karn,
                    "CreationDate": k.iso(created),
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
        )
    resources.append(
        k.res("kms", "KeyPolicy", {"KeyId": dek_key, "PolicyName": "default", "Policy": key_policy})
    )
    for b, created in (
        (src_bucket, day - timedelta(days=1700)),
        (dst_bucket, created_at - timedelta(hours=rng.randrange(2, 30))),
        ("quillsign-documents-prod", day - timedelta(days=1500)),
    ):
        resources.append(k.res("s3", "Bucket", {"Name": b, "CreationDate": k.iso(created)}))
    resources.append(
        k.res(
            "iam",
            "Role",
            k.iam_role(
                account,
                batch_role,
                k.upper_id(rng, "AROA", 17),
                created_at - timedelta(minutes=rng.randrange(40, 200)),
                "batchoperations.s3.amazonaws.com",
                "S3 Batch Operations: copy audit archive",
                onset,
                region,
            ),
        )
    )
    resources.append(
        k.res(
            "iam",
            "Role",
            k.iam_role(
                account,
                task_role,
                k.upper_id(rng, "AROA", 17),
                day - timedelta(days=900),
                "ecs-tasks.amazonaws.com",
                "envelope-api application role",
                now - timedelta(minutes=1),
                region,
            ),
        )
    )
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "api", "containerPort": 3000}],
                "status": "ACTIVE",
                "desiredCount": 9,
                "runningCount": 9,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{rng.randrange(500, 900)}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "events": [],
                "createdAt": k.iso(day - timedelta(days=900)),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"quillsign-api-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(day - timedelta(days=1000)),
                "LoadBalancerName": "quillsign-api",
                "Scheme": "internet-facing",
                "VpcId": "vpc-" + k.hexid(rng),
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {
                        "ZoneName": f"{region}{z}",
                        "SubnetId": "subnet-" + k.hexid(rng),
                        "LoadBalancerAddresses": [],
                    }
                    for z in "abc"
                ],
                "SecurityGroups": ["sg-" + k.hexid(rng)],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "envelope-api",
                "Protocol": "HTTP",
                "Port": 3000,
                "VpcId": "vpc-" + k.hexid(rng),
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "TableName": "envelopes",
                "TableStatus": "ACTIVE",
                "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/envelopes",
                "TableId": k.uid(rng),
                "CreationDateTime": k.iso(day - timedelta(days=900)),
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ItemCount": rng.randrange(10**8, 3 * 10**8),
                "TableSizeBytes": rng.randrange(10**11, 4 * 10**11),
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
            },
        )
    )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(account, region, lg, day - timedelta(days=900), 30, 90_112_440_203),
        )
    )
    for t in (start + timedelta(minutes=rng.randrange(10, 60)),):
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {
                        "id": k.uid(rng),
                        "createdAt": k.iso(t),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            }
        )

    logs = [entry for entry in logs if int(entry["timestamp"]) <= k.ms(now)]
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))
    local = onset - timedelta(hours=4)
    hh = local.hour % 12 or 12
    ampm = "am" if local.hour < 12 else "pm"
    approx = f"{hh}:{(local.minute // 5) * 5:02d}{ampm}"
    question = rng.choice(
        [
            f"envelope-api started throwing 500s on document uploads and views around {approx}, maybe 15-20% of them. We haven't deployed envelope-api today. What's going on?",
            f"Customers report signing sessions failing to load documents since about {approx}, and the envelope-api 5xx alarm is firing. Nothing shipped to the API today - can you dig in?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "timezone": "America/Toronto"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": job_id,
                    "category": "limit",
                    "failure_mode": "kms-shared-request-quota-exhausted",
                },
                "also_accept": [job_arn, batch_role],
                "actions": ["block", "reconfigure", "scale"],
                "chain": [
                    f"S3 Batch Operations job {job_id} copies {src_bucket} to {dst_bucket} with SSE-KMS and no bucket key: a Decrypt and a GenerateDataKey per object",
                    f"account-wide symmetric KMS request rate in {region} pinned at the 10,000/s shared quota",
                    f"{svc}'s per-document KMS Decrypt/GenerateDataKey calls (alias/envelope-dek) are throttled and fail after retries",
                    f"{svc} returns 500 on a share of uploads and views; envelope-api-5xx alarm",
                ],
            },
        }
    )
    recs: dict[str, list[JSON]] = {
        "metrics": metrics,
        "alarms": alarms,
        "alarm_history": hist,
        "logs": logs,
        "cloudtrail": ct,
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, recs)
