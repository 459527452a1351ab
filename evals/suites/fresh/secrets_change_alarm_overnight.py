"""A security alarm on Secrets Manager changes pages at night; it is the scheduled rotation (no fault)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzp import Kit, Rec, floor_min, iso, iso_ms, jitter

NAME = "secrets-change-security-alarm-overnight"
TITLE = "Secrets Manager change alarm paged overnight; is the orders DB password compromised?"
SUMMARY = (
    "A metric-filter alarm on Secrets Manager write calls pages in the night; the calls are the monthly "
    "scheduled alternating-users rotation of the orders DB secret, which succeeded. Nothing is wrong."
)

ZONE = "Australia/Sydney"


def first_sunday(year: int, month: int) -> datetime:
    d = datetime(year, month, 1, tzinfo=UTC)
    return d + timedelta(days=(6 - d.weekday()) % 7)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "ap-southeast-2")
    rng = k.rng
    acct = k.account
    month = rng.randint(2, 12)
    window = first_sunday(2026, month) + timedelta(hours=16)
    prev_window = first_sunday(2026, month - 1) + timedelta(hours=16)
    rot = window + timedelta(minutes=rng.randint(2, 40), seconds=rng.randint(0, 59))
    start = floor_min(rot - timedelta(hours=3, minutes=rng.randint(30, 55)), 5)
    now = floor_min(rot + timedelta(minutes=rng.randint(35, 50))) + timedelta(seconds=rng.randint(5, 55))

    app_secret_name = "prod/orders-db/app-user"
    master_name = "prod/orders-db/master"
    app_secret = k.arn("secretsmanager", f"secret:{app_secret_name}-{k.upper(6)}")
    master_secret = k.arn("secretsmanager", f"secret:{master_name}-{k.upper(6)}")
    key_id = k.uid()
    key_arn = k.arn("kms", f"key/{key_id}")
    rot_fn = "orders-db-secret-rotation"
    rot_role = "orders-db-secret-rotation-role"
    rot_ident = k.role_identity(rot_role, rot_fn)
    rot_via = k.role_identity(rot_role, rot_fn, invoked_by="secretsmanager.amazonaws.com")
    api_role = "orders-api-task-role"
    ecs_session = k.hex(32)
    api_ident = k.role_identity(api_role, ecs_session)
    api_via = k.role_identity(api_role, ecs_session, invoked_by="secretsmanager.amazonaws.com")
    old_v, new_v, older_v = k.uid(), k.uid(), k.uid()
    db = "orders-db"
    sm = "secretsmanager.amazonaws.com"
    boto_agent = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-235.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145"
    app_agent = "aws-sdk-java/2.25.60 Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
    kres = [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}]

    # --- the rotation: four Lambda steps, Secrets Manager and KMS calls ---------------------------------
    k.service_event(rot, sm, "RotationStarted", {"secretId": app_secret})
    group = f"/aws/lambda/{rot_fn}"
    stream = f"{rot:%Y/%m/%d}/[$LATEST]{k.hex(32)}"
    t = rot + timedelta(milliseconds=rng.randint(300, 900))
    clone = "orders_app_clone" if rng.random() < 0.5 else "orders_app"
    steps = [
        ("createSecret", f"createSecret: Successfully put secret for ARN {app_secret} and version {new_v}."),
        (
            "setSecret",
            f"setSecret: Successfully set password for {clone} in PostgreSQL DB for secret arn {app_secret}.",
        ),
        ("testSecret", f"testSecret: Successfully signed into PostgreSQL DB for secret arn {app_secret}."),
        (
            "finishSecret",
            f"finishSecret: Successfully set AWSCURRENT stage to version {new_v} for secret {app_secret}.",
        ),
    ]
    durations: list[float] = []
    for i, (step, line) in enumerate(steps):
        req = k.req_id()
        k.log(group, stream, t, f"START RequestId: {req} Version: $LATEST")
        d = rng.uniform(250, 900) if step in ("createSecret", "finishSecret") else rng.uniform(900, 2200)
        at = t + timedelta(milliseconds=40)
        k.ct(
            at,
            sm,
            "DescribeSecret",
            rot_ident,
            params={"secretId": app_secret},
            read_only=True,
            agent=boto_agent,
            ip="13.54.102.71",
        )
        if step == "createSecret":
            k.ct(
                at + timedelta(milliseconds=60),
                "kms.amazonaws.com",
                "Decrypt",
                rot_via,
                params={
                    "encryptionContext": {"SecretARN": app_secret, "SecretVersionId": old_v},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                resources=kres,
            )
            k.ct(
                at + timedelta(milliseconds=80),
                sm,
                "GetSecretValue",
                rot_ident,
                params={"secretId": app_secret, "versionStage": "AWSCURRENT"},
                read_only=True,
                agent=boto_agent,
                ip="13.54.102.71",
            )
            k.ct(
                at + timedelta(milliseconds=120),
                sm,
                "GetSecretValue",
                rot_ident,
                params={"secretId": app_secret, "versionId": new_v, "versionStage": "AWSPENDING"},
                read_only=True,
                agent=boto_agent,
                ip="13.54.102.71",
                error=(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for VersionId: " + new_v,
                ),
            )
            k.ct(
                at + timedelta(milliseconds=160),
                sm,
                "GetRandomPassword",
                rot_ident,
                params={"excludeCharacters": "/@\"'\\"},
                read_only=True,
                agent=boto_agent,
                ip="13.54.102.71",
            )
            k.ct(
                at + timedelta(milliseconds=210),
                "kms.amazonaws.com",
                "GenerateDataKey",
                rot_via,
                params={
                    "keyId": key_arn,
                    "keySpec": "AES_256",
                    "encryptionContext": {"SecretARN": app_secret, "SecretVersionId": new_v},
                },
                resources=kres,
                read_only=True,
            )
            k.ct(
                at + timedelta(milliseconds=230),
                sm,
                "PutSecretValue",
                rot_ident,
                params={"secretId": app_secret, "clientRequestToken": new_v, "versionStages": ["AWSPENDING"]},
                response={
                    "arn": app_secret,
                    "name": app_secret_name,
                    "versionId": new_v,
                    "versionStages": ["AWSPENDING"],
                },
                read_only=False,
                agent=boto_agent,
                ip="13.54.102.71",
            )
        elif step == "setSecret":
            for j, (sid, stage, ver) in enumerate(
                (
                    (app_secret, "AWSPENDING", new_v),
                    (app_secret, "AWSCURRENT", old_v),
                    (master_secret, "AWSCURRENT", older_v),
                )
            ):
                k.ct(
                    at + timedelta(milliseconds=60 + j * 50),
                    "kms.amazonaws.com",
                    "Decrypt",
                    rot_via,
                    params={
                        "encryptionContext": {"SecretARN": sid, "SecretVersionId": ver},
                        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    },
                    resources=kres,
                )
                params: Rec = {"secretId": sid, "versionStage": stage}
                if stage == "AWSPENDING":
                    params["versionId"] = new_v
                k.ct(
                    at + timedelta(milliseconds=80 + j * 50),
                    sm,
                    "GetSecretValue",
                    rot_ident,
                    params=params,
                    read_only=True,
                    agent=boto_agent,
                    ip="13.54.102.71",
                )
        elif step == "testSecret":
            k.ct(
                at + timedelta(milliseconds=60),
                "kms.amazonaws.com",
                "Decrypt",
                rot_via,
                params={
                    "encryptionContext": {"SecretARN": app_secret, "SecretVersionId": new_v},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                resources=kres,
            )
            k.ct(
                at + timedelta(milliseconds=80),
                sm,
                "GetSecretValue",
                rot_ident,
                params={"secretId": app_secret, "versionId": new_v, "versionStage": "AWSPENDING"},
                read_only=True,
                agent=boto_agent,
                ip="13.54.102.71",
            )
        else:
            k.ct(
                at + timedelta(milliseconds=90),
                sm,
                "UpdateSecretVersionStage",
                rot_ident,
                params={
                    "secretId": app_secret,
                    "versionStage": "AWSCURRENT",
                    "removeFromVersionId": old_v,
                    "moveToVersionId": new_v,
                },
                response={"arn": app_secret, "name": app_secret_name},
                read_only=False,
                agent=boto_agent,
                ip="13.54.102.71",
            )
        k.log(
            group,
            stream,
            t + timedelta(milliseconds=d - 10),
            f"[INFO]\t{iso_ms(t + timedelta(milliseconds=d - 10))}\t{req}\t{line}",
        )
        k.log(group, stream, t + timedelta(milliseconds=d), f"END RequestId: {req}")
        init = f"\tInit Duration: {rng.uniform(420, 700):.2f} ms" if i == 0 else ""
        k.log(
            group,
            stream,
            t + timedelta(milliseconds=d + 1),
            f"REPORT RequestId: {req}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: 128 MB\tMax Memory Used: {rng.randint(74, 88)} MB{init}\t",
        )
        durations.append(d)
        t += timedelta(milliseconds=d + rng.randint(150, 600))
    done = t
    k.service_event(done + timedelta(milliseconds=200), sm, "RotationSucceeded", {"secretId": app_secret})
    m0 = floor_min(rot)
    for metric, val, unit in (("Invocations", 4.0, "Count"), ("Errors", 0.0, "Count")):
        k.metrics.append(
            {
                "namespace": "AWS/Lambda",
                "metric": metric,
                "dimensions": {"FunctionName": rot_fn},
                "timestamp": iso(m0),
                "unit": unit,
                "value": val,
            }
        )
    k.dist("AWS/Lambda", "Duration", {"FunctionName": rot_fn}, m0, durations, "Milliseconds")

    # the metric filter on the trail's log group: one count per matching write call
    k.metrics.append(
        {
            "namespace": "CISBenchmark",
            "metric": "SecretsManagerChangeCount",
            "dimensions": {},
            "timestamp": iso(floor_min(rot)),
            "unit": "None",
            "value": 1.0,
        }
    )
    k.metrics.append(
        {
            "namespace": "CISBenchmark",
            "metric": "SecretsManagerChangeCount",
            "dimensions": {},
            "timestamp": iso(floor_min(done)),
            "unit": "None",
            "value": 1.0,
        }
    )

    # --- orders API: healthy all night; it re-reads the secret when its cached copy expires -------------
    lb = f"app/orders-api-prod/{k.hex(16)}"
    tg = f"targetgroup/orders-api-tg/{k.hex(16)}"
    api_group = "/ecs/orders-api"
    tasks = [k.hex(32) for _ in range(3)]
    t = start
    while t < now:
        local_h = t.astimezone(ZoneInfo(ZONE)).hour
        load = 1800 if local_h >= 6 or local_h < 1 else rng.uniform(260, 420)
        rq = jitter(rng, load, 0.12)
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": {"LoadBalancer": lb, "TargetGroup": tg},
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(int(rq)),
            }
        )
        k.dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb},
            t,
            [rng.lognormvariate(-3.0, 0.5) for _ in range(30)],
            "Seconds",
        )
        if rng.random() < 0.08:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": {"LoadBalancer": lb, "TargetGroup": tg},
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": 1.0,
                }
            )
        k.metrics.append(
            {
                "namespace": "AWS/RDS",
                "metric": "DatabaseConnections",
                "dimensions": {"DBInstanceIdentifier": db},
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(30 + rng.randint(-2, 2) + (2 if m0 <= t < m0 + timedelta(minutes=1) else 0)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/RDS",
                "metric": "CPUUtilization",
                "dimensions": {"DBInstanceIdentifier": db},
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(jitter(rng, 9 + rq / 250, 0.15), 2),
            }
        )
        t += timedelta(minutes=1)
    # credential cache refresh every 30 minutes per task
    for n, task in enumerate(tasks):
        t = start + timedelta(minutes=rng.randint(0, 29), seconds=rng.randint(0, 59))
        while t < now:
            ver = new_v if t > done else old_v
            k.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                api_via,
                params={
                    "encryptionContext": {"SecretARN": app_secret, "SecretVersionId": ver},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                resources=kres,
            )
            k.ct(
                t + timedelta(milliseconds=30),
                sm,
                "GetSecretValue",
                api_ident,
                params={"secretId": app_secret_name},
                read_only=True,
                agent=app_agent,
                ip=f"10.20.{n * 16 + 3}.{rng.randint(10, 250)}",
            )
            k.log(
                api_group,
                f"orders-api/orders-api/{task}",
                t + timedelta(milliseconds=60),
                f"{t.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
                + f"  INFO 1 --- [orders-api] [   scheduling-1] c.o.orders.db.DbCredentialsProvider      : refreshed database credentials from Secrets Manager (secret={app_secret_name}, version={ver[:8]})",
            )
            if t > done:
                k.log(
                    api_group,
                    f"orders-api/orders-api/{task}",
                    t + timedelta(milliseconds=90),
                    f"{(t + timedelta(milliseconds=90)).astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
                    + "  INFO 1 --- [orders-api] [   scheduling-1] c.o.orders.db.DbCredentialsProvider      : credentials version changed, soft-evicting idle pool connections",
                )
            t += timedelta(minutes=30)

    # --- other overnight activity -------------------------------------------------------------------
    backup_t = start + timedelta(minutes=rng.randint(40, 90))
    backup_ident = k.role_identity(
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        path="/service-role/",
        invoked_by="backup.amazonaws.com",
    )
    snap = f"awsbackup:job-{k.uid()}"
    k.ct(
        backup_t,
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        backup_ident,
        params={
            "dBSnapshotIdentifier": snap,
            "dBInstanceIdentifier": db,
            "tags": [{"key": "aws:backup:source-resource", "value": f"{db}"}],
        },
        response={
            "dBSnapshotIdentifier": snap,
            "dBInstanceIdentifier": db,
            "engine": "postgres",
            "status": "creating",
            "snapshotType": "awsbackup",
        },
        read_only=False,
    )
    scanner = k.role_identity("security-scanner", "prowler-nightly")
    scan_t = start + timedelta(minutes=rng.randint(100, 150))
    scan_agent = "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.34.144 prowler/4.3.1"
    for i in range(30):
        src, name, sparams = rng.choice(
            [
                (sm, "ListSecrets", {"maxResults": 100}),
                (sm, "DescribeSecret", {"secretId": app_secret}),
                (sm, "GetResourcePolicy", {"secretId": master_secret}),
                ("kms.amazonaws.com", "GetKeyRotationStatus", {"keyId": key_id}),
                ("kms.amazonaws.com", "ListKeys", None),
                ("rds.amazonaws.com", "DescribeDBInstances", None),
                ("iam.amazonaws.com", "GetAccountPasswordPolicy", None),
                ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
            ]
        )
        k.ct(
            scan_t + timedelta(seconds=i * rng.uniform(3, 9)),
            src,
            name,
            scanner,
            params=sparams,
            read_only=True,
            agent=scan_agent,
        )
    denied = [
        ("guardduty.amazonaws.com", "ListDetectors"),
        ("macie2.amazonaws.com", "GetMacieSession"),
        ("inspector2.amazonaws.com", "BatchGetAccountStatus"),
    ]
    for i, (src, name) in enumerate(denied):
        k.ct(
            scan_t + timedelta(minutes=4, seconds=i * 7),
            src,
            name,
            scanner,
            read_only=True,
            agent=scan_agent,
            error=(
                "AccessDenied" if "macie" not in src else "AccessDeniedException",
                f"User: {scanner['arn']} is not authorized to perform: {src.split('.')[0]}:{name}",
            ),
        )
    k.assume_role_noise(start, now, 10, [api_role, "orders-api-execution-role"], "ecs-tasks.amazonaws.com")

    # --- alarms ------------------------------------------------------------------------------------------
    topic = "security-alerts"
    created = start - timedelta(days=rng.randint(200, 700))
    fire = floor_min(done) + timedelta(minutes=5, seconds=rng.randint(5, 40))
    clear = fire + timedelta(minutes=5, seconds=rng.randint(0, 20))
    pts = [(floor_min(rot, 5), 2.0)]
    reason = f"Threshold Crossed: 1 datapoint [2.0 ({pts[0][0]:%d/%m/%y %H:%M:%S})] was greater than or equal to the threshold (1.0)."
    rdata = k.reason_data("Sum", 300, 1.0, pts, fire)
    sec = k.alarm(
        "secretsmanager-changes",
        "CIS 4.x-style control: Secrets Manager secret modified (PutSecretValue, UpdateSecret, UpdateSecretVersionStage, DeleteSecret, RestoreSecret). Security on-call to confirm the change was expected.",
        "CISBenchmark",
        "SecretsManagerChangeCount",
        {},
        stat="Sum",
        period=300,
        evals=1,
        threshold=1.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK" if clear < now else "ALARM",
        state_reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        if clear < now
        else reason,
        state_time=clear if clear < now else fire,
        created=created,
        topic=topic,
        missing="notBreaching",
    )
    # last month's rotation fired it too
    prev_fire = prev_window + timedelta(minutes=rng.randint(4, 45), seconds=rng.randint(0, 59))
    k.transition(
        sec,
        prev_fire,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).",
    )
    k.action(sec, prev_fire)
    k.transition(
        sec,
        prev_fire + timedelta(minutes=5),
        "ALARM",
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    )
    k.transition(sec, fire, "OK", "ALARM", reason, rdata)
    k.action(sec, fire)
    if clear < now:
        k.transition(sec, clear, "ALARM", "OK", sec["StateReason"])
    event = k.alarm_event(
        sec,
        fire,
        reason,
        rdata,
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        prev_fire + timedelta(minutes=5),
        "Sum",
    )
    unauth_t = scan_t + timedelta(minutes=9, seconds=rng.randint(0, 50))
    unauth = k.alarm(
        "unauthorized-api-calls",
        "CIS: AccessDenied / UnauthorizedOperation calls",
        "CISBenchmark",
        "UnauthorizedAPICallCount",
        {},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        state_time=start - timedelta(days=rng.randint(1, 6)),
        created=created,
        topic=topic,
        missing="notBreaching",
    )
    assert unauth
    k.metrics.append(
        {
            "namespace": "CISBenchmark",
            "metric": "UnauthorizedAPICallCount",
            "dimensions": {},
            "timestamp": iso(floor_min(unauth_t - timedelta(minutes=5))),
            "unit": "None",
            "value": 3.0,
        }
    )
    for name, ns, metric, dims, thr in (
        (
            "orders-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb, "TargetGroup": tg},
            25.0,
        ),
        ("orders-db-cpu-high", "AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": db}, 80.0),
        ("root-account-usage", "CISBenchmark", "RootAccountUsageCount", {}, 1.0),
    ):
        k.alarm(
            name,
            f"{name} threshold",
            ns,
            metric,
            dims,
            stat="Sum" if "Count" in metric else "Average",
            period=300,
            evals=2 if ns == "AWS/RDS" else 1,
            threshold=thr,
            op="GreaterThanOrEqualToThreshold",
            state="OK",
            state_reason=f"Threshold Crossed: 1 datapoint was not greater than or equal to the threshold ({thr}).",
            state_time=start - timedelta(days=rng.randint(3, 30)),
            created=created,
            topic=topic if ns == "CISBenchmark" else "orders-oncall",
            missing="notBreaching",
        )

    # --- resources ---------------------------------------------------------------------------------------
    made = start - timedelta(days=rng.randint(300, 800))
    next_rot = first_sunday(2026 + (1 if month == 12 else 0), 1 if month == 12 else month + 1) + timedelta(
        hours=17
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": app_secret,
            "Name": app_secret_name,
            "Description": "orders-api database login (alternating users)",
            "KmsKeyId": key_arn,
            "RotationEnabled": True,
            "RotationLambdaARN": k.arn("lambda", f"function:{rot_fn}"),
            "RotationRules": {"ScheduleExpression": "cron(0 16 ? * 1#1 *)", "Duration": "1h"},
            "LastRotatedDate": iso(done),
            "LastChangedDate": iso(done),
            "LastAccessedDate": iso(window.replace(hour=0)),
            "NextRotationDate": iso(next_rot),
            "Tags": [{"Key": "service", "Value": "orders-api"}],
            "SecretVersionsToStages": {new_v: ["AWSCURRENT"], old_v: ["AWSPREVIOUS"]},
            "CreatedDate": iso(made),
        },
    )
    k.res(
        "secretsmanager",
        "SecretVersion",
        {
            "SecretId": app_secret,
            "VersionId": new_v,
            "VersionStages": ["AWSCURRENT"],
            "LastAccessedDate": iso(window.replace(hour=0)),
            "CreatedDate": iso(rot),
            "KmsKeyIds": [key_arn],
        },
    )
    k.res(
        "secretsmanager",
        "SecretVersion",
        {
            "SecretId": app_secret,
            "VersionId": old_v,
            "VersionStages": ["AWSPREVIOUS"],
            "LastAccessedDate": iso(window.replace(hour=0)),
            "CreatedDate": iso(prev_fire - timedelta(minutes=5)),
            "KmsKeyIds": [key_arn],
        },
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": master_secret,
            "Name": master_name,
            "Description": "orders-db master user (used by rotation only)",
            "KmsKeyId": key_arn,
            "RotationEnabled": False,
            "LastChangedDate": iso(made),
            "LastAccessedDate": iso(window.replace(hour=0)),
            "SecretVersionsToStages": {older_v: ["AWSCURRENT"]},
            "CreatedDate": iso(made),
            "Tags": [{"Key": "service", "Value": "orders-api"}],
        },
    )
    k.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": iso(made),
            "Enabled": True,
            "Description": "orders secrets",
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
    k.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": rot_fn,
            "FunctionArn": k.arn("lambda", f"function:{rot_fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{rot_role}",
            "Handler": "lambda_function.lambda_handler",
            "CodeSize": 1718293,
            "Description": "Rotates a Secrets Manager secret for Amazon RDS PostgreSQL credentials using the alternating users rotation strategy.",
            "Timeout": 30,
            "MemorySize": 128,
            "LastModified": made.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": k.hex(43) + "=",
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": [f"subnet-{k.hex(17)}", f"subnet-{k.hex(17)}"],
                "SecurityGroupIds": [f"sg-{k.hex(17)}"],
                "VpcId": f"vpc-{k.hex(17)}",
            },
            "Environment": {
                "Variables": {
                    "SECRETS_MANAGER_ENDPOINT": "https://secretsmanager.ap-southeast-2.amazonaws.com",
                    "EXCLUDE_CHARACTERS": "/@\"'\\",
                }
            },
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
        },
    )
    k.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": rot_role,
            "RoleId": f"AROA{k.upper(17)}",
            "Arn": f"arn:aws:iam::{acct}:role/{rot_role}",
            "CreateDate": iso(made),
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
            "MaxSessionDuration": 3600,
        },
    )
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "EngineVersion": "16.4",
            "DBInstanceStatus": "available",
            "MasterUsername": "orders_admin",
            "Endpoint": {"Address": f"{db}.c{k.hex(11)}.ap-southeast-2.rds.amazonaws.com", "Port": 5432},
            "AllocatedStorage": 200,
            "InstanceCreateTime": iso(made),
            "MultiAZ": True,
            "AvailabilityZone": "ap-southeast-2a",
            "SecondaryAvailabilityZone": "ap-southeast-2b",
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DBInstanceArn": k.arn("rds", f"db:{db}"),
            "PubliclyAccessible": False,
            "BackupRetentionPeriod": 7,
        },
    )
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": k.arn("elasticloadbalancing", f"loadbalancer/{lb}"),
            "DNSName": f"internal-orders-api-prod-{rng.randint(10**8, 10**9)}.ap-southeast-2.elb.amazonaws.com",
            "CreatedTime": iso(made),
            "LoadBalancerName": "orders-api-prod",
            "Scheme": "internal",
            "VpcId": f"vpc-{k.hex(17)}",
            "State": {"Code": "active"},
            "Type": "application",
            "IpAddressType": "ipv4",
        },
    )
    trail_group = f"aws-cloudtrail-logs-{acct}-{k.hex(8)}"
    k.log_group(trail_group, made, 365)
    k.res(
        "logs",
        "MetricFilter",
        {
            "filterName": "secretsmanager-changes",
            "filterPattern": "{ ($.eventSource = secretsmanager.amazonaws.com) && (($.eventName = PutSecretValue) || ($.eventName = UpdateSecret) || ($.eventName = UpdateSecretVersionStage) || ($.eventName = DeleteSecret) || ($.eventName = RestoreSecret)) }",
            "metricTransformations": [
                {
                    "metricName": "SecretsManagerChangeCount",
                    "metricNamespace": "CISBenchmark",
                    "metricValue": "1",
                }
            ],
            "creationTime": int(made.timestamp() * 1000),
            "logGroupName": trail_group,
        },
    )
    k.log_group(group, made)
    k.log_group(api_group, made)

    paged = fire.astimezone(ZoneInfo(ZONE))
    question = rng.choice(
        [
            f"Got paged at {paged:%-I:%M}am by the secretsmanager-changes security alarm. Did someone change the orders DB password?? orders API looks OK from what I can see but I need to know if we're compromised before I go back to sleep.",
            f"Security alarm 'secretsmanager-changes' woke me at {paged:%-I:%M}. Is somebody messing with prod secrets? Please check what happened.",
        ]
    )
    truth: Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return k.bundle(TITLE, start, now, {"question": question, "alarm_event": event, "timezone": ZONE}, truth)
