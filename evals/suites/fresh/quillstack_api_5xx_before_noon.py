"""quillstack-api: p99 latency and 5xx up shortly before noon, part of the traffic only."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zf as k

NAME = "quillstack-api-5xx-before-noon"
TITLE = "quillstack-api 5xx alarm and p99 latency through the roof just before noon"
SUMMARY = (
    "One instance's gp3 data volume stalls; its storage-bound requests time out after 20s while its health "
    "check stays green, so a slice of traffic in one AZ fails. A deploy and another volume's gp2->gp3 "
    "migration shortly before are red herrings."
)

REGION = "eu-central-1"
AZS = [("eu-central-1a", "euc1-az2"), ("eu-central-1b", "euc1-az3"), ("eu-central-1c", "euc1-az1")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    day = k.pick_day(rng)
    while day.month not in (4, 5, 6, 9):
        day = k.pick_day(rng)
    # CEST (UTC+2); onset around 11:35-11:55 local
    onset = day + timedelta(hours=9, minutes=rng.randrange(35, 55), seconds=rng.randrange(60))
    start = onset - timedelta(hours=4, minutes=rng.randrange(0, 20))
    start = start.replace(second=0)
    now = onset + timedelta(minutes=rng.randrange(32, 45))
    now = now.replace(second=0)
    fine_from = k.floor_min(onset - timedelta(minutes=90), 5)
    tz = 2.0

    vpc_id = "vpc-0" + k.hexs(rng, 16)
    priv = [
        ("subnet-0" + k.hexs(rng, 16), az, azid, f"10.30.{64 + 16 * i}") for i, (az, azid) in enumerate(AZS)
    ]
    pub = [("subnet-0" + k.hexs(rng, 16), az, azid, f"10.30.{i}") for i, (az, azid) in enumerate(AZS)]
    sg_alb, sg_api, sg_db = ("sg-0" + k.hexs(rng, 16) for _ in range(3))
    ami = "ami-0" + k.hexs(rng, 16)
    lt = ("lt-0" + k.hexs(rng, 16), "quillstack-api-prod", str(rng.randrange(12, 30)))
    asg_name = "quillstack-api-prod"
    launched = day - timedelta(days=rng.randrange(3, 12), hours=rng.randrange(0, 10))
    insts: list[k.Inst] = []
    for n in range(6):
        sid, az, _azid, pre = priv[n % 3]
        insts.append(
            k.Inst(
                "i-0" + k.hexs(rng, 16), az, sid, k.ip_private(rng, pre), launched + timedelta(minutes=n * 2)
            )
        )
    bad_idx = rng.choice([1, 4])  # one of the two in the b zone
    bad = insts[bad_idx]
    data_vols = {i.id: "vol-0" + k.hexs(rng, 16) for i in insts}
    bad_vol = data_vols[bad.id]
    other_vol = "vol-0" + k.hexs(rng, 16)  # the ci-runner volume migrated to gp3
    release_prev = f"api-{(day - timedelta(days=6)).strftime('%Y%m%d')}.{rng.randrange(1, 5)}"
    release = f"api-{day.strftime('%Y%m%d')}.{rng.randrange(1, 4)}"
    deploy_start = onset - timedelta(minutes=rng.randrange(27, 36))
    per_host = timedelta(seconds=rng.randrange(95, 120))
    deploy_done = deploy_start + per_host * 6 + timedelta(seconds=20)
    migrate_t = onset - timedelta(minutes=rng.randrange(6, 14), seconds=rng.randrange(60))

    lb_res, lb_arn, lb_dim = k.alb(
        rng,
        "quillstack-api",
        acct,
        REGION,
        vpc_id,
        [(az, sid) for sid, az, _, _ in pub],
        [sg_alb],
        day - timedelta(days=420),
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng,
        "quillstack-api-8080",
        acct,
        REGION,
        vpc_id,
        lb_arn,
        8080,
        "/healthz",
        interval=10,
        timeout=5,
        healthy=2,
        unhealthy=3,
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}

    def out_of_service(i: k.Inst, t: datetime) -> bool:
        idx = insts.index(i)
        a = deploy_start + per_host * idx
        return a <= t < a + per_host - timedelta(seconds=15)

    # --- metrics ---------------------------------------------------------------------------------
    m = k.Metrics()
    times = k.timeline(start, fine_from, now)
    stalled = {(t, s): t + timedelta(minutes=s) > onset for t, s in times}

    for t, s in times:
        total = k.poisson(rng, 2900 * k.diurnal(t, tz, peak_h=11.5, floor=0.2) * s)
        serving = [i for i in insts if not out_of_service(i, t + timedelta(seconds=30))]
        share = {i.id: total / len(serving) if i in serving else 0.0 for i in insts}
        by_az: dict[str, dict[str, float]] = {az: {"n": 0, "e5": 0, "slow": 0} for az, _ in AZS}
        hist_all: tuple[list[float], list[float]] = ([], [])
        for i in insts:
            n = int(share[i.id])
            frac = 1.0
            if i is bad and stalled[(t, s)]:
                frac = min(1.0, (t + timedelta(minutes=s) - onset).total_seconds() / 60 / s)
            storage = n * 0.115
            fail = k.poisson(rng, storage * frac) if i is bad and stalled[(t, s)] else 0
            by_az[i.az]["n"] += n
            by_az[i.az]["e5"] += fail
            vals, cnts = k.latency_hist(rng, 0.042, n - fail, tail=0.006, tail_s=0.6)
            if fail:
                vals.append(20.0 + rng.random() * 0.05)
                cnts.append(float(fail))
            hist_all[0].extend(vals)
            hist_all[1].extend(cnts)
            m.add(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": i.id},
                t,
                round(
                    k.jitter(rng, 8 + 34 * k.diurnal(t, tz, 11.5, 0.2) * n * 6 / max(1, total), 0.08)
                    if n
                    else k.jitter(rng, 3, 0.2),
                    2,
                ),
                "Percent",
            )
            m.add("AWS/EC2", "StatusCheckFailed_Instance", {"InstanceId": i.id}, t, 0.0, "Count")
            m.add("AWS/EC2", "StatusCheckFailed_System", {"InstanceId": i.id}, t, 0.0, "Count")
            m.add(
                "AWS/EC2",
                "StatusCheckFailed_AttachedEBS",
                {"InstanceId": i.id},
                t,
                1.0 if i is bad and stalled[(t, s)] and t >= onset - timedelta(seconds=30) else 0.0,
                "Count",
            )
            # data volume
            vd = {"VolumeId": data_vols[i.id]}
            if i is bad and t >= k.floor_min(onset):
                m.add("AWS/EBS", "VolumeWriteOps", vd, t, 0.0, "Count")
                m.add("AWS/EBS", "VolumeReadOps", vd, t, 0.0, "Count")
                m.add("AWS/EBS", "VolumeQueueLength", vd, t, round(k.jitter(rng, 32, 0.02), 2), "Count")
                m.add("AWS/EBS", "VolumeIdleTime", vd, t, 0.0, "Seconds")
                m.add("AWS/EBS", "VolumeStalledIOCheck", vd, t, 1.0, "None")
            else:
                wops = k.poisson(rng, 60 * s * (3 + n / s * 0.09))
                rops = k.poisson(rng, 60 * s * (1 + n / s * 0.05))
                m.add("AWS/EBS", "VolumeWriteOps", vd, t, float(wops), "Count")
                m.add("AWS/EBS", "VolumeReadOps", vd, t, float(rops), "Count")
                m.add(
                    "AWS/EBS", "VolumeWriteBytes", vd, t, float(wops * rng.randrange(12000, 24000)), "Bytes"
                )
                m.add(
                    "AWS/EBS",
                    "VolumeQueueLength",
                    vd,
                    t,
                    round(k.jitter(rng, 0.08 + n / s / 3000, 0.2), 4),
                    "Count",
                )
                m.add(
                    "AWS/EBS",
                    "VolumeIdleTime",
                    vd,
                    t,
                    round(min(60.0 * s, k.jitter(rng, 52.0 * s, 0.03)), 2),
                    "Seconds",
                )
                m.add("AWS/EBS", "VolumeStalledIOCheck", vd, t, 0.0, "None")
        for dims in (lbd, tgd):
            m.add("AWS/ApplicationELB", "RequestCount", dims, t, float(total), "Count")
            m.add_dist(
                "AWS/ApplicationELB", "TargetResponseTime", dims, t, hist_all[0], hist_all[1], "Seconds"
            )
        e5 = sum(v["e5"] for v in by_az.values())
        base5 = k.poisson(rng, total * 0.00005)
        if e5 + base5:
            for dims in (lbd, tgd):
                m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, float(e5 + base5), "Count")
        t4 = k.poisson(rng, total * 0.014)
        for dims in (lbd, tgd):
            m.add("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, float(t4), "Count")
            m.add(
                "AWS/ApplicationELB",
                "HTTPCode_Target_2XX_Count",
                dims,
                t,
                float(total - t4 - e5 - base5),
                "Count",
            )
        for az, v in by_az.items():
            azd = {"LoadBalancer": lb_dim, "AvailabilityZone": az}
            m.add("AWS/ApplicationELB", "RequestCount", azd, t, float(v["n"]), "Count")
            if v["e5"]:
                m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", azd, t, float(v["e5"]), "Count")
        healthy = 6 - sum(1 for i in insts if out_of_service(i, t + timedelta(seconds=30)))
        m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, t, float(healthy), "Count")
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, 0.0, "Count")
        dbd = {"DBInstanceIdentifier": "quillstack-pg-prod"}
        m.add(
            "AWS/RDS",
            "CPUUtilization",
            dbd,
            t,
            round(k.jitter(rng, 14 + 22 * k.diurnal(t, tz, 11.5, 0.2), 0.05), 2),
            "Percent",
        )
        m.add("AWS/RDS", "DatabaseConnections", dbd, t, float(int(k.jitter(rng, 120, 0.03))), "Count")
    # the migrated ci-runner volume
    for t, s in times:
        vd = {"VolumeId": other_vol}
        m.add("AWS/EBS", "VolumeWriteOps", vd, t, float(k.poisson(rng, 40 * s)), "Count")
        m.add("AWS/EBS", "VolumeQueueLength", vd, t, round(k.jitter(rng, 0.03, 0.3), 4), "Count")
        m.add("AWS/EBS", "VolumeStalledIOCheck", vd, t, 0.0, "None")

    # --- alarms ----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{REGION}:{acct}:quillstack-oncall"
    main = k.AlarmSpec(
        "quillstack-api-target-5xx",
        "quillstack-api target 5xx > 100 in 5 minutes",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Sum",
        300,
        1,
        1,
        100.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[sns],
    )
    others = [
        k.AlarmSpec(
            "quillstack-api-p99",
            "quillstack-api p99 above 2.5s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbd,
            "p99",
            60,
            5,
            3,
            2.5,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns],
        ),
        k.AlarmSpec(
            "quillstack-api-unhealthy",
            "unhealthy quillstack-api targets",
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
            "quillstack-pg-prod-cpu",
            "RDS CPU",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "quillstack-pg-prod"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns],
        ),
    ]
    alarms: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    main_res = k.evaluate_alarm(rng, main, m.rows, acct, REGION, start, now)
    alarms.append(main_res.alarm)
    history += main_res.history
    for sp in others:
        ar = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, start, now)
        alarms.append(ar.alarm)
        history += ar.history
    history.sort(key=lambda h: (h["Timestamp"], h["AlarmName"]))
    event = k.alarm_event(rng, main, main_res, acct, REGION)

    # --- events: deployment target health ----------------------------------------------------------
    events: list[dict[str, Any]] = []
    for idx, i in enumerate(insts):
        events.append(k.th_point(tg_arn, i.id, 8080, i.launched + timedelta(minutes=2), "healthy"))
        a = deploy_start + per_host * idx
        events.append(
            k.th_point(
                tg_arn,
                i.id,
                8080,
                a + timedelta(seconds=2),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
        )
        events.append(
            k.th_point(
                tg_arn,
                i.id,
                8080,
                a + per_host - timedelta(seconds=40),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        )
        events.append(k.th_point(tg_arn, i.id, 8080, a + per_host - timedelta(seconds=18), "healthy"))

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = k.Trail(rng, acct, REGION)
    ci = k.role_session(
        rng,
        acct,
        "gha-deploy-quillstack",
        "GitHubActions",
        k.ip_public(rng),
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1021-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#deploy.create-deployment",
    )
    cd_role = k.role_session(
        rng,
        acct,
        "quillstack-codedeploy",
        "CodeDeploy",
        "codedeploy.amazonaws.com",
        "codedeploy.amazonaws.com",
    )
    cd_role.identity["invokedBy"] = "codedeploy.amazonaws.com"
    infra = k.sso_user(
        rng,
        acct,
        REGION,
        "InfraAdmin",
        "jonas.reiter@quillstack.io",
        k.ip_public(rng),
        k.cli_ua("ec2.modify-volume"),
    )
    oncall = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "lea.haas@quillstack.io",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    mon = k.role_session(
        rng,
        acct,
        "grafana-cloudwatch",
        "grafana",
        k.ip_public(rng),
        "aws-sdk-go/1.51.21 (go1.22.2; linux; arm64)",
    )
    dep_id = "d-" + k.upper_id(rng, "", 9).replace("0", "A")
    trail.add(
        deploy_start - timedelta(seconds=4),
        ci,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        {
            "applicationName": "quillstack-api",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"quillstack-releases-{acct[-6:]}",
                    "key": f"api/{release}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
            "description": f"release {release}",
        },
        {"deploymentId": dep_id},
    )
    for idx, i in enumerate(insts):
        a = deploy_start + per_host * idx
        trail.add(
            a,
            cd_role,
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": tg_arn, "targets": [{"id": i.id}]},
            None,
        )
        trail.add(
            a + per_host - timedelta(seconds=42),
            cd_role,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {"targetGroupArn": tg_arn, "targets": [{"id": i.id}]},
            None,
        )
    trail.add(
        deploy_done + timedelta(seconds=30),
        ci,
        "codedeploy.amazonaws.com",
        "GetDeployment",
        {"deploymentId": dep_id},
        None,
        read_only=True,
    )
    # gp2 -> gp3 migration of the CI runner volume
    k.set_session_created(infra, migrate_t - timedelta(minutes=15))
    trail.add(
        migrate_t - timedelta(minutes=3),
        infra,
        "ec2.amazonaws.com",
        "DescribeVolumes",
        {"filterSet": {"items": [{"name": "volume-type", "valueSet": {"items": [{"value": "gp2"}]}}]}},
        None,
        read_only=True,
    )
    trail.add(
        migrate_t,
        infra,
        "ec2.amazonaws.com",
        "ModifyVolume",
        {
            "ModifyVolumeRequest": {
                "VolumeId": other_vol,
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
            }
        },
        {
            "ModifyVolumeResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uid(rng),
                "volumeModification": {
                    "volumeId": other_vol,
                    "modificationState": "modifying",
                    "targetSize": 100,
                    "targetIops": 3000,
                    "targetVolumeType": "gp3",
                    "targetThroughput": 125,
                    "targetMultiAttachEnabled": False,
                    "originalSize": 100,
                    "originalIops": 300,
                    "originalVolumeType": "gp2",
                    "originalMultiAttachEnabled": False,
                    "progress": 0,
                    "startTime": k.iso_ms(migrate_t),
                },
            }
        },
    )
    trail.add(
        migrate_t + timedelta(minutes=2),
        infra,
        "ec2.amazonaws.com",
        "DescribeVolumesModifications",
        {"DescribeVolumesModificationsRequest": {"VolumeId": {"tag": 1, "content": other_vol}}},
        None,
        read_only=True,
    )
    k.routine_reads(
        trail,
        rng,
        start,
        now,
        [mon],
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ApplicationELB"}),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
        ],
        16,
    )
    k.routine_reads(
        trail,
        rng,
        start,
        deploy_start - timedelta(minutes=20),
        [ci, infra],
        [
            (
                "codedeploy.amazonaws.com",
                "ListDeployments",
                {"applicationName": "quillstack-api", "deploymentGroupName": "prod"},
            ),
            ("s3.amazonaws.com", "ListBuckets", None),
            ("ec2.amazonaws.com", "DescribeVolumes", None),
        ],
        6,
    )
    k.set_session_created(oncall, now - timedelta(minutes=12))
    for j, (src, name, params) in enumerate(
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("codedeploy.amazonaws.com", "GetDeployment", {"deploymentId": dep_id}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        ]
    ):
        trail.add(
            now - timedelta(minutes=10 - 3 * j, seconds=rng.randrange(50)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # --- logs ------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    lg = "/quillstack/api/app"

    def jts(t: datetime) -> str:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"

    for i in insts:
        pid = rng.randrange(900, 4000)
        stream = f"{i.id}/application.log"
        t = start + timedelta(seconds=rng.randrange(3, 30))
        redeployed = False
        while t < now:
            idx = insts.index(i)
            a = deploy_start + per_host * idx
            if not redeployed and t >= a:
                redeployed = True
                pid = rng.randrange(4000, 9000)
                up = a + per_host - timedelta(seconds=48)
                logs.append(
                    k.log(
                        lg,
                        stream,
                        a + timedelta(seconds=9),
                        f"{jts(a + timedelta(seconds=9))}  INFO {pid - 11} --- [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown        : Commencing graceful shutdown. Waiting for active requests to complete",
                    )
                )
                logs.append(
                    k.log(
                        lg,
                        stream,
                        up,
                        f"{jts(up)}  INFO {pid} --- [           main] c.q.api.QuillstackApiApplication         : Started QuillstackApiApplication in 21.374 seconds (process running for 23.102) version={release}",
                    )
                )
                t = a + per_host
                continue
            if out_of_service(i, t):
                t += timedelta(seconds=20)
                continue
            th = f"nio-8080-exec-{rng.randrange(1, 200)}"
            if i is bad and t >= onset:
                if rng.random() < 0.7:
                    doc = k.hexs(rng, 12)
                    logs.append(
                        k.log(
                            lg,
                            stream,
                            t,
                            f"{jts(t)} ERROR {pid} --- [{th:>15}] c.q.api.web.ApiExceptionHandler          : GET /v1/documents/{doc}/revisions/{rng.randrange(2, 90)} failed\n"
                            f"com.quillstack.storage.BlockCacheTimeoutException: read of segment {doc[:2]}/{doc}.seg did not complete within 20000 ms (root=/var/lib/quillstack/blockcache)\n"
                            "\tat com.quillstack.storage.BlockCache.read(BlockCache.java:212)\n"
                            "\tat com.quillstack.storage.RevisionStore.load(RevisionStore.java:88)\n"
                            "\tat com.quillstack.api.documents.RevisionService.get(RevisionService.java:57)\n"
                            "\tat com.quillstack.api.web.DocumentController.revision(DocumentController.java:140)\n"
                            "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n"
                            "\t... 48 common frames omitted\n"
                            "Caused by: java.util.concurrent.TimeoutException: null\n"
                            "\tat java.base/java.util.concurrent.CompletableFuture.timedGet(CompletableFuture.java:1960)\n"
                            "\tat java.base/java.util.concurrent.CompletableFuture.get(CompletableFuture.java:2095)\n"
                            "\tat com.quillstack.storage.BlockCache.read(BlockCache.java:205)",
                        )
                    )
                if rng.random() < 0.25:
                    logs.append(
                        k.log(
                            lg,
                            stream,
                            t + timedelta(milliseconds=5),
                            f"{jts(t)}  WARN {pid} --- [  storage-io-mon] c.q.storage.IoPoolMonitor                : storage-io pool saturated: 32/32 busy, {rng.randrange(60, 400)} queued, oldest task {rng.randrange(20, 300)}s",
                        )
                    )
            else:
                r = rng.random()
                if r < 0.02:
                    msg = f"{jts(t)}  WARN {pid} --- [ool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randrange(60, 75)}s{rng.randrange(100, 999)}ms)."
                elif r < 0.05:
                    msg = f"{jts(t)}  WARN {pid} --- [{th:>15}] c.q.api.search.SearchClient              : opensearch query took {rng.randrange(800, 1900)} ms (workspace={k.hexs(rng, 8)})"
                else:
                    msg = f"{jts(t)}  INFO {pid} --- [{th:>15}] c.q.api.web.RequestLog                   : {rng.choice(['GET', 'GET', 'GET', 'PUT', 'POST'])} {rng.choice(['/v1/documents/{d}', '/v1/documents/{d}/revisions/{r}', '/v1/workspaces/{w}/tree', '/v1/documents/{d}/comments'])} {rng.choice([200, 200, 200, 200, 201, 204, 404])} {rng.randrange(8, 140)}ms".format(
                        d=k.hexs(rng, 12), r=rng.randrange(1, 90), w=k.hexs(rng, 8)
                    )
                logs.append(k.log(lg, stream, t, msg))
            t += timedelta(seconds=rng.randrange(25, 60) if t < fine_from else rng.randrange(8, 20))

    # --- resources -------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = [
        k.vpc(vpc_id, "10.30.0.0/16", acct, "quillstack-prod", "dopt-0" + k.hexs(rng, 16))
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
                f"quillstack-prod-private-{az[-1]}",
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
                f"quillstack-prod-public-{az[-1]}",
                rng.randrange(240, 250),
                public=True,
            )
        )
    resources += [
        k.security_group(
            sg_alb,
            "quillstack-api-alb",
            "quillstack api ALB",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 443, 443, cidrs=[("0.0.0.0/0", "")])],
        ),
        k.security_group(
            sg_api,
            "quillstack-api",
            "quillstack api instances",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 8080, 8080, groups=[(sg_alb, "")], acct=acct)],
        ),
        k.security_group(
            sg_db,
            "quillstack-pg",
            "quillstack postgres",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 5432, 5432, groups=[(sg_api, "")], acct=acct)],
        ),
        lb_res,
        tg_res,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(rng)}"),
    ]
    tag = {"Name": "quillstack-api-prod", "service": "quillstack-api", "aws:autoscaling:groupName": asg_name}
    az_ids = dict(AZS)
    for i in insts:
        item = k.instance(
            rng,
            i,
            acct=acct,
            region=REGION,
            vpc_id=vpc_id,
            itype="m7g.large",
            ami=ami,
            profile="quillstack-api-ec2",
            sgs=[(sg_api, "quillstack-api")],
            tag=tag,
            lt=lt,
        )
        item["item"]["BlockDeviceMappings"].append(
            {
                "DeviceName": "/dev/sdf",
                "Ebs": {
                    "AttachTime": k.iso(i.launched + timedelta(seconds=2)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": data_vols[i.id],
                },
            }
        )
        resources.append(item)
        resources.append(
            k.instance_status(
                i,
                az_ids[i.az],
                ebs_ok=i is not bad,
                ebs_since=onset + timedelta(seconds=rng.randrange(20, 50)),
            )
        )
        for vol, dev, size, kind in (
            (i.vol, "/dev/xvda", 20, "root"),
            (data_vols[i.id], "/dev/sdf", 200, "blockcache"),
        ):
            resources.append(
                k.res(
                    "ec2",
                    "Volume",
                    {
                        "AvailabilityZoneId": az_ids[i.az],
                        "Iops": 3000,
                        "Tags": k.tags({"Name": f"quillstack-api-{kind}"}),
                        "VolumeType": "gp3",
                        "MultiAttachEnabled": False,
                        "Throughput": 125 if kind == "root" else 250,
                        "VolumeId": vol,
                        "Size": size,
                        "SnapshotId": "" if kind != "root" else "snap-0" + k.hexs(rng, 16),
                        "AvailabilityZone": i.az,
                        "State": "in-use",
                        "CreateTime": k.iso_ms(i.launched),
                        "Attachments": [
                            {
                                "DeleteOnTermination": True,
                                "VolumeId": vol,
                                "InstanceId": i.id,
                                "Device": dev,
                                "State": "attached",
                                "AttachTime": k.iso(i.launched + timedelta(seconds=2)),
                            }
                        ],
                        "Encrypted": True,
                        "KmsKeyId": f"arn:aws:kms:{REGION}:{acct}:key/{k.uid(rng)}",
                    },
                )
            )
    resources.append(
        k.res(
            "ec2",
            "Volume",
            {
                "AvailabilityZoneId": "euc1-az2",
                "Iops": 3000,
                "Tags": k.tags({"Name": "ci-runner-01-data"}),
                "VolumeType": "gp3",
                "MultiAttachEnabled": False,
                "Throughput": 125,
                "VolumeId": other_vol,
                "Size": 100,
                "SnapshotId": "",
                "AvailabilityZone": "eu-central-1a",
                "State": "in-use",
                "CreateTime": k.iso_ms(day - timedelta(days=800)),
                "Attachments": [
                    {
                        "DeleteOnTermination": False,
                        "VolumeId": other_vol,
                        "InstanceId": "i-0" + k.hexs(rng, 16),
                        "Device": "/dev/sdb",
                        "State": "attached",
                        "AttachTime": k.iso(day - timedelta(days=800)),
                    }
                ],
                "Encrypted": True,
            },
        )
    )
    asg_item = k.asg(
        asg_name,
        acct,
        REGION,
        lt,
        [tg_arn],
        [p[0] for p in priv],
        [a for a, _ in AZS],
        [(i, "InService", "Healthy") for i in insts],
        day - timedelta(days=420),
        min_size=6,
        max_size=12,
        desired=6,
        itype="m7g.large",
        tag={"service": "quillstack-api"},
        rng=rng,
    )
    resources.append(asg_item)
    resources.append(
        k.res(
            "codedeploy",
            "DeploymentInfo",
            {
                "applicationName": "quillstack-api",
                "deploymentGroupName": "prod",
                "deploymentConfigName": "CodeDeployDefault.OneAtATime",
                "deploymentId": dep_id,
                "previousRevision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"quillstack-releases-{acct[-6:]}",
                        "key": f"api/{release_prev}.zip",
                        "bundleType": "zip",
                    },
                },
                "revision": {
                    "revisionType": "S3",
                    "s3Location": {
                        "bucket": f"quillstack-releases-{acct[-6:]}",
                        "key": f"api/{release}.zip",
                        "bundleType": "zip",
                    },
                },
                "status": "Succeeded",
                "createTime": k.iso(deploy_start - timedelta(seconds=4)),
                "startTime": k.iso(deploy_start),
                "completeTime": k.iso(deploy_done),
                "deploymentOverview": {
                    "Pending": 0,
                    "InProgress": 0,
                    "Succeeded": 6,
                    "Failed": 0,
                    "Skipped": 0,
                    "Ready": 0,
                },
                "description": f"release {release}",
                "creator": "user",
                "ignoreApplicationStopFailures": False,
                "updateOutdatedInstancesOnly": False,
                "deploymentStyle": {"deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
                "loadBalancerInfo": {"targetGroupInfoList": [{"name": "quillstack-api-8080"}]},
                "fileExistsBehavior": "DISALLOW",
                "computePlatform": "Server",
            },
        )
    )
    resources.append(
        k.rds_instance(
            rng,
            "quillstack-pg-prod",
            acct,
            REGION,
            "eu-central-1a",
            klass="db.r7g.large",
            engine="postgres",
            version="16.2",
            sg=sg_db,
            subnet_group="quillstack-prod-db",
            vpc_id=vpc_id,
            created=day - timedelta(days=400),
            now=now,
            storage=500,
        )
    )
    resources.append(
        k.log_group(lg, acct, REGION, day - timedelta(days=400), 30, rng.randrange(10**9, 10**10))
    )

    local = onset + timedelta(hours=2)
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
                    f"quillstack-api 5xx alarm went off and p99 is through the roof since about {local.hour}:{local.minute // 5 * 5:02d}. "
                    "Only a couple of percent of requests fail, the rest look fine. We shipped a release this morning; "
                    "should we roll it back?"
                ),
                "timezone": "Europe/Berlin",
                "alarm_event": event,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_vol,
                    "category": "component_failure",
                    "failure_mode": "ebs-volume-stalled-io",
                    "event_id": None,
                },
                "also_accept": [bad.id],
                "actions": ["exclude"],
                "chain": [
                    f"EBS data volume {bad_vol} attached to {bad.id} ({bad.az}) stops completing I/O (VolumeStalledIOCheck=1, attached-EBS status check impaired)",
                    f"Requests on {bad.id} that read the on-disk block cache time out after 20s; its /healthz does not touch the disk so the target stays healthy",
                    f"A slice of quillstack-api traffic (that instance's share) returns 5xx from {bad.az}; p99 target response time rises to ~20s",
                    "quillstack-api-target-5xx alarm fires; the morning release and the gp3 migration of another volume are unrelated",
                ],
            },
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
