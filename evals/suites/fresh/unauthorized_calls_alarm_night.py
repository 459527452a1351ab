"""Unauthorized-API-calls security alarm pages in the middle of the night (kit zp, incident 4)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

from . import _kit_zp as k

NAME = "unauthorized-calls-alarm-night"
TITLE = "Unauthorized API calls alarm paged at night"
SUMMARY = (
    "The weekly read-only security posture scan, run from the security account through its audit role, "
    "is denied on resources whose policies exclude it and trips the CloudTrail unauthorized-calls alarm; "
    "nothing is wrong."
)

REGION = "eu-central-1"


def berlin_offset(t: datetime) -> int:
    y = t.year

    def last_sunday(month: int) -> datetime:
        d = datetime(y, month, 31, 1, tzinfo=t.tzinfo)
        return d - timedelta(days=(d.weekday() + 1) % 7)

    return 2 if last_sunday(3) <= t < last_sunday(10) else 1


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    sec_acct = str(rng.randrange(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    day = k.pick_day(rng, (1,))  # Tuesdays
    off = berlin_offset(day)
    scan_hour_utc = 1  # the scheduled scan starts 01:00 UTC every Tuesday
    scan = day + timedelta(hours=scan_hour_utc, minutes=rng.randrange(0, 3), seconds=rng.randrange(60))
    scan_len = timedelta(minutes=rng.randrange(14, 21))
    now = scan + timedelta(minutes=rng.randrange(38, 55), seconds=rng.randrange(60))
    start = scan - timedelta(days=7, hours=3)
    fine_from = k.floor_min(now) - timedelta(hours=3)

    # telemetry points: hourly for the week, 5-minute for the last day, 1-minute for the last 3 hours
    pts: list[tuple[datetime, int]] = []
    t = start.replace(minute=0, second=0, microsecond=0)
    while t < now - timedelta(hours=24):
        pts.append((t, 3600))
        t += timedelta(hours=1)
    while t < fine_from:
        pts.append((t, 300))
        t += timedelta(minutes=5)
    while t <= now - timedelta(minutes=1):
        pts.append((t, 60))
        t += timedelta(minutes=1)

    # --- names ------------------------------------------------------------------------------------
    trail_name = "brightmoor-org-trail"
    ct_group = f"aws-cloudtrail-logs-{acct}-{k.hexs(rng, 8)}"
    audit_role = "OrganizationSecurityAudit"
    scanner_ip = f"3.{rng.randrange(64, 79)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    bucket_exports = f"brightmoor-gradebook-exports-{acct[-6:]}"
    bucket_logs = f"brightmoor-alb-logs-{acct[-6:]}"
    key_backup = k.uid(rng)
    key_backup_arn = f"arn:aws:kms:{REGION}:{acct}:key/{key_backup}"
    key_app = k.uid(rng)
    key_app_arn = f"arn:aws:kms:{REGION}:{acct}:key/{key_app}"
    secret_lti = (
        f"arn:aws:secretsmanager:{REGION}:{acct}:secret:prod/lti/platform-keys-{k.alnum(rng, 6, False)}"
    )
    topic = f"arn:aws:sns:{REGION}:{acct}:security-alerts"
    alb_name = "brightmoor-lms-alb"
    alb_hex = k.hexs(rng, 16)
    alb_dim = f"app/{alb_name}/{alb_hex}"
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{alb_dim}"
    tg_dim = f"targetgroup/lms-web/{k.hexs(rng, 16)}"
    fn_digest = "brightmoor-nightly-digest"
    db_id = "lms-aurora-prod"

    # --- CloudTrail ----------------------------------------------------------------------------------
    trail = k.Trail(acct, REGION, rng)
    ua = "Boto3/1.34.113 md/Botocore#1.34.113 ua/2.0 os/linux#5.10.217-205.860.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.34.113 APN_1826889"

    def scanner(at: datetime) -> k.Principal:
        sess = f"prowler-{at:%Y%m%d}"
        p = k.role_session(rng, acct, audit_role, sess, scanner_ip, ua)
        return p

    def run_scan(begin: datetime, length: timedelta, denials: list[datetime]) -> None:
        p = scanner(begin)
        ses = begin - timedelta(seconds=rng.randrange(5, 20))
        reads: list[tuple[str, str, dict[str, Any] | None]] = [
            ("iam.amazonaws.com", "GetAccountPasswordPolicy", None),
            ("iam.amazonaws.com", "GenerateCredentialReport", None),
            ("iam.amazonaws.com", "ListRoles", {"maxItems": 1000}),
            ("iam.amazonaws.com", "ListPolicies", {"onlyAttached": True, "scope": "Local"}),
            ("s3.amazonaws.com", "ListBuckets", None),
            (
                "s3.amazonaws.com",
                "GetBucketEncryption",
                {
                    "bucketName": bucket_logs,
                    "Host": f"{bucket_logs}.s3.{REGION}.amazonaws.com",
                    "encryption": "",
                },
            ),
            (
                "s3.amazonaws.com",
                "GetBucketPublicAccessBlock",
                {
                    "bucketName": bucket_logs,
                    "Host": f"{bucket_logs}.s3.{REGION}.amazonaws.com",
                    "publicAccessBlock": "",
                },
            ),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", {"maxResults": 1000}),
            ("ec2.amazonaws.com", "DescribeFlowLogs", {"maxResults": 1000}),
            ("ec2.amazonaws.com", "GetEbsEncryptionByDefault", None),
            ("kms.amazonaws.com", "ListKeys", {"limit": 1000}),
            ("kms.amazonaws.com", "GetKeyRotationStatus", {"keyId": key_app_arn}),
            ("cloudtrail.amazonaws.com", "DescribeTrails", {"includeShadowTrails": True}),
            ("cloudtrail.amazonaws.com", "GetEventSelectors", {"trailName": trail_name}),
            ("config.amazonaws.com", "DescribeConfigurationRecorderStatus", None),
            ("guardduty.amazonaws.com", "ListDetectors", None),
            ("rds.amazonaws.com", "DescribeDBClusters", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("secretsmanager.amazonaws.com", "ListSecrets", {"maxResults": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("logs.amazonaws.com", "DescribeMetricFilters", {"logGroupName": ct_group}),
            ("cloudwatch.amazonaws.com", "DescribeAlarms", None),
            ("sns.amazonaws.com", "ListSubscriptionsByTopic", {"topicArn": topic}),
            ("access-analyzer.amazonaws.com", "ListAnalyzers", None),
        ]
        n_reads = rng.randrange(40, 60)
        for i in range(n_reads):
            at = begin + timedelta(seconds=length.total_seconds() * i / n_reads + rng.uniform(0, 8))
            src, nm, prm = reads[i % len(reads)]
            trail.add(p, at, src, nm, prm, None, not nm.startswith("Generate"), session_created=ses)
        denied: list[tuple[str, str, dict[str, Any], str, str]] = [
            (
                "s3.amazonaws.com",
                "GetBucketPolicy",
                {
                    "bucketName": bucket_exports,
                    "Host": f"{bucket_exports}.s3.{REGION}.amazonaws.com",
                    "policy": "",
                },
                "AccessDenied",
                "Access Denied",
            ),
            (
                "s3.amazonaws.com",
                "GetBucketAcl",
                {
                    "bucketName": bucket_exports,
                    "Host": f"{bucket_exports}.s3.{REGION}.amazonaws.com",
                    "acl": "",
                },
                "AccessDenied",
                "Access Denied",
            ),
            (
                "kms.amazonaws.com",
                "GetKeyRotationStatus",
                {"keyId": key_backup_arn},
                "AccessDenied",
                f"User: arn:aws:sts::{acct}:assumed-role/{audit_role}/prowler-{begin:%Y%m%d} is not authorized to perform: kms:GetKeyRotationStatus on resource: {key_backup_arn} because no resource-based policy allows the kms:GetKeyRotationStatus action",
            ),
            (
                "kms.amazonaws.com",
                "GetKeyPolicy",
                {"keyId": key_backup_arn, "policyName": "default"},
                "AccessDenied",
                f"User: arn:aws:sts::{acct}:assumed-role/{audit_role}/prowler-{begin:%Y%m%d} is not authorized to perform: kms:GetKeyPolicy on resource: {key_backup_arn} because no resource-based policy allows the kms:GetKeyPolicy action",
            ),
            (
                "secretsmanager.amazonaws.com",
                "GetResourcePolicy",
                {"secretId": secret_lti},
                "AccessDenied",
                f"User: arn:aws:sts::{acct}:assumed-role/{audit_role}/prowler-{begin:%Y%m%d} is not authorized to perform: secretsmanager:GetResourcePolicy on resource: {secret_lti} with an explicit deny in a resource-based policy",
            ),
            (
                "lambda.amazonaws.com",
                "GetPolicy20150331v2",
                {"functionName": fn_digest},
                "AccessDeniedException",
                f"User: arn:aws:sts::{acct}:assumed-role/{audit_role}/prowler-{begin:%Y%m%d} is not authorized to perform: lambda:GetPolicy on resource: arn:aws:lambda:{REGION}:{acct}:function:{fn_digest} because no identity-based policy allows the lambda:GetPolicy action",
            ),
        ]
        for i, at in enumerate(denials):
            src, nm, prm, code, msg = denied[i % len(denied)]
            rec = trail.add(p, at, src, nm, prm, None, True, (code, msg), session_created=ses)
            if src == "kms.amazonaws.com":
                rec["resources"] = [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_backup_arn}]

    def denial_times(begin: datetime, length: timedelta) -> list[datetime]:
        n = rng.randrange(18, 30)
        return sorted(
            begin + timedelta(seconds=rng.uniform(60, length.total_seconds() - 30)) for _ in range(n)
        )

    prev_scan = scan - timedelta(days=7, seconds=rng.randrange(-90, 90))
    prev_len = timedelta(minutes=rng.randrange(14, 21))
    prev_denials = denial_times(prev_scan, prev_len)
    cur_denials = [d for d in denial_times(scan, scan_len) if d < now]
    run_scan(prev_scan, prev_len, prev_denials)
    run_scan(scan, scan_len, cur_denials)
    # a developer in the console without Cost Explorer rights, days ago and this evening
    dev = k.sso_user(
        rng, acct, "DeveloperReadOnly", "jonas.weber@brightmoor.de", k.public_ip(rng), "AWS Internal"
    )
    stray: list[datetime] = []
    for dd in (rng.randrange(2, 5), rng.randrange(5, 7)):
        at = scan - timedelta(days=dd, hours=rng.randrange(-10, -2))
        stray.append(at)
        trail.add(
            dev,
            at,
            "ce.amazonaws.com",
            "GetCostAndUsage",
            {"granularity": "DAILY", "metrics": ["UnblendedCost"]},
            None,
            True,
            (
                "AccessDeniedException",
                f"User: {dev.identity['arn']} is not authorized to perform: ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:{acct}:/GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action",
            ),
        )
    # nightly automation around the scan: backups, patching, secret rotation (all routine changes)
    bk = scan - timedelta(minutes=rng.randrange(8, 20))
    trail.add(
        k.role_session(
            rng,
            acct,
            "AWSBackupDefaultServiceRole",
            "AWSBackup-AWSBackupDefaultServiceRole",
            "backup.amazonaws.com",
            "backup.amazonaws.com",
            path="/service-role/",
        ),
        bk,
        "rds.amazonaws.com",
        "CreateDBClusterSnapshot",
        {
            "dBClusterSnapshotIdentifier": f"awsbackup:job-{k.uid(rng)}",
            "dBClusterIdentifier": db_id,
            "tags": [{"key": "aws:backup:source-resource", "value": db_id}],
        },
        {
            "dBClusterSnapshotIdentifier": f"awsbackup:job-{k.uid(rng)}",
            "dBClusterIdentifier": db_id,
            "status": "creating",
            "engine": "aurora-postgresql",
        },
        invoked_by="backup.amazonaws.com",
    )
    rot = scan + timedelta(minutes=rng.randrange(3, 12), seconds=rng.randrange(60))
    rot_fn = k.role_session(
        rng,
        acct,
        "lms-db-secret-rotation-role",
        "lms-db-secret-rotation",
        f"18.{rng.randrange(153, 199)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}",
        "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.216 lang/python#3.12.3 exec-env/AWS_Lambda_python3.12",
    )
    db_secret = (
        f"arn:aws:secretsmanager:{REGION}:{acct}:secret:rds!cluster-{k.uid(rng)}-{k.alnum(rng, 6, False)}"
    )
    new_ver = k.uid(rng)
    trail.add(
        k.aws_service("secretsmanager.amazonaws.com"),
        rot - timedelta(seconds=2),
        "secretsmanager.amazonaws.com",
        "RotationStarted",
        None,
        None,
        False,
        extra={"additionalEventData": {"SecretId": db_secret}, "serviceEventDetails": None},
    )
    trail.add(
        rot_fn,
        rot,
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        {"secretId": db_secret, "clientRequestToken": new_ver, "versionStages": ["AWSPENDING"]},
        {
            "aRN": db_secret,
            "name": db_secret.split(":secret:")[1][:-7],
            "versionId": new_ver,
            "versionStages": ["AWSPENDING"],
        },
    )
    trail.add(
        rot_fn,
        rot + timedelta(seconds=3),
        "secretsmanager.amazonaws.com",
        "UpdateSecretVersionStage",
        {"secretId": db_secret, "versionStage": "AWSCURRENT", "moveToVersionId": new_ver},
        {"aRN": db_secret},
    )
    trail.add(
        k.aws_service("secretsmanager.amazonaws.com"),
        rot + timedelta(seconds=5),
        "secretsmanager.amazonaws.com",
        "RotationSucceeded",
        None,
        None,
        False,
        extra={"additionalEventData": {"SecretId": db_secret}, "serviceEventDetails": None},
    )
    patch = scan + timedelta(minutes=rng.randrange(15, 28))
    ssm_p = k.role_session(
        rng,
        acct,
        "AWSServiceRoleForAmazonSSM",
        "ssm-maintenance-window",
        "ssm.amazonaws.com",
        "ssm.amazonaws.com",
        path="/aws-service-role/ssm.amazonaws.com/",
    )
    if patch < now:
        trail.add(
            ssm_p,
            patch,
            "ssm.amazonaws.com",
            "SendCommand",
            {
                "documentName": "AWS-RunPatchBaseline",
                "targets": [{"key": "tag:PatchGroup", "values": ["lms-bastion"]}],
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "maxConcurrency": "50%",
                "maxErrors": "0",
            },
            {
                "command": {
                    "commandId": k.uid(rng),
                    "documentName": "AWS-RunPatchBaseline",
                    "status": "Pending",
                }
            },
            invoked_by="ssm.amazonaws.com",
        )
    # CI deploy in the evening and the on-call engineer looking now
    ci = k.role_session(
        rng,
        acct,
        "brightmoor-gitlab-deploy",
        f"gitlab-{rng.randrange(10**6, 10**7)}",
        k.public_ip(rng),
        "aws-cli/2.15.50 Python/3.11.8 Linux/5.15.0-1061-aws exe/x86_64.ubuntu.22 command/lambda.update-function-code",
    )
    ev_dep = scan - timedelta(hours=rng.randrange(5, 8), minutes=rng.randrange(60))
    trail.add(
        ci,
        ev_dep,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fn_digest, "publish": True},
        {
            "functionName": fn_digest,
            "codeSha256": k.hexs(rng, 43) + "=",
            "version": str(rng.randrange(30, 80)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    oncall = k.sso_user(
        rng, acct, "SecurityResponder", "amira.haddad@brightmoor.de", k.public_ip(rng), "AWS Internal"
    )
    ses = now - timedelta(minutes=rng.randrange(10, 16))
    looks: list[tuple[str, str, dict[str, Any] | None]] = [
        ("cloudwatch.amazonaws.com", "DescribeAlarmHistory", {"alarmName": "cis-unauthorized-api-calls"}),
        (
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            {"lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "true"}], "maxResults": 50},
        ),
        ("iam.amazonaws.com", "GetRole", {"roleName": audit_role}),
        ("guardduty.amazonaws.com", "ListFindings", {"detectorId": k.hexs(rng, 32)}),
    ]
    for i, (src, nm, prm) in enumerate(looks):
        at = ses + timedelta(minutes=i * 2, seconds=rng.randrange(60))
        if at < now:
            trail.add(oncall, at, src, nm, prm, None, True, session_created=ses)

    # --- metrics -------------------------------------------------------------------------------------
    m = k.Metrics()
    denial_minutes: dict[datetime, int] = {}
    for d in prev_denials + cur_denials + stray:
        mm = k.floor_min(d)
        denial_minutes[mm] = denial_minutes.get(mm, 0) + 1

    def unauthorized(t: datetime, period: int) -> float | None:
        v = sum(denial_minutes.get(t + timedelta(minutes=i), 0) for i in range(period // 60))
        return float(v) if v else None

    m.add("CISBenchmark", "UnauthorizedAttemptCount", {}, "None", pts, unauthorized)

    def traffic(t: datetime) -> float:
        return 900.0 * k.diurnal(t, off, peak_hour=11.0, floor=0.03)

    def req(t: datetime, period: int) -> float:
        return float(k.poisson(rng, traffic(t) * period / 60))

    lb = {"LoadBalancer": alb_dim}
    m.add("AWS/ApplicationELB", "RequestCount", lb, "Count", pts, req)
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Count",
        pts,
        lambda t, p: float(v) if (v := k.poisson(rng, traffic(t) * p / 60 * 0.0004)) else None,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Seconds",
        pts,
        k.noise_fn(rng, 0.11, 0.12),
        kind="avg",
        digits=4,
    )
    tg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    m.add(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tg,
        "Count",
        pts,
        lambda t, p: 4.0 if traffic(t) > 300 else 2.0,
        kind="avg",
    )
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tg, "Count", pts, lambda t, p: 0.0, kind="avg")
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": db_id},
        "Percent",
        pts,
        lambda t, p: 8 + traffic(t) / 30 + rng.uniform(-1, 1),
        kind="avg",
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBClusterIdentifier": db_id},
        "Count",
        pts,
        lambda t, p: 20 + traffic(t) / 20 + rng.uniform(-2, 2),
        kind="avg",
        digits=0,
    )
    fd = {"FunctionName": fn_digest}
    digest_min = {day + timedelta(hours=d_h) for d_h in (1,)}
    m.add(
        "AWS/Lambda",
        "Invocations",
        fd,
        "Count",
        pts,
        lambda t, p: 1.0 if any(t <= x < t + timedelta(seconds=p) for x in digest_min) else None,
    )
    m.add(
        "AWS/Lambda",
        "Errors",
        fd,
        "Count",
        pts,
        lambda t, p: 0.0 if any(t <= x < t + timedelta(seconds=p) for x in digest_min) else None,
    )

    # --- alarms ----------------------------------------------------------------------------------------
    spec = k.AlarmSpec(
        "cis-unauthorized-api-calls",
        "CIS 4.1 - unauthorized API calls (CloudTrail metric filter)",
        "CISBenchmark",
        "UnauthorizedAttemptCount",
        {},
        "Sum",
        300,
        1,
        1,
        5.0,
        "GreaterThanOrEqualToThreshold",
    )
    fine_only = {tt: v for tt, v in m.series("CISBenchmark", "UnauthorizedAttemptCount", {}).items()}
    al, hist, last = k.evaluate_alarm(
        spec, fine_only, fine_from, now, acct, REGION, [topic], day - timedelta(days=200), rng
    )
    # last week's page and recovery, from the 5-minute sums of last week's denials
    prev_hist: list[dict[str, Any]] = []
    buckets: dict[datetime, int] = {}
    for d in prev_denials:
        b = d.replace(minute=d.minute - d.minute % 5, second=0, microsecond=0)
        buckets[b] = buckets.get(b, 0) + 1
    over = sorted(b for b, v in buckets.items() if v >= 5)
    if over:
        a_t = over[0] + timedelta(minutes=6, milliseconds=rng.randrange(100, 900))
        o_t = over[-1] + timedelta(minutes=11, milliseconds=rng.randrange(100, 900))
        v0 = float(buckets[over[0]])
        prev_hist.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": k.iso_ms(a_t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": "Alarm updated from OK to ALARM",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": "OK"},
                        "newState": {
                            "stateValue": "ALARM",
                            "stateReason": f"Threshold Crossed: 1 datapoint [{v0} ({over[0]:%d/%m/%y %H:%M:%S})] was greater than or equal to the threshold (5.0).",
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
        prev_hist.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": k.iso_ms(a_t + timedelta(milliseconds=150)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {topic}",
            }
        )
        prev_hist.append(
            {
                "AlarmName": spec.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": k.iso_ms(o_t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": "Alarm updated from ALARM to OK",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": "ALARM"},
                        "newState": {
                            "stateValue": "OK",
                            "stateReason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
                        },
                    },
                    separators=(",", ":"),
                ),
            }
        )
    history = prev_hist + hist
    trigger = k.alarm_event(al, spec, last, acct, REGION, rng) if last else None
    others = []
    for name, ns, metric, dims, stat, thr in (
        ("lms-alb-target-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum", 50.0),
        ("lms-aurora-cpu", "AWS/RDS", "CPUUtilization", {"DBClusterIdentifier": db_id}, "Average", 80.0),
        ("cis-root-account-usage", "CISBenchmark", "RootAccountUsageCount", {}, "Sum", 1.0),
        ("cis-console-signin-failures", "CISBenchmark", "ConsoleSigninFailureCount", {}, "Sum", 3.0),
    ):
        s2 = k.AlarmSpec(
            name,
            name.replace("-", " "),
            ns,
            metric,
            dims,
            stat,
            300,
            1,
            1,
            thr,
            "GreaterThanOrEqualToThreshold",
        )
        a2, h2, _ = k.evaluate_alarm(
            s2,
            m.series(ns, metric, dims),
            fine_from,
            now,
            acct,
            REGION,
            [topic],
            day - timedelta(days=200),
            rng,
        )
        others.append(a2)
        history += h2

    # --- logs: the nightly digest function, and the CloudTrail log group's denied records ------------------
    logs = k.Logs()
    g = f"/aws/lambda/{fn_digest}"
    for x in sorted(digest_min):
        if x >= now:
            continue
        req_id = k.uid(rng)
        st = k.lambda_stream(rng, x)
        logs.add(g, st, x, f"START RequestId: {req_id} Version: 57")
        logs.add(
            g,
            st,
            x + timedelta(milliseconds=300),
            f"[INFO]\t{k.iso_ms(x)}\t{req_id}\tBuilding digests for {rng.randrange(1800, 2600)} courses",
        )
        logs.add(
            g,
            st,
            x + timedelta(seconds=41),
            f"[WARNING]\t{k.iso_ms(x + timedelta(seconds=41))}\t{req_id}\tcourse 77120: no instructor email on file, skipping",
        )
        logs.add(g, st, x + timedelta(seconds=88), f"END RequestId: {req_id}")
        logs.add(g, st, x + timedelta(seconds=88), k.lambda_report(req_id, 88012.4, 1024, 402))
    web_group = "/brightmoor/lms-web/nginx"
    web_streams = [f"lms-web/nginx/{k.hexs(rng, 32)}" for _ in range(2)]
    pages = [
        "/course/view.php?id=",
        "/mod/quiz/attempt.php?attempt=",
        "/login/index.php",
        "/theme/styles.php/boost/",
        "/lib/ajax/service.php?sesskey=",
    ]
    t = fine_from
    while t < now:
        lam = traffic(t) / 60 * 0.35
        gap = max(2.0, 1.0 / max(lam, 0.01))
        t += timedelta(seconds=rng.expovariate(1.0 / gap))
        if t >= now:
            break
        path = rng.choice(pages) + str(rng.randrange(100, 99999))
        status = rng.choices([200, 200, 200, 303, 404], k=1)[0]
        ip = k.public_ip(rng)
        line = (
            f'{ip} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET {path} HTTP/1.1" {status} {rng.randrange(400, 60000)} "-" '
            f'"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15" '
            f"rt={rng.uniform(0.02, 0.3):.3f} uct=0.000 urt={rng.uniform(0.02, 0.3):.3f}"
        )
        logs.add(web_group, rng.choice(web_streams), t, line)
        if rng.random() < 0.01:
            logs.add(
                web_group,
                web_streams[0],
                t,
                f"{t:%Y/%m/%d %H:%M:%S} [warn] 31#31: *{rng.randrange(10**5, 10**6)} an upstream response is buffered to a temporary file /var/cache/nginx/fastcgi_temp/3/21/0000001213 while reading upstream",
            )
    for rec in trail.rows:
        if "errorCode" in rec:
            at = datetime.fromisoformat(rec["eventTime"].replace("Z", "+00:00"))
            logs.add(
                ct_group,
                f"{acct}_CloudTrail_{REGION}",
                at + timedelta(minutes=rng.randrange(2, 5)),
                json.dumps(rec, separators=(",", ":")),
            )

    # --- resources ------------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randrange(400, 900))
    res: list[dict[str, Any]] = []

    def r_(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    r_(
        "cloudtrail",
        "Trail",
        {
            "Name": trail_name,
            "S3BucketName": f"brightmoor-cloudtrail-{sec_acct}",
            "IncludeGlobalServiceEvents": True,
            "IsMultiRegionTrail": True,
            "HomeRegion": REGION,
            "TrailARN": f"arn:aws:cloudtrail:{REGION}:{acct}:trail/{trail_name}",
            "LogFileValidationEnabled": True,
            "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{REGION}:{acct}:log-group:{ct_group}:*",
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{acct}:role/CloudTrailRoleForCloudWatchLogs",
            "HasCustomEventSelectors": False,
            "HasInsightSelectors": False,
            "IsOrganizationTrail": False,
        },
    )
    r_(
        "logs",
        "LogGroup",
        {
            "logGroupName": ct_group,
            "creationTime": k.ms(created),
            "retentionInDays": 90,
            "metricFilterCount": 4,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{ct_group}:*",
            "storedBytes": rng.randrange(10**9, 10**10),
            "logGroupClass": "STANDARD",
        },
    )
    r_(
        "logs",
        "MetricFilter",
        {
            "filterName": "UnauthorizedAPICalls",
            "logGroupName": ct_group,
            "creationTime": k.ms(created),
            "filterPattern": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
            "metricTransformations": [
                {
                    "metricName": "UnauthorizedAttemptCount",
                    "metricNamespace": "CISBenchmark",
                    "metricValue": "1",
                }
            ],
        },
    )
    r_(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": audit_role,
            "RoleId": "AROA" + k.alnum(rng, 17),
            "Arn": f"arn:aws:iam::{acct}:role/{audit_role}",
            "CreateDate": k.iso(created),
            "MaxSessionDuration": 3600,
            "Description": "Read-only posture scanning from the security tooling account",
            "AssumeRolePolicyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{sec_acct}:role/prowler-scanner-task"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": "brightmoor-posture"}},
                        }
                    ],
                }
            ),
            "RoleLastUsed": {
                "LastUsedDate": k.iso(cur_denials[-1] if cur_denials else scan),
                "Region": REGION,
            },
            "Tags": k.tags({"owner": "security", "purpose": "weekly-posture-scan"}),
        },
    )
    for pol in ("SecurityAudit", "job-function/ViewOnlyAccess"):
        r_(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": audit_role,
                "PolicyName": pol.split("/")[-1],
                "PolicyArn": f"arn:aws:iam::aws:policy/{pol}",
            },
        )
    r_("s3", "Bucket", {"Name": bucket_exports, "CreationDate": k.iso(created), "BucketRegion": REGION})
    r_(
        "s3",
        "BucketPolicy",
        {
            "Bucket": bucket_exports,
            "Policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OnlyExportPipeline",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket_exports}", f"arn:aws:s3:::{bucket_exports}/*"],
                        "Condition": {
                            "StringNotLike": {
                                "aws:PrincipalArn": [
                                    f"arn:aws:iam::{acct}:role/gradebook-export-*",
                                    f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*",
                                ]
                            }
                        },
                    }
                ],
            },
        },
    )
    r_("s3", "Bucket", {"Name": bucket_logs, "CreationDate": k.iso(created), "BucketRegion": REGION})
    r_(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": key_backup,
            "Arn": key_backup_arn,
            "CreationDate": k.iso(created),
            "Enabled": True,
            "Description": "Backup vault key (restricted)",
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
    r_(
        "kms",
        "KeyPolicy",
        {
            "KeyId": key_backup,
            "Policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "BackupAdmins",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{acct}:role/backup-vault-admin"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "BackupService",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": f"arn:aws:iam::{acct}:role/service-role/AWSBackupDefaultServiceRole"
                        },
                        "Action": [
                            "kms:Decrypt",
                            "kms:GenerateDataKey*",
                            "kms:CreateGrant",
                            "kms:DescribeKey",
                        ],
                        "Resource": "*",
                    },
                ],
            },
        },
    )
    r_(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": key_app,
            "Arn": key_app_arn,
            "CreationDate": k.iso(created),
            "Enabled": True,
            "Description": "LMS application data",
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
    r_(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_lti,
            "Name": "prod/lti/platform-keys",
            "KmsKeyId": key_app_arn,
            "RotationEnabled": False,
            "LastChangedDate": k.iso(created + timedelta(days=90)),
            "LastAccessedDate": k.iso(day - timedelta(days=1)),
            "CreatedDate": k.iso(created),
            "Tags": k.tags({"data-class": "restricted"}),
        },
    )
    r_(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{rng.randrange(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": k.iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": "vpc-0" + k.hexs(rng, 16),
            "State": {"Code": "active"},
            "Type": "application",
            "IpAddressType": "ipv4",
            "AvailabilityZones": [
                {"ZoneName": f"{REGION}{z}", "SubnetId": "subnet-0" + k.hexs(rng, 16)} for z in "abc"
            ],
        },
    )
    r_(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "Security alerts",
                "SubscriptionsConfirmed": "3",
            },
        },
    )

    question = (
        f"Got paged for the unauthorized API calls alarm at {k.clock(last['time'] if last else scan, off)}. "
        f"Is someone poking at our account, and is anything actually broken?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trigger, "timezone": "Europe/Berlin"},
            "truth": {"no_fault": True},
        }
    )
    hist_sorted = sorted(history, key=lambda item: str(item["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": [al, *others],
            "alarm_history": hist_sorted,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": res,
        },
    )
