"""stockroom: the self-managed PostgreSQL primary's gp3 data volume is rightsized to the gp3 baseline."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_j as k

NAME = "stockroom-pg-volume-iops-cut"
TITLE = "stockroom inventory API latency alarm"
SUMMARY = (
    "A FinOps rightsizing pass lowers the gp3 data volume of the EC2-hosted PostgreSQL primary from "
    "10k IOPS / 400 MiB/s to the 3000 / 125 baseline; reads queue on the volume and the API slows and times out."
)


def build(seed: int) -> Bundle:
    c = k.Ctx(NAME, seed)
    r = c.rng
    tzname, off = k.REGION_TZ[c.region]
    day = k.pick_day(c)
    change_at = k.local_to_utc(c, day, r.randint(10, 14), r.randint(0, 59)) + timedelta(
        seconds=r.randint(0, 59)
    )
    effect_at = k.floor_min(change_at) + timedelta(minutes=r.randint(2, 4))
    start = k.floor_min(change_at) - timedelta(hours=6, minutes=r.randint(0, 20))
    now = effect_at + timedelta(minutes=r.randint(40, 65), seconds=r.randint(0, 59))
    end = now
    acct = c.account

    # --- network and resources ---------------------------------------------------------------------
    vpc_id = c.rid("vpc")
    azs = [c.az(x) for x in "abc"]
    subnets = [c.rid("subnet") for _ in azs]
    o = c.vpc_octet
    cidrs = [f"10.{o}.{16 * i + 32}.0/20" for i in range(3)]
    sg_alb, sg_api, sg_db, sg_mon = (c.rid("sg") for _ in range(4))

    db_size = r.choice([1000, 1500, 2000])
    db_iops_old = r.choice([8000, 10000, 12000])
    db_tp_old = r.choice([375, 400, 500])
    pg1, pg2, graf = c.rid("i"), c.rid("i"), c.rid("i")
    api_ids = [c.rid("i") for _ in range(3)]
    v_pg1_data, v_pg1_root, v_pg2_data, v_graf = (c.rid("vol") for _ in range(4))
    ip = {iid: f"10.{o}.{32 + 16 * j}.{r.randint(10, 240)}" for j, iid in enumerate([pg1, pg2, graf])}
    for j, iid in enumerate(api_ids):
        ip[iid] = f"10.{o}.{32 + 16 * j}.{r.randint(10, 240)}"
    long_ago = start - timedelta(days=r.randint(200, 420))
    api_launch = start - timedelta(days=r.randint(2, 9), hours=r.randint(0, 20))
    lt_id = "lt-0" + c.hex(16)

    lb_item, lb_arn, lb_dim = k.alb(
        c, "stockroom-internal", vpc_id, list(zip(subnets, azs, strict=True)), sg_alb, long_ago
    )
    tg_item, tg_arn, tg_dim = k.target_group(c, "stockroom-api-8080", vpc_id, 8080, lb_arn, "/healthz")

    resources: list[dict[str, Any]] = []

    def res(service: str, type_: str, item: dict[str, Any]) -> None:
        resources.append({"service": service, "type": type_, "item": item})

    res("ec2", "Vpc", k.vpc(c, vpc_id, "retail-prod"))
    for s, az, cidr in zip(subnets, azs, cidrs, strict=True):
        res(
            "ec2",
            "Subnet",
            k.subnet(c, s, vpc_id, az, cidr, f"retail-prod-private-{az[-1]}", r.randint(3800, 4050)),
        )
    res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            c,
            sg_alb,
            "stockroom-alb",
            "stockroom internal ALB",
            vpc_id,
            [k.sg_rule("tcp", 443, cidr=f"10.{o}.0.0/16", desc="vpc")],
            [k.sg_rule("-1", None, cidr="0.0.0.0/0")],
        ),
    )
    res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            c,
            sg_api,
            "stockroom-api",
            "stockroom api instances",
            vpc_id,
            [k.sg_rule("tcp", 8080, group=sg_alb, account=acct, desc="from alb")],
            [k.sg_rule("-1", None, cidr="0.0.0.0/0")],
        ),
    )
    res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            c,
            sg_db,
            "stockroom-pg",
            "stockroom postgres hosts",
            vpc_id,
            [
                k.sg_rule("tcp", 5432, group=sg_api, account=acct, desc="api"),
                k.sg_rule("tcp", 5432, cidr=f"10.{o}.0.0/16", desc="replication and ops"),
                k.sg_rule("tcp", 9187, group=sg_mon, account=acct, desc="postgres_exporter"),
            ],
            [k.sg_rule("-1", None, cidr="0.0.0.0/0")],
        ),
    )

    def inst(
        iid: str,
        itype: str,
        j: int,
        name: str,
        role: str,
        vols: list[tuple[str, str]],
        profile: str,
        launched: datetime,
        sgs: list[tuple[str, str]],
    ) -> None:
        res(
            "ec2",
            "Instance",
            k.instance(
                c,
                iid,
                itype,
                azs[j],
                subnets[j],
                vpc_id,
                ip[iid],
                sgs,
                launched,
                {"Name": name, "service": "stockroom", "role": role, "env": "prod"},
                vols,
                profile=profile,
            ),
        )
        res("ec2", "InstanceStatus", k.instance_status(iid, azs[j]))

    inst(
        pg1,
        "r6i.2xlarge",
        0,
        "stockroom-pg-01",
        "postgres-primary",
        [("/dev/xvda", v_pg1_root), ("/dev/sdf", v_pg1_data)],
        "stockroom-pg",
        long_ago,
        [(sg_db, "stockroom-pg")],
    )
    inst(
        pg2,
        "r6i.2xlarge",
        1,
        "stockroom-pg-02",
        "postgres-standby",
        [("/dev/xvda", c.rid("vol")), ("/dev/sdf", v_pg2_data)],
        "stockroom-pg",
        long_ago + timedelta(hours=3),
        [(sg_db, "stockroom-pg")],
    )
    inst(
        graf,
        "t3.large",
        2,
        "ops-grafana-01",
        "monitoring",
        [("/dev/xvda", v_graf)],
        "ops-monitoring",
        long_ago - timedelta(days=60),
        [(sg_mon, "ops-monitoring")],
    )
    for j, iid in enumerate(api_ids):
        inst(
            iid,
            "m6i.large",
            j,
            "stockroom-api-prod",
            "api",
            [("/dev/xvda", c.rid("vol"))],
            "stockroom-api",
            api_launch + timedelta(minutes=j * 3),
            [(sg_api, "stockroom-api")],
        )

    res(
        "ec2",
        "Volume",
        k.volume(
            c,
            v_pg1_data,
            azs[0],
            db_size,
            3000,
            125,
            long_ago,
            pg1,
            "/dev/sdf",
            {"Name": "stockroom-pg-01-data", "service": "stockroom", "backup": "daily"},
        ),
    )
    res(
        "ec2",
        "Volume",
        k.volume(
            c, v_pg1_root, azs[0], 40, 3000, 125, long_ago, pg1, "/dev/xvda", {"Name": "stockroom-pg-01-root"}
        ),
    )
    res(
        "ec2",
        "Volume",
        k.volume(
            c,
            v_pg2_data,
            azs[1],
            db_size,
            db_iops_old,
            db_tp_old,
            long_ago,
            pg2,
            "/dev/sdf",
            {"Name": "stockroom-pg-02-data", "service": "stockroom", "backup": "daily"},
        ),
    )
    res(
        "ec2",
        "Volume",
        k.volume(
            c,
            v_graf,
            azs[2],
            200,
            3000,
            125,
            long_ago - timedelta(days=60),
            graf,
            "/dev/xvda",
            {"Name": "ops-grafana-01-root"},
        ),
    )

    graf_mod_at = change_at - timedelta(minutes=r.randint(4, 9), seconds=r.randint(0, 50))
    res(
        "ec2",
        "VolumeModification",
        {
            "VolumeId": v_graf,
            "ModificationState": "completed",
            "TargetSize": 200,
            "TargetIops": 3000,
            "TargetVolumeType": "gp3",
            "TargetThroughput": 125,
            "TargetMultiAttachEnabled": False,
            "OriginalSize": 200,
            "OriginalIops": 6000,
            "OriginalVolumeType": "gp3",
            "OriginalThroughput": 250,
            "OriginalMultiAttachEnabled": False,
            "Progress": 100,
            "StartTime": k.iso(graf_mod_at),
            "EndTime": k.iso(graf_mod_at + timedelta(minutes=r.randint(6, 12))),
        },
    )
    res(
        "ec2",
        "VolumeModification",
        {
            "VolumeId": v_pg1_data,
            "ModificationState": "optimizing",
            "TargetSize": db_size,
            "TargetIops": 3000,
            "TargetVolumeType": "gp3",
            "TargetThroughput": 125,
            "TargetMultiAttachEnabled": False,
            "OriginalSize": db_size,
            "OriginalIops": db_iops_old,
            "OriginalVolumeType": "gp3",
            "OriginalThroughput": db_tp_old,
            "OriginalMultiAttachEnabled": False,
            "Progress": r.randint(40, 85),
            "StartTime": k.iso(change_at),
        },
    )
    res("elbv2", "LoadBalancer", lb_item)
    res("elbv2", "TargetGroup", tg_item)
    res(
        "autoscaling",
        "AutoScalingGroup",
        k.asg(
            c,
            "stockroom-api-prod",
            lt_id,
            "stockroom-api",
            [(i, azs[j], "Healthy") for j, i in enumerate(api_ids)],
            subnets,
            [tg_arn],
            3,
            3,
            9,
            long_ago,
            "m6i.large",
        ),
    )
    topic = c.arn("sns", "stockroom-oncall")
    res(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "stockroom on-call",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Owner": acct,
            },
        },
    )

    # --- load model --------------------------------------------------------------------------------
    noise: dict[tuple[str, datetime], float] = {}

    def nz(key: str, t: datetime, rel: float) -> float:
        kk = (key, t)
        if kk not in noise:
            noise[kk] = 1.0 + r.gauss(0.0, rel)
        return noise[kk]

    def load(t: datetime) -> float:
        return k.diurnal(t, off, 14.5, 0.28) * nz("load", t, 0.04)

    peak_reads = r.uniform(4800, 6200)
    peak_writes = r.uniform(700, 1100)

    def cap(t: datetime) -> float:
        return 3000.0 if t >= effect_at else float(db_iops_old)

    def demand(t: datetime) -> tuple[float, float]:
        ld = load(t)
        ckpt = 1.0 + (0.6 if t.minute % 15 in (3, 4, 5, 6) else 0.0)
        return peak_reads * ld * nz("dr", t, 0.06), peak_writes * ld * ckpt * nz("dw", t, 0.08)

    def served(t: datetime) -> tuple[float, float, float]:
        dr, dw = demand(t)
        limit = cap(t) * 0.995
        if dr + dw <= limit:
            return dr, dw, 1.0
        f = limit / (dr + dw) * nz("cap", t, 0.004)
        return dr * f, dw * f, f

    def saturated(t: datetime) -> bool:
        return served(t)[2] < 1.0

    def qlen(t: datetime) -> float:
        dr, dw = demand(t)
        if saturated(t):
            return max(18.0, 41.0 * nz("q", t, 0.12))
        return 0.6 + (dr + dw) / 3200.0 * nz("q", t, 0.1)

    def op_latency(t: datetime) -> float:  # seconds per op
        sr, sw, _ = served(t)
        return qlen(t) / max(sr + sw, 1.0) + 0.00045

    def degraded(t: datetime) -> float:
        """0..1: how badly the API suffers (ramps in over two minutes after the volume caps)."""
        if not saturated(t):
            return 0.0
        mins = (t - effect_at).total_seconds() / 60.0
        return min(1.0, 0.4 + 0.3 * mins) * nz("deg", t, 0.05)

    rpm_peak = r.uniform(7200, 9800)

    def rpm(t: datetime) -> float:
        return rpm_peak * load(t) * (1.0 + 0.06 * degraded(t))

    def err_frac(t: datetime) -> float:
        d = degraded(t)
        return 0.0 if d == 0 else min(0.35, 0.11 * d * nz("err", t, 0.25))

    def resp_time(t: datetime) -> float:
        d = degraded(t)
        base = 0.038 * nz("rt", t, 0.08) * (1 + 0.25 * load(t))
        return base + d * 2.05 * nz("rt2", t, 0.09)

    # --- metrics -----------------------------------------------------------------------------------
    m = k.Metrics(c, start, now, start)

    def ebs(
        vid: str, fr: Any, fw: Any, q: Any, lat: Any, exceeded: Any, rbytes: float, wbytes: float
    ) -> None:
        d = {"VolumeId": vid}
        m.add("AWS/EBS", "VolumeReadOps", d, "Count", lambda t: round(fr(t) * 60))
        m.add("AWS/EBS", "VolumeWriteOps", d, "Count", lambda t: round(fw(t) * 60))
        m.add(
            "AWS/EBS",
            "VolumeReadBytes",
            d,
            "Bytes",
            lambda t: round(fr(t) * 60 * rbytes * nz(vid + "rb", t, 0.05)),
        )
        m.add(
            "AWS/EBS",
            "VolumeWriteBytes",
            d,
            "Bytes",
            lambda t: round(fw(t) * 60 * wbytes * nz(vid + "wb", t, 0.05)),
        )
        m.add("AWS/EBS", "VolumeTotalReadTime", d, "Seconds", lambda t: fr(t) * 60 * lat(t), decimals=3)
        m.add(
            "AWS/EBS", "VolumeTotalWriteTime", d, "Seconds", lambda t: fw(t) * 60 * lat(t) * 1.3, decimals=3
        )
        m.add("AWS/EBS", "VolumeQueueLength", d, "Count", q, decimals=3)
        m.add(
            "AWS/EBS",
            "VolumeIdleTime",
            d,
            "Seconds",
            lambda t: max(0.0, 60.0 * (1.0 - min(1.0, q(t) / 1.5))),
            decimals=2,
        )
        m.add("AWS/EBS", "VolumeIOPSExceededCheck", d, "None", exceeded)
        m.add("AWS/EBS", "VolumeThroughputExceededCheck", d, "None", lambda t: 0.0)

    ebs(
        v_pg1_data,
        lambda t: served(t)[0],
        lambda t: served(t)[1],
        qlen,
        op_latency,
        lambda t: 1.0 if saturated(t) else 0.0,
        16384 * 1.1,
        12288,
    )
    ebs(
        v_pg2_data,
        lambda t: 35 * nz("p2r", t, 0.3),
        lambda t: served(t)[1] * 0.92,
        lambda t: 0.25 + served(t)[1] / 4000 * nz("p2q", t, 0.1),
        lambda t: 0.0006 * nz("p2l", t, 0.1),
        lambda t: 0.0,
        8192,
        12288,
    )
    ebs(
        v_graf,
        lambda t: 4 * nz("gr", t, 0.4),
        lambda t: 22 * nz("gw", t, 0.2),
        lambda t: 0.02 * nz("gq", t, 0.3),
        lambda t: 0.0007,
        lambda t: 0.0,
        16384,
        8192,
    )
    ebs(
        v_pg1_root,
        lambda t: 1.5 * nz("rr", t, 0.5),
        lambda t: 9 * nz("rw", t, 0.3),
        lambda t: 0.01 * nz("rq", t, 0.3),
        lambda t: 0.0008,
        lambda t: 0.0,
        8192,
        8192,
    )

    # EC2 basic monitoring: 5-minute
    def cpu_pg1(t: datetime) -> float:
        base = 9 + 38 * load(t)
        if saturated(t):
            base *= 0.62
        return max(1.0, base * nz("c1", t, 0.05))

    m.add("AWS/EC2", "CPUUtilization", {"InstanceId": pg1}, "Percent", cpu_pg1, step_min=5, decimals=2)
    m.add(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": pg2},
        "Percent",
        lambda t: 4 + 3 * load(t) * nz("c2", t, 0.1),
        step_min=5,
        decimals=2,
    )
    m.add(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": graf},
        "Percent",
        lambda t: 6 * nz("c3", t, 0.2),
        step_min=5,
        decimals=2,
    )

    def api_cpu(iid: str) -> Callable[[datetime], float]:
        return lambda t: (6 + 31 * load(t) * (0.8 if saturated(t) else 1.0)) * nz(iid, t, 0.06)

    for iid in api_ids:
        m.add(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            api_cpu(iid),
            step_min=5,
            decimals=2,
        )
        m.add("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t: 0.0, step_min=5)
    for iid in (pg1, pg2):
        m.add("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda t: 0.0, step_min=5)
    # CloudWatch agent on the database hosts
    m.add(
        "CWAgent",
        "cpu_usage_iowait",
        {"InstanceId": pg1, "cpu": "cpu-total"},
        "Percent",
        lambda t: (28.0 if saturated(t) else 0.6 + 1.2 * load(t)) * nz("iow", t, 0.15),
        decimals=3,
    )
    m.add(
        "CWAgent",
        "mem_used_percent",
        {"InstanceId": pg1},
        "Percent",
        lambda t: 71.5 + 0.4 * nz("mem", t, 0.3),
        decimals=3,
    )
    m.add(
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": pg1, "path": "/var/lib/postgresql", "device": "nvme1n1", "fstype": "xfs"},
        "Percent",
        lambda t: 61.2 + (t - start).total_seconds() / 86400 * 0.3,
        decimals=3,
    )
    m.add(
        "CWAgent",
        "cpu_usage_iowait",
        {"InstanceId": pg2, "cpu": "cpu-total"},
        "Percent",
        lambda t: 0.4 * nz("iow2", t, 0.3),
        decimals=3,
    )

    # ALB
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    m.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", lambda t: round(rpm(t)))
    m.add("AWS/ApplicationELB", "RequestCount", tgd, "Count", lambda t: round(rpm(t)))
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda t: round(rpm(t) * (1 - err_frac(t)) * 0.985),
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        lambda t: round(rpm(t) * 0.015 * nz("4xx", t, 0.2)),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda t: round(rpm(t) * err_frac(t)),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda t: round(rpm(t) * err_frac(t)),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda t: 1.0 if nz("elb5", t, 1.0) > 3.1 else 0.0,
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        resp_time,
        dist=lambda t, v: k.latency_dist(r, v, rpm(t) / 40),
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        "Seconds",
        resp_time,
        dist=lambda t, v: k.latency_dist(r, v, rpm(t) / 40),
    )
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: 3.0)
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0.0)
    m.add(
        "AWS/ApplicationELB",
        "ActiveConnectionCount",
        lbd,
        "Count",
        lambda t: round(rpm(t) * 0.06 * (1 + 3 * degraded(t))),
    )
    m.add(
        "AWS/ApplicationELB",
        "NewConnectionCount",
        lbd,
        "Count",
        lambda t: round(rpm(t) * 0.018 * nz("nc", t, 0.1)),
    )

    # --- alarms ------------------------------------------------------------------------------------
    created = long_ago + timedelta(days=3)
    lat_alarm = k.Alarm(
        c,
        "stockroom-api-latency-high",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tgd,
        stat="Average",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=1.0,
        comparison="GreaterThanThreshold",
        description="stockroom API average target response time above 1s for 3 minutes. Runbook: wiki/stockroom/runbooks/latency",
        topic_arn=topic,
        created=created,
    )
    lat_alarm.evaluate(lambda t: round(resp_time(t), 6), start, now, lambda t: float(round(rpm(t))))
    err_alarm = k.Alarm(
        c,
        "stockroom-api-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tgd,
        stat="Sum",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=float(r.choice([400, 500, 600])),
        comparison="GreaterThanThreshold",
        description="stockroom API target 5xx over threshold",
        topic_arn=topic,
        treat_missing="notBreaching",
        created=created,
    )
    err_alarm.evaluate(
        lambda t: (
            sum(round(rpm(t + timedelta(minutes=i)) * err_frac(t + timedelta(minutes=i))) for i in range(5))
            or None
        ),
        k.floor_min(start).replace(minute=(start.minute // 5) * 5),
        now,
        5.0,
    )
    alarms = [lat_alarm.item(), err_alarm.item()]
    alarms.append(
        k.ok_alarm(
            c,
            "stockroom-pg-01-cpu-high",
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": pg1},
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            "stockroom-pg-01 CPU above 80% for 15 minutes",
            topic,
            created,
            start - timedelta(days=4),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "stockroom-pg-01-status-check",
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": pg1},
            "Maximum",
            60,
            2,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "stockroom-pg-01 failed a status check",
            topic,
            created,
            start - timedelta(days=30),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "stockroom-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "stockroom API has unhealthy targets",
            topic,
            created,
            start - timedelta(days=2),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "stockroom-pg-01-data-disk-used",
            "CWAgent",
            "disk_used_percent",
            {"InstanceId": pg1, "path": "/var/lib/postgresql", "device": "nvme1n1", "fstype": "xfs"},
            "Maximum",
            300,
            1,
            85.0,
            "GreaterThanThreshold",
            "postgres data filesystem above 85%",
            topic,
            created,
            start - timedelta(days=11),
        )
    )
    history: list[dict[str, Any]] = lat_alarm.history + err_alarm.history

    # --- CloudTrail --------------------------------------------------------------------------------
    office_ip = (
        f"{r.choice([52, 54, 203, 81, 62])}.{r.randint(10, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
    )
    finops_user = r.choice(["marta.kowalczyk", "deepa.nair", "lucas.ferreira", "hannah.osei"])
    sre_user = r.choice(["tom.brandt", "aisha.rahman", "kenji.watanabe"])
    finops = k.sso(c, "FinOpsAnalyst", finops_user, office_ip)
    sre = k.sso_cli(c, "PlatformEngineer", sre_user, office_ip)
    dd = k.Principal(
        c,
        "DatadogAWSIntegrationRole",
        "DatadogAWSIntegration",
        agent="aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
        ip="3.233.144.1" if c.region.startswith("us") else "3.121.18.2",
    )
    tf = k.Principal(c, "terraform-apply-prod", f"tf-{c.hex(8)}", agent=k.TERRAFORM_UA, ip="34.211.10.8")
    gha = k.Principal(
        c,
        "gha-stockroom-deploy",
        "GitHubActions",
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 prompt/off command/ssm.put-parameter",
        ip="140.82.112.4",
    )
    backup = k.Principal(
        c,
        "AWSBackupDefaultServiceRole",
        "AWSBackup-AWSBackupDefaultServiceRole",
        agent="backup.amazonaws.com",
        ip="backup.amazonaws.com",
        path="/service-role/",
    )
    ct: list[dict[str, Any]] = []
    menu: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "filterSet": {}}),
    ]
    ct += k.routine_reads(c, [dd, dd, sre, tf], start, now, menu, 26)
    ct.append(
        k.trail(
            c,
            gha,
            start + timedelta(minutes=r.randint(40, 90)),
            "ssm.amazonaws.com",
            "PutParameter",
            {"name": "/stockroom/prod/release", "type": "String", "overwrite": True},
            {"version": r.randint(80, 160), "tier": "Standard"},
        )
    )
    ct.append(
        k.trail(
            c,
            gha,
            start + timedelta(minutes=r.randint(95, 140)),
            "ssm.amazonaws.com",
            "GetParameter",
            {"name": "/stockroom/prod/release", "withDecryption": False},
            None,
        )
    )
    # Compute Optimizer look-ups and browsing before the rightsizing pass
    t0 = graf_mod_at - timedelta(minutes=r.randint(12, 20))
    ct.append(
        k.trail(
            c,
            finops,
            t0,
            "compute-optimizer.amazonaws.com",
            "GetEBSVolumeRecommendations",
            {"filters": [{"name": "Finding", "values": ["NotOptimized"]}]},
            None,
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            c,
            finops,
            t0 + timedelta(minutes=2, seconds=11),
            "ec2.amazonaws.com",
            "DescribeVolumes",
            {
                "volumeSet": {},
                "filterSet": {"items": [{"name": "volume-type", "valueSet": {"items": [{"value": "gp3"}]}}]},
            },
            None,
        )
    )
    ct.append(
        k.trail(
            c,
            finops,
            t0 + timedelta(minutes=3, seconds=40),
            "ec2.amazonaws.com",
            "DescribeVolumesModifications",
            {"DescribeVolumesModificationsRequest": {"VolumeId": [v_graf, v_pg1_data]}},
            None,
        )
    )

    def modify(t: datetime, vid: str, size: int, iops_old: int, tp_old: int) -> dict[str, Any]:
        req = c.uuid()
        rec = k.trail(
            c,
            finops,
            t,
            "ec2.amazonaws.com",
            "ModifyVolume",
            {"ModifyVolumeRequest": {"VolumeId": vid, "Iops": 3000, "Throughput": 125}},
            {
                "ModifyVolumeResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "requestId": req,
                    "volumeModification": {
                        "volumeId": vid,
                        "modificationState": "modifying",
                        "targetSize": size,
                        "targetIops": 3000,
                        "targetVolumeType": "gp3",
                        "targetThroughput": 125,
                        "targetMultiAttachEnabled": False,
                        "originalSize": size,
                        "originalIops": iops_old,
                        "originalVolumeType": "gp3",
                        "originalThroughput": tp_old,
                        "originalMultiAttachEnabled": False,
                        "progress": 0,
                        "startTime": k.iso(t),
                    },
                }
            },
        )
        rec["requestID"] = req
        return rec

    ct.append(modify(graf_mod_at, v_graf, 200, 6000, 250))
    culprit = modify(change_at, v_pg1_data, db_size, db_iops_old, db_tp_old)
    ct.append(culprit)
    ct.append(
        k.trail(
            c,
            finops,
            change_at + timedelta(seconds=r.randint(20, 50)),
            "ec2.amazonaws.com",
            "DescribeVolumesModifications",
            {"DescribeVolumesModificationsRequest": {"VolumeId": [v_pg1_data]}},
            None,
        )
    )
    # innocent changes near the onset
    asg_at = effect_at - timedelta(minutes=r.randint(14, 24))
    ct.append(
        k.trail(
            c,
            tf,
            asg_at,
            "autoscaling.amazonaws.com",
            "UpdateAutoScalingGroup",
            {"autoScalingGroupName": "stockroom-api-prod", "maxSize": 9, "minSize": 3},
            None,
            api="auto-scaling",
        )
    )
    ct.append(
        k.trail(
            c,
            tf,
            asg_at + timedelta(seconds=21),
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            {
                "alarmName": "stockroom-pg-01-data-disk-used",
                "namespace": "CWAgent",
                "metricName": "disk_used_percent",
                "threshold": 85.0,
                "comparisonOperator": "GreaterThanThreshold",
                "evaluationPeriods": 1,
                "period": 300,
                "statistic": "Maximum",
                "alarmActions": [topic],
                "oKActions": [topic],
            },
            None,
            api="cloudwatch",
        )
    )
    snap_at = effect_at + timedelta(minutes=r.randint(6, 14), seconds=r.randint(0, 59))
    snap_id = c.rid("snap")
    ct.append(
        k.trail(
            c,
            backup,
            snap_at,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            {
                "volumeId": v_pg2_data,
                "description": "This snapshot is created by the AWS Backup service.",
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "snapshot",
                            "tags": [{"key": "aws:backup:source-resource", "value": v_pg2_data}],
                        }
                    ]
                },
            },
            {
                "requestId": c.uuid(),
                "snapshotId": snap_id,
                "volumeId": v_pg2_data,
                "status": "pending",
                "startTime": snap_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "progress": "",
                "ownerId": acct,
                "volumeSize": db_size,
                "encrypted": True,
            },
        )
    )
    # instance-profile credential refreshes
    for iid in [pg1, *api_ids]:
        role = "stockroom-pg" if iid == pg1 else "stockroom-api"
        ct.append(
            k.assume_role_record(
                c,
                start + timedelta(minutes=r.randint(5, 300)),
                f"arn:aws:iam::{acct}:role/{role}",
                iid,
                "ec2.amazonaws.com",
            )
        )
    ct = [x for x in ct if x["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    grp_pg = "/stockroom/postgresql"
    grp_api = "/stockroom/api"
    pid_base = r.randint(2000, 9000)
    t = start
    ck = 0
    while t < now:
        ck += 1
        cs = t + timedelta(seconds=r.randint(0, 50))
        sat = saturated(k.floor_min(cs))
        wrote = r.randint(4000, 14000)
        write_s = 269.8 + r.random() * 0.4 if not sat else 269.9 + r.uniform(5, 40)
        sync_s = r.uniform(0.01, 0.09) if not sat else r.uniform(6.0, 21.0)
        logs.append(
            k.log(
                grp_pg,
                f"{pg1}/postgresql.log",
                cs,
                f"{(cs).strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{pid_base}] LOG:  checkpoint starting: time",
            )
        )
        ce = cs + timedelta(seconds=write_s + sync_s)
        if ce < now:
            logs.append(
                k.log(
                    grp_pg,
                    f"{pg1}/postgresql.log",
                    ce,
                    f"{ce.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{pid_base}] LOG:  checkpoint complete: wrote {wrote} buffers ({wrote / 1310.72:.1f}%); 0 WAL file(s) added, 0 removed, {r.randint(2, 6)} recycled; write={write_s:.3f} s, sync={sync_s:.3f} s, total={write_s + sync_s + 0.004:.3f} s; sync files={r.randint(180, 420)}, longest={sync_s * 0.3:.3f} s, average={sync_s / 300:.3f} s; distance={r.randint(60000, 140000)} kB, estimate={r.randint(90000, 150000)} kB",
                )
            )
        t += timedelta(minutes=5)
    tables = ["stock_levels", "reservations", "sku_locations", "inbound_shipments"]
    for _ in range(r.randint(5, 8)):
        at = start + timedelta(seconds=r.randint(0, int((effect_at - start).total_seconds())))
        tb = r.choice(tables)
        logs.append(
            k.log(
                grp_pg,
                f"{pg1}/postgresql.log",
                at,
                f'{at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]} UTC [{r.randint(10000, 60000)}] LOG:  automatic vacuum of table "stockroom.public.{tb}": index scans: 1\n\tpages: 0 removed, {r.randint(20000, 90000)} remain, {r.randint(200, 3000)} scanned (2.1% of total)\n\ttuples: {r.randint(1000, 20000)} removed, {r.randint(10**6, 9 * 10**6)} remain, 0 are dead but not yet removable\n\tavg read rate: {r.uniform(1, 9):.3f} MB/s, avg write rate: {r.uniform(1, 5):.3f} MB/s\n\tsystem usage: CPU: user: 0.{r.randint(10, 99)} s, system: 0.0{r.randint(1, 9)} s, elapsed: {r.uniform(1, 6):.2f} s',
            )
        )
    for _ in range(r.randint(3, 5)):
        at = start + timedelta(seconds=r.randint(0, int((effect_at - start).total_seconds())))
        d = r.uniform(1000, 1900)
        logs.append(
            k.log(
                grp_pg,
                f"{pg1}/postgresql.log",
                at,
                f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{r.randint(10000, 60000)}] LOG:  duration: {d:.3f} ms  execute <unnamed>: SELECT s.sku, s.location_id, s.on_hand, s.reserved FROM stock_levels s JOIN sku_locations l ON l.id = s.location_id WHERE l.region = $1 AND s.updated_at > $2",
            )
        )
    queries = [
        "SELECT on_hand, reserved FROM stock_levels WHERE sku = $1 AND location_id = ANY($2)",
        "SELECT id, sku, qty, expires_at FROM reservations WHERE order_id = $1",
        "UPDATE stock_levels SET reserved = reserved + $1, updated_at = now() WHERE sku = $2 AND location_id = $3",
        "SELECT l.id, l.code FROM sku_locations l WHERE l.sku = $1 ORDER BY l.priority",
    ]
    t = effect_at + timedelta(seconds=r.randint(20, 60))
    while t < now:
        for _ in range(r.randint(4, 9)):
            at = t + timedelta(milliseconds=r.randint(0, 59999))
            if at >= now:
                continue
            pid = r.randint(10000, 60000)
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            if r.random() < 0.35:
                logs.append(
                    k.log(
                        grp_pg,
                        f"{pg1}/postgresql.log",
                        at,
                        f"{stamp} UTC [{pid}] ERROR:  canceling statement due to statement timeout",
                    )
                )
                logs.append(
                    k.log(
                        grp_pg,
                        f"{pg1}/postgresql.log",
                        at,
                        f"{stamp} UTC [{pid}] STATEMENT:  {r.choice(queries)}",
                    )
                )
            else:
                logs.append(
                    k.log(
                        grp_pg,
                        f"{pg1}/postgresql.log",
                        at,
                        f"{stamp} UTC [{pid}] LOG:  duration: {r.uniform(1000, 2990):.3f} ms  execute <unnamed>: {r.choice(queries)}",
                    )
                )
        t += timedelta(minutes=1)

    # API (Node, pino) logs
    hosts = {iid: f"ip-{ip[iid].replace('.', '-')}" for iid in api_ids}
    pids = {iid: r.randint(1000, 40000) for iid in api_ids}
    paths = ["/v1/stock/{sku}", "/v1/stock/{sku}/locations", "/v1/reservations", "/v1/reservations/{id}"]
    t = start
    while t < now:
        for iid in api_ids:
            if r.random() < 0.5:
                continue
            at = t + timedelta(milliseconds=r.randint(0, 59999))
            if at >= now:
                continue
            p = (
                r.choice(paths)
                .replace("{sku}", f"SKU-{r.randint(100000, 999999)}")
                .replace("{id}", f"rsv_{c.alnum(12, upper=False)}")
            )
            method = "POST" if p == "/v1/reservations" else "GET"
            reqid = c.uuid()
            d = degraded(k.floor_min(at))
            if d > 0 and r.random() < 0.55:
                if r.random() < 0.6:
                    err = {
                        "type": "DatabaseError",
                        "message": "canceling statement due to statement timeout",
                        "stack": "error: canceling statement due to statement timeout\n    at Parser.parseErrorMessage (/srv/stockroom/node_modules/pg-protocol/dist/parser.js:283:98)\n    at Parser.handlePacket (/srv/stockroom/node_modules/pg-protocol/dist/parser.js:122:29)\n    at Parser.parse (/srv/stockroom/node_modules/pg-protocol/dist/parser.js:35:38)\n    at Socket.<anonymous> (/srv/stockroom/node_modules/pg-protocol/dist/index.js:11:42)",
                        "code": "57014",
                        "severity": "ERROR",
                    }
                else:
                    err = {
                        "type": "Error",
                        "message": "timeout exceeded when trying to connect",
                        "stack": "Error: timeout exceeded when trying to connect\n    at Timeout._onTimeout (/srv/stockroom/node_modules/pg-pool/index.js:205:27)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)",
                    }
                msg = {
                    "level": 50,
                    "time": k.ms(at),
                    "pid": pids[iid],
                    "hostname": hosts[iid],
                    "reqId": reqid,
                    "req": {"method": method, "url": p},
                    "err": err,
                    "msg": "request failed",
                }
                logs.append(k.log(grp_api, f"{iid}/app", at, json.dumps(msg, separators=(",", ":"))))
                msg2 = {
                    "level": 30,
                    "time": k.ms(at) + 2,
                    "pid": pids[iid],
                    "hostname": hosts[iid],
                    "reqId": reqid,
                    "res": {"statusCode": 503},
                    "responseTime": round(r.uniform(2950, 3100), 3),
                    "msg": "request completed",
                }
                logs.append(
                    k.log(
                        grp_api,
                        f"{iid}/app",
                        at + timedelta(milliseconds=2),
                        json.dumps(msg2, separators=(",", ":")),
                    )
                )
                continue
            if r.random() < 0.03:
                w = r.choice(
                    [
                        {
                            "level": 40,
                            "msg": "upstream pricing-svc slow response",
                            "durationMs": r.randint(800, 1500),
                        },
                        {
                            "level": 40,
                            "msg": "reservation expired before confirm",
                            "reservationId": f"rsv_{c.alnum(12, upper=False)}",
                        },
                    ]
                )
                msg = {
                    "level": w["level"],
                    "time": k.ms(at),
                    "pid": pids[iid],
                    "hostname": hosts[iid],
                    **{kk: vv for kk, vv in w.items() if kk != "level"},
                }
                logs.append(k.log(grp_api, f"{iid}/app", at, json.dumps(msg, separators=(",", ":"))))
                continue
            rt = resp_time(k.floor_min(at)) * 1000 * r.uniform(0.5, 1.6)
            msg = {
                "level": 30,
                "time": k.ms(at),
                "pid": pids[iid],
                "hostname": hosts[iid],
                "reqId": reqid,
                "req": {"method": method, "url": p},
                "res": {"statusCode": 201 if method == "POST" else 200},
                "responseTime": round(rt, 3),
                "msg": "request completed",
            }
            logs.append(k.log(grp_api, f"{iid}/app", at, json.dumps(msg, separators=(",", ":"))))
        t += timedelta(minutes=1)
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    # --- events ------------------------------------------------------------------------------------
    events: list[dict[str, Any]] = []
    for j, iid in enumerate(api_ids):
        at = api_launch + timedelta(minutes=j * 3 + 2)
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": iid, "Port": 8080, "AvailabilityZone": azs[j]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(at),
                },
            }
        )
        events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": c.uuid(),
                    "AutoScalingGroupName": "stockroom-api-prod",
                    "Description": f"Launching a new EC2 instance: {iid}",
                    "Cause": f"At {k.iso(api_launch + timedelta(minutes=j * 3) - timedelta(seconds=40))} an instance was launched in response to an instance refresh.",
                    "StartTime": k.iso(api_launch + timedelta(minutes=j * 3) - timedelta(seconds=38)),
                    "EndTime": k.iso(api_launch + timedelta(minutes=j * 3 + 1)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": subnets[j], "Availability Zone": azs[j]}),
                },
            }
        )

    history.sort(key=lambda h: h["Timestamp"])
    trigger_event = lat_alarm.event(
        next(i for i, tr in enumerate(lat_alarm.transitions) if tr[2] == "ALARM" and tr[0] > effect_at)
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": c.region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": trigger_event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": v_pg1_data,
                    "category": "change",
                    "failure_mode": "ebs-volume-iops-throughput-lowered",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["stockroom-pg-01-data"],
                "actions": ["rollback"],
                "chain": [
                    f"ModifyVolume lowers {v_pg1_data} (stockroom-pg-01-data) from {db_iops_old} IOPS / {db_tp_old} MiB/s to 3000 IOPS / 125 MiB/s",
                    "the volume hits its IOPS ceiling under the usual read load; VolumeQueueLength and per-op latency jump",
                    f"PostgreSQL on stockroom-pg-01 ({pg1}) slows; queries hit statement_timeout",
                    "stockroom-api requests time out with 503s",
                    "stockroom-internal ALB TargetResponseTime breaches stockroom-api-latency-high",
                ],
            },
        }
    )
    del tzname
    return Bundle(
        manifest,
        {
            "metrics": m.points,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
