"""Freight quotes failing with 'prices unavailable' in the afternoon.

What happened: the host under one of the two hand-built pricing-engine instances behind the internal ALB
failed (system status check failed, instance unreachable). The internal ALB took it out; the survivor could
not carry the afternoon load alone, its gunicorn workers timed out and the web tier's 3 s pricing calls failed.
A reboot attempted by an engineer did not help (a reboot stays on the same host).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzk import (
    AZS,
    Ctx,
    World,
    alb_metrics,
    diurnal,
    instance_metrics,
    iso,
    launch_template,
    ok_reason,
    threshold_reason,
)

NAME = "quoteport-prices-unavailable"
TITLE = "Freight quotes failing with 'prices unavailable' since mid-afternoon; web servers look fine"
SUMMARY = (
    "The host under one of two statically registered pricing-engine instances failed; the internal ALB "
    "dropped it and the remaining instance saturated, so quote pages timed out on pricing calls."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-central-1")
    r = c.rng
    day = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=r.randint(0, 40))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    fail = day.replace(hour=13, minute=r.randint(5, 40), second=r.randint(0, 59))  # 14:xx Berlin
    start = (fail - timedelta(hours=3, minutes=r.randint(40, 55))).replace(second=0)
    now = (fail + timedelta(minutes=r.randint(48, 60))).replace(second=0)
    web_n = r.choice([4, 5, 6])
    w = World(c, "quoteport", day - timedelta(days=r.randint(600, 900)))
    w.security_group("quoteport-alb", "public ALB", [(443, "0.0.0.0/0")])
    w.security_group("quoteport-web", "web servers", [(8000, "quoteport-alb")])
    w.security_group("pricing-int-alb", "pricing-engine internal ALB", [(80, "quoteport-web")])
    w.security_group("pricing-engine", "pricing-engine", [(8080, "pricing-int-alb"), (22, "10.40.0.0/16")])
    w.security_group("db", "quoteport postgres", [(5432, "quoteport-web"), (5432, "pricing-engine")])
    w.security_group("cache", "quoteport redis", [(6379, "quoteport-web")])
    lt = launch_template(c, "quoteport-web", r.randint(14, 40))
    web_ids = [
        w.instance(
            "quoteport-web",
            "c6i.large",
            AZS[i % 3],
            "quoteport-web",
            day - timedelta(days=r.randint(2, 12)),
            asg="quoteport-web-prod",
            lt=lt,
        )
        for i in range(web_n)
    ]
    pe_azs = ["a", "b"]
    r.shuffle(pe_azs)
    pe = [
        w.instance(
            f"pricing-engine-{k + 1}",
            "m5.xlarge",
            pe_azs[k],
            "pricing-engine",
            w.built + timedelta(days=r.randint(30, 90)),
            profile="pricing-engine",
        )
        for k in range(2)
    ]
    bad = pe[r.randint(0, 1)]
    good = pe[0] if bad == pe[1] else pe[1]
    bad_name = "pricing-engine-1" if bad == pe[0] else "pricing-engine-2"
    good_name = "pricing-engine-2" if bad == pe[0] else "pricing-engine-1"
    fail_status = {
        bad: {
            "InstanceStatus": {
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(fail + timedelta(minutes=2)),
                    }
                ],
                "Status": "impaired",
            },
            "SystemStatus": {
                "Details": [
                    {
                        "Name": "reachability",
                        "Status": "failed",
                        "ImpairedSince": iso(fail + timedelta(seconds=50)),
                    }
                ],
                "Status": "impaired",
            },
        }
    }
    w.emit_instances(fail_status)
    alb_arn, lb = w.load_balancer("quoteport-prod", "internet-facing", "quoteport-alb", w.built)
    ialb_arn, ilb = w.load_balancer("pricing-engine-int", "internal", "pricing-int-alb", w.built)
    tg_arn, tg = w.target_group("quoteport-web-8000", 8000, "/health/", alb_arn)
    itg_arn, itg = w.target_group(
        "pricing-engine-8080", 8080, "/ping", ialb_arn, interval=10, timeout=5, unhealthy=3
    )
    w.asg("quoteport-web-prod", web_ids, tg_arn, lt, 3, 10, w.built)
    w.rds_instance("quoteport-db", "db.m6g.2xlarge", "postgres", "15.8", "quoteport-pg15", "a", w.built)
    w.redis("quoteport-sessions", "cache.t4g.medium", w.built)
    for g in ("/quoteport/web", "/pricing-engine/app", "/var/log/messages"):
        w.log_group(g, 30, w.built)

    def rpm(t: datetime) -> float:
        return diurnal(t, 1, 3900, 300)

    def stage(t: datetime) -> str:
        if t < fail:
            return "ok"
        if t < fail + timedelta(seconds=40):
            return "detecting"
        return "single"

    def pe_util(t: datetime) -> float:
        """Pricing demand as share of one instance's capacity."""
        return rpm(t) * 1.4 / 3900 * 0.62

    def web_fail(t: datetime) -> float:
        s = stage(t)
        if s == "ok":
            return 0.0008
        if s == "detecting":
            return 0.5
        over = pe_util(t) * 2 - 1.0  # both instances' load on one
        return max(0.04, min(0.6, over * 0.55 + r.gauss(0, 0.02)))

    alb_metrics(
        c,
        lb,
        tg,
        start,
        now,
        rpm,
        web_fail,
        lambda t: 0.16 + (1.9 * web_fail(t) if t >= fail else 0),
        lambda t: (web_n, 0),
    )
    alb_metrics(
        c,
        ilb,
        itg,
        start,
        now,
        lambda t: rpm(t) * 1.4,
        lambda t: 0.0002 if t < fail else 0.01 + web_fail(t) * 0.15,
        lambda t: 0.21 if t < fail else min(2.9, 0.4 + web_fail(t) * 4.5),
        lambda t: (2, 0) if t < fail + timedelta(seconds=40) else (1, 1),
        elb5=lambda t: 0.0 if t < fail else web_fail(t) * 0.55,
        err4_rate=0.0,
    )
    instance_metrics(
        c,
        w,
        web_ids,
        "quoteport-web-prod",
        start,
        now,
        lambda i, t: 9 + 22 * rpm(t) / 3900 + r.gauss(0, 1.5),
        44,
        37,
    )

    def pe_cpu(i: str, t: datetime) -> float | None:
        if i == bad:
            return None if t >= fail - timedelta(minutes=1) else 8 + 70 * pe_util(t) + r.gauss(0, 2)
        if t < fail:
            return 8 + 70 * pe_util(t) + r.gauss(0, 2)
        return min(99.6 - r.random() * 1.5, 8 + 140 * pe_util(t) + r.gauss(0, 1))

    def pe_status(i: str, t: datetime) -> tuple[int, int]:
        if i != bad or t < fail + timedelta(seconds=50):
            return (0, 0)
        return (1, 1 if t >= fail + timedelta(minutes=2) else 0)

    # basic monitoring: five-minute CPU; status checks every minute
    instance_metrics(c, w, pe, "", start, now, pe_cpu, 57, 62, step=300)
    for i in pe:
        t = start
        while t <= now:
            if t.minute % 5:
                sy, ins = pe_status(i, t)
                c.put("AWS/EC2", "StatusCheckFailed", {"InstanceId": i}, t, "Count", max(sy, ins))
                c.put("AWS/EC2", "StatusCheckFailed_System", {"InstanceId": i}, t, "Count", sy)
                c.put("AWS/EC2", "StatusCheckFailed_Instance", {"InstanceId": i}, t, "Count", ins)
            t += timedelta(minutes=1)
    # the 5-minute grid above published status too; make it agree
    for m in c.metrics:
        if m["metric"].startswith("StatusCheckFailed") and m["dimensions"].get("InstanceId") == bad:
            ts = datetime.strptime(m["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            sy, ins = pe_status(bad, ts)
            m["value"] = {
                "StatusCheckFailed": max(sy, ins),
                "StatusCheckFailed_System": sy,
                "StatusCheckFailed_Instance": ins,
            }[m["metric"]]
    t = start
    while t <= now:
        load = rpm(t) / 3900
        d = {"DBInstanceIdentifier": "quoteport-db"}
        c.put(
            "AWS/RDS",
            "CPUUtilization",
            d,
            t,
            "Percent",
            round(7 + 21 * load * (1 - web_fail(t) * 0.5) + r.gauss(0, 1), 2),
        )
        c.put("AWS/RDS", "DatabaseConnections", d, t, "Count", r.randint(118, 131))
        c.put("AWS/RDS", "ReadLatency", d, t, "Seconds", round(0.0007 + r.random() * 0.0003, 6))
        c.put("AWS/RDS", "WriteLatency", d, t, "Seconds", round(0.0011 + r.random() * 0.0004, 6))
        c.put("AWS/RDS", "FreeableMemory", d, t, "Bytes", round(r.gauss(1.12e10, 6e7)))
        c.put(
            "AWS/ElastiCache",
            "CPUUtilization",
            {"CacheClusterId": "quoteport-sessions-001", "CacheNodeId": "0001"},
            t,
            "Percent",
            round(2 + 3 * load + r.gauss(0, 0.3), 2),
        )
        c.put(
            "AWS/ElastiCache",
            "CurrConnections",
            {"CacheClusterId": "quoteport-sessions-001", "CacheNodeId": "0001"},
            t,
            "Count",
            web_n * 6 + r.randint(0, 2),
        )
        t += timedelta(minutes=1)

    # --- logs ---------------------------------------------------------------------------------------------
    int_dns = f"internal-pricing-engine-int-{r.randint(100000000, 999999999)}.{c.region}.elb.amazonaws.com"
    wpids = {i: r.randint(3000, 3900) for i in web_ids}
    t = start
    while t <= now:
        for i in web_ids:
            if r.random() < 0.2:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/quoteport/web",
                    f"{i}/django",
                    ts,
                    f"{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d} INFO quoteport.quotes.views "
                    f"quote computed lane={r.choice(['DEHAM-PLGDN', 'DEDUS-NLRTM', 'DEMUC-ITMIL', 'DEBRE-DKAAR'])} "
                    f"ms={r.randint(140, 420)}",
                )
            f = web_fail(t)
            if t >= fail:
                for _ in range(int(f * 9 + r.random())):
                    ts = t + timedelta(seconds=r.uniform(0, 59))
                    if r.random() < 0.7:
                        err = (
                            f"HTTPConnectionPool(host='{int_dns}', port=80): Read timed out. (read timeout=3)"
                        )
                    else:
                        err = "502 Server Error: Bad Gateway for url: http://" + int_dns + "/v3/price"
                    c.log(
                        "/quoteport/web",
                        f"{i}/django",
                        ts,
                        f"{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d} ERROR "
                        f"quoteport.pricing.client [pid {wpids[i]}] pricing call failed, returning "
                        f"PRICES_UNAVAILABLE: {err}",
                    )
            elif r.random() < 0.01:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/quoteport/web",
                    f"{i}/django",
                    ts,
                    f"{ts.strftime('%Y-%m-%d %H:%M:%S')},{ts.microsecond // 1000:03d} WARNING django.request "
                    "Not Found: /wp-login.php",
                )
        for i, nm in ((bad, bad_name), (good, good_name)):
            if i == bad and t >= fail:
                continue
            if r.random() < 0.4:
                ts = t + timedelta(seconds=r.uniform(0, 59))
                c.log(
                    "/pricing-engine/app",
                    f"{nm}/{i}",
                    ts,
                    f"[{ts.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{r.randint(2100, 2140)}] [INFO] "
                    f"tariff snapshot age {r.randint(20, 290)}s, lanes={r.randint(11800, 12100)}",
                )
            if (
                i == good
                and t >= fail + timedelta(minutes=2)
                and r.random() < min(1.0, (pe_util(t) * 2 - 1) * 3)
            ):
                for _ in range(r.randint(1, 3)):
                    ts = t + timedelta(seconds=r.uniform(0, 59))
                    c.log(
                        "/pricing-engine/app",
                        f"{nm}/{i}",
                        ts,
                        f"[{ts.strftime('%Y-%m-%d %H:%M:%S')} +0000] [2088] [CRITICAL] WORKER TIMEOUT "
                        f"(pid:{r.randint(2100, 2140)})",
                    )
                    c.log(
                        "/pricing-engine/app",
                        f"{nm}/{i}",
                        ts + timedelta(milliseconds=r.randint(50, 400)),
                        f"[{ts.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{r.randint(31000, 39000)}] [INFO] "
                        f"Booting worker with pid: {r.randint(31000, 39000)}",
                    )
        t += timedelta(minutes=1)

    # --- CloudTrail --------------------------------------------------------------------------------------
    ci = c.role_identity("quoteport-ci-deploy", "gitlab-runner")
    dep = "d-" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    dep_at = fail - timedelta(minutes=r.randint(95, 120))
    c.ct(
        dep_at,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "quoteport-web",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "quoteport-releases",
                    "bundleType": "tgz",
                    "key": f"web/quoteport-web-{r.randint(300, 400)}.tgz",
                },
            },
        },
        {"deploymentId": dep},
        agent="aws-cli/2.13.4 Python/3.11.4 Linux/5.15.0 docker/x86_64.ubuntu.22",
        ip="35.157.22.190",
    )
    w.codedeploy(
        "quoteport-web",
        "prod",
        dep,
        dep_at,
        dep_at + timedelta(minutes=web_n * 2 + 2),
        web_n,
        "quoteport-web-8000",
        "quoteport-releases",
        "web/quoteport-web.tgz",
        config="CodeDeployDefault.HalfAtATime",
    )
    eng = c.sso_identity(
        r.choice(["jonas.becker", "lea.hoffmann", "emre.yilmaz"]),
        "AWSReservedSSO_Operations_2b7c9e1d4a6f8035",
    )
    oncall = c.sso_identity(
        r.choice(["nina.krause", "paul.schmitt"]), "AWSReservedSSO_Operations_2b7c9e1d4a6f8035"
    )
    c.ct(
        fail - timedelta(minutes=r.randint(30, 50)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        eng,
        {
            "groupId": w.sg["quoteport-web"],
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9100,
                        "toPort": 9100,
                        "ipRanges": {"items": [{"cidrIp": "10.40.8.0/24", "description": "prometheus"}]},
                    }
                ]
            },
        },
        {"requestId": c.uuid(), "_return": True},
    )
    c.ct(
        fail - timedelta(minutes=r.randint(8, 20)),
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        eng,
        {
            "dBSnapshotIdentifier": f"quoteport-db-pre-migration-{day:%Y%m%d}",
            "dBInstanceIdentifier": "quoteport-db",
        },
        {
            "dBSnapshotIdentifier": f"quoteport-db-pre-migration-{day:%Y%m%d}",
            "dBInstanceIdentifier": "quoteport-db",
            "status": "creating",
            "engine": "postgres",
            "allocatedStorage": 500,
        },
    )
    c.ct(
        fail + timedelta(minutes=r.randint(14, 19)),
        "ssm.amazonaws.com",
        "StartSession",
        oncall,
        {"target": bad},
        None,
        error=("TargetNotConnected", f"{bad} is not connected."),
        agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ssm.start-session",
    )
    c.ct(
        fail + timedelta(minutes=r.randint(21, 26)),
        "ec2.amazonaws.com",
        "RebootInstances",
        oncall,
        {"instancesSet": {"items": [{"instanceId": bad}]}},
        {"requestId": c.uuid(), "_return": True},
        agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.reboot-instances",
    )
    c.ct(
        fail + timedelta(minutes=r.randint(28, 33)),
        "ssm.amazonaws.com",
        "StartSession",
        oncall,
        {"target": good},
        {
            "sessionId": f"{oncall['principalId'].split(':')[1]}-{c.hex(17)}",
            "tokenValue": "Value hidden due to security reasons.",
            "streamUrl": f"wss://ssmmessages.{c.region}.amazonaws.com/v1/data-channel/x",
        },
        agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ssm.start-session",
    )
    sched = c.role_identity("quoteport-ops-lambda", "nightly-ami-cleanup")
    c.ct(
        start + timedelta(minutes=r.randint(10, 40)),
        "ec2.amazonaws.com",
        "DeregisterImage",
        sched,
        {"imageId": f"ami-0{c.hex(16)}"},
        {"requestId": c.uuid(), "_return": True},
        agent="Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10 lang/python#3.11.8 exec-env/AWS_Lambda_python3.11",
    )
    c.readonly_noise(
        start,
        now,
        60,
        [
            ("ec2.amazonaws.com", "DescribeInstanceStatus", {"includeAllInstances": True}),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": itg_arn}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("codedeploy.amazonaws.com", "ListDeployments", {"applicationName": "quoteport-web"}),
        ],
    )

    # --- target health, health event -------------------------------------------------------------------
    w.health_points(tg_arn, web_ids, 8000, start)
    w.health_points(itg_arn, pe, 8080, start)
    w.health_points(
        itg_arn, [bad], 8080, fail + timedelta(seconds=35), "unhealthy", "Target.Timeout", "Request timed out"
    )
    for k, i in enumerate(web_ids):
        w.health_points(
            tg_arn,
            [i],
            8000,
            dep_at + timedelta(minutes=1 + 2 * (k // 3)),
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        w.health_points(tg_arn, [i], 8000, dep_at + timedelta(minutes=3 + 2 * (k // 3)))
    posted = fail + timedelta(minutes=r.randint(24, 34))
    if posted < now:
        earn = (
            f"arn:aws:health:{c.region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/"
            f"AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{c.hex(8).upper()}_{c.uuid()}"
        )
        retire = (posted + timedelta(days=14)).replace(hour=8, minute=0, second=0)
        c.events.append(
            {
                "source": "health",
                "item": {
                    "event": {
                        "arn": earn,
                        "service": "EC2",
                        "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                        "eventTypeCategory": "scheduledChange",
                        "region": c.region,
                        "availabilityZone": w.instances[bad]["Placement"]["AvailabilityZone"],
                        "startTime": iso(retire),
                        "endTime": iso(retire + timedelta(days=1)),
                        "lastUpdatedTime": iso(posted),
                        "statusCode": "upcoming",
                        "eventScopeCode": "ACCOUNT_SPECIFIC",
                    },
                    "description": (
                        f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance "
                        f"(instance-ID: {bad}) associated with your AWS account (AWS Account ID: {c.account}) in the "
                        f"{c.region} region. Due to this degradation your instance could already be unreachable. We will "
                        f"stop your instance after {retire:%Y-%m-%d %H:%M:%S} UTC.\n\nYou can see more information on your "
                        "instances that are scheduled for retirement in the AWS Management Console "
                        "(https://console.aws.amazon.com/ec2/v2/home?region=" + c.region + "#Events)\n\n"
                        "* What will happen to my instance?\nYour instance will be stopped after the specified retirement "
                        "date. You can start it again at any time after it's stopped.\n\n* What do I need to do?\nWe "
                        "recommend that you stop and start the instance which will migrate the instance to a new host."
                    ),
                    "affected_entities": [
                        {
                            "entityArn": f"arn:aws:health:{c.region}:{c.account}:entity/{c.hex(20)}",
                            "eventArn": earn,
                            "entityValue": bad,
                            "awsAccountId": c.account,
                            "lastUpdatedTime": iso(posted),
                            "statusCode": "IMPAIRED",
                        }
                    ],
                },
            }
        )

    # --- alarms ---------------------------------------------------------------------------------------------
    t5 = (fail + timedelta(minutes=r.randint(3, 5))).replace(second=r.randint(5, 55))
    a5 = c.alarm(
        "quoteport-web-target-5xx",
        "quoteport web 5xx over 30/min",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb},
        "Sum",
        60,
        2,
        30.0,
        "GreaterThanThreshold",
        missing="notBreaching",
        configured=w.built + timedelta(days=40),
        transitions=[
            (
                t5,
                "OK",
                "ALARM",
                threshold_reason(
                    "Sum",
                    float(r.randint(120, 600)),
                    30.0,
                    "GreaterThanThreshold",
                    2,
                    t5 - timedelta(minutes=1),
                ),
            )
        ],
    )
    tc = (fail + timedelta(minutes=r.randint(11, 16))).replace(second=r.randint(0, 59))
    c.alarm(
        f"{good_name}-cpu-high",
        f"{good_name} CPU above 90% for 10 minutes",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": good},
        "Average",
        300,
        2,
        90.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=100),
        transitions=[
            (
                tc,
                "OK",
                "ALARM",
                threshold_reason(
                    "Average",
                    round(r.uniform(95, 99.5), 3),
                    90.0,
                    "GreaterThanThreshold",
                    2,
                    tc - timedelta(minutes=5),
                ),
            )
        ],
    )
    c.alarm(
        f"{bad_name}-cpu-high",
        f"{bad_name} CPU above 90% for 10 minutes",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": bad},
        "Average",
        300,
        2,
        90.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=100),
        transitions=[
            (
                fail + timedelta(minutes=11),
                "OK",
                "INSUFFICIENT_DATA",
                "Insufficient Data: 2 datapoints were unknown.",
            )
        ],
    )
    c.alarm(
        "quoteport-db-cpu",
        "postgres CPU > 80%",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": "quoteport-db"},
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        configured=w.built + timedelta(days=10),
    )
    tr1 = start + timedelta(minutes=r.randint(30, 70))
    c.alarm(
        "quoteport-sessions-evictions",
        "redis evicting keys",
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": "quoteport-sessions-001"},
        "Sum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        missing="notBreaching",
        topic="quoteport-low",
        configured=w.built + timedelta(days=300),
        transitions=[
            (
                tr1,
                "OK",
                "ALARM",
                threshold_reason(
                    "Sum", float(r.randint(3, 40)), 0.0, "GreaterThanThreshold", 1, tr1 - timedelta(minutes=5)
                ),
            ),
            (
                tr1 + timedelta(minutes=5),
                "ALARM",
                "OK",
                "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
                "treated as [NonBreaching].",
            ),
        ],
    )
    c.put(
        "AWS/ElastiCache",
        "Evictions",
        {"CacheClusterId": "quoteport-sessions-001"},
        (tr1 - timedelta(minutes=5)).replace(second=0),
        "Count",
        float(r.randint(3, 40)),
    )
    event = c.alarm_event(
        a5,
        t5,
        "OK",
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
        "datapoints were treated as [NonBreaching].",
        day - timedelta(days=r.randint(3, 20)),
    )
    _ = ok_reason
    local = fail + timedelta(hours=1, minutes=r.randint(2, 6))
    question = (
        f"Lots of customers get 'prices unavailable' on the quote page since about {local:%H:%M}, or it just "
        "spins. Web servers look fine on the dashboard. Did the lunchtime web deploy break something?"
    )
    return c.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "Europe/Berlin"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad,
                    "category": "component_failure",
                    "failure_mode": "ec2-underlying-host-failure",
                },
                "also_accept": [bad_name, w.instances[bad]["PrivateDnsName"]],
                "actions": ["restart", "scale"],
                "chain": [bad, "pricing-engine-8080", good, "quoteport-web-prod", "quoteport-prod"],
            },
        }
    )
