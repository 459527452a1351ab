"""CPU pages on the Windows web hosts in the small hours, with no traffic and nothing deployed.

The monthly Patch Manager maintenance window installed the cumulative updates (including a .NET Framework
update) two hosts at a time and rebooted them. After each reboot the .NET native-image optimisation
(mscorsvw/ngen) and component servicing keep the CPU near 90% for half an hour, then it settles. The site
stayed up throughout; the pages are the expected after-effect of patching.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzza import Estate, Kit, canary_resource, cw_event_text, grid_after, iso, quiet_alarms

NAME = "night-cpu-pages-after-patch-window"
TITLE = "CPU alarms on the Windows web hosts at 3am with no traffic; are we compromised?"
SUMMARY = (
    "Monthly Patch Manager window patched and rebooted the IIS fleet in two batches; .NET native-image "
    "recompilation after each reboot held CPU near 90% for ~30 minutes and paged. Expected, no fault."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.r
    month = r.randint(1, 11)
    first = datetime(2026, month, 1, tzinfo=UTC)
    second_tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    wed = second_tuesday + timedelta(days=1)
    app = r.choice(["portal", "extranet", "claims", "orders"])
    off = wed.astimezone(ZoneInfo(k.tz)).utcoffset()
    hours = off.total_seconds() / 3600 if off else 0.0
    mw_start = wed + timedelta(hours=2) - timedelta(hours=hours)
    e = Estate(k, mw_start, app)
    insts = [
        e.new_instance(i, mw_start - timedelta(days=r.randint(4, 28), hours=r.randint(0, 20)))
        for i in range(4)
    ]
    batch1, batch2 = insts[:2], insts[2:]
    e.emit_resources()
    canary_resource(e)

    # per-host patch timeline: install, reboot, back, ngen finished
    plan: dict[str, tuple[datetime, datetime, datetime, datetime]] = {}
    t_b2 = mw_start
    for inst in batch1:
        s = mw_start + timedelta(seconds=r.randint(20, 60))
        rb = s + timedelta(minutes=r.randint(22, 30))
        up = rb + timedelta(minutes=r.randint(4, 6))
        done = up + timedelta(minutes=r.randint(28, 40))
        plan[inst["InstanceId"]] = (s, rb, up, done)
        t_b2 = max(t_b2, up + timedelta(minutes=2))
    for inst in batch2:
        s = t_b2 + timedelta(seconds=r.randint(20, 60))
        rb = s + timedelta(minutes=r.randint(22, 30))
        up = rb + timedelta(minutes=r.randint(4, 6))
        done = up + timedelta(minutes=r.randint(28, 40))
        plan[inst["InstanceId"]] = (s, rb, up, done)
    start = mw_start - timedelta(hours=3, minutes=r.randint(20, 50))
    b2_up = max(plan[i["InstanceId"]][2] for i in batch2)
    now = b2_up + timedelta(minutes=r.randint(14, 22))
    end = now + timedelta(minutes=10)

    def phase(inst: dict[str, object], t: datetime) -> str:
        s, rb, up, done = plan[str(inst["InstanceId"])]
        if t < s:
            return "normal"
        if t < rb:
            return "install"
        if t < up:
            return "down"
        if t < done:
            return "ngen"
        return "normal"

    # ---- metrics ---------------------------------------------------------------------------------
    def cpu_mod(inst: dict[str, object], t: datetime, v: float) -> float:
        p = phase(inst, t)
        if p == "install":
            return v + r.uniform(25, 45)
        if p == "down":
            return r.uniform(20, 40)
        if p == "ngen":
            return r.uniform(86, 97)
        return v

    e.base_metrics(start, end, cpu_mod)

    def healthy(t: datetime) -> int:
        return sum(1 for i in insts if phase(i, t) != "down")

    e.nlb_metrics(start, end, healthy=healthy, unhealthy=lambda t: 4 - healthy(t))
    e.fsx_metrics(start, end)
    e.canary_metrics(start, end, lambda t: 100.0, lambda t: 2700 + r.uniform(-250, 450) + 1300 * e.load(t))
    for inst in insts:
        dims = {"InstanceId": inst["InstanceId"], "objectname": "Process", "instance": "w3wp"}

        def w3(t: datetime, inst: dict[str, object] = inst) -> float | None:
            p = phase(inst, t)
            if p == "down":
                return None
            return round(max(0.0, 2 + 30 * e.load(t) + r.uniform(-1.5, 1.5)), 2)

        k.series("CWAgent", "Process % Processor Time", dims, "Percent", start, end, 60, w3)

        def mem(inst: dict[str, object], t: datetime) -> float | None:
            if phase(inst, t) == "down":
                return None
            return round(27 + 6 * e.load(t) + r.uniform(-1, 1), 2)

        k.series(
            "CWAgent",
            "Memory % Committed Bytes In Use",
            {"InstanceId": inst["InstanceId"], "objectname": "Memory"},
            "Percent",
            start,
            end,
            60,
            partial(mem, inst),
        )

    # ---- target health -----------------------------------------------------------------------------
    for inst in insts:
        s, rb, up, done = plan[inst["InstanceId"]]
        tgt = {"Id": inst["InstanceId"], "Port": 443}
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": tgt,
                "health": {
                    "State": "unhealthy",
                    "Reason": "Target.FailedHealthChecks",
                    "Description": "Health checks failed",
                },
                "timestamp": iso(rb + timedelta(seconds=95)),
            },
        )
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(up + timedelta(seconds=70)),
            },
        )

    # ---- CloudTrail ------------------------------------------------------------------------------
    e.noise_trail(start, end)
    mw_id = "mw-0" + k.hex(16)
    mw_role = k.role_session(
        f"{app}-patch-maintenance-window", "SSM-MaintenanceWindow", invoked_by="ssm.amazonaws.com"
    )
    cmd_ids = []
    for batch, t_send in ((batch1, mw_start), (batch2, t_b2)):
        cmd = k.uid()
        cmd_ids.append(cmd)
        k.ct(
            t_send,
            "ssm.amazonaws.com",
            "SendCommand",
            mw_role,
            {
                "instanceIds": [i["InstanceId"] for i in batch],
                "documentName": "AWS-RunPatchBaseline",
                "comment": f"Maintenance Window {mw_id} task patch-{app}-web",
                "timeoutSeconds": 600,
                "maxConcurrency": "2",
                "maxErrors": "1",
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "cloudWatchOutputConfig": {
                    "cloudWatchLogGroupName": "/aws/ssm/AWS-RunPatchBaseline",
                    "cloudWatchOutputEnabled": True,
                },
                "interactive": False,
            },
            {
                "command": {
                    "commandId": cmd,
                    "documentName": "AWS-RunPatchBaseline",
                    "instanceIds": [i["InstanceId"] for i in batch],
                    "status": "Pending",
                    "maxConcurrency": "2",
                    "maxErrors": "1",
                    "targetCount": len(batch),
                }
            },
            read_only=False,
        )
    for inst in insts:
        s, rb, up, done = plan[inst["InstanceId"]]
        ident = k.role_session(f"{app}-web-instance", inst["InstanceId"])
        agent = "aws-sdk-go/1.44.260 (go1.22.4; windows; amd64) amazon-ssm-agent/3.3.1142.0"
        k.ct(
            s + timedelta(seconds=r.randint(20, 50)),
            "ssm.amazonaws.com",
            "GetDeployablePatchSnapshotForInstance",
            ident,
            {"instanceId": inst["InstanceId"], "snapshotId": k.uid()},
            None,
            read_only=True,
            ip=inst["PrivateIpAddress"],
            agent=agent,
        )
        for tt in (up + timedelta(minutes=3, seconds=r.randint(0, 50)), up + timedelta(minutes=4)):
            k.ct(
                tt,
                "ssm.amazonaws.com",
                "PutComplianceItems",
                ident,
                {
                    "resourceId": inst["InstanceId"],
                    "resourceType": "ManagedInstance",
                    "complianceType": "Patch",
                    "executionSummary": {
                        "executionTime": iso(tt),
                        "executionId": k.uid(),
                        "executionType": "Command",
                    },
                },
                None,
                read_only=False,
                ip=inst["PrivateIpAddress"],
                agent=agent,
            )
    # an innocent console look at the window during the evening before
    ops = k.sso_user(r.choice(["asingh", "kobrien", "mgarcia"]), "PlatformOps")
    k.ct(
        start + timedelta(minutes=r.randint(10, 60)),
        "ssm.amazonaws.com",
        "GetMaintenanceWindow",
        ops,
        {"windowId": mw_id},
        None,
        read_only=True,
        ip=f"198.51.100.{r.randint(10, 200)}",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    k.res(
        "ssm",
        "MaintenanceWindowIdentity",
        {
            "WindowId": mw_id,
            "Name": f"patch-{app}-web",
            "Description": "Monthly Windows patching, day after Patch Tuesday",
            "Enabled": True,
            "Duration": 4,
            "Cutoff": 1,
            "Schedule": "cron(0 2 ? * WED#2 *)",
            "ScheduleTimezone": k.tz,
            "NextExecutionTime": (mw_start + timedelta(days=28))
            .astimezone(ZoneInfo(k.tz))
            .strftime("%Y-%m-%dT%H:%M%z"),
        },
    )

    # ---- alarms ----------------------------------------------------------------------------------
    quiet_alarms(e, start)
    page = None
    page_reason = None
    t_page = now
    for inst in insts:
        host = e.host(inst)
        s, rb, up, done = plan[inst["InstanceId"]]
        quiet_t = start - timedelta(days=r.randint(2, 30), minutes=r.randint(0, 900))
        a = k.alarm(
            f"{app}-web-{host}-cpu-high",
            f"CPU above 80% for 15 minutes on {host} (created by fleet-alarms)",
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": inst["InstanceId"]},
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            "OK",
            f"Threshold Crossed: 1 datapoint [{r.uniform(55, 79):.4f} ({quiet_t - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] "
            "was not greater than the threshold (80.0).",
            quiet_t,
            e.topic,
        )
        t_al = grid_after(start, up, 300) + timedelta(minutes=15, seconds=r.randint(30, 80))
        pts, st = k.points(
            "AWS/EC2", "CPUUtilization", {"InstanceId": inst["InstanceId"]}, t_al - timedelta(minutes=5), 3
        )
        if t_al < now and all(p > 80 for p in pts):
            rs = k.transition(a, t_al, "OK", "ALARM", pts, st)
            a["StateValue"], a["StateReason"], a["StateReasonData"] = "ALARM", rs["reason"], rs["reasonData"]
            a["StateUpdatedTimestamp"] = a["StateTransitionedTimestamp"] = iso(t_al)
            if page is None or t_al < t_page:
                page, page_reason, t_page = a, rs, t_al
            t_ok = grid_after(start, done, 300) + timedelta(minutes=5, seconds=r.randint(30, 80))
            okp, okst = k.points(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": inst["InstanceId"]},
                t_ok - timedelta(minutes=4),
                1,
            )
            while t_ok < now and okp and okp[0] > 80:
                t_ok += timedelta(minutes=5)
                okp, okst = k.points(
                    "AWS/EC2",
                    "CPUUtilization",
                    {"InstanceId": inst["InstanceId"]},
                    t_ok - timedelta(minutes=4),
                    1,
                )
            if t_ok < now and okp and okp[0] <= 80:
                ro = k.transition(a, t_ok, "ALARM", "OK", okp, okst)
                a["StateValue"], a["StateReason"], a["StateReasonData"] = "OK", ro["reason"], ro["reasonData"]
                a["StateUpdatedTimestamp"] = a["StateTransitionedTimestamp"] = iso(t_ok)
    assert page is not None
    assert page_reason is not None
    alarm_event = k.alarm_event(
        page,
        t_page,
        "ALARM",
        "OK",
        page_reason,
        "Threshold Crossed: 1 datapoint was not greater than the threshold (80.0).",
        t_page - timedelta(days=r.randint(20, 35)),
    )
    # NLB unhealthy-host alarm flaps with each batch's reboot
    unh = next(a for a in k.records["alarms"] if a["AlarmName"] == f"{app}-nlb-unhealthy-hosts")
    for batch in (batch1, batch2):
        rb = min(plan[i["InstanceId"]][1] for i in batch)
        up = max(plan[i["InstanceId"]][2] for i in batch)
        t_a = rb + timedelta(minutes=5, seconds=r.randint(0, 40))
        nd = {"TargetGroup": e.tg_dim, "LoadBalancer": e.nlb_dim}
        av, ast = k.points("AWS/NetworkELB", "UnHealthyHostCount", nd, t_a - timedelta(seconds=60), 3)
        k.transition(unh, t_a, "OK", "ALARM", av, ast)
        t_o = up + timedelta(minutes=2, seconds=r.randint(0, 40))
        ov, ost = k.points("AWS/NetworkELB", "UnHealthyHostCount", nd, t_o - timedelta(seconds=60), 1)
        ro = k.transition(unh, t_o, "ALARM", "OK", ov, ost)
        unh["StateReason"], unh["StateReasonData"] = ro["reason"], ro["reasonData"]
        unh["StateUpdatedTimestamp"] = unh["StateTransitionedTimestamp"] = iso(t_o)

    # ---- logs ------------------------------------------------------------------------------------
    kb_net, kb_cu = f"KB50{r.randint(40000, 49999)}", f"KB50{r.randint(40000, 49999)}"
    ym = f"{wed:%Y-%m}"
    for idx, inst in enumerate(insts):
        s, rb, up, done = plan[inst["InstanceId"]]
        host = e.host(inst)
        fqdn = f"{host}.{k.domain}"
        grp = f"/{app}/windows/system"
        stream = inst["InstanceId"]
        k.log(
            grp,
            stream,
            s + timedelta(minutes=2),
            cw_event_text(
                "System",
                "INFORMATION",
                43,
                "Microsoft-Windows-WindowsUpdateClient",
                fqdn,
                f"Installation Started: Windows has started installing the following update: {ym} Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems ({kb_cu})",
            ),
        )
        k.log(
            grp,
            stream,
            s + timedelta(minutes=9),
            cw_event_text(
                "System",
                "INFORMATION",
                19,
                "Microsoft-Windows-WindowsUpdateClient",
                fqdn,
                f"Installation Successful: Windows successfully installed the following update: {ym} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Microsoft server operating system version 21H2 for x64 ({kb_net})",
            ),
        )
        k.log(
            grp,
            stream,
            rb - timedelta(minutes=2),
            cw_event_text(
                "System",
                "INFORMATION",
                19,
                "Microsoft-Windows-WindowsUpdateClient",
                fqdn,
                f"Installation Successful: Windows successfully installed the following update: {ym} Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems ({kb_cu})",
            ),
        )
        k.log(
            grp,
            stream,
            rb,
            cw_event_text(
                "System",
                "INFORMATION",
                1074,
                "User32",
                fqdn,
                f"The process C:\\Windows\\system32\\shutdown.exe ({host}) has initiated the restart of computer {host} on behalf of user NT AUTHORITY\\SYSTEM for the following reason: Operating System: Service pack (Planned) Reason Code: 0x80020010 Shutdown Type: restart Comment: Patch baseline reboot",
            ),
        )
        k.log(
            grp,
            stream,
            up,
            cw_event_text(
                "System", "INFORMATION", 6005, "EventLog", fqdn, "The Event log service was started."
            ),
        )
        k.log(
            grp,
            stream,
            up + timedelta(seconds=2),
            cw_event_text(
                "System", "INFORMATION", 6013, "EventLog", fqdn, "The system uptime is 14 seconds."
            ),
        )
        k.log(
            grp,
            stream,
            up + timedelta(minutes=1),
            cw_event_text(
                "System",
                "INFORMATION",
                7036,
                "Service Control Manager",
                fqdn,
                "The Microsoft .NET Framework NGEN v4.0.30319_X64 service entered the running state.",
            ),
        )
        k.log(
            grp,
            stream,
            done,
            cw_event_text(
                "System",
                "INFORMATION",
                7036,
                "Service Control Manager",
                fqdn,
                "The Microsoft .NET Framework NGEN v4.0.30319_X64 service entered the stopped state.",
            ),
        )
        k.log(
            "/aws/ssm/AWS-RunPatchBaseline",
            f"{cmd_ids[0 if idx < 2 else 1]}/{inst['InstanceId']}/PatchWindows/stdout",
            rb - timedelta(seconds=30),
            f"Patch Summary for {inst['InstanceId']}\nPatchGroup          : {app}-web\nBaselineId          : pb-0{k.hex(16)}\n"
            f"OperationType       : Install\nOperationStartTime  : {iso(s)}\nOperationEndTime    : {iso(rb - timedelta(seconds=40))}\n"
            f"InstalledCount      : 2\nInstalledRejectedCount : 0\nInstalledPendingRebootCount : 2\nInstalledOtherCount : {r.randint(30, 60)}\n"
            f"FailedCount         : 0\nMissingCount        : 0\nNotApplicableCount  : {r.randint(1500, 2600)}\n\nRebootOption: RebootIfNeeded. Initiating reboot.",
        )
    # IIS at night: a trickle of requests, all fine
    t = start
    while t < end:
        for inst in insts:
            if phase(inst, t) == "down" or r.random() > 0.5 + 0.5 * e.load(t):
                continue
            tt = t + timedelta(seconds=r.randint(0, 110))
            client = f"10.{e.octet}.{r.choice([16, 32, 48])}.{r.randint(4, 250)}"
            path = r.choice(["/", "/account/login", "/api/session", "/health", "/dashboard"])
            k.log(
                f"/{app}/iis/w3svc2",
                inst["InstanceId"],
                tt,
                f"{tt:%Y-%m-%d %H:%M:%S} {inst['PrivateIpAddress']} GET {path} - 443 - {client} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 {r.randint(15, 400)}",
            )
        t += timedelta(minutes=4)

    local_page = t_page.astimezone(ZoneInfo(k.tz))
    question = (
        f"Got paged at {local_page:%H:%M} for CPU on {app} web hosts. There's basically no traffic at this hour and we "
        "didn't deploy anything. One is still pegged. Should I be worried (crypto miner?) or wake someone up?"
    )
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return k.bundle(TITLE, start, end, now, question, alarm_event, truth)
