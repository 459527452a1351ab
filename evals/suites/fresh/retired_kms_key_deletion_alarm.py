"""Security alarm for a KMS key scheduled for deletion: a planned retirement of a key nothing uses any more."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzf import Kit, diurnal, iso, iso_ms, minute

NAME = "kms-disable-or-delete-cmk-alarm"
TITLE = "Security 'disable or delete CMK' alarm paged late morning; is the orders data at risk?"
SUMMARY = (
    "A platform engineer scheduled deletion of the superseded orders-data KMS key (disabled weeks ago, "
    "every consumer already on the replacement key); the CIS metric-filter alarm fired as designed and nothing is affected."
)

TZ = ZoneInfo("Europe/Berlin")
REGION = "eu-central-1"
JAVA_UA = (
    "aws-sdk-java/2.25.31 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 "
    "vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard"
)


def build(seed: int) -> Bundle:
    k = Kit(seed, REGION)
    r = k.r
    acct = k.account
    day = k.onset_day(months=(1, 2, 3, 5, 6, 9, 10, 11))
    local = day.replace(tzinfo=TZ).replace(hour=r.choice([10, 11]), minute=r.randint(5, 50))
    event_t = local.astimezone(UTC) + timedelta(seconds=r.randint(3, 55))
    start = minute(event_t) - timedelta(hours=4, minutes=r.randint(0, 30))
    now = minute(event_t) + timedelta(minutes=r.randint(32, 48))
    old_key, new_key = k.uuid(), k.uuid()
    okarn = f"arn:aws:kms:{REGION}:{acct}:key/{old_key}"
    nkarn = f"arn:aws:kms:{REGION}:{acct}:key/{new_key}"
    disabled_on = (event_t - timedelta(days=r.randint(15, 30))).date()
    chg = f"CHG-{r.randint(4000, 6999)}"
    deletion = (event_t + timedelta(days=30)).replace(microsecond=0)
    trail_group = f"aws-cloudtrail-logs-{acct}-{k.hexid(8)}"
    sec_topic = f"arn:aws:sns:{REGION}:{acct}:security-alerts"
    app_topic = f"arn:aws:sns:{REGION}:{acct}:orders-oncall"

    # --- resources -----------------------------------------------------------------------------
    k.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": old_key,
            "Arn": okarn,
            "CreationDate": "2022-04-04T09:13:52Z",
            "Enabled": False,
            "Description": f"orders-data (2022) - superseded by alias/orders-data; disabled {disabled_on} ({chg})",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "PendingDeletion",
            "DeletionDate": iso(deletion),
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
            "PendingDeletionWindowInDays": 30,
        },
    )
    new_created = event_t - timedelta(days=r.randint(95, 160))
    k.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": acct,
            "KeyId": new_key,
            "Arn": nkarn,
            "CreationDate": iso(new_created),
            "Enabled": True,
            "Description": "orders-data: orders database, order documents bucket, orders-db secret",
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
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/orders-data",
            "AliasArn": f"arn:aws:kms:{REGION}:{acct}:alias/orders-data",
            "TargetKeyId": new_key,
            "CreationDate": "2022-04-04T09:13:55Z",
            "LastUpdatedDate": iso(new_created + timedelta(days=2)),
        },
    )
    k.res(
        "kms",
        "AliasListEntry",
        {
            "AliasName": "alias/orders-data-2022",
            "AliasArn": f"arn:aws:kms:{REGION}:{acct}:alias/orders-data-2022",
            "TargetKeyId": old_key,
            "CreationDate": iso(new_created + timedelta(days=2)),
            "LastUpdatedDate": iso(new_created + timedelta(days=2)),
        },
    )
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": "orders-pg-prod",
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "EngineVersion": "16.3",
            "DBInstanceStatus": "available",
            "MasterUsername": "orders_admin",
            "Endpoint": {
                "Address": f"orders-pg-prod.c{k.hexid(11)}.{REGION}.rds.amazonaws.com",
                "Port": 5432,
                "HostedZoneId": "Z1RLNUO7B9Q6NB",
            },
            "AllocatedStorage": 500,
            "InstanceCreateTime": iso(new_created + timedelta(days=20)),
            "MultiAZ": True,
            "AvailabilityZone": f"{REGION}a",
            "SecondaryAvailabilityZone": f"{REGION}b",
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "KmsKeyId": nkarn,
            "DbiResourceId": "db-" + k.upper(26),
            "DBInstanceArn": f"arn:aws:rds:{REGION}:{acct}:db:orders-pg-prod",
            "BackupRetentionPeriod": 14,
            "PreferredBackupWindow": "01:30-02:00",
            "DeletionProtection": True,
        },
    )
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:orders/pg-app-{k.upper(6)}"
    rot_fn = f"arn:aws:lambda:{REGION}:{acct}:function:orders-pg-rotation"
    rot_t = minute(event_t) - timedelta(minutes=r.randint(70, 130))
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "orders/pg-app",
            "Description": "orders-api database user",
            "KmsKeyId": nkarn,
            "RotationEnabled": True,
            "RotationLambdaARN": rot_fn,
            "RotationRules": {
                "ScheduleExpression": "cron(0 "
                + str(rot_t.hour)
                + " ? * "
                + rot_t.strftime("%a").upper()
                + " *)",
                "Duration": "2h",
            },
            "LastRotatedDate": iso(rot_t + timedelta(seconds=40)),
            "LastChangedDate": iso(rot_t + timedelta(seconds=40)),
            "LastAccessedDate": iso(day),
            "NextRotationDate": iso(rot_t + timedelta(days=7)),
            "CreatedDate": iso(new_created + timedelta(days=21)),
            "SecretVersionsToStages": {k.uuid(): ["AWSCURRENT"], k.uuid(): ["AWSPREVIOUS"]},
        },
    )
    lb = f"app/orders-api/{k.hexid(16)}"
    tg = f"targetgroup/orders-api/{k.hexid(16)}"
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{lb}",
            "DNSName": f"orders-api-{r.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": "2022-04-04T10:00:00Z",
            "LoadBalancerName": "orders-api",
            "Scheme": "internet-facing",
            "VpcId": "vpc-0" + k.hexid(16),
            "State": {"Code": "active"},
            "Type": "application",
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": f"arn:aws:ecs:{REGION}:{acct}:service/orders-prod/orders-api",
            "serviceName": "orders-api",
            "clusterArn": f"arn:aws:ecs:{REGION}:{acct}:cluster/orders-prod",
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/orders-api:{r.randint(90, 140)}",
            "loadBalancers": [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tg}",
                    "containerName": "orders-api",
                    "containerPort": 8080,
                }
            ],
            "createdAt": "2022-04-04T10:10:00Z",
            "schedulingStrategy": "REPLICA",
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": trail_group,
            "creationTime": 1648800000000,
            "retentionInDays": 365,
            "metricFilterCount": 2,
            "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{trail_group}:*",
            "storedBytes": r.randint(10**10, 10**11),
        },
    )
    k.res(
        "logs",
        "MetricFilter",
        {
            "filterName": "cis-disable-or-delete-cmk",
            "logGroupName": trail_group,
            "creationTime": 1648800600000,
            "filterPattern": "{($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))}",
            "metricTransformations": [
                {"metricName": "DisableOrDeleteCMK", "metricNamespace": "CISLogMetrics", "metricValue": "1"}
            ],
        },
    )
    k.res(
        "logs",
        "MetricFilter",
        {
            "filterName": "kms-pending-deletion-key-used",
            "logGroupName": trail_group,
            "creationTime": 1648800700000,
            "filterPattern": '{($.eventSource = kms.amazonaws.com) && ($.errorCode = "KMSInvalidStateException") && ($.errorMessage = "*is pending deletion*")}',
            "metricTransformations": [
                {
                    "metricName": "PendingDeletionKeyUsage",
                    "metricNamespace": "CISLogMetrics",
                    "metricValue": "1",
                }
            ],
        },
    )

    # --- cloudtrail ----------------------------------------------------------------------------
    eng = k.role_identity(
        f"AWSReservedSSO_PlatformAdmin_{k.hexid(16)}",
        "lena.vogt@kornblume-health.de",
        path="/aws-reserved/sso.amazonaws.com/eu-central-1/",
    )
    browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    office = f"193.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    sess = event_t - timedelta(minutes=r.randint(12, 20))

    def kres(arn: str) -> list[dict[str, str]]:
        return [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": arn}]

    steps = [
        ("ListAliases", {"limit": 100}, None),
        ("DescribeKey", {"keyId": "alias/orders-data-2022"}, okarn),
        ("ListGrants", {"keyId": old_key, "limit": 50}, okarn),
        ("GetKeyPolicy", {"keyId": old_key, "policyName": "default"}, okarn),
        ("ListResourceTags", {"keyId": old_key}, okarn),
        ("DescribeKey", {"keyId": "alias/orders-data"}, nkarn),
        ("ListGrants", {"keyId": new_key, "limit": 50}, nkarn),
    ]
    t = sess + timedelta(minutes=1)
    for name, params, arn in steps:
        k.ct(
            t,
            "kms.amazonaws.com",
            name,
            eng,
            params=params,
            resources=kres(arn) if arn else None,
            ip=office,
            agent=browser,
            session_time=sess,
        )
        t += timedelta(seconds=r.randint(15, 70))
    # she checks CloudTrail for recent use of the old key before deleting it
    k.ct(
        t,
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        eng,
        params={
            "lookupAttributes": [{"attributeKey": "ResourceName", "attributeValue": okarn}],
            "startTime": iso(event_t - timedelta(days=90)),
            "endTime": iso(t),
        },
        ip=office,
        agent=browser,
        session_time=sess,
    )
    sched = k.ct(
        event_t,
        "kms.amazonaws.com",
        "ScheduleKeyDeletion",
        eng,
        params={"keyId": old_key, "pendingWindowInDays": 30},
        response={
            "keyId": okarn,
            "deletionDate": deletion.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            "keyState": "PendingDeletion",
            "pendingWindowInDays": 30,
        },
        read_only=False,
        resources=kres(okarn),
        ip=office,
        agent=browser,
        session_time=sess,
    )
    k.ct(
        event_t + timedelta(seconds=r.randint(20, 60)),
        "kms.amazonaws.com",
        "DescribeKey",
        eng,
        params={"keyId": old_key},
        resources=kres(okarn),
        ip=office,
        agent=browser,
        session_time=sess,
    )
    # the trail's copy in CloudWatch Logs (what the metric filter matched)
    k.log(trail_group, f"{acct}_CloudTrail_{REGION}", event_t, json.dumps(sched, separators=(",", ":")))
    # orders-api uses the new key through the RDS/S3 integrations and its own envelope encryption
    api_role = k.role_identity("orders-api-task", k.hexid(32))
    t = start + timedelta(seconds=r.randint(10, 300))
    while t < now:
        if r.random() < 0.5:
            ident = dict(api_role)
            ident["invokedBy"] = "s3.amazonaws.com"
            k.ct(
                t,
                "kms.amazonaws.com",
                "GenerateDataKey",
                ident,
                params={
                    "keyId": nkarn,
                    "keySpec": "AES_256",
                    "encryptionContext": {
                        "aws:s3:arn": f"arn:aws:s3:::kornblume-order-documents-{acct}/invoices/{t:%Y/%m/%d}/{k.hexid(12)}.pdf"
                    },
                },
                resources=kres(nkarn),
                ip="s3.amazonaws.com",
                agent="s3.amazonaws.com",
            )
        else:
            k.ct(
                t,
                "kms.amazonaws.com",
                "Decrypt",
                api_role,
                params={
                    "encryptionContext": {
                        "aws:s3:arn": f"arn:aws:s3:::kornblume-order-documents-{acct}/invoices/{t:%Y/%m/%d}/{k.hexid(12)}.pdf"
                    },
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                resources=kres(nkarn),
                ip="s3.amazonaws.com",
                agent="s3.amazonaws.com",
            )
            k.trail[-1]["userIdentity"]["invokedBy"] = "s3.amazonaws.com"
        t += timedelta(seconds=r.randint(300, 700))
    # weekly rotation of the orders DB secret earlier this morning
    rot_role = k.role_identity("orders-pg-rotation-lambda", "orders-pg-rotation")
    svc_ident = {"accountId": acct, "invokedBy": "secretsmanager.amazonaws.com"}
    k.ct(
        rot_t,
        "secretsmanager.amazonaws.com",
        "RotationStarted",
        svc_ident,
        read_only=False,
        event_type="AwsServiceEvent",
        ip="secretsmanager.amazonaws.com",
        agent="secretsmanager.amazonaws.com",
        extra={"additionalEventData": {"SecretId": secret_arn}},
    )
    lam_ip = f"3.{r.randint(64, 127)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    pyua = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219 lang/python#3.12.3 exec-env/AWS_Lambda_python3.12"
    for i, (name, params, ro) in enumerate(
        (
            ("DescribeSecret", {"secretId": secret_arn}, True),
            ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSCURRENT"}, True),
            ("GetRandomPassword", {"excludeCharacters": "/@\"'\\", "passwordLength": 32}, True),
            (
                "PutSecretValue",
                {"secretId": secret_arn, "clientRequestToken": k.uuid(), "versionStages": ["AWSPENDING"]},
                False,
            ),
            ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSPENDING"}, True),
            ("GetSecretValue", {"secretId": secret_arn, "versionStage": "AWSPENDING"}, True),
            ("DescribeSecret", {"secretId": secret_arn}, True),
            (
                "UpdateSecretVersionStage",
                {
                    "secretId": secret_arn,
                    "versionStage": "AWSCURRENT",
                    "moveToVersionId": k.uuid(),
                    "removeFromVersionId": k.uuid(),
                },
                False,
            ),
        )
    ):
        k.ct(
            rot_t + timedelta(seconds=2 + i * 4),
            "secretsmanager.amazonaws.com",
            name,
            rot_role,
            params=params,
            read_only=ro,
            ip=lam_ip,
            agent=pyua,
        )
    k.ct(
        rot_t + timedelta(seconds=40),
        "secretsmanager.amazonaws.com",
        "RotationSucceeded",
        svc_ident,
        read_only=False,
        event_type="AwsServiceEvent",
        ip="secretsmanager.amazonaws.com",
        agent="secretsmanager.amazonaws.com",
        extra={"additionalEventData": {"SecretId": secret_arn}},
    )
    # orders-api tasks fetch the rotated secret a few minutes later
    for _i in range(4):
        k.ct(
            rot_t + timedelta(minutes=5, seconds=r.randint(0, 240)),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            api_role,
            params={"secretId": "orders/pg-app"},
            ip=f"10.12.{r.randint(10, 13)}.{r.randint(2, 250)}",
            agent=JAVA_UA,
        )
    # a deploy of orders-api an hour or so before
    ci = k.role_identity("orders-deploy", f"GitLab-{r.randint(10**7, 10**8)}")
    dep = event_t - timedelta(minutes=r.randint(35, 80))
    k.ct(
        dep,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        params={
            "cluster": "orders-prod",
            "service": "orders-api",
            "taskDefinition": f"orders-api:{r.randint(141, 150)}",
            "forceNewDeployment": False,
        },
        response={"service": {"serviceName": "orders-api", "status": "ACTIVE", "desiredCount": 4}},
        read_only=False,
        ip=f"35.{r.randint(180, 240)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
    )
    # Security Hub / Config read noise and dashboards
    cfg = k.role_identity(
        "AWSServiceRoleForConfig", "AWSConfig-Describe", path="/aws-service-role/config.amazonaws.com/"
    )
    graf = k.role_identity("grafana-cloudwatch-read", "grafana")
    calls = [
        ("kms.amazonaws.com", "DescribeKey", cfg, {"keyId": new_key}),
        ("kms.amazonaws.com", "GetKeyRotationStatus", cfg, {"keyId": new_key}),
        ("kms.amazonaws.com", "ListKeys", cfg, None),
        ("secretsmanager.amazonaws.com", "ListSecrets", cfg, None),
        ("monitoring.amazonaws.com", "DescribeAlarms", graf, {"maxRecords": 100}),
        ("rds.amazonaws.com", "DescribeDBInstances", graf, {"dBInstanceIdentifier": "orders-pg-prod"}),
    ]
    k.readonly_noise(start, now, calls, r.randint(35, 50), ip="10.12.3.21")
    for rec in k.trail:
        if (
            rec["userIdentity"].get("sessionContext", {}).get("sessionIssuer", {}).get("userName")
            == "AWSServiceRoleForConfig"
        ):
            rec["sourceIPAddress"] = rec["userAgent"] = "config.amazonaws.com"
            rec["userIdentity"]["invokedBy"] = "config.amazonaws.com"
            rec.pop("tlsDetails", None)
        if rec["sourceIPAddress"].endswith("amazonaws.com"):
            rec.pop("tlsDetails", None)
    # ScheduleKeyDeletion on a disabled key also triggers the config-rule evaluation record
    # --- metrics -------------------------------------------------------------------------------
    em = minute(event_t)
    k.series("CISLogMetrics", "DisableOrDeleteCMK", {}, "None", start, now, lambda t: 1 if t == em else None)
    ad = {"LoadBalancer": lb}
    tgd = {"TargetGroup": tg, "LoadBalancer": lb}
    req = {}
    t = start
    while t <= now:
        req[t] = r.uniform(2400, 3000) * diurnal(t, 11.0, 0.3)
        t += timedelta(minutes=1)
    k.series("AWS/ApplicationELB", "RequestCount", ad, "Count", start, now, lambda t: round(req[t]))
    k.series("AWS/ApplicationELB", "RequestCount", tgd, "Count", start, now, lambda t: round(req[t]))
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        start,
        now,
        lambda t: r.choice([0, 0, 0, 1, 2]),
        skip_zero=True,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        start,
        now,
        lambda t: round(req[t] * r.uniform(0.01, 0.02)),
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", start, now, lambda t: 4)
    k.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        start,
        now,
        lambda t: (
            [0.02, 0.05, 0.12, 0.4, 1.1],
            (lambda n: [n * 0.42, n * 0.38, n * 0.15, n * 0.045, n * 0.005])(req[t]),
        ),
    )
    dbd = {"DBInstanceIdentifier": "orders-pg-prod"}
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        start,
        now,
        lambda t: r.uniform(18, 26) * diurnal(t, 11.0, 0.5) * 1.4,
    )
    k.series("AWS/RDS", "DatabaseConnections", dbd, "Count", start, now, lambda t: r.randint(38, 46))
    k.series("AWS/RDS", "ReadLatency", dbd, "Seconds", start, now, lambda t: r.uniform(0.0006, 0.0011))
    k.series("AWS/RDS", "WriteLatency", dbd, "Seconds", start, now, lambda t: r.uniform(0.0012, 0.0024))
    k.series(
        "AWS/Usage",
        "CallCount",
        {"Service": "KMS", "Type": "API", "Resource": "CryptographicOperationsSymmetric", "Class": "None"},
        "None",
        start,
        now,
        lambda t: round(r.uniform(60, 140) * diurnal(t, 11.0, 0.3)),
    )
    rd = {"FunctionName": "orders-pg-rotation"}
    rm = minute(rot_t)
    for m_, v in (("Invocations", 4), ("Errors", 0)):
        k.series("AWS/Lambda", m_, rd, "Count", start, now, lambda t, v=v: v if t == rm else None)
    k.series("AWS/Lambda", "Duration", rd, "Milliseconds", start, now, lambda t: 1830.4 if t == rm else None)
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": "orders-prod", "ServiceName": "orders-api"},
        "Percent",
        start,
        now,
        lambda t: (
            r.uniform(22, 30) * diurnal(t, 11.0, 0.5) * 1.3
            + (12 if dep <= t < dep + timedelta(minutes=6) else 0)
        ),
    )

    # --- logs: orders-api and the rotation function --------------------------------------------
    for g in ("/ecs/orders-api", "/aws/lambda/orders-pg-rotation"):
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": 1649062800000,
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{g}:*",
                "storedBytes": r.randint(10**8, 10**10),
            },
        )
    ostreams = [f"ecs/orders-api/{k.hexid(32)}" for _ in range(4)]
    t = start + timedelta(seconds=r.randint(1, 30))
    while t < now:
        s_ = r.choice(ostreams)
        roll = r.random()
        if roll < 0.7:
            msg = (
                f"{iso_ms(t)[:-5]}Z  INFO 1 --- [orders-api] [nio-8080-exec-{r.randint(1, 64)}] o.k.orders.web.RequestLog : "
                f"{r.choice(['GET /v1/orders', 'GET /v1/orders/{id}', 'POST /v1/orders', 'GET /v1/orders/{id}/invoice'])} "
                f"200 {r.randint(12, 140)}ms"
            )
        elif roll < 0.95:
            msg = (
                f"{iso_ms(t)[:-5]}Z  WARN 1 --- [orders-api] [nio-8080-exec-{r.randint(1, 64)}] o.k.orders.web.RequestLog : "
                f"GET /v1/orders/{{id}} 404 {r.randint(5, 20)}ms"
            )
        else:
            msg = (
                f"{iso_ms(t)[:-5]}Z  WARN 1 --- [orders-api] [ool-1-housekeeper] com.zaxxer.hikari.pool.HikariPool : "
                f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={r.randint(31, 70)}s{r.randint(100, 999)}ms)."
            )
        k.log("/ecs/orders-api", s_, t, msg)
        t += timedelta(seconds=r.uniform(15, 45))
    rs = f"{rot_t:%Y/%m/%d}/[$LATEST]{k.hexid(32)}"
    rid = k.uuid()
    lines = [
        f"START RequestId: {rid} Version: $LATEST",
        f"[INFO]\t{iso_ms(rot_t)[:-5]}Z\t{rid}\tcreateSecret: Successfully put secret for ARN {secret_arn} and version {k.uuid()}.",
        f"END RequestId: {rid}",
    ]
    for step in ("setSecret", "testSecret", "finishSecret"):
        rid2 = k.uuid()
        lines += [f"START RequestId: {rid2} Version: $LATEST"]
        if step == "setSecret":
            lines.append(
                f"[INFO]\t{iso_ms(rot_t)[:-5]}Z\t{rid2}\tsetSecret: Successfully set password for user app_orders in PostgreSQL DB for secret arn {secret_arn}."
            )
        elif step == "testSecret":
            lines.append(
                f"[INFO]\t{iso_ms(rot_t)[:-5]}Z\t{rid2}\ttestSecret: Successfully signed into PostgreSQL DB for secret arn {secret_arn}."
            )
        else:
            lines.append(
                f"[INFO]\t{iso_ms(rot_t)[:-5]}Z\t{rid2}\tfinishSecret: Successfully set AWSCURRENT stage to version for secret {secret_arn}."
            )
        lines.append(f"END RequestId: {rid2}")
    for i, line in enumerate(lines):
        k.log("/aws/lambda/orders-pg-rotation", rs, rot_t + timedelta(seconds=1 + i * 3), line)

    # --- alarms --------------------------------------------------------------------------------
    alarm_t = em + timedelta(minutes=5, seconds=r.randint(10, 59))
    text, data = k.reason([1.0], 300, 1, 1, "greater than or equal to", em - timedelta(minutes=em.minute % 5))
    a = k.alarm(
        "cis-disable-or-delete-cmk",
        namespace="CISLogMetrics",
        metric="DisableOrDeleteCMK",
        dims={},
        stat="Sum",
        period=300,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="ALARM",
        reason=text,
        reason_data=data,
        updated=alarm_t,
        configured=start - timedelta(days=600),
        topic=sec_topic,
        missing="notBreaching",
        description="CIS AWS Foundations 3.7: customer managed key disabled or scheduled for deletion",
    )
    k.transition("cis-disable-or-delete-cmk", alarm_t, "OK", "ALARM", text, data)
    k.alarm(
        "kms-pending-deletion-key-used",
        namespace="CISLogMetrics",
        metric="PendingDeletionKeyUsage",
        dims={},
        stat="Sum",
        period=300,
        evals=1,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        missing="notBreaching",
        reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        updated=start - timedelta(days=300),
        configured=start - timedelta(days=600),
        topic=sec_topic,
        description="Something tried to use a KMS key that is pending deletion",
    )
    k.alarm(
        "orders-api-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tgd,
        stat="Sum",
        period=60,
        evals=3,
        threshold=20,
        op="GreaterThanThreshold",
        state="OK",
        missing="notBreaching",
        reason="Threshold Crossed: 3 out of the last 3 datapoints [0.0, 1.0, 0.0] were not greater than the threshold (20.0) (minimum 3 datapoints for ALARM -> OK transition).",
        updated=start - timedelta(days=4),
        configured=start - timedelta(days=500),
        topic=app_topic,
    )
    fl = "orders-pg-prod-connections-high"
    k.alarm(
        fl,
        namespace="AWS/RDS",
        metric="DatabaseConnections",
        dims=dbd,
        stat="Maximum",
        period=60,
        evals=2,
        threshold=80,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints [44.0, 41.0] were not greater than the threshold (80.0) (minimum 2 datapoints for ALARM -> OK transition).",
        updated=rm + timedelta(minutes=4),
        configured=start - timedelta(days=200),
        topic=app_topic,
    )
    k.transition(
        fl,
        rm + timedelta(minutes=2),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints [88.0, 86.0] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    k.transition(
        fl,
        rm + timedelta(minutes=4),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints [44.0, 41.0] were not greater than the threshold (80.0) (minimum 2 datapoints for ALARM -> OK transition).",
    )
    for _i, met in enumerate(k.metrics):
        if met["metric"] == "DatabaseConnections" and met["timestamp"] in (
            iso(rm),
            iso(rm + timedelta(minutes=1)),
        ):
            met["value"] = 88.0 if met["timestamp"] == iso(rm) else 86.0

    ev = k.alarm_event(
        a,
        alarm_t,
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
        start - timedelta(days=r.randint(20, 60)),
        text,
        data,
    )
    asked = alarm_t.astimezone(TZ)
    q = (
        f"Security alarm 'cis-disable-or-delete-cmk' went off at {asked.strftime('%H:%M')}. Somebody disabled or is deleting "
        f"a KMS key? The orders team says they didn't touch anything. Are we about to lose access to orders data, and is anything broken right now?"
    )
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": q, "alarm_event": ev, "timezone": "Europe/Berlin"},
        truth=truth,
    )
