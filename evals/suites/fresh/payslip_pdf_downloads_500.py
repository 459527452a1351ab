"""Payslip PDF downloads fail: the S3 bucket's customer-managed KMS key was disabled by someone tidying keys."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_o as k

NAME = "payslip-pdf-downloads-500"
TITLE = "Payslip PDF downloads failing on the payroll portal"
SUMMARY = (
    "An engineer disables a KMS key he believed unused (alongside a truly unused one); the payslip bucket's "
    "SSE-KMS objects can no longer be decrypted and payslip-api returns 500 on every PDF download."
)

PEOPLE = [
    ("tom.haverford", "Tom"),
    ("rui.santos", "Rui"),
    ("anika.patel", "Anika"),
    ("lucas.meyer", "Lucas"),
    ("grace.oduya", "Grace"),
]
REGIONS = [("eu-west-2", "Europe/London"), ("eu-west-1", "Europe/Dublin"), ("us-east-2", "America/Chicago")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region, tzname = rng.choice(REGIONS)
    tz = ZoneInfo(tzname)
    day = k.pick_day(rng)
    local_onset = datetime(day.year, day.month, day.day, rng.randint(9, 14), rng.randint(0, 59), tzinfo=tz)
    disable_at = local_onset.astimezone(UTC).replace(second=rng.randint(3, 57))
    delay = timedelta(minutes=rng.randint(2, 4), seconds=rng.randint(0, 59))
    onset = disable_at + delay
    start = k.floor_minute(onset - timedelta(hours=6, minutes=rng.randint(0, 40)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(38, 55)))
    clock = k.Clock(start, now)
    n = clock.minutes
    i_on = (onset - start).total_seconds() / 60.0
    offset_h = (local_onset.utcoffset() or timedelta()).total_seconds() / 3600

    org = rng.choice(["northwind", "brightpay", "halden", "corvid"])
    domain = f"{org}.io"
    cluster = "payroll-prod"
    svc = "payslip-api"
    bucket = f"{org}-payroll-payslips-prod-{region}"
    export_bucket = f"{org}-payroll-exports-{region}"
    net = k.network(rng, region)
    lb = k.alb(rng, account, region, "payroll-portal-prod", "payslip-api-tg")
    key_id = k.uuid(rng)
    key_arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
    legacy_id = k.uuid(rng)
    legacy_arn = f"arn:aws:kms:{region}:{account}:key/{legacy_id}"
    rds_key_id = k.uuid(rng)
    rds_key_arn = f"arn:aws:kms:{region}:{account}:key/{rds_key_id}"
    task_role = "payslip-api-task"
    task_role_arn = f"arn:aws:iam::{account}:role/{task_role}"
    topic = f"arn:aws:sns:{region}:{account}:payroll-oncall"
    tasks = [k.hexs(rng, 32) for _ in range(3)]
    task_ips = [f"10.40.{10 + 16 * j}.{rng.randint(20, 240)}" for j in range(3)]
    engineer, _first = rng.choice(PEOPLE)
    engineer_email = f"{engineer}@{domain}"
    others = [p for p in PEOPLE if p[0] != engineer]

    # --- traffic model (per minute) ---------------------------------------------------------------
    peak = rng.uniform(90, 150)
    noise = k.smooth_noise(rng, n, 0.08)
    req: list[float | None] = []
    pdf_share: list[float] = []
    for i in range(n):
        t = clock.at(i)
        shape = k.daily(t, offset_h, [(10.5, 1.8, 0.7), (14.0, 2.0, 0.5)], 0.08)
        base = max(3.0, peak * shape * (1 + noise[i]))
        failing = i >= i_on
        share = 0.24 + (0.1 if failing else 0.0)
        if failing:
            base *= 1.12  # retries and people reloading
        req.append(round(base + rng.gauss(0, base**0.5 * 0.4)))
        pdf_share.append(share)
    five: list[float | None] = []
    four: list[float | None] = []
    two: list[float | None] = []
    lat: list[float | None] = []
    for i in range(n):
        r = float(req[i] or 0)
        pdf = round(r * pdf_share[i])
        e5 = pdf if i >= i_on else (1.0 if rng.random() < 0.015 else 0.0)
        e4 = float(max(0, round(r * 0.018 + rng.gauss(0, 0.8))))
        five.append(float(e5))
        four.append(e4)
        two.append(max(0.0, r - e5 - e4))
        mean = 0.085 + 0.02 * rng.random()
        mean = mean * 0.72 if i >= i_on else mean + 0.25 * pdf_share[i] * 0.3
        lat.append(mean)
    cpu = [26 + 30 * (float(req[i] or 0) / peak) + rng.gauss(0, 2.5) for i in range(n)]
    mem = [61 + 3 * (i / n) + rng.gauss(0, 0.6) for i in range(n)]
    db_cpu = [9 + 18 * (float(req[i] or 0) / peak) + rng.gauss(0, 1.5) for i in range(n)]
    db_conn = [float(30 + rng.randint(-1, 2)) for _ in range(n)]
    healthy = [3.0] * n
    unhealthy = [0.0] * n
    conns = [max(1.0, float(req[i] or 0) * 0.6 + rng.gauss(0, 3)) for i in range(n)]

    m = k.Metrics(clock, start)
    lbd = {"LoadBalancer": lb.dim}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    m.emit("AWS/ApplicationELB", "RequestCount", lbd, "Count", req, digits=0)
    m.emit("AWS/ApplicationELB", "RequestCount", tgd, "Count", req, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lbd, "Count", two, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, "Count", two, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, "Count", four, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, "Count", five, nonzero_only=True, digits=0)
    m.emit("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", five, nonzero_only=True, digits=0)
    m.emit(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        lat,
        dist=k.latency_dist(rng, lambda i: float(req[i] or 1)),
    )
    m.emit("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", healthy, digits=0)
    m.emit("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", unhealthy, digits=0)
    m.emit("AWS/ApplicationELB", "ActiveConnectionCount", lbd, "Count", conns, digits=0)
    ecsd = {"ClusterName": cluster, "ServiceName": svc}
    m.emit("AWS/ECS", "CPUUtilization", ecsd, "Percent", cpu, digits=2)
    m.emit("AWS/ECS", "MemoryUtilization", ecsd, "Percent", mem, digits=2)
    rdsd = {"DBInstanceIdentifier": "payroll-db"}
    m.emit("AWS/RDS", "CPUUtilization", rdsd, "Percent", db_cpu, digits=2)
    m.emit("AWS/RDS", "DatabaseConnections", rdsd, "Count", db_conn, digits=0)

    # --- alarms --------------------------------------------------------------------------------------
    al = k.Alarms(rng, clock, account, region)
    al.add(
        k.AlarmSpec(
            "payslip-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            10.0,
            "GreaterThanThreshold",
            description="payslip-api is returning 5xx through payroll-portal-prod",
            treat_missing="notBreaching",
            actions=[topic],
            ok_actions=[topic],
        ),
        five,
        sparse=True,
    )
    al.add(
        k.AlarmSpec(
            "payslip-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            2,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        unhealthy,
    )
    al.add(
        k.AlarmSpec(
            "payslip-api-memory-high",
            "AWS/ECS",
            "MemoryUtilization",
            ecsd,
            "Average",
            300,
            3,
            85.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        mem,
    )
    al.add(
        k.AlarmSpec(
            "payroll-db-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            rdsd,
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        db_cpu,
    )

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    group = f"/ecs/{svc}"

    ctl = f"i.{org[0]}.payroll.web.PayslipController"

    def spring(t: datetime, level: str, thread: str, logger: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z {level:>5} 1 --- [{svc}] [{thread}] {logger:<40} : {msg}"

    for i in range(n):
        t0 = clock.at(i)
        r = int(req[i] or 0)
        samples = max(1, r // 6)
        for _ in range(samples):
            t = t0 + timedelta(milliseconds=rng.randint(0, 59999))
            ti = rng.randrange(3)
            stream = f"ecs/{svc}/{tasks[ti]}"
            thread = f"nio-8080-exec-{rng.randint(1, 40)}"
            emp = rng.randint(10000, 99999)
            period = f"{day.year}-{day.month:02d}"
            roll = rng.random()
            if roll < pdf_share[i]:
                obj = f"payslips/{period}/{emp}.pdf"
                if i >= i_on:
                    msg = spring(
                        t,
                        "ERROR",
                        thread,
                        ctl,
                        f"Failed to load payslip document s3://{bucket}/{obj} for employee {emp}",
                    )
                    rid = k.upper(rng, 16)
                    ext = k.upper(rng, 56, k.ALNUM + "abcdefghijklmnopqrstuvwxyz+/")
                    msg += (
                        f"\nsoftware.amazon.awssdk.services.s3.model.S3Exception: {key_arn} is disabled. "
                        f"(Service: S3, Status Code: 400, Request ID: {rid}, Extended Request ID: {ext}=)"
                        "\n\tat software.amazon.awssdk.services.s3.model.S3Exception$BuilderImpl.build(S3Exception.java:104)"
                        "\n\tat software.amazon.awssdk.services.s3.model.S3Exception$BuilderImpl.build(S3Exception.java:58)"
                        "\n\tat software.amazon.awssdk.protocols.xml.internal.unmarshall.AwsXmlPredicatedResponseHandler.handleErrorResponse(AwsXmlPredicatedResponseHandler.java:156)"
                        "\n\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:73)"
                        "\n\tat software.amazon.awssdk.services.s3.DefaultS3Client.getObject(DefaultS3Client.java:5353)"
                        "\n\tat io.northwind.payroll.storage.PayslipStore.open(PayslipStore.java:61)"
                        "\n\tat io.northwind.payroll.web.PayslipController.pdf(PayslipController.java:88)"
                        "\n\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)"
                        "\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"
                        "\n\t... 48 common frames omitted"
                    ).replace("io.northwind", f"io.{org}")
                    logs.add(group, stream, t, msg)
                    logs.add(
                        group,
                        stream,
                        t + timedelta(milliseconds=2),
                        spring(
                            t,
                            "WARN",
                            thread,
                            "o.s.w.s.m.m.a.ExceptionHandlerExceptionResolver",
                            f"Resolved [io.{org}.payroll.storage.DocumentUnavailableException: payslip document unavailable] -> 500",
                        ),
                    )
                else:
                    ms_ = rng.randint(140, 420)
                    logs.add(
                        group,
                        stream,
                        t,
                        spring(
                            t,
                            "INFO",
                            thread,
                            ctl,
                            f"Served payslip {period} for employee {emp} ({rng.randint(38, 140)} KB, {ms_} ms)",
                        ),
                    )
            elif roll < pdf_share[i] + 0.3:
                logs.add(
                    group,
                    stream,
                    t,
                    spring(
                        t,
                        "INFO",
                        thread,
                        ctl,
                        f"Listed {rng.randint(6, 36)} payslips for employee {emp}",
                    ),
                )
        if rng.random() < 0.012:
            t = t0 + timedelta(seconds=rng.randint(0, 59))
            ti = rng.randrange(3)
            logs.add(
                group,
                f"ecs/{svc}/{tasks[ti]}",
                t,
                spring(
                    t,
                    "WARN",
                    "HikariPool-1 housekeeper",
                    "com.zaxxer.hikari.pool.HikariPool",
                    "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s451ms).",
                ),
            )
        if rng.random() < 0.006:
            t = t0 + timedelta(seconds=rng.randint(0, 59))
            logs.add(
                group,
                f"ecs/{svc}/{tasks[rng.randrange(3)]}",
                t,
                spring(
                    t,
                    "WARN",
                    f"nio-8080-exec-{rng.randint(1, 40)}",
                    "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                    "Client aborted request (java.io.IOException: Broken pipe)",
                ),
            )

    # notifier lambda (unrelated): runs every 15 minutes
    lam_group = "/aws/lambda/payroll-notifier"
    t = start + timedelta(minutes=rng.randint(0, 14), seconds=rng.randint(0, 59))
    stream = k.lambda_stream(rng, t)
    while t < now:
        k.lambda_invocation(
            logs,
            rng,
            lam_group,
            stream,
            t,
            rng.uniform(180, 900),
            256,
            rng.randint(88, 104),
            [
                f'{{"level":"info","msg":"queued reminders","count":{rng.randint(0, 40)},"requestId":"{{rid}}"}}'
            ],
        )
        t += timedelta(minutes=15, seconds=rng.randint(-4, 4))

    # --- CloudTrail ------------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    office_ip = (
        f"{rng.choice([81, 86, 92, 145])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    )
    cli_ua = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/installer#source md/prompt#off md/command#kms.{}"
    eng = tr.sso(engineer_email, "PlatformEngineer", office_ip, console=False, ua=cli_ua.format("list-keys"))
    ppl = [
        tr.sso(f"{o[0]}@{domain}", rng.choice(["DeveloperAccess", "ReadOnly"]), office_ip) for o in others[:3]
    ]
    ci = tr.role(
        "github-actions-deploy",
        f"GitHubActions-{rng.randint(7000000000, 9999999999)}",
        f"{rng.randint(20, 140)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
    )
    grafana = tr.role(
        "grafana-cloudwatch-reader", "grafana", "3.120.41.8", "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"
    )
    config = tr.service_role(
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "config.amazonaws.com",
        path="/aws-service-role/config.amazonaws.com/",
    )
    k.routine_reads(tr, rng, start, now, [*ppl, grafana], 26)
    for t in k.spread(rng, start, now, 8):
        tr.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": k.iso(t - timedelta(hours=3)), "endTime": k.iso(t), "maxDatapoints": 1440},
            None,
            read_only=True,
        )
    for t in k.spread(rng, start, now, 5):
        tr.add(
            t,
            config,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc], "include": ["TAGS"]},
            None,
            read_only=True,
        )
    # task credential refreshes
    for t in k.spread(rng, start, now, 6):
        k.assume_role_by_service(tr, t, "ecs-tasks.amazonaws.com", task_role_arn, tasks[rng.randrange(3)])
    # S3 bucket-key refreshes: KMS Decrypt on behalf of the task role
    task_p = tr.role(task_role, tasks[0], "s3.amazonaws.com", "s3.amazonaws.com")
    task_p.identity["invokedBy"] = "s3.amazonaws.com"
    task_p.tls = False
    kms_res = [{"accountId": account, "type": "AWS::KMS::Key", "ARN": key_arn}]
    dparams = {
        "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket}"},
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }
    t = start + timedelta(minutes=rng.randint(1, 9))
    while t < onset:
        tr.add(t, task_p, "kms.amazonaws.com", "Decrypt", dparams, None, read_only=True, resources=kms_res)
        t += timedelta(minutes=rng.randint(9, 16), seconds=rng.randint(0, 59))
    t = onset + timedelta(seconds=rng.randint(1, 6))
    while t < now:
        tr.add(
            t,
            task_p,
            "kms.amazonaws.com",
            "Decrypt",
            dparams,
            None,
            read_only=True,
            resources=kms_res,
            error=("DisabledException", f"{key_arn} is disabled."),
        )
        t += timedelta(seconds=rng.randint(12, 45))
    # nightly export job's data key (legacy key is genuinely unused; the exports bucket uses SSE-S3)

    # the engineer's key review
    review = disable_at - timedelta(minutes=rng.randint(14, 24))
    tr.add(review, eng, "kms.amazonaws.com", "ListKeys", {"limit": 100}, None, read_only=True)
    tr.add(
        review + timedelta(seconds=2),
        eng,
        "kms.amazonaws.com",
        "ListAliases",
        {"limit": 100},
        None,
        read_only=True,
        ua=cli_ua.format("list-aliases"),
    )
    tt = review + timedelta(seconds=20)
    for kid, karn in [(rds_key_id, rds_key_arn), (legacy_id, legacy_arn), (key_id, key_arn)]:
        tr.add(
            tt,
            eng,
            "kms.amazonaws.com",
            "DescribeKey",
            {"keyId": kid},
            None,
            read_only=True,
            resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": karn}],
            ua=cli_ua.format("describe-key"),
        )
        tr.add(
            tt + timedelta(seconds=3),
            eng,
            "kms.amazonaws.com",
            "GetKeyRotationStatus",
            {"keyId": kid},
            None,
            read_only=True,
            resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": karn}],
            ua=cli_ua.format("get-key-rotation-status"),
        )
        tr.add(
            tt + timedelta(seconds=4),
            eng,
            "kms.amazonaws.com",
            "ListResourceTags",
            {"keyId": kid},
            None,
            read_only=True,
            resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": karn}],
            ua=cli_ua.format("list-resource-tags"),
        )
        tt += timedelta(seconds=rng.randint(40, 150))
    tr.add(
        tt,
        eng,
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        {
            "lookupAttributes": [{"attributeKey": "ResourceName", "attributeValue": legacy_arn}],
            "maxResults": 50,
        },
        None,
        read_only=True,
        ua=cli_ua.format("x").replace("kms.x", "cloudtrail.lookup-events"),
    )
    legacy_disable = disable_at - timedelta(seconds=rng.randint(70, 200))
    tr.add(
        legacy_disable,
        eng,
        "kms.amazonaws.com",
        "DisableKey",
        {"keyId": legacy_id},
        None,
        resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": legacy_arn}],
        ua=cli_ua.format("disable-key"),
    )
    culprit = tr.add(
        disable_at,
        eng,
        "kms.amazonaws.com",
        "DisableKey",
        {"keyId": key_id},
        None,
        resources=[{"accountId": account, "type": "AWS::KMS::Key", "ARN": key_arn}],
        ua=cli_ua.format("disable-key"),
    )
    # innocent changes around the onset
    deploy_at = onset - timedelta(minutes=rng.randint(11, 24), seconds=rng.randint(0, 59))
    code_sha = k.upper(rng, 43, k.ALNUM + "abcdefghijklmnopqrstuvwxyz+/") + "="
    tr.add(
        deploy_at,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": "payroll-notifier", "publish": True, "dryRun": False},
        {
            "functionName": "payroll-notifier",
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:payroll-notifier:{rng.randint(40, 90)}",
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{account}:role/payroll-notifier-role",
            "handler": "index.handler",
            "codeSize": rng.randint(900000, 2400000),
            "timeout": 60,
            "memorySize": 256,
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": code_sha,
            "version": str(rng.randint(40, 90)),
            "state": "Pending",
            "stateReason": "The function is being created.",
            "stateReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
    )
    other = ppl[0]
    alarm_at = onset - timedelta(minutes=rng.randint(3, 9), seconds=rng.randint(0, 59))
    tr.add(
        alarm_at,
        other,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "payroll-db-free-storage-low",
            "metricName": "FreeStorageSpace",
            "namespace": "AWS/RDS",
            "statistic": "Minimum",
            "dimensions": [{"name": "DBInstanceIdentifier", "value": "payroll-db"}],
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 10737418240.0,
            "comparisonOperator": "LessThanThreshold",
            "alarmActions": [topic],
        },
        None,
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(4, 12)),
        ppl[1],
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": lam_group, "retentionInDays": 30},
        None,
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 900))
    res: list[k.Json] = []

    def key_item(kid: str, arn: str, desc: str, enabled: bool, made: datetime) -> k.Json:
        return {
            "service": "kms",
            "type": "KeyMetadata",
            "item": {
                "AWSAccountId": account,
                "KeyId": kid,
                "Arn": arn,
                "CreationDate": k.iso(made),
                "Enabled": enabled,
                "Description": desc,
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled" if enabled else "Disabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            },
        }

    res.append(key_item(key_id, key_arn, "payslip documents", False, created + timedelta(days=3)))
    res.append(key_item(legacy_id, legacy_arn, "reports export (2021)", False, created - timedelta(days=200)))
    res.append(key_item(rds_key_id, rds_key_arn, "payroll-db storage", True, created))
    for alias, target, made in [
        ("alias/payroll-documents", key_id, created + timedelta(days=3)),
        ("alias/reports-export-2021", legacy_id, created - timedelta(days=200)),
        ("alias/payroll-db", rds_key_id, created),
    ]:
        res.append(
            {
                "service": "kms",
                "type": "AliasListEntry",
                "item": {
                    "AliasName": alias,
                    "AliasArn": f"arn:aws:kms:{region}:{account}:{alias}",
                    "TargetKeyId": target,
                    "CreationDate": k.iso(made),
                    "LastUpdatedDate": k.iso(made),
                },
            }
        )
    res.append(
        {
            "service": "kms",
            "type": "KeyPolicy",
            "item": {
                "KeyId": key_id,
                "Policy": {
                    "Version": "2012-10-17",
                    "Id": "key-default-1",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "AllowPayslipApiViaS3",
                            "Effect": "Allow",
                            "Principal": {"AWS": task_role_arn},
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                            "Resource": "*",
                            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
                        },
                    ],
                },
            },
        }
    )
    res.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": bucket,
                "CreationDate": k.iso(created + timedelta(days=3)),
                "BucketRegion": region,
            },
        }
    )
    res.append(
        {
            "service": "s3",
            "type": "Bucket",
            "item": {
                "Name": export_bucket,
                "CreationDate": k.iso(created - timedelta(days=190)),
                "BucketRegion": region,
            },
        }
    )
    res.append(
        {
            "service": "s3",
            "type": "BucketPolicy",
            "item": {
                "Bucket": bucket,
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            },
        }
    )
    res.extend(k.alb_items(lb, net, created, "ip", 8080, "/actuator/health"))
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    td_rev = rng.randint(60, 140)
    td = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    dep_time = start - timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 5,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": lb.tg_arn, "containerName": svc, "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": 3,
                "runningCount": 3,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": td,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                        "status": "PRIMARY",
                        "taskDefinition": td,
                        "desiredCount": 3,
                        "pendingCount": 0,
                        "runningCount": 3,
                        "failedTasks": 0,
                        "createdAt": k.iso(dep_time),
                        "updatedAt": k.iso(dep_time + timedelta(minutes=6)),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "createdAt": k.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _ in net.subnets],
                        "securityGroups": [net.sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableExecuteCommand": False,
            },
        }
    )
    res.append(
        k.role_item(
            rng,
            account,
            task_role,
            "ecs-tasks.amazonaws.com",
            created,
            now - timedelta(minutes=1),
            region,
            "payslip-api task role",
        )
    )
    res.append(
        {
            "service": "iam",
            "type": "RoleInlinePolicy",
            "item": {
                "RoleName": task_role,
                "PolicyName": "payslip-documents-read",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject"],
                            "Resource": f"arn:aws:s3:::{bucket}/payslips/*",
                        },
                        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn},
                    ],
                },
            },
        }
    )
    res.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": "payroll-db",
                "DBInstanceClass": "db.r6g.large",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "payroll_admin",
                "DBName": "payroll",
                "Endpoint": {
                    "Address": f"payroll-db.c{k.hexs(rng, 11)}.{region}.rds.amazonaws.com",
                    "Port": 5432,
                },
                "AllocatedStorage": 200,
                "InstanceCreateTime": k.iso(created),
                "MultiAZ": True,
                "EngineVersion": "15.5",
                "AvailabilityZone": net.subnets[0][1],
                "SecondaryAvailabilityZone": net.subnets[1][1],
                "StorageType": "gp3",
                "StorageEncrypted": True,
                "KmsKeyId": rds_key_arn,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:payroll-db",
                "VpcSecurityGroups": [{"VpcSecurityGroupId": k.res_id(rng, "sg"), "Status": "active"}],
                "PubliclyAccessible": False,
                "DeletionProtection": True,
            },
        }
    )
    res.append(k.log_group_item(account, region, group, created, 90, rng.randint(10**9, 9 * 10**9)))
    res.append(k.log_group_item(account, region, lam_group, created, 30, rng.randint(10**7, 9 * 10**7)))
    res.append(
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": "payroll-notifier",
                "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:payroll-notifier",
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{account}:role/payroll-notifier-role",
                "Handler": "index.handler",
                "CodeSize": rng.randint(900000, 2400000),
                "Timeout": 60,
                "MemorySize": 256,
                "LastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": code_sha,
                "Version": "$LATEST",
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        }
    )

    # --- events --------------------------------------------------------------------------------------
    events: list[k.Json] = []
    for j, ip in enumerate(task_ips):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": lb.tg_arn,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": net.subnets[j][1]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(dep_time + timedelta(minutes=4)),
                },
            }
        )
    t = dep_time + timedelta(minutes=6)
    while t < now:
        if t > start - timedelta(hours=12):
            events.append(
                {
                    "source": "ecs",
                    "item": {
                        "service_arn": svc_arn,
                        "event": {
                            "id": k.uuid(rng),
                            "createdAt": k.iso(t),
                            "message": f"(service {svc}) has reached a steady state.",
                        },
                    },
                }
            )
        t += timedelta(hours=6, seconds=rng.randint(0, 30))

    # --- trigger and truth -----------------------------------------------------------------------------
    ask_local = (onset + timedelta(minutes=2)).astimezone(tz)
    ask_min = (ask_local.minute // 5) * 5
    hh = ask_local.hour % 12 or 12
    ampm = "am" if ask_local.hour < 12 else "pm"
    clock_txt = (
        f"{hh}:{ask_min:02d}{ampm}" if tzname.startswith("America") else f"{ask_local.hour:02d}:{ask_min:02d}"
    )
    question = rng.choice(
        [
            f"Service desk is getting a lot of calls: people can't download their payslips from the portal since about {clock_txt}, it just says 'Something went wrong'. Listing payslips seems fine. What's broken?",
            f"Payslip PDFs stopped downloading around {clock_txt} today (payroll portal shows an error page). Can you figure out what happened?",
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
            "trigger": {"question": question, "alarm_event": None, "timezone": tzname},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": key_id,
                    "category": "change",
                    "failure_mode": "kms-key-disabled",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [key_arn, "alias/payroll-documents", "payroll-documents"],
                "actions": ["rollback"],
                "chain": [
                    f"KMS key {key_id} (alias/payroll-documents) was disabled with DisableKey by {engineer_email}",
                    f"S3 can no longer decrypt SSE-KMS objects in {bucket}: GetObject fails with KMS.DisabledException",
                    f"{svc} on ECS cluster {cluster} returns 500 for every payslip PDF download",
                    f"HTTPCode_Target_5XX_Count rises on {lb.name} / {lb.tg_name}; alarm payslip-api-target-5xx fires",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": al.alarms,
            "alarm_history": al.history,
            "logs": logs.sorted(),
            "cloudtrail": tr.sorted(),
            "resources": res,
            "events": events,
        },
    )
