"""One Windows ERP app server runs out of committed memory and hangs; the NLB's TCP check keeps it in."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzr import Env

NAME = "erp-appsrv-memory-exhaustion-hang"
TITLE = "ERP frozen for about half the office since early afternoon, others can work"
SUMMARY = (
    "The ERP application server process on one of the two Windows hosts leaked memory until the commit "
    "limit was hit, threw OutOfMemory and hung; the NLB's TCP health check still passed, so sessions "
    "balanced to it froze."
)


def build(seed: int) -> Bundle:
    env = Env(seed, onset_local_hour=14.2)
    r = env.rng
    onset = env.onset
    leak_from = r.uniform(71, 79)

    def mem2(t: datetime) -> float:
        if t >= onset - timedelta(minutes=4):
            return min(99.6, 98.7 + r.uniform(0, 0.9))
        frac = (t - env.start).total_seconds() / (onset - env.start).total_seconds()
        return env.jit(leak_from + (97.8 - leak_from) * frac**1.4, 0.008)

    def cpu2(t: datetime, base: float) -> float:
        if t >= onset:
            return env.jit(93.0, 0.05)
        return base

    def conns(t: datetime, base: float) -> float:
        return base * 0.8 if t >= onset else base

    env.estate()
    env.base_metrics(
        mem2=mem2,
        app2_cpu=cpu2,
        db_conn=conns,
        resets=lambda t: (
            float(r.randint(25, 70)) if t >= onset + timedelta(minutes=5) else float(r.randint(0, 3))
        ),
    )
    env.standard_alarms()
    mem_dims = {
        "InstanceId": env.app2,
        "ImageId": env.ami_win,
        "InstanceType": "m5.2xlarge",
        "objectname": "Memory",
    }
    env.alarm(
        "erp-app-02-memory-committed-high",
        "CWAgent",
        "Memory % Committed Bytes In Use",
        mem_dims,
        "Average",
        300,
        3,
        95,
        "GreaterThanThreshold",
        "Committed memory > 95% on erp-app-02",
        transitions=[
            (
                onset - timedelta(minutes=r.randint(10, 25)),
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (95.0).",
            )
        ],
    )
    env.alarm(
        "erp-sqlprod-read-latency",
        "AWS/RDS",
        "ReadLatency",
        {"DBInstanceIdentifier": env.db},
        "Average",
        60,
        3,
        0.02,
        "GreaterThanThreshold",
        "SQL Server read latency > 20 ms",
        transitions=[
            (
                env.start + timedelta(minutes=70),
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (0.02).",
            ),
            (
                env.start + timedelta(minutes=82),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (0.02).",
            ),
        ],
    )
    env.instance_status(env.app1, 0)
    env.instance_status(env.app2, 1)

    hang = onset + timedelta(minutes=3)

    def app2_extra(t: datetime) -> str | None:
        if t >= onset - timedelta(minutes=40) and r.random() < 0.12:
            return f"WARN  [Cache] report cache {r.randint(7800, 9900)} MB, eviction skipped (entries pinned by open sessions)"
        if t >= onset - timedelta(minutes=2) and r.random() < 0.6:
            return (
                f"ERROR [{r.choice(['FI.Posting', 'SD.Orders', 'CO.Reports'])}] unhandled exception in worker "
                f"{r.randint(20, 64)}: System.OutOfMemoryException: Exception of type "
                "'System.OutOfMemoryException' was thrown."
            )
        return None

    env.app_logs(env.app1, "erp-app-01")
    env.app_logs(env.app2, "erp-app-02", until=hang, extra=app2_extra)
    grp = "/erp/windows/system"
    for iid in (env.app1, env.app2):
        t = env.start + timedelta(minutes=r.randint(3, 30))
        while t < env.now:
            msg = r.choice(
                [
                    "[Information] [7036] [Service Control Manager] [] The Windows Modules Installer service entered the stopped state.",
                    "[Warning] [10016] [Microsoft-Windows-DistributedCOM] [] The application-specific permission settings do not grant Local Activation permission for the COM Server application with CLSID {D63B10C5-BB46-4990-A94F-E40B9D520160} to the user NT AUTHORITY\\SYSTEM SID (S-1-5-18) from address LocalHost (Using LRPC) running in the application container Unavailable SID (Unavailable).",
                    "[Information] [7036] [Service Control Manager] [] The Windows Update service entered the running state.",
                ]
            )
            env.log(grp, iid, t, msg)
            t += timedelta(minutes=r.randint(25, 60))
    pid = r.randint(2000, 9000)
    used = r.randint(30, 31) * 2**30 + r.randint(0, 2**29)
    env.log(
        grp,
        env.app2,
        onset - timedelta(minutes=1),
        "[Warning] [2004] [Microsoft-Windows-Resource-Exhaustion-Detector] [] Windows successfully diagnosed a low "
        "virtual memory condition. The following programs consumed the most virtual memory: "
        f"ErpAppSrv.exe ({pid}) consumed {used} bytes, MsMpEng.exe ({r.randint(2000, 9000)}) consumed "
        f"{r.randint(300, 500) * 2**20} bytes, and amazon-cloudwatch-agent.exe ({r.randint(2000, 9000)}) consumed "
        f"{r.randint(90, 160) * 2**20} bytes.",
    )
    env.log(
        grp,
        env.app2,
        onset + timedelta(minutes=9),
        "[Error] [2019] [Srv] [] The server was unable to allocate from the system nonpaged pool because the pool was empty.",
    )
    env.batch_logs()
    env.tooling_noise(60)
    env.console_noise()
    # innocent deploy of report templates to both app servers, via Run Command
    deployer = env.user(env.others[1])
    t = onset - timedelta(minutes=r.randint(60, 100))
    cmd = env.uid()
    env.ct(
        t,
        "ssm.amazonaws.com",
        "SendCommand",
        deployer,
        {
            "instanceIds": [env.app1, env.app2],
            "documentName": "AWS-RunPowerShellScript",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "comment": "Q4 report templates",
            "interactive": False,
        },
        {
            "command": {
                "commandId": cmd,
                "documentName": "AWS-RunPowerShellScript",
                "documentVersion": "$DEFAULT",
                "comment": "Q4 report templates",
                "instanceIds": [env.app1, env.app2],
                "status": "Pending",
                "targetCount": 0,
                "interactive": False,
            }
        },
    )
    env.ct(
        t + timedelta(minutes=2),
        "ssm.amazonaws.com",
        "ListCommandInvocations",
        deployer,
        {"commandId": cmd, "details": True},
        None,
        read_only=True,
    )
    pa = env.user(env.others[2])
    env.ct(
        onset - timedelta(minutes=r.randint(5, 25)),
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        pa,
        {
            "dBSnapshotIdentifier": f"erp-sqlprod-before-q4-close-{r.randint(10, 99)}",
            "dBInstanceIdentifier": env.db,
        },
        {
            "dBSnapshotIdentifier": f"erp-sqlprod-before-q4-close-{r.randint(10, 99)}",
            "dBInstanceIdentifier": env.db,
            "status": "creating",
            "engine": "sqlserver-se",
            "allocatedStorage": 500,
        },
    )
    local = env.local(onset + timedelta(minutes=r.randint(2, 6)))
    q = (
        f"Since around {local.strftime('%H:%M')} roughly half of accounting has a frozen ERP screen (posting just "
        "spins), the other half can work normally. Is the SQL database locking up?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.app2,
            "category": "component_failure",
            "failure_mode": "app-process-memory-exhaustion-hang",
        },
        "also_accept": ["erp-app-02", "ErpAppSrv.exe"],
        "actions": ["restart", "exclude"],
        "chain": [env.app2, "erp-appsrv-tcp", env.nlb_name],
    }
    return env.bundle(TITLE, q, None, truth)
