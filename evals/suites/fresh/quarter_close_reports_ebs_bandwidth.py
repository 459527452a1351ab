"""Quarter-close reports time out: the self-managed Postgres instance ran out of its EBS bandwidth burst."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zze import MIN, Ctx, iso, iso_ms

NAME = "quarter-close-reports-ebs-bandwidth"
TITLE = "Finance quarter-close reports timing out in the afternoon; reporting DB CPU looks fine"
SUMMARY = (
    "Quarter-close report load on a self-managed PostgreSQL EC2 instance used up the instance type's "
    "EBS bandwidth burst; throughput fell to the instance baseline far below what the gp3 volume is "
    "provisioned for, and report queries time out."
)

TYPES = {"r5.large": (81.25, 593.75), "m5.large": (81.25, 593.75), "r5.xlarge": (143.75, 593.75)}


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "ap-southeast-2")
    r = c.rng
    tz = ZoneInfo("Australia/Sydney")
    qend = r.choice([(3, 31), (6, 30), (9, 30), (12, 31)])
    year = r.choice([2025, 2026])
    day = datetime(year, qend[0], qend[1], tzinfo=UTC) + timedelta(days=r.randint(1, 4))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    load_local = datetime(
        day.year, day.month, day.day, r.randint(13, 14), r.randint(0, 50), r.randint(0, 59), tzinfo=tz
    )
    load_t = load_local.astimezone(UTC)
    itype = r.choice(list(TYPES))
    base, peak = TYPES[itype]  # MB/s
    demand_hi = r.uniform(330, 460)
    bucket_mb = (peak - base) * 1800  # 30 minutes at full burst
    start = (load_t - timedelta(hours=3, minutes=r.randint(10, 30))).replace(second=0)

    iid = "i-0" + c.hex(16)
    host = "reporting-pg-01"
    az = "ap-southeast-2" + r.choice("abc")
    vol_data, vol_root = "vol-0" + c.hex(16), "vol-0" + c.hex(16)
    subnet, vpc = "subnet-0" + c.hex(16), "vpc-0" + c.hex(16)
    sg_db, sg_web = "sg-0" + c.hex(16), "sg-0" + c.hex(16)
    priv = f"10.60.{r.randint(10, 40)}.{r.randint(5, 250)}"
    web = [("i-0" + c.hex(16), "ap-southeast-2a"), ("i-0" + c.hex(16), "ap-southeast-2b")]
    asg = "finance-reports-web"
    alb_name = "finance-reports"
    alb_arn = f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:loadbalancer/app/{alb_name}/{c.hex(16)}"
    tg_arn = (
        f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:targetgroup/finance-reports-web/{c.hex(16)}"
    )
    alb_dim = alb_arn.split(":loadbalancer/")[1]
    tg_dim = "targetgroup/" + tg_arn.split(":targetgroup/")[1]
    topic = f"arn:aws:sns:{c.region}:{c.account}:platform-oncall"
    launched = day - timedelta(days=r.randint(200, 500))

    # --- throughput model (per minute) -------------------------------------------------------------
    end_time = None
    now = None
    bal = bucket_mb
    series = {}
    t = start
    onset = None
    while True:
        if t < load_t:
            dem = r.uniform(18, 55)
        else:
            ramp = min(1.0, (t - load_t).total_seconds() / 600)
            dem = 40 + (demand_hi - 40) * ramp * r.uniform(0.9, 1.08)
        cap = peak if (bal > 0 and onset is None) or bal > 0.05 * bucket_mb else base
        got = min(dem, cap * r.uniform(0.975, 1.0))
        bal = max(0.0, bal - (got - base) * 60) if got > base else min(bucket_mb, bal + (base - got) * 60)
        if bal <= 0 and onset is None:
            onset = t
            now = t + timedelta(minutes=r.randint(38, 55), seconds=r.randint(0, 59))
            end_time = now + timedelta(minutes=5)
        backlog = max(0.0, dem - got)
        series[t] = (dem, got, 100 * bal / bucket_mb, backlog)
        t += MIN
        if end_time is not None and t >= end_time:
            break
    end = end_time
    assert now is not None
    assert onset is not None

    def agg5(idx: int, tt: datetime, fn=sum):
        vals = [series[k][idx] for k in (tt + timedelta(minutes=m) for m in range(5)) if k in series]
        return fn(vals) if vals else None

    # --- metrics --------------------------------------------------------------------------------------
    d = {"InstanceId": iid}
    c.series(
        "AWS/EC2", "EBSReadBytes", d, start, end, 5, lambda t: (agg5(1, t) or 0) * 60 * 1e6 * 0.93, "Bytes"
    )
    c.series(
        "AWS/EC2", "EBSWriteBytes", d, start, end, 5, lambda t: (agg5(1, t) or 0) * 60 * 1e6 * 0.07, "Bytes"
    )
    c.series(
        "AWS/EC2",
        "EBSReadOps",
        d,
        start,
        end,
        5,
        lambda t: round((agg5(1, t) or 0) * 60 * 0.93 * 1e6 / 131072),
        "Count",
    )
    c.series(
        "AWS/EC2",
        "EBSWriteOps",
        d,
        start,
        end,
        5,
        lambda t: round((agg5(1, t) or 0) * 60 * 0.07 * 1e6 / 16384),
        "Count",
    )
    c.series(
        "AWS/EC2",
        "EBSByteBalance%",
        d,
        start,
        end,
        5,
        lambda t: round(agg5(2, t, lambda v: sum(v) / len(v)), 2),
        "Percent",
    )
    c.series("AWS/EC2", "EBSIOBalance%", d, start, end, 5, lambda t: 100.0, "Percent")
    c.series(
        "AWS/EC2",
        "CPUUtilization",
        d,
        start,
        end,
        5,
        lambda t: r.uniform(6, 12) + (agg5(1, t) or 0) / 5 / 40 * r.uniform(0.9, 1.1),
        "Percent",
    )
    c.series("AWS/EC2", "StatusCheckFailed", d, start, end, 5, lambda t: 0.0, "Count")
    c.series(
        "CWAgent",
        "cpu_usage_iowait",
        {"InstanceId": iid, "cpu": "cpu-total"},
        start,
        end,
        1,
        lambda t: (
            r.uniform(0.5, 3) if series.get(t, (0, 0, 100, 0))[3] < 1 else min(92, 30 + series[t][3] / 5)
        ),
        "Percent",
    )
    c.series(
        "CWAgent",
        "mem_used_percent",
        {"InstanceId": iid},
        start,
        end,
        1,
        lambda t: r.uniform(61, 64),
        "Percent",
    )
    v = {"VolumeId": vol_data}
    c.series(
        "AWS/EBS",
        "VolumeReadBytes",
        v,
        start,
        end,
        1,
        lambda t: series[t][1] * 60 * 1e6 * 0.93 if t in series else None,
        "Bytes",
    )
    c.series(
        "AWS/EBS",
        "VolumeWriteBytes",
        v,
        start,
        end,
        1,
        lambda t: series[t][1] * 60 * 1e6 * 0.07 if t in series else None,
        "Bytes",
    )
    c.series(
        "AWS/EBS",
        "VolumeReadOps",
        v,
        start,
        end,
        1,
        lambda t: round(series[t][1] * 60 * 0.93 * 1e6 / 131072) if t in series else None,
        "Count",
    )
    c.series(
        "AWS/EBS",
        "VolumeWriteOps",
        v,
        start,
        end,
        1,
        lambda t: round(series[t][1] * 60 * 0.07 * 1e6 / 16384) if t in series else None,
        "Count",
    )
    c.series(
        "AWS/EBS",
        "VolumeTotalReadTime",
        v,
        start,
        end,
        1,
        lambda t: (
            round(
                series[t][1]
                * 60
                * 0.93
                * 1e6
                / 131072
                * (0.0009 if series[t][3] < 1 else 0.0009 + series[t][3] / 1500),
                3,
            )
            if t in series
            else None
        ),
        "Seconds",
    )
    c.series(
        "AWS/EBS",
        "VolumeQueueLength",
        v,
        start,
        end,
        1,
        lambda t: (
            round(r.uniform(0.3, 1.5) + (series[t][3] / 8 if t in series else 0), 2) if t in series else None
        ),
        "Count",
    )
    c.series(
        "AWS/EBS",
        "VolumeIdleTime",
        v,
        start,
        end,
        1,
        lambda t: (
            round(max(0.0, 60 - series[t][1] / 6) if series[t][3] < 1 else 0.0, 2) if t in series else None
        ),
        "Seconds",
    )

    def rt(t):
        s = series.get(t)
        if s is None:
            return None
        if s[3] < 1:
            return r.uniform(0.35, 0.9) + (2.5 if s[1] > 200 else 0)
        return min(r.uniform(29.5, 30.4), 4 + s[3] / 9)

    ld = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    c.series("AWS/ApplicationELB", "TargetResponseTime", ld, start, end, 1, rt, "Seconds")
    c.series(
        "AWS/ApplicationELB",
        "RequestCount",
        ld,
        start,
        end,
        1,
        lambda t: round(r.uniform(40, 70) * (2.2 if t >= load_t else 1)),
        "Count",
    )
    c.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ld,
        start,
        end,
        1,
        lambda t: (
            float(r.randint(6, 22))
            if series.get(t, (0, 0, 0, 0))[3] > 150
            else (1.0 if r.random() < 0.05 else None)
        ),
        "Count",
    )
    c.series("AWS/ApplicationELB", "HealthyHostCount", ld, start, end, 1, lambda t: 2.0, "Count")
    for w, _ in web:
        c.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": w},
            start,
            end,
            5,
            lambda t: r.uniform(4, 11),
            "Percent",
        )

    # --- logs -----------------------------------------------------------------------------------------
    pg = "/bluegum/reporting-pg/postgresql"
    stream = f"{host}/postgresql.log"
    reports = [
        "gl_trial_balance",
        "ap_aging_by_supplier",
        "revenue_by_cost_centre",
        "q_close_variance",
        "intercompany_recon",
    ]
    t = start + timedelta(seconds=r.randint(10, 200))
    while t < end:
        s = series.get(t.replace(second=0, microsecond=0))
        if s is None:
            break
        pid = r.randint(20000, 60000)
        stamp = f"{t:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d} UTC [{pid}]"
        rep = r.choice(reports)
        if s[3] < 1:
            if r.random() < 0.35:
                c.log(
                    pg,
                    stream,
                    t,
                    f"{stamp} LOG:  duration: {r.uniform(5100, 14000):.3f} ms  statement: /* report={rep} */ SELECT ... FROM ledger_entries le JOIN accounts a ON ...",
                )
            t += timedelta(seconds=r.randint(60, 240))
        else:
            if r.random() < 0.55:
                c.log(pg, stream, t, f"{stamp} ERROR:  canceling statement due to statement timeout")
                c.log(
                    pg,
                    stream,
                    t,
                    f"{stamp} STATEMENT:  /* report={rep} */ SELECT ... FROM ledger_entries le JOIN accounts a ON ...",
                )
            else:
                c.log(
                    pg,
                    stream,
                    t,
                    f"{stamp} LOG:  duration: {r.uniform(31000, 59000):.3f} ms  statement: /* report={rep} */ SELECT ... FROM ledger_entries le JOIN accounts a ON ...",
                )
            t += timedelta(seconds=r.randint(8, 30))
    t = start + timedelta(minutes=r.randint(1, 4))
    while t < end:
        s = series.get(t.replace(second=0, microsecond=0), (0, 0, 0, 0))
        slow = s[3] >= 1
        stamp = f"{t:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d} UTC [{r.randint(1000, 1999)}]"
        c.log(pg, stream, t, f"{stamp} LOG:  checkpoint starting: time")
        t2 = t + timedelta(seconds=r.randint(250, 275) if not slow else r.randint(295, 299))
        wr = r.randint(4000, 15000)
        c.log(
            pg,
            stream,
            t2,
            f"{t2:%Y-%m-%d %H:%M:%S}.{r.randint(0, 999):03d} UTC [{r.randint(1000, 1999)}] LOG:  checkpoint complete: "
            f"wrote {wr} buffers ({wr / 1310.72:.1f}%); 0 WAL file(s) added, 0 removed, {r.randint(1, 6)} recycled; "
            f"write={(t2 - t).total_seconds() - 1.2:.3f} s, sync={r.uniform(0.01, 0.2) if not slow else r.uniform(4, 19):.3f} s, "
            f"total={(t2 - t).total_seconds() + 0.3:.3f} s",
        )
        t += timedelta(minutes=5)
    app = "/bluegum/finance-reports-web"
    for w, _ in web:
        t = start + timedelta(seconds=r.randint(0, 120))
        while t < end:
            s = series.get(t.replace(second=0, microsecond=0), (0, 0, 0, 0))
            rep = r.choice(reports)
            if s[3] >= 1 and r.random() < 0.6:
                c.log(
                    app,
                    w,
                    t,
                    f"{iso_ms(t)} ERROR [http-nio-8080-exec-{r.randint(1, 40)}] c.b.reports.ReportService - report {rep} failed "
                    "after 30012 ms: org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout",
                )
            else:
                ms_ = r.randint(400, 9000) if s[3] < 1 else r.randint(12000, 29000)
                c.log(
                    app,
                    w,
                    t,
                    f"{iso_ms(t)} INFO  [http-nio-8080-exec-{r.randint(1, 40)}] c.b.reports.ReportService - report {rep} rendered rows={r.randint(200, 90000)} in {ms_} ms",
                )
            t += timedelta(seconds=r.randint(20, 90) if t < load_t else r.randint(8, 25))

    # --- resources ------------------------------------------------------------------------------------
    c.res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "ImageId": "ami-0" + c.hex(16),
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateIpAddress": priv,
            "PrivateDnsName": f"ip-{priv.replace('.', '-')}.{c.region}.compute.internal",
            "EbsOptimized": True,
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "Monitoring": {"State": "disabled"},
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": vol_root,
                    },
                },
                {
                    "DeviceName": "/dev/sdf",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": False,
                        "Status": "attached",
                        "VolumeId": vol_data,
                    },
                },
            ],
            "SecurityGroups": [{"GroupName": "reporting-pg", "GroupId": sg_db}],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": "eni-0" + c.hex(16),
                    "PrivateIpAddress": priv,
                    "SubnetId": subnet,
                    "VpcId": vpc,
                    "Status": "in-use",
                    "Groups": [{"GroupName": "reporting-pg", "GroupId": sg_db}],
                }
            ],
            "Tags": [
                {"Key": "Name", "Value": host},
                {"Key": "role", "Value": "postgresql-16"},
                {"Key": "team", "Value": "finance-eng"},
            ],
        },
    )
    c.res(
        "ec2",
        "InstanceStatus",
        {
            "InstanceId": iid,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )
    vmod = day - timedelta(days=r.randint(30, 80))
    c.res(
        "ec2",
        "Volume",
        {
            "VolumeId": vol_data,
            "Size": 2000,
            "VolumeType": "gp3",
            "Iops": 12000,
            "Throughput": 500,
            "Encrypted": True,
            "AvailabilityZone": az,
            "CreateTime": iso(launched),
            "State": "in-use",
            "MultiAttachEnabled": False,
            "Attachments": [
                {
                    "AttachTime": iso(launched),
                    "Device": "/dev/sdf",
                    "InstanceId": iid,
                    "State": "attached",
                    "VolumeId": vol_data,
                    "DeleteOnTermination": False,
                }
            ],
            "Tags": [{"Key": "Name", "Value": f"{host}-pgdata"}],
        },
    )
    c.res(
        "ec2",
        "Volume",
        {
            "VolumeId": vol_root,
            "Size": 30,
            "VolumeType": "gp3",
            "Iops": 3000,
            "Throughput": 125,
            "Encrypted": True,
            "AvailabilityZone": az,
            "CreateTime": iso(launched),
            "State": "in-use",
            "Attachments": [
                {
                    "AttachTime": iso(launched),
                    "Device": "/dev/xvda",
                    "InstanceId": iid,
                    "State": "attached",
                    "VolumeId": vol_root,
                    "DeleteOnTermination": True,
                }
            ],
        },
    )
    c.res(
        "ec2",
        "VolumeStatusItem",
        {
            "VolumeId": vol_data,
            "AvailabilityZone": az,
            "VolumeStatus": {
                "Status": "ok",
                "Details": [
                    {"Name": "io-enabled", "Status": "passed"},
                    {"Name": "io-performance", "Status": "not-applicable"},
                ],
            },
        },
    )
    for w, waz in web:
        ip = f"10.60.{r.randint(100, 140)}.{r.randint(5, 250)}"
        c.res(
            "ec2",
            "Instance",
            {
                "InstanceId": w,
                "ImageId": "ami-0" + c.hex(16),
                "InstanceType": "t3.medium",
                "LaunchTime": iso(day - timedelta(days=12)),
                "Placement": {"AvailabilityZone": waz, "Tenancy": "default"},
                "PrivateIpAddress": ip,
                "State": {"Code": 16, "Name": "running"},
                "SubnetId": subnet,
                "VpcId": vpc,
                "Monitoring": {"State": "disabled"},
                "SecurityGroups": [{"GroupName": "finance-reports-web", "GroupId": sg_web}],
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-0" + c.hex(16),
                        "PrivateIpAddress": ip,
                        "SubnetId": subnet,
                        "VpcId": vpc,
                        "Status": "in-use",
                    }
                ],
                "Tags": [
                    {"Key": "aws:autoscaling:groupName", "Value": asg},
                    {"Key": "Name", "Value": "finance-reports-web"},
                ],
            },
        )
        c.res(
            "ec2",
            "InstanceStatus",
            {
                "InstanceId": w,
                "AvailabilityZone": waz,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
                "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            },
        )
        c.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": w, "Port": 8080, "AvailabilityZone": waz},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
    c.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "MinSize": 2,
            "MaxSize": 4,
            "DesiredCapacity": 2,
            "DefaultCooldown": 300,
            "AvailabilityZones": ["ap-southeast-2a", "ap-southeast-2b"],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 300,
            "TargetGroupARNs": [tg_arn],
            "CreatedTime": iso(launched),
            "Instances": [
                {
                    "InstanceId": w,
                    "AvailabilityZone": waz,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "InstanceType": "t3.medium",
                }
                for w, waz in web
            ],
        },
    )
    c.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "LoadBalancerName": alb_name,
            "Scheme": "internal",
            "Type": "application",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "DNSName": f"internal-{alb_name}-{r.randint(10**8, 10**9)}.{c.region}.elb.amazonaws.com",
            "CreatedTime": iso(launched),
        },
    )
    c.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "finance-reports-web",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckPath": "/actuator/health",
            "TargetType": "instance",
            "LoadBalancerArns": [alb_arn],
        },
    )

    # --- alarms ---------------------------------------------------------------------------------------
    lat = c.alarm(
        "finance-reports-latency-high",
        "finance-reports ALB average response time",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        "Average",
        60,
        5,
        8,
        "GreaterThanThreshold",
        "ALARM",
        start,
        "",
        actions=[topic],
    )
    keys = sorted(series)
    ta = None
    for i in range(4, len(keys)):
        if all(series[keys[j]][3] >= 1 and 4 + series[keys[j]][3] / 9 > 8 for j in range(i - 4, i + 1)):
            ta = keys[i] + timedelta(minutes=1, seconds=r.randint(10, 50))
            pts = [(keys[j], min(29.9, 4 + series[keys[j]][3] / 9)) for j in range(i - 4, i + 1)]
            break
    if ta is None or ta >= now:
        ta = now - timedelta(minutes=3)
        pts = [(now - timedelta(minutes=8 - k), 9.0) for k in range(5)]
    rd = c.reason_data(lat, ta, pts)
    reason = (
        "Threshold Crossed: 5 out of the last 5 datapoints ["
        + ", ".join(f"{vv:.3f} ({p:%d/%m/%y %H:%M:%S})" for p, vv in reversed(pts))
        + "] were greater than the threshold (8.0) (minimum 5 datapoints for OK -> ALARM transition)."
    )
    lat.update(
        {
            "StateReason": reason,
            "StateReasonData": json.dumps(rd, separators=(",", ":")),
            "StateUpdatedTimestamp": iso_ms(ta),
            "StateTransitionedTimestamp": iso_ms(ta),
        }
    )
    ok_r = "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (8.0) (minimum 5 datapoints for ALARM -> OK transition)."
    c.transition(lat, ta, "OK", "ALARM", reason, ok_r, rd)
    event = c.alarm_event(lat, ta, reason, rd, "OK", ok_r, start - timedelta(days=r.randint(3, 20)))
    c.alarm(
        f"{host}-cpu-high",
        "reporting DB CPU",
        "AWS/EC2",
        "CPUUtilization",
        d,
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=18),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        actions=[topic],
    )
    c.alarm(
        f"{host}-status-check",
        "reporting DB status checks",
        "AWS/EC2",
        "StatusCheckFailed",
        d,
        "Maximum",
        300,
        2,
        1,
        "GreaterThanOrEqualToThreshold",
        "OK",
        start - timedelta(days=40),
        "Threshold Crossed: 2 datapoints were not greater than or equal to the threshold (1.0).",
        actions=[topic],
    )
    disk = c.alarm(
        f"{host}-pgdata-disk-used",
        "pgdata filesystem usage",
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": iid, "path": "/var/lib/pgsql", "device": "nvme1n1", "fstype": "xfs"},
        "Maximum",
        300,
        1,
        80,
        "GreaterThanThreshold",
        "OK",
        start,
        "Threshold Crossed: 1 datapoint [71.2] was not greater than the threshold (80.0).",
    )
    c.series(
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": iid, "path": "/var/lib/pgsql", "device": "nvme1n1", "fstype": "xfs"},
        start,
        end,
        5,
        lambda t: 71.0 + (t - start).total_seconds() / 36000,
        "Percent",
    )
    del disk

    # --- CloudTrail -----------------------------------------------------------------------------------
    fe = c.sso(
        r.choice(["priya.nair", "tom.whitlam", "mei.chen"]), "AWSReservedSSO_FinanceEng_0a7c3e9d2b1f4a58"
    )
    c.ct(
        vmod,
        "ec2.amazonaws.com",
        "ModifyVolume",
        fe,
        {"ModifyVolumeRequest": {"VolumeId": vol_data, "Iops": 12000, "Throughput": 500}},
        {
            "ModifyVolumeResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": c.uuid(),
                "volumeModification": {
                    "volumeId": vol_data,
                    "modificationState": "modifying",
                    "targetSize": 2000,
                    "targetIops": 12000,
                    "targetVolumeType": "gp3",
                    "targetThroughput": 500,
                    "targetMultiAttachEnabled": False,
                    "originalSize": 2000,
                    "originalIops": 3000,
                    "originalVolumeType": "gp3",
                    "originalThroughput": 125,
                    "originalMultiAttachEnabled": False,
                    "progress": 0,
                    "startTime": iso(vmod),
                },
            }
        },
        agent="console.ec2.amazonaws.com",
    )
    ci = c.role("github-actions-deploy", "gha-finance-reports-web")
    dep_t = load_t - timedelta(minutes=r.randint(35, 80), seconds=r.randint(0, 59))
    dep_id = "d-" + c.hex(9).upper()
    c.ct(
        dep_t,
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        ci,
        {
            "applicationName": "finance-reports-web",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": "bluegum-artifacts",
                    "key": f"finance-reports-web/{c.hex(7)}.zip",
                    "bundleType": "zip",
                },
            },
        },
        {"deploymentId": dep_id},
        agent="aws-sdk-js/3.614.0",
        ip="13.54.12.201",
    )
    for w, _ in web:
        c.ct(
            dep_t + timedelta(minutes=r.randint(1, 4)),
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {**c.role("CodeDeployServiceRole", "CodeDeploy"), "invokedBy": "codedeploy.amazonaws.com"},
            {"targetGroupArn": tg_arn, "targets": [{"id": w}]},
            None,
        )
        c.ct(
            dep_t + timedelta(minutes=r.randint(5, 8)),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {**c.role("CodeDeployServiceRole", "CodeDeploy"), "invokedBy": "codedeploy.amazonaws.com"},
            {"targetGroupArn": tg_arn, "targets": [{"id": w, "port": 8080}]},
            None,
        )
    dlm = {
        **c.role("AWSDataLifecycleManagerDefaultRole", "AmazonDLM-" + c.hex(8)),
        "invokedBy": "dlm.amazonaws.com",
    }
    snap_t = start + timedelta(minutes=r.randint(5, 40), seconds=r.randint(0, 59))
    c.ct(
        snap_t,
        "ec2.amazonaws.com",
        "CreateSnapshot",
        dlm,
        {
            "volumeId": vol_data,
            "description": "Created for policy: policy-0" + c.hex(16) + " schedule: pgdata-6h",
        },
        {
            "requestId": c.uuid(),
            "snapshotId": "snap-0" + c.hex(16),
            "volumeId": vol_data,
            "status": "pending",
            "startTime": int(snap_t.timestamp() * 1000),
            "ownerId": c.account,
            "volumeSize": 2000,
            "encrypted": True,
        },
    )
    snap2 = snap_t + timedelta(hours=6)
    if snap2 < now:
        c.ct(
            snap2,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            dlm,
            {
                "volumeId": vol_data,
                "description": "Created for policy: policy-0" + c.hex(16) + " schedule: pgdata-6h",
            },
            {
                "requestId": c.uuid(),
                "snapshotId": "snap-0" + c.hex(16),
                "volumeId": vol_data,
                "status": "pending",
                "startTime": int(snap2.timestamp() * 1000),
                "ownerId": c.account,
                "volumeSize": 2000,
                "encrypted": True,
            },
        )
    app_role = c.role("finance-reports-web", w)
    t = start + timedelta(minutes=r.randint(1, 30))
    while t < now:
        c.ct(
            t,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            app_role,
            {"secretId": "prod/finance-reports/pg"},
            None,
            read_only=True,
            agent="aws-sdk-java/2.25.60 Linux/6.1 OpenJDK_64-Bit_Server_VM/21.0.3",
            ip=f"10.60.{r.randint(100, 140)}.{r.randint(5, 250)}",
        )
        t += timedelta(minutes=r.randint(25, 45))
    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", None),
        ("ec2.amazonaws.com", "DescribeVolumes", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", None),
        ("ec2.amazonaws.com", "DescribeSnapshots", None),
    ]
    c.tooling_reads(
        start,
        now,
        calls,
        r.randint(24, 32),
        "grafana-cloudwatch-reader",
        "grafana",
        "Grafana/11.1.0 aws-sdk-go/1.51.0",
    )
    c.ct(
        onset + timedelta(minutes=r.randint(20, 30)),
        "ec2.amazonaws.com",
        "DescribeVolumes",
        fe,
        {"volumeSet": {"items": [{"volumeId": vol_data}]}},
        None,
        read_only=True,
        agent="console.ec2.amazonaws.com",
    )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": iid,
            "category": "limit",
            "failure_mode": "instance-ebs-bandwidth-burst-exhausted",
        },
        "also_accept": [host],
        "actions": ["scale", "upgrade"],
        "chain": [iid, vol_data, tg_arn, alb_name],
    }
    local = (onset + timedelta(minutes=r.choice([0, 5, 10]))).astimezone(tz)
    local = local - timedelta(minutes=local.minute % 5)
    q = (
        f"Finance are doing quarter close and say the reports portal has been timing out since about "
        f"{local:%-I:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")
        + ". reporting-pg-01 CPU is like 20% so it's not the DB? We pushed a reports-web release after lunch - should we roll back?"
    )
    return c.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        timezone="Australia/Sydney",
        alarm_event=event,
        truth=truth,
    )
