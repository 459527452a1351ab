"""Partner settlement files keep landing in S3 but the ingest Lambda stops being invoked."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zzh as k

NAME = "settlement-files-not-ingested"
TITLE = "No new settlement batches on the finance dashboard since late morning"
SUMMARY = (
    "A Terraform apply rewrote the landing bucket's event notification with a .csv suffix filter; "
    "partners upload .csv.gz, so the ingest Lambda silently stopped being invoked."
)

TF_AGENT = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.0"


def _notification(fn_arn: str, suffix: str | None, cfg_id: str) -> dict[str, Any]:
    rules: list[dict[str, str]] = [{"Name": "Prefix", "Value": "settlements/incoming/"}]
    if suffix:
        rules.append({"Name": "Suffix", "Value": suffix})
    return {
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        "CloudFunctionConfiguration": {
            "Id": cfg_id,
            "Event": "s3:ObjectCreated:*",
            "CloudFunction": fn_arn,
            "Filter": {"S3Key": {"FilterRule": rules}},
        },
    }


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}/{seed}")
    acct = k.account(rng)
    region = rng.choice(["eu-west-1", "eu-central-1", "eu-west-2"])
    tz = {"eu-west-1": "Europe/Dublin", "eu-central-1": "Europe/Berlin", "eu-west-2": "Europe/London"}[region]
    day = k.day_start(rng)
    t0 = day + timedelta(hours=rng.randint(9, 11), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = (t0 - timedelta(hours=3, minutes=20)).replace(minute=0, second=0)
    now = t0 + timedelta(minutes=rng.randint(62, 80))
    end = now

    landing = f"paysettle-landing-{acct}-{region}"
    curated = f"paysettle-curated-{acct}-{region}"
    fn = "settlement-ingest"
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{fn}"
    fh = "settlement-records"
    crawler = "settlement-curated-hourly"
    topic = f"arn:aws:sns:{region}:{acct}:data-platform-oncall"
    partners = rng.sample(["adyen", "worldpay", "stripe", "nexi", "checkoutcom", "klarna", "paypal"], 4)
    cfg_id = "tf-s3-lambda-" + k.hexid(rng, 20)

    ids = k.Ident(acct, rng)
    trail = k.Trail(rng, acct, region)
    eng = rng.choice(["m.kowalski", "s.oconnor", "a.brandt", "j.haddad", "r.nilsson"])
    tf = ids.role("gh-actions-terraform-data", f"GitHubActions-{rng.randint(10**9, 10**10 - 1)}")
    grafana = ids.role("grafana-cloudwatch-readonly", "grafana")
    superset = ids.role("superset-athena", f"superset-{k.hexid(rng, 6)}")
    sso_eng = ids.sso("AWSReservedSSO_DataEngineer_" + k.hexid(rng, 16), f"{eng}@paysettle.io")
    ci_deploy = ids.role("gh-actions-lambda-deploy", f"GitHubActions-{rng.randint(10**9, 10**10 - 1)}")
    gh_ip = f"140.82.{rng.randint(112, 115)}.{rng.randint(2, 250)}"

    # ---------- change events ----------
    s3_extra = {
        "additionalEventData": {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": k.hexid(rng, 56),
            "bytesTransferredOut": 0,
        },
        "resources": [{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{landing}", "accountId": acct}],
    }
    # innocent deploy of the ingest function ~80-100 min before the onset
    t_dep = t0 - timedelta(minutes=rng.randint(80, 100))
    trail.add(
        t_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci_deploy,
        {
            "functionName": fn,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"paysettle-artifacts-{acct}",
            "s3Key": f"lambda/{fn}/{k.hexid(rng, 7)}.zip",
        },
        {
            "functionName": fn,
            "functionArn": fn_arn,
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": 184223,
            "timeout": 120,
            "memorySize": 1024,
            "lastModified": t_dep.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
        agent="aws-cli/2.17.40 md/command#lambda.update-function-code",
        ip=gh_ip,
    )
    # the Terraform apply: tags + lifecycle (innocent) and the notification (culprit)
    t_tf = t0 - timedelta(seconds=rng.randint(20, 70))
    tf_extra = dict(s3_extra)
    trail.add(
        t_tf - timedelta(seconds=9),
        "s3.amazonaws.com",
        "PutBucketTagging",
        tf,
        {
            "bucketName": landing,
            "Host": f"{landing}.s3.{region}.amazonaws.com",
            "tagging": "",
            "Tagging": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "TagSet": {
                    "Tag": [
                        {"Key": "team", "Value": "data-platform"},
                        {"Key": "cost-centre", "Value": "fin-ops-204"},
                        {"Key": "managed-by", "Value": "terraform"},
                    ]
                },
            },
        },
        None,
        agent=TF_AGENT,
        ip=gh_ip,
        extra=tf_extra,
    )
    trail.add(
        t_tf - timedelta(seconds=5),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        tf,
        {
            "bucketName": landing,
            "Host": f"{landing}.s3.{region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "expire-done-markers",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "settlements/incoming/"},
                        "Expiration": {"Days": 30},
                    },
                    {
                        "ID": "incoming-to-ia",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "settlements/"},
                        "Transition": {"Days": 45, "StorageClass": "STANDARD_IA"},
                    },
                ],
            },
        },
        None,
        agent=TF_AGENT,
        ip=gh_ip,
        extra=tf_extra,
    )
    culprit = trail.add(
        t_tf,
        "s3.amazonaws.com",
        "PutBucketNotification",
        tf,
        {
            "bucketName": landing,
            "Host": f"{landing}.s3.{region}.amazonaws.com",
            "notification": "",
            "NotificationConfiguration": _notification(fn_arn, ".csv", cfg_id),
        },
        None,
        agent=TF_AGENT,
        ip=gh_ip,
        extra=tf_extra,
    )
    # terraform refresh reads before the apply
    for dt, name in [
        (40, "GetBucketNotification"),
        (39, "GetBucketLifecycle"),
        (38, "GetBucketTagging"),
        (37, "GetBucketPolicy"),
        (36, "GetBucketVersioning"),
    ]:
        trail.add(
            t_tf - timedelta(seconds=dt),
            "s3.amazonaws.com",
            name,
            tf,
            {
                "bucketName": landing,
                "Host": f"{landing}.s3.{region}.amazonaws.com",
                name.replace("GetBucket", "").lower(): "",
            },
            None,
            read_only=True,
            agent=TF_AGENT,
            ip=gh_ip,
            extra=s3_extra,
        )
    trail.add(
        t_tf + timedelta(seconds=3),
        "lambda.amazonaws.com",
        "GetPolicy20150331v2",
        tf,
        {"functionName": fn},
        None,
        read_only=True,
        agent=TF_AGENT,
        ip=gh_ip,
    )
    trail.add(
        t_tf + timedelta(seconds=4),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        tf,
        {"functionName": fn},
        None,
        read_only=True,
        agent=TF_AGENT,
        ip=gh_ip,
    )

    # a later, unrelated change: crawler schedule tweak by an engineer
    t_cr = t0 + timedelta(minutes=rng.randint(18, 30))
    trail.add(
        t_cr,
        "glue.amazonaws.com",
        "UpdateCrawler",
        sso_eng,
        {"name": "card-disputes-daily", "schedule": "cron(30 5 * * ? *)"},
        None,
        agent="aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.227 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard",
        ip=f"81.{rng.randint(100, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    # read-only noise
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < now:
        r = rng.random()
        if r < 0.35:
            trail.add(
                t,
                "athena.amazonaws.com",
                "StartQueryExecution",
                superset,
                {
                    "queryString": "SELECT partner, count(*) AS batches, sum(amount_minor)/100.0 AS total FROM settlements.records WHERE dt = current_date GROUP BY 1",
                    "queryExecutionContext": {"database": "settlements", "catalog": "AwsDataCatalog"},
                    "workGroup": "finance-bi",
                },
                {"queryExecutionId": k.uuid(rng)},
                agent="Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.10 Botocore/1.35.36",
                ip="10.20.8.41",
            )
        elif r < 0.6:
            trail.add(
                t,
                "glue.amazonaws.com",
                "GetPartitions",
                superset,
                {
                    "databaseName": "settlements",
                    "tableName": "records",
                    "expression": "dt = '" + day.strftime("%Y-%m-%d") + "'",
                },
                None,
                read_only=True,
                agent="athena.amazonaws.com",
                ip="athena.amazonaws.com",
            )
        elif r < 0.8:
            trail.add(
                t,
                "lambda.amazonaws.com",
                "ListFunctions20150331",
                grafana,
                {"maxItems": 50},
                None,
                read_only=True,
                agent="Grafana/11.3.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
                ip="10.20.2.9",
            )
        else:
            trail.add(
                t,
                "firehose.amazonaws.com",
                "DescribeDeliveryStream",
                grafana,
                {"deliveryStreamName": fh},
                None,
                read_only=True,
                agent="Grafana/11.3.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
                ip="10.20.2.9",
            )
        t += timedelta(minutes=rng.randint(4, 14), seconds=rng.randint(0, 59))

    # ---------- data: uploads ----------
    uploads: list[tuple[datetime, str, int]] = []
    for p in partners:
        every = rng.randint(6, 15)
        t = start + timedelta(minutes=rng.randint(0, every), seconds=rng.randint(0, 59))
        seq = rng.randint(4000, 9000)
        while t < now:
            rows = rng.randint(300, 4200)
            seq += 1
            uploads.append((t, f"settlements/incoming/{t:%Y/%m/%d}/{p}_{t:%Y%m%dT%H%M%S}_{seq}.csv.gz", rows))
            t += timedelta(minutes=every, seconds=rng.randint(-50, 50))
    uploads.sort()

    metrics: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    lg = f"/aws/lambda/{fn}"
    ver_stream = k.lambda_stream(start, "$LATEST", rng)
    ver_stream2 = k.lambda_stream(t_dep, "$LATEST", rng)
    bad_at = t_dep - timedelta(minutes=rng.randint(35, 55))
    per_min_inv: dict[datetime, list[float]] = {}
    per_min_err: dict[datetime, int] = {}
    per_min_rows: dict[datetime, int] = {}
    for ut, key, rows in uploads:
        ts = ut + timedelta(milliseconds=rng.randint(300, 1400))
        if ts >= t_tf:
            continue
        stream = ver_stream if ts < t_dep else ver_stream2
        bad = abs((ts - bad_at).total_seconds()) < 200 and key.split("/")[-1].startswith(partners[0])
        tries = 3 if bad else 1
        for attempt in range(tries):
            at = ts + timedelta(minutes=attempt * rng.randint(1, 2))
            dur = rng.uniform(900, 2600) + rows * 0.35
            m = at.replace(second=0, microsecond=0)
            per_min_inv.setdefault(m, []).append(dur)
            if bad:
                per_min_err[m] = per_min_err.get(m, 0) + 1
                body = [
                    f"[INFO]\t{k.iso_ms(at)}\t{{req}}\tprocessing s3://{landing}/{key} ({rows} rows)\n",
                    '[ERROR] ValueError: row 1187: expected 14 columns, got 13\nTraceback (most recent call last):\n  File "/var/task/app.py", line 58, in handler\n    records = list(parse_settlement(body, partner))\n  File "/var/task/settle/parse.py", line 91, in parse_settlement\n    raise ValueError(f"row {n}: expected {len(COLUMNS)} columns, got {len(cols)}")\n',
                ]
            else:
                per_min_rows[m] = per_min_rows.get(m, 0) + rows
                body = [
                    f"[INFO]\t{k.iso_ms(at)}\t{{req}}\tprocessing s3://{landing}/{key} ({rows} rows)\n",
                    f"[INFO]\t{k.iso_ms(at + timedelta(milliseconds=dur - 40))}\t{{req}}\tput {rows} records to firehose {fh} in {math.ceil(rows / 500)} batches, 0 failed\n",
                ]
            logs += k.lambda_report(rng, lg, stream, at, dur, 1024, rng.randint(148, 212), body)

    t = start
    while t < now:
        durs = per_min_inv.get(t)
        dims = {"FunctionName": fn}
        if durs:
            n = len(durs)
            for name, v, unit in [
                ("Invocations", n, "Count"),
                ("Errors", per_min_err.get(t, 0), "Count"),
                ("Throttles", 0, "Count"),
                ("ConcurrentExecutions", 1 if n < 3 else 2, "Count"),
            ]:
                metrics.append(
                    {
                        "namespace": "AWS/Lambda",
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": k.iso(t),
                        "unit": unit,
                        "value": float(v),
                    }
                )
            metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": dims,
                    "timestamp": k.iso(t),
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": float(n),
                        "Sum": round(sum(durs), 2),
                        "Minimum": round(min(durs), 2),
                        "Maximum": round(max(durs), 2),
                    },
                }
            )
        rows_m = per_min_rows.get(t)
        fdims = {"DeliveryStreamName": fh}
        if rows_m:
            batches = math.ceil(rows_m / 500)
            for name, v, unit in [
                ("IncomingRecords", rows_m, "Count"),
                ("IncomingBytes", rows_m * rng.randint(310, 340), "Bytes"),
                ("IncomingPutRequests", batches, "Count"),
                ("PutRecordBatch.Records", rows_m, "Count"),
                ("PutRecordBatch.Bytes", rows_m * 325, "Bytes"),
                ("ThrottledRecords", 0, "Count"),
            ]:
                metrics.append(
                    {
                        "namespace": "AWS/Firehose",
                        "metric": name,
                        "dimensions": fdims,
                        "timestamp": k.iso(t),
                        "unit": unit,
                        "value": float(v),
                    }
                )
        if t.minute % 5 == 0 and t < t_tf + timedelta(minutes=6):
            window = sum(per_min_rows.get(t - timedelta(minutes=i), 0) for i in range(1, 6))
            if window:
                metrics.append(
                    {
                        "namespace": "AWS/Firehose",
                        "metric": "DeliveryToS3.Records",
                        "dimensions": fdims,
                        "timestamp": k.iso(t),
                        "unit": "Count",
                        "value": float(window),
                    }
                )
                metrics.append(
                    {
                        "namespace": "AWS/Firehose",
                        "metric": "DeliveryToS3.Success",
                        "dimensions": fdims,
                        "timestamp": k.iso(t),
                        "unit": "Count",
                        "value": 1.0,
                    }
                )
                metrics.append(
                    {
                        "namespace": "AWS/Firehose",
                        "metric": "DeliveryToS3.DataFreshness",
                        "dimensions": fdims,
                        "timestamp": k.iso(t),
                        "unit": "Seconds",
                        "value": float(rng.randint(240, 310)),
                    }
                )
        t += timedelta(minutes=1)

    # S3 request metrics (EntireBucket filter) on the landing bucket: uploads keep coming
    up_min: dict[datetime, int] = {}
    for ut, _, _ in uploads:
        m = ut.replace(second=0, microsecond=0)
        up_min[m] = up_min.get(m, 0) + 1
    sdims = {"BucketName": landing, "FilterId": "EntireBucket"}
    t = start
    while t < now:
        n = up_min.get(t, 0)
        done = n  # partners also upload a .done marker per file
        gets = rng.randint(0, 2) + (n if t < t_tf else 0)
        metrics.append(
            {
                "namespace": "AWS/S3",
                "metric": "AllRequests",
                "dimensions": sdims,
                "timestamp": k.iso(t),
                "unit": "Count",
                "value": float(n + done + gets + rng.randint(0, 1)),
            }
        )
        if n:
            metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "PutRequests",
                    "dimensions": sdims,
                    "timestamp": k.iso(t),
                    "unit": "Count",
                    "value": float(n + done),
                }
            )
        if gets:
            metrics.append(
                {
                    "namespace": "AWS/S3",
                    "metric": "GetRequests",
                    "dimensions": sdims,
                    "timestamp": k.iso(t),
                    "unit": "Count",
                    "value": float(gets),
                }
            )
        t += timedelta(minutes=1)

    # Glue crawler hourly logs
    cg = "/aws-glue/crawlers"
    h = start.replace(minute=5) + timedelta(hours=1)
    while h < now:
        rid = k.uuid(rng)
        lines = [
            f"[{rid}] BENCHMARK : Running Start Crawl for Crawler {crawler}",
            f"[{rid}] BENCHMARK : Classification complete, writing results to database settlements",
            f'[{rid}] INFO : Crawler configured with SchemaChangePolicy {{"UpdateBehavior":"LOG","DeleteBehavior":"LOG"}}.',
        ]
        if h - timedelta(minutes=5) < t_tf:
            lines.append(
                f"[{rid}] INFO : Created partitions with values [[{h:%Y}, {h:%m}, {h:%d}, {(h - timedelta(hours=1)):%H}]] for table records"
            )
        lines += [
            f"[{rid}] BENCHMARK : Finished writing to Catalog",
            f"[{rid}] BENCHMARK : Crawler has finished running and is in state READY",
        ]
        for i, line in enumerate(lines):
            logs.append(k.log(cg, crawler, h + timedelta(seconds=4 + i * rng.randint(6, 20)), line))
        h += timedelta(hours=1)

    # ---------- alarms ----------
    inv_alarm = "settlement-ingest-invocations-low"
    err_alarm = "settlement-ingest-errors"
    fresh_alarm = "settlement-records-freshness"
    t_alarm = t_tf + timedelta(minutes=30, seconds=rng.randint(20, 90))
    r_alarm = "Threshold Crossed: no datapoints were received for 6 periods and 6 missing datapoints were treated as [Breaching]."
    alarms = [
        k.alarm(
            acct,
            region,
            inv_alarm,
            "AWS/Lambda",
            "Invocations",
            {"FunctionName": fn},
            stat="Sum",
            period=300,
            evals=6,
            threshold=1,
            op="LessThanThreshold",
            state="ALARM",
            reason=r_alarm,
            state_time=t_alarm,
            updated=day - timedelta(days=61),
            actions=[topic],
            missing="breaching",
            description="No settlement file processed for 30 minutes during business hours. Partners upload every 5-15 min.",
        ),
        k.alarm(
            acct,
            region,
            err_alarm,
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn},
            stat="Sum",
            period=300,
            evals=1,
            threshold=3,
            op="GreaterThanOrEqualToThreshold",
            state="OK",
            reason="Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (3.0).",
            state_time=bad_at + timedelta(minutes=11),
            updated=day - timedelta(days=140),
            actions=[topic],
            missing="notBreaching",
        ),
        k.alarm(
            acct,
            region,
            fresh_alarm,
            "AWS/Firehose",
            "DeliveryToS3.DataFreshness",
            {"DeliveryStreamName": fh},
            stat="Maximum",
            period=300,
            evals=3,
            threshold=900,
            op="GreaterThanThreshold",
            state="OK",
            reason="Threshold Crossed: 3 datapoints were not greater than the threshold (900.0). The most recent datapoints which were not greater than the threshold: [287.0].",
            state_time=day - timedelta(days=9, hours=3),
            updated=day - timedelta(days=140),
            actions=[topic],
            missing="notBreaching",
        ),
    ]
    hist = [
        k.history(
            err_alarm,
            bad_at + timedelta(minutes=4),
            "OK",
            "ALARM",
            "Threshold Crossed: 1 out of the last 1 datapoints [3.0] was greater than or equal to the threshold (3.0) (minimum 1 datapoint for OK -> ALARM transition).",
        ),
        k.history(
            err_alarm,
            bad_at + timedelta(minutes=11),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than or equal to the threshold (3.0) (minimum 1 datapoint for ALARM -> OK transition).",
        ),
        k.history(inv_alarm, t_alarm, "OK", "ALARM", r_alarm),
    ]
    event = k.alarm_event(
        alarms[0],
        acct,
        region,
        t_alarm,
        r_alarm,
        day - timedelta(days=3, hours=5),
        "Threshold Crossed: 6 out of the last 6 datapoints were not less than the threshold (1.0).",
        rng,
    )

    # ---------- resources ----------
    created = day - timedelta(days=rng.randint(300, 700))
    res = [
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": landing,
                "CreationDate": k.iso(created),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{landing}",
            },
        },
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": curated,
                "CreationDate": k.iso(created + timedelta(days=2)),
                "BucketRegion": region,
                "BucketArn": f"arn:aws:s3:::{curated}",
            },
        },
        {
            "service": "s3",
            "type": "BucketPolicy",
            "item": {
                "Bucket": landing,
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "PartnerSftpWrite",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{acct}:role/transfer-partner-sftp"},
                            "Action": ["s3:PutObject"],
                            "Resource": f"arn:aws:s3:::{landing}/settlements/incoming/*",
                        },
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [f"arn:aws:s3:::{landing}", f"arn:aws:s3:::{landing}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ],
                },
            },
        },
        k.lambda_fn(
            acct,
            region,
            fn,
            "settlement-ingest-role",
            memory=1024,
            timeout=120,
            modified=t_dep + timedelta(seconds=2),
            rng=rng,
            env={"FIREHOSE_STREAM": fh, "LOG_LEVEL": "INFO"},
            description="Parse partner settlement CSV from S3 and push rows to Firehose",
        ),
        k.lambda_fn(
            acct,
            region,
            "settlement-recon-report",
            "settlement-recon-role",
            memory=512,
            timeout=300,
            modified=day - timedelta(days=23),
            rng=rng,
            env={"WORKGROUP": "finance-bi"},
        ),
        {
            "service": "firehose",
            "type": "DeliveryStreamDescription",
            "item": {
                "DeliveryStreamName": fh,
                "DeliveryStreamARN": f"arn:aws:firehose:{region}:{acct}:deliverystream/{fh}",
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamType": "DirectPut",
                "VersionId": "7",
                "CreateTimestamp": k.iso(created + timedelta(days=2)),
                "LastUpdateTimestamp": k.iso(day - timedelta(days=44)),
                "Destinations": [
                    {
                        "DestinationId": "destinationId-000000000001",
                        "ExtendedS3DestinationDescription": {
                            "RoleARN": f"arn:aws:iam::{acct}:role/firehose-settlement-delivery",
                            "BucketARN": f"arn:aws:s3:::{curated}",
                            "Prefix": "records/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
                            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 300},
                            "CompressionFormat": "UNCOMPRESSED",
                            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                            "CloudWatchLoggingOptions": {
                                "Enabled": True,
                                "LogGroupName": f"/aws/kinesisfirehose/{fh}",
                                "LogStreamName": "DestinationDelivery",
                            },
                            "S3BackupMode": "Disabled",
                        },
                    }
                ],
                "HasMoreDestinations": False,
            },
        },
        {
            "service": "glue",
            "type": "Crawler",
            "item": {
                "Name": crawler,
                "Role": "glue-crawler-settlements",
                "Targets": {"S3Targets": [{"Path": f"s3://{curated}/records/", "Exclusions": []}]},
                "DatabaseName": "settlements",
                "SchemaChangePolicy": {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
                "State": "READY",
                "Schedule": {"ScheduleExpression": "cron(5 * * * ? *)", "State": "SCHEDULED"},
                "CreationTime": k.iso(created + timedelta(days=3)),
                "LastUpdated": k.iso(day - timedelta(days=60)),
                "LastCrawl": {
                    "Status": "SUCCEEDED",
                    "LogGroup": "/aws-glue/crawlers",
                    "LogStream": crawler,
                    "StartTime": k.iso((now - timedelta(minutes=5)).replace(minute=5, second=4)),
                },
                "Version": 4,
            },
        },
        {
            "service": "athena",
            "type": "WorkGroup",
            "item": {
                "Name": "finance-bi",
                "State": "ENABLED",
                "Configuration": {
                    "ResultConfiguration": {
                        "OutputLocation": f"s3://paysettle-athena-results-{acct}/finance-bi/"
                    },
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": False,
                    "BytesScannedCutoffPerQuery": 10737418240,
                },
                "Description": "Superset and finance analysts",
                "CreationTime": k.iso(created + timedelta(days=10)),
            },
        },
        k.iam_role(acct, "settlement-ingest-role", "lambda.amazonaws.com", created, rng),
        k.log_group(acct, region, lg, created),
        k.log_group(acct, region, cg, created, 14),
        k.sns_topic(acct, region, "data-platform-oncall"),
    ]

    local = t0.astimezone(ZoneInfo(tz))
    minute = (local.minute // 5) * 5
    hour12 = local.hour % 12 or 12
    q = (
        f"Finance says the settlement dashboard has had no new batches since about {hour12}:{minute:02d}. "
        f"{partners[1].capitalize()} confirmed they've been uploading as normal. Is Athena broken or is it on our side?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": q, "alarm_event": event, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": landing,
                    "category": "change",
                    "failure_mode": "s3-event-notification-filter-mismatch",
                    "event_id": culprit,
                },
                "also_accept": [f"arn:aws:s3:::{landing}", cfg_id],
                "actions": ["rollback", "reconfigure"],
                "chain": [landing, fn, fh, curated, "settlements.records"],
            },
        }
    )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
