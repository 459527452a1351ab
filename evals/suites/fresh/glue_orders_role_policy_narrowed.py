"""Hourly orders curation in Glue starts failing with S3 AccessDenied after the ETL role's policy is edited."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzo import Estate, Inc, iso

NAME = "glue-orders-role-policy-narrowed"
TITLE = "Orders dashboard in Athena stuck since this morning; did the crawler stop?"
SUMMARY = (
    "An inline-policy edit on the Glue ETL role scoped S3 writes to a new prefix, so every hourly "
    "orders-curate run fails with AccessDenied and the curated orders table stops growing."
)


def _policy(curated: str, raw: str, scripts: str, prefixes: list[str]) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadRaw",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{raw}", f"arn:aws:s3:::{raw}/*"],
            },
            {
                "Sid": "WriteCurated",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{curated}"] + [f"arn:aws:s3:::{curated}/{p}*" for p in prefixes],
            },
            {
                "Sid": "GlueAssets",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{scripts}", f"arn:aws:s3:::{scripts}/*"],
            },
        ],
    }


def build(seed: int) -> Bundle:
    inc = Inc(seed, NAME)
    r = inc.rng
    est = Estate(inc, r.choice(["northwind", "brightcart", "tallpine", "orbita"]))
    onset_hour = r.randint(8, 10)
    inc.start = inc.day + timedelta(hours=onset_hour - 5, minutes=0)
    change_t = inc.day + timedelta(hours=onset_hour - 1, minutes=r.randint(22, 48), seconds=r.randint(0, 59))
    inc.now = inc.day + timedelta(hours=onset_hour + 2, minutes=r.randint(20, 40))
    inc.end = inc.now + timedelta(minutes=20)
    est.add_resources()
    est.background()

    new_policy = _policy(est.curated, est.raw, est.scripts, ["orders_v2/", "customers/", "clickstream/"])
    inc.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": est.glue_role, "PolicyName": "datalake-s3-access", "PolicyDocument": new_policy},
    )
    inc.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": est.glue_role,
            "PolicyName": "AWSGlueServiceRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole",
        },
    )
    engineer = est.engineers[0]
    # read the policy first, then edit it (IAM records land in us-east-1)
    inc.ct(
        change_t - timedelta(minutes=3),
        "iam.amazonaws.com",
        "GetRolePolicy",
        engineer,
        {"roleName": est.glue_role, "policyName": "datalake-s3-access"},
        None,
        read_only=True,
        agent="AWS Internal",
        region="us-east-1",
    )
    culprit = inc.ct(
        change_t,
        "iam.amazonaws.com",
        "PutRolePolicy",
        engineer,
        {
            "roleName": est.glue_role,
            "policyName": "datalake-s3-access",
            "policyDocument": json.dumps(new_policy, indent=4),
        },
        None,
        agent="AWS Internal",
        region="us-east-1",
    )
    # innocent changes around it
    other = est.engineers[1]
    inc.ct(
        change_t - timedelta(minutes=r.randint(35, 70)),
        "glue.amazonaws.com",
        "UpdateJob",
        other,
        {
            "jobName": "clickstream-sessionize",
            "jobUpdate": {
                "role": est.role_arn(est.glue_role),
                "command": {
                    "name": "glueetl",
                    "scriptLocation": f"s3://{est.scripts}/scripts/clickstream-sessionize.py",
                },
                "workerType": "G.1X",
                "numberOfWorkers": 24,
                "glueVersion": "4.0",
            },
        },
        {"jobName": "clickstream-sessionize"},
        agent="AWS Internal",
    )
    est.workers["clickstream-sessionize"] = 24
    inc.ct(
        change_t + timedelta(minutes=r.randint(5, 15)),
        "athena.amazonaws.com",
        "UpdateWorkGroup",
        other,
        {"workGroup": est.workgroup, "configurationUpdates": {"bytesScannedCutoffPerQuery": 1099511627776}},
        None,
        agent="AWS Internal",
    )
    inc.ct(
        inc.start + timedelta(minutes=r.randint(10, 50)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        other,
        {"bucketName": est.results, "Host": f"{est.results}.s3.amazonaws.com", "lifecycle": ""},
        None,
        agent="[aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3api.put-bucket-lifecycle-configuration]",
    )

    denied = [
        "ERROR GlueExceptionAnalysisListener: [Glue Exception Analysis] Failed to write data to S3.",
        "py4j.protocol.Py4JJavaError: An error occurred while calling o142.pyWriteDynamicFrame.",
        f": java.nio.file.AccessDeniedException: s3://{est.curated}/orders/dt=%s/part-00000-%s.c000.snappy.parquet: "
        "getFileStatus on s3://%s/orders/: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied "
        "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: %s; S3 Extended Request ID: %s; Proxy: null), "
        "S3 Extended Request ID: %s:AccessDenied",
    ]
    failed_runs = 0
    first_fail = None
    h = inc.start.replace(minute=5)
    while h < inc.now:
        for job, minute, dur in (
            ("orders-curate", 5, r.uniform(7, 10)),
            ("customers-curate", 20, r.uniform(4, 6)),
            ("clickstream-sessionize", 35, r.uniform(14, 18)),
        ):
            t = inc.jitter(h.replace(minute=minute), 0, 40)
            if t >= inc.now:
                continue
            ok = not (job == "orders-curate" and t > change_t)
            lines = None
            if not ok:
                failed_runs += 1
                first_fail = first_fail or t
                ext = inc.upper(40)
                lines = [
                    denied[0],
                    denied[1],
                    denied[2] % (t.strftime("%Y-%m-%d"), inc.uid(), est.curated, inc.upper(16), ext, ext),
                ]
            dag = {"orders-curate": "orders_hourly", "customers-curate": "customers_hourly"}.get(
                job, "clickstream_hourly"
            )
            est.glue_run(job, t, dur, ok, lines, dag=dag)
        h += timedelta(hours=1)
    assert first_fail is not None
    alarm_t = first_fail + timedelta(minutes=10)
    al = inc.alarm(
        "glue-orders-curate-failed-tasks",
        "Glue",
        "glue.driver.aggregate.numFailedTasks",
        {"JobName": "orders-curate", "JobRunId": "ALL", "Type": "count"},
        "Sum",
        300,
        0,
        "GreaterThanThreshold",
        1,
        est.topic,
        [
            (
                inc.start - timedelta(days=3),
                "OK",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            ),
            (
                alarm_t,
                "ALARM",
                f"Threshold Crossed: 1 out of the last 1 datapoints [{r.randint(4, 12)}.0 ({iso(alarm_t - timedelta(minutes=5))[:-1]}Z)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
        ],
        description="orders-curate Spark tasks failing",
        treat_missing="notBreaching",
    )
    # a flapping, unrelated alarm
    cpu_t = inc.start + timedelta(minutes=r.randint(40, 90))
    inc.alarm(
        f"{est.cluster}-cpu-high",
        "AWS/Redshift",
        "CPUUtilization",
        {"ClusterIdentifier": est.cluster},
        "Average",
        300,
        85,
        "GreaterThanThreshold",
        2,
        est.topic,
        [
            (
                inc.start - timedelta(days=2),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (85.0).",
            ),
            (
                cpu_t,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [91.2, 88.4] were greater than the threshold (85.0).",
            ),
            (
                cpu_t + timedelta(minutes=15),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints [61.0, 44.7] were not greater than the threshold (85.0).",
            ),
        ],
    )
    inc.res("redshift", "Cluster", est.redshift_item(4, "ra3.xlplus"))
    inc.series(
        "AWS/Redshift",
        "CPUUtilization",
        {"ClusterIdentifier": est.cluster},
        "Percent",
        lambda t: (
            r.uniform(86, 94)
            if cpu_t - timedelta(minutes=10) <= t < cpu_t + timedelta(minutes=5)
            else r.uniform(15, 55)
        ),
    )
    inc.series(
        "AWS/Redshift",
        "DatabaseConnections",
        {"ClusterIdentifier": est.cluster},
        "Count",
        lambda t: float(r.randint(12, 30)),
    )
    question = (
        "Finance says the orders dashboard (Athena, curated.orders) hasn't shown anything new since around "
        f"{(change_t + timedelta(minutes=20)).strftime('%H')}:00 UTC this morning. Did the Glue crawler stop? "
        "Nobody touched the dashboard."
    )
    return inc.bundle(
        TITLE,
        question,
        None,
        inc.alarm_event(al, alarm_t, "OK", inc.start - timedelta(days=3)),
        {
            "no_fault": False,
            "root_cause": {
                "resource": est.glue_role,
                "category": "change",
                "failure_mode": "iam-policy-scoped-out-write-prefix",
                "event_id": culprit,
            },
            "also_accept": [est.role_arn(est.glue_role), "datalake-s3-access"],
            "actions": ["rollback"],
            "chain": [
                est.glue_role,
                "orders-curate",
                f"s3://{est.curated}/orders/",
                "curated.orders",
                "orders dashboard",
            ],
        },
    )
