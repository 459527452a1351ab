"""Wanderguard quote-api: some quote requests hang then 504 since mid-afternoon."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zza as k

NAME = "wanderguard-quotes-hanging-afternoon"
TITLE = "Travel-insurance quotes hanging then 504 for some partner requests since mid-afternoon"
SUMMARY = (
    "One quote-api instance's attached gp3 data volume (local rate-table store) stalls its I/O; that "
    "target flaps in health checks and the requests it gets hang or 504, about a fifth of traffic."
)

CHI = ZoneInfo("America/Chicago")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.rand_account(rng)
    region = "us-east-2"
    day = k.pick_day(rng)
    local = datetime(day.year, day.month, day.day, 14, 20 + rng.randrange(0, 35), tzinfo=CHI)
    onset = local.astimezone(k.UTC).replace(second=0)
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    now = onset + timedelta(minutes=rng.randint(42, 58))
    end = now + timedelta(minutes=15)
    pts = k.grid(start, now + timedelta(minutes=1), start)

    vpc = "vpc-0" + k.hexid(rng, 16)
    azs = [("us-east-2a", "use2-az1"), ("us-east-2b", "use2-az2"), ("us-east-2c", "use2-az3")]
    subnets = ["subnet-0" + k.hexid(rng, 16) for _ in azs]
    sg_alb, sg_app, sg_db = ("sg-0" + k.hexid(rng, 16) for _ in range(3))
    lb_name, tg_name = "wg-quote-api-alb", "wg-quote-api-8080"
    lb_hex, tg_hex = k.hexid(rng, 16), k.hexid(rng, 16)
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{lb_name}/{lb_hex}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{tg_name}/{tg_hex}"
    lb_dim, tg_dim = f"app/{lb_name}/{lb_hex}", f"targetgroup/{tg_name}/{tg_hex}"
    asg = "wg-quote-api-asg"
    lt_id = "lt-0" + k.hexid(rng, 16)
    n = 4
    ids = ["i-0" + k.hexid(rng, 16) for _ in range(n)]
    az_of = [azs[i % 3] for i in range(n)]
    ips = [f"10.20.{(i % 3) * 32 + rng.randint(1, 30)}.{rng.randint(10, 250)}" for i in range(n)]
    root_vols = ["vol-0" + k.hexid(rng, 16) for _ in range(n)]
    data_vols = ["vol-0" + k.hexid(rng, 16) for _ in range(n)]
    launched = [
        day - timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        for _ in range(n)
    ]
    bad = rng.randrange(n)
    bad_id, bad_vol = ids[bad], data_vols[bad]
    db_cluster = "wg-quotes-aurora"
    db_writer = "wg-quotes-aurora-1"
    topic = f"arn:aws:sns:{region}:{account}:wg-platform-alerts"
    ami_old, ami_new = "ami-0" + k.hexid(rng, 16), "ami-0" + k.hexid(rng, 16)
    lt_ver = rng.randint(30, 60)

    # --- health timeline of the bad target: flapping ------------------------------------------
    hc: list[tuple[datetime, bool]] = [(start, True)]
    t = onset + timedelta(minutes=rng.randint(2, 4))
    healthy = True
    while t < now:
        healthy = not healthy
        hc.append((t, healthy))
        t += timedelta(minutes=rng.randint(1, 3) if not healthy else rng.randint(2, 5))

    def bad_healthy(at: datetime) -> bool:
        state = True
        for ts, h in hc:
            if ts <= at:
                state = h
        return state

    def stalled(at: datetime) -> float:
        if at < onset:
            return 0.0
        return min(1.0, 0.55 + (at - onset).total_seconds() / 1200)

    metrics: list[dict[str, Any]] = []
    unhealthy_series: list[tuple[datetime, float]] = []
    e504_series: list[tuple[datetime, float]] = []
    vals = [0.012, 0.03, 0.06, 0.12, 0.3, 0.8, 3.0, 12.0, 35.0, 60.0]
    for t, _ in pts:
        if t > now:
            break
        shape = k.diurnal(t, -5.0, low=0.15, peak_hour=13.5)
        rps = 95 * shape * (1 + rng.gauss(0, 0.05))
        reqs = rps * 60
        s = stalled(t)
        bh = bad_healthy(t)
        n_up = n if bh else n - 1
        share_bad = (1 / n_up) if bh else 0.0
        bad_reqs = reqs * share_bad
        hang = bad_reqs * s * rng.uniform(0.85, 0.95) if t >= onset else 0.0
        e504 = hang * 0.62
        t5 = hang * 0.05 + (1 if rng.random() < 0.05 else 0)
        ok = reqs - e504 - t5
        lb = {"LoadBalancer": lb_dim}
        lbtg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        for dims in (lb, lbtg):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", dims, t, "Count", round(reqs)))
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, "Count", round(ok * 0.96))
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, "Count", round(ok * 0.04))
            )
            if round(t5) > 0:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, "Count", round(t5))
                )
        if round(e504) > 0:
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, t, "Count", round(e504))
            )
            metrics.append(
                k.datum("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb, t, "Count", round(e504))
            )
        e504_series.append((t, float(round(e504))))
        good_c = [0.12, 0.33, 0.3, 0.16, 0.06, 0.025, 0.005, 0, 0, 0]
        hang_c = [0, 0, 0, 0, 0, 0.02, 0.13, 0.25, 0.2, 0.4]
        per_az: dict[str, list[float]] = {a: [0.0] * len(vals) for a, _ in azs}
        per_az_n: dict[str, float] = {a: 0.0 for a, _ in azs}
        for i in range(n):
            if i == bad and not bh:
                continue
            r_i = reqs / n_up
            h_i = hang if i == bad else 0.0
            a = az_of[i][0]
            per_az_n[a] += r_i
            for j in range(len(vals)):
                per_az[a][j] += (r_i - h_i) * good_c[j] + h_i * hang_c[j]
        tot = [sum(per_az[a][j] for a, _ in azs) for j in range(len(vals))]
        for dims in (lb, lbtg):
            metrics.append(
                k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", vals, tot)
            )
        for a, _ in azs:
            dz = {"LoadBalancer": lb_dim, "AvailabilityZone": a}
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", dz, t, "Count", round(per_az_n[a])))
            metrics.append(
                k.dist_datum("AWS/ApplicationELB", "TargetResponseTime", dz, t, "Seconds", vals, per_az[a])
            )
        metrics.append(
            k.stat_datum(
                "AWS/ApplicationELB",
                "HealthyHostCount",
                lbtg,
                t,
                "Count",
                60,
                float(n_up),
                float(n_up),
                float(n_up),
            )
        )
        metrics.append(
            k.stat_datum(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                lbtg,
                t,
                "Count",
                60,
                float(n - n_up),
                float(n - n_up),
                float(n - n_up),
            )
        )
        unhealthy_series.append((t, float(n - n_up)))
        for i, iid in enumerate(ids):
            cpu = 18 + 34 * shape + rng.uniform(-2, 2)
            if i == bad and t >= onset:
                cpu = 4 + rng.uniform(0, 2.5) + (3 if bh else 0)
            elif t >= onset and not bh:
                cpu *= n / (n - 1)
            metrics.append(k.datum("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t, "Percent", cpu))
            ebs_fail = 1.0 if (i == bad and t >= onset + timedelta(minutes=3)) else 0.0
            metrics.append(
                k.datum("AWS/EC2", "StatusCheckFailed_AttachedEBS", {"InstanceId": iid}, t, "Count", ebs_fail)
            )
            vd = {"VolumeId": data_vols[i]}
            r_ops = reqs / n * 3.1 * rng.uniform(0.85, 1.15)
            w_ops = 40 + reqs / n * 0.6 * rng.uniform(0.8, 1.2)
            rt, wt, ql, idle = r_ops * 0.00042, w_ops * 0.0011, rng.uniform(0.02, 0.09), rng.uniform(44, 55)
            if i == bad and t >= onset:
                sv = stalled(t)
                r_ops = r_ops * (1 - sv) * 0.08 + rng.uniform(0, 6)
                w_ops = w_ops * (1 - sv) * 0.05 + rng.uniform(0, 3)
                rt, wt = 60 * rng.uniform(4, 9) * sv + r_ops * 0.5, 60 * rng.uniform(2, 6) * sv
                ql, idle = rng.uniform(28, 64) * sv, 0.0
            metrics.append(k.datum("AWS/EBS", "VolumeReadOps", vd, t, "Count", round(r_ops)))
            metrics.append(k.datum("AWS/EBS", "VolumeWriteOps", vd, t, "Count", round(w_ops)))
            metrics.append(k.datum("AWS/EBS", "VolumeReadBytes", vd, t, "Bytes", round(r_ops * 16384)))
            metrics.append(k.datum("AWS/EBS", "VolumeWriteBytes", vd, t, "Bytes", round(w_ops * 24576)))
            metrics.append(k.datum("AWS/EBS", "VolumeTotalReadTime", vd, t, "Seconds", rt))
            metrics.append(k.datum("AWS/EBS", "VolumeTotalWriteTime", vd, t, "Seconds", wt))
            metrics.append(k.datum("AWS/EBS", "VolumeQueueLength", vd, t, "Count", ql))
            metrics.append(k.datum("AWS/EBS", "VolumeIdleTime", vd, t, "Seconds", idle))
            stall = 1.0 if (i == bad and t >= onset and rng.random() < 0.4 + 0.6 * stalled(t)) else 0.0
            metrics.append(k.datum("AWS/EBS", "VolumeStalledIOCheck", vd, t, "None", stall))
        for dbm, val, unit in (
            ("CPUUtilization", 11 + 22 * shape + rng.uniform(-2, 2) - (4 if t >= onset else 0), "Percent"),
            ("DatabaseConnections", float(rng.randint(78, 84)), "Count"),
            ("CommitLatency", rng.uniform(1.6, 2.4), "Milliseconds"),
            ("ReadLatency", rng.uniform(0.0004, 0.0007), "Seconds"),
        ):
            metrics.append(k.datum("AWS/RDS", dbm, {"DBInstanceIdentifier": db_writer}, t, unit, val))

    # --- alarms ----------------------------------------------------------------------------------
    unh = k.Alarm(
        account,
        region,
        "wg-quote-api-unhealthy-targets",
        "quote-api has an unhealthy target for 2 of 3 minutes",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
        "Maximum",
        60,
        3,
        2,
        0.0,
        "GreaterThanThreshold",
        [topic],
        treat_missing="notBreaching",
        created=day - timedelta(days=240),
    )
    unh.evaluate(unhealthy_series, now)
    e5 = k.Alarm(
        account,
        region,
        "wg-quote-api-elb-5xx-high",
        "ALB 5xx above 150/min for 5 minutes (partner SLA)",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        5,
        5,
        150.0,
        "GreaterThanThreshold",
        [topic],
        treat_missing="notBreaching",
        created=day - timedelta(days=240),
    )
    e5.evaluate(e504_series, now)
    quiet = [
        k.Alarm(
            account,
            region,
            "wg-quotes-aurora-cpu",
            "Aurora writer CPU > 75%",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_writer},
            "Average",
            300,
            3,
            3,
            75.0,
            "GreaterThanThreshold",
            [topic],
            created=day - timedelta(days=300),
        ),
        k.Alarm(
            account,
            region,
            "wg-quote-api-asg-cpu-high",
            "quote-api fleet CPU > 70%",
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg},
            "Average",
            300,
            2,
            2,
            70.0,
            "GreaterThanThreshold",
            [topic],
            created=day - timedelta(days=300),
        ),
        k.Alarm(
            account,
            region,
            "wg-quotes-aurora-connections",
            "Aurora writer connections above 400",
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": db_writer},
            "Maximum",
            300,
            2,
            2,
            400.0,
            "GreaterThanThreshold",
            [topic],
            created=day - timedelta(days=300),
        ),
    ]
    for qa in quiet:
        qa.evaluate([], now)
    for t, _ in pts:
        if t > now:
            break
        metrics.append(
            k.datum(
                "AWS/EC2",
                "CPUUtilization",
                {"AutoScalingGroupName": asg},
                t,
                "Percent",
                18 + 32 * k.diurnal(t, -5.0, low=0.15, peak_hour=13.5),
            )
        )
        metrics.append(
            k.datum("AWS/EC2", "StatusCheckFailed", {"AutoScalingGroupName": asg}, t, "Count", 0.0)
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    users = rng.sample(["dana.kowalski", "marcus.reed", "priya.natarajan", "luis.ortega", "jen.hollis"], 3)
    dom = "@wanderguard.com"
    u1 = tr.sso(users[0] + dom, "PlatformAdmin", k.hexid(rng, 16))
    u2 = tr.sso(users[1] + dom, "Developer", k.hexid(rng, 16))
    u3 = tr.sso(users[2] + dom, "ReadOnly", k.hexid(rng, 16))
    tf = tr.role("wg-terraform-apply", "atlantis-" + k.hexid(rng, 8))
    ec2s, asgs, elbs = "ec2.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"
    lt_t = onset - timedelta(minutes=rng.randint(22, 28))
    tr.add(
        lt_t - timedelta(seconds=40),
        tf,
        ec2s,
        "DescribeLaunchTemplateVersions",
        {"launchTemplateId": lt_id, "versionSet": {"items": [{"version": "$Latest"}]}},
        None,
        read_only=True,
        agent=k.tf_agent("ec2", "1.177.3"),
    )
    tr.add(
        lt_t,
        tf,
        ec2s,
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": str(lt_ver),
                "LaunchTemplateData": {"ImageId": ami_new},
                "ClientToken": "terraform-" + k.hexid(rng, 26),
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uuid(rng),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "wg-quote-api",
                    "versionNumber": lt_ver + 1,
                    "createTime": k.iso(lt_t),
                    "createdBy": tf["arn"],
                    "defaultVersion": False,
                    "launchTemplateData": {"imageId": ami_new, "instanceType": "m6i.large"},
                },
            }
        },
        read_only=False,
        agent=k.tf_agent("ec2", "1.177.3"),
    )
    tr.add(
        lt_t + timedelta(seconds=9),
        tf,
        asgs,
        "UpdateAutoScalingGroup",
        {
            "autoScalingGroupName": asg,
            "launchTemplate": {"launchTemplateId": lt_id, "version": str(lt_ver + 1)},
        },
        None,
        read_only=False,
        agent=k.tf_agent("auto-scaling", "1.45.7"),
    )
    tg_t = onset - timedelta(minutes=rng.randint(9, 14))
    tr.add(
        tg_t,
        u1,
        elbs,
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "120"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "120"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                {"key": "slow_start.duration_seconds", "value": "0"},
            ]
        },
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        tg_t - timedelta(minutes=2),
        u1,
        elbs,
        "DescribeTargetGroupAttributes",
        {"targetGroupArn": tg_arn},
        None,
        read_only=True,
        agent=k.CONSOLE_UA,
    )
    r53_t = onset - timedelta(minutes=rng.randint(30, 45))
    tr.add(
        r53_t,
        u2,
        "route53.amazonaws.com",
        "ChangeResourceRecordSets",
        {
            "hostedZoneId": "Z0" + k.upper_id(rng, 19),
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "partners-docs.wanderguard.com.",
                            "type": "CNAME",
                            "tTL": 300,
                            "resourceRecords": [{"value": "wanderguard.readme.io"}],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + k.upper_id(rng, 19),
                "status": "PENDING",
                "submittedAt": k.iso(r53_t).replace("Z", ".000Z"),
            }
        },
        read_only=False,
        agent=k.CONSOLE_UA,
    )
    t = start + timedelta(minutes=rng.randint(2, 12))
    while t < now:
        who, src, nm, rq = rng.choice(
            [
                (
                    u2,
                    "logs.amazonaws.com",
                    "FilterLogEvents",
                    {"logGroupName": "/wanderguard/quote-api/app", "startTime": k.ms(t) - 900000},
                ),
                (
                    u2,
                    ec2s,
                    "DescribeInstances",
                    {
                        "filterSet": {
                            "items": [
                                {
                                    "name": "tag:aws:autoscaling:groupName",
                                    "valueSet": {"items": [{"value": asg}]},
                                }
                            ]
                        }
                    },
                ),
                (u1, "rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": db_cluster}),
                (tf, "s3.amazonaws.com", "ListBuckets", None),
                (u1, "iam.amazonaws.com", "ListRoles", {"maxItems": 100}),
            ]
        )
        tr.add(
            t,
            who,
            src,
            nm,
            rq,
            None,
            read_only=True,
            agent=k.CONSOLE_UA if who is not tf else k.tf_agent("s3", "1.61.0"),
        )
        t += timedelta(minutes=rng.randint(6, 20))
    sec_suffix = "".join(
        rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6)
    )
    t = start + timedelta(minutes=rng.randint(1, 30))
    while t < now:
        i = rng.randrange(n)
        tr.add(
            t,
            tr.role("wg-quote-api-instance", ids[i]),
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {
                "secretId": f"arn:aws:secretsmanager:{region}:{account}:secret:wg/quote-api/aurora-{sec_suffix}"
            },
            None,
            read_only=True,
            agent="aws-sdk-java/2.26.12 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
        )
        t += timedelta(minutes=rng.randint(25, 50))
    t = start + timedelta(minutes=rng.randint(5, 40))
    while t < now:
        tr.add(
            t,
            tr.role("AWSServiceRoleForAutoScaling", "AutoScaling", invoked_by="autoscaling.amazonaws.com"),
            ec2s,
            "DescribeInstanceStatus",
            {
                "instancesSet": {"items": [{"instanceId": x} for x in ids]},
                "filterSet": {},
                "includeAllInstances": False,
            },
            None,
            read_only=True,
        )
        t += timedelta(minutes=rng.randint(35, 60))
    resp_t = onset + timedelta(minutes=rng.randint(14, 22))
    for j, (src, nm, rq) in enumerate(
        [
            (elbs, "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            (asgs, "DescribeScalingActivities", {"autoScalingGroupName": asg}),
            (
                "logs.amazonaws.com",
                "StartQuery",
                {
                    "logGroupNames": ["/wanderguard/quote-api/app"],
                    "startTime": int((onset - timedelta(hours=1)).timestamp()),
                    "endTime": int(resp_t.timestamp()),
                    "queryString": "fields @timestamp, @message | filter level = 'ERROR' | sort @timestamp desc",
                },
            ),
            (elbs, "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ]
    ):
        tr.add(
            resp_t + timedelta(minutes=2 * j),
            u3,
            src,
            nm,
            rq,
            None,
            read_only=nm != "StartQuery",
            agent=k.CONSOLE_UA,
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    partners = ["skyfarer", "tripnest", "globeready", "packlight", "bookabunk"]
    products = ["single-trip", "annual-multi", "backpacker", "cruise"]
    for t, _ in pts:
        if t > now:
            break
        shape = k.diurnal(t, -5.0, low=0.15, peak_hour=13.5)
        for i, iid in enumerate(ids):
            per_min = 2 if rng.random() < shape else 1
            if i == bad and t >= onset:
                per_min = 1 if rng.random() < 0.12 * (1 - stalled(t) + 0.3) else 0
            for _ in range(per_min):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                dur = int(rng.lognormvariate(3.7, 0.5))
                if i == bad and t >= onset:
                    dur = rng.randint(9000, 58000)
                rec = {
                    "@timestamp": k.iso_ms(ts),
                    "level": "INFO",
                    "thread": f"http-nio-8080-exec-{rng.randint(1, 200)}",
                    "logger": "com.wanderguard.quote.api.QuoteController",
                    "message": "quote computed",
                    "partner": rng.choice(partners),
                    "product": rng.choice(products),
                    "destinations": rng.randint(1, 4),
                    "durationMs": dur,
                    "traceId": k.hexid(rng, 32),
                    "instance": iid,
                }
                logs.append(k.log("/wanderguard/quote-api/app", iid, ts, json.dumps(rec)))
            if rng.random() < 0.01:
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                logs.append(
                    k.log(
                        "/wanderguard/quote-api/app",
                        iid,
                        ts,
                        json.dumps(
                            {
                                "@timestamp": k.iso_ms(ts),
                                "level": "WARN",
                                "thread": f"http-nio-8080-exec-{rng.randint(1, 200)}",
                                "logger": "com.wanderguard.quote.fx.FxRateClient",
                                "message": "FX rate for ISK older than 6h, using cached value",
                                "instance": iid,
                            }
                        ),
                    )
                )
            if t.minute == 17 and t.hour % 2 == 0:
                ts = t + timedelta(seconds=rng.uniform(0, 5))
                logs.append(
                    k.log(
                        "/wanderguard/quote-api/app",
                        iid,
                        ts,
                        json.dumps(
                            {
                                "@timestamp": k.iso_ms(ts),
                                "level": "INFO",
                                "thread": "rates-refresh-1",
                                "logger": "com.wanderguard.quote.rates.RateStore",
                                "message": "rate tables up to date",
                                "store": "/var/lib/quote-api/rates",
                                "generation": 4400 + t.hour,
                                "instance": iid,
                            }
                        ),
                    )
                )
        if t >= onset + timedelta(minutes=2):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            dev = "nvme1n1"
            msgs = []
            if rng.random() < 0.35:
                msgs.append(
                    f"nvme nvme1: I/O {rng.randint(1, 1023)} (I/O Cmd) QID {rng.randint(1, 2)} timeout, aborting"
                )
            if rng.random() < 0.25:
                msgs.append(f"nvme nvme1: Abort status: 0x{rng.choice(['0', '371'])}")
            if (t - onset).total_seconds() > 150 and rng.random() < 0.12:
                proc = rng.choice(
                    [
                        ("java", rng.randint(2100, 2400)),
                        (f"jbd2/{dev}-8", rng.randint(380, 420)),
                        ("kworker/u4:2", rng.randint(60, 900)),
                    ]
                )
                msgs.append(f"INFO: task {proc[0]}:{proc[1]} blocked for more than 122 seconds.")
                msgs.append('"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.')
            for m in msgs:
                host = f"ip-{ips[bad].replace('.', '-')}"
                logs.append(
                    k.log(
                        "/wanderguard/quote-api/system",
                        bad_id,
                        ts,
                        f"{ts:%b %d %H:%M:%S} {host} kernel: {m}".replace(f"{ts:%b} 0", f"{ts:%b}  "),
                    )
                )
        if rng.random() < 0.02:
            iid = rng.choice(ids)
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            logs.append(
                k.log(
                    "/wanderguard/quote-api/system",
                    iid,
                    ts,
                    f"{ts:%b %d %H:%M:%S} ip-{ips[ids.index(iid)].replace('.', '-')} chronyd[{rng.randint(900, 1200)}]: Selected source 169.254.169.123",
                )
            )

    # --- resources -------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = []
    profile = f"arn:aws:iam::{account}:instance-profile/wg-quote-api-instance"
    for i, iid in enumerate(ids):
        az = az_of[i][0]
        item = k.ec2_instance(
            rng,
            instance_id=iid,
            instance_type="m6i.large",
            ami=ami_old,
            az=az,
            subnet=subnets[i % 3],
            vpc=vpc,
            sgs=[(sg_app, "wg-quote-api")],
            profile_arn=profile,
            launched=launched[i],
            name="wg-quote-api",
            extra_tags={
                "aws:autoscaling:groupName": asg,
                "aws:ec2launchtemplate:id": lt_id,
                "aws:ec2launchtemplate:version": str(lt_ver),
                "team": "quotes",
            },
            ip=ips[i],
            volumes=[("/dev/xvda", root_vols[i], launched[i]), ("/dev/sdf", data_vols[i], launched[i])],
            launch_template=(lt_id, "wg-quote-api", str(lt_ver)),
        )
        resources.append(k.res("ec2", "Instance", item))
        resources.append(
            k.res(
                "ec2",
                "InstanceStatus",
                k.instance_status(iid, az, onset + timedelta(minutes=3) if i == bad else None),
            )
        )
        resources.append(
            k.res(
                "ec2",
                "Volume",
                {
                    "VolumeId": data_vols[i],
                    "Size": 40,
                    "AvailabilityZone": az,
                    "State": "in-use",
                    "CreateTime": k.iso(launched[i]),
                    "Attachments": [
                        {
                            "AttachTime": k.iso(launched[i]),
                            "Device": "/dev/sdf",
                            "InstanceId": iid,
                            "State": "attached",
                            "VolumeId": data_vols[i],
                            "DeleteOnTermination": True,
                        }
                    ],
                    "Encrypted": True,
                    "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/{k.uuid(random.Random(account))}",
                    "VolumeType": "gp3",
                    "Iops": 3000,
                    "Throughput": 125,
                    "MultiAttachEnabled": False,
                    "SnapshotId": "",
                    "Tags": k.tags({"Name": "wg-quote-api-rates", "team": "quotes"}),
                },
            )
        )
    resources.append(
        k.res(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "wg-quote-api",
                    "Version": str(lt_ver + 1),
                },
                "MinSize": 4,
                "MaxSize": 12,
                "DesiredCapacity": 4,
                "DefaultCooldown": 300,
                "AvailabilityZones": [a for a, _ in azs],
                "LoadBalancerNames": [],
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": iid,
                        "InstanceType": "m6i.large",
                        "AvailabilityZone": az_of[i][0],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "wg-quote-api",
                            "Version": str(lt_ver),
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for i, iid in enumerate(ids)
                ],
                "CreatedTime": k.iso(day - timedelta(days=410)),
                "SuspendedProcesses": [],
                "VPCZoneIdentifier": ",".join(subnets),
                "EnabledMetrics": [],
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "team",
                        "Value": "quotes",
                        "PropagateAtLaunch": True,
                    }
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            k.load_balancer(
                lb_arn,
                lb_name,
                day - timedelta(days=410),
                vpc,
                [(a, s) for (a, _), s in zip(azs, subnets, strict=True)],
                sg_alb,
                region,
            ),
        )
    )
    resources.append(
        k.res("elbv2", "TargetGroup", k.target_group(tg_arn, tg_name, vpc, lb_arn, 8080, "/actuator/health"))
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_alb,
                "wg-quote-api-alb",
                "partner quote ALB",
                vpc,
                account,
                region,
                [k.sg_rule(443, cidr="0.0.0.0/0")],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                sg_app,
                "wg-quote-api",
                "quote-api instances",
                vpc,
                account,
                region,
                [k.sg_rule(8080, group=sg_alb, owner=account)],
            ),
        )
    )
    resources.append(
        k.res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": db_cluster,
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.7",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{db_cluster}.cluster-c{k.hexid(rng, 11)}.{region}.rds.amazonaws.com",
                "Port": 5432,
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": db_writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": "wg-quotes-aurora-2",
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "StorageEncrypted": True,
                "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{db_cluster}",
                "ClusterCreateTime": k.iso(day - timedelta(days=500)),
                "DeletionProtection": True,
            },
        )
    )
    events: list[dict[str, Any]] = []
    for i, iid in enumerate(ids):
        tgt = {"Id": iid, "Port": 8080, "AvailabilityZone": az_of[i][0]}
        if i != bad:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": k.iso(start),
                    },
                }
            )
            continue
        for ts, h in hc:
            health = (
                {"State": "healthy"}
                if h
                else {"State": "unhealthy", "Reason": "Target.Timeout", "Description": "Request timed out"}
            )
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": health,
                        "timestamp": k.iso(ts),
                    },
                }
            )

    question = (
        f"Since about {local:%-I:%M}pm some of the partner quote requests just hang and then come back 504 — partners say "
        "maybe one in five, the rest are instant. Nothing deployed from our side today as far as I know. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_vol,
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-io-stalled",
                    "event_id": None,
                },
                "also_accept": [bad_id, f"arn:aws:ec2:{region}:{account}:volume/{bad_vol}"],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"EBS data volume {bad_vol} attached to {bad_id} stalls its I/O (VolumeStalledIOCheck, attached-EBS status check failing)",
                    f"quote-api threads on {bad_id} block reading the local rate store; Tomcat pool saturates",
                    f"{bad_id} flaps in {tg_name} health checks (Target.Timeout); requests routed to it hang",
                    f"{lb_name} returns 504s for roughly a fifth of partner quote requests",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [unh.item(), e5.item()] + [qa.item() for qa in quiet],
            "alarm_history": unh.history + e5.history,
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
