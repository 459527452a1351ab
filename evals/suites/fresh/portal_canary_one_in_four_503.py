"""The portal canary fails about one run in four; the NLB says every target is healthy.

On one web host the IIS worker process leaked memory until it died with OutOfMemoryException; after five
crashes in five minutes WAS's rapid-fail protection disabled the application pool. HTTP.sys on that host
still accepts TCP on 443 (so the NLB's TCP health check passes) and answers every request with 503.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzza import Estate, Kit, canary_resource, cw_event_text, grid_after, quiet_alarms, ts

NAME = "portal-canary-one-in-four-503"
TITLE = "Portal canary failing intermittently but all NLB targets healthy"
SUMMARY = (
    "One Windows web host's IIS app pool was disabled by rapid-fail protection after repeated w3wp "
    "out-of-memory crashes; HTTP.sys kept accepting TCP so the NLB kept sending it a quarter of traffic, all 503."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.r
    day = datetime(2026, r.randint(2, 11), r.randint(2, 26), tzinfo=UTC)
    app = r.choice(["portal", "members", "quotes", "booking"])
    pool = {"portal": "PortalApp", "members": "MembersSite", "quotes": "QuotesApi", "booking": "BookingWeb"}[
        app
    ]
    off = day.astimezone(ZoneInfo(k.tz)).utcoffset()
    hours = off.total_seconds() / 3600 if off else 0.0
    onset = (day + timedelta(minutes=r.randint(9 * 60 + 30, 15 * 60)) - timedelta(hours=hours)).replace(
        second=0
    )
    e = Estate(k, onset, app)
    start = onset - timedelta(hours=3, minutes=r.randint(40, 75))
    now = onset + timedelta(minutes=r.randint(34, 50))
    end = now + timedelta(minutes=10)
    insts = [
        e.new_instance(i, onset - timedelta(days=r.randint(1, 25), hours=r.randint(0, 20))) for i in range(4)
    ]
    bad = insts[r.randrange(4)]
    bad_launch = onset - timedelta(days=r.randint(16, 30))
    bad["LaunchTime"] = bad_launch.strftime("%Y-%m-%dT%H:%M:%SZ")
    bad["BlockDeviceMappings"][0]["Ebs"]["AttachTime"] = bad["LaunchTime"]
    e.emit_resources()
    canary_resource(e)
    host = e.host(bad)

    # ---- CloudTrail: noise and innocent changes ----------------------------------------------------
    e.noise_trail(start, end)
    dba = k.sso_user(r.choice(["lcarter", "mgarcia", "dwhite"]), "DatabaseAdministrator")
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    t_dba = onset - timedelta(minutes=r.randint(18, 35))
    k.ct(
        t_dba,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        dba,
        {"dBInstanceIdentifier": e.db_id, "backupRetentionPeriod": 14, "applyImmediately": True},
        {
            "dBInstanceIdentifier": e.db_id,
            "dBInstanceClass": "db.r6i.xlarge",
            "engine": "sqlserver-se",
            "dBInstanceStatus": "available",
            "backupRetentionPeriod": 14,
            "multiAZ": True,
            "engineVersion": "15.00.4415.2.v1",
            "pendingModifiedValues": {},
        },
        read_only=False,
        ip=f"198.51.100.{r.randint(10, 200)}",
        agent=console,
    )
    ops = k.sso_user(r.choice(["asingh", "kobrien"]), "PlatformOps")
    t_lbattr = onset - timedelta(hours=1, minutes=r.randint(5, 40))
    k.ct(
        t_lbattr,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        ops,
        {
            "targetGroupArn": e.tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "120"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "120"}]},
        read_only=False,
        ip=f"198.51.100.{r.randint(10, 200)}",
        agent=console,
    )
    for inst in insts:
        k.ct(
            t_lbattr + timedelta(minutes=2, seconds=r.randint(0, 59)),
            "ec2.amazonaws.com",
            "CreateTags",
            ops,
            {
                "resourcesSet": {"items": [{"resourceId": inst["InstanceId"]}]},
                "tagSet": {"items": [{"key": "PatchGroup", "value": f"{app}-web"}]},
            },
            {"requestId": k.uid(), "_return": True},
            read_only=False,
            ip=f"198.51.100.{r.randint(10, 200)}",
            agent=console,
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

    # ---- metrics ---------------------------------------------------------------------------------
    e.base_metrics(start, end)
    e.nlb_metrics(start, end, healthy=lambda t: 4, unhealthy=lambda t: 0)
    e.fsx_metrics(start, end)

    def success(t: datetime) -> float:
        if t < onset:
            return 100.0
        if t < onset + timedelta(minutes=20):
            return float(r.choice([60, 80, 80]))
        return float(r.choice([60, 80, 80, 80, 100]))

    e.canary_metrics(start, end, success, lambda t: 3100 + r.uniform(-300, 500) + 1200 * e.load(t))
    # CloudWatch agent: memory counters on every host; w3wp private bytes
    gib = 1024**3
    leak_gib = r.uniform(6.2, 6.9)  # growth of the w3wp private bytes since the start of the window
    crash_start = onset - timedelta(minutes=5)
    for inst in insts:
        dims_mem = {"InstanceId": inst["InstanceId"], "objectname": "Memory"}
        dims_proc = {"InstanceId": inst["InstanceId"], "objectname": "Process", "instance": "w3wp"}
        is_bad = inst is bad
        base_pb = r.uniform(1.1, 1.6) * gib

        def private(t: datetime, is_bad: bool = is_bad, base_pb: float = base_pb) -> float | None:
            if not is_bad:
                return base_pb * (1 + 0.25 * e.load(t)) * r.uniform(0.97, 1.03)
            if t < crash_start:
                frac = (t - start).total_seconds() / (crash_start - start).total_seconds()
                return (8.0 + leak_gib * frac) * gib * r.uniform(0.995, 1.005)
            if t < onset:
                return r.uniform(3, 13.5) * gib
            return None  # no w3wp process after the pool is disabled: the counter instance is gone

        def committed(t: datetime, is_bad: bool = is_bad) -> float:
            if is_bad and t < crash_start:
                pb = private(t) or 0.0
                return min(99.2, 22 + 100 * pb / (16 * gib))
            if is_bad:
                return 19 + r.uniform(-1, 1)
            return 31 + 8 * e.load(t) + r.uniform(-1.5, 1.5)

        k.series("CWAgent", "Process Private Bytes", dims_proc, "Bytes", start, end, 60, private)
        k.series("CWAgent", "Memory % Committed Bytes In Use", dims_mem, "Percent", start, end, 60, committed)

    # ---- alarms ----------------------------------------------------------------------------------
    quiet_alarms(e, start)
    can = k.alarm(
        f"{app}-canary-success-low",
        f"{app} portal synthetic check below 90% success. Runbook: https://wiki.{k.domain_short}.com/ops/{app}/canary",
        "CloudWatchSynthetics",
        "SuccessPercent",
        {"CanaryName": e.canary},
        "Average",
        300,
        2,
        90.0,
        "LessThanThreshold",
        "ALARM",
        "",
        grid_after(start, onset, 300) + timedelta(minutes=10, seconds=r.randint(40, 80)),
        e.topic,
    )
    t_can = ts(can["StateUpdatedTimestamp"])
    pts, st = k.points(
        "CloudWatchSynthetics", "SuccessPercent", {"CanaryName": e.canary}, t_can - timedelta(minutes=5), 2
    )
    reason = k.transition(can, t_can, "OK", "ALARM", pts, st)
    can["StateReason"], can["StateReasonData"] = reason["reason"], reason["reasonData"]
    prev = t_can - timedelta(days=r.randint(3, 12), hours=r.randint(0, 9))
    alarm_event = k.alarm_event(
        can,
        t_can,
        "ALARM",
        "OK",
        reason,
        "Threshold Crossed: 1 datapoint [100.0] was not less than the threshold (90.0).",
        prev,
    )
    mem = k.alarm(
        f"{app}-web-{host}-memory",
        f"Committed memory above 90% on {host} (created by the fleet-alarms Lambda)",
        "CWAgent",
        "Memory % Committed Bytes In Use",
        {"InstanceId": bad["InstanceId"], "objectname": "Memory"},
        "Average",
        300,
        1,
        90.0,
        "GreaterThanThreshold",
        "OK",
        "",
        onset + timedelta(minutes=5),
        e.topic,
    )
    t_hi = crash_start - timedelta(minutes=r.randint(30, 70))
    md = {"InstanceId": bad["InstanceId"], "objectname": "Memory"}
    while k.last_points("CWAgent", "Memory % Committed Bytes In Use", md, t_hi, 1)[0] <= 90.0:
        t_hi += timedelta(minutes=5)
    hv, hs = k.points("CWAgent", "Memory % Committed Bytes In Use", md, t_hi, 3)
    k.transition(mem, t_hi, "OK", "ALARM", hv, hs)
    ov, os_ = k.points("CWAgent", "Memory % Committed Bytes In Use", md, onset + timedelta(minutes=5), 1)
    mok = k.transition(mem, onset + timedelta(minutes=5), "ALARM", "OK", ov, os_)
    mem["StateReason"], mem["StateReasonData"] = mok["reason"], mok["reasonData"]
    mem["ActionsEnabled"] = False  # muted during a noisy week and never re-enabled

    # ---- logs ------------------------------------------------------------------------------------
    pid = r.randint(3000, 9000)
    sys_group, app_group = f"/{app}/windows/system", f"/{app}/windows/application"
    for inst in insts:
        h = e.host(inst)
        t = start + timedelta(minutes=r.randint(0, 40))
        while t < end:
            k.log(
                sys_group,
                inst["InstanceId"],
                t,
                cw_event_text(
                    "System",
                    "INFORMATION",
                    7036,
                    "Service Control Manager",
                    f"{h}.{k.domain}",
                    "The WinHTTP Web Proxy Auto-Discovery Service service entered the running state.",
                ),
            )
            t += timedelta(minutes=r.randint(35, 80))
        t = start + timedelta(minutes=r.randint(10, 60))
        while t < end:
            k.log(
                sys_group,
                inst["InstanceId"],
                t,
                cw_event_text(
                    "System",
                    "WARNING",
                    1014,
                    "Microsoft-Windows-DNS Client Events",
                    f"{h}.{k.domain}",
                    "Name resolution for the name wpad timed out after none of the configured DNS servers responded.",
                ),
            )
            t += timedelta(minutes=r.randint(50, 110))
    # the crash loop on the bad host
    crashes = [crash_start + timedelta(seconds=s) for s in sorted(r.sample(range(10, 290), 5))]
    fqdn = f"{host}.{k.domain}"
    for i, c in enumerate(crashes):
        p = pid + 137 * i
        k.log(
            app_group,
            bad["InstanceId"],
            c,
            cw_event_text(
                "Application",
                "ERROR",
                1026,
                ".NET Runtime",
                fqdn,
                "Application: w3wp.exe CoreCLR Version: 8.0.1124.51707 .NET Version: 8.0.11 Description: The process was "
                "terminated due to an unhandled exception. Exception Info: System.OutOfMemoryException: Exception of type "
                "'System.OutOfMemoryException' was thrown. at System.Text.StringBuilder.ToString() at "
                f"{pool}.Reporting.ExportBuilder.Build(ExportRequest request)",
            ),
        )
        k.log(
            app_group,
            bad["InstanceId"],
            c + timedelta(seconds=1),
            cw_event_text(
                "Application",
                "ERROR",
                1000,
                "Application Error",
                fqdn,
                f"Faulting application name: w3wp.exe, version: 10.0.20348.1, time stamp: 0x{k.hex(8)} Faulting module name: "
                f"KERNELBASE.dll, version: 10.0.20348.2849, time stamp: 0x{k.hex(8)} Exception code: 0xe0434352 Fault offset: "
                f"0x000000000003f19c Faulting process id: 0x{p:x} Faulting application path: c:\\windows\\system32\\inetsrv\\w3wp.exe",
            ),
        )
        k.log(
            sys_group,
            bad["InstanceId"],
            c + timedelta(seconds=2),
            cw_event_text(
                "System",
                "WARNING",
                5011,
                "Microsoft-Windows-WAS",
                fqdn,
                f"A process serving application pool '{pool}' suffered a fatal communication error with the Windows Process "
                f"Activation Service. The process id was '{p}'. The data field contains the error number.",
            ),
        )
    k.log(
        sys_group,
        bad["InstanceId"],
        crashes[-1] + timedelta(seconds=3),
        cw_event_text(
            "System",
            "ERROR",
            5002,
            "Microsoft-Windows-WAS",
            fqdn,
            f"Application pool '{pool}' is being automatically disabled due to a series of failures in the process(es) "
            "serving that application pool.",
        ),
    )
    # Earlier memory pressure warnings on that host
    t = crash_start - timedelta(minutes=r.randint(80, 110))
    while t < crash_start:
        k.log(
            sys_group,
            bad["InstanceId"],
            t,
            cw_event_text(
                "System",
                "WARNING",
                2004,
                "Microsoft-Windows-Resource-Exhaustion-Detector",
                fqdn,
                "Windows successfully diagnosed a low virtual memory condition. The following programs consumed the most "
                f"virtual memory: w3wp.exe ({pid - 211}) consumed {r.randint(11, 14) * 1073741824 + r.randint(0, 99999999)} bytes, "
                f"MsMpEng.exe ({r.randint(2000, 3000)}) consumed {r.randint(200, 400) * 1048576} bytes, and "
                f"amazon-cloudwatch-agent.exe ({r.randint(3000, 4000)}) consumed {r.randint(80, 140) * 1048576} bytes.",
            ),
        )
        t += timedelta(minutes=r.randint(18, 30))
    # HTTP.sys error log (HTTPERR) shipped by the agent, and the IIS W3C logs
    t = start
    while t < end:
        for inst in insts:
            ip = inst["PrivateIpAddress"]
            stamp_t = t + timedelta(seconds=r.randint(0, 110))
            client = f"10.{e.octet}.{r.choice([16, 32, 48])}.{r.randint(4, 250)}"
            line_t = stamp_t.strftime("%Y-%m-%d %H:%M:%S")
            path = r.choice(["/", "/account/login", "/api/session", "/reports/export", "/dashboard"])
            if inst is bad and stamp_t >= crashes[-1]:
                for _ in range(r.randint(2, 4)):
                    k.log(
                        f"/{app}/iis/httperr",
                        inst["InstanceId"],
                        stamp_t,
                        f"{line_t} {client} {r.randint(1025, 65000)} {ip} 443 HTTP/1.1 GET {path} 503 2 AppOffline {pool}",
                    )
            elif inst is bad and stamp_t >= crash_start:
                k.log(
                    f"/{app}/iis/httperr",
                    inst["InstanceId"],
                    stamp_t,
                    f"{line_t} {client} {r.randint(1025, 65000)} {ip} 443 HTTP/1.1 GET {path} - 2 Connection_Abandoned_By_ReqQueue {pool}",
                )
            else:
                status = 200 if r.random() > 0.02 else r.choice([404, 500, 302])
                k.log(
                    f"/{app}/iis/w3svc2",
                    inst["InstanceId"],
                    stamp_t,
                    f"{line_t} {ip} GET {path} - 443 - {client} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - {status} 0 0 {r.randint(15, 700)}",
                )
                if r.random() < 0.06:
                    k.log(
                        f"/{app}/iis/httperr",
                        inst["InstanceId"],
                        stamp_t,
                        f"{line_t} {client} {r.randint(1025, 65000)} {ip} 443 HTTP/1.1 GET {path} - 2 Timer_ConnectionIdle -",
                    )
        t += timedelta(minutes=2)

    local = (t_can + timedelta(minutes=r.randint(6, 14))).astimezone(ZoneInfo(k.tz))
    question = (
        f"The {app} canary alarm went off around {local:%H:%M}, but when I open the portal it loads fine for me and the "
        "NLB shows every target healthy. Is the canary itself broken?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": bad["InstanceId"],
            "category": "component_failure",
            "failure_mode": "iis-app-pool-disabled-by-rapid-fail-protection",
        },
        "also_accept": [host, pool, f"{host}.{k.domain}"],
        "actions": ["restart", "exclude"],
        "chain": [bad["InstanceId"], e.tg_name, e.nlb_name, e.canary],
    }
    return k.bundle(TITLE, start, end, now, question, alarm_event, truth)
