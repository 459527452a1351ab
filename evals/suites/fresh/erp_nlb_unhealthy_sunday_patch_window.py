"""No fault: the ERP NLB unhealthy-host alarm pages twice during the Sunday patch window's reboots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzr import Env, iso

NAME = "erp-nlb-unhealthy-sunday-patch-window"
TITLE = "Paged twice overnight Sunday for ERP NLB unhealthy hosts; did we lose an app server?"
SUMMARY = (
    "The monthly SSM maintenance window ran AWS-RunPatchBaseline on the Windows ERP hosts one at a time with "
    "RebootIfNeeded; each reboot took its target out of the NLB for a few minutes and both came back healthy."
)


def build(seed: int) -> Bundle:
    env = Env(seed, onset_local_hour=3.1, weekday=6)
    r = env.rng
    onset = env.onset
    mw_start = onset - timedelta(minutes=r.randint(24, 34))
    # each host: install (CPU busy), reboot at `down`, target healthy again at `up`
    down1 = onset
    up1 = down1 + timedelta(minutes=r.randint(6, 9))
    down2 = up1 + timedelta(minutes=r.randint(14, 20))
    up2 = down2 + timedelta(minutes=r.randint(6, 9))
    env.now = max(env.now, up2 + timedelta(minutes=r.randint(9, 15)))
    env.end = env.now
    # unhealthy once three 30 s checks fail, healthy after three pass
    un1, ok1 = down1 + timedelta(minutes=1, seconds=30), up1 + timedelta(minutes=1, seconds=30)
    un2, ok2 = down2 + timedelta(minutes=1, seconds=30), up2 + timedelta(minutes=1, seconds=30)

    def healthy(t: datetime) -> float:
        return 1.0 if (un1 <= t < ok1 or un2 <= t < ok2) else 2.0

    def cpu_for(start: datetime, down: datetime, up: datetime) -> Callable[[datetime, float], float]:
        def f(t: datetime, base: float) -> float:
            if start <= t < down:
                return env.jit(71.0, 0.15)
            if up <= t < up + timedelta(minutes=10):
                return env.jit(38.0, 0.2)
            return base

        return f

    env.estate()
    env.base_metrics(
        healthy=healthy,
        cpu={
            env.app1: cpu_for(mw_start + timedelta(minutes=5), down1, up1),
            env.app2: cpu_for(up1 + timedelta(minutes=2), down2, up2),
        },
    )
    env.standard_alarms(skip={"unhealthy"})
    tr = [
        (
            un1 + timedelta(minutes=3),
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints [1.0 (DATE), 1.0 (DATE), 1.0 (DATE)] were greater than the threshold (0.0) (minimum 3 datapoints for OK -> ALARM transition).",
        ),
        (
            ok1 + timedelta(minutes=1),
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints [0.0] was not greater than the threshold (0.0) (minimum 1 datapoint for ALARM -> OK transition).",
        ),
        (
            un2 + timedelta(minutes=3),
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints [1.0 (DATE), 1.0 (DATE), 1.0 (DATE)] were greater than the threshold (0.0) (minimum 3 datapoints for OK -> ALARM transition).",
        ),
        (
            ok2 + timedelta(minutes=1),
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints [0.0] was not greater than the threshold (0.0) (minimum 1 datapoint for ALARM -> OK transition).",
        ),
    ]
    fixed = []
    for t, st, why in tr:
        at = t.replace(second=0)
        pts = ", ".join(
            f"1.0 ({(at - timedelta(minutes=k + 1)).strftime('%d/%m/%y %H:%M:%S')})" for k in range(3)
        )
        fixed.append((t, st, why.replace("1.0 (DATE), 1.0 (DATE), 1.0 (DATE)", pts)))
    lb = {"LoadBalancer": env.nlb_suffix, "TargetGroup": env.tg_suffix}
    alarm = env.alarm(
        "erp-nlb-unhealthy-hosts",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        lb,
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        "ERP app server target unhealthy behind erp-nlb-int",
        transitions=fixed,
    )
    first_alarm = dict(alarm)
    first_alarm["StateReason"] = fixed[0][2]
    event = env.alarm_event(first_alarm, fixed[0][0])
    env.instance_status(env.app1, 0)
    env.instance_status(env.app2, 1)
    for iid, un, ok in ((env.app1, un1, ok1), (env.app2, un2, ok2)):
        tgt = {"Id": iid, "Port": 7400}
        env.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": env.tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(env.start),
                },
            }
        )
        env.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": env.tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "unhealthy",
                        "Reason": "Target.FailedHealthChecks",
                        "Description": "Health checks failed",
                    },
                    "timestamp": iso(un),
                },
            }
        )
        env.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": env.tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": iso(ok),
                },
            }
        )

    # Windows event logs shipped by the CloudWatch agent
    grp = "/erp/windows/system"
    kb = f"KB50{r.randint(40000, 49999)}"
    month = env.local(onset).strftime("%Y-%m")
    for iid, host, down, up in ((env.app1, "ERP-APP-01", down1, up1), (env.app2, "ERP-APP-02", down2, up2)):
        t = env.start + timedelta(minutes=r.randint(5, 30))
        while t < env.now:
            if not (down - timedelta(minutes=20) <= t <= up + timedelta(minutes=5)):
                env.log(
                    grp,
                    iid,
                    t,
                    "[Information] [7036] [Service Control Manager] [] The Windows Modules Installer service entered the stopped state.",
                )
            t += timedelta(minutes=r.randint(30, 70))
        env.log(
            grp,
            iid,
            down - timedelta(minutes=3),
            f"[Information] [19] [Microsoft-Windows-WindowsUpdateClient] [] Installation Successful: Windows successfully installed the following update: {month} Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems ({kb})",
        )
        env.log(
            grp,
            iid,
            down - timedelta(seconds=40),
            f"[Information] [1074] [User32] [] The process C:\\Windows\\system32\\svchost.exe ({host}) has initiated the restart of computer {host} on behalf of user NT AUTHORITY\\SYSTEM for the following reason: Operating System: Service pack (Planned)\n Reason Code: 0x80020010\n Shutdown Type: restart\n Comment: ",
        )
        env.log(
            grp,
            iid,
            down - timedelta(seconds=10),
            "[Information] [6006] [EventLog] [] The Event log service was stopped.",
        )
        env.log(
            grp,
            iid,
            up - timedelta(minutes=2),
            "[Information] [6005] [EventLog] [] The Event log service was started.",
        )
        env.log(
            grp,
            iid,
            up - timedelta(minutes=2),
            "[Information] [6009] [EventLog] [] Microsoft (R) Windows (R) 10.00. 20348  Multiprocessor Free.",
        )
        env.log(
            grp,
            iid,
            up - timedelta(seconds=50),
            "[Information] [7036] [Service Control Manager] [] The ERP Application Server service entered the running state.",
        )

    def app_extra_for(down: datetime, up: datetime) -> Callable[[datetime], str | None]:
        def f(t: datetime) -> str | None:
            if down - timedelta(minutes=1) <= t < up:
                return "SKIP"
            return None

        return f

    env.app_logs(env.app1, "erp-app-01", extra=app_extra_for(down1, up1))
    env.app_logs(env.app2, "erp-app-02", extra=app_extra_for(down2, up2))
    env.logs[:] = [e for e in env.logs if not e["message"].endswith(" SKIP")]
    for sid, sname, back in ((env.app1, "erp-app-01", up1), (env.app2, "erp-app-02", up2)):
        stamp = (
            env.local(back - timedelta(seconds=45)).strftime("%Y-%m-%d %H:%M:%S,")
            + f"{r.randint(0, 999):03d}"
        )
        env.log(
            "/erp/appsrv",
            f"{sname}/{sid}/ErpAppSrv.log",
            back - timedelta(seconds=45),
            f"{stamp} INFO  [Main] ErpAppSrv 9.4.2 started, listening on 0.0.0.0:7400 (db ERPPROD via {env.db})",
        )
    env.batch_logs()
    env.tooling_noise(55)
    env.console_noise()
    mw = "mw-" + env.hexid(17)
    ssm = env.role_session("AWSServiceRoleForAmazonSSM", f"{mw}-{env.hexid(8)}")
    for iid, t in (
        (env.batch, mw_start - timedelta(minutes=25)),
        (env.app1, mw_start),
        (env.app2, up1 + timedelta(minutes=1)),
    ):
        cid = env.uid()
        env.ct(
            t,
            "ssm.amazonaws.com",
            "SendCommand",
            ssm,
            {
                "instanceIds": [iid],
                "documentName": "AWS-RunPatchBaseline",
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "maxConcurrency": "1",
                "maxErrors": "0",
                "timeoutSeconds": 3600,
                "serviceRoleArn": f"arn:aws:iam::{env.account}:role/erp-patching-notifications",
                "interactive": False,
            },
            {
                "command": {
                    "commandId": cid,
                    "documentName": "AWS-RunPatchBaseline",
                    "documentVersion": "$DEFAULT",
                    "comment": f"Maintenance Window Task: {mw}",
                    "instanceIds": [iid],
                    "maxConcurrency": "1",
                    "maxErrors": "0",
                    "status": "Pending",
                    "targetCount": 0,
                    "interactive": False,
                }
            },
            invoked_by="ssm.amazonaws.com",
        )
    env.ct(
        mw_start - timedelta(minutes=26),
        "ssm.amazonaws.com",
        "GetMaintenanceWindowExecution",
        ssm,
        {"windowExecutionId": env.uid()},
        None,
        read_only=True,
        invoked_by="ssm.amazonaws.com",
    )
    # an earlier, unrelated change on Saturday evening
    other = env.user(env.others[4])
    env.ct(
        env.start + timedelta(minutes=r.randint(10, 40)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        other,
        {
            "alarmName": "erp-fsx-free-storage-low",
            "namespace": "AWS/FSx",
            "metricName": "FreeStorageCapacity",
            "statistic": "Minimum",
            "period": 300,
            "evaluationPeriods": 1,
            "threshold": 107374182400.0,
            "comparisonOperator": "LessThanThreshold",
            "dimensions": [{"name": "FileSystemId", "value": env.fsx}],
            "alarmActions": [f"arn:aws:sns:{env.region}:{env.account}:erp-ops-alerts"],
        },
        None,
    )
    q = (
        f"Got paged for erp-nlb-unhealthy-hosts around {env.local(fixed[0][0]).strftime('%H:%M')} and again a bit "
        "later, both cleared by themselves. Did we lose an app server? Anything I need to fix before people log "
        "in Monday?"
    )
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return env.bundle(TITLE, q, event, truth)
