"""trailcart: the load balancer's request-count alarm fires at lunchtime."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zf as k

NAME = "trailcart-alb-requests-lunchtime"
TITLE = "trailcart ALB request-count alarm at lunchtime"
SUMMARY = (
    "No fault: the weekly Tuesday-noon app push campaign drives a request surge; the ASG scales out on "
    "request count and latency and errors stay normal, exactly as the week before."
)

REGION = "eu-central-1"
AZS = [("eu-central-1a", "euc1-az2"), ("eu-central-1b", "euc1-az3"), ("eu-central-1c", "euc1-az1")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    while True:
        day = datetime(2024, rng.choice([4, 5, 6, 9]), rng.randrange(9, 29), tzinfo=UTC)
        if day.weekday() == 1:  # Tuesday
            break
    tz = 2.0  # CEST
    push_t = [
        day + timedelta(hours=10, seconds=rng.randrange(3, 20)),
        day - timedelta(days=7) + timedelta(hours=10, seconds=rng.randrange(3, 20)),
    ]
    onset = push_t[0]
    start = (day - timedelta(days=8)).replace(hour=8)
    short_start = onset - timedelta(hours=6)
    now = (onset + timedelta(minutes=rng.randrange(38, 50))).replace(second=0)
    fine_from = onset - timedelta(hours=3)
    mag = [k.jitter(rng, 3.4, 0.06), k.jitter(rng, 3.3, 0.06)]

    def traffic(t: datetime) -> float:
        """requests per minute"""
        v = 1550 * k.diurnal(t, tz, peak_h=13.0, floor=0.12)
        for p, mg in zip(push_t, mag, strict=True):
            dt = (t - p).total_seconds() / 60
            if 0 <= dt < 90:
                v *= 1 + (mg - 1) * min(1.0, (dt + 1) / 2) * (0.5 ** (dt / 12))
        return v

    vpc_id = "vpc-0" + k.hexs(rng, 16)
    priv = [
        ("subnet-0" + k.hexs(rng, 16), az, azid, f"10.50.{64 + 16 * i}") for i, (az, azid) in enumerate(AZS)
    ]
    pub = [("subnet-0" + k.hexs(rng, 16), az, azid, f"10.50.{i}") for i, (az, azid) in enumerate(AZS)]
    sg_alb, sg_web, sg_db = ("sg-0" + k.hexs(rng, 16) for _ in range(3))
    asg_name = "trailcart-web-prod"
    lt = ("lt-0" + k.hexs(rng, 16), "trailcart-web-prod", str(rng.randrange(50, 90)))
    ami = "ami-0" + k.hexs(rng, 16)
    lb_res, lb_arn, lb_dim = k.alb(
        rng,
        "trailcart-web",
        acct,
        REGION,
        vpc_id,
        [(az, sid) for sid, az, _, _ in pub],
        [sg_alb],
        day - timedelta(days=500),
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng, "trailcart-web-8000", acct, REGION, vpc_id, lb_arn, 8000, "/-/health"
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    asg_arn = (
        f"arn:aws:autoscaling:{REGION}:{acct}:autoScalingGroup:{k.uid(rng)}:autoScalingGroupName/{asg_name}"
    )

    # fleet: 4 steady instances; each push adds 3 that are removed again later
    base: list[k.Inst] = []
    launched = day - timedelta(days=rng.randrange(9, 13))
    for n in range(4):
        sid, az, _azid, pre = priv[n % 3]
        base.append(
            k.Inst("i-0" + k.hexs(rng, 16), az, sid, k.ip_private(rng, pre), launched + timedelta(minutes=n))
        )
    extra: list[tuple[k.Inst, datetime, datetime | None]] = []  # (instance, in service, terminated)
    activities: list[dict[str, Any]] = []
    for p in push_t:
        alarm_t = p + timedelta(minutes=3, seconds=rng.randrange(10, 50))
        for n in range(3):
            sid, az, _azid, pre = priv[(n + 1) % 3]
            lt0 = alarm_t + timedelta(seconds=8 + n)
            inst = k.Inst("i-0" + k.hexs(rng, 16), az, sid, k.ip_private(rng, pre), lt0)
            ins = lt0 + timedelta(seconds=rng.randrange(40, 70))
            gone_at = p + timedelta(minutes=rng.randrange(70, 80) + 4 * n)
            gone_t: datetime | None = gone_at if gone_at < now else None
            if gone_t is not None:
                inst.state = "terminated"
            extra.append((inst, ins, gone_t))
            activities.append(
                k.asg_activity(
                    rng,
                    asg_name,
                    asg_arn,
                    f"Launching a new EC2 instance: {inst.id}",
                    f"At {k.iso(alarm_t)} a monitor alarm TargetTracking-{asg_name}-AlarmHigh-{k.hexs(rng, 8)}-{k.hexs(rng, 4)}-{k.hexs(rng, 4)}-{k.hexs(rng, 4)}-{k.hexs(rng, 12)} in state ALARM triggered policy requests-per-target changing the desired capacity from 4 to 7.  At {k.iso(lt0 - timedelta(seconds=1))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 4 to 7.",
                    lt0,
                    ins,
                    details={"Subnet ID": sid, "Availability Zone": az},
                )
            )
            if gone_t is not None:
                activities.append(
                    k.asg_activity(
                        rng,
                        asg_name,
                        asg_arn,
                        f"Terminating EC2 instance: {inst.id}",
                        f"At {k.iso(gone_at - timedelta(minutes=1))} a monitor alarm TargetTracking-{asg_name}-AlarmLow in state ALARM triggered policy requests-per-target changing the desired capacity from {7 - n} to {6 - n}.  At {k.iso(gone_at - timedelta(seconds=55))} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {7 - n} to {6 - n}.",
                        gone_at - timedelta(seconds=55),
                        gone_at,
                        details={"Subnet ID": sid, "Availability Zone": az},
                    )
                )
    # fix the cause text to use one alarm name for both weeks
    high_alarm = f"TargetTracking-{asg_name}-AlarmHigh-{k.uid(rng)}"
    low_alarm = f"TargetTracking-{asg_name}-AlarmLow-{k.uid(rng)}"
    for a in activities:
        c = a["item"]["Cause"]
        if "AlarmHigh-" in c:
            pre_, rest = c.split("TargetTracking-", 1)
            a["item"]["Cause"] = pre_ + high_alarm + rest[rest.index(" in state") :]
        else:
            a["item"]["Cause"] = c.replace(f"TargetTracking-{asg_name}-AlarmLow", low_alarm)

    def in_service(t: datetime) -> list[k.Inst]:
        out = list(base)
        for inst, ins, gone in extra:
            if ins <= t and (gone is None or t < gone - timedelta(seconds=55)):
                out.append(inst)
        return out

    # --- metrics ---------------------------------------------------------------------------------
    m = k.Metrics()
    long_times = k.timeline(start, fine_from, now)
    short_times = [(t, s) for t, s in long_times if t >= short_start]
    for t, s in long_times:
        n = k.poisson(rng, traffic(t) * s)
        m.add("AWS/ApplicationELB", "RequestCount", lbd, t, float(n), "Count")
        e5 = k.poisson(rng, n * 0.00006)
        if e5:
            m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, t, float(e5), "Count")
        hosts = len(in_service(t))
        per = traffic(t) / hosts
        med = 0.065 * (1 + max(0.0, per - 380) / 900)
        vals, cnts = k.latency_hist(rng, med, n, tail=0.004, tail_s=0.9)
        m.add_dist("AWS/ApplicationELB", "TargetResponseTime", lbd, t, vals, cnts, "Seconds")
        cpu = 6 + per * 0.085
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg_name},
            t,
            round(k.jitter(rng, cpu, 0.03), 2),
            "Percent",
        )
        m.add(
            "AWS/AutoScaling",
            "GroupInServiceInstances",
            {"AutoScalingGroupName": asg_name},
            t,
            float(hosts),
            "None",
        )
        m.add("AWS/ApplicationELB", "RequestCountPerTarget", tgd, t, round(n / hosts, 2), "Count")
    for t, s in short_times:
        nf = traffic(t) * s
        hs = in_service(t)
        m.add("AWS/ApplicationELB", "RequestCount", tgd, t, float(int(nf)), "Count")
        m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, t, float(len(hs)), "Count")
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, 0.0, "Count")
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            lbd,
            t,
            float(k.poisson(rng, nf * 0.021)),
            "Count",
        )
        m.add("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lbd, t, float(int(nf * 0.955)), "Count")
        m.add("AWS/ApplicationELB", "ActiveConnectionCount", lbd, t, float(k.poisson(rng, nf * 0.4)), "Count")
        e4 = k.poisson(rng, nf * 0.0004)
        if e4:
            m.add("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lbd, t, float(e4), "Count")
        for i in hs:
            m.add(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": i.id},
                t,
                round(k.jitter(rng, 6 + traffic(t) / len(hs) * 0.085, 0.06), 2),
                "Percent",
            )
        dbd = {"DBInstanceIdentifier": "trailcart-mysql-prod"}
        m.add(
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            t,
            round(k.jitter(rng, 12 + traffic(t) / 160, 0.05), 2),
            "Percent",
        )
        m.add(
            "AWS/RDS",
            "DatabaseConnections",
            dbd,
            t,
            float(int(k.jitter(rng, 60 + 9 * len(hs), 0.03))),
            "Count",
        )
    fn = "trailcart-push-dispatcher"
    for p in push_t:
        t0 = k.floor_min(p)
        m.add("AWS/Lambda", "Invocations", {"FunctionName": fn}, t0, 1.0, "Count")
        m.add("AWS/Lambda", "Errors", {"FunctionName": fn}, t0, 0.0, "Count")
        m.add(
            "AWS/Lambda",
            "Duration",
            {"FunctionName": fn},
            t0,
            round(k.jitter(rng, 48000, 0.05), 2),
            "Milliseconds",
        )

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{REGION}:{acct}:trailcart-oncall"
    specs = [
        k.AlarmSpec(
            "trailcart-alb-request-surge",
            "Unusual request volume on the trailcart ALB (bots?)",
            "AWS/ApplicationELB",
            "RequestCount",
            lbd,
            "Sum",
            300,
            1,
            1,
            18000.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "trailcart-web-5xx",
            "trailcart-web target 5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lbd,
            "Sum",
            300,
            2,
            2,
            40.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "trailcart-web-p99",
            "trailcart-web p99 latency > 2s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbd,
            "p99",
            60,
            5,
            3,
            2.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for sp in specs:
        ar = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, start, now)
        alarms.append(ar.alarm)
        history += ar.history
    for sp in (
        k.AlarmSpec(
            "trailcart-web-unhealthy",
            "unhealthy targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            3,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "trailcart-mysql-prod-cpu",
            "RDS CPU",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "trailcart-mysql-prod"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns],
        ),
    ):
        ar = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, short_start, now)
        alarms.append(ar.alarm)
        history += ar.history
    history.sort(key=lambda h: (h["Timestamp"], h["AlarmName"]))
    surge = [
        h
        for h in history
        if h["AlarmName"] == "trailcart-alb-request-surge" and h["HistorySummary"].endswith("to ALARM")
    ]
    fired = datetime.fromisoformat(surge[-1]["Timestamp"].replace("Z", "+00:00"))

    # --- events: target health --------------------------------------------------------------------
    events: list[dict[str, Any]] = list(activities)
    for i in base:
        events.append(k.th_point(tg_arn, i.id, 8000, i.launched + timedelta(minutes=2), "healthy"))
    for inst, ins, gone in extra:
        if gone is not None:
            continue  # last week's scale-out: long deregistered, DescribeTargetHealth no longer lists them
        events.append(
            k.th_point(
                tg_arn,
                inst.id,
                8000,
                ins,
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        )
        events.append(
            k.th_point(tg_arn, inst.id, 8000, ins + timedelta(seconds=rng.randrange(25, 40)), "healthy")
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = k.Trail(rng, acct, REGION)
    sec = k.sso_user(
        rng,
        acct,
        REGION,
        "SecurityEngineer",
        "femke.dijkstra@trailcart.nl",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    ci = k.role_session(
        rng,
        acct,
        "gha-trailcart-deploy",
        "GitHubActions",
        k.ip_public(rng),
        "aws-sdk-js/3.572.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.13.1 api/lambda#3.572.0",
    )
    mon = k.role_session(
        rng,
        acct,
        "grafana-cloudwatch",
        "grafana",
        k.ip_public(rng),
        "aws-sdk-go/1.51.21 (go1.22.2; linux; amd64)",
    )
    asg_svc = k.role_session(
        rng,
        acct,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "autoscaling.amazonaws.com",
        "autoscaling.amazonaws.com",
        path="/aws-service-role/autoscaling.amazonaws.com/",
    )
    asg_svc.identity["invokedBy"] = "autoscaling.amazonaws.com"
    oncall = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "bram.vermeulen@trailcart.nl",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    waf_t = onset - timedelta(minutes=rng.randrange(15, 25), seconds=rng.randrange(60))
    acl_id = k.uid(rng)
    k.set_session_created(sec, waf_t - timedelta(minutes=10))
    trail.add(
        waf_t - timedelta(minutes=1),
        sec,
        "wafv2.amazonaws.com",
        "GetWebACL",
        {"name": "trailcart-web", "scope": "REGIONAL", "id": acl_id},
        None,
        read_only=True,
    )
    trail.add(
        waf_t,
        sec,
        "wafv2.amazonaws.com",
        "UpdateWebACL",
        {
            "name": "trailcart-web",
            "scope": "REGIONAL",
            "id": acl_id,
            "defaultAction": {"allow": {}},
            "rules": [
                {
                    "name": "AWS-AWSManagedRulesCommonRuleSet",
                    "priority": 0,
                    "statement": {
                        "managedRuleGroupStatement": {
                            "vendorName": "AWS",
                            "name": "AWSManagedRulesCommonRuleSet",
                        }
                    },
                    "overrideAction": {"none": {}},
                    "visibilityConfig": {
                        "sampledRequestsEnabled": True,
                        "cloudWatchMetricsEnabled": True,
                        "metricName": "common",
                    },
                },
                {
                    "name": "rate-limit-per-ip",
                    "priority": 1,
                    "statement": {
                        "rateBasedStatement": {
                            "limit": 3000,
                            "evaluationWindowSec": 300,
                            "aggregateKeyType": "IP",
                        }
                    },
                    "action": {"block": {}},
                    "visibilityConfig": {
                        "sampledRequestsEnabled": True,
                        "cloudWatchMetricsEnabled": True,
                        "metricName": "rate-limit-per-ip",
                    },
                },
            ],
            "visibilityConfig": {
                "sampledRequestsEnabled": True,
                "cloudWatchMetricsEnabled": True,
                "metricName": "trailcart-web",
            },
            "lockToken": k.uid(rng),
        },
        {"nextLockToken": k.uid(rng)},
    )
    deploy_t = onset - timedelta(minutes=rng.randrange(5, 11), seconds=rng.randrange(60))
    trail.add(
        deploy_t,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "trailcart-image-resizer",
            "publish": True,
            "dryRun": False,
            "s3Bucket": f"trailcart-build-{acct[-6:]}",
            "s3Key": f"image-resizer/{k.hexs(rng, 40)}.zip",
        },
        {
            "functionName": "trailcart-image-resizer",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:trailcart-image-resizer",
            "runtime": "nodejs20.x",
            "version": str(rng.randrange(30, 60)),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": k.uid(rng),
        },
        host=f"lambda.{REGION}.amazonaws.com",
    )
    for inst, _ins, gone in extra:
        if inst.launched < start:
            continue
        trail.add(
            inst.launched + timedelta(seconds=1),
            asg_svc,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt[0], "version": lt[2]},
                "subnetId": inst.subnet,
            },
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": inst.id,
                            "imageId": ami,
                            "instanceType": "c7g.large",
                            "privateIpAddress": inst.ip,
                        }
                    ]
                }
            },
        )
        if gone is not None:
            trail.add(
                gone - timedelta(seconds=54),
                asg_svc,
                "ec2.amazonaws.com",
                "TerminateInstances",
                {"instancesSet": {"items": [{"instanceId": inst.id}]}},
                {
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": inst.id,
                                "currentState": {"code": 32, "name": "shutting-down"},
                                "previousState": {"code": 16, "name": "running"},
                            }
                        ]
                    }
                },
            )
    k.routine_reads(
        trail,
        rng,
        short_start,
        now,
        [mon],
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("ec2.amazonaws.com", "DescribeInstances", None),
        ],
        14,
    )
    k.routine_reads(
        trail,
        rng,
        short_start,
        onset - timedelta(minutes=40),
        [ci],
        [
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "trailcart-image-resizer"}),
            ("s3.amazonaws.com", "ListBuckets", None),
        ],
        5,
    )
    k.set_session_created(oncall, now - timedelta(minutes=15))
    for j, (src, name, params) in enumerate(
        [
            (
                "monitoring.amazonaws.com",
                "DescribeAlarmHistory",
                {"alarmName": "trailcart-alb-request-surge"},
            ),
            (
                "wafv2.amazonaws.com",
                "GetWebACL",
                {"name": "trailcart-web", "scope": "REGIONAL", "id": acl_id},
            ),
            ("autoscaling.amazonaws.com", "DescribeScalingActivities", {"autoScalingGroupName": asg_name}),
        ]
    ):
        trail.add(
            now - timedelta(minutes=12 - 3 * j, seconds=rng.randrange(50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    lg = "/trailcart/web/nginx-access"
    web_ua = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    ]
    app_ua = [
        "TrailcartApp/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)",
        "TrailcartApp/5.12.0 (Android 14; Pixel 8)",
        "TrailcartApp/5.11.2 (iPhone; iOS 16.7.7; Scale/3.00)",
    ]
    web_paths = ["/", "/c/tenten", "/c/wandelschoenen", "/p/{p}", "/api/v3/cart", "/api/v3/search?q={q}"]
    app_paths = [
        "/api/v3/campaigns/tuesday-drop?utm_source=push&utm_campaign=tuesday-drop",
        "/api/v3/products/{p}",
        "/api/v3/cart",
        "/api/v3/home",
    ]
    for i in base + [e[0] for e in extra if e[1] >= short_start]:
        stream = f"{i.id}/access.log"
        t = max(short_start, i.launched + timedelta(minutes=1))
        while t < now:
            if i.state == "terminated" and not any(e[0] is i and (e[2] is None or t < e[2]) for e in extra):
                break
            hosts = len(in_service(t))
            push_share = max(0.0, 1 - 1550 * k.diurnal(t, tz, 13.0, 0.12) / traffic(t))
            is_app = rng.random() < 0.35 + 0.6 * push_share
            path = rng.choice(app_paths if is_app else web_paths).format(
                p=rng.randrange(10000, 99999),
                q=rng.choice(["regenjas", "slaapzak", "rugzak+40l", "gasbrander"]),
            )
            ua = rng.choice(app_ua if is_app else web_ua)
            status = 200 if rng.random() > 0.02 else rng.choice([404, 304, 302])
            rt = max(0.003, rng.lognormvariate(-2.9, 0.5))
            local = t + timedelta(hours=2)
            line = f'{k.ip_private(rng, "10.50." + str(rng.randrange(0, 3)))} - - [{local.strftime("%d/%b/%Y:%H:%M:%S")} +0200] "GET {path} HTTP/1.1" {status} {rng.randrange(300, 48000)} "-" "{ua}" rt={rt:.3f} uct=0.000 urt={rt - 0.001:.3f} xff="{k.ip_public(rng)}"'
            logs.append(k.log(lg, stream, t, line))
            gap = 60 * hosts / max(1.0, traffic(t)) * (240 if t < fine_from else 45)
            t += timedelta(seconds=max(1.0, gap))
    plg = f"/aws/lambda/{fn}"
    for p in push_t:
        if p < start:
            continue
        stream = k.lambda_stream(rng, p)
        devices = rng.randrange(380000, 430000)
        logs += k.lambda_report(
            rng,
            plg,
            stream,
            p,
            k.jitter(rng, 48000, 0.05),
            512,
            rng.randrange(140, 180),
            k.jitter(rng, 420, 0.1),
            extra=[
                (
                    150,
                    f"{k.iso_ms(p)}\t{{rid}}\tINFO\tcampaign tuesday-drop: fan-out to {devices} opted-in devices (APNS, FCM) via SNS platform applications\n",
                ),
                (
                    47000,
                    f"{k.iso_ms(p + timedelta(seconds=47))}\t{{rid}}\tINFO\tcampaign tuesday-drop: published {devices - rng.randrange(200, 900)}, endpoint disabled {rng.randrange(200, 900)}\n",
                ),
            ],
        )

    # --- resources -------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        k.vpc(vpc_id, "10.50.0.0/16", acct, "trailcart-prod", "dopt-0" + k.hexs(rng, 16))
    ]
    for sid, az, azid, pre in priv:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/20",
                az,
                azid,
                acct,
                REGION,
                f"trailcart-prod-private-{az[-1]}",
                rng.randrange(4000, 4080),
            )
        )
    for sid, az, azid, pre in pub:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/24",
                az,
                azid,
                acct,
                REGION,
                f"trailcart-prod-public-{az[-1]}",
                rng.randrange(240, 250),
                public=True,
            )
        )
    resources += [
        k.security_group(
            sg_alb,
            "trailcart-web-alb",
            "trailcart ALB",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 443, 443, cidrs=[("0.0.0.0/0", "")])],
        ),
        k.security_group(
            sg_web,
            "trailcart-web",
            "trailcart web",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 8000, 8000, groups=[(sg_alb, "")], acct=acct)],
        ),
        k.security_group(
            sg_db,
            "trailcart-mysql",
            "trailcart mysql",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 3306, 3306, groups=[(sg_web, "")], acct=acct)],
        ),
        lb_res,
        tg_res,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(rng)}"),
    ]
    tag = {"Name": "trailcart-web-prod", "service": "trailcart-web", "aws:autoscaling:groupName": asg_name}
    az_ids = dict(AZS)
    members = []
    for i in base:
        resources.append(
            k.instance(
                rng,
                i,
                acct=acct,
                region=REGION,
                vpc_id=vpc_id,
                itype="c7g.large",
                ami=ami,
                profile="trailcart-web",
                sgs=[(sg_web, "trailcart-web")],
                tag=tag,
                lt=lt,
            )
        )
        resources.append(k.instance_status(i, az_ids[i.az]))
        members.append((i, "InService", "Healthy"))
    for inst, _ins, gone in extra:
        if gone is not None and gone < now - timedelta(hours=1):
            continue  # terminated instances drop out of DescribeInstances after about an hour
        resources.append(
            k.instance(
                rng,
                inst,
                acct=acct,
                region=REGION,
                vpc_id=vpc_id,
                itype="c7g.large",
                ami=ami,
                profile="trailcart-web",
                sgs=[(sg_web, "trailcart-web")],
                tag=tag,
                lt=lt,
            )
        )
        if gone is None:
            resources.append(k.instance_status(inst, az_ids[inst.az]))
            members.append((inst, "InService", "Healthy"))
    asg_item = k.asg(
        asg_name,
        acct,
        REGION,
        lt,
        [tg_arn],
        [p[0] for p in priv],
        [a for a, _ in AZS],
        members,
        day - timedelta(days=500),
        min_size=4,
        max_size=12,
        desired=len(members),
        itype="c7g.large",
        tag={"service": "trailcart-web"},
        rng=rng,
    )
    asg_item["item"]["AutoScalingGroupARN"] = asg_arn
    resources.append(asg_item)
    resources.append(
        k.res(
            "autoscaling",
            "ScalingPolicy",
            {
                "AutoScalingGroupName": asg_name,
                "PolicyName": "requests-per-target",
                "PolicyARN": f"arn:aws:autoscaling:{REGION}:{acct}:scalingPolicy:{k.uid(rng)}:autoScalingGroupName/{asg_name}:policyName/requests-per-target",
                "PolicyType": "TargetTrackingScaling",
                "StepAdjustments": [],
                "Alarms": [
                    {"AlarmName": a, "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{acct}:alarm:{a}"}
                    for a in (high_alarm, low_alarm)
                ],
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": f"{lb_dim}/{tg_dim}",
                    },
                    "TargetValue": 700.0,
                    "DisableScaleIn": False,
                },
                "Enabled": True,
            },
        )
    )
    resources.append(
        k.rds_instance(
            rng,
            "trailcart-mysql-prod",
            acct,
            REGION,
            "eu-central-1a",
            klass="db.r6g.large",
            engine="mysql",
            version="8.0.36",
            sg=sg_db,
            subnet_group="trailcart-prod-db",
            vpc_id=vpc_id,
            created=day - timedelta(days=480),
            now=now,
            storage=250,
        )
    )
    resources.append(
        k.lambda_fn(
            rng,
            fn,
            acct,
            REGION,
            runtime="nodejs20.x",
            handler="index.handler",
            role="trailcart-push-dispatcher",
            memory=512,
            timeout=300,
            modified=day - timedelta(days=34),
            desc="Sends scheduled push campaigns",
        )
    )
    resources.append(
        k.log_group(lg, acct, REGION, day - timedelta(days=480), 14, rng.randrange(10**10, 10**11))
    )
    resources.append(
        k.log_group(plg, acct, REGION, day - timedelta(days=300), 30, rng.randrange(10**6, 10**7))
    )

    local = fired + timedelta(hours=2)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"The trailcart-alb-request-surge alarm fired at {local.hour}:{local.minute:02d}. Are we being hit by bots, "
                    "is something broken, and do we need to block anything?"
                ),
                "timezone": "Europe/Amsterdam",
                "alarm_event": None,
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(m.rows),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
