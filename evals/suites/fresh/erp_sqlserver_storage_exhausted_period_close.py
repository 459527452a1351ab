"""RDS SQL Server runs out of allocated storage while the period-close batch grows the log."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzr import Env, iso, ms

NAME = "erp-sqlserver-storage-exhausted-period-close"
TITLE = "Invoices won't save in the ERP this afternoon, 'error while posting'"
SUMMARY = (
    "The RDS SQL Server instance behind the ERP had no storage autoscaling; the period-close batch grew the "
    "transaction log and staging tables until allocated storage was exhausted and every write failed."
)


def build(seed: int) -> Bundle:
    env = Env(seed, onset_local_hour=14.6)
    r = env.rng
    onset = env.onset
    job_start = onset - timedelta(minutes=r.randint(85, 110))
    free_start = r.uniform(34, 44) * 2**30
    slow = 600.0
    free_at_job = free_start - (job_start - env.start).total_seconds() * slow

    def db_free(t: datetime) -> float:
        if t < job_start:
            return env.jit(free_start - (t - env.start).total_seconds() * slow, 0.002)
        if t >= onset:
            return float(r.randint(5, 60) * 2**20)
        frac = (t - job_start).total_seconds() / (onset - job_start).total_seconds()
        return free_at_job * (1 - frac**1.15)

    def db_write(t: datetime, base: float) -> float:
        if job_start <= t < onset:
            return env.jit(base + 2600, 0.1)
        if t >= onset:
            return env.jit(60, 0.3)
        return base

    def conns(t: datetime, base: float) -> float:
        return base + 26 if t >= onset else base

    env.estate(db_status="storage-full")
    for res in env.resources:
        if res["type"] == "DBInstance":
            res["item"]["BackupRetentionPeriod"] = 21

    def batch_cpu(t: datetime, base: float) -> float:
        if env.start + timedelta(minutes=25) <= t < env.start + timedelta(minutes=45):
            return env.jit(91.0, 0.04)
        if job_start <= t < onset:
            return env.jit(48.0, 0.15)
        return env.jit(7.0, 0.3)

    env.base_metrics(db_free=db_free, db_write=db_write, db_conn=conns, cpu={env.batch: batch_cpu})
    env.standard_alarms(skip={"dbfree"})
    frac = (1 - 20 * 2**30 / free_at_job) ** (1 / 1.15)
    below = job_start + (onset - job_start) * frac
    below = below.replace(minute=below.minute - below.minute % 5, second=0) + timedelta(minutes=5)
    seen = db_free(below)
    env.alarm(
        "erp-sqlprod-free-storage-low",
        "AWS/RDS",
        "FreeStorageSpace",
        {"DBInstanceIdentifier": env.db},
        "Minimum",
        300,
        1,
        20 * 2**30,
        "LessThanThreshold",
        "Less than 20 GiB free on erp-sqlprod",
        transitions=[
            (
                below,
                "ALARM",
                f"Threshold Crossed: 1 datapoint [{seen:.10E}] was less than the threshold (2.147483648E10).".replace(
                    "E+", "E"
                ),
            )
        ],
    )
    env.alarm(
        "erp-batch-01-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": env.batch},
        "Average",
        300,
        2,
        85,
        "GreaterThanThreshold",
        "Batch host CPU high",
        transitions=[
            (
                env.start + timedelta(minutes=35),
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (85.0).",
            ),
            (
                env.start + timedelta(minutes=50),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (85.0).",
            ),
        ],
    )
    env.instance_status(env.app1, 0)
    env.instance_status(env.app2, 1)
    arn = f"arn:aws:rds:{env.region}:{env.account}:db:{env.db}"
    env.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": env.db,
                "SourceType": "db-instance",
                "Message": "Allocated storage has been exhausted. Allocate additional storage to resolve the issue.",
                "EventCategories": ["low storage"],
                "Date": iso(onset + timedelta(seconds=40)),
                "SourceArn": arn,
            },
        }
    )
    env.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": env.db,
                "SourceType": "db-instance",
                "Message": "Backing up DB instance",
                "EventCategories": ["backup"],
                "Date": iso(env.start + timedelta(minutes=12)),
                "SourceArn": arn,
            },
        }
    )
    env.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": env.db,
                "SourceType": "db-instance",
                "Message": "Finished DB Instance backup",
                "EventCategories": ["backup"],
                "Date": iso(env.start + timedelta(minutes=31)),
                "SourceArn": arn,
            },
        }
    )

    def errlog_time(t: datetime) -> str:
        return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{r.randint(0, 99):02d}"

    lines = []
    t = env.start
    while t < env.now:
        if t < onset:
            lines.append(
                f"{errlog_time(t)} Backup      Log was backed up. Database: ERPPROD, creation date(time): 2023/03/14(09:12:40), first LSN: {r.randint(400000, 499999)}:{r.randint(1000, 9999)}:1, last LSN: {r.randint(500000, 599999)}:{r.randint(1000, 9999)}:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {{'D:\\rdsdbdata\\BACKUP\\ERPPROD_log_{r.randint(10**9, 10**10)}.trn'}}). This is an informational message only. No user action is required."
            )
        t += timedelta(minutes=5)
    for k in range(r.randint(14, 22)):
        t = onset + timedelta(seconds=20 + k * r.randint(50, 110))
        if t >= env.now:
            break
        spid = r.randint(55, 140)
        if k % 3 == 0:
            lines.append(f"{errlog_time(t)} spid{spid}     Error: 1105, Severity: 17, State: 2.")
            lines.append(
                f"{errlog_time(t)} spid{spid}     Could not allocate space for object 'dbo.GL_POSTING_STAGE'.'PK_GL_POSTING_STAGE' in database 'ERPPROD' because the 'PRIMARY' filegroup is full. Create disk space by deleting unneeded files, dropping objects in the filegroup, adding additional files to the filegroup, or setting autogrowth on for existing files in the filegroup."
            )
        else:
            lines.append(f"{errlog_time(t)} spid{spid}     Error: 9002, Severity: 17, State: 4.")
            lines.append(
                f"{errlog_time(t)} spid{spid}     The transaction log for database 'ERPPROD' is full due to 'ACTIVE_TRANSACTION' and the holdup lsn is ({r.randint(500000, 599999)}:{r.randint(1000, 9999)}:1)."
            )
    data = "\n".join(lines) + "\n"
    env.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": env.db,
            "LogFileName": "log/ERROR",
            "LastWritten": ms(env.now - timedelta(seconds=30)),
            "Size": len(data.encode()),
            "Data": data,
        },
    )
    env.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": env.db,
            "LogFileName": "log/ERROR.1",
            "LastWritten": ms(env.start - timedelta(days=2)),
            "Size": 0,
            "Data": "",
        },
    )

    def app_extra(t: datetime) -> str | None:
        if t >= onset and r.random() < 0.55:
            err = r.choice(
                [
                    "Msg 9002, Level 17: The transaction log for database 'ERPPROD' is full due to 'ACTIVE_TRANSACTION'.",
                    "Msg 1105, Level 17: Could not allocate space for object 'dbo.AR_INVOICE' in database 'ERPPROD' because the 'PRIMARY' filegroup is full.",
                ]
            )
            return f"ERROR [{r.choice(['FI.Posting', 'SD.Orders', 'MM.Inventory'])}] save failed, rolled back: System.Data.SqlClient.SqlException (0x80131904): {err}"
        return None

    env.app_logs(env.app1, "erp-app-01", extra=app_extra)
    env.app_logs(env.app2, "erp-app-02", extra=app_extra)
    env.batch_logs()
    stamp = job_start.strftime("%b %d %H:%M:%S")
    env.log(
        "/erp/batch/syslog",
        f"{env.batch}/messages",
        job_start,
        f"{stamp} erp-batch-01 CROND[{r.randint(20000, 40000)}]: (erpbatch) CMD (/opt/erp/bin/run_job.sh period_close)",
    )
    steps = [
        "extract open items",
        "revalue foreign currency",
        "rebuild GL staging",
        "allocate cost centres",
        "post closing entries",
    ]
    for i, step in enumerate(steps):
        ts = job_start + (onset - job_start) * (i / len(steps))
        env.log(
            "/erp/batch/jobs",
            f"{env.batch}/period_close",
            ts,
            f"{iso(ts)} period_close: step {i + 1}/7 {step} started",
        )
    env.log(
        "/erp/batch/jobs",
        f"{env.batch}/period_close",
        onset + timedelta(seconds=50),
        f"{iso(onset + timedelta(seconds=50))} period_close: step 5/7 failed rc=1: [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]The transaction log for database 'ERPPROD' is full due to 'ACTIVE_TRANSACTION'.",
    )
    env.tooling_noise(65)
    env.console_noise()
    dba = env.user(env.others[3])
    env.ct(
        job_start - timedelta(minutes=r.randint(30, 60)),
        "rds.amazonaws.com",
        "ModifyDBInstance",
        dba,
        {"dBInstanceIdentifier": env.db, "backupRetentionPeriod": 21, "applyImmediately": True},
        {
            "dBInstanceIdentifier": env.db,
            "dBInstanceClass": "db.r5.2xlarge",
            "engine": "sqlserver-se",
            "dBInstanceStatus": "available",
            "allocatedStorage": 500,
            "backupRetentionPeriod": 21,
            "multiAZ": True,
            "storageType": "gp3",
            "pendingModifiedValues": {},
        },
    )
    env.ct(
        job_start - timedelta(minutes=20),
        "rds.amazonaws.com",
        "DescribeDBLogFiles",
        dba,
        {"dBInstanceIdentifier": env.db},
        None,
        read_only=True,
    )
    local = env.local(onset + timedelta(minutes=r.randint(4, 9)))
    q = (
        f"Finance can't save or post invoices in the ERP since about {local.strftime('%H:%M')}, they get "
        "'error while posting, transaction rolled back'. Is the app server broken again? It's period close."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.db,
            "category": "limit",
            "failure_mode": "rds-allocated-storage-exhausted",
        },
        "also_accept": [arn, "ERPPROD"],
        "actions": ["scale"],
        "chain": [env.db, "erp-app-01", "erp-app-02"],
    }
    return env.bundle(TITLE, q, None, truth)
