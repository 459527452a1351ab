"""Month-end: the S: drive crawls for everyone by late morning.

The FSx for Windows file system is on HDD storage. Month-end reporting reads more than the volume's
baseline disk throughput (12 MB/s per TiB) all morning, so its burst credits drain; when
DiskThroughputBalance reaches zero, disk throughput is held to the baseline and every SMB client queues.
Nothing changed: the storage volume reached its throughput ceiling.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzza import Estate, Kit, canary_resource, grid_after, quiet_alarms, ts

NAME = "month-end-file-share-crawl"
TITLE = "Finance says the S: drive is crawling this morning; is the file server down?"
SUMMARY = (
    "Month-end reads drained the HDD FSx for Windows file system's disk-throughput burst credits; "
    "at zero balance throughput fell to the storage baseline and SMB reads from users and the web fleet stalled."
)

MB = 1_000_000


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.r
    year, month = 2026, r.randint(1, 11)
    last = (datetime(year, month + 1, 1, tzinfo=UTC) - timedelta(days=1)).day
    day = datetime(year, month, last - r.randint(0, 1), tzinfo=UTC)
    if day.weekday() >= 5:
        day -= timedelta(days=day.weekday() - 4)
    app = r.choice(["finance", "ledger", "fpa"])
    off = day.astimezone(ZoneInfo(k.tz)).utcoffset()
    hours = off.total_seconds() / 3600 if off else 0.0
    local_midnight = day - timedelta(hours=hours)
    onset = (local_midnight + timedelta(minutes=r.randint(10 * 60 + 15, 11 * 60 + 20))).replace(second=0)
    e = Estate(k, onset, app, fsx_storage="HDD")
    e.fsx_capacity = r.choice([2048, 3072])
    e.fsx_tp = 64 if e.fsx_capacity == 2048 else 128
    start = onset - timedelta(hours=3, minutes=r.randint(45, 70))
    now = onset + timedelta(minutes=r.randint(40, 55))
    end = now + timedelta(minutes=10)
    insts = [
        e.new_instance(i, onset - timedelta(days=r.randint(2, 30), hours=r.randint(0, 20))) for i in range(3)
    ]
    e.emit_resources()
    canary_resource(e)

    # ---- the storage volume's burst model ------------------------------------------------------------
    tib = e.fsx_capacity / 1024
    baseline = 12 * tib  # MB/s
    burst = min(80 * tib, e.fsx_tp * 0.98)
    peak = min(baseline * r.uniform(1.75, 2.05), e.fsx_tp * 0.9)
    work_start = local_midnight + timedelta(hours=7, minutes=r.randint(20, 50))

    def demand(t: datetime) -> float:
        if t < work_start:
            return baseline * r.uniform(0.15, 0.3)
        ramp = min(1.0, (t - work_start).total_seconds() / 3600)
        return baseline * 0.3 + (peak - baseline * 0.3) * ramp * r.uniform(0.93, 1.07)

    # credits sized so the drain from work_start reaches zero at onset
    demands: dict[datetime, float] = {}
    t = start
    while t <= end:
        demands[t] = demand(t)
        t += timedelta(seconds=60)
    credits_max = sum(max(0.0, min(d, burst) - baseline) * 60 for t, d in demands.items() if t < onset)
    credits = credits_max
    series: dict[datetime, tuple[float, float, float]] = {}
    for t, d in demands.items():
        limit = burst if credits > 0 else baseline
        served = min(d, limit)
        credits = max(0.0, min(credits_max, credits - (served - baseline) * 60))
        series[t] = (d, served, 100.0 * credits / credits_max)
    d_dims = {"FileSystemId": e.fs_id}
    for t, (_d, served, bal) in series.items():
        limit = baseline if bal <= 0.0 else burst
        k.put("AWS/FSx", "DiskReadBytes", d_dims, t, served * 0.82 * MB * 60, "Bytes")
        k.put("AWS/FSx", "DiskWriteBytes", d_dims, t, served * 0.18 * MB * 60, "Bytes")
        k.put(
            "AWS/FSx", "DiskReadOperations", d_dims, t, float(int(served * 0.82 * MB * 60 / 65536)), "Count"
        )
        k.put(
            "AWS/FSx", "DiskWriteOperations", d_dims, t, float(int(served * 0.18 * MB * 60 / 32768)), "Count"
        )
        k.put(
            "AWS/FSx",
            "DiskThroughputUtilization",
            d_dims,
            t,
            round(min(100.0, 100 * served / limit), 2),
            "Percent",
        )
        k.put("AWS/FSx", "DiskThroughputBalance", d_dims, t, round(bal, 2), "Percent")
        k.put(
            "AWS/FSx",
            "DiskIopsUtilization",
            d_dims,
            t,
            round(min(100.0, 14 + 38 * served / burst + r.uniform(-3, 3)), 2),
            "Percent",
        )
        cache_hit = 1.25
        k.put(
            "AWS/FSx",
            "DataReadBytes",
            d_dims,
            t,
            float(int(served * 0.82 * cache_hit * MB * 60 * r.uniform(0.95, 1.05))),
            "Bytes",
        )
        k.put(
            "AWS/FSx",
            "DataWriteBytes",
            d_dims,
            t,
            float(int(served * 0.18 * MB * 60 * r.uniform(0.95, 1.05))),
            "Bytes",
        )
        k.put(
            "AWS/FSx",
            "MetadataOperations",
            d_dims,
            t,
            float(int((900 + 30000 * e.load(t)) * r.uniform(0.85, 1.15))),
            "Count",
        )
        k.put(
            "AWS/FSx",
            "NetworkThroughputUtilization",
            d_dims,
            t,
            round(100 * served * (cache_hit * 0.82 + 0.18) / e.fsx_tp * r.uniform(0.95, 1.05), 2),
            "Percent",
        )
        k.put(
            "AWS/FSx",
            "CPUUtilization",
            d_dims,
            t,
            round(8 + 22 * served / e.fsx_tp + r.uniform(-2, 2), 2),
            "Percent",
        )
        k.put(
            "AWS/FSx",
            "MemoryUtilization",
            d_dims,
            t,
            round(61 + 9 * e.load(t) + r.uniform(-1, 1), 2),
            "Percent",
        )
    cap = e.fsx_capacity * 1024**3
    free0 = cap * r.uniform(0.28, 0.4)
    k.series(
        "AWS/FSx",
        "FreeStorageCapacity",
        d_dims,
        "Bytes",
        start,
        end,
        60,
        lambda t: float(int(free0 - (t - start).total_seconds() * 2100)),
    )

    # ---- CloudTrail ------------------------------------------------------------------------------
    e.noise_trail(start, end)
    storage_admin = k.sso_user(r.choice(["pnovak", "rtanaka", "jmorgan"]), "InfraAdmin")
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    t_upd = onset - timedelta(minutes=r.randint(45, 80))
    k.ct(
        t_upd,
        "fsx.amazonaws.com",
        "UpdateFileSystem",
        storage_admin,
        {
            "fileSystemId": e.fs_id,
            "clientRequestToken": k.uid(),
            "windowsConfiguration": {"automaticBackupRetentionDays": 30},
        },
        {
            "fileSystem": {
                "fileSystemId": e.fs_id,
                "fileSystemType": "WINDOWS",
                "lifecycle": "AVAILABLE",
                "storageCapacity": e.fsx_capacity,
                "storageType": "HDD",
                "windowsConfiguration": {
                    "activeDirectoryId": e.dir_id,
                    "deploymentType": "MULTI_AZ_1",
                    "throughputCapacity": e.fsx_tp,
                    "automaticBackupRetentionDays": 30,
                    "dailyAutomaticBackupStartTime": "01:30",
                    "weeklyMaintenanceStartTime": "6:03:30",
                },
            }
        },
        read_only=False,
        ip=f"198.51.100.{r.randint(10, 200)}",
        agent=console,
    )
    for dt in (-3, 2, 4):
        k.ct(
            t_upd + timedelta(minutes=dt, seconds=r.randint(0, 50)),
            "fsx.amazonaws.com",
            "DescribeFileSystems",
            storage_admin,
            {"fileSystemIds": [e.fs_id]},
            None,
            read_only=True,
            ip=f"198.51.100.{r.randint(10, 200)}",
            agent=console,
        )
    # a scheduled scale-up of the reporting fleet at the start of the day (innocent, every month-end)
    sched = k.role_session(
        "AWSServiceRoleForAutoScaling", "AutoScaling", invoked_by="autoscaling.amazonaws.com"
    )
    sched["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    k.event(
        "autoscaling",
        {
            "ActivityId": k.uid(),
            "AutoScalingGroupName": e.asg,
            "Description": "Updating desired capacity",
            "Cause": f"At {(work_start - timedelta(minutes=30)).strftime('%Y-%m-%dT%H:%M:%SZ')} a scheduled action update of AutoScalingGroup constraints to min: 3, max: 8, desired: 3 changing the desired capacity from 3 to 3.",
            "StartTime": (work_start - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "EndTime": (work_start - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "StatusCode": "Successful",
            "Progress": 100,
        },
    )
    k.ct(
        work_start - timedelta(minutes=r.randint(60, 90)),
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        k.role_session("backup-orchestrator", "nightly-extra"),
        {"dBSnapshotIdentifier": f"{e.db_id}-monthend-{day:%Y%m}", "dBInstanceIdentifier": e.db_id},
        {
            "dBSnapshotIdentifier": f"{e.db_id}-monthend-{day:%Y%m}",
            "dBInstanceIdentifier": e.db_id,
            "engine": "sqlserver-se",
            "allocatedStorage": 500,
            "status": "creating",
            "snapshotType": "manual",
        },
        read_only=False,
        ip="10.0.0.1",
        agent="aws-sdk-dotnet-coreclr/3.7.400.0 .NET_Core/8.0.11 OS/Microsoft_Windows_10.0.20348",
    )
    for inst in insts:
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": {"Id": inst["InstanceId"], "Port": 443},
                "health": {"State": "healthy"},
                "timestamp": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    # ---- other metrics ---------------------------------------------------------------------------
    e.base_metrics(start, end)
    e.nlb_metrics(start, end, healthy=lambda t: 3, unhealthy=lambda t: 0)

    def slowdown(t: datetime) -> float:
        key = t.replace(second=0)
        d, served, _ = series.get(key, (1.0, 1.0, 0.0))
        return max(1.0, d / served)

    e.canary_metrics(
        start,
        end,
        lambda t: 100.0 if slowdown(t) < 1.5 else float(r.choice([80, 100, 100])),
        lambda t: (2800 + r.uniform(-250, 400)) * (slowdown(t) ** 3.2),
    )
    quiet_alarms(e, start)
    slow = k.alarm(
        f"{app}-portal-canary-slow",
        "Synthetic report download slower than 9s on average",
        "CloudWatchSynthetics",
        "Duration",
        {"CanaryName": e.canary},
        "Average",
        300,
        3,
        9000.0,
        "GreaterThanThreshold",
        "ALARM",
        "",
        grid_after(start, onset, 300) + timedelta(minutes=15, seconds=r.randint(40, 80)),
        e.topic,
    )
    t_slow = ts(slow["StateUpdatedTimestamp"])
    pts, st = k.points(
        "CloudWatchSynthetics", "Duration", {"CanaryName": e.canary}, t_slow - timedelta(minutes=5), 3
    )
    rs = k.transition(slow, t_slow, "OK", "ALARM", pts, st)
    slow["StateReason"], slow["StateReasonData"] = rs["reason"], rs["reasonData"]

    # ---- logs ------------------------------------------------------------------------------------
    share = f"\\\\files.{k.domain}\\finance"
    t = start
    while t < end:
        for inst in insts:
            tt = t + timedelta(seconds=r.randint(0, 170))
            f = slowdown(tt.replace(second=0))
            local = tt.astimezone(ZoneInfo(k.tz))
            stamp = local.strftime("%Y-%m-%d %H:%M:%S,") + f"{r.randint(0, 999):03d}"
            doc = f"{share}\\close\\{day:%Y-%m}\\{r.choice(['GL', 'AP', 'AR', 'FA'])}_{r.randint(100, 999)}.xlsx"
            took = int(r.uniform(150, 900) * f**3)
            if took > 3000:
                k.log(
                    f"/{app}/web/app",
                    inst["InstanceId"],
                    tt,
                    f"{stamp} WARN  [{r.randint(8, 60)}] Reports.Export - Slow read of {doc}: {took} ms",
                )
            else:
                k.log(
                    f"/{app}/web/app",
                    inst["InstanceId"],
                    tt,
                    f"{stamp} INFO  [{r.randint(8, 60)}] Reports.Export - Exported {doc} in {took} ms",
                )
            if took > 30000 and r.random() < 0.5:
                k.log(
                    f"/{app}/web/app",
                    inst["InstanceId"],
                    tt + timedelta(seconds=30),
                    f"{stamp} ERROR [{r.randint(8, 60)}] Reports.Export - Export failed: System.Threading.Tasks.TaskCanceledException: "
                    "The operation was canceled. at Reports.Export.ExportController.Download(String id, CancellationToken ct)",
                )
        t += timedelta(minutes=3)

    local_q = (now - timedelta(minutes=r.randint(3, 10))).astimezone(ZoneInfo(k.tz))
    local_since = (onset + timedelta(minutes=r.randint(-10, 10))).astimezone(ZoneInfo(k.tz))
    question = (
        f"[{local_q:%H:%M}] Finance is shouting that the S: drive has been crawling since about {local_since:%H:%M}; "
        "Excel files take minutes to open and the close reports in the portal time out. It's month end so this is bad. "
        "Is the file server down? Did someone change something on it this morning?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": e.fs_id,
            "category": "limit",
            "failure_mode": "fsx-hdd-disk-throughput-burst-credits-exhausted",
        },
        "also_accept": [f"{app}-files", e.fsx_dns, f"files.{k.domain}"],
        "actions": ["scale"],
        "chain": [e.fs_id, *[i["InstanceId"] for i in insts], e.canary],
    }
    return k.bundle(TITLE, start, end, now, question, None, truth)
