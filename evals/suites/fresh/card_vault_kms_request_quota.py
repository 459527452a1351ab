"""Checkout failing on the 1st: the monthly member export and card-vault together hit the KMS request-rate quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzf import Kit, diurnal, iso, iso_ms, minute

NAME = "checkout-card-errors-first-of-month"
TITLE = "Checkout card payments erroring on the 1st; card-vault 5xx and slow since early afternoon"
SUMMARY = (
    "The scheduled monthly member export decrypts every member record with KMS; with checkout's per-request "
    "card-token decrypts the account reaches the KMS symmetric cryptographic request quota and card-vault is throttled."
)

TZ = ZoneInfo("America/Toronto")
REGION = "ca-central-1"
QUOTA = 5500
JAVA_UA = (
    "aws-sdk-java/2.25.31 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 "
    "vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard"
)
PY_UA = (
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 lang/python#3.12.3 "
    "exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard"
)


def build(seed: int) -> Bundle:
    k = Kit(seed, REGION)
    r = k.r
    acct = k.account
    month = r.choice([3, 4, 5, 6, 7, 8, 9, 10])
    local_start = datetime(2026, month, 1, 13, 0, tzinfo=TZ)
    job_t = local_start.astimezone(UTC)  # cron(0 17 1 * ? *) / 18:00 in winter: the rule is in UTC
    job_t = job_t.replace(hour=17, minute=0)
    onset = job_t + timedelta(minutes=r.randint(6, 11))
    start = job_t - timedelta(hours=4, minutes=r.randint(0, 25))
    now = onset + timedelta(minutes=r.randint(36, 50))
    vault_peak = r.uniform(2300, 2900)  # vault decrypts/s at the afternoon peak
    members = r.randint(4_600_000, 5_400_000)
    last_members = int(members * r.uniform(0.78, 0.84))

    cluster = "payments-prod"
    batch_cluster = "batch-prod"
    vault_key = k.uuid()
    pii_key = k.uuid()
    vkarn = f"arn:aws:kms:{REGION}:{acct}:key/{vault_key}"
    pkarn = f"arn:aws:kms:{REGION}:{acct}:key/{pii_key}"
    topic = f"arn:aws:sns:{REGION}:{acct}:payments-pager"

    # --- resources -----------------------------------------------------------------------------
    for kid, arn, desc, alias, created in (
        (vault_key, vkarn, "card-vault token encryption", "alias/card-vault-tokens", "2023-06-20T15:02:11Z"),
        (pii_key, pkarn, "member PII field encryption", "alias/member-pii", "2023-02-07T19:44:38Z"),
    ):
        k.res(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": acct,
                "KeyId": kid,
                "Arn": arn,
                "CreationDate": created,
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
        k.res(
            "kms",
            "AliasListEntry",
            {
                "AliasName": alias,
                "AliasArn": f"arn:aws:kms:{REGION}:{acct}:{alias}",
                "TargetKeyId": kid,
                "CreationDate": created,
                "LastUpdatedDate": created,
            },
        )
    albs = {}
    for name, scheme in (("checkout-public", "internet-facing"), ("card-vault-int", "internal")):
        lid = k.hexid(16)
        arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/app/{name}/{lid}"
        albs[name] = f"app/{name}/{lid}"
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": arn,
                "DNSName": f"{'internal-' if scheme == 'internal' else ''}{name}-{r.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZQSVJUPU6J1EY",
                "CreatedTime": "2023-06-20T15:30:00Z",
                "LoadBalancerName": name,
                "Scheme": scheme,
                "VpcId": "vpc-0" + k.hexid(16),
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": f"{REGION}{z}", "SubnetId": "subnet-0" + k.hexid(16)} for z in "abd"
                ],
                "SecurityGroups": ["sg-0" + k.hexid(16)],
                "IpAddressType": "ipv4",
            },
        )
    tgs = {}
    for name, port in (("checkout-api", 8080), ("card-vault", 8443)):
        tid = k.hexid(16)
        tgs[name] = f"targetgroup/{name}/{tid}"
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:targetgroup/{name}/{tid}",
                "TargetGroupName": name,
                "Protocol": "HTTP" if port == 8080 else "HTTPS",
                "Port": port,
                "VpcId": "vpc-0" + k.hexid(16),
                "HealthCheckProtocol": "HTTP" if port == 8080 else "HTTPS",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health/liveness",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [
                    f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/{albs['checkout-public' if port == 8080 else 'card-vault-int']}"
                ],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    for c in (cluster, batch_cluster):
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": f"arn:aws:ecs:{REGION}:{acct}:cluster/{c}",
                "clusterName": c,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 20 if c == cluster else 1,
                "pendingTasksCount": 0,
                "activeServicesCount": 2 if c == cluster else 0,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        )
    deploy_t = start + timedelta(minutes=r.randint(20, 60))
    for name, count, rev, svc_created in (
        ("checkout-api", 12, r.randint(300, 420), deploy_t),
        ("card-vault", 8, r.randint(40, 70), start - timedelta(days=19)),
    ):
        td = f"arn:aws:ecs:{REGION}:{acct}:task-definition/{name}:{rev}"
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": f"arn:aws:ecs:{REGION}:{acct}:service/{cluster}/{name}",
                "serviceName": name,
                "clusterArn": f"arn:aws:ecs:{REGION}:{acct}:cluster/{cluster}",
                "loadBalancers": [
                    {
                        "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tgs[name]}",
                        "containerName": name,
                        "containerPort": 8080 if name == "checkout-api" else 8443,
                    }
                ],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td,
                "deployments": [
                    {
                        "id": "ecs-svc/" + str(r.randint(10**18, 10**19)),
                        "status": "PRIMARY",
                        "taskDefinition": td,
                        "desiredCount": count,
                        "pendingCount": 0,
                        "runningCount": count,
                        "failedTasks": 0,
                        "createdAt": iso(svc_created),
                        "updatedAt": iso(svc_created + timedelta(minutes=7)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "createdAt": "2023-06-20T15:40:00Z",
                "schedulingStrategy": "REPLICA",
            },
        )
    k.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{acct}:task-definition/member-export:23",
            "family": "member-export",
            "revision": 23,
            "status": "ACTIVE",
            "cpu": "2048",
            "memory": "4096",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "taskRoleArn": f"arn:aws:iam::{acct}:role/member-export-task",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "registeredAt": "2026-01-22T16:03:41Z",
            "containerDefinitions": [
                {
                    "name": "member-export",
                    "image": f"{acct}.dkr.ecr.{REGION}.amazonaws.com/member-export:2026.01.22-3",
                    "essential": True,
                    "command": ["python", "-m", "export.monthly", "--workers", "48"],
                    "environment": [
                        {"name": "EXPORT_BUCKET", "value": f"maplecard-partner-exports-{acct}"},
                        {"name": "PII_KEY_ALIAS", "value": "alias/member-pii"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/member-export",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
    )
    for g in ("/ecs/card-vault", "/ecs/checkout-api", "/ecs/member-export"):
        k.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": 1687275600000,
                "retentionInDays": 90,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{REGION}:{acct}:log-group:{g}:*",
                "storedBytes": r.randint(10**9, 10**10),
            },
        )

    # --- load model ----------------------------------------------------------------------------
    per_min = {}
    t = start
    while t <= now:
        base = vault_peak * diurnal(t, 17.5, 0.35) * (1 + r.uniform(-0.05, 0.05))
        export = 0.0
        if t >= job_t + timedelta(minutes=2):
            ramp = min(1.0, (t - job_t - timedelta(minutes=2)).total_seconds() / 60 / 8)
            export = ramp * r.uniform(4300, 4700)
        want = base + export
        served = min(want, QUOTA * r.uniform(0.985, 0.999))
        shortfall = max(0.0, want - served)
        # clients retry: throttled share falls on both, proportionally
        throttle_frac = shortfall / want if want else 0
        per_min[t] = dict(base=base, export=export, served=served, frac=throttle_frac)
        t += timedelta(minutes=1)

    k.series(
        "AWS/Usage",
        "CallCount",
        {"Service": "KMS", "Type": "API", "Resource": "CryptographicOperationsSymmetric", "Class": "None"},
        "None",
        start,
        now,
        lambda t: round(per_min[t]["served"] * 60),
    )
    # checkout ALB
    cdims = {"LoadBalancer": albs["checkout-public"]}
    ctg = {"TargetGroup": tgs["checkout-api"], "LoadBalancer": albs["checkout-public"]}
    vdims = {"LoadBalancer": albs["card-vault-int"]}
    vtg = {"TargetGroup": tgs["card-vault"], "LoadBalancer": albs["card-vault-int"]}

    def checkout_req(t):
        return per_min[t]["base"] * 60 / 2.6  # pages + api calls per decrypt

    def vault_req(t):
        return per_min[t]["base"] * 60 / 1.05

    def vault_5xx(t):
        f = per_min[t]["frac"]
        return vault_req(t) * min(0.9, f * 1.6) if f > 0.01 else r.randint(0, 3)

    def checkout_5xx(t):
        f = per_min[t]["frac"]
        return (vault_req(t) * min(0.9, f * 1.6)) * 0.42 if f > 0.01 else r.randint(0, 6)

    k.series(
        "AWS/ApplicationELB", "RequestCount", cdims, "Count", start, now, lambda t: round(checkout_req(t))
    )
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        ctg,
        "Count",
        start,
        now,
        lambda t: round(checkout_req(t) * 0.97),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ctg,
        "Count",
        start,
        now,
        lambda t: round(checkout_5xx(t)),
        skip_zero=True,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        cdims,
        "Count",
        start,
        now,
        lambda t: r.choice([0, 0, 0, 1]),
        skip_zero=True,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        ctg,
        "Count",
        start,
        now,
        lambda t: round(checkout_req(t) * r.uniform(0.011, 0.016)),
    )
    k.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ctg,
        "Seconds",
        start,
        now,
        lambda t: (
            [0.045, 0.09, 0.18, 0.4, 1.2, 3.5],
            (
                lambda n, f: [
                    n * 0.55,
                    n * 0.3,
                    n * (0.1 - min(0.08, f)),
                    n * 0.04,
                    n * (0.008 + f * 0.6),
                    n * (0.002 + f * 0.3),
                ]
            )(checkout_req(t) * 0.97, per_min[t]["frac"]),
        ),
    )
    k.series("AWS/ApplicationELB", "RequestCount", vdims, "Count", start, now, lambda t: round(vault_req(t)))
    k.series("AWS/ApplicationELB", "RequestCount", vtg, "Count", start, now, lambda t: round(vault_req(t)))
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        vtg,
        "Count",
        start,
        now,
        lambda t: round(vault_5xx(t)),
        skip_zero=True,
    )
    k.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        vtg,
        "Seconds",
        start,
        now,
        lambda t: (
            [0.012, 0.025, 0.06, 0.3, 0.9, 2.2],
            (lambda n, f: [n * 0.6, n * 0.32, n * (0.07 - min(0.05, f)), n * 0.01, n * f * 0.7, n * f * 0.3])(
                vault_req(t), per_min[t]["frac"]
            ),
        ),
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", vtg, "Count", start, now, lambda t: 8)
    k.series("AWS/ApplicationELB", "HealthyHostCount", ctg, "Count", start, now, lambda t: 12)
    for svc, cpu in (("card-vault", 31), ("checkout-api", 44)):
        d = {"ClusterName": cluster, "ServiceName": svc}
        k.stat_series(
            "AWS/ECS",
            "CPUUtilization",
            d,
            "Percent",
            start,
            now,
            lambda t, cpu=cpu: (lambda a: (1, a, a * 0.7, a * 1.3))(
                cpu * diurnal(t, 17.5, 0.4) * r.uniform(0.9, 1.1) * (0.85 if per_min[t]["frac"] > 0.01 else 1)
            ),
        )
        k.stat_series(
            "AWS/ECS",
            "MemoryUtilization",
            d,
            "Percent",
            start,
            now,
            lambda t: (lambda a: (1, a, a - 2, a + 3))(r.uniform(52, 58)),
        )

    # --- logs ----------------------------------------------------------------------------------
    vstreams = [f"ecs/card-vault/{k.hexid(32)}" for _ in range(8)]
    t = start + timedelta(seconds=r.randint(1, 30))
    while t < now:
        f = per_min[minute(t)]["frac"]
        s = r.choice(vstreams)
        if f > 0.01:
            rid = k.uuid()
            k.log(
                "/ecs/card-vault",
                s,
                t,
                f"{iso_ms(t)[:-5]}Z ERROR 1 --- [card-vault] [nio-8443-exec-{r.randint(1, 200)}] c.m.vault.token.TokenDecryptor : "
                f"detokenize failed token=tok_{k.hexid(12)} attempts=3: software.amazon.awssdk.services.kms.model.KmsException: "
                f"You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls. "
                f"(Service: Kms, Status Code: 400, Request ID: {rid})",
            )
            if r.random() < 0.3:
                k.log(
                    "/ecs/card-vault",
                    s,
                    t + timedelta(milliseconds=3),
                    f"{iso_ms(t)[:-5]}Z  WARN 1 --- [card-vault] [nio-8443-exec-{r.randint(1, 200)}] c.m.vault.api.DetokenizeController : "
                    f"POST /v2/detokenize -> 503 SERVICE_UNAVAILABLE (1.{r.randint(100, 999)}s)",
                )
            t += timedelta(seconds=r.uniform(2, 9))
        else:
            k.log(
                "/ecs/card-vault",
                s,
                t,
                f"{iso_ms(t)[:-5]}Z  INFO 1 --- [card-vault] [   scheduling-1] c.m.vault.metrics.Throughput : "
                f"detokenize ok={round(vault_req(minute(t)) / 8 * r.uniform(0.93, 1.07))} err={r.randint(0, 4)} p99={r.randint(28, 44)}ms last=60s",
            )
            t += timedelta(seconds=60 + r.uniform(-0.5, 0.5))
    cstreams = [f"ecs/checkout-api/{k.hexid(32)}" for _ in range(12)]
    t = start + timedelta(seconds=r.randint(1, 30))
    while t < now:
        f = per_min[minute(t)]["frac"]
        if f > 0.01:
            k.log(
                "/ecs/checkout-api",
                r.choice(cstreams),
                t,
                f"{iso_ms(t)[:-5]}Z ERROR 1 --- [checkout-api] [nio-8080-exec-{r.randint(1, 300)}] c.m.checkout.pay.CardPaymentService : "
                f"payment {k.upper(10)} failed: card-vault POST /v2/detokenize returned 503 after 1 retry",
            )
            t += timedelta(seconds=r.uniform(3, 12))
        else:
            if r.random() < 0.2:
                k.log(
                    "/ecs/checkout-api",
                    r.choice(cstreams),
                    t,
                    f"{iso_ms(t)[:-5]}Z  WARN 1 --- [checkout-api] [nio-8080-exec-{r.randint(1, 300)}] c.m.checkout.cart.PromoService : "
                    f"promo code {k.upper(8)} rejected: expired",
                )
            t += timedelta(seconds=r.uniform(20, 60))
    task_id = k.hexid(32)
    estream = f"ecs/member-export/{task_id}"
    jt = job_t + timedelta(seconds=r.randint(40, 70))
    k.log(
        "/ecs/member-export",
        estream,
        jt,
        f"{iso_ms(jt)[:-5]} INFO export.monthly: starting monthly partner export run={jt:%Y-%m} workers=48",
    )
    k.log(
        "/ecs/member-export",
        estream,
        jt + timedelta(seconds=31),
        f"{iso_ms(jt + timedelta(seconds=31))[:-5]} INFO export.monthly: {members:,} active members to export (previous run {last_members:,})",
    )
    t = jt + timedelta(minutes=2)
    done = 0
    while t < now:
        rate = per_min[minute(t)]["export"] * (1 - per_min[minute(t)]["frac"]) / 2
        done += int(rate * 120)
        k.log(
            "/ecs/member-export",
            estream,
            t,
            f"{iso_ms(t)[:-5]} INFO export.monthly: progress {done:,}/{members:,} members ({rate:,.0f}/s)",
        )
        if per_min[minute(t)]["frac"] > 0.01 and r.random() < 0.7:
            k.log(
                "/ecs/member-export",
                estream,
                t + timedelta(seconds=r.randint(3, 50)),
                f"{iso_ms(t)[:-5]} WARNING export.crypto: decrypt retry {r.randint(1, 4)}/5 after ThrottlingException (worker {r.randint(1, 48)})",
            )
        t += timedelta(minutes=2)

    # --- alarms --------------------------------------------------------------------------------
    fail_min = min(t for t, v in per_min.items() if v["frac"] > 0.01)
    vals = [float(round(checkout_5xx(fail_min + timedelta(minutes=i)))) for i in range(3)]
    alarm_t = fail_min + timedelta(minutes=3, seconds=r.randint(5, 50))
    text, data = k.reason(vals, 60, 3, 50, "greater than", fail_min + timedelta(minutes=2))
    a = k.alarm(
        "checkout-api-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=ctg,
        stat="Sum",
        period=60,
        evals=3,
        threshold=50,
        op="GreaterThanThreshold",
        state="ALARM",
        reason=text,
        reason_data=data,
        updated=alarm_t,
        configured=start - timedelta(days=300),
        topic=topic,
        missing="notBreaching",
        description="checkout-api returning 5xx. Runbook: https://wiki.maplecard.internal/payments/checkout-5xx",
    )
    k.transition("checkout-api-target-5xx", alarm_t, "OK", "ALARM", text, data)
    vt = fail_min + timedelta(minutes=2, seconds=r.randint(5, 50))
    vvals = [float(round(vault_5xx(fail_min + timedelta(minutes=i)))) for i in range(2)]
    vtext, vdata = k.reason(vvals, 60, 2, 100, "greater than", fail_min + timedelta(minutes=1))
    k.alarm(
        "card-vault-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=vtg,
        stat="Sum",
        period=60,
        evals=2,
        threshold=100,
        op="GreaterThanThreshold",
        state="ALARM",
        reason=vtext,
        reason_data=vdata,
        updated=vt,
        configured=start - timedelta(days=300),
        topic=topic,
        missing="notBreaching",
    )
    k.transition("card-vault-5xx", vt, "OK", "ALARM", vtext, vdata)
    # flapping unrelated: checkout-api CPU during the earlier deploy
    k.alarm(
        "checkout-api-cpu-high",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dims={"ClusterName": cluster, "ServiceName": "checkout-api"},
        stat="Average",
        period=300,
        evals=1,
        threshold=40,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint [33.9] was not greater than the threshold (40.0).",
        updated=fail_min + timedelta(minutes=6),
        configured=start - timedelta(days=120),
        topic=f"arn:aws:sns:{REGION}:{acct}:payments-lowprio",
    )
    peak_t = minute(job_t - timedelta(minutes=35))
    k.transition(
        "checkout-api-cpu-high",
        peak_t,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [41.2] was greater than the threshold (40.0).",
    )
    k.transition(
        "checkout-api-cpu-high",
        peak_t + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [38.4] was not greater than the threshold (40.0).",
    )
    k.transition(
        "checkout-api-cpu-high",
        fail_min - timedelta(minutes=9),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [40.6] was greater than the threshold (40.0).",
    )
    k.transition(
        "checkout-api-cpu-high",
        fail_min + timedelta(minutes=6),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [33.9] was not greater than the threshold (40.0).",
    )

    # --- cloudtrail ----------------------------------------------------------------------------
    vault_role = k.role_identity("card-vault-task", k.hexid(32))
    export_role = k.role_identity("member-export-task", task_id)
    events_role = k.role_identity("ecs-events-member-export", k.hexid(32))
    events_role["invokedBy"] = "events.amazonaws.com"
    ci = k.role_identity("payments-deploy", f"GitHubActions-{r.randint(8000000000, 8999999999)}")
    sec = k.role_identity(
        f"AWSReservedSSO_SecurityEngineer_{k.hexid(16)}",
        "marc.tremblay@maplecard.ca",
        path="/aws-reserved/sso.amazonaws.com/ca-central-1/",
    )
    gh: dict[str, Any] = dict(
        ip=f"4.{r.randint(150, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
    )
    td_new = f"arn:aws:ecs:{REGION}:{acct}:task-definition/checkout-api:{r.randint(421, 440)}"
    k.ct(
        deploy_t - timedelta(seconds=20),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        params={
            "family": "checkout-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        response={
            "taskDefinition": {"taskDefinitionArn": td_new, "family": "checkout-api", "status": "ACTIVE"}
        },
        read_only=False,
        **gh,
    )
    k.ct(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        params={
            "cluster": cluster,
            "service": "checkout-api",
            "taskDefinition": td_new,
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceName": "checkout-api",
                "status": "ACTIVE",
                "desiredCount": 12,
                "taskDefinition": td_new,
            }
        },
        read_only=False,
        **gh,
    )
    # the WAF change an engineer will ask about (it only adds a country to a block list for the admin paths)
    waf_t = fail_min - timedelta(minutes=r.randint(12, 25))
    acl_id = k.uuid()
    k.ct(
        waf_t,
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        sec,
        params={
            "name": "admin-deny-list",
            "scope": "REGIONAL",
            "id": k.uuid(),
            "addresses": [
                f"185.{r.randint(1, 250)}.{r.randint(1, 250)}.0/24",
                f"45.{r.randint(1, 250)}.{r.randint(1, 250)}.0/24",
            ],
            "lockToken": k.uuid(),
        },
        response={"nextLockToken": k.uuid()},
        read_only=False,
        ip=f"142.{r.randint(100, 200)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    )
    k.ct(
        waf_t - timedelta(minutes=1),
        "wafv2.amazonaws.com",
        "GetWebACL",
        sec,
        params={"name": "checkout-public-acl", "scope": "REGIONAL", "id": acl_id},
        ip=f"142.{r.randint(100, 200)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/124.0.0.0",
    )
    # the scheduled export run
    k.ct(
        job_t + timedelta(seconds=r.randint(1, 4)),
        "ecs.amazonaws.com",
        "RunTask",
        events_role,
        params={
            "cluster": f"arn:aws:ecs:{REGION}:{acct}:cluster/{batch_cluster}",
            "count": 1,
            "launchType": "FARGATE",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/member-export:23",
            "startedBy": "events-rule/member-export-monthly",
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": ["subnet-0" + k.hexid(16)], "assignPublicIp": "DISABLED"}
            },
        },
        response={
            "tasks": [
                {
                    "taskArn": f"arn:aws:ecs:{REGION}:{acct}:task/{batch_cluster}/{task_id}",
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "startedBy": "events-rule/member-export-monthly",
                    "group": "family:member-export",
                }
            ],
            "failures": [],
        },
        read_only=False,
        ip="events.amazonaws.com",
        agent="events.amazonaws.com",
    )
    # sampled KMS data-key calls (CloudTrail records each Decrypt; only a sample is here)
    t = start + timedelta(seconds=r.randint(5, 120))
    while t < now:
        f = per_min[minute(t)]["frac"]
        throttled = f > 0.01 and r.random() < min(0.8, f * 2.5)
        k.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            vault_role,
            params={"encryptionContext": {"app": "card-vault"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": vkarn}],
            error=(
                "ThrottlingException",
                "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
            )
            if throttled
            else None,
            ip=f"10.31.{r.randint(16, 47)}.{r.randint(2, 250)}",
            agent=JAVA_UA,
        )
        t += timedelta(seconds=r.randint(200, 420) if f <= 0.01 else r.randint(40, 90))
    t = job_t + timedelta(minutes=2, seconds=r.randint(0, 60))
    while t < now:
        f = per_min[minute(t)]["frac"]
        throttled = f > 0.01 and r.random() < min(0.8, f * 2.5)
        k.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            export_role,
            params={
                "encryptionContext": {"table": "members", "field": "email"},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": pkarn}],
            error=(
                "ThrottlingException",
                "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
            )
            if throttled
            else None,
            ip=f"10.31.{r.randint(64, 79)}.{r.randint(2, 250)}",
            agent=PY_UA,
        )
        t += timedelta(seconds=r.randint(40, 90))
    # tooling reads
    grafana = k.role_identity("grafana-cloudwatch-read", "grafana")
    cfg = k.role_identity(
        "AWSServiceRoleForConfig", "AWSConfig-Describe", path="/aws-service-role/config.amazonaws.com/"
    )
    calls: list[tuple[str, str, dict, dict | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "ListMetrics", grafana, {"namespace": "AWS/ApplicationELB"}),
        (
            "ecs.amazonaws.com",
            "DescribeServices",
            grafana,
            {"cluster": cluster, "services": ["checkout-api", "card-vault"]},
        ),
        (
            "elasticloadbalancing.amazonaws.com",
            "DescribeTargetHealth",
            grafana,
            {"targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:{tgs['card-vault']}"},
        ),
        ("kms.amazonaws.com", "DescribeKey", cfg, {"keyId": vault_key}),
        ("kms.amazonaws.com", "ListAliases", cfg, None),
    ]
    k.readonly_noise(start, now, calls, r.randint(35, 50))
    for rec in k.trail:
        if (
            rec["userIdentity"].get("sessionContext", {}).get("sessionIssuer", {}).get("userName")
            == "AWSServiceRoleForConfig"
        ):
            rec["sourceIPAddress"] = rec["userAgent"] = "config.amazonaws.com"
            rec["userIdentity"]["invokedBy"] = "config.amazonaws.com"
            rec.pop("tlsDetails", None)
        if rec["sourceIPAddress"] == "events.amazonaws.com":
            rec.pop("tlsDetails", None)

    ev = k.alarm_event(
        a,
        alarm_t,
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints [2.0, 0.0, 4.0] were not greater than the threshold (50.0) (minimum 3 datapoints for ALARM -> OK transition).",
        start - timedelta(days=3, hours=5),
        text,
        data,
    )
    asked = (fail_min - timedelta(minutes=r.randint(1, 4))).astimezone(TZ)
    q = (
        f"Card payments at checkout are failing for a lot of customers since about {asked.strftime('%-I:%M%p').lower()}, "
        f"card-vault is throwing 503s. Security pushed a WAF change a bit before that - could that be blocking the vault? "
        f"checkout-api also deployed earlier today."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": "CryptographicOperationsSymmetric",
            "category": "limit",
            "failure_mode": "kms-request-rate-quota-exceeded",
        },
        "also_accept": [
            "KMS cryptographic operations request quota",
            "KMS request rate quota",
            "AWS/Usage KMS CallCount CryptographicOperationsSymmetric",
            "kms:Decrypt request quota",
        ],
        "actions": ["reconfigure", "scale"],
        "chain": [
            "CryptographicOperationsSymmetric",
            "member-export",
            vault_key,
            "card-vault",
            "checkout-api",
        ],
    }
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": q, "alarm_event": ev, "timezone": "America/Toronto"},
        truth=truth,
    )
