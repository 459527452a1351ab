"""Overnight SQL Server CPU alarm: the nightly SQL Agent maintenance job (CHECKDB and index rebuilds)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzu as k

NAME = "sql-cpu-alarm-overnight-maintenance"
TITLE = "Payroll SQL Server CPU alarm went off overnight; is the database OK before cutoff?"
SUMMARY = (
    "staffwise-sql-prod's CPU alarm fires around 01:00 UTC while the nightly SQL Agent maintenance job runs "
    "DBCC CHECKDB and index rebuilds, as it does every night; it clears on its own and nothing is wrong."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = k.Account(rng)
    onset = k.day(rng, [6, 7, 13, 14, 20, 21], 1, 0)  # the job's schedule: 01:00 UTC
    days_back = 3
    start = onset - timedelta(days=days_back, hours=2)
    fired = onset + timedelta(minutes=rng.choice([15, 20]))
    job_len = rng.randint(38, 52)
    cleared = onset + timedelta(minutes=job_len + 10)
    now = cleared + timedelta(minutes=rng.randint(20, 45))
    end = now + timedelta(minutes=15)
    period = 300

    # --- resources ---------------------------------------------------------------------------------
    ids = k.instances(acct, 3, start - timedelta(days=5))
    k.asg(acct, ids, 3, 6, 3, start - timedelta(days=400))
    k.ecs_cluster(acct, 3, 7)
    k.ecs_service(acct, "hr-web", 212, 3, 3, start + timedelta(hours=20), k.TG["hr-web"], [])
    k.ecs_service(
        acct, "payroll-api", 388, 2, 2, start + timedelta(days=1, hours=14), k.TG["payroll-api"], []
    )
    k.ecs_service(acct, "payroll-worker", 141, 2, 2, start - timedelta(days=6), None, [])
    k.alb_and_tgs(acct)
    k.rds(acct)
    k.bucket_and_queue(acct)
    k.pdf_lambda(acct, 2048, start - timedelta(days=30))
    acct.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": "staffwise-sqlserver-se-15",
            "ParameterName": "max degree of parallelism",
            "ParameterValue": "4",
            "Source": "user",
            "ApplyType": "dynamic",
            "DataType": "integer",
            "IsModifiable": True,
            "ApplyMethod": "immediate",
        },
    )

    # SQL Server error log: backups, CHECKDB and log backups, as RDS exposes log/ERRORLOG
    lines: list[str] = []

    def sql_ts(t: datetime) -> str:
        return f"{t:%Y-%m-%d %H:%M:%S}.{rng.randint(10, 99)}"

    t = start + timedelta(minutes=rng.randint(0, 4))
    lsn = rng.randint(2_100_000, 2_900_000)
    while t < now:
        first, lsn = lsn, lsn + rng.randint(150, 900)
        lines.append(
            f"{sql_ts(t)} Backup      Log was backed up. Database: StaffwisePayroll, creation date(time): 2023/03/14(10:31:02), "
            f"first LSN: {first}:{first % 997}:1, last LSN: {lsn}:{lsn % 997}:1, number of dump devices: 1, "
            "device information: (FILE=1, TYPE=DISK: {'D:\\rdsdbdata\\BACKUP\\log_StaffwisePayroll.trn'}). "
            "This is an informational message only. No user action is required."
        )
        t += timedelta(minutes=5)
    for back in range(days_back, -1, -1):
        night = onset - timedelta(days=back)
        el = timedelta(minutes=rng.randint(14, 20), seconds=rng.randint(0, 59))
        done = night + el
        if done > now:
            continue
        lines.append(
            f"{sql_ts(done)} spid{rng.randint(60, 99)}      DBCC CHECKDB (StaffwisePayroll) WITH all_errormsgs, no_infomsgs "
            f"executed by sqladmin found 0 errors and repaired 0 errors. Elapsed time: 0 hours {el.seconds // 60} minutes "
            f"{el.seconds % 60} seconds.  Internal database snapshot has split point LSN = {rng.randint(0x100000, 0xFFFFFF):08x}:0000a1c8:0001 "
            f"and first LSN = {rng.randint(0x100000, 0xFFFFFF):08x}:0000a1c0:0001."
        )
    lines.sort()
    errorlog = "\n".join(lines) + "\n"
    acct.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": k.DB,
            "LogFileName": "log/ERROR",
            "LastWritten": k.ms(now - timedelta(minutes=2)),
            "Size": len(errorlog),
            "Data": errorlog,
        },
    )
    # --- rds events: automated backups ------------------------------------------------------------
    for back in range(days_back, -1, -1):
        b = onset - timedelta(days=back, minutes=90 - rng.randint(0, 10))
        for msg, off in (("Backing up DB instance", 0), ("Finished DB Instance backup", rng.randint(14, 24))):
            ts = b + timedelta(minutes=off)
            if ts <= now and ts >= start:
                acct.event(
                    "rds",
                    {
                        "SourceIdentifier": k.DB,
                        "SourceType": "db-instance",
                        "Message": msg,
                        "EventCategories": ["backup"],
                        "Date": k.iso(ts),
                        "SourceArn": f"arn:aws:rds:{k.REGION}:{k.ACCOUNT}:db:{k.DB}",
                    },
                )

    # --- cloudtrail ---------------------------------------------------------------------------------
    k.readonly_noise(acct, start, end, every_min=40)
    tt = start + timedelta(minutes=rng.randint(1, 20))
    while tt < now:
        acct.ct(
            tt,
            "sts.amazonaws.com",
            "AssumeRole",
            k.service("ecs-tasks.amazonaws.com"),
            {
                "roleArn": f"arn:aws:iam::{k.ACCOUNT}:role/payroll-worker-task",
                "roleSessionName": k.hexid(rng, 32),
            },
            {
                "credentials": {
                    "accessKeyId": "ASIAUSTZ4QW7" + k.hexid(rng, 8).upper(),
                    "expiration": "Jan 1, 2027, 6:00:00 AM",
                    "sessionToken": "<redacted>",
                }
            },
            True,
            ip="ecs-tasks.amazonaws.com",
        )
        tt += timedelta(hours=rng.randint(3, 6))
    day1 = start + timedelta(days=1, hours=14)
    rev = 388
    acct.ct(
        day1,
        "ecs.amazonaws.com",
        "UpdateService",
        k.DEPLOYER,
        {
            "cluster": k.CLUSTER,
            "service": "payroll-api",
            "taskDefinition": f"payroll-api:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "payroll-api",
                "taskDefinition": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/payroll-api:{rev}",
                "desiredCount": 2,
            }
        },
        agent=k.GHA_AGENT,
    )
    acct.ct(
        start + timedelta(hours=20),
        "ecs.amazonaws.com",
        "UpdateService",
        k.DEPLOYER,
        {
            "cluster": k.CLUSTER,
            "service": "hr-web",
            "taskDefinition": "hr-web:212",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "hr-web",
                "taskDefinition": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/hr-web:212",
                "desiredCount": 3,
            }
        },
        agent=k.GHA_AGENT,
    )
    late = onset - timedelta(hours=rng.randint(3, 5), minutes=rng.randint(0, 50))
    acct.ct(
        late,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        k.sso("oliver.grant@staffwise.co.uk"),
        {
            "dBParameterGroupName": "staffwise-sqlserver-se-15",
            "parameters": [
                {
                    "parameterName": "max degree of parallelism",
                    "parameterValue": "4",
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBParameterGroupName": "staffwise-sqlserver-se-15"},
        agent="aws-internal/3 aws-sdk-java/1.12.664 console",
    )
    oncall = k.sso("sam.berry@staffwise.co.uk", "AWSReservedSSO_ReadOnly_8c41f7a02be3d951")
    for i, (name, params) in enumerate(
        (
            ("DescribeDBInstances", {"dBInstanceIdentifier": k.DB}),
            ("DescribeEvents", {"sourceIdentifier": k.DB, "sourceType": "db-instance"}),
            ("DescribeDBLogFiles", {"dBInstanceIdentifier": k.DB}),
        )
    ):
        acct.ct(
            fired + timedelta(minutes=12 + i * 2),
            "rds.amazonaws.com",
            name,
            oncall,
            params,
            None,
            True,
            agent="aws-internal/3 aws-sdk-java/1.12.664 console",
        )

    # --- metrics ----------------------------------------------------------------------------------
    def job_on(t: datetime) -> datetime | None:
        for back in range(days_back + 1):
            s = onset - timedelta(days=back)
            length = job_len + (back * 3 - 4 if back else 0)
            if s <= t < s + timedelta(minutes=length):
                return s
        return None

    def db_cpu(t: datetime) -> float:
        s = job_on(t)
        base = 6 + k.diurnal(t, 24, 0) + rng.uniform(-2, 2)
        if s is None:
            return base
        return rng.uniform(84, 95) if t - s >= timedelta(minutes=5) else rng.uniform(55, 70)

    k.web_traffic(acct, start, end, db_cpu=db_cpu, period=period)
    rd = {"DBInstanceIdentifier": k.DB}
    acct.series(
        "AWS/RDS",
        "ReadThroughput",
        rd,
        "Bytes/Second",
        start,
        end,
        lambda t: (rng.uniform(180, 260) if job_on(t) else 2 + k.diurnal(t, 30, 0)) * 1_048_576,
        period,
    )
    acct.series(
        "AWS/RDS",
        "DiskQueueDepth",
        rd,
        "Count",
        start,
        end,
        lambda t: rng.uniform(6, 14) if job_on(t) else rng.uniform(0.2, 1.5),
        period,
    )
    acct.series(
        "AWS/RDS",
        "FreeableMemory",
        rd,
        "Bytes",
        start,
        end,
        lambda t: rng.uniform(3.1, 3.6) * 1024**3,
        period,
    )

    # --- logs -------------------------------------------------------------------------------------
    k.web_logs(acct, now - timedelta(hours=4), now, [k.hexid(rng, 32) for _ in range(3)], every_s=400)
    t = start
    while t < now:
        acct.log(
            "/ecs/payroll-worker",
            f"payroll-worker/payroll-worker/{k.hexid(rng, 8)}",
            t,
            "info: Staffwise.Payroll.Worker.QueuePoller[0]\n      Polled payroll-calc-jobs: 0 messages",
        )
        t += timedelta(minutes=rng.randint(20, 40))

    # --- alarms -----------------------------------------------------------------------------------
    cpu = acct.alarm(
        "staffwise-sql-prod-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Average",
        80,
        "GreaterThanThreshold",
        3,
        "OK",
        cleared,
        f"Threshold Crossed: 1 out of the last 3 datapoints [{rng.uniform(5, 9):.1f} ("
        + f"{cleared - timedelta(minutes=5):%d/%m/%y %H:%M:%S}) was not greater than the threshold (80.0) "
        "(minimum 1 datapoint for ALARM -> OK transition).",
        "SQL Server CPU sustained over 80%",
        period=period,
    )
    cpu["DatapointsToAlarm"] = 3
    for back in range(days_back, 0, -1):
        s = onset - timedelta(days=back)
        length = job_len + back * 3 - 4
        a = s + timedelta(minutes=15 + rng.choice([0, 5]))
        acct.transition(
            cpu,
            a,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0).",
        )
        acct.transition(
            cpu,
            s + timedelta(minutes=length + 10),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (80.0).",
        )
    acct.transition(
        cpu,
        fired,
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).",
    )
    acct.transition(cpu, cleared, "ALARM", "OK", cpu["StateReason"])
    acct.alarm(
        "staffwise-sql-prod-free-storage-low",
        "AWS/RDS",
        "FreeStorageSpace",
        rd,
        "Minimum",
        50 * 1024**3,
        "LessThanThreshold",
        1,
        "OK",
        start - timedelta(days=30),
        "Threshold Crossed: 1 out of the last 1 datapoints was not less than the threshold (53687091200.0).",
        period=period,
    )
    acct.alarm(
        "payroll-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": k.TG["payroll-api"], "LoadBalancer": k.ALB_DIM},
        "Sum",
        5,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=5),
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
        missing="notBreaching",
    )

    question = (
        f"Got paged at {k.clock(fired)} for staffwise-sql-prod CPU over 80%. It seems to have gone back to OK by "
        "itself but payroll cutoff is tomorrow. Is the payroll database in trouble, and do I need to do anything?"
    )
    return acct.bundle(
        TITLE,
        start,
        end,
        now,
        {"question": question, "timezone": "Europe/London"},
        {"no_fault": True, "actions": [], "chain": []},
    )
