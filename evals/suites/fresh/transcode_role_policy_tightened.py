"""New uploads fail to transcode after the MediaConvert service role's inline S3 policy was tightened."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzj import TF_UA, Ctx, Platform, clock, ingest, per_minute

NAME = "transcode-role-policy-tightened"
TITLE = "Creators' new uploads going straight to 'Processing failed'; transcode job errors alarm"
SUMMARY = (
    "A least-privilege Terraform change rewrote the MediaConvert service role's S3 policy with the wrong "
    "upload prefix, so every new transcode job failed to read its source file."
)

TZ = "America/New_York"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, hours_before=4.0, minutes_after=38)
    r = c.rng
    onset = c.day + timedelta(hours=r.randint(15, 20), minutes=r.randint(3, 55), seconds=r.randint(0, 59))
    c.set_onset(onset)
    p = Platform(c)
    p.build()
    p.noise(45)

    # --- the Terraform run: three IAM changes, one of them breaks the transcoder's reads ------------
    who = c.sso(c.people[0])
    new_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSources",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{p.raw_bucket}/incoming/*"],
            },
            {
                "Sid": "WriteRenditions",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": [f"arn:aws:s3:::{p.out_bucket}/*"],
            },
            {
                "Sid": "ListBuckets",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [f"arn:aws:s3:::{p.raw_bucket}", f"arn:aws:s3:::{p.out_bucket}"],
            },
        ],
    }
    submit_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["mediaconvert:CreateJob", "mediaconvert:GetJobTemplate"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": p.mc_role_arn},
        ],
    }
    t0 = onset - timedelta(seconds=r.randint(20, 50))
    c.ct(t0, who, "iam.amazonaws.com", "GetRole", {"roleName": p.mc_role}, None, True, ua=TF_UA)
    c.ct(
        t0 + timedelta(seconds=3),
        who,
        "iam.amazonaws.com",
        "GetRolePolicy",
        {"roleName": p.mc_role, "policyName": "s3-media-access"},
        None,
        True,
        ua=TF_UA,
    )
    c.ct(
        t0 + timedelta(seconds=9),
        who,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": f"{p.fn_submit}-role",
            "policyName": "submit-jobs",
            "policyDocument": json.dumps(submit_doc),
        },
        None,
        ua=TF_UA,
    )
    culprit = c.ct(
        onset,
        who,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {"roleName": p.mc_role, "policyName": "s3-media-access", "policyDocument": json.dumps(new_doc)},
        None,
        ua=TF_UA,
    )
    c.ct(
        onset + timedelta(seconds=2),
        who,
        "iam.amazonaws.com",
        "TagRole",
        {
            "roleName": p.mc_role,
            "tags": [
                {"key": "managed-by", "value": "terraform"},
                {"key": "owner", "value": "media-pipeline"},
            ],
        },
        None,
        ua=TF_UA,
    )
    c.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": p.mc_role, "PolicyName": "s3-media-access", "PolicyDocument": new_doc},
    )
    c.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": f"{p.fn_submit}-role", "PolicyName": "submit-jobs", "PolicyDocument": submit_doc},
    )
    c.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": f"{p.fn_status}-role",
            "PolicyName": "AWSLambdaBasicExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        },
    )

    # --- innocent changes around it --------------------------------------------------------------
    deploy_at = onset - timedelta(minutes=r.randint(25, 50))
    p.deploy_code(deploy_at, p.fn_catalog)
    p.invalidation(onset - timedelta(minutes=r.randint(90, 150)), ["/web/*", "/index.html"])
    p.invalidation(onset + timedelta(minutes=r.randint(8, 20)), ["/web/app.*.js"])
    c.ct(
        onset - timedelta(minutes=r.randint(60, 120)),
        c.sso(c.people[1]),
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        {
            "tableName": p.t_sessions,
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        ua="AWS Internal",
    )

    # --- the pipeline ----------------------------------------------------------------------------
    def rate(t: datetime) -> float:
        return c.diurnal(t, 0.9, 0.4, 19.0)

    def outcome(sub: datetime, src: str) -> tuple[str, float, str, str]:
        if sub > onset + timedelta(seconds=20):
            return (
                "ERROR",
                r.uniform(9, 25),
                "1401",
                f"Unable to open input file [{src}]: [Failed probe/open: [Can't read input stream: [Failed to read data: HeadObject failed]]]",
            )
        if r.random() < 0.01:
            return (
                "ERROR",
                r.uniform(20, 60),
                "1010",
                "Unable to open input file ["
                + src
                + "]: [Failed probe/open: [No parser found for container]]",
            )
        return ("COMPLETE", r.uniform(140, 900), "", "")

    seen = ingest(p, rate, outcome)
    p.lambda_metrics(p.fn_submit, per_minute(seen["submit"]), lambda t: 0.0, lambda t: c.noisy(260, 0.25))
    p.lambda_metrics(
        p.fn_status,
        lambda t: per_minute(seen["complete"])(t) + per_minute(seen["error"])(t),
        lambda t: 0.0,
        lambda t: c.noisy(95, 0.3),
    )
    qd = {"Queue": p.mc_queue}
    done, err = per_minute(seen["complete"]), per_minute(seen["error"])
    c.series("AWS/MediaConvert", "JobsCompletedCount", qd, "Count", lambda t: done(t) or None)
    c.series("AWS/MediaConvert", "JobsErroredCount", qd, "Count", lambda t: err(t) or None)
    c.series(
        "AWS/MediaConvert",
        "TranscodingTime",
        qd,
        "Milliseconds",
        lambda t: c.noisy(310_000, 0.4) if done(t) else None,
    )
    p.lambda_metrics(
        p.fn_catalog,
        lambda t: c.noisy(c.diurnal(t, 900)),
        lambda t: float(r.random() < 0.15),
        lambda t: c.noisy(48 if t < deploy_at else 44, 0.2),
    )
    p.lambda_metrics(
        p.fn_playback, lambda t: c.noisy(c.diurnal(t, 1400)), lambda t: 0.0, lambda t: c.noisy(22, 0.2)
    )
    p.lambda_metrics(
        p.fn_checkout, lambda t: c.noisy(c.diurnal(t, 6)), lambda t: 0.0, lambda t: c.noisy(640, 0.3)
    )
    p.cloudfront_metrics()
    c.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": p.t_assets},
        "Count",
        lambda t: c.noisy(c.diurnal(t, 9) * 60, 0.3),
    )
    c.series(
        "AWS/SNS",
        "NumberOfMessagesPublished",
        {"TopicName": f"{c.brand}-transcode-events"},
        "Count",
        lambda t: done(t) + err(t) or None,
    )

    # --- alarms ----------------------------------------------------------------------------------
    first_errs = sorted(seen["error"])
    late = [x for x in first_errs if x > onset]
    fire = (late[2] if len(late) > 2 else onset + timedelta(minutes=6)).replace(second=0) + timedelta(
        minutes=5
    )
    stamp = (fire - timedelta(minutes=5)).strftime("%d/%m/%y %H:%M:%S")
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [4.0 ({stamp})] was greater than or equal to "
        "the threshold (3.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    a = c.alarm(
        f"{c.brand}-transcode-job-errors",
        "AWS/MediaConvert",
        "JobsErroredCount",
        qd,
        "Sum",
        300,
        1,
        3,
        "GreaterThanOrEqualToThreshold",
        "ALARM",
        reason,
        fire,
        p.ops_topic,
        desc="MediaConvert jobs erroring on the VOD queue. Runbook: wiki/media/transcode-errors",
        missing="notBreaching",
    )
    c.history(a["AlarmName"], fire, "OK", "ALARM", reason)
    c.alarm(
        f"{c.brand}-catalog-api-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.fn_catalog},
        "Sum",
        300,
        2,
        25,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (25.0).",
        c.start - timedelta(days=3),
        p.ops_topic,
    )
    flap = f"{c.brand}-playback-session-duration-high"
    c.alarm(
        flap,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": p.fn_playback},
        "Maximum",
        60,
        1,
        1500,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 1 datapoint [212.4] was not greater than the threshold (1500.0).",
        onset - timedelta(minutes=r.randint(30, 80)),
        p.ops_topic,
    )
    for k in range(2):
        tf = c.start + timedelta(minutes=40 + 70 * k + r.randint(0, 20))
        c.history(
            flap,
            tf,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [1712.9] was greater than the threshold (1500.0).",
        )
        c.history(
            flap,
            tf + timedelta(minutes=2),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [188.1] was not greater than the threshold (1500.0).",
        )
    c.alarm(
        f"{c.brand}-cf-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": p.dist_id, "Region": "Global"},
        "Average",
        300,
        3,
        1,
        "GreaterThanThreshold",
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (1.0).",
        c.start - timedelta(days=6),
        p.ops_topic,
    )

    q = (
        f"support is getting tickets from creators that new uploads go to 'Processing failed' almost immediately, "
        f"started around {clock(onset + timedelta(minutes=r.randint(2, 9)), TZ)}. older videos play fine. "
        f"is mediaconvert having an outage?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": p.mc_role,
            "category": "change",
            "failure_mode": "service-role-policy-narrowed",
            "event_id": culprit["eventID"],
        },
        "also_accept": [p.mc_role_arn, "s3-media-access"],
        "actions": ["rollback"],
        "chain": [p.mc_role, p.mc_queue_name, p.fn_status, p.t_assets],
    }
    return c.bundle(TITLE, {"question": q, "alarm_event": c.alarm_event(a, fire, reason)}, truth, TZ)
